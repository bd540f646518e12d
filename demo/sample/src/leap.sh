#!/bin/sh
# leap.sh YEAR: says whether YEAR of the Gregorian calendar is a leap year.
is_leap() {
	y=$1
	if [ $((y % 4)) -eq 0 ] && [ $((y % 100)) -ne 0 ]; then
		return 0
	fi
	return 1
}
case "${1:-}" in
''|*[!0-9]*) echo "usage: leap.sh YEAR" >&2; exit 2 ;;
esac
if is_leap "$1"; then
	echo "$1 is a leap year"
else
	echo "$1 is not a leap year"
fi
