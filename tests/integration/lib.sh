# Shared by the integration tests: a private OPENAGENTS_HOME, the suite
# started from the build tree, and cleanup of every process by its pid.
# Every wait is bounded.

set -u

: "${OA_BUILD_ROOT:?run through meson test}"
: "${OA_SOURCE_ROOT:?run through meson test}"

OA="$OA_BUILD_ROOT/openagents"
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "/tmp/oa-$TEST_NAME.XXXXXX")
export OPENAGENTS_HOME="$T/home"
PDIR="$OPENAGENTS_HOME/provider"
LOG="$T/serve.log"
SERVE_PID=
FAILS=0
PASSES=0

cleanup() {
	if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
		kill -TERM "$SERVE_PID" 2>/dev/null
		i=0
		while kill -0 "$SERVE_PID" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -KILL "$SERVE_PID" 2>/dev/null
	fi
	for p in $(cat "$T/pids" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

ok() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
not_ok() { FAILS=$((FAILS + 1)); echo "not ok - $*"; }
check() {	# check "description" command...
	desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
finish() {
	echo "$PASSES passed, $FAILS failed"
	if [ "$FAILS" -ne 0 ]; then
		echo "--- daemon log ---"; cat "$LOG" 2>/dev/null
		exit 1
	fi
	exit 0
}
bail() { echo "Bail out! $*"; echo "--- daemon log ---"; cat "$LOG" 2>/dev/null; exit 1; }

# the passphrase of every identity the tests make, found by serve too
PASSFILE="$T/passphrase"
printf 'test passphrase\n' > "$PASSFILE"
chmod 600 "$PASSFILE"
export OPENAGENTS_PASSPHRASE_FILE="$PASSFILE"

# an identity made by provider init; its JSON answer in $T/identity.json
make_identity() {
	"$OA" provider init --json >"$T/identity.json" 2>"$T/init.err" ||
	    bail "provider init failed: $(cat "$T/init.err")"
}

write_config() {	# write_config [extra toml]
	mkdir -p "$PDIR"
	[ -e "$PDIR/identity.enc" ] || make_identity
	cat > "$PDIR/config.toml" <<CONF
[identity]
pubkey = ""

[worker]
capacity = 3
job_types = ["PatchGen", "CodeReview"]
isolation = "container"

[relays]
urls = ["ws://127.0.0.1:1"]
${1:-}
CONF
}

# start the suite in the foreground, in the background of this shell
serve() {
	"$OA" provider serve --foreground "$@" >"$LOG" 2>&1 &
	SERVE_PID=$!
	echo "$SERVE_PID" >> "$T/pids"
}

# wait until status reports every helper running (at most N tenths)
wait_online() {
	i=0
	while [ $i -lt "${1:-100}" ]; do
		if "$OA" provider status --json 2>/dev/null |
		    grep -q '"status": "online"'; then
			return 0
		fi
		kill -0 "$SERVE_PID" 2>/dev/null || return 1
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# pid of a helper according to status --json
helper_pid() {
	"$OA" provider status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
for h in d["helpers"]:
    if h["name"] == sys.argv[1]:
        print(h["pid"])
' "$1"
}

helper_field() {	# helper_field NAME FIELD
	"$OA" provider status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
for h in d["helpers"]:
    if h["name"] == sys.argv[1]:
        print(h[sys.argv[2]])
' "$1" "$2"
}

# whether a pid runs: a zombie left to a container's init, which may be
# slow to reap or never reap, has finished all the same
alive() {
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case "$st" in Z*) return 1;; esac
	return 0
}

# wait for a pid to exit, at most N tenths
wait_exit() {
	i=0
	while alive "$1" && [ $i -lt "${2:-100}" ]; do
		sleep 0.1; i=$((i + 1))
	done
	! alive "$1"
}
