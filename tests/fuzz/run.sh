#!/bin/sh
# Runs one libFuzzer harness for a bounded time on a scratch copy of its
# seed corpus (libFuzzer writes new inputs into its first folder, and the
# source tree is not the place for them).  A crash fails the test and
# leaves the reproducer in the build folder.
set -eu
exe=$1
corpus=$2
secs=${FUZZ_SECONDS:-15}
work=$(mktemp -d "/tmp/oa-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cp -R "$corpus"/. "$work"/ 2>/dev/null || true
exec "$exe" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$(pwd)/" "$work"
