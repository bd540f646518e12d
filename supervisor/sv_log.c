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
 * The persistent log, $OPENAGENTS_HOME/provider/logs/openagentsd.log,
 * that 'openagents provider logs' reads.  One line per message:
 *
 *	2026-12-01T11:00:00Z WARNING workerd: job job_...: ...
 *
 * Only the supervisor writes it.  The helpers are sandboxed and may
 * open no file, so each gets a pipe as its stderr when it is spawned
 * and writes "<pri>message" lines there (log_setpipe); the supervisor
 * reads them from the event loop, non-blocking and a bounded line at a
 * time, and stamps them with the time and the helper's name.  Lines of
 * its own come through the log hook.  The file is rotated by size:
 * openagentsd.log.1 to .3 keep the older lines.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <event2/event.h>

#include "log.h"
#include "supervisor.h"
#include "sv_log.h"

#define SVLOG_NAME		"openagentsd.log"
#define SVLOG_MAX_BYTES		(10 * 1024 * 1024)
#define SVLOG_KEEP		3
#define SVLOG_LINE_MAX		1100	/* a helper's line; longer is cut */
#define SVLOG_READS		16	/* per wakeup, so no helper starves */

struct sv_logpipe {
	int		 lp_fd;
	struct event	*lp_ev;
	size_t		 lp_len;
	int		 lp_cut;	/* dropping the rest of a long line */
	char		 lp_buf[SVLOG_LINE_MAX];
};

static struct {
	int		 lf_fd;
	char		 lf_path[OA_PATH_MAX];
	off_t		 lf_size;
	off_t		 lf_max;
	int		 lf_foreground;
} lf = { .lf_fd = -1 };

static struct sv_logpipe	 pipes[PROC_MAX];

static void	svlog_hook(int, const char *, const char *);
static void	svlog_write(int, const char *, const char *);
static void	svlog_rotate(void);
static void	svlog_readcb(int, short, void *);
static void	svlog_drain(enum proc_id, int);

const char *
sv_log_level(int pri)
{
	switch (pri) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
		return ("CRIT");
	case LOG_ERR:
		return ("ERROR");
	case LOG_WARNING:
		return ("WARNING");
	case LOG_DEBUG:
		return ("DEBUG");
	default:
		return ("INFO");
	}
}

/*
 * Before the daemon forks, so that a folder we cannot write is said on
 * the terminal.  OPENAGENTS_LOG_MAX_BYTES lowers the rotation size, for
 * the tests.
 */
