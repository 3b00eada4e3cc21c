#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Symbol namespace check of a build (it builds nothing itself):
#   BUILD=<build dir> bash devtools/check-symbols.sh
#   bash devtools/check-symbols.sh --self-test
#
# Lists the exported (dynamic) symbols of every shared library and PMD the
# build installs, and the global symbols of every static archive it
# installs (nm), and fails when one
#  - is not prefixed by its component (the table below: rte_vfio_user_ and
#    vfio_user_ for librte_vfio_user, ...; DPDK's generated <driver>_pmd_info
#    and per_lcore_<component>... count as the component's);
#  - starts with a prefix another project uses for its own symbols (vfu_:
#    libvfio-user, spdk_, DPDK's virtio_/vhost_/iavf_/i40e_/ice_/eal_...):
#    linked statically into one application with it, one of the two
#    definitions would be a duplicate;
#  - is defined by a DPDK library too (the libdpdk found by pkg-config, or
#    DPDK_LIBDIR), or by two of the build's libraries.
# Version nodes (DPDK_23, EXPERIMENTAL, INTERNAL) and compiler-generated
# names (__*) are not symbols of the code and are skipped (counted).
#
# Prints a PASS:/FAIL: line per library with the prefixes it found, then
# "N passed, M failed"; exits 0 only when nothing failed, 2 when it cannot
# run (no build dir, no nm).
set -uo pipefail

# Component prefixes of each library (by file name, without lib and the
# version suffix). A library missing here may use rte_<name>_ and <name>_.
declare -A COMPONENT=(
	[librte_vfio_user]="rte_vfio_user_ vfio_user_"
	[librte_emudev]="rte_emudev_ emudev_"
	[librte_emu_iavf]="rte_emu_iavf_ emu_iavf_"
	[librte_net_iavfbe]="rte_pmd_iavfbe_ net_iavfbe_ iavfbe_"
	[librte_net_iavf_client]="rte_pmd_iavf_client_ net_iavf_client_ iavfc_"
)

# Prefixes of other projects' symbols: libvfio-user (vfu_), SPDK, and
# DPDK's drivers and libraries' internal names.
FOREIGN="vfu_ spdk_ virtio_ vhost_ iavf_ avf_ virtchnl_ i40e_ ice_ ixgbe_ e1000_ igc_ mlx5_ \
eal_ pci_ vdev_ memif_ qemu_"

die() {
	echo "check-symbols: $*" >&2
	exit 2
}

# The installed libraries of a build dir: from meson's install plan, else
# every librte_* library and archive in it (not meson's private objects).
installed_libs() {
	local b=$1

	if [ -f "$b/meson-info/intro-installed.json" ]; then
		python3 - "$b/meson-info/intro-installed.json" <<-'EOF'
			import json, os, re, sys
			for src in sorted(json.load(open(sys.argv[1]))):
			    # the files built; not the links to them meson makes at install
			    if (os.path.isabs(src) and os.path.isfile(src) and not os.path.islink(src)
			            and re.search(r'\.(a|so(\.[0-9]+)*)$', src)):
			        print(src)
		EOF
	else
		find "$b" \( -name '*.p' -prune \) -o -type f ! -type l \
			\( -name 'librte_*.a' -o -name 'librte_*.so*' \) ! -name '*_objs.a' -print | sort
	fi
}

# "name" lines: the dynamic exports of a shared object, the global
# definitions of an archive.
lib_symbols() {
	case "$1" in
	*.a) nm -g --defined-only "$1" 2>/dev/null ;;
	*) nm -D --defined-only "$1" 2>/dev/null ;;
	esac | awk 'NF == 3 && $2 != "A" {sub(/@.*/, "", $3); print $3}' | sort -u
}

# The symbols every DPDK library exports, "name lib" lines.
dpdk_symbols() {
	local dir=${DPDK_LIBDIR:-} f

	if [ -z "$dir" ]; then
		dir=$(pkg-config --variable=libdir libdpdk 2>/dev/null) || dir=
	fi
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	for f in "$dir"/librte_*.so; do
		[ -e "$f" ] || continue
		case "${f##*/}" in # our own libraries when installed there
		librte_vfio_user.so | librte_emudev.so | librte_emu_iavf.so | librte_net_iavfbe.so | \
			librte_net_iavf_client.so) continue ;;
		esac
		nm -D --defined-only "$f" 2>/dev/null | awk -v l="${f##*/}" 'NF == 3 && $2 != "A" {sub(/@.*/, "", $3); print $3, l}'
	done | sort -u -k1,1
}

