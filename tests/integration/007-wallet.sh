#!/bin/sh
# The wallet connection (NIP-47): provider wallet connect checks and
# seals the URI into wallet.enc, walletd opens it with the identity's
# passphrase and does the connection's requests and answers with its
# own secret; wallet status talks to the daemon.
. "$(dirname "$0")/lib.sh"

OATOOL="$OA_BUILD_ROOT/tests/oatool"
DRIVE="$OA_BUILD_ROOT/tests/walletd_drive"
WALLETD="$OA_BUILD_ROOT/openagents-walletd"
FAKECTL="$OA_SOURCE_ROOT/tests/integration/fakectl.py"
# the wallet service: the BIP-39 "abandon ... about" NIP-06 key
WSK=5f29af3b9676180290e77a4efad265c4c2ff28a5302461f73597fda26bb25731
WPK=e8bcf3823669444d0b49ad45d65088635d9fd8500a75b5f20b59abefa56a144f
# someone else: the NIP-06 vector key
OSK=7f7ff03d123792d6ac594bfa67bf6d0c0ab55b6b1fdb6249303fe861f1ccba9a
OPK=17162c921dc4d2518f9a101db33695df1afb56ab82f5ff3e5da6eec3ca5cd917
CS=3e9d2c5f0a71b48e6f1d27c39b5a0e84d7f6c1a29b3e58d40c7a6f1e2b9d8c07
URI="nostr+walletconnect://$WPK?relay=ws%3A%2F%2F127.0.0.1%3A7777&relay=wss://relay.example/v1&secret=$CS&lud16=bob%40example.com"

make_identity

# connect, the URI as an argument
"$OA" provider wallet connect "$URI" >"$T/out" 2>&1
check "wallet connect exits 0" test $? -eq 0
cat "$T/out"
check "wallet.enc is mode 0600" test "$(stat -c %a "$PDIR/wallet.enc")" = 600
check "it is sealed like identity.enc" grep -q '"argon2_params"' "$PDIR/wallet.enc"
check "and the secret is not in it in clear" sh -c "! grep -q $CS '$PDIR/wallet.enc'"
check "the wallet key is printed" grep -q "^Wallet: *$WPK$" "$T/out"
check "the relays are printed, decoded" sh -c "grep -q '^Relays: *ws://127.0.0.1:7777$' '$T/out' && grep -q '^  *wss://relay.example/v1$' '$T/out'"
check "the secret is not printed" sh -c "! grep -q $CS '$T/out'"
check "no daemon: it says when it takes effect" grep -q "next start" "$T/out"
sum=$(sha256sum "$PDIR/wallet.enc")

# from stdin
printf '  %s\n' "$URI" | "$OA" provider wallet connect - >"$T/out" 2>&1
check "wallet connect - reads the URI from stdin" test $? -eq 0
check "and gives the same wallet" grep -q "^Wallet: *$WPK$" "$T/out"
check "a new wallet.enc (fresh salt)" test "$(sha256sum "$PDIR/wallet.enc")" != "$sum"
cp "$PDIR/wallet.enc" "$T/wallet.enc"
sum=$(sha256sum "$PDIR/wallet.enc")

bad() {	# bad "description" URI "what the message names"
	"$OA" provider wallet connect "$2" >"$T/out" 2>&1
	check "a URI with $1 exits 1" test $? -eq 1
	check "naming $3" grep -q "$3" "$T/out"
	check "and not echoing the secret" sh -c "! grep -q $CS '$T/out'"
}
bad "another scheme" "https://$WPK?relay=wss://a&secret=$CS" "scheme"
bad "a short wallet key" "nostr+walletconnect://abcdef?relay=wss://a&secret=$CS" "wallet public key"
bad "an http relay" "nostr+walletconnect://$WPK?relay=https%3A%2F%2Fa&secret=$CS" "relay 1: not a ws:// or wss:// URL"
bad "no relay" "nostr+walletconnect://$WPK?secret=$CS" "relay: none"
bad "no secret" "nostr+walletconnect://$WPK?relay=wss://a" "secret: missing"
bad "a short secret" "nostr+walletconnect://$WPK?relay=wss://a&secret=${CS%??}" "secret: not 64 hex"
bad "bad percent-encoding" "nostr+walletconnect://$WPK?relay=wss%3&secret=$CS" "bad percent-encoding"
check "none of them touched wallet.enc" test "$(sha256sum "$PDIR/wallet.enc")" = "$sum"

