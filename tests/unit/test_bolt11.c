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
 * BOLT #11 invoices: every valid and invalid example of the BOLT text
 * (lightning/bolts 11-payment-encoding.md, PROTOCOL.md Part D) with the
 * fields each one states, then invoices made and signed here with the
 * examples' key to reach each reader rule one at a time, and the checks
 * the provider makes of its own invoices.
 */

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include "bech32.h"
#include "bolt11.h"
#include "check_run.h"
#include "hex.h"
#include "secp.h"

/* The examples' node key, node id, payment hash and secret. */
#define EX_KEY	"e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734"
#define EX_NODE	"03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad"
#define EX_HASH	"0001020304050607080900010203040506070809000102030405060708090102"
#define EX_SECRET "1111111111111111111111111111111111111111111111111111111111111111"
#define EX_TS	1496314658ULL
#define EX_HHASH "3925b6f67e2c340036ed12093dd44e0368df1b6ea26c53dbe4811f58fd5db8c1"

#define NOAMOUNT	UINT64_MAX
#define BOLT11_SIG_TEST_WORDS	104

struct vec_fb {
	int		 ver;		/* -1 ends */
	const char	*prog;
};

struct vec {
	const char	*name;
	const char	*inv;
	enum bolt11_network net;
	uint64_t	 msats;		/* NOAMOUNT: none */
	uint64_t	 ts;
	const char	*hash;
	const char	*desc;		/* NULL: h = dhash */
	const char	*dhash;
	uint64_t	 expiry;
	uint64_t	 cltv;
	int		 features[4];	/* -1 ends */
	struct vec_fb	 fb[3];
	const char	*metadata;	/* NULL: none */
	const char	*rs;		/* NULL: not stated */
	int		 recid;
	const char	*signed_hex;	/* NULL: not stated */
	const char	*sighash;	/* NULL: not stated */
};

#define F814	{ 8, 14, -1 }
#define NOFB	{ { -1, NULL } }

