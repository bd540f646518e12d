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
 * TOML scalars: the four kinds of strings, integers, floats, booleans
 * and the RFC 3339 dates and times, plus the UTF-8 check of the whole
 * document.  Every reader starts at the cursor and leaves it on the
 * first byte after what it read; what follows is the caller's business.
 */

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml_private.h"

/* A growing output buffer for string contents. */
struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

/* Longest token quoted back in an error message. */
#define TOKEN_SHOW	40

static int	sbuf_add(struct toml_parser *, struct sbuf *, const char *,
		    size_t);
static int	sbuf_utf8(struct toml_parser *, struct sbuf *, uint32_t);
static int	is_ctrl(unsigned char);
static int	newline_take(struct toml_parser *, struct sbuf *);
static int	escape_read(struct toml_parser *, struct sbuf *, int);
static int	basic_read(struct toml_parser *, struct sbuf *);
static int	literal_read(struct toml_parser *, struct sbuf *);
static int	multi_read(struct toml_parser *, struct sbuf *, char);
static int	digit_value(int, int);
static int	digits_scan(const char *, size_t, size_t *, int);
static int	token_bad(struct toml_parser *, const char *, const char *,
		    size_t);
static int	integer_read(struct toml_parser *, struct toml_value *,
		    const char *, size_t);
static int	float_read(struct toml_parser *, struct toml_value *,
		    const char *, size_t);
static int	fixed_digits(const char *, size_t, size_t *, int, int *);
static int	days_in_month(int, int);
static int	datetime_read(struct toml_parser *, struct toml_value *,
		    const char *, size_t);
static int	is_token_char(int);

static int
sbuf_add(struct toml_parser *tp, struct sbuf *b, const char *s, size_t n)
{
	char	*ns;
	size_t	 ncap;

	if (n > SIZE_MAX - b->len - 1)
		return (toml_error(tp, "string too long"));
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap == 0 ? 32 : b->cap;
		while (ncap < b->len + n + 1) {
			if (ncap > SIZE_MAX / 2)
				return (toml_error(tp, "string too long"));
			ncap *= 2;
		}
		if ((ns = realloc(b->s, ncap)) == NULL)
			return (toml_error(tp, "out of memory"));
		b->s = ns;
		b->cap = ncap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return (0);
}

/* Append one Unicode scalar value as UTF-8. */
static int
sbuf_utf8(struct toml_parser *tp, struct sbuf *b, uint32_t cp)
{
	char	 u[4];
	size_t	 n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return (sbuf_add(tp, b, u, n));
}

/* Control characters TOML allows in no string (tab is fine). */
static int
is_ctrl(unsigned char c)
{
	return ((c < 0x20 && c != '\t') || c == 0x7f);
}

/*
 * At a line feed or CR LF inside a multi-line string: take it, append
 * a single '\n' when b is not NULL.  A lone CR is an error.
 */
static int
newline_take(struct toml_parser *tp, struct sbuf *b)
{
	if (*tp->p == '\r') {
		if (TP_LEFT(tp) < 2 || tp->p[1] != '\n')
			return (toml_error(tp, "carriage return without "
			    "line feed"));
		tp->p++;
	}
	tp->p++;
	TP_NEWLINE(tp);
	if (b != NULL)
		return (sbuf_add(tp, b, "\n", 1));
	return (0);
}

