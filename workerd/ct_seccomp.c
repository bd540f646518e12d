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
 * The seccomp filters of the sandboxes.
 *
 * A job runs arbitrary programs (compilers, interpreters, test
 * runners), so its filter is a deny-list over allow-all: what a
 * sandboxed program has no business calling, mostly the kernel's
 * attack surface and every way back out of the namespaces.  Refused
 * calls fail with EPERM (ENOSYS where a fallback exists), so that a
 * probing program goes on instead of dying.
 *
 * The launcher's own filter is inherited by every sandbox it starts
 * (a filter can never be shed), so it cannot be an allow-list of the
 * launcher's calls without capping what jobs may run: it refuses what
 * neither the launcher nor any job needs, and the job filter adds the
 * namespace and mount calls the launcher still has to make.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "ct.h"

#if OA_SANDBOX

#include <sys/mman.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

struct ct_deny {
	int		 nr;		/* SCMP_SYS(); negative: not on this arch */
	int		 err;
};

#define DENY(s)		{ SCMP_SYS(s), EPERM }
#define NOSYS(s)	{ SCMP_SYS(s), ENOSYS }

/* Neither the launcher nor a job: refused to both. */
static const struct ct_deny ct_deny_all[] = {
	NOSYS(kexec_load),		/* replacing the kernel */
	NOSYS(kexec_file_load),
	NOSYS(init_module),		/* loading kernel code */
	NOSYS(finit_module),
	NOSYS(delete_module),
	NOSYS(create_module),
	NOSYS(bpf),			/* verifier bugs; tracing */
	NOSYS(perf_event_open),		/* a long list of CVEs; side channels */
	NOSYS(userfaultfd),		/* stalls kernel paths for races */
	DENY(keyctl),			/* the keyrings are not namespaced */
	DENY(add_key),
	DENY(request_key),
	DENY(process_vm_readv),		/* the same, without ptrace */
	DENY(process_vm_writev),
	DENY(kcmp),			/* compares kernel pointers of others */
	DENY(reboot),
	DENY(swapon),
	DENY(swapoff),
	DENY(acct),			/* writes a file the host reads */
	DENY(quotactl),
	DENY(quotactl_fd),
	DENY(open_by_handle_at),	/* opens files by handle, past mounts */
	DENY(name_to_handle_at),	/* its companion: handles of the host */
	NOSYS(io_uring_setup),		/* bypasses this filter; CVEs */
	NOSYS(io_uring_enter),
	NOSYS(io_uring_register),
	DENY(lookup_dcookie),		/* kernel profiling */
	DENY(nfsservctl),
	DENY(uselib),			/* a.out loader */
	DENY(vm86),
	DENY(vm86old),
	DENY(iopl),			/* raw port I/O */
	DENY(ioperm),
	DENY(syslog),			/* the kernel log */
	DENY(settimeofday),		/* the host clock */
	DENY(clock_settime),
	DENY(clock_adjtime),
	DENY(adjtimex),
	DENY(fanotify_init),		/* watches the host's filesystems */
};

/*
 * Only a job: what the launcher and pid 1 need to build the sandbox,
 * and what runsc needs in gvisor mode, which gets no job filter of
 * ours (gVisor's sentry installs a far narrower one of its own).
 */
static const struct ct_deny ct_deny_job[] = {
	/*
	 * Other processes of the same uid.  runsc's ptrace platform is
	 * the sentry tracing its own stub processes, which run the
	 * command's code: so the launcher's filter, inherited by runsc,
	 * cannot refuse it.
	 */
	DENY(ptrace),
	DENY(mount),			/* the filesystem is fixed */
	DENY(umount2),			/* and so are the masks over /proc */
	DENY(umount),
	DENY(pivot_root),
	DENY(chroot),
	DENY(unshare),			/* new namespaces: new capabilities */
	DENY(setns),
	DENY(fsopen),			/* the new mount API, all of it */
	DENY(fsconfig),
	DENY(fsmount),
	DENY(fspick),
	DENY(open_tree),
	DENY(move_mount),
	DENY(mount_setattr),
	NOSYS(clone3),			/* flags in memory; glibc falls back */
	DENY(sethostname),
	DENY(setdomainname),
};

static int
ct_deny_add(scmp_filter_ctx ctx, const struct ct_deny *d, size_t n)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++) {
		if (d[i].nr < 0)
			continue;
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(d[i].err),
		    d[i].nr, 0)) < 0)
			return (rc);
	}
	return (0);
}

/* Every namespace flag of clone(2); CLONE_NEWTIME is clone3's only. */
static const uint64_t ct_clone_ns[] = {
	CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET,
	CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP,
};

