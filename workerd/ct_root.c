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
 * The filesystem of a container sandbox, built by its pid 1 inside
 * the new user and mount namespaces: a tmpfs becomes the root, the old
 * root stays at /.oldroot only while the binds are made from it, and
 * what is left is read-only but /tmp, /workspace, /dev/shm and the
 * binds the spec makes writable.  Every failure ends the sandbox with
 * its reason (ct_die).
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <net/if.h>
#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "ct.h"

#define CT_ROOT_OLD	"/.oldroot"
#define CT_ROOT_OLD_REL	".oldroot"	/* from inside the new root */

/* The directories of a Debian root; symlinks where /usr is merged. */
const char *const ct_sysdirs[] = {
	"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32",
};
const size_t ct_nsysdirs = sizeof(ct_sysdirs) / sizeof(ct_sysdirs[0]);

/*
 * Of /etc only what programs need to start and to speak TLS to the
 * proxy: name service switch, hosts, the dynamic linker's cache, the
 * CA store, the alternatives links /usr/bin points into, the zone.
 */
const char *const ct_etc[] = {
	"hosts", "nsswitch.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
	"ssl/certs", "ca-certificates.conf", "alternatives", "localtime",
	"services", "protocols",
};
const size_t ct_netc = sizeof(ct_etc) / sizeof(ct_etc[0]);

static const char *const ct_devs[] = {
	"null", "zero", "full", "random", "urandom", "tty",
};

/* Kernel interfaces a task with our uid could still write or read. */
static const char *const ct_proc_masked[] = {
	"sysrq-trigger", "kcore", "keys", "timer_list", "sched_debug",
	"latency_stats",
};

#define CTB_RO		0x01
#define CTB_REC		0x02
#define CTB_DEV		0x04	/* device nodes: no nodev */
#define CTB_NOATTR	0x08	/* the source's flags as they are */

static void	 ct_bind(const struct ct_child *, const char *, const char *,
		    int);
static void	 ct_mkdirs(const struct ct_child *, const char *, mode_t);
static void	 ct_mkpoint(const struct ct_child *, const char *, int);
static void	 ct_copy_file(const struct ct_child *, const char *,
		    const char *);
static void	 ct_copy_entry(const struct ct_child *, const char *,
		    const char *, int);
static void	 ct_tmpfs(const struct ct_child *, const char *, mode_t,
		    int64_t);
static void	 ct_identity(const struct ct_child *);
static void	 ct_attr(const struct ct_child *, int, const char *, int);
static int	 ct_open_nofollow(int, const char *, int);
static int	 ct_point_nofollow(const struct ct_child *, const char *, int,
		    char *, size_t);
static void	 ct_bind_nofollow(const struct ct_child *, const char *,
		    const char *, int, int);
static void	 ct_user_binds(const struct ct_child *);

void
ct_write_file(const struct ct_child *cc, const char *path, const char *data)
{
	size_t	 len = strlen(data);
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		ct_die(cc, "open %s", path);
	if (write(fd, data, len) != (ssize_t)len)
		ct_die(cc, "write %s", path);
	if (close(fd) == -1)
		ct_die(cc, "close %s", path);
}

/*
 * The flags of a fresh bind in one call: mount_setattr() only adds
 * restrictions and leaves the atime and the flags the kernel locked on
 * the source alone, where a remount would have to repeat them.  path
 * "" means dirfd itself.
 */
static void
ct_attr(const struct ct_child *cc, int dirfd, const char *path, int flags)
{
	struct mount_attr	 attr;
	unsigned int		 at = (flags & CTB_REC) ? AT_RECURSIVE : 0;

	memset(&attr, 0, sizeof(attr));
	attr.attr_set = MOUNT_ATTR_NOSUID;
	if ((flags & CTB_DEV) == 0)
		attr.attr_set |= MOUNT_ATTR_NODEV;
	if (flags & CTB_RO)
		attr.attr_set |= MOUNT_ATTR_RDONLY;
	if (*path == '\0')
		at |= AT_EMPTY_PATH;
	if (mount_setattr(dirfd, path, at, &attr, sizeof(attr)) == -1)
		ct_die(cc, "mount_setattr %s", path);
}

