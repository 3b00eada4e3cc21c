#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# The documentation build: `ninja -C $BUILD doc` must succeed with no
# warning, and produce the guides (one page per .rst), the API reference
# (one page per public header, every exported function in it) and the
# features table. Then the checks that warnings do fail the build: a copy
# of the guides with a broken reference, a features file with an unknown
# feature, a header with an undocumented macro.
#
#   BUILD=build bash devtools/test-docs.sh
#
# Prints PASS:/FAIL: lines and "N passed, M failed"; exit 0 when nothing
# failed, 1 otherwise, 77 when it cannot run (the reason is printed).

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-}
pass=0
fail=0

ok() {
	echo "PASS: $*"
	pass=$((pass + 1))
}
ko() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}
check() { # description, command...
	local what=$1
	shift
	if "$@"; then ok "$what"; else ko "$what"; fi
}

if [ -z "$BUILD" ]; then
	echo "SKIP: set BUILD to a configured build directory (meson setup build)"
	exit 77
fi
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
if [ ! -f "$BUILD/build.ninja" ]; then
	echo "SKIP: $BUILD is not a configured build directory (no build.ninja)"
	exit 77
fi
for t in ninja doxygen sphinx-build; do
	if ! command -v $t >/dev/null; then
		echo "SKIP: $t is not installed (devtools/bootstrap.sh installs it)"
		exit 77
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

api=$BUILD/doc/api
guides=$BUILD/doc/guides

# ------------------------------------------------------------------ build
if ninja -C "$BUILD" doc >"$tmp/ninja.log" 2>&1; then
	ok "ninja -C $BUILD doc"
else
	ko "ninja -C $BUILD doc (exit status $?):"
	sed 's/^/    /' "$tmp/ninja.log" | tail -40
fi

# No warning anywhere: the logs of this run are empty, and ninja printed none.
for log in "$api/doxygen-warnings.log" "$guides/sphinx-warnings.log"; do
	if [ ! -f "$log" ]; then
		ko "warnings log $log exists"
	elif [ -s "$log" ]; then
		ko "no warning in $log:"
		sed 's/^/    /' "$log" | head -20
	else
		ok "no warning in ${log#"$BUILD"/}"
	fi
done
if grep -q -i -E 'warning|error' "$tmp/ninja.log"; then
	ko "no warning or error in ninja's output:"
	grep -i -E 'warning|error' "$tmp/ninja.log" | head -20 | sed 's/^/    /'
else
	ok "no warning or error in ninja's output"
fi

