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
 * The launcher: forked by workerd before workerd confines itself,
 * because Landlock would forbid mount and pivot_root to it and to all
 * its children.  It keeps no capability of the initial namespace,
 * sets no_new_privs and its own seccomp filter (ct_seccomp.c), but no
 * Landlock: it must bind /usr and the rest into every sandbox.
 *
 * Its only peer is workerd, and a compromised workerd is what it
 * guards against: every request is checked (binds and the proxy
 * socket from the jobs folder only, destinations outside the places
 * the sandbox itself provides, sane limits); a bad one is refused and
 * logged.  It exits when workerd's end of the channel closes, killing
 * the sandboxes still running.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

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
#include <bsd/sys/queue.h>

#include "imsg.h"
#include "log.h"
#include "util.h"
#include "ct.h"

#define LR_MAX_RUNS	64
#define LR_MAX_MB	(1LL << 20)		/* a TiB */
#define LR_MAX_PIDS	(1LL << 22)
#define LR_MAX_MS	(30LL * 24 * 3600 * 1000)

struct lrun {
	TAILQ_ENTRY(lrun)	 entry;
	uint32_t		 id;
	struct ct_spec		 spec;
	struct ct_proc		 proc;
};

static struct {
	struct imsgbuf		 ibuf;
	char			 jobs[PATH_MAX];	/* "" : no binds at all */
	char			 bridge[PATH_MAX];
	char			 scratch[PATH_MAX];	/* gvisor bundles */
	struct ct_env		 env;
	TAILQ_HEAD(, lrun)	 runs;
	int			 nruns;
	uint32_t		 pend_id;
	int			 pend_fd[3];
	int			 gv_tried;	/* 1: ok, -1: failed */
	char			 gv_err[256];
} L;

static void	 lr_pending_clear(void);
static int	 lr_under_jobs(const char *);
static int	 lr_src_allowed(const char *, int);
static int	 lr_check_path(const char *, int);
static int	 lr_check(struct ct_spec *, char *, size_t);
static void	 lr_done(uint32_t, const struct container_result *);
static void	 lr_fail(uint32_t, const char *);
static void	 lr_run(struct imsg *);
static void	 lr_fd(struct imsg *);
static void	 lr_cancel(uint32_t);
static void	 lr_dispatch(void);
static int	 lr_gv_trial(void);
static void	 lr_reaped(struct lrun *, const struct container_result *);
__attribute__((__noreturn__))
static void	 lr_shutdown(int);

static void
lr_pending_clear(void)
{
	int	 i;

	for (i = 0; i < 3; i++) {
		if (L.pend_fd[i] != -1)
			(void)close(L.pend_fd[i]);
		L.pend_fd[i] = -1;
	}
}

static int
lr_under_jobs(const char *real)
{
	size_t	 n = strlen(L.jobs);

	return (n > 0 && strncmp(real, L.jobs, n) == 0 &&
	    (real[n] == '/' || real[n] == '\0'));
}

/*
 * Where a bind may come from.  Writable binds only from the jobs
 * folder.  Read-only ones also from elsewhere, since the agent program
 * and a file:// source the operator allowed live where the operator
 * put them: but only a program (a regular file with an execute bit)
 * or a git repository, never the system's folders, the provider's own
 * folder around the jobs (identity, ledger, control socket), or a
 * folder that holds it.  A compromised workerd gets no more than
 * that.
 */
