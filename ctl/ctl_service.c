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
 * provider service install: a hardened systemd unit that runs
 * openagentsd in the foreground (its log on stderr, so on the journal)
 * with the passphrase as a systemd credential.  systemctl is left to
 * the operator: installing a unit should not also start a daemon.
 *
 * Every path goes into the unit verbatim, so a path that systemd would
 * split, expand (%, $) or unquote is refused rather than escaped.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "oa_build.h"
#include "ctl.h"
#include "keystore.h"
#include "passphrase.h"

#define SVC_UNIT_NAME	"openagents-provider.service"
#define SVC_SYSTEM_DIR	"/etc/systemd/system"
#define SVC_UNIT_MAX	8192
#define SVC_DEFAULT_RUNAS "openagents"

enum {
	OPT_USER = 256,
	OPT_SYSTEM,
	OPT_DRY_RUN,
	OPT_FORCE,
	OPT_RUN_AS,
	OPT_PASSFILE,
	OPT_CONFIG
};

static const struct option service_opts[] = {
	{ "user",		no_argument,		NULL,	OPT_USER },
	{ "system",		no_argument,		NULL,	OPT_SYSTEM },
	{ "dry-run",		no_argument,		NULL,	OPT_DRY_RUN },
	{ "force",		no_argument,		NULL,	OPT_FORCE },
	{ "run-as",		required_argument,	NULL,	OPT_RUN_AS },
	{ "passphrase-file",	required_argument,	NULL,	OPT_PASSFILE },
	{ "config",		required_argument,	NULL,	OPT_CONFIG },
	{ "help",		no_argument,		NULL,	'h' },
	{ NULL,			0,			NULL,	0 }
};

struct svc_unit {
	char	 su_text[SVC_UNIT_MAX];
	size_t	 su_len;
	int	 su_overflow;
};

struct svc_args {
	int		 sa_system;
	int		 sa_dry_run;
	int		 sa_force;
	const char	*sa_run_as;
	char		 sa_daemon[PATH_MAX];
	char		 sa_home[PATH_MAX];
	char		 sa_dir[PATH_MAX];
	char		 sa_config[PATH_MAX];	/* "" without --config */
	char		 sa_passfile[PATH_MAX];	/* "" in a dry run without */
	char		 sa_unit_dir[PATH_MAX];
	char		 sa_unit_path[PATH_MAX];
};

static void
service_usage(FILE *out)
{
	fprintf(out, "usage: openagents provider service install "
	    "[--user | --system] [--dry-run] [--force]\n"
	    "         [--run-as USER] [--passphrase-file FILE] "
	    "[--config FILE]\n");
}

static void	 unit_add(struct svc_unit *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

static void
unit_add(struct svc_unit *u, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (u->su_overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(u->su_text + u->su_len, sizeof(u->su_text) - u->su_len,
	    fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(u->su_text) - u->su_len)
		u->su_overflow = 1;
	else
		u->su_len += (size_t)n;
}

/* What may stand in a unit file without quoting or specifier expansion. */
static int
unit_word_ok(const char *what, const char *s)
{
	if (*s == '\0' || s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789/._+-@:,")] != '\0') {
		warnx("%s '%s' has characters a unit file would need quoted "
		    "(allowed: letters, digits and / . _ + - @ : ,)", what, s);
		return (-1);
	}
	return (0);
}

/* An absolute form of a path that may not exist yet. */
static int
abs_path(const char *in, char *out, size_t outlen)
{
	char	 cwd[PATH_MAX];
	int	 n;

	if (realpath(in, out) != NULL)
		return (0);
	if (in[0] == '/') {
		n = snprintf(out, outlen, "%s", in);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			warn("getcwd");
			return (-1);
		}
		n = snprintf(out, outlen, "%s/%s", cwd, in);
	}
	if (n < 0 || (size_t)n >= outlen) {
		warnx("%s: path too long", in);
		return (-1);
	}
	return (0);
}

/* mkdir -p, 0755: the systemd folders are not the provider's secrets. */
static int
mkdirs(const char *path)
{
	char	 buf[PATH_MAX], *p;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (*p == '\0') {
			if (mkdir(buf, 0755) == -1 && errno != EEXIST)
				return (-1);
			return (0);
		}
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return (-1);
		*p = '/';
	}
}

