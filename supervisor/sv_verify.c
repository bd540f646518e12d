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
 * The supervisor's side of verifyd: a JSON document in, a verdict out
 * (verifyd/verify.h), matched by request id.  verifyd holds no state,
 * so after its restart the jobs that waited simply ask again.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "jobs.h"
#include "log.h"
#include "msg.h"
#include "supervisor.h"
#include "verify.h"

static struct helper *
sv_verifyd(struct supervisor *s)
{
	struct helper	*h = &s->sv_helpers[PROC_VERIFYD];

	return (h->h_ready && h->h_iev_open ? h : NULL);
}

/* 0 sent, 1 verifyd is not there (asked again when it is), -1 error. */
int
sv_verify_request(struct supervisor *s, struct job *j, int what,
    const char *json, size_t len)
{
	struct helper		*h;
	struct msg_verify	 mv;
	struct iovec		 iov[2];

	if (len > VERIFY_IN_MAX)
		return (-1);
	j->j_wait = JW_VERIFY;
	j->j_verify_what = what;
	j->j_reqid = ++s->sv_verify_reqid;
	if ((h = sv_verifyd(s)) == NULL)
		return (1);
	memset(&mv, 0, sizeof(mv));
	mv.mv_reqid = j->j_reqid;
	mv.mv_what = (uint32_t)what;
	iov[0].iov_base = &mv;
	iov[0].iov_len = sizeof(mv);
	iov[1].iov_base = (void *)(uintptr_t)json;
	iov[1].iov_len = len;
	if (imsgev_composev(&h->h_iev, IMSG_VERIFY_REQ, 0, 0, -1, iov,
	    2) == -1)
		fatal("%s: compose", __func__);
	return (0);
}

int
sv_verify_dispatch(struct supervisor *s, struct imsg *imsg)
{
	struct helper		*h = &s->sv_helpers[PROC_VERIFYD];
	struct msg_verify	 mv;
	struct ibuf		 ib;

	if (imsg_get_type(imsg) != IMSG_VERIFY_RES)
		return (-1);
	if (imsg_get_ibuf(imsg, &ib) == -1 ||
	    ibuf_get(&ib, &mv, sizeof(mv)) == -1) {
		helper_violation(s, h, "bad verdict message");
		return (0);
	}
	jobs_verified(s, mv.mv_reqid, (int)mv.mv_what, ibuf_data(&ib),
	    ibuf_size(&ib));
	return (0);
}
