#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# The embedding example (examples/vswitch), as a vendor would use it: copied
# out of the tree, built there with its Makefile against the installed
# project through pkg-config (module libdpdk-emu), shared and static, and
# run:
#   dpdk-vswitch --vdev net_ring0 ... -- --guest G0 --guest G1 --uplink net_ring0
# with a stock dpdk-testpmd running net_iavf_client on each guest socket.
# net_ring0 created with no argument is a loopback: what the switch sends on
# it comes back on its receive queue.
#
# Checked (every figure from the example's own state lines, read after a
# SIGUSR1, and testpmd's `show port stats`):
#  - both builds succeed; the shared binary links the installed
#    librte_emudev, the static one needs no librte_emudev.so (the static
#    build is skipped, not counted, when a static link of DPDK itself fails
#    on the machine: the reason is printed);
#  - the state lines show both clients connected, the guests ready, links up;
#  - guest0 -> guest1 and guest1 -> guest0 unicast (to the other guest's
#    MAC): the sender's TX-packets all received by the switch, forwarded to
#    the other guest (sent + refused = received), nothing to the uplink, the
#    receiver's RX-packets = what the switch sent it;
#  - guest0 -> an unknown unicast MAC: everything to the uplink, back from
#    the loopback, dropped there as no_route; nothing to a guest;
#  - guest1 -> broadcast: to guest0 and the uplink; the uplink's copies come
#    back and go to both guests; every count adds up;
#  - a client quitting: "client gone" and "link down" lines, client=none;
#  - SIGTERM: status 0, final state, "stopped", the sockets removed
#    (rte_vdev_uninit);
#  - then, with the static binary (no -d) when it was built, two guests, no
#    uplink, two worker lcores: unknown unicast dropped as no_route,
#    broadcast to the other guest only, both guests sending to each other at
#    once with exact counts, SIGINT stops;
#  - bad command lines refused with a clear message (and --help), a socket
#    path that is a regular file refused at creation, and the shared binary
#    without the PMDs says how to load them.
#
# usage: PREFIX=<staged install prefix> bash devtools/test-example.sh   (as root)
# Environment:
#   PREFIX     an installed dpdk-emu (libdpdk-emu.pc somewhere under it);
#              unset: this script installs the tree into a private 0700
#              directory under $HOME (EAL refuses -d plugins under
#              world-writable directories such as /tmp), removed at the end
#   BUILD      build directory for that installation (default: build-example)
#   TESTPMD    testpmd binary (default: dpdk-testpmd, Debian's dpdk-dev)
#   DURATION   seconds of traffic per run (default: 2)
#   MEM        MiB of hugepage memory per process (default: 256)
#   MIN_PKTS   least packets a run must carry to count (default: 1000)
#   KEEP_LOGS=1  keep the logs directory
# Output: PASS/FAIL lines, then "N passed, M failed". Exit status: 0 all
# passed, 77 skipped (the reason printed), anything else failed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
# shellcheck source=devtools/lib-testpmd.sh
. devtools/lib-testpmd.sh
TESTPMD=${TESTPMD:-dpdk-testpmd}
DURATION=${DURATION:-2}
MEM=${MEM:-256}
MIN_PKTS=${MIN_PKTS:-1000}
DRAIN=1

need_root "hugepages, /var/run/dpdk"
need_testpmd
for t in make cc pkg-config ldd; do
	command -v "$t" > /dev/null || skip "$t not found"
