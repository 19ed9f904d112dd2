#!/usr/bin/env bash
# per-patch-build.sh: build the kernel after each patch of the series (1..N),
# incrementally (persistent O= dir + ccache), to find a patch that breaks
# the build.  ARCHES="x86_64 arm64 riscv powerpc" (default x86_64).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

ARCHES=${ARCHES:-x86_64}
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
git --git-dir="$gd" worktree add -q --detach "$ptree" "${commits[0]}"
cleanup() { git --git-dir="$gd" worktree remove --force "$ptree" 2>/dev/null || true; }
trap cleanup EXIT

arch_setup() { # ARCH -> sets karch cross defcfg opts
	cross=''
	opts=()
	case $1 in
	x86_64) karch=x86_64 defcfg=x86_64_defconfig ;;
	arm64) karch=arm64 cross=aarch64-linux-gnu- defcfg=defconfig ;;
	riscv) karch=riscv cross=riscv64-linux-gnu- defcfg=defconfig ;;
	powerpc) karch=powerpc cross=powerpc64le-linux-gnu- defcfg=ppc64le_defconfig ;;
	*) die "unsupported arch '$1' (x86_64 arm64 riscv powerpc)" ;;
	esac
	if [ -n "$cross" ]; then
		need_tool "${cross}gcc" "gcc-${cross%-}"
		opts=(CROSS_COMPILE="$cross" CC="ccache ${cross}gcc")
	else
		opts=(CC="ccache gcc")
	fi
}

# options exercised by the vmemmap work, on top of each arch's defconfig
frag=$(mktemp)
trap 'cleanup; rm -f "$frag"' EXIT
printf '%s\n' CONFIG_SPARSEMEM_VMEMMAP=y CONFIG_MEMORY_HOTPLUG=y CONFIG_MEMORY_HOTREMOVE=y \
	CONFIG_HUGETLBFS=y CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP=y CONFIG_ZONE_DEVICE=y \
	CONFIG_DEV_PAGEMAP_OPS=y CONFIG_TRANSPARENT_HUGEPAGE=y >"$frag"

broken=()
for a in $ARCHES; do
	arch_setup "$a"
	o=$BUILD_ROOT/per-patch-$a
	mkdir -p "$o"
	git -C "$ptree" checkout -q --detach "${commits[0]}"
	if [ ! -f "$o/.config" ]; then
		if [ "$a" = x86_64 ] && [ -f "$BUILD_ROOT/x86_64/.config" ]; then
			cp "$BUILD_ROOT/x86_64/.config" "$o/.config"
		else
			make -C "$ptree" O="$o" ARCH="$karch" "${opts[@]}" "$defcfg" >/dev/null
			merge_fragments "$ptree" "$o" "$karch" "$frag"
		fi
	fi
	n=0
	for c in "${commits[@]}"; do
		n=$((n + 1))
		subj=$(git -C "$ptree" log -1 --format=%s "$c")
		git -C "$ptree" checkout -q --detach "$c"
		log=$LOG_DIR/per-patch-$a-$(printf %04d "$n").log
		step "[$a $n/${#commits[@]}] building after: $subj (log: $log)"
		t0=$(date +%s)
		if make -C "$ptree" O="$o" ARCH="$karch" "${opts[@]}" -j"$JOBS" olddefconfig all >"$log" 2>&1; then
			info "    ok ($(($(date +%s) - t0))s)"
		else
			grep -E 'error:|Error [0-9]' "$log" | head -n 10 | sed 's/^/    /'
			warn "$a: build breaks at patch $n: $subj"
			broken+=("$a: patch $n ($subj)")
			break
		fi
	done
done

if [ "${#broken[@]}" -gt 0 ]; then
	printf 'per-patch-build: broken:\n'
	printf '  %s\n' "${broken[@]}"
	exit 1
fi
info "per-patch-build: every prefix of the series builds on: $ARCHES"
