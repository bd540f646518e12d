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
 * The control socket: 0600 in the state directory, and each client's
 * uid checked against ours with SO_PEERCRED, since the mode alone does
 * not survive a chmod.  A client that sends garbage is answered or
 * dropped, never trusted and never fatal.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <event2/event.h>

#include "oa_build.h"
#include "log.h"
#include "msg.h"
#include "supervisor.h"
#include "sv_announce.h"
#include "sv_pay.h"

#define CONTROL_MAXCONNS	32
#define CONTROL_BACKLOG		8

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 cc_entry;
	struct supervisor	*cc_sv;
	struct imsgev		 cc_iev;
	uid_t			 cc_uid;
	pid_t			 cc_pid;
	uint32_t		 cc_id;		/* answers from helpers find it */
};

static void	control_accept(int, short, void *);
static void	control_resume(int, short, void *);
static void	control_dispatch(int, short, void *);
static void	control_close(struct ctl_conn *);
static void	control_result(struct ctl_conn *, int, const char *);
static void	control_status(struct ctl_conn *);

int
control_init(struct supervisor *sv, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	const char		*path = sv->sv_paths.p_socket;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		(void)snprintf(err, errlen, "%s: path too long", path);
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		(void)snprintf(err, errlen, "socket: %s", strerror(errno));
		return (-1);
	}
	/* the lock is held: a socket left here is stale */
	if (unlink(path) == -1 && errno != ENOENT) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		(void)close(fd);
		return (-1);
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		(void)umask(old);
		(void)snprintf(err, errlen, "bind %s: %s", path,
		    strerror(errno));
		(void)close(fd);
		return (-1);
	}
	(void)umask(old);
	if (chmod(path, 0600) == -1 || listen(fd, CONTROL_BACKLOG) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		(void)close(fd);
		(void)unlink(path);
		return (-1);
	}
	sv->sv_ctl_fd = fd;
	return (0);
}

void
control_listen(struct supervisor *sv)
{
	if ((sv->sv_ctl_ev = event_new(sv->sv_base, sv->sv_ctl_fd,
	    EV_READ | EV_PERSIST, control_accept, sv)) == NULL ||
	    (sv->sv_ctl_pause_ev = evtimer_new(sv->sv_base, control_resume,
	    sv)) == NULL)
		fatalx("%s: event_new", __func__);
	if (event_add(sv->sv_ctl_ev, NULL) == -1)
		fatalx("%s: event_add", __func__);
}

/*
 * Stop accepting and remove the socket; connections in flight get
 * their answers.  Called when stopping and again at exit.
 */
void
control_cleanup(struct supervisor *sv)
{
	if (sv->sv_ctl_ev != NULL) {
		(void)event_del(sv->sv_ctl_ev);
		event_free(sv->sv_ctl_ev);
		sv->sv_ctl_ev = NULL;
	}
	if (sv->sv_ctl_pause_ev != NULL) {
		(void)evtimer_del(sv->sv_ctl_pause_ev);
		event_free(sv->sv_ctl_pause_ev);
		sv->sv_ctl_pause_ev = NULL;
	}
	if (sv->sv_ctl_fd != -1) {
		(void)close(sv->sv_ctl_fd);
		sv->sv_ctl_fd = -1;
		if (unlink(sv->sv_paths.p_socket) == -1 && errno != ENOENT)
			log_warn("unlink %s", sv->sv_paths.p_socket);
	}
	if (sv->sv_base == NULL || event_base_got_exit(sv->sv_base))
		while (!TAILQ_EMPTY(&sv->sv_ctl_conns))
			control_close(TAILQ_FIRST(&sv->sv_ctl_conns));
}

static void
control_resume(int fd, short event, void *arg)
{
	struct supervisor	*sv = arg;

	(void)fd;
	(void)event;
	if (sv->sv_ctl_ev != NULL && event_add(sv->sv_ctl_ev, NULL) == -1)
		fatalx("%s: event_add", __func__);
}

