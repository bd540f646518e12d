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

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_run.h"
#include "config.h"
#include "hex.h"
#include "job_request.h"
#include "nostr_event.h"

/* NIP-06 key #1's public key: the provider of the §C.10 vector */
static const char ourhex[] =
    "17162c921dc4d2518f9a101db33695df1afb56ab82f5ff3e5da6eec3ca5cd917";
static uint8_t	 ourpk[32];

static struct nostr_event	 ev;
static struct job_request	 jr;
static char			 err[256];
static int			 code;

static void
setup(void)
{
	ck_assert_int_eq(hex_decode(ourhex, 64, ourpk, 32), 0);
	memset(&jr, 0, sizeof(jr));
	err[0] = '\0';
	code = -1;
}

static void
teardown(void)
{
	job_request_free(&jr);
	nostr_event_free(&ev);
}

static void
mk(uint32_t kind)
{
	nostr_event_init(&ev, kind, 1760000000);
	memset(ev.ev_id, 0xab, sizeof(ev.ev_id));
	memset(ev.ev_pubkey, 0xcd, sizeof(ev.ev_pubkey));
}

#define TAG(...)	ck_assert_int_eq(event_add_tagv(&ev, __VA_ARGS__, \
			    (char *)NULL), 0)

static int
parse(void)
{
	job_request_free(&jr);
	return (job_request_parse(&ev, NULL, 0, ourpk, NULL, &jr, &code,
	    err, sizeof(err)));
}

static int
parse_tags(const char *json)
{
	job_request_free(&jr);
	return (job_request_parse(&ev, json, strlen(json), ourpk, NULL, &jr,
	    &code, err, sizeof(err)));
}

static void
expect_fail(int want, const char *needle)
{
	ck_assert_int_eq(parse(), -1);
	ck_assert_int_eq(code, want);
	ck_assert_msg(strstr(err, needle) != NULL, "error '%s' lacks '%s'",
	    err, needle);
}

/* PROTOCOL.md §A.4, the JOB-TYPES example in order */
START_TEST(patchgen_bazaar)
{
	mk(5932);
	TAG("i", "Fix the login bug", "text");
	TAG("i", "Users cannot log in with SSO.", "text");
	TAG("i", "https://github.com/openagents/app", "url");
	TAG("param", "repo_ref", "abc123def456789");
	TAG("param", "target_branch", "main");
	TAG("param", "subdir", "");
	TAG("param", "allowed_paths", "src/**,tests/**,package.json");
	TAG("param", "disallowed_paths",
	    ".env,.env.*,**/*secret*,**/credentials*");
	TAG("param", "test_command", "npm test");
	TAG("param", "verification_commands", "npm run lint,npm run typecheck");
	TAG("param", "time_limit_secs", "900");
	TAG("param", "max_cost_sats", "10000");
	TAG("output", "patch");
	TAG("relays", "wss://relay.damus.io", "wss://nos.lol");
	TAG("bid", "5000");
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_int_eq(code, JE_NONE);
	ck_assert_int_eq(jr.jr_type, JOB_PATCHGEN);
	ck_assert_uint_eq(jr.jr_kind, 5932);
	ck_assert_str_eq(jr.jr_issue,
	    "Fix the login bug\n\nUsers cannot log in with SSO.");
	ck_assert_str_eq(jr.jr_repo_url, "https://github.com/openagents/app");
	ck_assert_str_eq(jr.jr_repo_ref, "abc123def456789");
	ck_assert_str_eq(jr.jr_target_branch, "main");
	ck_assert_ptr_null(jr.jr_subdir);
	ck_assert_uint_eq(jr.jr_allowed.n, 3);
	ck_assert_str_eq(jr.jr_allowed.v[0], "src/**");
	ck_assert_str_eq(jr.jr_allowed.v[2], "package.json");
	ck_assert_ptr_null(jr.jr_allowed.v[3]);
	ck_assert_uint_eq(jr.jr_disallowed.n, 4);
	ck_assert_str_eq(jr.jr_disallowed.v[3], "**/credentials*");
	ck_assert_str_eq(jr.jr_test_command, "npm test");
	ck_assert_uint_eq(jr.jr_verify_cmds.n, 2);
	ck_assert_str_eq(jr.jr_verify_cmds.v[1], "npm run typecheck");
	ck_assert_int_eq(jr.jr_time_limit_secs, 900);
	ck_assert_int_eq(jr.jr_max_cost_sats, 10000);
	ck_assert_int_eq(jr.jr_bid_msats, 5000);
	ck_assert_str_eq(jr.jr_output, "patch");
	ck_assert_uint_eq(jr.jr_relays.n, 2);
	ck_assert_str_eq(jr.jr_relays.v[1], "wss://nos.lol");
	ck_assert_int_eq(jr.jr_encrypted, JOB_PLAIN);
	ck_assert_int_eq(jr.jr_tagged, 0);
	ck_assert_int_eq(jr.jr_for_us, 0);
	ck_assert_int_eq(jr.jr_created_at, 1760000000);
	ck_assert_uint_eq(jr.jr_id[0], 0xab);
	ck_assert_uint_eq(jr.jr_buyer[31], 0xcd);
}
END_TEST

