#!/bin/sh
# The meson test `demo`: the README's main command against this build,
# without its apt and npm part (scripts/demo.sh --no-install).  Twice:
# with the bundled agent whatever the environment holds, then with the
# codex backend chosen as a user's OPENAI_API_KEY and codex would choose
# it, codex being a stand-in that runs the bundled agent (isolation
# local, where the daemon's PATH reaches the agent).  Each run must exit
# 0 and `openagents provider jobs` must list the job as paid.
set -u
[ -d "$OA_SOURCE_ROOT/tests/interop/node_modules" ] ||
    { echo "# skip: no npm test peers (npm ci --prefix tests/interop)"; exit 77; }
T=$(mktemp -d /tmp/oa-demo-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0

run() {		# run WHAT EXPECT-LINE [VAR=VALUE ...]
	what=$1 expect=$2
	shift 2
	out=$(env "$@" DEMO_TIMEOUT_SECS=40 \
	    sh "$OA_SOURCE_ROOT/scripts/demo.sh" --no-install 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/# /'
	if [ "$rc" -ne 0 ]; then
		echo "not ok - $what: sh scripts/demo.sh --no-install exited $rc"
		fails=$((fails + 1))
	elif ! printf '%s\n' "$out" | grep -q "$expect"; then
		echo "not ok - $what: no line '$expect'"
		fails=$((fails + 1))
	elif ! printf '%s\n' "$out" |
	    grep -Eq '^ +job_[0-9a-f]{16} +PatchGen +paid '; then
		echo "not ok - $what: provider jobs does not show the job paid"
		fails=$((fails + 1))
	else
		echo "ok - $what: the demo ran to the end and the job is paid"
	fi
}

run "bundled agent" "the bundled example agent" DEMO_BACKEND=command

mkdir "$T/bin"
cat >"$T/bin/codex" <<EOF2
#!/bin/sh
# a stand-in for codex exec: the bundled agent, in the workspace
[ "\$1" = exec ] || exit 2
cat >/dev/null
exec "$OA_SOURCE_ROOT/demo/agent.sh"
EOF2
chmod 755 "$T/bin/codex"
run "codex backend" "the codex backend" PATH="$T/bin:$PATH" \
    OPENAI_API_KEY=sk-demo-test DEMO_ISOLATION=local

[ "$fails" -eq 0 ]
