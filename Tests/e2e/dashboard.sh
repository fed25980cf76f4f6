#!/usr/bin/env bash
# End-to-end test of the real dashboard binary in tmux: start, open a node, filter, what-if (cut a
# node's storage), re-solve, see that node's price change, resize to 60x20 and back, quit, terminal
# restored; then the SIGTERM path. Synchronised on screen content with deadlines, never on sleeps.
# usage: Tests/e2e/dashboard.sh path/to/echelon [extra dashboard args…]
set -euo pipefail
BIN=${1:?usage: dashboard.sh path/to/echelon}
shift
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(--demo)
S=dash
t() { tmux -L "$SOCK" "$@"; }
# One private server per phase: reusing a socket right after kill-server races with its shutdown.
phase() { [ -n "${SOCK:-}" ] && { t kill-server 2>/dev/null || true; }; SOCK=echelon-e2e-$$-$1; }
trap 't kill-server 2>/dev/null || true' EXIT
trap 'echo "FAIL: command failed at line $LINENO"' ERR
screen() { t capture-pane -p -t "$S"; }
fail() { echo "FAIL: $1"; echo "----- screen -----"; screen; exit 1; }
wait_for() {  # wait_for TEXT [seconds]: fixed string on screen
  local deadline=$((SECONDS + ${2:-20}))
  until screen | grep -qF -- "$1"; do
    (( SECONDS >= deadline )) && fail "'$1' not on screen"
    sleep 0.05
  done
}
wait_for_re() {  # wait_for_re REGEX [seconds]
  local deadline=$((SECONDS + ${2:-20}))
  until screen | grep -qE -- "$1"; do
    (( SECONDS >= deadline )) && fail "/$1/ not on screen"
    sleep 0.05
  done
}
keys() { t send-keys -t "$S" "$@"; }
text() { t send-keys -t "$S" -l "$1"; }
modes() { printf '%s' 'stty -a | tr " " "\n" | grep -xE -- "-?(icanon|echo|isig)" | tr "\n" " "'; }

start() {
  t new-session -d -s "$S" -x 120 -y 40 \
    "env LANG=C.UTF-8 TERM=tmux-256color $(printf '%q ' "$BIN" dashboard "${ARGS[@]}"); echo EXIT:\$?; echo MODES: \$($(modes)); sleep 60"
  t set-option -s escape-time 10   # tmux otherwise holds a lone Esc for 500 ms
}

phase journey
start
wait_for "solved #1" 60
wait_for "1 Network"

# Open a node (the first row) and filter its positions.
keys Enter
wait_for_re "Positions +[0-9]+ products held"
keys /
text "1"
wait_for "Filter node: /1_"
keys Enter
wait_for_re "filter '1': [0-9]+"
keys Escape            # clears the filter
keys Escape            # back to the network
wait_for "[1 Network]"

# Select FC-NYC by filtering the network, open the what-if form on it, cut its storage.
keys /
text "FC-NYC"
keys Enter
wait_for "filter /FC-NYC"
before=$(screen | grep -E "FC-NYC +FC" | head -1)
keys w
wait_for "FC-NYC (FC)"
wait_for "[6 What-if]"
text "200"
wait_for "[200_]"
keys Enter
wait_for "Added: FC-NYC: storage 200"
keys r
wait_for "solved #2" 60
wait_for "Diff: solve #1"
# FC-NYC's storage price rose: the diff row reads "0→0.0661 ▲" (before → after, arrow up).
wait_for_re "FC-NYC +[0-9.k]+→[0-9.k]+ \([-+][0-9.k]+\) +[0-9.]+→[0-9.]+ ▲"
price_line=$(screen | grep -E "FC-NYC +[0-9.k]+→" | head -1)
echo "diff: $price_line"
# And on the network screen the node's row changed (storage price column). Esc goes back there
# (digits would type into the what-if form's number field).
keys Escape
wait_for "[1 Network]"
after=$(screen | grep -E "FC-NYC +FC" | head -1)
[ "$before" != "$after" ] || fail "FC-NYC row unchanged on the network screen"
echo "network before: $before"
echo "network after:  $after"

