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
 * One cgroup per sandbox, below an "openagents" group made inside the
 * cgroup the process already is in (never above it: the limits of
 * whoever runs us stay in force).  cgroup v2 when /sys/fs/cgroup is
 * the unified hierarchy, else the v1 controllers mounted separately;
 * when neither is writable (an ordinary user without delegation) the
 * limits become rlimits of the sandbox, with one warning.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>
#include <bsd/string.h>

#include "log.h"
#include "ct.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_PARENT	"openagents"

static const char *const cg_v1_names[CT_CTL_MAX] = {
	[CT_CTL_MEMORY] = "memory",
	[CT_CTL_PIDS] = "pids",
	[CT_CTL_CPU] = "cpu",
	[CT_CTL_CPUACCT] = "cpuacct",
};

static struct {
	int		 inited;
	int		 version;		/* 0, 1, 2 */
	int		 have;			/* mask of 1 << enum ct_ctl */
	char		 parent[CT_CTL_MAX][PATH_MAX];
	unsigned int	 seq;
} cg;

static int	 cg_own_path(const char *, char *, size_t);
static int	 cg_write(int, const char *, const char *);
static int	 cg_read(int, const char *, char *, size_t);
static int	 cg_field(const char *, const char *, uint64_t *);
static void	 cg_init_v2(void);
static void	 cg_init_v1(void);

/*
 * Our own place in a hierarchy, from /proc/self/cgroup: "0::/path" for
 * v2 (ctl NULL), "N:a,b:/path" for v1 where ctl is one of a, b.
 */
static int
cg_own_path(const char *ctl, char *out, size_t outlen)
{
	FILE	*fp;
	char	 line[PATH_MAX + 64], *ctls, *path, *tok, *save;
	int	 found = 0;

	if ((fp = fopen("/proc/self/cgroup", "re")) == NULL)
		return (-1);
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((ctls = strchr(line, ':')) == NULL)
			continue;
		ctls++;
		if ((path = strchr(ctls, ':')) == NULL)
			continue;
		*path++ = '\0';
		if (ctl == NULL) {
			if (*ctls == '\0' && strncmp(line, "0:", 2) == 0)
				found = 1;
		} else {
			for (tok = strtok_r(ctls, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save))
				if (strcmp(tok, ctl) == 0)
					found = 1;
		}
		if (found && strlcpy(out, strcmp(path, "/") == 0 ? "" : path,
		    outlen) >= outlen)
			found = 0;
	}
	(void)fclose(fp);
	return (found ? 0 : -1);
}

static int
cg_write(int dirfd, const char *file, const char *val)
{
	size_t	 len = strlen(val);
	int	 fd, saved;

	if ((fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC)) == -1)
		return (-1);
	if (write(fd, val, len) != (ssize_t)len) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		return (-1);
	}
	return (close(fd));
}

static int
cg_read(int dirfd, const char *file, char *buf, size_t len)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, buf, len - 1);
	(void)close(fd);
	if (n < 0)
		return (-1);
	buf[n] = '\0';
	return (0);
}

/* "key N" among lines, or the bare number when key is NULL. */
static int
cg_field(const char *text, const char *key, uint64_t *v)
{
	const char	*p = text;
	size_t		 klen;

	if (key == NULL) {
		*v = strtoull(text, NULL, 10);
		return (0);
	}
	klen = strlen(key);
	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			*v = strtoull(p + klen + 1, NULL, 10);
			return (0);
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return (-1);
}

