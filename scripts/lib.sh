#!/usr/bin/env bash
# Common helpers for the tooling scripts.  Source it; do not run it.
# shellcheck shell=bash disable=SC2034

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export REPO_ROOT

CACHE=${VMEMMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmemmap-series}
# absolute and without symlinks, as git prints the paths of its repositories
if ! mkdir -p "$CACHE" || ! CACHE=$(cd "$CACHE" && pwd -P); then
	echo "error: cannot create the cache $CACHE" >&2
	exit 1
fi
export CACHE
DL_DIR=$CACHE/dl
BASE_REPO_CACHE=$CACHE/base
WORK_DIR=$CACHE/work
QUILT_DIR=$CACHE/quilt
BUILD_ROOT=$CACHE/build
LOG_DIR=$CACHE/logs
RESULTS_DIR=$CACHE/results
TOOLS_DIR=$CACHE/tools

# shellcheck source=../configs/base.conf
. "$REPO_ROOT/configs/base.conf"
# shellcheck source=../configs/identity.conf
. "$REPO_ROOT/configs/identity.conf"

PATCHES_DIR=${PATCHES_DIR:-$REPO_ROOT/patches}

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	_c_b=$'\e[1m' _c_r=$'\e[31m' _c_y=$'\e[33m' _c_0=$'\e[0m'
else
	_c_b='' _c_r='' _c_y='' _c_0=''
fi

info() { printf '%s\n' "$*"; }
step() { printf '%s==> %s%s\n' "$_c_b" "$*" "$_c_0"; }
warn() { printf '%swarning:%s %s\n' "$_c_y" "$_c_0" "$*" >&2; }
die() { printf '%serror:%s %s\n' "$_c_r" "$_c_0" "$*" >&2; exit 1; }

# need_tool TOOL PKG: one-line fix-it and non-zero exit when TOOL is missing.
need_tool() {
	command -v "$1" >/dev/null 2>&1 && return 0
	printf 'error: %s not found; install it with: apt-get install %s\n' "$1" "$2" >&2
	exit 127
}

njobs() { nproc 2>/dev/null || echo 1; }

# The base: the git repository the tooling works in and the 7.3 commit the
# series applies to.  Without KERNEL_SRC: the cached Debian base
# ($CACHE/base, the tag 'make base' made: $BASE_TAG, or the fallback's when
# the pin is gone; or BASE=rev in it).  With KERNEL_SRC=/path
# BASE=rev: the user's tree is only read (rev-parse, show): the tooling
# works in a private bare repository, $USER_BASE_REPO, that borrows the
# user's objects (objects/info/alternates) and holds one ref of its own,
# refs/tags/user-base at BASE's commit; its worktrees, the commits of
# 'git am' and any prune stay there.  (The BASE commit must stay in the
# user's repository: it is not copied.)
USER_BASE_REPO=$CACHE/user-base
# base_open: check the base and set BASE_GIT (the repository to work in),
# BASE_NAME (the base as the user names it) and BASE_COMMIT (its commit id)
base_open() {
	local src common
	if [ -n "${KERNEL_SRC:-}" ]; then
		[ -n "${BASE:-}" ] || die "KERNEL_SRC is set but BASE is not (e.g. BASE=v7.3)"
		src=$(cd "$KERNEL_SRC" 2>/dev/null && pwd) || die "KERNEL_SRC=$KERNEL_SRC: no such directory"
		check_base "$src" "$BASE"
		BASE_NAME=$BASE
		BASE_COMMIT=$(git -C "$src" rev-parse "$BASE^{commit}")
		common=$(git -C "$src" rev-parse --path-format=absolute --git-common-dir)
		[ -d "$USER_BASE_REPO/objects" ] || git init -q --bare "$USER_BASE_REPO"
		git -C "$USER_BASE_REPO" config gc.auto 0
		printf '%s\n' "$common/objects" >"$USER_BASE_REPO/objects/info/alternates"
		git -C "$USER_BASE_REPO" update-ref refs/tags/user-base "$BASE_COMMIT"
		BASE_GIT=$USER_BASE_REPO
	else
		BASE_GIT=$BASE_REPO_CACHE
		[ -d "$BASE_GIT" ] || die "no base repository at $BASE_GIT (run 'make base' first)"
		# the tag 'make base' made (fetch-base.sh: the pin's, or a fallback's)
		BASE_NAME=${BASE:-$(git -C "$BASE_GIT" config vmemmap.tag || echo "$BASE_TAG")}
		check_base "$BASE_GIT" "$BASE_NAME"
		BASE_COMMIT=$(git -C "$BASE_GIT" rev-parse "$BASE_NAME^{commit}")
	fi
}