static const struct vec valid[] = {
	{ "donation, any amount",
	  "lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap9us6v52vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp5h2tztugp9lfyql",
	  BOLT11_NET_MAINNET, NOAMOUNT, EX_TS, EX_HASH,
	  "Please consider supporting this project", NULL, 3600, 18, F814,
	  NOFB, NULL,
	  "8d3ce9e28357337f62da0162d9454df827f83cfe499aeb1c1db349d4d81127425e434ca29929406c23bba1ae8ac6ca32880b38d4bf6ff874024cac34ba9625f1", 1,
	  "6c6e62630b25fe64500d04444444444444444444444444444444444444444444444444444444444444444021a00008101820283038404800081018202830384048000810182028303840480810343f506c6561736520636f6e736964657220737570706f7274696e6720746869732070726f6a6563740500e08000",
	  "6daf4d488be41ce7cbb487cab1ef2975e5efcea879b20d421f0ef86b07cbb987" },
	{ "$3 for a cup of coffee within one minute",
	  "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh",
	  BOLT11_NET_MAINNET, 250000000, EX_TS, EX_HASH, "1 cup coffee",
	  NULL, 60, 18, F814, NOFB, NULL,
	  "e59e3ffbd3945e4334879158d31e89b076dff54f3fa7979ae79df2db9dcaf5896cbfe1a478b8d2307e92c88139464cb7e6ef26e414c4abe33337961ddc5e8ab1", 1,
	  "6c6e626332353030750b25fe64500d04444444444444444444444444444444444444444444444444444444444444444021a000081018202830384048000810182028303840480008101820283038404808103414312063757020636f66666565030041e140382000",
	  "047e24bf270b25d42a56d57b2578faa3a10684641bab817c2851a871cb41dbc0" },
	{ "0.0025 BTC for a cup of nonsense",
	  "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpu9qrsgqhtjpauu9ur7fw2thcl4y9vfvh4m9wlfyz2gem29g5ghe2aak2pm3ps8fdhtceqsaagty2vph7utlgj48u0ged6a337aewvraedendscp573dxr",
	  BOLT11_NET_MAINNET, 250000000, EX_TS, EX_HASH,
	  "\xe3\x83\x8a\xe3\x83\xb3\xe3\x82\xbb\xe3\x83\xb3\xe3\x82\xb9 1\xe6\x9d\xaf",
	  NULL, 60, 18, F814, NOFB, NULL,
	  "bae41ef385e0fc972977c7ea42b12cbd76577d2412919da8a8a22f9577b6507710c0e96dd78c821dea16453037f717f44aa7e3d196ebb18fbb97307dcb7336c3", 1,
	  "6c6e626332353030750b25fe64500d04444444444444444444444444444444444444444444444444444444444444444021a000081018202830384048000810182028303840480008101820283038404808103420e3838ae383b3e382bbe383b3e382b92031e69daf30041e14038200",
	  "f140d992ba419578ba9cfe1af85f92df90a76f442fb5e6e09b1f0582534ba87d" },
	{ "$24 for an entire list of things (hashed)",
	  "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqs9qrsgq7ea976txfraylvgzuxs8kgcw23ezlrszfnh8r6qtfpr6cxga50aj6txm9rxrydzd06dfeawfk6swupvz4erwnyutnjq7x39ymw6j38gp7ynn44",
	  BOLT11_NET_MAINNET, 2000000000, EX_TS, EX_HASH, NULL, EX_HHASH,
	  3600, 18, F814, NOFB, NULL,
	  "f67a5f696648fa4fb102e1a07b230e54722f8e024cee71e80b4847ac191da3fb2d2cdb28cc32344d7e9a9cf5c9b6a0ee0582ae46e9938b9c81e344a4dbb5289d", 1,
	  "6c6e626332306d0b25fe64500d04444444444444444444444444444444444444444444444444444444444444444021a000081018202830384048000810182028303840480008101820283038404808105c343925b6f67e2c340036ed12093dd44e0368df1b6ea26c53dbe4811f58fd5db8c10280704000",
	  "e2ffa444e2979edb639fbdaa384638683ba1a5240b14dd7a150e45a04eea261d" },
	{ "testnet, P2PKH fallback",
	  "lntb20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygshp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfpp3x9et2e20v6pu37c5d9vax37wxq72un989qrsgqdj545axuxtnfemtpwkc45hx9d2ft7x04mt8q7y6t0k2dge9e7h8kpy9p34ytyslj3yu569aalz2xdk8xkd7ltxqld94u8h2esmsmacgpghe9k8",
	  BOLT11_NET_TESTNET, 2000000000, EX_TS, EX_HASH, NULL, EX_HHASH,
	  3600, 18, F814,
	  { { 17, "3172b5654f6683c8fb146959d347ce303cae4ca7" }, { -1, NULL } },
	  NULL,
	  "6ca95a74dc32e69ced6175b15a5cc56a92bf19f5dace0f134b7d94d464b9f5cf6090a18d48b243f289394d17bdf89466d8e6b37df5981f696bc3dd5986e1bee1", 1,
	  "6c6e746232306d0b25fe64500d044444444444444444444444444444444444444444444444444444444444444442e1a1c92db7b3f161a001b7689049eea2701b46f8db7513629edf2408fac7eaedc608043400010203040506070809000102030405060708090001020304050607080901020484313172b5654f6683c8fb146959d347ce303cae4ca728070400",
	  "33bc6642a336097c74299cadfdfdd2e4884a555cf1b4fda72b095382d473d795" },
	{ "P2PKH fallback and two route hops",
	  "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqsfpp3qjmp7lwpagxun9pygexvgpjdc4jdj85fr9yq20q82gphp2nflc7jtzrcazrra7wwgzxqc8u7754cdlpfrmccae92qgzqvzq2ps8pqqqqqqpqqqqq9qqqvpeuqafqxu92d8lr6fvg0r5gv0heeeqgcrqlnm6jhphu9y00rrhy4grqszsvpcgpy9qqqqqqgqqqqq7qqzq9qrsgqdfjcdk6w3ak5pca9hwfwfh63zrrz06wwfya0ydlzpgzxkn5xagsqz7x9j4jwe7yj7vaf2k9lqsdk45kts2fd0fkr28am0u4w95tt2nsq76cqw0",
	  BOLT11_NET_MAINNET, 2000000000, EX_TS, EX_HASH, NULL, EX_HHASH,
	  3600, 18, F814,
	  { { 17, "04b61f7dc1ea0dc99424464cc4064dc564d91e89" }, { -1, NULL } },
	  NULL,
	  "6a6586db4e8f6d40e3a5bb92e4df5110c627e9ce493af237e20a046b4e86ea200178c59564ecf892f33a9558bf041b6ad2cb8292d7a6c351fbb7f2ae2d16b54e", 0,
	  "6c6e626332306d0b25fe64500d04444444444444444444444444444444444444444444444444444444444444444021a000081018202830384048000810182028303840480008101820283038404808105c343925b6f67e2c340036ed12093dd44e0368df1b6ea26c53dbe4811f58fd5db8c104843104b61f7dc1ea0dc99424464cc4064dc564d91e891948053c07520370aa69fe3d258878e8863ef9ce408c0c1f9ef52b86fc291ef18ee4aa020406080a0c0e1000000002000000280006073c07520370aa69fe3d258878e8863ef9ce408c0c1f9ef52b86fc291ef18ee4aa06080a0c0e101214000000040000003c00080500e08000",
	  "b342d4655b984e53f405fe4d872fb9b7cf54ba538fcd170ed4a5906a9f535064" },
	{ "P2SH fallback",
	  "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygshp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfppj3a24vwu6r8ejrss3axul8rxldph2q7z99qrsgqz6qsgww34xlatfj6e3sngrwfy3ytkt29d2qttr8qz2mnedfqysuqypgqex4haa2h8fx3wnypranf3pdwyluftwe680jjcfp438u82xqphf75ym",
	  BOLT11_NET_MAINNET, 2000000000, EX_TS, EX_HASH, NULL, EX_HHASH,
	  3600, 18, F814,
	  { { 18, "8f55563b9a19f321c211e9b9f38cdf686ea07845" }, { -1, NULL } },
	  NULL,
	  "16810439d1a9bfd5a65acc61340dc92448bb2d456a80b58ce012b73cb5202438020500c9ab7ef5573a4d174c811f669885ae27f895bb3a3be52c243589f87518", 1,
	  "6c6e626332306d0b25fe64500d044444444444444444444444444444444444444444444444444444444444444442e1a1c92db7b3f161a001b7689049eea2701b46f8db7513629edf2408fac7eaedc608043400010203040506070809000102030405060708090001020304050607080901020484328f55563b9a19f321c211e9b9f38cdf686ea0784528070400",
	  "9e93321a775f7dffdca03e61d1ac6e0e356cc63cecd3835271200c1e5b499d29" },
	{ "P2WPKH fallback",
	  "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygshp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfppqw508d6qejxtdg4y5r3zarvary0c5xw7k9qrsgqt29a0wturnys2hhxpner2e3plp6jyj8qx7548zr2z7ptgjjc7hljm98xhjym0dg52sdrvqamxdezkmqg4gdrvwwnf0kv2jdfnl4xatsqmrnsse",
	  BOLT11_NET_MAINNET, 2000000000, EX_TS, EX_HASH, NULL, EX_HHASH,
	  3600, 18, F814,
	  { { 0, "751e76e8199196d454941c45d1b3a323f1433bd6" }, { -1, NULL } },
	  NULL,
	  "5a8bd7b97c1cc9055ee60cf2356621f8752248e037a953886a1782b44a58f5ff2d94e6bc89b7b514541a3603bb33722b6c08aa1a3639d34becc549a99fea6eae", 0,
	  "6c6e626332306d0b25fe64500d044444444444444444444444444444444444444444444444444444444444444442e1a1c92db7b3f161a001b7689049eea2701b46f8db7513629edf2408fac7eaedc60804340001020304050607080900010203040506070809000102030405060708090102048420751e76e8199196d454941c45d1b3a323f1433bd628070400",
	  "44fbec32cdac99a1a3cd638ec507dad633a1e5bba514832fd3471e663a157f7b" },
	{ "P2WSH fallback",
	  "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygshp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfp4qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q9qrsgq9vlvyj8cqvq6ggvpwd53jncp9nwc47xlrsnenq2zp70fq83qlgesn4u3uyf4tesfkkwwfg3qs54qe426hp3tz7z6sweqdjg05axsrjqp9yrrwc",
	  BOLT11_NET_MAINNET, 2000000000, EX_TS, EX_HASH, NULL, EX_HHASH,
	  3600, 18, F814,
	  { { 0, "1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262" },
	    { -1, NULL } },
	  NULL,
	  "2b3ec248f80301a421817369194f012cdd8af8df1c279981420f9e901e20fa3309d791e11355e609b59ce4a220852a0cd55ab862b1785a83b206c90fa74d01c8", 1,
	  "6c6e626332306d0b25fe64500d044444444444444444444444444444444444444444444444444444444444444442e1a1c92db7b3f161a001b7689049eea2701b46f8db7513629edf2408fac7eaedc608043400010203040506070809000102030405060708090001020304050607080901020486a01863143c14c5166804bd19203356da136c985678cd4d27a1b8c63296049032620280704000",
	  "865a2cc6730e1eeeacd30e6da8e9ab0e9115828d27953ec0c0f985db05da5027" },
	{ "P2TR fallback",
	  "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqsfp4pptdvg0d2nj99568qn6ssdy4cygnwuxgw2ukmnwgwz7jpqjz2kszs9qrsgqy606dznq28exnydt2r4c29y56xjtn3sk4mhgjtl4pg2y4ar3249rq4ajlmj9jy8zvlzw7cr8mggqzm842xfr0v72rswzq9xvr4hknfsqwmn6xd",
	  BOLT11_NET_MAINNET, 2000000000, EX_TS, EX_HASH, NULL, EX_HHASH,
	  3600, 18, F814,
	  { { 1, "0adac43daa9c8a5a68e09ea10692b82226ee190e572db9b90e17a410484ab405" },
	    { -1, NULL } },
	  NULL, NULL, 0, NULL, NULL },
	/* in the text of the pending fallback-validation change */
	{ "P2WPKH and P2WSH fallbacks",
	  "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygshp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfppqw508d6qejxtdg4y5r3zarvary0c5xw7kfp4qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q9qrsgq3aycy5gecthdw9l7zs6yqdlxcw9fm48xvtswg2mcmeam40zf3j449j9g7a48wzdhe4sfn99fxf62862rdqxs0aqweujcx5l93g2uutgp7x98v8",
	  BOLT11_NET_MAINNET, 2000000000, EX_TS, EX_HASH, NULL, EX_HHASH,
	  3600, 18, F814,
	  { { 0, "751e76e8199196d454941c45d1b3a323f1433bd6" },
	    { 0, "1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262" },
	    { -1, NULL } },
	  NULL,
	  "8f49825119c2eed717fe14344037e6c38a9dd4e662e0e42b78de7bbabc498cab52c8a8f76a7709b7cd609994a93274a3e943680d07f40ecf258353e58a15ce2d", 1,
	  "6c6e626332306d0b25fe64500d044444444444444444444444444444444444444444444444444444444444444442e1a1c92db7b3f161a001b7689049eea2701b46f8db7513629edf2408fac7eaedc60804340001020304050607080900010203040506070809000102030405060708090102048420751e76e8199196d454941c45d1b3a323f1433bd6486a01863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262028070400",
	  "9c91ceab90801eb25cca5adf53ee65dc6bcac36349e5d0d62e9ed13387e01606" },
	{ "pico amount, a week, c and one route hop",
	  "lnbc9678785340p1pwmna7lpp5gc3xfm08u9qy06djf8dfflhugl6p7lgza6dsjxq454gxhj9t7a0sd8dgfkx7cmtwd68yetpd5s9xar0wfjn5gpc8qhrsdfq24f5ggrxdaezqsnvda3kkum5wfjkzmfqf3jkgem9wgsyuctwdus9xgrcyqcjcgpzgfskx6eqf9hzqnteypzxz7fzypfhg6trddjhygrcyqezcgpzfysywmm5ypxxjemgw3hxjmn8yptk7untd9hxwg3q2d6xjcmtv4ezq7pqxgsxzmnyyqcjqmt0wfjjq6t5v4khxsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygsxqyjw5qcqp2rzjq0gxwkzc8w6323m55m4jyxcjwmy7stt9hwkwe2qxmy8zpsgg7jcuwz87fcqqeuqqqyqqqqlgqqqqn3qq9q9qrsgqrvgkpnmps664wgkp43l22qsgdw4ve24aca4nymnxddlnp8vh9v2sdxlu5ywdxefsfvm0fq3sesf08uf6q9a2ke0hc9j6z6wlxg5z5kqpu2v9wz",
	  BOLT11_NET_MAINNET, 967878534, 1572468703,
	  "462264ede7e14047e9b249da94fefc47f41f7d02ee9b091815a5506bc8abf75f",
	  "Blockstream Store: 88.85 USD for Blockstream Ledger Nano S x 1, "
	  "\"Back In My Day\" Sticker x 2, \"I Got Lightning Working\" "
	  "Sticker x 2 and 1 more items",
	  NULL, 604800, 10, F814, NOFB, NULL, NULL, 0, NULL, NULL },
	{ "coffee beans, features 8, 14 and 99",
	  "lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q5sqqqqqqqqqqqqqqqqsgq2a25dxl5hrntdtn6zvydt7d66hyzsyhqs4wdynavys42xgl6sgx9c4g7me86a27t07mdtfry458rtjr0v92cnmswpsjscgt2vcse3sgpz3uapa",
	  BOLT11_NET_MAINNET, 2500000000, EX_TS, EX_HASH, "coffee beans",
	  NULL, 3600, 18, { 8, 14, 99, -1 }, NOFB, NULL, NULL, 0, NULL,
	  NULL },
	{ "the same, all upper case",
	  "LNBC25M1PVJLUEZPP5QQQSYQCYQ5RQWZQFQQQSYQCYQ5RQWZQFQQQSYQCYQ5RQWZQFQYPQDQ5VDHKVEN9V5SXYETPDEESSP5ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYGS9Q5SQQQQQQQQQQQQQQQQSGQ2A25DXL5HRNTDTN6ZVYDT7D66HYZSYHQS4WDYNAVYS42XGL6SGX9C4G7ME86A27T07MDTFRY458RTJR0V92CNMSWPSJSCGT2VCSE3SGPZ3UAPA",
	  BOLT11_NET_MAINNET, 2500000000, EX_TS, EX_HASH, "coffee beans",
	  NULL, 3600, 18, { 8, 14, 99, -1 }, NOFB, NULL, NULL, 0, NULL,
	  NULL },
	{ "payment metadata 0x01fafaf0",
	  "lnbc10m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdp9wpshjmt9de6zqmt9w3skgct5vysxjmnnd9jx2mq8q8a04uqsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q2gqqqqqqsgq7hf8he7ecf7n4ffphs6awl9t6676rrclv9ckg3d3ncn7fct63p6s365duk5wrk202cfy3aj5xnnp5gs3vrdvruverwwq7yzhkf5a3xqpd05wjc",
	  BOLT11_NET_MAINNET, 1000000000, EX_TS, EX_HASH,
	  "payment metadata inside", NULL, 3600, 18, { 8, 14, 48, -1 }, NOFB,
	  "01fafaf0", NULL, 0, NULL, NULL },
	{ "public-key recovery with a high-S signature",
	  "lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap2r09nt4ndd0unm3z9u5t48y6ucv4r5sg7lk98c77ctvjczkspk5qprc90gx",
	  BOLT11_NET_MAINNET, NOAMOUNT, EX_TS, EX_HASH,
	  "Please consider supporting this project", NULL, 3600, 18, F814,
	  NOFB, NULL,
	  "8d3ce9e28357337f62da0162d9454df827f83cfe499aeb1c1db349d4d8112742a1bcb35d66d6bf93dc445e51753935cc32a3a411efd8a7c7bd85b25815a01b50", -1,
	  "6c6e62630b25fe64500d04444444444444444444444444444444444444444444444444444444444444444021a00008101820283038404800081018202830384048000810182028303840480810343f506c6561736520636f6e736964657220737570706f7274696e6720746869732070726f6a6563740500e08000",
	  "6daf4d488be41ce7cbb487cab1ef2975e5efcea879b20d421f0ef86b07cbb987" },
};

