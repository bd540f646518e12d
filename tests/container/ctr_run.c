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
 * ctr_run: one command in a job sandbox, through container_run_sync(),
 * for the tests and the P3 benchmark.
 *
 *   ctr_run [-m local|container] [-t ms] [-M mb] [-p pids] [-c millis]
 *	 [-d mb] [-b src:dst[:rw]]... [-C cwd] [-P socket] [-n port]
 *	 [-e K=V]... [-i] [-r file] [-N count [-X]] -- command [arg ...]
 *
 * The command's stdout and stderr are ours, and with -i its stdin.  The outcome goes to -r's
 * file (or stderr) as one line of key=value.  -N runs the command that
 * many times and prints the milliseconds per run; with -X the command
 * is run on the host by fork and exec instead (a peer like bwrap,
 * timed by the same loop).
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>

#include "log.h"
#include "container.h"

static double
now_ms(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
}

static void
usage(void)
{
	(void)fprintf(stderr, "usage: ctr_run [-m mode] [-t ms] [-M mb] "
	    "[-p pids] [-c millis] [-d mb] [-b src:dst[:rw]] [-C cwd] "
	    "[-P socket] [-n port] [-e K=V] [-i] [-r file] [-N count [-X]] "
	    "-- command ...\n");
	exit(2);
}

static int64_t
num(const char *s)
{
	const char	*errstr;
	long long	 v;

	v = strtonum(s, 0, INT64_MAX / 2, &errstr);
	if (errstr != NULL)
		usage();
	return ((int64_t)v);
}

static int
host_run(char *const argv[])
{
	pid_t	 pid;
	int	 st;

	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		(void)execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) == -1)
		return (-1);
	return (WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1);
}

int
main(int argc, char *argv[])
{
	static const char	*envp[CONTAINER_MAX_ENV + 1];
	struct container_spec	 cs;
	struct container_result	 cr;
	char			*p, *q;
	const char		*resfile = NULL;
	FILE			*out = stderr;
	size_t			 nenv = 0;
	int64_t			 count = 0;
	double			 t0, t1;
	int			 ch, host = 0, rc;

	log_init(1, 0);
	memset(&cs, 0, sizeof(cs));
	cs.cs_mode = ISOLATION_CONTAINER;
	cs.cs_stdin = -1;
	cs.cs_stdout = STDOUT_FILENO;
	cs.cs_stderr = STDERR_FILENO;
	envp[nenv++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	envp[nenv++] = "HOME=/workspace";

	while ((ch = getopt(argc, argv, "b:C:c:d:e:iM:m:N:n:P:p:r:t:X")) != -1) {
		switch (ch) {
		case 'b':
			if (cs.cs_nbinds == CONTAINER_MAX_BINDS ||
			    (q = strchr(optarg, ':')) == NULL)
				usage();
			*q++ = '\0';
			cs.cs_binds[cs.cs_nbinds].cb_src = optarg;
			cs.cs_binds[cs.cs_nbinds].cb_dst = q;
			if ((p = strchr(q, ':')) != NULL) {
				*p++ = '\0';
				if (strcmp(p, "rw") != 0)
					usage();
				cs.cs_binds[cs.cs_nbinds].cb_rw = 1;
			}
			cs.cs_nbinds++;
			break;
		case 'C':
			cs.cs_cwd = optarg;
			break;
		case 'c':
			cs.cs_cpu_millis = num(optarg);
			break;
		case 'd':
			cs.cs_disk_mb = num(optarg);
			break;
		case 'e':
			if (nenv == CONTAINER_MAX_ENV)
				usage();
			envp[nenv++] = optarg;
			break;
		case 'i':
			cs.cs_stdin = STDIN_FILENO;
			break;
		case 'M':
			cs.cs_memory_mb = num(optarg);
			break;
		case 'm':
			if (strcmp(optarg, "container") == 0)
				cs.cs_mode = ISOLATION_CONTAINER;
			else if (strcmp(optarg, "local") == 0)
				cs.cs_mode = ISOLATION_LOCAL;
			else if (strcmp(optarg, "gvisor") == 0)
				cs.cs_mode = ISOLATION_GVISOR;
			else if (strcmp(optarg, "firecracker") == 0)
				cs.cs_mode = ISOLATION_FIRECRACKER;
			else
				usage();
			break;
		case 'N':
			count = num(optarg);
			break;
		case 'n':
			cs.cs_proxy_port = (uint16_t)num(optarg);
			break;
		case 'P':
			cs.cs_proxy_socket = optarg;
			break;
		case 'p':
			cs.cs_pids = num(optarg);
			break;
		case 'r':
			resfile = optarg;
			break;
		case 't':
			cs.cs_time_limit_ms = num(optarg);
			break;
		case 'X':
			host = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > CONTAINER_MAX_ARGS)
		usage();
	envp[nenv] = NULL;
	cs.cs_argv = (const char *const *)argv;
	cs.cs_envp = envp;

	if (count > 0) {
		t0 = now_ms();
		for (int64_t i = 0; i < count; i++) {
			rc = host ? host_run(argv) : container_run_sync(&cs,
			    &cr);
			if (rc == -1 || (!host && (!cr.cr_exited ||
			    cr.cr_exit_code != 0))) {
				(void)fprintf(stderr, "ctr_run: run %lld "
				    "failed: %s\n", (long long)i,
				    host ? "" : cr.cr_error);
				return (1);
			}
		}
		t1 = now_ms();
		(void)printf("%.3f\n", (t1 - t0) / (double)count);
		return (0);
	}

	if (cs.cs_mode != ISOLATION_LOCAL &&
	    cs.cs_mode != ISOLATION_CONTAINER) {
		char	 err[256];

		if (container_mode_available(cs.cs_mode, err,
		    sizeof(err)) == -1) {
			(void)fprintf(stderr, "ctr_run: %s\n", err);
			return (3);
		}
	}
	rc = container_run_sync(&cs, &cr);
	if (resfile != NULL && (out = fopen(resfile, "w")) == NULL) {
		(void)fprintf(stderr, "ctr_run: %s: %s\n", resfile,
		    strerror(errno));
		return (1);
	}
	(void)fprintf(out, "exited=%d code=%d signal=%d timed_out=%d oom=%d "
	    "cancelled=%d duration_ms=%lld peak_kb=%lld cpu=%.3f error=%s\n",
	    cr.cr_exited, cr.cr_exit_code, cr.cr_signal, cr.cr_timed_out,
	    cr.cr_oom, cr.cr_cancelled, (long long)cr.cr_duration_ms,
	    (long long)cr.cr_peak_memory_kb, cr.cr_cpu_seconds,
	    cr.cr_error[0] != '\0' ? cr.cr_error : "-");
	if (out != stderr)
		(void)fclose(out);
	return (rc == -1 ? 1 : 0);
}
