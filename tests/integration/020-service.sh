#!/bin/sh
# provider service install: the unit of --dry-run (every hardening line),
# a real --user install into a private HOME, its refusal to replace a
# different unit without --force, and systemd-analyze verify when the
# host has it.  systemctl is never run.
. "$(dirname "$0")/lib.sh"

export HOME="$T/user"
export XDG_CONFIG_HOME="$T/xdg"
mkdir -p "$HOME"
UNIT="$XDG_CONFIG_HOME/systemd/user/openagents-provider.service"
CONTRIB="$OA_SOURCE_ROOT/contrib/openagents-provider.service"

"$OA" provider service --help >"$T/out" 2>&1
check "service --help exits 0" test $? -eq 0
check "service --help shows usage" grep -q "usage: openagents provider service install" "$T/out"
"$OA" provider service >/dev/null 2>&1
check "service without install is a usage error (2)" test $? -eq 2
"$OA" provider service install --user --system --dry-run >/dev/null 2>&1
check "--user with --system is a usage error (2)" test $? -eq 2
"$OA" provider service install >"$T/out" 2>&1
check "install without --passphrase-file is a usage error (2)" test $? -eq 2
check "naming the option" grep -q -- "--passphrase-file FILE is required" "$T/out"

# --dry-run: the whole unit on stdout, nothing written
"$OA" provider service install --dry-run --passphrase-file "$PASSFILE" >"$T/unit" 2>"$T/err"
check "--dry-run exits 0" test $? -eq 0
check "--dry-run says where" grep -qxF "# dry run: would be written to $UNIT" "$T/unit"
check "--dry-run writes nothing" test ! -e "$UNIT"
for l in "Type=simple" "Restart=always" "RestartSec=10" \
    "NoNewPrivileges=yes" "CapabilityBoundingSet=" "ProtectSystem=strict" \
    "ProtectHome=read-only" "ReadWritePaths=$PDIR" "PrivateTmp=yes" \
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK" \
    "RestrictNamespaces=user mnt pid net ipc uts" \
    "SystemCallArchitectures=native" "LockPersonality=yes" \
    "ProtectKernelModules=yes" "ProtectKernelTunables=no" \
    "ProtectKernelLogs=no" "ProtectControlGroups=no" "Delegate=yes" \
    "UMask=0077" "Environment=OPENAGENTS_HOME=$OPENAGENTS_HOME" \
    "ExecStart=$OA_BUILD_ROOT/openagentsd -d" \
    'ExecReload=/bin/kill -HUP $MAINPID' \
    "LoadCredential=openagents-passphrase:$PASSFILE" \
    "WantedBy=default.target"; do
	check "unit has '$l'" grep -qxF "$l" "$T/unit"
	# the reference copy in contrib/ carries the same settings
	case "$l" in
	*"$T"*|*"$OA_BUILD_ROOT"*|*default.target) ;;
	*) check "contrib unit has '$l'" grep -qxF "$l" "$CONTRIB" ;;
	esac
done
check "a user unit names no User=" sh -c "! grep -q '^User=' '$T/unit'"
check "the temp folder is noted (PrivateTmp)" grep -q "PrivateTmp=yes hides" "$T/err"

# --system --dry-run: User= and multi-user.target, no root needed to look
"$OA" provider service install --system --dry-run --run-as nobody >"$T/sysunit" 2>/dev/null
check "--system --dry-run exits 0" test $? -eq 0
check "--system unit runs as --run-as" grep -qx "User=nobody" "$T/sysunit"
check "--system unit is for multi-user.target" grep -qx "WantedBy=multi-user.target" "$T/sysunit"
check "--system goes to /etc/systemd/system" grep -q "would be written to /etc/systemd/system/openagents-provider.service" "$T/sysunit"
NOBODY_HOME=$(getent passwd nobody | cut -d: -f6)
env -u OPENAGENTS_HOME "$OA" provider service install --system --dry-run --run-as nobody >"$T/out" 2>"$T/err"
check "--system without OPENAGENTS_HOME: the user's home" grep -qxF "Environment=OPENAGENTS_HOME=$NOBODY_HOME" "$T/out"
check "and its provider folder" grep -qxF "ReadWritePaths=$NOBODY_HOME/provider" "$T/out"
check "a missing provider folder is noted" grep -q "does not exist yet: run \`openagents provider init\` as nobody first" "$T/err"
"$OA" provider service install --user --run-as nobody --dry-run >/dev/null 2>&1
check "--run-as without --system is a usage error (2)" test $? -eq 2

