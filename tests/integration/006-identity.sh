#!/bin/sh
# provider init, the encrypted identity, walletd as its only holder:
# the key and the mnemonic are in walletd's memory and nowhere else in
# the suite, a wrong passphrase changes nothing, and walletd signs only
# what its policy allows.
. "$(dirname "$0")/lib.sh"

NIP06_WORDS="leader monkey parrot ring guide accident before fence cannon height naive bean"
NIP06_NPUB="npub1zutzeysacnf9rru6zqwmxd54mud0k44tst6l70ja5mhv8jjumytsd2x7nu"

mkdir -p "$PDIR"
cat > "$PDIR/config.toml" <<CONF
[relays]
urls = ["ws://127.0.0.1:1"]
CONF
"$OA" provider serve --foreground >"$T/out" 2>&1
check "serve without an identity exits 1" test $? -eq 1
check "and says to run provider init" grep -q "run 'openagents provider init' first" "$T/out"
rm -f "$PDIR/config.toml"

# a new identity
"$OA" provider init >"$T/out" 2>&1
check "provider init exits 0" test $? -eq 0
check "identity.enc is mode 0600" test "$(stat -c %a "$PDIR/identity.enc")" = 600
check "it is the JSON of the identity store" grep -q '"argon2_params"' "$PDIR/identity.enc"
NPUB=$(sed -n 's/^Provider: *\(npub1[a-z0-9]*\).*/\1/p' "$T/out")
check "the npub is printed" test -n "$NPUB"
check "and written to config.toml [identity]" grep -q "^pubkey = \"$NPUB\"" "$PDIR/config.toml"
check "12 words are shown once, numbered" grep -q "12\. " "$T/out"
check "with a warning to back them up" grep -qi "write it down" "$T/out"
check "the new config.toml parses" "$OA_BUILD_ROOT/openagentsd" -n >/dev/null 2>&1
sum=$(sha256sum "$PDIR/identity.enc")

"$OA" provider init >"$T/out" 2>&1
check "a second init without --force exits 1" test $? -eq 1
check "naming --force" grep -q -- "--force" "$T/out"
check "and leaves identity.enc alone" test "$(sha256sum "$PDIR/identity.enc")" = "$sum"

echo "leader monkey parrot ring guide accident before fence cannon height naive naive" |
    "$OA" provider init --restore --force >"$T/out" 2>&1
check "--restore with a bad checksum exits 1" test $? -eq 1
check "saying so" grep -qi "checksum" "$T/out"
check "and changes nothing" test "$(sha256sum "$PDIR/identity.enc")" = "$sum"

echo "leader monkey parrot ring guide accident before fenc cannon height naive bean" |
    "$OA" provider init --restore --force >"$T/out" 2>&1
check "--restore with an unknown word exits 1, naming it" grep -q "fenc" "$T/out"

printf '  %s  \n' "$NIP06_WORDS" |
    "$OA" provider init --restore --force --json >"$T/out" 2>&1
check "--restore of the NIP-06 vector exits 0" test $? -eq 0
check "giving its npub" grep -q "\"npub\":\"$NIP06_NPUB\"" "$T/out"
check "and no mnemonic in the answer" sh -c "! grep -q mnemonic '$T/out'"
check "config.toml now names it" grep -q "^pubkey = \"$NIP06_NPUB\"" "$PDIR/config.toml"

"$OA" provider init --words 13 >/dev/null 2>&1
check "--words 13 is a usage error" test $? -eq 2

# wrong passphrase: a clear error, exit 1, nothing changed
sed -i 's|^urls = .*|urls = ["ws://127.0.0.1:1"]|' "$PDIR/config.toml"
sum=$(sha256sum "$PDIR/identity.enc" "$PDIR/config.toml")
printf 'not it\n' > "$T/wrong"
"$OA" provider serve --foreground --passphrase-file "$T/wrong" >"$T/out" 2>&1
check "serve --foreground with a wrong passphrase exits 1" test $? -eq 1
check "saying wrong passphrase" grep -q "wrong passphrase" "$T/out"
"$OA" provider serve --passphrase-file "$T/wrong" >"$T/out" 2>&1
check "serve (daemon) with a wrong passphrase exits 1" test $? -eq 1
check "and says why on the terminal" grep -q "wrong passphrase" "$T/out"
check "no daemon is left" sh -c "! '$OA' provider status >/dev/null 2>&1"
check "identity.enc and config.toml unchanged" test "$(sha256sum "$PDIR/identity.enc" "$PDIR/config.toml")" = "$sum"
"$OA" provider serve --foreground --passphrase-file "$T/none" >"$T/out" 2>&1
check "a missing passphrase file exits 1, naming it" grep -q "$T/none" "$T/out"

