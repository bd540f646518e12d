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
 * A work order from the supervisor (work.h), parsed and checked.  The
 * supervisor is an internal peer, so a malformed order is a protocol
 * violation; what the buyer chose (a URL scheme, an env name, a
 * workdir) is checked later and refused with an E-code instead.
 */

#ifndef OA_WORK_ORDER_H
#define OA_WORK_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "msg.h"

enum work_type {
	WORK_PATCHGEN,
	WORK_REVIEW,
	WORK_SANDBOXRUN
};

enum work_backend {
	WORK_AGENT_COMMAND,
	WORK_AGENT_CODEX,
	WORK_AGENT_CLAUDE
};

struct work_strv {
	char		**sv_v;		/* NULL-terminated */
	size_t		  sv_n;
};

struct work_order {
	char			 wo_job[WORK_JOBID_LEN];
	enum work_type		 wo_type;
	enum work_phase		 wo_phase;
	char			*wo_repo_url;		/* NULL: none */
	char			*wo_repo_ref;		/* never NULL */
	char			*wo_subdir;		/* never NULL */
	char			*wo_issue;
	char			*wo_diff;
	char			*wo_focus;
	char			*wo_depth;
	struct work_strv	 wo_allowed;
	struct work_strv	 wo_disallowed;
	char			*wo_test_command;	/* NULL: none */
	struct work_strv	 wo_verifications;
	char			*wo_command;
	struct work_strv	 wo_env;
	char			*wo_workdir;		/* never NULL */
	int64_t			 wo_time_limit_secs;
	int64_t			 wo_memory_mb;
	int64_t			 wo_pids;
	int64_t			 wo_disk_mb;
	double			 wo_cpu_limit;
	enum isolation_mode	 wo_isolation;
	enum work_backend	 wo_backend;
	char			*wo_agent_command;
	char			*wo_model;
	struct work_strv	 wo_local_repos;
	int64_t			 wo_repo_max_bytes;
	char			*wo_proxy_socket;	/* "" : none */
	char			*wo_patch_file;
};

int		 work_order_parse(const char *, size_t, enum work_phase,
		    struct work_order *, char *, size_t);
void		 work_order_free(struct work_order *);
const char	*work_type_name(enum work_type);
const char	*work_phase_name(enum work_phase);

#endif /* OA_WORK_ORDER_H */
