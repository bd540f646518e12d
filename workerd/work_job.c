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
/* Job folders and files, and the JSON helpers of the answers. */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <openssl/evp.h>
#include <yajl/yajl_gen.h>

#include "hex.h"
#include "log.h"
#include "work_job.h"

#define RMTREE_DEPTH	512

int
job_path(const struct work_job *job, char *buf, size_t len, const char *rel)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s", job->wj_dir, rel);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	return (0);
}

static int
job_mkdir(const struct work_job *job, const char *rel)
{
	char	 p[OA_PATH_MAX];

	if (rel == NULL) {
		if (mkdir(job->wj_dir, 0700) == -1 && errno != EEXIST)
			return (-1);
		return (0);
	}
	if (job_path(job, p, sizeof(p), rel) == -1)
		return (-1);
	if (mkdir(p, 0755) == -1 && errno != EEXIST)
		return (-1);
	return (0);
}

/*
 * The folders of a phase, empty: what an earlier phase or an earlier
 * workerd left in the scratch folders goes.
 */
int
job_mkdirs(struct work_job *job)
{
	const char	*scratch[] = { "in", "out", "ws", "tmp" };
	size_t		 i;

	if (job_mkdir(job, NULL) == -1)
		return (-1);
	for (i = 0; i < sizeof(scratch) / sizeof(scratch[0]); i++)
		if (job_remove(job, scratch[i]) == -1 ||
		    job_mkdir(job, scratch[i]) == -1)
			return (-1);
	return (job_mkdir(job, "repo"));
}

int
job_open(const struct work_job *job, const char *rel, int flags, mode_t mode)
{
	char	 p[OA_PATH_MAX];

	if (job_path(job, p, sizeof(p), rel) == -1)
		return (-1);
	return (open(p, flags | O_NOFOLLOW | O_CLOEXEC, mode));
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char	*p = data;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

int
job_write(const struct work_job *job, const char *rel, const void *data,
    size_t len)
{
	int	 fd, saved;

	if ((fd = job_open(job, rel, O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) == -1)
		return (-1);
	if (write_all(fd, data, len) == -1) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		return (-1);
	}
	return (close(fd));
}

/* A file a restarted supervisor trusts: whole or absent. */
int
job_write_atomic(const struct work_job *job, const char *rel,
    const void *data, size_t len)
{
	char	 tmp[128];
	int	 fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", rel) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if ((fd = job_open(job, tmp, O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) == -1)
		return (-1);
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		return (-1);
	}
	if (close(fd) == -1 || job_rename(job, tmp, rel) == -1)
		return (-1);
	if ((fd = open(job->wj_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return (-1);
	if (fsync(fd) == -1) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		return (-1);
	}
	return (close(fd));
}

/* The whole file, NUL-terminated, or NULL (errno EFBIG past max). */
char *
job_read(const struct work_job *job, const char *rel, size_t max,
    size_t *lenp)
{
	struct stat	 st;
	char		*buf;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, saved;

	if ((fd = job_open(job, rel, O_RDONLY, 0)) == -1)
		return (NULL);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uintmax_t)st.st_size > max) {
		saved = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		(void)close(fd);
		errno = saved;
		return (NULL);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		fatal("%s", __func__);
	while (len < (size_t)st.st_size) {
		if ((n = read(fd, buf + len, (size_t)st.st_size - len)) == -1) {
			if (errno == EINTR)
				continue;
			saved = errno;
			free(buf);
			(void)close(fd);
			errno = saved;
			return (NULL);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	(void)close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return (buf);
}

int
job_exists(const struct work_job *job, const char *rel)
{
	struct stat	 st;
	char		 p[OA_PATH_MAX];

	if (job_path(job, p, sizeof(p), rel) == -1)
		return (0);
	return (lstat(p, &st) == 0);
}

int
job_rename(const struct work_job *job, const char *from, const char *to)
{
	char	 a[OA_PATH_MAX], b[OA_PATH_MAX];

	if (job_path(job, a, sizeof(a), from) == -1 ||
	    job_path(job, b, sizeof(b), to) == -1)
		return (-1);
	return (rename(a, b));
}

/* A small decimal the sandbox wrote, e.g. an exit code. */
int
job_read_int(const struct work_job *job, const char *rel, int64_t *v)
{
	const char	*e;
	char		*s;

	if ((s = job_read(job, rel, 64, NULL)) == NULL)
		return (-1);
	s[strcspn(s, " \t\r\n")] = '\0';
	*v = strtonum(s, -1, INT32_MAX, &e);
	free(s);
	return (e == NULL ? 0 : -1);
}

int
job_sha256_file(const struct work_job *job, const char *rel, char hex[65])
{
	EVP_MD_CTX	*ctx;
	unsigned char	 buf[65536], md[32];
	unsigned int	 mdlen;
	ssize_t		 n;
	int		 fd, r = -1;

	if ((fd = job_open(job, rel, O_RDONLY, 0)) == -1)
		return (-1);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("%s: EVP_MD_CTX_new", __func__);
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto done;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			goto done;
		}
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			goto done;
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != sizeof(md))
		goto done;
	hex_encode(md, sizeof(md), hex);
	r = 0;
 done:
	EVP_MD_CTX_free(ctx);
	(void)close(fd);
	return (r);
}

/*
 * Remove name under dirfd and everything beneath, never following a
 * link: the trees were written by sandboxed code.  A directory it left
 * without write permission is made writable first.
 */
int
rmtree_at(int dfd, const char *name, int depth)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd, r = 0;

	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return (0);
	if (errno != EISDIR && errno != EPERM)
		return (-1);
	if (depth >= RMTREE_DEPTH) {
		errno = ELOOP;
		return (-1);
	}
	/* best effort: unlinkat below says whether it mattered */
	if (fchmodat(dfd, name, 0700, 0) == -1)
		log_debug("%s: chmod %s: %s", __func__, name, strerror(errno));
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return (-1);
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (rmtree_at(dirfd(d), de->d_name, depth + 1) == -1)
			r = -1;
	}
	(void)closedir(d);
	if (r == 0 && unlinkat(dfd, name, AT_REMOVEDIR) == -1 &&
	    errno != ENOENT)
		r = -1;
	return (r);
}

