#!/bin/sh
# gvisor mode: the command under runsc, with container mode's contract
# (exit codes, stdio, binds, no network, limits, the deadline), and
# nothing left behind: no process, no bundle, no runsc state.  Skips
# (exit 77) when runsc is not installed or cannot run here, saying why.
# As root it also runs itself again as nobody when nobody may create
# user namespaces.
#
#   gvisor.sh CTR_RUN
#
# Last line: "N passed, N failed".
set -u

CTR=$1
MODE="-m gvisor"
. "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/scratch"
echo ro-content > "$JOBS/repo/data"
chmod -R a+rwX "$WORK"
# the bundles and runsc's state go here, where we can see what is left
export TMPDIR=$WORK/scratch
# nothing of runsc outlives a sandbox: no bundle, no process naming it
leftovers() {
	n=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 | wc -l)
	p=$(pgrep -f "$TMPDIR" | wc -l)
	echo "$n $p"
}

if ! command -v runsc >/dev/null && [ ! -x /usr/bin/runsc ] && [ ! -x /usr/sbin/runsc ]; then
	echo "# skip: runsc not installed (apt-get install runsc)"
	exit 77
fi
"$CTR" -m gvisor -r "$WORK/res" -- /bin/true >/dev/null 2>"$WORK/err"
if [ $? -eq 3 ]; then
	echo "# skip: $(cat "$WORK/err")"
	exit 77
fi

# --- the contract ---------------------------------------------------------
run -t 20000 -- /bin/echo hello gvisor
if [ "$(cat "$WORK/out")" = "hello gvisor" ] && [ "$(field code)" = 0 ] &&
    [ "$(field exited)" = 1 ]; then ok "echo runs under gVisor"
else no "echo runs under gVisor" "$RES $(cat "$WORK/err")"; fi
exit_stdio_signal
echo from-stdin | "$CTR" -m gvisor -i -r "$WORK/res" -t 20000 -- /bin/cat >"$WORK/out" 2>"$WORK/err"
if [ "$(cat "$WORK/out")" = from-stdin ]; then ok "stdin passed through"
else no "stdin passed through" "$(cat "$WORK/res" "$WORK/err")"; fi
run -t 20000 -- /nonexistent/prog
if [ "$(field exited)" = 0 ] && grep -q "nonexistent" "$WORK/res"; then
	ok "exec failure reported: $(field error | cut -c1-60)"
else no "exec failure reported" "$RES"; fi
run -b "$JOBS/repo:/repo" -C /repo -e FOO=bar -t 20000 -- /bin/sh -c 'echo $FOO; python3 main.py'
if [ "$(cat "$WORK/out")" = "bar
hi" ]; then ok "env, PATH search, cwd in a bind, python runs"
else no "env, PATH search, cwd in a bind, python runs" "$RES $(cat "$WORK/err")"; fi
# without a cgroup (nobody here) the peak is the rusage of runsc's
# processes, which do not hold the command's memory
if [ "$(id -u)" = 0 ]; then peak_and_cpu 60001; else peak_and_cpu 1; fi

# --- the filesystem ---------------------------------------------------------
sh_c 'cat /repo/data; echo x > /repo/data 2>/dev/null && echo wrote-ro'
if [ "$(cat "$WORK/out")" = ro-content ] && [ "$(cat "$JOBS/repo/data")" = ro-content ]; then
	ok "a read-only bind: readable, not writable"
else no "a read-only bind: readable, not writable" "$(cat "$WORK/out" "$WORK/err")"; fi
writes_only_inside "/x /usr/x /etc/x /bin/x /repo/x /proc/x"
run -d 8 -t 20000 -- /bin/sh -c 'head -c 16777216 /dev/zero > /workspace/big; echo rc=$?'
if grep -q 'rc=[1-9]' "$WORK/out"; then ok "/workspace is bounded by the disk limit"
else no "/workspace is bounded by the disk limit" "$(cat "$WORK/out" "$WORK/err")"; fi
home=${HOME:-/root}
sh_c "cat '$WORK/provider/identity.enc' /etc/shadow '$home/.profile' 2>/dev/null; test -e '$WORK' && echo sees-work"
if [ -s "$WORK/out" ]; then no "host files out of reach" "$(cat "$WORK/out")"
else ok "host files out of reach (provider folder, /etc/shadow, home)"; fi
sh_c 'grep CapEff /proc/self/status'
if grep -q 'CapEff:.0000000000000000' "$WORK/out"; then ok "no capabilities inside"
else no "no capabilities inside" "$(cat "$WORK/out")"; fi

# --- no network ---------------------------------------------------------------
tcp_listener
run -t 20000 -- $PY -c "
import socket
for a in (('127.0.0.1', $PORT), ('1.1.1.1', 443)):
    try:
        socket.create_connection(a, 2); print('connected')
    except OSError as e: print('refused', e.errno)
for l in open('/proc/net/dev').readlines()[2:]: print('if', l.split(':')[0].strip())"
if grep -q connected "$WORK/out" || [ "$(grep -c refused "$WORK/out")" -ne 2 ] ||
    [ "$(grep '^if ' "$WORK/out" | sort -u)" != "if lo" ]; then
	no "no network: only lo, host loopback and internet unreachable" "$(cat "$WORK/out" "$WORK/err")"
else ok "no network: only lo, host loopback and internet unreachable"; fi
stop_listener

# --- the proxy socket -----------------------------------------------------------
proxy_reachable
run -P "$JOBS/proxy.sock" -n 8080 -t 20000 -- /bin/true
if grep -q "proxy port" "$WORK/res"; then ok "a proxy port: a clear error"
else no "a proxy port: a clear error" "$RES"; fi

# --- limits and the deadline ---------------------------------------------------------
set -- $(leftovers)
if [ "$1" = 0 ] && [ "$2" = 0 ]; then ok "after every run so far: no bundle, no state, no process left"
else no "nothing left after the runs" "entries=$1 processes=$2 $(ls "$TMPDIR")"; fi

start=$(date +%s)
run -t 1000 -- /bin/sh -c 'sleep 98767 & sleep 98767; wait'
end=$(date +%s)
set -- $(leftovers)
if [ "$(field timed_out)" = 1 ] && [ "$(field signal)" = 9 ] &&
    [ $((end - start)) -le 6 ] && [ "$1" = 0 ] && [ "$2" = 0 ]; then
	ok "killed at the deadline in $((end - start)) s, nothing left behind"
else no "killed at the deadline, nothing left" "entries=$1 processes=$2 $RES"; fi

memory_bomb

run -p 32 -t 3000 -- $PY -c '
import os, time
n = 0
for i in range(500):
    try:
        if os.fork() == 0:
            time.sleep(98768); os._exit(0)
        n += 1
    except OSError: break
print(n, flush=True)
time.sleep(98768)'
n=$(grep -E '^[0-9]+$' "$WORK/out" | tail -1)
set -- $(leftovers)
if [ "$(field timed_out)" = 1 ] && [ "${n:-999}" -le 32 ] && [ "$1" = 0 ] && [ "$2" = 0 ]; then
	ok "fork bomb: $n forks at most, killed at the deadline, nothing left"
else no "fork bomb contained" "n=$n entries=$1 processes=$2 $RES"; fi

# --- again as nobody --------------------------------------------------------
[ -z "${OA_GV_NESTED:-}" ] && as_nobody "$0" OA_GV_NESTED=1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
