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
 * provider status, reload and stop: the live commands.  They need the
 * daemon and exit 3 when it is not running.
 */

#include <sys/file.h>

#include <err.h>
#include <fcntl.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <yajl/yajl_gen.h>

#include "config.h"
#include "ctl.h"
#include "msg.h"
#include "proc.h"

#define CTL_REPLY_SECS	10

struct status_reply {
	struct ctl_summary	 sum;
	struct ctl_proc		 procs[PROC_MAX];
	size_t			 nprocs;
	int			 want_relays;
	int			 have_relays;	/* relayd answered */
	struct ctl_relay	 relays[RELAY_MAX];
	size_t			 nrelays;
};

static const char *relay_state_names[] = {
	[CTL_RELAY_IDLE] = "idle",
	[CTL_RELAY_RESOLVING] = "resolving",
	[CTL_RELAY_CONNECTING] = "connecting",
	[CTL_RELAY_AUTHENTICATING] = "auth",
	[CTL_RELAY_OPEN] = "open",
	[CTL_RELAY_BACKOFF] = "backoff",
	[CTL_RELAY_THROTTLED] = "throttled",
};

static const char *state_names[] = {
	[CTL_PROC_STARTING] = "starting",
	[CTL_PROC_RUNNING] = "running",
	[CTL_PROC_RESTARTING] = "restarting",
	[CTL_PROC_STOPPED] = "stopped",
};

