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
 * Spawning and supervising the helpers.  relayd, workerd and verifyd
 * are restarted with an exponential backoff when they die; walletd is
 * the key holder and its death ends the suite, since a key holder that
 * can be crashed and restarted at will is a key holder that can be
 * probed.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <bsd/unistd.h>
#include <event2/event.h>

#include "oa_build.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "supervisor.h"
#include "sv_alert.h"
#include "sv_log.h"
#include "sv_pay.h"

#define BACKOFF_FIRST_MS	100
#define BACKOFF_MAX_MS		60000
#define BACKOFF_STABLE_SECS	30	/* a life this long resets backoff */

static void	helper_spawn(struct supervisor *, struct helper *);
static void	helper_dispatch(int, short, void *);
static void	helper_restart_cb(int, short, void *);
static void	helper_lost(struct supervisor *, struct helper *, int);
static void	status_text(char *, size_t, int);

/*
 * Helpers are looked up next to openagentsd first, so that a build tree
 * runs as it is, then in the installed libexec folder.
 */
int
helpers_locate(struct supervisor *sv, const char *self)
{
	char		 dir[PATH_MAX], cand[PATH_MAX];
	char		*slash;
	struct helper	*h;
	int		 i, n;

	if (strlcpy(dir, self, sizeof(dir)) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		(void)strlcpy(dir, ".", sizeof(dir));

	for (i = PROC_RELAYD; i < PROC_MAX; i++) {
		h = &sv->sv_helpers[i];
		h->h_id = i;
		h->h_sv = sv;
		n = snprintf(cand, sizeof(cand), "%s/openagents-%s", dir,
		    proc_name(i));
		if (n < 0 || (size_t)n >= sizeof(cand) ||
		    access(cand, X_OK) == -1) {
			n = snprintf(cand, sizeof(cand), "%s/openagents-%s",
			    OA_LIBEXECDIR, proc_name(i));
			if (n < 0 || (size_t)n >= sizeof(cand) ||
			    access(cand, X_OK) == -1) {
				log_warnx("cannot find openagents-%s next to "
				    "%s or in %s", proc_name(i), dir,
				    OA_LIBEXECDIR);
				errno = ENOENT;
				return (-1);
			}
		}
		if (strlcpy(h->h_path, cand, sizeof(h->h_path)) >=
		    sizeof(h->h_path)) {
			errno = ENAMETOOLONG;
			return (-1);
		}
	}
	return (0);
}

void
helpers_start(struct supervisor *sv)
{
	int	 i;

	/* the key holder first: nothing useful runs without it */
	helper_spawn(sv, &sv->sv_helpers[PROC_WALLETD]);
	for (i = PROC_RELAYD; i < PROC_WALLETD; i++)
		helper_spawn(sv, &sv->sv_helpers[i]);
}

static void
helper_spawn(struct supervisor *sv, struct helper *h)
{
	char		*argv[16];
	int		 sp[2], argc = 0, i, devnull, logfd;
	pid_t		 pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, sp) == -1)
		fatal("%s: socketpair", __func__);

	argv[argc++] = h->h_path;
	argv[argc++] = "-P";
	argv[argc++] = (char *)(uintptr_t)proc_name(h->h_id);
	if (sv->sv_foreground)
		argv[argc++] = "-d";
	for (i = 0; i < sv->sv_verbose && i < 3; i++)
		argv[argc++] = "-v";
	argv[argc++] = "-S";
	argv[argc++] = (char *)(uintptr_t)sandbox_mode_name(sv->sv_sandbox);
	if ((logfd = sv_log_pipe(sv, h->h_id)) != -1)
		argv[argc++] = "-L";
	if (h->h_id == PROC_WORKERD) {
		argv[argc++] = "-J";
		argv[argc++] = sv->sv_paths.p_jobs;
	}
	argv[argc] = NULL;

	switch (pid = fork()) {
	case -1:
		fatal("%s: fork", __func__);
	case 0:
		/* only fd 3 survives the exec, and only on purpose */
		if (logfd != -1 && dup2(logfd, STDERR_FILENO) == -1)
			_exit(127);
		if (sp[1] != PROC_PARENT_SOCK_FILENO) {
			if (dup2(sp[1], PROC_PARENT_SOCK_FILENO) == -1)
				_exit(127);
		} else if (fcntl(sp[1], F_SETFD, 0) == -1)
			_exit(127);
		if ((devnull = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(devnull, STDIN_FILENO) == -1)
			_exit(127);
		closefrom(PROC_PARENT_SOCK_FILENO + 1);
		execv(h->h_path, argv);
		dprintf(STDERR_FILENO, "openagentsd: exec %s: %s\n",
		    h->h_path, strerror(errno));
		_exit(127);
	default:
		break;
	}

	(void)close(sp[1]);
	if (logfd != -1)
		(void)close(logfd);
	if (imsgev_init(&h->h_iev, sv->sv_base, sp[0], helper_dispatch,
	    sv) == -1)
		fatal("%s: channel to %s", __func__, proc_name(h->h_id));
	if (imsgbuf_set_maxsize(&h->h_iev.ibuf, proc_maxmsg(h->h_id)) == -1)
		fatal("%s: imsgbuf_set_maxsize", __func__);
	if (proc_fdpass(h->h_id))
		imsgbuf_allow_fdpass(&h->h_iev.ibuf);
	h->h_iev_open = 1;
	h->h_pid = pid;
	h->h_ready = 0;
	h->h_state = CTL_PROC_STARTING;
	h->h_started = time(NULL);
	h->h_started_ms = now_monotonic_ms();
	log_debug("started %s, pid %d", proc_name(h->h_id), pid);
}

