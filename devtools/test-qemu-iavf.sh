#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# End to end with the stock Linux iavf driver: Debian's dpdk-testpmd loads
# the AVF device model (drivers/emu/iavf, vdev emu_iavf) with -d and serves
# it on a vfio-user socket; QEMU (>= 10.1, TCG) boots a Linux guest with a
# vfio-user-pci device on that socket and the guest's /init
# (devtools/guest/iavf-init.sh) loads libeth, libie and iavf and exercises the
# interface. Checked from the guest's lines: the function binds to iavf, the
# interface has the MAC given in the devargs, carrier 1 and operstate up after
# `ip link set up`, down/up works, rmmod/insmod of iavf brings the same
# interface back with the link up, and the kernel log has no iavf error and
# no warning. Then testpmd must still run, and must quit cleanly.
#
# usage: BUILD=builddir devtools/test-qemu-iavf.sh     (as root)
# Environment:
#   BUILD         build directory (default: build)
#   QEMU_TREE     QEMU tree (see devtools/qemu-setup.sh)
#   QEMU_TIMEOUT  limit for the guest run in seconds (default: 240)
#   TESTPMD       testpmd binary (default: dpdk-testpmd, Debian's dpdk-dev)
#   EMU_LOG_LEVEL log level of the project's log types in testpmd
#                 (default: info; e.g. debug)
#   GUEST_APPEND  extra guest kernel arguments, e.g. "emutest.verbose=1"
#                 (see devtools/guest/iavf-init.sh)
#   KEEP_LOGS=1   keep the logs directory
# Exit status: 0 all checks passed, 77 skipped (a prerequisite is missing:
# the reason is printed), anything else failed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
# shellcheck source=devtools/lib-testpmd.sh
. devtools/lib-testpmd.sh
BUILD=${BUILD:-build}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-240}
TESTPMD=${TESTPMD:-dpdk-testpmd}
EMU_LOG_LEVEL=${EMU_LOG_LEVEL:-info}
MAC=02:00:00:00:00:01

need_testpmd
need_qemu_tree base
need_plugins "$BUILD" "$EMU_SO"

work_init emu-iavf-qemu
TP_WORK=$work
TP_LIBPATH=$plugins
sock=$DIR/tmp/iavf.$$.sock
guest_log=$work/guest.log
# shellcheck disable=SC2317 # called by the trap
at_exit() { rm -f "$sock"; }
rm -f "$sock"

# testpmd runs interactive, so it starts no forwarding and spins no core;
# if the script dies, the write end of its FIFO closes, testpmd reads
# end-of-file and quits.
TP_SOCKS=("$sock")
# shellcheck disable=SC2054 # commas belong to option values
tp_start pmd "emu-iavf-qemu-$$" -d "$plugins/librte_emu_iavf.so" --no-huge -m 512 --no-pci -l 0,1 \
	--log-level=lib.eal:notice \
	--log-level="*emu*:$EMU_LOG_LEVEL" --log-level="*vfio_user*:$EMU_LOG_LEVEL" \
	--vdev "emu_iavf0,sock=$sock,mac=$MAC,queues=1" --vdev net_null0 -- --total-num-mbufs=2048 ||
	die "testpmd did not come up with the socket $sock"
log "started $(cat "$work/pmd.cmd")"

log "booting the guest (timeout ${QEMU_TIMEOUT} s)"
qemu_args=(--quiet --init devtools/guest/iavf-init.sh --modules "libeth libie iavf"
	--socket "$sock" --log "$guest_log" --timeout "$QEMU_TIMEOUT")
[ -z "${GUEST_APPEND:-}" ] || qemu_args+=(--append "$GUEST_APPEND")
qemu_rc=0
bash devtools/qemu-run.sh "${qemu_args[@]}" || qemu_rc=$?
show_guest "$guest_log"

passed=0
failed=0
# expect_after WHAT ANCHOR REGEX: the first guest line matching REGEX after
# the first one matching ANCHOR (both extended, whole line).
expect_after() {
	local what=$1 anchor=$2 re=$3 line
	line=$(awk -v a="^($anchor)\$" -v r="^($re)\$" \
		'!seen && $0 ~ a { seen = 1; next } seen && $0 ~ r { print; exit }' "$guest_log")
	if [ -n "$line" ]; then
		check "$what: $line" 1
	else
		check "$what (no line matching /$re/ after /$anchor/)" 0
	fi
}

t='\([0-9.]+ s\)'
check "QEMU exited 0 (status $qemu_rc)" "$([ "$qemu_rc" = 0 ] && echo 1 || echo 0)"
expect "libeth loaded" 'GUEST: insmod libeth rc 0'
expect "libie loaded" 'GUEST: insmod libie rc 0'
expect "iavf loaded" 'GUEST: insmod iavf rc 0'
expect "an AVF function (class 0x020000) bound to iavf" \
	'GUEST: pci [0-9a-f:.]+ 8086:(1889|37cd|1571|154c) class 0x020000 driver iavf'
expect "iavf interface with MAC $MAC" "GUEST: iface [^ ]+ driver iavf mac $MAC $t"
expect "ip link set up" 'GUEST: link-set up [^ ]+ rc 0'
expect "carrier 1, operstate up" "GUEST: up [^ ]+ carrier 1 operstate up $t"
expect "ip link set down" 'GUEST: link-set down [^ ]+ rc 0'
expect "operstate down" "GUEST: down [^ ]+ carrier [-0] operstate down $t"
expect_after "ip link set up again" 'GUEST: link-set down .*' 'GUEST: link-set up [^ ]+ rc 0'
expect "carrier 1, operstate up again" "GUEST: up-again [^ ]+ carrier 1 operstate up $t"
expect "rmmod iavf" "GUEST: rmmod iavf rc 0 $t"
expect "the interface went away" "GUEST: after-rmmod [^ ]+ gone $t"
expect "insmod iavf again" 'GUEST: insmod-again iavf rc 0'
expect "iavf interface back with MAC $MAC" "GUEST: reload iface [^ ]+ driver iavf mac $MAC $t"
expect_after "ip link set up after the reload" 'GUEST: reload iface .*' 'GUEST: link-set up [^ ]+ rc 0'
expect "carrier 1, operstate up after the reload" "GUEST: reload-up [^ ]+ carrier 1 operstate up $t"
expect "no iavf error in the kernel log" 'GUEST: iavf kernel errors 0'
expect "no kernel warning" 'GUEST: kernel warnings 0'
expect "guest finished" 'GUEST-RESULT: done'

# testpmd must survive the guest's disconnect and quit cleanly.
tp_end pmd testpmd "the device's socket was removed" "$sock"

echo "$passed passed, $failed failed"
if [ "$failed" != 0 ]; then
	echo "--- guest log ($guest_log):"
	cat "$guest_log"
	echo "--- testpmd log, last 80 lines ($work/pmd.log):"
	tail -n 80 "$work/pmd.log"
	exit 1
fi
exit 0
