#!/usr/bin/env bash
# The seed's flow once, end to end, with the real CLI jar on a real kernel thin-pool:
# setup-pool, process-image of a sample family, list-images, list-snapshots (text and JSON),
# mount the snapshot read-only and read a file only the family's last layer adds, an idempotent
# re-run (same snapshot, no new device), status (pool healthy), the JSON log file, deactivate
# and delete.
# Every step asserts and prints what it checked; any failure exits non-zero.
#
#   .ci/dm-vm-cli.sh            make sure app-cli/target/thinimage-cli.jar exists (build it if
#                               not, or always with THINIMAGE_E2E_BUILD=1), then run the flow as
#                               root where device-mapper exists: here if /dev/mapper/control is
#                               present and we are root, else in the VM
#   .ci/dm-vm-cli.sh --inside   run the flow here with the jar copied by the host side
#
# The VM runner is found by .ci/lib/vm-runner.sh: $THINIMAGE_DM_VM_RUNNER, else
# run-in-dm-vm.sh on PATH, else ../shared/tools/dm-vm/run-in-dm-vm.sh beside the project.
# Environment: THINIMAGE_E2E_FAMILY (default web, or worker), THINIMAGE_CLI_JAR (a jar to use
# instead of the build's), THINIMAGE_DM_VM_TIMEOUT (default 1500 s).
# Needs jq, dmsetup, losetup, mkfs.ext4 and mount (all in the VM, which shares the host's root).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# THINIMAGE_CLI_JAR: run another build's jar (it is copied into the work tree for the VM)
JAR=${THINIMAGE_CLI_JAR:-app-cli/target/thinimage-cli.jar}
# a private copy: the VM run takes minutes and builds may rewrite the jar meanwhile
E2E_JAR=app-cli/target/vm-cli/thinimage-cli.jar
E2E_JSA=app-cli/target/vm-cli/thinimage-cli.jsa