static int
lr_src_allowed(const char *real, int rw)
{
	static const char *const	 system[] = {
		"/etc", "/proc", "/sys", "/dev", "/boot", "/run", "/var/lib",
		"/var/log", "/root/.ssh",
	};
	char				 provider[PATH_MAX], git[PATH_MAX];
	char				*slash;
	struct stat			 sb;
	size_t				 i, n;

	if (lr_under_jobs(real))
		return (1);
	if (rw || L.jobs[0] == '\0')
		return (0);
	for (i = 0; i < sizeof(system) / sizeof(system[0]); i++) {
		n = strlen(system[i]);
		if (strncmp(real, system[i], n) == 0 &&
		    (real[n] == '/' || real[n] == '\0'))
			return (0);
	}
	(void)strlcpy(provider, L.jobs, sizeof(provider));
	if ((slash = strrchr(provider, '/')) == NULL || slash == provider)
		return (0);
	*slash = '\0';
	n = strlen(provider);
	if (strncmp(real, provider, n) == 0 &&
	    (real[n] == '/' || real[n] == '\0'))
		return (0);
	n = strlen(real);
	if (strncmp(provider, real, n) == 0 &&
	    (provider[n] == '/' || n == 1))
		return (0);
	if (stat(real, &sb) == -1)
		return (0);
	if (S_ISREG(sb.st_mode))
		return ((sb.st_mode & 0111) != 0);
	if (!S_ISDIR(sb.st_mode))
		return (0);
	/* a work tree, or a bare repository */
	if ((size_t)snprintf(git, sizeof(git), "%s/.git", real) < sizeof(git) &&
	    stat(git, &sb) == 0)
		return (1);
	if ((size_t)snprintf(git, sizeof(git), "%s/HEAD", real) < sizeof(git) &&
	    stat(git, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (size_t)snprintf(git, sizeof(git), "%s/objects", real) <
	    sizeof(git) && stat(git, &sb) == 0 && S_ISDIR(sb.st_mode))
		return (1);
	return (0);
}

/* Absolute, no "." or ".." component, no empty one. */
static int
lr_check_path(const char *p, int allow_root)
{
	const char	*c;
	size_t		 n;

	if (p[0] != '/' || strlen(p) >= PATH_MAX)
		return (-1);
	if (p[1] == '\0')
		return (allow_root ? 0 : -1);
	for (c = p + 1; ; c += n + 1) {
		n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return (-1);
		if (c[n] == '\0')
			return (0);
	}
}

/*
 * Everything workerd asks for, checked.  Bind sources and the proxy
 * socket are resolved here and replaced by their real paths, which the
 * sandbox then opens without following symlinks.
 */
static int
lr_check(struct ct_spec *sp, char *err, size_t errlen)
{
	static const char *const	 reserved[] = {
		"/proc", "/dev", "/run/oa", "/.oldroot",
	};
	struct container_spec		*cs = &sp->s;
	struct stat			 sb;
	char				 real[PATH_MAX], *dup;
	size_t				 i, j, n;

	if (cs->cs_mode != ISOLATION_CONTAINER &&
	    cs->cs_mode != ISOLATION_LOCAL && cs->cs_mode != ISOLATION_GVISOR) {
		errbuf_set(err, errlen, "isolation %s: not available",
		    config_isolation_name(cs->cs_mode));
		return (-1);
	}
	if (cs->cs_time_limit_ms < 0 || cs->cs_time_limit_ms > LR_MAX_MS ||
	    cs->cs_memory_mb < 0 || cs->cs_memory_mb > LR_MAX_MB ||
	    cs->cs_disk_mb < 0 || cs->cs_disk_mb > LR_MAX_MB ||
	    cs->cs_pids < 0 || cs->cs_pids > LR_MAX_PIDS ||
	    cs->cs_cpu_millis < 0 || cs->cs_cpu_millis > 1000 * 4096) {
		errbuf_set(err, errlen, "limits out of range");
		return (-1);
	}
	if (cs->cs_cwd != NULL && lr_check_path(cs->cs_cwd, 1) == -1) {
		errbuf_set(err, errlen, "bad working directory");
		return (-1);
	}
	for (i = 0; i < cs->cs_nbinds; i++) {
		if (lr_check_path(cs->cs_binds[i].cb_dst, 0) == -1 ||
		    lr_check_path(cs->cs_binds[i].cb_src, 0) == -1) {
			errbuf_set(err, errlen, "bind %zu: bad path", i);
			return (-1);
		}
		for (j = 0; j < sizeof(reserved) / sizeof(reserved[0]); j++) {
			n = strlen(reserved[j]);
			if (strncmp(cs->cs_binds[i].cb_dst, reserved[j],
			    n) == 0 && (cs->cs_binds[i].cb_dst[n] == '\0' ||
			    cs->cs_binds[i].cb_dst[n] == '/')) {
				errbuf_set(err, errlen, "bind %zu: %s is the "
				    "sandbox's own", i, reserved[j]);
				return (-1);
			}
		}
		if (realpath(cs->cs_binds[i].cb_src, real) == NULL ||
		    !lr_src_allowed(real, cs->cs_binds[i].cb_rw) ||
		    stat(real, &sb) == -1 ||
		    (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))) {
			errbuf_set(err, errlen, "bind %zu: source %s may not "
			    "be bound%s", i, cs->cs_binds[i].cb_src,
			    cs->cs_binds[i].cb_rw ? " writable" : "");
			return (-1);
		}
		if ((dup = strdup(real)) == NULL) {
			errbuf_set(err, errlen, "out of memory");
			return (-1);
		}
		free(sp->bsrc[i]);
		sp->bsrc[i] = dup;
		cs->cs_binds[i].cb_src = dup;
	}
	if (cs->cs_proxy_socket != NULL) {
		if (realpath(cs->cs_proxy_socket, real) == NULL ||
		    !lr_under_jobs(real) || stat(real, &sb) == -1 ||
		    !S_ISSOCK(sb.st_mode)) {
			errbuf_set(err, errlen, "proxy socket %s is not a "
			    "socket in the jobs folder", cs->cs_proxy_socket);
			return (-1);
		}
		if ((dup = strdup(real)) == NULL) {
			errbuf_set(err, errlen, "out of memory");
			return (-1);
		}
		free(sp->proxy);
		sp->proxy = dup;
		cs->cs_proxy_socket = dup;
	}
	if (cs->cs_proxy_port != 0 && cs->cs_mode != ISOLATION_LOCAL) {
		if (cs->cs_proxy_socket == NULL) {
			errbuf_set(err, errlen, "proxy port without a proxy "
			    "socket");
			return (-1);
		}
		if (L.env.ce_netbridge == NULL) {
			errbuf_set(err, errlen, "proxy port %u: the network "
			    "bridge openagents-netbridge is not installed",
			    (unsigned int)cs->cs_proxy_port);
			return (-1);
		}
	}
	return (0);
}

