#!/usr/bin/env bash
# Create (or reuse) the pinned base: a one-commit git repo in $CACHE/base,
# tagged $BASE_TAG, from Debian's linux-source package (configs/base.conf).
# With KERNEL_SRC=/path BASE=rev, validate the user's tree instead.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_tool git git

if [ -n "${KERNEL_SRC:-}" ]; then
	base_open
	info "base: using $KERNEL_SRC at $BASE_NAME ($(git -C "$BASE_GIT" rev-parse --short "$BASE_COMMIT")), read only; no download"
	info "base: the tooling's commits and worktrees are in $BASE_GIT (it borrows the objects of $KERNEL_SRC)"
	exit 0
fi

repo=$BASE_REPO_CACHE

notice_newer() {
	command -v apt-cache >/dev/null 2>&1 || return 0
	local v
	v=$(apt-cache policy "$BASE_PACKAGE" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
	[ -n "$v" ] && [ "$v" != "(none)" ] || return 0
	if dpkg --compare-versions "$v" gt "$BASE_PKG_VERSION"; then
		info "notice: $BASE_PACKAGE $v is available (pinned: $BASE_PKG_VERSION); the pin in configs/base.conf is NOT changed automatically"
	fi
}

if [ -d "$repo/.git" ] && git -C "$repo" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null; then
	check_base "$repo" "$BASE_TAG"
	info "base: reusing $repo ($BASE_TAG = $(git -C "$repo" rev-parse --short "$BASE_TAG^{commit}"))"
	notice_newer
	exit 0
fi

need_tool apt-get apt
need_tool dpkg-deb dpkg
need_tool xz xz-utils
need_tool sha256sum coreutils

mkdir -p "$DL_DIR"
deb=$DL_DIR/${BASE_PACKAGE}_${BASE_PKG_VERSION//:/%3a}_all.deb

check_sha() { # FILE SHA WHAT
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$2" ] || die "sha256 mismatch for $3 $1: got $got, expected $2 (configs/base.conf)"
}

if [ ! -f "$deb" ] || [ "$(sha256sum "$deb" | cut -d' ' -f1)" != "$BASE_DEB_SHA256" ]; then
	rm -f "$deb"
	step "downloading $BASE_PACKAGE=$BASE_PKG_VERSION"
	if ! (cd "$DL_DIR" && apt-get download -q "$BASE_PACKAGE=$BASE_PKG_VERSION") &&
		! { [ "$(id -u)" -eq 0 ] && info "retrying after apt-get update" && apt-get update -qq &&
			(cd "$DL_DIR" && apt-get download -q "$BASE_PACKAGE=$BASE_PKG_VERSION"); }; then
		die "cannot download $BASE_PACKAGE=$BASE_PKG_VERSION (run 'make deps' as root to add the $BASE_SUITE apt source and run apt-get update)"
	fi
	[ -f "$deb" ] || die "apt-get download did not produce $deb"
fi
check_sha "$deb" "$BASE_DEB_SHA256" ".deb"

x=$DL_DIR/deb-extract
rm -rf "$x"
mkdir -p "$x"
step "extracting $(basename "$deb")"
dpkg-deb -x "$deb" "$x"
tarball=$x/$BASE_TARBALL
[ -f "$tarball" ] || die "$BASE_TARBALL not found in $deb"
check_sha "$tarball" "$BASE_TARBALL_SHA256" "tarball"

tmp=$CACHE/base.tmp.$$
rm -rf "$tmp" "$repo"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
step "unpacking $(basename "$tarball")"
tar -xJf "$tarball" -C "$tmp"
[ -f "$tmp/$BASE_TARBALL_TOPDIR/Makefile" ] || die "tarball does not extract to $BASE_TARBALL_TOPDIR/"
rm -rf "$x"

src=$tmp/$BASE_TARBALL_TOPDIR
step "creating base repository (git add of the whole tree takes a while)"
use_project_identity
export GIT_AUTHOR_DATE="$BASE_DATE" GIT_COMMITTER_DATE="$BASE_DATE"
git -C "$src" init -q -b base
git -C "$src" config user.name "$PROJECT_NAME"
git -C "$src" config user.email "$PROJECT_EMAIL"
git -C "$src" config gc.auto 0
# the tarball's .gitignore ends with '/*': force-add everything
git -C "$src" add -f -A .
git -C "$src" commit -q --no-verify -m "Linux $BASE_PKG_VERSION ($BASE_PACKAGE from Debian $BASE_SUITE)" \
	-m "Unpacked $BASE_TARBALL (sha256 $BASE_TARBALL_SHA256) from the Debian package $BASE_PACKAGE $BASE_PKG_VERSION (sha256 $BASE_DEB_SHA256)."
git -C "$src" tag -a -m "$BASE_PACKAGE $BASE_PKG_VERSION" "$BASE_TAG"
mv "$src" "$repo"
check_base "$repo" "$BASE_TAG"
info "base: created $repo ($BASE_TAG = $(git -C "$repo" rev-parse --short "$BASE_TAG^{commit}"))"
notice_newer
