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
 * verifyd's three judgements on real `git diff` output (git 2.39, in
 * fixtures/) and on reviews an agent could write.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_run.h"
#include "msg.h"
#include "verify.h"
#include "verify_json.h"

static char		*out;
static struct vj	*v;
static char		 err[256];

static void
setup(void)
{
	out = NULL;
	v = NULL;
	err[0] = '\0';
}

static void
teardown(void)
{
	free(out);
	vj_free(v);
}

static char *
fixture(const char *name, size_t *lenp)
{
	const char	*dir = getenv("OA_VERIFY_FIXTURES");
	char		 path[1024], *buf;
	FILE		*f;
	long		 n;

	ck_assert_ptr_nonnull(dir);
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_msg((f = fopen(path, "rb")) != NULL, "%s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	(void)fclose(f);
	if (lenp != NULL)
		*lenp = (size_t)n;
	return (buf);
}

/* {"patch": text, "allowed_paths": [...], ...} */
static char *
patch_req(const char *patch, size_t len, const char *const *allow,
    const char *const *deny, long long max)
{
	struct vgen	 vg;
	char		*s;

	ck_assert_int_eq(vg_init(&vg), 0);
	vg_map(&vg, 1);
	vg_cstr(&vg, "patch");
	vg_str(&vg, patch, len);
	vg_cstr(&vg, "allowed_paths");
	vg_array(&vg, 1);
	for (; allow != NULL && *allow != NULL; allow++)
		vg_cstr(&vg, *allow);
	vg_array(&vg, 0);
	vg_cstr(&vg, "disallowed_paths");
	vg_array(&vg, 1);
	for (; deny != NULL && *deny != NULL; deny++)
		vg_cstr(&vg, *deny);
	vg_array(&vg, 0);
	if (max > 0)
		vg_kint(&vg, "max_bytes", max);
	vg_map(&vg, 0);
	ck_assert_int_eq(vg_finish(&vg, &s, NULL), 0);
	vg_free(&vg);
	return (s);
}

static char *
review_req(const char *review, size_t len, const char *diff)
{
	struct vgen	 vg;
	char		*s;

	ck_assert_int_eq(vg_init(&vg), 0);
	vg_map(&vg, 1);
	vg_cstr(&vg, "review");
	vg_str(&vg, review, len);
	vg_kstr(&vg, "diff", diff);
	vg_map(&vg, 0);
	ck_assert_int_eq(vg_finish(&vg, &s, NULL), 0);
	vg_free(&vg);
	return (s);
}

/* run one request and keep its verdict parsed in v */
static void
run(uint32_t what, char *req)
{
	size_t	 len;

	free(out);
	vj_free(v);
	v = NULL;
	ck_assert_msg(verify_request(what, req, strlen(req), &out, &len, err,
	    sizeof(err)) == 0, "%s", err);
	free(req);
	ck_assert_uint_eq(strlen(out), len);
	ck_assert_msg((v = vj_parse(out, len, VJ_DEPTH_MAX, err,
	    sizeof(err))) != NULL, "verdict: %s", err);
}

static const char *
sget(const char *key)
{
	const struct vj	*j = vj_get(v, key, NULL);

	ck_assert_msg(j != NULL && j->t == VJ_STRING, "no string %s in %s",
	    key, out);
	return (j->s);
}

static long long
iget(const char *key)
{
	const struct vj	*j = vj_get(v, key, NULL);

	ck_assert_msg(j != NULL && j->t == VJ_INT, "no integer %s", key);
	return (j->i);
}

static int
ok(void)
{
	const struct vj	*j = vj_get(v, "ok", NULL);

	ck_assert_msg(j != NULL && j->t == VJ_BOOL, "no ok in %s", out);
	return (j->b);
}

static void
expect_not_ok(const char *code, const char *needle)
{
	ck_assert_msg(!ok(), "ok: %s", out);
	ck_assert_str_eq(sget("code"), code);
	ck_assert_msg(strstr(sget("message"), needle) != NULL,
	    "message '%s' lacks '%s'", sget("message"), needle);
}

static const struct vj *
check(const char *name)
{
	const struct vj	*a = vj_get(v, "checks", NULL), *c;
	size_t		 i;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->n, 3);
	for (i = 0; i < a->n; i++) {
		c = a->v[i];
		if (strcmp(vj_get(c, "name", NULL)->s, name) == 0)
			return (c);
	}
	ck_abort_msg("no check %s", name);
	return (NULL);
}

