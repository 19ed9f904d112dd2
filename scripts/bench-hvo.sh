#!/usr/bin/env bash
# bench-hvo.sh: boot time and runtime HugeTLB vmemmap optimization (HVO)
# cost of Linux 7.3 (the base) against 7.3 + the series, on QEMU x86_64.
#
# Both kernels get the same small config (allnoconfig + the fragments
# memory, hvo, x86_64, bench, hotplug and bench-dax of configs/kconfig/), once with
# deferred-on.config (DEFERRED_STRUCT_PAGE_INIT=y) and once with
# deferred-off.config.  Each (kernel, config) boots REPS times with N
# boot-time 1 GiB HugeTLB pages in MEM of memory; a static /init
# (scripts/bench/init.c) reports its uptime, the memmap counters and
# MemTotal, then times growing and shrinking the 2 MiB pool by NR2M folios
# with HVO on and off, then (DAX=1) loads the out-of-tree module
# bench/dax-memmap/, built against the same kernel, to map DAX_GIB GiB of
# device memory at DAX_AT GiB with base pages, 2 MiB and 1 GiB compound
# pages and reads nr_memmap_pages and MemFree around each.  With REF=1 each
# kernel also boots once more without 1 GiB pages (CONFIGS' first entry),
# the reference for the boot-time vmemmap of those pages.  The medians go to
# a Markdown table (stdout and $CACHE/results/bench-hvo.md); raw console
# logs to $CACHE/logs/bench-hvo/ (scripts/bench-report.py reads them too).
#
# The DAX range lies above the end of the guest's RAM: nothing is behind it,
# and nothing touches it but the struct pages that describe it.
#
# Variables: N (8) MEM (12G) REPS (3) NR2M (512) SMP (2) NODES (1: no -numa)
# DAX (1) DAX_AT (64) DAX_GIB (2) REF (1) BENCH_TIMEOUT (600 s per boot)
# KERNELS ("base series") CONFIGS ("deferred nodeferred") JOBS;
# KERNEL_SRC/BASE and PATCHES_DIR as for 'make apply'; KUNIT_ACCEL=kvm|tcg
# forces the accelerator.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

N=${N:-8}
MEM=${MEM:-12G}
REPS=${REPS:-3}
NR2M=${NR2M:-512}
SMP=${SMP:-2}
NODES=${NODES:-1}
DAX=${DAX:-1}
DAX_AT=${DAX_AT:-64}
DAX_GIB=${DAX_GIB:-2}
REF=${REF:-1}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}
KERNELS=${KERNELS:-base series}
CONFIGS=${CONFIGS:-deferred nodeferred}
JOBS=${JOBS:-$(njobs)}

BENCH_DIR=$CACHE/bench
BLOG=$LOG_DIR/bench-hvo
DAX_MOD=$REPO_ROOT/bench/dax-memmap
INIT_C=$REPO_ROOT/scripts/bench/init.c
TABLE=$RESULTS_DIR/bench-hvo.md

for v in N REPS NR2M SMP NODES DAX DAX_AT DAX_GIB REF BENCH_TIMEOUT JOBS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
done
if [ "$REPS" -lt 1 ] || [ "$SMP" -lt 1 ] || [ "$NODES" -lt 1 ] || [ "$JOBS" -lt 1 ]; then
	die "REPS, SMP, NODES and JOBS must be at least 1"
fi
[ "$DAX_GIB" -ge 1 ] || die "DAX_GIB must be at least 1"
[[ $MEM =~ ^([0-9]+)([GgMm]?)$ ]] || die "MEM must be like 12G or 12288M, not '$MEM'"
case ${BASH_REMATCH[2]} in
[Gg]) mem_mib=$((BASH_REMATCH[1] * 1024)) ;;
*) mem_mib=$((BASH_REMATCH[1])) ;;
esac
read -r -a kernels <<<"$KERNELS"
read -r -a configs <<<"$CONFIGS"
for k in "${kernels[@]}"; do
	case $k in base | series) ;; *) die "KERNELS: '$k' is neither base nor series" ;; esac
done
for c in "${configs[@]}"; do
	case $c in deferred | nodeferred) ;; *) die "CONFIGS: '$c' is neither deferred nor nodeferred" ;; esac
