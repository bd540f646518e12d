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
 *
 * and prints "err STATUS REASON" for a refusal.  Tests and the interop
 * suite use it; walletd's own log goes to stderr.
 *
 * usage: walletd_drive [-S mode] WALLETD IDENTITY PASSFILE
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
#include "msg.h"
#include "proc.h"

#define DRIVE_WAIT_MS	20000

static struct imsgbuf	 ibuf;
static pid_t		 child;

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

static void
drive_unlock(const char *identity, const char *passfile)
{
	struct msg_ready	 ready;
	struct msg_unlocked	 mu;
	struct imsg		 imsg;
	char			 pass[WALLET_PASS_MAX + 2], hex[65];
	FILE			*f;
	int			 fd;

	drive_next(&imsg);
	if (imsg_get_type(&imsg) != IMSG_HELPER_READY ||
	    imsg_get_data(&imsg, &ready, sizeof(ready)) == -1)
		errx(1, "walletd: no ready message");
	imsg_free(&imsg);

	if ((f = fopen(passfile, "r")) == NULL)
		err(1, "%s", passfile);
	if (fgets(pass, sizeof(pass), f) == NULL)
		errx(1, "%s: empty", passfile);
	(void)fclose(f);
	pass[strcspn(pass, "\r\n")] = '\0';
	if ((fd = open(identity, O_RDONLY)) == -1)
		err(1, "%s", identity);
	if (imsg_compose(&ibuf, IMSG_WALLET_UNLOCK, 0, 0, fd, pass,
	    strlen(pass)) == -1)
		err(1, "compose");
	explicit_bzero(pass, sizeof(pass));
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
}

static void
drive_request(uint32_t op, const char *peerhex, const uint8_t *data,
    size_t len, int hex_answer)
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
		drive_request(op, peer, (const uint8_t *)arg, strlen(arg), 1);
		return;
	}
	len = strlen(arg) / 2;
	if ((pt = malloc(len + 1)) == NULL)
		err(1, NULL);
	if (hex_decode_any(arg, strlen(arg), pt, len) == -1)
		printf("usage bad hex\n");
	else
		drive_request(op, peer, pt, len, 0);
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
	if (argc != 3)
		goto usage;

	drive_spawn(argv[0], mode);
	drive_unlock(argv[1], argv[2]);

	while ((n = getline(&line, &cap, stdin)) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		rest = line;
		cmd = strsep(&rest, " ");
		if (strcmp(cmd, "sign") == 0 && rest != NULL)
			drive_request(WALLET_OP_SIGN, NULL,
			    (const uint8_t *)rest, strlen(rest), 0);
		else if (strcmp(cmd, "nip44-encrypt") == 0)
			drive_crypt(WALLET_OP_NIP44_ENCRYPT, rest, 1);
		else if (strcmp(cmd, "nip44-decrypt") == 0)
			drive_crypt(WALLET_OP_NIP44_DECRYPT, rest, 0);
		else if (strcmp(cmd, "nip04-encrypt") == 0)
			drive_crypt(WALLET_OP_NIP04_ENCRYPT, rest, 1);
		else if (strcmp(cmd, "nip04-decrypt") == 0)
			drive_crypt(WALLET_OP_NIP04_DECRYPT, rest, 0);
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
	    "PASSFILE\n");
	return (2);
}
