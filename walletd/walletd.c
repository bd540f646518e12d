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
 * openagents-walletd: the only holder of secrets: the identity, the Nostr
 * key and the wallet connection.  It signs under a kind policy and
 * nothing else.
 *
 * Started only by openagentsd, with its channel on fd 3.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "proc_child.h"
#include "secp.h"
#include "walletd.h"

static void	walletd_init(struct proc_child *);
static int	walletd_dispatch(struct proc_child *, struct imsg *);
static void	walletd_nwc_info(struct proc_child *,
		    const struct msg_nwc_info *);

static struct proc_child	walletd = {
	.pc_id = PROC_WALLETD,
	.pc_init = walletd_init,
	.pc_dispatch = walletd_dispatch,
};

/*
 * OpenSSL sets up its default provider and fetches algorithms on first
 * use; do that use now, before the sandbox.  walletd needs no system
 * configuration (that is TLS policy), so none is read.
 */
static void
walletd_warmup(void)
{
	EVP_CIPHER_CTX	*c;
	unsigned char	 key[32] = { 0 }, iv[16] = { 0 }, out[64];

	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL))
		fatalx("%s: OPENSSL_init_crypto", __func__);
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    !EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) ||
	    !EVP_CIPHER_CTX_reset(c) ||
	    !EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, key, iv))
		fatalx("%s: AES", __func__);
	EVP_CIPHER_CTX_free(c);
	if (!PKCS5_PBKDF2_HMAC("x", 1, (const unsigned char *)"y", 1, 1,
	    EVP_sha512(), sizeof(out), out))
		fatalx("%s: PBKDF2", __func__);
}

static void
walletd_init(struct proc_child *pc)
{
	(void)pc;
	wallet_keys_init();
	wallet_nwc_init();
	walletd_warmup();
	(void)secp_ctx();
}

static void
walletd_unlock(struct proc_child *pc, struct imsg *imsg)
{
	struct msg_unlocked	 mu;
	struct msg_nwc_info	 mn;
	struct ibuf		 ib;
	char			*pass;
	size_t			 len;
	int			 fd, keep;

	fd = imsg_get_fd(imsg);
	len = imsg_get_len(imsg);
	if (fd == -1 || len == 0 || len > WALLET_PASS_MAX ||
	    imsg_get_ibuf(imsg, &ib) == -1)
		fatalx("%s: bad unlock message", __func__);
	if ((pass = sodium_malloc(len)) == NULL)
		fatal("%s: sodium_malloc", __func__);
	if (ibuf_get(&ib, pass, len) == -1)
		fatalx("%s: short unlock message", __func__);

	/* wallet.enc is sealed under the same passphrase, and comes later */
	if ((keep = wallet_keys_get() == NULL))
		wallet_nwc_keep_pass(pass, len);
	memset(&mu, 0, sizeof(mu));
	mu.mu_result = wallet_keys_unlock(fd, pass, len, mu.mu_pubkey,
	    mu.mu_error, sizeof(mu.mu_error));
	sodium_free(pass);
	if (mu.mu_result == WALLET_UNLOCK_OK)
		log_debug("identity unlocked");
	else {
		if (keep)
			wallet_nwc_forget_pass();
		log_warnx("cannot unlock the identity: %s", mu.mu_error);
	}
	if (proc_child_compose(pc, IMSG_WALLET_UNLOCKED, -1, &mu,
	    sizeof(mu)) == -1)
		fatal("%s: compose", __func__);
	if (mu.mu_result == WALLET_UNLOCK_OK && wallet_nwc_unlocked(&mn))
		walletd_nwc_info(pc, &mn);
}

static void
walletd_nwc_info(struct proc_child *pc, const struct msg_nwc_info *mn)
{
	if (proc_child_compose(pc, IMSG_WALLET_NWC_INFO, -1, mn,
	    sizeof(*mn)) == -1)
		fatal("%s: compose", __func__);
}

