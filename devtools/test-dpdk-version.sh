#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Build and test the project against another DPDK than the host's: by
# default Debian 13 ("trixie") and its DPDK 24.11, in a chroot
# (DPDK_VERSION_SUITE=bookworm: Debian 12's 22.11, the same way).
#
# The chroot is built once with debootstrap (--variant=minbase, no
# recommends) and cached: build-essential, meson, ninja, pkg-config, clang,
# libdpdk-dev, dpdk-dev (dpdk-testpmd), libjson-c-dev, libnuma-dev,
# python3-pyelftools. The driver SDK headers that Debian does not ship are
# taken (as devtools/bootstrap.sh does on the host) from the suite's `dpdk`
# source package of exactly the installed version, or else from DPDK_SRC,
# into /opt/dpdk-sdk. Then, in a private mount namespace (every mount goes
# away with it, however the script ends), the source tree is bind-mounted
# read-only at /src in the chroot and:
#   1. built with gcc and with clang (-Werror, -Ddpdk_sdk_include=/opt/dpdk-sdk/include);
#   2. the unit tests that need no hugepages (`meson test --suite fast-tests`
#      but the iavf-client suite), gcc build;
#   3. unless SKIP_HUGE=1: the unit tests that need hugepages (iavf-client),
#      with a private hugetlbfs on /dev/hugepages in the chroot, and the
#      suite's own dpdk-testpmd loading the PMDs built there with -d from a
#      private 0700 directory: emu_iavf serves its socket, net_iavfbe is a port.
# Without SDK headers (source package unreachable, no DPDK_SRC), it checks
# instead that every C file which needs no SDK header compiles with gcc and
# clang (-Werror, the warning flags of meson.build), lists the others, and
# exits 77 (skipped) if those compiled.
#
#   DIR/.dpdk-emu-build-tree   stamp: KEY=VALUE lines, written last
#   DIR/opt/dpdk-sdk/include   the SDK headers
#   DIR/build/{gcc,clang}      the build directories (kept between runs), logs
#
# A complete tree (stamp of this recipe) is reused; an incomplete one is
# removed and rebuilt (in DIR.partial, renamed when complete). One run at a
# time per tree (flock on DIR.lock).
#
# usage: bash devtools/test-dpdk-version.sh      (as root, on Debian)
# Environment:
#   DPDK_VERSION_SUITE  Debian suite of the chroot (default: trixie)
#   DPDK_VERSION_TREE   the tree (default: $HOME/.cache/dpdk-emu/build-SUITE)
#   DPDK_SRC            a DPDK source tree or release tarball of the chroot's
#                       upstream version, for the SDK headers when the source
#                       package cannot be fetched
#   QEMU_MIRROR         Debian mirror (default: http://deb.debian.org/debian),
#                       the same variable as devtools/qemu-setup.sh
#   SKIP_HUGE=1         skip step 3 (said so, not counted)
# Output: PASS:/FAIL: lines, "N passed, M failed". Exit status 0 if nothing
# failed, 1 if something did, 77 if the chroot cannot be built or has no SDK
# headers (the reason is printed).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
# shellcheck source=devtools/lib.sh
. devtools/lib.sh

