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
 * Every message type of the suite and the fixed wire structures.  A
 * dispatcher handles a closed set of these and treats anything else
 * from an internal peer as a protocol violation.  Directions are in the
 * names: _REQ/_RES for requests and answers, CTL_ for the control
 * socket.
 */

#ifndef OA_MSG_H
#define OA_MSG_H

#include <sys/socket.h>

#include <stdint.h>

#define OA_PROTO_VERSION	1

enum imsg_type {
	IMSG_NONE = 0,

	/* helper -> supervisor, once, after the sandbox is up */
	IMSG_HELPER_READY,
	/* supervisor -> helper */
	IMSG_HELPER_SHUTDOWN,
	IMSG_HELPER_VERBOSE,

	/* supervisor -> walletd: the passphrase, identity.enc as the fd */
	IMSG_WALLET_UNLOCK = 20,
	/* walletd -> supervisor: struct msg_unlocked */
	IMSG_WALLET_UNLOCKED,
	/* supervisor -> walletd: struct msg_wallet_req + data */
	IMSG_WALLET_REQ,
	/* walletd -> supervisor: struct msg_wallet_res + data */
	IMSG_WALLET_RES,
	/* supervisor -> walletd: wallet.enc as the fd, nothing else */
	IMSG_WALLET_NWC_FILE,
	/* walletd -> supervisor: struct msg_nwc_info, the public half */
	IMSG_WALLET_NWC_INFO,

	/* supervisor -> relayd */
	IMSG_RELAY_CONF = 40,	/* struct msg_relay_conf */
	IMSG_RELAY_CONF_URL,	/* struct msg_relay_url, one per relay */
	IMSG_RELAY_CONF_END,	/* nothing: apply the list */
	IMSG_RELAY_ADDRS,	/* struct msg_relay_addrs */
	IMSG_RELAY_SUBSCRIBE,	/* struct msg_relay_sub + filters JSON */
	IMSG_RELAY_UNSUBSCRIBE,	/* struct msg_relay_sub */
	IMSG_RELAY_PUBLISH,	/* struct msg_relay_pub + event JSON */
	IMSG_RELAY_AUTH_SIGNED,	/* struct msg_relay_auth + event JSON */
	IMSG_RELAY_STATS_REQ,	/* nothing; peerid names the asker */
	/* relayd -> supervisor */
	IMSG_RELAY_RESOLVE = 60, /* struct msg_relay_resolve */
	IMSG_RELAY_EVENT,	/* struct msg_relay_event + event JSON */
	IMSG_RELAY_PUBLISHED,	/* struct msg_relay_published */
	IMSG_RELAY_AUTH_REQ,	/* struct msg_relay_authreq */
	IMSG_RELAY_STATS,	/* struct ctl_relay; peerid as asked */
	IMSG_RELAY_STATS_END,	/* nothing; peerid as asked */
	IMSG_RELAY_EOSE,	/* struct msg_relay_event, nothing else */

	/* supervisor -> workerd: struct msg_work + work order JSON */
	IMSG_WORK_START = 80,
	IMSG_WORK_CANCEL,	/* struct msg_work, nothing else */
	/* workerd -> supervisor: struct msg_work + JSON */
	IMSG_WORK_PROGRESS = 85,
	IMSG_WORK_DONE,

	/* supervisor -> verifyd: struct msg_verify + JSON */
	IMSG_VERIFY_REQ = 90,
	/* verifyd -> supervisor: struct msg_verify + JSON verdict */
	IMSG_VERIFY_RES,

	/* supervisor -> relayd: the proxy's listening socket as the fd */
	IMSG_PROXY_CONF = 95,	/* struct msg_proxy_conf + allow-list */
	/* relayd -> supervisor */
	IMSG_PROXY_STATS,	/* struct msg_proxy_stats, on every refusal */

	/* supervisor -> relayd: struct msg_alert_post + JSON body */
	IMSG_ALERT_POST = 120,

