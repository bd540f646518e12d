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
 * What jobs do with the wallet (PROTOCOL.md §A.12, §E.1, §E.5).
 * pay_after_verify: a verified result waits for its invoice; pay_first:
 * an accepted job sends a 7000 payment-required with the invoice and
 * runs once the wallet says it is paid.  Every invoice is made by the
 * wallet, checked by walletd (amount, hash, expiry, signature), written
 * to the ledger synced, and only then put in an event; a restart finds
 * it there and never asks for a second one.  Open invoices are looked
 * up every poll_secs unless a notification says first; a lapsed one
 * ends the job EXPIRED.  A wallet that does not answer holds a finished
 * job for outage_limit_secs, then the job fails with E007: no result
 * goes out without an invoice.
 */

#include <sys/types.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/string.h>
#include <event2/event.h>
#include <openssl/sha.h>

#include "hex.h"
#include "log.h"
#include "msg.h"
#include "nostr_event.h"
#include "supervisor.h"
#include "sv_alert.h"
#include "sv_announce.h"
#include "sv_json.h"
#include "sv_pay.h"

struct pay_inv {
	TAILQ_ENTRY(pay_inv)	 pi_entry;
	char			 pi_hash[65];
	char			 pi_job[LEDGER_JOBID_LEN];
	int64_t			 pi_amount_msats;
	int64_t			 pi_expires_at;
	int64_t			 pi_next;	/* next lookup, unix seconds */
	int			 pi_busy;	/* a lookup is out */
};

/* a job's invoice request: the job may be gone when it is answered */
struct pay_ref {
	struct supervisor	*pr_sv;
	char			 pr_job[LEDGER_JOBID_LEN];
	unsigned int		 pr_gen;	/* the job's j_inv_gen then */
	char			*pr_invoice;
};

static void	 pay_tick(int, short, void *);
static void	 job_invoice_ready(struct job *);

static struct pay_ref *
pay_ref_new(struct supervisor *s, const char *id)
{
	struct pay_ref	*r;
	struct job	*j;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		fatal("%s", __func__);
	r->pr_sv = s;
	(void)strlcpy(r->pr_job, id, sizeof(r->pr_job));
	if ((j = jobs_find(s, id)) != NULL)
		r->pr_gen = j->j_inv_gen;
	return (r);
}

static void
pay_ref_free(struct pay_ref *r)
{
	free(r->pr_invoice);
	free(r);
}

static struct pay_inv *
pay_find(struct supervisor *s, const char *hash)
{
	struct pay_inv	*pi;

	TAILQ_FOREACH(pi, &s->sv_nwc->n_invs, pi_entry)
		if (strcmp(pi->pi_hash, hash) == 0)
			return (pi);
	return (NULL);
}

static void
pay_watch(struct supervisor *s, const struct ledger_invoice *li)
{
	struct nwc	*n = s->sv_nwc;
	struct pay_inv	*pi;

	if (pay_find(s, li->li_payment_hash) != NULL)
		return;
	if ((pi = calloc(1, sizeof(*pi))) == NULL)
		fatal("%s", __func__);
	(void)strlcpy(pi->pi_hash, li->li_payment_hash, sizeof(pi->pi_hash));
	(void)strlcpy(pi->pi_job, li->li_job, sizeof(pi->pi_job));
	pi->pi_amount_msats = li->li_amount_msats;
	pi->pi_expires_at = li->li_expires_at;
	pi->pi_next = (int64_t)time(NULL) + s->sv_conf.c_wallet_poll_secs;
	TAILQ_INSERT_TAIL(&n->n_invs, pi, pi_entry);
	n->n_ninvs++;
}

static void
pay_unwatch(struct supervisor *s, struct pay_inv *pi)
{
	TAILQ_REMOVE(&s->sv_nwc->n_invs, pi, pi_entry);
	s->sv_nwc->n_ninvs--;
	free(pi);
}

uint32_t
sv_pay_open_count(const struct supervisor *s)
{
	return (s->sv_nwc != NULL ? s->sv_nwc->n_ninvs : 0);
}

static int
pay_load(const struct ledger_invoice *li, void *arg)
{
	pay_watch(arg, li);
	return (0);
}

