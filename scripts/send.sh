#!/usr/bin/env bash
# send.sh: prepare revision N of the series for mailing with b4 (a dry run:
# the mails are written to $CACHE/results/outgoing, nothing is sent).
#
# - The sender is your git identity (user.name, user.email): the author of
#   every patch and the one Signed-off-by, the project's own sign-off
#   replaced (AUTHOR=sender, the default).  AUTHOR=project keeps the
#   project identity as it is in patches/ and then addresses the mails to
#   the sender alone (no get_maintainer.pl To/Cc): such mails are not for a
#   list.
# - The series keeps one b4 change-id and its revision in configs/send.conf
#   (SEND_CONF=file for another), not in the cache.  The b4 branch
#   (b4/<name>) lives in $CACHE/send, a clone that shares the base
#   repository's objects (no ref of the base repository or of KERNEL_SRC is
#   touched), and is rebuilt from patches/ on every run.
# - After vN went out: 'make send REROLL=1' records the repository commit it
#   was sent from (SENT=<commit>, default: the commit the last 'make send'
#   of vN was made from) and moves to vN+1.  From v2 on, the cover letter
#   gets "Changes in vN" (patches/changes-vN.txt if present, then every
#   patch changed, added or dropped) and the range-diff against the
#   previous revision, rebuilt from its SENT_ commit; the previous revision
#   is also tagged sent/<name>-v<N-1> in $CACHE/send for 'b4 prep
#   --compare-to'.
# The cover letter is patches/cover-letter.txt (first line the subject,
# blank line, body), or COVER_LETTER=file.
# - TOPIC=N sends topic N of patches/series (its "# --- Topic N: title"
#   heading to the next) as a series of its own: branch b4/<name>-tN, its
#   own change-id, revision and SENT_ commits in $SEND_CONF (keys ending in
#   _T<N>), the cover letter patches/cover-letter-topicN.txt or, without
#   one, the topic's comment in patches/series.  The patches of the earlier
#   topics sit below the cover commit and are declared as b4 declares a
#   dependency (prerequisite-patch-id: lines and the base-commit of the
#   whole stack), which needs b4 0.14 or newer.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

need_tool git git
require_work
B4=$("$REPO_ROOT/scripts/b4-tool.sh")
b4() { "$B4" "$@"; }

SEND_CONF=${SEND_CONF:-$REPO_ROOT/configs/send.conf}
AUTHOR=${AUTHOR:-sender}
REROLL=${REROLL:-}
TOPIC=${TOPIC:-}
case $AUTHOR in sender | project) ;; *) die "AUTHOR=$AUTHOR: want sender (the default) or project" ;; esac
case $REROLL in '' | 0 | 1) ;; *) die "REROLL=$REROLL: want 1 (or nothing)" ;; esac
case $TOPIC in '' | [1-9] | [1-9][0-9]) ;; *) die "TOPIC=$TOPIC: want a topic number of $PATCHES_DIR/series" ;; esac
[ -f "$SEND_CONF" ] || die "no $SEND_CONF"

# conf_get KEY: the value of KEY=value in $SEND_CONF (empty when absent)
conf_get() {
	sed -n "s/^$1=//p" "$SEND_CONF" | tail -n1
}
# conf_set KEY VALUE: set (or add) KEY=VALUE in $SEND_CONF
conf_set() {
	local tmp
	tmp=$(mktemp)
	if grep -q "^$1=" "$SEND_CONF"; then
		sed "s|^$1=.*|$1=$2|" "$SEND_CONF" >"$tmp"
	else
		cat "$SEND_CONF" >"$tmp"
		printf '%s=%s\n' "$1" "$2" >>"$tmp"
	fi
	cat "$tmp" >"$SEND_CONF"
	rm -f "$tmp"
}
bad=$(grep -vE '^[[:space:]]*(#|$)|^(SERIES_NAME|(CHANGE_ID|REVISION)(_T[0-9]+)?|SENT(_T[0-9]+)?_[0-9]+)=[A-Za-z0-9._-]*$' "$SEND_CONF" || true)
[ -z "$bad" ] || die "$SEND_CONF: not a KEY=value line this script knows: $(head -n1 <<<"$bad")"

