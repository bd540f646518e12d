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
 * Drives a real openagents-verifyd, sandbox and all, over its channel
 * as openagentsd would.  One request a line on stdin:
 *
 *	patch JSON | review JSON | result JSON	prints "ok VERDICT"
 *	raw TYPE				a message verifyd must refuse
 *	short					a request without its header
 *
 * After "ready SANDBOX-MODE", every line gets one line back; when
 * verifyd dies the driver prints "gone exit N" or "gone signal N" and
 * exits 0, and at the end of the input "done exit N".
 *
 * usage: verifyd_drive [-S mode] VERIFYD
 */

#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drive.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"

#define VDRIVE_WAIT_MS	30000

static struct imsgbuf	 vd_ibuf;
static pid_t		 vd_pid;

static __dead void
vd_gone(const char *what)
{
	int	 status;

	if (waitpid(vd_pid, &status, 0) == -1)
		err(1, "waitpid");
	printf("%s %s %d\n", what, WIFSIGNALED(status) ? "signal" : "exit",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	exit(0);
}

/* Wait for one message; verifyd's death ends the driver. */
static void
vd_read(struct imsg *imsg)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 waited;

	for (waited = 0; waited < VDRIVE_WAIT_MS; waited += 100) {
		if ((n = imsg_get(&vd_ibuf, imsg)) == -1)
			err(1, "imsg_get");
		if (n > 0)
			return;
		pfd.fd = vd_ibuf.fd;
		pfd.events = POLLIN;
		if ((n = poll(&pfd, 1, 100)) == -1 && errno != EINTR)
			err(1, "poll");
		if (n <= 0)
			continue;
		if ((n = imsgbuf_read(&vd_ibuf)) == -1 && errno != EAGAIN)
			err(1, "read from verifyd");
		if (n == 0)
			vd_gone("gone");
	}
	errx(1, "verifyd said nothing for %d ms", VDRIVE_WAIT_MS);
}

static void
vd_send(uint32_t type, const void *a, size_t alen, const void *b,
    size_t blen)
{
	struct iovec	 iov[2];

	iov[0].iov_base = (void *)(uintptr_t)a;
	iov[0].iov_len = alen;
	iov[1].iov_base = (void *)(uintptr_t)b;
	iov[1].iov_len = blen;
	if (imsg_composev(&vd_ibuf, type, 0, 0, -1, iov, 2) == -1)
		err(1, "compose");
	if (imsgbuf_flush(&vd_ibuf) == -1) {
		if (errno == EPIPE)
			vd_gone("gone");
		err(1, "write to verifyd");
	}
}

static void
vd_request(uint32_t what, const char *json)
{
	static uint64_t		 reqid;
	struct msg_verify	 mv, res;
	struct imsg		 imsg;
	struct ibuf		 ib;

	memset(&mv, 0, sizeof(mv));
	mv.mv_reqid = ++reqid;
	mv.mv_what = what;
	vd_send(IMSG_VERIFY_REQ, &mv, sizeof(mv), json, strlen(json));
	vd_read(&imsg);
	if (imsg_get_type(&imsg) != IMSG_VERIFY_RES ||
	    imsg_get_ibuf(&imsg, &ib) == -1 ||
	    ibuf_get(&ib, &res, sizeof(res)) == -1)
		errx(1, "verifyd: not a verdict");
	if (res.mv_reqid != mv.mv_reqid || res.mv_what != what)
		errx(1, "verifyd: verdict for %llu/%u, not %llu/%u",
		    (unsigned long long)res.mv_reqid, res.mv_what,
		    (unsigned long long)mv.mv_reqid, what);
	printf("ok %.*s\n", (int)ibuf_size(&ib), (const char *)ibuf_data(&ib));
	imsg_free(&imsg);
}

int
main(int argc, char *argv[])
{
	static const struct {
		const char	*name;
		uint32_t	 what;
	} kinds[] = {
		{ "patch", VERIFY_PATCH },
		{ "review", VERIFY_REVIEW },
		{ "result", VERIFY_RESULT },
	};
	struct msg_ready	 ready;
	struct imsg		 imsg;
	const char		*mode = "enforce";
	char			*line = NULL, *cmd, *rest;
	size_t			 cap = 0, i;
	int			 ch, status;

	if ((ch = drive_args(argc, argv, &mode)) == -1)
		goto usage;
	argc -= ch;
	argv += ch;
	if (argc != 1)
		goto usage;

	vd_pid = drive_spawn_helper(argv[0], PROC_VERIFYD, mode, &vd_ibuf);
	vd_read(&imsg);
	if (imsg_get_type(&imsg) != IMSG_HELPER_READY ||
	    imsg_get_data(&imsg, &ready, sizeof(ready)) == -1 ||
	    ready.mr_role != PROC_VERIFYD)
		errx(1, "verifyd: no ready message");
	imsg_free(&imsg);
	printf("ready %u\n", ready.mr_sandbox);
	(void)fflush(stdout);

	while (getline(&line, &cap, stdin) != -1) {
		line[strcspn(line, "\n")] = '\0';
		rest = line;
		cmd = strsep(&rest, " ");
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strcmp(cmd, kinds[i].name) == 0)
				break;
		if (i < sizeof(kinds) / sizeof(kinds[0]) && rest != NULL)
			vd_request(kinds[i].what, rest);
		else if (strcmp(cmd, "raw") == 0 && rest != NULL) {
			vd_send((uint32_t)strtoul(rest, NULL, 10), NULL, 0,
			    NULL, 0);
			vd_read(&imsg);
			printf("answered %u\n", imsg_get_type(&imsg));
			imsg_free(&imsg);
		} else if (strcmp(cmd, "short") == 0) {
			vd_send(IMSG_VERIFY_REQ, "abc", 3, NULL, 0);
			vd_read(&imsg);
			printf("answered %u\n", imsg_get_type(&imsg));
			imsg_free(&imsg);
		} else
			printf("usage unknown command '%s'\n", cmd);
		(void)fflush(stdout);
	}
	free(line);
	imsgbuf_clear(&vd_ibuf);
	(void)close(vd_ibuf.fd);
	if (waitpid(vd_pid, &status, 0) == -1)
		err(1, "waitpid");
	printf("done %s %d\n", WIFSIGNALED(status) ? "signal" : "exit",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return (0);
usage:
	fprintf(stderr, "usage: verifyd_drive [-S mode] VERIFYD\n");
	return (2);
}
