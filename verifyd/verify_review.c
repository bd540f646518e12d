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
 * VERIFY_REVIEW: the agent's StructuredReview (PROTOCOL.md §A.5) held
 * to the schema, to substance and to the diff it reviews, then written
 * again in one canonical form, which is what gets published and hashed:
 * a buyer checks sha256(content) and finds exactly the schema.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include "diff.h"
#include "util.h"
#include "verify.h"
#include "verify_json.h"

#define RV_DETAILS	256

static const char *const rv_severities[] = {
	"critical", "high", "medium", "low", "info"	/* worst first */
};
static const char *const rv_categories[] = {
	"security", "performance", "logic", "style", "testing",
	"documentation"
};
static const char *const rv_approvals[] = {
	"approve", "request_changes", "comment"
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

enum rv_check {
	RV_SCHEMA,
	RV_NONTRIVIAL,
	RV_REFERENCES,
	RV_NCHECKS
};

static const char *const rv_check_names[RV_NCHECKS] = {
	"schema_valid", "non_trivial", "references_valid"
};

struct rv_name {
	const char	*p;
	size_t		 n;
};

struct review {
	const struct vj	*summary;
	const struct vj	*approval;
	const struct vj	*issues;	/* NULL: none */
	const struct vj	*suggestions;
	const struct vj	*highlights;
	size_t		 unknown;	/* members dropped */
	struct diff	 d;		/* the diff under review */
	struct rv_name	*names;		/* its file names */
	size_t		 nnames;
	int		 worst;		/* index in rv_severities, -1 */
	int		 passed[RV_NCHECKS];
	char		 details[RV_NCHECKS][RV_DETAILS];
};

static int
rv_is(const struct vj *j, const char *s)
{
	return (j->len == strlen(s) && memcmp(j->s, s, j->len) == 0);
}

/* index of the string in set, -1 when not one */
static int
rv_enum(const struct vj *j, const char *const *set, size_t n)
{
	size_t	 i;

	if (j == NULL || j->t != VJ_STRING)
		return (-1);
	for (i = 0; i < n; i++)
		if (rv_is(j, set[i]))
			return ((int)i);
	return (-1);
}

/* A short, printable excerpt of a bad value for the details. */
static void
rv_excerpt(const struct vj *j, char *buf, size_t size)
{
	size_t	 i, n = 0;

	if (j == NULL || j->t != VJ_STRING) {
		(void)strlcpy(buf, j == NULL ? "nothing" : "not a string",
		    size);
		return;
	}
	if (size < 4)
		return;
	buf[n++] = '"';
	for (i = 0; i < j->len && i < 32 && n + 3 < size; i++)
		buf[n++] = (unsigned char)j->s[i] >= 0x20 &&
		    (unsigned char)j->s[i] < 0x7f ? j->s[i] : '?';
	buf[n++] = '"';
	buf[n] = '\0';
}

static int
rv_fail(struct review *rv, const char *fmt, ...)
    __attribute__((__format__ (printf, 2, 3)));

static int
rv_fail(struct review *rv, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(rv->details[RV_SCHEMA], RV_DETAILS, fmt, ap);
	va_end(ap);
	return (-1);
}

/*
 * The members of an object: each named one once, and how many the
 * schema does not name.
 */
static int
rv_members(struct review *rv, const char *where, const struct vj *o,
    const char *const *names, size_t nnames, const struct vj **vals)
{
	size_t	 i, j;

	for (j = 0; j < nnames; j++)
		vals[j] = NULL;
	for (i = 0; i < o->n; i++) {
		for (j = 0; j < nnames; j++)
			if (o->klen[i] == strlen(names[j]) &&
			    memcmp(o->k[i], names[j], o->klen[i]) == 0)
				break;
		if (j == nnames) {
			rv->unknown++;
			continue;
		}
		if (vals[j] != NULL)
			return (rv_fail(rv, "%s%s: given twice", where,
			    names[j]));
		vals[j] = o->v[i];
	}
	return (0);
}

static int
rv_string(struct review *rv, const char *where, const char *name,
    const struct vj *j)
{
	if (j == NULL)
		return (rv_fail(rv, "%s%s: missing", where, name));
	if (j->t != VJ_STRING)
		return (rv_fail(rv, "%s%s: not a string", where, name));
	return (0);
}

static int
rv_line(struct review *rv, const char *where, const char *name,
    const struct vj *j)
{
	if (j == NULL)
		return (rv_fail(rv, "%s%s: missing", where, name));
	if (j->t != VJ_INT || j->i < 0)
		return (rv_fail(rv, "%s%s: not a line number", where, name));
	return (0);
}

static int
rv_one_of(struct review *rv, const char *where, const char *name,
    const struct vj *j, const char *const *set, size_t n, int *idx)
{
	char	 ex[48];
	char	 list[128];
	size_t	 i;

	if (rv_string(rv, where, name, j) == -1)
		return (-1);
	if ((*idx = rv_enum(j, set, n)) != -1)
		return (0);
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			(void)strlcat(list, ", ", sizeof(list));
		(void)strlcat(list, set[i], sizeof(list));
	}
	rv_excerpt(j, ex, sizeof(ex));
	return (rv_fail(rv, "%s%s: %s is not one of %s", where, name, ex,
	    list));
}

