#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Guest /init (busybox sh) for devtools/test-qemu-sample.sh: look at the
# sample vfio-user device (1b36:00f0) as the guest kernel sees it and print
# one "GUEST: ..." line per fact, then "GUEST-RESULT: done" (or
# "GUEST-RESULT: no device") and power off. Booted by devtools/qemu-run.sh.
#
# Lines (values in lower-case hex):
#   GUEST: pci 0000:00:00.0 8086:29c0 class 0x060000     every PCI function
#   GUEST: device 0000:00:03.0 1b36:00f0 class 0xff0000  the sample device
#   GUEST: bar0 size 0x1000                              each non-empty BAR
#   GUEST: bar0 addr 0xfe000000 flags 0x40200
#   GUEST: command 0x0000 -> 0x0002 (enabled)           memory decoding
#   GUEST: cap 0x11 at 0x40                              capability chain
#   GUEST: msix vectors 4 table bar4+0x0 pba bar4+0x800
#   GUEST: pcie cap at 0x50 version 2 type 0
#   GUEST: bar0[0] = 0x56465553                          via devmem

VENDOR=0x1b36
DEVICE=0x00f0

PATH=/bin
export PATH
# shellcheck source=devtools/guest/lib.sh
. /lib/guest-lib.sh
guest_start

# cfg OFF [N]: N (1, 2 or 4; default 1) little-endian bytes of config space
# at OFF, as a number (0x...). Empty when beyond the readable config space.
cfg() {
	_n=${2:-1}
	_hex=$(od -An -tx1 -v -j "$(($1))" -N "$_n" "$dev/config" 2> /dev/null | tr -d ' \n')
	[ ${#_hex} = $((_n * 2)) ] || return 1
	_v=
	while [ -n "$_hex" ]; do
		_rest=${_hex#??}
		_v=${_hex%"$_rest"}$_v
		_hex=$_rest
	done
	echo "0x$_v"
}

hex() { printf '0x%x' "$(($1))"; }

dev=
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/vendor" ] || continue
	v=$(cat "$d/vendor")
	id=$(cat "$d/device")
	say "pci ${d##*/} ${v#0x}:${id#0x} class $(cat "$d/class")"
	if [ "$v" = "$VENDOR" ] && [ "$id" = "$DEVICE" ] && [ -z "$dev" ]; then
		dev=$d
	fi
done
[ -n "$dev" ] || finish "no device"

say "device ${dev##*/} ${VENDOR#0x}:${DEVICE#0x} class $(cat "$dev/class")"
if [ -e "$dev/driver" ]; then
	drv=$(readlink "$dev/driver")
	say "driver ${drv##*/}"
else
	say "driver none"
fi
say "config size $(stat -c %s "$dev/config" 2> /dev/null)"

# BARs 0-5 are the first six lines of `resource`, line 7 the expansion ROM.
i=0
bar0_addr=
while read -r start end flags; do
	if [ "$i" -le 6 ] && [ "$((end))" != 0 ]; then
		if [ "$i" = 6 ]; then name=rom; else name=bar$i; fi
		say "$name size $(hex "end - start + 1")"
		say "$name addr $(hex "$start") flags $(hex "$flags")"
		[ "$i" = 0 ] && bar0_addr=$(hex "$start")
	fi
	i=$((i + 1))
done < "$dev/resource"

# Memory space decoding (command register bit 1): enable through sysfs.
cmd=$(cfg 0x04 2)
if [ $((cmd & 2)) = 0 ]; then
	echo 1 > "$dev/enable"
	cmd2=$(cfg 0x04 2)
	if [ $((cmd2 & 2)) != 0 ]; then st=enabled; else st="NOT enabled"; fi
	say "command $(printf '0x%04x' "$cmd") -> $(printf '0x%04x' "$cmd2") ($st)"
else
	say "command $(printf '0x%04x' "$cmd") (memory decoding on)"
fi

# Capability list: status bit 4, pointer at 0x34, chain of (id, next).
status=$(cfg 0x06 2)
if [ $((status & 0x10)) = 0 ]; then
	say "no capability list (status $(printf '0x%04x' "$status"))"
else
	ptr=$(($(cfg 0x34) & 0xfc))
	n=0
	while [ "$ptr" -ge 64 ] && [ "$n" -lt 48 ]; do
		capid=$(cfg "$ptr") || break
		next=$(cfg "$((ptr + 1))") || break
		say "cap $(printf '0x%02x' "$capid") at $(hex "$ptr")"
		case $((capid)) in
		17)
			ctrl=$(cfg "$((ptr + 2))" 2)
			tbl=$(cfg "$((ptr + 4))" 4)
			pba=$(cfg "$((ptr + 8))" 4)
			say "msix vectors $(((ctrl & 0x7ff) + 1)) table bar$((tbl & 7))+$(hex "tbl & ~7") pba bar$((pba & 7))+$(hex "pba & ~7")"
			;;
		16)
			flg=$(cfg "$((ptr + 2))" 2)
			say "pcie cap at $(hex "$ptr") version $((flg & 0xf)) type $(((flg >> 4) & 0xf))"
			;;
		esac
		ptr=$((next & 0xfc))
		n=$((n + 1))
	done
fi

# Extended capabilities (PCIe config space beyond 0x100), if readable.
ptr=256
n=0
while [ "$n" -lt 64 ] && [ "$ptr" -ge 256 ]; do
	hdr=$(cfg "$ptr" 4) || break
	[ "$((hdr))" = 0 ] && break
	say "ext cap $(printf '0x%04x' "$((hdr & 0xffff))") version $(((hdr >> 16) & 0xf)) at $(hex "$ptr")"
	ptr=$(((hdr >> 20) & 0xffc))
	n=$((n + 1))
done

if [ -n "$bar0_addr" ]; then
	if val=$(devmem "$bar0_addr" 32 2> /tmp/devmem.err); then
		say "bar0[0] = $(printf '0x%08x' "$val")"
	else
		say "bar0[0] read failed: $(cat /tmp/devmem.err)"
	fi
else
	say "no bar0"
fi

finish "done"
