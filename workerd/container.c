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
 * DEV SHIM: a throw-away local-mode implementation of container.h so
 * that workerd can be built and tested before the real sandboxes land.
 * The launcher is a forked child that execs commands as plain process
 * groups with a few rlimits, kills the group at the deadline and
 * reports wait4's rusage.  Binds are not applied; only "local" works.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <bsd/unistd.h>
#include <event2/event.h>

#include "container.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "util.h"

enum shim_msg {
	SHIM_FD = 1,		/* uint32 id, uint32 which; the fd */
	SHIM_RUN,		/* struct shim_req + strings */
	SHIM_CANCEL,		/* uint32 id */
	SHIM_RESULT		/* uint32 id + struct container_result */
};

struct shim_req {
	uint32_t	 sr_id;
	uint32_t	 sr_nargv;
	uint32_t	 sr_nenv;
	uint32_t	 sr_pad;
	int64_t		 sr_time_limit_ms;
	int64_t		 sr_memory_mb;
	int64_t		 sr_disk_mb;
};

struct container {
	struct container	*c_next;
	uint32_t		 c_id;
	container_done_cb	 c_cb;
	void			*c_arg;
};

/* workerd's side */
static int		 shim_fd = -1;
static struct imsgev	 shim_iev;
static int		 shim_iev_ready;
static struct container	*shim_list;
static uint32_t		 shim_nextid;

/* the launcher's side */
struct shim_kid {
	struct shim_kid	*k_next;
	uint32_t	 k_id;
	pid_t		 k_pid;
	int64_t		 k_start, k_deadline;
	int		 k_timed_out, k_cancelled;
	int		 k_fds[3];
};

static struct shim_kid	*kids;
static int		 sigpipe_fds[2];

static void
shim_sigchld(int sig)
{
	int	 saved = errno;

	(void)sig;
	(void)!write(sigpipe_fds[1], "x", 1);
	errno = saved;
}

