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

/* The options of a file-reading report: --json, --config, --help. */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"

static const struct option report_opts[] = {
	{ "json",	no_argument,		NULL,	'j' },
	{ "config",	required_argument,	NULL,	'c' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

/*
 * The index of the first operand, after exactly nargs of them; or -1
 * with *code the status to exit with (--help, a usage error).
 */
int
ctl_report_args(int argc, char *argv[], const char *usage, int nargs,
    int *json, int *code)
{
	int	 ch;

	*json = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "hj", report_opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			*json = 1;
			break;
		case 'c':
			ctl_config = optarg;
			break;
		case 'h':
			printf("usage: openagents provider %s\n", usage);
			*code = EXIT_DONE;
			return (-1);
		default:
			goto bad;
		}
	}
	if (argc - optind == nargs)
		return (optind);
 bad:
	fprintf(stderr, "usage: openagents provider %s\n", usage);
	*code = EXIT_USAGE;
	return (-1);
}
