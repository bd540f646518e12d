#!/bin/sh
# Reload: SIGHUP and `provider reload` apply a good file and keep the
# running configuration when the new one is bad, naming file:line:key.
. "$(dirname "$0")/lib.sh"

write_config
serve
wait_online || bail "the suite did not come online"
cfg="$PDIR/config.toml"

sed -i 's/^capacity = 3/capacity = 5/' "$cfg"
kill -HUP "$SERVE_PID"
i=0
while [ $i -lt 30 ] && ! "$OA" provider status --json | grep -q '"capacity": 5'; do
	sleep 0.1; i=$((i + 1))
done
check "SIGHUP applies a good config (capacity 5)" sh -c "'$OA' provider status --json | grep -q '\"capacity\": 5'"
check "and logs it" grep -q "configuration reloaded from $cfg" "$LOG"

sed -i 's/^capacity = 5/capacity = "many"/' "$cfg"
kill -HUP "$SERVE_PID"
i=0
while [ $i -lt 30 ] && ! grep -q "keeping the running configuration" "$LOG"; do
	sleep 0.1; i=$((i + 1))
done
check "SIGHUP with a bad config logs file:line:key" \
    grep -Eq "$cfg:[0-9]+: key 'worker.capacity'.*keeping the running configuration" "$LOG"
check "and keeps capacity 5" sh -c "'$OA' provider status --json | grep -q '\"capacity\": 5'"
check "status reports the failed reload" sh -c "'$OA' provider status | grep -q '^Last reload failed: .*worker.capacity'"

"$OA" provider reload >"$T/out" 2>&1; rc=$?
check "provider reload with a bad config exits 1 (was $rc)" test $rc -eq 1
check "and prints file:line:key" grep -Eq "$cfg:[0-9]+: key 'worker.capacity'" "$T/out"

sed -i 's/^capacity = "many"/capacity = 2/' "$cfg"
"$OA" provider reload >"$T/out" 2>&1; rc=$?
check "provider reload with a good config exits 0 (was $rc)" test $rc -eq 0
check "and applies it" sh -c "'$OA' provider status --json | grep -q '\"capacity\": 2'"
check "the suite stayed online throughout" wait_online 10
check "no helper restarted" sh -c "! grep -q 'lost child' '$LOG'"

# serve flags win over the file, also after a reload
"$OA" provider stop >/dev/null
wait "$SERVE_PID"
SERVE_PID=
serve --capacity 7 --job-types "SandboxRun,TextGen"
wait_online || bail "the suite did not come online with flags"
check "--capacity overrides the file" sh -c "'$OA' provider status --json | grep -q '\"capacity\": 7'"
"$OA" provider reload >/dev/null
check "and still does after a reload" sh -c "'$OA' provider status --json | grep -q '\"capacity\": 7'"
# a new provider is tier 0, which allows 5 jobs at once (PROVIDER-GUIDE.md)
check "tier 0 caps the 7 configured workers at 5" sh -c "'$OA' provider status --json | grep -q '\"capacity_now\": 5'"
check "and status says so" sh -c "'$OA' provider status | grep -q '^Capacity: 5/5 workers available (tier 0 allows 5 of the 7 configured)'"
check "--job-types overrides the file" sh -c "'$OA' provider status | grep -q '^Job types: SandboxRun, TextGen'"

finish
