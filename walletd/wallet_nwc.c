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
 * The wallet connection (NIP-47).  wallet.enc arrives as an fd, sealed
 * under the identity's passphrase, which walletd therefore keeps, in
 * guarded memory that is unreadable between uses.  The URI inside
 * gives the wallet service's key, its relays and the connection's own
 * secret, which signs the requests and keys their ciphers: never the
 * identity's key.  A file that fails to open leaves no connection, so
 * that what the supervisor was last told is what is in force.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <sodium.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <yajl/yajl_tree.h>

#include "hex.h"
#include "keystore.h"
#include "log.h"
#include "msg.h"
#include "nip04.h"
#include "nip44.h"
#include "nostr_event.h"
#include "nwc_uri.h"
#include "secp.h"
#include "walletd.h"

/* NIP-40: a request the wallet has not seen by then is void */
/* past the longest request_timeout_secs: a call is resent as signed */
#define NWC_EXPIRY_SECS		330

#define NWC_KIND_REQUEST	23194
#define NWC_KIND_RESPONSE	23195
#define NWC_KIND_NOTIFY04	23196
#define NWC_KIND_NOTIFY44	23197

struct nwc_secrets {
	struct nwc_uri		 nc_uri;
	secp256k1_keypair	 nc_keypair;
	uint8_t			 nc_ck[NIP44_KEYLEN];	/* to the wallet */
	uint8_t			 nc_client[32];		/* x-only, public */
};

struct nwc_pass {
	char			 np_pass[WALLET_PASS_MAX + 1];
	size_t			 np_len;
};

static struct nwc_secrets	*nwc;
static struct nwc_pass		*nwc_pw;
static int			 nwc_loaded;
static int			 nwc_have_pass;
/* a wallet.enc that came before the identity was unlocked */
static int			 nwc_held_fd = -1;
static int			 nwc_held;

static void
nwc_protect(void *p, int readable)
{
	if ((readable ? sodium_mprotect_readonly(p) :
	    sodium_mprotect_noaccess(p)) == -1)
		fatal("%s: sodium_mprotect", __func__);
}

static void
nwc_writable(void *p)
{
	if (sodium_mprotect_readwrite(p) == -1)
		fatal("%s: sodium_mprotect_readwrite", __func__);
}

void
wallet_nwc_init(void)
{
	if ((nwc = sodium_malloc(sizeof(*nwc))) == NULL ||
	    (nwc_pw = sodium_malloc(sizeof(*nwc_pw))) == NULL)
		fatal("%s: sodium_malloc", __func__);
	sodium_memzero(nwc, sizeof(*nwc));
	sodium_memzero(nwc_pw, sizeof(*nwc_pw));
	nwc_protect(nwc, 0);
	nwc_protect(nwc_pw, 0);
}

/* The passphrase of IMSG_WALLET_UNLOCK, for wallet.enc later. */
void
wallet_nwc_keep_pass(const char *pass, size_t len)
{
	if (len > WALLET_PASS_MAX)
		fatalx("%s: passphrase too long", __func__);
	nwc_writable(nwc_pw);
	memcpy(nwc_pw->np_pass, pass, len);
	nwc_pw->np_pass[len] = '\0';
	nwc_pw->np_len = len;
	nwc_protect(nwc_pw, 0);
	nwc_have_pass = 1;
}

void
wallet_nwc_forget_pass(void)
{
	nwc_writable(nwc_pw);
	sodium_memzero(nwc_pw, sizeof(*nwc_pw));
	nwc_protect(nwc_pw, 0);
	nwc_have_pass = 0;
}

static void
nwc_drop(void)
{
	if (!nwc_loaded)
		return;
	nwc_writable(nwc);
	nwc_uri_clear(&nwc->nc_uri);
	sodium_memzero(nwc, sizeof(*nwc));
	nwc_protect(nwc, 0);
	nwc_loaded = 0;
}

/* Keys from the parsed URI; the struct is writable here. */
static int
nwc_derive(char *err, size_t errlen)
{
	const secp256k1_context	*ctx = secp_ctx();
	secp256k1_xonly_pubkey	 xpub;

	if (!secp256k1_keypair_create(ctx, &nwc->nc_keypair,
	    nwc->nc_uri.nu_secret) ||
	    !secp256k1_keypair_xonly_pub(ctx, &xpub, NULL,
	    &nwc->nc_keypair) ||
	    !secp256k1_xonly_pubkey_serialize(ctx, nwc->nc_client, &xpub) ||
	    nip44_conversation_key(nwc->nc_uri.nu_secret,
	    nwc->nc_uri.nu_wallet, nwc->nc_ck) == -1) {
		(void)snprintf(err, errlen, "key derivation failed");
		return (-1);
	}
	return (0);
}

