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
 * The NIP-47 client (PROTOCOL.md §C.8, §E.5).  A call is a method and
 * its params; walletd turns it into a signed, encrypted kind-23194
 * event with the connection's secret, relayd sends it to the wallet's
 * relays, and the kind-23195 answer that names it by its e tag comes
 * back on our subscription, to be opened by walletd again.  Answers are
 * ephemeral: nothing is sent before that subscription has had its EOSE,
 * and a call that has no answer in request_timeout_secs is over.  An
 * answer is taken once, from the wallet service's key only: a forged
 * one (another author) or a replayed one (its request is answered or
 * gone) finds nothing to complete.
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <event2/event.h>

#include "hex.h"
#include "log.h"
#include "msg.h"
#include "nostr_event.h"
#include "supervisor.h"
#include "sv_json.h"
#include "sv_pay.h"

enum nwc_phase {
	NCP_WAIT = 0,		/* for the subscriptions, or relayd */
	NCP_SIGN,		/* walletd makes the request event */
	NCP_SENT,		/* out, waiting for the answer */
	NCP_OPEN		/* walletd opens the answer */
};

struct nwc_call {
	TAILQ_ENTRY(nwc_call)	 nc_entry;
	struct supervisor	*nc_sv;
	uint64_t		 nc_seq;
	char			 nc_method[32];
	char			*nc_req;	/* plaintext request */
	size_t			 nc_reqlen;
	char			*nc_event;	/* signed, once made */
	size_t			 nc_eventlen;
	char			 nc_id[65];
	uint64_t		 nc_pub;	/* relayd's publish id */
	int			 nc_phase;
	struct event		*nc_timer;
	nwc_cb			 nc_cb;
	void			*nc_arg;
};

/* walletd's answers name the call by number: it may be gone since */
struct nwc_ref {
	struct supervisor	*nr_sv;
	uint64_t		 nr_seq;
};

static uint64_t	 nwc_seq;

/*
 * A string from the wallet, for our logs and our JSON: printable ASCII
 * only, everything else '?'.  A cut can then never split a character,
 * and no newline or escape reaches a log line.
 */
void
nwc_clean(char *dst, size_t len, const char *src)
{
	size_t	 i;

	if (len == 0)
		return;
	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < len; i++)
		dst[i] = (unsigned char)src[i] >= 0x20 &&
		    (unsigned char)src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}
static struct event *nwc_retry_ev;

static void	 nwc_pump(struct supervisor *);
static int	 nwc_ready(const struct nwc *);
static void	 nwc_ask_info(struct supervisor *);

static const char *const nwc_state_names[] = {
	"unknown", "not_configured", "error", "connecting", "connected",
	"unreachable"
};

const char *
sv_nwc_state_name(int st)
{
	if (st < 0 || st > NWC_UNREACHABLE)
		return ("unknown");
	return (nwc_state_names[st]);
}

void
sv_nwc_init(struct supervisor *s)
{
	struct nwc	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		fatal("%s", __func__);
	TAILQ_INIT(&n->n_calls);
	TAILQ_INIT(&n->n_invs);
	n->n_balance_msats = -1;
	s->sv_nwc = n;
	sv_pay_init(s);
}

const char *
sv_nwc_relay(const struct supervisor *s, size_t i)
{
	const struct nwc	*n = s->sv_nwc;

	if (n == NULL || n->n_state < NWC_CONNECTING || i >= n->n_nrelays)
		return (NULL);
	return (n->n_relays[i]);
}

/* Whether jobs that need an invoice may be taken: a wallet is set up. */
int
sv_nwc_usable(const struct supervisor *s)
{
	const struct nwc	*n = s->sv_nwc;

	return (n != NULL && (n->n_state == NWC_UNKNOWN ||
	    n->n_state >= NWC_CONNECTING));
}

