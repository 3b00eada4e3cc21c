#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Run every libFuzzer target of app/fuzz, one after the other, for a bounded
# time each (doc/guides/howto/fuzzing.rst).
# usage: devtools/fuzz.sh BUILDDIR [SECONDS_PER_TARGET]
# BUILDDIR must be configured with CC=clang -Dfuzz=true (and preferably
# -Db_sanitize=address,undefined -Db_lundef=false).
#
# Environment:
#   FUZZ_TARGETS  targets to run (default: all of them)
#   FUZZ_CORPUS   working corpus root (default $HOME/.cache/dpdk-emu/fuzz-corpus);
#                 target T keeps its corpus in FUZZ_CORPUS/T, seeded from
#                 app/fuzz/corpus/T, so later runs start where earlier ones stopped
#   FUZZ_ARGS     more libFuzzer options (e.g. -jobs=..., -dict=...)
#
# For each target it prints the executions (libFuzzer's
# stat::number_of_executed_units) and executions per second, and the total of
# executions over every run recorded in FUZZ_CORPUS/stats.tsv. A crash,
# sanitizer report, leak, timeout or out-of-memory fails the run: the
# reproducer is written to BUILDDIR/fuzz-artifacts/T/ and the command that
# replays it is printed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: fuzz.sh BUILDDIR [SECONDS_PER_TARGET]}
secs=${2:-60}
targets=${FUZZ_TARGETS:-fuzz_vfio_user_server fuzz_emu_iavf_aq fuzz_iavfbe_txring fuzz_vfio_user_client fuzz_emu_iavf_state}
root=${FUZZ_CORPUS:-$HOME/.cache/dpdk-emu/fuzz-corpus}
stats=$root/stats.tsv
dir=$(cd "$dir" 2>/dev/null && pwd) || { echo "fuzz: no build directory $1"; exit 1; }
case $secs in
'' | *[!0-9]*) echo "fuzz: SECONDS_PER_TARGET must be a number, not '$secs'"; exit 1 ;;
esac

for t in $targets; do
	[ -x "$dir/app/fuzz/$t" ] || {
		echo "fuzz: $dir/app/fuzz/$t not built (meson setup with CC=clang -Dfuzz=true)"
		exit 1
	}
done
mkdir -p "$root"
# Corpora of earlier versions of this script: the server's, flat in $root.
if [ -n "$(find "$root" -maxdepth 1 -type f ! -name stats.tsv -print -quit)" ]; then
	mkdir -p "$root/fuzz_vfio_user_server"
	find "$root" -maxdepth 1 -type f ! -name stats.tsv \
		-exec mv -n -t "$root/fuzz_vfio_user_server" {} +
fi
[ -f "$stats" ] || printf 'date\ttarget\tseconds\texecutions\texec_per_s\tresult\n' >"$stats"

failed=()
summary=()
for t in $targets; do
	bin=$dir/app/fuzz/$t
	corpus=$root/$t
	art=$dir/fuzz-artifacts/$t
	log=$dir/fuzz-artifacts/$t.log
	mkdir -p "$corpus"
	rm -rf "$art"
	mkdir -p "$art"
	[ -d "$top/app/fuzz/corpus/$t" ] && cp -n "$top/app/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null
	echo "fuzz: $t for $secs s, corpus $corpus ($(find "$corpus" -type f | wc -l) inputs)"
	rc=0
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$top/devtools/ubsan.supp \
		"$bin" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/" ${FUZZ_ARGS:-} "$corpus" \
		>"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	execs=${execs:-0}
	rate=${rate:-0}
	result=ok
	repro=$(find "$art" -type f | head -n 1)
	if [ "$rc" != 0 ] || [ -n "$repro" ]; then
		result=FAILED
		failed+=("$t")
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$secs" "$execs" "$rate" \
		"$result" >>"$stats"
	total=$(awk -F'\t' -v t="$t" '$2 == t { s += $4 } END { printf "%d", s }' "$stats")
	summary+=("$(printf '%-24s %12s executions %8s exec/s %14s in all runs  %s' \
		"$t" "$execs" "$rate" "$total" "$result")")
	if [ $result = FAILED ]; then
		echo "fuzz: $t FAILED (exit $rc); end of its log ($log):"
		grep -v '^#[0-9]' "$log" | tail -n 60
		if [ -n "$repro" ]; then
			echo "fuzz: reproducer(s):"
			find "$art" -type f -exec ls -l {} +
			echo "fuzz: replay with: $bin $repro"
		fi
	fi
done

echo
echo "fuzz: per target ($secs s each):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz: no crash, leak or sanitizer report"
