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
 * The launcher path, as workerd uses it: fork the launcher, enter
 * workerd's real sandbox (Landlock on the jobs folder, seccomp), then
 * run sandboxes through container_run() on a libevent base: output,
 * exit codes, several at once, the deadline, a cancel, and requests
 * the launcher must refuse.  A monitor process outside checks that
 * the launcher has the name oa-launcher and exits after its workerd.
 *
 *   launcher_test
 *
 * Last line: "N passed, N failed".
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <bsd/string.h>

#include "log.h"
#include "sandbox.h"
#include "container.h"

static int			 npass, nfail;
static struct event_base	*base;
static int			 pending;
static char			 jobs[256];
static char			 helpers[300];

#define CHECK(c, ...) do {						\
	if (c) {							\
		npass++;						\
		printf("ok - ");					\
	} else {							\
		nfail++;						\
		printf("not ok - ");					\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

struct job {
	const char		*name;
	struct container_result	 r;
	int			 done;
};

static void
done_cb(struct container *c, const struct container_result *r, void *arg)
{
	struct job	*j = arg;

	(void)c;
	j->r = *r;
	j->done = 1;
	if (--pending == 0)
		(void)event_base_loopexit(base, NULL);
}

static void
spec_init(struct container_spec *cs, const char *const *argv)
{
	static const char *const	 envp[] = {
		"PATH=/usr/bin:/bin", NULL
	};

	memset(cs, 0, sizeof(*cs));
	cs->cs_mode = ISOLATION_CONTAINER;
	cs->cs_argv = argv;
	cs->cs_envp = envp;
	cs->cs_stdin = cs->cs_stdout = cs->cs_stderr = -1;
	cs->cs_time_limit_ms = 20000;
	cs->cs_memory_mb = 256;
	cs->cs_pids = 64;
}

static struct container *
start(const struct container_spec *cs, struct job *j)
{
	struct container	*c;
	char			 err[256];

	memset(j, 0, sizeof(*j));
	if ((c = container_run(base, cs, done_cb, j, err, sizeof(err))) ==
	    NULL) {
		CHECK(0, "container_run: %s", err);
		return (NULL);
	}
	pending++;
	return (c);
}

static void
cancel_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	container_cancel(arg);
}

static void
loop(void)
{
	struct timeval	 tv = { 60, 0 };

	(void)event_base_loopexit(base, &tv);
	(void)event_base_dispatch(base);
}

static pid_t
launcher_pid(void)
{
	char	 path[64], buf[256];
	FILE	*fp;
	long	 pid;
	char	*p, *end;

	(void)snprintf(path, sizeof(path), "/proc/self/task/%d/children",
	    (int)getpid());
	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	if (fgets(buf, sizeof(buf), fp) == NULL)
		buf[0] = '\0';
	(void)fclose(fp);
	for (p = buf; *p != '\0'; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		return ((pid_t)pid);
	}
	return (-1);
}

