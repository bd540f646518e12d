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
 * Framed messages over a stream socket, optionally carrying one
 * descriptor each.
 *
 * Descriptor placement: the sender hands a descriptor to the kernel only
 * on a sendmsg whose data starts with the message that carries it, and
 * never more than one per sendmsg.  Linux delivers a descriptor with
 * the recvmsg that returns the first byte it was sent with, so by
 * the time a marked header is complete its descriptor has been
 * received.  Received descriptors wait in a short FIFO and the n-th
 * marked message takes the n-th descriptor.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <bsd/sys/poll.h>
#include <bsd/sys/queue.h>

#include "imsg.h"

/* messages per sendmsg: bounds the iovec array on the stack */
#define IMSG_WRITE_IOV		64
/* descriptors seen per recvmsg; the kernel closes any beyond that */
#define IMSG_RECV_FDS		8
/* capacity of the queue of received, unclaimed descriptors */
#define IMSG_RFDS_MAX		\
	(int)(sizeof(((struct imsgbuf *)0)->r_fds) / sizeof(int))

static int	 ibuf_reserve(struct ibuf *, size_t, uint8_t **);
static int	 ibuf_peek_string(const struct ibuf *, uint32_t *);
static int	 imsgbuf_rbuf_room(struct imsgbuf *);
static int	 imsgbuf_recv_fds(struct imsgbuf *, struct msghdr *);
static int	 imsgbuf_fd_pop(struct imsgbuf *);
static void	 close_keep_errno(int);

static void
close_keep_errno(int fd)
{
	int	 saved = errno;

	if (fd >= 0)
		(void)close(fd);
	errno = saved;
}

struct ibuf *
ibuf_open(size_t len)
{
	return (ibuf_dynamic(len, len));
}

/*
 * Every allocation is at least one byte so that ibuf_data() never does
 * arithmetic on a null pointer, even for an empty payload.
 */
struct ibuf *
ibuf_dynamic(size_t len, size_t max)
{
	struct ibuf	*buf;

	if (max < len) {
		errno = EINVAL;
		return (NULL);
	}
	if ((buf = calloc(1, sizeof(*buf))) == NULL)
		return (NULL);
	buf->size = len > 0 ? len : 1;
	if ((buf->buf = calloc(1, buf->size)) == NULL) {
		free(buf);
		return (NULL);
	}
	buf->max = max;
	buf->fd = -1;
	return (buf);
}

/* Make room for len more bytes at wpos, growing within max. */
static int
ibuf_reserve(struct ibuf *buf, size_t len, uint8_t **out)
{
	uint8_t	*p;
	size_t	 nsize;

	if (buf->wpos > buf->max || len > buf->max - buf->wpos) {
		errno = ERANGE;
		return (-1);
	}
	if (buf->wpos + len > buf->size) {
		nsize = buf->size;
		while (nsize < buf->wpos + len)
			nsize = nsize > buf->max / 2 ? buf->max : nsize * 2;
		/* recallocarray wipes the old block: buffers hold secrets */
		if ((p = recallocarray(buf->buf, buf->size, nsize, 1)) == NULL)
			return (-1);
		buf->buf = p;
		buf->size = nsize;
	}
	*out = buf->buf + buf->wpos;
	buf->wpos += len;
	return (0);
}

int
ibuf_add(struct ibuf *buf, const void *data, size_t len)
{
	uint8_t	*p;

	if (ibuf_reserve(buf, len, &p) == -1)
		return (-1);
	if (len > 0)
		memcpy(p, data, len);
	return (0);
}

int
ibuf_add_zero(struct ibuf *buf, size_t len)
{
	uint8_t	*p;

	if (ibuf_reserve(buf, len, &p) == -1)
		return (-1);
	if (len > 0)
		memset(p, 0, len);
	return (0);
}

/* u32 length, then the bytes without a NUL; all or nothing. */
int
ibuf_add_string(struct ibuf *buf, const char *s)
{
	uint8_t	*p;
	size_t	 len = strlen(s);
	uint32_t n;

	if (len > UINT32_MAX || len > SIZE_MAX - sizeof(n)) {
		errno = ERANGE;
		return (-1);
	}
	n = (uint32_t)len;
	if (ibuf_reserve(buf, sizeof(n) + len, &p) == -1)
		return (-1);
	memcpy(p, &n, sizeof(n));
	if (len > 0)
		memcpy(p + sizeof(n), s, len);
	return (0);
}

