#!/bin/sh
# The `command` agent of the job tests (the contract is in workerd/work.h
# and openagents-agent(7)).  One self-contained file, because only the
# agent's own executable is sure to be visible inside the sandbox; the
# behaviour is chosen by a marker `oa-test-agent:NAME[:ARG]` in the issue
# (PatchGen) or in the diff under review (CodeReview):
#
#   fix            fixes the off-by-one in src/calc.sh
#   break          a "fix" after which test.sh still fails
#   disallowed     the fix, plus edits to docs/README.md and a new .env
#   empty          changes nothing
#   slow:SECS      sleeps SECS (a unique number, so a test can find the
#                  process), then would fix
#   sleepfix:SECS  sleeps SECS, then fixes
#   review-good    a valid StructuredReview about src/calc.sh
#   review-bad     an invalid one: unknown severity, a file not in the diff
#   escape-net     tries the relay's port and 1.1.1.1:53
#   escape-home    looks for the host's home and the provider's folder
#   escape-write   tries to write to /usr, /repo, / and /etc
#   forkbomb       starts up to 1000 processes (bounded, so an
#                  uncontained run cannot take the host down)
#   membomb        grows one shell string to 1 GiB
#   proxy          the model API through $OA_PROXY_URL (with a made-up
#                  key of its own), a CONNECT to a host off the
#                  allow-list, a direct connection to the upstream's
#                  port (oa-probe-upstream=HOST:PORT, oa-probe-deny=HOST)
#
# Every PatchGen behaviour first checks the secret filter: if .env, a
# .pem key or the fake secret's bytes are visible in the workspace or in
# /repo it exits 9 at once.  The escape behaviours write what they found
# to src/escape-report.txt (inside the allowed paths) and then make the
# fix, so the finding travels back to the buyer inside the patch; the
# proxy behaviour does the same in src/proxy-report.txt.
# Probe parameters come from the issue text: oa-probe-relay=HOST:PORT,
# oa-probe-home=PATH, oa-probe-oahome=PATH.
#
# stdout is the trajectory: one JSON object a line, and a usage line.
set -u

WS=$PWD
REPO=${OA_REPO_DIR:-/repo}
OUT=${OA_OUTPUT_DIR:-/out}

# a JSON string body: backslashes, quotes and control bytes escaped
jstr() {
	printf '%s' "$1" | tr '\n\t\r' '   ' | sed 's/\\/\\\\/g; s/"/\\"/g'
}
say() {		# say TYPE TEXT
	printf '{"type":"%s","text":"%s"}\n' "$1" "$(jstr "$2")"
}
tool() {	# tool NAME INPUT EXIT OUTPUT
	printf '{"type":"tool","name":"%s","input":"%s","exit_code":%d,"output":"%s"}\n' \
	    "$1" "$(jstr "$2")" "$3" "$(jstr "$4")"
}
usage_line() {
	printf '{"type":"usage","input_tokens":%d,"output_tokens":%d,"cache_read_tokens":%d}\n' \
	    "$1" "$2" "$3"
}

inputs() {
	for f in "${OA_ISSUE_FILE:-}" "${OA_DIFF_FILE:-}" "${OA_PROMPT_FILE:-}"; do
		[ -n "$f" ] && [ -r "$f" ] && cat "$f"
	done
}
MARK=$(inputs | grep -o 'oa-test-agent:[A-Za-z0-9.:_-]*' | head -n 1 |
    sed 's/^oa-test-agent://')
