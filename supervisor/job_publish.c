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
#include "sv_alert.h"
#include "sv_announce.h"
#include "sv_json.h"
#include "sv_pay.h"
#include "util.h"
#include "verify.h"
#include "work.h"


/* ---- publishing: feedback (fire and forget) and results (tracked) ---- */

/*
 * A job that cannot go on and cannot say so on the relays either: it
 * ends failed, in the ledger and the log.
 */
static void
job_abandon(struct job *j, const char *why)
{
	log_warnx("job %s: %s; the job ends failed", j->j_lj.lj_id, why);
	if (j->j_lj.lj_error_code[0] == '\0')
		(void)strlcpy(j->j_lj.lj_error_code, "E007",
		    sizeof(j->j_lj.lj_error_code));
	j->j_lj.lj_status = j->j_cancelled ? LS_CANCELLED : LS_FAILED;
	j->j_wait = JW_DONE;
	job_finish(j);
}

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
		    (int)(len > 200 ? 200 : len), (const char *)data);
		if (j != NULL && js->js_result)
			job_abandon(j, "the result could not be signed");
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
	if (event_parse(j->j_result, len, NULL, &ev, NULL, 0) == 0) {
		hex_encode(ev.ev_id, sizeof(ev.ev_id), j->j_lj.lj_result_id);
		nostr_event_free(&ev);
	}
	/*
	 * Stored before it is sent, and not sent unless stored: a restart
	 * republishes this very event, and a second, different result
	 * must never exist.
	 */
	if (ledger_job_set_result(s->sv_ledger, j->j_lj.lj_id, j->j_result,
	    len) != 0) {
		job_abandon(j, "the ledger could not store the result");
		return;
	}
	j->j_lj.lj_step = LSTEP_RESULT_SIGNED;
	job_save(j);
	job_publish_result(j);
	/* publishing needs no worker: the slot goes to the next job */
	if (j->j_active) {
		j->j_active = 0;
		jobs_pump(s);
	}
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
		if (result)
			job_abandon(j, "walletd is not there to sign");
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

	if (j->j_cancelled) {
		j->j_wait = JW_DONE;
		job_finish(j);
		return;
	}
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
		j->j_reqid = 0;
		if (++j->j_pub_tries >= JOBS_PUBLISH_TRIES) {
			(void)snprintf(j->j_lj.lj_error_msg,
			    sizeof(j->j_lj.lj_error_msg), "no relay took the "
			    "result: %s", msg);
			job_abandon(j, j->j_lj.lj_error_msg);
			return;
		}
		log_warnx("job %s: no relay took the result%s%s; trying "
		    "again in %d s", j->j_lj.lj_id, msg[0] != '\0' ? ": " : "",
		    msg, JOBS_REPUBLISH_SECS);
		return;
	}
	log_info("job %s: result taken by %u of %u relays", j->j_lj.lj_id,
	    nok, nrelays);
	j->j_lj.lj_step = LSTEP_RESULT_PUBLISHED;
	/* paid first, or paid while the relays were asked */
	j->j_lj.lj_status = j->j_failed ? LS_FAILED :
	    j->j_lj.lj_earned_sats > 0 ? LS_PAID : LS_PUBLISHED;
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
	sv_tier_stale();
	/* a job that ends is never left looking unfinished to a restart */
	switch (j->j_lj.lj_status) {
	case LS_RECEIVED:
	case LS_INVOICED:
	case LS_RUNNING:
	case LS_VERIFYING:
		j->j_lj.lj_status = j->j_cancelled ? LS_CANCELLED : LS_FAILED;
		break;
	default:
		break;
	}
	if (j->j_wait != JW_DECRYPT)
		job_save(j);
	sv_alert_job_done(s);
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
		job_abandon(j, "the result could not be encrypted");
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
void
job_sign_result(struct job *j)
{
	struct job_sig	*js;
	char		*tmpl;
	size_t		 len, max;
	int		 op, with_request;

	/* pay_after_verify: no result without its invoice (sv_pay.c) */
	if (job_pay_wait(j))
		return;
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
			job_abandon(j, "walletd is not there to encrypt");
		}
		return;
	}
	/*
	 * What walletd signs and relays take must fit: the request tag
	 * (the buyer's own event, NIP-90) is the first thing to go.
	 */
	max = (size_t)j->j_sv->sv_conf.c_limit_event_bytes;
	if (max > EVENT_MAX_BYTES)
		max = EVENT_MAX_BYTES;
	max -= JOBEV_SIGNED_OVERHEAD;
	with_request = j->j_eventlen <= EVENT_MAX_STRING;
	for (;;) {
		if (jobev_result(j, j->j_rstatus, j->j_content,
		    j->j_contentlen, j->j_rtags != NULL ? j->j_rtags : "",
		    j->j_rtagslen, j->j_failed ? 0 : j->j_lj.lj_price_sats,
		    j->j_failed ? NULL : j->j_bolt11, with_request, &tmpl,
		    &len) == -1) {
			job_abandon(j, "the result template could not be made");
			return;
		}
		if (len <= max)
			break;
		free(tmpl);
		if (with_request) {
			with_request = 0;
			continue;
		}
		if (!j->j_failed) {
			job_fail(j, JE_RESOURCE, "the result (%zu bytes) is "
			    "larger than relays take (%zu)", len, max);
			return;
		}
		job_abandon(j, "even the failed result is too large");
		return;
	}
	if (!with_request)
		log_info("job %s: the result goes without its request tag, "
		    "for size", j->j_lj.lj_id);
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

/*
 * Text that reaches us from buyers, agents and git, cut to a buffer:
 * control bytes become spaces, and a byte that does not begin a whole,
 * valid UTF-8 sequence (a cut one, at the end) becomes '?'.
 */
static void
text_clean(char *s)
{
	unsigned char	*p = (unsigned char *)s;
	size_t		 i = 0, n, k;

	while (p[i] != '\0') {
		if (p[i] < 0x80) {
			if (p[i] < 0x20 || p[i] == 0x7f)
				p[i] = ' ';
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 2;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 3;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 4;
		else
			n = 0;
		for (k = 1; k < n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				break;
		if (n == 0 || k < n || !event_utf8_valid(s + i, n)) {
			p[i++] = '?';
			continue;
		}
		i += n;
	}
}

void
job_set_error(struct job *j, int code, const char *msg)
{
	j->j_failed = 1;
	(void)strlcpy(j->j_code, job_error_code(code), sizeof(j->j_code));
	(void)strlcpy(j->j_msg, msg, sizeof(j->j_msg));
	/* it goes into tags and logs: one line of valid UTF-8 */
	text_clean(j->j_msg);
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
	job_pay_drop(j);	/* its invoice, if any, is never sent */
	if (j->j_cancelled) {
		j->j_wait = JW_DONE;
		job_finish(j);
		return;
	}
	job_error_feedback(j);
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
	if (jb_finish(&jb, &tags, &len) == -1) {
		job_abandon(j, "the failure could not be written down");
		return;
	}
	job_result(j, code == JE_TIMEOUT ? "timeout" : "failed", tags, len,
	    NULL, 0);
}