void
ibuf_free(struct ibuf *buf)
{
	if (buf == NULL)
		return;
	close_keep_errno(buf->fd);
	freezero(buf->buf, buf->size);
	free(buf);
}

/*
 * A read-only view of someone else's bytes: it is full (wpos == max),
 * so no add can write through it, and it must never be ibuf_free()d.
 */
void
ibuf_from_buffer(struct ibuf *buf, const void *data, size_t len)
{
	memset(buf, 0, sizeof(*buf));
	buf->buf = (uint8_t *)(uintptr_t)data;
	buf->size = len;
	buf->max = len;
	buf->wpos = len;
	buf->fd = -1;
}

size_t
ibuf_size(const struct ibuf *buf)
{
	return (buf->wpos - buf->rpos);
}

const void *
ibuf_data(const struct ibuf *buf)
{
	if (buf->buf == NULL)
		return (NULL);
	return (buf->buf + buf->rpos);
}

int
ibuf_get(struct ibuf *buf, void *data, size_t len)
{
	if (ibuf_size(buf) < len) {
		errno = EBADMSG;
		return (-1);
	}
	if (len > 0)
		memcpy(data, buf->buf + buf->rpos, len);
	buf->rpos += len;
	return (0);
}

/*
 * ibuf_add_u8 ... ibuf_get_u64: fixed-width integers travel in host
 * order, like the header (see imsg.h).
 */
#define IBUF_INT_FUNCS(bits)						\
int									\
ibuf_add_u##bits(struct ibuf *buf, uint##bits##_t v)			\
{									\
	return (ibuf_add(buf, &v, sizeof(v)));				\
}									\
									\
int									\
ibuf_get_u##bits(struct ibuf *buf, uint##bits##_t *v)			\
{									\
	return (ibuf_get(buf, v, sizeof(*v)));				\
}

IBUF_INT_FUNCS(8)
IBUF_INT_FUNCS(16)
IBUF_INT_FUNCS(32)
IBUF_INT_FUNCS(64)

/*
 * Check the string at rpos without consuming it: its whole body must be
 * present and free of NUL, since a C string would silently cut there.
 */
static int
ibuf_peek_string(const struct ibuf *buf, uint32_t *lenp)
{
	const uint8_t	*p = buf->buf + buf->rpos;
	uint32_t	 len;

	if (ibuf_size(buf) < sizeof(len)) {
		errno = EBADMSG;
		return (-1);
	}
	memcpy(&len, p, sizeof(len));
	if (ibuf_size(buf) - sizeof(len) < len ||
	    memchr(p + sizeof(len), '\0', len) != NULL) {
		errno = EBADMSG;
		return (-1);
	}
	*lenp = len;
	return (0);
}

int
ibuf_get_string(struct ibuf *buf, char **out)
{
	uint32_t	 len;
	char		*s;

	if (ibuf_peek_string(buf, &len) == -1)
		return (-1);
	if ((s = malloc((size_t)len + 1)) == NULL)
		return (-1);
	memcpy(s, buf->buf + buf->rpos + sizeof(len), len);
	s[len] = '\0';
	buf->rpos += sizeof(len) + len;
	*out = s;
	return (0);
}

int
ibuf_get_strbuf(struct ibuf *buf, char *dst, size_t dstlen)
{
	uint32_t	 len;

	if (ibuf_peek_string(buf, &len) == -1)
		return (-1);
	if (dstlen == 0 || len > dstlen - 1) {
		errno = EBADMSG;
		return (-1);
	}
	memcpy(dst, buf->buf + buf->rpos + sizeof(len), len);
	dst[len] = '\0';
	buf->rpos += sizeof(len) + len;
	return (0);
}

int
ibuf_skip(struct ibuf *buf, size_t len)
{
	if (ibuf_size(buf) < len) {
		errno = EBADMSG;
		return (-1);
	}
	buf->rpos += len;
	return (0);
}

