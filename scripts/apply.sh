#!/usr/bin/env bash
# Recreate $CACHE/work: a git worktree of the base at BASE plus 'git am' of
# every patch in patches/series order.  The base repo's tag and checked-out
# tree are never modified; the user's KERNEL_SRC tree is only read (lib.sh:
# base_open).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_tool git git

base_open
repo=$BASE_GIT rev=$BASE_NAME base_commit=$BASE_COMMIT

if [ -z "${KERNEL_SRC:-}" ]; then
	dirty=$(git -C "$repo" status --porcelain --untracked-files=normal | head -n 5)
	[ -z "$dirty" ] || die "base repository $repo has uncommitted changes (e.g. $(head -n1 <<<"$dirty")); restore it with: git -C $repo checkout -f $rev && git -C $repo clean -fdx, or delete it and run 'make base'"
fi

mapfile -t patches < <(series_paths)

# Reuse the previous worktree when it belongs to the same repository, so
# that kernel builds stay incremental (lib.sh: prepare_worktree).
rm -f "$CACHE/work.env"
# (with KERNEL_SRC, $repo is the private repository of base_open: the
# branch 'series' is its own)
prepare_worktree "$repo" "$WORK_DIR" "$base_commit" series
if [ "$WT_REUSED" = 1 ]; then
	step "reset worktree $WORK_DIR to $rev ($(git -C "$repo" rev-parse --short "$base_commit"))"
else
	step "created worktree $WORK_DIR at $rev ($(git -C "$repo" rev-parse --short "$base_commit"))"
fi

step "applying ${#patches[@]} patch(es) from $PATCHES_DIR"
am_patches "$WORK_DIR" "${patches[@]}"

head=$(git -C "$WORK_DIR" rev-parse HEAD)
cat >"$CACHE/work.env" <<EOT
WORK_REPO='$repo'
WORK_BASE_REV='$rev'
WORK_BASE_COMMIT=$base_commit
WORK_HEAD=$head
WORK_NPATCHES=${#patches[@]}
EOT
info "apply: ok: ${#patches[@]} patch(es) on $rev; $WORK_DIR at $(git -C "$WORK_DIR" rev-parse --short HEAD)"
