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
 * The log file (supervisor/sv_log.c): a helper's pipe turned into
 * stamped lines, levels from the "<pri>" prefix, long lines cut, control
 * characters blanked, a last line without a newline kept; rotation by
 * size keeping three old files.
 */

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <bsd/string.h>
#include <check.h>
#include <event2/event.h>

#include "check_run.h"
#include "log.h"
#include "supervisor.h"
#include "sv_log.h"

static struct supervisor	 sv;
static char			 dir[64];

static void
svlog_setup(void)
{
	(void)snprintf(dir, sizeof(dir), "/tmp/oa-test-svlog.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&sv, 0, sizeof(sv));
	ck_assert_ptr_nonnull(sv.sv_base = event_base_new());
	(void)snprintf(sv.sv_paths.p_logs, sizeof(sv.sv_paths.p_logs),
	    "%s/logs", dir);
	log_procinit("openagentsd");
	log_init(1, LOG_DAEMON);
}

static void
svlog_teardown(void)
{
	char	 cmd[128];

	event_base_free(sv.sv_base);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The file's lines without the time stamp, in one buffer. */
static char *
svlog_read(const char *suffix)
{
	char	 path[128], line[4096], *out, *sp;
	FILE	*fp;
	size_t	 len = 0;

	(void)snprintf(path, sizeof(path), "%s/logs/openagentsd.log%s", dir,
	    suffix);
	ck_assert_ptr_nonnull(out = calloc(1, 65536));
	if ((fp = fopen(path, "r")) == NULL)
		return (out);
	while (fgets(line, sizeof(line), fp) != NULL) {
		ck_assert_msg(strlen(line) == 21 + strlen(line + 21) &&
		    line[4] == '-' && line[10] == 'T' && line[19] == 'Z' &&
		    line[20] == ' ', "no time stamp: %s", line);
		sp = line + 21;
		ck_assert(len + strlen(sp) < 65536);
		memcpy(out + len, sp, strlen(sp));
		len += strlen(sp);
	}
	(void)fclose(fp);
	return (out);
}

START_TEST(test_pipe)
{
	char	 err[256], big[3001], *got, want[1200];
	int	 fd, i;
	const char text[] = "<6>hello\n<3>bad\nplain text\n<9>nine\n";

	svlog_setup();
	ck_assert_msg(sv_log_open(&sv, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_ge(fd = sv_log_pipe(&sv, PROC_WORKERD), 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1),
	    (ssize_t)sizeof(text) - 1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(write(fd, big, strlen(big)), (ssize_t)strlen(big));
	ck_assert_int_eq(write(fd, "tail\nctl\001char\n<4>partial", 24), 24);
	(void)close(fd);
	log_warnx("the supervisor's own %d", 1);
	for (i = 0; i < 100; i++)
		(void)event_base_loop(sv.sv_base, EVLOOP_NONBLOCK);
	sv_log_close();

	got = svlog_read("");
	memset(want, 0, sizeof(want));
	(void)strlcpy(want, "WARNING workerd: ", sizeof(want));
	memset(want + strlen(want), 'a', 1099);
	ck_assert_ptr_nonnull(strstr(got, "INFO workerd: hello\n"));
	ck_assert_ptr_nonnull(strstr(got, "ERROR workerd: bad\n"));
	ck_assert_ptr_nonnull(strstr(got, "WARNING workerd: plain text\n"));
	ck_assert_ptr_nonnull(strstr(got, "WARNING workerd: <9>nine\n"));
	/* cut to the line buffer, the rest of it dropped */
	ck_assert_ptr_nonnull(strstr(got, want));
	ck_assert_ptr_null(strstr(got, "aaaa\nWARNING workerd: aaaa"));
	ck_assert_ptr_nonnull(strstr(got, "WARNING workerd: tail\n"));
	ck_assert_ptr_nonnull(strstr(got, "WARNING workerd: ctl char\n"));
	ck_assert_ptr_nonnull(strstr(got, "WARNING workerd: partial\n"));
	ck_assert_ptr_nonnull(strstr(got,
	    "ERROR openagentsd: the supervisor's own 1\n"));
	free(got);
	svlog_teardown();
}
END_TEST

START_TEST(test_rotate)
{
	char		 err[256], path[128], *got;
	struct stat	 st;
	int		 i;

	svlog_setup();
	ck_assert_int_eq(setenv("OPENAGENTS_LOG_MAX_BYTES", "1024", 1), 0);
	ck_assert_msg(sv_log_open(&sv, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < 200; i++)
		log_info("line %03d of a test of the rotation", i);
	sv_log_close();
	ck_assert_int_eq(unsetenv("OPENAGENTS_LOG_MAX_BYTES"), 0);
	for (i = 0; i <= 4; i++) {
		if (i == 0)
			(void)snprintf(path, sizeof(path),
			    "%s/logs/openagentsd.log", dir);
		else
			(void)snprintf(path, sizeof(path),
			    "%s/logs/openagentsd.log.%d", dir, i);
		if (i == 4) {
			ck_assert_int_eq(stat(path, &st), -1);
			break;
		}
		ck_assert_msg(stat(path, &st) == 0, "%s", path);
		ck_assert_int_lt(st.st_size, 1024 + 128);
		ck_assert_int_eq(st.st_mode & 0777, 0600);
	}
	/* the newest line in the file being written, the oldest gone */
	got = svlog_read("");
	ck_assert_ptr_nonnull(strstr(got, "INFO openagentsd: line 199 "));
	free(got);
	got = svlog_read(".3");
	ck_assert_ptr_null(strstr(got, "line 000 "));
	ck_assert_ptr_nonnull(strstr(got, "INFO openagentsd: line "));
	free(got);
	(void)snprintf(path, sizeof(path), "%s/logs", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	svlog_teardown();
}
END_TEST

START_TEST(test_bad_env)
{
	char	 err[256];

	svlog_setup();
	ck_assert_int_eq(setenv("OPENAGENTS_LOG_MAX_BYTES", "12", 1), 0);
	ck_assert_int_eq(sv_log_open(&sv, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "OPENAGENTS_LOG_MAX_BYTES 12 is "
	    "too small"));
	ck_assert_int_eq(unsetenv("OPENAGENTS_LOG_MAX_BYTES"), 0);
	svlog_teardown();
}
END_TEST

static Suite *
svlog_suite(void)
{
	Suite	*s = suite_create("svlog");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_pipe);
	tcase_add_test(tc, test_rotate);
	tcase_add_test(tc, test_bad_env);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(svlog_suite()));
}
