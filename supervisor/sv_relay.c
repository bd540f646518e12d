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
 * The supervisor's side of relayd: which relays and subscriptions it
 * runs, name resolution (relayd has no resolver: getaddrinfo and NSS do
 * not belong under a seccomp filter), signing its NIP-42 AUTH events
 * through walletd, and the events it delivers.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/string.h>

#include "hex.h"
#include "log.h"
#include "msg.h"
#include "nostr_event.h"
#include "supervisor.h"
#include "sv_announce.h"
#include "sv_pay.h"

#define SV_SINCE_MARGIN		300	/* seconds of overlap on (re)start */
#define RELAY_CANCEL_FILTER_MAX	(64 * 1024)

/* The job kinds of PROTOCOL.md Part A: TextGen and the Bazaar four. */
static const char	*sv_job_kinds = "[5050,5930,5931,5932,5933]";

static const char	*sv_sub_ids[SV_SUB_MAX] = { "oa-jobs", "oa-refs",
			    "oa-nwc", "oa-cancel", "oa-nwc-info" };

/* When a request frame came in, for the accept latency (P2). */
static int64_t
now_us_relay(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

static struct helper *
sv_relayd(struct supervisor *s)
{
	struct helper	*h = &s->sv_helpers[PROC_RELAYD];

	return (h->h_ready && h->h_iev_open ? h : NULL);
}

static void
sv_relay_subscribe(struct supervisor *s, struct helper *h, enum sv_sub which,
    const char *filters)
{
	struct msg_relay_sub	 rs;
	struct iovec		 iov[2];
	int64_t			 since;

	memset(&rs, 0, sizeof(rs));
	(void)strlcpy(rs.rs_subid, sv_sub_ids[which], sizeof(rs.rs_subid));
	rs.rs_roles = RELAY_ROLE_JOBS;
	/* after a relayd restart, resume where its events stopped */
	since = s->sv_sub_since;
	if (s->sv_sub_last[which] - SV_SINCE_MARGIN > since)
		since = s->sv_sub_last[which] - SV_SINCE_MARGIN;
	rs.rs_since = since;
	if (which == SV_SUB_NWC || which == SV_SUB_NWCINFO) {
		rs.rs_roles = RELAY_ROLE_WALLET;
		/* the info event is replaceable and may be old */
		rs.rs_since = which == SV_SUB_NWC ? (int64_t)time(NULL) -
		    SV_SINCE_MARGIN : 0;
	}
	iov[0].iov_base = &rs;
	iov[0].iov_len = sizeof(rs);
	iov[1].iov_base = (void *)(uintptr_t)filters;
	iov[1].iov_len = strlen(filters);
	if (imsgev_composev(&h->h_iev, IMSG_RELAY_SUBSCRIBE, 0, 0, -1, iov,
	    2) == -1)
		fatal("%s: compose", __func__);
}

/*
 * Tell relayd everything: the relay list, our key and the
 * subscriptions.  Needs both relayd and the identity; called whenever
 * either becomes ready, and with force after a reload.
 */
void
sv_relay_sync(struct supervisor *s, int force)
{
	struct helper		*h;
	struct msg_relay_conf	 rc;
	struct msg_relay_url	 ru[RELAY_MAX];
	const char		*url;
	char			 pk[65], filters[1024];
	size_t			 i, k, n = 0;

	if ((h = sv_relayd(s)) == NULL || !s->sv_unlocked)
		return;
	if (s->sv_relay_synced && !force)
		return;
	/* the job relays, then the wallet's; one entry a URL, both roles */
	memset(ru, 0, sizeof(ru));
	for (i = 0; i < s->sv_conf.c_relays.n && n < RELAY_MAX; i++) {
		(void)strlcpy(ru[n].ru_url, s->sv_conf.c_relays.v[i],
		    sizeof(ru[n].ru_url));
		ru[n++].ru_roles = RELAY_ROLE_JOBS;
	}
	for (i = 0; (url = sv_nwc_relay(s, i)) != NULL; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(ru[k].ru_url, url) == 0)
				break;
		if (k == n) {
			if (n == RELAY_MAX)
				break;
			(void)strlcpy(ru[n++].ru_url, url,
			    sizeof(ru[k].ru_url));
		}
		ru[k].ru_roles |= RELAY_ROLE_WALLET;
	}
	memset(&rc, 0, sizeof(rc));
	memcpy(rc.rc_pubkey, s->sv_pubkey, sizeof(rc.rc_pubkey));
	rc.rc_max_event = (uint64_t)s->sv_conf.c_limit_event_bytes;
	rc.rc_nrelays = (uint32_t)n;
	if (imsgev_compose(&h->h_iev, IMSG_RELAY_CONF, 0, 0, -1, &rc,
	    sizeof(rc)) == -1)
		fatal("%s: compose", __func__);
	for (i = 0; i < n; i++)
		if (imsgev_compose(&h->h_iev, IMSG_RELAY_CONF_URL, 0, 0, -1,
		    &ru[i], sizeof(ru[i])) == -1)
			fatal("%s: compose", __func__);
	if (imsgev_compose(&h->h_iev, IMSG_RELAY_CONF_END, 0, 0, -1, NULL,
	    0) == -1)
		fatal("%s: compose", __func__);
	if (s->sv_relay_synced) {
		sv_relay_nwc_sync(s);	/* the wallet may be new */
		return;		/* the others stand */
	}

	if (s->sv_sub_since == 0)
		s->sv_sub_since = (int64_t)time(NULL) - SV_SINCE_MARGIN;
	hex_encode(s->sv_pubkey, sizeof(s->sv_pubkey), pk);
	/* one filter per line: every request, and those tagging us */
	(void)snprintf(filters, sizeof(filters),
	    "{\"kinds\":%s}\n{\"kinds\":%s,\"#p\":[\"%s\"]}\n",
	    sv_job_kinds, sv_job_kinds, pk);
	sv_relay_subscribe(s, h, SV_SUB_JOBS, filters);
	/*
	 * A dispute (PROTOCOL.md §A.11) names our result by its e tag,
	 * not us by a p tag: all of them come, and the ledger sorts out
	 * ours.  They are rare.
	 */
	(void)snprintf(filters, sizeof(filters),
	    "{\"kinds\":[5],\"#p\":[\"%s\"]}\n{\"kinds\":[39300]}\n", pk);
	sv_relay_subscribe(s, h, SV_SUB_REFS, filters);
	s->sv_relay_synced = 1;
	s->sv_cancel_subscribed = 0;
	s->sv_nwc_subscribed = 0;
	sv_relay_cancel_sync(s);
	sv_relay_nwc_sync(s);
}

