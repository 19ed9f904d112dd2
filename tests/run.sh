#!/usr/bin/env bash
# shellcheck disable=SC2016 # check ... eval '...' evaluates lazily on purpose
# Tests of the tooling itself (fixtures only; no kernel build, nothing sent).
# Prints ok/FAIL per test and "tooling tests: N ok, N failed".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIX=$ROOT/tests/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=../configs/identity.conf
. "$ROOT/configs/identity.conf"
# shellcheck source=../configs/base.conf
. "$ROOT/configs/base.conf"
REAL_CACHE=${VMEMMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmemmap-series}
# As on a fresh machine: no git identity, no user or system git
# configuration (only 'make send' may need one, and its tests set their own)
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL EMAIL

pass=0 fail=0
ok() { printf 'ok   %s\n' "$1"; pass=$((pass + 1)); }
bad() { printf 'FAIL %s\n' "$1"; [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/     | /'; fail=$((fail + 1)); }
# expect NAME COND_CMD... [details via $details]
details=
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name" "$details"; fi; details=; }

# A tiny stand-in "7.3 kernel" repo, tagged like the real base.
mkbase() { # DIR
	mkdir -p "$1"
	cp -r "$FIX/minibase/." "$1/"
	(
		cd "$1"
		export GIT_AUTHOR_NAME="$PROJECT_NAME" GIT_AUTHOR_EMAIL="$PROJECT_EMAIL"
		export GIT_COMMITTER_NAME="$PROJECT_NAME" GIT_COMMITTER_EMAIL="$PROJECT_EMAIL"
		export GIT_AUTHOR_DATE="$BASE_DATE" GIT_COMMITTER_DATE="$BASE_DATE"
		git init -q -b base
		git add -f -A .
		git commit -q -m "fixture base"
		git tag -a -m fixture "$BASE_TAG"
	)
}
# git with the project identity, for commits in fixtures: the tests never
# depend on the user's git configuration
pgit() {
	GIT_AUTHOR_NAME="$PROJECT_NAME" GIT_AUTHOR_EMAIL="$PROJECT_EMAIL" \
		GIT_COMMITTER_NAME="$PROJECT_NAME" GIT_COMMITTER_EMAIL="$PROJECT_EMAIL" git "$@"
}
state() { # REPO: everything that must not change
	git -C "$1" rev-parse HEAD "$BASE_TAG" "$BASE_TAG^{commit}"
	git -C "$1" symbolic-ref -q HEAD || true
	git -C "$1" status --porcelain
	# refs/heads/series is the tooling's own branch (checked out in $CACHE/work)
	git -C "$1" for-each-ref --format='%(refname) %(objectname)' refs/tags refs/heads | grep -v '^refs/heads/series ' || true
}
series() { # DIR PATCH... -> patches dir with a series file
	local dir=$1 p
	shift
	mkdir -p "$dir"
	: >"$dir/series"
	for p in "$@"; do cp "$p" "$dir/"; basename "$p" >>"$dir/series"; done
}

# ---- (a) a patch that does not apply -------------------------------------
C=$TMP/cache-a
mkbase "$C/base"
series "$TMP/pa" "$FIX/broken.patch"
before=$(state "$C/base")
set +e
out=$(VMEMMAP_CACHE=$C PATCHES_DIR=$TMP/pa "$ROOT/scripts/apply.sh" 2>&1)
rc=$?
set -e
after=$(state "$C/base")
details=$out
check "apply: broken patch exits non-zero" [ "$rc" -ne 0 ]
details=$out
check "apply: names the patch and the failing file" \
	grep -qx 'error: patch broken.patch does not apply (failing file: mm/sparse.c)' <<<"$out"
details=$(diff <(echo "$before") <(echo "$after") || true)
check "apply: base repo HEAD, tag, refs and status unchanged" [ "$before" = "$after" ]
check "apply: no leftover git am state" [ ! -d "$C/base/.git/worktrees/work/rebase-apply" ]

# the same through KERNEL_SRC (the user's tree): nothing in it changes, not
# its refs, checkout, worktree list or any file under .git (a stale worktree
# entry of the user's stays: the tooling never prunes there)
K=$TMP/usertree
mkbase "$K"
git -C "$K" checkout -q -b mywork
echo "local edit" >>"$K/Makefile"
pgit -C "$K" worktree add -q --detach "$TMP/user-wt" HEAD
rm -rf "$TMP/user-wt"
kstate() { # the user's tree: status, diff, then every file of .git but the index (git status refreshes it)
	state "$K"
	git -C "$K" diff
	(cd "$K/.git" && find . -path ./index -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum)
}
before=$(kstate)
set +e
out=$(VMEMMAP_CACHE=$TMP/cache-k KERNEL_SRC=$K BASE=$BASE_TAG PATCHES_DIR=$TMP/pa "$ROOT/scripts/apply.sh" 2>&1)
rc=$?
set -e
after=$(kstate)
details=$out
check "apply (KERNEL_SRC): broken patch fails with the file named" \
	eval '[ "$rc" -ne 0 ] && grep -q "failing file: mm/sparse.c" <<<"$out"'
details=$(diff <(echo "$before") <(echo "$after") || true)
check "apply (KERNEL_SRC): user's refs, HEAD, working tree and .git unchanged" [ "$before" = "$after" ]
series "$TMP/pk" "$FIX/good.patch"
set +e
out=$(VMEMMAP_CACHE=$TMP/cache-k KERNEL_SRC=$K BASE=$BASE_TAG PATCHES_DIR=$TMP/pk "$ROOT/scripts/apply.sh" 2>&1)
rc=$?
set -e
after=$(kstate)
details=$out$'\n'$(diff <(echo "$before") <(echo "$after") || true)
check "apply (KERNEL_SRC): applies in the private repository, the user's tree and .git unchanged" \
	eval '[ "$rc" -eq 0 ] && grep -q "return 2;" "$TMP/cache-k/work/mm/sparse.c" && [ "$before" = "$after" ] &&
		[ "$(git -C "$TMP/cache-k/work" rev-parse --path-format=absolute --git-common-dir)" = "$(cd "$TMP/cache-k" && pwd -P)/user-base" ] &&
		[ "$(git -C "$K" worktree list | wc -l)" -eq 2 ]'
set +e
out=$(VMEMMAP_CACHE=$TMP/cache-k KERNEL_SRC=$K BASE=v0.0-nonexistent PATCHES_DIR=$TMP/pa "$ROOT/scripts/apply.sh" 2>&1)
rc=$?
set -e
details=$out
check "apply (KERNEL_SRC): missing BASE is a clear error" \
	eval '[ "$rc" -ne 0 ] && grep -q "base .v0.0-nonexistent. does not exist" <<<"$out"'

# the fixture really does not apply to Linux 7.3 either (when the base exists)
if git -C "$REAL_CACHE/base" rev-parse -q --verify "$BASE_TAG" >/dev/null 2>&1; then
	details=
	check "broken.patch does not apply to the real $BASE_TAG" \
		eval '! git -C "$REAL_CACHE/base" apply --check "$FIX/broken.patch" 2>/dev/null'
else
	printf 'skip broken.patch vs real base (no %s/base yet)\n' "$REAL_CACHE"
fi

# the pinned base is the same commit on every machine (when it exists)
if git -C "$REAL_CACHE/base" rev-parse -q --verify "$BASE_TAG" >/dev/null 2>&1; then
	details=$(git -C "$REAL_CACHE/base" rev-parse "$BASE_TAG^{commit}")
	check "the real $BASE_TAG is the pinned commit $BASE_COMMIT_ID" [ "$details" = "$BASE_COMMIT_ID" ]
fi

# dirty base and wrong base are refused
echo dirt >>"$C/base/mm/sparse.c"
set +e
out=$(VMEMMAP_CACHE=$C PATCHES_DIR=$TMP/pa "$ROOT/scripts/apply.sh" 2>&1)
rc=$?
set -e
details=$out
check "apply: dirty base refused" eval '[ "$rc" -ne 0 ] && grep -q "uncommitted changes" <<<"$out"'
git -C "$C/base" checkout -q -- mm/sparse.c
W=$TMP/wrong
mkbase "$W"
sed -i 's/^PATCHLEVEL = 3/PATCHLEVEL = 2/' "$W/Makefile"
pgit -C "$W" commit -q -am "6.2"
set +e
out=$(VMEMMAP_CACHE=$TMP/cache-w KERNEL_SRC=$W BASE=HEAD PATCHES_DIR=$TMP/pa "$ROOT/scripts/apply.sh" 2>&1)
rc=$?
set -e
details=$out
check "apply: wrong base version refused" eval '[ "$rc" -ne 0 ] && grep -q "wrong base" <<<"$out"'

# ---- good patch: apply + quilt-check on the fixture base ------------------
series "$TMP/pg" "$FIX/good.patch"
set +e
out=$(VMEMMAP_CACHE=$C PATCHES_DIR=$TMP/pg "$ROOT/scripts/apply.sh" 2>&1 &&
	VMEMMAP_CACHE=$C PATCHES_DIR=$TMP/pg "$ROOT/scripts/quilt-check.sh" 2>&1)
rc=$?
set -e
details=$out
check "apply + quilt-check: good patch applies identically with both" \
	eval '[ "$rc" -eq 0 ] && grep -q "return 2;" "$C/work/mm/sparse.c" && grep -q "quilt-check: ok" <<<"$out"'
check "quilt-check: the repo's patches dir is not touched by quilt" eval '[ ! -e "$TMP/pg/.pc" ] && [ "$(ls "$TMP/pg")" = "$(printf "good.patch\nseries")" ]'

# a second apply reuses the worktree: reset, cleaned, series applied again
echo stale >"$C/work/stale-untracked"
echo edit >>"$C/work/Makefile"
set +e
out=$(VMEMMAP_CACHE=$C PATCHES_DIR=$TMP/pg "$ROOT/scripts/apply.sh" 2>&1)
rc=$?
set -e
details=$out
check "apply: second run resets the same worktree (no stale files, edits dropped)" \
	eval '[ "$rc" -eq 0 ] && grep -q "reset worktree" <<<"$out" && [ ! -e "$C/work/stale-untracked" ] &&
		! grep -q "^edit$" "$C/work/Makefile" && grep -q "return 2;" "$C/work/mm/sparse.c"'

# ---- the pinned base upload gone: fall back to the newest, or BASE_VERSION --
# A stub apt that no longer serves the pin and has one newer upload: a .deb
# of the fixture tree, as Debian lays it out.
ALT='7.3.9-1~bpo13+1'
AB=$TMP/apt-bin
mkdir -p "$AB" "$TMP/deb/usr/src" "$TMP/deb/usr/share/doc/$BASE_PACKAGE" "$TMP/deb/DEBIAN"
mkdir -p "$TMP/debsrc/$BASE_TARBALL_TOPDIR"
cp -r "$FIX/minibase/." "$TMP/debsrc/$BASE_TARBALL_TOPDIR/"
tar -cJf "$TMP/deb/$BASE_TARBALL" -C "$TMP/debsrc" "$BASE_TARBALL_TOPDIR"
printf 'linux (%s) trixie-backports; urgency=medium\n\n  * fixture\n\n -- A Maintainer <a@example.org>  Tue, 01 Dec 2026 10:00:00 +0100\n' "$ALT" |
	gzip -9n >"$TMP/deb/usr/share/doc/$BASE_PACKAGE/changelog.Debian.gz"
printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: A <a@example.org>\nDescription: fixture\n' "$BASE_PACKAGE" "$ALT" >"$TMP/deb/DEBIAN/control"
dpkg-deb -Zxz --build "$TMP/deb" "$TMP/alt.deb" >/dev/null
cat >"$AB/apt-get" <<EOT
#!/bin/sh
# stub: 'download PKG=VER' of the fixture upload only; 'update' fails (no root here anyway)
[ "\$1" = download ] || exit 100
case "\$3" in "$BASE_PACKAGE=$ALT") cp "$TMP/alt.deb" "./${BASE_PACKAGE}_${ALT}_all.deb" ;; *) echo "E: Can't find a source to download version of \$3" >&2; exit 100 ;; esac
EOT
cat >"$AB/apt-cache" <<EOT
#!/bin/sh
[ "\$1" = madison ] && echo " $BASE_PACKAGE | $ALT | http://deb.debian.org/debian trixie-backports/main amd64 Packages"
exit 0
EOT
chmod +x "$AB/apt-get" "$AB/apt-cache"
fb() { # VAR=VALUE...: fetch-base.sh with the stub apt; sets out, rc and details
	set +e
	out=$(env PATH="$AB:$PATH" VMEMMAP_CACHE="$TMP/cache-fb" "$@" "$ROOT/scripts/fetch-base.sh" 2>&1)
	rc=$?
	set -e
	details=$out
}
export alt_tag=v7.3.9-1_bpo13+1-debian # (read by the eval'd checks)
fb
check "base: the pin gone, falls back to the newest upload with a notice and its own tag" \
	eval '[ "$rc" -eq 0 ] && grep -q "pinned $BASE_PACKAGE=$BASE_PKG_VERSION is no longer served: falling back to the newest, $ALT" <<<"$out" &&
		[ "$(git -C "$TMP/cache-fb/base" config vmemmap.tag)" = "$alt_tag" ] &&
		git -C "$TMP/cache-fb/base" rev-parse -q --verify "refs/tags/$alt_tag" >/dev/null &&
		[ "$(git -C "$TMP/cache-fb/base" log -1 --format=%aD)" = "Tue, 1 Dec 2026 10:00:00 +0100" ]'
