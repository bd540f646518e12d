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


/* Job requests: see job_request.h. */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <yajl/yajl_parse.h>

#include "config.h"
#include "hex.h"
#include "job_request.h"
#include "nostr_event.h"
#include "util.h"

#define JR_URL_MAX		2048
#define JR_REF_MAX		255
#define JR_PATH_MAX		4096
#define JR_GLOB_MAX		256
#define JR_SHORT_MAX		256	/* output, depth, keys, names */
#define JR_INDEX_MAX		1023	/* largest N of a "_N" param */
#define JR_COST_MAX		2100000000000000LL	/* 21e6 BTC in sats */
#define JR_BID_MAX		(JR_COST_MAX * 1000)
#define JR_CPU_MAX		1024.0

#define JR_DEFAULT_MEMORY_MB	4096
#define JR_DEFAULT_CPU		2.0

/* One input, as the i tag gave it. */
struct jr_input {
	const char	*in_data;
	size_t		 in_len;
	const char	*in_type;	/* "" when absent */
	const char	*in_marker;	/* "" when absent */
};

/* The values of an indexed "name_N" param, sorted by N at the end. */
struct jr_ix {
	long long	 ix_n;
	char		*ix_val;
};

struct jr_ixv {
	struct jr_ix	*v;
	size_t		 n;
};

struct jr_ctx {
	struct job_request	*jr;
	const struct job_limits	*lim;
	int			 code;
	char			*err;
	size_t			 errlen;

	struct jr_input		*in;
	size_t			 nin;
	size_t			 incap;

	struct jr_ixv		 cmd;
	struct jr_ixv		 include;
	struct jr_ixv		 exclude;
	struct jr_ixv		 focus;
	struct jr_ixv		 itype;
	int			 have_time;
	int			 have_memory;
	int			 have_cpu;
	char			*head_ref;
	char			*focus_list;
};

/* The decrypted tag array, read into a scratch event. */
struct jr_tagparse {
	struct nostr_event	*ev;
	int			 depth;
	size_t			 maxvals;
	size_t			 maxtags;
	int			 bad;		/* not an array of arrays */
	int			 nomem;
};

static const char *const jr_codes[] = {
	"", "E001", "E002", "E003", "E004", "E005", "E006", "E007", "E008",
	"E009", "E010"
};

void
job_limits_default(struct job_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->jl_max_text = 64 * 1024;
	lim->jl_max_diff = 1024 * 1024;
	lim->jl_max_list = 64;
	lim->jl_max_env = 64;
	lim->jl_time_min = 30;
	lim->jl_time_max = 3600;
	lim->jl_memory_max_mb = 16384;
}

const char *
job_error_code(int code)
{
	if (code < 0 || (size_t)code >= sizeof(jr_codes) / sizeof(jr_codes[0]))
		return ("E007");
	return (jr_codes[code]);
}

int
job_request_is_encrypted(const struct nostr_event *ev)
{
	return (event_tag_find(ev, "encrypted", NULL) != NULL);
}

static int
jr_fail(struct jr_ctx *cx, int code, const char *fmt, ...)
    __attribute__((__format__ (printf, 3, 4)));

static int
jr_fail(struct jr_ctx *cx, int code, const char *fmt, ...)
{
	va_list	 ap;

	cx->code = code;
	if (cx->err != NULL && cx->errlen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(cx->err, cx->errlen, fmt, ap);
		va_end(ap);
	}
	return (-1);
}

static int
jr_nomem(struct jr_ctx *cx)
{
	return (jr_fail(cx, JE_INTERNAL, "out of memory"));
}

/* A value as a C string: one with a NUL inside it is refused. */
static int
jr_dup(struct jr_ctx *cx, const char *what, const char *s, size_t len,
    size_t max, char **out)
{
	*out = NULL;
	if (len > max)
		return (jr_fail(cx, JE_RESOURCE, "%s: %zu bytes, more than "
		    "the %zu allowed", what, len, max));
	if (memchr(s, '\0', len) != NULL)
		return (jr_fail(cx, JE_INVALID, "%s: NUL byte in the value",
		    what));
	if ((*out = malloc(len + 1)) == NULL)
		return (jr_nomem(cx));
	memcpy(*out, s, len);
	(*out)[len] = '\0';
	return (0);
}

static int
jr_strv_add(struct jr_ctx *cx, const char *what, struct job_strv *sv,
    char *s, size_t max)
{
	char	**v;

	if (sv->n >= max) {
		free(s);
		return (jr_fail(cx, JE_RESOURCE, "%s: more than %zu entries",
		    what, max));
	}
	if ((v = reallocarray(sv->v, sv->n + 2, sizeof(*v))) == NULL) {
		free(s);
		return (jr_nomem(cx));
	}
	v[sv->n++] = s;
	v[sv->n] = NULL;
	sv->v = v;
	return (0);
}

static void
jr_strv_free(struct job_strv *sv)
{
	size_t	 i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

static int
jr_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return (0);
	return (1);
}

/* No control characters, but spaces and UTF-8 are fine. */
static int
jr_text_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return (0);
	return (1);
}

/* A single-valued field: a second, different value is an error. */
static int
jr_set(struct jr_ctx *cx, const char *what, char **slot, char *val)
{
	if (*slot != NULL) {
		if (strcmp(*slot, val) != 0) {
			free(val);
			return (jr_fail(cx, JE_INVALID, "%s: given twice with "
			    "different values", what));
		}
		free(val);
		return (0);
	}
	*slot = val;
	return (0);
}

/* Digits only: no sign, space, fraction or exponent. */
static int
jr_number(struct jr_ctx *cx, const char *what, const char *s,
    long long min, long long max, long long *out)
{
	const char	*errstr;
	size_t		 i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			break;
	if (i == 0 || s[i] != '\0' || i > 19)
		return (jr_fail(cx, JE_INVALID, "%s: not a decimal integer",
		    what));
	*out = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		return (jr_fail(cx, JE_INVALID, "%s: %s (%lld..%lld)", what,
		    errstr, min, max));
	return (0);
}

