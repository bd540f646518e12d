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
 * One state machine per relay: resolve (through the supervisor),
 * connect, upgrade, subscribe, publish, authenticate when asked, and
 * back off when anything fails.  Everything a relay sends is validated
 * here before the supervisor sees it; a relay that keeps sending bad
 * data, or too much of it, is dropped for a while without touching the
 * others.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#define LIBBSD_OPENBSD_VIS	/* strnvis(dst, src, size, flag) */
#include <bsd/vis.h>
#include <event2/event.h>
#include <yajl/yajl_tree.h>

#include "hex.h"
#include "log.h"
#include "msg.h"
#include "nostr_event.h"
#include "nostr_filter.h"
#include "proc.h"
#include "proc_child.h"
#include "relay_msg.h"
#include "relayd.h"
#include "util.h"
#include "ws.h"

#define BACKOFF_BASE_MS		1000
#define BACKOFF_MAX_MS		(5 * 60 * 1000)
#define THROTTLE_BASE_MS	(60 * 1000)
#define THROTTLE_MAX_MS		(60 * 60 * 1000)
#define STABLE_MS		(60 * 1000)	/* open this long: not flapping */
#define PING_EVERY_MS		(30 * 1000)
#define PONG_WAIT_MS		(45 * 1000)
#define HANDSHAKE_SECS		15
#define PUBLISH_TIMEOUT_SECS	30
#define SINCE_MARGIN_SECS	300		/* resubscribe overlap */
#define FUTURE_SLACK_SECS	900		/* created_at ahead of us */
#define WINDOW_MS		10000
#define WINDOW_MAX_BAD		20		/* rejects per window */
#define WINDOW_MAX_EVENTS	5000		/* events per window */
#define INFO_MAX_BYTES		(64 * 1024)
#define INFO_SECS		10

static void	relay_start(struct relay *);
static void	relay_connect(struct relay *);
static void	relay_fail(struct relay *, enum ctl_relay_state, const char *);
static void	relay_timer_cb(int, short, void *);
static void	relay_send_subs(struct relay *);
static void	relay_send_pubs(struct relay *);
static void	pub_send(struct pub *, struct relay *);
static void	pub_check(struct pub *);

/* A relay's text, made safe for the log: control bytes escaped. */
static const char *
relay_text(const struct relay_msg *m, char *buf, size_t len)
{
	/* cut to what buf holds; enough for a log line */
	(void)strnvis(buf, m->rm_text, len, VIS_SAFE | VIS_OCTAL);
	return (buf);
}

static int64_t
now_ms(void)
{
	return (now_monotonic_ms());
}

static struct relay *
relay_by_id(uint32_t id)
{
	struct relay	*r;

	TAILQ_FOREACH(r, &rd->rd_relays, r_entry)
		if (r->r_id == id)
			return (r);
	return (NULL);
}

static struct sub *
sub_by_id(const char *id)
{
	struct sub	*s;

	TAILQ_FOREACH(s, &rd->rd_subs, s_entry)
		if (strcmp(s->s_id, id) == 0)
			return (s);
	return (NULL);
}

/* 0 is JOBS, for the messages written before roles (common/msg.h). */
static uint32_t
roles_of(uint32_t roles, const char *what)
{
	if (roles & ~(uint32_t)(RELAY_ROLE_JOBS | RELAY_ROLE_WALLET))
		fatalx("%s: unknown relay roles %#x", what, roles);
	return (roles == 0 ? RELAY_ROLE_JOBS : roles);
}

static const char *
roles_name(uint32_t roles)
{
	switch (roles) {
	case RELAY_ROLE_JOBS:
		return ("jobs");
	case RELAY_ROLE_WALLET:
		return ("wallet");
	default:
		return ("jobs+wallet");
	}
}

static int
sub_here(const struct sub *s, const struct relay *r)
{
	return ((s->s_roles & r->r_roles) != 0);
}

static int
pub_here(const struct pub *p, const struct relay *r)
{
	return ((p->p_roles & r->r_roles) != 0);
}

static void
relay_timer(struct relay *r, int64_t ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (evtimer_add(r->r_timer, &tv) == -1)
		fatalx("%s: evtimer_add", __func__);
}

static void
relay_send(struct relay *r, const char *msg, size_t len)
{
	if (r->r_ws == NULL || r->r_state != CTL_RELAY_OPEN)
		return;
	if (ws_send_text(r->r_ws, msg, len) == -1)
		log_warnx("%s: send failed", r->r_url);
}

/*
 * Misbehaviour accounting: a relay past the limits of its window is
 * dropped and left alone for a while, doubling each time in a row.
 */
static int
relay_window(struct relay *r, int bad)
{
	int64_t	 t = now_ms();

	if (t - r->r_window_ms > WINDOW_MS) {
		r->r_window_ms = t;
		r->r_window_bad = 0;
		r->r_window_events = 0;
	}
	if (bad)
		r->r_window_bad++;
	else
		r->r_window_events++;
	if (r->r_window_bad > WINDOW_MAX_BAD) {
		relay_fail(r, CTL_RELAY_THROTTLED, "too many bad messages");
		return (-1);
	}
	if (r->r_window_events > WINDOW_MAX_EVENTS) {
		relay_fail(r, CTL_RELAY_THROTTLED, "flooding");
		return (-1);
	}
	return (0);
}

static void
relay_reject(struct relay *r, const char *why)
{
	r->r_stats.cr_rejects++;
	log_debug("%s: rejected: %s", r->r_url, why);
	(void)strlcpy(r->r_stats.cr_last_error, why,
	    sizeof(r->r_stats.cr_last_error));
}

