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
 * Job sandboxes.  workerd runs under Landlock and seccomp, and Landlock
 * forbids mount and pivot_root to it and to everything it starts; so
 * before workerd confines itself it forks the launcher, a small process
 * that keeps only what building a sandbox needs and takes requests from
 * workerd over a socket pair.  workerd asks; the launcher builds the
 * sandbox, runs the command in it, enforces the limits and the wall
 * clock, and answers with the outcome.
 *
 * Inside a "container" sandbox (DESIGN.md §7): new user, mount, pid,
 * net, ipc and uts namespaces; pivot_root into a minimal read-only root
 * (/usr, /bin, /lib*, a few /etc files, a small /dev, a fresh /proc);
 * the binds of the spec, read-only unless said; a tmpfs /tmp and
 * /workspace; no capabilities; no_new_privs; the job seccomp filter;
 * cgroup limits (memory, pids, cpu; v2, or v1 where that is what the
 * machine has); the whole tree killed at the deadline.
 */

#ifndef OA_CONTAINER_H
#define OA_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct event_base;

#define CONTAINER_MAX_BINDS	16
#define CONTAINER_MAX_ARGS	64
#define CONTAINER_MAX_ENV	128

struct container_bind {
	const char	*cb_src;	/* host path, absolute */
	const char	*cb_dst;	/* path inside, absolute */
	int		 cb_rw;		/* 0: read-only */
};

struct container_spec {
	enum isolation_mode	 cs_mode;
	const char *const	*cs_argv;	/* NULL-terminated */
	const char *const	*cs_envp;	/* NULL-terminated, the whole env */
	const char		*cs_cwd;	/* inside; NULL: /workspace */
	struct container_bind	 cs_binds[CONTAINER_MAX_BINDS];
	size_t			 cs_nbinds;
	int			 cs_stdin;	/* fds to give it; -1: /dev/null */
	int			 cs_stdout;
	int			 cs_stderr;
	int64_t			 cs_time_limit_ms;	/* wall clock; 0: none */
	int64_t			 cs_memory_mb;		/* 0: no limit */
	int64_t			 cs_pids;		/* 0: no limit */
	int64_t			 cs_cpu_millis;		/* 1000 = one CPU; 0: none */
	int64_t			 cs_disk_mb;		/* tmpfs sizes */
	/*
	 * relayd's proxy socket, bound at /run/oa/proxy.sock; with a
	 * port, a bridge inside listens on 127.0.0.1:port and forwards
	 * to it, for agents that speak TCP only.
	 */
	const char		*cs_proxy_socket;	/* NULL: none */
	uint16_t		 cs_proxy_port;
};

struct container_result {
	int		 cr_exited;	/* 1: exit code valid */
	int		 cr_exit_code;
	int		 cr_signal;	/* the command's fatal signal, or 0 */
	int		 cr_timed_out;	/* killed at the deadline */
	int		 cr_oom;	/* killed by the memory limit */
	int		 cr_cancelled;	/* container_cancel() */
	int64_t		 cr_duration_ms;
	int64_t		 cr_peak_memory_kb;
	double		 cr_cpu_seconds;
	char		 cr_error[256];	/* could not start: why */
};

struct container;
typedef void (*container_done_cb)(struct container *,
    const struct container_result *, void *);

/*
 * In workerd's pc_init, before the sandbox: fork the launcher.  helpers
 * is the folder of the suite's programs (the bridge lives there).
 * Returns 0 or -1 with err set.
 */
int	 container_launcher_start(const char *jobs_dir, const char *helpers,
	    char *err, size_t errlen);

/* What a mode can do here, for a clear error before any job. */
int	 container_mode_available(enum isolation_mode, char *, size_t);

/*
 * Start a sandbox; the callback runs once, from the event loop, with
 * the outcome (also when it could not start).  NULL and err set when
 * the request could not even be sent.
 */
struct container *container_run(struct event_base *,
	    const struct container_spec *, container_done_cb, void *,
	    char *err, size_t errlen);

/* Kill the whole tree; the callback still runs, with cr_cancelled. */
void	 container_cancel(struct container *);

/*
 * The same, synchronous, for tools and benchmarks that are not
 * workerd: no launcher, the calling process builds the sandbox.
 */
int	 container_run_sync(const struct container_spec *,
	    struct container_result *);

#endif /* OA_CONTAINER_H */
