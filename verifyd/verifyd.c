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
 * openagents-verifyd: pure judgement over the agents' output: patch
 * parsing, path rules, hashes and verdicts.  No files, no network, no
 * exec.  The judging is libverify (verify.h); this is the channel.
 *
 * Started only by openagentsd, with its channel on fd 3.
 */

#include <sys/types.h>
#include <sys/uio.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "proc_child.h"
#include "verify.h"

static void	verifyd_init(struct proc_child *);
static int	verifyd_dispatch(struct proc_child *, struct imsg *);

static struct proc_child	verifyd = {
	.pc_id = PROC_VERIFYD,
	.pc_init = verifyd_init,
	.pc_dispatch = verifyd_dispatch,
};

/* Before the sandbox: libsodium probes getrandom, which it forbids. */
static void
verifyd_init(struct proc_child *pc)
{
	(void)pc;
	if (sodium_init() == -1)
		fatalx("sodium_init");
}

static void
verifyd_request(struct proc_child *pc, struct imsg *imsg)
{
	struct msg_verify	 mv;
	struct ibuf		 rest;
	struct iovec		 iov[2];
	char			*out, err[256];
	size_t			 outlen;

	if (imsg_get_ibuf(imsg, &rest) == -1 ||
	    ibuf_get(&rest, &mv, sizeof(mv)) == -1)
		fatalx("bad verify request");
	if (ibuf_size(&rest) > VERIFY_IN_MAX)
		fatalx("verify request %llu: %zu bytes",
		    (unsigned long long)mv.mv_reqid, ibuf_size(&rest));
	if (verify_request(mv.mv_what, ibuf_data(&rest), ibuf_size(&rest),
	    &out, &outlen, err, sizeof(err)) == -1)
		fatalx("verify request %llu (%u): %s",
		    (unsigned long long)mv.mv_reqid, mv.mv_what, err);
	if (outlen > VERIFY_OUT_MAX)
		fatalx("verify request %llu: verdict of %zu bytes",
		    (unsigned long long)mv.mv_reqid, outlen);
	log_debug("verify %llu (%u): %zu bytes in, %zu out",
	    (unsigned long long)mv.mv_reqid, mv.mv_what, ibuf_size(&rest),
	    outlen);
	mv.mv_pad = 0;
	iov[0].iov_base = &mv;
	iov[0].iov_len = sizeof(mv);
	iov[1].iov_base = out;
	iov[1].iov_len = outlen;
	if (imsgev_composev(&pc->pc_parent, IMSG_VERIFY_RES, 0, 0, -1, iov,
	    2) == -1)
		fatal("compose verdict");
	free(out);
}

static int
verifyd_dispatch(struct proc_child *pc, struct imsg *imsg)
{
	switch (imsg_get_type(imsg)) {
	case IMSG_VERIFY_REQ:
		verifyd_request(pc, imsg);
		return (0);
	default:
		return (-1);
	}
}

int
main(int argc, char *argv[])
{
	return (proc_child_main(argc, argv, &verifyd));
}
