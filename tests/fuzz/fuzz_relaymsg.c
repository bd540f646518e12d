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
 * Relay messages and the dedupe LRU.  The input is one message.  What
 * parses is written out again as a relay would send it and must parse
 * to the same thing; the event of an EVENT must also survive
 * event_to_json and event_parse.  Every id met, and every 32 bytes of
 * the input, then go through a small dedupe checked against a plain
 * model of an LRU.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "nostr_event.h"
#include "relay_msg.h"

#define MODEL_CAP	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_relaymsg: %s\n", what);
	abort();
}

static void
add(struct event_buf *b, const char *s)
{
	if (event_buf_add(b, s, strlen(s)) == -1)
		fail("event_buf_add");
}

static void
add_json(struct event_buf *b, const char *s, size_t len)
{
	if (event_buf_add_json(b, s, len) == -1)
		fail("event_buf_add_json");
}

/* The message as a relay would write it, from what was parsed. */
static void
message_write(const struct relay_msg *m, struct event_buf *b)
{
	char	*ev;
	size_t	 len;

	switch (m->rm_type) {
	case RELAY_MSG_EVENT:
		add(b, "[\"EVENT\",");
		add_json(b, m->rm_subid, strlen(m->rm_subid));
		if (event_to_json(&m->rm_event, 0, &ev, &len) == -1)
			fail("event_to_json");
		add(b, ",");
		if (event_buf_add(b, ev, len) == -1)
			fail("event_buf_add");
		free(ev);
		break;
	case RELAY_MSG_OK:
		add(b, "[\"OK\",\"");
		if (event_buf_add_hex(b, m->rm_id, sizeof(m->rm_id)) == -1)
			fail("event_buf_add_hex");
		add(b, m->rm_ok ? "\",true," : "\",false,");
		add_json(b, m->rm_text, m->rm_textlen);
		break;
	case RELAY_MSG_EOSE:
		add(b, "[\"EOSE\",");
		add_json(b, m->rm_subid, strlen(m->rm_subid));
		break;
	case RELAY_MSG_CLOSED:
		add(b, "[\"CLOSED\",");
		add_json(b, m->rm_subid, strlen(m->rm_subid));
		add(b, ",");
		add_json(b, m->rm_text, m->rm_textlen);
		break;
	case RELAY_MSG_NOTICE:
		add(b, "[\"NOTICE\",");
		add_json(b, m->rm_text, m->rm_textlen);
		break;
	case RELAY_MSG_AUTH:
		add(b, "[\"AUTH\",");
		add_json(b, m->rm_text, m->rm_textlen);
		break;
	default:
		fail("parsed message of no type");
	}
	add(b, "]");
}

static void
message_compare(const struct relay_msg *a, const struct relay_msg *b)
{
	if (a->rm_type != b->rm_type ||
	    strcmp(a->rm_subid, b->rm_subid) != 0 ||
	    a->rm_textlen != b->rm_textlen ||
	    memcmp(a->rm_text, b->rm_text, a->rm_textlen) != 0 ||
	    memcmp(a->rm_id, b->rm_id, sizeof(a->rm_id)) != 0 ||
	    a->rm_ok != b->rm_ok ||
	    !event_equal(&a->rm_event, &b->rm_event))
		fail("message changed on a round trip");
}

static void
message_check(const struct relay_msg *m)
{
	size_t	 sublen = strlen(m->rm_subid);

	if (m->rm_textlen > RELAY_TEXT_MAX ||
	    m->rm_text[m->rm_textlen] != '\0' ||
	    !event_utf8_valid(m->rm_text, m->rm_textlen))
		fail("text out of bounds or not UTF-8");
	switch (m->rm_type) {
	case RELAY_MSG_EVENT:
	case RELAY_MSG_EOSE:
	case RELAY_MSG_CLOSED:
		if (sublen == 0 || sublen > RELAY_SUBID_MAX)
			fail("subscription id length");
		break;
	case RELAY_MSG_AUTH:
		if (m->rm_textlen == 0)
			fail("empty challenge");
		break;
	case RELAY_MSG_OK:
	case RELAY_MSG_NOTICE:
		break;
	default:
		fail("parsed message of no type");
	}
}

