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
 * Replays a fuzz harness over files and folders of inputs, so that a
 * build without libFuzzer still runs every harness over its corpus.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	run_path(const char *);

static int
run_file(const char *path)
{
	FILE	*f;
	uint8_t	*buf;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL) {
		warn("%s", path);
		return (-1);
	}
	if (fseek(f, 0, SEEK_END) == -1 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1) {
		warn("%s", path);
		fclose(f);
		return (-1);
	}
	/* one extra byte so that an empty file still gets a valid pointer */
	if ((buf = malloc((size_t)len + 1)) == NULL)
		err(1, NULL);
	if (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		warn("%s: short read", path);
		free(buf);
		fclose(f);
		return (-1);
	}
	fclose(f);
	(void)LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return (1);
}

static int
run_dir(const char *path)
{
	struct dirent	**names;
	char		  sub[4096];
	int		  i, n, total = 0, r;

	if ((n = scandir(path, &names, NULL, alphasort)) == -1) {
		warn("%s", path);
		return (-1);
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			r = snprintf(sub, sizeof(sub), "%s/%s", path,
			    names[i]->d_name);
			if (r < 0 || (size_t)r >= sizeof(sub))
				errx(1, "%s: path too long", path);
			if ((r = run_path(sub)) < 0)
				total = -1;
			else if (total >= 0)
				total += r;
		}
		free(names[i]);
	}
	free(names);
	return (total);
}

static int
run_path(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1) {
		warn("%s", path);
		return (-1);
	}
	if (S_ISDIR(st.st_mode))
		return (run_dir(path));
	return (run_file(path));
}

int
main(int argc, char *argv[])
{
	int	 i, n, total = 0;

	if (argc < 2)
		errx(2, "usage: %s file|dir ...", argv[0]);
	for (i = 1; i < argc; i++) {
		if ((n = run_path(argv[i])) < 0)
			return (1);
		total += n;
	}
	if (total == 0)
		errx(1, "no inputs found");
	printf("%d inputs replayed, no crash\n", total);
	return (0);
}
