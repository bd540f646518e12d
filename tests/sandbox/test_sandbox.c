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
 * Every role's sandbox, seen from outside: run sandbox_probe (path in
 * OA_SANDBOX_PROBE) in the role, let it do its normal work or one
 * forbidden thing, and check how it ended.  A probe that outlives
 * PROBE_TIMEOUT is killed and fails the test.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "sandbox.h"

#define PROBE_TIMEOUT	20	/* seconds */
#define OUTMAX		8192

struct run {
	int	 status;		/* from waitpid */
	int	 timedout;
	char	 out[OUTMAX];
	char	 err[OUTMAX];
};

/* A temporary tree: jobs/in inside workerd's reach, outside next to it. */
struct tree {
	char	 root[64];
	char	 jobs[128];
	char	 in[160];
	char	 outside[160];
	char	 newin[160];
	char	 newout[160];
};

static const char *roles[] = { "relayd", "workerd", "verifyd", "walletd" };

static const char	*probe_path(void);
static void		 run_probe(struct run *, const char *, int,
			    const char *, const char *, const char *);
static void		 drain(int *, char *, size_t *);
static void		 put_file(const char *, const char *);
static void		 tree_make(struct tree *);
static void		 tree_remove(const struct tree *);
static void		 expect_alive(const struct run *, const char *);
static void		 expect_sigsys(const struct run *, const char *);
static Suite		*sandbox_suite(void);

static const char *
probe_path(void)
{
	const char	*p;

	if ((p = getenv("OA_SANDBOX_PROBE")) == NULL || *p == '\0')
		ck_abort_msg("OA_SANDBOX_PROBE is not set");
	return (p);
}

static void
drain(int *fd, char *buf, size_t *len)
{
	ssize_t	 n;

	n = read(*fd, buf + *len, OUTMAX - 1 - *len);
	if (n > 0) {
		*len += n;
		buf[*len] = '\0';
		if (*len < OUTMAX - 1)
			return;
	} else if (n == -1 && errno == EINTR)
		return;
	(void)close(*fd);
	*fd = -1;
}

/*
 * fork + exec the probe with stdout and stderr on pipes; jobs is
 * OA_JOBS_DIR (or NULL), logmode sets OA_SANDBOX_LOG=1.
 */
static void
run_probe(struct run *r, const char *jobs, int logmode, const char *role,
    const char *action, const char *arg)
{
	struct pollfd	 pfd[2];
	struct timespec	 start, now;
	const char	*argv[5];
	size_t		 olen = 0, elen = 0;
	pid_t		 pid;
	int		 op[2], ep[2], n, ms;

	memset(r, 0, sizeof(*r));
	argv[0] = probe_path();
	argv[1] = role;
	argv[2] = action;
	argv[3] = arg;
	argv[4] = NULL;
	ck_assert_int_eq(pipe2(op, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(ep, O_CLOEXEC), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (dup2(op[1], STDOUT_FILENO) == -1 ||
		    dup2(ep[1], STDERR_FILENO) == -1)
			_exit(126);
		(void)close_range(3, ~0U, 0);
		if (jobs != NULL)
			(void)setenv("OA_JOBS_DIR", jobs, 1);
		else
			(void)unsetenv("OA_JOBS_DIR");
		if (logmode)
			(void)setenv("OA_SANDBOX_LOG", "1", 1);
		else
			(void)unsetenv("OA_SANDBOX_LOG");
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	(void)close(op[1]);
	(void)close(ep[1]);

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &start), 0);
	while (op[0] != -1 || ep[0] != -1) {
		ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &now), 0);
		ms = (int)((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000);
		if (ms >= PROBE_TIMEOUT * 1000) {
			r->timedout = 1;
			(void)kill(pid, SIGKILL);
			break;
		}
		pfd[0].fd = op[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = ep[0];
		pfd[1].events = POLLIN;
		n = poll(pfd, 2, PROBE_TIMEOUT * 1000 - ms);
		if (n == -1 && errno == EINTR)
			continue;
		ck_assert_int_ne(n, -1);
		if (op[0] != -1 && pfd[0].revents != 0)
			drain(&op[0], r->out, &olen);
		if (ep[0] != -1 && pfd[1].revents != 0)
			drain(&ep[0], r->err, &elen);
	}
	if (op[0] != -1)
		(void)close(op[0]);
	if (ep[0] != -1)
		(void)close(ep[0]);
	while (waitpid(pid, &r->status, 0) == -1)
		ck_assert_int_eq(errno, EINTR);
}

