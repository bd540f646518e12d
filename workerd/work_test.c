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
 * The test phase of PatchGen: the verified patch applied to a fresh
 * copy of the filtered repository, then the buyer's test command and
 * each verification command, as the buyer will run them.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <yajl/yajl_gen.h>

#include "diff.h"
#include "log.h"
#include "work_fetch.h"
#include "work_job.h"
#include "work_test.h"

#define TEST_VERIFY_MAX	32

static const char test_sh[] =
"g() {\n"
"	git -c core.hooksPath=/dev/null -c core.fsmonitor=false \"$@\"\n"
"}\n"
"copy_repo\n"
"cd \"$ws\" || fail 12 \"no workspace\"\n"
"if ! g apply --check \"$OA_PATCH_FILE\" 2>\"$out/apply.log\" ||\n"
"    ! g apply \"$OA_PATCH_FILE\" 2>>\"$out/apply.log\"; then\n"
"	echo 0 >\"$out/applies\"\n"
"	exit 0\n"
"fi\n"
"echo 1 >\"$out/applies\"\n"
"if [ -n \"${OA_TEST_COMMAND:-}\" ]; then\n"
"	(cd \"$ws\" && exec /bin/sh -c \"$OA_TEST_COMMAND\") </dev/null \\\n"
"	    >\"$out/test.stdout\" 2>\"$out/test.stderr\"\n"
"	echo $? >\"$out/test.exit\"\n"
"fi\n"
"i=1\n"
"while [ \"$i\" -le \"$OA_VERIFY_COUNT\" ]; do\n"
"	eval \"cmd=\\${OA_VERIFY_$i}\"\n"
"	(cd \"$ws\" && exec /bin/sh -c \"$cmd\") </dev/null \\\n"
"	    >\"$out/verify-$i.stdout\" 2>\"$out/verify-$i.stderr\"\n"
"	echo $? >\"$out/verify-$i.exit\"\n"
"	i=$((i + 1))\n"
"done\n"
"exit 0\n";

static void	test_start(struct work_job *);
static void	test_done(struct work_job *,
		    const struct container_result *);

/*
 * The name of a verification, as the buyer's check calls it
 * (verification:<name>): the script of `npm run X`, `pnpm run X` or
 * `yarn X`, else the first word.
 */
void
test_verify_name(const char *cmd, char *buf, size_t len)
{
	char	 w[3][128];
	int	 n = 0;
	size_t	 k;

	memset(w, 0, sizeof(w));
	while (n < 3) {
		while (isspace((unsigned char)*cmd))
			cmd++;
		if (*cmd == '\0')
			break;
		for (k = 0; *cmd != '\0' && !isspace((unsigned char)*cmd);
		    cmd++)
			if (k < sizeof(w[n]) - 1)
				w[n][k++] = *cmd;
		n++;
	}
	if (n == 3 && strcmp(w[1], "run") == 0 && (strcmp(w[0], "npm") == 0 ||
	    strcmp(w[0], "pnpm") == 0 || strcmp(w[0], "yarn") == 0))
		(void)strlcpy(buf, w[2], len);
	else if (n >= 2 && strcmp(w[0], "yarn") == 0 && w[1][0] != '-')
		(void)strlcpy(buf, w[1], len);
	else
		(void)strlcpy(buf, n > 0 ? w[0] : "command", len);
}

void
test_phase(struct work_job *job)
{
	fetch_reuse_or_start(job, test_start);
}

static void
test_start(struct work_job *job)
{
	const struct work_order	*wo = &job->wj_order;
	struct work_env		*env = &job->wj_box.b_env;
	char			*patch, p[OA_PATH_MAX], name[32];
	size_t			 len, i;

	if (wo->wo_verifications.sv_n > TEST_VERIFY_MAX) {
		work_fail(job, "E001", 0, "more than %d verification commands",
		    TEST_VERIFY_MAX);
		return;
	}
	if ((patch = job_read(job, wo->wo_patch_file, DIFF_MAX_BYTES,
	    &len)) == NULL) {
		work_fail(job, "E007", 0, "%s: %s", wo->wo_patch_file,
		    strerror(errno));
		return;
	}
	if (job_write(job, "in/patch.diff", patch, len) == -1 ||
	    box_script(job, "test.sh", test_sh) == -1) {
		free(patch);
		work_fail(job, "E007", 0, "job folder: %s", strerror(errno));
		return;
	}
	free(patch);
	work_progress(job, 70, "Applying the patch and running the tests");
	box_env(job, env);
	(void)box_path(job, "in", p, sizeof(p));
	(void)strlcat(p, "/patch.diff", sizeof(p));
	env_add(env, "OA_PATCH_FILE", p);
	if (wo->wo_test_command != NULL)
		env_add(env, "OA_TEST_COMMAND", wo->wo_test_command);
	(void)snprintf(name, sizeof(name), "%zu", wo->wo_verifications.sv_n);
	env_add(env, "OA_VERIFY_COUNT", name);
	for (i = 0; i < wo->wo_verifications.sv_n; i++) {
		(void)snprintf(name, sizeof(name), "OA_VERIFY_%zu", i + 1);
		env_add(env, name, wo->wo_verifications.sv_v[i]);
	}
	(void)box_run(job, "test.sh", "test", WB_WORKSPACE,
	    wo->wo_time_limit_secs * 1000, test_done);
}

