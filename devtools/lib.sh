# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Functions shared by the test scripts (sourced after their cd to the top
# of the tree: `. devtools/lib.sh`). The caller sets passed=0 and failed=0
# and, for expect, guest_log (the guest's output).

# check WHAT OK: a PASS line if OK is 1, else a FAIL line; counted.
check() {
	local what=$1 ok=$2
	if [ "$ok" = 1 ]; then
		printf 'PASS: %s\n' "$what"
		passed=$((passed + 1))
	else
		printf 'FAIL: %s\n' "$what"
		failed=$((failed + 1))
	fi
}

# is CMD...: 1 if CMD succeeds, else 0 (for check).
is() { if "$@"; then echo 1; else echo 0; fi; }

# expect WHAT REGEX: a line of $guest_log matches REGEX (extended, whole
# line); the line is quoted in the PASS.
expect() {
	local what=$1 re=$2 line
	# shellcheck disable=SC2154 # set by the caller
	line=$(grep -m1 -xE "$re" "$guest_log" || true)
	if [ -n "$line" ]; then
		check "$what: $line" 1
	else
		check "$what (no line matching /$re/)" 0
	fi
}
