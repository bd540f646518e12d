# Shared by escape.sh and gvisor.sh (sourced): the tally, the result
# line of ctr_run -r, listeners on the host, the run again as nobody.
# The caller sets CTR and MODE (ctr_run's -m, or nothing); this makes
# the folders: $WORK, with a jobs folder $JOBS (a repo, an output) and
# a provider folder beside it with a secret.

PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/oa-ct-test.XXXXXX)
chmod 755 "$WORK"
JOBS=$WORK/jobs
mkdir -p "$JOBS/repo" "$JOBS/out" "$WORK/provider"
echo secret > "$WORK/provider/identity.enc"
echo 'print("hi")' > "$JOBS/repo/main.py"
chmod -R a+rwX "$WORK"
pass=0
fail=0
LISTENER=

cleanup() {
	[ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# run OPTS -- CMD...: the result line lands in $WORK/res, output in out/err
run() {
	"$CTR" $MODE -r "$WORK/res" "$@" >"$WORK/out" 2>"$WORK/err"
	RES=$(cat "$WORK/res" 2>/dev/null)
}
sh_c() { run -b "$JOBS/repo:/repo" -b "$JOBS/out:/out:rw" -t 20000 -- /bin/sh -c "$1"; }

ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && echo "#   $2"; }
field() { echo "$RES" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
check() {	# check NAME FIELD VALUE
	if [ "$(field "$2")" = "$3" ]; then ok "$1"; else no "$1" "$RES $(head -c 300 "$WORK/err")"; fi
}

exit_stdio_signal() {
	sh_c 'exit 7'
	check "exit code passed through" code 7
	sh_c 'echo to-out; echo to-err >&2'
	if grep -qx to-out "$WORK/out" && grep -qx to-err "$WORK/err"; then
		ok "stdout and stderr passed through"
	else no "stdout and stderr passed through" "$RES"; fi
	sh_c 'kill -TERM $$'
	check "the command's signal reported" signal 15
}

# peak_and_cpu MIN_KB: 64 MiB touched and 0.3 s of cpu, both reported
peak_and_cpu() {
	run -M 256 -t 20000 -- $PY -c '
import time
a = bytearray(64 << 20)
for i in range(0, len(a), 4096): a[i] = 1
t = time.process_time()
while time.process_time() - t < 0.3: pass'
	pk=$(field peak_kb)
	cpu=$(field cpu)
	if [ "${pk:-0}" -ge "$1" ] && awk "BEGIN{exit !($cpu >= 0.25)}"; then
		ok "peak memory (${pk} KiB) and cpu seconds ($cpu) reported"
	else no "peak memory and cpu seconds reported" "$RES"; fi
}

# writes_only_inside "PATH ...": none of these writable, but /workspace,
# /tmp and the rw bind /out are, and /out is the host's folder
writes_only_inside() {
	sh_c 'for f in '"$1"'; do
	touch $f 2>/dev/null && echo "wrote $f"; done
	echo hi > /workspace/w && echo hi > /tmp/t && echo hi > /out/o && echo rw-ok'
	if grep -q wrote "$WORK/out" || ! grep -q rw-ok "$WORK/out"; then
		no "writes only in /workspace, /tmp and rw binds" "$(cat "$WORK/out" "$WORK/err")"
	else ok "writes only in /workspace, /tmp and rw binds"; fi
	if [ "$(cat "$JOBS/out/o" 2>/dev/null)" = hi ] && [ ! -e "$JOBS/repo/x" ]; then
		ok "an rw bind reaches the host, a read-only one does not"
	else no "an rw bind reaches the host, a read-only one does not"; fi
}

memory_bomb() {
	run -M 64 -t 20000 -- $PY -c '
a = []
while True: a.append(bytearray(8 << 20))'
	if [ "$(field oom)" = 1 ] || [ "$(field signal)" = 9 ] ||
	    { [ "$(field exited)" = 1 ] && grep -q MemoryError "$WORK/err"; }; then
		ok "memory bomb stopped (oom=$(field oom) signal=$(field signal))"
	else no "memory bomb stopped" "$RES"; fi
}

# A listener on a free port of the host's loopback: $PORT, $LISTENER.
tcp_listener() {
	PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	$PY -c "
import socket
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
}

stop_listener() {
	kill "$LISTENER" 2>/dev/null; wait "$LISTENER" 2>/dev/null; LISTENER=
}

# relayd's proxy socket, stood in for: one hello to the first client.
proxy_reachable() {
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
}

# as_nobody SCRIPT [VAR=VALUE ...]: SCRIPT again as nobody, when we are
# root and nobody may create user namespaces; its tally is one result.
as_nobody() {
	script=$1
	shift
	[ "$(id -u)" = 0 ] || return 0
	if ! command -v setpriv >/dev/null ||
	    ! setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U true 2>/dev/null; then
		echo "# skip: nobody may not create user namespaces here"
		return 0
	fi
	cp "$CTR" "$WORK/ctr_run"
	chmod 755 "$WORK/ctr_run"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
	    env HOME=/nonexistent "$@" sh "$script" "$WORK/ctr_run" 2>&1)
	echo "$out" | sed 's/^/# nobody: /'
	np=$(echo "$out" | tail -1 | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	if [ -n "$np" ] && [ "${np#* }" = 0 ]; then ok "as nobody: ${np% *} passed"
	else no "as nobody" "$(echo "$out" | tail -1)"; fi
}