/* After a backslash in a basic string. */
static int
escape_read(struct toml_parser *tp, struct sbuf *b, int multi)
{
	const char	*q;
	uint32_t	 cp;
	size_t		 i, n;
	int		 c, d;
	char		 ch;

	if (TP_LEFT(tp) == 0)
		return (toml_error(tp, "unterminated string"));
	c = (unsigned char)*tp->p;
	switch (c) {
	case 'b':
		ch = '\b';
		break;
	case 't':
		ch = '\t';
		break;
	case 'n':
		ch = '\n';
		break;
	case 'f':
		ch = '\f';
		break;
	case 'r':
		ch = '\r';
		break;
	case '"':
		ch = '"';
		break;
	case '\\':
		ch = '\\';
		break;
	case 'u':
	case 'U':
		n = c == 'u' ? 4 : 8;
		if (TP_LEFT(tp) < n + 1)
			return (toml_error(tp, "short \\%c escape", c));
		cp = 0;
		for (i = 1; i <= n; i++) {
			if ((d = digit_value((unsigned char)tp->p[i], 16)) ==
			    -1)
				return (toml_error(tp, "bad hex digit in "
				    "\\%c escape", c));
			cp = (cp << 4) | (uint32_t)d;
		}
		if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return (toml_error(tp, "\\%c escape U+%04X is not a "
			    "Unicode scalar value", c, (unsigned int)cp));
		tp->p += n + 1;
		return (sbuf_utf8(tp, b, cp));
	default:
		/* line-ending backslash: skip blanks up to a newline ... */
		if (multi && (c == ' ' || c == '\t' || c == '\n' ||
		    c == '\r')) {
			q = tp->p;
			while (q < tp->end && (*q == ' ' || *q == '\t'))
				q++;
			if (q == tp->end || (*q != '\n' && *q != '\r'))
				return (toml_error(tp, "backslash followed by "
				    "blanks must end the line"));
			tp->p = q;
			/* ... then every blank and newline after it */
			while (tp->p < tp->end) {
				if (*tp->p == ' ' || *tp->p == '\t')
					tp->p++;
				else if (*tp->p == '\n' || *tp->p == '\r') {
					if (newline_take(tp, NULL) == -1)
						return (-1);
				} else
					break;
			}
			return (0);
		}
		if (c > 0x20 && c < 0x7f)
			return (toml_error(tp, "invalid escape '\\%c'", c));
		return (toml_error(tp, "invalid escape '\\' + 0x%02x", c));
	}
	tp->p++;
	return (sbuf_add(tp, b, &ch, 1));
}

/* "...": the cursor is after the opening quote. */
static int
basic_read(struct toml_parser *tp, struct sbuf *b)
{
	const char	*run;
	unsigned char	 c;

	for (;;) {
		run = tp->p;
		while (tp->p < tp->end) {
			c = (unsigned char)*tp->p;
			if (c == '"' || c == '\\' || is_ctrl(c))
				break;
			tp->p++;
		}
		if (tp->p > run && sbuf_add(tp, b, run,
		    (size_t)(tp->p - run)) == -1)
			return (-1);
		if (tp->p == tp->end)
			return (toml_error(tp, "unterminated string"));
		c = (unsigned char)*tp->p;
		if (c == '"') {
			tp->p++;
			return (0);
		}
		if (c == '\\') {
			tp->p++;
			if (escape_read(tp, b, 0) == -1)
				return (-1);
			continue;
		}
		if (c == '\n' || c == '\r')
			return (toml_error(tp, "unterminated string"));
		return (toml_error(tp, "control character 0x%02x in string",
		    c));
	}
}

/* '...': the cursor is after the opening quote. */
static int
literal_read(struct toml_parser *tp, struct sbuf *b)
{
	const char	*run;
	unsigned char	 c;

	run = tp->p;
	while (tp->p < tp->end) {
		c = (unsigned char)*tp->p;
		if (c == '\'') {
			if (sbuf_add(tp, b, run, (size_t)(tp->p - run)) == -1)
				return (-1);
			tp->p++;
			return (0);
		}
		if (c == '\n' || c == '\r')
			return (toml_error(tp, "unterminated string"));
		if (is_ctrl(c))
			return (toml_error(tp, "control character 0x%02x in "
			    "string", c));
		tp->p++;
	}
	return (toml_error(tp, "unterminated string"));
}

/*
 * """...""" or '''...''': the cursor is after the opening delimiter.
 * One or two quotes may touch the closing delimiter, so a run of
 * three to five quotes ends the string.
 */
static int
multi_read(struct toml_parser *tp, struct sbuf *b, char q)
{
	const char	*run;
	size_t		 n;
	unsigned char	 c;

	/* a newline right after the delimiter is trimmed */
	if (tp->p < tp->end && (*tp->p == '\n' || *tp->p == '\r'))
		if (newline_take(tp, NULL) == -1)
			return (-1);
	for (;;) {
		run = tp->p;
		while (tp->p < tp->end) {
			c = (unsigned char)*tp->p;
			if (c == (unsigned char)q || is_ctrl(c) ||
			    (q == '"' && c == '\\'))
				break;
			tp->p++;
		}
		if (tp->p > run && sbuf_add(tp, b, run,
		    (size_t)(tp->p - run)) == -1)
			return (-1);
		if (tp->p == tp->end)
			return (toml_error(tp, "unterminated multi-line "
			    "string"));
		c = (unsigned char)*tp->p;
		if (c == (unsigned char)q) {
			run = tp->p;
			n = 0;
			while (tp->p < tp->end && *tp->p == q) {
				tp->p++;
				n++;
			}
			if (n < 3) {
				if (sbuf_add(tp, b, run, n) == -1)
					return (-1);
				continue;
			}
			if (n > 5)
				return (toml_error(tp, "too many quotes at "
				    "the end of a multi-line string"));
			return (sbuf_add(tp, b, run, n - 3));
		}
		if (c == '\\') {
			tp->p++;
			if (escape_read(tp, b, 1) == -1)
				return (-1);
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (newline_take(tp, b) == -1)
				return (-1);
			continue;
		}
		return (toml_error(tp, "control character 0x%02x in string",
		    c));
	}
}

