#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# DPDK in the guest: Debian 13's dpdk-testpmd (DPDK 24.11, net_iavf PMD)
# inside a QEMU guest (TCG, -cpu max, 2 CPUs, 1536 MiB shared memfd RAM,
# 256 x 2 MiB hugepages) drives the emulated AVF, which the host's
# dpdk-testpmd serves with our plugins (emu_iavf + net_iavfbe). The guest's
# root is the DPDK guest tree of `qemu-setup.sh --dpdk-guest`, served
# read-only over 9p; a second, writable 9p share is the control channel
# through which this script types the guest testpmd's commands and reads
# their output (devtools/guest/dpdk-init.sh). Runs:
#   uio   the device bound to uio_pci_generic (Debian's kernel has no
#         vfio no-IOMMU mode)
#   vfio  the device bound to vfio-pci behind QEMU's intel-iommu
#         (intremap=on, caching-mode=on; intel_iommu=on in the guest)
# Checks, each a PASS/FAIL line with the figures:
#   - the guest's testpmd sees the link up;
#   - guest -> host: the guest sends BURSTS bursts per queue (testpmd
#     `start tx_first`, rxonly otherwise); the host's port received exactly
#     what the guest's forwarding streams sent, and the guest's own port
#     statistics (device counters, VIRTCHNL_OP_GET_STATS) say the same,
#     packets and bytes;
#   - host -> guest: the mirror (host `start tx_first`, the guest rxonly);
#     the guest's streams received exactly what the host sent, and the
#     guest's `show port stats` (RX-packets, RX-bytes) agree, no RX-missed;
#   - link events: one "link state change" event at the guest per link
#     change (its port start; the host's port stop and start);
#   - offloads (uio run): the guest's promiscuous mode off (a frame to another
#     MAC filtered), VLAN stripping (testpmd's verbose "VLAN tci=0x64"), RSS
#     (its "RSS hash=0x..."), its MTU (1200-byte frames dropped and counted
#     in RX-missed), its multicast filters (a group it did not add filtered;
#     received with all-multicast on, or in its list), its VLAN insertion
#     (the host receives its frames tagged, and sends them back: the guest
#     sees VLAN 100), its VLAN filter (VLAN 200 filtered, 100 received),
#     each against the host's net_iavfbe xstats;
#   - QEMU printed no vfio-user error (a DMA unmap that failed, a request
#     timed out, an unexpected reply), the guest kernel no warning, the
#     guest's testpmd quit with status 0, and so did the host's.
#
# usage: BUILD=builddir devtools/test-qemu-dpdk.sh [uio] [vfio]
#        (as root; default: uio vfio)
# Environment:
#   BUILD         build directory (default: build)
#   QEMU_TREE     QEMU tree (see devtools/qemu-setup.sh)
#   QEMU_TIMEOUT  limit for each guest run in seconds (default: 420)
#   TESTPMD       host testpmd binary (default: dpdk-testpmd, Debian's dpdk-dev)
#   PMD_LCORES    host testpmd's --lcores (default: 0@0,1@0)
#   QUEUES        queue pairs (default: 2: testpmd prints per-stream
#                 software counters only with more streams than ports)
#   BURSTS        tx_first bursts per queue, 32 packets each (default: 4)
#   OFFLOADS=0    skip the offload checks (in the uio run)
#   EMU_LOG_LEVEL log level of the project's log types (default: info)
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
QEMU_TIMEOUT=${QEMU_TIMEOUT:-420}
TESTPMD=${TESTPMD:-dpdk-testpmd}
PMD_LCORES=${PMD_LCORES:-0@0,1@0}
QUEUES=${QUEUES:-2}
BURSTS=${BURSTS:-4}
OFFLOADS=${OFFLOADS:-1}
EMU_LOG_LEVEL=${EMU_LOG_LEVEL:-info}
GUEST_MAC=02:00:00:00:00:01
HOST_PEER=02:00:00:00:00:fe
GUEST_INIT=devtools/guest/dpdk-init.sh
LSC_LINE='Port 0: link state change event'

runs=()
for a in "$@"; do
	case $a in
	uio | vfio) runs+=("$a") ;;
	-h | --help)
		sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown run '$a' (uio, vfio)" ;;
	esac