int
sv_nwc_has_method(const struct supervisor *s, const char *m)
{
	const struct nwc	*n = s->sv_nwc;
	const char		*p;
	size_t			 len = strlen(m);

	if (n == NULL)
		return (0);
	/* no info event: ask, and let the wallet say NOT_IMPLEMENTED */
	if (!n->n_info_seen)
		return (1);
	for (p = n->n_methods; (p = strstr(p, m)) != NULL; p += len)
		if ((p == n->n_methods || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0'))
			return (1);
	return (0);
}

static struct nwc_call *
nwc_find_seq(struct supervisor *s, uint64_t seq)
{
	struct nwc_call	*c;

	TAILQ_FOREACH(c, &s->sv_nwc->n_calls, nc_entry)
		if (c->nc_seq == seq)
			return (c);
	return (NULL);
}

static void
nwc_call_free(struct supervisor *s, struct nwc_call *c)
{
	TAILQ_REMOVE(&s->sv_nwc->n_calls, c, nc_entry);
	s->sv_nwc->n_ncalls--;
	if (c->nc_timer != NULL)
		event_free(c->nc_timer);
	free(c->nc_req);
	free(c->nc_event);
	free(c);
}

/* The call is over: its callback runs once, then it is gone. */
static void
nwc_call_end(struct supervisor *s, struct nwc_call *c, int result,
    yajl_val v, const char *why)
{
	nwc_cb	 cb = c->nc_cb;
	void	*arg = c->nc_arg;

	nwc_call_free(s, c);
	cb(s, arg, result, v, why);
}

static void
nwc_timeout(int fd, short ev, void *arg)
{
	struct nwc_call		*c = arg;
	struct supervisor	*s = c->nc_sv;
	struct nwc		*n = s->sv_nwc;
	char			 why[128];

	(void)fd;
	(void)ev;
	n->n_timeouts++;
	if (n->n_state == NWC_CONNECTED || n->n_state == NWC_CONNECTING) {
		log_warnx("wallet: no answer to %s in %" PRId64 " s%s; the "
		    "wallet looks unreachable", c->nc_method,
		    s->sv_conf.c_wallet_timeout_secs, c->nc_phase == NCP_WAIT ?
		    " (its relays' subscription is not open)" : "");
		n->n_state = NWC_UNREACHABLE;
		(void)strlcpy(n->n_error, "no answer in time",
		    sizeof(n->n_error));
	}
	(void)snprintf(why, sizeof(why), "no answer from the wallet in %"
	    PRId64 " s", s->sv_conf.c_wallet_timeout_secs);
	nwc_call_end(s, c, NWC_R_TIMEOUT, NULL, why);
}

/*
 * Ask the wallet: method and params (a JSON object's text, NULL for
 * {}).  cb runs exactly once, later, with the answer or why there is
 * none; -1 (and no callback) when no wallet is set up.
 */
int
sv_nwc_call(struct supervisor *s, const char *method, const char *params,
    nwc_cb cb, void *arg)
{
	struct nwc	*n = s->sv_nwc;
	struct nwc_call	*c;
	struct jb	 jb;
	struct timeval	 tv;

	if (n == NULL || n->n_state < NWC_CONNECTING)
		return (-1);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("%s", __func__);
	c->nc_sv = s;
	c->nc_seq = ++nwc_seq;
	(void)strlcpy(c->nc_method, method, sizeof(c->nc_method));
	c->nc_cb = cb;
	c->nc_arg = arg;
	if (jb_init(&jb) == -1)
		fatal("%s: jb_init", __func__);
	jb_open(&jb);
	jb_kstr(&jb, "method", method);
	jb_key(&jb, "params");
	if (params != NULL)
		jb_raw(&jb, params, strlen(params));
	else {
		jb_open(&jb);
		jb_close(&jb);
	}
	jb_close(&jb);
	if (jb_finish(&jb, &c->nc_req, &c->nc_reqlen) == -1)
		fatalx("%s: request JSON", __func__);
	jb_free(&jb);
	if ((c->nc_timer = evtimer_new(s->sv_base, nwc_timeout, c)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	tv.tv_sec = s->sv_conf.c_wallet_timeout_secs;
	tv.tv_usec = 0;
	if (evtimer_add(c->nc_timer, &tv) == -1)
		fatal("%s: evtimer_add", __func__);
	TAILQ_INSERT_TAIL(&n->n_calls, c, nc_entry);
	n->n_ncalls++;
	nwc_pump(s);
	return (0);
}

static void
nwc_send(struct supervisor *s, struct nwc_call *c)
{
	c->nc_pub = sv_relay_publish_to(s, c->nc_event, c->nc_eventlen,
	    RELAY_ROLE_WALLET);
	c->nc_phase = c->nc_pub == 0 ? NCP_WAIT : NCP_SENT;
	if (c->nc_pub != 0)
		log_debug("wallet: %s sent as %s", c->nc_method, c->nc_id);
}

static void
nwc_signed(void *arg, int status, const void *data, size_t len)
{
	struct nwc_ref		*r = arg;
	struct supervisor	*s = r->nr_sv;
	struct nwc_call		*c = nwc_find_seq(s, r->nr_seq);
	struct nostr_event	 ev;
	char			 why[256];

	free(r);
	if (c == NULL)
		return;
	if (status != WALLET_OK || event_parse(data, len, NULL, &ev, NULL,
	    0) == -1) {
		(void)snprintf(why, sizeof(why), "walletd could not make the "
		    "request: %.*s", (int)(len > 160 ? 160 : len),
		    status != WALLET_OK ? (const char *)data : "bad event");
		log_warnx("wallet: %s", why);
		nwc_call_end(s, c, NWC_R_NOWALLET, NULL, why);
		return;
	}
	hex_encode(ev.ev_id, sizeof(ev.ev_id), c->nc_id);
	nostr_event_free(&ev);
	if ((c->nc_event = malloc(len)) == NULL)
		fatal("%s", __func__);
	memcpy(c->nc_event, data, len);
	c->nc_eventlen = len;
	/* a relayd restart meanwhile: wait for the answers' subscription */
	if (nwc_ready(s->sv_nwc))
		nwc_send(s, c);
	else
		c->nc_phase = NCP_WAIT;
}

/* Whether a request may go out: both subscriptions stand. */
static int
nwc_ready(const struct nwc *n)
{
	return (n->n_state >= NWC_CONNECTING && n->n_sub_eose &&
	    (n->n_info_seen || n->n_info_eose));
}

static void
nwc_pump(struct supervisor *s)
{
	struct nwc	*n = s->sv_nwc;
	struct nwc_call	*c;
	struct nwc_ref	*r;
	uint32_t	 out = 0;

	if (!nwc_ready(n))
		return;
	TAILQ_FOREACH(c, &n->n_calls, nc_entry)
		if (c->nc_phase != NCP_WAIT)
			out++;
	TAILQ_FOREACH(c, &n->n_calls, nc_entry) {
		if (c->nc_phase != NCP_WAIT)
			continue;
		/* the rest wait their turn (and may time out waiting) */
		if (out++ >= NWC_CALLS_MAX)
			break;
		if (c->nc_event != NULL) {
			nwc_send(s, c);
			continue;
		}
		if ((r = calloc(1, sizeof(*r))) == NULL)
			fatal("%s", __func__);
		r->nr_sv = s;
		r->nr_seq = c->nc_seq;
		c->nc_phase = NCP_SIGN;
		if (sv_wallet_requestf(s, WALLET_OP_NWC_REQUEST,
		    (uint32_t)n->n_enc, NULL, c->nc_req, c->nc_reqlen,
		    nwc_signed, r) == -1) {
			free(r);
			c->nc_phase = NCP_WAIT;
			return;
		}
	}
}

static void
nwc_retry_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	nwc_pump(arg);
}

static void
nwc_retry_soon(struct supervisor *s)
{
	struct timeval	 tv = { 1, 0 };

	if (nwc_retry_ev == NULL && (nwc_retry_ev = evtimer_new(s->sv_base,
	    nwc_retry_cb, s)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	if (!evtimer_pending(nwc_retry_ev, NULL) &&
	    evtimer_add(nwc_retry_ev, &tv) == -1)
		fatal("%s: evtimer_add", __func__);
}

/* relayd's outcome for a request: 1 when it was one of ours. */
int
sv_nwc_published(struct supervisor *s, uint64_t reqid, uint32_t nok,
    const char *msg)
{
	struct nwc_call	*c;

	if (s->sv_nwc == NULL)
		return (0);
	TAILQ_FOREACH(c, &s->sv_nwc->n_calls, nc_entry)
		if (c->nc_pub == reqid && c->nc_pub != 0)
			break;
	if (c == NULL)
		return (0);
	if (nok == 0 && c->nc_phase == NCP_SENT) {
		/* not taken (a relay still subscribing): again, in a while */
		log_debug("wallet: %s not taken%s%s; again in 1 s",
		    c->nc_method, msg[0] != '\0' ? ": " : "", msg);
		c->nc_phase = NCP_WAIT;
		nwc_retry_soon(s);
	}
	return (1);
}

/* Every call ends; used when the connection changes or the suite stops. */
static void
nwc_calls_cancel(struct supervisor *s, const char *why)
{
	struct nwc_call	*c;

	while ((c = TAILQ_FIRST(&s->sv_nwc->n_calls)) != NULL)
		nwc_call_end(s, c, NWC_R_NOWALLET, NULL, why);
}

void
sv_nwc_shutdown(struct supervisor *s)
{
	if (s->sv_nwc != NULL)
		nwc_calls_cancel(s, "the provider is stopping");
}

/*
 * (Re)read the connection: after the unlock, and when `wallet connect`
 * rewrote wallet.enc.  walletd opens it with the passphrase it kept.
 */
void
sv_nwc_load(struct supervisor *s)
{
	struct helper	*h = &s->sv_helpers[PROC_WALLETD];
	struct nwc	*n = s->sv_nwc;
	int		 fd;

	if (n == NULL || !s->sv_unlocked || !h->h_iev_open)
		return;
	nwc_calls_cancel(s, "the wallet connection changed");
	n->n_gen++;
	n->n_info_seen = n->n_info_eose = n->n_sub_eose = 0;
	n->n_info_at = 0;
	n->n_methods[0] = '\0';
	n->n_notifications[0] = n->n_alias[0] = n->n_network[0] = '\0';
	n->n_balance_msats = -1;
	if ((fd = open(s->sv_paths.p_wallet, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1) {
		if (errno != ENOENT)
			log_warn("%s", s->sv_paths.p_wallet);
		n->n_state = errno == ENOENT ? NWC_NONE : NWC_BAD;
		(void)snprintf(n->n_error, sizeof(n->n_error), "%s: %s",
		    s->sv_paths.p_wallet, strerror(errno));
		n->n_nrelays = 0;
		if (n->n_state == NWC_NONE && s->sv_conf.c_payment_mode !=
		    PAYMENT_FREE)
			log_warnx("no wallet connected (%s): jobs are refused "
			    "with E007 until 'openagents provider wallet "
			    "connect' is run, or [payments] mode = \"free\"",
			    s->sv_paths.p_wallet);
		sv_relay_sync(s, 1);
		return;
	}
	if (imsgev_compose(&h->h_iev, IMSG_WALLET_NWC_FILE, 0, 0, fd, NULL,
	    0) == -1)
		fatal("%s: compose", __func__);
}

void
sv_nwc_info(struct supervisor *s, struct imsg *imsg)
{
	struct nwc		*n = s->sv_nwc;
	struct msg_nwc_info	 mn;
	size_t			 i;

	if (imsg_get_data(imsg, &mn, sizeof(mn)) == -1 ||
	    mn.mn_nrelays > NWC_RELAYS_MAX) {
		helper_violation(s, &s->sv_helpers[PROC_WALLETD],
		    "bad wallet connection message");
		return;
	}
	mn.mn_error[sizeof(mn.mn_error) - 1] = '\0';
	mn.mn_lud16[sizeof(mn.mn_lud16) - 1] = '\0';
	n->n_nrelays = 0;
	switch (mn.mn_result) {
	case 0:
		break;
	case 1:
		n->n_state = NWC_NONE;
		(void)strlcpy(n->n_error, "no wallet connected",
		    sizeof(n->n_error));
		sv_relay_sync(s, 1);
		return;
	default:
		n->n_state = NWC_BAD;
		(void)snprintf(n->n_error, sizeof(n->n_error), "%s: %s",
		    s->sv_paths.p_wallet, mn.mn_error);
		log_warnx("wallet: %s", n->n_error);
		sv_relay_sync(s, 1);
		return;
	}
	memcpy(n->n_wallet, mn.mn_wallet, sizeof(n->n_wallet));
	memcpy(n->n_client, mn.mn_client, sizeof(n->n_client));
	hex_encode(n->n_wallet, sizeof(n->n_wallet), n->n_wallet_hex);
	hex_encode(n->n_client, sizeof(n->n_client), n->n_client_hex);
	for (i = 0; i < mn.mn_nrelays; i++) {
		mn.mn_relays[i][sizeof(mn.mn_relays[i]) - 1] = '\0';
		(void)strlcpy(n->n_relays[n->n_nrelays++], mn.mn_relays[i],
		    sizeof(n->n_relays[0]));
	}
	(void)strlcpy(n->n_lud16, mn.mn_lud16, sizeof(n->n_lud16));
	n->n_state = NWC_CONNECTING;
	n->n_error[0] = '\0';
	n->n_enc = NWC_ENC_NIP04;
	log_info("wallet %.16s… through %s%s", n->n_wallet_hex,
	    n->n_nrelays > 0 ? n->n_relays[0] : "no relay",
	    n->n_nrelays > 1 ? " and more" : "");
	sv_relay_sync(s, 1);
}

/* A new relayd: the subscriptions are made again, the calls resent. */
void
sv_nwc_relayd_ready(struct supervisor *s)
{
	struct nwc	*n = s->sv_nwc;
	struct nwc_call	*c;

	if (n == NULL)
		return;
	n->n_sub_eose = n->n_info_eose = 0;
	TAILQ_FOREACH(c, &n->n_calls, nc_entry)
		if (c->nc_phase == NCP_SENT)
			c->nc_phase = NCP_WAIT;
}

void
sv_nwc_eose(struct supervisor *s, const char *subid)
{
	struct nwc	*n = s->sv_nwc;

	if (n == NULL || n->n_state < NWC_CONNECTING)
		return;
	if (strcmp(subid, "oa-nwc") == 0) {
		if (!n->n_sub_eose)
			log_debug("wallet: answer subscription open");
		n->n_sub_eose = 1;
	} else if (strcmp(subid, "oa-nwc-info") == 0) {
		if (!n->n_info_eose && !n->n_info_seen)
			log_warnx("wallet %.16s… has no info event (kind "
			    "13194) on its relays: using NIP-04",
			    n->n_wallet_hex);
		n->n_info_eose = 1;
	} else
		return;
	nwc_pump(s);
	nwc_ask_info(s);
}

static void
nwc_got_info(struct supervisor *s, void *arg, int result, yajl_val v,
    const char *why)
{
	struct nwc	*n = s->sv_nwc;
	const char	*str;

	(void)arg;
	if (result != NWC_R_OK) {
		log_debug("wallet: get_info: %s", why != NULL ? why : "no");
		return;
	}
	if ((str = js_str(v, "alias")) != NULL)
		nwc_clean(n->n_alias, sizeof(n->n_alias), str);
	if ((str = js_str(v, "network")) != NULL)
		nwc_clean(n->n_network, sizeof(n->n_network), str);
	log_info("wallet: %s on %s", n->n_alias[0] != '\0' ? n->n_alias :
	    "(no alias)", n->n_network[0] != '\0' ? n->n_network :
	    "an unnamed network");
}

/*
 * Once the connection stands, ask the wallet what it is: the network
 * its invoices must be on (sv_pay.c checks), and the alias for status.
 */
static void
nwc_ask_info(struct supervisor *s)
{
	struct nwc	*n = s->sv_nwc;

	if (n->n_info_asked == n->n_gen + 1 || !nwc_ready(n) ||
	    !sv_nwc_has_method(s, "get_info"))
		return;
	n->n_info_asked = n->n_gen + 1;
	(void)sv_nwc_call(s, "get_info", NULL, nwc_got_info, NULL);
}

/* The info event: its methods, notifications and encryptions. */
static void
nwc_info_event(struct supervisor *s, const struct nostr_event *ev)
{
	struct nwc		*n = s->sv_nwc;
	const struct event_tag	*t;
	size_t			 i, len;
	int			 first = !n->n_info_seen;

	if (n->n_info_seen && ev->ev_created_at < n->n_info_at)
		return;		/* an older one */
	/* the methods are words: anything else is dropped below */
	len = ev->ev_contentlen < sizeof(n->n_methods) ?
	    ev->ev_contentlen : sizeof(n->n_methods) - 1;
	if (ev->ev_content != NULL)
		memcpy(n->n_methods, ev->ev_content, len);
	n->n_methods[len] = '\0';
	for (i = 0; i < len; i++)
		if ((unsigned char)n->n_methods[i] < 0x21 ||
		    (unsigned char)n->n_methods[i] > 0x7e)
			n->n_methods[i] = ' ';
	n->n_enc = NWC_ENC_NIP04;
	if ((t = event_tag_find(ev, "encryption", NULL)) != NULL &&
	    t->t_nvals >= 2 && strstr(t->t_vals[1].es_ptr, "nip44_v2") != NULL)
		n->n_enc = NWC_ENC_NIP44;
	n->n_notifications[0] = '\0';
	if ((t = event_tag_find(ev, "notifications", NULL)) != NULL &&
	    t->t_nvals >= 2)
		nwc_clean(n->n_notifications, sizeof(n->n_notifications),
		    t->t_vals[1].es_ptr);
	n->n_info_seen = 1;
	n->n_info_at = ev->ev_created_at;
	if (first)
		log_info("wallet offers: %s (%s)", n->n_methods,
		    n->n_enc == NWC_ENC_NIP44 ? "nip44_v2" : "nip04");
	nwc_pump(s);
	nwc_ask_info(s);
}

static void
nwc_opened(void *arg, int status, const void *data, size_t len)
{
	struct nwc_ref		*r = arg;
	struct supervisor	*s = r->nr_sv;
	struct nwc		*n = s->sv_nwc;
	struct nwc_call		*c = nwc_find_seq(s, r->nr_seq);
	yajl_val		 root, err, res;
	const char		*type, *code, *msg;
	char			 why[300], perr[128];

	free(r);
	if (c == NULL)
		return;
	if (status != WALLET_OK) {
		log_warnx("wallet: an answer to %s does not open: %.*s",
		    c->nc_method, (int)(len > 160 ? 160 : len),
		    (const char *)data);
		c->nc_phase = NCP_SENT;		/* the real one may follow */
		return;
	}
	if ((root = js_parse(data, len, perr, sizeof(perr))) == NULL ||
	    !YAJL_IS_OBJECT(root)) {
		log_warnx("wallet: the answer to %s is not JSON: %s",
		    c->nc_method, perr);
		yajl_tree_free(root);
		c->nc_phase = NCP_SENT;
		return;
	}
	type = js_str(root, "result_type");
	if (type != NULL && strcmp(type, c->nc_method) != 0) {
		nwc_clean(perr, sizeof(perr), type);
		log_warnx("wallet: answer of type %s to our %s: ignored", perr,
		    c->nc_method);
		yajl_tree_free(root);
		c->nc_phase = NCP_SENT;
		return;
	}
	n->n_answers++;
	n->n_last_answer = (int64_t)time(NULL);
	if (n->n_state != NWC_CONNECTED)
		log_info("wallet: connected (it answered %s)", c->nc_method);
	n->n_state = NWC_CONNECTED;
	n->n_error[0] = '\0';
	err = js_get(root, "error");
	if (err != NULL && YAJL_IS_OBJECT(err)) {
		code = js_str(err, "code");
		msg = js_str(err, "message");
		(void)snprintf(why, sizeof(why), "%s: %s", code != NULL ?
		    code : "OTHER", msg != NULL ? msg : "no message");
		nwc_clean(why, sizeof(why), why);
		nwc_call_end(s, c, NWC_R_ERROR, NULL, why);
	} else if ((res = js_get(root, "result")) == NULL ||
	    !YAJL_IS_OBJECT(res))
		nwc_call_end(s, c, NWC_R_ERROR, NULL, "OTHER: no result");
	else
		nwc_call_end(s, c, NWC_R_OK, res, NULL);
	yajl_tree_free(root);
}

static void
nwc_notified(void *arg, int status, const void *data, size_t len)
{
	struct nwc_ref		*r = arg;
	struct supervisor	*s = r->nr_sv;
	yajl_val		 root, note;
	const char		*type;

	free(r);
	if (status != WALLET_OK) {
		log_warnx("wallet: a notification does not open: %.*s",
		    (int)(len > 160 ? 160 : len), (const char *)data);
		return;
	}
	if ((root = js_parse(data, len, NULL, 0)) == NULL) {
		log_warnx("wallet: a notification is not JSON");
		return;
	}
	type = js_str(root, "notification_type");
	note = js_get(root, "notification");
	if (type != NULL && strcmp(type, "payment_received") == 0 &&
	    note != NULL && YAJL_IS_OBJECT(note))
		sv_pay_notified(s, note);
	else
		log_debug("wallet: notification %s", type != NULL ? type :
		    "of no type");
	yajl_tree_free(root);
}

/* What arrived on the wallet's subscriptions. */
void
sv_nwc_event(struct supervisor *s, const struct nostr_event *ev,
    const char *json, size_t len)
{
	struct nwc		*n = s->sv_nwc;
	struct nwc_call		*c;
	struct nwc_ref		*r;
	const struct event_tag	*t;
	char			 id[65];
	sv_wallet_cb		 cb;

	if (n == NULL || n->n_state < NWC_CONNECTING)
		return;
	hex_encode(ev->ev_id, sizeof(ev->ev_id), id);
	/* relays do not always apply "authors": we do */
	if (memcmp(ev->ev_pubkey, n->n_wallet, sizeof(n->n_wallet)) != 0) {
		n->n_forged++;
		log_warnx("wallet: event %s of kind %u is not from the wallet "
		    "service: ignored", id, ev->ev_kind);
		return;
	}
	switch (ev->ev_kind) {
	case 13194:
		nwc_info_event(s, ev);
		return;
	case 23195:
		c = NULL;
		if ((t = event_tag_find(ev, "e", NULL)) != NULL &&
		    t->t_nvals >= 2 && t->t_vals[1].es_len == 64)
			TAILQ_FOREACH(c, &n->n_calls, nc_entry)
				if (c->nc_phase == NCP_SENT &&
				    strcmp(c->nc_id, t->t_vals[1].es_ptr) == 0)
					break;
		if (c == NULL) {
			log_info("wallet: answer %s names no request waiting "
			    "(late or replayed): ignored", id);
			return;
		}
		c->nc_phase = NCP_OPEN;
		cb = nwc_opened;
		break;
	case 23196:
	case 23197:
		c = NULL;
		cb = nwc_notified;
		break;
	default:
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		fatal("%s", __func__);
	r->nr_sv = s;
	r->nr_seq = c != NULL ? c->nc_seq : 0;
	if (sv_wallet_request(s, WALLET_OP_NWC_OPEN, NULL, json, len, cb,
	    r) == -1) {
		free(r);
		if (c != NULL)
			c->nc_phase = NCP_SENT;
	}
}

/* ---- `openagents provider wallet status` ---- */

struct nwc_ctl {
	uint32_t	 nt_ctlid;
	uint32_t	 nt_gen;
	int		 nt_asked_balance;
};

/* A space-separated list (the info event's) as a JSON array of words. */
static void
jb_words(struct jb *jb, const char *key, const char *list)
{
	const char	*p, *q;
	char		 word[64];

	jb_key(jb, key);
	jb_aopen(jb);
	for (p = list; *p != '\0'; p = q) {
		while (*p == ' ')
			p++;
		for (q = p; *q != '\0' && *q != ' '; q++)
			;
		if (q > p && (size_t)(q - p) < sizeof(word)) {
			memcpy(word, p, (size_t)(q - p));
			word[q - p] = '\0';
			jb_str(jb, word);
		}
	}
	jb_aclose(jb);
}

static void
nwc_ctl_reply(struct supervisor *s, uint32_t ctlid)
{
	struct nwc	*n = s->sv_nwc;
	struct jb	 jb;
	char		*out;
	size_t		 len, i;

	if (jb_init(&jb) == -1)
		fatal("%s: jb_init", __func__);
	jb_open(&jb);
	jb_key(&jb, "configured");
	jb_bool(&jb, n->n_state >= NWC_CONNECTING || n->n_state == NWC_BAD);
	jb_kstr(&jb, "state", sv_nwc_state_name(n->n_state));
	jb_kstr(&jb, "error", n->n_error);
	if (n->n_state >= NWC_CONNECTING) {
		jb_kstr(&jb, "wallet_pubkey", n->n_wallet_hex);
		jb_kstr(&jb, "client_pubkey", n->n_client_hex);
		jb_key(&jb, "relays");
		jb_aopen(&jb);
		for (i = 0; i < n->n_nrelays; i++)
			jb_str(&jb, n->n_relays[i]);
		jb_aclose(&jb);
		jb_kstr(&jb, "lud16", n->n_lud16);
		jb_kstr(&jb, "encryption", n->n_enc == NWC_ENC_NIP44 ?
		    "nip44_v2" : "nip04");
		jb_words(&jb, "methods", n->n_methods);
		jb_words(&jb, "notifications", n->n_notifications);
		jb_kstr(&jb, "alias", n->n_alias);
		jb_kstr(&jb, "network", n->n_network);
	}
	jb_key(&jb, "balance_msats");
	if (n->n_balance_msats >= 0)
		jb_int(&jb, n->n_balance_msats);
	else
		jb_raw(&jb, "null", 4);
	jb_kint(&jb, "open_invoices", (int64_t)sv_pay_open_count(s));
	jb_kint(&jb, "last_answer_at", n->n_last_answer);
	jb_kint(&jb, "answers", (int64_t)n->n_answers);
	jb_kint(&jb, "timeouts", (int64_t)n->n_timeouts);
	jb_kint(&jb, "forged", (int64_t)n->n_forged);
	jb_close(&jb);
	if (jb_finish(&jb, &out, &len) == -1)
		out = NULL;
	jb_free(&jb);
	if (out == NULL || len + IMSG_HEADER_SIZE > CTL_MAXMSG) {
		free(out);
		out = strdup("{\"configured\":true,\"state\":\"error\","
		    "\"error\":\"the status does not fit a control message\"}");
		if (out == NULL)
			fatal("%s", __func__);
		len = strlen(out);
	}
	control_forward(s, ctlid, IMSG_CTL_WALLET, out, len);
	free(out);
}

static void
nwc_ctl_answer(struct supervisor *s, void *arg, int result, yajl_val v,
    const char *why)
{
	struct nwc_ctl	*t = arg;
	struct nwc	*n = s->sv_nwc;
	const char	*str;
	int64_t		 bal;

	if (t->nt_gen != n->n_gen) {
		nwc_ctl_reply(s, t->nt_ctlid);
		free(t);
		return;
	}
	if (result == NWC_R_OK && !t->nt_asked_balance) {
		if ((str = js_str(v, "alias")) != NULL)
			nwc_clean(n->n_alias, sizeof(n->n_alias), str);
		if ((str = js_str(v, "network")) != NULL)
			nwc_clean(n->n_network, sizeof(n->n_network), str);
	} else if (result == NWC_R_OK) {
		if (js_int(v, "balance", &bal) == 0 && bal >= 0)
			n->n_balance_msats = bal;
	} else if (why != NULL && result != NWC_R_TIMEOUT)
		nwc_clean(n->n_error, sizeof(n->n_error), why);
	if (!t->nt_asked_balance && result == NWC_R_OK &&
	    sv_nwc_has_method(s, "get_balance")) {
		t->nt_asked_balance = 1;
		if (sv_nwc_call(s, "get_balance", NULL, nwc_ctl_answer,
		    t) == 0)
			return;
	}
	nwc_ctl_reply(s, t->nt_ctlid);
	free(t);
}

/* Ask the wallet what it is (and holds, where it lets us), then tell. */
void
sv_nwc_ctl_status(struct supervisor *s, uint32_t ctlid)
{
	struct nwc_ctl	*t;

	if (s->sv_nwc->n_state < NWC_CONNECTING ||
	    !sv_nwc_has_method(s, "get_info")) {
		nwc_ctl_reply(s, ctlid);
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		fatal("%s", __func__);
	t->nt_ctlid = ctlid;
	t->nt_gen = s->sv_nwc->n_gen;
	if (sv_nwc_call(s, "get_info", NULL, nwc_ctl_answer, t) == -1) {
		free(t);
		nwc_ctl_reply(s, ctlid);
	}
}