struct bad {
	const char	*name;
	const char	*inv;
	const char	*why;		/* a part of the error */
};

static const struct bad invalid[] = {
	{ "unknown feature 100",
	  "lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q4psqqqqqqqqqqqqqqqqsgqtqyx5vggfcsll4wu246hz02kp85x4katwsk9639we5n5yngc3yhqkm35jnjw4len8vrnqnf5ejh0mzj9n3vz2px97evektfm2l6wqccp3y7372",
	  "feature bit 100" },
	{ "bech32 checksum is invalid",
	  "lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrnt",
	  "checksum" },
	{ "malformed bech32 string (no 1)",
	  "pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrny",
	  "separator" },
	{ "malformed bech32 string (mixed case)",
	  "LNBC2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrny",
	  "mixed" },
	{ "signature is not recoverable",
	  "lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpusp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9qrsgqwgt7mcn5yqw3yx0w94pswkpq6j9uh6xfqqqtsk4tnarugeektd4hg5975x9am52rz4qskukxdmjemg92vvqz8nvmsye63r5ykel43pgz7zq0g2",
	  "recover" },
	{ "string is too short",
	  "lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6na6hlh",
	  "too short" },
	{ "invalid multiplier",
	  "lnbc2500x1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpusp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9qrsgqrrzc4cvfue4zp3hggxp47ag7xnrlr8vgcmkjxk3j5jqethnumgkpqp23z9jclu3v0a7e0aruz366e9wqdykw6dxhdzcjjhldxq0w6wgqcnu43j",
	  "multiplier" },
	{ "invalid sub-millisatoshi precision",
	  "lnbc2500000001p1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpusp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9qrsgq0lzc236j96a95uv0m3umg28gclm5lqxtqqwk32uuk4k6673k6n5kfvx3d2h8s295fad45fdhmusm8sjudfhlf6dcsxmfvkeywmjdkxcp99202x",
	  "sub-millisatoshi" },
	{ "missing required s field",
	  "lnbc20m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqs9qrsgq7ea976txfraylvgzuxs8kgcw23ezlrszfnh8r6qtfpr6cxga50aj6txm9rxrydzd06dfeawfk6swupvz4erwnyutnjq7x39ymw6j38gp49qdkj",
	  "no s field" },
	/*
	 * This one also repeats its s field (after the 9 field), which is
	 * told first; signed_high_s_payee below has the high-S case alone.
	 */
	{ "non-canonical (high-S) signature with an n field",
	  "lnbc25m1p70xwfzpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaqnp4q0n326hr8v9zprg8gsvezcch06gfaqqhde2aj730yg0durunfhv66sp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9qrsgqsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygsp5cfzp9ugllvk03rltd6hvndxj26ux6gcxc5azyxk060rj9tzghct5zvjlps76gx8wpq5yuu79688k8gnm2c0al6v608s96l0xzrrlqqwnzxmu",
	  "more than one s field" },
	/*
	 * Listed as valid ("fields which must be ignored") in the text,
	 * but it relies on the reader rule replaced in June 2025 (bolts
	 * #1243): a p, h, s or n field of the wrong length now fails.
	 */
	{ "the stale example with malformed p, h, s and n fields",
	  "lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q5sqqqqqqqqqqqqqqqqsgq2qrqqqfppnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqppnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqpp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhpnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqspnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqsp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnp5qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnpkqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqz599y53s3ujmcfjp5xrdap68qxymkqphwsexhmhr8wdz5usdzkzrse33chw6dlp3jhuhge9ley7j2ayx36kawe7kmgg8sv5ugdyusdcqzn8z9x",
	  "p field has length 51, not 52" },
	/* in the text of the pending fallback-validation change */
	{ "segwit v0 fallback program of 41 bytes",
	  "lnbc1230p1qqp9458np4q0n326hr8v9zprg8gsvezcch06gfaqqhde2aj730yg0durunfhv66xqyp4p3cqzysfpp3qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqfzrqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhp5qvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpspp5z52329g4z52329g4z52329g4z52329g4z52329g4z52329g4z52ssp59g4z52329g4z52329g4z52329g4z52329g4z52329g4z52329g4q9qrsgqs3xz9pgcha32fs3q7a06xl0nvy7yctlultmgjp4d5d0xcvrc3ftjpx4ulh5u0dxdc6d84gjly9wgv5wtarlpe9mlq03p6f7tcczxnqcpqm3jq8",
	  "41 bytes" },
};