int
sv_log_open(struct supervisor *sv, char *err, size_t errlen)
{
	struct stat	 st;
	const char	*env, *errstr;
	int		 i;

	lf.lf_max = SVLOG_MAX_BYTES;
	if ((env = getenv("OPENAGENTS_LOG_MAX_BYTES")) != NULL) {
		lf.lf_max = strtonum(env, 1024, (long long)1 << 40, &errstr);
		if (errstr != NULL) {
			errbuf_set(err, errlen, "OPENAGENTS_LOG_MAX_BYTES %s "
			    "is %s", env, errstr);
			return (-1);
		}
	}
	lf.lf_foreground = sv->sv_foreground;
	if (mkdir_private(sv->sv_paths.p_logs) == -1 ||
	    path_join(lf.lf_path, sizeof(lf.lf_path), sv->sv_paths.p_logs,
	    SVLOG_NAME) == -1) {
		errbuf_set(err, errlen, "%s: %s", sv->sv_paths.p_logs,
		    strerror(errno));
		return (-1);
	}
	/* O_NONBLOCK: a FIFO put there must not hang the start */
	if ((lf.lf_fd = open(lf.lf_path, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600)) == -1 ||
	    fstat(lf.lf_fd, &st) == -1) {
		errbuf_set(err, errlen, "%s: %s", lf.lf_path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		errbuf_set(err, errlen, "%s: not a regular file", lf.lf_path);
		goto fail;
	}
	if ((st.st_mode & 077) != 0 && fchmod(lf.lf_fd, 0600) == -1) {
		errbuf_set(err, errlen, "%s: %s", lf.lf_path, strerror(errno));
		goto fail;
	}
	lf.lf_size = st.st_size;
	for (i = 0; i < PROC_MAX; i++)
		pipes[i].lp_fd = -1;
	log_sethook(svlog_hook);
	return (0);
 fail:
	if (lf.lf_fd != -1)
		(void)close(lf.lf_fd);
	lf.lf_fd = -1;
	return (-1);
}

void
sv_log_close(void)
{
	int	 i;

	for (i = 0; i < PROC_MAX; i++)
		svlog_drain(i, 1);
	log_sethook(NULL);
	if (lf.lf_fd != -1)
		(void)close(lf.lf_fd);
	lf.lf_fd = -1;
}

/* The supervisor's own lines: stderr and syslog had them already. */
static void
svlog_hook(int pri, const char *proc, const char *msg)
{
	svlog_write(pri, proc, msg);
}

/* Control characters would break the one-line-per-message rule. */
static void
svlog_clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

static void
svlog_write(int pri, const char *proc, const char *msg)
{
	struct tm	 tm;
	time_t		 now = time(NULL);
	char		 line[SVLOG_LINE_MAX + 128], stamp[32];
	ssize_t		 w;
	int		 n;

	if (lf.lf_fd == -1)
		return;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)strlcpy(stamp, "1970-01-01T00:00:00Z", sizeof(stamp));
	n = snprintf(line, sizeof(line), "%s %s %s: %s", stamp,
	    sv_log_level(pri), proc, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n] = '\0';
	svlog_clean(line);
	line[n++] = '\n';
	/* O_APPEND and one write: a line is never split in the file */
	if ((w = write(lf.lf_fd, line, (size_t)n)) > 0)
		lf.lf_size += w;
	if (lf.lf_size >= lf.lf_max)
		svlog_rotate();
}

static void
svlog_rotate(void)
{
	char	 from[OA_PATH_MAX + 8], to[OA_PATH_MAX + 8];
	int	 i, fd;

	for (i = SVLOG_KEEP - 1; i >= 0; i--) {
		if (i == 0)
			(void)strlcpy(from, lf.lf_path, sizeof(from));
		else
			(void)snprintf(from, sizeof(from), "%s.%d",
			    lf.lf_path, i);
		(void)snprintf(to, sizeof(to), "%s.%d", lf.lf_path, i + 1);
		if (rename(from, to) == -1 && errno != ENOENT)
			log_warn("log rotation: rename %s", from);
	}
	if ((fd = open(lf.lf_path, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW, 0600)) == -1) {
		/* keep writing the renamed file rather than nothing */
		log_warn("log rotation: %s", lf.lf_path);
		lf.lf_size = 0;
		return;
	}
	(void)close(lf.lf_fd);
	lf.lf_fd = fd;
	lf.lf_size = 0;
}

/*
 * One line from a helper: "<pri>message", or anything else it or a
 * library printed, taken as a warning.  syslog had it from the helper.
 */
static void
svlog_helper_line(enum proc_id id, char *s)
{
	const char	*errstr;
	char		*end;
	int		 pri = LOG_WARNING, n;

	if (s[0] == '<' && (end = strchr(s, '>')) != NULL &&
	    end - s <= 2) {
		*end = '\0';
		n = strtonum(s + 1, 0, 7, &errstr);
		if (errstr == NULL) {
			pri = n;
			s = end + 1;
		} else
			*end = '>';
	}
	if (lf.lf_foreground) {
		char	 line[SVLOG_LINE_MAX + 64];

		n = snprintf(line, sizeof(line), "%s: %s\n", proc_name(id), s);
		if (n > 0) {
			if ((size_t)n >= sizeof(line))
				n = sizeof(line) - 1;
			(void)!write(STDERR_FILENO, line, (size_t)n);
		}
	}
	svlog_write(pri, proc_name(id), s);
}

