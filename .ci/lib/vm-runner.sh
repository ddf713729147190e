# Sourced by the .ci/dm-vm-*.sh scripts: finds the runner that executes a command as root in a
# throw-away VM whose kernel has dm-thin-pool, and sets RUNNER to it.
#
# The runner is $THINIMAGE_DM_VM_RUNNER, else run-in-dm-vm.sh on PATH, else
# ../shared/tools/dm-vm/run-in-dm-vm.sh beside the project. Without one, the calling script
# exits 2 with a line naming it ($1).
find_vm_runner() {
	local caller=$1 root=$2
	RUNNER=${THINIMAGE_DM_VM_RUNNER:-}
	if [ -z "$RUNNER" ]; then
		RUNNER=$(command -v run-in-dm-vm.sh || true)
	fi
	if [ -z "$RUNNER" ] && [ -x "$root/../shared/tools/dm-vm/run-in-dm-vm.sh" ]; then
		RUNNER="$root/../shared/tools/dm-vm/run-in-dm-vm.sh"
	fi
	if [ -z "$RUNNER" ]; then
		echo "$caller: no device-mapper here and no VM runner found (set THINIMAGE_DM_VM_RUNNER)" >&2
		exit 2
	fi
}
