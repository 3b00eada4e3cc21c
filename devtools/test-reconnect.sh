#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# net_iavf_client's automatic reconnection (devarg reconnect=MS), between two
# dpdk-testpmd processes: a server (emu_iavf + net_iavfbe) and a client
# (net_iavf_client path=S,reconnect=100), driven through FIFOs (the tp_*
# functions of devtools/lib.sh), every figure from testpmd's own reports.
#
# Checked:
#  1. under client->server traffic (client txonly, server rxonly) the server
#     is killed with SIGKILL: the client logs that the server is gone and the
#     link is down, raises a link event, keeps running and answering, its
#     port reports link down and its transmit counter stops; it keeps
#     retrying. A new server on the same socket: the client's link comes up
#     within RECONNECT_BOUND seconds by itself and the packets flow again;
#     the gaps from the new server's start to the client's link up and to
#     the first packets are printed;
#  2. the same under server->client traffic (client rxonly): after the
#     second restart packets flow in both directions, counters rising on
#     both sides, and one-way runs deliver exactly what was sent (no stale or
#     duplicate packet from the rings of before); the client's xstats count
#     the reconnections;
#  3. without reconnect=: the link stays down when the server returns and
#     nothing is retried, until port stop / port start (the old behaviour);
#  4. with reconnect=, the port stopped and started while the server is
#     away (it starts with its link down and comes up when the server is
#     back), then stopped and closed while the server is away again, and
#     testpmd quits cleanly;
#  5. bad reconnect= values are refused at probe with a message that says
#     what is accepted.
#
# usage: BUILD=builddir devtools/test-reconnect.sh     (as root)
# Environment:
#   BUILD            build directory (default: build)
#   TESTPMD          testpmd binary (default: dpdk-testpmd)
#   MEM              MiB of hugepage memory per testpmd (default: 512)
#   RECONNECT_MS     the client's reconnect= (default: 100)
#   RECONNECT_BOUND  seconds from a new server's prompt to the client's
#                    link up (default: 5)
#   QUEUES           queue pairs of the device and both ports (default: 1)
#   KEEP_LOGS=1      keep the logs directory
# Output: PASS/FAIL lines, then "N passed, M failed".
# Exit status: 0 all passed, 77 skipped (the reason is printed), else 1.

# (functions called through is/eval; single-quoted eval strings expand later)
# shellcheck disable=SC2317,SC2016
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
# shellcheck source=devtools/lib-testpmd.sh
. devtools/lib-testpmd.sh
BUILD=${BUILD:-build}
TESTPMD=${TESTPMD:-dpdk-testpmd}
MEM=${MEM:-512}
RECONNECT_MS=${RECONNECT_MS:-100}
RECONNECT_BOUND=${RECONNECT_BOUND:-5}
QUEUES=${QUEUES:-1}
[[ $QUEUES =~ ^([1-9]|1[0-6])$ ]] || die "QUEUES must be 1..16, not '$QUEUES'"

need_root "hugepages, /var/run/dpdk"
need_testpmd
need_hugepages $((2 * MEM))
need_plugins "$BUILD" "$EMU_SO" "$BE_SO" "$CLIENT_SO"
TP_LIBPATH=$plugins

# Two CPUs when there are: the server on the first, the client on the second.
mapfile -t cpus < <(allowed_cpus)
cpu_s=${cpus[0]}
cpu_c=${cpus[1]:-${cpus[0]}}

work_init emu-rc
TP_WORK=$work
sock=$TP_WORK/dev.sock

passed=0
failed=0
# lines ID: lines in ID's log so far. since ID N: its lines after the first N.
lines() { wc -l < "$TP_WORK/$1.log"; }
since() { tail -n +"$(($2 + 1))" "$TP_WORK/$1.log"; }
# since_has ID N REGEX: a line after the first N of ID's log matches REGEX
# (no pipe into grep -q: pipefail would count the writer's SIGPIPE).
since_has() { awk -v n="$2" -v re="$3" 'NR > n && $0 ~ re { f = 1 } END { exit !f }' "$TP_WORK/$1.log"; }
# lsc ID: link state change events testpmd printed so far.
lsc() { grep -c 'Port 0: link state change event' "$TP_WORK/$1.log" || true; }
logs=(--log-level=lib.eal:notice --log-level='*emu*:info' --log-level='*vfio_user*:info'
	--log-level='*iavf*:info')