int
imsgbuf_init(struct imsgbuf *ibuf, int fd)
{
	int	 flags;

	memset(ibuf, 0, sizeof(*ibuf));
	TAILQ_INIT(&ibuf->w_queue);
	ibuf->fd = fd;
	ibuf->maxsize = IMSG_MAXSIZE_DEFAULT;
	ibuf->pid = getpid();
	/* both directions loop until EAGAIN, so blocking would hang */
	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	if ((flags & O_NONBLOCK) == 0 &&
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return (-1);
	return (0);
}

void
imsgbuf_allow_fdpass(struct imsgbuf *ibuf)
{
	ibuf->allow_fdpass = 1;
}

int
imsgbuf_set_maxsize(struct imsgbuf *ibuf, uint32_t max)
{
	if (max < IMSG_HEADER_SIZE || (max & IMSG_FD_MARK) != 0) {
		errno = EINVAL;
		return (-1);
	}
	ibuf->maxsize = max;
	if (ibuf->r_buf != NULL) {
		ibuf->r_buf->max = (size_t)max + IMSG_READ_CHUNK;
		/* never below what is already allocated or buffered */
		if (ibuf->r_buf->max < ibuf->r_buf->size)
			ibuf->r_buf->max = ibuf->r_buf->size;
	}
	return (0);
}

/*
 * Compact the read buffer and grow it so that one more chunk fits.  One
 * partial message (< maxsize) plus a chunk is all a caller that drains
 * with imsg_get() after every read can ever have buffered.
 */
static int
imsgbuf_rbuf_room(struct imsgbuf *ibuf)
{
	struct ibuf	*rb;
	size_t		 left, want;
	uint8_t		*p;

	if (ibuf->r_buf == NULL) {
		rb = ibuf_dynamic(IMSG_HEADER_SIZE,
		    (size_t)ibuf->maxsize + IMSG_READ_CHUNK);
		if (rb == NULL)
			return (-1);
		ibuf->r_buf = rb;
	}
	rb = ibuf->r_buf;
	left = ibuf_size(rb);
	if (rb->rpos > 0) {
		if (left > 0)
			memmove(rb->buf, rb->buf + rb->rpos, left);
		rb->rpos = 0;
		rb->wpos = left;
	}
	want = rb->max - rb->wpos;
	if (want == 0) {
		errno = ERANGE;
		return (-1);
	}
	if (want > IMSG_READ_CHUNK)
		want = IMSG_READ_CHUNK;
	if (rb->size - rb->wpos < want) {
		/* reserve and hand back: only the allocation is wanted */
		if (ibuf_reserve(rb, want, &p) == -1)
			return (-1);
		rb->wpos -= want;
	}
	return (0);
}

/*
 * Collect SCM_RIGHTS descriptors from one recvmsg.  A well-behaved peer
 * sends at most one per sendmsg; anything else is closed, and any
 * descriptor at all on a channel without fd passing is an error.
 */
static int
imsgbuf_recv_fds(struct imsgbuf *ibuf, struct msghdr *msg)
{
	struct cmsghdr	*cm;
	int		 fds[IMSG_RECV_FDS];
	int		 i, n, nfds = 0, fd;
	size_t		 dlen;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(0))
			continue;
		dlen = cm->cmsg_len - CMSG_LEN(0);
		n = (int)(dlen / sizeof(int));
		for (i = 0; i < n && nfds < IMSG_RECV_FDS; i++)
			memcpy(&fds[nfds++],
			    CMSG_DATA(cm) + (size_t)i * sizeof(int),
			    sizeof(int));
	}
	if (nfds == 0 && (msg->msg_flags & MSG_CTRUNC) == 0)
		return (0);

	fd = -1;
	if (ibuf->allow_fdpass && (msg->msg_flags & MSG_CTRUNC) == 0 &&
	    nfds > 0 && ibuf->r_nfds < IMSG_RFDS_MAX) {
		fd = fds[0];
		ibuf->r_fds[ibuf->r_nfds++] = fd;
	}
	for (i = 0; i < nfds; i++)
		if (fds[i] != fd)
			close_keep_errno(fds[i]);
	if (fd == -1) {
		/* refused, truncated by the kernel, or a backlog of fds */
		errno = EBADMSG;
		return (-1);
	}
	return (0);
}