RECIPE=1
SUITE=${DPDK_VERSION_SUITE:-trixie}
case $SUITE in
*[!a-z]* | '') printf 'test-dpdk-version: error: DPDK_VERSION_SUITE must be a Debian suite name\n' >&2; exit 2 ;;
esac
MIRROR=${QEMU_MIRROR:-http://deb.debian.org/debian}
DIR=${DPDK_VERSION_TREE:-$HOME/.cache/dpdk-emu/build-$SUITE}
STAMP_NAME=.dpdk-emu-build-tree
SDK=/opt/dpdk-sdk
PACKAGES=(
	build-essential meson ninja-build pkg-config clang
	libdpdk-dev dpdk-dev libjson-c-dev libnuma-dev python3-pyelftools
	dpkg-dev xz-utils
)

passed=0
failed=0

DIR=${DIR%/}
case $DIR in
/*) ;;
*) DIR=$top/$DIR ;;
esac
if [ -z "$DIR" ] || [ "$DIR" = / ]; then
	skip "DPDK_VERSION_TREE must not be /"
fi
STAMP=$DIR/$STAMP_NAME
PARTIAL=$DIR.partial

# tree_ok ROOT: the stamp matches this recipe and what it names exists.
tree_ok() {
	local st=$1/$STAMP_NAME
	[ -f "$st" ] || return 1
	[ "$(stamp_value "$st" RECIPE)" = "$RECIPE" ] || return 1
	[ -x "$1/usr/bin/meson" ] && [ -x "$1/usr/bin/clang" ] && [ -x "$1/usr/bin/dpdk-testpmd" ]
}

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot, mounts)"
for c in chroot flock unshare; do
	command -v $c > /dev/null || skip "$c not found"
done

mkdir -p "$(dirname "$DIR")" || skip "cannot create $(dirname "$DIR")"
# One run at a time on the tree (the build directories are in it).
exec 9> "$DIR.lock"
if ! flock -n 9; then
	log "another run uses $DIR; waiting"
	flock 9
fi

# umount_under PATH: unmount anything left mounted below PATH.
umount_under() {
	local m
	while read -r m; do
		umount -l "$m" 2> /dev/null || true
	done < <(awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r)
}

remove_tree() {
	[ -e "$1" ] || return 0
	umount_under "$1"
	rm -rf --one-file-system -- "$1"
	[ ! -e "$1" ]
}

export DEBIAN_FRONTEND=noninteractive LC_ALL=C LANG=C

# build_tree: debootstrap, packages, SDK headers into PARTIAL; rename to DIR.
# Prints why and returns 1 on failure.
build_tree() {
	local t0 t1 ver upstream src srclog=$DIR.log
	t0=$SECONDS
	if ! command -v debootstrap > /dev/null; then
		log "installing debootstrap on the host"
		{ apt-get update -q && apt-get install -y -q --no-install-recommends debootstrap; } > "$srclog" 2>&1 || {
			log "cannot install debootstrap (log: $srclog)"
			return 1
		}
	fi
	[ -e "/usr/share/debootstrap/scripts/$SUITE" ] || {
		log "this debootstrap does not know the suite '$SUITE'"
		return 1
	}
	if [ -e "$DIR" ]; then
		if [ -f "$STAMP" ] || [ -f "$DIR/etc/debian_version" ] || [ -z "$(ls -A "$DIR" 2> /dev/null)" ]; then
			log "$DIR is incomplete or from an older recipe; rebuilding it"
			remove_tree "$DIR" || { log "cannot remove $DIR"; return 1; }
		else
			log "$DIR exists and is not a tree made by this script; remove it or set DPDK_VERSION_TREE"
			return 1
		fi
	fi
	remove_tree "$PARTIAL" || { log "cannot remove $PARTIAL"; return 1; }
	t1=$SECONDS
	log "debootstrap --variant=minbase $SUITE into $PARTIAL from $MIRROR"
	if ! debootstrap --variant=minbase "$SUITE" "$PARTIAL" "$MIRROR" > "$srclog" 2>&1; then
		tail -n 20 "$srclog"
		log "debootstrap failed (is $MIRROR reachable? log: $srclog)"
		return 1
	fi
	log "debootstrap done in $((SECONDS - t1)) s"
	apt_settings "$PARTIAL"
	# The chroot's sources are its own: add the deb-src lines apt source needs.
	sed -i 's/^Types: deb$/Types: deb deb-src/' "$PARTIAL/etc/apt/sources.list.d/debian.sources" 2> /dev/null
	if ! grep -q '^Types: deb deb-src' "$PARTIAL/etc/apt/sources.list.d/debian.sources" 2> /dev/null; then
		# Older debootstrap: a one-line sources.list.
		src=$(sed -n 's/^deb /deb-src /p' "$PARTIAL/etc/apt/sources.list" 2> /dev/null)
		printf '%s\n' "$src" >> "$PARTIAL/etc/apt/sources.list"
		grep -q '^deb-src ' "$PARTIAL/etc/apt/sources.list" 2> /dev/null || {
			log "cannot add a deb-src line to the chroot's sources"
			return 1
		}
	fi
	t1=$SECONDS
	log "installing ${PACKAGES[*]}"
	{ chroot "$PARTIAL" apt-get update -q &&
		chroot "$PARTIAL" apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"; } >> "$srclog" 2>&1 || {
		tail -n 20 "$srclog"
		log "apt-get in the chroot failed (log: $srclog)"
		return 1
	}
	log "packages installed in $((SECONDS - t1)) s"

	# shellcheck disable=SC2016 # a dpkg-query format
	ver=$(chroot "$PARTIAL" dpkg-query -W -f='${Version}' libdpdk-dev) || {
		log "libdpdk-dev is not installed in the chroot"
		return 1
	}
	upstream=${ver#*:}
	upstream=${upstream%-*}
	chroot "$PARTIAL" apt-get clean > /dev/null 2>&1 || true
	cat > "$PARTIAL/$STAMP_NAME" << EOF
RECIPE=$RECIPE
SUITE=$SUITE
PACKAGES=${PACKAGES[*]}
DPDK_VERSION=$ver
DPDK_UPSTREAM=$upstream
SDK=$SDK/include
BUILD_SECONDS=$((SECONDS - t0))
BUILT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
	tree_ok "$PARTIAL" || { log "internal error: the new tree fails its own check"; return 1; }
	mv -T "$PARTIAL" "$DIR" || return 1
	log "chroot built from nothing in $((SECONDS - t0)) s ($(du -sh "$DIR" | cut -f1))"
}

cleanup_partial() {
	local rc=$?
	umount_under "$PARTIAL"
	exit $rc
}

if tree_ok "$DIR"; then
	log "reusing $DIR (DPDK $(stamp_value "$STAMP" DPDK_VERSION), built $(stamp_value "$STAMP" BUILT) in $(stamp_value "$STAMP" BUILD_SECONDS) s)"
else
	trap cleanup_partial EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	build_tree || skip "the $SUITE chroot could not be built (see above)"
	trap - EXIT
fi
dpdk_ver=$(stamp_value "$STAMP" DPDK_UPSTREAM)
dpdk_full=$(stamp_value "$STAMP" DPDK_VERSION)
mkdir -p "$DIR/build" "$DIR/src"

# SDK headers of exactly the installed DPDK, in DIR/opt/dpdk-sdk: from the
# chroot's `apt-get source dpdk=VERSION`, or else from DPDK_SRC (a DPDK
# source tree or release tarball of the same upstream version, e.g.
# dpdk-24.11.8.tar.xz). Sets sdk_why and returns 1 if neither works.
# shellcheck disable=SC2016 # expanded by the shell in the chroot
EXTRACT_SDK='
	s=$1 dst=$2 ver=$3
	[ -f "$s/lib/ethdev/ethdev_driver.h" ] || { echo "unexpected dpdk source layout in $s"; exit 1; }
	rm -rf "$dst" && mkdir -p "$dst/include"
	# Every header of the libraries and buses that is not installed (not
	# the Windows and FreeBSD shims: they would shadow the libc ones).
	find "$s/lib" "$s/drivers/bus" -name "*.h" -not -path "*/arch/*" \
		-not -path "*/windows/*" -not -path "*/freebsd/*" |
	while read -r h; do
		b=${h##*/}
		[ -e "/usr/include/dpdk/$b" ] || [ -e "/usr/include/x86_64-linux-gnu/dpdk/$b" ] ||
			cp "$h" "$dst/include/$b"
	done
	for h in ethdev_driver.h bus_vdev_driver.h dev_driver.h ethdev_vdev.h; do
		[ -f "$dst/include/$h" ] || { echo "SDK header $h missing"; exit 1; }
	done
	echo "$ver" > "$dst/VERSION"
	touch "$dst/.complete"
