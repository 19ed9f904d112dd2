#!/usr/bin/env bash
# sparse.sh: sparse (C=2) and W=1 checks of the .c files the series touches,
# on the base and on the applied tree (x86_64, KUnit-like config); fails on
# warnings the series adds.  Builds sparse from Debian sid's source package
# into $CACHE/tools/sparse when missing (bookworm's lacks __typeof_unqual__).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

SPARSE_DIR=$TOOLS_DIR/sparse
SPARSE=${SPARSE:-$SPARSE_DIR/sparse}
JOBS=${JOBS:-$(njobs)}

need_tool git git
need_tool make make
need_tool gcc gcc

sparse_ok() { # does $1 handle __typeof_unqual__?
	local t rc
	t=$(mktemp -d)
	printf 'static const int x = 1;\nint f(void);\nint f(void) { __typeof_unqual__(x) y = x; y++; return y; }\n' >"$t/t.c"
	"$1" "$t/t.c" >"$t/out" 2>&1 && rc=0 || rc=$?
	if [ "$rc" -ne 0 ] || grep -q 'error' "$t/out"; then rc=1; fi
	rm -rf "$t"
	return "$rc"
}

build_sparse() {
	need_tool dpkg-source dpkg-dev
	local src=$TOOLS_DIR/sparse-src d
	rm -rf "$src"
	mkdir -p "$src"
	step "fetching sparse source from Debian unstable (private apt state in $TOOLS_DIR/sid-src-apt)"
	debian_apt "$TOOLS_DIR/sid-src-apt" unstable deb-src ||
		die "apt-get update of Debian unstable failed (log: $TOOLS_DIR/sid-src-apt/update.log)"
	(cd "$src" && apt-get "${DEBIAN_APT[@]}" source sparse >"$LOG_DIR/sparse-source.log" 2>&1) ||
		die "apt-get source sparse (Debian unstable) failed (log: $LOG_DIR/sparse-source.log)"
	d=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'sparse-*' | head -n1)
	[ -n "$d" ] || die "no sparse source directory in $src"
	step "building $(basename "$d") (log: $LOG_DIR/sparse-build.log)"
	make -C "$d" -j"$JOBS" CC=gcc HAVE_LLVM=no HAVE_GTK=no HAVE_LIBXML=no HAVE_SQLITE=no sparse \
		>"$LOG_DIR/sparse-build.log" 2>&1 || die "building sparse failed (log: $LOG_DIR/sparse-build.log)"
	mkdir -p "$SPARSE_DIR"
	cp "$d/sparse" "$SPARSE_DIR/sparse"
	basename "$d" >"$SPARSE_DIR/VERSION"
}

if [ ! -x "$SPARSE" ] || ! sparse_ok "$SPARSE"; then
	[ "$SPARSE" = "$SPARSE_DIR/sparse" ] || die "SPARSE=$SPARSE does not handle __typeof_unqual__"
	build_sparse
	sparse_ok "$SPARSE" || die "built sparse still rejects __typeof_unqual__"
fi
info "sparse: using $SPARSE ($(cat "$SPARSE_DIR/VERSION" 2>/dev/null || "$SPARSE" --version 2>&1 | head -n1)); handles __typeof_unqual__"
[ "${1:-}" = --tool-only ] && exit 0

require_work

mapfile -t files < <(git -C "$WORK_DIR" diff --name-only --diff-filter=AMR "$WORK_BASE_COMMIT" HEAD -- '*.c')
if [ "${#files[@]}" -eq 0 ]; then
	info "sparse: the series touches no .c file; nothing to check"
	exit 0
fi
objs=()
for f in "${files[@]}"; do objs+=("${f%.c}.o"); done

# plain copy of the base (reused while the base commit is the same)
bsrc=$CACHE/sparse-base-src
if [ "$(cat "$bsrc/.base-commit" 2>/dev/null)" != "$WORK_BASE_COMMIT" ]; then
	step "exporting base to $bsrc"
	rm -rf "$bsrc"
	mkdir -p "$bsrc"
	gd=$(git -C "$WORK_DIR" rev-parse --path-format=absolute --git-common-dir)
	idx=$(mktemp)
	rm -f "$idx"
	GIT_INDEX_FILE=$idx git --git-dir="$gd" read-tree "$WORK_BASE_COMMIT"
	GIT_INDEX_FILE=$idx git --git-dir="$gd" checkout-index -a --prefix="$bsrc/"
	rm -f "$idx"
	echo "$WORK_BASE_COMMIT" >"$bsrc/.base-commit"
