#!/bin/sh
# Escape attempts against the container sandbox, each of which must be
# contained, plus the plain contract (exit codes, stdio, accounting).
# Runs as whoever runs it; as root it also runs itself again as nobody
# when an unprivileged user may create user namespaces.
#
#   escape.sh CTR_RUN
#
# Last line: "N passed, N failed".
set -u

CTR=$1
MODE=
. "$(dirname "$0")/lib.sh"
mkdir -p "$JOBS/other-job"
echo theirs > "$JOBS/other-job/result"
chmod -R a+rwX "$WORK"

# a machine that cannot build the sandbox at all: skip, saying why
if ! "$CTR" -r "$WORK/res" -- /bin/true 2>/dev/null; then
	echo "# skip: $(cat "$WORK/res" 2>/dev/null)"
	exit 77
fi

# --- the contract ---------------------------------------------------------
exit_stdio_signal
run -t 20000 -- /nonexistent/prog
if [ -n "$(field error)" ] && [ "$(field error)" != "-" ] &&
    grep -q "nonexistent" "$WORK/res"; then ok "exec failure reported"
else no "exec failure reported" "$RES"; fi
run -b "$JOBS/repo:/repo" -C /repo -t 20000 -- python3 main.py
if [ "$(cat "$WORK/out")" = hi ]; then ok "PATH search, cwd, python runs"
else no "PATH search, cwd, python runs" "$RES $(cat "$WORK/err")"; fi
peak_and_cpu 60001

# --- what is inside --------------------------------------------------------
sh_c 'grep CapEff /proc/self/status'
if grep -q 'CapEff:.0000000000000000' "$WORK/out"; then ok "no capabilities inside"
else no "no capabilities inside" "$(cat "$WORK/out")"; fi
sh_c 'grep -q "^Seccomp:.2" /proc/self/status && grep NoNewPrivs /proc/self/status'
if grep -q 'NoNewPrivs:.1' "$WORK/out"; then ok "no_new_privs and a seccomp filter"
else no "no_new_privs and a seccomp filter" "$RES"; fi
sh_c 'ls /sys/class/net 2>/dev/null; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
if [ "$(sort -u "$WORK/out")" = lo ]; then ok "only lo in the network namespace"
else no "only lo in the network namespace" "$(cat "$WORK/out")"; fi

# a listener on the host's loopback: the sandbox must not reach it
tcp_listener
run -t 20000 -- $PY -c "
import socket
try:
    socket.create_connection(('127.0.0.1', $PORT), 2); print('connected')
except OSError as e: print('refused', e.errno)
try:
    socket.create_connection(('1.1.1.1', 443), 2); print('connected')
except OSError as e: print('refused', e.errno)"
if grep -q connected "$WORK/out" || ! grep -q refused "$WORK/out"; then
	no "no network: host loopback and internet unreachable" "$(cat "$WORK/out" "$WORK/err")"
else ok "no network: host loopback and internet unreachable"; fi
stop_listener

home=${HOME:-/root}
# a control socket in the provider folder, listening
$PY -c "
import socket, os
s = socket.socket(socket.AF_UNIX); s.bind('$WORK/provider/control.sock'); s.listen(1); s.settimeout(20)
try: s.accept()
except Exception: pass" &
LISTENER=$!
i=0
while [ $i -lt 50 ] && [ ! -S "$WORK/provider/control.sock" ]; do sleep 0.1; i=$((i + 1)); done
sh_c "ls -d '$home' '$WORK/provider' '$WORK/provider/identity.enc' '$JOBS/other-job' /root /home /etc/shadow /var 2>/dev/null
	cat '$WORK/provider/identity.enc' '$JOBS/other-job/result' /repo/../other-job/result 2>/dev/null
	$PY -c 'import socket; socket.socket(socket.AF_UNIX).connect(\"$WORK/provider/control.sock\"); print(\"connected\")' 2>/dev/null"
if [ -s "$WORK/out" ]; then no "host home, provider folder, control socket, other jobs, /etc/shadow out of reach" "$(cat "$WORK/out")"
else ok "host home, provider folder, control socket, other jobs, /etc/shadow out of reach"; fi
stop_listener

writes_only_inside "/x /usr/x /etc/x /repo/x /dev/x /proc/x"

# a symlink in a writable bind must not lead a later bind's mount point
# out of the new root (into the old one, mounted while binds are made)
mkdir -p "$JOBS/rw" "$JOBS/src"
ln -s /.oldroot/tmp "$JOBS/rw/esc"
run -b "$JOBS/rw:/rw:rw" -b "$JOBS/src:/rw/esc/oa-pwned-$$" -t 20000 -- /bin/true
if [ ! -e "/tmp/oa-pwned-$$" ] && grep -q "symbolic links" "$WORK/res"; then
	ok "a symlink in a writable bind cannot redirect a mount point"
else no "a symlink in a writable bind cannot redirect a mount point" "$RES"; rm -rf "/tmp/oa-pwned-$$"; fi