enum { I_SEV, I_CAT, I_FILE, I_RANGE, I_DESC, I_FIX, I_N };
static const char *const rv_issue_keys[I_N] = {
	"severity", "category", "file", "line_range", "description",
	"suggested_fix"
};

static int
rv_issue(struct review *rv, size_t n, const struct vj *o)
{
	const struct vj	*f[I_N], *r;
	char		 where[48];
	int		 sev, cat;

	(void)snprintf(where, sizeof(where), "issues[%zu].", n);
	if (o->t != VJ_OBJECT)
		return (rv_fail(rv, "issues[%zu]: not an object", n));
	if (rv_members(rv, where, o, rv_issue_keys, I_N, f) == -1 ||
	    rv_one_of(rv, where, "severity", f[I_SEV], rv_severities,
	    NITEMS(rv_severities), &sev) == -1 ||
	    rv_one_of(rv, where, "category", f[I_CAT], rv_categories,
	    NITEMS(rv_categories), &cat) == -1 ||
	    rv_string(rv, where, "file", f[I_FILE]) == -1)
		return (-1);
	if ((r = f[I_RANGE]) == NULL)
		return (rv_fail(rv, "%sline_range: missing", where));
	if (r->t != VJ_ARRAY || r->n != 2)
		return (rv_fail(rv, "%sline_range: not [start, end]", where));
	if (rv_line(rv, where, "line_range[0]", r->v[0]) == -1 ||
	    rv_line(rv, where, "line_range[1]", r->v[1]) == -1)
		return (-1);
	if (r->v[0]->i > r->v[1]->i)
		return (rv_fail(rv, "%sline_range: start after end", where));
	if (rv_string(rv, where, "description", f[I_DESC]) == -1)
		return (-1);
	if (f[I_FIX] != NULL && f[I_FIX]->t != VJ_NULL &&
	    rv_string(rv, where, "suggested_fix", f[I_FIX]) == -1)
		return (-1);
	if (rv->worst == -1 || sev < rv->worst)
		rv->worst = sev;
	return (0);
}

enum { S_FILE, S_LINE, S_CUR, S_SUG, S_WHY, S_N };
static const char *const rv_suggestion_keys[S_N] = {
	"file", "line", "current", "suggested", "rationale"
};

static int
rv_suggestion(struct review *rv, size_t n, const struct vj *o)
{
	const struct vj	*f[S_N];
	char		 where[48];

	(void)snprintf(where, sizeof(where), "suggestions[%zu].", n);
	if (o->t != VJ_OBJECT)
		return (rv_fail(rv, "suggestions[%zu]: not an object", n));
	if (rv_members(rv, where, o, rv_suggestion_keys, S_N, f) == -1 ||
	    rv_string(rv, where, "file", f[S_FILE]) == -1 ||
	    rv_line(rv, where, "line", f[S_LINE]) == -1 ||
	    rv_string(rv, where, "current", f[S_CUR]) == -1 ||
	    rv_string(rv, where, "suggested", f[S_SUG]) == -1 ||
	    rv_string(rv, where, "rationale", f[S_WHY]) == -1)
		return (-1);
	return (0);
}

enum { R_SUMMARY, R_APPROVAL, R_ISSUES, R_SUGGESTIONS, R_HIGHLIGHTS, R_N };
static const char *const rv_review_keys[R_N] = {
	"summary", "approval_status", "issues", "suggestions", "highlights"
};

