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

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>

#include "util.h"

int
path_join(char *dst, size_t len, const char *dir, const char *name)
{
	int	 n;

	n = snprintf(dst, len, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	return (0);
}

static int
paths_err(char *err, size_t errlen, const char *what, const char *path)
{
	(void)snprintf(err, errlen, "%s: %s", what, path);
	return (-1);
}

int
paths_init(struct oa_paths *p, const char *config, char *err, size_t errlen)
{
	const char	*home, *slash;
	struct passwd	*pw;
	size_t		 n;

	memset(p, 0, sizeof(*p));
	if ((home = getenv("OPENAGENTS_HOME")) != NULL && *home != '\0') {
		if (strlcpy(p->p_home, home, sizeof(p->p_home)) >=
		    sizeof(p->p_home))
			return (paths_err(err, errlen,
			    "OPENAGENTS_HOME is too long", home));
	} else {
		if ((home = getenv("HOME")) == NULL || *home == '\0') {
			if ((pw = getpwuid(getuid())) == NULL)
				return (paths_err(err, errlen,
				    "cannot find the home directory of uid",
				    "(set HOME or OPENAGENTS_HOME)"));
			home = pw->pw_dir;
		}
		if (path_join(p->p_home, sizeof(p->p_home), home,
		    ".openagents") == -1)
			return (paths_err(err, errlen, "path too long", home));
	}

	if (config != NULL) {
		if (strlcpy(p->p_config, config, sizeof(p->p_config)) >=
		    sizeof(p->p_config))
			return (paths_err(err, errlen, "path too long",
			    config));
		if ((slash = strrchr(config, '/')) == NULL)
			(void)strlcpy(p->p_dir, ".", sizeof(p->p_dir));
		else if (slash == config)
			(void)strlcpy(p->p_dir, "/", sizeof(p->p_dir));
		else {
			n = (size_t)(slash - config);
			if (n >= sizeof(p->p_dir))
				return (paths_err(err, errlen,
				    "path too long", config));
			memcpy(p->p_dir, config, n);
			p->p_dir[n] = '\0';
		}
	} else {
		if (path_join(p->p_dir, sizeof(p->p_dir), p->p_home,
		    "provider") == -1 ||
		    path_join(p->p_config, sizeof(p->p_config), p->p_dir,
		    "config.toml") == -1)
			return (paths_err(err, errlen, "path too long",
			    p->p_home));
	}

	if (path_join(p->p_socket, sizeof(p->p_socket), p->p_dir,
	    "control.sock") == -1 ||
	    path_join(p->p_lock, sizeof(p->p_lock), p->p_dir,
	    "openagentsd.lock") == -1 ||
	    path_join(p->p_jobs, sizeof(p->p_jobs), p->p_dir, "jobs") == -1 ||
	    path_join(p->p_logs, sizeof(p->p_logs), p->p_dir, "logs") == -1 ||
	    path_join(p->p_ledger, sizeof(p->p_ledger), p->p_dir,
	    "ledger.db") == -1 ||
	    path_join(p->p_identity, sizeof(p->p_identity), p->p_dir,
	    "identity.enc") == -1 ||
	    path_join(p->p_wallet, sizeof(p->p_wallet), p->p_dir,
	    "wallet.enc") == -1)
		return (paths_err(err, errlen, "path too long", p->p_dir));
	/* a unix socket path must fit sockaddr_un.sun_path */
	if (strlen(p->p_socket) >= 108)
		return (paths_err(err, errlen,
		    "control socket path is longer than 107 bytes",
		    p->p_socket));
	return (0);
}

/* Create a directory only we can enter; an existing one is fine. */
int
mkdir_private(const char *path)
{
	struct stat	 st;

	if (mkdir(path, 0700) == 0)
		return (0);
	if (errno != EEXIST)
		return (-1);
	if (stat(path, &st) == -1)
		return (-1);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return (-1);
	}
	return (0);
}

/* "3m 24s", "1h 02m", "2d 4h": the guide's Duration column style */
void
fmt_duration(char *buf, size_t len, int64_t secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		(void)snprintf(buf, len, "%llds", (long long)secs);
	else if (secs < 3600)
		(void)snprintf(buf, len, "%lldm %02llds",
		    (long long)(secs / 60), (long long)(secs % 60));
	else if (secs < 86400)
		(void)snprintf(buf, len, "%lldh %02lldm",
		    (long long)(secs / 3600), (long long)(secs % 3600 / 60));
	else
		(void)snprintf(buf, len, "%lldd %lldh",
		    (long long)(secs / 86400), (long long)(secs % 86400 / 3600));
}

/* 45000 -> "45,000" */
void
fmt_thousands(char *buf, size_t len, int64_t v)
{
	char		 tmp[32];
	size_t		 i, n, o = 0, lead;
	int		 neg = v < 0;
	unsigned long long u;

	u = neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	n = (size_t)snprintf(tmp, sizeof(tmp), "%llu", u);
	if (len == 0)
		return;
	if (neg && o + 1 < len)
		buf[o++] = '-';
	lead = n % 3 == 0 ? 3 : n % 3;
	for (i = 0; i < n && o + 1 < len; i++) {
		if (i != 0 && (i - lead) % 3 == 0 && i >= lead) {
			buf[o++] = ',';
			if (o + 1 >= len)
				break;
		}
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
}

int64_t
now_monotonic_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return (0);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

void
errbuf_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