int
job_remove(const struct work_job *job, const char *rel)
{
	char	 p[OA_PATH_MAX];

	if (job_path(job, p, sizeof(p), rel) == -1)
		return (-1);
	if (rmtree_at(AT_FDCWD, p, 0) == -1) {
		log_warn("%s: remove %s", job->wj_order.wo_job, rel);
		return (-1);
	}
	return (0);
}

/*
 * The end of a phase: scratch goes; the filtered repository stays when
 * a test phase is still to come for it.
 */
void
job_cleanup(struct work_job *job, int keep_repo)
{
	(void)job_remove(job, "in");
	(void)job_remove(job, "out");
	(void)job_remove(job, "ws");
	(void)job_remove(job, "tmp");
	if (!keep_repo) {
		(void)job_remove(job, "repo.ok");
		(void)job_remove(job, "repo");
	}
}

yajl_gen
jg_new(void)
{
	yajl_gen	 g;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		fatalx("%s: yajl_gen_alloc", __func__);
	if (!yajl_gen_config(g, yajl_gen_validate_utf8, 1))
		fatalx("%s: yajl_gen_config", __func__);
	return (g);
}

void
jg_key(yajl_gen g, const char *key)
{
	if (yajl_gen_string(g, (const unsigned char *)key, strlen(key)) !=
	    yajl_gen_status_ok)
		fatalx("%s: %s", __func__, key);
}

/*
 * Text from a sandbox may be anything: bytes that are no UTF-8 become
 * U+FFFD, so that every answer and every trajectory line is JSON.
 */
char *
utf8_clean(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*out, *o;
	size_t			 i, n, k;
	uint32_t		 cp;

	if ((out = malloc(len * 3 + 1)) == NULL)
		fatal("%s", __func__);
	o = out;
	for (i = 0; i < len; i += n) {
		n = 1;
		if (p[i] < 0x80 && p[i] != 0) {
			*o++ = (char)p[i];
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 2;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 3;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 4;
		else
			n = 0;
		if (n != 0 && i + n <= len) {
			cp = p[i] & (0xff >> (n + 1));
			for (k = 1; k < n && (p[i + k] & 0xc0) == 0x80; k++)
				cp = (cp << 6) | (p[i + k] & 0x3f);
			if (k == n && !(n == 3 && cp < 0x800) &&
			    !(n == 4 && (cp < 0x10000 || cp > 0x10ffff)) &&
			    !(cp >= 0xd800 && cp <= 0xdfff)) {
				memcpy(o, s + i, n);
				o += n;
				continue;
			}
		}
		n = 1;
		memcpy(o, "\xef\xbf\xbd", 3);
		o += 3;
	}
	*o = '\0';
	return (out);
}

void
jg_str(yajl_gen g, const char *key, const char *val)
{
	char	*clean;

	if (key != NULL)
		jg_key(g, key);
	clean = utf8_clean(val, strlen(val));
	if (yajl_gen_string(g, (const unsigned char *)clean, strlen(clean)) !=
	    yajl_gen_status_ok)
		fatalx("%s: %s", __func__, key != NULL ? key : "value");
	free(clean);
}

void
jg_int(yajl_gen g, const char *key, int64_t val)
{
	jg_key(g, key);
	if (yajl_gen_integer(g, val) != yajl_gen_status_ok)
		fatalx("%s: %s", __func__, key);
}

void
jg_bool(yajl_gen g, const char *key, int val)
{
	jg_key(g, key);
	if (yajl_gen_bool(g, val != 0) != yajl_gen_status_ok)
		fatalx("%s: %s", __func__, key);
}

/* Milli-units are all a measurement here is worth: 0.015, not 0.0149999. */
void
jg_double(yajl_gen g, const char *key, double val)
{
	char	 num[64];
	int	 n;

	jg_key(g, key);
	n = snprintf(num, sizeof(num), "%.3f", val);
	if (n < 0 || (size_t)n >= sizeof(num) ||
	    yajl_gen_number(g, num, (size_t)n) != yajl_gen_status_ok)
		fatalx("%s: %s", __func__, key);
}

void
jg_usage(yajl_gen g, const struct work_usage *u)
{
	if (!u->u_seen)
		return;
	jg_key(g, "usage");
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	jg_int(g, "input_tokens", u->u_input);
	jg_int(g, "output_tokens", u->u_output);
	jg_int(g, "cache_read_tokens", u->u_cache_read);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
}