static int
rv_array(struct review *rv, const char *name, const struct vj *j)
{
	if (j != NULL && j->t != VJ_ARRAY)
		return (rv_fail(rv, "%s: not an array", name));
	return (0);
}

static int
rv_schema(struct review *rv, const struct vj *root)
{
	const struct vj	*f[R_N];
	size_t		 i;
	int		 idx;

	if (root->t != VJ_OBJECT)
		return (rv_fail(rv, "the review is not a JSON object"));
	if (rv_members(rv, "", root, rv_review_keys, R_N, f) == -1 ||
	    rv_string(rv, "", "summary", f[R_SUMMARY]) == -1 ||
	    rv_one_of(rv, "", "approval_status", f[R_APPROVAL], rv_approvals,
	    NITEMS(rv_approvals), &idx) == -1 ||
	    rv_array(rv, "issues", f[R_ISSUES]) == -1 ||
	    rv_array(rv, "suggestions", f[R_SUGGESTIONS]) == -1 ||
	    rv_array(rv, "highlights", f[R_HIGHLIGHTS]) == -1)
		return (-1);
	rv->summary = f[R_SUMMARY];
	rv->approval = f[R_APPROVAL];
	rv->issues = f[R_ISSUES];
	rv->suggestions = f[R_SUGGESTIONS];
	rv->highlights = f[R_HIGHLIGHTS];
	for (i = 0; rv->issues != NULL && i < rv->issues->n; i++)
		if (rv_issue(rv, i, rv->issues->v[i]) == -1)
			return (-1);
	for (i = 0; rv->suggestions != NULL && i < rv->suggestions->n; i++)
		if (rv_suggestion(rv, i, rv->suggestions->v[i]) == -1)
			return (-1);
	for (i = 0; rv->highlights != NULL && i < rv->highlights->n; i++)
		if (rv->highlights->v[i]->t != VJ_STRING)
			return (rv_fail(rv, "highlights[%zu]: not a string",
			    i));
	return (0);
}

static size_t
rv_count(const struct vj *a)
{
	return (a == NULL ? 0 : a->n);
}

static int
rv_blank(const struct vj *s)
{
	size_t	 i;

	for (i = 0; i < s->len; i++)
		if (s->s[i] != ' ' && s->s[i] != '\t' && s->s[i] != '\n' &&
		    s->s[i] != '\r')
			return (0);
	return (1);
}

static void
rv_nontrivial(struct review *rv)
{
	char	*d = rv->details[RV_NONTRIVIAL];

	if (rv_blank(rv->summary))
		(void)strlcpy(d, "the summary is empty", RV_DETAILS);
	else if (rv_count(rv->issues) + rv_count(rv->suggestions) +
	    rv_count(rv->highlights) == 0)
		(void)strlcpy(d, "no issue, suggestion or highlight",
		    RV_DETAILS);
	else {
		rv->passed[RV_NONTRIVIAL] = 1;
		(void)snprintf(d, RV_DETAILS, "%zu issues, %zu suggestions, "
		    "%zu highlights", rv_count(rv->issues),
		    rv_count(rv->suggestions), rv_count(rv->highlights));
	}
}

static int
rv_name_add(struct review *rv, const char *p, size_t n)
{
	struct rv_name	*v;

	if (n == 0 || (n == strlen(DIFF_DEV_NULL) &&
	    memcmp(p, DIFF_DEV_NULL, n) == 0))
		return (0);
	if (rv->nnames >= DIFF_MAX_FILES * 2)
		return (0);
	if ((v = reallocarray(rv->names, rv->nnames + 1, sizeof(*v))) == NULL)
		return (-1);
	rv->names = v;
	v[rv->nnames].p = p;
	v[rv->nnames].n = n;
	rv->nnames++;
	return (0);
}

/* A name of a ---, +++ or diff --git line, without a/ or b/. */
static int
rv_loose_name(struct review *rv, const char *p, size_t n)
{
	if (n > 2 && (memcmp(p, "a/", 2) == 0 || memcmp(p, "b/", 2) == 0)) {
		p += 2;
		n -= 2;
	}
	return (rv_name_add(rv, p, n));
}

/*
 * A diff we cannot read strictly (plain diff -u, a hand-cut excerpt)
 * is the buyer's, not the agent's fault: its file names are taken
 * from the header lines the way a reader would see them.
 */
