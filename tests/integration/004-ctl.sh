#!/bin/sh
# The CLI's conventions (exit codes, --help, usage errors), the daemon
# mode with stop, and a control socket that survives bad clients.
. "$(dirname "$0")/lib.sh"

"$OA" --help >"$T/out" 2>&1
check "openagents --help exits 0" test $? -eq 0
check "and lists serve and status" sh -c "grep -q serve '$T/out' && grep -q status '$T/out'"
"$OA" >/dev/null 2>&1
check "no command is a usage error (2)" test $? -eq 2
"$OA" provider frobnicate >"$T/out" 2>&1
check "an unknown command is a usage error (2)" test $? -eq 2
check "naming it" grep -q "unknown command 'frobnicate'" "$T/out"
"$OA" provider status --bogus >/dev/null 2>&1
check "an unknown option is a usage error (2)" test $? -eq 2
for c in serve status reload stop; do
	"$OA" provider $c --help >"$T/out" 2>&1
	check "provider $c --help exits 0" test $? -eq 0
	check "provider $c --help shows usage" grep -q "usage: openagents provider $c" "$T/out"
done
"$OA" provider reload >/dev/null 2>&1
check "reload without a daemon exits 3" test $? -eq 3
"$OA" provider stop >/dev/null 2>&1
check "stop without a daemon exits 3" test $? -eq 3

# daemon mode: serve returns once online, stop waits for the end
write_config
"$OA" provider serve >"$T/out" 2>&1; rc=$?
check "serve (daemon) exits 0 once online (was $rc)" test $rc -eq 0
check "and says so" grep -q "provider online (openagentsd pid" "$T/out"
DPID=$(sed -n 's/.*openagentsd pid \([0-9]*\).*/\1/p' "$T/out")
[ -n "$DPID" ] && echo "$DPID" >> "$T/pids"
check "the daemon is detached from the terminal" sh -c "[ \"\$(ps -o tty= -p $DPID | tr -d ' ')\" = '?' ]"

# bad clients: garbage, an oversize header, an unknown request, and a
# slow one that says nothing; the daemon answers the next client
python3 - "$PDIR/control.sock" <<'PY'
import socket, struct, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s
# garbage bytes
s = conn(); s.sendall(b"\xff" * 64); time.sleep(0.1); s.close()
# header claiming 1 GiB
s = conn(); s.sendall(struct.pack("=IIII", 100, 1 << 30, 0, 0)); time.sleep(0.1); s.close()
# unknown type, well framed: expect an error result, not a crash
s = conn(); s.sendall(struct.pack("=IIII", 9999, 16, 0, 0))
hdr = s.recv(16)
typ, ln, _, _ = struct.unpack("=IIII", hdr)
body = b""
while len(body) < ln - 16:
    body += s.recv(ln - 16 - len(body))
code = struct.unpack("=i", body[:4])[0]
assert typ == 202 and code == 3, (typ, code)   # CTL_RESULT, CTL_RES_DENIED
s.close()
# status request with a payload it must not have
s = conn(); s.sendall(struct.pack("=IIII", 100, 20, 0, 0) + b"xxxx")
hdr = s.recv(16); typ = struct.unpack("=IIII", hdr)[0]
assert typ == 202, typ
s.close()
# a silent client does not block others
idle = conn()
print("bad clients done")
PY
check "bad control clients are answered or dropped" test $? -eq 0
"$OA" provider status >/dev/null 2>&1
check "status still answers after bad clients" test $? -eq 0

"$OA" provider stop >"$T/out" 2>&1; rc=$?
check "stop exits 0 (was $rc)" test $rc -eq 0
check "and says stopped" grep -q "^stopped" "$T/out"
check "the daemon is gone" wait_exit "$DPID" 20
"$OA" provider status >/dev/null 2>&1
check "status after stop exits 3" test $? -eq 3

# --config relocates everything to the folder of the file
alt="$T/elsewhere"
mkdir -p "$alt"
cp "$PDIR/config.toml" "$alt/provider.toml"
cp "$PDIR/identity.enc" "$alt/identity.enc"
rm -rf "$PDIR"
"$OA" --config "$alt/provider.toml" provider serve >"$T/out" 2>&1; rc=$?
check "serve --config FILE (daemon) exits 0 (was $rc)" test $rc -eq 0
DPID=$(sed -n 's/.*openagentsd pid \([0-9]*\).*/\1/p' "$T/out")
[ -n "$DPID" ] && echo "$DPID" >> "$T/pids"
check "its control socket is beside the file" test -S "$alt/control.sock"
check "its jobs folder too" test -d "$alt/jobs"
check "nothing was created in OPENAGENTS_HOME" test ! -e "$PDIR"
"$OA" provider status --config "$alt/provider.toml" >/dev/null 2>&1
check "status --config finds it" test $? -eq 0
"$OA" provider stop --config "$alt/provider.toml" >/dev/null 2>&1
check "stop --config stops it" test $? -eq 0

finish
