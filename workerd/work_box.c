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
 * The sandboxes of a job, described once for both worlds: in a
 * container the folders are bound at fixed places (/repo, /workspace,
 * /out, /in); in local mode nothing is bound and the same
 * scripts get the host folders of the job instead.  The scripts find
 * everything through $OA_* variables, never through fixed paths.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "log.h"
#include "proc_child.h"
#include "work_job.h"

static const struct {
	const char	*b_name;	/* the job subfolder */
	const char	*b_inside;	/* its place in a container */
} box_places[] = {
	{ "repo",	"/repo" },
	{ "ws",		"/workspace" },
	{ "out",	"/out" },
	{ "in",		"/in" },
	{ "tmp",	"/tmp" },
};

/*
 * The start of every job script: the output folder, a way to fail
 * with a reason for workerd, and the copy of the filtered repository
 * into the workspace.
 */
static const char box_prelude[] =
"set -u\n"
"out=$OA_OUTPUT_DIR\n"
"ws=$OA_WORKSPACE\n"
"fail() {\n"
"	printf '%s\\n' \"$2\" >\"$out/error\"\n"
"	exit \"$1\"\n"
"}\n"
"copy_repo() {\n"
"	cp -a \"$OA_REPO_DIR/.\" \"$ws/\" ||\n"
"	    fail 12 \"cannot copy the repository into the workspace\"\n"
"}\n";

static int
box_local(const struct work_job *job)
{
	return (job->wj_order.wo_isolation == ISOLATION_LOCAL);
}

/* The path of a job folder as the sandbox sees it. */
const char *
box_path(const struct work_job *job, const char *name, char *buf,
    size_t len)
{
	size_t	 i;

	for (i = 0; i < sizeof(box_places) / sizeof(box_places[0]); i++) {
		if (strcmp(box_places[i].b_name, name) != 0)
			continue;
		if (!box_local(job)) {
			(void)strlcpy(buf, box_places[i].b_inside, len);
			return (buf);
		}
		if (job_path(job, buf, len, name) == -1)
			fatalx("%s: job path too long", __func__);
		return (buf);
	}
	fatalx("%s: %s", __func__, name);
}

/* in/<name>: the prelude and body, for /bin/sh in the sandbox. */
int
box_script(const struct work_job *job, const char *name, const char *body)
{
	char	 rel[64], *text;
	int	 r;

	(void)snprintf(rel, sizeof(rel), "in/%s", name);
	if (asprintf(&text, "%s%s", box_prelude, body) == -1)
		fatal("%s", __func__);
	r = job_write(job, rel, text, strlen(text));
	free(text);
	return (r);
}

void
env_add(struct work_env *env, const char *name, const char *val)
{
	char	*s;

	if (env->e_n >= WORK_ENV_MAX)
		fatalx("%s: too many variables", __func__);
	if (asprintf(&s, "%s=%s", name, val) == -1)
		fatal("%s", __func__);
	env->e_v[env->e_n++] = s;
	env->e_v[env->e_n] = NULL;
}

void
env_free(struct work_env *env)
{
	size_t	 i;

	for (i = 0; i < env->e_n; i++)
		free(env->e_v[i]);
	env->e_n = 0;
	env->e_v[0] = NULL;
}