void
sv_pay_init(struct supervisor *s)
{
	struct timeval	 tv = { 1, 0 };

	if (s->sv_ledger != NULL &&
	    ledger_invoices_open(s->sv_ledger, pay_load, s) == -1)
		log_warnx("the ledger could not list the open invoices");
	if ((s->sv_nwc->n_tick = event_new(s->sv_base, -1, EV_PERSIST,
	    pay_tick, s)) == NULL || event_add(s->sv_nwc->n_tick, &tv) == -1)
		fatalx("%s: event", __func__);
}

/* ---- settling and lapsing ---- */

/* 0 counted (or counted before), -1 not: the wallet's word was no proof */
static int
pay_settle(struct supervisor *s, struct pay_inv *pi, const char *preimage,
    const char *source)
{
	struct job	*j;
	uint8_t		 pre[32], h[32];
	char		 hhex[65], plow[65];
	int		 rc;

	plow[0] = '\0';
	if (preimage != NULL && preimage[0] != '\0') {
		/* a preimage is proof: it must hash to the invoice's hash */
		if (strlen(preimage) != 64 ||
		    hex_decode_any(preimage, 64, pre, sizeof(pre)) == -1) {
			log_warnx("invoice %.16s…: the wallet's preimage is "
			    "not 32 bytes of hex: not counted", pi->pi_hash);
			return (-1);
		}
		(void)SHA256(pre, sizeof(pre), h);
		hex_encode(h, sizeof(h), hhex);
		if (strcmp(hhex, pi->pi_hash) != 0) {
			log_warnx("invoice %.16s…: the wallet's preimage does "
			    "not match its hash: not counted", pi->pi_hash);
			return (-1);
		}
		/* the ledger keeps hex as Nostr writes it */
		hex_encode(pre, sizeof(pre), plow);
	}
	rc = ledger_invoice_settle(s->sv_ledger, pi->pi_hash,
	    pi->pi_amount_msats, plow, (int64_t)time(NULL), source);
	if (rc == -1)
		return (-1);	/* logged; the next look tries again */
	if (rc == 0)
		log_info("job %s: paid, %" PRId64 " sats (%s)", pi->pi_job,
		    pi->pi_amount_msats / 1000, source);
	if ((j = jobs_find(s, pi->pi_job)) != NULL) {
		j->j_lj.lj_earned_sats = pi->pi_amount_msats / 1000;
		if (j->j_lj.lj_status == LS_PUBLISHED)
			j->j_lj.lj_status = LS_PAID;
		if (j->j_wait == JW_PAYMENT)
			job_pay_start(j);
	}
	pay_unwatch(s, pi);
	return (0);
}

static void
pay_expire(struct supervisor *s, struct pay_inv *pi)
{
	struct job	*j;

	if (ledger_invoice_close(s->sv_ledger, pi->pi_hash, LI_EXPIRED,
	    (int64_t)time(NULL)) == -1)
		return;
	log_info("job %s: its invoice lapsed unpaid", pi->pi_job);
	if ((j = jobs_find(s, pi->pi_job)) != NULL && j->j_wait == JW_PAYMENT) {
		j->j_lj.lj_status = LS_EXPIRED;
		j->j_wait = JW_DONE;
		job_finish(j);
	}
	pay_unwatch(s, pi);
}

static void
pay_looked(struct supervisor *s, void *arg, int result, yajl_val v,
    const char *why)
{
	char		*hash = arg;
	struct pay_inv	*pi;
	const char	*state;
	int64_t		 now = (int64_t)time(NULL), settled = 0;

	if (s->sv_nwc->n_lookups > 0)
		s->sv_nwc->n_lookups--;
	pi = pay_find(s, hash);
	free(hash);
	if (pi == NULL)
		return;
	pi->pi_busy = 0;
	pi->pi_next = now + s->sv_conf.c_wallet_poll_secs;
	if (result == NWC_R_OK) {
		state = js_str(v, "state");
		(void)js_int(v, "settled_at", &settled);
		if (((state != NULL && strcmp(state, "settled") == 0) ||
		    (state == NULL && settled > 0)) &&
		    pay_settle(s, pi, js_str(v, "preimage"), "lookup") == 0)
			return;
		if ((state != NULL && (strcmp(state, "expired") == 0 ||
		    strcmp(state, "failed") == 0)) ||
		    now > pi->pi_expires_at + PAY_EXPIRY_GRACE)
			pay_expire(s, pi);
		return;
	}
	if (result == NWC_R_ERROR && why != NULL &&
	    strncmp(why, "NOT_FOUND", 9) == 0 &&
	    now > pi->pi_expires_at + PAY_EXPIRY_GRACE) {
		pay_expire(s, pi);
		return;
	}
	log_debug("invoice %.16s…: lookup: %s", pi->pi_hash,
	    why != NULL ? why : "no answer");
}

