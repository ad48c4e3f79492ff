# Sourced by the bench scripts: summarise seconds, one per line on stdin, as "median X s, p90 Y s (n runs)".
summarise() {
  sort -n | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "no runs"; exit 1 }
    p50 = v[int((NR + 1) / 2)]; i90 = int(0.9 * NR + 0.999); if (i90 < 1) i90 = 1
    printf "median %.2f s, p90 %.2f s, min %.2f s, max %.2f s (%d runs)\n", p50, v[i90], v[1], v[NR], NR }'
}

# Nanoseconds to seconds.
seconds() { awk -v ns="$1" 'BEGIN { printf "%.3f\n", ns / 1e9 }'; }

# One line on what the numbers were measured on.
machine() {
  local compiler
  compiler=$(sed -n 's/.*"compiler": "\(.*\)".*/\1/p' "${ATTNKATA_BUILD:-build/default}/attnkata-toolkit.json" 2>/dev/null)
  echo "on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), compiler ${compiler:-?}"
}
