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
 * A job's phases: work orders to workerd, artifacts and verdicts from
 * verifyd, and the step after each finished one.
 */

#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <event2/event.h>

#include "config.h"
#include "hex.h"
#include "jobs.h"
#include "log.h"
#include "msg.h"
#include "nostr_event.h"
#include "supervisor.h"
#include "sv_json.h"
#include "util.h"
#include "verify.h"
#include "work.h"

/* ---- the phases ---- */

static const char *
phase_file(int phase)
{
	switch (phase) {
	case WORK_PHASE_AGENT:
		return ("done-agent.json");
	case WORK_PHASE_TEST:
		return ("done-test.json");
	default:
		return ("done-run.json");
	}
}

static void
job_order(struct job *j, int phase)
{
	int	 rc;

	j->j_sent = 0;
	if ((rc = sv_work_order(j->j_sv, j, phase)) == -1) {
		if (errno == EFBIG)
			job_fail(j, JE_RESOURCE, "the request is too large "
			    "for a work order");
		else
			job_fail(j, JE_INTERNAL, "cannot write the work "
			    "order: %s", strerror(errno));
		return;
	}
	j->j_sent = rc == 0;
}

static void
job_verify(struct job *j, int what, char *doc, size_t len)
{
	int	 rc;

	j->j_sent = 0;
	rc = sv_verify_request(j->j_sv, j, what, doc, len);
	free(doc);
	if (rc == -1) {
		job_fail(j, JE_RESOURCE, "the artifact is too large to check");
		return;
	}
	j->j_sent = rc == 0;
}

/* Keep a phase's JSON document, NUL-terminated. */
static char *
job_keep(const char *data, size_t len)
{
	char	*p;

	if ((p = malloc(len + 1)) == NULL)
		fatal("%s", __func__);
	memcpy(p, data, len);
	p[len] = '\0';
	return (p);
}

/* The tokens the agent reported (its done report's usage), for pricing. */
static int64_t
job_tokens(const struct job *j)
{
	yajl_val	 v, u;
	int64_t		 in = 0, out = 0;

	if (j->j_agent == NULL ||
	    (v = js_parse(j->j_agent, strlen(j->j_agent), NULL, 0)) == NULL)
		return (0);
	if ((u = js_get(v, "usage")) != NULL && YAJL_IS_OBJECT(u)) {
		if (js_int(u, "input_tokens", &in) == -1 || in < 0)
			in = 0;
		if (js_int(u, "output_tokens", &out) == -1 || out < 0)
			out = 0;
	}
	yajl_tree_free(v);
	/* the agent's own report: each is bounded before they are added */
	if (in > INT64_C(1) << 50)
		in = INT64_C(1) << 50;
	if (out > INT64_C(1) << 50)
		out = INT64_C(1) << 50;
	return (in + out);
}