static int
user_unit_dir(char *out, size_t outlen)
{
	const char	*xdg, *home;
	struct passwd	*pw;
	int		 n;

	if ((xdg = getenv("XDG_CONFIG_HOME")) != NULL && xdg[0] == '/')
		n = snprintf(out, outlen, "%s/systemd/user", xdg);
	else {
		if ((home = getenv("HOME")) == NULL || home[0] != '/') {
			if ((pw = getpwuid(getuid())) == NULL) {
				warnx("cannot find the home directory "
				    "(set HOME)");
				return (-1);
			}
			home = pw->pw_dir;
		}
		n = snprintf(out, outlen, "%s/.config/systemd/user", home);
	}
	if (n < 0 || (size_t)n >= outlen) {
		warnx("the systemd user folder's path is too long");
		return (-1);
	}
	return (0);
}

/* Exists, is a regular file, only its owner may read it; out: PATH_MAX */
static int
passfile_check(const char *in, char *out)
{
	struct stat	 st;

	if (realpath(in, out) == NULL || stat(out, &st) == -1) {
		warn("--passphrase-file %s", in);
		return (-1);
	}
	if (!S_ISREG(st.st_mode)) {
		warnx("--passphrase-file %s: not a regular file", in);
		return (-1);
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		warnx("--passphrase-file %s: mode %04o, must be 0600 "
		    "(chmod 600 %s)", in, (unsigned int)(st.st_mode & 07777),
		    in);
		return (-1);
	}
	return (0);
}

static void
unit_build(struct svc_unit *u, const struct svc_args *sa)
{
	unit_add(u, "# %s: the OpenAgents Bazaar provider as a %s service.\n"
	    "# Written by `openagents provider service install%s` "
	    "(openagents %s);\n"
	    "# see openagents(1), and contrib/openagents-provider.service "
	    "in the sources\n# for the reasons.\n\n", SVC_UNIT_NAME,
	    sa->sa_system ? "system" : "user",
	    sa->sa_system ? " --system" : "", OA_VERSION);
	unit_add(u, "[Unit]\nDescription=OpenAgents Bazaar provider\n"
	    "Documentation=man:openagents(1) man:openagentsd(8)\n");
	/* a user manager has no network targets of its own */
	if (sa->sa_system)
		unit_add(u, "Wants=network-online.target\n"
		    "After=network-online.target\n");

	unit_add(u, "\n[Service]\n"
	    "# -d: in the foreground, logging to stderr, which is the "
	    "journal\nType=simple\n");
	if (sa->sa_system)
		unit_add(u, "User=%s\n", sa->sa_run_as);
	unit_add(u, "Environment=OPENAGENTS_HOME=%s\n", sa->sa_home);
	unit_add(u, "ExecStart=%s -d%s%s\n", sa->sa_daemon,
	    sa->sa_config[0] != '\0' ? " -c " : "", sa->sa_config);
	unit_add(u, "# SIGHUP re-reads config.toml, like `openagents "
	    "provider reload`\nExecReload=/bin/kill -HUP $MAINPID\n"
	    "Restart=always\nRestartSec=10\n");
	unit_add(u, "# openagentsd reads $CREDENTIALS_DIRECTORY/"
	    PASSPHRASE_CREDENTIAL "\n");
	if (sa->sa_passfile[0] != '\0')
		unit_add(u, "LoadCredential=" PASSPHRASE_CREDENTIAL ":%s\n",
		    sa->sa_passfile);
	else
		unit_add(u, "# (dry run without --passphrase-file: put the "
		    "passphrase there, mode 0600)\n"
		    "LoadCredential=" PASSPHRASE_CREDENTIAL ":%s/passphrase\n",
		    sa->sa_dir);
	unit_add(u, "UMask=0077\n");

	unit_add(u, "\n# Hardening.\nNoNewPrivileges=yes\n"
	    "# no capability is needed: sandboxes get theirs inside their "
	    "own user namespace\nCapabilityBoundingSet=\n"
	    "ProtectSystem=strict\nProtectHome=read-only\n"
	    "# the provider folder is the one place openagentsd writes\n"
	    "ReadWritePaths=%s\nPrivateTmp=yes\n", sa->sa_dir);
	unit_add(u, "# AF_NETLINK: the filter is inherited by the jobs, whose "
	    "test runners list\n# interfaces (getifaddrs) in their own "
	    "network namespace\n"
	    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK\n"
	    "# the namespaces of a container sandbox (workerd/ct_build.c)\n"
	    "RestrictNamespaces=user mnt pid net ipc uts\n"
	    "SystemCallArchitectures=native\nLockPersonality=yes\n"
	    "ProtectKernelModules=yes\n");
	unit_add(u, "# off: their masks over /proc make the kernel refuse the "
	    "sandbox's own /proc\n# mount; the sandbox makes its /proc/sys "
	    "read-only itself (workerd/ct_root.c)\n"
	    "ProtectKernelTunables=no\nProtectKernelLogs=no\n"
	    "# off: workerd puts each sandbox in a cgroup of its own for "
	    "the memory, pids\n# and cpu limits (workerd/ct_cgroup.c)\n"
	    "ProtectControlGroups=no\nDelegate=yes\n");

	unit_add(u, "\n[Install]\nWantedBy=%s\n",
	    sa->sa_system ? "multi-user.target" : "default.target");
}

