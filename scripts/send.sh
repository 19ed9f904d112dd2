#!/usr/bin/env bash
# send.sh: prepare the series for mailing with b4 (dry run: the mails are
# written to $CACHE/results/outgoing, nothing is sent).  Works in a separate
# clone ($CACHE/send) so no ref of the base repo / KERNEL_SRC is touched.
# The sender (your git user.name/user.email) adds a Signed-off-by after the
# project's; the cover letter comes from patches/cover-letter.txt if present
# (first line = subject, blank line, body).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_tool git git
need_tool b4 b4
need_tool perl perl
require_work

sender_name=$(git config user.name || true)
sender_email=$(git config user.email || true)
{ [ -n "$sender_name" ] && [ -n "$sender_email" ]; } ||
	die "set your identity first: git config --global user.name 'Your Name'; git config --global user.email you@example.org"

NAME=${SERIES_NAME:-vmemmap}
OUT=${OUTGOING_DIR:-$RESULTS_DIR/outgoing}
sdir=$CACHE/send
gd=$(git -C "$WORK_DIR" rev-parse --path-format=absolute --git-common-dir)

step "cloning the applied tree to $sdir"
rm -rf "$sdir"
git clone -q --shared --no-checkout "$gd" "$sdir"
git -C "$sdir" config user.name "$sender_name"
git -C "$sdir" config user.email "$sender_email"
git -C "$sdir" checkout -q -b "b4/$NAME" "$WORK_HEAD"

step "adding the sender's Signed-off-by ($sender_name <$sender_email>)"
git -C "$sdir" -c core.hooksPath=/dev/null rebase -q --exec 'git commit -q --amend --no-edit -s --no-verify' "$WORK_BASE_COMMIT"

step "b4 prep: enrolling the branch (base $WORK_BASE_REV)"
(cd "$sdir" && b4 prep -e "$WORK_BASE_COMMIT")

cover=$REPO_ROOT/patches/cover-letter.txt
[ -z "${COVER_LETTER:-}" ] || cover=$COVER_LETTER
if [ -f "$cover" ]; then
	step "setting the cover letter from $cover"
	ed=$(mktemp)
	# shellcheck disable=SC2016 # $1 is for the generated script
	printf '#!/bin/sh\ncat "%s" > "$1"\n' "$cover" >"$ed"
	chmod +x "$ed"
	git -C "$sdir" config core.editor "$ed"
	(cd "$sdir" && EDITOR=$ed b4 prep --edit-cover)
	rm -f "$ed"
	git -C "$sdir" config --unset core.editor
else
	warn "no cover letter ($cover); b4's placeholder cover letter is used"
fi

step "b4 prep --auto-to-cc (scripts/get_maintainer.pl)"
(cd "$sdir" && b4 prep --auto-to-cc)

step "b4 send -o $OUT (dry run, nothing is sent)"
rm -rf "$OUT"
mkdir -p "$OUT"
# -o implies a dry run; a (never used) smtpserver for this command only keeps
# b4 from insisting on its signed web endpoint
(cd "$sdir" && GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=sendemail.smtpserver GIT_CONFIG_VALUE_0=/bin/false \
	b4 send --no-sign -o "$OUT")
info "send: $(find "$OUT" -type f | wc -l) mail(s) written to $OUT"
info "send: review them, then send from $sdir with 'b4 send' (or git send-email $OUT/*)"