/*
 * personality(2): the values programs use (Linux, 32-bit, uname26 and
 * the query 0xffffffff, which is refused with the rest above 0x20008:
 * one argument cannot be compared twice in a rule).  The flags beyond
 * (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE, MMAP_PAGE_ZERO) weaken the
 * mitigations kernel exploits are up against.
 */
#define CT_PER_MAX	0x20008

/*
 * libseccomp takes longer to compile the job filter than the rest of a
 * sandbox start takes to mount its root, so it is compiled once, in
 * the parent, and each sandbox loads the program.
 */
static struct sock_filter	*ct_job_prog;
static unsigned short		 ct_job_len;

static int
ct_job_filter(scmp_filter_ctx *out)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 rc;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return (-ENOMEM);
	/* other ABIs (i386, x32) meet other syscall numbers: refuse them */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) < 0)
		goto fail;
	if ((rc = ct_deny_add(ctx, ct_deny_all, sizeof(ct_deny_all) /
	    sizeof(ct_deny_all[0]))) < 0 ||
	    (rc = ct_deny_add(ctx, ct_deny_job, sizeof(ct_deny_job) /
	    sizeof(ct_deny_job[0]))) < 0)
		goto fail;
	for (i = 0; i < sizeof(ct_clone_ns) / sizeof(ct_clone_ns[0]); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
		    SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ,
		    ct_clone_ns[i], ct_clone_ns[i]))) < 0)
			goto fail;
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
	    SCMP_SYS(personality), 1, SCMP_A0(SCMP_CMP_GT, CT_PER_MAX))) < 0)
		goto fail;
	/* typing into a terminal another process reads */
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
	    SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL,
	    TIOCSTI))) < 0 ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
	    SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL,
	    TIOCLINUX))) < 0)
		goto fail;
	*out = ctx;
	return (0);
 fail:
	seccomp_release(ctx);
	return (rc);
}

int
ct_seccomp_prepare(void)
{
	scmp_filter_ctx	 ctx;
	struct stat	 sb;
	void		*buf = NULL;
	int		 fd = -1, rc;

	if (ct_job_prog != NULL)
		return (0);
	if ((rc = ct_job_filter(&ctx)) < 0) {
		errno = -rc;
		return (-1);
	}
	if ((fd = memfd_create("ct-job-filter", MFD_CLOEXEC)) == -1 ||
	    (rc = seccomp_export_bpf(ctx, fd)) < 0 ||
	    fstat(fd, &sb) == -1 || sb.st_size <= 0 ||
	    sb.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
	    sb.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS ||
	    (buf = malloc((size_t)sb.st_size)) == NULL ||
	    pread(fd, buf, (size_t)sb.st_size, 0) != sb.st_size) {
		if (rc < 0)
			errno = -rc;
		else if (errno == 0)
			errno = EINVAL;
		free(buf);
		if (fd != -1)
			(void)close(fd);
		seccomp_release(ctx);
		return (-1);
	}
	(void)close(fd);
	seccomp_release(ctx);
	ct_job_prog = buf;
	ct_job_len = (unsigned short)(sb.st_size /
	    (off_t)sizeof(struct sock_filter));
	return (0);
}

/* In the sandbox, after no_new_privs. */
int
ct_seccomp_job(void)
{
	struct sock_fprog	 prog;

	if (ct_job_prog == NULL && ct_seccomp_prepare() == -1)
		return (-1);
	prog.len = ct_job_len;
	prog.filter = ct_job_prog;
	return (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0));
}

int
ct_seccomp_launcher(void)
{
	scmp_filter_ctx	 ctx;
	int		 rc;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return (-1);
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) < 0)
		goto fail;
	if ((rc = ct_deny_add(ctx, ct_deny_all, sizeof(ct_deny_all) /
	    sizeof(ct_deny_all[0]))) < 0)
		goto fail;
	if ((rc = seccomp_load(ctx)) < 0)
		goto fail;
	seccomp_release(ctx);
	return (0);
 fail:
	seccomp_release(ctx);
	errno = -rc;
	return (-1);
}

#else /* !OA_SANDBOX */

/* Built with -Dsandbox=false: no seccomp, so no container sandbox. */
int
ct_seccomp_prepare(void)
{
	errno = ENOTSUP;
	return (-1);
}

int
ct_seccomp_job(void)
{
	errno = ENOTSUP;
	return (-1);
}

int
ct_seccomp_launcher(void)
{
	log_warnx("launcher: built without seccomp (-Dsandbox=false)");
	return (0);
}

#endif /* OA_SANDBOX */