/* The agent's artifact goes to verifyd. */
static void
job_check_artifact(struct job *j)
{
	struct supervisor	*s = j->j_sv;
	struct job_request	*r = &j->j_req;
	struct jb		 jb;
	char			*art, *doc;
	size_t			 alen, dlen, i;
	const char		*name = r->jr_type == JOB_PATCHGEN ?
				    "patch.diff" : "review.json";

	if ((art = sv_job_file_read(s, j->j_lj.lj_id, name,
	    JOBS_ARTIFACT_MAX, &alen)) == NULL) {
		job_fail(j, errno == EFBIG ? JE_RESOURCE : JE_INTERNAL,
		    "%s: %s", name, errno == EFBIG ? "too large" :
		    "missing from the job folder");
		return;
	}
	if (jb_init(&jb) == -1)
		fatal("%s", __func__);
	jb_open(&jb);
	if (r->jr_type == JOB_PATCHGEN) {
		jb_key(&jb, "patch");
		jb_strn(&jb, art, alen);
		jb_key(&jb, "allowed_paths");
		jb_aopen(&jb);
		for (i = 0; i < r->jr_allowed.n; i++)
			jb_str(&jb, r->jr_allowed.v[i]);
		jb_aclose(&jb);
		jb_key(&jb, "disallowed_paths");
		jb_aopen(&jb);
		for (i = 0; i < r->jr_disallowed.n; i++)
			jb_str(&jb, r->jr_disallowed.v[i]);
		jb_aclose(&jb);
		jb_kint(&jb, "max_bytes", s->sv_conf.c_limit_event_bytes);
	} else {
		jb_key(&jb, "review");
		jb_strn(&jb, art, alen);
		jb_kstr(&jb, "diff", r->jr_diff != NULL ? r->jr_diff : "");
	}
	jb_close(&jb);
	free(art);
	if (jb_finish(&jb, &doc, &dlen) == -1) {
		job_fail(j, JE_VERIFY, "%s is not valid UTF-8 text", name);
		return;
	}
	job_verify(j, r->jr_type == JOB_PATCHGEN ? VERIFY_PATCH :
	    VERIFY_REVIEW, doc, dlen);
}

static void
jb_doc(struct jb *jb, const char *key, const char *doc)
{
	if (doc == NULL)
		return;
	jb_key(jb, key);
	jb_raw(jb, doc, strlen(doc));
}

/* Everything the job produced goes to verifyd for the verdict. */
static void
job_judge_result(struct job *j)
{
	struct jb	 jb;
	char		*doc;
	size_t		 len;

	if (jb_init(&jb) == -1)
		fatal("%s", __func__);
	jb_open(&jb);
	jb_kstr(&jb, "type", config_job_type_name(j->j_req.jr_type));
	jb_kstr(&jb, "job_id", j->j_lj.lj_id);
	jb_doc(&jb, "agent", j->j_agent);
	jb_doc(&jb, "patch", j->j_patch);
	jb_doc(&jb, "test", j->j_test);
	jb_doc(&jb, "review", j->j_review);
	jb_doc(&jb, "run", j->j_run);
	jb_key(&jb, "limits");
	jb_open(&jb);
	jb_kint(&jb, "time_limit_secs", j->j_req.jr_time_limit_secs);
	jb_kint(&jb, "memory_mb", j->j_req.jr_memory_mb);
	jb_close(&jb);
	jb_close(&jb);
	if (jb_finish(&jb, &doc, &len) == -1) {
		job_fail(j, JE_INTERNAL, "cannot build the verdict request");
		return;
	}
	job_verify(j, VERIFY_RESULT, doc, len);
}

/* A phase's report from the job folder, when an earlier life wrote it. */
static char *
job_done_file(struct job *j, int phase)
{
	size_t	 len;

	return (sv_job_file_read(j->j_sv, j->j_lj.lj_id, phase_file(phase),
	    WORK_ORDER_MAX, &len));
}

static void	job_phase_done(struct job *, int, char *);

/* A phase workerd reported on in an earlier life is not run again. */
static void
job_phase(struct job *j, int phase)
{
	char	*done;

	if ((done = job_done_file(j, phase)) != NULL) {
		job_phase_done(j, phase, done);
		return;
	}
	job_order(j, phase);
}

/*
 * Do what comes after the last finished step.  Also the way back in
 * after a restart of the supervisor or of the helper a job waited for.
 */