/*
 * The wallet's two subscriptions, on its relays only: its info event,
 * and the answers and notifications to our connection key.  NIP-47
 * answers are ephemeral, so requests wait until the second one has had
 * its EOSE (sv_nwc.c; relayd holds to that per relay as well).
 */
void
sv_relay_nwc_sync(struct supervisor *s)
{
	struct helper		*h;
	struct msg_relay_sub	 rs;
	struct nwc		*n = s->sv_nwc;
	char			 filters[1024];
	int			 which;

	if ((h = sv_relayd(s)) == NULL || !s->sv_relay_synced || n == NULL)
		return;
	if (n->n_nrelays == 0) {
		if (!s->sv_nwc_subscribed)
			return;
		for (which = SV_SUB_NWC; which <= SV_SUB_NWCINFO;
		    which += SV_SUB_NWCINFO - SV_SUB_NWC) {
			memset(&rs, 0, sizeof(rs));
			(void)strlcpy(rs.rs_subid, sv_sub_ids[which],
			    sizeof(rs.rs_subid));
			rs.rs_roles = RELAY_ROLE_WALLET;
			if (imsgev_compose(&h->h_iev, IMSG_RELAY_UNSUBSCRIBE,
			    0, 0, -1, &rs, sizeof(rs)) == -1)
				fatal("%s: compose", __func__);
		}
		s->sv_nwc_subscribed = 0;
		return;
	}
	(void)snprintf(filters, sizeof(filters),
	    "{\"kinds\":[13194],\"authors\":[\"%s\"]}\n", n->n_wallet_hex);
	sv_relay_subscribe(s, h, SV_SUB_NWCINFO, filters);
	(void)snprintf(filters, sizeof(filters),
	    "{\"kinds\":[23195,23196,23197],\"authors\":[\"%s\"],"
	    "\"#p\":[\"%s\"]}\n", n->n_wallet_hex, n->n_client_hex);
	sv_relay_subscribe(s, h, SV_SUB_NWC, filters);
	s->sv_nwc_subscribed = 1;
}

