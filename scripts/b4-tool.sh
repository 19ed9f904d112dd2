#!/usr/bin/env bash
# b4-tool.sh: print the b4 command 'make send' uses.  Debian 12 has b4 0.12,
# which knows no series dependencies (prerequisite-patch-id: b4 0.14); newer
# Debian suites have newer b4 (pure Python).  The newest that runs here is
# taken: unstable's, else trixie's (unstable's b4 0.16 needs a pygit2 newer
# than bookworm's).  Its package (and python3-liblore where it needs it) is
# downloaded with a private apt state (scripts/lib.sh: debian_apt; nothing
# is installed on the system), unpacked under $TOOLS_DIR/b4 and run by the
# system's python3 with the libraries bookworm's b4 package brought in
# (dkim, dnspython, patatt, requests).  When none runs, the system's b4 is
# used, with a notice.  B4=/path/to/b4 uses that one.  Fast no-op when the
# unpacked b4 runs.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

if [ -n "${B4:-}" ]; then
	"$B4" --version >/dev/null 2>&1 || die "B4=$B4 does not run ('$B4 --version' failed)"
	printf '%s\n' "$B4"
	exit 0
fi

dest=$TOOLS_DIR/b4
wrapper=$dest/b4
# runs: the unpacked b4 starts and loads 'b4 prep' and 'b4 send' (b4.ez)
runs() {
	"$wrapper" --version >/dev/null 2>&1 &&
		PYTHONPATH=$dest/root/usr/lib/python3/dist-packages /usr/bin/python3 -c 'import b4.ez' >/dev/null 2>&1
}

fallback() { # REASON: use the system's b4
	local v
	command -v b4 >/dev/null 2>&1 || die "no b4: $1, and none installed (run 'make deps')"
	v=$(b4 --version 2>/dev/null || echo unknown)
	warn "$1; using the system's b4 $v (series dependencies need b4 0.14 or newer)"
	command -v b4
}

if [ -x "$wrapper" ] && runs; then
	printf '%s\n' "$wrapper"
	exit 0
fi
command -v dpkg-deb >/dev/null 2>&1 || {
	fallback "no dpkg-deb to unpack a newer b4"
	exit 0
}
[ -x /usr/bin/python3 ] || {
	fallback "no /usr/bin/python3"
	exit 0
}

for suite in unstable trixie; do
	st=$CACHE/b4-apt-$suite
	step "b4: trying Debian $suite's b4 (private apt state in $st)" >&2
	if ! debian_apt "$st" "$suite" deb; then
		warn "b4: Debian $suite's package list could not be read (log: $st/update.log)"
		continue
	fi
	pkgs=(b4)
	# (grep -c reads it all: 'grep -q' may quit before apt-cache has
	# written everything, and pipefail then fails the pipe)
	[ "$(apt-cache "${DEBIAN_APT[@]}" show b4 2>/dev/null | grep -c '^Depends:.*python3-liblore')" -eq 0 ] ||
		pkgs+=(python3-liblore)
	if ! (cd "$st/archives" && apt-get "${DEBIAN_APT[@]}" download "${pkgs[@]}") >"$st/download.log" 2>&1; then
		warn "b4: downloading Debian $suite's b4 failed (log: $st/download.log)"
		continue
	fi
	rm -rf "$dest"
	mkdir -p "$dest"
	for d in "$st"/archives/*.deb; do
		dpkg-deb -x "$d" "$dest/root"
	done
	printf '%s\n' '#!/bin/sh' "# b4 from Debian $suite, unpacked by scripts/b4-tool.sh" \
		"PYTHONPATH=\"$dest/root/usr/lib/python3/dist-packages\${PYTHONPATH:+:\$PYTHONPATH}\" exec /usr/bin/python3 \"$dest/root/usr/bin/b4\" \"\$@\"" \
		>"$wrapper"
	chmod +x "$wrapper"
	if runs; then
		info "b4: $("$wrapper" --version) (Debian $suite) in $dest" >&2
		printf '%s\n' "$wrapper"
		exit 0
	fi
	warn "b4: Debian $suite's b4 does not run with this system's python3 and its libraries"
	rm -rf "$dest"
done
fallback "no newer b4 from Debian runs here"
