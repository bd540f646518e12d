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
/* Work orders (workerd/work_order.c) and the job helpers of work_job.c. */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "check_run.h"
#include "work_job.h"
#include "work_order.h"
#include "work_traj.h"

#define BASE	"\"job_id\":\"job_00000000000000aa\",\"time_limit_secs\":60," \
		"\"memory_mb\":512,\"pids\":64,\"disk_mb\":100," \
		"\"cpu_limit\":0.5,\"isolation\":\"local\"," \
		"\"repo_max_bytes\":1000,\"proxy_socket\":\"\""

/* work_job.h names these; the order parser and helpers need none */
const char	*work_jobs_dir;
char		 work_local_path[1024];

static int
parse(const char *json, enum work_phase phase, struct work_order *wo,
    char *err, size_t errlen)
{
	return (work_order_parse(json, strlen(json), phase, wo, err, errlen));
}

START_TEST(test_order_patchgen)
{
	struct work_order	 wo;
	char			 err[256];

	ck_assert_int_eq(parse("{" BASE ",\"type\":\"PatchGen\","
	    "\"phase\":\"agent\",\"repo_url\":\"https://h/r\","
	    "\"issue\":\"fix it\",\"disallowed_paths\":[\".env\",\"a/**\"],"
	    "\"agent\":{\"backend\":\"command\",\"command\":\"/bin/true\"},"
	    "\"unknown\":[1,2]}", WORK_PHASE_AGENT, &wo, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(wo.wo_job, "job_00000000000000aa");
	ck_assert_int_eq(wo.wo_type, WORK_PATCHGEN);
	ck_assert_str_eq(wo.wo_repo_ref, "HEAD");	/* the default */
	ck_assert_str_eq(wo.wo_subdir, "");
	ck_assert_uint_eq(wo.wo_disallowed.sv_n, 2);
	ck_assert_str_eq(wo.wo_disallowed.sv_v[1], "a/**");
	ck_assert_ptr_null(wo.wo_disallowed.sv_v[2]);
	ck_assert_uint_eq(wo.wo_allowed.sv_n, 0);
	ck_assert_int_eq(wo.wo_backend, WORK_AGENT_COMMAND);
	ck_assert(wo.wo_cpu_limit == 0.5);
	ck_assert_int_eq(wo.wo_memory_mb, 512);
	work_order_free(&wo);
}
END_TEST

START_TEST(test_order_review_without_repo)
{
	struct work_order	 wo;
	char			 err[256];

	ck_assert_int_eq(parse("{" BASE ",\"type\":\"CodeReview\","
	    "\"phase\":\"agent\",\"diff\":\"diff --git a/x b/x\\n\","
	    "\"agent\":{\"backend\":\"codex\",\"model\":\"m\"}}",
	    WORK_PHASE_AGENT, &wo, err, sizeof(err)), 0);
	ck_assert_ptr_null(wo.wo_repo_url);
	ck_assert_int_eq(wo.wo_backend, WORK_AGENT_CODEX);
	ck_assert_str_eq(wo.wo_model, "m");
	work_order_free(&wo);
}
END_TEST

/* Each a protocol violation, with a reason naming the key. */
START_TEST(test_order_refused)
{
	static const struct {
		const char	*json;
		enum work_phase	 phase;
		const char	*why;
	} bad[] = {
		{ "[]", WORK_PHASE_RUN, "not a JSON object" },
		{ "{" BASE ",\"type\":\"SandboxRun\",\"phase\":\"run\"}",
		    WORK_PHASE_RUN, "repo_url" },
		{ "{" BASE ",\"type\":\"SandboxRun\",\"phase\":\"run\","
		    "\"repo_url\":\"https://h\"}", WORK_PHASE_RUN, "command" },
		{ "{" BASE ",\"type\":\"SandboxRun\",\"phase\":\"run\","
		    "\"repo_url\":\"https://h\",\"command\":7}",
		    WORK_PHASE_RUN, "command: not a string" },
		{ "{" BASE ",\"type\":\"SandboxRun\",\"phase\":\"agent\","
		    "\"repo_url\":\"https://h\",\"command\":\"x\"}",
		    WORK_PHASE_AGENT, "phase agent" },
		{ "{" BASE ",\"type\":\"SandboxRun\",\"phase\":\"run\","
		    "\"repo_url\":\"https://h\",\"command\":\"x\"}",
		    WORK_PHASE_TEST, "phase" },
		{ "{" BASE ",\"type\":\"PatchGen\",\"phase\":\"test\","
		    "\"repo_url\":\"https://h\"}", WORK_PHASE_TEST,
		    "patch_file" },
		{ "{" BASE ",\"type\":\"PatchGen\",\"phase\":\"test\","
		    "\"repo_url\":\"https://h\",\"patch_file\":\"../x\"}",
		    WORK_PHASE_TEST, "patch_file" },
		{ "{" BASE ",\"type\":\"PatchGen\",\"phase\":\"agent\","
		    "\"repo_url\":\"https://h\",\"issue\":\"i\"}",
		    WORK_PHASE_AGENT, "agent: missing" },
		{ "{" BASE ",\"type\":\"PatchGen\",\"phase\":\"agent\","
		    "\"repo_url\":\"https://h\",\"issue\":\"i\",\"agent\":"
		    "{\"backend\":\"command\",\"command\":\"rel/x\"}}",
		    WORK_PHASE_AGENT, "absolute" },
		{ "{" BASE ",\"type\":\"Other\",\"phase\":\"run\"}",
		    WORK_PHASE_RUN, "type" },
		{ "{\"job_id\":\"../etc\"}", WORK_PHASE_RUN, "job_id" },
		{ "{" BASE ",\"type\":\"SandboxRun\",\"phase\":\"run\","
		    "\"repo_url\":\"https://h\",\"command\":\"x\","
		    "\"env\":[1]}", WORK_PHASE_RUN, "env[0]" },
	};
	struct work_order	 wo;
	char			 err[256];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(parse(bad[i].json, bad[i].phase, &wo, err,
		    sizeof(err)) == -1, "accepted: %s", bad[i].json);
		ck_assert_msg(strstr(err, bad[i].why) != NULL,
		    "%zu: \"%s\" does not say %s", i, err, bad[i].why);
	}
	/* a negative limit, a NUL in the text */
	ck_assert_int_eq(work_order_parse("{\"a\":\"\0\"}", 9, WORK_PHASE_RUN,
	    &wo, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_utf8_clean)
{
	char	*s;

	s = utf8_clean("a\xc3\xa9z", 4);
	ck_assert_str_eq(s, "a\xc3\xa9z");
	free(s);
	/* a stray continuation, an overlong form, a surrogate, a cut */
	s = utf8_clean("\x80-\xc0\xaf-\xed\xa0\x80-\xe2\x82", 11);
	ck_assert_str_eq(s, "\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd-"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd-\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
}
END_TEST

/* A tree a sandbox left, with a read-only folder and a link out. */
START_TEST(test_rmtree)
{
	char	 dir[] = "/tmp/oa-rmtree.XXXXXX", p[512], keep[64];
	int	 fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	(void)snprintf(keep, sizeof(keep), "%s.keep", dir);
	ck_assert_int_eq(mkdir(keep, 0700), 0);
	(void)snprintf(p, sizeof(p), "%s/file", keep);
	ck_assert_int_ne(fd = open(p, O_WRONLY | O_CREAT, 0600), -1);
	(void)close(fd);
	(void)snprintf(p, sizeof(p), "%s/a", dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	(void)snprintf(p, sizeof(p), "%s/a/b", dir);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	(void)snprintf(p, sizeof(p), "%s/a/b/f", dir);
	ck_assert_int_ne(fd = open(p, O_WRONLY | O_CREAT, 0400), -1);
	(void)close(fd);
	(void)snprintf(p, sizeof(p), "%s/a/link", dir);
	ck_assert_int_eq(symlink(keep, p), 0);
	(void)snprintf(p, sizeof(p), "%s/a/b", dir);
	ck_assert_int_eq(chmod(p, 0500), 0);

	ck_assert_int_eq(rmtree_at(AT_FDCWD, dir, 0), 0);
	ck_assert_int_eq(access(dir, F_OK), -1);
	/* what the link pointed at is untouched */
	(void)snprintf(p, sizeof(p), "%s/file", keep);
	ck_assert_int_eq(access(p, F_OK), 0);
	ck_assert_int_eq(rmtree_at(AT_FDCWD, keep, 0), 0);
}
END_TEST

/* Lines kept, wrapped, and usage added up, ours and codex's. */
START_TEST(test_traj_convert)
{
	static const char *const in[] = {
		"{\"type\":\"usage\",\"input_tokens\":5,"
		    "\"output_tokens\":2,\"cache_read_tokens\":1}\n",
		"{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":"
		    "10,\"cached_input_tokens\":4,\"output_tokens\":3}}\r\n",
		"not \"json\"\n",
		"[1,2]\n",
		"{\"a\":1} // comment\n",
		"\n",
	};
	struct work_usage	 u;
	char			*out = NULL, line[256];
	size_t			 len = 0, i;
	FILE			*f;

	memset(&u, 0, sizeof(u));
	ck_assert_ptr_nonnull(f = open_memstream(&out, &len));
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		(void)strlcpy(line, in[i], sizeof(line));
		traj_convert(&u, f, line, strlen(line));
	}
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(u.u_seen, 1);
	ck_assert_int_eq(u.u_input, 5 + 10 + 4);
	ck_assert_int_eq(u.u_output, 5);
	ck_assert_int_eq(u.u_cache_read, 5);
	ck_assert_str_eq(out,
	    "{\"type\":\"usage\",\"input_tokens\":5,\"output_tokens\":2,"
	    "\"cache_read_tokens\":1}\n"
	    "{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":10,"
	    "\"cached_input_tokens\":4,\"output_tokens\":3}}\n"
	    "{\"type\":\"text\",\"text\":\"not \\\"json\\\"\"}\n"
	    "{\"type\":\"text\",\"text\":\"[1,2]\"}\n"
	    "{\"type\":\"text\",\"text\":\"{\\\"a\\\":1} // comment\"}\n");
	free(out);
}
END_TEST

static Suite *
work_suite(void)
{
	Suite	*s = suite_create("work");
	TCase	*tc = tcase_create("order");

	tcase_add_test(tc, test_order_patchgen);
	tcase_add_test(tc, test_order_review_without_repo);
	tcase_add_test(tc, test_order_refused);
	tcase_add_test(tc, test_utf8_clean);
	tcase_add_test(tc, test_rmtree);
	tcase_add_test(tc, test_traj_convert);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(work_suite()));
}