done
pkg-config --exists libdpdk || skip "pkg-config finds no libdpdk (Debian: libdpdk-dev)"
need_hugepages $((3 * MEM))
mapfile -t cpus < <(allowed_cpus)
[ ${#cpus[@]} -ge 1 ] || die "cannot read the allowed CPUs"
cpu_s=${cpus[0]}
cpu_c=${cpus[1]:-${cpus[0]}}

stage=
# The switch (its pid in VS_PID, its output in $work/vsw*.log) and testpmd
# clients (devtools/lib-testpmd.sh).
VS_PID=
VS_LOG=
VS_PREFIX=
# shellcheck disable=SC2317 # called by the trap
at_exit() {
	bg_kill "$VS_PID"
	[ -z "$VS_PREFIX" ] || tp_files_rm "$VS_PREFIX"
	[ -z "$stage" ] || rm -rf "$stage"
}
work_init emu-example
TP_WORK=$work

# ------------------------------------------------------------ the installation
if [ -z "${PREFIX:-}" ]; then
	BUILD=${BUILD:-build-example}
	stage=$(mktemp -d "$HOME/.dpdk-emu-example.XXXXXX")
	chmod 700 "$stage"
	PREFIX=$stage/prefix
	log "PREFIX unset: installing the tree into $PREFIX (build directory $BUILD)"
	if [ -d "$BUILD" ]; then
		meson configure "$BUILD" --prefix "$PREFIX" > "$work/meson.log" 2>&1
	else
		meson setup "$BUILD" --prefix "$PREFIX" -Dtests=false > "$work/meson.log" 2>&1
	fi || die "meson setup $BUILD failed: $(tail -5 "$work/meson.log")"
	ninja -C "$BUILD" -j2 >> "$work/meson.log" 2>&1 ||
		die "build failed: $(tail -20 "$work/meson.log")"
	meson install -C "$BUILD" --quiet >> "$work/meson.log" 2>&1 ||
		die "meson install failed: $(tail -20 "$work/meson.log")"
fi
[ -d "$PREFIX" ] || die "PREFIX=$PREFIX is not a directory"
pc=$(find "$PREFIX" -name libdpdk-emu.pc -print -quit)
[ -n "$pc" ] || skip "no libdpdk-emu.pc under $PREFIX: the installation has no pkg-config module"
PKG_CONFIG_PATH=$(dirname "$pc")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
export PKG_CONFIG_PATH
pmddir=$(pkg-config --variable=pmddir libdpdk-emu)
libdir=$(pkg-config --variable=libdir libdpdk-emu)
{ [ -n "$pmddir" ] && [ -d "$pmddir" ]; } ||
	die "pkg-config --variable=pmddir libdpdk-emu: '$pmddir' is not a directory"
dpdk_libdir=$(pkg-config --variable=libdir libdpdk)
# Plugins in DPDK's own plugin directory are loaded with no -d.
dflag=()
case $(realpath "$pmddir") in
"$(realpath "$dpdk_libdir")"/dpdk/pmds-*) log "PMDs in DPDK's plugin directory $pmddir: no -d" ;;
*) dflag=(-d "$pmddir") ;;
esac
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
log "libdpdk-emu $(pkg-config --modversion libdpdk-emu) from $pc; pmddir $pmddir"

# ------------------------------------------------------------ the builds
passed=0
failed=0
src=$work/vswitch
cp -r examples/vswitch "$src"
rm -rf "$src/build"
shared_bin=
static_bin=
if make -C "$src" shared > "$work/make-shared.log" 2>&1 && [ -x "$src/build/dpdk-vswitch-shared" ]; then
	shared_bin=$src/build/dpdk-vswitch-shared
	check "out-of-tree shared build (make, pkg-config libdpdk-emu)" 1
	line=$(ldd "$shared_bin" | grep 'librte_emudev\.so' || true)
	check "the shared binary uses the installed librte_emudev: ${line# }" \
		"$(is grep -q "=> $(realpath "$libdir")/\|=> $libdir/" <<< "$line")"
else
	tail -20 "$work/make-shared.log"
	check "out-of-tree shared build (make, pkg-config libdpdk-emu)" 0
fi
# no_emu_so BIN: BIN needs none of the project's shared libraries.
# shellcheck disable=SC2317 # called through is
no_emu_so() { ! ldd "$1" 2>&1 | grep -q 'librte_emudev\|librte_vfio_user'; }
# A static link of DPDK itself (Debian's libdpdk.pc --static) may need
# packages this machine does not have: then the static build is skipped.
printf '#include <rte_eal.h>\nint main(int c, char **v) { return rte_eal_init(c, v) < 0; }\n' \
	> "$work/probe.c"
# shellcheck disable=SC2046 # pkg-config output is a word list
if ! cc "$work/probe.c" -o "$work/probe" $(pkg-config --cflags libdpdk) \
	$(pkg-config --static --libs libdpdk) > "$work/probe.log" 2>&1; then
	log "SKIP: static build: DPDK's own static link fails here ($(grep -m1 -i 'cannot find\|undefined' "$work/probe.log" || tail -1 "$work/probe.log")); not counted"