/* A REQ just sent (open), or none standing: no EOSE seen either way. */
static void
relay_sub_reset(struct relay *r, int slot, int open)
{
	r->r_sub_open[slot] = open;
	r->r_sub_eose[slot] = 0;
	r->r_sub_auth_wait[slot] = 0;
}

/*
 * Down, for whatever reason: forget the connection, put what was in
 * flight back in the queue, and schedule the next attempt.
 */
static void
relay_down(struct relay *r)
{
	struct pub	*p;
	int		 i;

	r->r_state = CTL_RELAY_BACKOFF;
	r->r_stats.cr_connected_since = 0;
	r->r_auth = 0;
	r->r_challenge[0] = '\0';
	for (i = 0; i < RELAY_MAX_SUBS; i++)
		relay_sub_reset(r, i, 0);
	TAILQ_FOREACH(p, &rd->rd_pubs, p_entry)
		if (p->p_state[r->r_id] == PUB_SENT ||
		    p->p_state[r->r_id] == PUB_AUTH_WAIT)
			p->p_state[r->r_id] = PUB_WAITING;
}

static void
relay_fail(struct relay *r, enum ctl_relay_state next, const char *why)
{
	int64_t		 delay;
	uint32_t	 jitter;

	if (r->r_ws != NULL) {
		ws_free(r->r_ws);
		r->r_ws = NULL;
	}
	(void)evtimer_del(r->r_timer);
	relay_down(r);
	r->r_stats.cr_errors++;
	(void)strlcpy(r->r_stats.cr_last_error, why,
	    sizeof(r->r_stats.cr_last_error));

	if (next == CTL_RELAY_THROTTLED) {
		delay = (int64_t)THROTTLE_BASE_MS << (r->r_penalty < 6 ?
		    r->r_penalty : 6);
		if (delay > THROTTLE_MAX_MS)
			delay = THROTTLE_MAX_MS;
		r->r_penalty++;
		log_warnx("%s: dropped for %lld s: %s", r->r_url,
		    (long long)delay / 1000, why);
	} else {
		delay = (int64_t)BACKOFF_BASE_MS << (r->r_attempt < 9 ?
		    r->r_attempt : 9);
		if (delay > BACKOFF_MAX_MS)
			delay = BACKOFF_MAX_MS;
		r->r_attempt++;
		log_info("%s: %s; retrying in %lld ms", r->r_url, why,
		    (long long)delay);
	}
	/* ±20 %, so that relays and restarts do not move in lockstep */
	jitter = arc4random_uniform((uint32_t)(delay * 2 / 5) + 1);
	delay = delay - delay / 5 + jitter;
	r->r_state = next;
	r->r_stats.cr_next_attempt = time(NULL) + delay / 1000;
	relay_timer(r, delay);
}

/*
 * NIP-11, once per relay: max_message_length decides whether a large
 * result can go there at all.  The relay may be gone when the answer
 * comes, so the callback finds it by id.
 */
static void
relay_info_cb(int ok, const char *body, size_t len, const char *why,
    void *arg)
{
	struct relay	*r;
	yajl_val	 doc, v;
	const char	*path[] = { "limitation", "max_message_length", NULL };
	char		*text;

	if ((r = relay_by_id((uint32_t)(uintptr_t)arg)) == NULL)
		return;
	if (!ok) {
		log_debug("%s: no NIP-11 document: %s", r->r_url, why);
		return;
	}
	if ((text = strndup(body, len)) == NULL)
		fatal("%s", __func__);
	doc = yajl_tree_parse(text, NULL, 0);
	free(text);
	if (doc == NULL) {
		log_debug("%s: NIP-11 document is not JSON", r->r_url);
		return;
	}
	v = yajl_tree_get(doc, path, yajl_t_number);
	if (v != NULL && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) > 0 &&
	    YAJL_GET_INTEGER(v) <= INT32_MAX) {
		r->r_stats.cr_max_message = (int32_t)YAJL_GET_INTEGER(v);
		log_debug("%s: max_message_length %d", r->r_url,
		    r->r_stats.cr_max_message);
	}
	yajl_tree_free(doc);
}

static void
relay_info_fetch(struct relay *r)
{
	if (r->r_info_asked)
		return;
	r->r_info_asked = 1;
	if (ws_fetch_info(rd->rd_base,
	    (struct sockaddr *)&r->r_addrs[r->r_addri],
	    r->r_addrlens[r->r_addri], &r->r_wsurl, rd->rd_tls,
	    INFO_MAX_BYTES, INFO_SECS, relay_info_cb,
	    (void *)(uintptr_t)r->r_id) == -1)
		log_debug("%s: NIP-11 request: %s", r->r_url, strerror(errno));
}

static void
relay_ws_open(struct ws_conn *ws, void *arg)
{
	struct relay	*r = arg;

	(void)ws;
	r->r_state = CTL_RELAY_OPEN;
	r->r_open_ms = now_ms();
	r->r_stats.cr_connected_since = time(NULL);
	r->r_stats.cr_next_attempt = 0;
	r->r_ping_sent_ms = 0;
	log_info("%s: connected", r->r_url);
	(void)evtimer_del(r->r_timer);
	relay_timer(r, PING_EVERY_MS);
	relay_send_subs(r);
	relay_send_pubs(r);
	relay_info_fetch(r);
}

