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
 * provider wallet connect and status.  connect checks the NWC URI,
 * seals it into wallet.enc under the identity's passphrase (walletd
 * opens both files with the one it is given) and tells a running
 * daemon; status asks the daemon what its wallet connection is doing.
 * The URI's secret is in guarded memory here and is never printed.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>
#include <sodium.h>
#include <yajl/yajl_tree.h>

#include "config.h"
#include "ctl.h"
#include "hex.h"
#include "keystore.h"
#include "msg.h"
#include "nwc_uri.h"
#include "passphrase.h"

/* status may make the daemon ask the wallet over its relays */
#define WALLET_REPLY_SECS	30
#define WALLET_IDENTITY_MAX	1024	/* a mnemonic, only to test it opens */

struct wallet_secrets_ctl {
	char		 wc_text[NWC_URI_MAX + 2];	/* as given */
	struct nwc_uri	 wc_uri;
	char		 wc_pass[PASSPHRASE_SIZE];
	uint8_t		 wc_identity[WALLET_IDENTITY_MAX];
};

static const struct option wallet_opts[] = {
	{ "passphrase-file",	required_argument,	NULL,	'P' },
	{ "json",		no_argument,		NULL,	'j' },
	{ "help",		no_argument,		NULL,	'h' },
	{ NULL,			0,			NULL,	0 }
};

static void
wallet_usage(FILE *out)
{
	fprintf(out, "usage: openagents provider wallet connect URI | - "
	    "[--passphrase-file FILE]\n"
	    "       openagents provider wallet status [--json]\n"
	    "\n"
	    "connect  check a nostr+walletconnect:// URI from your wallet "
	    "service, seal it\n"
	    "         into wallet.enc under the identity's passphrase and "
	    "tell a running\n"
	    "         daemon; '-' reads the URI from standard input, which "
	    "other users\n"
	    "         cannot see, unlike arguments\n"
	    "status   what the daemon's wallet connection is doing\n");
}

/*
 * The options of either subcommand: passfile for connect, json for
 * status, NULL where the subcommand has no such option.  Returns the
 * number of operands; --help exits.
 */
static int
wallet_args(int argc, char *argv[], const char **passfile, int *json)
{
	int	 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", wallet_opts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			if (passfile == NULL)
				ctl_usage_exit("wallet");
			*passfile = optarg;
			break;
		case 'j':
			if (json == NULL)
				ctl_usage_exit("wallet");
			*json = 1;
			break;
		case 'h':
			wallet_usage(stdout);
			exit(EXIT_DONE);
		default:
			ctl_usage_exit("wallet");
		}
	}
	return (argc - optind);
}

