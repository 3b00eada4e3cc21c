#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# End to end between two testpmd processes on one machine, one core each:
# the server has the AVF device model and its backend port
#   --vdev emu_iavf0,sock=S,queues=N,trust_client_memory=1 --vdev net_iavfbe0,emu=emu_iavf0
# and the client the AVF driver that reaches that device over vfio-user
#   --vdev net_iavf_client0,path=S,queues=N
# Both run interactive, their commands written into FIFOs, and every figure
# checked comes from testpmd's own reports (`show port stats`, `show port
# xstats`, `show port info`, the forwarding statistics of `stop`).
#
# Checked, in both directions (client -> server and server -> client):
#  - txonly on one side, rxonly on the other, 64-byte and 1500-byte packets:
#    after the sender stops and the receiver has drained, the receiver
#    counted exactly the packets and bytes the sender's port sent (bytes =
#    packets x size), nobody counted an error or an mbuf shortage, and the
#    receiver's RX-missed is 0 or exactly the packets the sender's port
#    refused for want of receive descriptors (testpmd's TX-dropped: like a
#    NIC, the AVF counts those in rx_discards);
#  - multi-segment mbufs: both sides with 1 KiB mbufs (--mbuf-size=1152,
#    --enable-scatter, MULTI_SEGS transmit offload), the sender sending
#    1500-byte packets in two segments (set txpkts 1000,500), the receiver
#    receiving them as chains; same checks;
#  - io forwarding: one side io with `start tx_first` (a fixed population of
#    packets), the other io: the packets go back and forth; checked: the
#    echoing side received exactly what the initiator sent and sent back all
#    of it, the initiator got back all but at most the population still in
#    flight, and the loop turned many times;
#  - the client's multi-segment transmit again with MBUF_FAST_FREE (which
#    the other runs have, testpmd's default, except section 2 and the
#    four-queue runs);
#  - multi-queue (queues=4, --rxq=4 --txq=4): the same one-way runs, with the
#    per-queue counters (xstats rx_qN_packets / tx_qN_packets) non-zero on
#    all 4 queues and equal queue by queue on both sides;
#  - restart: the client killed with SIGKILL in the middle of traffic; the
#    server keeps running, still answers, its port reports link down; a new
#    client connects, both links come up, and traffic flows again in both
#    directions with exact counts; finally both testpmds quit with status 0.
#
# PAIR=memif runs the same checks with net_memif server/client instead
# (a check of this script's plumbing against a known pair). Debian 12's
# net_memif server sometimes dies of SIGSEGV in its receive burst when the
# client is killed during traffic: the restart checks then fail.
#
# usage: BUILD=builddir devtools/test-two-process.sh     (as root)
# Environment:
#   BUILD        build directory (default: build)
#   PAIR         iavf (default) or memif
#   TESTPMD      testpmd binary (default: dpdk-testpmd, Debian's dpdk-dev)
#   DURATION     seconds of traffic per run (default: 2)
#   MEM          MiB of hugepage memory per testpmd (default: 256); three
#                testpmds' worth must be free (the restart has two clients)
#   MIN_PKTS     least packets a run must carry to count (default: 10000)
#   EMU_LOG_LEVEL  log level of the project's log types (default: info)
#   KEEP_LOGS=1  keep the logs directory
# Output: PASS/FAIL lines, then "N passed, M failed"; on failure the last
# lines of every testpmd's log.
# Exit status: 0 all checks passed, 77 skipped (a prerequisite is missing:
# the reason is printed), anything else failed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
# shellcheck source=devtools/lib-testpmd.sh
. devtools/lib-testpmd.sh
BUILD=${BUILD:-build}
PAIR=${PAIR:-iavf}
TESTPMD=${TESTPMD:-dpdk-testpmd}
DURATION=${DURATION:-2}
MEM=${MEM:-256}
MIN_PKTS=${MIN_PKTS:-10000}
EMU_LOG_LEVEL=${EMU_LOG_LEVEL:-info}
DRAIN=0.5