/* What every sandbox of the job gets. */
void
box_env(const struct work_job *job, struct work_env *env)
{
	const struct work_order	*wo = &job->wj_order;
	char			 p[OA_PATH_MAX], n[32];

	env->e_n = 0;
	env->e_v[0] = NULL;
	env_add(env, "PATH", box_local(job) && work_local_path[0] != '\0' ?
	    work_local_path : "/usr/local/bin:/usr/bin:/bin");
	env_add(env, "HOME", box_path(job, "tmp", p, sizeof(p)));
	env_add(env, "TMPDIR", p);
	env_add(env, "LANG", "C.UTF-8");
	/* git reads nothing of the host's, asks nobody, fetches no LFS */
	env_add(env, "GIT_CONFIG_NOSYSTEM", "1");
	env_add(env, "GIT_CONFIG_GLOBAL", "/dev/null");
	env_add(env, "GIT_TERMINAL_PROMPT", "0");
	env_add(env, "GIT_LFS_SKIP_SMUDGE", "1");
	env_add(env, "GIT_ASKPASS", "/bin/false");
	env_add(env, "GIT_PROTOCOL_FROM_USER", "0");
	env_add(env, "OA_REPO_DIR", box_path(job, "repo", p, sizeof(p)));
	env_add(env, "OA_WORKSPACE", box_path(job, "ws", p, sizeof(p)));
	env_add(env, "OA_OUTPUT_DIR", box_path(job, "out", p, sizeof(p)));
	env_add(env, "OA_IN_DIR", box_path(job, "in", p, sizeof(p)));
	env_add(env, "OA_JOB_ID", wo->wo_job);
	env_add(env, "OA_JOB_TYPE", work_type_name(wo->wo_type));
	(void)snprintf(n, sizeof(n), "%" PRId64, wo->wo_time_limit_secs);
	env_add(env, "OA_TIME_LIMIT_SECS", n);
	(void)snprintf(n, sizeof(n), "%" PRId64, wo->wo_memory_mb);
	env_add(env, "OA_MEMORY_MB", n);
	if (!box_local(job) && wo->wo_proxy_socket[0] != '\0') {
		(void)snprintf(p, sizeof(p), "http://127.0.0.1:%d",
		    WORK_PROXY_PORT);
		env_add(env, "OA_PROXY_URL", p);
		env_add(env, "https_proxy", p);
		env_add(env, "HTTPS_PROXY", p);
		env_add(env, "http_proxy", p);
		env_add(env, "HTTP_PROXY", p);
	}
}

static void
box_bind(struct container_spec *cs, const char *src, const char *dst,
    int rw)
{
	if (cs->cs_nbinds >= CONTAINER_MAX_BINDS)
		fatalx("%s: too many binds", __func__);
	cs->cs_binds[cs->cs_nbinds].cb_src = src;
	cs->cs_binds[cs->cs_nbinds].cb_dst = dst;
	cs->cs_binds[cs->cs_nbinds].cb_rw = rw;
	cs->cs_nbinds++;
}

static void
box_done(struct container *c, const struct container_result *cr, void *arg)
{
	struct work_job	*job = arg;
	work_step_cb	 cb = job->wj_step;

	(void)c;
	env_free(&job->wj_box.b_env);
	job->wj_ctr = NULL;
	job->wj_step = NULL;
	if (job->wj_fd != -1) {
		(void)close(job->wj_fd);
		job->wj_fd = -1;
	}
	log_debug("%s: %s: exited %d, signal %d, %lld ms%s%s",
	    job->wj_order.wo_job, job->wj_what, cr->cr_exit_code,
	    cr->cr_signal, (long long)cr->cr_duration_ms,
	    cr->cr_timed_out ? ", timed out" : "",
	    cr->cr_cancelled ? ", cancelled" : "");
	if (job->wj_cancelled || cr->cr_cancelled) {
		work_fail(job, "E007", WF_CANCELLED, "cancelled");
		return;
	}
	cb(job, cr);
}

/*
 * Run in/<script> with /bin/sh in a sandbox of the job; cb gets the
 * outcome.  The script's own stdout and stderr go to <what>.log in the
 * job folder.  -1 when it could not be started: the job has been
 * answered then.
 */
