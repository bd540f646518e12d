#!/bin/sh
# Supervision: relayd, workerd and verifyd come back after kill -9 with
# their restart counted; the death of walletd ends the suite.
. "$(dirname "$0")/lib.sh"

write_config
serve
wait_online || bail "the suite did not come online"

for h in relayd workerd verifyd; do
	old=$(helper_pid "$h")
	kill -KILL "$old"
	i=0; new=
	while [ $i -lt 20 ]; do		# 2 s
		sleep 0.1; i=$((i + 1))
		new=$(helper_pid "$h")
		st=$(helper_field "$h" state)
		if [ -n "$new" ] && [ "$new" != 0 ] && [ "$new" != "$old" ] &&
		    [ "$st" = running ]; then
			break
		fi
	done
	check "$h is back within 2 s after kill -9 ($((i * 100)) ms)" \
	    sh -c "[ '$new' != '$old' ] && [ '$new' != 0 ] && [ '$st' = running ]"
	check "$h shows one restart" test "$(helper_field "$h" restarts)" = 1
	check "the loss of $h is logged" grep -q "lost child: $h killed by signal 9" "$LOG"
done
check "the suite is online again" wait_online 20

# a second quick death waits longer: backoff doubles
old=$(helper_pid relayd)
kill -KILL "$old"
sleep 0.05
kill -0 "$SERVE_PID"
check "a second restart is scheduled later (backoff)" sh -c "
	i=0; while [ \$i -lt 30 ]; do
		grep -q 'lost child: relayd killed by signal 9.*restart 2 in 200 ms' '$LOG' && exit 0
		sleep 0.1; i=\$((i + 1)); done; exit 1"
check "relayd comes back again" wait_online 30
check "relayd shows two restarts" test "$(helper_field relayd restarts)" = 2

# walletd is the key holder: its death stops everything, non-zero
wpid=$(helper_pid walletd)
others="$(helper_pid relayd) $(helper_pid workerd) $(helper_pid verifyd)"
kill -KILL "$wpid"
wait_exit "$SERVE_PID" 50
check "the suite exits after walletd dies" test $? -eq 0
wait "$SERVE_PID"; rc=$?
SERVE_PID=
check "with a non-zero status (was $rc)" test "$rc" -ne 0
check "naming walletd" grep -q "walletd killed by signal 9.*the key holder is gone" "$LOG"
for p in $others; do
	check "helper $p is gone too" wait_exit "$p" 20
done

finish