elif make -C "$src" static > "$work/make-static.log" 2>&1 && [ -x "$src/build/dpdk-vswitch-static" ]; then
	static_bin=$src/build/dpdk-vswitch-static
	check "out-of-tree static build (make static, pkg-config --static)" 1
	check "the static binary needs no librte_emudev.so nor librte_vfio_user.so" \
		"$(is no_emu_so "$static_bin")"
else
	tail -20 "$work/make-static.log"
	check "out-of-tree static build (make static, pkg-config --static)" 0
fi
[ -n "$shared_bin" ] || {
	log "no shared binary: nothing to run"
	printf '%d passed, %d failed\n' "$passed" "$failed"
	exit 1
}

# ------------------------------------------------------------ drivers
# vs_start BIN LOGNAME EAL-EXTRA... -- ARGS...: start the switch on the
# lcores VS_LCORES, wait for its "forwarding" line (0) or its death (1).
VS_LCORES=0@$cpu_s,1@$cpu_s
vs_start() {
	local bin=$1 name=$2 i
	shift 2
	VS_LOG=$work/$name.log
	VS_PREFIX=emuex-$$-$name
	echo "$bin --file-prefix=$VS_PREFIX --lcores $VS_LCORES -m $MEM --single-file-segments --no-pci $*" > "$VS_LOG.cmd"
	"$bin" --file-prefix="$VS_PREFIX" --lcores "$VS_LCORES" -m "$MEM" \
		--single-file-segments --no-pci --log-level=lib.eal:notice "$@" > "$VS_LOG" 2>&1 &
	VS_PID=$!
	for ((i = 0; i < 300; i++)); do
		grep -q '^vswitch: forwarding on' "$VS_LOG" && return 0
		kill -0 "$VS_PID" 2> /dev/null || break
		sleep 0.1
	done
	log "$name: the switch did not start; its output:"
	cat "$VS_LOG"
	return 1
}

# vs_stop SIGNAL: 0 when it exits with status 0 within 20 s.
VS_RC=
vs_stop() {
	local i
	VS_RC=timeout
	kill "-$1" "$VS_PID" 2> /dev/null || true
	for ((i = 0; i < 200; i++)); do
		kill -0 "$VS_PID" 2> /dev/null || break
		sleep 0.1
	done
	if kill -0 "$VS_PID" 2> /dev/null; then
		kill -9 "$VS_PID" 2> /dev/null || true
		wait "$VS_PID" 2> /dev/null || true
	else
		VS_RC=0
		wait "$VS_PID" || VS_RC=$?
	fi
	VS_PID=
	tp_files_rm "$VS_PREFIX"
	[ "$VS_RC" = 0 ]
}

# vs_wait REGEX [SECONDS]: 0 once a line of the switch's output matches.
vs_wait() {
	local i n=${2:-20}
	for ((i = 0; i < n * 10; i++)); do
		grep -qE "$1" "$VS_LOG" && return 0
		sleep 0.1
	done
	return 1
}

# snap FILE: SIGUSR1, then the state block it prints (VS_PORTS lines) as
# "role.key value" lines in FILE, and as printed in FILE.raw.
VS_PORTS=3
snap() {
	local off i
	off=$(wc -l < "$VS_LOG")
	kill -USR1 "$VS_PID"
	for ((i = 0; i < 100; i++)); do
		if tail -n +"$((off + 1))" "$VS_LOG" | awk -v want="$VS_PORTS" '
			/^vswitch: state \(SIGUSR1\)/ { h = 1; n = 0; next }
			h && /^vswitch: [a-z0-9]+ port=/ { n++ }
			END { exit !(h && n >= want) }'; then
			break
		fi
		sleep 0.05
	done
	tail -n +"$((off + 1))" "$VS_LOG" | awk -v want="$VS_PORTS" '
		/^vswitch: state \(SIGUSR1\)/ { h = 1; print; next }
		h && /^vswitch: [a-z0-9]+ port=/ { print; if (++n == want) exit }' > "$1.raw"
	tail -n +"$((off + 1))" "$VS_LOG" | awk -v want="$VS_PORTS" '
		/^vswitch: state \(SIGUSR1\)/ { h = 1; next }
		h && /^vswitch: [a-z0-9]+ port=/ {
			for (i = 3; i <= NF; i++) { split($i, kv, "="); print $2 "." kv[1], kv[2] }
			if (++n == want) exit
		}' > "$1"
}
# sv FILE KEY: a value of a snapshot.
sv() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }
# dv KEY: its change between $work/pre and $work/post.
dv() {
	local a b
	a=$(sv "$work/pre" "$1")
	b=$(sv "$work/post" "$1")
	if [[ $a =~ ^[0-9]+$ ]] && [[ $b =~ ^[0-9]+$ ]]; then echo $((b - a)); else echo "?"; fi
}

