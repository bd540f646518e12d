/*
 * Copyright (c) 2026 The OpenAgents provider authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * The launcher's messages.  workerd sends, per sandbox, up to three
 * CT_MSG_FD (u8 index 0..2, the descriptor) and then CT_MSG_RUN with
 * the spec; peerid is workerd's id for the sandbox throughout.  The
 * launcher answers CT_MSG_DONE with struct container_result, once.
 * CT_MSG_CANCEL (empty) asks it to kill the sandbox.  At start the
 * launcher sends CT_MSG_HELLO with struct ct_hello.
 *
 * The spec travels as: u32 mode; i64 time, memory, pids, cpu, disk;
 * u16 proxy port; u8 mask of the fds that came before; strings cwd and
 * proxy socket ("" for none); u32 argc and the strings; u32 envc and
 * the strings; u32 nbinds and per bind source, destination, u8 rw.
 * Strings are u32 length and bytes (imsg.c); nothing else is trusted.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "imsg.h"
#include "ct.h"

static int	 ct_add_str(struct ibuf *, const char *);
static int	 ct_get_str(struct ibuf *, char **, int);

static int
ct_add_str(struct ibuf *b, const char *s)
{
	if (s == NULL)
		s = "";
	if (strlen(s) > CT_STR_MAX) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	return (ibuf_add_string(b, s));
}

/* empty: NULL when optional, an error when not */
static int
ct_get_str(struct ibuf *b, char **out, int optional)
{
	char	*s;

	*out = NULL;
	if (ibuf_get_string(b, &s) == -1)
		return (-1);
	if (strlen(s) > CT_STR_MAX || (*s == '\0' && !optional)) {
		free(s);
		errno = EBADMSG;
		return (-1);
	}
	if (*s == '\0') {
		free(s);
		return (0);
	}
	*out = s;
	return (0);
}

