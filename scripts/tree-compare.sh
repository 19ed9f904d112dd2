#!/usr/bin/env bash
# tree-compare.sh GIT_DIR COMMIT DIR [EXCLUDE_PREFIX...]
# Exact comparison of the plain directory DIR with the tree of COMMIT in the
# repository GIT_DIR (content, file mode, symlinks, missing and extra files).
# Uses a temporary index, so neither the repository's index nor its refs or
# objects are touched.  Prints differing paths; exit 0 = identical, 1 = differ.
set -euo pipefail

[ "$#" -ge 3 ] || { echo "usage: $0 GIT_DIR COMMIT DIR [EXCLUDE_PREFIX...]" >&2; exit 2; }
gd=$1 commit=$2 dir=$3
shift 3
excl=(.git .pc "$@")

idx=$(mktemp)
trap 'rm -f "$idx"' EXIT
rm -f "$idx"
g() { GIT_INDEX_FILE=$idx git --git-dir="$gd" --work-tree="$dir" -c core.preloadIndex=true -c core.fileMode=true -c core.symlinks=true "$@"; }

g read-tree "$commit"
g update-index -q --refresh >/dev/null 2>&1 || true
mapfile -t changed < <(g diff-files --name-status | awk -F'\t' '{ print $1 "\t" $2 }')
mapfile -t extra < <(g ls-files -o | awk -v ex="${excl[*]}" '
	BEGIN { n = split(ex, e, " ") }
	{ for (i = 1; i <= n; i++) if ($0 == e[i] || index($0, e[i] "/") == 1) next; print }')

status=0
for c in "${changed[@]}"; do
	[ -n "$c" ] || continue
	case ${c%%$'\t'*} in
	D) printf 'only in %s: %s\n' "$commit" "${c#*$'\t'}" ;;
	*) printf 'differs: %s\n' "${c#*$'\t'}" ;;
	esac
	status=1
done
for e in "${extra[@]}"; do
	[ -n "$e" ] || continue
	printf 'only in %s: %s\n' "$dir" "$e"
	status=1
done
exit "$status"
