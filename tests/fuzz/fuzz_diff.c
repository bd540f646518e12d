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
 * Any bytes into the patch parser.  What parses must add up: the
 * totals are the sums over the files, every name is either /dev/null
 * on the side its status says or a path the checker accepts, and the
 * path checker and glob matcher run over every name without crashing.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_assert(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_diff: %s\n", what);
	abort();
}

static int
fuzz_climbs(const char *p)
{
	size_t	 n = strlen(p);

	return (strcmp(p, "..") == 0 || strncmp(p, "../", 3) == 0 ||
	    strstr(p, "/../") != NULL ||
	    (n >= 3 && strcmp(p + n - 3, "/..") == 0));
}

static void
fuzz_file(const struct diff_file *f)
{
	fuzz_assert(f->df_old != NULL && f->df_new != NULL, "missing name");
	fuzz_assert((strcmp(f->df_old, DIFF_DEV_NULL) == 0) ==
	    (f->df_status == DIFF_ADDED), "old /dev/null vs status");
	fuzz_assert((strcmp(f->df_new, DIFF_DEV_NULL) == 0) ==
	    (f->df_status == DIFF_DELETED), "new /dev/null vs status");
	fuzz_assert(f->df_old[0] != '/' || f->df_status == DIFF_ADDED,
	    "absolute old path");
	fuzz_assert(f->df_new[0] != '/' || f->df_status == DIFF_DELETED,
	    "absolute new path");
	fuzz_assert(!fuzz_climbs(f->df_old), "old path climbs");
	fuzz_assert(!fuzz_climbs(f->df_new), "new path climbs");
	fuzz_assert(!f->df_binary || f->df_hunks == 0, "binary with hunks");
	fuzz_assert(f->df_hunks > 0 || (f->df_additions == 0 &&
	    f->df_deletions == 0), "lines without hunks");
}

static void
fuzz_globs(const struct diff *d, const uint8_t *data, size_t len)
{
	static const char *const	 allowed[] = { "src/**", "*.c", "d/" };
	static const char *const	 denied[] = { "**/*secret*", "a/**/b" };
	char				 glob[64];
	size_t				 i, n;

	(void)diff_check_paths(d, allowed, 3, denied, 2, NULL, 0);
	/* the input's first bytes as a glob, against every name */
	n = len < sizeof(glob) - 1 ? len : sizeof(glob) - 1;
	memcpy(glob, data, n);
	glob[n] = '\0';
	for (i = 0; i < d->d_nfiles; i++) {
		(void)diff_glob_match(glob, d->d_files[i].df_old);
		(void)diff_glob_match(glob, d->d_files[i].df_new);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct diff		 d;
	struct diff_limits	 lim;
	char			 err[128];
	size_t			 i, h = 0, a = 0, r = 0;

	memset(&lim, 0, sizeof(lim));
	lim.dl_max_bytes = 1 << 20;
	lim.dl_max_line = 4096;
	memset(err, 'x', sizeof(err));
	if (diff_parse((const char *)data, len, &lim, &d, err,
	    sizeof(err)) == -1) {
		fuzz_assert(memchr(err, '\0', sizeof(err)) != NULL,
		    "error not terminated");
		fuzz_assert(d.d_nfiles == 0 && d.d_files == NULL,
		    "failure left files");
		return (0);
	}
	fuzz_assert(d.d_nfiles > 0, "parsed nothing");
	for (i = 0; i < d.d_nfiles; i++) {
		fuzz_file(&d.d_files[i]);
		h += d.d_files[i].df_hunks;
		a += d.d_files[i].df_additions;
		r += d.d_files[i].df_deletions;
	}
	fuzz_assert(h == d.d_hunks && a == d.d_additions &&
	    r == d.d_deletions, "totals differ from the sum of files");
	fuzz_globs(&d, data, len);
	diff_free(&d);
	return (0);
}