/*
 * Look up what is due, a few at a time.  With no wallet at all an
 * invoice past its end lapses; with one that does not answer it stays
 * open, since it may have been paid.
 */
static void
pay_tick(int fd, short ev, void *arg)
{
	struct supervisor	*s = arg;
	struct nwc		*n = s->sv_nwc;
	struct pay_inv		*pi, *next;
	int64_t			 now = (int64_t)time(NULL);
	char			 params[128], *hash;

	(void)fd;
	(void)ev;
	TAILQ_FOREACH_SAFE(pi, &n->n_invs, pi_entry, next) {
		if (pi->pi_busy || now < pi->pi_next)
			continue;
		if (n->n_state == NWC_NONE || n->n_state == NWC_BAD) {
			if (now > pi->pi_expires_at + PAY_EXPIRY_GRACE)
				pay_expire(s, pi);
			continue;
		}
		if (n->n_lookups >= PAY_LOOKUPS_MAX)
			break;
		(void)snprintf(params, sizeof(params),
		    "{\"payment_hash\":\"%s\"}", pi->pi_hash);
		if ((hash = strdup(pi->pi_hash)) == NULL)
			fatal("%s", __func__);
		if (sv_nwc_call(s, "lookup_invoice", params, pay_looked,
		    hash) == -1) {
			free(hash);
			pi->pi_next = now + s->sv_conf.c_wallet_poll_secs;
			continue;
		}
		pi->pi_busy = 1;
		n->n_lookups++;
	}
}

/* A payment_received notification (kind 23197 or 23196), opened. */
void
sv_pay_notified(struct supervisor *s, yajl_val note)
{
	struct pay_inv	*pi;
	const char	*hash, *state;

	if ((hash = js_str(note, "payment_hash")) == NULL ||
	    (pi = pay_find(s, hash)) == NULL) {
		log_debug("wallet: a payment for none of our open invoices");
		return;
	}
	state = js_str(note, "state");
	if (state != NULL && strcmp(state, "settled") != 0)
		return;
	(void)pay_settle(s, pi, js_str(note, "preimage"), "notification");
}

/* ---- a job's invoice ---- */

static int64_t
pay_min_left(const struct supervisor *s)
{
	/* the buyer verifies before paying: leave it half the time */
	return (s->sv_conf.c_invoice_expiry_secs / 2);
}

/*
 * Whether the job is gone or withdrawn while its invoice was asked
 * for; a withdrawn one ends here (jobs_cancel_event leaves it to us).
 */
static int
job_invoice_over(struct job *j, const struct pay_ref *r)
{
	if (j == NULL)
		return (1);
	/* an answer to an ask that is over: the job has moved on */
	if (j->j_wait != JW_INVOICE || j->j_inv_gen != r->pr_gen)
		return (1);
	if (!j->j_cancelled)
		return (0);
	j->j_wait = JW_DONE;
	job_finish(j);
	return (1);
}

static void
job_invoice_again(int fd, short ev, void *arg)
{
	struct pay_ref	*r = arg;
	struct job	*j = jobs_find(r->pr_sv, r->pr_job);

	(void)fd;
	(void)ev;
	if (!job_invoice_over(j, r))
		job_invoice(j);
	pay_ref_free(r);
}