/* PROTOCOL.md §B.5: what the OpenAgents code sends */
START_TEST(patchgen_oa)
{
	mk(5932);
	TAG("i", "file:///srv/repos/app", "url", "", "repo");
	TAG("i", "Title: body", "text", "", "issue");
	TAG("param", "git_ref", "feature/x");
	TAG("param", "include_1", "tests/**");
	TAG("param", "include_0", "src/**");
	TAG("param", "exclude_0", "**/node_modules/**");
	TAG("param", "issue_url", "https://github.com/o/a/issues/7");
	TAG("param", "run_tests", "true");
	TAG("p", ourhex);
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_str_eq(jr.jr_repo_url, "file:///srv/repos/app");
	ck_assert_str_eq(jr.jr_issue, "Title: body");
	ck_assert_str_eq(jr.jr_repo_ref, "feature/x");
	ck_assert_uint_eq(jr.jr_allowed.n, 2);
	ck_assert_str_eq(jr.jr_allowed.v[0], "src/**");
	ck_assert_str_eq(jr.jr_allowed.v[1], "tests/**");
	ck_assert_str_eq(jr.jr_disallowed.v[0], "**/node_modules/**");
	ck_assert_str_eq(jr.jr_issue_url, "https://github.com/o/a/issues/7");
	ck_assert_ptr_null(jr.jr_test_command);
	ck_assert_int_eq(jr.jr_max_cost_sats, -1);
	ck_assert_int_eq(jr.jr_bid_msats, -1);
	ck_assert_int_eq(jr.jr_tagged, 1);
	ck_assert_int_eq(jr.jr_for_us, 1);
	ck_assert_int_eq(jr.jr_time_limit_secs, 900);
	ck_assert_int_eq(jr.jr_memory_mb, 4096);
}
END_TEST

/* markers win over order; an unmarked second url is the issue URL */
START_TEST(patchgen_markers)
{
	mk(5932);
	TAG("i", "https://github.com/o/a/issues/1", "url");
	TAG("i", "https://github.com/o/a", "url", "", "repo");
	TAG("i", "only text", "prompt");
	TAG("param", "repo_ref", "main");
	TAG("p", "00000000000000000000000000000000000000000000000000000000"
	    "00000000");
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_str_eq(jr.jr_repo_url, "https://github.com/o/a");
	ck_assert_str_eq(jr.jr_issue_url, "https://github.com/o/a/issues/1");
	ck_assert_str_eq(jr.jr_issue, "only text");
	ck_assert_int_eq(jr.jr_tagged, 1);
	ck_assert_int_eq(jr.jr_for_us, 0);
}
END_TEST

