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

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <sodium.h>

#include "diff.h"
#include "hex.h"
#include "util.h"

struct dparse {
	const char		*p;	/* start of the line after this one */
	const char		*end;
	const char		*l;	/* this line, without its '\n' */
	size_t			 llen;
	size_t			 hlen;	/* llen without a trailing '\r' */
	int			 have;
	size_t			 lineno;
	struct diff_limits	 lim;
	struct diff		*d;
	char			*err;
	size_t			 errlen;
};

/* what one file's header said, before it becomes a struct diff_file */
struct dfile {
	struct diff_file	 f;
	int			 git;
	int			 new_file;
	int			 deleted_file;
	int			 old_null;
	int			 new_null;
	int			 rename_from, rename_to;
	int			 copy_from, copy_to;
};

static int
dp_next(struct dparse *dp)
{
	const char	*nl;

	if (dp->p >= dp->end) {
		dp->have = 0;
		dp->l = NULL;
		dp->llen = dp->hlen = 0;
		return (0);
	}
	nl = memchr(dp->p, '\n', (size_t)(dp->end - dp->p));
	dp->l = dp->p;
	dp->llen = nl != NULL ? (size_t)(nl - dp->p) :
	    (size_t)(dp->end - dp->p);
	dp->p = nl != NULL ? nl + 1 : dp->end;
	dp->have = 1;
	dp->lineno++;
	dp->hlen = dp->llen;
	/* git writes LF, but a patch that went through an editor may not */
	if (dp->hlen > 0 && dp->l[dp->hlen - 1] == '\r')
		dp->hlen--;
	if (dp->llen > dp->lim.dl_max_line) {
		errbuf_set(dp->err, dp->errlen, "line %zu: longer than %zu",
		    dp->lineno, dp->lim.dl_max_line);
		return (-1);
	}
	return (0);
}

/* the rest of the header line after prefix, or NULL */
static const char *
dp_is(const struct dparse *dp, const char *prefix, size_t *restlen)
{
	size_t	 n = strlen(prefix);

	if (!dp->have || dp->hlen < n || memcmp(dp->l, prefix, n) != 0)
		return (NULL);
	if (restlen != NULL)
		*restlen = dp->hlen - n;
	return (dp->l + n);
}

static int
dp_fail(struct dparse *dp, const char *what)
{
	errbuf_set(dp->err, dp->errlen, "line %zu: %s", dp->lineno, what);
	return (-1);
}

/*
 * A C-style quoted name as git writes it for unusual bytes.  Returns
 * the characters consumed, or 0 when the quoting is bad; a \000 is
 * bad, since the name would end there for everyone but us.
 */
static size_t
path_unquote(const char *s, size_t n, char **out)
{
	char	*buf;
	size_t	 i, o = 0;
	int	 v, k;

	*out = NULL;
	if (n < 2 || s[0] != '"' || (buf = malloc(n)) == NULL)
		return (0);
	for (i = 1; i < n && s[i] != '"'; i++) {
		if (s[i] != '\\') {
			buf[o++] = s[i];
			continue;
		}
		if (++i >= n)
			goto bad;
		switch (s[i]) {
		case 'a': buf[o++] = '\a'; break;
		case 'b': buf[o++] = '\b'; break;
		case 't': buf[o++] = '\t'; break;
		case 'n': buf[o++] = '\n'; break;
		case 'v': buf[o++] = '\v'; break;
		case 'f': buf[o++] = '\f'; break;
		case 'r': buf[o++] = '\r'; break;
		case '"': buf[o++] = '"'; break;
		case '\\': buf[o++] = '\\'; break;
		default:
			if (i + 3 > n || s[i] < '0' || s[i] > '3')
				goto bad;
			for (v = 0, k = 0; k < 3; k++, i++) {
				if (s[i] < '0' || s[i] > '7')
					goto bad;
				v = v * 8 + (s[i] - '0');
			}
			i--;
			if (v == 0)
				goto bad;
			buf[o++] = (char)v;
			break;
		}
	}
	if (i >= n)
		goto bad;
	buf[o] = '\0';
	*out = buf;
	return (i + 1);
 bad:
	free(buf);
	return (0);
}

