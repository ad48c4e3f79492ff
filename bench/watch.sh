#!/usr/bin/env bash
# Save -> redrawn verdict in `watch`, as a learner sees it: watch runs in a tmux pane on a workspace file holding
# the reference with one of the problem's known-wrong patches (a file that compiles like the reference but fails, so
# watch stays on it); each run appends a line (a save) and waits until the screen shows a new "graded in" status.
# Needs tmux and patch. Usage: bench/watch.sh [--runs N] [ID] (default: 15 runs of p01)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/stats.sh"
runs=15
[[ ${1:-} == --runs ]] && { runs=$2; shift 2; }
id=${1:-p01}
for tool in tmux patch; do
  command -v $tool >/dev/null || { echo "bench/watch.sh needs $tool (apt-get install $tool)" >&2; exit 2; }
done
ws=$(mktemp -d /tmp/attnkata-watch.XXXXXX)
session=attnkata-bench-$$
trap 'tmux kill-session -t "$session" 2>/dev/null; rm -rf "$ws"' EXIT
cd "$root"
solution=$(ls solutions/"$id"_*/*.cpp)
file="$ws/$(basename "$(dirname "$solution")").cpp"
wrong=$(ls tests/known_wrong/"$id"/*.patch | head -n 1)
patch -s -o "$file" "$solution" "$wrong"
./attnkata grade "$id" --workspace "$ws" >/dev/null || true  # builds what is missing, outside the timing
tmux new-session -d -s "$session" -x 160 -y 200 env NO_COLOR=1 ./attnkata watch "$id" --workspace "$ws"
screen() { tmux capture-pane -p -t "$session"; }  # the visible screen only, not the scrollback
until screen | grep -q "graded in"; do sleep 0.05; done
for ((i = 1; i <= runs; i++)); do
  tmux send-keys -t "$session" "h"  # redraws the screen without the status line
  until screen | grep -q "Hint 1 of"; do sleep 0.02; done
  start=$(date +%s%N)
  echo "// save $i" >>"$file"
  until screen | grep -q "graded in"; do sleep 0.01; done
  seconds $(($(date +%s%N) - start))
done | { printf '%s save -> redrawn verdict in watch: ' "$id"; summarise; }
machine
