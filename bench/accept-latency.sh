#!/bin/sh
# P2: job accept latency (request frame in -> signed 7000 "processing"
# frame out), medians over RUNS runs of bench/accept-latency.mjs, in
# both of its modes; prints a Markdown table for BENCHMARKS.md.
#
# usage: sh bench/accept-latency.sh [BUILD_DIR]   (RUNS=5 N=200)
set -eu
cd "$(dirname "$0")/.."
B=$(cd "${1:-build}" && pwd)
RUNS=${RUNS:-5}
N=${N:-200}
[ -x "$B/openagentsd" ] || { echo "build first: ninja -C $B" >&2; exit 1; }
[ -d tests/interop/node_modules ] ||
    npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { sed "s/.*\"$1\":\([0-9]*\).*/\1/"; }

echo "| mode | p50 ms | p99 ms | budget |"
echo "|---|---:|---:|---|"
for mode in queued busy; do
	n=$N
	# the queue holds 128: queued mode stays below it
	[ "$mode" = queued ] && [ "$n" -gt 120 ] && n=120
	: > /tmp/oa-p2.$$
	i=0
	while [ $i -lt "$RUNS" ]; do
		OA_BUILD_ROOT=$B node bench/accept-latency.mjs "$n" "$mode" \
		    >> /tmp/oa-p2.$$
		i=$((i + 1))
	done
	p50=$(field p50_us < /tmp/oa-p2.$$ | median)
	p99=$(field p99_us < /tmp/oa-p2.$$ | median)
	rm -f /tmp/oa-p2.$$
	awk -v m="$mode" -v a="$p50" -v b="$p99" 'BEGIN {
		printf "| %s | %.2f | %.2f | p50 <= 2, p99 <= 10 |\n", m, a / 1000, b / 1000 }'
done
echo
echo "$RUNS runs of $N requests (queued: at most 120), medians; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)."
