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
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
BUILD=${BUILD:-build}
sample=$BUILD/examples/dpdk-vfio_user_sample
client=$BUILD/examples/dpdk-vfio_user_client
for b in "$sample" "$client"; do
	[ -x "$b" ] || die "$b not built"
done
work_init vfu-sample
sock=$work/sample.sock

eal=(--no-huge -m 128 --no-pci --no-shconf --log-level=lib.eal:error)
bg_serve "$sock" "$work/sample.log" \
	"$sample" "${eal[@]}" -l 0 --file-prefix=vfu-sample-$$ -- --socket "$sock" ||
	die "the sample did not start"

for run in 1 2; do
	echo "--- client run $run"
	if ! "$client" "${eal[@]}" -l 1 --file-prefix=vfu-client-$$ -- --socket "$sock"; then
		echo "--- sample log:"; cat "$work/sample.log"
		die "client run $run failed"
	fi
done

bg_term sample
echo "--- sample log:"; cat "$work/sample.log"
[ "$BG_RC" = 0 ] || die "sample exited $BG_RC after SIGTERM"
[ ! -e "$sock" ] || die "socket left behind"
echo "test-sample: PASS (2 client runs, clean exit, socket removed)"
