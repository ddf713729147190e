#!/usr/bin/env bash
# Crash torture of the real thinimage CLI on the directory pool (no root, no devicemapper), or
# with TORTURE_DRIVER=devicemapper on a kernel thin-pool (as root).
#
# Each round runs one command (process-image of a sample family, process-image
# --new-activation, or deactivate of a live snapshot) and kills it: half the rounds at a named
# engine point (THINIMAGE_CRASH_AT=<fsm>/<STATE>/<where>#<n>: the process halts with 137, no
# cleanup, like kill -9), half with kill -9 after a random delay. Kills come in bursts of
# TORTURE_BURST (default 3) commands, each starting on the state the previous kill left; then it
# re-runs the last command without a crash (every invocation that takes the data-dir lock
# reconciles and resumes all runs in flight), re-runs process-image of every family the burst
# touched, and checks the invariants with torture/check-invariants.py. A data dir is reused for several rounds, then
# replaced by a fresh one, so both cold pulls and warm re-runs are crashed.
#
#   torture/crash-torture.sh [KILLS]        default 300: stop after this many real kills
#
# Environment: THINIMAGE_JAR (default app-cli/target/thinimage-cli.jar, copied first so a
# rebuild during the run does not change the binary), TORTURE_DIR (default a new temp dir),
# TORTURE_SEED (default random), TORTURE_STORE (default file://<repo>/samples),
# TORTURE_MAX_SECONDS (default none: no new burst starts after this many seconds; the summary
# then says how many kills were reached), TORTURE_DRIVER (directory, the default, or
# devicemapper), TORTURE_KILL_MIN_MS and
# TORTURE_KILL_SPAN_MS (the random kill -9 comes after MIN + random(SPAN) ms; default 50 + 1500
# on the directory pool, 5000 + 15000 on devicemapper, where a JVM is much slower to start).
#
# devicemapper: each fresh data dir gets `setup-pool` (a 2 GiB sparse pool, 64 KiB blocks) under
# its own pool name ti-t<n>p<pid>; the previous data dir's devices, pool and loop devices are torn
# down when it is replaced. A recovery then also runs `gc --dry-run --output json`, and the
# checker compares `dmsetup ls` and /proc/self/mountinfo with the database (I8-I10). A burst's
# touched families are re-run only when an image is not READY (every call costs a slow JVM start).
# Output: one line per round, a summary, and TORTURE_DIR/failures/ with the data dir and logs of
# every failing round. Exit 1 if any round broke an invariant.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
target_kills="${1:-300}"
burst="${TORTURE_BURST:-3}"   # kills in a row before one recovery and an invariant check
seed="${TORTURE_SEED:-$RANDOM}"
RANDOM=$seed
work="${TORTURE_DIR:-$(mktemp -d -t thinimage-torture.XXXXXX)}"
mkdir -p "$work/failures"
store="${TORTURE_STORE:-file://$root/samples}"
src_jar="${THINIMAGE_JAR:-$root/app-cli/target/thinimage-cli.jar}"
[[ -f "$src_jar" ]] || { echo "missing $src_jar: run ./mvnw -q -pl app-cli -am package -DskipTests" >&2; exit 2; }
jar="$work/thinimage-cli.jar"
cp "$src_jar" "$jar"
jsa="$work/thinimage-cli.jsa"
driver="${TORTURE_DRIVER:-directory}"
case "$driver" in directory | devicemapper) ;; *) echo "TORTURE_DRIVER must be directory or devicemapper" >&2; exit 2 ;; esac
if [[ $driver == devicemapper ]]; then
  kill_min="${TORTURE_KILL_MIN_MS:-5000}"; kill_span="${TORTURE_KILL_SPAN_MS:-15000}"
  for tool in dmsetup losetup mkfs.ext4 sqlite3; do
    command -v "$tool" >/dev/null || { echo "devicemapper torture needs $tool" >&2; exit 2; }
  done
  [[ $(id -u) == 0 && -e /dev/mapper/control ]] || { echo "devicemapper torture needs root and /dev/mapper/control" >&2; exit 2; }