NAME=${MARK%%:*}
ARG=
case "$MARK" in *:*) ARG=${MARK#*:} ;; esac
probe() {	# probe KEY: the value of oa-probe-KEY=VALUE in the inputs
	inputs | grep -o "oa-probe-$1=[^ ]*" | head -n 1 | sed "s/^oa-probe-$1=//"
}

say agent "test agent '${NAME:-none}' (${OA_JOB_TYPE:-?}, job ${OA_JOB_ID:-?}) in $WS"

# --- the secret filter check ---------------------------------------------
secrets_visible() {
	for d in "$WS" "$REPO"; do
		[ -d "$d" ] || continue
		for f in "$d/.env" "$d/deploy/key.pem"; do
			[ -e "$f" ] && { echo "$f"; return 0; }
		done
		hit=$(find "$d" -name .git -prune -o \( -name '.env*' -o -name '*.pem' \) -print 2>/dev/null | head -n 1)
		[ -n "$hit" ] && { echo "$hit"; return 0; }
		hit=$(grep -rl --exclude-dir=.git 'FAKE_SECRET\|BEGIN PRIVATE KEY' "$d" 2>/dev/null | head -n 1)
		[ -n "$hit" ] && { echo "$hit"; return 0; }
	done
	return 1
}
if [ "${OA_JOB_TYPE:-PatchGen}" = PatchGen ]; then
	if leak=$(secrets_visible); then
		say error "secret filter failed: $leak is visible"
		exit 9
	fi
	say observation "no .env, key or secret bytes in the workspace or /repo"
fi

# --- edits ------------------------------------------------------------------
subst() {	# subst FILE SED-EXPR: edit in place, keeping the mode
	sed "$2" "$1" > "$1.oa-tmp" && cat "$1.oa-tmp" > "$1" && rm -f "$1.oa-tmp"
}
run_tests() {
	if [ -f test.sh ]; then
		o=$(sh test.sh 2>&1); rc=$?
		tool sh "sh test.sh" "$rc" "$(printf '%s' "$o" | tail -n 3)"
	fi
}
do_fix() {
	say thinking "sum() stops one short: the loop must include n"
	subst src/calc.sh 's/\[ "\$i" -lt "\$n" \]/[ "$i" -le "$n" ]/'
	tool edit "src/calc.sh: -lt -> -le" 0 ""
	run_tests
}
finish() {
	usage_line 1200 340 50
	say agent "done"
	exit 0
}

# --- escape probes ------------------------------------------------------------
REPORT=src/escape-report.txt
report() {	# report KEY VALUE
	echo "$1=$2" >> "$REPORT"
	say observation "$1=$2"
}
# tcp HOST PORT: open, blocked or notool
tcp() {
	if command -v bash >/dev/null 2>&1; then
		if timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; then
			echo open; else echo blocked; fi
	elif command -v python3 >/dev/null 2>&1; then
		if timeout 5 python3 -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 4)" "$1" "$2" 2>/dev/null; then
			echo open; else echo blocked; fi
	elif command -v curl >/dev/null 2>&1; then
		timeout 5 curl -s -o /dev/null --connect-timeout 4 "http://$1:$2/" 2>/dev/null
		case $? in 7|28|124) echo blocked ;; *) echo open ;; esac
	else
		echo notool
	fi
}
# look PATH: absent, present (not a folder), empty or listed:NAMES (up to 5)
look() {
	if [ ! -e "$1" ] && [ ! -L "$1" ]; then echo absent; return; fi
	if [ ! -d "$1" ]; then echo present; return; fi
	names=$(ls -A "$1" 2>/dev/null | head -n 5 | tr '\n' ',')
	if [ -z "$names" ]; then echo empty; else echo "listed:$names"; fi
}
# try_write DIR: blocked or written
try_write() {
	f="$1/oa-escape-${OA_JOB_ID:-x}"
	if (echo escape > "$f") 2>/dev/null; then
		rm -f "$f" 2>/dev/null
		echo written
	else
		echo blocked
	fi
}
# procs SIGNATURE: how many processes run `sleep SIGNATURE`
procs() {
	n=0
	for c in /proc/[0-9]*/cmdline; do
		if [ "$(tr '\0' ' ' < "$c" 2>/dev/null)" = "sleep $1 " ]; then
			n=$((n + 1))
		fi
	done
	echo "$n"
}


# --- the model API proxy ------------------------------------------------------
# python3 (scripts/deps.sh) speaks HTTP/1.1 on a bare socket: every
# exchange ends when the proxy closes, and each one is bounded in time.
# Prints KEY=VALUE lines; VALUE is one line.
proxy_probe() {	# proxy_probe PROXYURL DENYHOST UPHOST UPPORT
	command -v python3 >/dev/null 2>&1 || { echo "tool=none"; return; }
	timeout 40 python3 -c '
import json, os, socket, sys
proxy, deny, uphost, upport = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
hp = proxy.split("://", 1)[-1].rstrip("/")
phost, pport = hp.rsplit(":", 1)
def line(k, v):
    print("%s=%s" % (k, " ".join(str(v).split())))
def exchange(data):
    s = socket.create_connection((phost, int(pport)), 10)
    s.settimeout(10)
    s.sendall(data)
    got = b""
    while True:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        if not b:
            break
        got += b
    s.close()
    head, _, body = got.partition(b"\r\n\r\n")
    first = head.split(b"\r\n", 1)[0].decode("latin1")
    parts = first.split(" ", 2)
    return (parts[1] if len(parts) > 1 else "none"), body.decode("utf-8", "replace")
body = json.dumps({"model": "oa-test", "messages": [{"role": "user", "content": "hello from the sandbox"}]}).encode()
try:
    st, text = exchange(b"POST /v1/chat/completions HTTP/1.1\r\nHost: %s\r\n"
        b"Authorization: Bearer agent-key\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (hp.encode(), len(body), body))
    line("api_status", st)
    try:
        line("api_reply", json.loads(text)["choices"][0]["message"]["content"])
    except Exception:
        line("api_reply", "unreadable:" + text[:120])
except Exception as e:
    line("api_status", "error:" + str(e))
try:
    st, text = exchange(b"CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\n\r\n" % (deny.encode(), deny.encode()))
    line("connect_status", st)
    line("connect_reason", text[:160])
except Exception as e:
    line("connect_status", "error:" + str(e))
try:
    socket.create_connection((uphost, upport), 4).close()
    line("direct", "open")
except Exception as e:
    line("direct", "blocked:" + type(e).__name__)
line("key_in_env", "yes" if any("sk-test-injected" in v for v in os.environ.values()) else "no")
' "$1" "$2" "$3" "$4" 2>&1 || echo "probe_exit=$?"
}

case "$NAME" in
fix)
	do_fix; finish ;;
