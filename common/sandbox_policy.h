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
 * Private to sandbox.c and sandbox_policy.c: what each role may do.
 * sandbox_policy.c holds the decisions (tables, one per role);
 * sandbox.c holds the mechanism that applies them.
 */

#ifndef OA_SANDBOX_POLICY_H
#define OA_SANDBOX_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "proc.h"

/* pol_flags */
#define SBP_NODUMP		0x01	/* PR_SET_DUMPABLE 0: holds secrets */
#define SBP_NOPROC		0x02	/* RLIMIT_NPROC 0: never forks */
#define SBP_LANDLOCK_REQUIRED	0x04	/* no Landlock is fatal (enforce) */
#define SBP_NOTCP		0x08	/* Landlock: no TCP bind/connect */
#define SBP_JOBSDIR		0x10	/* Landlock: read-write jobs dir */

/* What happens to a call that matches a rule. */
enum sb_action {
	SB_ALLOW,
	SB_EACCES		/* fail softly: libc probes files */
};

/* How an argument is compared; SB_ANY ends the list. */
enum sb_cmp {
	SB_ANY = 0,
	SB_EQ,			/* arg == val */
	SB_MASKEQ,		/* (arg & mask) == val */
	SB_SELF			/* arg == our pid, known only at run time */
};

struct sb_arg {
	unsigned int	 a_index;
	enum sb_cmp	 a_cmp;
	uint64_t	 a_mask;
	uint64_t	 a_val;
};

/*
 * One line of an allow-list.  Several lines for one syscall are or-ed
 * (fcntl with each allowed command); the comparisons in one line are
 * and-ed.  ss_nr is a libseccomp number (SCMP_SYS), so a syscall the
 * architecture lacks is a negative pseudo number that libseccomp skips.
 */
struct sb_syscall {
	int		 ss_nr;
	enum sb_action	 ss_action;
	struct sb_arg	 ss_args[2];
};

struct sb_table {
	const struct sb_syscall	*t_rules;
	size_t			 t_nrules;
};

#define SB_MAXTABLES	4

struct sandbox_policy {
	const char		*pol_name;
	int			 pol_flags;
	struct sb_table		 pol_tables[SB_MAXTABLES];
};

const struct sandbox_policy	*sandbox_policy_get(enum proc_id);

#endif /* OA_SANDBOX_POLICY_H */
