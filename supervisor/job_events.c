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
 * The events a job publishes, as unsigned templates for walletd: kind
 * 7000 feedback and the 6xxx result.  Strict, after PROTOCOL.md §E.3:
 * ["e",id] and ["p",buyer] always, the NIP-90 ["request",...] and
 * ["amount",msats], the status with its extra text in the NIP-90 place
 * and in the Bazaar status_extra tag, and the Bazaar result and usage
 * tags that verifyd built.  Content comes in ready: already encrypted
 * for an encrypted job.
 */

#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jobs.h"
#include "nostr_event.h"
#include "sv_json.h"

/* Inputs longer than this stay in the request tag only. */
#define JOBEV_INPUT_COPY_MAX	4096

static int
jobev_common(struct nostr_event *ev, const struct job *j)
{
	if (event_add_tagv(ev, "e", j->j_lj.lj_request_id, NULL) == -1 ||
	    event_add_tagv(ev, "p", j->j_lj.lj_buyer, NULL) == -1)
		return (-1);
	if (j->j_lj.lj_encrypted != 0 &&
	    event_add_tagv(ev, "encrypted", NULL) == -1)
		return (-1);
	return (0);
}

/* The content, and the template as JSON for walletd. */
static int
jobev_finish(struct nostr_event *ev, const char *content, size_t clen,
    char **out, size_t *outlen)
{
	if (clen > 0 && event_set_content(ev, content, clen) == -1)
		return (-1);
	return (event_to_json(ev, EVENT_PARSE_TEMPLATE, out, outlen));
}

int
jobev_feedback(const struct job *j, const char *status, const char *extra,
    int progress, const char *content, size_t clen, char **out,
    size_t *outlen)
{
	struct nostr_event	 ev;
	char			 pct[16], msats[32];
	int			 rc = -1;

	nostr_event_init(&ev, 7000, (int64_t)time(NULL));
	if (jobev_common(&ev, j) == -1)
		goto done;
	/*
	 * An encrypted job's tags are public: its error says the code
	 * only, since the text may quote the request's own values.
	 */
	if (j->j_lj.lj_encrypted != 0 && strcmp(status, "error") == 0)
		extra = j->j_code;
	if (extra != NULL && extra[0] != '\0') {
		if (event_add_tagv(&ev, "status", status, extra, NULL) == -1 ||
		    event_add_tagv(&ev, "status_extra", extra, NULL) == -1)
			goto done;
	} else if (event_add_tagv(&ev, "status", status, NULL) == -1)
		goto done;
	if (progress >= 0) {
		(void)snprintf(pct, sizeof(pct), "%d", progress > 100 ? 100 :
		    progress);
		if (event_add_tagv(&ev, "progress", pct, NULL) == -1)
			goto done;
	}
	/* pay_first: what to pay, NIP-90's way */
	if (strcmp(status, "payment-required") == 0 && j->j_bolt11 != NULL) {
		(void)snprintf(msats, sizeof(msats), "%" PRId64,
		    j->j_lj.lj_price_sats * 1000);
		if (event_add_tagv(&ev, "amount", msats, j->j_bolt11,
		    NULL) == -1)
			goto done;
	}
	if (strcmp(status, "error") == 0 && j->j_code[0] != '\0' &&
	    event_add_tagv(&ev, "error", j->j_code, j->j_lj.lj_encrypted != 0 ?
	    NULL : j->j_msg, NULL) == -1)
		goto done;
	rc = jobev_finish(&ev, content, clen, out, outlen);
 done:
	nostr_event_free(&ev);
	return (rc);
}

