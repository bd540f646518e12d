#!/bin/sh
# provider tunnel status: what [tunnel] of config.toml means in this
# build, as text and JSON, with and without a config file.
. "$(dirname "$0")/lib.sh"

"$OA" provider tunnel --help >"$T/out" 2>&1
check "tunnel --help exits 0" test $? -eq 0
check "tunnel --help shows usage" grep -q "usage: openagents provider tunnel status" "$T/out"
"$OA" provider tunnel >/dev/null 2>&1
check "tunnel without status is a usage error (2)" test $? -eq 2

"$OA" provider tunnel status >"$T/out" 2>&1
check "no config: exits 0" test $? -eq 0
check "saying the defaults apply" grep -q "not there: the defaults apply" "$T/out"
check "the default is nostr" grep -qx "provider     nostr" "$T/out"
check "nostr needs no inbound tunnel" grep -q "no inbound tunnel is needed" "$T/out"

mkdir -p "$PDIR"
cat >"$PDIR/config.toml" <<'CONF'
[tunnel]
provider = "manual"
endpoint_url = "wss://tunnel.example.com/codex"
proxy_allowlist = ["api.openai.com", "api.anthropic.com"]

[relays]
urls = ["ws://127.0.0.1:1"]
CONF
"$OA" provider tunnel status >"$T/out" 2>&1
check "manual: exits 0" test $? -eq 0
check "manual: the endpoint" grep -qx "endpoint_url wss://tunnel.example.com/codex" "$T/out"
check "manual: recorded but not used" grep -q "recorded but not used" "$T/out"
check "the relay is named" grep -q "dialled out to: ws://127.0.0.1:1" "$T/out"
"$OA" provider tunnel status --json >"$T/json" 2>&1
check "--json exits 0" test $? -eq 0
check "--json says what the config says" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["provider"] == "manual", d
assert d["endpoint_url"] == "wss://tunnel.example.com/codex"
assert d["config_found"] is True
assert d["tunnel_run_by_this_build"] is False and d["endpoint_used"] is False
assert d["proxy"]["allowlist"] == ["api.openai.com", "api.anthropic.com"]
assert d["relays"] == ["ws://127.0.0.1:1"]
' "$T/json"

sed -i 's/"manual"/"ngrok"/' "$PDIR/config.toml"
"$OA" provider tunnel status >"$T/out" 2>&1
check "ngrok: exits 0" test $? -eq 0
check "ngrok: this build runs no tunnel" grep -q "does not run or manage a tunnel itself" "$T/out"

printf '[tunnel]\nprovider = "tor"\n' >"$PDIR/config.toml"
"$OA" provider tunnel status >"$T/out" 2>&1
check "a bad config exits 1" test $? -eq 1
check "naming file, line and key" grep -q "config.toml:2: key 'tunnel.provider'" "$T/out"
finish
