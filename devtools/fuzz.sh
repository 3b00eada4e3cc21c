#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Run the libFuzzer target over the vfio-user server for a bounded time.
# usage: devtools/fuzz.sh BUILDDIR [SECONDS]
# BUILDDIR must be configured with CC=clang -Dfuzz=true (and preferably
# -Db_sanitize=address,undefined). The corpus is kept in
# $HOME/.cache/dpdk-emu/fuzz-corpus so later runs start where earlier ones
# stopped; crashes are written to BUILDDIR/fuzz-artifacts.
set -euo pipefail
dir=${1:?usage: fuzz.sh BUILDDIR [SECONDS]}
secs=${2:-60}
bin=$dir/app/fuzz/fuzz_vfio_user_server
[ -x "$bin" ] || { echo "fuzz: $bin not built (meson setup with -Dfuzz=true)"; exit 1; }
corpus=${FUZZ_CORPUS:-$HOME/.cache/dpdk-emu/fuzz-corpus}
art=$dir/fuzz-artifacts
mkdir -p "$corpus" "$art"
python3 "$(dirname "$0")/../app/fuzz/gen_seeds.py" "$corpus"
echo "fuzz: $bin for $secs s, corpus $corpus ($(find "$corpus" -type f | wc -l) inputs)"
rc=0
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
"$bin" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$art/" "$corpus" 2>&1 | tail -n 30 ||
	rc=${PIPESTATUS[0]}
if [ "$rc" != 0 ]; then
	echo "fuzz: FAILED (exit $rc); reproducer(s) in $art:"
	ls -l "$art"
	exit 1
fi
echo "fuzz: no crash, leak or sanitizer report in $secs s"
