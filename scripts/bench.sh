#!/usr/bin/env bash
# bench.sh ('make bench'): what the series saves and what it costs, Linux 7.3
# against 7.3 + the series, from one run on this machine.
#
#   1. deps (plus gnuplot-nox) and the base, as for 'make'
#   2. scripts/bench-hvo.sh: the same config and the same /init for both
#      kernels; vmemmap of device-DAX 2 MiB/1 GiB, HugeTLB 2 MiB (runtime)
#      and 1 GiB (boot) from the kernels' counters, boot time to init with
#      N boot-time 1 GiB pages (DEFERRED_STRUCT_PAGE_INIT on and off), and
#      growing/shrinking the 2 MiB pool with HVO on and off
#   3. scripts/bench-sparse-init.sh (SPARSE_INIT=0 skips it): sparse_init() with
#      one memmap_alloc() per section against the old sparse_buffer
#   4. scripts/bench-report.py: $CACHE/results/bench/bench.md (printed at
#      the end) and vmemmap-per-gib.svg
#
# Variables: REPS (7 boots per cell of step 2), SPARSE_INIT (1),
# SPARSE_INIT_REPS (11), SPARSE_INIT_SIZES ("4 16 64"); the variables of bench-hvo.sh (N, MEM, NR2M,
# DAX_AT, DAX_GIB, ...), KERNEL_SRC/BASE, PATCHES_DIR, KUNIT_ACCEL.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

SPARSE_INIT=${SPARSE_INIT:-1}
SPARSE_INIT_REPS=${SPARSE_INIT_REPS:-11}
SPARSE_INIT_SIZES=${SPARSE_INIT_SIZES:-4 16 64}
export REPS=${REPS:-7}
for v in SPARSE_INIT SPARSE_INIT_REPS REPS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number, not '${!v}'"
done

t_start=$(date +%s)
elapsed() { local s=$(($(date +%s) - t_start)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
out=$RESULTS_DIR/bench

step "bench 1/4: packages and base"
"$REPO_ROOT/scripts/deps.sh" --bench
"$REPO_ROOT/scripts/fetch-base.sh"

step "bench 2/4: vmemmap, boot and HugeTLB runtime, 7.3 and series ($(elapsed))"
hvo_rc=0
DAX=1 REF=1 "$REPO_ROOT/scripts/bench-hvo.sh" || hvo_rc=$?
# a boot that did not finish is reported there; anything else is fatal
[ "$hvo_rc" -le 1 ] || die "bench-hvo failed (exit $hvo_rc)"
[ -f "$RESULTS_DIR/bench-hvo.md" ] || die "bench-hvo wrote no table"

sparse_args=()
sparse_rc=0
if [ "$SPARSE_INIT" -ne 0 ]; then
	step "bench 3/4: sparse_init(), per-section memmap vs sparse_buffer ($(elapsed))"
	REPS=$SPARSE_INIT_REPS SIZES=$SPARSE_INIT_SIZES "$REPO_ROOT/scripts/bench-sparse-init.sh" || sparse_rc=$?
	[ "$sparse_rc" -le 1 ] || die "bench-sparse-init failed (exit $sparse_rc)"
	sparse_args=(--sparse-table "$RESULTS_DIR/bench-sparse-init.md")
else
	step "bench 3/4: sparse_init() skipped (SPARSE_INIT=0)"
fi

step "bench 4/4: report ($(elapsed))"
accel=$(sed -n 's/.*accelerator: \([a-z]*\)).*/\1/p' "$RESULTS_DIR/bench-hvo.md" | head -n1)
title="## make bench: Linux 7.3 against 7.3 + the series (QEMU x86_64, accelerator: ${accel:-?})

$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) host CPUs; REPS=$REPS${sparse_args:+, SPARSE_INIT_REPS=$SPARSE_INIT_REPS}."
python3 "$REPO_ROOT/scripts/bench-report.py" --title "$title" \
	--hvo-logs "$LOG_DIR/bench-hvo" --hvo-table "$RESULTS_DIR/bench-hvo.md" \
	"${sparse_args[@]}" --out "$out" || die "no report (logs: $LOG_DIR/bench-hvo)"
info "bench: report in $out/bench.md, plot in $out/vmemmap-per-gib.svg; $(elapsed)"
if [ "$hvo_rc" -ne 0 ] || [ "$sparse_rc" -ne 0 ]; then
	warn "bench: some boots did not finish (see above); their cells are medians of the rest"
	exit 1
fi