int
imsgbuf_read(struct imsgbuf *ibuf)
{
	union {
		struct cmsghdr	hdr;
		char	buf[CMSG_SPACE(sizeof(int) * IMSG_RECV_FDS)];
	}		 cmsgbuf;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct ibuf	*rb;
	ssize_t		 n;

	if (imsgbuf_rbuf_room(ibuf) == -1)
		return (-1);
	rb = ibuf->r_buf;

	memset(&msg, 0, sizeof(msg));
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	iov.iov_base = rb->buf + rb->wpos;
	iov.iov_len = rb->size - rb->wpos;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	/* always offer room so stray descriptors are seen and closed */
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);

	if ((n = recvmsg(ibuf->fd, &msg, MSG_CMSG_CLOEXEC)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return (1);
		return (-1);
	}
	if (imsgbuf_recv_fds(ibuf, &msg) == -1)
		return (-1);
	if (n == 0)
		return (0);
	rb->wpos += (size_t)n;
	return (1);
}

static int
imsgbuf_fd_pop(struct imsgbuf *ibuf)
{
	int	 fd;

	if (ibuf->r_nfds <= 0)
		return (-1);
	fd = ibuf->r_fds[0];
	ibuf->r_nfds--;
	memmove(&ibuf->r_fds[0], &ibuf->r_fds[1],
	    (size_t)ibuf->r_nfds * sizeof(int));
	return (fd);
}

/*
 * The header is returned as it was on the wire, descriptor mark
 * included; only the length is checked, against maxsize.
 */
int
imsg_parse_hdr(const void *data, size_t len, uint32_t maxsize,
    struct imsg_hdr *out)
{
	struct imsg_hdr	 hdr;
	uint32_t	 mlen;

	if (len < IMSG_HEADER_SIZE)
		return (0);
	memcpy(&hdr, data, sizeof(hdr));
	mlen = hdr.len & ~IMSG_FD_MARK;
	if (mlen < IMSG_HEADER_SIZE || mlen > maxsize) {
		errno = ERANGE;
		return (-1);
	}
	*out = hdr;
	return (1);
}

ssize_t
imsg_get(struct imsgbuf *ibuf, struct imsg *imsg)
{
	struct imsg_hdr	 hdr;
	struct ibuf	*rb = ibuf->r_buf, *payload;
	size_t		 len, plen;
	int		 r, fd = -1;

	if (rb == NULL)
		return (0);
	r = imsg_parse_hdr(rb->buf + rb->rpos, ibuf_size(rb), ibuf->maxsize,
	    &hdr);
	if (r <= 0)
		return (r);
	if (hdr.len & IMSG_FD_MARK) {
		/* its descriptor came with its first byte, or never */
		if (!ibuf->allow_fdpass || ibuf->r_nfds == 0) {
			errno = EBADMSG;
			return (-1);
		}
	}
	len = hdr.len & ~IMSG_FD_MARK;
	if (ibuf_size(rb) < len)
		return (0);

	plen = len - IMSG_HEADER_SIZE;
	if ((payload = ibuf_open(plen)) == NULL)
		return (-1);
	if (ibuf_add(payload, rb->buf + rb->rpos + IMSG_HEADER_SIZE,
	    plen) == -1) {
		ibuf_free(payload);
		return (-1);
	}
	if (hdr.len & IMSG_FD_MARK)
		fd = imsgbuf_fd_pop(ibuf);
	rb->rpos += len;
	if (rb->rpos == rb->wpos)
		rb->rpos = rb->wpos = 0;

	imsg->hdr = hdr;
	imsg->hdr.len = (uint32_t)len;
	imsg->buf = payload;
	imsg->fd = fd;
	return ((ssize_t)len);
}

uint32_t
imsg_get_type(const struct imsg *imsg)
{
	return (imsg->hdr.type);
}

uint32_t
imsg_get_id(const struct imsg *imsg)
{
	return (imsg->hdr.peerid);
}

pid_t
imsg_get_pid(const struct imsg *imsg)
{
	return ((pid_t)imsg->hdr.pid);
}

