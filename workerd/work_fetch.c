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
 * Getting the buyer's repository: a shallow clone at the ref, made in
 * a sandbox because git parses what the remote sends; then the secret
 * filter, here, before any agent or command sees the tree; then a
 * fresh one-commit repository of what is left, so that the agent's
 * `git diff` shows its own change and nothing of the history (which
 * would still hold the filtered files).
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "diff.h"
#include "log.h"
#include "work_fetch.h"
#include "work_job.h"

#define FETCH_LIMIT_MS		(300 * 1000)
#define FILTER_DEPTH		256
#define FILTER_HEAD		256	/* bytes read for a key header */

/*
 * Exit codes: 10 the remote is unreachable, 11 the ref is not there;
 * out/error says more.  Everything the remote controls stays quoted.
 */
static const char fetch_sh[] =
"dst=$OA_REPO_DIR\n"
"proto='-c protocol.allow=never -c protocol.https.allow=always'\n"
"if [ \"$OA_ALLOW_FILE\" = 1 ]; then\n"
"	proto=\"$proto -c protocol.file.allow=always\"\n"
"fi\n"
"g() {\n"
"	# $proto is split on purpose: it holds only our own words\n"
"	git -c core.hooksPath=/dev/null $proto -c submodule.recurse=false \\\n"
"	    -c filter.lfs.smudge= -c filter.lfs.clean= \\\n"
"	    -c filter.lfs.process= -c filter.lfs.required=false \\\n"
"	    -c core.fsmonitor=false -c core.symlinks=true \\\n"
"	    -c advice.detachedHead=false -c init.defaultBranch=main \"$@\"\n"
"}\n"
"lastlog() {\n"
"	tail -n 2 \"$out/git.log\" | tr '\\n' ' ' | cut -c1-300\n"
"}\n"
"g ls-remote -- \"$OA_URL\" HEAD >/dev/null 2>\"$out/git.log\" ||\n"
"	fail 10 \"$(lastlog)\"\n"
"cd \"$dst\" || fail 12 \"no repository folder\"\n"
"if [ \"$OA_REF\" = HEAD ]; then\n"
"	g clone -q --depth 1 --no-tags -- \"$OA_URL\" . 2>>\"$out/git.log\" ||\n"
"	    fail 10 \"$(lastlog)\"\n"
"elif g clone -q --depth 1 --no-tags --branch \"$OA_REF\" -- \"$OA_URL\" . \\\n"
"    2>>\"$out/git.log\"; then\n"
"	:\n"
"else\n"
"	case $OA_REF in\n"
"	*[!0-9a-fA-F]*) fail 11 \"no branch or tag $OA_REF\" ;;\n"
"	esac\n"
"	[ ${#OA_REF} -ge 7 ] || fail 11 \"no branch or tag $OA_REF\"\n"
"	g init -q . && g remote add origin \"$OA_URL\" || fail 12 \"git init\"\n"
"	if [ ${#OA_REF} -eq 40 ]; then\n"
"		g fetch -q --depth 1 --no-tags origin \"$OA_REF\" \\\n"
"		    2>>\"$out/git.log\" && g checkout -q FETCH_HEAD \\\n"
"		    2>>\"$out/git.log\" || fail 11 \"no commit $OA_REF\"\n"
"	else\n"
"		# a short SHA names nothing the remote can be asked for\n"
"		g fetch -q --no-tags origin 2>>\"$out/git.log\" &&\n"
"		    g checkout -q --detach \"$OA_REF^{commit}\" \\\n"
"		    2>>\"$out/git.log\" || fail 11 \"no commit $OA_REF\"\n"
"	fi\n"
"fi\n"
"g rev-parse HEAD >\"$out/sha\" || fail 12 \"git rev-parse\"\n"
"du -sk . | cut -f1 >\"$out/du\"\n"
"rm -rf .git\n";

