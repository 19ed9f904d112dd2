#!/usr/bin/env bash
# kunit.sh [NAME...]: run the KUnit runs of kunit/runs.conf (all, those named,
# or RUNS="a b") on the applied tree.  Per run: kunit.py build, choose the
# QEMU accelerator (non-UML), kunit.py exec --json.  Results go to
# $CACHE/results/NAME.json (+ NAME.meta), logs to $CACHE/logs/NAME.log.
# Exit status: non-zero if any run failed (all runs are attempted).
# KUNIT_SRC=tree KUNIT_BUILD_ROOT=dir KUNIT_OUT=dir (scripts/mutants.sh): run
# on another checkout of the applied tree, with its own builds, results and
# logs, leaving those of `make check` alone.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

RUNS_FILE=${KUNIT_RUNS_FILE:-$REPO_ROOT/kunit/runs.conf}
KUNIT_TIMEOUT=${KUNIT_TIMEOUT:-1500}
JOBS=${JOBS:-$(njobs)}
KUNIT_CC=${KUNIT_CC:-ccache gcc}

need_tool python3 python3
need_tool make make
need_tool gcc gcc
command -v ccache >/dev/null 2>&1 || KUNIT_CC=gcc
[ -f "$RUNS_FILE" ] || die "no runs file $RUNS_FILE"
require_work
setup_ccache
SRC=${KUNIT_SRC:-$WORK_DIR}
BUILD_ROOT=${KUNIT_BUILD_ROOT:-$BUILD_ROOT}
if [ -n "${KUNIT_OUT:-}" ]; then
	RESULTS_DIR=$KUNIT_OUT LOG_DIR=$KUNIT_OUT
fi
mkdir -p "$RESULTS_DIR" "$LOG_DIR"

# all runs: lines "NAME ARCH KUNITCONFIGS QEMU_CONFIG [KERNEL_ARG...]"
mapfile -t lines < <(runs_lines "$RUNS_FILE")
declare -A line_of=() build_of=()
all=()
for l in "${lines[@]}"; do
	read -r n a k q _ <<<"$l"
	[ -n "${q:-}" ] || die "$RUNS_FILE: bad line (want NAME ARCH KUNITCONFIGS QEMU_CONFIG [KERNEL_ARG...]): $l"
	# Runs with the same architecture and fragments (the radix and hash
	# MMU runs of powerpc) share one build directory, named after the
	# first of them in the file: the second build finds nothing to do.
	: "${build_of["$a $k"]:=$n}"
	line_of[$n]=$l
	all+=("$n")
done

want=("$@")
if [ "${#want[@]}" -eq 0 ] && [ -n "${RUNS:-}" ]; then
	read -r -a want <<<"${RUNS//,/ }"
fi
[ "${#want[@]}" -gt 0 ] || want=("${all[@]}")
for n in "${want[@]}"; do
	[ -n "${line_of[$n]:-}" ] || die "no run named '$n' in $RUNS_FILE (have: ${all[*]})"
done

