#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Throughput of three shared-memory pairs of DPDK ports between two testpmd
# processes on one machine, in one run, with the same testpmd (Debian's),
# the same packet sizes and the same arguments, one CPU per process:
#   memif   net_memif role=server        <-> net_memif role=client
#   vhost   net_vhost (vhost-user)       <-> net_virtio_user
#   iavf    emu_iavf + net_iavfbe        <-> net_iavf_client (this project)
#   base    the same as iavf, with the drivers of another build (BASE_BUILD,
#           e.g. of an earlier commit): a before/after comparison of a
#           change, measured interleaved with the others in the same run
# For each pair, each packet size (64 and 1500 bytes) and each direction
# (client->server, server->client): txonly on the sending side, rxonly on
# the receiving side; after WARMUP seconds the receiver's `show port stats`
# is read twice, DURATION seconds apart: its "Rx-pps" is the packet rate
# over exactly that interval, timed by testpmd (TSC). Printed: Mpps and
# Gbit/s (frames without CRC) for each; rounds in which the forwarding
# threads did not get their CPUs (something else ran) are left out of the
# median. Then the ratios of iavf to vhost and to memif: of the medians,
# and paired (the median of the ratios of figures taken back to back).
# All pairs are up at once (the ones not measured idle, their forwarding
# stopped), and each figure is measured for every pair in turn, so that a
# change in the machine's speed touches the pairs of a figure alike.
#
# Also the time from the client's connect to link up, LINKUP_RUNS times per
# pair (the client restarted each time): every line of both testpmds' output
# is timestamped on arrival (a small perl filter); measured from the
# server's log line for the accepted connection to testpmd's "link state
# change event" line of the server's port (and, for iavf, to the client's
# port started with link up), and the part of it the client application
# spent on its own set-up (testpmd's mbuf pool between probe and port start)
# so that the drivers' share can be read. See doc/guides/howto/benchmark.rst.
#
# A benchmark, not a test: numbers never fail it. Exit status: 0 if every
# measurement could be made, 1 if one could not (the table says which, the
# testpmd output is printed), 2 usage, 77 prerequisites missing.
#
# usage: BUILD=builddir devtools/bench.sh     (as root)
# Environment:
#   BUILD        build directory (default: build)
#   PAIRS        pairs to run (default: "memif vhost iavf"; "base" too when
#                BASE_BUILD is set)
#   BASE_BUILD   build directory of the drivers for the "base" pair
#   BASE_SERVER_ARGS  more emu_iavf devargs for the base pair's server
#                (default: none; the iavf pair's server gets
#                trust_client_memory=1, which builds before that devarg
#                existed refuse)
#   SIZES        packet sizes in bytes (default: "64 1500")
#   DIRS         directions (default: "c2s s2c": client->server, server->client)
#   DURATION     seconds measured per figure (default: 5)
#   WARMUP       seconds of traffic before measuring (default: 1)
#   REPEAT       rounds: each round starts every pair afresh and measures
#                every figure once for each, the pairs of a figure back to
#                back; the median is printed (default: 1)
#   CPU_MIN      least share of a CPU (%) both forwarding threads must have
#                had for a round to count in the median (default: 90)
#   LINKUP_RUNS  client connections timed per pair (default: 5)
#   MEM          MiB of hugepage memory per testpmd (default: 256; two
#                testpmds per pair run at once)
#   MBUFS        mbufs per testpmd (--total-num-mbufs, default: 32768)
#   TESTPMD      testpmd binary (default: dpdk-testpmd)
#   MEMIF_ARGS, VHOST_ARGS, VIRTIO_USER_ARGS  more devargs for net_memif
#                (both sides), net_vhost, net_virtio_user (default: none,
#                e.g. VIRTIO_USER_ARGS=in_order=1,mrg_rxbuf=0)
#   KEEP_LOGS=1  keep the logs directory
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BASE_BUILD=${BASE_BUILD:-}
if [ -n "$BASE_BUILD" ]; then
	PAIRS=${PAIRS:-memif vhost iavf base}
