#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Guest /init (busybox sh) for devtools/test-qemu-iavfbe.sh: traffic between
# the guest's stock iavf driver and testpmd through emu_iavf + net_iavfbe.
# One "GUEST: ..." line per fact seen, then "GUEST-RESULT: done" (or
# "GUEST-RESULT: <reason>") and power off. Booted by devtools/qemu-run.sh
# --modules "libeth libie iavf" (their load order in /etc/guest-modules),
# with iproute2's `ip` and `ethtool` from the QEMU tree in /opt/bin and
# their shared libraries at their usual paths (busybox `ip` has no netns).
#
# Kernel command line (qemu-run.sh --append):
#   emutest.mode=ping|tcp|mq|selftest   what to do (default ping)
#     ping      one NIC at 198.18.0.2/24; ping -c COUNT 198.18.0.1 (testpmd
#               icmpecho answers ARP and ICMP for any address)
#     tcp       two NICs, each in its own network namespace (ns0: the lower
#               MAC, 198.18.0.1/24; ns1: 198.18.0.2/24), testpmd io-forwards
#               between them; MB MiB of /dev/urandom go from ns0 to ns1 with
#               busybox nc; both sides print size, md5sum and sha256sum
#     mq        one NIC with QUEUES queue pairs (ethtool -L if the driver
#               picked fewer), FLOWS parallel TCP connection attempts and
#               PINGS parallel pings to 198.18.0.1 (icmpecho), then the
#               driver's per-queue counters (ethtool -S)
#     selftest  no DPDK: the tcp mode's namespaces and transfer on a veth
#               pair (needs the veth module), to check this script alone
#   emutest.count=N     ping count (default 20)
#   emutest.interval=S  ping interval (default 0.2)
#   emutest.mb=N        MiB to transfer (default 8)
#   emutest.queues=N    queue pairs wanted in mq mode (default 4)
#   emutest.flows=N     TCP flows in mq mode (default 32)
#   emutest.pings=N     parallel pings in mq mode (default 8)
#   emutest.hold=S      seconds to wait after "GUEST: traffic-done" (the host
#                       reads testpmd's counters then; default 3)
#   emutest.verbose=1   kernel messages of every level on the console
#   emutest.wait=S      limit for the interfaces to appear (default 60)
#   emutest.linkwait=S  limit for carrier changes (default 30)
#
# Lines the host asserts on (examples):
#   GUEST: insmod iavf rc 0
#   GUEST: iface eth0 driver iavf mac 02:00:00:00:00:01
#   GUEST: tool ip: ip utility, iproute2-6.15.0, libbpf 1.5.0
#   GUEST: up eth0 carrier 1 operstate up (0.3 s)
#   GUEST: ping: 20 packets transmitted, 20 packets received, 0% packet loss
#   GUEST: netns ns0 eth0 198.18.0.1/24 rc 0
#   GUEST: offload eth0 tcp-segmentation-offload: on    (ethtool -k)
#   GUEST: transfer sender rc 0 (3.1 s, 2.6 MB/s)
#   GUEST: transfer receiver rc 0
#   GUEST: sent bytes 8388608 md5 ... sha256 ...
#   GUEST: received bytes 8388608 md5 ... sha256 ...
#   GUEST: queues eth0 rx 4 tx 4
#   GUEST: irq vectors eth0 TxRx 4
#   GUEST: qstat eth0 tx-queue 0 packets 17   (ethtool -S, per queue)
#   GUEST: traffic-done
#   GUEST: kernel warnings 0

PATH=/opt/bin:/bin
export PATH
# shellcheck source=devtools/guest/lib.sh
. /lib/guest-lib.sh
guest_start
mkdir -p /run /var /tmp
[ -e /var/run ] || ln -s /run /var/run
# This busybox runs its own applets before anything on PATH: the full `ip`
# by its path (commands run by `ip netns exec` are found on PATH).
if [ -x /opt/bin/ip ]; then
	ip() { /opt/bin/ip "$@"; }
fi
finish_hook() { report_kernel; }

MODE=$(param mode ping a-z)
COUNT=$(param count 20)
INTERVAL=$(param interval 0.2 0-9.)
MB=$(param mb 8)
QUEUES=$(param queues 4)
FLOWS=$(param flows 32)
PINGS=$(param pings 8)
HOLD=$(param hold 3)
WAIT_IFACE=$(param wait 60)
WAIT_LINK=$(param linkwait 30)
verbose_console
HOST_IP=198.18.0.1
GUEST_IP=198.18.0.2
PORT=5001