/* Open the file (fd is closed) into the connection; a mn_result. */
static int
nwc_load(int fd, char *err, size_t errlen)
{
	char	*json = NULL, *uri;
	size_t	 jsonlen = 0, urilen = 0;
	int	 r, result;

	r = keystore_read_fd(fd, &json, &jsonlen, WALLET_FILE_MAX);
	(void)close(fd);
	if (r == -1) {
		(void)snprintf(err, errlen, "cannot read wallet.enc: %s",
		    strerror(errno));
		return (2);
	}
	if (jsonlen == 0) {
		free(json);
		return (1);
	}
	if ((uri = sodium_malloc(NWC_URI_MAX + 1)) == NULL)
		fatal("%s: sodium_malloc", __func__);
	nwc_protect(nwc_pw, 1);
	r = keystore_open(json, jsonlen, nwc_pw->np_pass, (uint8_t *)uri,
	    NWC_URI_MAX, &urilen, err, errlen);
	nwc_protect(nwc_pw, 0);
	free(json);
	switch (r) {
	case KEYSTORE_OK:
		nwc_writable(nwc);
		if (nwc_uri_parse(uri, urilen, &nwc->nc_uri, err,
		    errlen) == -1) {
			result = 3;
		} else if (nwc_derive(err, errlen) == -1)
			result = 3;
		else
			result = 0;
		if (result != 0)
			sodium_memzero(nwc, sizeof(*nwc));
		nwc_protect(nwc, result == 0);
		break;
	case KEYSTORE_BADPASS:
		(void)snprintf(err, errlen, "wallet.enc does not open with "
		    "the identity's passphrase");
		result = 2;
		break;
	case KEYSTORE_TOOBIG:
		(void)snprintf(err, errlen, "the URI in wallet.enc is longer "
		    "than %d bytes", NWC_URI_MAX);
		result = 3;
		break;
	case KEYSTORE_FORMAT: {
		char	why[200];

		(void)strlcpy(why, err, sizeof(why));
		(void)snprintf(err, errlen, "wallet.enc: %s", why);
		result = 2;
		break;
	}
	default:
		(void)snprintf(err, errlen, "wallet.enc: cannot decrypt");
		result = 2;
		break;
	}
	sodium_free(uri);
	nwc_loaded = result == 0;
	return (result);
}

static void
nwc_info(int result, const char *err, struct msg_nwc_info *mn)
{
	size_t	 i;

	memset(mn, 0, sizeof(*mn));
	mn->mn_result = result;
	if (result != 0) {
		(void)strlcpy(mn->mn_error, err, sizeof(mn->mn_error));
		return;
	}
	memcpy(mn->mn_wallet, nwc->nc_uri.nu_wallet, 32);
	memcpy(mn->mn_client, nwc->nc_client, 32);
	mn->mn_nrelays = (uint32_t)nwc->nc_uri.nu_nrelays;
	for (i = 0; i < nwc->nc_uri.nu_nrelays; i++)
		(void)strlcpy(mn->mn_relays[i], nwc->nc_uri.nu_relays[i],
		    sizeof(mn->mn_relays[i]));
	(void)strlcpy(mn->mn_lud16, nwc->nc_uri.nu_lud16,
	    sizeof(mn->mn_lud16));
}

static int
nwc_take(int fd, struct msg_nwc_info *mn)
{
	char	 err[256], hexkey[65];
	int	 result;

	nwc_drop();
	err[0] = '\0';
	if (fd == -1)
		result = 1;
	else
		result = nwc_load(fd, err, sizeof(err));
	if (result == 0) {
		hex_encode(nwc->nc_uri.nu_wallet, 32, hexkey);
		log_info("wallet connection to %s over %zu relay(s)",
		    hexkey, nwc->nc_uri.nu_nrelays);
	} else if (result == 1)
		log_debug("no wallet connection configured");
	else
		log_warnx("wallet connection: %s", err);
	nwc_info(result, err, mn);
	return (result);
}

/*
 * IMSG_WALLET_NWC_FILE: 1 when mn is the answer to send now, 0 when the
 * file waits for the identity (and its passphrase).  A newer file
 * replaces a held one.
 */