static void
unhex(const char *s, uint8_t *out, size_t len)
{
	ck_assert_msg(hex_decode_any(s, strlen(s), out, len) == 0,
	    "bad hex in the test: %s", s);
}

static void
want_hex(const uint8_t *got, size_t len, const char *want, const char *what,
    const char *name)
{
	uint8_t	 buf[64];

	ck_assert_uint_eq(strlen(want), 2 * len);
	unhex(want, buf, len);
	ck_assert_msg(memcmp(got, buf, len) == 0, "%s: %s differs", name,
	    what);
}

static int
vec_has_feature(const struct vec *v, unsigned int bit)
{
	size_t	 i;

	for (i = 0; i < 4 && v->features[i] != -1; i++)
		if ((unsigned int)v->features[i] == bit)
			return (1);
	return (0);
}

START_TEST(official_valid)
{
	const struct vec	*v = &valid[_i];
	struct bolt11		 b;
	char			 err[256];
	uint8_t			 sb[512], h[32];
	size_t			 i, sblen;
	unsigned int		 bit;

	ck_assert_msg(bolt11_decode(v->inv, strlen(v->inv), &b, err,
	    sizeof(err)) == 0, "%s: %s", v->name, err);
	ck_assert_int_eq(b.b_network, v->net);
	if (v->msats == NOAMOUNT)
		ck_assert_int_eq(b.b_has_amount, 0);
	else {
		ck_assert_int_eq(b.b_has_amount, 1);
		ck_assert_uint_eq(b.b_amount_msats, v->msats);
	}
	ck_assert_uint_eq(b.b_timestamp, v->ts);
	want_hex(b.b_payment_hash, 32, v->hash, "payment hash", v->name);
	want_hex(b.b_payment_secret, 32, EX_SECRET, "payment secret",
	    v->name);
	if (v->desc != NULL) {
		ck_assert_int_eq(b.b_has_description, 1);
		ck_assert_str_eq(b.b_description, v->desc);
	} else {
		ck_assert_int_eq(b.b_has_description, 0);
		want_hex(b.b_description_hash, 32, v->dhash,
		    "description hash", v->name);
	}
	ck_assert_uint_eq(b.b_expiry, v->expiry);
	ck_assert_uint_eq(b.b_min_final_cltv, v->cltv);
	ck_assert_uint_eq(bolt11_expires_at(&b), v->ts + v->expiry);
	want_hex(b.b_payee, 33, EX_NODE, "payee", v->name);
	ck_assert_int_eq(b.b_payee_given, 0);
	for (bit = 0; bit < 8 * sizeof(b.b_features) + 8; bit++)
		ck_assert_msg(bolt11_feature(&b, bit) ==
		    vec_has_feature(v, bit), "%s: feature bit %u", v->name,
		    bit);
	for (i = 0; i < 3 && v->fb[i].ver != -1; i++) {
		ck_assert_uint_gt(b.b_nfallbacks, i);
		ck_assert_int_eq(b.b_fallbacks[i].bf_version, v->fb[i].ver);
		ck_assert_uint_eq(b.b_fallbacks[i].bf_proglen,
		    strlen(v->fb[i].prog) / 2);
		want_hex(b.b_fallbacks[i].bf_prog,
		    b.b_fallbacks[i].bf_proglen, v->fb[i].prog, "fallback",
		    v->name);
	}
	ck_assert_uint_eq(b.b_nfallbacks, i);
	if (v->metadata != NULL) {
		ck_assert_int_eq(b.b_has_metadata, 1);
		ck_assert_uint_eq(b.b_metadatalen, strlen(v->metadata) / 2);
		want_hex(b.b_metadata, b.b_metadatalen, v->metadata,
		    "metadata", v->name);
	} else
		ck_assert_int_eq(b.b_has_metadata, 0);
	if (v->rs != NULL) {
		want_hex(b.b_signature, 64, v->rs, "signature", v->name);
		if (v->recid != -1)
			ck_assert_int_eq(b.b_recid, v->recid);
	}
	if (v->signed_hex != NULL) {
		sblen = strlen(v->signed_hex) / 2;
		ck_assert_uint_le(sblen, sizeof(sb));
		unhex(v->signed_hex, sb, sblen);
		ck_assert_int_eq(crypto_hash_sha256(h, sb, sblen), 0);
		ck_assert_msg(memcmp(h, b.b_sighash, 32) == 0,
		    "%s: signed bytes differ", v->name);
	}
	if (v->sighash != NULL)
		want_hex(b.b_sighash, 32, v->sighash, "signed hash", v->name);
}
END_TEST

