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
/* Work orders: the JSON of work.h into a struct work_order. */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <yajl/yajl_tree.h>

#include "log.h"
#include "util.h"
#include "work.h"
#include "work_order.h"

#define WO_STR_MAX	(256 * 1024)	/* an issue or a diff */
#define WO_SHORT_MAX	4096	/* URLs, paths, refs, commands */
#define WO_LIST_MAX	256

static const char	*wo_types[] = { "PatchGen", "CodeReview",
			    "SandboxRun" };
static const char	*wo_phases[] = { NULL, "agent", "test", "run" };
static const char	*wo_isolations[] = { "local", "container", "gvisor",
			    "firecracker" };
static const char	*wo_backends[] = { "command", "codex", "claude" };

const char *
work_type_name(enum work_type t)
{
	if ((size_t)t >= sizeof(wo_types) / sizeof(wo_types[0]))
		return ("?");
	return (wo_types[t]);
}

const char *
work_phase_name(enum work_phase p)
{
	if (p < WORK_PHASE_AGENT || p > WORK_PHASE_RUN)
		return ("?");
	return (wo_phases[p]);
}

static int
wo_enum(const char *s, const char *const *names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(s, names[i]) == 0)
			return ((int)i);
	return (-1);
}

static yajl_val
wo_get(yajl_val obj, const char *key)
{
	size_t	 i;

	for (i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return (obj->u.object.values[i]);
	return (NULL);
}

/* A string without NUL bytes (yajl keeps them) of at most max bytes. */
static int
wo_str(yajl_val obj, const char *key, int required, size_t max, char **out,
    char *err, size_t errlen)
{
	yajl_val	 v;

	*out = NULL;
	if ((v = wo_get(obj, key)) == NULL) {
		if (!required)
			return (0);
		errbuf_set(err, errlen, "%s: missing", key);
		return (-1);
	}
	if (!YAJL_IS_STRING(v)) {
		errbuf_set(err, errlen, "%s: not a string", key);
		return (-1);
	}
	if (strlen(v->u.string) > max) {
		errbuf_set(err, errlen, "%s: longer than %zu bytes", key, max);
		return (-1);
	}
	if ((*out = strdup(v->u.string)) == NULL)
		fatal("%s", __func__);
	return (0);
}

static int
wo_int(yajl_val obj, const char *key, int64_t min, int64_t max,
    int64_t *out, char *err, size_t errlen)
{
	yajl_val	 v;

	if ((v = wo_get(obj, key)) == NULL) {
		errbuf_set(err, errlen, "%s: missing", key);
		return (-1);
	}
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < min ||
	    YAJL_GET_INTEGER(v) > max) {
		errbuf_set(err, errlen, "%s: not an integer in %lld..%lld",
		    key, (long long)min, (long long)max);
		return (-1);
	}
	*out = YAJL_GET_INTEGER(v);
	return (0);
}

static int
wo_list(yajl_val obj, const char *key, struct work_strv *sv, char *err,
    size_t errlen)
{
	yajl_val	 v, e;
	size_t		 i;

	sv->sv_n = 0;
	if ((sv->sv_v = calloc(1, sizeof(char *))) == NULL)
		fatal("%s", __func__);
	if ((v = wo_get(obj, key)) == NULL)
		return (0);
	if (!YAJL_IS_ARRAY(v) || v->u.array.len > WO_LIST_MAX) {
		errbuf_set(err, errlen, "%s: not an array of at most %d",
		    key, WO_LIST_MAX);
		return (-1);
	}
	free(sv->sv_v);
	if ((sv->sv_v = calloc(v->u.array.len + 1, sizeof(char *))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < v->u.array.len; i++) {
		e = v->u.array.values[i];
		if (!YAJL_IS_STRING(e) || strlen(e->u.string) > WO_SHORT_MAX) {
			errbuf_set(err, errlen, "%s[%zu]: not a string of "
			    "at most %d bytes", key, i, WO_SHORT_MAX);
			return (-1);
		}
		if ((sv->sv_v[i] = strdup(e->u.string)) == NULL)
			fatal("%s", __func__);
		sv->sv_n++;
	}
	return (0);
}

static int
wo_job_id(const char *s)
{
	size_t	 i, n = strlen(s);

	/* a path component of the jobs folder: nothing but these */
	if (n == 0 || n >= WORK_JOBID_LEN || s[0] == '.')
		return (-1);
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '-'))
			return (-1);
	return (0);
}