static struct helper *
helper_by_fd(struct supervisor *sv, int fd)
{
	int	 i;

	for (i = PROC_RELAYD; i < PROC_MAX; i++)
		if (sv->sv_helpers[i].h_iev_open &&
		    sv->sv_helpers[i].h_iev.ibuf.fd == fd)
			return (&sv->sv_helpers[i]);
	return (NULL);
}

static void
helper_close(struct helper *h)
{
	if (h->h_iev_open) {
		imsgev_clear(&h->h_iev);
		h->h_iev_open = 0;
	}
}

/*
 * A helper breaking the protocol is not trusted to go on: it is killed
 * and goes through the same path as a crash.
 */
void
helper_violation(struct supervisor *sv, struct helper *h, const char *why)
{
	(void)sv;
	log_warnx("%s (pid %d) broke the protocol: %s; killing it",
	    proc_name(h->h_id), h->h_pid, why);
	helper_close(h);
	if (h->h_pid > 0 && kill(h->h_pid, SIGKILL) == -1 && errno != ESRCH)
		log_warn("kill %d", h->h_pid);
}

static void
helper_dispatch(int fd, short event, void *arg)
{
	struct supervisor	*sv = arg;
	struct helper		*h;
	struct imsgbuf		*ibuf;
	struct msg_ready	 ready;
	struct imsg		 imsg;
	ssize_t			 n;
	uint32_t		 type;

	if ((h = helper_by_fd(sv, fd)) == NULL)
		fatalx("%s: event on unknown fd %d", __func__, fd);
	ibuf = &h->h_iev.ibuf;

	if (event & EV_READ) {
		if ((n = imsgbuf_read(ibuf)) == -1) {
			helper_violation(sv, h, strerror(errno));
			return;
		}
		if (n == 0) {
			/* the reaper reports the death; just stop listening */
			helper_close(h);
			return;
		}
	}
	if (event & EV_WRITE) {
		if (imsgbuf_write(ibuf) == -1) {
			if (errno != EPIPE)
				log_warn("write to %s", proc_name(h->h_id));
			helper_close(h);
			return;
		}
	}

	for (;;) {
		if ((n = imsg_get(ibuf, &imsg)) == -1) {
			helper_violation(sv, h, "malformed message");
			return;
		}
		if (n == 0)
			break;
		type = imsg_get_type(&imsg);
		switch (type) {
		case IMSG_HELPER_READY:
			if (h->h_ready) {
				imsg_free(&imsg);
				helper_violation(sv, h, "ready twice");
				return;
			}
			if (imsg_get_data(&imsg, &ready, sizeof(ready)) == -1 ||
			    ready.mr_version != OA_PROTO_VERSION ||
			    ready.mr_role != (int32_t)h->h_id ||
			    ready.mr_pid != h->h_pid ||
			    ready.mr_sandbox != (uint32_t)sv->sv_sandbox) {
				imsg_free(&imsg);
				helper_violation(sv, h, "bad ready message");
				return;
			}
			h->h_ready = 1;
			h->h_state = CTL_PROC_RUNNING;
			log_debug("%s ready (pid %d)", proc_name(h->h_id),
			    h->h_pid);
			if (h->h_id == PROC_WALLETD)
				sv_wallet_unlock(sv);
			if (h->h_id == PROC_RELAYD) {
				/* a new relayd knows nothing yet */
				sv->sv_relay_synced = 0;
				sv_nwc_relayd_ready(sv);
				sv_relay_sync(sv, 0);
				sv_proxy_sync(sv);
				sv_alert_relayd_ready(sv);
			}
			supervisor_check_online(sv);
			break;
		case IMSG_WORK_PROGRESS:
		case IMSG_WORK_DONE:
			if (h->h_id != PROC_WORKERD || !h->h_ready) {
				imsg_free(&imsg);
				helper_violation(sv, h, "work report from "
				    "the wrong process");
				return;
			}
			(void)sv_work_dispatch(sv, &imsg);
			if (!h->h_iev_open) {
				imsg_free(&imsg);
				return;
			}
			break;
		case IMSG_VERIFY_RES:
			if (h->h_id != PROC_VERIFYD || !h->h_ready) {
				imsg_free(&imsg);
				helper_violation(sv, h, "verdict from the "
				    "wrong process");
				return;
			}
			(void)sv_verify_dispatch(sv, &imsg);
			if (!h->h_iev_open) {
				imsg_free(&imsg);
				return;
			}
			break;
		case IMSG_RELAY_RESOLVE:
		case IMSG_RELAY_EVENT:
		case IMSG_RELAY_PUBLISHED:
		case IMSG_RELAY_AUTH_REQ:
		case IMSG_RELAY_STATS:
		case IMSG_RELAY_STATS_END:
		case IMSG_RELAY_EOSE:
			if (h->h_id != PROC_RELAYD || !h->h_ready) {
				imsg_free(&imsg);
				helper_violation(sv, h, "relay message from "
				    "the wrong process");
				return;
			}
			(void)sv_relay_dispatch(sv, &imsg);
			if (!h->h_iev_open) {
				imsg_free(&imsg);
				return;
			}
			break;
		case IMSG_PROXY_STATS:
			if (h->h_id != PROC_RELAYD || !h->h_ready) {
				imsg_free(&imsg);
				helper_violation(sv, h, "proxy message from "
				    "the wrong process");
				return;
			}
			(void)sv_proxy_dispatch(sv, &imsg);
			if (!h->h_iev_open) {
				imsg_free(&imsg);
				return;
			}
			break;
		case IMSG_WALLET_UNLOCKED:
		case IMSG_WALLET_RES:
		case IMSG_WALLET_NWC_INFO:
			/* only the key holder answers these */
			if (h->h_id != PROC_WALLETD || !h->h_ready) {
				imsg_free(&imsg);
				helper_violation(sv, h, "wallet message from "
				    "the wrong process");
				return;
			}
			(void)sv_wallet_dispatch(sv, &imsg);
			if (!h->h_iev_open) {
				/* a violation closed the channel */
				imsg_free(&imsg);
				return;
			}
			break;
		default:
			imsg_free(&imsg);
			helper_violation(sv, h, "unexpected message type");
			return;
		}
		imsg_free(&imsg);
	}
	imsgev_add(&h->h_iev);
}