inside() {
	local family=${THINIMAGE_E2E_FAMILY:-web}
	# the family's last layer adds this file; no lower layer has it (samples/make-samples.py)
	local probe_file probe_text
	case "$family" in
	web) probe_file=home/www/public/index.html probe_text='<h1>hello from the web sample</h1>' ;;
	worker) probe_file=home/worker/jobs.toml probe_text='name = "default"' ;;
	*)
		echo "dm-vm-cli: no probe file known for family $family" >&2
		return 2
		;;
	esac
	# globals, not locals: the EXIT trap runs after this function has returned
	step=0
	data=$(mktemp -d /tmp/thinimage-cli-e2e.XXXXXX)
	# unique: a pool of the same name left by another run would be refused or, worse, shared
	pool="tie2e-$(date +%s)-$$"
	mnt="$data/probe-mnt"
	local common=(--data-dir "$data" --store "file://$ROOT/samples" --pool-driver devicemapper --pool "$pool")

	for tool in jq dmsetup losetup mkfs.ext4 mount umount; do
		command -v "$tool" >/dev/null || fail "$tool is not installed"
	done

	teardown() {
		set +e
		mountpoint -q "$mnt" 2>/dev/null && umount "$mnt"
		local dev
		for dev in $(dmsetup ls 2>/dev/null | awk -v p="$pool-ti-" 'index($1, p) == 1 {print $1}'); do
			dmsetup remove "$dev" >/dev/null 2>&1 || dmsetup remove --deferred "$dev" >/dev/null 2>&1
		done
		dmsetup remove "$pool" >/dev/null 2>&1
		local f loop
		for f in "$data/pool_data" "$data/pool_meta"; do
			for loop in $(losetup -j "$f" 2>/dev/null | cut -d: -f1); do
				losetup -d "$loop" >/dev/null 2>&1
			done
		done
		rm -rf "$data"
	}
	trap teardown EXIT

	echo "== thinimage CLI end to end on devicemapper: pool $pool, data dir $data, family $family"
	echo "   jar $ROOT/$E2E_JAR; java: $(java -version 2>&1 | head -n1)"

	# ---- 1. setup-pool -------------------------------------------------------------------------
	begin "setup-pool --data-size 1G"
	ti setup-pool --data-size 1G --block-sectors 128 "${common[@]}"
	expect_rc 0
	expect_out 'Pool (devicemapper): created' "a new pool was created"
	[[ -f "$data/pool_data" && -f "$data/pool_meta" ]] || fail "backing files are missing"
	ok "backing files $data/pool_data and pool_meta exist"
	dmsetup status "$pool" | grep -q ' thin-pool ' || fail "dmsetup status $pool is not a thin-pool"
	ok "dmsetup status $pool: $(dmsetup status "$pool")"
	begin "setup-pool again (idempotent)"
	ti setup-pool --data-size 1G --block-sectors 128 "${common[@]}"
	expect_rc 0
	expect_out 'Pool (devicemapper): already-active' "the second run re-uses the live pool"

	# ---- 2. process-image ----------------------------------------------------------------------
	begin "process-image --s3-key images/$family/ (cold)"
	local devices_before
	devices_before=$(thin_devices "$pool")
	ti process-image --s3-key "images/$family/" -o json "${common[@]}"
	expect_rc 0
	local image_id act_id dev layers
	image_id=$(jq -er '.image.id' <<<"$OUT") || fail "no image id in: $OUT"
	act_id=$(jq -er '.activation.id' <<<"$OUT") || fail "no activation in: $OUT"
	dev=$(jq -er '.activation.devicePath' <<<"$OUT") || fail "no device path in: $OUT"
	layers=$(ls "$ROOT/samples/images/$family" | grep -c '\.tar$')
	expect_json '.alreadyDone' false "the first run did the work"
	expect_json '.image.state' ready "image $image_id is ready"
	expect_json '.image.layers | length' "$layers" "$layers layers"
	expect_json '.blobsDownloaded' "$layers" "$layers blobs downloaded"
	expect_json '.volumesBuilt' "$layers" "$layers chain volumes built"
	[[ "$dev" == "/dev/mapper/$pool-ti-"* ]] || fail "device path $dev is not /dev/mapper/$pool-ti-<n>"
	[[ -b "$dev" ]] || fail "$dev is not a block device"
	ok "snapshot $act_id is the block device $dev"
	local devices_after
	devices_after=$(thin_devices "$pool")
	[[ $(wc -w <<<"$devices_after") -gt $(wc -w <<<"$devices_before") ]] || fail "no thin device appeared"
	ok "thin devices now: $(tr '\n' ' ' <<<"$devices_after")"

	# ---- 3. list-images ------------------------------------------------------------------------
	begin "list-images"
	ti list-images "${common[@]}"
	expect_rc 0
	expect_out "$image_id" "the image is listed"
	expect_out "images/$family/" "with its reference"
	begin "list-images --output json"
	ti list-images -o json "${common[@]}"
	expect_rc 0
	expect_json '.count' 1 "one image"
	expect_json '.images[0].id' "$image_id" "the same id"
	expect_json '.images[0].state' ready "state ready"
	expect_json '.images[0].liveActivations' 1 "one live snapshot"

	# ---- 4. list-snapshots ---------------------------------------------------------------------
	begin "list-snapshots"
	ti list-snapshots "${common[@]}"
	expect_rc 0
	expect_out "$act_id" "the snapshot is listed"
	expect_out "$dev" "with its device path $dev"
	begin "list-snapshots --output json"
	ti list-snapshots -o json "${common[@]}"
	expect_rc 0
	expect_json '.count' 1 "one snapshot"
	expect_json '.snapshots[0].id' "$act_id" "the same snapshot"
	expect_json '.snapshots[0].imageId' "$image_id" "of the image"
	expect_json '.snapshots[0].active' true "active"
	expect_json '.snapshots[0].devicePath' "$dev" "device path /dev/mapper/..."

	# ---- 5. the snapshot's contents ------------------------------------------------------------
	begin "mount -o ro $dev and read $probe_file"
	mkdir -p "$mnt"
	mount -o ro "$dev" "$mnt" || fail "mount -o ro $dev failed"
	ok "mounted $dev read-only on $mnt ($(findmnt -no FSTYPE "$mnt"))"
	[[ -f "$mnt/$probe_file" ]] || fail "$probe_file (added by the last layer) is missing"
	grep -qF "$probe_text" "$mnt/$probe_file" || fail "$probe_file does not contain: $probe_text"
	ok "$probe_file (added by the last layer) says: $(head -c 200 "$mnt/$probe_file" | tr -d '\n')"
	[[ -f "$mnt/etc/os-release" ]] || fail "etc/os-release (the first layer) is missing"
	ok "etc/os-release of the first layer is there"
	if [[ "$family" == web ]]; then
		[[ ! -e "$mnt/etc/motd" ]] || fail "etc/motd was whited out by the last layer but exists"
		ok "etc/motd is gone (whiteout in the last layer)"
	fi
	umount "$mnt" || fail "umount $mnt failed"
	! mountpoint -q "$mnt" || fail "$mnt is still mounted"
	ok "unmounted"

	# ---- 6. the idempotent re-run --------------------------------------------------------------
	begin "process-image --s3-key images/$family/ (re-run)"
	devices_before=$(thin_devices "$pool")
	ti process-image --s3-key "images/$family/" -o json "${common[@]}"
	expect_rc 0
	expect_json '.alreadyDone' true "nothing to do"
	expect_json '.blobsDownloaded' 0 "no download"
	expect_json '.volumesBuilt' 0 "no volume built"
	expect_json '.activation.id' "$act_id" "the same snapshot"
	expect_json '.activation.devicePath' "$dev" "the same device"
	[[ "$(thin_devices "$pool")" == "$devices_before" ]] || fail "the set of thin devices changed"
	ok "no new device ($(wc -w <<<"$devices_before") thin devices before and after)"
	begin "process-image (re-run, text)"
	ti process-image --s3-key "images/$family/" "${common[@]}"
	expect_rc 0
	expect_out 'Image already processed: nothing downloaded, unpacked or created.' "the no-op line"
	expect_out "$dev" "the same device path"

	# ---- 7. status -----------------------------------------------------------------------------
	begin "status --output json"
	ti status -o json "${common[@]}"
	expect_rc 0
	expect_json '.pool.driver' devicemapper "driver devicemapper"
	expect_json '.pool.mode' rw "pool mode rw"
	expect_json '.pool.acceptsAllocations' true "the pool accepts allocations"
	expect_json '.healthy' true "healthy"
	expect_json '.counts.activeActivations' 1 "one active snapshot"
	expect_json '.counts.activeRuns' 0 "no run in flight"
	expect_json '.counts.failedRuns' 0 "no failed run"
	begin "status"
	ti status "${common[@]}"
	expect_rc 0
	expect_out 'Health:         ok' "health ok"

	# ---- 8. the log file --------------------------------------------------------------------
	step=$((step + 1))
	local log="$data/logs/thinimage.log" lines runs
	echo "-- $step. the JSON log file $log"
	[[ -s "$log" ]] || fail "no log file at $log"
	jq -e -s 'length > 0 and all(.[]; has("@timestamp") and has("level") and has("logger_name") and has("message"))' \
		"$log" >/dev/null 2>&1 || fail "$log is not JSON lines with @timestamp, level, logger_name and message"
	lines=$(wc -l <"$log")
	ok "$lines JSON lines, each with @timestamp, level, logger_name and message"
	runs=$(jq -s '[.[] | select(.command == "process-image")] | length' "$log")
	[[ "$runs" -ge 3 ]] || fail "the log records $runs process-image commands, expected at least 3"
	ok "it records the $runs process-image commands (key/value fields at top level)"

	# ---- 9. clean up through the CLI -----------------------------------------------------------
	begin "deactivate $act_id"
	ti deactivate "$act_id" "${common[@]}"
	expect_rc 0
	[[ ! -e "$dev" ]] || fail "$dev still exists after deactivate"
	ok "$dev is gone"
	begin "delete $image_id"
	ti delete "$image_id" "${common[@]}"
	expect_rc 0
	ti list-images -o json "${common[@]}"
	expect_rc 0
	expect_json '.count' 0 "no image left"

	echo "== PASS: $step steps, the CLI flow on devicemapper (pool $pool)"
}

