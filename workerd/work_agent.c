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
 * The agent phase: the prompt, the agent in its sandbox on a copy of
 * the filtered repository, then what it made (a diff, or a review)
 * and its trajectory.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <yajl/yajl_gen.h>

#include "diff.h"
#include "log.h"
#include "work_agent.h"
#include "work_fetch.h"
#include "work_job.h"
#include "work_traj.h"

#define REVIEW_MAX	(1024 * 1024)

/*
 * Exit codes of the script itself: 12 the workspace could not be
 * made, 13 no such agent, 14 the diff could not be taken; out/error
 * says more.  The agent's own exit code is in out/agent.exit.  The
 * diff is taken against the commit the agent started from, with the
 * options the agent could have changed in .git/config set back.
 */
static const char agent_sh[] =
"g() {\n"
"	git -c core.hooksPath=/dev/null -c core.fsmonitor=false \\\n"
"	    -c core.attributesFile=/dev/null -c diff.noprefix=false \\\n"
"	    -c diff.mnemonicPrefix=false -c diff.relative=false \\\n"
"	    -c diff.external= -c core.quotePath=true \"$@\"\n"
"}\n"
"base=\n"
"if [ -d \"$OA_REPO_DIR/.git\" ]; then\n"
"	copy_repo\n"
"	base=$(cd \"$ws\" && g rev-parse HEAD) || fail 12 \"no commit\"\n"
"fi\n"
"cd \"$ws\" || fail 12 \"no workspace\"\n"
"case $OA_BACKEND in\n"
"command)\n"
"	\"$OA_AGENT_COMMAND\" </dev/null >\"$out/agent.stdout\" \\\n"
"	    2>\"$out/agent.stderr\"\n"
"	rc=$?\n"
"	;;\n"
"codex)\n"
"	command -v codex >/dev/null 2>&1 || fail 13 \"codex: not found in PATH\"\n"
"	set -- exec --json --skip-git-repo-check --sandbox workspace-write \\\n"
"	    -C \"$ws\" --output-last-message \"$out/last-message.txt\"\n"
"	if [ -n \"${OA_MODEL:-}\" ]; then\n"
"		set -- \"$@\" -m \"$OA_MODEL\"\n"
"	fi\n"
"	codex \"$@\" - <\"$OA_PROMPT_FILE\" >\"$out/agent.stdout\" \\\n"
"	    2>\"$out/agent.stderr\"\n"
"	rc=$?\n"
"	;;\n"
"*)\n"
"	fail 13 \"agent backend $OA_BACKEND is not supported\"\n"
"	;;\n"
"esac\n"
"echo \"$rc\" >\"$out/agent.exit\"\n"
"[ \"$rc\" -eq 0 ] || exit 0\n"
"case $OA_JOB_TYPE in\n"
"PatchGen)\n"
"	cd \"$ws\" || fail 14 \"the workspace is gone\"\n"
"	[ -n \"$base\" ] || fail 14 \"no repository\"\n"
"	g add -A -N . 2>>\"$out/diff.log\" &&\n"
"	    g diff --no-color --no-ext-diff --no-textconv --binary \"$base\" \\\n"
"	    >\"$out/patch.diff\" 2>>\"$out/diff.log\" ||\n"
"	    fail 14 \"git diff failed: $(tail -n 1 \"$out/diff.log\")\"\n"
"	;;\n"
"CodeReview)\n"
"	# codex answers in its last message; fences around it go\n"
"	if [ ! -f \"$out/review.json\" ] && [ -s \"$out/last-message.txt\" ]\n"
"	then\n"
"		sed -e '/^```/d' \"$out/last-message.txt\" >\"$out/review.json\"\n"
"	fi\n"
"	;;\n"
"esac\n"
"exit 0\n";

static void	agent_start(struct work_job *);
static void	agent_done(struct work_job *, const struct container_result *);

static char *
strv_join(const struct work_strv *sv)
{
	char	*s;
	size_t	 i, len = 1;

	for (i = 0; i < sv->sv_n; i++)
		len += strlen(sv->sv_v[i]) + 1;
	if ((s = calloc(1, len)) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < sv->sv_n; i++) {
		if (i > 0)
			(void)strlcat(s, ",", len);
		(void)strlcat(s, sv->sv_v[i], len);
	}
	return (s);
}