static int
passed(const char *name)
{
	return (vj_get(check(name), "passed", NULL)->b);
}

static const char *
details(const char *name)
{
	return (vj_get(check(name), "details", NULL)->s);
}

START_TEST(patch_ok)
{
	static const char *const allow[] = { "src/**", "tests/", NULL };
	static const char *const deny[] = { ".env", "**/*secret*", NULL };
	const struct vj	*files;
	char		*diff, sha[65];
	size_t		 len;

	diff = fixture("fix.diff", &len);
	ck_assert_int_eq(vj_sha256(diff, len, sha), 0);
	run(VERIFY_PATCH, patch_req(diff, len, allow, deny, 0));
	ck_assert_msg(ok(), "%s", out);
	ck_assert_ptr_null(vj_get(v, "code", NULL));
	ck_assert_str_eq(sget("sha256"), sha);
	ck_assert_int_eq(iget("files_changed"), 3);
	ck_assert_int_eq(iget("additions"), 5);
	ck_assert_int_eq(iget("deletions"), 3);
	files = vj_get(v, "files", NULL);
	ck_assert_uint_eq(files->n, 3);
	ck_assert_str_eq(files->v[0]->s, "src/auth.c");
	ck_assert_str_eq(files->v[1]->s, "src/auth.h");
	ck_assert_str_eq(files->v[2]->s, "tests/test_auth.c");
	ck_assert_str_eq(sget("message"),
	    "3 files changed, 5 insertions(+), 3 deletions(-)");

	/* no rules at all */
	run(VERIFY_PATCH, patch_req(diff, len, NULL, NULL, 0));
	ck_assert(ok());
	free(diff);
}
END_TEST

START_TEST(patch_rules)
{
	static const char *const src[] = { "src/**", NULL };
	static const char *const env[] = { ".env*", NULL };
	static const char *const bad[] = { "", NULL };
	char	*diff;
	size_t	 len;

	diff = fixture("fix.diff", &len);
	run(VERIFY_PATCH, patch_req(diff, len, src, NULL, 0));
	expect_not_ok("E006", "tests/test_auth.c");
	ck_assert_int_eq(iget("files_changed"), 3);	/* still counted */
	run(VERIFY_PATCH, patch_req(diff, len, bad, NULL, 0));
	expect_not_ok("E001", "glob");
	run(VERIFY_PATCH, patch_req(diff, len, NULL, NULL, 100));
	expect_not_ok("E005", "more than the 100 allowed");
	free(diff);

	diff = fixture("env.diff", &len);
	run(VERIFY_PATCH, patch_req(diff, len, NULL, env, 0));
	expect_not_ok("E006", ".env");
	free(diff);
}
END_TEST

START_TEST(patch_bad)
{
	static const char *const texts[] = {
		"hello world\n", "diff --git a/x b/x\n@@ garbage",
		("--- a/../../etc/passwd\n+++ b/../../etc/passwd\n"
		"@@ -1 +1 @@\n-a\n+b\n"),
	};
	size_t	 i;

	run(VERIFY_PATCH, patch_req("", 0, NULL, NULL, 0));
	expect_not_ok("E006", "the agent produced no change");
	ck_assert_str_eq(sget("sha256"), "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	run(VERIFY_PATCH, patch_req(" \n\n\t\n", 4, NULL, NULL, 0));
	expect_not_ok("E006", "no change");
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		run(VERIFY_PATCH, patch_req(texts[i], strlen(texts[i]), NULL,
		    NULL, 0));
		expect_not_ok("E006", "the patch does not parse");
		ck_assert_int_eq(iget("files_changed"), 0);
	}
	/* a NUL inside survives the JSON and is refused */
	run(VERIFY_PATCH, patch_req("--- a/x\n\0", 9, NULL, NULL, 0));
	expect_not_ok("E006", "NUL");
}
END_TEST

