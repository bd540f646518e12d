#!/bin/sh
# P5 (TESTING.md): the reports on a ledger of a million jobs.  Builds
# the ledger with tests/ledger/ledger_fill (N jobs over DAYS days, the
# paid ones through invoices and payments), then times the whole
# `openagents provider jobs --limit 20` and `provider earnings --period
# month` processes (and `--period all`, a year of sums, since early in
# a month the calendar month is short), started as an operator would,
# RUNS times each after two warm-up runs; prints a Markdown table for
# BENCHMARKS.md with the median, p90 and max.  KEEP=DIR keeps the ledger in
# DIR/provider/ledger.db (an OPENAGENTS_HOME) and reuses it when it is
# there (the fill takes minutes).
#
# usage: sh bench/ledger-p5.sh [BUILD_DIR]   (N=1000000 DAYS=365 RUNS=21)
set -eu
cd "$(dirname "$0")/.."
B=${1:-build}
N=${N:-1000000}
DAYS=${DAYS:-365}
RUNS=${RUNS:-21}
[ -x "$B/openagents" ] && [ -x "$B/tests/ledger/ledger_fill" ] ||
    { echo "build first: ninja -C $B" >&2; exit 1; }
B=$(cd "$B" && pwd)
if [ -n "${KEEP:-}" ]; then
	home=$KEEP
	mkdir -p "$home/provider"
else
	home=$(mktemp -d /tmp/oa-p5.XXXXXX)
	trap 'rm -rf "$home"' EXIT INT TERM
	mkdir "$home/provider"
fi
db=$home/provider/ledger.db
if [ ! -s "$db" ]; then
	"$B/tests/ledger/ledger_fill" -q "$db" "$N" "$DAYS" >&2
fi

# the in-process figures of each query, warm and cold (no process start)
"$B/tests/ledger/ledger_fill" "$db" 0 >&2

OPENAGENTS_HOME=$home python3 - "$B/openagents" "$RUNS" "$db" <<'EOF'
import os, sqlite3, subprocess, sys, time
exe, runs, db = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# --version: what starting the program costs, for scale
cmds = [["--version"], ["provider", "jobs", "--limit", "20"],
        ["provider", "earnings", "--period", "month"],
        ["provider", "earnings", "--period", "all"]]
budget = {"jobs": "20", "earnings": "50"}
def drop(path):
    # the ledger's pages out of the page cache (the program's stay)
    for f in (path, path + "-wal"):
        try:
            fd = os.open(f, os.O_RDONLY)
        except FileNotFoundError:
            continue
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
def once(args, cold=False):
    if cold:
        drop(db)
    t0 = time.perf_counter_ns()
    r = subprocess.run([exe] + args, stdout=subprocess.DEVNULL)
    t = (time.perf_counter_ns() - t0) / 1e6
    if r.returncode != 0:
        sys.exit("%s failed: %d" % (" ".join(args), r.returncode))
    return t
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
jobs, invoices, payments = (con.execute("SELECT COUNT(*) FROM " + t)
                            .fetchone()[0] for t in ("jobs", "invoices",
                                                     "payments"))
con.close()
print("| command | median ms | p90 ms | max ms | budget ms |")
print("|---|---:|---:|---:|---:|")
for args in cmds:
    for cold in (False, True) if len(args) > 1 else (False,):
        for _ in range(2):
            once(args)
        t = sorted(once(args, cold) for _ in range(runs))
        p90 = t[min(len(t) - 1, (len(t) * 9 + 9) // 10 - 1)]
        print("| `openagents %s`%s | %.2f | %.2f | %.2f | %s |" % (
              " ".join(args), " (cold)" if cold else "", t[len(t) // 2],
              p90, t[-1], budget[args[1]] if len(args) > 1 else "-"))
print()
print("%d jobs, %d invoices, %d payments in the ledger, %.0f MiB; %d runs each, whole process "
      "(fork, exec, open, query, print, exit), the ledger in the page "
      "cache, and with its pages dropped from it (cold); %d CPUs, "
      "load average %s." % (jobs, invoices, payments, os.path.getsize(db) / 1048576, runs,
      os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())))
EOF
