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
 * The mechanism that confines a helper; the per-role decisions are in
 * sandbox_policy.c.  Steps, each one needing the one before it:
 *
 *  1. rlimits and dumpability (no core files of key-holding memory);
 *  2. capabilities: securebits and the bounding set while CAP_SETPCAP
 *     is still ours, then ambient, then the effective/permitted sets;
 *  3. no_new_privs: without CAP_SYS_ADMIN, Landlock demands it, and
 *     seccomp always does;
 *  4. Landlock: the filesystem (and TCP, signals, abstract sockets);
 *  5. seccomp: the syscall allow-list, last, so that the steps above
 *     may use calls the list leaves out.
 *
 * Capabilities, Landlock and the filter bind the calling thread only:
 * call sandbox_enter() while the helper is still single-threaded.
 */

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/landlock.h>

#if OA_SANDBOX
#include <linux/securebits.h>
#include <sys/capability.h>
#include <seccomp.h>
#endif

#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "sandbox_policy.h"

/*
 * Debian 12's <linux/landlock.h> stops at ABI 3 and its ruleset
 * attribute has no net or scope member; the running kernel may know
 * more, so the newer values and our own attribute are defined here.
 */
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION		(1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER		(1ULL << 13)	/* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE		(1ULL << 14)	/* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV		(1ULL << 15)	/* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP		(1ULL << 0)	/* ABI 4 */
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP		(1ULL << 1)	/* ABI 4 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET	(1ULL << 0)	/* ABI 6 */
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL			(1ULL << 1)	/* ABI 6 */
#endif

/* The rights of ABI 1, bits 0 to 12. */
#define LL_FS_V1	((1ULL << 13) - 1)

/* What workerd may do beneath its jobs directory (no exec, no devices). */
#define LL_FS_JOBS	(LANDLOCK_ACCESS_FS_READ_FILE |			\
	    LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_DIR |	\
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |	\
	    LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |	\
	    LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER |		\
	    LANDLOCK_ACCESS_FS_TRUNCATE)

/* The kernel reads as much of this as the size we pass says. */
struct ll_ruleset_attr {
	uint64_t	 handled_access_fs;
	uint64_t	 handled_access_net;	/* ABI 4 */
	uint64_t	 scoped;		/* ABI 6 */
};

static int	 ll_create_ruleset(const struct ll_ruleset_attr *, size_t,
		    uint32_t);

#if OA_SANDBOX
static int	 ll_add_rule(int, int, const void *, uint32_t);
static int	 ll_restrict_self(int, uint32_t);
static uint64_t	 ll_fs_rights(int);
static int	 sandbox_limits(const struct sandbox_policy *);
static int	 sandbox_caps(const struct sandbox_policy *);
static int	 sandbox_landlock(const struct sandbox_policy *,
		    enum sandbox_mode, int);
static int	 sandbox_seccomp(const struct sandbox_policy *,
		    enum sandbox_mode);
static int	 sandbox_trap_init(const struct sandbox_policy *);
static void	 sandbox_sigsys(int, siginfo_t *, void *);
#endif

static int
ll_create_ruleset(const struct ll_ruleset_attr *attr, size_t size,
    uint32_t flags)
{
#ifdef __NR_landlock_create_ruleset
	return ((int)syscall(__NR_landlock_create_ruleset, attr, size, flags));
#else
	(void)attr;
	(void)size;
	(void)flags;
	errno = ENOSYS;
	return (-1);
#endif
}

int
sandbox_landlock_abi(void)
{
	int	 abi;

	if ((abi = ll_create_ruleset(NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION)) == -1)
		return (0);
	return (abi);
}

const char *
sandbox_mode_name(enum sandbox_mode mode)
{
	switch (mode) {
	case SANDBOX_OFF:
		return ("off");
	case SANDBOX_ENFORCE:
		return ("enforce");
	case SANDBOX_LOG:
		return ("log");
	}
	return ("unknown");
}