static char *
path_dup(const char *s, size_t n)
{
	char	*p;

	if (memchr(s, '\0', n) != NULL || (p = malloc(n + 1)) == NULL)
		return (NULL);
	memcpy(p, s, n);
	p[n] = '\0';
	return (p);
}

/* git apply's default -p1: drop the a/ or b/ (or any first) component */
static int
path_strip(char *p)
{
	char	*slash;

	if ((slash = strchr(p, '/')) == NULL)
		return (-1);
	memmove(p, slash + 1, strlen(slash + 1) + 1);
	return (0);
}

/* a name the patch may write to: inside the repository, and not .git */
static int
path_ok(const char *p, char *err, size_t errlen)
{
	const char	*c, *s;
	size_t		 n;

	if ((n = strlen(p)) == 0 || n > DIFF_PATH_MAX) {
		errbuf_set(err, errlen, "empty or overlong path");
		return (-1);
	}
	if (p[0] == '/') {
		errbuf_set(err, errlen, "absolute path: %s", p);
		return (-1);
	}
	for (c = p; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			errbuf_set(err, errlen, "control character in path");
			return (-1);
		}
	}
	for (s = p; ; s = c + 1) {
		c = strchrnul(s, '/');
		n = (size_t)(c - s);
		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.') ||
		    (n == 4 && strncasecmp(s, ".git", 4) == 0)) {
			errbuf_set(err, errlen, "path leaves the work tree: %s",
			    p);
			return (-1);
		}
		if (*c == '\0')
			break;
	}
	return (0);
}

/* two names for one side must agree, as git apply insists */
static int
name_set(struct dparse *dp, char **slot, char *name)
{
	if (name == NULL)
		return (dp_fail(dp, "bad file name"));
	if (*slot != NULL) {
		if (strcmp(*slot, name) != 0) {
			free(name);
			return (dp_fail(dp, "inconsistent file names"));
		}
		free(name);
		return (0);
	}
	*slot = name;
	return (0);
}

/* one name token: quoted to its close, else all of s[0..n) */
static char *
name_token(const char *s, size_t n, int strip)
{
	char	*p;

	if (n > 0 && s[0] == '"') {
		if (path_unquote(s, n, &p) != n)
			goto bad;
	} else if ((p = path_dup(s, n)) == NULL)
		return (NULL);
	if (strip && path_strip(p) == -1)
		goto bad;
	return (p);
 bad:
	free(p);
	return (NULL);
}

/*
 * "diff --git a/X b/Y".  Unquoted names may hold spaces, so like git
 * we trust the line only when both halves name the same file; renames
 * and copies get their names from the lines that follow.
 */
static int
git_names(struct dparse *dp, struct dfile *df, const char *r, size_t n)
{
	char	*a, *b;
	size_t	 k, m;

	if (n > 0 && r[0] == '"') {
		if ((k = path_unquote(r, n, &a)) == 0)
			return (dp_fail(dp, "bad quoted name"));
		if (k >= n || r[k] != ' ' || path_strip(a) == -1) {
			free(a);
			return (dp_fail(dp, "bad diff --git line"));
		}
		if (name_set(dp, &df->f.df_old, a) == -1)
			return (-1);
		return (name_set(dp, &df->f.df_new,
		    name_token(r + k + 1, n - k - 1, 1)));
	}
	if (n > 0 && r[n - 1] == '"') {
		for (k = n - 1; k > 0 && !(r[k - 1] == ' ' && r[k] == '"');
		    k--)
			;
		if (k == 0)
			return (dp_fail(dp, "bad diff --git line"));
		if (name_set(dp, &df->f.df_old, name_token(r, k - 1, 1)) == -1)
			return (-1);
		return (name_set(dp, &df->f.df_new,
		    name_token(r + k, n - k, 1)));
	}
	if (n < 3 || n % 2 == 0 || r[(m = n / 2)] != ' ')
		return (0);
	if ((a = name_token(r, m, 1)) == NULL ||
	    (b = name_token(r + m + 1, m, 1)) == NULL) {
		free(a);
		return (dp_fail(dp, "bad diff --git line"));
	}
	if (strcmp(a, b) != 0) {
		free(a);
		free(b);
		return (0);
	}
	if (name_set(dp, &df->f.df_old, a) == -1) {
		free(b);
		return (-1);
	}
	return (name_set(dp, &df->f.df_new, b));
}

