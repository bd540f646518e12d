#!/bin/sh
# workerd end to end: work orders through the real openagents-workerd on
# its channel, a fixture repository made here, command agents that are
# shell scripts, and a fake codex.  Isolation: $OA_ISOLATION (local).
#
# usage: workerd.sh WORKERD_DRIVE OPENAGENTS_WORKERD

set -u
drive=$1
workerd=$2
iso=${OA_ISOLATION:-local}
sbmode=${OA_SANDBOX_MODE:-enforce}
pass=0
fail=0
# a container has its own /tmp: what it binds from here must be elsewhere
if [ "$iso" = local ]; then
	base=${OA_TEST_TMPDIR:-/tmp}
else
	base=${OA_TEST_TMPDIR:-$(pwd)}
fi
T=$(mktemp -d "$base/oa-workerd.XXXXXX")
[ -n "${OA_KEEP:-}" ] || trap 'rm -rf "$T"' EXIT

ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}
nok() {
	fail=$((fail + 1))
	echo "not ok - $1"
}
check() {
	# check NAME COMMAND...
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else nok "$name"; fi
}
answer() {
	# the done line of a job's phase
	grep "^done $1 $2 " "$T/out.txt" | head -n 1
}
has() {
	# has JOB PHASE TEXT: the answer contains TEXT
	answer "$1" "$2" | grep -F -q -- "$3"
}

# --- the fixture: `sh test.sh` fails until calc.sh adds -------------------
R=$T/src/repo
mkdir -p "$R/notes" "$R/config" "$R/keys"
cat >"$R/calc.sh" <<'X'
add() {
	echo $(($1 - $2))
}
X
cat >"$R/test.sh" <<'X'
. ./calc.sh
[ "$(add 2 3)" = 5 ] || { echo "add 2 3 is not 5" >&2; exit 1; }
echo "tests pass"
X
echo "hunter2-dotenv" >"$R/.env"
echo "hunter2-dotenv-local" >"$R/.env.local"
printf -- '-----BEGIN RSA PRIVATE KEY-----\nhunter2-key\n-----END RSA PRIVATE KEY-----\n' \
    >"$R/notes/server_key.txt"
echo '{"token":"hunter2-cred"}' >"$R/config/credentials.json"
echo "hunter2-pem" >"$R/keys/deploy.pem"
echo "hunter2-disallowed" >"$R/notes/private.txt"
echo "a calculator" >"$R/README"
(
	cd "$R" &&
	git init -q -b main . &&
	git add -A &&
	git -c user.name=t -c user.email=t@example.invalid commit -q -m one &&
	git tag v1 &&
	echo "more" >>README &&
	git -c user.name=t -c user.email=t@example.invalid commit -q -am two
) || { echo "cannot make the fixture"; exit 1; }
SHA=$(git -C "$R" rev-parse HEAD)
SHA1=$(git -C "$R" rev-parse v1)
URL=file://$R

# --- agents ------------------------------------------------------------------
A=$T/agents
mkdir -p "$A" "$T/bin" "$T/allowed-only"
cat >"$A/fix.sh" <<'X'
#!/bin/sh
# must not see a secret, nor any history holding one
for f in .env .env.local notes/server_key.txt config/credentials.json \
    keys/deploy.pem notes/private.txt; do
	[ -e "$f" ] && { echo "saw $f" >&2; exit 9; }