static void
job_invoice_retry(struct job *j, const char *why)
{
	struct supervisor	*s = j->j_sv;
	struct timeval		 tv = { PAY_RETRY_SECS, 0 };
	int64_t			 waited = (int64_t)time(NULL) - j->j_inv_since;

	/* what waiting cannot mend: the connection may not invoice */
	if (why != NULL && (strncmp(why, "NOT_IMPLEMENTED", 15) == 0 ||
	    strncmp(why, "RESTRICTED", 10) == 0 ||
	    strncmp(why, "UNAUTHORIZED", 12) == 0 ||
	    strncmp(why, "UNSUPPORTED_ENCRYPTION", 22) == 0)) {
		log_warnx("job %s: the wallet will not invoice (%s): the job "
		    "fails with E007", j->j_lj.lj_id, why);
		j->j_inv_since = 0;
		job_fail(j, JE_INTERNAL, "the provider's wallet refused to "
		    "make an invoice");
		return;
	}
	if (waited >= s->sv_conf.c_wallet_outage_secs) {
		log_warnx("job %s: no invoice from the wallet for %" PRId64
		    " s (%s): the job fails with E007; nothing is published "
		    "without an invoice", j->j_lj.lj_id, waited, why);
		j->j_inv_since = 0;
		sv_alert(s, "wallet", j->j_lj.lj_id, "E007, no invoice: %s", why);
		job_fail(j, JE_INTERNAL, "the provider's wallet could not be "
		    "reached to invoice the job");
		return;
	}
	if (!j->j_inv_warned) {
		log_warnx("job %s: waiting for the wallet to make an invoice: "
		    "%s", j->j_lj.lj_id, why);
		j->j_inv_warned = 1;
	} else
		log_debug("job %s: invoice: %s", j->j_lj.lj_id, why);
	/* 2, 4, 8 … 30 s apart: a wallet in trouble is not hammered */
	tv.tv_sec = PAY_RETRY_SECS << (j->j_inv_tries < 4 ? j->j_inv_tries : 4);
	if (tv.tv_sec > 30)
		tv.tv_sec = 30;
	j->j_inv_tries++;
	if (event_base_once(s->sv_base, -1, EV_TIMEOUT, job_invoice_again,
	    pay_ref_new(s, j->j_lj.lj_id), &tv) == -1)
		fatalx("%s: event_base_once", __func__);
}

static void
job_invoice_checked(void *arg, int status, const void *data, size_t len)
{
	struct pay_ref		*r = arg;
	struct supervisor	*s = r->pr_sv;
	struct job		*j = jobs_find(s, r->pr_job);
	struct ledger_invoice	 li;
	yajl_val		 v;
	const char		*hash, *net;
	char			 why[300];
	int64_t			 exp = 0;
	int			 rc;

	if (job_invoice_over(j, r)) {
		pay_ref_free(r);
		return;
	}
	if (status != WALLET_OK ||
	    (v = js_parse(data, len, NULL, 0)) == NULL) {
		(void)snprintf(why, sizeof(why), "its invoice fails our check: "
		    "%.*s", (int)(len > 200 ? 200 : len), status != WALLET_OK ?
		    (const char *)data : "bad answer");
		pay_ref_free(r);
		job_invoice_retry(j, why);
		return;
	}
	hash = js_str(v, "payment_hash");
	(void)js_int(v, "expires_at", &exp);
	net = js_str(v, "network");
	/* the wallet said which network it is on: its invoices must agree */
	if (s->sv_nwc->n_network[0] != '\0' && net != NULL &&
	    strcmp(net, s->sv_nwc->n_network) != 0) {
		(void)snprintf(why, sizeof(why), "its invoice is for %s, the "
		    "wallet says it is on %s", net, s->sv_nwc->n_network);
		yajl_tree_free(v);
		pay_ref_free(r);
		job_invoice_retry(j, why);
		return;
	}
	memset(&li, 0, sizeof(li));
	(void)strlcpy(li.li_job, j->j_lj.lj_id, sizeof(li.li_job));
	if (hash == NULL || strlen(hash) != 64 || exp <= 0 ||
	    strlcpy(li.li_bolt11, r->pr_invoice, sizeof(li.li_bolt11)) >=
	    sizeof(li.li_bolt11)) {
		yajl_tree_free(v);
		pay_ref_free(r);
		job_invoice_retry(j, "its invoice cannot be recorded");
		return;
	}
	(void)strlcpy(li.li_payment_hash, hash, sizeof(li.li_payment_hash));
	yajl_tree_free(v);
	li.li_amount_msats = j->j_lj.lj_price_sats * 1000;
	/* what the job is, not what the config says since a reload */
	li.li_pay_first = j->j_lj.lj_step < LSTEP_ACCEPTED;
	li.li_state = LI_OPEN;
	li.li_created_at = (int64_t)time(NULL);
	li.li_expires_at = exp;
	if ((rc = ledger_invoice_add(s->sv_ledger, &li)) != 0) {
		pay_ref_free(r);
		if (rc == 1)
			job_invoice_retry(j, "the wallet gave a payment hash "
			    "we know already");
		else
			job_fail(j, JE_INTERNAL, "the ledger could not record "
			    "the invoice");
		return;
	}
	pay_watch(s, &li);
	free(j->j_bolt11);
	j->j_bolt11 = r->pr_invoice;
	r->pr_invoice = NULL;
	pay_ref_free(r);
	log_info("job %s: invoice %.16s… for %" PRId64 " sats", j->j_lj.lj_id,
	    li.li_payment_hash, j->j_lj.lj_price_sats);
	job_invoice_ready(j);
}

