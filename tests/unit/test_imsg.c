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
 * Unit tests for the message framing: round trips over a socketpair,
 * partial reads and writes, size limits, malformed headers, descriptor
 * passing and the strict getters.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

#define HDR	IMSG_HEADER_SIZE

/* Both ends of a socketpair, each wrapped in an imsgbuf. */
struct pair {
	int		 sv[2];
	struct imsgbuf	 a;	/* usually the sender */
	struct imsgbuf	 b;	/* usually the receiver */
};

static void
pair_open(struct pair *p)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p->sv), 0);
	ck_assert_int_eq(imsgbuf_init(&p->a, p->sv[0]), 0);
	ck_assert_int_eq(imsgbuf_init(&p->b, p->sv[1]), 0);
}

static void
pair_close(struct pair *p)
{
	imsgbuf_clear(&p->a);
	imsgbuf_clear(&p->b);
	if (p->sv[0] != -1)
		close(p->sv[0]);
	if (p->sv[1] != -1)
		close(p->sv[1]);
}

static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	ck_assert_ptr_nonnull(d = opendir("/proc/self/fd"));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return (n);
}

static int
fd_is_open(int fd)
{
	return (fcntl(fd, F_GETFD) != -1 || errno != EBADF);
}

static void
wait_readable(int fd)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };

	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
}

/* Read until one message is complete; returns imsg_get's result. */
static ssize_t
recv_one(struct imsgbuf *ib, struct imsg *m)
{
	ssize_t	 n;
	int	 r;

	for (;;) {
		if ((n = imsg_get(ib, m)) != 0)
			return (n);
		wait_readable(ib->fd);
		if ((r = imsgbuf_read(ib)) <= 0)
			return (r == 0 ? 0 : -1);
	}
}

static void
write_raw(int fd, const void *data, size_t len)
{
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
}

static void
raw_hdr(uint8_t *out, uint32_t type, uint32_t len)
{
	struct imsg_hdr	 h = { .type = type, .len = len, .peerid = 7,
			    .pid = 1 };

	memcpy(out, &h, sizeof(h));
}

START_TEST(test_roundtrip)
{
	struct pair	 p;
	struct imsg	 m;
	char		 big[1000];
	uint32_t	 v = 0xdeadbeef, got;
	size_t		 i;

	pair_open(&p);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(imsg_compose(&p.a, 1, 10, 0, -1, "hello", 5), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 2, 20, 4242, -1, NULL, 0), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 3, 30, 0, -1, &v, sizeof(v)), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 4, 40, 0, -1, big, sizeof(big)),
	    0);
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 4);
	ck_assert_int_eq(imsgbuf_flush(&p.a), 0);
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 0);

	ck_assert_int_eq(recv_one(&p.b, &m), HDR + 5);
	ck_assert_uint_eq(imsg_get_type(&m), 1);
	ck_assert_uint_eq(imsg_get_id(&m), 10);
	ck_assert_int_eq(imsg_get_pid(&m), getpid());
	ck_assert_uint_eq(imsg_get_len(&m), 5);
	ck_assert_int_eq(imsg_get_fd(&m), -1);
	ck_assert_mem_eq(ibuf_data(m.buf), "hello", 5);
	imsg_free(&m);

	ck_assert_int_eq(recv_one(&p.b, &m), HDR);
	ck_assert_uint_eq(imsg_get_type(&m), 2);
	ck_assert_int_eq(imsg_get_pid(&m), 4242);
	ck_assert_uint_eq(imsg_get_len(&m), 0);
	ck_assert_int_eq(imsg_get_data(&m, NULL, 0), 0);
	imsg_free(&m);

	ck_assert_int_eq(recv_one(&p.b, &m), HDR + 4);
	ck_assert_int_eq(imsg_get_data(&m, &got, sizeof(got)), 0);
	ck_assert_uint_eq(got, v);
	/* the copy does not consume: it can be repeated */
	got = 0;
	ck_assert_int_eq(imsg_get_data(&m, &got, sizeof(got)), 0);
	ck_assert_uint_eq(got, v);
	imsg_free(&m);

	ck_assert_int_eq(recv_one(&p.b, &m), HDR + sizeof(big));
	ck_assert_uint_eq(m.hdr.len, HDR + sizeof(big));
	ck_assert_uint_eq(ibuf_size(m.buf), sizeof(big));
	for (i = 0; i < sizeof(big); i++)
		ck_assert_int_eq(((const char *)ibuf_data(m.buf))[i], 'x');
	imsg_free(&m);

	ck_assert_int_eq(imsg_get(&p.b, &m), 0);
	pair_close(&p);
}
END_TEST