else
	PAIRS=${PAIRS:-memif vhost iavf}
fi
SIZES=${SIZES:-64 1500}
DIRS=${DIRS:-c2s s2c}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
REPEAT=${REPEAT:-1}
LINKUP_RUNS=${LINKUP_RUNS:-5}
MEM=${MEM:-256}
MBUFS=${MBUFS:-32768}
CPU_MIN=${CPU_MIN:-90}
TESTPMD=${TESTPMD:-dpdk-testpmd}

me=bench
LOG_FD=2
DIE_WORD=error
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
# shellcheck source=devtools/lib-testpmd.sh
. devtools/lib-testpmd.sh

for p in $PAIRS; do
	case $p in
	memif | vhost | iavf) ;;
	base) [ -n "$BASE_BUILD" ] || { log "pair 'base' needs BASE_BUILD"; exit 2; } ;;
	*) log "unknown pair '$p' (memif, vhost, iavf, base)"; exit 2 ;;
	esac
done
for d in $DIRS; do
	case $d in
	c2s | s2c) ;;
	*) log "unknown direction '$d' (c2s, s2c)"; exit 2 ;;
	esac
done
for n in "$DURATION" "$WARMUP" "$REPEAT" "$LINKUP_RUNS" "$MEM" "$MBUFS" "$CPU_MIN" $SIZES; do
	[[ $n =~ ^[0-9]+$ ]] || { log "not a number: '$n'"; exit 2; }
done
if [ "$REPEAT" -lt 1 ] || [ "$DURATION" -lt 1 ]; then
	log "REPEAT and DURATION must be >= 1"
	exit 2
fi

need_root "hugepages, /var/run/dpdk"
need_testpmd
perl -MTime::HiRes -e 1 2> /dev/null || skip "perl with Time::HiRes not found (Debian: perl)"
npairs=$(wc -w <<< "$PAIRS")
need_hugepages $((2 * npairs * MEM)) "2 x $npairs testpmds x MEM $MEM; or set MEM"
mapfile -t cpus < <(allowed_cpus)
[ ${#cpus[@]} -ge 2 ] || skip "needs two CPUs (one per testpmd), has ${#cpus[@]}"
cpu_s=${cpus[0]}
cpu_c=${cpus[1]}

# plugins_of BUILDDIR: a private copy of that build's drivers (EAL refuses
# -d plugins under world-writable directories); its path on stdout.
plugins_of() {
	need_plugins "$1" "$EMU_SO" "$BE_SO" "$CLIENT_SO"
	printf '%s\n' "$plugins"
}
plugins=
base_plugins=
case " $PAIRS " in
*" iavf "*) plugins=$(plugins_of "$BUILD") ;;
esac
case " $PAIRS " in
*" base "*)
	[ "$(realpath "$BASE_BUILD")" != "$(realpath "$BUILD")" ] ||
		die "BASE_BUILD is the same directory as BUILD"
	base_plugins=$(plugins_of "$BASE_BUILD")
	[ "$base_plugins" != "$plugins" ] || die "the base build's private plugin directory is BUILD's"
	;;
esac

work_init emu-bench
errors=0

# ------------------------------------------------------------ testpmd
# Interactive testpmds (devtools/lib-testpmd.sh), their output timestamped
# line by line on arrival in ID.ts (TP_STAMP).
TP_WORK=$work
TP_STAMP=1
TP_START_S=30

# pmd_start ID CPU ARGS...: start testpmd ID pinned to CPU (its main and
# forwarding lcores) with ARGS (EAL arguments, --, testpmd arguments); the
# base pair's with the base build's drivers.
pmd_start() {
	local id=$1 cpu=$2
	shift 2
	TP_LIB[$id]=$plugins
	[[ $id != *_base* ]] || TP_LIB[$id]=$base_plugins
	tp_start "$id" "emubench-$$-$id" --lcores "0@$cpu,1@$cpu" -m "$MEM" \
		--single-file-segments --no-pci --log-level=lib.eal:notice "$@"
}