/* "2", "2.5", "0.25": no sign, exponent or hex. */
static int
jr_decimal(struct jr_ctx *cx, const char *what, const char *s, double *out)
{
	size_t	 i, digits = 0, frac = 0;
	char	*end;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			frac++;
	if (digits == 0 || digits > 6 || s[i] != '\0' || (s[digits] == '.' &&
	    frac == 0))
		return (jr_fail(cx, JE_INVALID, "%s: not a decimal number",
		    what));
	errno = 0;
	*out = strtod(s, &end);
	if (errno != 0 || *end != '\0' || *out <= 0.0 || *out > JR_CPU_MAX)
		return (jr_fail(cx, JE_INVALID, "%s: out of range "
		    "(0..%g)", what, JR_CPU_MAX));
	return (0);
}

/*
 * Repositories are fetched by git: https:// from anywhere, file:// for
 * local ones (workerd checks them against allow_local_repos).  Plain
 * http, ssh, git:// and anything else are refused.
 */
static int
jr_check_repo_url(struct jr_ctx *cx, const char *what, const char *url)
{
	const char	*rest;

	if (strlen(url) > JR_URL_MAX || !jr_printable(url))
		return (jr_fail(cx, JE_INVALID, "%s: bad repository URL",
		    what));
	if (strncmp(url, "https://", 8) == 0) {
		rest = url + 8;
		if (*rest == '\0' || *rest == '/' || *rest == '-')
			return (jr_fail(cx, JE_INVALID, "%s: no host in the "
			    "repository URL", what));
		return (0);
	}
	if (strncmp(url, "file://", 7) == 0) {
		rest = url + 7;
		if (rest[0] != '/' || strcmp(rest, "..") == 0 ||
		    strstr(rest, "/../") != NULL || (strlen(rest) >= 3 &&
		    strcmp(rest + strlen(rest) - 3, "/..") == 0))
			return (jr_fail(cx, JE_INVALID, "%s: file:// needs an "
			    "absolute path without ..", what));
		return (0);
	}
	return (jr_fail(cx, JE_INVALID, "%s: the repository URL must be "
	    "https:// or file://", what));
}

/* Informational URLs (issue, PR): one printable token. */
static int
jr_check_url(struct jr_ctx *cx, const char *what, const char *url)
{
	if (*url == '\0' || strlen(url) > JR_URL_MAX || !jr_printable(url))
		return (jr_fail(cx, JE_INVALID, "%s: bad URL", what));
	return (0);
}

/*
 * A ref reaches git's command line: nothing that reads as an option,
 * no revision syntax, no whitespace.
 */
static int
jr_check_ref(struct jr_ctx *cx, const char *what, const char *ref)
{
	size_t	 len = strlen(ref);

	if (len == 0 || len > JR_REF_MAX || !jr_printable(ref) ||
	    ref[0] == '-' || strstr(ref, "..") != NULL ||
	    strstr(ref, "@{") != NULL || strpbrk(ref, "~^:?*[\\") != NULL ||
	    ref[len - 1] == '/' || ref[len - 1] == '.')
		return (jr_fail(cx, JE_INVALID, "%s: bad git ref", what));
	return (0);
}

/* A path inside the repository: relative, never climbing. */
static int
jr_check_relpath(struct jr_ctx *cx, const char *what, const char *p)
{
	const char	*seg;
	size_t		 n;

	if (strlen(p) > JR_PATH_MAX || !jr_text_ok(p) || p[0] == '/')
		return (jr_fail(cx, JE_INVALID, "%s: not a relative path",
		    what));
	for (seg = p; *seg != '\0'; seg += n + (seg[n] == '/')) {
		n = strcspn(seg, "/");
		if (n == 2 && seg[0] == '.' && seg[1] == '.')
			return (jr_fail(cx, JE_INVALID, "%s: path leaves the "
			    "repository", what));
		if (seg[n] == '\0')
			break;
	}
	return (0);
}

static int
jr_env_name_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || !((s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return (0);
	for (i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return (0);
	return (1);
}

static int
jr_env_add(struct jr_ctx *cx, const char *what, const char *name,
    size_t nlen, const char *val)
{
	char	*kv;

	if (!jr_env_name_ok(name, nlen))
		return (jr_fail(cx, JE_INVALID, "%s: bad variable name",
		    what));
	if (asprintf(&kv, "%.*s=%s", (int)nlen, name, val) == -1)
		return (jr_nomem(cx));
	return (jr_strv_add(cx, what, &cx->jr->jr_env, kv,
	    cx->lim->jl_max_env));
}

/* A comma list: entries trimmed of blanks, empty ones dropped. */
static int
jr_split(struct jr_ctx *cx, const char *what, const char *s,
    struct job_strv *sv, size_t maxlen)
{
	const char	*p, *e;
	char		*v;
	size_t		 n;

	for (p = s; *p != '\0'; p = e + (*e == ',')) {
		e = p + strcspn(p, ",");
		n = (size_t)(e - p);
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n > 0) {
			if (jr_dup(cx, what, p, n, maxlen, &v) == -1 ||
			    jr_strv_add(cx, what, sv, v,
			    cx->lim->jl_max_list) == -1)
				return (-1);
		}
		if (*e == '\0')
			break;
	}
	return (0);
}

/* name_N: is the suffix after prefix a decimal index? */
static int
jr_indexed(const char *key, const char *prefix, long long *n)
{
	const char	*errstr, *s;
	size_t		 plen = strlen(prefix), i;

	if (strncmp(key, prefix, plen) != 0)
		return (0);
	s = key + plen;
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == 0 || i > 4 || s[i] != '\0')
		return (0);
	*n = strtonum(s, 0, JR_INDEX_MAX, &errstr);
	return (errstr == NULL);
}

static int
jr_ix_add(struct jr_ctx *cx, const char *what, struct jr_ixv *xv,
    long long n, char *val)
{
	struct jr_ix	*v;
	size_t		 i;

	for (i = 0; i < xv->n; i++)
		if (xv->v[i].ix_n == n) {
			free(val);
			return (jr_fail(cx, JE_INVALID, "%s: index given "
			    "twice", what));
		}
	if (xv->n >= cx->lim->jl_max_list) {
		free(val);
		return (jr_fail(cx, JE_RESOURCE, "%s: more than %zu entries",
		    what, cx->lim->jl_max_list));
	}
	if ((v = reallocarray(xv->v, xv->n + 1, sizeof(*v))) == NULL) {
		free(val);
		return (jr_nomem(cx));
	}
	v[xv->n].ix_n = n;
	v[xv->n].ix_val = val;
	xv->v = v;
	xv->n++;
	return (0);
}

static int
jr_ix_cmp(const void *a, const void *b)
{
	const struct jr_ix	*x = a, *y = b;

	return (x->ix_n < y->ix_n ? -1 : x->ix_n > y->ix_n);
}

