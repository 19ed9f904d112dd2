#!/usr/bin/env bash
# per-patch-build.sh: build the kernel after each patch of the series (1..N),
# incrementally (persistent O= dir + ccache), to find a patch that breaks
# the build or adds a compiler warning.  ARCHES="x86_64 arm64 riscv powerpc
# s390 loongarch" (default x86_64; loongarch with the compiler that
# scripts/loongarch-toolchain.sh unpacks from Debian unstable).
# FROM=N starts at patch N (the earlier ones were built before); ONLY="8 10 17"
# builds after those patches only (still incrementally, in that order).
# PP_CONFIG=defconfig|allnoconfig: the base config of the cross arches (and
# of x86_64 when there is no KUnit build config to start from); allnoconfig
# builds a small kernel that still links every vmemmap path (a few minutes
# per arch instead of half an hour on 2 cores).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

ARCHES=${ARCHES:-x86_64}
FROM=${FROM:-1}
ONLY=${ONLY:-}
PP_CONFIG=${PP_CONFIG:-defconfig}
case $FROM in '' | *[!0-9]*) die "FROM=$FROM: want a patch number (1..N)" ;; esac
for x in $ONLY; do
	case $x in *[!0-9]*) die "ONLY=$ONLY: want patch numbers (1..N)" ;; esac
done
case $PP_CONFIG in defconfig | allnoconfig) ;; *) die "PP_CONFIG=$PP_CONFIG: want defconfig or allnoconfig" ;; esac
JOBS=${JOBS:-$(njobs)}
need_tool git git
need_tool make make
need_tool ccache ccache
require_work
setup_ccache

mapfile -t commits < <(git -C "$WORK_DIR" rev-list --reverse "$WORK_BASE_COMMIT..HEAD")
[ "${#commits[@]}" -gt 0 ] || { info "per-patch-build: empty series"; exit 0; }

# private worktree (detached) that is moved from patch to patch
ptree=$CACHE/per-patch-src
gd=$(git -C "$WORK_DIR" rev-parse --path-format=absolute --git-common-dir)
if [ -e "$ptree" ]; then
	git --git-dir="$gd" worktree remove --force "$ptree" 2>/dev/null || rm -rf "$ptree"
fi
git --git-dir="$gd" worktree prune
if [ "$FROM" -lt 1 ] || [ "$FROM" -gt "${#commits[@]}" ]; then
	die "FROM=$FROM: the series has patches 1..${#commits[@]}"
fi
git --git-dir="$gd" worktree add -q --detach "$ptree" "${commits[0]}"
cleanup() { git --git-dir="$gd" worktree remove --force "$ptree" 2>/dev/null || true; }
trap cleanup EXIT

arch_setup() { # ARCH -> sets karch cross defcfg opts
	opts=()
	case $1 in
	x86_64) karch=x86_64 defcfg=x86_64_defconfig ;;
	arm64 | riscv | s390 | loongarch) karch=$1 defcfg=defconfig ;;
	powerpc) karch=powerpc defcfg=ppc64le_defconfig ;;
	*) die "unsupported arch '$1' (x86_64 arm64 riscv powerpc s390 loongarch)" ;;
	esac
	cross=$(cross_prefix "$karch")
	if [ -n "$cross" ]; then
		need_tool "${cross}gcc" "gcc-${cross%-}"
		opts=(CROSS_COMPILE="$cross" CC="ccache ${cross}gcc")
	else
		opts=(CC="ccache gcc")
	fi
}

# the fragments (configs/kconfig/) on top of each arch's defconfig or
# allnoconfig: the memory model and HVO, the other options the vmemmap
# work touches, and with allnoconfig the suites (as modules) and what
# makes riscv (MMU) and powerpc (64-bit Book3S, radix, 64K) vmemmap kernels
afrag=$(mktemp)
trap 'cleanup; rm -f "$afrag"' EXIT
frags=()
arch_frags() { # ARCH -> the array frags
	local names=(memory hotplug hvo per-patch)
	[ "$1" = x86_64 ] && names+=(dax)
	if [ "$PP_CONFIG" = allnoconfig ]; then
		names+=(per-patch-allnoconfig)
		case $1 in
		riscv) names+=(riscv64) ;;
		powerpc) names+=(ppc64le ppc64le-64k) ;;
		esac
	fi
	kconfig_frags frags "${names[@]}"
}

