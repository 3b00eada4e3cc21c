#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Print the include directory of the DPDK driver SDK headers that
# devtools/bootstrap.sh extracted for the installed libdpdk ($1: its
# pkg-config version, used as a sanity check). Prints nothing if absent.
libpkg=$(dpkg-query -W -f='${Package}\n' 'librte-eal*' 2>/dev/null | head -n1)
[ -n "$libpkg" ] || exit 0
version=$(dpkg-query -W -f='${Version}' "$libpkg" 2>/dev/null)
dir=${DPDK_SDK_DIR:-$HOME/.cache/dpdk-emu/sdk-$version}
case "$version" in
"$1"-*|*:"$1"-*) ;;
*) exit 0 ;;
esac
[ -f "$dir/.complete-v3" ] && echo "$dir/include"
exit 0