static void
jr_ix_sort(struct jr_ixv *xv)
{
	if (xv->n > 1)
		qsort(xv->v, xv->n, sizeof(xv->v[0]), jr_ix_cmp);
}

/* The sorted values appended to sv; xv gives up its strings. */
static int
jr_ix_move(struct jr_ctx *cx, const char *what, struct jr_ixv *xv,
    struct job_strv *sv)
{
	size_t	 i;
	char	*v;

	jr_ix_sort(xv);
	for (i = 0; i < xv->n; i++) {
		v = xv->v[i].ix_val;
		xv->v[i].ix_val = NULL;
		/* an empty include_N names nothing, as in a comma list */
		if (v == NULL || v[0] == '\0') {
			free(v);
			continue;
		}
		if (jr_strv_add(cx, what, sv, v, cx->lim->jl_max_list) == -1)
			return (-1);
	}
	return (0);
}

/* The sorted values joined with sep into one string. */
static int
jr_ix_join(struct jr_ctx *cx, const char *what, struct jr_ixv *xv,
    const char *sep, size_t max, char **out)
{
	size_t	 i, len = 0;
	char	*s;

	*out = NULL;
	if (xv->n == 0)
		return (0);
	jr_ix_sort(xv);
	for (i = 0; i < xv->n; i++)
		len += strlen(xv->v[i].ix_val) + strlen(sep);
	if (len > max)
		return (jr_fail(cx, JE_RESOURCE, "%s: %zu bytes joined, more "
		    "than the %zu allowed", what, len, max));
	if ((s = malloc(len + 1)) == NULL)
		return (jr_nomem(cx));
	s[0] = '\0';
	for (i = 0; i < xv->n; i++) {
		if (i > 0)
			(void)strlcat(s, sep, len + 1);
		(void)strlcat(s, xv->v[i].ix_val, len + 1);
	}
	*out = s;
	return (0);
}

static void
jr_ix_free(struct jr_ixv *xv)
{
	size_t	 i;

	for (i = 0; i < xv->n; i++)
		free(xv->v[i].ix_val);
	free(xv->v);
	xv->v = NULL;
	xv->n = 0;
}

static int
jr_glob_list(struct jr_ctx *cx, const char *what, const char *val,
    struct job_strv *sv)
{
	return (jr_split(cx, what, val, sv, JR_GLOB_MAX));
}

static int
jr_ref_param(struct jr_ctx *cx, const char *what, const char *val,
    char **slot)
{
	char	*v;

	if (jr_check_ref(cx, what, val) == -1 ||
	    jr_dup(cx, what, val, strlen(val), JR_REF_MAX, &v) == -1)
		return (-1);
	return (jr_set(cx, what, slot, v));
}

/*
 * One param.  Both spellings land in the same field; an unknown param
 * is ignored, as NIP-90 lets every kind carry its own.
 */