static int
rv_loose_names(struct review *rv, const char *text, size_t len)
{
	const char	*l, *e, *end = text + len, *b;
	size_t		 n;

	for (l = text; l < end; l = e + 1) {
		if ((e = memchr(l, '\n', (size_t)(end - l))) == NULL)
			e = end;
		n = (size_t)(e - l);
		if (n > 0 && l[n - 1] == '\r')
			n--;
		if (n > 4 && (memcmp(l, "--- ", 4) == 0 ||
		    memcmp(l, "+++ ", 4) == 0)) {
			b = memchr(l + 4, '\t', n - 4);
			if (rv_loose_name(rv, l + 4, b != NULL ?
			    (size_t)(b - (l + 4)) : n - 4) == -1)
				return (-1);
		} else if (n > 11 && memcmp(l, "diff --git ", 11) == 0 &&
		    (b = memmem(l + 11, n - 11, " b/", 3)) != NULL) {
			if (rv_loose_name(rv, l + 11, (size_t)(b - (l + 11))) ==
			    -1 || rv_loose_name(rv, b + 1,
			    (size_t)(l + n - (b + 1))) == -1)
				return (-1);
		}
		if (e == end)
			break;
	}
	return (0);
}

static int
rv_strict_names(struct review *rv)
{
	size_t	 i;

	for (i = 0; i < rv->d.d_nfiles; i++)
		if (rv_name_add(rv, rv->d.d_files[i].df_old,
		    strlen(rv->d.d_files[i].df_old)) == -1 ||
		    rv_name_add(rv, rv->d.d_files[i].df_new,
		    strlen(rv->d.d_files[i].df_new)) == -1)
			return (-1);
	return (0);
}

static const struct rv_name *
rv_in_diff_exact(const struct review *rv, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < rv->nnames; i++)
		if (rv->names[i].n == len && memcmp(rv->names[i].p, s,
		    len) == 0)
			return (&rv->names[i]);
	return (NULL);
}

/*
 * The diff's name for a reference: as written, or without a "./",
 * "a/" or "b/" in front.  The content is written with the diff's
 * name, so a buyer comparing names exactly finds it too.
 */
static const struct rv_name *
rv_in_diff(const struct review *rv, const struct vj *file)
{
	const struct rv_name	*name;
	const char		*s = file->s;
	size_t			 len = file->len;

	if ((name = rv_in_diff_exact(rv, s, len)) != NULL)
		return (name);
	if (len > 2 && (memcmp(s, "./", 2) == 0 || memcmp(s, "a/", 2) == 0 ||
	    memcmp(s, "b/", 2) == 0))
		return (rv_in_diff_exact(rv, s + 2, len - 2));
	return (NULL);
}

static const struct vj *
rv_file(const struct vj *o)
{
	return (vj_get(o, "file", NULL));
}

static int
rv_references(struct review *rv, const char *difftext, size_t difflen)
{
	const struct vj	*a, *file;
	char		*det = rv->details[RV_REFERENCES], err[128], ex[48];
	const char	*what, *how = "";
	size_t		 i, k, refs;

	refs = rv_count(rv->issues) + rv_count(rv->suggestions);
	if (refs == 0) {
		rv->passed[RV_REFERENCES] = 1;
		(void)strlcpy(det, "no file references", RV_DETAILS);
		return (0);
	}
	if (diff_parse(difftext, difflen, NULL, &rv->d, err,
	    sizeof(err)) == 0) {
		if (rv_strict_names(rv) == -1)
			return (-1);
	} else {
		if (rv_loose_names(rv, difftext, difflen) == -1)
			return (-1);
		how = " (names from the header lines: the diff is not "
		    "strict git format)";
	}
	for (k = 0; k < 2; k++) {
		a = k == 0 ? rv->issues : rv->suggestions;
		what = k == 0 ? "issues" : "suggestions";
		for (i = 0; a != NULL && i < a->n; i++) {
			file = rv_file(a->v[i]);
			if (rv_in_diff(rv, file) != NULL)
				continue;
			rv_excerpt(file, ex, sizeof(ex));
			(void)snprintf(det, RV_DETAILS, "%s[%zu].file: %s is "
			    "not in the diff%s", what, i, ex, how);
			return (0);
		}
	}
	rv->passed[RV_REFERENCES] = 1;
	(void)snprintf(det, RV_DETAILS, "%zu references, all in the diff%s",
	    refs, how);
	return (0);
}

