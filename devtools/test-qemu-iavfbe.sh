#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# End to end traffic between a Linux guest's stock iavf driver and testpmd:
# Debian's dpdk-testpmd loads the AVF device model (emu_iavf) and the backend
# ethdev on top of it (net_iavfbe) with -d; QEMU (>= 10.1, TCG) boots a guest
# with vfio-user-pci devices on the emu_iavf sockets, and the guest's /init
# (devtools/guest/iavfbe-init.sh) makes traffic. Tests:
#   ping  testpmd --forward-mode=icmpecho on one port; the guest pings
#         198.18.0.1 COUNT times and gets every reply; testpmd's port
#         counters show at least COUNT packets each way.
#   tcp   two NICs, two iavfbe ports, --forward-mode=io between them; the
#         guest puts each NIC in its own network namespace and sends 8 MiB
#         of random data from one to the other with busybox nc (offloads
#         left on: checksum, TSO); size and checksums must match.
#   mq    one NIC with queues=4 (testpmd --rxq=4 --txq=4, icmpecho); the
#         guest has 4 queue pairs and sends parallel flows; every queue
#         carries packets guest->host, in the guest's per-queue counters
#         and in testpmd's per-queue forwarding counters.
#   selftest  (only when asked) the tcp test's guest side on a veth pair,
#         without DPDK: checks this harness alone.
# The guest's iproute2 `ip` (network namespaces) and `ethtool` come from the
# QEMU tree, where this script installs them (chroot apt-get) if missing.
#
# usage: BUILD=builddir devtools/test-qemu-iavfbe.sh [ping] [tcp] [mq] [selftest]
#        (as root; default: ping tcp mq)
# Environment:
#   BUILD         build directory (default: build)
#   QEMU_TREE     QEMU tree (see devtools/qemu-setup.sh)
#   QEMU_TIMEOUT  limit for each guest run in seconds (default: 180)
#   TESTPMD       testpmd binary (default: dpdk-testpmd, Debian's dpdk-dev)
#   PMD_LCORES    testpmd's --lcores (default: 0@0,1@0: main and forwarding
#                 lcore share CPU 0, the guest gets the other CPU)
#   MQ_SMP        guest CPUs in the mq test (default: 4; iavf sets up one
#                 queue pair per CPU, up to what the device offers; with
#                 fewer the guest asks for 4 with ethtool -L)
#   TCP_MB        MiB to transfer in the tcp test (default: 8)
#   EMU_LOG_LEVEL log level of the project's log types (default: info)
#   GUEST_APPEND  extra guest kernel arguments (see devtools/guest/iavfbe-init.sh)
#   QEMU_TRACE    QEMU trace events to print in the guest log, e.g.
#                 'vfio_user_*' (the vfio-user messages QEMU sends and gets)
#   KEEP_LOGS=1   keep the logs directory
# Output: per test, the guest's lines, testpmd's figures, then PASS/FAIL per
# check; at the end "N passed, M failed".
# Exit status: 0 all checks passed, 77 skipped (a prerequisite is missing:
# the reason is printed), anything else failed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
# shellcheck source=devtools/lib-testpmd.sh
. devtools/lib-testpmd.sh
BUILD=${BUILD:-build}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-180}
TESTPMD=${TESTPMD:-dpdk-testpmd}
PMD_LCORES=${PMD_LCORES:-0@0,1@0}
MQ_SMP=${MQ_SMP:-4}
TCP_MB=${TCP_MB:-8}
EMU_LOG_LEVEL=${EMU_LOG_LEVEL:-info}
PING_COUNT=20
MQ_QUEUES=4
GUEST_INIT=devtools/guest/iavfbe-init.sh

tests=()
for a in "$@"; do
	case $a in
	ping | tcp | mq | selftest) tests+=("$a") ;;
	-h | --help)
		sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown test '$a' (ping, tcp, mq, selftest)" ;;
	esac