static int
jr_param(struct jr_ctx *cx, const char *key, const char *val)
{
	struct job_request	*jr = cx->jr;
	const struct job_limits	*lim = cx->lim;
	long long		 n;
	char			*v, what[JR_SHORT_MAX + 16];
	const char		*eq;

	(void)snprintf(what, sizeof(what), "param %s", key);

	if (strcmp(key, "repo_ref") == 0 || strcmp(key, "git_ref") == 0)
		return (jr_ref_param(cx, what, val, &jr->jr_repo_ref));
	if (strcmp(key, "head_ref") == 0)
		return (jr_ref_param(cx, what, val, &cx->head_ref));
	if (strcmp(key, "target_branch") == 0)
		return (jr_ref_param(cx, what, val, &jr->jr_target_branch));
	if (strcmp(key, "repo_url") == 0) {
		if (jr_check_repo_url(cx, what, val) == -1 ||
		    jr_dup(cx, what, val, strlen(val), JR_URL_MAX, &v) == -1)
			return (-1);
		return (jr_set(cx, what, &jr->jr_repo_url, v));
	}
	if (strcmp(key, "issue_url") == 0) {
		if (jr_check_url(cx, what, val) == -1 ||
		    jr_dup(cx, what, val, strlen(val), JR_URL_MAX, &v) == -1)
			return (-1);
		return (jr_set(cx, what, &jr->jr_issue_url, v));
	}
	if (strcmp(key, "subdir") == 0) {
		if (*val == '\0')
			return (0);
		if (jr_check_relpath(cx, what, val) == -1 ||
		    jr_dup(cx, what, val, strlen(val), JR_PATH_MAX, &v) == -1)
			return (-1);
		return (jr_set(cx, what, &jr->jr_subdir, v));
	}
	if (strcmp(key, "workdir") == 0) {
		/* the doc's default, /workspace, is the repository root */
		if (strcmp(val, "/workspace") == 0 ||
		    strcmp(val, "/workspace/") == 0 || *val == '\0')
			return (0);
		if (strncmp(val, "/workspace/", 11) == 0)
			val += 11;
		if (jr_check_relpath(cx, what, val) == -1 ||
		    jr_dup(cx, what, val, strlen(val), JR_PATH_MAX, &v) == -1)
			return (-1);
		return (jr_set(cx, what, &jr->jr_workdir, v));
	}
	if (strcmp(key, "allowed_paths") == 0 ||
	    strcmp(key, "include_patterns") == 0)
		return (jr_glob_list(cx, what, val, &jr->jr_allowed));
	if (strcmp(key, "disallowed_paths") == 0 ||
	    strcmp(key, "exclude_patterns") == 0)
		return (jr_glob_list(cx, what, val, &jr->jr_disallowed));
	if (jr_indexed(key, "include_", &n)) {
		if (jr_dup(cx, what, val, strlen(val), JR_GLOB_MAX, &v) == -1)
			return (-1);
		return (jr_ix_add(cx, what, &cx->include, n, v));
	}
	if (jr_indexed(key, "exclude_", &n)) {
		if (jr_dup(cx, what, val, strlen(val), JR_GLOB_MAX, &v) == -1)
			return (-1);
		return (jr_ix_add(cx, what, &cx->exclude, n, v));
	}
	if (strcmp(key, "test_command") == 0) {
		if (*val == '\0')
			return (0);
		if (jr_dup(cx, what, val, strlen(val), lim->jl_max_text,
		    &v) == -1)
			return (-1);
		return (jr_set(cx, what, &jr->jr_test_command, v));
	}
	if (strcmp(key, "verification_commands") == 0)
		return (jr_split(cx, what, val, &jr->jr_verify_cmds,
		    lim->jl_max_text));
	if (strcmp(key, "command") == 0) {
		if (jr_dup(cx, what, val, strlen(val), lim->jl_max_text,
		    &v) == -1)
			return (-1);
		return (jr_set(cx, what, &jr->jr_command, v));
	}
	if (jr_indexed(key, "cmd_", &n)) {
		if (jr_dup(cx, what, val, strlen(val), lim->jl_max_text,
		    &v) == -1)
			return (-1);
		return (jr_ix_add(cx, what, &cx->cmd, n, v));
	}
	if (strcmp(key, "env") == 0) {
		if ((eq = strchr(val, '=')) == NULL)
			return (jr_fail(cx, JE_INVALID, "%s: not K=V", what));
		if (strlen(val) > lim->jl_max_text)
			return (jr_fail(cx, JE_RESOURCE, "%s: too long", what));
		return (jr_env_add(cx, what, val, (size_t)(eq - val), eq + 1));
	}
	if (strncmp(key, "env_", 4) == 0) {
		if (strlen(val) > lim->jl_max_text)
			return (jr_fail(cx, JE_RESOURCE, "%s: too long", what));
		return (jr_env_add(cx, what, key + 4, strlen(key + 4), val));
	}
	if (strcmp(key, "time_limit_secs") == 0 ||
	    strcmp(key, "timeout_secs") == 0 ||
	    strcmp(key, "max_time_secs") == 0) {
		if (jr_number(cx, what, val, 1, 1000000000, &n) == -1)
			return (-1);
		if (cx->have_time && jr->jr_time_limit_secs != n)
			return (jr_fail(cx, JE_INVALID, "%s: a time limit "
			    "given twice with different values", what));
		cx->have_time = 1;
		jr->jr_time_limit_secs = n;
		return (0);
	}
	if (strcmp(key, "memory_mb") == 0 ||
	    strcmp(key, "max_memory_mb") == 0) {
		if (jr_number(cx, what, val, 1, 1000000000, &n) == -1)
			return (-1);
		if (n > lim->jl_memory_max_mb)
			return (jr_fail(cx, JE_RESOURCE, "%s: %lld MB, more "
			    "than the %lld MB we allow", what, n,
			    (long long)lim->jl_memory_max_mb));
		if (cx->have_memory && jr->jr_memory_mb != n)
			return (jr_fail(cx, JE_INVALID, "%s: a memory limit "
			    "given twice with different values", what));
		cx->have_memory = 1;
		jr->jr_memory_mb = n;
		return (0);
	}
	if (strcmp(key, "cpu_limit") == 0 ||
	    strcmp(key, "max_cpu_cores") == 0) {
		double	 d = 0.0;

		if (jr_decimal(cx, what, val, &d) == -1)
			return (-1);
		if (cx->have_cpu && jr->jr_cpu_limit != d)
			return (jr_fail(cx, JE_INVALID, "%s: a CPU limit "
			    "given twice with different values", what));
		cx->have_cpu = 1;
		jr->jr_cpu_limit = d;
		return (0);
	}
	if (strcmp(key, "max_cost_sats") == 0) {
		if (jr_number(cx, what, val, 0, JR_COST_MAX, &n) == -1)
			return (-1);
		if (jr->jr_max_cost_sats != -1 && jr->jr_max_cost_sats != n)
			return (jr_fail(cx, JE_INVALID, "%s: given twice with "
			    "different values", what));
		jr->jr_max_cost_sats = n;
		return (0);
	}
	if (strcmp(key, "focus") == 0) {
		if (jr_dup(cx, what, val, strlen(val), JR_SHORT_MAX, &v) == -1)
			return (-1);
		if (!jr_text_ok(v)) {
			free(v);
			return (jr_fail(cx, JE_INVALID, "%s: control "
			    "character", what));
		}
		return (jr_set(cx, what, &cx->focus_list, v));
	}
	if (jr_indexed(key, "focus_", &n)) {
		if (jr_dup(cx, what, val, strlen(val), JR_SHORT_MAX, &v) == -1)
			return (-1);
		if (!jr_printable(v)) {
			free(v);
			return (jr_fail(cx, JE_INVALID, "%s: not one word",
			    what));
		}
		return (jr_ix_add(cx, what, &cx->focus, n, v));
	}
	if (strcmp(key, "index_types") == 0)
		return (jr_split(cx, what, val, &jr->jr_index_types,
		    JR_SHORT_MAX));
	if (jr_indexed(key, "index_type_", &n)) {
		if (jr_dup(cx, what, val, strlen(val), JR_SHORT_MAX, &v) == -1)
			return (-1);
		return (jr_ix_add(cx, what, &cx->itype, n, v));
	}
	if (strcmp(key, "depth") == 0) {
		if (!jr_printable(val) || strlen(val) > JR_SHORT_MAX)
			return (jr_fail(cx, JE_INVALID, "%s: not one word",
			    what));
		if (jr_dup(cx, what, val, strlen(val), JR_SHORT_MAX, &v) == -1)
			return (-1);
		return (jr_set(cx, what, &jr->jr_depth, v));
	}
	if (strcmp(key, "idempotency_key") == 0) {
		if (!jr_printable(val) || strlen(val) > JR_SHORT_MAX)
			return (jr_fail(cx, JE_INVALID, "%s: not one printable "
			    "word", what));
		if (jr_dup(cx, what, val, strlen(val), JR_SHORT_MAX, &v) == -1)
			return (-1);
		return (jr_set(cx, what, &jr->jr_idempotency_key, v));
	}
	return (0);
}