START_TEST(patch_protocol)
{
	static const char *const bad[] = {
		"", "nope", "[]", "{}", "{\"patch\":1}",
		"{\"patch\":\"\",\"patch\":\"\"}",
		"{\"patch\":\"\",\"allowed_paths\":[1]}",
		"{\"patch\":\"\",\"allowed_paths\":\"src/**\"}",
		"{\"patch\":\"\",\"allowed_paths\":[\"a\\u0000b\"]}",
		"{\"patch\":\"\",\"max_bytes\":0}",
		"{\"patch\":\"\",\"max_bytes\":\"5\"}",
		"{\"patch\":\"\"} /* comment */",
	};
	size_t	 i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(verify_patch(bad[i], strlen(bad[i]), &out, &len,
		    err, sizeof(err)) == -1, "accepted %s", bad[i]);
		ck_assert_ptr_null(out);
		ck_assert(err[0] != '\0');
	}
	ck_assert_int_eq(verify_request(9, "{}", 2, &out, &len, err,
	    sizeof(err)), -1);
}
END_TEST

static const char canonical[] =
    "{\"summary\":\"Empty user names are now refused and the check result "
    "is normalised.\",\"approval_status\":\"request_changes\",\"issues\":"
    "[{\"severity\":\"high\",\"category\":\"logic\",\"file\":\"src/auth.c\","
    "\"line_range\":[6,6],\"description\":\"check() may return values "
    "other than 0 and 1.\",\"suggested_fix\":\"return (check(user) != "
    "0);\"},{\"severity\":\"low\",\"category\":\"testing\",\"file\":"
    "\"tests/test_auth.c\",\"line_range\":[3,3],\"description\":\"No test "
    "for a NULL user.\"}],\"suggestions\":[{\"file\":\"src/auth.h\","
    "\"line\":1,\"current\":\"int check(const char *);\",\"suggested\":"
    "\"int check(const char *user);\",\"rationale\":\"Named parameters "
    "document the interface.\"}],\"highlights\":[\"Good test coverage of "
    "the empty name\"]}";

static void
review(const char *name)
{
	char	*diff, *rv;
	size_t	 len;

	diff = fixture("fix.diff", NULL);
	rv = fixture(name, &len);
	run(VERIFY_REVIEW, review_req(rv, len, diff));
	free(diff);
	free(rv);
}

START_TEST(review_valid)
{
	char	 sha[65];

	review("review-valid.json");
	ck_assert_msg(ok(), "%s", out);
	ck_assert(passed("schema_valid"));
	ck_assert(passed("non_trivial"));
	ck_assert(passed("references_valid"));
	ck_assert_ptr_nonnull(strstr(details("schema_valid"), "1 members"));
	ck_assert_str_eq(sget("content"), canonical);
	ck_assert_int_eq(vj_sha256(canonical, strlen(canonical), sha), 0);
	ck_assert_str_eq(sget("sha256"), sha);
	ck_assert_str_eq(sget("approval_status"), "request_changes");
	ck_assert_int_eq(iget("issues_found"), 2);
	ck_assert_str_eq(sget("severity_max"), "high");
	ck_assert_int_eq(iget("suggestions_count"), 1);
	ck_assert_ptr_null(vj_get(v, "code", NULL));
}
END_TEST

START_TEST(review_invalid)
{
	review("review-bad-severity.json");
	expect_not_ok("E006", "schema_valid");
	ck_assert(!passed("schema_valid"));
	ck_assert_ptr_nonnull(strstr(details("schema_valid"),
	    "issues[0].severity: \"major\" is not one of critical"));
	ck_assert(!passed("non_trivial"));
	ck_assert_ptr_nonnull(strstr(details("non_trivial"), "not checked"));
	ck_assert_ptr_null(vj_get(v, "content", NULL));
	ck_assert_ptr_null(vj_get(v, "sha256", NULL));
	ck_assert_int_eq(iget("issues_found"), 0);
	ck_assert_str_eq(sget("severity_max"), "none");

	review("review-no-summary.json");
	expect_not_ok("E006", "summary: missing");

	review("review-trivial.json");
	expect_not_ok("E006", "non_trivial");
	ck_assert(passed("schema_valid"));
	ck_assert(passed("references_valid"));
	ck_assert_ptr_nonnull(vj_get(v, "content", NULL));
	ck_assert_str_eq(sget("severity_max"), "none");
	ck_assert_str_eq(sget("approval_status"), "approve");

	review("review-bad-ref.json");
	expect_not_ok("E006", "references_valid");
	ck_assert(passed("schema_valid"));
	ck_assert(passed("non_trivial"));
	ck_assert_ptr_nonnull(strstr(details("references_valid"),
	    "\"src/session.c\" is not in the diff"));
}
END_TEST