# topic_of SERIES-FILE-TEXT: "N FIRST LAST TITLE" for each topic heading
# ("# --- Topic N: title ---"), FIRST and LAST the 1-based positions of its
# patches in the series
topic_of() {
	awk '/^# --- Topic [0-9]+: / { if (t != "") print t, f, n, title
			t = $4; sub(/:$/, "", t); title = $0
			sub(/^# --- Topic [0-9]+: */, "", title); sub(/ *-*$/, "", title); f = n + 1; next }
		{ sub(/#.*/, "") } NF { n++ }
		END { if (t != "") print t, f, n, title }' <<<"$1"
}

# Keys, branch and files of the whole series, or of topic $TOPIC.
sfx='' tsfx=''
if [ -n "$TOPIC" ]; then
	sfx=_T$TOPIC tsfx=-t$TOPIC
	read -r _ TFIRST TLAST TTITLE < <(topic_of "$(cat "$PATCHES_DIR/series")" | awk -v t="$TOPIC" '$1 == t') ||
		die "TOPIC=$TOPIC: $PATCHES_DIR/series has no '# --- Topic $TOPIC: ...' heading"
	[ "$TLAST" -ge "$TFIRST" ] || die "TOPIC=$TOPIC: no patch under its heading in $PATCHES_DIR/series"
	bv=$(b4 --version 2>/dev/null || echo 0)
	printf '0.14\n%s\n' "$bv" | sort -CV ||
		die "TOPIC=$TOPIC: declaring the earlier topics as prerequisites needs b4 0.14 or newer, $B4 is $bv (B4=/path/to/b4)"
fi
NAME=$(conf_get SERIES_NAME)
CHANGE_ID=$(conf_get "CHANGE_ID$sfx")
REV=$(conf_get "REVISION$sfx")
[ -n "$NAME" ] || die "$SEND_CONF: SERIES_NAME is not set"
[ -n "$REV" ] || [ -z "$TOPIC" ] || { REV=1 && conf_set "REVISION$sfx" 1; }
case $REV in '' | *[!0-9]* | 0) die "$SEND_CONF: REVISION$sfx=$REV: want 1, 2, ..." ;; esac

sender_name=$(git config user.name || true)
sender_email=$(git config user.email || true)
{ [ -n "$sender_name" ] && [ -n "$sender_email" ]; } ||
	die "no sender identity: git config --global user.name 'Your Name'; git config --global user.email you@example.org"
if [ "$AUTHOR" = sender ] && [ "$sender_email" = "$PROJECT_EMAIL" ]; then
	die "your git identity is the project's ($PROJECT_EMAIL), not a person's: set your own (git config user.email you@example.org), or AUTHOR=project for mails addressed to you alone"
fi

# Where patches/ is tracked: the previous revision is read from there.
ptop=$(git -C "$PATCHES_DIR" rev-parse --show-toplevel 2>/dev/null || true)
prel=
[ -z "$ptop" ] || prel=$(realpath --relative-to="$ptop" "$PATCHES_DIR")
patches_commit() { # the commit patches/ is at, if it has no uncommitted change
	[ -n "$ptop" ] || return 0
	[ -z "$(git -C "$ptop" status --porcelain -- "$prel")" ] || return 0
	git -C "$ptop" rev-parse HEAD
}
last=$CACHE/send-last$tsfx.env

if [ "$REROLL" = 1 ]; then
	sent=${SENT:-}
	if [ -z "$sent" ] && [ -f "$last" ] && [ "$(sed -n 's/^REVISION=//p' "$last")" = "$REV" ]; then
		sent=$(sed -n 's/^COMMIT=//p' "$last")
	fi
	[ -n "$sent" ] ||
		die "REROLL=1: which commit did v$REV go out from? pass SENT=<commit of $ptop> (no 'make send' of v$REV is recorded in $last)"
	[ -n "$ptop" ] || die "REROLL=1: $PATCHES_DIR is not in a git repository"
	sent=$(git -C "$ptop" rev-parse --verify -q "$sent^{commit}") ||
		die "REROLL=1: SENT=${SENT:-} is not a commit of $ptop"
	conf_set "SENT${sfx}_$REV" "$sent"
	REV=$((REV + 1))
	conf_set "REVISION$sfx" "$REV"
	info "send: v$((REV - 1)) recorded as sent from ${sent:0:12}; preparing v$REV ($SEND_CONF changed: commit it)"
fi

if [ -z "$CHANGE_ID" ]; then
	CHANGE_ID=$(date -u +%Y%m%d)-$NAME$tsfx-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	conf_set "CHANGE_ID$sfx" "$CHANGE_ID"
	info "send: new change-id $CHANGE_ID ($SEND_CONF changed: commit it)"
fi

OUT=${OUTGOING_DIR:-$RESULTS_DIR/outgoing}
sdir=$CACHE/send
gd=$(git -C "$WORK_DIR" rev-parse --path-format=absolute --git-common-dir)
branch=b4/$NAME$tsfx
if [ ! -d "$sdir/.git" ]; then
	step "cloning the base repository's objects to $sdir"
	git clone -q --shared --no-checkout "$gd" "$sdir"
fi
sgit() { git -C "$sdir" "$@"; }
sgit config user.name "$sender_name"
sgit config user.email "$sender_email"
# b4 prep --auto-to-cc and b4 send use the tree's get_maintainer.pl
sgit checkout -q --detach "$WORK_HEAD"

# The committer is always the sender: b4 (0.14 on) looks for the cover
# letter only among the commits its user committed.
project_env=(GIT_AUTHOR_NAME="$PROJECT_NAME" GIT_AUTHOR_EMAIL="$PROJECT_EMAIL")

# The previous revision, rebuilt from the patches/ it went out with: its
# patches are prev_start..prev_head (with TOPIC, those of the topic in the
# series it went out with).
prev_head='' prev_start=$WORK_BASE_COMMIT
if [ "$REV" -gt 1 ]; then
	prev=$((REV - 1))
	sent=$(conf_get "SENT${sfx}_$prev")
	[ -n "$sent" ] || die "v$REV: $SEND_CONF has no SENT${sfx}_$prev (run 'make send${TOPIC:+ TOPIC=$TOPIC} REROLL=1' after sending v$prev)"
	[ -n "$ptop" ] || die "v$REV: $PATCHES_DIR is not in a git repository: v$prev cannot be rebuilt"
	git -C "$ptop" cat-file -e "$sent:$prel/series" 2>/dev/null ||
		die "SENT_$prev=$sent: no $prel/series at that commit of $ptop"
	step "rebuilding v$prev from ${sent:0:12}:$prel"
	sgit checkout -q --detach "$WORK_BASE_COMMIT"
	while IFS= read -r p; do
		git -C "$ptop" show "$sent:$prel/$p" >"$sdir/.git/prev.patch"
		env "${project_env[@]}" git -C "$sdir" am -q --keep-cr "$sdir/.git/prev.patch" ||
			{ sgit am --abort 2>/dev/null || true; die "v$prev: $p (from ${sent:0:12}) does not apply to the base"; }
	done < <(git -C "$ptop" show "$sent:$prel/series" | sed -e 's/#.*//' | awk 'NF { print $1 }')
	rm -f "$sdir/.git/prev.patch"
	prev_head=$(sgit rev-parse HEAD)
	if [ -n "$TOPIC" ]; then
		read -r _ pfirst plast _ < <(topic_of "$(git -C "$ptop" show "$sent:$prel/series")" |
			awk -v t="$TOPIC" '$1 == t') ||
			die "v$prev: $prel/series of ${sent:0:12} has no topic $TOPIC"
		mapfile -t prevc < <(sgit rev-list --reverse "$WORK_BASE_COMMIT..$prev_head")
		[ "$pfirst" -eq 1 ] || prev_start=${prevc[pfirst - 2]}
		prev_head=${prevc[plast - 1]}
	fi
	tag=sent/$NAME$tsfx-v$prev
	printf 'v%s of the series, as sent from %s\n\nbase-commit: %s\nchange-id: %s\n' \
		"$prev" "$sent" "$WORK_BASE_COMMIT" "$CHANGE_ID" |
		env "${project_env[@]}" git -C "$sdir" tag -f -a -F - "$tag" "$prev_head" >/dev/null
fi

whole_cover=$PATCHES_DIR/cover-letter.txt
cover=${COVER_LETTER:-$whole_cover}
if [ -n "$TOPIC" ] && [ -z "${COVER_LETTER:-}" ]; then
	cover=$PATCHES_DIR/cover-letter-topic$TOPIC.txt
	if [ ! -f "$cover" ]; then
		# the topic's comment in the series, then the whole series' letter
		cover=$CACHE/send-cover$tsfx.txt
		ntopics=$(topic_of "$(cat "$PATCHES_DIR/series")" | wc -l)
		[ -f "$whole_cover" ] || die "no cover letter: $whole_cover"
		{
			printf '%s: %s (topic %s of %s)\n\n' "$(head -n1 "$whole_cover" | sed 's/:.*//')" \
				"$TTITLE" "$TOPIC" "$ntopics"
			awk -v t="$TOPIC" '$0 ~ "^# --- Topic " t ": " { on = 1; next }
				on && /^# / { sub(/^# /, ""); print; next } on { exit }' "$PATCHES_DIR/series"
			echo
			{
				printf 'This is topic %s of %s of the series "%s".' "$TOPIC" "$ntopics" "$(head -n1 "$whole_cover")"
				case $TOPIC in
				1) ;;
				2) printf ' It applies on top of topic 1 (the prerequisite-patch-id lines below).' ;;
				*) printf ' It applies on top of topics 1 to %s (the prerequisite-patch-id lines below).' "$((TOPIC - 1))" ;;
				esac
				printf ' The letter of the whole series:\n'
			} | fmt -w 72
			echo
			tail -n +3 "$whole_cover"
		} >"$cover"
	fi
