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
 * A request comes in: recorded once, decrypted when it is encrypted to
 * us, parsed, and judged (type, schedule, rate, price, capacity).
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
#include "sv_pay.h"
#include "sv_json.h"
#include "util.h"
#include "verify.h"
#include "work.h"

/* ---- intake ---- */

/*
 * Not taken: recorded once, answered with a 7000 error when the
 * request was addressed to us, dropped in silence otherwise.
 */
void
job_reject(struct job *j, int code, const char *msg)
{
	struct supervisor	*s = j->j_sv;
	int			 answer = j->j_for_us;

	job_set_error(j, code, msg);
	if (!answer) {
		log_debug("request %s not taken: %s %s", j->j_lj.lj_request_id,
		    j->j_code, j->j_msg);
		job_free(j);
		return;
	}
	log_info("request %s from %.16s refused: %s %s",
	    j->j_lj.lj_request_id, j->j_lj.lj_buyer, j->j_code, j->j_msg);
	j->j_lj.lj_status = LS_REJECTED;
	j->j_lj.lj_finished_at = (int64_t)time(NULL);
	if (ledger_job_insert(s->sv_ledger, &j->j_lj, j->j_event,
	    j->j_eventlen) != 0) {
		job_free(j);	/* seen before, or the ledger failed */
		return;
	}
	/* the template is made now; signing needs only its copy */
	job_error_feedback(j);
	job_free(j);
}

/*
 * The wall clock in the schedule's zone.  libc knows one zone at a
 * time: TZ is set for the call and put back (the supervisor has one
 * thread); a zone libc does not know reads as UTC, and config.c has
 * checked the name.
 */
static int
schedule_clock(const char *zone, time_t t, struct tm *tm)
{
	char	*old = NULL;
	int	 rc;

	if (zone[0] == '\0' || strcmp(zone, "UTC") == 0)
		return (gmtime_r(&t, tm) == NULL ? -1 : 0);
	if (getenv("TZ") != NULL && (old = strdup(getenv("TZ"))) == NULL)
		return (-1);
	if (setenv("TZ", zone, 1) == -1) {
		free(old);
		return (-1);
	}
	tzset();
	rc = localtime_r(&t, tm) == NULL ? -1 : 0;
	if (old != NULL)
		(void)setenv("TZ", old, 1);
	else
		(void)unsetenv("TZ");
	tzset();
	free(old);
	return (rc);
}

int
jobs_taking(struct supervisor *s)
{
	const struct conf	*c = &s->sv_conf;
	struct tm		 tm;
	time_t			 now = time(NULL);
	int			 m;

	if (s->sv_paused)
		return (0);
	if (c->c_schedule != SCHEDULE_SCHEDULE)
		return (1);
	if (schedule_clock(c->c_timezone, now, &tm) == -1)
		return (1);
	if (!(c->c_weekdays & (1U << tm.tm_wday)))
		return (0);
	m = tm.tm_hour * 60 + tm.tm_min;
	if (c->c_hours_from <= c->c_hours_to)
		return (m >= c->c_hours_from && m < c->c_hours_to);
	return (m >= c->c_hours_from || m < c->c_hours_to);
}

/* PROTOCOL.md §A.12: base, per file, capped; sats. */
int64_t
jobs_price(struct supervisor *s, int type, int64_t files, int64_t tokens)
{
	const struct conf_pricing	*p;
	int64_t				 price, part;

	if (s->sv_conf.c_payment_mode == PAYMENT_FREE ||
	    type < 0 || type >= JOB_TYPE_MAX)
		return (0);
	p = &s->sv_conf.c_pricing[type];
	/*
	 * The parts come from the config (up to CONF_SATS_MAX each) and
	 * from what the agent reported: every step saturates, so no sum
	 * can wrap into a small or negative price.
	 */
	price = p->base;
	if (files > 0 && p->per_file > 0 &&
	    (__builtin_mul_overflow(p->per_file, files, &part) ||
	    __builtin_add_overflow(price, part, &price)))
		price = JOBS_PRICE_MAX;
	/* what the agent's model used, in whole thousands */
	if (tokens >= 1000 && p->per_1k_tokens > 0 &&
	    (__builtin_mul_overflow(p->per_1k_tokens, tokens / 1000, &part) ||
	    __builtin_add_overflow(price, part, &price)))
		price = JOBS_PRICE_MAX;
	/* the premium the operator asks, as far as the tier allows */
	if (p->tier_premium_pct > 0 && price < JOBS_PRICE_MAX / 2)
		price += price * jobs_premium_pct(s, p->tier_premium_pct) / 100;
	if (p->max > 0 && price > p->max)
		price = p->max;
	/* in msats it must still fit: 21 million bitcoin is the ceiling */
	if (price > JOBS_PRICE_MAX)
		price = JOBS_PRICE_MAX;
	return (price);
}

