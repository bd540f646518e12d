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
 * The ledger: see ledger.h.  One connection per handle, every statement
 * prepared once on first use and kept; every string from the network
 * is a bound parameter.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <sqlite3.h>

#include "config.h"
#include "ledger.h"
#include "log.h"
#include "util.h"

/*
 * Readers wait this long for a writer's recovery or checkpoint; the
 * daemon is the only writer, so it never waits for another.
 */
#define LEDGER_BUSY_MS		2000
/* The WAL is cut back to 4 MiB after a checkpoint rather than kept big. */
#define LEDGER_WAL_LIMIT	"4194304"

/* Trigger steps: a job counted in, or out of, its day or hour. */
#define SUM_ADD(unit, secs)						\
	"  INSERT INTO jobs_by_" unit " VALUES (NEW.received_at / " secs	\
	", NEW.type, NEW.status, 1, NEW.earned_sats)"			\
	"  ON CONFLICT (" unit ", type, status) DO UPDATE SET"		\
	"  jobs = jobs + 1,"						\
	"  earned_sats = earned_sats + excluded.earned_sats;"
#define SUM_SUB(unit, secs)						\
	"  UPDATE jobs_by_" unit " SET jobs = jobs - 1,"			\
	"  earned_sats = earned_sats - OLD.earned_sats"			\
	"  WHERE " unit " = OLD.received_at / " secs " AND"		\
	"  type = OLD.type AND status = OLD.status;"

/*
 * Schema steps: step[v] takes a database at user_version v to v + 1,
 * in one transaction.  Never edit a step that has shipped; add one.
 *
 * v1: the jobs.  The row id orders jobs that share a second.  The
 * JSON columns come last so that reading the other columns never
 * touches their overflow pages.  Indexes: the two identities; status
 * with time for restart scans and "--status S" listings; type with
 * time for "--type T"; buyer with time for the rate limit; and time
 * with type, status and earnings, which lists newest first and covers
 * the ragged ends of period sums without reading the table.
 * jobs_by_day and jobs_by_hour hold the sums per UTC day (hour), type
 * and status, so that a period is its whole days, then the whole hours
 * at its ends, then at most two hours of jobs, however busy it was;
 * triggers keep them in step in the same transaction, so they cannot
 * drift.  Ranges (status, step,
 * encryption) are checked in C, so that a new status needs no table
 * rebuild.
 */
static const char *const ledger_steps[] = {
	/* 0 -> 1 */
	"CREATE TABLE jobs ("
	"  seq INTEGER PRIMARY KEY,"
	"  id TEXT NOT NULL,"
	"  request_id TEXT NOT NULL,"
	"  buyer TEXT NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  type INTEGER NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  step INTEGER NOT NULL,"
	"  encrypted INTEGER NOT NULL,"
	"  price_sats INTEGER NOT NULL,"
	"  earned_sats INTEGER NOT NULL,"
	"  error_code TEXT NOT NULL,"
	"  error_msg TEXT NOT NULL,"
	"  result_id TEXT NOT NULL,"
	"  trajectory_id TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL,"
	"  finished_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  request_json TEXT NOT NULL,"
	"  result_json TEXT"
	");"
	"CREATE UNIQUE INDEX jobs_id ON jobs (id);"
	"CREATE UNIQUE INDEX jobs_request ON jobs (request_id);"
	"CREATE INDEX jobs_status ON jobs (status, received_at);"
	"CREATE INDEX jobs_type ON jobs (type, received_at);"
	"CREATE INDEX jobs_buyer ON jobs (buyer, received_at);"
	"CREATE INDEX jobs_received ON jobs"
	"  (received_at, type, status, earned_sats);"
	/* sums per UTC day and hour, kept by the triggers below */
	"CREATE TABLE jobs_by_day ("
	"  day INTEGER NOT NULL, type INTEGER NOT NULL,"
	"  status INTEGER NOT NULL, jobs INTEGER NOT NULL,"
	"  earned_sats INTEGER NOT NULL,"
	"  PRIMARY KEY (day, type, status)) WITHOUT ROWID;"
	"CREATE TABLE jobs_by_hour ("
	"  hour INTEGER NOT NULL, type INTEGER NOT NULL,"
	"  status INTEGER NOT NULL, jobs INTEGER NOT NULL,"
	"  earned_sats INTEGER NOT NULL,"
	"  PRIMARY KEY (hour, type, status)) WITHOUT ROWID;"
	"CREATE TRIGGER jobs_sum_insert AFTER INSERT ON jobs BEGIN"
	SUM_ADD("day", "86400") SUM_ADD("hour", "3600")
	"END;"
	"CREATE TRIGGER jobs_sum_update AFTER UPDATE OF received_at, type,"
	"  status, earned_sats ON jobs"
	"  WHEN OLD.received_at != NEW.received_at OR"
	"    OLD.type != NEW.type OR OLD.status != NEW.status OR"
	"    OLD.earned_sats != NEW.earned_sats BEGIN"
	SUM_SUB("day", "86400") SUM_SUB("hour", "3600")
	SUM_ADD("day", "86400") SUM_ADD("hour", "3600")
	"END;"
	"CREATE TRIGGER jobs_sum_delete AFTER DELETE ON jobs BEGIN"
	SUM_SUB("day", "86400") SUM_SUB("hour", "3600")
	"END;",
	/*
	 * 1 -> 2: invoices and the payments that settled them.  A partial
	 * unique index holds "one open invoice per job" in the schema, so
	 * no interleaving of callers can make a second.  A payment is
	 * unique by hash: a settle replayed after a crash finds it there.
	 * Result ids are indexed only where set (disputes look them up).
	 */
	"CREATE TABLE invoices ("
	"  seq INTEGER PRIMARY KEY,"
	"  job TEXT NOT NULL REFERENCES jobs (id),"
	"  payment_hash TEXT NOT NULL,"
	"  amount_msats INTEGER NOT NULL,"
	"  pay_first INTEGER NOT NULL,"
	"  state INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  settled_at INTEGER NOT NULL,"
	"  closed_at INTEGER NOT NULL,"
	"  preimage TEXT NOT NULL,"
	"  bolt11 TEXT NOT NULL"
	");"
	"CREATE UNIQUE INDEX invoices_hash ON invoices (payment_hash);"
	"CREATE UNIQUE INDEX invoices_job_open ON invoices (job)"
	"  WHERE state = 0;"
	"CREATE INDEX invoices_job ON invoices (job, seq);"
	"CREATE INDEX invoices_state ON invoices (state, created_at);"
	"CREATE TABLE payments ("
	"  seq INTEGER PRIMARY KEY,"
	"  payment_hash TEXT NOT NULL UNIQUE"
	"    REFERENCES invoices (payment_hash),"
	"  job TEXT NOT NULL,"
	"  amount_msats INTEGER NOT NULL,"
	"  preimage TEXT NOT NULL,"
	"  settled_at INTEGER NOT NULL,"
	"  source TEXT NOT NULL"
	");"
	"CREATE INDEX payments_settled ON payments (settled_at, amount_msats);"
	"CREATE INDEX jobs_result ON jobs (result_id) WHERE result_id != '';",
};
#define LEDGER_NSTEPS	(sizeof(ledger_steps) / sizeof(ledger_steps[0]))
_Static_assert(LEDGER_NSTEPS == LEDGER_SCHEMA_VERSION,
    "one schema step per version");

