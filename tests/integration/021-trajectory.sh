#!/bin/sh
# provider trajectory: a fixture trajectory.jsonl in the format of
# workerd/work_traj.c (header, codex and command-agent lines, end),
# pretty-printed and as one JSON array, with the daemon stopped.
. "$(dirname "$0")/lib.sh"

JOB=job_0123456789abcdef
mkdir -p "$PDIR/jobs/$JOB"
ESC=$(printf '\033')
cat >"$PDIR/jobs/$JOB/trajectory.jsonl" <<JSONL
{"type":"header","format":"oa-trajectory/1","job_id":"$JOB","job_type":"PatchGen","phase":"agent","repo_sha":"0123456789abcdef0123456789abcdef01234567","started_at":"2026-12-01T10:00:00Z"}
{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}
{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"bash -lc sh test.sh","aggregated_output":"tests pass\n","exit_code":0,"status":"completed"}}
{"type":"tool","name":"Bash","input":"ls -la src","exit_code":2,"output":"x","timestamp":"2026-12-01T10:00:42Z"}
{"type":"message","text":"colour \u001b[31mred\u001b[0m and a long message: Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua"}
not json at all
{"type":"text","text":"a raw ${ESC}[2J escape is no JSON"}
{"type":"usage","input_tokens":120,"output_tokens":30,"cache_read_tokens":7}
{"type":"end","ended_at":"2026-12-01T10:02:05Z","exit_code":0,"duration_ms":125000,"usage":{"input_tokens":2500,"output_tokens":300,"cache_read_tokens":500}}
JSONL

"$OA" provider trajectory --help >"$T/out" 2>&1
check "trajectory --help exits 0" test $? -eq 0
check "trajectory --help shows usage" grep -q "usage: openagents provider trajectory ID" "$T/out"
"$OA" provider trajectory >/dev/null 2>&1
check "no ID is a usage error (2)" test $? -eq 2
"$OA" provider trajectory "job_../../etc" >"$T/out" 2>&1
check "a malformed ID is a usage error (2)" test $? -eq 2
check "saying what an ID is" grep -q "not a job id (job_ and 16 hex digits)" "$T/out"
"$OA" provider trajectory job_00000000000000ff >"$T/out" 2>&1
check "an unknown job exits 1" test $? -eq 1
check "saying no trajectory" grep -q "no trajectory for job job_00000000000000ff" "$T/out"

"$OA" provider trajectory $JOB >"$T/text" 2>"$T/err"
check "pretty-print exits 0 without a daemon" test $? -eq 0
cat "$T/text" | sed 's/^/# /'
check "header: job id" grep -qx "job         $JOB" "$T/text"
check "header: trajectory id" grep -qx "trajectory  traj_0123456789abcdef" "$T/text"
check "header: job type and phase" grep -qx "job type    PatchGen (agent phase)" "$T/text"
check "header: duration and exit" grep -qx "duration    2m 05s, exit status 0" "$T/text"
check "header: steps" grep -qx "steps       5" "$T/text"
check "a codex command with its exit" grep -q "item.completed   (exit 0) \$ bash -lc sh test.sh" "$T/text"
check "a tool call with its command and time offset" grep -q "^+42s     tool             Bash (exit 2): ls -la src\$" "$T/text"
check "the codex thread" grep -q "thread.started   0199a213" "$T/text"
check "a message, cut with ..." grep -q "^         message          colour ?\[31mred?\[0m and a long .*\.\.\.\$" "$T/text"
check "no line wider than 100 columns" sh -c "! awk 'length > 100' '$T/text' | grep -q ."
check "no escape byte reaches the terminal" sh -c "! grep -q '$ESC' '$T/text'"
check "usage totals at the end (the end line's)" sh -c "tail -n 1 '$T/text' | grep -qx 'usage       2,500 input tokens (500 of them cached), 300 output tokens'"
check "the bad lines are reported on stderr" grep -q "2 lines are not a JSON object, left out" "$T/err"

"$OA" provider trajectory --json traj_0123456789abcdef >"$T/json" 2>/dev/null
check "--json (by trajectory id) exits 0" test $? -eq 0
check "--json is one JSON array of the 7 good lines" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and len(d) == 7, len(d)
assert d[0]["type"] == "header" and d[-1]["type"] == "end"
assert d[3]["name"] == "Bash" and d[-1]["usage"]["input_tokens"] == 2500
' "$T/json"

# a long line of two-byte characters is cut between characters
JOB3=job_00000000000000bb
mkdir -p "$PDIR/jobs/$JOB3"
python3 -c '
import json, sys
print(json.dumps({"type": "header", "job_id": sys.argv[1], "started_at": "2026-12-01T10:00:00Z"}))
print(json.dumps({"type": "message", "text": "\u00e9" * 300}, ensure_ascii=False))
' $JOB3 >"$PDIR/jobs/$JOB3/trajectory.jsonl"
"$OA" provider trajectory $JOB3 >"$T/text" 2>&1
check "UTF-8 text: exits 0" test $? -eq 0
check "UTF-8 text: cut to 100 characters, still UTF-8" python3 -c '
import sys
lines = open(sys.argv[1], "rb").read().decode("utf-8").splitlines()
m = [l for l in lines if "message" in l]
assert len(m) == 1 and m[0].endswith("...") and len(m[0]) <= 100, m
' "$T/text"

# a job that did not finish: no end line
JOB2=job_00000000000000aa
mkdir -p "$PDIR/jobs/$JOB2"
head -n 3 "$PDIR/jobs/$JOB/trajectory.jsonl" | sed "s/$JOB/$JOB2/" >"$PDIR/jobs/$JOB2/trajectory.jsonl"
"$OA" provider trajectory $JOB2 >"$T/text" 2>&1
check "an unfinished trajectory prints (0)" test $? -eq 0
check "saying it has no end" grep -q "no end line" "$T/text"
: >"$PDIR/jobs/$JOB2/trajectory.jsonl"
"$OA" provider trajectory --json $JOB2 >"$T/json" 2>&1
check "an empty trajectory is an empty array" python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == []' "$T/json"
finish