static int
jobs_type_served(int type)
{
	return (type == JOB_PATCHGEN || type == JOB_CODEREVIEW ||
	    type == JOB_SANDBOXRUN);
}

/* Judge a parsed request: take it, or say why not. */
void
job_judge(struct job *j)
{
	struct supervisor	*s = j->j_sv;
	struct job_request	*r = &j->j_req;
	struct job_limits	 lim;
	struct nostr_event	 ev;
	char			 err[256];
	int			 code = JE_INVALID, rc;
	uint32_t		 busy;
	int64_t			 n;
	int			 pay_first;

	job_limits_default(&lim);
	if (event_parse(j->j_event, j->j_eventlen, NULL, &ev, err,
	    sizeof(err)) == -1)
		fatalx("%s: relayd passed a bad event: %s", __func__, err);
	rc = job_request_parse(&ev, j->j_tags, j->j_tagslen, s->sv_pubkey,
	    &lim, r, &code, err, sizeof(err));
	nostr_event_free(&ev);
	j->j_parsed = 1;
	if (rc == -1) {
		job_reject(j, code, err);
		return;
	}
	if (r->jr_tagged && !r->jr_for_us) {
		job_free(j);		/* meant for another provider */
		return;
	}
	j->j_lj.lj_type = r->jr_type;
	/* first, so that a buyer cannot make us judge (and answer) a flood */
	n = ledger_buyer_count_since(s->sv_ledger, j->j_lj.lj_buyer,
	    (int64_t)time(NULL) - JOBS_RATE_WINDOW);
	if (n > JOBS_RATE_MAX) {
		/* told once (below); the rest of the flood gets nothing */
		log_debug("request %s from %.16s: rate limited, dropped",
		    j->j_lj.lj_request_id, j->j_lj.lj_buyer);
		job_free(j);
		return;
	}
	if (n == JOBS_RATE_MAX) {
		(void)snprintf(err, sizeof(err), "more than %d requests in %d "
		    "seconds", JOBS_RATE_MAX, JOBS_RATE_WINDOW);
		job_reject(j, JE_RATE, err);
		return;
	}
	if (!jobs_type_served(r->jr_type) ||
	    !(s->sv_conf.c_job_types & (1U << r->jr_type))) {
		(void)snprintf(err, sizeof(err), "%s jobs are not served here",
		    config_job_type_name(r->jr_type));
		job_reject(j, JE_UNSUPPORTED, err);
		return;
	}
	if (!jobs_taking(s)) {
		job_reject(j, JE_RESOURCE, "the provider is not taking jobs "
		    "now");
		return;
	}
	j->j_lj.lj_price_sats = jobs_price(s, r->jr_type, 0, 0);
	if (r->jr_max_cost_sats >= 0 &&
	    j->j_lj.lj_price_sats > r->jr_max_cost_sats) {
		(void)snprintf(err, sizeof(err), "the price is %" PRId64
		    " sats, above max_cost_sats %" PRId64,
		    j->j_lj.lj_price_sats, r->jr_max_cost_sats);
		job_reject(j, JE_BUDGET, err);
		return;
	}
	/* work that cannot be invoiced is not started */
	if (j->j_lj.lj_price_sats > 0 && (!sv_nwc_usable(s) ||
	    !sv_nwc_has_method(s, "make_invoice"))) {
		job_reject(j, JE_INTERNAL, "the provider has no wallet "
		    "connected to invoice the job");
		return;
	}
	busy = jobs_active_count(s);
	if (busy >= jobs_capacity(s) &&
	    (!r->jr_for_us || jobs_queued_count(s) >= JOBS_QUEUE_MAX)) {
		sv_alert(s, "capacity", NULL, "refused a job: all workers busy");
		job_reject(j, JE_RESOURCE, "all workers are busy");
		return;
	}

	/* pay_first: invoiced now, run when paid (sv_pay.c) */
	pay_first = s->sv_conf.c_payment_mode == PAYMENT_PAY_FIRST &&
	    j->j_lj.lj_price_sats > 0;
	if (pay_first && jobs_unpaid_count(s) >= JOBS_QUEUE_MAX) {
		job_reject(j, JE_RESOURCE, "too many jobs wait for payment");
		return;
	}
	j->j_lj.lj_status = pay_first ? LS_INVOICED : LS_RUNNING;
	j->j_lj.lj_step = pay_first ? LSTEP_NONE : LSTEP_ACCEPTED;
	if ((rc = ledger_job_insert(s->sv_ledger, &j->j_lj, j->j_event,
	    j->j_eventlen)) != 0) {
		if (rc == -1)
			log_warnx("request %s: the ledger refused it",
			    j->j_lj.lj_request_id);
		job_free(j);
		return;
	}
	/*
	 * The feedback first: walletd signs it while the rest is done.
	 * An encrypted request's tags exist nowhere else, so they go to
	 * the job's folder now, synced; the plain request is in the
	 * ledger and is copied there when the job starts.
	 */
	if (!pay_first)
		job_feedback(j, "processing", busy >=
		    jobs_capacity(s) ? "Queued" : "Accepted", 0);
	j->j_progress_us = now_us();	/* the acceptance counts as one */
	if (j->j_tags != NULL && sv_job_file_write(s, j->j_lj.lj_id,
	    "request-tags.json", j->j_tags, j->j_tagslen, 1) == -1)
		log_warn("job %s: request-tags.json", j->j_lj.lj_id);
	log_info("job %s: %s from %.16s accepted, %" PRId64 " sats",
	    j->j_lj.lj_id, config_job_type_name(r->jr_type),
	    j->j_lj.lj_buyer, j->j_lj.lj_price_sats);
	TAILQ_INSERT_TAIL(&s->sv_jobs, j, j_entry);
	sv_relay_cancel_sync(s);
	if (pay_first) {
		job_pay_first(j);
		return;
	}
	j->j_wait = JW_QUEUED;
	TAILQ_INSERT_TAIL(&s->sv_jobq, j, j_qentry);
	jobs_pump_soon(s);
}