pfx=emurc-$$

# server ID: start a server testpmd (new file prefix) serving $sock; the
# device model logs at debug level (what the client configures; EAL takes
# the first --log-level that matches a log type).
server() {
	tp_start "$1" "$pfx-$1" --lcores "0@$cpu_s,1@$cpu_s" -m "$MEM" --single-file-segments \
		--no-pci --log-level=pmd.emu.iavf:debug "${logs[@]}" -d "$TP_LIBPATH/librte_emu_iavf.so" \
		-d "$TP_LIBPATH/librte_net_iavfbe.so" \
		--vdev "emu_iavf0,sock=$sock,queues=$QUEUES,trust_client_memory=1" \
		--vdev net_iavfbe0,emu=emu_iavf0 -- --total-num-mbufs=16384 --rxq="$QUEUES" --txq="$QUEUES"
}
# client ID DEVARGS-SUFFIX: start a client testpmd on $sock.
client() {
	tp_start "$1" "$pfx-$1" --lcores "0@$cpu_c,1@$cpu_c" -m "$MEM" --single-file-segments \
		--no-pci "${logs[@]}" -d "$TP_LIBPATH/librte_net_iavf_client.so" \
		--vdev "net_iavf_client0,path=$sock$2" -- --total-num-mbufs=16384 --disable-link-check \
		--rxq="$QUEUES" --txq="$QUEUES"
}
# fwd ID MODE: stop, set fwd MODE, start.
fwd() {
	tp_cmd "$1" stop > /dev/null || true
	tp_cmd "$1" "set fwd $2" > /dev/null || true
	tp_cmd "$1" start > /dev/null || true
}
# rising ID KEY WHAT: KEY of ID's port stats grows over 0.5 s.
rising() {
	local a b
	a=$(tp_stat "$1" "$2")
	sleep 0.5
	b=$(tp_stat "$1" "$2")
	check "$3 ($2 $a -> $b)" "$(is gt "$b" "$a")"
}
# grepc FILE REGEX: lines of FILE matching REGEX (extended), 0 if none.
grepc() { grep -cE "$2" "$1" || true; }
# wait_log ID REGEX SECONDS: 0 once a line of ID's log matches.
wait_log() {
	local i
	for ((i = 0; i < $3 * 50; i++)); do
		grep -qsE "$2" "$TP_WORK/$1.log" && return 0
		sleep 0.02
	done
	return 1
}

# kill_server SRV CLI N KEY: SIGKILL the server under traffic; check that
# the client notices (log, link down, a link event), keeps running and
# answering, that its data path stopped (KEY of its stats does not move) and
# that it retries.
kill_server() {
	local srv=$1 cli=$2 n=$3 key=$4 a b l0 e0
	l0=$(lines "$cli")
	e0=$(lsc "$cli")
	tp_kill "$srv"
	log "kill $n: server $srv killed (SIGKILL) under traffic"
	check "kill $n: the client logs that the server is gone and it reconnects every $RECONNECT_MS ms" \
		"$(is wait_log "$cli" "server on .* is gone; link down, reconnecting every $RECONNECT_MS ms" 5)"
	check "kill $n: the client's port reports link down" "$(is tp_wait_link "$cli" down 5)"
	sleep 0.2
	check "kill $n: the client raised a link state change event ($e0 -> $(lsc "$cli"))" \
		"$(is gt "$(lsc "$cli")" "$e0")"
	a=$(tp_stat "$cli" "$key")
	sleep 0.5
	b=$(tp_stat "$cli" "$key")
	check "kill $n: the client's data path stopped ($key $a -> $b while the server is away)" \
		"$(is eqn "$a" "$b")"
	sleep 0.5
	check "kill $n: the client is still running and answering" \
		"$(is tp_cmd "$cli" "show port stats 0")"
	check "kill $n: the client retries (attempt 1 logged as failed)" \
		"$(is since_has "$cli" "$l0" "reconnection attempt 1 to .* failed")"
	local l1 quiet
	l1=$(awk -v n="$l0" 'NR > n && /reconnection attempt 1 to/ { print NR; exit }' "$TP_WORK/$cli.log")
	quiet=$(since "$cli" "${l1:-0}" | grep -cE 'IAVF_CLIENT|VFIO_USER' || true)
	check "kill $n: the client's log stays quiet while it retries ($quiet driver or library lines since attempt 1)" \
		"$(is eval '[ -n "$l1" ] && [ "$quiet" -le 2 ]')"
}