# ------------------------------------------------------------ the pairs
server_args() {
	local sock=$work/$1.sock
	case $1 in
	memif)
		printf '%s\n' --vdev "net_memif0,role=server,socket=$sock${MEMIF_ARGS:+,$MEMIF_ARGS}" \
			--log-level=pmd.net.memif:debug
		;;
	vhost)
		printf '%s\n' --vdev "net_vhost0,iface=$sock,queues=1${VHOST_ARGS:+,$VHOST_ARGS}" \
			--log-level=lib.vhost.config:info
		;;
	iavf)
		# The client's memory is DPDK hugepage files, which cannot be
		# sealed: the server has to trust it (see nics/emu_iavf.rst).
		printf '%s\n' -d "$plugins/librte_emu_iavf.so" -d "$plugins/librte_net_iavfbe.so" \
			--vdev "emu_iavf0,sock=$sock,queues=1,trust_client_memory=1" \
			--vdev net_iavfbe0,emu=emu_iavf0 \
			--log-level='*vfio_user*:info' --log-level='*iavf*:info'
		;;
	base)
		printf '%s\n' -d "$base_plugins/librte_emu_iavf.so" -d "$base_plugins/librte_net_iavfbe.so" \
			--vdev "emu_iavf0,sock=$sock,queues=1${BASE_SERVER_ARGS:+,$BASE_SERVER_ARGS}" \
			--vdev net_iavfbe0,emu=emu_iavf0 \
			--log-level='*vfio_user*:info' --log-level='*iavf*:info'
		;;
	esac
	printf '%s\n' -- --total-num-mbufs="$MBUFS"
}
client_args() {
	local sock=$work/$1.sock
	case $1 in
	memif) printf '%s\n' --vdev "net_memif0,role=client,socket=$sock${MEMIF_ARGS:+,$MEMIF_ARGS}" ;;
	vhost) printf '%s\n' --vdev "net_virtio_user0,path=$sock,queues=1${VIRTIO_USER_ARGS:+,$VIRTIO_USER_ARGS}" ;;
	iavf | base)
		local lib=$plugins
		[ "$1" = iavf ] || lib=$base_plugins
		printf '%s\n' -d "$lib/librte_net_iavf_client.so" \
			--vdev "net_iavf_client0,path=$sock,queues=1" \
			--log-level='*vfio_user*:info' --log-level='*iavf*:info'
		;;
	esac
	printf '%s\n' -- --total-num-mbufs="$MBUFS"
}
# The server's log line for an accepted connection.
accept_re() {
	case $1 in
	memif) echo 'memif_listener_handler\(\): .*Connection request accepted' ;;
	vhost) echo 'VHOST_CONFIG: .* new vhost user connection' ;;
	iavf | base) echo 'VFIO_USER: .*: client connected' ;;
	esac
}
# The server's line for its port's link up (net_memif raises no LSC event).
up_re() {
	case $1 in
	memif) echo 'memif_connect\(\): Connected' ;;
	*) echo 'Port 0: link state change event' ;;
	esac
}
label() {
	case $1 in
	memif) echo "memif server/client" ;;
	vhost) echo "vhost/virtio-user" ;;
	iavf) echo "iavfbe/iavf_client" ;;
	base) echo "iavf (base build)" ;;
	esac
}

# ts_first FILE FROMLINE REGEX: the time of the first line at or after line
# FROMLINE (1-based) of a .ts file matching REGEX (extended); with its line
# number: "TIME LINE".
ts_first() {
	awk -v from="$2" -v re="$3" 'NR >= from && $0 ~ re { print $1, NR; exit }' "$1"
}
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }

