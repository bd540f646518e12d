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
 * The launcher's decoder of sandbox requests (ct_proto.c) on arbitrary
 * bytes: what a compromised workerd could send.  A spec that decodes
 * is encoded again and must decode to the same thing.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imsg.h"
#include "ct.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ct_spec	 sp, again;
	struct ibuf	 in, *out;
	size_t		 i;

	ibuf_from_buffer(&in, data, len);
	if (ct_spec_decode(&in, &sp) == -1)
		return (0);
	if ((out = ct_spec_encode(&sp.s, sp.fdmask)) == NULL)
		abort();
	if (ct_spec_decode(out, &again) == -1)
		abort();
	if (again.s.cs_mode != sp.s.cs_mode ||
	    again.s.cs_time_limit_ms != sp.s.cs_time_limit_ms ||
	    again.s.cs_memory_mb != sp.s.cs_memory_mb ||
	    again.s.cs_pids != sp.s.cs_pids ||
	    again.s.cs_cpu_millis != sp.s.cs_cpu_millis ||
	    again.s.cs_disk_mb != sp.s.cs_disk_mb ||
	    again.s.cs_proxy_port != sp.s.cs_proxy_port ||
	    again.fdmask != sp.fdmask ||
	    again.s.cs_nbinds != sp.s.cs_nbinds ||
	    !same_str(again.s.cs_cwd, sp.s.cs_cwd) ||
	    !same_str(again.s.cs_proxy_socket, sp.s.cs_proxy_socket))
		abort();
	for (i = 0; sp.argv[i] != NULL || again.argv[i] != NULL; i++)
		if (!same_str(sp.argv[i], again.argv[i]))
			abort();
	for (i = 0; sp.envp[i] != NULL || again.envp[i] != NULL; i++)
		if (!same_str(sp.envp[i], again.envp[i]))
			abort();
	for (i = 0; i < sp.s.cs_nbinds; i++)
		if (!same_str(sp.bsrc[i], again.bsrc[i]) ||
		    !same_str(sp.bdst[i], again.bdst[i]) ||
		    sp.s.cs_binds[i].cb_rw != again.s.cs_binds[i].cb_rw)
			abort();
	ibuf_free(out);
	ct_spec_free(&again);
	ct_spec_free(&sp);
	return (0);
}