START_TEST(test_create_add_close)
{
	struct pair	 p;
	struct imsg	 m;
	struct ibuf	*w, r;
	struct iovec	 iov[3];
	char		*s;
	char		 sb[16];
	uint8_t		 u8;
	uint16_t	 u16;
	uint32_t	 u32;
	uint64_t	 u64;

	pair_open(&p);
	ck_assert_ptr_nonnull(w = imsg_create(&p.a, 9, 1, 0, 8));
	/* grows past the hint */
	ck_assert_int_eq(ibuf_add_u8(w, 0xab), 0);
	ck_assert_int_eq(ibuf_add_u16(w, 0xbeef), 0);
	ck_assert_int_eq(ibuf_add_u32(w, 0x01020304), 0);
	ck_assert_int_eq(ibuf_add_u64(w, 0x1122334455667788ULL), 0);
	ck_assert_int_eq(ibuf_add_string(w, "relay.example"), 0);
	ck_assert_int_eq(ibuf_add_string(w, ""), 0);
	ck_assert_int_eq(ibuf_add_string(w, "short"), 0);
	ck_assert_int_eq(imsg_add(w, "!!", 2), 0);
	imsg_close(&p.a, w);

	iov[0].iov_base = (void *)"ab";
	iov[0].iov_len = 2;
	iov[1].iov_base = NULL;
	iov[1].iov_len = 0;
	iov[2].iov_base = (void *)"cde";
	iov[2].iov_len = 3;
	ck_assert_int_eq(imsg_composev(&p.a, 10, 2, 0, -1, iov, 3), 0);
	ck_assert_int_eq(imsgbuf_flush(&p.a), 0);

	ck_assert_int_gt(recv_one(&p.b, &m), 0);
	ck_assert_uint_eq(imsg_get_type(&m), 9);
	ck_assert_int_eq(imsg_get_ibuf(&m, &r), 0);
	ck_assert_int_eq(ibuf_get_u8(&r, &u8), 0);
	ck_assert_uint_eq(u8, 0xab);
	ck_assert_int_eq(ibuf_get_u16(&r, &u16), 0);
	ck_assert_uint_eq(u16, 0xbeef);
	ck_assert_int_eq(ibuf_get_u32(&r, &u32), 0);
	ck_assert_uint_eq(u32, 0x01020304);
	ck_assert_int_eq(ibuf_get_u64(&r, &u64), 0);
	ck_assert(u64 == 0x1122334455667788ULL);
	ck_assert_int_eq(ibuf_get_string(&r, &s), 0);
	ck_assert_str_eq(s, "relay.example");
	free(s);
	ck_assert_int_eq(ibuf_get_string(&r, &s), 0);
	ck_assert_str_eq(s, "");
	free(s);
	ck_assert_int_eq(ibuf_get_strbuf(&r, sb, sizeof(sb)), 0);
	ck_assert_str_eq(sb, "short");
	ck_assert_uint_eq(ibuf_size(&r), 2);
	ck_assert_int_eq(ibuf_skip(&r, 2), 0);
	ck_assert_uint_eq(ibuf_size(&r), 0);
	/* the view leaves the payload itself untouched */
	ck_assert_uint_eq(ibuf_size(m.buf), imsg_get_len(&m));
	imsg_free(&m);

	ck_assert_int_eq(recv_one(&p.b, &m), HDR + 5);
	ck_assert_mem_eq(ibuf_data(m.buf), "abcde", 5);
	imsg_free(&m);

	/* imsg_add on a failed create reports failure */
	ck_assert_int_eq(imsg_add(NULL, "x", 1), -1);
	imsg_close(&p.a, NULL);
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 0);
	pair_close(&p);
}
END_TEST