# client_connect PAIR ID SRV: start client ID of server SRV, wait for both links up, and
# record the connect-to-link-up times (ms) in LU_* (empty when a mark is
# missing). Returns non-zero if the client could not be brought up.
LU_SRV=
LU_CLI=
LU_APP=
client_connect() {
	local pair=$1 id=$2 srv=$3 a from acc up cup cint ccfg
	LU_SRV=
	LU_CLI=
	LU_APP=
	from=$(($(wc -l < "$work/$srv.ts") + 1))
	mapfile -t a < <(client_args "$pair")
	pmd_start "$id" "$cpu_c" "${a[@]}" || return 1
	if ! tp_wait_link "$id" up 10 || ! tp_wait_link "$srv" up 10; then
		log "$pair: links not up (client $(tp_link "$id"), server $(tp_link "$srv"))"
		return 1
	fi
	acc=$(ts_first "$work/$srv.ts" "$from" "$(accept_re "$pair")")
	[ -n "$acc" ] || return 0
	up=$(ts_first "$work/$srv.ts" "${acc#* }" "$(up_re "$pair")")
	[ -n "$up" ] || return 0
	LU_SRV=$(ms "${acc% *}" "${up% *}")
	# The client application's own set-up, as far as it falls in that time.
	cint=$(ts_first "$work/$id.ts" 1 'Interactive-mode selected')
	ccfg=$(ts_first "$work/$id.ts" 1 'Configuring Port 0')
	if [ -n "$cint" ] && [ -n "$ccfg" ]; then
		LU_APP=$(awk -v a="${acc% *}" -v u="${up% *}" -v i="${cint% *}" -v c="${ccfg% *}" '
			BEGIN { s = (i > a ? i : a); e = (c < u ? c : u);
				printf "%.1f", (e > s ? e - s : 0) * 1000 }')
	fi
	if [ "$pair" = iavf ] || [ "$pair" = base ]; then
		cup=$(ts_first "$work/$id.ts" 1 'IAVF_CLIENT: .*: started:')
		[ -z "$cup" ] || LU_CLI=$(ms "${acc% *}" "${cup% *}")
	fi
	return 0
}

# fwd_ticks ID: CPU time (clock ticks) used so far by testpmd ID's
# forwarding lcore thread (EAL's "rte-worker-1"), empty if not found.
fwd_ticks() {
	local t c
	for t in /proc/"${TP_PID[$1]}"/task/*; do
		c=$(cat "$t/comm" 2> /dev/null) || continue
		if [[ $c == *worker-1 ]]; then
			# utime + stime, fields 14 and 15 (12 and 13 after "pid (comm) ").
			awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$t/stat" 2> /dev/null
			return
		fi
	done
}
clk_tck=$(getconf CLK_TCK)

# measure SIZE TX RX: one figure: M_PPS (received, packets/s), M_TXPPS
# (sent) and M_CPU (the least share of a CPU, in %, that the two forwarding
# threads had during the measurement: below 100, something else ran on
# their CPUs) and M_FULL (the % of the receiver's polls that returned a
# full burst, from testpmd's burst statistics: near 100 when the receiver is
# the slower side, low when the sender is), empty if not measured.
M_PPS=
M_TXPPS=
M_CPU=
M_FULL=
measure() {
	local size=$1 tx=$2 rx=$3 w0 w1 a0 a1 b0 b1
	M_PPS=
	M_TXPPS=
	M_CPU=
	M_FULL=
	tp_cmd "$tx" "stop" > /dev/null
	tp_cmd "$rx" "stop" > /dev/null
	tp_cmd "$rx" "set record-burst-stats on" > /dev/null
	tp_cmd "$tx" "set record-burst-stats on" > /dev/null
	tp_cmd "$rx" "set fwd rxonly" > /dev/null || return 0
	tp_cmd "$rx" "start" > /dev/null || return 0
	tp_cmd "$tx" "set fwd txonly" > /dev/null || return 0
	tp_cmd "$tx" "set txpkts $size" > /dev/null || return 0
	tp_cmd "$tx" "start" > /dev/null || return 0
	sleep "$WARMUP"
	w0=$EPOCHREALTIME
	a0=$(fwd_ticks "$tx")
	b0=$(fwd_ticks "$rx")
	tp_cmd "$rx" "show port stats 0" > /dev/null || return 0
	tp_cmd "$tx" "show port stats 0" > /dev/null || return 0
	sleep "$DURATION"
	tp_cmd "$rx" "show port stats 0" > /dev/null || return 0
	M_PPS=$(tp_val "$work/$rx.out" Rx-pps)
	tp_cmd "$tx" "show port stats 0" > /dev/null || return 0
	M_TXPPS=$(tp_val "$work/$tx.out" Tx-pps)
	w1=$EPOCHREALTIME
	a1=$(fwd_ticks "$tx")
	b1=$(fwd_ticks "$rx")
	if [ -n "$a0" ] && [ -n "$a1" ] && [ -n "$b0" ] && [ -n "$b1" ]; then
		M_CPU=$(awk -v a="$((a1 - a0))" -v b="$((b1 - b0))" -v t="$clk_tck" -v w0="$w0" -v w1="$w1" '
			BEGIN { m = (a < b ? a : b); printf "%.0f", m / t / (w1 - w0) * 100 }')
	fi
	tp_cmd "$tx" "stop" > /dev/null
	tp_cmd "$rx" "stop" > /dev/null
	# "RX-bursts : N [A% of 0 pkts + B% of 32 pkts]" (the two most frequent
	# burst sizes): the share of full bursts (testpmd's burst size is 32),
	# 0 if not among them.
	M_FULL=$(awk '/RX-bursts :/ { if (match($0, /[0-9]+% of 32 pkts/)) { v = substr($0, RSTART);
		sub(/%.*/, "", v); print v } else print 0; exit }' "$work/$rx.out")
	return 0
}

