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

#ifndef OA_SUPERVISOR_H
#define OA_SUPERVISOR_H

#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include <bsd/sys/queue.h>

#include "config.h"
#include "jobs.h"
#include "proc.h"
#include "sandbox.h"
#include "util.h"

struct imsg;
struct msg_wallet_res;

struct event;
struct event_base;

struct supervisor;

struct helper {
	struct supervisor	*h_sv;
	enum proc_id		 h_id;
	char			 h_path[OA_PATH_MAX];
	pid_t			 h_pid;		/* 0 when not running */
	uint32_t		 h_state;	/* enum ctl_proc_state */
	int			 h_ready;
	struct imsgev		 h_iev;
	int			 h_iev_open;
	time_t			 h_started;
	int64_t			 h_started_ms;
	uint32_t		 h_restarts;
	uint32_t		 h_backoff;	/* consecutive short lives */
	int			 h_last_status;
	time_t			 h_next_start;
	struct event		*h_restart_ev;
};

/* serve flags that override the file, re-applied on every reload */
struct overrides {
	int64_t			 o_capacity;	/* 0 = not given */
	char			 o_job_types[CONF_URL];
	char			 o_isolation[CONF_STR];
	char			 o_agent[CONF_URL];
	struct conf_strlist	 o_relays;
};

struct ctl_conn;
TAILQ_HEAD(ctl_conns, ctl_conn);
struct nwc;

/* the supervisor's subscriptions with relayd (sv_relay.c) */
enum sv_sub {
	SV_SUB_JOBS = 0,	/* broad, and addressed to us by #p */
	SV_SUB_REFS,		/* deletions naming us, disputes */
	SV_SUB_NWC,		/* NIP-47 answers and notifications */
	SV_SUB_CANCEL,		/* deletions of the requests we work on */
	SV_SUB_NWCINFO,		/* the wallet service's kind 13194 */
	SV_SUB_MAX
};

/* an answer from walletd: status is an enum wallet_status */
typedef void (*sv_wallet_cb)(void *, int, const void *, size_t);

struct wallet_pending {
	TAILQ_ENTRY(wallet_pending)	 wp_entry;
	uint64_t			 wp_reqid;
	uint32_t			 wp_op;
	sv_wallet_cb			 wp_cb;
	void				*wp_arg;
};
TAILQ_HEAD(wallet_pendings, wallet_pending);

struct supervisor {
	struct event_base	*sv_base;
	struct oa_paths		 sv_paths;
	struct conf		 sv_conf;
	struct overrides	 sv_over;
	struct helper		 sv_helpers[PROC_MAX];
	enum sandbox_mode	 sv_sandbox;
	int			 sv_foreground;
	int			 sv_verbose;
	time_t			 sv_started;
	int			 sv_online_logged;
	int			 sv_ready_fd;	/* to the parent, until online */
	int			 sv_ready_sent;

	/* identity: the passphrase until walletd has it, then the key */
	char			*sv_pass;	/* sodium_malloc'd */
	int			 sv_unlocked;
	uint8_t			 sv_pubkey[32];
	char			 sv_npub[80];
	uint64_t		 sv_wallet_reqid;
	struct wallet_pendings	 sv_wallet_pending;

	/* shutdown: phase 1 stops the workers, phase 2 the key holder */
	int			 sv_stopping;
	int			 sv_stop_phase;
	int			 sv_exit_code;
	struct event		*sv_stop_ev;

	uint32_t		 sv_reloads;
	uint32_t		 sv_reload_failures;
	char			 sv_reload_error[512];

	/* control socket */
	int			 sv_ctl_fd;
	struct event		*sv_ctl_ev;
	struct event		*sv_ctl_pause_ev;
	struct ctl_conns	 sv_ctl_conns;
	uint32_t		 sv_ctl_nconns;
	uint32_t		 sv_ctl_lastid;

	/* relays: what relayd was told, and what it reported */
	int			 sv_relay_synced;
	int64_t			 sv_sub_since;		/* first subscription */
	int64_t			 sv_sub_last[SV_SUB_MAX]; /* newest seen */
	int			 sv_cancel_subscribed;
	int			 sv_nwc_subscribed;
	uint64_t		 sv_events_in;
	uint64_t		 sv_pub_reqid;
	int			 sv_lock_fd;

	/* jobs */
	struct ledger		*sv_ledger;
	struct jobq		 sv_jobs;	/* every live job */
	struct jobq		 sv_jobq;	/* accepted, waiting for a slot */
	uint64_t		 sv_verify_reqid;
	int			 sv_paused;
	int			 sv_jobs_resumed;
	unsigned int		 sv_jobs_gen;
	struct event		*sv_jobs_tick;
	struct event		*sv_pump_ev;

	/* the wallet (sv_nwc.c, sv_pay.c) */
	struct nwc		*sv_nwc;
};

/* supervisor.c */
int	 supervisor_reload(struct supervisor *, char *, size_t);
void	 supervisor_stop(struct supervisor *, int);
int	 supervisor_online(const struct supervisor *);
void	 supervisor_check_online(struct supervisor *);
void	 supervisor_startup_failed(struct supervisor *, const char *);
int	 supervisor_pause(struct supervisor *, int, char *, size_t);

/* supervisor_proc.c */
int	 helpers_locate(struct supervisor *, const char *);
void	 helpers_start(struct supervisor *);
void	 helpers_reap(struct supervisor *);
void	 helpers_stop_phase(struct supervisor *, int);
int	 helpers_alive(const struct supervisor *, int);
void	 helpers_kill_phase(struct supervisor *, int);
void	 helpers_verbose(struct supervisor *, int);
void	 helper_violation(struct supervisor *, struct helper *,
	    const char *);

/* sv_wallet.c */
int	 sv_identity_prepare(struct supervisor *, const char *, char *,
	    size_t);
void	 sv_wallet_unlock(struct supervisor *);
void	 sv_wallet_forget(struct supervisor *);
int	 sv_wallet_dispatch(struct supervisor *, struct imsg *);
int	 sv_wallet_request(struct supervisor *, uint32_t, const uint8_t *,
	    const void *, size_t, sv_wallet_cb, void *);
int	 sv_wallet_requestf(struct supervisor *, uint32_t, uint32_t,
	    const uint8_t *, const void *, size_t, sv_wallet_cb, void *);
int	 sv_wallet_complete(struct supervisor *,
	    const struct msg_wallet_res *, const void *, size_t);

/* control.c */
int	 control_init(struct supervisor *, char *, size_t);
void	 control_listen(struct supervisor *);
void	 control_cleanup(struct supervisor *);
void	 control_forward(struct supervisor *, uint32_t, uint32_t,
	    const void *, size_t);

/* sv_relay.c */
void	 sv_relay_sync(struct supervisor *, int);
int	 sv_relay_dispatch(struct supervisor *, struct imsg *);
int	 sv_relay_stats_req(struct supervisor *, uint32_t);
uint64_t sv_relay_publish(struct supervisor *, const void *, size_t);
uint64_t sv_relay_publish_to(struct supervisor *, const void *, size_t,
	    uint32_t);
void	 sv_relay_nwc_sync(struct supervisor *);
void	 sv_relay_cancel_sync(struct supervisor *);

/* sv_proxy.c */
void	 sv_proxy_sync(struct supervisor *);
int	 sv_proxy_dispatch(struct supervisor *, struct imsg *);

#endif /* OA_SUPERVISOR_H */