	/* control socket: client -> supervisor */
	IMSG_CTL_STATUS_REQ = 100,
	IMSG_CTL_RELOAD_REQ,
	IMSG_CTL_STOP_REQ,
	IMSG_CTL_VERBOSE_REQ,
	IMSG_CTL_RELAYS_REQ,
	IMSG_CTL_WALLET_REQ,	/* nothing: ask the wallet, answer JSON */
	IMSG_CTL_WALLET_RELOAD,	/* nothing: wallet.enc was rewritten */
	IMSG_CTL_PAUSE_REQ,	/* nothing: take no new jobs until resumed */
	IMSG_CTL_RESUME_REQ,	/* nothing */
	/* control socket: supervisor -> client */
	IMSG_CTL_STATUS_SUMMARY = 200,
	IMSG_CTL_STATUS_PROC,
	IMSG_CTL_RESULT,
	IMSG_CTL_END,
	IMSG_CTL_RELAY,		/* struct ctl_relay */
	IMSG_CTL_WALLET		/* JSON text, see ctl_wallet.c */
};

struct msg_ready {
	uint32_t	mr_version;	/* OA_PROTO_VERSION */
	int32_t		mr_role;	/* enum proc_id */
	int32_t		mr_pid;
	uint32_t	mr_sandbox;	/* enum sandbox_mode in force */
};
_Static_assert(sizeof(struct msg_ready) == 16, "msg_ready layout");

struct msg_verbose {
	int32_t		mv_level;
};
_Static_assert(sizeof(struct msg_verbose) == 4, "msg_verbose layout");

/*
 * walletd.  The passphrase travels once, at start; the answer carries
 * the public key and never anything secret.
 */
#define WALLET_PASS_MAX		1024
#define WALLET_FILE_MAX		(64 * 1024)	/* identity.enc */

enum wallet_unlock_result {
	WALLET_UNLOCK_OK = 0,
	WALLET_UNLOCK_BADPASS,		/* GCM tag check failed */
	WALLET_UNLOCK_FORMAT,		/* not an identity file we read */
	WALLET_UNLOCK_MNEMONIC,		/* decrypts, but no valid mnemonic */
	WALLET_UNLOCK_AGAIN		/* already unlocked */
};

struct msg_unlocked {
	int32_t		mu_result;	/* enum wallet_unlock_result */
	uint8_t		mu_pubkey[32];	/* x-only, when OK */
	char		mu_error[220];	/* why, when not OK */
};
_Static_assert(sizeof(struct msg_unlocked) == 256, "msg_unlocked layout");

/*
 * What walletd does for the suite, and nothing else.  SIGN takes an
 * unsigned event template as JSON and answers the signed event as
 * JSON, under the kind policy; the ciphers take the peer's x-only key
 * and the plaintext or payload.
 */
enum wallet_op {
	WALLET_OP_SIGN = 1,
	WALLET_OP_NIP04_ENCRYPT,
	WALLET_OP_NIP04_DECRYPT,
	WALLET_OP_NIP44_ENCRYPT,
	WALLET_OP_NIP44_DECRYPT,
	/*
	 * NIP-47, with the connection's own secret, never the identity's.
	 * NWC_REQUEST: data = the plaintext request JSON
	 * {"method":…,"params":{…}}, wr_flags = enum nwc_encryption;
	 * answer = the signed kind-23194 event JSON (tags p, encryption,
	 * expiration), to publish to the wallet relays.
	 */
	WALLET_OP_NWC_REQUEST,
	/*
	 * NWC_OPEN: data = a kind 23195, 23196 or 23197 event as relayd
	 * delivered it; walletd checks the author is the wallet service,
	 * that a p tag names the connection's key and the signature, and
	 * answers the decrypted content (JSON text).  A wrong author is
	 * WALLET_REFUSED ("forged"), an undecryptable one WALLET_FAILED.
	 */
	WALLET_OP_NWC_OPEN,
	/*
	 * BOLT11_CHECK: data = struct msg_bolt11_check + the invoice
	 * text; decodes it (common/bolt11.h), checks the signature and
	 * what is asked, and answers JSON {"network","amount_msats",
	 * "payment_hash","timestamp","expiry","expires_at","payee",
	 * "description"}; a failed check is WALLET_BADINPUT with why.
	 */
	WALLET_OP_BOLT11_CHECK
};

enum nwc_encryption {
	NWC_ENC_NIP04 = 0,	/* no "encryption" tag in the info event */
	NWC_ENC_NIP44 = 1	/* "nip44_v2" offered */
};

struct msg_wallet_req {
	uint64_t	wr_reqid;	/* echoed in the answer */
	uint32_t	wr_op;		/* enum wallet_op */
	uint32_t	wr_flags;	/* per op; 0 unless said */
	uint8_t		wr_peer[32];	/* the ciphers' other party */
};
_Static_assert(sizeof(struct msg_wallet_req) == 48, "msg_wallet_req layout");

