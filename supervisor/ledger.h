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
 * The ledger: one SQLite database (WAL) holding every job request we
 * have seen, once, by event id, and what became of it.  The schema is
 * versioned (PRAGMA user_version) and migrated forward at open.  The
 * supervisor writes; `openagents provider jobs|earnings` read it
 * read-only, with the daemon running or not.
 *
 * Durability: a recorded request (ledger_job_insert) may be lost to a
 * power cut, since the relays send it again; every later transition
 * (ledger_job_update, ledger_job_set_result) is on disk when the call
 * returns, because losing one could mean a second invoice or a second,
 * different result.  Inside ledger_begin/ledger_commit nothing is
 * synced until the batch's end, and then only as far as a power cut
 * allows (bulk loads, not transitions).
 *
 * Errors on an open handle are logged (log_warnx) and kept for
 * ledger_error(); ledger_open's go to its err only.
 */

#ifndef OA_LEDGER_H
#define OA_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#define LEDGER_JOBID_LEN	40	/* "job_" + 16 hex + NUL, padded */
#define LEDGER_SCHEMA_VERSION	2	/* what this code reads and writes */

enum ledger_status {
	LS_RECEIVED = 0,	/* recorded, not yet judged */
	LS_REJECTED,		/* refused with an E-code, or ignored */
	LS_INVOICED,		/* pay_first: waiting for payment */
	LS_RUNNING,		/* the agent or the command runs */
	LS_VERIFYING,		/* patch checks and test runs */
	LS_PUBLISHED,		/* result out, waiting for payment */
	LS_PAID,
	LS_EXPIRED,		/* the invoice lapsed unpaid */
	LS_DISPUTED,
	LS_FAILED,		/* finished with an error result */
	LS_CANCELLED,		/* the buyer withdrew it (kind 5) */
	LS_STATUS_MAX
};

/* What is durably done: a restart resumes after the last step. */
enum ledger_step {
	LSTEP_NONE = 0,
	LSTEP_ACCEPTED,		/* 7000 processing sent */
	LSTEP_AGENT_DONE,	/* the agent's artifact is in the job folder */
	LSTEP_PATCH_CHECKED,	/* verifyd passed the patch */
	LSTEP_TESTED,		/* tests ran in a fresh sandbox */
	LSTEP_RESULT_SIGNED,	/* the result event is stored, signed */
	LSTEP_RESULT_PUBLISHED	/* at least one relay took it */
};

struct ledger_job {
	char		 lj_id[LEDGER_JOBID_LEN];
	char		 lj_request_id[65];	/* hex event id */
	char		 lj_buyer[65];		/* hex pubkey */
	uint32_t	 lj_kind;
	int		 lj_type;		/* enum job_type, -1 unknown */
	int		 lj_status;		/* enum ledger_status */
	int		 lj_step;		/* enum ledger_step */
	int		 lj_encrypted;		/* 0, 4 (NIP-04) or 44 */
	int64_t		 lj_price_sats;
	int64_t		 lj_earned_sats;	/* set when paid */
	char		 lj_error_code[8];	/* "E006" or "" */
	char		 lj_error_msg[256];
	char		 lj_result_id[65];	/* hex, of the published result */
	char		 lj_trajectory_id[80];
	int64_t		 lj_created_at;		/* the request's created_at */
	int64_t		 lj_received_at;	/* unix seconds */
	int64_t		 lj_started_at;		/* 0 when not */
	int64_t		 lj_finished_at;
	int64_t		 lj_updated_at;
};

struct ledger;

/*
 * 0 or -1 with the reason in err.  Read-write creates the file (0600)
 * and migrates it; read-only never creates it ("no ledger yet at
 * PATH") and refuses a schema other than LEDGER_SCHEMA_VERSION.  Both
 * refuse a schema newer than the code.
 */
int	 ledger_open(const char *path, int readonly, struct ledger **,
	    char *err, size_t errlen);
void	 ledger_close(struct ledger *);
int	 ledger_schema_version(struct ledger *);
/* The last error of this handle, "" when none. */
const char	*ledger_error(struct ledger *);

/* One transaction around many calls (bulk loads); 0 or -1. */
int	 ledger_begin(struct ledger *);
int	 ledger_commit(struct ledger *);
int	 ledger_rollback(struct ledger *);

/*
 * Record a request, once.  Returns 0 when inserted, 1 when the request
 * id (or the job id) is already there, -1 on error.  The request's
 * JSON is kept for recovery.
 */
int	 ledger_job_insert(struct ledger *, const struct ledger_job *,
	    const char *request_json, size_t len);
/* 0 found, 1 not found, -1 error */
int	 ledger_job_get(struct ledger *, const char *job_id,
	    struct ledger_job *);
int	 ledger_job_by_request(struct ledger *, const char *request_id,
	    struct ledger_job *);
/*
 * Write back status, step, prices, error, ids and times; sets updated
 * to now.  0 done, 1 no such job, -1 error (also for a status or step
 * out of range).
 */
int	 ledger_job_update(struct ledger *, const struct ledger_job *);
/*
 * The same, synced only when durable is set.  Without it the update
 * survives a crash of the process (WAL) but not always a power cut:
 * for steps that a replay after a restart only repeats.
 */
int	 ledger_job_update_sync(struct ledger *, const struct ledger_job *,
	    int durable);
/*
 * The stored request JSON; *json malloc'd, NUL-terminated.  Like
 * ledger_job_set_result and ledger_job_result: 0, 1 when there is no
 * such job (or no result yet), -1 error.
 */