set +e
out=$(VMEMMAP_CACHE=$TMP/cache-fb PATCHES_DIR=$TMP/pg "$ROOT/scripts/apply.sh" 2>&1)
rc=$?
set -e
details=$out
check "base: apply takes the fallback's tag as the base" \
	eval '[ "$rc" -eq 0 ] && grep -q "at $alt_tag" <<<"$out" && grep -q "return 2;" "$TMP/cache-fb/work/mm/sparse.c"'
fb
check "base: a second run reuses the fallback base without downloading" \
	eval '[ "$rc" -eq 0 ] && grep -q "reusing .*($alt_tag" <<<"$out" && ! grep -q downloading <<<"$out"'
fb BASE_VERSION=7.3.1-1
check "base: BASE_VERSION= that the registry lacks is a clear error" \
	eval '[ "$rc" -ne 0 ] && grep -q "cannot download $BASE_PACKAGE=7.3.1-1 (BASE_VERSION=" <<<"$out"'

# kunit.sh reads the runs file (lib.sh runs_lines) and refuses what it
# cannot run, before building anything (on the fixture's applied tree)
printf '# a comment\nr1 x86_64 kunit/x86_64.config kunit/qemu_x86_64.py  # trailing\nr2 um\n' >"$TMP/bad-runs.conf"
set +e
out=$(VMEMMAP_CACHE=$C KUNIT_RUNS_FILE=$TMP/bad-runs.conf "$ROOT/scripts/kunit.sh" 2>&1)
rc=$?
set -e
details=$out
check "kunit.sh: a runs line without its four fields is an error naming it" \
	eval '[ "$rc" -ne 0 ] && grep -q "bad-runs.conf: bad line (want NAME ARCH KUNITCONFIGS QEMU_CONFIG \[KERNEL_ARG...\]): r2 um" <<<"$out"'
