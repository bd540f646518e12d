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
 * Drives a real openagents-walletd over its channel, the way openagentsd
 * does: the driver is its parent, so walletd accepts fd 3.  It unlocks an
 * identity.enc, then turns lines on stdin into requests:
 *
 *	sign JSON			a template; prints "ok EVENT"
 *	nip44-encrypt PEER HEXTEXT	prints "ok PAYLOAD"
 *	nip44-decrypt PEER PAYLOAD	prints "ok HEXTEXT"
 *	nip04-encrypt PEER HEXTEXT
 *	nip04-decrypt PEER PAYLOAD
 *	raw TYPE			a message walletd must not accept
 *	nwc-connect URI			seal URI under the passphrase and
 *					send it as wallet.enc
 *	nwc-connect-pass PASS URI	the same under another passphrase
 *	nwc-file PATH			send that file as wallet.enc, or
 *					no fd at all for "-"
 *	nwc-request nip44|nip04 JSON	prints "ok EVENT"
 *	nwc-open EVENT			prints "ok PLAINTEXT"
 *
 * and prints "err STATUS REASON" for a refusal.  A wallet.enc sent gets
 * "nwc-info 0 WALLET CLIENT LUD16|- RELAY..." or "nwc-info N REASON".
 * A URI after PASSFILE is sealed and sent before the unlock.  Tests
 * and the interop suite use it; walletd's own log goes to stderr.
 *
 * usage: walletd_drive [-S mode] WALLETD IDENTITY PASSFILE [URI]
 */

#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>

#include "drive.h"
#include "hex.h"
#include "imsg.h"
#include "keystore.h"
#include "msg.h"
#include "proc.h"

#define DRIVE_WAIT_MS	20000

static struct imsgbuf	 ibuf;
static pid_t		 child;
static char		 passphrase[WALLET_PASS_MAX + 2];

static void	drive_request(uint32_t, const char *, uint32_t,
		    const uint8_t *, size_t, int);

static void
drive_flush(void)
{
	if (imsgbuf_flush(&ibuf) == -1)
		err(1, "write to walletd");
}

/* The next message, or exit when walletd goes away. */
static void
drive_next(struct imsg *imsg)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 status;

	for (;;) {
		if ((n = imsg_get(&ibuf, imsg)) == -1)
			err(1, "imsg_get");
		if (n > 0)
			return;
		pfd.fd = ibuf.fd;
		pfd.events = POLLIN;
		if ((n = poll(&pfd, 1, DRIVE_WAIT_MS)) == -1 && errno != EINTR)
			err(1, "poll");
		if (n == 0)
			errx(1, "walletd did not answer within %d ms",
			    DRIVE_WAIT_MS);
		if ((n = imsgbuf_read(&ibuf)) == -1 && errno != EAGAIN)
			err(1, "read from walletd");
		if (n == 0) {
			if (waitpid(child, &status, 0) == -1)
				err(1, "waitpid");
			printf("gone %s %d\n", WIFSIGNALED(status) ?
			    "signal" : "exit", WIFSIGNALED(status) ?
			    WTERMSIG(status) : WEXITSTATUS(status));
			exit(0);
		}
	}
}

static void
drive_spawn(const char *walletd, const char *mode)
{
	child = drive_spawn_helper(walletd, PROC_WALLETD, mode, &ibuf);
}

/* wallet.enc as ctl would write it, in an unlinked file */
static int
drive_seal(const char *pass, const char *uri)
{
	FILE	*f;
	char	*json;
	size_t	 len;
	int	 fd;

	if (keystore_seal(pass, (const uint8_t *)uri, strlen(uri), NULL,
	    NULL, NULL, &json, &len) == -1)
		err(1, "keystore_seal");
	if ((f = tmpfile()) == NULL || fwrite(json, 1, len, f) != len ||
	    fflush(f) != 0)
		err(1, "tmpfile");
	free(json);
	if ((fd = dup(fileno(f))) == -1 || lseek(fd, 0, SEEK_SET) == -1)
		err(1, "dup");
	(void)fclose(f);
	return (fd);
}

static void
drive_nwc_info(void)
{
	struct msg_nwc_info	 mn;
	struct imsg		 imsg;
	char			 w[65], c[65];
	uint32_t		 i;

	drive_next(&imsg);
	if (imsg_get_type(&imsg) != IMSG_WALLET_NWC_INFO ||
	    imsg_get_data(&imsg, &mn, sizeof(mn)) == -1)
		errx(1, "walletd: no NWC info");
	imsg_free(&imsg);
	mn.mn_error[sizeof(mn.mn_error) - 1] = '\0';
	mn.mn_lud16[sizeof(mn.mn_lud16) - 1] = '\0';
	if (mn.mn_result != 0) {
		printf("nwc-info %d %s\n", mn.mn_result, mn.mn_error);
		(void)fflush(stdout);
		return;
	}
	hex_encode(mn.mn_wallet, 32, w);
	hex_encode(mn.mn_client, 32, c);
	printf("nwc-info 0 %s %s %s", w, c, mn.mn_lud16[0] != '\0' ?
	    mn.mn_lud16 : "-");
	for (i = 0; i < mn.mn_nrelays && i < NWC_RELAYS_MAX; i++)
		printf(" %.*s", (int)sizeof(mn.mn_relays[i]), mn.mn_relays[i]);
	printf("\n");
	(void)fflush(stdout);
}