# restart_server SRV CLI N DIR: a new server; the client's link comes up by
# itself within RECONNECT_BOUND s; the gaps from the new server's launch to
# the client's link up and to the first packet are printed. DIR tx: the
# client transmits, the new server receives (rxonly at once); rx: the new
# server transmits (txonly at once), the client receives.
restart_server() {
	local srv=$1 cli=$2 n=$3 dir=$4 t0 t1 t_up t_pkt i r l0 e0
	l0=$(lines "$cli")
	e0=$(lsc "$cli")
	t0=$(now_ms)
	if ! server "$srv"; then
		check "restart $n: a new server testpmd started" 0
		return 1
	fi
	t1=$(now_ms)
	if [ "$dir" = tx ]; then
		fwd "$srv" rxonly
	else
		fwd "$srv" txonly
	fi
	t_up=
	t_pkt=
	for ((i = 0; i < RECONNECT_BOUND * 20; i++)); do
		if [ -z "$t_up" ] && since_has "$cli" "$l0" 'reconnected to'; then
			t_up=$(now_ms)
		fi
		if [ -z "$t_pkt" ]; then
			if [ "$dir" = tx ]; then
				r=$(tp_stat "$srv" RX-packets)
			else
				r=$(tp_stat "$cli" RX-packets)
				gt "$r" "${rx_before:-0}" || r=0
			fi
			gt "$r" 0 && t_pkt=$(now_ms)
		fi
		[ -n "$t_up" ] && [ -n "$t_pkt" ] && break
		sleep 0.02
	done
	check "restart $n: the client logged its reconnection within $RECONNECT_BOUND s of the new server's prompt" \
		"$(is [ -n "$t_up" ])"
	check "restart $n: the client's port reports link up" "$(is tp_wait_link "$cli" up 2)"
	check "restart $n: the client raised a link state change event ($e0 -> $(lsc "$cli"))" \
		"$(is gt "$(lsc "$cli")" "$e0")"
	check "restart $n: the first packet $([ "$dir" = tx ] && echo 'client->server' || echo 'server->client') arrived within $RECONNECT_BOUND s" \
		"$(is [ -n "$t_pkt" ])"
	log "restart $n: the new server took $((t1 - t0)) ms from launch to prompt"
	[ -z "$t_up" ] || log "restart $n: gap from the new server's launch to the client's link up: $((t_up - t0)) ms ($((t_up - t1)) ms after its prompt)"
	[ -z "$t_pkt" ] || log "restart $n: gap from the new server's launch to the first packet $([ "$dir" = tx ] && echo 'client->server' || echo 'server->client'): $((t_pkt - t0)) ms ($((t_pkt - t1)) ms after its prompt)"
	log "restart $n: the client says: $(since "$cli" "$l0" | grep -oE 'reconnected to .*' | tail -n1)"
	return 0
}