static void
relay_ws_pong(struct ws_conn *ws, int64_t rtt, void *arg)
{
	struct relay	*r = arg;

	(void)ws;
	r->r_stats.cr_rtt_ms = (int32_t)rtt;
	r->r_ping_sent_ms = 0;
}

static void
relay_ws_end(struct ws_conn *ws, enum ws_end why, const char *text,
    void *arg)
{
	struct relay	*r = arg;
	char		 msg[300];

	(void)ws;
	r->r_ws = NULL;		/* freed by ws.c after this returns */
	/* bad frames are the relay's doing: they count against it */
	if (why == WS_END_PROTOCOL)
		r->r_stats.cr_rejects++;
	if (r->r_state == CTL_RELAY_OPEN && now_ms() - r->r_open_ms >=
	    STABLE_MS) {
		r->r_attempt = 0;
		r->r_penalty = 0;
	}
	if (r->r_state == CTL_RELAY_OPEN)
		r->r_stats.cr_reconnects++;
	(void)snprintf(msg, sizeof(msg), "%s", text);
	/* another address of the host before backing off */
	if (r->r_state == CTL_RELAY_CONNECTING &&
	    r->r_addri + 1 < r->r_naddrs) {
		log_debug("%s: %s; trying the next address", r->r_url, msg);
		r->r_addri++;
		relay_connect(r);
		return;
	}
	relay_fail(r, CTL_RELAY_BACKOFF, msg);
}

static void	relay_ws_message(struct ws_conn *, const char *, size_t,
		    void *);

static const struct ws_callbacks relay_ws_cb = {
	.wc_open = relay_ws_open,
	.wc_message = relay_ws_message,
	.wc_pong = relay_ws_pong,
	.wc_end = relay_ws_end,
};

static void
relay_connect(struct relay *r)
{
	struct ws_limits	 lim;

	lim.wl_max_message = rd->rd_limits.el_max_bytes + 64 * 1024;
	lim.wl_handshake_secs = HANDSHAKE_SECS;
	r->r_state = CTL_RELAY_CONNECTING;
	r->r_ws = ws_connect(rd->rd_base,
	    (struct sockaddr *)&r->r_addrs[r->r_addri],
	    r->r_addrlens[r->r_addri], &r->r_wsurl, r->r_wsurl.wu_tls ?
	    rd->rd_tls : NULL, &lim, &relay_ws_cb, r);
	if (r->r_ws == NULL)
		relay_fail(r, CTL_RELAY_BACKOFF, strerror(errno));
}

static void
relay_start(struct relay *r)
{
	struct msg_relay_resolve	 rr;
	char				 err[256];

	if (r->r_removed)
		return;
	if (ws_url_parse(r->r_url, &r->r_wsurl, err, sizeof(err)) == -1) {
		/* a config error: retrying will not fix it, but say so */
		relay_fail(r, CTL_RELAY_BACKOFF, err);
		return;
	}
	memset(&rr, 0, sizeof(rr));
	rr.rr_relay = r->r_id;
	(void)strlcpy(rr.rr_host, r->r_wsurl.wu_host, sizeof(rr.rr_host));
	(void)snprintf(rr.rr_port, sizeof(rr.rr_port), "%u",
	    r->r_wsurl.wu_port);
	r->r_state = CTL_RELAY_RESOLVING;
	if (proc_child_compose(rd->rd_pc, IMSG_RELAY_RESOLVE, -1, &rr,
	    sizeof(rr)) == -1)
		fatal("%s: compose", __func__);
}

void
relay_addrs(const struct msg_relay_addrs *ra)
{
	struct relay	*r;
	uint32_t	 i;
	char		 err[300];

	if ((r = relay_by_id(ra->ra_relay)) == NULL ||
	    r->r_state != CTL_RELAY_RESOLVING)
		return;		/* removed meanwhile */
	if (ra->ra_error != 0 || ra->ra_naddrs == 0) {
		(void)snprintf(err, sizeof(err), "cannot resolve %s",
		    r->r_wsurl.wu_host);
		relay_fail(r, CTL_RELAY_BACKOFF, err);
		return;
	}
	if (ra->ra_naddrs > RELAY_ADDRS_MAX)
		fatalx("%s: %u addresses", __func__, ra->ra_naddrs);
	for (i = 0; i < ra->ra_naddrs; i++) {
		if (ra->ra_addrlens[i] > sizeof(r->r_addrs[i]))
			fatalx("%s: bad address length", __func__);
		memcpy(&r->r_addrs[i], &ra->ra_addrs[i], sizeof(r->r_addrs[i]));
		r->r_addrlens[i] = ra->ra_addrlens[i];
	}
	r->r_naddrs = (int)ra->ra_naddrs;
	r->r_addri = 0;
	relay_connect(r);
}

static void
relay_timer_cb(int fd, short ev, void *arg)
{
	struct relay	*r = arg;

	(void)fd;
	(void)ev;
	switch (r->r_state) {
	case CTL_RELAY_BACKOFF:
	case CTL_RELAY_THROTTLED:
	case CTL_RELAY_IDLE:
		relay_start(r);
		break;
	case CTL_RELAY_OPEN:
	case CTL_RELAY_AUTHENTICATING:
		if (r->r_ping_sent_ms != 0 &&
		    now_ms() - r->r_ping_sent_ms > PONG_WAIT_MS) {
			relay_fail(r, CTL_RELAY_BACKOFF, "no pong: the "
			    "connection is dead");
			break;
		}
		if (r->r_ping_sent_ms == 0 && r->r_ws != NULL &&
		    ws_ping(r->r_ws) == 0)
			r->r_ping_sent_ms = now_ms();
		relay_timer(r, PING_EVERY_MS);
		break;
	case CTL_RELAY_RESOLVING:
	case CTL_RELAY_CONNECTING:
		break;
	}
}