static int
wo_agent(yajl_val root, struct work_order *wo, char *err, size_t errlen)
{
	yajl_val	 a;
	char		*backend;
	int		 b;

	if ((a = wo_get(root, "agent")) == NULL) {
		/* only the agent phase runs one */
		if (wo->wo_phase != WORK_PHASE_AGENT)
			return (0);
		errbuf_set(err, errlen, "agent: missing");
		return (-1);
	}
	if (!YAJL_IS_OBJECT(a)) {
		errbuf_set(err, errlen, "agent: not an object");
		return (-1);
	}
	if (wo_str(a, "backend", 1, 32, &backend, err, errlen) == -1)
		return (-1);
	b = wo_enum(backend, wo_backends, 3);
	free(backend);
	if (b == -1) {
		errbuf_set(err, errlen, "agent.backend: unknown");
		return (-1);
	}
	wo->wo_backend = b;
	if (wo_str(a, "command", b == WORK_AGENT_COMMAND &&
	    wo->wo_phase == WORK_PHASE_AGENT, WO_SHORT_MAX,
	    &wo->wo_agent_command, err, errlen) == -1 ||
	    wo_str(a, "model", 0, 256, &wo->wo_model, err, errlen) == -1)
		return (-1);
	if (wo->wo_agent_command != NULL && wo->wo_agent_command[0] != '/' &&
	    b == WORK_AGENT_COMMAND) {
		errbuf_set(err, errlen, "agent.command: not an absolute path");
		return (-1);
	}
	return (0);
}

static int
wo_fields(yajl_val root, enum work_phase phase, struct work_order *wo,
    char *err, size_t errlen)
{
	yajl_val	 v;
	char		*s;
	int		 t, review, run, patch;

	if (wo_str(root, "job_id", 1, WORK_JOBID_LEN, &s, err, errlen) == -1)
		return (-1);
	if (wo_job_id(s) == -1) {
		free(s);
		errbuf_set(err, errlen, "job_id: not a job id");
		return (-1);
	}
	(void)strlcpy(wo->wo_job, s, sizeof(wo->wo_job));
	free(s);

	if (wo_str(root, "type", 1, 32, &s, err, errlen) == -1)
		return (-1);
	t = wo_enum(s, wo_types, 3);
	free(s);
	if (t == -1) {
		errbuf_set(err, errlen, "type: unknown");
		return (-1);
	}
	wo->wo_type = t;
	if (wo_str(root, "phase", 1, 16, &s, err, errlen) == -1)
		return (-1);
	t = wo_enum(s, wo_phases, 4);
	free(s);
	if (t == -1 || t != (int)phase) {
		errbuf_set(err, errlen, "phase: unknown or not the message's");
		return (-1);
	}
	wo->wo_phase = t;
	patch = wo->wo_type == WORK_PATCHGEN;
	review = wo->wo_type == WORK_REVIEW;
	run = wo->wo_type == WORK_SANDBOXRUN;
	if (run != (phase == WORK_PHASE_RUN) ||
	    (phase == WORK_PHASE_TEST && !patch)) {
		errbuf_set(err, errlen, "phase %s is not one of %s",
		    work_phase_name(phase), work_type_name(wo->wo_type));
		return (-1);
	}

	if (wo_str(root, "repo_url", !review, WO_SHORT_MAX, &wo->wo_repo_url,
	    err, errlen) == -1 ||
	    wo_str(root, "repo_ref", 0, 256, &wo->wo_repo_ref, err,
	    errlen) == -1 ||
	    wo_str(root, "subdir", 0, WO_SHORT_MAX, &wo->wo_subdir, err,
	    errlen) == -1 ||
	    wo_str(root, "issue", patch && phase == WORK_PHASE_AGENT,
	    WO_STR_MAX, &wo->wo_issue, err, errlen) == -1 ||
	    wo_str(root, "diff", review, WO_STR_MAX, &wo->wo_diff, err,
	    errlen) == -1 ||
	    wo_str(root, "focus", 0, 256, &wo->wo_focus, err, errlen) == -1 ||
	    wo_str(root, "depth", 0, 64, &wo->wo_depth, err, errlen) == -1 ||
	    wo_list(root, "allowed_paths", &wo->wo_allowed, err,
	    errlen) == -1 ||
	    wo_list(root, "disallowed_paths", &wo->wo_disallowed, err,
	    errlen) == -1 ||
	    wo_str(root, "test_command", 0, WO_SHORT_MAX,
	    &wo->wo_test_command, err, errlen) == -1 ||
	    wo_list(root, "verification_commands", &wo->wo_verifications, err,
	    errlen) == -1 ||
	    wo_str(root, "command", run, WO_SHORT_MAX, &wo->wo_command, err,
	    errlen) == -1 ||
	    wo_list(root, "env", &wo->wo_env, err, errlen) == -1 ||
	    wo_str(root, "workdir", 0, WO_SHORT_MAX, &wo->wo_workdir, err,
	    errlen) == -1 ||
	    wo_int(root, "time_limit_secs", 1, 86400, &wo->wo_time_limit_secs,
	    err, errlen) == -1 ||
	    wo_int(root, "memory_mb", 0, 1 << 20, &wo->wo_memory_mb, err,
	    errlen) == -1 ||
	    wo_int(root, "pids", 0, 1 << 20, &wo->wo_pids, err, errlen) == -1 ||
	    wo_int(root, "disk_mb", 0, 1 << 24, &wo->wo_disk_mb, err,
	    errlen) == -1 ||
	    wo_int(root, "repo_max_bytes", 0, INT64_MAX,
	    &wo->wo_repo_max_bytes, err, errlen) == -1 ||
	    wo_list(root, "allow_local_repos", &wo->wo_local_repos, err,
	    errlen) == -1 ||
	    wo_str(root, "proxy_socket", 1, WO_SHORT_MAX,
	    &wo->wo_proxy_socket, err, errlen) == -1 ||
	    wo_str(root, "patch_file", phase == WORK_PHASE_TEST, 64,
	    &wo->wo_patch_file, err, errlen) == -1)
		return (-1);

	if ((v = wo_get(root, "cpu_limit")) == NULL || !YAJL_IS_NUMBER(v) ||
	    !isfinite(YAJL_GET_DOUBLE(v)) || YAJL_GET_DOUBLE(v) < 0 ||
	    YAJL_GET_DOUBLE(v) > 1024) {
		errbuf_set(err, errlen, "cpu_limit: not a number in 0..1024");
		return (-1);
	}
	wo->wo_cpu_limit = YAJL_GET_DOUBLE(v);
	if (wo_str(root, "isolation", 1, 32, &s, err, errlen) == -1)
		return (-1);
	t = wo_enum(s, wo_isolations, 4);
	free(s);
	if (t == -1) {
		errbuf_set(err, errlen, "isolation: unknown");
		return (-1);
	}
	wo->wo_isolation = t;
	if (wo->wo_proxy_socket[0] != '\0' && wo->wo_proxy_socket[0] != '/') {
		errbuf_set(err, errlen, "proxy_socket: not an absolute path");
		return (-1);
	}
	/* a file of the job folder, by name */
	if (wo->wo_patch_file != NULL && (wo->wo_patch_file[0] == '\0' ||
	    wo->wo_patch_file[0] == '.' ||
	    strchr(wo->wo_patch_file, '/') != NULL)) {
		errbuf_set(err, errlen, "patch_file: not a file name");
		return (-1);
	}
	return (wo_agent(root, wo, err, errlen));
}

