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
 * provider init: a new identity (or one restored from its mnemonic),
 * sealed into identity.enc under a passphrase, and a config.toml that
 * names its public key.  The mnemonic is shown once; this process is
 * the only one of the suite that ever sees it outside walletd, and it
 * wipes it before exiting.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <sodium.h>

#include "bip32.h"
#include "bip39.h"
#include "config.h"
#include "config_template.h"
#include "ctl.h"
#include "hex.h"
#include "keystore.h"
#include "nip19.h"
#include "passphrase.h"

#define INIT_MNEMONIC_MAX	512
#define INIT_CONFIG_MAX		(256 * 1024)

struct init_secrets {
	char	 is_mnemonic[INIT_MNEMONIC_MAX];
	char	 is_input[INIT_MNEMONIC_MAX * 4];
	char	 is_pass[PASSPHRASE_SIZE];
	uint8_t	 is_seed[64];
	uint8_t	 is_seckey[32];
};

static const struct option init_opts[] = {
	{ "words",		required_argument,	NULL,	'w' },
	{ "restore",		no_argument,		NULL,	'r' },
	{ "force",		no_argument,		NULL,	'f' },
	{ "passphrase-file",	required_argument,	NULL,	'P' },
	{ "json",		no_argument,		NULL,	'j' },
	{ "help",		no_argument,		NULL,	'h' },
	{ NULL,			0,			NULL,	0 }
};

static void
init_usage(FILE *out)
{
	fprintf(out, "usage: openagents provider init [--words 12|24] "
	    "[--restore] [--force]\n"
	    "         [--passphrase-file FILE] [--json]\n");
}

/*
 * The state folder, even when --config names a file not written yet:
 * init is what creates it.
 */
static int
init_paths(struct oa_paths *p)
{
	char	 dir[PATH_MAX], real[PATH_MAX], file[PATH_MAX], errbuf[1024];
	char	*slash;
	const char *base;

	if (ctl_config == NULL || access(ctl_config, F_OK) == 0)
		return (ctl_paths(p));
	if (strlcpy(dir, ctl_config, sizeof(dir)) >= sizeof(dir))
		errx(EXIT_FAILED, "%s: path too long", ctl_config);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		base = slash + 1;
		if (dir[0] == '\0')
			(void)strlcpy(dir, "/", sizeof(dir));
	} else {
		(void)strlcpy(dir, ".", sizeof(dir));
		base = ctl_config;
	}
	if (realpath(dir, real) == NULL) {
		warn("%s", dir);
		return (-1);
	}
	if (snprintf(file, sizeof(file), "%s/%s", real, base) >=
	    (int)sizeof(file))
		errx(EXIT_FAILED, "%s: path too long", ctl_config);
	if (paths_init(p, file, errbuf, sizeof(errbuf)) == -1) {
		warnx("%s", errbuf);
		return (-1);
	}
	return (0);
}

/* The words to restore: typed without echo on a terminal, else stdin. */
static int
init_read_mnemonic(struct init_secrets *is)
{
	return (ctl_read_secret("Recovery phrase (input is hidden): ",
	    "recovery phrase", is->is_input, sizeof(is->is_input)));
}

/* The line "pubkey = ..." under [identity], replaced or added. */
static char *
init_config_update(const char *text, const char *npub)
{
	const char	*line, *next, *p, *ins = NULL, *end = NULL;
	char		 section[64], newline[160], *out;
	size_t		 len, n;
	int		 has_section = 0;

	section[0] = '\0';
	(void)snprintf(newline, sizeof(newline), "pubkey = \"%s\"\n", npub);
	for (line = text; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '[') {
			n = strcspn(p + 1, "]\n");
			if (n >= sizeof(section))
				n = sizeof(section) - 1;
			memcpy(section, p + 1, n);
			section[n] = '\0';
			if (strcmp(section, "identity") == 0) {
				has_section = 1;
				ins = next;
			}
			continue;
		}
		if (strcmp(section, "identity") == 0 &&
		    strncmp(p, "pubkey", 6) == 0 &&
		    strspn(p + 6, " \t") + p + 6 < next &&
		    p[6 + strspn(p + 6, " \t")] == '=') {
			ins = line;
			end = next;
			break;
		}
	}
	len = strlen(text);
	if ((out = malloc(len + sizeof(newline) + 32)) == NULL)
		err(EXIT_FAILED, NULL);
	if (!has_section) {
		(void)snprintf(out, len + sizeof(newline) + 32, "%s%s"
		    "[identity]\n%s", text,
		    len > 0 && text[len - 1] != '\n' ? "\n\n" : "\n", newline);
		return (out);
	}
	if (end == NULL)
		end = ins;
	n = (size_t)(ins - text);
	memcpy(out, text, n);
	memcpy(out + n, newline, strlen(newline));
	(void)strlcpy(out + n + strlen(newline), end,
	    len + sizeof(newline) + 32 - n - strlen(newline));
	return (out);
}

