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
 * sandbox_probe ROLE ACTION [ARG]
 *
 * Set up like a helper (event base, a socketpair, nothing else open),
 * enter the role's sandbox, then do one thing and print what happened.
 * Exit 0 means the probe survived; a forbidden call kills it by SIGSYS
 * (or, with OA_SANDBOX_LOG=1, returns ENOSYS after a line on stderr).
 *
 *	ok		the work a helper does in its loop
 *	status		Seccomp, NoNewPrivs and capability lines of
 *			/proc/self/status (opened before the sandbox)
 *	syscall NAME	one call: ptrace execve fork kill mount setuid
 *			socket-inet socket-unix mmap-exec
 *	open PATH	open(PATH, O_RDONLY)
 *	write PATH	create PATH and write to it
 *	syslog		log through syslog(3) opened before the sandbox
 *
 * OA_JOBS_DIR names workerd's jobs directory.
 */

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"

static int		 probe_sp[2] = { -1, -1 };
static int		 probe_pipe[2] = { -1, -1 };
static struct imsgbuf	 probe_ib[2];
static int		 probe_got;

static __dead void	 usage(void);
static void		 out(const char *, ...)
			    __attribute__((__format__ (printf, 1, 2)));
static const char	*errname(int);
static void		 report(const char *, long, int);
static void		 probe_readcb(int, short, void *);
static void		 probe_channel(void);
static int		 act_ok(struct event_base *);
static int		 act_status(int);
static int		 act_syscall(const char *);
static int		 act_open(const char *, int);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: sandbox_probe role ok|status|syslog|"
	    "syscall name|open path|write path\n");
	exit(2);
}

/* One write per line; no stdio buffering to lose on a kill. */
static void
out(const char *fmt, ...)
{
	char	 buf[512];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	(void)!write(STDOUT_FILENO, buf, n);
}

static const char *
errname(int e)
{
	const char	*s;

	if (e == 0)
		return ("0");
	if ((s = strerrorname_np(e)) == NULL)
		return ("E?");
	return (s);
}

static void
report(const char *what, long ret, int err)
{
	out("%s: ret %ld errno %s\n", what, ret, ret == -1 ? errname(err) :
	    "0");
}

static void
probe_readcb(int fd, short ev, void *arg)
{
	char	 c;

	(void)ev;
	(void)arg;
	if (read(fd, &c, 1) == 1 && c == 'e')
		probe_got = 1;
}

/*
 * The helper channel: a framed message carrying a descriptor, as the
 * supervisor sends them, then the descriptor closed.
 */
static void
probe_channel(void)
{
	struct imsg	 imsg;
	char		 buf[8];
	ssize_t		 n;
	int		 fd;

	if (imsg_compose(&probe_ib[0], 42, 7, 0, probe_pipe[0], "hello",
	    5) == -1 || imsgbuf_flush(&probe_ib[0]) == -1)
		fatal("imsg_compose");
	if ((n = imsgbuf_read(&probe_ib[1])) == -1 || n == 0)
		fatal("imsgbuf_read");
	if ((n = imsg_get(&probe_ib[1], &imsg)) == -1 || n == 0)
		fatal("imsg_get");
	if (imsg_get_type(&imsg) != 42 || imsg_get_data(&imsg, buf, 5) == -1 ||
	    memcmp(buf, "hello", 5) != 0 || (fd = imsg_get_fd(&imsg)) == -1)
		fatalx("imsg contents");
	if (write(probe_pipe[1], "p", 1) != 1 || read(fd, buf, 1) != 1 ||
	    close(fd) == -1)
		fatal("passed descriptor");
	imsg_free(&imsg);
}

/*
 * What a helper does between two messages: the loop, malloc large and
 * small, time, the channel, a log line.
 */
static int
act_ok(struct event_base *base)
{
	struct event	*ev;
	struct timespec	 ts;
	char		*big, *small, buf[8];
	int		 flags;

	if ((ev = event_new(base, probe_sp[1], EV_READ, probe_readcb,
	    NULL)) == NULL || event_add(ev, NULL) == -1)
		fatalx("event_new");
	if (write(probe_sp[0], "e", 1) != 1)
		fatal("write");
	if (event_base_loop(base, EVLOOP_NONBLOCK) == -1 || !probe_got)
		fatalx("event_base_loop");
	event_free(ev);

	if ((big = malloc(16 << 20)) == NULL || (small = malloc(24)) == NULL)
		fatal("malloc");
	memset(big, 'x', 16 << 20);
	if ((big = realloc(big, 32 << 20)) == NULL)
		fatal("realloc");
	free(big);
	free(small);

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1 ||
	    clock_gettime(CLOCK_REALTIME, &ts) == -1)
		fatal("clock_gettime");

	if ((flags = fcntl(probe_sp[0], F_GETFL)) == -1 ||
	    fcntl(probe_sp[0], F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("fcntl");
	if (send(probe_sp[0], "ping", 4, 0) != 4 ||
	    recv(probe_sp[1], buf, sizeof(buf), 0) != 4 ||
	    memcmp(buf, "ping", 4) != 0)
		fatal("socketpair round trip");

	probe_channel();

	log_info("probe pid %d alive", getpid());
	printf("ok\n");
	if (fflush(stdout) == EOF)
		fatal("fflush");
	return (0);
}

static int
act_status(int fd)
{
	char	 buf[8192], *line, *next;
	ssize_t	 n;
	size_t	 len = 0;

	/* seq files: plain read()s from offset 0 until EOF */
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	if (n == -1)
		fatal("read status");
	buf[len] = '\0';
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strncmp(line, "Seccomp:", 8) == 0 ||
		    strncmp(line, "NoNewPrivs:", 11) == 0 ||
		    strncmp(line, "CapEff:", 7) == 0 ||
		    strncmp(line, "CapPrm:", 7) == 0 ||
		    strncmp(line, "CapInh:", 7) == 0 ||
		    strncmp(line, "CapAmb:", 7) == 0 ||
		    strncmp(line, "CapBnd:", 7) == 0)
			out("%s\n", line);
	}
	return (0);
}