# Clients: testpmd with net_iavf_client (LD_LIBRARY_PATH is set above).
pmd_start() {
	local id=$1 cpu=$2
	shift 2
	tp_start "$id" "emuex-$$-$id" --lcores "0@$cpu,1@$cpu" -m "$MEM" \
		--single-file-segments --no-pci --log-level=lib.eal:notice "${dflag[@]}" "$@"
}
# pstat ID KEY: from the last `show port stats 0` of ID.
pstat() {
	tp_cmd "$1" "show port stats 0" || true
	tp_val "$work/$1.out" "$2"
}
pmac() {
	tp_cmd "$1" "show port info 0" || true
	awk '/MAC address:/ { print $3; exit }' "$work/$1.out"
}
# run NAME SENDER RECEIVER DST: SENDER sends (txonly to DST) for DURATION
# seconds while RECEIVER receives; then both drain. Leaves the switch's
# state before and after in $work/pre and $work/post, the clients' port
# counters in TX_<id> and RX_<id>.
declare -A TX=() RX=()
run() {
	local name=$1 s=$2 r=$3 dst=$4 id
	for id in "$s" "$r"; do
		tp_cmd "$id" "stop" > /dev/null || true
		tp_cmd "$id" "set fwd rxonly" || true
		tp_cmd "$id" "start" || true
	done
	sleep 0.5
	for id in "$s" "$r"; do
		tp_cmd "$id" "stop" > /dev/null || true
		tp_cmd "$id" "clear port stats all" || true
	done
	snap "$work/pre"
	tp_cmd "$r" "start" || true
	tp_cmd "$s" "set eth-peer 0 $dst" || true
	tp_cmd "$s" "set fwd txonly" || true
	tp_cmd "$s" "start" || true
	sleep "$DURATION"
	tp_cmd "$s" "stop" || true
	# The sender drains what reached it meanwhile (broadcast copies).
	tp_cmd "$s" "set fwd rxonly" || true
	tp_cmd "$s" "start" || true
	sleep "$DRAIN"
	tp_cmd "$s" "stop" || true
	tp_cmd "$r" "stop" || true
	snap "$work/post"
	for id in "$s" "$r"; do
		TX[$id]=$(pstat "$id" TX-packets)
		RX[$id]=$(pstat "$id" RX-packets)
	done
	log "$name: $s TX-packets ${TX[$s]} RX-packets ${RX[$s]}, $r RX-packets ${RX[$r]}"
	for id in guest0 guest1 ${uplink_role:-}; do
		log "$name: switch $id: rx +$(dv "$id.rx") tx +$(dv "$id.tx") tx_drop +$(dv "$id.tx_drop") no_route +$(dv "$id.no_route")"
	done
}

