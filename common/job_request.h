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
 * Job requests (kinds 5050 and 5930-5933), parsed liberally after
 * PROTOCOL.md §E.2: both the Bazaar and the OpenAgents spellings,
 * comma lists split, indexed "_N" params in index order, repeated
 * params, inputs by marker first and then by type and order, unknown
 * input types taken as text.  For an encrypted request the caller
 * decrypts the content (walletd) and passes the tag array it holds.
 *
 * Decisions where the documents leave it open:
 * - Required: PatchGen a repository URL, repo_ref (or git_ref) and an
 *   issue text; SandboxRun a repository URL, a ref and a command;
 *   CodeReview the diff (a pr URL alone is not enough: we do not fetch
 *   it); RepoIndex a repository URL (ref default "main"); TextGen a
 *   prompt (an i text, else the plaintext content).  test_command is
 *   optional: without it the patch is delivered untested
 *   (partial_success, see verify.h).  max_cost_sats absent is -1 and
 *   the engine decides; bid is msats and only a hint.
 * - A single-valued param given twice (in either spelling) with
 *   different values is E001; the same value twice is fine.  List
 *   params of both spellings are merged: comma lists first in tag
 *   order, then the "_N" ones in index order.  command and cmd_N
 *   together are E001.  focus and focus_N are joined with ",".
 * - head_ref is the repo_ref of a CodeReview when neither repo_ref
 *   nor git_ref is given; base_ref is not kept.
 * - Inputs: marker repo (url), pr (url), diff (text), issue (text, or
 *   a url that becomes jr_issue_url).  Unmarked: PatchGen's first url
 *   is the repository, a second the issue URL, texts are the issue
 *   joined with "\n\n" (title, body); CodeReview's url with /pull/ or
 *   /merge_requests/ is the PR, another the repository, the first
 *   text the diff (later texts ignored); TextGen's texts the prompt.
 *   Inputs of type event or job (NIP-90 chaining) are E009; any other
 *   unknown type is text.
 * - Checks: repository URL https://HOST... or file:///absolute without
 *   ".." (http://, ssh and git:// are E001); refs printable ASCII, no
 *   leading '-', no "..", "@{", ~^:?*[\, not ending in '/' or '.';
 *   subdir and workdir relative without ".." ("/workspace" and
 *   "/workspace/x" are read as the repository root and "x"); env names
 *   [A-Za-z_][A-Za-z0-9_]*; numbers decimal digits only; cpu_limit a
 *   decimal in (0, 1024].  A value with a NUL byte is E001.
 * - Limits: a text or param value over jl_max_text, a diff over
 *   jl_max_diff, more than jl_max_list inputs or list entries, more
 *   than jl_max_env variables or memory over jl_memory_max_mb are E005.
 *   Time limits are clamped, not refused.
 * - Defaults: time 900 s (PatchGen, RepoIndex) or 300 s, memory
 *   4096 MB (capped), cpu 2.0, target_branch "main".
 * - Unknown params and tags are ignored.  The decrypted tags must be
 *   a JSON array of non-empty arrays of strings (else E001); they are
 *   merged after the event's own tags, and their p tags are ignored.
 *   An ["encrypted"] request without tags_json is E001; jr_encrypted
 *   is JOB_NIP04 when the content has "?iv=", else JOB_NIP44 (§E.4).
 * - jr_index_types (RepoIndex) is an addition to the first contract.
 */

#ifndef OA_JOB_REQUEST_H
#define OA_JOB_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct nostr_event;

/* The E-codes of PROTOCOL.md §A.9. */
enum job_error {
	JE_NONE = 0,
	JE_INVALID = 1,		/* E001 */
	JE_REPO = 2,		/* E002 */
	JE_REF = 3,		/* E003 */
	JE_TIMEOUT = 4,		/* E004 */
	JE_RESOURCE = 5,	/* E005 */
	JE_VERIFY = 6,		/* E006 */
	JE_INTERNAL = 7,	/* E007 */
	JE_BUDGET = 8,		/* E008 */
	JE_UNSUPPORTED = 9,	/* E009 */
	JE_RATE = 10		/* E010 */
};

enum job_encryption {
	JOB_PLAIN = 0,
	JOB_NIP04 = 4,
	JOB_NIP44 = 44
};

struct job_limits {
	size_t		 jl_max_text;	/* one input or param value */
	size_t		 jl_max_diff;	/* CodeReview diff */
	size_t		 jl_max_list;	/* entries of a list param */
	size_t		 jl_max_env;
	int64_t		 jl_time_min;	/* time limits clamped to these */
	int64_t		 jl_time_max;
	int64_t		 jl_memory_max_mb;
};

struct job_strv {
	char		**v;
	size_t		 n;
};

struct job_request {
	uint8_t		 jr_id[32];
	uint8_t		 jr_buyer[32];
	uint32_t	 jr_kind;
	int		 jr_type;		/* enum job_type */
	int64_t		 jr_created_at;
	int		 jr_encrypted;		/* enum job_encryption */
	int		 jr_tagged;		/* has p tags at all */
	int		 jr_for_us;		/* one p tag is ours */

	char		*jr_repo_url;
	char		*jr_repo_ref;		/* repo_ref | git_ref */
	char		*jr_target_branch;	/* default "main" */
	char		*jr_subdir;
	char		*jr_issue;		/* title "\n\n" body */
	char		*jr_issue_url;
	char		*jr_diff;		/* CodeReview */
	char		*jr_pr_url;
	char		*jr_focus;		/* comma list, as given */
	char		*jr_depth;
	struct job_strv	 jr_allowed;		/* allowed_paths | include_N */
	struct job_strv	 jr_disallowed;		/* disallowed_paths | exclude_N */
	char		*jr_test_command;
	struct job_strv	 jr_verify_cmds;
	char		*jr_command;		/* command | cmd_N joined " && " */
	struct job_strv	 jr_env;		/* "K=V": env | env_K */
	char		*jr_workdir;
	char		*jr_prompt;		/* TextGen */
	char		*jr_output;
	struct job_strv	 jr_relays;
	struct job_strv	 jr_index_types;	/* index_types | index_type_N */
	int64_t		 jr_time_limit_secs;	/* clamped */
	int64_t		 jr_memory_mb;
	double		 jr_cpu_limit;
	int64_t		 jr_max_cost_sats;	/* -1: absent */
	int64_t		 jr_bid_msats;		/* -1: absent; a hint only */
	char		*jr_idempotency_key;
};

void	 job_limits_default(struct job_limits *);

/*
 * Parse ev (already id- and signature-checked) into jr.  tags_json is
 * the decrypted content of an encrypted request ("[[\"i\",...],...]")
 * or NULL.  ourpk is our x-only key.  Returns 0, or -1 with the E-code
 * in *code (JE_INVALID, JE_UNSUPPORTED, JE_RESOURCE) and a message
 * naming the bad tag in err.  jr needs job_request_free() either way.
 */
int	 job_request_parse(const struct nostr_event *, const char *tags_json,
	    size_t tags_len, const uint8_t ourpk[32], const struct job_limits *,
	    struct job_request *, int *code, char *err, size_t errlen);
void	 job_request_free(struct job_request *);

/* Does the request carry ["encrypted"]?  Before parsing it. */
int	 job_request_is_encrypted(const struct nostr_event *);

const char	*job_error_code(int);	/* "E006", "" for JE_NONE */

#endif /* OA_JOB_REQUEST_H */