/* send fd (or -1) as wallet.enc; answered now unless before the unlock */
static void
drive_nwc_send(int fd, int answered)
{
	if (imsg_compose(&ibuf, IMSG_WALLET_NWC_FILE, 0, 0, fd, NULL, 0) ==
	    -1)
		err(1, "compose");
	drive_flush();
	if (answered)
		drive_nwc_info();
}

static void
drive_nwc(const char *cmd, char *rest)
{
	char	*pass, *enc;
	int	 fd;

	if (rest == NULL) {
		printf("usage %s ARG\n", cmd);
		return;
	}
	if (strcmp(cmd, "nwc-connect") == 0)
		drive_nwc_send(drive_seal(passphrase, rest), 1);
	else if (strcmp(cmd, "nwc-connect-pass") == 0) {
		pass = strsep(&rest, " ");
		if (rest == NULL)
			printf("usage nwc-connect-pass PASS URI\n");
		else
			drive_nwc_send(drive_seal(pass, rest), 1);
	} else if (strcmp(cmd, "nwc-file") == 0) {
		if (strcmp(rest, "-") == 0)
			fd = -1;
		else if ((fd = open(rest, O_RDONLY)) == -1)
			err(1, "%s", rest);
		drive_nwc_send(fd, 1);
	} else if (strcmp(cmd, "nwc-request") == 0) {
		enc = strsep(&rest, " ");
		if (rest == NULL)
			printf("usage nwc-request nip44|nip04 JSON\n");
		else
			drive_request(WALLET_OP_NWC_REQUEST, NULL,
			    strcmp(enc, "nip44") == 0 ? NWC_ENC_NIP44 :
			    strcmp(enc, "nip04") == 0 ? NWC_ENC_NIP04 : 7,
			    (const uint8_t *)rest, strlen(rest), 0);
	} else
		drive_request(WALLET_OP_NWC_OPEN, NULL, 0,
		    (const uint8_t *)rest, strlen(rest), 0);
}

static void
drive_unlock(const char *identity, const char *passfile,
    const char *early_uri)
{
	struct msg_ready	 ready;
	struct msg_unlocked	 mu;
	struct imsg		 imsg;
	char			 hex[65];
	FILE			*f;
	int			 fd;

	drive_next(&imsg);
	if (imsg_get_type(&imsg) != IMSG_HELPER_READY ||
	    imsg_get_data(&imsg, &ready, sizeof(ready)) == -1)
		errx(1, "walletd: no ready message");
	imsg_free(&imsg);

	if ((f = fopen(passfile, "r")) == NULL)
		err(1, "%s", passfile);
	if (fgets(passphrase, sizeof(passphrase), f) == NULL)
		errx(1, "%s: empty", passfile);
	(void)fclose(f);
	passphrase[strcspn(passphrase, "\r\n")] = '\0';
	if (early_uri != NULL)
		drive_nwc_send(drive_seal(passphrase, early_uri), 0);
	if ((fd = open(identity, O_RDONLY)) == -1)
		err(1, "%s", identity);
	if (imsg_compose(&ibuf, IMSG_WALLET_UNLOCK, 0, 0, fd, passphrase,
	    strlen(passphrase)) == -1)
		err(1, "compose");
	drive_flush();

	drive_next(&imsg);
	if (imsg_get_type(&imsg) != IMSG_WALLET_UNLOCKED ||
	    imsg_get_data(&imsg, &mu, sizeof(mu)) == -1)
		errx(1, "walletd: no unlock answer");
	imsg_free(&imsg);
	mu.mu_error[sizeof(mu.mu_error) - 1] = '\0';
	if (mu.mu_result != WALLET_UNLOCK_OK) {
		printf("unlock-failed %d %s\n", mu.mu_result, mu.mu_error);
		exit(1);
	}
	hex_encode(mu.mu_pubkey, 32, hex);
	printf("unlocked %s\n", hex);
	(void)fflush(stdout);
	if (early_uri != NULL)
		drive_nwc_info();
}

