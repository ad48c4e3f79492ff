#!/usr/bin/env bash
# From a fresh clone (Debian packages already installed): the time to the first verdict (`./attnkata grade p01`:
# configure, build what a grade needs, grade the stub), and with --test the time of `./attnkata test` in a second
# fresh clone, with ctest's time per suite. Usage: bench/fresh.sh [--test]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/stats.sh"
dir=$(mktemp -d /tmp/attnkata-fresh.XXXXXX)
trap 'rm -rf "$dir"' EXIT
git clone -q "$root" "$dir/first"
cd "$dir/first"
start=$(date +%s%N)
./attnkata grade p01 >/dev/null 2>&1 || true  # the stub fails: exit 1 is expected
echo "fresh clone -> first verdict (p01): $(seconds $(($(date +%s%N) - start))) s"
ATTNKATA_BUILD=build/default machine
if [[ ${1:-} == --test ]]; then
  git clone -q "$root" "$dir/second"
  cd "$dir/second"
  start=$(date +%s%N)
  ./attnkata test >"$dir/test.log" 2>&1 || { tail -n 40 "$dir/test.log"; echo "the self-test FAILED"; }
  echo "fresh clone -> ./attnkata test: $(seconds $(($(date +%s%N) - start))) s"
  grep -E 'Test +#|tests passed|Total Test time' "$dir/test.log"
  ATTNKATA_BUILD=build/default machine
fi