int
sandbox_enter(enum proc_id id, enum sandbox_mode mode,
    const struct sandbox_paths *paths)
{
	const struct sandbox_policy	*pol;
#if OA_SANDBOX
	int				 jobsfd = -1, saved_errno;
#endif

	/* the supervisor keeps what it needs to spawn: not ours to confine */
	if ((pol = sandbox_policy_get(id)) == NULL) {
		errno = EINVAL;
		return (-1);
	}
	switch (mode) {
	case SANDBOX_OFF:
		return (0);
	case SANDBOX_ENFORCE:
	case SANDBOX_LOG:
		break;
	default:
		errno = EINVAL;
		return (-1);
	}
#if OA_SANDBOX
	/* open before anything is taken away, as every other resource */
	if ((pol->pol_flags & SBP_JOBSDIR) && paths != NULL &&
	    paths->sp_jobs_dir != NULL) {
		if ((jobsfd = open(paths->sp_jobs_dir,
		    O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
			log_warn("sandbox: %s: jobs directory %s",
			    pol->pol_name, paths->sp_jobs_dir);
			return (-1);
		}
	}
	if (sandbox_limits(pol) == -1 || sandbox_caps(pol) == -1)
		goto fail;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("sandbox: %s: no_new_privs", pol->pol_name);
		goto fail;
	}
	if (sandbox_landlock(pol, mode, jobsfd) == -1)
		goto fail;
	if (jobsfd != -1) {
		(void)close(jobsfd);
		jobsfd = -1;
	}
	if (sandbox_seccomp(pol, mode) == -1)
		return (-1);
	return (0);
 fail:
	saved_errno = errno;
	if (jobsfd != -1)
		(void)close(jobsfd);
	errno = saved_errno;
	return (-1);
#else
	(void)paths;
	log_warnx("sandbox: %s: built without the sandbox (-Dsandbox=false)",
	    pol->pol_name);
	errno = ENOTSUP;
	return (-1);
#endif
}

#if OA_SANDBOX

static int
ll_add_rule(int fd, int type, const void *attr, uint32_t flags)
{
#ifdef __NR_landlock_add_rule
	return ((int)syscall(__NR_landlock_add_rule, fd, type, attr, flags));
#else
	(void)fd;
	(void)type;
	(void)attr;
	(void)flags;
	errno = ENOSYS;
	return (-1);
#endif
}

static int
ll_restrict_self(int fd, uint32_t flags)
{
#ifdef __NR_landlock_restrict_self
	return ((int)syscall(__NR_landlock_restrict_self, fd, flags));
#else
	(void)fd;
	(void)flags;
	errno = ENOSYS;
	return (-1);
#endif
}

/*
 * Every filesystem right the running ABI knows.  A right left out of
 * the handled set is allowed, so none may be forgotten; rights of ABIs
 * newer than this file stay allowed until they are added here.
 */
static uint64_t
ll_fs_rights(int abi)
{
	uint64_t	 rights = LL_FS_V1;

	if (abi >= 2)
		rights |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		rights |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return (rights);
}

static int
sandbox_limits(const struct sandbox_policy *pol)
{
	const struct rlimit	 zero = { 0, 0 };

	/* memory of a confined helper is nobody's to read from a file */
	if (setrlimit(RLIMIT_CORE, &zero) == -1) {
		log_warn("sandbox: %s: setrlimit RLIMIT_CORE", pol->pol_name);
		return (-1);
	}
	/*
	 * seccomp forbids fork already; the limit also holds if the filter
	 * is in log mode.  Not enforced for uid 0, harmless there.
	 */
	if ((pol->pol_flags & SBP_NOPROC) &&
	    setrlimit(RLIMIT_NPROC, &zero) == -1) {
		log_warn("sandbox: %s: setrlimit RLIMIT_NPROC", pol->pol_name);
		return (-1);
	}
	/* no ptrace by our own uid, no core, /proc/pid owned by root */
	if ((pol->pol_flags & SBP_NODUMP) &&
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		log_warn("sandbox: %s: PR_SET_DUMPABLE", pol->pol_name);
		return (-1);
	}
	return (0);
}

/*
 * No helper keeps a capability.  As root the securebits and the
 * bounding set make sure no exec can give them back; as an ordinary
 * user those two need CAP_SETPCAP we do not have, and there is nothing
 * to give back either, so EPERM is not an error there.
 */
static int
sandbox_caps(const struct sandbox_policy *pol)
{
	cap_t		 caps;
	cap_value_t	 cv;
	int		 r;

	if (cap_set_secbits(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	    SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
	    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED) == -1 && errno != EPERM) {
		log_warn("sandbox: %s: securebits", pol->pol_name);
		return (-1);
	}
	/* cap_get_bound() fails past the last capability the kernel has */
	for (cv = 0; cv < 64 && (r = cap_get_bound(cv)) >= 0; cv++) {
		if (r == 0)
			continue;
		if (cap_drop_bound(cv) == -1) {
			if (errno == EPERM)
				break;
			log_warn("sandbox: %s: drop bounding capability %d",
			    pol->pol_name, (int)cv);
			return (-1);
		}
	}
	/* EINVAL: a kernel without ambient capabilities has none to clear */
	if (cap_reset_ambient() == -1 && errno != EINVAL) {
		log_warn("sandbox: %s: clear ambient capabilities",
		    pol->pol_name);
		return (-1);
	}
	if ((caps = cap_init()) == NULL) {
		log_warn("sandbox: %s: cap_init", pol->pol_name);
		return (-1);
	}
	if (cap_clear(caps) == -1 || cap_set_proc(caps) == -1) {
		log_warn("sandbox: %s: cap_set_proc", pol->pol_name);
		(void)cap_free(caps);
		return (-1);
	}
	(void)cap_free(caps);
	return (0);
}

/*
 * A ruleset that handles every right and grants none, except workerd's
 * jobs directory.  jobsfd is an O_PATH descriptor or -1.
 */
static int
sandbox_landlock(const struct sandbox_policy *pol, enum sandbox_mode mode,
    int jobsfd)
{
	struct ll_ruleset_attr			 attr;
	struct landlock_path_beneath_attr	 beneath;
	size_t					 size;
	int					 abi, fd, saved_errno;

	if ((abi = ll_create_ruleset(NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION)) == -1) {
		if (errno != ENOSYS && errno != EOPNOTSUPP) {
			log_warn("sandbox: %s: Landlock ABI", pol->pol_name);
			return (-1);
		}
		/*
		 * Without Landlock the seccomp list alone keeps the
		 * no-filesystem roles off the disk (openat fails);
		 * for the roles that must not run so, it is a visible
		 * choice: log mode only.
		 */
		if ((pol->pol_flags & SBP_LANDLOCK_REQUIRED) &&
		    mode == SANDBOX_ENFORCE) {
			log_warn("sandbox: %s: Landlock is required",
			    pol->pol_name);
			return (-1);
		}
		log_warnx("sandbox: %s: no Landlock in this kernel, "
		    "filesystem rules not applied", pol->pol_name);
		return (0);
	}

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = ll_fs_rights(abi);
	size = offsetof(struct ll_ruleset_attr, handled_access_net);
	if (abi >= 4) {
		/* TCP bind and connect, refused for all but relayd */
		if (pol->pol_flags & SBP_NOTCP)
			attr.handled_access_net =
			    LANDLOCK_ACCESS_NET_BIND_TCP |
			    LANDLOCK_ACCESS_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		/* no signal and no abstract socket outside our domain */
		attr.scoped = LANDLOCK_SCOPE_SIGNAL |
		    LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
		size = sizeof(attr);
	}
	if ((fd = ll_create_ruleset(&attr, size, 0)) == -1) {
		log_warn("sandbox: %s: landlock_create_ruleset",
		    pol->pol_name);
		return (-1);
	}
	if (jobsfd != -1) {
		memset(&beneath, 0, sizeof(beneath));
		beneath.allowed_access = LL_FS_JOBS & attr.handled_access_fs;
		beneath.parent_fd = jobsfd;
		if (ll_add_rule(fd, LANDLOCK_RULE_PATH_BENEATH, &beneath,
		    0) == -1) {
			log_warn("sandbox: %s: landlock_add_rule",
			    pol->pol_name);
			goto fail;
		}
	}
	if (ll_restrict_self(fd, 0) == -1) {
		log_warn("sandbox: %s: landlock_restrict_self",
		    pol->pol_name);
		goto fail;
	}
	(void)close(fd);
	return (0);
 fail:
	saved_errno = errno;
	(void)close(fd);
	errno = saved_errno;
	return (-1);
}

/*
 * Log mode: a forbidden call traps into sandbox_sigsys(), which says so
 * on stderr and makes the call fail with ENOSYS.  The handler may only
 * use write(2), so the role and the syscall names are looked up here,
 * before the filter (libseccomp allocates them).
 */
#define SB_NNAMES	512

static char		 sb_trap_role[16];
static char		*sb_trap_names[SB_NNAMES];
static int		 sb_trap_named;

static int
sandbox_trap_init(const struct sandbox_policy *pol)
{
	struct sigaction	 sa;
	sigset_t		 set;
	int			 nr;

	(void)strncpy(sb_trap_role, pol->pol_name, sizeof(sb_trap_role) - 1);
	if (!sb_trap_named) {
		for (nr = 0; nr < SB_NNAMES; nr++)
			sb_trap_names[nr] = seccomp_syscall_resolve_num_arch(
			    SCMP_ARCH_NATIVE, nr);
		sb_trap_named = 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigemptyset(&sa.sa_mask) == -1 ||
	    sigaction(SIGSYS, &sa, NULL) == -1 ||
	    sigemptyset(&set) == -1 || sigaddset(&set, SIGSYS) == -1 ||
	    sigprocmask(SIG_UNBLOCK, &set, NULL) == -1) {
		log_warn("sandbox: %s: SIGSYS handler", pol->pol_name);
		return (-1);
	}
	return (0);
}

static void
sandbox_sigsys(int sig, siginfo_t *si, void *arg)
{
	char		 buf[160], num[16];
	const char	*name;
	size_t		 len = 0, i;
	unsigned int	 nr, n;
	int		 saved_errno = errno;

	(void)sig;
	nr = (unsigned int)si->si_syscall;
	name = nr < SB_NNAMES && sb_trap_names[nr] != NULL ?
	    sb_trap_names[nr] : "?";
	i = sizeof(num);
	num[--i] = '\0';
	n = nr;
	do {
		num[--i] = '0' + n % 10;
		n /= 10;
	} while (n != 0 && i > 0);

#define PUT(s)	do {							\
	const char *p_ = (s);						\
	while (*p_ != '\0' && len < sizeof(buf) - 1)			\
		buf[len++] = *p_++;					\
} while (0)
	PUT("sandbox: ");
	PUT(sb_trap_role);
	PUT(": forbidden syscall ");
	PUT(&num[i]);
	PUT(" (");
	PUT(name);
	PUT(")\n");
#undef PUT
	(void)!write(STDERR_FILENO, buf, len);

	/* the trapped call was skipped; give it a result the caller knows */
#if defined(__x86_64__)
	((ucontext_t *)arg)->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
	((ucontext_t *)arg)->uc_mcontext.regs[0] = (uint64_t)-ENOSYS;
#else
	(void)arg;
#endif
	errno = saved_errno;
}

