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
 * The job engine (jobs.h): the live jobs, the queue and the worker
 * slots, cancellations, the helpers coming and going, and the way back
 * in after a restart.  Every transition is written to the ledger
 * before the action that follows it; a job's folder holds what the
 * phases produced, written whole before the step that names it.
 */

#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <event2/event.h>

#include "config.h"
#include "hex.h"
#include "jobs.h"
#include "log.h"
#include "msg.h"
#include "nostr_event.h"
#include "supervisor.h"
#include "sv_announce.h"
#include "sv_pay.h"
#include "sv_json.h"
#include "util.h"
#include "verify.h"
#include "work.h"

int64_t
now_us(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

void
job_save(struct job *j)
{
	struct supervisor	*s = j->j_sv;

	/*
	 * Not synced: a crash of the process loses nothing (WAL), and
	 * what a power cut may take back is only repeated by a restart,
	 * since every phase's report is on disk and the one thing that
	 * must never be made twice, the signed result, is stored synced
	 * (ledger_job_set_result).  A synced write here would hold the
	 * event loop, and every other job's feedback, for an fsync.
	 */
	j->j_lj.lj_updated_at = (int64_t)time(NULL);
	if (ledger_job_update_sync(s->sv_ledger, &j->j_lj, 0) == -1)
		log_warnx("job %s: the ledger refused an update",
		    j->j_lj.lj_id);
}

struct job *
job_new(struct supervisor *s)
{
	struct job	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return (NULL);
	j->j_sv = s;
	j->j_lj.lj_type = -1;
	return (j);
}

void
job_free(struct job *j)
{
	if (j->j_parsed)
		job_request_free(&j->j_req);
	free(j->j_event);
	freezero(j->j_tags, j->j_tagslen);
	free(j->j_agent);
	free(j->j_patch);
	free(j->j_test);
	free(j->j_review);
	free(j->j_run);
	free(j->j_content);
	free(j->j_result);
	free(j->j_rtags);
	free(j->j_bolt11);
	free(j);
}

struct job *
jobs_find(struct supervisor *s, const char *id)
{
	struct job	*j;

	TAILQ_FOREACH(j, &s->sv_jobs, j_entry)
		if (strcmp(j->j_lj.lj_id, id) == 0)
			return (j);
	return (NULL);
}

struct job *
jobs_find_request(struct supervisor *s, const char *reqid)
{
	struct job	*j;

	TAILQ_FOREACH(j, &s->sv_jobs, j_entry)
		if (strcmp(j->j_lj.lj_request_id, reqid) == 0)
			return (j);
	return (NULL);
}

uint32_t
jobs_active_count(struct supervisor *s)
{
	struct job	*j;
	uint32_t	 n = 0;

	TAILQ_FOREACH(j, &s->sv_jobs, j_entry)
		if (j->j_active)
			n++;
	return (n);
}

/* pay_first jobs waiting for their invoice or its payment */
uint32_t
jobs_unpaid_count(struct supervisor *s)
{
	struct job	*j;
	uint32_t	 n = 0;

	TAILQ_FOREACH(j, &s->sv_jobs, j_entry)
		if (j->j_wait == JW_INVOICE || j->j_wait == JW_PAYMENT)
			n++;
	return (n);
}

uint32_t
jobs_queued_count(struct supervisor *s)
{
	struct job	*j;
	uint32_t	 n = 0;

	TAILQ_FOREACH(j, &s->sv_jobq, j_qentry)
		n++;
	return (n);
}

/* Start queued jobs while there are free slots. */
void
jobs_pump(struct supervisor *s)
{
	struct job	*j;

	while ((j = TAILQ_FIRST(&s->sv_jobq)) != NULL &&
	    jobs_active_count(s) < jobs_capacity(s)) {
		TAILQ_REMOVE(&s->sv_jobq, j, j_qentry);
		j->j_active = 1;
		/*
		 * Not saved here: the ledger says RUNNING since the job
		 * was taken, and a synced write would delay the feedback
		 * that walletd is signing meanwhile; the next step saves.
		 */
		if (j->j_lj.lj_started_at == 0)
			j->j_lj.lj_started_at = (int64_t)time(NULL);
		j->j_lj.lj_status = LS_RUNNING;
		if (sv_job_file_write(s, j->j_lj.lj_id, "request.json",
		    j->j_event, j->j_eventlen, 0) == -1)
			log_warn("job %s: request.json", j->j_lj.lj_id);
		job_continue(j);
	}
}

static void
jobs_pump_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	jobs_pump(arg);
}