/* The payload length as sent, however much has been read from it. */
size_t
imsg_get_len(const struct imsg *imsg)
{
	return (imsg->hdr.len - IMSG_HEADER_SIZE);
}

int
imsg_get_fd(struct imsg *imsg)
{
	int	 fd = imsg->fd;

	imsg->fd = -1;
	return (fd);
}

/*
 * Copy a fixed-size payload.  The length must match exactly: a peer
 * built from other sources must not get a short or long struct
 * accepted.  Nothing is consumed, so this can be repeated.
 */
int
imsg_get_data(struct imsg *imsg, void *data, size_t len)
{
	if (imsg->buf == NULL || ibuf_size(imsg->buf) != len) {
		errno = EBADMSG;
		return (-1);
	}
	if (len > 0)
		memcpy(data, ibuf_data(imsg->buf), len);
	return (0);
}

int
imsg_get_ibuf(struct imsg *imsg, struct ibuf *out)
{
	if (imsg->buf == NULL) {
		errno = EINVAL;
		return (-1);
	}
	ibuf_from_buffer(out, ibuf_data(imsg->buf), ibuf_size(imsg->buf));
	return (0);
}

void
imsg_free(struct imsg *imsg)
{
	ibuf_free(imsg->buf);
	imsg->buf = NULL;
	close_keep_errno(imsg->fd);
	imsg->fd = -1;
}

struct ibuf *
imsg_create(struct imsgbuf *ibuf, uint32_t type, uint32_t peerid, pid_t pid,
    size_t datalen)
{
	struct imsg_hdr	 hdr;
	struct ibuf	*wbuf;

	if (datalen > ibuf->maxsize - IMSG_HEADER_SIZE) {
		errno = ERANGE;
		return (NULL);
	}
	if ((wbuf = ibuf_dynamic(IMSG_HEADER_SIZE + datalen,
	    ibuf->maxsize)) == NULL)
		return (NULL);
	hdr.type = type;
	hdr.len = 0;		/* set by imsg_close() */
	hdr.peerid = peerid;
	hdr.pid = (uint32_t)(pid != 0 ? pid : ibuf->pid);
	if (ibuf_add(wbuf, &hdr, sizeof(hdr)) == -1) {
		ibuf_free(wbuf);
		return (NULL);
	}
	return (wbuf);
}

/* Frees the message on failure, so a chain of adds needs one check. */
int
imsg_add(struct ibuf *wbuf, const void *data, size_t len)
{
	if (wbuf == NULL)
		return (-1);
	if (ibuf_add(wbuf, data, len) == -1) {
		ibuf_free(wbuf);
		return (-1);
	}
	return (0);
}

void
imsg_close(struct imsgbuf *ibuf, struct ibuf *wbuf)
{
	uint32_t	 len;

	if (wbuf == NULL)
		return;
	/* the dynamic buffer's max is maxsize, which has bit 31 clear */
	len = (uint32_t)wbuf->wpos;
	if (wbuf->fd >= 0)
		len |= IMSG_FD_MARK;
	memcpy(wbuf->buf + offsetof(struct imsg_hdr, len), &len, sizeof(len));
	TAILQ_INSERT_TAIL(&ibuf->w_queue, wbuf, entry);
	ibuf->w_queued++;
}

/*
 * On any failure the descriptor, if one was given, is closed: the caller
 * handed it over and has no way to tell how far we got.
 */
int
imsg_composev(struct imsgbuf *ibuf, uint32_t type, uint32_t peerid, pid_t pid,
    int fd, const struct iovec *iov, int iovcnt)
{
	struct ibuf	*wbuf;
	size_t		 total = 0;
	int		 i;

	if (fd >= 0 && !ibuf->allow_fdpass) {
		close_keep_errno(fd);
		errno = EINVAL;
		return (-1);
	}
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > SIZE_MAX - total) {
			close_keep_errno(fd);
			errno = ERANGE;
			return (-1);
		}
		total += iov[i].iov_len;
	}
	if ((wbuf = imsg_create(ibuf, type, peerid, pid, total)) == NULL) {
		close_keep_errno(fd);
		return (-1);
	}
	for (i = 0; i < iovcnt; i++) {
		if (imsg_add(wbuf, iov[i].iov_base, iov[i].iov_len) == -1) {
			close_keep_errno(fd);
			return (-1);
		}
	}
	wbuf->fd = fd >= 0 ? fd : -1;
	imsg_close(ibuf, wbuf);
	return (0);
}