static void
control_accept(int lfd, short event, void *arg)
{
	struct supervisor	*sv = arg;
	struct ctl_conn		*c;
	struct ucred		 cred;
	struct timeval		 tv = { 1, 0 };
	socklen_t		 len;
	int			 fd;

	(void)event;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno == EMFILE || errno == ENFILE) {
			/* out of descriptors: pause accepting for a second */
			log_warn("control accept");
			(void)event_del(sv->sv_ctl_ev);
			(void)evtimer_add(sv->sv_ctl_pause_ev, &tv);
		} else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("control accept");
		return;
	}
	len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("control: SO_PEERCRED");
		(void)close(fd);
		return;
	}
	if (cred.uid != geteuid() && cred.uid != 0) {
		log_warnx("control: refused uid %u (pid %d): not the "
		    "daemon's user", (unsigned int)cred.uid, (int)cred.pid);
		(void)close(fd);
		return;
	}
	if (sv->sv_ctl_nconns >= CONTROL_MAXCONNS) {
		log_warnx("control: too many connections, refused pid %d",
		    (int)cred.pid);
		(void)close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control");
		(void)close(fd);
		return;
	}
	c->cc_sv = sv;
	c->cc_id = ++sv->sv_ctl_lastid;
	c->cc_uid = cred.uid;
	c->cc_pid = cred.pid;
	if (imsgev_init(&c->cc_iev, sv->sv_base, fd, control_dispatch,
	    c) == -1) {
		log_warn("control");
		(void)close(fd);
		free(c);
		return;
	}
	if (imsgbuf_set_maxsize(&c->cc_iev.ibuf, CTL_MAXMSG) == -1)
		fatal("%s: imsgbuf_set_maxsize", __func__);
	TAILQ_INSERT_TAIL(&sv->sv_ctl_conns, c, cc_entry);
	sv->sv_ctl_nconns++;
}

static void
control_close(struct ctl_conn *c)
{
	TAILQ_REMOVE(&c->cc_sv->sv_ctl_conns, c, cc_entry);
	c->cc_sv->sv_ctl_nconns--;
	imsgev_clear(&c->cc_iev);
	free(c);
}

static void
control_result(struct ctl_conn *c, int code, const char *msg)
{
	struct ctl_result	 res;

	memset(&res, 0, sizeof(res));
	res.cr_code = code;
	(void)strlcpy(res.cr_msg, msg, sizeof(res.cr_msg));
	if (imsgev_compose(&c->cc_iev, IMSG_CTL_RESULT, 0, 0, -1, &res,
	    sizeof(res)) == -1)
		log_warn("control: compose");
}

static int
control_today(const struct ledger_sum *ls, void *arg)
{
	struct ctl_summary	*sum = arg;

	sum->cs_today_done += ls->ls_count[LS_PUBLISHED] +
	    ls->ls_count[LS_PAID] + ls->ls_count[LS_EXPIRED];
	sum->cs_today_earned_sats += ls->ls_earned_sats;
	return (0);
}

/* The guide's dashboard lines: workers, today's jobs, the tier. */
static void
control_summary_jobs(struct supervisor *sv, struct ctl_summary *sum)
{
	const struct tier_info	*t = sv_tier(sv, 0);
	struct tm		 tm;
	time_t			 now = time(NULL);
	int64_t			 midnight;

	sum->cs_busy = jobs_active_count(sv);
	sum->cs_queued = jobs_queued_count(sv);
	sum->cs_unpaid = jobs_unpaid_count(sv);
	sum->cs_paused = (uint32_t)sv->sv_paused;
	sum->cs_taking = (uint32_t)jobs_taking(sv);
	sum->cs_tier = t->ti_tier;
	sum->cs_success_permille = t->ti_judged > 0 ?
	    (int64_t)(t->ti_success * 1000.0 + 0.5) : -1;
	sum->cs_wallet_state = sv->sv_nwc != NULL ?
	    (uint32_t)sv->sv_nwc->n_state : NWC_UNKNOWN;
	(void)strlcpy(sum->cs_wallet_state_name, sv->sv_conf.c_payment_mode ==
	    PAYMENT_FREE && sv->sv_nwc != NULL && sv->sv_nwc->n_state ==
	    NWC_NONE ? "free" : sv_nwc_state_name((int)sum->cs_wallet_state),
	    sizeof(sum->cs_wallet_state_name));
	sum->cs_open_invoices = sv_pay_open_count(sv);
	if (sv->sv_ledger == NULL || localtime_r(&now, &tm) == NULL)
		return;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	midnight = (int64_t)mktime(&tm);
	(void)ledger_earnings(sv->sv_ledger, midnight, (int64_t)now + 1,
	    control_today, sum);
}

