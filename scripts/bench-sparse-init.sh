#!/usr/bin/env bash
# bench-sparse-init.sh: how long sparse_init() takes with one memmap_alloc()
# per section (7.3 + the series) and with the per-node preallocated
# sparse_buffer that 7.3 removed, on QEMU x86_64 guests of several sizes
# with one and two NUMA nodes.
#
# Two kernels from one worktree and one build dir, same config (allnoconfig
# + the fragments memory, hvo, x86_64, bench and deferred-on of
# configs/kconfig/):
#   series  7.3 + the series + bench/sparse-buffer/0001 (the measuring code:
#           get_cycles() around sparse_init(), memblock call counts)
#   buffer  the same + bench/sparse-buffer/0002 (sparse_buffer restored)
# Both carry the same measuring patch.  Each guest boots until the kernel
# prints its "BENCH sparse_init_cycles=..." line and the TSC frequency that
# turns cycles into time, then QEMU is stopped.  The medians go to a Markdown table
# (stdout and $CACHE/results/bench-sparse-init.md); the console logs to
# $CACHE/logs/bench-sparse-init/.
#
# Variables: SIZES ("4 16 64", GiB) NODE_COUNTS ("1 2") REPS (5) SMP (2)
# BENCH_TIMEOUT (300 s per boot) JOBS; KERNEL_SRC/BASE and PATCHES_DIR as
# for 'make apply'; KUNIT_ACCEL=kvm|tcg forces the accelerator.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

SIZES=${SIZES:-4 16 64}
NODE_COUNTS=${NODE_COUNTS:-1 2}
REPS=${REPS:-5}
SMP=${SMP:-2}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}
JOBS=${JOBS:-$(njobs)}

BENCH_DIR=$CACHE/bench
BLOG=$LOG_DIR/bench-sparse-init
FRAG_NAMES=(memory hvo x86_64 bench deferred-on)
BPATCH_DIR=$REPO_ROOT/bench/sparse-buffer
TABLE=$RESULTS_DIR/bench-sparse-init.md
SRC=$BENCH_DIR/sparse-src
O=$BUILD_ROOT/bench-sparse
KERNELS=(series buffer)

for v in REPS SMP BENCH_TIMEOUT JOBS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
done
if [ "$REPS" -lt 1 ] || [ "$SMP" -lt 1 ] || [ "$JOBS" -lt 1 ]; then
	die "REPS, SMP and JOBS must be at least 1"
fi
read -r -a sizes <<<"$SIZES"
read -r -a node_counts <<<"$NODE_COUNTS"
if [ "${#sizes[@]}" -eq 0 ] || [ "${#node_counts[@]}" -eq 0 ]; then
	die "SIZES and NODE_COUNTS must not be empty"
fi
for s in "${sizes[@]}"; do
	[[ $s =~ ^[1-9][0-9]*$ ]] || die "SIZES: '$s' is not a size in GiB"
done
for n in "${node_counts[@]}"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "NODE_COUNTS: '$n' is not a node count"
	[ "$n" -le "$SMP" ] || die "NODE_COUNTS: $n nodes need SMP >= $n (SMP=$SMP)"
	for s in "${sizes[@]}"; do
		[ $((s * 1024 % n)) -eq 0 ] || die "$s GiB cannot be split evenly in $n nodes"
	done
done

