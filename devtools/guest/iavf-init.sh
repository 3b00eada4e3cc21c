#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Guest /init (busybox sh) for devtools/test-qemu-iavf.sh: drive the stock
# Linux iavf driver against the emulated AVF (drivers/emu/iavf) and print one
# "GUEST: ..." line per fact seen, then "GUEST-RESULT: done" (or
# "GUEST-RESULT: no iavf interface") and power off. Booted by
# devtools/qemu-run.sh --modules "libeth libie iavf", which puts the modules
# in /lib/modules/NAME.ko and their load order in /etc/guest-modules.
#
# Lines (the host asserts on them):
#   GUEST: insmod libeth rc 0
#   GUEST: pci 0000:00:03.0 8086:1889 class 0x020000 driver iavf
#   GUEST: iface eth0 driver iavf mac 02:00:00:00:00:01 (1.2 s)
#   GUEST: no iavf interface after 60 s
#   GUEST: link-set up eth0 rc 0
#   GUEST: up eth0 carrier 1 operstate up (0.8 s)
#   GUEST: link-set down eth0 rc 0
#   GUEST: down eth0 carrier - operstate down (0.0 s)     (- = unreadable)
#   GUEST: up-again eth0 carrier 1 operstate up (0.5 s)
#   GUEST: rmmod iavf rc 0 (0.4 s)
#   GUEST: after-rmmod eth0 gone (0.0 s)
#   GUEST: insmod-again iavf rc 0
#   GUEST: reload iface eth0 driver iavf mac 02:00:00:00:00:01 (1.0 s)
#   GUEST: reload-up eth0 carrier 1 operstate up (0.7 s)
#   GUEST: irq 25: ... iavf-0000:00:03.0:mbx           /proc/interrupts
#   GUEST: dmesg: [    1.234] iavf 0000:00:03.0: ...     iavf kernel lines
#   GUEST: iavf kernel errors 0                          error|fail|timeout
#   GUEST: iavf kernel error: ...                        each of them
#   GUEST: kernel warnings 0                             WARNING:|BUG:|...
#   GUEST: kernel warning: ...                           each of them
#   GUEST: kernel report: ...     the 60 kernel lines from the first warning
# Kernel command line (qemu-run.sh --append):
#   emutest.verbose=1   print kernel messages of every level on the console
#                        as they happen (they may split GUEST lines)
#   emutest.wait=S      limit for the interface to appear (default 60)
#   emutest.linkwait=S  limit for carrier/operstate changes (default 30)

PATH=/bin
export PATH
# shellcheck source=devtools/guest/lib.sh
. /lib/guest-lib.sh
guest_start
WAIT_IFACE=$(param wait 60)
WAIT_LINK=$(param linkwait 30)
verbose_console

# wait_iface LIMIT: wait up to LIMIT s for an iavf interface; sets IF (the
# first by MAC), T0.
wait_iface() {
	T0=$(now)
	_end=$((T0 + $1 * 100))
	while :; do
		IF=$(iavf_ifaces | awk 'NR == 1 { print $2 }')
		[ -z "$IF" ] || return 0
		[ "$(now)" -lt "$_end" ] || return 1
		nap
	done
}

# link_set IF up|down
link_set() {
	_out=$(ip link set dev "$1" "$2" 2>&1)
	_rc=$?
	say "link-set $2 $1 rc $_rc${_out:+ ($_out)}"
}

# pci_lines: every PCI function, with its driver.
pci_lines() {
	for _d in /sys/bus/pci/devices/*; do
		[ -e "$_d/vendor" ] || continue
		_drv=none
		[ -e "$_d/driver" ] && _drv=$(readlink "$_d/driver") && _drv=${_drv##*/}
		_v=$(cat "$_d/vendor")
		_i=$(cat "$_d/device")
		say "pci ${_d##*/} ${_v#0x}:${_i#0x} class $(cat "$_d/class") driver $_drv"
	done
}

# report_kernel: the AVF's interrupts, the kernel's lines of the AVF and
# of the PCI core about the function, the errors among them, warnings.
report_kernel() {
	grep -i iavf /proc/interrupts 2> /dev/null | tr -s ' ' | while read -r _l; do
		say "irq $_l"
	done
	_pat=iavf
	for _d in /sys/bus/pci/devices/*; do
		[ "$(cat "$_d/vendor" 2> /dev/null)" = 0x8086 ] || continue
		case $(cat "$_d/device" 2> /dev/null) in
		0x1889 | 0x37cd | 0x1571 | 0x154c) _pat="$_pat|${_d##*/}" ;;
		esac
	done
	kernel_report "$_pat" 'error|fail|timeout|timed out'
}

# ------------------------------------------------------------ modules
load_modules

# ------------------------------------------------------------ probe
if ! wait_iface "$WAIT_IFACE"; then
	pci_lines
	say "no iavf interface after $WAIT_IFACE s"
	for n in /sys/class/net/*; do
		say "netdev ${n##*/}"
	done
	report_kernel
	finish "no iavf interface"
fi
pci_lines
MAC=$(cat "/sys/class/net/$IF/address")
say "iface $IF driver iavf mac $MAC ($(since "$T0"))"

# ------------------------------------------------------------ up, down, up
link_set "$IF" up
link_wait - "$IF" 1 up up
link_set "$IF" down
link_wait - "$IF" - down down
link_set "$IF" up
link_wait - "$IF" 1 up up-again

# ------------------------------------------------------------ reload
t=$(now)
out=$(timeout 60 rmmod iavf 2>&1)
say "rmmod iavf rc $?${out:+ ($out)} ($(since "$t"))"
t=$(now)
end=$((t + WAIT_LINK * 100))
while [ -e "/sys/class/net/$IF" ] && [ "$(now)" -lt "$end" ]; do
	nap
done
if [ -e "/sys/class/net/$IF" ]; then
	say "after-rmmod $IF still present ($(since "$t"))"
else
	say "after-rmmod $IF gone ($(since "$t"))"
fi
out=$(insmod /lib/modules/iavf.ko 2>&1)
say "insmod-again iavf rc $?${out:+ ($out)}"
if wait_iface "$WAIT_IFACE"; then
	say "reload iface $IF driver iavf mac $(cat "/sys/class/net/$IF/address") ($(since "$T0"))"
	link_set "$IF" up
	link_wait - "$IF" 1 up reload-up
else
	say "reload no iavf interface after $WAIT_IFACE s"
fi
pci_lines

# ------------------------------------------------------------ kernel log
report_kernel
finish "done"