# wrong_server CLI: a server that is not an AVF (the vfio-user sample
# device) on the socket meanwhile: the client must refuse it, say why once,
# keep its link down and go on retrying.
wrong_server() {
	local cli=$1 l0 pid i
	sample=$BUILD/examples/dpdk-vfio_user_sample
	if [ ! -x "$sample" ]; then
		check "a server that is not an AVF is refused ($sample not built)" 0
		return
	fi
	l0=$(lines "$cli")
	"$sample" --no-huge -m 128 --no-pci --no-shconf -l "$cpu_s" --file-prefix="$pfx-sample" \
		--log-level=lib.eal:error -- --socket "$sock" > "$TP_WORK/sample.log" 2>&1 &
	pid=$!
	check "a server that is not an AVF comes up: the client refuses it and says why" \
		"$(is wait_log "$cli" 'is not an Intel AVF' 5)"
	sleep 0.5
	check "... the client's link stays down, it goes on retrying, the wrong server lives" \
		"$(is eval '[ "$(tp_link "$cli")" = down ] && since_has "$cli" "$l0" "reconnection attempt [0-9]+ to .* failed \\(No such device\\)" && kill -0 "$pid"')"
	log "the client said: $(grep -m1 -oE 'the server on .* is not an Intel AVF.*' "$TP_WORK/$cli.log")"
	kill -9 "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	rm -f "$sock"
}

# oneway TX RX WHAT: TX sends 64-byte packets for 1 s (txonly), RX receives
# (rxonly); the receiver counts exactly what the sender's port sent.
oneway() {
	local tx=$1 rx=$2 s r id
	for id in "$tx" "$rx"; do
		tp_cmd "$id" stop > /dev/null || true
	done
	fwd "$rx" rxonly
	sleep 0.3
	tp_cmd "$rx" stop > /dev/null || true
	for id in "$tx" "$rx"; do
		tp_cmd "$id" "clear port stats all" > /dev/null || true
	done
	fwd "$rx" rxonly
	fwd "$tx" txonly
	sleep 1
	tp_cmd "$tx" stop > /dev/null || true
	sleep 0.5
	tp_cmd "$rx" stop > /dev/null || true
	s=$(tp_stat "$tx" TX-packets)
	r=$(tp_stat "$rx" RX-packets)
	check "$3: received exactly what was sent ($r of $s, at least 1000)" \
		"$(is eval 'gt "$s" 999 && eqn "$s" "$r"')"
}

set +e
log "client reconnect=$RECONNECT_MS, $QUEUES queue pair(s), CPUs $cpu_s (server) and $cpu_c (client), logs in $TP_WORK"

# --- 1 and 2: kill and restart the server under traffic, both directions.
rm -f "$sock"
if server srv1 && client cli1 ",reconnect=$RECONNECT_MS"; then
	check "server and client (reconnect=$RECONNECT_MS) started" 1
	check "links up" "$(is eval 'tp_wait_link cli1 up 10 && tp_wait_link srv1 up 10')"
	fwd srv1 rxonly
	fwd cli1 txonly
	tp_cmd cli1 "set allmulti 0 on" > /dev/null
	check "the client's promiscuous and all-multicast modes on (testpmd's promiscuous default, set allmulti 0 on): the device has flags 0x3" \
		"$(is grep -q 'promiscuous flags 0x3' "$TP_WORK/srv1.log")"
	rising srv1 RX-packets "before the kill: the server receives"
	kill_server srv1 cli1 1 TX-packets
	wrong_server cli1
	if restart_server srv2 cli1 1 tx; then
		check "restart 1: the new device got the port's promiscuous and all-multicast modes again (flags 0x3)" \
			"$(is grep -q 'promiscuous flags 0x3' "$TP_WORK/srv2.log")"
		replayed=
		for op in VERSION GET_VF_RESOURCES CONFIG_VSI_QUEUES CONFIG_IRQ_MAP ADD_ETH_ADDR \
			CONFIG_PROMISCUOUS_MODE ENABLE_QUEUES; do
			grep -qE "virtchnl $op \([0-9]+\), [0-9]+ bytes: status 0" "$TP_WORK/srv2.log" && replayed+=" $op"
		done
		check "restart 1: the new device was brought up from the port's configuration (done:$replayed)" \
			"$(is [ "$replayed" = " VERSION GET_VF_RESOURCES CONFIG_VSI_QUEUES CONFIG_IRQ_MAP ADD_ETH_ADDR CONFIG_PROMISCUOUS_MODE ENABLE_QUEUES" ])"
		rising srv2 RX-packets "restart 1: client->server packets flow again: the server receives"
		rising cli1 TX-packets "restart 1: client->server packets flow again: the client sends"

		# 2: the other direction (the client's receive rings hold packets).
		fwd cli1 rxonly
		fwd srv2 txonly
		rising cli1 RX-packets "before the second kill: the client receives"
		kill_server srv2 cli1 2 RX-packets
		rx_before=$(tp_stat cli1 RX-packets)
		if restart_server srv3 cli1 2 rx; then
			fwd cli1 rxonly
			fwd srv3 txonly
			rising cli1 RX-packets "restart 2: server->client packets flow again: the client receives"
			rising srv3 TX-packets "restart 2: server->client packets flow again: the server sends"
			fwd srv3 rxonly
			fwd cli1 txonly
			rising srv3 RX-packets "restart 2: client->server packets flow too: the server receives"
			rising cli1 TX-packets "restart 2: client->server packets flow too: the client sends"
			tp_cmd cli1 "show port xstats 0" > /dev/null
			rc=$(tp_val "$TP_WORK/cli1.out" reconnects)
			check "the client's xstats count 2 reconnections (reconnects: $rc; rx_reconnect_discards: $(tp_val "$TP_WORK/cli1.out" rx_reconnect_discards))" \
				"$(is [ "$rc" = 2 ])"
			oneway cli1 srv3 "after two reconnections, client->server"
			oneway srv3 cli1 "after two reconnections, server->client"
		fi
	fi
	tp_quit cli1
	check "the client quit with status 0 (status $TP_QUIT_RC)" "$(is [ "$TP_QUIT_RC" = 0 ])"
	for id in srv1 srv2 srv3; do tp_kill "$id"; done
