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
 * provider logs: the log file the daemon writes (sv_log.c), read
 * directly, so it works whether the daemon runs or not.  The last N
 * lines across the rotated files, optionally only those naming a job
 * (and that job's stderr files), optionally as JSON, optionally
 * followed as the file grows and rotates.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "ctl.h"

#define LOGS_NAME		"openagentsd.log"
#define LOGS_KEEP		3		/* .1 to .3, as sv_log.c */
#define LOGS_LINES		50
#define LOGS_LINES_MAX		100000
#define LOGS_LINE_MAX		2048
#define LOGS_POLL_MS		200
#define LOGS_STDERR_MAX		(64 * 1024)	/* of each stderr file */

struct logs_opts {
	const char	*lo_job;
	long long	 lo_lines;
	int		 lo_follow;
	int		 lo_json;
};

static const struct option logs_longopts[] = {
	{ "job",	required_argument,	NULL,	'j' },
	{ "follow",	no_argument,		NULL,	'f' },
	{ "lines",	required_argument,	NULL,	'n' },
	{ "json",	no_argument,		NULL,	'J' },
	{ "config",	required_argument,	NULL,	'c' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

static int
logs_job_ok(const char *id)
{
	size_t	 i;

	if (strncmp(id, "job_", 4) != 0 || strlen(id) != 20)
		return (0);
	for (i = 4; i < 20; i++)
		if (strchr("0123456789abcdef", id[i]) == NULL)
			return (0);
	return (1);
}

static void
json_put_str(const char *s, size_t n)
{
	size_t	 i;

	putchar('"');
	for (i = 0; i < n; i++) {
		unsigned char	 c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/*
 * "TIME LEVEL process: message"; a line not in that shape (written by
 * something else) is all message.
 */
static void
logs_json(const char *line)
{
	const char	*sp1, *sp2, *colon;

	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL ||
	    (colon = strstr(sp2 + 1, ": ")) == NULL ||
	    memchr(sp2 + 1, ' ', (size_t)(colon - sp2 - 1)) != NULL) {
		printf("{\"time\":null,\"level\":null,\"process\":null,"
		    "\"message\":");
		json_put_str(line, strlen(line));
		printf("}\n");
		return;
	}
	printf("{\"time\":");
	json_put_str(line, (size_t)(sp1 - line));
	printf(",\"level\":");
	json_put_str(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	printf(",\"process\":");
	json_put_str(sp2 + 1, (size_t)(colon - sp2 - 1));
	printf(",\"message\":");
	json_put_str(colon + 2, strlen(colon + 2));
	printf("}\n");
}

static int
logs_match(const struct logs_opts *o, const char *line)
{
	return (o->lo_job == NULL || strstr(line, o->lo_job) != NULL);
}

static void
logs_print(const struct logs_opts *o, const char *line)
{
	if (o->lo_json)
		logs_json(line);
	else
		printf("%s\n", line);
}

/* The last lines that match, oldest first, in a ring. */
struct logs_ring {
	char		**lr_v;
	size_t		  lr_n, lr_next, lr_cap;
};

static int
logs_ring_add(struct logs_ring *r, const char *line)
{
	char	*dup;

	if (r->lr_cap == 0)
		return (0);
	if ((dup = strdup(line)) == NULL)
		return (-1);
	free(r->lr_v[r->lr_next]);
	r->lr_v[r->lr_next] = dup;
	r->lr_next = (r->lr_next + 1) % r->lr_cap;
	if (r->lr_n < r->lr_cap)
		r->lr_n++;
	return (0);
}

/* Whole lines from a stream; a cut-off last line counts as a line. */
static int
logs_scan(FILE *fp, const struct logs_opts *o, struct logs_ring *r)
{
	char	 line[LOGS_LINE_MAX];
	size_t	 n;
	int	 cut = 0;

	while (fgets(line, sizeof(line), fp) != NULL) {
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(fp)) {
			/* longer than any line the daemon writes: skip it */
			cut = 1;
			continue;
		}
		if (cut) {
			cut = 0;
			continue;
		}
		if (logs_match(o, line) && logs_ring_add(r, line) == -1)
			return (-1);
	}
	return (ferror(fp) ? -1 : 0);
}

/* A job's stderr files, the tail of each, after its log lines. */
static void
logs_job_files(const struct oa_paths *p, const char *job)
{
	char		 dir[PATH_MAX], path[PATH_MAX + 256], buf[4096];
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	size_t		 n;
	int		 fd;
	ssize_t		 r;

	if (snprintf(dir, sizeof(dir), "%s/%s", p->p_jobs, job) >=
	    (int)sizeof(dir) || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (strstr(de->d_name, "stderr") == NULL || n < 4 ||
		    strcmp(de->d_name + n - 4, ".txt") != 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
		    -1)
			continue;
		if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			(void)close(fd);
			continue;
		}
		printf("==> %s <==\n", path);
		if (st.st_size > LOGS_STDERR_MAX) {
			printf("[... the first %lld bytes are left out]\n",
			    (long long)(st.st_size - LOGS_STDERR_MAX));
			(void)lseek(fd, st.st_size - LOGS_STDERR_MAX,
			    SEEK_SET);
		}
		(void)fflush(stdout);
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			if (fwrite(buf, 1, (size_t)r, stdout) != (size_t)r)
				break;
		(void)close(fd);
	}
	(void)closedir(d);
}

/* Print what the open file has beyond where we are; keep a partial line. */
static void
logs_follow_read(int fd, const struct logs_opts *o, char *pend,
    size_t *plen)
{
	char	*nl, *p;
	ssize_t	 n;
	size_t	 left;

	for (;;) {
		n = read(fd, pend + *plen, LOGS_LINE_MAX - 1 - *plen);
		if (n <= 0)
			break;
		*plen += (size_t)n;
		p = pend;
		left = *plen;
		while ((nl = memchr(p, '\n', left)) != NULL) {
			*nl = '\0';
			if (logs_match(o, p))
				logs_print(o, p);
			left -= (size_t)(nl + 1 - p);
			p = nl + 1;
		}
		if (left == LOGS_LINE_MAX - 1)
			left = 0;	/* no line is that long: drop it */
		memmove(pend, p, left);
		*plen = left;
	}
	(void)fflush(stdout);
}

/*
 * Poll: new bytes of the open file, and when the path names another
 * file (rotated) the rest of the old one, then the new one from its
 * start.  Until a signal ends us.
 */
static __dead void
logs_follow(const char *path, int fd, const struct logs_opts *o)
{
	struct timespec	 ts = { 0, LOGS_POLL_MS * 1000000L };
	struct stat	 now, cur;
	char		 pend[LOGS_LINE_MAX];
	size_t		 plen = 0;
	off_t		 at;

	for (;;) {
		if (fd != -1)
			logs_follow_read(fd, o, pend, &plen);
		at = fd != -1 ? lseek(fd, 0, SEEK_CUR) : 0;
		/* another file at the path, or this one cut short */
		if (stat(path, &now) == 0 && (fd == -1 ||
		    (fstat(fd, &cur) == 0 && (cur.st_ino != now.st_ino ||
		    cur.st_dev != now.st_dev || now.st_size < at)))) {
			if (fd != -1) {
				logs_follow_read(fd, o, pend, &plen);
				(void)close(fd);
			}
			plen = 0;
			fd = open(path, O_RDONLY | O_CLOEXEC);
			continue;
		}
		(void)nanosleep(&ts, NULL);
	}
}


int
cmd_logs(int argc, char *argv[])
{
	struct logs_opts	 o;
	struct logs_ring	 r;
	struct oa_paths		 p;
	char			 path[PATH_MAX], old[PATH_MAX + 8];
	const char		*errstr;
	FILE			*fp;
	size_t			 i;
	int			 ch, fd = -1, k, rv = EXIT_DONE;

	memset(&o, 0, sizeof(o));
	o.lo_lines = LOGS_LINES;
	while ((ch = getopt_long(argc, argv, "fhj:n:", logs_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'j':
			if (!logs_job_ok(optarg))
				errx(EXIT_USAGE, "--job: %s is not a job id "
				    "(job_ and 16 hex digits)", optarg);
			o.lo_job = optarg;
			break;
		case 'f':
			o.lo_follow = 1;
			break;
		case 'n':
			o.lo_lines = strtonum(optarg, 0, LOGS_LINES_MAX,
			    &errstr);
			if (errstr != NULL)
				errx(EXIT_USAGE, "--lines: %s is %s (0 to %d)",
				    optarg, errstr, LOGS_LINES_MAX);
			break;
		case 'J':
			o.lo_json = 1;
			break;
		case 'c':
			ctl_config = optarg;
			break;
		case 'h':
			printf("usage: openagents provider logs [--job ID] "
			    "[--follow] [--lines N] [--json] [--config FILE]\n");
			exit(EXIT_DONE);
		default:
			ctl_usage_exit("logs");
		}
	}
	if (optind != argc)
		ctl_usage_exit("logs");
	if (ctl_paths(&p) == -1)
		return (EXIT_FAILED);
	if (snprintf(path, sizeof(path), "%s/%s", p.p_logs, LOGS_NAME) >=
	    (int)sizeof(path))
		errx(EXIT_FAILED, "%s: path too long", p.p_logs);

	memset(&r, 0, sizeof(r));
	r.lr_cap = (size_t)o.lo_lines;
	if (r.lr_cap > 0 && (r.lr_v = calloc(r.lr_cap,
	    sizeof(*r.lr_v))) == NULL)
		err(EXIT_FAILED, "calloc");

	/* oldest first: .3, .2, .1, then the file being written */
	for (k = LOGS_KEEP; k >= 1; k--) {
		(void)snprintf(old, sizeof(old), "%s.%d", path, k);
		if ((fp = fopen(old, "re")) == NULL)
			continue;
		if (logs_scan(fp, &o, &r) == -1) {
			warn("%s", old);
			rv = EXIT_FAILED;
		}
		(void)fclose(fp);
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			err(EXIT_FAILED, "%s", path);
		if (!o.lo_follow)
			warnx("no log yet: %s (the daemon writes it once it "
			    "runs)", path);
	} else {
		if ((fp = fdopen(dup(fd), "r")) == NULL)
			err(EXIT_FAILED, "%s", path);
		if (logs_scan(fp, &o, &r) == -1) {
			warn("%s", path);
			rv = EXIT_FAILED;
		}
		/* follow from where the scan stopped, not from the end */
		if (lseek(fd, ftello(fp), SEEK_SET) == -1)
			err(EXIT_FAILED, "%s", path);
		(void)fclose(fp);
	}
	for (i = 0; i < r.lr_n; i++) {
		size_t j = (r.lr_next + r.lr_cap - r.lr_n + i) % r.lr_cap;

		logs_print(&o, r.lr_v[j]);
		free(r.lr_v[j]);
	}
	free(r.lr_v);
	if (o.lo_job != NULL && !o.lo_json)
		logs_job_files(&p, o.lo_job);
	(void)fflush(stdout);
	if (o.lo_follow)
		logs_follow(path, fd, &o);
	if (fd != -1)
		(void)close(fd);
	return (rv);
}