need_tool git git
need_tool make make
need_tool gcc gcc
need_tool timeout coreutils
need_tool python3 python3
need_tool qemu-system-x86_64 qemu-system-x86
frags=()
kconfig_frags frags "${FRAG_NAMES[@]}"
mapfile -t bpatches < <(find "$BPATCH_DIR" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' | LC_ALL=C sort)
[ "${#bpatches[@]}" -eq 2 ] ||
	die "$BPATCH_DIR must hold the two benchmark patches (measuring code, sparse_buffer restore); found ${#bpatches[@]}"
setup_ccache

t_start=$(date +%s)
mkdir -p "$BENCH_DIR" "$BLOG"

base_open
repo=$BASE_GIT rev=$BASE_NAME base_commit=$BASE_COMMIT

# ---- source: one worktree, two commits -------------------------------------
# series = base + series + measuring patch; buffer = series + restore patch.
mapfile -t patches < <(series_paths)
stampf=$BENCH_DIR/sparse-src.stamp
stamp=$({
	echo "$base_commit"
	for p in "${patches[@]}" "${bpatches[@]}"; do basename "$p"; sha256sum <"$p"; done
} | sha256sum | cut -d' ' -f1)
old_stamp='' c_series='' c_buffer=''
[ -f "$stampf" ] && read -r old_stamp c_series c_buffer <"$stampf"
if [ "$old_stamp" = "$stamp" ] && [ -d "$SRC" ] &&
   git -C "$SRC" cat-file -e "$c_buffer^{commit}" 2>/dev/null &&
   [ -z "$(git -C "$SRC" status --porcelain --untracked-files=normal 2>/dev/null)" ]; then
	step "source: $SRC already has the ${#patches[@]} patch(es) and the benchmark patches"
else
	rm -f "$stampf"
	step "source: $SRC = $rev + ${#patches[@]} patch(es) + ${#bpatches[@]} benchmark patch(es) (git am)"
	prepare_worktree "$repo" "$SRC" "$base_commit"
	am_patches "$SRC" "${patches[@]}" "${bpatches[0]}"
	c_series=$(git -C "$SRC" rev-parse HEAD)
	am_patches "$SRC" "${bpatches[@]:1}"
	c_buffer=$(git -C "$SRC" rev-parse HEAD)
	printf '%s %s %s\n' "$stamp" "$c_series" "$c_buffer" >"$stampf"
fi
commit_of() { case $1 in series) echo "$c_series" ;; buffer) echo "$c_buffer" ;; esac; }