sh_c 'echo 1 > /proc/sys/kernel/panic 2>/dev/null && echo wrote-sysctl;
	echo h > /proc/sysrq-trigger 2>/dev/null; cat /proc/kcore 2>/dev/null | head -c 10 | wc -c'
if grep -q wrote-sysctl "$WORK/out" || [ "$(tail -1 "$WORK/out")" != 0 ]; then
	no "/proc/sys read-only, kcore and sysrq-trigger masked" "$(cat "$WORK/out")"
else ok "/proc/sys read-only, kcore and sysrq-trigger masked"; fi

# --- the job filter ---------------------------------------------------------
sh_c 'mount -t tmpfs none /tmp 2>/dev/null && echo mounted;
	unshare -r true 2>/dev/null && echo unshared;
	unshare -n true 2>/dev/null && echo unshared-net;
	'"$PY"' -c "
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
print(\"ptrace\", libc.ptrace(16, 1, 0, 0), ctypes.get_errno())
print(\"bpf\", libc.syscall(321, 0, 0, 0), ctypes.get_errno())
print(\"keyctl\", libc.syscall(250, 0, 0, 0), ctypes.get_errno())
print(\"kexec\", libc.syscall(246, 0, 0, 0, 0), ctypes.get_errno())
print(\"setns\", libc.syscall(308, 0, 0), ctypes.get_errno())
print(\"userfaultfd\", libc.syscall(323, 0), ctypes.get_errno())
print(\"io_uring\", libc.syscall(425, 1, 0), ctypes.get_errno())
"'
if grep -q -e mounted -e unshared "$WORK/out" ||
    [ "$(grep -c -- ' -1 ' "$WORK/out")" -ne 7 ]; then
	no "mount, unshare, ptrace, bpf, keyctl, kexec, setns, userfaultfd, io_uring refused" "$(cat "$WORK/out" "$WORK/err")"
else ok "mount, unshare, ptrace, bpf, keyctl, kexec, setns, userfaultfd, io_uring refused"; fi

# --- bombs -----------------------------------------------------------------
run -p 32 -t 3000 -- $PY -c '
import os, sys, time
for i in range(500):
    try:
        if os.fork() == 0:
            time.sleep(98765); os._exit(0)
    except OSError: pass
print(len([p for p in os.listdir("/proc") if p.isdigit()]), file=sys.stderr, flush=True)
time.sleep(98765)' bomb98765
n=$(grep -E '^[0-9]+$' "$WORK/err" | tail -1)
left=$(pgrep -f 'bomb98765' | wc -l)
if [ "$(field timed_out)" = 1 ] && [ "${n:-999}" -le 33 ] && [ "$left" -eq 0 ]; then
	ok "fork bomb: $n processes at most, killed at the deadline, none left"
else no "fork bomb contained" "n=$n left=$left $RES"; fi

memory_bomb

start=$(date +%s)
run -t 1000 -- /bin/sh -c 'sleep 98766 & sleep 98766; wait'
end=$(date +%s)
left=$(pgrep -f 'sleep 98766' | wc -l)
if [ "$(field timed_out)" = 1 ] && [ $((end - start)) -le 5 ] && [ "$left" -eq 0 ]; then
	ok "time bomb killed at the deadline, no process of the tree left"
else no "time bomb killed at the deadline" "left=$left $RES"; fi

# --- modes -------------------------------------------------------------------
run -m local -b "$JOBS/repo:/workspace" -t 20000 -- /bin/sh -c 'pwd; exit 3'
if [ "$(field code)" = 3 ] && [ "$(cat "$WORK/out")" = "$JOBS/repo" ] &&
    grep -q "development only" "$WORK/err"; then ok "local mode runs on the host, loudly"
else no "local mode" "$RES $(cat "$WORK/err")"; fi
"$CTR" -m firecracker -- /bin/true 2>"$WORK/err"
if [ $? -eq 3 ] && grep -q "firecracker: not available" "$WORK/err"; then ok "firecracker: a clear error"
else no "firecracker: a clear error" "$(cat "$WORK/err")"; fi
# gvisor.sh tests the mode itself; here: it runs, or says why not
"$CTR" -m gvisor -r "$WORK/res" -- /bin/true 2>"$WORK/err"
rc=$?
if [ $rc -eq 3 ] && grep -q "gvisor: " "$WORK/err"; then ok "gvisor: a clear error ($(cut -c1-60 "$WORK/err"))"
elif [ $rc -eq 0 ] && grep -q "exited=1 code=0 " "$WORK/res"; then ok "gvisor: runs"
else no "gvisor: runs or a clear error" "$(cat "$WORK/err" "$WORK/res")"; fi

# --- the proxy socket ----------------------------------------------------------
proxy_reachable
run -P "$JOBS/proxy.sock" -n 8080 -t 20000 -- /bin/true
if grep -q "netbridge" "$WORK/res"; then ok "a proxy port without the bridge: a clear error"
else no "a proxy port without the bridge: a clear error" "$RES"; fi

# --- again as nobody --------------------------------------------------------
[ -z "${OA_CT_NESTED:-}" ] && as_nobody "$0" OA_CT_NESTED=1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