static void
rv_write_file(struct vgen *vg, const struct review *rv, const struct vj *o)
{
	const struct vj		*file = rv_file(o);
	const struct rv_name	*name;

	vg_cstr(vg, "file");
	if ((name = rv_in_diff(rv, file)) != NULL)
		vg_str(vg, name->p, name->n);
	else
		vg_str(vg, file->s, file->len);
}

static void
rv_write_str(struct vgen *vg, const char *key, const struct vj *j)
{
	vg_cstr(vg, key);
	vg_str(vg, j->s, j->len);
}

/* The canonical form: the schema's members in the schema's order. */
static int
rv_canonical(const struct review *rv, char **out, size_t *outlen)
{
	struct vgen	 vg;
	const struct vj	*o, *fix, *r;
	size_t		 i;
	int		 rc;

	if (vg_init(&vg) == -1)
		return (-1);
	vg_map(&vg, 1);
	rv_write_str(&vg, "summary", rv->summary);
	rv_write_str(&vg, "approval_status", rv->approval);
	vg_cstr(&vg, "issues");
	vg_array(&vg, 1);
	for (i = 0; i < rv_count(rv->issues); i++) {
		o = rv->issues->v[i];
		vg_map(&vg, 1);
		rv_write_str(&vg, "severity", vj_get(o, "severity", NULL));
		rv_write_str(&vg, "category", vj_get(o, "category", NULL));
		rv_write_file(&vg, rv, o);
		r = vj_get(o, "line_range", NULL);
		vg_cstr(&vg, "line_range");
		vg_array(&vg, 1);
		vg_int(&vg, r->v[0]->i);
		vg_int(&vg, r->v[1]->i);
		vg_array(&vg, 0);
		rv_write_str(&vg, "description", vj_get(o, "description",
		    NULL));
		if ((fix = vj_get(o, "suggested_fix", NULL)) != NULL &&
		    fix->t == VJ_STRING)
			rv_write_str(&vg, "suggested_fix", fix);
		vg_map(&vg, 0);
	}
	vg_array(&vg, 0);
	vg_cstr(&vg, "suggestions");
	vg_array(&vg, 1);
	for (i = 0; i < rv_count(rv->suggestions); i++) {
		o = rv->suggestions->v[i];
		vg_map(&vg, 1);
		rv_write_file(&vg, rv, o);
		vg_kint(&vg, "line", vj_get(o, "line", NULL)->i);
		rv_write_str(&vg, "current", vj_get(o, "current", NULL));
		rv_write_str(&vg, "suggested", vj_get(o, "suggested", NULL));
		rv_write_str(&vg, "rationale", vj_get(o, "rationale", NULL));
		vg_map(&vg, 0);
	}
	vg_array(&vg, 0);
	vg_cstr(&vg, "highlights");
	vg_array(&vg, 1);
	for (i = 0; i < rv_count(rv->highlights); i++)
		vg_str(&vg, rv->highlights->v[i]->s,
		    rv->highlights->v[i]->len);
	vg_array(&vg, 0);
	vg_map(&vg, 0);
	rc = vg_finish(&vg, out, outlen);
	vg_free(&vg);
	return (rc);
}

static int
rv_verdict(const struct review *rv, const char *code, const char *content,
    size_t contentlen, char **out, size_t *outlen)
{
	struct vgen	 vg;
	char		 sha[65], msg[RV_DETAILS + 32];
	int		 i, ok = 1, rc;

	for (i = 0; i < RV_NCHECKS; i++)
		ok = ok && rv->passed[i];
	if (vg_init(&vg) == -1)
		return (-1);
	vg_map(&vg, 1);
	vg_kbool(&vg, "ok", ok && code == NULL);
	if (!ok || code != NULL) {
		vg_kstr(&vg, "code", code != NULL ? code : "E006");
		for (i = 0; i < RV_NCHECKS && rv->passed[i]; i++)
			;
		(void)snprintf(msg, sizeof(msg), "%s: %s", rv_check_names[i],
		    rv->details[i]);
		vg_kstr(&vg, "message", msg);
	}
	if (content != NULL) {
		if (vj_sha256(content, contentlen, sha) == -1)
			vg.err = 1;
		vg_cstr(&vg, "content");
		vg_str(&vg, content, contentlen);
		vg_kstr(&vg, "sha256", sha);
	}
	vg_cstr(&vg, "checks");
	vg_array(&vg, 1);
	for (i = 0; i < RV_NCHECKS; i++) {
		vg_map(&vg, 1);
		vg_kstr(&vg, "name", rv_check_names[i]);
		vg_kbool(&vg, "passed", rv->passed[i]);
		vg_kstr(&vg, "details", rv->details[i]);
		vg_map(&vg, 0);
	}
	vg_array(&vg, 0);
	if (rv->passed[RV_SCHEMA])
		rv_write_str(&vg, "approval_status", rv->approval);
	vg_kint(&vg, "issues_found", (long long)rv_count(rv->issues));
	vg_kstr(&vg, "severity_max", rv->worst == -1 ? "none" :
	    rv_severities[rv->worst]);
	vg_kint(&vg, "suggestions_count",
	    (long long)rv_count(rv->suggestions));
	vg_map(&vg, 0);
	rc = vg_finish(&vg, out, outlen);
	vg_free(&vg);
	return (rc);
}