static int
jr_param_tag(struct jr_ctx *cx, const struct event_tag *t)
{
	const struct event_str	*k, *v;
	char			*key, *val;
	int			 rc;

	if ((k = event_tag_value(t, 1)) == NULL || k->es_len == 0)
		return (jr_fail(cx, JE_INVALID, "param tag without a name"));
	if (jr_dup(cx, "param name", k->es_ptr, k->es_len, JR_SHORT_MAX,
	    &key) == -1)
		return (-1);
	if (!jr_printable(key)) {
		free(key);
		return (jr_fail(cx, JE_INVALID, "param name: not one "
		    "printable word"));
	}
	if ((v = event_tag_value(t, 2)) == NULL) {
		rc = jr_fail(cx, JE_INVALID, "param %s: no value", key);
		free(key);
		return (rc);
	}
	if (v->es_len > cx->lim->jl_max_text) {
		rc = jr_fail(cx, JE_RESOURCE, "param %s: %zu bytes, more "
		    "than the %zu allowed", key, v->es_len,
		    cx->lim->jl_max_text);
		free(key);
		return (rc);
	}
	if (memchr(v->es_ptr, '\0', v->es_len) != NULL) {
		rc = jr_fail(cx, JE_INVALID, "param %s: NUL byte in the "
		    "value", key);
		free(key);
		return (rc);
	}
	val = v->es_ptr;	/* NUL-terminated, and no NUL inside */
	rc = jr_param(cx, key, val);
	free(key);
	return (rc);
}

static int
jr_input_tag(struct jr_ctx *cx, const struct event_tag *t)
{
	const struct event_str	*d, *ty, *mk;
	struct jr_input		*in;
	size_t			 cap;

	if ((d = event_tag_value(t, 1)) == NULL)
		return (jr_fail(cx, JE_INVALID, "i tag without data"));
	ty = event_tag_value(t, 2);
	mk = event_tag_value(t, 4);
	if (cx->nin >= cx->lim->jl_max_list)
		return (jr_fail(cx, JE_RESOURCE, "i: more than %zu inputs",
		    cx->lim->jl_max_list));
	if (cx->nin == cx->incap) {
		cap = cx->incap == 0 ? 4 : cx->incap * 2;
		if ((in = reallocarray(cx->in, cap, sizeof(*in))) == NULL)
			return (jr_nomem(cx));
		cx->in = in;
		cx->incap = cap;
	}
	in = &cx->in[cx->nin++];
	in->in_data = d->es_ptr;
	in->in_len = d->es_len;
	in->in_type = ty != NULL ? ty->es_ptr : "";
	in->in_marker = mk != NULL ? mk->es_ptr : "";
	return (0);
}

static int
jr_relays_tag(struct jr_ctx *cx, const struct event_tag *t)
{
	size_t	 i;
	char	*v;

	for (i = 1; i < t->t_nvals; i++) {
		if (jr_dup(cx, "relays", t->t_vals[i].es_ptr,
		    t->t_vals[i].es_len, JR_URL_MAX, &v) == -1)
			return (-1);
		if (!jr_printable(v)) {
			free(v);
			return (jr_fail(cx, JE_INVALID, "relays: bad URL"));
		}
		if (jr_strv_add(cx, "relays", &cx->jr->jr_relays, v,
		    cx->lim->jl_max_list) == -1)
			return (-1);
	}
	return (0);
}

/* The tags of one source: the event, or the decrypted array. */
static int
jr_tags(struct jr_ctx *cx, const struct nostr_event *ev, int outer)
{
	const struct event_tag	*t;
	const struct event_str	*v;
	struct job_request	*jr = cx->jr;
	long long		 n;
	char			*s;
	size_t			 i;

	for (i = 0; i < ev->ev_ntags; i++) {
		t = &ev->ev_tags[i];
		if (event_str_eq(&t->t_vals[0], "i")) {
			if (jr_input_tag(cx, t) == -1)
				return (-1);
		} else if (event_str_eq(&t->t_vals[0], "param")) {
			if (jr_param_tag(cx, t) == -1)
				return (-1);
		} else if (event_str_eq(&t->t_vals[0], "output")) {
			if ((v = event_tag_value(t, 1)) == NULL)
				continue;
			if (jr_dup(cx, "output", v->es_ptr, v->es_len,
			    JR_SHORT_MAX, &s) == -1 ||
			    jr_set(cx, "output", &jr->jr_output, s) == -1)
				return (-1);
		} else if (event_str_eq(&t->t_vals[0], "relays")) {
			if (jr_relays_tag(cx, t) == -1)
				return (-1);
		} else if (event_str_eq(&t->t_vals[0], "bid")) {
			if ((v = event_tag_value(t, 1)) == NULL ||
			    memchr(v->es_ptr, '\0', v->es_len) != NULL)
				return (jr_fail(cx, JE_INVALID, "bid: no "
				    "amount"));
			if (jr_number(cx, "bid", v->es_ptr, 0, JR_BID_MAX,
			    &n) == -1)
				return (-1);
			jr->jr_bid_msats = n;
		} else if (outer && event_str_eq(&t->t_vals[0], "p")) {
			jr->jr_tagged = 1;
		}
	}
	return (0);
}

static int
jr_p_ours(const struct nostr_event *ev, const uint8_t ourpk[32])
{
	const struct event_tag	*t;
	const struct event_str	*v;
	uint8_t			 pk[32];
	size_t			 pos = 0;

	if (ourpk == NULL)
		return (0);
	while ((t = event_tag_find(ev, "p", &pos)) != NULL) {
		if ((v = event_tag_value(t, 1)) == NULL)
			continue;
		if (hex_decode_any(v->es_ptr, v->es_len, pk, sizeof(pk)) == 0 &&
		    memcmp(pk, ourpk, sizeof(pk)) == 0)
			return (1);
	}
	return (0);
}

/* yajl callbacks for [["name","v",...],...] and nothing else. */
static int
tp_bad(struct jr_tagparse *tp)
{
	tp->bad = 1;
	return (0);
}

static int
tp_null(void *ctx)
{
	return (tp_bad(ctx));
}

static int
tp_bool(void *ctx, int b)
{
	(void)b;
	return (tp_bad(ctx));
}

static int
tp_number(void *ctx, const char *s, size_t n)
{
	(void)s;
	(void)n;
	return (tp_bad(ctx));
}

static int
tp_map(void *ctx)
{
	return (tp_bad(ctx));
}

static int
tp_key(void *ctx, const unsigned char *s, size_t n)
{
	(void)s;
	(void)n;
	return (tp_bad(ctx));
}

/*
 * yajl hands strings over one at a time and keeps none, so the parser
 * copies each value into the tag it builds as it goes: the scratch
 * event grows by one empty tag per inner '[' and by one value per
 * string.
 */
