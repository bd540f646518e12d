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

#ifndef OA_CTL_H
#define OA_CTL_H

#include "imsg.h"
#include "util.h"

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif

/* exit status of every command (DESIGN.md §5) */
#define EXIT_DONE	0
#define EXIT_FAILED	1
#define EXIT_USAGE	2
#define EXIT_OFFLINE	3

struct ctl_cmd {
	const char	*cmd_name;
	int		(*cmd_main)(int, char *[]);
	const char	*cmd_usage;
	const char	*cmd_summary;
};

extern const char	*ctl_config;	/* --config FILE, or NULL */

/* openagents.c */
int		 ctl_paths(struct oa_paths *);
__dead void	 ctl_usage_exit(const char *);
int		 ctl_connect(const struct oa_paths *, struct imsgbuf *);
int		 ctl_request(struct imsgbuf *, uint32_t, const void *, size_t);
int		 ctl_read_secret(const char *, const char *, char *, size_t);

/* ctl_args.c */
int		 ctl_report_args(int, char *[], const char *, int, int *,
		    int *);

/* ctl_init.c */
int		 cmd_init(int, char *[]);

/* ctl_report.c */
int		 cmd_earnings(int, char *[]);
int		 cmd_jobs(int, char *[]);

/* ctl_serve.c */
int		 cmd_serve(int, char *[]);
int		 serve_locate(char *, size_t);

/* ctl_service.c */
int		 cmd_service(int, char *[]);

/* ctl_trajectory.c */
int		 cmd_trajectory(int, char *[]);

/* ctl_tunnel.c */
int		 cmd_tunnel(int, char *[]);

/* ctl_status.c */
int		 cmd_status(int, char *[]);
int		 cmd_reload(int, char *[]);
int		 cmd_stop(int, char *[]);
int		 cmd_pause(int, char *[]);
int		 cmd_resume(int, char *[]);
int		 ctl_wait_online(const struct oa_paths *, int, int *);
int		 ctl_read(struct imsgbuf *, struct imsg *, int);

/* ctl_logs.c */
int		 cmd_logs(int, char *[]);

/* ctl_wallet.c */
int		 cmd_wallet(int, char *[]);

#endif /* OA_CTL_H */