# the right one: online, and status shows the identity
serve
wait_online || bail "the suite did not come online"
"$OA" provider status --json >"$T/status.json"
check "status --json shows the npub" grep -q "$NIP06_NPUB" "$T/status.json"
"$OA" provider status >"$T/out"
check "status shows the npub" grep -q "^Provider: $NIP06_NPUB" "$T/out"

# the secret key and the mnemonic: in walletd, and in no other process
SK=$("$OA_BUILD_ROOT/tests/oatool" derive "$NIP06_WORDS" | sed 's/.*"sk":"\([0-9a-f]*\)".*/\1/')
WORDS_HEX=$(printf '%s' "$NIP06_WORDS" | od -An -tx1 | tr -d ' \n')
pids="$SERVE_PID $(helper_pid relayd) $(helper_pid workerd) $(helper_pid verifyd)"
WPID=$(helper_pid walletd)
python3 "$OA_SOURCE_ROOT/tests/integration/memscan.py" "$SK,$WORDS_HEX" $WPID $pids >"$T/scan" 2>&1
cat "$T/scan"
check "the secret key is in walletd's memory" grep -q "^$WPID 0 found" "$T/scan"
check "the mnemonic is in walletd's memory" grep -q "^$WPID 1 found" "$T/scan"
check "every other process was read" test "$(grep -c absent "$T/scan")" -eq 8
check "neither is in any other process" sh -c "! grep -v '^$WPID ' '$T/scan' | grep -q found"
check "walletd writes no core" sh -c "grep '^Max core file size' /proc/$WPID/limits | grep -q ' 0 *0 '"
kill -TERM "$SERVE_PID"
wait_exit "$SERVE_PID" 60

# walletd's policy, asked over its channel
DRIVE="$OA_BUILD_ROOT/tests/walletd_drive"
printf '%s\n' 'sign {"kind":1,"created_at":1735600000,"tags":[],"content":"gm"}' \
    'sign {"kind":7000,"created_at":1735600000,"tags":[["status","processing"]],"content":""}' \
    'sign {"kind":23194,"created_at":1735600000,"tags":[],"content":"x"}' |
    "$DRIVE" "$OA_BUILD_ROOT/openagents-walletd" "$PDIR/identity.enc" "$PASSFILE" >"$T/drive" 2>"$T/drive.err"
cat "$T/drive" "$T/drive.err"
check "walletd refuses to sign a kind-1 note" grep -q "^err 1 kind 1 is not in the signing policy" "$T/drive"
check "and logs it" grep -q "refusing to sign an event of kind 1" "$T/drive.err"
check "nor a NIP-47 request with the identity (the connection's key signs those)" grep -q "^err 1 kind 23194 is not in the signing policy" "$T/drive"
check "it signs a kind-7000 feedback" grep -q '^ok {"id":"[0-9a-f]\{64\}","pubkey":"17162c921dc4d2518f9a101db33695df1afb56ab82f5ff3e5da6eec3ca5cd917"' "$T/drive"
printf 'raw 9999\n' | "$DRIVE" "$OA_BUILD_ROOT/openagents-walletd" "$PDIR/identity.enc" "$PASSFILE" >"$T/drive" 2>"$T/drive.err"
check "an unknown message type ends walletd" grep -q "^gone exit 1" "$T/drive"
printf 'x\n' > "$T/wrong"
"$DRIVE" "$OA_BUILD_ROOT/openagents-walletd" "$PDIR/identity.enc" "$T/wrong" </dev/null >"$T/drive" 2>&1
check "walletd answers a wrong passphrase with BADPASS" grep -q "^unlock-failed 1" "$T/drive"

finish
