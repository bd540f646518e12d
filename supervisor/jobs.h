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
 * The job engine: the state machine of PROTOCOL.md §E.1 in the
 * supervisor, over the ledger.  A request is recorded once by event id,
 * judged (type, schedule, capacity, price, rate), then walked through
 * its phases: workerd runs the agent or the command, verifyd judges
 * the artifact, workerd tests a patch in a fresh sandbox, verifyd builds
 * the verdict and the result tags, walletd signs, relayd publishes.
 * Every finished step is written down before the next one starts, so
 * that a restart neither reruns it nor publishes twice.
 */

#ifndef OA_JOBS_H
#define OA_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include <bsd/sys/queue.h>

#include <yajl/yajl_tree.h>

#include "job_request.h"
#include "ledger.h"

struct supervisor;
struct nostr_event;
struct imsg;

/* Where a job is waiting, in memory; the ledger's step says what is done. */
enum job_wait {
	JW_NONE = 0,
	JW_DECRYPT,		/* walletd opens an encrypted request */
	JW_QUEUED,		/* accepted, waiting for a worker slot */
	JW_WORK,		/* an order is with workerd */
	JW_VERIFY,		/* a request is with verifyd */
	JW_SIGN,		/* walletd signs (or encrypts) */
	JW_PUBLISH,		/* relayd publishes the result */
	JW_INVOICE,		/* the wallet makes (or walletd checks) one */
	JW_PAYMENT,		/* pay_first: the buyer has the invoice */
	JW_DONE
};

struct job {
	TAILQ_ENTRY(job)	 j_entry;	/* all live jobs */
	TAILQ_ENTRY(job)	 j_qentry;	/* the queue, when queued */
	struct supervisor	*j_sv;
	struct ledger_job	 j_lj;
	struct job_request	 j_req;
	int			 j_parsed;
	char			*j_event;	/* the request, as received */
	size_t			 j_eventlen;
	char			*j_tags;	/* decrypted tags JSON */
	size_t			 j_tagslen;
	int			 j_wait;	/* enum job_wait */
	int			 j_phase;	/* enum work_phase with workerd */
	int			 j_active;	/* holds a worker slot */
	int			 j_cancelled;
	int			 j_for_us;	/* a p tag names us */
	uint64_t		 j_reqid;	/* verifyd / relayd correlation */
	int			 j_verify_what;
	int64_t			 j_t0_us;	/* request frame in, for P2 */
	int64_t			 j_progress_us;	/* last progress feedback */
	/* what the phases reported, JSON, kept for the verdict */
	char			*j_agent;
	char			*j_patch;	/* VERIFY_PATCH verdict */
	char			*j_test;
	char			*j_review;	/* VERIFY_REVIEW verdict */
	char			*j_run;
	/* the result being published */
	char			*j_content;	/* plaintext content */
	size_t			 j_contentlen;
	char			*j_result;	/* signed result event JSON */
	size_t			 j_resultlen;
	char			*j_rtags;	/* its tags, JSON */
	size_t			 j_rtagslen;
	char			 j_rstatus[20];
	int			 j_sealed;	/* j_content is ciphertext */
	int			 j_sent;	/* the helper has the request */
	int			 j_pub_tries;	/* publish rounds refused */
	unsigned int		 j_gen;		/* walks that restart */
	int			 j_failed;	/* the result is an error one */
	/* payments (sv_pay.c) */
	char			*j_bolt11;	/* the job's invoice, recorded */
	int64_t			 j_inv_since;	/* asking since, unix seconds */
	int			 j_inv_warned;
	int			 j_inv_tries;	/* asks that failed, for backoff */
	unsigned int		 j_inv_gen;	/* which ask an answer is to */
	int			 j_payreq_sent;	/* 7000 payment-required */
	char			 j_code[8];
	char			 j_msg[256];
};
TAILQ_HEAD(jobq, job);

