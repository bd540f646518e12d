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
 * Private to the job sandboxes (container.h): the pieces the launcher,
 * container_run_sync() and the tests share.
 *
 *  ct_build.c	  the sandbox itself: clone into new namespaces, pid 1
 *		  of the sandbox, the outcome; local mode
 *  ct_root.c	  the minimal root: tmpfs, binds, /dev, /proc, pivot_root
 *  ct_cgroup.c	  one cgroup per sandbox, v2 or v1, and the rlimit
 *		  fallback when none is writable
 *  ct_seccomp.c  the job filter, and the launcher's own
 *  ct_launcher.c the launcher process: requests, validation, deadlines
 *  ct_proto.c	  the launcher's messages, both directions
 *  ct_gvisor.c	  gvisor mode: an OCI bundle run by runsc
 *  ct_gvbundle.c the bundle: config.json and its root
 */

#ifndef OA_CT_H
#define OA_CT_H

#define CT_JOB_NICE	10	/* the launcher and every sandbox */

#include <sys/types.h>
#include <limits.h>
#include <stdint.h>

#include "container.h"

/* One cgroup hierarchy a sandbox lives in. */
enum ct_ctl {
	CT_CTL_MEMORY,
	CT_CTL_PIDS,
	CT_CTL_CPU,
	CT_CTL_CPUACCT,		/* cpu time: v2's cpu.stat; v1 uses rusage */
	CT_CTL_MAX
};

struct ct_cgroup {
	int		 cg_version;		/* 0: none, 1 or 2 */
	int		 cg_mask;		/* 1 << enum ct_ctl */
	int		 cg_dirfd[CT_CTL_MAX];	/* v2: [0] only; -1: none */
	char		 cg_path[CT_CTL_MAX][PATH_MAX];
	uint64_t	 cg_oom_before;		/* v1 oom_kill count at start */
};

/* What the launcher or the sync caller knows beyond the spec. */
struct ct_env {
	const char	*ce_netbridge;		/* host path, NULL: none */
	const char	*ce_scratch;		/* gvisor bundles; NULL: $TMPDIR */
};

/* A started sandbox, until ct_reaped(). */
struct ct_proc {
	enum isolation_mode	 cp_mode;
	pid_t			 cp_pid;	/* pid 1 of it, or the child */
	int			 cp_pidfd;
	int			 cp_statusfd;	/* reports from inside */
	int64_t			 cp_start_ms;
	int64_t			 cp_deadline_ms;	/* 0: none */
	int			 cp_timed_out;
	int			 cp_cancelled;
	struct ct_cgroup	 cp_cg;
	char			 cp_gvdir[PATH_MAX];	/* gvisor: scratch */
	char			 cp_gvid[32];		/* gvisor: its id */
};

/* What the pipe from inside carries; one write each, below PIPE_BUF. */
enum ct_status_kind {
	CT_ST_ERROR = 1,	/* could not start: st_msg */
	CT_ST_EXIT		/* the command ended: st_wstatus */
};

struct ct_status {
	int	 st_kind;
	int	 st_wstatus;
	char	 st_msg[240];
};

/* Inside the child: everything it needs, prepared before the clone. */
struct ct_child {
	const struct container_spec	*cc_spec;
	const struct ct_env		*cc_env;
	uid_t				 cc_uid;
	gid_t				 cc_gid;
	int				 cc_gofd;	/* cgroup joined, or -1 */
	int				 cc_statusfd;	/* write end */
	int				 cc_cgroup;	/* cgroup controllers */
};

/* ct_build.c */
void	 ct_started(struct ct_proc *, const struct container_spec *, int [2]);
void	 ct_go(struct ct_proc *, int [2]);
void	 ct_start_undo(struct ct_proc *, int [2], int [2]);
int	 ct_start(const struct container_spec *, const struct ct_env *,
	    struct ct_proc *, char *, size_t);
