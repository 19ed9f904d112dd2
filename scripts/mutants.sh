#!/usr/bin/env bash
# mutants.sh: is every plausible bug caught?  Applies each mutant of
# tests/mutants/*.patch (MUTANTS="name ..." selects some) on top of the
# applied series in a scratch checkout ($CACHE/mutant-src), runs the KUnit
# runs the mutant names (its "Runs:" header, a subset of kunit/runs.conf;
# all of them by default) until one of them fails, and puts the tree back.
# A mutant is killed when a run fails (a failing case, a crash, an
# unexpected skip: what makes `make check` fail), survives when every run
# passes, and is broken when it does not apply or does not build (a mutant
# must be a bug, not a syntax error).  One line per mutant, then
# "N killed, N survived, N broken"; exit status 1 unless all are killed.
# Builds are incremental in $CACHE/build-mutants (ccache); `make check`'s
# tree, builds and results are left alone.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

MUTANT_DIR=${MUTANT_DIR:-$REPO_ROOT/tests/mutants}
RUNS_FILE=$REPO_ROOT/kunit/runs.conf
# a mutant that hangs the guest is killed by the timeout (a clean x86_64 run
# takes one to two minutes under TCG here)
export KUNIT_TIMEOUT=${KUNIT_TIMEOUT:-300}
need_tool git git
need_tool python3 python3

mapfile -t all < <(find "$MUTANT_DIR" -maxdepth 1 -name '*.patch' -printf '%f\n' | sort)
[ "${#all[@]}" -gt 0 ] || die "no mutants in $MUTANT_DIR"
want=()
if [ -n "${MUTANTS:-}" ]; then
	for m in ${MUTANTS//,/ }; do
		m=${m%.patch}
		[ -f "$MUTANT_DIR/$m.patch" ] || die "MUTANTS: no mutant '$m' in $MUTANT_DIR"
		want+=("$m.patch")
	done
else
	want=("${all[@]}")
fi
mapfile -t known_runs < <(runs_names "$RUNS_FILE")

# header "Key: value" of a mutant (before its diff)
header() { sed -n "/^diff --git/q; s/^$2: *//p" "$1" | head -n1; }

# every mutant is checked before anything is built
for m in "${want[@]}"; do
	f=$MUTANT_DIR/$m
	[ -n "$(header "$f" Mutant)" ] || die "$f: no 'Mutant:' line (what bug it plants)"
	grep -q '^diff --git' "$f" || die "$f: no diff"
	for r in $(header "$f" Runs); do
		[[ " ${known_runs[*]} " == *" $r "* ]] ||
			die "$f: Runs: '$r' is not a run of $RUNS_FILE (have: ${known_runs[*]})"
	done
done

# MUTANTS_CHECK_ONLY=1: only the checks above (make test-tooling)
[ -z "${MUTANTS_CHECK_ONLY:-}" ] || { info "mutants: ${#want[@]} well-formed"; exit 0; }
require_work

# the scratch checkout: a detached worktree at the applied head, reset
# before and after each mutant
tree=$CACHE/mutant-src
gd=$(git -C "$WORK_DIR" rev-parse --path-format=absolute --git-common-dir)
if ! git -C "$tree" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm -rf "$tree"
	git --git-dir="$gd" worktree prune
	step "creating the scratch tree $tree"
	git --git-dir="$gd" worktree add -q --detach "$tree" "$WORK_HEAD"
fi
reset_tree() {
	git -C "$tree" checkout -q -f --detach "$WORK_HEAD"
	git -C "$tree" clean -q -fdx
}
trap reset_tree EXIT
reset_tree

out_root=$CACHE/mutants
mkdir -p "$out_root"
killed=0 survived=0 broken=0
lines=()
i=0
for m in "${want[@]}"; do
	i=$((i + 1))
	f=$MUTANT_DIR/$m
	name=${m%.patch}
	read -r -a runs <<<"$(header "$f" Runs)"
	[ "${#runs[@]}" -gt 0 ] || runs=("${known_runs[@]}")
	step "[$i/${#want[@]}] mutant $name: $(header "$f" Mutant)"
	reset_tree
	if ! git -C "$tree" apply "$f" 2>"$out_root/$name.apply"; then
		lines+=("BROKEN    $name: does not apply to $WORK_HEAD ($(head -n1 "$out_root/$name.apply"))")
		broken=$((broken + 1))
		continue
	fi
	verdict=
	for r in "${runs[@]}"; do
		out=$out_root/$name
		rm -rf "$out"
		mkdir -p "$out"
		KUNIT_SRC=$tree KUNIT_BUILD_ROOT=$CACHE/build-mutants KUNIT_OUT=$out \
			"$REPO_ROOT/scripts/kunit.sh" "$r" >"$out/kunit.out" 2>&1 || true
		if grep -qx 'stage=build' "$out/$r.meta" 2>/dev/null ||
			grep -qx 'stage=config' "$out/$r.meta" 2>/dev/null; then
			verdict="BROKEN    $name: does not build for run $r (log: $out/$r.log)"
			broken=$((broken + 1))
			break
		fi
		python3 "$REPO_ROOT/scripts/summary.py" "$out/$r.json" >"$out/summary" 2>&1 && rc=0 || rc=$?
		if [ "$rc" -ne 0 ]; then
			why=$(sed -n 's/^ *FAILED: //p; s/^ *UNEXPECTED SKIP: \([^ ]*\).*/skipped \1/p; s/^ *RUN FAILED: //p' \
				"$out/summary" | head -n4 | paste -sd, - | sed 's/,/, /g')
			verdict="killed    $name by $r: ${why:-run failed}"
			killed=$((killed + 1))
			break
		fi
		info "    $r: passes"
	done
	if [ -z "$verdict" ]; then
		verdict="SURVIVED  $name (runs: ${runs[*]})"
		survived=$((survived + 1))
	fi
	info "    $verdict"
	lines+=("$verdict")
done

echo
step "mutants (series head $(git -C "$WORK_DIR" rev-parse --short "$WORK_HEAD"))"
printf '  %s\n' "${lines[@]}"
echo "$killed killed, $survived survived, $broken broken"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