#define JOB_COLS							\
	"id, request_id, buyer, kind, type, status, step, encrypted, "	\
	"price_sats, earned_sats, error_code, error_msg, result_id, "	\
	"trajectory_id, created_at, received_at, started_at, "		\
	"finished_at, updated_at"
/* What ledger_job_update writes back, in job_bind's order. */
#define JOB_MUTABLE							\
	"status, step, price_sats, earned_sats, error_code, error_msg, "	\
	"result_id, trajectory_id, started_at, finished_at, updated_at"
#define JOB_NEWEST	" ORDER BY received_at DESC, seq DESC LIMIT ?"
#define INV_COLS							\
	"job, payment_hash, amount_msats, pay_first, state, created_at, "	\
	"expires_at, settled_at, preimage, bolt11"

enum ledger_stmt {
	ST_INSERT,
	ST_GET,
	ST_BY_REQUEST,
	ST_UPDATE,
	ST_REQUEST,
	ST_SET_RESULT,
	ST_RESULT,
	ST_UNFINISHED,
	ST_BUYER_COUNT,
	ST_ACTIVE,
	ST_LIST_ANY,
	ST_LIST_STATUS,
	ST_LIST_TYPE,
	ST_LIST_BOTH,
	ST_EARNINGS,
	ST_INV_ADD,
	ST_INV_GET,
	ST_INV_BY_HASH,
	ST_INV_OPEN,
	ST_INV_SETTLE,
	ST_INV_CLOSE,
	ST_PAY_ADD,
	ST_JOB_PAID,
	ST_JOB_EXPIRED,
	ST_BY_RESULT,
	ST_PAY_SUM,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_VERSION,
	ST_SYNC_FULL,
	ST_SYNC_NORMAL,
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_MAX
};

static const char *const ledger_sql[ST_MAX] = {
	/* The first twelve parameters as in ST_UPDATE: see job_bind. */
	[ST_INSERT] = "INSERT INTO jobs (" JOB_MUTABLE ", id, request_id, "
	    "buyer, kind, type, encrypted, created_at, received_at, "
	    "request_json) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "ON CONFLICT DO NOTHING",
	[ST_GET] = "SELECT " JOB_COLS " FROM jobs WHERE id = ?",
	[ST_BY_REQUEST] = "SELECT " JOB_COLS " FROM jobs WHERE request_id = ?",
	[ST_UPDATE] = "UPDATE jobs SET (" JOB_MUTABLE ") = "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) WHERE id = ?",
	[ST_REQUEST] = "SELECT request_json FROM jobs WHERE id = ?",
	[ST_SET_RESULT] = "UPDATE jobs SET result_json = ?, updated_at = ? "
	    "WHERE id = ?",
	[ST_RESULT] = "SELECT result_json FROM jobs WHERE id = ?",
	[ST_UNFINISHED] = "SELECT " JOB_COLS " FROM jobs "
	    "WHERE status IN (?, ?, ?, ?) ORDER BY received_at, seq",
	[ST_BUYER_COUNT] = "SELECT COUNT(*) FROM jobs "
	    "WHERE buyer = ? AND received_at >= ?",
	[ST_ACTIVE] = "SELECT COUNT(*) FROM jobs WHERE status IN (?, ?)",
	[ST_LIST_ANY] = "SELECT " JOB_COLS " FROM jobs" JOB_NEWEST,
	[ST_LIST_STATUS] = "SELECT " JOB_COLS " FROM jobs WHERE status = ?"
	    JOB_NEWEST,
	[ST_LIST_TYPE] = "SELECT " JOB_COLS " FROM jobs WHERE type = ?"
	    JOB_NEWEST,
	[ST_LIST_BOTH] = "SELECT " JOB_COLS " FROM jobs "
	    "WHERE status = ? AND type = ?" JOB_NEWEST,
	/* see earnings_split: days, hours at both ends, seconds at both */
	[ST_EARNINGS] = "SELECT type, status, SUM(n), SUM(e) FROM ("
	    "SELECT type, status, jobs AS n, earned_sats AS e FROM jobs_by_day "
	    "WHERE day >= ?1 AND day < ?2 "
	    "UNION ALL SELECT type, status, jobs, earned_sats FROM "
	    "jobs_by_hour WHERE (hour >= ?3 AND hour < ?4) OR "
	    "(hour >= ?5 AND hour < ?6) "
	    "UNION ALL SELECT type, status, 1, earned_sats FROM jobs "
	    "WHERE received_at >= ?7 AND received_at < ?8 "
	    "UNION ALL SELECT type, status, 1, earned_sats FROM jobs "
	    "WHERE received_at >= ?9 AND received_at < ?10) "
	    "GROUP BY type, status HAVING SUM(n) > 0 ORDER BY type, status",
	/* the unique indexes answer "already there" with no change */
	[ST_INV_ADD] = "INSERT INTO invoices (job, payment_hash, "
	    "amount_msats, pay_first, state, created_at, expires_at, "
	    "settled_at, closed_at, preimage, bolt11) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING",
	[ST_INV_GET] = "SELECT " INV_COLS " FROM invoices WHERE job = ? "
	    "ORDER BY seq DESC LIMIT 1",
	[ST_INV_BY_HASH] = "SELECT " INV_COLS " FROM invoices "
	    "WHERE payment_hash = ?",
	[ST_INV_OPEN] = "SELECT " INV_COLS " FROM invoices WHERE state = 0 "
	    "ORDER BY created_at, seq",
	[ST_INV_SETTLE] = "UPDATE invoices SET state = ?1, settled_at = ?2, "
	    "closed_at = ?2, preimage = ?3 WHERE payment_hash = ?4 AND "
	    "state = 0 RETURNING job",
	[ST_INV_CLOSE] = "UPDATE invoices SET state = ?1, closed_at = ?2 "
	    "WHERE payment_hash = ?3 AND state = 0 RETURNING job",
	[ST_PAY_ADD] = "INSERT INTO payments (payment_hash, job, "
	    "amount_msats, preimage, settled_at, source) "
	    "VALUES (?, ?, ?, ?, ?, ?)",
	/* the sum triggers see status and earned_sats change */
	[ST_JOB_PAID] = "UPDATE jobs SET earned_sats = ?1, status = "
	    "CASE WHEN status = ?2 THEN ?3 ELSE status END, updated_at = ?4 "
	    "WHERE id = ?5",
	[ST_JOB_EXPIRED] = "UPDATE jobs SET status = ?1, finished_at = "
	    "CASE WHEN finished_at = 0 THEN ?2 ELSE finished_at END, "
	    "updated_at = ?3 WHERE id = ?4 AND status IN (?5, ?6)",
	/* the second term lets the partial index answer */
	[ST_BY_RESULT] = "SELECT " JOB_COLS " FROM jobs "
	    "WHERE result_id = ?1 AND result_id != ''",
	[ST_PAY_SUM] = "SELECT COUNT(*), COALESCE(SUM(amount_msats), 0) "
	    "FROM payments WHERE settled_at >= ? AND settled_at < ?",
	[ST_SAVEPOINT] = "SAVEPOINT ledger_txn",
	[ST_RELEASE] = "RELEASE ledger_txn",
	[ST_ROLLBACK_TO] = "ROLLBACK TO ledger_txn",
	[ST_VERSION] = "PRAGMA user_version",
	[ST_SYNC_FULL] = "PRAGMA synchronous = FULL",
	[ST_SYNC_NORMAL] = "PRAGMA synchronous = NORMAL",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