printf 'not it\n' > "$T/wrong"
"$OA" provider wallet connect --passphrase-file "$T/wrong" "$URI" >"$T/out" 2>&1
check "a wrong passphrase exits 1" test $? -eq 1
check "saying so" grep -q "wrong passphrase" "$T/out"
check "and leaves wallet.enc alone" test "$(sha256sum "$PDIR/wallet.enc")" = "$sum"
OPENAGENTS_HOME="$T/nohome" "$OA" provider wallet connect "$URI" >"$T/out" 2>&1
check "no identity: exit 1" test $? -eq 1
check "saying to run provider init" grep -q "provider init" "$T/out"
"$OA" provider wallet connect >/dev/null 2>&1
check "connect without a URI is a usage error" test $? -eq 2
"$OA" provider wallet connect --help >"$T/out" 2>&1
check "connect --help exits 0" test $? -eq 0
"$OA" provider wallet status --help >"$T/out" 2>&1
check "status --help exits 0, showing --json" grep -q -- "--json" "$T/out"

"$OA" provider wallet status >"$T/out" 2>&1
check "wallet status without the daemon exits 3" test $? -eq 3
check "with the wording of the other live commands" grep -q "openagentsd is not running for $PDIR" "$T/out"

# against a stand-in for the daemon's control socket
SOCK="$PDIR/control.sock"
STATUS='{"configured":true,"state":"connected","error":"","wallet_pubkey":"'$WPK'","client_pubkey":"00","relays":["ws://127.0.0.1:7777","wss://relay.example/v1"],"lud16":"bob@example.com","encryption":"nip44_v2","methods":["get_balance","make_invoice","lookup_invoice"],"notifications":["payment_received"],"alias":"Test Node","network":"regtest","balance_msats":1234000,"open_invoices":2,"last_answer_at":1796120000}'
python3 "$FAKECTL" "$SOCK" "result:0:wallet reloaded" "result:1:walletd: wallet.enc does not open" \
    "wallet:$STATUS" "wallet:$STATUS" \
    'wallet:{"configured":false,"state":"not_configured","error":"","relays":[],"methods":[],"notifications":[],"balance_msats":null,"open_invoices":0,"last_answer_at":0}' \
    >"$T/fake" 2>&1 &
FPID=$!
echo "$FPID" >> "$T/pids"
i=0; while ! grep -q listening "$T/fake" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
"$OA" provider wallet connect "$URI" >"$T/out" 2>&1
check "a running daemon takes the new connection" sh -c "test $? -eq 0 && grep -q '^Daemon: *took the new connection: wallet reloaded' '$T/out'"
"$OA" provider wallet connect "$URI" >"$T/out" 2>&1
check "one that refuses it: exit 1" test $? -eq 1
check "saying why" grep -q "did not take the new connection: walletd: wallet.enc does not open" "$T/out"
"$OA" provider wallet status >"$T/out" 2>&1
check "wallet status exits 0" test $? -eq 0
cat "$T/out"
check "showing the wallet" grep -q "^Wallet: *$WPK$" "$T/out"
check "its alias and network" sh -c "grep -q '^Alias: *Test Node$' '$T/out' && grep -q '^Network: *regtest$' '$T/out'"
check "the state" grep -q "^State: *connected$" "$T/out"
check "the relays" sh -c "grep -q '^Relays: *ws://127.0.0.1:7777$' '$T/out' && grep -q '^  *wss://relay.example/v1$' '$T/out'"
check "encryption and methods" sh -c "grep -q '^Encryption: *nip44_v2$' '$T/out' && grep -q '^Methods: *get_balance make_invoice lookup_invoice$' '$T/out'"
check "the balance in sats" grep -q "^Balance: *1234 sats$" "$T/out"
check "the open invoices" grep -q "^Open invoices: *2$" "$T/out"
"$OA" provider wallet status --json >"$T/out" 2>&1
check "status --json prints the daemon's JSON as is" test "$(cat "$T/out")" = "$STATUS"
"$OA" provider wallet status >"$T/out" 2>&1
check "not configured: says to run wallet connect" grep -q "wallet connect" "$T/out"
check "and shows no balance" sh -c "! grep -q Balance '$T/out'"
wait_exit "$FPID" 50
check "the stand-in saw RELOAD twice, then WALLET_REQ three times" test "$(grep -c '^request 106$' "$T/fake") $(grep -c '^request 105$' "$T/fake")" = "2 3"

# walletd: the file from wallet connect, after the unlock
printf 'nwc-file %s\n' "$T/wallet.enc" |
    "$DRIVE" "$WALLETD" "$PDIR/identity.enc" "$PASSFILE" >"$T/drive" 2>"$T/drive.err"