enum wallet_status {
	WALLET_OK = 0,
	WALLET_REFUSED,			/* outside the policy; logged */
	WALLET_BADINPUT,		/* the data does not parse */
	WALLET_LOCKED,			/* no identity unlocked yet */
	WALLET_FAILED			/* the crypto said no */
};

struct msg_wallet_res {
	uint64_t	ws_reqid;
	uint32_t	ws_op;
	int32_t		ws_status;	/* enum wallet_status; data: why */
};
_Static_assert(sizeof(struct msg_wallet_res) == 16, "msg_wallet_res layout");

struct msg_bolt11_check {
	int64_t		bc_amount_msats;	/* must equal; -1 any */
	int64_t		bc_now;			/* unix seconds */
	int64_t		bc_min_expiry;		/* seconds left at bc_now */
	char		bc_payment_hash[65];	/* hex to equal, or "" */
	char		bc_pad[7];
};
_Static_assert(sizeof(struct msg_bolt11_check) == 96, "msg_bolt11_check");

/*
 * What walletd tells of the wallet connection: public keys and relays
 * only.  mn_result: 0 loaded, 1 no file (not configured), 2 the file
 * does not open (mn_error says why), 3 the URI inside does not parse.
 */
#define NWC_RELAYS_MAX		4
#define NWC_LUD16_MAX		128
struct msg_nwc_info {
	int32_t		mn_result;
	uint32_t	mn_nrelays;
	uint8_t		mn_wallet[32];		/* the wallet service's key */
	uint8_t		mn_client[32];		/* the key of our secret */
	char		mn_relays[NWC_RELAYS_MAX][512];	/* RELAY_URL_MAX */
	char		mn_lud16[NWC_LUD16_MAX];
	char		mn_error[256];
};

/*
 * relayd.  The supervisor gives it the relay list, the identity's public
 * key (for #p filters and AUTH), the subscriptions and what to publish;
 * relayd gives back validated events only, and per-publish outcomes.
 * relayd has no resolver: it asks, and gets addresses.
 */
#define RELAY_URL_MAX		512
#define RELAY_MAX		32
#define RELAY_ADDRS_MAX		4

struct msg_relay_conf {
	uint8_t		rc_pubkey[32];
	uint64_t	rc_max_event;		/* bytes of one event */
	uint32_t	rc_nrelays;		/* CONF_URL messages to follow */
	uint32_t	rc_pad;
};
_Static_assert(sizeof(struct msg_relay_conf) == 48, "msg_relay_conf");

/*
 * What a relay is for.  Job subscriptions and results go to JOBS
 * relays; the wallet's subscriptions and requests to WALLET relays (the
 * ones the NWC URI names); a relay may be both.  0 means JOBS, for the
 * messages written before roles.
 */
#define RELAY_ROLE_JOBS		0x1
#define RELAY_ROLE_WALLET	0x2

struct msg_relay_url {
	char		ru_url[RELAY_URL_MAX];
	uint32_t	ru_roles;
	uint32_t	ru_pad;
};

/* Resolve ids from here up are the proxy's connections, not relays. */
#define RELAY_RESOLVE_PROXY	0x80000000U

struct msg_relay_resolve {
	uint32_t	rr_relay;		/* relayd's id for the relay */
	uint32_t	rr_pad;
	char		rr_host[256];
	char		rr_port[8];
};

struct msg_relay_addrs {
	uint32_t		ra_relay;
	int32_t			ra_error;	/* EAI_* or 0 */
	uint32_t		ra_naddrs;
	uint32_t		ra_pad;
	struct sockaddr_storage	ra_addrs[RELAY_ADDRS_MAX];
	uint32_t		ra_addrlens[RELAY_ADDRS_MAX];
};

#define RELAY_SUBID_LEN		64
struct msg_relay_sub {
	char		rs_subid[RELAY_SUBID_LEN + 1];
	char		rs_pad[3];
	uint32_t	rs_roles;		/* to which relays */
	int64_t		rs_since;		/* 0: as the filters say */
};
_Static_assert(sizeof(struct msg_relay_sub) == 80, "msg_relay_sub");

