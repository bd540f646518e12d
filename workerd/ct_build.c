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
 * The sandbox itself.  The parent (the launcher, or a tool through
 * container_run_sync()) clones one child into new user, mount, pid,
 * net, ipc and uts namespaces; that child is pid 1 of the sandbox.  It
 * maps its own uid, builds its root (ct_root.c), drops what it holds
 * and forks the command (and the network bridge when asked).  It reaps
 * everything and reports the command's status on a pipe.
 *
 * The pipe also carries any reason the sandbox could not start, from
 * pid 1 or from the command's child before its execve.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/securebits.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <sys/capability.h>

#include "log.h"
#include "util.h"
#include "ct.h"

#define CT_HOSTNAME	"sandbox"
#define CT_DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"

/* The raw clone3 argument block: <linux/sched.h> clashes with <sched.h>. */
struct ct_clone_args {
	uint64_t	 flags;
	uint64_t	 pidfd;
	uint64_t	 child_tid;
	uint64_t	 parent_tid;
	uint64_t	 exit_signal;
	uint64_t	 stack;
	uint64_t	 stack_size;
	uint64_t	 tls;
};

static void	 ct_report(int, int, int, const char *);
static void	 ct_exec(const struct ct_child *, const char *const *, int);
__attribute__((__noreturn__))
static void	 ct_init(struct ct_child *);
__attribute__((__noreturn__))
static void	 ct_local_child(struct ct_child *);
static int	 ct_place_fds(const struct ct_child *, int *, int *);
static void	 ct_wait_bridge(const struct ct_child *, pid_t);
static int	 ct_path_next(const char **, const char *, char *, size_t);

static void
ct_report(int fd, int kind, int wstatus, const char *msg)
{
	struct ct_status	 st;

	memset(&st, 0, sizeof(st));
	st.st_kind = kind;
	st.st_wstatus = wstatus;
	if (msg != NULL)
		(void)strlcpy(st.st_msg, msg, sizeof(st.st_msg));
	/* one write below PIPE_BUF is atomic; nothing to do if it fails */
	(void)!write(fd, &st, sizeof(st));
}

/* A step inside failed: say which and why, and give up the sandbox. */
void
ct_die(const struct ct_child *cc, const char *fmt, ...)
{
	char		 msg[200], full[240];
	va_list		 ap;
	int		 saved_errno = errno;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (saved_errno != 0)
		(void)snprintf(full, sizeof(full), "%s: %s", msg,
		    strerror(saved_errno));
	else
		(void)strlcpy(full, msg, sizeof(full));
	ct_report(cc->cc_statusfd, CT_ST_ERROR, 0, full);
	_exit(127);
}

/*
 * Nothing of what pid 1 had survives into what it starts: no
 * capability now or after an execve (securebits locked, bounding and
 * ambient sets empty), no_new_privs, and the job filter.  Inside its
 * own user namespace pid 1 still has CAP_SETPCAP to do all that.
 *
 * setfcap: keep CAP_SETFCAP, for a launcher running as root: the
 * kernel lets a user namespace map host uid 0 only when its creator
 * had that capability (a root-owned file capability written from
 * inside would be valid outside).  A root launcher without it could
 * build no sandbox at all; root without CAP_DAC_OVERRIDE still owns
 * the files it could put a capability on, so little is added.
 *
 * gvisor mode needs that capability in runsc, across an execve: only
 * the ambient set carries it there, so a root launcher may still raise
 * it into that set (ct_gvisor.c does, for runsc alone).  Everything
 * else calls this with setfcap 0, which locks the ambient set empty.
 */