/* Keep a stream in the job folder and hash it; "" when absent. */
static void
test_keep(struct work_job *job, const char *from, const char *to,
    char hex[65])
{
	char	 src[64];

	hex[0] = '\0';
	(void)snprintf(src, sizeof(src), "out/%s", from);
	if (job_rename(job, src, to) == -1 ||
	    job_sha256_file(job, to, hex) == -1)
		hex[0] = '\0';
}

static void
test_verifications(struct work_job *job, yajl_gen g)
{
	const struct work_order	*wo = &job->wj_order;
	char			 from[64], to[64], name[128], hex[65];
	int64_t			 rc;
	size_t			 i;

	jg_key(g, "verifications");
	if (yajl_gen_array_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	for (i = 0; i < wo->wo_verifications.sv_n; i++) {
		(void)snprintf(from, sizeof(from), "out/verify-%zu.exit",
		    i + 1);
		if (job_read_int(job, from, &rc) == -1)
			continue;	/* not run: the patch did not apply */
		if (yajl_gen_map_open(g) != yajl_gen_status_ok)
			fatalx("%s", __func__);
		test_verify_name(wo->wo_verifications.sv_v[i], name,
		    sizeof(name));
		jg_str(g, "name", name);
		jg_str(g, "command", wo->wo_verifications.sv_v[i]);
		jg_int(g, "exit_code", rc);
		(void)snprintf(from, sizeof(from), "verify-%zu.stdout", i + 1);
		(void)snprintf(to, sizeof(to), "verify-%zu-stdout.txt", i + 1);
		test_keep(job, from, to, hex);
		jg_str(g, "stdout_sha256", hex);
		(void)snprintf(from, sizeof(from), "verify-%zu.stderr", i + 1);
		(void)snprintf(to, sizeof(to), "verify-%zu-stderr.txt", i + 1);
		test_keep(job, from, to, hex);
		jg_str(g, "stderr_sha256", hex);
		if (yajl_gen_map_close(g) != yajl_gen_status_ok)
			fatalx("%s", __func__);
	}
	if (yajl_gen_array_close(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
}

static void
test_done(struct work_job *job, const struct container_result *cr)
{
	yajl_gen	 g;
	char		*msg, hex[65];
	int64_t		 applies, rc;

	if (box_failed(job, cr, "running the tests"))
		return;
	if (cr->cr_exit_code != 0 ||
	    job_read_int(job, "out/applies", &applies) == -1) {
		msg = box_reason(job);
		work_fail(job, "E007", 0, "test phase: %s", msg);
		free(msg);
		return;
	}
	(void)job_rename(job, "out/apply.log", "apply.log");
	g = jg_new();
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	jg_bool(g, "ok", 1);
	jg_bool(g, "applies_cleanly", applies == 1);
	if (applies == 1 && job_read_int(job, "out/test.exit", &rc) == 0) {
		jg_int(g, "test_exit_code", rc);
		test_keep(job, "test.stdout", "test-stdout.txt", hex);
		jg_str(g, "test_stdout_sha256", hex);
		test_keep(job, "test.stderr", "test-stderr.txt", hex);
		jg_str(g, "test_stderr_sha256", hex);
	}
	test_verifications(job, g);
	if (job->wj_sha[0] != '\0')
		jg_str(g, "repo_sha", job->wj_sha);
	jg_bool(g, "timed_out", 0);
	jg_bool(g, "cancelled", 0);
	jg_int(g, "duration_ms", cr->cr_duration_ms);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	work_done(job, g);
}
