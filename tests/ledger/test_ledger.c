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
 * The ledger against real SQLite files in a scratch folder: every
 * call, dedupe, round trips, listings, read-only readers beside a
 * writer, schema versions, file modes, and a writer killed mid-way.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <check.h>
#include <sqlite3.h>

#include "check_run.h"
#include "config.h"
#include "ledger.h"

static char	 tdir[256];
static char	 tpath[320];

static void
scratch_setup(void)
{
	const char	*t;
	int		 n;

	if ((t = getenv("TMPDIR")) == NULL || *t == '\0')
		t = "/tmp";
	n = snprintf(tdir, sizeof(tdir), "%s/oa-ledger.XXXXXX", t);
	ck_assert(n > 0 && (size_t)n < sizeof(tdir));
	ck_assert_ptr_nonnull(mkdtemp(tdir));
	n = snprintf(tpath, sizeof(tpath), "%s/ledger.db", tdir);
	ck_assert(n > 0 && (size_t)n < sizeof(tpath));
}

static void
scratch_teardown(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 p[600];

	if ((d = opendir(tdir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		(void)snprintf(p, sizeof(p), "%s/%s", tdir, e->d_name);
		(void)unlink(p);
	}
	(void)closedir(d);
	(void)rmdir(tdir);
}

static struct ledger *
open_as(int readonly)
{
	struct ledger	*l;
	char		 err[512];

	if (ledger_open(tpath, readonly, &l, err, sizeof(err)) == -1)
		ck_abort_msg("ledger_open: %s", err);
	return (l);
}
#define open_rw()	open_as(0)
#define open_ro()	open_as(1)

/* A job whose every field is derived from n. */
static void
job_make(struct ledger_job *j, int n)
{
	memset(j, 0, sizeof(*j));
	(void)snprintf(j->lj_id, sizeof(j->lj_id), "job_%016x", n);
	(void)snprintf(j->lj_request_id, sizeof(j->lj_request_id),
	    "%064x", n);
	(void)snprintf(j->lj_buyer, sizeof(j->lj_buyer), "%064x", n % 7);
	j->lj_kind = 5930 + (uint32_t)(n % 4);
	j->lj_type = n % JOB_TYPE_MAX;
	j->lj_status = LS_RECEIVED;
	j->lj_step = LSTEP_NONE;
	j->lj_encrypted = n % 3 == 0 ? 0 : (n % 3 == 1 ? 4 : 44);
	j->lj_price_sats = 1000 + n;
	j->lj_created_at = 1700000000 + n;
	j->lj_received_at = 1700000000 + n + 1;
}

static void
job_eq(const struct ledger_job *a, const struct ledger_job *b)
{
	ck_assert_str_eq(a->lj_id, b->lj_id);
	ck_assert_str_eq(a->lj_request_id, b->lj_request_id);
	ck_assert_str_eq(a->lj_buyer, b->lj_buyer);
	ck_assert_uint_eq(a->lj_kind, b->lj_kind);
	ck_assert_int_eq(a->lj_type, b->lj_type);
	ck_assert_int_eq(a->lj_status, b->lj_status);
	ck_assert_int_eq(a->lj_step, b->lj_step);
	ck_assert_int_eq(a->lj_encrypted, b->lj_encrypted);
	ck_assert_int_eq(a->lj_price_sats, b->lj_price_sats);
	ck_assert_int_eq(a->lj_earned_sats, b->lj_earned_sats);
	ck_assert_str_eq(a->lj_error_code, b->lj_error_code);
	ck_assert_str_eq(a->lj_error_msg, b->lj_error_msg);
	ck_assert_str_eq(a->lj_result_id, b->lj_result_id);
	ck_assert_str_eq(a->lj_trajectory_id, b->lj_trajectory_id);
	ck_assert_int_eq(a->lj_created_at, b->lj_created_at);
	ck_assert_int_eq(a->lj_received_at, b->lj_received_at);
	ck_assert_int_eq(a->lj_started_at, b->lj_started_at);
	ck_assert_int_eq(a->lj_finished_at, b->lj_finished_at);
}

static const char req[] = "{\"kind\":5932}";

static void
insert_ok(struct ledger *l, const struct ledger_job *j)
{
	ck_assert_int_eq(ledger_job_insert(l, j, req, sizeof(req) - 1), 0);
}

/* A raw query on its own connection, for what the API does not show. */
static int64_t
raw_int(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 v;

	ck_assert_int_eq(sqlite3_open_v2(tpath, &db, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	ck_assert_int_eq(sqlite3_finalize(st), SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	return (v);
}

static void
raw_exec(const char *sql)
{
	sqlite3		*db;
	char		*msg = NULL;

	ck_assert_int_eq(sqlite3_open_v2(tpath, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, msg);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

/* Collects the ids a listing hands over. */
struct seen {
	int		 n;
	int		 stop_at;	/* 0: never */
	char		 id[64][LEDGER_JOBID_LEN];
	int64_t		 received[64];
	struct ledger	*l;		/* for callbacks that call back */
};

static int
seen_cb(const struct ledger_job *j, void *arg)
{
	struct seen	*s = arg;

	if (s->n < 64) {
		(void)strlcpy(s->id[s->n], j->lj_id, sizeof(s->id[0]));
		s->received[s->n] = j->lj_received_at;
	}
	s->n++;
	if (s->stop_at != 0 && s->n == s->stop_at)
		return (7);
	return (0);
}

START_TEST(test_status_names)
{
	static const char *const names[] = { "received", "rejected",
	    "invoiced", "running", "verifying", "published", "paid",
	    "expired", "disputed", "failed", "cancelled" };
	int	 i;

	ck_assert_int_eq(sizeof(names) / sizeof(names[0]), LS_STATUS_MAX);
	for (i = 0; i < LS_STATUS_MAX; i++) {
		ck_assert_str_eq(ledger_status_name(i), names[i]);
		ck_assert_int_eq(ledger_status_lookup(names[i]), i);
	}
	ck_assert_str_eq(ledger_status_name(-1), "unknown");
	ck_assert_str_eq(ledger_status_name(LS_STATUS_MAX), "unknown");
	ck_assert_int_eq(ledger_status_lookup("Paid"), -1);
	ck_assert_int_eq(ledger_status_lookup(""), -1);
	ck_assert_int_eq(ledger_status_lookup(NULL), -1);
}
END_TEST

static void
mode_is(const char *suffix, mode_t want)
{
	struct stat	 sb;
	char		 p[400];

	(void)snprintf(p, sizeof(p), "%s%s", tpath, suffix);
	ck_assert_int_eq(stat(p, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, want);
}

START_TEST(test_create_mode)
{
	struct ledger		*l;
	struct ledger_job	 j;
	int			 fd;

	/* the umask must not decide, in either direction */
	(void)umask(0);
	l = open_rw();
	ck_assert_int_eq(ledger_schema_version(l), LEDGER_SCHEMA_VERSION);
	job_make(&j, 1);
	insert_ok(l, &j);
	mode_is("", 0600);
	mode_is("-wal", 0600);
	mode_is("-shm", 0600);
	ledger_close(l);

	/* a file someone loosened is tightened at the next open */
	ck_assert_int_eq(chmod(tpath, 0644), 0);
	(void)umask(077);
	l = open_rw();
	mode_is("", 0600);
	ledger_close(l);

	/* not a regular file: refused */
	ck_assert_int_eq(unlink(tpath), 0);
	ck_assert_int_eq(mkdir(tpath, 0700), 0);
	ck_assert_int_eq(ledger_open(tpath, 0, &l, NULL, 0), -1);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(rmdir(tpath), 0);

	/* a symlink is not followed */
	fd = open(tdir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(symlinkat("elsewhere.db", fd, "ledger.db"), 0);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(ledger_open(tpath, 0, &l, NULL, 0), -1);
}
END_TEST

START_TEST(test_readonly_missing)
{
	struct ledger	*l;
	struct stat	 sb;
	char		 err[512], want[512];

	ck_assert_int_eq(ledger_open(tpath, 1, &l, err, sizeof(err)), -1);
	ck_assert_ptr_null(l);
	(void)snprintf(want, sizeof(want), "no ledger yet at %s", tpath);
	ck_assert_msg(strstr(err, want) != NULL, "err: %s", err);
	ck_assert_int_eq(stat(tpath, &sb), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_insert_dedupe)
{
	struct ledger		*l;
	struct ledger_job	 j, k, got;
	struct seen		 s;

	l = open_rw();
	job_make(&j, 1);
	insert_ok(l, &j);
	/* the same request again, as a relay resends it */
	ck_assert_int_eq(ledger_job_insert(l, &j, req, sizeof(req) - 1), 1);
	/* the same request under another job id */
	k = j;
	(void)strlcpy(k.lj_id, "job_other", sizeof(k.lj_id));
	ck_assert_int_eq(ledger_job_insert(l, &k, req, sizeof(req) - 1), 1);
	/* the same job id for another request */
	job_make(&k, 2);
	(void)strlcpy(k.lj_id, j.lj_id, sizeof(k.lj_id));
	ck_assert_int_eq(ledger_job_insert(l, &k, req, sizeof(req) - 1), 1);

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_list(l, -1, -1, 0, seen_cb, &s), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(ledger_job_get(l, "job_other", &got), 1);
	ck_assert_int_eq(ledger_job_by_request(l, k.lj_request_id, &got), 1);
	ck_assert_int_eq(ledger_job_get(l, j.lj_id, &got), 0);
	job_eq(&got, &j);
	ck_assert_int_eq(ledger_job_get(l, NULL, &got), -1);
	ck_assert_str_ne(ledger_error(l), "");
	ledger_close(l);
}
END_TEST

START_TEST(test_update_roundtrip)
{
	struct ledger		*l;
	struct ledger_job	 j, got, bad;
	time_t			 t0;

	l = open_rw();
	memset(&j, 0, sizeof(j));
	(void)strlcpy(j.lj_id, "job_00112233aabbccdd", sizeof(j.lj_id));
	memset(j.lj_request_id, 'e', 64);
	memset(j.lj_buyer, 'b', 64);
	j.lj_kind = 5932;
	j.lj_type = JOB_PATCHGEN;
	j.lj_status = LS_RECEIVED;
	j.lj_step = LSTEP_NONE;
	j.lj_encrypted = 44;
	j.lj_price_sats = 4500;
	j.lj_earned_sats = 0;
	j.lj_created_at = 1767225600;
	j.lj_received_at = 1767225601;
	/* a full-length error message and ids at their limits */
	memset(j.lj_error_msg, 'm', sizeof(j.lj_error_msg) - 1);
	memset(j.lj_trajectory_id, 't', sizeof(j.lj_trajectory_id) - 1);
	insert_ok(l, &j);
	ck_assert_int_eq(ledger_job_get(l, j.lj_id, &got), 0);
	job_eq(&got, &j);

	t0 = time(NULL);
	j.lj_status = LS_PAID;
	j.lj_step = LSTEP_RESULT_PUBLISHED;
	j.lj_price_sats = 5000;
	j.lj_earned_sats = 4999;
	(void)strlcpy(j.lj_error_code, "E006", sizeof(j.lj_error_code));
	(void)strlcpy(j.lj_error_msg, "tests failed: exit 1 \xc3\xa9 'quote' "
	    "\"dq\" ; DROP TABLE jobs; --", sizeof(j.lj_error_msg));
	memset(j.lj_result_id, 'f', 64);
	(void)strlcpy(j.lj_trajectory_id, "traj-1", sizeof(j.lj_trajectory_id));
	j.lj_started_at = 1767225610;
	j.lj_finished_at = 1767225990;
	/* immutable fields are not written back */
	bad = j;
	bad.lj_kind = 1;
	bad.lj_type = JOB_TEXTGEN;
	bad.lj_encrypted = 0;
	bad.lj_received_at = 5;
	ck_assert_int_eq(ledger_job_update(l, &bad), 0);
	ck_assert_int_eq(ledger_job_get(l, j.lj_id, &got), 0);
	job_eq(&got, &j);
	ck_assert_int_ge(got.lj_updated_at, t0);
	ck_assert_int_le(got.lj_updated_at, time(NULL));
	ck_assert_int_eq(ledger_job_by_request(l, j.lj_request_id, &got), 0);
	job_eq(&got, &j);
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM jobs"), 1);

	/* no such job */
	(void)strlcpy(bad.lj_id, "job_missing", sizeof(bad.lj_id));
	ck_assert_int_eq(ledger_job_update(l, &bad), 1);
	ledger_close(l);
}
END_TEST

/* Out of range: status, step, encryption, type, strings; by index. */
static void
spoil(struct ledger_job *j, int i)
{
	switch (i) {
	case 0: j->lj_status = LS_STATUS_MAX; break;
	case 1: j->lj_status = -1; break;
	case 2: j->lj_step = LSTEP_RESULT_PUBLISHED + 1; break;
	case 3: j->lj_step = -1; break;
	case 4: j->lj_encrypted = 5; break;
	case 5: j->lj_type = JOB_TYPE_MAX; break;
	case 6: j->lj_type = -2; break;
	case 7: memset(j->lj_error_code, 'x', sizeof(j->lj_error_code)); break;
	case 8: memset(j->lj_buyer, 'x', sizeof(j->lj_buyer)); break;
	case 9: j->lj_id[0] = '\0'; break;
	case 10: j->lj_price_sats = -1; break;
	case 11: j->lj_started_at = -1; break;
	default: ck_abort();
	}
}
#define NSPOIL	12

START_TEST(test_range)
{
	struct ledger		*l;
	struct ledger_job	 j, k, got;

	l = open_rw();
	job_make(&j, 3);
	insert_ok(l, &j);
	k = j;
	spoil(&k, _i);
	ck_assert_int_eq(ledger_job_update(l, &k), -1);
	ck_assert_str_ne(ledger_error(l), "");
	ck_assert_int_eq(ledger_job_get(l, j.lj_id, &got), 0);
	job_eq(&got, &j);
	job_make(&k, 4);
	spoil(&k, _i);
	ck_assert_int_eq(ledger_job_insert(l, &k, req, sizeof(req) - 1), -1);
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM jobs"), 1);
	/* -1 type is "unknown", which is in range */
	job_make(&k, 5);
	k.lj_type = -1;
	insert_ok(l, &k);
	ledger_close(l);
}
END_TEST

START_TEST(test_json)
{
	struct ledger		*l;
	struct ledger_job	 j;
	char			*big, *out;
	char			 odd[300];
	size_t			 len, n, i;

	l = open_rw();
	/* every byte but NUL, some of it not even UTF-8 */
	for (i = 0; i < 255; i++)
		odd[i] = (char)(i + 1);
	memcpy(odd + 255, "\xf0\x9f\x94\x91 \xe2\x82\xbf \xc3\xa9", 12);
	n = 267;
	job_make(&j, 1);
	ck_assert_int_eq(ledger_job_insert(l, &j, odd, n), 0);
	ck_assert_int_eq(ledger_job_request(l, j.lj_id, &out, &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(out, odd, n);
	ck_assert_int_eq(out[len], '\0');
	free(out);

	/* 200 KiB each way */
	n = 200 * 1024;
	ck_assert_ptr_nonnull(big = malloc(n));
	for (i = 0; i < n; i++)
		big[i] = "{}[]\",:abc\xc3\xa9 \\u00e9"[i % 19];
	job_make(&j, 2);
	ck_assert_int_eq(ledger_job_insert(l, &j, big, n), 0);
	ck_assert_int_eq(ledger_job_request(l, j.lj_id, &out, &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(out, big, n);
	free(out);

	ck_assert_int_eq(ledger_job_result(l, j.lj_id, &out, &len), 1);
	ck_assert_ptr_null(out);
	big[0] = '[';
	ck_assert_int_eq(ledger_job_set_result(l, j.lj_id, big, n), 0);
	ck_assert_int_eq(ledger_job_result(l, j.lj_id, &out, &len), 0);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(out, big, n);
	free(out);
	/* republished as is: a second set replaces it whole */
	ck_assert_int_eq(ledger_job_set_result(l, j.lj_id, odd, 267), 0);
	ck_assert_int_eq(ledger_job_result(l, j.lj_id, &out, NULL), 0);
	ck_assert_mem_eq(out, odd, 267);
	ck_assert_int_eq(out[267], '\0');
	free(out);
	/* the result does not disturb the request */
	ck_assert_int_eq(ledger_job_request(l, j.lj_id, &out, &len), 0);
	ck_assert_uint_eq(len, n);
	free(out);

	/* an empty request is a request */
	job_make(&j, 3);
	ck_assert_int_eq(ledger_job_insert(l, &j, "", 0), 0);
	ck_assert_int_eq(ledger_job_request(l, j.lj_id, &out, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(ledger_job_insert(l, &j, NULL, 0), -1);

	ck_assert_int_eq(ledger_job_request(l, "job_missing", &out, &len), 1);
	ck_assert_int_eq(ledger_job_set_result(l, "job_missing", "x", 1), 1);
	ck_assert_int_eq(ledger_job_result(l, "job_missing", &out, &len), 1);
	free(big);
	ledger_close(l);
}
END_TEST

/* The unfinished callback moves each job on, as a restart would. */
static int
finish_cb(const struct ledger_job *j, void *arg)
{
	struct seen		*s = arg;
	struct ledger_job	 k = *j;

	(void)seen_cb(j, s);
	k.lj_status = LS_FAILED;
	ck_assert_int_eq(ledger_job_update(s->l, &k), 0);
	return (0);
}

START_TEST(test_unfinished)
{
	struct ledger		*l;
	struct ledger_job	 j;
	struct seen		 s;
	/* status and received_at, inserted out of time order */
	static const int	 plan[][2] = {
		{ LS_RUNNING, 50 }, { LS_PAID, 10 }, { LS_RECEIVED, 30 },
		{ LS_INVOICED, 20 }, { LS_REJECTED, 5 }, { LS_VERIFYING, 30 },
		{ LS_PUBLISHED, 1 }, { LS_CANCELLED, 2 }, { LS_RECEIVED, 40 },
		{ LS_FAILED, 3 }, { LS_EXPIRED, 4 }, { LS_DISPUTED, 6 },
	};
	/* oldest first; a tie in time keeps the order of arrival */
	static const int	 want[] = { 3, 2, 5, 8, 0 };
	size_t			 i;

	l = open_rw();
	for (i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		job_make(&j, (int)i);
		j.lj_status = plan[i][0];
		j.lj_received_at = plan[i][1];
		insert_ok(l, &j);
	}
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_unfinished(l, seen_cb, &s), 0);
	ck_assert_int_eq(s.n, 5);
	for (i = 0; i < 5; i++) {
		job_make(&j, want[i]);
		ck_assert_str_eq(s.id[i], j.lj_id);
	}
	ck_assert_int_eq(ledger_jobs_active(l), 2);

	/* a callback that stops: its value comes back */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	ck_assert_int_eq(ledger_jobs_unfinished(l, seen_cb, &s), 7);
	ck_assert_int_eq(s.n, 2);

	/* a callback that updates what it is handed */
	memset(&s, 0, sizeof(s));
	s.l = l;
	ck_assert_int_eq(ledger_jobs_unfinished(l, finish_cb, &s), 0);
	ck_assert_int_eq(s.n, 5);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_unfinished(l, seen_cb, &s), 0);
	ck_assert_int_eq(s.n, 0);
	ck_assert_int_eq(ledger_jobs_active(l), 0);
	ledger_close(l);
}
END_TEST

START_TEST(test_rate)
{
	struct ledger		*l;
	struct ledger_job	 j;
	static const char	 evil[] = "'; DROP TABLE jobs; --";
	int			 i;

	l = open_rw();
	for (i = 0; i < 12; i++) {
		job_make(&j, i);
		/* 0..4 from "a", 5..7 from the evil key, the rest from "c" */
		(void)strlcpy(j.lj_buyer, i < 5 ? "a" : (i < 8 ? evil : "c"),
		    sizeof(j.lj_buyer));
		j.lj_received_at = 100 + i;
		insert_ok(l, &j);
	}
	ck_assert_int_eq(ledger_buyer_count_since(l, "a", 0), 5);
	ck_assert_int_eq(ledger_buyer_count_since(l, "a", 102), 3);
	ck_assert_int_eq(ledger_buyer_count_since(l, "a", 105), 0);
	ck_assert_int_eq(ledger_buyer_count_since(l, evil, 106), 2);
	ck_assert_int_eq(ledger_buyer_count_since(l, "c", 0), 4);
	ck_assert_int_eq(ledger_buyer_count_since(l, "A", 0), 0);
	ck_assert_int_eq(ledger_buyer_count_since(l, "%", 0), 0);
	ck_assert_int_eq(ledger_buyer_count_since(l, NULL, 0), -1);
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM jobs"), 12);
	ledger_close(l);
}
END_TEST

#define LIST_N	10000

static int
nested_cb(const struct ledger_job *j, void *arg)
{
	struct seen	*s = arg;
	struct seen	 inner;

	(void)j;
	memset(&inner, 0, sizeof(inner));
	/* the same query from inside its own callback is refused */
	ck_assert_int_eq(ledger_jobs_list(s->l, -1, -1, 3, seen_cb, &inner),
	    -1);
	/* another one works */
	ck_assert_int_eq(ledger_jobs_list(s->l, LS_PAID, -1, 3, seen_cb,
	    &inner), 0);
	s->n++;
	return (0);
}

START_TEST(test_list)
{
	struct ledger		*l;
	struct ledger_job	 j;
	struct seen		 s;
	int			 i, k, paid = 0, pg = 0, both = 0;

	l = open_rw();
	ck_assert_int_eq(ledger_begin(l), 0);
	for (i = 0; i < LIST_N; i++) {
		job_make(&j, i);
		/* two jobs per second, so that ties need the arrival order */
		j.lj_received_at = 1000 + i / 2;
		j.lj_status = i % 11;
		if (j.lj_status == LS_PAID)
			paid++;
		if (j.lj_type == JOB_CODEREVIEW)
			pg++;
		if (j.lj_status == LS_PAID && j.lj_type == JOB_CODEREVIEW)
			both++;
		insert_ok(l, &j);
	}
	ck_assert_int_eq(ledger_commit(l), 0);

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_list(l, -1, -1, 20, seen_cb, &s), 0);
	ck_assert_int_eq(s.n, 20);
	for (i = 0; i < 20; i++) {
		job_make(&j, LIST_N - 1 - i);
		ck_assert_str_eq(s.id[i], j.lj_id);
	}

	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_list(l, LS_PAID, -1, 20, seen_cb, &s),
	    0);
	ck_assert_int_eq(s.n, 20);
	for (i = 0, k = LIST_N - 1; i < 20; k--) {
		if (k % 11 != LS_PAID)
			continue;
		job_make(&j, k);
		ck_assert_str_eq(s.id[i], j.lj_id);
		i++;
	}
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_list(l, LS_PAID, -1, 0, seen_cb, &s), 0);
	ck_assert_int_eq(s.n, paid);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_list(l, -1, JOB_CODEREVIEW, -1, seen_cb,
	    &s), 0);
	ck_assert_int_eq(s.n, pg);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_list(l, LS_PAID, JOB_CODEREVIEW, 0,
	    seen_cb, &s), 0);
	ck_assert_int_eq(s.n, both);
	for (i = 1; i < 64 && i < s.n; i++)
		ck_assert_int_ge(s.received[i - 1], s.received[i]);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_list(l, -1, -1, 0, seen_cb, &s), 0);
	ck_assert_int_eq(s.n, LIST_N);
	memset(&s, 0, sizeof(s));
	s.stop_at = 5;
	ck_assert_int_eq(ledger_jobs_list(l, -1, -1, 0, seen_cb, &s), 7);
	ck_assert_int_eq(s.n, 5);

	ck_assert_int_eq(ledger_jobs_list(l, LS_STATUS_MAX, -1, 1, seen_cb,
	    &s), -1);
	ck_assert_int_eq(ledger_jobs_list(l, -1, JOB_TYPE_MAX, 1, seen_cb,
	    &s), -1);
	ck_assert_int_eq(ledger_jobs_list(l, -2, -1, 1, seen_cb, &s), -1);

	memset(&s, 0, sizeof(s));
	s.l = l;
	ck_assert_int_eq(ledger_jobs_list(l, -1, -1, 4, nested_cb, &s), 0);
	ck_assert_int_eq(s.n, 4);
	ledger_close(l);
}
END_TEST

/* The listings walk an index: no full scan, no full sort. */
START_TEST(test_plans)
{
	static const char *const sql[] = {
	    "SELECT id FROM jobs ORDER BY received_at DESC, seq DESC LIMIT 20",
	    "SELECT id FROM jobs WHERE status = 6 "
	    "ORDER BY received_at DESC, seq DESC LIMIT 20",
	    "SELECT id FROM jobs WHERE type = 1 "
	    "ORDER BY received_at DESC, seq DESC LIMIT 20",
	    "SELECT COUNT(*) FROM jobs WHERE buyer = 'a' AND received_at >= 5",
	};
	struct ledger	*l;
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 q[300];
	size_t		 i;
	const char	*d;
	int		 rc;

	l = open_rw();
	ledger_close(l);
	ck_assert_int_eq(sqlite3_open_v2(tpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		(void)snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", sql[i]);
		ck_assert_int_eq(sqlite3_prepare_v2(db, q, -1, &st, NULL),
		    SQLITE_OK);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			d = (const char *)sqlite3_column_text(st, 3);
			ck_assert_ptr_nonnull(d);
			/* sorting ties in a second by arrival is fine */
			ck_assert_msg(strstr(d, "TEMP B-TREE FOR ORDER BY") ==
			    NULL, "%s: %s", sql[i], d);
			ck_assert_msg(strncmp(d, "SCAN jobs", 9) != 0 ||
			    strstr(d, "USING") != NULL, "%s: %s", sql[i], d);
		}
		ck_assert_int_eq(rc, SQLITE_DONE);
		ck_assert_int_eq(sqlite3_finalize(st), SQLITE_OK);
	}
	/* the period sums never read the table */
	ck_assert_int_eq(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN "
	    "SELECT type, status, earned_sats FROM jobs "
	    "WHERE received_at >= 1 AND received_at < 2", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	d = (const char *)sqlite3_column_text(st, 3);
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(strstr(d, "COVERING INDEX jobs_received") != NULL, "%s",
	    d);
	ck_assert_int_eq(sqlite3_finalize(st), SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}
END_TEST

struct sums {
	int			 n;
	struct ledger_sum	 s[JOB_TYPE_MAX + 1];
};

static int
sum_cb(const struct ledger_sum *s, void *arg)
{
	struct sums	*a = arg;

	ck_assert_int_lt(a->n, JOB_TYPE_MAX + 1);
	a->s[a->n++] = *s;
	return (0);
}

START_TEST(test_earnings)
{
	struct ledger		*l;
	struct ledger_job	 j;
	struct sums		 a;
	int			 i;

	l = open_rw();
	for (i = 0; i < 40; i++) {
		job_make(&j, i);
		j.lj_received_at = 1000 + i;
		j.lj_type = i % 2 == 0 ? JOB_PATCHGEN : JOB_REPOINDEX;
		if (i % 4 == 3)
			j.lj_type = -1;
		j.lj_status = i % 3 == 0 ? LS_PAID : LS_FAILED;
		j.lj_earned_sats = j.lj_status == LS_PAID ? 100 + i : 0;
		insert_ok(l, &j);
	}
	/* [1010, 1020): i = 10..19 */
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(ledger_earnings(l, 1010, 1020, sum_cb, &a), 0);
	ck_assert_int_eq(a.n, 3);
	/* unknown: 11, 15, 19; paid: 15 */
	ck_assert_int_eq(a.s[0].ls_type, -1);
	ck_assert_int_eq(a.s[0].ls_jobs, 3);
	ck_assert_int_eq(a.s[0].ls_count[LS_PAID], 1);
	ck_assert_int_eq(a.s[0].ls_count[LS_FAILED], 2);
	ck_assert_int_eq(a.s[0].ls_earned_sats, 115);
	/* PatchGen: 10 12 14 16 18; paid 12 18 */
	ck_assert_int_eq(a.s[1].ls_type, JOB_PATCHGEN);
	ck_assert_int_eq(a.s[1].ls_jobs, 5);
	ck_assert_int_eq(a.s[1].ls_count[LS_PAID], 2);
	ck_assert_int_eq(a.s[1].ls_earned_sats, 112 + 118);
	/* RepoIndex: 13 17; none paid */
	ck_assert_int_eq(a.s[2].ls_type, JOB_REPOINDEX);
	ck_assert_int_eq(a.s[2].ls_jobs, 2);
	ck_assert_int_eq(a.s[2].ls_count[LS_FAILED], 2);
	ck_assert_int_eq(a.s[2].ls_earned_sats, 0);

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(ledger_earnings(l, 2000, 3000, sum_cb, &a), 0);
	ck_assert_int_eq(a.n, 0);
	ck_assert_int_eq(ledger_earnings(l, 1030, 1010, sum_cb, &a), 0);
	ck_assert_int_eq(a.n, 0);
	ledger_close(l);
}
END_TEST

/* What ledger_earnings must say, straight from the jobs table. */
static void
sums_raw(sqlite3 *db, int64_t from, int64_t to, struct sums *a)
{
	sqlite3_stmt	*st;
	int		 t, k;

	memset(a, 0, sizeof(*a));
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT type, status, "
	    "COUNT(*), SUM(earned_sats) FROM jobs WHERE received_at >= ? AND "
	    "received_at < ? GROUP BY type, status ORDER BY type, status", -1,
	    &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_bind_int64(st, 1, from), SQLITE_OK);
	ck_assert_int_eq(sqlite3_bind_int64(st, 2, to), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		t = sqlite3_column_int(st, 0);
		if (a->n == 0 || a->s[a->n - 1].ls_type != t) {
			ck_assert_int_lt(a->n, JOB_TYPE_MAX + 1);
			a->s[a->n++].ls_type = t;
		}
		k = sqlite3_column_int(st, 1);
		a->s[a->n - 1].ls_count[k] = sqlite3_column_int64(st, 2);
		a->s[a->n - 1].ls_jobs += sqlite3_column_int64(st, 2);
		a->s[a->n - 1].ls_earned_sats += sqlite3_column_int64(st, 3);
	}
	ck_assert_int_eq(sqlite3_finalize(st), SQLITE_OK);
}

static void
sums_eq(const struct sums *a, const struct sums *b, int64_t from, int64_t to)
{
	int	 i, k;

	ck_assert_msg(a->n == b->n, "[%lld, %lld): %d types, want %d",
	    (long long)from, (long long)to, a->n, b->n);
	for (i = 0; i < a->n; i++) {
		ck_assert_int_eq(a->s[i].ls_type, b->s[i].ls_type);
		ck_assert_int_eq(a->s[i].ls_jobs, b->s[i].ls_jobs);
		ck_assert_int_eq(a->s[i].ls_earned_sats, b->s[i].ls_earned_sats);
		for (k = 0; k < LS_STATUS_MAX; k++)
			ck_assert_int_eq(a->s[i].ls_count[k],
			    b->s[i].ls_count[k]);
	}
}

/* Every (unit, type, status) of jobs_by_<unit> against the jobs. */
static void
sums_match(const char *unit, int secs)
{
	char	 q[800];

	(void)snprintf(q, sizeof(q), "SELECT COUNT(*) FROM (SELECT "
	    "received_at / %d AS u, type AS t, status AS s, COUNT(*) AS n, "
	    "SUM(earned_sats) AS e FROM jobs GROUP BY 1, 2, 3) FULL JOIN "
	    "(SELECT * FROM jobs_by_%s WHERE jobs != 0) ON %s = u AND "
	    "type = t AND status = s WHERE n IS NOT jobs OR "
	    "e IS NOT earned_sats", secs, unit, unit);
	ck_assert_int_eq(raw_int(q), 0);
}

/*
 * The day and hour sums against the jobs themselves: jobs over a week at odd
 * times, moved through statuses, summed over ranges aligned to days
 * and not.
 */
START_TEST(test_earnings_days)
{
	struct ledger		*l;
	struct ledger_job	 j;
	struct sums		 a, b;
	sqlite3			*db;
	uint32_t		 x = 12345;
	int64_t			 base = 86400 * 20000, from, to;
	int			 i, r, pass;

	l = open_rw();
	for (i = 0; i < 600; i++) {
		job_make(&j, i);
		x = x * 1103515245 + 12345;
		j.lj_received_at = base + (int64_t)(x >> 8) % (7 * 86400);
		j.lj_type = (int)(x >> 4) % (JOB_TYPE_MAX + 1) - 1;
		insert_ok(l, &j);
	}
	ck_assert_int_eq(sqlite3_open_v2(tpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	for (pass = 0; pass < 2; pass++) {
		for (r = 0; r < 60; r++) {
			x = x * 1103515245 + 12345;
			from = base - 86400 + (int64_t)(x >> 8) % (9 * 86400);
			x = x * 1103515245 + 12345;
			to = from + (int64_t)(x >> 8) % (r % 5 == 1 ? 7300 :
			    5 * 86400);
			/* some exactly on midnight */
			if (r % 4 == 0)
				from -= from % 86400;
			if (r % 3 == 0)
				to -= to % 86400;
			if (r % 7 == 0)
				from -= from % 3600;
			if (r == 0) {
				from = 0;
				to = INT64_MAX;
			}
			memset(&a, 0, sizeof(a));
			ck_assert_int_eq(ledger_earnings(l, from, to, sum_cb,
			    &a), 0);
			sums_raw(db, from, to, &b);
			sums_eq(&a, &b, from, to);
		}
		/* move them on: paid, failed, paid twice over, and back */
		for (i = 0; i < 600; i += 1 + pass) {
			ck_assert_int_eq(ledger_job_get(l,
			    (job_make(&j, i), j.lj_id), &j), 0);
			j.lj_status = i % 3 == 0 ? LS_PAID : LS_FAILED;
			j.lj_earned_sats = j.lj_status == LS_PAID ? i : 0;
			ck_assert_int_eq(ledger_job_update(l, &j), 0);
			if (i % 5 == 0) {
				j.lj_status = LS_RUNNING;
				j.lj_earned_sats = 0;
				ck_assert_int_eq(ledger_job_update(l, &j), 0);
			}
		}
	}
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	ledger_close(l);
	/* the sum tables hold exactly what the jobs say */
	sums_match("day", 86400);
	sums_match("hour", 3600);
}
END_TEST

START_TEST(test_readonly_concurrent)
{
	struct ledger		*w, *r;
	struct ledger_job	 j, got;
	struct seen		 s;
	char			 err[512];
	int			 i;

	w = open_rw();
	job_make(&j, 0);
	insert_ok(w, &j);
	r = open_ro();
	ck_assert_int_eq(ledger_schema_version(r), LEDGER_SCHEMA_VERSION);
	ck_assert_int_eq(ledger_job_get(r, j.lj_id, &got), 0);

	/* committed writes show; an open write transaction does not */
	for (i = 1; i < 50; i++) {
		job_make(&j, i);
		insert_ok(w, &j);
		j.lj_status = LS_PAID;
		ck_assert_int_eq(ledger_job_update(w, &j), 0);
		ck_assert_int_eq(ledger_job_get(r, j.lj_id, &got), 0);
		ck_assert_int_eq(got.lj_status, LS_PAID);
	}
	ck_assert_int_eq(ledger_begin(w), 0);
	job_make(&j, 99);
	insert_ok(w, &j);
	ck_assert_int_eq(ledger_job_get(r, j.lj_id, &got), 1);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_list(r, -1, -1, 0, seen_cb, &s), 0);
	ck_assert_int_eq(s.n, 50);
	ck_assert_int_eq(ledger_commit(w), 0);
	ck_assert_int_eq(ledger_job_get(r, j.lj_id, &got), 0);

	/* a rolled-back batch leaves nothing */
	ck_assert_int_eq(ledger_begin(w), 0);
	job_make(&j, 100);
	insert_ok(w, &j);
	ck_assert_int_eq(ledger_rollback(w), 0);
	ck_assert_int_eq(ledger_job_get(w, j.lj_id, &got), 1);

	/* the reader cannot write */
	job_make(&j, 101);
	ck_assert_int_eq(ledger_job_insert(r, &j, req, sizeof(req) - 1), -1);
	ck_assert_int_eq(ledger_job_get(w, j.lj_id, &got), 1);
	ledger_close(r);

	/* and the reader works with the writer gone (no -wal, no -shm) */
	ledger_close(w);
	ck_assert_int_eq(ledger_open(tpath, 1, &r, err, sizeof(err)), 0);
	ck_assert_int_eq(ledger_job_get(r, j.lj_id, &got), 1);
	job_make(&j, 99);
	ck_assert_int_eq(ledger_job_get(r, j.lj_id, &got), 0);
	ledger_close(r);
}
END_TEST

START_TEST(test_versions)
{
	struct ledger	*l;
	char		 err[512];
	int		 fd;

	/* v0: an empty file, as open(2) leaves it */
	fd = open(tpath, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(ledger_open(tpath, 1, &l, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "schema v0") != NULL, "err: %s", err);
	l = open_rw();
	ck_assert_int_eq(ledger_schema_version(l), 2);
	ledger_close(l);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 2);
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM sqlite_schema "
	    "WHERE type = 'index' AND name LIKE 'jobs_%'"), 7);
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name IN ('invoices', 'payments')"), 2);
	/* opening again changes nothing */
	l = open_rw();
	ledger_close(l);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 2);

	/* newer than the code: refused both ways, left alone */
	raw_exec("PRAGMA user_version = 99");
	ck_assert_int_eq(ledger_open(tpath, 0, &l, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "newer") != NULL, "err: %s", err);
	ck_assert_int_eq(ledger_open(tpath, 1, &l, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "newer") != NULL, "err: %s", err);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 99);
}
END_TEST

START_TEST(test_migration_atomic)
{
	struct ledger	*l;
	char		 err[512];

	/* a v0 file holding an older, foreign layout: step 1 cannot apply */
	raw_exec("CREATE TABLE jobs (id TEXT, note TEXT);"
	    "INSERT INTO jobs VALUES ('j', 'kept');");
	ck_assert_int_eq(ledger_open(tpath, 0, &l, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "migrating") != NULL, "err: %s", err);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 0);
	/* nothing of the step is left behind, the old data is whole */
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM sqlite_schema "
	    "WHERE name LIKE 'jobs_%'"), 0);
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM jobs "
	    "WHERE note = 'kept'"), 1);
}
END_TEST


/*
 * Schema 2: invoices and payments.  A v1 file is a v2 one with the
 * step's objects taken away again (step 1 is frozen, so this is what
 * v1 wrote).
 */
static void
make_v1(void)
{
	raw_exec("DROP TABLE payments; DROP TABLE invoices; "
	    "DROP INDEX jobs_result; PRAGMA user_version = 1;");
}

static void
invoice_make(struct ledger_invoice *in, const char *job, int n)
{
	memset(in, 0, sizeof(*in));
	(void)strlcpy(in->li_job, job, sizeof(in->li_job));
	(void)snprintf(in->li_payment_hash, sizeof(in->li_payment_hash),
	    "%064x", 0xa000 + n);
	(void)snprintf(in->li_bolt11, sizeof(in->li_bolt11),
	    "lnbc%dn1p%064x", 10 + n, n);
	in->li_amount_msats = 1000000 + 1000 * (int64_t)n;
	in->li_state = LI_OPEN;
	in->li_created_at = 1700000100 + n;
	in->li_expires_at = in->li_created_at + 600;
}

static void
invoice_eq(const struct ledger_invoice *a, const struct ledger_invoice *b)
{
	ck_assert_str_eq(a->li_job, b->li_job);
	ck_assert_str_eq(a->li_payment_hash, b->li_payment_hash);
	ck_assert_str_eq(a->li_bolt11, b->li_bolt11);
	ck_assert_int_eq(a->li_amount_msats, b->li_amount_msats);
	ck_assert_int_eq(a->li_pay_first, b->li_pay_first);
	ck_assert_int_eq(a->li_state, b->li_state);
	ck_assert_int_eq(a->li_created_at, b->li_created_at);
	ck_assert_int_eq(a->li_expires_at, b->li_expires_at);
	ck_assert_int_eq(a->li_settled_at, b->li_settled_at);
	ck_assert_str_eq(a->li_preimage, b->li_preimage);
}

/* Job n inserted with this status. */
static void
job_with(struct ledger *l, struct ledger_job *j, int n, int status)
{
	job_make(j, n);
	insert_ok(l, j);
	j->lj_status = status;
	ck_assert_int_eq(ledger_job_update(l, j), 0);
}

static const char preimage[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

START_TEST(test_migrate_v1)
{
	struct ledger		*l;
	struct ledger_job	 j[3], got;
	struct ledger_invoice	 in;
	char			 err[512];
	int			 i;

	l = open_rw();
	for (i = 0; i < 3; i++) {
		job_with(l, &j[i], i, i == 0 ? LS_PAID : LS_PUBLISHED);
		(void)snprintf(j[i].lj_result_id, sizeof(j[i].lj_result_id),
		    "%064x", 0xbeef + i);
		j[i].lj_earned_sats = i == 0 ? 900 : 0;
		ck_assert_int_eq(ledger_job_update(l, &j[i]), 0);
		ck_assert_int_eq(ledger_job_set_result(l, j[i].lj_id, "{}", 2),
		    0);
	}
	ledger_close(l);
	make_v1();
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM sqlite_schema WHERE "
	    "name IN ('invoices', 'payments', 'jobs_result')"), 0);

	/* a reader does not upgrade: it names the versions */
	ck_assert_int_eq(ledger_open(tpath, 1, &l, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "schema v1") != NULL, "err: %s", err);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 1);

	l = open_rw();
	ck_assert_int_eq(ledger_schema_version(l), 2);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(ledger_job_get(l, j[i].lj_id, &got), 0);
		job_eq(&got, &j[i]);
		ck_assert_int_eq(ledger_job_by_result(l, j[i].lj_result_id,
		    &got), 0);
		ck_assert_str_eq(got.lj_id, j[i].lj_id);
	}
	/* the old jobs take invoices, and are paid through them */
	invoice_make(&in, j[1].lj_id, 1);
	ck_assert_int_eq(ledger_invoice_add(l, &in), 0);
	ck_assert_int_eq(ledger_invoice_settle(l, in.li_payment_hash,
	    in.li_amount_msats, preimage, 1700000200, "lookup"), 0);
	ck_assert_int_eq(ledger_job_get(l, j[1].lj_id, &got), 0);
	ck_assert_int_eq(got.lj_status, LS_PAID);
	ledger_close(l);
	ck_assert_int_eq(raw_int("PRAGMA user_version"), 2);
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM jobs "
	    "WHERE result_json = '{}'"), 3);
	sums_match("day", 86400);
	sums_match("hour", 3600);
}
END_TEST

