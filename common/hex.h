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

#ifndef OA_HEX_H
#define OA_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Hex as Nostr writes it: lowercase, exact length.  hex_decode takes
 * only lowercase (NIP-01 ids, keys and signatures are lowercase, and a
 * relay that sends uppercase sends something else than was signed);
 * hex_decode_any also takes uppercase, for test vectors and user input.
 * Both return 0, or -1 when slen != 2 * outlen or a digit is bad.
 */
int	hex_decode(const char *, size_t, uint8_t *, size_t);
int	hex_decode_any(const char *, size_t, uint8_t *, size_t);
/* out holds 2 * len + 1 bytes; it is NUL-terminated */
void	hex_encode(const uint8_t *, size_t, char *);

#endif /* OA_HEX_H */