static void
job_invoice_made(struct supervisor *s, void *arg, int result, yajl_val v,
    const char *why)
{
	struct pay_ref		*r = arg;
	struct job		*j = jobs_find(s, r->pr_job);
	struct msg_bolt11_check	 bc;
	const char		*inv, *hash;
	char			*buf;
	size_t			 ilen;

	if (job_invoice_over(j, r)) {
		pay_ref_free(r);
		return;
	}
	if (result != NWC_R_OK || (inv = js_str(v, "invoice")) == NULL) {
		pay_ref_free(r);
		job_invoice_retry(j, result == NWC_R_OK ? "no invoice in its "
		    "answer" : why);
		return;
	}
	memset(&bc, 0, sizeof(bc));
	bc.bc_amount_msats = j->j_lj.lj_price_sats * 1000;
	bc.bc_now = (int64_t)time(NULL);
	bc.bc_min_expiry = pay_min_left(s);
	if ((hash = js_str(v, "payment_hash")) != NULL && strlen(hash) == 64)
		(void)strlcpy(bc.bc_payment_hash, hash,
		    sizeof(bc.bc_payment_hash));
	ilen = strlen(inv);
	if ((r->pr_invoice = strdup(inv)) == NULL ||
	    (buf = malloc(sizeof(bc) + ilen)) == NULL)
		fatal("%s", __func__);
	memcpy(buf, &bc, sizeof(bc));
	memcpy(buf + sizeof(bc), inv, ilen);
	if (sv_wallet_request(s, WALLET_OP_BOLT11_CHECK, NULL, buf,
	    sizeof(bc) + ilen, job_invoice_checked, r) == -1) {
		pay_ref_free(r);
		job_invoice_retry(j, "walletd is not there to check it");
	}
	free(buf);
}

/*
 * The invoice a job needs: the one in the ledger when there is one
 * still good, else a new one from the wallet.  job_invoice_ready runs
 * when it is there.
 */
