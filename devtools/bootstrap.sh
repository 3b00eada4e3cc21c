#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Set up a fresh Debian 12 machine (as root) for building and testing the
# project: Debian packages, the DPDK driver SDK headers matching the installed
# libdpdk, and hugepages. Safe to run any number of times.
#
# Environment:
#   SKIP_APT=1        do not install packages (they must already be there)
#   SKIP_HUGEPAGES=1  do not touch hugepages
#   DPDK_SDK_DIR      where the SDK headers go
#                     (default: $HOME/.cache/dpdk-emu/sdk-<libdpdk version>)
set -euo pipefail

DIE_WORD=error
DIE_FD=2
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

PACKAGES=(
	build-essential meson ninja-build pkg-config
	clang lld libclang-rt-14-dev llvm
	clang-format clang-tidy cppcheck
	libdpdk-dev dpdk dpdk-dev
	libjson-c-dev libnuma-dev
	dpkg-dev xz-utils debootstrap ca-certificates
	python3 python3-pyelftools python3-sphinx doxygen
	libsystemd-dev
)
# libsystemd-dev: `pkg-config --static --libs libdpdk` names -lsystemd (via
# dbus-1.pc); devtools/test-install.sh links a program that way.

if [ "${SKIP_APT:-0}" != 1 ]; then
	[ "$(id -u)" = 0 ] || die "run as root (packages and hugepages need it), or set SKIP_APT=1 SKIP_HUGEPAGES=1"
	missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing: ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		apt-get install -y -q --no-install-recommends "${missing[@]}"
	else
		log "all packages present"
	fi
fi

# ---------------------------------------------------------------- SDK headers
# Debian ships no driver SDK headers (ethdev_driver.h, bus_vdev_driver.h, ...).
# Take them from the Debian source package of exactly the installed version.
if pkg-config --exists libdpdk; then
	dpdk_inc=$(pkg-config --variable=includedir libdpdk)
	if [ -f "$dpdk_inc/dpdk/ethdev_driver.h" ] || [ -f "$dpdk_inc/ethdev_driver.h" ]; then
		log "libdpdk at $dpdk_inc ships the driver SDK; no extra headers needed"
		need_sdk=0
	else
		need_sdk=1
	fi
else
	die "pkg-config cannot find libdpdk (install libdpdk-dev or set PKG_CONFIG_PATH)"
fi

if [ "$need_sdk" = 1 ]; then
	# Binary package version, e.g. 22.11.7-1~deb12u1
	libpkg=$(dpkg-query -W -f='${Package}\n' 'librte-eal*' 2>/dev/null | head -n1)
	[ -n "$libpkg" ] || die "no librte-eal package installed; is libdpdk-dev from Debian?"
	version=$(dpkg-query -W -f='${Version}' "$libpkg")
	upstream=${version#*:}
	upstream=${upstream%-*}
	sdk=${DPDK_SDK_DIR:-$HOME/.cache/dpdk-emu/sdk-$version}
	if [ -f "$sdk/.complete-v3" ]; then
		log "SDK headers for dpdk $version present in $sdk"
	else
		work=$(mktemp -d "${TMPDIR:-/tmp}/dpdk-src.XXXXXX")
		trap 'rm -rf "$work"' EXIT
		mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
		# Private apt configuration: a deb-src line for bookworm without
		# touching the system's sources.
		cat > "$work/sources.list" <<SRC
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
SRC
		aptopts=(-o "Dir::Etc::sourcelist=$work/sources.list"
			-o "Dir::Etc::sourceparts=-"
			-o "Dir::State::Lists=$work/lists"
			-o "Dir::Cache=$work/cache"
			-o "APT::Get::List-Cleanup=0")
		log "fetching dpdk source package $version"
		apt-get "${aptopts[@]}" update -q >/dev/null
		(cd "$work" && apt-get "${aptopts[@]}" source -q --download-only "dpdk=$version") ||
			die "the dpdk source package of version $version is not in Debian's archive; cannot get the SDK headers matching the installed libdpdk"
		dsc=$(ls "$work"/dpdk_*.dsc)
		srcver=$(sed -n 's/^Version: //p' "$dsc")
		[ "$srcver" = "$version" ] ||
			die "source version $srcver differs from installed libdpdk $version"
		(cd "$work" && dpkg-source -x --skip-patches "$dsc" src >/dev/null)
		srcdir="$work/src"
		[ -f "$srcdir/lib/ethdev/ethdev_driver.h" ] || die "unexpected dpdk source layout"
		rm -rf "$sdk.tmp"
		mkdir -p "$sdk.tmp/include"
		# Every header of the libraries and buses that is not installed.
		# (Not the per-OS shims of Windows and FreeBSD: they would shadow
		# the system's unistd.h, pthread.h, ...)
		find "$srcdir/lib" "$srcdir/drivers/bus" -name '*.h' -not -path '*/arch/*' \
			-not -path '*/windows/*' -not -path '*/freebsd/*' -print0 |
		while IFS= read -r -d '' h; do
			b=$(basename "$h")
			if [ ! -e "$dpdk_inc/dpdk/$b" ] && [ ! -e "$dpdk_inc/$b" ]; then
				cp "$h" "$sdk.tmp/include/$b"
			fi
		done
		# DPDK's build tools that embed the PMD information in a driver
		# (what dpdk-pmdinfo.py reads): kept next to the headers.
		mkdir -p "$sdk.tmp/buildtools"
		for t in pmdinfogen.py gen-pmdinfo-cfile.py coff.py; do
			[ -f "$srcdir/buildtools/$t" ] || die "DPDK source has no buildtools/$t"
			cp "$srcdir/buildtools/$t" "$sdk.tmp/buildtools/$t"
		done
		echo "$version" > "$sdk.tmp/VERSION"
		# v3: headers and build tools. v2 (headers only) too, for the
		# find-sdk.sh of older checkouts sharing this cache.
		touch "$sdk.tmp/.complete-v2" "$sdk.tmp/.complete-v3"
		rm -rf "$sdk"
		mkdir -p "$(dirname "$sdk")"
		mv "$sdk.tmp" "$sdk"
		log "SDK headers for dpdk $upstream ($version) in $sdk"
	fi
	for h in ethdev_driver.h bus_vdev_driver.h dev_driver.h ethdev_vdev.h; do
		[ -f "$sdk/include/$h" ] || die "SDK header $h missing in $sdk"
	done
	for t in pmdinfogen.py gen-pmdinfo-cfile.py coff.py; do
		[ -f "$sdk/buildtools/$t" ] || die "DPDK build tool $t missing in $sdk"
	done
	echo "$sdk/include" > "${BOOTSTRAP_SDK_FILE:-/dev/null}"
fi

# ---------------------------------------------------------------- hugepages
if [ "${SKIP_HUGEPAGES:-0}" != 1 ]; then
	want=${HUGEPAGES:-1024}
	cur=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$cur" -lt "$want" ]; then
		echo "$want" > /proc/sys/vm/nr_hugepages || true
		cur=$(cat /proc/sys/vm/nr_hugepages)
		[ "$cur" -ge 256 ] || die "could only reserve $cur hugepages (want $want)"
	fi
	if ! grep -q ' /dev/hugepages hugetlbfs' /proc/mounts; then
		mkdir -p /dev/hugepages
		mount -t hugetlbfs nodev /dev/hugepages
	fi
	log "hugepages: $cur x 2 MiB, hugetlbfs on /dev/hugepages"
fi
log "done"
