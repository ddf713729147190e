#!/usr/bin/env bash
# End-to-end benchmark of the real thinimage CLI on the directory pool, every figure next to a
# baseline measured in the same go (results: docs/benchmarks/end-to-end.md).
#
#   bench/e2e-bench.sh [REPS]      default 3 repetitions; medians are reported
#
# It builds a realistic layered family from this host's /usr/share (package-lists left out):
#   L1 = the directories a..k, L2 = l..p, L3 = q..z plus an OCI whiteout of one L1 directory;
# and a second family sharing L1 and L2 with its own top layer L4 = /usr/include.
#   app  = L1 L2 L3        tool = L1 L2 L4
# Then, per repetition:
#   cold     process-image of app on a fresh data dir        vs  shell: cat L | tar -x per layer
#                                                                into one directory, and the
#                                                                same with one cp -a per chain
#                                                                (what the directory pool keeps)
#   rerun    process-image of app again (idempotent)         vs  java -version (the JVM floor)
#   dedupe   blobs stored after app + tool                   vs  the layer bytes of both
#   RSS      peak resident set of cold and rerun (/usr/bin/time -v)
# Environment: THINIMAGE_JAR (default app-cli/target/thinimage-cli.jar, copied first),
# BENCH_DIR (default a new temp dir), BENCH_SOURCE (default /usr/share).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
reps="${1:-3}"
work="${BENCH_DIR:-$(mktemp -d -t thinimage-bench.XXXXXX)}"
src="${BENCH_SOURCE:-/usr/share}"
src_jar="${THINIMAGE_JAR:-$root/app-cli/target/thinimage-cli.jar}"
mkdir -p "$work"
cp "$src_jar" "$work/cli.jar"
jvm=(java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xlog:disable -Xlog:all=error:stderr)
java "${jvm[@]:1}" -XX:ArchiveClassesAtExit="$work/cli.jsa" -jar "$work/cli.jar" --version >/dev/null 2>&1 || true
[[ -s "$work/cli.jsa" ]] && jvm+=("-XX:SharedArchiveFile=$work/cli.jsa")

# ---- the store: two families sharing two layers --------------------------------------------
store="$work/store"
if [[ ! -f "$store/images/tool/3.tar" ]]; then
  mkdir -p "$store/images/app" "$store/images/tool"
  base="$(dirname "$src")"
  name="$(basename "$src")"
  pick() { (cd "$base" && find "$name" -mindepth 1 -maxdepth 1 ! -name package-lists | sort | awk -F/ -v lo="$1" -v hi="$2" '{c=tolower(substr($2,1,1)); if (c>=lo && c<=hi) print}'); }
  (cd "$base" && tar -cf "$store/images/app/1.tar" --owner=0 --group=0 $(pick 0 k))
  (cd "$base" && tar -cf "$store/images/app/2.tar" --owner=0 --group=0 $(pick l p))
  victim="$(pick a k | tail -n 1)"
  mkdir -p "$work/wh/$(dirname "$victim")"
  : >"$work/wh/$(dirname "$victim")/.wh.$(basename "$victim")"
  (cd "$base" && tar -cf "$work/l3.tar" --owner=0 --group=0 $(pick q z))
  (cd "$work/wh" && tar -rf "$work/l3.tar" --owner=0 --group=0 "$(dirname "$victim")/.wh.$(basename "$victim")")
  mv "$work/l3.tar" "$store/images/app/3.tar"
  cp "$store/images/app/1.tar" "$store/images/tool/1.tar"
  cp "$store/images/app/2.tar" "$store/images/tool/2.tar"
  (cd /usr && tar -cf "$store/images/tool/3.tar" --owner=0 --group=0 include)
fi

cli=("${jvm[@]}" -jar "$work/cli.jar")
opts=(--store "file://$store" --pool-driver directory)