# ---- helpers (inside) ----------------------------------------------------------------------
OUT=""
ERR=""
RC=0
MS=0
fail() {
	echo "FAIL: $*" >&2
	[[ -n "$ERR" ]] && { echo "--- stderr of the last command:" >&2; printf '%s\n' "$ERR" >&2; }
	exit 1
}
ok() { echo "   ok: $*"; }
begin() {
	step=$((step + 1))
	echo "-- $step. thinimage $*"
}
# ti ARGS...: runs the CLI; OUT, ERR and RC hold its stdout, stderr and exit code
ti() {
	local o e s
	o=$(mktemp)
	e=$(mktemp)
	s=$(date +%s%N)
	RC=0
	# C1 only and serial GC: the VM has no KVM, so JIT time dominates short runs
	local cds=()
	# the class-data archive the host side wrote for this jar: about a fifth off each start
	# (JVM warnings, e.g. a mismatched archive, must not reach the stdout being checked)
	[[ -s "$ROOT/$E2E_JSA" ]] && cds=("-XX:SharedArchiveFile=$ROOT/$E2E_JSA" -Xlog:disable -Xlog:all=error:stderr)
	java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "${cds[@]}" -Xshare:auto -Djava.io.tmpdir=/tmp \
		-jar "$ROOT/$E2E_JAR" "$@" >"$o" 2>"$e" || RC=$?
	MS=$((($(date +%s%N) - s) / 1000000))
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	rm -f "$o" "$e"
}
expect_rc() {
	[[ "$RC" == "$1" ]] || fail "exit code $RC, expected $1; stdout: $OUT"
	ok "exit $RC in ${MS} ms"
}
expect_out() {
	grep -qF -- "$1" <<<"$OUT" || fail "stdout lacks '$1' ($2); stdout: $OUT"
	ok "$2: '$1'"
}
expect_json() { # expect_json FILTER VALUE WHAT
	local got
	got=$(jq -r "$1" <<<"$OUT") || fail "stdout is not JSON: $OUT"
	[[ "$got" == "$2" ]] || fail "$1 is '$got', expected '$2' ($3)"
	ok "$3: $1 = $got"
}
thin_devices() { dmsetup ls 2>/dev/null | awk -v p="$1-ti-" 'index($1, p) == 1 {print $1}' | sort; }

