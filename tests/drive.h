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

#ifndef OA_DRIVE_H
#define OA_DRIVE_H

#include <sys/types.h>

#include "imsg.h"
#include "proc.h"

/*
 * Start a helper the way openagentsd does, with this process as its
 * parent and the channel on fd 3, so that the test drivers talk to the
 * real program.  ibuf is set up with the role's size limit and fd
 * passing where the role has it.  Returns the child's pid.
 */
pid_t	drive_spawn_helper(const char *, enum proc_id, const char *,
	    struct imsgbuf *);
/* The same with a jobs folder (-J), as openagentsd starts workerd. */
pid_t	drive_spawn_helper_jobs(const char *, enum proc_id, const char *,
	    const char *, struct imsgbuf *);

/*
 * The drivers' one option, -S enforce|log|off (the helper's sandbox
 * mode): parses argv, sets *mode when given, and returns the index of
 * the first operand, or -1 for a usage error.
 */
int	drive_args(int, char *[], const char **);

#endif /* OA_DRIVE_H */
