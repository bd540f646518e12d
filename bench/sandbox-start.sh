#!/bin/sh
# P3: start-up of the container sandbox against bubblewrap on the same
# machine.  One round = N times create + exec /bin/true + tear down,
# timed inside one loop (tests/container/ctr_run -N): ours through
# container_run_sync() in that process, bwrap by fork and exec of
# bwrap, which is what starting bwrap costs.  Rounds alternate between
# the two; medians of RUNS rounds; prints a Markdown table for
# BENCHMARKS.md.
#
# usage: sh bench/sandbox-start.sh [BUILD_DIR]   (RUNS=5 N=200)
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
RUNS=${RUNS:-5}
N=${N:-200}
CTR=$B/tests/container/ctr_run
[ -x "$CTR" ] || { echo "build first: ninja -C $B" >&2; exit 1; }
command -v bwrap >/dev/null || { echo "bubblewrap is not installed" >&2; exit 1; }
tmp=$(mktemp -d /tmp/oa-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

# the same kind of sandbox: every namespace, a read-only /usr with the
# usr-merge links, a fresh /proc, a small /dev, a tmpfs /tmp
set -- bwrap --unshare-all --die-with-parent --ro-bind /usr /usr \
    --symlink usr/bin /bin --symlink usr/sbin /sbin --symlink usr/lib /lib \
    --symlink usr/lib64 /lib64 --proc /proc --dev /dev --tmpfs /tmp /bin/true

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# as root, also as an ordinary user: no cgroup, the limits as rlimits
NOBODY=
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
    setpriv --reuid=65534 --regid=65534 --clear-groups "$CTR" -- /bin/true 2>/dev/null; then
	NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi

: > "$tmp/ours"; : > "$tmp/limits"; : > "$tmp/bwrap"; : > "$tmp/nobody"
i=0
while [ $i -lt "$RUNS" ]; do
	"$CTR" -N "$N" -- /bin/true >> "$tmp/ours"
	"$CTR" -N "$N" -X -- "$@" >> "$tmp/bwrap"
	"$CTR" -N "$N" -M 512 -p 256 -c 1000 -d 256 -t 10000 -- /bin/true >> "$tmp/limits"
	[ -z "$NOBODY" ] ||
	    $NOBODY "$CTR" -N "$N" -M 512 -p 256 -c 1000 -d 256 -t 10000 -- /bin/true \
	    2>/dev/null >> "$tmp/nobody"
	i=$((i + 1))
done
o=$(median < "$tmp/ours"); l=$(median < "$tmp/limits"); w=$(median < "$tmp/bwrap")
cg=v1
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && cg=v2
echo "| sandbox, create + exec /bin/true + tear down | ms per run | vs bwrap |"
echo "|---|---:|---:|"
awk -v o="$o" -v w="$w" 'BEGIN { printf "| openagents container (no limits; memory accounting) | %.2f | %.2f |\n", o, o / w }'
awk -v o="$l" -v w="$w" 'BEGIN { printf "| openagents container (memory, pids, cpu limits, sized tmpfs) | %.2f | %.2f |\n", o, o / w }'
[ -z "$NOBODY" ] || awk -v o="$(median < "$tmp/nobody")" -v w="$w" \
    'BEGIN { printf "| openagents container as nobody (the limits as rlimits, no cgroup) | %.2f | %.2f |\n", o, o / w }'
awk -v w="$w" 'BEGIN { printf "| bwrap --unshare-all (fork + exec of bwrap) | %.2f | 1.00 |\n", w }'
echo
echo "$N runs per round, medians of $RUNS rounds; $(bwrap --version), kernel $(uname -r), $(id -un), cgroup $cg, $(nproc) CPUs."