void
job_invoice(struct job *j)
{
	struct supervisor	*s = j->j_sv;
	struct ledger_invoice	 li;
	struct pay_ref		*r;
	char			 params[256];
	int64_t			 now = (int64_t)time(NULL);

	if (ledger_invoice_get(s->sv_ledger, j->j_lj.lj_id, &li) == 0) {
		if (li.li_state == LI_OPEN && li.li_pay_first &&
		    j->j_lj.lj_earned_sats == 0 && li.li_expires_at < now) {
			/* lapsed while we were down: never sent again */
			(void)ledger_invoice_close(s->sv_ledger,
			    li.li_payment_hash, LI_EXPIRED, now);
			if (pay_find(s, li.li_payment_hash) != NULL)
				pay_unwatch(s, pay_find(s,
				    li.li_payment_hash));
			j->j_lj.lj_status = LS_EXPIRED;
			j->j_wait = JW_DONE;
			job_finish(j);
			return;
		}
		if (li.li_state == LI_PAID || (li.li_state == LI_OPEN &&
		    (li.li_pay_first || j->j_lj.lj_step >= LSTEP_RESULT_SIGNED ||
		    li.li_expires_at - now >= pay_min_left(s)))) {
			free(j->j_bolt11);
			if ((j->j_bolt11 = strdup(li.li_bolt11)) == NULL)
				fatal("%s", __func__);
			if (li.li_state == LI_PAID)
				j->j_lj.lj_earned_sats =
				    li.li_amount_msats / 1000;
			else
				pay_watch(s, &li);
			job_invoice_ready(j);
			return;
		}
		if (li.li_state == LI_EXPIRED && li.li_pay_first) {
			j->j_lj.lj_status = LS_EXPIRED;
			j->j_wait = JW_DONE;
			job_finish(j);
			return;
		}
		if (li.li_state == LI_OPEN) {
			/* never sent, and too old to send now */
			(void)ledger_invoice_close(s->sv_ledger,
			    li.li_payment_hash, LI_CANCELLED, now);
			if (pay_find(s, li.li_payment_hash) != NULL)
				pay_unwatch(s, pay_find(s,
				    li.li_payment_hash));
		}
	}
	if (s->sv_nwc->n_state == NWC_NONE || s->sv_nwc->n_state == NWC_BAD) {
		job_fail(j, JE_INTERNAL, "the provider has no wallet to "
		    "invoice the job");
		return;
	}
	if (j->j_inv_since == 0)
		j->j_inv_since = now;
	j->j_wait = JW_INVOICE;
	j->j_inv_gen++;
	/* the work is done: a slow wallet holds no worker from the next job */
	if (j->j_active) {
		j->j_active = 0;
		jobs_pump_soon(s);
	}
	(void)snprintf(params, sizeof(params), "{\"amount\":%" PRId64
	    ",\"description\":\"NIP-90 job %s\",\"expiry\":%" PRId64 "}",
	    j->j_lj.lj_price_sats * 1000, j->j_lj.lj_request_id,
	    s->sv_conf.c_invoice_expiry_secs);
	r = pay_ref_new(s, j->j_lj.lj_id);
	if (sv_nwc_call(s, "make_invoice", params, job_invoice_made, r) ==
	    -1) {
		pay_ref_free(r);
		job_invoice_retry(j, "the wallet connection is not up yet");
	}
}

static void
job_invoice_ready(struct job *j)
{
	struct supervisor	*s = j->j_sv;

	j->j_inv_since = 0;
	j->j_inv_tries = 0;
	if (j->j_lj.lj_step >= LSTEP_ACCEPTED) {
		/* pay_after_verify, or a paid job's result: sign it now */
		job_sign_result(j);
		return;
	}
	if (j->j_lj.lj_earned_sats > 0) {
		job_pay_start(j);
		return;
	}
	j->j_wait = JW_PAYMENT;
	if (j->j_lj.lj_status != LS_INVOICED) {
		j->j_lj.lj_status = LS_INVOICED;
		job_save(j);
	}
	if (!j->j_payreq_sent) {
		job_feedback(j, "payment-required", "Pay the invoice to start "
		    "the job", -1);
		j->j_payreq_sent = 1;
	}
	(void)s;
}

/*
 * pay_after_verify: whether the result must wait for its invoice
 * (asked for now).  A failed result and a free job carry none.
 */
int
job_pay_wait(struct job *j)
{
	struct supervisor	*s = j->j_sv;

	if (j->j_failed || j->j_lj.lj_price_sats <= 0 ||
	    j->j_bolt11 != NULL || s->sv_conf.c_payment_mode == PAYMENT_FREE)
		return (0);
	job_invoice(j);
	return (1);
}

/*
 * A job that ends failed after its invoice was recorded (its result
 * too large, say) never sends it: the invoice is closed, not watched.
 */
void
job_pay_drop(struct job *j)
{
	struct supervisor	*s = j->j_sv;
	struct ledger_invoice	 li;
	struct pay_inv		*pi;

	if (j->j_bolt11 == NULL || j->j_lj.lj_earned_sats > 0 ||
	    ledger_invoice_get(s->sv_ledger, j->j_lj.lj_id, &li) != 0 ||
	    li.li_state != LI_OPEN)
		return;
	(void)ledger_invoice_close(s->sv_ledger, li.li_payment_hash,
	    LI_CANCELLED, (int64_t)time(NULL));
	if ((pi = pay_find(s, li.li_payment_hash)) != NULL)
		pay_unwatch(s, pi);
	free(j->j_bolt11);
	j->j_bolt11 = NULL;
}