/*
 * Start queued jobs a moment from now: the request that was just
 * taken has its feedback with walletd, and that answer goes out before
 * a new job's folder and work order are written.
 */
void
jobs_pump_soon(struct supervisor *s)
{
	struct timeval	 tv = { 0, JOBS_PUMP_DELAY_US };

	if (s->sv_pump_ev == NULL &&
	    (s->sv_pump_ev = evtimer_new(s->sv_base, jobs_pump_cb, s)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	if (!evtimer_pending(s->sv_pump_ev, NULL) &&
	    evtimer_add(s->sv_pump_ev, &tv) == -1)
		fatal("%s: evtimer_add", __func__);
}

/*
 * The kind-5 subscription follows the live jobs: deletions that name
 * one of their requests.
 */
size_t
jobs_cancel_filter(struct supervisor *s, char *buf, size_t len)
{
	struct job	*j;
	size_t		 n = 0, off;

	off = strlcpy(buf, "{\"kinds\":[5],\"#e\":[", len);
	TAILQ_FOREACH(j, &s->sv_jobs, j_entry) {
		if (j->j_wait == JW_DONE || j->j_lj.lj_status == LS_REJECTED)
			continue;
		if (off + 70 + 4 >= len)
			break;
		off += (size_t)snprintf(buf + off, len - off, "%s\"%s\"",
		    n > 0 ? "," : "", j->j_lj.lj_request_id);
		n++;
	}
	(void)strlcpy(buf + off, "]}\n", len - off);
	return (n);
}

/* ---- cancellation (NIP-09 kind 5 from the buyer) ---- */

void
jobs_cancel_event(struct supervisor *s, const struct nostr_event *ev)
{
	const struct event_tag	*t;
	struct job		*j;
	char			 buyer[65], id[65];
	size_t			 pos = 0;

	if (ev->ev_kind != 5)
		return;
	hex_encode(ev->ev_pubkey, sizeof(ev->ev_pubkey), buyer);
	while ((t = event_tag_find(ev, "e", &pos)) != NULL) {
		if (t->t_nvals < 2 || t->t_vals[1].es_len != 64)
			continue;
		memcpy(id, t->t_vals[1].es_ptr, 64);
		id[64] = '\0';
		if ((j = jobs_find_request(s, id)) == NULL ||
		    j->j_cancelled || j->j_wait == JW_DONE)
			continue;
		/* only the author of a request may withdraw it */
		if (strcmp(j->j_lj.lj_buyer, buyer) != 0) {
			log_warnx("job %s: deletion by %.16s, not the buyer: "
			    "ignored", j->j_lj.lj_id, buyer);
			continue;
		}
		log_info("job %s: cancelled by the buyer", j->j_lj.lj_id);
		j->j_cancelled = 1;
		j->j_lj.lj_status = LS_CANCELLED;
		if (j->j_wait != JW_DECRYPT)	/* not in the ledger yet */
			job_save(j);
		switch (j->j_wait) {
		case JW_WORK:
			if (j->j_sent) {
				/* workerd still answers once; then it ends */
				sv_work_cancel(s, j);
				break;
			}
			/* FALLTHROUGH */
		case JW_QUEUED:
		case JW_VERIFY:
		case JW_PAYMENT:
			j->j_wait = JW_DONE;
			job_finish(j);
			break;
		case JW_INVOICE:
		case JW_SIGN:
		case JW_PUBLISH:
		case JW_DECRYPT:
		case JW_NONE:
		case JW_DONE:
			/* the callbacks see j_cancelled */
			break;
		}
	}
}

/* ---- helpers coming and going ---- */

void
jobs_helper_died(struct supervisor *s, int id)
{
	struct job	*j;

	TAILQ_FOREACH(j, &s->sv_jobs, j_entry) {
		if (id == PROC_WORKERD && j->j_wait == JW_WORK && j->j_sent) {
			log_warnx("job %s: workerd died during the %s phase; "
			    "it runs again", j->j_lj.lj_id, j->j_phase ==
			    WORK_PHASE_TEST ? "test" : "work");
			j->j_sent = 0;
		}
		if (id == PROC_VERIFYD && j->j_wait == JW_VERIFY)
			j->j_sent = 0;
		if (id == PROC_RELAYD && j->j_wait == JW_PUBLISH)
			j->j_reqid = 0;
	}
}

/*
 * Whether a job waits for the helper that just came (back), and the
 * step it takes then.  -1 stands for every helper: the suite came
 * online.
 */
static int
job_waits_for(const struct job *j, int id)
{
	if (j->j_wait == JW_WORK && !j->j_sent)
		return (id == PROC_WORKERD || id == -1);
	if (j->j_wait == JW_VERIFY && !j->j_sent)
		return (id == PROC_VERIFYD || id == -1);
	if (j->j_wait == JW_PUBLISH && j->j_reqid == 0)
		return (id == PROC_RELAYD || id == -1);
	return (0);
}

/*
 * A step may end other jobs (the pump starts and finishes them), so
 * the walk starts over after each, skipping those already seen.
 */
static void
jobs_kick(struct supervisor *s, int id)
{
	struct job	*j;
	unsigned int	 gen = ++s->sv_jobs_gen;

 again:
	TAILQ_FOREACH(j, &s->sv_jobs, j_entry) {
		if (j->j_gen == gen)
			continue;
		j->j_gen = gen;
		if (!job_waits_for(j, id))
			continue;
		if (j->j_wait == JW_PUBLISH)
			job_publish_result(j);
		else
			job_continue(j);
		goto again;
	}
}

void
jobs_helper_ready(struct supervisor *s, int id)
{
	if (!supervisor_online(s))
		return;
	jobs_kick(s, id);
	jobs_pump(s);
}

/* Results that no relay took yet are offered again now and then. */
static void
jobs_tick(int fd, short ev, void *arg)
{
	struct supervisor	*s = arg;
	struct timeval		 tv = { JOBS_REPUBLISH_SECS, 0 };

	(void)fd;
	(void)ev;
	if (supervisor_online(s)) {
		jobs_kick(s, PROC_RELAYD);
		/* the schedule and the tier may have moved */
		sv_announce_update(s);
	}
	if (evtimer_add(s->sv_jobs_tick, &tv) == -1)
		fatal("%s: evtimer_add", __func__);
}

/* ---- start and stop ---- */

/*
 * A job the last life left unfinished.  Its request is parsed again
 * (an encrypted one was stored with its decrypted tags beside it);
 * what comes next is read from its step.
 */
static int
jobs_restore(const struct ledger_job *lj, void *arg)
{
	struct supervisor	*s = arg;
	struct job		*j;
	struct job_limits	 lim;
	struct nostr_event	 ev;
	char			 err[256];
	int			 code;

	if ((j = job_new(s)) == NULL)
		fatal("%s", __func__);
	j->j_lj = *lj;
	if (ledger_job_request(s->sv_ledger, lj->lj_id, &j->j_event,
	    &j->j_eventlen) != 0) {
		log_warnx("job %s: its request is not in the ledger",
		    lj->lj_id);
		goto fail;
	}
	if (lj->lj_encrypted != 0)
		j->j_tags = sv_job_file_read(s, lj->lj_id, "request-tags.json",
		    JOBS_ARTIFACT_MAX, &j->j_tagslen);
	job_limits_default(&lim);
	if (event_parse(j->j_event, j->j_eventlen, NULL, &ev, err,
	    sizeof(err)) == -1)
		goto fail;
	code = job_request_parse(&ev, j->j_tags, j->j_tagslen, s->sv_pubkey,
	    &lim, &j->j_req, &code, err, sizeof(err));
	nostr_event_free(&ev);
	j->j_parsed = 1;
	if (code == -1)
		goto fail;
	TAILQ_INSERT_TAIL(&s->sv_jobs, j, j_entry);
	if (lj->lj_status == LS_INVOICED) {
		/* pay_first: its invoice is in the ledger, or asked again */
		j->j_wait = JW_INVOICE;
		job_invoice(j);
	} else if (lj->lj_step >= LSTEP_RESULT_SIGNED) {
		/* nothing runs: the stored result is published again */
		if (ledger_job_result(s->sv_ledger, lj->lj_id, &j->j_result,
		    &j->j_resultlen) != 0) {
			TAILQ_REMOVE(&s->sv_jobs, j, j_entry);
			goto fail;
		}
		j->j_failed = lj->lj_error_code[0] != '\0';
		j->j_wait = JW_PUBLISH;		/* holds no worker slot */
	} else {
		j->j_wait = JW_QUEUED;
		TAILQ_INSERT_TAIL(&s->sv_jobq, j, j_qentry);
	}
	log_info("job %s: resumed after a restart (step %d)", lj->lj_id,
	    lj->lj_step);
	return (0);
 fail:
	log_warnx("job %s: cannot be resumed; marked failed", lj->lj_id);
	job_set_error(j, JE_INTERNAL, "the job could not be resumed after a "
	    "restart");
	j->j_lj.lj_status = LS_FAILED;
	j->j_lj.lj_finished_at = (int64_t)time(NULL);
	job_save(j);
	/* the buyer saw "processing": say it ended (relayd may not be up) */
	job_error_feedback(j);
	job_free(j);
	return (0);
}

int
jobs_init(struct supervisor *s, char *err, size_t errlen)
{
	TAILQ_INIT(&s->sv_jobs);
	TAILQ_INIT(&s->sv_jobq);
	if (ledger_open(s->sv_paths.p_ledger, 0, &s->sv_ledger, err,
	    errlen) == -1)
		return (-1);
	return (0);
}

/* Once the identity is known: the jobs of the last life come back. */
void
jobs_resume(struct supervisor *s)
{
	struct timeval	 tv = { JOBS_REPUBLISH_SECS, 0 };

	if (s->sv_jobs_resumed)
		return;
	s->sv_jobs_resumed = 1;
	if (ledger_jobs_unfinished(s->sv_ledger, jobs_restore, s) == -1)
		log_warnx("the ledger could not list unfinished jobs");
	if ((s->sv_jobs_tick = evtimer_new(s->sv_base, jobs_tick, s)) == NULL ||
	    evtimer_add(s->sv_jobs_tick, &tv) == -1)
		fatalx("%s: evtimer", __func__);
	sv_relay_cancel_sync(s);
}

void
jobs_shutdown(struct supervisor *s)
{
	struct job	*j;

	if (s->sv_jobs_tick != NULL)
		event_free(s->sv_jobs_tick);
	s->sv_jobs_tick = NULL;
	if (s->sv_pump_ev != NULL)
		event_free(s->sv_pump_ev);
	s->sv_pump_ev = NULL;
	while ((j = TAILQ_FIRST(&s->sv_jobs)) != NULL) {
		if (j->j_wait == JW_QUEUED && !j->j_active)
			TAILQ_REMOVE(&s->sv_jobq, j, j_qentry);
		TAILQ_REMOVE(&s->sv_jobs, j, j_entry);
		job_free(j);
	}
	if (s->sv_ledger != NULL)
		ledger_close(s->sv_ledger);
	s->sv_ledger = NULL;
}