# ----------------------------------------------------------------- guides
check "guides index ${guides#"$BUILD"/}/html/index.html" test -s "$guides/html/index.html"
missing=0
nrst=0
while IFS= read -r rst; do
	rel=${rst#"$top/doc/guides/"}
	nrst=$((nrst + 1))
	if [ ! -s "$guides/html/${rel%.rst}.html" ]; then
		echo "    no page for doc/guides/$rel"
		missing=$((missing + 1))
	fi
done < <(find "$top/doc/guides" -name '*.rst' | sort)
check "a guide page for each of the $nrst .rst files" test $missing -eq 0

# The features table: every driver's .ini makes a column.
ov=$guides/html/nics/overview.html
if [ -s "$ov" ] && grep -q 'features-matrix' "$ov"; then
	cols=0
	bad=0
	for ini in "$top"/doc/guides/nics/features/*.ini; do
		name=$(basename "$ini" .ini)
		[ "$name" = default ] && continue
		cols=$((cols + 1))
		if ! grep -q ">$name<" "$ov"; then
			echo "    no column for $name"
			bad=$((bad + 1))
		fi
	done
	check "features table with a column for each of the $cols drivers" test $bad -eq 0 -a $cols -gt 0
else
	ko "features table in nics/overview.html"
fi

# The guides' link to the API reference resolves.
if grep -q 'href="../../api/html/index.html"' "$guides/html/index.html" 2>/dev/null; then
	check "the guides' link to the API reference resolves" \
		test -s "$guides/html/../../api/html/index.html"
else
	ko "the guides' index links to the API reference"
fi

# -------------------------------------------------------------------- API
check "API index ${api#"$BUILD"/}/html/index.html" test -s "$api/html/index.html"
# A header's page: doxygen doubles '_' and writes '.' as '_8'.
headers=$(grep -o '[^ ]*/rte_[a-z0-9_]*\.h' "$api/doxy-api.conf" 2>/dev/null | sort -u)
nh=0
for h in $headers; do
	nh=$((nh + 1))
	page=$(basename "$h" | sed 's/_/__/g; s/\./_8/').html
	check "API page of $(basename "$h") ($page)" test -s "$api/html/$page"
done
check "the API reference covers 4 public headers or more ($nh)" test "$nh" -ge 4
# Every function a library exports is documented in the reference.
undoc=0
nsym=0
for map in "$top"/lib/*/version.map "$top"/drivers/*/*/version.map; do
	while IFS= read -r sym; do
		nsym=$((nsym + 1))
		if ! grep -l -q "$sym" "$api"/html/*_8h.html 2>/dev/null; then
			echo "    $sym (${map#"$top"/}) is not in the API reference"
			undoc=$((undoc + 1))
		fi
	done < <(sed -n 's/^[[:space:]]*\(rte_[a-z0-9_]*\);/\1/p' "$map")
done
check "each of the $nsym exported functions is in the API reference" test $undoc -eq 0 -a $nsym -gt 0

# ------------------------------------------- warnings do fail the build
# Sphinx, with the flags of doc/guides/meson.build, on a copy of the guides
# with a reference to no label.
cp -r "$top/doc/guides" "$tmp/g1"
# shellcheck disable=SC2016 # reStructuredText, not a shell expansion
printf '\nSee :ref:`test-docs-no-such-label`.\n' >>"$tmp/g1/index.rst"
if sphinx-build -W --keep-going -E -q -b html -d "$tmp/g1.dt" -w "$tmp/g1.log" \
	"$tmp/g1" "$tmp/g1.html" >/dev/null 2>&1; then
	ko "a broken reference fails the guides' build"
elif grep -q 'test-docs-no-such-label' "$tmp/g1.log"; then
	ok "a broken reference fails the guides' build, and is logged"
else
	ko "a broken reference fails the guides' build, and is logged"
fi
# conf.py's features check: an unknown feature in a driver's file.
cp -r "$top/doc/guides" "$tmp/g2"
ini=
for f in "$tmp"/g2/nics/features/*.ini; do
	[ "$(basename "$f")" = default.ini ] || { ini=$f; break; }
done
echo 'Teleportation        = Y' >>"$ini"
if sphinx-build -W --keep-going -E -q -b html -d "$tmp/g2.dt" \
	"$tmp/g2" "$tmp/g2.html" >"$tmp/g2.log" 2>&1; then
	ko "an unknown feature in $(basename "$ini") fails the build"
elif grep -q 'Teleportation' "$tmp/g2.log"; then
	ok "an unknown feature in $(basename "$ini") fails the build, named"
else
	ko "an unknown feature in $(basename "$ini") fails the build, named"
fi
# Doxygen, with the generated configuration, on a header with an
# undocumented macro.
mkdir -p "$tmp/h" "$tmp/h.out"
printf '/** @file\n * Test header.\n */\n#define RTE_TEST_DOCS_UNDOCUMENTED 1\n' >"$tmp/h/rte_test_docs.h"
if [ -f "$api/doxy-api.conf" ]; then
	{
		cat "$api/doxy-api.conf"
		echo "INPUT = $tmp/h/rte_test_docs.h"
		echo "USE_MDFILE_AS_MAINPAGE ="
		echo "STRIP_FROM_PATH = $tmp/h"
		echo "OUTPUT_DIRECTORY = $tmp/h.out"
		echo "WARN_LOGFILE = $tmp/h.out/warnings.log"
	} >"$tmp/h.conf"
	if doxygen "$tmp/h.conf" >/dev/null 2>&1; then
		ko "an undocumented macro fails the API reference's build"
	elif grep -q 'RTE_TEST_DOCS_UNDOCUMENTED' "$tmp/h.out/warnings.log"; then
		ok "an undocumented macro fails the API reference's build, and is logged"
	else
		ko "an undocumented macro fails the API reference's build, and is logged"
	fi
else
	ko "generated Doxygen configuration $api/doxy-api.conf"
fi

# ---------------------------------------------------------------- figures
if [ -d "$guides/html" ] && [ -d "$api/html" ]; then
	echo "guides: $(find "$guides/html" -name '*.html' | wc -l) HTML pages," \
		"$(du -sh "$guides/html" | cut -f1); API reference:" \
		"$(find "$api/html" -name '*.html' | wc -l) HTML pages, $(du -sh "$api/html" | cut -f1)"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