static void
drive_request(uint32_t op, const char *peerhex, uint32_t flags,
    const uint8_t *data, size_t len, int hex_answer)
{
	struct msg_wallet_req	 wr;
	struct msg_wallet_res	 res;
	struct imsg		 imsg;
	struct ibuf		 ib;
	struct iovec		 iov[2];
	static uint64_t		 reqid;
	char			*out;
	size_t			 n;

	memset(&wr, 0, sizeof(wr));
	wr.wr_reqid = ++reqid;
	wr.wr_op = op;
	wr.wr_flags = flags;
	if (peerhex != NULL && hex_decode_any(peerhex, strlen(peerhex),
	    wr.wr_peer, sizeof(wr.wr_peer)) == -1) {
		printf("usage bad peer key\n");
		return;
	}
	iov[0].iov_base = &wr;
	iov[0].iov_len = sizeof(wr);
	iov[1].iov_base = (void *)(uintptr_t)data;
	iov[1].iov_len = len;
	if (imsg_composev(&ibuf, IMSG_WALLET_REQ, 0, 0, -1, iov, 2) == -1)
		err(1, "compose");
	drive_flush();

	drive_next(&imsg);
	if (imsg_get_type(&imsg) != IMSG_WALLET_RES ||
	    imsg_get_ibuf(&imsg, &ib) == -1 ||
	    ibuf_get(&ib, &res, sizeof(res)) == -1 ||
	    res.ws_reqid != wr.wr_reqid)
		errx(1, "walletd: bad answer");
	n = ibuf_size(&ib);
	if (res.ws_status != WALLET_OK)
		printf("err %d %.*s\n", res.ws_status, (int)n,
		    (const char *)ibuf_data(&ib));
	else if (hex_answer) {
		if ((out = malloc(2 * n + 1)) == NULL)
			err(1, NULL);
		hex_encode(ibuf_data(&ib), n, out);
		printf("ok %s\n", out);
		free(out);
	} else
		printf("ok %.*s\n", (int)n, (const char *)ibuf_data(&ib));
	imsg_free(&imsg);
	(void)fflush(stdout);
}

static void
drive_crypt(uint32_t op, char *args, int encrypt)
{
	char	*peer, *arg;
	uint8_t	*pt;
	size_t	 len;

	peer = strsep(&args, " ");
	arg = args;
	if (peer == NULL || arg == NULL) {
		printf("usage PEER ARG\n");
		return;
	}
	if (!encrypt) {
		drive_request(op, peer, 0, (const uint8_t *)arg,
		    strlen(arg), 1);
		return;
	}
	len = strlen(arg) / 2;
	if ((pt = malloc(len + 1)) == NULL)
		err(1, NULL);
	if (hex_decode_any(arg, strlen(arg), pt, len) == -1)
		printf("usage bad hex\n");
	else
		drive_request(op, peer, 0, pt, len, 0);
	free(pt);
}

int
main(int argc, char *argv[])
{
	struct imsg	 imsg;
	const char	*mode = "enforce";
	char		*line = NULL, *cmd, *rest;
	size_t		 cap = 0;
	ssize_t		 n;
	int		 ch;
	uint32_t	 type;

	if ((ch = drive_args(argc, argv, &mode)) == -1)
		goto usage;
	argc -= ch;
	argv += ch;
	if (argc != 3 && argc != 4)
		goto usage;

	drive_spawn(argv[0], mode);
	drive_unlock(argv[1], argv[2], argc == 4 ? argv[3] : NULL);

	while ((n = getline(&line, &cap, stdin)) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		rest = line;
		cmd = strsep(&rest, " ");
		if (strcmp(cmd, "sign") == 0 && rest != NULL)
			drive_request(WALLET_OP_SIGN, NULL, 0,
			    (const uint8_t *)rest, strlen(rest), 0);
		else if (strcmp(cmd, "nip44-encrypt") == 0)
			drive_crypt(WALLET_OP_NIP44_ENCRYPT, rest, 1);
		else if (strcmp(cmd, "nip44-decrypt") == 0)
			drive_crypt(WALLET_OP_NIP44_DECRYPT, rest, 0);
		else if (strcmp(cmd, "nip04-encrypt") == 0)
			drive_crypt(WALLET_OP_NIP04_ENCRYPT, rest, 1);
		else if (strcmp(cmd, "nip04-decrypt") == 0)
			drive_crypt(WALLET_OP_NIP04_DECRYPT, rest, 0);
		else if (strncmp(cmd, "nwc-", 4) == 0)
			drive_nwc(cmd, rest);
		else if (strcmp(cmd, "raw") == 0 && rest != NULL) {
			type = (uint32_t)strtoul(rest, NULL, 10);
			if (imsg_compose(&ibuf, type, 0, 0, -1, NULL, 0) == -1)
				err(1, "compose");
			drive_flush();
			printf("sent %u\n", type);
			(void)fflush(stdout);
			/* walletd must die on it: drive_next reports that */
			drive_next(&imsg);
			printf("answered %u\n", imsg_get_type(&imsg));
			imsg_free(&imsg);
		} else
			printf("usage unknown command '%s'\n", cmd);
		(void)fflush(stdout);
	}
	free(line);
	imsgbuf_clear(&ibuf);
	(void)close(ibuf.fd);
	if (waitpid(child, NULL, 0) == -1)
		err(1, "waitpid");
	return (0);
usage:
	fprintf(stderr, "usage: walletd_drive [-S mode] WALLETD IDENTITY "
	    "PASSFILE [URI]\n");
	return (2);
}