case $PAIR in
iavf | memif) ;;
*) die "PAIR must be iavf or memif, not '$PAIR'" ;;
esac
need_root "hugepages, /var/run/dpdk"
need_testpmd
# Three testpmds at once at most (the restart has two clients).
need_hugepages $((3 * MEM))

# Two CPUs, one per testpmd (main lcore and forwarding lcore on the same CPU).
mapfile -t cpus < <(allowed_cpus)
[ ${#cpus[@]} -ge 1 ] || die "cannot read the allowed CPUs"
cpu_s=${cpus[0]}
cpu_c=${cpus[1]:-${cpus[0]}}
[ ${#cpus[@]} -ge 2 ] || log "one CPU only: both testpmds share CPU $cpu_s (slow, still checked)"

plugins=
[ "$PAIR" != iavf ] || need_plugins "$BUILD" "$EMU_SO" "$BE_SO" "$CLIENT_SO"

work_init emu-2p
TP_WORK=$work
TP_LIBPATH=$plugins

# pmd_start ID CPU ARGS...: testpmd ID on CPU (main and forwarding lcore)
# with ARGS (EAL arguments, --, testpmd arguments).
pmd_start() {
	local id=$1 cpu=$2
	shift 2
	local eal=(--lcores "0@$cpu,1@$cpu" -m "$MEM" --single-file-segments --no-pci
		--log-level=lib.eal:notice)
	if [ -n "$plugins" ]; then
		eal+=(--log-level="*emu*:$EMU_LOG_LEVEL" --log-level="*vfio_user*:$EMU_LOG_LEVEL"
			--log-level="*iavf*:$EMU_LOG_LEVEL")
	fi
	tp_start "$id" "emu2p-$$-$id" "${eal[@]}" "$@"
}

# ------------------------------------------------------------ checks
passed=0
failed=0

# quiesce ID...: receive and drop whatever waits in the receive rings, stop,
# clear the port's statistics: the next run starts from zero with empty rings.
quiesce() {
	local id
	for id in "$@"; do
		tp_cmd "$id" "stop" > /dev/null || true
		tp_cmd "$id" "set fwd rxonly" > /dev/null || true
		tp_cmd "$id" "start" > /dev/null || true
	done
	sleep 0.2
	for id in "$@"; do
		tp_cmd "$id" "stop" > /dev/null || true
		tp_cmd "$id" "clear port stats all" > /dev/null || true
		tp_cmd "$id" "clear port xstats all" > /dev/null || true
	done
}

# oneway NAME TX RX TXPKTS SIZE NQ: TX sends (txonly, segments TXPKTS, SIZE
# bytes a packet) for DURATION seconds, RX receives (rxonly); check counts.
oneway() {
	local name=$1 tx=$2 rx=$3 txpkts=$4 size=$5 nq=$6 q ok drop
	quiesce "$tx" "$rx"
	tp_cmd "$rx" "set fwd rxonly" > /dev/null
	tp_cmd "$rx" "start" > /dev/null
	tp_cmd "$tx" "set fwd txonly" > /dev/null
	tp_cmd "$tx" "set txpkts $txpkts" > /dev/null
	if [ -s "$work/$tx.out" ]; then
		log "$name: set txpkts $txpkts said: $(tr '\n' ' ' < "$work/$tx.out")"
	fi
	tp_cmd "$tx" "start" > /dev/null
	sleep "$DURATION"
	tp_cmd "$tx" "stop" > /dev/null
	cp "$work/$tx.out" "$work/$tx.stop"
	drop=$(tp_fwd_val "$work/$tx.stop" TX-dropped)
	sleep "$DRAIN"
	tp_cmd "$rx" "stop" > /dev/null
	tp_stats "$tx" s
	tp_stats "$rx" r
	# shellcheck disable=SC2154 # set by stats
	{
		log "$name: sender $tx: TX-packets $s_tx TX-bytes $s_txb TX-errors $s_txerr (refused by a full ring and dropped by testpmd: ${drop:-?})"
		log "$name: receiver $rx: RX-packets $r_rx RX-bytes $r_rxb RX-missed $r_miss RX-errors $r_rxerr RX-nombuf $r_nombuf"
		ok=0
		num "$s_tx" && [ "$s_tx" -ge "$MIN_PKTS" ] && ok=1
		check "$name: traffic flowed ($s_tx packets sent in $DURATION s, at least $MIN_PKTS)" "$ok"
		check "$name: received exactly what was sent ($r_rx of $s_tx)" "$(is eqn "$r_rx" "$s_tx")"
		ok=0
		num "$s_tx" && [ "$r_rxb" = "$s_txb" ] && [ "$s_txb" = $((s_tx * size)) ] && ok=1
		check "$name: bytes: received $r_rxb = sent $s_txb = $s_tx x $size" "$ok"
		check "$name: no error or mbuf shortage counted (rx errors $r_rxerr, nombuf $r_nombuf, tx errors $s_txerr)" \
			"$(is [ "$r_rxerr$r_nombuf$s_txerr" = 000 ])"
		# Like a NIC, a device may count as missed the packets it had no
		# receive descriptor for: those the sender's port refused.
		ok=0
		[ "$r_miss" = 0 ] && ok=1
		eqn "$r_miss" "$drop" && ok=1
		check "$name: RX-missed ($r_miss) is 0 or the packets the sender's port refused (${drop:-?})" "$ok"
	}
	if [ "$nq" -gt 1 ]; then
		tp_cmd "$tx" "show port xstats 0" > /dev/null || true
		cp "$work/$tx.out" "$work/$tx.xstats"
		tp_cmd "$rx" "show port xstats 0" > /dev/null || true
		cp "$work/$rx.out" "$work/$rx.xstats"
		local per="" all_nz=1 all_eq=1 t r
		for ((q = 0; q < nq; q++)); do
			t=$(tp_val "$work/$tx.xstats" "tx_q${q}_packets")
			r=$(tp_val "$work/$rx.xstats" "rx_q${q}_packets")
			per+=" q$q: $t/$r"
			{ num "$t" && [ "$t" -gt 0 ]; } || all_nz=0
			[ -n "$t" ] && [ "$t" = "$r" ] || all_eq=0
		done
		check "$name: all $nq queues carried packets (tx_qN_packets/rx_qN_packets:$per)" "$all_nz"
		check "$name: per-queue counts equal on both sides" "$all_eq"
	fi
}

# chains NAME TX RX: TX sends one burst of 32 packets of 1000+500 bytes
# (io with start tx_first 1, nothing comes back), RX receives them with
# verbose on: each must arrive as a chain of 2 mbufs of 1500 bytes.
chains() {
	local name=$1 tx=$2 rx=$3 off n2 nall
	quiesce "$tx" "$rx"
	tp_cmd "$rx" "set fwd rxonly" > /dev/null
	tp_cmd "$rx" "set verbose 1" > /dev/null
	off=$(stat -c %s "$work/$rx.log")
	tp_cmd "$rx" "start" > /dev/null
	tp_cmd "$tx" "set fwd io" > /dev/null
	tp_cmd "$tx" "set txpkts 1000,500" > /dev/null
	tp_cmd "$tx" "start tx_first 1" > /dev/null
	sleep 0.5
	tp_cmd "$tx" "stop" > /dev/null
	sleep "$DRAIN"
	tp_cmd "$rx" "stop" > /dev/null
	tp_cmd "$rx" "set verbose 0" > /dev/null
	tail -c +"$((off + 1))" "$work/$rx.log" > "$work/$rx.verbose"
	nall=$(grep -c ' length=' "$work/$rx.verbose")
	n2=$(grep -c ' length=1500 - nb_segs=2 ' "$work/$rx.verbose")
	tp_stats "$tx" s
	tp_stats "$rx" r
	# shellcheck disable=SC2154 # set by stats
	{
		log "$name: sent $s_tx, received $r_rx; receiver's packet dumps: $nall, of 1500 bytes in 2 mbufs: $n2"
		check "$name: 32 packets sent, 32 received ($s_tx, $r_rx)" \
			"$(is [ "$s_tx/$r_rx" = 32/32 ])"
		check "$name: each received as 2 chained mbufs of 1500 bytes in all ($n2 of $nall)" \
			"$(is [ "$n2/$nall" = 32/32 ])"
	}
}

# loop NAME INIT ECHO NBURST: ECHO forwards in io mode, INIT in io mode
# after sending NBURST bursts of 32 64-byte packets (start tx_first): the
# packets go back and forth for DURATION seconds; INIT stops first.
loop() {
	local name=$1 ini=$2 ech=$3 nb=$4 pop e_drop i_drop ok
	pop=$((nb * 32))
	quiesce "$ini" "$ech"
	tp_cmd "$ech" "set fwd io" > /dev/null
	tp_cmd "$ech" "start" > /dev/null
	tp_cmd "$ini" "set fwd io" > /dev/null
	tp_cmd "$ini" "set txpkts 64" > /dev/null
	tp_cmd "$ini" "start tx_first $nb" > /dev/null
	sleep "$DURATION"
	tp_cmd "$ini" "stop" > /dev/null
	i_drop=$(tp_fwd_val "$work/$ini.out" TX-dropped)
	sleep "$DRAIN"
	tp_cmd "$ech" "stop" > /dev/null
	e_drop=$(tp_fwd_val "$work/$ech.out" TX-dropped)
	tp_stats "$ini" i
	tp_stats "$ech" e
	# shellcheck disable=SC2154 # set by stats
	{
		log "$name: initiator $ini: TX $i_tx RX $i_rx (tx dropped by testpmd ${i_drop:-?}); echo $ech: RX $e_rx TX $e_tx (tx dropped by testpmd ${e_drop:-?}); population $pop"
		check "$name: the echo side received exactly what the initiator sent ($e_rx of $i_tx)" \
			"$(is eqn "$e_rx" "$i_tx")"
		ok=0
		num "$e_tx" && num "$e_drop" && [ $((e_tx + e_drop)) = "$e_rx" ] && [ "$e_drop" = 0 ] && ok=1
		check "$name: the echo side sent back everything it received (sent $e_tx, dropped ${e_drop:-?})" "$ok"
		ok=0
		num "$e_tx" && num "$i_rx" && [ "$i_rx" -le "$e_tx" ] && [ $((e_tx - i_rx)) -le "$pop" ] && ok=1
		check "$name: the initiator got back all but the packets in flight (got $i_rx of $e_tx, population $pop)" "$ok"
		ok=0
		num "$i_rx" && [ "$i_rx" -ge $((pop * 20)) ] && [ "$i_rx" -ge "$MIN_PKTS" ] && ok=1
		check "$name: the loop turned (initiator received $i_rx >= 20 x $pop and >= $MIN_PKTS)" "$ok"
		check "$name: no error counted (rx errors $i_rxerr/$e_rxerr, tx errors $i_txerr/$e_txerr, missed $i_miss/$e_miss)" \
			"$(is [ "$i_rxerr$e_rxerr$i_txerr$e_txerr$i_miss$e_miss" = 000000 ])"
	}
}

sock=$work/dev.sock
# server_args NQ [testpmd args]: the server's EAL and testpmd arguments.
server_args() {
	local nq=$1
	shift
	if [ "$PAIR" = iavf ]; then
		printf '%s\n' -d "$plugins/librte_emu_iavf.so" -d "$plugins/librte_net_iavfbe.so" \
			--vdev "emu_iavf0,sock=$sock,queues=$nq,trust_client_memory=1" --vdev net_iavfbe0,emu=emu_iavf0
	else
		printf '%s\n' --vdev "net_memif0,role=server,socket=$sock"
	fi
	printf '%s\n' -- "--rxq=$nq" "--txq=$nq" --total-num-mbufs=32768 "$@"
}
client_args() {
	local nq=$1
	shift
	if [ "$PAIR" = iavf ]; then
		printf '%s\n' -d "$plugins/librte_net_iavf_client.so" \
			--vdev "net_iavf_client0,path=$sock,queues=$nq"
	else
		printf '%s\n' --vdev "net_memif0,role=client,socket=$sock"
	fi
	printf '%s\n' -- "--rxq=$nq" "--txq=$nq" --total-num-mbufs=32768 "$@"
}

# pair_start TAG NQ [testpmd args]: server srvTAG, then client cliTAG; both
# links up. Returns non-zero (after a FAIL) if that cannot be done.
pair_start() {
	local tag=$1 nq=$2 a
	shift 2
	rm -f "$sock"
	mapfile -t a < <(server_args "$nq" "$@")
	if ! pmd_start "srv$tag" "$cpu_s" "${a[@]}"; then
		check "$tag: server testpmd started" 0
		return 1
	fi
	for _ in $(seq 100); do
		[ -S "$sock" ] && break
		sleep 0.1
	done
	mapfile -t a < <(client_args "$nq" "$@")
	if ! pmd_start "cli$tag" "$cpu_c" "${a[@]}"; then
		check "$tag: client testpmd started" 0
		return 1
	fi
	check "$tag: server and client testpmd started ($nq queue pair(s))" 1
	local ok=1
	tp_wait_link "cli$tag" up 10 || ok=0
	tp_wait_link "srv$tag" up 10 || ok=0
	check "$tag: links up (client $(tp_link "cli$tag"), server $(tp_link "srv$tag"))" "$ok"
	[ "$ok" = 1 ]
}

# pair_stop TAG: quit client then server; both exit 0 (and were still
# running: one that died earlier is a failure too).
pair_stop() {
	local tag=$1 id what
	for id in "cli$tag" "srv$tag"; do
		[ -n "${TP_PID[$id]:-}" ] || continue
		what="$tag: $([ "$id" = "cli$tag" ] && echo client || echo server) testpmd"
		if ! tp_alive "$id"; then
			tp_reap "$id"
			check "$what still running at the end" 0
			continue
		fi
		tp_quit "$id"
		check "$what quit with status 0 (status $TP_QUIT_RC)" "$(is [ "$TP_QUIT_RC" = 0 ])"
		if [ "$PAIR" = iavf ] && [ "$id" = "srv$tag" ]; then
			check "$tag: the device's socket was removed" "$(is [ ! -e "$sock" ])"
		fi
	done
}

# From here on a failing step is a FAIL line, not the end of the script.
set +e
log "pair $PAIR, CPUs $cpu_s (server) and $cpu_c (client), $DURATION s per run, logs in $work"

# --- 1. one queue pair: one way both directions, 64 B and 1500 B; io loops.
if pair_start 1q 1; then
	for size in 64 1500; do
		oneway "1q client->server ${size}B" cli1q srv1q "$size" "$size" 1
		oneway "1q server->client ${size}B" srv1q cli1q "$size" "$size" 1
	done
	loop "1q io loop from the client" cli1q srv1q 4
	loop "1q io loop from the server" srv1q cli1q 4
fi
pair_stop 1q

# --- 2. multi-segment mbufs: 1 KiB data room, 1500-byte packets in 2 segments.
# (net_memif chains mbufs without being asked and offers no such offload.)
ms_args=(--mbuf-size=1152)
[ "$PAIR" = memif ] || ms_args+=(--enable-scatter --tx-offloads=0x8000)
if pair_start ms 1 "${ms_args[@]}"; then
	oneway "multi-seg client->server 1000+500B" clims srvms 1000,500 1500 1
	oneway "multi-seg server->client 1000+500B" srvms clims 1000,500 1500 1
	chains "multi-seg client->server chains" clims srvms
	chains "multi-seg server->client chains" srvms clims
fi
pair_stop ms

# --- 2b. the same with MBUF_FAST_FREE as well (net_iavf_client then gives
# completed segments back to their pool without reading them; the segments
# of a chain are unchained when transmitted). Section 2 ran without it
# (--tx-offloads replaces testpmd's default, which has it).
if [ "$PAIR" = iavf ] &&
	pair_start msff 1 --mbuf-size=1152 --enable-scatter --tx-offloads=0x18000; then
	oneway "multi-seg fast-free client->server 1000+500B" climsff srvmsff 1000,500 1500 1
	check "multi-seg fast-free: the client's port ran with MULTI_SEGS and MBUF_FAST_FREE (Tx offloads=0x18000)" \
		"$(is grep -q 'Tx offloads=0x18000' "$work/climsff.log")"
fi
pair_stop msff

# --- 3. four queue pairs, without MBUF_FAST_FREE (the client's completed
# mbufs freed one by one); then the client killed and restarted (the new
# client with testpmd's default offloads).
if pair_start 4q 4 --tx-offloads=0x0; then
	oneway "4q client->server 64B" cli4q srv4q 64 64 4
	oneway "4q server->client 64B" srv4q cli4q 64 64 4

	# Restart: kill the client in the middle of client->server traffic.
	quiesce cli4q srv4q
	tp_cmd srv4q "set fwd rxonly" > /dev/null
	tp_cmd srv4q "start" > /dev/null
	tp_cmd cli4q "set fwd txonly" > /dev/null
	tp_cmd cli4q "set txpkts 64" > /dev/null
	tp_cmd cli4q "start" > /dev/null
	sleep 1
	tp_stats srv4q k
	# shellcheck disable=SC2154 # set by stats
	{
		ok=0
		num "$k_rx" && [ "$k_rx" -ge "$MIN_PKTS" ] && ok=1
		check "restart: traffic flowed before the kill (server RX-packets $k_rx)" "$ok"
	}
	tp_kill cli4q
	log "restart: client killed (SIGKILL) during traffic"
	sleep 0.5
	ok=0
	tp_alive srv4q && ok=1
	tp_reap srv4q
	check "restart: the server is still running" "$ok"
	ok=0
	tp_cmd srv4q "show port stats 0" && grep -q 'NIC statistics for port 0' "$work/srv4q.out" && ok=1
	check "restart: the server still answers (show port stats 0)" "$ok"
	check "restart: the server's port went link down" "$(is tp_wait_link srv4q down 10)"
	tp_cmd srv4q "stop" > /dev/null || true

	mapfile -t a < <(client_args 4)
	if pmd_start cli4r "$cpu_c" "${a[@]}"; then
		check "restart: a new client testpmd started" 1
		check "restart: the new client's link is up" "$(is tp_wait_link cli4r up 10)"
		check "restart: the server's link is up again" "$(is tp_wait_link srv4q up 10)"
		oneway "restart client->server 64B" cli4r srv4q 64 64 4
		oneway "restart server->client 1500B" srv4q cli4r 1500 1500 4
		tp_quit cli4r
		check "restart: the new client quit with status 0 (status $TP_QUIT_RC)" "$(is [ "$TP_QUIT_RC" = 0 ])"
		check "restart: the server's port went link down after the client quit" \
			"$(is tp_wait_link srv4q down 10)"
	else
		check "restart: a new client testpmd started" 0
	fi
fi
pair_stop 4q

echo "$passed passed, $failed failed"
if [ "$failed" != 0 ]; then
	tp_failure_logs
	exit 1
fi
exit 0