done
[ ${#runs[@]} != 0 ] || runs=(uio vfio)
for v in QEMU_TIMEOUT QUEUES BURSTS; do
	case ${!v} in
	'' | *[!0-9]* | 0) die "$v wants a positive number, got '${!v}'" ;;
	esac
done

need_testpmd
need_qemu_tree dpdk-guest
need_plugins "$BUILD" "$EMU_SO" "$BE_SO"

# ------------------------------------------------------------ work space
qpid=
ctl=
sock=$DIR/tmp/dpdk-guest.$$.sock
# shellcheck disable=SC2317 # called by the trap
at_exit() {
	if [ -n "$qpid" ]; then
		kill "$qpid" 2> /dev/null || true
		wait "$qpid" 2> /dev/null || true
	fi
	rm -f "$sock"
	[ -z "$ctl" ] || rm -rf "$ctl"
}
work_init emu-dpdk-qemu
TP_WORK=$work
TP_LIBPATH=$plugins
prefix=emu-dpdk-qemu-$$

passed=0
failed=0
guest_log=

# ------------------------------------------------------------ host testpmd
# The run's host testpmd (devtools/lib-testpmd.sh) has the ID h.RUN.
pmd=
# pmd_start RUN: testpmd with emu_iavf0 (serving $sock) and net_iavfbe0; up
# when it prompts and serves the socket (30 s at most).
pmd_start() {
	pmd=h.$1
	rm -f "$sock"
	# shellcheck disable=SC2054 # commas belong to option values
	local eal=(-d "$plugins/librte_emu_iavf.so" -d "$plugins/librte_net_iavfbe.so" --no-huge
		-m 512 --no-pci --lcores "$PMD_LCORES" --log-level=lib.eal:notice
		--log-level="*emu*:$EMU_LOG_LEVEL" --log-level="*vfio_user*:$EMU_LOG_LEVEL"
		--log-level="*iavfbe*:$EMU_LOG_LEVEL"
		--vdev "emu_iavf0,sock=$sock,mac=$GUEST_MAC,queues=$QUEUES"
		--vdev "net_iavfbe0,emu=emu_iavf0")
	local opts=(--nb-cores=1 --rxq="$QUEUES" --txq="$QUEUES" --total-num-mbufs=16384
		--forward-mode=rxonly --eth-peer="0,$GUEST_MAC")
	log "starting $testpmd ${eal[*]} -- ${opts[*]}"
	TP_SOCKS=("$sock")
	TP_START_S=30 tp_start "$pmd" "$prefix" "${eal[@]}" -- "${opts[@]}"
}

# hcmd CMD [OUT]: a command to the host's testpmd (10 s at most); the
# command and its output in OUT.
hcmd() {
	tp_cmd "$pmd" "$1" 10 || true
	{ printf '%s\n' "$1"; cat "$work/$pmd.out"; } > "${2:-$work/h.last.out}"
}

# pmd_stop: the host's testpmd survived the guest, stops and quits cleanly.
pmd_stop() {
	! tp_alive "$pmd" || hcmd stop
	tp_end "$pmd" "the host's testpmd"
	rm -f "$sock"
}

# stream_sum FILE FIELD: FIELD (RX-packets, TX-packets) summed over the
# forwarding streams of a "stop" or "show fwd stats all" output.
stream_sum() {
	awk -v f="$2:" '
		/Forward Stats for RX Port=/ { s = 1; next }
		s && /RX-packets:/ {
			for (i = 1; i < NF; i++) if ($i == f) n += $(i + 1)
			s = 0
		}
		END { print n + 0 }' "$1"
}

# ------------------------------------------------------------ guest testpmd
gn=0
# gcmd CMD [OUT] [SECONDS]: a command to the guest's testpmd (through the
# ctl share); its output in OUT. Returns 1 if no answer came.
gcmd() {
	local out=${2:-$work/g.last.out} t=${3:-60} i
	printf '%s\n' "$1" > "$ctl/.cmd.tmp"
	mv "$ctl/.cmd.tmp" "$ctl/cmd.$gn"
	for ((i = 0; i < t * 10; i++)); do
		[ -f "$ctl/out.$gn" ] && break
		kill -0 "$qpid" 2> /dev/null || break
		sleep 0.1
	done
	if [ ! -f "$ctl/out.$gn" ]; then
		log "no answer from the guest to '$1' within $t s"
		: > "$out"
		gn=$((gn + 1))
		return 1
	fi
	tr -d '\r' < "$ctl/out.$gn" | sed -e 's/^testpmd> //' > "$out"
	gn=$((gn + 1))
}

# glink STATE SECONDS: poll the guest's "show port info 0" until its link is
# STATE (up/down); sets took to the time it took, or to nothing if it never
# was. (Not to be called in $(...): gcmd counts its commands in gn.)
took=
glink() {
	local i t0=$SECONDS
	took=
	for ((i = 0; i < $2; i++)); do
		gcmd "show port info 0" "$work/g.info.out" 30 || return 0
		if grep -q "Link status: $1" "$work/g.info.out"; then
			took="$((SECONDS - t0)) s"
			return 0
		fi
		sleep 1
	done
}
# lsc_count: sets lsc to the number of link state change events the guest's
# testpmd printed so far.
lsc=
lsc_count() {
	gcmd @log /dev/null 30 || true
	lsc=$(grep -c -F "$LSC_LINE" "$ctl/testpmd.log" 2> /dev/null || true)
}

# ------------------------------------------------------------ one run
run_one() {
	local mode=$1 before=$failed t0=$SECONDS driver modules append qargs n
	echo "=== $mode: DPDK net_iavf in the guest ($mode), testpmd with emu_iavf + net_iavfbe on the host, $QUEUES queues"
	guest_log=$work/$mode.guest.log
	: > "$guest_log"
	if ! pmd_start "$mode"; then
		check "the host's testpmd started with emu_iavf0 and net_iavfbe0" 0
		return
	fi
	ctl=$(mktemp -d "$DIR/tmp/dpdk-ctl.XXXXXX")
	gn=0
	modules="netfs 9pnet 9pnet_virtio 9p"
	append="hugepages=256 emutest.queues=$QUEUES"
	qargs=(--qemu-arg -cpu --qemu-arg max --qemu-arg -smp --qemu-arg 2
		--qemu-arg -virtfs --qemu-arg "local,path=/opt/dpdk-guest,mount_tag=dpdkroot,security_model=none,readonly=on"
		--qemu-arg -virtfs --qemu-arg "local,path=${ctl#"$DIR"},mount_tag=ctl,security_model=none")
	if [ "$mode" = uio ]; then
		driver=uio_pci_generic
		modules="$modules uio uio_pci_generic"
	else
		driver=vfio-pci
		modules="$modules irqbypass vfio vfio_iommu_type1 vfio-pci-core vfio-pci"
		append="$append intel_iommu=on"
		# The IOMMU before the device it translates for.
		qargs+=(--qemu-arg -device --qemu-arg "intel-iommu,intremap=on,caching-mode=on")
	fi
	append="$append emutest.driver=$driver"
	qargs+=(--qemu-arg -device --qemu-arg
		"{\"driver\":\"vfio-user-pci\",\"socket\":{\"type\":\"unix\",\"path\":\"${sock#"$DIR"}\"}}")
	log "booting the guest ($driver, timeout ${QEMU_TIMEOUT} s)"
	bash devtools/qemu-run.sh --quiet --proc --init "$GUEST_INIT" --modules "$modules" --mem 1536 \
		--log "$guest_log" --timeout "$QEMU_TIMEOUT" --append "$append" "${qargs[@]}" &
	qpid=$!

	# The guest's testpmd at its prompt.
	local i up=0
	for ((i = 0; i < 3000; i++)); do
		[ -f "$ctl/pmd-ready" ] && up=1 && break
		kill -0 "$qpid" 2> /dev/null || break
		sleep 0.1
	done
	log "guest testpmd ready after $((SECONDS - t0)) s"
	# The host forwards (busy-polls) from now on only: the guest boots
	# faster on a 2-core host.
	hcmd start
	grep -E '^GUEST' "$guest_log" || true
	check "the guest bound the device to $driver" \
		"$(grep -q -E "^GUEST: bind [^ ]+ $driver rc 0 driver $driver" "$guest_log" && echo 1 || echo 0)"
	check "the guest's testpmd came up ($(grep -m1 -E '^GUEST: testpmd prompt' "$guest_log" || echo 'no line'))" "$up"
	if [ "$up" = 1 ]; then
		guest_tests "$mode"
	fi

	# Quit the guest's testpmd; the guest powers off.
	if [ "$up" = 1 ]; then
		gcmd @quit /dev/null 60 || true
	fi
	local qemu_rc=0
	wait "$qpid" || qemu_rc=$?
	qpid=
	log "the guest ended after $((SECONDS - t0)) s"
	grep -E '^GUEST' "$guest_log" | tail -n 5 || true
	check "QEMU exited 0 (status $qemu_rc)" "$(is eqn "$qemu_rc" 0)"
	expect "the guest's testpmd quit with status 0" 'GUEST: testpmd exited rc 0'
	expect "no kernel warning in the guest" 'GUEST: kernel warnings 0'
	n=$(sed -n 's/^GUEST: rcu stalls \([0-9]*\)$/\1/p' "$guest_log")
	[ "${n:-0}" = 0 ] || log "note: the guest kernel reported $n RCU stall(s) (a starved vCPU under TCG; see $work/$mode.guest-dmesg.txt)"
	expect "the guest finished" 'GUEST-RESULT: done'
	# QEMU's own messages (its stderr is in the guest log).
	local bad
	bad=$(grep -c -E 'dma_unmap.*= -[0-9]+|dma_map.*= -[0-9]+' "$guest_log" || true)
	check "no failed DMA map/unmap in QEMU's output ($bad lines$([ "$bad" = 0 ] || echo ", e.g. $(grep -m1 -E 'dma_unmap.*= -[0-9]+|dma_map.*= -[0-9]+' "$guest_log")"))" "$(is eqn "$bad" 0)"
	bad=$(grep -c -E 'vfio_wait_reqs - timed out|unexpected reply|vfio_user.*(error|failed)' "$guest_log" || true)
	check "no vfio-user timeout or unexpected reply in QEMU's output ($bad lines$([ "$bad" = 0 ] || echo ", e.g. $(grep -m1 -E 'vfio_wait_reqs - timed out|unexpected reply|vfio_user.*(error|failed)' "$guest_log")"))" "$(is eqn "$bad" 0)"
	[ ! -f "$ctl/testpmd.log" ] || cp "$ctl/testpmd.log" "$work/$mode.guest-testpmd.log"
	[ ! -f "$ctl/dmesg.txt" ] || cp "$ctl/dmesg.txt" "$work/$mode.guest-dmesg.txt"
	pmd_stop
	rm -rf "$ctl"
	ctl=
	log "$mode: $((SECONDS - t0)) s"
	if [ "$failed" != "$before" ]; then
		echo "--- guest console ($guest_log), last 60 lines:"
		tail -n 60 "$guest_log"
		echo "--- guest testpmd ($work/$mode.guest-testpmd.log), last 60 lines:"
		tail -n 60 "$work/$mode.guest-testpmd.log" 2> /dev/null || true
		echo "--- host testpmd ($work/$pmd.log), last 40 lines:"
		tail -n 40 "$work/$pmd.log"
		echo "---"
	fi
}

# guest_tests MODE: the checks while both testpmds run.
guest_tests() {
	local mode=$1 n sent got dev dbytes hbytes gs
	glink up 30
	check "link up at the guest's testpmd${took:+ (after $took)}" "$([ -n "$took" ] && echo 1 || echo 0)"
	gcmd "show port info 0" "$work/$mode.g.info.out" || true
	grep -E 'MAC address|Driver name|Link (status|speed)|queues' "$work/$mode.g.info.out" | sed 's/^/guest: /' || true
	lsc_count
	n=$lsc
	check "one link state change event at the guest after its port start ($n)" "$(is eqn "$n" 1)"

	# --- guest -> host
	local want=$((QUEUES * BURSTS * 32))
	gcmd "set fwd rxonly" || true
	gcmd "set eth-peer 0 $HOST_PEER" || true
	gcmd "start tx_first $BURSTS" "$work/$mode.g.start1.out" || true
	sleep 3
	gcmd "stop" "$work/$mode.g.stop1.out" || true
	sent=$(stream_sum "$work/$mode.g.stop1.out" TX-packets)
	gs=$work/$mode.g.stats1.out
	gcmd "show port stats 0" "$gs" || true
	# The host's counters once they reach what was sent (or stop moving
	# after 10 s).
	local prev=x cur
	for ((i = 0; i < 40; i++)); do
		hcmd "show port stats 0" "$work/$mode.h.stats1.out"
		cur=$(tp_val "$work/$mode.h.stats1.out" RX-packets)
		[ "$cur" = "$sent" ] && break
		[ "$i" -ge 20 ] && [ "$cur" = "$prev" ] && break
		prev=$cur
		sleep 0.5
	done
	got=$(tp_val "$work/$mode.h.stats1.out" RX-packets)
	hbytes=$(tp_val "$work/$mode.h.stats1.out" RX-bytes)
	dev=$(tp_val "$gs" TX-packets)
	dbytes=$(tp_val "$gs" TX-bytes)
	echo "guest -> host: guest streams TX-packets $sent (of $want asked), host RX-packets $got RX-bytes $hbytes; guest port stats TX-packets $dev TX-bytes $dbytes"
	check "guest -> host: the guest's testpmd sent $want packets ($sent)" "$(is eqn "$sent" "$want")"
	check "guest -> host: the host received exactly what the guest sent (guest $sent, host RX-packets $got)" "$(is eqn "$got" "$sent")"
	check "guest -> host: the guest's port stats TX-packets $dev = host RX-packets $got" "$(is eqn "$dev" "$got")"
	check "guest -> host: the guest's port stats TX-bytes $dbytes = host RX-bytes $hbytes" "$(is eqn "$dbytes" "$hbytes")"

	# --- host -> guest
	gcmd "start" || true
	hcmd "stop"
	hcmd "start tx_first $BURSTS" "$work/$mode.h.start2.out"
	sleep 3
	hcmd "stop" "$work/$mode.h.stop2.out"
	sent=$(stream_sum "$work/$mode.h.stop2.out" TX-packets)
	hcmd "show port stats 0" "$work/$mode.h.stats2.out"
	local htx hrxerr
	htx=$(tp_val "$work/$mode.h.stats2.out" TX-packets)
	hbytes=$(tp_val "$work/$mode.h.stats2.out" TX-bytes)
	hrxerr=$(tp_val "$work/$mode.h.stats2.out" TX-errors)
	# The guest's streams once they reach what was sent.
	g_rx_wait "$sent" "$work/$mode.g.fwd2.out"
	gcmd "stop" "$work/$mode.g.stop2.out" || true
	got=$(stream_sum "$work/$mode.g.stop2.out" RX-packets)
	gs=$work/$mode.g.stats2.out
	gcmd "show port stats 0" "$gs" || true
	dev=$(tp_val "$gs" RX-packets)
	dbytes=$(tp_val "$gs" RX-bytes)
	local missed rxerr
	missed=$(tp_val "$gs" RX-missed)
	rxerr=$(tp_val "$gs" RX-errors)
	echo "host -> guest: host streams TX-packets $sent (of $want asked), host port TX-packets $htx TX-bytes $hbytes TX-errors $hrxerr; guest streams RX-packets $got; guest port stats RX-packets $dev RX-bytes $dbytes RX-missed $missed RX-errors $rxerr"
	check "host -> guest: the host's testpmd sent $want packets ($sent; port TX-packets $htx)" \
		"$([ "$(is eqn "$sent" "$want")" = 1 ] && [ "$(is eqn "$htx" "$sent")" = 1 ] && echo 1 || echo 0)"
	check "host -> guest: the guest received exactly what the host sent (host $sent, guest streams RX-packets $got)" "$(is eqn "$got" "$sent")"
	check "host -> guest: the guest's port stats RX-packets $dev = host TX-packets $htx" "$(is eqn "$dev" "$htx")"
	check "host -> guest: the guest's port stats RX-bytes $dbytes = host TX-bytes $hbytes" "$(is eqn "$dbytes" "$hbytes")"
	check "host -> guest: the guest's port stats RX-missed ${missed:-?} and RX-errors ${rxerr:-?} are 0" \
		"$([ "$(is eqn "$missed" 0)" = 1 ] && [ "$(is eqn "$rxerr" 0)" = 1 ] && echo 1 || echo 0)"
	grep -E 'packets|bytes|errors|missed|dropped' "$gs" | sed 's/^/guest port stats: /' || true
	hcmd "show port xstats 0" "$work/$mode.h.xstats.out"
	grep -E ': [1-9]' "$work/$mode.h.xstats.out" | grep -v -E '^NIC|^#' | sed 's/^/host xstats: /' || true

	# --- link events: the host's port stop and start are two changes.
	hcmd "port stop 0"
	glink down 30
	check "link down at the guest after the host's port stop${took:+ (after $took)}" "$([ -n "$took" ] && echo 1 || echo 0)"
	hcmd "port start 0"
	glink up 30
	check "link up again at the guest after the host's port start${took:+ (after $took)}" "$([ -n "$took" ] && echo 1 || echo 0)"
	sleep 2
	lsc_count
	n=$lsc
	check "one link state change event at the guest per change: 3 changes (port start, host down, host up), $n events" "$(is eqn "$n" 3)"
	[ "$OFFLOADS" != 1 ] || [ "$mode" != uio ] || offload_tests "$mode"
}

# hxsum FILE NAME: NAME summed over the queues in "show port xstats 0"
# (tx_qN_NAME).
hxsum() {
	awk -v n="$2" '
		{ k = $1; sub(/:$/, "", k) }
		k ~ ("^tx_q[0-9]+_" n "$") { s += $2 }
		END { print s + 0 }' "$1"
}
# g_rx_wait WANT OUT: poll the guest's "show fwd stats all" (into OUT) until
# its streams received WANT packets (at most about 20 s).
g_rx_wait() {
	local i cur
	for ((i = 0; i < 20; i++)); do
		gcmd "show fwd stats all" "$2" || return 0
		cur=$(stream_sum "$2" RX-packets)
		[ "$(numz "$cur")" -ge "$(numz "$1")" ] && return 0
		sleep 1
	done
}
# hburst NAME: the host's testpmd sends one tx_first burst per queue
# (BURST packets each) and stops; its stop output in NAME.
hburst() {
	hcmd "start tx_first 1" "$work/$1.start.out"
	sleep 2
	hcmd "stop" "$work/$1.stop.out"
}

# offload_tests MODE: what the guest's net_iavf asks of the device, shown
# working: its promiscuous mode off (a frame to another MAC is filtered),
# VLAN stripping (the tag in the descriptor), RSS (a hash in the
# descriptor), its MTU (a longer frame dropped, counted); then its
# multicast filters, VLAN insertion and VLAN filter (the functions below).
offload_tests() {
	local mode=$1 x0 x1 got b=8 n want m0 m1 s0 s1
	local per=$((QUEUES * b))
	echo "--- offloads (guest: net_iavf; host: net_iavfbe xstats)"
	gcmd "set promisc 0 off" "$work/$mode.g.promisc.out" || true
	gcmd "start" || true
	hcmd "set burst $b"
	hcmd "show port xstats 0" "$work/$mode.h.x0.out"
	hcmd "set eth-peer 0 02:00:00:00:00:99"
	hburst "$mode.h.foreign"
	hcmd "set eth-peer 0 $GUEST_MAC"
	hburst "$mode.h.own"
	g_rx_wait "$per" "$work/$mode.g.promisc-fwd.out"
	sleep 1
	hcmd "show port xstats 0" "$work/$mode.h.x1.out"
	gcmd "show fwd stats all" "$work/$mode.g.promisc-fwd.out" || true
	got=$(stream_sum "$work/$mode.g.promisc-fwd.out" RX-packets)
	x0=$(hxsum "$work/$mode.h.x0.out" dropped_filtered)
	x1=$(hxsum "$work/$mode.h.x1.out" dropped_filtered)
	check "promiscuous off at the guest: of $per frames to 02:00:00:00:00:99 and $per to its MAC, it received $got; the host's net_iavfbe filtered $((x1 - x0))" \
		"$([ "$(is eqn "$got" "$per")" = 1 ] && [ "$(is eqn "$((x1 - x0))" "$per")" = 1 ] && echo 1 || echo 0)"
	gcmd "set promisc 0 on" || true

	# VLAN stripping and the RSS hash, in testpmd's verbose lines.
	gcmd "stop" || true
	gcmd "vlan set strip on 0" "$work/$mode.g.strip.out" || true
	gcmd "port config all rss all" "$work/$mode.g.rss.out" || true
	gcmd "set verbose 1" || true
	gcmd "@log" /dev/null || true
	n=$(wc -l < "$ctl/testpmd.log")
	gcmd "start" || true
	hcmd "port stop 0"
	hcmd "tx_vlan set 0 100" "$work/$mode.h.txvlan.out"
	hcmd "port start 0"
	glink up 30
	hcmd "show port xstats 0" "$work/$mode.h.x2.out"
	hburst "$mode.h.vlan"
	g_rx_wait "$per" "$work/$mode.g.vlan-fwd.out"
	hcmd "show port xstats 0" "$work/$mode.h.x3.out"
	gcmd "stop" || true
	gcmd "set verbose 0" || true
	gcmd "@log" /dev/null || true
	tail -n +$((n + 1)) "$ctl/testpmd.log" > "$work/$mode.g.verbose.out"
	got=$(grep -c -E 'VLAN tci=0x64\b' "$work/$mode.g.verbose.out" || true)
	x0=$(hxsum "$work/$mode.h.x2.out" vlan_stripped)
	x1=$(hxsum "$work/$mode.h.x3.out" vlan_stripped)
	grep -m2 -E 'VLAN tci=|RSS hash=|ol_flags' "$work/$mode.g.verbose.out" | sed 's/^/guest verbose: /' || true
	check "VLAN stripping at the guest (vlan set strip on 0): $got of $per frames tagged 100 by the host show 'VLAN tci=0x64'; the host's net_iavfbe stripped $((x1 - x0))" \
		"$([ "$(is eqn "$got" "$per")" = 1 ] && [ "$(is eqn "$((x1 - x0))" "$per")" = 1 ] && echo 1 || echo 0)"
	got=$(grep -c -E 'RSS hash=0x[0-9a-f]*[1-9a-f]' "$work/$mode.g.verbose.out" || true)
	x0=$(hxsum "$work/$mode.h.x2.out" rss_hashed)
	x1=$(hxsum "$work/$mode.h.x3.out" rss_hashed)
	check "RSS at the guest (port config all rss all): $got of $per frames carry an RSS hash; the host's net_iavfbe hashed $((x1 - x0))" \
		"$([ "$(is eqn "$got" "$per")" = 1 ] && [ "$(is eqn "$((x1 - x0))" "$per")" = 1 ] && echo 1 || echo 0)"

	# The guest's MTU: longer frames are dropped and counted.
	hcmd "port stop 0"
	hcmd "tx_vlan reset 0"
	hcmd "port start 0"
	gcmd "port stop 0" || true
	gcmd "port config mtu 0 1000" "$work/$mode.g.mtu.out" || true
	gcmd "port start 0" "$work/$mode.g.mtu-start.out" 60 || true
	glink up 30
	gcmd "show port stats 0" "$work/$mode.g.mtu-s0.out" || true
	gcmd "start" || true
	hcmd "show port xstats 0" "$work/$mode.h.x4.out"
	hcmd "set txpkts 1200"
	hburst "$mode.h.big"
	hcmd "set txpkts 64"
	hburst "$mode.h.small"
	g_rx_wait "$per" "$work/$mode.g.mtu-fwd.out"
	sleep 1
	hcmd "show port xstats 0" "$work/$mode.h.x5.out"
	gcmd "stop" "$work/$mode.g.mtu-stop.out" || true
	gcmd "show port stats 0" "$work/$mode.g.mtu-s1.out" || true
	got=$(stream_sum "$work/$mode.g.mtu-stop.out" RX-packets)
	x0=$(hxsum "$work/$mode.h.x4.out" dropped_too_big)
	x1=$(hxsum "$work/$mode.h.x5.out" dropped_too_big)
	m0=$(tp_val "$work/$mode.g.mtu-s0.out" RX-missed)
	m1=$(tp_val "$work/$mode.g.mtu-s1.out" RX-missed)
	s0=$(tp_val "$work/$mode.g.mtu-s0.out" RX-packets)
	s1=$(tp_val "$work/$mode.g.mtu-s1.out" RX-packets)
	want=$per
	check "the guest's MTU (port config mtu 0 1000): of $per frames of 1200 bytes and $per of 64 it received $got; the host's net_iavfbe dropped $((x1 - x0)) as too big; the guest's RX-missed +$(($(numz "$m1") - $(numz "$m0"))), RX-packets +$(($(numz "$s1") - $(numz "$s0")))" \
		"$([ "$(is eqn "$got" "$want")" = 1 ] && [ "$(is eqn "$((x1 - x0))" "$per")" = 1 ] &&
			[ "$(is eqn "$(($(numz "$m1") - $(numz "$m0")))" "$per")" = 1 ] &&
			[ "$(is eqn "$(($(numz "$s1") - $(numz "$s0")))" "$per")" = 1 ] && echo 1 || echo 0)"

	mcast_tests "$mode"
	vlan_insert_test "$mode"
	vlan_filter_test "$mode"
}