done
if [ "${#kernels[@]}" -eq 0 ] || [ "${#configs[@]}" -eq 0 ]; then
	die "KERNELS and CONFIGS must not be empty"
fi

need_tool git git
need_tool make make
need_tool gcc gcc
need_tool cpio cpio
need_tool gzip gzip
need_tool timeout coreutils
need_tool python3 python3
need_tool qemu-system-x86_64 qemu-system-x86
[ -f "$INIT_C" ] || die "missing $INIT_C"
if [ "$DAX" -ne 0 ]; then
	[ -f "$DAX_MOD/Kbuild" ] || die "missing the measuring module in $DAX_MOD"
	[ $((DAX_AT * 1024)) -ge $((mem_mib + 4096)) ] ||
		die "DAX_AT=$DAX_AT GiB must lie above the guest's RAM (MEM=$MEM and QEMU's hole below 4 GiB)"
fi
frag_names=(memory hvo x86_64 bench)
[ "$DAX" -eq 0 ] || frag_names+=(hotplug bench-dax)
# every fragment there before anything builds
kconfig_frags all_frags "${frag_names[@]}" deferred-on deferred-off
cc="ccache gcc"
command -v ccache >/dev/null 2>&1 || cc=gcc
setup_ccache
mk=(ARCH=x86_64 "CC=$cc")

t_start=$(date +%s)
mkdir -p "$BENCH_DIR" "$BLOG"

base_open
repo=$BASE_GIT rev=$BASE_NAME base_commit=$BASE_COMMIT

# prepare_tree DIR: DIR becomes a clean detached worktree of $repo at the
# base commit (lib.sh: prepare_worktree; builds in it stay incremental).
prepare_tree() {
	prepare_worktree "$repo" "$1" "$base_commit"
}

want() { # want WORD LIST...: is WORD in LIST?
	local w=$1 x
	shift
	for x in "$@"; do [ "$x" = "$w" ] && return 0; done
	return 1
}

# ---- source trees ----------------------------------------------------------
series_desc=
if want base "${kernels[@]}"; then
	step "base source: $BENCH_DIR/base-src at $rev ($(git -C "$repo" rev-parse --short "$base_commit"))"
	prepare_tree "$BENCH_DIR/base-src"
fi
if want series "${kernels[@]}"; then
	mapfile -t patches < <(series_paths)
	src=$BENCH_DIR/series-src
	stampf=$BENCH_DIR/series-src.stamp
	stamp=$({
		echo "$base_commit"
		for p in "${patches[@]}"; do basename "$p"; sha256sum <"$p"; done
	} | sha256sum | cut -d' ' -f1)
	old_stamp='' old_head=''
	[ -f "$stampf" ] && read -r old_stamp old_head <"$stampf"
	if [ "$old_stamp" = "$stamp" ] && [ -d "$src" ] &&
	   [ "$(git -C "$src" rev-parse HEAD 2>/dev/null)" = "$old_head" ] &&
	   [ -z "$(git -C "$src" status --porcelain --untracked-files=normal 2>/dev/null)" ]; then
		step "series source: $src already has the ${#patches[@]} patch(es) of $PATCHES_DIR"
	else
		rm -f "$stampf"
		step "series source: $src = $rev + ${#patches[@]} patch(es) from $PATCHES_DIR (git am)"
		prepare_tree "$src"
		am_patches "$src" "${patches[@]}"
		printf '%s %s\n' "$stamp" "$(git -C "$src" rev-parse HEAD)" >"$stampf"
	fi
	series_desc="series = ${#patches[@]} patch(es), head $(git -C "$src" rev-parse --short HEAD)"
fi

# ---- initramfs ---------------------------------------------------------------
step "initramfs: static /init from scripts/bench/init.c"
initrd=$BENCH_DIR/initramfs.cpio.gz
static_initramfs "$INIT_C" "$initrd"
info "    $initrd ($(wc -c <"$initrd") bytes)"

