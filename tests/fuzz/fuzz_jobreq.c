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
 * Job requests from any bytes.  The first byte picks the path: 'E'
 * takes the rest as an event (event_parse, then the parser), anything
 * else as the decrypted tag array of an encrypted request whose kind
 * the byte picks.  What parses must hold what its type needs, within
 * the limits; what fails must say which E-code.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "job_request.h"
#include "nostr_event.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint32_t	 kinds[] = { 5930, 5931, 5932, 5933, 5050, 5999 };

static void
fuzz_assert(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_jobreq: %s\n", what);
	abort();
}

static void
fuzz_strv(const struct job_strv *sv, size_t max)
{
	size_t	 i;

	fuzz_assert(sv->n <= max, "list over its limit");
	fuzz_assert(sv->n == 0 || sv->v[sv->n] == NULL, "list not ended");
	for (i = 0; i < sv->n; i++)
		fuzz_assert(sv->v[i] != NULL && sv->v[i][0] != '\0',
		    "empty list entry");
}

static void
fuzz_check(const struct job_request *jr, const struct job_limits *lim)
{
	size_t	 i;

	fuzz_assert(jr->jr_time_limit_secs >= lim->jl_time_min &&
	    jr->jr_time_limit_secs <= lim->jl_time_max, "time not clamped");
	fuzz_assert(jr->jr_memory_mb >= 1 &&
	    jr->jr_memory_mb <= lim->jl_memory_max_mb, "memory");
	fuzz_assert(jr->jr_cpu_limit > 0.0, "cpu");
	fuzz_assert(jr->jr_target_branch != NULL, "no target branch");
	fuzz_strv(&jr->jr_allowed, lim->jl_max_list);
	fuzz_strv(&jr->jr_disallowed, lim->jl_max_list);
	fuzz_strv(&jr->jr_env, lim->jl_max_env);
	for (i = 0; i < jr->jr_env.n; i++)
		fuzz_assert(strchr(jr->jr_env.v[i], '=') != NULL, "env");
	if (jr->jr_repo_url != NULL)
		fuzz_assert(strncmp(jr->jr_repo_url, "https://", 8) == 0 ||
		    strncmp(jr->jr_repo_url, "file:///", 8) == 0,
		    "repository scheme");
	if (jr->jr_repo_ref != NULL)
		fuzz_assert(jr->jr_repo_ref[0] != '-' &&
		    strstr(jr->jr_repo_ref, "..") == NULL, "ref");
	if (jr->jr_workdir != NULL)
		fuzz_assert(jr->jr_workdir[0] != '/', "absolute workdir");
	switch (jr->jr_type) {
	case JOB_PATCHGEN:
		fuzz_assert(jr->jr_repo_url != NULL && jr->jr_repo_ref !=
		    NULL && jr->jr_issue != NULL, "PatchGen incomplete");
		break;
	case JOB_CODEREVIEW:
		fuzz_assert(jr->jr_diff != NULL &&
		    strlen(jr->jr_diff) <= lim->jl_max_diff, "CodeReview");
		break;
	case JOB_SANDBOXRUN:
		fuzz_assert(jr->jr_command != NULL, "SandboxRun incomplete");
		break;
	case JOB_TEXTGEN:
		fuzz_assert(jr->jr_prompt != NULL, "TextGen incomplete");
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct nostr_event	 ev;
	struct job_request	 jr;
	struct job_limits	 lim;
	uint8_t			 ourpk[32];
	char			 err[256];
	int			 rc, code;

	if (len == 0)
		return (0);
	job_limits_default(&lim);
	memset(ourpk, 0x11, sizeof(ourpk));
	if (data[0] == 'E') {
		if (event_parse((const char *)data + 1, len - 1, NULL, &ev,
		    err, sizeof(err)) == -1)
			return (0);
		rc = job_request_parse(&ev, job_request_is_encrypted(&ev) ?
		    "[]" : NULL, 2, ourpk, &lim, &jr, &code, err, sizeof(err));
	} else {
		nostr_event_init(&ev, kinds[data[0] % 6], 1);
		if (event_add_tagv(&ev, "encrypted", (char *)NULL) == -1)
			abort();
		rc = job_request_parse(&ev, (const char *)data + 1, len - 1,
		    ourpk, &lim, &jr, &code, err, sizeof(err));
	}
	if (rc == 0) {
		fuzz_assert(code == JE_NONE, "success with a code");
		fuzz_check(&jr, &lim);
	} else {
		fuzz_assert(code > JE_NONE && code <= JE_RATE, "no code");
		fuzz_assert(err[0] != '\0', "no message");
		fuzz_assert(job_error_code(code)[0] == 'E', "code name");
	}
	job_request_free(&jr);
	nostr_event_free(&ev);
	return (0);
}
