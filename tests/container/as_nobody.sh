#!/bin/sh
# Runs a test program again as nobody, when run as root and when an
# unprivileged user may create user namespaces here; otherwise skips
# (exit 77).  The program must be reachable by nobody.
#
#   as_nobody.sh PROGRAM [ARG ...]
set -u
[ "$(id -u)" = 0 ] || { echo "skip: not root"; exit 77; }
command -v setpriv >/dev/null || { echo "skip: no setpriv"; exit 77; }
setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U true 2>/dev/null ||
    { echo "skip: nobody may not create user namespaces"; exit 77; }
exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent "$@"