static int
parse_uint(const char *s, size_t n, unsigned int base, unsigned int max,
    unsigned int *out)
{
	size_t		 i;
	unsigned int	 v = 0, dg;

	if (n == 0 || n > 9)
		return (-1);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > (base == 8 ? '7' : '9'))
			return (-1);
		dg = (unsigned int)(s[i] - '0');
		v = v * base + dg;
	}
	if (v > max)
		return (-1);
	*out = v;
	return (0);
}

static int
hdr_mode(struct dparse *dp, const char *r, size_t n, unsigned int *mode)
{
	if (parse_uint(r, n, 8, 0177777, mode) == -1)
		return (dp_fail(dp, "bad file mode"));
	return (0);
}

static int
hdr_similarity(struct dparse *dp, struct dfile *df, const char *r, size_t n)
{
	unsigned int	 v;

	if (n < 2 || r[n - 1] != '%' ||
	    parse_uint(r, n - 1, 10, 100, &v) == -1)
		return (dp_fail(dp, "bad similarity index"));
	df->f.df_similarity = (int)v;
	return (0);
}

static int
b85_line(const char *l, size_t n)
{
	static const char	 set[] = "0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "!#$%&()*+-;<=>?@^_`{|}~";
	size_t			 i;

	if (n < 2 || !isalpha((unsigned char)l[0]))
		return (0);
	for (i = 1; i < n; i++)
		if (l[i] == '\0' || strchr(set, l[i]) == NULL)
			return (0);
	return (1);
}

/* skip the forward and optional reverse blocks of a GIT binary patch */
static int
binary_skip(struct dparse *dp)
{
	int	 block;

	for (block = 0; block < 2; block++) {
		if (dp_is(dp, "literal ", NULL) == NULL &&
		    dp_is(dp, "delta ", NULL) == NULL) {
			if (block == 0)
				return (dp_fail(dp, "bad binary patch"));
			break;
		}
		if (dp_next(dp) == -1)
			return (-1);
		while (dp->have && b85_line(dp->l, dp->hlen))
			if (dp_next(dp) == -1)
				return (-1);
		if (dp->have && dp->hlen != 0)
			return (dp_fail(dp, "bad binary patch data"));
		if (dp->have && dp_next(dp) == -1)
			return (-1);
	}
	return (0);
}

/* "-a[,b]" or "+c[,d]"; the count is 1 when left out */
static const char *
hunk_range(const char *s, const char *e, char sign, unsigned int *start,
    unsigned int *count)
{
	const char	*p;

	if (s >= e || *s++ != sign)
		return (NULL);
	for (p = s; p < e && isdigit((unsigned char)*p); p++)
		;
	if (parse_uint(s, (size_t)(p - s), 10, 999999999, start) == -1)
		return (NULL);
	*count = 1;
	if (p < e && *p == ',') {
		for (s = ++p; p < e && isdigit((unsigned char)*p); p++)
			;
		if (parse_uint(s, (size_t)(p - s), 10, 999999999,
		    count) == -1)
			return (NULL);
	}
	return (p);
}