static void
lr_done(uint32_t id, const struct container_result *cr)
{
	if (imsg_compose(&L.ibuf, CT_MSG_DONE, id, 0, -1, cr,
	    sizeof(*cr)) == -1)
		fatal("%s: imsg_compose", __func__);
}

static void
lr_fail(uint32_t id, const char *why)
{
	struct container_result	 cr;

	memset(&cr, 0, sizeof(cr));
	(void)strlcpy(cr.cr_error, why, sizeof(cr.cr_error));
	lr_done(id, &cr);
}

static void
lr_fd(struct imsg *imsg)
{
	uint8_t		 idx;
	uint32_t	 id = imsg_get_id(imsg);
	int		 fd = imsg_get_fd(imsg), i, any = 0;

	for (i = 0; i < 3; i++)
		any |= L.pend_fd[i] != -1;
	if (fd == -1 || imsg_get_data(imsg, &idx, sizeof(idx)) == -1 ||
	    idx > 2 || (any && id != L.pend_id) || L.pend_fd[idx] != -1) {
		log_warnx("refused: a stray descriptor for sandbox %u", id);
		if (fd != -1)
			(void)close(fd);
		lr_pending_clear();
		return;
	}
	L.pend_id = id;
	L.pend_fd[idx] = fd;
}

static void
lr_run(struct imsg *imsg)
{
	struct ibuf	 payload;
	struct lrun	*r, *o;
	char		 err[256];
	uint32_t	 id = imsg_get_id(imsg);
	int		 i, fd[3];

	for (i = 0; i < 3; i++) {
		fd[i] = id == L.pend_id ? L.pend_fd[i] : -1;
		if (id == L.pend_id)
			L.pend_fd[i] = -1;
	}
	lr_pending_clear();
	if ((r = calloc(1, sizeof(*r))) == NULL)
		fatal("%s: calloc", __func__);
	r->id = id;
	if (imsg_get_ibuf(imsg, &payload) == -1 ||
	    ct_spec_decode(&payload, &r->spec) == -1) {
		log_warnx("refused: sandbox %u: a malformed request", id);
		lr_fail(id, "malformed request");
		goto out;
	}
	for (i = 0; i < 3; i++)
		if (((r->spec.fdmask >> i) & 1) != (fd[i] != -1)) {
			log_warnx("refused: sandbox %u: descriptors do not "
			    "match the request", id);
			lr_fail(id, "descriptors do not match the request");
			goto out;
		}
	TAILQ_FOREACH(o, &L.runs, entry)
		if (o->id == id) {
			log_warnx("refused: sandbox %u is running already", id);
			lr_fail(id, "sandbox id in use");
			goto out;
		}
	if (L.nruns >= LR_MAX_RUNS) {
		log_warnx("refused: sandbox %u: %d running", id, L.nruns);
		lr_fail(id, "too many sandboxes");
		goto out;
	}
	if (lr_check(&r->spec, err, sizeof(err)) == -1) {
		log_warnx("refused: sandbox %u: %s", id, err);
		lr_fail(id, err);
		goto out;
	}
	if (r->spec.s.cs_mode == ISOLATION_GVISOR && lr_gv_trial() == -1) {
		lr_fail(id, L.gv_err);
		goto out;
	}
	r->spec.s.cs_stdin = fd[0];
	r->spec.s.cs_stdout = fd[1];
	r->spec.s.cs_stderr = fd[2];
	if (ct_start(&r->spec.s, &L.env, &r->proc, err, sizeof(err)) == -1) {
		log_warnx("sandbox %u: %s", id, err);
		lr_fail(id, err);
		goto out;
	}
	log_debug("sandbox %u: pid %d", id, (int)r->proc.cp_pid);
	for (i = 0; i < 3; i++)
		if (fd[i] != -1)
			(void)close(fd[i]);
	TAILQ_INSERT_TAIL(&L.runs, r, entry);
	L.nruns++;
	return;
 out:
	for (i = 0; i < 3; i++)
		if (fd[i] != -1)
			(void)close(fd[i]);
	ct_spec_free(&r->spec);
	free(r);
}

