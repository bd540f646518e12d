#!/bin/sh
# The log file: lines of the supervisor and of every helper, in the
# documented shape, private; provider logs with --lines, --job and
# --json, with the daemon running and stopped.
. "$(dirname "$0")/lib.sh"

LF="$PDIR/logs/openagentsd.log"
write_config
serve --verbose
wait_online || bail "the suite did not come online"
kill -KILL "$(helper_pid workerd)"
i=0
while [ $i -lt 30 ] && ! grep -q "restarting workerd" "$LF" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
check "the log file exists" test -f "$LF"
check "its folder is 0700" test "$(stat -c %a "$PDIR/logs")" = 700
check "the file is 0600" test "$(stat -c %a "$LF")" = 600
check "every line is TIME LEVEL process: message" sh -c "! grep -Ev \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z (CRIT|ERROR|WARNING|INFO|DEBUG) [a-z]+: ' '$LF'"
check "the supervisor's lines are there" grep -q " INFO openagentsd: all helpers ready" "$LF"
check "relayd's lines are there" grep -q " relayd: " "$LF"
check "the crash is logged" grep -q "openagentsd: lost child: workerd killed by signal 9" "$LF"
check "the foreground still shows helpers on stderr" grep -q "^relayd: " "$LOG"
check "and the supervisor" grep -q "^openagentsd: all helpers ready" "$LOG"

nproc=$(sed -E 's/^[^ ]+ [A-Z]+ ([a-z]+): .*/\1/' "$LF" | sort -u | wc -l)
check "lines from all five processes ($nproc)" test "$nproc" -eq 5
for h in relayd workerd verifyd walletd; do
	check "$h's own line, after its sandbox, with its level" \
	    grep -q " DEBUG $h: ready, sandbox " "$LF"
done

"$OA" provider logs >"$T/out" 2>"$T/err"; rc=$?
check "provider logs exits 0 (was $rc)" test $rc -eq 0
total=$(wc -l <"$LF")
want=$total; [ "$want" -gt 50 ] && want=50
check "by default the last 50 lines ($(wc -l <"$T/out") of $total)" \
    test "$(wc -l <"$T/out")" -eq "$want"
check "the same lines as the file's tail" sh -c "tail -n $want '$LF' | cmp -s - '$T/out'"
"$OA" provider logs --lines 3 >"$T/out3"
check "--lines 3 prints 3" test "$(wc -l <"$T/out3")" -eq 3
check "the newest three" sh -c "tail -n 3 '$LF' | cmp -s - '$T/out3'"
"$OA" provider logs --lines 0 >"$T/out0"
check "--lines 0 prints nothing" test ! -s "$T/out0"
"$OA" provider logs --lines x >/dev/null 2>&1; rc=$?
check "--lines x is a usage error (was $rc)" test $rc -eq 2
"$OA" provider logs --job job_zz >/dev/null 2>&1; rc=$?
check "--job with a bad id is a usage error (was $rc)" test $rc -eq 2

"$OA" provider logs --json --lines 5 >"$T/json"
check "--json prints one object per line" python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1]):
    o = json.loads(l)
    assert set(o) == {"time", "level", "process", "message"}, o
    assert o["time"].endswith("Z") and o["process"] and o["level"]
    n += 1
assert n == 5
' "$T/json"

"$OA" provider stop >/dev/null 2>&1
wait_exit "$SERVE_PID" 100
wait "$SERVE_PID" 2>/dev/null
SERVE_PID=
check "the stop is logged" grep -q "openagentsd: stopped" "$LF"

# daemon mode: the same file, appended to
"$OA" provider serve >"$T/dout" 2>&1 || bail "daemon mode: $(cat "$T/dout")"
DPID=$(sed -n 's/.*openagentsd pid \([0-9]*\).*/\1/p' "$T/dout")
[ -n "$DPID" ] && echo "$DPID" >>"$T/pids"
check "daemon mode logs its start to the file" \
    test "$(grep -c "openagentsd: starting, version .*pid $DPID," "$LF")" -eq 1
check "and the helpers' lines" sh -c "sed -n '/pid $DPID,/,\$p' '$LF' | grep -q ' relayd: '"
"$OA" provider stop >/dev/null 2>&1
wait_exit "$DPID" 100
check "the daemon's stop is logged" test "$(grep -c "openagentsd: stopped" "$LF")" -eq 2

# the daemon is stopped from here: provider logs reads the file
n=0
while [ $n -lt 60 ]; do
	echo "2026-12-01T10:59:00Z INFO openagentsd: filler $n" >>"$LF"; n=$((n + 1))
done
"$OA" provider logs >"$T/out50"
check "by default the last 50 lines of a longer file" \
    sh -c "[ \$(wc -l <'$T/out50') -eq 50 ] && tail -n 50 '$LF' | cmp -s - '$T/out50'"
J1=job_0123456789abcdef
J2=job_fedcba9876543210
for n in 1 2 3; do
	echo "2026-12-01T11:00:0${n}Z INFO openagentsd: job $J1: line $n" >>"$LF"
	echo "2026-12-01T11:00:0${n}Z INFO workerd: job $J2: other $n" >>"$LF"
done
echo "2026-12-01T11:00:09Z WARNING openagentsd: alert: dispute: job $J1: disputed (test)" >>"$LF"
mkdir -p "$PDIR/jobs/$J1"
echo "the job's own stderr" >"$PDIR/jobs/$J1/stderr.txt"
"$OA" provider logs --job "$J1" >"$T/job" 2>&1; rc=$?
check "--job works with the daemon stopped (was $rc)" test $rc -eq 0
check "--job prints that job's lines" test "$(grep -c "$J1" "$T/job")" -ge 4
check "and no other job's" sh -c "! grep -q '$J2' '$T/job'"
check "and the job's stderr file" grep -q "the job's own stderr" "$T/job"
"$OA" provider logs --job "$J1" --lines 2 --json >"$T/jobjson"
check "--job --lines 2 --json: the last two, parsed" python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert len(ls) == 2, ls
assert ls[1]["level"] == "WARNING" and ls[1]["message"].startswith("alert: dispute"), ls
assert ls[0]["process"] == "openagentsd" and ls[0]["message"].endswith("line 3"), ls
' "$T/jobjson"

OPENAGENTS_HOME=/nonexistent "$OA" provider logs --lines 1 --config "$PDIR/config.toml" >"$T/cfg"
check "--config after the command finds the log beside the file" sh -c "tail -n 1 '$LF' | cmp -s - '$T/cfg'"
"$OA" provider logs --help >/dev/null; rc=$?
check "--help exits 0 (was $rc)" test $rc -eq 0

rm -rf "$PDIR/logs"
"$OA" provider logs >"$T/none" 2>&1; rc=$?
check "no log at all: exits 0 and says so (was $rc)" sh -c "[ $rc -eq 0 ] && grep -q 'no log yet' '$T/none'"

finish