# ---- kernels -----------------------------------------------------------------
build_kernel() { # KERNEL CONFIG
	local k=$1 c=$2 src=$BENCH_DIR/$1-src o=$BUILD_ROOT/bench-$1-$2 log t0 lost all=()
	log=$BLOG/build-$k-$c.log
	case $c in
	deferred) kconfig_frags all "${frag_names[@]}" deferred-on ;;
	nodeferred) kconfig_frags all "${frag_names[@]}" deferred-off ;;
	*) die "unknown config '$c' (deferred nodeferred)" ;;
	esac
	mkdir -p "$o"
	step "build $k/$c: bzImage in $o (log: $log)"
	t0=$(date +%s)
	local targets=(bzImage)
	[ "$DAX" -eq 0 ] || targets+=(modules)
	build_guest_kernel "$src" "$o" "$log" "$k/$c" "${targets[@]}" -- "${all[@]}"
	if [ "$DAX" -ne 0 ]; then
		# M= builds in the module's directory: a copy per kernel
		local m=$BENCH_DIR/mod-$k-$c
		rm -rf "$m" && mkdir -p "$m" && cp "$DAX_MOD"/Kbuild "$DAX_MOD"/*.c "$m"/
		local mlog=$BLOG/build-$k-$c-module.log
		if ! make -C "$src" O="$o" "${mk[@]}" M="$m" W=1 modules >"$mlog" 2>&1 ||
		   grep -q 'warning:' "$mlog"; then
			grep -E 'error:|warning:' "$mlog" | tail -n 10 | sed 's/^/    /' >&2
			die "building $DAX_MOD against $k/$c failed or warned (log: $mlog)"
		fi
		# a second initramfs segment with the module (the kernel unpacks both)
		local r
		r=$(mktemp -d)
		cp "$m/bench_dax_memmap.ko" "$r/"
		cpio_dir "$r" "$BENCH_DIR/mod-$k-$c.cpio.gz"
		rm -rf "$r"
		cat "$initrd" "$BENCH_DIR/mod-$k-$c.cpio.gz" >"$BENCH_DIR/initramfs-$k-$c.cpio.gz"
	fi
	info "    built in $(($(date +%s) - t0))s: $(cat "$o/include/config/kernel.release" 2>/dev/null)"
}

for k in "${kernels[@]}"; do
	for c in "${configs[@]}"; do
		build_kernel "$k" "$c"
	done
done

# ---- boots -------------------------------------------------------------------
img_of() { printf '%s\n' "$BUILD_ROOT/bench-$1-$2/arch/x86/boot/bzImage"; }
initrd_of() {
	if [ "$DAX" -ne 0 ]; then
		printf '%s\n' "$BENCH_DIR/initramfs-$1-$2.cpio.gz"
	else
		printf '%s\n' "$initrd"
	fi
}
accel=$("$REPO_ROOT/scripts/qemu-accel.sh" "$(img_of "${kernels[0]}" "${configs[0]}")") || accel=tcg

numa=()
if [ "$NODES" -gt 1 ]; then
	[ "$NODES" -le "$SMP" ] || die "NODES ($NODES) must not exceed SMP ($SMP)"
	per=$((mem_mib / NODES))
	for ((i = 0; i < NODES; i++)); do
		sz=$per
		[ "$i" -lt $((NODES - 1)) ] || sz=$((mem_mib - per * (NODES - 1)))
		node="node,nodeid=$i,memdev=m$i"
		for ((cpu = i; cpu < SMP; cpu += NODES)); do node+=",cpus=$cpu"; done
		numa+=(-object "memory-backend-ram,id=m$i,size=${sz}M" -numa "$node")
	done
fi
append="console=ttyS0 printk.time=1 printk.devkmsg=on hugepagesz=1G hugepages=$N hugetlb_free_vmemmap=on panic=-1 bench.nr2m=$NR2M"
[ "$DAX" -eq 0 ] || append+=" bench.dax=$((DAX_AT << 30)),$((DAX_GIB << 30))"

rm -f "$BLOG"/base-*.log "$BLOG"/series-*.log
total=$((REPS * ${#kernels[@]} * ${#configs[@]}))
[ "$REF" -eq 0 ] || total=$((total + ${#kernels[@]}))
i=0
failed=0

boot() { # KERNEL CONFIG NAME NR_1G: one boot, log $BLOG/KERNEL-CONFIG-NAME.log
	local k=$1 c=$2 name=$3 n1g=$4 log rc secs t0 ri up
	local cmd=(qemu-system-x86_64 -accel "$accel" -cpu max -smp "$SMP" -m "${mem_mib}M" "${numa[@]}"
		-nographic -no-reboot -kernel "$(img_of "$k" "$c")" -initrd "$(initrd_of "$k" "$c")"
		-append "${append/hugepages=$N /hugepages=$n1g }")
	i=$((i + 1))
	log=$BLOG/$k-$c-$name.log
	step "[$i/$total] boot $k/$c #$name, $n1g x 1 GiB (accel $accel, log: $log)"
	printf '# bench-hvo %s/%s #%s: %s\n' "$k" "$c" "$name" "${cmd[*]}" >"$log"
	t0=$(date +%s)
	timeout -k 10 "$BENCH_TIMEOUT" "${cmd[@]}" </dev/null >>"$log" 2>&1 && rc=0 || rc=$?
	secs=$(($(date +%s) - t0))
	printf '# qemu exit %s after %ss\n' "$rc" "$secs" >>"$log"
	if grep -q 'BENCH done=1' "$log"; then
		ri=$(sed -n 's/.*\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p' "$log" | head -n1)
		up=$(sed -n 's/.*BENCH uptime=\([0-9.]*\).*/\1/p' "$log" | head -n1)
		info "    Run /init at ${ri:-?} s, uptime ${up:-?} s; qemu ${secs}s"
		if grep -q 'BENCH error=' "$log"; then
			warn "$k/$c #$name: /init reported errors:"
			grep -o 'BENCH error=.*' "$log" | head -n 5 | sed 's/^/    /' >&2
		fi
	else
		failed=$((failed + 1))
		if [ "$rc" -eq 124 ]; then
			warn "$k/$c #$name: no 'BENCH done=1' within ${BENCH_TIMEOUT}s (timeout); last lines:"
		else
			warn "$k/$c #$name: no 'BENCH done=1' (qemu exit $rc); last lines:"
		fi
		tail -n 8 "$log" | sed 's/^/    /' >&2
	fi
}

