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

#ifndef OA_KEYSTORE_H
#define OA_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

/*
 * identity.enc and wallet.enc (PROTOCOL.md §B.3): a secret sealed with
 * AES-256-GCM under an Argon2id key, kept as pretty-printed JSON so
 * that the files stay readable and writable by the OpenAgents tools.
 */

#define KEYSTORE_SALT_LEN	16
#define KEYSTORE_NONCE_LEN	12
#define KEYSTORE_TAG_LEN	16
#define KEYSTORE_KEY_LEN	32

/* Rust Argon2::default(), what every file written so far uses. */
#define KEYSTORE_M_COST		19456		/* KiB */
#define KEYSTORE_T_COST		2
#define KEYSTORE_P_COST		1

/*
 * What a file may ask of us.  The file is the user's, but it is read
 * before anything proves it is theirs: the bounds keep a planted one
 * from making us spin or allocate without end.  The lower ones are
 * Argon2's own.  libsodium always runs one lane, so p_cost must be 1.
 */
#define KEYSTORE_M_COST_MIN	8
#define KEYSTORE_M_COST_MAX	(1024 * 1024)	/* 1 GiB */
#define KEYSTORE_T_COST_MIN	1
#define KEYSTORE_T_COST_MAX	10

/* A mnemonic or an NWC URI is a few hundred bytes. */
#define KEYSTORE_PT_MAX		(64 * 1024)
#define KEYSTORE_JSON_MAX	(128 * 1024)

enum keystore_result {
	KEYSTORE_OK = 0,
	KEYSTORE_ERROR,		/* out of memory, a library failed */
	KEYSTORE_BADPASS,	/* the GCM tag does not match */
	KEYSTORE_FORMAT,	/* not a file we can read; err names the field */
	KEYSTORE_TOOBIG		/* the plaintext does not fit the buffer */
};

struct keystore_params {
	uint32_t	 kp_m_cost;	/* KiB */
	uint32_t	 kp_t_cost;
	uint32_t	 kp_p_cost;
};

/* A parsed file, before any key is derived. */
struct keystore_file {
	struct keystore_params	 kf_params;
	int			 kf_legacy;	/* no argon2_params */
	uint8_t			 kf_salt[KEYSTORE_SALT_LEN];
	uint8_t			 kf_nonce[KEYSTORE_NONCE_LEN];
	uint8_t			*kf_ct;		/* ciphertext || tag */
	size_t			 kf_ctlen;
};

/*
 * keystore_seal: p, salt16 and nonce12 may be NULL for the defaults and
 * fresh random bytes; *json is malloc'd, NUL-terminated, ends in a
 * newline.  0, or -1 with errno set (EINVAL: parameters out of range).
 */
int	keystore_seal(const char *, const uint8_t *, size_t,
	    const struct keystore_params *, const uint8_t *, const uint8_t *,
	    char **, size_t *);
/*
 * keystore_open: the plaintext goes to out (outcap bytes, not
 * NUL-terminated), its length to *outlen.  Returns an enum
 * keystore_result; on failure err says why, and out holds nothing.
 */
int	keystore_open(const char *, size_t, const char *, uint8_t *, size_t,
	    size_t *, char *, size_t);

/* The JSON layer alone, for the fuzzer: KEYSTORE_OK, _FORMAT, _ERROR. */
int	keystore_parse(const char *, size_t, struct keystore_file *, char *,
	    size_t);
void	keystore_file_clear(struct keystore_file *);
/* Internal, exposed for the known-answer test.  0 or -1. */
int	keystore_derive_key(const char *, const uint8_t *,
	    const struct keystore_params *, uint8_t *);

/*
 * keystore_read_fd reads to end of file, at most max bytes (else
 * EFBIG); *json is malloc'd and NUL-terminated.  keystore_write_file
 * replaces path atomically with a 0600 file and refuses (EEXIST) to
 * replace an existing one unless force.  Both return 0 or -1 (errno);
 * when only the final sync of the folder fails, the file is in place.
 */
int	keystore_read_fd(int, char **, size_t *, size_t);
int	keystore_write_file(const char *, const char *, size_t, int);

#endif /* OA_KEYSTORE_H */
