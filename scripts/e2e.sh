#!/usr/bin/env bash
# e2e.sh: device-DAX end to end through the real drivers, on 7.3 and on the
# series, under QEMU x86_64 ('make e2e').
#
# Each kernel (KERNELS, default "series"; "series base" adds 7.3):
# allnoconfig + the fragments memory, hotplug, x86_64, bench, debug-vm, dax
# and e2e of configs/kconfig/, bzImage in $BUILD_ROOT/e2e-KERNEL; the series from the applied tree ('make apply'),
# 7.3 from a worktree of the base.  It boots with E2E_MEM of memory of which
# the 2 GiB at 4 GiB are soft reserved (memmap=2G%4G+0xefffffff) for
# dax_hmem (region_idle: the region starts empty), and the static /init of
# tests/e2e/dax_e2e.c drives dax0.0 through sysfs and /dev/dax0.0 and prints
# KTAP to the console.  kunit.py parse turns each console log into
# $RESULTS_DIR/e2e-KERNEL.json, and scripts/summary.py counts them (a splat
# in the console fails the run).
#
# The expectation this kernel must meet is passed on its command line:
# e2e.per_page, the vmemmap pages of one optimized compound page, is 1 for
# the series (one private page, the tails on the shared page) and 2 for 7.3
# (the head page and one tail page, reused by the other tails).
#
# 7.3 fails cases 6 and 7 (a range off its align binds, and its unmap
# oopses): the bugs that patches 6 and 7 of the series fix.
#
# Variables: KERNELS ("series") E2E_MEM (5G) E2E_CYCLES (100)
# E2E_TIMEOUT (900 s per boot) JOBS; KUNIT_ACCEL=kvm|tcg forces the
# accelerator.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

KERNELS=${KERNELS:-series}
E2E_MEM=${E2E_MEM:-5G}
E2E_CYCLES=${E2E_CYCLES:-100}
E2E_TIMEOUT=${E2E_TIMEOUT:-900}
JOBS=${JOBS:-$(njobs)}
for v in E2E_CYCLES E2E_TIMEOUT JOBS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
done
# QEMU's pc machine puts the RAM above 3 GiB at 4 GiB: 5G gives 2 GiB there
if ! [[ $E2E_MEM =~ ^([0-9]+)G$ ]] || [ "${BASH_REMATCH[1]}" -lt 5 ]; then
	die "E2E_MEM must be 5G or more (the region is the 2 GiB at 4 GiB), not '$E2E_MEM'"
fi
read -r -a kernels <<<"$KERNELS"
[ "${#kernels[@]}" -gt 0 ] || die "KERNELS must not be empty"
for k in "${kernels[@]}"; do
	case $k in series | base) ;; *) die "KERNELS: '$k' is neither series nor base" ;; esac
done

REGION_START=$((4 << 30))
REGION_SIZE=$((2 << 30))
E2E_DIR=$CACHE/e2e
INIT_C=$REPO_ROOT/tests/e2e/dax_e2e.c

need_tool gcc gcc
need_tool cpio cpio
need_tool gzip gzip
need_tool python3 python3
need_tool qemu-system-x86_64 qemu-system-x86
[ -f "$INIT_C" ] || die "missing $INIT_C"
require_work
frags=()
kconfig_frags frags memory hotplug x86_64 bench debug-vm dax e2e
setup_ccache
mkdir -p "$E2E_DIR"

src_of() { # KERNEL -> its source tree
	case $1 in
	series) printf '%s\n' "$WORK_DIR" ;;
	base) printf '%s\n' "$CACHE/bench/base-src" ;;
	esac
}
for k in "${kernels[@]}"; do
	[ "$k" = base ] || continue
	base_open
	step "base source: $(src_of base) at $BASE_NAME ($(git -C "$BASE_GIT" rev-parse --short "$BASE_COMMIT"))"
	prepare_worktree "$BASE_GIT" "$(src_of base)" "$BASE_COMMIT"
done

# ---- kernels -----------------------------------------------------------------
for k in "${kernels[@]}"; do
	src=$(src_of "$k")
	o=$BUILD_ROOT/e2e-$k
	log=$LOG_DIR/e2e-$k-build.log
	step "build $k: bzImage of $(git -C "$src" log -1 --format='%h %s') in $o (log: $log)"
	t0=$(date +%s)
	build_guest_kernel "$src" "$o" "$log" "$k" bzImage -- "${frags[@]}"
	info "    built in $(($(date +%s) - t0))s"
done

# ---- initramfs ---------------------------------------------------------------
step "initramfs: static /init from tests/e2e/dax_e2e.c"
initrd=$E2E_DIR/initramfs.cpio.gz
static_initramfs "$INIT_C" "$initrd"

# ---- boots -------------------------------------------------------------------
accel=$("$REPO_ROOT/scripts/qemu-accel.sh" "$BUILD_ROOT/e2e-${kernels[0]}/arch/x86/boot/bzImage") || accel=tcg
jsons=()
for k in "${kernels[@]}"; do
	per_page=1
	[ "$k" = base ] && per_page=2
	name=e2e-$k
	log=$LOG_DIR/$name.log
	append="console=ttyS0 printk.devkmsg=on panic=-1 memhp_default_state=offline"
	append+=" memmap=2G%4G+0xefffffff dax_hmem.region_idle=1"
	append+=" e2e.region=$REGION_START,$REGION_SIZE e2e.per_page=$per_page e2e.cycles=$E2E_CYCLES"
	# one NUMA node (an SRAT): kmem needs the region's target node
	cmd=(qemu-system-x86_64 -accel "$accel" -cpu max -smp 2 -m "$E2E_MEM" -nographic -no-reboot
		-object "memory-backend-ram,id=m0,size=$E2E_MEM" -numa "node,nodeid=0,cpus=0-1,memdev=m0"
		-kernel "$BUILD_ROOT/e2e-$k/arch/x86/boot/bzImage" -initrd "$initrd" -append "$append")
	step "boot $k (accel $accel, log: $log)"
	printf '# e2e %s: %s\n' "$k" "${cmd[*]}" >"$log"
	t0=$(date +%s)
	timeout -k 10 "$E2E_TIMEOUT" "${cmd[@]}" </dev/null >>"$log" 2>&1 && rc=0 || rc=$?
	info "    qemu exit $rc after $(($(date +%s) - t0))s"
	note=
	grep -q 'E2E done=1' "$log" || note="no 'E2E done=1' in the console (qemu exit $rc)"
	json=$RESULTS_DIR/$name.json
	python3 "$WORK_DIR/tools/testing/kunit/kunit.py" parse --json="$json" "$log" >"$LOG_DIR/$name-parse.log" 2>&1 || true
	# exit: 0 when /init finished (its cases say the rest), else QEMU's
	printf 'name=%s\narch=x86_64\nstage=exec\nexit=%s\naccel=%s\nlog=%s\nnote=%s\nconsole=%s\n' \
		"$name" "$([ -z "$note" ] && echo 0 || echo "${rc/#0/1}")" "$accel" "$log" "$note" "$log" >"$RESULTS_DIR/$name.meta"
	grep -E '^\[ *[0-9.]+\] +# (align|kmem|range|[0-9]+ cycles)' "$log" | sed 's/^\[[^]]*\] */    /' || true
	jsons+=("$json")
done
python3 "$REPO_ROOT/scripts/summary.py" "${jsons[@]}"