/* verifyd's tags: an array of arrays of strings. */
static int
jobev_add_tags(struct nostr_event *ev, const char *tags, size_t len,
    int encrypted)
{
	yajl_val	 root, t;
	const char	*vals[16];
	size_t		 i, k;
	int		 rc = -1;

	if (len == 0)
		return (0);
	if ((root = js_parse(tags, len, NULL, 0)) == NULL)
		return (-1);
	if (!YAJL_IS_ARRAY(root))
		goto done;
	for (i = 0; i < root->u.array.len; i++) {
		t = root->u.array.values[i];
		if (!YAJL_IS_ARRAY(t) || t->u.array.len == 0 ||
		    t->u.array.len > 16)
			goto done;
		for (k = 0; k < t->u.array.len; k++) {
			if (!YAJL_IS_STRING(t->u.array.values[k]))
				goto done;
			vals[k] = YAJL_GET_STRING(t->u.array.values[k]);
		}
		/* the supervisor owns these; verifyd must not set them */
		if (strcmp(vals[0], "e") == 0 || strcmp(vals[0], "p") == 0 ||
		    strcmp(vals[0], "request") == 0 ||
		    strcmp(vals[0], "amount") == 0 ||
		    strcmp(vals[0], "status") == 0 ||
		    strcmp(vals[0], "encrypted") == 0)
			continue;
		/*
		 * For an encrypted job: the hashes, counts and exit codes
		 * stay (the buyer checks them), but not error text, which
		 * quotes the request's paths, refs and output.
		 */
		if (encrypted && strcmp(vals[0], "error") == 0 &&
		    t->u.array.len > 2) {
			if (event_add_tag(ev, vals, NULL, 2) == -1)
				goto done;
			continue;
		}
		if (event_add_tag(ev, vals, NULL, t->u.array.len) == -1)
			goto done;
	}
	rc = 0;
 done:
	yajl_tree_free(root);
	return (rc);
}

/* NIP-90: the original inputs, unless the job was encrypted. */
static int
jobev_inputs(struct nostr_event *ev, const struct job *j)
{
	struct nostr_event	 req;
	const struct event_tag	*t;
	const char		*vals[5];
	size_t			 pos = 0, k, lens[5];
	int			 rc = 0;

	if (j->j_lj.lj_encrypted != 0)
		return (0);
	if (event_parse(j->j_event, j->j_eventlen, NULL, &req, NULL, 0) == -1)
		return (-1);
	while ((t = event_tag_find(&req, "i", &pos)) != NULL) {
		if (t->t_nvals < 2 || t->t_nvals > 5 ||
		    t->t_vals[1].es_len > JOBEV_INPUT_COPY_MAX)
			continue;
		for (k = 0; k < t->t_nvals; k++) {
			vals[k] = t->t_vals[k].es_ptr;
			lens[k] = t->t_vals[k].es_len;
		}
		if ((rc = event_add_tag(ev, vals, lens, t->t_nvals)) == -1)
			break;
	}
	nostr_event_free(&req);
	return (rc);
}

int
jobev_result(const struct job *j, const char *status, const char *content,
    size_t clen, const char *tags, size_t tagslen, int64_t price_sats,
    const char *bolt11, int with_request, char **out, size_t *outlen)
{
	struct nostr_event	 ev;
	char			 msats[32], sats[32];
	int			 rc = -1;

	nostr_event_init(&ev, j->j_lj.lj_kind + 1000, (int64_t)time(NULL));
	if ((with_request &&
	    event_add_tagv(&ev, "request", j->j_event, NULL) == -1) ||
	    jobev_common(&ev, j) == -1 ||
	    event_add_tagv(&ev, "status", status, NULL) == -1 ||
	    jobev_add_tags(&ev, tags, tagslen, j->j_lj.lj_encrypted != 0) == -1 ||
	    (with_request && jobev_inputs(&ev, j) == -1))
		goto done;
	if (price_sats > 0) {
		(void)snprintf(msats, sizeof(msats), "%" PRId64,
		    price_sats * 1000);
		(void)snprintf(sats, sizeof(sats), "%" PRId64, price_sats);
		/* NIP-90: the invoice rides with its amount (§E.3) */
		if (event_add_tagv(&ev, "amount", msats, bolt11, NULL) == -1 ||
		    event_add_tagv(&ev, "result", "cost_sats", sats,
		    NULL) == -1)
			goto done;
	}
	rc = jobev_finish(&ev, content, clen, out, outlen);
 done:
	nostr_event_free(&ev);
	return (rc);
}