START_TEST(test_partial_read)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[HDR + 6];
	size_t		 i;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, p.sv), 0);
	ck_assert_int_eq(imsgbuf_init(&p.b, p.sv[1]), 0);
	ck_assert_int_eq(imsgbuf_init(&p.a, p.sv[0]), 0);
	raw_hdr(frame, 77, sizeof(frame));
	memcpy(frame + HDR, "abcdef", 6);

	ck_assert_int_eq(imsg_get(&p.b, &m), 0);
	for (i = 0; i < sizeof(frame); i++) {
		write_raw(p.sv[0], frame + i, 1);
		wait_readable(p.sv[1]);
		ck_assert_int_eq(imsgbuf_read(&p.b), 1);
		if (i + 1 < sizeof(frame))
			ck_assert_int_eq(imsg_get(&p.b, &m), 0);
	}
	ck_assert_int_eq(imsg_get(&p.b, &m), sizeof(frame));
	ck_assert_uint_eq(imsg_get_type(&m), 77);
	ck_assert_uint_eq(imsg_get_id(&m), 7);
	ck_assert_int_eq(imsg_get_pid(&m), 1);
	ck_assert_mem_eq(ibuf_data(m.buf), "abcdef", 6);
	imsg_free(&m);
	ck_assert_int_eq(imsg_get(&p.b, &m), 0);

	/* nothing to read yet: EAGAIN is "try later", not an error */
	ck_assert_int_eq(imsgbuf_read(&p.b), 1);
	ck_assert_int_eq(imsg_get(&p.b, &m), 0);
	pair_close(&p);
}
END_TEST

#define PW_COUNT	200
#define PW_SIZE		(IMSG_MAXSIZE_DEFAULT - HDR)
#define PW_FD_EVERY	37

START_TEST(test_partial_write)
{
	struct pair	 p;
	struct imsg	 m;
	static uint8_t	 payload[PW_SIZE];
	const uint8_t	*d;
	int		 pfd[2], sz = 4096, fd, saw_partial = 0, nfds0;
	uint32_t	 i, next = 0, seq, sent = 0;
	size_t		 k;

	pair_open(&p);
	imsgbuf_allow_fdpass(&p.a);
	imsgbuf_allow_fdpass(&p.b);
	ck_assert_int_eq(setsockopt(p.sv[0], SOL_SOCKET, SO_SNDBUF, &sz,
	    sizeof(sz)), 0);
	ck_assert_int_eq(setsockopt(p.sv[1], SOL_SOCKET, SO_RCVBUF, &sz,
	    sizeof(sz)), 0);
	ck_assert_int_eq(pipe(pfd), 0);
	nfds0 = count_fds();

	for (i = 0; i < PW_COUNT; i++) {
		memcpy(payload, &i, sizeof(i));
		memset(payload + sizeof(i), (int)(i & 0xff),
		    sizeof(payload) - sizeof(i));
		fd = -1;
		if (i % PW_FD_EVERY == 1)
			ck_assert_int_ge(fd = dup(pfd[1]), 0);
		ck_assert_int_eq(imsg_compose(&p.a, 5, i, 0, fd, payload,
		    sizeof(payload)), 0);
	}
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), PW_COUNT);

	while (next < PW_COUNT) {
		ck_assert_int_eq(imsgbuf_write(&p.a), 0);
		if (imsgbuf_queuelen(&p.a) > 0 &&
		    TAILQ_FIRST(&p.a.w_queue)->rpos > 0)
			saw_partial = 1;
		if (sent == 0) {
			/* the socket cannot take it all at once */
			ck_assert_uint_gt(imsgbuf_queuelen(&p.a), 0);
			sent = 1;
		}
		ck_assert_int_eq(imsgbuf_read(&p.b), 1);
		while (imsg_get(&p.b, &m) > 0) {
			ck_assert_uint_eq(imsg_get_len(&m), PW_SIZE);
			d = ibuf_data(m.buf);
			memcpy(&seq, d, sizeof(seq));
			ck_assert_uint_eq(seq, next);
			ck_assert_uint_eq(imsg_get_id(&m), next);
			for (k = sizeof(seq); k < PW_SIZE; k++)
				if (d[k] != (uint8_t)(next & 0xff))
					ck_abort_msg("payload %u bad", next);
			if (next % PW_FD_EVERY == 1)
				ck_assert_int_ge(m.fd, 0);
			else
				ck_assert_int_eq(m.fd, -1);
			imsg_free(&m);
			next++;
		}
	}
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 0);
	ck_assert_int_eq(saw_partial, 1);
	/* every descriptor sent was closed on both sides */
	ck_assert_int_eq(count_fds(), nfds0);
	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
}
END_TEST