/* The REQ of one subscription on one relay, since the last event seen. */
static void
relay_send_sub(struct relay *r, struct sub *s)
{
	struct nostr_filter	 f[RELAY_MAX_FILTERS];
	int64_t			 since;
	char			*msg;
	size_t			 i, len;

	since = s->s_since;
	if (r->r_last_seen[s->s_slot] - SINCE_MARGIN_SECS > since)
		since = r->r_last_seen[s->s_slot] - SINCE_MARGIN_SECS;
	for (i = 0; i < s->s_nfilters; i++) {
		f[i] = s->s_filters[i];		/* shallow: only since moves */
		if (since > 0 && (!(f[i].f_has & FILTER_HAS_SINCE) ||
		    f[i].f_since < since)) {
			f[i].f_has |= FILTER_HAS_SINCE;
			f[i].f_since = since;
		}
	}
	if (relay_build_req(s->s_id, f, s->s_nfilters, &msg, &len) == -1)
		fatal("%s: relay_build_req", __func__);
	relay_send(r, msg, len);
	free(msg);
	relay_sub_reset(r, s->s_slot, 1);
}

static void
relay_send_subs(struct relay *r)
{
	struct sub	*s;

	TAILQ_FOREACH(s, &rd->rd_subs, s_entry)
		if (sub_here(s, r))
			relay_send_sub(r, s);
}

/* No longer this relay's: CLOSE it there if it stands, forget it. */
static void
relay_close_sub(struct relay *r, struct sub *s)
{
	char	*msg;
	size_t	 len;

	if (r->r_sub_open[s->s_slot]) {
		if (relay_build_close(s->s_id, &msg, &len) == -1)
			fatal("%s: relay_build_close", __func__);
		relay_send(r, msg, len);
		free(msg);
	}
	relay_sub_reset(r, s->s_slot, 0);
}

/*
 * NIP-47 answers are ephemeral: a wallet request is sent only where
 * every wallet subscription has had its EOSE on this connection.
 */
static int
relay_wallet_open(const struct relay *r)
{
	struct sub	*s;

	TAILQ_FOREACH(s, &rd->rd_subs, s_entry)
		if ((s->s_roles & RELAY_ROLE_WALLET) &&
		    !r->r_sub_eose[s->s_slot])
			return (0);
	return (1);
}

static void
pub_fail(struct pub *p, struct relay *r, const char *why)
{
	if (p->p_why[0] == '\0')
		(void)strlcpy(p->p_why, why, sizeof(p->p_why));
	p->p_state[r->r_id] = PUB_FAILED;
	p->p_nfail++;
}

/* A wallet request r cannot take now fails there, rather than wait. */
static int
pub_wallet_refused(struct pub *p, struct relay *r)
{
	if (!(p->p_roles & r->r_roles & RELAY_ROLE_WALLET) ||
	    relay_wallet_open(r))
		return (0);
	log_info("%s: wallet request %llu not sent: a wallet subscription "
	    "has had no EOSE yet", r->r_url, (unsigned long long)p->p_reqid);
	pub_fail(p, r, "subscription not open");
	return (1);
}

/* What p still waits for on r goes now, fails, or keeps waiting. */
static void
pub_offer(struct pub *p, struct relay *r)
{
	if (!pub_here(p, r) || p->p_state[r->r_id] != PUB_WAITING)
		return;
	if (r->r_state == CTL_RELAY_OPEN)
		pub_send(p, r);
	else
		(void)pub_wallet_refused(p, r);
}

static void
pub_send(struct pub *p, struct relay *r)
{
	char	 why[128];

	if (pub_wallet_refused(p, r))
		return;
	if (r->r_stats.cr_max_message > 0 &&
	    p->p_len > (size_t)r->r_stats.cr_max_message) {
		errbuf_set(why, sizeof(why), "%s: %zu bytes is over the "
		    "relay's max_message_length %d", r->r_url, p->p_len,
		    r->r_stats.cr_max_message);
		pub_fail(p, r, why);
		return;
	}
	relay_send(r, p->p_msg, p->p_len);
	p->p_state[r->r_id] = PUB_SENT;
}

static void
relay_send_pubs(struct relay *r)
{
	struct pub	*p, *tp;

	TAILQ_FOREACH_SAFE(p, &rd->rd_pubs, p_entry, tp) {
		pub_offer(p, r);
		pub_check(p);
	}
}

static void
pub_finish(struct pub *p)
{
	struct msg_relay_published	 pd;
	struct relay			*r;

	memset(&pd, 0, sizeof(pd));
	pd.rd_reqid = p->p_reqid;
	TAILQ_FOREACH(r, &rd->rd_relays, r_entry)
		if (pub_here(p, r))
			pd.rd_nrelays++;
	pd.rd_nok = p->p_nok;
	pd.rd_nfail = pd.rd_nrelays - p->p_nok;
	(void)strlcpy(pd.rd_msg, p->p_why, sizeof(pd.rd_msg));
	if (proc_child_compose(rd->rd_pc, IMSG_RELAY_PUBLISHED, -1, &pd,
	    sizeof(pd)) == -1)
		fatal("%s: compose", __func__);
	TAILQ_REMOVE(&rd->rd_pubs, p, p_entry);
	event_free(p->p_timer);
	free(p->p_msg);
	free(p);
}

