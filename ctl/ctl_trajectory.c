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
 * provider trajectory ID: jobs/<ID>/trajectory.jsonl as workerd wrote
 * it (workerd/work_traj.c: our header line, the agent's JSON lines,
 * our end line) for a person, or as one JSON array.  A history
 * command: it reads the file, never the daemon.
 *
 * The agent's lines are whatever the agent printed, so they are
 * checked again here (one JSON object, bounded nesting, no comments)
 * and every byte shown on the terminal is a printable one.
 */

#include <sys/ioctl.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "ctl.h"

#define TJ_LINE_MAX	(2 * 1024 * 1024)
#define TJ_FILE_MAX	(64 * 1024 * 1024)
#define TJ_DEPTH	64
#define TJ_WIDTH	100	/* when stdout is not a terminal */
#define TJ_WIDTH_MIN	40
#define TJ_HEXLEN	16
#define TJ_TEXT		512	/* of a summary, before the cut */
#define TJ_USAGE	"trajectory ID [--json] [--config FILE]"

struct tj_line {
	char	*tl_text;
	size_t	 tl_len;
};

struct tj {
	struct tj_line	*t_lines;
	size_t		 t_n, t_cap, t_bad;
	char		 t_job[32];
	char		 t_traj[40];
	char		 t_type[64];
	char		 t_phase[32];
	char		 t_repo[48];
	char		 t_started_s[32];
	time_t		 t_started;		/* -1: unknown */
	time_t		 t_ended;
	int64_t		 t_duration_ms;		/* -1: no end line */
	int64_t		 t_exit;
	int		 t_have_end;
	size_t		 t_steps;
	int64_t		 t_in, t_out, t_cache;	/* usage */
	int		 t_usage_seen;
};

/* job_ and 16 hex digits, as the ledger names jobs; traj_ names it too */
static int
traj_job_id(const char *arg, char *job, size_t len)
{
	const char	*hex;

	if (strncmp(arg, "job_", 4) == 0)
		hex = arg + 4;
	else if (strncmp(arg, "traj_", 5) == 0)
		hex = arg + 5;
	else
		return (-1);
	if (strlen(hex) != TJ_HEXLEN ||
	    hex[strspn(hex, "0123456789abcdef")] != '\0')
		return (-1);
	(void)snprintf(job, len, "job_%s", hex);
	return (0);
}

/* The nesting depth, so that yajl_tree (which recurses) sees no more. */
static int
tj_open(void *ctx)
{
	int	*depth = ctx;

	return (++*depth <= TJ_DEPTH);
}

static int
tj_close(void *ctx)
{
	int	*depth = ctx;

	(*depth)--;
	return (1);
}

static const yajl_callbacks tj_checks = {
	NULL, NULL, NULL, NULL, NULL, NULL,
	tj_open, NULL, tj_close, tj_open, tj_close
};

/* One JSON object, strict (no comments, valid UTF-8), not too deep. */
static int
tj_valid(const char *s, size_t len)
{
	yajl_handle	 h;
	int		 depth = 0, ok;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (len == 0 || *s != '{')
		return (0);
	if ((h = yajl_alloc(&tj_checks, NULL, &depth)) == NULL)
		err(EXIT_FAILED, "yajl_alloc");
	ok = yajl_parse(h, (const unsigned char *)s, len) == yajl_status_ok &&
	    yajl_complete_parse(h) == yajl_status_ok;
	yajl_free(h);
	return (ok);
}