check_build() {
	local b=$1 pass=0 fail=0 lib base prefixes sym p ok bad n skipped report
	local -A dpdk=() owner=()
	local libs=()

	command -v nm >/dev/null || die "nm missing (binutils)"
	[ -d "$b" ] || die "no build dir $b (BUILD=<build dir>)"
	b=$(cd "$b" && pwd -P) || die "cannot enter $b"
	mapfile -t libs < <(installed_libs "$b")
	[ ${#libs[@]} -gt 0 ] || die "$b: no installed library found (built?)"
	while read -r sym p; do
		dpdk[$sym]=$p
	done < <(dpdk_symbols)
	echo "check-symbols: ${#libs[@]} libraries in $b; ${#dpdk[@]} symbols of DPDK's libraries to compare with"

	for lib in "${libs[@]}"; do
		base=${lib##*/}
		base=${base%%.*}
		prefixes=${COMPONENT[$base]:-}
		if [ -z "$prefixes" ]; then
			prefixes="rte_${base#librte_}_ ${base#librte_}_"
		fi
		bad=()
		n=0
		skipped=0
		declare -A found=()
		while read -r sym; do
			[ -n "$sym" ] || continue
			if [[ $sym == __* || $sym == .* ]]; then
				skipped=$((skipped + 1))
				continue
			fi
			n=$((n + 1))
			ok=
			for p in $prefixes; do
				if [[ $sym == "$p"* || $sym == "per_lcore_$p"* ]]; then
					ok=$p
					break
				fi
			done
			if [ -z "$ok" ]; then
				bad+=("$sym: not prefixed by its component ($prefixes)")
			else
				found[$ok]=$((${found[$ok]:-0} + 1))
			fi
			for p in $FOREIGN; do
				if [[ $sym == "$p"* || $sym == "per_lcore_$p"* ]]; then
					bad+=("$sym: in the namespace of another project ($p)")
				fi
			done
			if [ -n "${dpdk[$sym]:-}" ]; then
				bad+=("$sym: also defined by DPDK's ${dpdk[$sym]}")
			fi
			# An archive and the shared library built from the same
			# objects define the same names: compare like with like.
			case "$lib" in
			*.a) p="a:$sym" ;;
			*) p="so:$sym" ;;
			esac
			if [ -n "${owner[$p]:-}" ] && [ "${owner[$p]}" != "$base" ]; then
				bad+=("$sym: also defined by ${owner[$p]}")
			fi
			owner[$p]=$base
		done < <(lib_symbols "$lib")
		report=
		for p in "${!found[@]}"; do
			report+=" $p:${found[$p]}"
		done
		unset found
		[ $skipped -gt 0 ] && report+=" (compiler-generated skipped: $skipped)"
		if [ ${#bad[@]} -eq 0 ]; then
			echo "PASS: ${lib#"$b"/}: $n symbols;${report:- none}"
			pass=$((pass + 1))
		else
			echo "FAIL: ${lib#"$b"/}: $n symbols;${report:- none}; ${#bad[@]} problem(s):"
			for p in "${bad[@]}"; do
				echo "    $p"
			done
			fail=$((fail + 1))
		fi
	done
	echo "$pass passed, $fail failed"
	[ $fail -eq 0 ]
}

# Fake build dirs with one archive each, and a fake DPDK: the check must
# pass the good archive and fail each bad one.
self_test() {
	local t pass=0 fail=0 name want code got

	command -v cc >/dev/null || die "cc missing"
	t=$(mktemp -d) || die "mktemp"
	trap 'rm -rf "$t"' RETURN
	mkdir -p "$t/dpdk"
	echo 'int rte_fake_init(void) { return 0; } int vfio_user_taken(void) { return 0; }' >"$t/dpdk/f.c"
	cc -shared -fPIC -o "$t/dpdk/librte_fake.so" "$t/dpdk/f.c" || die "cannot build the fake DPDK"
	while IFS='|' read -r name want code; do
		mkdir -p "$t/$name/lib"
		printf '%s\n' "$code" >"$t/$name/s.c"
		if ! cc -c -o "$t/$name/s.o" "$t/$name/s.c" ||
			! ar rcs "$t/$name/lib/librte_vfio_user.a" "$t/$name/s.o"; then
			die "cannot build the $name archive"
		fi
		if DPDK_LIBDIR="$t/dpdk" check_build "$t/$name" >"$t/$name.out" 2>&1; then
			got=pass
		else
			got=fail
		fi
		if [ "$got" = "$want" ]; then
			echo "PASS: self-test $name: the check says $got, as it should ($(grep -c '^    ' "$t/$name.out") problem(s))"
			pass=$((pass + 1))
		else
			echo "FAIL: self-test $name: the check says $got, it should say $want:"
			sed 's/^/    /' "$t/$name.out"
			fail=$((fail + 1))
		fi
	done <<-'EOF'
		good|pass|int vfio_user_x(void) { return 0; } int rte_vfio_user_y(void) { return 1; } static int z(void) { return 2; } int vfio_user_z(void) { return z(); }
		libvfio-user-name|fail|int vfio_user_x(void) { return 0; } int vfu_pci_init(void) { return 0; }
		other-component|fail|int vfio_user_x(void) { return 0; } int emudev_x(void) { return 0; }
		dpdk-clash|fail|int vfio_user_x(void) { return 0; } int vfio_user_taken(void) { return 0; }
	EOF
	echo "$pass passed, $fail failed"
	[ $fail -eq 0 ]
}

if [ "${1:-}" = --self-test ]; then
	self_test
	exit $?
fi
[ -n "${BUILD:-}" ] || die "usage: BUILD=<build dir> bash devtools/check-symbols.sh | --self-test"
check_build "$BUILD"