done
[ "$(git rev-list --count HEAD)" = 1 ] || { echo "history" >&2; exit 9; }
git log --all -p | grep -q hunter2 && { echo "secret in history" >&2; exit 9; }
grep -r -q hunter2 . && { echo "secret in tree" >&2; exit 9; }
[ -f "$OA_PROMPT_FILE" ] || exit 8
grep -q "add 2 3" "$OA_ISSUE_FILE" || exit 8
echo '{"type":"message","text":"fixing calc.sh"}'
echo "plain text line"
echo '{"type":"usage","input_tokens":120,"output_tokens":30,"cache_read_tokens":7}'
sed -i 's/\$1 - \$2/$1 + $2/' calc.sh
echo "fixed" >NEWS
X
cat >"$A/break.sh" <<'X'
#!/bin/sh
printf 'add() {\n\techo 0\n}\n' >calc.sh
X
cat >"$A/slow.sh" <<'X'
#!/bin/sh
sleep 30
X
cat >"$A/noop.sh" <<'X'
#!/bin/sh
echo '{"type":"message","text":"nothing to do"}'
X
cat >"$A/fails.sh" <<'X'
#!/bin/sh
echo "giving up" >&2
exit 5
X
cat >"$A/review.sh" <<'X'
#!/bin/sh
grep -q "calc.sh" "$OA_DIFF_FILE" || exit 8
cat >"$OA_OUTPUT_DIR/review.json" <<'J'
{"summary":"off by sign","approval_status":"request_changes","issues":[{"severity":"high","category":"logic","file":"calc.sh","line_range":[2,2],"description":"subtracts","suggested_fix":"add"}],"suggestions":[],"highlights":["small"]}
J
X
cat >"$A/cancel.sh" <<X
#!/bin/sh
sleep 120 &
echo "\$\$ \$!" >"$T/cancel.pids"
wait
X
cat >"$T/bin/codex" <<'X'
#!/bin/sh
# a stand-in for `codex exec --json`: recorded-looking events
[ "$1" = exec ] || exit 2
last=
while [ $# -gt 0 ]; do
	[ "$1" = --output-last-message ] && last=$2
	shift
done
cat >/dev/null
if [ "$OA_JOB_TYPE" = CodeReview ]; then
	echo '{"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":"review"}}'
	printf '```json\n{"summary":"s","approval_status":"comment","issues":[],"suggestions":[],"highlights":["h"]}\n```\n' >"$last"
	echo '{"type":"turn.completed","usage":{"input_tokens":10,"cached_input_tokens":0,"output_tokens":5}}'
	exit 0
fi
echo '{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}'
echo '{"type":"turn.started"}'
echo '{"type":"item.completed","item":{"id":"item_0","type":"reasoning","text":"**Fixing add**"}}'
echo '{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"bash -lc sh test.sh","aggregated_output":"","exit_code":null,"status":"in_progress"}}'
sed -i 's/\$1 - \$2/$1 + $2/' calc.sh
echo '{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"bash -lc sh test.sh","aggregated_output":"tests pass\n","exit_code":0,"status":"completed"}}'
echo '{"type":"item.completed","item":{"id":"item_2","type":"agent_message","text":"Fixed add in calc.sh."}}'
echo '{"type":"turn.completed","usage":{"input_tokens":2000,"cached_input_tokens":500,"output_tokens":300}}'
X
chmod +x "$A"/*.sh "$T/bin/codex"

# --- orders ------------------------------------------------------------------
# the provider folder around the jobs is out of the sandboxes' reach
J=$T/provider/jobs
mkdir -p "$J"
order() {
	# order FILE JOB TYPE PHASE TIME EXTRA-JSON
	cat >"$T/$1" <<X
{"job_id":"$2","type":"$3","phase":"$4","time_limit_secs":$5,
 "memory_mb":1024,"pids":256,"disk_mb":1024,"cpu_limit":1.5,
 "isolation":"$iso","allow_local_repos":["$T/src"],
 "repo_max_bytes":100000000,"proxy_socket":""$6}
X
}
agent() {
	printf ',"agent":{"backend":"command","command":"%s"}' "$A/$1"
}
ISSUE='"issue":"add is wrong\\n\\nadd 2 3 prints -1, it should print 5"'
PG=",\"repo_url\":\"$URL\",\"repo_ref\":\"main\",$ISSUE,\"test_command\":\"sh test.sh\",\"disallowed_paths\":[\"notes/private.txt\"]"

order fix.json job_0000000000000001 PatchGen agent 60 "$PG$(agent fix.sh)"
order break.json job_0000000000000002 PatchGen agent 60 \
    ",\"repo_url\":\"$URL\",\"repo_ref\":\"v1\",$ISSUE,\"test_command\":\"sh test.sh\"$(agent break.sh)"
order slow.json job_0000000000000003 PatchGen agent 2 "$PG$(agent slow.sh)"
order noop.json job_0000000000000004 PatchGen agent 60 "$PG$(agent noop.sh)"
DIFF='"diff":"diff --git a/calc.sh b/calc.sh\\n--- a/calc.sh\\n+++ b/calc.sh\\n@@ -1,3 +1,3 @@\\n add() {\\n-\\techo $(($1 + $2))\\n+\\techo $(($1 - $2))\\n }\\n"'
order review.json job_0000000000000005 CodeReview agent 60 \
    ",$DIFF,\"focus\":\"logic\"$(agent review.sh)"
order run.json job_0000000000000006 SandboxRun run 60 \
    ",\"repo_url\":\"$URL\",\"repo_ref\":\"$SHA\",\"command\":\"echo \$GREETING; cat README >&2; exit 3\",\"env\":[\"GREETING=hi\"]"
order badfile.json job_0000000000000007 PatchGen agent 60 \
    ",\"repo_url\":\"file://$T/allowed-only/../src/repo\",$ISSUE$(agent fix.sh)"
sed -i "s#\"allow_local_repos\":\[\"$T/src\"\]#\"allow_local_repos\":[\"$T/allowed-only\"]#" \
    "$T/badfile.json"
order badref.json job_0000000000000008 PatchGen agent 60 \
    ",\"repo_url\":\"$URL\",\"repo_ref\":\"no-such-branch\",$ISSUE$(agent fix.sh)"
order cancel.json job_0000000000000009 PatchGen agent 60 "$PG$(agent cancel.sh)"
order codex.json job_000000000000000a PatchGen agent 60 \
    "$PG,\"agent\":{\"backend\":\"codex\",\"model\":\"gpt-5.2-codex\"}"
order fails.json job_000000000000000b PatchGen agent 60 "$PG$(agent fails.sh)"
order big.json job_000000000000000c SandboxRun run 60 \
    ",\"repo_url\":\"$URL\",\"command\":\"true\""
sed -i 's/"repo_max_bytes":100000000/"repo_max_bytes":1024/' "$T/big.json"
order shortsha.json job_000000000000000d SandboxRun run 60 \
    ",\"repo_url\":\"$URL\",\"repo_ref\":\"$(echo "$SHA1" | cut -c1-10)\",\"command\":\"cat README\",\"workdir\":\"/workspace\""
order badenv.json job_000000000000000e SandboxRun run 60 \
    ",\"repo_url\":\"$URL\",\"command\":\"true\",\"env\":[\"PATH=/x\"]"
order https.json job_000000000000000f SandboxRun run 60 \
    ",\"repo_url\":\"http://example.invalid/x\",\"command\":\"true\""
order test1.json job_0000000000000001 PatchGen test 60 \
    ",\"repo_url\":\"$URL\",\"repo_ref\":\"main\",\"test_command\":\"sh test.sh\",\"verification_commands\":[\"npm run lint\",\"grep -q + calc.sh\"],\"patch_file\":\"patch.diff\""
order test2.json job_0000000000000002 PatchGen test 60 \
    ",\"repo_url\":\"$URL\",\"repo_ref\":\"v1\",\"test_command\":\"sh test.sh\",\"patch_file\":\"patch.diff\""
order testa.json job_000000000000000a PatchGen test 60 \
    ",\"repo_url\":\"$URL\",\"repo_ref\":\"main\",\"test_command\":\"sh test.sh\",\"patch_file\":\"patch.diff\""
# a test phase without the agent phase's repository fetches it again
order refetch.json job_0000000000000011 PatchGen test 60 \
    ",\"repo_url\":\"$URL\",\"repo_ref\":\"main\",\"test_command\":\"sh test.sh\",\"patch_file\":\"fix.diff\""
order notapply.json job_0000000000000012 PatchGen test 60 \
    ",\"repo_url\":\"$URL\",\"repo_ref\":\"main\",\"test_command\":\"sh test.sh\",\"patch_file\":\"bad.diff\""
mkdir -p "$J/job_0000000000000011" "$J/job_0000000000000012"
cat >"$J/job_0000000000000011/fix.diff" <<'X'
diff --git a/calc.sh b/calc.sh
--- a/calc.sh
+++ b/calc.sh
@@ -1,3 +1,3 @@
 add() {
-	echo $(($1 - $2))
+	echo $(($1 + $2))
 }
X
sed 's/^ add() {/ sub() {/' "$J/job_0000000000000011/fix.diff" \
    >"$J/job_0000000000000012/bad.diff"

order unreachable.json job_0000000000000014 SandboxRun run 60 \
    ",\"repo_url\":\"https://127.0.0.1:9/nothing.git\",\"command\":\"true\""

order codexreview.json job_0000000000000015 CodeReview agent 60 \
    ",$DIFF,\"agent\":{\"backend\":\"codex\"}"

# what a workerd that died mid-job left behind
order restart.json job_0000000000000013 SandboxRun run 60 \
    ",\"repo_url\":\"$URL\",\"command\":\"cat calc.sh\""
mkdir -p "$J/job_0000000000000013/repo/half" "$J/job_0000000000000013/ws"
echo partial >"$J/job_0000000000000013/repo/half/file"

# --- the run -------------------------------------------------------------------
start=$(date +%s)
PATH="$T/bin:$PATH" "$drive" -S "$sbmode" "$workerd" "$J" >"$T/out.txt" \
    2>"$T/err.txt" <<X
start job_0000000000000001 agent $T/fix.json
start job_0000000000000002 agent $T/break.json
start job_0000000000000003 agent $T/slow.json
start job_0000000000000004 agent $T/noop.json
start job_0000000000000005 agent $T/review.json
start job_0000000000000006 run $T/run.json
start job_0000000000000007 agent $T/badfile.json
start job_0000000000000008 agent $T/badref.json
start job_0000000000000009 agent $T/cancel.json
start job_000000000000000a agent $T/codex.json
start job_000000000000000b agent $T/fails.json
start job_000000000000000c run $T/big.json
start job_000000000000000d run $T/shortsha.json
start job_000000000000000e run $T/badenv.json
start job_000000000000000f run $T/https.json
sleep 1500
cancel job_0000000000000009 agent
wait 15
start job_0000000000000001 test $T/test1.json
start job_0000000000000002 test $T/test2.json
start job_000000000000000a test $T/testa.json
start job_0000000000000011 test $T/refetch.json
start job_0000000000000012 test $T/notapply.json
start job_0000000000000013 run $T/restart.json
start job_0000000000000014 run $T/unreachable.json
start job_0000000000000015 agent $T/codexreview.json
wait 23
X
echo "drive: $?, $(($(date +%s) - start)) s"
cat "$T/out.txt"
# an isolation this machine (or build) does not have: skipped, not failed
if [ "$iso" != local ] && grep -q '"message":"isolation ' "$T/out.txt"; then
	echo "SKIP: isolation $iso is not available here"
	exit 77
fi

# PatchGen, the fix: a patch, its trajectory, its usage
has job_0000000000000001 agent '"ok":true' && ok "fix: done ok" || nok "fix: done ok"
check "fix: patch.diff has the change" grep -q '^+	echo \$((\$1 + \$2))' "$J/job_0000000000000001/patch.diff"
check "fix: new file in the patch" grep -q '^+++ b/NEWS' "$J/job_0000000000000001/patch.diff"
check "fix: no filtered file in the patch" sh -c "! grep -q -e env -e server_key -e credentials -e private '$J/job_0000000000000001/patch.diff'"
check "fix: usage from the agent" has job_0000000000000001 agent '"usage":{"input_tokens":120,"output_tokens":30,"cache_read_tokens":7}'
check "fix: repo_sha" has job_0000000000000001 agent "\"repo_sha\":\"$SHA\""
check "fix: trajectory_id" has job_0000000000000001 agent '"trajectory_id":"traj_0000000000000001"'
check "fix: trajectory header" sh -c "head -n 1 '$J/job_0000000000000001/trajectory.jsonl' | grep -q '\"format\":\"oa-trajectory/1\"'"
check "fix: trajectory text line" grep -q '{"type":"text","text":"plain text line"}' "$J/job_0000000000000001/trajectory.jsonl"
check "fix: trajectory end" sh -c "tail -n 1 '$J/job_0000000000000001/trajectory.jsonl' | grep -q '\"type\":\"end\"'"
check "fix: filtered.txt lists the secrets" sh -c "grep -q '^.env$' '$J/job_0000000000000001/filtered.txt' && grep -q server_key '$J/job_0000000000000001/filtered.txt' && grep -q private.txt '$J/job_0000000000000001/filtered.txt'"
check "fix: progress sent" grep -q '^progress job_0000000000000001 agent {"percent":40' "$T/out.txt"
check "fix: done-agent.json" grep -q '"ok":true' "$J/job_0000000000000001/done-agent.json"
# the test phase
check "fix: test phase applies, tests pass" has job_0000000000000001 test '"applies_cleanly":true,"test_exit_code":0'
check "fix: verification names" sh -c "answer() { grep '^done job_0000000000000001 test ' '$T/out.txt'; }; answer | grep -q '\"name\":\"lint\"' && answer | grep -q '\"name\":\"grep\",\"command\":\"grep -q + calc.sh\",\"exit_code\":0'"
check "fix: test stdout kept and hashed" sh -c "h=\$(sha256sum '$J/job_0000000000000001/test-stdout.txt' | cut -d' ' -f1); grep '^done job_0000000000000001 test ' '$T/out.txt' | grep -q \"\\\"test_stdout_sha256\\\":\\\"\$h\\\"\""
check "fix: scratch and clone gone after the test phase" sh -c "[ ! -e '$J/job_0000000000000001/repo' ] && [ ! -e '$J/job_0000000000000001/ws' ] && [ ! -e '$J/job_0000000000000001/out' ]"
# the fix that breaks the tests
check "break: agent ok" has job_0000000000000002 agent '"ok":true'
check "break: tests fail" has job_0000000000000002 test '"applies_cleanly":true,"test_exit_code":1'
check "break: v1 tag fetched" has job_0000000000000002 agent "\"repo_sha\":\"$SHA1\""
check "slow: E004, timed out" sh -c "grep '^done job_0000000000000003 agent ' '$T/out.txt' | grep -q '\"code\":\"E004\".*\"timed_out\":true'"
check "noop: E006" has job_0000000000000004 agent '"code":"E006","message":"the agent produced no change"'
check "review: review.json" sh -c "grep -q request_changes '$J/job_0000000000000005/review.json' && grep '^done job_0000000000000005 agent ' '$T/out.txt' | grep -q '\"review_file\":\"review.json\"'"
HI=$(printf 'hi\n' | sha256sum | cut -d' ' -f1)
check "run: exit code 3" has job_0000000000000006 run '"exit_code":3'
check "run: stdout hash" has job_0000000000000006 run "\"stdout_sha256\":\"$HI\""
check "run: output hash" has job_0000000000000006 run "\"output_sha256\":\"$HI\""
check "run: output.txt" grep -qx hi "$J/job_0000000000000006/output.txt"
check "run: stderr kept" grep -q "a calculator" "$J/job_0000000000000006/stderr.txt"
check "run: SHA ref" has job_0000000000000006 run "\"repo_sha\":\"$SHA\""
check "run: peak memory and cpu" sh -c "grep '^done job_0000000000000006 run ' '$T/out.txt' | grep -q '\"peak_memory_mb\":[1-9].*\"cpu_seconds\":'"
check "file:// outside allow_local_repos: E002" has job_0000000000000007 agent '"code":"E002","message":"file:// repositories are not allowed: set [worker] allow_local_repos"'
check "bad ref: E003" has job_0000000000000008 agent '"code":"E003"'
check "cancel: cancelled" has job_0000000000000009 agent '"cancelled":true'
if [ -s "$T/cancel.pids" ]; then
	# gone within 5 s; a zombie left to a slow init has finished too
	check "cancel: the agent's processes are gone" sh -c "i=0; while [ \$i -lt 50 ]; do left=0; for p in \$(cat '$T/cancel.pids'); do case \$(ps -o stat= -p \$p 2>/dev/null) in ''|Z*) ;; *) left=1;; esac; done; [ \$left = 0 ] && exit 0; sleep 0.1; i=\$((i + 1)); done; exit 1"
fi
check "test phase fetches again" has job_0000000000000011 test '"applies_cleanly":true,"test_exit_code":0'
check "a patch that does not apply: applies_cleanly false, no tests" sh -c "grep '^done job_0000000000000012 test ' '$T/out.txt' | grep -q '\"ok\":true,\"applies_cleanly\":false,\"verifications\"'"
check "unreachable https: E002" has job_0000000000000014 run '"code":"E002","message":"repository not accessible: '
check "a half-made job folder is started afresh" has job_0000000000000013 run '"ok":true,"exit_code":0'
if [ "$iso" = local ]; then
check "codex: done ok" has job_000000000000000a agent '"ok":true'
check "codex: usage from turn.completed" has job_000000000000000a agent '"usage":{"input_tokens":2500,"output_tokens":300,"cache_read_tokens":500}'
check "codex: events in the trajectory" grep -q '"type":"turn.completed"' "$J/job_000000000000000a/trajectory.jsonl"
check "codex review: the last message, fences off" sh -c "head -c 1 '$J/job_0000000000000015/review.json' | grep -q '{' && grep -q '\"approval_status\":\"comment\"' '$J/job_0000000000000015/review.json' && ! grep -q '\`' '$J/job_0000000000000015/review.json'"
check "codex: test phase passes" has job_000000000000000a test '"test_exit_code":0'
fi
check "agent exit 5: E007 with its code" has job_000000000000000b agent '"code":"E007","message":"the agent failed with exit code 5'
check "repo over repo_max_bytes: E005" has job_000000000000000c run '"code":"E005"'
check "short SHA, workdir /workspace" has job_000000000000000d run "\"repo_sha\":\"$SHA1\""
check "reserved env name: E001" has job_000000000000000e run '"code":"E001","message":"env: PATH is reserved"'
check "http:// refused: E002" has job_000000000000000f run '"code":"E002"'
check "workerd exits 0" grep -qx "exit 0" "$T/out.txt"
check "no job folder keeps a clone" sh -c "! ls -d '$J'/*/ws '$J'/*/out 2>/dev/null | grep -q ."

# codex missing from PATH: a second workerd without the fake
order codexmissing.json job_0000000000000010 PatchGen agent 60 \
    "$PG,\"agent\":{\"backend\":\"codex\"}"
PATH=/usr/bin:/bin "$drive" -S "$sbmode" "$workerd" "$J" >"$T/out2.txt" \
    2>>"$T/err.txt" <<X
start job_0000000000000010 agent $T/codexmissing.json
wait 1
X
cat "$T/out2.txt"
check "codex absent: E007 codex: not found in PATH" grep -q '"code":"E007","message":"codex: not found in PATH"' "$T/out2.txt"

if [ "$fail" -ne 0 ]; then
	echo "--- workerd log"
	tail -n 60 "$T/err.txt"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
