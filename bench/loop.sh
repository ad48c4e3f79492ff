#!/usr/bin/env bash
# Edit -> verdict, as a learner feels it: a workspace file holding the reference, one line appended (an edit), then
# `./attnkata grade ID` (the bootstrap included); the wall time of each grade. Usage: bench/loop.sh [--runs N] [ID...]
# (default: 15 runs each of p01 p04 p15). Run it on a quiet machine; it prints the load average beside the numbers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/stats.sh"
runs=15
[[ ${1:-} == --runs ]] && { runs=$2; shift 2; }
ids=("$@")
((${#ids[@]})) || ids=(p01 p04 p15)
ws=$(mktemp -d /tmp/attnkata-loop.XXXXXX)
trap 'rm -rf "$ws"' EXIT
cd "$root"
./attnkata list >/dev/null  # builds what is missing, outside the timing
for id in "${ids[@]}"; do
  solution=$(ls solutions/"$id"_*/*.cpp)
  problem=$(basename "$(dirname "$solution")")
  file="$ws/${problem}.cpp"
  cp "$solution" "$file"
  ./attnkata grade "$id" --workspace "$ws" >/dev/null  # the first grade also builds the problem's test object
  for ((i = 1; i <= runs; i++)); do
    echo "// edit $i" >>"$file"
    start=$(date +%s%N)
    ./attnkata grade "$id" --workspace "$ws" >/dev/null || { echo "$id: the reference did not pass" >&2; exit 1; }
    seconds $(($(date +%s%N) - start))
  done | { printf '%s edit -> verdict: ' "$id"; summarise; }
done
machine
