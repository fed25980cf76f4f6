#!/usr/bin/env bash
# Measures the dashboard in tmux (not part of CI; numbers go to docs/dashboard.md):
#  1. frame time (render + blit) at 200x60 over a walk through every screen (--frame-stats),
#  2. idle CPU over 10 s after the opening solve,
#  3. key-press-to-screen delay while a large solve runs (give a big scenario folder).
# usage: Tests/e2e/measure.sh path/to/echelon [big-scenario-dir] [extra dashboard args…]
set -euo pipefail
BIN=${1:?usage: measure.sh path/to/echelon [big-scenario-dir]}
BIG=${2:-}
shift $(( $# >= 2 ? 2 : 1 ))
EXTRA=("$@")
S=m
t() { tmux -L "$SOCK" "$@"; }
phase() { [ -n "${SOCK:-}" ] && { t kill-server 2>/dev/null || true; }; SOCK=echelon-measure-$$-$1; }
trap 't kill-server 2>/dev/null || true' EXIT
screen() { t capture-pane -p -t "$S"; }
wait_for() {
  local deadline=$((SECONDS + ${2:-120}))
  until screen | grep -qF -- "$1"; do
    (( SECONDS >= deadline )) && { echo "timeout waiting for '$1'"; screen; exit 1; }
    sleep 0.02
  done
}
start() {  # start W H args…
  local w=$1 h=$2; shift 2
  t new-session -d -s "$S" -x "$w" -y "$h" "env LANG=C.UTF-8 TERM=tmux-256color $(printf '%q ' "$BIN" dashboard "$@"); sleep 600"
  t set-option -s escape-time 10
}
pid_of_app() { pgrep -P "$(t display -p -t "$S" '#{pane_pid}')" | head -1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now_ms() { date +%s%3N; }

echo "== 1. frame time at 200x60"
stats=$(mktemp)
phase frames
start 200 60 --frame-stats "$stats" "${EXTRA[@]}"
wait_for "solved #1"
for k in 2 j j j j j j j j s s 3 4 5 1 j j j j; do t send-keys -t "$S" "$k"; sleep 0.05; done
for i in $(seq 1 40); do t send-keys -t "$S" j; sleep 0.02; done
t send-keys -t "$S" q
for _ in $(seq 1 200); do [ -s "$stats" ] && break; sleep 0.05; done
echo "frames: $(cat "$stats")"

echo "== 2. idle CPU over 10 s"
phase idle
start 120 40 "${EXTRA[@]}"
wait_for "solved #1"
sleep 1
pid=$(pid_of_app)
a=$(cpu_ticks "$pid"); sleep 10; b=$(cpu_ticks "$pid")
echo "idle: $((b - a)) ticks of $(getconf CLK_TCK)/s in 10 s"

if [ -n "$BIG" ]; then
  echo "== 3. key-press-to-screen delay during a solve of $BIG"
  phase keys
  start 120 40 "$BIG" "${EXTRA[@]}"
  wait_for "solving #1" 300
  delays=()
  for i in $(seq 1 15); do
    key=j; [ $((i % 2)) -eq 0 ] && key=k
    before=$(screen | grep -n '^▸' | cut -d: -f1)
    t0=$(now_ms)
    t send-keys -t "$S" $key
    while [ "$(screen | grep -n '^▸' | cut -d: -f1)" = "$before" ]; do :; done
    delays+=($(( $(now_ms) - t0 )))
    screen | grep -q "solving #1" || { echo "(solve finished after $i presses)"; break; }
  done
  printf '%s\n' "${delays[@]}" | sort -n | awk '{a[NR]=$1} END {print "key delay ms: n=" NR " median=" a[int((NR+1)/2)] " max=" a[NR]}'
  screen | sed -n 2p
  t kill-server 2>/dev/null || true
fi