'
sdk_why=
sdk_inc=$SDK/include
get_sdk() {
	local out=$DIR.sdk.log t0=$SECONDS v
	if [ -f "$DIR/usr/include/dpdk/ethdev_driver.h" ]; then
		log "the chroot's libdpdk ships the driver SDK headers"
		sdk_inc=
		return 0
	fi
	[ -f "$DIR$SDK/.complete" ] && [ "$(cat "$DIR$SDK/VERSION" 2> /dev/null)" = "$dpdk_full" ] && return 0
	log "fetching the dpdk $dpdk_full source package for the SDK headers"
	# shellcheck disable=SC2016 # expanded by the shell in the chroot
	if chroot "$DIR" sh -euc '
		rm -rf /var/tmp/dpdk-src && mkdir -p /var/tmp/dpdk-src && chown _apt: /var/tmp/dpdk-src
		cd /var/tmp/dpdk-src
		apt-get source -q --download-only "dpdk=$1"
		dsc=$(ls dpdk_*.dsc)
		[ "$(sed -n "s/^Version: //p" "$dsc")" = "$1" ] || { echo "source version differs from $1"; exit 1; }
		dpkg-source -x --skip-patches "$dsc" src > /dev/null
		sh -euc "$3" sh /var/tmp/dpdk-src/src "$2" "$1"
		cd / && rm -rf /var/tmp/dpdk-src
	' sh "$dpdk_full" "$SDK" "$EXTRACT_SDK" > "$out" 2>&1; then
		log "SDK headers of dpdk $dpdk_full from its source package in $((SECONDS - t0)) s"
		return 0
	fi
	rm -rf "$DIR/var/tmp/dpdk-src"
	sdk_why="the dpdk $dpdk_full source package could not be fetched ($(grep -m1 -E '^E: ' "$out" | sed 's/ \[IP: [^]]*\]//' | cut -c1-200); log: $out)"
	if [ -z "${DPDK_SRC:-}" ]; then
		sdk_why="$sdk_why, and DPDK_SRC (a DPDK $dpdk_ver source tree or tarball) is not set"
		return 1
	fi
	log "$sdk_why; taking the SDK headers from DPDK_SRC=$DPDK_SRC"
	rm -rf "$DIR/var/tmp/dpdk-src" && mkdir -p "$DIR/var/tmp/dpdk-src/src"
	if [ -d "$DPDK_SRC" ]; then
		cp -a "$DPDK_SRC/lib" "$DPDK_SRC/drivers" "$DPDK_SRC/VERSION" "$DIR/var/tmp/dpdk-src/src/" 2> /dev/null
	else
		tar -xf "$DPDK_SRC" -C "$DIR/var/tmp/dpdk-src/src" --strip-components=1 2> /dev/null
	fi
	v=$(cat "$DIR/var/tmp/dpdk-src/src/VERSION" 2> /dev/null)
	if [ "$v" != "$dpdk_ver" ]; then
		rm -rf "$DIR/var/tmp/dpdk-src"
		sdk_why="$sdk_why; DPDK_SRC is DPDK '${v:-?}', not $dpdk_ver"
		return 1
	fi
	if ! chroot "$DIR" sh -euc "$EXTRACT_SDK" sh /var/tmp/dpdk-src/src "$SDK" "$dpdk_full" >> "$out" 2>&1; then
		sdk_why="$sdk_why; DPDK_SRC: $(tail -n 1 "$out")"
		rm -rf "$DIR/var/tmp/dpdk-src"
		return 1
	fi
	rm -rf "$DIR/var/tmp/dpdk-src"
	log "SDK headers of dpdk $dpdk_ver from DPDK_SRC"
}

# in_ns [--huge] CMD...: run CMD in the chroot in a private mount namespace
# with /proc, /sys, /dev (a bind of the host's, without what is mounted
# below it), /dev/shm (tmpfs) and /src (the source tree, read-only); with
# --huge, a private hugetlbfs on /dev/hugepages. Every mount ends with CMD.
in_ns() {
	local huge=0
	if [ "$1" = --huge ]; then
		huge=1
		shift
	fi
	mkdir -p "$DIR/src" "$DIR/build"
	# shellcheck disable=SC2016 # expanded by the shell in the namespace
	unshare --mount --propagation private -- sh -euc '
		d=$1 top=$2 huge=$3
		shift 3
		mount -t proc proc "$d/proc"
		mount -t sysfs -o ro sysfs "$d/sys"
		mount --bind /dev "$d/dev"
		mount -t tmpfs -o mode=1777,size=256m tmpfs "$d/dev/shm"
		if [ "$huge" = 1 ]; then
			mount -t hugetlbfs -o pagesize=2M nodev "$d/dev/hugepages"
		fi
		mount --bind "$top" "$d/src"
		mount -o remount,bind,ro "$d/src"
		exec chroot "$d" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"
	' sh "$DIR" "$top" "$huge" "$@"
}

log "DPDK in the chroot: $dpdk_full"

# compile_each: without SDK headers, compile every C file of the project that
# needs none (libraries, examples) against the chroot's DPDK with the flags
# of meson.build; the files that need them are listed as not checked.
# shellcheck disable=SC2016 # expanded by the shell in the chroot
COMPILE_EACH='
	cd /src
	flags="-std=gnu11 -O2 -g -fPIC -Wall -Wextra -Werror -DALLOW_EXPERIMENTAL_API -DALLOW_INTERNAL_API
		-D_GNU_SOURCE -Wno-missing-field-initializers -Wpointer-arith -Wcast-align
		-Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations -Wformat-security
		-Wshadow -Wundef -Wwrite-strings
		$(find lib drivers app -name "*.h" -printf "-I%h\n" | sort -u)
		$(pkg-config --cflags libdpdk json-c | sed "s/-I/-isystem /g")"
	for cc in gcc clang; do
		for f in $(find lib drivers examples app -name "*.c" | sort); do
			if ! $cc -M -MG $flags -DRTE_LOG_DEFAULT_LOGTYPE=x "$f" 2> /dev/null |
				tr " " "\n" | grep -qE "^(ethdev_driver|ethdev_vdev|bus_vdev_driver|dev_driver|bus_driver|eal_export)\.h$"; then
				if $cc $flags -DRTE_LOG_DEFAULT_LOGTYPE=lib.x -c "$f" -o /dev/null 2> /tmp/cc.err; then
					echo "OK $cc $f"
				else
					echo "FAIL $cc $f"
					sed "s/^/    /" /tmp/cc.err | head -n 20
				fi
			else
				echo "NOSDK $cc $f"
			fi
		done
	done
'

t0=$SECONDS
if ! get_sdk; then
	log "no SDK headers: $sdk_why"
	log "checking instead that every file which needs no SDK header compiles against DPDK $dpdk_ver"
	out=$DIR/build/compile-each.log
	in_ns sh -euc "$COMPILE_EACH" > "$out" 2>&1
	while read -r res cc f; do
		case $res in
		OK) check "$cc -Werror compiles $f against DPDK $dpdk_ver" 1 ;;
		FAIL)
			check "$cc -Werror compiles $f against DPDK $dpdk_ver" 0
			sed -n "/^FAIL $cc ${f//\//\\/}\$/,/^[A-Z]/p" "$out" | sed '1d;$d' | sed -n '/^    /p'
			;;
		esac
	done < <(grep -E '^(OK|FAIL|NOSDK) ' "$out")
	nosdk=$(grep -c '^NOSDK gcc ' "$out")
	[ "$((passed + failed))" != 0 ] || { tail -n 20 "$out"; check "compile check ran (log: $out)" 0; }
	log "not checked (they need the SDK headers): $nosdk files: $(grep '^NOSDK gcc ' "$out" | awk '{print $3}' | xargs)"
	log "compile check took $((SECONDS - t0)) s"
	[ "$failed" != 0 ] ||
		printf 'test-dpdk-version: SKIP: the full build and the unit tests against DPDK %s: %s\n' "$dpdk_ver" "$sdk_why"
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" = 0 ] || exit 1
	exit 77
