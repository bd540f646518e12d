#!/bin/sh
# The demo's coding agent: a `command` agent (openagents-agent(7)) that
# needs no model.  It knows one kind of bug, the leap-year rule that
# forgets centuries divisible by 400, and fixes it the way a careful
# person would: run the tests, read the failures, find the rule in the
# allowed paths, change it, run the tests again.  It uses the OA_*
# variables rather than the container's fixed paths, so it runs under
# isolation "container" and "local" alike; it stays one file because
# only the agent's own executable is sure to be inside the sandbox.
#
# stdout is the trajectory: one JSON object a line, then a usage line.
set -u

jstr() {	# a JSON string body
	printf '%s' "$1" | tr '\n\t\r' '   ' | sed 's/\\/\\\\/g; s/"/\\"/g'
}
say() {		# say TYPE TEXT
	printf '{"type":"%s","text":"%s"}\n' "$1" "$(jstr "$2")"
}
tool() {	# tool NAME INPUT EXIT OUTPUT
	printf '{"type":"tool","name":"%s","input":"%s","exit_code":%d,"output":"%s"}\n' \
	    "$1" "$(jstr "$2")" "$3" "$(jstr "$4")"
}
done_usage() {	# a scripted agent asks no model: no tokens
	printf '{"type":"usage","input_tokens":0,"output_tokens":0,"cache_read_tokens":0}\n'
}

TEST=${OA_TEST_COMMAND:-sh test.sh}
issue=$(cat "${OA_ISSUE_FILE:-/dev/null}" 2>/dev/null | head -c 2000)
say agent "demo agent, job ${OA_JOB_ID:-?} (${OA_JOB_TYPE:-?}) in $PWD"
say observation "the issue: $issue"

if [ "${OA_JOB_TYPE:-PatchGen}" != PatchGen ]; then
	say error "this agent only makes patches"
	exit 3
fi

out=$(sh -c "$TEST" 2>&1); rc=$?
tool sh "$TEST" "$rc" "$(printf '%s\n' "$out" | grep FAIL | head -n 5)"
if [ "$rc" -eq 0 ]; then
	say agent "the tests pass already: nothing to fix"
	done_usage
	exit 0
fi

# the rule: "divisible by 4 and not by 100", without "or by 400"
pat='% 4)) -eq 0 \] && \[ \$((\([a-z]*\) % 100)) -ne 0 \]'
file=
for f in $(find . -path ./.git -prune -o -type f -name '*.sh' -print | sed 's|^\./||'); do
	case "$f" in
	src/*) ;;
	*) continue ;;	# the request allows src/** only
	esac
	if grep -q "$pat" "$f" && ! grep -q '% 400))' "$f"; then
		file=$f
		break
	fi
done
if [ -z "$file" ]; then
	say error "no leap-year rule without the 400 case under src/"
	done_usage
	exit 1
fi
tool grep "the leap-year rule in src/" 0 "$file: $(grep -n "$pat" "$file" | head -n 1)"
say thinking "years divisible by 400 are leap years too (2000, 2400): the rule needs that case first"

# edit in place, keeping the file's mode
sed 's/^\([[:blank:]]*\)if \[ \$((\([a-z]*\) % 4)) -eq 0 \] && \[ \$((\([a-z]*\) % 100)) -ne 0 \]; then$/\1if [ $((\2 % 400)) -eq 0 ] || { [ $((\2 % 4)) -eq 0 ] \&\& [ $((\2 % 100)) -ne 0 ]; }; then/' \
    "$file" > "$file.agent-tmp" && cat "$file.agent-tmp" > "$file" && rm -f "$file.agent-tmp"
tool edit "$file: add the divisible-by-400 case" 0 "$(grep -n '% 400))' "$file" | head -n 1)"

out=$(sh -c "$TEST" 2>&1); rc=$?
tool sh "$TEST" "$rc" "$(printf '%s\n' "$out" | tail -n 2)"
done_usage
if [ "$rc" -ne 0 ]; then
	say error "the tests still fail"
	exit 1
fi
say agent "fixed: the tests pass"
exit 0
