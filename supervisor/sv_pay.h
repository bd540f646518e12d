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
 * Payments in the supervisor: the NIP-47 client (sv_nwc.c) and what the
 * jobs do with it (sv_pay.c).  walletd holds the connection's secret and
 * makes and opens every wallet event; relayd carries them to the relays
 * the connection names (RELAY_ROLE_WALLET); here are the requests in
 * flight, their timeouts, the wallet's state, and the invoices we wait
 * on.  Money is in the ledger: an invoice is written there, synced,
 * before any event carries it, and a payment is counted once.
 */

#ifndef OA_SV_PAY_H
#define OA_SV_PAY_H

#include <stddef.h>
#include <stdint.h>

#include <bsd/sys/queue.h>

#include <yajl/yajl_tree.h>

#include "msg.h"
#include "util.h"

struct supervisor;
struct nostr_event;
struct job;

enum nwc_state {
	NWC_UNKNOWN = 0,	/* walletd has not said yet */
	NWC_NONE,		/* no wallet.enc: not configured */
	NWC_BAD,		/* wallet.enc does not open or parse */
	NWC_CONNECTING,		/* waiting for the subscriptions */
	NWC_CONNECTED,		/* the wallet answered lately */
	NWC_UNREACHABLE		/* its last request went unanswered */
};

/* what a call's callback is told */
enum nwc_result {
	NWC_R_OK = 0,		/* result holds the answer's "result" */
	NWC_R_ERROR,		/* the wallet said no: why = "CODE: text" */
	NWC_R_TIMEOUT,		/* no answer in request_timeout_secs */
	NWC_R_NOWALLET		/* not configured, or going away */
};

typedef void (*nwc_cb)(struct supervisor *, void *, int, yajl_val,
    const char *);

struct nwc_call;
TAILQ_HEAD(nwc_calls, nwc_call);

struct pay_inv;
TAILQ_HEAD(pay_invs, pay_inv);

#define NWC_CALLS_MAX		64	/* in flight; more wait their turn */
#define NWC_METHODS_MAX		512
#define PAY_LOOKUPS_MAX		8	/* lookup_invoice in flight */
#define PAY_EXPIRY_GRACE	30	/* seconds past expiry, then a last look */
#define PAY_RETRY_SECS		2	/* a failed invoice request, again */

struct nwc {
	int		 n_state;		/* enum nwc_state */
	char		 n_error[OA_PATH_MAX + 300];
	uint8_t		 n_wallet[32];
	uint8_t		 n_client[32];
	char		 n_wallet_hex[65];
	char		 n_client_hex[65];
	char		 n_relays[NWC_RELAYS_MAX][512];
	size_t		 n_nrelays;
	char		 n_lud16[NWC_LUD16_MAX];
	int		 n_enc;			/* enum nwc_encryption */
	int		 n_info_seen;		/* a 13194 came */
	int		 n_info_eose;		/* its subscription is done */
	int		 n_sub_eose;		/* the answers' one stands */
	int64_t		 n_info_at;		/* its created_at */
	char		 n_methods[NWC_METHODS_MAX];	/* space-separated */
	char		 n_notifications[256];
	char		 n_alias[128];
	char		 n_network[32];
	int64_t		 n_balance_msats;	/* -1 unknown */
	uint32_t	 n_info_asked;		/* n_gen + 1 when get_info went */
	int64_t		 n_last_answer;		/* unix seconds */
	uint64_t	 n_answers, n_timeouts, n_forged;
	struct nwc_calls n_calls;
	uint32_t	 n_ncalls;
	uint32_t	 n_gen;			/* a new connection */

	/* sv_pay.c: open invoices we look up */
	struct pay_invs	 n_invs;
	uint32_t	 n_ninvs;
	uint32_t	 n_lookups;		/* in flight */
	struct event	*n_tick;
};

/* sv_nwc.c */
void	 sv_nwc_init(struct supervisor *);
void	 sv_nwc_load(struct supervisor *);
void	 sv_nwc_info(struct supervisor *, struct imsg *);
void	 sv_nwc_relayd_ready(struct supervisor *);
void	 sv_nwc_eose(struct supervisor *, const char *);
void	 sv_nwc_event(struct supervisor *, const struct nostr_event *,
	    const char *, size_t);
int	 sv_nwc_published(struct supervisor *, uint64_t, uint32_t,
	    const char *);
int	 sv_nwc_call(struct supervisor *, const char *, const char *,
	    nwc_cb, void *);
int	 sv_nwc_usable(const struct supervisor *);
int	 sv_nwc_has_method(const struct supervisor *, const char *);
const char *sv_nwc_state_name(int);
void	 nwc_clean(char *, size_t, const char *);
void	 sv_nwc_shutdown(struct supervisor *);
/* the wallet's relays for relayd, NULL past the last */
const char *sv_nwc_relay(const struct supervisor *, size_t);
void	 sv_nwc_ctl_status(struct supervisor *, uint32_t);

/* sv_pay.c */
void	 sv_pay_init(struct supervisor *);
int	 job_pay_wait(struct job *);
void	 job_pay_first(struct job *);
void	 job_pay_start(struct job *);
void	 job_invoice(struct job *);
void	 sv_pay_notified(struct supervisor *, yajl_val);
void	 job_pay_drop(struct job *);
void	 jobs_dispute_event(struct supervisor *, const struct nostr_event *);
uint32_t sv_pay_open_count(const struct supervisor *);

#endif /* OA_SV_PAY_H */