set +e
out=$(VMEMMAP_CACHE=$C RUNS="uml x86-64" "$ROOT/scripts/kunit.sh" 2>&1)
rc=$?
set -e
details=$out
check "kunit.sh: a misspelt run name is an error listing the runs" \
	eval '[ "$rc" -ne 0 ] && grep -q "no run named .x86-64. in .*runs.conf (have: .*x86_64.*)" <<<"$out"'

# ---- (b) missing tool: one-line fix-it ------------------------------------
NB=$TMP/noquilt-bin
mkdir -p "$NB"
IFS=: read -r -a pdirs <<<"$PATH"
for d in "${pdirs[@]}"; do
	[ -d "$d" ] || continue
	for f in "$d"/*; do
		b=${f##*/}
		[ "$b" = quilt ] && continue
		[ -x "$f" ] && [ ! -e "$NB/$b" ] && ln -s "$f" "$NB/$b"
	done
done
set +e
out=$(PATH=$NB VMEMMAP_CACHE=$C PATCHES_DIR=$TMP/pg bash "$ROOT/scripts/quilt-check.sh" 2>&1)
rc=$?
set -e
details=$out
check "missing quilt: exact one-line fix-it and non-zero exit" \
	eval '[ "$rc" -ne 0 ] && [ "$out" = "error: quilt not found; install it with: apt-get install quilt" ]'

