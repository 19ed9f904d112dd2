#!/usr/bin/env bash
# check.sh check|all: run the pipeline, keep going past failures where the
# later steps still make sense, print a summary; the LAST line of output is
# "N passed, N failed, N skipped": the KUnit cases over all runs, plus one
# failed test for each other step that failed.
#   check: deps base apply quilt-check checkpatch kunit test-tooling
#   all:   deps base apply kunit
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

mode=${1:-check}
case $mode in
check) steps=(deps base apply quilt-check checkpatch kunit test-tooling) ;;
all) steps=(deps base apply kunit) ;;
*) die "usage: check.sh check|all" ;;
esac

S=$REPO_ROOT/scripts
declare -A result=()
declare -A secs=()
failed_any=0

needs() { # STEP PREREQ...: ok to run?
	local p
	shift
	for p in "$@"; do
		[ "${result[$p]:-}" = ok ] || return 1
	done
	return 0
}

run_step() { # N NAME CMD...
	local n=$1 name=$2 t0 rc
	shift 2
	step "[$n/${#steps[@]}] $name"
	t0=$(date +%s)
	rc=0
	"$@" || rc=$?
	secs[$name]=$(($(date +%s) - t0))
	if [ "$rc" -eq 0 ]; then
		result[$name]=ok
	else
		result[$name]="FAILED (exit $rc)"
		failed_any=1
	fi
	return 0
}

# which runs: RUNS=... or all of kunit/runs.conf
runs_file=${KUNIT_RUNS_FILE:-$REPO_ROOT/kunit/runs.conf}
runs=()
if [ -n "${RUNS:-}" ]; then
	read -r -a runs <<<"${RUNS//,/ }"
elif [ -f "$runs_file" ]; then
	mapfile -t runs < <(runs_names "$runs_file")
fi

# results of this invocation only: never report an older run
for r in "${runs[@]}"; do
	rm -f "$RESULTS_DIR/$r.json" "$RESULTS_DIR/$r.meta"
done

n=0
for s in "${steps[@]}"; do
	n=$((n + 1))
	case $s in
	deps) run_step "$n" deps "$S/deps.sh" ;;
	base) run_step "$n" base "$S/fetch-base.sh" ;;
	apply)
		if needs apply base; then run_step "$n" apply "$S/apply.sh"; else result[apply]="skipped (no base)"; failed_any=1; fi ;;
	quilt-check)
		if needs x apply; then run_step "$n" quilt-check "$S/quilt-check.sh"; else result[quilt-check]="skipped (apply failed)"; fi ;;
	checkpatch)
		if needs x apply; then run_step "$n" checkpatch "$S/checkpatch.sh"; else result[checkpatch]="skipped (apply failed)"; fi ;;
	kunit)
		if needs x apply; then run_step "$n" kunit "$S/kunit.sh"; else result[kunit]="skipped (apply failed)"; fi ;;
	test-tooling) run_step "$n" test-tooling "$REPO_ROOT/tests/run.sh" ;;
	esac
done

echo
step "summary"
for s in "${steps[@]}"; do
	printf '  %-13s %s%s\n' "$s" "${result[$s]:-not run}" "${secs[$s]:+ (${secs[$s]}s)}"
done
printf '  logs:    %s\n  results: %s\n' "$LOG_DIR" "$RESULTS_DIR"
echo
if [ "${#runs[@]}" -eq 0 ]; then
	echo "no KUnit runs configured ($runs_file missing or empty)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
jsons=()
for r in "${runs[@]}"; do jsons+=("$RESULTS_DIR/$r.json"); done
# The last line counts the KUnit cases, and each other step that failed as
# one failed test: a red checkpatch or quilt-check cannot end in "0 failed".
# (The kunit step itself is counted by its cases: a run that did not build
# or boot is a failure of summary.py's.)
sum_rc=0
out=$(python3 "$S/summary.py" "${jsons[@]}") || sum_rc=$?
[ "$sum_rc" -eq 0 ] || failed_any=1
steps_failed=()
for s in "${steps[@]}"; do
	[ "$s" != kunit ] || continue
	case ${result[$s]:-} in FAILED*) steps_failed+=("$s") ;; esac
done
last=$(tail -n1 <<<"$out")
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
	head -n -1 <<<"$out"
	if [ "${#steps_failed[@]}" -gt 0 ]; then
		echo "failed steps (one failed test each): ${steps_failed[*]}"
	fi
	echo "${BASH_REMATCH[1]} passed, $((BASH_REMATCH[2] + ${#steps_failed[@]})) failed, ${BASH_REMATCH[3]} skipped"
else
	# summary.py could not count (its own error is above)
	printf '%s\n' "$out"
	echo "0 passed, $((1 + ${#steps_failed[@]})) failed, 0 skipped"
	failed_any=1
fi
exit "$failed_any"