int
verify_review_text(const char *text, size_t len, const char *diff,
    size_t difflen, char **out, size_t *outlen)
{
	struct review	 rv;
	struct vj	*root = NULL;
	char		*content = NULL, err[128];
	const char	*code = NULL;
	size_t		 contentlen = 0;
	int		 i, rc;

	*out = NULL;
	memset(&rv, 0, sizeof(rv));
	rv.worst = -1;
	for (i = RV_NONTRIVIAL; i < RV_NCHECKS; i++)
		(void)strlcpy(rv.details[i], "not checked: the schema "
		    "failed", RV_DETAILS);
	if (len > VERIFY_REVIEW_MAX) {
		code = "E005";
		(void)snprintf(rv.details[RV_SCHEMA], RV_DETAILS, "the review "
		    "is %zu bytes, more than the %d allowed", len,
		    VERIFY_REVIEW_MAX);
	} else if ((root = vj_parse(text, len, VJ_DEPTH_MAX, err,
	    sizeof(err))) == NULL) {
		(void)snprintf(rv.details[RV_SCHEMA], RV_DETAILS, "the review "
		    "is not JSON: %s", err);
	} else if (rv_schema(&rv, root) == 0) {
		rv.passed[RV_SCHEMA] = 1;
		if (rv.unknown > 0)
			(void)snprintf(rv.details[RV_SCHEMA], RV_DETAILS,
			    "valid; %zu members the schema does not name "
			    "were dropped", rv.unknown);
		else
			(void)strlcpy(rv.details[RV_SCHEMA], "valid",
			    RV_DETAILS);
		rv_nontrivial(&rv);
		if (rv_references(&rv, diff, difflen) == -1 ||
		    rv_canonical(&rv, &content, &contentlen) == -1) {
			free(rv.names);
			diff_free(&rv.d);
			vj_free(root);
			return (-1);
		}
		/* the canonical form may grow: "\u00e9" for a raw byte */
		if (contentlen > VERIFY_REVIEW_MAX) {
			code = "E005";
			rv.passed[RV_SCHEMA] = 0;
			(void)snprintf(rv.details[RV_SCHEMA], RV_DETAILS,
			    "the canonical review is %zu bytes, more than "
			    "the %d allowed", contentlen, VERIFY_REVIEW_MAX);
			free(content);
			content = NULL;
		}
	} else {
		/* counts only of what holds */
		rv.worst = -1;
		rv.issues = rv.suggestions = NULL;
	}
	rc = rv_verdict(&rv, code, content, contentlen, out, outlen);
	free(rv.names);
	diff_free(&rv.d);
	free(content);
	vj_free(root);
	return (rc);
}

int
verify_review(const char *text, size_t len, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct vj	*root;
	const struct vj	*rvw, *diff;
	int		 d1, d2, rc;

	*out = NULL;
	if ((root = vj_parse(text, len, 4, err, errlen)) == NULL)
		return (-1);
	rvw = vj_get(root, "review", &d1);
	diff = vj_get(root, "diff", &d2);
	if (root->t != VJ_OBJECT || rvw == NULL || rvw->t != VJ_STRING ||
	    diff == NULL || diff->t != VJ_STRING || d1 || d2) {
		errbuf_set(err, errlen, "review request: needs the review "
		    "and diff strings");
		vj_free(root);
		return (-1);
	}
	if ((rc = verify_review_text(rvw->s, rvw->len, diff->s, diff->len,
	    out, outlen)) == -1)
		errbuf_set(err, errlen, "cannot write the verdict");
	vj_free(root);
	return (rc);
}
