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
 * gvisor mode: the command runs under runsc, gVisor's OCI runtime, so
 * that what it calls meets gVisor's kernel in user space rather than
 * the host's.  The launcher writes an OCI bundle in a scratch folder of
 * its own (config.json, an empty root, runsc's state), starts
 * "runsc run" on it, and deletes it all when runsc is done.
 *
 * The bundle (ct_gvbundle.c) gives the same filesystem as container
 * mode, and the same limits where gVisor can hold them.  runsc
 * runs rootless (its sandbox in a user namespace of ours: the launcher
 * holds no capability) with no network at all, in the sandbox's cgroup
 * when there is one.
 *
 * The scratch folder is under $TMPDIR (or /tmp; ct_env's ce_scratch),
 * not the jobs folder: workerd may write anywhere in the jobs folder,
 * and a compromised workerd rewriting config.json between our write
 * and runsc's read would get binds the launcher never checked.
 *
 * What differs from container mode: runsc gets no job filter of ours
 * (it must still mount, unshare and ptrace; the sentry loads its own,
 * narrower one); /dev is gVisor's and writable, in the sentry's memory
 * (a read-only one refuses even writes to /dev/null); runsc opens the
 * bind sources by path, following symlinks, where container mode binds
 * the very file the launcher checked (ct_root.c), so a workerd racing
 * the launcher could still swap one; a command's fatal signal n comes
 * back from runsc as exit status 128 + n and is reported as the signal.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <sys/capability.h>

#include "log.h"
#include "util.h"
#include "ct.h"

/*
 * The cgroup holds runsc, its gofer and the sentry as well as the
 * command: room for them on top of the spec's memory limit.  Measured
 * with this runsc: about 60 MiB resident for a sandbox running true.
 */
#define GV_MEM_EXTRA_MB		128
#define GV_HELPER_MS		5000	/* runsc kill, runsc delete */
#define GV_GRACE_MS		500	/* runsc run, after runsc kill */
#define GV_TRIAL_MS		30000	/* the trial sandbox */
#define GV_LOG_MAX		(64 * 1024)
#define GV_RM_DEPTH		64

static const char *const gv_fallback[] = {
	"/usr/bin/runsc", "/usr/sbin/runsc", "/usr/local/bin/runsc",
};

static int	 gv_find(char *, size_t);
static int	 gv_helper(const char *, const char *const *);
static int	 gv_rmtree(int, const char *, int);
static void	 gv_cleanup(struct ct_proc *);
static void	 gv_log_error(const char *, char *, size_t);
static void	 gv_trial_spec(struct container_spec *);
static int	 gv_verdict(const struct container_result *, const char *,
		    char *, size_t);
static int	 gv_ambient_setfcap(void);

/*
 * CAP_SETFCAP, the one capability a root launcher keeps, into the
 * ambient set so that runsc has it after the execve: runsc maps uid 0
 * into its sandbox's user namespace, which needs it.
 */
static int
gv_ambient_setfcap(void)
{
	cap_t		 caps;
	cap_value_t	 cv = CAP_SETFCAP;
	int		 rc;

	if ((caps = cap_get_proc()) == NULL)
		return (-1);
	rc = cap_set_flag(caps, CAP_INHERITABLE, 1, &cv, CAP_SET) == -1 ||
	    cap_set_proc(caps) == -1 ? -1 : 0;
	(void)cap_free(caps);
	if (rc == 0 && cap_set_ambient(cv, CAP_SET) == -1)
		rc = -1;
	return (rc);
}

/* runsc in $PATH, else where Debian and the upstream installer put it. */
static int
gv_find(char *buf, size_t len)
{
	size_t	 i;

	if (ct_path_find("runsc", buf, len))
		return (0);
	for (i = 0; i < sizeof(gv_fallback) / sizeof(gv_fallback[0]); i++)
		if (access(gv_fallback[i], X_OK) == 0) {
			(void)strlcpy(buf, gv_fallback[i], len);
			return (0);
		}
	return (-1);
}

/* runsc's own word on why it failed: the last error of its log. */
static void
gv_log_error(const char *dir, char *buf, size_t len)
{
	char	 path[GV_PATH], *log, *line, *next, *m, *o;
	ssize_t	 n;
	int	 fd;

	buf[0] = '\0';
	(void)snprintf(path, sizeof(path), "%s/runsc.log", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return;
	if ((log = malloc(GV_LOG_MAX + 1)) == NULL) {
		(void)close(fd);
		return;
	}
	n = read(fd, log, GV_LOG_MAX);
	(void)close(fd);
	log[n > 0 ? n : 0] = '\0';
	for (line = log; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strstr(line, "\"level\":\"error\"") == NULL ||
		    (m = strstr(line, "\"msg\":\"")) == NULL)
			continue;
		/* the message up to its closing quote, unescaped */
		for (m += 7, o = buf; *m != '\0' && *m != '"' &&
		    (size_t)(o - buf) + 1 < len; m++) {
			if (*m == '\\' && m[1] != '\0')
				m++;
			*o++ = *m;
		}
		*o = '\0';
	}
	free(log);
}

/*
 * runsc kill or delete, bounded in time; its output goes nowhere.
 * Returns its exit status, or -1.
 */
static int
gv_helper(const char *runsc, const char *const *args)
{
	static const char *const	 envp[] = { GV_ENV_PATH, NULL };
	struct pollfd			 pfd;
	pid_t				 pid;
	int				 nullfd, st, r;

	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		if ((nullfd = open("/dev/null", O_RDWR)) == -1 ||
		    dup2(nullfd, 0) == -1 || dup2(nullfd, 1) == -1 ||
		    dup2(nullfd, 2) == -1 || close_range(3, ~0U, 0) == -1)
			_exit(127);
		(void)setsid();
		(void)execve(runsc, (char *const *)(uintptr_t)args,
		    (char *const *)(uintptr_t)envp);
		_exit(127);
	}
	if ((pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0)) != -1) {
		pfd.events = POLLIN;
		do {
			r = poll(&pfd, 1, GV_HELPER_MS);
		} while (r == -1 && errno == EINTR);
		if (r == 0) {
			log_warnx("gvisor: %s %s: no answer in %d ms",
			    runsc, args[3], GV_HELPER_MS);
			(void)kill(pid, SIGKILL);
		}
		(void)close(pfd.fd);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return (-1);
	return (WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* rm -rf below dirfd, never through a symlink. */
static int
gv_rmtree(int dirfd, const char *name, int depth)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd, rc = 0;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return (0);
	if (errno != EISDIR && errno != EPERM)
		return (-1);
	if (depth > GV_RM_DEPTH || (fd = openat(dirfd, name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return (-1);
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (gv_rmtree(fd, de->d_name, depth + 1) == -1)
			rc = -1;
	}
	(void)closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) == -1)
		rc = -1;
	return (rc);
}

/*
 * After runsc: if it left its container behind (it was killed, or
 * failed half-way), runsc delete --force ends the sandbox and the
 * gofer; then the whole scratch folder goes.
 */
static void
gv_cleanup(struct ct_proc *cp)
{
	char		 runsc[PATH_MAX], state[GV_PATH];
	const char	*args[8];
	DIR		*d;
	struct dirent	*de;
	int		 left = 0;

	if (cp->cp_gvdir[0] == '\0')
		return;
	(void)snprintf(state, sizeof(state), "%s/state", cp->cp_gvdir);
	if ((d = opendir(state)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				left = 1;
		(void)closedir(d);
	}
	if (left && gv_find(runsc, sizeof(runsc)) == 0) {
		args[0] = "runsc";
		args[1] = "--root";
		args[2] = state;
		args[3] = "delete";
		args[4] = "--force";
		args[5] = cp->cp_gvid;
		args[6] = NULL;
		if (gv_helper(runsc, args) != 0)
			log_warnx("gvisor: runsc delete %s failed", cp->cp_gvid);
	}
	if (gv_rmtree(AT_FDCWD, cp->cp_gvdir, 0) == -1)
		log_warn("gvisor: remove %s", cp->cp_gvdir);
	cp->cp_gvdir[0] = '\0';
}

int
ct_gv_start(const struct container_spec *cs, const struct ct_env *env,
    struct ct_proc *cp, char *err, size_t errlen)
{
	struct container_spec	 lim;
	struct ct_child		 cc;
	char			 runsc[PATH_MAX], state[GV_PATH];
	char			 logarg[GV_PATH], bundle[GV_PATH];
	char			 rootarg[GV_PATH + 8];
	const char		*base, *args[16], *slash;
	const char *const	 envp[] = { GV_ENV_PATH, NULL };
	int			 statusp[2] = { -1, -1 }, gop[2] = { -1, -1 };
	int			 n = 0, usecg;
	pid_t			 pid;

	if (gv_find(runsc, sizeof(runsc)) == -1) {
		errbuf_set(err, errlen, "gvisor: runsc not installed "
		    "(apt-get install runsc)");
		return (-1);
	}
	if (cs->cs_argv == NULL || cs->cs_argv[0] == NULL) {
		errbuf_set(err, errlen, "no command");
		return (-1);
	}
	if (cs->cs_proxy_port != 0 && (cs->cs_proxy_socket == NULL ||
	    env == NULL || env->ce_netbridge == NULL)) {
		errbuf_set(err, errlen, "gvisor: proxy port %u: %s",
		    (unsigned int)cs->cs_proxy_port, cs->cs_proxy_socket ==
		    NULL ? "no proxy socket" : "the network bridge "
		    "openagents-netbridge is not installed");
		return (-1);
	}
	if ((base = env != NULL ? env->ce_scratch : NULL) == NULL &&
	    ((base = getenv("TMPDIR")) == NULL || base[0] != '/'))
		base = "/tmp";
	if ((size_t)snprintf(cp->cp_gvdir, sizeof(cp->cp_gvdir),
	    "%s/oa-gvisor.XXXXXX", base) >= sizeof(cp->cp_gvdir) - 64 ||
	    mkdtemp(cp->cp_gvdir) == NULL) {
		errbuf_set(err, errlen, "gvisor: scratch folder in %s: %s",
		    base, strerror(errno));
		cp->cp_gvdir[0] = '\0';
		return (-1);
	}
	slash = strrchr(cp->cp_gvdir, '.');
	(void)snprintf(cp->cp_gvid, sizeof(cp->cp_gvid), "oa-%s-%d",
	    slash + 1, (int)getpid());
	(void)snprintf(state, sizeof(state), "%s/state", cp->cp_gvdir);
	if (mkdir(state, 0700) == -1) {
		errbuf_set(err, errlen, "gvisor: %s: %s", state,
		    strerror(errno));
		goto fail;
	}

	/*
	 * The cgroup first: what it cannot bound becomes an rlimit of
	 * gVisor's kernel in config.json.  It holds runsc too, hence the
	 * extra room.
	 */
	usecg = ct_cgroup_init() != 0;
	lim = *cs;
	if (lim.cs_memory_mb > 0)
		lim.cs_memory_mb += GV_MEM_EXTRA_MB;
	/*
	 * Not the pids: with the ptrace platform the host sees a stub
	 * process per address space and a thread in it per sentry
	 * thread that ran it, no count the spec's limit maps onto.  The
	 * sentry's RLIMIT_NPROC counts the command's tasks instead.
	 */
	lim.cs_pids = 0;
	if (usecg && ct_cgroup_create(&cp->cp_cg, &lim) == -1) {
		errbuf_set(err, errlen, "cgroup of the sandbox: %s",
		    strerror(errno));
		goto fail;
	}
	if (ct_gv_bundle(cs, env, &cp->cp_cg, cp->cp_gvdir) == -1) {
		errbuf_set(err, errlen, "gvisor: the bundle in %s: %s",
		    cp->cp_gvdir, strerror(errno));
		goto fail;
	}

	(void)snprintf(rootarg, sizeof(rootarg), "--root=%s", state);
	(void)snprintf(logarg, sizeof(logarg), "--log=%s/runsc.log",
	    cp->cp_gvdir);
	(void)snprintf(bundle, sizeof(bundle), "--bundle=%s", cp->cp_gvdir);
	args[n++] = "runsc";
	args[n++] = rootarg;
	/* the sandbox in a user namespace of ours: we hold no capability */
	args[n++] = "--rootless";
	args[n++] = "--network=none";
	/* the cgroup is ours, made above, with runsc inside it */
	args[n++] = "--ignore-cgroups";
	/* ptrace: needs neither /dev/kvm nor privileges */
	args[n++] = "--platform=ptrace";
	args[n++] = logarg;
	/* connect(2) to a bound host socket: the proxy's, nothing else */
	if (cs->cs_proxy_socket != NULL)
		args[n++] = "--host-uds=open";
	args[n++] = "run";
	args[n++] = bundle;
	args[n++] = cp->cp_gvid;
	args[n] = NULL;

	if (pipe2(statusp, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    fcntl(statusp[1], F_SETFL, 0) == -1 ||
	    (usecg && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    gop) == -1)) {
		errbuf_set(err, errlen, "pipe: %s", strerror(errno));
		goto fail;
	}
	memset(&cc, 0, sizeof(cc));
	cc.cc_spec = cs;
	cc.cc_env = env;
	cc.cc_uid = getuid();
	cc.cc_gid = getgid();
	cc.cc_gofd = gop[0];
	cc.cc_statusfd = statusp[1];
	cp->cp_start_ms = now_monotonic_ms();
	if ((pid = fork()) == -1) {
		errbuf_set(err, errlen, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		ct_child_begin(&cc);
		ct_child_go(&cc);
		/* a session of its own, so the deadline reaches all of runsc */
		(void)setsid();
		/*
		 * As root, keep CAP_SETFCAP only: runsc maps uid 0 into
		 * the user namespace of its sandbox, which the kernel
		 * allows only with it (see ct_drop_caps()).
		 */
		if (ct_drop_caps(getuid() == 0) == -1 ||
		    (getuid() == 0 && gv_ambient_setfcap() == -1))
			ct_die(&cc, "drop capabilities");
		(void)execve(runsc, (char *const *)(uintptr_t)args,
		    (char *const *)(uintptr_t)envp);
		ct_die(&cc, "execve %s", runsc);
	}
	cp->cp_pid = pid;
	if ((cp->cp_pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1) {
		errbuf_set(err, errlen, "pidfd_open: %s", strerror(errno));
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		cp->cp_pid = -1;
		goto fail;
	}
	ct_started(cp, cs, statusp);
	if (usecg) {
		(void)close(gop[0]);
		gop[0] = -1;
		if (ct_cgroup_attach(&cp->cp_cg, pid) == -1) {
			errbuf_set(err, errlen, "cgroup of the sandbox: %s",
			    strerror(errno));
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, NULL, 0);
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
	gv_cleanup(cp);
	return (-1);
}

/*
 * The deadline or a cancel: every process of the container through
 * runsc, then runsc itself and all it started (its session; the
 * cgroup, where there is one).  What is left, runsc delete ends.
 */
void
ct_gv_kill(struct ct_proc *cp)
{
	char		 runsc[PATH_MAX], state[GV_PATH];
	const char	*args[8];
	struct pollfd	 pfd;

	if (cp->cp_gvdir[0] != '\0' && gv_find(runsc, sizeof(runsc)) == 0) {
		(void)snprintf(state, sizeof(state), "%s/state",
		    cp->cp_gvdir);
		args[0] = "runsc";
		args[1] = "--root";
		args[2] = state;
		args[3] = "kill";
		args[4] = "--all";
		args[5] = cp->cp_gvid;
		args[6] = "KILL";
		args[7] = NULL;
		(void)gv_helper(runsc, args);
	}
	/*
	 * runsc run sees its container end and tears the sandbox down
	 * itself, in a few tens of milliseconds; killed before that, it
	 * leaves the teardown to runsc delete, which takes seconds.
	 */
	if (cp->cp_pidfd != -1) {
		pfd.fd = cp->cp_pidfd;
		pfd.events = POLLIN;
		while (poll(&pfd, 1, GV_GRACE_MS) == -1 && errno == EINTR)
			;
	}
	(void)kill(-cp->cp_pid, SIGKILL);
	(void)kill(cp->cp_pid, SIGKILL);
	ct_cgroup_kill(&cp->cp_cg);
}

int
ct_gv_reaped(struct ct_proc *cp, int block, struct container_result *cr)
{
	struct ct_status	 st;
	struct rusage		 ru;
	char			 why[200];
	pid_t			 w;
	int			 wstatus, code, have_err = 0;

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
	/* runsc's session: whatever of it is still there */
	(void)kill(-cp->cp_pid, SIGKILL);

	memset(cr, 0, sizeof(*cr));
	cr->cr_duration_ms = now_monotonic_ms() - cp->cp_start_ms;
	while (read(cp->cp_statusfd, &st, sizeof(st)) == (ssize_t)sizeof(st))
		if (st.st_kind == CT_ST_ERROR && !have_err) {
			st.st_msg[sizeof(st.st_msg) - 1] = '\0';
			have_err = 1;
			(void)strlcpy(cr->cr_error, st.st_msg,
			    sizeof(cr->cr_error));
		}
	cr->cr_timed_out = cp->cp_timed_out;
	cr->cr_cancelled = cp->cp_cancelled;
	if (have_err)
		;
	else if (cp->cp_timed_out || cp->cp_cancelled)
		cr->cr_signal = SIGKILL;
	else if (WIFEXITED(wstatus)) {
		code = WEXITSTATUS(wstatus);
		gv_log_error(cp->cp_gvdir, why, sizeof(why));
		/*
		 * runsc says 128 for its own failures, with the reason in
		 * its log, and 128 + n for a command ended by signal n.
		 */
		if (code == 128 && why[0] != '\0')
			(void)snprintf(cr->cr_error, sizeof(cr->cr_error),
			    "gvisor: %s", why);
		else if (code > 128 && code < 128 + NSIG)
			cr->cr_signal = code - 128;
		else {
			cr->cr_exited = 1;
			cr->cr_exit_code = code;
		}
	} else if (WIFSIGNALED(wstatus)) {
		cr->cr_signal = WTERMSIG(wstatus);
		(void)snprintf(cr->cr_error, sizeof(cr->cr_error),
		    "gvisor: runsc ended by signal %d", WTERMSIG(wstatus));
	}
	cr->cr_peak_memory_kb = ru.ru_maxrss;
	cr->cr_cpu_seconds = (double)ru.ru_utime.tv_sec +
	    (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	    (double)ru.ru_stime.tv_usec / 1e6;
	ct_cgroup_stats(&cp->cp_cg, cr);
	if (cr->cr_oom && !have_err)
		cr->cr_error[0] = '\0';
	gv_cleanup(cp);
	ct_cgroup_kill(&cp->cp_cg);
	ct_cgroup_destroy(&cp->cp_cg);

	if (cp->cp_pidfd != -1)
		(void)close(cp->cp_pidfd);
	if (cp->cp_statusfd != -1)
		(void)close(cp->cp_statusfd);
	cp->cp_pidfd = cp->cp_statusfd = -1;
	cp->cp_pid = -1;
	return (1);
}

/* The trial sandbox: /bin/true, bounded in time. */
static void
gv_trial_spec(struct container_spec *cs)
{
	static const char *const	 argv[] = { "/bin/true", NULL };

	memset(cs, 0, sizeof(*cs));
	cs->cs_mode = ISOLATION_GVISOR;
	cs->cs_argv = argv;
	cs->cs_stdin = cs->cs_stdout = cs->cs_stderr = -1;
	cs->cs_time_limit_ms = GV_TRIAL_MS;
}

/* What the trial says: 0, or -1 and runsc's reason in err. */
static int
gv_verdict(const struct container_result *cr, const char *out, char *err,
    size_t errlen)
{
	const char	*why;

	if (cr->cr_timed_out) {
		errbuf_set(err, errlen, "gvisor: runsc did not run /bin/true "
		    "in %d ms", GV_TRIAL_MS);
		return (-1);
	}
	if (cr->cr_error[0] == '\0' && cr->cr_exited && cr->cr_exit_code == 0)
		return (0);
	why = cr->cr_error[0] != '\0' ? cr->cr_error : out[0] != '\0' ? out :
	    "/bin/true failed";
	if (strncmp(why, "gvisor: ", 8) == 0)
		why += 8;
	errbuf_set(err, errlen, "gvisor: runsc cannot run a sandbox here: %s "
	    "(status %d, signal %d)", why, cr->cr_exit_code, cr->cr_signal);
	return (-1);
}

/*
 * Is there a runsc?  For the launcher's first word, which workerd waits
 * for; the launcher tries a real sandbox when a job first asks for
 * gvisor (ct_launcher.c).
 */
int
ct_gv_present(char *err, size_t errlen)
{
	char	 runsc[PATH_MAX];

	if (gv_find(runsc, sizeof(runsc)) == -1) {
		errbuf_set(err, errlen, "gvisor: runsc not installed "
		    "(apt-get install runsc)");
		return (-1);
	}
	return (0);
}

/*
 * Can runsc build a sandbox here?  One real run of /bin/true, with
 * runsc's own reason when it cannot.
 */
int
ct_gv_probe(const struct ct_env *env, char *err, size_t errlen)
{
	struct container_spec		 cs;
	struct container_result		 cr;
	struct ct_proc			 cp;
	struct pollfd			 pfd;
	char				 buf[256], out[200];
	ssize_t				 n;
	int				 r, fd;

	/* what runsc says on stderr, when its log has no error */
	if ((fd = memfd_create("gv-trial", MFD_CLOEXEC)) == -1) {
		errbuf_set(err, errlen, "gvisor: memfd_create: %s",
		    strerror(errno));
		return (-1);
	}
	gv_trial_spec(&cs);
	cs.cs_stdout = cs.cs_stderr = fd;
	memset(&cp, 0, sizeof(cp));
	ct_cgroup_none(&cp.cp_cg);
	cp.cp_mode = ISOLATION_GVISOR;
	cp.cp_pid = cp.cp_pidfd = cp.cp_statusfd = -1;
	buf[0] = '\0';
	if (ct_gv_start(&cs, env, &cp, buf, sizeof(buf)) == -1) {
		(void)close(fd);
		errbuf_set(err, errlen, "%s", buf);
		return (-1);
	}
	pfd.fd = cp.cp_pidfd;
	pfd.events = POLLIN;
	do {
		r = poll(&pfd, 1, GV_TRIAL_MS);
	} while (r == -1 && errno == EINTR);
	if (r != 1) {
		cp.cp_timed_out = 1;
		ct_gv_kill(&cp);
	}
	(void)ct_gv_reaped(&cp, 1, &cr);
	n = pread(fd, out, sizeof(out) - 1, 0);
	(void)close(fd);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return (gv_verdict(&cr, out, err, errlen));
}