static void
ct_bind(const struct ct_child *cc, const char *src, const char *dst,
    int flags)
{
	if (mount(src, dst, NULL, MS_BIND | ((flags & CTB_REC) ? MS_REC : 0),
	    NULL) == -1)
		ct_die(cc, "bind %s on %s", src, dst);
	/* a device node is not executed: suid means nothing on it */
	if ((flags & CTB_NOATTR) == 0)
		ct_attr(cc, AT_FDCWD, dst, flags);
}

/* mkdir -p below the new root. */
static void
ct_mkdirs(const struct ct_child *cc, const char *path, mode_t mode)
{
	char	 buf[PATH_MAX], *p;
	int	 last;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		ct_die(cc, "mkdir %s", path);
	}
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		last = *p == '\0';
		*p = '\0';
		if (mkdir(buf, mode) == -1 && errno != EEXIST)
			ct_die(cc, "mkdir %s", buf);
		if (last)
			break;
		*p = '/';
	}
}

/* The mount point for a bind: a directory, or an empty file. */
static void
ct_mkpoint(const struct ct_child *cc, const char *dst, int isdir)
{
	char	 parent[PATH_MAX], *slash;
	int	 fd;

	if (isdir) {
		ct_mkdirs(cc, dst, 0755);
		return;
	}
	(void)strlcpy(parent, dst, sizeof(parent));
	if ((slash = strrchr(parent, '/')) != NULL && slash != parent) {
		*slash = '\0';
		ct_mkdirs(cc, parent, 0755);
	}
	if ((fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) == -1)
		ct_die(cc, "create %s", dst);
	(void)close(fd);
}

/* A small host file, copied: cheaper than two mount calls. */
static void
ct_copy_file(const struct ct_child *cc, const char *src, const char *dst)
{
	char	 buf[16384];
	ssize_t	 n;
	int	 in, out;

	if ((in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		ct_die(cc, "open %s", src);
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		ct_die(cc, "create %s", dst);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			ct_die(cc, "write %s", dst);
	if (n == -1)
		ct_die(cc, "read %s", src);
	(void)close(in);
	if (close(out) == -1)
		ct_die(cc, "close %s", dst);
}

/*
 * One entry of the host's root or /etc into the new root: a symlink is
 * copied as a symlink (usr-merge, /etc/localtime), a small file is
 * copied when copy is set, anything else is bound read-only.  Missing
 * entries are not an error.
 */
#define CT_COPY_MAX	(256 * 1024)

static void
ct_copy_entry(const struct ct_child *cc, const char *hostpath,
    const char *dst, int copy)
{
	char		 target[PATH_MAX];
	struct stat	 sb;
	ssize_t		 n;

	if (lstat(hostpath, &sb) == -1) {
		if (errno == ENOENT)
			return;
		ct_die(cc, "lstat %s", hostpath);
	}
	if (S_ISLNK(sb.st_mode)) {
		if ((n = readlink(hostpath, target, sizeof(target) - 1)) == -1)
			ct_die(cc, "readlink %s", hostpath);
		target[n] = '\0';
		ct_mkpoint(cc, dst, 0);
		(void)unlink(dst);
		if (symlink(target, dst) == -1)
			ct_die(cc, "symlink %s", dst);
		return;
	}
	if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))
		return;
	if (copy && S_ISREG(sb.st_mode) && sb.st_size <= CT_COPY_MAX) {
		ct_copy_file(cc, hostpath, dst);
		return;
	}
	ct_mkpoint(cc, dst, S_ISDIR(sb.st_mode));
	ct_bind(cc, hostpath, dst, CTB_RO | CTB_REC);
}

