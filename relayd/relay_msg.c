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
 * Relay messages (PROTOCOL.md §C.1, §C.5).  One yajl pass: the outer
 * array is checked element by element against a table of what each
 * type holds, and the object of an EVENT is handed, callback by
 * callback, to the event parser.  Nothing nests outside that object,
 * so depth 1 is the whole outer state.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "hex.h"
#include "nostr_event.h"
#include "nostr_filter.h"
#include "relay_msg.h"
#include "util.h"

#define KIND_AUTH	22242

/* What one element after the type must be. */
enum rm_elem {
	RE_SUBID,
	RE_ID,
	RE_BOOL,
	RE_TEXT,
	RE_CHALLENGE,
	RE_EVENT
};

static const char *const rm_elem_names[] = {
	[RE_SUBID] = "a subscription id",
	[RE_ID] = "an event id",
	[RE_BOOL] = "a boolean",
	[RE_TEXT] = "a message string",
	[RE_CHALLENGE] = "a challenge string",
	[RE_EVENT] = "an event object"
};

#define RM_ELEMS_MAX	3

struct rm_type {
	const char		*rt_name;
	enum relay_msg_type	 rt_type;
	size_t			 rt_min;	/* elements after the type */
	size_t			 rt_max;
	enum rm_elem		 rt_elems[RM_ELEMS_MAX];
};

static const struct rm_type rm_types[] = {
	{ "EVENT", RELAY_MSG_EVENT, 2, 2, { RE_SUBID, RE_EVENT } },
	/* the message of an OK may be missing: see relay_msg.h */
	{ "OK", RELAY_MSG_OK, 2, 3, { RE_ID, RE_BOOL, RE_TEXT } },
	{ "EOSE", RELAY_MSG_EOSE, 1, 1, { RE_SUBID } },
	{ "CLOSED", RELAY_MSG_CLOSED, 2, 2, { RE_SUBID, RE_TEXT } },
	{ "NOTICE", RELAY_MSG_NOTICE, 1, 1, { RE_TEXT } },
	{ "AUTH", RELAY_MSG_AUTH, 1, 1, { RE_CHALLENGE } }
};

#define NTYPES	(sizeof(rm_types) / sizeof(rm_types[0]))

struct rm_parser {
	struct relay_msg	*rp_msg;
	const struct rm_type	*rp_type;
	const struct event_limits *rp_lim;
	struct event_parser	 rp_ep;
	int			 rp_depth;	/* 1 inside the outer array */
	int			 rp_closed;	/* the outer array ended */
	int			 rp_fwd;	/* inside the event object */
	int			 rp_event;	/* the event parser is in use */
	int			 rp_unknown;
	size_t			 rp_pos;	/* index of the next element */
	char			 rp_err[EVENT_ERRLEN];
};

