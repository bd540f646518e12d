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

#ifndef OA_PASSPHRASE_H
#define OA_PASSPHRASE_H

#include <stddef.h>

#define PASSPHRASE_MAX		1024
/* out buffers: the NUL, and one byte to tell a long line from a full one */
#define PASSPHRASE_SIZE		(PASSPHRASE_MAX + 2)

#define PASSPHRASE_ENV		"OPENAGENTS_PASSPHRASE_FILE"
#define PASSPHRASE_CREDENTIAL	"openagents-passphrase"

/*
 * The passphrase for identity.enc and wallet.enc, first found wins:
 * the --passphrase-file path (file_opt), $OPENAGENTS_PASSPHRASE_FILE,
 * $CREDENTIALS_DIRECTORY/openagents-passphrase, then a prompt on the
 * controlling terminal (asked twice when confirm).  A file gives its
 * first line, without the newline.  Never an environment variable's
 * value nor an argument: those are visible to other users.
 *
 * out holds outlen >= PASSPHRASE_SIZE bytes.  When src is not NULL it
 * gets where the passphrase came from, for the log ("terminal",
 * "OPENAGENTS_PASSPHRASE_FILE /x/y", ...).  0, or -1 with err set and
 * out wiped.
 */
int	passphrase_get(const char *, int, const char *, char *, size_t,
	    char *, size_t, char *, size_t);

#endif /* OA_PASSPHRASE_H */