START_TEST(test_oversize_compose)
{
	struct pair	 p;
	struct ibuf	*w;
	static uint8_t	 big[IMSG_MAXSIZE_DEFAULT];

	pair_open(&p);
	errno = 0;
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, -1, big,
	    IMSG_MAXSIZE_DEFAULT - HDR + 1), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, -1, big,
	    IMSG_MAXSIZE_DEFAULT - HDR), 0);
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 1);

	errno = 0;
	ck_assert_ptr_null(imsg_create(&p.a, 1, 0, 0,
	    IMSG_MAXSIZE_DEFAULT - HDR + 1));
	ck_assert_int_eq(errno, ERANGE);
	/* growing past maxsize fails and frees the message */
	ck_assert_ptr_nonnull(w = imsg_create(&p.a, 1, 0, 0, 0));
	ck_assert_int_eq(imsg_add(w, big, IMSG_MAXSIZE_DEFAULT - HDR), 0);
	errno = 0;
	ck_assert_int_eq(imsg_add(w, big, 1), -1);
	ck_assert_int_eq(errno, ERANGE);

	errno = 0;
	ck_assert_int_eq(imsgbuf_set_maxsize(&p.a, HDR - 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(imsgbuf_set_maxsize(&p.a, IMSG_FD_MARK | 4096), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(imsgbuf_set_maxsize(&p.a, HDR), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, -1, NULL, 0), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, -1, "x", 1), -1);
	ck_assert_int_eq(imsgbuf_set_maxsize(&p.a, 1 << 20), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, -1, big, sizeof(big)),
	    0);
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 3);
	pair_close(&p);
}
END_TEST

START_TEST(test_oversize_receive)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[HDR];
	static uint8_t	 body[1024];

	pair_open(&p);
	raw_hdr(frame, 1, IMSG_MAXSIZE_DEFAULT + 1);
	write_raw(p.sv[0], frame, sizeof(frame));
	wait_readable(p.sv[1]);
	ck_assert_int_eq(imsgbuf_read(&p.b), 1);
	errno = 0;
	ck_assert_int_eq(imsg_get(&p.b, &m), -1);
	ck_assert_int_eq(errno, ERANGE);
	pair_close(&p);

	/* a sender with a larger limit than the receiver */
	pair_open(&p);
	ck_assert_int_eq(imsgbuf_set_maxsize(&p.a, 65536), 0);
	ck_assert_int_eq(imsgbuf_set_maxsize(&p.b, 1024), 0);
	ck_assert_int_eq(imsg_compose(&p.b, 1, 0, 0, -1, body, 1024 - HDR + 1),
	    -1);
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, -1, body, 1024 - HDR),
	    0);
	ck_assert_int_eq(imsgbuf_flush(&p.a), 0);
	ck_assert_int_eq(recv_one(&p.b, &m), 1024);
	imsg_free(&m);
	raw_hdr(frame, 1, 1025);
	write_raw(p.sv[0], frame, sizeof(frame));
	errno = 0;
	ck_assert_int_eq(recv_one(&p.b, &m), -1);
	ck_assert_int_eq(errno, ERANGE);
	pair_close(&p);
}
END_TEST

START_TEST(test_malformed_hdr)
{
	struct pair	 p;
	struct imsg	 m;
	struct imsg_hdr	 h;
	uint8_t		 frame[HDR];
	uint32_t	 lens[] = { 0, 1, HDR - 1, IMSG_FD_MARK | 3,
			    0xffffffffU };
	size_t		 i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		pair_open(&p);
		imsgbuf_allow_fdpass(&p.b);
		raw_hdr(frame, 1, lens[i]);
		write_raw(p.sv[0], frame, sizeof(frame));
		errno = 0;
		ck_assert_int_eq(recv_one(&p.b, &m), -1);
		ck_assert_int_eq(errno, ERANGE);
		pair_close(&p);
	}

	raw_hdr(frame, 3, HDR | IMSG_FD_MARK);
	ck_assert_int_eq(imsg_parse_hdr(frame, HDR - 1, 4096, &h), 0);
	ck_assert_int_eq(imsg_parse_hdr(frame, HDR, 4096, &h), 1);
	ck_assert_uint_eq(h.type, 3);
	ck_assert_uint_eq(h.len, HDR | IMSG_FD_MARK);
	ck_assert_int_eq(imsg_parse_hdr(frame, HDR, HDR, &h), 1);
	raw_hdr(frame, 3, HDR + 1);
	errno = 0;
	ck_assert_int_eq(imsg_parse_hdr(frame, HDR, HDR, &h), -1);
	ck_assert_int_eq(errno, ERANGE);
}
END_TEST

