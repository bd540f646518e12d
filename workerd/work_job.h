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
 * One job of workerd: its folder, the sandboxes it runs one after the
 * other, and the answer it owes the supervisor.
 *
 * The job folder, jobs/<job_id>/:
 *	order-<phase>.json	written by the supervisor
 *	in/			read-only in the sandboxes: scripts,
 *				prompt, issue, diff, patch under test
 *	repo/			the fetched tree, secrets filtered, as a
 *				fresh one-commit git repository
 *	repo.ok			repo/ is complete: the upstream commit
 *	out/			the sandbox's output folder
 *	ws/, tmp/		workspace and $HOME in local mode
 *	trajectory.jsonl, patch.diff, review.json, output.txt,
 *	*-stdout.txt, *-stderr.txt, filtered.txt, done-<phase>.json
 */

#ifndef OA_WORK_JOB_H
#define OA_WORK_JOB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <bsd/sys/queue.h>
#include <yajl/yajl_gen.h>

#include "container.h"
#include "util.h"
#include "work_order.h"

struct proc_child;
struct work_job;

/* What to do when a sandbox of the job has ended (not cancelled). */
typedef void (*work_step_cb)(struct work_job *,
    const struct container_result *);
/* What to do once the repository is ready. */
typedef void (*work_then_cb)(struct work_job *);

struct work_usage {
	int64_t		 u_input;
	int64_t		 u_output;
	int64_t		 u_cache_read;
	int		 u_seen;
};

#define WORK_ENV_MAX	96

struct work_env {
	char		*e_v[WORK_ENV_MAX + 1];
	size_t		 e_n;
};

#define WORK_NPLACES	5

/* What a running sandbox was given: kept until it ends. */
struct work_box {
	struct work_env		 b_env;
	char			 b_script[OA_PATH_MAX];
	char			 b_cwd[OA_PATH_MAX];
	char			 b_src[WORK_NPLACES][OA_PATH_MAX];
};

struct work_job {
	TAILQ_ENTRY(work_job)	 wj_entry;
	struct proc_child	*wj_pc;
	struct work_order	 wj_order;
	char			 wj_dir[OA_PATH_MAX];
	struct container	*wj_ctr;
	work_step_cb		 wj_step;
	work_then_cb		 wj_then;
	const char		*wj_what;	/* the running step */
	int			 wj_fd;		/* the step's log, until it ends */
	struct work_box		 wj_box;
	char			*wj_local_src;	/* file:// source, resolved */
	int			 wj_cancelled;
	int64_t			 wj_start_ms;
	time_t			 wj_started_at;
	char			 wj_sha[41];
	struct work_usage	 wj_usage;
};

TAILQ_HEAD(work_jobs, work_job);

/* The sandbox side of a step: what the spec builder needs. */
enum work_bind {
	WB_REPO_RW = 0x01,	/* the fetch and prepare steps */
	WB_WORKSPACE = 0x02,	/* a writable copy is made inside */
	WB_AGENT = 0x04,	/* bind the command agent's program */
	WB_LOCAL_SRC = 0x08	/* bind a file:// source read-only */
};

/* where the sandbox's bridge to relayd's proxy listens */
#define WORK_PROXY_PORT	3128

#define WF_TIMEOUT	0x01
#define WF_CANCELLED	0x02

/* workerd.c */
extern const char	*work_jobs_dir;
extern char		 work_local_path[1024];
void		 work_done(struct work_job *, yajl_gen);
void		 work_fail(struct work_job *, const char *, int,
		    const char *, ...)
		    __attribute__((__format__ (printf, 4, 5)));
void		 work_progress(struct work_job *, int, const char *);

/* work_job.c: files */
int		 job_path(const struct work_job *, char *, size_t,
		    const char *);
int		 job_mkdirs(struct work_job *);
int		 job_open(const struct work_job *, const char *, int, mode_t);
int		 job_write(const struct work_job *, const char *, const void *,
		    size_t);
int		 job_write_atomic(const struct work_job *, const char *,
		    const void *, size_t);
char		*job_read(const struct work_job *, const char *, size_t,
		    size_t *);
int		 job_exists(const struct work_job *, const char *);
int		 job_rename(const struct work_job *, const char *,
		    const char *);
int		 job_remove(const struct work_job *, const char *);
int		 job_sha256_file(const struct work_job *, const char *,
		    char [65]);
int		 job_read_int(const struct work_job *, const char *,
		    int64_t *);
void		 job_cleanup(struct work_job *, int);
int		 rmtree_at(int, const char *, int);

/* work_job.c: JSON */
yajl_gen	 jg_new(void);
void		 jg_str(yajl_gen, const char *, const char *);
void		 jg_int(yajl_gen, const char *, int64_t);
void		 jg_bool(yajl_gen, const char *, int);
void		 jg_double(yajl_gen, const char *, double);
void		 jg_key(yajl_gen, const char *);
char		*utf8_clean(const char *, size_t);
void		 jg_usage(yajl_gen, const struct work_usage *);

/* work_box.c: sandboxes */
const char	*box_path(const struct work_job *, const char *, char *,
		    size_t);
int		 box_script(const struct work_job *, const char *,
		    const char *);
void		 env_add(struct work_env *, const char *, const char *);
void		 env_free(struct work_env *);
void		 box_env(const struct work_job *, struct work_env *);
/* the env is the job's box env, filled with box_env() and more */
int		 box_run(struct work_job *, const char *, const char *,
		    int, int64_t, work_step_cb);
char		*box_reason(const struct work_job *);
int		 box_failed(struct work_job *, const struct container_result *,
		    const char *);

#endif /* OA_WORK_JOB_H */
