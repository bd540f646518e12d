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

#ifndef OA_PROXY_H
#define OA_PROXY_H

#include <stddef.h>

#include "msg.h"

/*
 * relayd's egress proxy for the agents (proxy.c): it accepts on the
 * unix socket the supervisor passes, tunnels CONNECT to allow-listed
 * hosts, forwards /v1/ requests to the model API over TLS with the
 * operator's key put in, and counts everything against the caps.
 */

/* A (new) configuration, with the listening socket; takes the fd. */
void	proxy_conf(const struct msg_proxy_conf *, const char *, size_t, int);
/* An answer to one of the proxy's IMSG_RELAY_RESOLVE requests. */
void	proxy_addrs(const struct msg_relay_addrs *);
void	proxy_shutdown(void);

#endif /* OA_PROXY_H */