static char *
init_config_text(const struct oa_paths *p, const char *npub, int *created)
{
	FILE	*f;
	char	*text, *out;
	size_t	 n;

	if ((f = fopen(p->p_config, "r")) == NULL) {
		if (errno != ENOENT)
			err(EXIT_FAILED, "%s", p->p_config);
		*created = 1;
		return (init_config_update(config_template, npub));
	}
	*created = 0;
	if ((text = calloc(1, INIT_CONFIG_MAX + 1)) == NULL)
		err(EXIT_FAILED, NULL);
	n = fread(text, 1, INIT_CONFIG_MAX + 1, f);
	if (ferror(f))
		err(EXIT_FAILED, "%s", p->p_config);
	(void)fclose(f);
	if (n > INIT_CONFIG_MAX)
		errx(EXIT_FAILED, "%s: larger than %d bytes", p->p_config,
		    INIT_CONFIG_MAX);
	text[n] = '\0';
	out = init_config_update(text, npub);
	free(text);
	return (out);
}

static void
init_print(const struct oa_paths *p, const char *npub, const char *pkhex,
    const char *mnemonic, int restored, int words, int json,
    int config_created)
{
	const char	*w;
	size_t		 n;
	int		 i;

	if (json) {
		printf("{\"npub\":\"%s\",\"pubkey\":\"%s\",\"identity\":"
		    "\"%s\",\"config\":\"%s\",\"words\":%d,\"restored\":%s",
		    npub, pkhex, p->p_identity, p->p_config, words,
		    restored ? "true" : "false");
		if (!restored)
			printf(",\"mnemonic\":\"%s\"", mnemonic);
		printf("}\n");
		return;
	}
	printf("Identity:  %s (encrypted)\n", p->p_identity);
	printf("Config:    %s%s\n", p->p_config,
	    config_created ? "" : " (pubkey updated)");
	printf("Provider:  %s\n", npub);
	if (restored) {
		printf("\nRestored from your %d-word recovery phrase.\n",
		    words);
		return;
	}
	printf("\nRecovery phrase (%d words). Write it down now, on paper; "
	    "it is not shown again:\n\n   ", words);
	for (w = mnemonic, i = 1; *w != '\0'; i++) {
		n = strcspn(w, " ");
		printf(" %2d. %-9.*s", i, (int)n, w);
		if (i % 4 == 0 && i < words)
			printf("\n   ");
		w += n;
		w += strspn(w, " ");
	}
	printf("\n\nAnyone with these words controls this provider's identity "
	    "and its earnings;\nwithout them a lost identity.enc or "
	    "passphrase cannot be recovered.\n");
}

