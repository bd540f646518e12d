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
 * What a job publishes: feedback (signed and sent, not tracked) and its
 * one result (encrypted when the request was, signed, stored in the
 * ledger before it is sent, tracked until a relay takes it).
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

static void	 job_sign_result(struct job *);

/* ---- publishing: feedback (fire and forget) and results (tracked) ---- */

static void
job_signed(void *arg, int status, const void *data, size_t len)
{
	struct job_sig		*js = arg;
	struct supervisor	*s = js->js_sv;
	struct job		*j;
	struct nostr_event	 ev;
	uint64_t		 reqid;

	j = jobs_find(s, js->js_id);
	if (status != WALLET_OK) {
		log_warnx("job %s: walletd would not sign: %.*s", js->js_id,
		    (int)len, (const char *)data);
		if (j != NULL && js->js_result) {
			j->j_wait = JW_DONE;
			j->j_lj.lj_status = LS_FAILED;
			(void)strlcpy(j->j_lj.lj_error_code, "E007",
			    sizeof(j->j_lj.lj_error_code));
			job_finish(j);
		}
		free(js);
		return;
	}
	if (!js->js_result) {
		reqid = sv_relay_publish(s, data, len);
		if (js->js_t0 != 0)
			log_debug("job %s: accepted in %" PRId64 " us",
			    js->js_id, now_us() - js->js_t0);
		if (reqid == 0)
			log_debug("job %s: feedback not published: relayd "
			    "is not there", js->js_id);
		free(js);
		return;
	}
	free(js);
	if (j == NULL)
		return;		/* gone meanwhile */
	if (j->j_cancelled) {
		j->j_wait = JW_DONE;
		job_finish(j);
		return;
	}
	free(j->j_result);
	if ((j->j_result = malloc(len + 1)) == NULL)
		fatal("%s", __func__);
	memcpy(j->j_result, data, len);
	j->j_result[len] = '\0';
	j->j_resultlen = len;
	/* stored before it is sent: a restart republishes this event */
	if (ledger_job_set_result(s->sv_ledger, j->j_lj.lj_id, j->j_result,
	    len) == -1)
		log_warnx("job %s: could not store the result",
		    j->j_lj.lj_id);
	if (event_parse(j->j_result, len, NULL, &ev, NULL, 0) == 0) {
		hex_encode(ev.ev_id, sizeof(ev.ev_id), j->j_lj.lj_result_id);
		nostr_event_free(&ev);
	}
	j->j_lj.lj_step = LSTEP_RESULT_SIGNED;
	job_save(j);
	job_publish_result(j);
}

static void
job_sign(struct job *j, const char *tmpl, size_t len, int result)
{
	struct job_sig	*js;

	if ((js = calloc(1, sizeof(*js))) == NULL)
		fatal("%s", __func__);
	js->js_sv = j->j_sv;
	(void)strlcpy(js->js_id, j->j_lj.lj_id, sizeof(js->js_id));
	js->js_result = result;
	if (!result && j->j_t0_us != 0) {
		js->js_t0 = j->j_t0_us;
		j->j_t0_us = 0;
	}
	if (sv_wallet_request(j->j_sv, WALLET_OP_SIGN, NULL, tmpl, len,
	    job_signed, js) == -1) {
		log_warn("job %s: signing", j->j_lj.lj_id);
		free(js);
	}
}

void
job_feedback(struct job *j, const char *status, const char *extra,
    int progress)
{
	char	*tmpl;
	size_t	 len;

	if (jobev_feedback(j, status, extra, progress, NULL, 0, &tmpl,
	    &len) == -1) {
		log_warnx("job %s: feedback template", j->j_lj.lj_id);
		return;
	}
	job_sign(j, tmpl, len, 0);
	free(tmpl);
}

void
job_publish_result(struct job *j)
{
	struct supervisor	*s = j->j_sv;
	uint64_t		 reqid;

	j->j_wait = JW_PUBLISH;
	if ((reqid = sv_relay_publish(s, j->j_result, j->j_resultlen)) == 0) {
		j->j_reqid = 0;		/* sent when relayd is back */
		return;
	}
	j->j_reqid = reqid;
	log_info("job %s: result %s published to the relays", j->j_lj.lj_id,
	    j->j_lj.lj_result_id);
}