static void
message_roundtrip(const struct relay_msg *m)
{
	struct event_buf	 b = { NULL, 0, 0 };
	struct relay_msg	*back;
	struct nostr_event	 ev;
	char			*json, err[EVENT_ERRLEN];
	size_t			 len;

	message_write(m, &b);
	/* a relay_msg is large: keep it off the fuzzer's stack */
	if ((back = malloc(sizeof(*back))) == NULL)
		fail("malloc");
	if (relay_msg_parse(b.eb_data, b.eb_len, NULL, back, NULL, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s\n%.*s\n", err, (int)b.eb_len, b.eb_data);
		fail("own message does not parse");
	}
	message_compare(m, back);
	relay_msg_free(back);
	free(back);
	event_buf_free(&b);

	if (m->rm_type != RELAY_MSG_EVENT)
		return;
	if (event_to_json(&m->rm_event, 0, &json, &len) == -1)
		fail("event_to_json");
	if (event_parse(json, len, NULL, &ev, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n%.*s\n", err, (int)len, json);
		fail("event JSON does not parse");
	}
	if (!event_equal(&ev, &m->rm_event))
		fail("event changed on a round trip");
	nostr_event_free(&ev);
	free(json);
}

/*
 * The model: ids most recent first.  Whatever the dedupe answers must
 * be what this says.
 */
struct model {
	uint8_t		 mo_ids[MODEL_CAP][EVENT_ID_LEN];
	size_t		 mo_n;
};

static int
model_check(struct model *mo, const uint8_t *id)
{
	size_t	 i;
	int	 seen = 0;

	for (i = 0; i < mo->mo_n; i++)
		if (memcmp(mo->mo_ids[i], id, EVENT_ID_LEN) == 0) {
			seen = 1;
			break;
		}
	if (!seen && mo->mo_n < MODEL_CAP)
		i = mo->mo_n++;
	else if (!seen)
		i = MODEL_CAP - 1;
	memmove(mo->mo_ids[1], mo->mo_ids[0], i * EVENT_ID_LEN);
	memcpy(mo->mo_ids[0], id, EVENT_ID_LEN);
	return (seen);
}

static void
dedupe_feed(struct dedupe *d, struct model *mo, const uint8_t *id)
{
	if (dedupe_check(d, id) != model_check(mo, id))
		fail("dedupe differs from the model");
	if (dedupe_count(d) != mo->mo_n || dedupe_count(d) > MODEL_CAP)
		fail("dedupe count");
}

static void
fuzz_dedupe(const struct relay_msg *m, int parsed, const uint8_t *data,
    size_t len)
{
	struct dedupe	*d;
	struct model	 mo;
	size_t		 i;

	if ((d = dedupe_new(MODEL_CAP)) == NULL)
		fail("dedupe_new");
	memset(&mo, 0, sizeof(mo));
	if (parsed && m->rm_type == RELAY_MSG_EVENT)
		dedupe_feed(d, &mo, m->rm_event.ev_id);
	if (parsed && m->rm_type == RELAY_MSG_OK)
		dedupe_feed(d, &mo, m->rm_id);
	/* overlapping windows give both repeats and new ids */
	for (i = 0; i + EVENT_ID_LEN <= len; i += 3)
		dedupe_feed(d, &mo, data + i);
	if (parsed && m->rm_type == RELAY_MSG_EVENT)
		dedupe_feed(d, &mo, m->rm_event.ev_id);
	dedupe_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct relay_msg	 m;
	static int		 ready;
	char			 err[EVENT_ERRLEN];
	int			 unknown, parsed;

	if (!ready) {
		if (sodium_init() == -1)
			fail("sodium_init");
		ready = 1;
	}
	err[0] = '\0';
	parsed = relay_msg_parse((const char *)data, len, NULL, &m,
	    &unknown, err, sizeof(err)) == 0;
	if (!parsed) {
		if (err[0] == '\0' || m.rm_event.ev_tags != NULL ||
		    m.rm_event.ev_content != NULL)
			fail("failed parse without message or with leftovers");
	} else {
		if (unknown)
			fail("parsed and unknown");
		message_check(&m);
		message_roundtrip(&m);
	}
	fuzz_dedupe(&m, parsed, data, len);
	if (parsed)
		relay_msg_free(&m);
	return (0);
}
