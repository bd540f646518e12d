#!/bin/sh
# The tests of leap.sh; exits 0 when every case passes.
fails=0
t() {	# t YEAR WORD: WORD is "a" or "not a"
	want="$1 is $2 leap year"
	got=$(sh src/leap.sh "$1")
	if [ "$got" = "$want" ]; then
		echo "ok: $want"
	else
		echo "FAIL: $1: got '$got', want '$want'"
		fails=$((fails + 1))
	fi
}
t 2023 "not a"
t 2024 "a"
t 1900 "not a"
t 2100 "not a"
t 2000 "a"
t 2400 "a"
[ "$fails" -eq 0 ]
