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

#include <sys/socket.h>

#include <err.h>
#include <unistd.h>

#include <bsd/unistd.h>

#include "drive.h"

pid_t
drive_spawn_helper(const char *path, enum proc_id role, const char *mode,
    struct imsgbuf *ibuf)
{
	return (drive_spawn_helper_jobs(path, role, mode, NULL, ibuf));
}

pid_t
drive_spawn_helper_jobs(const char *path, enum proc_id role,
    const char *mode, const char *jobs, struct imsgbuf *ibuf)
{
	pid_t	 pid;
	int	 sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == -1)
		err(1, "socketpair");
	switch (pid = fork()) {
	case -1:
		err(1, "fork");
	case 0:
		if (dup2(sp[1], PROC_PARENT_SOCK_FILENO) == -1)
			_exit(127);
		closefrom(PROC_PARENT_SOCK_FILENO + 1);
		if (jobs != NULL)
			execl(path, path, "-P", proc_name(role), "-d", "-S",
			    mode, "-J", jobs, (char *)NULL);
		else
			execl(path, path, "-P", proc_name(role), "-d", "-S",
			    mode, (char *)NULL);
		_exit(127);
	default:
		break;
	}
	(void)close(sp[1]);
	if (imsgbuf_init(ibuf, sp[0]) == -1 ||
	    imsgbuf_set_maxsize(ibuf, proc_maxmsg(role)) == -1)
		err(1, "imsgbuf");
	if (proc_fdpass(role))
		imsgbuf_allow_fdpass(ibuf);
	return (pid);
}

int
drive_args(int argc, char *argv[], const char **mode)
{
	int	 ch;

	while ((ch = getopt(argc, argv, "S:")) != -1) {
		switch (ch) {
		case 'S':
			*mode = optarg;
			break;
		default:
			return (-1);
		}
	}
	return (optind);
}