# ------------------------------------------------------------ bad command lines
# bad WHAT EXPECTED-MESSAGE ARGS...: the shared binary refuses ARGS (status
# not 0) with a line containing EXPECTED-MESSAGE.
bad() {
	local what=$1 msg=$2 rc=0 out=$work/bad.out
	shift 2
	timeout 60 "$shared_bin" --no-huge -m 128 --no-pci --no-shconf -l 0 \
		--file-prefix="emuex-$$-bad" --log-level=lib.eal:notice "${dflag[@]}" "$@" \
		> "$out" 2>&1 || rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -qF -- "$msg" "$out" && grep -q '^usage:\|cannot create' "$out"; then
		check "refused, $what: $(grep -m1 -F -- "$msg" "$out")" 1
	else
		log "$what: status $rc, output:"
		cat "$out"
		check "refused, $what (status $rc, expected a line with '$msg')" 0
	fi
}
g0=$work/g0.sock
g1=$work/g1.sock
long=$work/$(printf 'x%.0s' $(seq 1 110))
bad "no --guest" "at least one --guest PATH is required" --
bad "empty socket path" "--guest: empty socket path" -- --guest ""
bad "socket path of 110+ bytes" "longer than 107 bytes" -- --guest "$long"
bad "',' in a socket path" "cannot contain ','" -- --guest "$work/a,mac=00:11:22:33:44:55"
bad "the same socket twice" "given twice" -- --guest "$g0" --guest "$g0"
many=()
for i in $(seq 0 16); do many+=(--guest "$work/m$i.sock"); done
bad "17 guests" "more than 16 guests" -- "${many[@]}"
bad "--stats abc" "is not a number of seconds in 0..3600" -- --guest "$g0" --stats abc
bad "--stats -1" "is not a number of seconds in 0..3600" -- --guest "$g0" --stats -1
bad "--stats 3601" "is not a number of seconds in 0..3600" -- --guest "$g0" --stats 3601
bad "an unknown --uplink" "--uplink net_ring7: no such ethdev port" -- --guest "$g0" --uplink net_ring7
bad "two --uplink" "--uplink: given twice" --vdev net_ring0 -- --guest "$g0" --uplink net_ring0 --uplink net_ring0
bad "an unknown option" "unrecognized option '--gest'" -- --gest "$g0"
bad "a stray argument" "unexpected argument 'extra'" -- --guest "$g0" extra
: > "$work/regular-file"
bad "a socket path that is a regular file" "emu_iavf_vsw0: cannot create it" -- --guest "$work/regular-file"
check "the regular file is left in place" "$(is test -f "$work/regular-file")"
rc=0
"$shared_bin" --no-huge -m 128 --no-pci --no-shconf -l 0 --file-prefix="emuex-$$-bad" -- --help \
	> "$work/help.out" 2>&1 || rc=$?
