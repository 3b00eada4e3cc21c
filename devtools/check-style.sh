#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Style and static checks of the project's C code:
#  - clang-format (.clang-format, DPDK style) must leave every file unchanged;
#    `devtools/check-style.sh --fix` reformats in place;
#  - cppcheck (warnings, portability, performance) must report nothing;
#  - every C file carries an SPDX license line;
#  - every script under devtools/ that starts with #! has its run bit in git
#    (a fresh clone must be able to run what the README shows);
#  - symbols, as DPDK checks them (devtools/checkpatches.sh,
#    buildtools/check-symbols.sh): __rte_experimental and __rte_internal only
#    in headers, alone on the line before the return type; every function a
#    component's public headers (rte_*.h) declare is in its version.map, in
#    the block its tag says (EXPERIMENTAL, INTERNAL, else a stable one); every
#    symbol of a map is declared so and defined in the component's sources.
#    With BUILD=<build dir>, the same on the built archives (librte_*.a):
#    the sections the tags put functions in (.text.experimental,
#    .text.internal) against the map blocks, and every map symbol defined.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

fix=0
[ "${1:-}" = --fix ] && fix=1

mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find lib drivers app examples -name '*.[ch]')
[ ${#files[@]} -gt 0 ] || { echo "check-style: no C files"; exit 1; }
rc=0

for t in clang-format cppcheck; do
	command -v $t >/dev/null || { echo "check-style: $t missing (run devtools/bootstrap.sh)"; exit 1; }
done

if [ $fix = 1 ]; then
	clang-format -i "${files[@]}"
fi
bad=()
for f in "${files[@]}"; do
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		bad+=("$f")
	fi
done
if [ ${#bad[@]} -gt 0 ]; then
	echo "check-style: not formatted as .clang-format says (devtools/check-style.sh --fix):"
	for f in "${bad[@]}"; do
		echo "  $f"
		clang-format "$f" | diff -u "$f" - | head -n 20
	done
	rc=1
else
	echo "check-style: clang-format: ${#files[@]} files clean"
fi

for f in "${files[@]}"; do
	head -n 2 "$f" | grep -q 'SPDX-License-Identifier' || { echo "check-style: $f: no SPDX line"; rc=1; }
done

while read -r mode _ _ f; do
	[ "$mode" = 100755 ] && continue
	head -c 2 "$f" 2>/dev/null | grep -q '^#!' || continue
	echo "check-style: $f: starts with #! but has no run bit in git (git update-index --chmod=+x $f)"
	rc=1
done < <(git ls-files -s devtools 2>/dev/null)

if ! cppcheck --quiet --error-exitcode=1 --inline-suppr \
	--enable=warning,portability,performance \
	--suppress=missingIncludeSystem --suppress=unmatchedSuppression \
	--std=c11 -D__linux__ -DALLOW_EXPERIMENTAL_API \
	--include=/usr/include/x86_64-linux-gnu/sys/queue.h \
	-I lib/vfio_user "${files[@]}"; then
	echo "check-style: cppcheck found problems"
	rc=1
else
	echo "check-style: cppcheck: clean"
fi
# ---------------------------------------------------------------- symbols
# Declarations of a header, one "tag name" line each (tag: experimental,
# internal or none): functions declared at file scope, not static inline.
header_decls() { # <header>
	awk '
	function flush(   st, name, tag) {
		st = stmt; stmt = ""
		if (st !~ /\(/ || st ~ /^[ \t]*(typedef|static|#|extern "C")/)
			return
		tag = "none"
		if (st ~ /^[ \t]*__rte_experimental[ \t]/) tag = "experimental"
		if (st ~ /^[ \t]*__rte_internal[ \t]/) tag = "internal"
		sub(/\(.*/, "", st)
		if (match(st, /[A-Za-z_][A-Za-z0-9_]*[ \t]*$/) == 0)
			return
		name = substr(st, RSTART, RLENGTH); sub(/[ \t]+$/, "", name)
		print tag, name
	}
	{
		line = $0
		# comments (one line or several), then preprocessor lines
		if (incomment) {
			if (line !~ /\*\//) next
			sub(/.*\*\//, "", line); incomment = 0
		}
		gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", line)
		if (line ~ /\/\*/) { sub(/\/\*.*/, "", line); incomment = 1 }
		sub(/\/\/.*/, "", line)
		if (cont || line ~ /^[ \t]*#/) { cont = line ~ /\\$/; next }
		if (line ~ /^[ \t]*extern "C" \{/ || line ~ /^[ \t]*\}[ \t]*$/ && depth == 0)
			next
		n = split(line, ch, "")
		for (i = 1; i <= n; i++) {
			c = ch[i]
			if (c == "{") {
				if (depth == 0) stmt = stmt " "
				depth++
			} else if (c == "}") {
				depth--
				if (depth == 0) stmt = ""
			} else if (depth == 0) {
				if (c == ";") flush(); else stmt = stmt c
			}
		}
		if (depth == 0) stmt = stmt " "
	}' "$1"
}

# The blocks of a version map, one "BLOCK symbol" line each.
map_symbols() { # <version.map>
	awk '
	/^[A-Za-z0-9_.]+[ \t]*\{/ { block = $1; sub(/\{.*/, "", block); next }
	/^[ \t]*(global|local):/ { next }
	/^[ \t]*[A-Za-z_][A-Za-z0-9_]*;/ { s = $1; sub(/;.*/, "", s); print block, s }
	' "$1"
}

sym_rc=0
sym_err() { echo "check-style: $*"; sym_rc=1; }

# Tags: only in headers, alone on their line.
for f in "${files[@]}"; do
	case $f in
	*.c)
		grep -n '__rte_experimental\|__rte_internal' "$f" | grep -v '^[0-9]*:[ \t]*\(/\*\|\*\|//\)' |
			while IFS=: read -r n _; do
				echo "check-style: $f:$n: __rte_experimental or __rte_internal in a .c file (only in headers)"
			done | grep . && sym_rc=1
		;;
	*.h)
		grep -n '__rte_experimental\|__rte_internal' "$f" |
			grep -v '^[0-9]*:[ \t]*\(/\*\|\*\|//\|#\)' |
			grep -v '^[0-9]*:\(__rte_experimental\|__rte_internal\)$' |
			while IFS=: read -r n _; do
				echo "check-style: $f:$n: the tag must be alone on the line before the return type"
			done | grep . && sym_rc=1
		;;
	esac
done

# Maps against headers and sources, per component (the directory of a map).
nmaps=0
while read -r map; do
	nmaps=$((nmaps + 1))
	dir=$(dirname "$map")
	declared=$(for h in $(git ls-files "$dir/rte_*.h" 2>/dev/null); do header_decls "$h"; done)
	listed=$(map_symbols "$map")
	while read -r tag name; do
		[ -n "$name" ] || continue
		case $tag in
		experimental) want=EXPERIMENTAL ;;
		internal) want=INTERNAL ;;
		*) want=stable ;;
		esac
		block=$(awk -v s="$name" '$2 == s { print $1 }' <<<"$listed")
		got=$block
		[ -n "$got" ] && [ "$got" != EXPERIMENTAL ] && [ "$got" != INTERNAL ] && got=stable
		if [ -z "$block" ]; then
			sym_err "$name ($tag in $dir/rte_*.h) is not in $map"
		elif [ "$got" != "$want" ]; then
			sym_err "$name is $tag in its header but in block $block of $map (want $want)"
		fi
	done <<<"$declared"
	while read -r block name; do
		[ -n "$name" ] || continue
		# (a tag that does not match the block is reported above)
		awk -v s="$name" '$2 == s { f = 1 } END { exit !f }' <<<"$declared" ||
			sym_err "$name (block $block of $map) is declared in no $dir/rte_*.h"
		# shellcheck disable=SC2046 # file names without spaces (git ls-files)
		if ! grep -q "^$name(" $(git ls-files "$dir/*.c") /dev/null; then
			sym_err "$name (block $block of $map) is defined in no $dir/*.c"
		fi
	done <<<"$listed"
done < <(git ls-files 'lib/*/version.map' 'drivers/*/version.map' 2>/dev/null)

# The built archives: where the compiler put each function against the map.
if [ -n "${BUILD:-}" ]; then
	command -v objdump >/dev/null || { echo "check-style: objdump missing"; exit 1; }
	while read -r map; do
		lib=$(basename "$(dirname "$map")")
		a=$(find "$BUILD" -name "librte_$lib.a" -not -path '*/meson-private/*' | head -n 1)
		[ -n "$a" ] || { sym_err "no librte_$lib.a in $BUILD (for $map)"; continue; }
		dump=$(objdump -t "$a" 2>/dev/null | awk 'NF >= 6 && $2 ~ /g/ { print $(NF - 2), $NF }')
		listed=$(map_symbols "$map")
		while read -r sec name; do
			case $sec in
			.text.experimental) want=EXPERIMENTAL ;;
			.text.internal) want=INTERNAL ;;
			*) continue ;;
			esac
			# (in the map, but another block: reported below)
			awk -v s="$name" '$2 == s { f = 1 } END { exit !f }' <<<"$listed" ||
				sym_err "$name is in $sec of $a but not in $map (block $want)"
		done <<<"$dump"
		while read -r block name; do
			[ -n "$name" ] || continue
			sec=$(awk -v s="$name" '$2 == s && $1 != "*UND*" { print $1; exit }' <<<"$dump")
			if [ -z "$sec" ]; then
				sym_err "$name (block $block of $map) is defined in no object of $a"
			elif [ "$block" = EXPERIMENTAL ] && [ "$sec" != .text.experimental ]; then
				sym_err "$name is in block EXPERIMENTAL of $map but in $sec of $a (no __rte_experimental)"
			elif [ "$block" = INTERNAL ] && [ "$sec" != .text.internal ]; then
				sym_err "$name is in block INTERNAL of $map but in $sec of $a (no __rte_internal)"
			fi
		done <<<"$listed"
	done < <(git ls-files 'lib/*/version.map' 2>/dev/null)
fi
if [ $sym_rc = 0 ]; then
	echo "check-style: symbols: tags and $nmaps version maps consistent${BUILD:+ (sources and $BUILD)}"
else
	rc=1
fi
exit $rc
