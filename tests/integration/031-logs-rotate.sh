#!/bin/sh
# Rotation by size (OPENAGENTS_LOG_MAX_BYTES, for tests, lowers the
# 10 MiB limit) keeping three old files, provider logs reading across
# them, and --follow: lines appended later, and across a rotation.
. "$(dirname "$0")/lib.sh"

LF="$PDIR/logs/openagentsd.log"
export OPENAGENTS_LOG_MAX_BYTES=1024
write_config
serve
wait_online || bail "the suite did not come online"
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	kill -HUP "$SERVE_PID"
	sleep 0.05
done
i=0
while [ $i -lt 30 ] && [ "$(cat "$LF" "$LF".[123] 2>/dev/null | grep -c 'configuration reloaded')" -lt 10 ]; do
	sleep 0.1; i=$((i + 1))
done
check "the file was rotated" test -f "$LF.1"
check "three old files are kept" test -f "$LF.3"
check "and no fourth" test ! -e "$LF.4"
big=0
for f in "$LF" "$LF.1" "$LF.2" "$LF.3"; do
	s=$(stat -c %s "$f")
	[ "$s" -gt 2300 ] && big=1
	[ "$(stat -c %a "$f")" = 600 ] || big=1
done
check "each file is about the limit and 0600" test $big -eq 0
all=$(cat "$LF.3" "$LF.2" "$LF.1" "$LF" | wc -l)
"$OA" provider logs --lines 100000 >"$T/all"
check "provider logs reads all four files, oldest first ($all lines)" \
    sh -c "cat '$LF.3' '$LF.2' '$LF.1' '$LF' | cmp -s - '$T/all'"

"$OA" provider stop >/dev/null 2>&1
wait_exit "$SERVE_PID" 100
wait "$SERVE_PID" 2>/dev/null
SERVE_PID=

# --follow, with the daemon stopped: the test appends and rotates
"$OA" provider logs --follow --lines 1 >"$T/follow" 2>&1 &
FPID=$!
echo "$FPID" >>"$T/pids"
sleep 0.5
echo "2026-12-01T11:00:00Z INFO openagentsd: follow marker one" >>"$LF"
i=0
while [ $i -lt 30 ] && ! grep -q "marker one" "$T/follow"; do
	sleep 0.1; i=$((i + 1))
done
check "--follow prints a line appended later" grep -q "marker one" "$T/follow"
echo "2026-12-01T11:00:01Z INFO openagentsd: follow marker two" >>"$LF"
mv "$LF" "$LF.1"
echo "2026-12-01T11:00:02Z INFO openagentsd: follow marker three" >"$LF"
i=0
while [ $i -lt 30 ] && ! grep -q "marker three" "$T/follow"; do
	sleep 0.1; i=$((i + 1))
done
check "--follow gets the old file's last line at a rotation" grep -q "marker two" "$T/follow"
check "and goes on in the new file" grep -q "marker three" "$T/follow"
check "the first line was the old tail (--lines 1)" test "$(wc -l <"$T/follow")" -eq 4
check "--follow is still running" kill -0 "$FPID"
kill -TERM "$FPID"
wait_exit "$FPID" 20
check "and ends on a signal" test $? -eq 0

finish
