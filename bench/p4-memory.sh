#!/bin/sh
# P4: resident memory of the five processes, idle and with 100 jobs
# queued: medians over RUNS runs of bench/p4-memory.mjs, per process
# and of the per-run sums; prints a Markdown table for BENCHMARKS.md.
#
# usage: sh bench/p4-memory.sh [BUILD_DIR]   (RUNS=3 QUEUED=100)
set -eu
cd "$(dirname "$0")/.."
B=$(cd "${1:-build}" && pwd)
RUNS=${RUNS:-3}
QUEUED=${QUEUED:-100}
[ -x "$B/openagentsd" ] || { echo "build first: ninja -C $B" >&2; exit 1; }
[ -d tests/interop/node_modules ] ||
    npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
out=$(mktemp /tmp/oa-p4.XXXXXX)
trap 'rm -f "$out"' EXIT
i=0
while [ $i -lt "$RUNS" ]; do
	# each run's lines get its number: STATE NAME RSS PSS USS RUN
	OA_BUILD_ROOT=$B node bench/p4-memory.mjs "$QUEUED" |
	    awk -v r=$i '!/^#/ { print $0, r }' >> "$out"
	i=$((i + 1))
done
awk -v runs="$RUNS" -v q="$QUEUED" '
function median(key, a, n, i, j, t) {
	n = cnt[key]
	for (i = 1; i <= n; i++) a[i] = val[key, i]
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return a[int((n + 1) / 2)]
}
function add(key, v) { val[key, ++cnt[key]] = v }
{
	for (m = 3; m <= 5; m++) {
		add($1 SUBSEP $2 SUBSEP m, $m)
		if ($2 != "union") sum[$1, $6, m] += $m
	}
	if ($2 != "union" && !seen[$2]++) names[++nn] = $2
}
END {
	for (k in sum) { split(k, p, SUBSEP); add(p[1] SUBSEP "sum" SUBSEP p[3], sum[k]) }
	names[++nn] = "sum"
	names[++nn] = "union"
	print "| process | idle RSS | idle PSS | idle USS | " q " queued RSS | queued PSS | queued USS |"
	print "|---|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= nn; i++) {
		n = names[i]
		line = "| " (n == "sum" ? "**all five, summed**" : n == "union" ? "**all five, shared pages once**" : n)
		for (s = 0; s < 2; s++) {
			st = s == 0 ? "idle" : "queued"
			for (m = 3; m <= 5; m++) {
				v = median(st SUBSEP n SUBSEP m)
				line = line (v < 0 ? " | -" : sprintf(" | %.1f", v / 1024))
			}
		}
		print line " |"
	}
}' "$out"
echo
echo "MiB; medians of $RUNS runs (the sum is the median of the per-run sums); isolation ${OA_TEST_ISOLATION:-container}, capacity 1; $(nproc) CPUs, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)."