/* PROTOCOL.md §A.5 */
START_TEST(codereview_bazaar)
{
	mk(5933);
	TAG("i", "diff --git a/x b/x\n", "text");
	TAG("i", "https://github.com/openagents/app/pull/123", "url");
	TAG("param", "repo_url", "https://github.com/openagents/app");
	TAG("param", "base_ref", "main");
	TAG("param", "head_ref", "feature/auth-refactor");
	TAG("param", "focus", "security,performance,logic");
	TAG("param", "depth", "thorough");
	TAG("param", "max_cost_sats", "8000");
	TAG("output", "structured_review");
	TAG("relays", "wss://relay.damus.io");
	TAG("bid", "3000");
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_int_eq(jr.jr_type, JOB_CODEREVIEW);
	ck_assert_str_eq(jr.jr_diff, "diff --git a/x b/x\n");
	ck_assert_str_eq(jr.jr_pr_url,
	    "https://github.com/openagents/app/pull/123");
	ck_assert_str_eq(jr.jr_repo_url, "https://github.com/openagents/app");
	ck_assert_str_eq(jr.jr_repo_ref, "feature/auth-refactor");
	ck_assert_str_eq(jr.jr_focus, "security,performance,logic");
	ck_assert_str_eq(jr.jr_depth, "thorough");
	ck_assert_int_eq(jr.jr_max_cost_sats, 8000);
	ck_assert_int_eq(jr.jr_time_limit_secs, 300);
	ck_assert_str_eq(jr.jr_output, "structured_review");
}
END_TEST

START_TEST(codereview_oa)
{
	mk(5933);
	TAG("i", "https://github.com/o/a/pull/9", "url", "", "pr");
	TAG("i", "--- a\n+++ b\n", "text", "", "diff");
	TAG("param", "focus_1", "bug");
	TAG("param", "focus_0", "security");
	TAG("param", "git_ref", "abc");
	TAG("param", "time_limit_secs", "5");
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_str_eq(jr.jr_diff, "--- a\n+++ b\n");
	ck_assert_str_eq(jr.jr_pr_url, "https://github.com/o/a/pull/9");
	ck_assert_str_eq(jr.jr_focus, "security,bug");
	ck_assert_str_eq(jr.jr_repo_ref, "abc");
	ck_assert_int_eq(jr.jr_time_limit_secs, 30);	/* clamped */
}
END_TEST

START_TEST(codereview_needs_diff)
{
	mk(5933);
	TAG("i", "https://github.com/o/a/pull/9", "url");
	expect_fail(JE_INVALID, "diff");
}
END_TEST

/* PROTOCOL.md §A.7 */
START_TEST(sandboxrun_bazaar)
{
	mk(5930);
	TAG("i", "https://github.com/o/a", "url");
	TAG("param", "repo_ref", "v1.2.3");
	TAG("param", "workdir", "/workspace/pkg");
	TAG("param", "command", "make test");
	TAG("param", "env", "CI=1");
	TAG("param", "env", "LANG=C.UTF-8");
	TAG("param", "timeout_secs", "7200");
	TAG("param", "memory_mb", "2048");
	TAG("param", "cpu_limit", "2.5");
	TAG("param", "max_cost_sats", "500");
	TAG("output", "execution_result");
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_int_eq(jr.jr_type, JOB_SANDBOXRUN);
	ck_assert_str_eq(jr.jr_workdir, "pkg");
	ck_assert_str_eq(jr.jr_command, "make test");
	ck_assert_uint_eq(jr.jr_env.n, 2);
	ck_assert_str_eq(jr.jr_env.v[0], "CI=1");
	ck_assert_str_eq(jr.jr_env.v[1], "LANG=C.UTF-8");
	ck_assert_int_eq(jr.jr_time_limit_secs, 3600);	/* clamped */
	ck_assert_int_eq(jr.jr_memory_mb, 2048);
	ck_assert(jr.jr_cpu_limit == 2.5);
}
END_TEST

