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
 * so that a restarted workerd, or a human, can read it; workerd writes
 * its answer to jobs/<job_id>/done-<phase>.json (atomically, fsynced)
 * before it sends it, so that a restarted supervisor finds a finished
 * phase.  The rest of the job folder: workerd/work_job.h.
 *
 * A malformed order (a missing key, a wrong type, a size out of range)
 * is a protocol violation, fatal to workerd; keys it does not know are
 * ignored.  What the buyer chose (URL scheme, ref, env names, workdir)
 * is checked when the job runs and refused with an E-code.
 *
 * Work order (IMSG_WORK_START), every key present unless "opt":
 *   "job_id":        "job_<16 hex of the request id>"
 *   "type":          "PatchGen" | "CodeReview" | "SandboxRun"
 *   "phase":         "agent" | "test" | "run"
 *   "repo_url":      https://..., or file:///... (opt for CodeReview)
 *   "repo_ref":      branch, tag or commit SHA, full or at least 7
 *                    hex (opt, default "HEAD")
 *   "subdir":        "" or a relative path (opt)
 *   "issue":         PatchGen: title and body, one text
 *   "diff":          CodeReview: the unified diff to review
 *   "focus", "depth": CodeReview (opt)
 *   "allowed_paths", "disallowed_paths": arrays of globs (opt); the
 *                    disallowed ones are also removed from the tree
 *   "test_command":  PatchGen (opt in the test phase: none = skip)
 *   "verification_commands": array of strings (opt)
 *   "command":       SandboxRun: run with /bin/sh -c
 *   "env":           SandboxRun: array of "K=V" (opt); K a shell name,
 *                    not OA_*, PATH, HOME, TMPDIR, IFS, ENV, BASH_ENV,
 *                    CDPATH, PS4, LD_PRELOAD, ... (work_run.c)
 *   "workdir":       SandboxRun: relative to the repo root (opt; no
 *                    "..", "/workspace/x" is taken as "x")
 *   "time_limit_secs", "memory_mb", "pids", "disk_mb": integers
 *   "cpu_limit":     number of CPUs, may be fractional
 *   "isolation":     "local" | "container" | "gvisor" | "firecracker"
 *   "agent":         { "backend": "command" | "codex" | "claude",
 *                      "command": absolute path (command backend),
 *                      "model": string (opt) }; opt outside the agent
 *                    phase
 *   "allow_local_repos": array of folders a file:// URL may be under
 *                    (opt; both sides resolved with realpath)
 *   "repo_max_bytes": integer (du of the clone; 0: no limit)
 *   "proxy_socket":  absolute path of relayd's proxy socket, or "";
 *                    used in container mode (local mode has no bridge)
 *   "patch_file":    test phase: the verified patch, a file name in
 *                    the job folder ("patch.diff")
 * The test phase reuses the filtered repository of the agent phase
 * (jobs/<id>/repo, complete when jobs/<id>/repo.ok holds its commit),
 * or fetches it again, so its order has repo_url and repo_ref too.
 *
 * Progress (IMSG_WORK_PROGRESS), any number, for 7000 processing:
 *   { "percent": 0..100, "text": "Running the agent" }
 *
 * Done (IMSG_WORK_DONE), exactly one per order (also after a cancel):
 *   { "ok": false, "code": "E002", "message": "repository not accessible:
 *     ...", "timed_out": bool, "cancelled": bool, ... }
 * with "trajectory_file", "trajectory_id", "repo_sha", "duration_ms"
 * when known; every answer has "timed_out" and "cancelled".
 * Or ok true with, per phase:
 *   agent/PatchGen:   "patch_file": "patch.diff" (in the job folder),
 *                     "trajectory_file": "trajectory.jsonl",
 *                     "trajectory_id": "...", "repo_sha": "<40 hex>",
 *                     "usage": {"input_tokens": n, "output_tokens": n,
 *                               "cache_read_tokens": n} (opt keys),
 *                     "duration_ms": n
 *   agent/CodeReview: "review_file": "review.json", the same others
 *                     (no repo_sha without a repo_url)
 *   test:             "applies_cleanly": bool, "test_exit_code": n,
 *                     "test_stdout_sha256", "test_stderr_sha256": hex
 *                     (these three only when the patch applied and a
 *                     test_command was given; the streams are kept as
 *                     test-stdout.txt, test-stderr.txt),
 *                     "verifications": [ {"name": the first word, or
 *                       X of "npm run X", "pnpm run X", "yarn X",
 *                       "command": s, "exit_code": n,
 *                       "stdout_sha256": hex, "stderr_sha256": hex} ],
 *                     "timed_out": bool, "duration_ms": n, "repo_sha"
 *   run:              "exit_code": n, "output_file": "output.txt"
 *                     (stdout as published: its first 64 KiB, cut on
 *                     a UTF-8 boundary), "stdout_sha256" (the whole
 *                     stream, kept as stdout.txt), "stderr_sha256"
 *                     (stderr.txt), "output_sha256": hex,
 *                     "duration_ms": n, "peak_memory_mb": n,
 *                     "cpu_seconds": number, "timed_out": bool,
 *                     "trajectory_id": "...", "trajectory_file",
 *                     "repo_sha"
 * trajectory_id is "traj_" and the hex part of the job id.
 * A timeout is ok false with "code": "E004" and "timed_out": true; a
 * limit (memory, pids, disk, repo size) is "E005".
 */

/*
 * The `command` agent contract (documented for operators in
 * openagents-agent(7)).  The agent runs inside the job sandbox.  In
 * local mode nothing is bound: the variables name the job's own
 * folders instead of these paths, so an agent uses the variables.
 *   cwd               /workspace ($OA_WORKSPACE): a writable copy of
 *                     the filtered repo, one commit, no history
 *   /repo             $OA_REPO_DIR: the filtered repo, read-only
 *   /in        $OA_IN_DIR: prompt, issue, diff, read-only
 *   $OA_JOB_ID, $OA_JOB_TYPE (PatchGen | CodeReview | SandboxRun)
 *   $OA_PROMPT_FILE   the prompt (PROTOCOL.md §A.10 templates), text
 *   $OA_ISSUE_FILE    PatchGen: the issue text
 *   $OA_DIFF_FILE     CodeReview: the diff under review
 *   $OA_OUTPUT_DIR    /out: artifacts; CodeReview writes review.json
 *   $OA_TIME_LIMIT_SECS, $OA_MEMORY_MB
 *   $OA_ALLOWED_PATHS, $OA_DISALLOWED_PATHS  comma lists of globs
 *   $OA_TEST_COMMAND  PatchGen: how the buyer will test
 *   $OA_SUBDIR        the focus folder, or empty
 *   $OA_PROXY_URL     http://127.0.0.1:PORT of the model API proxy, or
 *                     unset; HOME=/tmp
 * stdout: JSON lines, the trajectory (a line that is not a JSON object
 * is kept as {"type":"text","text":...}); a line
 * {"type":"usage","input_tokens":n,"output_tokens":n,
 *  "cache_read_tokens":n} reports token usage.  stderr is kept in the
 * job folder.  Exit 0: done (PatchGen: the change is what `git diff`
 * shows in /workspace afterwards, against the commit it started
 * from); non-zero: the agent failed.
 */

#ifndef OA_WORK_H
#define OA_WORK_H

#define WORK_ORDER_MAX		(512 * 1024)	/* bytes of one order */

#endif /* OA_WORK_H */