/* wallet.enc, or no fd when there is none: the answer may wait */
static void
walletd_nwc_file(struct proc_child *pc, struct imsg *imsg)
{
	struct msg_nwc_info	 mn;

	if (imsg_get_len(imsg) != 0)
		fatalx("%s: unexpected data", __func__);
	if (wallet_nwc_file(imsg_get_fd(imsg), &mn))
		walletd_nwc_info(pc, &mn);
}

static void
walletd_answer(struct proc_child *pc, const struct msg_wallet_req *wr,
    int status, const char *data, size_t len)
{
	struct msg_wallet_res	 res;
	struct iovec		 iov[2];
	const char		*toobig = "answer too large for the channel";

	memset(&res, 0, sizeof(res));
	res.ws_reqid = wr->wr_reqid;
	res.ws_op = wr->wr_op;
	res.ws_status = status;
	if (sizeof(res) + len + IMSG_HEADER_SIZE > proc_maxmsg(PROC_WALLETD)) {
		res.ws_status = WALLET_FAILED;
		data = toobig;
		len = strlen(toobig);
	}
	iov[0].iov_base = &res;
	iov[0].iov_len = sizeof(res);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	if (imsgev_composev(&pc->pc_parent, IMSG_WALLET_RES, 0, 0, -1, iov,
	    len > 0 ? 2 : 1) == -1)
		fatal("%s: compose", __func__);
}

static void
walletd_request(struct proc_child *pc, struct imsg *imsg)
{
	struct msg_wallet_req	 wr;
	struct ibuf		 ib;
	char			 err[256], *in = NULL, *out = NULL;
	size_t			 len, outlen = 0;
	int			 status;

	if (imsg_get_ibuf(imsg, &ib) == -1 || ibuf_get(&ib, &wr,
	    sizeof(wr)) == -1)
		fatalx("%s: short wallet request", __func__);
	len = ibuf_size(&ib);
	if ((in = malloc(len + 1)) == NULL)
		fatal("%s", __func__);
	if (ibuf_get(&ib, in, len) == -1)
		fatalx("%s: short wallet request", __func__);
	in[len] = '\0';

	err[0] = '\0';
	if (wr.wr_op == WALLET_OP_SIGN)
		status = wallet_op_sign(in, len, &out, &outlen, err,
		    sizeof(err));
	else if (wr.wr_op == WALLET_OP_NWC_REQUEST)
		status = wallet_nwc_request(wr.wr_flags, in, len, &out,
		    &outlen, err, sizeof(err));
	else if (wr.wr_op == WALLET_OP_NWC_OPEN)
		status = wallet_nwc_open(in, len, &out, &outlen, err,
		    sizeof(err));
	else if (wr.wr_op == WALLET_OP_BOLT11_CHECK)
		status = wallet_op_bolt11(in, len, &out, &outlen, err,
		    sizeof(err));
	else
		status = wallet_op_crypt(wr.wr_op, wr.wr_peer, in, len, &out,
		    &outlen, err, sizeof(err));
	freezero(in, len + 1);
	if (status == WALLET_OK)
		walletd_answer(pc, &wr, status, out, outlen);
	else
		walletd_answer(pc, &wr, status, err, strlen(err));
	if (out != NULL)
		freezero(out, outlen);
}

static int
walletd_dispatch(struct proc_child *pc, struct imsg *imsg)
{
	switch (imsg_get_type(imsg)) {
	case IMSG_WALLET_UNLOCK:
		walletd_unlock(pc, imsg);
		return (0);
	case IMSG_WALLET_REQ:
		walletd_request(pc, imsg);
		return (0);
	case IMSG_WALLET_NWC_FILE:
		walletd_nwc_file(pc, imsg);
		return (0);
	default:
		return (-1);
	}
}

int
main(int argc, char *argv[])
{
	return (proc_child_main(argc, argv, &walletd));
}