START_TEST(test_fd_pass)
{
	struct pair	 p;
	struct imsg	 m;
	int		 pfd[2], wfd, fd, nfds0;
	char		 c;

	pair_open(&p);
	imsgbuf_allow_fdpass(&p.a);
	imsgbuf_allow_fdpass(&p.b);
	ck_assert_int_eq(pipe(pfd), 0);
	nfds0 = count_fds();
	ck_assert_int_ge(wfd = dup(pfd[1]), 0);

	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, -1, "a", 1), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 2, 0, 0, wfd, "b", 1), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 3, 0, 0, -1, "c", 1), 0);
	/* still ours while queued */
	ck_assert(fd_is_open(wfd));
	ck_assert_int_eq(imsgbuf_flush(&p.a), 0);
	/* sent: our copy is gone */
	ck_assert(!fd_is_open(wfd));

	ck_assert_int_gt(recv_one(&p.b, &m), 0);
	ck_assert_uint_eq(imsg_get_type(&m), 1);
	ck_assert_int_eq(m.fd, -1);
	imsg_free(&m);

	ck_assert_int_gt(recv_one(&p.b, &m), 0);
	ck_assert_uint_eq(imsg_get_type(&m), 2);
	ck_assert_int_ge(fd = imsg_get_fd(&m), 0);
	ck_assert_int_eq(imsg_get_fd(&m), -1);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	imsg_free(&m);
	ck_assert(fd_is_open(fd));
	ck_assert_int_eq(write(fd, "z", 1), 1);
	ck_assert_int_eq(read(pfd[0], &c, 1), 1);
	ck_assert_int_eq(c, 'z');
	close(fd);

	ck_assert_int_gt(recv_one(&p.b, &m), 0);
	ck_assert_uint_eq(imsg_get_type(&m), 3);
	ck_assert_int_eq(m.fd, -1);
	imsg_free(&m);

	/* an unclaimed descriptor is closed by imsg_free */
	ck_assert_int_ge(wfd = dup(pfd[1]), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 4, 0, 0, wfd, NULL, 0), 0);
	ck_assert_int_eq(imsgbuf_flush(&p.a), 0);
	ck_assert_int_gt(recv_one(&p.b, &m), 0);
	ck_assert_int_ge(m.fd, 0);
	imsg_free(&m);
	imsg_free(&m);		/* harmless twice */
	ck_assert_int_eq(count_fds(), nfds0);

	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
}
END_TEST

START_TEST(test_fd_refused)
{
	struct pair	 p;
	int		 pfd[2], nfds0;

	pair_open(&p);
	imsgbuf_allow_fdpass(&p.a);	/* the receiver does not */
	ck_assert_int_eq(pipe(pfd), 0);
	nfds0 = count_fds();
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, dup(pfd[1]), "x", 1),
	    0);
	ck_assert_int_eq(imsgbuf_flush(&p.a), 0);
	wait_readable(p.sv[1]);
	errno = 0;
	ck_assert_int_eq(imsgbuf_read(&p.b), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_int_eq(count_fds(), nfds0);
	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
}
END_TEST

START_TEST(test_fd_compose_rejected)
{
	struct pair	 p;
	int		 pfd[2], fd;

	pair_open(&p);
	ck_assert_int_eq(pipe(pfd), 0);
	ck_assert_int_ge(fd = dup(pfd[1]), 0);
	errno = 0;
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, fd, "x", 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert(!fd_is_open(fd));
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 0);

	/* any failure hands the descriptor back to the kernel */
	imsgbuf_allow_fdpass(&p.a);
	ck_assert_int_ge(fd = dup(pfd[1]), 0);
	errno = 0;
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, fd, NULL,
	    IMSG_MAXSIZE_DEFAULT), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert(!fd_is_open(fd));
	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
}
END_TEST