/* The filtered tree as a repository of one commit, the same always. */
static const char prepare_sh[] =
"set -e\n"
"cd \"$OA_REPO_DIR\"\n"
"who=openagents\n"
"mail=provider@openagents.invalid\n"
"when=2000-01-01T00:00:00Z\n"
"export GIT_AUTHOR_NAME=$who GIT_AUTHOR_EMAIL=$mail GIT_AUTHOR_DATE=$when\n"
"export GIT_COMMITTER_NAME=$who GIT_COMMITTER_EMAIL=$mail\n"
"export GIT_COMMITTER_DATE=$when\n"
"g() {\n"
"	git -c core.hooksPath=/dev/null -c core.autocrlf=false \\\n"
"	    -c core.fsmonitor=false -c init.defaultBranch=main \\\n"
"	    -c commit.gpgsign=false \"$@\"\n"
"}\n"
"g init -q .\n"
"g add -A -f .\n"
"g commit -q --no-verify --allow-empty -m filtered\n";

/* Names that hold secrets wherever they are. */
static const char *const filter_names[] = {
	".env", ".env.*", "*credentials*", "*.pem", "*.key", "id_rsa*",
	"id_dsa*", "id_ed25519*", "id_ecdsa*", "*.p12", "*.pfx", ".netrc",
};

struct filter_ctx {
	struct work_job	*fc_job;
	FILE		*fc_log;
	size_t		 fc_removed;
	int		 fc_error;
};

static void	fetch_done(struct work_job *,
		    const struct container_result *);
static void	prepare_done(struct work_job *,
		    const struct container_result *);

/* "-----BEGIN ... PRIVATE KEY-----" as the first line. */
static int
filter_keyfile(int dirfd, const char *name)
{
	char	 buf[FILTER_HEAD + 1], *nl;
	ssize_t	 n;
	int	 fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return (0);
	n = read(fd, buf, FILTER_HEAD);
	(void)close(fd);
	if (n <= 0)
		return (0);
	buf[n] = '\0';
	if (strncmp(buf, "-----BEGIN ", 11) != 0)
		return (0);
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	nl = buf + strcspn(buf, "\r");
	*nl = '\0';
	return (nl - buf >= 27 && strcmp(nl - 16, "PRIVATE KEY-----") == 0);
}

static int
filter_match(const struct work_order *wo, const char *rel, const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(filter_names) / sizeof(filter_names[0]); i++)
		if (diff_glob_match(filter_names[i], name) == 1)
			return (1);
	for (i = 0; i < wo->wo_disallowed.sv_n; i++)
		if (diff_glob_match(wo->wo_disallowed.sv_v[i], rel) == 1)
			return (1);
	return (0);
}