void
job_continue(struct job *j)
{
	int	 first;

	if (j->j_cancelled) {
		job_finish(j);
		return;
	}
	first = j->j_req.jr_type == JOB_SANDBOXRUN ? WORK_PHASE_RUN :
	    WORK_PHASE_AGENT;
	switch (j->j_lj.lj_step) {
	case LSTEP_NONE:
	case LSTEP_ACCEPTED:
		job_phase(j, first);
		return;
	case LSTEP_AGENT_DONE:
		if (j->j_agent == NULL &&
		    (j->j_agent = job_done_file(j, first)) == NULL) {
			job_fail(j, JE_INTERNAL, "the agent's report is lost");
			return;
		}
		if (j->j_req.jr_type == JOB_SANDBOXRUN) {
			free(j->j_run);
			j->j_run = job_keep(j->j_agent, strlen(j->j_agent));
			job_judge_result(j);
		} else
			job_check_artifact(j);
		return;
	case LSTEP_PATCH_CHECKED:
		if (j->j_agent == NULL)
			j->j_agent = job_done_file(j, WORK_PHASE_AGENT);
		if (j->j_patch == NULL) {
			/* verifyd is pure: asking again costs nothing */
			j->j_lj.lj_step = LSTEP_AGENT_DONE;
			job_continue(j);
			return;
		}
		job_phase(j, WORK_PHASE_TEST);
		return;
	case LSTEP_TESTED:
		if (j->j_agent == NULL)
			j->j_agent = job_done_file(j, first);
		if (j->j_req.jr_type == JOB_SANDBOXRUN) {
			j->j_lj.lj_step = LSTEP_AGENT_DONE;
			job_continue(j);
			return;
		}
		if (j->j_test == NULL)
			j->j_test = job_done_file(j, WORK_PHASE_TEST);
		if (j->j_patch == NULL || j->j_test == NULL) {
			/* the patch verdict again, then the saved test */
			j->j_lj.lj_step = LSTEP_AGENT_DONE;
			job_continue(j);
			return;
		}
		job_judge_result(j);
		return;
	case LSTEP_RESULT_SIGNED:
	case LSTEP_RESULT_PUBLISHED:
		if (j->j_result == NULL && ledger_job_result(j->j_sv->sv_ledger,
		    j->j_lj.lj_id, &j->j_result, &j->j_resultlen) != 0) {
			job_fail(j, JE_INTERNAL, "the signed result is lost");
			return;
		}
		j->j_failed = j->j_lj.lj_error_code[0] != '\0';
		job_publish_result(j);
		return;
	default:
		fatalx("%s: job %s at step %d", __func__, j->j_lj.lj_id,
		    j->j_lj.lj_step);
	}
}

/* A phase finished: its report (taken over) decides what is next. */
static void
job_phase_done(struct job *j, int phase, char *doc)
{
	yajl_val	 v;
	const char	*code, *msg, *tid;
	char		 err[128];
	int		 ecode;

	if ((v = js_parse(doc, strlen(doc), err, sizeof(err))) == NULL) {
		free(doc);
		job_fail(j, JE_INTERNAL, "workerd's report: %s", err);
		return;
	}
	if ((tid = js_str(v, "trajectory_id")) != NULL)
		(void)strlcpy(j->j_lj.lj_trajectory_id, tid,
		    sizeof(j->j_lj.lj_trajectory_id));
	if (js_bool(v, "cancelled", 0) || j->j_cancelled) {
		yajl_tree_free(v);
		free(doc);
		j->j_lj.lj_status = LS_CANCELLED;
		j->j_wait = JW_DONE;
		job_finish(j);
		return;
	}
	if (!js_bool(v, "ok", 0)) {
		code = js_str(v, "code");
		msg = js_str(v, "message");
		ecode = code != NULL && strlen(code) == 4 && code[0] == 'E' ?
		    atoi(code + 1) : JE_INTERNAL;
		if (ecode < JE_INVALID || ecode > JE_RATE)
			ecode = JE_INTERNAL;
		if (js_bool(v, "timed_out", 0))
			ecode = JE_TIMEOUT;
		job_fail(j, ecode, "%s", msg != NULL ? msg : "the job failed");
		yajl_tree_free(v);
		free(doc);
		return;
	}
	yajl_tree_free(v);
	switch (phase) {
	case WORK_PHASE_AGENT:
	case WORK_PHASE_RUN:
		free(j->j_agent);
		j->j_agent = doc;
		j->j_lj.lj_step = LSTEP_AGENT_DONE;
		j->j_lj.lj_status = LS_VERIFYING;
		break;
	case WORK_PHASE_TEST:
		free(j->j_test);
		j->j_test = doc;
		j->j_lj.lj_step = LSTEP_TESTED;
		break;
	default:
		free(doc);
		fatalx("%s: phase %d", __func__, phase);
	}
	job_save(j);
	job_continue(j);
}

