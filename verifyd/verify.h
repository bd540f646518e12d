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

#ifndef OA_VERIFY_H
#define OA_VERIFY_H

#define VERIFY_IN_MAX		(1024 * 1024 - 64)

#endif /* OA_VERIFY_H */
