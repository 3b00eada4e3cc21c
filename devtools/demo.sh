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
die() { printf 'demo: FAIL: %s\n' "$*" >&2; exit 1; }

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
dir=$(mktemp -d "${TMPDIR:-/tmp}/vfu-demo.XXXXXX")
chmod 700 "$dir"
sock=$dir/sample.sock
pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$pid" ]; then
		kill -9 "$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

# No hugepages, no PCI bus, no shared config or telemetry socket: the two
# processes are independent; distinct cores and file prefixes all the same.
eal=(--no-huge -m 128 --no-pci --no-shconf --no-telemetry
	--log-level=lib.eal:error)
say "starting the sample device on $sock"
"$sample" "${eal[@]}" -l 0 --file-prefix="vfu-demo-sample-$$" \
	-- --socket "$sock" > "$dir/sample.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -S "$sock" ] && break
	if ! kill -0 "$pid" 2> /dev/null; then
		cat "$dir/sample.log"
		pid=
		die "the sample exited before creating its socket"
	fi
	sleep 0.1
done
[ -S "$sock" ] || { cat "$dir/sample.log"; die "no socket $sock after 10 s"; }
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
kill -TERM "$pid"
for _ in $(seq 100); do
	kill -0 "$pid" 2> /dev/null || break
	sleep 0.1
done
if kill -0 "$pid" 2> /dev/null; then
	kill -9 "$pid" 2> /dev/null || true
	echo "demo: the sample ignored SIGTERM for 10 s; killed"
fi
sample_rc=0
wait "$pid" || sample_rc=$?
pid=
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
echo "demo: all steps passed"