done
[ ${#tests[@]} != 0 ] || tests=(ping tcp mq)
for v in QEMU_TIMEOUT MQ_SMP TCP_MB; do
	case ${!v} in
	'' | *[!0-9]* | 0) die "$v wants a positive number, got '${!v}'" ;;
	esac
done
need_dpdk=0
for t in "${tests[@]}"; do
	[ "$t" = selftest ] || need_dpdk=1
done

plugins=
[ "$need_dpdk" = 0 ] || need_testpmd
need_qemu_tree base
[ "$need_dpdk" = 0 ] || need_plugins "$BUILD" "$EMU_SO" "$BE_SO"

# ------------------------------------------------------------ guest tools
# iproute2 (ip netns) and ethtool in the tree, installed once.
in_tree() { chroot "$DIR" "$@"; }
tree_has() {
	# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
	[ "$(in_tree dpkg-query -W -f='${db:Status-Status}' "$1" 2> /dev/null)" = installed ]
}
if ! tree_has iproute2 || ! tree_has ethtool; then
	log "installing iproute2 and ethtool into $DIR (once)"
	exec 8> "$DIR.lock"
	flock 8
	if ! tree_has iproute2 || ! tree_has ethtool; then
		export DEBIAN_FRONTEND=noninteractive
		if ! in_tree apt-get install -y -q --no-install-recommends iproute2 ethtool \
			> "$DIR.iavfbe-apt.log" 2>&1; then
			in_tree apt-get update -q >> "$DIR.iavfbe-apt.log" 2>&1 || true
			in_tree apt-get install -y -q --no-install-recommends iproute2 ethtool \
				>> "$DIR.iavfbe-apt.log" 2>&1 || {
				tail -n 20 "$DIR.iavfbe-apt.log"
				skip "cannot install iproute2 and ethtool into $DIR (log: $DIR.iavfbe-apt.log)"
			}
		fi
	fi
	exec 8>&-
fi

# The tools, their libraries and the dynamic loader, for qemu-run.sh --file.
# Paths are resolved inside the tree (its symbolic links are absolute and
# would lead to the host's files if followed from outside).
guest_files=()
declare -A seen_dst=()
add_file() { # add_file TREE-PATH GUEST-PATH
	local real
	real=$(in_tree readlink -f "$1") || die "cannot resolve $1 in $DIR"
	[ -f "$DIR$real" ] || die "$DIR$real is not a file"
	[ -z "${seen_dst[$2]:-}" ] || return 0
	seen_dst[$2]=1
	guest_files+=(--file "$DIR$real:$2")
}
for tool in ip ethtool; do
	path=
	for d in /usr/bin /usr/sbin /bin /sbin; do
		if [ -x "$DIR$d/$tool" ] || [ -L "$DIR$d/$tool" ]; then
			path=$d/$tool
			break
		fi
	done
	[ -n "$path" ] || skip "no $tool in $DIR"
	add_file "$path" "/opt/bin/$tool"
	ldd_out=$(in_tree ldd "$path") || die "ldd $path failed in $DIR"
	while read -r lib; do
		case $lib in
		/*) add_file "$lib" "$lib" ;;
		esac
	done < <(printf '%s\n' "$ldd_out" | sed -n -e 's/^.*=> \(\/[^ ]*\) (0x.*$/\1/p' \
		-e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*$/\1/p')
done

# ------------------------------------------------------------ work space
qpid=
socks=()
# shellcheck disable=SC2317 # called by the trap
at_exit() {
	if [ -n "$qpid" ]; then
		kill "$qpid" 2> /dev/null || true
		wait "$qpid" 2> /dev/null || true
	fi
	rm -f "${socks[@]}"
}
work_init emu-iavfbe-qemu
TP_WORK=$work
TP_LIBPATH=$plugins
prefix=emu-iavfbe-qemu-$$

passed=0
failed=0
guest_log=
# gval REGEX: the first guest line matching REGEX (extended, whole line).
gval() { grep -m1 -xE "$1" "$guest_log" || true; }

# ------------------------------------------------------------ testpmd
# The test's testpmd (devtools/lib-testpmd.sh) has the test's name as ID.
pmd=
# pmd_start NAME NICS QUEUES TESTPMD-OPTION...: testpmd with NICS emu_iavf
# devices (sockets in the tree) and an iavfbe port on each; it is up when
# it prompts and serves every socket (30 s at most).
pmd_start() {
	local nics=$2 queues=$3 i
	pmd=$1
	shift 3
	socks=()
	# shellcheck disable=SC2054 # commas belong to option values
	local eal=(-d "$plugins/librte_emu_iavf.so" -d "$plugins/librte_net_iavfbe.so" --no-huge
		-m 512 --no-pci --lcores "$PMD_LCORES" --log-level=lib.eal:notice
		--log-level="*emu*:$EMU_LOG_LEVEL" --log-level="*vfio_user*:$EMU_LOG_LEVEL"
		--log-level="*iavfbe*:$EMU_LOG_LEVEL")
	for ((i = 0; i < nics; i++)); do
		socks+=("$DIR/tmp/iavfbe.$$.$i.sock")
		rm -f "${socks[i]}"
		eal+=(--vdev "emu_iavf$i,sock=${socks[i]},mac=02:00:00:00:00:0$((i + 1)),queues=$queues"
			--vdev "net_iavfbe$i,emu=emu_iavf$i")
	done
	local opts=(--nb-cores=1 --rxq="$queues" --txq="$queues" --total-num-mbufs=16384 "$@")
	log "starting $testpmd ${eal[*]} -- ${opts[*]}"
	TP_SOCKS=("${socks[@]}")
	TP_START_S=30 tp_start "$pmd" "$prefix" "${eal[@]}" -- "${opts[@]}" && return 0
	tp_kill "$pmd"
	rm -f "${socks[@]}"
	return 1
}

# pmd_started: this test has started a testpmd (that may have died since).
pmd_started() { [ -n "$pmd" ] && [ -n "${TP_PID[$pmd]:-}" ]; }

# pmd_cmd CMD [OUT]: send a command, wait for the next prompt (10 s); the
# command and what it printed in OUT (default: $work/last.out).
pmd_cmd() {
	tp_cmd "$pmd" "$1" 10 || true
	{ printf '%s\n' "$1"; cat "$work/$pmd.out"; } > "${2:-$work/last.out}"
}

# pmd_stop: "stop", then "quit"; checks that testpmd survived the guest and
# quit cleanly, and that the sockets are gone.
pmd_stop() {
	! tp_alive "$pmd" || pmd_cmd stop "$work/$pmd.stop.out"
	tp_end "$pmd" testpmd "the devices' sockets were removed" "${socks[@]}"
	rm -f "${socks[@]}"
}

# stream_rx FILE PORT QUEUE: RX-packets of the forwarding stream reading
# PORT/QUEUE in "show fwd stats all" (nothing if it has no packets).
stream_rx() {
	awk -v p="$2" -v q="$3" '
		/Forward Stats for RX Port=/ {
			s = $0
			gsub(/[=\/]/, " ", s)
			split(s, w, " ")
			cur = 0
			for (i = 1; i < length(w); i++)
				if (w[i] == "Port" && w[i + 1] == p && w[i + 2] == "Queue" && w[i + 3] == q)
					cur = 1
			next
		}
		cur && /RX-packets:/ { print $2; exit }' "$1"
}

# ------------------------------------------------------------ guest
# boot NAME MODE NICS SMP [APPEND]: boot the guest in the background with one
# vfio-user-pci device per socket, and, when the guest says
# "GUEST: traffic-done", read testpmd's counters into NAME.*.out. Sets
# qemu_rc.
qemu_rc=
boot() {
	local name=$1 mode=$2 nics=$3 smp=$4 extra=${5:-} i snap=0
	guest_log=$work/$name.guest.log
	local args=(--quiet --init "$GUEST_INIT" --modules "libeth libie iavf${extra:+ veth}"
		--log "$guest_log" --timeout "$QEMU_TIMEOUT" "${guest_files[@]}"
		--append "emutest.mode=$mode emutest.mb=$TCP_MB emutest.count=$PING_COUNT emutest.queues=$MQ_QUEUES${GUEST_APPEND:+ $GUEST_APPEND}")
	[ "$smp" = 1 ] || args+=(--qemu-arg -smp --qemu-arg "$smp")
	[ -z "${QEMU_TRACE:-}" ] || args+=(--qemu-arg -trace --qemu-arg "$QEMU_TRACE")
	for ((i = 0; i < nics; i++)); do
		if [ "$i" = 0 ]; then
			args+=(--socket "${socks[0]}")
		else
			args+=(--qemu-arg -device --qemu-arg
				"{\"driver\":\"vfio-user-pci\",\"socket\":{\"type\":\"unix\",\"path\":\"${socks[i]#"$DIR"}\"}}")
		fi
	done
	log "booting the guest: mode $mode, $nics NIC(s), $smp CPU(s) (timeout ${QEMU_TIMEOUT} s)"
	: > "$guest_log"
	local t0=$SECONDS t_init=
	bash devtools/qemu-run.sh "${args[@]}" &
	qpid=$!
	while kill -0 "$qpid" 2> /dev/null; do
		if [ -z "$t_init" ] && grep -q '^GUEST: mode' "$guest_log"; then
			t_init=$((SECONDS - t0))
			log "the guest's /init started after $t_init s"
		fi
		if [ "$snap" = 0 ] && pmd_started && grep -q '^GUEST: traffic-done' "$guest_log"; then
			snapshot "$name"
			snap=1
		fi
		sleep 0.2
	done
	qemu_rc=0
	wait "$qpid" || qemu_rc=$?
	qpid=
	if [ "$snap" = 0 ] && pmd_started; then
		log "the guest never said traffic-done; testpmd's counters read after it ended"
		snapshot "$name"
	fi
}
snapshot() {
	pmd_cmd "show port stats all" "$work/$1.stats.out"
	pmd_cmd "show fwd stats all" "$work/$1.fwd.out"
	pmd_cmd "show port xstats 0" "$work/$1.xstats.out"
}

# show_pmd NAME: testpmd's figures.
show_pmd() {
	local f
	for f in stats fwd xstats; do
		[ -f "$work/$1.$f.out" ] || continue
		echo "--- testpmd: $(head -n 1 "$work/$1.$f.out")"
		tail -n +2 "$work/$1.$f.out" | grep -v -E '^\s*$|^testpmd>' |
			{ if [ "$f" = xstats ]; then grep -E '_(packets|bytes|errors|dropped|missed)' | grep -v -E ': 0$'; else cat; fi; } || true
	done
	echo "---"
}
# common_checks NICS: the guest's driver and kernel.
common_checks() {
	local t='\([0-9.]+ s\)' i
	check "QEMU exited 0 (status $qemu_rc)" "$([ "$qemu_rc" = 0 ] && echo 1 || echo 0)"
	expect "iavf loaded" 'GUEST: insmod iavf rc 0'
	for ((i = 1; i <= $1; i++)); do
		expect "iavf interface with MAC 02:00:00:00:00:0$i" \
			"GUEST: iface [^ ]+ driver iavf mac 02:00:00:00:00:0$i $t"
	done
}
end_checks() {
	expect "no iavf error in the kernel log (e.g. TX timeouts)" 'GUEST: iavf kernel errors 0'
	expect "no kernel warning" 'GUEST: kernel warnings 0'
	expect "guest finished" 'GUEST-RESULT: done'
}
# failure_logs NAME BEFORE: the full logs if a check of this test failed.
failure_logs() {
	[ "$failed" != "$2" ] || return 0
	echo "--- guest log ($guest_log), last 150 lines:"
	tail -n 150 "$guest_log"
	if [ -n "$pmd" ] && [ -f "$work/$pmd.log" ]; then
		echo "--- testpmd log, last 100 lines ($work/$pmd.log):"
		tail -n 100 "$work/$pmd.log"
	fi
	echo "---"
}

# ------------------------------------------------------------ tests
test_ping() {
	local before=$failed rx tx
	echo "=== ping: icmpecho on one iavfbe port, ping -c $PING_COUNT 198.18.0.1 from the guest"
	if ! pmd_start ping 1 1 --forward-mode=icmpecho --port-topology=loop; then
		check "testpmd started with emu_iavf0 and net_iavfbe0" 0
		return
	fi
	pmd_cmd start
	boot ping ping 1 1
	show_guest "$guest_log" "|qemu-run"
	show_pmd ping
	common_checks 1
	expect "carrier 1, operstate up" 'GUEST: up [^ ]+ carrier 1 operstate up \([0-9.]+ s\)'
	local l n
	l=$(gval "GUEST: ping: $PING_COUNT packets transmitted, [0-9]+ packets received.*")
	n=$(printf '%s\n' "$l" | sed -n 's/.* \([0-9][0-9]*\) packets received.*/\1/p')
	check "the guest got $PING_COUNT ping replies: ${l:-no ping summary}" "$([ "$n" = "$PING_COUNT" ] && echo 1 || echo 0)"
	rx=$(tp_port_stat "$work/ping.stats.out" 0 RX-packets)
	tx=$(tp_port_stat "$work/ping.stats.out" 0 TX-packets)
	check "testpmd port 0 RX-packets ${rx:-?} >= $PING_COUNT" "$(is gen "$rx" "$PING_COUNT")"
	check "testpmd port 0 TX-packets ${tx:-?} >= $PING_COUNT" "$(is gen "$tx" "$PING_COUNT")"
	end_checks
	pmd_stop
	failure_logs ping "$before"
}