static void
filter_dir(struct filter_ctx *fc, int fd, const char *prefix, int depth)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		 rel[PATH_MAX];
	int		 sub, hit;

	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		fc->fc_error = 1;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(rel, sizeof(rel), "%s%s%s", prefix,
		    prefix[0] != '\0' ? "/" : "", de->d_name) >= sizeof(rel)) {
			fc->fc_error = 1;
			continue;
		}
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			fc->fc_error = 1;
			continue;
		}
		hit = filter_match(&fc->fc_job->wj_order, rel, de->d_name);
		if (!hit && S_ISREG(st.st_mode))
			hit = filter_keyfile(dirfd(d), de->d_name);
		if (hit) {
			if (rmtree_at(dirfd(d), de->d_name, 0) == -1)
				fc->fc_error = 1;
			else {
				fc->fc_removed++;
				(void)fprintf(fc->fc_log, "%s\n", rel);
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (depth >= FILTER_DEPTH) {
			fc->fc_error = 1;
			continue;
		}
		if ((sub = openat(dirfd(d), de->d_name, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
			fc->fc_error = 1;
			continue;
		}
		filter_dir(fc, sub, rel, depth + 1);
	}
	(void)closedir(d);
}

/* Remove the secrets from repo/; the list goes to filtered.txt. */
static int
fetch_filter(struct work_job *job, char *err, size_t errlen)
{
	struct filter_ctx	 fc;
	char			 p[OA_PATH_MAX];
	int			 fd, lfd;

	memset(&fc, 0, sizeof(fc));
	fc.fc_job = job;
	if ((lfd = job_open(job, "filtered.txt", O_WRONLY | O_CREAT |
	    O_TRUNC, 0644)) == -1 || (fc.fc_log = fdopen(lfd, "w")) == NULL) {
		errbuf_set(err, errlen, "filtered.txt: %s", strerror(errno));
		if (lfd != -1)
			(void)close(lfd);
		return (-1);
	}
	if (job_path(job, p, sizeof(p), "repo") == -1 ||
	    (fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		errbuf_set(err, errlen, "repo: %s", strerror(errno));
		(void)fclose(fc.fc_log);
		return (-1);
	}
	filter_dir(&fc, fd, "", 0);
	if (fclose(fc.fc_log) == EOF)
		fc.fc_error = 1;
	if (fc.fc_error) {
		errbuf_set(err, errlen, "the secret filter could not go "
		    "through the whole tree");
		return (-1);
	}
	log_debug("%s: filtered %zu paths", job->wj_order.wo_job,
	    fc.fc_removed);
	return (0);
}

/*
 * A file:// source must be under a folder the operator allowed; both
 * sides are resolved, so no link leads out of it.
 */
static int
fetch_local_ok(struct work_job *job, const char *path)
{
	const struct work_order	*wo = &job->wj_order;
	char			 real[PATH_MAX], allow[PATH_MAX];
	size_t			 i, n;

	if (realpath(path, real) == NULL)
		return (0);
	for (i = 0; i < wo->wo_local_repos.sv_n; i++) {
		if (realpath(wo->wo_local_repos.sv_v[i], allow) == NULL)
			continue;
		n = strlen(allow);
		if (strncmp(real, allow, n) == 0 &&
		    (real[n] == '\0' || real[n] == '/' ||
		    strcmp(allow, "/") == 0)) {
			free(job->wj_local_src);
			if ((job->wj_local_src = strdup(real)) == NULL)
				fatal("%s", __func__);
			return (1);
		}
	}
	return (0);
}

static int
url_clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '\\')
			return (0);
	return (1);
}

static int
ref_clean(const char *s)
{
	/* what git check-ref-format lets through, roughly, and no option */
	if (s[0] == '-' || s[0] == '\0' || strstr(s, "..") != NULL)
		return (0);
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == '~' ||
		    *s == '^' || *s == ':' || *s == '?' || *s == '*' ||
		    *s == '[' || *s == '\\')
			return (0);
	return (1);
}

void
fetch_start(struct work_job *job, work_then_cb then)
{
	const struct work_order	*wo = &job->wj_order;
	const char		*url = wo->wo_repo_url;
	struct work_env		*env = &job->wj_box.b_env;
	char			 p[OA_PATH_MAX];
	int			 local = 0;

	job->wj_then = then;
	if (!url_clean(url)) {
		work_fail(job, "E001", 0, "invalid repository URL");
		return;
	}
	if (!ref_clean(wo->wo_repo_ref)) {
		work_fail(job, "E001", 0, "invalid repo_ref");
		return;
	}
	if (strncmp(url, "file://", 7) == 0) {
		if (url[7] != '/' || !fetch_local_ok(job, url + 7)) {
			work_fail(job, "E002", 0, "file:// repositories are "
			    "not allowed: set [worker] allow_local_repos");
			return;
		}
		local = 1;
	} else if (strncmp(url, "https://", 8) != 0) {
		work_fail(job, "E002", 0, "repository not accessible: only "
		    "https:// URLs are fetched");
		return;
	}
	/* what a workerd that died mid-fetch left is no clone to go on */
	if (job_remove(job, "repo.ok") == -1 || job_remove(job, "repo") == -1 ||
	    job_path(job, p, sizeof(p), "repo") == -1 || mkdir(p, 0755) == -1) {
		work_fail(job, "E007", 0, "job folder: %s", strerror(errno));
		return;
	}
	if (box_script(job, "fetch.sh", fetch_sh) == -1 ||
	    box_script(job, "prepare.sh", prepare_sh) == -1) {
		work_fail(job, "E007", 0, "job folder: %s", strerror(errno));
		return;
	}
	work_progress(job, 10, "Fetching the repository");
	box_env(job, env);
	if (local) {
		/* the resolved path: a container has only that one bound */
		if ((size_t)snprintf(p, sizeof(p), "file://%s",
		    job->wj_local_src) >= sizeof(p)) {
			env_free(env);
			work_fail(job, "E002", 0, "repository path too long");
			return;
		}
		env_add(env, "OA_URL", p);
	} else
		env_add(env, "OA_URL", url);
	env_add(env, "OA_REF", wo->wo_repo_ref);
	env_add(env, "OA_ALLOW_FILE", local ? "1" : "0");
	(void)box_run(job, "fetch.sh", "fetch", WB_REPO_RW |
	    (local ? WB_LOCAL_SRC : 0), FETCH_LIMIT_MS, fetch_done);
}

