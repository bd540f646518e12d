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
 * Drives a real openagents-relayd over its channel, standing in for the
 * supervisor: it gives relayd a relay list, resolves the hosts relayd
 * asks about (numeric only), and turns stdin lines into requests:
 *
 *	publish [ROLES] JSON	a signed event; prints "published NOK NFAIL
 *				NRELAYS [reason]" when relayd reports
 *	subscribe SUBID ROLES FILTER [FILTER...]
 *				JSON filters, one per word; prints
 *				"subscribed SUBID"
 *	unsubscribe SUBID	prints "unsubscribed SUBID"
 *	reload [ROLES=]URL...	a new relay list; prints "reloaded N"
 *	wait-open N		until N relays are open (20 s at most);
 *				prints "open N" or "timeout"
 *	stats			"relay URL STATE IN OUT REJECTS ERRORS
 *				ROLES"
 *	proxy SOCK UPSTREAM KEY PERMIN PERDAY [HOST...]
 *				listens on the unix socket SOCK and gives
 *				it to relayd's proxy with that configuration
 *				("-" for no upstream or no key); prints
 *				"proxy ready"
 *	portmap FROM TO		answer names asked with port FROM with port
 *				TO: a stand-in for a host's port 443
 *
 * The proxy's statistics print as "proxy-stats ALLOWED REFUSED CAPPED
 * LAST" whenever relayd sends them, events as "event SUBID RELAY JSON"
 * and ends of stored events as "eose SUBID RELAY" (RELAY is relayd's
 * id: the relay's place in the first list), between the answers.  AUTH
 * requests are refused (there is no key here).
 *
 * ROLES is jobs, wallet, both or 0 (relayd's default, jobs); a URL
 * without ROLES= has 0.
 *
 * usage: relayd_drive [-S mode] RELAYD [[ROLES=]URL...]
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>

#include "drive.h"
#include "imsg.h"
#include "msg.h"
#include "proc.h"

static struct imsgbuf	 ibuf;
static pid_t		 child;
static char		 map_from[8], map_to[8];

static void
flush(void)
{
	if (imsgbuf_flush(&ibuf) == -1)
		err(1, "write to relayd");
}

static void
answer_resolve(struct imsg *imsg)
{
	struct msg_relay_resolve	 rr;
	struct msg_relay_addrs		 ra;
	struct addrinfo			 hints, *res;

	if (imsg_get_data(imsg, &rr, sizeof(rr)) == -1)
		errx(1, "bad resolve request");
	rr.rr_host[sizeof(rr.rr_host) - 1] = '\0';
	rr.rr_port[sizeof(rr.rr_port) - 1] = '\0';
	if (map_from[0] != '\0' && strcmp(rr.rr_port, map_from) == 0)
		(void)strlcpy(rr.rr_port, map_to, sizeof(rr.rr_port));
	memset(&ra, 0, sizeof(ra));
	ra.ra_relay = rr.rr_relay;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((ra.ra_error = getaddrinfo(rr.rr_host, rr.rr_port, &hints,
	    &res)) == 0) {
		memcpy(&ra.ra_addrs[0], res->ai_addr, res->ai_addrlen);
		ra.ra_addrlens[0] = res->ai_addrlen;
		ra.ra_naddrs = 1;
		freeaddrinfo(res);
	}
	if (imsg_compose(&ibuf, IMSG_RELAY_ADDRS, 0, 0, -1, &ra,
	    sizeof(ra)) == -1)
		err(1, "compose");
	flush();
}

static void
answer_auth(struct imsg *imsg)
{
	struct msg_relay_authreq	 ar;
	struct msg_relay_auth		 au;

	if (imsg_get_data(imsg, &ar, sizeof(ar)) == -1)
		errx(1, "bad AUTH request");
	memset(&au, 0, sizeof(au));
	au.rau_reqid = ar.ra_reqid;
	au.rau_relay = ar.ra_relay;
	au.rau_status = WALLET_LOCKED;
	if (imsg_compose(&ibuf, IMSG_RELAY_AUTH_SIGNED, 0, 0, -1, &au,
	    sizeof(au)) == -1)
		err(1, "compose");
	flush();
}

static int
roles_parse(const char *word, uint32_t *roles)
{
	if (strcmp(word, "jobs") == 0)
		*roles = RELAY_ROLE_JOBS;
	else if (strcmp(word, "wallet") == 0)
		*roles = RELAY_ROLE_WALLET;
	else if (strcmp(word, "both") == 0)
		*roles = RELAY_ROLE_JOBS | RELAY_ROLE_WALLET;
	else if (strcmp(word, "0") == 0)
		*roles = 0;
	else
		return (-1);
	return (0);
}

static void
print_event(struct imsg *imsg)
{
	struct msg_relay_event	 re;
	struct ibuf		 rest;

	if (imsg_get_ibuf(imsg, &rest) == -1 ||
	    ibuf_get(&rest, &re, sizeof(re)) == -1)
		errx(1, "bad event report");
	re.re_subid[sizeof(re.re_subid) - 1] = '\0';
	if (imsg_get_type(imsg) == IMSG_RELAY_EOSE) {
		if (ibuf_size(&rest) != 0)
			errx(1, "EOSE report with data");
		printf("eose %s %u\n", re.re_subid, re.re_relay);
	} else
		printf("event %s %u %.*s\n", re.re_subid, re.re_relay,
		    (int)ibuf_size(&rest), (const char *)ibuf_data(&rest));
	(void)fflush(stdout);
}

static void
print_proxy_stats(struct imsg *imsg)
{
	struct msg_proxy_stats	 ps;

	if (imsg_get_data(imsg, &ps, sizeof(ps)) == -1)
		errx(1, "bad proxy stats");
	ps.ps_last[sizeof(ps.ps_last) - 1] = '\0';
	printf("proxy-stats %llu %llu %llu %s\n",
	    (unsigned long long)ps.ps_allowed,
	    (unsigned long long)ps.ps_refused,
	    (unsigned long long)ps.ps_capped, ps.ps_last);
	(void)fflush(stdout);
}

/*
 * The next message that is not a request of relayd's own (those are
 * answered here), or NULL type 0 when ms pass without one.
 */
static int
next(struct imsg *imsg, int ms)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 status;

	for (;;) {
		if ((n = imsg_get(&ibuf, imsg)) == -1)
			err(1, "imsg_get");
		if (n > 0) {
			switch (imsg_get_type(imsg)) {
			case IMSG_RELAY_RESOLVE:
				answer_resolve(imsg);
				imsg_free(imsg);
				continue;
			case IMSG_RELAY_AUTH_REQ:
				answer_auth(imsg);
				imsg_free(imsg);
				continue;
			case IMSG_PROXY_STATS:
				print_proxy_stats(imsg);
				imsg_free(imsg);
				continue;
			case IMSG_RELAY_EVENT:
			case IMSG_RELAY_EOSE:
				print_event(imsg);
				imsg_free(imsg);
				continue;
			default:
				return (1);
			}
		}
		pfd.fd = ibuf.fd;
		pfd.events = POLLIN;
		if ((n = poll(&pfd, 1, ms)) == -1 && errno != EINTR)
			err(1, "poll");
		if (n == 0)
			return (0);
		if ((n = imsgbuf_read(&ibuf)) == -1 && errno != EAGAIN)
			err(1, "read from relayd");
		if (n == 0) {
			if (waitpid(child, &status, 0) == -1)
				err(1, "waitpid");
			printf("gone\n");
			exit(1);
		}
	}
}

/* Stats of every relay; returns how many are open. */
static int
stats(int print)
{
	struct ctl_relay	 cr;
	struct imsg		 imsg;
	int			 open = 0;

	if (imsg_compose(&ibuf, IMSG_RELAY_STATS_REQ, 7, 0, -1, NULL,
	    0) == -1)
		err(1, "compose");
	flush();
	for (;;) {
		if (!next(&imsg, 10000))
			errx(1, "no stats");
		if (imsg_get_type(&imsg) == IMSG_RELAY_STATS_END) {
			imsg_free(&imsg);
			return (open);
		}
		if (imsg_get_type(&imsg) != IMSG_RELAY_STATS ||
		    imsg_get_data(&imsg, &cr, sizeof(cr)) == -1)
			errx(1, "unexpected message %u", imsg_get_type(&imsg));
		imsg_free(&imsg);
		cr.cr_url[sizeof(cr.cr_url) - 1] = '\0';
		if (cr.cr_state == CTL_RELAY_OPEN)
			open++;
		if (print)
			printf("relay %s %u %llu %llu %llu %llu %u\n",
			    cr.cr_url, cr.cr_state,
			    (unsigned long long)cr.cr_events_in,
			    (unsigned long long)cr.cr_events_out,
			    (unsigned long long)cr.cr_rejects,
			    (unsigned long long)cr.cr_errors, cr.cr_roles);
	}
}

static void
publish(char *arg)
{
	struct msg_relay_pub		 rp;
	struct msg_relay_published	 pd;
	struct imsg			 imsg;
	struct iovec			 iov[2];
	static uint64_t			 reqid;
	char				*json = arg, *word;

	memset(&rp, 0, sizeof(rp));
	if (*arg != '{') {
		word = strsep(&json, " ");
		if (json == NULL || roles_parse(word, &rp.rp_roles) == -1) {
			printf("usage publish [ROLES] JSON\n");
			return;
		}
	}
	rp.rp_reqid = ++reqid;
	iov[0].iov_base = &rp;
	iov[0].iov_len = sizeof(rp);
	iov[1].iov_base = (void *)(uintptr_t)json;
	iov[1].iov_len = strlen(json);
	if (imsg_composev(&ibuf, IMSG_RELAY_PUBLISH, 0, 0, -1, iov, 2) == -1)
		err(1, "compose");
	flush();
	if (!next(&imsg, 60000))
		errx(1, "no publish outcome");
	if (imsg_get_type(&imsg) != IMSG_RELAY_PUBLISHED ||
	    imsg_get_data(&imsg, &pd, sizeof(pd)) == -1 ||
	    pd.rd_reqid != rp.rp_reqid)
		errx(1, "unexpected message %u", imsg_get_type(&imsg));
	imsg_free(&imsg);
	pd.rd_msg[sizeof(pd.rd_msg) - 1] = '\0';
	printf("published %u %u %u %s\n", pd.rd_nok, pd.rd_nfail,
	    pd.rd_nrelays, pd.rd_msg);
}

static void
configure(int n, char *urls[])
{
	struct msg_relay_conf	 rc;
	struct msg_relay_url	 ru;
	const char		*url, *eq, *sep;
	char			 word[16];
	int			 i;

	memset(&rc, 0, sizeof(rc));
	rc.rc_nrelays = (uint32_t)n;
	if (imsg_compose(&ibuf, IMSG_RELAY_CONF, 0, 0, -1, &rc,
	    sizeof(rc)) == -1)
		err(1, "compose");
	for (i = 0; i < n; i++) {
		memset(&ru, 0, sizeof(ru));
		url = urls[i];
		/* a '=' before the scheme's "://" ends the roles */
		if ((eq = strchr(url, '=')) != NULL &&
		    (size_t)(eq - url) < sizeof(word) &&
		    (sep = strstr(url, "://")) != NULL && sep > eq) {
			(void)strlcpy(word, url, (size_t)(eq - url) + 1);
			if (roles_parse(word, &ru.ru_roles) == -1)
				errx(2, "%s: roles are jobs, wallet, both or 0",
				    url);
			url = eq + 1;
		}
		(void)strlcpy(ru.ru_url, url, sizeof(ru.ru_url));
		if (imsg_compose(&ibuf, IMSG_RELAY_CONF_URL, 0, 0, -1, &ru,
		    sizeof(ru)) == -1)
			err(1, "compose");
	}
	if (imsg_compose(&ibuf, IMSG_RELAY_CONF_END, 0, 0, -1, NULL, 0) == -1)
		err(1, "compose");
	flush();
}

/* subscribe SUBID ROLES FILTER [FILTER...], as sv_relay_subscribe */
static void
subscribe(char *args)
{
	struct msg_relay_sub	 rs;
	struct iovec		 iov[2];
	char			*subid, *roles, *w, filters[16384];
	size_t			 len = 0, n;

	memset(&rs, 0, sizeof(rs));
	subid = strsep(&args, " ");
	roles = args != NULL ? strsep(&args, " ") : NULL;
	if (roles == NULL || args == NULL ||
	    roles_parse(roles, &rs.rs_roles) == -1 ||
	    strlcpy(rs.rs_subid, subid, sizeof(rs.rs_subid)) >=
	    sizeof(rs.rs_subid)) {
		printf("usage subscribe SUBID ROLES FILTER...\n");
		return;
	}
	while ((w = strsep(&args, " ")) != NULL) {
		if (*w == '\0')
			continue;
		n = strlen(w);
		if (len + n + 1 > sizeof(filters))
			errx(2, "subscribe: filters too long");
		memcpy(filters + len, w, n);
		len += n;
		filters[len++] = '\n';
	}
	iov[0].iov_base = &rs;
	iov[0].iov_len = sizeof(rs);
	iov[1].iov_base = filters;
	iov[1].iov_len = len;
	if (imsg_composev(&ibuf, IMSG_RELAY_SUBSCRIBE, 0, 0, -1, iov,
	    2) == -1)
		err(1, "compose");
	flush();
	printf("subscribed %s\n", rs.rs_subid);
}

static void
unsubscribe(const char *subid)
{
	struct msg_relay_sub	 rs;

	memset(&rs, 0, sizeof(rs));
	if (strlcpy(rs.rs_subid, subid, sizeof(rs.rs_subid)) >=
	    sizeof(rs.rs_subid)) {
		printf("usage unsubscribe SUBID\n");
		return;
	}
	if (imsg_compose(&ibuf, IMSG_RELAY_UNSUBSCRIBE, 0, 0, -1, &rs,
	    sizeof(rs)) == -1)
		err(1, "compose");
	flush();
	printf("unsubscribed %s\n", rs.rs_subid);
}

/* reload [ROLES=]URL...: the list again, as after a configuration reload */
static void
reload(char *args)
{
	char	*w[RELAY_MAX];
	int	 n = 0;

	while (args != NULL && n < RELAY_MAX)
		if ((w[n] = strsep(&args, " ")) != NULL && *w[n] != '\0')
			n++;
	if (args != NULL)
		errx(2, "reload: more than %d relays", RELAY_MAX);
	configure(n, w);
	printf("reloaded %d\n", n);
}

/* proxy SOCK UPSTREAM KEY PERMIN PERDAY [HOST...], as the supervisor */
static void
proxy(char *args)
{
	struct msg_proxy_conf	 pc;
	struct sockaddr_un	 sun;
	struct iovec		 iov[2];
	char			*w[6 + 32], hosts[32 * 256];
	const char		*errstr;
	size_t			 hlen = 0, n;
	int			 nw = 0, fd, i;

	while (nw < (int)(sizeof(w) / sizeof(w[0])) &&
	    (w[nw] = strsep(&args, " ")) != NULL)
		if (*w[nw] != '\0')
			nw++;
	if (nw < 5)
		errx(2, "proxy: SOCK UPSTREAM KEY PERMIN PERDAY [HOST...]");
	memset(&pc, 0, sizeof(pc));
	if (strcmp(w[1], "-") != 0)
		(void)strlcpy(pc.pc_upstream, w[1], sizeof(pc.pc_upstream));
	if (strcmp(w[2], "-") != 0)
		(void)strlcpy(pc.pc_key, w[2], sizeof(pc.pc_key));
	pc.pc_per_minute = (uint32_t)strtonum(w[3], 0, 1000000, &errstr);
	if (errstr != NULL)
		errx(2, "proxy: PERMIN %s", errstr);
	pc.pc_per_day = (uint32_t)strtonum(w[4], 0, 100000000, &errstr);
	if (errstr != NULL)
		errx(2, "proxy: PERDAY %s", errstr);
	for (i = 5; i < nw; i++) {
		n = strlen(w[i]) + 1;
		if (hlen + n > sizeof(hosts))
			errx(2, "proxy: too many hosts");
		memcpy(hosts + hlen, w[i], n);
		hlen += n;
		pc.pc_nhosts++;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, w[0], sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(2, "proxy: socket path too long");
	(void)unlink(w[0]);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(w[0], 0666) == -1 || listen(fd, 64) == -1)
		err(1, "proxy: %s", w[0]);
	iov[0].iov_base = &pc;
	iov[0].iov_len = sizeof(pc);
	iov[1].iov_base = hosts;
	iov[1].iov_len = hlen;
	if (imsg_composev(&ibuf, IMSG_PROXY_CONF, 0, 0, fd, iov,
	    hlen > 0 ? 2 : 1) == -1)
		err(1, "compose");
	flush();
	printf("proxy ready\n");
}

static void
command(char *line)
{
	char		*arg;
	const char	*errstr;
	long long	 want;
	int		 i;

	line[strcspn(line, "\r\n")] = '\0';
	arg = strchr(line, ' ');
	if (arg != NULL)
		*arg++ = '\0';
	if (strcmp(line, "publish") == 0 && arg != NULL)
		publish(arg);
	else if (strcmp(line, "stats") == 0)
		(void)stats(1);
	else if (strcmp(line, "subscribe") == 0 && arg != NULL)
		subscribe(arg);
	else if (strcmp(line, "unsubscribe") == 0 && arg != NULL)
		unsubscribe(arg);
	else if (strcmp(line, "reload") == 0)
		reload(arg);
	else if (strcmp(line, "proxy") == 0 && arg != NULL)
		proxy(arg);
	else if (strcmp(line, "portmap") == 0 && arg != NULL &&
	    sscanf(arg, "%7s %7s", map_from, map_to) == 2)
		printf("portmap %s %s\n", map_from, map_to);
	else if (strcmp(line, "wait-open") == 0 && arg != NULL) {
		want = strtonum(arg, 0, RELAY_MAX, &errstr);
		if (errstr != NULL)
			errx(2, "wait-open: %s", errstr);
		for (i = 0; i < 200 && stats(0) < want; i++)
			(void)usleep(100000);
		if (i == 200)
			printf("timeout\n");
		else
			printf("open %lld\n", want);
	} else
		printf("usage unknown command '%s'\n", line);
	(void)fflush(stdout);
}

/*
 * Commands from stdin and relayd's own requests, whichever comes: the
 * proxy asks for names while no command waits for an answer.
 */
static void
serve(void)
{
	struct pollfd	 pfd[2];
	struct imsg	 imsg;
	char		 buf[65536], *nl;
	size_t		 have = 0;
	ssize_t		 n;

	for (;;) {
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = ibuf.fd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd[1].revents != 0)
			while (next(&imsg, 0)) {
				printf("unexpected message %u\n",
				    imsg_get_type(&imsg));
				(void)fflush(stdout);
				imsg_free(&imsg);
			}
		if (pfd[0].revents == 0)
			continue;
		if ((n = read(STDIN_FILENO, buf + have, sizeof(buf) - 1 -
		    have)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "stdin");
		}
		if (n == 0)
			return;
		have += (size_t)n;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			command(buf);
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1)
			errx(2, "command line too long");
	}
}

static void
spawn(const char *relayd, const char *mode)
{
	struct imsg	 imsg;

	child = drive_spawn_helper(relayd, PROC_RELAYD, mode, &ibuf);
	if (!next(&imsg, 10000) || imsg_get_type(&imsg) != IMSG_HELPER_READY)
		errx(1, "relayd: no ready message");
	imsg_free(&imsg);
}

int
main(int argc, char *argv[])
{
	const char	*mode = "enforce";
	int		 ch;

	if ((ch = drive_args(argc, argv, &mode)) == -1)
		goto usage;
	argc -= ch;
	argv += ch;
	if (argc < 1)
		goto usage;
	spawn(argv[0], mode);
	configure(argc - 1, argv + 1);
	serve();
	imsgbuf_clear(&ibuf);
	(void)close(ibuf.fd);
	if (waitpid(child, NULL, 0) == -1)
		err(1, "waitpid");
	return (0);
usage:
	fprintf(stderr, "usage: relayd_drive [-S mode] RELAYD "
	    "[[ROLES=]URL...]\n");
	return (2);
}
