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
 * VERIFY_RESULT: a whole job's verdict from what the phases reported,
 * and the result tags of PROTOCOL.md §A.4, §A.5 and §A.7 that say it.
 * The phase reports come from our own workerd and verifyd, so a report
 * of the wrong shape is a broken supervisor, not a bad agent.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "msg.h"
#include "util.h"
#include "verify.h"
#include "verify_json.h"

#define RS_TAG_VALS	4

struct rs_tag {
	size_t		 n;
	char		*v[RS_TAG_VALS];
};

struct rs {
	/* the request */
	const struct vj	*root, *agent, *patch, *test, *review, *run, *limits;
	char		*err;
	size_t		 errlen;
	int		 bad;

	/* the verdict */
	const char	*status;
	char		 code[8];
	char		 message[512];
	char		 content_sha256[65];
	struct rs_tag	*tags;
	size_t		 ntags;
	int		 nomem;
};

static void
rs_bad(struct rs *r, const char *fmt, ...)
    __attribute__((__format__ (printf, 2, 3)));

static void
rs_bad(struct rs *r, const char *fmt, ...)
{
	va_list	 ap;

	if (r->bad++)
		return;
	if (r->err != NULL && r->errlen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(r->err, r->errlen, fmt, ap);
		va_end(ap);
	}
}

/* A member of the given type; absent is NULL (bad when required). */
static const struct vj *
rs_get(struct rs *r, const struct vj *o, const char *where, const char *key,
    enum vj_type t, int required)
{
	const struct vj	*j;
	int		 dup;

	if (o == NULL)
		return (NULL);
	if ((j = vj_get(o, key, &dup)) == NULL) {
		if (required)
			rs_bad(r, "result request: %s.%s missing", where, key);
		return (NULL);
	}
	if (dup || !(j->t == t || (t == VJ_DOUBLE && j->t == VJ_INT))) {
		rs_bad(r, "result request: %s.%s of the wrong type", where,
		    key);
		return (NULL);
	}
	return (j);
}

static int
rs_flag(struct rs *r, const struct vj *o, const char *where, const char *key)
{
	const struct vj	*j = rs_get(r, o, where, key, VJ_BOOL, 0);

	return (j != NULL && j->b);
}

static const char *
rs_hex(struct rs *r, const struct vj *o, const char *where, const char *key,
    int required)
{
	const struct vj	*j = rs_get(r, o, where, key, VJ_STRING, required);
	size_t		 i;

	if (j == NULL)
		return (NULL);
	for (i = 0; i < j->len; i++)
		if (!((j->s[i] >= '0' && j->s[i] <= '9') ||
		    (j->s[i] >= 'a' && j->s[i] <= 'f')))
			break;
	if (j->len != 64 || i != 64) {
		rs_bad(r, "result request: %s.%s is not a SHA-256", where,
		    key);
		return (NULL);
	}
	return (j->s);
}

static const char *
rs_str(struct rs *r, const struct vj *o, const char *where, const char *key)
{
	return (vj_cstr(rs_get(r, o, where, key, VJ_STRING, 0)));
}

static void
rs_tag(struct rs *r, size_t n, ...)
{
	struct rs_tag	*t;
	va_list		 ap;
	size_t		 i;

	if ((t = reallocarray(r->tags, r->ntags + 1, sizeof(*t))) == NULL) {
		r->nomem = 1;
		return;
	}
	r->tags = t;
	t = &r->tags[r->ntags++];
	memset(t, 0, sizeof(*t));
	va_start(ap, n);
	for (i = 0; i < n && i < RS_TAG_VALS; i++) {
		if ((t->v[i] = strdup(va_arg(ap, const char *))) == NULL)
			r->nomem = 1;
		t->n++;
	}
	va_end(ap);
}

static void
rs_result(struct rs *r, const char *name, const char *value)
{
	if (value != NULL)
		rs_tag(r, 3, "result", name, value);
}

static void
rs_result_int(struct rs *r, const char *name, long long v)
{
	char	 buf[32];

	(void)snprintf(buf, sizeof(buf), "%lld", v);
	rs_tag(r, 3, "result", name, buf);
}

