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
 * The NWC connection URI: what a wallet service hands out parses, each
 * malformed part is refused by name, and no refusal ever carries the
 * secret.
 */

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_run.h"
#include "hex.h"
#include "nwc_uri.h"

#define WALLET	"17162c921dc4d2518f9a101db33695df1afb56ab82f5ff3e5da6eec3ca5cd917"
#define SECRET	"7f7ff03d123792d6ac594bfa67bf6d0c0ab55b6b1fdb6249303fe861f1ccba9a"
#define RELAY1	"wss%3A%2F%2Frelay.getalby.com%2Fv1"
#define BASE	"nostr+walletconnect://" WALLET "?relay=" RELAY1

static int
parse(const char *uri, struct nwc_uri *u, char *err, size_t errlen)
{
	err[0] = '\0';
	return (nwc_uri_parse(uri, strlen(uri), u, err, errlen));
}

/* the refusal names want, and the secret in any case is not in it */
static void
refuse(const char *uri, const char *want)
{
	struct nwc_uri	 u;
	char		 err[256];

	ck_assert_msg(parse(uri, &u, err, sizeof(err)) == -1, "took %s", uri);
	ck_assert_msg(strstr(err, want) != NULL, "%s: '%s' lacks '%s'", uri,
	    err, want);
	ck_assert(strstr(err, SECRET) == NULL);
	ck_assert(strstr(err, "7f7ff03d") == NULL);
	ck_assert_uint_eq(u.nu_nrelays, 0);
}

START_TEST(nwcuri_good)
{
	struct nwc_uri	 u;
	uint8_t		 w[32], sk[32];
	char		 err[256];

	ck_assert_int_eq(hex_decode(WALLET, 64, w, 32), 0);
	ck_assert_int_eq(hex_decode(SECRET, 64, sk, 32), 0);
	ck_assert_int_eq(parse(BASE "&secret=" SECRET, &u, err,
	    sizeof(err)), 0);
	ck_assert_mem_eq(u.nu_wallet, w, 32);
	ck_assert_mem_eq(u.nu_secret, sk, 32);
	ck_assert_uint_eq(u.nu_nrelays, 1);
	ck_assert_str_eq(u.nu_relays[0], "wss://relay.getalby.com/v1");
	ck_assert_str_eq(u.nu_lud16, "");

	/* repeated relays, lud16, unknown parameters, order, whitespace */
	ck_assert_int_eq(parse("  NOSTR+WalletConnect://" WALLET
	    "?name=My%20Wallet&secret=" SECRET "&relay=ws://127.0.0.1:7777"
	    "&relay=" RELAY1 "&lud16=alice%40getalby.com&budget=1000"
	    "&relay=ws://127.0.0.1:7777\n", &u, err, sizeof(err)), 0);
	ck_assert_uint_eq(u.nu_nrelays, 2);
	ck_assert_str_eq(u.nu_relays[0], "ws://127.0.0.1:7777");
	ck_assert_str_eq(u.nu_relays[1], "wss://relay.getalby.com/v1");
	ck_assert_str_eq(u.nu_lud16, "alice@getalby.com");

	/* an uppercase secret and key, and a fragment */
	ck_assert_int_eq(parse("nostr+walletconnect://"
	    "17162C921DC4D2518F9A101DB33695DF1AFB56AB82F5FF3E5DA6EEC3CA5CD917"
	    "?relay=wss://r.example&secret="
	    "7F7FF03D123792D6AC594BFA67BF6D0C0AB55B6B1FDB6249303FE861F1CCBA9A"
	    "#x", &u, err, sizeof(err)), 0);
	ck_assert_mem_eq(u.nu_wallet, w, 32);
	ck_assert_mem_eq(u.nu_secret, sk, 32);

	/* as many relays as fit */
	ck_assert_int_eq(parse(BASE "&relay=wss://a&relay=wss://b"
	    "&relay=wss://c&secret=" SECRET, &u, err, sizeof(err)), 0);
	ck_assert_uint_eq(u.nu_nrelays, NWC_RELAYS_MAX);

	nwc_uri_clear(&u);
	ck_assert_uint_eq(u.nu_nrelays, 0);
	memset(w, 0, sizeof(w));
	ck_assert_mem_eq(u.nu_secret, w, 32);
}
END_TEST