# rep-major order: slow drift of the host (other jobs) hits both kernels alike
for ((r = 1; r <= REPS; r++)); do
	for c in "${configs[@]}"; do
		for k in "${kernels[@]}"; do
			boot "$k" "$c" "$r" "$N"
		done
	done
done
if [ "$REF" -ne 0 ]; then
	for k in "${kernels[@]}"; do
		boot "$k" "${configs[0]}" ref 0
	done
fi

# ---- table -------------------------------------------------------------------
base_desc="7.3 = $rev ($(git -C "$repo" rev-parse --short "$base_commit"))"
numa_desc=
[ "$NODES" -le 1 ] || numa_desc=", $NODES NUMA nodes"
title="## HugeTLB vmemmap optimization: boot and runtime cost (accelerator: $accel)

QEMU x86_64 accel=$accel, -cpu max -smp $SMP -m $MEM$numa_desc; kernel command line: \`$append\`.
Medians of REPS=$REPS boots per cell. $base_desc${series_desc:+; $series_desc}. $(date -u '+%Y-%m-%d %H:%M UTC')."
notes=(--note "Boot to init: printk time stamp of 'Run /init as init process'. 2M grow/shrink: guest CLOCK_MONOTONIC around writing NR2M=$NR2M (then 0) to hugepages-2048kB/nr_hugepages, divided by the folios obtained. nr_memmap_*: /proc/vmstat, in pages.")
[ "$accel" != tcg ] || notes+=(--note "Under TCG the guest clock runs against an emulated CPU sharing the host: times are noisy and much slower than hardware; compare the two kernels, not absolute values.")
python3 "$REPO_ROOT/scripts/bench-hvo-table.py" --title "$title" "${notes[@]}" "$BLOG" >"$TABLE.tmp" ||
	die "no table (logs: $BLOG)"
mv "$TABLE.tmp" "$TABLE"
echo
cat "$TABLE"
echo
el=$(($(date +%s) - t_start))
info "bench-hvo: table in $TABLE, boot logs in $BLOG; $((el / 60))m$((el % 60))s"
[ "$failed" -eq 0 ] || { warn "bench-hvo: $failed of $total boot(s) did not finish"; exit 1; }
