#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# End to end over a real socket between two processes: the sample device
# (examples/vfio_user_sample) and the demo client (examples/vfio_user_client),
# twice in a row (the sample serves clients one after another), then SIGTERM:
# the sample must exit 0 and remove its socket.
# usage: BUILD=builddir devtools/test-sample.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
sample=$BUILD/examples/dpdk-vfio_user_sample
client=$BUILD/examples/dpdk-vfio_user_client
for b in "$sample" "$client"; do
	[ -x "$b" ] || { echo "test-sample: $b not built"; exit 1; }
done
dir=$(mktemp -d "${TMPDIR:-/tmp}/vfu-sample.XXXXXX")
chmod 700 "$dir"
sock=$dir/sample.sock
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT

eal=(--no-huge -m 128 --no-pci --no-shconf --log-level=lib.eal:error)
"$sample" "${eal[@]}" -l 0 --file-prefix=vfu-sample-$$ -- --socket "$sock" > "$dir/sample.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	[ -S "$sock" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$dir/sample.log"; echo "test-sample: sample died"; exit 1; }
	sleep 0.1
done
[ -S "$sock" ] || { cat "$dir/sample.log"; echo "test-sample: no socket after 10 s"; exit 1; }

for run in 1 2; do
	echo "--- client run $run"
	if ! "$client" "${eal[@]}" -l 1 --file-prefix=vfu-client-$$ -- --socket "$sock"; then
		echo "--- sample log:"; cat "$dir/sample.log"
		echo "test-sample: client run $run failed"
		exit 1
	fi
done

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
echo "--- sample log:"; cat "$dir/sample.log"
[ "$rc" = 0 ] || { echo "test-sample: sample exited $rc after SIGTERM"; exit 1; }
[ ! -e "$sock" ] || { echo "test-sample: socket left behind"; exit 1; }
echo "test-sample: PASS (2 client runs, clean exit, socket removed)"
