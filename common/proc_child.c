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
 * What every helper does before and around its own work: check that it
 * was started by openagentsd, set up logging and the channel on fd 3,
 * confine itself, report ready, and serve the supervisor's messages.
 */

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "proc_child.h"
#include "sandbox.h"

static struct proc_child	*child;

static __dead void	 child_usage(const char *);
static void		 child_check_channel(const char *);
static void		 child_dispatch_parent(int, short, void *);

static __dead void
child_usage(const char *prog)
{
	fprintf(stderr, "%s should not be executed directly; "
	    "openagentsd starts it\n", prog);
	exit(1);
}

/*
 * Refuse to run unless fd 3 is one end of an AF_UNIX stream socketpair
 * whose other end belongs to our parent: that is how openagentsd starts
 * us, and nothing else should be able to feed the helper messages.
 */
static void
child_check_channel(const char *prog)
{
	struct stat	 st;
	struct ucred	 cred;
	socklen_t	 len;
	int		 type, domain;

	if (fstat(PROC_PARENT_SOCK_FILENO, &st) == -1 || !S_ISSOCK(st.st_mode))
		child_usage(prog);
	len = sizeof(domain);
	if (getsockopt(PROC_PARENT_SOCK_FILENO, SOL_SOCKET, SO_DOMAIN, &domain,
	    &len) == -1 || domain != AF_UNIX)
		child_usage(prog);
	len = sizeof(type);
	if (getsockopt(PROC_PARENT_SOCK_FILENO, SOL_SOCKET, SO_TYPE, &type,
	    &len) == -1 || type != SOCK_STREAM)
		child_usage(prog);
	len = sizeof(cred);
	if (getsockopt(PROC_PARENT_SOCK_FILENO, SOL_SOCKET, SO_PEERCRED, &cred,
	    &len) == -1 || cred.pid != getppid())
		child_usage(prog);
}