int
wallet_nwc_file(int fd, struct msg_nwc_info *mn)
{
	if (wallet_keys_get() == NULL || !nwc_have_pass) {
		if (nwc_held && nwc_held_fd != -1)
			(void)close(nwc_held_fd);
		nwc_held = 1;
		nwc_held_fd = fd;
		return (0);
	}
	(void)nwc_take(fd, mn);
	return (1);
}

/* After a good unlock: 1 when a held file was opened into mn. */
int
wallet_nwc_unlocked(struct msg_nwc_info *mn)
{
	int	 fd;

	if (!nwc_held)
		return (0);
	fd = nwc_held_fd;
	nwc_held = 0;
	nwc_held_fd = -1;
	(void)nwc_take(fd, mn);
	return (1);
}

static int
nwc_ready(char *err, size_t errlen)
{
	if (wallet_keys_get() == NULL) {
		(void)snprintf(err, errlen, "no identity unlocked");
		return (WALLET_LOCKED);
	}
	if (!nwc_loaded) {
		(void)snprintf(err, errlen, "no wallet connection: run "
		    "'openagents provider wallet connect'");
		return (WALLET_LOCKED);
	}
	return (WALLET_OK);
}

/*
 * A JSON object, and nothing around it; with want, it has a string
 * member of that name.
 */
static int
nwc_json_object(const char *s, size_t len, const char *want)
{
	const char	*path[2] = { want, NULL };
	yajl_val	 root;
	char		 yerr[128];
	int		 ok;

	if (len == 0 || strlen(s) != len)
		return (0);
	if ((root = yajl_tree_parse(s, yerr, sizeof(yerr))) == NULL)
		return (0);
	ok = YAJL_IS_OBJECT(root) && (want == NULL ||
	    yajl_tree_get(root, path, yajl_t_string) != NULL);
	yajl_tree_free(root);
	return (ok);
}

/*
 * WALLET_OP_NWC_REQUEST: in is the plaintext request, NUL-terminated;
 * the answer is the signed kind-23194 event.
 */
int
wallet_nwc_request(uint32_t flags, const char *in, size_t len, char **out,
    size_t *outlen, char *err, size_t errlen)
{
	struct nostr_event	 ev;
	char			 wallet[65], exp[24], *ct = NULL;
	time_t			 now;
	int			 status, r;

	*out = NULL;
	*outlen = 0;
	if ((status = nwc_ready(err, errlen)) != WALLET_OK)
		return (status);
	if (flags != NWC_ENC_NIP04 && flags != NWC_ENC_NIP44) {
		(void)snprintf(err, errlen, "unknown encryption %u", flags);
		return (WALLET_BADINPUT);
	}
	if (!nwc_json_object(in, len, "method")) {
		(void)snprintf(err, errlen, "the request is not a JSON object "
		    "with a string \"method\"");
		return (WALLET_BADINPUT);
	}
	if (flags == NWC_ENC_NIP44) {
		if (len > NIP44_PT_MAX) {
			(void)snprintf(err, errlen, "the request is longer "
			    "than %d bytes", NIP44_PT_MAX);
			return (WALLET_BADINPUT);
		}
		r = nip44_encrypt(nwc->nc_ck, NULL, (const uint8_t *)in, len,
		    &ct);
	} else
		r = nip04_encrypt(nwc->nc_uri.nu_secret, nwc->nc_uri.nu_wallet,
		    (const uint8_t *)in, len, &ct);
	if (r == -1) {
		(void)snprintf(err, errlen, "cannot encrypt the request");
		return (WALLET_FAILED);
	}

	now = time(NULL);
	hex_encode(nwc->nc_uri.nu_wallet, 32, wallet);
	(void)snprintf(exp, sizeof(exp), "%lld",
	    (long long)now + NWC_EXPIRY_SECS);
	nostr_event_init(&ev, NWC_KIND_REQUEST, (int64_t)now);
	status = WALLET_FAILED;
	if (event_add_tagv(&ev, "p", wallet, (char *)NULL) == -1 ||
	    (flags == NWC_ENC_NIP44 && event_add_tagv(&ev, "encryption",
	    "nip44_v2", (char *)NULL) == -1) ||
	    event_add_tagv(&ev, "expiration", exp, (char *)NULL) == -1 ||
	    event_set_content(&ev, ct, strlen(ct)) == -1)
		(void)snprintf(err, errlen, "out of memory");
	else if (event_sign(&ev, &nwc->nc_keypair) == -1)
		(void)snprintf(err, errlen, "signing failed");
	else if (event_to_json(&ev, 0, out, outlen) == -1)
		(void)snprintf(err, errlen, "out of memory");
	else
		status = WALLET_OK;
	nostr_event_free(&ev);
	free(ct);
	return (status);
}

