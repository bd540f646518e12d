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
 * Trajectories, jobs/<id>/trajectory.jsonl: our header line, the
 * agent's JSON lines as it wrote them (anything else wrapped as a
 * text line), and our end line.  Token usage is read on the way.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bsd/string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "log.h"
#include "work_job.h"
#include "work_traj.h"

#define TRAJ_LINE_MAX	(1024 * 1024)
#define TRAJ_MAX	(32 * 1024 * 1024)
#define TRAJ_DEPTH	64

/* trajectory_id: "traj_" and the hex part of the job id */
const char *
traj_id(const struct work_job *job, char *buf, size_t len)
{
	const char	*id = job->wj_order.wo_job;

	if (strncmp(id, "job_", 4) == 0)
		id += 4;
	(void)snprintf(buf, len, "traj_%s", id);
	return (buf);
}

static void
traj_time(time_t t, char *buf, size_t len)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)strlcpy(buf, "1970-01-01T00:00:00Z", len);
}

static void
traj_emit(FILE *f, yajl_gen g)
{
	const unsigned char	*buf;
	size_t			 len;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	(void)fwrite(buf, 1, len, f);
	(void)fputc('\n', f);
	yajl_gen_free(g);
}

static void
traj_header(const struct work_job *job, FILE *f)
{
	const struct work_order	*wo = &job->wj_order;
	yajl_gen		 g = jg_new();
	char			 ts[32];

	traj_time(job->wj_started_at, ts, sizeof(ts));
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	jg_str(g, "type", "header");
	jg_str(g, "format", "oa-trajectory/1");
	jg_str(g, "job_id", wo->wo_job);
	jg_str(g, "job_type", work_type_name(wo->wo_type));
	jg_str(g, "phase", work_phase_name(wo->wo_phase));
	if (job->wj_sha[0] != '\0')
		jg_str(g, "repo_sha", job->wj_sha);
	jg_str(g, "started_at", ts);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	traj_emit(f, g);
}

static void
traj_end(const struct work_job *job, FILE *f, int64_t rc, int64_t ms)
{
	yajl_gen	 g = jg_new();
	char		 ts[32];

	traj_time(time(NULL), ts, sizeof(ts));
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	jg_str(g, "type", "end");
	jg_str(g, "ended_at", ts);
	jg_int(g, "exit_code", rc);
	jg_int(g, "duration_ms", ms);
	jg_usage(g, &job->wj_usage);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	traj_emit(f, g);
}

static int64_t
traj_num(yajl_val obj, const char *key)
{
	const char	*path[2] = { key, NULL };
	yajl_val	 v;

	v = yajl_tree_get(obj, path, yajl_t_number);
	if (v == NULL || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
		return (0);
	return (YAJL_GET_INTEGER(v));
}

/*
 * Our own usage line, or codex's turn.completed; like the Codex
 * provider of the reference code, cached input counts as input too.
 */
static void
traj_usage(struct work_usage *u, yajl_val obj)
{
	const char	*tp[2] = { "type", NULL }, *up[2] = { "usage", NULL };
	yajl_val	 t, us;
	int64_t		 cached;

	if ((t = yajl_tree_get(obj, tp, yajl_t_string)) == NULL)
		return;
	if (strcmp(t->u.string, "usage") == 0) {
		u->u_input += traj_num(obj, "input_tokens");
		u->u_output += traj_num(obj, "output_tokens");
		u->u_cache_read += traj_num(obj, "cache_read_tokens");
		u->u_seen = 1;
	} else if (strcmp(t->u.string, "turn.completed") == 0 &&
	    (us = yajl_tree_get(obj, up, yajl_t_object)) != NULL) {
		cached = traj_num(us, "cached_input_tokens");
		u->u_input += traj_num(us, "input_tokens") + cached;
		u->u_output += traj_num(us, "output_tokens");
		u->u_cache_read += cached;
		u->u_seen = 1;
	}
}

/* yajl_tree recurses: deep nesting from an agent is text, not JSON. */
static int
traj_shallow(const char *s)
{
	int	 depth = 0, instr = 0;

	for (; *s != '\0'; s++) {
		if (instr) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '"')
				instr = 0;
		} else if (*s == '"')
			instr = 1;
		else if (*s == '{' || *s == '[') {
			if (++depth > TRAJ_DEPTH)
				return (0);
		} else if (*s == '}' || *s == ']')
			depth--;
		else if (*s == '/')
			return (0);	/* yajl's comments */
	}
	return (1);
}