START_TEST(test_invoice_add)
{
	struct ledger		*l;
	struct ledger_job	 j, k;
	struct ledger_invoice	 in, in2, got, bad;

	l = open_rw();
	job_with(l, &j, 1, LS_PUBLISHED);
	job_with(l, &k, 2, LS_INVOICED);
	ck_assert_int_eq(ledger_invoice_get(l, j.lj_id, &got), 1);

	invoice_make(&in, j.lj_id, 1);
	in.li_pay_first = 0;
	ck_assert_int_eq(ledger_invoice_add(l, &in), 0);
	ck_assert_int_eq(ledger_invoice_get(l, j.lj_id, &got), 0);
	invoice_eq(&got, &in);
	ck_assert_int_eq(ledger_invoice_by_hash(l, in.li_payment_hash, &got),
	    0);
	invoice_eq(&got, &in);

	/* a second open invoice for the job; a known hash for another */
	invoice_make(&in2, j.lj_id, 2);
	ck_assert_int_eq(ledger_invoice_add(l, &in2), 1);
	invoice_make(&in2, k.lj_id, 1);
	ck_assert_int_eq(ledger_invoice_add(l, &in2), 1);
	ck_assert_int_eq(ledger_invoice_get(l, k.lj_id, &got), 1);
	/* an invoice for no job */
	invoice_make(&in2, "job_nosuch", 3);
	ck_assert_int_eq(ledger_invoice_add(l, &in2), -1);
	/* the long one fits whole */
	invoice_make(&in2, k.lj_id, 4);
	in2.li_pay_first = 1;
	memset(in2.li_bolt11, 'q', sizeof(in2.li_bolt11) - 1);
	in2.li_bolt11[sizeof(in2.li_bolt11) - 1] = '\0';
	ck_assert_int_eq(ledger_invoice_add(l, &in2), 0);
	ck_assert_int_eq(ledger_invoice_get(l, k.lj_id, &got), 0);
	invoice_eq(&got, &in2);

	/* fields out of range are refused before SQL */
	bad = in2;
	bad.li_payment_hash[3] = 'G';
	ck_assert_int_eq(ledger_invoice_add(l, &bad), -1);
	bad = in2;
	bad.li_bolt11[0] = '\0';
	ck_assert_int_eq(ledger_invoice_add(l, &bad), -1);
	bad = in2;
	bad.li_state = LI_STATE_MAX;
	ck_assert_int_eq(ledger_invoice_add(l, &bad), -1);
	bad = in2;
	bad.li_amount_msats = -1;
	ck_assert_int_eq(ledger_invoice_add(l, &bad), -1);
	bad = in2;
	(void)strlcpy(bad.li_preimage, "abc", sizeof(bad.li_preimage));
	ck_assert_int_eq(ledger_invoice_add(l, &bad), -1);
	ck_assert_int_eq(ledger_invoice_by_hash(l, NULL, &got), -1);
	ck_assert_int_eq(ledger_invoice_by_hash(l, "00", &got), 1);

	/* once closed, the job may take a new one; get says the newest */
	ck_assert_int_eq(ledger_invoice_close(l, in.li_payment_hash,
	    LI_CANCELLED, 1700000300), 0);
	invoice_make(&in2, j.lj_id, 5);
	ck_assert_int_eq(ledger_invoice_add(l, &in2), 0);
	ck_assert_int_eq(ledger_invoice_get(l, j.lj_id, &got), 0);
	invoice_eq(&got, &in2);
	ck_assert_int_eq(ledger_invoice_by_hash(l, in.li_payment_hash, &got),
	    0);
	ck_assert_int_eq(got.li_state, LI_CANCELLED);
	ledger_close(l);
}
END_TEST

