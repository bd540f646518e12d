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
 * The supervisor's side of workerd: one work order per phase of a job
 * (workerd/work.h), progress reports and exactly one done report per
 * order.  The order is also written to the job's folder, for a human
 * and for a restarted workerd's successor to read.
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "config.h"
#include "jobs.h"
#include "log.h"
#include "msg.h"
#include "supervisor.h"
#include "sv_json.h"
#include "work.h"

static const char *
phase_name(int phase)
{
	switch (phase) {
	case WORK_PHASE_AGENT:
		return ("agent");
	case WORK_PHASE_TEST:
		return ("test");
	case WORK_PHASE_RUN:
		return ("run");
	default:
		return ("unknown");
	}
}

static void
jb_strv(struct jb *jb, const char *key, const struct job_strv *sv)
{
	size_t	 i;

	jb_key(jb, key);
	jb_aopen(jb);
	for (i = 0; i < sv->n; i++)
		jb_str(jb, sv->v[i]);
	jb_aclose(jb);
}

static void
jb_conflist(struct jb *jb, const char *key, const struct conf_strlist *l)
{
	size_t	 i;

	jb_key(jb, key);
	jb_aopen(jb);
	for (i = 0; i < l->n; i++)
		jb_str(jb, l->v[i]);
	jb_aclose(jb);
}

/*
 * The job's limits: what the request asks, within what the operator
 * allows.
 */
static void
order_limits(struct jb *jb, const struct conf *c, const struct job_request *r)
{
	int64_t	 t = c->c_limit_time_secs, m = c->c_limit_memory_mb;
	double	 cpu = 2.0;

	if (r->jr_time_limit_secs > 0 && r->jr_time_limit_secs < t)
		t = r->jr_time_limit_secs;
	if (r->jr_memory_mb > 0 && r->jr_memory_mb < m)
		m = r->jr_memory_mb;
	if (r->jr_cpu_limit > 0.0 && r->jr_cpu_limit < 64.0)
		cpu = r->jr_cpu_limit;
	jb_kint(jb, "time_limit_secs", t);
	jb_kint(jb, "memory_mb", m);
	jb_kint(jb, "pids", c->c_limit_pids);
	jb_kint(jb, "disk_mb", c->c_limit_disk_mb);
	jb_key(jb, "cpu_limit");
	jb_double(jb, cpu);
}

static int
order_build(struct supervisor *s, struct job *j, int phase, char **out,
    size_t *outlen)
{
	const struct conf		*c = &s->sv_conf;
	const struct job_request	*r = &j->j_req;
	struct jb			 jb;
	char				 sock[OA_PATH_MAX];

	if (jb_init(&jb) == -1)
		return (-1);
	jb_open(&jb);
	jb_kstr(&jb, "job_id", j->j_lj.lj_id);
	jb_kstr(&jb, "type", config_job_type_name(r->jr_type));
	jb_kstr(&jb, "phase", phase_name(phase));
	if (r->jr_repo_url != NULL)
		jb_kstr(&jb, "repo_url", r->jr_repo_url);
	jb_kstr(&jb, "repo_ref", r->jr_repo_ref != NULL ? r->jr_repo_ref :
	    "HEAD");
	jb_kstr(&jb, "subdir", r->jr_subdir != NULL ? r->jr_subdir : "");
	if (r->jr_issue != NULL)
		jb_kstr(&jb, "issue", r->jr_issue);
	if (r->jr_diff != NULL)
		jb_kstr(&jb, "diff", r->jr_diff);
	if (r->jr_focus != NULL)
		jb_kstr(&jb, "focus", r->jr_focus);
	if (r->jr_depth != NULL)
		jb_kstr(&jb, "depth", r->jr_depth);
	jb_strv(&jb, "allowed_paths", &r->jr_allowed);
	jb_strv(&jb, "disallowed_paths", &r->jr_disallowed);
	if (r->jr_test_command != NULL)
		jb_kstr(&jb, "test_command", r->jr_test_command);
	jb_strv(&jb, "verification_commands", &r->jr_verify_cmds);
	if (r->jr_command != NULL)
		jb_kstr(&jb, "command", r->jr_command);
	jb_strv(&jb, "env", &r->jr_env);
	if (r->jr_workdir != NULL)
		jb_kstr(&jb, "workdir", r->jr_workdir);
	order_limits(&jb, c, r);
	jb_kstr(&jb, "isolation", config_isolation_name(c->c_isolation));
	jb_key(&jb, "agent");
	jb_open(&jb);
	jb_kstr(&jb, "backend", config_agent_name(c->c_agent));
	/* workerd takes a command, even an empty one, as a path to bind */
	if (c->c_agent_command[0] != '\0')
		jb_kstr(&jb, "command", c->c_agent_command);
	if (c->c_agent_model[0] != '\0')
		jb_kstr(&jb, "model", c->c_agent_model);
	jb_close(&jb);
	jb_conflist(&jb, "allow_local_repos", &c->c_allow_local_repos);
	jb_kint(&jb, "repo_max_bytes", c->c_limit_repo_bytes);
	if (path_join(sock, sizeof(sock), s->sv_paths.p_jobs,
	    "proxy.sock") == -1 || access(sock, F_OK) == -1)
		sock[0] = '\0';
	jb_kstr(&jb, "proxy_socket", sock);
	if (phase == WORK_PHASE_TEST)
		jb_kstr(&jb, "patch_file", "patch.diff");
	jb_close(&jb);
	return (jb_finish(&jb, out, outlen));
}

