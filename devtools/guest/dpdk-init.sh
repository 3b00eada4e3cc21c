#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Guest /init (busybox sh) for devtools/test-qemu-dpdk.sh: DPDK's net_iavf
# PMD (Debian 13's dpdk-testpmd) in the guest, on the emulated AVF device.
#
# Booted by devtools/qemu-run.sh with the modules (in load order) netfs 9pnet
# 9pnet_virtio 9p and uio uio_pci_generic, or irqbypass vfio vfio_iommu_type1
# vfio-pci-core vfio-pci; QEMU exports two 9p shares:
#   dpdkroot  the DPDK guest tree (qemu-setup.sh --dpdk-guest), read-only:
#             mounted at /newroot; testpmd runs chrooted there
#   ctl       a writable directory of the host: the control channel
# The device is bound to DRIVER (driver_override), hugepages come from the
# kernel command line (hugepages=N), and dpdk-testpmd is started
# interactively (-a BDF, --rxq/--txq QUEUES) with its commands read from a
# FIFO this script holds. Then the host drives it through ctl:
#   host writes ctl/cmd.N (N = 0, 1, ...; by rename, so it is whole): one
#   testpmd command line; the guest sends it to testpmd, waits for the next
#   prompt (30 s at most) and writes what testpmd printed since the command
#   to ctl/out.N (by rename). Special commands:
#     @log    copy testpmd's whole output so far to ctl/testpmd.log
#     @quit   "quit" to testpmd, wait for it to exit, then finish
# Progress goes to the console as "GUEST: ..." lines, the end as
# "GUEST-RESULT: done" (or the reason), then power off.
#
# Kernel command line (qemu-run.sh --append):
#   emutest.driver=uio_pci_generic|vfio-pci   (default uio_pci_generic)
#   emutest.queues=N    testpmd --rxq/--txq (default 1)
#   emutest.idle=S      give up if the host sends no command for S seconds
#                       (default 120)
#   emutest.verbose=1   kernel messages of every level on the console
#
# Lines the host asserts on (examples):
#   GUEST: device 0000:00:03.0 8086:1889
#   GUEST: bind 0000:00:03.0 uio_pci_generic rc 0 driver uio_pci_generic
#   GUEST: hugepages 256 free 256
#   GUEST: testpmd started (pid 123)
#   GUEST: testpmd exited rc 0

PATH=/bin
export PATH
# shellcheck source=devtools/guest/lib.sh
. /lib/guest-lib.sh
guest_start
mkdir -p /run /var /tmp /newroot /ctl

# finish_hook: the kernel's warnings (each kind of report has its header
# line; an RCU stall report, a starved vCPU under TCG on a busy host whose
# backtraces are not counted, is reported apart), and the logs to the host.
finish_hook() {
	kernel_warnings 'WARNING:|BUG:|Oops|general protection|soft lockup|hung task|DMAR.*[Ff]ault'
	say "rcu stalls $(grep -c 'rcu: INFO: .*stall' /tmp/dmesg.txt)"
	[ ! -f /tmp/pmd.log ] || cp /tmp/pmd.log /ctl/testpmd.log 2> /dev/null
	cp /tmp/dmesg.txt /ctl/dmesg.txt 2> /dev/null
}

DRIVER=$(param driver uio_pci_generic a-z_-)
QUEUES=$(param queues 1)
IDLE=$(param idle 120)
verbose_console
say "driver $DRIVER queues $QUEUES cpus $(grep -c '^processor' /proc/cpuinfo)"

load_modules

# ------------------------------------------------------------ shares
p9=trans=virtio,version=9p2000.L,msize=512000
out=$(mount -t 9p -o "$p9,ro,cache=loose" dpdkroot /newroot 2>&1)
say "mount dpdkroot rc $?${out:+ ($out)}"
out=$(mount -t 9p -o "$p9" ctl /ctl 2>&1)
say "mount ctl rc $?${out:+ ($out)}"
[ -x /newroot/usr/bin/dpdk-testpmd ] || finish "no /usr/bin/dpdk-testpmd in the 9p root"
touch /ctl/guest-up || finish "the ctl share is not writable"

