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
 * provider tunnel status: what [tunnel] in config.toml amounts to in
 * this build, from the file alone.  Nothing here starts or reaches a
 * tunnel, because nothing in the suite does: jobs come in over Nostr
 * relays that relayd dials out to, and the agents' model API traffic
 * leaves through relayd's egress proxy (supervisor/sv_proxy.c), also
 * outbound.  So the command says that plainly instead of probing.
 */

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "config.h"
#include "ctl.h"

#define TUNNEL_USAGE	"tunnel status [--json] [--config FILE]"

/* One sentence on what the configured provider means here. */
static const char *
tunnel_meaning(const struct conf *c)
{
	switch (c->c_tunnel) {
	case TUNNEL_NOSTR:
		return ("no inbound tunnel is needed: jobs arrive over the "
		    "Nostr relays, which the provider reaches outbound");
	case TUNNEL_MANUAL:
		return ("endpoint_url is recorded but not used: this build "
		    "accepts no inbound connections, so it neither serves "
		    "nor checks that endpoint");
	case TUNNEL_NGROK:
	case TUNNEL_CLOUDFLARE:
	default:
		return ("this build does not run or manage a tunnel itself; "
		    "none is needed, as jobs arrive over the Nostr relays, "
		    "which the provider reaches outbound");
	}
}

static void
gen_str(yajl_gen g, const char *s)
{
	(void)yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void
gen_list(yajl_gen g, const char *key, const struct conf_strlist *l)
{
	size_t	 i;

	gen_str(g, key);
	(void)yajl_gen_array_open(g);
	for (i = 0; i < l->n; i++)
		gen_str(g, l->v[i]);
	(void)yajl_gen_array_close(g);
}

static int
tunnel_json(const struct conf *c, const char *path, int found)
{
	yajl_gen		 g;
	const unsigned char	*buf;
	size_t			 len;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return (-1);
	(void)yajl_gen_config(g, yajl_gen_beautify, 1);
	(void)yajl_gen_map_open(g);
	gen_str(g, "provider");
	gen_str(g, config_tunnel_name(c->c_tunnel));
	gen_str(g, "config");
	gen_str(g, path);
	gen_str(g, "config_found");
	(void)yajl_gen_bool(g, found);
	gen_str(g, "endpoint_url");
	if (c->c_endpoint_url[0] != '\0')
		gen_str(g, c->c_endpoint_url);
	else
		(void)yajl_gen_null(g);
	gen_str(g, "inbound_needed");
	(void)yajl_gen_bool(g, 0);
	gen_str(g, "tunnel_run_by_this_build");
	(void)yajl_gen_bool(g, 0);
	gen_str(g, "endpoint_used");
	(void)yajl_gen_bool(g, 0);
	gen_str(g, "note");
	gen_str(g, tunnel_meaning(c));
	gen_list(g, "relays", &c->c_relays);
	gen_str(g, "proxy");
	(void)yajl_gen_map_open(g);
	gen_str(g, "upstream");
	gen_str(g, c->c_proxy_upstream);
	gen_list(g, "allowlist", &c->c_proxy_allowlist);
	(void)yajl_gen_map_close(g);
	(void)yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return (-1);
	}
	(void)fwrite(buf, 1, len, stdout);
	yajl_gen_free(g);
	return (0);
}

static void
tunnel_text(const struct conf *c, const char *path, int found)
{
	size_t	 i;

	printf("config       %s%s\n", path, found ? "" :
	    " (not there: the defaults apply)");
	printf("provider     %s\n", config_tunnel_name(c->c_tunnel));
	printf("endpoint_url %s\n", c->c_endpoint_url[0] != '\0' ?
	    c->c_endpoint_url : "(not set)");
	printf("meaning      %s\n", tunnel_meaning(c));
	printf("relays       %zu, dialled out to:", c->c_relays.n);
	for (i = 0; i < c->c_relays.n; i++)
		printf(" %s", c->c_relays.v[i]);
	printf("\nmodel API    through the local egress proxy to %s, for "
	    "hosts:", c->c_proxy_upstream);
	for (i = 0; i < c->c_proxy_allowlist.n; i++)
		printf(" %s", c->c_proxy_allowlist.v[i]);
	printf("%s\n", c->c_proxy_allowlist.n == 0 ? " (none)" : "");
}

int
cmd_tunnel(int argc, char *argv[])
{
	struct oa_paths	 p;
	struct conf	*c;
	struct stat	 st;
	char		 errbuf[1024];
	int		 arg, json, found, rv;

	if ((arg = ctl_report_args(argc, argv, TUNNEL_USAGE, 1, &json,
	    &rv)) == -1)
		return (rv);
	if (strcmp(argv[arg], "status") != 0) {
		fprintf(stderr, "usage: openagents provider %s\n",
		    TUNNEL_USAGE);
		return (EXIT_USAGE);
	}
	rv = EXIT_DONE;
	if (ctl_paths(&p) == -1)
		return (EXIT_FAILED);
	/* struct conf is large: not on the stack */
	if ((c = malloc(sizeof(*c))) == NULL)
		err(EXIT_FAILED, NULL);
	config_defaults(c);
	found = stat(p.p_config, &st) == 0;
	if (!found && errno != ENOENT) {
		warn("%s", p.p_config);
		free(c);
		return (EXIT_FAILED);
	}
	if (found && config_load(c, p.p_config, errbuf,
	    sizeof(errbuf)) == -1) {
		warnx("%s", errbuf);
		free(c);
		return (EXIT_FAILED);
	}
	if (json) {
		if (tunnel_json(c, p.p_config, found) == -1) {
			warnx("JSON output failed");
			rv = EXIT_FAILED;
		}
	} else
		tunnel_text(c, p.p_config, found);
	free(c);
	if (fflush(stdout) == EOF) {
		warn("stdout");
		rv = EXIT_FAILED;
	}
	return (rv);
}