START_TEST(test_fd_mark_without_fd)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[HDR];
	int		 allow;

	for (allow = 0; allow <= 1; allow++) {
		pair_open(&p);
		if (allow)
			imsgbuf_allow_fdpass(&p.b);
		raw_hdr(frame, 1, HDR | IMSG_FD_MARK);
		write_raw(p.sv[0], frame, sizeof(frame));
		errno = 0;
		ck_assert_int_eq(recv_one(&p.b, &m), -1);
		ck_assert_int_eq(errno, EBADMSG);
		pair_close(&p);
	}
}
END_TEST

/* A peer that sends two descriptors at once keeps one, loses one. */
START_TEST(test_fd_extra_closed)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(2 * sizeof(int))];
	}		 cmsgbuf;
	struct pair	 p;
	struct imsg	 m;
	struct msghdr	 msg;
	struct cmsghdr	*cm;
	struct iovec	 iov;
	uint8_t		 frame[HDR];
	int		 pfd[2], fds[2], nfds0;

	pair_open(&p);
	imsgbuf_allow_fdpass(&p.b);
	ck_assert_int_eq(pipe(pfd), 0);
	fds[0] = pfd[0];
	fds[1] = pfd[1];
	nfds0 = count_fds();
	raw_hdr(frame, 1, HDR | IMSG_FD_MARK);
	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = frame;
	iov.iov_len = sizeof(frame);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	ck_assert_int_eq(sendmsg(p.sv[0], &msg, 0), sizeof(frame));

	ck_assert_int_eq(recv_one(&p.b, &m), HDR);
	ck_assert_int_ge(m.fd, 0);
	ck_assert_int_eq(count_fds(), nfds0 + 1);
	imsg_free(&m);
	ck_assert_int_eq(count_fds(), nfds0);
	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
}
END_TEST

