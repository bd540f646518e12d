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
 * Bytes from a hostile server after the upgrade, into an open ws.c
 * connection (ws_fuzz_open): frames masked or not, fragmented, control
 * frames in between, closes.  The connection must respect its message
 * limit, hand out only whole valid UTF-8 text, end at most once, and
 * survive what the callbacks do to it (sending, pinging, closing and
 * freeing from inside them).
 *
 * Input layout:
 *	byte 0	bits 0-1: message limit 16, 125, 1000 or 65536 bytes
 *		bit 2: echo every message from the message callback
 *		bit 3: ping from the first message callback
 *		bit 4: ws_close from the second message callback
 *		bit 5: ws_free from the third message callback
 *	byte 1	chunk size: the stream is fed in pieces of 1 + byte 1
 *		bytes, or all at once when byte 1 is 0
 *	rest	the stream
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_state {
	size_t		 fs_max;
	int		 fs_flags;
	int		 fs_messages;
	int		 fs_ends;
	int		 fs_freed;
};

static const size_t	 fuzz_limits[] = { 16, 125, 1000, 65536 };

/* RFC 3629 UTF-8: what wslay must have checked before we see it */
static int
utf8_valid(const unsigned char *s, size_t len)
{
	size_t		 i = 0, n, k;
	uint32_t	 cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return (0);
		if (len - i <= n)
			return (0);
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (0);
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		i += n + 1;
	}
	return (1);
}

static void
fuzz_message(struct ws_conn *c, const char *text, size_t len, void *arg)
{
	struct fuzz_state	*fs = arg;

	if (fs->fs_ends != 0 || fs->fs_freed || len > fs->fs_max ||
	    !utf8_valid((const unsigned char *)text, len))
		abort();
	fs->fs_messages++;
	if (fs->fs_flags & 0x04)
		(void)ws_send_text(c, text, len);
	if ((fs->fs_flags & 0x08) && fs->fs_messages == 1)
		(void)ws_ping(c);
	if ((fs->fs_flags & 0x10) && fs->fs_messages == 2)
		ws_close(c, 1000, "fuzz");
	if ((fs->fs_flags & 0x20) && fs->fs_messages == 3) {
		ws_free(c);
		fs->fs_freed = 1;
	}
}

static void
fuzz_pong(struct ws_conn *c, int64_t ms, void *arg)
{
	struct fuzz_state	*fs = arg;

	(void)c;
	if (fs->fs_ends != 0 || fs->fs_freed || ms < 0)
		abort();
}

static void
fuzz_end(struct ws_conn *c, enum ws_end e, const char *why, void *arg)
{
	struct fuzz_state	*fs = arg;

	(void)c;
	if (fs->fs_ends++ != 0 || fs->fs_freed || why == NULL ||
	    ws_end_name(e)[0] == 'u')
		abort();
	/* a connection without a socket can only end by its frames */
	if (e != WS_END_CLOSED && e != WS_END_PROTOCOL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const struct ws_callbacks cb = {
		.wc_message = fuzz_message,
		.wc_pong = fuzz_pong,
		.wc_end = fuzz_end,
	};
	struct fuzz_state	 fs;
	struct ws_limits	 lim;
	struct ws_conn		*c;
	size_t			 off, step, n;
	int			 gone = 0;

	if (len < 2)
		return (0);
	memset(&fs, 0, sizeof(fs));
	fs.fs_flags = data[0];
	fs.fs_max = fuzz_limits[data[0] & 0x03];
	lim.wl_max_message = fs.fs_max;
	lim.wl_handshake_secs = 0;
	step = data[1] == 0 ? len : (size_t)data[1] + 1;
	if ((c = ws_fuzz_open(&lim, &cb, &fs)) == NULL)
		abort();
	for (off = 2; off < len && !gone; off += n) {
		n = len - off < step ? len - off : step;
		gone = ws_fuzz_feed(c, data + off, n);
	}
	if (gone != (fs.fs_ends == 1 || fs.fs_freed))
		abort();
	if (!gone) {
		/* what relayd does at shutdown, then the free */
		ws_close(c, 1001, "going away");
		ws_free(c);
	}
	return (0);
}
