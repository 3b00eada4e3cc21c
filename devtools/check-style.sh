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
#    (a fresh clone must be able to run what the README shows).
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
exit $rc