# check_base REPO REV: REV must be a commit of a 7.3 tree.
check_base() {
	local repo=$1 rev=$2 mk ver pl
	git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 ||
		die "$repo is not a git repository (run 'make base' or set KERNEL_SRC to a kernel git tree)"
	git -C "$repo" rev-parse -q --verify "$rev^{commit}" >/dev/null ||
		die "base '$rev' does not exist in $repo (run 'make base', or pass BASE=<an existing tag/commit>)"
	mk=$(git -C "$repo" show "$rev:Makefile" 2>/dev/null) ||
		die "base '$rev' in $repo has no top-level Makefile: not a kernel tree"
	ver=$(sed -n 's/^VERSION = *//p' <<<"$mk" | head -n1)
	pl=$(sed -n 's/^PATCHLEVEL = *//p' <<<"$mk" | head -n1)
	[ "$ver.$pl" = "$BASE_KVERSION" ] ||
		die "wrong base: '$rev' in $repo is Linux $ver.$pl, the series needs $BASE_KVERSION"
}

# series_patches: patch file names in series order (comments/options stripped).
series_patches() {
	local f=$PATCHES_DIR/series
	[ -f "$f" ] || die "no series file: $f"
	sed -e 's/#.*//' "$f" | awk 'NF { print $1 }'
}

# The runs files (kunit/runs.conf, arches.conf, debug.conf): one line per
# run, "NAME ARCH KUNITCONFIGS QEMU_CONFIG [KERNEL_ARG...]", # comments.
# runs_lines FILE: those lines; runs_names FILE: the names, in order.
runs_lines() { sed -e 's/#.*//' "$1" | awk 'NF'; }
runs_names() { runs_lines "$1" | awk '{ print $1 }'; }
# run_summary FILE: scripts/summary.py over the results of the runs RUNS
# names (default: every run of FILE)
run_summary() {
	local r runs=${RUNS:-$(runs_names "$1")} jsons=()
	for r in ${runs//,/ }; do jsons+=("$RESULTS_DIR/$r.json"); done
	python3 "$REPO_ROOT/scripts/summary.py" "${jsons[@]}"
}

# Print the path of every patch, checking that each exists.
series_paths() {
	local p
	while IFS= read -r p; do
		[ -f "$PATCHES_DIR/$p" ] || die "patch listed in $PATCHES_DIR/series is missing: $p"
		printf '%s\n' "$PATCHES_DIR/$p"
	done < <(series_patches)
}

# Identity for commits made by the tooling (base commit, git am committer).
use_project_identity() {
	export GIT_AUTHOR_NAME="$PROJECT_NAME" GIT_AUTHOR_EMAIL="$PROJECT_EMAIL"
	export GIT_COMMITTER_NAME="$PROJECT_NAME" GIT_COMMITTER_EMAIL="$PROJECT_EMAIL"
}

setup_ccache() {
	export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
	mkdir -p "$CCACHE_DIR"
	if command -v ccache >/dev/null 2>&1; then
		ccache -M "${CCACHE_MAXSIZE:-5G}" >/dev/null 2>&1 || true
	fi
}

# Kconfig fragments: one folder, configs/kconfig/NAME.config, composed by
# the callers (kunit/runs.conf names them; bench and per-patch-build list
# theirs).  kconfig_frags ARRAY NAME...: ARRAY gets the fragments' paths;
# dies on a missing one.
KCONFIG_DIR=$REPO_ROOT/configs/kconfig
kconfig_frags() {
	local -n kf_out=$1
	local n
	shift
	kf_out=()
	for n; do
		[ -f "$KCONFIG_DIR/$n.config" ] || die "no Kconfig fragment $KCONFIG_DIR/$n.config"
		kf_out+=("$KCONFIG_DIR/$n.config")
	done
}

# configure_kernel SRC O TARGET [MAKE_OPTION...] -- FRAGMENT...: O/.config
# from 'make TARGET' (allnoconfig, a defconfig, or "-" to keep O/.config),
# the fragments merged in (merge_config.sh -m: a later line wins), then
# olddefconfig; MAKE_OPTIONs (ARCH=, CROSS_COMPILE=, CC=) go to both makes.
# Output goes where the caller sends it.
configure_kernel() {
	local src=$1 o=$2 target=$3 mk=()
	shift 3
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		mk+=("$1")
		shift
	done
	[ "$#" -gt 0 ] || die "configure_kernel: no -- before the fragments"
	shift
	mkdir -p "$o"
	if [ "$target" != - ]; then
		make -C "$src" O="$o" "${mk[@]}" "$target" || return
	fi
	if [ "$#" -gt 0 ]; then
		(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$o" "$o/.config" "$@") || return
	fi
	make -C "$src" O="$o" "${mk[@]}" olddefconfig
}

# config_lost CONFIG FRAGMENT...: the options the fragments ask for that
# CONFIG does not have as asked (CONFIG_X=value, or "# CONFIG_X is not
# set"), one per line; nothing when every one made it.
config_lost() {
	local cfg=$1 line opt
	shift
	cat "$@" | while IFS= read -r line; do
		case $line in
		CONFIG_*=n)
			opt=${line%%=*}
			! grep -q "^$opt=" "$cfg" || echo "$opt" ;;
		CONFIG_*=*)
			grep -qxF -- "$line" "$cfg" || echo "${line%%=*}" ;;
		"# CONFIG_"*" is not set")
			opt=${line#"# "}
			opt=${opt%% *}
			! grep -q "^$opt=" "$cfg" || echo "$opt" ;;
		esac
	done | sort -u
}