void
jobs_work_done(struct supervisor *s, const char *id, int phase,
    const char *data, size_t len)
{
	struct job	*j;
	char		*doc;

	if ((j = jobs_find(s, id)) == NULL || j->j_wait != JW_WORK ||
	    j->j_phase != phase) {
		log_debug("job %s: stale report of phase %d", id, phase);
		return;
	}
	j->j_sent = 0;
	/*
	 * workerd wrote the same report to done-<phase>.json before it
	 * answered (work.h): a restart reads it back from there.
	 */
	doc = job_keep(data, len);
	job_phase_done(j, phase, doc);
}

void
jobs_work_progress(struct supervisor *s, const char *id, const char *data,
    size_t len)
{
	struct job	*j;
	yajl_val	 v;
	const char	*text;
	int64_t		 pct = -1;

	if ((j = jobs_find(s, id)) == NULL || j->j_cancelled)
		return;
	/*
	 * At most one progress feedback a second per job: a quick job
	 * says "processing" and then its result, and the relays carry
	 * two events instead of five (bench/p6-throughput.mjs).
	 */
	if (j->j_progress_us != 0 &&
	    now_us() - j->j_progress_us < JOBS_PROGRESS_US)
		return;
	if ((v = js_parse(data, len, NULL, 0)) == NULL) {
		log_warnx("job %s: unreadable progress report", id);
		return;
	}
	j->j_progress_us = now_us();
	text = js_str(v, "text");
	if (js_int(v, "percent", &pct) == -1 || pct < 0 || pct > 100)
		pct = -1;
	job_feedback(j, "processing", text, (int)pct);
	yajl_tree_free(v);
}

