#!/usr/bin/env bash
# qemu-accel.sh KERNEL_IMAGE: print 'kvm' or 'tcg' on stdout (the reason on stderr).
# KUNIT_ACCEL=kvm|tcg forces the choice.  Otherwise KVM is used only if
# /dev/kvm is read-write and KERNEL_IMAGE actually boots under it (reaches
# the "no root fs" panic within the probe timeout).  The probe result is
# cached per host name and host kernel release.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

img=${1:-}
say() { printf 'qemu-accel: %s\n' "$*" >&2; }

case ${KUNIT_ACCEL:-} in
kvm | tcg) say "${KUNIT_ACCEL} (forced by KUNIT_ACCEL)"; echo "$KUNIT_ACCEL"; exit 0 ;;
'') ;;
*) die "KUNIT_ACCEL must be kvm or tcg, not '$KUNIT_ACCEL'" ;;
esac

if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
	say "tcg (/dev/kvm is not read-write for $(id -un))"
	echo tcg
	exit 0
fi

key="$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)-$(uname -r)"
cachef=$CACHE/qemu-accel/$key
if [ -f "$cachef" ]; then
	read -r acc why <"$cachef" || true
	if [ "$acc" = kvm ] || [ "$acc" = tcg ]; then
		say "$acc (cached probe for $key: $why; delete $cachef to probe again)"
		echo "$acc"
		exit 0
	fi
fi

[ -f "${img:-/nonexistent}" ] || die "usage: qemu-accel.sh KERNEL_IMAGE (image not found: '$img')"
need_tool qemu-system-x86_64 qemu-system-x86
need_tool timeout coreutils

probe_to=${KVM_PROBE_TIMEOUT:-40}
say "probing KVM: booting $(basename "$img") with -accel kvm (up to ${probe_to}s)"
plog=$(mktemp)
trap 'rm -f "$plog"' EXIT
start=$(date +%s)
timeout -k 5 "$probe_to" qemu-system-x86_64 -accel kvm -nodefaults -nographic -no-reboot \
	-serial stdio -m 256 -kernel "$img" \
	-append "console=ttyS0 panic=-1 kunit.enable=0" </dev/null >"$plog" 2>&1 && rc=0 || rc=$?
secs=$(($(date +%s) - start))
if grep -q 'Kernel panic' "$plog" && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ]; then
	acc=kvm why="KVM guest booted to the expected panic in ${secs}s"
else
	acc=tcg why="KVM guest did not reach the expected panic within ${probe_to}s (exit $rc)"
fi
mkdir -p "$(dirname "$cachef")"
printf '%s %s\n' "$acc" "$why" >"$cachef"
say "$acc ($why)"
echo "$acc"