# hxget FILE NAME: the xstat NAME of "show port xstats 0" (0 if absent).
hxget() {
	awk -v n="$2" '{ k = $1; sub(/:$/, "", k) } k == n { s = $2 } END { print s + 0 }' "$1"
}
# hsend NAME: the host's testpmd sends one tx_first burst per queue and
# stops; its stop output in NAME.stop.out. (testpmd's `start tx_first`
# gives its prompt back once the burst is sent: net_iavfbe has written or
# filtered every frame by then.)
hsend() {
	hcmd "start tx_first 1" "$work/$1.start.out"
	hcmd "stop" "$work/$1.stop.out"
}
# htxvlan VLAN: the host's port stopped, `tx_vlan set 0 VLAN` (or `tx_vlan
# reset 0` for VLAN "reset"), started again; the link up at the guest.
htxvlan() {
	hcmd "port stop 0"
	if [ "$1" = reset ]; then
		hcmd "tx_vlan reset 0"
	else
		hcmd "tx_vlan set 0 $1" "$work/h.txvlan-$1.out"
	fi
	hcmd "port start 0"
	glink up 30
}

# mcast_tests MODE: the guest's multicast filters (promiscuous off):
# frames to a group it did not add are filtered; all-multicast on lets
# them through; so does the group in its list (mcast_addr add).
mcast_tests() {
	local mode=$1 x0 x1 x2 got s1 s2 f1 f2 m2 b=8
	local per=$((QUEUES * b)) grp=01:00:5e:00:00:42 grp2=01:00:5e:00:00:43
	gcmd "set promisc 0 off" "$work/$mode.g.mc-promisc.out" || true
	gcmd "set allmulti 0 off" "$work/$mode.g.mc-allmulti-off.out" || true
	gcmd "start" || true
	hcmd "show port xstats 0" "$work/$mode.h.mx0.out"
	hcmd "set eth-peer 0 $grp"
	hsend "$mode.h.mc-off"
	hcmd "show port xstats 0" "$work/$mode.h.mx1.out"
	gcmd "set allmulti 0 on" "$work/$mode.g.mc-allmulti-on.out" || true
	hsend "$mode.h.mc-on"
	g_rx_wait "$per" "$work/$mode.g.mc-fwd.out"
	sleep 1
	hcmd "show port xstats 0" "$work/$mode.h.mx2.out"
	gcmd "stop" "$work/$mode.g.mc-stop.out" || true
	got=$(stream_sum "$work/$mode.g.mc-stop.out" RX-packets)
	s1=$(stream_sum "$work/$mode.h.mc-off.stop.out" TX-packets)
	s2=$(stream_sum "$work/$mode.h.mc-on.stop.out" TX-packets)
	x0=$(hxget "$work/$mode.h.mx0.out" tx_dropped_filtered)
	x1=$(hxget "$work/$mode.h.mx1.out" tx_dropped_filtered)
	x2=$(hxget "$work/$mode.h.mx2.out" tx_dropped_filtered)
	f1=$((x1 - x0))
	f2=$((x2 - x1))
	m2=$(($(hxget "$work/$mode.h.mx2.out" tx_multicast_packets) - $(hxget "$work/$mode.h.mx1.out" tx_multicast_packets)))
	check "multicast, promiscuous and all-multicast off at the guest: the host sent $s1 frames to $grp (a group the guest did not add), its net_iavfbe filtered $f1" \
		"$([ "$(is eqn "$s1" "$per")" = 1 ] && [ "$(is eqn "$f1" "$per")" = 1 ] && echo 1 || echo 0)"
	check "all-multicast on at the guest (set allmulti 0 on): the host sent $s2 more frames to $grp, the guest received $got in all; net_iavfbe wrote $m2 multicast frames, filtered $f2" \
		"$([ "$(is eqn "$s2" "$per")" = 1 ] && [ "$(is eqn "$got" "$per")" = 1 ] &&
			[ "$(is eqn "$m2" "$per")" = 1 ] && [ "$(is eqn "$f2" 0)" = 1 ] && echo 1 || echo 0)"

	# The guest's multicast list, all-multicast off again.
	gcmd "set allmulti 0 off" "$work/$mode.g.mc-allmulti-off2.out" || true
	gcmd "mcast_addr add 0 $grp" "$work/$mode.g.mc-add.out" || true
	gcmd "start" || true
	hcmd "show port xstats 0" "$work/$mode.h.mx3.out"
	hcmd "set eth-peer 0 $grp2"
	hsend "$mode.h.mc-grp2"
	hcmd "set eth-peer 0 $grp"
	hsend "$mode.h.mc-grp"
	hcmd "set eth-peer 0 $GUEST_MAC"
	g_rx_wait "$per" "$work/$mode.g.mc-list-fwd.out"
	sleep 1
	hcmd "show port xstats 0" "$work/$mode.h.mx4.out"
	gcmd "stop" "$work/$mode.g.mc-list-stop.out" || true
	got=$(stream_sum "$work/$mode.g.mc-list-stop.out" RX-packets)
	s1=$(stream_sum "$work/$mode.h.mc-grp2.stop.out" TX-packets)
	s2=$(stream_sum "$work/$mode.h.mc-grp.stop.out" TX-packets)
	f1=$(($(hxget "$work/$mode.h.mx4.out" tx_dropped_filtered) - $(hxget "$work/$mode.h.mx3.out" tx_dropped_filtered)))
	check "the guest's multicast list (mcast_addr add 0 $grp, all-multicast off): of $s1 frames to $grp2 and $s2 to $grp it received $got; the host's net_iavfbe filtered $f1" \
		"$([ "$(is eqn "$s1" "$per")" = 1 ] && [ "$(is eqn "$s2" "$per")" = 1 ] &&
			[ "$(is eqn "$got" "$per")" = 1 ] && [ "$(is eqn "$f1" "$per")" = 1 ] && echo 1 || echo 0)"
}