static int
tj_read(struct tj *t, FILE *f)
{
	char	*line = NULL;
	size_t	 cap = 0, total = 0;
	ssize_t	 n;
	void	*p;

	while ((n = getline(&line, &cap, f)) != -1) {
		if ((total += (size_t)n) > TJ_FILE_MAX) {
			warnx("trajectory longer than %d MiB: the rest is "
			    "left out", TJ_FILE_MAX >> 20);
			break;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (n > TJ_LINE_MAX || memchr(line, '\0', (size_t)n) != NULL ||
		    !tj_valid(line, (size_t)n)) {
			t->t_bad++;
			continue;
		}
		if (t->t_n == t->t_cap) {
			if ((p = reallocarray(t->t_lines, t->t_cap + 64,
			    sizeof(*t->t_lines))) == NULL)
				err(EXIT_FAILED, NULL);
			t->t_lines = p;
			t->t_cap += 64;
		}
		if ((t->t_lines[t->t_n].tl_text = strdup(line)) == NULL)
			err(EXIT_FAILED, NULL);
		t->t_lines[t->t_n++].tl_len = (size_t)n;
	}
	free(line);
	if (ferror(f)) {
		warn("read");
		return (-1);
	}
	return (0);
}

static yajl_val
tj_parse(const struct tj_line *l)
{
	yajl_val	 v;

	/* checked by tj_valid already; a failure here is memory */
	if ((v = yajl_tree_parse(l->tl_text, NULL, 0)) == NULL)
		errx(EXIT_FAILED, "out of memory parsing the trajectory");
	return (v);
}

static const char *
js(yajl_val v, const char *k1, const char *k2)
{
	const char	*path[3] = { k1, k2, NULL };
	yajl_val	 s;

	s = yajl_tree_get(v, path, yajl_t_string);
	return (s != NULL ? YAJL_GET_STRING(s) : NULL);
}

static int
ji(yajl_val v, const char *k1, const char *k2, int64_t *out)
{
	const char	*path[3] = { k1, k2, NULL };
	yajl_val	 n;

	n = yajl_tree_get(v, path, yajl_t_number);
	if (n == NULL || !YAJL_IS_INTEGER(n))
		return (-1);
	*out = YAJL_GET_INTEGER(n);
	return (0);
}

/* "2026-12-01T10:00:00Z" (fractions allowed) or unix seconds/ms. */
static time_t
tj_time(yajl_val v, const char *key)
{
	const char	*path[2] = { key, NULL }, *s, *end;
	yajl_val	 x;
	struct tm	 tm;
	int64_t		 n;

	if ((x = yajl_tree_get(v, path, yajl_t_any)) == NULL)
		return (-1);
	if (YAJL_IS_INTEGER(x)) {
		n = YAJL_GET_INTEGER(x);
		if (n > 100000000000LL)
			n /= 1000;
		return (n > 0 ? (time_t)n : -1);
	}
	if ((s = YAJL_GET_STRING(x)) == NULL)
		return (-1);
	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return (-1);
	if (*end == '.')
		end += 1 + strspn(end + 1, "0123456789");
	if (strcmp(end, "Z") != 0 && strcmp(end, "+00:00") != 0)
		return (-1);
	return (timegm(&tm));
}

static time_t
tj_step_time(yajl_val v)
{
	static const char *const keys[] = {
		"timestamp", "ts", "time", "created_at"
	};
	size_t	 i;
	time_t	 t;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((t = tj_time(v, keys[i])) != -1)
			return (t);
	return (-1);
}

static void
tj_add_usage(struct tj *t, yajl_val u, const char *cached_key)
{
	int64_t	 n;

	if (ji(u, "input_tokens", NULL, &n) == 0 && n > 0)
		t->t_in += n;
	if (ji(u, "output_tokens", NULL, &n) == 0 && n > 0)
		t->t_out += n;
	if (ji(u, cached_key, NULL, &n) == 0 && n > 0) {
		t->t_cache += n;
		/* codex reports cached input apart; workerd counts it in */
		if (strcmp(cached_key, "cached_input_tokens") == 0)
			t->t_in += n;
	}
	t->t_usage_seen = 1;
}

static void
tj_copy(char *dst, size_t len, const char *src)
{
	if (src != NULL)
		(void)strlcpy(dst, src, len);
}

/* The header block's facts, and the usage where the end line has none. */
static void
tj_scan(struct tj *t)
{
	const char	*path_usage[2] = { "usage", NULL };
	yajl_val	 v, u;
	const char	*type;
	int64_t		 end_in = -1, end_out = 0, end_cache = 0, n;
	size_t		 i;

	t->t_started = t->t_ended = -1;
	t->t_duration_ms = -1;
	for (i = 0; i < t->t_n; i++) {
		v = tj_parse(&t->t_lines[i]);
		type = js(v, "type", NULL);
		if (type != NULL && strcmp(type, "header") == 0) {
			tj_copy(t->t_type, sizeof(t->t_type),
			    js(v, "job_type", NULL));
			tj_copy(t->t_phase, sizeof(t->t_phase),
			    js(v, "phase", NULL));
			tj_copy(t->t_repo, sizeof(t->t_repo),
			    js(v, "repo_sha", NULL));
			tj_copy(t->t_started_s, sizeof(t->t_started_s),
			    js(v, "started_at", NULL));
			t->t_started = tj_time(v, "started_at");
		} else if (type != NULL && strcmp(type, "end") == 0) {
			t->t_have_end = 1;
			t->t_ended = tj_time(v, "ended_at");
			if (ji(v, "duration_ms", NULL, &n) == 0)
				t->t_duration_ms = n;
			if (ji(v, "exit_code", NULL, &n) == 0)
				t->t_exit = n;
			if ((u = yajl_tree_get(v, path_usage,
			    yajl_t_object)) != NULL) {
				end_in = end_out = end_cache = 0;
				(void)ji(u, "input_tokens", NULL, &end_in);
				(void)ji(u, "output_tokens", NULL, &end_out);
				(void)ji(u, "cache_read_tokens", NULL,
				    &end_cache);
			}
		} else {
			t->t_steps++;
			if (type != NULL && strcmp(type, "usage") == 0)
				tj_add_usage(t, v, "cache_read_tokens");
			else if (type != NULL &&
			    strcmp(type, "turn.completed") == 0 &&
			    (u = yajl_tree_get(v, path_usage,
			    yajl_t_object)) != NULL)
				tj_add_usage(t, u, "cached_input_tokens");
		}
		yajl_tree_free(v);
	}
	/* workerd's own count, when it wrote one, is the one billed */
	if (end_in >= 0) {
		t->t_in = end_in;
		t->t_out = end_out;
		t->t_cache = end_cache;
		t->t_usage_seen = 1;
	}
	if (t->t_duration_ms < 0 && t->t_started != -1 && t->t_ended != -1 &&
	    t->t_ended >= t->t_started)
		t->t_duration_ms = (int64_t)(t->t_ended - t->t_started) * 1000;
}

/*
 * Text fit for a terminal, cut to width columns: controls become '?'
 * (an agent's output must not drive the terminal), whitespace runs one
 * space, and the cut falls between UTF-8 characters.
 */
static void
tj_clean(char *out, size_t outlen, const char *s, size_t width)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 o = 0, cols = 0, clen;
	int			 space = 0;

	if (outlen == 0)
		return;
	while (*p != '\0' && o + 8 < outlen) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = 1;
			p++;
			continue;
		}
		if (space && o > 0) {
			if (cols + 1 >= width)
				break;
			out[o++] = ' ';
			cols++;
		}
		space = 0;
		if (cols + 1 > width)
			break;
		if (*p < 0x20 || *p == 0x7f) {
			out[o++] = '?';
			p++;
		} else if (*p < 0x80) {
			out[o++] = (char)*p++;
		} else {
			clen = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ?
			    2 : 1;
			/* C1 controls (U+0080..U+009F) act like ESC */
			if (clen == 1 || (clen == 2 && *p == 0xc2 &&
			    p[1] < 0xa0) || strnlen((const char *)p, clen) <
			    clen) {
				out[o++] = '?';
				p++;
			} else {
				memcpy(out + o, p, clen);
				o += clen;
				p += clen;
			}
		}
		cols++;
	}
	if (*p != '\0' && width > 3 && o + 4 < outlen) {
		/* room for the "...": take back whole characters */
		while (o > 0 && cols + 3 > width) {
			while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) ==
			    0x80)
				o--;
			if (o > 0)
				o--;
			cols--;
		}
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* What one step did, in a line: the command of a tool, a message's text. */
static void
tj_summary(yajl_val v, const char *type, char *buf, size_t len)
{
	const char	*s, *name, *itype;
	int64_t		 n, a, b;

	buf[0] = '\0';
	if (strcmp(type, "tool") == 0) {
		/* the exit status first: a long command is cut at the end */
		name = js(v, "name", NULL);
		s = js(v, "input", NULL);
		if (ji(v, "exit_code", NULL, &n) == 0)
			(void)snprintf(buf, len, "%s (exit %lld): %s",
			    name != NULL ? name : "tool", (long long)n,
			    s != NULL ? s : "");
		else
			(void)snprintf(buf, len, "%s: %s",
			    name != NULL ? name : "tool", s != NULL ? s : "");
	} else if (strcmp(type, "command") == 0) {
		(void)snprintf(buf, len, "$ %s",
		    (s = js(v, "command", NULL)) != NULL ? s : "");
	} else if (strcmp(type, "usage") == 0 ||
	    strcmp(type, "turn.completed") == 0) {
		a = b = n = 0;
		(void)ji(v, "input_tokens", NULL, &a);
		(void)ji(v, "usage", "input_tokens", &a);
		(void)ji(v, "output_tokens", NULL, &b);
		(void)ji(v, "usage", "output_tokens", &b);
		(void)ji(v, "cache_read_tokens", NULL, &n);
		(void)ji(v, "usage", "cached_input_tokens", &n);
		(void)snprintf(buf, len, "tokens: %lld in, %lld out, "
		    "%lld cached", (long long)a, (long long)b, (long long)n);
	} else if (strncmp(type, "item.", 5) == 0 &&
	    (itype = js(v, "item", "type")) != NULL) {
		if (strcmp(itype, "command_execution") == 0) {
			s = js(v, "item", "command");
			if (ji(v, "item", "exit_code", &n) == 0)
				(void)snprintf(buf, len, "(exit %lld) $ %s",
				    (long long)n, s != NULL ? s : "");
			else
				(void)snprintf(buf, len, "$ %s",
				    s != NULL ? s : "");
		} else if ((s = js(v, "item", "text")) != NULL ||
		    (s = js(v, "item", "message")) != NULL ||
		    (s = js(v, "item", "query")) != NULL ||
		    (s = js(v, "item", "tool")) != NULL)
			(void)snprintf(buf, len, "%s: %s", itype, s);
		else
			(void)strlcpy(buf, itype, len);
	} else if (strcmp(type, "truncated") == 0) {
		(void)strlcpy(buf, "(workerd cut the agent's output here)",
		    len);
	} else if ((s = js(v, "text", NULL)) != NULL ||
	    (s = js(v, "message", NULL)) != NULL ||
	    (s = js(v, "content", NULL)) != NULL ||
	    (s = js(v, "command", NULL)) != NULL ||
	    (s = js(v, "thread_id", NULL)) != NULL ||
	    (s = js(v, "name", NULL)) != NULL)
		(void)strlcpy(buf, s, len);
}