void	 ct_kill(struct ct_proc *);
int	 ct_reaped(struct ct_proc *, int, struct container_result *);
int	 ct_probe(enum isolation_mode, char *, size_t);
int	 ct_in_path(const char *);
int	 ct_path_find(const char *, char *, size_t);
int	 ct_drop_caps(int);
void	 ct_child_begin(struct ct_child *);
void	 ct_child_go(struct ct_child *);
__attribute__((__noreturn__, __format__(printf, 2, 3)))
void	 ct_die(const struct ct_child *, const char *, ...);

/* ct_root.c */
extern const char *const ct_sysdirs[];
extern const char *const ct_etc[];
extern const size_t	 ct_nsysdirs, ct_netc;
void	 ct_root(const struct ct_child *);
void	 ct_loopback(const struct ct_child *);
void	 ct_write_file(const struct ct_child *, const char *, const char *);

/* ct_cgroup.c */
int	 ct_cgroup_init(void);
void	 ct_cgroup_none(struct ct_cgroup *);
int	 ct_cgroup_create(struct ct_cgroup *, const struct container_spec *);
int	 ct_cgroup_attach(struct ct_cgroup *, pid_t);
void	 ct_cgroup_kill(struct ct_cgroup *);
void	 ct_cgroup_stats(struct ct_cgroup *, struct container_result *);
void	 ct_cgroup_destroy(struct ct_cgroup *);
int	 ct_rlimits(const struct container_spec *, int);

/* ct_seccomp.c */
int	 ct_seccomp_prepare(void);
int	 ct_seccomp_job(void);
int	 ct_seccomp_launcher(void);

/* ct_gvisor.c, ct_gvbundle.c */
#define GV_PATH		(PATH_MAX + 64)	/* below a scratch folder */
#define GV_ENV_PATH	"PATH=/usr/sbin:/usr/bin:/sbin:/bin"
int	 ct_gv_bundle(const struct container_spec *, const struct ct_env *,
	    const struct ct_cgroup *, const char *);
int	 ct_gv_start(const struct container_spec *, const struct ct_env *,
	    struct ct_proc *, char *, size_t);
void	 ct_gv_kill(struct ct_proc *);
int	 ct_gv_reaped(struct ct_proc *, int, struct container_result *);
int	 ct_gv_present(char *, size_t);
int	 ct_gv_probe(const struct ct_env *, char *, size_t);

/* ct_proto.c */
struct ibuf;
struct imsg;

enum ct_msg {
	CT_MSG_HELLO = 1,	/* launcher -> workerd: probe results */
	CT_MSG_FD,		/* workerd -> launcher: u8 index, the fd */
	CT_MSG_RUN,		/* workerd -> launcher: the spec */
	CT_MSG_CANCEL,		/* workerd -> launcher: empty */
	CT_MSG_DONE		/* launcher -> workerd: the result */
};

#define CT_MSG_MAX	(256 * 1024)
#define CT_STR_MAX	4096

struct ct_hello {
	int	 ch_ok[4];		/* per isolation mode */
	char	 ch_err[4][128];
};

/* A decoded spec that owns its strings. */
struct ct_spec {
	struct container_spec	 s;
	char			*argv[CONTAINER_MAX_ARGS + 1];
	char			*envp[CONTAINER_MAX_ENV + 1];
	char			*cwd;
	char			*proxy;
	char			*bsrc[CONTAINER_MAX_BINDS];
	char			*bdst[CONTAINER_MAX_BINDS];
	uint8_t			 fdmask;	/* stdio fds that follow */
};

struct ibuf	*ct_spec_encode(const struct container_spec *, uint8_t);
int		 ct_spec_decode(struct ibuf *, struct ct_spec *);
void		 ct_spec_free(struct ct_spec *);

/* ct_launcher.c */
__attribute__((__noreturn__))
void	 ct_launcher_main(int, const char *, const char *);

#endif /* OA_CT_H */