# ---- (c) static checks ---------------------------------------------------
mapfile -t shs < <(cd "$ROOT" && { ls scripts/*.sh tests/*.sh; echo scripts/qemu-tcg/qemu-system-x86_64; echo .ci/run; })
if command -v shellcheck >/dev/null 2>&1; then
	set +e
	details=$(cd "$ROOT" && shellcheck -x "${shs[@]}" 2>&1)
	rc=$?
	set -e
	check "shellcheck -x clean (${#shs[@]} scripts)" [ "$rc" -eq 0 ]
else
	bad "shellcheck -x clean" "error: shellcheck not found; install it with: apt-get install shellcheck"
fi
set +e
details=$(cd "$ROOT" && for f in scripts/*.py; do PYTHONPYCACHEPREFIX=$TMP/pyc python3 -m py_compile "$f" || echo "$f"; done 2>&1)
set -e
check "python3 -m py_compile clean" [ -z "$details" ]

# ---- Makefile: help from the Makefile, unknown variables refused -------------
mk() { # ARGS...: make in the repository, nothing run (-n); sets out, rc and details
	set +e
	out=$(make -C "$ROOT" --no-print-directory "$@" 2>&1)
	rc=$?
	set -e
	details=$out
}
mk help
# shellcheck disable=SC2034 # used in the eval below
phony=$(awk '/^\.PHONY:/ { on = 1; sub(/^\.PHONY:/, "") } on { c = sub(/\\$/, ""); print; if (!c) exit }' "$ROOT/Makefile" | xargs -n1)
check "make help: every .PHONY target, with its description" \
	eval '[ "$rc" -eq 0 ] && [ -n "$phony" ] && (while read -r t; do grep -qE "^  make $t +[^ ]" <<<"$out" || exit 1; done <<<"$phony")'
# shellcheck disable=SC2034
exported=$(make -C "$ROOT" --no-print-directory -pn help 2>/dev/null | sed -n 's/^VARS := //p')
# what the scripts read from the environment, but for their own plumbing
# shellcheck disable=SC2034
read_vars=$(grep -ohE '\$\{[A-Z][A-Z0-9_]*:-' "$ROOT"/scripts/*.sh | tr -d '${:-' | sort -u |
	grep -vxE 'XDG_CACHE_HOME|NO_COLOR|CCACHE_DIR|CCACHE_MAXSIZE|KUNIT_RUNS_FILE|OUTGOING_DIR|MUTANT_DIR|MUTANTS_CHECK_ONLY|KVM_PROBE_TIMEOUT|KUNIT_(SRC|OUT|CC|BUILD_ROOT)|AM_COMMITTER_DATE_IS_AUTHOR_DATE')
details="listed: $exported
read by the scripts: $(tr "\n" " " <<<"$read_vars")"
check "make help: lists every variable the scripts read" \
	eval '[ -n "$exported" ] && (for v in $read_vars; do grep -qw "$v" <<<"$exported" || { echo "not listed: $v"; exit 1; }; done)'
mk -n bench REP=3
check "make: an unknown variable is an error (make bench REP=3)" \
	eval '[ "$rc" -ne 0 ] && grep -q "unknown variable REP:" <<<"$out"'
mk -n per-patch-build ARCHES=riscv ONLY=3
check "make: a known variable passes" eval '[ "$rc" -eq 0 ]'

set +e
out=$(SKIP_DEPS=1 "$ROOT/scripts/deps.sh" 2>&1)
rc=$?
set -e
details=$out
check "deps: SKIP_DEPS=1 installs nothing and says so" eval '[ "$rc" -eq 0 ] && grep -q "SKIP_DEPS=1; nothing installed" <<<"$out"'
# deps' apt source parser (lib.sh have_suite) on apt configurations of its own
hs() { # DIR TYPE SUITE: yes or no
	if VMEMMAP_CACHE=$TMP/cache-hs bash -c '. "$1" && have_suite "$3" "$4" "$2"' _ "$ROOT/scripts/lib.sh" "$@" >/dev/null 2>&1; then
		echo yes
	else
		echo no
	fi
}
A=$TMP/apt
mkdir -p "$A/one/sources.list.d" "$A/822/sources.list.d" "$A/off/sources.list.d" "$A/none/sources.list.d"
printf '# deb http://deb.debian.org/debian unstable main\ndeb [signed-by=/k.gpg] http://deb.debian.org/debian trixie-backports main\n' >"$A/one/sources.list"
printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n# a comment\nTypes: deb deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie-backports\nComponents: main\n' >"$A/822/sources.list.d/debian.sources"
printf 'Types: deb deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie-backports\nComponents: main\nEnabled: no\n' >"$A/off/sources.list.d/bpo.sources"
printf 'Types: deb\nSuites: trixie-backports\n' >"$A/none/sources.list.d/a.sources"
printf 'URIs: http://deb.debian.org/debian\nSuites: sid\n' >"$A/none/sources.list.d/b.sources"
printf 'deb-src http://deb.debian.org/debian unstable main\n' >"$A/none/sources.list"
got="$(hs "$A/one" deb trixie-backports) $(hs "$A/one" deb unstable) $(hs "$A/822" deb trixie-backports) $(hs "$A/822" deb-src trixie-backports)"
got="$got $(hs "$A/822" deb-src bookworm) $(hs "$A/off" deb trixie-backports) $(hs "$A/none" deb unstable) $(hs "$A/none" deb-src unstable) $(hs "$A/none" deb sid)"
details=$got
check "deps: apt source parser (one-line, commented, deb822 stanzas, Enabled: no, types, stanzas split over files)" \
	[ "$got" = "yes no yes yes no no no yes no" ]

# ---- (d) quilt/git am tree comparison detects differences ----------------
R=$TMP/cmp-repo
mkbase "$R"
printf '#!/bin/sh\n' >"$R/tool.sh"
chmod +x "$R/tool.sh"
ln -s Makefile "$R/link"
git -C "$R" add -A
pgit -C "$R" commit -q -m more
cmpdir() { # make a plain copy of HEAD into $1
	rm -rf "$1"
	mkdir -p "$1"
	git -C "$R" archive HEAD | tar -x -C "$1"
}
CP=$TMP/cmp-copy
cmpdir "$CP"
mkdir -p "$CP/.pc"
echo x >"$CP/.pc/applied-patches"
details=$("$ROOT/scripts/tree-compare.sh" "$R/.git" HEAD "$CP" 2>&1)
check "tree-compare: identical copy (with .pc) is equal" eval '[ -z "$details" ]'
cmpdir "$CP"
sed -i 's/return 1;/return 3;/' "$CP/mm/sparse.c"
set +e; details=$("$ROOT/scripts/tree-compare.sh" "$R/.git" HEAD "$CP" 2>&1); rc=$?; set -e
check "tree-compare: modified file detected" eval '[ "$rc" -eq 1 ] && grep -qx "differs: mm/sparse.c" <<<"$details"'
cmpdir "$CP"
rm "$CP/Makefile"
echo new >"$CP/mm/extra.c"
set +e; details=$("$ROOT/scripts/tree-compare.sh" "$R/.git" HEAD "$CP" 2>&1); rc=$?; set -e
check "tree-compare: deleted and extra files detected" \
	eval '[ "$rc" -eq 1 ] && grep -q "only in HEAD: Makefile" <<<"$details" && grep -q "only in $CP: mm/extra.c" <<<"$details"'
cmpdir "$CP"
chmod -x "$CP/tool.sh"
set +e; details=$("$ROOT/scripts/tree-compare.sh" "$R/.git" HEAD "$CP" 2>&1); rc=$?; set -e
check "tree-compare: mode change detected" eval '[ "$rc" -eq 1 ] && grep -qx "differs: tool.sh" <<<"$details"'

# ---- (e) summary of kunit.py JSON ----------------------------------------
summarise() { # ARGS...: run summary.py; sets out, rc and details
	set +e
	out=$(python3 "$ROOT/scripts/summary.py" "$@" 2>&1)
	rc=$?
	set -e
	details=$out
}
# kunit-results.json was produced by kunit.py parse --json from kunit-ktap.log
# (kunit.py: "Ran 8 tests: passed: 4, failed: 2, skipped: 2").
summarise --expected-skips "$FIX/expected-skips" "$FIX/kunit-results.json"
check "summary: counts leaf cases incl. parameterised sub_groups" \
	eval '[ "$(tail -n1 <<<"$out")" = "4 passed, 2 failed, 2 skipped" ] && [ "$rc" -eq 1 ]'
check "summary: names failing cases" eval 'grep -q "FAILED: param_test.order 9" <<<"$out" && grep -q "FAILED: basic_fail" <<<"$out"'
mkdir -p "$TMP/res"
printf '{"name": "KUnit Test Group", "sub_groups": [], "test_cases": [], "misc": {"tests": 0, "passed": 0, "failed": 0, "crashed": 0, "skipped": 0, "errors": 1}}\n' >"$TMP/res/noboot.json"
printf 'name=noboot\nexit=1\nlog=/x/noboot.log\n' >"$TMP/res/noboot.meta"
summarise --expected-skips "$FIX/expected-skips" "$FIX/kunit-results.json" "$TMP/res/noboot.json" "$TMP/res/missing.json"
check "summary: run without results / not booted counts as failed" \
	eval '[ "$rc" -eq 1 ] && [ "$(tail -n1 <<<"$out")" = "4 passed, 4 failed, 2 skipped" ] && grep -q "RUN FAILED: no results file" <<<"$out" && grep -q "RUN FAILED: no test cases ran" <<<"$out"'
: >"$TMP/res/no-skips"
summarise --expected-skips "$TMP/res/no-skips" "$FIX/kunit-results.json"
check "summary: a skip not in the expected skips fails its run" \
	eval '[ "$rc" -eq 1 ] && [ "$(tail -n1 <<<"$out")" = "4 passed, 3 failed, 2 skipped" ] && grep -q "UNEXPECTED SKIP: fixture_basic.basic_skip" <<<"$out" && grep -q "UNEXPECTED SKIP: fixture_skipped_suite" <<<"$out" && grep -qx "unexpected skips: 2" <<<"$out"'
printf 'kunit-results fixture_basic\n' >"$TMP/res/bad-skips"
summarise --expected-skips "$TMP/res/bad-skips" "$FIX/kunit-results.json"
check "summary: a malformed expected-skips line is an error" eval '[ "$rc" -eq 2 ] && grep -q "want \"RUN CASE REASON\"" <<<"$out"'
python3 - "$FIX/kunit-results.json" "$TMP/res/allpass.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def fix(g):
    for c in g['test_cases']:
        c['status'] = 'PASS'
    for s in g['sub_groups']:
        fix(s)
    g['misc'].update(failed=0, skipped=0, crashed=0, errors=0)
fix(d)
json.dump(d, open(sys.argv[2], 'w'))
PY
summarise "$TMP/res/allpass.json"
check "summary: all passing -> exit 0" eval '[ "$rc" -eq 0 ] && [ "$(tail -n1 <<<"$out")" = "8 passed, 0 failed, 0 skipped" ]'
# check.sh's last line: the real check.sh and summary.py in a copy of the
# tooling whose steps are stubs (STUB_FAIL=step makes that one fail; the
# kunit stub writes the passing results of $TMP/res/allpass.json)
CK=$TMP/ck
mkdir -p "$CK/tests"
cp -r "$ROOT/scripts" "$ROOT/configs" "$ROOT/kunit" "$CK/"
for st in deps fetch-base apply quilt-check checkpatch kunit; do
	printf '#!/bin/sh\n[ "$STUB_FAIL" = %s ] && exit 3\n%s\nexit 0\n' "$st" \
		"$([ "$st" = kunit ] && echo "cp '$TMP/res/allpass.json' \"\$VMEMMAP_CACHE/results/allpass.json\"")" >"$CK/scripts/$st.sh"
done
printf '#!/bin/sh\n[ "$STUB_FAIL" = test-tooling ] && exit 3\nexit 0\n' >"$CK/tests/run.sh"
chmod +x "$CK"/scripts/*.sh "$CK/tests/run.sh"
printf 'allpass x86_64 kunit/x86_64.config kunit/qemu_x86_64.py\n' >"$CK/kunit/runs.conf"
ckrun() { # STUB_FAIL value: check.sh check in the copy; sets out, rc and details
	set +e
	out=$(STUB_FAIL=$1 VMEMMAP_CACHE="$TMP/cache-ck" "$CK/scripts/check.sh" check 2>&1)
	rc=$?
	set -e
	details=$out
}
ckrun none
check "check.sh: all steps pass -> exit 0, last line the cases" \
	eval '[ "$rc" -eq 0 ] && [ "$(tail -n1 <<<"$out")" = "8 passed, 0 failed, 0 skipped" ]'
ckrun checkpatch
check "check.sh: a failed checkpatch is one failed test in the last line" \
	eval '[ "$rc" -ne 0 ] && [ "$(tail -n1 <<<"$out")" = "8 passed, 1 failed, 0 skipped" ] && grep -q "failed steps (one failed test each): checkpatch" <<<"$out"'
ckrun test-tooling
check "check.sh: a failed test-tooling is one failed test in the last line" \
	eval '[ "$rc" -ne 0 ] && [ "$(tail -n1 <<<"$out")" = "8 passed, 1 failed, 0 skipped" ]'
ckrun apply
check "check.sh: no applied tree -> the run without results fails, the last line still counts" \
	eval '[ "$rc" -ne 0 ] && [ "$(tail -n1 <<<"$out")" = "0 passed, 2 failed, 0 skipped" ] && grep -q "kunit  *skipped (apply failed)" <<<"$out"'

# the same passing run, with a kernel console: clean, then with a lockdep splat
cp "$TMP/res/allpass.json" "$TMP/res/splat.json"
printf '[    0.1] Linux version 7.3.4\n[    1.0]     ok 1 basic_pass\n' >"$TMP/res/splat.console"
printf 'name=splat\nstage=exec\nexit=0\nconsole=%s\n' "$TMP/res/splat.console" >"$TMP/res/splat.meta"
summarise "$TMP/res/splat.json"
check "summary: a clean console adds nothing" eval '[ "$rc" -eq 0 ] && ! grep -q SPLAT <<<"$out"'
printf '[    2.0] WARNING: possible circular locking dependency detected\n' >>"$TMP/res/splat.console"
summarise "$TMP/res/splat.json"
check "summary: a splat in the console fails a passing run" \
	eval '[ "$rc" -eq 1 ] && [ "$(tail -n1 <<<"$out")" = "8 passed, 1 failed, 0 skipped" ] && grep -q "SPLAT: \[    2.0\] WARNING: possible circular" <<<"$out"'

# ---- QEMU helpers ----------------------------------------------------------
FQ=$TMP/fakeqemu
mkdir -p "$FQ"
printf '#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done\n' >"$FQ/qemu-system-x86_64"
chmod +x "$FQ/qemu-system-x86_64"
out=$(PATH=$ROOT/scripts/qemu-tcg:$FQ:$PATH qemu-system-x86_64 -nodefaults -m 1024 -accel kvm -accel hvf -accel tcg -serial stdio -append "a b" | tr '\n' ' ')
details=$out
check "qemu-tcg wrapper drops -accel kvm/hvf, keeps the rest" [ "$out" = "-nodefaults -m 1024 -accel tcg -serial stdio -append a b " ]
out=$(VMEMMAP_CACHE=$TMP/cache-q KUNIT_ACCEL=tcg "$ROOT/scripts/qemu-accel.sh" /nonexistent 2>&1 >/dev/null)
acc=$(VMEMMAP_CACHE=$TMP/cache-q KUNIT_ACCEL=kvm "$ROOT/scripts/qemu-accel.sh" /nonexistent 2>/dev/null)
details="$out / $acc"
check "qemu-accel honours KUNIT_ACCEL and says why" eval '[ "$acc" = kvm ] && grep -q "forced by KUNIT_ACCEL" <<<"$out"'

# ---- bench report ------------------------------------------------------------
# Console logs of one 7.3 and one series boot (and their reference boots
# without 1 GiB pages) from 'make bench', cut to the lines the report reads,
# plus a boot that never reached "BENCH done=1".  Expected cells worked out
# by hand from the fixtures' counters (pages of 4 KiB, DAX range of 2 GiB):
#   device-DAX 2 MiB: 7.3 (6144-4096)/2 = 1024 pages/GiB = 4 MiB;
#                     series (5123-4098)/2 = 512.5 pages/GiB = 2050 KiB
#   HugeTLB 2 MiB:    7.3 16 MiB - ((0-512) + (16392-12296)) * 4 KiB = 2 MiB
#   HugeTLB 1 GiB:    7.3 16 MiB - (49152-16392) * 4 KiB / 8 = 4 KiB;
#                     series 16 MiB - (49152-16393) * 4 KiB / 8 = 4.5 KiB
#   (the series counts the shared tail pages, 7.3 does not)
BF=$FIX/bench-hvo
mkdir -p "$TMP/bench-logs"
cp "$BF"/*.log "$TMP/bench-logs/"
grep -v 'BENCH done=1' "$BF/series-deferred-1.log" >"$TMP/bench-logs/series-deferred-2.log"
set +e
out=$(python3 "$ROOT/scripts/bench-report.py" --hvo-logs "$TMP/bench-logs" --out "$TMP/bench-out" 2>&1); rc=$?
set -e
details=$out
check "bench-report: device-DAX 2 MiB row from the counters" \
	eval '[ "$rc" -eq 0 ] && grep -qF "| device-DAX 2 MiB | 4 MiB | 2050 KiB | 0.500 | 4 MiB | 2 MiB | 0.500 | 2 MiB | 1+1 |" <<<"$out"'
check "bench-report: HugeTLB rows count both memmap counters" \
	eval 'grep -qF "| HugeTLB 2 MiB | 2 MiB | 2056 KiB | 1.004 |" <<<"$out" && grep -qF "| HugeTLB 1 GiB (boot) | 4 KiB | 4.5 KiB | 1.125 |" <<<"$out"'
check "bench-report: writes bench.md and the plot's data" \
	eval '[ -s "$TMP/bench-out/bench.md" ] && grep -q "^\"DAX 2 MiB\"	4096.0	2050.0	2048$" "$TMP/bench-out/vmemmap-per-gib.dat"'

# ---- make send: the sender's identity, one change-id, rerolls ---------------
SC=$TMP/cache-s
mkbase "$SC/base"
SP=$TMP/sendrepo
mkdir -p "$SP/patches"
cp "$FIX/good.patch" "$SP/patches/"
echo good.patch >"$SP/patches/series"
printf 'fixture series\n\nA fixture cover letter.\n' >"$SP/patches/cover-letter.txt"
sp_commit() { # MESSAGE: commit the fixture patches repository
	(cd "$SP" && git add -A && GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.org \
		GIT_COMMITTER_NAME=T GIT_COMMITTER_EMAIL=t@example.org git commit -qm "$1")
}
git -C "$SP" init -q
sp_commit v1
sed 's/^CHANGE_ID=.*/CHANGE_ID=20261204-fixture-0123456789ab/' "$ROOT/configs/send.conf" >"$TMP/send.conf"
printf '[user]\n\tname = Ada Sender\n\temail = ada@example.org\n' >"$TMP/sender.gitconfig"
SOUT=$SC/results/outgoing
# the b4 'make send' uses (Debian unstable's, unpacked once in the real cache)
B4_TOOL=$(VMEMMAP_CACHE=$REAL_CACHE "$ROOT/scripts/b4-tool.sh" 2>/dev/null)
export B4=$B4_TOOL
sendrun() { # VAR=VALUE...: apply the fixture series, then send.sh; sets out, rc, details
	set +e
	out=$(env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$TMP/sender.gitconfig" VMEMMAP_CACHE="$SC" \
		PATCHES_DIR="$SP/patches" SEND_CONF="$TMP/send.conf" "$@" \
		bash -c '"$1/scripts/apply.sh" >/dev/null && "$1/scripts/send.sh"' - "$ROOT" 2>&1)
	rc=$?
	set -e
	details=$out
}
mails() { cat "$SOUT"/*.eml 2>/dev/null; }
# grep in the mails; not 'mails | grep -q', which under pipefail fails when
# grep quits before cat has written every mail
mailgrep() { grep -h "$@" "$SOUT"/*.eml >/dev/null 2>&1; }
sendrun COVER_LETTER="$SP/patches/cover-letter.txt"
check "send: writes a mail from the sender, signed off by the sender only" \
	eval '[ "$rc" -eq 0 ] && mailgrep -x "From: Ada Sender <ada@example.org>" &&
		mailgrep -x "Signed-off-by: Ada Sender <ada@example.org>" &&
		! mailgrep -F "Signed-off-by: $PROJECT_NAME"'
id1=$(mails | sed -n 's/^change-id: //p')
sendrun COVER_LETTER="$SP/patches/cover-letter.txt"
id2=$(mails | sed -n 's/^change-id: //p')
details="$out
change-ids: '$id1' '$id2'"
check "send: two runs give the change-id of send.conf" \
	eval '[ "$rc" -eq 0 ] && [ "$id1" = 20261204-fixture-0123456789ab ] && [ "$id2" = "$id1" ] &&
		mailgrep "^Subject: \[PATCH\] "'
sed -i 's/^A change that applies to/A changed change that applies to/' "$SP/patches/good.patch"
sp_commit v2
# shellcheck disable=SC2034 # used in the eval below
v1=$(git -C "$SP" rev-parse HEAD~1)
sendrun COVER_LETTER="$SP/patches/cover-letter.txt" REROLL=1
check "send: REROLL=1 records what v1 went out from and writes v2" \
	eval '[ "$rc" -eq 0 ] && grep -qx "REVISION=2" "$TMP/send.conf" && grep -qx "SENT_1=$v1" "$TMP/send.conf" &&
		mailgrep "^Subject: \[PATCH v2\] " && [ "$(mails | sed -n "s/^change-id: //p")" = "$id1" ]'
details=$(mails)
check "send: v2 lists the changed patch and carries the range-diff against v1" \
	eval 'mailgrep -x -- "- mm/sparse: tooling test fixture change: changed (v1 patch 1)" &&
		mailgrep -x "Range-diff against v1:" && mailgrep -E "^ +- +A change that applies to" &&
		mailgrep -E "^ +\\+ +A changed change that applies to"'
sendrun COVER_LETTER="$SP/patches/cover-letter.txt" AUTHOR=project
check "send: AUTHOR=project keeps the project as author and writes to the sender alone" \
	eval '[ "$rc" -eq 0 ] && mailgrep "^From: $PROJECT_NAME" &&
		mailgrep -x "To: Ada Sender <ada@example.org>" && ! mailgrep -iE "^(to|cc):.*(maintainer|lists)@"'
# Two topics: topic 2 alone, the patch of topic 1 its prerequisite.
cp "$FIX/topic2-1.patch" "$FIX/topic2-2.patch" "$SP/patches/"
printf '%s\n' '# --- Topic 1: the fixture change ---' good.patch '' \
	'# --- Topic 2: a second file -----' '# The second topic of the fixture series.' topic2-1.patch topic2-2.patch \
	>"$SP/patches/series"
sp_commit topics
sendrun TOPIC=2
# expected from the patch itself, not from what send.sh computed
# shellcheck disable=SC2034 # ppid, base and tid are used in the evals below
ppid=$(git patch-id --stable <"$SP/patches/good.patch" | awk '{ print $1 }')
# shellcheck disable=SC2034
base=$(git -C "$SC/base" rev-parse HEAD)
# shellcheck disable=SC2034
tid=$(sed -n 's/^CHANGE_ID_T2=//p' "$TMP/send.conf")
details="$out
$(mails)"
check "send: TOPIC=2 sends topic 2 alone, topic 1 as prerequisite-patch-id on the base" \
	eval '[ "$rc" -eq 0 ] && [ "$(find "$SOUT" -type f | wc -l)" -eq 3 ] &&
		mailgrep "^Subject: \[PATCH 1/2\] mm: tooling test fixture for a second topic" &&
		mailgrep "^Subject: \[PATCH 2/2\] mm: tooling test fixture, topic 2 patch 2" &&
		! mailgrep "^Subject: .*tooling test fixture change" &&
		mailgrep -x "prerequisite-patch-id: $ppid" && mailgrep -x "base-commit: $base" &&
		mailgrep "^Subject: \[PATCH 0/2\] fixture series: a second file (topic 2 of 2)" &&
		mailgrep -x "The second topic of the fixture series." &&
		[ -n "$tid" ] && [ "$(mails | sed -n "s/^change-id: //p")" = "$tid" ] && [ "$tid" != "$id1" ]'
# what a reviewer does: the base, topic 1, then topic 2 from its mails
rm -rf "$TMP/am"
git clone -q "$SC/base" "$TMP/am"
set +e
pm=()
for f in "$SOUT"/*.eml; do grep -q '^Subject: \[PATCH 0/' "$f" || pm+=("$f"); done
out=$(cd "$TMP/am" && pgit am -q "$SP/patches/good.patch" "${pm[@]}" 2>&1 && cat mm/topic2.c)
rc=$?
set -e
details=$out
check "send: TOPIC=2's patch mails apply with git am on the base and topic 1" \
	eval '[ "$rc" -eq 0 ] && [ "${#pm[@]}" -eq 2 ] && grep -q "return 4;" <<<"$out"'
sendrun TOPIC=2
check "send: TOPIC=2 twice keeps its own change-id" \
	eval '[ "$rc" -eq 0 ] && [ "$(mails | sed -n "s/^change-id: //p")" = "$tid" ] &&
		[ "$(sed -n "s/^CHANGE_ID_T2=//p" "$TMP/send.conf")" = "$tid" ]'
# A reroll of topic 2 alone: its second patch changes, topic 1 and the
# whole series' revision stay as they are.
sed -i 's/^Changes the value of the second topic/Changes the one value of the second topic/' \
	"$SP/patches/topic2-2.patch"
sp_commit topic2-v2
# shellcheck disable=SC2034 # used in the eval below
t2v1=$(git -C "$SP" rev-parse HEAD~1)
sendrun TOPIC=2 REROLL=1
details="$out
$(grep -E '^(REVISION|SENT)' "$TMP/send.conf")
$(mails)"
check "send: TOPIC=2 REROLL=1 writes v2 of topic 2 alone, with its range-diff against v1" \
	eval '[ "$rc" -eq 0 ] && grep -qx "REVISION_T2=2" "$TMP/send.conf" && grep -qx "SENT_T2_1=$t2v1" "$TMP/send.conf" &&
		grep -qx "REVISION=2" "$TMP/send.conf" && ! grep -q "^SENT_2=" "$TMP/send.conf" &&
		[ "$(find "$SOUT" -type f | wc -l)" -eq 3 ] &&
		mailgrep "^Subject: \[PATCH v2 2/2\] mm: tooling test fixture, topic 2 patch 2" &&
		! mailgrep "^Subject: .*tooling test fixture change" &&
		[ "$(mails | sed -n "s/^change-id: //p")" = "$tid" ] && mailgrep -x "prerequisite-patch-id: $ppid" &&
		mailgrep -x -- "- mm: tooling test fixture, topic 2 patch 2: changed (v1 patch 2)" &&
		mailgrep -x "Range-diff against v1:" && mailgrep -E "^ +- +Changes the value of the second topic" &&
		mailgrep -E "^ +\\+ +Changes the one value of the second topic"'
sendrun TOPIC=3
check "send: an unknown TOPIC= is an error" eval '[ "$rc" -ne 0 ] && grep -q "has no .# --- Topic 3" <<<"$out"'
printf '[user]\n\tname = %s\n\temail = %s\n' "$PROJECT_NAME" "$PROJECT_EMAIL" >"$TMP/project.gitconfig"
sendrun COVER_LETTER="$SP/patches/cover-letter.txt" GIT_CONFIG_GLOBAL="$TMP/project.gitconfig"
check "send: the project's identity as sender is refused" eval '[ "$rc" -ne 0 ] && grep -q "not a person" <<<"$out"'
sendrun COVER_LETTER="$SP/patches/cover-letter.txt" GIT_CONFIG_GLOBAL=/dev/null
check "send: no git identity: refused with the fix" eval '[ "$rc" -ne 0 ] && grep -q "git config --global user.email" <<<"$out"'
sendrun COVER_LETTER="$SP/patches/cover-letter.txt" AUTHOR=me
check "send: an unknown AUTHOR= is an error" eval '[ "$rc" -ne 0 ] && grep -q "AUTHOR=me: want sender" <<<"$out"'

# ---- mutants ------------------------------------------------------------------
# Every committed mutant says what bug it plants, holds a diff and names only
# runs of kunit/runs.conf; a malformed one is refused before anything builds.
mutcheck() { # VAR=VALUE...: mutants.sh's checks only; sets out, rc and details
	set +e
	out=$(env MUTANTS_CHECK_ONLY=1 VMEMMAP_CACHE="$TMP/cache-m" "$@" "$ROOT/scripts/mutants.sh" 2>&1)
	rc=$?
	set -e
	details=$out
}
mutcheck
check "mutants: the committed mutants are well-formed (at least 15)" \
	eval '[ "$rc" -eq 0 ] && n=$(sed -n "s/^mutants: \([0-9]*\) well-formed$/\1/p" <<<"$out") && [ "${n:-0}" -ge 15 ]'
mkdir -p "$TMP/mut-bad"
printf 'Runs: x86_64\n\ndiff --git a/x b/x\n' >"$TMP/mut-bad/01-bad.patch"
mutcheck MUTANT_DIR="$TMP/mut-bad"
check "mutants: a mutant without a Mutant: line is refused" eval '[ "$rc" -ne 0 ] && grep -q "no .Mutant:. line" <<<"$out"'
printf 'Mutant: x\nRuns: x86_64 nosuchrun\n\ndiff --git a/x b/x\n' >"$TMP/mut-bad/01-bad.patch"
mutcheck MUTANT_DIR="$TMP/mut-bad"
check "mutants: an unknown run is refused" eval '[ "$rc" -ne 0 ] && grep -q "nosuchrun. is not a run" <<<"$out"'
mutcheck MUTANTS=nosuch
check "mutants: MUTANTS= naming no mutant is an error" eval '[ "$rc" -ne 0 ] && grep -q "no mutant .nosuch." <<<"$out"'

# Kconfig fragments: one folder (configs/kconfig/), every runs-file entry
# resolves to a file, every fragment is used, and no two fragments of one
# run set the same option
KD=$ROOT/configs/kconfig
runs_items() { sed -e 's/#.*//' "$ROOT"/kunit/*.conf | awk 'NF { print $3 " " $4 }'; }
missing=$(runs_items | while read -r kcs q; do
	for it in ${kcs//,/ } "$q"; do
		case $it in tree:* | -) ;; */*) [ -f "$ROOT/$it" ] || echo "$it" ;; *) [ -f "$KD/$it.config" ] || echo "$it" ;; esac
	done
done)
details=$missing
check "kconfig: every KUNITCONFIGS and QEMU_CONFIG entry of kunit/*.conf exists" test -z "$missing"
unused=$(for f in "$KD"/*.config; do
	n=$(basename "$f" .config)
	grep -qE "(^|[ ,(])$n([ ,)]|$)" "$ROOT"/kunit/*.conf "$ROOT"/scripts/*.sh || echo "$n"
done)
details=$unused
check "kconfig: every fragment of configs/kconfig/ is used by a runs file or a script" test -z "$unused"
stray=$(git -C "$ROOT" ls-files '*.config' | grep -v '^configs/kconfig/' || true)
details=$stray
check "kconfig: no Kconfig fragment outside configs/kconfig/" test -z "$stray"
twice=$(runs_items | while read -r kcs _; do
	for it in ${kcs//,/ }; do
		case $it in tree:* | */*) ;; *) sed -n "s/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1 $it/p; s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set/\1 $it/p" "$KD/$it.config" ;; esac
	done | sort | awk '$1 == p { print $1 " in " pf " and " $2 } { p = $1; pf = $2 }'
done | sort -u)
details=$twice
check "kconfig: no option is set by two fragments of one run" test -z "$twice"
# README's "run a suite by hand" uses the fragments of the x86_64 run
hand=$(sed -n 's/^ *for f in \(.*\); do$/\1/p' "$ROOT/README.md" | head -n1)
run=$(sed -e 's/#.*//' "$ROOT/kunit/runs.conf" | awk '$1 == "x86_64" { print $3 }' | tr ',' '\n' | grep -v '^tree:' | tr '\n' ' ')
details="README: $hand; runs.conf: $run"
check "kconfig: README's hand-run command has the x86_64 run's fragments" test "$hand " = "$run"
# lib.sh's resolve_config and config_lost
printf 'CONFIG_A=y\nCONFIG_B=m\n# CONFIG_C is not set\nCONFIG_D="x"\n' >"$TMP/kc.config"
printf '# a comment\nCONFIG_A=y\nCONFIG_B=y\n# CONFIG_C is not set\nCONFIG_D="x"\nCONFIG_E=y\n# CONFIG_A is not set\nCONFIG_F=n\nCONFIG_C=n\n' >"$TMP/kc-frag"
got=$(VMEMMAP_CACHE=$TMP/cache-kc bash -c '. "$1" && config_lost "$2" "$3" | tr "\n" " "; resolve_config /k tree:mm/x; resolve_config /k memory; resolve_config /k kunit/q.py' _ "$ROOT/scripts/lib.sh" "$TMP/kc.config" "$TMP/kc-frag")
want="CONFIG_A CONFIG_B CONFIG_E /k/mm/x
$KD/memory.config
$ROOT/kunit/q.py"
details="got: $got"
check "kconfig: config_lost names what a .config lacks; resolve_config finds tree:, fragment names and repository paths" test "$got" = "$want"

echo "tooling tests: $pass ok, $fail failed"
[ "$fail" -eq 0 ]