static size_t
tj_width(void)
{
	struct winsize	 ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ,
	    &ws) == 0 && ws.ws_col >= TJ_WIDTH_MIN)
		return (ws.ws_col);
	return (TJ_WIDTH);
}

static void
tj_print_text(struct tj *t)
{
	char		 dur[32], off[40], raw[TJ_TEXT], text[TJ_TEXT * 2];
	char		 ttype[32], a[32], b[32], c[32];
	const char	*type;
	yajl_val	 v;
	time_t		 when;
	size_t		 i, width = tj_width();

	printf("job         %s\n", t->t_job);
	printf("trajectory  %s\n", t->t_traj);
	if (t->t_type[0] != '\0')
		printf("job type    %s%s%s%s\n", t->t_type,
		    t->t_phase[0] != '\0' ? " (" : "", t->t_phase,
		    t->t_phase[0] != '\0' ? " phase)" : "");
	if (t->t_repo[0] != '\0')
		printf("repository  %.12s\n", t->t_repo);
	if (t->t_started_s[0] != '\0') {
		tj_clean(text, sizeof(text), t->t_started_s, 32);
		printf("started     %s\n", text);
	}
	if (t->t_duration_ms >= 0) {
		fmt_duration(dur, sizeof(dur), t->t_duration_ms / 1000);
		if (t->t_have_end)
			printf("duration    %s, exit status %lld\n", dur,
			    (long long)t->t_exit);
		else
			printf("duration    %s\n", dur);
	} else
		printf("duration    unknown (no end line: the job did not "
		    "finish)\n");
	printf("steps       %zu\n", t->t_steps);
	if (t->t_steps > 0)
		printf("\n%-8s %-16s %s\n", "time", "type", "summary");

	for (i = 0; i < t->t_n; i++) {
		v = tj_parse(&t->t_lines[i]);
		if ((type = js(v, "type", NULL)) == NULL)
			type = "?";
		if (strcmp(type, "header") == 0 || strcmp(type, "end") == 0) {
			yajl_tree_free(v);
			continue;
		}
		off[0] = '\0';
		if (t->t_started != -1 && (when = tj_step_time(v)) != -1 &&
		    when >= t->t_started) {
			fmt_duration(dur, sizeof(dur),
			    (int64_t)(when - t->t_started));
			(void)snprintf(off, sizeof(off), "+%s", dur);
		}
		tj_summary(v, type, raw, sizeof(raw));
		tj_clean(ttype, sizeof(ttype), type, 16);
		tj_clean(text, sizeof(text), raw,
		    width > 27 ? width - 27 : 10);
		if (text[0] != '\0')
			printf("%-8s %-16s %s\n", off, ttype, text);
		else
			printf("%-8s %s\n", off, ttype);
		yajl_tree_free(v);
	}

	if (t->t_usage_seen) {
		fmt_thousands(a, sizeof(a), t->t_in);
		fmt_thousands(b, sizeof(b), t->t_out);
		fmt_thousands(c, sizeof(c), t->t_cache);
		printf("\nusage       %s input tokens (%s of them cached), "
		    "%s output tokens\n", a, c, b);
	}
}

