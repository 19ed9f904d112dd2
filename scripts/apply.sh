#!/usr/bin/env bash
# Recreate $CACHE/work: a git worktree of the base at BASE plus 'git am' of
# every patch in patches/series order.  The base repo's tag and checked-out
# tree (or the user's KERNEL_SRC tree) are never modified.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_tool git git

repo=$(base_repo)
rev=$(base_rev)
[ -n "${KERNEL_SRC:-}" ] || [ -d "$repo" ] || die "no base repository at $repo (run 'make base' first)"
check_base "$repo" "$rev"
base_commit=$(git -C "$repo" rev-parse "$rev^{commit}")

if [ -z "${KERNEL_SRC:-}" ]; then
	dirty=$(git -C "$repo" status --porcelain --untracked-files=normal | head -n 5)
	[ -z "$dirty" ] || die "base repository $repo has uncommitted changes (e.g. $(head -n1 <<<"$dirty")); restore it with: git -C $repo checkout -f $BASE_TAG && git -C $repo clean -fdx, or delete it and run 'make base'"
fi

mapfile -t patches < <(series_paths)

# Reuse the previous worktree when it belongs to the same repository, so
# that kernel builds stay incremental (lib.sh: prepare_worktree).
rm -f "$CACHE/work.env"
if [ -n "${KERNEL_SRC:-}" ]; then
	# no branch: refs of the user's repository are left alone
	prepare_worktree "$repo" "$WORK_DIR" "$base_commit"
else
	prepare_worktree "$repo" "$WORK_DIR" "$base_commit" series
fi
if [ "$WT_REUSED" = 1 ]; then
	step "reset worktree $WORK_DIR to $rev ($(git -C "$repo" rev-parse --short "$base_commit"))"
else
	step "created worktree $WORK_DIR at $rev ($(git -C "$repo" rev-parse --short "$base_commit"))"
fi

use_project_identity
am_opts=(--no-3way)
[ "${AM_COMMITTER_DATE_IS_AUTHOR_DATE:-1}" = 1 ] && am_opts+=(--committer-date-is-author-date)

step "applying ${#patches[@]} patch(es) from $PATCHES_DIR"
n=0
for p in "${patches[@]}"; do
	n=$((n + 1))
	name=$(basename "$p")
	if ! out=$(git -C "$WORK_DIR" -c core.hooksPath=/dev/null am "${am_opts[@]}" "$p" 2>&1); then
		printf '%s\n' "$out" | sed 's/^/    /' >&2
		git -C "$WORK_DIR" am --abort >/dev/null 2>&1 || true
		file=$(failing_file "$out")
		if [ "$file" = unknown ] && grep -q 'does not look like\|Patch is empty\|Patch format detection failed' <<<"$out"; then
			die "patch $name is not a valid git format-patch mail (patch $n of ${#patches[@]})"
		fi
		die "patch $name does not apply (failing file: $file)"
	fi
	info "  [$n/${#patches[@]}] applied $name"
done

head=$(git -C "$WORK_DIR" rev-parse HEAD)
cat >"$CACHE/work.env" <<EOT
WORK_REPO='$repo'
WORK_BASE_REV='$rev'
WORK_BASE_COMMIT=$base_commit
WORK_HEAD=$head
WORK_NPATCHES=${#patches[@]}
EOT
info "apply: ok: ${#patches[@]} patch(es) on $rev; $WORK_DIR at $(git -C "$WORK_DIR" rev-parse --short HEAD)"
