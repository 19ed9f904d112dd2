#!/usr/bin/env bash
# loongarch-toolchain.sh: a LoongArch cross compiler for building (not
# booting) the series' LoongArch patches.  Debian 12 has none; Debian
# unstable has gcc-N-loongarch64-linux-gnu.  Its packages are downloaded
# with a private apt state (the system's sources, lists and installed
# packages are not touched), unpacked under $TOOLS_DIR/loongarch64 together
# with the unstable host libraries they link against (a newer glibc than
# the host's), and their ELF files are pointed at those libraries with
# patchelf (LOONGARCH_GCC=N: gcc N, default 14).  Prints the CROSS_COMPILE prefix on stdout.  Fast no-op when
# the toolchain is there and compiles.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

dest=$TOOLS_DIR/loongarch64
prefix=$dest/usr/bin/loongarch64-linux-gnu-

works() {
	local t
	t=$(mktemp -d)
	printf 'int f(int x) { return 3 * x; }\n' >"$t/t.c"
	"${prefix}gcc" -O2 -c "$t/t.c" -o "$t/t.o" >/dev/null 2>&1 &&
		"${prefix}readelf" -h "$t/t.o" 2>/dev/null | grep -q LoongArch
	local rc=$?
	rm -rf "$t"
	return $rc
}

if [ -x "${prefix}gcc" ] && works &&
	{ [ -z "${LOONGARCH_GCC:-}" ] || [ -x "${prefix}gcc-$LOONGARCH_GCC" ]; }; then
	printf '%s\n' "$prefix"
	exit 0
fi

need_tool dpkg-deb dpkg
need_tool patchelf patchelf
need_tool readelf binutils

st=$CACHE/loongarch-apt
rm -rf "$dest"
mkdir -p "$dest"
step "loongarch: reading Debian unstable's package list (private apt state in $st)" >&2
debian_apt "$st" unstable deb || die "apt-get update of Debian unstable failed (log: $st/update.log)"
apt_priv=("${DEBIAN_APT[@]}")
have=$(apt-cache "${apt_priv[@]}" pkgnames gcc- 2>/dev/null |
	sed -n 's/^gcc-\([0-9][0-9]*\)-loongarch64-linux-gnu$/\1/p' | sort -n)
[ -n "$have" ] || die "Debian unstable has no gcc-N-loongarch64-linux-gnu package"
# LOONGARCH_GCC=N picks a version; the default is 14 (the newest when unstable
# has no 14), a compiler that 7.3 knows well: a newer one warns in files the
# series does not touch
ver=${LOONGARCH_GCC:-14}
grep -qx "$ver" <<<"$have" || {
	[ -z "${LOONGARCH_GCC:-}" ] || die "LOONGARCH_GCC=$ver: Debian unstable has gcc $(tr "\n" " " <<<"$have")for LoongArch"
	ver=$(tail -n1 <<<"$have")
}

# the cross compiler and binutils, and the host libraries they need in the
# versions unstable built them against
pkgs=("gcc-$ver-loongarch64-linux-gnu" "cpp-$ver-loongarch64-linux-gnu"
	"gcc-$ver-loongarch64-linux-gnu-base" "libgcc-$ver-dev-loong64-cross"
	binutils-loongarch64-linux-gnu
	libc6 libgcc-s1 libstdc++6 libgmp10 libisl23 libmpc3 libmpfr6 libzstd1 zlib1g
	libjansson4)
sframe=$(apt-cache "${apt_priv[@]}" pkgnames libsframe 2>/dev/null | grep -E '^libsframe[0-9]+$' | sort -V | tail -n1)
[ -z "$sframe" ] || pkgs+=("$sframe")

step "loongarch: downloading gcc-$ver-loongarch64-linux-gnu and ${#pkgs[@]} packages" >&2
(cd "$st/archives" && apt-get "${apt_priv[@]}" download "${pkgs[@]}") >"$st/download.log" 2>&1 ||
	die "downloading the LoongArch toolchain failed (log: $st/download.log)"
for d in "$st"/archives/*.deb; do
	dpkg-deb -x "$d" "$dest"
done

step "loongarch: pointing the toolchain at its own host libraries (patchelf)" >&2
libdir=$dest/usr/lib/x86_64-linux-gnu
ldso=$libdir/ld-linux-x86-64.so.2
[ -e "$ldso" ] || die "no dynamic loader in the unpacked libc6 ($ldso)"
while IFS= read -r -d '' f; do
	[ "$(head -c4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	case $f in */ld-linux-x86-64.so.*) continue ;; esac
	if patchelf --print-interpreter "$f" >/dev/null 2>&1; then
		patchelf --set-interpreter "$ldso" --set-rpath "$libdir" "$f"
	elif readelf -h "$f" 2>/dev/null | grep -q 'X86-64'; then
		patchelf --set-rpath "$libdir" "$f"
	fi
done < <(find "$dest/usr/bin" "$dest/usr/libexec" "$libdir" -type f -print0)
ln -sf "loongarch64-linux-gnu-gcc-$ver" "${prefix}gcc"
ln -sf "loongarch64-linux-gnu-cpp-$ver" "${prefix}cpp"

works || die "the unpacked LoongArch compiler does not compile a test file (${prefix}gcc)"
info "loongarch: $("${prefix}gcc" --version | head -n1) in $dest" >&2
printf '%s\n' "$prefix"
