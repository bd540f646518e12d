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
 * Alerts ([alerts] in config.toml): a few events an operator wants to
 * hear about without watching the log.  Each is logged as a warning
 * starting with "alert:", so 'openagents provider logs' lists them, and
 * delivered at most once per kind in min_interval_secs: to the webhook
 * through relayd (the only process with the network), and by mail
 * through sendmail(8), which the supervisor runs itself: it is the one
 * process that is not sandboxed and may exec.
 */

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "log.h"
#include "msg.h"
#include "supervisor.h"
#include "sv_alert.h"
#include "sv_announce.h"
#include "sv_json.h"

#define ALERT_RATE_CHECK_SECS	60	/* the ledger is asked this often */
#define ALERT_PENDING_MAX	8	/* kept while relayd is down */
#define ALERT_SENDMAIL		"/usr/sbin/sendmail"

static const char *const alert_kinds[] = {
	"success_rate", "dispute", "worker_crash", "capacity", "wallet"
};
#define ALERT_NKINDS	(sizeof(alert_kinds) / sizeof(alert_kinds[0]))

struct alert_pending {
	struct msg_alert_post	 p_msg;
	char			*p_body;
	size_t			 p_len;
};

static struct {
	time_t			 a_last[ALERT_NKINDS];
	uint32_t		 a_held[ALERT_NKINDS];	/* since a_last */
	time_t			 a_rate_checked;
	struct alert_pending	 a_pending[ALERT_PENDING_MAX];
	size_t			 a_npending;
	pid_t			 a_mailer;
} al;

static void	alert_webhook(struct supervisor *, const char *,
		    const char *, const char *, const char *);
static void	alert_mail(struct supervisor *, const char *, const char *,
		    const char *, const char *);

static void	alert_log(int, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

static void
alert_log(int pri, const char *fmt, ...)
{
	va_list	 ap;

	if (pri == LOG_DEBUG && log_getverbose() < 1)
		return;
	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

static int
alert_kind(const char *kind)
{
	size_t	 i;

	for (i = 0; i < ALERT_NKINDS; i++)
		if (strcmp(alert_kinds[i], kind) == 0)
			return ((int)i);
	fatalx("%s: unknown alert kind %s", __func__, kind);
}

void
sv_alert(struct supervisor *s, const char *kind, const char *job,
    const char *fmt, ...)
{
	va_list		 ap;
	struct tm	 tm;
	time_t		 now = time(NULL);
	char		 msg[512], stamp[32];
	char		*p;
	int		 k = alert_kind(kind);
	int64_t		 gap = s->sv_conf.c_alert_min_interval;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the text goes into mail and JSON: one line, printable */
	for (p = msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';

	/*
	 * Held back: the first one in an interval is still a warning, the
	 * rest (a busy provider refuses every broad request) only debug.
	 */
	if (al.a_last[k] != 0 && now >= al.a_last[k] &&
	    now - al.a_last[k] < gap) {
		alert_log(al.a_held[k]++ == 0 ? LOG_WARNING : LOG_DEBUG,
		    "alert: %s: %s%s%s%s (not sent: the last %s alert "
		    "was %lld s ago, min_interval_secs is %lld)", kind,
		    job != NULL ? "job " : "", job != NULL ? job : "",
		    job != NULL ? ": " : "", msg, kind,
		    (long long)(now - al.a_last[k]), (long long)gap);
		return;
	}
	if (al.a_held[k] > 0) {
		p = msg + strlen(msg);
		(void)snprintf(p, sizeof(msg) - (size_t)(p - msg), " (%u more "
		    "%s alerts were not sent)", al.a_held[k], kind);
	}
	al.a_last[k] = now;
	al.a_held[k] = 0;
	/* the job's id in the line, for 'provider logs --job' */
	alert_log(LOG_WARNING, "alert: %s: %s%s%s%s", kind,
	    job != NULL ? "job " : "", job != NULL ? job : "",
	    job != NULL ? ": " : "", msg);

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)strlcpy(stamp, "1970-01-01T00:00:00Z", sizeof(stamp));
	if (s->sv_conf.c_webhook_url[0] != '\0')
		alert_webhook(s, kind, msg, job, stamp);
	if (s->sv_conf.c_email[0] != '\0')
		alert_mail(s, kind, msg, job, stamp);
}

/* After a job ends: the all-time success rate, at most once a minute. */
void
sv_alert_job_done(struct supervisor *s)
{
	const struct tier_info	*t;
	time_t			 now = time(NULL);

	if (al.a_rate_checked != 0 && now >= al.a_rate_checked &&
	    now - al.a_rate_checked < ALERT_RATE_CHECK_SECS)
		return;
	al.a_rate_checked = now;
	t = sv_tier(s, 1);
	if (t->ti_judged > 0 &&
	    t->ti_success * 100.0 < s->sv_conf.c_alert_success_rate)
		sv_alert(s, "success_rate", NULL, "the success rate is %.1f%% "
		    "over %" PRId64 " judged jobs, below %.1f%%",
		    t->ti_success * 100.0, t->ti_judged,
		    s->sv_conf.c_alert_success_rate);
}

/* ---- the webhook, through relayd ---- */

/* host and port of an http(s) URL that config.c accepted */
static int
alert_hostport(const char *url, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char	*p, *end, *colon = NULL;
	size_t		 n;

	if (strncasecmp(url, "https://", 8) == 0) {
		p = url + 8;
		(void)strlcpy(port, "443", portlen);
	} else if (strncasecmp(url, "http://", 7) == 0) {
		p = url + 7;
		(void)strlcpy(port, "80", portlen);
	} else
		return (-1);
	end = p + strcspn(p, "/?#");
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL)
			return (-1);
		if (rb + 1 < end && rb[1] == ':')
			colon = rb + 1;
		p++;
		n = (size_t)(rb - p);
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		n = (size_t)((colon != NULL ? colon : end) - p);
	}
	if (n == 0 || n >= hostlen)
		return (-1);
	memcpy(host, p, n);
	host[n] = '\0';
	if (colon != NULL) {
		n = (size_t)(end - colon - 1);
		if (n == 0 || n >= portlen)
			return (-1);
		memcpy(port, colon + 1, n);
		port[n] = '\0';
	}
	return (0);
}