fi
[ -f "$cover" ] || die "no cover letter: $cover"

step "rebuilding $branch: a b4 cover commit (change-id $CHANGE_ID, v$REV) and the ${AUTHOR}'s patches"
sgit checkout -q -B "$branch" "$WORK_BASE_COMMIT"
mapfile -t commits < <(git -C "$WORK_DIR" rev-list --reverse "$WORK_BASE_COMMIT..$WORK_HEAD")
if [ -n "$TOPIC" ]; then
	[ "${#commits[@]}" -ge "$TLAST" ] || die "TOPIC=$TOPIC: ends at patch $TLAST, $WORK_DIR has ${#commits[@]}"
	commits=("${commits[@]:0:TLAST}")
fi
msg=$sdir/.git/send-msg
for c in "${commits[@]}"; do
	if [ "$AUTHOR" = sender ]; then
		sgit cherry-pick --allow-empty "$c" >/dev/null
		# the sender certifies the DCO: their sign-off, not the project's
		sgit log -1 --format=%B HEAD |
			grep -vxF "Signed-off-by: $PROJECT_NAME <$PROJECT_EMAIL>" >"$msg"
		sgit commit -q --amend --allow-empty --reset-author -s -F "$msg" --no-verify
	else
		env "${project_env[@]}" git -C "$sdir" cherry-pick --allow-empty "$c" >/dev/null
	fi