START_TEST(sandboxrun_oa)
{
	mk(5930);
	TAG("i", "https://github.com/o/a", "url", "", "repo");
	TAG("param", "git_ref", "main");
	TAG("param", "cmd_10", "make check");
	TAG("param", "cmd_2", "make");
	TAG("param", "cmd_0", "./configure");
	TAG("param", "env_FOO", "bar baz");
	TAG("param", "env__X1", "");
	TAG("param", "max_time_secs", "120");
	TAG("param", "max_memory_mb", "1024");
	TAG("param", "max_cpu_cores", "1");
	TAG("param", "workdir", "/workspace");
	TAG("param", "allow_network", "false");
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_str_eq(jr.jr_command, "./configure && make && make check");
	ck_assert_uint_eq(jr.jr_env.n, 2);
	ck_assert_str_eq(jr.jr_env.v[0], "FOO=bar baz");
	ck_assert_str_eq(jr.jr_env.v[1], "_X1=");
	ck_assert_int_eq(jr.jr_time_limit_secs, 120);
	ck_assert_int_eq(jr.jr_memory_mb, 1024);
	ck_assert(jr.jr_cpu_limit == 1.0);
	ck_assert_ptr_null(jr.jr_workdir);
}
END_TEST

START_TEST(repoindex)
{
	mk(5931);
	TAG("i", "https://github.com/o/a", "url");
	TAG("param", "index_types", "embeddings, symbols");
	TAG("param", "index_type_0", "digests");
	TAG("param", "include_patterns", "src/**");
	TAG("param", "exclude_patterns", "vendor/**");
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_int_eq(jr.jr_type, JOB_REPOINDEX);
	ck_assert_str_eq(jr.jr_repo_ref, "main");
	ck_assert_uint_eq(jr.jr_index_types.n, 3);
	ck_assert_str_eq(jr.jr_index_types.v[1], "symbols");
	ck_assert_str_eq(jr.jr_index_types.v[2], "digests");
	ck_assert_str_eq(jr.jr_allowed.v[0], "src/**");
	ck_assert_str_eq(jr.jr_disallowed.v[0], "vendor/**");
}
END_TEST

START_TEST(textgen)
{
	mk(5050);
	TAG("i", "what is the capital of France?", "prompt");
	TAG("param", "model", "LLaMA-2");
	TAG("output", "text/plain");
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_int_eq(jr.jr_type, JOB_TEXTGEN);
	ck_assert_str_eq(jr.jr_prompt, "what is the capital of France?");

	nostr_event_free(&ev);
	mk(5050);
	ck_assert_int_eq(event_set_content(&ev, "hello", 5), 0);
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_str_eq(jr.jr_prompt, "hello");

	nostr_event_free(&ev);
	mk(5050);
	expect_fail(JE_INVALID, "prompt");
}
END_TEST

/* PROTOCOL.md §C.10: the decrypted plaintext merged into the request */
START_TEST(encrypted)
{
	static const char plain[] = "[[\"i\",\"what is the capital of "
	    "France?\",\"text\"],[\"param\",\"model\",\"LLaMA-2\"]]";

	mk(5050);
	TAG("p", ourhex);
	TAG("encrypted");
	ck_assert_int_eq(event_set_content(&ev, "AgAAAA==", 8), 0);
	ck_assert_int_eq(job_request_is_encrypted(&ev), 1);
	expect_fail(JE_INVALID, "decrypted");
	ck_assert_msg(parse_tags(plain) == 0, "%s", err);
	ck_assert_int_eq(jr.jr_encrypted, JOB_NIP44);
	ck_assert_int_eq(jr.jr_for_us, 1);
	ck_assert_str_eq(jr.jr_prompt, "what is the capital of France?");

	nostr_event_free(&ev);
	mk(5932);
	TAG("p", ourhex);
	TAG("encrypted");
	ck_assert_int_eq(event_set_content(&ev, "abc?iv=AAAA", 11), 0);
	ck_assert_msg(parse_tags("[[\"i\",\"https://x.org/r\",\"url\"],"
	    "[\"i\",\"t\",\"text\"],[\"param\",\"repo_ref\",\"main\"],"
	    "[\"p\",\"ff\"]] ") == 0, "%s", err);
	ck_assert_int_eq(jr.jr_encrypted, JOB_NIP04);
	ck_assert_str_eq(jr.jr_repo_url, "https://x.org/r");
	ck_assert_int_eq(jr.jr_for_us, 1);

	/* a NUL inside a decrypted value is kept, then refused */
	ck_assert_int_eq(parse_tags("[[\"i\",\"https://x.org/r\",\"url\"],"
	    "[\"i\",\"a\\u0000b\",\"text\"],[\"param\",\"repo_ref\","
	    "\"main\"]]"), -1);
	ck_assert_int_eq(code, JE_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
}
END_TEST

START_TEST(encrypted_bad)
{
	static const char *const bad[] = {
		"", "{}", "\"x\"", "[1]", "[[1]]", "[[\"i\",null]]", "[[]]",
		"[[\"i\",[\"x\"]]]", "[[\"i\",{\"a\":1}]]", "[\"i\"]",
		"[[\"i\",\"x\"]", "[[\"i\",\"x\"]] x", "[[\"i\",\"\xff\"]]",
		"[[\"i\",true]]",
	};
	size_t	 i;

	mk(5050);
	TAG("encrypted");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse_tags(bad[i]) == -1, "accepted %s", bad[i]);
		ck_assert_int_eq(code, JE_INVALID);
		ck_assert_ptr_nonnull(strstr(err, "encrypted"));
	}
}
END_TEST