static int	rp_fail(struct rm_parser *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static int	rp_null(void *);
static int	rp_boolean(void *, int);
static int	rp_number(void *, const char *, size_t);
static int	rp_string(void *, const unsigned char *, size_t);
static int	rp_start_map(void *);
static int	rp_map_key(void *, const unsigned char *, size_t);
static int	rp_end_map(void *);
static int	rp_start_array(void *);
static int	rp_end_array(void *);

static const yajl_callbacks rp_callbacks = {
	.yajl_null = rp_null,
	.yajl_boolean = rp_boolean,
	.yajl_number = rp_number,
	.yajl_string = rp_string,
	.yajl_start_map = rp_start_map,
	.yajl_map_key = rp_map_key,
	.yajl_end_map = rp_end_map,
	.yajl_start_array = rp_start_array,
	.yajl_end_array = rp_end_array
};

/* Keeps the first reason: later ones are consequences. */
static int
rp_fail(struct rm_parser *rp, const char *fmt, ...)
{
	va_list	 ap;

	if (rp->rp_err[0] == '\0') {
		va_start(ap, fmt);
		(void)vsnprintf(rp->rp_err, sizeof(rp->rp_err), fmt, ap);
		va_end(ap);
	}
	return (0);
}

/* The result of a callback given to the event parser. */
static int
rp_forwarded(struct rm_parser *rp, int ok)
{
	if (!ok)
		return (0);
	if (event_parser_done(&rp->rp_ep)) {
		rp->rp_fwd = 0;
		rp->rp_pos++;
	}
	return (1);
}

/*
 * What the element at hand must be, or -1 when the message already
 * has all it may hold (the reason is then set).
 */
static int
rp_expect(struct rm_parser *rp)
{
	const struct rm_type	*t = rp->rp_type;

	if (rp->rp_pos - 1 >= t->rt_max) {
		(void)rp_fail(rp, "%s: more than %zu elements", t->rt_name,
		    t->rt_max + 1);
		return (-1);
	}
	return ((int)t->rt_elems[rp->rp_pos - 1]);
}

/*
 * A value that is never right where it is: anything but the outer
 * array at the top, anything but a string first, and a null, number
 * or array as an element.
 */
static int
rp_wrong(struct rm_parser *rp)
{
	int	 want;

	if (rp->rp_depth == 0)
		return (rp_fail(rp, "message: not a JSON array"));
	if (rp->rp_pos == 0)
		return (rp_fail(rp, "message: type is not a string"));
	if ((want = rp_expect(rp)) == -1)
		return (0);
	return (rp_fail(rp, "%s: element %zu is not %s",
	    rp->rp_type->rt_name, rp->rp_pos, rm_elem_names[want]));
}

static int
rp_type(struct rm_parser *rp, const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < NTYPES; i++)
		if (strlen(rm_types[i].rt_name) == len &&
		    memcmp(rm_types[i].rt_name, s, len) == 0) {
			rp->rp_type = &rm_types[i];
			rp->rp_msg->rm_type = rm_types[i].rt_type;
			return (1);
		}
	rp->rp_unknown = 1;
	return (rp_fail(rp, "message: unknown type"));
}

static int
rp_subid(struct rm_parser *rp, const char *s, size_t len)
{
	struct relay_msg	*m = rp->rp_msg;
	size_t			 i;

	if (len == 0 || len > RELAY_SUBID_MAX)
		return (rp_fail(rp, "%s: subscription id not 1 to %d bytes",
		    rp->rp_type->rt_name, RELAY_SUBID_MAX));
	/* it goes into logs and is compared as a C string */
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (rp_fail(rp, "%s: control character in "
			    "subscription id", rp->rp_type->rt_name));
	if (!event_utf8_valid(s, len))
		return (rp_fail(rp, "%s: subscription id not UTF-8",
		    rp->rp_type->rt_name));
	memcpy(m->rm_subid, s, len);
	m->rm_subid[len] = '\0';
	return (1);
}

/*
 * Text is cut on a character boundary, so that what is kept is still
 * UTF-8: back off while the first byte left out continues a character.
 * A challenge is never cut, since it has to be sent back as it came.
 */
