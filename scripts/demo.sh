#!/bin/sh
# The local demo on loopback: a whole paid PatchGen job.  Installs what
# it needs (scripts/deps.sh, the npm test peers), builds into build/,
# then runs demo/demo.mjs, which starts the npm relay, the NWC wallet
# service and the provider in a temporary OPENAGENTS_HOME, posts a job
# as a nostr-tools buyer, checks and pays the result, prints what the
# provider's commands say, and ends everything it started.
#
#   sh scripts/demo.sh [--no-install]
#
# --no-install skips apt and npm (the meson test `demo` runs so).
# OA_BUILD_ROOT=DIR uses that build instead of building build/;
# DEMO_KEEP=1 keeps the temporary folder; DEMO_BACKEND=command keeps the
# bundled agent even when OPENAI_API_KEY is set and codex is on PATH.
set -eu
cd "$(dirname "$0")/.."

install=1
for a in "$@"; do
	case "$a" in
	--no-install) install= ;;
	*) echo "usage: sh scripts/demo.sh [--no-install]" >&2; exit 2 ;;
	esac
done

failed() {
	echo "== demo failed: $1" >&2
	exit 1
}

# Installed when missing, or when what is there is not what
# package-lock.json names (a lock file updated since the last npm ci).
npm_fresh() {
	[ -d tests/interop/node_modules ] || return 1
	(cd tests/interop && node -e '
const fs = require("fs")
const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"))
for (const [k, v] of Object.entries(lock.packages || {})) {
  if (!k.startsWith("node_modules/") || v.link) continue
  let got = null
  try { got = JSON.parse(fs.readFileSync(k + "/package.json", "utf8")).version } catch {}
  if (got === null && v.optional) continue
  if (got !== v.version) { console.log(`${k}: ${got || "missing"}, the lock file says ${v.version}`); process.exit(1) }
}')
}

if [ -n "$install" ]; then
	echo "== installing what the demo needs (scripts/deps.sh: apt packages)"
	sh scripts/deps.sh || failed "installing the apt packages (scripts/deps.sh)"
	if ! why=$(npm_fresh); then
		echo "== the npm test peers (tests/interop/package-lock.json): npm ci${why:+ ($why)}"
		npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error ||
		    failed "npm ci in tests/interop"
	fi
fi

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) ||
    failed "node is not installed (sh scripts/deps.sh installs it)"
[ "$major" -ge 20 ] ||
    echo "== note: node $(node --version) here; the npm peers are tested on Node.js 20 and later"

if [ -z "${OA_BUILD_ROOT:-}" ]; then
	echo "== building with meson into build/"
	if [ ! -d build ]; then
		meson setup build >/dev/null || failed "meson setup build"
	fi
	ninja -C build >/dev/null || failed "ninja -C build (run it for the errors)"
	OA_BUILD_ROOT=$PWD/build
fi
export OA_BUILD_ROOT

# node itself, so that a signal to this script reaches the driver, which
# ends what it started
exec node demo/demo.mjs