struct msg_relay_event {
	char		re_subid[RELAY_SUBID_LEN + 1];
	char		re_pad[3];
	uint32_t	re_relay;
};
_Static_assert(sizeof(struct msg_relay_event) == 72, "msg_relay_event");

/*
 * A WALLET publish goes only to wallet relays on which every WALLET
 * subscription has had its EOSE (NIP-47 answers are ephemeral: a
 * request sent before the subscription stands may be answered into
 * the void); the others count as failed, "subscription not open".
 */
struct msg_relay_pub {
	uint64_t	rp_reqid;
	uint32_t	rp_roles;		/* to which relays */
	uint32_t	rp_pad;
};

struct msg_relay_published {
	uint64_t	rd_reqid;
	uint32_t	rd_nrelays;
	uint32_t	rd_nok;			/* OK true, duplicate included */
	uint32_t	rd_nfail;
	uint32_t	rd_pad;
	char		rd_msg[256];		/* a failure's reason, if any */
};

struct msg_relay_authreq {
	uint64_t	ra_reqid;
	uint32_t	ra_relay;
	uint32_t	ra_pad;
	char		ra_url[RELAY_URL_MAX];
	char		ra_challenge[4097];	/* RELAY_TEXT_MAX + 1 */
	char		ra_pad2[7];
};

struct msg_relay_auth {
	uint64_t	rau_reqid;
	uint32_t	rau_relay;
	int32_t		rau_status;		/* enum wallet_status */
};

/*
 * workerd.  One work order per phase of a job; the JSON schemas are in
 * workerd/work.h.  The job id names the folder jobs/<job_id>/ that both
 * sides use for artifacts.
 */
#define WORK_JOBID_LEN		40

enum work_phase {
	WORK_PHASE_AGENT = 1,	/* fetch, filter, run the agent */
	WORK_PHASE_TEST,	/* apply the patch afresh, run the tests */
	WORK_PHASE_RUN		/* SandboxRun: fetch, run the command */
};

struct msg_work {
	char		mw_job[WORK_JOBID_LEN];	/* NUL-terminated */
	uint32_t	mw_phase;		/* enum work_phase */
	uint32_t	mw_pad;
};
_Static_assert(sizeof(struct msg_work) == 48, "msg_work layout");

/*
 * verifyd: pure functions over JSON documents; schemas in
 * verifyd/verify.h.
 */
enum verify_what {
	VERIFY_PATCH = 1,	/* parse, count, path rules, hash */
	VERIFY_REVIEW,		/* StructuredReview schema and checks */
	VERIFY_RESULT		/* the verdict and the result tags */
};

struct msg_verify {
	uint64_t	mv_reqid;		/* echoed in the answer */
	uint32_t	mv_what;		/* enum verify_what */
	uint32_t	mv_pad;
};
_Static_assert(sizeof(struct msg_verify) == 16, "msg_verify layout");

/*
 * relayd's egress proxy for the agents.  The supervisor creates the
 * listening unix socket in the jobs folder and passes it; relayd never
 * opens a path.  The allow-list follows as NUL-separated host names.
 */
#define PROXY_KEY_MAX		512

struct msg_proxy_conf {
	char		pc_upstream[RELAY_URL_MAX];	/* model API base */
	char		pc_key[PROXY_KEY_MAX];		/* "" = inject none */
	uint32_t	pc_per_minute;			/* 0 = no cap */
	uint32_t	pc_per_day;
	uint32_t	pc_nhosts;
	uint32_t	pc_pad;
};

struct msg_proxy_stats {
	uint64_t	ps_allowed;
	uint64_t	ps_refused;
	uint64_t	ps_capped;
	char		ps_last[256];	/* the last refusal, for the log */
};

/*
 * An alert for the webhook ([alerts] webhook_url).  The supervisor
 * resolves the host (relayd has no resolver); relayd POSTs the body to
 * the first address that answers, https:// anywhere, http:// only to a
 * loopback address, and logs the outcome.  No answer comes back.
 */
#define ALERT_BODY_MAX		4096

struct msg_alert_post {
	char			ap_url[RELAY_URL_MAX];
	uint32_t		ap_naddrs;
	uint32_t		ap_pad;
	struct sockaddr_storage	ap_addrs[RELAY_ADDRS_MAX];
	uint32_t		ap_addrlens[RELAY_ADDRS_MAX];
};