void
jobs_verified(struct supervisor *s, uint64_t reqid, int what,
    const char *data, size_t len)
{
	struct job	*j;
	yajl_val	 v, tags;
	const char	*code, *msg, *status, *content;
	char		 err[128], *tagtext, *art;
	size_t		 alen = 0;
	int		 ecode;
	int64_t		 files = 0;

	TAILQ_FOREACH(j, &s->sv_jobs, j_entry)
		if (j->j_wait == JW_VERIFY && j->j_reqid == reqid)
			break;
	if (j == NULL || j->j_verify_what != what) {
		log_debug("verdict %llu: no job asked", (unsigned long long)reqid);
		return;
	}
	j->j_sent = 0;
	if ((v = js_parse(data, len, err, sizeof(err))) == NULL) {
		job_fail(j, JE_INTERNAL, "verifyd's verdict: %s", err);
		return;
	}
	code = js_str(v, "code");
	msg = js_str(v, "message");
	ecode = code != NULL && strlen(code) == 4 && code[0] == 'E' ?
	    atoi(code + 1) : JE_VERIFY;
	if (ecode < JE_INVALID || ecode > JE_RATE)
		ecode = JE_VERIFY;

	switch (what) {
	case VERIFY_PATCH:
	case VERIFY_REVIEW:
		if (!js_bool(v, "ok", 0)) {
			job_fail(j, ecode, "%s", msg != NULL ? msg :
			    "the artifact failed its checks");
			break;
		}
		if (what == VERIFY_PATCH) {
			free(j->j_patch);
			j->j_patch = job_keep(data, len);
			if (js_int(v, "files_changed", &files) == 0 &&
			    s->sv_conf.c_payment_mode != PAYMENT_PAY_FIRST)
				j->j_lj.lj_price_sats = jobs_price(s,
				    j->j_req.jr_type, files, job_tokens(j));
			if (j->j_req.jr_max_cost_sats >= 0 &&
			    j->j_lj.lj_price_sats > j->j_req.jr_max_cost_sats)
				j->j_lj.lj_price_sats =
				    j->j_req.jr_max_cost_sats;
			j->j_lj.lj_step = LSTEP_PATCH_CHECKED;
			job_save(j);
		} else {
			free(j->j_review);
			j->j_review = job_keep(data, len);
			j->j_lj.lj_step = LSTEP_TESTED;
			job_save(j);
			job_judge_result(j);
			break;
		}
		job_continue(j);
		break;
	case VERIFY_RESULT:
		status = js_str(v, "status");
		tags = js_get(v, "tags");
		if (status == NULL || tags == NULL || !YAJL_IS_ARRAY(tags)) {
			job_fail(j, JE_INTERNAL, "verifyd's verdict has no "
			    "status or tags");
			break;
		}
		tagtext = job_tags_text(tags);
		if (strcmp(status, "success") != 0 &&
		    strcmp(status, "partial_success") != 0) {
			job_set_error(j, ecode, msg != NULL ? msg :
			    "verification failed");
			log_warnx("job %s: %s %s", j->j_lj.lj_id, j->j_code,
			    j->j_msg);
			job_error_feedback(j);
			job_result(j, status, tagtext, strlen(tagtext), NULL, 0);
			break;
		}
		/* the content is exactly what the hashes were taken of */
		if (j->j_req.jr_type == JOB_CODEREVIEW) {
			yajl_val rv = js_parse(j->j_review,
			    strlen(j->j_review), NULL, 0);

			content = js_str(rv, "content");
			art = content != NULL ? job_keep(content,
			    strlen(content)) : NULL;
			alen = art != NULL ? strlen(art) : 0;
			if (rv != NULL)
				yajl_tree_free(rv);
		} else
			art = sv_job_file_read(s, j->j_lj.lj_id,
			    j->j_req.jr_type == JOB_PATCHGEN ? "patch.diff" :
			    "output.txt", (size_t)s->sv_conf.c_limit_event_bytes,
			    &alen);
		if (art == NULL) {
			free(tagtext);
			if (errno == EFBIG)
				job_fail(j, JE_RESOURCE, "the result is larger "
				    "than relays take");
			else
				job_fail(j, JE_INTERNAL, "the artifact is gone");
			break;
		}
		if ((int64_t)alen + 4096 > s->sv_conf.c_limit_event_bytes) {
			free(tagtext);
			free(art);
			job_fail(j, JE_RESOURCE, "the result (%zu bytes) is "
			    "larger than relays take", alen);
			break;
		}
		job_result(j, status, tagtext, strlen(tagtext), art, alen);
		free(art);
		break;
	default:
		job_fail(j, JE_INTERNAL, "verifyd answered the wrong question");
	}
	yajl_tree_free(v);
}

/* verifyd's tags, back to text for the template; strings only. */
char *
job_tags_text(yajl_val tags)
{
	struct jb	 jb;
	yajl_val	 t, e;
	char		*out;
	size_t		 i, k;

	if (jb_init(&jb) == -1)
		fatal("%s", __func__);
	jb_aopen(&jb);
	for (i = 0; i < tags->u.array.len; i++) {
		t = tags->u.array.values[i];
		if (!YAJL_IS_ARRAY(t))
			continue;
		jb_aopen(&jb);
		for (k = 0; k < t->u.array.len; k++) {
			e = t->u.array.values[k];
			jb_str(&jb, YAJL_IS_STRING(e) ? YAJL_GET_STRING(e) :
			    "");
		}
		jb_aclose(&jb);
	}
	jb_aclose(&jb);
	if (jb_finish(&jb, &out, NULL) == -1)
		fatal("%s", __func__);
	return (out);
}