START_TEST(bad_urls)
{
	static const char *const bad[] = {
		"http://github.com/o/a", "git@github.com:o/a", "ssh://x/y",
		"git://x/y", "https://", "https:///x", "https://-oFoo",
		"https://x y", "file://relative", "file:///a/../b",
		"file:///a/..", "ftp://x", "",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nostr_event_free(&ev);
		mk(5932);
		TAG("i", bad[i], "url");
		TAG("i", "issue", "text");
		TAG("param", "repo_ref", "main");
		ck_assert_msg(parse() == -1, "accepted %s", bad[i]);
		ck_assert_int_eq(code, JE_INVALID);
		ck_assert_ptr_nonnull(strstr(err, "i url"));
	}
}
END_TEST

START_TEST(bad_refs)
{
	static const char *const bad[] = {
		"-oX", "a b", "a..b", "", "a\tb", "x@{1}", "HEAD~1", "a^",
		"a:b", "a*", "a[", "a\\b", "a/", "a.", "caf\xc3\xa9",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nostr_event_free(&ev);
		mk(5932);
		TAG("i", "https://x.org/r", "url");
		TAG("i", "issue", "text");
		TAG("param", "repo_ref", bad[i]);
		ck_assert_msg(parse() == -1, "accepted ref %s", bad[i]);
		ck_assert_int_eq(code, JE_INVALID);
		ck_assert_ptr_nonnull(strstr(err, "repo_ref"));
	}
}
END_TEST

static void
sandbox_base(void)
{
	nostr_event_free(&ev);
	mk(5930);
	TAG("i", "https://x.org/r", "url");
	TAG("param", "repo_ref", "main");
	TAG("param", "command", "true");
}

