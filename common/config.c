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
 * The configuration model over the TOML tree.  Every section has a
 * handler that knows its keys; anything it does not know is an error,
 * and so is a wrong type or a value out of range.  Errors read
 *
 *	FILE:LINE: key 'section.key': reason
 *	FILE:LINE: unknown section 'name'
 *	FILE:LINE: reason			(TOML syntax)
 *
 * A parse works on a copy: the caller's struct changes only when the
 * whole file is good, so a failed reload keeps the running settings.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "config.h"
#include "toml.h"

#define CONF_FILE_MAX	(1024 * 1024)		/* bytes in a config file */
#define CONF_SATS_MAX	2100000000000000LL	/* every bitcoin there is */
#define CONF_SHOW	64			/* bytes quoted in messages */

struct cfctx {
	const char	*name;		/* file name for messages */
	char		*err;
	size_t		 errlen;
	struct conf	*c;
	const char	*section;	/* "worker", "pricing.PatchGen" */
	char		 secbuf[CONF_STR];
	int		 l_provider;	/* line of tunnel.provider */
	int		 l_backend;	/* line of agent.backend */
};

struct section {
	const char	*name;
	int		(*fn)(struct cfctx *, const struct toml_kv *);
};

static const char *const job_type_names[JOB_TYPE_MAX] = {
	"PatchGen", "CodeReview", "RepoIndex", "SandboxRun", "TextGen"
};
static const int job_type_kinds[JOB_TYPE_MAX] = {
	5932, 5933, 5931, 5930, 5050
};
static const char *const isolation_names[] = {
	"local", "container", "gvisor", "firecracker"
};
static const char *const tunnel_names[] = {
	"ngrok", "cloudflare", "nostr", "manual"
};
static const char *const schedule_names[] = {
	"always", "schedule", "manual"
};
static const char *const agent_names[] = {
	"codex", "claude", "command"
};
static const char *const payment_names[] = {
	"pay_after_verify", "pay_first", "free"
};
static const char *const wallet_names[] = {
	"nwc"
};
/* bit 0 = Sunday, as c_weekdays */
static const char *const weekday_names[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

typedef int	(*str_check)(const char *, char *, size_t);

static const char *show(char *, size_t, const char *, size_t);
static int	cf_error(struct cfctx *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static int	key_error(struct cfctx *, const struct toml_kv *, int,
		    const char *, ...)
		    __attribute__((__format__ (printf, 4, 5)));
static int	type_error(struct cfctx *, const struct toml_kv *,
		    const struct toml_value *, const char *);
static int	names_join(char *, size_t, const char *const *, size_t);
static int	is_key(const struct toml_kv *, const char *);
static int	str_ok(struct cfctx *, const struct toml_kv *,
		    const struct toml_value *, size_t);
static int	get_str(struct cfctx *, const struct toml_kv *, char *,
		    size_t, str_check);
static int	get_int(struct cfctx *, const struct toml_kv *, int64_t,
		    int64_t, int64_t *);
static int	get_enum(struct cfctx *, const struct toml_kv *,
		    const char *const *, size_t, int *);
static int	get_list(struct cfctx *, const struct toml_kv *,
		    struct conf_strlist *, size_t, size_t, int, str_check);
static int	get_names(struct cfctx *, const struct toml_kv *,
		    const char *const *, size_t, const char *,
		    unsigned int *);
static int	unknown_key(struct cfctx *, const struct toml_kv *);
static int	check_npub(const char *, char *, size_t);
static int	check_nonempty(const char *, char *, size_t);
static int	check_path(const char *, char *, size_t);
static int	check_path_opt(const char *, char *, size_t);
static int	check_host(const char *, char *, size_t);
static int	url_check(const char *, const char *const *, size_t, char *,
		    size_t);
static int	check_relay(const char *, char *, size_t);
static int	check_endpoint(const char *, char *, size_t);
static int	check_webhook(const char *, char *, size_t);
static int	check_upstream(const char *, char *, size_t);
static int	check_email(const char *, char *, size_t);
static int	check_timezone(const char *, char *, size_t);
static int	check_envname(const char *, char *, size_t);
static int	hours_parse(const char *, int *, int *);
static int	sec_identity(struct cfctx *, const struct toml_kv *);
static int	sec_worker(struct cfctx *, const struct toml_kv *);
static int	sec_tunnel(struct cfctx *, const struct toml_kv *);
static int	sec_relays(struct cfctx *, const struct toml_kv *);
static int	sec_schedule(struct cfctx *, const struct toml_kv *);
static int	sec_alerts(struct cfctx *, const struct toml_kv *);
static int	sec_agent(struct cfctx *, const struct toml_kv *);
static int	sec_wallet(struct cfctx *, const struct toml_kv *);
static int	sec_payments(struct cfctx *, const struct toml_kv *);
static int	sec_limits(struct cfctx *, const struct toml_kv *);
static int	sec_proxy(struct cfctx *, const struct toml_kv *);
static int	pricing_table(struct cfctx *, const struct toml_kv *,
		    struct conf_pricing *);
static int	sec_pricing(struct cfctx *, const struct toml_kv *);
static int	section_run(struct cfctx *, const struct toml_kv *,
		    const char *, int (*)(struct cfctx *,
		    const struct toml_kv *));
static void	strlist_set(struct conf_strlist *, const char *const *,
		    size_t);

static const struct section sections[] = {
	{ "identity",	sec_identity },
	{ "worker",	sec_worker },
	{ "pricing",	sec_pricing },
	{ "tunnel",	sec_tunnel },
	{ "relays",	sec_relays },
	{ "schedule",	sec_schedule },
	{ "alerts",	sec_alerts },
	{ "agent",	sec_agent },
	{ "wallet",	sec_wallet },
	{ "payments",	sec_payments },
	{ "limits",	sec_limits },
	{ "proxy",	sec_proxy },
};

static void
strlist_set(struct conf_strlist *l, const char *const *v, size_t n)
{
	size_t	 i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < n && i < CONF_MAX_LIST; i++)
		(void)strlcpy(l->v[i], v[i], sizeof(l->v[i]));
	l->n = i;
}

void
config_defaults(struct conf *c)
{
	static const char *const tools[] = {
		"Read", "Write", "Edit", "Bash", "Glob", "Grep"
	};
	static const char *const relays[] = {
		"wss://relay.damus.io", "wss://nos.lol",
		"wss://relay.nostr.band"
	};
	static const char *const allow[] = { "api.openai.com" };
	static const struct conf_pricing prices[JOB_TYPE_MAX] = {
		{ 0, 3000, 100, 0, 20000, 0 },	/* PatchGen */
		{ 0, 2000, 50, 0, 15000, 0 },	/* CodeReview */
		{ 0, 500, 0, 8, 10000, 0 },	/* RepoIndex */
		{ 0, 200, 0, 0, 20000, 0 },	/* SandboxRun */
		{ 0, 100, 0, 0, 5000, 0 },	/* TextGen */
	};

	memset(c, 0, sizeof(*c));

	c->c_capacity = 1;
	c->c_job_types = (1U << JOB_PATCHGEN) | (1U << JOB_CODEREVIEW);
	c->c_isolation = ISOLATION_CONTAINER;
	(void)strlcpy(c->c_model_pattern, "*", sizeof(c->c_model_pattern));
	c->c_max_context_tokens = 200000;
	strlist_set(&c->c_allowed_tools, tools, NITEMS(tools));

	memcpy(c->c_pricing, prices, sizeof(c->c_pricing));

	c->c_tunnel = TUNNEL_NOSTR;
	strlist_set(&c->c_proxy_allowlist, allow, NITEMS(allow));

	strlist_set(&c->c_relays, relays, NITEMS(relays));

	c->c_schedule = SCHEDULE_ALWAYS;
	c->c_weekdays = 0x3e;		/* Mon to Fri */
	c->c_hours_from = 0;
	c->c_hours_to = 24 * 60;
	(void)strlcpy(c->c_timezone, "UTC", sizeof(c->c_timezone));

	c->c_alert_success_rate = 90.0;
	c->c_alert_min_interval = 300;

	c->c_agent = AGENT_CODEX;

	(void)strlcpy(c->c_wallet_backend, "nwc",
	    sizeof(c->c_wallet_backend));
	c->c_invoice_expiry_secs = 3600;
	c->c_wallet_timeout_secs = 20;
	c->c_wallet_outage_secs = 600;
	c->c_wallet_poll_secs = 10;

	c->c_payment_mode = PAYMENT_PAY_AFTER_VERIFY;

	c->c_limit_event_bytes = 262144;
	c->c_limit_repo_bytes = 512LL * 1024 * 1024;
	c->c_limit_time_secs = 1800;
	c->c_limit_memory_mb = 4096;
	c->c_limit_pids = 256;
	c->c_limit_disk_mb = 2048;

	(void)strlcpy(c->c_proxy_upstream, "https://api.openai.com",
	    sizeof(c->c_proxy_upstream));
	(void)strlcpy(c->c_proxy_api_key_env, "OPENAI_API_KEY",
	    sizeof(c->c_proxy_api_key_env));
	c->c_proxy_requests_per_minute = 60;
	c->c_proxy_daily_requests = 5000;
}

/* Text fit for a message: control bytes become '?', long text is cut. */
static const char *
show(char *buf, size_t bufsz, const char *s, size_t n)
{
	size_t	 i, cut = n;

	if (cut > CONF_SHOW) {
		cut = CONF_SHOW;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	if (cut + 4 > bufsz)
		cut = 0;
	for (i = 0; i < cut; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ?
		    '?' : s[i];
	buf[i] = '\0';
	if (cut < n)
		(void)strlcat(buf, "...", bufsz);
	return (buf);
}

static int
cf_error(struct cfctx *cx, int line, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (cx->err == NULL || cx->errlen == 0)
		return (-1);
	n = snprintf(cx->err, cx->errlen, "%s:%d: ", cx->name, line);
	if (n < 0 || (size_t)n >= cx->errlen)
		return (-1);
	va_start(ap, fmt);
	(void)vsnprintf(cx->err + n, cx->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return (-1);
}

/* "FILE:LINE: key 'section.key': reason"; line 0 means the key's. */
static int
key_error(struct cfctx *cx, const struct toml_kv *kv, int line,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 k[CONF_SHOW + 4];
	int	 n;

	if (cx->err == NULL || cx->errlen == 0)
		return (-1);
	n = snprintf(cx->err, cx->errlen, "%s:%d: key '%s%s%s': ", cx->name,
	    line != 0 ? line : kv->line, cx->section,
	    cx->section[0] != '\0' ? "." : "",
	    show(k, sizeof(k), kv->key, kv->keylen));
	if (n < 0 || (size_t)n >= cx->errlen)
		return (-1);
	va_start(ap, fmt);
	(void)vsnprintf(cx->err + n, cx->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return (-1);
}

static int
type_error(struct cfctx *cx, const struct toml_kv *kv,
    const struct toml_value *v, const char *want)
{
	return (key_error(cx, kv, v->line, "expected %s, got %s", want,
	    toml_type_name(v->type)));
}

static int
names_join(char *buf, size_t len, const char *const *names, size_t n)
{
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			(void)strlcat(buf, ", ", len);
		(void)strlcat(buf, names[i], len);
	}
	return (0);
}

static int
is_key(const struct toml_kv *kv, const char *name)
{
	return (kv->keylen == strlen(name) && strcmp(kv->key, name) == 0);
}

/* A string value that fits size bytes with its NUL, and is plain text. */
static int
str_ok(struct cfctx *cx, const struct toml_kv *kv, const struct toml_value *v,
    size_t size)
{
	size_t	 i;

	if (v->type != TOML_STRING)
		return (type_error(cx, kv, v, "string"));
	if (v->u.string.len >= size)
		return (key_error(cx, kv, v->line, "too long (at most %zu "
		    "bytes)", size - 1));
	for (i = 0; i < v->u.string.len; i++)
		if ((unsigned char)v->u.string.s[i] < 0x20 ||
		    v->u.string.s[i] == 0x7f)
			return (key_error(cx, kv, v->line, "control character "
			    "in string"));
	return (0);
}

static int
get_str(struct cfctx *cx, const struct toml_kv *kv, char *buf, size_t size,
    str_check check)
{
	char	 why[128];

	if (str_ok(cx, kv, kv->val, size) == -1)
		return (-1);
	if (check != NULL && check(kv->val->u.string.s, why,
	    sizeof(why)) == -1)
		return (key_error(cx, kv, kv->val->line, "%s", why));
	(void)strlcpy(buf, kv->val->u.string.s, size);
	return (0);
}

static int
get_int(struct cfctx *cx, const struct toml_kv *kv, int64_t min, int64_t max,
    int64_t *out)
{
	const struct toml_value	*v = kv->val;

	if (v->type != TOML_INTEGER)
		return (type_error(cx, kv, v, "integer"));
	if (v->u.integer < min || v->u.integer > max)
		return (key_error(cx, kv, v->line, "%lld is out of range "
		    "(%lld to %lld)", (long long)v->u.integer,
		    (long long)min, (long long)max));
	*out = v->u.integer;
	return (0);
}

static int
get_enum(struct cfctx *cx, const struct toml_kv *kv,
    const char *const *names, size_t n, int *out)
{
	const struct toml_value	*v = kv->val;
	char			 all[256], s[CONF_SHOW + 4];
	size_t			 i;

	if (v->type != TOML_STRING)
		return (type_error(cx, kv, v, "string"));
	for (i = 0; i < n; i++)
		if (v->u.string.len == strlen(names[i]) &&
		    strcmp(v->u.string.s, names[i]) == 0) {
			*out = (int)i;
			return (0);
		}
	(void)names_join(all, sizeof(all), names, n);
	return (key_error(cx, kv, v->line, "invalid value '%s' (expected "
	    "one of: %s)", show(s, sizeof(s), v->u.string.s,
	    v->u.string.len), all));
}

/*
 * An array of strings into l: between min and max entries, each checked
 * by check, duplicates refused when nodup is set.  l changes only when
 * the whole array is good.
 */
static int
get_list(struct cfctx *cx, const struct toml_kv *kv, struct conf_strlist *l,
    size_t min, size_t max, int nodup, str_check check)
{
	const struct toml_value	*v = kv->val, *e;
	struct conf_strlist	*nl;
	char			 why[128], s[CONF_SHOW + 4];
	size_t			 i, j;

	if (v->type != TOML_ARRAY)
		return (type_error(cx, kv, v, "array of strings"));
	if (max > CONF_MAX_LIST)
		max = CONF_MAX_LIST;
	if (v->u.array.n < min || v->u.array.n > max) {
		if (min == max)
			return (key_error(cx, kv, v->line, "needs %zu "
			    "entries", min));
		if (v->u.array.n < min && min == 1)
			return (key_error(cx, kv, v->line, "must not be "
			    "empty"));
		return (key_error(cx, kv, v->line, "has %zu entries (%zu to "
		    "%zu allowed)", v->u.array.n, min, max));
	}
	if ((nl = calloc(1, sizeof(*nl))) == NULL)
		return (key_error(cx, kv, v->line, "out of memory"));
	for (i = 0; i < v->u.array.n; i++) {
		e = v->u.array.v[i];
		if (e->type != TOML_STRING) {
			free(nl);
			return (key_error(cx, kv, e->line, "expected array of "
			    "strings, got %s in it", toml_type_name(e->type)));
		}
		if (str_ok(cx, kv, e, sizeof(nl->v[i])) == -1) {
			free(nl);
			return (-1);
		}
		if (check != NULL && check(e->u.string.s, why,
		    sizeof(why)) == -1) {
			free(nl);
			return (key_error(cx, kv, e->line, "%s", why));
		}
		for (j = 0; nodup && j < i; j++)
			if (strcmp(nl->v[j], e->u.string.s) == 0) {
				free(nl);
				return (key_error(cx, kv, e->line, "duplicate "
				    "entry '%s'", show(s, sizeof(s),
				    e->u.string.s, e->u.string.len)));
			}
		(void)strlcpy(nl->v[i], e->u.string.s, sizeof(nl->v[i]));
	}
	nl->n = v->u.array.n;
	*l = *nl;
	free(nl);
	return (0);
}

/* A non-empty array of distinct names from a fixed set, as bits. */
static int
get_names(struct cfctx *cx, const struct toml_kv *kv,
    const char *const *names, size_t n, const char *what, unsigned int *out)
{
	const struct toml_value	*v = kv->val, *e;
	char			 all[256], s[CONF_SHOW + 4];
	unsigned int		 bits = 0;
	size_t			 i, j;

	if (v->type != TOML_ARRAY)
		return (type_error(cx, kv, v, "array of strings"));
	if (v->u.array.n == 0)
		return (key_error(cx, kv, v->line, "must not be empty"));
	for (i = 0; i < v->u.array.n; i++) {
		e = v->u.array.v[i];
		if (e->type != TOML_STRING)
			return (key_error(cx, kv, e->line, "expected array of "
			    "strings, got %s in it", toml_type_name(e->type)));
		for (j = 0; j < n; j++)
			if (e->u.string.len == strlen(names[j]) &&
			    strcmp(e->u.string.s, names[j]) == 0)
				break;
		show(s, sizeof(s), e->u.string.s, e->u.string.len);
		if (j == n) {
			(void)names_join(all, sizeof(all), names, n);
			return (key_error(cx, kv, e->line, "unknown %s '%s' "
			    "(expected one of: %s)", what, s, all));
		}
		if (bits & (1U << j))
			return (key_error(cx, kv, e->line, "duplicate %s '%s'",
			    what, s));
		bits |= 1U << j;
	}
	*out = bits;
	return (0);
}

static int
unknown_key(struct cfctx *cx, const struct toml_kv *kv)
{
	return (key_error(cx, kv, 0, "unknown key"));
}

/*
 * Value checks: 0 when fine, else -1 with the reason in why.
 */

static int
check_npub(const char *s, char *why, size_t len)
{
	if (*s != '\0' && strncmp(s, "npub1", 5) != 0) {
		(void)strlcpy(why, "must be an npub1... key", len);
		return (-1);
	}
	return (0);
}

static int
check_nonempty(const char *s, char *why, size_t len)
{
	if (*s == '\0') {
		(void)strlcpy(why, "must not be empty", len);
		return (-1);
	}
	return (0);
}

/* An absolute path without "." or ".." parts. */
static int
check_path(const char *s, char *why, size_t len)
{
	const char	*p;
	size_t		 n;

	if (*s != '/') {
		(void)snprintf(why, len, "'%.*s' is not an absolute path",
		    CONF_SHOW, s);
		return (-1);
	}
	for (p = s; *p != '\0'; p += n) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			(void)snprintf(why, len, "'%.*s' has a '.' or '..' "
			    "part", CONF_SHOW, s);
			return (-1);
		}
	}
	return (0);
}

static int
check_path_opt(const char *s, char *why, size_t len)
{
	return (*s == '\0' ? 0 : check_path(s, why, len));
}

/* A DNS name: dot-separated labels of letters, digits and hyphens. */
static int
check_host(const char *s, char *why, size_t len)
{
	const char	*p;
	size_t		 n;

	if (*s == '\0' || strlen(s) > 253)
		goto bad;
	for (p = s;; p++) {
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
			goto bad;
		p += n;
		if (*p == '\0')
			return (0);
		if (*p != '.')
			goto bad;
	}
 bad:
	(void)snprintf(why, len, "'%.*s' is not a host name", CONF_SHOW, s);
	return (-1);
}

/* scheme://authority[/...], printable ASCII, no blanks. */
static int
url_check(const char *s, const char *const *schemes, size_t n, char *why,
    size_t len)
{
	const char	*p;
	char		 all[64];
	size_t		 i, sl;

	for (i = 0; i < n; i++) {
		sl = strlen(schemes[i]);
		if (strncmp(s, schemes[i], sl) == 0 &&
		    strncmp(s + sl, "://", 3) == 0)
			break;
	}
	if (i == n) {
		all[0] = '\0';
		for (i = 0; i < n; i++) {
			if (i > 0)
				(void)strlcat(all, i + 1 == n ? " or " : ", ",
				    sizeof(all));
			(void)strlcat(all, schemes[i], sizeof(all));
			(void)strlcat(all, "://", sizeof(all));
		}
		(void)snprintf(why, len, "'%.*s' is not a %s URL", CONF_SHOW,
		    s, all);
		return (-1);
	}
	p = s + sl + 3;
	if (*p == '\0' || *p == '/' || *p == '?' || *p == '#') {
		(void)snprintf(why, len, "'%.*s' has no host", CONF_SHOW, s);
		return (-1);
	}
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			(void)snprintf(why, len, "'%.*s' has a blank or "
			    "non-ASCII character", CONF_SHOW, s);
			return (-1);
		}
	return (0);
}

static int
check_relay(const char *s, char *why, size_t len)
{
	static const char *const ws[] = { "ws", "wss" };

	return (url_check(s, ws, NITEMS(ws), why, len));
}

static int
check_endpoint(const char *s, char *why, size_t len)
{
	static const char *const any[] = { "ws", "wss", "http", "https" };

	if (*s == '\0')
		return (0);
	return (url_check(s, any, NITEMS(any), why, len));
}

static int
check_webhook(const char *s, char *why, size_t len)
{
	static const char *const web[] = { "http", "https" };

	if (*s == '\0')
		return (0);
	return (url_check(s, web, NITEMS(web), why, len));
}

/* The model API the proxy forwards to: TLS only, the key goes there. */
static int
check_upstream(const char *s, char *why, size_t len)
{
	static const char *const tls[] = { "https" };

	return (url_check(s, tls, NITEMS(tls), why, len));
}

static int
check_email(const char *s, char *why, size_t len)
{
	const char	*at, *p;

	if (*s == '\0')
		return (0);
	at = strchr(s, '@');
	if (at == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		goto bad;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			goto bad;
	return (0);
 bad:
	(void)snprintf(why, len, "'%.*s' is not an e-mail address",
	    CONF_SHOW, s);
	return (-1);
}

/* An IANA zone name such as America/Los_Angeles or Etc/GMT+5. */
static int
check_timezone(const char *s, char *why, size_t len)
{
	const char	*p;
	size_t		 n;

	if (*s == '\0' || s[strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_+-.")] != '\0')
		goto bad;
	for (p = s;; p++) {
		n = strcspn(p, "/");
		if (n == 0 || p[0] == '.')
			goto bad;
		p += n;
		if (*p == '\0')
			return (0);
	}
 bad:
	(void)snprintf(why, len, "'%.*s' is not a time zone name",
	    CONF_SHOW, s);
	return (-1);
}

static int
check_envname(const char *s, char *why, size_t len)
{
	if ((*s < 'A' || *s > 'Z') && (*s < 'a' || *s > 'z') && *s != '_')
		goto bad;
	if (s[strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] != '\0')
		goto bad;
	return (0);
 bad:
	(void)snprintf(why, len, "'%.*s' is not an environment variable name",
	    CONF_SHOW, s);
	return (-1);
}

/* "HH:MM-HH:MM"; the end may be 24:00.  Minutes after midnight. */
static int
hours_parse(const char *s, int *from, int *to)
{
	int	 v[4], i, j;

	if (strlen(s) != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':')
		return (-1);
	for (i = 0; i < 4; i++) {
		j = i * 3;
		if (s[j] < '0' || s[j] > '9' || s[j + 1] < '0' ||
		    s[j + 1] > '9')
			return (-1);
		v[i] = (s[j] - '0') * 10 + (s[j + 1] - '0');
	}
	if (v[0] > 23 || v[1] > 59 || v[2] > 24 || v[3] > 59 ||
	    (v[2] == 24 && v[3] != 0))
		return (-1);
	*from = v[0] * 60 + v[1];
	*to = v[2] * 60 + v[3];
	return (0);
}

static int
sec_identity(struct cfctx *cx, const struct toml_kv *kv)
{
	if (is_key(kv, "pubkey"))
		return (get_str(cx, kv, cx->c->c_pubkey,
		    sizeof(cx->c->c_pubkey), check_npub));
	return (unknown_key(cx, kv));
}

static int
sec_worker(struct cfctx *cx, const struct toml_kv *kv)
{
	struct conf	*c = cx->c;
	int		 e;

	if (is_key(kv, "capacity"))
		return (get_int(cx, kv, 1, 256, &c->c_capacity));
	if (is_key(kv, "job_types"))
		return (get_names(cx, kv, job_type_names, JOB_TYPE_MAX,
		    "job type", &c->c_job_types));
	if (is_key(kv, "isolation")) {
		if (get_enum(cx, kv, isolation_names, NITEMS(isolation_names),
		    &e) == -1)
			return (-1);
		c->c_isolation = (enum isolation_mode)e;
		return (0);
	}
	if (is_key(kv, "model_pattern"))
		return (get_str(cx, kv, c->c_model_pattern,
		    sizeof(c->c_model_pattern), check_nonempty));
	if (is_key(kv, "max_context_tokens"))
		return (get_int(cx, kv, 1, 10000000,
		    &c->c_max_context_tokens));
	if (is_key(kv, "allowed_tools"))
		return (get_list(cx, kv, &c->c_allowed_tools, 0,
		    CONF_MAX_LIST, 1, check_nonempty));
	if (is_key(kv, "allow_local_repos"))
		return (get_list(cx, kv, &c->c_allow_local_repos, 0,
		    CONF_MAX_LIST, 1, check_path));
	return (unknown_key(cx, kv));
}

/* One [pricing.JobType] table. */
static int
pricing_table(struct cfctx *cx, const struct toml_kv *tkv,
    struct conf_pricing *pr)
{
	const struct toml_value	*t = tkv->val;
	const struct toml_kv	*kv, *kbase = NULL, *kmax = NULL;
	size_t			 i;
	int			 rv;

	pr->set = 1;
	for (i = 0; i < t->u.table.n; i++) {
		kv = &t->u.table.kv[i];
		if (is_key(kv, "base")) {
			rv = get_int(cx, kv, 0, CONF_SATS_MAX, &pr->base);
			kbase = kv;
		} else if (is_key(kv, "per_file"))
			rv = get_int(cx, kv, 0, CONF_SATS_MAX, &pr->per_file);
		else if (is_key(kv, "per_1k_tokens"))
			rv = get_int(cx, kv, 0, CONF_SATS_MAX,
			    &pr->per_1k_tokens);
		else if (is_key(kv, "max")) {
			rv = get_int(cx, kv, 0, CONF_SATS_MAX, &pr->max);
			kmax = kv;
		} else if (is_key(kv, "tier_premium_pct"))
			rv = get_int(cx, kv, 0, 100, &pr->tier_premium_pct);
		else
			rv = unknown_key(cx, kv);
		if (rv == -1)
			return (-1);
	}
	if (pr->max != 0 && pr->max < pr->base) {
		if (kmax != NULL)
			return (key_error(cx, kmax, kmax->val->line, "max "
			    "%lld is below base %lld", (long long)pr->max,
			    (long long)pr->base));
		if (kbase != NULL)
			return (key_error(cx, kbase, kbase->val->line, "base "
			    "%lld is above max %lld", (long long)pr->base,
			    (long long)pr->max));
		return (cf_error(cx, tkv->line, "key '%s.max': below base",
		    cx->section));
	}
	return (0);
}

/* [pricing] holds one table per job type. */
static int
sec_pricing(struct cfctx *cx, const struct toml_kv *kv)
{
	char	 k[CONF_SHOW + 4], all[128];
	int	 t;

	show(k, sizeof(k), kv->key, kv->keylen);
	for (t = 0; t < JOB_TYPE_MAX; t++)
		if (is_key(kv, job_type_names[t]))
			break;
	if (t == JOB_TYPE_MAX) {
		(void)names_join(all, sizeof(all), job_type_names,
		    JOB_TYPE_MAX);
		return (cf_error(cx, kv->line, "unknown section 'pricing.%s' "
		    "(job types: %s)", k, all));
	}
	if (kv->val->type != TOML_TABLE)
		return (type_error(cx, kv, kv->val, "table"));
	(void)snprintf(cx->secbuf, sizeof(cx->secbuf), "pricing.%s",
	    job_type_names[t]);
	cx->section = cx->secbuf;
	if (pricing_table(cx, kv, &cx->c->c_pricing[t]) == -1)
		return (-1);
	cx->section = "pricing";
	return (0);
}

static int
sec_tunnel(struct cfctx *cx, const struct toml_kv *kv)
{
	struct conf	*c = cx->c;
	int		 e;

	if (is_key(kv, "provider")) {
		if (get_enum(cx, kv, tunnel_names, NITEMS(tunnel_names),
		    &e) == -1)
			return (-1);
		c->c_tunnel = (enum tunnel_provider)e;
		cx->l_provider = kv->line;
		return (0);
	}
	if (is_key(kv, "endpoint_url"))
		return (get_str(cx, kv, c->c_endpoint_url,
		    sizeof(c->c_endpoint_url), check_endpoint));
	if (is_key(kv, "proxy_allowlist"))
		return (get_list(cx, kv, &c->c_proxy_allowlist, 0,
		    CONF_MAX_LIST, 1, check_host));
	return (unknown_key(cx, kv));
}

static int
sec_relays(struct cfctx *cx, const struct toml_kv *kv)
{
	if (is_key(kv, "urls"))
		return (get_list(cx, kv, &cx->c->c_relays, 1, CONF_MAX_LIST,
		    1, check_relay));
	return (unknown_key(cx, kv));
}

static int
sec_schedule(struct cfctx *cx, const struct toml_kv *kv)
{
	struct conf	*c = cx->c;
	char		 s[CONF_SHOW + 4];
	int		 e, from, to;

	if (is_key(kv, "mode")) {
		if (get_enum(cx, kv, schedule_names, NITEMS(schedule_names),
		    &e) == -1)
			return (-1);
		c->c_schedule = (enum schedule_mode)e;
		return (0);
	}
	if (is_key(kv, "weekdays"))
		return (get_names(cx, kv, weekday_names, NITEMS(weekday_names),
		    "day", &c->c_weekdays));
	if (is_key(kv, "hours")) {
		if (str_ok(cx, kv, kv->val, CONF_STR) == -1)
			return (-1);
		show(s, sizeof(s), kv->val->u.string.s, kv->val->u.string.len);
		if (hours_parse(kv->val->u.string.s, &from, &to) == -1)
			return (key_error(cx, kv, kv->val->line, "'%s' is not "
			    "HH:MM-HH:MM", s));
		if (from == to)
			return (key_error(cx, kv, kv->val->line, "'%s' is an "
			    "empty range", s));
		c->c_hours_from = from;
		c->c_hours_to = to;
		return (0);
	}
	if (is_key(kv, "timezone"))
		return (get_str(cx, kv, c->c_timezone, sizeof(c->c_timezone),
		    check_timezone));
	return (unknown_key(cx, kv));
}

static int
sec_alerts(struct cfctx *cx, const struct toml_kv *kv)
{
	struct conf		*c = cx->c;
	const struct toml_value	*v = kv->val;
	double			 d;

	if (is_key(kv, "webhook_url"))
		return (get_str(cx, kv, c->c_webhook_url,
		    sizeof(c->c_webhook_url), check_webhook));
	if (is_key(kv, "email"))
		return (get_str(cx, kv, c->c_email, sizeof(c->c_email),
		    check_email));
	if (is_key(kv, "success_rate_below")) {
		if (v->type == TOML_INTEGER)
			d = (double)v->u.integer;
		else if (v->type == TOML_FLOAT)
			d = v->u.flt;
		else
			return (type_error(cx, kv, v, "number"));
		if (isnan(d) || d < 0.0 || d > 100.0)
			return (key_error(cx, kv, v->line, "%g is out of range "
			    "(0 to 100)", d));
		c->c_alert_success_rate = d;
		return (0);
	}
	if (is_key(kv, "min_interval_secs"))
		return (get_int(cx, kv, 0, 7 * 86400,
		    &c->c_alert_min_interval));
	return (unknown_key(cx, kv));
}

static int
sec_agent(struct cfctx *cx, const struct toml_kv *kv)
{
	struct conf	*c = cx->c;
	int		 e;

	if (is_key(kv, "backend")) {
		if (get_enum(cx, kv, agent_names, NITEMS(agent_names),
		    &e) == -1)
			return (-1);
		c->c_agent = (enum agent_backend)e;
		cx->l_backend = kv->line;
		return (0);
	}
	if (is_key(kv, "command"))
		return (get_str(cx, kv, c->c_agent_command,
		    sizeof(c->c_agent_command), check_path_opt));
	if (is_key(kv, "model"))
		return (get_str(cx, kv, c->c_agent_model,
		    sizeof(c->c_agent_model), NULL));
	return (unknown_key(cx, kv));
}

static int
sec_wallet(struct cfctx *cx, const struct toml_kv *kv)
{
	struct conf	*c = cx->c;
	int		 e;

	if (is_key(kv, "backend")) {
		if (get_enum(cx, kv, wallet_names, NITEMS(wallet_names),
		    &e) == -1)
			return (-1);
		(void)strlcpy(c->c_wallet_backend, wallet_names[e],
		    sizeof(c->c_wallet_backend));
		return (0);
	}
	if (is_key(kv, "invoice_expiry_secs"))
		return (get_int(cx, kv, 60, 604800,
		    &c->c_invoice_expiry_secs));
	if (is_key(kv, "request_timeout_secs"))
		return (get_int(cx, kv, 1, 300,
		    &c->c_wallet_timeout_secs));
	if (is_key(kv, "outage_limit_secs"))
		return (get_int(cx, kv, 1, 86400,
		    &c->c_wallet_outage_secs));
	if (is_key(kv, "poll_secs"))
		return (get_int(cx, kv, 1, 3600, &c->c_wallet_poll_secs));
	return (unknown_key(cx, kv));
}

static int
sec_payments(struct cfctx *cx, const struct toml_kv *kv)
{
	int	 e;

	if (is_key(kv, "mode")) {
		if (get_enum(cx, kv, payment_names, NITEMS(payment_names),
		    &e) == -1)
			return (-1);
		cx->c->c_payment_mode = (enum payment_mode)e;
		return (0);
	}
	return (unknown_key(cx, kv));
}

static int
sec_limits(struct cfctx *cx, const struct toml_kv *kv)
{
	struct conf	*c = cx->c;

	if (is_key(kv, "event_bytes"))
		return (get_int(cx, kv, 1024, 16 * 1024 * 1024,
		    &c->c_limit_event_bytes));
	if (is_key(kv, "repo_bytes"))
		return (get_int(cx, kv, 1024 * 1024, 64LL << 30,
		    &c->c_limit_repo_bytes));
	if (is_key(kv, "time_secs"))
		return (get_int(cx, kv, 10, 7 * 86400, &c->c_limit_time_secs));
	if (is_key(kv, "memory_mb"))
		return (get_int(cx, kv, 64, 1024 * 1024,
		    &c->c_limit_memory_mb));
	if (is_key(kv, "pids"))
		return (get_int(cx, kv, 8, 65536, &c->c_limit_pids));
	if (is_key(kv, "disk_mb"))
		return (get_int(cx, kv, 16, 1024 * 1024, &c->c_limit_disk_mb));
	return (unknown_key(cx, kv));
}

static int
sec_proxy(struct cfctx *cx, const struct toml_kv *kv)
{
	struct conf	*c = cx->c;

	if (is_key(kv, "upstream"))
		return (get_str(cx, kv, c->c_proxy_upstream,
		    sizeof(c->c_proxy_upstream), check_upstream));
	if (is_key(kv, "api_key_env"))
		return (get_str(cx, kv, c->c_proxy_api_key_env,
		    sizeof(c->c_proxy_api_key_env), check_envname));
	if (is_key(kv, "api_key_file"))
		return (get_str(cx, kv, c->c_proxy_api_key_file,
		    sizeof(c->c_proxy_api_key_file), check_path_opt));
	if (is_key(kv, "requests_per_minute"))
		return (get_int(cx, kv, 1, 100000,
		    &c->c_proxy_requests_per_minute));
	if (is_key(kv, "daily_requests"))
		return (get_int(cx, kv, 1, 100000000,
		    &c->c_proxy_daily_requests));
	return (unknown_key(cx, kv));
}

/* Every key of one section's table through its handler. */
static int
section_run(struct cfctx *cx, const struct toml_kv *skv, const char *name,
    int (*fn)(struct cfctx *, const struct toml_kv *))
{
	const struct toml_value	*t = skv->val;
	size_t			 i;

	cx->section = "";
	if (t->type != TOML_TABLE)
		return (type_error(cx, skv, t, "table"));
	cx->section = name;
	for (i = 0; i < t->u.table.n; i++)
		if (fn(cx, &t->u.table.kv[i]) == -1)
			return (-1);
	return (0);
}

int
config_parse(struct conf *conf, const char *name, const char *buf,
    size_t len, char *err, size_t errlen)
{
	struct cfctx		 cx;
	struct toml_value	*root;
	const struct toml_kv	*kv;
	struct conf		*nc;
	char			 terr[256], k[CONF_SHOW + 4], *ep;
	size_t			 i, j;
	long			 line;
	int			 rv = -1;

	memset(&cx, 0, sizeof(cx));
	cx.name = name != NULL ? name : "(config)";
	cx.err = err;
	cx.errlen = errlen;
	cx.section = "";
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	if ((root = toml_parse(buf, len, terr, sizeof(terr))) == NULL) {
		/* "line N: reason" becomes "FILE:N: reason" */
		if (strncmp(terr, "line ", 5) == 0) {
			errno = 0;
			line = strtol(terr + 5, &ep, 10);
			if (errno == 0 && line > 0 && line <= INT32_MAX &&
			    strncmp(ep, ": ", 2) == 0)
				return (cf_error(&cx, (int)line, "%s",
				    ep + 2));
		}
		(void)snprintf(err, errlen, "%s: %s", cx.name, terr);
		return (-1);
	}
	if ((nc = malloc(sizeof(*nc))) == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", cx.name);
		toml_free(root);
		return (-1);
	}
	*nc = *conf;
	cx.c = nc;
	if (strlcpy(nc->c_path, cx.name, sizeof(nc->c_path)) >=
	    sizeof(nc->c_path)) {
		(void)snprintf(err, errlen, "%s: path too long", cx.name);
		goto done;
	}

	for (i = 0; i < root->u.table.n; i++) {
		kv = &root->u.table.kv[i];
		for (j = 0; j < NITEMS(sections); j++)
			if (is_key(kv, sections[j].name))
				break;
		if (j == NITEMS(sections)) {
			(void)cf_error(&cx, kv->line, "unknown section '%s'",
			    show(k, sizeof(k), kv->key, kv->keylen));
			goto done;
		}
		if (section_run(&cx, kv, sections[j].name,
		    sections[j].fn) == -1)
			goto done;
	}

	/* what one key requires of another */
	cx.section = "";
	if (nc->c_tunnel == TUNNEL_MANUAL && nc->c_endpoint_url[0] == '\0') {
		(void)cf_error(&cx, cx.l_provider != 0 ? cx.l_provider : 1,
		    "key 'tunnel.endpoint_url': required when provider = "
		    "\"manual\"");
		goto done;
	}
	if (nc->c_agent == AGENT_COMMAND && nc->c_agent_command[0] == '\0') {
		(void)cf_error(&cx, cx.l_backend != 0 ? cx.l_backend : 1,
		    "key 'agent.command': required when backend = "
		    "\"command\"");
		goto done;
	}

	*conf = *nc;
	rv = 0;
 done:
	free(nc);
	toml_free(root);
	return (rv);
}

int
config_load(struct conf *conf, const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf = NULL, *nul;
	size_t		 len = 0, i;
	ssize_t		 n;
	int		 fd, line, rv = -1;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	/* O_NONBLOCK: a FIFO in place of the file must not hang us */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &st) == -1) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)snprintf(err, errlen, "%s: not a regular file", path);
		goto done;
	}
	if (st.st_size > CONF_FILE_MAX) {
		(void)snprintf(err, errlen, "%s: larger than %d bytes", path,
		    CONF_FILE_MAX);
		goto done;
	}
	/* one byte more than allowed, to notice a file that grew */
	if ((buf = malloc(CONF_FILE_MAX + 1)) == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", path);
		goto done;
	}
	while (len < CONF_FILE_MAX + 1) {
		n = read(fd, buf + len, CONF_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			(void)snprintf(err, errlen, "%s: %s", path,
			    strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONF_FILE_MAX) {
		(void)snprintf(err, errlen, "%s: larger than %d bytes", path,
		    CONF_FILE_MAX);
		goto done;
	}
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		for (i = 0, line = 1; buf + i < nul; i++)
			if (buf[i] == '\n')
				line++;
		(void)snprintf(err, errlen, "%s:%d: NUL byte in file", path,
		    line);
		goto done;
	}
	rv = config_parse(conf, path, buf, len, err, errlen);
 done:
	free(buf);
	close(fd);
	return (rv);
}

/* The name of an enum value, for messages and status output. */
static const char *
name_at(const char *const *names, size_t n, unsigned int i)
{
	return (i < n ? names[i] : "unknown");
}

const char *
config_job_type_name(enum job_type t)
{
	if ((unsigned int)t >= JOB_TYPE_MAX)
		return ("unknown");
	return (job_type_names[t]);
}

int
config_job_type_lookup(const char *name)
{
	int	 t;

	if (name == NULL)
		return (-1);
	for (t = 0; t < JOB_TYPE_MAX; t++)
		if (strcmp(name, job_type_names[t]) == 0)
			return (t);
	return (-1);
}

int
config_job_type_kind(enum job_type t)
{
	if ((unsigned int)t >= JOB_TYPE_MAX)
		return (-1);
	return (job_type_kinds[t]);
}

const char *
config_isolation_name(enum isolation_mode m)
{
	return (name_at(isolation_names, NITEMS(isolation_names), m));
}

const char *
config_schedule_name(enum schedule_mode m)
{
	return (name_at(schedule_names, NITEMS(schedule_names), m));
}

const char *
config_payment_name(enum payment_mode m)
{
	return (name_at(payment_names, NITEMS(payment_names), m));
}

const char *
config_agent_name(enum agent_backend b)
{
	return (name_at(agent_names, NITEMS(agent_names), b));
}

const char *
config_tunnel_name(enum tunnel_provider p)
{
	return (name_at(tunnel_names, NITEMS(tunnel_names), p));
}
