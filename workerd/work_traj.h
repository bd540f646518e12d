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
/* Trajectories of jobs (work_traj.c). */

#ifndef OA_WORK_TRAJ_H
#define OA_WORK_TRAJ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "work_job.h"

const char	*traj_id(const struct work_job *, char *, size_t);
void		 traj_agent(struct work_job *, const char *, int64_t, int64_t);
void		 traj_convert(struct work_usage *, FILE *, char *, size_t);
void		 traj_command(struct work_job *, const char *, int64_t,
		    int64_t);

#endif /* OA_WORK_TRAJ_H */