/* reviews written inline: { text, what the schema details say } */
START_TEST(review_schema)
{
	static const struct {
		const char	*text, *needle;
	} bad[] = {
		{ "", "not JSON" },
		{ "[]", "not a JSON object" },
		{ "{\"summary\":1,\"approval_status\":\"approve\"}",
		    "summary: not a string" },
		{ "{\"summary\":\"s\"}", "approval_status: missing" },
		{ "{\"summary\":\"s\",\"approval_status\":\"Approve\"}",
		    "\"Approve\" is not one of approve" },
		{ "{\"summary\":\"s\",\"summary\":\"t\","
		    "\"approval_status\":\"approve\"}", "summary: given twice" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"issues\":{}}", "issues: not an array" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"issues\":[{\"severity\":\"info\",\"category\":\"bug\","
		    "\"file\":\"x\",\"line_range\":[1,1],\"description\":\"d\"}"
		    "]}", "issues[0].category: \"bug\" is not one of" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"issues\":[{\"severity\":\"info\",\"category\":\"style\","
		    "\"file\":\"x\",\"line_range\":[5,1],\"description\":\"d\"}"
		    "]}", "start after end" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"issues\":[{\"severity\":\"info\",\"category\":\"style\","
		    "\"file\":\"x\",\"line_range\":[1.5,2],\"description\":"
		    "\"d\"}]}", "line_range[0]: not a line number" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"issues\":[{\"severity\":\"info\",\"category\":\"style\","
		    "\"file\":\"x\",\"line_range\":[1],\"description\":\"d\"}"
		    "]}", "not [start, end]" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"issues\":[{\"severity\":\"info\",\"category\":\"style\","
		    "\"file\":\"x\",\"line_range\":[1,2]}]}",
		    "description: missing" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"issues\":[{\"severity\":\"info\",\"category\":\"style\","
		    "\"file\":\"x\",\"line_range\":[1,2],\"description\":\"d\","
		    "\"suggested_fix\":7}]}", "suggested_fix: not a string" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"suggestions\":[{\"file\":\"x\",\"line\":-1,"
		    "\"current\":\"\",\"suggested\":\"\",\"rationale\":\"\"}]}",
		    "suggestions[0].line: not a line number" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"suggestions\":[{\"file\":\"x\",\"line\":"
		    "1234567890123456789012345678901234567890123456789012345678901"
		    "234567890,\"current\":\"\",\"suggested\":\"\","
		    "\"rationale\":\"\"}]}",
		    "suggestions[0].line: not a line number" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"suggestions\":[{\"file\":\"x\",\"line\":1}]}",
		    "suggestions[0].current: missing" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"highlights\":[\"a\",2]}", "highlights[1]: not a string" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\","
		    "\"issues\":[3]}", "issues[0]: not an object" },
		{ "{\"summary\":\"s\" /* c */,\"approval_status\":\"approve\"}",
		    "not JSON" },
		{ "{\"summary\":\"s\",\"approval_status\":\"approve\"} x",
		    "not JSON" },
	};
	char	 deep[200];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run(VERIFY_REVIEW, review_req(bad[i].text,
		    strlen(bad[i].text), ""));
		ck_assert_msg(!passed("schema_valid"), "passed %s",
		    bad[i].text);
		ck_assert_msg(strstr(details("schema_valid"), bad[i].needle)
		    != NULL, "%s: details '%s'", bad[i].text,
		    details("schema_valid"));
		ck_assert_str_eq(sget("code"), "E006");
	}
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	run(VERIFY_REVIEW, review_req(deep, sizeof(deep), ""));
	ck_assert_ptr_nonnull(strstr(details("schema_valid"), "deeper"));
}
END_TEST