struct ledger {
	sqlite3		*l_db;
	sqlite3_stmt	*l_stmt[ST_MAX];
	int		 l_readonly;
	int		 l_opened;
	int64_t		 l_changes;	/* rows the last ledger_run changed */
	char		 l_path[OA_PATH_MAX];
	char		 l_err[OA_PATH_MAX + 512];
};

static const char *const ledger_status_names[LS_STATUS_MAX] = {
	[LS_RECEIVED] = "received",
	[LS_REJECTED] = "rejected",
	[LS_INVOICED] = "invoiced",
	[LS_RUNNING] = "running",
	[LS_VERIFYING] = "verifying",
	[LS_PUBLISHED] = "published",
	[LS_PAID] = "paid",
	[LS_EXPIRED] = "expired",
	[LS_DISPUTED] = "disputed",
	[LS_FAILED] = "failed",
	[LS_CANCELLED] = "cancelled",
};

static void	 ledger_fail(struct ledger *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

static void
ledger_fail(struct ledger *l, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[384];

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)snprintf(l->l_err, sizeof(l->l_err), "ledger %s: %s",
	    l->l_path, msg);
	/* ledger_open's failures go to its caller, who says them once */
	if (l->l_opened)
		log_warnx("%s", l->l_err);
}

/* The statement, prepared on first use and reset for this one. */
static sqlite3_stmt *
ledger_stmt(struct ledger *l, enum ledger_stmt id)
{
	sqlite3_stmt	*st;

	if ((st = l->l_stmt[id]) == NULL) {
		if (sqlite3_prepare_v3(l->l_db, ledger_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
			ledger_fail(l, "prepare: %s", sqlite3_errmsg(l->l_db));
			return (NULL);
		}
		l->l_stmt[id] = st;
	}
	/* A callback that calls back into the same query would rewind it. */
	if (sqlite3_stmt_busy(st)) {
		ledger_fail(l, "statement %d re-entered", (int)id);
		return (NULL);
	}
	return (st);
}

/* After use: nothing the caller owns stays bound. */
static void
ledger_done(sqlite3_stmt *st)
{
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
}

static int
bind_text(sqlite3_stmt *st, int i, const char *s, size_t len)
{
	return (sqlite3_bind_text64(st, i, s, len, SQLITE_STATIC,
	    SQLITE_UTF8));
}

static int
bind_str(sqlite3_stmt *st, int i, const char *s)
{
	return (bind_text(st, i, s, strlen(s)));
}

static int
ledger_bind_failed(struct ledger *l, sqlite3_stmt *st, const char *what)
{
	ledger_fail(l, "%s: bind: %s", what, sqlite3_errmsg(l->l_db));
	ledger_done(st);
	return (-1);
}

/* Runs a statement that returns no rows: 0, or -1. */
static int
ledger_run(struct ledger *l, sqlite3_stmt *st, const char *what)
{
	int	 rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		ledger_fail(l, "%s: %s", what, sqlite3_errmsg(l->l_db));
		ledger_done(st);
		return (-1);
	}
	l->l_changes = sqlite3_changes64(l->l_db);
	ledger_done(st);
	return (0);
}

static int
ledger_simple(struct ledger *l, enum ledger_stmt id, const char *what)
{
	sqlite3_stmt	*st;

	if ((st = ledger_stmt(l, id)) == NULL)
		return (-1);
	return (ledger_run(l, st, what));
}

/* A fixed-size string field of a job: NUL inside its array. */
static int
field_ok(const char *s, size_t size)
{
	return (memchr(s, '\0', size) != NULL);
}

static int
job_check(struct ledger *l, const struct ledger_job *j)
{
	const char	*bad = NULL;

	if (!field_ok(j->lj_id, sizeof(j->lj_id)) || j->lj_id[0] == '\0')
		bad = "job id";
	else if (!field_ok(j->lj_request_id, sizeof(j->lj_request_id)) ||
	    j->lj_request_id[0] == '\0')
		bad = "request id";
	else if (!field_ok(j->lj_buyer, sizeof(j->lj_buyer)))
		bad = "buyer";
	else if (j->lj_type < -1 || j->lj_type >= JOB_TYPE_MAX)
		bad = "type";
	else if (j->lj_status < 0 || j->lj_status >= LS_STATUS_MAX)
		bad = "status";
	else if (j->lj_step < LSTEP_NONE || j->lj_step > LSTEP_RESULT_PUBLISHED)
		bad = "step";
	else if (j->lj_encrypted != 0 && j->lj_encrypted != 4 &&
	    j->lj_encrypted != 44)
		bad = "encryption";
	else if (j->lj_price_sats < 0 || j->lj_earned_sats < 0)
		bad = "amount";
	else if (!field_ok(j->lj_error_code, sizeof(j->lj_error_code)) ||
	    !field_ok(j->lj_error_msg, sizeof(j->lj_error_msg)) ||
	    !field_ok(j->lj_result_id, sizeof(j->lj_result_id)) ||
	    !field_ok(j->lj_trajectory_id, sizeof(j->lj_trajectory_id)))
		bad = "string field";
	else if (j->lj_created_at < 0 || j->lj_received_at < 0 ||
	    j->lj_started_at < 0 || j->lj_finished_at < 0)
		bad = "time";
	if (bad != NULL) {
		ledger_fail(l, "job %.*s: %s out of range",
		    (int)strnlen(j->lj_id, sizeof(j->lj_id)), j->lj_id, bad);
		return (-1);
	}
	return (0);
}

static int
col_str(sqlite3_stmt *st, int i, char *dst, size_t size)
{
	const unsigned char	*s;
	int			 n;

	s = sqlite3_column_text(st, i);
	n = sqlite3_column_bytes(st, i);
	if (s == NULL || n < 0 || (size_t)n >= size ||
	    memchr(s, '\0', (size_t)n) != NULL)
		return (-1);
	memcpy(dst, s, (size_t)n);
	dst[n] = '\0';
	return (0);
}

static int
col_int(sqlite3_stmt *st, int i, int *v)
{
	sqlite3_int64	 x;

	if (sqlite3_column_type(st, i) != SQLITE_INTEGER)
		return (-1);
	x = sqlite3_column_int64(st, i);
	if (x < -2147483647 - 1 || x > 2147483647)
		return (-1);
	*v = (int)x;
	return (0);
}

static int
col_i64(sqlite3_stmt *st, int i, int64_t *v)
{
	if (sqlite3_column_type(st, i) != SQLITE_INTEGER)
		return (-1);
	*v = sqlite3_column_int64(st, i);
	return (0);
}

/* A row of JOB_COLS into *j; a row that does not fit is corrupt. */
static int
job_read(struct ledger *l, sqlite3_stmt *st, struct ledger_job *j)
{
	int	 kind;

	memset(j, 0, sizeof(*j));
	if (col_str(st, 0, j->lj_id, sizeof(j->lj_id)) == -1 ||
	    col_str(st, 1, j->lj_request_id, sizeof(j->lj_request_id)) == -1 ||
	    col_str(st, 2, j->lj_buyer, sizeof(j->lj_buyer)) == -1 ||
	    col_int(st, 3, &kind) == -1 || kind < 0 ||
	    col_int(st, 4, &j->lj_type) == -1 ||
	    col_int(st, 5, &j->lj_status) == -1 ||
	    col_int(st, 6, &j->lj_step) == -1 ||
	    col_int(st, 7, &j->lj_encrypted) == -1 ||
	    col_i64(st, 8, &j->lj_price_sats) == -1 ||
	    col_i64(st, 9, &j->lj_earned_sats) == -1 ||
	    col_str(st, 10, j->lj_error_code, sizeof(j->lj_error_code)) == -1 ||
	    col_str(st, 11, j->lj_error_msg, sizeof(j->lj_error_msg)) == -1 ||
	    col_str(st, 12, j->lj_result_id, sizeof(j->lj_result_id)) == -1 ||
	    col_str(st, 13, j->lj_trajectory_id,
	    sizeof(j->lj_trajectory_id)) == -1 ||
	    col_i64(st, 14, &j->lj_created_at) == -1 ||
	    col_i64(st, 15, &j->lj_received_at) == -1 ||
	    col_i64(st, 16, &j->lj_started_at) == -1 ||
	    col_i64(st, 17, &j->lj_finished_at) == -1 ||
	    col_i64(st, 18, &j->lj_updated_at) == -1) {
		ledger_fail(l, "a job row does not fit (corrupt?)");
		return (-1);
	}
	j->lj_kind = (uint32_t)kind;
	return (0);
}