/* PROTOCOL.md §A.10's templates, in our words. */
static char *
agent_prompt(const struct work_job *job)
{
	const struct work_order	*wo = &job->wj_order;
	char			*allowed, *disallowed, *p, out[OA_PATH_MAX];
	int			 n;

	allowed = strv_join(&wo->wo_allowed);
	disallowed = strv_join(&wo->wo_disallowed);
	(void)box_path(job, "out", out, sizeof(out));
	if (wo->wo_type == WORK_PATCHGEN)
		n = asprintf(&p,
		    "You are a coding agent working on the repository in the "
		    "current directory.\n"
		    "Change the code so that this issue is resolved:\n\n"
		    "%s\n\n"
		    "Only modify files matching: %s.\n"
		    "Never modify files matching: %s.\n"
		    "%s%s%s"
		    "Run the tests with: %s\n"
		    "Leave your change in the working tree; its unified diff "
		    "against HEAD is the result.  Do not commit.\n",
		    wo->wo_issue, allowed[0] != '\0' ? allowed : "any file",
		    disallowed[0] != '\0' ? disallowed : "(none)",
		    wo->wo_subdir[0] != '\0' ? "Focus on the folder " : "",
		    wo->wo_subdir,
		    wo->wo_subdir[0] != '\0' ? ".\n" : "",
		    wo->wo_test_command != NULL ? wo->wo_test_command :
		    "(none given)");
	else
		n = asprintf(&p,
		    "Review the diff below.\n"
		    "Focus: %s.  Depth: %s.\n"
		    "Write the review as one JSON object to %s/review.json "
		    "(or reply with only that JSON object), with the keys:\n"
		    "  \"summary\": string,\n"
		    "  \"approval_status\": \"approve\" | \"request_changes\" "
		    "| \"comment\",\n"
		    "  \"issues\": [ {\"severity\": \"critical\"|\"high\"|"
		    "\"medium\"|\"low\"|\"info\", \"category\": \"security\"|"
		    "\"performance\"|\"logic\"|\"style\"|\"testing\"|"
		    "\"documentation\", \"file\": string, \"line_range\": "
		    "[start, end], \"description\": string, "
		    "\"suggested_fix\": string} ],\n"
		    "  \"suggestions\": [ {\"file\": string, \"line\": number, "
		    "\"current\": string, \"suggested\": string, "
		    "\"rationale\": string} ],\n"
		    "  \"highlights\": [ string ]\n"
		    "Every file you name must be one the diff touches.\n\n"
		    "The diff:\n%s\n",
		    wo->wo_focus != NULL && wo->wo_focus[0] != '\0' ?
		    wo->wo_focus : "all",
		    wo->wo_depth != NULL && wo->wo_depth[0] != '\0' ?
		    wo->wo_depth : "standard", out, wo->wo_diff);
	free(allowed);
	free(disallowed);
	if (n == -1)
		fatal("%s", __func__);
	return (p);
}

void
agent_phase(struct work_job *job)
{
	if (job->wj_order.wo_repo_url != NULL)
		fetch_start(job, agent_start);
	else
		agent_start(job);
}

static int
agent_inputs(struct work_job *job)
{
	const struct work_order	*wo = &job->wj_order;
	char			*prompt;
	int			 r;

	prompt = agent_prompt(job);
	r = job_write(job, "in/prompt.txt", prompt, strlen(prompt));
	free(prompt);
	if (r == -1 || box_script(job, "agent.sh", agent_sh) == -1)
		return (-1);
	if (wo->wo_issue != NULL && job_write(job, "in/issue.txt",
	    wo->wo_issue, strlen(wo->wo_issue)) == -1)
		return (-1);
	if (wo->wo_diff != NULL && job_write(job, "in/diff.txt",
	    wo->wo_diff, strlen(wo->wo_diff)) == -1)
		return (-1);
	return (0);
}

