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
# libFuzzer's own exit code for a finding is 77, which meson reads as
# "skipped": a crash must fail the test.
exec "$exe" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -error_exitcode=1 \
    -print_final_stats=1 -artifact_prefix="$(pwd)/" "$work"