/* Whole lines out of the buffer; a full buffer is one cut line. */
static void
svlog_lines(enum proc_id id, int eof)
{
	struct sv_logpipe	*lp = &pipes[id];
	char			*nl, *p = lp->lp_buf;
	size_t			 left = lp->lp_len;

	while ((nl = memchr(p, '\n', left)) != NULL) {
		*nl = '\0';
		if (!lp->lp_cut)
			svlog_helper_line(id, p);
		lp->lp_cut = 0;
		left -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	if (left == sizeof(lp->lp_buf) || (eof && left > 0)) {
		/* a full buffer gives up its last byte for the NUL */
		if (left == sizeof(lp->lp_buf))
			left--;
		p[left] = '\0';
		if (!lp->lp_cut)
			svlog_helper_line(id, p);
		lp->lp_cut = !eof;
		left = 0;
	}
	memmove(lp->lp_buf, p, left);
	lp->lp_len = left;
}

/* Read what there is; 1 when the pipe is done (EOF or broken). */
static int
svlog_read(enum proc_id id)
{
	struct sv_logpipe	*lp = &pipes[id];
	ssize_t			 n;
	int			 i;

	for (i = 0; i < SVLOG_READS; i++) {
		n = read(lp->lp_fd, lp->lp_buf + lp->lp_len,
		    sizeof(lp->lp_buf) - lp->lp_len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (0);
		if (n <= 0) {
			svlog_lines(id, 1);
			return (1);
		}
		lp->lp_len += (size_t)n;
		svlog_lines(id, 0);
	}
	return (0);
}

static void
svlog_drain(enum proc_id id, int all)
{
	struct sv_logpipe	*lp = &pipes[id];
	int			 i;

	if (lp->lp_fd == -1)
		return;
	/* what a dead helper left is bounded by the pipe's size */
	for (i = 0; all && i < 64; i++)
		if (svlog_read(id))
			break;
	if (lp->lp_ev != NULL) {
		(void)event_del(lp->lp_ev);
		event_free(lp->lp_ev);
		lp->lp_ev = NULL;
	}
	(void)close(lp->lp_fd);
	lp->lp_fd = -1;
	lp->lp_len = 0;
	lp->lp_cut = 0;
}

static void
svlog_readcb(int fd, short event, void *arg)
{
	enum proc_id	 id = (enum proc_id)(uintptr_t)arg;

	(void)fd;
	(void)event;
	if (svlog_read(id))
		svlog_drain(id, 0);
}

/*
 * A new pipe for a helper about to be spawned: the write end is
 * returned for the child's stderr (the caller closes it after the
 * fork), the read end stays here.  -1 when there is no log file or no
 * pipe: the helper then shares our stderr, as it did before.
 */
int
sv_log_pipe(struct supervisor *sv, enum proc_id id)
{
	struct sv_logpipe	*lp;
	int			 p[2];

	if (lf.lf_fd == -1 || (unsigned int)id >= PROC_MAX)
		return (-1);
	lp = &pipes[id];
	svlog_drain(id, 1);	/* the last life's leftovers first */
	if (pipe2(p, O_CLOEXEC) == -1) {
		log_warn("log pipe for %s", proc_name(id));
		return (-1);
	}
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) == -1 ||
	    (lp->lp_ev = event_new(sv->sv_base, p[0], EV_READ | EV_PERSIST,
	    svlog_readcb, (void *)(uintptr_t)id)) == NULL ||
	    event_add(lp->lp_ev, NULL) == -1) {
		log_warn("log pipe for %s", proc_name(id));
		if (lp->lp_ev != NULL)
			event_free(lp->lp_ev);
		lp->lp_ev = NULL;
		(void)close(p[0]);
		(void)close(p[1]);
		return (-1);
	}
	lp->lp_fd = p[0];
	lp->lp_len = 0;
	lp->lp_cut = 0;
	return (p[1]);
}