static void
lr_cancel(uint32_t id)
{
	struct lrun	*r;

	TAILQ_FOREACH(r, &L.runs, entry)
		if (r->id == id) {
			if (!r->proc.cp_cancelled) {
				r->proc.cp_cancelled = 1;
				ct_kill(&r->proc);
			}
			return;
		}
	log_debug("cancel of sandbox %u: not running", id);
}

static void
lr_dispatch(void)
{
	struct imsg	 imsg;
	ssize_t		 n;

	for (;;) {
		if ((n = imsg_get(&L.ibuf, &imsg)) == -1) {
			log_warn("refused: a broken message from workerd");
			lr_shutdown(1);
		}
		if (n == 0)
			return;
		switch (imsg_get_type(&imsg)) {
		case CT_MSG_FD:
			lr_fd(&imsg);
			break;
		case CT_MSG_RUN:
			lr_run(&imsg);
			break;
		case CT_MSG_CANCEL:
			lr_cancel(imsg_get_id(&imsg));
			break;
		default:
			log_warnx("refused: message type %u from workerd",
			    imsg_get_type(&imsg));
			lr_shutdown(1);
		}
		imsg_free(&imsg);
	}
}

/*
 * gvisor: hello says whether runsc is there; this says whether it can
 * build a sandbox here, by building one, the first time a job asks
 * for gvisor.  Not at start: runsc's start costs about 0.2 s of cpu,
 * which every workerd start and stop would pay, gvisor or not.  A
 * failure refuses every gvisor request with runsc's reason, which the
 * log has too.
 */
static int
lr_gv_trial(void)
{
	if (L.gv_tried == 0) {
		if (ct_gv_probe(&L.env, L.gv_err, sizeof(L.gv_err)) == -1) {
			L.gv_tried = -1;
			log_warnx("%s", L.gv_err);
		} else
			L.gv_tried = 1;
	}
	return (L.gv_tried == 1 ? 0 : -1);
}

static void
lr_reaped(struct lrun *r, const struct container_result *cr)
{
	lr_done(r->id, cr);
	TAILQ_REMOVE(&L.runs, r, entry);
	L.nruns--;
	ct_spec_free(&r->spec);
	free(r);
}

static void
lr_shutdown(int code)
{
	struct container_result	 cr;
	struct lrun		*r, *t;

	TAILQ_FOREACH_SAFE(r, &L.runs, entry, t) {
		ct_kill(&r->proc);
		(void)ct_reaped(&r->proc, 1, &cr);
		ct_spec_free(&r->spec);
		TAILQ_REMOVE(&L.runs, r, entry);
		free(r);
	}
	_exit(code);
}

