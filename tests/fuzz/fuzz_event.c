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
 * Event and filter parsing.  An input starting with 'F' is a filter
 * and one starting with 'T' an event template (the rest of the input
 * after that byte); anything else is an event.  Whatever parses must
 * survive serialize -> parse unchanged, and serialize the same way
 * again, so that a relayed event keeps its id.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "nostr_event.h"
#include "nostr_filter.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_event: %s\n", what);
	abort();
}

/* Serialize, parse back, compare, serialize again: the same bytes. */
static void
event_roundtrip(const struct nostr_event *ev, int flags)
{
	struct nostr_event	 back, want;
	char			*s, *s2, err[EVENT_ERRLEN];
	size_t			 len, len2;
	int			 rv;

	if (event_to_json(ev, flags, &s, &len) == -1)
		fail("event_to_json");
	if (flags & EVENT_PARSE_TEMPLATE)
		rv = event_template_parse(s, len, NULL, &back, err,
		    sizeof(err));
	else
		rv = event_parse(s, len, NULL, &back, err, sizeof(err));
	if (rv == -1) {
		fprintf(stderr, "%s\n%.*s\n", err, (int)len, s);
		fail("own JSON does not parse");
	}
	/* a template's JSON has no id, pubkey or sig to come back */
	want = *ev;
	if (flags & EVENT_PARSE_TEMPLATE) {
		want.ev_has = 0;
		memset(want.ev_id, 0, sizeof(want.ev_id));
		memset(want.ev_pubkey, 0, sizeof(want.ev_pubkey));
		memset(want.ev_sig, 0, sizeof(want.ev_sig));
	}
	if (!event_equal(&want, &back))
		fail("event changed on a round trip");
	if (event_to_json(&back, flags, &s2, &len2) == -1)
		fail("event_to_json");
	if (len != len2 || memcmp(s, s2, len) != 0)
		fail("JSON changed on a round trip");
	free(s);
	free(s2);
	nostr_event_free(&back);
}

static void
fuzz_event(const char *data, size_t len, int flags)
{
	struct nostr_event	 ev;
	char			*s, err[EVENT_ERRLEN];
	size_t			 slen;
	uint8_t			 id[EVENT_ID_LEN];
	int			 rv;

	err[0] = '\0';
	if (flags & EVENT_PARSE_TEMPLATE)
		rv = event_template_parse(data, len, NULL, &ev, err,
		    sizeof(err));
	else
		rv = event_parse(data, len, NULL, &ev, err, sizeof(err));
	if (rv == -1) {
		if (err[0] == '\0' || ev.ev_tags != NULL ||
		    ev.ev_content != NULL)
			fail("failed parse without message or with leftovers");
		return;
	}
	event_roundtrip(&ev, flags);
	if (event_serialize(&ev, &s, &slen) == -1)
		fail("event_serialize");
	if (strlen(s) > slen)
		fail("event_serialize length");
	free(s);
	if (event_compute_id(&ev, id) == -1)
		fail("event_compute_id");
	/* only the seeds get this far; it keeps verify in the run */
	if (!(flags & EVENT_PARSE_TEMPLATE) &&
	    event_check_id(&ev, err, sizeof(err)) == 0)
		(void)event_verify(&ev, err, sizeof(err));
	nostr_event_free(&ev);
}

static void
fuzz_filter(const char *data, size_t len)
{
	struct nostr_filter	 f, g;
	char			*s, *s2, err[EVENT_ERRLEN];
	size_t			 slen, slen2;

	if (filter_parse(data, len, &f, err, sizeof(err)) == -1) {
		if (f.f_tags != NULL || f.f_kinds != NULL || f.f_ids != NULL)
			fail("failed filter parse left memory");
		return;
	}
	if (filter_to_json(&f, &s, &slen) == -1)
		fail("filter_to_json");
	if (filter_parse(s, slen, &g, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n%.*s\n", err, (int)slen, s);
		fail("own filter JSON does not parse");
	}
	if (!filter_equal(&f, &g))
		fail("filter changed on a round trip");
	if (filter_to_json(&g, &s2, &slen2) == -1)
		fail("filter_to_json");
	if (slen != slen2 || memcmp(s, s2, slen) != 0)
		fail("filter JSON changed on a round trip");
	free(s);
	free(s2);
	filter_free(&f);
	filter_free(&g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int	 ready;
	const char	*s = (const char *)data;

	if (!ready) {
		if (sodium_init() == -1)
			fail("sodium_init");
		ready = 1;
	}
	if (len > 0 && s[0] == 'F')
		fuzz_filter(s + 1, len - 1);
	else if (len > 0 && s[0] == 'T')
		fuzz_event(s + 1, len - 1, EVENT_PARSE_TEMPLATE);
	else
		fuzz_event(s, len, 0);
	return (0);
}
