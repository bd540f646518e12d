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
 * Framed messages between the processes of the suite.
 *
 * The wire header is host-endian: the framing only ever runs over a
 * socketpair or an AF_UNIX socket between binaries of the same build.
 * Whether a descriptor rides along is carried in the top bit of the
 * length, so a message is at most 2^31 - 1 bytes; every channel sets a
 * much smaller maximum of its own.
 */

#ifndef OA_IMSG_H
#define OA_IMSG_H

#include <sys/types.h>
#include <sys/uio.h>
#include <stddef.h>
#include <stdint.h>
#include <bsd/sys/queue.h>

struct imsg_hdr {
	uint32_t	type;
	uint32_t	len;		/* header + payload; bit 31: fd attached */
	uint32_t	peerid;
	uint32_t	pid;
};

#define IMSG_HEADER_SIZE	sizeof(struct imsg_hdr)
#define IMSG_FD_MARK		0x80000000U
#define IMSG_MAXSIZE_DEFAULT	16384
#define IMSG_READ_CHUNK		65535

/*
 * A byte buffer: written at wpos, read at rpos.  A fixed buffer cannot
 * grow; a dynamic one grows up to max.  Freed buffers are wiped.
 */
struct ibuf {
	TAILQ_ENTRY(ibuf)	 entry;
	uint8_t			*buf;
	size_t			 size;	/* allocated */
	size_t			 max;	/* growth limit */
	size_t			 wpos;
	size_t			 rpos;
	int			 fd;	/* -1 when none */
};

struct imsgbuf {
	TAILQ_HEAD(, ibuf)	 w_queue;	/* composed, not yet sent */
	uint32_t		 w_queued;	/* messages in w_queue */
	struct ibuf		*r_buf;		/* partial input */
	int			 r_fds[8];	/* received, not yet claimed */
	int			 r_nfds;
	int			 fd;
	uint32_t		 maxsize;	/* largest message, header incl. */
	int			 allow_fdpass;
	pid_t			 pid;
};

struct imsg {
	struct imsg_hdr		 hdr;
	struct ibuf		*buf;	/* payload, rpos at its start */
	int			 fd;	/* -1 when none */
};

/* ibuf: construction */
struct ibuf	*ibuf_open(size_t);
struct ibuf	*ibuf_dynamic(size_t, size_t);
int		 ibuf_add(struct ibuf *, const void *, size_t);
int		 ibuf_add_zero(struct ibuf *, size_t);
int		 ibuf_add_u8(struct ibuf *, uint8_t);
int		 ibuf_add_u16(struct ibuf *, uint16_t);
int		 ibuf_add_u32(struct ibuf *, uint32_t);
int		 ibuf_add_u64(struct ibuf *, uint64_t);
int		 ibuf_add_string(struct ibuf *, const char *);
void		 ibuf_free(struct ibuf *);

/* ibuf: reading; every underrun fails with EBADMSG */
void		 ibuf_from_buffer(struct ibuf *, const void *, size_t);
size_t		 ibuf_size(const struct ibuf *);
const void	*ibuf_data(const struct ibuf *);
int		 ibuf_get(struct ibuf *, void *, size_t);
int		 ibuf_get_u8(struct ibuf *, uint8_t *);
int		 ibuf_get_u16(struct ibuf *, uint16_t *);
int		 ibuf_get_u32(struct ibuf *, uint32_t *);
int		 ibuf_get_u64(struct ibuf *, uint64_t *);
int		 ibuf_get_string(struct ibuf *, char **);
int		 ibuf_get_strbuf(struct ibuf *, char *, size_t);
int		 ibuf_skip(struct ibuf *, size_t);

/* imsgbuf: the channel */
int		 imsgbuf_init(struct imsgbuf *, int);
void		 imsgbuf_allow_fdpass(struct imsgbuf *);
int		 imsgbuf_set_maxsize(struct imsgbuf *, uint32_t);
int		 imsgbuf_read(struct imsgbuf *);
int		 imsgbuf_write(struct imsgbuf *);
int		 imsgbuf_flush(struct imsgbuf *);
uint32_t	 imsgbuf_queuelen(const struct imsgbuf *);
void		 imsgbuf_clear(struct imsgbuf *);

/* imsg: composing */
int		 imsg_compose(struct imsgbuf *, uint32_t, uint32_t, pid_t, int,
		    const void *, size_t);
int		 imsg_composev(struct imsgbuf *, uint32_t, uint32_t, pid_t, int,
		    const struct iovec *, int);
struct ibuf	*imsg_create(struct imsgbuf *, uint32_t, uint32_t, pid_t,
		    size_t);
int		 imsg_add(struct ibuf *, const void *, size_t);
void		 imsg_close(struct imsgbuf *, struct ibuf *);

/* imsg: receiving */
ssize_t		 imsg_get(struct imsgbuf *, struct imsg *);
uint32_t	 imsg_get_type(const struct imsg *);
uint32_t	 imsg_get_id(const struct imsg *);
pid_t		 imsg_get_pid(const struct imsg *);
size_t		 imsg_get_len(const struct imsg *);
int		 imsg_get_fd(struct imsg *);
int		 imsg_get_data(struct imsg *, void *, size_t);
int		 imsg_get_ibuf(struct imsg *, struct ibuf *);
void		 imsg_free(struct imsg *);

/* decoding a header alone, shared by imsg_get and the fuzzer */
int		 imsg_parse_hdr(const void *, size_t, uint32_t,
		    struct imsg_hdr *);

#endif /* OA_IMSG_H */