void
jobs_published(struct supervisor *s, uint64_t reqid, uint32_t nok,
    uint32_t nrelays, const char *msg)
{
	struct job	*j;

	TAILQ_FOREACH(j, &s->sv_jobs, j_entry)
		if (j->j_wait == JW_PUBLISH && j->j_reqid == reqid)
			break;
	if (j == NULL) {
		log_debug("published %llu: %u of %u relays%s%s",
		    (unsigned long long)reqid, nok, nrelays,
		    msg[0] != '\0' ? "; " : "", msg);
		return;
	}
	if (nok == 0) {
		log_warnx("job %s: no relay took the result%s%s; trying "
		    "again in %d s", j->j_lj.lj_id, msg[0] != '\0' ? ": " : "",
		    msg, JOBS_REPUBLISH_SECS);
		j->j_reqid = 0;
		return;
	}
	log_info("job %s: result taken by %u of %u relays", j->j_lj.lj_id,
	    nok, nrelays);
	j->j_lj.lj_step = LSTEP_RESULT_PUBLISHED;
	j->j_lj.lj_status = j->j_failed ? LS_FAILED : LS_PUBLISHED;
	j->j_lj.lj_finished_at = (int64_t)time(NULL);
	j->j_wait = JW_DONE;
	job_finish(j);
}

/* ---- the end of a job ---- */

void
job_finish(struct job *j)
{
	struct supervisor	*s = j->j_sv;
	int			 was_active = j->j_active;

	if (j->j_lj.lj_finished_at == 0)
		j->j_lj.lj_finished_at = (int64_t)time(NULL);
	job_save(j);
	if (!j->j_active && j->j_wait == JW_QUEUED)
		TAILQ_REMOVE(&s->sv_jobq, j, j_qentry);
	TAILQ_REMOVE(&s->sv_jobs, j, j_entry);
	job_free(j);
	sv_relay_cancel_sync(s);
	if (was_active)
		jobs_pump(s);
}

/* ---- results ---- */

static void
job_encrypted_content(void *arg, int status, const void *data, size_t len)
{
	struct job_sig		*js = arg;
	struct job		*j = jobs_find(js->js_sv, js->js_id);

	free(js);
	if (j == NULL)
		return;
	if (status != WALLET_OK) {
		log_warnx("job %s: could not encrypt the result",
		    j->j_lj.lj_id);
		j->j_lj.lj_status = LS_FAILED;
		j->j_wait = JW_DONE;
		job_finish(j);
		return;
	}
	free(j->j_content);
	if ((j->j_content = malloc(len + 1)) == NULL)
		fatal("%s", __func__);
	memcpy(j->j_content, data, len);
	j->j_content[len] = '\0';
	j->j_contentlen = len;
	j->j_sealed = 1;
	job_sign_result(j);
}

/*
 * The result's template and signature.  An encrypted job's content is
 * encrypted first, to the buyer, with the scheme the request used.
 */
static void
job_sign_result(struct job *j)
{
	struct job_sig	*js;
	char		*tmpl;
	size_t		 len;
	int		 op;

	j->j_wait = JW_SIGN;
	if (j->j_lj.lj_encrypted != 0 && j->j_contentlen > 0 &&
	    !j->j_sealed) {
		op = j->j_lj.lj_encrypted == JOB_NIP44 ?
		    WALLET_OP_NIP44_ENCRYPT : WALLET_OP_NIP04_ENCRYPT;
		if ((js = calloc(1, sizeof(*js))) == NULL)
			fatal("%s", __func__);
		js->js_sv = j->j_sv;
		(void)strlcpy(js->js_id, j->j_lj.lj_id, sizeof(js->js_id));
		if (sv_wallet_request(j->j_sv, op, j->j_req.jr_buyer,
		    j->j_content, j->j_contentlen, job_encrypted_content,
		    js) == -1) {
			free(js);
			log_warn("job %s: encrypting the result",
			    j->j_lj.lj_id);
			j->j_lj.lj_status = LS_FAILED;
			j->j_wait = JW_DONE;
			job_finish(j);
		}
		return;
	}
	if (jobev_result(j, j->j_rstatus, j->j_content, j->j_contentlen,
	    j->j_rtags != NULL ? j->j_rtags : "", j->j_rtagslen,
	    j->j_failed ? 0 : j->j_lj.lj_price_sats, &tmpl, &len) == -1) {
		log_warnx("job %s: result template", j->j_lj.lj_id);
		j->j_lj.lj_status = LS_FAILED;
		j->j_wait = JW_DONE;
		job_finish(j);
		return;
	}
	job_sign(j, tmpl, len, 1);
	free(tmpl);
}

