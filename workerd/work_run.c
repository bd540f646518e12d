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
 * SandboxRun: the buyer's command in a sandbox on a copy of the
 * filtered repository, with the buyer's environment and limits.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <yajl/yajl_gen.h>

#include "log.h"
#include "work_fetch.h"
#include "work_job.h"
#include "work_run.h"
#include "work_traj.h"

/* what the result event carries of stdout; the hash covers it all */
#define RUN_OUTPUT_MAX	(64 * 1024)

static const char run_sh[] =
"copy_repo\n"
"cd \"$ws/$OA_WORKDIR\" || fail 15 \"no folder $OA_WORKDIR in the repository\"\n"
"/bin/sh -c \"$OA_COMMAND\" </dev/null >\"$out/run.stdout\" 2>\"$out/run.stderr\"\n"
"echo $? >\"$out/run.exit\"\n"
"exit 0\n";

/* Names the scripts or the shell depend on; the buyer cannot set them. */
static const char *const run_reserved[] = {
	"PATH", "HOME", "TMPDIR", "IFS", "ENV", "BASH_ENV", "CDPATH", "PS4",
	"SHELLOPTS", "BASHOPTS", "LD_PRELOAD", "LD_LIBRARY_PATH", "GIT_DIR",
	"GIT_WORK_TREE", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL",
};

static void	run_start(struct work_job *);
static void	run_done(struct work_job *, const struct container_result *);

/* "K=V" with a shell name for K; 0, or -1 with the reason. */
static int
run_env_ok(const char *kv, char *err, size_t errlen)
{
	const char	*eq;
	size_t		 i, n;

	if ((eq = strchr(kv, '=')) == NULL || eq == kv) {
		errbuf_set(err, errlen, "env: not K=V: %.40s", kv);
		return (-1);
	}
	n = (size_t)(eq - kv);
	for (i = 0; i < n; i++)
		if (!(kv[i] == '_' || (kv[i] >= 'A' && kv[i] <= 'Z') ||
		    (kv[i] >= 'a' && kv[i] <= 'z') ||
		    (i > 0 && kv[i] >= '0' && kv[i] <= '9'))) {
			errbuf_set(err, errlen, "env: bad name %.*s",
			    (int)(n > 40 ? 40 : n), kv);
			return (-1);
		}
	if (n >= 3 && strncmp(kv, "OA_", 3) == 0)
		goto reserved;
	for (i = 0; i < sizeof(run_reserved) / sizeof(run_reserved[0]); i++)
		if (strlen(run_reserved[i]) == n &&
		    strncmp(run_reserved[i], kv, n) == 0)
			goto reserved;
	return (0);
 reserved:
	errbuf_set(err, errlen, "env: %.*s is reserved", (int)n, kv);
	return (-1);
}

/* Relative to the repository root, inside it; "/workspace/x" is "x". */
static int
run_workdir(const char *w, char *buf, size_t len)
{
	const char	*p;

	if (strcmp(w, "/workspace") == 0)
		w = "";
	else if (strncmp(w, "/workspace/", 11) == 0)
		w += 11;
	if (w[0] == '/')
		return (-1);
	for (p = w; *p != '\0'; p++)
		if ((unsigned char)*p < ' ')
			return (-1);
	for (p = w; p != NULL; p = strchr(p, '/'), p = p != NULL ? p + 1 : p)
		if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
			return (-1);
	if (strlcpy(buf, w, len) >= len)
		return (-1);
	return (0);
}

void
run_phase(struct work_job *job)
{
	const struct work_order	*wo = &job->wj_order;
	char			 err[128], wd[OA_PATH_MAX];
	size_t			 i;

	if (wo->wo_env.sv_n > WORK_ENV_MAX / 2) {
		work_fail(job, "E001", 0, "more than %d env variables",
		    WORK_ENV_MAX / 2);
		return;
	}
	for (i = 0; i < wo->wo_env.sv_n; i++)
		if (run_env_ok(wo->wo_env.sv_v[i], err, sizeof(err)) == -1) {
			work_fail(job, "E001", 0, "%s", err);
			return;
		}
	if (run_workdir(wo->wo_workdir, wd, sizeof(wd)) == -1) {
		work_fail(job, "E001", 0, "workdir: not a folder of the "
		    "repository");
		return;
	}
	fetch_start(job, run_start);
}

