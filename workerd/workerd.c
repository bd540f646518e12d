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
 * openagents-workerd: job execution: repository fetch and filtering, job
 * sandboxes, agents, test runs.  Confined to the jobs folder.
 *
 * Started only by openagentsd, with its channel on fd 3.  Each work
 * order is a job of its own, several at once (the supervisor keeps to
 * the capacity); each gets exactly one IMSG_WORK_DONE, whatever
 * happens to it, and its answer is also left in the job folder as
 * done-<phase>.json for a supervisor that restarts.
 */

#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <yajl/yajl_gen.h>

#include "container.h"
#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "proc_child.h"
#include "work_agent.h"
#include "work_job.h"
#include "work_run.h"
#include "work_test.h"
#include "work_traj.h"

static void	 workerd_init(struct proc_child *);
static int	 workerd_dispatch(struct proc_child *, struct imsg *);
static void	 workerd_shutdown(struct proc_child *);

static struct proc_child	workerd = {
	.pc_id = PROC_WORKERD,
	.pc_init = workerd_init,
	.pc_dispatch = workerd_dispatch,
	.pc_shutdown = workerd_shutdown,
};

const char		*work_jobs_dir;
char			 work_local_path[1024];
static struct work_jobs	 jobs = TAILQ_HEAD_INITIALIZER(jobs);

/*
 * Before the sandbox: the launcher must be forked now, because nothing
 * started from inside our Landlock domain could build a sandbox.
 */
static void
workerd_init(struct proc_child *pc)
{
	char		 exe[PATH_MAX], err[256];
	const char	*path;
	ssize_t		 n;

	if ((work_jobs_dir = pc->pc_jobs_dir) == NULL)
		fatalx("no jobs folder (-J)");
	if ((path = getenv("PATH")) != NULL)
		(void)strlcpy(work_local_path, path, sizeof(work_local_path));
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) == -1)
		fatal("readlink /proc/self/exe");
	exe[n] = '\0';
	if (container_launcher_start(work_jobs_dir, dirname(exe), err,
	    sizeof(err)) == -1)
		fatalx("cannot start the sandbox launcher: %s", err);
}

static void
workerd_shutdown(struct proc_child *pc)
{
	struct work_job	*job;

	(void)pc;
	/* the supervisor reconciles them from the ledger after a restart */
	TAILQ_FOREACH(job, &jobs, wj_entry)
		if (job->wj_ctr != NULL) {
			job->wj_cancelled = 1;
			container_cancel(job->wj_ctr);
		}
}

static void
work_send(struct work_job *job, uint32_t type, const void *json, size_t len)
{
	struct msg_work	 mw;
	struct iovec	 iov[2];

	memset(&mw, 0, sizeof(mw));
	(void)strlcpy(mw.mw_job, job->wj_order.wo_job, sizeof(mw.mw_job));
	mw.mw_phase = job->wj_order.wo_phase;
	iov[0].iov_base = &mw;
	iov[0].iov_len = sizeof(mw);
	iov[1].iov_base = (void *)(uintptr_t)json;
	iov[1].iov_len = len;
	if (imsgev_composev(&job->wj_pc->pc_parent, type, 0, 0, -1, iov,
	    2) == -1)
		fatal("%s: compose", __func__);
}

void
work_progress(struct work_job *job, int percent, const char *text)
{
	const unsigned char	*buf;
	yajl_gen		 g = jg_new();
	size_t			 len;

	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	jg_int(g, "percent", percent);
	jg_str(g, "text", text);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok ||
	    yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	log_debug("%s: %s", job->wj_order.wo_job, text);
	work_send(job, IMSG_WORK_PROGRESS, buf, len);
	yajl_gen_free(g);
}

static void
job_free(struct work_job *job)
{
	env_free(&job->wj_box.b_env);
	work_order_free(&job->wj_order);
	free(job->wj_local_src);
	free(job);
}

/* The one answer of a job; the job is gone afterwards. */
void
work_done(struct work_job *job, yajl_gen g)
{
	const struct work_order	*wo = &job->wj_order;
	const unsigned char	*buf;
	char			 name[32];
	size_t			 len;
	int			 ok, keep;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	/* every answer is made with "ok" as its first key */
	ok = len > 10 && memcmp(buf, "{\"ok\":true", 10) == 0;
	(void)snprintf(name, sizeof(name), "done-%s.json",
	    work_phase_name(wo->wo_phase));
	if (job_write_atomic(job, name, buf, len) == -1)
		log_warn("%s: %s", wo->wo_job, name);
	work_send(job, IMSG_WORK_DONE, buf, len);
	log_info("%s: %s phase done: %.*s", wo->wo_job,
	    work_phase_name(wo->wo_phase), (int)(len > 300 ? 300 : len), buf);
	yajl_gen_free(g);
	/* the test phase still needs the filtered repository */
	keep = ok && wo->wo_type == WORK_PATCHGEN &&
	    wo->wo_phase == WORK_PHASE_AGENT;
	job_cleanup(job, keep);
	TAILQ_REMOVE(&jobs, job, wj_entry);
	job_free(job);
}

