#!/bin/sh
# The suite starts from build/, runs five processes, reports them, and
# stops in order on SIGTERM within five seconds.
. "$(dirname "$0")/lib.sh"

# refusals before anything runs
"$OA" provider serve --foreground >"$T/out" 2>&1
check "serve without a config fails with exit 1" test $? -eq 1
check "and names the missing file" grep -q "$PDIR/config.toml" "$T/out"

write_config '[worker]
capacity = 2'
"$OA" provider serve --foreground >"$T/out" 2>&1
check "a broken config is refused with exit 1" test $? -eq 1
check "naming file:line" grep -q "config.toml:1[0-9]" "$T/out"

write_config
"$OA" provider serve --foreground --capacity 0 >"$T/out" 2>&1
check "a bad --capacity is a usage error" test $? -eq 2

"$OA_BUILD_ROOT/openagents-relayd" -P relayd >"$T/out" 2>&1
check "a helper started by hand refuses to run" test $? -eq 1
check "and says who starts it" grep -q "openagentsd starts it" "$T/out"
"$OA_BUILD_ROOT/openagents-walletd" -P walletd 3<"$T/out" >"$T/out2" 2>&1
check "a helper with a file on fd 3 refuses to run" test $? -eq 1

"$OA" provider status >"$T/out" 2>&1
check "status of a stopped provider exits 3" test $? -eq 3
check "and says OFFLINE" grep -q "Status: OFFLINE" "$T/out"
"$OA" provider status --json >"$T/out" 2>&1
check "status --json of a stopped provider exits 3" test $? -eq 3
check "and says offline" grep -q '"status": "offline"' "$T/out"

serve
wait_online || bail "the suite did not come online"
ok "the suite comes online"

"$OA" provider status --json >"$T/status.json"
check "status --json exits 0" test $? -eq 0
check "status --json lists four helpers" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = sorted(h["name"] for h in d["helpers"])
assert names == ["relayd", "verifyd", "walletd", "workerd"], names
assert all(h["state"] == "running" and h["pid"] > 0 and h["restarts"] == 0
           for h in d["helpers"])
assert d["capacity"] == 3 and d["job_types"] == ["PatchGen", "CodeReview"]
' "$T/status.json"

SUP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$T/status.json")
children=$(cat /proc/"$SUP"/task/*/children 2>/dev/null | wc -w)
check "openagentsd has four children (five processes)" test "$children" -eq 4
check "the supervisor is the serve process (exec, not a wrapper)" test "$SUP" -eq "$SERVE_PID"

"$OA" provider status >"$T/out"
check "status shows ONLINE" grep -q "^Status: ONLINE" "$T/out"
check "status shows capacity" grep -q "^Capacity: 3/3 workers available" "$T/out"
for h in relayd workerd verifyd walletd; do
	check "status lists $h running" grep -Eq "^$h +[0-9]+ +running" "$T/out"
done

sock="$PDIR/control.sock"
check "control socket is mode 0600" test "$(stat -c %a "$sock")" = 600

"$OA" provider serve --foreground >"$T/out" 2>&1
check "a second daemon for the same folder is refused" test $? -eq 1
check "saying it is running" grep -q "already running" "$T/out"

start=$(date +%s%N)
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"; rc=$?
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
check "SIGTERM: exit status 0 (was $rc)" test "$rc" -eq 0
check "SIGTERM: stopped in ${ms} ms (< 5000)" test "$ms" -lt 5000
check "no helper is left" sh -c "! pgrep -f 'openagents-(relayd|workerd|verifyd|walletd) -P' -P $SERVE_PID"
check "the control socket is removed" test ! -e "$sock"
check "no helper was killed for being slow" sh -c "! grep -q 'did not stop in time' '$LOG'"
SERVE_PID=

# SIGINT, as a terminal's ^C, stops it the same way
serve
wait_online || bail "the suite did not come online again"
kill -INT "$SERVE_PID"
wait "$SERVE_PID"; rc=$?
check "SIGINT: exit status 0 (was $rc)" test "$rc" -eq 0
SERVE_PID=

finish