struct ibuf *
ct_spec_encode(const struct container_spec *cs, uint8_t fdmask)
{
	struct ibuf	*b;
	uint32_t	 n;
	size_t		 i;

	if ((b = ibuf_dynamic(256, CT_MSG_MAX)) == NULL)
		return (NULL);
	if (ibuf_add_u32(b, (uint32_t)cs->cs_mode) == -1 ||
	    ibuf_add_u64(b, (uint64_t)cs->cs_time_limit_ms) == -1 ||
	    ibuf_add_u64(b, (uint64_t)cs->cs_memory_mb) == -1 ||
	    ibuf_add_u64(b, (uint64_t)cs->cs_pids) == -1 ||
	    ibuf_add_u64(b, (uint64_t)cs->cs_cpu_millis) == -1 ||
	    ibuf_add_u64(b, (uint64_t)cs->cs_disk_mb) == -1 ||
	    ibuf_add_u16(b, cs->cs_proxy_port) == -1 ||
	    ibuf_add_u8(b, fdmask) == -1 ||
	    ct_add_str(b, cs->cs_cwd) == -1 ||
	    ct_add_str(b, cs->cs_proxy_socket) == -1)
		goto fail;
	for (n = 0; cs->cs_argv != NULL && cs->cs_argv[n] != NULL; n++)
		;
	if (n == 0 || n > CONTAINER_MAX_ARGS || ibuf_add_u32(b, n) == -1) {
		errno = E2BIG;
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (ct_add_str(b, cs->cs_argv[i]) == -1)
			goto fail;
	for (n = 0; cs->cs_envp != NULL && cs->cs_envp[n] != NULL; n++)
		;
	if (n > CONTAINER_MAX_ENV || ibuf_add_u32(b, n) == -1) {
		errno = E2BIG;
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (ct_add_str(b, cs->cs_envp[i]) == -1)
			goto fail;
	if (cs->cs_nbinds > CONTAINER_MAX_BINDS ||
	    ibuf_add_u32(b, (uint32_t)cs->cs_nbinds) == -1) {
		errno = E2BIG;
		goto fail;
	}
	for (i = 0; i < cs->cs_nbinds; i++)
		if (ct_add_str(b, cs->cs_binds[i].cb_src) == -1 ||
		    ct_add_str(b, cs->cs_binds[i].cb_dst) == -1 ||
		    ibuf_add_u8(b, cs->cs_binds[i].cb_rw ? 1 : 0) == -1)
			goto fail;
	return (b);
 fail:
	ibuf_free(b);
	return (NULL);
}

int
ct_spec_decode(struct ibuf *b, struct ct_spec *sp)
{
	struct container_spec	*cs = &sp->s;
	uint64_t		 v[5];
	uint32_t		 mode, n, i;
	uint8_t			 rw;
	int			 k;

	memset(sp, 0, sizeof(*sp));
	cs->cs_stdin = cs->cs_stdout = cs->cs_stderr = -1;
	if (ibuf_get_u32(b, &mode) == -1)
		goto bad;
	for (k = 0; k < 5; k++)
		if (ibuf_get_u64(b, &v[k]) == -1 || v[k] > INT64_MAX)
			goto bad;
	if (ibuf_get_u16(b, &cs->cs_proxy_port) == -1 ||
	    ibuf_get_u8(b, &sp->fdmask) == -1 || sp->fdmask > 7 ||
	    mode > ISOLATION_FIRECRACKER)
		goto bad;
	cs->cs_mode = (enum isolation_mode)mode;
	cs->cs_time_limit_ms = (int64_t)v[0];
	cs->cs_memory_mb = (int64_t)v[1];
	cs->cs_pids = (int64_t)v[2];
	cs->cs_cpu_millis = (int64_t)v[3];
	cs->cs_disk_mb = (int64_t)v[4];
	if (ct_get_str(b, &sp->cwd, 1) == -1 ||
	    ct_get_str(b, &sp->proxy, 1) == -1)
		goto bad;
	cs->cs_cwd = sp->cwd;
	cs->cs_proxy_socket = sp->proxy;

	if (ibuf_get_u32(b, &n) == -1 || n == 0 || n > CONTAINER_MAX_ARGS)
		goto bad;
	for (i = 0; i < n; i++)
		if (ct_get_str(b, &sp->argv[i], i > 0) == -1)
			goto bad;
	/* an empty argument decodes as NULL; it is still an argument */
	for (i = 1; i < n; i++)
		if (sp->argv[i] == NULL && (sp->argv[i] = strdup("")) == NULL)
			goto bad;
	cs->cs_argv = (const char *const *)sp->argv;

	if (ibuf_get_u32(b, &n) == -1 || n > CONTAINER_MAX_ENV)
		goto bad;
	for (i = 0; i < n; i++)
		if (ct_get_str(b, &sp->envp[i], 0) == -1 ||
		    strchr(sp->envp[i], '=') == NULL)
			goto bad;
	cs->cs_envp = (const char *const *)sp->envp;

	if (ibuf_get_u32(b, &n) == -1 || n > CONTAINER_MAX_BINDS)
		goto bad;
	for (i = 0; i < n; i++) {
		if (ct_get_str(b, &sp->bsrc[i], 0) == -1 ||
		    ct_get_str(b, &sp->bdst[i], 0) == -1 ||
		    ibuf_get_u8(b, &rw) == -1 || rw > 1)
			goto bad;
		cs->cs_binds[i].cb_src = sp->bsrc[i];
		cs->cs_binds[i].cb_dst = sp->bdst[i];
		cs->cs_binds[i].cb_rw = rw;
		cs->cs_nbinds = i + 1;
	}
	if (ibuf_size(b) != 0)
		goto bad;
	return (0);
 bad:
	ct_spec_free(sp);
	errno = EBADMSG;
	return (-1);
}

void
ct_spec_free(struct ct_spec *sp)
{
	size_t	 i;

	for (i = 0; i < CONTAINER_MAX_ARGS; i++)
		free(sp->argv[i]);
	for (i = 0; i < CONTAINER_MAX_ENV; i++)
		free(sp->envp[i]);
	for (i = 0; i < CONTAINER_MAX_BINDS; i++) {
		free(sp->bsrc[i]);
		free(sp->bdst[i]);
	}
	free(sp->cwd);
	free(sp->proxy);
	memset(sp, 0, sizeof(*sp));
}
