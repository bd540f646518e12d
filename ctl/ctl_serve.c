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
 * provider serve: check the flags, then run openagentsd, in the
 * foreground (exec, so signals and the exit status are the daemon's)
 * or as a daemon, in which case we wait until it reports online.
 */

#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "oa_build.h"
#include "ctl.h"

#define SERVE_MAXARGS		(2 * 32 + 32)
#define SERVE_ONLINE_SECS	10

enum {
	OPT_CODEX = 256,
	OPT_CODEX_CODE,
	OPT_AGENT,
	OPT_JOB_TYPES,
	OPT_CAPACITY,
	OPT_ISOLATION,
	OPT_RELAY,
	OPT_CONFIG,
	OPT_SANDBOX_LOG,
	OPT_PASSFILE
};

static const struct option serve_opts[] = {
	{ "foreground",		no_argument,		NULL,	'f' },
	{ "codex",		no_argument,		NULL,	OPT_CODEX },
	{ "codex-code",		no_argument,		NULL,	OPT_CODEX_CODE },
	{ "agent",		required_argument,	NULL,	OPT_AGENT },
	{ "job-types",		required_argument,	NULL,	OPT_JOB_TYPES },
	{ "capacity",		required_argument,	NULL,	OPT_CAPACITY },
	{ "isolation",		required_argument,	NULL,	OPT_ISOLATION },
	{ "relay",		required_argument,	NULL,	OPT_RELAY },
	{ "config",		required_argument,	NULL,	OPT_CONFIG },
	{ "sandbox-log",	no_argument,		NULL,	OPT_SANDBOX_LOG },
	{ "passphrase-file",	required_argument,	NULL,	OPT_PASSFILE },
	{ "verbose",		no_argument,		NULL,	'v' },
	{ "help",		no_argument,		NULL,	'h' },
	{ NULL,			0,			NULL,	0 }
};

/* openagentsd beside us (a build tree), else the installed one */
int
serve_locate(char *buf, size_t len)
{
	char	 self[PATH_MAX], *slash;
	ssize_t	 n;
	int	 r;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) != -1) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			r = snprintf(buf, len, "%s/openagentsd", self);
			if (r > 0 && (size_t)r < len && access(buf, X_OK) == 0)
				return (0);
		}
	}
	r = snprintf(buf, len, "%s/openagentsd", OA_SBINDIR);
	if (r > 0 && (size_t)r < len && access(buf, X_OK) == 0)
		return (0);
	warnx("cannot find openagentsd next to openagents or in %s",
	    OA_SBINDIR);
	return (-1);
}

int
cmd_serve(int argc, char *argv[])
{
	struct oa_paths	 paths;
	char		 daemon_path[PATH_MAX], config_abs[PATH_MAX];
	char		 passfile_abs[PATH_MAX];
	char		*dargv[SERVE_MAXARGS];
	const char	*agent = NULL;
	int		 ch, dargc = 0, foreground = 0, status, pid_online;
	pid_t		 pid;

	if (serve_locate(daemon_path, sizeof(daemon_path)) == -1)
		return (EXIT_FAILED);
	dargv[dargc++] = daemon_path;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "fhv", serve_opts, NULL)) != -1) {
		if (dargc >= SERVE_MAXARGS - 4)
			errx(EXIT_USAGE, "too many options");
		switch (ch) {
		case 'f':
			foreground = 1;
			break;
		case 'v':
			dargv[dargc++] = "-v";
			break;
		case OPT_CODEX:
		case OPT_CODEX_CODE:
			if (agent != NULL && strcmp(agent, "codex") != 0)
				errx(EXIT_USAGE, "choose one agent");
			agent = "codex";
			break;
		case OPT_AGENT:
			if (agent != NULL)
				errx(EXIT_USAGE, "choose one agent");
			agent = optarg;
			break;
		case OPT_JOB_TYPES:
			dargv[dargc++] = "--job-types";
			dargv[dargc++] = optarg;
			break;
		case OPT_CAPACITY:
			dargv[dargc++] = "--capacity";
			dargv[dargc++] = optarg;
			break;
		case OPT_ISOLATION:
			dargv[dargc++] = "--isolation";
			dargv[dargc++] = optarg;
			break;
		case OPT_RELAY:
			dargv[dargc++] = "--relay";
			dargv[dargc++] = optarg;
			break;
		case OPT_CONFIG:
			ctl_config = optarg;
			break;
		case OPT_PASSFILE:
			/* absolute: the daemon leaves the working directory */
			if (realpath(optarg, passfile_abs) == NULL)
				err(EXIT_FAILED, "--passphrase-file %s", optarg);
			dargv[dargc++] = "--passphrase-file";
			dargv[dargc++] = passfile_abs;
			break;
		case OPT_SANDBOX_LOG:
			dargv[dargc++] = "-S";
			dargv[dargc++] = "log";
			break;
		case 'h':
			printf("usage: openagents provider serve [--foreground] "
			    "[--codex | --codex-code]\n"
			    "         [--agent command:PATH] [--job-types LIST] "
			    "[--capacity N]\n"
			    "         [--isolation MODE] [--relay URL]... "
			    "[--config FILE] [--verbose]\n"
			    "         [--passphrase-file FILE] [--sandbox-log]\n");
			return (EXIT_DONE);
		default:
			ctl_usage_exit("serve");
		}
	}
	if (optind != argc)
		ctl_usage_exit("serve");
	if (agent != NULL) {
		dargv[dargc++] = "--agent";
		dargv[dargc++] = (char *)(uintptr_t)agent;
	}
	if (ctl_config != NULL) {
		if (realpath(ctl_config, config_abs) == NULL)
			err(EXIT_FAILED, "%s", ctl_config);
		dargv[dargc++] = "-c";
		dargv[dargc++] = config_abs;
	}
	if (foreground)
		dargv[dargc++] = "-d";
	dargv[dargc] = NULL;

	if (foreground) {
		execv(daemon_path, dargv);
		err(EXIT_FAILED, "exec %s", daemon_path);
	}

	if (ctl_paths(&paths) == -1)
		return (EXIT_FAILED);
	/* openagentsd checks the config, forks the daemon and exits */
	switch (pid = fork()) {
	case -1:
		err(EXIT_FAILED, "fork");
	case 0:
		execv(daemon_path, dargv);
		warn("exec %s", daemon_path);
		_exit(EXIT_FAILED);
	default:
		break;
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			err(EXIT_FAILED, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return (EXIT_FAILED);
	if (ctl_wait_online(&paths, SERVE_ONLINE_SECS, &pid_online) == -1) {
		warnx("openagentsd did not report online within %d seconds; "
		    "see the system log and 'openagents provider status'",
		    SERVE_ONLINE_SECS);
		return (EXIT_FAILED);
	}
	printf("provider online (openagentsd pid %d)\n", pid_online);
	return (EXIT_DONE);
}
