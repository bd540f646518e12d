#!/bin/sh
# P6: end-to-end throughput of trivial SandboxRun jobs at capacity 4,
# against the npm relay's own ceiling for the same events: medians over
# RUNS rounds of bench/p6-throughput.mjs (daemon with container
# isolation, daemon with local isolation, then the relay alone carrying
# as many events per job as the daemon published); prints a Markdown
# table for BENCHMARKS.md.  TMPDIR is where the relay's database and
# the provider's home (and so the job folders) go.
#
# usage: sh bench/p6-throughput.sh [BUILD_DIR]   (RUNS=3 N=200)
set -eu
cd "$(dirname "$0")/.."
B=$(cd "${1:-build}" && pwd)
RUNS=${RUNS:-3}
N=${N:-200}
[ -x "$B/openagentsd" ] || { echo "build first: ninja -C $B" >&2; exit 1; }
[ -d tests/interop/node_modules ] ||
    npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
out=$(mktemp /tmp/oa-p6.XXXXXX)
trap 'rm -f "$out"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.*\"$1\":\"*\([0-9.]*\).*/\1/p"; }
one() {	# one LABEL ENV... -- ARGS: a run, its line tagged with LABEL
	label=$1; shift
	line=$(env OA_BUILD_ROOT="$B" "$@" node bench/p6-throughput.mjs "$N" "${mode:-daemon}") ||
	    { echo "p6: $label run failed: $line" >&2; exit 1; }
	echo "$label $line" >> "$out"
}
i=0
while [ $i -lt "$RUNS" ]; do
	mode=daemon one container OA_TEST_ISOLATION=container
	mode=daemon one local OA_TEST_ISOLATION=local
	per=$(grep '^container ' "$out" | tail -n 1 | field events_per_job)
	mode=relay one relay EVENTS_PER_JOB="${per%.*}"
	i=$((i + 1))
done
med() { grep "^$1 " "$out" | field "$2" | median; }
ceil=$(med relay jobs_per_s)
echo "| run | jobs/s | of the relay's ceiling | suite CPU ms/job | relay CPU ms/job | events/job |"
echo "|---|---:|---:|---:|---:|---:|"
for l in relay container local; do
	awk -v l="$l" -v j="$(med "$l" jobs_per_s)" -v c="$ceil" \
	    -v s="$(med "$l" suite_cpu_ms_per_job)" -v r="$(med "$l" relay_cpu_ms_per_job)" \
	    -v e="$(med "$l" events_per_job)" 'BEGIN {
		name = l == "relay" ? "npm relay alone, stand-in provider" : "openagentsd, isolation " l
		printf "| %s | %.1f | %.2f | %s | %s | %s |\n", name, j, j / c, l == "relay" ? "-" : s, r, e }'
done
echo
echo "$N jobs per run, at most 100 waiting for their result, medians of $RUNS runs; capacity 4; $(nproc) CPUs, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)."