# median, minimum, maximum VALUE...: of the numbers among the values ("-"
# stands for a missing one); "-" if there is none.
numbers() { printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -n; }
median() { numbers "$@" | awk '{ v[++n] = $1 } END { print (n ? v[int((n + 1) / 2)] : "-") }'; }
minimum() { numbers "$@" | awk 'NR == 1 { m = $1 } END { print (NR ? m : "-") }'; }
maximum() { numbers "$@" | awk '{ m = $1 } END { print (NR ? m : "-") }'; }

# Results, as space-separated lists: per figure (PAIR,SIZE,DIR) the received
# and sent rates and CPU shares of each round; per pair the connect-to-link-up
# times of each connection.
declare -A R_PPS=() R_TX=() R_CPU=() R_FULL=() R_ROUND=() L_SRV=() L_APP=() L_DRV=() L_CLI=()
read -r -a dirs <<< "$DIRS"
dir_name() { [ "$1" = c2s ] && echo "client->server" || echo "server->client"; }

# lu_add PAIR: keep the connect-to-link-up times of the last connection.
lu_add() {
	local pair=$1
	[ -z "$LU_SRV" ] || L_SRV[$pair]+=" $LU_SRV"
	[ -z "$LU_CLI" ] || L_CLI[$pair]+=" $LU_CLI"
	[ -z "$LU_APP" ] || L_APP[$pair]+=" $LU_APP"
	if [ -n "$LU_SRV" ] && [ -n "$LU_APP" ]; then
		L_DRV[$pair]+=" $(awk -v a="$LU_SRV" -v b="$LU_APP" 'BEGIN { printf "%.1f", a - b }')"
	fi
}