# /usr/bin/time -v prints "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:01.23" and "Maximum
# resident set size (kbytes): 123456".
timed() { # timed OUT_PREFIX cmd...
  local p="$1"
  shift
  /usr/bin/time -v -o "$p.time" "$@" >"$p.out" 2>"$p.err"
}
wall() { awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$1.time"; }
rss() { awk -F': ' '/Maximum resident set size/{print $2}' "$1.time"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A t=()
add() { t[$1]="${t[$1]:-} $2"; }
sync
for ((r = 1; r <= reps; r++)); do
  d="$work/run$r"
  rm -rf "$d" "$work/shell$r" "$work/chain$r"
  # shell baseline 1: every layer into one directory
  mkdir -p "$work/shell$r"
  timed "$work/shell$r.b" bash -c "for l in $store/images/app/1.tar $store/images/app/2.tar $store/images/app/3.tar; do cat \$l | tar -x -C $work/shell$r; done"
  add shell "$(wall "$work/shell$r.b")"
  # shell baseline 2: one directory per chain, each a copy of its parent plus one layer, and a
  # copy for the snapshot: the same set of directories the directory pool ends with
  timed "$work/chain$r.b" bash -c "set -e; p=''; for i in 1 2 3; do c=$work/chain$r/c\$i; if [ -n \"\$p\" ]; then cp -a \$p \$c; else mkdir -p \$c; fi; cat $store/images/app/\$i.tar | tar -x -C \$c; p=\$c; done; cp -a \$p $work/chain$r/snap"
  add chain "$(wall "$work/chain$r.b")"
  timed "$work/cold$r" "${cli[@]}" process-image --s3-key images/app/ --data-dir "$d" --output json "${opts[@]}"
  add cold "$(wall "$work/cold$r")"
  add cold_rss "$(rss "$work/cold$r")"
  timed "$work/rerun$r" "${cli[@]}" process-image --s3-key images/app/ --data-dir "$d" --output json "${opts[@]}"
  add rerun "$(wall "$work/rerun$r")"
  add rerun_rss "$(rss "$work/rerun$r")"
  timed "$work/floor$r" "${jvm[@]}" -version
  add floor "$(wall "$work/floor$r")"
  add floor_rss "$(rss "$work/floor$r")"
  timed "$work/tool$r" "${cli[@]}" process-image --s3-key images/tool/ --data-dir "$d" --output json "${opts[@]}"
  add tool "$(wall "$work/tool$r")"
  rm -rf "$work/shell$r" "$work/chain$r"
  [[ $r -lt $reps ]] && rm -rf "$d"
done

m() { printf '%s\n' ${t[$1]} | median; }
layer_bytes() { cat "$@" | wc -c; }
app_bytes=$(layer_bytes "$store"/images/app/*.tar)
tool_bytes=$(layer_bytes "$store"/images/tool/*.tar)
stored=$(du -sb --apparent-size "$work/run$reps/blobs/sha256" | cut -f1)
pool=$(du -sb "$work/run$reps/pool/volumes" | cut -f1)
files=$(tar -tf "$store/images/app/1.tar" | wc -l)+$(tar -tf "$store/images/app/2.tar" | wc -l)+$(tar -tf "$store/images/app/3.tar" | wc -l)

cat <<EOF
machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr), $(java -version 2>&1 | head -n 1)
load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)
family app: 3 layers, $app_bytes bytes, entries $files; family tool: shares L1 L2, $tool_bytes bytes
repetitions: $reps (medians, seconds)

cold process-image app          $(m cold)
  shell: tar -x per layer       $(m shell)     ratio $(awk -v a="$(m cold)" -v b="$(m shell)" 'BEGIN{printf "%.2f", a/b}')
  shell: cp -a per chain + tar  $(m chain)     ratio $(awk -v a="$(m cold)" -v b="$(m chain)" 'BEGIN{printf "%.2f", a/b}')
idempotent re-run               $(m rerun)
  JVM floor (java -version)     $(m floor)     ratio $(awk -v a="$(m rerun)" -v b="$(m floor)" 'BEGIN{printf "%.2f", a/b}')
process-image tool (after app)  $(m tool)
peak RSS KiB: cold $(m cold_rss), re-run $(m rerun_rss), java -version $(m floor_rss)
bytes: layers of app + tool $((app_bytes + tool_bytes)); blobs stored $stored (ratio $(awk -v a="$stored" -v b="$((app_bytes + tool_bytes))" 'BEGIN{printf "%.3f", a/b}'))
pool volumes on disk after app + tool: $pool bytes
EOF
