#!/usr/bin/env bash
# Benchmark: apply a realistic root-filesystem layer with thinimage's LayerApplier
# (NioRootFilesystem) versus GNU `tar -x --numeric-owner -p`, into the same filesystem, same run.
#
# Usage: bench/layer-apply.sh [WORKDIR] [ROUNDS]
#   WORKDIR  scratch directory on the filesystem to measure (default: a new dir under /var/tmp)
#   ROUNDS   rounds per tool (default 5)
# Env:
#   ROOTFS   an existing directory tree to pack as the layer; if unset, a Debian bookworm
#            minbase is made with debootstrap (needs root and the Debian mirror), else /usr/share
#            is used as a stand-in (said so in the output).
#   SKIP_BUILD=1  reuse the already built classes.
# Run as root so both tools apply ownership and modes the same way.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d /var/tmp/layer-bench.XXXXXX)}"
rounds="${2:-5}"
mkdir -p "$work"

source_desc=""
if [[ -n "${ROOTFS:-}" ]]; then
  src="$ROOTFS"
  source_desc="given tree $ROOTFS"
elif [[ -d "$work/rootfs/usr" ]]; then
  src="$work/rootfs"
  source_desc="debootstrap --variant=minbase bookworm (reused)"
elif command -v debootstrap >/dev/null && [[ $(id -u) -eq 0 ]] \
  && debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian \
    >"$work/debootstrap.log" 2>&1; then
  src="$work/rootfs"
  source_desc="debootstrap --variant=minbase bookworm"
else
  src=/usr/share
  source_desc="/usr/share (debootstrap unavailable)"
fi

layer="$work/layer.tar"
tar --numeric-owner -C "$src" -cf "$layer" .
digest=$(sha256sum "$layer" | cut -d' ' -f1)
entries=$(tar -tf "$layer" | wc -l)
size=$(stat -c %s "$layer")

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  (cd "$repo" && ./mvnw -q -pl core install -DskipTests -Dspotless.check.skip=true >/dev/null)
  (cd "$repo" && ./mvnw -q -pl adapters-devicemapper test-compile >/dev/null)
fi
cp_file="$work/classpath"
(cd "$repo" && ./mvnw -q -pl adapters-devicemapper dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null)
cp="$repo/adapters-devicemapper/target/test-classes:$repo/adapters-devicemapper/target/classes:$(cat "$cp_file")"


cat "$layer" >/dev/null # both tools read it from the page cache

echo "layer: $source_desc, $entries entries, $size bytes, sha256 $digest"
echo "filesystem: $(df -T "$work" | awk 'NR==2{print $2" on "$1}'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# Alternating rounds in one JVM (GNU tar as a child process, then LayerApplier in-process), so
# load from other processes hits both alike; sync before each timed step, outside the timing.
rm -rf "$work"/gnu-* "$work"/java-*
java -cp "$cp" io.thinimage.adapters.fs.LayerApplyBench "$layer" "$digest" "$work" "$rounds" \
  | tee "$work/bench.out"
mapfile -t gnu < <(sed -n 's/^round [0-9]*: gnu \([0-9]*\) ms.*/\1/p' "$work/bench.out")
mapfile -t java < <(sed -n 's/^round [0-9]*: gnu [0-9]* ms, java \([0-9]*\) ms.*/\1/p' "$work/bench.out")

# Same tree? Owners, modes, sizes, mtimes, link counts and symlink targets of both last rounds.
list() { (cd "$1" && find . -printf '%p %y %m %U:%G %s %Ts %n %l\n' | sort); }
if diff <(list "$work/gnu-last") <(list "$work/java-last") >"$work/tree.diff"; then
  same="identical"
else
  same="DIFFERENT ($(wc -l <"$work/tree.diff") diff lines, see $work/tree.diff)"
fi
rm -rf "$work"/gnu-* "$work"/java-*

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
g=$(median "${gnu[@]}")
j=$(median "${java[@]}")
echo "GNU tar -x --numeric-owner -p (ms): ${gnu[*]}  median $g"
echo "LayerApplier apply (ms):            ${java[*]}  median $j (round 1 includes JIT warm-up)"
awk -v j="$j" -v g="$g" 'BEGIN{printf "ratio LayerApplier/GNU tar (medians): %.2f\n", j/g}'
echo "trees: $same"