kunit_py=(python3 tools/testing/kunit/kunit.py)
failed=0
i=0
for name in "${want[@]}"; do
	i=$((i + 1))
	read -r _ arch kcs qcfg kargs <<<"${line_of[$name]}"
	log=$LOG_DIR/$name.log
	json=$RESULTS_DIR/$name.json
	meta=$RESULTS_DIR/$name.meta
	bdir=$BUILD_ROOT/${build_of["$arch $kcs"]}
	rm -f "$json" "$meta"
	mkdir -p "$bdir"
	: >"$log"
	console=$RESULTS_DIR/$name.console
	rm -f "$console"
	writemeta() { # STAGE EXIT ACCEL NOTE
		printf 'name=%s\narch=%s\nstage=%s\nexit=%s\naccel=%s\nlog=%s\nnote=%s\n' \
			"$name" "$arch" "$1" "$2" "$3" "$log" "$4" >"$meta"
		# the kernel's console (kunit.py's test.log), for the summary's
		# splat check; copied at once: runs can share a build dir
		if [ "$1" = exec ] && cp "$bdir/test.log" "$console" 2>/dev/null; then
			printf 'console=%s\n' "$console" >>"$meta"
		fi
	}

	common=(--build_dir="$bdir")
	# A run for another architecture than the host's is cross-compiled
	# with Debian's cross toolchain (make deps-all).
	cc=$KUNIT_CC
	cross=$(cross_prefix "$arch")
	if [ -n "$cross" ]; then
		if ! command -v "${cross}gcc" >/dev/null 2>&1; then
			warn "run $name: ${cross}gcc not found (make deps-all installs it)"
			writemeta config 1 - "no cross compiler ${cross}gcc"
			failed=$((failed + 1))
			continue
		fi
		common+=(--cross_compile="$cross")
		cc=${KUNIT_CC/gcc/${cross}gcc}
	fi
	missing=
	IFS=, read -r -a kc_items <<<"$kcs"
	for item in "${kc_items[@]}"; do
		f=$(resolve_config "$SRC" "$item")
		[ -f "$f" ] || missing="$missing $item"
		common+=(--kunitconfig="$f")
	done
	if [ "$qcfg" = - ]; then
		common+=(--arch="$arch")
	else
		qf=$(resolve_config "$SRC" "$qcfg")
		[ -f "$qf" ] || missing="$missing $qcfg"
		common+=(--arch="$arch" --qemu_config="$qf")
	fi
	if [ -n "$missing" ]; then
		warn "run $name: missing config file(s):$missing"
		writemeta config 1 - "missing config file(s):$missing"
		failed=$((failed + 1))
		continue
	fi

	step "[$i/${#want[@]}] $name: building $arch kernel in $bdir (log: $log)"
	t0=$(date +%s)
	if ! (cd "$SRC" && "${kunit_py[@]}" build "${common[@]}" --jobs="$JOBS" \
		--make_options="CC=$cc") 2>&1 | tee -a "$log"; then
		warn "run $name: kunit.py build failed (log: $log)"
		writemeta build 1 - "kernel build failed"
		failed=$((failed + 1))
		continue
	fi
	info "    built in $(($(date +%s) - t0))s"

	accel=-
	runpath=$PATH
	if [ "$qcfg" != - ]; then
		# the kernel image the run's QEMU config boots (its kernel_path=),
		# for the KVM probe
		kpath=$(sed -n "s/^[[:space:]]*kernel_path[[:space:]]*=[[:space:]]*['\"]\([^'\"]*\)['\"].*/\1/p" "$qf" | head -n1)
		[ -n "$kpath" ] || kpath=arch/x86/boot/bzImage
		case $arch in
		x86_64 | i386) accel=$("$REPO_ROOT/scripts/qemu-accel.sh" "$bdir/$kpath") || accel=tcg ;;
		*) accel=tcg ;;
		esac
		[ "$accel" = tcg ] && runpath=$REPO_ROOT/scripts/qemu-tcg:$PATH
	fi

	step "[$i/${#want[@]}] $name: running tests (accel: $accel, timeout ${KUNIT_TIMEOUT}s)"
	t0=$(date +%s)
	# Extra kernel arguments of the run (the hash MMU run of powerpc boots
	# the radix run's kernel with disable_radix).
	exec_args=()
	read -r -a karg_list <<<"${kargs:-}"
	for karg in "${karg_list[@]}"; do
		exec_args+=(--kernel_args="$karg")
	done
	rm -f "$bdir/test.log"
	(cd "$SRC" && PATH=$runpath "${kunit_py[@]}" exec "${common[@]}" "${exec_args[@]}" \
		--timeout="$KUNIT_TIMEOUT" --json="$json") 2>&1 | tee -a "$log" && rc=0 || rc=$?
	info "    ran in $(($(date +%s) - t0))s, kunit.py exit $rc"
	note=
	[ -s "$json" ] || note="no JSON results"
	writemeta exec "$rc" "$accel" "$note"
	if [ "$rc" -ne 0 ] || [ -n "$note" ]; then
		failed=$((failed + 1))
	fi
done

[ "$failed" -eq 0 ] || { warn "kunit: $failed of ${#want[@]} run(s) failed"; exit 1; }
info "kunit: ${#want[@]} run(s) ok"
