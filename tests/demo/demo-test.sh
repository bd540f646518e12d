#!/bin/sh
# The meson test `demo`: the README's main command against this build,
# without its apt and npm part (scripts/demo.sh --no-install), with the
# bundled agent whatever the environment holds.  It must exit 0, and
# `openagents provider jobs` must list the job as paid.
set -u
[ -d "$OA_SOURCE_ROOT/tests/interop/node_modules" ] ||
    { echo "# skip: no npm test peers (npm ci --prefix tests/interop)"; exit 77; }
out=$(DEMO_BACKEND=command DEMO_TIMEOUT_SECS=80 \
    sh "$OA_SOURCE_ROOT/scripts/demo.sh" --no-install 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 0 ]; then
	echo "not ok - sh scripts/demo.sh --no-install exited $rc"
	exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq '^ +job_[0-9a-f]{16} +PatchGen +paid '; then
	echo "not ok - provider jobs does not show the job paid"
	exit 1
fi
echo "ok - the demo ran to the end and the job is paid"
