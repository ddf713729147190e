#!/usr/bin/env bash
# A short crash torture of the real CLI jar on a real kernel thin-pool: torture/crash-torture.sh
# with TORTURE_DRIVER=devicemapper and few kills (default 6: two bursts of three, half at named
# engine points, half kill -9 at a random moment), each burst followed by a recovery, gc
# --dry-run and the invariant checker, which also compares `dmsetup ls` and the mounts with the
# database. Exits non-zero when any invariant broke.
#
#   .ci/dm-vm-torture.sh            make sure app-cli/target/thinimage-cli.jar exists (build it if
#                                   not, or always with THINIMAGE_E2E_BUILD=1), then run the
#                                   torture as root where device-mapper exists: here if
#                                   /dev/mapper/control is present and we are root, else in the VM
#   .ci/dm-vm-torture.sh --inside   run it here with the jar copied by the host side
#
# The VM runner is found by .ci/lib/vm-runner.sh: $THINIMAGE_DM_VM_RUNNER, else
# run-in-dm-vm.sh on PATH, else ../shared/tools/dm-vm/run-in-dm-vm.sh beside the project.
# Environment: THINIMAGE_TORTURE_KILLS (default 6), TORTURE_SEED (default random; printed),
# TORTURE_MAX_SECONDS (default 0 = none: no new burst after this many seconds),
# THINIMAGE_CLI_JAR (a jar to use instead of the build's), THINIMAGE_DM_VM_TIMEOUT (default
# 1200 s). Data dirs and pools live under /tmp (in the VM a fresh ext4 disk) and are torn down.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JAR=${THINIMAGE_CLI_JAR:-app-cli/target/thinimage-cli.jar}
# a private copy: the VM run takes minutes and builds may rewrite the jar meanwhile
TORTURE_JAR=app-cli/target/vm-torture/thinimage-cli.jar
KILLS=${THINIMAGE_TORTURE_KILLS:-6}
SEED=${TORTURE_SEED:-$RANDOM}
BUDGET=${TORTURE_MAX_SECONDS:-0}

if [ "${1:-}" = "--inside" ]; then
	exec env TORTURE_DRIVER=devicemapper TORTURE_SEED="$SEED" TORTURE_MAX_SECONDS="$BUDGET" THINIMAGE_JAR="$ROOT/$TORTURE_JAR" \
		bash torture/crash-torture.sh "$KILLS"
fi

if [[ -z "${THINIMAGE_CLI_JAR:-}" && (! -f "$JAR" || "${THINIMAGE_E2E_BUILD:-0}" == 1) ]]; then
	echo "dm-vm-torture: building $JAR" >&2
	./mvnw -q -B -ntp -pl app-cli -am package -DskipTests -Dspotless.check.skip=true
fi
mkdir -p "$(dirname "$TORTURE_JAR")"
cp -f "$JAR" "$TORTURE_JAR"

if [ -e /dev/mapper/control ] && [ "$(id -u)" = 0 ]; then
	exec env THINIMAGE_TORTURE_KILLS="$KILLS" TORTURE_SEED="$SEED" TORTURE_MAX_SECONDS="$BUDGET" \
		bash .ci/dm-vm-torture.sh --inside
fi

# shellcheck source=lib/vm-runner.sh
. .ci/lib/vm-runner.sh
find_vm_runner dm-vm-torture "$ROOT"
echo "dm-vm-torture: $KILLS kills, seed $SEED, in the VM" >&2
exec "$RUNNER" --workdir "$ROOT" --timeout "${THINIMAGE_DM_VM_TIMEOUT:-1200}" -- \
	env THINIMAGE_TORTURE_KILLS="$KILLS" TORTURE_SEED="$SEED" TORTURE_MAX_SECONDS="$BUDGET" \
		bash .ci/dm-vm-torture.sh --inside