# ------------------------------------------------------------ device
BDF=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x8086 ] && [ "$(cat "$d/device")" = 0x1889 ]; then
		BDF=${d##*/}
		break
	fi
done
[ -n "$BDF" ] || finish "no 8086:1889 device"
say "device $BDF 8086:1889"
dev=/sys/bus/pci/devices/$BDF
if [ -d /sys/kernel/iommu_groups ]; then
	say "iommu groups $(find /sys/kernel/iommu_groups -mindepth 1 -maxdepth 1 | wc -l) device group $(basename "$(readlink "$dev/iommu_group" 2> /dev/null)")"
fi
echo "$DRIVER" > "$dev/driver_override"
rc=0
# shellcheck disable=SC2320 # the status of the write is the one wanted
echo "$BDF" > /sys/bus/pci/drivers_probe || rc=$?
drv=$(basename "$(readlink "$dev/driver" 2> /dev/null)")
say "bind $BDF $DRIVER rc $rc driver ${drv:-none}"
[ "$drv" = "$DRIVER" ] || finish "cannot bind $BDF to $DRIVER"
say "dev: $(cd /dev && echo uio* vfio/*)"

hp=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)
hf=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
say "hugepages $hp free $hf"

# ------------------------------------------------------------ testpmd
mount -t proc proc /newroot/proc || finish "cannot mount /newroot/proc"
mount -t sysfs sysfs /newroot/sys || finish "cannot mount /newroot/sys"
mount -t devtmpfs devtmpfs /newroot/dev || finish "cannot mount /newroot/dev"
mount -t tmpfs tmpfs /newroot/run || finish "cannot mount /newroot/run"
mount -t tmpfs tmpfs /newroot/tmp || finish "cannot mount /newroot/tmp"
mount -t hugetlbfs -o pagesize=2M nodev /newroot/mnt/huge || finish "cannot mount hugetlbfs"

mkfifo /tmp/pmd.in
exec 3<> /tmp/pmd.in
: > /tmp/pmd.log
# Main lcore 0, forwarding lcore 1; the device alone (-a); the PMDs of
# Debian's plugin directory are loaded by EAL (net_iavf among them).
t0=$(now)
chroot /newroot stdbuf -oL -eL dpdk-testpmd -l 0,1 -n 1 -a "$BDF" --huge-dir /mnt/huge \
	--log-level=lib.eal:notice -- -i --nb-cores=1 --rxq="$QUEUES" --txq="$QUEUES" \
	--total-num-mbufs=8192 < /tmp/pmd.in > /tmp/pmd.log 2>&1 &
PMD=$!
say "testpmd started (pid $PMD)"

# prompt_after OFF: testpmd printed a prompt after byte OFF of its log.
prompt_after() { tail -c +$(($1 + 1)) /tmp/pmd.log | grep -q 'testpmd> '; }
end=$(($(now) + 12000))
while ! prompt_after 0; do
	kill -0 "$PMD" 2> /dev/null || break
	[ "$(now)" -lt "$end" ] || break
	sleep 0.2
done
if ! prompt_after 0; then
	say_lines "testpmd: " < /tmp/pmd.log
	finish "testpmd did not come up"
fi
say "testpmd prompt after $((($(now) - t0) / 10)) ds"
cp /tmp/pmd.log /ctl/testpmd.log
: > /ctl/pmd-ready

# ------------------------------------------------------------ commands
n=0
idle_end=$(($(now) + IDLE * 100))
while :; do
	f=/ctl/cmd.$n
	if [ ! -f "$f" ]; then
		kill -0 "$PMD" 2> /dev/null || finish "testpmd exited unasked"
		[ "$(now)" -lt "$idle_end" ] || finish "no command from the host for $IDLE s"
		sleep 0.2
		continue
	fi
	cmd=$(cat "$f")
	case $cmd in
	@log)
		cp /tmp/pmd.log /ctl/testpmd.log.tmp && mv /ctl/testpmd.log.tmp /ctl/testpmd.log
		: > /ctl/out.$n.tmp
		;;
	@quit)
		echo quit >&3
		end=$(($(now) + 3000))
		while kill -0 "$PMD" 2> /dev/null && [ "$(now)" -lt "$end" ]; do
			sleep 0.2
		done
		if kill -0 "$PMD" 2> /dev/null; then
			say "testpmd did not quit in 30 s"
			kill -9 "$PMD"
		fi
		wait "$PMD"
		say "testpmd exited rc $?"
		: > /ctl/out.$n
		finish "done"
		;;
	*)
		off=$(wc -c < /tmp/pmd.log)
		printf '%s\n' "$cmd" >&3
		end=$(($(now) + 3000))
		while ! prompt_after "$off"; do
			kill -0 "$PMD" 2> /dev/null || break
			[ "$(now)" -lt "$end" ] || break
			sleep 0.1
		done
		tail -c +$((off + 1)) /tmp/pmd.log > /ctl/out.$n.tmp
		;;
	esac
	mv /ctl/out.$n.tmp /ctl/out.$n
	n=$((n + 1))
	idle_end=$(($(now) + IDLE * 100))
done