static void
control_status(struct ctl_conn *c)
{
	struct supervisor	*sv = c->cc_sv;
	struct ctl_summary	 sum;
	struct ctl_proc		 cp;
	struct helper		*h;
	int			 i;

	memset(&sum, 0, sizeof(sum));
	(void)strlcpy(sum.cs_version, OA_VERSION, sizeof(sum.cs_version));
	(void)strlcpy(sum.cs_npub, sv->sv_unlocked ? sv->sv_npub :
	    sv->sv_conf.c_pubkey, sizeof(sum.cs_npub));
	(void)strlcpy(sum.cs_config, sv->sv_paths.p_config,
	    sizeof(sum.cs_config));
	(void)strlcpy(sum.cs_sandbox, sandbox_mode_name(sv->sv_sandbox),
	    sizeof(sum.cs_sandbox));
	(void)strlcpy(sum.cs_last_reload_error, sv->sv_reload_error,
	    sizeof(sum.cs_last_reload_error));
	sum.cs_started = sv->sv_started;
	sum.cs_now = time(NULL);
	sum.cs_pid = getpid();
	sum.cs_nprocs = PROC_MAX;
	sum.cs_capacity = (uint32_t)sv->sv_conf.c_capacity;
	sum.cs_capacity_now = jobs_capacity(sv);
	sum.cs_job_types = sv->sv_conf.c_job_types;
	sum.cs_reloads = sv->sv_reloads;
	sum.cs_reload_failures = sv->sv_reload_failures;
	sum.cs_landlock_abi = sandbox_landlock_abi();
	sum.cs_isolation = sv->sv_conf.c_isolation;
	sum.cs_nrelays = (uint32_t)sv->sv_conf.c_relays.n;
	control_summary_jobs(sv, &sum);
	if (imsgev_compose(&c->cc_iev, IMSG_CTL_STATUS_SUMMARY, 0, 0, -1,
	    &sum, sizeof(sum)) == -1) {
		log_warn("control: compose");
		return;
	}

	for (i = 0; i < PROC_MAX; i++) {
		memset(&cp, 0, sizeof(cp));
		(void)strlcpy(cp.cp_name, proc_name(i), sizeof(cp.cp_name));
		if (i == PROC_SUPERVISOR) {
			cp.cp_pid = getpid();
			cp.cp_state = sv->sv_stopping ? CTL_PROC_STOPPED :
			    CTL_PROC_RUNNING;
			cp.cp_started = sv->sv_started;
		} else {
			h = &sv->sv_helpers[i];
			cp.cp_pid = h->h_pid;
			cp.cp_state = h->h_state;
			cp.cp_started = h->h_pid != 0 ? h->h_started : 0;
			cp.cp_next_start = h->h_state == CTL_PROC_RESTARTING ?
			    h->h_next_start : 0;
			cp.cp_restarts = h->h_restarts;
			cp.cp_last_status = h->h_last_status;
		}
		if (imsgev_compose(&c->cc_iev, IMSG_CTL_STATUS_PROC, 0, 0, -1,
		    &cp, sizeof(cp)) == -1) {
			log_warn("control: compose");
			return;
		}
	}
	if (imsgev_compose(&c->cc_iev, IMSG_CTL_END, 0, 0, -1, NULL, 0) == -1)
		log_warn("control: compose");
}

