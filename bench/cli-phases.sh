#!/usr/bin/env bash
# Where an idempotent `process-image` re-run spends its time, from class-load timestamps
# (-Xlog:class+load with uptime): the first load of a marker class ends one phase and starts the
# next. Prints the median over N runs (default 7) of each mark, and how many classes were loaded
# in all and how many did not come from a CDS archive (results: docs/benchmarks/cli.md).
#
#   bench/cli-phases.sh [N]
# Environment: THINIMAGE_LAUNCHER (default bin/thinimage beside this script).
# The logging itself costs a little, so the marks are a few per cent later than without it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
n="${1:-7}"
launcher="${THINIMAGE_LAUNCHER:-$root/bin/thinimage}"
work="$(mktemp -d -t thinimage-cli-phases.XXXXXX)"
trap 'rm -rf "$work"' EXIT
common=(--data-dir "$work/data" --store "file://$root/samples" --pool-driver directory)
"$launcher" process-image --s3-key images/web/ "${common[@]}" >/dev/null
"$launcher" process-image --s3-key images/web/ "${common[@]}" >/dev/null

marks=(
  "io.thinimage.cli.ThinimageCli|JVM started, main class loaded"
  "io.thinimage.cli.options.CliConfig|picocli built the model of every command and parsed (Logback's first configuration included)"
  "com.google.inject.Guice|logging configured (file appender, stderr)"
  "org.sqlite.JDBC|Guice injector built, store provider running"
  "com.zaxxer.hikari.HikariDataSource|sqlite-jdbc loaded its native library"
  "io.thinimage.core.api.ProcessResult|pools opened, schema checked, manager built, the no-op decided"
)
for ((r = 1; r <= n; r++)); do
  THINIMAGE_JAVA_OPTS="-Xlog:class+load=info:file=$work/cl.txt:uptime" \
    "$launcher" process-image --s3-key images/web/ "${common[@]}" >/dev/null
  line=""
  for m in "${marks[@]}"; do
    cls="${m%%|*}"
    line+=" $(grep -m1 "] $cls " "$work/cl.txt" | sed -E 's/^\[([0-9.]+)s\].*/\1/')"
  done
  line+=" $(tail -n1 "$work/cl.txt" | sed -E 's/^\[([0-9.]+)s\].*/\1/')"
  line+=" $(wc -l <"$work/cl.txt") $(grep -vc 'source: shared objects file' "$work/cl.txt")"
  echo "$line" >>"$work/marks"
done

median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }
echo "runs: $n; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%8s  %s\n' "mark, s" "reached when"
i=1
for m in "${marks[@]}"; do
  printf '%8s  %s\n' "$(awk -v c=$i '{print $c}' "$work/marks" | median)" "${m#*|}"
  i=$((i + 1))
done
printf '%8s  %s\n' "$(awk -v c=$i '{print $c}' "$work/marks" | median)" "last class loaded (printing done, closing)"
echo "classes loaded: $(awk -v c=$((i + 1)) '{print $c}' "$work/marks" | median | cut -d. -f1)," \
  "not from a CDS archive: $(awk -v c=$((i + 2)) '{print $c}' "$work/marks" | median | cut -d. -f1)"
