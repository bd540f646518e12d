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
 * The work orders the supervisor gives workerd, and what workerd
 * answers.  Both are JSON objects after a struct msg_work (common/msg.h).
 * The supervisor also writes the order to jobs/<job_id>/order-<phase>.json
 * so that a restarted workerd, or a human, can read it.
 *
 * Work order (IMSG_WORK_START), every key present unless "opt":
 *   "job_id":        "job_<16 hex of the request id>"
 *   "type":          "PatchGen" | "CodeReview" | "SandboxRun"
 *   "phase":         "agent" | "test" | "run"
 *   "repo_url":      https://..., or file:///... (opt for CodeReview)
 *   "repo_ref":      branch, tag or commit SHA (opt, default "HEAD")
 *   "subdir":        "" or a relative path (opt)
 *   "issue":         PatchGen: title and body, one text
 *   "diff":          CodeReview: the unified diff to review
 *   "focus", "depth": CodeReview (opt)
 *   "allowed_paths", "disallowed_paths": arrays of globs (opt)
 *   "test_command":  PatchGen (opt in the test phase: none = skip)
 *   "verification_commands": array of strings (opt)
 *   "command":       SandboxRun: run with /bin/sh -c
 *   "env":           SandboxRun: array of "K=V" (opt)
 *   "workdir":       SandboxRun: relative to the repo root (opt)
 *   "time_limit_secs", "memory_mb", "pids", "disk_mb": integers
 *   "cpu_limit":     number of CPUs, may be fractional
 *   "isolation":     "local" | "container" | "gvisor" | "firecracker"
 *   "agent":         { "backend": "command" | "codex" | "claude",
 *                      "command": path (command backend),
 *                      "model": string (opt) }
 *   "allow_local_repos": array of folders a file:// URL may be under
 *   "repo_max_bytes": integer
 *   "proxy_socket":  absolute path of relayd's proxy socket, or ""
 *   "patch_file":    test phase: the verified patch, relative to the
 *                    job folder ("patch.diff")
 *
 * Progress (IMSG_WORK_PROGRESS), any number, for 7000 processing:
 *   { "percent": 0..100, "text": "Running the agent" }
 *
 * Done (IMSG_WORK_DONE), exactly one per order (also after a cancel):
 *   { "ok": false, "code": "E002", "message": "repository not accessible:
 *     ...", "timed_out": bool, "cancelled": bool, ... }
 * or ok true with, per phase:
 *   agent/PatchGen:   "patch_file": "patch.diff" (in the job folder),
 *                     "trajectory_file": "trajectory.jsonl",
 *                     "trajectory_id": "...", "repo_sha": "<40 hex>",
 *                     "usage": {"input_tokens": n, "output_tokens": n,
 *                               "cache_read_tokens": n} (opt keys),
 *                     "duration_ms": n
 *   agent/CodeReview: "review_file": "review.json", the same others
 *   test:             "applies_cleanly": bool, "test_exit_code": n,
 *                     "test_stdout_sha256", "test_stderr_sha256": hex,
 *                     "verifications": [ {"name": first word,
 *                       "command": s, "exit_code": n,
 *                       "stdout_sha256": hex, "stderr_sha256": hex} ],
 *                     "timed_out": bool, "duration_ms": n
 *   run:              "exit_code": n, "output_file": "output.txt"
 *                     (stdout as published), "stdout_sha256",
 *                     "stderr_sha256", "output_sha256": hex,
 *                     "duration_ms": n, "peak_memory_mb": n,
 *                     "cpu_seconds": number, "timed_out": bool,
 *                     "trajectory_id": "..."
 * A timeout is ok false with "code": "E004" and "timed_out": true; a
 * limit (memory, pids, disk, repo size) is "E005".
 */

/*
 * The `command` agent contract (documented for operators in
 * openagents-agent(7)).  The agent runs inside the job sandbox:
 *   cwd               /workspace: a writable copy of the filtered repo
 *   /repo             the filtered repo, read-only
 *   $OA_JOB_ID, $OA_JOB_TYPE (PatchGen | CodeReview | SandboxRun)
 *   $OA_PROMPT_FILE   the prompt (PROTOCOL.md §A.10 templates), text
 *   $OA_ISSUE_FILE    PatchGen: the issue text
 *   $OA_DIFF_FILE     CodeReview: the diff under review
 *   $OA_OUTPUT_DIR    /out: artifacts; CodeReview writes review.json
 *   $OA_TIME_LIMIT_SECS, $OA_MEMORY_MB
 *   $OA_ALLOWED_PATHS, $OA_DISALLOWED_PATHS  comma lists of globs
 *   $OA_TEST_COMMAND  PatchGen: how the buyer will test
 *   $OA_PROXY_URL     http://127.0.0.1:PORT of the model API proxy, or
 *                     unset; HOME=/tmp
 * stdout: JSON lines, the trajectory (a line that is not a JSON object
 * is kept as {"type":"text","text":...}); a line
 * {"type":"usage","input_tokens":n,"output_tokens":n,
 *  "cache_read_tokens":n} reports token usage.  stderr is kept in the
 * job folder.  Exit 0: done (PatchGen: the change is what `git diff`
 * shows in /workspace afterwards); non-zero: the agent failed.
 */

#ifndef OA_WORK_H
#define OA_WORK_H

#define WORK_ORDER_MAX		(512 * 1024)	/* bytes of one order */

#endif /* OA_WORK_H */