break)
	say thinking "start the sum at 2"
	subst src/calc.sh 's/\[ "\$i" -lt "\$n" \]/[ "$i" -le "$n" ]/; s/i=1; s=0/i=2; s=0/'
	run_tests; finish ;;
disallowed)
	do_fix
	echo "Fixed the off-by-one." >> docs/README.md
	echo "FAKE_SECRET=written-by-the-agent" > .env
	tool edit "docs/README.md, .env" 0 ""
	finish ;;
empty)
	say agent "nothing to change"; finish ;;
huge)
	# the fix plus a file of ARG bytes: a patch too big for one event
	do_fix
	awk -v n="${ARG:-250000}" 'BEGIN { while (b < n) { print "padding line " i++; b += 20 } }' > src/huge.txt
	finish ;;
slow)
	say agent "thinking for ${ARG:-3599} seconds"
	sleep "${ARG:-3599}"
	do_fix; finish ;;
sleepfix)
	say agent "working for ${ARG:-10} seconds"
	sleep "${ARG:-10}"
	do_fix; finish ;;
review-good|review-bad)
	mkdir -p "$OUT"
	if [ "$NAME" = review-good ]; then
		sev=low; file=src/calc.sh
	else
		sev=urgent; file=lib/not-in-the-diff.c
	fi
	cat > "$OUT/review.json" <<EOF
{"summary":"The loop bound now includes n, which fixes the off-by-one in sum.",
 "approval_status":"approve",
 "issues":[{"severity":"$sev","category":"testing","file":"$file",
   "line_range":[5,7],"description":"No case covers a negative n.",
   "suggested_fix":"Add t 0 sum -1 to test.sh."}],
 "suggestions":[{"file":"$file","line":6,
   "current":"while [ \"\$i\" -le \"\$n\" ]; do",
   "suggested":"while [ \"\$i\" -le \"\$n\" ]; do  # inclusive",
   "rationale":"Say why the bound is inclusive."}],
 "highlights":["A one-line, focused fix."]}
EOF
	tool write "$OUT/review.json" 0 ""
	finish ;;
escape-net)
	: > "$REPORT"
	relay=$(probe relay)
	report net_relay "$(tcp "${relay%:*}" "${relay##*:}")"
	report net_dns "$(tcp 1.1.1.1 53)"
	do_fix; finish ;;
escape-home)
	: > "$REPORT"
	home=$(probe home); oahome=$(probe oahome)
	report home "$(look "$home")"
	if cat "$home/.ssh/id_marker" >/dev/null 2>&1; then v=READ; else v=unreadable; fi
	report home_marker "$v"
	report oahome "$(look "$oahome")"
	report oa_identity "$(look "$oahome/provider/identity.enc")"
	report oa_control "$(look "$oahome/provider/control.sock")"
	report oa_ledger "$(look "$oahome/provider/ledger.db")"
	do_fix; finish ;;
escape-write)
	: > "$REPORT"
	for d in /usr /repo / /etc; do
		report "write_$(echo "$d" | tr -d / | sed 's/^$/root/')" "$(try_write "$d")"
	done
	do_fix; finish ;;
forkbomb)
	: > "$REPORT"
	sig=${ARG:-59.123}
	(
		i=0
		while [ "$i" -lt 1000 ]; do
			sleep "$sig" &
			i=$((i + 1))
		done
	) >/dev/null 2>&1
	report forks_alive "$(procs "$sig")"
	do_fix; finish ;;
membomb)
	: > "$REPORT"
	say agent "growing a 1 GiB string"
	x=$(head -c 1073741824 /dev/zero | tr '\0' a)
	report mem "allocated:${#x}"
	x=
	do_fix; finish ;;
proxy)
	REPORT=src/proxy-report.txt
	: > "$REPORT"
	report proxy_url "${OA_PROXY_URL:-unset}"
	up=$(probe upstream)
	proxy_probe "${OA_PROXY_URL:-http://127.0.0.1:3128}" "$(probe deny)" \
	    "${up%:*}" "${up##*:}" > "$REPORT.oa-tmp"
	while IFS= read -r l; do
		report "${l%%=*}" "${l#*=}"
	done < "$REPORT.oa-tmp"
	rm -f "$REPORT.oa-tmp"
	do_fix; finish ;;
*)
	say error "no oa-test-agent marker in the inputs"
	exit 3 ;;
esac