/* --system: the user to run as, who must exist unless this is a dry run */
static int
args_system(struct svc_args *sa, struct passwd **pwp)
{
	*pwp = NULL;
	if (unit_word_ok("--run-as", sa->sa_run_as) == -1)
		return (-2);
	if ((*pwp = getpwnam(sa->sa_run_as)) == NULL) {
		if (!sa->sa_dry_run) {
			warnx("no user '%s': create it (useradd --system %s) "
			    "or give --run-as", sa->sa_run_as, sa->sa_run_as);
			return (-1);
		}
		warnx("note: no user '%s' on this host", sa->sa_run_as);
	}
	if (!sa->sa_dry_run && geteuid() != 0) {
		warnx("--system writes to " SVC_SYSTEM_DIR ": run it as root");
		return (-1);
	}
	return (0);
}

/*
 * The folders the unit names.  A system service's files are its user's:
 * without OPENAGENTS_HOME or --config that user's home holds provider/,
 * not the home of whoever runs this command.
 */
static int
args_paths(struct svc_args *sa, const struct passwd *pw)
{
	struct oa_paths	 p;
	struct stat	 st;
	const char	*env;

	if (ctl_paths(&p) == -1)
		return (-1);
	env = getenv("OPENAGENTS_HOME");
	if (pw != NULL && ctl_config == NULL && (env == NULL || *env == '\0')) {
		if (strlcpy(sa->sa_home, pw->pw_dir, sizeof(sa->sa_home)) >=
		    sizeof(sa->sa_home) || path_join(sa->sa_dir,
		    sizeof(sa->sa_dir), sa->sa_home, "provider") == -1) {
			warnx("%s: path too long", pw->pw_dir);
			return (-1);
		}
	} else if (abs_path(p.p_home, sa->sa_home, sizeof(sa->sa_home)) == -1 ||
	    abs_path(p.p_dir, sa->sa_dir, sizeof(sa->sa_dir)) == -1)
		return (-1);
	sa->sa_config[0] = '\0';
	if (ctl_config != NULL && abs_path(p.p_config, sa->sa_config,
	    sizeof(sa->sa_config)) == -1)
		return (-1);
	/* systemd refuses to start a unit whose ReadWritePaths= is missing */
	if (stat(sa->sa_dir, &st) == -1)
		warnx("note: %s does not exist yet: run `openagents provider "
		    "init`%s%s first", sa->sa_dir, pw != NULL ? " as " : "",
		    pw != NULL ? pw->pw_name : "");
	else if (pw != NULL && st.st_uid != pw->pw_uid)
		warnx("note: %s belongs to uid %u, not to %s, who could not "
		    "write there", sa->sa_dir, (unsigned int)st.st_uid,
		    pw->pw_name);
	/* PrivateTmp=yes gives the service a /tmp of its own */
	if (strncmp(sa->sa_dir, "/tmp/", 5) == 0 ||
	    strncmp(sa->sa_dir, "/var/tmp/", 9) == 0)
		warnx("note: %s is under a temporary folder, which "
		    "PrivateTmp=yes hides from the service", sa->sa_dir);
	return (0);
}