static char *
wo_dup(const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		fatal("%s", __func__);
	return (d);
}

int
work_order_parse(const char *json, size_t len, enum work_phase phase,
    struct work_order *wo, char *err, size_t errlen)
{
	yajl_val	 root;
	char		*text, ebuf[128];
	int		 r;

	memset(wo, 0, sizeof(*wo));
	if (len == 0 || len > WORK_ORDER_MAX || memchr(json, '\0', len)) {
		errbuf_set(err, errlen, "not a JSON text of at most %d bytes",
		    WORK_ORDER_MAX);
		return (-1);
	}
	if ((text = malloc(len + 1)) == NULL)
		fatal("%s", __func__);
	memcpy(text, json, len);
	text[len] = '\0';
	ebuf[0] = '\0';
	root = yajl_tree_parse(text, ebuf, sizeof(ebuf));
	free(text);
	if (root == NULL || !YAJL_IS_OBJECT(root)) {
		ebuf[strcspn(ebuf, "\n")] = '\0';
		errbuf_set(err, errlen, "not a JSON object: %s", ebuf);
		yajl_tree_free(root);
		return (-1);
	}
	r = wo_fields(root, phase, wo, err, errlen);
	yajl_tree_free(root);
	if (r == -1) {
		work_order_free(wo);
		return (-1);
	}
	if (wo->wo_repo_ref == NULL || wo->wo_repo_ref[0] == '\0') {
		free(wo->wo_repo_ref);
		wo->wo_repo_ref = wo_dup("HEAD");
	}
	if (wo->wo_subdir == NULL)
		wo->wo_subdir = wo_dup("");
	if (wo->wo_workdir == NULL)
		wo->wo_workdir = wo_dup("");
	return (0);
}

static void
wo_strv_free(struct work_strv *sv)
{
	size_t	 i;

	if (sv->sv_v == NULL)
		return;
	for (i = 0; i < sv->sv_n; i++)
		free(sv->sv_v[i]);
	free(sv->sv_v);
	sv->sv_v = NULL;
	sv->sv_n = 0;
}

void
work_order_free(struct work_order *wo)
{
	free(wo->wo_repo_url);
	free(wo->wo_repo_ref);
	free(wo->wo_subdir);
	free(wo->wo_issue);
	free(wo->wo_diff);
	free(wo->wo_focus);
	free(wo->wo_depth);
	wo_strv_free(&wo->wo_allowed);
	wo_strv_free(&wo->wo_disallowed);
	free(wo->wo_test_command);
	wo_strv_free(&wo->wo_verifications);
	free(wo->wo_command);
	wo_strv_free(&wo->wo_env);
	free(wo->wo_workdir);
	free(wo->wo_agent_command);
	free(wo->wo_model);
	wo_strv_free(&wo->wo_local_repos);
	free(wo->wo_proxy_socket);
	free(wo->wo_patch_file);
	memset(wo, 0, sizeof(*wo));
}