#define JOBS_QUEUE_MAX		128	/* accepted, waiting for a slot */
#define JOBS_PRICE_MAX		INT64_C(2100000000000000) /* sats, 21e6 BTC */
#define JOBS_RATE_WINDOW	60	/* seconds */
#define JOBS_RATE_MAX		30	/* requests per buyer per window */
#define JOBS_REPUBLISH_SECS	30
#define JOBS_PUMP_DELAY_US	2000	/* see jobs_pump_soon */
#define JOBS_PUBLISH_TRIES	20	/* rounds of every relay saying no */
#define JOBS_PROGRESS_US	1000000	/* between a job's progress 7000s */
/* an artifact read for verifyd must fit, escaped, in its request */
#define JOBS_ARTIFACT_MAX	(512 * 1024)
#define JOBS_DECRYPT_MAX	32	/* requests being decrypted at once */
#define JOBS_DECRYPT_BUYER	4	/* of them from one buyer */
/* what signing adds to a template: id, pubkey, sig and their keys */
#define JOBEV_SIGNED_OVERHEAD	320

/* walletd's answers find their job again by id: it may be gone */
struct job_sig {
	struct supervisor	*js_sv;
	char			 js_id[LEDGER_JOBID_LEN];
	int			 js_result;	/* 1: the result, 0: feedback */
	int64_t			 js_t0;
};

/* jobs.c */
int	 jobs_init(struct supervisor *, char *, size_t);
void	 jobs_resume(struct supervisor *);
void	 jobs_shutdown(struct supervisor *);
void	 jobs_event(struct supervisor *, const struct nostr_event *,
	    const char *, size_t, int64_t);
void	 jobs_cancel_event(struct supervisor *, const struct nostr_event *);
void	 jobs_helper_ready(struct supervisor *, int);
void	 jobs_helper_died(struct supervisor *, int);
void	 jobs_work_done(struct supervisor *, const char *, int, const char *,
	    size_t);
void	 jobs_work_progress(struct supervisor *, const char *, const char *,
	    size_t);
void	 jobs_verified(struct supervisor *, uint64_t, int, const char *,
	    size_t);
void	 jobs_published(struct supervisor *, uint64_t, uint32_t, uint32_t,
	    const char *);
struct job *jobs_find(struct supervisor *, const char *);
uint32_t jobs_active_count(struct supervisor *);
uint32_t jobs_queued_count(struct supervisor *);
uint32_t jobs_unpaid_count(struct supervisor *);
size_t	 jobs_cancel_filter(struct supervisor *, char *, size_t);

int64_t	 now_us(void);
void	 job_save(struct job *);
struct job *job_new(struct supervisor *);
void	 job_free(struct job *);
struct job *jobs_find_request(struct supervisor *, const char *);
void	 jobs_pump(struct supervisor *);
void	 jobs_pump_soon(struct supervisor *);

/* job_intake.c */
void	 job_judge(struct job *);
void	 job_reject(struct job *, int, const char *);
int64_t	 jobs_price(struct supervisor *, int, int64_t, int64_t);

/* job_phases.c */
void	 job_continue(struct job *);
char	*job_tags_text(yajl_val);

/* job_publish.c */
void	 job_feedback(struct job *, const char *, const char *, int);
void	 job_publish_result(struct job *);
void	 job_sign_result(struct job *);
void	 job_finish(struct job *);
void	 job_result(struct job *, const char *, char *, size_t, const char *,
	    size_t);
void	 job_set_error(struct job *, int, const char *);
void	 job_error_feedback(struct job *);
void	 job_fail(struct job *, int, const char *, ...)
	    __attribute__((__format__ (printf, 3, 4)));

/* job_events.c: the feedback and result templates */
int	 jobev_feedback(const struct job *, const char *, const char *,
	    int, const char *, size_t, char **, size_t *);
int	 jobev_result(const struct job *, const char *, const char *,
	    size_t, const char *, size_t, int64_t, const char *, int, char **,
	    size_t *);

/* sv_work.c */
int	 sv_work_order(struct supervisor *, struct job *, int);
void	 sv_work_cancel(struct supervisor *, struct job *);
int	 sv_job_file_write(struct supervisor *, const char *, const char *,
	    const char *, size_t, int);
char	*sv_job_file_read(struct supervisor *, const char *, const char *,
	    size_t, size_t *);
int	 sv_work_dispatch(struct supervisor *, struct imsg *);
/* sv_verify.c */
int	 sv_verify_request(struct supervisor *, struct job *, int,
	    const char *, size_t);
int	 sv_verify_dispatch(struct supervisor *, struct imsg *);

#endif /* OA_JOBS_H */