broken=()
warned=()
for a in $ARCHES; do
	arch_setup "$a"
	arch_frags "$a"
	cat "${frags[@]}" >"$afrag"
	# one build dir per (arch, starting config)
	if [ "$a" = x86_64 ] && [ "$PP_CONFIG" = defconfig ] && [ -f "$BUILD_ROOT/x86_64/.config" ]; then
		o=$BUILD_ROOT/per-patch-$a
	else
		o=$BUILD_ROOT/per-patch-$a-$PP_CONFIG
	fi
	mkdir -p "$o"
	# The config is made once, at the last patch (where every option of the
	# series exists), and kept as pp-seed.config: each build starts from it,
	# so that an option the earlier patches lack comes back later.
	# (syncconfig rewrites autoconf.h only when it changes: builds stay
	# incremental.)  It is made again when the last patch or the fragment
	# changed since (pp-seed.key).
	key=$(printf '%s\n' "${commits[${#commits[@]} - 1]}" "$PP_CONFIG" | cat - "$afrag" | sha256sum | cut -d' ' -f1)
	if [ ! -f "$o/pp-seed.config" ] || [ "$(cat "$o/pp-seed.key" 2>/dev/null)" != "$key" ]; then
		git -C "$ptree" checkout -q --detach "${commits[${#commits[@]} - 1]}"
		if [ "$a" = x86_64 ] && [ "$PP_CONFIG" = defconfig ] && [ -f "$BUILD_ROOT/x86_64/.config" ]; then
			cp "$BUILD_ROOT/x86_64/.config" "$o/.config"
		else
			[ "$PP_CONFIG" = allnoconfig ] && defcfg=allnoconfig
			configure_kernel "$ptree" "$o" "$defcfg" ARCH="$karch" "${opts[@]}" -- "${frags[@]}" >/dev/null ||
				die "$a: configuring $defcfg + ${frags[*]##*/} failed"
			lost=$(config_lost "$o/.config" "${frags[@]}")
			[ -z "$lost" ] || warn "$a ($defcfg): not set by the config: $(echo "$lost" | tr '\n' ' ')"
		fi
		cp "$o/.config" "$o/pp-seed.config"
		echo "$key" >"$o/pp-seed.key"
	fi
	n=0
	for c in "${commits[@]}"; do
		n=$((n + 1))
		[ "$n" -ge "$FROM" ] || continue
		if [ -n "$ONLY" ] && ! grep -qw "$n" <<<"$ONLY"; then
			continue
		fi
		subj=$(git -C "$ptree" log -1 --format=%s "$c")
		git -C "$ptree" checkout -q --detach "$c"
		log=$LOG_DIR/per-patch-$a-$(printf %04d "$n").log
		step "[$a $n/${#commits[@]}] building after: $subj (log: $log)"
		t0=$(date +%s)
		cp "$o/pp-seed.config" "$o/.config"
		if make -C "$ptree" O="$o" ARCH="$karch" "${opts[@]}" -j"$JOBS" olddefconfig all >"$log" 2>&1; then
			# incremental: the warnings of the files this step rebuilt
			nw=$(grep -c 'warning:' "$log" || true)
			if [ "$nw" -gt 0 ]; then
				grep 'warning:' "$log" | head -n 10 | sed 's/^/    /'
				warn "$a: $nw compiler warning(s) after patch $n: $subj"
				warned+=("$a: patch $n ($subj): $nw warning(s)")
			fi
			info "    ok ($(($(date +%s) - t0))s, $nw warning(s))"
		else
			grep -E 'error:|Error [0-9]' "$log" | head -n 10 | sed 's/^/    /'
			warn "$a: build breaks at patch $n: $subj"
			broken+=("$a: patch $n ($subj)")
			break
		fi
	done
done

if [ "${#warned[@]}" -gt 0 ]; then
	printf 'per-patch-build: compiler warnings:\n'
	printf '  %s\n' "${warned[@]}"
fi
if [ "${#broken[@]}" -gt 0 ]; then
	printf 'per-patch-build: broken:\n'
	printf '  %s\n' "${broken[@]}"
	exit 1
fi
[ "${#warned[@]}" -eq 0 ] || exit 1
if [ -n "$ONLY" ]; then
	info "per-patch-build: the series builds after patches $ONLY on: $ARCHES ($PP_CONFIG)"
elif [ "$FROM" -gt 1 ]; then
	info "per-patch-build: the series builds after each of patches $FROM..${#commits[@]} on: $ARCHES ($PP_CONFIG)"
else
	info "per-patch-build: every prefix of the series builds on: $ARCHES ($PP_CONFIG)"
fi