static int
act_syscall(const char *name)
{
	char		*argv[] = { (char *)(uintptr_t)"true", NULL };
	char		*envp[] = { NULL };
	void		*p;
	long		 ret;
	pid_t		 pid;

	errno = 0;
	if (strcmp(name, "ptrace") == 0)
		ret = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	else if (strcmp(name, "execve") == 0)
		ret = execve("/bin/true", argv, envp);
	else if (strcmp(name, "fork") == 0) {
		if ((pid = fork()) == 0)
			_exit(0);
		ret = pid;
	} else if (strcmp(name, "kill") == 0)
		ret = kill(1, 0);
	else if (strcmp(name, "mount") == 0)
		ret = mount("none", "/", NULL, MS_REMOUNT | MS_RDONLY, NULL);
	else if (strcmp(name, "setuid") == 0)
		ret = setuid(0);
	else if (strcmp(name, "socket-inet") == 0)
		ret = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	else if (strcmp(name, "socket-unix") == 0)
		ret = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	else if (strcmp(name, "mmap-exec") == 0) {
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ret = p == MAP_FAILED ? -1 : 0;
	} else
		usage();
	report(name, ret, errno);
	return (0);
}

static int
act_open(const char *path, int wr)
{
	char	 buf[16];
	int	 fd;

	errno = 0;
	if (wr)
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	report(wr ? "write" : "open", fd, errno);
	if (fd == -1)
		return (0);
	if (wr) {
		if (write(fd, "job\n", 4) != 4)
			fatal("write %s", path);
	} else if (read(fd, buf, sizeof(buf)) == -1)
		fatal("read %s", path);
	if (close(fd) == -1)
		fatal("close");
	return (0);
}

int
main(int argc, char *argv[])
{
	struct sandbox_paths	 paths;
	struct event_base	*base;
	enum sandbox_mode	 mode = SANDBOX_ENFORCE;
	const char		*action, *env;
	int			 role, statusfd = -1, sv[2];

	if (argc < 3)
		usage();
	if ((role = proc_lookup(argv[1])) == -1)
		usage();
	action = argv[2];
	if ((strcmp(action, "syscall") == 0 || strcmp(action, "open") == 0 ||
	    strcmp(action, "write") == 0) ? argc != 4 : argc != 3)
		usage();

	log_procinit("sandbox_probe");
	/* syslog: openlog(LOG_NDELAY) and tzset() before, as helpers do */
	log_init(strcmp(action, "syslog") != 0, LOG_DAEMON);
	if ((env = getenv("OA_SANDBOX_LOG")) != NULL && strcmp(env, "1") == 0)
		mode = SANDBOX_LOG;
	memset(&paths, 0, sizeof(paths));
	paths.sp_jobs_dir = getenv("OA_JOBS_DIR");

	/* what a helper has before its sandbox: a loop, a channel */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, probe_sp) == -1)
		fatal("socketpair");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    pipe2(probe_pipe, O_CLOEXEC) == -1)
		fatal("channel");
	if (imsgbuf_init(&probe_ib[0], sv[0]) == -1 ||
	    imsgbuf_init(&probe_ib[1], sv[1]) == -1)
		fatal("imsgbuf_init");
	imsgbuf_allow_fdpass(&probe_ib[0]);
	imsgbuf_allow_fdpass(&probe_ib[1]);
	if (strcmp(action, "status") == 0 &&
	    (statusfd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)) == -1)
		fatal("/proc/self/status");

	if (sandbox_enter(role, mode, &paths) == -1)
		fatal("sandbox_enter %s %s", argv[1], sandbox_mode_name(mode));

	if (strcmp(action, "ok") == 0)
		return (act_ok(base));
	if (strcmp(action, "status") == 0)
		return (act_status(statusfd));
	if (strcmp(action, "syscall") == 0)
		return (act_syscall(argv[3]));
	if (strcmp(action, "open") == 0)
		return (act_open(argv[3], 0));
	if (strcmp(action, "write") == 0)
		return (act_open(argv[3], 1));
	if (strcmp(action, "syslog") == 0) {
		/* twice: a missing log daemon makes glibc reconnect */
		log_info("probe pid %d alive", getpid());
		log_warnx("probe: second line");
		out("syslog: ok\n");
		return (0);
	}
	usage();
}
