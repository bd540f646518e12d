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
 * provider earnings and provider jobs: the history commands.  They
 * read the ledger through a read-only handle, so they work the same
 * with the daemon running or stopped and never change the file.
 */

#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <yajl/yajl_gen.h>

#include "config.h"
#include "ctl.h"
#include "ledger.h"

#define JOBS_DEFAULT_LIMIT	20
/* what a report prints when a ratio has nothing to divide by */
#define NO_VALUE		"\u2013"

enum period {
	PERIOD_DAY = 0,
	PERIOD_WEEK,
	PERIOD_MONTH,
	PERIOD_ALL,
	PERIOD_MAX
};

static const char *const period_names[PERIOD_MAX] = {
	[PERIOD_DAY] = "day",
	[PERIOD_WEEK] = "week",
	[PERIOD_MONTH] = "month",
	[PERIOD_ALL] = "all",
};

static const char *const period_titles[PERIOD_MAX] = {
	[PERIOD_DAY] = "Today",
	[PERIOD_WEEK] = "This week",
	[PERIOD_MONTH] = "This month",
	[PERIOD_ALL] = "All time",
};

/* Both commands' options; each refuses the other's. */
static const struct option report_opts[] = {
	{ "period",	required_argument,	NULL,	'p' },
	{ "limit",	required_argument,	NULL,	'n' },
	{ "status",	required_argument,	NULL,	's' },
	{ "type",	required_argument,	NULL,	't' },
	{ "json",	no_argument,		NULL,	'j' },
	{ "config",	required_argument,	NULL,	'c' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

struct report_args {
	enum period	 ra_period;
	int		 ra_limit;
	int		 ra_status;	/* -1: any */
	int		 ra_type;	/* -1: any */
	int		 ra_json;
};

/* One job type's figures over the period; index JOB_TYPE_MAX: unknown. */
struct earn {
	int64_t	 e_count[LS_STATUS_MAX];
	int64_t	 e_all;
	int64_t	 e_earned;
};

struct earn_total {
	struct earn	 t_type[JOB_TYPE_MAX + 1];
	struct earn	 t_sum;
};

/* A bad value of an option: exit 2, naming it and what would do. */
static __dead void
bad_value(const char *what, const char *value, const char *const *names,
    int n, const char *(*name_of)(int))
{
	char	 list[256];
	int	 i;

	list[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			(void)strlcat(list, ", ", sizeof(list));
		(void)strlcat(list, names != NULL ? names[i] : name_of(i),
		    sizeof(list));
	}
	warnx("unknown %s '%s' (one of: %s)", what, value, list);
	exit(EXIT_USAGE);
}

static const char *
type_name(int t)
{
	return (config_job_type_name((enum job_type)t));
}

static struct ledger *
report_open(void)
{
	struct oa_paths	 paths;
	struct ledger	*l;
	char		 err[1024];

	if (ctl_paths(&paths) == -1)
		exit(EXIT_FAILED);
	if (ledger_open(paths.p_ledger, 1, &l, err, sizeof(err)) == -1) {
		warnx("%s", err);
		exit(EXIT_FAILED);
	}
	return (l);
}

static void
gen_key(yajl_gen g, const char *k)
{
	(void)yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

/* "" and 0 are "none" in the ledger; JSON says null */
static void
gen_text(yajl_gen g, const char *k, const char *v)
{
	gen_key(g, k);
	if (v == NULL || *v == '\0')
		(void)yajl_gen_null(g);
	else
		(void)yajl_gen_string(g, (const unsigned char *)v, strlen(v));
}

static void
gen_i64(yajl_gen g, const char *k, int64_t v, int null_if_zero)
{
	gen_key(g, k);
	if (null_if_zero && v == 0)
		(void)yajl_gen_null(g);
	else
		(void)yajl_gen_integer(g, (long long)v);
}

/* Writes out what g holds and empties it, so that output streams. */
static int
gen_flush(yajl_gen g)
{
	const unsigned char	*buf;
	size_t			 len;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		return (-1);
	if (len > 0 && fwrite(buf, 1, len, stdout) != len)
		return (-1);
	yajl_gen_clear(g);
	return (0);
}

static yajl_gen
gen_new(void)
{
	yajl_gen	 g;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		errx(EXIT_FAILED, "out of memory");
	(void)yajl_gen_config(g, yajl_gen_beautify, 1);
	return (g);
}

static int
gen_end(yajl_gen g)
{
	int	 rc;

	rc = gen_flush(g);
	yajl_gen_free(g);
	/* beautified, yajl ends the document with its newline */
	if (rc == -1 || fflush(stdout) == EOF) {
		warn("stdout");
		return (EXIT_FAILED);
	}
	return (EXIT_DONE);
}

/*
 * The start of the calendar period holding now, in local time: today
 * since midnight, the week since Monday 00:00, the month since the 1st.
 */
static int64_t
period_start(enum period p, time_t now)
{
	struct tm	 tm;
	time_t		 t;

	if (p == PERIOD_ALL)
		return (0);
	if (localtime_r(&now, &tm) == NULL)
		err(EXIT_FAILED, "localtime");
	tm.tm_sec = tm.tm_min = tm.tm_hour = 0;
	if (p == PERIOD_WEEK)
		tm.tm_mday -= (tm.tm_wday + 6) % 7;
	else if (p == PERIOD_MONTH)
		tm.tm_mday = 1;
	/* the zone's rules for that day, not today's */
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == -1)
		errx(EXIT_FAILED, "mktime: no start of the %s",
		    period_names[p]);
	return ((int64_t)t);
}

static int
earn_cb(const struct ledger_sum *s, void *arg)
{
	struct earn_total	*t = arg;
	struct earn		*e;
	int			 k;

	e = &t->t_type[s->ls_type >= 0 && s->ls_type < JOB_TYPE_MAX ?
	    s->ls_type : JOB_TYPE_MAX];
	for (k = 0; k < LS_STATUS_MAX; k++) {
		e->e_count[k] += s->ls_count[k];
		t->t_sum.e_count[k] += s->ls_count[k];
	}
	e->e_all += s->ls_jobs;
	e->e_earned += s->ls_earned_sats;
	t->t_sum.e_all += s->ls_jobs;
	t->t_sum.e_earned += s->ls_earned_sats;
	return (0);
}

/* Jobs we took on: everything received but what we turned down. */
static int64_t
earn_jobs(const struct earn *e)
{
	return (e->e_all - e->e_count[LS_REJECTED]);
}

/* Earned per paid job, rounded; -1 when none was paid. */
static int64_t
earn_avg(const struct earn *e)
{
	int64_t	 paid = e->e_count[LS_PAID];

	if (paid == 0)
		return (-1);
	return ((e->e_earned + paid / 2) / paid);
}

/*
 * Results the buyer kept (paid, or published and not disputed, or
 * let lapse unpaid) against those that went wrong; in tenths of a
 * percent, -1 when there is nothing to judge.
 */
static int64_t
earn_success(const struct earn *e)
{
	int64_t	 ok, bad;

	ok = e->e_count[LS_PAID] + e->e_count[LS_PUBLISHED] +
	    e->e_count[LS_EXPIRED];
	bad = e->e_count[LS_FAILED] + e->e_count[LS_DISPUTED];
	if (ok + bad == 0)
		return (-1);
	return ((ok * 1000 + (ok + bad) / 2) / (ok + bad));
}

static void
gen_earn(yajl_gen g, const struct earn *e)
{
	static const int	 shown[] = { LS_PAID, LS_PUBLISHED, LS_EXPIRED,
				    LS_FAILED, LS_DISPUTED, LS_CANCELLED,
				    LS_REJECTED };
	char			 pct[32];
	int64_t			 v;
	size_t			 i;

	gen_i64(g, "jobs", earn_jobs(e), 0);
	gen_i64(g, "earned_sats", e->e_earned, 0);
	gen_key(g, "avg_sats");
	if ((v = earn_avg(e)) == -1)
		(void)yajl_gen_null(g);
	else
		(void)yajl_gen_integer(g, (long long)v);
	gen_key(g, "success_rate");
	if ((v = earn_success(e)) == -1)
		(void)yajl_gen_null(g);
	else {
		(void)snprintf(pct, sizeof(pct), "%lld.%lld",
		    (long long)(v / 10), (long long)(v % 10));
		(void)yajl_gen_number(g, pct, strlen(pct));
	}
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		gen_i64(g, ledger_status_name(shown[i]),
		    e->e_count[shown[i]], 0);
}

/*
 * The per-day series behind the chart: each day of the period from its
 * first midnight (for "all", the last 30 days), oldest first.  Days are
 * local; a day is 23 or 25 hours at a DST change, so each midnight is
 * asked of mktime.
 */
#define DAYS_MAX	31
#define BAR_WIDTH	40

struct day {
	int64_t		 d_from;
	int64_t		 d_jobs;
	int64_t		 d_earned;
};

static int
day_cb(const struct ledger_sum *s, void *arg)
{
	struct day	*d = arg;

	d->d_jobs += s->ls_jobs - s->ls_count[LS_REJECTED];
	d->d_earned += s->ls_earned_sats;
	return (0);
}

static int
days_load(struct ledger *l, enum period p, time_t now, struct day *days,
    size_t *ndays)
{
	struct tm	 tm;
	time_t		 t;
	int64_t		 from;
	size_t		 n = 0, i;
	int		 back;

	*ndays = 0;
	if (p == PERIOD_DAY)
		return (0);
	if (localtime_r(&now, &tm) == NULL)
		return (-1);
	from = p == PERIOD_ALL ? -1 : period_start(p, now);
	for (back = DAYS_MAX - 1; back >= 0; back--) {
		struct tm	 d = tm;

		d.tm_sec = d.tm_min = d.tm_hour = 0;
		d.tm_mday -= back;
		d.tm_isdst = -1;
		if ((t = mktime(&d)) == -1)
			return (-1);
		if ((from != -1 && (int64_t)t < from) ||
		    (p == PERIOD_ALL && back >= 30))
			continue;
		days[n].d_from = (int64_t)t;
		days[n].d_jobs = days[n].d_earned = 0;
		n++;
	}
	for (i = 0; i < n; i++)
		if (ledger_earnings(l, days[i].d_from, i + 1 < n ?
		    days[i + 1].d_from : (int64_t)now + 1, day_cb,
		    &days[i]) != 0)
			return (-1);
	*ndays = n;
	return (0);
}

/* Blocks where the terminal speaks UTF-8, '#' elsewhere. */
static int
utf8_out(void)
{
	const char	*v;

	if ((v = getenv("LC_ALL")) == NULL || *v == '\0')
		if ((v = getenv("LC_CTYPE")) == NULL || *v == '\0')
			v = getenv("LANG");
	return (v != NULL && (strcasestr(v, "UTF-8") != NULL ||
	    strcasestr(v, "utf8") != NULL));
}

static void
days_chart(const struct day *days, size_t n)
{
	char		 label[32], num[32];
	struct tm	 tm;
	time_t		 t;
	int64_t		 max = 0;
	size_t		 i;
	int		 w, k, utf8 = utf8_out();

	for (i = 0; i < n; i++)
		if (days[i].d_earned > max)
			max = days[i].d_earned;
	printf("\nBy day:\n");
	for (i = 0; i < n; i++) {
		t = (time_t)days[i].d_from;
		if (localtime_r(&t, &tm) == NULL ||
		    strftime(label, sizeof(label), "%a %m-%d", &tm) == 0)
			(void)strlcpy(label, "?", sizeof(label));
		/* at least one block for a day that earned anything */
		w = max > 0 ? (int)((days[i].d_earned * BAR_WIDTH + max - 1) /
		    max) : 0;
		printf("  %s  ", label);
		for (k = 0; k < BAR_WIDTH; k++)
			fputs(k < w ? (utf8 ? "\u2588" : "#") : " ", stdout);
		fmt_thousands(num, sizeof(num), days[i].d_earned);
		printf(" %s sats, %lld job%s\n", num, (long long)days[i].d_jobs,
		    days[i].d_jobs == 1 ? "" : "s");
	}
}

static int
earnings_json(enum period p, int64_t from, int64_t to,
    const struct earn_total *t, const struct day *days, size_t ndays)
{
	size_t		 k;
	yajl_gen	 g;
	int		 i;

	g = gen_new();
	(void)yajl_gen_map_open(g);
	gen_text(g, "period", period_names[p]);
	gen_i64(g, "from", from, 0);
	gen_i64(g, "to", to, 0);
	gen_earn(g, &t->t_sum);
	gen_key(g, "by_type");
	(void)yajl_gen_array_open(g);
	for (i = 0; i <= JOB_TYPE_MAX; i++) {
		if (t->t_type[i].e_all == 0)
			continue;
		(void)yajl_gen_map_open(g);
		gen_text(g, "type", type_name(i));
		gen_earn(g, &t->t_type[i]);
		(void)yajl_gen_map_close(g);
	}
	(void)yajl_gen_array_close(g);
	gen_key(g, "by_day");
	(void)yajl_gen_array_open(g);
	for (k = 0; k < ndays; k++) {
		(void)yajl_gen_map_open(g);
		gen_i64(g, "from", days[k].d_from, 0);
		gen_i64(g, "jobs", days[k].d_jobs, 0);
		gen_i64(g, "earned_sats", days[k].d_earned, 0);
		(void)yajl_gen_map_close(g);
	}
	(void)yajl_gen_array_close(g);
	(void)yajl_gen_map_close(g);
	return (gen_end(g));
}

static void
print_ratio(const char *label, int64_t v, int tenths)
{
	char	 num[32];

	if (v == -1)
		printf("  %s: %s\n", label, NO_VALUE);
	else if (tenths)
		printf("  %s: %lld.%lld%%\n", label, (long long)(v / 10),
		    (long long)(v % 10));
	else {
		fmt_thousands(num, sizeof(num), v);
		printf("  %s: %s sats\n", label, num);
	}
}

static int
earnings_text(enum period p, const struct earn_total *t,
    const struct day *days, size_t ndays)
{
	const struct earn	*e;
	char			 num[32], name[40];
	int			 i, wname = 0, wjobs = 0, wsats = 0, n;

	fmt_thousands(num, sizeof(num), earn_jobs(&t->t_sum));
	printf("%s:\n  Jobs: %s\n", period_titles[p], num);
	fmt_thousands(num, sizeof(num), t->t_sum.e_earned);
	printf("  Earnings: %s sats\n", num);
	print_ratio("Avg per job", earn_avg(&t->t_sum), 0);
	print_ratio("Success rate", earn_success(&t->t_sum), 1);

	/* the columns as wide as their widest entry */
	for (i = 0; i <= JOB_TYPE_MAX; i++) {
		e = &t->t_type[i];
		if (earn_jobs(e) == 0)
			continue;
		if ((n = (int)strlen(type_name(i)) + 1) > wname)
			wname = n;
		fmt_thousands(num, sizeof(num), earn_jobs(e));
		if ((n = (int)strlen(num)) > wjobs)
			wjobs = n;
		fmt_thousands(num, sizeof(num), e->e_earned);
		if ((n = (int)strlen(num)) > wsats)
			wsats = n;
	}
	if (wname == 0)
		goto out;
	printf("\nBy job type:\n");
	for (i = 0; i <= JOB_TYPE_MAX; i++) {
		e = &t->t_type[i];
		if (earn_jobs(e) == 0)
			continue;
		(void)snprintf(name, sizeof(name), "%s:", type_name(i));
		fmt_thousands(num, sizeof(num), earn_jobs(e));
		printf("  %-*s %*s %s ", wname, name, wjobs, num,
		    earn_jobs(e) == 1 ? "job, " : "jobs,");
		fmt_thousands(num, sizeof(num), e->e_earned);
		printf("%*s sats\n", wsats, num);
	}
	if (ndays > 0)
		days_chart(days, ndays);
 out:
	if (fflush(stdout) == EOF) {
		warn("stdout");
		return (EXIT_FAILED);
	}
	return (EXIT_DONE);
}

static __dead void
earnings_help(void)
{
	printf("usage: openagents provider earnings "
	    "[--period day|week|month|all] [--json] [--config FILE]\n\n"
	    "What the jobs received in a calendar period (local time; "
	    "default week,\nsince Monday 00:00) came to, from the ledger: "
	    "jobs taken on, sats earned,\nthe average per paid job and "
	    "the success rate, in all and by job type.\n");
	exit(EXIT_DONE);
}

static __dead void
jobs_help(void)
{
	printf("usage: openagents provider jobs [--limit N] [--status S] "
	    "[--type T] [--json]\n"
	    "                               [--config FILE]\n\n"
	    "The newest jobs in the ledger (default 20; --limit 0: all), "
	    "newest first.\n"
	    "--status: received, rejected, invoiced, running, verifying, "
	    "published, paid,\n"
	    "          expired, disputed, failed, cancelled\n"
	    "--type:   PatchGen, CodeReview, RepoIndex, SandboxRun, "
	    "TextGen\n");
	exit(EXIT_DONE);
}

static void
report_args(int argc, char *argv[], int jobs, struct report_args *a)
{
	const char	*name = jobs ? "jobs" : "earnings", *errstr;
	int		 ch, i;

	memset(a, 0, sizeof(*a));
	a->ra_period = PERIOD_WEEK;
	a->ra_limit = JOBS_DEFAULT_LIMIT;
	a->ra_status = a->ra_type = -1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", report_opts, NULL)) != -1) {
		if ((ch == 'p' && jobs) ||
		    ((ch == 'n' || ch == 's' || ch == 't') && !jobs))
			ctl_usage_exit(name);
		switch (ch) {
		case 'p':
			for (i = 0; i < PERIOD_MAX; i++)
				if (strcmp(optarg, period_names[i]) == 0)
					break;
			if (i == PERIOD_MAX)
				bad_value("period", optarg, period_names,
				    PERIOD_MAX, NULL);
			a->ra_period = (enum period)i;
			break;
		case 'n':
			a->ra_limit = (int)strtonum(optarg, 0, INT_MAX,
			    &errstr);
			if (errstr != NULL) {
				warnx("--limit %s: %s (0 for all)", optarg,
				    errstr);
				exit(EXIT_USAGE);
			}
			break;
		case 's':
			if ((a->ra_status = ledger_status_lookup(optarg)) == -1)
				bad_value("status", optarg, NULL,
				    LS_STATUS_MAX, ledger_status_name);
			break;
		case 't':
			if ((a->ra_type = config_job_type_lookup(optarg)) == -1)
				bad_value("job type", optarg, NULL,
				    JOB_TYPE_MAX, type_name);
			break;
		case 'j':
			a->ra_json = 1;
			break;
		case 'c':
			ctl_config = optarg;
			break;
		case 'h':
			if (jobs)
				jobs_help();
			earnings_help();
		default:
			ctl_usage_exit(name);
		}
	}
	if (optind != argc)
		ctl_usage_exit(name);
}

int
cmd_earnings(int argc, char *argv[])
{
	struct ledger		*l;
	struct earn_total	 t;
	struct report_args	 a;
	struct day		 days[DAYS_MAX];
	size_t			 ndays = 0;
	int64_t			 from, to;
	time_t			 now;
	int			 rc;

	report_args(argc, argv, 0, &a);
	l = report_open();
	now = time(NULL);
	from = period_start(a.ra_period, now);
	to = (int64_t)now + 1;
	memset(&t, 0, sizeof(t));
	if (ledger_earnings(l, from, to, earn_cb, &t) != 0 ||
	    days_load(l, a.ra_period, now, days, &ndays) == -1) {
		warnx("%s", ledger_error(l));
		ledger_close(l);
		return (EXIT_FAILED);
	}
	ledger_close(l);
	if (a.ra_json)
		rc = earnings_json(a.ra_period, from, to, &t, days, ndays);
	else
		rc = earnings_text(a.ra_period, &t, days, ndays);
	return (rc);
}

struct jobs_out {
	yajl_gen	 jo_gen;	/* NULL: a table */
	int64_t		 jo_rows;
};

/* Started to finished; -1 while it runs or when it never ran. */
static int64_t
job_duration(const struct ledger_job *j)
{
	if (j->lj_started_at == 0 || j->lj_finished_at == 0 ||
	    j->lj_finished_at < j->lj_started_at)
		return (-1);
	return (j->lj_finished_at - j->lj_started_at);
}

static int
jobs_row(const struct ledger_job *j, void *arg)
{
	struct jobs_out	*o = arg;
	yajl_gen	 g = o->jo_gen;
	char		 earned[32], dur[32];
	int64_t		 d = job_duration(j);

	o->jo_rows++;
	if (g == NULL) {
		fmt_thousands(earned, sizeof(earned), j->lj_earned_sats);
		if (d == -1)
			(void)strlcpy(dur, "-", sizeof(dur));
		else
			fmt_duration(dur, sizeof(dur), d);
		printf("%-20s  %-10s  %-9s  %-9s  %s\n", j->lj_id,
		    type_name(j->lj_type), ledger_status_name(j->lj_status),
		    earned, dur);
		return (0);
	}
	(void)yajl_gen_map_open(g);
	gen_text(g, "id", j->lj_id);
	gen_text(g, "request_id", j->lj_request_id);
	gen_text(g, "type", type_name(j->lj_type));
	gen_i64(g, "kind", j->lj_kind, 0);
	gen_text(g, "status", ledger_status_name(j->lj_status));
	gen_i64(g, "price_sats", j->lj_price_sats, 0);
	gen_i64(g, "earned_sats", j->lj_earned_sats, 0);
	gen_text(g, "error_code", j->lj_error_code);
	gen_i64(g, "created_at", j->lj_created_at, 1);
	gen_i64(g, "started_at", j->lj_started_at, 1);
	gen_i64(g, "finished_at", j->lj_finished_at, 1);
	gen_key(g, "duration_secs");
	if (d == -1)
		(void)yajl_gen_null(g);
	else
		(void)yajl_gen_integer(g, (long long)d);
	gen_text(g, "result_id", j->lj_result_id);
	(void)yajl_gen_map_close(g);
	/* 2: stdout failed, which the ledger's -1 would hide */
	return (gen_flush(g) == -1 ? 2 : 0);
}

int
cmd_jobs(int argc, char *argv[])
{
	struct ledger		*l;
	struct jobs_out		 o;
	struct report_args	 a;
	int			 rc;

	report_args(argc, argv, 1, &a);
	l = report_open();
	memset(&o, 0, sizeof(o));
	if (a.ra_json) {
		o.jo_gen = gen_new();
		(void)yajl_gen_array_open(o.jo_gen);
	} else
		printf("%-20s  %-10s  %-9s  %-9s  %s\n", "ID", "Type",
		    "Status", "Earned", "Duration");
	rc = ledger_jobs_list(l, a.ra_status, a.ra_type, a.ra_limit, jobs_row,
	    &o);
	if (rc != 0) {
		if (rc == 2)
			warn("stdout");
		else
			warnx("%s", ledger_error(l));
		if (o.jo_gen != NULL)
			yajl_gen_free(o.jo_gen);
		ledger_close(l);
		return (EXIT_FAILED);
	}
	ledger_close(l);
	if (a.ra_json) {
		(void)yajl_gen_array_close(o.jo_gen);
		return (gen_end(o.jo_gen));
	}
	if (o.jo_rows == 0)
		printf("(no jobs)\n");
	if (fflush(stdout) == EOF) {
		warn("stdout");
		return (EXIT_FAILED);
	}
	return (EXIT_DONE);
}
