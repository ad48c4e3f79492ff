#!/usr/bin/env bash
# From a fresh clone (Debian packages already installed): the time to the first verdict (`./attnkata grade p01`:
# configure, build what a grade needs, grade the stub), each run in a new clone; and with --test the time of
# `./attnkata test` in one more fresh clone, with ctest's time per suite.
# Usage: bench/fresh.sh [--runs N] [--test]   (default: 15 runs, no self-test)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/stats.sh"
runs=15 test=0
while (($#)); do
  case $1 in
    --runs) runs=$2; shift ;;
    --test) test=1 ;;
    *) echo "usage: bench/fresh.sh [--runs N] [--test]" >&2; exit 2 ;;
  esac
  shift
done
dir=$(mktemp -d /tmp/attnkata-fresh.XXXXXX)
trap 'rm -rf "$dir"' EXIT
for ((i = 1; i <= runs; i++)); do
  rm -rf "$dir/clone"
  git clone -q "$root" "$dir/clone"
  start=$(date +%s%N)
  (cd "$dir/clone" && ./attnkata grade p01 >/dev/null 2>&1) || true  # the stub fails: exit 1 is expected
  seconds $(($(date +%s%N) - start))
done | { printf 'fresh clone -> first verdict (p01): '; summarise; }
(cd "$dir/clone" && ATTNKATA_BUILD=build/default machine)
if ((test)); then
  rm -rf "$dir/clone"
  git clone -q "$root" "$dir/clone"
  cd "$dir/clone"
  start=$(date +%s%N)
  ./attnkata test >"$dir/test.log" 2>&1 || { tail -n 40 "$dir/test.log"; echo "the self-test FAILED"; }
  echo "fresh clone -> ./attnkata test: $(seconds $(($(date +%s%N) - start))) s"
  grep -E 'Test +#|tests passed|Total Test time' "$dir/test.log"
  ATTNKATA_BUILD=build/default machine
fi