/*
 * Any of the four string forms at the cursor; multi-line ones only when
 * multi is set (keys cannot be multi-line).  On success *sp is a
 * NUL-terminated allocation holding *lenp bytes.
 */
int
toml_string_read(struct toml_parser *tp, int multi, char **sp, size_t *lenp)
{
	struct sbuf	 b;
	char		 q;
	int		 rv;

	memset(&b, 0, sizeof(b));
	if (sbuf_add(tp, &b, "", 0) == -1)
		return (-1);
	q = *tp->p;
	if (TP_LEFT(tp) >= 3 && tp->p[1] == q && tp->p[2] == q) {
		if (!multi) {
			free(b.s);
			return (toml_error(tp, "a key cannot be a multi-line "
			    "string"));
		}
		tp->p += 3;
		rv = multi_read(tp, &b, q);
	} else {
		tp->p++;
		rv = q == '"' ? basic_read(tp, &b) : literal_read(tp, &b);
	}
	if (rv == -1) {
		free(b.s);
		return (-1);
	}
	*sp = b.s;
	*lenp = b.len;
	return (0);
}

static int
digit_value(int c, int base)
{
	int	 d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return (-1);
	return (d < base ? d : -1);
}

/*
 * Digits of the given base from s[*i], where an underscore must sit
 * between two digits.  Returns how many digits were read, or -1 for a
 * misplaced underscore.
 */
static int
digits_scan(const char *s, size_t n, size_t *i, int base)
{
	int	 count = 0, prev = 0;

	while (*i < n) {
		if (s[*i] == '_') {
			if (!prev || *i + 1 >= n ||
			    digit_value((unsigned char)s[*i + 1], base) == -1)
				return (-1);
			prev = 0;
			(*i)++;
			continue;
		}
		if (digit_value((unsigned char)s[*i], base) == -1)
			break;
		prev = 1;
		count++;
		(*i)++;
	}
	return (count);
}

static int
token_bad(struct toml_parser *tp, const char *what, const char *s, size_t n)
{
	if (n > TOKEN_SHOW)
		return (toml_error(tp, "%s '%.*s...'", what, TOKEN_SHOW, s));
	return (toml_error(tp, "%s '%.*s'", what, (int)n, s));
}

static int
integer_read(struct toml_parser *tp, struct toml_value *v, const char *s,
    size_t n)
{
	uint64_t	 acc = 0, limit;
	size_t		 i = 0, start;
	int		 base = 10, neg = 0, d;

	if (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-';
		i = 1;
	}
	if (n - i >= 2 && s[i] == '0' &&
	    (s[i + 1] == 'x' || s[i + 1] == 'o' || s[i + 1] == 'b')) {
		if (i != 0)
			return (token_bad(tp, "sign on a non-decimal integer",
			    s, n));
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		i = 2;
	}
	start = i;
	if (digits_scan(s, n, &i, base) <= 0 || i != n)
		return (token_bad(tp, "invalid integer", s, n));
	if (base == 10 && s[start] == '0' && n - start > 1)
		return (token_bad(tp, "leading zero in integer", s, n));
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (i = start; i < n; i++) {
		if (s[i] == '_')
			continue;
		d = digit_value((unsigned char)s[i], base);
		if (acc > (limit - (uint64_t)d) / (uint64_t)base)
			return (token_bad(tp, "integer out of range", s, n));
		acc = acc * (uint64_t)base + (uint64_t)d;
	}
	v->type = TOML_INTEGER;
	if (neg)
		v->u.integer = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		    -(int64_t)acc;
	else
		v->u.integer = (int64_t)acc;
	return (0);
}