else
  kill_min="${TORTURE_KILL_MIN_MS:-50}"; kill_span="${TORTURE_KILL_SPAN_MS:-1500}"
fi
# sqlite-jdbc unpacks its native library per process and a SIGKILL leaves it behind: keep it here
mkdir -p "$work/sqlite-native"
jvm=(java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -Xlog:disable -Xlog:all=error:stderr "-Dorg.sqlite.tmpdir=$work/sqlite-native")
[[ $driver == devicemapper ]] && jvm+=(-Djava.io.tmpdir=/tmp)
# One class-data-sharing archive for the copied jar: start-up is most of a short run.
"${jvm[@]}" -XX:ArchiveClassesAtExit="$jsa" -jar "$jar" --version >/dev/null 2>&1 || true
[[ -s "$jsa" ]] && jvm+=("-XX:SharedArchiveFile=$jsa")

families=(web worker minimal)
wheres=(before-step before-effect after-effect after-commit)
points=()
for s in CHECK FETCH STORE; do for w in "${wheres[@]}"; do points+=("download/$s/$w"); done; done
points+=(download/FETCH/downloaded download/STORE/renamed)
for s in PLAN CREATE APPLY SEAL; do for w in "${wheres[@]}"; do points+=("unpack/$s/$w"); done; done
points+=(unpack/PLAN/reserved unpack/CREATE/created unpack/APPLY/mounted unpack/APPLY/applied)
for s in PLAN SNAPSHOT EXPOSE; do for w in "${wheres[@]}"; do points+=("activate/$s/$w"); done; done
points+=(activate/PLAN/reserved activate/SNAPSHOT/snapshotted activate/EXPOSE/activated)
for s in MARK REMOVE; do for w in "${wheres[@]}"; do points+=("deactivate/$s/$w"); done; done
points+=(deactivate/REMOVE/deleted)
for s in RESOLVE FETCH BUILD ACTIVATE; do for w in "${wheres[@]}"; do points+=("image/$s/$w"); done; done

data=""
pool=""
touched=()
history=()
pool_args=(--pool-driver directory)
# Tear down a devicemapper data dir's devices, pool and loop devices (never anyone else's).
dm_teardown() { # dm_teardown POOL DATA_DIR
  local p=$1 d=$2 dev f loop
  grep -F " $d/mounts/" /proc/self/mounts | awk '{print $2}' | while read -r m; do umount "$m"; done
  for dev in $(dmsetup ls 2>/dev/null | awk -v p="$p-ti-" 'index($1, p) == 1 {print $1}'); do
    dmsetup remove "$dev" >/dev/null 2>&1 || dmsetup remove --deferred "$dev" >/dev/null 2>&1
  done
  dmsetup remove "$p" >/dev/null 2>&1
  for f in "$d/pool_data" "$d/pool_meta"; do
    for loop in $(losetup -j "$f" 2>/dev/null | cut -d: -f1); do losetup -d "$loop" >/dev/null 2>&1; done
  done
}
new_data() {
  if [[ $driver == devicemapper && -n $pool ]]; then
    dm_teardown "$pool" "$data"
    rm -rf "$data"
  fi
  data="$work/data.$1"
  rm -rf "$data"
  if [[ $driver == devicemapper ]]; then
    pool="ti-t$1p$$"
    pool_args=(--pool-driver devicemapper --pool "$pool")
    cli setup-pool --data-size 2G --block-sectors 128 >/dev/null 2>"$work/setup.err" \
      || { echo "setup-pool of $pool on $data failed: $(cat "$work/setup.err")" >&2; exit 2; }
  fi
}
cli() { "${jvm[@]}" -jar "$jar" "$@" --data-dir "$data" --store "$store" "${pool_args[@]}"; }

kills=0; named=0; random_kills=0; not_reached=0; failures=0; rounds=0; recoveries=0
declare -A point_hits=()
start=$(date +%s)
new_data 0

# A live snapshot id, or empty.
live_activation() {
  sqlite3 "$data/thinimage.db" "SELECT id FROM activations WHERE state='ACTIVE' ORDER BY random() LIMIT 1" 2>/dev/null
}