static int
tp_string(void *ctx, const unsigned char *s, size_t n)
{
	struct jr_tagparse	*tp = ctx;
	struct nostr_event	*ev = tp->ev;
	struct event_tag	*t;
	struct event_str	*v;
	size_t			 cap;

	if (tp->depth != 2 || ev->ev_ntags == 0)
		return (tp_bad(tp));
	t = &ev->ev_tags[ev->ev_ntags - 1];
	if (t->t_nvals >= tp->maxvals)
		return (tp_bad(tp));
	if (t->t_nvals == t->t_cap) {
		cap = t->t_cap == 0 ? 4 : t->t_cap * 2;
		if ((v = reallocarray(t->t_vals, cap, sizeof(*v))) == NULL) {
			tp->nomem = 1;
			return (0);
		}
		t->t_vals = v;
		t->t_cap = cap;
	}
	v = &t->t_vals[t->t_nvals];
	if ((v->es_ptr = malloc(n + 1)) == NULL) {
		tp->nomem = 1;
		return (0);
	}
	memcpy(v->es_ptr, s, n);
	v->es_ptr[n] = '\0';
	v->es_len = n;
	t->t_nvals++;
	return (1);
}

static int
tp_start_array(void *ctx)
{
	struct jr_tagparse	*tp = ctx;
	struct nostr_event	*ev = tp->ev;
	struct event_tag	*t;
	size_t			 cap;

	if (tp->depth >= 2)
		return (tp_bad(tp));
	if (++tp->depth < 2)
		return (1);
	if (ev->ev_ntags >= tp->maxtags)
		return (tp_bad(tp));
	if (ev->ev_ntags == ev->ev_tagcap) {
		cap = ev->ev_tagcap == 0 ? 8 : ev->ev_tagcap * 2;
		if ((t = reallocarray(ev->ev_tags, cap, sizeof(*t))) == NULL) {
			tp->nomem = 1;
			return (0);
		}
		ev->ev_tags = t;
		ev->ev_tagcap = cap;
	}
	memset(&ev->ev_tags[ev->ev_ntags++], 0, sizeof(struct event_tag));
	return (1);
}

static int
tp_end_array(void *ctx)
{
	struct jr_tagparse	*tp = ctx;
	struct nostr_event	*ev = tp->ev;

	/* a tag needs its name */
	if (tp->depth == 2 && ev->ev_tags[ev->ev_ntags - 1].t_nvals == 0)
		return (tp_bad(tp));
	tp->depth--;
	return (1);
}

static const yajl_callbacks	 tp_callbacks = {
	tp_null, tp_bool, NULL, NULL, tp_number, tp_string, tp_map,
	tp_key, tp_map, tp_start_array, tp_end_array
};

static int
jr_decrypted(struct jr_ctx *cx, const char *text, size_t len,
    struct nostr_event *ev)
{
	struct jr_tagparse	 tp;
	yajl_handle		 h;
	yajl_status		 st;
	int			 started = 0;
	size_t			 i;

