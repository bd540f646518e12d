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
 * The OCI bundle of a gvisor sandbox (ct_gvisor.c): config.json and its
 * root.  The same filesystem as container mode: an empty read-only
 * root, /usr and the rest bound read-only (symlinks where /usr is
 * merged), a few /etc files, gVisor's own /proc and /dev, a tmpfs /tmp
 * and /workspace sized by the disk limit, the spec's binds, the proxy
 * socket and, with a proxy port, the network bridge.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "ct.h"

#define GV_COPY_MAX		(256 * 1024)

struct gv_bundle {
	FILE		*fp;
	const char	*root;		/* the bundle's rootfs, host path */
	int		 nmounts;
	int		 failed;
};

static void	 gv_str(FILE *, const char *);
static void	 gv_mount(struct gv_bundle *, const char *, const char *,
		    const char *, const char *const *);
static void	 gv_bind(struct gv_bundle *, const char *, const char *, int);
static int	 gv_copy(const char *, const char *);
static void	 gv_mkparents(const char *, size_t);
static void	 gv_host_entry(struct gv_bundle *, const char *, int);
static void	 gv_args(FILE *, const struct container_spec *);

/* A JSON string; bytes above 0x7f pass as they are (UTF-8 or not). */
static void
gv_str(FILE *fp, const char *s)
{
	const unsigned char	*p;

	(void)fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			(void)fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			(void)fprintf(fp, "\\u%04x", *p);
		else
			(void)fputc(*p, fp);
	}
	(void)fputc('"', fp);
}

static void
gv_mount(struct gv_bundle *b, const char *type, const char *src,
    const char *dst, const char *const *opts)
{
	size_t	 i;

	(void)fprintf(b->fp, "%s\n  {\"destination\":",
	    b->nmounts++ > 0 ? "," : "");
	gv_str(b->fp, dst);
	(void)fprintf(b->fp, ",\"type\":");
	gv_str(b->fp, type);
	(void)fprintf(b->fp, ",\"source\":");
	gv_str(b->fp, src);
	(void)fprintf(b->fp, ",\"options\":[");
	for (i = 0; opts != NULL && opts[i] != NULL; i++) {
		(void)fprintf(b->fp, "%s", i > 0 ? "," : "");
		gv_str(b->fp, opts[i]);
	}
	(void)fprintf(b->fp, "]}");
}

static void
gv_bind(struct gv_bundle *b, const char *src, const char *dst, int rw)
{
	const char *const	 opts[] = {
		"rbind", rw ? "rw" : "ro", "nosuid", "nodev", NULL
	};

	gv_mount(b, "bind", src, dst, opts);
}

static int
gv_copy(const char *src, const char *dst)
{
	char	 buf[16384];
	ssize_t	 n;
	int	 in, out, rc = 0;

	if ((in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return (-1);
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1) {
		(void)close(in);
		return (-1);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = -1;
			break;
		}
	if (n == -1)
		rc = -1;
	(void)close(in);
	if (close(out) == -1)
		rc = -1;
	return (rc);
}

/* The folders above a path of the rootfs; from off on, ours to make. */
static void
gv_mkparents(const char *path, size_t off)
{
	char	 buf[PATH_MAX], *p;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
		return;
	for (p = buf + off + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(buf, 0755);
		*p = '/';
	}
}

/*
 * One entry of the host's root or /etc into the sandbox, as container
 * mode does (ct_root.c): a symlink as a symlink, a small file copied
 * into the rootfs when copy is set, anything else bound read-only.
 */
static void
gv_host_entry(struct gv_bundle *b, const char *name, int copy)
{
	char		 host[PATH_MAX], dst[GV_PATH + PATH_MAX];
	char		 target[PATH_MAX];
	struct stat	 sb;
	ssize_t		 n;

	(void)snprintf(host, sizeof(host), "/%s", name);
	if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", b->root, name) >=
	    sizeof(dst) || lstat(host, &sb) == -1)
		return;
	gv_mkparents(dst, strlen(b->root));
	if (S_ISLNK(sb.st_mode)) {
		if ((n = readlink(host, target, sizeof(target) - 1)) == -1) {
			b->failed = 1;
			return;
		}
		target[n] = '\0';
		if (symlink(target, dst) == -1)
			b->failed = 1;
		return;
	}
	if (copy && S_ISREG(sb.st_mode) && sb.st_size <= GV_COPY_MAX) {
		if (gv_copy(host, dst) == -1)
			b->failed = 1;
		return;
	}
	if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))
		return;
	/* runsc makes a missing mount point itself, but not in a ro root */
	if (S_ISDIR(sb.st_mode) ? mkdir(dst, 0755) == -1 && errno != EEXIST :
	    gv_copy("/dev/null", dst) == -1)
		b->failed = 1;
	gv_bind(b, host, host, 0);
}