done
series_end=$(sgit rev-parse HEAD)
# The earlier topics' patches, below the cover commit: prerequisites.
pre=$WORK_BASE_COMMIT
if [ -n "$TOPIC" ] && [ "$TFIRST" -gt 1 ]; then
	pre=$(sgit rev-list --reverse "$WORK_BASE_COMMIT..$series_end" | sed -n "$((TFIRST - 1))p")
fi
prereqs=()
if [ "$pre" != "$WORK_BASE_COMMIT" ]; then
	while IFS= read -r c; do
		prereqs+=("patch-id: $(sgit show "$c" | git patch-id --stable | awk '{ print $1 }')")
	done < <(sgit rev-list --reverse "$WORK_BASE_COMMIT..$pre")
	prereqs+=("base-commit: $WORK_BASE_COMMIT")
fi

# The cover: the letter, then from v2 on what changed and the range-diff.
{
	cat "$cover"
	if [ -n "$prev_head" ]; then
		printf '\nChanges in v%s:\n' "$REV"
		[ ! -f "$PATCHES_DIR/changes-v$REV.txt" ] || cat "$PATCHES_DIR/changes-v$REV.txt"
		sgit range-diff --no-color "$prev_start..$prev_head" "$pre..$series_end" |
			sed -nE 's/^ *([0-9]+|-): +[0-9a-f-]+ ([!<>]) ([0-9]+|-): +[0-9a-f-]+ (.*)$/\2 \3 \1 \4/p' |
			while read -r op new old subj; do
				case $op in
				'!') printf -- '- %s: changed (v%s patch %s)\n' "$subj" "$((REV - 1))" "$old" ;;
				'>') printf -- '- %s: new (patch %s)\n' "$subj" "$new" ;;
				'<') printf -- '- %s: dropped (v%s patch %s)\n' "$subj" "$((REV - 1))" "$old" ;;
				esac
			done
		printf '\nRange-diff against v%s:\n' "$((REV - 1))"
		sgit range-diff --no-color "$prev_start..$prev_head" "$pre..$series_end"
	fi
	# b4 wants a destination (a trailer closing the cover letter): with the
	# project's identity, the sender alone
	[ "$AUTHOR" = sender ] || printf '\nTo: %s <%s>\n' "$sender_name" "$sender_email"
} >"$msg.cover"
grep -q '^Changes in v' "$msg.cover" && [ "$(sed -n '/^Changes in v/,/^Range-diff/p' "$msg.cover" | grep -c '^- ')" -eq 0 ] &&
	sed -i "s/^\(Changes in v$REV:\)\$/\1\n- no change to the patches/" "$msg.cover"