# wait_ifaces N LIMIT: wait up to LIMIT s for N iavf interfaces; sets IFS_FOUND
# (their names, by MAC) and prints them.
wait_ifaces() {
	_t0=$(now)
	_end=$((_t0 + $2 * 100))
	while :; do
		[ "$(iavf_ifaces | wc -l)" -ge "$1" ] && break
		[ "$(now)" -lt "$_end" ] || break
		nap
	done
	IFS_FOUND=
	_list=$(iavf_ifaces)
	while read -r _mac _name; do
		[ -n "$_name" ] || continue
		say "iface $_name driver iavf mac $_mac ($(since "$_t0"))"
		IFS_FOUND="$IFS_FOUND $_name"
	done << EOF
$_list
EOF
	[ "$(echo "$_list" | grep -c .)" -ge "$1" ]
}

# wait_carrier NS IF LABEL: wait up to WAIT_LINK s for carrier 1 and
# operstate up, then print what was seen.
wait_carrier() { link_wait "$1" "$2" 1 up "$3"; }

# run LABEL CMD...: run CMD, print "LABEL rc N" and its output.
run() {
	_label=$1
	shift
	_out=$("$@" 2>&1)
	_rc=$?
	say "$_label rc $_rc"
	[ -z "$_out" ] || echo "$_out" | say_lines "  "
	return $_rc
}

# offloads NS IF: the interface's offload features (ethtool -k).
offloads() {
	if ! command -v ethtool > /dev/null; then
		say "offload $2 unavailable (no ethtool)"
		return
	fi
	in_ns "$1" ethtool -k "$2" > /tmp/features 2>&1 || {
		say_lines "offload $2 ethtool -k failed: " < /tmp/features
		return
	}
	for _f in rx-checksumming tx-checksumming scatter-gather \
		tcp-segmentation-offload generic-segmentation-offload \
		generic-receive-offload rx-vlan-offload tx-vlan-offload \
		receive-hashing tx-checksum-ipv4 tx-checksum-ip-generic \
		tx-tcp-segmentation tx-tcp6-segmentation tx-udp-segmentation; do
		grep "^[[:space:]]*$_f:" /tmp/features | sed 's/^[[:space:]]*//' | say_lines "offload $2 "
	done
	say "offload $2 all on: $(awk -F': ' '/: on/ { sub(/^[ \t]+/, "", $1); printf "%s ", $1 }' /tmp/features)"
}

# if_stats NS IF LABEL: the interface's kernel counters.
if_stats() {
	_s=
	for _c in rx_packets rx_bytes rx_errors rx_dropped tx_packets tx_bytes tx_errors tx_dropped; do
		_s="$_s $_c $(in_ns "$1" cat "/sys/class/net/$2/statistics/$_c" 2> /dev/null || echo -)"
	done
	say "stats $3 $2$_s"
}

# tcp_stats NS LABEL: the namespace's TCP counters (retransmissions, ...).
tcp_stats() {
	in_ns "$1" cat /proc/net/snmp 2> /dev/null | awk -v l="$2" '
		$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
		$1 == "Tcp:" && h {
			printf "GUEST: tcp %s", l
			for (i = 2; i <= NF; i++)
				if (n[i] ~ /^(ActiveOpens|PassiveOpens|InSegs|OutSegs|RetransSegs|InErrs|OutRsts|InCsumErrors)$/)
					printf " %s %s", n[i], $i
			printf "\n"
		}'
}

# queue_stats NS IF: the driver's per-queue packet counters (ethtool -S),
# for the queues the interface has, and its other counters that are not 0.
queue_stats() {
	command -v ethtool > /dev/null || return 0
	in_ns "$1" ethtool -S "$2" > /tmp/ethtool-S 2>&1 || {
		say_lines "ethtool -S $2 failed: " < /tmp/ethtool-S
		return 0
	}
	_nq=$(in_ns "$1" ls "/sys/class/net/$2/queues" 2> /dev/null | grep -c '^tx-')
	# Lines like "tx-0.packets: 12" or "tx_q0_packets: 12" (either naming).
	sed -n 's/^[[:space:]]*\([rt]x\)[-_]q\{0,1\}\([0-9][0-9]*\)[._]packets: *\([0-9][0-9]*\)$/\1 \2 \3/p' \
		/tmp/ethtool-S | while read -r _dir _q _n; do
		[ "$_q" -lt "$_nq" ] && say "qstat $2 $_dir-queue $_q packets $_n"
	done
	grep -v -E '^[[:space:]]*[rt]x[-_]q?[0-9]+[._]|: 0$|statistics:' /tmp/ethtool-S |
		tr -s ' \t' ' ' | say_lines "ethtool-S $2:"
}