typedef int (*row_read_fn)(struct ledger *, sqlite3_stmt *, void *);

static int
job_row(struct ledger *l, sqlite3_stmt *st, void *out)
{
	return (job_read(l, st, out));
}

/* The one row a bound key finds: 0 found, 1 not found, -1 error. */
static int
row_lookup(struct ledger *l, enum ledger_stmt id, const char *key,
    row_read_fn rd, void *out)
{
	sqlite3_stmt	*st;
	int		 rc, ret;

	if (key == NULL) {
		ledger_fail(l, "lookup without a key");
		return (-1);
	}
	if ((st = ledger_stmt(l, id)) == NULL)
		return (-1);
	if (bind_str(st, 1, key) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "lookup"));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = rd(l, st, out) == -1 ? -1 : 0;
	else if (rc == SQLITE_DONE)
		ret = 1;
	else {
		ledger_fail(l, "lookup: %s", sqlite3_errmsg(l->l_db));
		ret = -1;
	}
	ledger_done(st);
	return (ret);
}

/*
 * Every row of a bound query into a malloc'd array of size-byte
 * elements, so that callbacks run after the statement is done (they
 * are likely to write the rows).  0 or -1; *vp is the caller's to free
 * either way.
 */
static int
rows_collect(struct ledger *l, sqlite3_stmt *st, size_t size, row_read_fn rd,
    void **vp, size_t *np, const char *what)
{
	char	*v = NULL, *nv;
	size_t	 n = 0, cap = 0;
	int	 rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nv = reallocarray(v, cap, size)) == NULL) {
				ledger_fail(l, "%s: %s", what, strerror(errno));
				ret = -1;
				break;
			}
			v = nv;
		}
		if (rd(l, st, v + n * size) == -1) {
			ret = -1;
			break;
		}
		n++;
	}
	if (ret == 0 && rc != SQLITE_DONE) {
		ledger_fail(l, "%s: %s", what, sqlite3_errmsg(l->l_db));
		ret = -1;
	}
	ledger_done(st);
	*vp = v;
	*np = n;
	return (ret);
}

/*
 * Transitions are synced when they commit (see ledger.h); inside a
 * batch the level cannot change and the batch decides.
 */
static int
ledger_sync(struct ledger *l, int full)
{
	if (!sqlite3_get_autocommit(l->l_db))
		return (0);
	return (ledger_simple(l, full ? ST_SYNC_FULL : ST_SYNC_NORMAL,
	    "synchronous"));
}

/* Runs a transition's statement with the WAL synced at its commit. */
static int
ledger_run_durable(struct ledger *l, sqlite3_stmt *st, const char *what)
{
	int64_t	 changes;
	int	 rc;

	if (ledger_sync(l, 1) == -1) {
		ledger_done(st);
		return (-1);
	}
	rc = ledger_run(l, st, what);
	changes = l->l_changes;
	if (ledger_sync(l, 0) == -1)
		rc = -1;
	l->l_changes = changes;
	return (rc);
}

static int
ledger_exec(struct ledger *l, const char *sql, const char *what)
{
	char	*msg = NULL;

	if (sqlite3_exec(l->l_db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ledger_fail(l, "%s: %s", what,
		    msg != NULL ? msg : sqlite3_errmsg(l->l_db));
		sqlite3_free(msg);
		return (-1);
	}
	return (0);
}

int
ledger_schema_version(struct ledger *l)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if ((st = ledger_stmt(l, ST_VERSION)) == NULL)
		return (-1);
	if (sqlite3_step(st) != SQLITE_ROW || col_int(st, 0, &v) == -1 ||
	    v < 0) {
		ledger_fail(l, "user_version: %s", sqlite3_errmsg(l->l_db));
		v = -1;
	}
	ledger_done(st);
	return (v);
}

static int
ledger_newer(struct ledger *l, int v)
{
	if (v > (int)LEDGER_NSTEPS) {
		ledger_fail(l, "schema v%d is newer than this program knows "
		    "(v%d); refusing to touch it", v, (int)LEDGER_NSTEPS);
		return (1);
	}
	return (0);
}

/*
 * Each step in its own IMMEDIATE transaction, the version read inside
 * it, so that a step is applied whole, once, or not at all.
 */
static int
ledger_migrate(struct ledger *l)
{
	char	 sql[64];
	int	 v;

	for (;;) {
		if (ledger_simple(l, ST_BEGIN, "begin") == -1)
			return (-1);
		if ((v = ledger_schema_version(l)) == -1 || ledger_newer(l, v))
			goto fail;
		if (v == (int)LEDGER_NSTEPS)
			break;
		(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		    v + 1);
		if (ledger_exec(l, ledger_steps[v], "migrating") == -1 ||
		    ledger_exec(l, sql, "migrating") == -1)
			goto fail;
		if (ledger_simple(l, ST_COMMIT, "commit") == -1)
			goto fail;
	}
	return (ledger_simple(l, ST_COMMIT, "commit"));
 fail:
	if (!sqlite3_get_autocommit(l->l_db))
		(void)ledger_simple(l, ST_ROLLBACK, "rollback");
	return (-1);
}

/*
 * The file is made here, 0600, so that SQLite (and the WAL and shm
 * files it makes with the same mode) never creates it under the
 * process umask.
 */
