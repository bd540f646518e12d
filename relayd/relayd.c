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
 * openagents-relayd: all network I/O of the suite: the Nostr relays
 * (relay.c) and the agents' egress proxy (proxy.c).  It turns the supervisor's subscriptions and
 * publications into WebSocket traffic and hands back only events it has
 * checked itself.
 *
 * Started only by openagentsd, with its channel on fd 3.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <sodium.h>

#include "imsg.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "proc_child.h"
#include "proxy.h"
#include "relay_msg.h"
#include "relayd.h"
#include "secp.h"
#include "webhook.h"
#include "ws.h"

#define RELAYD_SEEN_MAX		65536	/* ids remembered for dedupe */

static void	relayd_init(struct proc_child *);
static int	relayd_dispatch(struct proc_child *, struct imsg *);
static void	relayd_shutdown(struct proc_child *);

static struct proc_child	relayd = {
	.pc_id = PROC_RELAYD,
	.pc_init = relayd_init,
	.pc_dispatch = relayd_dispatch,
	.pc_shutdown = relayd_shutdown,
};

static struct relayd	 relayd_state;
struct relayd		*rd = &relayd_state;

/* Before the sandbox: certificates, randomness, the verify context. */
static void
relayd_init(struct proc_child *pc)
{
	char	 err[256];

	rd->rd_pc = pc;
	rd->rd_base = pc->pc_base;
	TAILQ_INIT(&rd->rd_relays);
	TAILQ_INIT(&rd->rd_subs);
	TAILQ_INIT(&rd->rd_pubs);
	event_limits_default(&rd->rd_limits);
	if (sodium_init() == -1)
		fatalx("sodium_init");
	(void)secp_ctx();
	if ((rd->rd_seen = dedupe_new(RELAYD_SEEN_MAX)) == NULL)
		fatal("dedupe_new");
	if ((rd->rd_tls = ws_tls_context(NULL, err,
	    sizeof(err))) == NULL)
		fatalx("TLS: %s", err);
}

static void
relayd_shutdown(struct proc_child *pc)
{
	(void)pc;
	proxy_shutdown();
	relay_shutdown();
	webhook_shutdown();
}

/* The payload after a fixed header, as the header's size says. */
static int
relayd_split(struct imsg *imsg, void *hdr, size_t hdrlen, struct ibuf *rest)
{
	if (imsg_get_ibuf(imsg, rest) == -1 || ibuf_get(rest, hdr,
	    hdrlen) == -1)
		return (-1);
	return (0);
}

static int
relayd_dispatch(struct proc_child *pc, struct imsg *imsg)
{
	struct msg_relay_conf	 rc;
	struct msg_relay_url	 ru;
	struct msg_relay_addrs	 ra;
	struct msg_relay_sub	 rs;
	struct msg_relay_pub	 rp;
	struct msg_relay_auth	 au;
	struct msg_proxy_conf	 pxc;
	struct msg_alert_post	 ap;
	struct ibuf		 rest;

	(void)pc;
	switch (imsg_get_type(imsg)) {
	case IMSG_RELAY_CONF:
		if (imsg_get_data(imsg, &rc, sizeof(rc)) == -1)
			fatalx("bad relay configuration");
		relay_conf_begin(&rc);
		return (0);
	case IMSG_RELAY_CONF_URL:
		if (imsg_get_data(imsg, &ru, sizeof(ru)) == -1)
			fatalx("bad relay URL message");
		ru.ru_url[sizeof(ru.ru_url) - 1] = '\0';
		relay_conf_url(&ru);
		return (0);
	case IMSG_RELAY_CONF_END:
		if (imsg_get_len(imsg) != 0)
			fatalx("bad relay configuration end");
		relay_conf_end();
		return (0);
	case IMSG_RELAY_ADDRS:
		if (imsg_get_data(imsg, &ra, sizeof(ra)) == -1)
			fatalx("bad address message");
		if (ra.ra_relay & RELAY_RESOLVE_PROXY)
			proxy_addrs(&ra);
		else
			relay_addrs(&ra);
		return (0);
	case IMSG_PROXY_CONF:
		if (relayd_split(imsg, &pxc, sizeof(pxc), &rest) == -1)
			fatalx("bad proxy configuration");
		proxy_conf(&pxc, ibuf_data(&rest), ibuf_size(&rest),
		    imsg_get_fd(imsg));
		explicit_bzero(&pxc, sizeof(pxc));
		return (0);
	case IMSG_RELAY_SUBSCRIBE:
	case IMSG_RELAY_UNSUBSCRIBE:
		if (relayd_split(imsg, &rs, sizeof(rs), &rest) == -1)
			fatalx("bad subscription message");
		rs.rs_subid[sizeof(rs.rs_subid) - 1] = '\0';
		if (rs.rs_subid[0] == '\0')
			fatalx("subscription without an id");
		if (imsg_get_type(imsg) == IMSG_RELAY_SUBSCRIBE)
			relay_subscribe(&rs, ibuf_data(&rest),
			    ibuf_size(&rest));
		else if (ibuf_size(&rest) != 0)
			fatalx("bad unsubscribe message");
		else
			relay_unsubscribe(&rs);
		return (0);
	case IMSG_RELAY_PUBLISH:
		if (relayd_split(imsg, &rp, sizeof(rp), &rest) == -1 ||
		    ibuf_size(&rest) == 0)
			fatalx("bad publish message");
		relay_publish(&rp, ibuf_data(&rest), ibuf_size(&rest));
		return (0);
	case IMSG_RELAY_AUTH_SIGNED:
		if (relayd_split(imsg, &au, sizeof(au), &rest) == -1)
			fatalx("bad AUTH message");
		relay_auth_signed(&au, ibuf_data(&rest), ibuf_size(&rest));
		return (0);
	case IMSG_ALERT_POST:
		if (relayd_split(imsg, &ap, sizeof(ap), &rest) == -1 ||
		    ibuf_size(&rest) == 0 || ibuf_size(&rest) > ALERT_BODY_MAX ||
		    ap.ap_naddrs == 0 || ap.ap_naddrs > RELAY_ADDRS_MAX)
			fatalx("bad alert message");
		ap.ap_url[sizeof(ap.ap_url) - 1] = '\0';
		webhook_post(&ap, ibuf_data(&rest), ibuf_size(&rest));
		return (0);
	case IMSG_RELAY_STATS_REQ:
		if (imsg_get_len(imsg) != 0)
			fatalx("bad stats request");
		relay_stats(imsg_get_id(imsg));
		return (0);
	default:
		return (-1);
	}
}

int
main(int argc, char *argv[])
{
	return (proc_child_main(argc, argv, &relayd));
}