# pair_up PAIR ROUND: start the pair's server and client (srv_PAIR,
# cli_PAIR) and time the connection; in round 1, LINKUP_RUNS - 1 clients
# connect and quit before it, each timed. Returns non-zero if the pair
# could not be brought up (counted, output printed).
pair_up() {
	local pair=$1 round=$2 a k srv=srv_$1 cli=cli_$1
	rm -f "$work/$pair.sock"
	mapfile -t a < <(server_args "$pair")
	if ! pmd_start "$srv" "$cpu_s" "${a[@]}"; then
		errors=$((errors + 1))
		tp_quit "$srv"
		return 1
	fi
	for _ in $(seq 100); do
		[ -S "$work/$pair.sock" ] && break
		sleep 0.05
	done
	if [ "$round" = 1 ]; then
		for ((k = 1; k < LINKUP_RUNS; k++)); do
			if ! client_connect "$pair" "${cli}_$k" "$srv"; then
				log "$(label "$pair"): connection $k failed; client output (first 100 lines):"
				head -n 100 "$work/${cli}_$k.log" >&2
				errors=$((errors + 1))
				tp_quit "${cli}_$k"
				break
			fi
			lu_add "$pair"
			tp_quit "${cli}_$k"
			tp_wait_link "$srv" down 10 || log "$pair: the server's link stayed up after the client quit"
		done
	fi
	if ! client_connect "$pair" "$cli" "$srv"; then
		errors=$((errors + 1))
		log "$(label "$pair"): the client could not be brought up; client output (first 100 lines):"
		head -n 100 "$work/$cli.log" >&2
		log "server output (first 100 lines):"
		head -n 100 "$work/$srv.log" >&2
		tp_quit "$cli"
		tp_quit "$srv"
		return 1
	fi
	lu_add "$pair"
	return 0
}

# run_round ROUND: bring every pair up (all at once: the ones not measured
# are idle, their forwarding stopped), then measure each figure for every
# pair in turn, back to back, so that a change in the machine's speed
# touches the pairs of a figure alike; the order of the pairs rotates from
# round to round. Then stop them all.
run_round() {
	local round=$1 pair size d key f i
	local up=() order=()
	log "round $round: starting $(for pair in $PAIRS; do printf '%s, ' "$(label "$pair")"; done | sed 's/, $//')"
	for pair in $PAIRS; do
		pair_up "$pair" "$round" && up+=("$pair")
	done
	for i in "${!up[@]}"; do
		order+=("${up[$(((i + round - 1) % ${#up[@]}))]}")
	done
	for size in $SIZES; do
		for d in "${dirs[@]}"; do
			for pair in "${order[@]}"; do
				if [ "$d" = c2s ]; then
					measure "$size" "cli_$pair" "srv_$pair"
				else
					measure "$size" "srv_$pair" "cli_$pair"
				fi
				key=$pair,$size,$d
				if [ -z "$M_PPS" ]; then
					errors=$((errors + 1))
					log "$(label "$pair") $size B $(dir_name "$d"): no measurement"
					continue
				fi
				R_PPS[$key]+=" $M_PPS"
				R_TX[$key]+=" ${M_TXPPS:--}"
				R_CPU[$key]+=" ${M_CPU:--}"
				R_FULL[$key]+=" ${M_FULL:--}"
				R_ROUND[$key]+=" $round"
				log "$(label "$pair") $size B $(dir_name "$d"): received $M_PPS pps, sent ${M_TXPPS:--} pps, CPU share ${M_CPU:--} %, receiver's full bursts ${M_FULL:--} %"
			done
		done
	done
	for pair in "${up[@]}"; do
		tp_quit "cli_$pair"
		tp_quit "srv_$pair"
	done
	# Keep each round's logs apart.
	for f in "$work"/srv_* "$work"/cli_*; do
		if [ -e "$f" ]; then
			mv "$f" "$work/r$round-${f##*/}"
		fi
	done
}

# From here on a step that fails is counted (errors) and the rest goes on.
set +e
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "CPUs $cpu_s (server) and $cpu_c (client); $DURATION s per figure after $WARMUP s; $REPEAT round(s); logs in $work"
for ((round = 1; round <= REPEAT; round++)); do
	run_round "$round"
done