/*
 * Write a document into the job's folder, whole or not at all: a
 * temporary name, then rename.  Durable ones are synced first; the
 * others (requests, orders) are copies of what the ledger holds, and
 * a crash of the process loses nothing that the page cache has.
 */
int
sv_job_file_write(struct supervisor *s, const char *job, const char *name,
    const char *data, size_t len, int durable)
{
	char	 dir[OA_PATH_MAX], path[OA_PATH_MAX], tmp[OA_PATH_MAX];
	int	 fd;
	ssize_t	 n;
	size_t	 off = 0;

	if (path_join(dir, sizeof(dir), s->sv_paths.p_jobs, job) == -1 ||
	    path_join(path, sizeof(path), dir, name) == -1 ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if (mkdir_private(dir) == -1)
		return (-1);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return (-1);
	while (off < len) {
		if ((n = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (durable && fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		(void)unlink(tmp);
		return (-1);
	}
	return (0);
 fail:
	if (fd != -1)
		(void)close(fd);
	(void)unlink(tmp);
	return (-1);
}

/* A whole file of the job's folder, NUL-terminated; NULL if absent. */
char *
sv_job_file_read(struct supervisor *s, const char *job, const char *name,
    size_t max, size_t *lenp)
{
	char	 dir[OA_PATH_MAX], path[OA_PATH_MAX], *buf = NULL, *nb;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;
	int	 fd;

	if (path_join(dir, sizeof(dir), s->sv_paths.p_jobs, job) == -1 ||
	    path_join(path, sizeof(path), dir, name) == -1)
		return (NULL);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return (NULL);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap == 0 ? 8192 : cap * 2;
			if (cap > max + 4096 + 1)
				cap = max + 4096 + 1;
			if ((nb = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nb;
		}
		if ((n = read(fd, buf + len, cap - len - 1)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			errno = EFBIG;
			goto fail;
		}
	}
	(void)close(fd);
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return (NULL);
	buf[len] = '\0';
	*lenp = len;
	return (buf);
 fail:
	(void)close(fd);
	free(buf);
	return (NULL);
}

static struct helper *
sv_workerd(struct supervisor *s)
{
	struct helper	*h = &s->sv_helpers[PROC_WORKERD];

	return (h->h_ready && h->h_iev_open ? h : NULL);
}

/*
 * Send one order.  Returns 0 when it went out, 1 when workerd is not
 * there (the job waits for jobs_helper_ready), -1 on a local error.
 */
int
sv_work_order(struct supervisor *s, struct job *j, int phase)
{
	struct helper	*h;
	struct msg_work	 mw;
	struct iovec	 iov[2];
	char		*order, name[32];
	size_t		 len;

	j->j_phase = phase;
	j->j_wait = JW_WORK;
	if (order_build(s, j, phase, &order, &len) == -1)
		return (-1);
	if (len > WORK_ORDER_MAX) {
		free(order);
		errno = EFBIG;
		return (-1);
	}
	(void)snprintf(name, sizeof(name), "order-%s.json", phase_name(phase));
	if (sv_job_file_write(s, j->j_lj.lj_id, name, order, len, 0) == -1)
		log_warn("job %s: %s", j->j_lj.lj_id, name);
	if ((h = sv_workerd(s)) == NULL) {
		free(order);
		return (1);
	}
	memset(&mw, 0, sizeof(mw));
	(void)strlcpy(mw.mw_job, j->j_lj.lj_id, sizeof(mw.mw_job));
	mw.mw_phase = (uint32_t)phase;
	iov[0].iov_base = &mw;
	iov[0].iov_len = sizeof(mw);
	iov[1].iov_base = order;
	iov[1].iov_len = len;
	if (imsgev_composev(&h->h_iev, IMSG_WORK_START, 0, 0, -1, iov,
	    2) == -1)
		fatal("%s: compose", __func__);
	free(order);
	log_debug("job %s: %s phase sent to workerd", j->j_lj.lj_id,
	    phase_name(phase));
	return (0);
}

void
sv_work_cancel(struct supervisor *s, struct job *j)
{
	struct helper	*h;
	struct msg_work	 mw;

	if ((h = sv_workerd(s)) == NULL)
		return;
	memset(&mw, 0, sizeof(mw));
	(void)strlcpy(mw.mw_job, j->j_lj.lj_id, sizeof(mw.mw_job));
	mw.mw_phase = (uint32_t)j->j_phase;
	if (imsgev_compose(&h->h_iev, IMSG_WORK_CANCEL, 0, 0, -1, &mw,
	    sizeof(mw)) == -1)
		fatal("%s: compose", __func__);
}

int
sv_work_dispatch(struct supervisor *s, struct imsg *imsg)
{
	struct helper	*h = &s->sv_helpers[PROC_WORKERD];
	struct msg_work	 mw;
	struct ibuf	 ib;
	uint32_t	 type = imsg_get_type(imsg);

	if (type != IMSG_WORK_PROGRESS && type != IMSG_WORK_DONE)
		return (-1);
	if (imsg_get_ibuf(imsg, &ib) == -1 ||
	    ibuf_get(&ib, &mw, sizeof(mw)) == -1 ||
	    memchr(mw.mw_job, '\0', sizeof(mw.mw_job)) == NULL) {
		helper_violation(s, h, "bad work message");
		return (0);
	}
	if (type == IMSG_WORK_PROGRESS)
		jobs_work_progress(s, mw.mw_job, ibuf_data(&ib),
		    ibuf_size(&ib));
	else
		jobs_work_done(s, mw.mw_job, (int)mw.mw_phase, ibuf_data(&ib),
		    ibuf_size(&ib));
	return (0);
}
