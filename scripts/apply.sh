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

# Reuse the previous worktree when it belongs to the same repository: a reset
# rewrites only the files the series touched, so kernel builds stay
# incremental.  Otherwise remove it, whichever repository it belonged to.
rm -f "$CACHE/work.env"
repo_common=$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir)
reuse=0
if [ -e "$WORK_DIR" ]; then
	old_common=$(git -C "$WORK_DIR" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
	if [ -n "$old_common" ] && [ "$old_common" = "$repo_common" ] &&
	   [ "$(git -C "$WORK_DIR" rev-parse --path-format=absolute --show-toplevel 2>/dev/null)" = "$(cd "$WORK_DIR" && pwd -P)" ]; then
		reuse=1
	else
		if [ -n "$old_common" ]; then
			git --git-dir="$old_common" worktree remove --force "$WORK_DIR" 2>/dev/null || true
		fi
		rm -rf "$WORK_DIR"
		if [ -n "$old_common" ]; then
			git --git-dir="$old_common" worktree prune 2>/dev/null || true
		fi
	fi
fi
git -C "$repo" worktree prune

if [ "$reuse" = 1 ]; then
	step "resetting worktree $WORK_DIR to $rev ($(git -C "$repo" rev-parse --short "$base_commit"))"
	git -C "$WORK_DIR" am --abort >/dev/null 2>&1 || true
	if [ -n "${KERNEL_SRC:-}" ]; then
		git -C "$WORK_DIR" checkout -q -f --detach "$base_commit"
	else
		git -C "$WORK_DIR" checkout -q -f -B series "$base_commit"
	fi
	git -C "$WORK_DIR" clean -q -f -d -x
else
	step "creating worktree $WORK_DIR at $rev ($(git -C "$repo" rev-parse --short "$base_commit"))"
	if [ -n "${KERNEL_SRC:-}" ]; then
		# no branch: refs of the user's repository are left alone
		git -C "$repo" worktree add -q --detach "$WORK_DIR" "$base_commit"
	else
		git -C "$repo" worktree add -q -B series "$WORK_DIR" "$base_commit"
	fi
fi

use_project_identity
am_opts=(--no-3way)
[ "${AM_COMMITTER_DATE_IS_AUTHOR_DATE:-1}" = 1 ] && am_opts+=(--committer-date-is-author-date)

failing_file() { # parse git am/apply error output
	local out=$1 f
	f=$(sed -n 's/^error: patch failed: \(.*\):[0-9]*$/\1/p' <<<"$out" | head -n1)
	[ -n "$f" ] || f=$(sed -n 's/^error: \(.*\): \(does not exist in index\|already exists in index\|already exists in working directory\|No such file or directory\|does not match index\)$/\1/p' <<<"$out" | head -n1)
	printf '%s\n' "${f:-unknown}"
}

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
