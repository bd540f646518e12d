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
 * The job engine's templates (supervisor/job_events.c) and its JSON
 * wrapper: what a buyer sees on a feedback and a result event.
 */

#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <check.h>

#include "check_run.h"
#include "jobs.h"
#include "nostr_event.h"
#include "sv_json.h"

static const char req_event[] =
    "{\"id\":\"1111111111111111111111111111111111111111111111111111111111111111\","
    "\"pubkey\":\"2222222222222222222222222222222222222222222222222222222222222222\","
    "\"created_at\":1700000000,\"kind\":5932,"
    "\"tags\":[[\"i\",\"https://example.com/repo\",\"url\"],"
    "[\"i\",\"Fix the bug\",\"text\"],[\"param\",\"repo_ref\",\"main\"]],"
    "\"content\":\"\","
    "\"sig\":\"33333333333333333333333333333333333333333333333333333333"
    "333333333333333333333333333333333333333333333333333333333333333333333333\"}";

static void
job_setup(struct job *j, int encrypted)
{
	memset(j, 0, sizeof(*j));
	(void)strlcpy(j->j_lj.lj_id, "job_1111111111111111",
	    sizeof(j->j_lj.lj_id));
	memset(j->j_lj.lj_request_id, '1', 64);
	memset(j->j_lj.lj_buyer, '2', 64);
	j->j_lj.lj_kind = 5932;
	j->j_lj.lj_encrypted = encrypted;
	j->j_event = strdup(req_event);
	ck_assert_ptr_nonnull(j->j_event);
	j->j_eventlen = strlen(req_event);
}

static struct nostr_event *
parse_template(const char *json, size_t len)
{
	static struct nostr_event	 ev;
	char				 err[128];

	ck_assert_msg(event_template_parse(json, len, NULL, &ev, err,
	    sizeof(err)) == 0, "%s", err);
	return (&ev);
}

static const struct event_tag *
tag(const struct nostr_event *ev, const char *name, const char *v1)
{
	const struct event_tag	*t;
	size_t			 pos = 0;

	while ((t = event_tag_find(ev, name, &pos)) != NULL)
		if (v1 == NULL || (t->t_nvals > 1 &&
		    event_str_eq(&t->t_vals[1], v1)))
			return (t);
	return (NULL);
}

START_TEST(test_feedback)
{
	struct job		 j;
	struct nostr_event	*ev;
	const struct event_tag	*t;
	char			*json;
	size_t			 len;

	job_setup(&j, 0);
	ck_assert_int_eq(jobev_feedback(&j, "processing", "Accepted", 0, NULL,
	    0, &json, &len), 0);
	ev = parse_template(json, len);
	ck_assert_uint_eq(ev->ev_kind, 7000);
	ck_assert_ptr_nonnull(tag(ev, "e", j.j_lj.lj_request_id));
	ck_assert_ptr_nonnull(tag(ev, "p", j.j_lj.lj_buyer));
	ck_assert_ptr_nonnull(t = tag(ev, "status", "processing"));
	ck_assert_uint_eq(t->t_nvals, 3);
	ck_assert(event_str_eq(&t->t_vals[2], "Accepted"));
	ck_assert_ptr_nonnull(tag(ev, "status_extra", "Accepted"));
	ck_assert_ptr_nonnull(tag(ev, "progress", "0"));
	ck_assert_ptr_null(tag(ev, "encrypted", NULL));
	ck_assert_ptr_null(tag(ev, "error", NULL));
	nostr_event_free(ev);
	free(json);

	/* an error names its code in both places */
	(void)strlcpy(j.j_code, "E008", sizeof(j.j_code));
	(void)strlcpy(j.j_msg, "over budget", sizeof(j.j_msg));
	ck_assert_int_eq(jobev_feedback(&j, "error", "E008: over budget", -1,
	    NULL, 0, &json, &len), 0);
	ev = parse_template(json, len);
	ck_assert_ptr_nonnull(t = tag(ev, "error", "E008"));
	ck_assert(event_str_eq(&t->t_vals[2], "over budget"));
	ck_assert_ptr_null(tag(ev, "progress", NULL));
	nostr_event_free(ev);
	free(json);
	free(j.j_event);
}
END_TEST

