#!/bin/sh
# Signatures and verifications per second: the project's Nostr core
# (tests/oatool, one core) against nostr-tools' finalizeEvent and
# verifyEvent on the same machine and the same corpus; and P1, relayd's
# whole ingest path (relay message, filter, id, signature, dedupe).  Medians of RUNS
# runs; prints a Markdown table for BENCHMARKS.md.
#
# usage: sh bench/sign-verify.sh [BUILD_DIR]   (RUNS=5 N=20000)
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
RUNS=${RUNS:-5}
N=${N:-20000}
[ -x "$B/tests/oatool" ] || { echo "build first: ninja -C $B" >&2; exit 1; }
[ -d tests/interop/node_modules ] ||
    npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
tmp=$(mktemp -d /tmp/oa-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

node bench/nostr-tools-bench.mjs corpus "$tmp/corpus" "$N"
rate() { sed 's/.*"per_second":\([0-9.]*\).*/\1/'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: > "$tmp/ov"; : > "$tmp/tv"; : > "$tmp/os"; : > "$tmp/ts"; : > "$tmp/oi"
i=0
while [ $i -lt "$RUNS" ]; do
	taskset -c 0 "$B/tests/oatool" bench-verify "$tmp/corpus" | rate >> "$tmp/ov"
	taskset -c 0 "$B/tests/oatool" bench-ingest "$tmp/corpus" | rate >> "$tmp/oi"
	taskset -c 0 node bench/nostr-tools-bench.mjs verify "$tmp/corpus" | rate >> "$tmp/tv"
	taskset -c 0 "$B/tests/oatool" bench-sign "$N" | rate >> "$tmp/os"
	taskset -c 0 node bench/nostr-tools-bench.mjs sign "$N" | rate >> "$tmp/ts"
	i=$((i + 1))
done
ov=$(median < "$tmp/ov"); tv=$(median < "$tmp/tv")
os=$(median < "$tmp/os"); ts=$(median < "$tmp/ts")
oi=$(median < "$tmp/oi")
echo "| operation | openagents (C) | nostr-tools $(node -p "require('./tests/interop/node_modules/nostr-tools/package.json').version") | ratio |"
echo "|---|---:|---:|---:|"
awk -v o="$ov" -v t="$tv" 'BEGIN { printf "| verify (parse, id, BIP-340), events/s | %d | %d | %.1f× |\n", o, t, o / t }'
awk -v o="$os" -v t="$ts" 'BEGIN { printf "| sign (id, BIP-340), events/s | %d | %d | %.1f× |\n", o, t, o / t }'
awk -v o="$oi" -v t="$tv" 'BEGIN { printf "| P1 ingest (relay message, filter, id, BIP-340, dedupe) vs verifyEvent, events/s | %d | %d | %.1f× |\n", o, t, o / t }'
echo
echo "$N events per run, medians of $RUNS runs, pinned to one core (taskset -c 0); $(node --version), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
