#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Run every test of the project from nothing, on a Debian 12 machine as root:
# set-up (packages, SDK headers, hugepages), style checks, builds with gcc and
# clang, the unit tests (also under ASan+UBSan), a bounded libFuzzer run, the
# sample device end to end, hostile clients, telemetry, two testpmd processes and the
# real QEMU guests. Safe to run twice.
#
# Ends with a line "N passed, M failed, K skipped". A step that cannot run
# (e.g. the QEMU tree cannot be built) is reported as skipped with the reason,
# never as passed. Exit status 0 only if nothing failed.
#
# Environment:
#   BUILD_ROOT    where build directories go (default: ./build-test)
#   FUZZ_SECONDS  duration of the fuzzer run, per target (default: 30)
#   SKIP_QEMU=1   do not run the QEMU guest tests (reported as skipped)
#   SKIP_BOOTSTRAP=1  assume bootstrap was done
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
BUILD_ROOT=${BUILD_ROOT:-$top/build-test}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
mkdir -p "$BUILD_ROOT"

passed=0
failed=0
skipped=0
failures=()
skips=()

say() { printf '\n=== %s\n' "$*"; }

# step NAME CMD...: run a check; exit 0 = pass, 77 = skip, else fail.
step() {
	local name=$1 rc
	shift
	say "$name"
	"$@"
	rc=$?
	case $rc in
	0) passed=$((passed + 1)); echo "--- PASS: $name" ;;
	77) skipped=$((skipped + 1)); skips+=("$name"); echo "--- SKIP: $name" ;;
	*) failed=$((failed + 1)); failures+=("$name"); echo "--- FAIL: $name (exit $rc)" ;;
	esac
}