# ------------------------------------------------------------ report
mpps() { awk -v p="$1" 'BEGIN { printf "%.2f", p / 1e6 }'; }
gbps() { awk -v p="$1" -v s="$2" 'BEGIN { printf "%.2f", p * s * 8 / 1e9 }'; }
ratio() {
	if [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
	else
		echo -
	fi
}

# paired A B SIZE DIR: "median (least-greatest)" of A's figure over B's,
# round by round, over the rounds in which both were measured with their
# CPUs; "-" if there is none.
paired() {
	local ka=$1,$3,$4 kb=$2,$3,$4 i j r
	local -a va vb ca cb ra rb q=()
	read -r -a va <<< "${R_PPS[$ka]:-}"
	read -r -a ca <<< "${R_CPU[$ka]:-}"
	read -r -a ra <<< "${R_ROUND[$ka]:-}"
	read -r -a vb <<< "${R_PPS[$kb]:-}"
	read -r -a cb <<< "${R_CPU[$kb]:-}"
	read -r -a rb <<< "${R_ROUND[$kb]:-}"
	for i in "${!ra[@]}"; do
		for j in "${!rb[@]}"; do
			[ "${ra[$i]}" = "${rb[$j]}" ] || continue
			if ! [[ ${ca[$i]:--} =~ ^[0-9]+$ && ${cb[$j]:--} =~ ^[0-9]+$ ]] ||
				[ "${ca[$i]}" -lt "$CPU_MIN" ] || [ "${cb[$j]}" -lt "$CPU_MIN" ]; then
				continue
			fi
			r=$(ratio "${va[$i]}" "${vb[$j]}")
			[ "$r" = - ] || q+=("$r")
		done
	done
	if [ ${#q[@]} = 0 ]; then
		echo -
	else
		echo "$(median "${q[@]}") ($(minimum "${q[@]}")-$(maximum "${q[@]}"))"
	fi
}

echo
echo "Machine: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) CPU(s), Linux $(uname -r)"
echo "testpmd: $testpmd ($(dpkg-query -W -f '${Package} ${Version}' dpdk 2> /dev/null || echo 'version unknown'))"
echo "Load average (1, 5, 15 min) at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(anything else running on these CPUs lowers the figures)"
echo
echo "Throughput: packets received per second, txonly -> rxonly, one CPU per testpmd"
echo "($DURATION s per figure after $WARMUP s of traffic. Mpps, Gbit/s (frames without CRC), sent"
echo "(the sender's Mpps) and rx full: medians over the rounds in which both forwarding threads"
echo "had at least $CPU_MIN % of their CPU (rounds: how many of all; 0/N!: none had, all are taken);"
echo "best: the highest of all rounds; rx full: the share of the receiver's polls that returned"
echo "a full burst of 32: near 100, the receiver is the slower side; near 0, usually the sender"
echo "is, but see doc/guides/howto/benchmark.rst)"
printf '%-20s %5s  %-15s %7s %7s %8s %7s %7s %7s\n' pair size direction Mpps best Gbit/s "sent" rounds "rx full"
declare -A MPPS=()
for pair in $PAIRS; do
	for size in $SIZES; do
		for d in "${dirs[@]}"; do
			key=$pair,$size,$d
			read -r -a v <<< "${R_PPS[$key]:-}"
			read -r -a t <<< "${R_TX[$key]:-}"
			read -r -a c <<< "${R_CPU[$key]:-}"
			read -r -a id <<< "${R_FULL[$key]:-}"
			if [ ${#v[@]} = 0 ]; then
				printf '%-20s %5s  %-15s %7s\n' "$(label "$pair")" "$size" "$(dir_name "$d")" "not run"
				continue
			fi
			# The rounds in which both forwarding threads had their CPU.
			u=()
			ut=()
			uf=()
			for i in "${!v[@]}"; do
				if [[ ${c[$i]:--} =~ ^[0-9]+$ ]] && [ "${c[$i]}" -ge "$CPU_MIN" ]; then
					u+=("${v[$i]}")
					ut+=("${t[$i]:--}")
					uf+=("${id[$i]:--}")
				fi
			done
			used="${#u[@]}/${#v[@]}"
			if [ ${#u[@]} = 0 ]; then
				u=("${v[@]}")
				ut=("${t[@]}")
				uf=("${id[@]}")
				used="0/${#v[@]}!"
			fi
			MPPS[$key]=$(median "${u[@]}")
			tm=$(median "${ut[@]}")
			printf '%-20s %5s  %-15s %7s %7s %8s %7s %7s %7s\n' "$(label "$pair")" "$size" "$(dir_name "$d")" \
				"$(mpps "${MPPS[$key]}")" "$(mpps "$(maximum "${v[@]}")")" "$(gbps "${MPPS[$key]}" "$size")" \
				"$([ "$tm" != - ] && mpps "$tm" || echo -)" "$used" "$(median "${uf[@]}")"
		done
	done
done

case " $PAIRS " in
*" iavf "*)
	echo
	echo "Ratios of iavfbe/iavf_client to the others (received Mpps): of the medians above, and"
	echo "paired: the median of the ratios of figures taken back to back in the same round"
	echo "(the rounds in which the forwarding threads of both had their CPUs; in brackets the"
	echo "least and the greatest)"
	printf '%5s  %-15s %9s %20s %9s %20s\n' size direction "to vhost" "paired" "to memif" "paired"
	for size in $SIZES; do
		for d in "${dirs[@]}"; do
			printf '%5s  %-15s %9s %20s %9s %20s\n' "$size" "$(dir_name "$d")" \
				"$(ratio "${MPPS[iavf,$size,$d]:-}" "${MPPS[vhost,$size,$d]:-}")" \
				"$(paired iavf vhost "$size" "$d")" \
				"$(ratio "${MPPS[iavf,$size,$d]:-}" "${MPPS[memif,$size,$d]:-}")" \
				"$(paired iavf memif "$size" "$d")"
		done
	done
	;;
esac

if [[ " $PAIRS " == *" iavf "* && " $PAIRS " == *" base "* ]]; then
	echo
	echo "Before/after: iavfbe/iavf_client of BUILD ($BUILD) to the same of BASE_BUILD"
	echo "($BASE_BUILD), received Mpps: of the medians, and paired round by round"
	printf '%5s  %-15s %9s %20s\n' size direction "to base" "paired"
	for size in $SIZES; do
		for d in "${dirs[@]}"; do
			printf '%5s  %-15s %9s %20s\n' "$size" "$(dir_name "$d")" \
				"$(ratio "${MPPS[iavf,$size,$d]:-}" "${MPPS[base,$size,$d]:-}")" \
				"$(paired iavf base "$size" "$d")"
		done
	done
fi

echo
echo "Connect to link up, ms (median over the connections; goal for iavf: under 20 ms)"
echo "  server port: from the server's log line for the accepted connection to its port's"
echo "  link state change event (memif: its 'Connected' line); client app: the part of it the"
echo "  client testpmd spent on its own set-up (mbuf pool: 'Interactive-mode selected' to"
echo "  'Configuring Port 0');"
echo "  drivers: the difference (fastest: its least value); client port (iavf only): from the"
echo "  accepted connection to the client's port started with link up"
printf '%-20s %11s %12s %11s %9s %10s %12s\n' pair connections "server port" "client app" drivers "(fastest)" "client port"
declare -A DRV=()
for pair in $PAIRS; do
	read -r -a ls <<< "${L_SRV[$pair]:-}"
	read -r -a la <<< "${L_APP[$pair]:-}"
	read -r -a ld <<< "${L_DRV[$pair]:-}"
	read -r -a lc <<< "${L_CLI[$pair]:-}"
	DRV[$pair]=$(median "${ld[@]}")
	printf '%-20s %11s %12s %11s %9s %10s %12s\n' "$(label "$pair")" "${#ls[@]}" "$(median "${ls[@]}")" \
		"$(median "${la[@]}")" "${DRV[$pair]}" "$(minimum "${ld[@]}")" "$(median "${lc[@]}")"
done

case " $PAIRS " in
*" iavf "*)
	drv=${DRV[iavf]:--}
	if [ "$drv" != - ]; then
		verdict=$(awk -v d="$drv" 'BEGIN { print (d < 20 ? "under" : "NOT under") }')
		echo "iavf: the drivers' share of connect to link up, $drv ms, is $verdict the 20 ms goal"
	fi
	;;
esac

if [ "$errors" != 0 ]; then
	log "$errors measurement(s) or connection(s) could not be made (see above)"
	exit 1
fi
exit 0
