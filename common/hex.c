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

#include <stddef.h>
#include <stdint.h>

#include "hex.h"

static int
hex_digit(unsigned char c, int upper_ok)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (upper_ok && c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

static int
hex_decode_case(const char *s, size_t slen, uint8_t *out, size_t outlen,
    int upper_ok)
{
	size_t	 i;
	int	 hi, lo;

	if (outlen > SIZE_MAX / 2 || slen != outlen * 2)
		return (-1);
	for (i = 0; i < outlen; i++) {
		hi = hex_digit((unsigned char)s[2 * i], upper_ok);
		lo = hex_digit((unsigned char)s[2 * i + 1], upper_ok);
		if (hi == -1 || lo == -1)
			return (-1);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (0);
}

int
hex_decode(const char *s, size_t slen, uint8_t *out, size_t outlen)
{
	return (hex_decode_case(s, slen, out, outlen, 0));
}

int
hex_decode_any(const char *s, size_t slen, uint8_t *out, size_t outlen)
{
	return (hex_decode_case(s, slen, out, outlen, 1));
}

void
hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}