static void
run_start(struct work_job *job)
{
	const struct work_order	*wo = &job->wj_order;
	struct work_env		*env = &job->wj_box.b_env;
	char			 wd[OA_PATH_MAX], *eq, name[128];
	size_t			 i;

	if (box_script(job, "run.sh", run_sh) == -1) {
		work_fail(job, "E007", 0, "job folder: %s", strerror(errno));
		return;
	}
	(void)run_workdir(wo->wo_workdir, wd, sizeof(wd));
	work_progress(job, 40, "Running the command");
	box_env(job, env);
	env_add(env, "OA_COMMAND", wo->wo_command);
	env_add(env, "OA_WORKDIR", wd);
	for (i = 0; i < wo->wo_env.sv_n; i++) {
		eq = strchr(wo->wo_env.sv_v[i], '=');
		(void)snprintf(name, sizeof(name), "%.*s",
		    (int)(eq - wo->wo_env.sv_v[i]), wo->wo_env.sv_v[i]);
		env_add(env, name, eq + 1);
	}
	(void)box_run(job, "run.sh", "run", WB_WORKSPACE,
	    wo->wo_time_limit_secs * 1000, run_done);
}

/* output.txt: the head of stdout, cut where no UTF-8 sequence breaks. */
static int
run_output(struct work_job *job, char hex[65])
{
	char	*buf;
	size_t	 len, cut;
	int	 fd, r;

	if ((fd = job_open(job, "stdout.txt", O_RDONLY, 0)) == -1)
		return (-1);
	if ((buf = malloc(RUN_OUTPUT_MAX)) == NULL)
		fatal("%s", __func__);
	for (len = 0; len < RUN_OUTPUT_MAX; ) {
		ssize_t n = read(fd, buf + len, RUN_OUTPUT_MAX - len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	(void)close(fd);
	cut = len;
	if (len == RUN_OUTPUT_MAX) {
		while (cut > 0 && len - cut < 4 &&
		    ((unsigned char)buf[cut - 1] & 0xc0) == 0x80)
			cut--;
		if (cut > 0 && ((unsigned char)buf[cut - 1] & 0xc0) == 0xc0)
			cut--;
		else
			cut = len;
	}
	r = job_write(job, "output.txt", buf, cut);
	free(buf);
	if (r == -1)
		return (-1);
	return (job_sha256_file(job, "output.txt", hex));
}

static void
run_done(struct work_job *job, const struct container_result *cr)
{
	yajl_gen	 g;
	char		*msg, hex[65], tid[64];
	int64_t		 rc;

	if (job_read_int(job, "out/run.exit", &rc) == -1)
		rc = -1;
	traj_command(job, job->wj_order.wo_command, rc, cr->cr_duration_ms);
	(void)job_rename(job, "out/run.stdout", "stdout.txt");
	(void)job_rename(job, "out/run.stderr", "stderr.txt");
	if (box_failed(job, cr, "running the command"))
		return;
	if (cr->cr_exit_code != 0 || rc == -1) {
		msg = box_reason(job);
		work_fail(job, cr->cr_exit_code == 15 ? "E001" : "E007", 0,
		    "%s", msg);
		free(msg);
		return;
	}
	g = jg_new();
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	jg_bool(g, "ok", 1);
	jg_int(g, "exit_code", rc);
	if (run_output(job, hex) == -1) {
		yajl_gen_free(g);
		work_fail(job, "E007", 0, "output.txt: %s", strerror(errno));
		return;
	}
	jg_str(g, "output_file", "output.txt");
	jg_str(g, "output_sha256", hex);
	if (job_sha256_file(job, "stdout.txt", hex) == -1)
		goto hashfail;
	jg_str(g, "stdout_sha256", hex);
	if (job_sha256_file(job, "stderr.txt", hex) == -1)
		goto hashfail;
	jg_str(g, "stderr_sha256", hex);
	jg_int(g, "duration_ms", cr->cr_duration_ms);
	jg_int(g, "peak_memory_mb", (cr->cr_peak_memory_kb + 1023) / 1024);
	jg_double(g, "cpu_seconds", cr->cr_cpu_seconds);
	jg_str(g, "trajectory_file", "trajectory.jsonl");
	jg_str(g, "trajectory_id", traj_id(job, tid, sizeof(tid)));
	if (job->wj_sha[0] != '\0')
		jg_str(g, "repo_sha", job->wj_sha);
	jg_bool(g, "timed_out", 0);
	jg_bool(g, "cancelled", 0);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	work_done(job, g);
	return;
 hashfail:
	yajl_gen_free(g);
	work_fail(job, "E007", 0, "hashing the output: %s", strerror(errno));
}