# vlan_insert_test MODE: the guest's VLAN insertion (tx_vlan set 0 100:
# IL2TAG1 in its transmit descriptors): the host receives its frames
# tagged, and sends them back (macswap) to the guest, whose stripping
# (still on) shows the tag it inserted.
vlan_insert_test() {
	local mode=$1 x0 x1 sent hrx htx tagged got n off b=8
	local per=$((QUEUES * b))
	gcmd "port stop 0" || true
	gcmd "tx_vlan set 0 100" "$work/$mode.g.txvlan.out" || true
	gcmd "port start 0" "$work/$mode.g.txvlan-start.out" 60 || true
	glink up 30
	gcmd "set burst $b" || true
	gcmd "set verbose 1" || true
	gcmd "@log" /dev/null || true
	n=$(wc -l < "$ctl/testpmd.log")
	hcmd "set fwd macswap"
	hcmd "set verbose 1"
	hcmd "show port xstats 0" "$work/$mode.h.ix0.out"
	hcmd "start"
	off=$(stat -c %s "$work/$pmd.log")
	gcmd "start tx_first 1" "$work/$mode.g.txvlan-tx.out" || true
	g_rx_wait "$per" "$work/$mode.g.txvlan-fwd.out"
	hcmd "stop" "$work/$mode.h.txvlan-stop.out"
	tail -c +$((off + 1)) "$work/$pmd.log" > "$work/$mode.h.verbose.out"
	hcmd "set verbose 0"
	hcmd "set fwd rxonly"
	hcmd "show port xstats 0" "$work/$mode.h.ix1.out"
	gcmd "stop" "$work/$mode.g.txvlan-stop.out" || true
	gcmd "set verbose 0" || true
	gcmd "@log" /dev/null || true
	tail -n +$((n + 1)) "$ctl/testpmd.log" > "$work/$mode.g.txvlan-verbose.out"
	sent=$(stream_sum "$work/$mode.g.txvlan-stop.out" TX-packets)
	got=$(grep -c -E 'VLAN tci=0x64\b' "$work/$mode.g.txvlan-verbose.out" || true)
	hrx=$(stream_sum "$work/$mode.h.txvlan-stop.out" RX-packets)
	htx=$(stream_sum "$work/$mode.h.txvlan-stop.out" TX-packets)
	tagged=$(grep -c -E 'type=0x8100 .*L2_ETHER_VLAN.*l2_len=18.*Receive queue' "$work/$mode.h.verbose.out" || true)
	x0=$(hxget "$work/$mode.h.ix0.out" rx_vlan_inserted)
	x1=$(hxget "$work/$mode.h.ix1.out" rx_vlan_inserted)
	grep -m1 -E 'type=0x8100' "$work/$mode.h.verbose.out" | sed 's/^/host verbose: /' || true
	check "VLAN insertion by the guest (tx_vlan set 0 100): it sent $sent frames; the host received $hrx, $tagged of them tagged (type=0x8100, L2_ETHER_VLAN); the host's net_iavfbe inserted $((x1 - x0))" \
		"$([ "$(is eqn "$sent" "$per")" = 1 ] && [ "$(is eqn "$hrx" "$per")" = 1 ] &&
			[ "$(is eqn "$tagged" "$per")" = 1 ] && [ "$(is eqn "$((x1 - x0))" "$per")" = 1 ] && echo 1 || echo 0)"
	check "the guest's tag is VLAN 100: the host sent back (macswap) $htx of the frames, the guest's stripping shows 'VLAN tci=0x64' on $got" \
		"$([ "$(is eqn "$htx" "$per")" = 1 ] && [ "$(is eqn "$got" "$per")" = 1 ] && echo 1 || echo 0)"
}