static const struct option live_opts[] = {
	{ "json",	no_argument,		NULL,	'j' },
	{ "relays",	no_argument,		NULL,	'r' },
	{ "config",	required_argument,	NULL,	'c' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

static const char *
relay_state_name(uint32_t s)
{
	if (s >= sizeof(relay_state_names) / sizeof(relay_state_names[0]))
		return ("unknown");
	return (relay_state_names[s]);
}

/* 0 is JOBS, as from a relayd before roles */
static const char *
relay_roles_name(uint32_t roles)
{
	switch (roles) {
	case 0:
	case RELAY_ROLE_JOBS:
		return ("jobs");
	case RELAY_ROLE_WALLET:
		return ("wallet");
	case RELAY_ROLE_JOBS | RELAY_ROLE_WALLET:
		return ("jobs+wallet");
	default:
		return ("unknown");
	}
}

static const char *
state_name(uint32_t s)
{
	if (s >= sizeof(state_names) / sizeof(state_names[0]))
		return ("unknown");
	return (state_names[s]);
}

/*
 * Wait for one message with a deadline.  The daemon is local, so a
 * silent socket for this long means it is wedged, not slow.
 */
int
ctl_read(struct imsgbuf *ibuf, struct imsg *imsg, int secs)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 waited = 0;

	for (;;) {
		if ((n = imsg_get(ibuf, imsg)) == -1)
			return (-1);
		if (n > 0)
			return (0);
		pfd.fd = ibuf->fd;
		pfd.events = POLLIN;
		if ((n = poll(&pfd, 1, 1000)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (n == 0) {
			if (++waited >= secs) {
				errno = ETIMEDOUT;
				return (-1);
			}
			continue;
		}
		if ((n = imsgbuf_read(ibuf)) == -1)
			return (-1);
		if (n == 0) {
			errno = ECONNRESET;
			return (-1);
		}
	}
}

/*
 * Each relay as relayd counts it, asked after the status on the same
 * connection.  No relayd running: the list is empty and says so.
 */
static int
relays_fetch(struct imsgbuf *ibuf, struct status_reply *r)
{
	struct imsg		 imsg;
	struct ctl_relay	*cr;

	if (ctl_request(ibuf, IMSG_CTL_RELAYS_REQ, NULL, 0) == -1)
		return (-1);
	for (;;) {
		if (ctl_read(ibuf, &imsg, CTL_REPLY_SECS) == -1)
			return (-1);
		if (imsg_get_type(&imsg) == IMSG_CTL_END) {
			imsg_free(&imsg);
			return (0);
		}
		if (imsg_get_type(&imsg) != IMSG_CTL_RELAY ||
		    r->nrelays >= RELAY_MAX ||
		    imsg_get_data(&imsg, &r->relays[r->nrelays],
		    sizeof(r->relays[0])) == -1) {
			imsg_free(&imsg);
			errno = EBADMSG;
			return (-1);
		}
		imsg_free(&imsg);
		cr = &r->relays[r->nrelays++];
		cr->cr_url[sizeof(cr->cr_url) - 1] = '\0';
		cr->cr_last_error[sizeof(cr->cr_last_error) - 1] = '\0';
		r->have_relays = 1;
	}
}

static int
status_fetch(const struct oa_paths *p, struct status_reply *r, int relays)
{
	struct imsgbuf	 ibuf;
	struct imsg	 imsg;
	int		 done = 0, rv = -1;

	memset(r, 0, sizeof(*r));
	r->want_relays = relays;
	if (ctl_connect(p, &ibuf) == -1)
		return (-1);
	if (ctl_request(&ibuf, IMSG_CTL_STATUS_REQ, NULL, 0) == -1)
		goto out;
	while (!done) {
		if (ctl_read(&ibuf, &imsg, CTL_REPLY_SECS) == -1)
			goto out;
		switch (imsg_get_type(&imsg)) {
		case IMSG_CTL_STATUS_SUMMARY:
			if (imsg_get_data(&imsg, &r->sum, sizeof(r->sum)) ==
			    -1) {
				imsg_free(&imsg);
				goto out;
			}
			break;
		case IMSG_CTL_STATUS_PROC:
			if (r->nprocs >= PROC_MAX ||
			    imsg_get_data(&imsg, &r->procs[r->nprocs],
			    sizeof(r->procs[0])) == -1) {
				imsg_free(&imsg);
				errno = EBADMSG;
				goto out;
			}
			r->procs[r->nprocs].cp_name[
			    sizeof(r->procs[0].cp_name) - 1] = '\0';
			r->nprocs++;
			break;
		case IMSG_CTL_END:
			done = 1;
			break;
		default:
			imsg_free(&imsg);
			errno = EBADMSG;
			goto out;
		}
		imsg_free(&imsg);
	}
	/* strings from the wire are terminated here, whatever was sent */
	r->sum.cs_version[sizeof(r->sum.cs_version) - 1] = '\0';
	r->sum.cs_npub[sizeof(r->sum.cs_npub) - 1] = '\0';
	r->sum.cs_config[sizeof(r->sum.cs_config) - 1] = '\0';
	r->sum.cs_sandbox[sizeof(r->sum.cs_sandbox) - 1] = '\0';
	r->sum.cs_last_reload_error[
	    sizeof(r->sum.cs_last_reload_error) - 1] = '\0';
	if (relays && relays_fetch(&ibuf, r) == -1)
		goto out;
	rv = 0;
 out:
	imsgbuf_clear(&ibuf);
	(void)close(ibuf.fd);
	return (rv);
}

static int
not_running(int err)
{
	return (err == ENOENT || err == ECONNREFUSED);
}

static int
status_online(const struct status_reply *r)
{
	size_t	 i;

	for (i = 0; i < r->nprocs; i++)
		if (r->procs[i].cp_state != CTL_PROC_RUNNING)
			return (0);
	return (r->nprocs == PROC_MAX);
}

int
ctl_wait_online(const struct oa_paths *p, int secs, int *pid)
{
	static struct status_reply	 r;
	int			 i;

	for (i = 0; i < secs * 10; i++) {
		if (status_fetch(p, &r, 0) == 0 && status_online(&r)) {
			*pid = r.sum.cs_pid;
			return (0);
		}
		(void)usleep(100000);
	}
	return (-1);
}

static void
json_str(yajl_gen g, const char *s)
{
	(void)yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void
json_kv_str(yajl_gen g, const char *k, const char *v)
{
	json_str(g, k);
	json_str(g, v);
}

static void
json_kv_int(yajl_gen g, const char *k, long long v)
{
	json_str(g, k);
	(void)yajl_gen_integer(g, v);
}

static void
json_print(yajl_gen g)
{
	const unsigned char	*buf;
	size_t			 len;

	if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok)
		printf("%.*s\n", (int)len, buf);
	yajl_gen_free(g);
}

static void
status_json_offline(void)
{
	yajl_gen	 g;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		errx(EXIT_FAILED, "out of memory");
	(void)yajl_gen_config(g, yajl_gen_beautify, 1);
	(void)yajl_gen_map_open(g);
	json_kv_str(g, "status", "offline");
	(void)yajl_gen_map_close(g);
	json_print(g);
}

static void
relays_json(yajl_gen g, const struct status_reply *r)
{
	const struct ctl_relay	*cr;
	size_t			 i;

	json_str(g, "relays");
	(void)yajl_gen_array_open(g);
	for (i = 0; i < r->nrelays; i++) {
		cr = &r->relays[i];
		(void)yajl_gen_map_open(g);
		json_kv_str(g, "url", cr->cr_url);
		json_kv_str(g, "state", relay_state_name(cr->cr_state));
		json_kv_str(g, "roles", relay_roles_name(cr->cr_roles));
		json_kv_int(g, "connected_since", cr->cr_connected_since);
		json_kv_int(g, "connected_secs", cr->cr_connected_since > 0 ?
		    r->sum.cs_now - cr->cr_connected_since : 0);
		json_kv_int(g, "next_attempt", cr->cr_next_attempt);
		json_kv_int(g, "events_in", (long long)cr->cr_events_in);
		json_kv_int(g, "events_out", (long long)cr->cr_events_out);
		json_kv_int(g, "duplicates", (long long)cr->cr_duplicates);
		json_kv_int(g, "rejects", (long long)cr->cr_rejects);
		json_kv_int(g, "errors", (long long)cr->cr_errors);
		json_kv_int(g, "notices", (long long)cr->cr_notices);
		json_kv_int(g, "reconnects", cr->cr_reconnects);
		json_kv_int(g, "rtt_ms", cr->cr_rtt_ms);
		json_kv_int(g, "max_message_length", cr->cr_max_message);
		json_kv_str(g, "auth", cr->cr_auth == 2 ? "done" :
		    cr->cr_auth == 1 ? "asked" : "none");
		json_kv_str(g, "last_error", cr->cr_last_error);
		(void)yajl_gen_map_close(g);
	}
	(void)yajl_gen_array_close(g);
}

static void
relays_text(const struct status_reply *r)
{
	const struct ctl_relay	*cr;
	char			 up[32], rtt[16];
	size_t			 i;

	printf("\n");
	if (!r->have_relays) {
		printf("Relays: none reported (relayd is not running, or no "
		    "relay is configured)\n");
		return;
	}
	printf("%-34s %-10s %-11s %9s %7s %5s %5s %7s %6s %6s\n", "RELAY",
	    "STATE", "ROLES", "CONNECTED", "IN", "OUT", "DUPS", "REJECTS",
	    "ERRORS", "RTT");
	for (i = 0; i < r->nrelays; i++) {
		cr = &r->relays[i];
		if (cr->cr_connected_since > 0)
			fmt_duration(up, sizeof(up),
			    r->sum.cs_now - cr->cr_connected_since);
		else
			(void)strlcpy(up, "-", sizeof(up));
		if (cr->cr_rtt_ms >= 0)
			(void)snprintf(rtt, sizeof(rtt), "%dms", cr->cr_rtt_ms);
		else
			(void)strlcpy(rtt, "-", sizeof(rtt));
		printf("%-34.34s %-10s %-11s %9s %7llu %5llu %5llu %7llu %6llu "
		    "%6s\n", cr->cr_url, relay_state_name(cr->cr_state),
		    relay_roles_name(cr->cr_roles), up,
		    (unsigned long long)cr->cr_events_in,
		    (unsigned long long)cr->cr_events_out,
		    (unsigned long long)cr->cr_duplicates,
		    (unsigned long long)cr->cr_rejects,
		    (unsigned long long)cr->cr_errors, rtt);
	}
	for (i = 0; i < r->nrelays; i++) {
		cr = &r->relays[i];
		if (cr->cr_last_error[0] != '\0')
			printf("  %s: %s\n", cr->cr_url, cr->cr_last_error);
	}
}

static void
status_json(const struct status_reply *r)
{
	const struct ctl_proc	*cp;
	yajl_gen		 g;
	size_t			 i;
	int			 t;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		errx(EXIT_FAILED, "out of memory");
	(void)yajl_gen_config(g, yajl_gen_beautify, 1);
	(void)yajl_gen_map_open(g);
	json_kv_str(g, "status", status_online(r) ? "online" : "degraded");
	json_kv_str(g, "provider", r->sum.cs_npub);
	json_kv_str(g, "version", r->sum.cs_version);
	json_kv_int(g, "pid", r->sum.cs_pid);
	json_kv_int(g, "uptime_secs", r->sum.cs_now - r->sum.cs_started);
	json_kv_str(g, "config", r->sum.cs_config);
	json_kv_int(g, "capacity", r->sum.cs_capacity);
	json_kv_int(g, "capacity_now", r->sum.cs_capacity_now);
	json_kv_int(g, "busy", r->sum.cs_busy);
	json_kv_int(g, "queued", r->sum.cs_queued);
	json_kv_int(g, "awaiting_payment", r->sum.cs_unpaid);
	json_str(g, "paused");
	(void)yajl_gen_bool(g, r->sum.cs_paused != 0);
	json_str(g, "taking_jobs");
	(void)yajl_gen_bool(g, r->sum.cs_taking != 0);
	json_kv_int(g, "jobs_today", r->sum.cs_today_done);
	json_kv_int(g, "earned_today_sats", r->sum.cs_today_earned_sats);
	json_str(g, "success_rate");
	if (r->sum.cs_success_permille >= 0)
		(void)yajl_gen_double(g, (double)r->sum.cs_success_permille /
		    1000.0);
	else
		(void)yajl_gen_null(g);
	json_kv_int(g, "tier", r->sum.cs_tier);
	json_kv_str(g, "wallet", r->sum.cs_wallet_state_name);
	json_kv_int(g, "open_invoices", r->sum.cs_open_invoices);
	json_str(g, "job_types");
	(void)yajl_gen_array_open(g);
	for (t = 0; t < JOB_TYPE_MAX; t++)
		if (r->sum.cs_job_types & (1U << t))
			json_str(g, config_job_type_name(t));
	(void)yajl_gen_array_close(g);
	json_kv_str(g, "isolation", config_isolation_name(r->sum.cs_isolation));
	json_kv_int(g, "relays_configured", r->sum.cs_nrelays);
	json_str(g, "sandbox");
	(void)yajl_gen_map_open(g);
	json_kv_str(g, "mode", r->sum.cs_sandbox);
	json_kv_int(g, "landlock_abi", r->sum.cs_landlock_abi);
	(void)yajl_gen_map_close(g);
	json_str(g, "reloads");
	(void)yajl_gen_map_open(g);
	json_kv_int(g, "ok", r->sum.cs_reloads);
	json_kv_int(g, "failed", r->sum.cs_reload_failures);
	json_kv_str(g, "last_error", r->sum.cs_last_reload_error);
	(void)yajl_gen_map_close(g);
	json_str(g, "helpers");
	(void)yajl_gen_array_open(g);
	for (i = 0; i < r->nprocs; i++) {
		cp = &r->procs[i];
		if (strcmp(cp->cp_name, "supervisor") == 0)
			continue;
		(void)yajl_gen_map_open(g);
		json_kv_str(g, "name", cp->cp_name);
		json_kv_int(g, "pid", cp->cp_pid);
		json_kv_str(g, "state", state_name(cp->cp_state));
		json_kv_int(g, "uptime_secs", cp->cp_pid != 0 ?
		    r->sum.cs_now - cp->cp_started : 0);
		json_kv_int(g, "restarts", cp->cp_restarts);
		(void)yajl_gen_map_close(g);
	}
	(void)yajl_gen_array_close(g);
	if (r->want_relays)
		relays_json(g, r);
	(void)yajl_gen_map_close(g);
	json_print(g);
}

static void
status_text(const struct status_reply *r)
{
	const struct ctl_proc	*cp;
	char			 up[32], types[128], num[32];
	size_t			 i;
	int			 t;

	types[0] = '\0';
	for (t = 0; t < JOB_TYPE_MAX; t++)
		if (r->sum.cs_job_types & (1U << t)) {
			if (types[0] != '\0')
				(void)strlcat(types, ", ", sizeof(types));
			(void)strlcat(types, config_job_type_name(t),
			    sizeof(types));
		}
	fmt_duration(up, sizeof(up), r->sum.cs_now - r->sum.cs_started);

	printf("Provider: %s\n", r->sum.cs_npub[0] != '\0' ?
	    r->sum.cs_npub : "(no identity configured)");
	printf("Status: %s%s\n", status_online(r) ? "ONLINE" : "DEGRADED",
	    r->sum.cs_paused ? " (paused: no new jobs)" : !r->sum.cs_taking ?
	    " (outside the schedule: no new jobs)" : "");
	printf("Capacity: %u/%u workers available", r->sum.cs_capacity_now >
	    r->sum.cs_busy ? r->sum.cs_capacity_now - r->sum.cs_busy : 0,
	    r->sum.cs_capacity_now);
	if (r->sum.cs_capacity_now < r->sum.cs_capacity)
		printf(" (tier %d allows %u of the %u configured)",
		    r->sum.cs_tier, r->sum.cs_capacity_now, r->sum.cs_capacity);
	printf("\n");
	fmt_thousands(num, sizeof(num), r->sum.cs_today_earned_sats);
	printf("Jobs today: %" PRId64 " completed, %u in progress",
	    r->sum.cs_today_done, r->sum.cs_busy);
	if (r->sum.cs_queued > 0)
		printf(", %u queued", r->sum.cs_queued);
	if (r->sum.cs_unpaid > 0)
		printf(", %u awaiting payment", r->sum.cs_unpaid);
	printf("\nEarnings today: %s sats\n", num);
	if (r->sum.cs_success_permille >= 0)
		printf("Success rate: %.1f%%\n",
		    (double)r->sum.cs_success_permille / 10.0);
	else
		printf("Success rate: - (no finished jobs yet)\n");
	printf("Tier: %d\n", r->sum.cs_tier);
	printf("Wallet: %s", r->sum.cs_wallet_state_name);
	if (r->sum.cs_open_invoices > 0)
		printf(" (%u open invoices)", r->sum.cs_open_invoices);
	printf("\n");
	printf("Job types: %s\n", types);
	printf("Isolation: %s\n", config_isolation_name(r->sum.cs_isolation));
	if (r->sum.cs_landlock_abi > 0)
		printf("Sandbox: %s (Landlock ABI %d)\n", r->sum.cs_sandbox,
		    r->sum.cs_landlock_abi);
	else
		printf("Sandbox: %s (no Landlock)\n", r->sum.cs_sandbox);
	printf("Uptime: %s (openagentsd pid %d, version %s)\n", up,
	    r->sum.cs_pid, r->sum.cs_version);
	printf("Config: %s\n", r->sum.cs_config);
	if (r->sum.cs_reload_failures > 0 &&
	    r->sum.cs_last_reload_error[0] != '\0')
		printf("Last reload failed: %s\n",
		    r->sum.cs_last_reload_error);

	printf("\n%-12s %8s  %-10s %9s  %s\n", "PROCESS", "PID", "STATE",
	    "UPTIME", "RESTARTS");
	for (i = 0; i < r->nprocs; i++) {
		cp = &r->procs[i];
		if (cp->cp_pid != 0)
			fmt_duration(up, sizeof(up),
			    r->sum.cs_now - cp->cp_started);
		else
			(void)strlcpy(up, "-", sizeof(up));
		if (strcmp(cp->cp_name, "supervisor") == 0)
			printf("%-12s %8d  %-10s %9s  %s\n", cp->cp_name,
			    cp->cp_pid, state_name(cp->cp_state), up, "-");
		else
			printf("%-12s %8d  %-10s %9s  %u\n", cp->cp_name,
			    cp->cp_pid, state_name(cp->cp_state), up,
			    cp->cp_restarts);
	}
	if (r->want_relays)
		relays_text(r);
}

static int
live_args(int argc, char *argv[], const char *name, int *json, int *relays)
{
	int	 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", live_opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			if (json == NULL)
				ctl_usage_exit(name);
			*json = 1;
			break;
		case 'r':
			if (relays == NULL)
				ctl_usage_exit(name);
			*relays = 1;
			break;
		case 'c':
			ctl_config = optarg;
			break;
		case 'h':
			if (relays != NULL)
				printf("usage: openagents provider %s "
				    "[--relays] [--json] [--config FILE]\n",
				    name);
			else if (json != NULL)
				printf("usage: openagents provider %s "
				    "[--json] [--config FILE]\n", name);
			else
				printf("usage: openagents provider %s "
				    "[--config FILE]\n", name);
			exit(EXIT_DONE);
		default:
			ctl_usage_exit(name);
		}
	}
	if (optind != argc)
		ctl_usage_exit(name);
	return (0);
}

int
cmd_status(int argc, char *argv[])
{
	struct oa_paths		 paths;
	static struct status_reply	 r;
	int				 json = 0, relays = 0;

	(void)live_args(argc, argv, "status", &json, &relays);
	if (ctl_paths(&paths) == -1)
		return (EXIT_FAILED);
	if (status_fetch(&paths, &r, relays) == -1) {
		if (!not_running(errno)) {
			warn("%s", paths.p_socket);
			return (EXIT_FAILED);
		}
		if (json)
			status_json_offline();
		else
			printf("Status: OFFLINE (openagentsd is not running "
			    "for %s)\n", paths.p_dir);
		return (EXIT_OFFLINE);
	}
	if (json)
		status_json(&r);
	else
		status_text(&r);
	return (EXIT_DONE);
}

/* One request, one ctl_result answer. */
static int
simple_request(const char *name, uint32_t type, int argc, char *argv[],
    struct ctl_result *res, struct oa_paths *paths)
{
	struct imsgbuf	 ibuf;
	struct imsg	 imsg;
	int		 rv = EXIT_FAILED;

	(void)live_args(argc, argv, name, NULL, NULL);
	if (ctl_paths(paths) == -1)
		return (EXIT_FAILED);
	if (ctl_connect(paths, &ibuf) == -1) {
		if (not_running(errno)) {
			warnx("openagentsd is not running for %s",
			    paths->p_dir);
			return (EXIT_OFFLINE);
		}
		warn("%s", paths->p_socket);
		return (EXIT_FAILED);
	}
	if (ctl_request(&ibuf, type, NULL, 0) == -1 ||
	    ctl_read(&ibuf, &imsg, CTL_REPLY_SECS) == -1) {
		warn("%s", name);
		goto out;
	}
	if (imsg_get_type(&imsg) != IMSG_CTL_RESULT ||
	    imsg_get_data(&imsg, res, sizeof(*res)) == -1) {
		imsg_free(&imsg);
		warnx("%s: unexpected answer from openagentsd", name);
		goto out;
	}
	imsg_free(&imsg);
	res->cr_msg[sizeof(res->cr_msg) - 1] = '\0';
	rv = res->cr_code == CTL_RES_OK ? EXIT_DONE : EXIT_FAILED;
 out:
	imsgbuf_clear(&ibuf);
	(void)close(ibuf.fd);
	return (rv);
}

int
cmd_reload(int argc, char *argv[])
{
	struct oa_paths		 paths;
	struct ctl_result	 res;
	int			 rv;

	memset(&res, 0, sizeof(res));
	rv = simple_request("reload", IMSG_CTL_RELOAD_REQ, argc, argv, &res,
	    &paths);
	if (rv == EXIT_DONE)
		printf("%s\n", res.cr_msg);
	else if (rv == EXIT_FAILED && res.cr_msg[0] != '\0')
		fprintf(stderr, "openagents: reload failed, keeping the "
		    "running configuration:\n%s\n", res.cr_msg);
	return (rv);
}

/* provider pause | resume: the daemon says what it did. */
static int
pause_request(const char *name, uint32_t type, int argc, char *argv[])
{
	struct oa_paths		 paths;
	struct ctl_result	 res;
	int			 rv;

	memset(&res, 0, sizeof(res));
	rv = simple_request(name, type, argc, argv, &res, &paths);
	if (rv == EXIT_DONE)
		printf("%s\n", res.cr_msg);
	else if (res.cr_msg[0] != '\0')
		warnx("%s: %s", name, res.cr_msg);
	return (rv);
}

int
cmd_pause(int argc, char *argv[])
{
	return (pause_request("pause", IMSG_CTL_PAUSE_REQ, argc, argv));
}

int
cmd_resume(int argc, char *argv[])
{
	return (pause_request("resume", IMSG_CTL_RESUME_REQ, argc, argv));
}

int
cmd_stop(int argc, char *argv[])
{
	struct oa_paths		 paths;
	struct ctl_result	 res;
	int			 rv, i, fd;

	memset(&res, 0, sizeof(res));
	rv = simple_request("stop", IMSG_CTL_STOP_REQ, argc, argv, &res,
	    &paths);
	if (rv != EXIT_DONE) {
		if (res.cr_msg[0] != '\0')
			warnx("stop: %s", res.cr_msg);
		return (rv);
	}
	/*
	 * The daemon holds its lock until the last helper is gone; taking
	 * the lock is how we know the stop is complete.
	 */
	for (i = 0; i < 100; i++) {
		if ((fd = open(paths.p_lock, O_RDWR | O_CLOEXEC)) == -1 ||
		    flock(fd, LOCK_EX | LOCK_NB) == 0) {
			if (fd != -1)
				(void)close(fd);
			printf("stopped\n");
			return (EXIT_DONE);
		}
		(void)close(fd);
		(void)usleep(100000);
	}
	warnx("stop: openagentsd is still running after 10 seconds");
	return (EXIT_FAILED);
}