START_TEST(test_invoice_settle)
{
	struct ledger		*l, *r;
	struct ledger_job	 j, k, got;
	struct ledger_invoice	 in, ink;
	struct sums		 a;
	int64_t			 n, msats;

	l = open_rw();
	job_with(l, &j, 1, LS_PUBLISHED);
	job_with(l, &k, 2, LS_INVOICED);
	invoice_make(&in, j.lj_id, 1);
	invoice_make(&ink, k.lj_id, 2);
	ink.li_pay_first = 1;
	ck_assert_int_eq(ledger_invoice_add(l, &in), 0);
	ck_assert_int_eq(ledger_invoice_add(l, &ink), 0);

	ck_assert_int_eq(ledger_invoice_settle(l, in.li_payment_hash,
	    1234567, preimage, 1700000500, "notification"), 0);
	ck_assert_int_eq(ledger_job_get(l, j.lj_id, &got), 0);
	ck_assert_int_eq(got.lj_status, LS_PAID);
	ck_assert_int_eq(got.lj_earned_sats, 1234);
	ck_assert_int_eq(ledger_invoice_by_hash(l, in.li_payment_hash, &in),
	    0);
	ck_assert_int_eq(in.li_state, LI_PAID);
	ck_assert_int_eq(in.li_settled_at, 1700000500);
	ck_assert_str_eq(in.li_preimage, preimage);

	/* the same payment again, however learned: nothing more counted */
	ck_assert_int_eq(ledger_invoice_settle(l, in.li_payment_hash,
	    1234567, preimage, 1700000600, "lookup"), 1);
	ck_assert_int_eq(ledger_invoice_settle(l, in.li_payment_hash,
	    9999000, preimage, 1700000600, "notification"), 1);
	ck_assert_int_eq(ledger_job_get(l, j.lj_id, &got), 0);
	ck_assert_int_eq(got.lj_earned_sats, 1234);
	ck_assert_int_eq(ledger_payments_sum(l, 0, INT64_MAX, &n, &msats), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(msats, 1234567);
	/* unknown hashes, bad arguments */
	ck_assert_int_eq(ledger_invoice_settle(l, preimage, 1000, "",
	    1700000600, "lookup"), 1);
	ck_assert_int_eq(ledger_invoice_settle(l, ink.li_payment_hash, 1000,
	    "", 1700000600, "guess"), -1);
	ck_assert_int_eq(ledger_invoice_settle(l, ink.li_payment_hash, -1,
	    "", 1700000600, "lookup"), -1);

	/* pay_first: earned, but the job's status is the caller's to move */
	ck_assert_int_eq(ledger_invoice_settle(l, ink.li_payment_hash,
	    ink.li_amount_msats, "", 1700000700, "lookup"), 0);
	ck_assert_int_eq(ledger_job_get(l, k.lj_id, &got), 0);
	ck_assert_int_eq(got.lj_status, LS_INVOICED);
	ck_assert_int_eq(got.lj_earned_sats, ink.li_amount_msats / 1000);

	/* a reader sees the sums move with the settle */
	r = open_ro();
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(ledger_earnings(r, 0, INT64_MAX, sum_cb, &a), 0);
	ck_assert_int_eq(a.n, 2);
	ck_assert_int_eq(a.s[0].ls_type, j.lj_type);
	ck_assert_int_eq(a.s[0].ls_count[LS_PAID], 1);
	ck_assert_int_eq(a.s[0].ls_count[LS_PUBLISHED], 0);
	ck_assert_int_eq(a.s[0].ls_earned_sats, 1234);
	ck_assert_int_eq(a.s[1].ls_count[LS_INVOICED], 1);
	ck_assert_int_eq(a.s[1].ls_earned_sats, ink.li_amount_msats / 1000);
	ledger_close(r);
	ledger_close(l);
	sums_match("day", 86400);
	sums_match("hour", 3600);
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM payments"), 2);
	ck_assert_int_eq(raw_int("SELECT COUNT(*) FROM payments WHERE "
	    "source = 'notification' AND amount_msats = 1234567"), 1);
}
END_TEST

/* A settle that fails half-way leaves nothing of itself behind. */
START_TEST(test_settle_atomic)
{
	struct ledger		*l;
	struct ledger_job	 j, k, got;
	struct ledger_invoice	 in, ink;
	int64_t			 n, msats;

	l = open_rw();
	job_with(l, &j, 1, LS_PUBLISHED);
	job_with(l, &k, 2, LS_PUBLISHED);
	invoice_make(&in, j.lj_id, 1);
	invoice_make(&ink, k.lj_id, 2);
	ck_assert_int_eq(ledger_invoice_add(l, &in), 0);
	ck_assert_int_eq(ledger_invoice_add(l, &ink), 0);
	ledger_close(l);
	/* the last of the three steps fails */
	raw_exec("CREATE TRIGGER boom BEFORE UPDATE OF earned_sats ON jobs "
	    "BEGIN SELECT RAISE(ABORT, 'boom'); END;");
	l = open_rw();
	ck_assert_int_eq(ledger_invoice_settle(l, in.li_payment_hash,
	    in.li_amount_msats, preimage, 1700000500, "lookup"), -1);
	ck_assert_msg(strstr(ledger_error(l), "boom") != NULL, "%s",
	    ledger_error(l));
	ck_assert_int_eq(ledger_invoice_by_hash(l, in.li_payment_hash, &in), 0);
	ck_assert_int_eq(in.li_state, LI_OPEN);
	ck_assert_int_eq(ledger_payments_sum(l, 0, INT64_MAX, &n, &msats), 0);
	ck_assert_int_eq(n, 0);

	/* inside a batch, only the failed call's part is undone */
	ck_assert_int_eq(ledger_begin(l), 0);
	job_make(&got, 3);
	insert_ok(l, &got);
	ck_assert_int_eq(ledger_invoice_settle(l, ink.li_payment_hash,
	    ink.li_amount_msats, preimage, 1700000500, "lookup"), -1);
	ck_assert_int_eq(ledger_commit(l), 0);
	ck_assert_int_eq(ledger_job_get(l, got.lj_id, &got), 0);
	ck_assert_int_eq(ledger_invoice_by_hash(l, ink.li_payment_hash, &ink),
	    0);
	ck_assert_int_eq(ink.li_state, LI_OPEN);
	ledger_close(l);

	raw_exec("DROP TRIGGER boom");
	l = open_rw();
	ck_assert_int_eq(ledger_begin(l), 0);
	ck_assert_int_eq(ledger_invoice_settle(l, ink.li_payment_hash,
	    ink.li_amount_msats, preimage, 1700000500, "lookup"), 0);
	ck_assert_int_eq(ledger_commit(l), 0);
	ck_assert_int_eq(ledger_invoice_settle(l, in.li_payment_hash,
	    in.li_amount_msats, preimage, 1700000500, "lookup"), 0);
	ck_assert_int_eq(ledger_payments_sum(l, 0, INT64_MAX, &n, &msats), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(msats, in.li_amount_msats + ink.li_amount_msats);
	ck_assert_int_eq(ledger_job_get(l, k.lj_id, &got), 0);
	ck_assert_int_eq(got.lj_status, LS_PAID);
	ledger_close(l);
	sums_match("day", 86400);
	sums_match("hour", 3600);
}
END_TEST

START_TEST(test_invoice_expire)
{
	struct ledger		*l;
	struct ledger_job	 j[4], got;
	struct ledger_invoice	 in[4];
	int			 i;
	static const int	 st[4] = { LS_PUBLISHED, LS_INVOICED,
				    LS_INVOICED, LS_FAILED };

	l = open_rw();
	for (i = 0; i < 4; i++) {
		job_with(l, &j[i], i, st[i]);
		invoice_make(&in[i], j[i].lj_id, i);
		ck_assert_int_eq(ledger_invoice_add(l, &in[i]), 0);
	}
	ck_assert_int_eq(ledger_invoice_close(l, in[0].li_payment_hash,
	    LI_EXPIRED, 1700009000), 0);
	ck_assert_int_eq(ledger_invoice_close(l, in[1].li_payment_hash,
	    LI_EXPIRED, 1700009001), 0);
	ck_assert_int_eq(ledger_invoice_close(l, in[2].li_payment_hash,
	    LI_CANCELLED, 1700009002), 0);
	ck_assert_int_eq(ledger_invoice_close(l, in[3].li_payment_hash,
	    LI_EXPIRED, 1700009003), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(ledger_job_get(l, j[i].lj_id, &got), 0);
		ck_assert_int_eq(got.lj_status, i < 2 ? LS_EXPIRED : st[i]);
		if (i < 2)
			ck_assert_int_eq(got.lj_finished_at, 1700009000 + i);
		ck_assert_int_eq(ledger_invoice_get(l, j[i].lj_id, &in[i]), 0);
		ck_assert_int_eq(in[i].li_state, i == 2 ? LI_CANCELLED :
		    LI_EXPIRED);
		ck_assert_int_eq(in[i].li_settled_at, 0);
	}
	/* closed is final: no second close, no late settle */
	ck_assert_int_eq(ledger_invoice_close(l, in[0].li_payment_hash,
	    LI_CANCELLED, 1700009010), 1);
	ck_assert_int_eq(ledger_invoice_settle(l, in[0].li_payment_hash,
	    in[0].li_amount_msats, preimage, 1700009010, "lookup"), 1);
	ck_assert_int_eq(ledger_job_get(l, j[0].lj_id, &got), 0);
	ck_assert_int_eq(got.lj_status, LS_EXPIRED);
	ck_assert_int_eq(got.lj_earned_sats, 0);
	ck_assert_int_eq(ledger_invoice_close(l, "ff", LI_EXPIRED, 1), 1);
	ck_assert_int_eq(ledger_invoice_close(l, in[0].li_payment_hash,
	    LI_PAID, 1), -1);
	ck_assert_int_eq(ledger_invoice_close(l, in[0].li_payment_hash,
	    LI_OPEN, 1), -1);
	ledger_close(l);
	sums_match("day", 86400);
	sums_match("hour", 3600);
}
END_TEST

struct open_seen {
	struct ledger	*l;
	int		 n;
	int		 stop_at;
	char		 hash[8][65];
};

/* Settles what it is handed: the list was read before the first call. */
static int
open_cb(const struct ledger_invoice *in, void *arg)
{
	struct open_seen	*o = arg;

	ck_assert_int_eq(in->li_state, LI_OPEN);
	ck_assert_int_lt(o->n, 8);
	(void)strlcpy(o->hash[o->n++], in->li_payment_hash, 65);
	ck_assert_int_eq(ledger_invoice_settle(o->l, in->li_payment_hash,
	    in->li_amount_msats, "", 1700000900, "lookup"), 0);
	return (o->n == o->stop_at ? 5 : 0);
}

START_TEST(test_invoices_open)
{
	struct ledger		*l;
	struct ledger_job	 j;
	struct ledger_invoice	 in[5];
	struct open_seen	 o;
	int			 i;

	l = open_rw();
	for (i = 0; i < 5; i++) {
		job_with(l, &j, i, LS_PUBLISHED);
		invoice_make(&in[i], j.lj_id, i);
		/* created in the order 4 1 3 0 2; 4 is closed below */
		in[i].li_created_at = 1700000000 + (int64_t)((i * 3 + 3) % 5);
		ck_assert_int_eq(ledger_invoice_add(l, &in[i]), 0);
	}
	ck_assert_int_eq(ledger_invoice_close(l, in[4].li_payment_hash,
	    LI_EXPIRED, 1700000800), 0);
	memset(&o, 0, sizeof(o));
	o.l = l;
	o.stop_at = 2;
	ck_assert_int_eq(ledger_invoices_open(l, open_cb, &o), 5);
	ck_assert_int_eq(o.n, 2);
	ck_assert_str_eq(o.hash[0], in[1].li_payment_hash);
	ck_assert_str_eq(o.hash[1], in[3].li_payment_hash);
	memset(&o, 0, sizeof(o));
	o.l = l;
	ck_assert_int_eq(ledger_invoices_open(l, open_cb, &o), 0);
	ck_assert_int_eq(o.n, 2);
	ck_assert_str_eq(o.hash[0], in[0].li_payment_hash);
	ck_assert_str_eq(o.hash[1], in[2].li_payment_hash);
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(ledger_invoices_open(l, open_cb, &o), 0);
	ck_assert_int_eq(o.n, 0);
	ledger_close(l);
}
END_TEST

START_TEST(test_by_result)
{
	struct ledger		*l;
	struct ledger_job	 j, got;
	sqlite3			*db;
	sqlite3_stmt		*st;
	const char		*d;
	int			 i, idx = 0;

	l = open_rw();
	for (i = 0; i < 20; i++) {
		job_with(l, &j, i, i % 2 ? LS_PUBLISHED : LS_RUNNING);
		if (i % 2) {
			(void)snprintf(j.lj_result_id, sizeof(j.lj_result_id),
			    "%064x", 0x7000 + i);
			ck_assert_int_eq(ledger_job_update(l, &j), 0);
		}
	}
	for (i = 1; i < 20; i += 2) {
		(void)snprintf(j.lj_result_id, sizeof(j.lj_result_id),
		    "%064x", 0x7000 + i);
		ck_assert_int_eq(ledger_job_by_result(l, j.lj_result_id, &got),
		    0);
		ck_assert_str_eq(got.lj_result_id, j.lj_result_id);
		job_make(&j, i);
		ck_assert_str_eq(got.lj_id, j.lj_id);
	}
	/* no result is not a result id */
	ck_assert_int_eq(ledger_job_by_result(l, "", &got), 1);
	ck_assert_int_eq(ledger_job_by_result(l, preimage, &got), 1);
	ck_assert_int_eq(ledger_job_by_result(l, NULL, &got), -1);
	ledger_close(l);

	ck_assert_int_eq(sqlite3_open_v2(tpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT id "
	    "FROM jobs WHERE result_id = ?1 AND result_id != ''", -1, &st,
	    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(st, 3);
		if (d != NULL && strstr(d, "INDEX jobs_result") != NULL)
			idx = 1;
	}
	ck_assert_int_eq(sqlite3_finalize(st), SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	ck_assert_int_eq(idx, 1);
}
END_TEST

START_TEST(test_payments_sum)
{
	struct ledger		*l, *r;
	struct ledger_job	 j;
	struct ledger_invoice	 in;
	int64_t			 n, msats;
	int			 i;

	l = open_rw();
	/* job i paid (i + 1) * 1000 sats at 1700001000 + 100 i */
	for (i = 0; i < 10; i++) {
		job_with(l, &j, i, LS_PUBLISHED);
		invoice_make(&in, j.lj_id, i);
		ck_assert_int_eq(ledger_invoice_add(l, &in), 0);
		ck_assert_int_eq(ledger_invoice_settle(l, in.li_payment_hash,
		    (int64_t)(i + 1) * 1000000, "", 1700001000 + 100 * i,
		    "notification"), 0);
	}
	r = open_ro();
	ck_assert_int_eq(ledger_payments_sum(r, 0, INT64_MAX, &n, &msats), 0);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(msats, 55000000);
	ck_assert_int_eq(ledger_payments_sum(r, 1700001000, 1700001300, &n,
	    &msats), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(msats, 6000000);
	ck_assert_int_eq(ledger_payments_sum(r, 1700001001, 1700001900, &n,
	    &msats), 0);
	ck_assert_int_eq(n, 8);
	ck_assert_int_eq(msats, 44000000);
	ck_assert_int_eq(ledger_payments_sum(r, 1700002000, 1700001000, &n,
	    &msats), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(msats, 0);
	ledger_close(r);
	ledger_close(l);
}
END_TEST

/*
 * Crash safety.  The child inserts job i (state A), updates it (B),
 * stores its result (C), and goes on; killed at an arbitrary moment,
 * it leaves a prefix of jobs, each whole in one of those states, all
 * but the last in C.
 */
#define CRASH_MAX	100000
#define CRASH_SECS	30

static size_t
crash_reqlen(int i)
{
	return (100 + (size_t)(i % 9) * 5000);
}

static void
crash_req(char *buf, int i)
{
	size_t	 k, n = crash_reqlen(i);

	for (k = 0; k < n; k++)
		buf[k] = (char)('a' + (i + (int)k) % 26);
}

static void
crash_b(struct ledger_job *j, int i)
{
	job_make(j, i);
	j->lj_status = LS_PAID;
	j->lj_step = LSTEP_RESULT_PUBLISHED;
	j->lj_earned_sats = 3 * (int64_t)i;
	(void)snprintf(j->lj_error_msg, sizeof(j->lj_error_msg), "m%d", i);
	(void)snprintf(j->lj_result_id, sizeof(j->lj_result_id), "%064x",
	    i + 1);
	j->lj_started_at = 10 + i;
	j->lj_finished_at = 20 + i;
}

static void __attribute__((__noreturn__))
crash_child(int fd)
{
	struct ledger		*l;
	struct ledger_job	 j;
	char			 err[512], *buf;
	time_t			 t0 = time(NULL);
	int			 i;

	if ((buf = malloc(crash_reqlen(8))) == NULL ||
	    ledger_open(tpath, 0, &l, err, sizeof(err)) == -1)
		_exit(2);
	for (i = 0; i < CRASH_MAX && time(NULL) - t0 < CRASH_SECS; i++) {
		job_make(&j, i);
		crash_req(buf, i);
		if (ledger_job_insert(l, &j, buf, crash_reqlen(i)) != 0)
			_exit(3);
		crash_b(&j, i);
		if (ledger_job_update(l, &j) != 0)
			_exit(4);
		if (ledger_job_set_result(l, j.lj_id, buf, crash_reqlen(i) / 2)
		    != 0)
			_exit(5);
		if (i == 40 && write(fd, "x", 1) != 1)
			_exit(6);
	}
	_exit(0);
}

START_TEST(test_crash)
{
	struct ledger		*l, *r = NULL;
	struct seen		 s;
	struct ledger_job	 j, got, a;
	struct pollfd		 pfd;
	struct timespec		 ts;
	char			 c, *out, *buf;
	size_t			 len;
	pid_t			 pid;
	int			 p[2], status, i, n, last_state = 0;
	int			 rc[2], seen1 = 0;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		(void)close(p[0]);
		crash_child(p[1]);
	}
	ck_assert_int_eq(close(p[1]), 0);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 20000) != 1 || read(p[0], &c, 1) != 1) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		ck_abort_msg("the writer did not get going");
	}
	/*
	 * A reader in another process while the writer writes; checked
	 * once the writer is gone, so that a failure cannot leave it.
	 */
	memset(&s, 0, sizeof(s));
	rc[0] = rc[1] = -1;
	if (ledger_open(tpath, 1, &r, NULL, 0) == 0) {
		rc[0] = ledger_jobs_list(r, -1, -1, 0, seen_cb, &s);
		seen1 = s.n;
	}
	/* somewhere in the middle of a transaction, most likely */
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(50 + getpid() % 150) * 1000000L;
	(void)nanosleep(&ts, NULL);
	if (r != NULL) {
		memset(&s, 0, sizeof(s));
		rc[1] = ledger_jobs_list(r, -1, -1, 0, seen_cb, &s);
		ledger_close(r);
	}
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(rc[0], 0);
	ck_assert_int_eq(rc[1], 0);
	ck_assert_int_gt(seen1, 40);
	ck_assert_int_ge(s.n, seen1);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert_int_eq(close(p[0]), 0);

	/* a reader first, as `provider jobs` after a crash: it recovers */
	r = open_ro();
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(ledger_jobs_list(r, -1, -1, 0, seen_cb, &s), 0);
	ck_assert_int_gt(s.n, 40);
	ledger_close(r);

	/* the raw database, before the writer reopens it */
	{
		sqlite3		*db;
		sqlite3_stmt	*st;

		ck_assert_int_eq(sqlite3_open_v2(tpath, &db,
		    SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_prepare_v2(db,
		    "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 0),
		    "ok");
		ck_assert_int_eq(sqlite3_finalize(st), SQLITE_OK);
		ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	}

	sums_match("day", 86400);
	sums_match("hour", 3600);
	n = (int)raw_int("SELECT COUNT(*) FROM jobs");
	ck_assert_int_eq(n, s.n);
	ck_assert_int_eq(raw_int("SELECT MAX(seq) FROM jobs"), n);
	ck_assert_ptr_nonnull(buf = malloc(crash_reqlen(8)));
	l = open_rw();
	for (i = 0; i < n; i++) {
		job_make(&a, i);
		crash_b(&j, i);
		ck_assert_int_eq(ledger_job_get(l, a.lj_id, &got), 0);
		if (got.lj_status == LS_RECEIVED) {
			job_eq(&got, &a);
			last_state = 0;
		} else {
			job_eq(&got, &j);
			last_state = 1;
		}
		crash_req(buf, i);
		ck_assert_int_eq(ledger_job_request(l, a.lj_id, &out, &len),
		    0);
		ck_assert_uint_eq(len, crash_reqlen(i));
		ck_assert_mem_eq(out, buf, len);
		free(out);
		if (ledger_job_result(l, a.lj_id, &out, &len) == 0) {
			ck_assert_uint_eq(len, crash_reqlen(i) / 2);
			ck_assert_mem_eq(out, buf, len);
			free(out);
			last_state = 2;
		}
		if (i < n - 1)
			ck_assert_int_eq(last_state, 2);
	}
	job_make(&a, n);
	ck_assert_int_eq(ledger_job_get(l, a.lj_id, &got), 1);
	/* and the ledger goes on from there */
	ck_assert_int_eq(ledger_job_insert(l, &a, "{}", 2), 0);
	ledger_close(l);
	free(buf);
	fprintf(stderr, "crash: %d jobs survived, the last in state %c\n", n,
	    "ABC"[last_state]);
}
END_TEST

static Suite *
ledger_suite(void)
{
	Suite	*s = suite_create("ledger");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_status_names);
	tcase_add_test(tc, test_create_mode);
	tcase_add_test(tc, test_readonly_missing);
	tcase_add_test(tc, test_insert_dedupe);
	tcase_add_test(tc, test_update_roundtrip);
	tcase_add_loop_test(tc, test_range, 0, NSPOIL);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_unfinished);
	tcase_add_test(tc, test_rate);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_plans);
	tcase_add_test(tc, test_earnings);
	tcase_add_test(tc, test_earnings_days);
	tcase_add_test(tc, test_readonly_concurrent);
	tcase_add_test(tc, test_versions);
	tcase_add_test(tc, test_migration_atomic);
	tcase_add_test(tc, test_migrate_v1);
	tcase_add_test(tc, test_invoice_add);
	tcase_add_test(tc, test_invoice_settle);
	tcase_add_test(tc, test_settle_atomic);
	tcase_add_test(tc, test_invoice_expire);
	tcase_add_test(tc, test_invoices_open);
	tcase_add_test(tc, test_by_result);
	tcase_add_test(tc, test_payments_sum);
	tcase_add_test(tc, test_crash);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(ledger_suite()));
}