START_TEST(test_result)
{
	struct job		 j;
	struct nostr_event	*ev;
	const struct event_tag	*t;
	const char		*tags = "[[\"result\",\"patch_sha256\",\"ab\"],"
				    "[\"e\",\"forged\"],[\"amount\",\"1\"],"
				    "[\"usage\",\"input_tokens\",\"12\"]]";
	char			*json;
	size_t			 len, pos = 0, n = 0;

	job_setup(&j, 0);
	ck_assert_int_eq(jobev_result(&j, "success", "diff", 4, tags,
	    strlen(tags), 4500, "lnbcrt45u1example", 1, &json, &len), 0);
	ev = parse_template(json, len);
	ck_assert_uint_eq(ev->ev_kind, 6932);
	ck_assert_uint_eq(ev->ev_contentlen, 4);
	ck_assert_ptr_nonnull(t = tag(ev, "request", NULL));
	ck_assert(event_str_eq(&t->t_vals[1], req_event));
	/* the supervisor's e, p and amount; verifyd's copies are dropped */
	while (event_tag_find(ev, "e", &pos) != NULL)
		n++;
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_nonnull(tag(ev, "e", j.j_lj.lj_request_id));
	ck_assert_ptr_nonnull(t = tag(ev, "amount", "4500000"));
	/* NIP-90's form: the invoice is the amount's third element */
	ck_assert_uint_eq(t->t_nvals, 3);
	ck_assert(event_str_eq(&t->t_vals[2], "lnbcrt45u1example"));
	ck_assert_ptr_null(tag(ev, "amount", "1"));
	ck_assert_ptr_nonnull(t = tag(ev, "result", "cost_sats"));
	ck_assert(event_str_eq(&t->t_vals[2], "4500"));
	ck_assert_ptr_nonnull(tag(ev, "result", "patch_sha256"));
	ck_assert_ptr_nonnull(tag(ev, "usage", "input_tokens"));
	ck_assert_ptr_nonnull(tag(ev, "status", "success"));
	/* NIP-90: the inputs are repeated */
	ck_assert_ptr_nonnull(tag(ev, "i", "https://example.com/repo"));
	nostr_event_free(ev);
	free(json);

	/* encrypted: no plaintext inputs, the encrypted tag, no price */
	j.j_lj.lj_encrypted = 44;
	ck_assert_int_eq(jobev_result(&j, "failed", NULL, 0, "[]", 2, 0, NULL, 1,
	    &json, &len), 0);
	ev = parse_template(json, len);
	ck_assert_ptr_null(tag(ev, "i", NULL));
	ck_assert_ptr_nonnull(tag(ev, "encrypted", NULL));
	ck_assert_ptr_null(tag(ev, "amount", NULL));
	ck_assert_ptr_nonnull(tag(ev, "status", "failed"));
	nostr_event_free(ev);
	free(json);

	/* verifyd's tags must be arrays of strings */
	ck_assert_int_eq(jobev_result(&j, "success", NULL, 0, "[[1]]", 5, 0, NULL, 1,
	    &json, &len), -1);
	ck_assert_int_eq(jobev_result(&j, "success", NULL, 0, "{}", 2, 0, NULL, 1,
	    &json, &len), -1);

	/* without the request tag, for size; an encrypted job's error, no text */
	ck_assert_int_eq(jobev_result(&j, "failed", NULL, 0,
	    "[[\"error\",\"E006\",\"lint.sh failed in /secret\"],"
	    "[\"result\",\"verification\",\"lint\",\"1\"],"
	    "[\"result\",\"patch_sha256\",\"ab\"]]", 114, 0, NULL, 0, &json,
	    &len), 0);
	ev = parse_template(json, len);
	ck_assert_ptr_null(tag(ev, "request", NULL));
	ck_assert_ptr_nonnull(t = tag(ev, "error", "E006"));
	ck_assert_uint_eq(t->t_nvals, 2);
	ck_assert_ptr_nonnull(tag(ev, "result", "verification"));
	ck_assert_ptr_nonnull(tag(ev, "result", "patch_sha256"));
	nostr_event_free(ev);
	free(json);
	free(j.j_event);
}
END_TEST

START_TEST(test_json)
{
	struct jb	 jb;
	yajl_val	 v;
	char		*out;
	size_t		 len;
	int64_t		 n;

	ck_assert_int_eq(jb_init(&jb), 0);
	jb_open(&jb);
	jb_kstr(&jb, "s", "a\"b");
	jb_kint(&jb, "n", -5);
	jb_key(&jb, "raw");
	jb_raw(&jb, "{\"x\":[1,2]}", 11);
	jb_key(&jb, "b");
	jb_bool(&jb, 1);
	jb_close(&jb);
	ck_assert_int_eq(jb_finish(&jb, &out, &len), 0);
	ck_assert_str_eq(out, "{\"s\":\"a\\\"b\",\"n\":-5,\"raw\":{\"x\":[1,2]},"
	    "\"b\":true}");
	ck_assert_ptr_nonnull(v = js_parse(out, len, NULL, 0));
	ck_assert_str_eq(js_str(v, "s"), "a\"b");
	ck_assert_int_eq(js_int(v, "n", &n), 0);
	ck_assert_int_eq(n, -5);
	ck_assert_int_eq(js_bool(v, "b", 0), 1);
	ck_assert_int_eq(js_bool(v, "missing", 7), 7);
	ck_assert_ptr_null(js_str(v, "n"));
	yajl_tree_free(v);
	free(out);

	/* invalid UTF-8 is refused, not passed on */
	ck_assert_int_eq(jb_init(&jb), 0);
	jb_str(&jb, "\xff\xfe");
	ck_assert_int_eq(jb_finish(&jb, &out, &len), -1);
	ck_assert_ptr_null(js_parse("{\"a\":", 5, NULL, 0));
	ck_assert_ptr_null(js_parse("{\"a\":\"\0\"}", 9, NULL, 0));
}
END_TEST

static Suite *
jobev_suite(void)
{
	Suite	*s = suite_create("jobev");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_feedback);
	tcase_add_test(tc, test_result);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(jobev_suite()));
}
