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
 * Any bytes as an agent's review.  Up to a first NUL byte they are the
 * review and after it the diff under review; without a NUL the diff is
 * a fixed one.  The verdict must be JSON; ok must mean every check
 * passed; the content must hash to sha256, and judged again it must
 * come back unchanged: the canonical form is a fixed point.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify.h"
#include "verify_json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_diff[] =
    "diff --git a/src/auth.c b/src/auth.c\n"
    "index 0a4ceb8..2ae478b 100644\n"
    "--- a/src/auth.c\n"
    "+++ b/src/auth.c\n"
    "@@ -1,2 +1,2 @@\n"
    " int\n"
    "-a\n"
    "+b\n";

static void
fuzz_assert(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_review: %s\n", what);
	abort();
}

static const struct vj *
fuzz_get(const struct vj *o, const char *key, enum vj_type t)
{
	const struct vj	*j = vj_get(o, key, NULL);

	fuzz_assert(j == NULL || j->t == t, key);
	return (j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const char	*text = (const char *)data, *diff = fuzz_diff;
	const struct vj	*okv, *content, *sha, *checks, *c2;
	struct vj	*v, *v2;
	const uint8_t	*nul;
	char		*out, *out2, hex[65], err[128];
	size_t		 rlen = len, dlen = sizeof(fuzz_diff) - 1, outlen, i;
	int		 all = 1;

	if ((nul = memchr(data, '\0', len)) != NULL) {
		rlen = (size_t)(nul - data);
		diff = (const char *)nul + 1;
		dlen = len - rlen - 1;
	}
	if (verify_review_text(text, rlen, diff, dlen, &out, &outlen) == -1)
		return (0);	/* out of memory only */
	v = vj_parse(out, outlen, VJ_DEPTH_MAX, err, sizeof(err));
	fuzz_assert(v != NULL && v->t == VJ_OBJECT, "verdict not JSON");
	okv = fuzz_get(v, "ok", VJ_BOOL);
	checks = fuzz_get(v, "checks", VJ_ARRAY);
	fuzz_assert(okv != NULL && checks != NULL && checks->n == 3,
	    "verdict shape");
	for (i = 0; i < checks->n; i++)
		all = all && fuzz_get(checks->v[i], "passed", VJ_BOOL)->b;
	fuzz_assert(okv->b == all, "ok is not all checks");
	fuzz_assert(okv->b || fuzz_get(v, "code", VJ_STRING) != NULL,
	    "not ok without a code");
	content = fuzz_get(v, "content", VJ_STRING);
	sha = fuzz_get(v, "sha256", VJ_STRING);
	fuzz_assert((content == NULL) == (sha == NULL), "content and sha256");
	fuzz_assert(!okv->b || content != NULL, "ok without content");
	if (content != NULL) {
		fuzz_assert(vj_sha256(content->s, content->len, hex) == 0 &&
		    strcmp(hex, sha->s) == 0, "sha256 of content");
		fuzz_assert(verify_review_text(content->s, content->len, diff,
		    dlen, &out2, &outlen) == 0, "judging the content");
		v2 = vj_parse(out2, outlen, VJ_DEPTH_MAX, err, sizeof(err));
		fuzz_assert(v2 != NULL, "second verdict not JSON");
		c2 = fuzz_get(v2, "content", VJ_STRING);
		fuzz_assert(c2 != NULL && c2->len == content->len &&
		    memcmp(c2->s, content->s, c2->len) == 0,
		    "canonical form is not a fixed point");
		vj_free(v2);
		free(out2);
	}
	vj_free(v);
	free(out);
	return (0);
}