static int
alert_post(struct supervisor *s, const struct msg_alert_post *ap,
    const char *body, size_t len)
{
	struct helper	*h = &s->sv_helpers[PROC_RELAYD];
	struct iovec	 iov[2];

	if (!h->h_ready || !h->h_iev_open)
		return (-1);
	iov[0].iov_base = (void *)(uintptr_t)ap;
	iov[0].iov_len = sizeof(*ap);
	iov[1].iov_base = (void *)(uintptr_t)body;
	iov[1].iov_len = len;
	if (imsgev_composev(&h->h_iev, IMSG_ALERT_POST, 0, 0, -1, iov,
	    2) == -1)
		fatal("%s: compose", __func__);
	return (0);
}

static void
alert_webhook(struct supervisor *s, const char *kind, const char *msg,
    const char *job, const char *stamp)
{
	struct msg_alert_post	 ap;
	struct addrinfo		 hints, *res, *ai;
	struct alert_pending	*pe;
	struct jb		 jb;
	char			 host[256], port[8];
	char			*body = NULL;
	size_t			 len;
	int			 e;

	memset(&ap, 0, sizeof(ap));
	if (strlcpy(ap.ap_url, s->sv_conf.c_webhook_url, sizeof(ap.ap_url)) >=
	    sizeof(ap.ap_url) || alert_hostport(ap.ap_url, host, sizeof(host),
	    port, sizeof(port)) == -1) {
		log_warnx("alert webhook: cannot use %s", ap.ap_url);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	/* blocking, like the relays' names: rare, and usually cached */
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		log_warnx("alert webhook: %s: %s", host, gai_strerror(e));
		return;
	}
	for (ai = res; ai != NULL && ap.ap_naddrs < RELAY_ADDRS_MAX;
	    ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(ap.ap_addrs[0]))
			continue;
		memcpy(&ap.ap_addrs[ap.ap_naddrs], ai->ai_addr,
		    ai->ai_addrlen);
		ap.ap_addrlens[ap.ap_naddrs++] = ai->ai_addrlen;
	}
	freeaddrinfo(res);
	if (ap.ap_naddrs == 0) {
		log_warnx("alert webhook: %s has no usable address", host);
		return;
	}

	if (jb_init(&jb) == -1) {
		log_warnx("alert webhook: out of memory");
		return;
	}
	jb_open(&jb);
	jb_kstr(&jb, "kind", kind);
	jb_kstr(&jb, "message", msg);
	jb_key(&jb, "job");
	if (job != NULL)
		jb_str(&jb, job);
	else
		jb_raw(&jb, "null", 4);
	jb_kstr(&jb, "provider", s->sv_unlocked ? s->sv_npub : "");
	jb_kstr(&jb, "time", stamp);
	jb_close(&jb);
	if (jb_finish(&jb, &body, &len) == -1 || len > ALERT_BODY_MAX) {
		jb_free(&jb);
		free(body);
		log_warnx("alert webhook: cannot build the %s alert", kind);
		return;
	}
	jb_free(&jb);

	if (alert_post(s, &ap, body, len) == 0) {
		free(body);
		return;
	}
	/* relayd is down (it may be what crashed): send when it is back */
	if (al.a_npending == ALERT_PENDING_MAX) {
		log_warnx("alert webhook: relayd is not running and %d alerts "
		    "wait already; this one is not sent", ALERT_PENDING_MAX);
		free(body);
		return;
	}
	pe = &al.a_pending[al.a_npending++];
	pe->p_msg = ap;
	pe->p_body = body;
	pe->p_len = len;
}