int
ct_drop_caps(int setfcap)
{
	cap_t		 caps;
	cap_value_t	 cv, keep = CAP_SETFCAP;
	unsigned int	 bits;
	int		 r;

	bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
	    SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED;
	if (!setfcap)
		bits |= SECBIT_NO_CAP_AMBIENT_RAISE |
		    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	if (cap_set_secbits(bits) == -1 && errno != EPERM)
		return (-1);
	for (cv = 0; cv < 64 && (r = cap_get_bound(cv)) >= 0; cv++)
		if (r == 1 && !(setfcap && cv == keep) &&
		    cap_drop_bound(cv) == -1 && errno != EPERM)
			return (-1);
	if (cap_reset_ambient() == -1 && errno != EINVAL)
		return (-1);
	if ((caps = cap_init()) == NULL)
		return (-1);
	if (cap_clear(caps) == -1 ||
	    (setfcap && (cap_set_flag(caps, CAP_PERMITTED, 1, &keep,
	    CAP_SET) == -1 || cap_set_flag(caps, CAP_EFFECTIVE, 1, &keep,
	    CAP_SET) == -1)) || cap_set_proc(caps) == -1) {
		(void)cap_free(caps);
		return (-1);
	}
	(void)cap_free(caps);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return (-1);
	return (0);
}

/*
 * The next candidate for name along a PATH list, in buf; 0 at the end.
 * Empty and overlong entries are skipped.
 */
static int
ct_path_next(const char **pp, const char *name, char *buf, size_t len)
{
	const char	*p = *pp, *end;
	size_t		 n;

	while (*p != '\0') {
		if ((end = strchr(p, ':')) == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		*pp = p = *end != '\0' ? end + 1 : end;
		if (n == 0 || n + strlen(name) + 2 > len)
			continue;
		(void)snprintf(buf, len, "%.*s/%s", (int)n, end - n, name);
		return (1);
	}
	return (0);
}

/*
 * execve, with a PATH search when the name has no slash.  Returns only
 * on failure, having reported it; the status pipe is close-on-exec.
 */
static void
ct_exec(const struct ct_child *cc, const char *const *argv, int host)
{
	static const char *const	 noenv[] = {
		"PATH=" CT_DEFAULT_PATH, NULL
	};
	const char *const	*envp = cc->cc_spec->cs_envp;
	const char		*path = NULL;
	char			 buf[PATH_MAX];
	size_t			 i;
	int			 err = ENOENT;

	if (envp == NULL)
		envp = noenv;
	if (strchr(argv[0], '/') != NULL) {
		(void)execve(argv[0], (char *const *)(uintptr_t)argv,
		    (char *const *)(uintptr_t)envp);
		ct_die(cc, "execve %s", argv[0]);
	}
	for (i = 0; envp[i] != NULL; i++)
		if (strncmp(envp[i], "PATH=", 5) == 0)
			path = envp[i] + 5;
	if (path == NULL)
		path = CT_DEFAULT_PATH;
	while (ct_path_next(&path, argv[0], buf, sizeof(buf))) {
		(void)execve(buf, (char *const *)(uintptr_t)argv,
		    (char *const *)(uintptr_t)envp);
		if (errno != ENOENT && errno != ENOTDIR)
			err = errno;
	}
	errno = err;
	ct_die(cc, "execve %s%s", argv[0], host ? " (on the host)" : "");
}

/*
 * Move what the child keeps to fixed numbers: the command's stdio on
 * 0, 1, 2, the status pipe on 3, the go pipe on 4; close the rest (the
 * launcher's channel, other sandboxes' pipes).
 */
static int
ct_place_fds(const struct ct_child *cc, int *statusfd, int *gofd)
{
	const struct container_spec	*cs = cc->cc_spec;
	int				 want[5], tmp[5], i, nullfd = -1;

	want[0] = cs->cs_stdin;
	want[1] = cs->cs_stdout;
	want[2] = cs->cs_stderr;
	want[3] = cc->cc_statusfd;
	want[4] = cc->cc_gofd;
	for (i = 0; i < 5; i++) {
		if (want[i] == -1 && i < 3) {
			if (nullfd == -1 && (nullfd = open("/dev/null",
			    O_RDWR | O_CLOEXEC)) == -1)
				return (-1);
			want[i] = nullfd;
		}
		tmp[i] = -1;
		if (want[i] != -1 &&
		    (tmp[i] = fcntl(want[i], F_DUPFD_CLOEXEC, 100)) == -1)
			return (-1);
	}
	for (i = 0; i < 5; i++) {
		if (tmp[i] == -1)
			continue;
		if (dup3(tmp[i], i, i >= 3 ? O_CLOEXEC : 0) == -1)
			return (-1);
	}
	if (tmp[4] == -1)
		(void)close(4);
	if (close_range(5, ~0U, 0) == -1)
		return (-1);
	*statusfd = 3;
	*gofd = tmp[4] != -1 ? 4 : -1;
	return (0);
}

/* First thing in the child: die with the parent, keep only our fds. */
void
ct_child_begin(struct ct_child *cc)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		_exit(127);
	if (ct_place_fds(cc, &cc->cc_statusfd, &cc->cc_gofd) == -1)
		_exit(127);
}