/*
 * With a proxy port, the bridge runs inside as container mode's pid 1
 * runs it: started first, the command only once it listens (gVisor's
 * /proc/net/tcp says so; 2 s at most), and ended with the command.  A
 * shell does it, pid 1 of the container, with the command as "$@" so
 * that no argument of it is ever parsed as shell.
 */
#define GV_BRIDGE_SH							\
	"/run/oa/netbridge 127.0.0.1 %u /run/oa/proxy.sock & b=$!; i=0; "	\
	"while ! /bin/grep -q ':%04X 00000000:0000 0A' /proc/net/tcp; do "	\
	"i=$((i + 1)); if [ $i -gt 400 ] || ! kill -0 $b 2>/dev/null; "	\
	"then echo 'openagents: the network bridge did not listen on "	\
	"127.0.0.1:%u' >&2; exit 127; fi; /bin/sleep 0.005; done; "	\
	"\"$@\"; rc=$?; kill $b 2>/dev/null; exit $rc"

static void
gv_args(FILE *fp, const struct container_spec *cs)
{
	char	 sh[512];
	size_t	 i;

	if (cs->cs_proxy_port != 0) {
		(void)snprintf(sh, sizeof(sh), GV_BRIDGE_SH,
		    (unsigned int)cs->cs_proxy_port,
		    (unsigned int)cs->cs_proxy_port,
		    (unsigned int)cs->cs_proxy_port);
		(void)fprintf(fp, "\"/bin/sh\",\"-c\",");
		gv_str(fp, sh);
		(void)fprintf(fp, ",\"oa-init\",");
	}
	for (i = 0; cs->cs_argv[i] != NULL; i++) {
		(void)fprintf(fp, "%s", i > 0 ? "," : "");
		gv_str(fp, cs->cs_argv[i]);
	}
}