static int
sandbox_seccomp(const struct sandbox_policy *pol, enum sandbox_mode mode)
{
	struct scmp_arg_cmp	 cmp[2];
	const struct sb_syscall	*ss;
	const struct sb_arg	*a;
	scmp_filter_ctx		 ctx;
	uint32_t		 action;
	size_t			 t, i;
	unsigned int		 n, k;
	int			 rc;

	if (mode == SANDBOX_LOG && sandbox_trap_init(pol) == -1)
		return (-1);
	/* only the native arch: x32 and i386 calls meet BADARCH, a kill */
	if ((ctx = seccomp_init(mode == SANDBOX_LOG ? SCMP_ACT_TRAP :
	    SCMP_ACT_KILL_PROCESS)) == NULL) {
		errno = ENOMEM;
		log_warn("sandbox: %s: seccomp_init", pol->pol_name);
		return (-1);
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) < 0)
		goto fail;

	for (t = 0; t < SB_MAXTABLES; t++) {
		for (i = 0; i < pol->pol_tables[t].t_nrules; i++) {
			ss = &pol->pol_tables[t].t_rules[i];
			memset(cmp, 0, sizeof(cmp));
			for (n = 0, k = 0; k < 2; k++) {
				a = &ss->ss_args[k];
				switch (a->a_cmp) {
				case SB_ANY:
					continue;
				case SB_EQ:
					cmp[n] = SCMP_CMP(a->a_index,
					    SCMP_CMP_EQ, a->a_val);
					break;
				case SB_MASKEQ:
					cmp[n] = SCMP_CMP(a->a_index,
					    SCMP_CMP_MASKED_EQ, a->a_mask,
					    a->a_val);
					break;
				case SB_SELF:
					cmp[n] = SCMP_CMP(a->a_index,
					    SCMP_CMP_EQ, (uint64_t)getpid());
					break;
				}
				n++;
			}
			action = ss->ss_action == SB_EACCES ?
			    SCMP_ACT_ERRNO(EACCES) : SCMP_ACT_ALLOW;
			if ((rc = seccomp_rule_add_array(ctx, action,
			    ss->ss_nr, n, cmp)) < 0) {
				errno = -rc;
				log_warn("sandbox: %s: seccomp rule for "
				    "syscall %d", pol->pol_name, ss->ss_nr);
				seccomp_release(ctx);
				return (-1);
			}
		}
	}
	if ((rc = seccomp_load(ctx)) < 0)
		goto fail;
	seccomp_release(ctx);
	return (0);
 fail:
	errno = -rc;
	log_warn("sandbox: %s: seccomp", pol->pol_name);
	seccomp_release(ctx);
	return (-1);
}

#endif /* OA_SANDBOX */