# vlan_filter_test MODE: the guest's VLAN filter (promiscuous off): of
# frames tagged 200 and 100, only those of the VLAN it added arrive.
vlan_filter_test() {
	local mode=$1 x0 x1 x2 x3 got s1 s2 f b=8
	local per=$((QUEUES * b))
	gcmd "vlan set filter on 0" "$work/$mode.g.vfilter.out" || true
	gcmd "rx_vlan add 100 0" "$work/$mode.g.vadd.out" || true
	gcmd "start" || true
	htxvlan 200
	hcmd "show port xstats 0" "$work/$mode.h.fx0.out"
	hsend "$mode.h.vlan200"
	hcmd "show port xstats 0" "$work/$mode.h.fx1.out"
	htxvlan 100
	hcmd "show port xstats 0" "$work/$mode.h.fx2.out"
	hsend "$mode.h.vlan100"
	g_rx_wait "$per" "$work/$mode.g.vfilter-fwd.out"
	sleep 1
	hcmd "show port xstats 0" "$work/$mode.h.fx3.out"
	gcmd "stop" "$work/$mode.g.vfilter-stop.out" || true
	got=$(stream_sum "$work/$mode.g.vfilter-stop.out" RX-packets)
	s1=$(stream_sum "$work/$mode.h.vlan200.stop.out" TX-packets)
	s2=$(stream_sum "$work/$mode.h.vlan100.stop.out" TX-packets)
	x0=$(hxget "$work/$mode.h.fx0.out" tx_dropped_filtered)
	x1=$(hxget "$work/$mode.h.fx1.out" tx_dropped_filtered)
	x2=$(hxget "$work/$mode.h.fx2.out" tx_dropped_filtered)
	x3=$(hxget "$work/$mode.h.fx3.out" tx_dropped_filtered)
	f=$((x1 - x0 + x3 - x2))
	check "VLAN filtering at the guest (vlan set filter on 0, rx_vlan add 100 0, promiscuous off): of $s1 frames tagged 200 and $s2 tagged 100 it received $got; the host's net_iavfbe filtered $f (VLAN 200: $((x1 - x0)))" \
		"$([ "$(is eqn "$s1" "$per")" = 1 ] && [ "$(is eqn "$s2" "$per")" = 1 ] && [ "$(is eqn "$got" "$per")" = 1 ] &&
			[ "$(is eqn "$((x1 - x0))" "$per")" = 1 ] && [ "$(is eqn "$((x3 - x2))" 0)" = 1 ] && echo 1 || echo 0)"
}

start=$SECONDS
for r in "${runs[@]}"; do
	run_one "$r"
done
log "all: $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] || exit 1
exit 0
