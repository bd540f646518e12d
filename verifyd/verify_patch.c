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
 * VERIFY_PATCH: the agent's patch read strictly (diff.c), counted,
 * held against the request's path rules and hashed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "diff.h"
#include "util.h"
#include "verify.h"
#include "verify_json.h"

struct patch_in {
	const char	*text;
	size_t		 len;
	const char	**allowed;
	size_t		 nallowed;
	const char	**disallowed;
	size_t		 ndisallowed;
	size_t		 max_bytes;
};

struct patch_out {
	int		 ok;
	const char	*code;
	char		 message[512];
	char		 sha256[65];
	struct diff	 d;
	int		 parsed;
};

static int
patch_blank(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r')
			return (0);
	return (1);
}

static const char *
patch_bad_glob(const char *const *g, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (diff_glob_match(g[i], "x") == -1)
			return (g[i]);
	return (NULL);
}

static void
patch_judge(const struct patch_in *in, struct patch_out *po)
{
	struct diff_limits	 lim;
	const char		*g;
	char			 err[256];

	po->code = "E006";
	if (in->len > in->max_bytes) {
		po->code = "E005";
		(void)snprintf(po->message, sizeof(po->message), "the patch "
		    "is %zu bytes, more than the %zu allowed", in->len,
		    in->max_bytes);
		return;
	}
	if (patch_blank(in->text, in->len)) {
		(void)strlcpy(po->message, "the agent produced no change",
		    sizeof(po->message));
		return;
	}
	memset(&lim, 0, sizeof(lim));
	lim.dl_max_bytes = in->max_bytes;
	if (diff_parse(in->text, in->len, &lim, &po->d, err,
	    sizeof(err)) == -1) {
		(void)snprintf(po->message, sizeof(po->message), "the patch "
		    "does not parse: %s", err);
		return;
	}
	po->parsed = 1;
	if ((g = patch_bad_glob(in->allowed, in->nallowed)) != NULL ||
	    (g = patch_bad_glob(in->disallowed, in->ndisallowed)) != NULL) {
		po->code = "E001";
		(void)snprintf(po->message, sizeof(po->message), "the "
		    "request's path glob is refused: %s", g);
		return;
	}
	if (diff_check_paths(&po->d, in->allowed, in->nallowed,
	    in->disallowed, in->ndisallowed, err, sizeof(err)) == -1) {
		(void)snprintf(po->message, sizeof(po->message), "the patch "
		    "breaks the path rules: %s", err);
		return;
	}
	po->ok = 1;
	po->code = NULL;
	(void)snprintf(po->message, sizeof(po->message), "%zu files changed, "
	    "%zu insertions(+), %zu deletions(-)", po->d.d_nfiles,
	    po->d.d_additions, po->d.d_deletions);
}

static int
patch_write(const struct patch_out *po, char **out, size_t *outlen)
{
	struct vgen		 vg;
	const struct diff_file	*f;
	const char		*name;
	size_t			 i, names = 0;
	int			 rc;

	if (vg_init(&vg) == -1)
		return (-1);
	vg_map(&vg, 1);
	vg_kbool(&vg, "ok", po->ok);
	if (po->code != NULL)
		vg_kstr(&vg, "code", po->code);
	vg_kstr(&vg, "message", po->message);
	vg_kstr(&vg, "sha256", po->sha256);
	vg_kint(&vg, "files_changed", (long long)po->d.d_nfiles);
	vg_kint(&vg, "additions", (long long)po->d.d_additions);
	vg_kint(&vg, "deletions", (long long)po->d.d_deletions);
	vg_cstr(&vg, "files");
	vg_array(&vg, 1);
	for (i = 0; i < po->d.d_nfiles; i++) {
		f = &po->d.d_files[i];
		name = f->df_status == DIFF_DELETED ? f->df_old : f->df_new;
		if ((names += strlen(name)) > VERIFY_FILES_MAX)
			break;
		vg_cstr(&vg, name);
	}
	vg_array(&vg, 0);
	if (i < po->d.d_nfiles)
		vg_kbool(&vg, "files_truncated", 1);
	vg_map(&vg, 0);
	rc = vg_finish(&vg, out, outlen);
	vg_free(&vg);
	return (rc);
}

int
verify_patch(const char *text, size_t len, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct patch_in		 in;
	struct patch_out	 po;
	struct vj		*root;
	const struct vj		*p, *mb;
	int			 dup, rc = -1;

	*out = NULL;
	memset(&in, 0, sizeof(in));
	memset(&po, 0, sizeof(po));
	if ((root = vj_parse(text, len, 4, err, errlen)) == NULL)
		return (-1);
	if (root->t != VJ_OBJECT) {
		errbuf_set(err, errlen, "patch request: not an object");
		goto done;
	}
	if ((p = vj_get(root, "patch", &dup)) == NULL || p->t != VJ_STRING ||
	    dup) {
		errbuf_set(err, errlen, "patch request: no patch string");
		goto done;
	}
	if (vj_strings(vj_get(root, "allowed_paths", NULL), &in.allowed,
	    &in.nallowed) == -1 || vj_strings(vj_get(root,
	    "disallowed_paths", NULL), &in.disallowed,
	    &in.ndisallowed) == -1) {
		errbuf_set(err, errlen, "patch request: bad path list");
		goto done;
	}
	in.max_bytes = DIFF_MAX_BYTES;
	if ((mb = vj_get(root, "max_bytes", NULL)) != NULL) {
		if (mb->t != VJ_INT || mb->i <= 0) {
			errbuf_set(err, errlen, "patch request: bad max_bytes");
			goto done;
		}
		in.max_bytes = (size_t)mb->i;
	}
	in.text = p->s;
	in.len = p->len;
	if (vj_sha256(in.text, in.len, po.sha256) == -1) {
		errbuf_set(err, errlen, "SHA-256 failed");
		goto done;
	}
	patch_judge(&in, &po);
	if (patch_write(&po, out, outlen) == -1) {
		errbuf_set(err, errlen, "cannot write the verdict");
		goto done;
	}
	rc = 0;
 done:
	diff_free(&po.d);
	free(in.allowed);
	free(in.disallowed);
	vj_free(root);
	return (rc);
}
