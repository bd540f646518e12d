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
 * The supervisor's side of relayd's egress proxy.  relayd opens no
 * paths, so the listening socket is made here, in the jobs folder that
 * the job sandboxes get it from (<jobs>/proxy.sock), and passed with
 * IMSG_PROXY_CONF along with the upstream, the caps, the allow-list
 * and the API key.  The key is read for each message, from [proxy]
 * api_key_file or the environment variable [proxy] api_key_env names,
 * and wiped here once queued: a reload picks up a rotated key.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "log.h"
#include "msg.h"
#include "supervisor.h"

#define SV_PROXY_SOCK		"proxy.sock"
#define SV_PROXY_BACKLOG	64

/* The listening socket, made once; relayd gets a copy each time. */
static int	sv_proxy_fd = -1;

/*
 * <jobs>/proxy.sock, listening.  A stale one from an earlier run goes;
 * anything else by that name is the operator's and stays.  Mode 0666:
 * the sandboxed agent connects under whatever uid its user namespace
 * gives it, and the jobs folder (0700) already keeps everyone else out.
 */
static int
sv_proxy_socket(struct supervisor *s)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path_join(sun.sun_path, sizeof(sun.sun_path), s->sv_paths.p_jobs,
	    SV_PROXY_SOCK) == -1) {
		log_warnx("proxy: %s/%s: path too long for a socket",
		    s->sv_paths.p_jobs, SV_PROXY_SOCK);
		return (-1);
	}
	if (lstat(sun.sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("proxy: %s exists and is not a socket; "
			    "the proxy stays off", sun.sun_path);
			return (-1);
		}
		if (unlink(sun.sun_path) == -1) {
			log_warn("proxy: unlink %s", sun.sun_path);
			return (-1);
		}
	} else if (errno != ENOENT) {
		log_warn("proxy: %s", sun.sun_path);
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("proxy: socket");
		return (-1);
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(sun.sun_path, 0666) == -1 ||
	    listen(fd, SV_PROXY_BACKLOG) == -1) {
		log_warn("proxy: %s", sun.sun_path);
		(void)close(fd);
		(void)unlink(sun.sun_path);
		return (-1);
	}
	log_debug("proxy: listening on %s", sun.sun_path);
	sv_proxy_fd = fd;
	return (0);
}

/* It goes into a header line: printable ASCII, no blanks. */
static int
sv_proxy_key_check(const char *key, const char *from)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)key; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f) {
			log_warnx("proxy: the API key from %s holds a blank "
			    "or non-ASCII byte; none is sent", from);
			return (-1);
		}
	return (0);
}

/* The first line of the key file, without its line end. */
static int
sv_proxy_key_file(const char *path, char *key, size_t len)
{
	struct stat	 st;
	ssize_t		 n;
	size_t		 have = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1) {
		log_warn("proxy: API key file %s", path);
		return (-1);
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRGRP | S_IROTH)))
		log_warnx("proxy: API key file %s is readable by others",
		    path);
	while (have < len - 1) {
		if ((n = read(fd, key + have, len - 1 - have)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("proxy: API key file %s", path);
			(void)close(fd);
			explicit_bzero(key, len);
			return (-1);
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	(void)close(fd);
	key[have] = '\0';
	key[strcspn(key, "\r\n")] = '\0';
	if (have == len - 1 && strlen(key) == have) {
		log_warnx("proxy: API key file %s: longer than %zu bytes",
		    path, len - 2);
		explicit_bzero(key, len);
		return (-1);
	}
	return (0);
}

/* The key to put in, or "" for none (said once in the log). */
static void
sv_proxy_key(const struct conf *c, char *key, size_t len)
{
	const char	*v, *from;
	char		 what[CONF_URL + 16];

	key[0] = '\0';
	if (c->c_proxy_api_key_file[0] != '\0') {
		from = c->c_proxy_api_key_file;
		if (sv_proxy_key_file(from, key, len) == -1)
			key[0] = '\0';
	} else if (c->c_proxy_api_key_env[0] != '\0') {
		(void)snprintf(what, sizeof(what), "$%s",
		    c->c_proxy_api_key_env);
		from = what;
		if ((v = getenv(c->c_proxy_api_key_env)) != NULL &&
		    strlcpy(key, v, len) >= len) {
			log_warnx("proxy: %s is longer than %zu bytes; none "
			    "is sent", from, len - 1);
			explicit_bzero(key, len);
		}
	} else
		return;		/* none configured: none wanted */
	if (key[0] != '\0' && sv_proxy_key_check(key, from) == -1)
		explicit_bzero(key, len);
	if (key[0] == '\0')
		log_warnx("proxy: no API key from %s; model API requests go "
		    "upstream without one", from);
}

/*
 * Give relayd the proxy: whenever relayd is (again) ready, and after
 * every reload.  Without relayd it waits for the next call.
 */
void
sv_proxy_sync(struct supervisor *s)
{
	struct helper		*h = &s->sv_helpers[PROC_RELAYD];
	struct msg_proxy_conf	 pc;
	const struct conf	*c = &s->sv_conf;
	struct iovec		 iov[2];
	char			*hosts;
	size_t			 i, len = 0, n;
	int			 fd;

	if (!h->h_ready || !h->h_iev_open)
		return;
	if (sv_proxy_fd == -1 && sv_proxy_socket(s) == -1)
		return;
	if ((fd = fcntl(sv_proxy_fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		log_warn("proxy: dup");
		return;
	}
	if ((hosts = calloc(c->c_proxy_allowlist.n + 1, CONF_URL)) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < c->c_proxy_allowlist.n; i++) {
		n = strlen(c->c_proxy_allowlist.v[i]) + 1;
		memcpy(hosts + len, c->c_proxy_allowlist.v[i], n);
		len += n;
	}
	memset(&pc, 0, sizeof(pc));
	(void)strlcpy(pc.pc_upstream, c->c_proxy_upstream,
	    sizeof(pc.pc_upstream));
	sv_proxy_key(c, pc.pc_key, sizeof(pc.pc_key));
	pc.pc_per_minute = (uint32_t)c->c_proxy_requests_per_minute;
	pc.pc_per_day = (uint32_t)c->c_proxy_daily_requests;
	pc.pc_nhosts = (uint32_t)c->c_proxy_allowlist.n;
	iov[0].iov_base = &pc;
	iov[0].iov_len = sizeof(pc);
	iov[1].iov_base = hosts;
	iov[1].iov_len = len;
	if (imsgev_composev(&h->h_iev, IMSG_PROXY_CONF, 0, 0, fd, iov,
	    len > 0 ? 2 : 1) == -1)
		fatal("%s: compose", __func__);
	explicit_bzero(&pc, sizeof(pc));
	free(hosts);
}

int
sv_proxy_dispatch(struct supervisor *s, struct imsg *imsg)
{
	struct helper		*h = &s->sv_helpers[PROC_RELAYD];
	struct msg_proxy_stats	 ps;

	switch (imsg_get_type(imsg)) {
	case IMSG_PROXY_STATS:
		if (imsg_get_data(imsg, &ps, sizeof(ps)) == -1) {
			helper_violation(s, h, "bad proxy stats");
			return (0);
		}
		ps.ps_last[sizeof(ps.ps_last) - 1] = '\0';
		/* relayd sends these at most every few seconds */
		log_warnx("proxy: %llu requests passed, %llu refused, %llu "
		    "over the caps; last refusal: %s",
		    (unsigned long long)ps.ps_allowed,
		    (unsigned long long)ps.ps_refused,
		    (unsigned long long)ps.ps_capped, ps.ps_last);
		return (0);
	default:
		return (-1);
	}
}
