#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# REGION_READ latency of a well-behaved client of one device (emu_iavf1) of a
# dpdk-testpmd, quiet and while a client of another device of the same
# process (emu_iavf0) floods it with 16 x 64 KiB REGION_READs it never reads
# (reconnecting whenever it is dropped). Prints reads, p50, p99 and max in
# ms for both; figures only, never a failure on timing (goal: p99 < 5 ms
# under flood). The same servers and clients as devtools/test-hostile.sh.
#
# usage: BUILD=builddir devtools/flood-latency.sh
# Environment:
#   BUILD         build directory (default: build)
#   TESTPMD       testpmd binary (default: dpdk-testpmd)
#   SECONDS_EACH  seconds of measurement, quiet and under flood (default: 10)
# Exit status: 0 figures printed, 77 skipped (a prerequisite is missing),
# 1 the measurement could not be made.
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTILE_MODE=latency exec bash devtools/test-hostile.sh