fi

# x86_64 config: the KUnit x86_64 run's .config, else defconfig + fragments
seed=$BUILD_ROOT/x86_64/.config
frags=()
if [ ! -f "$seed" ]; then
	seed=
	runs=$REPO_ROOT/kunit/runs.conf
	kcs=$(runs_lines "$runs" 2>/dev/null | awk '$1 == "x86_64" { print $3; exit }')
	[ -n "$kcs" ] || die "no x86_64 run in $runs: its fragments are the sparse config"
	IFS=, read -r -a items <<<"$kcs"
	for it in "${items[@]}"; do frags+=("$(resolve_config "$WORK_DIR" "$it")"); done
fi

setup_ccache
run_check() { # LABEL SRC O MODE(sparse|w1) -> normalised warnings on stdout
	local label=$1 src=$2 o=$3 mode=$4 log=$LOG_DIR/sparse-$1-$4.log
	mkdir -p "$o"
	if [ -n "$seed" ]; then
		cp "$seed" "$o/.config"
		make -C "$src" O="$o" ARCH=x86_64 olddefconfig >/dev/null
	elif [ ! -f "$o/.config" ] || [ "$o/.config" -ot "$PATCHES_DIR/series" ]; then
		configure_kernel "$src" "$o" x86_64_defconfig ARCH=x86_64 -- "${frags[@]}" >/dev/null ||
			die "$label: configuring x86_64_defconfig + the x86_64 run's fragments failed"
	fi
	local extra=(C=2 "CHECK=$SPARSE")
	[ "$mode" = w1 ] && extra=(W=1)
	step "$label: $mode on ${#objs[@]} object(s) (log: $log)" >&2
	make -C "$src" O="$o" ARCH=x86_64 -k -j"$JOBS" "CC=ccache gcc" "${extra[@]}" "${objs[@]}" >"$log" 2>&1 || true
	if [ "$mode" = sparse ] && ! grep -q '^ *CHECK ' "$log"; then
		warn "$label: sparse did not run (no CHECK lines in $log)"
		echo "__SPARSE_DID_NOT_RUN__"
	fi
	for ob in "${objs[@]}"; do
		[ -f "$o/$ob" ] || printf '%s: not built in this config\n' "$ob" >&2
	done
	# file:line:col: warning: msg  ->  file: warning: msg (paths relative to the tree)
	grep -E '(warning|error):' "$log" |
		sed -e "s|$src/||g" -e 's|^\(\.\./\)*||' -e 's|^\([^: ]*\):[0-9]*:[0-9]*:|\1:|' -e 's|^\([^: ]*\):[0-9]*:|\1:|' |
		grep -v '^make' | sort || true
}

status=0
for mode in sparse w1; do
	run_check base "$bsrc" "$BUILD_ROOT/sparse-base" "$mode" >"$LOG_DIR/sparse-base-$mode.warnings"
	run_check series "$WORK_DIR" "$BUILD_ROOT/sparse-series" "$mode" >"$LOG_DIR/sparse-series-$mode.warnings"
	if grep -q __SPARSE_DID_NOT_RUN__ "$LOG_DIR/sparse-series-$mode.warnings"; then
		status=1
	fi
	added=$(comm -13 "$LOG_DIR/sparse-base-$mode.warnings" "$LOG_DIR/sparse-series-$mode.warnings" | grep -v __SPARSE_DID_NOT_RUN__ || true)
	if [ -n "$added" ]; then
		printf '%s: warnings added by the series:\n' "$mode"
		printf '%s\n' "$added" | sed 's/^/    /'
		status=1
	else
		info "$mode: no warnings added ($(wc -l <"$LOG_DIR/sparse-series-$mode.warnings") in the touched files after, $(wc -l <"$LOG_DIR/sparse-base-$mode.warnings") before)"
	fi
done
[ "$status" -eq 0 ] || die "sparse/W=1: the series adds warnings (logs: $LOG_DIR/sparse-*.log)"
info "sparse: ok"