static void
agent_start(struct work_job *job)
{
	const struct work_order	*wo = &job->wj_order;
	struct work_env		*env = &job->wj_box.b_env;
	const char		*backend[] = { "command", "codex", "claude" };
	char			 p[OA_PATH_MAX], *s;

	if (wo->wo_backend == WORK_AGENT_CLAUDE) {
		work_fail(job, "E007", 0, "agent backend claude is not "
		    "supported by this provider");
		return;
	}
	if (agent_inputs(job) == -1) {
		work_fail(job, "E007", 0, "job folder: %s", strerror(errno));
		return;
	}
	work_progress(job, 40, "Running the agent");
	box_env(job, env);
	(void)box_path(job, "in", p, sizeof(p));
	(void)strlcat(p, "/prompt.txt", sizeof(p));
	env_add(env, "OA_PROMPT_FILE", p);
	if (wo->wo_issue != NULL) {
		(void)box_path(job, "in", p, sizeof(p));
		(void)strlcat(p, "/issue.txt", sizeof(p));
		env_add(env, "OA_ISSUE_FILE", p);
	}
	if (wo->wo_diff != NULL) {
		(void)box_path(job, "in", p, sizeof(p));
		(void)strlcat(p, "/diff.txt", sizeof(p));
		env_add(env, "OA_DIFF_FILE", p);
	}
	s = strv_join(&wo->wo_allowed);
	env_add(env, "OA_ALLOWED_PATHS", s);
	free(s);
	s = strv_join(&wo->wo_disallowed);
	env_add(env, "OA_DISALLOWED_PATHS", s);
	free(s);
	if (wo->wo_test_command != NULL)
		env_add(env, "OA_TEST_COMMAND", wo->wo_test_command);
	env_add(env, "OA_SUBDIR", wo->wo_subdir);
	env_add(env, "OA_BACKEND", backend[wo->wo_backend]);
	if (wo->wo_agent_command != NULL)
		env_add(env, "OA_AGENT_COMMAND", wo->wo_agent_command);
	if (wo->wo_model != NULL)
		env_add(env, "OA_MODEL", wo->wo_model);
	if (wo->wo_backend == WORK_AGENT_CODEX) {
		(void)box_path(job, "tmp", p, sizeof(p));
		(void)strlcat(p, "/.codex", sizeof(p));
		env_add(env, "CODEX_HOME", p);
		/* the proxy puts the real key in; the agent never has it */
		env_add(env, "OPENAI_API_KEY", "sk-openagents-proxy");
		if (wo->wo_isolation != ISOLATION_LOCAL &&
		    wo->wo_proxy_socket[0] != '\0') {
			(void)snprintf(p, sizeof(p), "http://127.0.0.1:%d/v1",
			    WORK_PROXY_PORT);
			env_add(env, "OPENAI_BASE_URL", p);
		}
	}
	job->wj_start_ms = now_monotonic_ms();
	(void)box_run(job, "agent.sh", "agent", WB_WORKSPACE | WB_AGENT,
	    wo->wo_time_limit_secs * 1000, agent_done);
}

static void
agent_done(struct work_job *job, const struct container_result *cr)
{
	const struct work_order	*wo = &job->wj_order;
	yajl_gen		 g;
	char			*msg, tid[64];
	size_t			 len;
	int64_t			 rc = -1;

	(void)job_read_int(job, "out/agent.exit", &rc);
	traj_agent(job, "out/agent.stdout", rc, cr->cr_duration_ms);
	(void)job_rename(job, "out/agent.stderr", "agent-stderr.txt");
	if (box_failed(job, cr, "running the agent"))
		return;
	if (cr->cr_exit_code != 0) {
		msg = box_reason(job);
		work_fail(job, "E007", 0, "%s", msg);
		free(msg);
		return;
	}
	if (rc != 0) {
		work_fail(job, "E007", 0, "the agent failed with exit code "
		    "%lld (see agent-stderr.txt)", (long long)rc);
		return;
	}
	g = jg_new();
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	jg_bool(g, "ok", 1);
	if (wo->wo_type == WORK_PATCHGEN) {
		if ((msg = job_read(job, "out/patch.diff", DIFF_MAX_BYTES,
		    &len)) == NULL) {
			yajl_gen_free(g);
			if (errno == EFBIG)
				work_fail(job, "E005", 0, "the patch is larger "
				    "than %d bytes", DIFF_MAX_BYTES);
			else
				work_fail(job, "E007", 0, "no patch.diff: %s",
				    strerror(errno));
			return;
		}
		free(msg);
		if (len == 0) {
			yajl_gen_free(g);
			work_fail(job, "E006", 0,
			    "the agent produced no change");
			return;
		}
		if (job_rename(job, "out/patch.diff", "patch.diff") == -1) {
			yajl_gen_free(g);
			work_fail(job, "E007", 0, "patch.diff: %s",
			    strerror(errno));
			return;
		}
		jg_str(g, "patch_file", "patch.diff");
	} else {
		if ((msg = job_read(job, "out/review.json", REVIEW_MAX,
		    &len)) == NULL || len == 0) {
			free(msg);
			yajl_gen_free(g);
			work_fail(job, "E007", 0, "the agent wrote no "
			    "review.json");
			return;
		}
		free(msg);
		if (job_rename(job, "out/review.json", "review.json") == -1) {
			yajl_gen_free(g);
			work_fail(job, "E007", 0, "review.json: %s",
			    strerror(errno));
			return;
		}
		jg_str(g, "review_file", "review.json");
	}
	jg_str(g, "trajectory_file", "trajectory.jsonl");
	jg_str(g, "trajectory_id", traj_id(job, tid, sizeof(tid)));
	if (job->wj_sha[0] != '\0')
		jg_str(g, "repo_sha", job->wj_sha);
	jg_usage(g, &job->wj_usage);
	jg_int(g, "duration_ms", cr->cr_duration_ms);
	jg_bool(g, "timed_out", 0);
	jg_bool(g, "cancelled", 0);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	work_done(job, g);
}