static int
hunk_header(struct dparse *dp, unsigned int *oldn, unsigned int *newn)
{
	const char	*s = dp->l + 3, *e = dp->l + dp->hlen;
	unsigned int	 os, ns;

	if ((s = hunk_range(s, e, '-', &os, oldn)) == NULL ||
	    s >= e || *s++ != ' ' ||
	    (s = hunk_range(s, e, '+', &ns, newn)) == NULL ||
	    e - s < 3 || memcmp(s, " @@", 3) != 0 ||
	    (e - s > 3 && s[3] != ' '))
		return (dp_fail(dp, "bad hunk header"));
	if ((os == 0 && *oldn != 0) || (ns == 0 && *newn != 0))
		return (dp_fail(dp, "bad hunk range"));
	return (0);
}

/* one hunk; its header counts must match the lines exactly */
static int
hunk_parse(struct dparse *dp, struct dfile *df)
{
	unsigned int	 oldn, newn;
	int		 content = 0;
	char		 c;

	if (dp->d->d_hunks + df->f.df_hunks >= dp->lim.dl_max_hunks)
		return (dp_fail(dp, "too many hunks"));
	if (hunk_header(dp, &oldn, &newn) == -1)
		return (-1);
	if (oldn == 0 && newn == 0)
		return (dp_fail(dp, "empty hunk"));
	df->f.df_hunks++;
	for (;;) {
		if (dp_next(dp) == -1)
			return (-1);
		if (!dp->have) {
			if (oldn != 0 || newn != 0)
				return (dp_fail(dp, "truncated hunk"));
			return (0);
		}
		/* an editor may have eaten a context line's only space */
		c = dp->llen == 0 ? ' ' : dp->l[0];
		if (c == '\\') {
			if (!content || dp->llen < 2 || dp->l[1] != ' ')
				return (dp_fail(dp, "misplaced '\\' line"));
			content = 0;
			continue;
		}
		if (oldn == 0 && newn == 0)
			return (0);
		if ((c == ' ' && (oldn == 0 || newn == 0)) ||
		    (c == '-' && oldn == 0) || (c == '+' && newn == 0))
			return (dp_fail(dp, "hunk line counts do not match"));
		switch (c) {
		case ' ':
			oldn--;
			newn--;
			break;
		case '-':
			oldn--;
			df->f.df_deletions++;
			break;
		case '+':
			newn--;
			df->f.df_additions++;
			break;
		default:
			return (dp_fail(dp, "truncated hunk"));
		}
		content = 1;
	}
}

/* "--- X" and "+++ Y", then the hunks */
static int
file_body(struct dparse *dp, struct dfile *df)
{
	const char	*r;
	size_t		 n;
	int		 side;
	char		*name;

	for (side = 0; side < 2; side++) {
		if ((r = dp_is(dp, side == 0 ? "--- " : "+++ ", &n)) == NULL)
			return (dp_fail(dp, "expected ---/+++ lines"));
		/* plain diff(1) appends a tab and a timestamp */
		if (!df->git && (n == 0 || r[0] != '"') &&
		    memchr(r, '\t', n) != NULL)
			n = (size_t)((const char *)memchr(r, '\t', n) - r);
		if (n == strlen(DIFF_DEV_NULL) &&
		    memcmp(r, DIFF_DEV_NULL, n) == 0) {
			*(side == 0 ? &df->old_null : &df->new_null) = 1;
		} else {
			name = name_token(r, n, 1);
			if (name_set(dp, side == 0 ? &df->f.df_old :
			    &df->f.df_new, name) == -1)
				return (-1);
		}
		if (dp_next(dp) == -1)
			return (-1);
	}
	if (dp_is(dp, "@@ ", NULL) == NULL)
		return (dp_fail(dp, "expected a hunk"));
	while (dp_is(dp, "@@ ", NULL) != NULL)
		if (hunk_parse(dp, df) == -1)
			return (-1);
	return (0);
}