static void
status_text(char *buf, size_t len, int status)
{
	if (WIFEXITED(status))
		(void)snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		(void)snprintf(buf, len, "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		(void)snprintf(buf, len, "stopped, status 0x%x", status);
}

void
helpers_reap(struct supervisor *sv)
{
	pid_t	 pid;
	int	 status, i;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				log_warn("waitpid");
			break;
		}
		if (pid == 0)
			break;
		for (i = PROC_RELAYD; i < PROC_MAX; i++)
			if (sv->sv_helpers[i].h_pid == pid) {
				helper_lost(sv, &sv->sv_helpers[i], status);
				break;
			}
		if (i == PROC_MAX)
			sv_alert_reaped(pid, status);
	}
}

static void
helper_lost(struct supervisor *sv, struct helper *h, int status)
{
	struct timeval	 tv;
	char		 what[128];
	int64_t		 lived_ms, delay_ms;
	unsigned int	 shift;

	status_text(what, sizeof(what), status);
	helper_close(h);
	h->h_pid = 0;
	h->h_ready = 0;
	h->h_last_status = status;
	h->h_state = CTL_PROC_STOPPED;
	lived_ms = now_monotonic_ms() - h->h_started_ms;

	if (sv->sv_stopping) {
		log_debug("%s %s", proc_name(h->h_id), what);
		supervisor_stop(sv, sv->sv_exit_code);
		return;
	}

	jobs_helper_died(sv, h->h_id);
	sv_alert(sv, "worker_crash", NULL, "%s %s", proc_name(h->h_id), what);
	if (h->h_id == PROC_WALLETD) {
		log_warnx("lost child: walletd %s; the key holder is gone, "
		    "stopping the suite", what);
		supervisor_stop(sv, 1);
		return;
	}

	if (lived_ms >= BACKOFF_STABLE_SECS * 1000)
		h->h_backoff = 0;
	shift = h->h_backoff < 10 ? h->h_backoff : 10;
	delay_ms = (int64_t)BACKOFF_FIRST_MS << shift;
	if (delay_ms > BACKOFF_MAX_MS)
		delay_ms = BACKOFF_MAX_MS;
	h->h_backoff++;
	h->h_restarts++;
	h->h_state = CTL_PROC_RESTARTING;
	h->h_next_start = time(NULL) + (time_t)((delay_ms + 999) / 1000);

	log_warnx("lost child: %s %s; restart %u in %lld ms",
	    proc_name(h->h_id), what, h->h_restarts, (long long)delay_ms);

	if (h->h_restart_ev == NULL &&
	    (h->h_restart_ev = evtimer_new(sv->sv_base, helper_restart_cb,
	    h)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	tv.tv_sec = delay_ms / 1000;
	tv.tv_usec = (delay_ms % 1000) * 1000;
	if (evtimer_add(h->h_restart_ev, &tv) == -1)
		fatalx("%s: evtimer_add", __func__);
}

static void
helper_restart_cb(int fd, short event, void *arg)
{
	struct helper	*h = arg;

	(void)fd;
	(void)event;
	if (h->h_sv->sv_stopping)
		return;
	log_info("restarting %s", proc_name(h->h_id));
	helper_spawn(h->h_sv, h);
}

/*
 * Phase 1 asks relayd, workerd and verifyd to stop; phase 2 the key
 * holder.  A helper without a channel gets SIGTERM instead.
 */
void
helpers_stop_phase(struct supervisor *sv, int phase)
{
	struct helper	*h;
	int		 i;

	for (i = PROC_RELAYD; i < PROC_MAX; i++) {
		h = &sv->sv_helpers[i];
		if ((phase == 1) != (i != PROC_WALLETD))
			continue;
		if (h->h_restart_ev != NULL)
			(void)evtimer_del(h->h_restart_ev);
		if (h->h_pid == 0)
			continue;
		if (h->h_iev_open && imsgev_compose(&h->h_iev,
		    IMSG_HELPER_SHUTDOWN, 0, 0, -1, NULL, 0) == 0)
			continue;
		if (kill(h->h_pid, SIGTERM) == -1 && errno != ESRCH)
			log_warn("kill %s", proc_name(h->h_id));
	}
}

int
helpers_alive(const struct supervisor *sv, int phase)
{
	int	 i, n = 0;

	for (i = PROC_RELAYD; i < PROC_MAX; i++) {
		if (phase != 0 && (phase == 1) != (i != PROC_WALLETD))
			continue;
		if (sv->sv_helpers[i].h_pid != 0)
			n++;
	}
	return (n);
}

void
helpers_kill_phase(struct supervisor *sv, int phase)
{
	struct helper	*h;
	int		 i;

	for (i = PROC_RELAYD; i < PROC_MAX; i++) {
		h = &sv->sv_helpers[i];
		if ((phase == 1) != (i != PROC_WALLETD) || h->h_pid == 0)
			continue;
		log_warnx("%s (pid %d) did not stop in time; killing it",
		    proc_name(i), h->h_pid);
		if (kill(h->h_pid, SIGKILL) == -1 && errno != ESRCH)
			log_warn("kill %s", proc_name(i));
	}
}

void
helpers_verbose(struct supervisor *sv, int level)
{
	struct msg_verbose	 mv;
	struct helper		*h;
	int			 i;

	memset(&mv, 0, sizeof(mv));
	mv.mv_level = level;
	for (i = PROC_RELAYD; i < PROC_MAX; i++) {
		h = &sv->sv_helpers[i];
		if (h->h_iev_open && imsgev_compose(&h->h_iev,
		    IMSG_HELPER_VERBOSE, 0, 0, -1, &mv, sizeof(mv)) == -1)
			log_warn("verbose to %s", proc_name(i));
	}
}
