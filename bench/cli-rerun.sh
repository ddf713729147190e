#!/usr/bin/env bash
# The idempotent re-run of `thinimage process-image` against the JVM floor (`java -version`),
# measured in the same go (results: docs/benchmarks/cli.md).
#
#   bench/cli-rerun.sh [N]        N rounds (default 11); medians are reported
#
# It processes images/web/ of the embedded sample bucket once into a fresh data dir (directory
# pool), then runs N rounds. A round runs every row once, in turn, so a burst of load from
# elsewhere hits all rows alike instead of one. Per row it prints the median wall time and the
# median CPU time (user + sys, from /usr/bin/time, 10 ms resolution), which moves much less than
# wall time on a shared machine. Wall time includes /usr/bin/time's own fork and exec (~1 ms).
#
# Rows: java -version; java with the launcher's flags -version; bin/thinimage process-image
# (re-run, the launcher as users run it); the same through plain `java -jar` (no archive, no
# launcher flags); bin/thinimage list-images; with BENCH_DAEMON=1, the re-run through a daemon
# that holds a second data dir (the CLI is then a client of its socket: no store, no pool).
# Environment: THINIMAGE_LAUNCHER (default bin/thinimage beside this script; its jar is the one
# measured), BENCH_EXTRA_ROW (a command line of a further row, run with the data dir options
# appended), BENCH_DAEMON, JAVA_HOME.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
n="${1:-11}"
launcher="${THINIMAGE_LAUNCHER:-$root/bin/thinimage}"
jar="$(dirname "$(dirname "$launcher")")/app-cli/target/thinimage-cli.jar"
work="$(mktemp -d -t thinimage-cli-bench.XXXXXX)"
daemon_pid=""
trap '[[ -n "$daemon_pid" ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null; rm -rf "$work"' EXIT
data="$work/data"
common=(--data-dir "$data" --store "file://$root/samples" --pool-driver directory)
java_bin="java"
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && java_bin="$JAVA_HOME/bin/java"

# the cold run; the second run is the launcher's first re-run (it may still write its caches)
"$launcher" process-image --s3-key images/web/ "${common[@]}" >/dev/null
"$launcher" process-image --s3-key images/web/ "${common[@]}" >/dev/null

rows=(floor floor_flags rerun rerun_plain list)
declare -A label=(
  [floor]="java -version"
  [floor_flags]="java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -version"
  [rerun]="bin/thinimage process-image (re-run, no-op)"
  [rerun_plain]="java -jar thinimage-cli.jar process-image (re-run)"
  [list]="bin/thinimage list-images"
)
cmd_floor=("$java_bin" -version)
cmd_floor_flags=("$java_bin" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -version)
cmd_rerun=("$launcher" process-image --s3-key images/web/ "${common[@]}")
cmd_rerun_plain=("$java_bin" -jar "$jar" process-image --s3-key images/web/ "${common[@]}")
cmd_list=("$launcher" list-images "${common[@]}")
if [[ "${BENCH_DAEMON:-0}" == 1 ]]; then
  ddata="$work/daemon-data"
  dcommon=(--data-dir "$ddata" --store "file://$root/samples" --pool-driver directory
    --socket "$work/daemon.sock")
  "$launcher" daemon "${dcommon[@]}" --metrics-port 0 >"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 600); do [[ -S "$work/daemon.sock" ]] && break; sleep 0.1; done
  [[ -S "$work/daemon.sock" ]] || { echo "bench: the daemon did not start" >&2; cat "$work/daemon.log" >&2; exit 1; }
  "$launcher" process-image --s3-key images/web/ "${dcommon[@]}" >/dev/null
  cmd_daemon=("$launcher" process-image --s3-key images/web/ "${dcommon[@]}")
  rows+=(daemon)
  label[daemon]="bin/thinimage process-image through a daemon (re-run)"
fi
if [[ -n "${BENCH_EXTRA_ROW:-}" ]]; then
  read -ra cmd_extra <<<"$BENCH_EXTRA_ROW"
  cmd_extra+=("${common[@]}")
  rows+=(extra)
  label[extra]="$BENCH_EXTRA_ROW"
fi

for ((r = 1; r <= n; r++)); do
  for row in "${rows[@]}"; do
    declare -n cmd="cmd_$row"
    s=$(date +%s%N)
    /usr/bin/time -f "%U %S" -o "$work/cpu" "${cmd[@]}" >/dev/null 2>&1 ||
      { echo "bench: row '$row' failed: ${cmd[*]}" >&2; exit 1; }
    e=$(date +%s%N)
    echo "$(((e - s) / 1000)) $(cat "$work/cpu")" >>"$work/$row.times"
    unset -n cmd
  done
done

median() { sort -g | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }
echo "rounds: $n; load average after: $(cut -d' ' -f1-3 /proc/loadavg); cpus: $(nproc); $("$java_bin" -version 2>&1 | head -n1)"
printf '%-58s %10s %10s\n' "row" "wall s" "cpu s"
for row in "${rows[@]}"; do
  w=$(awk '{print $1 / 1e6}' "$work/$row.times" | median)
  c=$(awk '{print $2 + $3}' "$work/$row.times" | median)
  printf '%-58s %10s %10s\n' "${label[$row]}" "$w" "$c"
done
floor=$(awk '{print $1 / 1e6}' "$work/floor.times" | median)
rerun=$(awk '{print $1 / 1e6}' "$work/rerun.times" | median)
echo "re-run / floor (wall): $(awk -v a="$rerun" -v b="$floor" 'BEGIN {printf "%.1fx", a / b}')"