fi

# build_one NAME CC: configure (once) and build /build/NAME with CC.
build_one() {
	local name=$1 cc=$2 out=$DIR/build/$1.log
	# shellcheck disable=SC2016 # expanded by the shell in the chroot
	if in_ns sh -euc '
		b=/build/$1
		if [ ! -f "$b/build.ninja" ]; then
			CC=$2 meson setup "$b" /src ${3:+-Ddpdk_sdk_include=$3} -Dwerror=true
		fi
		ninja -C "$b" -j2
	' sh "$name" "$cc" "$sdk_inc" > "$out" 2>&1; then
		if grep -q 'warning:' "$out"; then
			grep -m5 'warning:' "$out"
			check "build with $cc against DPDK $dpdk_ver: warnings (log: $out)" 0
			return 1
		fi
		check "build with $cc against DPDK $dpdk_ver" 1
	else
		grep -m20 -E 'error|ERROR' "$out"
		check "build with $cc against DPDK $dpdk_ver (log: $out)" 0
		return 1
	fi
}

build_one gcc gcc
gcc_ok=$?
build_one clang clang
log "builds took $((SECONDS - t0)) s"

# run_tests WHAT [--huge] MESON-TEST-ARGS...: the unit tests in /build/gcc;
# one PASS/FAIL line per test.
run_tests() {
	local what=$1 huge=() out line name res n=0
	shift
	if [ "$1" = --huge ]; then
		huge=(--huge)
		shift
	fi
	out=$DIR/build/test-${what//[^a-z0-9]/_}.log
	in_ns "${huge[@]}" meson test -C /build/gcc --print-errorlogs "$@" > "$out" 2>&1
	while read -r line; do
		# "1/8 dpdk-emu:fast-tests+vfio-user / vfio_user_msg_autotest   OK   0.51s"
		name=$(printf '%s\n' "$line" | awk '{ for (i = 1; i < NF; i++) if ($i == "/") print $(i + 1) }')
		res=$(printf '%s\n' "$line" | awk '{ for (i = 1; i < NF - 1; i++) if ($i == "/") print $(i + 2) }')
		n=$((n + 1))
		check "$what: $name ($res)" "$([ "$res" = OK ] && echo 1 || echo 0)"
	done < <(grep -E '^ *[0-9]+/[0-9]+ ' "$out")
	if [ "$n" = 0 ]; then
		tail -n 20 "$out"
		check "$what: meson test ran no test (log: $out)" 0
	elif grep -qE '^ *[0-9]+/[0-9]+ .* (FAIL|TIMEOUT|ERROR)' "$out"; then
		log "failures: see $out"
	fi
}

# testpmd: trixie's dpdk-testpmd loads our PMDs (built against its DPDK)
# with -d from a private 0700 directory and probes emu_iavf + net_iavfbe.
run_testpmd() {
	local out=$DIR/build/testpmd.log
	# shellcheck disable=SC2016 # expanded by the shell in the chroot
	in_ns --huge sh -euc '
		d=/root/plugins
		rm -rf "$d" && (umask 077 && mkdir -p "$d")
		find /build/gcc/lib /build/gcc/drivers -name "*.p" -prune -o -name "librte_*.so*" -print |
			xargs cp -P -t "$d"
		chmod 700 /root "$d"
		sock=/tmp/tdv-$$.sock
		LD_LIBRARY_PATH=$d timeout 60 dpdk-testpmd -d "$d/librte_emu_iavf.so" -d "$d/librte_net_iavfbe.so" \
			--file-prefix tdv$$ --in-memory --no-pci --lcores 0@0,1@0 -m 256 \
			--vdev "emu_iavf0,sock=$sock,queues=1" --vdev net_iavfbe0,emu=emu_iavf0 \
			-- --total-num-mbufs=2048 --stats-period 1 2>&1 < /dev/null &
		pid=$!
		sleep 8
		if [ -S "$sock" ]; then echo "SOCKET-PRESENT"; fi
		kill -INT $pid 2> /dev/null || true
		wait $pid || true
		rm -f "$sock"
	' > "$out" 2>&1
	check "DPDK $dpdk_ver dpdk-testpmd -d: emu_iavf0 serves its socket" "$(grep -q '^SOCKET-PRESENT' "$out" && echo 1 || echo 0)"
	check "DPDK $dpdk_ver dpdk-testpmd -d: net_iavfbe0 is a port" "$(grep -qE '^Port 0: ([0-9A-F]{2}:){5}[0-9A-F]{2}' "$out" && echo 1 || echo 0)"
	check "DPDK $dpdk_ver dpdk-testpmd -d: no probe failure" "$(grep -qE 'EAL: Error|[Ff]ailed to (probe|load)|Cannot (init|create|attach)|probe.* failed' "$out" && echo 0 || echo 1)"
	grep -E 'EMU_IAVF|IAVFBE|^Port 0:|EAL: Error|[Ff]ail' "$out" | head -n 8 | sed 's/^/    /'
}

if [ "$gcc_ok" = 0 ]; then
	t0=$SECONDS
	run_tests "unit tests without hugepages, DPDK $dpdk_ver" --suite fast-tests --no-suite iavf-client
	if [ "${SKIP_HUGE:-0}" = 1 ]; then
		log "SKIP: the unit tests with hugepages and testpmd (SKIP_HUGE=1)"
	else
		run_tests "unit tests with hugepages, DPDK $dpdk_ver" --huge --suite iavf-client
		run_testpmd
	fi
	log "tests took $((SECONDS - t0)) s"
fi

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