START_TEST(nwcuri_refusals)
{
	char	 big[NWC_URI_MAX + 64];
	size_t	 n;

	refuse("", "scheme");
	refuse("nostr+walletconnect:" WALLET "?relay=wss://a&secret=" SECRET,
	    "scheme");
	refuse("nostrwalletconnect://" WALLET "?relay=wss://a&secret=" SECRET,
	    "scheme");
	refuse("nostr+walletconnect://" WALLET "00?relay=wss://a&secret="
	    SECRET, "wallet public key");
	refuse("nostr+walletconnect://" "?relay=wss://a&secret=" SECRET,
	    "wallet public key");
	refuse("nostr+walletconnect://"
	    "0000000000000000000000000000000000000000000000000000000000000000"
	    "?relay=wss://a&secret=" SECRET, "wallet public key: not a point");
	refuse("nostr+walletconnect://"
	    "zz162c921dc4d2518f9a101db33695df1afb56ab82f5ff3e5da6eec3ca5cd917"
	    "?relay=wss://a&secret=" SECRET, "wallet public key");
	refuse("nostr+walletconnect://" WALLET "?secret=" SECRET, "relay");
	refuse(BASE "&relay=https://a&secret=" SECRET,
	    "relay 2: not a ws:// or wss:// URL");
	refuse(BASE "&relay=wss://&secret=" SECRET, "relay 2");
	refuse(BASE "&relay=wss%3A%2&secret=" SECRET,
	    "relay 2: bad percent-encoding");
	refuse(BASE "&relay=wss://a%00b&secret=" SECRET, "relay 2: not "
	    "printable");
	refuse(BASE "&relay=wss://a b&secret=" SECRET, "relay 2: not "
	    "printable");
	refuse(BASE "&relay=wss://a&relay=wss://b&relay=wss://c"
	    "&relay=wss://d&secret=" SECRET, "more than 4 relays");
	refuse(BASE, "secret: missing");
	refuse(BASE "&secret=", "secret: not 64 hex");
	refuse(BASE "&secret=" SECRET "00", "secret: too long");
	refuse(BASE "&secret=7f7ff03d123792d6ac594bfa67bf6d0c0ab55b6b1fdb624"
	    "9303fe861f1ccbaXY", "secret: not 64 hex");
	refuse(BASE "&secret=%z" SECRET, "secret: bad percent");
	refuse(BASE "&secret="
	    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
	    "secret: not a valid");
	refuse(BASE "&secret="
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    "secret: not a valid");
	refuse(BASE "&secret=" SECRET "&secret=" SECRET, "secret: given "
	    "twice");
	refuse(BASE "&secret=" SECRET "&lud16=nobody", "lud16");
	refuse(BASE "&secret=" SECRET "&lud16=a@b&lud16=a@b", "lud16: given");

	n = (size_t)snprintf(big, sizeof(big), "%s", BASE "&secret=" SECRET
	    "&x=");
	memset(big + n, 'a', sizeof(big) - n - 1);
	big[sizeof(big) - 1] = '\0';
	refuse(big, "longer than");
}
END_TEST

/* A NUL inside the text, which a C string would hide. */
START_TEST(nwcuri_nul)
{
	struct nwc_uri	 u;
	char		 err[256];
	static const char uri[] = BASE "&secret=" SECRET "\0&relay=wss://x";

	ck_assert_int_eq(nwc_uri_parse(uri, sizeof(uri) - 1, &u, err,
	    sizeof(err)), -1);
	ck_assert(strstr(err, "NUL") != NULL);
}
END_TEST

static Suite *
nwcuri_suite(void)
{
	Suite	*s = suite_create("nwcuri");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, nwcuri_good);
	tcase_add_test(tc, nwcuri_refusals);
	tcase_add_test(tc, nwcuri_nul);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(nwcuri_suite()));
}