/*
 * One line of the agent's stdout into the trajectory: a JSON object as
 * it is, anything else as a text line.  line is changed (its end).
 */
void
traj_convert(struct work_usage *u, FILE *f, char *line, size_t len)
{
	yajl_gen	 g;
	yajl_val	 v;
	char		*clean;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	if (len == 0)
		return;
	if (line[0] == '{' && memchr(line, '\0', len) == NULL &&
	    traj_shallow(line) &&
	    (v = yajl_tree_parse(line, NULL, 0)) != NULL) {
		if (YAJL_IS_OBJECT(v)) {
			traj_usage(u, v);
			yajl_tree_free(v);
			(void)fwrite(line, 1, len, f);
			(void)fputc('\n', f);
			return;
		}
		yajl_tree_free(v);
	}
	g = jg_new();
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	jg_str(g, "type", "text");
	jg_key(g, "text");
	clean = utf8_clean(line, len);
	if (yajl_gen_string(g, (const unsigned char *)clean,
	    strlen(clean)) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	free(clean);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	traj_emit(f, g);
}

static FILE *
traj_open(const struct work_job *job)
{
	FILE	*f;
	int	 fd;

	if ((fd = job_open(job, "trajectory.jsonl", O_WRONLY | O_CREAT |
	    O_TRUNC, 0644)) == -1)
		return (NULL);
	if ((f = fdopen(fd, "w")) == NULL)
		(void)close(fd);
	return (f);
}

void
traj_agent(struct work_job *job, const char *rel, int64_t rc, int64_t ms)
{
	FILE	*f, *in = NULL;
	char	*line = NULL;
	size_t	 cap = 0, total = 0;
	ssize_t	 n;
	int	 fd;

	memset(&job->wj_usage, 0, sizeof(job->wj_usage));
	if ((f = traj_open(job)) == NULL) {
		log_warn("%s: trajectory.jsonl", job->wj_order.wo_job);
		return;
	}
	traj_header(job, f);
	if ((fd = job_open(job, rel, O_RDONLY, 0)) != -1 &&
	    (in = fdopen(fd, "r")) == NULL)
		(void)close(fd);
	while (in != NULL && (n = getline(&line, &cap, in)) != -1) {
		if ((size_t)n > TRAJ_LINE_MAX)
			line[n = TRAJ_LINE_MAX] = '\0';
		if ((total += (size_t)n) > TRAJ_MAX) {
			(void)fputs("{\"type\":\"truncated\"}\n", f);
			break;
		}
		traj_convert(&job->wj_usage, f, line, (size_t)n);
	}
	free(line);
	if (in != NULL)
		(void)fclose(in);
	traj_end(job, f, rc, ms);
	if (fflush(f) == EOF || fsync(fileno(f)) == -1)
		log_warn("%s: trajectory.jsonl", job->wj_order.wo_job);
	(void)fclose(f);
}

/* SandboxRun: no agent, the command is the whole story. */
void
traj_command(struct work_job *job, const char *command, int64_t rc,
    int64_t ms)
{
	yajl_gen	 g;
	FILE		*f;

	memset(&job->wj_usage, 0, sizeof(job->wj_usage));
	if ((f = traj_open(job)) == NULL) {
		log_warn("%s: trajectory.jsonl", job->wj_order.wo_job);
		return;
	}
	traj_header(job, f);
	g = jg_new();
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	jg_str(g, "type", "command");
	jg_str(g, "command", command);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		fatalx("%s", __func__);
	traj_emit(f, g);
	traj_end(job, f, rc, ms);
	if (fflush(f) == EOF || fsync(fileno(f)) == -1)
		log_warn("%s: trajectory.jsonl", job->wj_order.wo_job);
	(void)fclose(f);
}
