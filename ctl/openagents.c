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
 * openagents: the operator's command.  `openagents provider COMMAND`
 * talks to openagentsd over its control socket for live state; the
 * history commands read the ledger directly.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/readpassphrase.h>
#include <bsd/string.h>

#include "oa_build.h"
#include "ctl.h"
#include "msg.h"

const char	*ctl_config;

static const struct ctl_cmd commands[] = {
	{ "init",	cmd_init,
	  "init [--words 12|24] [--restore] [--force] "
	  "[--passphrase-file FILE] [--json]",
	  "create the provider's identity and config.toml" },
	{ "serve",	cmd_serve,
	  "serve [--foreground] [--codex | --codex-code] "
	  "[--agent command:PATH]\n"
	  "        [--job-types LIST] [--capacity N] [--isolation MODE] "
	  "[--relay URL]...\n"
	  "        [--passphrase-file FILE]",
	  "run the provider (as a daemon unless --foreground)" },
	{ "status",	cmd_status,	"status [--relays] [--json]",
	  "show whether the provider runs, and its processes" },
	{ "reload",	cmd_reload,	"reload",
	  "re-read config.toml; a bad file keeps the running one" },
	{ "stop",	cmd_stop,	"stop",
	  "stop the provider in order" },
	{ "pause",	cmd_pause,	"pause",
	  "take no new jobs (running ones finish); kept across restarts" },
	{ "resume",	cmd_resume,	"resume",
	  "take jobs again (within the schedule, if one is set)" },
	{ "wallet",	cmd_wallet,
	  "wallet connect URI | - [--passphrase-file FILE]\n"
	  "       openagents provider wallet status [--json]",
	  "connect the Lightning wallet (NWC), or show it" },
	{ "earnings",	cmd_earnings,
	  "earnings [--period day|week|month|all] [--json]",
	  "what the jobs of a period earned (from the ledger)" },
	{ "jobs",	cmd_jobs,
	  "jobs [--limit N] [--status S] [--type T] [--json]",
	  "the newest jobs and what became of them (from the ledger)" },
	{ "service",	cmd_service,
	  "service install [--user | --system] [--dry-run] [--force]\n"
	  "        [--run-as USER] [--passphrase-file FILE]",
	  "write a hardened systemd unit for the provider" },
	{ "trajectory",	cmd_trajectory,	"trajectory ID [--json]",
	  "show the trajectory of a job" },
	{ "tunnel",	cmd_tunnel,	"tunnel status [--json]",
	  "say what the [tunnel] configuration means here" },
	{ "logs",	cmd_logs,
	  "logs [--job ID] [--follow] [--lines N] [--json]",
	  "show the daemon's log (works while it is stopped)" },
	{ NULL,		NULL,		NULL,	NULL }
};

static __dead void
usage(int code)
{
	const struct ctl_cmd	*c;
	FILE			*out = code == 0 ? stdout : stderr;

	fprintf(out, "usage: openagents [--config FILE] provider COMMAND "
	    "[options]\n\ncommands:\n");
	for (c = commands; c->cmd_name != NULL; c++)
		fprintf(out, "  %-10s %s\n", c->cmd_name, c->cmd_summary);
	fprintf(out, "\nEvery command takes --help.  Files live in "
	    "$OPENAGENTS_HOME/provider (default ~/.openagents/provider);\n"
	    "--config FILE uses FILE and keeps the other files beside it.  "
	    "See openagents(1).\n");
	exit(code);
}

void
ctl_usage_exit(const char *name)
{
	const struct ctl_cmd	*c;

	for (c = commands; c->cmd_name != NULL; c++)
		if (strcmp(c->cmd_name, name) == 0)
			break;
	if (c->cmd_name != NULL)
		fprintf(stderr, "usage: openagents provider %s\n",
		    c->cmd_usage);
	exit(EXIT_USAGE);
}

int
ctl_paths(struct oa_paths *p)
{
	char	 err[1024], real[PATH_MAX];
	const char *config = ctl_config;

	if (config != NULL) {
		if (realpath(config, real) == NULL) {
			warnx("%s: %s", config, strerror(errno));
			return (-1);
		}
		config = real;
	}
	if (paths_init(p, config, err, sizeof(err)) == -1) {
		warnx("%s", err);
		return (-1);
	}
	return (0);
}

/*
 * Connect to the control socket.  -1 with errno ENOENT or ECONNREFUSED
 * means the daemon is not running; anything else is a real error.
 */
int
ctl_connect(const struct oa_paths *p, struct imsgbuf *ibuf)
{
	struct sockaddr_un	 sun;
	int			 fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, p->p_socket, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		return (-1);
	}
	if (imsgbuf_init(ibuf, fd) == -1 ||
	    imsgbuf_set_maxsize(ibuf, CTL_MAXMSG) == -1) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		return (-1);
	}
	return (0);
}

int
ctl_request(struct imsgbuf *ibuf, uint32_t type, const void *data,
    size_t len)
{
	if (imsg_compose(ibuf, type, 0, 0, -1, data, len) == -1)
		return (-1);
	return (imsgbuf_flush(ibuf));
}

/*
 * A secret the user types or pipes in: without echo on a terminal,
 * else stdin to its end, which must fit in cap - 1 bytes.  what names
 * it in the errors.  0 or -1 (said).
 */
int
ctl_read_secret(const char *prompt, const char *what, char *buf, size_t cap)
{
	size_t	 got = 0;
	ssize_t	 n;

	if (isatty(STDIN_FILENO)) {
		if (readpassphrase(prompt, buf, cap, RPP_REQUIRE_TTY) == NULL) {
			warn("reading the %s", what);
			return (-1);
		}
		return (0);
	}
	while (got < cap - 1) {
		n = read(STDIN_FILENO, buf + got, cap - 1 - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			warn("reading the %s from stdin", what);
			return (-1);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (got == cap - 1) {
		warnx("%s: more than %zu bytes on stdin", what, cap - 1);
		return (-1);
	}
	return (0);
}

int
main(int argc, char *argv[])
{
	const struct ctl_cmd	*c;
	int			 i;

	/* global options before the noun */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 ||
		    strcmp(argv[i], "-c") == 0) {
			if (++i >= argc)
				usage(EXIT_USAGE);
			ctl_config = argv[i];
		} else if (strncmp(argv[i], "--config=", 9) == 0)
			ctl_config = argv[i] + 9;
		else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0)
			usage(0);
		else if (strcmp(argv[i], "--version") == 0) {
			printf("openagents %s\n", OA_VERSION);
			return (0);
		} else
			break;
	}
	if (i >= argc || strcmp(argv[i], "provider") != 0)
		usage(EXIT_USAGE);
	if (++i >= argc)
		usage(EXIT_USAGE);
	if (strcmp(argv[i], "help") == 0 || strcmp(argv[i], "--help") == 0 ||
	    strcmp(argv[i], "-h") == 0)
		usage(0);
	for (c = commands; c->cmd_name != NULL; c++)
		if (strcmp(c->cmd_name, argv[i]) == 0)
			break;
	if (c->cmd_name == NULL) {
		warnx("unknown command '%s'", argv[i]);
		usage(EXIT_USAGE);
	}
	/* the command sees itself as argv[0] */
	return (c->cmd_main(argc - i, argv + i));
}
