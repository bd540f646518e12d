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
 * openagentsd: the parent of the suite.  It reads the configuration,
 * spawns and supervises the helpers, and serves the control socket.
 * It parses nothing from the network and holds no secret.
 */

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <event2/event.h>

#include "oa_build.h"
#include "config.h"
#include "log.h"
#include "msg.h"
#include "supervisor.h"
#include "sv_alert.h"
#include "sv_announce.h"
#include "sv_log.h"
#include "sv_pay.h"

#define STOP_PHASE1_SECS	3	/* relayd, workerd, verifyd */
#define STOP_PHASE2_SECS	1	/* walletd */
#define SV_ONLINE_WAIT_SECS	30	/* serve waits this long for online */

static __dead void	 usage(void);
static int		 apply_overrides(struct conf *, const struct overrides *,
			    char *, size_t);
static void		 sv_signal(int, short, void *);
static void		 sv_stop_timeout(int, short, void *);
static int		 sv_lock(struct supervisor *, char *, size_t);

static struct supervisor	 sv;

static __dead void
usage(void)
{
	fprintf(stderr,
	    "usage: openagentsd [-dnv] [-c file] [-S enforce|log] "
	    "[--capacity N]\n"
	    "                   [--job-types LIST] [--isolation MODE] "
	    "[--relay URL]...\n"
	    "                   [--agent codex|claude|command:PATH] "
	    "[--passphrase-file F]\n");
	exit(2);
}

/*
 * The serve flags win over the file.  They are checked with the same
 * rules as the file, and re-applied after every reload.
 */
static int
apply_overrides(struct conf *c, const struct overrides *o, char *err,
    size_t errlen)
{
	char		 buf[CONF_URL], *p, *tok;
	unsigned int	 types = 0;
	size_t		 i;
	int		 t;

	if (o->o_capacity != 0)
		c->c_capacity = o->o_capacity;
	if (o->o_job_types[0] != '\0') {
		(void)strlcpy(buf, o->o_job_types, sizeof(buf));
		p = buf;
		while ((tok = strsep(&p, ",")) != NULL) {
			while (*tok == ' ')
				tok++;
			if (*tok == '\0')
				continue;
			if ((t = config_job_type_lookup(tok)) == -1) {
				(void)snprintf(err, errlen, "--job-types: "
				    "unknown job type '%s' (PatchGen, "
				    "CodeReview, RepoIndex, SandboxRun, "
				    "TextGen)", tok);
				return (-1);
			}
			types |= 1U << t;
		}
		if (types == 0) {
			(void)snprintf(err, errlen, "--job-types: empty list");
			return (-1);
		}
		c->c_job_types = types;
	}
	if (o->o_isolation[0] != '\0') {
		for (t = ISOLATION_LOCAL; t <= ISOLATION_FIRECRACKER; t++)
			if (strcmp(o->o_isolation, config_isolation_name(t)) ==
			    0)
				break;
		if (t > ISOLATION_FIRECRACKER) {
			(void)snprintf(err, errlen, "--isolation: unknown "
			    "mode '%s' (local, container, gvisor, "
			    "firecracker)", o->o_isolation);
			return (-1);
		}
		c->c_isolation = t;
	}
	if (o->o_agent[0] != '\0') {
		if (strcmp(o->o_agent, "codex") == 0)
			c->c_agent = AGENT_CODEX;
		else if (strcmp(o->o_agent, "claude") == 0)
			c->c_agent = AGENT_CLAUDE;
		else if (strncmp(o->o_agent, "command:", 8) == 0 &&
		    o->o_agent[8] == '/') {
			c->c_agent = AGENT_COMMAND;
			(void)strlcpy(c->c_agent_command, o->o_agent + 8,
			    sizeof(c->c_agent_command));
		} else {
			(void)snprintf(err, errlen, "--agent: '%s' is not "
			    "codex, claude or command:/absolute/path",
			    o->o_agent);
			return (-1);
		}
	}
	if (o->o_relays.n > 0) {
		for (i = 0; i < o->o_relays.n; i++)
			if (strncmp(o->o_relays.v[i], "ws://", 5) != 0 &&
			    strncmp(o->o_relays.v[i], "wss://", 6) != 0) {
				(void)snprintf(err, errlen, "--relay: '%s' is "
				    "not a ws:// or wss:// URL",
				    o->o_relays.v[i]);
				return (-1);
			}
		c->c_relays = o->o_relays;
	}
	return (0);
}

