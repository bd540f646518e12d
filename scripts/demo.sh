#!/bin/sh
# The local demo on loopback.  Today it installs, builds, starts the
# whole privilege-separated suite in a temporary OPENAGENTS_HOME, shows
# its status and stops it in order.  The marketplace parts (relay,
# buyer, wallet, a real job, earnings) arrive with the job pipeline and
# payments; until then this script says so instead of pretending.
set -eu
cd "$(dirname "$0")/.."

sh scripts/deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

home=$(mktemp -d /tmp/openagents-demo.XXXXXX)
pid=
stop() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$home"
}
trap stop EXIT INT TERM

export OPENAGENTS_HOME="$home"
# a throwaway identity: the passphrase comes from a file, as for a service
printf 'demo passphrase\n' > "$home/passphrase"
chmod 600 "$home/passphrase"
export OPENAGENTS_PASSPHRASE_FILE="$home/passphrase"
echo "== openagents provider init"
./build/openagents provider init
# the demo's own settings, on loopback
sed -i -e 's|^capacity = .*|capacity = 2|' \
    -e 's|^urls = .*|urls = ["ws://127.0.0.1:7777"]|' \
    "$home/provider/config.toml"

echo "== openagents provider serve --foreground (OPENAGENTS_HOME=$home)"
./build/openagents provider serve --foreground >"$home/serve.log" 2>&1 &
pid=$!
i=0
until ./build/openagents provider status >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$home/serve.log"; exit 1; }
	sleep 0.1
done
sleep 0.3
echo "== openagents provider status"
./build/openagents provider status
echo
echo "== the helpers are confined:"
for h in relayd workerd verifyd walletd; do
	p=$(pgrep -f "openagents-$h -P" -P "$pid" | head -n 1)
	printf '%-8s pid %-7s %s\n' "$h" "$p" \
	    "$(grep -E '^(Seccomp|NoNewPrivs|CapEff):' /proc/"$p"/status | tr -s '\t\n' '  ')"
done
echo
echo "The relay, buyer, wallet and a paid job join this demo with the job"
echo "pipeline and payments; see the issues in README.md."
echo "== stopping"
kill -TERM "$pid"
wait "$pid" || true
pid=
cat "$home/serve.log"