void
work_fail(struct work_job *job, const char *code, int flags,
    const char *fmt, ...)
{
	yajl_gen	 g = jg_new();
	va_list		 ap;
	char		 msg[512], tid[64];

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	jg_bool(g, "ok", 0);
	jg_str(g, "code", code);
	jg_str(g, "message", msg);
	jg_bool(g, "timed_out", (flags & WF_TIMEOUT) != 0);
	jg_bool(g, "cancelled", (flags & WF_CANCELLED) != 0);
	if (job->wj_order.wo_phase != WORK_PHASE_TEST &&
	    job_exists(job, "trajectory.jsonl")) {
		jg_str(g, "trajectory_file", "trajectory.jsonl");
		jg_str(g, "trajectory_id", traj_id(job, tid, sizeof(tid)));
	}
	if (job->wj_sha[0] != '\0')
		jg_str(g, "repo_sha", job->wj_sha);
	if (job->wj_start_ms != 0)
		jg_int(g, "duration_ms", now_monotonic_ms() - job->wj_start_ms);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	work_done(job, g);
}

static struct work_job *
job_find(const char *id)
{
	struct work_job	*job;

	TAILQ_FOREACH(job, &jobs, wj_entry)
		if (strcmp(job->wj_order.wo_job, id) == 0)
			return (job);
	return (NULL);
}

static void
work_start(struct proc_child *pc, const struct msg_work *mw,
    const char *json, size_t len)
{
	struct work_job	*job;
	char		 err[256];

	if ((job = calloc(1, sizeof(*job))) == NULL)
		fatal("%s", __func__);
	if (work_order_parse(json, len, mw->mw_phase, &job->wj_order, err,
	    sizeof(err)) == -1)
		fatalx("bad work order from the supervisor: %s", err);
	if (strcmp(job->wj_order.wo_job, mw->mw_job) != 0)
		fatalx("work order for %s in a message for %s",
		    job->wj_order.wo_job, mw->mw_job);
	if (job_find(mw->mw_job) != NULL)
		fatalx("%s: a second order while one runs", mw->mw_job);
	job->wj_pc = pc;
	job->wj_fd = -1;
	job->wj_started_at = time(NULL);
	job->wj_start_ms = now_monotonic_ms();
	if ((size_t)snprintf(job->wj_dir, sizeof(job->wj_dir), "%s/%s",
	    work_jobs_dir, mw->mw_job) >= sizeof(job->wj_dir))
		fatalx("%s: jobs folder path too long", __func__);
	TAILQ_INSERT_TAIL(&jobs, job, wj_entry);
	log_info("%s: %s phase of %s", mw->mw_job,
	    work_phase_name(job->wj_order.wo_phase),
	    work_type_name(job->wj_order.wo_type));

	if (job_mkdirs(job) == -1) {
		work_fail(job, "E007", 0, "job folder %s: %s", job->wj_dir,
		    strerror(errno));
		return;
	}
	if (container_mode_available(job->wj_order.wo_isolation, err,
	    sizeof(err)) == -1) {
		work_fail(job, "E007", 0, "isolation %s: %s",
		    config_isolation_name(job->wj_order.wo_isolation), err);
		return;
	}
	switch (job->wj_order.wo_phase) {
	case WORK_PHASE_AGENT:
		agent_phase(job);
		break;
	case WORK_PHASE_TEST:
		test_phase(job);
		break;
	case WORK_PHASE_RUN:
		run_phase(job);
		break;
	}
}

static int
workerd_dispatch(struct proc_child *pc, struct imsg *imsg)
{
	struct msg_work	 mw;
	struct work_job	*job;
	struct ibuf	 ib;

	switch (imsg_get_type(imsg)) {
	case IMSG_WORK_START:
		if (imsg_get_ibuf(imsg, &ib) == -1 ||
		    ibuf_get(&ib, &mw, sizeof(mw)) == -1)
			fatalx("%s: short work order", __func__);
		break;
	case IMSG_WORK_CANCEL:
		if (imsg_get_data(imsg, &mw, sizeof(mw)) == -1)
			fatalx("%s: bad cancel", __func__);
		break;
	default:
		return (-1);
	}
	if (memchr(mw.mw_job, '\0', sizeof(mw.mw_job)) == NULL ||
	    mw.mw_phase < WORK_PHASE_AGENT || mw.mw_phase > WORK_PHASE_RUN)
		fatalx("%s: bad work message", __func__);

	if (imsg_get_type(imsg) == IMSG_WORK_START) {
		work_start(pc, &mw, ibuf_data(&ib), ibuf_size(&ib));
		return (0);
	}
	if ((job = job_find(mw.mw_job)) == NULL ||
	    job->wj_order.wo_phase != mw.mw_phase) {
		/* finished already: its answer is on the way */
		log_debug("cancel of %s: not running", mw.mw_job);
		return (0);
	}
	log_info("%s: cancelled", mw.mw_job);
	job->wj_cancelled = 1;
	if (job->wj_ctr != NULL)
		container_cancel(job->wj_ctr);
	return (0);
}

int
main(int argc, char *argv[])
{
	return (proc_child_main(argc, argv, &workerd));
}