python3 - "$msg.cover" "$REV" "$CHANGE_ID" "${prereqs[@]}" >"$msg" <<'EOF'
import json, sys
cover, rev, change_id = open(sys.argv[1]).read().rstrip('\n'), int(sys.argv[2]), sys.argv[3]
# the cover commit of b4's "commit" strategy, as 'b4 prep' writes it
tracking = {'series': {'revision': rev, 'change-id': change_id,
                       'base-branch': None, 'prefixes': []}}
if sys.argv[4:]:
    tracking['series']['prerequisites'] = sys.argv[4:]
sys.stdout.write(cover + '\n\n--- b4-submit-tracking ---\n'
                 '# This section is used internally by b4 prep for tracking purposes.\n'
                 + json.dumps(tracking, indent=2) + '\n')
EOF
sgit checkout -q --detach "$pre"
sgit commit -q --allow-empty -F "$msg" --no-verify
cover_commit=$(sgit rev-parse HEAD)
sgit rebase -q --onto "$cover_commit" "$pre" "$series_end" >/dev/null
sgit checkout -q -B "$branch"
rm -f "$msg" "$msg.cover"

if [ "$AUTHOR" = sender ]; then
	step "b4 prep --auto-to-cc (scripts/get_maintainer.pl)"
	(cd "$sdir" && b4 prep --auto-to-cc)
fi

step "b4 send -o $OUT (dry run, nothing is sent)"
rm -rf "$OUT"
mkdir -p "$OUT"
# -o implies a dry run; a (never used) smtpserver for this command only keeps
# b4 from insisting on its signed web endpoint
(cd "$sdir" && GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=sendemail.smtpserver GIT_CONFIG_VALUE_0=/bin/false \
	b4 send --no-sign -o "$OUT")
n=$(find "$OUT" -type f | wc -l)
[ "$n" -gt 0 ] || die "b4 send wrote no mail to $OUT"
if [ "$AUTHOR" = project ]; then
	# b4 copies the author (the project's address, never a list) to Cc
	others=$(grep -hiE '^(To|Cc):' "$OUT"/* | sed -E 's/^(To|Cc): *//I' | tr ',' '\n' |
		grep -vF -e "<$sender_email>" -e "<$PROJECT_EMAIL>" | grep -v '^ *$' || true)
	[ -z "$others" ] || die "AUTHOR=project: a mail is addressed to someone else than you: $(head -n1 <<<"$others")"
fi

pc=$(patches_commit)
if [ -n "$pc" ]; then
	printf 'REVISION=%s\nCOMMIT=%s\n' "$REV" "$pc" >"$last"
else
	warn "patches/ has uncommitted changes: commit them before sending, so that 'make send REROLL=1' knows what went out"
	rm -f "$last"
fi
info "send: ${TOPIC:+topic $TOPIC ($TTITLE), }v$REV, change-id $CHANGE_ID, $n mail(s) from $( [ "$AUTHOR" = sender ] && echo "$sender_name <$sender_email>" || echo "$PROJECT_NAME (AUTHOR=project, addressed to you alone)") in $OUT"
info "send: review them, then send from $sdir with 'b4 send'; after that, 'make send REROLL=1' prepares v$((REV + 1))"