/* pay_first: an accepted job's invoice, before any work. */
void
job_pay_first(struct job *j)
{
	j->j_lj.lj_status = LS_INVOICED;
	j->j_lj.lj_step = LSTEP_NONE;
	job_invoice(j);
}

/* Paid first: the job joins the queue like any accepted one. */
void
job_pay_start(struct job *j)
{
	struct supervisor	*s = j->j_sv;

	if (j->j_wait != JW_PAYMENT && j->j_wait != JW_INVOICE)
		return;
	log_info("job %s: paid; it starts", j->j_lj.lj_id);
	j->j_lj.lj_status = LS_RUNNING;
	j->j_lj.lj_step = LSTEP_ACCEPTED;
	job_save(j);
	job_feedback(j, "processing", jobs_active_count(s) >=
	    jobs_capacity(s) ? "Paid; queued" : "Paid; accepted",
	    -1);
	j->j_wait = JW_QUEUED;
	TAILQ_INSERT_TAIL(&s->sv_jobq, j, j_qentry);
	jobs_pump_soon(s);
}

/* ---- disputes (PROTOCOL.md §A.11) ---- */

void
jobs_dispute_event(struct supervisor *s, const struct nostr_event *ev)
{
	const struct event_tag	*t;
	struct ledger_job	 lj;
	struct job		*j;
	char			 id[65], buyer[65], evid[65];
	const char		*trigger = "unspecified";
	size_t			 pos = 0;
	int			 ntags = 0;

	/* the triggers are snake_case words (§A.11); nothing else is logged */
	if ((t = event_tag_find(ev, "trigger", NULL)) != NULL &&
	    t->t_nvals >= 2 && t->t_vals[1].es_len > 0 &&
	    t->t_vals[1].es_len < 64 && strspn(t->t_vals[1].es_ptr,
	    "abcdefghijklmnopqrstuvwxyz_") == t->t_vals[1].es_len)
		trigger = t->t_vals[1].es_ptr;
	hex_encode(ev->ev_pubkey, sizeof(ev->ev_pubkey), buyer);
	hex_encode(ev->ev_id, sizeof(ev->ev_id), evid);
	/* anybody's disputes come: a few e tags are looked at, no more */
	while ((t = event_tag_find(ev, "e", &pos)) != NULL && ntags++ < 4) {
		if (t->t_nvals < 2 || t->t_vals[1].es_len != 64)
			continue;
		memcpy(id, t->t_vals[1].es_ptr, 64);
		id[64] = '\0';
		if (ledger_job_by_result(s->sv_ledger, id, &lj) != 0 &&
		    ledger_job_by_request(s->sv_ledger, id, &lj) != 0)
			continue;
		log_info("dispute %s from %.16s (%s) names job %s", evid,
		    buyer, trigger, lj.lj_id);
		/* the buyer of the job, and no one else, disputes it */
		if (strcmp(lj.lj_buyer, buyer) != 0) {
			log_warnx("job %s: a dispute by %.16s, not its buyer: "
			    "ignored", lj.lj_id, buyer);
			continue;
		}
		if (lj.lj_status != LS_PUBLISHED && lj.lj_status != LS_PAID &&
		    lj.lj_status != LS_EXPIRED && lj.lj_status != LS_FAILED)
			continue;	/* nothing delivered, or disputed */
		log_warnx("job %s: disputed by the buyer (%s)", lj.lj_id,
		    trigger);
		sv_alert(s, "dispute", lj.lj_id, "disputed (%s)", trigger);
		lj.lj_status = LS_DISPUTED;
		if ((j = jobs_find(s, lj.lj_id)) != NULL)
			j->j_lj.lj_status = LS_DISPUTED;
		if (ledger_job_update(s->sv_ledger, &lj) != 0)
			log_warnx("job %s: the ledger did not take the "
			    "dispute", lj.lj_id);
		sv_tier_stale();
	}
}
