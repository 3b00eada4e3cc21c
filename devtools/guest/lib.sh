# shellcheck shell=sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# What the guests' /init scripts (busybox sh) share. devtools/qemu-run.sh
# puts this file in every initramfs as /lib/guest-lib.sh; an /init sources
# it (`. /lib/guest-lib.sh`) and calls guest_start first. Output: one
# "GUEST: ..." line per fact (say), the end as "GUEST-RESULT: ..." (finish).
# Names starting with _ are this file's scratch variables.

# guest_start: /proc, /sys, /dev mounted; a fresh line (the firmware leaves
# the cursor mid-line).
guest_start() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev 2> /dev/null
	echo
}

say() { echo "GUEST: $*"; }
# say_lines PREFIX: each line of stdin as a GUEST line.
say_lines() {
	while IFS= read -r _l; do
		say "$1$_l"
	done
}

# finish RESULT: the /init's finish_hook (if it has one), the result line,
# power off. poweroff shuts the devices down first, which hangs if a driver
# is stuck (e.g. after an oops): then panic, so that QEMU exits at once
# (panic=-1, -no-reboot) instead of at the host's time-out.
finish() {
	if command -v finish_hook > /dev/null; then
		finish_hook
	fi
	echo "GUEST-RESULT: $*"
	sync
	(
		sleep 15
		echo "GUEST: poweroff hangs; forcing a panic"
		echo c > /proc/sysrq-trigger
	) &
	poweroff -f
	sleep 30
}

# param NAME DEFAULT [CHARS]: value of emutest.NAME= on the kernel command
# line if made of CHARS only (tr set; default: digits), else DEFAULT.
param() {
	_v=$(tr ' ' '\n' < /proc/cmdline | sed -n "s/^emutest\.$1=//p" | tail -n 1)
	if [ -n "$_v" ] && [ -z "$(printf '%s' "$_v" | tr -d "${3:-0-9}")" ]; then
		echo "$_v"
	else
		echo "$2"
	fi
}

# verbose_console: emutest.verbose=1 prints kernel messages of every level
# on the console as they happen (they may split GUEST lines).
verbose_console() {
	if [ "$(param verbose 0)" = 1 ]; then
		echo 8 > /proc/sys/kernel/printk
	fi
}

# Time in centiseconds since boot, and the seconds elapsed since a mark.
now() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s\n", (b - a) / 100 }'; }
nap() { sleep 0.2 2> /dev/null || sleep 1; }

# load_modules: insmod the modules qemu-run.sh --modules put in
# /lib/modules, in the order of /etc/guest-modules.
load_modules() {
	touch /etc/guest-modules
	while read -r _m; do
		[ -n "$_m" ] || continue
		_out=$(insmod "/lib/modules/$_m.ko" 2>&1)
		say "insmod $_m rc $?${_out:+ ($_out)}"
	done < /etc/guest-modules
}

# in_ns NS CMD...: run CMD in network namespace NS ("-": the initial one).
in_ns() {
	_ns=$1
	shift
	if [ "$_ns" = - ]; then
		"$@"
	else
		ip netns exec "$_ns" "$@"
	fi
}

# iavf_ifaces: the interfaces bound to iavf, one "MAC NAME" line each,
# sorted by MAC.
iavf_ifaces() {
	for _n in /sys/class/net/*; do
		[ -e "$_n/device/driver" ] || continue
		_d=$(readlink "$_n/device/driver")
		[ "${_d##*/}" = iavf ] || continue
		echo "$(cat "$_n/address") ${_n##*/}"
	done | sort
}

# link_wait NS IF CARRIER OPERSTATE LABEL: wait up to WAIT_LINK s for both
# values of IF (in NS), then print what was seen ("-": unreadable).
link_wait() {
	_t0=$(now)
	_end=$((_t0 + WAIT_LINK * 100))
	while :; do
		_c=$(in_ns "$1" cat "/sys/class/net/$2/carrier" 2> /dev/null || echo -)
		_o=$(in_ns "$1" cat "/sys/class/net/$2/operstate" 2> /dev/null || echo -)
		[ "$_c" = "$3" ] && [ "$_o" = "$4" ] && break
		[ "$(now)" -lt "$_end" ] || break
		nap
	done
	say "$5 $2 carrier $_c operstate $_o ($(since "$_t0"))"
}

# kernel_warnings REGEX: the kernel log in /tmp/dmesg.txt; its lines
# matching REGEX (extended) counted and printed, in /tmp/warn.txt.
kernel_warnings() {
	dmesg > /tmp/dmesg.txt 2>&1
	grep -E "$1" /tmp/dmesg.txt > /tmp/warn.txt
	say "kernel warnings $(wc -l < /tmp/warn.txt)"
	say_lines "kernel warning: " < /tmp/warn.txt
}

# kernel_report PATTERN ERRORS: the kernel's lines matching PATTERN (the
# driver's), those of them matching ERRORS counted and printed, the
# warnings, and the whole report of the first one (register dump, call
# trace). All extended regular expressions, PATTERN case-insensitive.
kernel_report() {
	dmesg > /tmp/dmesg.txt 2>&1
	grep -i -E "$1" /tmp/dmesg.txt > /tmp/iavf.txt
	say_lines "dmesg: " < /tmp/iavf.txt
	grep -i -E "$2" /tmp/iavf.txt > /tmp/iavf-err.txt
	say "iavf kernel errors $(wc -l < /tmp/iavf-err.txt)"
	say_lines "iavf kernel error: " < /tmp/iavf-err.txt
	kernel_warnings 'WARNING:|BUG:|Oops|Call Trace|general protection|soft lockup|hung task'
	_first=$(head -n 1 /tmp/warn.txt)
	if [ -n "$_first" ]; then
		grep -F -x -A 60 -e "$_first" /tmp/dmesg.txt | head -n 61 | say_lines "kernel report: "
	fi
}