# transfer_checks: the guest's tcp transfer lines.
transfer_checks() {
	local sent recv sb
	expect "ns0 set up" 'GUEST: netns ns0 [^ ]+ 198\.18\.0\.1/24 rc 0'
	expect "ns1 set up" 'GUEST: netns ns1 [^ ]+ 198\.18\.0\.2/24 rc 0'
	expect "carrier up in ns0" 'GUEST: up-ns0 [^ ]+ carrier 1 operstate up \([0-9.]+ s\)'
	expect "carrier up in ns1" 'GUEST: up-ns1 [^ ]+ carrier 1 operstate up \([0-9.]+ s\)'
	expect "ns0 pings ns1" 'GUEST: ping ns0->ns1: 3 packets transmitted, 3 packets received.*'
	expect "sender done" 'GUEST: transfer sender rc 0 .*'
	expect "receiver done" 'GUEST: transfer receiver rc 0 .*'
	sent=$(gval 'GUEST: sent bytes .*')
	recv=$(gval 'GUEST: received bytes .*')
	sb=$(printf '%s\n' "$sent" | awk '{ print $4 }')
	check "at least $TCP_MB MiB sent: ${sent:-no line}" "$(is gen "$sb" $((TCP_MB * 1048576)))"
	# "bytes N md5 X sha256 Y", without the time it took.
	sent=$(printf '%s\n' "$sent" | cut -d' ' -f3-8)
	recv=$(printf '%s\n' "$recv" | cut -d' ' -f3-8)
	check "same size and checksums received: ${recv:-no line}" \
		"$([ -n "$sent" ] && [ "$sent" = "$recv" ] && echo 1 || echo 0)"
}