else
	check "server and client (reconnect=$RECONNECT_MS) started" 0
fi

# --- 3: without reconnect=, the old behaviour.
rm -f "$sock"
if server srv4 && client cli4 ""; then
	check "no reconnect=: server and client started" "$(is tp_wait_link cli4 up 10)"
	fwd srv4 rxonly
	fwd cli4 txonly
	tp_kill srv4
	check "no reconnect=: the client says to stop and start the port" \
		"$(is wait_log cli4 'is gone; link down \(stop and start the port' 5)"
	check "no reconnect=: the client's link is down" "$(is tp_wait_link cli4 down 5)"
	if server srv5; then
		fwd srv5 rxonly
		sleep 1.5
		check "no reconnect=: the server is back, the client's link stays down" \
			"$(is [ "$(tp_link cli4)" = down ])"
		check "no reconnect=: no reconnection attempted" \
			"$(is [ "$(grepc "$TP_WORK/cli4.log" 'reconnect(ion attempt|ed to)')" = 0 ])"
		tp_cmd cli4 "stop" > /dev/null
		tp_cmd cli4 "port stop 0" > /dev/null
		tp_cmd cli4 "port start 0" > /dev/null
		check "no reconnect=: port stop/start reconnects (link up)" "$(is tp_wait_link cli4 up 5)"
		fwd cli4 txonly
		rising srv5 RX-packets "no reconnect=: after port start packets flow"
	else
		check "no reconnect=: the second server started" 0
	fi
	tp_quit cli4
	check "no reconnect=: the client quit with status 0 (status $TP_QUIT_RC)" "$(is [ "$TP_QUIT_RC" = 0 ])"
	tp_kill srv4
	tp_kill srv5
else
	check "no reconnect=: server and client started" 0
fi