static int
ledger_create(struct ledger *l)
{
	struct stat	 sb;
	int		 fd;

	fd = open(l->l_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		ledger_fail(l, "open: %s", strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) == -1) {
		ledger_fail(l, "fstat: %s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		ledger_fail(l, "not a regular file");
		goto fail;
	}
	if ((sb.st_mode & 07777) != 0600 && fchmod(fd, 0600) == -1) {
		ledger_fail(l, "fchmod: %s", strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		ledger_fail(l, "close: %s", strerror(errno));
		return (-1);
	}
	return (0);
 fail:
	(void)close(fd);
	return (-1);
}

static int
ledger_pragmas(struct ledger *l)
{
	sqlite3_stmt	*st;
	const char	*mode;
	int		 rc, ok;

	/* A corrupt or hostile file must not get to run SQL of its own. */
	if (sqlite3_db_config(l->l_db, SQLITE_DBCONFIG_DEFENSIVE, 1,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(l->l_db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    NULL) != SQLITE_OK) {
		ledger_fail(l, "db_config: %s", sqlite3_errmsg(l->l_db));
		return (-1);
	}
	if (sqlite3_busy_timeout(l->l_db, LEDGER_BUSY_MS) != SQLITE_OK) {
		ledger_fail(l, "busy_timeout: %s", sqlite3_errmsg(l->l_db));
		return (-1);
	}
	if (ledger_exec(l, "PRAGMA foreign_keys = ON", "foreign_keys") == -1)
		return (-1);
	if (l->l_readonly)
		return (0);

	/* journal_mode answers with the mode it got, which may not be WAL. */
	if (sqlite3_prepare_v2(l->l_db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK) {
		ledger_fail(l, "journal_mode: %s", sqlite3_errmsg(l->l_db));
		return (-1);
	}
	rc = sqlite3_step(st);
	mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) :
	    NULL;
	ok = mode != NULL && strcmp(mode, "wal") == 0;
	if (!ok)
		ledger_fail(l, "journal_mode WAL: %s", rc == SQLITE_ROW ?
		    (mode != NULL ? mode : "?") : sqlite3_errmsg(l->l_db));
	if (sqlite3_finalize(st) != SQLITE_OK && ok) {
		ledger_fail(l, "journal_mode: %s", sqlite3_errmsg(l->l_db));
		ok = 0;
	}
	if (!ok)
		return (-1);
	if (ledger_exec(l, "PRAGMA journal_size_limit = "
	    LEDGER_WAL_LIMIT, "journal_size_limit") == -1 ||
	    ledger_sync(l, 0) == -1)
		return (-1);
	return (0);
}

int
ledger_open(const char *path, int readonly, struct ledger **lp, char *err,
    size_t errlen)
{
	struct ledger	*l;
	struct stat	 sb;
	int		 flags, v;

	*lp = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		errbuf_set(err, errlen, "ledger: %s", strerror(errno));
		return (-1);
	}
	l->l_readonly = readonly != 0;
	if (strlcpy(l->l_path, path, sizeof(l->l_path)) >= sizeof(l->l_path)) {
		errbuf_set(err, errlen, "ledger path too long");
		free(l);
		return (-1);
	}

	if (l->l_readonly) {
		if (stat(path, &sb) == -1) {
			if (errno == ENOENT) {
				(void)snprintf(l->l_err, sizeof(l->l_err),
				    "no ledger yet at %s", path);
			} else
				ledger_fail(l, "stat: %s", strerror(errno));
			goto fail;
		}
		flags = SQLITE_OPEN_READONLY;
	} else {
		if (ledger_create(l) == -1)
			goto fail;
		flags = SQLITE_OPEN_READWRITE;
	}
	flags |= SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE;
	if (sqlite3_open_v2(path, &l->l_db, flags, NULL) != SQLITE_OK) {
		ledger_fail(l, "open: %s", l->l_db != NULL ?
		    sqlite3_errmsg(l->l_db) : "out of memory");
		goto fail;
	}
	if (ledger_pragmas(l) == -1)
		goto fail;

	if (!l->l_readonly && ledger_migrate(l) == -1)
		goto fail;
	if ((v = ledger_schema_version(l)) == -1 || ledger_newer(l, v))
		goto fail;
	if (v != LEDGER_SCHEMA_VERSION) {
		ledger_fail(l, "schema v%d, this program reads v%d; starting "
		    "openagentsd upgrades it", v, LEDGER_SCHEMA_VERSION);
		goto fail;
	}
	l->l_opened = 1;
	*lp = l;
	return (0);
 fail:
	errbuf_set(err, errlen, "%s", l->l_err[0] != '\0' ? l->l_err :
	    "ledger: open failed");
	ledger_close(l);
	return (-1);
}

void
ledger_close(struct ledger *l)
{
	int	 i;

	if (l == NULL)
		return;
	for (i = 0; i < ST_MAX; i++)
		if (sqlite3_finalize(l->l_stmt[i]) != SQLITE_OK)
			ledger_fail(l, "finalize: %s",
			    sqlite3_errmsg(l->l_db));
	if (l->l_db != NULL && sqlite3_close(l->l_db) != SQLITE_OK)
		ledger_fail(l, "close: %s", sqlite3_errmsg(l->l_db));
	free(l);
}

const char *
ledger_error(struct ledger *l)
{
	return (l->l_err);
}

int
ledger_begin(struct ledger *l)
{
	return (ledger_simple(l, ST_BEGIN, "begin"));
}

int
ledger_commit(struct ledger *l)
{
	return (ledger_simple(l, ST_COMMIT, "commit"));
}

int
ledger_rollback(struct ledger *l)
{
	return (ledger_simple(l, ST_ROLLBACK, "rollback"));
}

/* JOB_MUTABLE as parameters 1 to 11, then the job id as 12. */
static int
job_bind(sqlite3_stmt *st, const struct ledger_job *j)
{
	if (sqlite3_bind_int(st, 1, j->lj_status) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, j->lj_step) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, j->lj_price_sats) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, j->lj_earned_sats) != SQLITE_OK ||
	    bind_str(st, 5, j->lj_error_code) != SQLITE_OK ||
	    bind_str(st, 6, j->lj_error_msg) != SQLITE_OK ||
	    bind_str(st, 7, j->lj_result_id) != SQLITE_OK ||
	    bind_str(st, 8, j->lj_trajectory_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 9, j->lj_started_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 10, j->lj_finished_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 11, time(NULL)) != SQLITE_OK ||
	    bind_str(st, 12, j->lj_id) != SQLITE_OK)
		return (SQLITE_ERROR);
	return (SQLITE_OK);
}

int
ledger_job_insert(struct ledger *l, const struct ledger_job *j,
    const char *request_json, size_t len)
{
	sqlite3_stmt	*st;

	if (job_check(l, j) == -1)
		return (-1);
	if (request_json == NULL) {
		ledger_fail(l, "job %s: no request", j->lj_id);
		return (-1);
	}
	if ((st = ledger_stmt(l, ST_INSERT)) == NULL)
		return (-1);
	if (job_bind(st, j) != SQLITE_OK ||
	    bind_str(st, 13, j->lj_request_id) != SQLITE_OK ||
	    bind_str(st, 14, j->lj_buyer) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 15, j->lj_kind) != SQLITE_OK ||
	    sqlite3_bind_int(st, 16, j->lj_type) != SQLITE_OK ||
	    sqlite3_bind_int(st, 17, j->lj_encrypted) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 18, j->lj_created_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 19, j->lj_received_at) != SQLITE_OK ||
	    bind_text(st, 20, request_json, len) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "insert"));
	if (ledger_run(l, st, "insert") == -1)
		return (-1);
	/* ON CONFLICT DO NOTHING: no change means the job was there. */
	return (l->l_changes == 0 ? 1 : 0);
}

int
ledger_job_get(struct ledger *l, const char *job_id, struct ledger_job *j)
{
	return (row_lookup(l, ST_GET, job_id, job_row, j));
}

int
ledger_job_by_request(struct ledger *l, const char *request_id,
    struct ledger_job *j)
{
	return (row_lookup(l, ST_BY_REQUEST, request_id, job_row, j));
}

int
ledger_job_update(struct ledger *l, const struct ledger_job *j)
{
	return (ledger_job_update_sync(l, j, 1));
}

int
ledger_job_update_sync(struct ledger *l, const struct ledger_job *j,
    int durable)
{
	sqlite3_stmt	*st;

	if (job_check(l, j) == -1)
		return (-1);
	if ((st = ledger_stmt(l, ST_UPDATE)) == NULL)
		return (-1);
	if (job_bind(st, j) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "update"));
	if ((durable ? ledger_run_durable(l, st, "update") :
	    ledger_run(l, st, "update")) == -1)
		return (-1);
	return (l->l_changes == 0 ? 1 : 0);
}

