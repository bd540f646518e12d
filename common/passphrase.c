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

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/readpassphrase.h>
#include <bsd/string.h>

#include <sodium.h>

#include "log.h"
#include "passphrase.h"
#include "util.h"

#define PP_NOT_FOUND	1

/*
 * A byte at a time: this is a few dozen bytes once per start, and no
 * part of the passphrase is left in a buffer of ours.  out holds
 * PASSPHRASE_SIZE bytes; *lenp > PASSPHRASE_MAX means the line was
 * too long.
 */
static int
pp_read_line(int fd, char *out, size_t *lenp)
{
	ssize_t	 r;
	size_t	 n = 0;
	char	 c = '\0';
	int	 nl = 0;

	for (;;) {
		if ((r = read(fd, &c, 1)) == -1) {
			if (errno == EINTR)
				continue;
			sodium_memzero(&c, sizeof(c));
			return (-1);
		}
		if (r == 0)
			break;
		if (c == '\n') {
			nl = 1;
			break;
		}
		if (n == PASSPHRASE_MAX + 1)
			break;
		out[n++] = c;
	}
	sodium_memzero(&c, sizeof(c));
	/* a file written on Windows ends its line with \r\n */
	if (nl && n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	*lenp = n;
	return (0);
}

static int
pp_check_line(const char *path, const char *out, size_t len, char *err,
    size_t errlen)
{
	if (len > PASSPHRASE_MAX) {
		errbuf_set(err, errlen, "passphrase file %s: first line longer "
		    "than %d bytes", path, PASSPHRASE_MAX);
		return (-1);
	}
	if (memchr(out, '\0', len) != NULL) {
		errbuf_set(err, errlen, "passphrase file %s: NUL byte in the "
		    "first line", path);
		return (-1);
	}
	if (len == 0) {
		errbuf_set(err, errlen, "passphrase file %s: empty passphrase",
		    path);
		return (-1);
	}
	return (0);
}

/* Returns 0, -1, or PP_NOT_FOUND when missing_ok and there is no file. */
static int
pp_from_file(const char *how, const char *path, int missing_ok, char *out,
    char *src, size_t srclen, char *err, size_t errlen)
{
	struct stat	 st;
	size_t		 len;
	int		 fd, r, saved;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1) {
		if (missing_ok && errno == ENOENT)
			return (PP_NOT_FOUND);
		errbuf_set(err, errlen, "passphrase file %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (fstat(fd, &st) == -1) {
		errbuf_set(err, errlen, "passphrase file %s: %s", path,
		    strerror(errno));
		(void)close(fd);
		return (-1);
	}
	/* a pipe (--passphrase-file <(pass show x)) has no mode to judge */
	if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRGRP | S_IROTH)))
		log_warnx("passphrase file %s is readable by others", path);
	r = pp_read_line(fd, out, &len);
	saved = errno;
	(void)close(fd);
	if (r == -1) {
		errbuf_set(err, errlen, "passphrase file %s: %s", path,
		    strerror(saved));
		return (-1);
	}
	if (pp_check_line(path, out, len, err, errlen) == -1)
		return (-1);
	if (src != NULL && srclen > 0)
		(void)snprintf(src, srclen, "%s %s", how, path);
	return (0);
}

/* systemd sets CREDENTIALS_DIRECTORY for any credential, not only ours. */
static int
pp_from_credential(char *out, char *src, size_t srclen, char *err,
    size_t errlen)
{
	char		 path[PATH_MAX];
	const char	*dir;

	if ((dir = secure_getenv("CREDENTIALS_DIRECTORY")) == NULL ||
	    dir[0] == '\0')
		return (PP_NOT_FOUND);
	if (path_join(path, sizeof(path), dir, PASSPHRASE_CREDENTIAL) == -1) {
		errbuf_set(err, errlen, "CREDENTIALS_DIRECTORY %s: %s", dir,
		    strerror(errno));
		return (-1);
	}
	return (pp_from_file("systemd credential", path, 1, out, src, srclen,
	    err, errlen));
}

static int
pp_prompt(const char *prompt, char *buf, char *err, size_t errlen)
{
	size_t	 len;

	if (readpassphrase(prompt, buf, PASSPHRASE_SIZE,
	    RPP_ECHO_OFF | RPP_REQUIRE_TTY) == NULL) {
		if (errno == ENOTTY)
			errbuf_set(err, errlen, "no passphrase: give "
			    "--passphrase-file, set " PASSPHRASE_ENV ", or run "
			    "on a terminal");
		else
			errbuf_set(err, errlen, "terminal: %s", strerror(errno));
		return (-1);
	}
	len = strlen(buf);
	if (len == 0) {
		errbuf_set(err, errlen, "empty passphrase");
		return (-1);
	}
	if (len > PASSPHRASE_MAX) {
		errbuf_set(err, errlen, "passphrase longer than %d bytes",
		    PASSPHRASE_MAX);
		return (-1);
	}
	return (0);
}

static int
pp_from_tty(const char *prompt, int confirm, char *out, char *src,
    size_t srclen, char *err, size_t errlen)
{
	char	*again;
	size_t	 len;
	int	 r = -1;

	if (pp_prompt(prompt != NULL ? prompt : "Passphrase: ", out, err,
	    errlen) == -1)
		return (-1);
	if (confirm) {
		/* locked and wiped on free: it holds the passphrase too */
		if (sodium_init() == -1 ||
		    (again = sodium_malloc(PASSPHRASE_SIZE)) == NULL) {
			errbuf_set(err, errlen, "cannot allocate locked memory");
			return (-1);
		}
		if (pp_prompt("Repeat passphrase: ", again, err,
		    errlen) == 0) {
			len = strlen(out);
			if (strlen(again) == len &&
			    sodium_memcmp(out, again, len) == 0)
				r = 0;
			else
				errbuf_set(err, errlen, "passphrases do not match");
		}
		sodium_free(again);
		if (r == -1)
			return (-1);
	}
	if (src != NULL && srclen > 0)
		(void)strlcpy(src, "terminal", srclen);
	return (0);
}

int
passphrase_get(const char *file_opt, int confirm, const char *prompt,
    char *out, size_t outlen, char *src, size_t srclen, char *err,
    size_t errlen)
{
	const char	*env;
	int		 r;

	if (src != NULL && srclen > 0)
		src[0] = '\0';
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || outlen < PASSPHRASE_SIZE) {
		errbuf_set(err, errlen, "passphrase buffer too small");
		errno = EINVAL;
		return (-1);
	}
	/* a named source that fails is an error, not a reason to go on */
	if (file_opt != NULL)
		r = pp_from_file("--passphrase-file", file_opt, 0, out, src,
		    srclen, err, errlen);
	else if ((env = secure_getenv(PASSPHRASE_ENV)) != NULL &&
	    env[0] != '\0')
		r = pp_from_file(PASSPHRASE_ENV, env, 0, out, src, srclen,
		    err, errlen);
	else
		r = pp_from_credential(out, src, srclen, err, errlen);
	if (r == PP_NOT_FOUND)
		r = pp_from_tty(prompt, confirm, out, src, srclen, err,
		    errlen);
	if (r != 0) {
		sodium_memzero(out, outlen);
		return (-1);
	}
	return (0);
}