START_TEST(bad_params)
{
	static const struct {
		const char	*key, *val, *needle;
		int		 code;
	} bad[] = {
		{ "env", "NOEQUALS", "param env", JE_INVALID },
		{ "env", "1X=2", "param env", JE_INVALID },
		{ "env", "=2", "param env", JE_INVALID },
		{ "env_A-B", "1", "param env_A-B", JE_INVALID },
		{ "env_", "1", "param env_", JE_INVALID },
		{ "workdir", "../x", "param workdir", JE_INVALID },
		{ "workdir", "a/../../x", "param workdir", JE_INVALID },
		{ "workdir", "/etc", "param workdir", JE_INVALID },
		{ "workdir", "..", "param workdir", JE_INVALID },
		{ "subdir", "a/..", "param subdir", JE_INVALID },
		{ "timeout_secs", "-5", "param timeout_secs", JE_INVALID },
		{ "timeout_secs", "+5", "param timeout_secs", JE_INVALID },
		{ "timeout_secs", " 5", "param timeout_secs", JE_INVALID },
		{ "timeout_secs", "5s", "param timeout_secs", JE_INVALID },
		{ "timeout_secs", "0", "param timeout_secs", JE_INVALID },
		{ "timeout_secs", "0x10", "param timeout_secs", JE_INVALID },
		{ "timeout_secs", "99999999999999999999", "param timeout_secs",
		    JE_INVALID },
		{ "memory_mb", "16385", "param memory_mb", JE_RESOURCE },
		{ "memory_mb", "1e3", "param memory_mb", JE_INVALID },
		{ "cpu_limit", "-1", "param cpu_limit", JE_INVALID },
		{ "cpu_limit", "0", "param cpu_limit", JE_INVALID },
		{ "cpu_limit", "1.", "param cpu_limit", JE_INVALID },
		{ "cpu_limit", ".5", "param cpu_limit", JE_INVALID },
		{ "cpu_limit", "1e2", "param cpu_limit", JE_INVALID },
		{ "cpu_limit", "nan", "param cpu_limit", JE_INVALID },
		{ "cpu_limit", "5000", "param cpu_limit", JE_INVALID },
		{ "max_cost_sats", "ten", "param max_cost_sats", JE_INVALID },
		{ "command", "other", "param command", JE_INVALID },
		{ "cmd_0", "x", "cmd_N", JE_INVALID },
		{ "repo_ref", "dev", "param repo_ref", JE_INVALID },
		{ "git_ref", "dev", "param git_ref", JE_INVALID },
		{ "repo_url", "http://x", "param repo_url", JE_INVALID },
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sandbox_base();
		TAG("param", bad[i].key, bad[i].val);
		ck_assert_msg(parse() == -1, "accepted %s=%s", bad[i].key,
		    bad[i].val);
		ck_assert_msg(code == bad[i].code, "%s=%s: code %d",
		    bad[i].key, bad[i].val, code);
		ck_assert_msg(strstr(err, bad[i].needle) != NULL,
		    "%s=%s: error '%s'", bad[i].key, bad[i].val, err);
	}
	/* the same value twice, in either spelling, is fine */
	sandbox_base();
	TAG("param", "git_ref", "main");
	TAG("param", "timeout_secs", "60");
	TAG("param", "max_time_secs", "60");
	ck_assert_msg(parse() == 0, "%s", err);

	sandbox_base();
	TAG("param", "cmd_3", "a");
	expect_fail(JE_INVALID, "cmd_N: given with param command");

	nostr_event_free(&ev);
	mk(5930);
	TAG("i", "https://x.org/r", "url");
	TAG("param", "repo_ref", "main");
	TAG("param", "cmd_3", "a");
	TAG("param", "cmd_3", "b");
	expect_fail(JE_INVALID, "param cmd_3: index given twice");

	sandbox_base();
	TAG("param");
	expect_fail(JE_INVALID, "param tag without a name");

	sandbox_base();
	TAG("param", "timeout_secs");
	expect_fail(JE_INVALID, "param timeout_secs: no value");

	sandbox_base();
	TAG("bid", "1.5");
	expect_fail(JE_INVALID, "bid");
}
END_TEST

START_TEST(required)
{
	mk(5932);
	TAG("i", "issue", "text");
	TAG("param", "repo_ref", "main");
	expect_fail(JE_INVALID, "repository");

	nostr_event_free(&ev);
	mk(5932);
	TAG("i", "https://x.org/r", "url");
	TAG("i", "issue", "text");
	expect_fail(JE_INVALID, "repo_ref");

	nostr_event_free(&ev);
	mk(5932);
	TAG("i", "https://x.org/r", "url");
	TAG("param", "repo_ref", "main");
	expect_fail(JE_INVALID, "issue");

	nostr_event_free(&ev);
	mk(5930);
	TAG("i", "https://x.org/r", "url");
	TAG("param", "repo_ref", "main");
	expect_fail(JE_INVALID, "command");

	nostr_event_free(&ev);
	mk(5931);
	expect_fail(JE_INVALID, "repository");

	nostr_event_free(&ev);
	mk(5999);
	expect_fail(JE_UNSUPPORTED, "kind 5999");

	nostr_event_free(&ev);
	mk(5932);
	TAG("i", "abcd", "event");
	expect_fail(JE_UNSUPPORTED, "event");
}
END_TEST