/*
 * Kind-5 deletions carry the request id, not always our key: follow
 * the live jobs' ids with a subscription of their own.
 */
void
sv_relay_cancel_sync(struct supervisor *s)
{
	struct helper		*h;
	struct msg_relay_sub	 rs;
	char			 filters[RELAY_CANCEL_FILTER_MAX];
	size_t			 n;

	if ((h = sv_relayd(s)) == NULL || !s->sv_relay_synced)
		return;
	n = jobs_cancel_filter(s, filters, sizeof(filters));
	if (n == 0) {
		if (!s->sv_cancel_subscribed)
			return;
		memset(&rs, 0, sizeof(rs));
		(void)strlcpy(rs.rs_subid, sv_sub_ids[SV_SUB_CANCEL],
		    sizeof(rs.rs_subid));
		if (imsgev_compose(&h->h_iev, IMSG_RELAY_UNSUBSCRIBE, 0, 0, -1,
		    &rs, sizeof(rs)) == -1)
			fatal("%s: compose", __func__);
		s->sv_cancel_subscribed = 0;
		return;
	}
	sv_relay_subscribe(s, h, SV_SUB_CANCEL, filters);
	s->sv_cancel_subscribed = 1;
}

/* An event to every job relay; 0 when relayd is not there to take it. */
uint64_t
sv_relay_publish(struct supervisor *s, const void *json, size_t len)
{
	return (sv_relay_publish_to(s, json, len, RELAY_ROLE_JOBS));
}

uint64_t
sv_relay_publish_to(struct supervisor *s, const void *json, size_t len,
    uint32_t roles)
{
	struct helper		*h;
	struct msg_relay_pub	 rp;
	struct iovec		 iov[2];

	if ((h = sv_relayd(s)) == NULL || !s->sv_relay_synced)
		return (0);
	memset(&rp, 0, sizeof(rp));
	rp.rp_reqid = ++s->sv_pub_reqid;
	rp.rp_roles = roles;
	iov[0].iov_base = &rp;
	iov[0].iov_len = sizeof(rp);
	iov[1].iov_base = (void *)(uintptr_t)json;
	iov[1].iov_len = len;
	if (imsgev_composev(&h->h_iev, IMSG_RELAY_PUBLISH, 0, 0, -1, iov,
	    2) == -1)
		fatal("%s: compose", __func__);
	/* on its way at once, as with walletd (sv_wallet_request) */
	(void)imsgbuf_write(&h->h_iev.ibuf);
	return (rp.rp_reqid);
}

static void
sv_relay_resolve(struct supervisor *s, struct helper *h, struct imsg *imsg)
{
	struct msg_relay_resolve	 rr;
	struct msg_relay_addrs		 ra;
	struct addrinfo			 hints, *res, *ai;
	int				 e;

	if (imsg_get_data(imsg, &rr, sizeof(rr)) == -1) {
		helper_violation(s, h, "bad resolve request");
		return;
	}
	rr.rr_host[sizeof(rr.rr_host) - 1] = '\0';
	rr.rr_port[sizeof(rr.rr_port) - 1] = '\0';
	memset(&ra, 0, sizeof(ra));
	ra.ra_relay = rr.rr_relay;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	/*
	 * Blocking, in the supervisor: only when relayd (re)connects, and
	 * numeric hosts (the tests, most operators' local relays) return
	 * at once.
	 */
	if ((e = getaddrinfo(rr.rr_host, rr.rr_port, &hints, &res)) != 0) {
		log_warnx("relay host %s: %s", rr.rr_host, gai_strerror(e));
		ra.ra_error = e;
	} else {
		for (ai = res; ai != NULL && ra.ra_naddrs < RELAY_ADDRS_MAX;
		    ai = ai->ai_next) {
			if (ai->ai_addrlen > sizeof(ra.ra_addrs[0]))
				continue;
			memcpy(&ra.ra_addrs[ra.ra_naddrs], ai->ai_addr,
			    ai->ai_addrlen);
			ra.ra_addrlens[ra.ra_naddrs++] = ai->ai_addrlen;
		}
		freeaddrinfo(res);
	}
	if (imsgev_compose(&h->h_iev, IMSG_RELAY_ADDRS, 0, 0, -1, &ra,
	    sizeof(ra)) == -1)
		fatal("%s: compose", __func__);
}