# nic_info NS IF: queue count, vectors, channels.
nic_info() {
	_rx=$(in_ns "$1" ls "/sys/class/net/$2/queues" 2> /dev/null | grep -c '^rx-')
	_tx=$(in_ns "$1" ls "/sys/class/net/$2/queues" 2> /dev/null | grep -c '^tx-')
	say "queues $2 rx $_rx tx $_tx ($(in_ns "$1" ls "/sys/class/net/$2/queues" 2> /dev/null | tr '\n' ' '))"
	NQ_TX=$_tx
	if command -v ethtool > /dev/null; then
		in_ns "$1" ethtool -l "$2" 2>&1 | tr -s '\t ' ' ' | say_lines "channels $2: "
	fi
}

# irq_info IF: the interface's MSI-X vectors.
irq_info() {
	grep -i -E "iavf|$1" /proc/interrupts | tr -s ' ' | say_lines "irq "
	say "irq vectors $1 TxRx $(grep -c -E "$1-TxRx-[0-9]+" /proc/interrupts)"
}

# report_kernel: the kernel's iavf (and veth) lines, the errors among them,
# warnings.
report_kernel() { kernel_report 'iavf|veth' 'error|fail|timeout|timed out|hang'; }

# traffic_done: tell the host to read testpmd's counters, give it time.
traffic_done() {
	say "traffic-done"
	sleep "$HOLD"
}

# ping_check NS DST COUNT LABEL: ping and print every line.
ping_check() {
	in_ns "$1" ping -c "$3" -i "$INTERVAL" -W 5 -w $(($3 + 30)) "$2" > /tmp/ping.txt 2>&1
	_rc=$?
	say_lines "$4: " < /tmp/ping.txt
	say "$4 rc $_rc"
}

# tools: report iproute2 and ethtool (needed for namespaces and offloads).
tools() {
	if _v=$(ip -V 2>&1); then
		say "tool ip: $_v"
	else
		say "tool ip failed: $_v"
	fi
	if _v=$(ethtool --version 2>&1); then
		say "tool ethtool: $_v"
	else
		say "tool ethtool failed: $_v"
	fi
}

# setup_ns NS IF ADDR: move IF into a new namespace NS, address it, up.
setup_ns() {
	_rc=0
	_out=$(ip netns add "$1" 2>&1 && ip link set dev "$2" netns "$1" 2>&1 &&
		ip netns exec "$1" ip link set dev lo up 2>&1 &&
		ip netns exec "$1" ip addr add "$3" dev "$2" 2>&1 &&
		ip netns exec "$1" ip link set dev "$2" up 2>&1) || _rc=$?
	say "netns $1 $2 $3 rc $_rc${_out:+ ($_out)}"
	in_ns "$1" ip -br addr 2>&1 | say_lines "addr $1: "
	return $_rc
}

# digest FILE LABEL: size and checksums.
digest() {
	_t=$(now)
	say "$2 bytes $(wc -c < "$1") md5 $(md5sum < "$1" | cut -d' ' -f1) sha256 $(sha256sum < "$1" | cut -d' ' -f1) ($(since "$_t"))"
}

# transfer IFA IFB: namespaces ns0 (IFA) and ns1 (IFB), then MB MiB from
# ns0 to ns1 over TCP with busybox nc.
transfer() {
	setup_ns ns0 "$1" "$HOST_IP/24" || return 1
	setup_ns ns1 "$2" "$GUEST_IP/24" || return 1
	wait_carrier ns0 "$1" up-ns0
	wait_carrier ns1 "$2" up-ns1
	offloads ns0 "$1"
	offloads ns1 "$2"
	ping_check ns0 "$GUEST_IP" 3 "ping ns0->ns1"

	t=$(now)
	dd if=/dev/urandom of=/tmp/data bs=1048576 count="$MB" 2> /dev/null
	say "data $MB MiB from /dev/urandom ($(since "$t"))"
	digest /tmp/data sent
	rm -f /tmp/recv /tmp/recv.rc
	# The listener's stdin must stay open (a FIFO this shell holds): busybox
	# nc half-closes the connection at EOF on stdin, and the sender then
	# stops at once. It exits when the sender's data ends (EOF on the
	# socket).
	rm -f /tmp/hold
	mkfifo /tmp/hold
	exec 3<> /tmp/hold
	(
		ip netns exec ns1 timeout 240 nc -l -p "$PORT" < /tmp/hold > /tmp/recv 2> /tmp/recv.err
		echo $? > /tmp/recv.rc
	) &
	# Wait for the listening socket (state 0A in /proc/net/tcp).
	_port=$(printf ':%04X ' "$PORT")
	_end=$(($(now) + 1000))
	while ! ip netns exec ns1 cat /proc/net/tcp | grep -q "$_port.* 0A "; do
		[ "$(now)" -lt "$_end" ] || break
		nap
	done
	t=$(now)
	ip netns exec ns0 timeout 240 nc "$GUEST_IP" "$PORT" < /tmp/data > /tmp/send.out 2>&1
	_rc=$?
	say "transfer sender rc $_rc ($(since "$t"), $(awk -v b="$((MB * 1048576))" -v a="$t" -v c="$(now)" \
		'BEGIN { d = (c - a) / 100; if (d <= 0) d = 0.01; printf "%.1f MB/s", b / d / 1e6 }'))"
	say_lines "sender: " < /tmp/send.out
	# The receiver ends right after the sender (a failed sender: give up
	# sooner).
	if [ "$_rc" = 0 ]; then
		_end=$(($(now) + 3000))
	else
		_end=$(($(now) + 300))
	fi
	while [ ! -s /tmp/recv.rc ] && [ "$(now)" -lt "$_end" ]; do
		nap
	done
	say "transfer receiver rc $(cat /tmp/recv.rc 2> /dev/null || echo none) ($(since "$t"))"
	exec 3>&-
	say_lines "receiver: " < /tmp/recv.err
	digest /tmp/recv received
	if_stats ns0 "$1" ns0
	if_stats ns1 "$2" ns1
	tcp_stats ns0 ns0
	tcp_stats ns1 ns1
	queue_stats ns0 "$1"
	queue_stats ns1 "$2"
}