static void
shim_exec(const struct shim_req *sr, char **argv, char **envp,
    const char *cwd, const int fds[3])
{
	struct rlimit	 rl;
	int		 i, fd;

	(void)setpgid(0, 0);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	for (i = 0; i < 3; i++) {
		fd = fds[i];
		if (fd == -1 && (fd = open("/dev/null", O_RDWR)) == -1)
			_exit(126);
		if (dup2(fd, i) == -1)
			_exit(126);
	}
	closefrom(3);
	rl.rlim_cur = rl.rlim_max = 0;
	(void)setrlimit(RLIMIT_CORE, &rl);
	if (sr->sr_disk_mb > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)sr->sr_disk_mb << 20;
		(void)setrlimit(RLIMIT_FSIZE, &rl);
	}
	if (cwd[0] != '\0' && chdir(cwd) == -1) {
		dprintf(2, "sandbox: chdir %s: %s\n", cwd, strerror(errno));
		_exit(126);
	}
	(void)signal(SIGPIPE, SIG_DFL);
	(void)signal(SIGINT, SIG_DFL);
	(void)signal(SIGHUP, SIG_DFL);
	execve(argv[0], argv, envp);
	dprintf(2, "sandbox: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void
shim_start(struct imsgbuf *ib, struct imsg *imsg, int pending[3])
{
	struct shim_req		 sr;
	struct container_result	 cr;
	struct shim_kid		*k;
	struct ibuf		 b;
	char			*buf, *p, *end, **argv, **envp, *cwd;
	size_t			 len, i;
	pid_t			 pid;

	if (imsg_get_ibuf(imsg, &b) == -1 || ibuf_get(&b, &sr, sizeof(sr)) ==
	    -1 || sr.sr_nargv == 0 || sr.sr_nargv > CONTAINER_MAX_ARGS ||
	    sr.sr_nenv > CONTAINER_MAX_ENV)
		fatalx("shim: bad request");
	len = ibuf_size(&b);
	if ((buf = malloc(len + 1)) == NULL)
		fatal("shim");
	memcpy(buf, ibuf_data(&b), len);
	buf[len] = '\0';
	argv = calloc(sr.sr_nargv + 1, sizeof(*argv));
	envp = calloc(sr.sr_nenv + 1, sizeof(*envp));
	if (argv == NULL || envp == NULL)
		fatal("shim");
	p = buf;
	end = buf + len;
	cwd = p;
	p += strlen(p) + 1;
	for (i = 0; i < sr.sr_nargv && p < end; i++, p += strlen(p) + 1)
		argv[i] = p;
	for (i = 0; i < sr.sr_nenv && p < end; i++, p += strlen(p) + 1)
		envp[i] = p;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		fatal("shim");
	k->k_id = sr.sr_id;
	k->k_start = now_monotonic_ms();
	k->k_deadline = sr.sr_time_limit_ms > 0 ?
	    k->k_start + sr.sr_time_limit_ms : 0;
	for (i = 0; i < 3; i++) {
		k->k_fds[i] = pending[i];
		pending[i] = -1;
	}
	switch (pid = fork()) {
	case -1:
		memset(&cr, 0, sizeof(cr));
		errbuf_set(cr.cr_error, sizeof(cr.cr_error), "fork: %s",
		    strerror(errno));
		if (imsg_compose(ib, SHIM_RESULT, sr.sr_id, 0, -1, &cr,
		    sizeof(cr)) == -1)
			fatal("shim");
		for (i = 0; i < 3; i++)
			if (k->k_fds[i] != -1)
				(void)close(k->k_fds[i]);
		free(k);
		break;
	case 0:
		shim_exec(&sr, argv, envp, cwd, k->k_fds);
		_exit(127);
	default:
		(void)setpgid(pid, pid);
		k->k_pid = pid;
		for (i = 0; i < 3; i++)
			if (k->k_fds[i] != -1) {
				(void)close(k->k_fds[i]);
				k->k_fds[i] = -1;
			}
		k->k_next = kids;
		kids = k;
		break;
	}
	free(argv);
	free(envp);
	free(buf);
}

static void
shim_reap(struct imsgbuf *ib)
{
	struct container_result	 cr;
	struct shim_kid		**kp, *k;
	struct rusage		 ru;
	int			 status;
	pid_t			 pid;

	while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
		for (kp = &kids; (k = *kp) != NULL; kp = &k->k_next)
			if (k->k_pid == pid)
				break;
		if (k == NULL)
			continue;
		*kp = k->k_next;
		/* the whole tree goes with the command, as in a container */
		(void)killpg(pid, SIGKILL);
		memset(&cr, 0, sizeof(cr));
		if (WIFEXITED(status)) {
			cr.cr_exited = 1;
			cr.cr_exit_code = WEXITSTATUS(status);
		} else if (WIFSIGNALED(status))
			cr.cr_signal = WTERMSIG(status);
		cr.cr_timed_out = k->k_timed_out;
		cr.cr_cancelled = k->k_cancelled;
		cr.cr_duration_ms = now_monotonic_ms() - k->k_start;
		cr.cr_peak_memory_kb = ru.ru_maxrss;
		cr.cr_cpu_seconds = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
		if (imsg_compose(ib, SHIM_RESULT, k->k_id, 0, -1, &cr,
		    sizeof(cr)) == -1)
			fatal("shim");
		free(k);
	}
}

