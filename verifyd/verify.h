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
 * verifyd's requests and verdicts: JSON after a struct msg_verify
 * (common/msg.h).  Pure functions of their input; verifyd opens no file.
 *
 * VERIFY_PATCH
 *   in:  { "patch": "<unified diff>", "allowed_paths": [globs],
 *          "disallowed_paths": [globs], "max_bytes": n (opt) }
 *   out: { "ok": bool, "code": "E001"|"E005"|"E006" (when not ok),
 *          "message": "...", "sha256": hex, "files_changed": n,
 *          "additions": n, "deletions": n, "files": ["path", ...] }
 *   An empty patch is not ok (E006, "the agent produced no change").
 *   A path outside allowed_paths or inside disallowed_paths is not ok
 *   with E006 and the path named in the message.
 *
 * VERIFY_REVIEW
 *   in:  { "review": "<the agent's review JSON text>",
 *          "diff": "<the diff under review>" }
 *   out: { "ok": bool, "code", "message" (when not ok),
 *          "content": "<canonical review JSON, what is published>",
 *          "sha256": hex of content,
 *          "checks": [ {"name": "schema_valid", "passed": bool,
 *                       "details": "..."}, non_trivial, references_valid ],
 *          "approval_status": s, "issues_found": n,
 *          "severity_max": s ("none" when no issue),
 *          "suggestions_count": n }
 *
 * VERIFY_RESULT: the verdict of a whole job and its result tags.
 *   in:  { "type": "PatchGen"|"CodeReview"|"SandboxRun",
 *          "job_id": s, "agent": {the workerd agent-phase done object},
 *          "patch": {the VERIFY_PATCH verdict} (PatchGen),
 *          "test": {the workerd test-phase done object} (PatchGen),
 *          "review": {the VERIFY_REVIEW verdict} (CodeReview),
 *          "run": {the workerd run-phase done object} (SandboxRun),
 *          "limits": { "time_limit_secs": n, "memory_mb": n } }
 *   out: { "status": "success"|"partial_success"|"failed"|"timeout",
 *          "code": "E00x" (when not success), "message": s,
 *          "content_sha256": hex of what the result's content will be,
 *          "tags": [ ["result","patch_sha256",hex], ...,
 *                    ["usage","input_tokens","n"], ... ] }
 *   The tags are PROTOCOL.md §A.4, §A.5, §A.7 and §E.3, without e, p,
 *   request, amount, status and encrypted, which the supervisor adds.
 *   A failed status carries ["error", code, message] in tags.
 */

/*
 * Decisions where the documents leave it open:
 *
 * VERIFY_PATCH: "message" is always there (a summary when ok); sha256
 *   is the hash of the patch bytes whatever the verdict; the counts and
 *   "files" (new names, old ones for deletions; cut after 64 KiB of
 *   names, then "files_truncated": true) are there once it parses.
 *   More than max_bytes (default DIFF_MAX_BYTES) is E005.  Blank or
 *   empty is E006 "the agent produced no change".  A patch that does
 *   not parse is the agent's failure, not the buyer's: E006 "the patch
 *   does not parse: ...".  A glob the path matcher refuses came with
 *   the request: E001.
 *
 * VERIFY_REVIEW: a review over VERIFY_REVIEW_MAX bytes is E005; any
 *   other failure is E006 with "message" the first failed check and
 *   its details.  Every check is always listed; non_trivial and
 *   references_valid are failed with "not checked" when the schema
 *   fails.  "content", "sha256" and "approval_status" are there only
 *   when the schema holds.  The schema is exact for what it names:
 *   summary and approval_status are required; issues, suggestions and
 *   highlights may be absent (empty) but not of another type; the
 *   fields of an issue and of a suggestion are required except
 *   suggested_fix (null counts as absent); line numbers are integers
 *   >= 0 and start <= end; a member given twice is refused; members
 *   the schema does not name are dropped from the content (the
 *   schema_valid details say how many).  A file reference matches a
 *   name of the diff as it is, or without "./", "a/" or "b/", and the
 *   content carries the diff's name.  A diff that diff_parse refuses
 *   (plain diff -u, a cut excerpt) is the buyer's: its names are read
 *   from the ---, +++ and diff --git lines instead, and the details
 *   say so.  Nesting deeper than VJ_DEPTH_MAX
 *   (verify_json.h) is refused.
 *
 * VERIFY_RESULT: status "failed" and "timeout" mean content "" (so
 *   content_sha256 is the hash of nothing) and carry ["error",code,
 *   message] and the trajectory_id, usage and test tags known by then.
 *   PatchGen: a test phase that timed out is "timeout" E004; that does
 *   not apply is failed E006; a non-zero test_exit_code is failed E006
 *   "Tests failed after applying patch" with test_exit_code and
 *   test_stderr_sha256; no test phase, or one without a
 *   test_exit_code (no test_command), is "partial_success" E006 (the
 *   patch is delivered untested); a failing verification command is
 *   "partial_success" E006 naming it.  SandboxRun: a non-zero exit
 *   code is still "success" (the run is the product; exit_code says
 *   how it went); a run past limits.time_limit_secs is "timeout"
 *   E004, one past limits.memory_mb failed E005.  cpu_seconds is
 *   written with three decimals.  An agent, patch or review that is
 *   not ok fails the job with its code (E007 when it has none).
 *
 * Each function takes the request JSON and gives the verdict as
 * malloc'd, NUL-terminated JSON in *out.  -1 (err set) means the
 * request itself is malformed: not JSON, a key missing or of the wrong
 * type.  That is the supervisor's fault and verifyd treats it as a
 * protocol violation; what the agents produced never gives -1.
 */

#ifndef OA_VERIFY_H
#define OA_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#define VERIFY_IN_MAX		(1024 * 1024 - 64)
#define VERIFY_OUT_MAX		VERIFY_IN_MAX
#define VERIFY_REVIEW_MAX	(256 * 1024)	/* bytes of the review */
#define VERIFY_FILES_MAX	(64 * 1024)	/* bytes of "files" names */

int	verify_patch(const char *, size_t, char **, size_t *, char *, size_t);
int	verify_review(const char *, size_t, char **, size_t *, char *,
	    size_t);
int	verify_result(const char *, size_t, char **, size_t *, char *,
	    size_t);
/* one of the three by enum verify_what; -1 for an unknown one */
int	verify_request(uint32_t, const char *, size_t, char **, size_t *,
	    char *, size_t);

/* The review checks on their own, for the fuzzer: never -1 but ENOMEM */
int	verify_review_text(const char *, size_t, const char *, size_t,
	    char **, size_t *);

#endif /* OA_VERIFY_H */
