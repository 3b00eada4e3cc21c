#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# The project's demo, safe to run any number of times:
#   1. devtools/bootstrap.sh (packages, DPDK driver SDK headers, hugepages)
#   2. configure and build into $BUILD (default ./build) when needed
#   3. start the sample vfio-user device (examples/vfio_user_sample) on a
#      socket in a private temporary directory
#   4. run the sample client (examples/vfio_user_client) against it and show
#      what it prints
#   5. stop the sample with SIGTERM; it must exit 0 and remove its socket
#   6. two testpmd processes: emu_iavf + net_iavfbe serving an emulated AVF,
#      net_iavf_client driving it; live packet rates and matching totals
#
# usage: devtools/demo.sh
# Environment:
#   BUILD=dir          build directory (default: build)
#   SKIP_BOOTSTRAP=1   do not run devtools/bootstrap.sh
#   (SKIP_APT, SKIP_HUGEPAGES, ... are passed to bootstrap.sh; as a non-root
#   user it runs with SKIP_APT=1 SKIP_HUGEPAGES=1)
# Exit status: 0 when every step passed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

say() { printf '\n=== demo: %s\n' "$*"; }
DIE_FD=2
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
# shellcheck source=devtools/lib-testpmd.sh
. devtools/lib-testpmd.sh

# ------------------------------------------------------------- 1. bootstrap
if [ "${SKIP_BOOTSTRAP:-0}" != 1 ]; then
	say "bootstrap"
	if [ "$(id -u)" = 0 ]; then
		bash devtools/bootstrap.sh
	else
		echo "demo: not root: bootstrap without packages and hugepages"
		SKIP_APT=1 SKIP_HUGEPAGES=1 bash devtools/bootstrap.sh
	fi
fi

# ----------------------------------------------------------------- 2. build
say "build in $BUILD"
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD"
fi
ninja -C "$BUILD"
sample=$BUILD/examples/dpdk-vfio_user_sample
client=$BUILD/examples/dpdk-vfio_user_client
for b in "$sample" "$client"; do
	[ -x "$b" ] || die "$b was not built"
done

# ------------------------------------------------------------ 3. the device
work_init vfu-demo
dir=$work
sock=$dir/sample.sock

# No hugepages, no PCI bus, no shared config or telemetry socket: the two
# processes are independent; distinct cores and file prefixes all the same.
eal=(--no-huge -m 128 --no-pci --no-shconf --no-telemetry
	--log-level=lib.eal:error)
say "starting the sample device on $sock"
bg_serve "$sock" "$dir/sample.log" "$sample" "${eal[@]}" -l 0 --file-prefix="vfu-demo-sample-$$" \
	-- --socket "$sock" || die "the sample did not start"
grep -m1 'ready on' "$dir/sample.log" || true

# ------------------------------------------------------------ 4. the client
say "running the client"
ncpu=$(nproc 2> /dev/null || echo 1)
client_lcore=$((ncpu > 1 ? 1 : 0))
client_rc=0
timeout 60 "$client" "${eal[@]}" -l "$client_lcore" \
	--file-prefix="vfu-demo-client-$$" -- --socket "$sock" || client_rc=$?

# -------------------------------------------------------------- 5. shutdown
say "stopping the sample (SIGTERM)"
bg_term "the sample"
sample_rc=$BG_RC
say "sample log"
cat "$dir/sample.log"

say "result"
fail=0
if [ "$client_rc" = 0 ]; then
	echo "PASS: client checks (exit 0)"
else
	echo "FAIL: client exited $client_rc"
	fail=1
fi
if [ "$sample_rc" = 0 ]; then
	echo "PASS: sample exited 0 after SIGTERM"
else
	echo "FAIL: sample exited $sample_rc after SIGTERM"
	fail=1
fi
if [ ! -e "$sock" ]; then
	echo "PASS: sample removed its socket"
else
	echo "FAIL: socket $sock left behind"
	fail=1
fi
[ "$fail" = 0 ] || die "see above"

# ------------------------------------------- 6. packets through an AVF
# Two testpmd processes, one core each: the server serves an emulated AVF
# (emu_iavf) and receives what arrives on it through net_iavfbe; the client
# (net_iavf_client) is that AVF's driver and transmits. Live packet rates of
# both sides, then the totals, which must agree.
say "packets between two DPDK processes through an emulated AVF"
testpmd=$(command -v dpdk-testpmd) || die "dpdk-testpmd missing (package dpdk-dev)"
grep -q ' /dev/hugepages hugetlbfs' /proc/mounts ||
	die "hugepages are needed (run devtools/bootstrap.sh as root)"
plugins=$(bash devtools/private-plugins.sh "$BUILD")
TP_WORK=$dir
TP_LIBPATH=$plugins
avf_sock=$dir/avf.sock
peal=(-m 512 --single-file-segments --no-pci --no-telemetry --log-level=lib.eal:error)
TP_SOCKS=("$avf_sock")
tp_start server "demo-srv-$$" "${peal[@]}" --lcores '0@0,1@0' \
	-d "$plugins/librte_emu_iavf.so" -d "$plugins/librte_net_iavfbe.so" \
	--vdev "emu_iavf0,sock=$avf_sock,queues=1,trust_client_memory=1" --vdev net_iavfbe0,emu=emu_iavf0 \
	-- --forward-mode=rxonly || die "the server did not start"
TP_SOCKS=()
tp_cmd server start
tp_start client "demo-cli-$$" "${peal[@]}" --lcores '0@1,1@1' \
	-d "$plugins/librte_net_iavf_client.so" --vdev "net_iavf_client0,path=$avf_sock" \
	-- --forward-mode=txonly || die "the client did not start"
tp_wait_link client up 10 || true
tp_cmd client start
for t in 1 2 3 4 5; do
	sleep 1
	printf 'demo: t=%ss  client TX %10s pps   server RX %10s pps\n' "$t" \
		"$(tp_stat client Tx-pps)" "$(tp_stat server Rx-pps)"
done
tp_cmd client stop
sleep 1
tp_cmd server stop
sent=$(tp_stat client TX-packets)
got=$(tp_stat server RX-packets)
tp_quit client
tp_quit server
echo "demo: the client sent ${sent:-?} packets, the server received ${got:-?}"
if [ -z "$sent" ] || [ "$sent" = 0 ] || [ "$sent" != "$got" ]; then
	echo "--- server log"; tail -n 40 "$dir/server.log"
	echo "--- client log"; tail -n 40 "$dir/client.log"
	die "packet counts do not match"
fi
echo "PASS: every packet the client sent reached the server"
echo "demo: all steps passed"
