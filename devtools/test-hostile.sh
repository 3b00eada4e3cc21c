#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Hostile vfio-user clients against the project's servers (and a hostile
# server against its client), one case per class of attack:
#  1  SIGPIPE: SET_IRQS with a pipe/socket whose reader is gone, a FIFO, a
#     file, /dev/null as "eventfd", then TRIGGER (refused; a real eventfd works)
#  2  SIGBUS through a region's own memfd: emu_iavf's BAR0 and the sample's
#     BAR2 fds cannot be shrunk (or grown); the BAR is read afterwards
#  3  SIGBUS through DMA memory: DMA_MAP of an unsealed memfd, a memfd sealed
#     against growing only, a regular file, a socket, a pipe: refused; a
#     sealed memfd accepted and used by the admin queue; with the devarg
#     trust_client_memory=1 an unsealed memfd is accepted
#  4  cross-client doorbells: a departed client's mmap of the tail page (or
#     the sample's BAR2) does not reach the next client
#  5  freeze: a client that never reads 16 x 64 KiB replies does not hold up
#     another device's client (>= 100 answers, each within 2 s) and is dropped
#  6  map flood: 10000 DMA_MAPs stop at the per-client limit with ENOSPC, the
#     process's mappings stay bounded, another device can still map
#  7  client hang: the sample client, against a fake server flooding wrong-id
#     replies and commands, exits instead of hanging (30 s hang detector)
#  8  (net_iavf_client's control structures: covered by its unit test)
#  9  state leak: config space (COMMAND, MSI-X enable) and device registers
#     (emu_iavf, sample) at power-on for the next client
#  x  stray fds on every command, too many fds, bad header sizes, truncated
#     messages, a client that never negotiates, half a message then silence,
#     unknown commands, unsolicited replies, out-of-file DMA ranges
# Every case then checks that the attacked server is still running (not
# killed by SIGPIPE/SIGBUS), that another device of the same process serves
# a well-behaved client (VERSION, DEVICE_GET_INFO, REGION_READ, DMA_MAP of a
# sealed memfd) and so does the attacked device, and, where the server
# refuses something, that its log gained a line about it (patterns:
# LOG_PATTERNS at the top of devtools/hostile/hostile.py). A server that died
# is restarted for the next case.
#
# Servers: one dpdk-testpmd (-d plugins from devtools/private-plugins.sh,
# --no-huge) with emu_iavf0 (a.sock, attacked) and emu_iavf1 (b.sock, the
# other device) and net_iavfbe0/1; examples' vfio_user_sample; for case 3h a
# second testpmd with trust_client_memory=1. Clients: Python 3 (standard
# library only): devtools/hostile/vfu.py.
#
# usage: BUILD=builddir devtools/test-hostile.sh [CASE,...]   (e.g. 1,3,x5)
# Environment:
#   BUILD      build directory (default: build)
#   TESTPMD    testpmd binary (default: dpdk-testpmd, Debian's dpdk-dev)
#   PYTHON     Python 3.10 or later (default: /usr/bin/python3, else python3)
#   KEEP_LOGS=1  keep the logs directory (kept anyway on failure)
# Output: PASS/FAIL per case with its steps, then "N passed, M failed".
# Exit status: 0 all passed, 77 skipped (a prerequisite is missing: the reason
# is printed), 1 a case failed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
TESTPMD=${TESTPMD:-dpdk-testpmd}
MODE=${HOSTILE_MODE:-cases}

me=test-hostile
[ "$MODE" = latency ] && me=flood-latency
# shellcheck source=devtools/lib.sh
. devtools/lib.sh

# Debian's python3 (standard library only) unless told otherwise.
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}
[ -n "$PYTHON" ] || skip "python3 not found"
"$PYTHON" -c 'import os, socket; os.memfd_create; os.eventfd; socket.send_fds' 2> /dev/null ||
	skip "python3 lacks os.memfd_create, os.eventfd or socket.send_fds (3.10 or later needed)"
need_testpmd
NEED_PLUGINS=skip need_plugins "$BUILD" "$EMU_SO" "$BE_SO" \
	examples/dpdk-vfio_user_sample examples/dpdk-vfio_user_client

# One CPU for the servers (their two lcores share it), the last allowed one.
cpu=$(allowed_cpus | tail -n 1)
[ -n "$cpu" ] || cpu=0

KEEP_ON_SKIP=0
work_init emu-hostile

args=(--testpmd "$testpmd" --plugins "$plugins" --work "$work" --cpu "$cpu"
	--sample "$BUILD/examples/dpdk-vfio_user_sample"
	--client "$BUILD/examples/dpdk-vfio_user_client")
if [ "$MODE" = latency ]; then
	args+=(--latency --seconds "${SECONDS_EACH:-10}")
else
	args+=(--only "${1:-}")
fi
rc=0
"$PYTHON" devtools/hostile/hostile.py "${args[@]}" || rc=$?
exit "$rc"
