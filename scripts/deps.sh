#!/bin/sh
# Installs what building and testing need on Debian 12, and nothing
# when it is all there already.  Used by test.sh and demo.sh.
set -eu

PKGS="meson ninja-build pkg-config gcc clang libclang-rt-14-dev python3
procps git make g++ mandoc check libsecp256k1-dev libevent-dev libssl-dev
libwslay-dev libyajl-dev libsodium-dev libseccomp-dev libcap-dev
libsqlite3-dev libbsd-dev bubblewrap runsc"

# runsc (gVisor, 6 MB) is what tests/container/gvisor.sh runs jobs
# under; without it those tests skip.

# The interop tests run third-party peers from npm on Node.js (>= 20).
# Debian 12's own nodejs is 18; a machine that has a newer node from
# elsewhere keeps it.
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 ||
	    { echo "need root or sudo to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
$SUDO apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
