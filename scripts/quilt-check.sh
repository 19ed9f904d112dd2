#!/usr/bin/env bash
# Apply the series with quilt (--fuzz=0) to a fresh plain copy of the base in
# $CACHE/quilt and check that the result is byte-for-byte the git am tree.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_tool git git
need_tool quilt quilt
require_work

gd=$(git -C "$WORK_DIR" rev-parse --path-format=absolute --git-common-dir)
qpatches=$CACHE/quilt-patches

step "exporting base $WORK_BASE_REV to $QUILT_DIR"
rm -rf "$QUILT_DIR" "$qpatches"
mkdir -p "$QUILT_DIR" "$qpatches"
idx=$(mktemp)
trap 'rm -f "$idx"' EXIT
rm -f "$idx"
GIT_INDEX_FILE=$idx git --git-dir="$gd" read-tree "$WORK_BASE_COMMIT"
GIT_INDEX_FILE=$idx git --git-dir="$gd" checkout-index -a --prefix="$QUILT_DIR/"

# quilt works on a copy of the patches: it must never rewrite the repo's files
mapfile -t patches < <(series_paths)
cp "$PATCHES_DIR/series" "$qpatches/series"
for p in "${patches[@]}"; do
	rel=${p#"$PATCHES_DIR"/}
	mkdir -p "$qpatches/$(dirname "$rel")"
	cp "$p" "$qpatches/$rel"
done

if [ "${#patches[@]}" -gt 0 ]; then
	step "quilt push -a --fuzz=0 (${#patches[@]} patches)"
	if ! (cd "$QUILT_DIR" && QUILT_PATCHES=$qpatches QUILT_PC=.pc quilt --quiltrc=- push -a --fuzz=0 -q); then
		die "quilt push --fuzz=0 failed (see above)"
	fi
fi

step "comparing $QUILT_DIR with the git am tree ($WORK_DIR)"
if ! out=$("$REPO_ROOT/scripts/tree-compare.sh" "$gd" "$WORK_HEAD" "$QUILT_DIR"); then
	printf '%s\n' "$out" | sed 's/^/    /'
	die "quilt and git am results differ ($(wc -l <<<"$out") path(s))"
fi
info "quilt-check: ok: quilt result is identical to the git am tree"