# ---- kernels -----------------------------------------------------------------
img_of() { printf '%s\n' "$BENCH_DIR/sparse-$1.bzImage"; }
cfg_key=$(cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
mkdir -p "$O"
for k in "${KERNELS[@]}"; do
	c=$(commit_of "$k")
	key="$c $cfg_key"
	img=$(img_of "$k")
	if [ -f "$img" ] && [ "$(cat "$img.key" 2>/dev/null)" = "$key" ]; then
		step "build $k: $img is up to date ($(git -C "$SRC" log -1 --format=%s "$c"))"
		continue
	fi
	log=$BLOG/build-$k.log
	step "build $k: bzImage of $(git -C "$SRC" rev-parse --short "$c") in $O (log: $log)"
	git -C "$SRC" checkout -q -f --detach "$c"
	t0=$(date +%s)
	build_guest_kernel "$SRC" "$O" "$log" "$k" bzImage -- "${frags[@]}"
	cp "$O/arch/x86/boot/bzImage" "$img"
	echo "$key" >"$img.key"
	info "    built in $(($(date +%s) - t0))s"
done

# ---- boots -------------------------------------------------------------------
accel=$("$REPO_ROOT/scripts/qemu-accel.sh" "$(img_of series)") || accel=tcg
qemu_help=$(qemu-system-x86_64 -object memory-backend-ram,help 2>/dev/null || true)
reserve=
grep -q 'reserve=' <<<"$qemu_help" && reserve=,reserve=off
append="console=ttyS0 printk.time=1 panic=-1"

# boot KERNEL GIB NODES LOG: boot until the BENCH line, then stop QEMU.
boot() {
	local k=$1 gib=$2 nodes=$3 log=$4 mem=() per i node cpu pid t0 rc=0
	per=$((gib * 1024 / nodes))
	for ((i = 0; i < nodes; i++)); do
		mem+=(-object "memory-backend-ram,id=m$i,size=${per}M$reserve")
		if [ "$nodes" -eq 1 ]; then
			mem+=(-machine memory-backend=m0)
		else
			node="node,nodeid=$i,memdev=m$i"
			for ((cpu = i; cpu < SMP; cpu += nodes)); do node+=",cpus=$cpu"; done
			mem+=(-numa "$node")
		fi
	done
	local cmd=(qemu-system-x86_64 -accel "$accel" -cpu max -smp "$SMP" -m "${gib}G" "${mem[@]}"
		-nographic -no-reboot -kernel "$(img_of "$k")" -append "$append")
	printf '# bench-sparse-init %s %sG %s node(s): %s\n' "$k" "$gib" "$nodes" "${cmd[*]}" >"$log"
	"${cmd[@]}" </dev/null >>"$log" 2>&1 &
	pid=$!
	t0=$(date +%s)
	while kill -0 "$pid" 2>/dev/null; do
		grep -q 'BENCH sparse_init_cycles=' "$log" && grep -q 'tsc: Detected .* MHz' "$log" && break
		if [ $(($(date +%s) - t0)) -ge "$BENCH_TIMEOUT" ]; then
			rc=124
			break
		fi
		sleep 0.2
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	return "$rc"
}

rm -f "$BLOG"/series-*.log "$BLOG"/buffer-*.log
total=$((REPS * ${#sizes[@]} * ${#node_counts[@]} * ${#KERNELS[@]}))
i=0
failed=0
# rep-major order: slow drift of the host hits both kernels alike
for ((r = 1; r <= REPS; r++)); do
	for s in "${sizes[@]}"; do
		for n in "${node_counts[@]}"; do
			for k in "${KERNELS[@]}"; do
				i=$((i + 1))
				log=$BLOG/$k-${s}g-${n}n-$r.log
				boot "$k" "$s" "$n" "$log" && rc=0 || rc=$?
				line=$(grep -o 'BENCH sparse_init_cycles=.*' "$log" | head -n1 | tr -d '\r')
				mhz=$(sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' "$log" | head -n1)
				if [ -n "$line" ] && [ -n "$mhz" ]; then
					printf '  [%d/%d] %-6s %3s GiB %s node(s) #%d: %s tsc_mhz=%s\n' "$i" "$total" "$k" "$s" "$n" "$r" "${line#BENCH }" "$mhz"
				else
					failed=$((failed + 1))
					[ "$rc" -eq 124 ] && why="timeout ${BENCH_TIMEOUT}s" || why="QEMU exited"
					warn "$k ${s}G ${n} node(s) #$r: no BENCH line or no TSC frequency ($why); last lines of $log:"
					tail -n 6 "$log" | sed 's/^/    /' >&2
				fi
			done
		done
	done
done

# ---- table -------------------------------------------------------------------
base_desc="7.3 = $rev ($(git -C "$repo" rev-parse --short "$base_commit"))"
title="## sparse_init(): one memmap_alloc() per section vs sparse_buffer (accelerator: $accel)

QEMU x86_64 accel=$accel, -cpu max -smp $SMP, memory in 1 or N equal NUMA nodes; kernel: allnoconfig + configs/kconfig/{$(IFS=,; echo "${FRAG_NAMES[*]}")}.config.
series = $base_desc + the ${#patches[@]} patch(es); buffer = series + bench/sparse-buffer/0002 (sparse_buffer restored); both + bench/sparse-buffer/0001 (the measuring code).
Medians of REPS=$REPS boots per cell. $(date -u '+%Y-%m-%d %H:%M UTC')."
notes=(--note "sparse_init: get_cycles() (TSC) around sparse_init() in mm_core_init_early(), divided by the TSC frequency the same boot reports; the ratio is that of the medians. allocs/frees: memblock_alloc_range_nid()/memblock_phys_free() calls made by sparse_init(); regions: memblock.reserved regions after it (before it in parentheses).")
[ "$accel" != tcg ] || notes+=(--note "Under TCG the guest runs on an emulated CPU that shares the host: absolute times are much slower than hardware; compare the two kernels.")
python3 "$REPO_ROOT/scripts/bench-sparse-init-table.py" --title "$title" "${notes[@]}" "$BLOG" >"$TABLE.tmp" ||
	die "no table (logs: $BLOG)"
mv "$TABLE.tmp" "$TABLE"
echo
cat "$TABLE"
echo
el=$(($(date +%s) - t_start))
info "bench-sparse-init: table in $TABLE, boot logs in $BLOG; $((el / 60))m$((el % 60))s"
[ "$failed" -eq 0 ] || { warn "bench-sparse-init: $failed of $total boot(s) printed no BENCH line"; exit 1; }
