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

#ifndef OA_UTIL_H
#define OA_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define OA_PATH_MAX	512

/*
 * Where the provider's files live.  $OPENAGENTS_HOME (default
 * ~/.openagents) holds provider/; --config FILE moves the whole state
 * directory to the folder of FILE, so one flag relocates everything.
 */
struct oa_paths {
	char	 p_home[OA_PATH_MAX];
	char	 p_dir[OA_PATH_MAX];		/* .../provider */
	char	 p_config[OA_PATH_MAX];
	char	 p_socket[OA_PATH_MAX];
	char	 p_lock[OA_PATH_MAX];
	char	 p_jobs[OA_PATH_MAX];
	char	 p_logs[OA_PATH_MAX];
	char	 p_ledger[OA_PATH_MAX];
	char	 p_identity[OA_PATH_MAX];
	char	 p_wallet[OA_PATH_MAX];
};

int		 paths_init(struct oa_paths *, const char *, char *, size_t);
int		 path_join(char *, size_t, const char *, const char *);
int		 mkdir_private(const char *);
void		 fmt_duration(char *, size_t, int64_t);
void		 fmt_thousands(char *, size_t, int64_t);
int64_t		 now_monotonic_ms(void);

/*
 * The error text of the "char *err, size_t errlen" convention: nothing
 * when err is NULL, and a cut message is still a message.
 */
void		 errbuf_set(char *, size_t, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));

#endif /* OA_UTIL_H */
