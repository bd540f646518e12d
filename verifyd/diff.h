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

#ifndef OA_DIFF_H
#define OA_DIFF_H

#include <stddef.h>

/*
 * A coding agent's patch, read strictly before the provider publishes
 * it: anything git apply might read differently from us, or that could
 * reach outside the repository, is refused rather than guessed at.
 */

#define DIFF_DEV_NULL		"/dev/null"

/* defaults for a zero field of struct diff_limits */
#define DIFF_MAX_BYTES		(8 * 1024 * 1024)
#define DIFF_MAX_FILES		1000
#define DIFF_MAX_HUNKS		20000
#define DIFF_MAX_LINE		(64 * 1024)
#define DIFF_PATH_MAX		4096
#define DIFF_GLOB_MAX		256

enum diff_status {
	DIFF_MODIFIED,
	DIFF_ADDED,
	DIFF_DELETED,
	DIFF_RENAMED,
	DIFF_COPIED,
	DIFF_MODE		/* mode change only, no content */
};

struct diff_limits {
	size_t		 dl_max_bytes;
	size_t		 dl_max_files;
	size_t		 dl_max_hunks;
	size_t		 dl_max_line;
};

struct diff_file {
	char		*df_old;	/* DIFF_DEV_NULL when added */
	char		*df_new;	/* DIFF_DEV_NULL when deleted */
	enum diff_status df_status;
	int		 df_binary;
	int		 df_similarity;	/* percent, -1 when not given */
	unsigned int	 df_old_mode;	/* 0 when not given */
	unsigned int	 df_new_mode;
	size_t		 df_hunks;
	size_t		 df_additions;
	size_t		 df_deletions;
};

struct diff {
	struct diff_file *d_files;
	size_t		 d_nfiles;
	size_t		 d_hunks;
	size_t		 d_additions;
	size_t		 d_deletions;
};

/* limits may be NULL for the defaults; 0 or -1 with err set */
int		 diff_parse(const char *, size_t, const struct diff_limits *,
		    struct diff *, char *, size_t);
void		 diff_free(struct diff *);

/*
 * Every old and new path must match an allowed glob (when any are
 * given) and no disallowed glob.  Globs are anchored at the repository
 * root: '*' and '?' stay within a segment, '**' spans segments, '\'
 * quotes the next character, and a trailing '/' means "this directory
 * and everything under it".
 */
int		 diff_check_paths(const struct diff *, const char *const *,
		    size_t, const char *const *, size_t, char *, size_t);
/* 1 when path matches glob, 0 when not, -1 when the glob is refused */
int		 diff_glob_match(const char *, const char *);

/* lowercase hex SHA-256 of the patch bytes, as in patch_sha256 */
int		 diff_sha256(const char *, size_t, char [65]);

#endif /* OA_DIFF_H */