static int
run_tests(int report)
{
	static const char *const	 echo[] = { "/bin/sh", "-c",
	    "echo hello from $(hostname); cat /workspace/in.txt; exit 3",
	    NULL };
	static const char *const	 sleeper[] = { "/bin/sleep", "100",
	    NULL };
	static const char *const	 truth[] = { "/bin/true", NULL };
	static const char *const	 bridged[] = { "/bin/bash", "-c",
	    "test -S /run/oa/proxy.sock && exec 3<>/dev/tcp/127.0.0.1/18080",
	    NULL };
	static const char *const	 codes[4][4] = {
		{ "/bin/sh", "-c", "exit 10", NULL },
		{ "/bin/sh", "-c", "exit 11", NULL },
		{ "/bin/sh", "-c", "exit 12", NULL },
		{ "/bin/sh", "-c", "exit 13", NULL },
	};
	struct sandbox_paths		 paths;
	struct container_spec		 cs;
	struct container		*c;
	struct job			 j, jc, jm[4], jbad[6];
	struct event			*ev;
	struct timeval			 tv;
	char				 err[256], path[1024], buf[256];
	char				 outside[512], link[512], notsock[512];
	char				 ws[512], sock[512];
	struct sockaddr_un		 sun;
	int				 s;
	pid_t				 lp;
	ssize_t				 n;
	int				 fd, i, ok, gvisor;

	if (container_launcher_start(jobs, helpers, err,
	    sizeof(err)) == -1) {
		CHECK(0, "container_launcher_start: %s", err);
		return (1);
	}
	CHECK(1, "container_launcher_start");
	lp = launcher_pid();
	(void)snprintf(path, sizeof(path), "/proc/%d/comm", (int)lp);
	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) != -1) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		(void)close(fd);
	}
	CHECK(strcmp(buf, "oa-launcher\n") == 0, "the launcher's name is "
	    "oa-launcher (%d)", (int)lp);
	if (write(report, &lp, sizeof(lp)) != sizeof(lp))
		return (1);
	CHECK(container_mode_available(ISOLATION_CONTAINER, err,
	    sizeof(err)) == 0, "container mode available (%s)", err);
	CHECK(container_mode_available(ISOLATION_FIRECRACKER, err,
	    sizeof(err)) == -1 && strstr(err, "firecracker") != NULL,
	    "firecracker refused: %s", err);
	gvisor = container_mode_available(ISOLATION_GVISOR, err,
	    sizeof(err)) == 0;
	CHECK(gvisor || strstr(err, "gvisor") != NULL,
	    "gvisor %s", gvisor ? "available" : err);

	/* what the refused requests will point at, made before the sandbox */
	(void)snprintf(ws, sizeof(ws), "%s/ws", jobs);
	(void)snprintf(outside, sizeof(outside), "/etc");
	(void)snprintf(link, sizeof(link), "%s/link", jobs);
	(void)snprintf(notsock, sizeof(notsock), "%s/ws/in.txt", jobs);
	if (mkdir(ws, 0755) == -1 || symlink("/etc", link) == -1)
		return (1);
	/* a listening socket stands for relayd's proxy */
	(void)snprintf(sock, sizeof(sock), "%s/proxy.sock", jobs);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)strlcpy(sun.sun_path, sock, sizeof(sun.sun_path));
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(s, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(s, 4) == -1)
		return (1);

	if ((base = event_base_new()) == NULL)
		return (1);
	memset(&paths, 0, sizeof(paths));
	paths.sp_jobs_dir = jobs;
	if (sandbox_enter(PROC_WORKERD, getenv("OA_CT_LOG") ? SANDBOX_LOG : SANDBOX_ENFORCE, &paths) == -1) {
		CHECK(0, "sandbox_enter(workerd): %s", strerror(errno));
		return (1);
	}
	CHECK(1, "inside workerd's sandbox");

	/* output to a file of the jobs folder, a bind, an exit code */
	(void)snprintf(path, sizeof(path), "%s/in.txt", ws);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, "input\n", 6) != 6 || close(fd) == -1)
		return (1);
	(void)snprintf(path, sizeof(path), "%s/stdout", jobs);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)) == -1)
		return (1);
	spec_init(&cs, echo);
	cs.cs_stdout = fd;
	cs.cs_binds[0].cb_src = ws;
	cs.cs_binds[0].cb_dst = "/workspace";
	cs.cs_nbinds = 1;
	(void)start(&cs, &j);
	loop();
	/* workerd's filter has lseek and read, not pread */
	n = lseek(fd, 0, SEEK_SET) == -1 ? -1 : read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	(void)close(fd);
	CHECK(j.done && j.r.cr_exited && j.r.cr_exit_code == 3 &&
	    strcmp(buf, "hello from sandbox\ninput\n") == 0,
	    "output, bind and exit code through the launcher (%d, \"%s\" %s)",
	    j.r.cr_exit_code, buf, j.r.cr_error);

	/* the same under gVisor, from inside workerd's sandbox */
	if (gvisor) {
		(void)snprintf(path, sizeof(path), "%s/stdout", jobs);
		if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)) == -1)
			return (1);
		spec_init(&cs, echo);
		cs.cs_mode = ISOLATION_GVISOR;
		cs.cs_stdout = fd;
		cs.cs_binds[0].cb_src = ws;
		cs.cs_binds[0].cb_dst = "/workspace";
		cs.cs_nbinds = 1;
		(void)start(&cs, &j);
		loop();
		n = lseek(fd, 0, SEEK_SET) == -1 ? -1 :
		    read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		(void)close(fd);
		/* runsc is there but cannot run here: its reason, then no more */
		if (j.done && !j.r.cr_exited &&
		    strstr(j.r.cr_error, "cannot run a sandbox here") != NULL) {
			CHECK(1, "gvisor refused with runsc's reason: %s",
			    j.r.cr_error);
			gvisor = 0;
		} else
			CHECK(j.done && j.r.cr_exited &&
			    j.r.cr_exit_code == 3 &&
			    strcmp(buf, "hello from sandbox\ninput\n") == 0,
			    "gvisor: output, bind and exit code through the "
			    "launcher (%d, \"%s\" %s)", j.r.cr_exit_code, buf,
			    j.r.cr_error);
	}
	if (gvisor) {

		spec_init(&cs, sleeper);
		cs.cs_mode = ISOLATION_GVISOR;
		cs.cs_time_limit_ms = 1000;
		(void)start(&cs, &j);
		spec_init(&cs, sleeper);
		cs.cs_mode = ISOLATION_GVISOR;
		c = start(&cs, &jc);
		tv.tv_sec = 0;
		tv.tv_usec = 700000;
		if (c == NULL || (ev = evtimer_new(base, cancel_cb, c)) ==
		    NULL || evtimer_add(ev, &tv) == -1)
			return (1);
		loop();
		CHECK(j.done && j.r.cr_timed_out && j.r.cr_signal == SIGKILL &&
		    j.r.cr_duration_ms >= 950 && j.r.cr_duration_ms < 5000,
		    "gvisor: killed at the deadline (%lld ms %s)",
		    (long long)j.r.cr_duration_ms, j.r.cr_error);
		CHECK(jc.done && jc.r.cr_cancelled && !jc.r.cr_timed_out &&
		    jc.r.cr_duration_ms < 5000, "gvisor: cancelled (%lld ms)",
		    (long long)jc.r.cr_duration_ms);
		event_free(ev);

		(void)snprintf(path, sizeof(path), "%s/bridge.out", jobs);
		if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)) == -1)
			return (1);
		spec_init(&cs, bridged);
		cs.cs_mode = ISOLATION_GVISOR;
		cs.cs_stdout = fd;
		cs.cs_proxy_socket = sock;
		cs.cs_proxy_port = 18080;
		(void)start(&cs, &j);
		loop();
		n = lseek(fd, 0, SEEK_SET) == -1 ? -1 :
		    read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		(void)close(fd);
		CHECK(j.done && j.r.cr_exited && j.r.cr_exit_code == 0 &&
		    strstr(buf, "bridge 127.0.0.1 18080 /run/oa/proxy.sock") !=
		    NULL, "gvisor: the bridge runs inside on a proxy port "
		    "(\"%s\" %s)", buf, j.r.cr_error);
	}

	/* four at once */
	for (i = 0; i < 4; i++) {
		spec_init(&cs, codes[i]);
		(void)start(&cs, &jm[i]);
	}
	loop();
	for (ok = 1, i = 0; i < 4; i++) {
		ok &= jm[i].done && jm[i].r.cr_exited &&
		    jm[i].r.cr_exit_code == 10 + i;
		if (!jm[i].done || !jm[i].r.cr_exited ||
		    jm[i].r.cr_exit_code != 10 + i)
			printf("# sandbox %d: exited %d code %d signal %d: %s\n",
			    i, jm[i].r.cr_exited, jm[i].r.cr_exit_code,
			    jm[i].r.cr_signal, jm[i].r.cr_error);
	}
	CHECK(ok, "four sandboxes at once, each its own exit code");

	/* the deadline, and a cancel, side by side */
	spec_init(&cs, sleeper);
	cs.cs_time_limit_ms = 500;
	(void)start(&cs, &j);
	spec_init(&cs, sleeper);
	c = start(&cs, &jc);
	tv.tv_sec = 0;
	tv.tv_usec = 300000;
	if (c == NULL || (ev = evtimer_new(base, cancel_cb, c)) == NULL ||
	    evtimer_add(ev, &tv) == -1)
		return (1);
	loop();
	CHECK(j.done && j.r.cr_timed_out && j.r.cr_signal == SIGKILL &&
	    j.r.cr_duration_ms >= 450 && j.r.cr_duration_ms < 5000,
	    "killed at the deadline (%lld ms)", (long long)j.r.cr_duration_ms);
	CHECK(jc.done && jc.r.cr_cancelled && !jc.r.cr_timed_out &&
	    jc.r.cr_duration_ms < 5000, "cancelled (%lld ms)",
	    (long long)jc.r.cr_duration_ms);
	event_free(ev);

	/*
	 * A proxy port: the bridge (a stand-in script here) runs inside
	 * with its arguments, and ends with the command.
	 */
	(void)snprintf(path, sizeof(path), "%s/bridge.out", jobs);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)) == -1)
		return (1);
	spec_init(&cs, bridged);
	cs.cs_stdout = fd;
	cs.cs_proxy_socket = sock;
	cs.cs_proxy_port = 18080;
	(void)start(&cs, &j);
	loop();
	n = lseek(fd, 0, SEEK_SET) == -1 ? -1 : read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	(void)close(fd);
	CHECK(j.done && j.r.cr_exited && j.r.cr_exit_code == 0 &&
	    strstr(buf, "bridge 127.0.0.1 18080 /run/oa/proxy.sock") != NULL,
	    "the bridge runs inside on a proxy port (\"%s\" %s)", buf,
	    j.r.cr_error);

	/* requests a compromised workerd might make */
	spec_init(&cs, truth);
	cs.cs_binds[0].cb_src = outside;
	cs.cs_binds[0].cb_dst = "/x";
	cs.cs_nbinds = 1;
	(void)start(&cs, &jbad[0]);
	cs.cs_binds[0].cb_src = link;
	(void)start(&cs, &jbad[1]);
	cs.cs_binds[0].cb_src = ws;
	cs.cs_binds[0].cb_dst = "/proc/sys";
	(void)start(&cs, &jbad[2]);
	cs.cs_binds[0].cb_dst = "/x/../../etc";
	(void)start(&cs, &jbad[3]);
	cs.cs_nbinds = 0;
	cs.cs_proxy_socket = notsock;
	(void)start(&cs, &jbad[4]);
	cs.cs_proxy_socket = NULL;
	cs.cs_mode = ISOLATION_FIRECRACKER;
	(void)start(&cs, &jbad[5]);
	loop();
	for (i = 0; i < 6; i++)
		CHECK(jbad[i].done && !jbad[i].r.cr_exited &&
		    jbad[i].r.cr_error[0] != '\0', "refused request %d: %s",
		    i, jbad[i].r.cr_error);

	/* and it still works after all that */
	spec_init(&cs, truth);
	(void)start(&cs, &j);
	loop();
	CHECK(j.done && j.r.cr_exited && j.r.cr_exit_code == 0,
	    "a good request after the bad ones");
	printf("%d passed, %d failed\n", npass, nfail);
	fflush(stdout);
	return (nfail != 0);
}

