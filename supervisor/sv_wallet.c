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
 * The supervisor's side of walletd: it finds the passphrase before the
 * suite starts, hands it over with identity.enc once walletd is ready,
 * and wipes it.  From then on it knows the public key and nothing else.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <sodium.h>

#include "hex.h"
#include "log.h"
#include "msg.h"
#include "nip19.h"
#include "passphrase.h"
#include "supervisor.h"
#include "sv_pay.h"

/*
 * Before the suite starts: the identity must exist, and the passphrase
 * comes from a file, systemd's credentials or the terminal, which is
 * still ours here.  Errors are for the operator, with what to do.
 */
int
sv_identity_prepare(struct supervisor *s, const char *passfile, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		 perr[512], source[PATH_MAX + 64];

	if (stat(s->sv_paths.p_identity, &st) == -1) {
		if (errno == ENOENT)
			(void)snprintf(err, errlen, "no identity: %s does not "
			    "exist; run 'openagents provider init' first",
			    s->sv_paths.p_identity);
		else
			(void)snprintf(err, errlen, "%s: %s",
			    s->sv_paths.p_identity, strerror(errno));
		return (-1);
	}
	if (!S_ISREG(st.st_mode)) {
		(void)snprintf(err, errlen, "%s: not a regular file",
		    s->sv_paths.p_identity);
		return (-1);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		log_warnx("%s is readable by others; it should be mode 0600",
		    s->sv_paths.p_identity);

	if (sodium_init() == -1)
		fatalx("%s: sodium_init", __func__);
	if ((s->sv_pass = sodium_malloc(PASSPHRASE_SIZE)) == NULL)
		fatal("%s: sodium_malloc", __func__);
	if (passphrase_get(passfile, 0, "Passphrase for identity.enc: ",
	    s->sv_pass, PASSPHRASE_SIZE, source, sizeof(source), perr,
	    sizeof(perr)) == -1) {
		sodium_free(s->sv_pass);
		s->sv_pass = NULL;
		(void)strlcpy(err, perr, errlen);
		return (-1);
	}
	log_debug("passphrase from %s", source);
	return (0);
}

/* walletd is up: give it the file and the passphrase, then forget it */
void
sv_wallet_unlock(struct supervisor *s)
{
	struct helper	*h = &s->sv_helpers[PROC_WALLETD];
	size_t		 len;
	int		 fd;

	if (s->sv_pass == NULL) {
		/* a restarted walletd: never, its death ends the suite */
		fatalx("%s: no passphrase to hand over", __func__);
	}
	if ((fd = open(s->sv_paths.p_identity, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1) {
		log_warn("%s", s->sv_paths.p_identity);
		sv_wallet_forget(s);
		supervisor_startup_failed(s, "cannot open identity.enc");
		return;
	}
	len = strlen(s->sv_pass);
	if (imsgev_compose(&h->h_iev, IMSG_WALLET_UNLOCK, 0, 0, fd,
	    s->sv_pass, len) == -1)
		fatal("%s: compose", __func__);
	/* written now, so that the only copy left is in walletd */
	if (imsgbuf_flush(&h->h_iev.ibuf) == -1)
		log_warn("%s: flush to walletd", __func__);
	sv_wallet_forget(s);
}

void
sv_wallet_forget(struct supervisor *s)
{
	if (s->sv_pass != NULL) {
		sodium_free(s->sv_pass);	/* wipes */
		s->sv_pass = NULL;
	}
}

static void
sv_wallet_unlocked(struct supervisor *s, struct imsg *imsg)
{
	struct msg_unlocked	 mu;
	char			 npub[128], msg[OA_PATH_MAX + 256];

	if (s->sv_unlocked || imsg_get_data(imsg, &mu, sizeof(mu)) == -1) {
		helper_violation(s, &s->sv_helpers[PROC_WALLETD],
		    "bad unlock answer");
		return;
	}
	mu.mu_error[sizeof(mu.mu_error) - 1] = '\0';
	if (mu.mu_result != WALLET_UNLOCK_OK) {
		if (mu.mu_result == WALLET_UNLOCK_BADPASS)
			(void)snprintf(msg, sizeof(msg), "%s: wrong "
			    "passphrase", s->sv_paths.p_identity);
		else
			(void)snprintf(msg, sizeof(msg), "%s: %s",
			    s->sv_paths.p_identity, mu.mu_error);
		supervisor_startup_failed(s, msg);
		return;
	}
	if (nip19_encode_npub(mu.mu_pubkey, npub, sizeof(npub)) == -1)
		fatalx("%s: npub encoding", __func__);
	if (s->sv_conf.c_pubkey[0] != '\0' &&
	    strcmp(s->sv_conf.c_pubkey, npub) != 0) {
		(void)snprintf(msg, sizeof(msg), "identity.enc holds %s but "
		    "config.toml [identity] pubkey is %s", npub,
		    s->sv_conf.c_pubkey);
		supervisor_startup_failed(s, msg);
		return;
	}
	memcpy(s->sv_pubkey, mu.mu_pubkey, sizeof(s->sv_pubkey));
	(void)strlcpy(s->sv_npub, npub, sizeof(s->sv_npub));
	s->sv_unlocked = 1;
	log_info("identity %s unlocked", npub);
	jobs_resume(s);
	sv_relay_sync(s, 0);
	sv_nwc_load(s);
	supervisor_check_online(s);
}

/*
 * Answers to the suite's requests.  Nothing asks yet (the job pipeline
 * does, in a later issue); an answer to no question is a violation.
 */
static void
sv_wallet_answer(struct supervisor *s, struct imsg *imsg)
{
	struct msg_wallet_res	 res;
	struct ibuf		 ib;

	if (imsg_get_ibuf(imsg, &ib) == -1 ||
	    ibuf_get(&ib, &res, sizeof(res)) == -1 ||
	    sv_wallet_complete(s, &res, ibuf_data(&ib), ibuf_size(&ib)) == -1)
		helper_violation(s, &s->sv_helpers[PROC_WALLETD],
		    "unexpected wallet answer");
}

int
sv_wallet_dispatch(struct supervisor *s, struct imsg *imsg)
{
	switch (imsg_get_type(imsg)) {
	case IMSG_WALLET_UNLOCKED:
		sv_wallet_unlocked(s, imsg);
		return (0);
	case IMSG_WALLET_RES:
		sv_wallet_answer(s, imsg);
		return (0);
	case IMSG_WALLET_NWC_INFO:
		sv_nwc_info(s, imsg);
		return (0);
	default:
		return (-1);
	}
}

/*
 * A request to walletd; cb runs with the answer.  Requests are answered
 * in order and walletd's death ends the suite, so no timeout is needed.
 */
int
sv_wallet_request(struct supervisor *s, uint32_t op, const uint8_t *peer,
    const void *data, size_t len, sv_wallet_cb cb, void *arg)
{
	return (sv_wallet_requestf(s, op, 0, peer, data, len, cb, arg));
}

int
sv_wallet_requestf(struct supervisor *s, uint32_t op, uint32_t flags,
    const uint8_t *peer, const void *data, size_t len, sv_wallet_cb cb,
    void *arg)
{
	struct helper		*h = &s->sv_helpers[PROC_WALLETD];
	struct wallet_pending	*p;
	struct msg_wallet_req	 wr;
	struct iovec		 iov[2];

	if (!s->sv_unlocked || !h->h_iev_open) {
		errno = EAGAIN;
		return (-1);
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (-1);
	memset(&wr, 0, sizeof(wr));
	wr.wr_reqid = ++s->sv_wallet_reqid;
	wr.wr_op = op;
	wr.wr_flags = flags;
	if (peer != NULL)
		memcpy(wr.wr_peer, peer, sizeof(wr.wr_peer));
	iov[0].iov_base = &wr;
	iov[0].iov_len = sizeof(wr);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	if (imsgev_composev(&h->h_iev, IMSG_WALLET_REQ, 0, 0, -1, iov,
	    len > 0 ? 2 : 1) == -1) {
		free(p);
		return (-1);
	}
	p->wp_reqid = wr.wr_reqid;
	p->wp_op = op;
	p->wp_cb = cb;
	p->wp_arg = arg;
	TAILQ_INSERT_TAIL(&s->sv_wallet_pending, p, wp_entry);
	/*
	 * Out now rather than when the loop comes round: walletd signs
	 * while the caller goes on with its own work (the ledger, the
	 * job's folder), and the feedback leaves sooner.  What does not
	 * fit waits for the loop; an error is the loop's to find.
	 */
	(void)imsgbuf_write(&h->h_iev.ibuf);
	return (0);
}

int
sv_wallet_complete(struct supervisor *s, const struct msg_wallet_res *res,
    const void *data, size_t len)
{
	struct wallet_pending	*p;

	TAILQ_FOREACH(p, &s->sv_wallet_pending, wp_entry)
		if (p->wp_reqid == res->ws_reqid)
			break;
	if (p == NULL || p->wp_op != res->ws_op)
		return (-1);
	TAILQ_REMOVE(&s->sv_wallet_pending, p, wp_entry);
	p->wp_cb(p->wp_arg, res->ws_status, data, len);
	free(p);
	return (0);
}