START_TEST(official_routes)
{
	static const struct {
		size_t		 vec;
		const char	*key;
		uint64_t	 scid;
		uint32_t	 base, ppm;
		uint16_t	 cltv;
	} hops[] = {
		{ 5, "029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255",
		  0x0102030405060708ULL, 1, 20, 3 },
		{ 5, "039e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255",
		  0x030405060708090aULL, 2, 30, 4 },
		/* 589390x3312x1: block, transaction, output */
		{ 11, "03d06758583bb5154774a6eb221b1276c9e82d65bbaceca806d90e20c108f4b1c7",
		  589390ULL << 40 | 3312ULL << 16 | 1, 1000, 2500, 40 },
	};
	struct bolt11	 b;
	char		 err[256];
	size_t		 i, k;

	for (i = 0; i < sizeof(hops) / sizeof(hops[0]); i++) {
		const struct vec	*v = &valid[hops[i].vec];

		ck_assert_msg(bolt11_decode(v->inv, strlen(v->inv), &b, err,
		    sizeof(err)) == 0, "%s: %s", v->name, err);
		ck_assert_uint_eq(b.b_nhops, hops[i].vec == 5 ? 2 : 1);
		k = i == 1 ? 1 : 0;
		want_hex(b.b_hops[k].bh_pubkey, 33, hops[i].key, "hop key",
		    v->name);
		ck_assert_uint_eq(b.b_hops[k].bh_scid, hops[i].scid);
		ck_assert_uint_eq(b.b_hops[k].bh_fee_base_msat, hops[i].base);
		ck_assert_uint_eq(b.b_hops[k].bh_fee_ppm, hops[i].ppm);
		ck_assert_uint_eq(b.b_hops[k].bh_cltv_delta, hops[i].cltv);
	}
	/* the other examples have no r field */
	ck_assert_int_eq(bolt11_decode(valid[0].inv, strlen(valid[0].inv),
	    &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.b_nhops, 0);
}
END_TEST

START_TEST(official_invalid)
{
	const struct bad	*v = &invalid[_i];
	struct bolt11		 b;
	char			 err[256];

	ck_assert_msg(bolt11_decode(v->inv, strlen(v->inv), &b, err,
	    sizeof(err)) == -1, "%s: decoded", v->name);
	ck_assert_msg(err[0] != '\0', "%s: no error told", v->name);
	ck_assert_msg(strstr(err, v->why) != NULL, "%s: error \"%s\"",
	    v->name, err);
	/* nothing of a refused invoice is left to be used by mistake */
	ck_assert_int_eq(b.b_has_amount, 0);
	ck_assert_int_eq(b.b_payee[0], 0);
}
END_TEST

/*
 * Invoices made here: words appended field by field, then signed with
 * the examples' key the way a writer signs, so that each one breaks
 * exactly one rule.
 */
struct mk {
	uint8_t		 w[BECH32_WORDS_MAX];
	size_t		 n;
};

#define MK_HIGH_S	0x01	/* sign with s negated, the high form */
#define MK_RECID(r)	(0x100 | (r) << 4)	/* write this recovery id */

static void
mk_words(struct mk *m, const uint8_t *w, size_t n)
{
	ck_assert_uint_le(m->n + n, sizeof(m->w));
	memcpy(m->w + m->n, w, n);
	m->n += n;
}

static void
mk_start(struct mk *m, uint64_t ts)
{
	int	 i;

	m->n = 0;
	for (i = 6; i >= 0; i--)
		m->w[m->n++] = (uint8_t)(ts >> (5 * i) & 31);
}

/* a field of n words as they are */
static void
mk_raw(struct mk *m, unsigned int type, const uint8_t *w, size_t n)
{
	uint8_t	 hdr[3] = { (uint8_t)type, (uint8_t)(n >> 5),
	    (uint8_t)(n & 31) };

	mk_words(m, hdr, 3);
	mk_words(m, w, n);
}

/* a field of bytes, zero-padded to whole words */
static void
mk_bytes(struct mk *m, unsigned int type, const uint8_t *p, size_t len)
{
	uint8_t	 w[BECH32_WORDS_MAX];
	size_t	 n;

	ck_assert_int_eq(bech32_convert_bits(p, len, 8, w, sizeof(w), &n, 5,
	    1), 0);
	mk_raw(m, type, w, n);
}

static void
mk_hex(struct mk *m, unsigned int type, const char *hex)
{
	uint8_t	 buf[64];

	unhex(hex, buf, strlen(hex) / 2);
	mk_bytes(m, type, buf, strlen(hex) / 2);
}

/* a number in minimal words */
static void
mk_uint(struct mk *m, unsigned int type, uint64_t v)
{
	uint8_t	 w[13];
	size_t	 n = 0, i;

	for (; v > 0; v >>= 5)
		w[n++] = (uint8_t)(v & 31);
	for (i = 0; i < n / 2; i++) {
		uint8_t	 t = w[i];

		w[i] = w[n - 1 - i];
		w[n - 1 - i] = t;
	}
	mk_raw(m, type, w, n);
}

static void
mk_text(struct mk *m, const char *s)
{
	mk_bytes(m, 13, (const uint8_t *)s, strlen(s));
}

/* p, s and d, as every well-formed invoice here has */
static void
mk_basic(struct mk *m)
{
	mk_start(m, EX_TS);
	mk_hex(m, 1, EX_HASH);
	mk_hex(m, 16, EX_SECRET);
	mk_text(m, "test");
}

static void
mk_sign(struct mk *m, const char *hrp, int flags, char *out, size_t outsize)
{
	const secp256k1_context			*ctx = secp_ctx();
	secp256k1_ecdsa_recoverable_signature	 rsig;
	crypto_hash_sha256_state		 st;
	uint8_t					 key[32], h[32], sig[65];
	uint8_t					 bytes[BECH32_DATA_MAX + 1];
	uint8_t					 w[BOLT11_SIG_TEST_WORDS];
	size_t					 len, n;
	int					 recid;

	unhex(EX_KEY, key, sizeof(key));
	ck_assert_int_eq(bech32_convert_bits(m->w, m->n, 5, bytes,
	    sizeof(bytes), &len, 8, 1), 0);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)hrp, strlen(hrp));
	crypto_hash_sha256_update(&st, bytes, len);
	crypto_hash_sha256_final(&st, h);
	ck_assert_int_eq(secp256k1_ecdsa_sign_recoverable(ctx, &rsig, h, key,
	    NULL, NULL), 1);
	ck_assert_int_eq(secp256k1_ecdsa_recoverable_signature_serialize_compact(
	    ctx, sig, &recid, &rsig), 1);
	/* n - s, the id kept, as the BOLT example's high-S signature */
	if (flags & MK_HIGH_S)
		ck_assert_int_eq(secp256k1_ec_seckey_negate(ctx, sig + 32), 1);
	if (flags & 0x100)
		recid = flags >> 4 & 15;
	sig[64] = (uint8_t)recid;
	ck_assert_int_eq(bech32_convert_bits(sig, 65, 8, w, sizeof(w), &n, 5,
	    1), 0);
	ck_assert_uint_eq(n, 104);
	mk_words(m, w, n);
	ck_assert_int_eq(bech32_encode_raw(hrp, m->w, m->n, out, outsize), 0);
}


static int
mk_decode(const char *s, struct bolt11 *b, char *err, size_t errsize)
{
	return (bolt11_decode(s, strlen(s), b, err, errsize));
}

/* Made, signed and refused, with why in the error. */
static void
mk_refused(struct mk *m, const char *hrp, int flags, const char *why)
{
	struct bolt11	 b;
	char		 s[BECH32_MAX_LEN + 1], err[256];

	mk_sign(m, hrp, flags, s, sizeof(s));
	ck_assert_msg(mk_decode(s, &b, err, sizeof(err)) == -1,
	    "decoded, wanted \"%s\": %s", why, s);
	ck_assert_msg(strstr(err, why) != NULL, "error \"%s\", wanted \"%s\"",
	    err, why);
}

static void
mk_taken(struct mk *m, const char *hrp, int flags, struct bolt11 *b)
{
	char	 s[BECH32_MAX_LEN + 1], err[256];

	mk_sign(m, hrp, flags, s, sizeof(s));
	ck_assert_msg(mk_decode(s, b, err, sizeof(err)) == 0, "%s: %s", err,
	    s);
	want_hex(b->b_payee, 33, EX_NODE, "payee", hrp);
}

