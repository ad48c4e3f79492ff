#!/usr/bin/env bash
# A teacher's class: a generated roster of LEARNERS learners (default 30), each with a file for every problem
# (default all 30): the reference, zeros.cpp, uniform.cpp or the stub, each with a line naming the learner so that no
# two files are alike (nothing is reused between learners). Times `./attnkata class` on it, then again unchanged.
# Usage: bench/class.sh [--learners N] [--jobs J] [ID...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/stats.sh"
learners=30 jobs=2
while [[ ${1:-} == --* ]]; do
  case $1 in
    --learners) learners=$2 ;;
    --jobs) jobs=$2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
cd "$root"
ids=("$@")
((${#ids[@]})) || mapfile -t ids < <(ls -d problems/p[0-9][0-9]_* | sed 's|problems/\(p[0-9][0-9]\)_.*|\1|')
dir=$(mktemp -d /tmp/attnkata-class.XXXXXX)
trap 'rm -rf "$dir"' EXIT
for ((l = 1; l <= learners; l++)); do
  learner=$(printf 'learner%02d' "$l")
  mkdir -p "$dir/roster/$learner"
  k=0
  for id in "${ids[@]}"; do
    problem=$(basename "$(ls -d problems/"$id"_*)")
    case $(((l * 7 + k * 3) % 10)) in
      0 | 1) src=tests/known_wrong/$id/zeros.cpp ;;
      2) src=tests/known_wrong/$id/uniform.cpp ;;
      3) src=problems/$problem/${problem#p[0-9][0-9]_}.cpp ;;
      *) src=$(ls solutions/"$problem"/*.cpp) ;;
    esac
    { cat "$src"; echo "// $learner"; } >"$dir/roster/$learner/$problem.cpp"
    k=$((k + 1))
  done
done
./attnkata list >/dev/null  # builds what is missing, outside the timing
pairs=$((learners * ${#ids[@]}))
start=$(date +%s%N)
./attnkata class "$dir/roster" "${ids[@]}" --jobs "$jobs" -o "$dir/report" >/dev/null || true
elapsed=$(seconds $(($(date +%s%N) - start)))
awk -v s="$elapsed" -v n="$pairs" -v l="$learners" -v p="${#ids[@]}" \
  'BEGIN { printf "class: %d learners x %d problems = %d grades in %.1f s (%.1f min): %.0f grades per minute\n", l, p, n, s, s / 60, n / s * 60 }'
start=$(date +%s%N)
./attnkata class "$dir/roster" "${ids[@]}" --jobs "$jobs" -o "$dir/report2" >/dev/null || true
echo "class again, nothing changed: $(seconds $(($(date +%s%N) - start))) s"
machine