static int
float_read(struct toml_parser *tp, struct toml_value *v, const char *s,
    size_t n)
{
	char		*buf, *ep;
	double		 d;
	size_t		 i = 0, j, k;
	int		 parts = 0;

	if (s[0] == '+' || s[0] == '-')
		i = 1;
	if (n - i == 3 && (memcmp(s + i, "inf", 3) == 0 ||
	    memcmp(s + i, "nan", 3) == 0)) {
		v->type = TOML_FLOAT;
		d = s[i] == 'i' ? INFINITY : NAN;
		v->u.flt = s[0] == '-' ? -d : d;
		return (0);
	}
	j = i;
	if (digits_scan(s, n, &i, 10) <= 0)
		return (token_bad(tp, "invalid float", s, n));
	if (s[j] == '0' && i - j > 1)
		return (token_bad(tp, "leading zero in float", s, n));
	if (i < n && s[i] == '.') {
		i++;
		if (digits_scan(s, n, &i, 10) <= 0)
			return (token_bad(tp, "invalid float", s, n));
		parts++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (digits_scan(s, n, &i, 10) <= 0)
			return (token_bad(tp, "invalid float", s, n));
		parts++;
	}
	if (i != n || parts == 0)
		return (token_bad(tp, "invalid float", s, n));

	if ((buf = malloc(n + 1)) == NULL)
		return (toml_error(tp, "out of memory"));
	for (j = k = 0; j < n; j++)
		if (s[j] != '_')
			buf[k++] = s[j];
	buf[k] = '\0';
	errno = 0;
	d = strtod(buf, &ep);
	if (*ep != '\0' || (errno == ERANGE && isinf(d))) {
		free(buf);
		return (token_bad(tp, "float out of range", s, n));
	}
	free(buf);
	v->type = TOML_FLOAT;
	v->u.flt = d;
	return (0);
}

/* Exactly cnt decimal digits at s[*i]. */
static int
fixed_digits(const char *s, size_t n, size_t *i, int cnt, int *out)
{
	int	 val = 0;

	while (cnt-- > 0) {
		if (*i >= n || s[*i] < '0' || s[*i] > '9')
			return (-1);
		val = val * 10 + (s[*i] - '0');
		(*i)++;
	}
	*out = val;
	return (0);
}

static int
days_in_month(int year, int month)
{
	static const int	 days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) ||
	    year % 400 == 0))
		return (29);
	return (days[month - 1]);
}

/*
 * YYYY-MM-DD, HH:MM:SS[.frac] or both joined by 'T', 't' or a space,
 * optionally followed by Z or +HH:MM when there is a date.
 */
static int
datetime_read(struct toml_parser *tp, struct toml_value *v, const char *s,
    size_t n)
{
	struct toml_datetime	*dt = &v->u.dt;
	size_t			 i = 0;
	int			 date = 0, sign, oh, om;

	memset(dt, 0, sizeof(*dt));
	if (n >= 5 && s[4] == '-') {
		if (fixed_digits(s, n, &i, 4, &dt->year) == -1 ||
		    s[i++] != '-' ||
		    fixed_digits(s, n, &i, 2, &dt->month) == -1 ||
		    i >= n || s[i++] != '-' ||
		    fixed_digits(s, n, &i, 2, &dt->day) == -1)
			return (token_bad(tp, "invalid date", s, n));
		if (dt->month < 1 || dt->month > 12 || dt->day < 1 ||
		    dt->day > days_in_month(dt->year, dt->month))
			return (token_bad(tp, "impossible date", s, n));
		if (i == n) {
			v->type = TOML_DATE_LOCAL;
			return (0);
		}
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return (token_bad(tp, "invalid date-time", s, n));
		i++;
		date = 1;
	}
	if (fixed_digits(s, n, &i, 2, &dt->hour) == -1 || i >= n ||
	    s[i++] != ':' || fixed_digits(s, n, &i, 2, &dt->minute) == -1 ||
	    i >= n || s[i++] != ':' ||
	    fixed_digits(s, n, &i, 2, &dt->second) == -1)
		return (token_bad(tp, "invalid time", s, n));
	/* 60 is a leap second, which RFC 3339 allows */
	if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
		return (token_bad(tp, "impossible time", s, n));
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return (token_bad(tp, "invalid fraction of a second",
			    s, n));
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (dt->frac_digits < 9)
				dt->nanosecond = dt->nanosecond * 10 +
				    (s[i] - '0');
			if (dt->frac_digits < INT_MAX)
				dt->frac_digits++;
			i++;
		}
		for (oh = dt->frac_digits; oh < 9; oh++)
			dt->nanosecond *= 10;
	}
	if (!date) {
		if (i != n)
			return (token_bad(tp, "invalid time", s, n));
		v->type = TOML_TIME_LOCAL;
		return (0);
	}
	if (i == n) {
		v->type = TOML_DATETIME_LOCAL;
		return (0);
	}
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
		dt->offset_min = 0;
	} else if (s[i] == '+' || s[i] == '-') {
		sign = s[i++] == '-' ? -1 : 1;
		if (fixed_digits(s, n, &i, 2, &oh) == -1 || i >= n ||
		    s[i++] != ':' || fixed_digits(s, n, &i, 2, &om) == -1 ||
		    oh > 23 || om > 59)
			return (token_bad(tp, "invalid time offset", s, n));
		dt->offset_min = sign * (oh * 60 + om);
	} else
		return (token_bad(tp, "invalid date-time", s, n));
	if (i != n)
		return (token_bad(tp, "invalid date-time", s, n));
	v->type = TOML_DATETIME;
	return (0);
}