static int
args_resolve(struct svc_args *sa, const char *passfile)
{
	struct passwd	*pw = NULL;
	int		 r;

	if (serve_locate(sa->sa_daemon, sizeof(sa->sa_daemon)) == -1)
		return (-1);
	if (realpath(sa->sa_daemon, sa->sa_dir) == NULL) {
		warn("%s", sa->sa_daemon);
		return (-1);
	}
	(void)strlcpy(sa->sa_daemon, sa->sa_dir, sizeof(sa->sa_daemon));
	if (sa->sa_system && (r = args_system(sa, &pw)) != 0)
		return (r);
	if (args_paths(sa, pw) == -1)
		return (-1);
	sa->sa_passfile[0] = '\0';
	if (passfile != NULL) {
		if (passfile_check(passfile, sa->sa_passfile) == -1)
			return (-1);
	} else if (!sa->sa_dry_run) {
		warnx("--passphrase-file FILE is required: the service has "
		    "no terminal to ask on");
		return (-2);
	}
	if (unit_word_ok("openagentsd path", sa->sa_daemon) == -1 ||
	    unit_word_ok("OPENAGENTS_HOME", sa->sa_home) == -1 ||
	    unit_word_ok("provider folder", sa->sa_dir) == -1 ||
	    (sa->sa_config[0] != '\0' &&
	    unit_word_ok("--config", sa->sa_config) == -1) ||
	    (sa->sa_passfile[0] != '\0' &&
	    unit_word_ok("--passphrase-file", sa->sa_passfile) == -1))
		return (-1);

	if (sa->sa_system)
		(void)strlcpy(sa->sa_unit_dir, SVC_SYSTEM_DIR,
		    sizeof(sa->sa_unit_dir));
	else if (user_unit_dir(sa->sa_unit_dir,
	    sizeof(sa->sa_unit_dir)) == -1)
		return (-1);
	if (path_join(sa->sa_unit_path, sizeof(sa->sa_unit_path),
	    sa->sa_unit_dir, SVC_UNIT_NAME) == -1) {
		warnx("%s: path too long", sa->sa_unit_dir);
		return (-1);
	}
	return (0);
}

/* 1: the same text is installed, 0: nothing there, 2: a different one. */
static int
unit_existing(const char *path, const struct svc_unit *u)
{
	char	*old;
	size_t	 len;
	int	 fd, r, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno == ENOENT)
			return (0);
		warn("%s", path);
		return (-1);
	}
	r = keystore_read_fd(fd, &old, &len, SVC_UNIT_MAX * 4);
	saved = errno;
	(void)close(fd);
	if (r == -1) {
		errno = saved;
		warn("%s", path);
		return (-1);
	}
	r = (len == u->su_len && memcmp(old, u->su_text, len) == 0) ? 1 : 2;
	free(old);
	return (r);
}