# build_guest_kernel SRC O LOG LABEL TARGET... -- FRAGMENT...: an x86_64
# QEMU guest kernel (the bench and e2e guests): allnoconfig + the fragments
# + olddefconfig in O, dying when an option of the fragments did not make
# it, then make TARGET...; all output in LOG.
build_guest_kernel() {
	local src=$1 o=$2 log=$3 label=$4 targets=() lost cc="ccache gcc"
	shift 4
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		targets+=("$1")
		shift
	done
	[ "$#" -gt 0 ] || die "build_guest_kernel: no -- before the fragments"
	shift
	command -v ccache >/dev/null 2>&1 || cc=gcc
	configure_kernel "$src" "$o" allnoconfig ARCH=x86_64 "CC=$cc" -- "$@" >"$log" 2>&1 ||
		die "configuring $label failed (log: $log)"
	lost=$(config_lost "$o/.config" "$@")
	[ -z "$lost" ] ||
		die "$o/.config lacks $(echo "$lost" | tr '\n' ' ')(allnoconfig + ${*##*/} + olddefconfig: check their Kconfig dependencies)"
	if ! make -C "$src" O="$o" ARCH=x86_64 "CC=$cc" -j"${JOBS:-$(njobs)}" "${targets[@]}" >>"$log" 2>&1; then
		grep -E 'error:|Error [0-9]' "$log" | head -n 10 | sed 's/^/    /' >&2
		die "building $label failed (log: $log)"
	fi
}

# cpio_dir DIR OUT: OUT becomes a gzip'ed newc archive of DIR's contents
# (owner root, mtimes 0, sorted: the same bytes for the same files).
cpio_dir() {
	local dir=$1 out=$2 cpio_opts=(-o -H newc --null -R 0:0 --quiet)
	cpio --help 2>/dev/null | grep -q -e '--reproducible' && cpio_opts+=(--reproducible)
	find "$dir" -exec touch -h -d @0 {} +
	(cd "$dir" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio "${cpio_opts[@]}") | gzip -9 -n >"$out.tmp"
	mv "$out.tmp" "$out"
}

# static_initramfs INIT_C OUT: OUT becomes an initramfs (cpio_dir) whose
# /init is INIT_C built static, with /proc, /sys and /dev to mount on.
static_initramfs() {
	local init_c=$1 out=$2 t
	t=$(mktemp -d)
	mkdir -p "$t/proc" "$t/sys" "$t/dev"
	if ! gcc -static -O2 -Wall -Wextra -Werror -o "$t/init" "$init_c"; then
		rm -rf "$t"
		die "building $init_c failed (static glibc: apt-get install libc6-dev)"
	fi
	cpio_dir "$t" "$out"
	rm -rf "$t"
}