int
imsg_compose(struct imsgbuf *ibuf, uint32_t type, uint32_t peerid, pid_t pid,
    int fd, const void *data, size_t len)
{
	struct iovec	 iov;

	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = len;
	return (imsg_composev(ibuf, type, peerid, pid, fd, &iov, 1));
}

/*
 * Send as much as the socket takes.  A sendmsg carries the head
 * message's descriptor, if any, and stops before the next message that
 * has one, so each descriptor travels with its message's first byte.
 */
int
imsgbuf_write(struct imsgbuf *ibuf)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	struct iovec	 iov[IMSG_WRITE_IOV];
	struct msghdr	 msg;
	struct ibuf	*buf, *next, *head;
	struct cmsghdr	*cm;
	ssize_t		 n;
	size_t		 left, chunk;
	int		 niov;

	while ((head = TAILQ_FIRST(&ibuf->w_queue)) != NULL) {
		memset(&msg, 0, sizeof(msg));
		niov = 0;
		TAILQ_FOREACH(buf, &ibuf->w_queue, entry) {
			if (niov == IMSG_WRITE_IOV ||
			    (buf != head && buf->fd >= 0))
				break;
			iov[niov].iov_base = buf->buf + buf->rpos;
			iov[niov].iov_len = ibuf_size(buf);
			niov++;
		}
		msg.msg_iov = iov;
		msg.msg_iovlen = (size_t)niov;
		if (head->fd >= 0) {
			memset(&cmsgbuf, 0, sizeof(cmsgbuf));
			msg.msg_control = cmsgbuf.buf;
			msg.msg_controllen = sizeof(cmsgbuf.buf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &head->fd, sizeof(int));
		}

		if ((n = sendmsg(ibuf->fd, &msg, MSG_NOSIGNAL)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == ENOBUFS || errno == EINTR)
				return (0);
			return (-1);
		}
		if (n == 0)
			return (0);

		/* the peer has its own copy now */
		if (head->fd >= 0) {
			close_keep_errno(head->fd);
			head->fd = -1;
		}
		left = (size_t)n;
		for (buf = head; buf != NULL && left > 0; buf = next) {
			next = TAILQ_NEXT(buf, entry);
			chunk = ibuf_size(buf);
			if (left < chunk) {
				buf->rpos += left;
				break;
			}
			left -= chunk;
			TAILQ_REMOVE(&ibuf->w_queue, buf, entry);
			ibuf->w_queued--;
			ibuf_free(buf);
		}
	}
	return (0);
}

int
imsgbuf_flush(struct imsgbuf *ibuf)
{
	struct pollfd	 pfd;
	int		 r;

	while (ibuf->w_queued > 0) {
		if (imsgbuf_write(ibuf) == -1)
			return (-1);
		if (ibuf->w_queued == 0)
			break;
		pfd.fd = ibuf->fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if ((r = poll(&pfd, 1, INFTIM)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (pfd.revents & POLLNVAL) {
			errno = EBADF;
			return (-1);
		}
		/* POLLHUP/POLLERR: the next write reports the error */
	}
	return (0);
}

uint32_t
imsgbuf_queuelen(const struct imsgbuf *ibuf)
{
	return (ibuf->w_queued);
}

/* Drop everything queued or buffered; the socket itself stays open. */
void
imsgbuf_clear(struct imsgbuf *ibuf)
{
	struct ibuf	*buf;
	int		 i;

	while ((buf = TAILQ_FIRST(&ibuf->w_queue)) != NULL) {
		TAILQ_REMOVE(&ibuf->w_queue, buf, entry);
		ibuf_free(buf);
	}
	ibuf->w_queued = 0;
	ibuf_free(ibuf->r_buf);
	ibuf->r_buf = NULL;
	for (i = 0; i < ibuf->r_nfds; i++)
		close_keep_errno(ibuf->r_fds[i]);
	ibuf->r_nfds = 0;
}