static void
tj_print_json(const struct tj *t)
{
	size_t	 i;

	printf("[");
	for (i = 0; i < t->t_n; i++) {
		printf("%s\n  ", i == 0 ? "" : ",");
		(void)fwrite(t->t_lines[i].tl_text, 1, t->t_lines[i].tl_len,
		    stdout);
	}
	printf("%s]\n", t->t_n > 0 ? "\n" : "");
}

int
cmd_trajectory(int argc, char *argv[])
{
	struct oa_paths	 p;
	struct tj	 t;
	char		 path[OA_PATH_MAX * 2];
	FILE		*f;
	size_t		 i;
	int		 arg, json, rv;

	if ((arg = ctl_report_args(argc, argv, TJ_USAGE, 1, &json,
	    &rv)) == -1)
		return (rv);
	memset(&t, 0, sizeof(t));
	if (traj_job_id(argv[arg], t.t_job, sizeof(t.t_job)) == -1) {
		warnx("'%s' is not a job id (job_ and 16 hex digits)",
		    argv[arg]);
		return (EXIT_USAGE);
	}
	(void)snprintf(t.t_traj, sizeof(t.t_traj), "traj_%.16s", t.t_job + 4);
	if (ctl_paths(&p) == -1)
		return (EXIT_FAILED);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s/trajectory.jsonl",
	    p.p_jobs, t.t_job) >= sizeof(path)) {
		warnx("%s: path too long", p.p_jobs);
		return (EXIT_FAILED);
	}
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT) {
			warnx("no trajectory for job %s", t.t_job);
			return (EXIT_FAILED);
		}
		warn("%s", path);
		return (EXIT_FAILED);
	}
	rv = tj_read(&t, f);
	(void)fclose(f);
	if (rv == -1)
		return (EXIT_FAILED);
	if (t.t_bad > 0)
		warnx("%s: %zu line%s not a JSON object, left out", path,
		    t.t_bad, t.t_bad == 1 ? " is" : "s are");
	if (json)
		tj_print_json(&t);
	else {
		tj_scan(&t);
		tj_print_text(&t);
	}
	for (i = 0; i < t.t_n; i++)
		free(t.t_lines[i].tl_text);
	free(t.t_lines);
	if (fflush(stdout) == EOF) {
		warn("stdout");
		return (EXIT_FAILED);
	}
	return (EXIT_DONE);
}