	memset(&tp, 0, sizeof(tp));
	tp.ev = ev;
	tp.maxvals = EVENT_MAX_VALUES;
	tp.maxtags = EVENT_MAX_TAGS;
	for (i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
		    text[i] != '\n')
			break;
	if (i < len && text[i] == '[')
		started = 1;
	if (!started)
		return (jr_fail(cx, JE_INVALID, "encrypted content: not a "
		    "JSON array of tags"));
	if (len > EVENT_MAX_BYTES)
		return (jr_fail(cx, JE_RESOURCE, "encrypted content: %zu "
		    "bytes, more than %d", len, EVENT_MAX_BYTES));
	if ((h = yajl_alloc(&tp_callbacks, NULL, &tp)) == NULL)
		return (jr_nomem(cx));
	st = yajl_parse(h, (const unsigned char *)text, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	yajl_free(h);
	if (tp.nomem)
		return (jr_nomem(cx));
	if (st != yajl_status_ok || tp.bad)
		return (jr_fail(cx, JE_INVALID, "encrypted content: not a "
		    "JSON array of arrays of strings"));
	return (0);
}

static char *
jr_join2(const char *a, const char *sep, const char *b)
{
	char	*s;

	if (asprintf(&s, "%s%s%s", a, sep, b) == -1)
		return (NULL);
	return (s);
}

/* Append one more text input to *slot, blank line in between. */
static int
jr_text_append(struct jr_ctx *cx, const char *what, char **slot,
    const struct jr_input *in, size_t max)
{
	char	*v, *j;

	if (jr_dup(cx, what, in->in_data, in->in_len, max, &v) == -1)
		return (-1);
	if (*slot == NULL) {
		*slot = v;
		return (0);
	}
	if (strlen(*slot) + 2 + strlen(v) > max) {
		free(v);
		return (jr_fail(cx, JE_RESOURCE, "%s: more than %zu bytes",
		    what, max));
	}
	j = jr_join2(*slot, "\n\n", v);
	free(v);
	if (j == NULL)
		return (jr_nomem(cx));
	free(*slot);
	*slot = j;
	return (0);
}

static int
jr_url_input(struct jr_ctx *cx, const char *what, char **slot,
    const struct jr_input *in, int repo)
{
	char	*v;

	if (jr_dup(cx, what, in->in_data, in->in_len, JR_URL_MAX, &v) == -1)
		return (-1);
	if ((repo ? jr_check_repo_url(cx, what, v) :
	    jr_check_url(cx, what, v)) == -1) {
		free(v);
		return (-1);
	}
	return (jr_set(cx, what, slot, v));
}

static int
jr_is_pr_url(const struct jr_input *in)
{
	return (memmem(in->in_data, in->in_len, "/pull/", 6) != NULL ||
	    memmem(in->in_data, in->in_len, "/merge_requests/", 16) != NULL);
}

/* Marked inputs first, then the rest by type and order. */
static int
jr_inputs(struct jr_ctx *cx)
{
	struct job_request	*jr = cx->jr;
	const struct jr_input	*in;
	const size_t		 maxt = cx->lim->jl_max_text;
	size_t			 i, maxd = cx->lim->jl_max_diff;
	int			 url;

	for (i = 0; i < cx->nin; i++) {
		in = &cx->in[i];
		url = strcmp(in->in_type, "url") == 0;
		if (strcmp(in->in_type, "event") == 0 ||
		    strcmp(in->in_type, "job") == 0)
			return (jr_fail(cx, JE_UNSUPPORTED, "i: input type "
			    "%s is not supported", in->in_type));
		if (strcmp(in->in_marker, "repo") == 0) {
			if (jr_url_input(cx, "i repo", &jr->jr_repo_url, in,
			    1) == -1)
				return (-1);
		} else if (strcmp(in->in_marker, "pr") == 0) {
			if (jr_url_input(cx, "i pr", &jr->jr_pr_url, in,
			    0) == -1)
				return (-1);
		} else if (strcmp(in->in_marker, "diff") == 0) {
			if (jr_text_append(cx, "i diff", &jr->jr_diff, in,
			    maxd) == -1)
				return (-1);
		} else if (strcmp(in->in_marker, "issue") == 0) {
			if (url) {
				if (jr_url_input(cx, "i issue",
				    &jr->jr_issue_url, in, 0) == -1)
					return (-1);
			} else if (jr_text_append(cx, "i issue",
			    &jr->jr_issue, in, maxt) == -1)
				return (-1);
		}
	}
	for (i = 0; i < cx->nin; i++) {
		in = &cx->in[i];
		if (strcmp(in->in_marker, "repo") == 0 ||
		    strcmp(in->in_marker, "pr") == 0 ||
		    strcmp(in->in_marker, "diff") == 0 ||
		    strcmp(in->in_marker, "issue") == 0)
			continue;
		url = strcmp(in->in_type, "url") == 0;
		switch (jr->jr_type) {
		case JOB_PATCHGEN:
			if (url && jr->jr_repo_url == NULL) {
				if (jr_url_input(cx, "i url",
				    &jr->jr_repo_url, in, 1) == -1)
					return (-1);
			} else if (url) {
				if (jr->jr_issue_url == NULL &&
				    jr_url_input(cx, "i url",
				    &jr->jr_issue_url, in, 0) == -1)
					return (-1);
			} else if (jr_text_append(cx, "i text",
			    &jr->jr_issue, in, maxt) == -1)
				return (-1);
			break;
		case JOB_CODEREVIEW:
			if (url && jr_is_pr_url(in)) {
				if (jr->jr_pr_url == NULL && jr_url_input(cx,
				    "i url", &jr->jr_pr_url, in, 0) == -1)
					return (-1);
			} else if (url) {
				if (jr->jr_repo_url == NULL && jr_url_input(cx,
				    "i url", &jr->jr_repo_url, in, 1) == -1)
					return (-1);
			} else if (jr->jr_diff == NULL) {
				if (jr_dup(cx, "i text", in->in_data,
				    in->in_len, maxd, &jr->jr_diff) == -1)
					return (-1);
			} else if (in->in_len > maxt)
				return (jr_fail(cx, JE_RESOURCE, "i text: "
				    "%zu bytes, more than %zu", in->in_len,
				    maxt));
			break;
		case JOB_TEXTGEN:
			if (jr_text_append(cx, "i text", &jr->jr_prompt, in,
			    maxt) == -1)
				return (-1);
			break;
		default:	/* RepoIndex, SandboxRun: the repository */
			if (url && jr->jr_repo_url == NULL) {
				if (jr_url_input(cx, "i url",
				    &jr->jr_repo_url, in, 1) == -1)
					return (-1);
			} else if (in->in_len > maxt)
				return (jr_fail(cx, JE_RESOURCE, "i: %zu bytes, "
				    "more than %zu", in->in_len, maxt));
			break;
		}
	}
	return (0);
}

/* The indexed and comma-list params into their fields. */
static int
jr_collect(struct jr_ctx *cx)
{
	struct job_request	*jr = cx->jr;
	char			*s, *j;

	if (jr_ix_move(cx, "param include_N", &cx->include,
	    &jr->jr_allowed) == -1 ||
	    jr_ix_move(cx, "param exclude_N", &cx->exclude,
	    &jr->jr_disallowed) == -1 ||
	    jr_ix_move(cx, "param index_type_N", &cx->itype,
	    &jr->jr_index_types) == -1)
		return (-1);
	if (jr_ix_join(cx, "param cmd_N", &cx->cmd, " && ",
	    cx->lim->jl_max_text, &s) == -1)
		return (-1);
	if (s != NULL) {
		if (jr->jr_command != NULL) {
			free(s);
			return (jr_fail(cx, JE_INVALID, "param cmd_N: "
			    "given with param command"));
		}
		jr->jr_command = s;
	}
	if (jr_ix_join(cx, "param focus_N", &cx->focus, ",", JR_SHORT_MAX,
	    &s) == -1)
		return (-1);
	if (s != NULL && cx->focus_list != NULL) {
		j = jr_join2(cx->focus_list, ",", s);
		free(s);
		if (j == NULL)
			return (jr_nomem(cx));
		s = j;
	} else if (s == NULL) {
		s = cx->focus_list;
		cx->focus_list = NULL;
	}
	jr->jr_focus = s;
	if (jr->jr_repo_ref == NULL && cx->head_ref != NULL) {
		jr->jr_repo_ref = cx->head_ref;
		cx->head_ref = NULL;
	}
	return (0);
}

static int
jr_defaults(struct jr_ctx *cx)
{
	struct job_request	*jr = cx->jr;
	const struct job_limits	*lim = cx->lim;

	if (!cx->have_time)
		jr->jr_time_limit_secs = jr->jr_type == JOB_PATCHGEN ||
		    jr->jr_type == JOB_REPOINDEX ? 900 : 300;
	if (jr->jr_time_limit_secs < lim->jl_time_min)
		jr->jr_time_limit_secs = lim->jl_time_min;
	if (jr->jr_time_limit_secs > lim->jl_time_max)
		jr->jr_time_limit_secs = lim->jl_time_max;
	if (!cx->have_memory)
		jr->jr_memory_mb = JR_DEFAULT_MEMORY_MB <
		    lim->jl_memory_max_mb ? JR_DEFAULT_MEMORY_MB :
		    lim->jl_memory_max_mb;
	if (!cx->have_cpu)
		jr->jr_cpu_limit = JR_DEFAULT_CPU;
	if (jr->jr_target_branch == NULL &&
	    (jr->jr_target_branch = strdup("main")) == NULL)
		return (jr_nomem(cx));
	if (jr->jr_type == JOB_REPOINDEX && jr->jr_repo_ref == NULL &&
	    (jr->jr_repo_ref = strdup("main")) == NULL)
		return (jr_nomem(cx));
	return (0);
}

/* What each type cannot do without. */
static int
jr_required(struct jr_ctx *cx, const struct nostr_event *ev)
{
	struct job_request	*jr = cx->jr;

	switch (jr->jr_type) {
	case JOB_PATCHGEN:
		if (jr->jr_repo_url == NULL)
			return (jr_fail(cx, JE_INVALID, "PatchGen needs the "
			    "repository as an i url input"));
		if (jr->jr_repo_ref == NULL)
			return (jr_fail(cx, JE_INVALID, "PatchGen needs param "
			    "repo_ref"));
		if (jr->jr_issue == NULL)
			return (jr_fail(cx, JE_INVALID, "PatchGen needs the "
			    "issue as an i text input"));
		break;
	case JOB_CODEREVIEW:
		if (jr->jr_diff == NULL || jr->jr_diff[0] == '\0')
			return (jr_fail(cx, JE_INVALID, "CodeReview needs the "
			    "diff as an i text input"));
		break;
	case JOB_SANDBOXRUN:
		if (jr->jr_repo_url == NULL)
			return (jr_fail(cx, JE_INVALID, "SandboxRun needs the "
			    "repository as an i url input"));
		if (jr->jr_repo_ref == NULL)
			return (jr_fail(cx, JE_INVALID, "SandboxRun needs "
			    "param repo_ref"));
		if (jr->jr_command == NULL || jr->jr_command[0] == '\0')
			return (jr_fail(cx, JE_INVALID, "SandboxRun needs "
			    "param command"));
		break;
	case JOB_REPOINDEX:
		if (jr->jr_repo_url == NULL)
			return (jr_fail(cx, JE_INVALID, "RepoIndex needs the "
			    "repository as an i url input"));
		break;
	case JOB_TEXTGEN:
		/* NIP-90 DVMs take the content when there is no input */
		if (jr->jr_prompt == NULL && !jr->jr_encrypted &&
		    ev->ev_content != NULL && ev->ev_contentlen > 0 &&
		    jr_dup(cx, "content", ev->ev_content, ev->ev_contentlen,
		    cx->lim->jl_max_text, &jr->jr_prompt) == -1)
			return (-1);
		if (jr->jr_prompt == NULL)
			return (jr_fail(cx, JE_INVALID, "TextGen needs the "
			    "prompt as an i text input"));
		break;
	}
	return (0);
}

static int
jr_type_of(uint32_t kind)
{
	switch (kind) {
	case 5932:
		return (JOB_PATCHGEN);
	case 5933:
		return (JOB_CODEREVIEW);
	case 5931:
		return (JOB_REPOINDEX);
	case 5930:
		return (JOB_SANDBOXRUN);
	case 5050:
		return (JOB_TEXTGEN);
	default:
		return (-1);
	}
}

int
job_request_parse(const struct nostr_event *ev, const char *tags_json,
    size_t tags_len, const uint8_t ourpk[32], const struct job_limits *lim,
    struct job_request *jr, int *code, char *err, size_t errlen)
{
	struct job_limits	 deflim;
	struct nostr_event	 dec;
	struct jr_ctx		 cx;
	int			 rc = -1;