int
ledger_job_set_result(struct ledger *l, const char *job_id,
    const char *event_json, size_t len)
{
	sqlite3_stmt	*st;

	if (job_id == NULL || event_json == NULL) {
		ledger_fail(l, "set_result: no job or no result");
		return (-1);
	}
	if ((st = ledger_stmt(l, ST_SET_RESULT)) == NULL)
		return (-1);
	if (bind_text(st, 1, event_json, len) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, time(NULL)) != SQLITE_OK ||
	    bind_str(st, 3, job_id) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "set_result"));
	if (ledger_run_durable(l, st, "set_result") == -1)
		return (-1);
	return (l->l_changes == 0 ? 1 : 0);
}

/* One JSON column of one job, copied out NUL-terminated. */
static int
job_text(struct ledger *l, enum ledger_stmt id, const char *job_id,
    char **json, size_t *len)
{
	sqlite3_stmt	*st;
	const void	*s;
	int		 rc, n, ret = -1;

	*json = NULL;
	if (len != NULL)
		*len = 0;
	if (job_id == NULL) {
		ledger_fail(l, "lookup without a key");
		return (-1);
	}
	if ((st = ledger_stmt(l, id)) == NULL)
		return (-1);
	if (bind_str(st, 1, job_id) != SQLITE_OK) {
		ledger_fail(l, "lookup: bind: %s", sqlite3_errmsg(l->l_db));
		goto done;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE ||
	    (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_NULL)) {
		ret = 1;
		goto done;
	}
	if (rc != SQLITE_ROW) {
		ledger_fail(l, "lookup: %s", sqlite3_errmsg(l->l_db));
		goto done;
	}
	/* text first, then its length, as the SQLite documentation asks */
	s = sqlite3_column_text(st, 0);
	n = sqlite3_column_bytes(st, 0);
	if (s == NULL || n < 0) {
		ledger_fail(l, "lookup: %s", sqlite3_errmsg(l->l_db));
		goto done;
	}
	if ((*json = malloc((size_t)n + 1)) == NULL) {
		ledger_fail(l, "lookup: %s", strerror(errno));
		goto done;
	}
	memcpy(*json, s, (size_t)n);
	(*json)[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	ret = 0;
 done:
	ledger_done(st);
	return (ret);
}

int
ledger_job_request(struct ledger *l, const char *job_id, char **json,
    size_t *len)
{
	return (job_text(l, ST_REQUEST, job_id, json, len));
}

int
ledger_job_result(struct ledger *l, const char *job_id, char **json,
    size_t *len)
{
	return (job_text(l, ST_RESULT, job_id, json, len));
}

/* Steps a bound job query, handing each row to cb. */
static int
jobs_each(struct ledger *l, sqlite3_stmt *st, ledger_job_cb cb, void *arg)
{
	struct ledger_job	 j;
	int			 rc, ret = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (job_read(l, st, &j) == -1) {
			ret = -1;
			break;
		}
		if ((ret = cb(&j, arg)) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ledger_fail(l, "list: %s", sqlite3_errmsg(l->l_db));
		ret = -1;
	}
	ledger_done(st);
	return (ret);
}

int
ledger_jobs_unfinished(struct ledger *l, ledger_job_cb cb, void *arg)
{
	sqlite3_stmt		*st;
	struct ledger_job	*v;
	void			*p;
	size_t			 n, i;
	int			 ret;

	if ((st = ledger_stmt(l, ST_UNFINISHED)) == NULL)
		return (-1);
	if (sqlite3_bind_int(st, 1, LS_RECEIVED) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, LS_INVOICED) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, LS_RUNNING) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, LS_VERIFYING) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "unfinished"));
	ret = rows_collect(l, st, sizeof(*v), job_row, &p, &n, "unfinished");
	v = p;
	for (i = 0; ret == 0 && i < n; i++)
		ret = cb(&v[i], arg);
	free(v);
	return (ret);
}

static int64_t
ledger_count(struct ledger *l, sqlite3_stmt *st, const char *what)
{
	int64_t	 n = -1;

	if (sqlite3_step(st) != SQLITE_ROW || col_i64(st, 0, &n) == -1) {
		ledger_fail(l, "%s: %s", what, sqlite3_errmsg(l->l_db));
		n = -1;
	}
	ledger_done(st);
	return (n);
}

int64_t
ledger_buyer_count_since(struct ledger *l, const char *buyer, int64_t since)
{
	sqlite3_stmt	*st;

	if (buyer == NULL) {
		ledger_fail(l, "buyer count without a buyer");
		return (-1);
	}
	if ((st = ledger_stmt(l, ST_BUYER_COUNT)) == NULL)
		return (-1);
	if (bind_str(st, 1, buyer) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, since) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "buyer count"));
	return (ledger_count(l, st, "buyer count"));
}

int64_t
ledger_jobs_active(struct ledger *l)
{
	sqlite3_stmt	*st;

	if ((st = ledger_stmt(l, ST_ACTIVE)) == NULL)
		return (-1);
	if (sqlite3_bind_int(st, 1, LS_RUNNING) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, LS_VERIFYING) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "active"));
	return (ledger_count(l, st, "active"));
}

int
ledger_jobs_list(struct ledger *l, int status, int type, int limit,
    ledger_job_cb cb, void *arg)
{
	sqlite3_stmt	*st;
	enum ledger_stmt id;
	int		 i = 1, rc = SQLITE_OK;

	if (status < -1 || status >= LS_STATUS_MAX ||
	    type < -1 || type >= JOB_TYPE_MAX) {
		ledger_fail(l, "list: status %d or type %d out of range",
		    status, type);
		return (-1);
	}
	/* One statement per filter, so that each gets its own index. */
	if (status != -1)
		id = type != -1 ? ST_LIST_BOTH : ST_LIST_STATUS;
	else
		id = type != -1 ? ST_LIST_TYPE : ST_LIST_ANY;
	if ((st = ledger_stmt(l, id)) == NULL)
		return (-1);
	if (status != -1)
		rc = sqlite3_bind_int(st, i++, status);
	if (rc == SQLITE_OK && type != -1)
		rc = sqlite3_bind_int(st, i++, type);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int(st, i, limit > 0 ? limit : -1);
	if (rc != SQLITE_OK)
		return (ledger_bind_failed(l, st, "list"));
	return (jobs_each(l, st, cb, arg));
}

/*
 * [from, to) as ST_EARNINGS's ten bounds: whole days [d0, d1); the
 * whole hours before and after them, [h0, d0 * 24) and [d1 * 24, h1);
 * the seconds before and after those.  What a coarser unit does not
 * cover whole goes to the finer one; empty ranges are [x, x).
 */
static void
earnings_split(int64_t from, int64_t to, int64_t r[10])
{
	int64_t	 h0, h1, d0, d1;

	if (from < 0)
		from = 0;
	if (to < from)
		to = from;
	h0 = from / 3600 + (from % 3600 != 0);
	h1 = to / 3600;
	if (h0 >= h1)
		h0 = h1 = to / 3600 + 1;	/* no whole hour: all seconds */
	d0 = h0 / 24 + (h0 % 24 != 0);
	d1 = h1 / 24;
	if (d0 >= d1)
		d0 = d1 = h1 / 24 + 1;		/* no whole day: all hours */
	r[0] = d0;
	r[1] = d1;
	r[2] = h0;
	r[3] = d0 < d1 ? d0 * 24 : h1;
	r[4] = d0 < d1 ? d1 * 24 : h1;
	r[5] = h1;
	r[6] = from;
	r[7] = h0 < h1 ? h0 * 3600 : to;
	r[8] = h0 < h1 ? h1 * 3600 : to;
	r[9] = to;
}

