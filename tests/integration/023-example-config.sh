#!/bin/sh
# contrib/openagents.toml.example names every key the parser accepts
# (common/config.c), set or in a comment, and is a valid config as is.
. "$(dirname "$0")/lib.sh"

EX="$OA_SOURCE_ROOT/contrib/openagents.toml.example"
keys=$(sed -n 's/.*is_key(kv, "\([a-z_0-9]*\)").*/\1/p' "$OA_SOURCE_ROOT/common/config.c" |
    grep -Ev '^(identity|worker|pricing|tunnel|relays|schedule|alerts|agent|wallet|payments|limits|proxy)$' |
    sort -u)
check "config.c has keys to look for" test "$(echo "$keys" | wc -l)" -ge 40
for k in $keys; do
	check "the example names '$k'" grep -Eq "^(# )?$k = " "$EX"
done
for t in PatchGen CodeReview RepoIndex SandboxRun TextGen; do
	check "the example prices $t" grep -qx "\[pricing.$t\]" "$EX"
done
mkdir -p "$PDIR"
cp "$EX" "$PDIR/config.toml"
"$OA" provider tunnel status >"$T/out" 2>&1
check "the example loads as config.toml" test $? -eq 0
finish