# --- 4: stop/start and close while the server is away.
rm -f "$sock"
if server srv6 && client cli6 ",reconnect=$RECONNECT_MS"; then
	check "stop/start/close: server and client started" "$(is tp_wait_link cli6 up 10)"
	fwd cli6 txonly
	tp_kill srv6
	check "stop/start/close: link down after the kill" "$(is tp_wait_link cli6 down 5)"
	tp_cmd cli6 stop > /dev/null
	check "stop/start/close: port stop while the server is away" \
		"$(is eval 'tp_cmd cli6 "port stop 0" && grep -q Done "$TP_WORK/cli6.out"')"
	tp_cmd cli6 "port start 0" > /dev/null
	check "stop/start/close: port start while the server is away succeeds, link down" \
		"$(is eval 'grep -q "starting with the link down" "$TP_WORK/cli6.log" && ! grep -qi "fail" "$TP_WORK/cli6.out" && [ "$(tp_link cli6)" = down ]')"
	if server srv7; then
		fwd srv7 rxonly
		check "stop/start/close: the server is back: link up by itself" "$(is tp_wait_link cli6 up "$RECONNECT_BOUND")"
		fwd cli6 txonly
		rising srv7 RX-packets "stop/start/close: packets flow after the port was started while the server was away"
		tp_kill srv7
		check "stop/start/close: link down after the second kill" "$(is tp_wait_link cli6 down 5)"
		tp_cmd cli6 stop > /dev/null
		tp_cmd cli6 "port stop 0" > /dev/null
		tp_cmd cli6 "port close 0" > /dev/null
		check "stop/start/close: port close while the server is away (reconnect alarm pending)" \
			"$(is grep -q 'net_iavf_client0: closed' "$TP_WORK/cli6.log")"
		l0=$(lines cli6)
		sleep 0.5
		check "stop/start/close: the client still answers, no reconnection attempt after the close" \
			"$(is eval 'tp_cmd cli6 "show port summary all" && ! since_has cli6 "$l0" "reconnect"')"
	else
		check "stop/start/close: the second server started" 0
	fi
	tp_quit cli6
	check "stop/start/close: the client quit with status 0 (status $TP_QUIT_RC)" "$(is [ "$TP_QUIT_RC" = 0 ])"
	tp_kill srv6
	tp_kill srv7
else
	check "stop/start/close: server and client started" 0
fi

# --- 5: bad values refused at probe (no server needed: refused before connecting).
for v in 5 abc -1 3600001 1e3 '100ms' ''; do
	out=$TP_WORK/bad.log
	LD_LIBRARY_PATH=$TP_LIBPATH timeout 60 "$TP_TESTPMD" --file-prefix="$pfx-bad" --no-huge -m 64 \
		--no-pci -l "$cpu_c" "${logs[@]}" -d "$TP_LIBPATH/librte_net_iavf_client.so" \
		--vdev "net_iavf_client0,path=$sock,reconnect=$v" -- --disable-link-check < /dev/null \
		> "$out" 2>&1
	line=$(grep -m1 -E 'argument "reconnect"' "$out")
	ok=0
	grep -qE "argument \"reconnect\": \"$v\" is not a retry period in ms: 0 \\(no automatic reconnection\\) or 10\\.\\.3600000|argument \"reconnect\" needs a value" "$out" &&
		! grep -q 'reconnecting\|connect .*:' "$out" && ok=1
	check "reconnect=$v refused: ${line:-no message}" "$ok"
	tp_files_rm "$pfx-bad"
done
# The good values pass the parser (then the missing server is reported).
for v in 0 10 3600000; do
	LD_LIBRARY_PATH=$TP_LIBPATH timeout 60 "$TP_TESTPMD" --file-prefix="$pfx-good" --no-huge -m 64 \
		--no-pci -l "$cpu_c" "${logs[@]}" -d "$TP_LIBPATH/librte_net_iavf_client.so" \
		--vdev "net_iavf_client0,path=$TP_WORK/none.sock,reconnect=$v" -- --disable-link-check \
		< /dev/null > "$TP_WORK/good.log" 2>&1
	check "reconnect=$v accepted (the probe goes on to the socket, which does not exist)" \
		"$(is eval 'grep -q "no socket $TP_WORK/none.sock" "$TP_WORK/good.log" && ! grep -q "argument \"reconnect\"" "$TP_WORK/good.log"')"
	tp_files_rm "$pfx-good"
done

echo "$passed passed, $failed failed"
if [ "$failed" != 0 ]; then
	for f in "$TP_WORK"/*.log; do
		echo "--- last 40 lines of $f:"
		tail -n 40 "$f"
	done
	exit 1
fi
exit 0