test_tcp() {
	local before=$failed p b
	echo "=== tcp: two NICs in two namespaces, io forwarding between two iavfbe ports, $TCP_MB MiB with nc"
	if ! pmd_start tcp 2 1 --forward-mode=io; then
		check "testpmd started with emu_iavf0/1 and net_iavfbe0/1" 0
		return
	fi
	pmd_cmd start
	boot tcp tcp 2 1
	show_guest "$guest_log" "|qemu-run"
	show_pmd tcp
	common_checks 2
	transfer_checks
	# The offloads the backend must honour are on in the guest: the
	# sender's checksums and TSO (the receiver's checksum offload).
	local ifa ifb f x
	ifa=$(gval 'GUEST: netns ns0 [^ ]+ .*' | awk '{ print $4 }')
	ifb=$(gval 'GUEST: netns ns1 [^ ]+ .*' | awk '{ print $4 }')
	for f in tx-checksumming tcp-segmentation-offload; do
		expect "sender ($ifa) has $f on" "GUEST: offload ${ifa:-none} $f: on"
	done
	expect "receiver ($ifb) has rx-checksumming on" "GUEST: offload ${ifb:-none} rx-checksumming: on"
	x=$(tp_xstat "$work/tcp.xstats.out" rx_tso_packets)
	[ -z "$x" ] || log "testpmd xstats port 0 rx_tso_packets: $x"
	for p in 0 1; do
		b=$(tp_port_stat "$work/tcp.stats.out" "$p" RX-bytes)
		check "testpmd port $p RX-bytes ${b:-?} > 0" "$(is gen "$b" 1)"
		b=$(tp_port_stat "$work/tcp.stats.out" "$p" TX-bytes)
		check "testpmd port $p TX-bytes ${b:-?} > 0" "$(is gen "$b" 1)"
	done
	b=$(($(numz "$(tp_port_stat "$work/tcp.stats.out" 0 RX-bytes)") + $(numz "$(tp_port_stat "$work/tcp.stats.out" 1 RX-bytes)")))
	check "testpmd RX-bytes of both ports $b >= $TCP_MB MiB" "$(is gen "$b" $((TCP_MB * 1048576)))"
	end_checks
	pmd_stop
	failure_logs tcp "$before"
}