static int
file_ext_header(struct dparse *dp, struct dfile *df, int *done)
{
	const char	*r;
	size_t		 n;

	*done = 0;
	if ((r = dp_is(dp, "old mode ", &n)) != NULL)
		return (hdr_mode(dp, r, n, &df->f.df_old_mode));
	if ((r = dp_is(dp, "new mode ", &n)) != NULL)
		return (hdr_mode(dp, r, n, &df->f.df_new_mode));
	if ((r = dp_is(dp, "new file mode ", &n)) != NULL) {
		df->new_file = 1;
		return (hdr_mode(dp, r, n, &df->f.df_new_mode));
	}
	if ((r = dp_is(dp, "deleted file mode ", &n)) != NULL) {
		df->deleted_file = 1;
		return (hdr_mode(dp, r, n, &df->f.df_old_mode));
	}
	if ((r = dp_is(dp, "similarity index ", &n)) != NULL ||
	    (r = dp_is(dp, "dissimilarity index ", &n)) != NULL)
		return (hdr_similarity(dp, df, r, n));
	if ((r = dp_is(dp, "rename from ", &n)) != NULL) {
		df->rename_from = 1;
		return (name_set(dp, &df->f.df_old, name_token(r, n, 0)));
	}
	if ((r = dp_is(dp, "rename to ", &n)) != NULL) {
		df->rename_to = 1;
		return (name_set(dp, &df->f.df_new, name_token(r, n, 0)));
	}
	if ((r = dp_is(dp, "copy from ", &n)) != NULL) {
		df->copy_from = 1;
		return (name_set(dp, &df->f.df_old, name_token(r, n, 0)));
	}
	if ((r = dp_is(dp, "copy to ", &n)) != NULL) {
		df->copy_to = 1;
		return (name_set(dp, &df->f.df_new, name_token(r, n, 0)));
	}
	if ((r = dp_is(dp, "index ", &n)) != NULL) {
		if (n < 3 || memmem(r, n, "..", 2) == NULL)
			return (dp_fail(dp, "bad index line"));
		return (0);
	}
	*done = 1;
	return (0);
}

static int
file_git(struct dparse *dp, struct dfile *df)
{
	const char	*r;
	size_t		 n = 0;
	int		 done;

	df->git = 1;
	r = dp_is(dp, "diff --git ", &n);
	if (git_names(dp, df, r, n) == -1 || dp_next(dp) == -1)
		return (-1);
	for (;;) {
		if (!dp->have || dp_is(dp, "diff --git ", NULL) != NULL)
			return (0);
		if (file_ext_header(dp, df, &done) == -1)
			return (-1);
		if (!done) {
			if (dp_next(dp) == -1)
				return (-1);
			continue;
		}
		break;
	}
	if ((r = dp_is(dp, "Binary files ", &n)) != NULL) {
		if (n < 7 || memcmp(r + n - 7, " differ", 7) != 0)
			return (dp_fail(dp, "bad Binary files line"));
		df->f.df_binary = 1;
		return (dp_next(dp));
	}
	if (dp_is(dp, "GIT binary patch", &n) != NULL && n == 0) {
		df->f.df_binary = 1;
		if (dp_next(dp) == -1)
			return (-1);
		return (binary_skip(dp));
	}
	return (file_body(dp, df));
}

static int
file_status(struct dparse *dp, struct dfile *df)
{
	struct diff_file	*f = &df->f;

	if (df->git && (df->old_null != df->new_file ||
	    df->new_null != df->deleted_file))
		return (dp_fail(dp, "/dev/null does not match file mode"));
	if ((df->old_null || df->new_file) && (df->new_null ||
	    df->deleted_file))
		return (dp_fail(dp, "file both added and deleted"));
	if (df->rename_from != df->rename_to || df->copy_from != df->copy_to ||
	    (df->rename_from && df->copy_from))
		return (dp_fail(dp, "incomplete rename or copy"));
	if (df->old_null || df->new_file) {
		f->df_status = DIFF_ADDED;
		free(f->df_old);
		f->df_old = NULL;
	} else if (df->new_null || df->deleted_file) {
		f->df_status = DIFF_DELETED;
		free(f->df_new);
		f->df_new = NULL;
	} else if (df->rename_from)
		f->df_status = DIFF_RENAMED;
	else if (df->copy_from)
		f->df_status = DIFF_COPIED;
	else if (f->df_hunks == 0 && !f->df_binary &&
	    f->df_old_mode != f->df_new_mode)
		f->df_status = DIFF_MODE;
	else
		f->df_status = DIFF_MODIFIED;
	return (0);
}

