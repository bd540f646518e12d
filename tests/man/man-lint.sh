#!/bin/sh
# mandoc -Tlint over every page in the man folder, at the STYLE level;
# any message fails the test.  Skips (exit 77) without mandoc.
#
#   man-lint.sh MANDIR
#
# mandoc 1.14 checks .Xr only against its built-in base paths
# (/usr/share/man, /usr/X11R6/man, /usr/local/man) and ignores MANPATH
# there, so references between our own pages always read "referenced
# manual not found" before the pages are installed.  The pages are
# therefore also put in a throwaway man tree indexed by makewhatis, and
# such a message is forgiven only when the tree (or the system's
# manuals) resolves the reference.
set -u

MANDIR=$1
command -v mandoc >/dev/null 2>&1 || { echo "skip: no mandoc"; exit 77; }
command -v makewhatis >/dev/null 2>&1 || { echo "skip: no makewhatis"; exit 77; }
MMAN=mman
command -v mman >/dev/null 2>&1 || MMAN=man

TREE=$(mktemp -d) || exit 1
trap 'rm -rf "$TREE"' EXIT INT TERM

pages=
for f in "$MANDIR"/*.[1-9]; do
	[ -f "$f" ] || continue
	sec=${f##*.}
	mkdir -p "$TREE/man$sec" && cp "$f" "$TREE/man$sec/" || exit 1
	pages="$pages $f"
done
[ -n "$pages" ] || { echo "no pages in $MANDIR"; exit 1; }
makewhatis "$TREE" || { echo "makewhatis $TREE failed"; exit 1; }
MANPATH="$TREE:${MANPATH:-/usr/share/man}"
export MANPATH

fail=0
for f in $pages; do
	out=$(mandoc -Tlint -Wstyle "$f" 2>&1)
	bad=$(printf '%s\n' "$out" | while IFS= read -r line; do
		[ -n "$line" ] || continue
		ref=$(printf '%s\n' "$line" |
		    sed -n 's/.*STYLE: referenced manual not found: Xr \([^ ]*\) \([^ ]*\).*/\1 \2/p')
		if [ -n "$ref" ]; then
			set -- $ref
			"$MMAN" -M "$MANPATH" -w -s "$2" "$1" >/dev/null 2>&1 &&
			    continue
		fi
		printf '%s\n' "$line"
	done)
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad"
		fail=1
	else
		echo "ok: ${f##*/}"
	fi
done

# Every page must be findable by its name in the index, which catches a
# NAME section makewhatis cannot read.
for f in $pages; do
	name=${f##*/}
	sec=${name##*.}
	name=${name%.*}
	"$MMAN" -M "$TREE" -w -s "$sec" "$name" >/dev/null 2>&1 ||
	    { echo "not in the index: $name($sec)"; fail=1; }
done
exit $fail