static __dead void
shim_launcher(int fd)
{
	struct imsgbuf	 ib;
	struct imsg	 imsg;
	struct pollfd	 pfd[2];
	struct shim_kid	*k;
	uint32_t	 w, id;
	int64_t		 now, next;
	int		 pending[3] = { -1, -1, -1 }, n, timeout;
	char		 junk[64];

	if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("shim: pipe");
	(void)signal(SIGCHLD, shim_sigchld);
	if (imsgbuf_init(&ib, fd) == -1 ||
	    imsgbuf_set_maxsize(&ib, 1024 * 1024) == -1)
		fatal("shim: imsgbuf");
	imsgbuf_allow_fdpass(&ib);
	for (;;) {
		now = now_monotonic_ms();
		next = -1;
		for (k = kids; k != NULL; k = k->k_next) {
			if (k->k_deadline == 0 || k->k_timed_out)
				continue;
			if (k->k_deadline <= now) {
				k->k_timed_out = 1;
				(void)killpg(k->k_pid, SIGKILL);
				continue;
			}
			if (next == -1 || k->k_deadline < next)
				next = k->k_deadline;
		}
		timeout = next == -1 ? -1 : (int)(next - now);
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = sigpipe_fds[0];
		pfd[1].events = POLLIN;
		if ((n = poll(pfd, 2, timeout)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("shim: poll");
		}
		if (pfd[1].revents & POLLIN) {
			while (read(sigpipe_fds[0], junk, sizeof(junk)) > 0)
				;
			shim_reap(&ib);
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			if ((n = imsgbuf_read(&ib)) == -1 && errno != EAGAIN)
				fatal("shim: read");
			if (n == 0) {
				for (k = kids; k != NULL; k = k->k_next)
					(void)killpg(k->k_pid, SIGKILL);
				_exit(0);
			}
			while ((n = imsg_get(&ib, &imsg)) > 0) {
				switch (imsg_get_type(&imsg)) {
				case SHIM_FD:
					if (imsg_get_data(&imsg, &w,
					    sizeof(w)) == -1 || w > 2)
						fatalx("shim: bad fd");
					pending[w] = imsg_get_fd(&imsg);
					break;
				case SHIM_RUN:
					shim_start(&ib, &imsg, pending);
					break;
				case SHIM_CANCEL:
					if (imsg_get_data(&imsg, &id,
					    sizeof(id)) == -1)
						fatalx("shim: bad cancel");
					for (k = kids; k != NULL; k = k->k_next)
						if (k->k_id == id) {
							k->k_cancelled = 1;
							(void)killpg(k->k_pid,
							    SIGKILL);
						}
					break;
				default:
					fatalx("shim: bad message");
				}
				imsg_free(&imsg);
			}
			if (n == -1)
				fatal("shim: imsg_get");
		}
		if (imsgbuf_flush(&ib) == -1)
			fatal("shim: write");
	}
}

int
container_launcher_start(const char *jobs_dir, const char *helpers,
    char *err, size_t errlen)
{
	int	 sp[2];
	pid_t	 pid;

	(void)jobs_dir;
	(void)helpers;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		errbuf_set(err, errlen, "socketpair: %s", strerror(errno));
		return (-1);
	}
	switch (pid = fork()) {
	case -1:
		errbuf_set(err, errlen, "fork: %s", strerror(errno));
		return (-1);
	case 0:
		(void)close(sp[0]);
		(void)close(PROC_PARENT_SOCK_FILENO);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		shim_launcher(sp[1]);
	default:
		break;
	}
	(void)close(sp[1]);
	shim_fd = sp[0];
	log_warnx("container: DEV SHIM launcher, pid %d: no isolation",
	    (int)pid);
	return (0);
}

int
container_mode_available(enum isolation_mode mode, char *err, size_t errlen)
{
	if (mode == ISOLATION_LOCAL)
		return (0);
	errbuf_set(err, errlen, "not in the dev shim (%s)",
	    config_isolation_name(mode));
	return (-1);
}

static void
shim_dispatch(int fd, short ev, void *arg)
{
	struct container_result	 cr;
	struct container	**cp, *c;
	struct imsgbuf		*ib = &shim_iev.ibuf;
	struct imsg		 imsg;
	ssize_t			 n;
	uint32_t		 id;

	(void)fd;
	(void)arg;
	if (ev & EV_READ) {
		if ((n = imsgbuf_read(ib)) == -1 && errno != EAGAIN)
			fatal("shim: read");
		if (n == 0)
			fatalx("shim: the launcher is gone");
	}
	if ((ev & EV_WRITE) && imsgbuf_write(ib) == -1)
		fatal("shim: write");
	while ((n = imsg_get(ib, &imsg)) > 0) {
		if (imsg_get_type(&imsg) != SHIM_RESULT ||
		    imsg_get_data(&imsg, &cr, sizeof(cr)) == -1)
			fatalx("shim: bad answer");
		id = imsg_get_id(&imsg);
		imsg_free(&imsg);
		for (cp = &shim_list; (c = *cp) != NULL; cp = &c->c_next)
			if (c->c_id == id)
				break;
		if (c == NULL)
			continue;
		*cp = c->c_next;
		c->c_cb(c, &cr, c->c_arg);
		free(c);
	}
	if (n == -1)
		fatal("shim: imsg_get");
	imsgev_add(&shim_iev);
}

