#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Copy the project's shared libraries and drivers (every librte_*.so* that
# BUILD/lib and BUILD/drivers hold: librte_vfio_user, librte_emudev,
# librte_emu_iavf, librte_net_iavfbe, ...) into a private directory and print
# that directory.
#
# Why: DPDK's EAL refuses a `-d` plugin whose path has a world-writable
# directory anywhere between / and the file (sticky or not, e.g. /tmp), and a
# build tree may well lie in one (CI clones, mktemp -d). The private directory
# is $HOME/.cache/dpdk-emu/plugins-<hash of BUILD's real path>, mode 0700,
# refreshed on every call: changed files are replaced (by rename, so a running
# process keeps the copy it mapped), files no longer in BUILD are removed.
#
# usage: devtools/private-plugins.sh BUILD
#   then: LD_LIBRARY_PATH=$dir dpdk-testpmd -d $dir/librte_emu_iavf.so ...
#   (the plugins' NEEDED project libraries are found through LD_LIBRARY_PATH)
# Environment:
#   PLUGIN_CACHE  parent of the private directories
#                 (default: $HOME/.cache/dpdk-emu); it must not lie under a
#                 world-writable directory either
# Output: the directory, alone on stdout. Messages go to stderr.
# Exit status: 0 done, 1 error (e.g. a world-writable $HOME: the message says
# which directory), 2 usage.
set -euo pipefail

# Messages on stderr: the directory's path is the output.
LOG_FD=2
DIE_WORD=error
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

if [ $# != 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
	sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
[ -d "$1" ] || die "no build directory $1"
build=$(realpath -e "$1")

if [ -z "${PLUGIN_CACHE:-}" ]; then
	[ -n "${HOME:-}" ] || die "HOME is not set (or set PLUGIN_CACHE)"
	PLUGIN_CACHE=$HOME/.cache/dpdk-emu
fi
case $PLUGIN_CACHE in
/*) ;;
*) PLUGIN_CACHE=$(pwd)/$PLUGIN_CACHE ;;
esac

# check_path DIR: no directory from / down to DIR (all existing) is
# world-writable, which is what EAL checks for every -d path.
check_path() {
	local p=$1 mode
	while :; do
		mode=$(stat -L -c %a "$p") || die "cannot stat $p"
		if [ $((8#$mode & 2)) != 0 ]; then
			die "$p is world-writable (mode $mode): DPDK's EAL refuses -d plugins below it; make it not world-writable (chmod o-w '$p') or point PLUGIN_CACHE (or HOME) elsewhere"
		fi
		[ "$p" = / ] && break
		p=$(dirname "$p")
	done
}

# Check the existing part of the path before creating anything in it.
p=$PLUGIN_CACHE
while [ ! -e "$p" ]; do
	p=$(dirname "$p")
done
check_path "$(realpath -e "$p")"
# New directories are private (0700); an existing one must not be writable by
# others, checked below.
(umask 077 && mkdir -p "$PLUGIN_CACHE") || die "cannot create $PLUGIN_CACHE"
cache=$(realpath -e "$PLUGIN_CACHE")

hash=$(printf '%s' "$build" | sha256sum | cut -c1-16)
dir=$cache/plugins-$hash
(umask 077 && mkdir -p "$dir") || die "cannot create $dir"
chmod 700 "$dir"
check_path "$dir"

# The project's libraries: regular files and symbolic links named
# librte_*.so or librte_*.so.N..., directly in BUILD/lib and BUILD/drivers
# (where lib/meson.build and drivers/meson.build build them); in their
# subdirectories, outside meson's *.p object directories, only if none is
# there (a build of an earlier revision, one directory per component;
# in a build directory that has both, those are stale).
mapfile -t srcs < <(find "$build/lib" "$build/drivers" -maxdepth 1 \
	\( -type f -o -type l \) -name 'librte_*.so*' -print 2> /dev/null | sort)
if [ ${#srcs[@]} = 0 ]; then
	mapfile -t srcs < <(find "$build/lib" "$build/drivers" -name '*.p' -prune -o \
		\( -type f -o -type l \) -name 'librte_*.so*' -print 2> /dev/null | sort)
fi
names=()
for s in "${srcs[@]}"; do
	n=${s##*/}
	case $n in
	*.so | *.so.[0-9]*) ;;
	*) continue ;;
	esac
	names+=("$n")
done
[ ${#names[@]} != 0 ] || die "no librte_*.so* under $build/lib or $build/drivers (is $build built?)"
dups=$(printf '%s\n' "${names[@]}" | sort | uniq -d)
[ -z "$dups" ] || die "several files in $build have the name(s): $dups"

exec 9> "$dir/.lock"
flock 9 || die "cannot lock $dir/.lock"

changed=0
for s in "${srcs[@]}"; do
	n=${s##*/}
	case $n in
	*.so | *.so.[0-9]*) ;;
	*) continue ;;
	esac
	d=$dir/$n
	tmp=$dir/.tmp.$n.$$
	if [ -L "$s" ]; then
		t=$(readlink "$s")
		case $t in
		*/*) die "$s links outside its directory ($t); not supported" ;;
		esac
		[ -L "$d" ] && [ "$(readlink "$d")" = "$t" ] && continue
		ln -s "$t" "$tmp"
	else
		[ -f "$d" ] && [ ! -L "$d" ] && cmp -s "$s" "$d" && continue
		cp "$s" "$tmp"
		chmod 755 "$tmp"
	fi
	mv -fT "$tmp" "$d"
	changed=$((changed + 1))
done

# Drop what BUILD no longer has (a renamed or removed library).
removed=0
for d in "$dir"/librte_*; do
	[ -e "$d" ] || [ -L "$d" ] || continue
	n=${d##*/}
	keep=0
	for k in "${names[@]}"; do
		if [ "$k" = "$n" ]; then
			keep=1
			break
		fi
	done
	if [ "$keep" = 0 ]; then
		rm -f -- "$d"
		removed=$((removed + 1))
	fi
done
rm -f -- "$dir"/.tmp.*."$$"

log "$dir: ${#names[@]} file(s) from $build ($changed updated, $removed removed)"
printf '%s\n' "$dir"
