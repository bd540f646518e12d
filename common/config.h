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
 * The configuration model: every key of the provider guide plus the
 * additions of DESIGN.md §6, with defaults.  config_load() reads a
 * TOML file; an unknown key, a wrong type or an out-of-range value is
 * an error naming file:line and the key.
 */

#ifndef OA_CONFIG_H
#define OA_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_LIST		32	/* entries in any list key */
#define CONF_STR		256	/* short strings (names, patterns) */
#define CONF_URL		512	/* URLs, paths, e-mail addresses */

/* Job types the Bazaar defines (PROTOCOL.md §A.2). */
enum job_type {
	JOB_PATCHGEN = 0,	/* 5932 */
	JOB_CODEREVIEW,		/* 5933 */
	JOB_REPOINDEX,		/* 5931 */
	JOB_SANDBOXRUN,		/* 5930 */
	JOB_TEXTGEN,		/* 5050 */
	JOB_TYPE_MAX
};

enum isolation_mode {
	ISOLATION_LOCAL = 0,
	ISOLATION_CONTAINER,
	ISOLATION_GVISOR,
	ISOLATION_FIRECRACKER
};

enum tunnel_provider {
	TUNNEL_NGROK = 0,
	TUNNEL_CLOUDFLARE,
	TUNNEL_NOSTR,
	TUNNEL_MANUAL
};

enum schedule_mode {
	SCHEDULE_ALWAYS = 0,
	SCHEDULE_SCHEDULE,
	SCHEDULE_MANUAL
};

enum agent_backend {
	AGENT_CODEX = 0,
	AGENT_CLAUDE,
	AGENT_COMMAND
};

enum payment_mode {
	PAYMENT_PAY_AFTER_VERIFY = 0,
	PAYMENT_PAY_FIRST,
	PAYMENT_FREE
};

struct conf_strlist {
	char		 v[CONF_MAX_LIST][CONF_URL];
	size_t		 n;
};

struct conf_pricing {
	int		 set;			/* a [pricing.X] table exists */
	int64_t		 base;			/* sats */
	int64_t		 per_file;		/* sats */
	int64_t		 per_1k_tokens;		/* sats */
	int64_t		 max;			/* sats; 0 = no cap */
	int64_t		 tier_premium_pct;	/* percent, 0..100 */
};

struct conf {
	char			 c_path[CONF_URL];	/* file it came from */

	/* [identity] */
	char			 c_pubkey[CONF_STR];	/* npub1..., may be "" */

	/* [worker] */
	int64_t			 c_capacity;
	unsigned int		 c_job_types;	/* bit (1 << enum job_type) */
	enum isolation_mode	 c_isolation;
	char			 c_model_pattern[CONF_STR];
	int64_t			 c_max_context_tokens;
	struct conf_strlist	 c_allowed_tools;
	struct conf_strlist	 c_allow_local_repos;

	/* [pricing.<JobType>] */
	struct conf_pricing	 c_pricing[JOB_TYPE_MAX];

	/* [tunnel] */
	enum tunnel_provider	 c_tunnel;
	char			 c_endpoint_url[CONF_URL];
	struct conf_strlist	 c_proxy_allowlist;

	/* [relays] */
	struct conf_strlist	 c_relays;

	/* [schedule] */
	enum schedule_mode	 c_schedule;
	unsigned int		 c_weekdays;	/* bit 0 = Sunday ... 6 */
	int			 c_hours_from;	/* minutes after midnight */
	int			 c_hours_to;
	char			 c_timezone[CONF_STR];

	/* [alerts] */
	char			 c_webhook_url[CONF_URL];
	char			 c_email[CONF_URL];
	double			 c_alert_success_rate;	/* percent */
	int64_t			 c_alert_min_interval;	/* secs, per kind */

	/* [agent] */
	enum agent_backend	 c_agent;
	char			 c_agent_command[CONF_URL];
	char			 c_agent_model[CONF_STR];

	/* [wallet] */
	char			 c_wallet_backend[CONF_STR];	/* "nwc" */
	int64_t			 c_invoice_expiry_secs;
	int64_t			 c_wallet_timeout_secs;	/* one NWC answer */
	int64_t			 c_wallet_outage_secs;	/* then E007 */
	int64_t			 c_wallet_poll_secs;	/* lookup_invoice */

	/* [payments] */
	enum payment_mode	 c_payment_mode;

	/* [limits] */
	int64_t			 c_limit_event_bytes;
	int64_t			 c_limit_repo_bytes;
	int64_t			 c_limit_time_secs;
	int64_t			 c_limit_memory_mb;
	int64_t			 c_limit_pids;
	int64_t			 c_limit_disk_mb;

	/* [proxy] */
	char			 c_proxy_upstream[CONF_URL];	/* https:// */
	char			 c_proxy_api_key_env[CONF_STR];
	char			 c_proxy_api_key_file[CONF_URL];
	int64_t			 c_proxy_requests_per_minute;
	int64_t			 c_proxy_daily_requests;
};

/* Fill with the documented defaults. */
void		 config_defaults(struct conf *);

/*
 * Load a file over the defaults.  On error -1 is returned and err holds
 * "FILE:LINE: key 'worker.capacity': reason".  A missing file is an
 * error too: callers decide whether defaults alone are acceptable.
 */
int		 config_load(struct conf *, const char *, char *, size_t);

/* Same, from a buffer; name is used in messages. */
int		 config_parse(struct conf *, const char *, const char *, size_t,
		    char *, size_t);

const char	*config_job_type_name(enum job_type);
int		 config_job_type_lookup(const char *);
int		 config_job_type_kind(enum job_type);
const char	*config_isolation_name(enum isolation_mode);
const char	*config_schedule_name(enum schedule_mode);
const char	*config_payment_name(enum payment_mode);
const char	*config_agent_name(enum agent_backend);
const char	*config_tunnel_name(enum tunnel_provider);

#endif /* OA_CONFIG_H */
