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

#ifndef OA_RELAYD_H
#define OA_RELAYD_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>

#include <bsd/sys/queue.h>
#include <openssl/ssl.h>

#include "msg.h"
#include "nostr_event.h"
#include "nostr_filter.h"
#include "relay_msg.h"
#include "ws.h"

struct event;
struct event_base;
struct proc_child;
struct ws_conn;
struct dedupe;

#define RELAY_MAX_SUBS		16
#define RELAY_MAX_FILTERS	8

/* A subscription of the supervisor's, sent to the relays of its roles. */
struct sub {
	TAILQ_ENTRY(sub)	 s_entry;
	int			 s_slot;	/* index of per-relay state */
	char			 s_id[RELAY_SUBID_LEN + 1];
	uint32_t		 s_roles;	/* RELAY_ROLE_*, never 0 */
	struct nostr_filter	 s_filters[RELAY_MAX_FILTERS];
	size_t			 s_nfilters;
	int64_t			 s_since;	/* the supervisor's floor */
};
TAILQ_HEAD(subs, sub);

/* An event to publish on the relays of its roles, and how each answered. */
struct pub {
	TAILQ_ENTRY(pub)	 p_entry;
	uint64_t		 p_reqid;
	uint32_t		 p_roles;	/* RELAY_ROLE_*, never 0 */
	uint8_t			 p_id[EVENT_ID_LEN];
	char			*p_msg;		/* ["EVENT",{...}] */
	size_t			 p_len;
	uint32_t		 p_nok, p_nfail;
	uint32_t		 p_state[RELAY_MAX];	/* enum pub_state */
	char			 p_why[256];
	struct event		*p_timer;
};
TAILQ_HEAD(pubs, pub);

enum pub_state {
	PUB_WAITING = 0,	/* relay not open yet */
	PUB_SENT,
	PUB_AUTH_WAIT,		/* auth-required: resend after AUTH */
	PUB_OK,
	PUB_FAILED
};

struct relay {
	TAILQ_ENTRY(relay)	 r_entry;
	uint32_t		 r_id;		/* slot in RELAY_MAX */
	char			 r_url[RELAY_URL_MAX];
	uint32_t		 r_roles;	/* RELAY_ROLE_*, never 0 */
	struct ws_url		 r_wsurl;
	enum ctl_relay_state	 r_state;
	int64_t			 r_open_ms;	/* when the upgrade was done */
	struct ws_conn		*r_ws;
	struct event		*r_timer;	/* backoff, ping, handshake */
	int			 r_attempt;	/* failures in a row */
	int			 r_penalty;	/* throttled in a row */
	struct sockaddr_storage	 r_addrs[RELAY_ADDRS_MAX];
	socklen_t		 r_addrlens[RELAY_ADDRS_MAX];
	int			 r_naddrs, r_addri;
	int			 r_removed;	/* gone from the config */

	/* NIP-42 */
	char			 r_challenge[RELAY_TEXT_MAX + 1];
	int			 r_auth;	/* 0 none, 1 asked, 2 done */
	uint64_t		 r_auth_reqid;
	uint8_t			 r_auth_id[EVENT_ID_LEN];
	int			 r_sub_auth_wait[RELAY_MAX_SUBS];

	/* per subscription: newest created_at seen here */
	int64_t			 r_last_seen[RELAY_MAX_SUBS];
	int			 r_sub_open[RELAY_MAX_SUBS];
	/* EOSE seen since the REQ went out on this connection */
	int			 r_sub_eose[RELAY_MAX_SUBS];

	/* misbehaviour, over a sliding window */
	int64_t			 r_window_ms;
	uint32_t		 r_window_bad;
	uint32_t		 r_window_events;

	int64_t			 r_ping_sent_ms;
	int			 r_info_asked;
	struct ctl_relay	 r_stats;
};
TAILQ_HEAD(relays, relay);

struct relayd {
	struct proc_child	*rd_pc;
	struct event_base	*rd_base;
	SSL_CTX			*rd_tls;
	struct relays		 rd_relays;
	struct subs		 rd_subs;
	struct pubs		 rd_pubs;
	struct dedupe		*rd_seen;
	struct event_limits	 rd_limits;
	uint8_t			 rd_pubkey[32];
	int			 rd_configured;
	uint64_t		 rd_auth_reqid;
	/* the list being received: CONF, CONF_URL..., CONF_END */
	struct msg_relay_url	*rd_next;
	uint32_t		 rd_nnext, rd_wantnext;
};

extern struct relayd	*rd;

/* relay.c */
void	relay_conf_begin(const struct msg_relay_conf *);
void	relay_conf_url(const struct msg_relay_url *);
void	relay_conf_end(void);
void	relay_addrs(const struct msg_relay_addrs *);
void	relay_subscribe(const struct msg_relay_sub *, const char *, size_t);
void	relay_unsubscribe(const struct msg_relay_sub *);
void	relay_publish(const struct msg_relay_pub *, const char *, size_t);
void	relay_auth_signed(const struct msg_relay_auth *, const char *,
	    size_t);
void	relay_stats(uint32_t);
void	relay_shutdown(void);

#endif /* OA_RELAYD_H */