START_TEST(review_edges)
{
	static const char nul[] = "{\"summary\":\"a\\u0000b\","
	    "\"approval_status\":\"comment\",\"highlights\":[\"h\"]}";
	static const char refs[] = "{\"summary\":\"s\","
	    "\"approval_status\":\"comment\",\"issues\":[{\"severity\":"
	    "\"info\",\"category\":\"style\",\"file\":\"a/x.c\","
	    "\"line_range\":[0,0],\"description\":\"d\"}]}";
	static const char blank[] = "{\"summary\":\" \\n\","
	    "\"approval_status\":\"approve\",\"highlights\":[\"x\"]}";
	static const char cut[] = "diff --git a/y.c b/x.c\n--- a/x.c\t2026\n"
	    "+++ b/x.c\t2026\n@@ -1,5 +1,5 @@\n-a\n+b\n";
	static const char diffx[] = "--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n"
	    "-a\n+b\n";
	char	*big;

	/* the NUL is kept, escaped, in the content */
	run(VERIFY_REVIEW, review_req(nul, strlen(nul), ""));
	ck_assert_msg(ok(), "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "a\\\\u0000b"));

	/* a reference with a/ matches; the content has the diff's name */
	run(VERIFY_REVIEW, review_req(refs, strlen(refs), diffx));
	ck_assert_msg(ok(), "%s", out);
	ck_assert_ptr_nonnull(strstr(sget("content"), "\"file\":\"x.c\""));
	ck_assert_str_eq(sget("severity_max"), "info");

	/* a diff that is not strict git format: names from its headers */
	run(VERIFY_REVIEW, review_req(refs, strlen(refs), "not a diff"));
	expect_not_ok("E006", "references_valid: issues[0].file: \"a/x.c\" "
	    "is not in the diff (names from the header lines");
	run(VERIFY_REVIEW, review_req(refs, strlen(refs), cut));
	ck_assert_msg(ok(), "%s", out);
	ck_assert_ptr_nonnull(strstr(details("references_valid"),
	    "header lines"));
	ck_assert_ptr_nonnull(strstr(sget("content"), "\"file\":\"x.c\""));

	/* a summary of blanks is empty */
	run(VERIFY_REVIEW, review_req(blank, strlen(blank), ""));
	expect_not_ok("E006", "the summary is empty");

	big = malloc(VERIFY_REVIEW_MAX + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', VERIFY_REVIEW_MAX + 1);
	big[VERIFY_REVIEW_MAX + 1] = '\0';
	run(VERIFY_REVIEW, review_req(big, VERIFY_REVIEW_MAX + 1, ""));
	expect_not_ok("E005", "more than");
	free(big);

	free(out);
	ck_assert_int_eq(verify_review("{\"review\":\"\"}", 13, &out, NULL,
	    err, sizeof(err)), -1);
}
END_TEST

static const char sha_a[] =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char sha_e[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#define AGENT_OK "\"agent\":{\"ok\":true,\"trajectory_id\":\"session_1\"," \
	"\"usage\":{\"input_tokens\":1200,\"output_tokens\":300," \
	"\"cache_read_tokens\":50},\"duration_ms\":9000}"
#define PATCH_OK "\"patch\":{\"ok\":true,\"sha256\":\"" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"," \
	"\"files_changed\":3,\"additions\":5,\"deletions\":3," \
	"\"message\":\"ok\",\"files\":[]}"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define USAGE_TAGS "[\"usage\",\"input_tokens\",\"1200\"]," \
	"[\"usage\",\"output_tokens\",\"300\"]," \
	"[\"usage\",\"cache_read_tokens\",\"50\"]"

static void
result(const char *json)
{
	char	*s;

	ck_assert_ptr_nonnull(s = strdup(json));
	run(VERIFY_RESULT, s);
}

static void
expect_result(const char *status, const char *code, const char *tags)
{
	ck_assert_str_eq(sget("status"), status);
	if (code == NULL)
		ck_assert_ptr_null(vj_get(v, "code", NULL));
	else
		ck_assert_str_eq(sget("code"), code);
	ck_assert_msg(strstr(out, tags) != NULL, "tags differ:\n%s\n%s",
	    out, tags);
}

START_TEST(result_patchgen)
{
	result("{\"type\":\"PatchGen\",\"job_id\":\"job_1\"," AGENT_OK ","
	    PATCH_OK ",\"test\":{\"ok\":true,\"applies_cleanly\":true,"
	    "\"test_exit_code\":0,\"test_stderr_sha256\":\"" SHA_B "\","
	    "\"verifications\":[{\"name\":\"npm\",\"command\":\"npm run "
	    "lint\",\"exit_code\":0}],\"timed_out\":false},"
	    "\"limits\":{\"time_limit_secs\":900,\"memory_mb\":4096}}");
	expect_result("success", NULL, "\"tags\":[[\"result\","
	    "\"patch_sha256\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaa\"],[\"result\",\"trajectory_id\",\"session_1\"]"
	    ",[\"result\",\"applies_cleanly\",\"true\"],[\"result\","
	    "\"test_exit_code\",\"0\"],[\"result\",\"files_changed\",\"3\"],"
	    "[\"result\",\"additions\",\"5\"],[\"result\",\"deletions\",\"3\"],"
	    "[\"result\",\"verification\",\"npm\",\"0\"]," USAGE_TAGS "]}");
	ck_assert_str_eq(sget("content_sha256"), sha_a);

	/* tests fail: the failure form of §A.4 */
	result("{\"type\":\"PatchGen\",\"job_id\":\"job_1\"," AGENT_OK ","
	    PATCH_OK ",\"test\":{\"ok\":true,\"applies_cleanly\":true,"
	    "\"test_exit_code\":1,\"test_stderr_sha256\":\"" SHA_B "\"}}");
	expect_result("failed", "E006", "\"tags\":[[\"error\",\"E006\","
	    "\"Tests failed after applying patch\"],[\"result\","
	    "\"trajectory_id\",\"session_1\"],[\"result\",\"test_exit_code\","
	    "\"1\"],[\"result\",\"test_stderr_sha256\",\"" SHA_B "\"],"
	    USAGE_TAGS "]");
	ck_assert_str_eq(sget("content_sha256"), sha_e);

	/* does not apply */
	result("{\"type\":\"PatchGen\",\"job_id\":\"j\"," AGENT_OK ","
	    PATCH_OK ",\"test\":{\"ok\":true,\"applies_cleanly\":false}}");
	expect_result("failed", "E006", "[\"error\",\"E006\",\"Patch does "
	    "not apply cleanly\"]");

	/* no test command: delivered untested */
	result("{\"type\":\"PatchGen\",\"job_id\":\"j\"," AGENT_OK ","
	    PATCH_OK ",\"test\":{\"ok\":true,\"applies_cleanly\":true}}");
	expect_result("partial_success", "E006", "[\"result\","
	    "\"applies_cleanly\",\"true\"],[\"result\",\"files_changed\"");
	ck_assert_ptr_null(strstr(out, "\"error\""));
	result("{\"type\":\"PatchGen\",\"job_id\":\"j\"," AGENT_OK ","
	    PATCH_OK "}");
	expect_result("partial_success", "E006", "patch_sha256");

	/* a verification command fails */
	result("{\"type\":\"PatchGen\",\"job_id\":\"j\"," AGENT_OK ","
	    PATCH_OK ",\"test\":{\"ok\":true,\"applies_cleanly\":true,"
	    "\"test_exit_code\":0,\"verifications\":[{\"name\":\"lint\","
	    "\"exit_code\":0},{\"name\":\"typecheck\",\"exit_code\":2}]}}");
	expect_result("partial_success", "E006", "[\"result\","
	    "\"verification\",\"lint\",\"0\"],[\"result\",\"verification\","
	    "\"typecheck\",\"2\"]");
	ck_assert_ptr_nonnull(strstr(sget("message"), "typecheck"));

	/* the agent ran out of time, or failed */
	result("{\"type\":\"PatchGen\",\"job_id\":\"j\",\"agent\":{\"ok\":"
	    "false,\"code\":\"E004\",\"message\":\"Timeout exceeded after 900 "
	    "seconds\",\"timed_out\":true}}");
	expect_result("timeout", "E004", "\"tags\":[[\"error\",\"E004\","
	    "\"Timeout exceeded after 900 seconds\"]]");
	result("{\"type\":\"PatchGen\",\"job_id\":\"j\",\"agent\":{\"ok\":"
	    "false,\"code\":\"E002\",\"message\":\"repository not "
	    "accessible\"}}");
	expect_result("failed", "E002", "[\"error\",\"E002\",\"repository "
	    "not accessible\"]");
	result("{\"type\":\"PatchGen\",\"job_id\":\"j\",\"agent\":{\"ok\":"
	    "false,\"code\":\"bogus\"}}");
	expect_result("failed", "E007", "[\"error\",\"E007\",\"the agent "
	    "failed\"]");

	/* the patch verdict refused it */
	result("{\"type\":\"PatchGen\",\"job_id\":\"j\"," AGENT_OK ","
	    "\"patch\":{\"ok\":false,\"code\":\"E006\",\"message\":\"the "
	    "agent produced no change\",\"sha256\":\"" SHA_B "\"}}");
	expect_result("failed", "E006", "[[\"error\",\"E006\",\"the agent "
	    "produced no change\"],[\"result\",\"trajectory_id\","
	    "\"session_1\"],");

	/* the test phase timed out */
	result("{\"type\":\"PatchGen\",\"job_id\":\"j\"," AGENT_OK ","
	    PATCH_OK ",\"test\":{\"ok\":false,\"code\":\"E004\","
	    "\"timed_out\":true}}");
	expect_result("timeout", "E004", "[\"error\",\"E004\",");
}
END_TEST

START_TEST(result_codereview)
{
	result("{\"type\":\"CodeReview\",\"job_id\":\"j\"," AGENT_OK ","
	    "\"review\":{\"ok\":true,\"sha256\":\"" SHA_B "\","
	    "\"approval_status\":\"request_changes\",\"issues_found\":1,"
	    "\"severity_max\":\"critical\",\"suggestions_count\":1,"
	    "\"content\":\"{}\",\"checks\":[]}}");
	expect_result("success", NULL, "\"tags\":[[\"result\","
	    "\"review_sha256\",\"" SHA_B "\"],[\"result\",\"trajectory_id\","
	    "\"session_1\"],[\"result\",\"approval_status\","
	    "\"request_changes\"],[\"result\",\"issues_found\",\"1\"],"
	    "[\"result\",\"severity_max\",\"critical\"],[\"result\","
	    "\"suggestions_count\",\"1\"]," USAGE_TAGS "]");
	ck_assert_str_eq(sget("content_sha256"), SHA_B);

	result("{\"type\":\"CodeReview\",\"job_id\":\"j\"," AGENT_OK ","
	    "\"review\":{\"ok\":false,\"code\":\"E006\",\"message\":"
	    "\"schema_valid: summary: missing\"}}");
	expect_result("failed", "E006", "[[\"error\",\"E006\","
	    "\"schema_valid: summary: missing\"],[\"result\","
	    "\"trajectory_id\",\"session_1\"]");
	ck_assert_str_eq(sget("content_sha256"), sha_e);
}
END_TEST

START_TEST(result_sandboxrun)
{
	result("{\"type\":\"SandboxRun\",\"job_id\":\"j\",\"run\":{\"ok\":"
	    "true,\"exit_code\":3,\"output_file\":\"output.txt\","
	    "\"output_sha256\":\"" SHA_B "\",\"stdout_sha256\":\"" SHA_B "\","
	    "\"stderr_sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b"
	    "934ca495991b7852b855\",\"duration_ms\":1500,\"peak_memory_mb\":"
	    "120,\"cpu_seconds\":1.25,\"timed_out\":false,\"trajectory_id\":"
	    "\"run_1\"},\"limits\":{\"time_limit_secs\":300,\"memory_mb\":"
	    "4096}}");
	expect_result("success", NULL, "\"tags\":[[\"result\","
	    "\"output_sha256\",\"" SHA_B "\"],[\"result\",\"trajectory_id\","
	    "\"run_1\"],[\"result\",\"exit_code\",\"3\"],[\"result\","
	    "\"stdout_sha256\",\"" SHA_B "\"],[\"result\",\"stderr_sha256\","
	    "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8"
	    "55\"],[\"result\",\"duration_ms\",\"1500\"],[\"result\","
	    "\"peak_memory_mb\",\"120\"],[\"result\",\"cpu_seconds\","
	    "\"1.250\"]]");
	ck_assert_str_eq(sget("content_sha256"), SHA_B);

	result("{\"type\":\"SandboxRun\",\"job_id\":\"j\",\"run\":{\"ok\":"
	    "false,\"code\":\"E004\",\"timed_out\":true,\"trajectory_id\":"
	    "\"run_1\"},\"limits\":{\"time_limit_secs\":300}}");
	expect_result("timeout", "E004", "\"tags\":[[\"error\",\"E004\","
	    "\"Timeout exceeded after 300 seconds\"],[\"result\","
	    "\"trajectory_id\",\"run_1\"]]");

	result("{\"type\":\"SandboxRun\",\"job_id\":\"j\",\"run\":{\"ok\":"
	    "true,\"exit_code\":0,\"output_sha256\":\"" SHA_B "\","
	    "\"duration_ms\":301000},\"limits\":{\"time_limit_secs\":300}}");
	expect_result("timeout", "E004", "[\"error\",\"E004\"");

	result("{\"type\":\"SandboxRun\",\"job_id\":\"j\",\"run\":{\"ok\":"
	    "true,\"exit_code\":0,\"output_sha256\":\"" SHA_B "\","
	    "\"peak_memory_mb\":5000},\"limits\":{\"memory_mb\":4096}}");
	expect_result("failed", "E005", "[\"error\",\"E005\",\"Memory limit");

	result("{\"type\":\"SandboxRun\",\"job_id\":\"j\",\"run\":{\"ok\":"
	    "false,\"code\":\"E005\",\"message\":\"pids limit\"}}");
	expect_result("failed", "E005", "[\"error\",\"E005\",\"pids limit\"]");
}
END_TEST

START_TEST(result_protocol)
{
	static const char *const bad[] = {
		"", "[]", "{\"job_id\":\"j\",\"type\":\"TextGen\"}",
		"{\"type\":\"PatchGen\"}",
		"{\"type\":\"PatchGen\",\"job_id\":\"j\"}",
		"{\"type\":\"PatchGen\",\"job_id\":\"j\",\"agent\":{}}",
		"{\"type\":\"PatchGen\",\"job_id\":\"j\"," AGENT_OK "}",
		"{\"type\":\"PatchGen\",\"job_id\":\"j\"," AGENT_OK ","
		    "\"patch\":{\"ok\":true,\"sha256\":\"xyz\"}}",
		"{\"type\":\"PatchGen\",\"job_id\":\"j\"," AGENT_OK ","
		    "\"patch\":{\"ok\":true,\"sha256\":\"" SHA_B "\"},"
		    "\"test\":{\"ok\":true,\"test_exit_code\":\"0\"}}",
		"{\"type\":\"PatchGen\",\"job_id\":\"j\"," AGENT_OK ","
		    "\"patch\":{\"ok\":true,\"sha256\":\"" SHA_B "\"},"
		    "\"test\":{\"ok\":true,\"test_exit_code\":0,"
		    "\"verifications\":[{\"name\":\"x\"}]}}",
		"{\"type\":\"CodeReview\",\"job_id\":\"j\"," AGENT_OK "}",
		"{\"type\":\"SandboxRun\",\"job_id\":\"j\"}",
		"{\"type\":\"SandboxRun\",\"job_id\":\"j\",\"run\":{\"ok\":1}}",
		("{\"type\":\"SandboxRun\",\"job_id\":\"j\",\"run\":{\"ok\":"
		    "true}}"),
	};
	size_t	 i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(verify_result(bad[i], strlen(bad[i]), &out,
		    &len, err, sizeof(err)) == -1, "accepted %s", bad[i]);
		ck_assert_ptr_null(out);
		ck_assert(err[0] != '\0');
	}
}
END_TEST

static Suite *
verify_suite(void)
{
	Suite	*s = suite_create("verify");
	TCase	*tc = tcase_create("verdicts");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, patch_ok);
	tcase_add_test(tc, patch_rules);
	tcase_add_test(tc, patch_bad);
	tcase_add_test(tc, patch_protocol);
	tcase_add_test(tc, review_valid);
	tcase_add_test(tc, review_invalid);
	tcase_add_test(tc, review_schema);
	tcase_add_test(tc, review_edges);
	tcase_add_test(tc, result_patchgen);
	tcase_add_test(tc, result_codereview);
	tcase_add_test(tc, result_sandboxrun);
	tcase_add_test(tc, result_protocol);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(verify_suite()));
}
