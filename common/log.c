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

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "log.h"

static int	 log_foreground = 1;
static int	 log_verbose;
static char	 log_proc[32] = "openagents";
static int	 log_topipe;
static void	(*log_hook)(int, const char *, const char *);
static int	 log_inhook;

/*
 * LOG_NDELAY opens the syslog socket now, before a sandbox takes away
 * socket() and connect().  tzset() reads the zone file for the same
 * reason: localtime_r() in syslog() must not need the filesystem later.
 */
void
log_init(int foreground, int facility)
{
	log_foreground = foreground;
	tzset();
	if (!foreground)
		openlog(log_proc, LOG_PID | LOG_NDELAY, facility);
}

void
log_procinit(const char *name)
{
	if (name != NULL)
		(void)strlcpy(log_proc, name, sizeof(log_proc));
}

/*
 * A helper's stderr is a pipe the supervisor reads: each line goes
 * there as "<pri>message", and the supervisor adds the time and our
 * name and writes the log file, which a sandboxed helper cannot open.
 * syslog stays as it was, straight from the helper.
 */
void
log_setpipe(int on)
{
	log_topipe = on;
}

/* The supervisor's copy of its own lines, for the log file. */
void
log_sethook(void (*hook)(int, const char *, const char *))
{
	log_hook = hook;
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return (log_verbose);
}

int
log_getforeground(void)
{
	return (log_foreground);
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 msg[1024];
	int	 saved_errno = errno;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_foreground || log_topipe) {
		/* one write per line, so lines of several processes don't mix */
		char	 line[1100];
		int	 n;

		if (log_topipe)
			n = snprintf(line, sizeof(line), "<%d>%s\n", pri, msg);
		else
			n = snprintf(line, sizeof(line), "%s: %s\n", log_proc,
			    msg);
		if (n > 0) {
			if ((size_t)n >= sizeof(line)) {
				n = sizeof(line) - 1;
				line[n - 1] = '\n';
			}
			(void)!write(STDERR_FILENO, line, n);
		}
	}
	if (!log_foreground)
		syslog(pri, "%s", msg);
	/* the hook may log its own trouble: that goes nowhere but here */
	if (log_hook != NULL && !log_inhook) {
		log_inhook = 1;
		log_hook(pri, log_proc, msg);
		log_inhook = 0;
	}
	errno = saved_errno;
}

static void	log_fmt(int, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
static void	log_errno(int, int, const char *, va_list)
		    __attribute__((__format__(__printf__, 3, 0)));
static __dead void vfatalc(int, const char *, va_list)
		    __attribute__((__format__(__printf__, 2, 0)));

static void
log_fmt(int pri, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

/* x = no errno, as in the BSD family; errno is saved around the call */
static void
log_errno(int pri, int err, const char *fmt, va_list ap)
{
	char	 msg[1024];

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (err != 0)
		log_fmt(pri, "%s: %s", msg, strerror(err));
	else
		log_fmt(pri, "%s", msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, fmt);
	log_errno(LOG_ERR, saved_errno, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

static __dead void
vfatalc(int err, const char *fmt, va_list ap)
{
	log_errno(LOG_CRIT, err, fmt, ap);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, fmt);
	vfatalc(saved_errno, fmt, ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vfatalc(0, fmt, ap);
}
