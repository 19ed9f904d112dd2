#!/usr/bin/env bash
# Install the Debian packages the tooling needs (fast no-op when present).
#   scripts/deps.sh          packages for 'make' / 'make check'
#   scripts/deps.sh --all    also cross compilers etc. (per-patch-build ARCHES=...)
#   scripts/deps.sh --bench  also gnuplot ('make bench' draws its plot)
# SKIP_DEPS=1 (or a host without apt) installs nothing and lists what is
# missing.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CORE_PKGS=(git make gcc libc6-dev bc flex bison libelf-dev libssl-dev cpio rsync
	xz-utils kmod dwarves perl python3 python3-ply python3-git ccache quilt b4 shellcheck dpkg-dev
	qemu-system-x86 ca-certificates)
EXTRA_PKGS=(gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu gcc-powerpc64le-linux-gnu gcc-s390x-linux-gnu
	qemu-system-misc qemu-system-arm qemu-system-ppc gnuplot-nox patchelf)

BPO_SOURCES=/etc/apt/sources.list.d/trixie-backports.sources
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

want=("${CORE_PKGS[@]}")
case ${1:-} in
--all) want+=("${EXTRA_PKGS[@]}") ;;
--bench) want+=(gnuplot-nox) ;;
'') ;;
*) die "usage: deps.sh [--all|--bench]" ;;
esac

# SKIP_DEPS=1, or a host without dpkg/apt (with KERNEL_SRC= for the base):
# install nothing and say which commands are missing; each target checks
# its own tools before it starts (need_tool)
if [ "${SKIP_DEPS:-0}" = 1 ] || ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	why="SKIP_DEPS=1"
	[ "${SKIP_DEPS:-0}" = 1 ] || why="no dpkg-query/apt-get: not a Debian host"
	absent=()
	for c in git make gcc flex bison bc perl python3 xz cpio rsync ccache quilt shellcheck qemu-system-x86_64; do
		command -v "$c" >/dev/null 2>&1 || absent+=("$c")
	done
	if [ "${#absent[@]}" -gt 0 ]; then
		warn "deps: $why; nothing installed; missing commands: ${absent[*]} (the targets that need them stop and say so)"
	else
		info "deps: $why; nothing installed; the commands 'make check' uses are present"
	fi
	exit 0
fi

missing=()
for p in "${want[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done

add_sources=()
have_suite deb trixie-backports /etc/apt || add_sources+=(bpo)
# (Debian unstable, for sparse's source and the LoongArch compiler, is read
# with a private apt state by those scripts only: scripts/lib.sh debian_apt)

if [ "${#missing[@]}" -eq 0 ] && [ "${#add_sources[@]}" -eq 0 ]; then
	info "deps: all present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	for s in "${add_sources[@]}"; do
		case $s in
		bpo) warn "apt source for trixie-backports missing: add $BPO_SOURCES (Types: deb deb-src, Suites: trixie-backports)" ;;
		esac
	done
	[ "${#missing[@]}" -eq 0 ] && exit 0
	die "missing packages; as root run: apt-get install --no-install-recommends ${missing[*]}"
fi

for s in "${add_sources[@]}"; do
	case $s in
	bpo)
		info "deps: adding $BPO_SOURCES"
		printf '%s\n' 'Types: deb deb-src' 'URIs: http://deb.debian.org/debian' \
			'Suites: trixie-backports' 'Components: main' "Signed-By: $KEYRING" >"$BPO_SOURCES"
		;;
	esac
done

export DEBIAN_FRONTEND=noninteractive
step "apt-get update"
# A source that fails to update (an unreachable mirror, a Release file out of
# date) costs only what it alone offers: install what the others have
apt-get update -qq ||
	warn "apt-get update failed for some source (above); installing from the sources that worked"
if [ "${#missing[@]}" -gt 0 ]; then
	step "apt-get install ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
		die "apt-get install failed for some of: ${missing[*]} (see above)"
fi
info "deps: done"