check "--help: status $rc, usage printed" "$(is eqn "$rc" 0)$(grep -q '^usage:' "$work/help.out" || echo 0)"
if [ ${#dflag[@]} -gt 0 ]; then
	rc=0
	timeout 60 "$shared_bin" --no-huge -m 128 --no-pci --no-shconf -l 0 --file-prefix="emuex-$$-bad" \
		-- --guest "$g0" > "$work/nod.out" 2>&1 || rc=$?
	line=$(grep -m1 'no emu_iavf driver in this process' "$work/nod.out" || true)
	check "without -d: status $rc, says how to load the PMDs: ${line#*: }" \
		"$(if [ "$rc" != 0 ] && [ -n "$line" ]; then echo 1; else echo 0; fi)"
fi
tp_files_rm "emuex-$$-bad"

# ------------------------------------------------------------ the switch, shared
uplink_role=uplink
if vs_start "$shared_bin" vsw "${dflag[@]}" --vdev net_ring0 -- --guest "$g0" --guest "$g1" \
	--uplink net_ring0 --stats 1 --trust-client-memory; then
	check "the shared switch starts: $(grep -m1 '^vswitch: forwarding on' "$VS_LOG")" 1
	pmd_start cA "$cpu_c" --vdev "net_iavf_client0,path=$g0" -- --forward-mode=rxonly ||
		die "client A did not start"
	pmd_start cB "$cpu_c" --vdev "net_iavf_client0,path=$g1" -- --forward-mode=rxonly ||
		die "client B did not start"
	for g in guest0 guest1; do
		check "$g: $(vs_wait "^vswitch: $g: client connected" && grep -m1 "^vswitch: $g: client connected" "$VS_LOG" || echo "no 'client connected' line")" \
			"$(is vs_wait "^vswitch: $g: client connected")"
		check "$g: $(vs_wait "^vswitch: $g: link up" && grep -m1 "^vswitch: $g: link up" "$VS_LOG" || echo "no 'link up' line")" \
			"$(is vs_wait "^vswitch: $g: link up")"
	done
	# A periodic state block after both links came up.
	vs_wait "^vswitch: state \(periodic\)" 5 || true
	sleep 1.2
	for g in guest0 guest1; do
		line=$(grep "^vswitch: $g port=" "$VS_LOG" | tail -1)
		check "$g state line: $line" \
			"$(is grep -qE 'client=connected ready=yes .* link=up speed=[1-9]' <<< "$line")"
	done
	macA=$(pmac cA)
	macB=$(pmac cB)
	log "client A (guest0) MAC $macA, client B (guest1) MAC $macB"
	check "the clients' MACs are the switch's guest MACs" \
		"$(is grep -qi "guest0 .*mac=$macA" "$VS_LOG")$(grep -qi "guest1 .*mac=$macB" "$VS_LOG" || echo 0)"

	# guest0 -> guest1, guest1 -> guest0
	for dir in "cA cB guest0 guest1 $macB" "cB cA guest1 guest0 $macA"; do
		read -r s r gs gr dst <<< "$dir"
		run "$gs->$gr" "$s" "$r" "$dst"
		S=${TX[$s]}
		check "$gs->$gr: $s sent $S (>= $MIN_PKTS)" "$(is gen "$S" "$MIN_PKTS")"
		check "$gs->$gr: the switch received them all from $gs (rx +$(dv "$gs.rx"))" "$(is eqn "$(dv "$gs.rx")" "$S")"
		sum=$(($(dv "$gr.tx") + $(dv "$gr.tx_drop")))
		check "$gs->$gr: all forwarded to $gr (tx +$(dv "$gr.tx") + tx_drop +$(dv "$gr.tx_drop") = $sum)" "$(is eqn "$sum" "$S")"
		check "$gs->$gr: $r received what the switch sent ($(dv "$gr.tx")) and enough" \
			"$(is eqn "${RX[$r]}" "$(dv "$gr.tx")")$(gen "${RX[$r]}" "$MIN_PKTS" || echo 0)"
		check "$gs->$gr: nothing to the uplink, nothing unrouted" \
			"$(is eqn "$(dv uplink.tx)$(dv uplink.tx_drop)$(dv "$gs.no_route")" 000)"
	done

	# guest0 -> unknown unicast: to the uplink, back, no route.
	run "guest0->unknown" cA cB 02:00:00:00:00:99
	S=${TX[cA]}
	check "guest0->unknown: cA sent $S (>= $MIN_PKTS), the switch received them (rx +$(dv guest0.rx))" \
		"$(is gen "$S" "$MIN_PKTS")$(eqn "$(dv guest0.rx)" "$S" || echo 0)"
	sum=$(($(dv uplink.tx) + $(dv uplink.tx_drop)))
	check "guest0->unknown: all to the uplink (tx +$(dv uplink.tx) + tx_drop +$(dv uplink.tx_drop) = $sum)" "$(is eqn "$sum" "$S")"
	check "guest0->unknown: the loopback gave them back (rx +$(dv uplink.rx)), dropped as no_route (+$(dv uplink.no_route))" \
		"$(is eqn "$(dv uplink.rx)" "$(dv uplink.tx)")$(eqn "$(dv uplink.no_route)" "$(dv uplink.rx)" || echo 0)"
	check "guest0->unknown: no guest got any (guest tx +$(dv guest0.tx) +$(dv guest1.tx), cB RX ${RX[cB]})" \
		"$(is eqn "$(dv guest0.tx)$(dv guest1.tx)${RX[cB]}" 000)"

	# guest1 -> broadcast: guest0 and the uplink; the uplink's copies back to both guests.
	run "guest1->broadcast" cB cA ff:ff:ff:ff:ff:ff
	S=${TX[cB]}
	U=$(dv uplink.rx)
	check "broadcast: cB sent $S (>= $MIN_PKTS), the switch received them (rx +$(dv guest1.rx))" \
		"$(is gen "$S" "$MIN_PKTS")$(eqn "$(dv guest1.rx)" "$S" || echo 0)"
	sum=$(($(dv uplink.tx) + $(dv uplink.tx_drop)))
	check "broadcast: a copy of each to the uplink ($sum), back from the loopback ($U)" \
		"$(is eqn "$sum" "$S")$(eqn "$U" "$(dv uplink.tx)" || echo 0)"
	sum=$(($(dv guest0.tx) + $(dv guest0.tx_drop)))
	check "broadcast: guest0 got one from guest1 and one from the uplink for each ($sum = $S + $U)" \
		"$(is eqn "$sum" "$((S + U))")"
	sum=$(($(dv guest1.tx) + $(dv guest1.tx_drop)))
	check "broadcast: guest1 got the uplink's copies back ($sum = $U)" "$(is eqn "$sum" "$U")"
	check "broadcast: cA received what the switch sent guest0 (${RX[cA]} = $(dv guest0.tx), >= $MIN_PKTS)" \
		"$(is eqn "${RX[cA]}" "$(dv guest0.tx)")$(gen "${RX[cA]}" "$MIN_PKTS" || echo 0)"
	check "broadcast: cB received what the switch sent guest1 (${RX[cB]} = $(dv guest1.tx))" \
		"$(is eqn "${RX[cB]}" "$(dv guest1.tx)")"

	# A client leaves.
	tp_quit cA || true
	check "guest0: $(vs_wait "^vswitch: guest0: client gone" && grep -m1 "^vswitch: guest0: client gone" "$VS_LOG" || echo "no 'client gone' line")" \
		"$(is vs_wait "^vswitch: guest0: client gone")"
	check "guest0: $(vs_wait "^vswitch: guest0: link down" && grep -m1 "^vswitch: guest0: link down" "$VS_LOG" || echo "no 'link down' line")" \
		"$(is vs_wait "^vswitch: guest0: link down")"
	snap "$work/after"
	st="$(sv "$work/after" guest0.client) $(sv "$work/after" guest0.link) $(sv "$work/after" guest1.client) $(sv "$work/after" guest1.link)"
	check "after guest0's client left: guest0 client and link, guest1 client and link: $st" \
		"$(is test "$st" = "none down connected up")"
	tp_quit cB || true
	vs_stop TERM || true
	check "SIGTERM: status $VS_RC, final state, stopped" \
		"$(is eqn "$VS_RC" 0)$(grep -q '^vswitch: state (final)' "$work/vsw.log" && grep -q '^vswitch: stopped' "$work/vsw.log" || echo 0)"
	check "the guest sockets are removed (rte_vdev_uninit)" "$(is test ! -e "$g0" -a ! -e "$g1")"
	log "the switch's state after the broadcast run, then its last lines:"
	sed 's/^/    /' "$work/post.raw"
	grep '^vswitch: ' "$work/vsw.log" | tail -n 12 | sed 's/^/    /'
else
	check "the shared switch starts" 0
fi

# ------------------------------------------------------------ no uplink, two workers
# The static binary (no -d) when it was built, else the shared one; two
# guests, no uplink, two worker lcores (one port each).
if [ -n "$static_bin" ]; then
	bin=$static_bin
	kind=static
	vflag=()
else
	bin=$shared_bin
	kind=shared
	vflag=("${dflag[@]}")
fi
VS_LCORES=0@$cpu_s,1@$cpu_s,2@$cpu_c
VS_PORTS=2
uplink_role=
if vs_start "$bin" vsw2 "${vflag[@]}" -- --guest "$g0" --guest "$g1" --stats 0 --trust-client-memory; then
	check "$kind, no uplink, lcores $VS_LCORES: $(grep -m1 '^vswitch: forwarding on' "$VS_LOG")" \
		"$(is grep -q '^vswitch: forwarding on 2 lcores' "$VS_LOG")"
	pmd_start dA "$cpu_c" --vdev "net_iavf_client0,path=$g0" -- --forward-mode=rxonly ||
		die "client A did not start"
	pmd_start dB "$cpu_c" --vdev "net_iavf_client0,path=$g1" -- --forward-mode=rxonly ||
		die "client B did not start"
	check "$kind, no uplink: both clients connected, links up" \
		"$(is vs_wait "^vswitch: guest0: link up")$(vs_wait "^vswitch: guest1: link up" || echo 0)"

	run "no uplink: guest0->unknown" dA dB 02:00:00:00:00:99
	S=${TX[dA]}
	check "no uplink: guest0->unknown: dA sent $S (>= $MIN_PKTS), all dropped as no_route (rx +$(dv guest0.rx), no_route +$(dv guest0.no_route))" \
		"$(is gen "$S" "$MIN_PKTS")$(eqn "$(dv guest0.rx)" "$S" || echo 0)$(eqn "$(dv guest0.no_route)" "$S" || echo 0)"
	check "no uplink: guest0->unknown: nothing to guest1 (tx +$(dv guest1.tx), dB RX ${RX[dB]})" \
		"$(is eqn "$(dv guest1.tx)${RX[dB]}" 00)"

	run "no uplink: guest0->broadcast" dA dB ff:ff:ff:ff:ff:ff
	S=${TX[dA]}
	sum=$(($(dv guest1.tx) + $(dv guest1.tx_drop)))
	check "no uplink: broadcast from guest0: all to guest1 ($sum = $S), none back to guest0 (tx +$(dv guest0.tx))" \
		"$(is gen "$S" "$MIN_PKTS")$(eqn "$sum" "$S" || echo 0)$(eqn "$(dv guest0.tx)$(dv guest0.tx_drop)" 00 || echo 0)"
	check "no uplink: broadcast: dB received what the switch sent guest1 (${RX[dB]} = $(dv guest1.tx), >= $MIN_PKTS)" \
		"$(is eqn "${RX[dB]}" "$(dv guest1.tx)")$(gen "${RX[dB]}" "$MIN_PKTS" || echo 0)"

	# Both ways at once: each worker forwards one guest into the other.
	tp_cmd dA "set eth-peer 0 $(pmac dB)" || true
	tp_cmd dB "set eth-peer 0 $(pmac dA)" || true
	for id in dA dB; do
		tp_cmd "$id" "clear port stats all" || true
	done
	snap "$work/pre"
	for id in dA dB; do
		tp_cmd "$id" "set fwd txonly" || true
		tp_cmd "$id" "start" || true
	done
	sleep "$DURATION"
	for id in dA dB; do
		tp_cmd "$id" "stop" || true
		tp_cmd "$id" "set fwd rxonly" || true
		tp_cmd "$id" "start" || true
	done
	sleep "$DRAIN"
	for id in dA dB; do
		tp_cmd "$id" "stop" || true
		TX[$id]=$(pstat "$id" TX-packets)
		RX[$id]=$(pstat "$id" RX-packets)
	done
	snap "$work/post"
	log "both ways: dA TX ${TX[dA]} RX ${RX[dA]}, dB TX ${TX[dB]} RX ${RX[dB]}"
	for id in guest0 guest1; do
		log "both ways: switch $id: rx +$(dv "$id.rx") tx +$(dv "$id.tx") tx_drop +$(dv "$id.tx_drop") no_route +$(dv "$id.no_route")"
	done
	sum=$(($(dv guest1.tx) + $(dv guest1.tx_drop)))
	check "both ways: guest0 -> guest1: sent ${TX[dA]}, received $(dv guest0.rx), forwarded $sum, dB got ${RX[dB]}" \
		"$(is gen "${TX[dA]}" "$MIN_PKTS")$(eqn "$(dv guest0.rx)" "${TX[dA]}" || echo 0)$(eqn "$sum" "${TX[dA]}" || echo 0)$(eqn "${RX[dB]}" "$(dv guest1.tx)" || echo 0)"
	sum=$(($(dv guest0.tx) + $(dv guest0.tx_drop)))
	check "both ways: guest1 -> guest0: sent ${TX[dB]}, received $(dv guest1.rx), forwarded $sum, dA got ${RX[dA]}" \
		"$(is gen "${TX[dB]}" "$MIN_PKTS")$(eqn "$(dv guest1.rx)" "${TX[dB]}" || echo 0)$(eqn "$sum" "${TX[dB]}" || echo 0)$(eqn "${RX[dA]}" "$(dv guest0.tx)" || echo 0)"
	log "the $kind switch's state after the run both ways:"
	sed 's/^/    /' "$work/post.raw"

	tp_quit dA || true
	tp_quit dB || true
	vs_stop INT || true
	check "$kind: SIGINT: status $VS_RC, stopped, sockets removed" \
		"$(is eqn "$VS_RC" 0)$(grep -q '^vswitch: stopped' "$VS_LOG" && test ! -e "$g0" -a ! -e "$g1" || echo 0)"
else
	check "the $kind switch starts (no uplink, two workers)" 0
fi

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
