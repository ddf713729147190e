#!/usr/bin/env bash
# Runs the devicemapper integration suite (the *VmIT classes of adapters-devicemapper) against
# a real kernel thin-pool, with the JUnit Platform console launcher (not Maven).
#
#   .ci/dm-vm-suite.sh            build on this host, then run the suite as root where
#                                 device-mapper exists: here if /dev/mapper/control is present
#                                 and we are root, else inside the dm VM
#   .ci/dm-vm-suite.sh --inside   run the already-built suite here (what the VM executes)
#
# The VM runner is found by .ci/lib/vm-runner.sh: $THINIMAGE_DM_VM_RUNNER, else
# run-in-dm-vm.sh on PATH, else ../shared/tools/dm-vm/run-in-dm-vm.sh beside the project.
# Reports go to adapters-devicemapper/target/vm-reports, the latency benchmark to
# adapters-devicemapper/target/vm-reports/activation-latency.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
MOD=adapters-devicemapper
OUT=$MOD/target/vm-reports
LIB=$MOD/target/vm-lib
CP_FILE=$MOD/target/vm-classpath.txt

inside() {
	local cp launcher
	launcher=$(ls "$LIB"/junit-platform-console-standalone-*.jar | head -n1)
	# the console launcher brings its own JUnit Platform, Jupiter and opentest4j
	cp="$ROOT/$MOD/target/vm-classes/test:$ROOT/$MOD/target/vm-classes/main:$(tr ':' '\n' <"$CP_FILE" |
		grep -v -e '/org/junit/' -e '/org/opentest4j/' -e '/org/apiguardian/' -e '/net/jqwik/' | paste -sd:)"
	mkdir -p "$OUT"
	command -v thin_ls >/dev/null || echo "note: thin_ls not installed; inactive volumes are not listed" >&2
	# C1 only and serial GC: the VM has no KVM, so JIT time dominates short runs
	exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto \
		-Djava.io.tmpdir=/tmp \
		-Dthinimage.test.classpath="$cp" \
		-Dthinimage.bench.out="$ROOT/$OUT/activation-latency.txt" \
		-jar "$launcher" execute \
		--class-path "$cp" \
		--select-class io.thinimage.adapters.devicemapper.DevicemapperVmIT \
		--select-class io.thinimage.adapters.devicemapper.DevicemapperPoolContractVmIT \
		--select-class io.thinimage.adapters.devicemapper.ActivationLatencyVmIT \
		--select-class io.thinimage.adapters.devicemapper.GarbageCollectorVmIT \
		--select-class io.thinimage.adapters.devicemapper.FaultsVmIT \
		--reports-dir "$ROOT/$OUT" \
		--details tree --disable-banner --fail-if-no-tests
}

if [ "${1:-}" = "--inside" ]; then
	inside
	exit $?
fi

# ---- host side: build what the suite needs, without running any tests ----
JUNIT_VERSION=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml | head -n1)
./mvnw -q -B -ntp -pl "$MOD" -am package dependency:build-classpath \
	-DskipTests -Dspotless.check.skip=true \
	-Dmdep.includeScope=test -Dmdep.outputFile=target/vm-classpath.txt
# private copies of the compiled classes: the VM run takes minutes, builds may run meanwhile
rm -rf "$MOD/target/vm-classes"
mkdir -p "$MOD/target/vm-classes"
cp -a "$MOD/target/classes" "$MOD/target/vm-classes/main"
cp -a "$MOD/target/test-classes" "$MOD/target/vm-classes/test"
# ...and of the sibling modules' jars on the classpath (core and its test-jar), rewritten to point
# at the copies, so a build during the run cannot change a jar under the VM's feet
mkdir -p "$MOD/target/vm-classes/deps"
n=0
: >"$CP_FILE.private"
for entry in $(tr ':' ' ' <"$CP_FILE"); do
	case "$entry" in
	"$ROOT"/*)
		n=$((n + 1))
		copy="$ROOT/$MOD/target/vm-classes/deps/$n-$(basename "$entry")"
		cp -a "$entry" "$copy"
		entry="$copy"
		;;
	esac
	printf '%s:' "$entry" >>"$CP_FILE.private"
done
sed -i 's/:$//' "$CP_FILE.private"
mv "$CP_FILE.private" "$CP_FILE"
./mvnw -q -B -ntp -N dependency:copy \
	-Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_VERSION" \
	-DoutputDirectory="$ROOT/$LIB"

# thin_ls (thin-provisioning-tools) lets list() see inactive volumes; the VM shares this root.
if ! command -v thin_ls >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q thin-provisioning-tools >/dev/null 2>&1 ||
		echo "note: could not install thin-provisioning-tools" >&2
fi

if [ -e /dev/mapper/control ] && [ "$(id -u)" = 0 ]; then
	# a subshell: inside() execs the launcher, and the CLI end to end runs after it
	suite_rc=0
	(inside) || suite_rc=$?
	cli_rc=0
	bash .ci/dm-vm-cli.sh || cli_rc=$?
	echo "dm-vm-suite: JUnit suite exit $suite_rc, CLI end to end exit $cli_rc" >&2
	exit $((suite_rc ? suite_rc : cli_rc))
fi

# shellcheck source=lib/vm-runner.sh
. .ci/lib/vm-runner.sh
find_vm_runner dm-vm-suite "$ROOT"
suite_rc=0
"$RUNNER" --workdir "$ROOT" --timeout "${THINIMAGE_DM_VM_TIMEOUT:-1500}" -- bash .ci/dm-vm-suite.sh --inside || suite_rc=$?

# ---- then the seed's flow through the real CLI jar on devicemapper, in a VM of its own --------
cli_rc=0
THINIMAGE_DM_VM_RUNNER="$RUNNER" bash .ci/dm-vm-cli.sh || cli_rc=$?
echo "dm-vm-suite: JUnit suite exit $suite_rc, CLI end to end exit $cli_rc" >&2
exit $((suite_rc ? suite_rc : cli_rc))