START_TEST(signed_basic)
{
	struct mk	 m;
	struct bolt11	 b, u;
	char		 s[BECH32_MAX_LEN + 1], err[256];
	size_t		 i;

	mk_basic(&m);
	mk_sign(&m, "lnbcrt10n", 0, s, sizeof(s));
	ck_assert_int_eq(mk_decode(s, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(b.b_network, BOLT11_NET_REGTEST);
	ck_assert_str_eq(b.b_currency, "bcrt");
	ck_assert_str_eq(bolt11_network_name(b.b_network), "regtest");
	ck_assert_uint_eq(b.b_amount_msats, 1000);
	ck_assert_str_eq(b.b_description, "test");
	ck_assert_uint_eq(b.b_expiry, 3600);
	ck_assert_uint_eq(b.b_min_final_cltv, 18);
	ck_assert_uint_eq(b.b_featureslen, 0);
	want_hex(b.b_payee, 33, EX_NODE, "payee", s);
	/* the upper-case form is the same invoice */
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] = (char)(s[i] - 'a' + 'A');
	ck_assert_int_eq(mk_decode(s, &u, err, sizeof(err)), 0);
	ck_assert_int_eq(memcmp(&b, &u, sizeof(b)), 0);
	/* a length that stops short of the string */
	ck_assert_int_eq(bolt11_decode(s, strlen(s) - 1, &u, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "checksum"));
}
END_TEST

START_TEST(signed_payee)
{
	struct mk	 m;
	struct bolt11	 b;
	uint8_t		 w[53];

	/* n given: verified, and low S is required */
	mk_basic(&m);
	mk_hex(&m, 19, EX_NODE);
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_int_eq(b.b_payee_given, 1);
	mk_basic(&m);
	mk_hex(&m, 19, EX_NODE);
	mk_refused(&m, "lnbc", MK_HIGH_S, "high-S signature with an n field");
	/* without n the high form recovers the same key */
	mk_basic(&m);
	mk_taken(&m, "lnbc", MK_HIGH_S, &b);
	ck_assert_int_eq(b.b_payee_given, 0);
	/* another node's key does not verify */
	mk_basic(&m);
	mk_hex(&m, 19, "029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255");
	mk_refused(&m, "lnbc", 0, "does not verify against the n field");
	/* 33 bytes that are no point */
	mk_basic(&m);
	mk_hex(&m, 19, "05e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad");
	mk_refused(&m, "lnbc", 0, "n field is not a public key");
	/* wrong lengths */
	memset(w, 0, sizeof(w));
	mk_basic(&m);
	mk_raw(&m, 19, w, 52);
	mk_refused(&m, "lnbc", 0, "n field has length 52, not 53");
	mk_basic(&m);
	mk_hex(&m, 19, EX_NODE);
	mk_hex(&m, 19, EX_NODE);
	mk_refused(&m, "lnbc", 0, "more than one n field");
	/* recovery ids past 3, and a wrong one */
	mk_basic(&m);
	mk_refused(&m, "lnbc", MK_RECID(4), "recovery id 4");
}
END_TEST

START_TEST(signed_recid)
{
	struct mk	 m;
	struct bolt11	 b;
	char		 s[BECH32_MAX_LEN + 1], err[256];
	int		 r, good = 0;

	/* of the four recovery ids one gives the signer, others another */
	for (r = 0; r < 4; r++) {
		mk_basic(&m);
		mk_sign(&m, "lnbc", MK_RECID(r), s, sizeof(s));
		if (mk_decode(s, &b, err, sizeof(err)) == 0 &&
		    memcmp(b.b_payee, "\x03\xe7\x15\x6a", 4) == 0)
			good++;
	}
	ck_assert_int_eq(good, 1);
}
END_TEST

START_TEST(signed_counts)
{
	struct mk	 m;
	struct bolt11	 b;
	uint8_t		 z[60];

	memset(z, 0, sizeof(z));
	/* p, s and h of the wrong length fail, both shorter and longer */
	mk_basic(&m);
	mk_raw(&m, 1, z, 53);
	mk_refused(&m, "lnbc", 0, "p field has length 53, not 52");
	mk_basic(&m);
	mk_raw(&m, 16, z, 51);
	mk_refused(&m, "lnbc", 0, "s field has length 51, not 52");
	mk_start(&m, EX_TS);
	mk_hex(&m, 1, EX_HASH);
	mk_hex(&m, 16, EX_SECRET);
	mk_raw(&m, 23, z, 53);
	mk_refused(&m, "lnbc", 0, "h field has length 53, not 52");
	/* exactly one p, one s, and one of d and h */
	mk_basic(&m);
	mk_hex(&m, 1, EX_HASH);
	mk_refused(&m, "lnbc", 0, "more than one p field");
	mk_basic(&m);
	mk_hex(&m, 16, EX_SECRET);
	mk_refused(&m, "lnbc", 0, "more than one s field");
	mk_basic(&m);
	mk_text(&m, "again");
	mk_refused(&m, "lnbc", 0, "more than one d field");
	mk_basic(&m);
	mk_hex(&m, 23, EX_HHASH);
	mk_refused(&m, "lnbc", 0, "both d and h fields");
	mk_start(&m, EX_TS);
	mk_hex(&m, 1, EX_HASH);
	mk_hex(&m, 16, EX_SECRET);
	mk_refused(&m, "lnbc", 0, "neither d nor h field");
	mk_start(&m, EX_TS);
	mk_hex(&m, 16, EX_SECRET);
	mk_text(&m, "test");
	mk_refused(&m, "lnbc", 0, "no p field");
	mk_start(&m, EX_TS);
	mk_hex(&m, 1, EX_HASH);
	mk_text(&m, "test");
	mk_refused(&m, "lnbc", 0, "no s field");
	/* unknown types are skipped, whatever their length */
	mk_basic(&m);
	mk_raw(&m, 0, z, 3);
	mk_raw(&m, 2, z, 0);
	mk_raw(&m, 11, z, 60);
	mk_raw(&m, 31, z, 1);
	mk_taken(&m, "lnbc", 0, &b);
	/* a field header, or a field, cut by the signature */
	mk_basic(&m);
	mk_words(&m, z, 2);
	mk_refused(&m, "lnbc", 0, "tagged field header cut short");
	mk_basic(&m);
	mk_words(&m, (const uint8_t *)"\x06\x00\x05\x01", 4);
	mk_refused(&m, "lnbc", 0, "x field of 5 words runs into");
}
END_TEST

START_TEST(signed_numbers)
{
	struct mk	 m;
	struct bolt11	 b;
	uint8_t		 w[16];

	mk_basic(&m);
	mk_uint(&m, 6, 86400);
	mk_uint(&m, 24, 144);
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_uint_eq(b.b_expiry, 86400);
	ck_assert_uint_eq(b.b_min_final_cltv, 144);
	ck_assert_uint_eq(bolt11_expires_at(&b), EX_TS + 86400);
	/* an empty number is zero */
	mk_basic(&m);
	mk_raw(&m, 6, w, 0);
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_uint_eq(b.b_expiry, 0);
	/* leading zero words are not minimal */
	w[0] = 0;
	w[1] = 1;
	mk_basic(&m);
	mk_raw(&m, 6, w, 2);
	mk_refused(&m, "lnbc", 0, "x field is not minimally encoded");
	mk_basic(&m);
	mk_raw(&m, 24, w, 2);
	mk_refused(&m, "lnbc", 0, "c field is not minimally encoded");
	mk_basic(&m);
	mk_raw(&m, 5, (const uint8_t *)"\x00\x10\x01\x00", 4);
	mk_refused(&m, "lnbc", 0, "9 field is not minimally encoded");
	/* 64 bits fit, 65 do not */
	mk_basic(&m);
	mk_uint(&m, 6, UINT64_MAX);
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_uint_eq(b.b_expiry, UINT64_MAX);
	ck_assert_uint_eq(bolt11_expires_at(&b), UINT64_MAX);
	memset(w, 31, sizeof(w));
	mk_basic(&m);
	mk_raw(&m, 6, w, 13);
	mk_refused(&m, "lnbc", 0, "x field value too large");
	mk_basic(&m);
	mk_uint(&m, 6, 60);
	mk_uint(&m, 6, 60);
	mk_refused(&m, "lnbc", 0, "more than one x field");
	/* the largest timestamp, 35 bits */
	mk_start(&m, (1ULL << 35) - 1);
	mk_hex(&m, 1, EX_HASH);
	mk_hex(&m, 16, EX_SECRET);
	mk_text(&m, "late");
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_uint_eq(b.b_timestamp, (1ULL << 35) - 1);
}
END_TEST

START_TEST(signed_features)
{
	struct mk	 m;
	struct bolt11	 b;
	uint8_t		 w[130];

	/* 14, 17 and 101 (odd, unknown: ignored) */
	memset(w, 0, sizeof(w));
	w[0] = 1 << 1;			/* bit 101 of 21 words */
	w[20 - 3] = 1 << 2;		/* bit 17 */
	w[20 - 2] = 1 << 4;		/* bit 14 */
	mk_basic(&m);
	mk_raw(&m, 5, w, 21);
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert(bolt11_feature(&b, 14));
	ck_assert(bolt11_feature(&b, 17));
	ck_assert(bolt11_feature(&b, 101));
	ck_assert(!bolt11_feature(&b, 100));
	ck_assert(!bolt11_feature(&b, 8));
	ck_assert(!bolt11_feature(&b, 5000));
	ck_assert_uint_eq(b.b_featureslen, 14);
	/* an unknown even bit fails, bit 0 as well as 102 */
	w[0] = 1 << 2;
	mk_basic(&m);
	mk_raw(&m, 5, w, 21);
	mk_refused(&m, "lnbc", 0, "unknown required feature bit 102");
	mk_basic(&m);
	mk_raw(&m, 5, (const uint8_t *)"\x01", 1);
	mk_refused(&m, "lnbc", 0, "unknown required feature bit 0");
	/* the known even ones pass */
	w[0] = 1 << 3;			/* bit 48 of 10 words */
	w[6] = 1 << 1;			/* bit 16 */
	w[5] = 1 << 4;			/* bit 24 */
	w[7] = 1 << 4 | 1 << 3;		/* bits 14 and 13 */
	w[8] = 1 << 3;			/* bit 8 */
	w[9] = 0;
	mk_basic(&m);
	mk_raw(&m, 5, w, 10);
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert(bolt11_feature(&b, 48) && bolt11_feature(&b, 24) &&
	    bolt11_feature(&b, 16) && bolt11_feature(&b, 14) &&
	    bolt11_feature(&b, 13) && bolt11_feature(&b, 8));
	/* what b_features cannot hold */
	memset(w, 0, sizeof(w));
	w[0] = 2;
	mk_basic(&m);
	mk_raw(&m, 5, w, 129);
	mk_refused(&m, "lnbc", 0, "9 field longer than 640 bits");
}
END_TEST

START_TEST(signed_fallbacks)
{
	struct mk	 m;
	struct bolt11	 b;
	uint8_t		 w[80];
	int		 i;

	memset(w, 0, sizeof(w));
	/* versions 19 to 31 are skipped; the first four known are kept */
	mk_basic(&m);
	for (i = 19; i < 32; i++) {
		w[0] = (uint8_t)i;
		mk_raw(&m, 9, w, 33);
	}
	for (i = 0; i < 6; i++) {
		w[0] = 17;
		w[1] = (uint8_t)i;
		mk_raw(&m, 9, w, 33);
	}
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_uint_eq(b.b_nfallbacks, BOLT11_FALLBACKS_MAX);
	for (i = 0; i < BOLT11_FALLBACKS_MAX; i++) {
		ck_assert_int_eq(b.b_fallbacks[i].bf_version, 17);
		ck_assert_int_eq(b.b_fallbacks[i].bf_prog[0], i << 3);
	}
	/* a known version with a program of the wrong size */
	w[0] = 17;
	mk_basic(&m);
	mk_raw(&m, 9, w, 35);
	mk_refused(&m, "lnbc", 0, "version 17 program of 21 bytes");
	w[0] = 0;
	mk_basic(&m);
	mk_raw(&m, 9, w, 1 + 40);
	mk_refused(&m, "lnbc", 0, "version 0 program of 25 bytes");
	w[0] = 1;
	mk_basic(&m);
	mk_raw(&m, 9, w, 1 + 2);
	mk_refused(&m, "lnbc", 0, "version 1 program of 1 bytes");
	mk_basic(&m);
	mk_raw(&m, 9, w, 0);
	mk_refused(&m, "lnbc", 0, "f field is empty");
	/* a v16 program of 40 bytes is the largest */
	w[0] = 16;
	mk_basic(&m);
	mk_raw(&m, 9, w, 1 + 64);
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_uint_eq(b.b_fallbacks[0].bf_proglen, 40);
}
END_TEST

START_TEST(signed_routes)
{
	struct mk	 m;
	struct bolt11	 b;
	uint8_t		 hop[51 * 5];
	int		 i;

	for (i = 0; i < (int)sizeof(hop); i++)
		hop[i] = (uint8_t)i;
	/* hops of every r field, the first eight kept */
	mk_basic(&m);
	mk_bytes(&m, 3, hop, 51 * 5);
	mk_bytes(&m, 3, hop, 51 * 5);
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_uint_eq(b.b_nhops, BOLT11_ROUTES_MAX);
	ck_assert_int_eq(b.b_hops[5].bh_pubkey[0], 0);
	ck_assert_uint_eq(b.b_hops[1].bh_scid, 0x5455565758595a5bULL);
	ck_assert_uint_eq(b.b_hops[1].bh_fee_base_msat, 0x5c5d5e5f);
	ck_assert_uint_eq(b.b_hops[1].bh_fee_ppm, 0x60616263);
	ck_assert_uint_eq(b.b_hops[1].bh_cltv_delta, 0x6465);
	mk_basic(&m);
	mk_bytes(&m, 3, hop, 50);
	mk_refused(&m, "lnbc", 0, "r field of 50 bytes is not whole hops");
	mk_basic(&m);
	mk_bytes(&m, 3, hop, 0);
	mk_refused(&m, "lnbc", 0, "r field of 0 bytes");
}
END_TEST

START_TEST(signed_texts)
{
	struct mk	 m;
	struct bolt11	 b;
	uint8_t		 buf[639];

	/* the longest d: 1023 words, 639 bytes */
	memset(buf, 'a', sizeof(buf));
	mk_start(&m, EX_TS);
	mk_hex(&m, 1, EX_HASH);
	mk_hex(&m, 16, EX_SECRET);
	mk_bytes(&m, 13, buf, sizeof(buf));
	mk_raw(&m, 27, m.w + m.n - 1023, 1023);
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_uint_eq(strlen(b.b_description), 639);
	ck_assert_uint_eq(b.b_metadatalen, 639);
	ck_assert_int_eq(b.b_metadata[638], 'a');
	/* an empty d */
	mk_start(&m, EX_TS);
	mk_hex(&m, 1, EX_HASH);
	mk_hex(&m, 16, EX_SECRET);
	mk_text(&m, "");
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_int_eq(b.b_has_description, 1);
	ck_assert_str_eq(b.b_description, "");
	/* not UTF-8: a lone continuation, an overlong, a surrogate, a NUL */
	mk_start(&m, EX_TS);
	mk_hex(&m, 1, EX_HASH);
	mk_hex(&m, 16, EX_SECRET);
	mk_text(&m, "caf\x80");
	mk_refused(&m, "lnbc", 0, "d field is not a UTF-8 text");
	mk_start(&m, EX_TS);
	mk_hex(&m, 1, EX_HASH);
	mk_hex(&m, 16, EX_SECRET);
	mk_text(&m, "\xc0\xaf");
	mk_refused(&m, "lnbc", 0, "UTF-8");
	mk_start(&m, EX_TS);
	mk_hex(&m, 1, EX_HASH);
	mk_hex(&m, 16, EX_SECRET);
	mk_text(&m, "\xed\xa0\x80");
	mk_refused(&m, "lnbc", 0, "UTF-8");
	mk_start(&m, EX_TS);
	mk_hex(&m, 1, EX_HASH);
	mk_hex(&m, 16, EX_SECRET);
	mk_bytes(&m, 13, (const uint8_t *)"a\0b", 3);
	mk_refused(&m, "lnbc", 0, "UTF-8");
	/* four-byte characters pass */
	mk_start(&m, EX_TS);
	mk_hex(&m, 1, EX_HASH);
	mk_hex(&m, 16, EX_SECRET);
	mk_text(&m, "\xf0\x9f\x98\x80 ok");
	mk_taken(&m, "lnbc", 0, &b);
	ck_assert_str_eq(b.b_description, "\xf0\x9f\x98\x80 ok");
}
END_TEST

START_TEST(signed_amounts)
{
	static const struct {
		const char	*hrp;
		uint64_t	 msats;		/* NOAMOUNT: none */
		enum bolt11_network net;
	} ok[] = {
		{ "lnbc", NOAMOUNT, BOLT11_NET_MAINNET },
		{ "lnbc1", 100000000000ULL, BOLT11_NET_MAINNET },
		{ "lnbc21", 2100000000000ULL, BOLT11_NET_MAINNET },
		{ "lnbc1m", 100000000ULL, BOLT11_NET_MAINNET },
		{ "lnbc1u", 100000ULL, BOLT11_NET_MAINNET },
		{ "lnbc1n", 100ULL, BOLT11_NET_MAINNET },
		{ "lnbc10p", 1ULL, BOLT11_NET_MAINNET },
		{ "lnbc1230p", 123ULL, BOLT11_NET_MAINNET },
		{ "lntb", NOAMOUNT, BOLT11_NET_TESTNET },
		{ "lntb5u", 500000ULL, BOLT11_NET_TESTNET },
		{ "lntbs", NOAMOUNT, BOLT11_NET_SIGNET },
		{ "lntbs7n", 700ULL, BOLT11_NET_SIGNET },
		{ "lnbcrt", NOAMOUNT, BOLT11_NET_REGTEST },
		{ "lnbcrt20m", 2000000000ULL, BOLT11_NET_REGTEST },
		/* the largest amounts a uint64_t holds */
		{ "lnbc18446744073709551610p", 1844674407370955161ULL,
		  BOLT11_NET_MAINNET },
		{ "lnbc184467440737095516n", 18446744073709551600ULL,
		  BOLT11_NET_MAINNET },
	};
	static const struct {
		const char	*hrp, *why;
	} bad[] = {
		{ "lnbc01m", "leading zero" },
		{ "lnbc0", "leading zero" },
		{ "lnbc1p", "sub-millisatoshi" },
		{ "lnbc25x", "invalid multiplier 'x'" },
		{ "lnbc25mm", "characters after the multiplier" },
		{ "lnbc25m5", "characters after the multiplier" },
		{ "lnbc18446744073709551616n", "amount too large" },
		{ "lnbc18446744073709551615n", "amount too large" },
		{ "lnbc184467440737095516150p", "amount too large" },
		{ "lnbc200000000000", "amount too large" },
		{ "lnbc123456789012345678901p", "amount too large" },
		{ "lnxy", "unknown currency \"xy\"" },
		{ "lnbcr", "unknown currency \"bcr\"" },
		{ "ln", "unknown currency \"\"" },
		{ "lnsb10u", "unknown currency \"sb\"" },
		{ "bc", "prefix is not \"ln\"" },
		{ "l", "prefix is not \"ln\"" },
	};
	struct mk	 m;
	struct bolt11	 b;
	size_t		 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		mk_basic(&m);
		mk_taken(&m, ok[i].hrp, 0, &b);
		ck_assert_int_eq(b.b_network, ok[i].net);
		if (ok[i].msats == NOAMOUNT)
			ck_assert_int_eq(b.b_has_amount, 0);
		else {
			ck_assert_msg(b.b_has_amount, "%s", ok[i].hrp);
			ck_assert_msg(b.b_amount_msats == ok[i].msats,
			    "%s: %llu msat", ok[i].hrp,
			    (unsigned long long)b.b_amount_msats);
		}
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mk_basic(&m);
		mk_refused(&m, bad[i].hrp, 0, bad[i].why);
	}
}
END_TEST

