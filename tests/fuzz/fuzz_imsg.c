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
 * Feeds the input to the imsg decoder as the byte stream a hostile peer
 * would write on a socketpair, in chunks, optionally with descriptors,
 * and runs the getters over every message that comes out.
 *
 * Input layout:
 *	byte 0	bits 0-5: chunk size (1 + n * 16 bytes)
 *		bit 6: the receiver allows fd passing
 *		bit 7: maxsize 64 instead of 4096
 *	byte 1	bit i: chunk number i (mod 8) carries a descriptor
 *	rest	the stream
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

#define FUZZ_MAX_INPUT	65536

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	devnull = -1;
static int	fd_watermark = -1;

static void
exercise(struct imsg *m, struct imsgbuf *out)
{
	struct ibuf	 v;
	uint64_t	 u64, fixed;
	uint32_t	 u32, type = imsg_get_type(m);
	uint16_t	 u16;
	uint8_t		 u8;
	char		*s, sb[24];
	int		 fd;

	(void)imsg_get_id(m);
	(void)imsg_get_pid(m);
	(void)imsg_get_data(m, &fixed, sizeof(fixed));
	if (imsg_get_ibuf(m, &v) == -1 || ibuf_size(&v) != imsg_get_len(m))
		abort();
	switch (type % 4) {
	case 0:
		while (ibuf_get_string(&v, &s) == 0) {
			if (strlen(s) > imsg_get_len(m))
				abort();
			free(s);
		}
		break;
	case 1:
		while (ibuf_get_strbuf(&v, sb, sizeof(sb)) == 0)
			if (strlen(sb) >= sizeof(sb))
				abort();
		break;
	case 2:
		while (ibuf_get_u8(&v, &u8) == 0 &&
		    ibuf_get_u16(&v, &u16) == 0 &&
		    ibuf_get_u32(&v, &u32) == 0 &&
		    ibuf_get_u64(&v, &u64) == 0)
			;
		break;
	default:
		if (ibuf_skip(&v, (type >> 8) & 0xff) == 0 &&
		    ibuf_get_string(&v, &s) == 0)
			free(s);
		break;
	}
	/* echo it back through the composer, descriptor included */
	fd = (type & 0x10) ? imsg_get_fd(m) : -1;
	(void)imsg_compose(out, type, imsg_get_id(m), imsg_get_pid(m), fd,
	    ibuf_data(m->buf), ibuf_size(m->buf));
}

/* Send one chunk, with a descriptor if asked; 0 on success. */
static int
send_chunk(int sock, const uint8_t *data, size_t len, int withfd)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	struct msghdr	 msg;
	struct cmsghdr	*cm;
	struct iovec	 iov;
	int		 fd;
	ssize_t		 n;

	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	fd = -1;
	if (withfd && (fd = dup(devnull)) != -1) {
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	if (fd != -1)
		close(fd);
	return (n == (ssize_t)len ? 0 : -1);
}

/* Read what is pending and decode it; -1 once the channel is dead. */
static int
drain(struct imsgbuf *in, struct imsgbuf *out)
{
	struct imsg	 m;
	ssize_t		 n;
	int		 pending;

	for (;;) {
		if (ioctl(in->fd, FIONREAD, &pending) == -1)
			return (-1);
		if (pending == 0)
			return (0);
		if (imsgbuf_read(in) != 1)
			return (-1);
		while ((n = imsg_get(in, &m)) > 0) {
			if (m.hdr.len != (uint32_t)n ||
			    (size_t)n > in->maxsize)
				abort();
			exercise(&m, out);
			imsg_free(&m);
		}
		if (n == -1)
			return (-1);
		/* keep the echo queue bounded; nobody reads it */
		imsgbuf_clear(out);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imsgbuf	 in, out;
	struct imsg_hdr	 hdr;
	size_t		 chunk, off, n;
	unsigned int	 i;
	uint8_t		 ctl, fdmask;
	int		 sv[2], fd;

	if (devnull == -1 &&
	    (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		abort();
	if (size < 2 || size > FUZZ_MAX_INPUT)
		return (0);
	ctl = data[0];
	fdmask = data[1];
	data += 2;
	size -= 2;
	chunk = 1 + (size_t)(ctl & 0x3f) * 16;

	(void)imsg_parse_hdr(data, size, 4096, &hdr);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	if (imsgbuf_init(&in, sv[1]) == -1 || imsgbuf_init(&out, sv[0]) == -1)
		abort();
	imsgbuf_allow_fdpass(&out);
	if (ctl & 0x40)
		imsgbuf_allow_fdpass(&in);
	if (imsgbuf_set_maxsize(&in, (ctl & 0x80) ? 64 : 4096) == -1)
		abort();

	for (off = 0, i = 0; off < size; off += n, i++) {
		n = size - off < chunk ? size - off : chunk;
		if (send_chunk(sv[0], data + off, n,
		    (fdmask >> (i % 8)) & 1) == -1)
			break;
		if (drain(&in, &out) == -1)
			break;
	}
	if (off >= size) {
		/* the peer hangs up: the decoder sees EOF */
		(void)shutdown(sv[0], SHUT_WR);
		(void)imsgbuf_read(&in);
	}

	imsgbuf_clear(&in);
	imsgbuf_clear(&out);
	close(sv[0]);
	close(sv[1]);

	/* descriptors are allocated lowest first: a leak moves this */
	if ((fd = dup(devnull)) == -1)
		abort();
	close(fd);
	if (fd_watermark == -1)
		fd_watermark = fd;
	else if (fd != fd_watermark)
		abort();
	return (0);
}