int
ledger_earnings(struct ledger *l, int64_t from, int64_t to, ledger_sum_cb cb,
    void *arg)
{
	sqlite3_stmt		*st;
	struct ledger_sum	 s;
	int			 rc, type, status, have = 0, ret = 0;
	int64_t			 n, earned, r[10];
	int			 i;

	earnings_split(from, to, r);
	if ((st = ledger_stmt(l, ST_EARNINGS)) == NULL)
		return (-1);
	for (i = 0; i < 10; i++)
		if (sqlite3_bind_int64(st, i + 1, r[i]) != SQLITE_OK)
			break;
	if (i < 10)
		return (ledger_bind_failed(l, st, "earnings"));
	memset(&s, 0, sizeof(s));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (col_int(st, 0, &type) == -1 ||
		    col_int(st, 1, &status) == -1 ||
		    col_i64(st, 2, &n) == -1 ||
		    col_i64(st, 3, &earned) == -1 ||
		    status < 0 || status >= LS_STATUS_MAX) {
			ledger_fail(l, "earnings: a row does not fit");
			ret = -1;
			break;
		}
		if (have && type != s.ls_type) {
			if ((ret = cb(&s, arg)) != 0)
				break;
			memset(&s, 0, sizeof(s));
		}
		have = 1;
		s.ls_type = type;
		s.ls_jobs += n;
		s.ls_count[status] += n;
		s.ls_earned_sats += earned;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ledger_fail(l, "earnings: %s", sqlite3_errmsg(l->l_db));
		ret = -1;
	}
	ledger_done(st);
	if (ret == 0 && have)
		ret = cb(&s, arg);
	return (ret);
}

/*
 * A transaction of several statements, synced at its end: its own
 * when none is open, else a savepoint inside the caller's batch, so
 * that a failure undoes this call's part only.
 */
static int
txn_begin(struct ledger *l, int *nested)
{
	*nested = !sqlite3_get_autocommit(l->l_db);
	if (*nested)
		return (ledger_simple(l, ST_SAVEPOINT, "savepoint"));
	if (ledger_sync(l, 1) == -1)
		return (-1);
	if (ledger_simple(l, ST_BEGIN, "begin") == -1) {
		(void)ledger_sync(l, 0);
		return (-1);
	}
	return (0);
}

static int
txn_end(struct ledger *l, int nested, int commit)
{
	int	 rc;

	if (nested) {
		rc = 0;
		if (!commit)
			rc = ledger_simple(l, ST_ROLLBACK_TO, "rollback to");
		if (ledger_simple(l, ST_RELEASE, "release") == -1)
			rc = -1;
		return (rc);
	}
	rc = ledger_simple(l, commit ? ST_COMMIT : ST_ROLLBACK,
	    commit ? "commit" : "rollback");
	/* a failed COMMIT may leave the transaction open */
	if (rc == -1 && !sqlite3_get_autocommit(l->l_db))
		(void)ledger_simple(l, ST_ROLLBACK, "rollback");
	if (ledger_sync(l, 0) == -1)
		rc = -1;
	return (rc);
}

static int
hex64_ok(const char *s, size_t size, int empty_ok)
{
	size_t	 n;

	if (!field_ok(s, size))
		return (0);
	if (s[0] == '\0')
		return (empty_ok);
	n = strspn(s, "0123456789abcdef");
	return (n == 64 && s[n] == '\0');
}

static int
invoice_check(struct ledger *l, const struct ledger_invoice *in)
{
	const char	*bad = NULL;

	if (!field_ok(in->li_job, sizeof(in->li_job)) || in->li_job[0] == '\0')
		bad = "job id";
	else if (!hex64_ok(in->li_payment_hash, sizeof(in->li_payment_hash),
	    0))
		bad = "payment hash";
	else if (!field_ok(in->li_bolt11, sizeof(in->li_bolt11)) ||
	    in->li_bolt11[0] == '\0')
		bad = "bolt11";
	else if (in->li_amount_msats < 0)
		bad = "amount";
	else if (in->li_pay_first != 0 && in->li_pay_first != 1)
		bad = "pay_first";
	else if (in->li_state < 0 || in->li_state >= LI_STATE_MAX)
		bad = "state";
	else if (in->li_created_at < 0 || in->li_expires_at < 0 ||
	    in->li_settled_at < 0)
		bad = "time";
	else if (!hex64_ok(in->li_preimage, sizeof(in->li_preimage), 1))
		bad = "preimage";
	if (bad != NULL) {
		ledger_fail(l, "invoice of %.*s: %s out of range",
		    (int)strnlen(in->li_job, sizeof(in->li_job)), in->li_job,
		    bad);
		return (-1);
	}
	return (0);
}

/* A row of INV_COLS into *in. */
static int
invoice_read(struct ledger *l, sqlite3_stmt *st, struct ledger_invoice *in)
{
	memset(in, 0, sizeof(*in));
	if (col_str(st, 0, in->li_job, sizeof(in->li_job)) == -1 ||
	    col_str(st, 1, in->li_payment_hash,
	    sizeof(in->li_payment_hash)) == -1 ||
	    col_i64(st, 2, &in->li_amount_msats) == -1 ||
	    col_int(st, 3, &in->li_pay_first) == -1 ||
	    col_int(st, 4, &in->li_state) == -1 ||
	    col_i64(st, 5, &in->li_created_at) == -1 ||
	    col_i64(st, 6, &in->li_expires_at) == -1 ||
	    col_i64(st, 7, &in->li_settled_at) == -1 ||
	    col_str(st, 8, in->li_preimage, sizeof(in->li_preimage)) == -1 ||
	    col_str(st, 9, in->li_bolt11, sizeof(in->li_bolt11)) == -1 ||
	    in->li_state < 0 || in->li_state >= LI_STATE_MAX) {
		ledger_fail(l, "an invoice row does not fit (corrupt?)");
		return (-1);
	}
	return (0);
}

int
ledger_invoice_add(struct ledger *l, const struct ledger_invoice *in)
{
	sqlite3_stmt	*st;

	if (invoice_check(l, in) == -1)
		return (-1);
	if ((st = ledger_stmt(l, ST_INV_ADD)) == NULL)
		return (-1);
	if (bind_str(st, 1, in->li_job) != SQLITE_OK ||
	    bind_str(st, 2, in->li_payment_hash) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, in->li_amount_msats) != SQLITE_OK ||
	    sqlite3_bind_int(st, 4, in->li_pay_first) != SQLITE_OK ||
	    sqlite3_bind_int(st, 5, in->li_state) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 6, in->li_created_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 7, in->li_expires_at) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 8, in->li_settled_at) != SQLITE_OK ||
	    bind_str(st, 9, in->li_preimage) != SQLITE_OK ||
	    bind_str(st, 10, in->li_bolt11) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "invoice add"));
	if (ledger_run_durable(l, st, "invoice add") == -1)
		return (-1);
	return (l->l_changes == 0 ? 1 : 0);
}

static int
invoice_row(struct ledger *l, sqlite3_stmt *st, void *out)
{
	return (invoice_read(l, st, out));
}

int
ledger_invoice_get(struct ledger *l, const char *job_id,
    struct ledger_invoice *in)
{
	return (row_lookup(l, ST_INV_GET, job_id, invoice_row, in));
}

int
ledger_invoice_by_hash(struct ledger *l, const char *payment_hash,
    struct ledger_invoice *in)
{
	return (row_lookup(l, ST_INV_BY_HASH, payment_hash, invoice_row,
	    in));
}