cat "$T/drive"
check "walletd opens the wallet.enc of wallet connect" grep -q "^nwc-info 0 $WPK [0-9a-f]\{64\} bob@example.com ws://127.0.0.1:7777 wss://relay.example/v1$" "$T/drive"
CPK=$(sed -n 's/^nwc-info 0 [0-9a-f]* \([0-9a-f]*\) .*/\1/p' "$T/drive")
check "the client key is the secret's, not the identity's" sh -c "test -n '$CPK' && test '$CPK' != '$OPK'"

# sealed here, sent before the unlock; then requests
REQ='{"method":"get_balance","params":{}}'
REQ_HEX=$(printf '%s' "$REQ" | od -An -tx1 | tr -d ' \n')
printf '%s\n' "nwc-request nip44 $REQ" "nwc-request nip04 $REQ" \
    'nwc-request nip44 {"params":{}}' 'nwc-request nip44 [1]' \
    'nwc-request nip44 {"method":1}' "nwc-request nip44 $REQ x" |
    "$DRIVE" "$WALLETD" "$PDIR/identity.enc" "$PASSFILE" "$URI" >"$T/drive" 2>"$T/drive.err"
cat "$T/drive" "$T/drive.err"
check "a wallet.enc sent before the unlock is answered after it" sh -c "head -1 '$T/drive' | grep -q '^unlocked ' && sed -n 2p '$T/drive' | grep -q '^nwc-info 0 $WPK $CPK '"
sed -n 3p "$T/drive" | sed 's/^ok //' >"$T/req44"
sed -n 4p "$T/drive" | sed 's/^ok //' >"$T/req04"
check "both requests are answered" sh -c "sed -n 3,4p '$T/drive' | grep -c '^ok {' | grep -q 2"
check "the NIP-44 request verifies" test "$("$OATOOL" verify <"$T/req44")" = valid
check "the NIP-04 request verifies" test "$("$OATOOL" verify <"$T/req04")" = valid
cat >"$T/tags.py" <<'PY'
import json, sys, time
ev = json.load(open(sys.argv[1]))
want_enc = sys.argv[4] == "nip44"
tags = {t[0]: t[1:] for t in ev["tags"]}
ok = (ev["kind"] == 23194 and ev["pubkey"] == sys.argv[3] and
      tags.get("p") == [sys.argv[2]] and
      (tags.get("encryption") == ["nip44_v2"]) == want_enc and
      ("encryption" in tags) == want_enc and
      abs(ev["created_at"] - time.time()) < 120 and
      int(tags["expiration"][0]) == ev["created_at"] + 330)
print(ev["content"] if ok else "BAD")
PY
C44=$(python3 "$T/tags.py" "$T/req44" "$WPK" "$CPK" nip44)
C04=$(python3 "$T/tags.py" "$T/req04" "$WPK" "$CPK" nip04)
check "NIP-44 request: kind 23194 by the client key, p, encryption, expiration" sh -c "test -n '$C44' && test '$C44' != BAD"
check "NIP-04 request: the same without the encryption tag" sh -c "test -n '$C04' && test '$C04' != BAD"
check "the wallet decrypts the NIP-44 request" test "$("$OATOOL" nip44-decrypt $WSK $CPK "$C44")" = "$REQ_HEX"
check "the wallet decrypts the NIP-04 request" test "$("$OATOOL" nip04-decrypt $WSK $CPK "$C04")" = "$REQ_HEX"
check "a request without a method is bad input" sed -n 5p "$T/drive" | grep -q '^err 2 the request is not a JSON object with a string "method"'
check "so is an array, a numeric method, trailing text" test "$(sed -n 6,8p "$T/drive" | grep -c '^err 2 ')" -eq 3