/* Whether a p tag names our connection key. */
static int
nwc_for_us(const struct nostr_event *ev)
{
	const struct event_tag	*t;
	const struct event_str	*v;
	char			 client[65];
	size_t			 pos = 0;

	hex_encode(nwc->nc_client, 32, client);
	while ((t = event_tag_find(ev, "p", &pos)) != NULL)
		if ((v = event_tag_value(t, 1)) != NULL &&
		    event_str_eq(v, client))
			return (1);
	return (0);
}

static int
nwc_decrypt(const struct nostr_event *ev, uint8_t **pt, size_t *ptlen,
    char *err, size_t errlen)
{
	const char	*c = ev->ev_content != NULL ? ev->ev_content : "";
	size_t		 clen = ev->ev_contentlen;
	int		 nip04;

	if (ev->ev_kind == NWC_KIND_NOTIFY04)
		nip04 = 1;
	else if (ev->ev_kind == NWC_KIND_NOTIFY44)
		nip04 = 0;
	else
		nip04 = nip_detect(c, clen) == NIP_SCHEME_04;
	if (nip04) {
		/* no MAC: which check failed stays here (see wallet_ops.c) */
		if (nip04_decrypt(nwc->nc_uri.nu_secret, nwc->nc_uri.nu_wallet,
		    c, clen, pt, ptlen, err, errlen) == -1) {
			log_debug("NWC NIP-04 decrypt: %s", err);
			(void)snprintf(err, errlen, "cannot decrypt (NIP-04)");
			return (-1);
		}
		return (0);
	}
	if (nip44_decrypt(nwc->nc_ck, c, clen, pt, ptlen, err,
	    errlen) == -1) {
		log_debug("NWC NIP-44 decrypt: %s", err);
		(void)snprintf(err, errlen, "cannot decrypt (NIP-44)");
		return (-1);
	}
	return (0);
}

/*
 * WALLET_OP_NWC_OPEN: in is an event from the wallet relays; the answer
 * is its decrypted content.
 */
int
wallet_nwc_open(const char *in, size_t len, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	struct nostr_event	 ev;
	uint8_t			*pt = NULL;
	size_t			 ptlen = 0;
	char			 why[EVENT_ERRLEN];
	int			 status;

	*out = NULL;
	*outlen = 0;
	if ((status = nwc_ready(err, errlen)) != WALLET_OK)
		return (status);
	if (event_parse(in, len, NULL, &ev, err, errlen) == -1)
		return (WALLET_BADINPUT);
	status = WALLET_REFUSED;
	if (ev.ev_kind != NWC_KIND_RESPONSE && ev.ev_kind != NWC_KIND_NOTIFY04 &&
	    ev.ev_kind != NWC_KIND_NOTIFY44) {
		(void)snprintf(err, errlen, "kind %u is not a wallet answer",
		    ev.ev_kind);
		log_warnx("refusing to open an event of kind %u as a wallet "
		    "answer", ev.ev_kind);
	} else if (event_verify(&ev, why, sizeof(why)) == -1) {
		(void)snprintf(err, errlen, "forged wallet event: %s", why);
		log_warnx("forged wallet event: %s", why);
	} else if (memcmp(ev.ev_pubkey, nwc->nc_uri.nu_wallet, 32) != 0) {
		(void)snprintf(err, errlen, "forged wallet event: not by the "
		    "wallet service");
		log_warnx("forged wallet event: kind %u not by the wallet "
		    "service", ev.ev_kind);
	} else if (!nwc_for_us(&ev)) {
		(void)snprintf(err, errlen, "wallet event not addressed to "
		    "this connection");
		log_warnx("refusing a wallet event addressed to another "
		    "connection");
	} else if (nwc_decrypt(&ev, &pt, &ptlen, err, errlen) == -1)
		status = WALLET_FAILED;
	else if (!nwc_json_object((const char *)pt, ptlen, NULL)) {
		(void)snprintf(err, errlen, "the content is not a JSON object");
		status = WALLET_BADINPUT;
	} else {
		*out = (char *)pt;
		*outlen = ptlen;
		pt = NULL;
		status = WALLET_OK;
	}
	if (pt != NULL)
		freezero(pt, ptlen + 1);
	nostr_event_free(&ev);
	return (status);
}