int
box_run(struct work_job *job, const char *script, const char *what,
    int flags, int64_t limit_ms, work_step_cb cb)
{
	const struct work_order	*wo = &job->wj_order;
	struct work_box		*b = &job->wj_box;
	struct container_spec	 cs;
	const char		*argv[3];
	char			*sp = b->b_script, lname[64], err[256];
	size_t			 i;

	memset(&cs, 0, sizeof(cs));
	cs.cs_mode = wo->wo_isolation;
	(void)box_path(job, "in", sp, sizeof(b->b_script));
	if (strlcat(sp, "/", sizeof(b->b_script)) >= sizeof(b->b_script) ||
	    strlcat(sp, script, sizeof(b->b_script)) >= sizeof(b->b_script))
		fatalx("%s: path too long", __func__);
	argv[0] = "/bin/sh";
	argv[1] = sp;
	argv[2] = NULL;
	cs.cs_argv = argv;
	cs.cs_envp = (const char *const *)b->b_env.e_v;
	cs.cs_cwd = box_path(job, (flags & WB_WORKSPACE) ? "ws" : "out",
	    b->b_cwd, sizeof(b->b_cwd));

	for (i = 0; i < sizeof(box_places) / sizeof(box_places[0]); i++) {
		if (strcmp(box_places[i].b_name, "ws") == 0 ||
		    strcmp(box_places[i].b_name, "tmp") == 0)
			continue;	/* tmpfs inside */
		if (job_path(job, b->b_src[i], sizeof(b->b_src[i]),
		    box_places[i].b_name) == -1)
			fatalx("%s: path too long", __func__);
		box_bind(&cs, b->b_src[i], box_places[i].b_inside,
		    strcmp(box_places[i].b_name, "out") == 0 ||
		    (strcmp(box_places[i].b_name, "repo") == 0 &&
		    (flags & WB_REPO_RW)));
	}
	if ((flags & WB_AGENT) && wo->wo_agent_command != NULL)
		box_bind(&cs, wo->wo_agent_command, wo->wo_agent_command, 0);
	if ((flags & WB_LOCAL_SRC) && job->wj_local_src != NULL)
		box_bind(&cs, job->wj_local_src, job->wj_local_src, 0);

	(void)snprintf(lname, sizeof(lname), "%s.log", what);
	if ((job->wj_fd = job_open(job, lname, O_WRONLY | O_CREAT | O_APPEND,
	    0644)) == -1) {
		log_warn("%s: %s", wo->wo_job, lname);
		env_free(&b->b_env);
		work_fail(job, "E007", 0, "%s: %s", lname, strerror(errno));
		return (-1);
	}
	cs.cs_stdin = -1;
	cs.cs_stdout = job->wj_fd;
	cs.cs_stderr = job->wj_fd;
	cs.cs_time_limit_ms = limit_ms;
	cs.cs_memory_mb = wo->wo_memory_mb;
	cs.cs_pids = wo->wo_pids;
	cs.cs_cpu_millis = (int64_t)(wo->wo_cpu_limit * 1000);
	cs.cs_disk_mb = wo->wo_disk_mb;
	if (wo->wo_proxy_socket[0] != '\0') {
		cs.cs_proxy_socket = wo->wo_proxy_socket;
		cs.cs_proxy_port = WORK_PROXY_PORT;
	}
	job->wj_what = what;
	job->wj_step = cb;
	if ((job->wj_ctr = container_run(job->wj_pc->pc_base, &cs, box_done,
	    job, err, sizeof(err))) == NULL) {
		log_warnx("%s: %s: sandbox: %s", wo->wo_job, what, err);
		(void)close(job->wj_fd);
		job->wj_fd = -1;
		job->wj_step = NULL;
		env_free(&b->b_env);
		work_fail(job, "E007", 0, "sandbox: %s", err);
		return (-1);
	}
	return (0);
}

/* The first line of out/error, the script's reason for failing. */
char *
box_reason(const struct work_job *job)
{
	char	*msg;

	if ((msg = job_read(job, "out/error", 4096, NULL)) == NULL &&
	    (msg = strdup("no reason given")) == NULL)
		fatal("%s", __func__);
	msg[strcspn(msg, "\n")] = '\0';
	return (msg);
}

/*
 * The outcomes every step treats alike.  1: the job has been answered.
 */
int
box_failed(struct work_job *job, const struct container_result *cr,
    const char *what)
{
	const struct work_order	*wo = &job->wj_order;

	if (cr->cr_timed_out) {
		work_fail(job, "E004", WF_TIMEOUT,
		    "Timeout exceeded after %lld seconds (%s)",
		    (long long)(cr->cr_duration_ms / 1000), what);
		return (1);
	}
	if (cr->cr_oom) {
		work_fail(job, "E005", 0, "memory limit of %lld MB exceeded "
		    "(%s)", (long long)wo->wo_memory_mb, what);
		return (1);
	}
	if (!cr->cr_exited && cr->cr_signal == 0) {
		work_fail(job, "E007", 0, "sandbox: %s",
		    cr->cr_error[0] != '\0' ? cr->cr_error : "did not start");
		return (1);
	}
	if (cr->cr_signal != 0) {
		work_fail(job, "E007", 0, "%s: killed by signal %d", what,
		    cr->cr_signal);
		return (1);
	}
	return (0);
}