# answers, signed by the wallet (and by others)
ANS='{"result_type":"get_balance","error":null,"result":{"balance":21000}}'
ANS_HEX=$(printf '%s' "$ANS" | od -An -tx1 | tr -d ' \n')
NONCE=0000000000000000000000000000000000000000000000000000000000000007
P44=$("$OATOOL" nip44-encrypt $WSK $CPK $NONCE "$ANS_HEX")
P04=$("$OATOOL" nip04-encrypt $WSK $CPK "$ANS_HEX")
O44=$("$OATOOL" nip44-encrypt $OSK $CPK $NONCE "$ANS_HEX")
NOW=$(date +%s)
ev() {	# ev SK KIND P CONTENT
	printf '{"kind":%s,"created_at":%s,"tags":[["p","%s"],["e","%s"]],"content":"%s"}\n' \
	    "$2" "$NOW" "$3" "$WPK" "$4" | "$OATOOL" sign "$1"
}
{
	echo "nwc-open $(ev $WSK 23195 $CPK "$P44")"
	echo "nwc-open $(ev $WSK 23195 $CPK "$P04")"
	echo "nwc-open $(ev $WSK 23197 $CPK "$P44")"
	echo "nwc-open $(ev $WSK 23196 $CPK "$P04")"
	echo "nwc-open $(ev $OSK 23195 $CPK "$O44")"
	echo "nwc-open $(ev $WSK 23195 $OPK "$P44")"
	echo "nwc-open $(ev $WSK 1 $CPK "$P44")"
	echo "nwc-open $(ev $WSK 23196 $CPK "$P44")"
	echo "nwc-open $(ev $WSK 23195 $CPK "$P44" | sed 's/"sig":"[0-9a-f]*"/"sig":"'"$(printf '%0128d' 0)"'"/')"
	echo "nwc-open $(ev $WSK 23195 $CPK "$("$OATOOL" nip44-encrypt $WSK $CPK $NONCE 5b315d)")"
	echo "nwc-open {\"kind\":23195}"
} >"$T/open.in"
"$DRIVE" "$WALLETD" "$PDIR/identity.enc" "$PASSFILE" "$URI" <"$T/open.in" >"$T/drive" 2>"$T/drive.err"
cat "$T/drive" "$T/drive.err"
check "a NIP-44 response opens" test "$(sed -n 3p "$T/drive")" = "ok $ANS"
check "a NIP-04 response opens (by its ?iv=)" test "$(sed -n 4p "$T/drive")" = "ok $ANS"
check "a NIP-44 notification (23197) opens" test "$(sed -n 5p "$T/drive")" = "ok $ANS"
check "a NIP-04 notification (23196) opens" test "$(sed -n 6p "$T/drive")" = "ok $ANS"
check "another author is refused as forged" sed -n 7p "$T/drive" | grep -q "^err 1 forged wallet event"
check "and logged" grep -q "forged wallet event" "$T/drive.err"
check "an answer to another client key is refused" sed -n 8p "$T/drive" | grep -q "^err 1 .*not addressed to this connection"
check "a kind outside NIP-47 is refused" sed -n 9p "$T/drive" | grep -q "^err 1 kind 1 is not a wallet answer"
check "a 23196 with a NIP-44 payload does not decrypt" sed -n 10p "$T/drive" | grep -q "^err 4 cannot decrypt"
check "a bad signature is refused as forged" sed -n 11p "$T/drive" | grep -q "^err 1 forged wallet event"
check "a plaintext that is not an object is bad input" sed -n 12p "$T/drive" | grep -q "^err 2 the content is not a JSON object"
check "an event that does not parse is bad input" sed -n 13p "$T/drive" | grep -q "^err 2 "

# files that do not open
head -c 200 "$T/wallet.enc" > "$T/garbled.enc"
printf '%s\n' "nwc-connect-pass other-passphrase $URI" "nwc-request nip44 $REQ" \
    "nwc-file $T/garbled.enc" "nwc-connect not a uri" "nwc-file -" \
    "nwc-request nip44 $REQ" "nwc-connect $URI" "nwc-request nip44 $REQ" |
    "$DRIVE" "$WALLETD" "$PDIR/identity.enc" "$PASSFILE" >"$T/drive" 2>"$T/drive.err"
cat "$T/drive"
check "a wallet.enc under another passphrase: result 2, saying so" sed -n 2p "$T/drive" | grep -q "^nwc-info 2 wallet.enc does not open with the identity's passphrase"
check "and no connection is left" sed -n 3p "$T/drive" | grep -q "^err 3 no wallet connection"
check "a garbled wallet.enc: result 2 with a reason" sed -n 4p "$T/drive" | grep -q "^nwc-info 2 wallet.enc: ."
check "a URI that does not parse inside: result 3 naming the part" sed -n 5p "$T/drive" | grep -q "^nwc-info 3 scheme"
check "no fd: not configured, result 1" sed -n 6p "$T/drive" | grep -q "^nwc-info 1"
check "a request then says to connect a wallet" sed -n 7p "$T/drive" | grep -q "^err 3 no wallet connection: run 'openagents provider wallet connect'"
check "a good file afterwards replaces it" sed -n 8p "$T/drive" | grep -q "^nwc-info 0 $WPK $CPK "
check "and requests work again" sed -n 9p "$T/drive" | grep -q '^ok {'
check "the secret is in no log line" sh -c "! grep -q $CS '$T/drive.err'"

finish
