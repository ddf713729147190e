#!/usr/bin/env bash
# Every named crash point once, deterministically: the complement of crash-torture.sh (whose
# named points depend on the state a burst happens to be in).
#
#   torture/named-sweep.sh
#
# download/unpack/image points: a fresh data dir, process-image of a three-layer family that
# halts at the point (THINIMAGE_CRASH_AT=<point>, exit 137). activate points: process-image
# --new-activation on a warm data dir. deactivate points: deactivate of a live snapshot. Then the
# same command again without a crash, and torture/check-invariants.py. Same environment as
# crash-torture.sh (THINIMAGE_JAR, TORTURE_DIR, TORTURE_STORE). Exit 1 on any failure.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
work="${TORTURE_DIR:-$(mktemp -d -t thinimage-sweep.XXXXXX)}"
mkdir -p "$work"
store="${TORTURE_STORE:-file://$root/samples}"
cp "${THINIMAGE_JAR:-$root/app-cli/target/thinimage-cli.jar}" "$work/cli.jar"
# sqlite-jdbc unpacks its native library per process and a SIGKILL leaves it behind: keep it here
mkdir -p "$work/sqlite-native"
jvm=(java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k "-Dorg.sqlite.tmpdir=$work/sqlite-native")
cli() { "${jvm[@]}" -jar "$work/cli.jar" "$@" --data-dir "$data" --store "$store" --pool-driver directory; }

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

kills=0; missed=(); failures=0; i=0
warm="$work/warm"
data="$warm"
cli process-image --s3-key images/web/ >/dev/null 2>&1 || { echo "warm-up failed" >&2; exit 2; }
for p in "${points[@]}"; do
  i=$((i + 1))
  case "$p" in
    activate/*) data="$warm"; cmd=(process-image --s3-key images/web/ --new-activation) ;;
    deactivate/*)
      data="$warm"
      act="$(sqlite3 "$data/thinimage.db" "SELECT id FROM activations WHERE state='ACTIVE' LIMIT 1")"
      cmd=(deactivate "$act") ;;
    *) data="$work/cold.$i"; cmd=(process-image --s3-key images/worker/) ;;
  esac
  THINIMAGE_CRASH_AT="$p" cli "${cmd[@]}" >/dev/null 2>"$work/err"
  rc=$?
  if ((rc == 137)); then kills=$((kills + 1)); else missed+=("$p(rc $rc)"); fi
  cli "${cmd[@]}" >/dev/null 2>"$work/err" || { failures=$((failures + 1)); echo "FAIL $p: recovery exited $?: $(tail -n 2 "$work/err")"; }
  # deactivate needs a snapshot to remove next time
  [[ $p == deactivate/* ]] && cli process-image --s3-key images/web/ --new-activation >/dev/null 2>&1
  if ! out="$(python3 "$here/check-invariants.py" "$data" 2>&1)"; then
    failures=$((failures + 1)); echo "FAIL $p: $out"
  fi
  printf '%-32s rc %3d  %s\n' "$p" "$rc" "$([[ $rc == 137 ]] && echo halted || echo not-reached)"
  [[ $data == "$work"/cold.* ]] && rm -rf "$data"
done
echo
echo "points: ${#points[@]}, halted: $kills, not reached: ${#missed[@]} ${missed[*]:-}, failures: $failures"
((failures == 0))
