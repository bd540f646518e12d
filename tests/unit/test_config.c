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
 * Unit tests for the configuration model: defaults, the example of the
 * provider guide and the one in contrib/, every key, the exact
 * file:line:key messages of each kind of error, and that a failed
 * parse leaves the previous settings alone.
 */

#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define NAME	"test.toml"

static struct conf	*conf_new(void);
static int		 parse(struct conf *, const char *, char *, size_t);
static void		 expect_error(const char *, const char *);
static const char	*vectors(void);
static char		*tmpfile_write(const char *, size_t);

static struct conf *
conf_new(void)
{
	struct conf	*c;

	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	config_defaults(c);
	return (c);
}

static int
parse(struct conf *c, const char *doc, char *err, size_t errlen)
{
	return (config_parse(c, NAME, doc, strlen(doc), err, errlen));
}

/* doc must fail with exactly msg, and leave the settings alone. */
static void
expect_error(const char *doc, const char *msg)
{
	struct conf	*c, *before;
	char		 err[512];

	c = conf_new();
	before = conf_new();
	ck_assert_msg(parse(c, doc, err, sizeof(err)) == -1,
	    "accepted: %s", doc);
	ck_assert_str_eq(err, msg);
	ck_assert_int_eq(memcmp(c, before, sizeof(*c)), 0);
	free(c);
	free(before);
}

static const char *
vectors(void)
{
	const char	*v;

	if ((v = getenv("OA_VECTORS")) == NULL || *v == '\0')
		v = "tests/vectors";
	return (v);
}

/* A temporary file holding buf; the caller unlinks and frees it. */
static char *
tmpfile_write(const char *buf, size_t len)
{
	char	*path;
	int	 fd;

	ck_assert_ptr_nonnull(path = strdup("/tmp/oa-test-config.XXXXXX"));
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	return (path);
}

START_TEST(config_defaults_all)
{
	struct conf	*c = conf_new();
	int		 t;

	ck_assert_str_eq(c->c_pubkey, "");
	ck_assert_int_eq(c->c_capacity, 1);
	ck_assert_uint_eq(c->c_job_types,
	    (1U << JOB_PATCHGEN) | (1U << JOB_CODEREVIEW));
	ck_assert_int_eq(c->c_isolation, ISOLATION_CONTAINER);
	ck_assert_str_eq(c->c_model_pattern, "*");
	ck_assert_int_eq(c->c_max_context_tokens, 200000);
	ck_assert_uint_eq(c->c_allowed_tools.n, 6);
	ck_assert_str_eq(c->c_allowed_tools.v[0], "Read");
	ck_assert_str_eq(c->c_allowed_tools.v[5], "Grep");
	ck_assert_uint_eq(c->c_allow_local_repos.n, 0);

	ck_assert_int_eq(c->c_pricing[JOB_PATCHGEN].base, 3000);
	ck_assert_int_eq(c->c_pricing[JOB_PATCHGEN].per_file, 100);
	ck_assert_int_eq(c->c_pricing[JOB_PATCHGEN].max, 20000);
	ck_assert_int_eq(c->c_pricing[JOB_CODEREVIEW].base, 2000);
	ck_assert_int_eq(c->c_pricing[JOB_CODEREVIEW].per_file, 50);
	ck_assert_int_eq(c->c_pricing[JOB_CODEREVIEW].max, 15000);
	ck_assert_int_eq(c->c_pricing[JOB_REPOINDEX].base, 500);
	ck_assert_int_eq(c->c_pricing[JOB_REPOINDEX].per_1k_tokens, 8);
	ck_assert_int_eq(c->c_pricing[JOB_REPOINDEX].max, 10000);
	ck_assert_int_eq(c->c_pricing[JOB_SANDBOXRUN].base, 200);
	ck_assert_int_eq(c->c_pricing[JOB_SANDBOXRUN].max, 20000);
	ck_assert_int_eq(c->c_pricing[JOB_TEXTGEN].base, 100);
	ck_assert_int_eq(c->c_pricing[JOB_TEXTGEN].max, 5000);
	for (t = 0; t < JOB_TYPE_MAX; t++) {
		ck_assert_int_eq(c->c_pricing[t].set, 0);
		ck_assert_int_eq(c->c_pricing[t].tier_premium_pct, 0);
	}

	ck_assert_int_eq(c->c_tunnel, TUNNEL_NOSTR);
	ck_assert_str_eq(c->c_endpoint_url, "");
	ck_assert_uint_eq(c->c_proxy_allowlist.n, 1);
	ck_assert_str_eq(c->c_proxy_allowlist.v[0], "api.openai.com");
	ck_assert_uint_eq(c->c_relays.n, 3);
	ck_assert_str_eq(c->c_relays.v[0], "wss://relay.damus.io");
	ck_assert_str_eq(c->c_relays.v[1], "wss://nos.lol");
	ck_assert_str_eq(c->c_relays.v[2], "wss://relay.nostr.band");

	ck_assert_int_eq(c->c_schedule, SCHEDULE_ALWAYS);
	ck_assert_uint_eq(c->c_weekdays, 0x3e);
	ck_assert_int_eq(c->c_hours_from, 0);
	ck_assert_int_eq(c->c_hours_to, 1440);
	ck_assert_str_eq(c->c_timezone, "UTC");

	ck_assert_str_eq(c->c_webhook_url, "");
	ck_assert_str_eq(c->c_email, "");
	ck_assert_double_eq(c->c_alert_success_rate, 90.0);
	ck_assert_int_eq(c->c_alert_min_interval, 300);

	ck_assert_int_eq(c->c_agent, AGENT_CODEX);
	ck_assert_str_eq(c->c_agent_command, "");
	ck_assert_str_eq(c->c_wallet_backend, "nwc");
	ck_assert_int_eq(c->c_invoice_expiry_secs, 3600);
	ck_assert_int_eq(c->c_payment_mode, PAYMENT_PAY_AFTER_VERIFY);

	ck_assert_int_eq(c->c_limit_event_bytes, 262144);
	ck_assert_int_eq(c->c_limit_repo_bytes, 536870912);
	ck_assert_int_eq(c->c_limit_time_secs, 1800);
	ck_assert_int_eq(c->c_limit_memory_mb, 4096);
	ck_assert_int_eq(c->c_limit_pids, 256);
	ck_assert_int_eq(c->c_limit_disk_mb, 2048);

	ck_assert_str_eq(c->c_proxy_upstream, "https://api.openai.com");
	ck_assert_str_eq(c->c_proxy_api_key_env, "OPENAI_API_KEY");
	ck_assert_str_eq(c->c_proxy_api_key_file, "");
	ck_assert_int_eq(c->c_proxy_requests_per_minute, 60);
	ck_assert_int_eq(c->c_proxy_daily_requests, 5000);
	free(c);
}
END_TEST

