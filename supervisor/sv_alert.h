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

#ifndef OA_SV_ALERT_H
#define OA_SV_ALERT_H

#include <sys/types.h>

struct supervisor;

/*
 * sv_alert.c.  kind is one of success_rate, dispute, worker_crash,
 * capacity, wallet; the job id or NULL.
 */
void	sv_alert(struct supervisor *, const char *, const char *,
	    const char *, ...)
	    __attribute__((__format__ (printf, 4, 5)));
void	sv_alert_job_done(struct supervisor *);
void	sv_alert_relayd_ready(struct supervisor *);
void	sv_alert_reaped(pid_t, int);
void	sv_alert_free(void);

#endif /* OA_SV_ALERT_H */
