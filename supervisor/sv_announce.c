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
 * The provider's NIP-89 handler announcement (kind 31990, PROTOCOL.md
 * §A.13, §C.9) and its tier.  The announcement says what can be served
 * now: the job kinds (k) and capabilities that are enabled and built,
 * the prices, the capacity, the isolation, the tier with its success
 * rate and completed jobs.  It is addressable (one d), so a newer one
 * replaces the last: it is published when the suite comes online and
 * whenever what it says changes (a reload, pause, the schedule, the
 * tier), and on a clean stop it is replaced by one that serves nothing
 * and deleted (kind 5), so that buyers do not pick a provider that is
 * gone.
 *
 * The tier comes from the ledger (PROVIDER-GUIDE.md "Tier
 * Progression"), and its limits apply: the concurrent jobs it allows
 * cap [worker] capacity, and the price premium it allows caps
 * tier_premium_pct.
 */

#include <sys/types.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/string.h>
#include <event2/event.h>

#include "hex.h"
#include "log.h"
#include "msg.h"
#include "nostr_event.h"
#include "supervisor.h"
#include "sv_announce.h"

#define ANNOUNCE_D		"openagents-provider"
#define TIER_REFRESH_SECS	60

static const struct {
	int64_t		 jobs;
	double		 rate;
	int		 max_concurrent;
	int		 premium_pct;
} tiers[] = {
	{ 0,	0.0,	5,	0 },
	{ 100,	0.90,	10,	0 },
	{ 500,	0.95,	25,	10 },
	{ 1000,	0.99,	100,	20 },
};

struct announce {
	struct tier_info	 a_tier;
	int64_t			 a_tier_at;	/* when computed */
	char			*a_last;	/* the tags last published */
	int			 a_published;	/* one is out there */
	int			 a_signing;
	uint64_t		 a_withdraw_pub;	/* the deletion's publish */
	int			 a_withdrawing;
	struct event		*a_withdraw_ev;	/* bounded wait */
	int64_t			 a_created;	/* created_at last signed */
	int64_t			 a_next;	/* the template's */
};

static struct announce	 ann;

static int
tier_sum(const struct ledger_sum *ls, void *arg)
{
	int64_t	*c = arg;

	c[0] += ls->ls_count[LS_PUBLISHED] + ls->ls_count[LS_PAID] +
	    ls->ls_count[LS_EXPIRED];
	c[1] += ls->ls_count[LS_FAILED] + ls->ls_count[LS_DISPUTED];
	return (0);
}

/* The tier from the ledger, at most once a minute unless forced. */
const struct tier_info *
sv_tier(struct supervisor *s, int force)
{
	struct tier_info	*t = &ann.a_tier;
	int64_t			 c[2] = { 0, 0 }, now = (int64_t)time(NULL);
	size_t			 i;

	if (!force && ann.a_tier_at != 0 &&
	    now - ann.a_tier_at < TIER_REFRESH_SECS)
		return (t);
	ann.a_tier_at = now;
	if (s->sv_ledger == NULL ||
	    ledger_earnings(s->sv_ledger, 0, INT64_MAX, tier_sum, c) == -1) {
		if (t->ti_max_concurrent == 0)
			t->ti_max_concurrent = tiers[0].max_concurrent;
		return (t);
	}
	t->ti_completed = c[0];
	t->ti_judged = c[0] + c[1];
	t->ti_success = t->ti_judged > 0 ? (double)c[0] / (double)t->ti_judged :
	    0.0;
	t->ti_tier = 0;
	for (i = 1; i < sizeof(tiers) / sizeof(tiers[0]); i++)
		if (c[0] >= tiers[i].jobs && t->ti_judged > 0 &&
		    t->ti_success >= tiers[i].rate)
			t->ti_tier = (int)i;
	t->ti_max_concurrent = tiers[t->ti_tier].max_concurrent;
	t->ti_premium_pct = tiers[t->ti_tier].premium_pct;
	return (t);
}

/* A job ended: the next look at the tier reads the ledger again. */
void
sv_tier_stale(void)
{
	ann.a_tier_at = 0;
}

/* [worker] capacity, as far as the tier allows. */
uint32_t
jobs_capacity(struct supervisor *s)
{
	const struct tier_info	*t = sv_tier(s, 0);
	int64_t			 cap = s->sv_conf.c_capacity;

	if (t->ti_max_concurrent > 0 && cap > t->ti_max_concurrent)
		cap = t->ti_max_concurrent;
	return ((uint32_t)cap);
}

/* tier_premium_pct, as far as the tier allows. */
int64_t
jobs_premium_pct(struct supervisor *s, int64_t want)
{
	const struct tier_info	*t = sv_tier(s, 0);

	return (want > t->ti_premium_pct ? t->ti_premium_pct : want);
}

static int
announce_served(int type)
{
	return (type == JOB_PATCHGEN || type == JOB_CODEREVIEW ||
	    type == JOB_SANDBOXRUN);
}

/*
 * The template's tags, as JSON, for what is served now; "" content
 * when withdrawing.  *out malloc'd.
 */
static int
announce_template(struct supervisor *s, int online, char **out,
    size_t *outlen, char **tags)
{
	const struct conf	*c = &s->sv_conf;
	const struct conf_pricing *p;
	const struct tier_info	*t = sv_tier(s, 0);
	struct nostr_event	 ev;
	char			 kind[16], num[32], about[512];
	int			 type, rc = -1;
	int64_t			 base, pct;

	nostr_event_init(&ev, 31990, (int64_t)time(NULL));
	if (event_add_tagv(&ev, "d", ANNOUNCE_D, NULL) == -1)
		goto done;
	for (type = 0; online && type < JOB_TYPE_MAX; type++) {
		if (!announce_served(type) || !(c->c_job_types & (1U << type)))
			continue;
		(void)snprintf(kind, sizeof(kind), "%d",
		    config_job_type_kind((enum job_type)type));
		if (event_add_tagv(&ev, "k", kind, NULL) == -1 ||
		    event_add_tagv(&ev, "capability",
		    config_job_type_name((enum job_type)type), NULL) == -1)
			goto done;
	}
	for (type = 0; online && type < JOB_TYPE_MAX; type++) {
		if (!announce_served(type) || !(c->c_job_types & (1U << type)))
			continue;
		p = &c->c_pricing[type];
		/* the premium applies to the whole price (jobs_price) */
		pct = jobs_premium_pct(s, p->tier_premium_pct);
		base = c->c_payment_mode == PAYMENT_FREE ? 0 : p->base +
		    p->base * pct / 100;
		(void)snprintf(num, sizeof(num), "%" PRId64, base);
		if (event_add_tagv(&ev, "price",
		    config_job_type_name((enum job_type)type), num, "sats",
		    "base", NULL) == -1)
			goto done;
		if (c->c_payment_mode == PAYMENT_FREE)
			continue;
		if (p->per_file > 0) {
			(void)snprintf(num, sizeof(num), "%" PRId64,
			    p->per_file + p->per_file * pct / 100);
			if (event_add_tagv(&ev, "price",
			    config_job_type_name((enum job_type)type), num,
			    "sats", "per_file", NULL) == -1)
				goto done;
		}
		if (p->per_1k_tokens > 0) {
			(void)snprintf(num, sizeof(num), "%" PRId64,
			    p->per_1k_tokens + p->per_1k_tokens * pct / 100);
			if (event_add_tagv(&ev, "price",
			    config_job_type_name((enum job_type)type), num,
			    "sats", "per_1k_tokens", NULL) == -1)
				goto done;
		}
		if (p->max > 0) {
			(void)snprintf(num, sizeof(num), "%" PRId64, p->max);
			if (event_add_tagv(&ev, "price",
			    config_job_type_name((enum job_type)type), num,
			    "sats", "max", NULL) == -1)
				goto done;
		}
	}
	(void)snprintf(num, sizeof(num), "%u", online ? jobs_capacity(s) : 0);
	if (event_add_tagv(&ev, "capacity", num, NULL) == -1 ||
	    event_add_tagv(&ev, "isolation",
	    config_isolation_name(c->c_isolation), NULL) == -1 ||
	    event_add_tagv(&ev, "schedule", config_schedule_name(c->c_schedule),
	    NULL) == -1 ||
	    event_add_tagv(&ev, "payment", config_payment_name(c->c_payment_mode),
	    NULL) == -1 ||
	    event_add_tagv(&ev, "status", online ? "online" : "offline",
	    NULL) == -1)
		goto done;
	if (c->c_model_pattern[0] != '\0' &&
	    event_add_tagv(&ev, "model", c->c_model_pattern, NULL) == -1)
		goto done;
	(void)snprintf(num, sizeof(num), "%d", t->ti_tier);
	if (event_add_tagv(&ev, "tier", num, NULL) == -1)
		goto done;
	(void)snprintf(num, sizeof(num), "%.3f", t->ti_success);
	if (t->ti_judged > 0 &&
	    event_add_tagv(&ev, "success_rate", num, NULL) == -1)
		goto done;
	(void)snprintf(num, sizeof(num), "%" PRId64, t->ti_completed);
	if (event_add_tagv(&ev, "jobs_completed", num, NULL) == -1)
		goto done;
	/* what changed is judged on the tags alone, with no time */
	ev.ev_created_at = 0;
	if (event_to_json(&ev, EVENT_PARSE_TEMPLATE, tags, outlen) == -1)
		goto done;
	/*
	 * Of two versions of an addressable event with one created_at,
	 * relays keep the lower id (NIP-01), so a change within the second
	 * of the last one (a pause just after the start) could be lost.
	 */
	ev.ev_created_at = (int64_t)time(NULL);
	if (ev.ev_created_at <= ann.a_created)
		ev.ev_created_at = ann.a_created + 1;
	ann.a_next = ev.ev_created_at;
	(void)snprintf(about, sizeof(about), "{\"name\":\"OpenAgents "
	    "provider\",\"about\":\"%s\"}", online ? "Bazaar coding jobs, "
	    "run in a sandbox and verified before they are published" :
	    "Not serving now");
	if (event_set_content(&ev, about, strlen(about)) == -1 ||
	    event_to_json(&ev, EVENT_PARSE_TEMPLATE, out, outlen) == -1) {
		free(*tags);
		*tags = NULL;
		goto done;
	}
	rc = 0;
 done:
	nostr_event_free(&ev);
	return (rc);
}

static void
announce_signed(void *arg, int status, const void *data, size_t len)
{
	struct supervisor	*s = arg;
	uint64_t		 reqid;

	ann.a_signing = 0;
	if (status != WALLET_OK) {
		log_warnx("announcement: walletd would not sign: %.*s",
		    (int)(len > 160 ? 160 : len), (const char *)data);
		return;
	}
	if ((reqid = sv_relay_publish(s, data, len)) == 0)
		return;
	if (!ann.a_withdrawing)
		ann.a_published = 1;
}

/* The deletion at a stop: its outcome lets the stop go on. */
static void
announce_deleted(void *arg, int status, const void *data, size_t len)
{
	struct supervisor	*s = arg;
	uint64_t		 reqid;

	if (status != WALLET_OK) {
		log_warnx("announcement: walletd would not sign the deletion: "
		    "%.*s", (int)(len > 160 ? 160 : len), (const char *)data);
		return;		/* the bounded wait ends the stop */
	}
	if ((reqid = sv_relay_publish(s, data, len)) != 0)
		ann.a_withdraw_pub = reqid;
}

static int
announce_sign(struct supervisor *s, const char *tmpl, size_t len)
{
	if (sv_wallet_request(s, WALLET_OP_SIGN, NULL, tmpl, len,
	    announce_signed, s) == -1)
		return (-1);
	ann.a_signing = 1;
	return (0);
}

/* Publish the announcement when what it says is new. */
void
sv_announce_update(struct supervisor *s)
{
	char	*tmpl = NULL, *tags = NULL;
	size_t	 len;
	int	 online;

	if (!supervisor_online(s) || s->sv_stopping || ann.a_withdrawing ||
	    !s->sv_relay_synced)
		return;
	online = jobs_taking(s);
	if (announce_template(s, online, &tmpl, &len, &tags) == -1) {
		log_warnx("announcement: cannot make the template");
		return;
	}
	if (ann.a_last != NULL && ann.a_published &&
	    strcmp(ann.a_last, tags) == 0) {
		free(tmpl);
		free(tags);
		return;
	}
	if (announce_sign(s, tmpl, len) == 0) {
		ann.a_created = ann.a_next;
		free(ann.a_last);
		ann.a_last = tags;
		tags = NULL;
		log_info("announcement (kind 31990) %s: tier %d, capacity %u",
		    online ? "published" : "says not serving",
		    ann.a_tier.ti_tier, online ? jobs_capacity(s) : 0);
	}
	free(tmpl);
	free(tags);
}

static void
announce_withdraw_done(int fd, short ev, void *arg)
{
	struct supervisor	*s = arg;

	(void)fd;
	(void)ev;
	if (!ann.a_withdrawing)
		return;
	ann.a_withdrawing = 0;
	ann.a_published = 0;
	supervisor_stop(s, s->sv_exit_code);
}

/*
 * On a clean stop: an announcement that serves nothing replaces ours,
 * and a deletion (NIP-09, by its address) follows.  1 when that is on
 * its way: supervisor_stop is called again when relayd has said, or
 * after a bounded wait.
 */
int
sv_announce_withdraw(struct supervisor *s)
{
	struct nostr_event	 ev;
	struct timeval		 tv = { 3, 0 };
	char			*tmpl = NULL, *tags = NULL, *del = NULL;
	char			 a[200], pk[65];
	size_t			 len, dlen;

	if (!ann.a_published || ann.a_withdrawing ||
	    !s->sv_helpers[PROC_RELAYD].h_ready || !s->sv_relay_synced)
		return (0);
	if (announce_template(s, 0, &tmpl, &len, &tags) == -1)
		return (0);
	free(tags);
	hex_encode(s->sv_pubkey, sizeof(s->sv_pubkey), pk);
	(void)snprintf(a, sizeof(a), "31990:%s:%s", pk, ANNOUNCE_D);
	/* a deletion by address covers the versions up to its created_at */
	ann.a_created = ann.a_next;
	nostr_event_init(&ev, 5, ann.a_created);
	if (event_add_tagv(&ev, "a", a, NULL) == -1 ||
	    event_add_tagv(&ev, "k", "31990", NULL) == -1 ||
	    event_set_content(&ev, "provider stopped", 16) == -1 ||
	    event_to_json(&ev, EVENT_PARSE_TEMPLATE, &del, &dlen) == -1) {
		nostr_event_free(&ev);
		free(tmpl);
		return (0);
	}
	nostr_event_free(&ev);
	ann.a_withdrawing = 1;
	ann.a_withdraw_pub = 0;
	/* walletd answers in order: the replacement, then the deletion */
	if (sv_wallet_request(s, WALLET_OP_SIGN, NULL, tmpl, len,
	    announce_signed, s) == -1 ||
	    sv_wallet_request(s, WALLET_OP_SIGN, NULL, del, dlen,
	    announce_deleted, s) == -1) {
		ann.a_withdrawing = 0;
		free(tmpl);
		free(del);
		return (0);
	}
	free(tmpl);
	free(del);
	log_info("announcement withdrawn");
	if ((ann.a_withdraw_ev = evtimer_new(s->sv_base, announce_withdraw_done,
	    s)) == NULL || evtimer_add(ann.a_withdraw_ev, &tv) == -1)
		fatalx("%s: evtimer", __func__);
	return (1);
}

/* relayd's outcome: 1 when it was the withdrawal's last event. */
int
sv_announce_published(struct supervisor *s, uint64_t reqid)
{
	if (!ann.a_withdrawing || ann.a_withdraw_pub == 0 ||
	    reqid != ann.a_withdraw_pub)
		return (0);
	(void)evtimer_del(ann.a_withdraw_ev);
	announce_withdraw_done(-1, 0, s);
	return (1);
}

void
sv_announce_free(void)
{
	free(ann.a_last);
	ann.a_last = NULL;
	if (ann.a_withdraw_ev != NULL)
		event_free(ann.a_withdraw_ev);
	ann.a_withdraw_ev = NULL;
}