enum ctl_relay_state {
	CTL_RELAY_IDLE = 0,		/* not tried yet */
	CTL_RELAY_RESOLVING,
	CTL_RELAY_CONNECTING,		/* TCP, TLS, upgrade */
	CTL_RELAY_AUTHENTICATING,
	CTL_RELAY_OPEN,
	CTL_RELAY_BACKOFF,		/* waiting to reconnect */
	CTL_RELAY_THROTTLED		/* dropped for misbehaving */
};

struct ctl_relay {
	char		cr_url[RELAY_URL_MAX];
	char		cr_last_error[256];
	int64_t		cr_connected_since;	/* unix time, 0 = not */
	int64_t		cr_next_attempt;	/* unix time, when waiting */
	uint64_t	cr_events_in;		/* valid, delivered */
	uint64_t	cr_events_out;		/* published, OK true */
	uint64_t	cr_duplicates;
	uint64_t	cr_rejects;		/* bad events, bad messages */
	uint64_t	cr_errors;		/* failed connections, OK false */
	uint64_t	cr_notices;
	uint32_t	cr_state;		/* enum ctl_relay_state */
	uint32_t	cr_reconnects;
	int32_t		cr_rtt_ms;		/* -1 unknown */
	int32_t		cr_max_message;		/* NIP-11, 0 unknown */
	uint32_t	cr_auth;		/* 0 none, 1 asked, 2 done */
	uint32_t	cr_roles;		/* RELAY_ROLE_* */
};

enum ctl_proc_state {
	CTL_PROC_STARTING = 0,	/* spawned, not ready yet */
	CTL_PROC_RUNNING,
	CTL_PROC_RESTARTING,	/* dead, waiting for its backoff */
	CTL_PROC_STOPPED
};

struct ctl_summary {
	char		cs_version[16];
	char		cs_npub[80];
	char		cs_config[512];
	char		cs_sandbox[16];
	char		cs_last_reload_error[512];
	int64_t		cs_started;	/* unix time */
	int64_t		cs_now;
	int32_t		cs_pid;
	uint32_t	cs_nprocs;	/* CTL_STATUS_PROC messages to follow */
	uint32_t	cs_capacity;
	uint32_t	cs_job_types;	/* bit (1 << enum job_type) */
	uint32_t	cs_reloads;
	uint32_t	cs_reload_failures;
	int32_t		cs_landlock_abi;
	uint32_t	cs_isolation;	/* enum isolation_mode */
	uint32_t	cs_nrelays;
	uint32_t	cs_busy;	/* jobs holding a worker */
	uint32_t	cs_queued;	/* accepted, waiting for one */
	uint32_t	cs_unpaid;	/* pay_first, waiting for payment */
	uint32_t	cs_paused;	/* by `provider pause` */
	uint32_t	cs_taking;	/* taking jobs now (schedule, pause) */
	int32_t		cs_tier;
	uint32_t	cs_wallet_state; /* enum nwc_state, sv_pay.h */
	uint32_t	cs_open_invoices;
	uint32_t	cs_capacity_now;	/* capacity, as the tier allows */
	uint32_t	cs_pad;
	int64_t		cs_today_done;	/* since local midnight */
	int64_t		cs_today_earned_sats;
	int64_t		cs_success_permille;	/* all time; -1 none yet */
	char		cs_wallet_state_name[16];
};
_Static_assert(sizeof(struct ctl_summary) == 1272, "ctl_summary layout");

struct ctl_proc {
	char		cp_name[16];
	int64_t		cp_started;	/* unix time of the current instance */
	int64_t		cp_next_start;	/* unix time, when RESTARTING */
	int32_t		cp_pid;		/* 0 when not running */
	uint32_t	cp_state;	/* enum ctl_proc_state */
	uint32_t	cp_restarts;
	int32_t		cp_last_status;	/* wait status of the last death */
};
_Static_assert(sizeof(struct ctl_proc) == 48, "ctl_proc layout");

enum ctl_result_code {
	CTL_RES_OK = 0,
	CTL_RES_FAIL,
	CTL_RES_PARSE_ERROR,
	CTL_RES_DENIED
};

struct ctl_result {
	int32_t		cr_code;	/* enum ctl_result_code */
	char		cr_msg[1020];
};
_Static_assert(sizeof(struct ctl_result) == 1024, "ctl_result layout");

/* The control socket carries small messages only. */
#define CTL_MAXMSG		4096

#endif /* OA_MSG_H */