/*
 * A result is due: its status word, its tags (JSON array of arrays,
 * taken over) and its plaintext content (copied).
 */
void
job_result(struct job *j, const char *status, char *tags, size_t tagslen,
    const char *content, size_t clen)
{
	if (j->j_cancelled) {
		free(tags);
		job_finish(j);
		return;
	}
	(void)strlcpy(j->j_rstatus, status, sizeof(j->j_rstatus));
	free(j->j_rtags);
	j->j_rtags = tags;
	j->j_rtagslen = tagslen;
	free(j->j_content);
	j->j_content = NULL;
	j->j_contentlen = 0;
	j->j_sealed = 0;
	if (clen > 0) {
		if ((j->j_content = malloc(clen + 1)) == NULL)
			fatal("%s", __func__);
		memcpy(j->j_content, content, clen);
		j->j_content[clen] = '\0';
		j->j_contentlen = clen;
	}
	job_sign_result(j);
}

/* ---- failures ---- */

void
job_set_error(struct job *j, int code, const char *msg)
{
	size_t	 i;

	j->j_failed = 1;
	(void)strlcpy(j->j_code, job_error_code(code), sizeof(j->j_code));
	(void)strlcpy(j->j_msg, msg, sizeof(j->j_msg));
	/* one line, printable: it goes into tags and logs */
	for (i = 0; j->j_msg[i] != '\0'; i++)
		if ((unsigned char)j->j_msg[i] < 0x20 || j->j_msg[i] == 0x7f)
			j->j_msg[i] = ' ';
	(void)strlcpy(j->j_lj.lj_error_code, j->j_code,
	    sizeof(j->j_lj.lj_error_code));
	(void)strlcpy(j->j_lj.lj_error_msg, j->j_msg,
	    sizeof(j->j_lj.lj_error_msg));
}

void
job_error_feedback(struct job *j)
{
	char	 extra[300];

	(void)snprintf(extra, sizeof(extra), "%s: %s", j->j_code, j->j_msg);
	job_feedback(j, "error", extra, -1);
}

/*
 * A job that was accepted and cannot be finished: the 7000 error, and
 * the failed result that is still due (PROTOCOL.md §E.3).
 */
void
job_fail(struct job *j, int code, const char *fmt, ...)
{
	struct jb	 jb;
	va_list		 ap;
	char		 msg[256], *tags;
	size_t		 len;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	job_set_error(j, code, msg);
	log_warnx("job %s: %s %s", j->j_lj.lj_id, j->j_code, j->j_msg);
	job_error_feedback(j);
	if (j->j_cancelled) {
		job_finish(j);
		return;
	}
	if (jb_init(&jb) == -1)
		fatal("%s", __func__);
	jb_aopen(&jb);
	jb_aopen(&jb);
	jb_str(&jb, "error");
	jb_str(&jb, j->j_code);
	jb_str(&jb, j->j_msg);
	jb_aclose(&jb);
	if (j->j_lj.lj_trajectory_id[0] != '\0') {
		jb_aopen(&jb);
		jb_str(&jb, "result");
		jb_str(&jb, "trajectory_id");
		jb_str(&jb, j->j_lj.lj_trajectory_id);
		jb_aclose(&jb);
	}
	jb_aclose(&jb);
	if (jb_finish(&jb, &tags, &len) == -1)
		fatal("%s", __func__);
	job_result(j, code == JE_TIMEOUT ? "timeout" : "failed", tags, len,
	    NULL, 0);
}