	memset(jr, 0, sizeof(*jr));
	jr->jr_max_cost_sats = -1;
	jr->jr_bid_msats = -1;
	nostr_event_init(&dec, 0, 0);
	if (lim == NULL) {
		job_limits_default(&deflim);
		lim = &deflim;
	}
	memset(&cx, 0, sizeof(cx));
	cx.jr = jr;
	cx.lim = lim;
	cx.err = err;
	cx.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	memcpy(jr->jr_id, ev->ev_id, sizeof(jr->jr_id));
	memcpy(jr->jr_buyer, ev->ev_pubkey, sizeof(jr->jr_buyer));
	jr->jr_kind = ev->ev_kind;
	jr->jr_created_at = ev->ev_created_at;
	if ((jr->jr_type = jr_type_of(ev->ev_kind)) == -1) {
		(void)jr_fail(&cx, JE_UNSUPPORTED, "kind %u is not a job we "
		    "know", ev->ev_kind);
		goto done;
	}
	jr->jr_for_us = jr_p_ours(ev, ourpk);
	if (job_request_is_encrypted(ev)) {
		jr->jr_encrypted = ev->ev_content != NULL &&
		    memmem(ev->ev_content, ev->ev_contentlen, "?iv=", 4) !=
		    NULL ? JOB_NIP04 : JOB_NIP44;
		if (tags_json == NULL) {
			(void)jr_fail(&cx, JE_INVALID, "encrypted: the "
			    "request was not decrypted");
			goto done;
		}
	}
	if (jr_tags(&cx, ev, 1) == -1)
		goto done;
	if (tags_json != NULL) {
		if (jr_decrypted(&cx, tags_json, tags_len, &dec) == -1 ||
		    jr_tags(&cx, &dec, 0) == -1)
			goto done;
	}
	if (jr_inputs(&cx) == -1 || jr_collect(&cx) == -1 ||
	    jr_required(&cx, ev) == -1 || jr_defaults(&cx) == -1)
		goto done;
	rc = 0;
 done:
	free(cx.in);
	jr_ix_free(&cx.cmd);
	jr_ix_free(&cx.include);
	jr_ix_free(&cx.exclude);
	jr_ix_free(&cx.focus);
	jr_ix_free(&cx.itype);
	free(cx.head_ref);
	free(cx.focus_list);
	nostr_event_free(&dec);
	if (code != NULL)
		*code = rc == 0 ? JE_NONE : cx.code;
	return (rc);
}

void
job_request_free(struct job_request *jr)
{
	if (jr == NULL)
		return;
	free(jr->jr_repo_url);
	free(jr->jr_repo_ref);
	free(jr->jr_target_branch);
	free(jr->jr_subdir);
	free(jr->jr_issue);
	free(jr->jr_issue_url);
	free(jr->jr_diff);
	free(jr->jr_pr_url);
	free(jr->jr_focus);
	free(jr->jr_depth);
	jr_strv_free(&jr->jr_allowed);
	jr_strv_free(&jr->jr_disallowed);
	free(jr->jr_test_command);
	jr_strv_free(&jr->jr_verify_cmds);
	free(jr->jr_command);
	jr_strv_free(&jr->jr_env);
	free(jr->jr_workdir);
	free(jr->jr_prompt);
	free(jr->jr_output);
	jr_strv_free(&jr->jr_relays);
	jr_strv_free(&jr->jr_index_types);
	free(jr->jr_idempotency_key);
	memset(jr, 0, sizeof(*jr));
	jr->jr_max_cost_sats = -1;
	jr->jr_bid_msats = -1;
}