static void
ct_tmpfs(const struct ct_child *cc, const char *dst, mode_t mode,
    int64_t mb)
{
	char	 opts[64];

	if (mb > 0)
		(void)snprintf(opts, sizeof(opts), "mode=%o,size=%lldm",
		    (unsigned int)mode, (long long)mb);
	else
		(void)snprintf(opts, sizeof(opts), "mode=%o",
		    (unsigned int)mode);
	ct_mkdirs(cc, dst, 0755);
	if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, opts) == -1)
		ct_die(cc, "mount tmpfs on %s", dst);
}

/* passwd and group with only who is there, not the host's lists. */
static void
ct_identity(const struct ct_child *cc)
{
	char	 buf[512];

	if (cc->cc_uid == 0)
		(void)snprintf(buf, sizeof(buf),
		    "root:x:0:0:root:/workspace:/bin/sh\n"
		    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
	else
		(void)snprintf(buf, sizeof(buf),
		    "root:x:0:0:root:/root:/bin/sh\n"
		    "agent:x:%u:%u:agent:/workspace:/bin/sh\n"
		    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		    (unsigned int)cc->cc_uid, (unsigned int)cc->cc_gid);
	ct_write_file(cc, "/etc/passwd", buf);
	if (cc->cc_gid == 0)
		(void)snprintf(buf, sizeof(buf), "root:x:0:\nnogroup:x:65534:\n");
	else
		(void)snprintf(buf, sizeof(buf),
		    "root:x:0:\nagent:x:%u:\nnogroup:x:65534:\n",
		    (unsigned int)cc->cc_gid);
	ct_write_file(cc, "/etc/group", buf);
}

/* lo up, so that the bridge and the agent can use 127.0.0.1. */
void
ct_loopback(const struct ct_child *cc)
{
	struct ifreq	 ifr;
	int		 s;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		ct_die(cc, "socket for lo");
	memset(&ifr, 0, sizeof(ifr));
	(void)strlcpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name));
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1)
		ct_die(cc, "SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1)
		ct_die(cc, "SIOCSIFFLAGS lo");
	(void)close(s);
}

