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
 * ledger_fill [-q] PATH COUNT [DAYS [REQUEST_BYTES]]: fills a ledger
 * with COUNT synthetic jobs received over the last DAYS days (default
 * 365), 10,000 to a transaction, in the mix of types and outcomes of a
 * busy provider; the paid ones through an invoice and its settlement,
 * the expired ones through an invoice that lapsed, as the daemon
 * records them.  Then it times what the reports ask of it (TESTING.md
 * P5): the newest 20 jobs, filtered and not, and the month's sums by
 * type, each through a fresh read-only handle as the CLI opens it,
 * with the file's pages in the page cache ("warm") and dropped from it
 * ("cold").  -q fills only.  With COUNT 0 it only times an existing
 * ledger.  Not a test: it prints numbers.
 *
 * ledger_fill -k PATH: the fixed set of jobs the report tests check,
 * placed at set distances before now; one JSON object per job on
 * stdout says what each should show.
 */

#include <sys/types.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "config.h"
#include "ledger.h"

#define BATCH	10000
#define RUNS	15

static double
now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
		perror("clock_gettime");
		exit(1);
	}
	return ((double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
}

/* The status mix of a busy provider: mostly paid, some of the rest. */
static int
pick_status(uint32_t r)
{
	r %= 100;
	if (r < 70)
		return (LS_PAID);
	if (r < 80)
		return (LS_REJECTED);
	if (r < 86)
		return (LS_FAILED);
	if (r < 90)
		return (LS_EXPIRED);
	if (r < 93)
		return (LS_DISPUTED);
	if (r < 96)
		return (LS_CANCELLED);
	return (LS_PUBLISHED);
}

/* Patches and reviews are most of the work. */
static int
pick_type(uint32_t r)
{
	r %= 100;
	if (r < 40)
		return (JOB_PATCHGEN);
	if (r < 70)
		return (JOB_CODEREVIEW);
	if (r < 80)
		return (JOB_REPOINDEX);
	if (r < 95)
		return (JOB_SANDBOXRUN);
	return (JOB_TEXTGEN);
}

static int
fail_with(struct ledger *l, const char *what)
{
	fprintf(stderr, "ledger_fill: %s: %s\n", what, ledger_error(l));
	return (-1);
}

/*
 * The money side of a job inserted PUBLISHED: an invoice of its price,
 * then, for PAID, its settlement (which moves the job) and, for
 * EXPIRED, its lapse.  n makes the payment hash unique.
 */
static int
invoice_for(struct ledger *l, const struct ledger_job *j, int final,
    long n, int64_t msats, int64_t paid_at)
{
	struct ledger_invoice	 in;
	char			 pre[65];
	int			 rc;

	memset(&in, 0, sizeof(in));
	(void)strlcpy(in.li_job, j->lj_id, sizeof(in.li_job));
	(void)snprintf(in.li_payment_hash, sizeof(in.li_payment_hash),
	    "%016lx%048x", (unsigned long)n, arc4random());
	/* about the length of a real one with a description hash */
	(void)snprintf(in.li_bolt11, sizeof(in.li_bolt11), "lnbc%lldn1p%s",
	    (long long)(msats / 100), "jq0pp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzq"
	    "fqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpuaztrnwngzn3kdz"
	    "w5hydlzf03qdgm2hdq27cqv3agm2awhz5se903vruatfhq77w3ls4evs3ch9zw9"
	    "7j25emudupq63nyw24cg27h2rspfj9srp5z9t6xz3c3lzvpg0hxcq9ssq23jd7g"
	    "r8t3d7gq3k3skg3w6q2uw6dq");
	in.li_amount_msats = msats;
	in.li_created_at = j->lj_finished_at;
	in.li_expires_at = j->lj_finished_at + 600;
	if (ledger_invoice_add(l, &in) != 0)
		return (fail_with(l, "invoice"));
	if (final == LS_PAID) {
		(void)snprintf(pre, sizeof(pre), "%08x%056lx", arc4random(),
		    (unsigned long)n);
		rc = ledger_invoice_settle(l, in.li_payment_hash, msats, pre,
		    paid_at, n % 10 == 0 ? "lookup" : "notification");
		if (rc != 0)
			return (fail_with(l, "settle"));
	} else if (final == LS_EXPIRED) {
		if (ledger_invoice_close(l, in.li_payment_hash, LI_EXPIRED,
		    in.li_expires_at) != 0)
			return (fail_with(l, "expire"));
	}
	return (0);
}

/* Has a result event: published, and what can follow publishing. */
static int
has_result(int status)
{
	return (status == LS_PUBLISHED || status == LS_PAID ||
	    status == LS_EXPIRED || status == LS_DISPUTED);
}

static int
fill(const char *path, long count, long days, size_t reqlen)
{
	struct ledger		*l;
	struct ledger_job	 j;
	char			 err[1024], *req;
	int64_t			 now = time(NULL), span = days * 86400;
	double			 t0, t;
	long			 i;
	size_t			 k;
	uint32_t		 buyer = 0;
	int			 final;

	if (ledger_open(path, 0, &l, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return (-1);
	}
	if ((req = malloc(reqlen + 1)) == NULL) {
		perror("malloc");
		return (-1);
	}
	/* a request-shaped filler; only its size matters here */
	for (k = 0; k < reqlen; k++)
		req[k] = "{\"tags\":[[\"i\",\"https://example.org/r\"]]}"[k % 40];
	t0 = now_ms();
	for (i = 0; i < count; i++) {
		if (i % BATCH == 0 && ledger_begin(l) == -1)
			return (fail_with(l, "begin"));
		memset(&j, 0, sizeof(j));
		(void)snprintf(j.lj_id, sizeof(j.lj_id), "job_%016lx", i);
		/*
		 * Event ids and hashes lead with the sequence, so that a
		 * million of them go into their indexes at the end rather
		 * than all over (and at disk speed); where they sort does
		 * not matter to the reports.
		 */
		(void)snprintf(j.lj_request_id, sizeof(j.lj_request_id),
		    "%016lx%048x", i, arc4random());
		/* 1,000 buyers, each sending a run of jobs at a time */
		if (i % 20 == 0)
			buyer = arc4random_uniform(1000);
		(void)snprintf(j.lj_buyer, sizeof(j.lj_buyer), "%064x", buyer);
		j.lj_type = pick_type(arc4random());
		j.lj_kind = (uint32_t)config_job_type_kind(j.lj_type);
		final = pick_status(arc4random());
		/* the money path moves these on from published */
		j.lj_status = final == LS_PAID || final == LS_EXPIRED ?
		    LS_PUBLISHED : final;
		j.lj_step = has_result(final) ? LSTEP_RESULT_PUBLISHED :
		    LSTEP_NONE;
		j.lj_price_sats = 1000 + arc4random_uniform(9000);
		/* evenly over the span, oldest first, as they would arrive */
		j.lj_received_at = now - span + (int64_t)((double)span *
		    (double)i / (double)count);
		j.lj_created_at = j.lj_received_at - 1;
		if (final != LS_REJECTED) {
			j.lj_started_at = j.lj_received_at + 1;
			j.lj_finished_at = j.lj_started_at + 60 +
			    arc4random_uniform(600);
		}
		if (has_result(final))
			(void)snprintf(j.lj_result_id, sizeof(j.lj_result_id),
			    "%016lx%048x", i, arc4random());
		if (final == LS_FAILED) {
			(void)strlcpy(j.lj_error_code, "E006",
			    sizeof(j.lj_error_code));
			(void)strlcpy(j.lj_error_msg, "tests failed",
			    sizeof(j.lj_error_msg));
		} else if (final == LS_REJECTED)
			(void)strlcpy(j.lj_error_code, "E003",
			    sizeof(j.lj_error_code));
		if (ledger_job_insert(l, &j, req, reqlen) != 0)
			return (fail_with(l, "insert"));
		if ((final == LS_PAID || final == LS_EXPIRED) &&
		    invoice_for(l, &j, final, i, j.lj_price_sats * 1000,
		    j.lj_finished_at + 2 + arc4random_uniform(60)) == -1)
			return (-1);
		if ((i + 1) % BATCH == 0 || i + 1 == count) {
			if (ledger_commit(l) == -1)
				return (fail_with(l, "commit"));
		}
	}
	t = now_ms() - t0;
	printf("filled %ld jobs over %ld days in %.1f s (%.0f jobs/s)\n",
	    count, days, t / 1e3, (double)count / (t / 1e3));

	/* what one job's transitions cost, synced, on this disk */
	t0 = now_ms();
	for (i = 0; i < 100 && i < count; i++) {
		(void)snprintf(err, sizeof(err), "job_%016lx", count - 1 - i);
		if (ledger_job_get(l, err, &j) != 0)
			return (fail_with(l, "get"));
		j.lj_step = LSTEP_RESULT_PUBLISHED;
		if (ledger_job_update(l, &j) != 0)
			return (fail_with(l, "update"));
	}
	if (i > 0)
		printf("ledger_job_update (synced): %.2f ms each\n",
		    (now_ms() - t0) / (double)i);
	free(req);
	ledger_close(l);
	return (0);
}

/*
 * The report tests' jobs: three at each distance before now, every
 * status and type (and an unknown type) in turn, durations of every
 * form.  What each job ends as is printed as it should read back.
 */
static int
known(const char *path)
{
	static const int64_t	 ago[] = { 0, 20, 400, 3000, 7200, 20000,
	    50000, 86500, 172800, 259205, 345600, 432000, 518407, 691200,
	    777600, 1036800, 1296000, 1728000, 2246400, 2505600, 2678400,
	    3456000, 5356800, 8640000, 17280000, 31968000 };
	static const int64_t	 durs[] = { 45, 204, 3720, 59, 90061 };
	struct ledger		*l;
	struct ledger_job	 j;
	char			 err[1024];
	int64_t			 now = time(NULL), earned;
	int			 i, n, final;

	if (ledger_open(path, 0, &l, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return (-1);
	}
	n = (int)(sizeof(ago) / sizeof(ago[0])) * 3;
	for (i = 0; i < n; i++) {
		memset(&j, 0, sizeof(j));
		(void)snprintf(j.lj_id, sizeof(j.lj_id), "job_%016x",
		    0xabc000 + i);
		(void)snprintf(j.lj_request_id, sizeof(j.lj_request_id),
		    "%064x", 0x5eed00 + i);
		(void)snprintf(j.lj_buyer, sizeof(j.lj_buyer), "%064x", i % 4);
		j.lj_type = i % 11 == 10 ? -1 : i % JOB_TYPE_MAX;
		j.lj_kind = j.lj_type == -1 ? 5999 :
		    (uint32_t)config_job_type_kind(j.lj_type);
		final = (i * 7 + i / LS_STATUS_MAX) % LS_STATUS_MAX;
		j.lj_status = final == LS_PAID || final == LS_EXPIRED ?
		    LS_PUBLISHED : final;
		j.lj_price_sats = i == 18 ? 1234567 : 500 + 1000 * i;
		j.lj_received_at = now - ago[i / 3] - i % 3;
		j.lj_created_at = j.lj_received_at - 2;
		if (final != LS_REJECTED && final != LS_RECEIVED &&
		    final != LS_INVOICED)
			j.lj_started_at = j.lj_received_at + 1;
		if (j.lj_started_at != 0 && final != LS_RUNNING &&
		    final != LS_VERIFYING)
			j.lj_finished_at = j.lj_started_at +
			    durs[i % (sizeof(durs) / sizeof(durs[0]))];
		if (has_result(final))
			(void)snprintf(j.lj_result_id, sizeof(j.lj_result_id),
			    "%064x", 0x7e5000 + i);
		if (final == LS_FAILED)
			(void)strlcpy(j.lj_error_code, "E006",
			    sizeof(j.lj_error_code));
		if (ledger_job_insert(l, &j, "{}", 2) != 0)
			return (fail_with(l, "insert"));
		/* odd msats: earned is whole sats, rounded down */
		if ((final == LS_PAID || final == LS_EXPIRED) &&
		    invoice_for(l, &j, final, i, j.lj_price_sats * 1000 + 999,
		    j.lj_finished_at + 1) == -1)
			return (-1);
		earned = final == LS_PAID ? j.lj_price_sats : 0;
		printf("{\"id\":\"%s\",\"request_id\":\"%s\",\"type\":\"%s\","
		    "\"kind\":%u,\"status\":\"%s\",\"price_sats\":%lld,"
		    "\"earned_sats\":%lld,\"error_code\":\"%s\","
		    "\"created_at\":%lld,\"received_at\":%lld,"
		    "\"started_at\":%lld,\"finished_at\":%lld,"
		    "\"result_id\":\"%s\"}\n", j.lj_id, j.lj_request_id,
		    config_job_type_name((enum job_type)j.lj_type), j.lj_kind,
		    ledger_status_name(final), (long long)j.lj_price_sats,
		    (long long)earned, j.lj_error_code,
		    (long long)j.lj_created_at, (long long)j.lj_received_at,
		    (long long)j.lj_started_at, (long long)j.lj_finished_at,
		    j.lj_result_id);
	}
	ledger_close(l);
	return (fflush(stdout) == EOF ? -1 : 0);
}

/* Drops the ledger's pages from the page cache; no root needed. */
static void
drop_cache(const char *path)
{
	char		 p[1100];
	const char	*sfx[] = { "", "-wal" };
	size_t		 i;
	int		 fd;

	for (i = 0; i < 2; i++) {
		(void)snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		if ((fd = open(p, O_RDONLY)) == -1)
			continue;
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		(void)close(fd);
	}
}

static int
count_cb(const struct ledger_job *j, void *arg)
{
	(void)j;
	(*(int *)arg)++;
	return (0);
}

struct total {
	int64_t	 jobs;
	int64_t	 earned;
};

static int
sum_cb(const struct ledger_sum *s, void *arg)
{
	struct total	*t = arg;

	t->jobs += s->ls_jobs;
	t->earned += s->ls_earned_sats;
	return (0);
}

enum what { LIST_ANY, LIST_FAILED, LIST_TYPE, MONTH };

/* One report through a fresh read-only handle: open, query, close. */
static double
once(const char *path, enum what w, int cold, int *rows, struct total *tot)
{
	struct ledger	*l;
	char		 err[1024];
	int64_t		 now = time(NULL);
	double		 t0;
	int		 rc;

	if (cold)
		drop_cache(path);
	*rows = 0;
	memset(tot, 0, sizeof(*tot));
	t0 = now_ms();
	if (ledger_open(path, 1, &l, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	switch (w) {
	case LIST_ANY:
		rc = ledger_jobs_list(l, -1, -1, 20, count_cb, rows);
		break;
	case LIST_FAILED:
		rc = ledger_jobs_list(l, LS_FAILED, -1, 20, count_cb, rows);
		break;
	case LIST_TYPE:
		rc = ledger_jobs_list(l, -1, JOB_SANDBOXRUN, 20, count_cb,
		    rows);
		break;
	case MONTH:
		rc = ledger_earnings(l, now - 30 * 86400, now + 1, sum_cb, tot);
		break;
	default:
		rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, "%s\n", ledger_error(l));
		exit(1);
	}
	ledger_close(l);
	return (now_ms() - t0);
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static void
bench(const char *path)
{
	static const char *const names[] = { "jobs --limit 20",
	    "jobs --status failed --limit 20", "jobs --type SandboxRun --limit 20",
	    "earnings --period month" };
	struct total	 tot;
	double		 t[RUNS];
	int		 w, cold, i, rows;

	for (w = LIST_ANY; w <= MONTH; w++) {
		for (cold = 1; cold >= 0; cold--) {
			for (i = 0; i < RUNS; i++)
				t[i] = once(path, (enum what)w, cold, &rows,
				    &tot);
			qsort(t, RUNS, sizeof(t[0]), cmp_double);
			printf("%-34s %s: median %6.2f ms, max %6.2f ms",
			    names[w], cold ? "cold" : "warm", t[RUNS / 2],
			    t[RUNS - 1]);
			if (w == MONTH)
				printf(" (%lld jobs, %lld sats)\n",
				    (long long)tot.jobs, (long long)tot.earned);
			else
				printf(" (%d rows)\n", rows);
		}
	}
}

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: ledger_fill [-q] path count [days "
	    "[request_bytes]]\n       ledger_fill -k path\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char	*errstr = NULL;
	long		 count, days = 365;
	size_t		 reqlen = 800;
	int		 ch, quiet = 0, fixed = 0;

	while ((ch = getopt(argc, argv, "kq")) != -1) {
		switch (ch) {
		case 'k':
			fixed = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (fixed) {
		if (argc != 1)
			usage();
		return (known(argv[0]) == -1 ? 1 : 0);
	}
	if (argc < 2 || argc > 4)
		usage();
	count = strtonum(argv[1], 0, 100000000, &errstr);
	if (errstr == NULL && argc > 2)
		days = strtonum(argv[2], 1, 100000, &errstr);
	if (errstr == NULL && argc > 3)
		reqlen = strtonum(argv[3], 0, 10000000, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "ledger_fill: argument %s\n", errstr);
		return (2);
	}
	if (count > 0 && fill(argv[0], count, days, reqlen) == -1)
		return (1);
	if (!quiet)
		bench(argv[0]);
	return (0);
}