static void
fetch_done(struct work_job *job, const struct container_result *cr)
{
	const struct work_order	*wo = &job->wj_order;
	char			*msg, *sha, err[256];
	int64_t			 kib;
	size_t			 i;

	if (box_failed(job, cr, "fetching the repository"))
		return;
	if (cr->cr_exit_code != 0) {
		msg = box_reason(job);
		if (cr->cr_exit_code == 10)
			work_fail(job, "E002", 0, "repository not accessible: "
			    "%s", msg);
		else if (cr->cr_exit_code == 11)
			work_fail(job, "E003", 0, "ref not found: %s (%s)",
			    wo->wo_repo_ref, msg);
		else
			work_fail(job, "E007", 0, "fetch failed (exit %d): %s",
			    cr->cr_exit_code, msg);
		free(msg);
		return;
	}
	if ((sha = job_read(job, "out/sha", 128, NULL)) == NULL) {
		work_fail(job, "E007", 0, "fetch: no commit recorded");
		return;
	}
	sha[strcspn(sha, "\n")] = '\0';
	for (i = 0; sha[i] != '\0' && strchr("0123456789abcdef", sha[i]); i++)
		;
	if (i != 40 || sha[i] != '\0') {
		free(sha);
		work_fail(job, "E007", 0, "fetch: not a commit id");
		return;
	}
	(void)strlcpy(job->wj_sha, sha, sizeof(job->wj_sha));
	free(sha);
	if (job_read_int(job, "out/du", &kib) == -1) {
		work_fail(job, "E007", 0, "fetch: no size recorded");
		return;
	}
	if (wo->wo_repo_max_bytes > 0 && kib > wo->wo_repo_max_bytes / 1024) {
		work_fail(job, "E005", 0, "repository larger than %lld bytes "
		    "(%lld KiB)", (long long)wo->wo_repo_max_bytes,
		    (long long)kib);
		return;
	}
	work_progress(job, 25, "Filtering secrets out of the repository");
	if (fetch_filter(job, err, sizeof(err)) == -1) {
		work_fail(job, "E007", 0, "%s", err);
		return;
	}
	box_env(job, &job->wj_box.b_env);
	(void)box_run(job, "prepare.sh", "prepare", WB_REPO_RW, FETCH_LIMIT_MS,
	    prepare_done);
}

static void
prepare_done(struct work_job *job, const struct container_result *cr)
{
	if (box_failed(job, cr, "preparing the repository"))
		return;
	if (cr->cr_exit_code != 0) {
		work_fail(job, "E007", 0, "preparing the filtered repository "
		    "failed (exit %d, see prepare.log)", cr->cr_exit_code);
		return;
	}
	if (job_write_atomic(job, "repo.ok", job->wj_sha,
	    strlen(job->wj_sha)) == -1) {
		work_fail(job, "E007", 0, "repo.ok: %s", strerror(errno));
		return;
	}
	job->wj_then(job);
}

/*
 * A later phase reuses the filtered repository when the earlier one
 * finished it; otherwise it is made again.
 */
void
fetch_reuse_or_start(struct work_job *job, work_then_cb then)
{
	char	*sha;

	if ((sha = job_read(job, "repo.ok", 64, NULL)) != NULL &&
	    strlen(sha) == 40 && job_exists(job, "repo/.git")) {
		(void)strlcpy(job->wj_sha, sha, sizeof(job->wj_sha));
		free(sha);
		then(job);
		return;
	}
	free(sha);
	fetch_start(job, then);
}