/* Done when every relay of its roles has answered one way or another. */
static void
pub_check(struct pub *p)
{
	struct relay	*r;

	TAILQ_FOREACH(r, &rd->rd_relays, r_entry)
		if (pub_here(p, r) && p->p_state[r->r_id] != PUB_OK &&
		    p->p_state[r->r_id] != PUB_FAILED)
			return;
	pub_finish(p);
}

static void
pub_timeout(int fd, short ev, void *arg)
{
	struct pub	*p = arg;

	(void)fd;
	(void)ev;
	if (p->p_why[0] == '\0')
		(void)strlcpy(p->p_why, "timed out waiting for relays",
		    sizeof(p->p_why));
	pub_finish(p);
}

void
relay_publish(const struct msg_relay_pub *rp, const char *json, size_t len)
{
	struct nostr_event	 ev;
	struct timeval		 tv;
	struct relay		*r;
	struct pub		*p;
	char			 err[EVENT_ERRLEN];

	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("%s", __func__);
	p->p_reqid = rp->rp_reqid;
	p->p_roles = roles_of(rp->rp_roles, __func__);
	/* the supervisor's own output: malformed means a broken peer */
	if (event_parse(json, len, &rd->rd_limits, &ev, err,
	    sizeof(err)) == -1 || event_check_id(&ev, err, sizeof(err)) == -1)
		fatalx("%s: bad event to publish: %s", __func__, err);
	memcpy(p->p_id, ev.ev_id, sizeof(p->p_id));
	if (relay_build_event(&ev, &p->p_msg, &p->p_len) == -1)
		fatal("%s: relay_build_event", __func__);
	nostr_event_free(&ev);
	if ((p->p_timer = evtimer_new(rd->rd_base, pub_timeout, p)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	tv.tv_sec = PUBLISH_TIMEOUT_SECS;
	tv.tv_usec = 0;
	if (evtimer_add(p->p_timer, &tv) == -1)
		fatalx("%s: evtimer_add", __func__);
	TAILQ_INSERT_TAIL(&rd->rd_pubs, p, p_entry);
	TAILQ_FOREACH(r, &rd->rd_relays, r_entry)
		pub_offer(p, r);
	pub_check(p);
}

static void
relay_auth_ask(struct relay *r)
{
	struct msg_relay_authreq	 ar;

	if (r->r_auth != 0 || r->r_challenge[0] == '\0')
		return;
	memset(&ar, 0, sizeof(ar));
	ar.ra_reqid = ++rd->rd_auth_reqid;
	ar.ra_relay = r->r_id;
	(void)strlcpy(ar.ra_url, r->r_url, sizeof(ar.ra_url));
	(void)strlcpy(ar.ra_challenge, r->r_challenge,
	    sizeof(ar.ra_challenge));
	r->r_auth = 1;
	r->r_auth_reqid = ar.ra_reqid;
	r->r_stats.cr_auth = 1;
	if (proc_child_compose(rd->rd_pc, IMSG_RELAY_AUTH_REQ, -1, &ar,
	    sizeof(ar)) == -1)
		fatal("%s: compose", __func__);
}

void
relay_auth_signed(const struct msg_relay_auth *au, const char *json,
    size_t len)
{
	struct nostr_event	 ev;
	struct relay		*r;
	char			*msg, err[EVENT_ERRLEN];
	size_t			 msglen;

	if ((r = relay_by_id(au->rau_relay)) == NULL ||
	    r->r_auth_reqid != au->rau_reqid || r->r_ws == NULL)
		return;		/* that connection is gone */
	if (au->rau_status != WALLET_OK) {
		log_warnx("%s: AUTH not signed: %.*s", r->r_url,
		    (int)(len > 200 ? 200 : len), json);
		r->r_auth = 0;
		return;
	}
	if (event_parse(json, len, NULL, &ev, err, sizeof(err)) == -1)
		fatalx("%s: bad AUTH event: %s", __func__, err);
	memcpy(r->r_auth_id, ev.ev_id, sizeof(r->r_auth_id));
	if (relay_build_auth(&ev, &msg, &msglen) == -1)
		fatal("%s: relay_build_auth", __func__);
	nostr_event_free(&ev);
	relay_send(r, msg, msglen);
	free(msg);
}

/* The relay accepted our AUTH: what waited for it goes now. */
static void
relay_authed(struct relay *r)
{
	struct sub	*s;
	struct pub	*p;

	r->r_auth = 2;
	r->r_stats.cr_auth = 2;
	log_info("%s: authenticated", r->r_url);
	TAILQ_FOREACH(s, &rd->rd_subs, s_entry)
		if (r->r_sub_auth_wait[s->s_slot])
			relay_send_sub(r, s);
	TAILQ_FOREACH(p, &rd->rd_pubs, p_entry)
		if (p->p_state[r->r_id] == PUB_AUTH_WAIT)
			pub_send(p, r);
}

static int
prefix_is(const char *text, const char *prefix)
{
	return (strncmp(text, prefix, strlen(prefix)) == 0);
}

static void
relay_got_ok(struct relay *r, struct relay_msg *m)
{
	struct pub	*p, *tp;
	char		 vis[1024];

	if (r->r_auth == 1 && memcmp(m->rm_id, r->r_auth_id,
	    EVENT_ID_LEN) == 0) {
		if (m->rm_ok)
			relay_authed(r);
		else {
			log_warnx("%s: AUTH refused: %s", r->r_url,
			    relay_text(m, vis, sizeof(vis)));
			r->r_auth = 0;
			r->r_stats.cr_errors++;
		}
		return;
	}
	TAILQ_FOREACH_SAFE(p, &rd->rd_pubs, p_entry, tp) {
		if (memcmp(p->p_id, m->rm_id, EVENT_ID_LEN) != 0 ||
		    p->p_state[r->r_id] != PUB_SENT)
			continue;
		if (m->rm_ok) {
			p->p_state[r->r_id] = PUB_OK;
			p->p_nok++;
			r->r_stats.cr_events_out++;
		} else if (prefix_is(m->rm_text, "auth-required:")) {
			p->p_state[r->r_id] = PUB_AUTH_WAIT;
			relay_auth_ask(r);
		} else {
			p->p_state[r->r_id] = PUB_FAILED;
			p->p_nfail++;
			r->r_stats.cr_errors++;
			if (p->p_why[0] == '\0')
				errbuf_set(p->p_why, sizeof(p->p_why),
				    "%s: %s", r->r_url,
				    relay_text(m, vis, sizeof(vis)));
		}
		pub_check(p);
		return;
	}
	log_debug("%s: OK for an event we did not send", r->r_url);
}

static void
relay_got_event(struct relay *r, struct relay_msg *m)
{
	struct msg_relay_event	 re;
	struct nostr_event	*ev = &m->rm_event;
	struct iovec		 iov[2];
	struct sub		*s;
	char			*json, err[EVENT_ERRLEN];
	size_t			 len;

	if ((s = sub_by_id(m->rm_subid)) == NULL) {
		relay_reject(r, "event for a subscription we do not have");
		(void)relay_window(r, 1);
		return;
	}
	/* a CLOSE after a change of roles may still be on its way */
	if (!sub_here(s, r)) {
		log_debug("%s: event for %s, not a subscription of this "
		    "relay's roles", r->r_url, s->s_id);
		return;
	}
	if (ev->ev_created_at > (int64_t)time(NULL) + FUTURE_SLACK_SECS) {
		relay_reject(r, "created_at in the future");
		(void)relay_window(r, 1);
		return;
	}
	/* relays may send more than asked: the filter is checked here */
	if (!filters_match(s->s_filters, s->s_nfilters, ev)) {
		relay_reject(r, "event does not match the subscription");
		(void)relay_window(r, 1);
		return;
	}
	if (event_verify(ev, err, sizeof(err)) == -1) {
		relay_reject(r, err);
		(void)relay_window(r, 1);
		return;
	}
	if (relay_window(r, 0) == -1)
		return;
	if (ev->ev_created_at > r->r_last_seen[s->s_slot])
		r->r_last_seen[s->s_slot] = ev->ev_created_at;
	/* verified before remembered: a forged copy cannot shadow it */
	if (dedupe_check(rd->rd_seen, ev->ev_id)) {
		r->r_stats.cr_duplicates++;
		return;
	}
	r->r_stats.cr_events_in++;
	if (event_to_json(ev, 0, &json, &len) == -1)
		fatal("%s: event_to_json", __func__);
	memset(&re, 0, sizeof(re));
	(void)strlcpy(re.re_subid, s->s_id, sizeof(re.re_subid));
	re.re_relay = r->r_id;
	iov[0].iov_base = &re;
	iov[0].iov_len = sizeof(re);
	iov[1].iov_base = json;
	iov[1].iov_len = len;
	if (imsgev_composev(&rd->rd_pc->pc_parent, IMSG_RELAY_EVENT, 0, 0,
	    -1, iov, 2) == -1)
		fatal("%s: compose", __func__);
	free(json);
}

static void
relay_got_closed(struct relay *r, struct relay_msg *m)
{
	struct sub	*s;
	char		 vis[1024];

	if ((s = sub_by_id(m->rm_subid)) == NULL)
		return;
	r->r_sub_open[s->s_slot] = 0;
	r->r_sub_eose[s->s_slot] = 0;
	if (prefix_is(m->rm_text, "auth-required:")) {
		r->r_sub_auth_wait[s->s_slot] = 1;
		relay_auth_ask(r);
		return;
	}
	r->r_stats.cr_errors++;
	(void)relay_text(m, vis, sizeof(vis));
	errbuf_set(r->r_stats.cr_last_error, sizeof(r->r_stats.cr_last_error),
	    "CLOSED %s: %s", s->s_id, vis);
	log_warnx("%s: subscription %s closed: %s", r->r_url, s->s_id, vis);
}

/* The subscription stands on this relay: the supervisor may rely on it. */
static void
relay_got_eose(struct relay *r, struct relay_msg *m)
{
	struct msg_relay_event	 re;
	struct sub		*s;

	if ((s = sub_by_id(m->rm_subid)) == NULL ||
	    !r->r_sub_open[s->s_slot]) {
		log_debug("%s: EOSE for %s, not standing here", r->r_url,
		    m->rm_subid);
		return;
	}
	/* each one reaches the supervisor: bounded like events */
	if (relay_window(r, 0) == -1)
		return;
	log_debug("%s: end of stored events for %s", r->r_url, s->s_id);
	r->r_sub_eose[s->s_slot] = 1;
	memset(&re, 0, sizeof(re));
	(void)strlcpy(re.re_subid, s->s_id, sizeof(re.re_subid));
	re.re_relay = r->r_id;
	if (proc_child_compose(rd->rd_pc, IMSG_RELAY_EOSE, -1, &re,
	    sizeof(re)) == -1)
		fatal("%s: compose", __func__);
}

static void
relay_ws_message(struct ws_conn *ws, const char *text, size_t len, void *arg)
{
	struct relay		*r = arg;
	struct relay_msg	 m;
	char			 err[256], vis[1024];
	int			 unknown = 0;

	(void)ws;
	if (relay_msg_parse(text, len, &rd->rd_limits, &m, &unknown, err,
	    sizeof(err)) == -1) {
		if (unknown) {
			log_debug("%s: ignoring: %s", r->r_url, err);
			return;
		}
		relay_reject(r, err);
		(void)relay_window(r, 1);
		return;
	}
	switch (m.rm_type) {
	case RELAY_MSG_EVENT:
		relay_got_event(r, &m);
		break;
	case RELAY_MSG_OK:
		relay_got_ok(r, &m);
		break;
	case RELAY_MSG_EOSE:
		relay_got_eose(r, &m);
		break;
	case RELAY_MSG_CLOSED:
		relay_got_closed(r, &m);
		break;
	case RELAY_MSG_NOTICE:
		r->r_stats.cr_notices++;
		log_info("%s: NOTICE %s", r->r_url,
		    relay_text(&m, vis, sizeof(vis)));
		break;
	case RELAY_MSG_AUTH:
		/* a challenge with a NUL cannot be echoed in a C string */
		if (strlen(m.rm_text) != m.rm_textlen) {
			relay_reject(r, "AUTH challenge holds a NUL byte");
			break;
		}
		(void)strlcpy(r->r_challenge, m.rm_text,
		    sizeof(r->r_challenge));
		/* a new challenge asks for a new AUTH */
		r->r_auth = 0;
		relay_auth_ask(r);
		break;
	}
	relay_msg_free(&m);
}

static struct relay *
relay_new(const char *url, uint32_t roles)
{
	struct relay	*r;
	uint32_t	 id;

	/* the smallest free slot: p_state[] is indexed by it */
	for (id = 0; id < RELAY_MAX; id++)
		if (relay_by_id(id) == NULL)
			break;
	if (id == RELAY_MAX)
		fatalx("%s: more than %d relays", __func__, RELAY_MAX);
	if ((r = calloc(1, sizeof(*r))) == NULL)
		fatal("%s", __func__);
	r->r_id = id;
	r->r_roles = roles;
	r->r_stats.cr_roles = roles;
	(void)strlcpy(r->r_url, url, sizeof(r->r_url));
	(void)strlcpy(r->r_stats.cr_url, url, sizeof(r->r_stats.cr_url));
	r->r_stats.cr_rtt_ms = -1;
	if ((r->r_timer = evtimer_new(rd->rd_base, relay_timer_cb, r)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	TAILQ_INSERT_TAIL(&rd->rd_relays, r, r_entry);
	return (r);
}

static void
relay_free(struct relay *r)
{
	struct pub	*p, *tp;

	TAILQ_REMOVE(&rd->rd_relays, r, r_entry);
	if (r->r_ws != NULL)
		ws_free(r->r_ws);
	event_free(r->r_timer);
	/* what this relay still owed a publication is owed no more */
	TAILQ_FOREACH_SAFE(p, &rd->rd_pubs, p_entry, tp) {
		p->p_state[r->r_id] = PUB_WAITING;
		pub_check(p);
	}
	free(r);
}

void
relay_conf_begin(const struct msg_relay_conf *rc)
{
	memcpy(rd->rd_pubkey, rc->rc_pubkey, sizeof(rd->rd_pubkey));
	event_limits_default(&rd->rd_limits);
	if (rc->rc_max_event > 0 && rc->rc_max_event < rd->rd_limits.el_max_bytes)
		rd->rd_limits.el_max_bytes = rc->rc_max_event;
	if (rc->rc_nrelays > RELAY_MAX)
		fatalx("%s: %u relays", __func__, rc->rc_nrelays);
	free(rd->rd_next);
	if ((rd->rd_next = calloc(rc->rc_nrelays + 1,
	    sizeof(*rd->rd_next))) == NULL)
		fatal("%s", __func__);
	rd->rd_nnext = 0;
	rd->rd_wantnext = rc->rc_nrelays;
}

void
relay_conf_url(const struct msg_relay_url *ru)
{
	struct msg_relay_url	*next;

	if (rd->rd_next == NULL || rd->rd_nnext >= rd->rd_wantnext)
		fatalx("%s: unexpected relay URL", __func__);
	next = &rd->rd_next[rd->rd_nnext++];
	(void)strlcpy(next->ru_url, ru->ru_url, sizeof(next->ru_url));
	next->ru_roles = roles_of(ru->ru_roles, __func__);
}

/* A URL listed twice (jobs, and the wallet's) is one relay for both. */
static uint32_t
relay_conf_roles(const char *url)
{
	uint32_t	 i, roles = 0;

	for (i = 0; i < rd->rd_nnext; i++)
		if (strcmp(rd->rd_next[i].ru_url, url) == 0)
			roles |= rd->rd_next[i].ru_roles;
	return (roles);
}

/*
 * New roles for a relay that stays: the connection is kept, the
 * subscriptions of its new roles go out and those of its old ones are
 * closed; a publication it no longer owes an answer to stops waiting.
 */
static void
relay_set_roles(struct relay *r, uint32_t roles)
{
	struct sub	*s;
	struct pub	*p, *tp;

	if (r->r_roles == roles)
		return;
	log_info("%s: roles %s, were %s", r->r_url, roles_name(roles),
	    roles_name(r->r_roles));
	r->r_roles = roles;
	r->r_stats.cr_roles = roles;
	TAILQ_FOREACH(s, &rd->rd_subs, s_entry) {
		if (!sub_here(s, r))
			relay_close_sub(r, s);
		else if (r->r_state == CTL_RELAY_OPEN &&
		    !r->r_sub_open[s->s_slot] &&
		    !r->r_sub_auth_wait[s->s_slot])
			relay_send_sub(r, s);
	}
	TAILQ_FOREACH_SAFE(p, &rd->rd_pubs, p_entry, tp) {
		if (!pub_here(p, r))
			p->p_state[r->r_id] = PUB_WAITING;
		else
			pub_offer(p, r);
		pub_check(p);
	}
}

/* Apply the new list: keep what stays, drop what went, start the new. */
void
relay_conf_end(void)
{
	struct relay	*r, *tr;
	uint32_t	 i, roles;
	int		 keep;

	if (rd->rd_next == NULL || rd->rd_nnext != rd->rd_wantnext)
		fatalx("%s: incomplete relay list", __func__);
	TAILQ_FOREACH_SAFE(r, &rd->rd_relays, r_entry, tr) {
		if ((roles = relay_conf_roles(r->r_url)) != 0)
			relay_set_roles(r, roles);
		else {
			log_info("%s: removed from the configuration",
			    r->r_url);
			relay_free(r);
		}
	}
	for (i = 0; i < rd->rd_nnext; i++) {
		keep = 0;
		TAILQ_FOREACH(r, &rd->rd_relays, r_entry)
			if (strcmp(rd->rd_next[i].ru_url, r->r_url) == 0)
				keep = 1;
		if (!keep)
			relay_start(relay_new(rd->rd_next[i].ru_url,
			    relay_conf_roles(rd->rd_next[i].ru_url)));
	}
	free(rd->rd_next);
	rd->rd_next = NULL;
	rd->rd_configured = 1;
}

/* Filters come one JSON object per line. */
void
relay_subscribe(const struct msg_relay_sub *ms, const char *text,
    size_t len)
{
	struct sub	*s;
	struct relay	*r;
	const char	*line, *end, *nl;
	char		 err[256];
	uint32_t	 used = 0;

	if ((s = sub_by_id(ms->rs_subid)) != NULL) {
		/* the same id replaces, as on the relays */
		while (s->s_nfilters > 0)
			filter_free(&s->s_filters[--s->s_nfilters]);
	} else {
		TAILQ_FOREACH(s, &rd->rd_subs, s_entry)
			used |= 1U << s->s_slot;
		if ((s = calloc(1, sizeof(*s))) == NULL)
			fatal("%s", __func__);
		for (s->s_slot = 0; s->s_slot < RELAY_MAX_SUBS; s->s_slot++)
			if (!(used & (1U << s->s_slot)))
				break;
		if (s->s_slot == RELAY_MAX_SUBS)
			fatalx("%s: too many subscriptions", __func__);
		(void)strlcpy(s->s_id, ms->rs_subid, sizeof(s->s_id));
		TAILQ_INSERT_TAIL(&rd->rd_subs, s, s_entry);
		TAILQ_FOREACH(r, &rd->rd_relays, r_entry)
			r->r_last_seen[s->s_slot] = 0;
	}
	s->s_roles = roles_of(ms->rs_roles, __func__);
	s->s_since = ms->rs_since;
	for (line = text, end = text + len; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		if (nl == line)
			continue;
		if (s->s_nfilters >= RELAY_MAX_FILTERS)
			fatalx("%s: too many filters", __func__);
		if (filter_parse(line, (size_t)(nl - line),
		    &s->s_filters[s->s_nfilters], err, sizeof(err)) == -1)
			fatalx("%s: bad filter from the supervisor: %s",
			    __func__, err);
		s->s_nfilters++;
	}
	if (s->s_nfilters == 0)
		fatalx("%s: subscription without filters", __func__);
	TAILQ_FOREACH(r, &rd->rd_relays, r_entry) {
		if (!sub_here(s, r))
			relay_close_sub(r, s);	/* its roles changed */
		else if (r->r_state == CTL_RELAY_OPEN)
			relay_send_sub(r, s);
	}
}

void
relay_unsubscribe(const struct msg_relay_sub *ms)
{
	struct sub	*s;
	struct relay	*r;

	if ((s = sub_by_id(ms->rs_subid)) == NULL)
		return;
	TAILQ_FOREACH(r, &rd->rd_relays, r_entry)
		relay_close_sub(r, s);
	TAILQ_REMOVE(&rd->rd_subs, s, s_entry);
	while (s->s_nfilters > 0)
		filter_free(&s->s_filters[--s->s_nfilters]);
	free(s);
}

void
relay_stats(uint32_t peerid)
{
	struct relay	*r;

	TAILQ_FOREACH(r, &rd->rd_relays, r_entry) {
		r->r_stats.cr_state = r->r_state;
		if (imsgev_compose(&rd->rd_pc->pc_parent, IMSG_RELAY_STATS,
		    peerid, 0, -1, &r->r_stats, sizeof(r->r_stats)) == -1)
			fatal("%s: compose", __func__);
	}
	if (imsgev_compose(&rd->rd_pc->pc_parent, IMSG_RELAY_STATS_END,
	    peerid, 0, -1, NULL, 0) == -1)
		fatal("%s: compose", __func__);
}

void
relay_shutdown(void)
{
	struct relay	*r;

	TAILQ_FOREACH(r, &rd->rd_relays, r_entry) {
		r->r_removed = 1;
		if (r->r_ws != NULL)
			ws_close(r->r_ws, 1001, "going away");
	}
}
