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
PY=/usr/bin/python3
pass=0
fail=0
WORK=$(mktemp -d /tmp/oa-ct-test.XXXXXX)
chmod 755 "$WORK"
JOBS=$WORK/jobs
mkdir -p "$JOBS/repo" "$JOBS/out" "$JOBS/other-job" "$WORK/provider"
echo secret > "$WORK/provider/identity.enc"
echo theirs > "$JOBS/other-job/result"
echo 'print("hi")' > "$JOBS/repo/main.py"
chmod -R a+rwX "$WORK"
LISTENER=

cleanup() {
	[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && echo "#   $2"; }

# run OPTS -- CMD...: the result line lands in $WORK/res, output in out/err
run() {
	"$CTR" -r "$WORK/res" "$@" >"$WORK/out" 2>"$WORK/err"
	RES=$(cat "$WORK/res" 2>/dev/null)
}
field() { echo "$RES" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
check() {	# check NAME FIELD VALUE
	if [ "$(field "$2")" = "$3" ]; then ok "$1"; else no "$1" "$RES $(head -c 300 "$WORK/err")"; fi
}

sh_c() { run -b "$JOBS/repo:/repo" -b "$JOBS/out:/out:rw" -t 20000 -- /bin/sh -c "$1"; }

# a machine that cannot build the sandbox at all: skip, saying why
if ! "$CTR" -r "$WORK/res" -- /bin/true 2>/dev/null; then
	echo "# skip: $(cat "$WORK/res" 2>/dev/null)"
	exit 77
fi

# --- the contract ---------------------------------------------------------
sh_c 'exit 7'
check "exit code passed through" code 7
sh_c 'echo to-out; echo to-err >&2'
if grep -qx to-out "$WORK/out" && grep -qx to-err "$WORK/err"; then
	ok "stdout and stderr passed through"
else no "stdout and stderr passed through" "$RES"; fi
sh_c 'kill -TERM $$'
check "the command's signal reported" signal 15
run -t 20000 -- /nonexistent/prog
if [ -n "$(field error)" ] && [ "$(field error)" != "-" ] &&
    grep -q "nonexistent" "$WORK/res"; then ok "exec failure reported"
else no "exec failure reported" "$RES"; fi
run -b "$JOBS/repo:/repo" -C /repo -t 20000 -- python3 main.py
if [ "$(cat "$WORK/out")" = hi ]; then ok "PATH search, cwd, python runs"
else no "PATH search, cwd, python runs" "$RES $(cat "$WORK/err")"; fi
run -M 256 -t 20000 -- $PY -c '
import time
a = bytearray(64 << 20)
for i in range(0, len(a), 4096): a[i] = 1
t = time.process_time()
while time.process_time() - t < 0.3: pass'
pk=$(field peak_kb)
cpu=$(field cpu)
if [ "${pk:-0}" -gt 60000 ] && awk "BEGIN{exit !($cpu >= 0.25)}"; then
	ok "peak memory (${pk} KiB) and cpu seconds ($cpu) reported"
else no "peak memory and cpu seconds reported" "$RES"; fi

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
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PORT)); s.listen(8); s.settimeout(60)
try:
    while True: s.accept()[0].close()
except Exception: pass" &
LISTENER=$!
i=0
while [ $i -lt 50 ] && ! $PY -c "import socket; socket.create_connection(('127.0.0.1',$PORT),1)" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
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
kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null; LISTENER=

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
kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null; LISTENER=

sh_c 'for f in /x /usr/x /etc/x /repo/x /dev/x /proc/x; do
	touch $f 2>/dev/null && echo "wrote $f"; done
	echo hi > /workspace/w && echo hi > /tmp/t && echo hi > /out/o && echo rw-ok'
if grep -q wrote "$WORK/out" || ! grep -q rw-ok "$WORK/out"; then
	no "writes only in /workspace, /tmp and rw binds" "$(cat "$WORK/out" "$WORK/err")"
else ok "writes only in /workspace, /tmp and rw binds"; fi
if [ "$(cat "$JOBS/out/o" 2>/dev/null)" = hi ] && [ ! -e "$JOBS/repo/x" ]; then
	ok "an rw bind reaches the host, a read-only one does not"
else no "an rw bind reaches the host, a read-only one does not"; fi

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

run -M 64 -t 20000 -- $PY -c '
a = []
while True: a.append(bytearray(8 << 20))'
if [ "$(field oom)" = 1 ] || [ "$(field signal)" = 9 ] ||
    { [ "$(field exited)" = 1 ] && grep -q MemoryError "$WORK/err"; }; then
	ok "memory bomb stopped (oom=$(field oom) signal=$(field signal))"
else no "memory bomb stopped" "$RES"; fi

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
$PY -c "
import socket, os
s = socket.socket(socket.AF_UNIX); s.bind('$JOBS/proxy.sock'); os.chmod('$JOBS/proxy.sock', 0o777); s.listen(1); s.settimeout(30)
try:
    c = s.accept()[0]; c.sendall(b'proxy-hello'); c.close()
except Exception: pass" &
LISTENER=$!
i=0
while [ $i -lt 50 ] && [ ! -S "$JOBS/proxy.sock" ]; do sleep 0.1; i=$((i + 1)); done
run -P "$JOBS/proxy.sock" -t 20000 -- $PY -c "
import socket
s = socket.socket(socket.AF_UNIX); s.connect('/run/oa/proxy.sock'); print(s.recv(100).decode())"
if grep -q proxy-hello "$WORK/out"; then ok "the proxy socket is reachable at /run/oa/proxy.sock"
else no "the proxy socket is reachable" "$RES $(cat "$WORK/err")"; fi
wait "$LISTENER" 2>/dev/null; LISTENER=
run -P "$JOBS/proxy.sock" -n 8080 -t 20000 -- /bin/true
if grep -q "netbridge" "$WORK/res"; then ok "a proxy port without the bridge: a clear error"
else no "a proxy port without the bridge: a clear error" "$RES"; fi

# --- again as nobody --------------------------------------------------------
if [ "$(id -u)" = 0 ] && [ -z "${OA_CT_NESTED:-}" ]; then
	if command -v setpriv >/dev/null &&
	    setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U true 2>/dev/null; then
		cp "$CTR" "$WORK/ctr_run"
		chmod 755 "$WORK/ctr_run"
		out=$(OA_CT_NESTED=1 setpriv --reuid=65534 --regid=65534 --clear-groups \
		    env HOME=/nonexistent sh "$0" "$WORK/ctr_run" 2>&1)
		echo "$out" | sed 's/^/# nobody: /'
		np=$(echo "$out" | tail -1 | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
		if [ -n "$np" ] && [ "${np#* }" = 0 ]; then ok "as nobody: ${np% *} passed"
		else no "as nobody" "$(echo "$out" | tail -1)"; fi
	else
		echo "# skip: nobody may not create user namespaces here"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
