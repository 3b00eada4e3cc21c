#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# End to end with a real vfio-user client: QEMU (>= 10.1, TCG) boots a Linux
# guest with a vfio-user-pci device served by examples/vfio_user_sample, and
# the guest's view of the device is checked: IDs and class, BAR sizes, MSI-X
# and PCIe capabilities, and BAR0 register 0 read by the guest CPU. Then the
# sample gets SIGTERM and must exit 0 and remove its socket.
#
# usage: BUILD=builddir devtools/test-qemu-sample.sh     (as root)
# Environment:
#   BUILD         build directory (default: build)
#   QEMU_TREE     QEMU tree (see devtools/qemu-setup.sh)
#   QEMU_TIMEOUT  limit for the guest run in seconds (default: 180)
#   KEEP_LOGS=1   keep the logs directory
# Exit status: 0 all checks passed, 77 skipped (no QEMU tree: the reason is
# printed), anything else failed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
BUILD=${BUILD:-build}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-180}
sample=$BUILD/examples/dpdk-vfio_user_sample

need_qemu_tree base
[ -x "$sample" ] || die "$sample is not built (BUILD=$BUILD)"

work_init vfu-qemu-sample
sock=$DIR/tmp/sample.$$.sock
guest_log=$work/guest.log
sample_log=$work/sample.log
# shellcheck disable=SC2317 # called by the trap
at_exit() { rm -f "$sock"; }
rm -f "$sock"

eal=(--no-huge -m 128 --no-pci --no-shconf -l 0 --file-prefix="vfu-qemu-$$"
	--log-level=lib.eal:error --log-level=lib.vfio_user:debug)
log "starting $sample -- --socket $sock"
bg_serve "$sock" "$sample_log" "$sample" "${eal[@]}" -- --socket "$sock" ||
	die "the sample did not start"

log "booting the guest (timeout ${QEMU_TIMEOUT} s)"
qemu_rc=0
bash devtools/qemu-run.sh --quiet --init devtools/guest/sample-init.sh \
	--socket "$sock" --log "$guest_log" --timeout "$QEMU_TIMEOUT" || qemu_rc=$?

show_guest "$guest_log"

passed=0
failed=0

check "QEMU exited 0 (status $qemu_rc)" "$([ "$qemu_rc" = 0 ] && echo 1 || echo 0)"
expect "device 1b36:00f0 present" 'GUEST: device [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] 1b36:00f0 class 0x[0-9a-f]{6}'
expect "class 0xff0000" 'GUEST: device [^ ]+ 1b36:00f0 class 0xff0000'
expect "bar0 4 KiB" 'GUEST: bar0 size 0x1000'
expect "bar2 16 KiB" 'GUEST: bar2 size 0x4000'
expect "bar4 4 KiB" 'GUEST: bar4 size 0x1000'
expect "MSI-X capability" 'GUEST: cap 0x11 at 0x[0-9a-f]+'
expect "MSI-X with 4 vectors" 'GUEST: msix vectors 4 .*'
expect "MSI-X table in bar4 at 0, PBA at 0x800" 'GUEST: msix vectors [0-9]+ table bar4\+0x0 pba bar4\+0x800'
expect "PCIe capability" 'GUEST: cap 0x10 at 0x[0-9a-f]+'
expect "bar0 register 0 reads \"VFUS\"" 'GUEST: bar0\[0\] = 0x56465553'
expect "guest finished" 'GUEST-RESULT: done'

# The sample must survive the guest's disconnect and stop cleanly.
sample_alive=0
kill -0 "$bg_pid" 2> /dev/null && sample_alive=1
check "sample still running after the guest powered off" "$sample_alive"
if [ "$sample_alive" = 1 ]; then
	bg_term "the sample"
	check "sample exited 0 after SIGTERM (status $BG_RC)" "$(is [ "$BG_RC" = 0 ])"
	check "sample removed its socket" "$(is [ ! -e "$sock" ])"
fi

echo "--- $passed passed, $failed failed"
if [ "$failed" != 0 ]; then
	echo "--- guest log ($guest_log):"
	cat "$guest_log"
	echo "--- sample log, last 60 lines ($sample_log):"
	tail -n 60 "$sample_log"
	exit 1
fi
exit 0