static void
job_decrypted(void *arg, int status, const void *data, size_t len)
{
	struct job_sig		*js = arg;
	struct supervisor	*s = js->js_sv;
	struct job		*j;

	j = jobs_find(s, js->js_id);
	free(js);
	if (j == NULL)
		return;
	TAILQ_REMOVE(&s->sv_jobs, j, j_entry);
	if (j->j_cancelled) {
		log_info("request %s: withdrawn while it was decrypted",
		    j->j_lj.lj_request_id);
		job_free(j);
		return;
	}
	if (status != WALLET_OK) {
		j->j_parsed = 0;
		log_info("request %s: cannot decrypt it: %.*s",
		    j->j_lj.lj_request_id, (int)(len > 200 ? 200 : len),
		    (const char *)data);
		job_free(j);
		return;
	}
	if ((j->j_tags = malloc(len + 1)) == NULL)
		fatal("%s", __func__);
	memcpy(j->j_tags, data, len);
	j->j_tags[len] = '\0';
	j->j_tagslen = len;
	job_judge(j);
}

/* Requests with walletd for decryption, from one buyer or all. */
static int
jobs_decrypting(struct supervisor *s, const char *buyer)
{
	struct job	*j;
	int		 n = 0;

	TAILQ_FOREACH(j, &s->sv_jobs, j_entry)
		if (j->j_wait == JW_DECRYPT && (buyer == NULL ||
		    strcmp(j->j_lj.lj_buyer, buyer) == 0))
			n++;
	return (n);
}

