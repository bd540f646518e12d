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

#ifndef OA_PROC_CHILD_H
#define OA_PROC_CHILD_H

#include "proc.h"

struct imsg;

/*
 * A helper role: its id and its hooks.  pc_init runs before the
 * sandbox (open what the role needs there); pc_dispatch handles the
 * role's own messages and returns -1 for a type it does not know,
 * which is fatal: the protocol is closed.
 */
struct proc_child {
	enum proc_id		 pc_id;
	void			(*pc_init)(struct proc_child *);
	int			(*pc_dispatch)(struct proc_child *,
				    struct imsg *);
	void			(*pc_shutdown)(struct proc_child *);
	struct event_base	*pc_base;
	struct imsgev		 pc_parent;
	void			*pc_arg;
	const char		*pc_jobs_dir;	/* -J, or NULL; before pc_init */
};

int	proc_child_main(int, char *[], struct proc_child *);
int	proc_child_compose(struct proc_child *, uint32_t, int,
	    const void *, size_t);

#endif /* OA_PROC_CHILD_H */
