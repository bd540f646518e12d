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
 * The seccomp allow-lists, one table per role, and what else each role
 * gives up.  A helper calls these only after its event base, channel,
 * log socket and files are set up (STYLE.md §10.3), so the lists hold
 * what the running loop needs and nothing used once at start-up:
 * epoll_create1, socketpair, openat of config files are all absent.
 *
 * A call not listed kills the process (or traps, in log mode).  Adding
 * a line needs a reason next to it.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>

#if OA_SANDBOX
#include <linux/futex.h>
#include <seccomp.h>
#endif

#include "proc.h"
#include "sandbox_policy.h"

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define TABLE(t)	{ (t), nitems(t) }

#if OA_SANDBOX

#define NOARG		{ 0, SB_ANY, 0, 0 }
#define ARG_EQ(i, v)	{ (i), SB_EQ, 0, (uint64_t)(v) }
#define ARG_MASK(i, m, v) { (i), SB_MASKEQ, (uint64_t)(m), (uint64_t)(v) }
#define ARG_SELF(i)	{ (i), SB_SELF, 0, 0 }

#define ALLOW(s)	{ SCMP_SYS(s), SB_ALLOW, { NOARG, NOARG } }
#define ALLOW1(s, a)	{ SCMP_SYS(s), SB_ALLOW, { a, NOARG } }
#define ALLOW2(s, a, b)	{ SCMP_SYS(s), SB_ALLOW, { a, b } }
#define SOFTFAIL(s)	{ SCMP_SYS(s), SB_EACCES, { NOARG, NOARG } }
#define SOFTFAIL1(s, a)	{ SCMP_SYS(s), SB_EACCES, { a, NOARG } }

/*
 * Only the futex commands glibc's locks and condition variables use;
 * the priority-inheritance family has been the exploitable part.  The
 * mask drops FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME and looks at
 * the low 32 bits only, as the kernel does with an int.
 */
#define FUTEX_OPMASK	0xfffffe7fULL
#define ALLOW_FUTEX(op)	ALLOW1(futex, ARG_MASK(1, FUTEX_OPMASK, op))

/* New mappings and protections never executable: W^X after start. */
#define NOEXEC		ARG_MASK(2, PROT_EXEC, 0)

/* Every helper, after start-up. */
static const struct sb_syscall sb_common[] = {
	/* memory: glibc malloc grows and trims the heap and its arenas */
	ALLOW(brk),
	ALLOW1(mmap, NOEXEC),
	ALLOW1(mprotect, NOEXEC),	/* arena growth: PROT_READ|WRITE */
	ALLOW(munmap),
	ALLOW(mremap),			/* realloc of mmapped chunks */
	ALLOW(madvise),			/* free() gives pages back */

	/* event loop: libevent's epoll backend, base made before */
	ALLOW(epoll_wait),
	ALLOW(epoll_pwait),		/* the only variant on arm64 */
	ALLOW(epoll_ctl),		/* event_add, event_del */

	/* channel I/O: imsg on fd 3, log lines on fd 2 */
	ALLOW(read),
	ALLOW(readv),
	ALLOW(write),
	ALLOW(writev),			/* glibc's fatal messages too */
	ALLOW(recvmsg),			/* imsg, with passed fds */
	ALLOW(sendmsg),
	ALLOW(recvfrom),		/* recv(): libevent's signal pipe */
	ALLOW(sendto),			/* send(): syslog, signal pipe */
	ALLOW(close),			/* received fds, finished jobs */
	ALLOW1(fcntl, ARG_EQ(1, F_GETFL)),	/* evutil nonblocking */
	ALLOW1(fcntl, ARG_EQ(1, F_SETFL)),
	ALLOW1(fcntl, ARG_EQ(1, F_GETFD)),	/* close-on-exec */
	ALLOW1(fcntl, ARG_EQ(1, F_SETFD)),
	ALLOW1(fcntl, ARG_EQ(1, F_DUPFD_CLOEXEC)),
	ALLOW1(ioctl, ARG_EQ(1, FIONREAD)),	/* evbuffer_read sizing */

	/* time: the vDSO mostly, the syscall when the clock lacks one */
	ALLOW(clock_gettime),
	ALLOW(gettimeofday),		/* libevent's wall clock cache */
	ALLOW(time),
	ALLOW(clock_nanosleep),		/* back-off sleeps */
	ALLOW(nanosleep),
	ALLOW(restart_syscall),		/* a sleep resumed after a signal */

	/* identity: syslog's LOG_PID, imsg headers */
	ALLOW(getpid),
	ALLOW(gettid),

	/* signals: libevent signal events, and the return from handlers */
	ALLOW(rt_sigaction),
	ALLOW(rt_sigprocmask),
	ALLOW(rt_sigreturn),
	/* abort() (assert, fortify, stack protector) signals itself */
	ALLOW2(tgkill, ARG_SELF(0), ARG_EQ(2, SIGABRT)),

	/* locks: glibc stdio and syslog mutexes, single-threaded mostly */
	ALLOW_FUTEX(FUTEX_WAIT),
	ALLOW_FUTEX(FUTEX_WAKE),
	ALLOW_FUTEX(FUTEX_WAIT_BITSET),
	ALLOW_FUTEX(FUTEX_WAKE_BITSET),
	ALLOW_FUTEX(FUTEX_REQUEUE),
	ALLOW_FUTEX(FUTEX_CMP_REQUEUE),
	ALLOW_FUTEX(FUTEX_WAKE_OP),

	/* limits: getrlimit(RLIMIT_NOFILE) for imsg fd accounting; read only */
	ALLOW2(prlimit64, ARG_EQ(0, 0), ARG_EQ(2, 0)),

	/* exit */
	ALLOW(exit),
	ALLOW(exit_group),
};