test_mq() {
	local before=$failed q n x
	echo "=== mq: queues=$MQ_QUEUES, testpmd --rxq=$MQ_QUEUES --txq=$MQ_QUEUES icmpecho, parallel flows from a $MQ_SMP-CPU guest"
	if ! pmd_start mq 1 "$MQ_QUEUES" --forward-mode=icmpecho --port-topology=loop; then
		check "testpmd started with emu_iavf0 (queues=$MQ_QUEUES) and net_iavfbe0" 0
		return
	fi
	pmd_cmd start
	boot mq mq 1 "$MQ_SMP"
	show_guest "$guest_log" "|qemu-run"
	show_pmd mq
	common_checks 1
	# The last "queues" line: after ethtool -L if the driver picked fewer.
	local l
	l=$(grep -E '^GUEST: queues [^ ]+ rx [0-9]+ tx [0-9]+' "$guest_log" | tail -n 1)
	check "the guest has $MQ_QUEUES queue pairs: ${l:-no queues line}" \
		"$(printf '%s\n' "$l" | grep -q -E "rx $MQ_QUEUES tx $MQ_QUEUES " && echo 1 || echo 0)"
	expect "$MQ_QUEUES TxRx vectors" "GUEST: irq vectors [^ ]+ TxRx $MQ_QUEUES"
	expect "carrier 1, operstate up" 'GUEST: up [^ ]+ carrier 1 operstate up \([0-9.]+ s\)'
	for ((q = 0; q < MQ_QUEUES; q++)); do
		l=$(gval "GUEST: qstat [^ ]+ tx-queue $q packets [0-9]+")
		check "guest TX queue $q sent packets: ${l:-no line}" "$(is gen "${l##* }" 1)"
	done
	for ((q = 0; q < MQ_QUEUES; q++)); do
		n=$(stream_rx "$work/mq.fwd.out" 0 "$q")
		x=$(tp_xstat "$work/mq.xstats.out" "rx_q${q}_packets")
		check "testpmd received on port 0 queue $q: fwd stream RX-packets ${n:-0} (xstats rx_q${q}_packets ${x:-n/a})" "$(is gen "$n" 1)"
	done
	end_checks
	pmd_stop
	failure_logs mq "$before"
}

test_selftest() {
	local before=$failed
	echo "=== selftest: the tcp test's guest side on a veth pair, no DPDK"
	pmd=
	boot selftest selftest 0 1 veth
	show_guest "$guest_log" "|qemu-run"
	check "QEMU exited 0 (status $qemu_rc)" "$([ "$qemu_rc" = 0 ] && echo 1 || echo 0)"
	expect "iproute2 ip runs" 'GUEST: tool ip: ip utility, iproute2.*'
	expect "ethtool runs" 'GUEST: tool ethtool: ethtool version.*'
	expect "veth pair" 'GUEST: veth vA vB rc 0'
	transfer_checks
	expect "offloads printed" 'GUEST: offload vA tcp-segmentation-offload: .*'
	end_checks
	failure_logs selftest "$before"
}

start=$SECONDS
for t in "${tests[@]}"; do
	t0=$SECONDS
	case $t in
	ping) test_ping ;;
	tcp) test_tcp ;;
	mq) test_mq ;;
	selftest) test_selftest ;;
	esac
	log "$t: $((SECONDS - t0)) s"
done
log "all: $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] || exit 1
exit 0