START_TEST(limits)
{
	struct job_limits	 lim;
	char			*big;
	size_t			 i;
	char			 key[32], val[32];

	job_limits_default(&lim);
	ck_assert_uint_eq(lim.jl_max_text, 64 * 1024);
	ck_assert_uint_eq(lim.jl_max_diff, 1024 * 1024);
	ck_assert_int_eq(lim.jl_time_min, 30);
	ck_assert_int_eq(lim.jl_time_max, 3600);
	ck_assert_int_eq(lim.jl_memory_max_mb, 16384);

	big = malloc(70 * 1024);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 70 * 1024 - 1);
	big[70 * 1024 - 1] = '\0';

	mk(5932);
	TAG("i", "https://x.org/r", "url");
	TAG("param", "repo_ref", "main");
	TAG("i", big, "text");
	expect_fail(JE_RESOURCE, "i text");

	/* a diff may be bigger than a text */
	nostr_event_free(&ev);
	mk(5933);
	TAG("i", big, "text");
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_uint_eq(strlen(jr.jr_diff), 70 * 1024 - 1);

	sandbox_base();
	TAG("param", "test_command", big);
	expect_fail(JE_RESOURCE, "param test_command");
	free(big);

	sandbox_base();
	for (i = 0; i < 65; i++) {
		(void)snprintf(val, sizeof(val), "V%zu=1", i);
		TAG("param", "env", val);
	}
	expect_fail(JE_RESOURCE, "param env");

	sandbox_base();
	for (i = 0; i < 65; i++) {
		(void)snprintf(key, sizeof(key), "include_%zu", i);
		TAG("param", key, "x/**");
	}
	expect_fail(JE_RESOURCE, "param include_");

	sandbox_base();
	TAG("param", "allowed_paths", "a,,b, c ,");
	ck_assert_msg(parse() == 0, "%s", err);
	ck_assert_uint_eq(jr.jr_allowed.n, 3);
	ck_assert_str_eq(jr.jr_allowed.v[2], "c");

	/* limits given by the caller */
	lim.jl_max_text = 3;
	sandbox_base();
	job_request_free(&jr);
	ck_assert_int_eq(job_request_parse(&ev, NULL, 0, ourpk, &lim, &jr,
	    &code, err, sizeof(err)), -1);
	ck_assert_int_eq(code, JE_RESOURCE);
}
END_TEST

START_TEST(nul_in_value)
{
	const char	*vals[3] = { "param", "command", "a\0b" };
	size_t		 lens[3] = { 5, 7, 3 };

	sandbox_base();
	ck_assert_int_eq(event_add_tag(&ev, vals, lens, 3), 0);
	expect_fail(JE_INVALID, "NUL");
}
END_TEST

START_TEST(error_codes)
{
	ck_assert_str_eq(job_error_code(JE_NONE), "");
	ck_assert_str_eq(job_error_code(JE_INVALID), "E001");
	ck_assert_str_eq(job_error_code(JE_VERIFY), "E006");
	ck_assert_str_eq(job_error_code(JE_RATE), "E010");
	ck_assert_str_eq(job_error_code(99), "E007");
	ck_assert_str_eq(job_error_code(-1), "E007");
	mk(1);
	ck_assert_int_eq(job_request_is_encrypted(&ev), 0);
}
END_TEST

static Suite *
jobreq_suite(void)
{
	Suite	*s = suite_create("job_request");
	TCase	*tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, patchgen_bazaar);
	tcase_add_test(tc, patchgen_oa);
	tcase_add_test(tc, patchgen_markers);
	tcase_add_test(tc, codereview_bazaar);
	tcase_add_test(tc, codereview_oa);
	tcase_add_test(tc, codereview_needs_diff);
	tcase_add_test(tc, sandboxrun_bazaar);
	tcase_add_test(tc, sandboxrun_oa);
	tcase_add_test(tc, repoindex);
	tcase_add_test(tc, textgen);
	tcase_add_test(tc, encrypted);
	tcase_add_test(tc, encrypted_bad);
	tcase_add_test(tc, bad_urls);
	tcase_add_test(tc, bad_refs);
	tcase_add_test(tc, bad_params);
	tcase_add_test(tc, required);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, nul_in_value);
	tcase_add_test(tc, error_codes);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(jobreq_suite()));
}