START_TEST(malformed_strings)
{
	struct bolt11	 b;
	char		 err[256], s[BECH32_MAX_LEN + 8];

	ck_assert_int_eq(bolt11_decode("", 0, &b, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "bech32"));
	ck_assert_int_eq(bolt11_decode("lnbc1\0qq", 8, &b, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
	memset(s, 'q', sizeof(s));
	memcpy(s, "lnbc1", 5);
	ck_assert_int_eq(bolt11_decode(s, BECH32_MAX_LEN + 1, &b, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "longer than 5000"));
	/* no err buffer: still refused, nothing written */
	ck_assert_int_eq(bolt11_decode("lnbc1", 5, &b, NULL, 0), -1);
	/* err is cut to its size and terminated */
	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(bolt11_decode(invalid[0].inv,
	    strlen(invalid[0].inv), &b, err, 8), -1);
	ck_assert_uint_eq(strlen(err), 7);
}
END_TEST

START_TEST(check_rules)
{
	const struct vec	*coffee = &valid[1], *donation = &valid[0];
	struct bolt11		 b, d;
	uint8_t			 hash[32];
	char			 err[256];
	int64_t			 ts = (int64_t)EX_TS;

	unhex(EX_HASH, hash, sizeof(hash));
	ck_assert_int_eq(mk_decode(coffee->inv, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(mk_decode(donation->inv, &d, err, sizeof(err)), 0);

	ck_assert_int_eq(bolt11_check(&b, 250000000, hash, ts, 30, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(bolt11_check(&b, 250000000, NULL, ts + 59, 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(bolt11_check(&b, 250000000, hash, ts + 30, 30, err,
	    sizeof(err)), 0);

	ck_assert_int_eq(bolt11_check(&b, 250000001, hash, ts, 30, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "amount is 250000000 msat, not 250000001");
	ck_assert_int_eq(bolt11_check(&b, -1, hash, ts, 30, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "negative"));
	ck_assert_int_eq(bolt11_check(&d, 0, NULL, ts, 0, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "invoice has no amount");

	hash[31] ^= 1;
	ck_assert_int_eq(bolt11_check(&b, 250000000, hash, ts, 30, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "payment hash"));
	hash[31] ^= 1;

	ck_assert_int_eq(bolt11_check(&b, 250000000, hash, ts + 40, 30, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "invoice expires in 20 s, less than 30");
	ck_assert_int_eq(bolt11_check(&b, 250000000, hash, ts + 60, 0, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "invoice has expired");
	ck_assert_int_eq(bolt11_check(&b, 250000000, hash, ts + 1000, 0,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "invoice has expired");

	/* a saturated end never expires */
	b.b_expiry = UINT64_MAX;
	ck_assert_uint_eq(bolt11_expires_at(&b), UINT64_MAX);
	ck_assert_int_eq(bolt11_check(&b, 250000000, hash, INT64_MAX,
	    INT64_MAX, err, sizeof(err)), 0);
	ck_assert_str_eq(bolt11_network_name(BOLT11_NET_UNKNOWN), "unknown");
	ck_assert_str_eq(bolt11_network_name(BOLT11_NET_SIGNET), "signet");
}
END_TEST

static Suite *
bolt11_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("bolt11");
	tc = tcase_create("official");
	tcase_add_loop_test(tc, official_valid, 0,
	    sizeof(valid) / sizeof(valid[0]));
	tcase_add_test(tc, official_routes);
	tcase_add_loop_test(tc, official_invalid, 0,
	    sizeof(invalid) / sizeof(invalid[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, signed_basic);
	tcase_add_test(tc, signed_payee);
	tcase_add_test(tc, signed_recid);
	tcase_add_test(tc, signed_counts);
	tcase_add_test(tc, signed_numbers);
	tcase_add_test(tc, signed_features);
	tcase_add_test(tc, signed_fallbacks);
	tcase_add_test(tc, signed_routes);
	tcase_add_test(tc, signed_texts);
	tcase_add_test(tc, signed_amounts);
	tcase_add_test(tc, malformed_strings);
	tcase_add_test(tc, check_rules);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return (check_run(bolt11_suite()));
}