static int
file_names(struct dparse *dp, struct dfile *df)
{
	struct diff_file	*f = &df->f;
	char			*dn;

	if (f->df_status == DIFF_ADDED || f->df_status == DIFF_DELETED) {
		if ((dn = strdup(DIFF_DEV_NULL)) == NULL)
			return (dp_fail(dp, "out of memory"));
		if (f->df_status == DIFF_ADDED) {
			f->df_old = dn;
			if (f->df_new == NULL)
				return (dp_fail(dp, "no file name"));
		} else {
			f->df_new = dn;
			if (f->df_old == NULL)
				return (dp_fail(dp, "no file name"));
		}
	}
	if (f->df_old == NULL || f->df_new == NULL)
		return (dp_fail(dp, "cannot tell the file names"));
	if (f->df_status != DIFF_RENAMED && f->df_status != DIFF_COPIED &&
	    f->df_status != DIFF_ADDED && f->df_status != DIFF_DELETED &&
	    strcmp(f->df_old, f->df_new) != 0)
		return (dp_fail(dp, "names differ without rename or copy"));
	if ((f->df_status != DIFF_ADDED &&
	    path_ok(f->df_old, dp->err, dp->errlen) == -1) ||
	    (f->df_status != DIFF_DELETED &&
	    path_ok(f->df_new, dp->err, dp->errlen) == -1))
		return (-1);
	return (0);
}

static int
file_add(struct dparse *dp, struct dfile *df)
{
	struct diff		*d = dp->d;
	struct diff_file	*nf;

	if (d->d_nfiles >= dp->lim.dl_max_files)
		return (dp_fail(dp, "too many files"));
	if ((nf = reallocarray(d->d_files, d->d_nfiles + 1,
	    sizeof(*nf))) == NULL)
		return (dp_fail(dp, "out of memory"));
	d->d_files = nf;
	d->d_files[d->d_nfiles++] = df->f;
	d->d_hunks += df->f.df_hunks;
	d->d_additions += df->f.df_additions;
	d->d_deletions += df->f.df_deletions;
	memset(&df->f, 0, sizeof(df->f));
	return (0);
}

static int
file_parse(struct dparse *dp)
{
	struct dfile	 df;
	int		 rv = -1;

	memset(&df, 0, sizeof(df));
	df.f.df_similarity = -1;
	if (dp_is(dp, "diff --git ", NULL) != NULL) {
		if (file_git(dp, &df) == -1)
			goto out;
	} else if (dp_is(dp, "--- ", NULL) != NULL) {
		if (file_body(dp, &df) == -1)
			goto out;
	} else {
		dp_fail(dp, "expected a file header");
		goto out;
	}
	if (dp->have && dp_is(dp, "diff --git ", NULL) == NULL &&
	    dp_is(dp, "--- ", NULL) == NULL) {
		dp_fail(dp, "garbage after file");
		goto out;
	}
	if (file_status(dp, &df) == -1 || file_names(dp, &df) == -1 ||
	    file_add(dp, &df) == -1)
		goto out;
	rv = 0;
 out:
	free(df.f.df_old);
	free(df.f.df_new);
	return (rv);
}

