#!/bin/sh
# The whole test suite on a fresh Debian 12 machine: dependencies, a
# -Dwerror build with gcc, every test under meson test, the man pages
# through mandoc -Tlint, and a short libFuzzer run of every harness
# built with clang.  FUZZ_SECONDS sets the length of each fuzz run.
set -eu
cd "$(dirname "$0")/.."

sh scripts/deps.sh

echo "== test peers from npm (tests/interop/package-lock.json)"
npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error

echo "== build (gcc, -Dwerror=true)"
if [ ! -d build-test ]; then
	meson setup build-test -Dwerror=true
else
	meson setup --reconfigure build-test -Dwerror=true >/dev/null
fi
ninja -C build-test

echo "== meson test"
meson test -C build-test --print-errorlogs --num-processes 2

echo "== man pages"
mandoc -Tlint -W warning man/*

echo "== fuzz smoke (clang, libFuzzer)"
if [ ! -d build-fuzz ]; then
	CC=clang meson setup build-fuzz -Dfuzz=true -Dwerror=true \
	    -Db_sanitize=address,undefined -Db_lundef=false
fi
ninja -C build-fuzz
FUZZ_SECONDS=${FUZZ_SECONDS:-15} meson test -C build-fuzz --suite fuzz \
    --print-errorlogs --num-processes 1
echo "== all tests passed"