# ------------------------------------------------------------ modules
say "mode $MODE"
tools
load_modules

case $MODE in
ping)
	wait_ifaces 1 "$WAIT_IFACE" || finish "no iavf interface"
	# shellcheck disable=SC2086 # split into the names
	set -- $IFS_FOUND
	IF=$1
	nic_info - "$IF"
	run "addr-add $IF $GUEST_IP/24" ip addr add "$GUEST_IP/24" dev "$IF"
	run "link-set up $IF" ip link set dev "$IF" up
	wait_carrier - "$IF" up
	offloads - "$IF"
	ping_check - "$HOST_IP" "$COUNT" ping
	ip neigh show 2>&1 | say_lines "neigh: "
	if_stats - "$IF" "$IF"
	queue_stats - "$IF"
	traffic_done
	;;
tcp)
	wait_ifaces 2 "$WAIT_IFACE" || finish "fewer than 2 iavf interfaces"
	# shellcheck disable=SC2086 # split into the names
	set -- $IFS_FOUND
	nic_info - "$1"
	nic_info - "$2"
	transfer "$1" "$2"
	traffic_done
	;;
mq)
	wait_ifaces 1 "$WAIT_IFACE" || finish "no iavf interface"
	# shellcheck disable=SC2086 # split into the names
	set -- $IFS_FOUND
	IF=$1
	say "cpus $(grep -c '^processor' /proc/cpuinfo)"
	nic_info - "$IF"
	if [ "$NQ_TX" -lt "$QUEUES" ] && command -v ethtool > /dev/null; then
		run "ethtool -L $IF combined $QUEUES" ethtool -L "$IF" combined "$QUEUES"
		wait_ifaces 1 "$WAIT_IFACE"
		nic_info - "$IF"
	fi
	run "addr-add $IF $GUEST_IP/24" ip addr add "$GUEST_IP/24" dev "$IF"
	run "link-set up $IF" ip link set dev "$IF" up
	wait_carrier - "$IF" up
	irq_info "$IF"
	offloads - "$IF"
	ping_check - "$HOST_IP" 3 ping
	# Parallel flows: the stack spreads them over the TX queues by flow
	# hash. TCP connection attempts (icmpecho answers no SYN: each one sends
	# its SYN and retransmits it) and pings (each with its own ICMP id).
	t=$(now)
	i=0
	while [ "$i" -lt "$FLOWS" ]; do
		nc -w 2 "$HOST_IP" $((7000 + i)) < /dev/null > /dev/null 2>&1 &
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt "$PINGS" ]; do
		ping -q -c 5 -i "$INTERVAL" -w 20 "$HOST_IP" > "/tmp/ping.$i" 2>&1 &
		i=$((i + 1))
	done
	wait
	i=0
	while [ "$i" -lt "$PINGS" ]; do
		grep 'packets transmitted' "/tmp/ping.$i" | say_lines "ping $i: "
		i=$((i + 1))
	done
	say "flows $FLOWS tcp, $PINGS ping ($(since "$t"))"
	if_stats - "$IF" "$IF"
	queue_stats - "$IF"
	traffic_done
	;;
selftest)
	_out=$(ip link add vA type veth peer name vB 2>&1)
	say "veth vA vB rc $?${_out:+ ($_out)}"
	transfer vA vB
	;;
*)
	finish "unknown mode $MODE"
	;;
esac
finish "done"
