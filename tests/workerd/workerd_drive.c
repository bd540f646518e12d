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
 * Drives a real openagents-workerd over its channel, the way openagentsd
 * does (it is the parent, with the channel on fd 3, and -J JOBS).  Lines
 * on stdin:
 *
 *	start JOB PHASE FILE	an IMSG_WORK_START with the order in FILE
 *	cancel JOB PHASE	an IMSG_WORK_CANCEL
 *	wait N			until N answers in all have come
 *	sleep MS		read what comes for MS milliseconds
 *
 * Each message of workerd is printed as "progress JOB PHASE JSON" or
 * "done JOB PHASE JSON".  At the end of the input workerd is shut down
 * and its exit printed as "exit STATUS".
 *
 * usage: workerd_drive [-S mode] WORKERD JOBS
 */

#include <sys/uio.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "drive.h"
#include "imsg.h"
#include "msg.h"
#include "proc.h"

#define DRIVE_WAIT_MS	(180 * 1000)

static struct imsgbuf	 ibuf;
static pid_t		 child;
static int		 ndone;
static int		 closing;

static int64_t
drive_now(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static const char *
drive_phase(uint32_t p)
{
	switch (p) {
	case WORK_PHASE_AGENT:
		return ("agent");
	case WORK_PHASE_TEST:
		return ("test");
	case WORK_PHASE_RUN:
		return ("run");
	}
	return ("?");
}

static int
drive_phase_lookup(const char *s)
{
	if (strcmp(s, "agent") == 0)
		return (WORK_PHASE_AGENT);
	if (strcmp(s, "test") == 0)
		return (WORK_PHASE_TEST);
	if (strcmp(s, "run") == 0)
		return (WORK_PHASE_RUN);
	errx(1, "unknown phase %s", s);
}

static void
drive_print(struct imsg *imsg)
{
	struct msg_work	 mw;
	struct ibuf	 ib;
	uint32_t	 type = imsg_get_type(imsg);

	if ((type != IMSG_WORK_PROGRESS && type != IMSG_WORK_DONE) ||
	    imsg_get_ibuf(imsg, &ib) == -1 ||
	    ibuf_get(&ib, &mw, sizeof(mw)) == -1)
		errx(1, "workerd: unexpected message %u", type);
	mw.mw_job[sizeof(mw.mw_job) - 1] = '\0';
	printf("%s %s %s %.*s\n", type == IMSG_WORK_DONE ? "done" :
	    "progress", mw.mw_job, drive_phase(mw.mw_phase),
	    (int)ibuf_size(&ib), (const char *)ibuf_data(&ib));
	(void)fflush(stdout);
	if (type == IMSG_WORK_DONE)
		ndone++;
}

/* Read and print for up to ms, or until want answers have come. */
static void
drive_pump(int64_t ms, int want)
{
	struct pollfd	 pfd;
	struct imsg	 imsg;
	int64_t		 end = drive_now() + ms, left;
	ssize_t		 n;
	int		 status;

	for (;;) {
		while ((n = imsg_get(&ibuf, &imsg)) > 0) {
			if (imsg_get_type(&imsg) == IMSG_HELPER_READY)
				printf("ready\n");
			else
				drive_print(&imsg);
			imsg_free(&imsg);
		}
		if (n == -1)
			err(1, "imsg_get");
		if (want > 0 && ndone >= want)
			return;
		if ((left = end - drive_now()) <= 0) {
			if (want > 0)
				errx(1, "only %d answers of %d in %lld ms",
				    ndone, want, (long long)ms);
			return;
		}
		pfd.fd = ibuf.fd;
		pfd.events = POLLIN;
		if ((n = poll(&pfd, 1, (int)left)) == -1 && errno != EINTR)
			err(1, "poll");
		if (n <= 0)
			continue;
		if ((n = imsgbuf_read(&ibuf)) == -1 && errno != EAGAIN)
			err(1, "read from workerd");
		if (n == 0 && closing)
			return;
		if (n == 0) {
			if (waitpid(child, &status, 0) == -1)
				err(1, "waitpid");
			printf("gone %s %d\n", WIFSIGNALED(status) ?
			    "signal" : "exit", WIFSIGNALED(status) ?
			    WTERMSIG(status) : WEXITSTATUS(status));
			exit(1);
		}
	}
}

static void
drive_send(uint32_t type, const char *job, const char *phase,
    const char *file)
{
	struct msg_work	 mw;
	struct iovec	 iov[2];
	char		*data = NULL;
	size_t		 len = 0;
	FILE		*f;

	memset(&mw, 0, sizeof(mw));
	if (strlcpy(mw.mw_job, job, sizeof(mw.mw_job)) >= sizeof(mw.mw_job))
		errx(1, "job id too long");
	mw.mw_phase = drive_phase_lookup(phase);
	if (file != NULL) {
		if ((f = fopen(file, "r")) == NULL)
			err(1, "%s", file);
		if ((data = malloc(1024 * 1024)) == NULL)
			err(1, NULL);
		len = fread(data, 1, 1024 * 1024, f);
		(void)fclose(f);
	}
	iov[0].iov_base = &mw;
	iov[0].iov_len = sizeof(mw);
	iov[1].iov_base = data;
	iov[1].iov_len = len;
	if (imsg_composev(&ibuf, type, 0, 0, -1, iov, file != NULL ? 2 : 1) ==
	    -1 || imsgbuf_flush(&ibuf) == -1)
		err(1, "send to workerd");
	free(data);
}

int
main(int argc, char *argv[])
{
	const char	*mode = "enforce", *errstr;
	char		*line = NULL, *w[4], *rest;
	size_t		 cap = 0;
	int		 ch, i, status;
	long long	 v;

	if ((ch = drive_args(argc, argv, &mode)) == -1)
		goto usage;
	argc -= ch;
	argv += ch;
	if (argc != 2)
		goto usage;

	child = drive_spawn_helper_jobs(argv[0], PROC_WORKERD, mode, argv[1],
	    &ibuf);
	while (getline(&line, &cap, stdin) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		rest = line;
		for (i = 0; i < 4; i++)
			w[i] = strsep(&rest, " ");
		if (w[0] == NULL || w[0][0] == '\0' || w[0][0] == '#')
			continue;
		if (strcmp(w[0], "start") == 0 && w[3] != NULL)
			drive_send(IMSG_WORK_START, w[1], w[2], w[3]);
		else if (strcmp(w[0], "cancel") == 0 && w[2] != NULL)
			drive_send(IMSG_WORK_CANCEL, w[1], w[2], NULL);
		else if ((strcmp(w[0], "wait") == 0 ||
		    strcmp(w[0], "sleep") == 0) && w[1] != NULL) {
			v = strtonum(w[1], 0, 1000000, &errstr);
			if (errstr != NULL)
				errx(1, "%s: %s", w[1], errstr);
			if (w[0][0] == 'w')
				drive_pump(DRIVE_WAIT_MS, (int)v);
			else
				drive_pump(v, 0);
		} else
			errx(1, "bad line: %s", w[0]);
	}
	free(line);
	closing = 1;
	if (imsg_compose(&ibuf, IMSG_HELPER_SHUTDOWN, 0, 0, -1, NULL, 0) ==
	    -1 || imsgbuf_flush(&ibuf) == -1)
		err(1, "send shutdown");
	drive_pump(5000, 0);
	if (waitpid(child, &status, 0) == -1)
		err(1, "waitpid");
	printf("exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status));
	return (0);
 usage:
	fprintf(stderr, "usage: workerd_drive [-S mode] WORKERD JOBS\n");
	return (2);
}