/* config.json and the rootfs, in the bundle folder dir. */
int
ct_gv_bundle(const struct container_spec *cs, const struct ct_env *env,
    const struct ct_cgroup *cg, const char *dir)
{
	static const char *const	 dirs[] = {
		"proc", "dev", "tmp", "workspace", "etc", "run", "run/oa",
	};
	static const char *const	 noenv[] = { GV_ENV_PATH, NULL };
	char				 root[GV_PATH], path[GV_PATH + 32];
	char				 tsize[32], etc[PATH_MAX];
	const char			*topts[5];
	const char *const		*envp;
	struct gv_bundle		 b;
	size_t				 i;
	int				 fd;

	(void)snprintf(root, sizeof(root), "%s/rootfs", dir);
	if (mkdir(root, 0755) == -1)
		return (-1);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		if (mkdir(path, 0755) == -1)
			return (-1);
	}
	/* only who is there inside: gVisor's root, and nobody */
	(void)snprintf(path, sizeof(path), "%s/etc/passwd", root);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1 || dprintf(fd,
	    "root:x:0:0:root:/workspace:/bin/sh\n"
	    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n") < 0 ||
	    close(fd) == -1)
		return (-1);
	(void)snprintf(path, sizeof(path), "%s/etc/group", root);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1 || dprintf(fd, "root:x:0:\nnogroup:x:65534:\n") < 0 ||
	    close(fd) == -1)
		return (-1);

	(void)snprintf(path, sizeof(path), "%s/config.json", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return (-1);
	memset(&b, 0, sizeof(b));
	b.root = root;
	if ((b.fp = fdopen(fd, "w")) == NULL) {
		(void)close(fd);
		return (-1);
	}

	(void)fprintf(b.fp, "{\"ociVersion\":\"1.0.2\",\n\"process\":{"
	    "\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},\n\"args\":[");
	gv_args(b.fp, cs);
	(void)fprintf(b.fp, "],\n\"env\":[");
	envp = cs->cs_envp != NULL ? cs->cs_envp : noenv;
	for (i = 0; envp[i] != NULL; i++) {
		(void)fprintf(b.fp, "%s", i > 0 ? "," : "");
		gv_str(b.fp, envp[i]);
	}
	(void)fprintf(b.fp, "],\n\"cwd\":");
	gv_str(b.fp, cs->cs_cwd != NULL ? cs->cs_cwd : "/workspace");
	/*
	 * Root of gVisor's kernel, with no capability there either.  The
	 * rlimits are the sentry's to enforce: the pids always, memory
	 * and cpu where the cgroup cannot bound them (as ct_rlimits()
	 * does for container mode).
	 */
	(void)fprintf(b.fp, ",\n\"capabilities\":{\"bounding\":[],"
	    "\"effective\":[],\"inheritable\":[],\"permitted\":[],"
	    "\"ambient\":[]},\n\"noNewPrivileges\":true,\n\"rlimits\":["
	    "{\"type\":\"RLIMIT_CORE\",\"hard\":0,\"soft\":0}");
	if (cs->cs_disk_mb > 0)
		(void)fprintf(b.fp, ",{\"type\":\"RLIMIT_FSIZE\",\"hard\":%lld,"
		    "\"soft\":%lld}", (long long)cs->cs_disk_mb << 20,
		    (long long)cs->cs_disk_mb << 20);
	if (cs->cs_pids > 0)
		(void)fprintf(b.fp, ",{\"type\":\"RLIMIT_NPROC\",\"hard\":%lld,"
		    "\"soft\":%lld}", (long long)cs->cs_pids,
		    (long long)cs->cs_pids);
	if (cs->cs_memory_mb > 0 && !(cg->cg_mask & (1 << CT_CTL_MEMORY)))
		(void)fprintf(b.fp, ",{\"type\":\"RLIMIT_AS\",\"hard\":%lld,"
		    "\"soft\":%lld}", (long long)cs->cs_memory_mb << 20,
		    (long long)cs->cs_memory_mb << 20);
	if (cs->cs_cpu_millis > 0 && cs->cs_time_limit_ms > 0 &&
	    !(cg->cg_mask & (1 << CT_CTL_CPU)))
		(void)fprintf(b.fp, ",{\"type\":\"RLIMIT_CPU\",\"hard\":%lld,"
		    "\"soft\":%lld}", (long long)(cs->cs_time_limit_ms *
		    cs->cs_cpu_millis / 1000000 + 1),
		    (long long)(cs->cs_time_limit_ms * cs->cs_cpu_millis /
		    1000000 + 1));
	(void)fprintf(b.fp, "]},\n\"root\":{\"path\":\"rootfs\","
	    "\"readonly\":true},\n\"hostname\":\"sandbox\",\n\"mounts\":[");

	gv_mount(&b, "proc", "proc", "/proc", NULL);
	for (i = 0; i < ct_nsysdirs; i++)
		gv_host_entry(&b, ct_sysdirs[i], 0);
	for (i = 0; i < ct_netc; i++) {
		(void)snprintf(etc, sizeof(etc), "etc/%s", ct_etc[i]);
		gv_host_entry(&b, etc, 1);
	}
	i = 0;
	topts[i++] = "nosuid";
	topts[i++] = "nodev";
	topts[i++] = "mode=1777";
	if (cs->cs_disk_mb > 0) {
		(void)snprintf(tsize, sizeof(tsize), "size=%lldm",
		    (long long)cs->cs_disk_mb);
		topts[i++] = tsize;
	}
	topts[i] = NULL;
	gv_mount(&b, "tmpfs", "tmpfs", "/tmp", topts);
	topts[2] = "mode=755";
	gv_mount(&b, "tmpfs", "tmpfs", "/workspace", topts);
	if (cs->cs_proxy_socket != NULL)
		gv_bind(&b, cs->cs_proxy_socket, "/run/oa/proxy.sock", 0);
	if (cs->cs_proxy_port != 0) {
		(void)snprintf(path, sizeof(path), "%s/run/oa/netbridge", root);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644)) == -1 || close(fd) == -1)
			b.failed = 1;
		gv_bind(&b, env->ce_netbridge, "/run/oa/netbridge", 0);
	}
	for (i = 0; i < cs->cs_nbinds; i++)
		gv_bind(&b, cs->cs_binds[i].cb_src, cs->cs_binds[i].cb_dst,
		    cs->cs_binds[i].cb_rw);
	(void)fprintf(b.fp, "],\n\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
	    "{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"
	    "{\"type\":\"mount\"}]}}\n");
	if (fclose(b.fp) == EOF || b.failed)
		return (-1);
	return (0);
}