if [ "${1:-}" = "--inside" ]; then
	inside
	exit $?
fi

# ---- host side: the jar, then the flow where device-mapper is --------------------------------
if [[ -z "${THINIMAGE_CLI_JAR:-}" && (! -f "$JAR" || "${THINIMAGE_E2E_BUILD:-0}" == 1) ]]; then
	echo "dm-vm-cli: building $JAR" >&2
	./mvnw -q -B -ntp -pl app-cli -am package -DskipTests -Dspotless.check.skip=true
fi
mkdir -p "$(dirname "$E2E_JAR")"
cp -f "$JAR" "$E2E_JAR"
# A class-data-sharing archive of the classes a process-image loads, made here where the JVM is
# fast (same JDK, same jar path, same flags as inside); the VM's emulated CPU then skips most of
# class loading. Without it the flow runs as before.
rm -f "$E2E_JSA"
jsa_data=$(mktemp -d)
java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ArchiveClassesAtExit="$E2E_JSA" \
	-jar "$ROOT/$E2E_JAR" process-image --s3-key images/minimal/ --data-dir "$jsa_data" \
	--store "file://$ROOT/samples" --pool-driver directory >/dev/null 2>&1 ||
	echo "dm-vm-cli: no class-data archive (the flow runs without it)" >&2
rm -rf "$jsa_data"

if [ -e /dev/mapper/control ] && [ "$(id -u)" = 0 ]; then
	inside
	exit $?
fi

# shellcheck source=lib/vm-runner.sh
. .ci/lib/vm-runner.sh
find_vm_runner dm-vm-cli "$ROOT"
exec "$RUNNER" --workdir "$ROOT" --timeout "${THINIMAGE_DM_VM_TIMEOUT:-1500}" -- bash .ci/dm-vm-cli.sh --inside