/*
 * An event relayd validated: job requests go to the job engine, the
 * buyers' deletions to their jobs, disputes to the ledger's jobs, the
 * wallet's events to the NWC client.
 */
static void
sv_relay_event(struct supervisor *s, struct helper *h, struct imsg *imsg)
{
	struct msg_relay_event	 re;
	struct nostr_event	 ev;
	struct ibuf		 ib;
	char			 id[65], pk[65], err[EVENT_ERRLEN];
	int			 which;
	int64_t			 t0 = now_us_relay();

	if (imsg_get_ibuf(imsg, &ib) == -1 ||
	    ibuf_get(&ib, &re, sizeof(re)) == -1 ||
	    event_parse(ibuf_data(&ib), ibuf_size(&ib), NULL, &ev, err,
	    sizeof(err)) == -1) {
		helper_violation(s, h, "bad event message");
		return;
	}
	re.re_subid[sizeof(re.re_subid) - 1] = '\0';
	for (which = SV_SUB_MAX - 1; which > SV_SUB_JOBS; which--)
		if (strcmp(re.re_subid, sv_sub_ids[which]) == 0)
			break;
	if (ev.ev_created_at > s->sv_sub_last[which])
		s->sv_sub_last[which] = ev.ev_created_at;
	s->sv_events_in++;
	hex_encode(ev.ev_id, sizeof(ev.ev_id), id);
	hex_encode(ev.ev_pubkey, sizeof(ev.ev_pubkey), pk);
	if (which == SV_SUB_JOBS) {
		log_info("job request %s kind %u from %s", id, ev.ev_kind,
		    pk);
		jobs_event(s, &ev, (const char *)ibuf_data(&ib),
		    ibuf_size(&ib), t0);
	} else if (which == SV_SUB_NWC || which == SV_SUB_NWCINFO)
		sv_nwc_event(s, &ev, (const char *)ibuf_data(&ib),
		    ibuf_size(&ib));
	else if (ev.ev_kind == 5)
		jobs_cancel_event(s, &ev);
	else if (ev.ev_kind == 39300)
		jobs_dispute_event(s, &ev);
	else
		log_info("event %s kind %u from %s names us", id, ev.ev_kind,
		    pk);
	nostr_event_free(&ev);
}

struct sv_auth {
	struct supervisor	*sa_sv;
	uint64_t		 sa_reqid;
	uint32_t		 sa_relay;
};

static void
sv_relay_auth_done(void *arg, int status, const void *data, size_t len)
{
	struct sv_auth		*sa = arg;
	struct supervisor	*s = sa->sa_sv;
	struct msg_relay_auth	 au;
	struct helper		*h;
	struct iovec		 iov[2];

	if ((h = sv_relayd(s)) != NULL) {
		memset(&au, 0, sizeof(au));
		au.rau_reqid = sa->sa_reqid;
		au.rau_relay = sa->sa_relay;
		au.rau_status = status;
		iov[0].iov_base = &au;
		iov[0].iov_len = sizeof(au);
		iov[1].iov_base = (void *)(uintptr_t)data;
		iov[1].iov_len = len;
		if (imsgev_composev(&h->h_iev, IMSG_RELAY_AUTH_SIGNED, 0, 0, -1,
		    iov, len > 0 ? 2 : 1) == -1)
			fatal("%s: compose", __func__);
	}
	free(sa);
}