static int
is_token_char(int c)
{
	return ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_' || c == '+' || c == '-' ||
	    c == '.' || c == ':');
}

/*
 * A boolean, number or date at the cursor.  The token runs to the first
 * byte that cannot be part of one; a date followed by a space and a
 * time is one token.
 */
int
toml_scalar_read(struct toml_parser *tp, struct toml_value *v)
{
	const char	*s = tp->p, *q;
	size_t		 n, i;
	int		 c;

	q = s;
	while (q < tp->end && is_token_char((unsigned char)*q))
		q++;
	n = (size_t)(q - s);
	if (n == 10 && s[4] == '-' && s[7] == '-' && TP_LEFT(tp) > 13 &&
	    s[10] == ' ' && s[11] >= '0' && s[11] <= '9' &&
	    s[12] >= '0' && s[12] <= '9' && s[13] == ':') {
		q = s + 11;
		while (q < tp->end && is_token_char((unsigned char)*q))
			q++;
		n = (size_t)(q - s);
	}
	if (n == 0) {
		c = TP_LEFT(tp) > 0 ? (unsigned char)*s : 0;
		if (c > 0x20 && c < 0x7f)
			return (toml_error(tp, "expected a value, found '%c'",
			    c));
		return (toml_error(tp, "expected a value"));
	}
	tp->p = q;

	if (n == 4 && memcmp(s, "true", 4) == 0) {
		v->type = TOML_BOOL;
		v->u.boolean = 1;
		return (0);
	}
	if (n == 5 && memcmp(s, "false", 5) == 0) {
		v->type = TOML_BOOL;
		v->u.boolean = 0;
		return (0);
	}
	if ((n >= 5 && s[4] == '-' && s[0] >= '0' && s[0] <= '9') ||
	    (n >= 3 && s[2] == ':'))
		return (datetime_read(tp, v, s, n));

	/* a float has a point, an exponent, or is inf/nan */
	i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
	if (i == n || s[i] < '0' || s[i] > '9') {
		if (n - i == 3 && (memcmp(s + i, "inf", 3) == 0 ||
		    memcmp(s + i, "nan", 3) == 0))
			return (float_read(tp, v, s, n));
		return (token_bad(tp, "invalid value", s, n));
	}
	if (n - i >= 2 && s[i] == '0' &&
	    (s[i + 1] == 'x' || s[i + 1] == 'o' || s[i + 1] == 'b'))
		return (integer_read(tp, v, s, n));
	for (; i < n; i++)
		if (s[i] == '.' || s[i] == 'e' || s[i] == 'E')
			return (float_read(tp, v, s, n));
	return (integer_read(tp, v, s, n));
}

/*
 * Well-formed UTF-8: no overlong forms, no surrogates, nothing above
 * U+10FFFF.  On failure *bad is the offset of the offending byte.
 */
int
toml_utf8_check(const char *s, size_t n, size_t *bad)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, k, need;
	uint32_t		 cp, min;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf) {
			need = 1;
			cp = u[i] & 0x1f;
			min = 0x80;
		} else if (u[i] >= 0xe0 && u[i] <= 0xef) {
			need = 2;
			cp = u[i] & 0x0f;
			min = 0x800;
		} else if (u[i] >= 0xf0 && u[i] <= 0xf4) {
			need = 3;
			cp = u[i] & 0x07;
			min = 0x10000;
		} else {
			*bad = i;
			return (-1);
		}
		if (n - i <= need) {
			*bad = i;
			return (-1);
		}
		for (k = 1; k <= need; k++) {
			if ((u[i + k] & 0xc0) != 0x80) {
				*bad = i;
				return (-1);
			}
			cp = (cp << 6) | (u[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			*bad = i;
			return (-1);
		}
		i += need + 1;
	}
	return (0);
}