/* An integer member as a result tag, when it is there. */
static void
rs_result_member(struct rs *r, const struct vj *o, const char *where,
    const char *key)
{
	const struct vj	*j = rs_get(r, o, where, key, VJ_INT, 0);

	if (j != NULL)
		rs_result_int(r, key, j->i);
}

static void
rs_usage(struct rs *r)
{
	static const char *const counters[] = {
		"input_tokens", "output_tokens", "cache_read_tokens",
		"cache_write_tokens"
	};
	const struct vj	*u, *j;
	char		 buf[32];
	size_t		 i;

	u = rs_get(r, r->agent, "agent", "usage", VJ_OBJECT, 0);
	for (i = 0; u != NULL && i < sizeof(counters) / sizeof(counters[0]);
	    i++) {
		if ((j = rs_get(r, u, "agent.usage", counters[i], VJ_INT,
		    0)) == NULL)
			continue;
		(void)snprintf(buf, sizeof(buf), "%lld", j->i);
		rs_tag(r, 3, "usage", counters[i], buf);
	}
}

static void
rs_set(struct rs *r, const char *status, const char *code, const char *fmt,
    ...) __attribute__((__format__ (printf, 4, 5)));

static void
rs_set(struct rs *r, const char *status, const char *code, const char *fmt,
    ...)
{
	va_list	 ap;

	r->status = status;
	(void)strlcpy(r->code, code != NULL ? code : "", sizeof(r->code));
	va_start(ap, fmt);
	(void)vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

/* The E-code a phase gave, if it looks like one. */
static const char *
rs_code(struct rs *r, const struct vj *o, const char *where,
    const char *dflt)
{
	const char	*c = rs_str(r, o, where, "code");

	if (c == NULL || strlen(c) != 4 || c[0] != 'E' || c[1] != '0' ||
	    c[2] < '0' || c[2] > '1' || c[3] < '0' || c[3] > '9' ||
	    strcmp(c, "E000") == 0 || strcmp(c, "E011") >= 0)
		return (dflt);
	return (c);
}

/*
 * A phase that is not ok ends the job: "timeout" when it ran out of
 * time, "failed" with its own code otherwise.  Returns 1 when it did.
 */
static int
rs_phase(struct rs *r, const struct vj *o, const char *where,
    const char *what)
{
	const struct vj	*ok;
	const char	*msg, *code;

	if (o == NULL)
		return (0);
	if ((ok = rs_get(r, o, where, "ok", VJ_BOOL, 1)) == NULL)
		return (1);
	if (ok->b && !rs_flag(r, o, where, "timed_out"))
		return (0);
	msg = rs_str(r, o, where, "message");
	code = rs_code(r, o, where, "E007");
	if (rs_flag(r, o, where, "timed_out") || strcmp(code, "E004") == 0)
		rs_set(r, "timeout", "E004", "%s", msg != NULL ? msg :
		    "Timeout exceeded");
	else
		rs_set(r, "failed", code, "%s", msg != NULL ? msg : what);
	return (1);
}

static void
rs_trajectory(struct rs *r, const struct vj *o, const char *where)
{
	rs_result(r, "trajectory_id", rs_str(r, o, where, "trajectory_id"));
}

/* A verdict of ours: its "ok", or -1 (bad) when it has none. */
static int
rs_ok(struct rs *r, const struct vj *o, const char *where)
{
	const struct vj	*ok;

	if (o == NULL) {
		rs_bad(r, "result request: no %s verdict", where);
		return (-1);
	}
	if ((ok = rs_get(r, o, where, "ok", VJ_BOOL, 1)) == NULL)
		return (-1);
	return (ok->b);
}

/*
 * The agent's report, then our verdict on what it made: 1 when either
 * ends the job, -1 for a request of the wrong shape.
 */
static int
rs_front(struct rs *r, const struct vj *verdict, const char *where,
    const char *refused)
{
	const char	*msg;
	int		 ok;

	r->agent = rs_get(r, r->root, "request", "agent", VJ_OBJECT, 1);
	if (rs_phase(r, r->agent, "agent", "the agent failed")) {
		rs_trajectory(r, r->agent, "agent");
		return (1);
	}
	if ((ok = rs_ok(r, verdict, where)) == -1)
		return (-1);
	if (!ok) {
		msg = rs_str(r, verdict, where, "message");
		rs_set(r, "failed", rs_code(r, verdict, where, "E006"), "%s",
		    msg != NULL ? msg : refused);
		rs_trajectory(r, r->agent, "agent");
		return (1);
	}
	return (0);
}

static void
rs_patchgen(struct rs *r)
{
	const struct vj	*v, *vs, *tec, *ac;
	const char	*name, *traj;
	size_t		 i;
	char		 buf[32];

	switch (rs_front(r, r->patch, "patch", "the patch was refused")) {
	case -1:
		return;
	case 1:
		goto usage;
	}
	traj = rs_str(r, r->agent, "agent", "trajectory_id");
	tec = rs_get(r, r->test, "test", "test_exit_code", VJ_INT, 0);
	ac = rs_get(r, r->test, "test", "applies_cleanly", VJ_BOOL, 0);
	if (rs_phase(r, r->test, "test", "the tests could not run") ||
	    (ac != NULL && !ac->b) || (tec != NULL && tec->i != 0)) {
		if (strcmp(r->status, "failed") == 0 && r->code[0] == '\0') {
			if (ac != NULL && !ac->b)
				rs_set(r, "failed", "E006", "Patch does not "
				    "apply cleanly");
			else
				rs_set(r, "failed", "E006", "Tests failed "
				    "after applying patch");
		}
		rs_result(r, "trajectory_id", traj);
		if (ac != NULL && !ac->b)
			rs_result(r, "applies_cleanly", "false");
		if (tec != NULL)
			rs_result_int(r, "test_exit_code", tec->i);
		if (tec != NULL && tec->i != 0)
			rs_result(r, "test_stderr_sha256", rs_hex(r, r->test,
			    "test", "test_stderr_sha256", 0));
		goto usage;
	}

	/* the patch is delivered: as tested, or partly */
	if (r->test == NULL)
		rs_set(r, "partial_success", "E006", "the patch was not "
		    "tested");
	else if (tec == NULL)
		rs_set(r, "partial_success", "E006", "no test command: the "
		    "patch applies but was not tested");
	else
		rs_set(r, "success", NULL, "the patch applies and the tests "
		    "pass");
	if ((name = rs_hex(r, r->patch, "patch", "sha256", 1)) == NULL)
		return;
	(void)strlcpy(r->content_sha256, name, sizeof(r->content_sha256));
	rs_result(r, "patch_sha256", name);
	rs_result(r, "trajectory_id", traj);
	if (ac != NULL)
		rs_result(r, "applies_cleanly", "true");
	if (tec != NULL)
		rs_result_int(r, "test_exit_code", tec->i);
	rs_result_member(r, r->patch, "patch", "files_changed");
	rs_result_member(r, r->patch, "patch", "additions");
	rs_result_member(r, r->patch, "patch", "deletions");
	vs = rs_get(r, r->test, "test", "verifications", VJ_ARRAY, 0);
	for (i = 0; vs != NULL && i < vs->n; i++) {
		v = vs->v[i];
		if (v->t != VJ_OBJECT) {
			rs_bad(r, "result request: test.verifications[%zu] "
			    "is not an object", i);
			return;
		}
		name = vj_cstr(rs_get(r, v, "verification", "name",
		    VJ_STRING, 1));
		tec = rs_get(r, v, "verification", "exit_code", VJ_INT, 1);
		if (name == NULL || tec == NULL) {
			rs_bad(r, "result request: bad verification");
			return;
		}
		(void)snprintf(buf, sizeof(buf), "%lld", tec->i);
		rs_tag(r, 4, "result", "verification", name, buf);
		if (tec->i != 0 && strcmp(r->status, "success") == 0)
			rs_set(r, "partial_success", "E006", "verification "
			    "%s failed with exit code %lld", name, tec->i);
	}
 usage:
	rs_usage(r);
}

static void
rs_codereview(struct rs *r)
{
	const char	*s;

	switch (rs_front(r, r->review, "review", "the review was refused")) {
	case -1:
		return;
	case 1:
		goto usage;
	}
	rs_set(r, "success", NULL, "the review holds");
	if ((s = rs_hex(r, r->review, "review", "sha256", 1)) == NULL)
		return;
	(void)strlcpy(r->content_sha256, s, sizeof(r->content_sha256));
	rs_result(r, "review_sha256", s);
	rs_trajectory(r, r->agent, "agent");
	rs_result(r, "approval_status", rs_str(r, r->review, "review",
	    "approval_status"));
	rs_result_member(r, r->review, "review", "issues_found");
	rs_result(r, "severity_max", rs_str(r, r->review, "review",
	    "severity_max"));
	rs_result_member(r, r->review, "review", "suggestions_count");
 usage:
	rs_usage(r);
}

static void
rs_sandboxrun(struct rs *r)
{
	const struct vj	*lt, *lm, *dur, *mem, *cpu;
	const char	*s, *hex;
	char		 buf[32];

	r->agent = rs_get(r, r->root, "request", "agent", VJ_OBJECT, 0);
	if (r->run == NULL) {
		rs_bad(r, "result request: no run report");
		return;
	}
	lt = rs_get(r, r->limits, "limits", "time_limit_secs", VJ_INT, 0);
	lm = rs_get(r, r->limits, "limits", "memory_mb", VJ_INT, 0);
	if ((s = rs_str(r, r->run, "run", "trajectory_id")) == NULL)
		s = rs_str(r, r->agent, "agent", "trajectory_id");
	if (rs_phase(r, r->agent, "agent", "the agent failed") ||
	    rs_phase(r, r->run, "run", "the run failed")) {
		if (strcmp(r->status, "timeout") == 0 && lt != NULL)
			rs_set(r, "timeout", "E004", "Timeout exceeded after "
			    "%lld seconds", lt->i);
		rs_result(r, "trajectory_id", s);
		goto usage;
	}
	dur = rs_get(r, r->run, "run", "duration_ms", VJ_INT, 0);
	mem = rs_get(r, r->run, "run", "peak_memory_mb", VJ_INT, 0);
	if (lt != NULL && dur != NULL && dur->i > lt->i * 1000) {
		rs_set(r, "timeout", "E004", "Timeout exceeded after %lld "
		    "seconds", lt->i);
		rs_result(r, "trajectory_id", s);
		goto usage;
	}
	if (lm != NULL && mem != NULL && mem->i > lm->i) {
		rs_set(r, "failed", "E005", "Memory limit exceeded: %lld MB "
		    "of %lld", mem->i, lm->i);
		rs_result(r, "trajectory_id", s);
		goto usage;
	}
	rs_set(r, "success", NULL, "the command ran");
	if ((hex = rs_hex(r, r->run, "run", "output_sha256", 1)) == NULL)
		return;
	(void)strlcpy(r->content_sha256, hex, sizeof(r->content_sha256));
	rs_result(r, "output_sha256", hex);
	rs_result(r, "trajectory_id", s);
	rs_result_member(r, r->run, "run", "exit_code");
	rs_result(r, "stdout_sha256", rs_hex(r, r->run, "run",
	    "stdout_sha256", 0));
	rs_result(r, "stderr_sha256", rs_hex(r, r->run, "run",
	    "stderr_sha256", 0));
	if (dur != NULL)
		rs_result_int(r, "duration_ms", dur->i);
	if (mem != NULL)
		rs_result_int(r, "peak_memory_mb", mem->i);
	if ((cpu = rs_get(r, r->run, "run", "cpu_seconds", VJ_DOUBLE,
	    0)) != NULL) {
		(void)snprintf(buf, sizeof(buf), "%.3f", cpu->d < 0 ? 0.0 :
		    cpu->d);
		rs_result(r, "cpu_seconds", buf);
	}
 usage:
	rs_usage(r);
}

static int
rs_write(struct rs *r, char **out, size_t *outlen)
{
	struct vgen	 vg;
	size_t		 i, k;
	int		 rc;

	if (vg_init(&vg) == -1)
		return (-1);
	vg_map(&vg, 1);
	vg_kstr(&vg, "status", r->status);
	if (r->code[0] != '\0')
		vg_kstr(&vg, "code", r->code);
	vg_kstr(&vg, "message", r->message);
	vg_kstr(&vg, "content_sha256", r->content_sha256);
	vg_cstr(&vg, "tags");
	vg_array(&vg, 1);
	for (i = 0; i < r->ntags; i++) {
		vg_array(&vg, 1);
		for (k = 0; k < r->tags[i].n; k++)
			vg_cstr(&vg, r->tags[i].v[k]);
		vg_array(&vg, 0);
	}
	vg_array(&vg, 0);
	vg_map(&vg, 0);
	rc = vg_finish(&vg, out, outlen);
	vg_free(&vg);
	return (rc);
}

/* failed and timeout: content "", the error tag first */
static void
rs_failure_form(struct rs *r)
{
	struct rs_tag	 e;

	if (strcmp(r->status, "failed") != 0 &&
	    strcmp(r->status, "timeout") != 0)
		return;
	if (vj_sha256("", 0, r->content_sha256) == -1)
		r->nomem = 1;
	rs_tag(r, 3, "error", r->code, r->message);
	if (r->nomem)
		return;
	e = r->tags[r->ntags - 1];
	memmove(&r->tags[1], &r->tags[0], (r->ntags - 1) * sizeof(*r->tags));
	r->tags[0] = e;
}

int
verify_result(const char *text, size_t len, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct rs	 r;
	struct vj	*root;
	const struct vj	*type;
	size_t		 i, k;
	int		 rc = -1;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.err = err;
	r.errlen = errlen;
	r.status = "failed";
	if ((root = vj_parse(text, len, 8, err, errlen)) == NULL)
		return (-1);
	if (root->t != VJ_OBJECT) {
		errbuf_set(err, errlen, "result request: not an object");
		goto done;
	}
	type = rs_get(&r, root, "request", "type", VJ_STRING, 1);
	(void)rs_get(&r, root, "request", "job_id", VJ_STRING, 1);
	r.root = root;
	r.patch = rs_get(&r, root, "request", "patch", VJ_OBJECT, 0);
	r.test = rs_get(&r, root, "request", "test", VJ_OBJECT, 0);
	r.review = rs_get(&r, root, "request", "review", VJ_OBJECT, 0);
	r.run = rs_get(&r, root, "request", "run", VJ_OBJECT, 0);
	r.limits = rs_get(&r, root, "request", "limits", VJ_OBJECT, 0);
	if (r.bad)
		goto done;
	if (vj_cstr(type) != NULL && strcmp(type->s, "PatchGen") == 0)
		rs_patchgen(&r);
	else if (vj_cstr(type) != NULL && strcmp(type->s, "CodeReview") == 0)
		rs_codereview(&r);
	else if (vj_cstr(type) != NULL && strcmp(type->s, "SandboxRun") == 0)
		rs_sandboxrun(&r);
	else
		rs_bad(&r, "result request: unknown type");
	if (r.bad)
		goto done;
	rs_failure_form(&r);
	if (r.nomem || rs_write(&r, out, outlen) == -1) {
		errbuf_set(err, errlen, "cannot write the verdict");
		goto done;
	}
	rc = 0;
 done:
	for (i = 0; i < r.ntags; i++)
		for (k = 0; k < r.tags[i].n; k++)
			free(r.tags[i].v[k]);
	free(r.tags);
	vj_free(root);
	return (rc);
}

int
verify_request(uint32_t what, const char *text, size_t len, char **out,
    size_t *outlen, char *err, size_t errlen)
{
	switch (what) {
	case VERIFY_PATCH:
		return (verify_patch(text, len, out, outlen, err, errlen));
	case VERIFY_REVIEW:
		return (verify_review(text, len, out, outlen, err, errlen));
	case VERIFY_RESULT:
		return (verify_result(text, len, out, outlen, err, errlen));
	default:
		*out = NULL;
		errbuf_set(err, errlen, "unknown verify request %u", what);
		return (-1);
	}
}