/* The example of PROVIDER-GUIDE.md, copied verbatim. */
START_TEST(config_guide_example)
{
	struct conf	*c = conf_new();
	char		 path[1024], err[512];

	(void)snprintf(path, sizeof(path), "%s/config/guide-example.toml",
	    vectors());
	ck_assert_msg(config_load(c, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c->c_path, path);
	ck_assert_str_eq(c->c_pubkey, "npub1...");
	ck_assert_int_eq(c->c_capacity, 3);
	ck_assert_uint_eq(c->c_job_types, (1U << JOB_PATCHGEN) |
	    (1U << JOB_CODEREVIEW) | (1U << JOB_REPOINDEX));
	ck_assert_int_eq(c->c_isolation, ISOLATION_CONTAINER);
	ck_assert_str_eq(c->c_model_pattern, "codex-sonnet-4-*");
	ck_assert_int_eq(c->c_max_context_tokens, 200000);
	ck_assert_uint_eq(c->c_allowed_tools.n, 6);
	ck_assert_str_eq(c->c_allowed_tools.v[3], "Bash");
	ck_assert_int_eq(c->c_pricing[JOB_PATCHGEN].set, 1);
	ck_assert_int_eq(c->c_pricing[JOB_PATCHGEN].base, 3000);
	ck_assert_int_eq(c->c_pricing[JOB_PATCHGEN].per_file, 100);
	ck_assert_int_eq(c->c_pricing[JOB_PATCHGEN].max, 20000);
	ck_assert_int_eq(c->c_pricing[JOB_CODEREVIEW].set, 1);
	ck_assert_int_eq(c->c_pricing[JOB_CODEREVIEW].base, 2000);
	ck_assert_int_eq(c->c_pricing[JOB_CODEREVIEW].per_file, 50);
	ck_assert_int_eq(c->c_pricing[JOB_CODEREVIEW].max, 15000);
	ck_assert_int_eq(c->c_pricing[JOB_REPOINDEX].set, 1);
	ck_assert_int_eq(c->c_pricing[JOB_REPOINDEX].base, 500);
	ck_assert_int_eq(c->c_pricing[JOB_REPOINDEX].per_1k_tokens, 8);
	ck_assert_int_eq(c->c_pricing[JOB_REPOINDEX].max, 10000);
	ck_assert_int_eq(c->c_pricing[JOB_SANDBOXRUN].set, 0);
	ck_assert_int_eq(c->c_pricing[JOB_TEXTGEN].set, 0);
	ck_assert_int_eq(c->c_tunnel, TUNNEL_NGROK);
	ck_assert_uint_eq(c->c_proxy_allowlist.n, 1);
	ck_assert_str_eq(c->c_proxy_allowlist.v[0], "api.openai.com");
	ck_assert_uint_eq(c->c_relays.n, 3);
	ck_assert_str_eq(c->c_relays.v[2], "wss://relay.nostr.band");
	ck_assert_int_eq(c->c_schedule, SCHEDULE_ALWAYS);
	free(c);
}
END_TEST

/* contrib/openagents.toml.example, when the tree has one. */
START_TEST(config_contrib_example)
{
	struct conf	*c;
	const char	*root;
	char		 path[1024], err[512];

	if ((root = getenv("OA_SOURCE_ROOT")) == NULL || *root == '\0')
		root = ".";
	(void)snprintf(path, sizeof(path), "%s/contrib/openagents.toml.example",
	    root);
	if (access(path, R_OK) == -1) {
		fprintf(stderr, "skipped: %s: %s\n", path, strerror(errno));
		return;
	}
	c = conf_new();
	ck_assert_msg(config_load(c, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c->c_path, path);
	ck_assert_uint_ge(c->c_relays.n, 1);
	ck_assert_uint_ne(c->c_job_types, 0);
	free(c);
}
END_TEST

/* Every key there is, away from its default. */
START_TEST(config_every_key)
{
	struct conf	*c = conf_new();
	char		 err[512];
	const char	*doc =
	    "[identity]\n"
	    "pubkey = \"npub1qqqqqq\"\n"
	    "[worker]\n"
	    "capacity = 256\n"
	    "job_types = [\"SandboxRun\", \"TextGen\", \"RepoIndex\"]\n"
	    "isolation = \"gvisor\"\n"
	    "model_pattern = \"gpt-*\"\n"
	    "max_context_tokens = 10_000_000\n"
	    "allowed_tools = [\"Read\"]\n"
	    "allow_local_repos = [\"/srv/git\", \"/home/me/src/\"]\n"
	    "[pricing.SandboxRun]\n"
	    "base = 0\n"
	    "per_file = 1\n"
	    "per_1k_tokens = 2\n"
	    "max = 0\n"
	    "tier_premium_pct = 100\n"
	    "[pricing.TextGen]\n"
	    "base = 10\n"
	    "max = 10\n"
	    "[tunnel]\n"
	    "provider = \"manual\"\n"
	    "endpoint_url = \"wss://tunnel.example.com/codex\"\n"
	    "proxy_allowlist = [\"api.openai.com\", \"api.anthropic.com\", "
	    "\"localhost\", \"10.0.0.1\"]\n"
	    "[relays]\n"
	    "urls = [\"ws://127.0.0.1:7777\"]\n"
	    "[schedule]\n"
	    "mode = \"schedule\"\n"
	    "weekdays = [\"Sat\", \"Sun\"]\n"
	    "hours = \"22:30-06:00\"\n"
	    "timezone = \"America/Los_Angeles\"\n"
	    "[alerts]\n"
	    "webhook_url = \"https://hooks.example.com/x?y=1\"\n"
	    "email = \"me@example.com\"\n"
	    "success_rate_below = 95.5\n"
	    "min_interval_secs = 60\n"
	    "[agent]\n"
	    "backend = \"command\"\n"
	    "command = \"/usr/local/bin/my-agent\"\n"
	    "model = \"o3\"\n"
	    "[wallet]\n"
	    "backend = \"nwc\"\n"
	    "invoice_expiry_secs = 604800\n"
	    "[payments]\n"
	    "mode = \"free\"\n"
	    "[limits]\n"
	    "event_bytes = 1024\n"
	    "repo_bytes = 1048576\n"
	    "time_secs = 60\n"
	    "memory_mb = 512\n"
	    "pids = 64\n"
	    "disk_mb = 100\n"
	    "[proxy]\n"
	    "upstream = \"https://llm.example.org:8443/openai\"\n"
	    "api_key_env = \"MY_KEY\"\n"
	    "api_key_file = \"/run/secrets/key\"\n"
	    "requests_per_minute = 10\n"
	    "daily_requests = 100\n";

	ck_assert_msg(parse(c, doc, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c->c_path, NAME);
	ck_assert_str_eq(c->c_pubkey, "npub1qqqqqq");
	ck_assert_int_eq(c->c_capacity, 256);
	ck_assert_uint_eq(c->c_job_types, (1U << JOB_SANDBOXRUN) |
	    (1U << JOB_TEXTGEN) | (1U << JOB_REPOINDEX));
	ck_assert_int_eq(c->c_isolation, ISOLATION_GVISOR);
	ck_assert_str_eq(c->c_model_pattern, "gpt-*");
	ck_assert_int_eq(c->c_max_context_tokens, 10000000);
	ck_assert_uint_eq(c->c_allowed_tools.n, 1);
	ck_assert_uint_eq(c->c_allow_local_repos.n, 2);
	ck_assert_str_eq(c->c_allow_local_repos.v[1], "/home/me/src/");
	ck_assert_int_eq(c->c_pricing[JOB_SANDBOXRUN].set, 1);
	ck_assert_int_eq(c->c_pricing[JOB_SANDBOXRUN].base, 0);
	ck_assert_int_eq(c->c_pricing[JOB_SANDBOXRUN].per_file, 1);
	ck_assert_int_eq(c->c_pricing[JOB_SANDBOXRUN].per_1k_tokens, 2);
	ck_assert_int_eq(c->c_pricing[JOB_SANDBOXRUN].max, 0);
	ck_assert_int_eq(c->c_pricing[JOB_SANDBOXRUN].tier_premium_pct, 100);
	ck_assert_int_eq(c->c_pricing[JOB_TEXTGEN].base, 10);
	ck_assert_int_eq(c->c_pricing[JOB_TEXTGEN].max, 10);
	ck_assert_int_eq(c->c_pricing[JOB_PATCHGEN].set, 0);
	ck_assert_int_eq(c->c_tunnel, TUNNEL_MANUAL);
	ck_assert_str_eq(c->c_endpoint_url, "wss://tunnel.example.com/codex");
	ck_assert_uint_eq(c->c_proxy_allowlist.n, 4);
	ck_assert_uint_eq(c->c_relays.n, 1);
	ck_assert_str_eq(c->c_relays.v[0], "ws://127.0.0.1:7777");
	ck_assert_int_eq(c->c_schedule, SCHEDULE_SCHEDULE);
	ck_assert_uint_eq(c->c_weekdays, 0x41);
	ck_assert_int_eq(c->c_hours_from, 22 * 60 + 30);
	ck_assert_int_eq(c->c_hours_to, 6 * 60);
	ck_assert_str_eq(c->c_timezone, "America/Los_Angeles");
	ck_assert_str_eq(c->c_webhook_url, "https://hooks.example.com/x?y=1");
	ck_assert_str_eq(c->c_email, "me@example.com");
	ck_assert_double_eq(c->c_alert_success_rate, 95.5);
	ck_assert_int_eq(c->c_alert_min_interval, 60);
	ck_assert_int_eq(c->c_agent, AGENT_COMMAND);
	ck_assert_str_eq(c->c_agent_command, "/usr/local/bin/my-agent");
	ck_assert_str_eq(c->c_agent_model, "o3");
	ck_assert_str_eq(c->c_wallet_backend, "nwc");
	ck_assert_int_eq(c->c_invoice_expiry_secs, 604800);
	ck_assert_int_eq(c->c_payment_mode, PAYMENT_FREE);
	ck_assert_int_eq(c->c_limit_event_bytes, 1024);
	ck_assert_int_eq(c->c_limit_repo_bytes, 1048576);
	ck_assert_int_eq(c->c_limit_time_secs, 60);
	ck_assert_int_eq(c->c_limit_memory_mb, 512);
	ck_assert_int_eq(c->c_limit_pids, 64);
	ck_assert_int_eq(c->c_limit_disk_mb, 100);
	ck_assert_str_eq(c->c_proxy_upstream,
	    "https://llm.example.org:8443/openai");
	ck_assert_str_eq(c->c_proxy_api_key_env, "MY_KEY");
	ck_assert_str_eq(c->c_proxy_api_key_file, "/run/secrets/key");
	ck_assert_int_eq(c->c_proxy_requests_per_minute, 10);
	ck_assert_int_eq(c->c_proxy_daily_requests, 100);

	/* an integer rate, inline section tables, an empty file */
	ck_assert_msg(parse(c, "alerts = { success_rate_below = 0 }\n"
	    "schedule.hours = \"00:00-24:00\"\n", err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_double_eq(c->c_alert_success_rate, 0.0);
	ck_assert_int_eq(c->c_hours_to, 1440);
	ck_assert_msg(parse(c, "", err, sizeof(err)) == 0, "%s", err);
	free(c);
}
END_TEST

/* Each kind of error, with its exact message. */
static const struct {
	const char	*doc;
	const char	*msg;
} errors[] = {
	/* unknown key, unknown section */
	{ "[worker]\ncapacity = 2\ncapcity = 3\n",
	    NAME ":3: key 'worker.capcity': unknown key" },
	{ "\n[foo]\nx = 1\n", NAME ":2: unknown section 'foo'" },
	{ "[foo.bar]\n", NAME ":1: unknown section 'foo'" },
	{ "capacity = 3\n", NAME ":1: unknown section 'capacity'" },
	{ "[worker.sub]\n", NAME ":1: key 'worker.sub': unknown key" },
	{ "[pricing.Patchgen]\nbase = 1\n", NAME ":1: unknown section "
	    "'pricing.Patchgen' (job types: PatchGen, CodeReview, RepoIndex, "
	    "SandboxRun, TextGen)" },
	{ "[pricing]\nbase = 1\n", NAME ":2: unknown section 'pricing.base' "
	    "(job types: PatchGen, CodeReview, RepoIndex, SandboxRun, "
	    "TextGen)" },
	{ "[pricing.PatchGen]\nbase = 1\nper_token = 2\n",
	    NAME ":3: key 'pricing.PatchGen.per_token': unknown key" },
	/* wrong type */
	{ "[worker]\ncapacity = \"3\"\n",
	    NAME ":2: key 'worker.capacity': expected integer, got string" },
	{ "worker = 3\n",
	    NAME ":1: key 'worker': expected table, got integer" },
	{ "[[worker]]\n",
	    NAME ":1: key 'worker': expected table, got array" },
	{ "[pricing]\nPatchGen = 1\n",
	    NAME ":2: key 'pricing.PatchGen': expected table, got integer" },
	{ "[identity]\npubkey = 1\n",
	    NAME ":2: key 'identity.pubkey': expected string, got integer" },
	{ "[relays]\nurls = \"wss://nos.lol\"\n",
	    NAME ":2: key 'relays.urls': expected array of strings, got "
	    "string" },
	{ "[relays]\nurls = [\n\"wss://nos.lol\",\n1]\n",
	    NAME ":4: key 'relays.urls': expected array of strings, got "
	    "integer in it" },
	{ "[alerts]\nsuccess_rate_below = \"90\"\n",
	    NAME ":2: key 'alerts.success_rate_below': expected number, got "
	    "string" },
	{ "[worker]\ncapacity = 2.0\n",
	    NAME ":2: key 'worker.capacity': expected integer, got float" },
	/* bad enum */
	{ "[worker]\nisolation = \"docker\"\n",
	    NAME ":2: key 'worker.isolation': invalid value 'docker' "
	    "(expected one of: local, container, gvisor, firecracker)" },
	{ "[tunnel]\nprovider = \"tor\"\n",
	    NAME ":2: key 'tunnel.provider': invalid value 'tor' (expected "
	    "one of: ngrok, cloudflare, nostr, manual)" },
	{ "[schedule]\nmode = \"never\"\n",
	    NAME ":2: key 'schedule.mode': invalid value 'never' (expected "
	    "one of: always, schedule, manual)" },
	{ "[agent]\nbackend = \"gpt\"\n",
	    NAME ":2: key 'agent.backend': invalid value 'gpt' (expected one "
	    "of: codex, claude, command)" },
	{ "[wallet]\nbackend = \"lnd\"\n",
	    NAME ":2: key 'wallet.backend': invalid value 'lnd' (expected one "
	    "of: nwc)" },
	{ "[payments]\nmode = \"later\"\n",
	    NAME ":2: key 'payments.mode': invalid value 'later' (expected one "
	    "of: pay_after_verify, pay_first, free)" },
	{ "[worker]\njob_types = [\"PatchGen\", \"Translate\"]\n",
	    NAME ":2: key 'worker.job_types': unknown job type 'Translate' "
	    "(expected one of: PatchGen, CodeReview, RepoIndex, SandboxRun, "
	    "TextGen)" },
	{ "[worker]\njob_types = [\"PatchGen\", \"PatchGen\"]\n",
	    NAME ":2: key 'worker.job_types': duplicate job type 'PatchGen'" },
	{ "[worker]\njob_types = []\n",
	    NAME ":2: key 'worker.job_types': must not be empty" },
	{ "[schedule]\nweekdays = [\"Mon\", \"Funday\"]\n",
	    NAME ":2: key 'schedule.weekdays': unknown day 'Funday' (expected "
	    "one of: Sun, Mon, Tue, Wed, Thu, Fri, Sat)" },
	/* out of range */
	{ "[worker]\ncapacity = 0\n",
	    NAME ":2: key 'worker.capacity': 0 is out of range (1 to 256)" },
	{ "[worker]\ncapacity = 257\n",
	    NAME ":2: key 'worker.capacity': 257 is out of range (1 to 256)" },
	{ "[worker]\nmax_context_tokens = 10_000_001\n",
	    NAME ":2: key 'worker.max_context_tokens': 10000001 is out of "
	    "range (1 to 10000000)" },
	{ "[pricing.PatchGen]\nbase = -1\n",
	    NAME ":2: key 'pricing.PatchGen.base': -1 is out of range (0 to "
	    "2100000000000000)" },
	{ "[pricing.PatchGen]\ntier_premium_pct = 101\n",
	    NAME ":2: key 'pricing.PatchGen.tier_premium_pct': 101 is out of "
	    "range (0 to 100)" },
	{ "[pricing.PatchGen]\nbase = 100\nmax = 99\n",
	    NAME ":3: key 'pricing.PatchGen.max': max 99 is below base 100" },
	{ "[pricing.PatchGen]\nbase = 30000\n",
	    NAME ":2: key 'pricing.PatchGen.base': base 30000 is above max "
	    "20000" },
	{ "[wallet]\ninvoice_expiry_secs = 59\n",
	    NAME ":2: key 'wallet.invoice_expiry_secs': 59 is out of range (60 "
	    "to 604800)" },
	{ "[limits]\nevent_bytes = 16777217\n",
	    NAME ":2: key 'limits.event_bytes': 16777217 is out of range (1024 "
	    "to 16777216)" },
	{ "[alerts]\nsuccess_rate_below = 100.5\n",
	    NAME ":2: key 'alerts.success_rate_below': 100.5 is out of range "
	    "(0 to 100)" },
	{ "[alerts]\nmin_interval_secs = -1\n",
	    NAME ":2: key 'alerts.min_interval_secs': -1 is out of range (0 "
	    "to 604800)" },
	{ "[alerts]\nsuccess_rate_below = nan\n",
	    NAME ":2: key 'alerts.success_rate_below': nan is out of range "
	    "(0 to 100)" },
	{ "[relays]\nurls = []\n",
	    NAME ":2: key 'relays.urls': must not be empty" },
	{ "[worker]\nallowed_tools = [\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
	    "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
	    "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
	    "\"a\",\"a\",\"a\",\"a\",\"a\"]\n",
	    NAME ":2: key 'worker.allowed_tools': has 33 entries (0 to 32 "
	    "allowed)" },
	/* what one key needs of another */
	{ "[tunnel]\nprovider = \"manual\"\n",
	    NAME ":2: key 'tunnel.endpoint_url': required when provider = "
	    "\"manual\"" },
	{ "[agent]\n\nbackend = \"command\"\n",
	    NAME ":3: key 'agent.command': required when backend = "
	    "\"command\"" },
	/* bad values */
	{ "[identity]\npubkey = \"nsec1abc\"\n",
	    NAME ":2: key 'identity.pubkey': must be an npub1... key" },
	{ "[relays]\nurls = [\"wss://nos.lol\",\n  \"https://nos.lol\"]\n",
	    NAME ":3: key 'relays.urls': 'https://nos.lol' is not a ws:// or "
	    "wss:// URL" },
	{ "[relays]\nurls = [\"wss://nos.lol\", \"wss://nos.lol\"]\n",
	    NAME ":2: key 'relays.urls': duplicate entry 'wss://nos.lol'" },
	{ "[relays]\nurls = [\"wss://\"]\n",
	    NAME ":2: key 'relays.urls': 'wss://' has no host" },
	{ "[relays]\nurls = [\"wss://a b\"]\n",
	    NAME ":2: key 'relays.urls': 'wss://a b' has a blank or non-ASCII "
	    "character" },
	{ "[tunnel]\nproxy_allowlist = [\"api.openai.com/v1\"]\n",
	    NAME ":2: key 'tunnel.proxy_allowlist': 'api.openai.com/v1' is not "
	    "a host name" },
	{ "[tunnel]\nproxy_allowlist = [\"-a.com\"]\n",
	    NAME ":2: key 'tunnel.proxy_allowlist': '-a.com' is not a host "
	    "name" },
	{ "[tunnel]\nproxy_allowlist = [\"a..com\"]\n",
	    NAME ":2: key 'tunnel.proxy_allowlist': 'a..com' is not a host "
	    "name" },
	{ "[tunnel]\nendpoint_url = \"ftp://x\"\n",
	    NAME ":2: key 'tunnel.endpoint_url': 'ftp://x' is not a ws://, "
	    "wss://, http:// or https:// URL" },
	{ "[schedule]\nhours = \"9:00-17:00\"\n",
	    NAME ":2: key 'schedule.hours': '9:00-17:00' is not HH:MM-HH:MM" },
	{ "[schedule]\nhours = \"09:00-24:01\"\n",
	    NAME ":2: key 'schedule.hours': '09:00-24:01' is not HH:MM-HH:MM" },
	{ "[schedule]\nhours = \"24:00-24:00\"\n",
	    NAME ":2: key 'schedule.hours': '24:00-24:00' is not HH:MM-HH:MM" },
	{ "[schedule]\nhours = \"09:00-09:00\"\n",
	    NAME ":2: key 'schedule.hours': '09:00-09:00' is an empty range" },
	{ "[schedule]\ntimezone = \"../etc/passwd\"\n",
	    NAME ":2: key 'schedule.timezone': '../etc/passwd' is not a time "
	    "zone name" },
	{ "[schedule]\ntimezone = \"Europe Paris\"\n",
	    NAME ":2: key 'schedule.timezone': 'Europe Paris' is not a time "
	    "zone name" },
	{ "[proxy]\nupstream = \"http://api.openai.com\"\n",
	    NAME ":2: key 'proxy.upstream': 'http://api.openai.com' is not a "
	    "https:// URL" },
	{ "[proxy]\nupstream = \"https://\"\n",
	    NAME ":2: key 'proxy.upstream': 'https://' has no host" },
	{ "[alerts]\nwebhook_url = \"ftp://x.org\"\n",
	    NAME ":2: key 'alerts.webhook_url': 'ftp://x.org' is not a http:// "
	    "or https:// URL" },
	{ "[alerts]\nemail = \"a@b@c\"\n",
	    NAME ":2: key 'alerts.email': 'a@b@c' is not an e-mail address" },
	{ "[alerts]\nemail = \"nobody\"\n",
	    NAME ":2: key 'alerts.email': 'nobody' is not an e-mail address" },
	{ "[agent]\ncommand = \"my-agent\"\n",
	    NAME ":2: key 'agent.command': 'my-agent' is not an absolute "
	    "path" },
	{ "[worker]\nallow_local_repos = [\"/srv/../etc\"]\n",
	    NAME ":2: key 'worker.allow_local_repos': '/srv/../etc' has a '.' "
	    "or '..' part" },
	{ "[worker]\nmodel_pattern = \"\"\n",
	    NAME ":2: key 'worker.model_pattern': must not be empty" },
	{ "[proxy]\napi_key_env = \"1KEY\"\n",
	    NAME ":2: key 'proxy.api_key_env': '1KEY' is not an environment "
	    "variable name" },
	{ "[agent]\nmodel = \"a\\tb\"\n",
	    NAME ":2: key 'agent.model': control character in string" },
	/* TOML syntax errors keep the line */
	{ "[worker]\ncapacity = 3\ncapacity = 4\n",
	    NAME ":3: duplicate key 'capacity'" },
	{ "[worker]\n\n\ncapacity = \n", NAME ":4: expected a value" },
	{ "[worker\n", NAME ":1: expected ']' after table name" },
};

START_TEST(config_errors)
{
	expect_error(errors[_i].doc, errors[_i].msg);
}
END_TEST

/* Strings that do not fit their buffers are refused, not cut. */
START_TEST(config_too_long)
{
	char	 doc[2048], msg[256];

	(void)snprintf(doc, sizeof(doc), "[worker]\nmodel_pattern = \"%0*d\"\n",
	    CONF_STR, 0);
	(void)snprintf(msg, sizeof(msg), NAME ":2: key 'worker.model_pattern':"
	    " too long (at most %d bytes)", CONF_STR - 1);
	expect_error(doc, msg);
	(void)snprintf(doc, sizeof(doc), "[relays]\nurls = [\"wss://%0*d\"]\n",
	    CONF_URL, 0);
	(void)snprintf(msg, sizeof(msg), NAME ":2: key 'relays.urls': too "
	    "long (at most %d bytes)", CONF_URL - 1);
	expect_error(doc, msg);
	/* just fits */
	(void)snprintf(doc, sizeof(doc), "[worker]\nmodel_pattern = \"%0*d\"\n",
	    CONF_STR - 1, 0);
	{
		struct conf	*c = conf_new();
		char		 err[256];

		ck_assert_msg(parse(c, doc, err, sizeof(err)) == 0, "%s", err);
		ck_assert_uint_eq(strlen(c->c_model_pattern), CONF_STR - 1);
		free(c);
	}
	/* a NUL inside a string */
	expect_error("[agent]\nmodel = \"a\\u0000b\"\n",
	    NAME ":2: key 'agent.model': control character in string");
}
END_TEST

/* A failing parse, even late in the file, changes nothing. */
START_TEST(config_failed_keeps_old)
{
	struct conf	*c = conf_new(), *saved;
	const char	*doc;
	char		 err[512];

	ck_assert_msg(parse(c, "[worker]\ncapacity = 7\n[relays]\n"
	    "urls = [\"wss://a.example\"]\n", err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_int_eq(c->c_capacity, 7);
	ck_assert_ptr_nonnull(saved = malloc(sizeof(*saved)));
	memcpy(saved, c, sizeof(*c));
	doc = "[worker]\ncapacity = 9\njob_types = [\"TextGen\"]\n"
	    "[relays]\nurls = [\"wss://b.example\"]\n[tunnel]\n"
	    "provider = \"manual\"\n";
	ck_assert_int_eq(config_parse(c, "other.toml", doc, strlen(doc), err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "other.toml:7: key 'tunnel.endpoint_url': "
	    "required when provider = \"manual\"");
	ck_assert_int_eq(memcmp(c, saved, sizeof(*c)), 0);
	doc = "[worker]\ncapacity = 9\n[worker.x]\n";
	ck_assert_int_eq(config_parse(c, "other.toml", doc, strlen(doc), err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "other.toml:3: key 'worker.x': unknown key");
	ck_assert_int_eq(memcmp(c, saved, sizeof(*c)), 0);
	free(saved);
	free(c);
}
END_TEST

START_TEST(config_load_files)
{
	struct conf	*c = conf_new(), *saved;
	char		 err[512], msg[600], *path, *big;
	size_t		 n = 1024 * 1024 + 1;

	ck_assert_ptr_nonnull(saved = malloc(sizeof(*saved)));
	memcpy(saved, c, sizeof(*c));

	ck_assert_int_eq(config_load(c, "/nonexistent/x.toml", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/x.toml: No such file or "
	    "directory");
	ck_assert_int_eq(config_load(c, "/tmp", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/tmp: not a regular file");

	path = tmpfile_write("[worker]\n# x\0y\ncapacity = 2\n", 28);
	ck_assert_int_eq(config_load(c, path, err, sizeof(err)), -1);
	(void)snprintf(msg, sizeof(msg), "%s:2: NUL byte in file", path);
	ck_assert_str_eq(err, msg);
	unlink(path);
	free(path);

	path = tmpfile_write("[worker]\ncapacity = x\n", 22);
	ck_assert_int_eq(config_load(c, path, err, sizeof(err)), -1);
	(void)snprintf(msg, sizeof(msg), "%s:2: invalid value 'x'", path);
	ck_assert_str_eq(err, msg);
	unlink(path);
	free(path);

	ck_assert_ptr_nonnull(big = malloc(n));
	memset(big, '#', n);
	big[n - 1] = '\n';
	path = tmpfile_write(big, n);
	ck_assert_int_eq(config_load(c, path, err, sizeof(err)), -1);
	(void)snprintf(msg, sizeof(msg), "%s: larger than 1048576 bytes",
	    path);
	ck_assert_str_eq(err, msg);
	unlink(path);
	free(path);
	/* exactly the limit is fine */
	path = tmpfile_write(big + 1, n - 1);
	ck_assert_msg(config_load(c, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c->c_path, path);
	unlink(path);
	free(path);
	free(big);

	ck_assert_int_eq(memcmp(c->c_pubkey, saved->c_pubkey,
	    sizeof(*c) - sizeof(c->c_path)), 0);
	free(saved);
	free(c);
}
END_TEST

START_TEST(config_names)
{
	ck_assert_str_eq(config_job_type_name(JOB_PATCHGEN), "PatchGen");
	ck_assert_str_eq(config_job_type_name(JOB_TEXTGEN), "TextGen");
	ck_assert_str_eq(config_job_type_name(JOB_TYPE_MAX), "unknown");
	ck_assert_int_eq(config_job_type_lookup("CodeReview"), JOB_CODEREVIEW);
	ck_assert_int_eq(config_job_type_lookup("SandboxRun"), JOB_SANDBOXRUN);
	ck_assert_int_eq(config_job_type_lookup("codereview"), -1);
	ck_assert_int_eq(config_job_type_lookup(""), -1);
	ck_assert_int_eq(config_job_type_lookup(NULL), -1);
	ck_assert_int_eq(config_job_type_kind(JOB_PATCHGEN), 5932);
	ck_assert_int_eq(config_job_type_kind(JOB_CODEREVIEW), 5933);
	ck_assert_int_eq(config_job_type_kind(JOB_REPOINDEX), 5931);
	ck_assert_int_eq(config_job_type_kind(JOB_SANDBOXRUN), 5930);
	ck_assert_int_eq(config_job_type_kind(JOB_TEXTGEN), 5050);
	ck_assert_int_eq(config_job_type_kind(JOB_TYPE_MAX), -1);
	ck_assert_str_eq(config_isolation_name(ISOLATION_LOCAL), "local");
	ck_assert_str_eq(config_isolation_name(ISOLATION_FIRECRACKER),
	    "firecracker");
	ck_assert_str_eq(config_schedule_name(SCHEDULE_SCHEDULE), "schedule");
	ck_assert_str_eq(config_payment_name(PAYMENT_PAY_FIRST), "pay_first");
	ck_assert_str_eq(config_agent_name(AGENT_CLAUDE), "claude");
	ck_assert_str_eq(config_tunnel_name(TUNNEL_CLOUDFLARE), "cloudflare");
	ck_assert_str_eq(config_tunnel_name((enum tunnel_provider)99),
	    "unknown");
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("config");
	tc = tcase_create("model");
	tcase_add_test(tc, config_defaults_all);
	tcase_add_test(tc, config_guide_example);
	tcase_add_test(tc, config_contrib_example);
	tcase_add_test(tc, config_every_key);
	tcase_add_loop_test(tc, config_errors, 0,
	    (int)(sizeof(errors) / sizeof(errors[0])));
	tcase_add_test(tc, config_too_long);
	tcase_add_test(tc, config_failed_keeps_old);
	tcase_add_test(tc, config_load_files);
	tcase_add_test(tc, config_names);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