static int
rp_text(struct rm_parser *rp, const char *s, size_t len, int challenge)
{
	struct relay_msg	*m = rp->rp_msg;

	if (!event_utf8_valid(s, len))
		return (rp_fail(rp, "%s: message not UTF-8",
		    rp->rp_type->rt_name));
	if (challenge && len == 0)
		return (rp_fail(rp, "%s: empty challenge",
		    rp->rp_type->rt_name));
	if (len > RELAY_TEXT_MAX) {
		if (challenge)
			return (rp_fail(rp, "%s: challenge longer than %d "
			    "bytes", rp->rp_type->rt_name, RELAY_TEXT_MAX));
		len = RELAY_TEXT_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(m->rm_text, s, len);
	m->rm_text[len] = '\0';
	m->rm_textlen = len;
	return (1);
}

static int
rp_element_string(struct rm_parser *rp, const char *s, size_t len)
{
	struct relay_msg	*m = rp->rp_msg;
	int			 want;

	if ((want = rp_expect(rp)) == -1)
		return (0);
	switch ((enum rm_elem)want) {
	case RE_SUBID:
		return (rp_subid(rp, s, len));
	case RE_ID:
		if (hex_decode(s, len, m->rm_id, sizeof(m->rm_id)) == -1)
			return (rp_fail(rp, "%s: event id not 64 lowercase "
			    "hex characters", rp->rp_type->rt_name));
		return (1);
	case RE_TEXT:
		return (rp_text(rp, s, len, 0));
	case RE_CHALLENGE:
		return (rp_text(rp, s, len, 1));
	case RE_BOOL:
	case RE_EVENT:
		break;
	}
	return (rp_wrong(rp));
}

static int
rp_null(void *arg)
{
	struct rm_parser	*rp = arg;

	if (rp->rp_fwd)
		return (rp_forwarded(rp,
		    event_parser_callbacks.yajl_null(&rp->rp_ep)));
	return (rp_wrong(rp));
}

static int
rp_boolean(void *arg, int b)
{
	struct rm_parser	*rp = arg;
	int			 want;

	if (rp->rp_fwd)
		return (rp_forwarded(rp,
		    event_parser_callbacks.yajl_boolean(&rp->rp_ep, b)));
	if (rp->rp_depth != 1 || rp->rp_pos == 0)
		return (rp_wrong(rp));
	if ((want = rp_expect(rp)) == -1)
		return (0);
	if (want != RE_BOOL)
		return (rp_wrong(rp));
	rp->rp_msg->rm_ok = b != 0;
	rp->rp_pos++;
	return (1);
}

static int
rp_number(void *arg, const char *s, size_t len)
{
	struct rm_parser	*rp = arg;

	if (rp->rp_fwd)
		return (rp_forwarded(rp,
		    event_parser_callbacks.yajl_number(&rp->rp_ep, s, len)));
	return (rp_wrong(rp));
}

static int
rp_string(void *arg, const unsigned char *us, size_t len)
{
	struct rm_parser	*rp = arg;
	const char		*s = (const char *)us;

	if (rp->rp_fwd)
		return (rp_forwarded(rp,
		    event_parser_callbacks.yajl_string(&rp->rp_ep, us, len)));
	if (rp->rp_depth != 1)
		return (rp_wrong(rp));
	if (rp->rp_pos == 0) {
		if (!rp_type(rp, s, len))
			return (0);
	} else if (!rp_element_string(rp, s, len))
		return (0);
	rp->rp_pos++;
	return (1);
}

static int
rp_start_map(void *arg)
{
	struct rm_parser	*rp = arg;
	int			 want;

	if (!rp->rp_fwd) {
		if (rp->rp_depth != 1 || rp->rp_pos == 0)
			return (rp_wrong(rp));
		if ((want = rp_expect(rp)) == -1)
			return (0);
		if (want != RE_EVENT)
			return (rp_wrong(rp));
		event_parser_init(&rp->rp_ep, rp->rp_lim, 0,
		    &rp->rp_msg->rm_event);
		rp->rp_event = 1;
		rp->rp_fwd = 1;
	}
	return (rp_forwarded(rp,
	    event_parser_callbacks.yajl_start_map(&rp->rp_ep)));
}

static int
rp_map_key(void *arg, const unsigned char *s, size_t len)
{
	struct rm_parser	*rp = arg;

	/* yajl sends keys only inside objects, and the only one is ours */
	if (!rp->rp_fwd)
		return (rp_fail(rp, "message: unexpected object key"));
	return (rp_forwarded(rp,
	    event_parser_callbacks.yajl_map_key(&rp->rp_ep, s, len)));
}

static int
rp_end_map(void *arg)
{
	struct rm_parser	*rp = arg;

	if (!rp->rp_fwd)
		return (rp_fail(rp, "message: unexpected object end"));
	return (rp_forwarded(rp,
	    event_parser_callbacks.yajl_end_map(&rp->rp_ep)));
}

static int
rp_start_array(void *arg)
{
	struct rm_parser	*rp = arg;

	if (rp->rp_fwd)
		return (rp_forwarded(rp,
		    event_parser_callbacks.yajl_start_array(&rp->rp_ep)));
	if (rp->rp_closed)
		return (rp_fail(rp, "message: data after the array"));
	if (rp->rp_depth != 0)
		return (rp_wrong(rp));
	rp->rp_depth = 1;
	return (1);
}

static int
rp_end_array(void *arg)
{
	struct rm_parser	*rp = arg;
	const struct rm_type	*t = rp->rp_type;

	if (rp->rp_fwd)
		return (rp_forwarded(rp,
		    event_parser_callbacks.yajl_end_array(&rp->rp_ep)));
	/* arrays open only at the top, so this closes the outer one */
	if (rp->rp_pos == 0)
		return (rp_fail(rp, "message: empty array"));
	if (rp->rp_pos - 1 < t->rt_min)
		return (rp_fail(rp, "%s: %zu elements, fewer than %zu",
		    t->rt_name, rp->rp_pos, t->rt_min + 1));
	rp->rp_depth = 0;
	rp->rp_closed = 1;
	return (1);
}

/* yajl's own message, without its trailing newline */
static void
rp_yajl_error(yajl_handle h, char *err, size_t errlen)
{
	unsigned char	*msg;
	size_t		 len;

	if ((msg = yajl_get_error(h, 0, NULL, 0)) == NULL) {
		errbuf_set(err, errlen, "message: invalid JSON");
		return;
	}
	len = strlen((char *)msg);
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	errbuf_set(err, errlen, "message: invalid JSON: %s", (char *)msg);
	yajl_free_error(h, msg);
}

/* Runs yajl over the text; 0, or -1 with the reason in err. */
static int
rp_run(struct rm_parser *rp, const char *json, size_t len, char *err,
    size_t errlen)
{
	yajl_handle	 h;
	yajl_status	 st;

	if ((h = yajl_alloc(&rp_callbacks, NULL, rp)) == NULL) {
		errbuf_set(err, errlen, "message: out of memory");
		return (-1);
	}
	st = yajl_parse(h, (const unsigned char *)json, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st == yajl_status_client_canceled) {
		if (rp->rp_err[0] != '\0')
			errbuf_set(err, errlen, "%s", rp->rp_err);
		else
			errbuf_set(err, errlen, "EVENT: %s",
			    event_parser_error(&rp->rp_ep));
	} else if (st != yajl_status_ok)
		rp_yajl_error(h, err, errlen);
	yajl_free(h);
	if (st != yajl_status_ok)
		return (-1);
	if (!rp->rp_closed) {
		/* yajl took a whole value that was not our array */
		errbuf_set(err, errlen, "message: incomplete");
		return (-1);
	}
	return (0);
}

static void
relay_msg_init(struct relay_msg *m)
{
	/* the text buffer is large: clear only what a reader looks at */
	m->rm_type = 0;
	m->rm_subid[0] = '\0';
	nostr_event_init(&m->rm_event, 0, 0);
	memset(m->rm_id, 0, sizeof(m->rm_id));
	m->rm_ok = 0;
	m->rm_text[0] = '\0';
	m->rm_textlen = 0;
}

int
relay_msg_parse(const char *json, size_t len, const struct event_limits *lim,
    struct relay_msg *m, int *unknown, char *err, size_t errlen)
{
	struct event_limits	 deflim;
	struct rm_parser	 rp;
	size_t			 max;

	if (unknown != NULL)
		*unknown = 0;
	relay_msg_init(m);
	if (lim == NULL) {
		event_limits_default(&deflim);
		lim = &deflim;
	}
	max = lim->el_max_bytes > SIZE_MAX - RELAY_MSG_SLACK ? SIZE_MAX :
	    lim->el_max_bytes + RELAY_MSG_SLACK;
	if (len > max) {
		errbuf_set(err, errlen, "message: larger than %zu bytes", max);
		return (-1);
	}
	memset(&rp, 0, sizeof(rp));
	rp.rp_msg = m;
	rp.rp_lim = lim;
	if (rp_run(&rp, json, len, err, errlen) == -1)
		goto fail;
	if (rp.rp_event && event_parser_finish(&rp.rp_ep) == -1) {
		errbuf_set(err, errlen, "EVENT: %s",
		    event_parser_error(&rp.rp_ep));
		goto fail;
	}
	return (0);
 fail:
	/* both may be called twice, and after each other */
	if (rp.rp_event)
		event_parser_abort(&rp.rp_ep);
	if (unknown != NULL)
		*unknown = rp.rp_unknown;
	relay_msg_init(m);
	return (-1);
}

void
relay_msg_free(struct relay_msg *m)
{
	nostr_event_free(&m->rm_event);
}

/* Ours are ASCII, but any id relay_msg_parse takes back is fine. */
static int
relay_subid_ok(const char *subid)
{
	size_t	 i, len;

	len = strlen(subid);
	if (len == 0 || len > RELAY_SUBID_MAX)
		return (0);
	for (i = 0; i < len; i++)
		if ((unsigned char)subid[i] < 0x20 || subid[i] == 0x7f)
			return (0);
	return (event_utf8_valid(subid, len));
}

static int
relay_buf_str(struct event_buf *b, const char *s)
{
	return (event_buf_add(b, s, strlen(s)));
}

static int
relay_buf_event(struct event_buf *b, const struct nostr_event *ev)
{
	char	*json;
	size_t	 len;
	int	 rv;

	if (event_to_json(ev, 0, &json, &len) == -1)
		return (-1);
	rv = event_buf_add(b, json, len);
	free(json);
	return (rv);
}

static int
relay_buf_filter(struct event_buf *b, const struct nostr_filter *f)
{
	char	*json;
	size_t	 len;
	int	 rv;

	if (filter_to_json(f, &json, &len) == -1)
		return (-1);
	rv = event_buf_add(b, json, len);
	free(json);
	return (rv);
}

static int
relay_build_done(struct event_buf *b, int rv, char **out, size_t *outlen)
{
	if (rv == 0 && event_buf_add(b, "]", 1) == 0 &&
	    event_buf_finish(b, out, outlen) == 0)
		return (0);
	event_buf_free(b);
	return (-1);
}

int
relay_build_req(const char *subid, const struct nostr_filter *filters,
    size_t n, char **out, size_t *outlen)
{
	struct event_buf	 b = { NULL, 0, 0 };
	size_t			 i;
	int			 rv;

	/* a REQ without filters asks for nothing, and relays refuse it */
	if (!relay_subid_ok(subid) || n == 0) {
		errno = EINVAL;
		return (-1);
	}
	rv = relay_buf_str(&b, "[\"REQ\",");
	if (rv == 0)
		rv = event_buf_add_json(&b, subid, strlen(subid));
	for (i = 0; rv == 0 && i < n; i++)
		if ((rv = event_buf_add(&b, ",", 1)) == 0)
			rv = relay_buf_filter(&b, &filters[i]);
	return (relay_build_done(&b, rv, out, outlen));
}

int
relay_build_close(const char *subid, char **out, size_t *outlen)
{
	struct event_buf	 b = { NULL, 0, 0 };
	int			 rv;

	if (!relay_subid_ok(subid)) {
		errno = EINVAL;
		return (-1);
	}
	rv = relay_buf_str(&b, "[\"CLOSE\",");
	if (rv == 0)
		rv = event_buf_add_json(&b, subid, strlen(subid));
	return (relay_build_done(&b, rv, out, outlen));
}

static int
relay_build_signed(const char *prefix, const struct nostr_event *ev,
    char **out, size_t *outlen)
{
	struct event_buf	 b = { NULL, 0, 0 };
	const int		 all = EVENT_HAS_ID | EVENT_HAS_PUBKEY |
				    EVENT_HAS_SIG;
	int			 rv;

	/* a relay would refuse an unsigned event: it is our bug */
	if ((ev->ev_has & all) != all) {
		errno = EINVAL;
		return (-1);
	}
	rv = relay_buf_str(&b, prefix);
	if (rv == 0)
		rv = relay_buf_event(&b, ev);
	return (relay_build_done(&b, rv, out, outlen));
}

int
relay_build_event(const struct nostr_event *ev, char **out, size_t *outlen)
{
	return (relay_build_signed("[\"EVENT\",", ev, out, outlen));
}

int
relay_build_auth(const struct nostr_event *ev, char **out, size_t *outlen)
{
	/* NIP-42: anything else in an AUTH would be signed for nothing */
	if (ev->ev_kind != KIND_AUTH) {
		errno = EINVAL;
		return (-1);
	}
	return (relay_build_signed("[\"AUTH\",", ev, out, outlen));
}
