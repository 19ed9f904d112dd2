#!/usr/bin/env bash
# Create (or reuse) the pinned base: a one-commit git repo in $CACHE/base,
# tagged $BASE_TAG, from Debian's linux-source package (configs/base.conf).
# When the registry no longer serves the pinned upload, fall back to the
# newest $BASE_PACKAGE it has (a notice says so; the base is tagged with
# that version, and 'make check' then shows whether the series still
# applies with git am and quilt at fuzz 0); BASE_VERSION= asks for one.
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

# version_tag VERSION: the base tag of a package version (the pin's is
# $BASE_TAG; a git tag name has no '~' or ':')
version_tag() {
	if [ "$1" = "$BASE_PKG_VERSION" ]; then
		printf '%s\n' "$BASE_TAG"
	else
		printf 'v%s-debian\n' "$(tr '~:' '__' <<<"$1")"
	fi
}
# reuse TAG: the cached base has TAG: make it the default base, and stop
reuse() {
	git -C "$repo" rev-parse -q --verify "refs/tags/$1" >/dev/null 2>&1 || return 0
	check_base "$repo" "$1"
	if [ "$1" = "$BASE_TAG" ] && [ "$(git -C "$repo" rev-parse "$1^{commit}")" != "$BASE_COMMIT_ID" ]; then
		die "$repo: $1 is not the pinned base commit $BASE_COMMIT_ID (configs/base.conf); remove $repo and run 'make base' again"
	fi
	git -C "$repo" config vmemmap.tag "$1"
	info "base: reusing $repo ($1 = $(git -C "$repo" rev-parse --short "$1^{commit}"))"
	[ "$1" != "$BASE_TAG" ] || notice_newer
	exit 0
}

notice_newer() {
	command -v apt-cache >/dev/null 2>&1 || return 0
	local v
	v=$(apt-cache policy "$BASE_PACKAGE" 2>/dev/null | sed -n 's/^ *Candidate: *//p')
	[ -n "$v" ] && [ "$v" != "(none)" ] || return 0
	if dpkg --compare-versions "$v" gt "$BASE_PKG_VERSION"; then
		info "notice: $BASE_PACKAGE $v is available (pinned: $BASE_PKG_VERSION); the pin in configs/base.conf is NOT changed automatically"
	fi
}

ver=${BASE_VERSION:-$BASE_PKG_VERSION}
if [ -d "$repo/.git" ]; then
	# without BASE_VERSION, the base the cache holds (the pin, or the
	# fallback made when the pin was gone: no download to find that again)
	had=$(git -C "$repo" config vmemmap.tag || true)
	if [ -z "${BASE_VERSION:-}" ] && [ -n "$had" ] && [ "$had" != "$BASE_TAG" ]; then
		warn "the cache holds the fallback base $had, not the pin $BASE_TAG (remove $repo to try the pin again)"
		reuse "$had"
	fi
	reuse "$(version_tag "$ver")"
fi

need_tool apt-get apt
need_tool dpkg-deb dpkg
need_tool xz xz-utils
need_tool sha256sum coreutils

mkdir -p "$DL_DIR"
check_sha() { # FILE SHA WHAT
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$2" ] || die "sha256 mismatch for $3 $1: got $got, expected $2 (configs/base.conf)"
}
deb_of() { printf '%s\n' "$DL_DIR/${BASE_PACKAGE}_${1//:/%3a}_all.deb"; }
download() { # VERSION: apt-get download it into $DL_DIR (after an update, as root)
	(cd "$DL_DIR" && apt-get download -q "$BASE_PACKAGE=$1") ||
		{ [ "$(id -u)" -eq 0 ] && info "retrying after apt-get update" && apt-get update -qq &&
			(cd "$DL_DIR" && apt-get download -q "$BASE_PACKAGE=$1"); }
}
# newest: the newest $BASE_PACKAGE version the apt sources have
newest() {
	local v best=
	while read -r v; do
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
	done < <(apt-cache madison "$BASE_PACKAGE" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }')
	printf '%s\n' "$best"
}