static void
control_dispatch(int fd, short event, void *arg)
{
	struct ctl_conn		*c = arg;
	struct supervisor	*sv = c->cc_sv;
	struct imsgbuf		*ibuf = &c->cc_iev.ibuf;
	struct msg_verbose	 mv;
	struct imsg		 imsg;
	char			 err[1024];
	ssize_t			 n;

	(void)fd;
	if (event & EV_READ) {
		if ((n = imsgbuf_read(ibuf)) == -1 || n == 0) {
			control_close(c);
			return;
		}
	}
	if (event & EV_WRITE) {
		if (imsgbuf_write(ibuf) == -1) {
			control_close(c);
			return;
		}
	}

	for (;;) {
		if ((n = imsg_get(ibuf, &imsg)) == -1) {
			log_warnx("control: malformed request from pid %d",
			    (int)c->cc_pid);
			control_close(c);
			return;
		}
		if (n == 0)
			break;
		switch (imsg_get_type(&imsg)) {
		case IMSG_CTL_STATUS_REQ:
			if (imsg_get_len(&imsg) != 0)
				control_result(c, CTL_RES_FAIL,
				    "malformed status request");
			else
				control_status(c);
			break;
		case IMSG_CTL_RELOAD_REQ:
			if (imsg_get_len(&imsg) != 0)
				control_result(c, CTL_RES_FAIL,
				    "malformed reload request");
			else if (supervisor_reload(sv, err, sizeof(err)) == -1)
				control_result(c, CTL_RES_PARSE_ERROR, err);
			else
				control_result(c, CTL_RES_OK,
				    "configuration reloaded");
			break;
		case IMSG_CTL_STOP_REQ:
			if (imsg_get_len(&imsg) != 0) {
				control_result(c, CTL_RES_FAIL,
				    "malformed stop request");
				break;
			}
			log_info("stop requested by pid %d", (int)c->cc_pid);
			control_result(c, CTL_RES_OK, "stopping");
			supervisor_stop(sv, 0);
			break;
		case IMSG_CTL_PAUSE_REQ:
		case IMSG_CTL_RESUME_REQ:
			if (imsg_get_len(&imsg) != 0)
				control_result(c, CTL_RES_FAIL,
				    "malformed pause request");
			else if (supervisor_pause(sv, imsg_get_type(&imsg) ==
			    IMSG_CTL_PAUSE_REQ, err, sizeof(err)) == -1)
				control_result(c, CTL_RES_FAIL, err);
			else
				control_result(c, CTL_RES_OK, err);
			break;
		case IMSG_CTL_WALLET_REQ:
			if (imsg_get_len(&imsg) != 0)
				control_result(c, CTL_RES_FAIL,
				    "malformed wallet request");
			else
				sv_nwc_ctl_status(sv, c->cc_id);
			break;
		case IMSG_CTL_WALLET_RELOAD:
			if (imsg_get_len(&imsg) != 0)
				control_result(c, CTL_RES_FAIL,
				    "malformed wallet reload");
			else {
				sv_nwc_load(sv);
				control_result(c, CTL_RES_OK, "the daemon reads "
				    "wallet.enc again");
			}
			break;
		case IMSG_CTL_RELAYS_REQ:
			if (imsg_get_len(&imsg) != 0)
				control_result(c, CTL_RES_FAIL,
				    "malformed relays request");
			else if (sv_relay_stats_req(sv, c->cc_id) == -1 &&
			    imsgev_compose(&c->cc_iev, IMSG_CTL_END, 0, 0, -1,
			    NULL, 0) == -1)
				log_warn("control: compose");
			break;
		case IMSG_CTL_VERBOSE_REQ:
			if (imsg_get_data(&imsg, &mv, sizeof(mv)) == -1 ||
			    mv.mv_level < 0 || mv.mv_level > 3) {
				control_result(c, CTL_RES_FAIL,
				    "malformed verbose request");
				break;
			}
			log_setverbose(mv.mv_level);
			helpers_verbose(sv, mv.mv_level);
			control_result(c, CTL_RES_OK, "verbosity set");
			break;
		default:
			log_warnx("control: unknown request %u from pid %d",
			    imsg_get_type(&imsg), (int)c->cc_pid);
			control_result(c, CTL_RES_DENIED, "unknown request");
			break;
		}
		imsg_free(&imsg);
	}
	imsgev_add(&c->cc_iev);
}

/*
 * An answer that a helper gave for a control client, by the client's
 * id; the client may have gone meanwhile.
 */
void
control_forward(struct supervisor *sv, uint32_t id, uint32_t type,
    const void *data, size_t len)
{
	struct ctl_conn	*c;

	TAILQ_FOREACH(c, &sv->sv_ctl_conns, cc_entry)
		if (c->cc_id == id)
			break;
	if (c == NULL)
		return;
	if (imsgev_compose(&c->cc_iev, type, 0, 0, -1, data, len) == -1)
		log_warn("control: compose");
}