# the passphrase file must exist and be private
printf 'x\n' >"$T/open-pass"; chmod 644 "$T/open-pass"
"$OA" provider service install --passphrase-file "$T/open-pass" >"$T/out" 2>&1
check "a passphrase file readable by others is refused (1)" test $? -eq 1
check "saying the mode" grep -q "mode 0644, must be 0600" "$T/out"
"$OA" provider service install --passphrase-file "$T/missing" >/dev/null 2>&1
check "a missing passphrase file is refused (1)" test $? -eq 1
check "and nothing was written" test ! -e "$UNIT"

# a real --user install
"$OA" provider service install --user --passphrase-file "$PASSFILE" >"$T/out" 2>&1
check "install --user exits 0" test $? -eq 0
check "the unit is there" test -f "$UNIT"
check "mode 0644" test "$(stat -c %a "$UNIT")" = 644
check "no temp file left" test "$(ls -A "$(dirname "$UNIT")" | wc -l)" -eq 1
sed 1d "$T/unit" >"$T/unit.body"
check "content is what --dry-run showed" cmp -s "$T/unit.body" "$UNIT"
check "prints the systemctl commands" grep -qF "systemctl --user daemon-reload && systemctl --user enable --now openagents-provider" "$T/out"
"$OA" provider service install --passphrase-file "$PASSFILE" >"$T/out" 2>&1
check "a second install of the same unit exits 0" test $? -eq 0
check "and says unchanged" grep -q "already installed, unchanged" "$T/out"

# a different unit is kept unless --force
echo "# edited by the operator" >>"$UNIT"
cp "$UNIT" "$T/edited"
"$OA" provider service install --passphrase-file "$PASSFILE" >"$T/out" 2>&1
check "a different unit is refused without --force (1)" test $? -eq 1
check "naming --force" grep -q -- "--force replaces it" "$T/out"
check "and left as it was" cmp -s "$T/edited" "$UNIT"
"$OA" provider service install --force --passphrase-file "$PASSFILE" >"$T/out" 2>&1
check "--force replaces it (0)" test $? -eq 0
check "with the generated unit" cmp -s "$T/unit.body" "$UNIT"

# --config: the daemon gets it, and its folder is the writable one
mkdir -p "$T/alt"; : >"$T/alt/config.toml"
"$OA" provider service install --dry-run --config "$T/alt/config.toml" >"$T/out" 2>/dev/null
check "--config: exits 0" test $? -eq 0
check "--config: ExecStart has -c FILE" grep -qxF "ExecStart=$OA_BUILD_ROOT/openagentsd -d -c $T/alt/config.toml" "$T/out"
check "--config: its folder is ReadWritePaths" grep -qxF "ReadWritePaths=$T/alt" "$T/out"

# a path systemd would split or expand is refused, not escaped
mkdir -p "$T/odd home"
OPENAGENTS_HOME="$T/odd home" "$OA" provider service install --dry-run >"$T/out" 2>&1
check "a home with a space is refused (1)" test $? -eq 1

if command -v systemd-analyze >/dev/null 2>&1; then
	verify() {	# verify DESCRIPTION [systemd-analyze options] FILE
		d=$1; shift
		timeout 60 systemd-analyze --man=no "$@" >"$T/verify" 2>&1
		rc=$?
		sed 's/^/# /' "$T/verify"
		check "systemd-analyze verify: $d (rc $rc)" test $rc -eq 0
		check "$d: no unknown or bad key" sh -c "! grep -Eqi 'unknown|invalid|ignoring' '$T/verify'"
	}
	mkdir -p "$T/run" "$T/sys" "$T/contrib"; chmod 700 "$T/run"
	XDG_RUNTIME_DIR="$T/run" verify "the user unit" --user verify "$UNIT"
	sed 1d "$T/sysunit" >"$T/sys/openagents-provider.service"
	verify "the system unit" verify "$T/sys/openagents-provider.service"
	# contrib's ExecStart names the installed daemon: point it at ours
	sed "s|^ExecStart=[^ ]*|ExecStart=$OA_BUILD_ROOT/openagentsd|" "$CONTRIB" \
	    >"$T/contrib/openagents-provider.service"
	verify "contrib's unit" verify "$T/contrib/openagents-provider.service"
else
	echo "# systemd-analyze is not installed: the verify checks are skipped"
fi
finish