/* openat2 without any symlink, below dirfd; -1 on failure. */
static int
ct_open_nofollow(int dirfd, const char *path, int flags)
{
	struct open_how	 how;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	if (dirfd != AT_FDCWD)
		how.resolve |= RESOLVE_BENEATH;
	return ((int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

/*
 * The mount point of a bind, made and opened one component at a time
 * without following a symlink: an earlier writable bind holds files
 * workerd can change, and a symlink there must not lead a mkdir or a
 * mount out of the new root (into the old one, still mounted).
 * Returns the parent directory; last gets the final component.
 */
static int
ct_point_nofollow(const struct ct_child *cc, const char *dst, int isdir,
    char *last, size_t lastlen)
{
	char	 buf[PATH_MAX], *comp, *slash;
	int	 dirfd, fd;

	if (strlcpy(buf, dst, sizeof(buf)) >= sizeof(buf) || buf[0] != '/') {
		errno = EINVAL;
		ct_die(cc, "mount point %s", dst);
	}
	if ((dirfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		ct_die(cc, "open /");
	for (comp = buf + 1; (slash = strchr(comp, '/')) != NULL;
	    comp = slash + 1) {
		*slash = '\0';
		if (mkdirat(dirfd, comp, 0755) == -1 && errno != EEXIST)
			ct_die(cc, "mkdir %s in %s", comp, dst);
		if ((fd = ct_open_nofollow(dirfd, comp,
		    O_PATH | O_DIRECTORY)) == -1)
			ct_die(cc, "mount point %s", dst);
		(void)close(dirfd);
		dirfd = fd;
	}
	if (isdir) {
		if (mkdirat(dirfd, comp, 0755) == -1 && errno != EEXIST)
			ct_die(cc, "mkdir %s", dst);
	} else {
		if ((fd = openat(dirfd, comp, O_WRONLY | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC, 0644)) == -1)
			ct_die(cc, "create %s", dst);
		(void)close(fd);
	}
	(void)strlcpy(last, comp, lastlen);
	return (dirfd);
}

/*
 * A bind of a path the launcher checked.  It is opened again here
 * without following any symlink, so that one swapped in since the
 * check fails instead of binding what it points at, and the bind is
 * made from that descriptor onto a mount point held the same way.
 * sock: a socket, else a directory or a regular file.
 */
static void
ct_bind_nofollow(const struct ct_child *cc, const char *path,
    const char *dst, int flags, int sock)
{
	struct stat	 sb;
	char		 src[PATH_MAX], last[NAME_MAX + 1];
	char		 srcpath[64], dstpath[64];
	int		 fd, pfd, tfd, ok;

	if ((size_t)snprintf(src, sizeof(src), "%s%s", CT_ROOT_OLD,
	    path) >= sizeof(src)) {
		errno = ENAMETOOLONG;
		ct_die(cc, "bind %s", path);
	}
	if ((fd = ct_open_nofollow(AT_FDCWD, src, O_PATH)) == -1)
		ct_die(cc, "bind source %s", path);
	if (fstat(fd, &sb) == -1)
		ct_die(cc, "fstat %s", path);
	ok = sock ? S_ISSOCK(sb.st_mode) :
	    S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode);
	if (!ok) {
		errno = EINVAL;
		ct_die(cc, "bind source %s: wrong file type", path);
	}
	pfd = ct_point_nofollow(cc, dst, S_ISDIR(sb.st_mode), last,
	    sizeof(last));
	if ((tfd = ct_open_nofollow(pfd, last, O_PATH)) == -1)
		ct_die(cc, "mount point %s", dst);
	(void)snprintf(srcpath, sizeof(srcpath), "/proc/self/fd/%d", fd);
	(void)snprintf(dstpath, sizeof(dstpath), "/proc/self/fd/%d", tfd);
	if (mount(srcpath, dstpath, NULL, MS_BIND |
	    ((flags & CTB_REC) ? MS_REC : 0), NULL) == -1)
		ct_die(cc, "bind %s on %s", path, dst);
	(void)close(tfd);
	/* the name now leads into the new mount: its flags, by descriptor */
	if ((tfd = ct_open_nofollow(pfd, last, O_PATH)) == -1)
		ct_die(cc, "bound %s", dst);
	ct_attr(cc, tfd, "", flags);
	(void)close(tfd);
	(void)close(pfd);
	(void)close(fd);
}

static void
ct_user_binds(const struct ct_child *cc)
{
	const struct container_spec	*cs = cc->cc_spec;
	size_t				 i;

	for (i = 0; i < cs->cs_nbinds; i++)
		ct_bind_nofollow(cc, cs->cs_binds[i].cb_src,
		    cs->cs_binds[i].cb_dst,
		    CTB_REC | (cs->cs_binds[i].cb_rw ? 0 : CTB_RO), 0);
}

/* The whole filesystem of the sandbox, from the first mount to the last. */
void
ct_root(const struct ct_child *cc)
{
	const struct container_spec	*cs = cc->cc_spec;
	struct mount_attr		 attr;
	char				 host[PATH_MAX], dst[PATH_MAX];
	size_t				 i;

	/* nothing we do from here may reach the host's mount table */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		ct_die(cc, "make / private");
	/* the new root: any directory does, /tmp always exists */
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=0755,size=4m") == -1)
		ct_die(cc, "mount the root tmpfs");
	if (chdir("/tmp") == -1)
		ct_die(cc, "chdir to the new root");
	if (mkdir(CT_ROOT_OLD_REL, 0700) == -1)
		ct_die(cc, "mkdir %s", CT_ROOT_OLD);
	if (syscall(SYS_pivot_root, ".", CT_ROOT_OLD_REL) == -1)
		ct_die(cc, "pivot_root");
	if (chdir("/") == -1)
		ct_die(cc, "chdir /");

	for (i = 0; i < ct_nsysdirs; i++) {
		(void)snprintf(host, sizeof(host), CT_ROOT_OLD "/%s",
		    ct_sysdirs[i]);
		(void)snprintf(dst, sizeof(dst), "/%s", ct_sysdirs[i]);
		ct_copy_entry(cc, host, dst, 0);
	}
	ct_mkdirs(cc, "/etc", 0755);
	ct_identity(cc);
	for (i = 0; i < ct_netc; i++) {
		(void)snprintf(host, sizeof(host), CT_ROOT_OLD "/etc/%s",
		    ct_etc[i]);
		(void)snprintf(dst, sizeof(dst), "/etc/%s", ct_etc[i]);
		ct_copy_entry(cc, host, dst, 1);
	}

	/* a few device nodes; not the host's /dev */
	ct_mkdirs(cc, "/dev", 0755);
	for (i = 0; i < sizeof(ct_devs) / sizeof(ct_devs[0]); i++) {
		(void)snprintf(host, sizeof(host), CT_ROOT_OLD "/dev/%s",
		    ct_devs[i]);
		(void)snprintf(dst, sizeof(dst), "/dev/%s", ct_devs[i]);
		ct_mkpoint(cc, dst, 0);
		ct_bind(cc, host, dst, CTB_DEV | CTB_NOATTR);
	}
	if (symlink("/proc/self/fd", "/dev/fd") == -1 ||
	    symlink("/proc/self/fd/0", "/dev/stdin") == -1 ||
	    symlink("/proc/self/fd/1", "/dev/stdout") == -1 ||
	    symlink("/proc/self/fd/2", "/dev/stderr") == -1)
		ct_die(cc, "symlinks in /dev");
	ct_tmpfs(cc, "/dev/shm", 01777, cs->cs_disk_mb);

	/* our pid namespace's /proc, with the host-wide knobs shut */
	ct_mkdirs(cc, "/proc", 0555);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    NULL) == -1)
		ct_die(cc, "mount /proc");
	ct_bind(cc, "/proc/sys", "/proc/sys", CTB_RO | CTB_REC);
	/*
	 * Only host uid 0 passes the owner checks of these files; for
	 * anyone else they are closed already.
	 */
	for (i = 0; cc->cc_uid == 0 &&
	    i < sizeof(ct_proc_masked) / sizeof(ct_proc_masked[0]); i++) {
		(void)snprintf(dst, sizeof(dst), "/proc/%s",
		    ct_proc_masked[i]);
		if (access(dst, F_OK) == 0)
			ct_bind(cc, "/dev/null", dst, CTB_DEV | CTB_NOATTR);
	}

	ct_tmpfs(cc, "/tmp", 01777, cs->cs_disk_mb);
	ct_tmpfs(cc, "/workspace", 0755, cs->cs_disk_mb);

	if (cs->cs_proxy_socket != NULL)
		ct_bind_nofollow(cc, cs->cs_proxy_socket, "/run/oa/proxy.sock",
		    CTB_RO, 1);
	if (cs->cs_proxy_port != 0) {
		if (cc->cc_env == NULL || cc->cc_env->ce_netbridge == NULL) {
			errno = 0;
			ct_die(cc, "proxy port %u: the network bridge "
			    "openagents-netbridge is not installed",
			    (unsigned int)cs->cs_proxy_port);
		}
		(void)snprintf(host, sizeof(host), CT_ROOT_OLD "%s",
		    cc->cc_env->ce_netbridge);
		ct_mkpoint(cc, "/run/oa/netbridge", 0);
		ct_bind(cc, host, "/run/oa/netbridge", CTB_RO);
	}
	ct_user_binds(cc);

	if (umount2(CT_ROOT_OLD, MNT_DETACH) == -1)
		ct_die(cc, "umount the old root");
	if (rmdir(CT_ROOT_OLD) == -1)
		ct_die(cc, "rmdir %s", CT_ROOT_OLD);
	memset(&attr, 0, sizeof(attr));
	attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV;
	if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof(attr)) == -1)
		ct_die(cc, "read-only /");
}