struct container *
container_run(struct event_base *base, const struct container_spec *cs,
    container_done_cb cb, void *arg, char *err, size_t errlen)
{
	struct shim_req		 sr;
	struct container	*c;
	struct ibuf		*b;
	const char		*cwd;
	int			 fds[3];
	uint32_t		 w;
	size_t			 i, nenv = 0;

	if (cs->cs_mode != ISOLATION_LOCAL) {
		(void)container_mode_available(cs->cs_mode, err, errlen);
		return (NULL);
	}
	if (shim_fd == -1) {
		errbuf_set(err, errlen, "no launcher");
		return (NULL);
	}
	if (!shim_iev_ready) {
		if (imsgev_init(&shim_iev, base, shim_fd, shim_dispatch,
		    NULL) == -1)
			fatal("shim: imsgev_init");
		imsgbuf_allow_fdpass(&shim_iev.ibuf);
		if (imsgbuf_set_maxsize(&shim_iev.ibuf, 1024 * 1024) == -1)
			fatal("shim: imsgbuf");
		shim_iev_ready = 1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		errbuf_set(err, errlen, "%s", strerror(errno));
		return (NULL);
	}
	c->c_id = ++shim_nextid;
	c->c_cb = cb;
	c->c_arg = arg;
	fds[0] = cs->cs_stdin;
	fds[1] = cs->cs_stdout;
	fds[2] = cs->cs_stderr;
	for (w = 0; w < 3; w++) {
		if (fds[w] == -1)
			continue;
		/* imsg closes what it passes; the caller keeps its own */
		if ((fds[w] = fcntl(fds[w], F_DUPFD_CLOEXEC, 0)) == -1 ||
		    imsgev_compose(&shim_iev, SHIM_FD, c->c_id, 0, fds[w],
		    &w, sizeof(w)) == -1)
			fatal("shim: pass fd");
	}
	while (cs->cs_envp != NULL && cs->cs_envp[nenv] != NULL)
		nenv++;
	memset(&sr, 0, sizeof(sr));
	sr.sr_id = c->c_id;
	for (i = 0; cs->cs_argv[i] != NULL; i++)
		;
	sr.sr_nargv = i;
	sr.sr_nenv = nenv;
	sr.sr_time_limit_ms = cs->cs_time_limit_ms;
	sr.sr_memory_mb = cs->cs_memory_mb;
	sr.sr_disk_mb = cs->cs_disk_mb;
	cwd = cs->cs_cwd != NULL ? cs->cs_cwd : "";
	if ((b = imsg_create(&shim_iev.ibuf, SHIM_RUN, c->c_id, 0,
	    1024)) == NULL)
		fatal("shim: imsg_create");
	if (imsg_add(b, &sr, sizeof(sr)) == -1 ||
	    imsg_add(b, cwd, strlen(cwd) + 1) == -1)
		fatal("shim: imsg_add");
	for (i = 0; i < sr.sr_nargv; i++)
		if (imsg_add(b, cs->cs_argv[i], strlen(cs->cs_argv[i]) + 1) ==
		    -1)
			fatal("shim: imsg_add");
	for (i = 0; i < nenv; i++)
		if (imsg_add(b, cs->cs_envp[i], strlen(cs->cs_envp[i]) + 1) ==
		    -1)
			fatal("shim: imsg_add");
	imsg_close(&shim_iev.ibuf, b);
	imsgev_add(&shim_iev);
	c->c_next = shim_list;
	shim_list = c;
	return (c);
}

void
container_cancel(struct container *c)
{
	if (imsgev_compose(&shim_iev, SHIM_CANCEL, c->c_id, 0, -1, &c->c_id,
	    sizeof(c->c_id)) == -1)
		fatal("shim: cancel");
}

int
container_run_sync(const struct container_spec *cs,
    struct container_result *cr)
{
	memset(cr, 0, sizeof(*cr));
	(void)cs;
	errbuf_set(cr->cr_error, sizeof(cr->cr_error), "not in the dev shim");
	return (-1);
}