fail() {
  failures=$((failures + 1))
  local dest="$work/failures/round-$rounds"
  mkdir -p "$dest"
  if [[ $driver == devicemapper ]]; then
    mkdir -p "$dest/data"
    cp -a "$data/thinimage.db"* "$dest/data/" 2>/dev/null
    cp -a "$data/logs" "$dest/data/" 2>/dev/null
    { dmsetup ls; echo; grep -F "$data" /proc/self/mountinfo; } >"$dest/dm-state.txt" 2>&1
  else
    cp -a "$data" "$dest/data" 2>/dev/null
  fi
  printf '%s\n' "$@" >"$dest/why.txt"
  echo "FAIL round $rounds: $*"
}

summary() {
  end=$(date +%s)
  echo
echo "driver $driver, seed $seed, $rounds rounds in $((end - start)) s"
echo "kills: $kills ($named at named points, $random_kills random kill -9); $not_reached runs finished before their kill; $recoveries recoveries"
echo "named points hit: ${#point_hits[@]} of ${#points[@]}"
for p in "${points[@]}"; do
  [[ -z ${point_hits[$p]:-} ]] && echo "  never hit: $p"
done
echo "failures: $failures (details in $work/failures)"
}
# Stopped early (Ctrl-C, TERM): still print what was done.
trap 'summary; exit 130' INT TERM
# The last devicemapper data dir is torn down on exit (failing rounds keep a copy of the DB).
[[ $driver == devicemapper ]] && trap '[[ -n $pool ]] && dm_teardown "$pool" "$data"' EXIT