/*
 * Runs a bound "UPDATE invoices ... WHERE state = 0 RETURNING job":
 * 0 with the job's id, 1 when no open invoice matched, -1.
 */
static int
invoice_take(struct ledger *l, sqlite3_stmt *st, char *job, size_t size,
    const char *what)
{
	int	 rc, ret;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ret = col_str(st, 0, job, size) == -1 ? -1 : 0;
		if (ret == -1)
			ledger_fail(l, "%s: job id does not fit", what);
		else if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			ledger_fail(l, "%s: %s", what, sqlite3_errmsg(l->l_db));
			ret = -1;
		}
	} else if (rc == SQLITE_DONE)
		ret = 1;
	else {
		ledger_fail(l, "%s: %s", what, sqlite3_errmsg(l->l_db));
		ret = -1;
	}
	ledger_done(st);
	return (ret);
}

static int
settle_steps(struct ledger *l, const char *payment_hash,
    int64_t amount_msats, const char *preimage, int64_t settled_at,
    const char *source)
{
	sqlite3_stmt	*st;
	char		 job[LEDGER_JOBID_LEN];
	int		 rc;

	if ((st = ledger_stmt(l, ST_INV_SETTLE)) == NULL)
		return (-1);
	if (sqlite3_bind_int(st, 1, LI_PAID) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, settled_at) != SQLITE_OK ||
	    bind_str(st, 3, preimage) != SQLITE_OK ||
	    bind_str(st, 4, payment_hash) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "settle"));
	if ((rc = invoice_take(l, st, job, sizeof(job), "settle")) != 0)
		return (rc);

	if ((st = ledger_stmt(l, ST_PAY_ADD)) == NULL)
		return (-1);
	if (bind_str(st, 1, payment_hash) != SQLITE_OK ||
	    bind_str(st, 2, job) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, amount_msats) != SQLITE_OK ||
	    bind_str(st, 4, preimage) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, settled_at) != SQLITE_OK ||
	    bind_str(st, 6, source) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "payment"));
	if (ledger_run(l, st, "payment") == -1)
		return (-1);

	if ((st = ledger_stmt(l, ST_JOB_PAID)) == NULL)
		return (-1);
	if (sqlite3_bind_int64(st, 1, amount_msats / 1000) != SQLITE_OK ||
	    sqlite3_bind_int(st, 2, LS_PUBLISHED) != SQLITE_OK ||
	    sqlite3_bind_int(st, 3, LS_PAID) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 4, time(NULL)) != SQLITE_OK ||
	    bind_str(st, 5, job) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "settle job"));
	if (ledger_run(l, st, "settle job") == -1)
		return (-1);
	if (l->l_changes != 1) {
		ledger_fail(l, "settle: invoice of a missing job %s", job);
		return (-1);
	}
	return (0);
}

int
ledger_invoice_settle(struct ledger *l, const char *payment_hash,
    int64_t amount_msats, const char *preimage, int64_t settled_at,
    const char *source)
{
	int	 nested, rc;

	if (payment_hash == NULL || preimage == NULL || source == NULL ||
	    !hex64_ok(preimage, 65, 1) || amount_msats < 0 ||
	    settled_at < 0 || (strcmp(source, "notification") != 0 &&
	    strcmp(source, "lookup") != 0)) {
		ledger_fail(l, "settle: argument out of range");
		return (-1);
	}
	if (txn_begin(l, &nested) == -1)
		return (-1);
	rc = settle_steps(l, payment_hash, amount_msats, preimage, settled_at,
	    source);
	/* 1: nothing changed, so nothing to keep either way */
	if (txn_end(l, nested, rc == 0) == -1)
		rc = -1;
	return (rc);
}

static int
close_steps(struct ledger *l, const char *payment_hash, int state,
    int64_t when)
{
	sqlite3_stmt	*st;
	char		 job[LEDGER_JOBID_LEN];
	int		 rc;

	if ((st = ledger_stmt(l, ST_INV_CLOSE)) == NULL)
		return (-1);
	if (sqlite3_bind_int(st, 1, state) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, when) != SQLITE_OK ||
	    bind_str(st, 3, payment_hash) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "invoice close"));
	if ((rc = invoice_take(l, st, job, sizeof(job), "invoice close")) != 0)
		return (rc);
	if (state != LI_EXPIRED)
		return (0);
	if ((st = ledger_stmt(l, ST_JOB_EXPIRED)) == NULL)
		return (-1);
	if (sqlite3_bind_int(st, 1, LS_EXPIRED) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, when) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, time(NULL)) != SQLITE_OK ||
	    bind_str(st, 4, job) != SQLITE_OK ||
	    sqlite3_bind_int(st, 5, LS_PUBLISHED) != SQLITE_OK ||
	    sqlite3_bind_int(st, 6, LS_INVOICED) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "expire job"));
	return (ledger_run(l, st, "expire job"));
}

int
ledger_invoice_close(struct ledger *l, const char *payment_hash, int state,
    int64_t when)
{
	int	 nested, rc;

	if (payment_hash == NULL || when < 0 ||
	    (state != LI_EXPIRED && state != LI_CANCELLED)) {
		ledger_fail(l, "invoice close: argument out of range");
		return (-1);
	}
	if (txn_begin(l, &nested) == -1)
		return (-1);
	rc = close_steps(l, payment_hash, state, when);
	if (txn_end(l, nested, rc == 0) == -1)
		rc = -1;
	return (rc);
}

int
ledger_invoices_open(struct ledger *l, ledger_invoice_cb cb, void *arg)
{
	sqlite3_stmt		*st;
	struct ledger_invoice	*v;
	void			*p;
	size_t			 n, i;
	int			 ret;

	if ((st = ledger_stmt(l, ST_INV_OPEN)) == NULL)
		return (-1);
	ret = rows_collect(l, st, sizeof(*v), invoice_row, &p, &n,
	    "open invoices");
	v = p;
	for (i = 0; ret == 0 && i < n; i++)
		ret = cb(&v[i], arg);
	free(v);
	return (ret);
}

int
ledger_job_by_result(struct ledger *l, const char *result_id,
    struct ledger_job *j)
{
	return (row_lookup(l, ST_BY_RESULT, result_id, job_row, j));
}

int
ledger_payments_sum(struct ledger *l, int64_t from, int64_t to,
    int64_t *count, int64_t *msats)
{
	sqlite3_stmt	*st;
	int		 ret = 0;

	*count = *msats = 0;
	if ((st = ledger_stmt(l, ST_PAY_SUM)) == NULL)
		return (-1);
	if (sqlite3_bind_int64(st, 1, from) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, to) != SQLITE_OK)
		return (ledger_bind_failed(l, st, "payments sum"));
	if (sqlite3_step(st) != SQLITE_ROW || col_i64(st, 0, count) == -1 ||
	    col_i64(st, 1, msats) == -1) {
		ledger_fail(l, "payments sum: %s", sqlite3_errmsg(l->l_db));
		*count = *msats = 0;
		ret = -1;
	}
	ledger_done(st);
	return (ret);
}

const char *
ledger_status_name(int status)
{
	if (status < 0 || status >= LS_STATUS_MAX)
		return ("unknown");
	return (ledger_status_names[status]);
}

int
ledger_status_lookup(const char *name)
{
	int	 i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < LS_STATUS_MAX; i++)
		if (strcmp(name, ledger_status_names[i]) == 0)
			return (i);
	return (-1);
}