void
ct_launcher_main(int fd, const char *jobs_dir, const char *helpers)
{
	struct pollfd		 pfd[1 + LR_MAX_RUNS];
	struct lrun		*r, *t, *slot[1 + LR_MAX_RUNS];
	struct container_result	 cr;
	struct ct_hello		 hello;
	char			 path[PATH_MAX];
	const char		*p;
	int64_t			 now, next;
	int			 i, n, nfds, timeout, nullfd;
	ssize_t			 rn;

	(void)prctl(PR_SET_NAME, "oa-launcher", 0, 0, 0);
	log_procinit("launcher");
	/*
	 * Jobs are batch work: every sandbox inherits this niceness, so
	 * that on a busy machine the daemons (accepting requests, signing,
	 * talking to relays) get the CPU first.
	 */
	errno = 0;
	if (setpriority(PRIO_PROCESS, 0, CT_JOB_NICE) == -1 && errno != 0)
		log_warn("launcher: setpriority");
	/* the channel on 3, /dev/null on 0 and 1, stderr for the log */
	if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
	    dup2(nullfd, STDIN_FILENO) == -1 ||
	    dup2(nullfd, STDOUT_FILENO) == -1 ||
	    (fd != 3 && dup2(fd, 3) == -1) ||
	    close_range(4, ~0U, 0) == -1)
		fatal("launcher: descriptors");
	fd = 3;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    signal(SIGINT, SIG_IGN) == SIG_ERR ||
	    signal(SIGHUP, SIG_IGN) == SIG_ERR ||
	    signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		fatal("launcher: signals");

	memset(&L, 0, sizeof(L));
	TAILQ_INIT(&L.runs);
	L.pend_fd[0] = L.pend_fd[1] = L.pend_fd[2] = -1;
	if (jobs_dir != NULL && realpath(jobs_dir, L.jobs) == NULL) {
		log_warn("launcher: jobs folder %s", jobs_dir);
		L.jobs[0] = '\0';
	}
	if (helpers != NULL && (size_t)snprintf(path, sizeof(path),
	    "%s/openagents-netbridge", helpers) < sizeof(path) &&
	    realpath(path, L.bridge) != NULL && access(L.bridge, X_OK) == 0)
		L.env.ce_netbridge = L.bridge;
	/*
	 * gvisor's bundles: $TMPDIR or /tmp, never inside the jobs
	 * folder, where workerd could rewrite one before runsc reads it.
	 */
	if ((p = getenv("TMPDIR")) == NULL || realpath(p, L.scratch) == NULL ||
	    lr_under_jobs(L.scratch))
		(void)strlcpy(L.scratch, "/tmp", sizeof(L.scratch));
	L.env.ce_scratch = L.scratch;
	if (imsgbuf_init(&L.ibuf, fd) == -1 ||
	    imsgbuf_set_maxsize(&L.ibuf, CT_MSG_MAX) == -1)
		fatal("launcher: channel");
	imsgbuf_allow_fdpass(&L.ibuf);

	if (ct_drop_caps(getuid() == 0) == -1)
		fatal("launcher: capabilities");
	if (ct_seccomp_launcher() == -1)
		fatal("launcher: seccomp");
	(void)ct_cgroup_init();

	/* what each mode can do here, tried for real once */
	memset(&hello, 0, sizeof(hello));
	for (i = 0; i < 4; i++)
		hello.ch_ok[i] = (i == ISOLATION_GVISOR ?
		    ct_gv_present(hello.ch_err[i], sizeof(hello.ch_err[i])) :
		    ct_probe((enum isolation_mode)i, hello.ch_err[i],
		    sizeof(hello.ch_err[i]))) == 0;
	if (imsg_compose(&L.ibuf, CT_MSG_HELLO, 0, 0, -1, &hello,
	    sizeof(hello)) == -1)
		fatal("launcher: hello");

	for (;;) {
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		if (imsgbuf_queuelen(&L.ibuf) > 0)
			pfd[0].events |= POLLOUT;
		nfds = 1;
		next = 0;
		TAILQ_FOREACH(r, &L.runs, entry) {
			pfd[nfds].fd = r->proc.cp_pidfd;
			pfd[nfds].events = POLLIN;
			slot[nfds++] = r;
			if (r->proc.cp_deadline_ms != 0 &&
			    !r->proc.cp_timed_out &&
			    (next == 0 || r->proc.cp_deadline_ms < next))
				next = r->proc.cp_deadline_ms;
		}
		timeout = -1;
		if (next != 0) {
			now = now_monotonic_ms();
			timeout = next <= now ? 0 : (int)(next - now);
		}
		if ((n = poll(pfd, (nfds_t)nfds, timeout)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("launcher: poll");
		}
		if (pfd[0].revents & POLLOUT) {
			if (imsgbuf_write(&L.ibuf) == -1) {
				if (errno == EPIPE)
					lr_shutdown(0);
				fatal("launcher: write");
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((rn = imsgbuf_read(&L.ibuf)) == -1) {
				log_warn("launcher: read");
				lr_shutdown(1);
			}
			if (rn == 0)
				lr_shutdown(0);	/* workerd is gone */
			lr_dispatch();
		}
		for (i = 1; i < nfds; i++) {
			if ((pfd[i].revents & (POLLIN | POLLHUP)) == 0)
				continue;
			r = slot[i];
			if (ct_reaped(&r->proc, 0, &cr) != 1)
				continue;
			lr_reaped(r, &cr);
		}
		now = now_monotonic_ms();
		TAILQ_FOREACH_SAFE(r, &L.runs, entry, t) {
			if (r->proc.cp_deadline_ms != 0 &&
			    !r->proc.cp_timed_out &&
			    now >= r->proc.cp_deadline_ms) {
				r->proc.cp_timed_out = 1;
				ct_kill(&r->proc);
			}
		}
		/* answers go out now rather than at the next wake-up */
		if (imsgbuf_queuelen(&L.ibuf) > 0 &&
		    imsgbuf_write(&L.ibuf) == -1 && errno == EPIPE)
			lr_shutdown(0);
	}
}
