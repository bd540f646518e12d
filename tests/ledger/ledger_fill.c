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
 * ledger_fill PATH COUNT [DAYS [REQUEST_BYTES]]: fills a ledger with
 * COUNT synthetic jobs received over the last DAYS days (default 240,
 * about what three workers could do flat out), 10,000 to a
 * transaction, then times what the reports ask of it (TESTING.md P5):
 * the newest 20 jobs, filtered and not, and the month's sums by type,
 * each through a fresh read-only handle as the CLI opens it, with the
 * file's pages in the page cache ("warm") and dropped from it
 * ("cold").  With COUNT 0 it only times an existing ledger.  Not a
 * test: it prints numbers.
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
			return (-1);
		memset(&j, 0, sizeof(j));
		(void)snprintf(j.lj_id, sizeof(j.lj_id), "job_%016lx", i);
		(void)snprintf(j.lj_request_id, sizeof(j.lj_request_id),
		    "%08x%056lx", arc4random(), i);
		(void)snprintf(j.lj_buyer, sizeof(j.lj_buyer), "%064x",
		    arc4random_uniform(1000));
		j.lj_type = (int)arc4random_uniform(JOB_TYPE_MAX);
		j.lj_kind = 5930 + (uint32_t)j.lj_type;
		j.lj_status = pick_status(arc4random());
		j.lj_step = j.lj_status == LS_PAID ? LSTEP_RESULT_PUBLISHED :
		    LSTEP_NONE;
		j.lj_price_sats = 1000 + arc4random_uniform(9000);
		if (j.lj_status == LS_PAID)
			j.lj_earned_sats = j.lj_price_sats;
		/* evenly over the span, oldest first, as they would arrive */
		j.lj_received_at = now - span + (int64_t)((double)span *
		    (double)i / (double)count);
		j.lj_created_at = j.lj_received_at - 1;
		j.lj_started_at = j.lj_received_at + 1;
		j.lj_finished_at = j.lj_started_at + 60 +
		    arc4random_uniform(600);
		if (j.lj_status == LS_FAILED) {
			(void)strlcpy(j.lj_error_code, "E006",
			    sizeof(j.lj_error_code));
			(void)strlcpy(j.lj_error_msg, "tests failed",
			    sizeof(j.lj_error_msg));
		}
		if (ledger_job_insert(l, &j, req, reqlen) != 0)
			return (-1);
		if ((i + 1) % BATCH == 0 || i + 1 == count) {
			if (ledger_commit(l) == -1)
				return (-1);
		}
	}
	t = now_ms() - t0;
	printf("filled %ld jobs over %ld days in %.1f s (%.0f jobs/s)\n",
	    count, days, t / 1e3, (double)count / (t / 1e3));

	/* what one job's transitions cost, synced, on this disk */
	t0 = now_ms();
	for (i = 0; i < 100; i++) {
		(void)snprintf(j.lj_id, sizeof(j.lj_id), "job_%016lx",
		    count - 1 - i);
		j.lj_status = LS_PAID;
		if (ledger_job_update(l, &j) != 0)
			return (-1);
	}
	printf("ledger_job_update (synced): %.2f ms each\n",
	    (now_ms() - t0) / 100);
	free(req);
	ledger_close(l);
	return (0);
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

int
main(int argc, char *argv[])
{
	const char	*errstr;
	long		 count, days = 240;
	size_t		 reqlen = 800;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: ledger_fill path count [days "
		    "[request_bytes]]\n");
		return (2);
	}
	count = strtonum(argv[2], 0, 100000000, &errstr);
	if (errstr == NULL && argc > 3)
		days = strtonum(argv[3], 1, 100000, &errstr);
	if (errstr == NULL && argc > 4)
		reqlen = strtonum(argv[4], 0, 10000000, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "ledger_fill: argument %s\n", errstr);
		return (2);
	}
	if (count > 0 && fill(argv[1], count, days, reqlen) == -1)
		return (1);
	bench(argv[1]);
	return (0);
}
