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
 * Each helper confines itself before it serves: capabilities dropped,
 * Landlock filesystem rules, no_new_privs, then a seccomp allow-list.
 * The tables live in sandbox_policy.c, one per role.
 */

#ifndef OA_SANDBOX_H
#define OA_SANDBOX_H

#include "proc.h"

enum sandbox_mode {
	SANDBOX_OFF,		/* built with -Dsandbox=false only */
	SANDBOX_ENFORCE,	/* forbidden syscall: the process is killed */
	SANDBOX_LOG		/* forbidden syscall: logged, fails ENOSYS */
};

struct sandbox_paths {
	const char	*sp_jobs_dir;	/* workerd: read-write, may be NULL */
};

/*
 * Enter the sandbox of a role.  Everything the role needs (channel fd,
 * log socket, files) must be open before the call.  Returns 0, or -1
 * with errno set when a step could not be applied; callers treat that
 * as fatal.
 */
int		 sandbox_enter(enum proc_id, enum sandbox_mode,
		    const struct sandbox_paths *);

/* For status and tests: is seccomp available and what is enforced. */
int		 sandbox_landlock_abi(void);
const char	*sandbox_mode_name(enum sandbox_mode);

#endif /* OA_SANDBOX_H */