static void
limits_resolve(struct diff_limits *out, const struct diff_limits *in)
{
	memset(out, 0, sizeof(*out));
	if (in != NULL)
		*out = *in;
	if (out->dl_max_bytes == 0)
		out->dl_max_bytes = DIFF_MAX_BYTES;
	if (out->dl_max_files == 0)
		out->dl_max_files = DIFF_MAX_FILES;
	if (out->dl_max_hunks == 0)
		out->dl_max_hunks = DIFF_MAX_HUNKS;
	if (out->dl_max_line == 0)
		out->dl_max_line = DIFF_MAX_LINE;
}

int
diff_parse(const char *text, size_t len, const struct diff_limits *lim,
    struct diff *d, char *err, size_t errlen)
{
	struct dparse	 dp;

	memset(d, 0, sizeof(*d));
	memset(&dp, 0, sizeof(dp));
	limits_resolve(&dp.lim, lim);
	dp.d = d;
	dp.err = err;
	dp.errlen = errlen;
	if (len > dp.lim.dl_max_bytes) {
		errbuf_set(err, errlen, "patch larger than %zu bytes",
		    dp.lim.dl_max_bytes);
		return (-1);
	}
	/* a text patch has no NUL; one would cut names and lines short */
	if (len > 0 && memchr(text, '\0', len) != NULL) {
		errbuf_set(err, errlen, "NUL byte in patch");
		return (-1);
	}
	dp.p = text;
	dp.end = text + len;
	if (dp_next(&dp) == -1)
		goto fail;
	if (!dp.have) {
		errbuf_set(err, errlen, "empty patch");
		return (-1);
	}
	while (dp.have)
		if (file_parse(&dp) == -1)
			goto fail;
	return (0);
 fail:
	diff_free(d);
	return (-1);
}

void
diff_free(struct diff *d)
{
	size_t	 i;

	if (d == NULL)
		return;
	for (i = 0; i < d->d_nfiles; i++) {
		free(d->d_files[i].df_old);
		free(d->d_files[i].df_new);
	}
	free(d->d_files);
	memset(d, 0, sizeof(*d));
}

/*
 * Anchored glob over [p0, pe) against [s0, se).  Stars make plain
 * backtracking exponential, and both globs and paths come from others,
 * so every (pattern, path) position that failed once is remembered.
 */
struct glob {
	const char	*p0, *pe, *s0, *se;
	uint8_t		*failed;
};

static int
glob_seen(struct glob *g, const char *p, const char *s, int set)
{
	size_t	 bit;

	bit = (size_t)(p - g->p0) * (size_t)(g->se - g->s0 + 1) +
	    (size_t)(s - g->s0);
	if (set)
		g->failed[bit / 8] |= (uint8_t)(1U << (bit % 8));
	return ((g->failed[bit / 8] >> (bit % 8)) & 1);
}

static int
glob_step(struct glob *g, const char *p, const char *s)
{
	const char	*t, *p1 = p, *s1 = s;
	int		 m = 0;

	if (glob_seen(g, p1, s1, 0))
		return (0);
	while (p < g->pe) {
		if (*p == '*' && p + 1 < g->pe && p[1] == '*' &&
		    (p + 2 == g->pe || p[2] == '/')) {
			if (p + 2 == g->pe)
				return (1);
			/* "**" + "/": zero or more whole segments */
			p += 3;
			if ((m = glob_step(g, p, s)) == 0)
				for (t = s; t < g->se && !m; t++)
					if (*t == '/')
						m = glob_step(g, p, t + 1);
			goto out;
		}
		if (*p == '*') {
			while (p < g->pe && *p == '*')
				p++;
			for (t = s; !m; t++) {
				m = glob_step(g, p, t);
				if (t == g->se || *t == '/')
					break;
			}
			goto out;
		}
		if (s == g->se)
			goto out;
		if (*p == '?') {
			if (*s == '/')
				goto out;
		} else {
			if (*p == '\\' && p + 1 < g->pe)
				p++;
			if (*p != *s)
				goto out;
		}
		p++;
		s++;
	}
	m = s == g->se;
 out:
	if (!m)
		(void)glob_seen(g, p1, s1, 1);
	return (m);
}