int
proc_child_main(int argc, char *argv[], struct proc_child *pc)
{
	struct sandbox_paths	 paths;
	struct msg_ready	 ready;
	const char		*prog, *role = NULL;
	enum sandbox_mode	 mode = SANDBOX_ENFORCE;
	int			 ch, foreground = 0, verbose = 0, topipe = 0;

	child = pc;
	prog = argv[0] != NULL ? argv[0] : "openagents-helper";
	memset(&paths, 0, sizeof(paths));

	/* fd 3 first: the options are worthless without the channel */
	child_check_channel(prog);

	while ((ch = getopt(argc, argv, "dJ:LP:S:v")) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'J':
			paths.sp_jobs_dir = optarg;
			break;
		case 'L':
			/* stderr is the supervisor's log pipe */
			topipe = 1;
			break;
		case 'P':
			role = optarg;
			break;
		case 'S':
			if (strcmp(optarg, "enforce") == 0)
				mode = SANDBOX_ENFORCE;
			else if (strcmp(optarg, "log") == 0)
				mode = SANDBOX_LOG;
			else if (strcmp(optarg, "off") == 0)
				mode = SANDBOX_OFF;
			else
				child_usage(prog);
			break;
		case 'v':
			if (verbose < 3)
				verbose++;
			break;
		default:
			child_usage(prog);
		}
	}
	if (role == NULL || proc_lookup(role) != (int)pc->pc_id ||
	    optind != argc)
		child_usage(prog);

	log_procinit(proc_name(pc->pc_id));
	log_init(foreground, LOG_DAEMON);
	log_setpipe(topipe);
	log_setverbose(verbose);

	/*
	 * The terminal's ^C and hang-up are for the supervisor, which stops
	 * the helpers in order; a helper killed by them would look like a
	 * crash.  SIGPIPE is reported as EPIPE by the writes instead.
	 */
	if (signal(SIGINT, SIG_IGN) == SIG_ERR ||
	    signal(SIGHUP, SIG_IGN) == SIG_ERR ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");

	if ((pc->pc_base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (imsgev_init(&pc->pc_parent, pc->pc_base, PROC_PARENT_SOCK_FILENO,
	    child_dispatch_parent, pc) == -1)
		fatal("channel to the supervisor");
	if (imsgbuf_set_maxsize(&pc->pc_parent.ibuf,
	    proc_maxmsg(pc->pc_id)) == -1)
		fatal("imsgbuf_set_maxsize");
	if (proc_fdpass(pc->pc_id))
		imsgbuf_allow_fdpass(&pc->pc_parent.ibuf);

	pc->pc_jobs_dir = paths.sp_jobs_dir;
	if (pc->pc_init != NULL)
		pc->pc_init(pc);

	if (mode != SANDBOX_OFF) {
		if (sandbox_enter(pc->pc_id, mode, &paths) == -1)
			fatal("cannot enter the %s sandbox",
			    proc_name(pc->pc_id));
	} else
		log_warnx("sandbox disabled: running unconfined");

	memset(&ready, 0, sizeof(ready));
	ready.mr_version = OA_PROTO_VERSION;
	ready.mr_role = pc->pc_id;
	ready.mr_pid = getpid();
	ready.mr_sandbox = mode;
	if (imsgev_compose(&pc->pc_parent, IMSG_HELPER_READY, 0, 0, -1,
	    &ready, sizeof(ready)) == -1)
		fatal("compose ready");
	log_debug("ready, sandbox %s", sandbox_mode_name(mode));

	if (event_base_dispatch(pc->pc_base) == -1)
		fatalx("event_base_dispatch");
	log_debug("exiting, pid %d", getpid());
	return (0);
}

int
proc_child_compose(struct proc_child *pc, uint32_t type, int fd,
    const void *data, size_t len)
{
	return (imsgev_compose(&pc->pc_parent, type, 0, 0, fd, data, len));
}

static void
child_dispatch_parent(int fd, short event, void *arg)
{
	struct proc_child	*pc = arg;
	struct imsgbuf		*ibuf = &pc->pc_parent.ibuf;
	struct msg_verbose	 mv;
	struct imsg		 imsg;
	ssize_t			 n;
	uint32_t		 type;

	(void)fd;
	if (event & EV_READ) {
		if ((n = imsgbuf_read(ibuf)) == -1)
			fatal("%s: imsgbuf_read", __func__);
		if (n == 0) {
			/* the supervisor is gone: nothing left to serve */
			log_debug("supervisor closed the channel, exiting");
			exit(0);
		}
	}
	if (event & EV_WRITE) {
		if (imsgbuf_write(ibuf) == -1) {
			if (errno == EPIPE) {
				log_debug("supervisor gone, exiting");
				exit(0);
			}
			fatal("%s: imsgbuf_write", __func__);
		}
	}

	for (;;) {
		if ((n = imsg_get(ibuf, &imsg)) == -1)
			fatal("%s: imsg_get", __func__);
		if (n == 0)
			break;
		type = imsg_get_type(&imsg);
		switch (type) {
		case IMSG_HELPER_SHUTDOWN:
			if (imsg_get_len(&imsg) != 0)
				fatalx("%s: bad shutdown message", __func__);
			log_debug("shutting down on request");
			if (pc->pc_shutdown != NULL)
				pc->pc_shutdown(pc);
			(void)event_base_loopexit(pc->pc_base, NULL);
			break;
		case IMSG_HELPER_VERBOSE:
			if (imsg_get_data(&imsg, &mv, sizeof(mv)) == -1)
				fatalx("%s: bad verbose message", __func__);
			log_setverbose(mv.mv_level);
			break;
		default:
			if (pc->pc_dispatch == NULL ||
			    pc->pc_dispatch(pc, &imsg) == -1)
				fatalx("%s: unexpected imsg %u from the "
				    "supervisor", __func__, type);
			break;
		}
		imsg_free(&imsg);
	}
	imsgev_add(&pc->pc_parent);
}