static void
cg_init_v2(void)
{
	char	 own[PATH_MAX], path[PATH_MAX], ctls[256];
	int	 fd;

	if (cg_own_path(NULL, own, sizeof(own)) == -1)
		return;
	if ((size_t)snprintf(path, sizeof(path), CG_ROOT "%s", own) >=
	    sizeof(path))
		return;
	/*
	 * Enabling controllers below our own group fails while it holds
	 * processes (the "no internal processes" rule) unless it was
	 * delegated with a subgroup for us; then what is enabled is used.
	 */
	if ((fd = open(path, O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1)
		return;
	/* one at a time: one unavailable controller fails a whole write */
	(void)cg_write(fd, "cgroup.subtree_control", "+memory");
	(void)cg_write(fd, "cgroup.subtree_control", "+pids");
	(void)cg_write(fd, "cgroup.subtree_control", "+cpu");
	(void)close(fd);
	if ((size_t)snprintf(cg.parent[0], sizeof(cg.parent[0]),
	    "%s/" CG_PARENT, path) >= sizeof(cg.parent[0]))
		return;
	if (mkdir(cg.parent[0], 0755) == -1 && errno != EEXIST)
		return;
	if ((fd = open(cg.parent[0], O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1)
		return;
	(void)cg_write(fd, "cgroup.subtree_control", "+memory");
	(void)cg_write(fd, "cgroup.subtree_control", "+pids");
	(void)cg_write(fd, "cgroup.subtree_control", "+cpu");
	if (cg_read(fd, "cgroup.subtree_control", ctls, sizeof(ctls)) == -1 ||
	    faccessat(fd, "cgroup.procs", W_OK, 0) == -1) {
		(void)close(fd);
		return;
	}
	(void)close(fd);
	/* v2 has one group for all; the mask says which files exist */
	if (strstr(ctls, "memory") != NULL)
		cg.have |= 1 << CT_CTL_MEMORY;
	if (strstr(ctls, "pids") != NULL)
		cg.have |= 1 << CT_CTL_PIDS;
	if (strstr(ctls, "cpu") != NULL)
		cg.have |= 1 << CT_CTL_CPU | 1 << CT_CTL_CPUACCT;
	/* without memory or pids a group limits nothing worth its cost */
	if (cg.have & (1 << CT_CTL_MEMORY | 1 << CT_CTL_PIDS))
		cg.version = 2;
	else
		cg.have = 0;
}

static void
cg_init_v1(void)
{
	struct statfs	 sf;
	char		 own[PATH_MAX], mnt[PATH_MAX];
	int		 i;

	for (i = 0; i < CT_CTL_MAX; i++) {
		(void)snprintf(mnt, sizeof(mnt), CG_ROOT "/%s", cg_v1_names[i]);
		if (statfs(mnt, &sf) == -1 ||
		    (unsigned long)sf.f_type != CGROUP_SUPER_MAGIC)
			continue;
		if (cg_own_path(cg_v1_names[i], own, sizeof(own)) == -1)
			continue;
		if ((size_t)snprintf(cg.parent[i], sizeof(cg.parent[i]),
		    "%s%s/" CG_PARENT, mnt, own) >= sizeof(cg.parent[i]))
			continue;
		if (mkdir(cg.parent[i], 0755) == -1 && errno != EEXIST)
			continue;
		if (access(cg.parent[i], W_OK) == -1)
			continue;
		cg.have |= 1 << i;
	}
	if (cg.have != 0)
		cg.version = 1;
}

int
ct_cgroup_init(void)
{
	struct statfs	 sf;

	if (cg.inited)
		return (cg.version);
	cg.inited = 1;
	if (statfs(CG_ROOT, &sf) == 0 &&
	    (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC)
		cg_init_v2();
	else
		cg_init_v1();
	if (cg.version == 0)
		log_warnx("sandbox: no writable cgroup (v2 or v1): memory, "
		    "pids and cpu limits fall back to rlimits");
	else
		log_debug("sandbox: cgroup v%d, controllers 0x%x", cg.version,
		    (unsigned int)cg.have);
	return (cg.version);
}

/* No group yet: nothing to close or remove. */
void
ct_cgroup_none(struct ct_cgroup *g)
{
	int	 i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < CT_CTL_MAX; i++)
		g->cg_dirfd[i] = -1;
}

/*
 * The groups a sandbox needs: memory always (peak memory, the OOM
 * count), pids and cpu bandwidth when limited.
 */
int
ct_cgroup_create(struct ct_cgroup *g, const struct container_spec *cs)
{
	char		 name[64], val[64], oom[512];
	uint64_t	 n;
	int		 i, want, fd, slot;

	ct_cgroup_none(g);
	if (ct_cgroup_init() == 0)
		return (0);
	/*
	 * v1 keeps cpu time in a hierarchy of its own; the rusage of pid
	 * 1, which reaps the whole tree, says the same for one attach less.
	 */
	want = 1 << CT_CTL_MEMORY;
	if (cg.version == 2)
		want |= 1 << CT_CTL_CPUACCT;
	if (cs->cs_pids > 0)
		want |= 1 << CT_CTL_PIDS;
	if (cs->cs_cpu_millis > 0)
		want |= 1 << CT_CTL_CPU;
	want &= cg.have;
	(void)snprintf(name, sizeof(name), "ct-%d-%u", (int)getpid(),
	    cg.seq++);

	g->cg_version = cg.version;
	for (i = 0; i < CT_CTL_MAX; i++) {
		if (!(want & (1 << i)))
			continue;
		/* v2: one group, made once, reached through every slot */
		if (cg.version == 2 && i != 0 && g->cg_dirfd[0] != -1) {
			g->cg_mask |= 1 << i;
			continue;
		}
		slot = cg.version == 2 ? 0 : i;
		if ((size_t)snprintf(g->cg_path[slot],
		    sizeof(g->cg_path[slot]), "%s/%s", cg.parent[slot],
		    name) >= sizeof(g->cg_path[slot]))
			goto fail;
		if (mkdir(g->cg_path[slot], 0755) == -1 ||
		    (g->cg_dirfd[slot] = open(g->cg_path[slot],
		    O_DIRECTORY | O_RDONLY | O_CLOEXEC)) == -1) {
			log_warn("sandbox: cgroup %s", g->cg_path[slot]);
			g->cg_path[slot][0] = '\0';
			goto fail;
		}
		g->cg_mask |= 1 << i;
	}

	fd = g->cg_dirfd[cg.version == 2 ? 0 : CT_CTL_MEMORY];
	if ((g->cg_mask & (1 << CT_CTL_MEMORY)) && cs->cs_memory_mb > 0) {
		(void)snprintf(val, sizeof(val), "%" PRId64,
		    cs->cs_memory_mb * 1024 * 1024);
		if (cg.version == 2) {
			if (cg_write(fd, "memory.max", val) == -1)
				goto fail_limit;
			/* no swap: the limit is the memory it may use */
			(void)cg_write(fd, "memory.swap.max", "0");
		} else {
			if (cg_write(fd, "memory.limit_in_bytes", val) == -1)
				goto fail_limit;
			if (cg_write(fd, "memory.memsw.limit_in_bytes",
			    val) == -1 && errno != ENOENT)
				goto fail_limit;
		}
	}
	if ((g->cg_mask & (1 << CT_CTL_MEMORY)) && cg.version == 1 &&
	    cg_read(fd, "memory.oom_control", oom, sizeof(oom)) == 0 &&
	    cg_field(oom, "oom_kill", &n) == 0)
		g->cg_oom_before = n;
	if ((g->cg_mask & (1 << CT_CTL_PIDS)) && cs->cs_pids > 0) {
		fd = g->cg_dirfd[cg.version == 2 ? 0 : CT_CTL_PIDS];
		(void)snprintf(val, sizeof(val), "%" PRId64, cs->cs_pids);
		if (cg_write(fd, "pids.max", val) == -1)
			goto fail_limit;
	}
	if ((g->cg_mask & (1 << CT_CTL_CPU)) && cs->cs_cpu_millis > 0) {
		fd = g->cg_dirfd[cg.version == 2 ? 0 : CT_CTL_CPU];
		/* a period of 100 ms; 1000 millis is one full CPU */
		if (cg.version == 2) {
			(void)snprintf(val, sizeof(val), "%" PRId64 " 100000",
			    cs->cs_cpu_millis * 100);
			if (cg_write(fd, "cpu.max", val) == -1)
				goto fail_limit;
		} else {
			(void)snprintf(val, sizeof(val), "%" PRId64,
			    cs->cs_cpu_millis * 100);
			if (cg_write(fd, "cpu.cfs_period_us", "100000") == -1 ||
			    cg_write(fd, "cpu.cfs_quota_us", val) == -1)
				goto fail_limit;
		}
	}
	return (0);

 fail_limit:
	log_warn("sandbox: cgroup limit");
 fail:
	ct_cgroup_destroy(g);
	return (-1);
}

int
ct_cgroup_attach(struct ct_cgroup *g, pid_t pid)
{
	char	 val[32];
	int	 i;

	(void)snprintf(val, sizeof(val), "%d", (int)pid);
	for (i = 0; i < CT_CTL_MAX; i++) {
		if (g->cg_dirfd[i] == -1)
			continue;
		if (cg_write(g->cg_dirfd[i], "cgroup.procs", val) == -1)
			return (-1);
	}
	return (0);
}

/*
 * Killing pid 1 of the sandbox takes its whole pid namespace along;
 * this is for what might have got out of it into the group anyway.
 */
void
ct_cgroup_kill(struct ct_cgroup *g)
{
	char		 buf[4096], *p, *end;
	long		 pid;
	int		 fd = -1, i;

	if (g->cg_version == 2 && g->cg_dirfd[0] != -1) {
		if (cg_write(g->cg_dirfd[0], "cgroup.kill", "1") == 0)
			return;
		fd = g->cg_dirfd[0];
	}
	for (i = 0; fd == -1 && i < CT_CTL_MAX; i++)
		fd = g->cg_dirfd[i];
	if (fd == -1 || cg_read(fd, "cgroup.procs", buf, sizeof(buf)) == -1)
		return;
	for (p = buf; *p != '\0'; p = end) {
		pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 1)
			(void)kill((pid_t)pid, SIGKILL);
	}
}

void
ct_cgroup_stats(struct ct_cgroup *g, struct container_result *cr)
{
	char		 buf[1024];
	uint64_t	 n;
	int		 fd;

	if (g->cg_version == 0)
		return;
	if (g->cg_mask & (1 << CT_CTL_MEMORY)) {
		fd = g->cg_dirfd[g->cg_version == 2 ? 0 : CT_CTL_MEMORY];
		if (g->cg_version == 2) {
			if (cg_read(fd, "memory.peak", buf, sizeof(buf)) == 0 &&
			    cg_field(buf, NULL, &n) == 0)
				cr->cr_peak_memory_kb = (int64_t)(n / 1024);
			if (cg_read(fd, "memory.events", buf,
			    sizeof(buf)) == 0 &&
			    cg_field(buf, "oom_kill", &n) == 0 && n > 0)
				cr->cr_oom = 1;
		} else {
			if (cg_read(fd, "memory.max_usage_in_bytes", buf,
			    sizeof(buf)) == 0 && cg_field(buf, NULL, &n) == 0)
				cr->cr_peak_memory_kb = (int64_t)(n / 1024);
			if (cg_read(fd, "memory.oom_control", buf,
			    sizeof(buf)) == 0 &&
			    cg_field(buf, "oom_kill", &n) == 0 &&
			    n > g->cg_oom_before)
				cr->cr_oom = 1;
		}
	}
	if (g->cg_mask & (1 << CT_CTL_CPUACCT)) {
		if (g->cg_version == 2) {
			if (cg_read(g->cg_dirfd[0], "cpu.stat", buf,
			    sizeof(buf)) == 0 &&
			    cg_field(buf, "usage_usec", &n) == 0)
				cr->cr_cpu_seconds = (double)n / 1e6;
		} else if (cg_read(g->cg_dirfd[CT_CTL_CPUACCT],
		    "cpuacct.usage", buf, sizeof(buf)) == 0 &&
		    cg_field(buf, NULL, &n) == 0)
			cr->cr_cpu_seconds = (double)n / 1e9;
	}
}

void
ct_cgroup_destroy(struct ct_cgroup *g)
{
	struct timespec	 ts = { 0, 1000000 };
	int		 i, tries;

	for (i = 0; i < CT_CTL_MAX; i++) {
		if (g->cg_dirfd[i] != -1)
			(void)close(g->cg_dirfd[i]);
		g->cg_dirfd[i] = -1;
		if (g->cg_path[i][0] == '\0')
			continue;
		/* the last tasks of the group may still be on their way out */
		for (tries = 0; tries < 100; tries++) {
			if (rmdir(g->cg_path[i]) == 0 || errno != EBUSY)
				break;
			(void)nanosleep(&ts, NULL);
		}
		if (tries == 100)
			log_warn("sandbox: rmdir %s", g->cg_path[i]);
		g->cg_path[i][0] = '\0';
	}
	g->cg_version = 0;
	g->cg_mask = 0;
}

/*
 * Inside the sandbox, before the command: never a core file; and
 * for each limit no cgroup enforces, the nearest rlimit.  mask: the
 * controllers in place.
 */
int
ct_rlimits(const struct container_spec *cs, int mask)
{
	struct rlimit	 rl;
	int64_t		 cpu;

	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		return (-1);
	if (cs->cs_memory_mb > 0 && !(mask & (1 << CT_CTL_MEMORY))) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)cs->cs_memory_mb << 20;
		if (setrlimit(RLIMIT_AS, &rl) == -1)
			return (-1);
	}
	if (cs->cs_pids > 0 && !(mask & (1 << CT_CTL_PIDS))) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)cs->cs_pids;
		if (setrlimit(RLIMIT_NPROC, &rl) == -1)
			return (-1);
	}
	/* a rate cannot be an rlimit: the CPU seconds the deadline allows */
	if (cs->cs_cpu_millis > 0 && cs->cs_time_limit_ms > 0 &&
	    !(mask & (1 << CT_CTL_CPU))) {
		cpu = cs->cs_time_limit_ms * cs->cs_cpu_millis / 1000000 + 1;
		rl.rlim_cur = rl.rlim_max = (rlim_t)cpu;
		if (setrlimit(RLIMIT_CPU, &rl) == -1)
			return (-1);
	}
	if (cs->cs_disk_mb > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)cs->cs_disk_mb << 20;
		if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
			return (-1);
	}
	return (0);
}