int
supervisor_reload(struct supervisor *s, char *err, size_t errlen)
{
	struct conf	*nc;

	if ((nc = calloc(1, sizeof(*nc))) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		goto fail;
	}
	config_defaults(nc);
	if (config_load(nc, s->sv_paths.p_config, err, errlen) == -1 ||
	    apply_overrides(nc, &s->sv_over, err, errlen) == -1) {
		free(nc);
		goto fail;
	}
	s->sv_conf = *nc;
	free(nc);
	s->sv_reloads++;
	s->sv_reload_error[0] = '\0';
	log_info("configuration reloaded from %s", s->sv_paths.p_config);
	sv_relay_sync(s, 1);	/* relayd keeps the relays that stay */
	sv_proxy_sync(s);
	(void)sv_tier(s, 1);
	sv_announce_update(s);
	return (0);
 fail:
	s->sv_reload_failures++;
	(void)strlcpy(s->sv_reload_error, err, sizeof(s->sv_reload_error));
	log_warnx("%s; keeping the running configuration", err);
	return (-1);
}

int
supervisor_online(const struct supervisor *s)
{
	int	 i;

	if (s->sv_stopping)
		return (0);
	for (i = PROC_RELAYD; i < PROC_MAX; i++)
		if (!s->sv_helpers[i].h_ready)
			return (0);
	return (s->sv_unlocked);
}

/*
 * provider pause | resume: no new jobs are taken (running ones finish)
 * and the announcement says so.  The state is a file beside the
 * config, so that a restart keeps it.  err gets the operator's message.
 */
int
supervisor_pause(struct supervisor *s, int pause, char *err, size_t errlen)
{
	char	 path[OA_PATH_MAX];
	int	 fd;

	if (path_join(path, sizeof(path), s->sv_paths.p_dir, "paused") == -1) {
		(void)snprintf(err, errlen, "path too long");
		return (-1);
	}
	if (pause) {
		if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0600)) == -1) {
			(void)snprintf(err, errlen, "%s: %s", path,
			    strerror(errno));
			return (-1);
		}
		(void)close(fd);
	} else if (unlink(path) == -1 && errno != ENOENT) {
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (s->sv_paused != pause)
		log_info("%s by the operator", pause ? "paused: no new jobs" :
		    "resumed: taking jobs");
	s->sv_paused = pause;
	(void)snprintf(err, errlen, "%s", pause ? "paused: no new jobs are "
	    "taken; running jobs finish" : s->sv_conf.c_schedule ==
	    SCHEDULE_SCHEDULE ? "resumed: taking jobs within the schedule" :
	    "resumed: taking jobs");
	sv_announce_update(s);
	return (0);
}