static int
init_run(struct init_secrets *is, int words, int restore, int force,
    const char *passfile, int json)
{
	struct oa_paths	 p;
	uint8_t		 pk[32];
	char		 npub[128], pkhex[65], err_[512], *json_id = NULL;
	char		*cfg;
	size_t		 idlen = 0;
	int		 created;

	if (init_paths(&p) == -1)
		return (EXIT_FAILED);
	if (!force && access(p.p_identity, F_OK) == 0) {
		warnx("%s already exists; --force replaces it, and the identity "
		    "in it is lost unless you have its recovery phrase",
		    p.p_identity);
		return (EXIT_FAILED);
	}

	if (restore) {
		if (init_read_mnemonic(is) == -1)
			return (EXIT_FAILED);
		if (bip39_normalize(is->is_input, is->is_mnemonic,
		    sizeof(is->is_mnemonic)) == -1 ||
		    bip39_check(is->is_mnemonic, err_, sizeof(err_)) == -1) {
			if (bip39_check(is->is_input, err_, sizeof(err_)) != -1)
				(void)strlcpy(err_, "cannot normalize the "
				    "words", sizeof(err_));
			warnx("invalid recovery phrase: %s", err_);
			return (EXIT_FAILED);
		}
		words = 1;
		for (const char *c = is->is_mnemonic; *c != '\0'; c++)
			words += *c == ' ';
	} else if (bip39_generate(words, is->is_mnemonic,
	    sizeof(is->is_mnemonic)) == -1) {
		warnx("cannot generate a recovery phrase");
		return (EXIT_FAILED);
	}

	if (bip39_seed(is->is_mnemonic, "", is->is_seed) == -1 ||
	    nip06_derive(is->is_seed, 0, is->is_seckey) == -1 ||
	    nostr_pubkey_from_seckey(is->is_seckey, pk) == -1)
		errx(EXIT_FAILED, "key derivation failed");
	if (nip19_encode_npub(pk, npub, sizeof(npub)) == -1)
		errx(EXIT_FAILED, "npub encoding failed");
	hex_encode(pk, sizeof(pk), pkhex);

	if (passphrase_get(passfile, 1, "New passphrase for identity.enc: ",
	    is->is_pass, sizeof(is->is_pass), NULL, 0, err_,
	    sizeof(err_)) == -1) {
		warnx("%s", err_);
		return (EXIT_FAILED);
	}
	/* a first run: ~/.openagents may not exist yet either */
	if ((ctl_config == NULL && mkdir_private(p.p_home) == -1) ||
	    mkdir_private(p.p_dir) == -1) {
		warn("%s", p.p_dir);
		return (EXIT_FAILED);
	}
	if (keystore_seal(is->is_pass, (const uint8_t *)is->is_mnemonic,
	    strlen(is->is_mnemonic), NULL, NULL, NULL, &json_id, &idlen) == -1)
		errx(EXIT_FAILED, "cannot seal the identity");
	if (keystore_write_file(p.p_identity, json_id, idlen, force) == -1) {
		warn("%s", p.p_identity);
		free(json_id);
		return (EXIT_FAILED);
	}
	free(json_id);

	cfg = init_config_text(&p, npub, &created);
	if (keystore_write_file(p.p_config, cfg, strlen(cfg), 1) == -1) {
		warn("%s", p.p_config);
		free(cfg);
		return (EXIT_FAILED);
	}
	free(cfg);

	init_print(&p, npub, pkhex, is->is_mnemonic, restore, words, json,
	    created);
	return (EXIT_DONE);
}

int
cmd_init(int argc, char *argv[])
{
	struct init_secrets	*is;
	const char		*passfile = NULL, *errstr;
	int			 ch, words = 12, restore = 0, force = 0;
	int			 json = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", init_opts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			words = (int)strtonum(optarg, 12, 24, &errstr);
			if (errstr != NULL || (words != 12 && words != 24))
				errx(EXIT_USAGE, "--words: 12 or 24, not %s",
				    optarg);
			break;
		case 'r':
			restore = 1;
			break;
		case 'f':
			force = 1;
			break;
		case 'P':
			passfile = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			init_usage(stdout);
			return (EXIT_DONE);
		default:
			ctl_usage_exit("init");
		}
	}
	if (optind != argc)
		ctl_usage_exit("init");

	if (sodium_init() == -1)
		errx(EXIT_FAILED, "sodium_init");
	if ((is = sodium_malloc(sizeof(*is))) == NULL)
		err(EXIT_FAILED, NULL);
	sodium_memzero(is, sizeof(*is));
	rc = init_run(is, words, restore, force, passfile, json);
	sodium_free(is);		/* wipes the words, seed and key */
	return (rc);
}
