#!/usr/bin/env bash
# Run the applied tree's scripts/checkpatch.pl --strict on every patch in
# series order.  Fails if any patch has an error, warning or check.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_tool perl perl
require_work
mapfile -t patches < <(series_paths)
log=$LOG_DIR/checkpatch.log
: >"$log"

# checkpatch runs scripts/spdxcheck.py with the first python3 in PATH; it
# needs python3-ply, which only Debian's own python3 has.
export PATH=/usr/bin:$PATH

# checkpatch resolves the commit ids of Fixes: tags in the tree's git
# history.  The Debian base is one commit without upstream history, so there
# they cannot be resolved: skip that one check and say so.  A KERNEL_SRC tree
# with history checks them.
# CAMELCASE is left out: checkpatch only knows the mixed-case names it sees
# defined in include/, and the page flag accessors (__SetPageReserved() and
# the like) are made by macros in page-flags.h, so every use is a false
# positive.
cp_opts=(--strict --color=never --ignore CAMELCASE)
if [ "$(git -C "$WORK_DIR" rev-list --count HEAD)" -le "$(( ${#patches[@]} + 1 ))" ]; then
	cp_opts+=(--ignore UNKNOWN_COMMIT_ID)
	info "  (base has no upstream history: Fixes: commit ids are not resolved)"
fi

bad=0
n=0
for p in "${patches[@]}"; do
	n=$((n + 1))
	name=$(basename "$p")
	out=$(cd "$WORK_DIR" && perl scripts/checkpatch.pl "${cp_opts[@]}" "$p" 2>&1) && rc=0 || rc=$?
	if grep -q '^Traceback' <<<"$out"; then
		# e.g. spdxcheck.py could not run: its checks were skipped
		printf '  [%d/%d] FAIL %s: checkpatch helper crashed\n' "$n" "${#patches[@]}" "$name"
		printf '%s\n' "$out" | sed -n '/^Traceback/,$p' | sed 's/^/      /'
		bad=$((bad + 1))
		continue
	fi
	printf '### %s\n%s\n\n' "$name" "$out" >>"$log"
	total=$(grep -E '^total: [0-9]+ errors, [0-9]+ warnings' <<<"$out" | tail -n1 || true)
	e=$(sed -n 's/^total: \([0-9]*\) errors, \([0-9]*\) warnings, \([0-9]*\) checks.*/\1 \2 \3/p' <<<"$total")
	read -r ne nw nc <<<"${e:-x x x}"
	if [ "$ne" = x ]; then
		printf '  [%d/%d] FAIL %s (checkpatch gave no summary, exit %d)\n' "$n" "${#patches[@]}" "$name" "$rc"
		printf '%s\n' "$out" | sed 's/^/      /'
		bad=$((bad + 1))
	elif [ "$ne" -ne 0 ] || [ "$nw" -ne 0 ] || [ "$nc" -ne 0 ] || [ "$rc" -ne 0 ]; then
		printf '  [%d/%d] FAIL %s: %s errors, %s warnings, %s checks\n' "$n" "${#patches[@]}" "$name" "$ne" "$nw" "$nc"
		grep -E '^(ERROR|WARNING|CHECK):' <<<"$out" | sed 's/^/      /' || true
		bad=$((bad + 1))
	else
		printf '  [%d/%d] ok   %s\n' "$n" "${#patches[@]}" "$name"
	fi
done
# MAINTAINERS.snippet is the MAINTAINERS hunk of the whole series.
snippet=$REPO_ROOT/MAINTAINERS.snippet
if [ -f "$snippet" ]; then
	if diff -u <(sed -n '/^diff --git/,$p' "$snippet") \
		<(git -C "$WORK_DIR" diff --full-index "$WORK_BASE_COMMIT" HEAD -- MAINTAINERS) >>"$log"; then
		info "  MAINTAINERS.snippet matches the series"
	else
		printf '  FAIL MAINTAINERS.snippet differs from the MAINTAINERS changes of the series (diff in %s)\n' "$log"
		bad=$((bad + 1))
	fi
fi

[ "$bad" -eq 0 ] || die "checkpatch: $bad of ${#patches[@]} patch(es) have errors/warnings/checks (full output: $log)"
info "checkpatch: ok: ${#patches[@]} patch(es) clean (log: $log)"