/* NIP-42: a kind-22242 event naming the relay and its challenge. */
static void
sv_relay_auth(struct supervisor *s, struct helper *h, struct imsg *imsg)
{
	struct msg_relay_authreq	 ar;
	struct nostr_event		 ev;
	struct sv_auth			*sa;
	char				*json;
	size_t				 len;

	if (imsg_get_data(imsg, &ar, sizeof(ar)) == -1) {
		helper_violation(s, h, "bad AUTH request");
		return;
	}
	ar.ra_url[sizeof(ar.ra_url) - 1] = '\0';
	ar.ra_challenge[sizeof(ar.ra_challenge) - 1] = '\0';
	nostr_event_init(&ev, 22242, (int64_t)time(NULL));
	if (event_add_tagv(&ev, "relay", ar.ra_url, NULL) == -1 ||
	    event_add_tagv(&ev, "challenge", ar.ra_challenge, NULL) == -1 ||
	    event_to_json(&ev, EVENT_PARSE_TEMPLATE, &json, &len) == -1)
		fatal("%s: template", __func__);
	nostr_event_free(&ev);
	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		fatal("%s", __func__);
	sa->sa_sv = s;
	sa->sa_reqid = ar.ra_reqid;
	sa->sa_relay = ar.ra_relay;
	if (sv_wallet_request(s, WALLET_OP_SIGN, NULL, json, len,
	    sv_relay_auth_done, sa) == -1) {
		log_warn("%s: AUTH for %s", __func__, ar.ra_url);
		sv_relay_auth_done(sa, WALLET_LOCKED, "", 0);
	}
	free(json);
}

static void
sv_relay_published(struct supervisor *s, struct helper *h, struct imsg *imsg)
{
	struct msg_relay_published	 pd;

	if (imsg_get_data(imsg, &pd, sizeof(pd)) == -1) {
		helper_violation(s, h, "bad publish outcome");
		return;
	}
	pd.rd_msg[sizeof(pd.rd_msg) - 1] = '\0';
	if (sv_nwc_published(s, pd.rd_reqid, pd.rd_nok, pd.rd_msg) ||
	    sv_announce_published(s, pd.rd_reqid))
		return;
	jobs_published(s, pd.rd_reqid, pd.rd_nok, pd.rd_nrelays, pd.rd_msg);
}

static void
sv_relay_eose(struct supervisor *s, struct helper *h, struct imsg *imsg)
{
	struct msg_relay_event	 re;

	if (imsg_get_data(imsg, &re, sizeof(re)) == -1) {
		helper_violation(s, h, "bad EOSE message");
		return;
	}
	re.re_subid[sizeof(re.re_subid) - 1] = '\0';
	sv_nwc_eose(s, re.re_subid);
}

int
sv_relay_stats_req(struct supervisor *s, uint32_t ctlid)
{
	struct helper	*h;

	if ((h = sv_relayd(s)) == NULL)
		return (-1);
	if (imsgev_compose(&h->h_iev, IMSG_RELAY_STATS_REQ, ctlid, 0, -1,
	    NULL, 0) == -1)
		fatal("%s: compose", __func__);
	return (0);
}

int
sv_relay_dispatch(struct supervisor *s, struct imsg *imsg)
{
	struct helper	*h = &s->sv_helpers[PROC_RELAYD];
	struct ctl_relay cr;

	switch (imsg_get_type(imsg)) {
	case IMSG_RELAY_RESOLVE:
		sv_relay_resolve(s, h, imsg);
		return (0);
	case IMSG_RELAY_EVENT:
		sv_relay_event(s, h, imsg);
		return (0);
	case IMSG_RELAY_PUBLISHED:
		sv_relay_published(s, h, imsg);
		return (0);
	case IMSG_RELAY_EOSE:
		sv_relay_eose(s, h, imsg);
		return (0);
	case IMSG_RELAY_AUTH_REQ:
		sv_relay_auth(s, h, imsg);
		return (0);
	case IMSG_RELAY_STATS:
		if (imsg_get_data(imsg, &cr, sizeof(cr)) == -1) {
			helper_violation(s, h, "bad relay stats");
			return (0);
		}
		cr.cr_url[sizeof(cr.cr_url) - 1] = '\0';
		cr.cr_last_error[sizeof(cr.cr_last_error) - 1] = '\0';
		control_forward(s, imsg_get_id(imsg), IMSG_CTL_RELAY, &cr,
		    sizeof(cr));
		return (0);
	case IMSG_RELAY_STATS_END:
		if (imsg_get_len(imsg) != 0) {
			helper_violation(s, h, "bad relay stats end");
			return (0);
		}
		control_forward(s, imsg_get_id(imsg), IMSG_CTL_END, NULL, 0);
		return (0);
	default:
		return (-1);
	}
}