/* The passphrase must be the identity's: walletd has no other. */
static int
wallet_check_identity(const struct oa_paths *p, struct wallet_secrets_ctl *wc)
{
	char	*json = NULL, errbuf[256];
	size_t	 len = 0, outlen = 0;
	int	 fd, r;

	if ((fd = open(p->p_identity, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1) {
		if (errno == ENOENT)
			warnx("no identity: %s does not exist; run "
			    "'openagents provider init' first", p->p_identity);
		else
			warn("%s", p->p_identity);
		return (-1);
	}
	r = keystore_read_fd(fd, &json, &len, WALLET_FILE_MAX);
	(void)close(fd);
	if (r == -1) {
		warn("%s", p->p_identity);
		return (-1);
	}
	errbuf[0] = '\0';
	r = keystore_open(json, len, wc->wc_pass, wc->wc_identity,
	    sizeof(wc->wc_identity), &outlen, errbuf, sizeof(errbuf));
	free(json);
	sodium_memzero(wc->wc_identity, sizeof(wc->wc_identity));
	switch (r) {
	case KEYSTORE_OK:
		return (0);
	case KEYSTORE_BADPASS:
		warnx("wrong passphrase: wallet.enc is sealed under the "
		    "passphrase of %s", p->p_identity);
		return (-1);
	default:
		warnx("%s: %s", p->p_identity, errbuf[0] != '\0' ? errbuf :
		    "cannot open it");
		return (-1);
	}
}

/* Tell a running daemon; 0 when it took the file or does not run. */
static int
wallet_tell_daemon(const struct oa_paths *p)
{
	struct ctl_result	 res;
	struct imsgbuf		 ibuf;
	struct imsg		 imsg;
	int			 rv = -1;

	if (ctl_connect(p, &ibuf) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED) {
			printf("Daemon:    not running; the wallet is used "
			    "from its next start\n");
			return (0);
		}
		warn("%s", p->p_socket);
		return (-1);
	}
	memset(&res, 0, sizeof(res));
	if (ctl_request(&ibuf, IMSG_CTL_WALLET_RELOAD, NULL, 0) == -1 ||
	    ctl_read(&ibuf, &imsg, WALLET_REPLY_SECS) == -1)
		warn("telling openagentsd");
	else {
		if (imsg_get_type(&imsg) != IMSG_CTL_RESULT ||
		    imsg_get_data(&imsg, &res, sizeof(res)) == -1)
			warnx("unexpected answer from openagentsd");
		else {
			res.cr_msg[sizeof(res.cr_msg) - 1] = '\0';
			if (res.cr_code == CTL_RES_OK) {
				printf("Daemon:    took the new connection%s%s\n",
				    res.cr_msg[0] != '\0' ? ": " : "",
				    res.cr_msg);
				rv = 0;
			} else
				warnx("the daemon did not take the new "
				    "connection%s%s; it is used from its next "
				    "start", res.cr_msg[0] != '\0' ? ": " : "",
				    res.cr_msg);
		}
		imsg_free(&imsg);
	}
	imsgbuf_clear(&ibuf);
	(void)close(ibuf.fd);
	return (rv);
}

static int
wallet_connect_run(struct wallet_secrets_ctl *wc, const char *passfile)
{
	struct oa_paths	 p;
	char		 errbuf[512], hex[65], *json = NULL;
	size_t		 len = 0, i;

	errbuf[0] = '\0';
	if (nwc_uri_parse(wc->wc_text, strlen(wc->wc_text), &wc->wc_uri,
	    errbuf, sizeof(errbuf)) == -1) {
		warnx("invalid wallet connection URI: %s", errbuf);
		return (EXIT_FAILED);
	}
	if (ctl_paths(&p) == -1)
		return (EXIT_FAILED);
	if (access(p.p_identity, F_OK) == -1) {
		warnx("no identity: %s does not exist; run 'openagents "
		    "provider init' first", p.p_identity);
		return (EXIT_FAILED);
	}
	if (passphrase_get(passfile, 0, "Passphrase for identity.enc: ",
	    wc->wc_pass, sizeof(wc->wc_pass), NULL, 0, errbuf,
	    sizeof(errbuf)) == -1) {
		warnx("%s", errbuf);
		return (EXIT_FAILED);
	}
	if (wallet_check_identity(&p, wc) == -1)
		return (EXIT_FAILED);

	/* sealed as given, less the whitespace around it */
	i = strspn(wc->wc_text, " \t\r\n");
	len = strlen(wc->wc_text + i);
	while (len > 0 && strchr(" \t\r\n", wc->wc_text[i + len - 1]) != NULL)
		len--;
	if (keystore_seal(wc->wc_pass, (const uint8_t *)wc->wc_text + i, len,
	    NULL, NULL, NULL, &json, &len) == -1) {
		warnx("cannot seal the wallet connection");
		return (EXIT_FAILED);
	}
	if (keystore_write_file(p.p_wallet, json, len, 1) == -1) {
		warn("%s", p.p_wallet);
		free(json);
		return (EXIT_FAILED);
	}
	free(json);

	hex_encode(wc->wc_uri.nu_wallet, 32, hex);
	printf("Wallet:    %s\n", hex);
	for (i = 0; i < wc->wc_uri.nu_nrelays; i++)
		printf("%s%s\n", i == 0 ? "Relays:    " : "           ",
		    wc->wc_uri.nu_relays[i]);
	if (wc->wc_uri.nu_lud16[0] != '\0')
		printf("Address:   %s\n", wc->wc_uri.nu_lud16);
	printf("Saved:     %s (encrypted)\n", p.p_wallet);
	(void)fflush(stdout);
	return (wallet_tell_daemon(&p) == 0 ? EXIT_DONE : EXIT_FAILED);
}

static int
wallet_connect(int argc, char *argv[])
{
	struct wallet_secrets_ctl	*wc;
	const char			*passfile = NULL;
	int				 rc;

	if (wallet_args(argc, argv, &passfile, NULL) != 1)
		ctl_usage_exit("wallet");

	if (sodium_init() == -1)
		errx(EXIT_FAILED, "sodium_init");
	if ((wc = sodium_malloc(sizeof(*wc))) == NULL)
		err(EXIT_FAILED, NULL);
	sodium_memzero(wc, sizeof(*wc));
	rc = EXIT_FAILED;
	if (strcmp(argv[optind], "-") == 0) {
		if (ctl_read_secret("Wallet connection URI (input is "
		    "hidden): ", "wallet connection URI", wc->wc_text,
		    sizeof(wc->wc_text)) == -1)
			goto out;
	} else if (strlcpy(wc->wc_text, argv[optind], sizeof(wc->wc_text)) >=
	    sizeof(wc->wc_text)) {
		warnx("invalid wallet connection URI: longer than %d bytes",
		    NWC_URI_MAX);
		goto out;
	}
	/* what ps shows from now on */
	explicit_bzero(argv[optind], strlen(argv[optind]));
	rc = wallet_connect_run(wc, passfile);
 out:
	sodium_free(wc);
	return (rc);
}

static const char *
wallet_str(yajl_val root, const char *key)
{
	const char	*path[2] = { key, NULL };
	yajl_val	 v;

	v = yajl_tree_get(root, path, yajl_t_string);
	return (v != NULL ? YAJL_GET_STRING(v) : NULL);
}

static void
wallet_list(yajl_val root, const char *key, const char *label,
    const char *sep)
{
	const char	*path[2] = { key, NULL };
	yajl_val	 v;
	size_t		 i, n = 0;

	if ((v = yajl_tree_get(root, path, yajl_t_array)) == NULL)
		return;
	for (i = 0; i < v->u.array.len; i++) {
		if (!YAJL_IS_STRING(v->u.array.values[i]))
			continue;
		printf("%s%s", n++ == 0 ? label : sep,
		    YAJL_GET_STRING(v->u.array.values[i]));
	}
	if (n > 0)
		printf("\n");
}

static void
wallet_line(const char *label, const char *value)
{
	if (value != NULL && value[0] != '\0')
		printf("%-15s%s\n", label, value);
}

static int
wallet_status_text(const char *text)
{
	const char	*path[2] = { NULL, NULL }, *state, *error;
	yajl_val	 root, v;
	char		 yerr[128];
	long long	 msats;

	if ((root = yajl_tree_parse(text, yerr, sizeof(yerr))) == NULL ||
	    !YAJL_IS_OBJECT(root)) {
		warnx("wallet status: the daemon's answer does not parse");
		if (root != NULL)
			yajl_tree_free(root);
		return (EXIT_FAILED);
	}
	path[0] = "configured";
	v = yajl_tree_get(root, path, yajl_t_any);
	state = wallet_str(root, "state");
	error = wallet_str(root, "error");
	if (!YAJL_IS_TRUE(v) || (state != NULL &&
	    strcmp(state, "not_configured") == 0)) {
		printf("Wallet:        not configured; run 'openagents provider "
		    "wallet connect -'\n               with the "
		    "nostr+walletconnect:// URI of your wallet service\n");
		yajl_tree_free(root);
		return (EXIT_DONE);
	}
	wallet_line("Wallet:", wallet_str(root, "wallet_pubkey"));
	wallet_line("Alias:", wallet_str(root, "alias"));
	wallet_line("Network:", wallet_str(root, "network"));
	wallet_line("State:", state != NULL ? state : "unknown");
	wallet_line("Error:", error);
	wallet_list(root, "relays", "Relays:        ", "\n               ");
	wallet_line("Address:", wallet_str(root, "lud16"));
	wallet_line("Encryption:", wallet_str(root, "encryption"));
	wallet_list(root, "methods", "Methods:       ", " ");
	wallet_list(root, "notifications", "Notifications: ", " ");
	path[0] = "balance_msats";
	if ((v = yajl_tree_get(root, path, yajl_t_number)) != NULL &&
	    YAJL_IS_INTEGER(v)) {
		msats = YAJL_GET_INTEGER(v);
		if (msats % 1000 == 0)
			printf("%-15s%lld sats\n", "Balance:", msats / 1000);
		else
			printf("%-15s%lld.%03lld sats\n", "Balance:",
			    msats / 1000, llabs(msats % 1000));
	}
	path[0] = "open_invoices";
	if ((v = yajl_tree_get(root, path, yajl_t_number)) != NULL &&
	    YAJL_IS_INTEGER(v))
		printf("%-15s%lld\n", "Open invoices:",
		    (long long)YAJL_GET_INTEGER(v));
	yajl_tree_free(root);
	return (EXIT_DONE);
}

static int
wallet_status(int argc, char *argv[])
{
	struct oa_paths		 p;
	struct ctl_result	 res;
	struct imsgbuf		 ibuf;
	struct imsg		 imsg;
	char			*text = NULL;
	size_t			 len;
	int			 json = 0, rv = EXIT_FAILED;

	if (wallet_args(argc, argv, NULL, &json) != 0)
		ctl_usage_exit("wallet");
	if (ctl_paths(&p) == -1)
		return (EXIT_FAILED);
	if (ctl_connect(&p, &ibuf) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED) {
			warnx("openagentsd is not running for %s", p.p_dir);
			return (EXIT_OFFLINE);
		}
		warn("%s", p.p_socket);
		return (EXIT_FAILED);
	}
	if (ctl_request(&ibuf, IMSG_CTL_WALLET_REQ, NULL, 0) == -1 ||
	    ctl_read(&ibuf, &imsg, WALLET_REPLY_SECS) == -1) {
		warn("wallet status");
		goto out;
	}
	len = imsg_get_len(&imsg);
	if (imsg_get_type(&imsg) == IMSG_CTL_RESULT &&
	    imsg_get_data(&imsg, &res, sizeof(res)) == 0) {
		res.cr_msg[sizeof(res.cr_msg) - 1] = '\0';
		warnx("wallet status: %s", res.cr_msg);
	} else if (imsg_get_type(&imsg) != IMSG_CTL_WALLET || len == 0)
		warnx("wallet status: unexpected answer from openagentsd");
	else if ((text = calloc(1, len + 1)) == NULL ||
	    imsg_get_data(&imsg, text, len) == -1)
		warn("wallet status");
	else if (strlen(text) != len)
		warnx("wallet status: the daemon's answer does not parse");
	else if (json) {
		text[strcspn(text, "\n")] = '\0';
		printf("%s\n", text);
		rv = EXIT_DONE;
	} else
		rv = wallet_status_text(text);
	free(text);
	imsg_free(&imsg);
 out:
	imsgbuf_clear(&ibuf);
	(void)close(ibuf.fd);
	return (rv);
}

int
cmd_wallet(int argc, char *argv[])
{
	if (argc < 2)
		ctl_usage_exit("wallet");
	if (strcmp(argv[1], "connect") == 0)
		return (wallet_connect(argc - 1, argv + 1));
	if (strcmp(argv[1], "status") == 0)
		return (wallet_status(argc - 1, argv + 1));
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		wallet_usage(stdout);
		return (EXIT_DONE);
	}
	warnx("wallet: unknown command '%s'", argv[1]);
	ctl_usage_exit("wallet");
}
