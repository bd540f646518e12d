#!/bin/sh
# The fixture repository of the job tests: a small POSIX sh project with
# an off-by-one bug that test.sh catches, a lint step, secrets the
# provider must filter out, and a src/ docs/ split for path rules.
#
#   sh fixture.sh DIR
#
# Makes DIR (must not exist) a git repository with two commits, branch
# `main`, branch `feature/sum` (the buggy tip), tag `v1.0`, fixed
# author, committer and dates, so the SHAs are the same on every run.
# Prints one line: the SHA of the buggy tip (HEAD).
set -eu

[ $# -eq 1 ] || { echo "usage: sh fixture.sh DIR" >&2; exit 2; }
D=$1
[ ! -e "$D" ] || { echo "fixture.sh: $D exists" >&2; exit 1; }
mkdir -p "$D"
cd "$D"

export GIT_AUTHOR_NAME="Fixture Author" GIT_AUTHOR_EMAIL="author@fixture.invalid"
export GIT_COMMITTER_NAME="Fixture Author" GIT_COMMITTER_EMAIL="author@fixture.invalid"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
g() { git -c init.defaultBranch=main -c core.autocrlf=false \
    -c commit.gpgsign=false -c tag.gpgsign=false "$@" >/dev/null; }

g init -q .

mkdir -p src docs deploy
cat > src/calc.sh <<'EOF'
#!/bin/sh
# calc.sh sum N: the sum 1 + 2 + ... + N
# calc.sh max A B: the larger of A and B
sum() {
	n=$1; i=1; s=0
	while [ "$i" -lt "$n" ]; do
		s=$((s + i)); i=$((i + 1))
	done
	echo "$s"
}
max() {
	if [ "$1" -gt "$2" ]; then echo "$1"; else echo "$2"; fi
}
case "${1:-}" in
sum) sum "$2" ;;
max) max "$2" "$3" ;;
*) echo "usage: calc.sh sum N | max A B" >&2; exit 2 ;;
esac
EOF
cat > test.sh <<'EOF'
#!/bin/sh
# Exits 0 when every case passes.
fails=0
t() {	# t EXPECTED ARGS...
	want=$1; shift
	got=$(sh src/calc.sh "$@")
	if [ "$got" != "$want" ]; then
		echo "FAIL: calc.sh $*: got '$got', want '$want'"
		fails=$((fails + 1))
	else
		echo "ok: calc.sh $*"
	fi
}
t 1 sum 1
t 15 sum 5
t 55 sum 10
t 0 sum 0
t 7 max 3 7
t 9 max 9 2
[ "$fails" -eq 0 ]
EOF
cat > lint.sh <<'EOF'
#!/bin/sh
# Every shell script parses, and none has trailing blanks.
rc=0
for f in *.sh src/*.sh; do
	sh -n "$f" || { echo "lint: $f does not parse"; rc=1; }
	if grep -n '[[:blank:]]$' "$f" >/dev/null; then
		echo "lint: $f has trailing blanks"; rc=1
	fi
done
exit $rc
EOF
chmod 755 src/calc.sh test.sh lint.sh
cat > docs/README.md <<'EOF'
# calc

`sh src/calc.sh sum N` prints 1 + 2 + ... + N.
EOF
cat > README <<'EOF'
calc: a tiny calculator in POSIX sh.  Run `sh test.sh` to test it.
EOF
g add -A
GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
    g commit -q -m "calc: sum and max"
g tag -a v1.0 -m "v1.0"

# The second commit adds what a provider must never hand to an agent.
cat > .env <<'EOF'
FAKE_SECRET=sk-fixture-0123456789abcdef-not-a-real-secret
DATABASE_URL=postgres://fixture:fixture@127.0.0.1/fixture
EOF
cat > deploy/key.pem <<'EOF'
-----BEGIN PRIVATE KEY-----
RklYVFVSRS1OT1QtQS1SRUFMLUtFWS1GSVhUVVJFLU5PVC1BLVJFQUwtS0VZLUZJ
WFRVUkUtTk9ULUEtUkVBTC1LRVktRklYVFVSRS1OT1QtQS1SRUFMLUtFWQ==
-----END PRIVATE KEY-----
EOF
g add -A
GIT_AUTHOR_DATE="2026-01-02T00:00:00Z" GIT_COMMITTER_DATE="2026-01-02T00:00:00Z" \
    g commit -q -m "deploy: settings and key"
g branch feature/sum
git rev-parse HEAD