# meson_tests NAME BUILDDIR [meson test args]: every unit test counts.
meson_tests() {
	local name=$1 dir=$2 rc json ok fail skip
	shift 2
	say "$name"
	meson test -C "$dir" --print-errorlogs "$@"
	rc=$?
	json="$dir/meson-logs/testlog.json"
	if [ -f "$json" ]; then
		ok=$(grep -c '"result": "OK"' "$json")
		fail=$(grep -Ec '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$json")
		skip=$(grep -c '"result": "SKIP"' "$json")
	else
		ok=0 fail=1 skip=0
	fi
	if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
		fail=1
	fi
	passed=$((passed + ok))
	failed=$((failed + fail))
	skipped=$((skipped + skip))
	[ "$fail" = 0 ] || failures+=("$name")
	[ "$skip" = 0 ] || skips+=("$name ($skip)")
	echo "--- $name: $ok passed, $fail failed, $skip skipped"
}

# setup_build CC DIR [meson options]
setup_build() {
	local cc=$1 dir=$2
	shift 2
	if [ -f "$dir/build.ninja" ]; then
		CC=$cc meson setup --reconfigure "$dir" "$@" >/dev/null || return 1
	else
		CC=$cc meson setup "$dir" "$@" || return 1
	fi
	ninja -C "$dir"
}

if [ "${SKIP_BOOTSTRAP:-0}" != 1 ]; then
	if [ "$(id -u)" = 0 ]; then
		step "bootstrap (packages, SDK headers, hugepages)" bash devtools/bootstrap.sh
	else
		step "bootstrap (no root: packages and hugepages not touched)" \
			env SKIP_APT=1 SKIP_HUGEPAGES=1 bash devtools/bootstrap.sh
	fi
fi

step "style check" bash devtools/check-style.sh

gcc_dir=$BUILD_ROOT/gcc
step "build with gcc (-Werror)" setup_build gcc "$gcc_dir"
meson_tests "unit tests (gcc)" "$gcc_dir" --suite fast-tests
step "symbols: every library's own prefixes, none of another project's or DPDK's (and the check's self-test)" \
	sh -c 'bash devtools/check-symbols.sh --self-test && BUILD="$1" bash devtools/check-symbols.sh' _ "$gcc_dir"

step "documentation: sphinx guides and doxygen API reference (warnings are errors)" \
	env BUILD="$gcc_dir" bash devtools/test-docs.sh

step "build with clang (-Werror)" setup_build clang "$BUILD_ROOT/clang"

asan_dir=$BUILD_ROOT/asan
step "build with ASan+UBSan" setup_build gcc "$asan_dir" \
	-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$top/devtools/ubsan.supp \
	meson_tests "unit tests (ASan+UBSan)" "$asan_dir" --suite fast-tests

fuzz_dir=$BUILD_ROOT/fuzz
fuzz_run() {
	setup_build clang "$fuzz_dir" -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false || return 1
	bash devtools/fuzz.sh "$fuzz_dir" "$FUZZ_SECONDS"
}
step "libFuzzer: server, AQ model, backend TX ring, client, migration state load (5 targets x ${FUZZ_SECONDS} s)" fuzz_run

step "sample device and client end to end" env BUILD="$gcc_dir" bash devtools/test-sample.sh

step "hostile clients: the server survives and stays responsive" \
	env BUILD="$gcc_dir" bash devtools/test-hostile.sh

step "install: staged prefix (sonames, archives, headers, pkg-config, pmdinfo, shared and static apps); system install seen by stock testpmd with no -d" \
	env BUILD="$gcc_dir" bash devtools/test-install.sh

step "embedding example examples/vswitch: built out of tree through pkg-config (shared, static) and run with two guests" \
	env BUILD="$BUILD_ROOT/example-inst" bash devtools/test-example.sh

step "telemetry: /vfio_user and /emudev" env BUILD="$gcc_dir" bash devtools/test-telemetry.sh

step "two testpmd processes: net_iavfbe <-> net_iavf_client (counts, sizes, multi-seg, io, 4 queues, restart)" \
	env BUILD="$gcc_dir" bash devtools/test-two-process.sh

step "net_iavf_client reconnect=: the server killed under traffic and restarted, twice; link down and up, traffic resumes" \
	env BUILD="$gcc_dir" bash devtools/test-reconnect.sh

step "live backend move: net_iavf_client moved between backend testpmds under traffic (pause, exact counts, refusals)" \
	env BUILD="$gcc_dir" bash devtools/test-move.sh

if [ "${SKIP_QEMU:-0}" = 1 ]; then
	say "QEMU guest tests"
	echo "SKIP_QEMU=1: not run"
	skipped=$((skipped + 4))
	skips+=("QEMU guest: sample device (SKIP_QEMU=1)" "QEMU guest: iavf (SKIP_QEMU=1)"
		"QEMU guest: iavfbe (SKIP_QEMU=1)" "QEMU guest: DPDK net_iavf (SKIP_QEMU=1)")
else
	step "QEMU guest: sample device" env BUILD="$gcc_dir" bash devtools/test-qemu-sample.sh
	step "QEMU guest: stock iavf driver on emu_iavf (testpmd -d)" \
		env BUILD="$gcc_dir" bash devtools/test-qemu-iavf.sh
	step "QEMU guest: packets through net_iavfbe (ping, 8 MB TCP, 4 queues)" \
		env BUILD="$gcc_dir" bash devtools/test-qemu-iavfbe.sh
	step "QEMU guest: DPDK net_iavf in the guest (uio_pci_generic; vfio-pci behind intel-iommu)" \
		env BUILD="$gcc_dir" bash devtools/test-qemu-dpdk.sh
fi

# Last: it builds a Debian 13 chroot (a few minutes on a fresh machine).
step "DPDK 24.11 (Debian 13 chroot): the tree compiles against it; drivers and tests only with its SDK headers" \
	bash devtools/test-dpdk-version.sh

echo
[ ${#failures[@]} = 0 ] || printf 'failed: %s\n' "${failures[@]}"
[ ${#skips[@]} = 0 ] || printf 'skipped: %s\n' "${skips[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