int	 ledger_job_request(struct ledger *, const char *job_id, char **json,
	    size_t *len);
/* The signed result event, stored before publishing, republished as is. */
int	 ledger_job_set_result(struct ledger *, const char *job_id,
	    const char *event_json, size_t len);
int	 ledger_job_result(struct ledger *, const char *job_id, char **json,
	    size_t *len);

/*
 * Jobs a restart must look at: status RECEIVED, INVOICED, RUNNING or
 * VERIFYING, oldest first.  The callback returns 0 to go on.  The
 * jobs are read before the first call, so the callback may update
 * them.  Returns 0, the callback's nonzero value, or -1 on error.
 */
typedef int (*ledger_job_cb)(const struct ledger_job *, void *);
int	 ledger_jobs_unfinished(struct ledger *, ledger_job_cb, void *);

/* Per-buyer rate limit: requests from buyer received since t; -1 error. */
int64_t	 ledger_buyer_count_since(struct ledger *, const char *buyer,
	    int64_t since);
/* Jobs now RUNNING or VERIFYING (capacity after a restart). */
int64_t	 ledger_jobs_active(struct ledger *);

/*
 * For reports: the newest jobs, filtered by status (enum ledger_status)
 * and type (enum job_type), -1 for any, at most limit of them (<= 0:
 * all), newest first.  The callback must not write the ledger.  Returns
 * like ledger_jobs_unfinished.
 */
int	 ledger_jobs_list(struct ledger *, int status, int type, int limit,
	    ledger_job_cb, void *);

/*
 * For reports: the jobs received in [from, to) of one type (-1 for
 * unknown), by status, and what they earned.
 */
struct ledger_sum {
	int		 ls_type;
	int64_t		 ls_jobs;
	int64_t		 ls_count[LS_STATUS_MAX];
	int64_t		 ls_earned_sats;
};
typedef int (*ledger_sum_cb)(const struct ledger_sum *, void *);
/* One call per type that has jobs, by type; returns like the lists. */
int	 ledger_earnings(struct ledger *, int64_t from, int64_t to,
	    ledger_sum_cb, void *);

/*
 * Invoices (schema 2).  One job has at most one open invoice; it is
 * written, synced, before the event carrying it is signed, so that a
 * restart publishes the same invoice and never makes a second one.
 */
#define LEDGER_BOLT11_MAX	4096

enum ledger_invoice_state {
	LI_OPEN = 0,		/* published or about to be, unpaid */
	LI_PAID,
	LI_EXPIRED,
	LI_CANCELLED,		/* the job ended before it was sent */
	LI_STATE_MAX
};

struct ledger_invoice {
	char		 li_job[LEDGER_JOBID_LEN];
	char		 li_payment_hash[65];	/* hex, unique */
	char		 li_bolt11[LEDGER_BOLT11_MAX];
	int64_t		 li_amount_msats;
	int		 li_pay_first;		/* 1: work waits for it */
	int		 li_state;		/* enum ledger_invoice_state */
	int64_t		 li_created_at;		/* unix seconds */
	int64_t		 li_expires_at;
	int64_t		 li_settled_at;		/* 0 unless paid */
	char		 li_preimage[65];	/* hex, "" unless known */
};

/*
 * Record a new invoice, synced.  0 done, 1 when the job already has an
 * open invoice or the payment hash is known, -1 error.
 */
int	 ledger_invoice_add(struct ledger *, const struct ledger_invoice *);
/* The job's newest invoice: 0 found, 1 none, -1 error. */
int	 ledger_invoice_get(struct ledger *, const char *job_id,
	    struct ledger_invoice *);
int	 ledger_invoice_by_hash(struct ledger *, const char *payment_hash,
	    struct ledger_invoice *);
/*
 * The wallet says it is paid: in one synced transaction the invoice
 * becomes LI_PAID, a payment row is written (amount, preimage, when,
 * and how we learned it: "notification" or "lookup"), the job's
 * earned_sats becomes amount / 1000 and a PUBLISHED job becomes PAID
 * (a pay_first job keeps its status: the caller starts it).  Returns 0,
 * 1 when the invoice is not open (unknown, paid already: nothing is
 * counted twice), -1 error.
 */
int	 ledger_invoice_settle(struct ledger *, const char *payment_hash,
	    int64_t amount_msats, const char *preimage, int64_t settled_at,
	    const char *source);
/*
 * An open invoice lapsed (or, with LI_CANCELLED, was never sent): it
 * takes the state, and a PUBLISHED or INVOICED job becomes EXPIRED
 * (LI_EXPIRED only).  0, 1 when not open, -1.
 */
int	 ledger_invoice_close(struct ledger *, const char *payment_hash,
	    int state, int64_t when);
/* Every open invoice, oldest first, read before the first call. */
typedef int (*ledger_invoice_cb)(const struct ledger_invoice *, void *);
int	 ledger_invoices_open(struct ledger *, ledger_invoice_cb, void *);
/* The job whose published result has this event id (disputes). */
int	 ledger_job_by_result(struct ledger *, const char *result_id,
	    struct ledger_job *);
/* Payments received in [from, to): count and msats (reports). */
int	 ledger_payments_sum(struct ledger *, int64_t from, int64_t to,
	    int64_t *count, int64_t *msats);

const char	*ledger_status_name(int);
int		 ledger_status_lookup(const char *);

#endif /* OA_LEDGER_H */