START_TEST(test_getters_strict)
{
	struct ibuf	 v;
	struct ibuf	*b;
	struct imsg	 m;
	uint8_t		 raw[16], u8;
	uint16_t	 u16;
	uint32_t	 u32;
	uint64_t	 u64;
	char		*s, sb[6];

	memset(raw, 0x5a, sizeof(raw));
	ibuf_from_buffer(&v, raw, 3);
	errno = 0;
	ck_assert_int_eq(ibuf_get_u32(&v, &u32), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_uint_eq(ibuf_size(&v), 3);
	ck_assert_int_eq(ibuf_get_u64(&v, &u64), -1);
	ck_assert_int_eq(ibuf_get(&v, raw + 8, 4), -1);
	ck_assert_int_eq(ibuf_skip(&v, 4), -1);
	ck_assert_uint_eq(ibuf_size(&v), 3);
	ck_assert_int_eq(ibuf_get_u16(&v, &u16), 0);
	ck_assert_int_eq(ibuf_get_u16(&v, &u16), -1);
	ck_assert_int_eq(ibuf_get_u8(&v, &u8), 0);
	errno = 0;
	ck_assert_int_eq(ibuf_get_u8(&v, &u8), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* a view cannot be written through */
	ck_assert_int_eq(ibuf_add_u8(&v, 1), -1);

	/* strings: embedded NUL, short body, too long for the buffer */
	ck_assert_ptr_nonnull(b = ibuf_dynamic(0, 64));
	ck_assert_int_eq(ibuf_add_u32(b, 3), 0);
	ck_assert_int_eq(ibuf_add(b, "a\0b", 3), 0);
	errno = 0;
	ck_assert_int_eq(ibuf_get_string(b, &s), -1);
	ck_assert_int_eq(errno, EBADMSG);
	errno = 0;
	ck_assert_int_eq(ibuf_get_strbuf(b, sb, sizeof(sb)), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_uint_eq(ibuf_size(b), 7);
	ck_assert_int_eq(ibuf_skip(b, 7), 0);

	ck_assert_int_eq(ibuf_add_u32(b, 10), 0);
	ck_assert_int_eq(ibuf_add(b, "abc", 3), 0);
	ck_assert_int_eq(ibuf_get_string(b, &s), -1);
	ck_assert_uint_eq(ibuf_size(b), 7);
	ck_assert_int_eq(ibuf_skip(b, 7), 0);
	ck_assert_int_eq(ibuf_add_u16(b, 1), 0);
	ck_assert_int_eq(ibuf_get_string(b, &s), -1);
	ck_assert_int_eq(ibuf_skip(b, 2), 0);

	ck_assert_int_eq(ibuf_add_string(b, "123456"), 0);
	ck_assert_int_eq(ibuf_get_strbuf(b, sb, sizeof(sb)), -1);
	ck_assert_int_eq(ibuf_get_strbuf(b, sb, 0), -1);
	ck_assert_uint_eq(ibuf_size(b), 10);
	ck_assert_int_eq(ibuf_skip(b, 10), 0);
	ck_assert_int_eq(ibuf_add_string(b, "12345"), 0);
	ck_assert_int_eq(ibuf_get_strbuf(b, sb, sizeof(sb)), 0);
	ck_assert_str_eq(sb, "12345");
	ibuf_free(b);

	/* imsg_get_data wants the exact size */
	ck_assert_ptr_nonnull(m.buf = ibuf_open(4));
	m.fd = -1;
	ck_assert_int_eq(ibuf_add_u32(m.buf, 99), 0);
	errno = 0;
	ck_assert_int_eq(imsg_get_data(&m, &u64, sizeof(u64)), -1);
	ck_assert_int_eq(errno, EBADMSG);
	errno = 0;
	ck_assert_int_eq(imsg_get_data(&m, &u16, sizeof(u16)), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_int_eq(imsg_get_data(&m, &u32, sizeof(u32)), 0);
	ck_assert_uint_eq(u32, 99);
	imsg_free(&m);
	ck_assert_ptr_null(m.buf);
	errno = 0;
	ck_assert_int_eq(imsg_get_data(&m, &u32, sizeof(u32)), -1);
	ck_assert_int_eq(imsg_get_ibuf(&m, &v), -1);
}
END_TEST

START_TEST(test_ibuf_build)
{
	struct ibuf	*b;
	uint8_t		 z[300];
	size_t		 i;

	ck_assert_ptr_nonnull(b = ibuf_open(4));
	ck_assert_int_eq(ibuf_add_u32(b, 1), 0);
	errno = 0;
	ck_assert_int_eq(ibuf_add_u8(b, 1), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(ibuf_add(b, NULL, 0), 0);
	ck_assert_uint_eq(ibuf_size(b), 4);
	ibuf_free(b);

	ck_assert_ptr_nonnull(b = ibuf_open(0));
	ck_assert_ptr_nonnull(ibuf_data(b));
	ck_assert_int_eq(ibuf_add_u8(b, 1), -1);
	ibuf_free(b);

	ck_assert_ptr_nonnull(b = ibuf_dynamic(1, 300));
	for (i = 0; i < 30; i++)
		ck_assert_int_eq(ibuf_add(b, "0123456789", 10), 0);
	ck_assert_int_eq(ibuf_add_u8(b, 1), -1);
	ck_assert_uint_eq(ibuf_size(b), 300);
	ck_assert_mem_eq((const uint8_t *)ibuf_data(b) + 290, "0123456789",
	    10);
	ibuf_free(b);

	ck_assert_ptr_nonnull(b = ibuf_dynamic(0, 300));
	ck_assert_int_eq(ibuf_add_zero(b, 300), 0);
	memset(z, 0, sizeof(z));
	ck_assert_mem_eq(ibuf_data(b), z, sizeof(z));
	ck_assert_int_eq(ibuf_add_zero(b, 1), -1);
	ibuf_free(b);

	errno = 0;
	ck_assert_ptr_null(ibuf_dynamic(10, 5));
	ck_assert_int_eq(errno, EINVAL);
	ibuf_free(NULL);
}
END_TEST

START_TEST(test_eof)
{
	struct pair	 p;
	struct imsg	 m;
	uint8_t		 frame[HDR];

	pair_open(&p);
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, -1, "x", 1), 0);
	ck_assert_int_eq(imsgbuf_flush(&p.a), 0);
	raw_hdr(frame, 2, HDR + 10);	/* a message cut short */
	write_raw(p.sv[0], frame, sizeof(frame));
	close(p.sv[0]);
	p.sv[0] = -1;

	ck_assert_int_gt(recv_one(&p.b, &m), 0);
	imsg_free(&m);
	ck_assert_int_eq(recv_one(&p.b, &m), 0);
	ck_assert_int_eq(imsgbuf_read(&p.b), 0);
	pair_close(&p);
}
END_TEST

START_TEST(test_epipe)
{
	struct pair	 p;

	/* a SIGPIPE would kill the test: MSG_NOSIGNAL must prevent it */
	ck_assert(signal(SIGPIPE, SIG_DFL) != SIG_ERR);
	pair_open(&p);
	close(p.sv[1]);
	p.sv[1] = -1;
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, -1, "x", 1), 0);
	errno = 0;
	ck_assert_int_eq(imsgbuf_write(&p.a), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert_int_eq(imsgbuf_flush(&p.a), -1);
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 1);
	pair_close(&p);
}
END_TEST

START_TEST(test_clear_closes_fds)
{
	struct pair	 p;
	int		 pfd[2], q1, q2, rfd, nfds0;

	pair_open(&p);
	imsgbuf_allow_fdpass(&p.a);
	imsgbuf_allow_fdpass(&p.b);
	ck_assert_int_eq(pipe(pfd), 0);
	nfds0 = count_fds();

	/* received, but not yet claimed with imsg_get() */
	ck_assert_int_eq(imsg_compose(&p.a, 1, 0, 0, dup(pfd[1]), "x", 1),
	    0);
	ck_assert_int_eq(imsgbuf_write(&p.a), 0);
	wait_readable(p.sv[1]);
	ck_assert_int_eq(imsgbuf_read(&p.b), 1);
	ck_assert_int_eq(p.b.r_nfds, 1);
	rfd = p.b.r_fds[0];
	ck_assert(fd_is_open(rfd));

	/* queued, not sent */
	ck_assert_int_ge(q1 = dup(pfd[1]), 0);
	ck_assert_int_ge(q2 = dup(pfd[0]), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 2, 0, 0, q1, NULL, 0), 0);
	ck_assert_int_eq(imsg_compose(&p.a, 3, 0, 0, q2, NULL, 0), 0);
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 2);

	imsgbuf_clear(&p.a);
	imsgbuf_clear(&p.b);
	ck_assert_uint_eq(imsgbuf_queuelen(&p.a), 0);
	ck_assert_int_eq(fcntl(q1, F_GETFD), -1);
	ck_assert_int_eq(fcntl(q2, F_GETFD), -1);
	ck_assert_int_eq(fcntl(rfd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(count_fds(), nfds0);
	imsgbuf_clear(&p.b);	/* twice is harmless */
	close(pfd[0]);
	close(pfd[1]);
	pair_close(&p);
}
END_TEST

START_TEST(test_init)
{
	struct imsgbuf	 ib;
	int		 sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(imsgbuf_init(&ib, sv[0]), 0);
	ck_assert_int_ne(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(ib.maxsize, IMSG_MAXSIZE_DEFAULT);
	ck_assert_int_eq(ib.allow_fdpass, 0);
	ck_assert_int_eq(ib.pid, getpid());
	ck_assert_uint_eq(imsgbuf_queuelen(&ib), 0);
	imsgbuf_clear(&ib);
	close(sv[0]);
	close(sv[1]);
	ck_assert_int_eq(imsgbuf_init(&ib, sv[0]), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

static Suite *
imsg_suite(void)
{
	Suite	*s = suite_create("imsg");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_create_add_close);
	tcase_add_test(tc, test_partial_read);
	tcase_add_test(tc, test_partial_write);
	tcase_add_test(tc, test_oversize_compose);
	tcase_add_test(tc, test_oversize_receive);
	tcase_add_test(tc, test_malformed_hdr);
	tcase_add_test(tc, test_fd_pass);
	tcase_add_test(tc, test_fd_refused);
	tcase_add_test(tc, test_fd_compose_rejected);
	tcase_add_test(tc, test_fd_mark_without_fd);
	tcase_add_test(tc, test_fd_extra_closed);
	tcase_add_test(tc, test_getters_strict);
	tcase_add_test(tc, test_ibuf_build);
	tcase_add_test(tc, test_eof);
	tcase_add_test(tc, test_epipe);
	tcase_add_test(tc, test_clear_closes_fds);
	tcase_add_test(tc, test_init);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(imsg_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