/* Tell whoever started us how the start went, once. */
static void
sv_ready_notify(struct supervisor *s, const char *failure)
{
	char	 line[600];
	int	 n;

	if (s->sv_ready_fd == -1 || s->sv_ready_sent)
		return;
	if (failure == NULL)
		n = snprintf(line, sizeof(line), "OK\n");
	else
		n = snprintf(line, sizeof(line), "%s\n", failure);
	if (n > 0 && write(s->sv_ready_fd, line,
	    (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) == -1)
		log_warn("%s: write", __func__);
	s->sv_ready_sent = 1;
	/*
	 * A failure keeps the pipe open until this process is gone: the
	 * command that started us returns only then, when the lock is
	 * free and a new start can succeed.
	 */
	if (failure != NULL)
		return;
	(void)close(s->sv_ready_fd);
	s->sv_ready_fd = -1;
}

void
supervisor_check_online(struct supervisor *s)
{
	if (!supervisor_online(s))
		return;
	jobs_helper_ready(s, -1);
	if (s->sv_online_logged)
		return;
	log_info("all helpers ready: provider online");
	s->sv_online_logged = 1;
	sv_ready_notify(s, NULL);
	sv_announce_update(s);
}

/* The suite cannot come up: say why where the operator looks, and stop. */
void
supervisor_startup_failed(struct supervisor *s, const char *why)
{
	log_warnx("%s", why);
	sv_ready_notify(s, why);
	supervisor_stop(s, 1);
}

/*
 * Into the background, but the command that started us waits until the
 * suite is online or has failed, and prints the reason: a wrong
 * passphrase must not look like a successful start.
 */
static void
sv_daemonize(struct supervisor *s)
{
	struct pollfd	 pfd;
	char		 buf[600];
	ssize_t		 n;
	size_t		 got = 0;
	int		 p[2], fd;

	if (pipe2(p, O_CLOEXEC) == -1)
		err(1, "pipe2");
	switch (fork()) {
	case -1:
		err(1, "fork");
	case 0:
		break;
	default:
		(void)close(p[1]);
		while (got < sizeof(buf) - 1) {
			pfd.fd = p[0];
			pfd.events = POLLIN;
			if ((n = poll(&pfd, 1, SV_ONLINE_WAIT_SECS * 1000)) == 0) {
				fprintf(stderr, "openagentsd: not online after "
				    "%d seconds; still starting in the "
				    "background\n", SV_ONLINE_WAIT_SECS);
				_exit(1);
			}
			if (n == -1 && errno == EINTR)
				continue;
			n = read(p[0], buf + got, sizeof(buf) - 1 - got);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		buf[got] = '\0';
		if (strcmp(buf, "OK\n") == 0)
			_exit(0);
		if (got == 0)
			fprintf(stderr, "openagentsd: exited before coming "
			    "online; see the system log\n");
		else
			fprintf(stderr, "openagentsd: %s", buf);
		_exit(1);
	}
	(void)close(p[0]);
	s->sv_ready_fd = p[1];
	if (setsid() == -1)
		err(1, "setsid");
	if (chdir("/") == -1)
		err(1, "chdir /");
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		err(1, "/dev/null");
	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1)
		err(1, "dup2");
	if (fd > STDERR_FILENO)
		(void)close(fd);
}

/*
 * Ordered stop: the helpers that do the work first, the key holder
 * last, each phase bounded so the whole stop takes under five seconds.
 * Called again on every death while stopping, to move on.
 */
void
supervisor_stop(struct supervisor *s, int code)
{
	struct timeval	 tv;

	if (!s->sv_stopping) {
		s->sv_stopping = 1;
		s->sv_exit_code = code;
		s->sv_stop_phase = 0;
		if ((s->sv_stop_ev = evtimer_new(s->sv_base, sv_stop_timeout,
		    s)) == NULL)
			fatalx("%s: evtimer_new", __func__);
		control_cleanup(s);
		/* buyers should not pick a provider that is gone */
		if (sv_announce_withdraw(s))
			return;
	} else if (code != 0)
		s->sv_exit_code = code;

	if (s->sv_stop_phase == 0) {
		s->sv_stop_phase = 1;
		helpers_stop_phase(s, 1);
		tv.tv_sec = STOP_PHASE1_SECS;
		tv.tv_usec = 0;
		if (evtimer_add(s->sv_stop_ev, &tv) == -1)
			fatalx("%s: evtimer_add", __func__);
	}
	if (s->sv_stop_phase == 1 && helpers_alive(s, 1) == 0) {
		s->sv_stop_phase = 2;
		helpers_stop_phase(s, 2);
		tv.tv_sec = STOP_PHASE2_SECS;
		tv.tv_usec = 0;
		if (evtimer_add(s->sv_stop_ev, &tv) == -1)
			fatalx("%s: evtimer_add", __func__);
	}
	if (s->sv_stop_phase == 2 && helpers_alive(s, 2) == 0) {
		s->sv_stop_phase = 3;
		(void)evtimer_del(s->sv_stop_ev);
		(void)event_base_loopexit(s->sv_base, NULL);
	}
}

static void
sv_stop_timeout(int fd, short event, void *arg)
{
	struct supervisor	*s = arg;

	(void)fd;
	(void)event;
	/* the reaper calls supervisor_stop() again once they are gone */
	helpers_kill_phase(s, s->sv_stop_phase);
}

static void
sv_signal(int sig, short event, void *arg)
{
	struct supervisor	*s = arg;
	char			 err[1024];

	(void)event;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		if (!s->sv_stopping)
			log_info("received %s, stopping",
			    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		supervisor_stop(s, s->sv_exit_code);
		break;
	case SIGHUP:
		if (!s->sv_stopping)
			(void)supervisor_reload(s, err, sizeof(err));
		break;
	case SIGCHLD:
		helpers_reap(s);
		break;
	default:
		fatalx("unexpected signal %d", sig);
	}
}

/* One daemon per state directory: the lock outlives a stale socket. */
static int
sv_lock(struct supervisor *s, char *err, size_t errlen)
{
	int	 fd;

	if ((fd = open(s->sv_paths.p_lock, O_RDWR | O_CREAT | O_CLOEXEC,
	    0600)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", s->sv_paths.p_lock,
		    strerror(errno));
		return (-1);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			(void)snprintf(err, errlen, "openagentsd is already "
			    "running for %s", s->sv_paths.p_dir);
		else
			(void)snprintf(err, errlen, "%s: %s",
			    s->sv_paths.p_lock, strerror(errno));
		(void)close(fd);
		return (-1);
	}
	s->sv_lock_fd = fd;
	return (0);
}

static const struct option longopts[] = {
	{ "capacity",	required_argument,	NULL,	'C' },
	{ "job-types",	required_argument,	NULL,	'T' },
	{ "isolation",	required_argument,	NULL,	'I' },
	{ "relay",	required_argument,	NULL,	'R' },
	{ "agent",	required_argument,	NULL,	'A' },
	{ "config",	required_argument,	NULL,	'c' },
	{ "foreground",	no_argument,		NULL,	'd' },
	{ "passphrase-file", required_argument,	NULL,	'P' },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};

int
main(int argc, char *argv[])
{
	struct event	*ev_term, *ev_int, *ev_hup, *ev_chld;
	char		 errbuf[1024], self[PATH_MAX], real[PATH_MAX];
	const char	*config = NULL, *passfile = NULL, *errstr;
	ssize_t		 n;
	int		 ch, noaction = 0;

	log_procinit("openagentsd");
	log_init(1, LOG_DAEMON);

	memset(&sv, 0, sizeof(sv));
	sv.sv_sandbox = OA_SANDBOX ? SANDBOX_ENFORCE : SANDBOX_OFF;
	sv.sv_ctl_fd = -1;
	sv.sv_lock_fd = -1;
	sv.sv_ready_fd = -1;
	TAILQ_INIT(&sv.sv_ctl_conns);
	TAILQ_INIT(&sv.sv_wallet_pending);

	while ((ch = getopt_long(argc, argv, "c:dhnS:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'd':
			sv.sv_foreground = 1;
			break;
		case 'n':
			noaction = 1;
			break;
		case 'P':
			passfile = optarg;
			break;
		case 'S':
			if (!OA_SANDBOX)
				errx(2, "-S: built without the sandbox");
			if (strcmp(optarg, "enforce") == 0)
				sv.sv_sandbox = SANDBOX_ENFORCE;
			else if (strcmp(optarg, "log") == 0)
				sv.sv_sandbox = SANDBOX_LOG;
			else
				usage();
			break;
		case 'v':
			sv.sv_verbose++;
			break;
		case 'C':
			sv.sv_over.o_capacity = strtonum(optarg, 1, 256,
			    &errstr);
			if (errstr != NULL)
				errx(2, "--capacity: %s is %s (1 to 256)",
				    optarg, errstr);
			break;
		case 'T':
			if (strlcpy(sv.sv_over.o_job_types, optarg,
			    sizeof(sv.sv_over.o_job_types)) >=
			    sizeof(sv.sv_over.o_job_types))
				errx(2, "--job-types: too long");
			break;
		case 'I':
			if (strlcpy(sv.sv_over.o_isolation, optarg,
			    sizeof(sv.sv_over.o_isolation)) >=
			    sizeof(sv.sv_over.o_isolation))
				errx(2, "--isolation: too long");
			break;
		case 'R':
			if (sv.sv_over.o_relays.n >= CONF_MAX_LIST)
				errx(2, "--relay: at most %d relays",
				    CONF_MAX_LIST);
			if (strlcpy(sv.sv_over.o_relays.v[
			    sv.sv_over.o_relays.n], optarg, CONF_URL) >=
			    CONF_URL)
				errx(2, "--relay: URL too long");
			sv.sv_over.o_relays.n++;
			break;
		case 'A':
			if (strlcpy(sv.sv_over.o_agent, optarg,
			    sizeof(sv.sv_over.o_agent)) >=
			    sizeof(sv.sv_over.o_agent))
				errx(2, "--agent: too long");
			break;
		case 'h':
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_setverbose(sv.sv_verbose);

	/* absolute paths: the daemon leaves the working directory */
	if (config != NULL) {
		if (realpath(config, real) == NULL)
			errx(1, "%s: %s", config, strerror(errno));
		config = real;
	}
	if (paths_init(&sv.sv_paths, config, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);

	config_defaults(&sv.sv_conf);
	if (config_load(&sv.sv_conf, sv.sv_paths.p_config, errbuf,
	    sizeof(errbuf)) == -1 ||
	    apply_overrides(&sv.sv_conf, &sv.sv_over, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);
	if (noaction) {
		printf("configuration OK\n");
		return (0);
	}

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		err(1, "/proc/self/exe");
	self[n] = '\0';
	if (helpers_locate(&sv, self) == -1)
		errx(1, "cannot find the helper programs");
	if (sv_identity_prepare(&sv, passfile, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);

	if (mkdir_private(sv.sv_paths.p_dir) == -1)
		err(1, "%s", sv.sv_paths.p_dir);
	if (mkdir_private(sv.sv_paths.p_jobs) == -1)
		err(1, "%s", sv.sv_paths.p_jobs);
	if (sv_lock(&sv, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);
	if (sv_log_open(&sv, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);
	if (control_init(&sv, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);
	/* a bad ledger is said on the terminal; the handle is not forked */
	if (jobs_init(&sv, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);
	jobs_shutdown(&sv);

	if (!sv.sv_foreground) {
		sv_daemonize(&sv);
		log_init(0, LOG_DAEMON);
	}
	if (jobs_init(&sv, errbuf, sizeof(errbuf)) == -1)
		fatalx("%s", errbuf);
	sv.sv_started = time(NULL);
	if (path_join(errbuf, sizeof(errbuf), sv.sv_paths.p_dir,
	    "paused") == 0 && access(errbuf, F_OK) == 0) {
		sv.sv_paused = 1;
		log_info("paused (%s): no new jobs until 'openagents provider "
		    "resume'", errbuf);
	}

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if ((sv.sv_base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if ((ev_term = evsignal_new(sv.sv_base, SIGTERM, sv_signal,
	    &sv)) == NULL ||
	    (ev_int = evsignal_new(sv.sv_base, SIGINT, sv_signal,
	    &sv)) == NULL ||
	    (ev_hup = evsignal_new(sv.sv_base, SIGHUP, sv_signal,
	    &sv)) == NULL ||
	    (ev_chld = evsignal_new(sv.sv_base, SIGCHLD, sv_signal,
	    &sv)) == NULL)
		fatalx("evsignal_new");
	if (evsignal_add(ev_term, NULL) == -1 ||
	    evsignal_add(ev_int, NULL) == -1 ||
	    evsignal_add(ev_hup, NULL) == -1 ||
	    evsignal_add(ev_chld, NULL) == -1)
		fatalx("evsignal_add");

	log_info("starting, version %s, pid %d, config %s, sandbox %s",
	    OA_VERSION, getpid(), sv.sv_paths.p_config,
	    sandbox_mode_name(sv.sv_sandbox));
	control_listen(&sv);
	sv_nwc_init(&sv);
	helpers_start(&sv);

	if (event_base_dispatch(sv.sv_base) == -1)
		fatalx("event_base_dispatch");

	control_cleanup(&sv);
	sv_nwc_shutdown(&sv);
	sv_announce_free();
	sv_alert_free();
	jobs_shutdown(&sv);
	sv_wallet_forget(&sv);
	sv_ready_notify(&sv, "stopped before coming online");
	if (sv.sv_exit_code != 0)
		log_warnx("stopped with errors, exit status %d",
		    sv.sv_exit_code);
	else
		log_info("stopped");
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_free(ev_chld);
	sv_log_close();
	event_base_free(sv.sv_base);
	return (sv.sv_exit_code);
}