/*
 * Roles without a filesystem: Landlock already refuses every path, and
 * these calls fail with EACCES rather than kill, because libc looks
 * for files on its own (/dev/tty for fatal messages, stdio's fstat).
 */
static const struct sb_syscall sb_nofs[] = {
	SOFTFAIL(open),
	SOFTFAIL(openat),
	SOFTFAIL(openat2),
	SOFTFAIL(stat),
	SOFTFAIL(lstat),
	SOFTFAIL(newfstatat),		/* glibc's fstat() is this */
	SOFTFAIL(statx),
	SOFTFAIL(access),
	SOFTFAIL(faccessat),
	SOFTFAIL(faccessat2),
};

/*
 * Roles without a network: glibc's syslog() reconnects by itself after
 * the log daemon restarts (socket, connect).  Failing the socket softly
 * loses those log lines instead of the process.  Any other family
 * still kills.
 */
static const struct sb_syscall sb_nonet[] = {
	SOFTFAIL1(socket, ARG_EQ(0, AF_UNIX)),
};

/* relayd: WebSocket connections to relays, upstreams, webhooks. */
static const struct sb_syscall sb_relayd[] = {
	/* outgoing connections, made after start as relays come and go */
	ALLOW1(socket, ARG_EQ(0, AF_INET)),
	ALLOW1(socket, ARG_EQ(0, AF_INET6)),
	ALLOW1(socket, ARG_EQ(0, AF_UNIX)),	/* local proxy, syslog */
	ALLOW(connect),
	ALLOW(getsockopt),		/* SO_ERROR after a connect */
	ALLOW(setsockopt),		/* TCP_NODELAY, keep-alive */
	ALLOW(getsockname),
	ALLOW(getpeername),
	ALLOW(shutdown),		/* WebSocket close */
	ALLOW(poll),
	ALLOW(ppoll),
	ALLOW(getrandom),		/* TLS, WebSocket masking keys */
};

/*
 * workerd: the jobs directory (Landlock decides where openat reaches).
 * Both the *at calls and the old names: glibc uses either depending on
 * the architecture.
 */
static const struct sb_syscall sb_workerd[] = {
	/* job files */
	ALLOW(openat),
	ALLOW(open),
	ALLOW(lseek),
	ALLOW(ftruncate),
	ALLOW(fsync),			/* job state survives a crash */
	ALLOW(fdatasync),
	ALLOW(getdents64),		/* readdir of a job tree */
	ALLOW(newfstatat),		/* fstat, stat, fstatat */
	ALLOW(fstat),
	ALLOW(statx),

	/* job directories: create, rename into place, clean up */
	ALLOW(mkdirat),
	ALLOW(mkdir),
	ALLOW(unlinkat),
	ALLOW(unlink),
	ALLOW(rmdir),
	ALLOW(renameat2),
	ALLOW(renameat),
	ALLOW(rename),

	/*
	 * Job sandboxes: built by the launcher (workerd/ct_launcher.c),
	 * forked before this filter; workerd only sends it requests and
	 * stdio fds over a socket, which the calls above already cover
	 * (sendmsg, recvmsg, fcntl F_DUPFD_CLOEXEC).  Nothing to add.
	 */
};

/* walletd: keys in locked memory (libsodium's sodium_malloc). */
static const struct sb_syscall sb_walletd[] = {
	ALLOW(getrandom),		/* nonces, signatures */
	ALLOW(mlock),			/* key pages never swapped */
	ALLOW(mlock2),
	ALLOW(munlock),			/* sodium_free */
};

#define TABLES(...)	{ __VA_ARGS__ }

#else /* !OA_SANDBOX */

#define TABLES(...)	{ { NULL, 0 } }

#endif /* OA_SANDBOX */

static const struct sandbox_policy sb_policies[PROC_MAX] = {
	[PROC_SUPERVISOR] = {
		/* not confined by sandbox_enter(): no policy */
		.pol_name = NULL,
	},
	[PROC_RELAYD] = {
		/* the network is its job; no files after start */
		.pol_name = "relayd",
		.pol_flags = SBP_NOPROC,
		.pol_tables = TABLES(TABLE(sb_common), TABLE(sb_nofs),
		    TABLE(sb_relayd)),
	},
	[PROC_WORKERD] = {
		/* jobs dir only; spawns job sandboxes later */
		.pol_name = "workerd",
		.pol_flags = SBP_JOBSDIR | SBP_NOTCP,
		.pol_tables = TABLES(TABLE(sb_common), TABLE(sb_nonet),
		    TABLE(sb_workerd)),
	},
	[PROC_VERIFYD] = {
		/* pure computation on what the channel brings */
		.pol_name = "verifyd",
		.pol_flags = SBP_NOPROC | SBP_LANDLOCK_REQUIRED | SBP_NOTCP,
		.pol_tables = TABLES(TABLE(sb_common), TABLE(sb_nofs),
		    TABLE(sb_nonet)),
	},
	[PROC_WALLETD] = {
		/* the key holder: no core, no ptrace by the same uid */
		.pol_name = "walletd",
		.pol_flags = SBP_NODUMP | SBP_NOPROC | SBP_LANDLOCK_REQUIRED |
		    SBP_NOTCP,
		.pol_tables = TABLES(TABLE(sb_common), TABLE(sb_nofs),
		    TABLE(sb_nonet), TABLE(sb_walletd)),
	},
};

const struct sandbox_policy *
sandbox_policy_get(enum proc_id id)
{
	if ((unsigned int)id >= PROC_MAX || sb_policies[id].pol_name == NULL)
		return (NULL);
	return (&sb_policies[id]);
}