# Resize mid-session: too small, then back.
t resize-window -t "$S" -x 60 -y 20
wait_for "Terminal too small"
wait_for "60×20, need 80×24"
t resize-window -t "$S" -x 120 -y 40
wait_for "[1 Network]"
wait_for "FC-NYC"

# Mouse: an X10 report of a left press on the "4 Convergence" tab (x=45, y=0; bytes are 32 + value, 1-based).
text $'\e[M N!'
wait_for "[4 Convergence]"
text $'\e[M N!'   # the same click again on the current tab changes nothing
wait_for "Dual bound"

# Help overlay from the keymap, then quit.
text "?"
wait_for "Keys (any key closes)"
keys Escape
keys q
wait_for "EXIT:0"
wait_for "MODES:"
screen | grep -q -- "MODES: .*-icanon" && fail "terminal left in raw mode"
screen | grep -q -- "MODES: .*-echo" && fail "terminal left without echo"
[ "$(t display -p -t "$S" '#{alternate_on}')" = "0" ] || fail "still on the alternate screen"
echo "quit: restored ($(screen | grep MODES:))"
# The same what-if against the real planning core on the tiny sample: cut FC-HOU's storage to
# 2 ft³ and its storage price must rise from the first solve to the warm re-solve.
phase real-solver
t new-session -d -s "$S" -x 120 -y 40 \
  "env LANG=C.UTF-8 TERM=tmux-256color $(printf '%q ' "$BIN" dashboard tiny); echo EXIT:\$?; sleep 60"
t set-option -s escape-time 10
wait_for "solved #1" 120
keys /
text "FC-HOU"
keys Enter
wait_for "filter /FC-HOU"
keys w
wait_for "FC-HOU (FC)"
text "2"
keys Enter
wait_for "Added: FC-HOU: storage 2"
keys r
wait_for "solved #2" 180
wait_for_re "FC-HOU +[0-9.k]+→[0-9.k]+ \([-+][0-9.k]+\) +[0-9.]+→[0-9.]+ ▲"
echo "real solver diff: $(screen | grep -E "FC-HOU +[0-9.k]+→" | head -1 | sed 's/^.*FC-HOU/FC-HOU/')"
keys q
wait_for "EXIT:0"

phase sigterm

# SIGTERM while solving restores the terminal too.
start
wait_for "1 Network" 60
pane=$(t display -p -t "$S" '#{pane_pid}')
child=$(pgrep -P "$pane" | head -1)
[ -n "$child" ] || fail "no dashboard process"
kill -TERM "$child"
wait_for "EXIT:143"
screen | grep -q -- "MODES: .*-icanon" && fail "terminal left in raw mode after SIGTERM"
[ "$(t display -p -t "$S" '#{alternate_on}')" = "0" ] || fail "still on the alternate screen after SIGTERM"
echo "SIGTERM: restored"
phase no-color

# NO_COLOR: attributes only. With colour on, the same screen carries colour escapes.
colour_escapes() {  # SGR sequences that set a colour (39/49 only reset to the default)
  t capture-pane -p -e -t "$S" | grep -oE $'\e\\[[0-9;]*m' | grep -cE '[[;](3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]' || true
}
t new-session -d -s "$S" -x 120 -y 40 \
  "env LANG=C.UTF-8 TERM=tmux-256color NO_COLOR=1 $(printf '%q ' "$BIN" dashboard "${ARGS[@]}"); sleep 60"
wait_for "solved #1" 60
[ "$(colour_escapes)" = "0" ] || fail "NO_COLOR run has colour escapes"
t capture-pane -p -e -t "$S" | grep -qE $'\e\\[[0-9;]*7[0-9;]*m' || fail "NO_COLOR run lost its reverse-video bars"
keys q
phase colour
start
wait_for "solved #1" 60
[ "$(colour_escapes)" != "0" ] || fail "colour run has no colour escapes"
echo "NO_COLOR: no colour, attributes kept"
echo "e2e dashboard: all checks passed"