# prepare_worktree REPO DIR COMMIT [BRANCH]: DIR becomes a clean worktree of
# REPO at COMMIT (on BRANCH, reset with -B, or detached).  A worktree of the
# same repository is reused and reset: only the files that differ are
# rewritten, so kernel builds in it stay incremental.  Anything else at DIR
# (a worktree of another repository, a plain directory) is removed first.
# REPO is one of this cache ($CACHE/base or $USER_BASE_REPO): its stale
# worktree entries are pruned.
# Sets WT_REUSED to 1 or 0.
prepare_worktree() {
	local repo=$1 dir=$2 commit=$3 branch=${4:-} common old top
	common=$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir)
	WT_REUSED=0
	if [ -e "$dir" ]; then
		old=$(git -C "$dir" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
		top=$(git -C "$dir" rev-parse --path-format=absolute --show-toplevel 2>/dev/null || true)
		if [ -n "$old" ] && [ "$old" = "$common" ] && [ "$top" = "$(cd "$dir" && pwd -P)" ]; then
			WT_REUSED=1
		else
			# only a repository of this cache is cleaned up after; another
			# one (a user's tree that an older version of this tooling
			# made a worktree of) is left alone
			case $old in
			"$CACHE"/*)
				git --git-dir="$old" worktree remove --force "$dir" 2>/dev/null || true
				rm -rf "$dir"
				git --git-dir="$old" worktree prune 2>/dev/null || true
				;;
			*)
				[ -z "$old" ] || warn "$dir was a worktree of $old: removed; 'git worktree prune' there drops its entry"
				rm -rf "$dir"
				;;
			esac
		fi
	fi
	git -C "$repo" worktree prune
	if [ "$WT_REUSED" = 1 ]; then
		git -C "$dir" am --abort >/dev/null 2>&1 || true
		if [ -n "$branch" ]; then
			git -C "$dir" checkout -q -f -B "$branch" "$commit"
		elif [ "$(git -C "$dir" rev-parse HEAD)" != "$(git -C "$repo" rev-parse "$commit^{commit}")" ]; then
			git -C "$dir" checkout -q -f --detach "$commit"
		fi
		git -C "$dir" reset -q --hard
		git -C "$dir" clean -q -f -d -x
	elif [ -n "$branch" ]; then
		git -C "$repo" worktree add -q -B "$branch" "$dir" "$commit"
	else
		git -C "$repo" worktree add -q --detach "$dir" "$commit"
	fi
}

# am_patches DIR PATCH...: git am each PATCH in the worktree DIR (project
# identity, no hooks, no 3-way merge), one progress line per patch; the
# first that fails is aborted and named with its failing file
am_patches() {
	local dir=$1 n=0 p out file opts=(--no-3way)
	shift
	# (also for 'am --abort': its reflog entry needs an identity)
	use_project_identity
	[ "${AM_COMMITTER_DATE_IS_AUTHOR_DATE:-1}" = 1 ] && opts+=(--committer-date-is-author-date)
	for p in "$@"; do
		n=$((n + 1))
		if ! out=$(git -C "$dir" -c core.hooksPath=/dev/null am "${opts[@]}" "$p" 2>&1); then
			printf '%s\n' "$out" | sed 's/^/    /' >&2
			git -C "$dir" am --abort >/dev/null 2>&1 || true
			file=$(failing_file "$out")
			if [ "$file" = unknown ] && grep -q 'does not look like\|Patch is empty\|Patch format detection failed' <<<"$out"; then
				die "patch $(basename "$p") is not a valid git format-patch mail (patch $n of $#)"
			fi
			die "patch $(basename "$p") does not apply (failing file: $file)"
		fi
		info "  [$n/$#] applied $(basename "$p")"
	done
}

# failing_file OUTPUT: the file named in a failed git am/apply's error output
failing_file() {
	local out=$1 f
	f=$(sed -n 's/^error: patch failed: \(.*\):[0-9]*$/\1/p' <<<"$out" | head -n1)
	[ -n "$f" ] || f=$(sed -n 's/^error: \(.*\): \(does not exist in index\|already exists in index\|already exists in working directory\|No such file or directory\|does not match index\)$/\1/p' <<<"$out" | head -n1)
	printf '%s\n' "${f:-unknown}"
}

# cross_prefix ARCH: the CROSS_COMPILE prefix for a kernel ARCH, empty for
# the host's own (x86_64) and UML.
cross_prefix() {
	case $1 in
	um | x86_64 | x86) ;;
	arm64) echo aarch64-linux-gnu- ;;
	riscv) echo riscv64-linux-gnu- ;;
	powerpc) echo powerpc64le-linux-gnu- ;;
	s390) echo s390x-linux-gnu- ;;
	loongarch) "$REPO_ROOT/scripts/loongarch-toolchain.sh" || die "no LoongArch cross compiler" ;;
	*) die "no cross compiler known for ARCH=$1" ;;
	esac
}

# debian_apt DIR SUITE TYPE...: a private apt state for the Debian suite
# SUITE (unstable, trixie, ...) in DIR, with the source types TYPE (deb,
# deb-src), updated; sets DEBIAN_APT to the apt options that use it; fails
# (log: DIR/update.log) when the update does.  The system's apt sources,
# lists and dpkg status are not touched, and no root is needed: what it
# downloads is unpacked by the caller under $TOOLS_DIR, never installed.
DEBIAN_APT=()
debian_apt() {
	local st=$1 suite=$2 t keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	shift 2
	need_tool apt-get apt
	[ -f "$keyring" ] || die "$keyring missing; install debian-archive-keyring"
	rm -rf "$st"
	mkdir -p "$st/lists/partial" "$st/archives/partial"
	for t in "$@"; do
		printf '%s [signed-by=%s] http://deb.debian.org/debian %s main\n' "$t" "$keyring" "$suite"
	done >"$st/sources.list"
	DEBIAN_APT=(-q -o "Dir::Etc::sourcelist=$st/sources.list" -o Dir::Etc::sourceparts=/dev/null
		-o "Dir::State::Lists=$st/lists" -o Dir::State::status=/dev/null
		-o "Dir::Cache=$st" -o "Dir::Cache::archives=$st/archives"
		-o "APT::Sandbox::User=$(id -un)" -o Debug::NoLocking=1)
	apt-get "${DEBIAN_APT[@]}" update >"$st/update.log" 2>&1
}

# have_suite TYPE SUITE DIR: does the apt configuration in DIR (/etc/apt)
# have an enabled source of TYPE (deb, deb-src) for SUITE?  One-line
# sources.list / *.list entries, and deb822 *.sources stanzas whose Types
# and Suites name them (a stanza with "Enabled: no" does not count)
have_suite() {
	local type=$1 suite=$2 dir=$3
	grep -qsE "^[[:space:]]*${type}[[:space:]].*[[:space:]]${suite}([[:space:]]|$)" "$dir/sources.list" "$dir"/sources.list.d/*.list && return 0
	awk -v t="$type" -v s="$suite" '
		function end() { if (ty && su && en) f = 1; ty = su = 0; en = 1 }
		BEGIN { en = 1 }
		FNR == 1 { end() }
		/^[[:space:]]*#/ { next }
		/^[[:space:]]*$/ { end(); next }
		tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == t) ty = 1 }
		tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == s) su = 1 }
		tolower($1) == "enabled:" { en = (tolower($2) != "no") }
		END { end(); exit !f }' "$dir"/sources.list.d/*.sources 2>/dev/null
}

# resolve_config TREE ITEM: a KUNITCONFIGS or QEMU_CONFIG entry of a runs
# file as an absolute path: tree:PATH (in the kernel tree), NAME (a
# fragment of configs/kconfig/), or a path of this repository
resolve_config() {
	local tree=$1 item=$2
	case $item in
	tree:*) printf '%s\n' "$tree/${item#tree:}" ;;
	/*) printf '%s\n' "$item" ;;
	*/*) printf '%s\n' "$REPO_ROOT/$item" ;;
	*) printf '%s\n' "$KCONFIG_DIR/$item.config" ;;
	esac
}

mkdir -p "$CACHE" "$LOG_DIR" "$RESULTS_DIR"

# require_work: load $CACHE/work.env written by a successful 'make apply'.
require_work() {
	{ [ -f "$CACHE/work.env" ] && [ -d "$WORK_DIR" ]; } ||
		die "no applied tree in $WORK_DIR (run 'make apply' first)"
	# shellcheck disable=SC1091
	. "$CACHE/work.env"
	[ "$(git -C "$WORK_DIR" rev-parse HEAD)" = "$WORK_HEAD" ] ||
		die "$WORK_DIR has moved since 'make apply' (run 'make apply' again)"
}