max_seconds="${TORTURE_MAX_SECONDS:-0}"
while ((kills < target_kills)); do
  if ((max_seconds > 0 && (rounds % burst == 0) && $(date +%s) - start >= max_seconds)); then
    echo "time budget of $max_seconds s used up: stopping after $kills of $target_kills kills"
    break
  fi
  rounds=$((rounds + 1))
  mode=random
  ((rounds % 2 == 0)) && mode=named
  point=""
  if [[ $mode == named ]]; then
    point="${points[$(((rounds / 2) % ${#points[@]}))]}"
  fi
  # A burst starts: maybe a fresh data dir (a third of the time for download/unpack/image
  # points, else 1 in 5). Inside a burst the crashed state is kept for the next command.
  if (((rounds - 1) % burst == 0)); then
    fresh=$((RANDOM % 5 == 0))
    case "$point" in download/* | unpack/* | image/*) ((RANDOM % 3 == 0)) && fresh=1 ;; esac
    # devicemapper: every call is slow, so a named cold-pull point always gets a fresh data dir
    # (on a warm one it is mostly never reached).
    [[ $driver == devicemapper && $point == @(download|unpack)/* ]] && fresh=1
    ((fresh)) && new_data "$rounds"
    touched=()
  fi

  # The command to crash.
  fam="${families[$((RANDOM % 3))]}"
  # devicemapper, a named cold-pull point: prefer a family this data dir has not pulled yet.
  if [[ $driver == devicemapper && $point == @(download|unpack|image)/* ]]; then
    for f in "${families[@]}"; do
      [[ -n $(sqlite3 "$data/thinimage.db" "SELECT 1 FROM images WHERE reference LIKE '%images/$f/%' LIMIT 1" 2>/dev/null) ]] \
        || { fam=$f; break; }
    done
  fi
  cmd=(process-image --s3-key "images/$fam/")
  r=$((RANDOM % 10))
  if [[ $point == deactivate/* ]] || { [[ -z $point ]] && ((r < 2)); }; then
    act="$(live_activation)"
    if [[ -z $act ]]; then
      cli "${cmd[@]}" >/dev/null 2>"$work/last.err" || { fail "setup process-image rc=$?" "$(cat "$work/last.err")"; continue; }
      act="$(live_activation)"
    fi
    cmd=(deactivate "$act")
  elif [[ $point == activate/* ]] || { [[ -z $point ]] && ((r < 4)); }; then
    cmd+=(--new-activation)
  fi

  nth=1
  if [[ -n $point ]]; then
    nth=$((1 + RANDOM % 3))
    THINIMAGE_CRASH_AT="$point#$nth" cli "${cmd[@]}" >/dev/null 2>"$work/last.err"
    rc=$?
  else
    cli "${cmd[@]}" >/dev/null 2>"$work/last.err" &
    pid=$!
    if ((kill_span <= 32767)); then
      delay_ms=$((kill_min + RANDOM % kill_span))
    else
      delay_ms=$((kill_min + (RANDOM * 32768 + RANDOM) % kill_span))
    fi
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
  fi

  what="${point:+$point#$nth}"
  what="${what:-kill-9@${delay_ms}ms}"
  if ((rc == 137)); then
    kills=$((kills + 1))
    if [[ -n $point ]]; then
      named=$((named + 1))
      point_hits[$point]=$((${point_hits[$point]:-0} + 1))
    else
      random_kills=$((random_kills + 1))
    fi
  elif ((rc == 0)); then
    not_reached=$((not_reached + 1))
  else
    fail "crashed command ${cmd[*]} ($what) exited $rc, expected 0 or 137" "$(cat "$work/last.err")"
  fi

  [[ ${cmd[0]} == process-image ]] && touched+=("$fam")
  history+=("$what:${cmd[*]}")
  if ((rounds % burst != 0)); then
    printf 'round %4d kills %4d  %-8s rc %3d  %s\n' "$rounds" "$kills" "${cmd[0]}" "$rc" "$what"
    continue
  fi

  # Recovery: the last command again, no crash. It must succeed, and its reconcile must resume
  # every run the earlier kills of this burst left in flight.
  cli "${cmd[@]}" --output json >"$work/recover.out" 2>"$work/recover.err"
  rrc=$?
  recoveries=$((recoveries + 1))
  if ((rrc != 0)); then
    fail "recovery of ${cmd[*]} after $what exited $rrc" "$(cat "$work/recover.err")" "burst: ${history[*]}"
  fi
  # Every image of the burst is processed again (a no-op when it already converged). On
  # devicemapper only when an image is not READY: each call is a slow JVM start there.
  rerun=1
  if [[ $driver == devicemapper ]] \
    && [[ $(sqlite3 "$data/thinimage.db" "SELECT count(*) FROM images WHERE state <> 'READY'" 2>/dev/null) == 0 ]]; then
    rerun=0
  fi
  ((rerun)) && for f in $(printf '%s\n' "${touched[@]}" | sort -u); do
    [[ ${cmd[0]} == process-image && $f == "$fam" ]] && continue
    cli process-image --s3-key "images/$f/" >/dev/null 2>"$work/recover.err" \
      || fail "re-run of process-image images/$f/ exited $?" "$(cat "$work/recover.err")" "burst: ${history[*]}"
  done
  # status is one more JVM start: ask it every fifth round (the checker reads the runs itself).
  status_arg=()
  if ((rounds % 5 == 0)); then
    cli status --output json >"$work/status.json" 2>/dev/null && status_arg=("$work/status.json")
  fi
  dm_arg=()
  if [[ $driver == devicemapper ]]; then
    dm_arg=(--dm-pool "$pool" --mount-root "$data/mounts")
    if cli gc --dry-run --output json >"$work/gc.json" 2>"$work/gc.err"; then
      dm_arg+=(--gc "$work/gc.json")
    else
      fail "gc --dry-run exited $?" "$(cat "$work/gc.err")" "burst: ${history[*]}"
    fi
  fi
  if ! out="$(python3 "$here/check-invariants.py" "$data" "${status_arg[@]}" "${dm_arg[@]}" 2>&1)"; then
    fail "invariants after burst" "$out" "burst: ${history[*]}"
  fi
  history=()
  printf 'round %4d kills %4d  %-8s rc %3d  %-45s %s\n' "$rounds" "$kills" "${cmd[0]}" "$rc" "$what" "$([[ $rrc == 0 ]] && echo recovered || echo RECOVERY-FAILED)"
done

summary
((failures == 0))