/* NIP-44 payloads are base64 of a version byte 2; NIP-04 has "?iv=". */
static int
jobs_scheme(const struct nostr_event *ev)
{
	if (ev->ev_content == NULL || ev->ev_contentlen == 0)
		return (JOB_PLAIN);
	if (memmem(ev->ev_content, ev->ev_contentlen, "?iv=", 4) != NULL)
		return (JOB_NIP04);
	/* base64 of 0x02 followed by anything starts with "A" */
	return (ev->ev_content[0] == 'A' ? JOB_NIP44 : JOB_NIP04);
}

void
jobs_event(struct supervisor *s, const struct nostr_event *ev,
    const char *json, size_t len, int64_t t0)
{
	struct job		*j;
	struct ledger_job	 old;
	struct job_sig		*js;
	const struct event_tag	*t;
	char			 reqid[65];
	uint8_t			 pk[32];
	size_t			 pos = 0;

	if (ev->ev_kind != 5050 && (ev->ev_kind < 5930 || ev->ev_kind > 5933))
		return;
	hex_encode(ev->ev_id, sizeof(ev->ev_id), reqid);
	if (jobs_find_request(s, reqid) != NULL ||
	    ledger_job_by_request(s->sv_ledger, reqid, &old) == 0)
		return;		/* seen: relays resend, since overlaps */
	if ((j = job_new(s)) == NULL) {
		log_warn("%s", __func__);
		return;
	}
	(void)snprintf(j->j_lj.lj_id, sizeof(j->j_lj.lj_id), "job_%.16s",
	    reqid);
	(void)strlcpy(j->j_lj.lj_request_id, reqid,
	    sizeof(j->j_lj.lj_request_id));
	hex_encode(ev->ev_pubkey, sizeof(ev->ev_pubkey), j->j_lj.lj_buyer);
	j->j_lj.lj_kind = ev->ev_kind;
	j->j_lj.lj_created_at = ev->ev_created_at;
	j->j_lj.lj_received_at = (int64_t)time(NULL);
	j->j_t0_us = t0;
	if ((j->j_event = malloc(len + 1)) == NULL) {
		job_free(j);
		return;
	}
	memcpy(j->j_event, json, len);
	j->j_event[len] = '\0';
	j->j_eventlen = len;

	/* addressed to us: refusals are answered, not silent */
	while ((t = event_tag_find(ev, "p", &pos)) != NULL)
		if (t->t_nvals >= 2 && t->t_vals[1].es_len == 64 &&
		    hex_decode(t->t_vals[1].es_ptr, 64, pk, sizeof(pk)) == 0 &&
		    memcmp(pk, s->sv_pubkey, sizeof(pk)) == 0)
			j->j_for_us = 1;
	if (!job_request_is_encrypted(ev)) {
		job_judge(j);
		return;
	}
	/* only the addressee can read it; others' are none of ours */
	if (!j->j_for_us) {
		job_free(j);
		return;
	}
	/* walletd's time is not for whoever sends the most ciphertext */
	if (jobs_decrypting(s, NULL) >= JOBS_DECRYPT_MAX ||
	    jobs_decrypting(s, j->j_lj.lj_buyer) >= JOBS_DECRYPT_BUYER) {
		log_warnx("request %s from %.16s: too many encrypted requests "
		    "at once; dropped", reqid, j->j_lj.lj_buyer);
		job_free(j);
		return;
	}
	j->j_lj.lj_encrypted = jobs_scheme(ev);
	if ((js = calloc(1, sizeof(*js))) == NULL)
		fatal("%s", __func__);
	js->js_sv = s;
	(void)strlcpy(js->js_id, j->j_lj.lj_id, sizeof(js->js_id));
	j->j_wait = JW_DECRYPT;
	TAILQ_INSERT_TAIL(&s->sv_jobs, j, j_entry);
	if (sv_wallet_request(s, j->j_lj.lj_encrypted == JOB_NIP44 ?
	    WALLET_OP_NIP44_DECRYPT : WALLET_OP_NIP04_DECRYPT, ev->ev_pubkey,
	    ev->ev_content, ev->ev_contentlen, job_decrypted, js) == -1) {
		log_warn("request %s: decrypting", reqid);
		free(js);
		TAILQ_REMOVE(&s->sv_jobs, j, j_entry);
		job_free(j);
	}
}