/* relayd is ready: what waited for it goes out. */
void
sv_alert_relayd_ready(struct supervisor *s)
{
	size_t	 i;

	for (i = 0; i < al.a_npending; i++) {
		if (alert_post(s, &al.a_pending[i].p_msg,
		    al.a_pending[i].p_body, al.a_pending[i].p_len) == -1)
			break;
		free(al.a_pending[i].p_body);
	}
	memmove(al.a_pending, al.a_pending + i,
	    (al.a_npending - i) * sizeof(al.a_pending[0]));
	al.a_npending -= i;
}

/* ---- mail, through sendmail -t ---- */

/*
 * OPENAGENTS_SENDMAIL names another program taking the same message on
 * its standard input (the tests use a fake one).
 */
static void
alert_mail(struct supervisor *s, const char *kind, const char *msg,
    const char *job, const char *stamp)
{
	const char	*prog;
	FILE		*fp;
	pid_t		 pid;
	int		 p[2], devnull;

	if ((prog = getenv("OPENAGENTS_SENDMAIL")) == NULL || *prog == '\0')
		prog = ALERT_SENDMAIL;
	if (access(prog, X_OK) == -1) {
		log_warnx("alert mail: %s: %s; not sent", prog,
		    strerror(errno));
		return;
	}
	if (strpbrk(s->sv_conf.c_email, "\r\n,") != NULL) {
		log_warnx("alert mail: bad address; not sent");
		return;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("alert mail: pipe");
		return;
	}
	switch (pid = fork()) {
	case -1:
		log_warn("alert mail: fork");
		(void)close(p[0]);
		(void)close(p[1]);
		return;
	case 0:
		if (dup2(p[0], STDIN_FILENO) == -1 ||
		    (devnull = open("/dev/null", O_WRONLY)) == -1 ||
		    dup2(devnull, STDOUT_FILENO) == -1)
			_exit(127);
		closefrom(STDERR_FILENO + 1);
		(void)signal(SIGPIPE, SIG_DFL);
		execl(prog, "sendmail", "-t", (char *)NULL);
		_exit(127);
	default:
		break;
	}
	(void)close(p[0]);
	al.a_mailer = pid;
	/* a few hundred bytes: the pipe takes them without blocking */
	if ((fp = fdopen(p[1], "w")) == NULL) {
		log_warn("alert mail: fdopen");
		(void)close(p[1]);
		return;
	}
	fprintf(fp, "To: %s\n"
	    "Subject: openagents provider alert: %s\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "\n"
	    "%s\n\n"
	    "kind: %s\n"
	    "job: %s\n"
	    "provider: %s\n"
	    "time: %s\n", s->sv_conf.c_email, kind, msg, kind,
	    job != NULL ? job : "-", s->sv_unlocked ? s->sv_npub : "-", stamp);
	if (fclose(fp) == EOF)
		log_warn("alert mail: writing to %s", prog);
}

/* A child that is no helper ended: the mailer says how it went. */
void
sv_alert_reaped(pid_t pid, int status)
{
	if (pid != al.a_mailer || al.a_mailer == 0)
		return;
	al.a_mailer = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_info("alert mail: handed to sendmail");
	else
		log_warnx("alert mail: sendmail failed (status 0x%x)", status);
}

void
sv_alert_free(void)
{
	size_t	 i;

	for (i = 0; i < al.a_npending; i++)
		free(al.a_pending[i].p_body);
	al.a_npending = 0;
}