int
main(void)
{
	struct timespec	 ts = { 0, 50000000 };
	pid_t		 child, lp = -1;
	int		 p[2], st, i, gone = 0;
	char		 path[1024], stat[256];
	FILE		*fp;

	log_init(1, 0);
	/* a machine without user namespaces for us cannot run this at all */
	if (container_mode_available(ISOLATION_CONTAINER, path,
	    sizeof(path)) == -1) {
		printf("# skip: %s\n", path);
		return (77);
	}
	(void)snprintf(jobs, sizeof(jobs), "/tmp/oa-launcher-test.XXXXXX");
	if (mkdtemp(jobs) == NULL || pipe(p) == -1)
		return (1);
	/* a stand-in for openagents-netbridge: says how it was started */
	(void)snprintf(helpers, sizeof(helpers), "%s.helpers", jobs);
	(void)snprintf(path, sizeof(path), "%s/openagents-netbridge", helpers);
	if (mkdir(helpers, 0755) == -1 || (fp = fopen(path, "w")) == NULL)
		return (1);
	(void)fprintf(fp, "#!/bin/sh\nexec /usr/bin/python3 -c '"
	    "import socket, sys, time\n"
	    "s = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2])))\n"
	    "s.listen(4); print(\"bridge\", *sys.argv[1:], flush=True)\n"
	    "time.sleep(1000)' \"$@\"\n");
	if (fclose(fp) == EOF || chmod(path, 0755) == -1)
		return (1);
	(void)setvbuf(stdout, NULL, _IOLBF, 0);
	if ((child = fork()) == -1)
		return (1);
	if (child == 0) {
		(void)close(p[0]);
		_exit(run_tests(p[1]));
	}
	(void)close(p[1]);
	if (read(p[0], &lp, sizeof(lp)) != sizeof(lp))
		lp = -1;
	if (waitpid(child, &st, 0) == -1)
		return (1);
	/* workerd is gone: its launcher must follow */
	for (i = 0; lp > 0 && i < 100 && !gone; i++) {
		(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)lp);
		if ((fp = fopen(path, "r")) == NULL)
			gone = 1;
		else {
			if (fgets(stat, sizeof(stat), fp) != NULL &&
			    strstr(stat, ") Z ") != NULL)
				gone = 1;
			(void)fclose(fp);
		}
		if (!gone)
			(void)nanosleep(&ts, NULL);
	}
	printf("%s - the launcher exits after its workerd\n",
	    gone ? "ok" : "not ok");
	(void)snprintf(path, sizeof(path), "rm -rf %s %s", jobs, helpers);
	(void)!system(path);
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0 && gone ? 0 : 1);
}