static void
expect_alive(const struct run *r, const char *what)
{
	ck_assert_msg(!r->timedout, "%s: timed out", what);
	ck_assert_msg(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
	    "%s: did not exit 0 (status 0x%x)\nstdout: %s\nstderr: %s",
	    what, r->status, r->out, r->err);
}

static void
expect_sigsys(const struct run *r, const char *what)
{
	ck_assert_msg(!r->timedout, "%s: timed out", what);
	ck_assert_msg(WIFSIGNALED(r->status) && WTERMSIG(r->status) == SIGSYS,
	    "%s: not killed by SIGSYS (status 0x%x)\nstdout: %s\nstderr: %s",
	    what, r->status, r->out, r->err);
}

static void
put_file(const char *path, const char *s)
{
	int	 fd;

	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0644), -1);
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	ck_assert_int_eq(close(fd), 0);
}

static void
tree_make(struct tree *t)
{
	memset(t, 0, sizeof(*t));
	(void)strcpy(t->root, "/tmp/oa-sandbox.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->root));
	(void)snprintf(t->jobs, sizeof(t->jobs), "%s/jobs", t->root);
	(void)snprintf(t->in, sizeof(t->in), "%s/in", t->jobs);
	(void)snprintf(t->newin, sizeof(t->newin), "%s/new", t->jobs);
	(void)snprintf(t->outside, sizeof(t->outside), "%s/outside", t->root);
	(void)snprintf(t->newout, sizeof(t->newout), "%s/new", t->root);
	ck_assert_int_eq(mkdir(t->jobs, 0755), 0);
	put_file(t->in, "inside\n");
	put_file(t->outside, "outside\n");
}

static void
tree_remove(const struct tree *t)
{
	(void)unlink(t->in);
	(void)unlink(t->newin);
	(void)unlink(t->outside);
	(void)unlink(t->newout);
	(void)rmdir(t->jobs);
	(void)rmdir(t->root);
}

START_TEST(test_api)
{
	struct sandbox_paths	 paths;
	char			 buf[4096];
	ssize_t			 n;
	int			 fd;

	ck_assert_str_eq(sandbox_mode_name(SANDBOX_OFF), "off");
	ck_assert_str_eq(sandbox_mode_name(SANDBOX_ENFORCE), "enforce");
	ck_assert_str_eq(sandbox_mode_name(SANDBOX_LOG), "log");
	ck_assert_int_ge(sandbox_landlock_abi(), 0);

	memset(&paths, 0, sizeof(paths));
	errno = 0;
	ck_assert_int_eq(sandbox_enter(PROC_SUPERVISOR, SANDBOX_ENFORCE,
	    &paths), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(sandbox_enter(PROC_MAX, SANDBOX_ENFORCE, &paths), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(sandbox_enter(PROC_VERIFYD, (enum sandbox_mode)42,
	    &paths), -1);
	ck_assert_int_eq(errno, EINVAL);

	/* off confines nothing */
	ck_assert_int_eq(sandbox_enter(PROC_VERIFYD, SANDBOX_OFF, &paths), 0);
	ck_assert_int_ne(fd = open("/proc/self/status", O_RDONLY), -1);
	ck_assert_int_gt(n = read(fd, buf, sizeof(buf) - 1), 0);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "Seccomp:\t0"));
	(void)close(fd);
}
END_TEST

/* The normal work set survives, and log mode sees no forbidden call. */
START_TEST(test_ok)
{
	struct run	 r;

	run_probe(&r, NULL, 0, roles[_i], "ok", NULL);
	expect_alive(&r, roles[_i]);
	ck_assert_ptr_nonnull(strstr(r.out, "ok\n"));

	run_probe(&r, NULL, 1, roles[_i], "ok", NULL);
	expect_alive(&r, roles[_i]);
	ck_assert_msg(strstr(r.err, "forbidden syscall") == NULL,
	    "%s: the work set needs a call the list lacks: %s", roles[_i],
	    r.err);
}
END_TEST

START_TEST(test_status)
{
	struct run	 r;

	run_probe(&r, NULL, 0, roles[_i], "status", NULL);
	expect_alive(&r, roles[_i]);
	ck_assert_ptr_nonnull(strstr(r.out, "Seccomp:\t2\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "NoNewPrivs:\t1\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "CapEff:\t0000000000000000\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "CapPrm:\t0000000000000000\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "CapInh:\t0000000000000000\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "CapAmb:\t0000000000000000\n"));
	/* only root may empty the bounding set */
	if (geteuid() == 0)
		ck_assert_ptr_nonnull(strstr(r.out,
		    "CapBnd:\t0000000000000000\n"));
}
END_TEST

START_TEST(test_forbidden)
{
	const char	*calls[] = { "execve", "ptrace", "fork", "kill",
			    "mount", "setuid", "mmap-exec", "socket-inet" };
	struct run	 r;
	char		 what[64];
	size_t		 i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		/* the network is relayd's job */
		if (strcmp(calls[i], "socket-inet") == 0 &&
		    strcmp(roles[_i], "relayd") == 0)
			continue;
		(void)snprintf(what, sizeof(what), "%s %s", roles[_i],
		    calls[i]);
		run_probe(&r, NULL, 0, roles[_i], "syscall", calls[i]);
		expect_sigsys(&r, what);
	}
}
END_TEST

START_TEST(test_sockets)
{
	struct run	 r;
	int		 relayd = strcmp(roles[_i], "relayd") == 0;

	if (relayd) {
		run_probe(&r, NULL, 0, roles[_i], "syscall", "socket-inet");
		expect_alive(&r, roles[_i]);
		ck_assert_ptr_nonnull(strstr(r.out, "errno 0\n"));
	}
	/* relayd may; the others fail softly, for syslog's reconnect */
	run_probe(&r, NULL, 0, roles[_i], "syscall", "socket-unix");
	expect_alive(&r, roles[_i]);
	ck_assert_ptr_nonnull(strstr(r.out, relayd ? "errno 0\n" :
	    "errno EACCES\n"));

	/* syslog(3) before and after a missing or present log daemon */
	run_probe(&r, NULL, 0, roles[_i], "syslog", NULL);
	expect_alive(&r, roles[_i]);
	ck_assert_ptr_nonnull(strstr(r.out, "syslog: ok\n"));
}
END_TEST

/* Files outside the role's allowance: EACCES, nothing created. */
START_TEST(test_files_denied)
{
	struct tree	 t;
	struct run	 r;
	struct stat	 st;

	/* without Landlock, workerd's openat reaches everywhere */
	if (strcmp(roles[_i], "workerd") == 0 && sandbox_landlock_abi() == 0)
		return;
	tree_make(&t);
	/* a file that surely exists: the probe itself */
	run_probe(&r, t.jobs, 0, roles[_i], "open", probe_path());
	expect_alive(&r, roles[_i]);
	ck_assert_ptr_nonnull(strstr(r.out, "errno EACCES\n"));
	run_probe(&r, t.jobs, 0, roles[_i], "open", t.outside);
	expect_alive(&r, roles[_i]);
	ck_assert_ptr_nonnull(strstr(r.out, "errno EACCES\n"));

	run_probe(&r, t.jobs, 0, roles[_i], "write", t.newout);
	expect_alive(&r, roles[_i]);
	ck_assert_ptr_nonnull(strstr(r.out, "errno EACCES\n"));
	ck_assert_int_eq(stat(t.newout, &st), -1);

	/* only workerd is given the jobs directory */
	if (strcmp(roles[_i], "workerd") != 0) {
		run_probe(&r, t.jobs, 0, roles[_i], "open", t.in);
		expect_alive(&r, roles[_i]);
		ck_assert_ptr_nonnull(strstr(r.out, "errno EACCES\n"));
	}
	tree_remove(&t);
}
END_TEST

START_TEST(test_workerd_jobs)
{
	struct tree	 t;
	struct run	 r;
	struct stat	 st;

	if (sandbox_landlock_abi() == 0)
		return;		/* seccomp lets openat through; nothing to see */
	tree_make(&t);
	run_probe(&r, t.jobs, 0, "workerd", "open", t.in);
	expect_alive(&r, "workerd open inside");
	ck_assert_ptr_nonnull(strstr(r.out, "errno 0\n"));

	run_probe(&r, t.jobs, 0, "workerd", "write", t.newin);
	expect_alive(&r, "workerd write inside");
	ck_assert_ptr_nonnull(strstr(r.out, "errno 0\n"));
	ck_assert_int_eq(stat(t.newin, &st), 0);
	ck_assert_int_eq(st.st_size, 4);

	/* no jobs directory given: no filesystem at all */
	run_probe(&r, NULL, 0, "workerd", "open", t.in);
	expect_alive(&r, "workerd without jobs dir");
	ck_assert_ptr_nonnull(strstr(r.out, "errno EACCES\n"));

	/* a jobs directory that is not there is an error, not a wider box */
	run_probe(&r, "/nonexistent/oa-jobs", 0, "workerd", "ok", NULL);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0);
	ck_assert_ptr_nonnull(strstr(r.err, "jobs directory"));
	tree_remove(&t);
}
END_TEST

/* Log mode: the forbidden call is named on stderr and fails ENOSYS. */
START_TEST(test_log_mode)
{
	const char	*calls[] = { "ptrace", "execve", "fork" };
	struct run	 r;
	char		 name[32];
	size_t		 i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		run_probe(&r, NULL, 1, roles[_i], "syscall", calls[i]);
		expect_alive(&r, calls[i]);
		ck_assert_ptr_nonnull(strstr(r.out, "errno ENOSYS\n"));
		ck_assert_ptr_nonnull(strstr(r.err, "sandbox: "));
		ck_assert_ptr_nonnull(strstr(r.err, roles[_i]));
		ck_assert_ptr_nonnull(strstr(r.err, ": forbidden syscall "));
		/* fork() is the clone syscall */
		(void)snprintf(name, sizeof(name), "(%s)",
		    strcmp(calls[i], "fork") == 0 ? "clone" : calls[i]);
		ck_assert_msg(strstr(r.err, name) != NULL, "%s: %s", name,
		    r.err);
	}
	/* soft failures stay soft, and silent, in log mode */
	if (strcmp(roles[_i], "workerd") == 0 && sandbox_landlock_abi() == 0)
		return;
	run_probe(&r, NULL, 1, roles[_i], "open", probe_path());
	expect_alive(&r, roles[_i]);
	ck_assert_ptr_nonnull(strstr(r.out, "errno EACCES\n"));
	ck_assert_ptr_null(strstr(r.err, "forbidden syscall"));
}
END_TEST

static Suite *
sandbox_suite(void)
{
	Suite	*s = suite_create("sandbox");
	TCase	*tc = tcase_create("roles");
	int	 nroles = (int)(sizeof(roles) / sizeof(roles[0]));

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_api);
	tcase_add_loop_test(tc, test_ok, 0, nroles);
	tcase_add_loop_test(tc, test_status, 0, nroles);
	tcase_add_loop_test(tc, test_forbidden, 0, nroles);
	tcase_add_loop_test(tc, test_sockets, 0, nroles);
	tcase_add_loop_test(tc, test_files_denied, 0, nroles);
	tcase_add_test(tc, test_workerd_jobs);
	tcase_add_loop_test(tc, test_log_mode, 0, nroles);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(sandbox_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
