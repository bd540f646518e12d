#!/bin/sh
# Alerts: a worker crash reaches a local webhook receiver as JSON, a
# second crash within min_interval_secs is only logged, the alert lines
# are in provider logs, and mail goes through sendmail -t (a fake one
# named by OPENAGENTS_SENDMAIL).
. "$(dirname "$0")/lib.sh"

LF="$PDIR/logs/openagentsd.log"
python3 "$OA_SOURCE_ROOT/tests/integration/alert_receiver.py" \
    "$T/port" "$T/posts" 60 &
echo $! >>"$T/pids"
i=0
while [ $i -lt 50 ] && [ ! -s "$T/port" ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/port" ] || bail "the receiver did not start"
PORT=$(cat "$T/port")

# an https receiver, its self-signed certificate trusted by relayd
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
    -out "$T/cert.pem" >/dev/null 2>&1 || bail "openssl req failed"
python3 "$OA_SOURCE_ROOT/tests/integration/alert_receiver.py" \
    "$T/tlsport" "$T/tlsposts" 60 "$T/cert.pem" "$T/key.pem" &
echo $! >>"$T/pids"
i=0
while [ $i -lt 50 ] && [ ! -s "$T/tlsport" ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/tlsport" ] || bail "the https receiver did not start"
TLSPORT=$(cat "$T/tlsport")
export SSL_CERT_FILE="$T/cert.pem"

cat >"$T/sendmail" <<SM
#!/bin/sh
echo "args: \$*" >"$T/mail.tmp"
cat >>"$T/mail.tmp"
mv "$T/mail.tmp" "$T/mail"
SM
chmod +x "$T/sendmail"
export OPENAGENTS_SENDMAIL="$T/sendmail"

write_config "[alerts]
webhook_url = \"http://127.0.0.1:$PORT/hook\"
email = \"operator@example.com\"
min_interval_secs = 300"
serve
wait_online || bail "the suite did not come online"
npub=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["npub"])' "$T/identity.json")

kill -KILL "$(helper_pid workerd)"
i=0
while [ $i -lt 50 ] && [ ! -s "$T/posts" ]; do sleep 0.1; i=$((i + 1)); done
check "the receiver got a POST ($((i * 100)) ms)" test -s "$T/posts"
check "a worker_crash alert as JSON" python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert len(ls) == 1, ls
a = ls[0]
assert set(a) == {"kind", "message", "job", "provider", "time"}, a
assert a["kind"] == "worker_crash", a
assert "workerd killed by signal 9" in a["message"], a
assert a["job"] is None and a["provider"] == sys.argv[2], a
assert a["time"].endswith("Z"), a
' "$T/posts" "$npub"
i=0
while [ $i -lt 30 ] && ! grep -q "delivered (HTTP 200)" "$LF"; do sleep 0.1; i=$((i + 1)); done
check "relayd logs the delivery" grep -q "relayd: alert webhook 127.0.0.1:$PORT: delivered (HTTP 200)" "$LF"

i=0
while [ $i -lt 50 ] && [ ! -s "$T/mail" ]; do sleep 0.1; i=$((i + 1)); done
check "sendmail ran with -t" grep -q "^args: -t$" "$T/mail"
check "the mail is to the address" grep -q "^To: operator@example.com$" "$T/mail"
check "with the subject" grep -q "^Subject: openagents provider alert: worker_crash$" "$T/mail"
check "and the message" grep -q "workerd killed by signal 9" "$T/mail"
check "handing it over is logged" sh -c "
	i=0; while [ \$i -lt 30 ]; do
		grep -q 'alert mail: handed to sendmail' '$LF' && exit 0
		sleep 0.1; i=\$((i + 1)); done; exit 1"

wait_online 50 || bail "workerd did not come back"
rm -f "$T/mail"
kill -KILL "$(helper_pid workerd)"
i=0
while [ $i -lt 30 ] && [ "$(grep -c 'lost child: workerd' "$LF")" -lt 2 ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 1
check "a second crash within the interval is not sent" test "$(wc -l <"$T/posts")" -eq 1
check "nor mailed" test ! -e "$T/mail"
check "but logged as not sent" grep -q "WARNING openagentsd: alert: worker_crash: .*(not sent: the last worker_crash alert was" "$LF"
wait_online 50 || bail "workerd did not come back"
kill -KILL "$(helper_pid workerd)"
i=0
while [ $i -lt 30 ] && [ "$(grep -c 'lost child: workerd' "$LF")" -lt 3 ]; do
	sleep 0.1; i=$((i + 1))
done
check "a third within the interval is not logged as a warning again" \
    test "$(grep -c 'alert: worker_crash: .*not sent' "$LF")" -eq 1

"$OA" provider logs --lines 1000 | grep " alert: " >"$T/alerts"
check "provider logs lists both alert lines" test "$(wc -l <"$T/alerts")" -eq 2
check "at warning level" sh -c "! grep -v ' WARNING openagentsd: alert: worker_crash: ' '$T/alerts'"

# min_interval_secs = 0 sends every alert; the outcomes are logged
crash_with() {	# crash_with URL: reload with it, kill workerd, wait
	write_config "[alerts]
webhook_url = \"$1\"
min_interval_secs = 0"
	"$OA" provider reload >/dev/null 2>&1 || bail "reload failed"
	wait_online 200 || bail "not online before a crash"
	before=$(grep -c 'alert webhook' "$LF")
	kill -KILL "$(helper_pid workerd)"
	i=0
	while [ $i -lt 50 ] && [ "$(grep -c 'alert webhook' "$LF")" -le "$before" ]; do
		sleep 0.1; i=$((i + 1))
	done
}
crash_with "http://127.0.0.1:$PORT/redirect"
check "the next alert sent counts the ones held back" \
    sh -c "tail -n 1 '$T/posts' | grep -q '(2 more worker_crash alerts were not sent)'"
check "a redirect is not followed" grep -q "alert webhook 127.0.0.1:$PORT: not delivered: HTTP 302: redirects are not followed" "$LF"
crash_with "http://127.0.0.1:$PORT/fail"
check "an HTTP error is logged" grep -q "alert webhook 127.0.0.1:$PORT: not delivered: HTTP 500" "$LF"
check "both were posted, none suppressed" test "$(wc -l <"$T/posts")" -eq 3
crash_with "http://192.0.2.1:9/hook"
check "http:// to a non-loopback address is refused" grep -q "alert webhook: http:// only to a loopback address" "$LF"
check "still three posts" test "$(wc -l <"$T/posts")" -eq 3
crash_with "https://127.0.0.1:$TLSPORT/hook"
check "https:// is delivered" grep -q "alert webhook 127.0.0.1:$TLSPORT: delivered (HTTP 200)" "$LF"
check "the https receiver got the JSON" grep -q '"kind":"worker_crash"' "$T/tlsposts"
crash_with "https://localhost:$TLSPORT/hook"
check "a certificate for another name is refused" grep -q "alert webhook localhost:$TLSPORT: not delivered: TLS: certificate verify failed" "$LF"
check "and nothing is posted" test "$(wc -l <"$T/tlsposts")" -eq 1

finish