static void
service_next_steps(const struct svc_args *sa)
{
	const char	*s = sa->sa_system ? "" : " --user";

	printf("then:\n  systemctl%s daemon-reload && systemctl%s enable "
	    "--now openagents-provider\n", s, s);
	if (!sa->sa_system)
		printf("  loginctl enable-linger   # to run without a login "
		    "session\n");
	printf("logs: journalctl%s -u openagents-provider\n",
	    sa->sa_system ? "" : " --user");
}

static int
service_install(struct svc_args *sa, const struct svc_unit *u)
{
	int	 r;

	if ((r = unit_existing(sa->sa_unit_path, u)) == -1)
		return (EXIT_FAILED);
	if (r == 1) {
		printf("%s is already installed, unchanged\n",
		    sa->sa_unit_path);
		service_next_steps(sa);
		return (EXIT_DONE);
	}
	if (r == 2 && !sa->sa_force) {
		warnx("%s exists and differs; --force replaces it (see it "
		    "with --dry-run)", sa->sa_unit_path);
		return (EXIT_FAILED);
	}
	if (mkdirs(sa->sa_unit_dir) == -1) {
		warn("%s", sa->sa_unit_dir);
		return (EXIT_FAILED);
	}
	/* temp file and rename; 0644 after, as units are, it holds no secret */
	if (keystore_write_file(sa->sa_unit_path, u->su_text, u->su_len,
	    1) == -1 || chmod(sa->sa_unit_path, 0644) == -1) {
		warn("%s", sa->sa_unit_path);
		return (EXIT_FAILED);
	}
	printf("%s %s\n", r == 2 ? "replaced" : "wrote", sa->sa_unit_path);
	service_next_steps(sa);
	return (EXIT_DONE);
}

int
cmd_service(int argc, char *argv[])
{
	struct svc_args	 sa;
	struct svc_unit	 u;
	const char	*passfile = NULL;
	int		 ch, user = 0, r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_run_as = SVC_DEFAULT_RUNAS;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", service_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_USER:
			user = 1;
			break;
		case OPT_SYSTEM:
			sa.sa_system = 1;
			break;
		case OPT_DRY_RUN:
			sa.sa_dry_run = 1;
			break;
		case OPT_FORCE:
			sa.sa_force = 1;
			break;
		case OPT_RUN_AS:
			sa.sa_run_as = optarg;
			break;
		case OPT_PASSFILE:
			passfile = optarg;
			break;
		case OPT_CONFIG:
			ctl_config = optarg;
			break;
		case 'h':
			service_usage(stdout);
			return (EXIT_DONE);
		default:
			service_usage(stderr);
			return (EXIT_USAGE);
		}
	}
	if (argc - optind != 1 || strcmp(argv[optind], "install") != 0 ||
	    (user && sa.sa_system)) {
		service_usage(stderr);
		return (EXIT_USAGE);
	}
	if (!sa.sa_system && sa.sa_run_as != NULL &&
	    strcmp(sa.sa_run_as, SVC_DEFAULT_RUNAS) != 0) {
		warnx("--run-as is for --system; a user service runs as you");
		return (EXIT_USAGE);
	}
	if ((r = args_resolve(&sa, passfile)) != 0)
		return (r == -2 ? EXIT_USAGE : EXIT_FAILED);

	memset(&u, 0, sizeof(u));
	unit_build(&u, &sa);
	if (u.su_overflow) {
		warnx("the unit is longer than %d bytes", SVC_UNIT_MAX);
		return (EXIT_FAILED);
	}
	if (sa.sa_dry_run) {
		printf("# dry run: would be written to %s\n%s",
		    sa.sa_unit_path, u.su_text);
		return (EXIT_DONE);
	}
	return (service_install(&sa, &u));
}