/*
 * Wait until the parent has moved us into our cgroup; its byte is the
 * mask of the controllers in place (EOF: it is gone, or failed).
 */
void
ct_child_go(struct ct_child *cc)
{
	unsigned char	 mask;

	if (cc->cc_gofd == -1)
		return;
	if (read(cc->cc_gofd, &mask, 1) != 1)
		_exit(127);
	(void)close(cc->cc_gofd);
	cc->cc_gofd = -1;
	cc->cc_cgroup = mask;
}

/*
 * The command starts once the bridge listens, so that an agent's first
 * connection does not race it: connect to the port every millisecond,
 * for two seconds at most, while the bridge lives.
 */
#define CT_BRIDGE_WAIT_MS	2000

static void
ct_wait_bridge(const struct ct_child *cc, pid_t bridge)
{
	struct timespec		 ms = { 0, 1000000 };
	struct sockaddr_in	 sin;
	int			 i, s, st;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(cc->cc_spec->cs_proxy_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < CT_BRIDGE_WAIT_MS; i++) {
		if ((s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			ct_die(cc, "socket");
		if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			(void)close(s);
			return;
		}
		(void)close(s);
		if (waitpid(bridge, &st, WNOHANG) == bridge) {
			errno = 0;
			ct_die(cc, "the network bridge exited at start "
			    "(status 0x%x)", (unsigned int)st);
		}
		(void)nanosleep(&ms, NULL);
	}
	errno = 0;
	ct_die(cc, "the network bridge did not listen on 127.0.0.1:%u",
	    (unsigned int)cc->cc_spec->cs_proxy_port);
}

/* pid 1 of a container sandbox. */
static void
ct_init(struct ct_child *cc)
{
	const struct container_spec	*cs = cc->cc_spec;
	char				 buf[64], port[8];
	const char			*bargv[5];
	pid_t				 cmd, bridge = -1, w;
	int				 st, cmdst = 0, fd;

	ct_child_begin(cc);

	/* one uid and one gid, ours; no setgroups to shed a group */
	if ((fd = open("/proc/self/setgroups", O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(fd, "deny", 4) != 4 || close(fd) == -1)
		ct_die(cc, "setgroups deny");
	(void)snprintf(buf, sizeof(buf), "%u %u 1", (unsigned int)cc->cc_uid,
	    (unsigned int)cc->cc_uid);
	ct_write_file(cc, "/proc/self/uid_map", buf);
	(void)snprintf(buf, sizeof(buf), "%u %u 1", (unsigned int)cc->cc_gid,
	    (unsigned int)cc->cc_gid);
	ct_write_file(cc, "/proc/self/gid_map", buf);

	ct_root(cc);
	if (sethostname(CT_HOSTNAME, strlen(CT_HOSTNAME)) == -1)
		ct_die(cc, "sethostname");
	ct_loopback(cc);
	if (chdir(cs->cs_cwd != NULL ? cs->cs_cwd : "/workspace") == -1)
		ct_die(cc, "chdir %s", cs->cs_cwd != NULL ? cs->cs_cwd :
		    "/workspace");
	/*
	 * The parent made and joined our cgroup while we built the root;
	 * nothing of the job runs before we are in it.
	 */
	ct_child_go(cc);
	if (ct_rlimits(cs, cc->cc_cgroup) == -1)
		ct_die(cc, "setrlimit");
	if (ct_drop_caps(0) == -1)
		ct_die(cc, "drop capabilities");
	if (ct_seccomp_job() == -1)
		ct_die(cc, "job seccomp filter");

	if (cs->cs_proxy_port != 0) {
		(void)snprintf(port, sizeof(port), "%u",
		    (unsigned int)cs->cs_proxy_port);
		bargv[0] = "/run/oa/netbridge";
		bargv[1] = "127.0.0.1";
		bargv[2] = port;
		bargv[3] = "/run/oa/proxy.sock";
		bargv[4] = NULL;
		if ((bridge = fork()) == -1)
			ct_die(cc, "fork the bridge");
		if (bridge == 0) {
			(void)setsid();
			(void)execve(bargv[0], (char *const *)(uintptr_t)bargv,
			    NULL);
			ct_die(cc, "execve %s", bargv[0]);
		}
		ct_wait_bridge(cc, bridge);
	}
	if ((cmd = fork()) == -1)
		ct_die(cc, "fork the command");
	if (cmd == 0) {
		(void)setsid();
		ct_exec(cc, cs->cs_argv, 0);
		_exit(127);
	}
	/* stdio is the command's; pid 1 keeps only its pipe */
	(void)close(STDIN_FILENO);
	(void)close(STDOUT_FILENO);
	(void)close(STDERR_FILENO);

	/*
	 * Reap everything until the command is done, then end the rest
	 * (daemons it left behind, the bridge) and reap them too, so that
	 * their rusage counts and nothing outlives the sandbox.
	 */
	for (;;) {
		if ((w = waitpid(-1, &st, 0)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (w == cmd) {
			cmdst = st;
			cmd = -1;
			(void)kill(-1, SIGKILL);
		}
	}
	if (cmd != -1)
		_exit(127);
	ct_report(cc->cc_statusfd, CT_ST_EXIT, cmdst, NULL);
	_exit(WIFEXITED(cmdst) ? WEXITSTATUS(cmdst) : 128 + WTERMSIG(cmdst));
}

/* The child of local mode: the command itself, on the host. */
static void
ct_local_child(struct ct_child *cc)
{
	const struct container_spec	*cs = cc->cc_spec;
	char				 cwd[PATH_MAX];
	const char			*want;
	size_t				 i, n;

	ct_child_begin(cc);
	ct_child_go(cc);
	(void)setpgid(0, 0);

	/* paths of the spec are inside paths: map them through the binds */
	want = cs->cs_cwd != NULL ? cs->cs_cwd : "/workspace";
	cwd[0] = '\0';
	for (i = 0; i < cs->cs_nbinds; i++) {
		n = strlen(cs->cs_binds[i].cb_dst);
		if (strncmp(want, cs->cs_binds[i].cb_dst, n) == 0 &&
		    (want[n] == '\0' || want[n] == '/')) {
			(void)snprintf(cwd, sizeof(cwd), "%s%s",
			    cs->cs_binds[i].cb_src, want + n);
			break;
		}
	}
	/* a spec written for local mode names host paths itself */
	if (cwd[0] == '\0')
		(void)strlcpy(cwd, want, sizeof(cwd));
	if (chdir(cwd) == -1)
		ct_die(cc, "chdir %s", cwd);
	if (ct_rlimits(cs, cc->cc_cgroup) == -1)
		ct_die(cc, "setrlimit");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		ct_die(cc, "no_new_privs");
	ct_exec(cc, cs->cs_argv, 1);
	_exit(127);
}

/* The child exists: its status pipe is ours, its deadline runs. */
void
ct_started(struct ct_proc *cp, const struct container_spec *cs,
    int statusp[2])
{
	cp->cp_statusfd = statusp[0];
	statusp[0] = -1;
	(void)close(statusp[1]);
	statusp[1] = -1;
	if (cs->cs_time_limit_ms > 0)
		cp->cp_deadline_ms = cp->cp_start_ms + cs->cs_time_limit_ms;
}

/*
 * The child is in its cgroup: tell it to go, with the controllers it
 * got.  A socket, not a pipe: a child dead already is no SIGPIPE.
 */
void
ct_go(struct ct_proc *cp, int gop[2])
{
	unsigned char	 mask = (unsigned char)cp->cp_cg.cg_mask;

	if (send(gop[1], &mask, 1, MSG_NOSIGNAL) != 1 && errno != EPIPE)
		log_warn("sandbox: go");
	(void)close(gop[1]);
	gop[1] = -1;
}

/* What a start that failed leaves open. */
void
ct_start_undo(struct ct_proc *cp, int statusp[2], int gop[2])
{
	int	 i;

	for (i = 0; i < 2; i++) {
		if (statusp[i] != -1)
			(void)close(statusp[i]);
		if (gop[i] != -1)
			(void)close(gop[i]);
		statusp[i] = gop[i] = -1;
	}
	ct_cgroup_destroy(&cp->cp_cg);
}

int
ct_start(const struct container_spec *cs, const struct ct_env *env,
    struct ct_proc *cp, char *err, size_t errlen)
{
	struct ct_clone_args	 ca;
	struct ct_child		 cc;
	int			 statusp[2] = { -1, -1 }, gop[2] = { -1, -1 };
	int			 pidfd = -1, usecg;
	long			 pid;

	memset(cp, 0, sizeof(*cp));
	ct_cgroup_none(&cp->cp_cg);
	cp->cp_mode = cs->cs_mode;
	cp->cp_pid = -1;
	cp->cp_pidfd = -1;
	cp->cp_statusfd = -1;
	if (cs->cs_mode == ISOLATION_GVISOR)
		return (ct_gv_start(cs, env, cp, err, errlen));
	if (cs->cs_mode != ISOLATION_CONTAINER &&
	    cs->cs_mode != ISOLATION_LOCAL) {
		errbuf_set(err, errlen, "isolation %s: not available",
		    config_isolation_name(cs->cs_mode));
		return (-1);
	}
	if (cs->cs_argv == NULL || cs->cs_argv[0] == NULL) {
		errbuf_set(err, errlen, "no command");
		return (-1);
	}
	if (cs->cs_mode == ISOLATION_LOCAL)
		log_warnx("isolation local: the job runs on the host, "
		    "development only");
	else if (ct_seccomp_prepare() == -1) {
		errbuf_set(err, errlen, "job seccomp filter: %s",
		    strerror(errno));
		return (-1);
	}

	usecg = ct_cgroup_init() != 0;
	if (pipe2(statusp, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (usecg && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    gop) == -1)) {
		errbuf_set(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	/* the child writes blocking; only our end is non-blocking */
	if (fcntl(statusp[1], F_SETFL, 0) == -1) {
		errbuf_set(err, errlen, "fcntl: %s", strerror(errno));
		goto fail;
	}

	memset(&cc, 0, sizeof(cc));
	cc.cc_spec = cs;
	cc.cc_env = env;
	cc.cc_uid = getuid();
	cc.cc_gid = getgid();
	cc.cc_gofd = gop[0];
	cc.cc_statusfd = statusp[1];

	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_PIDFD;
	if (cs->cs_mode == ISOLATION_CONTAINER)
		ca.flags |= CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID |
		    CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	cp->cp_start_ms = now_monotonic_ms();
	if ((pid = syscall(SYS_clone3, &ca, sizeof(ca))) == -1) {
		errbuf_set(err, errlen, "clone3: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		if (cs->cs_mode == ISOLATION_CONTAINER)
			ct_init(&cc);
		ct_local_child(&cc);
	}
	cp->cp_pid = (pid_t)pid;
	cp->cp_pidfd = pidfd;
	ct_started(cp, cs, statusp);
	if (usecg) {
		/*
		 * The cgroup is made and joined while the child builds its
		 * root: a v1 attach waits for an RCU grace period, the
		 * longest step of a start on a busy machine.
		 */
		(void)close(gop[0]);
		gop[0] = -1;
		if (ct_cgroup_create(&cp->cp_cg, cs) == -1 ||
		    ct_cgroup_attach(&cp->cp_cg, cp->cp_pid) == -1) {
			/* closing the go pipe unread ends the child */
			errbuf_set(err, errlen, "cgroup of the sandbox: %s",
			    strerror(errno));
			(void)close(gop[1]);
			gop[1] = -1;
			while (waitpid(cp->cp_pid, NULL, 0) == -1 &&
			    errno == EINTR)
				;
			(void)close(cp->cp_pidfd);
			(void)close(cp->cp_statusfd);
			cp->cp_pid = cp->cp_pidfd = cp->cp_statusfd = -1;
			goto fail;
		}
		ct_go(cp, gop);
	}
	return (0);

 fail:
	ct_start_undo(cp, statusp, gop);
	return (-1);
}

/* The deadline or a cancel: the whole tree, now. */
void
ct_kill(struct ct_proc *cp)
{
	if (cp->cp_pid <= 0)
		return;
	if (cp->cp_mode == ISOLATION_GVISOR) {
		ct_gv_kill(cp);
		return;
	}
	/*
	 * pid 1 of a pid namespace takes everything in it along; the
	 * local child led its own process group.
	 */
	if (cp->cp_mode == ISOLATION_LOCAL)
		(void)kill(-cp->cp_pid, SIGKILL);
	(void)kill(cp->cp_pid, SIGKILL);
	ct_cgroup_kill(&cp->cp_cg);
}

/*
 * The child has ended (its pidfd is readable) or was killed: reap it,
 * read what it reported, account and tear down.  block: wait for it.
 */
int
ct_reaped(struct ct_proc *cp, int block, struct container_result *cr)
{
	struct ct_status	 st;
	struct rusage		 ru;
	pid_t			 w;
	int			 wstatus, have_exit = 0, have_err = 0;
	int			 cmdst = 0;

	if (cp->cp_mode == ISOLATION_GVISOR)
		return (ct_gv_reaped(cp, block, cr));
	memset(&ru, 0, sizeof(ru));
	do {
		w = wait4(cp->cp_pid, &wstatus, block ? 0 : WNOHANG, &ru);
	} while (w == -1 && errno == EINTR);
	if (w == 0)
		return (0);
	if (w == -1) {
		log_warn("sandbox: wait4 %d", (int)cp->cp_pid);
		wstatus = 0;
	}
	if (cp->cp_mode == ISOLATION_LOCAL)
		(void)kill(-cp->cp_pid, SIGKILL);

	memset(cr, 0, sizeof(*cr));
	cr->cr_duration_ms = now_monotonic_ms() - cp->cp_start_ms;
	while (read(cp->cp_statusfd, &st, sizeof(st)) == (ssize_t)sizeof(st)) {
		st.st_msg[sizeof(st.st_msg) - 1] = '\0';
		if (st.st_kind == CT_ST_ERROR && !have_err) {
			have_err = 1;
			(void)strlcpy(cr->cr_error, st.st_msg,
			    sizeof(cr->cr_error));
		} else if (st.st_kind == CT_ST_EXIT) {
			have_exit = 1;
			cmdst = st.st_wstatus;
		}
	}
	if (cp->cp_mode == ISOLATION_LOCAL && !have_err) {
		have_exit = 1;
		cmdst = wstatus;
	}
	if (have_exit && !have_err) {
		if (WIFEXITED(cmdst)) {
			cr->cr_exited = 1;
			cr->cr_exit_code = WEXITSTATUS(cmdst);
		} else if (WIFSIGNALED(cmdst))
			cr->cr_signal = WTERMSIG(cmdst);
	} else if (!have_err) {
		/* pid 1 itself was killed: by us, or by the OOM killer */
		cr->cr_signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
		if (!cp->cp_timed_out && !cp->cp_cancelled)
			(void)snprintf(cr->cr_error, sizeof(cr->cr_error),
			    "sandbox init ended early (status 0x%x)",
			    (unsigned int)wstatus);
	}
	cr->cr_timed_out = cp->cp_timed_out;
	cr->cr_cancelled = cp->cp_cancelled;
	cr->cr_peak_memory_kb = ru.ru_maxrss;
	cr->cr_cpu_seconds = (double)ru.ru_utime.tv_sec +
	    (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	    (double)ru.ru_stime.tv_usec / 1e6;
	ct_cgroup_stats(&cp->cp_cg, cr);
	if (cr->cr_oom && cr->cr_error[0] != '\0' && !have_err)
		cr->cr_error[0] = '\0';
	ct_cgroup_destroy(&cp->cp_cg);

	if (cp->cp_pidfd != -1)
		(void)close(cp->cp_pidfd);
	if (cp->cp_statusfd != -1)
		(void)close(cp->cp_statusfd);
	cp->cp_pidfd = cp->cp_statusfd = -1;
	cp->cp_pid = -1;
	return (1);
}

/* Can this machine build the sandbox?  A real one, running /bin/true. */
int
ct_probe(enum isolation_mode mode, char *err, size_t errlen)
{
	static const char *const	 argv[] = { "/bin/true", NULL };
	struct container_spec		 cs;
	struct container_result		 cr;
	struct ct_proc			 cp;
	char				 buf[256];

	switch (mode) {
	case ISOLATION_LOCAL:
		return (0);
	case ISOLATION_CONTAINER:
		break;
	case ISOLATION_GVISOR:
		return (ct_gv_probe(NULL, err, errlen));
	case ISOLATION_FIRECRACKER:
		errbuf_set(err, errlen, "firecracker: not available "
		    "(no microVM support in this build)");
		return (-1);
	}
	memset(&cs, 0, sizeof(cs));
	cs.cs_mode = mode;
	cs.cs_argv = argv;
	cs.cs_stdin = cs.cs_stdout = cs.cs_stderr = -1;
	cs.cs_time_limit_ms = 10000;
	buf[0] = '\0';
	if (ct_start(&cs, NULL, &cp, buf, sizeof(buf)) == -1) {
		errbuf_set(err, errlen, "container: %s", buf);
		return (-1);
	}
	(void)ct_reaped(&cp, 1, &cr);
	if (buf[0] != '\0' && cr.cr_error[0] == '\0')
		(void)strlcpy(cr.cr_error, buf, sizeof(cr.cr_error));
	if (cr.cr_error[0] != '\0' || !cr.cr_exited || cr.cr_exit_code != 0) {
		errbuf_set(err, errlen, "container: cannot build a sandbox "
		    "here: %s (status %d, signal %d)", cr.cr_error[0] != '\0' ?
		    cr.cr_error : "/bin/true failed", cr.cr_exit_code,
		    cr.cr_signal);
		return (-1);
	}
	return (0);
}

/* Is an executable of this name in $PATH? */
int
ct_in_path(const char *name)
{
	char	 buf[PATH_MAX];

	return (ct_path_find(name, buf, sizeof(buf)));
}

/* The same, with where: 1 and its path in buf, or 0. */
int
ct_path_find(const char *name, char *buf, size_t len)
{
	const char	*path;

	if ((path = getenv("PATH")) == NULL)
		path = CT_DEFAULT_PATH;
	while (ct_path_next(&path, name, buf, len))
		if (access(buf, X_OK) == 0)
			return (1);
	return (0);
}