deb=$(deb_of "$ver")
if [ "$ver" = "$BASE_PKG_VERSION" ] && [ -f "$deb" ] && [ "$(sha256sum "$deb" | cut -d' ' -f1)" = "$BASE_DEB_SHA256" ]; then
	:
else
	rm -f "$deb"
	step "downloading $BASE_PACKAGE=$ver"
	if ! download "$ver"; then
		hint="run 'make deps' as root to add the $BASE_SUITE apt source and run apt-get update"
		[ -z "${BASE_VERSION:-}" ] || die "cannot download $BASE_PACKAGE=$BASE_VERSION (BASE_VERSION=; $hint; 'apt-cache madison $BASE_PACKAGE' lists the versions)"
		alt=$(newest)
		if [ -z "$alt" ] || [ "$alt" = "$ver" ]; then
			die "cannot download $BASE_PACKAGE=$ver, and the apt sources have no other version ($hint)"
		fi
		warn "the pinned $BASE_PACKAGE=$ver is no longer served: falling back to the newest, $alt (tag $(version_tag "$alt")); configs/base.conf keeps the pin"
		warn "the series was written on $ver: 'make check' shows whether it still applies (git am, quilt --fuzz=0)"
		ver=$alt
		[ -d "$repo/.git" ] && reuse "$(version_tag "$ver")"
		deb=$(deb_of "$ver")
		download "$ver" || die "cannot download $BASE_PACKAGE=$ver either ($hint)"
	fi
	[ -f "$deb" ] || die "apt-get download did not produce $deb"
fi
pinned=0
if [ "$ver" = "$BASE_PKG_VERSION" ]; then
	pinned=1
	check_sha "$deb" "$BASE_DEB_SHA256" ".deb"
fi
tag=$(version_tag "$ver")

x=$DL_DIR/deb-extract
rm -rf "$x"
mkdir -p "$x"
step "extracting $(basename "$deb")"
dpkg-deb -x "$deb" "$x"
tarball=$x/$BASE_TARBALL
[ -f "$tarball" ] || die "$BASE_TARBALL not found in $deb"
if [ "$pinned" = 1 ]; then
	check_sha "$tarball" "$BASE_TARBALL_SHA256" "tarball"
	date=$BASE_DATE
else
	# another upload: apt checked it against the signed archive; the commit
	# date is its changelog's, so that its base commit is reproducible too
	date=$(zcat "$x/usr/share/doc/$BASE_PACKAGE/changelog.Debian.gz" 2>/dev/null | sed -n 's/^ -- .*>  //p' | head -n1)
	[ -n "$date" ] || date=$BASE_DATE
fi
tsha=$(sha256sum "$tarball" | cut -d' ' -f1)
dsha=$(sha256sum "$deb" | cut -d' ' -f1)

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
export GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date"
git -C "$src" init -q -b base
git -C "$src" config user.name "$PROJECT_NAME"
git -C "$src" config user.email "$PROJECT_EMAIL"
git -C "$src" config gc.auto 0
# the tarball's .gitignore ends with '/*': force-add everything
git -C "$src" add -f -A .
git -C "$src" commit -q --no-verify -m "Linux $ver ($BASE_PACKAGE from Debian $BASE_SUITE)" \
	-m "Unpacked $BASE_TARBALL (sha256 $tsha) from the Debian package $BASE_PACKAGE $ver (sha256 $dsha)."
git -C "$src" tag -a -m "$BASE_PACKAGE $ver" "$tag"
git -C "$src" config vmemmap.tag "$tag"
mv "$src" "$repo"
check_base "$repo" "$tag"
# the pin's base commit is reproducible: the same tree, identity, date and
# message give the same id on every machine (the series' commit ids, and
# the figures named after them, depend on it)
got=$(git -C "$repo" rev-parse "$tag^{commit}")
if [ "$pinned" = 1 ] && [ "$got" != "$BASE_COMMIT_ID" ]; then
	die "base commit $got is not the pinned $BASE_COMMIT_ID (configs/base.conf): the base is not reproducible here (git $(git --version | cut -d' ' -f3))"
fi
info "base: created $repo ($tag = $(git -C "$repo" rev-parse --short "$tag^{commit}"))"
[ "$pinned" = 0 ] || notice_newer