static int
glob_rec(const char *p, const char *pe, const char *s, const char *se)
{
	struct glob	 g;
	size_t		 bits;
	int		 m;

	bits = (size_t)(pe - p + 1) * (size_t)(se - s + 1);
	if ((g.failed = calloc(bits / 8 + 1, 1)) == NULL)
		return (-1);
	g.p0 = p;
	g.pe = pe;
	g.s0 = s;
	g.se = se;
	m = glob_step(&g, p, s);
	free(g.failed);
	return (m);
}

static int
glob_check(const char *g)
{
	size_t	 n, stars = 0;

	if ((n = strlen(g)) == 0 || n > DIFF_GLOB_MAX)
		return (-1);
	for (; *g != '\0'; g++)
		if (*g == '*')
			stars++;
	return (stars > 16 ? -1 : 0);
}

int
diff_glob_match(const char *glob, const char *path)
{
	const char	*pe, *se, *t;
	int		 m;

	if (glob_check(glob) == -1)
		return (-1);
	/* everything is anchored at the root already */
	while (glob[0] == '/' || (glob[0] == '.' && glob[1] == '/'))
		glob += glob[0] == '/' ? 1 : 2;
	pe = glob + strlen(glob);
	se = path + strlen(path);
	if (pe == glob)
		return (-1);
	if (strlen(path) > DIFF_PATH_MAX)
		return (-1);
	if (pe[-1] != '/')
		return (glob_rec(glob, pe, path, se));
	/* "dir/": the directory itself is no file, so only what is under */
	for (t = path; t < se; t++)
		if (*t == '/' && (m = glob_rec(glob, pe - 1, path, t)) != 0)
			return (m);
	return (0);
}

static int
path_check(const char *path, const char *const *allowed, size_t nallowed,
    const char *const *disallowed, size_t ndisallowed, char *err,
    size_t errlen)
{
	size_t	 i;
	int	 m, ok = nallowed == 0;

	for (i = 0; i < nallowed && !ok; i++) {
		if ((m = diff_glob_match(allowed[i], path)) == -1) {
			errbuf_set(err, errlen, "bad glob: %s", allowed[i]);
			return (-1);
		}
		ok = m;
	}
	if (!ok) {
		errbuf_set(err, errlen, "path not allowed: %s", path);
		return (-1);
	}
	for (i = 0; i < ndisallowed; i++) {
		if ((m = diff_glob_match(disallowed[i], path)) == -1) {
			errbuf_set(err, errlen, "bad glob: %s", disallowed[i]);
			return (-1);
		}
		if (m) {
			errbuf_set(err, errlen, "path disallowed by %s: %s",
			    disallowed[i], path);
			return (-1);
		}
	}
	return (0);
}

int
diff_check_paths(const struct diff *d, const char *const *allowed,
    size_t nallowed, const char *const *disallowed, size_t ndisallowed,
    char *err, size_t errlen)
{
	const struct diff_file	*f;
	size_t			 i;

	for (i = 0; i < d->d_nfiles; i++) {
		f = &d->d_files[i];
		if (f->df_status != DIFF_ADDED && path_check(f->df_old,
		    allowed, nallowed, disallowed, ndisallowed, err,
		    errlen) == -1)
			return (-1);
		if (f->df_status != DIFF_DELETED && path_check(f->df_new,
		    allowed, nallowed, disallowed, ndisallowed, err,
		    errlen) == -1)
			return (-1);
	}
	return (0);
}

int
diff_sha256(const char *text, size_t len, char hex[65])
{
	uint8_t	 md[crypto_hash_sha256_BYTES];

	if (sodium_init() == -1 ||
	    crypto_hash_sha256(md, (const unsigned char *)text, len) != 0)
		return (-1);
	hex_encode(md, sizeof(md), hex);
	return (0);
}
