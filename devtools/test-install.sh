#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# The installed project, as an application sees it (doc/guides/howto/install.rst).
#
# (a) Staged install: BUILD's sources configured with --prefix=<a private
#     0700 directory under $HOME> (EAL refuses -d paths below world-writable
#     directories such as /tmp), `meson install`, then checked:
#      - the installed files: librte_vfio_user / librte_emudev .so.<ABI>
#        with their .so.<major> and .so links, the PMDs' .so.<ABI> in
#        <libdir>/dpdk/pmds-<ABI> with links in libdir, the .a archives, the
#        headers (net_iavf_client's rte_pmd_iavf_client.h too),
#        libdpdk-emu.pc;
#      - pkg-config: --cflags finds the headers, --libs the shared
#        libraries, --static --libs the archives with the drivers whole,
#        --variable=pmddir the plugin directory;
#      - dpdk-pmdinfo.py on the installed PMDs names emu_iavf, net_iavfbe and
#        net_iavf_client with their parameter strings;
#      - a small C program built with `pkg-config --cflags --libs` (shared: run
#        with LD_LIBRARY_PATH and -d <pmddir>) and with `--static --libs`
#        (run with no -d) creates emu_iavf0, net_iavfbe0 and net_iavf_client0
#        (connected to emu_iavf0) with rte_vdev_init().
# (b) System install without touching the system: in a private mount
#     namespace (unshare), an overlay over /usr whose upper layer is a tmpfs,
#     `meson install` with DPDK's own prefix and libdir (pkg-config libdpdk):
#     the stock dpdk-testpmd, with NO -d, probes emu_iavf0 + net_iavfbe0; a
#     second stock dpdk-testpmd (net_iavf_client0) connects: both links come
#     up, packets pass and both sides count them. The overlay vanishes with
#     the namespace; other processes never see the installed files.
#
# usage: BUILD=builddir devtools/test-install.sh     (as root for (b))
# Environment:
#   BUILD      a configured build directory (default: build); the install
#              builds go to <BUILD>-inst-stage and <BUILD>-inst-sys next to it
#              (configured with BUILD's compiler, -Dtests=false)
#   TESTPMD    (b) testpmd (default: /usr/bin/dpdk-testpmd, Debian's dpdk)
#   PMDINFO    dpdk-pmdinfo.py (default: from PATH, Debian's dpdk package)
#   KEEP=1     keep the private directory (the staged install, the logs)
# Output: PASS/FAIL lines, then "N passed, M failed".
# Exit status: 0 all passed, 77 skipped (a prerequisite is missing: the reason
# is printed), 1 a check failed.
set -euo pipefail
self=$(realpath -e "$0")
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
# shellcheck source=devtools/lib.sh
. devtools/lib.sh

# ------------------------------------------------------------ (b), inside
# Run by the script itself inside the namespace: $0 --in-namespace DIR SYSBUILD
if [ "${1:-}" = --in-namespace ]; then
	priv=$2
	sysbuild=$3
	passed=0
	failed=0
	TESTPMD=${TESTPMD:-/usr/bin/dpdk-testpmd}
	ns=$priv/ns
	mount -t tmpfs -o mode=0700 tmpfs "$ns"
	mkdir "$ns/upper" "$ns/work" "$ns/etc-upper" "$ns/etc-work" "$ns/run"
	mount -t overlay overlay -o "lowerdir=/usr,upperdir=$ns/upper,workdir=$ns/work" /usr
	# /etc too: a meson that runs ldconfig after installing writes its cache there.
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$ns/etc-upper,workdir=$ns/etc-work" /etc
	check "overlays over /usr and /etc in a private mount namespace" 1
	if ! meson install -C "$sysbuild" --no-rebuild --quiet > "$ns/install.log" 2>&1; then
		cat "$ns/install.log"
		check "meson install into the overlaid /usr" 0
		printf '%s %s\n' "$passed" "$failed" > "$priv/ns-counts"
		exit 1
	fi
	pmddir=$(PKG_CONFIG_PATH='' pkg-config --variable=pmddir libdpdk-emu)
	check "pkg-config (no PKG_CONFIG_PATH) finds the system libdpdk-emu, pmddir $pmddir" \
		"$(is test -e "$pmddir/librte_emu_iavf.so")"
	ls -l "$pmddir"/librte_emu_iavf* "$pmddir"/librte_net_iavf*
	sock=$ns/run/avf.sock
	# Non-interactive testpmds, statistics every second; SIGINT stops them
	# (they print the final forwarding statistics and close the ports).
	common=(-m 512 --single-file-segments --no-pci --log-level=lib.eal:debug
		--log-level='pmd.*:info' --log-level='*emu*:info' --log-level='*vfio_user*:info')
	"$TESTPMD" --file-prefix="emu-inst-srv-$$" --lcores '0@0,1@0' "${common[@]}" \
		--vdev "emu_iavf0,sock=$sock,trust_client_memory=1" --vdev net_iavfbe0,emu=emu_iavf0 \
		-- --forward-mode=rxonly --stats-period=1 > "$ns/srv.log" 2>&1 &
	srv=$!
	for ((i = 0; i < 300; i++)); do
		[ -S "$sock" ] && break
		kill -0 "$srv" 2> /dev/null || break
		sleep 0.1
	done
	check "stock testpmd with no -d: emu_iavf0 created its socket" "$(is test -S "$sock")"
	cli=
	if [ -S "$sock" ]; then
		"$TESTPMD" --file-prefix="emu-inst-cli-$$" --lcores '0@1,1@1' "${common[@]}" \
			--vdev "net_iavf_client0,path=$sock" \
			-- --forward-mode=txonly --stats-period=1 > "$ns/cli.log" 2>&1 &
		cli=$!
		# Until both ports report their link up and the server counts
		# packets (at most 60 s; the CPUs may be shared), then 2 s more.
		for ((i = 0; i < 600; i++)); do
			grep -q 'Port 0: link state change event' "$ns/cli.log" &&
				awk '/RX-packets:/ && $2 > 0 { f = 1 } END { exit !f }' "$ns/srv.log" && break
			{ kill -0 "$cli" && kill -0 "$srv"; } 2> /dev/null || break
			sleep 0.1
		done
		sleep 2
	fi
	for p in $cli $srv; do
		kill -INT "$p" 2> /dev/null || true
		for ((i = 0; i < 300; i++)); do
			kill -0 "$p" 2> /dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
	done
	rm -rf "/var/run/dpdk/emu-inst-srv-$$" "/var/run/dpdk/emu-inst-cli-$$"
	for f in srv cli; do
		[ -f "$ns/$f.log" ] || continue
		echo "---- $f: the plugin directory loads and the port lines"
		grep -E 'open shared lib .*(emu_iavf|iavfbe|iavf_client)|Port 0:|link state|RX-packets|TX-packets' \
			"$ns/$f.log" | sed 's/^/  /' | tail -n 14
		cp "$ns/$f.log" "$priv/$f.log"
	done
	# The drivers came from the plugin directory, each from one file (the
	# .so link and the .so.<ABI> file it names are one object).
	check "server: EAL loaded emu_iavf and net_iavfbe from $pmddir (no -d)" \
		"$(is grep -q "open shared lib $pmddir/librte_net_iavfbe.so" "$ns/srv.log")"
	check "server: emu_iavf0 and net_iavfbe0 probed (port 0 started)" \
		"$(is grep -qE 'Port 0: [0-9A-F:]{17}' "$ns/srv.log")"
	check "client: net_iavf_client0 probed and connected (port 0 started)" \
		"$(is grep -qE 'Port 0: [0-9A-F:]{17}' "$ns/cli.log")"
	check "server: link up" "$(is grep -qE 'Port 0: link state change event|Port 0: Link up' "$ns/srv.log")"
	check "client: link up" "$(is grep -qE 'Port 0: link state change event|Port 0: Link up' "$ns/cli.log")"
	tx=$(awk '/Forward statistics for port 0/ { s = 1 } s && /TX-packets:/ { print $2; exit }' "$ns/cli.log")
	rx=$(awk '/Forward statistics for port 0/ { s = 1 } s && /RX-packets:/ { print $2; exit }' "$ns/srv.log")
	ok=0
	[[ $tx =~ ^[0-9]+$ ]] && [[ $rx =~ ^[0-9]+$ ]] && [ "$tx" -gt 0 ] && [ "$rx" -gt 0 ] &&
		[ "$rx" -le "$tx" ] && ok=1
	check "packets passed: client TX-packets ${tx:-?}, server RX-packets ${rx:-?}" "$ok"
	dup=$(grep -hE 'already registered|cannot be registered|registered twice' "$ns/srv.log" "$ns/cli.log" || true)
	check "no driver loaded twice${dup:+ ($dup)}" "$(is test -z "$dup")"
	printf '%s %s\n' "$passed" "$failed" > "$priv/ns-counts"
	exit 0
fi

# ------------------------------------------------------------ set-up
[ -f "$BUILD/build.ninja" ] || skip "$BUILD is not a configured build directory (BUILD=$BUILD)"
command -v pkg-config > /dev/null || skip "pkg-config not found"
pkg-config --exists libdpdk || skip "pkg-config cannot find libdpdk"
PMDINFO=${PMDINFO:-$(command -v dpdk-pmdinfo.py || true)}
{ [ -n "${HOME:-}" ] && [ -d "$HOME" ]; } || skip "HOME is not set or not a directory"
# EAL refuses -d below a world-writable directory: check $HOME's path.
p=$(realpath -e "$HOME")
while :; do
	[ $((8#$(stat -c %a "$p") & 2)) = 0 ] ||
		skip "$p is world-writable: EAL would refuse the -d of the staged PMDs"
	[ "$p" = / ] && break
	p=$(dirname "$p")
done

src=$(pwd)
build=$(realpath -e "$BUILD")
parent=$(dirname "$build")
name=$(basename "$build")
# BUILD's C compiler (the command of its compile rule, e.g. "ccache clang").
cc=$(awk '/^rule c_COMPILER$/ { r = 1; next }
	r && $1 == "command" { sub(/^ *command = /, ""); sub(/ \$ARGS.*/, ""); print; exit }' \
	"$build/build.ninja")
cc=${cc:-cc}
priv=$(mktemp -d "$HOME/.emu-install.XXXXXX")
chmod 700 "$priv"
stage=$priv/stage
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	local rc=$?
	if [ "${KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then
		log "kept: $priv"
	else
		rm -rf "$priv"
	fi
}
trap cleanup EXIT

passed=0
failed=0

# setup_build DIR ARGS...: configure (or reconfigure) an install build, build it.
setup_build() {
	local dir=$1
	shift
	local opts=(-Dtests=false "$@")
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "${opts[@]}" > "$priv/$(basename "$dir").setup.log" 2>&1
	else
		CC="$cc" meson setup "$dir" "$src" "${opts[@]}" > "$priv/$(basename "$dir").setup.log" 2>&1
	fi || { cat "$priv/$(basename "$dir").setup.log"; return 1; }
	ninja -C "$dir" -j2 > "$priv/$(basename "$dir").build.log" 2>&1 ||
		{ tail -n 40 "$priv/$(basename "$dir").build.log"; return 1; }
}

# ------------------------------------------------------------ (a) staged
log "(a) staged install: $stage (build $parent/$name-inst-stage, CC=$cc)"
setup_build "$parent/$name-inst-stage" --prefix="$stage" --libdir=lib ||
	die "cannot build $parent/$name-inst-stage"
grep '^Message:' "$priv/$name-inst-stage.setup.log" | sed 's/^/  /' || true
meson install -C "$parent/$name-inst-stage" --no-rebuild --quiet > "$priv/install.log" 2>&1 ||
	{ cat "$priv/install.log"; die "meson install failed"; }

abi=$(PKG_CONFIG_PATH=$stage/lib/pkgconfig pkg-config --variable=abi_version libdpdk-emu)
major=${abi%%.*}
pmddir=$stage/lib/dpdk/pmds-$abi
log "installed files (ABI $abi):"
(cd "$stage" && find . \( -type f -o -type l \) -printf '  %p %l\n' | sed 's/ $//' | sort)

ok=1
for l in rte_vfio_user rte_emudev; do
	f=$stage/lib/lib$l
	# shellcheck disable=SC2015 # all of them hold, or ok=0
	[ -f "$f.so.$abi" ] && [ ! -L "$f.so.$abi" ] &&
		[ "$(readlink "$f.so.$major")" = "lib$l.so.$abi" ] &&
		[ "$(readlink "$f.so")" = "lib$l.so.$major" ] &&
		[ "$(readelf -d "$f.so.$abi" | sed -n 's/.*soname: \[\(.*\)\]/\1/p')" = "lib$l.so.$major" ] &&
		[ -f "$f.a" ] || { ok=0; log "missing or wrong: lib$l.so.$abi/.so.$major/.so/.a"; }
done
check "libraries: lib*.so.$abi (soname .so.$major), .so.$major and .so links, .a" "$ok"
ok=1
for d in rte_emu_iavf rte_net_iavfbe rte_net_iavf_client; do
	# shellcheck disable=SC2015 # all of them hold, or ok=0
	[ -f "$pmddir/lib$d.so.$abi" ] && [ ! -L "$pmddir/lib$d.so.$abi" ] &&
		[ "$(readlink "$pmddir/lib$d.so.$major")" = "lib$d.so.$abi" ] &&
		[ "$(readlink "$pmddir/lib$d.so")" = "lib$d.so.$major" ] &&
		[ "$(readlink -f "$stage/lib/lib$d.so")" = "$(readlink -f "$pmddir/lib$d.so.$abi")" ] &&
		[ "$(readlink -f "$stage/lib/lib$d.so.$abi")" = "$(readlink -f "$pmddir/lib$d.so.$abi")" ] &&
		[ -f "$stage/lib/lib$d.a" ] || { ok=0; log "missing or wrong: lib$d"; }
done
check "PMDs: one file each in lib/dpdk/pmds-$abi (+ .so.$major, .so links), libdir links to it, .a" "$ok"
n=$(find "$stage/lib" -maxdepth 1 -type f -name 'librte_*.so*' | wc -l)
check "libdir holds no second copy of a PMD (regular .so files: $n, the 2 libraries)" "$(is test "$n" = 2)"
ok=1
for h in rte_vfio_user.h rte_vfio_user_client.h rte_emudev.h rte_emudev_driver.h \
	rte_pmd_iavf_client.h; do
	[ -f "$stage/include/dpdk/$h" ] || { ok=0; log "missing include/dpdk/$h"; }
done
check "headers in include/dpdk (rte_vfio_user*.h, rte_emudev.h, rte_emudev_driver.h, rte_pmd_iavf_client.h)" "$ok"

export PKG_CONFIG_PATH=$stage/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
cflags=$(pkg-config --cflags libdpdk-emu)
libs=$(pkg-config --libs libdpdk-emu)
slibs=$(pkg-config --static --libs libdpdk-emu)
log "pkg-config --cflags libdpdk-emu: $(printf '%s' "$cflags" | cut -c1-160)..."
log "pkg-config --libs libdpdk-emu: $(printf '%s' "$libs" | cut -c1-160)..."
log "pkg-config --static --libs libdpdk-emu: $(printf '%s' "$slibs" | cut -c1-300)..."
log "pkg-config --variable=pmddir libdpdk-emu: $(pkg-config --variable=pmddir libdpdk-emu)"
check "pkg-config --cflags has -I$stage/include/dpdk" "$(is grep -qF -- "-I$stage/include/dpdk" <<< "$cflags")"
check "pkg-config --libs links the shared librte_vfio_user and librte_emudev from $stage/lib" \
	"$(is grep -qE -- "-L$stage/lib .*-lrte_vfio_user -lrte_emudev" <<< "$libs")"
ok=0
grep -qE -- "^-Wl,--whole-archive -L$stage/lib -l:librte_net_iavf_client.a -l:librte_net_iavfbe.a -l:librte_emu_iavf.a -l:librte_vfio_user.a -l:librte_emudev.a -Wl,--no-whole-archive" <<< "$slibs" && ok=1
check "pkg-config --static --libs: the archives first, whole (drivers included)" "$ok"
check "pkg-config --variable=pmddir is $pmddir" \
	"$(is test "$(pkg-config --variable=pmddir libdpdk-emu)" = "$pmddir")"

if [ -n "$PMDINFO" ]; then
	PYTHON=$(command -v /usr/bin/python3 || command -v python3)
	"$PYTHON" "$PMDINFO" "$pmddir"/librte_emu_iavf.so "$pmddir"/librte_net_iavfbe.so \
		"$pmddir"/librte_net_iavf_client.so > "$priv/pmdinfo.json" 2> "$priv/pmdinfo.err" || true
	log "dpdk-pmdinfo.py on the installed PMDs:"
	sed 's/^/  /' "$priv/pmdinfo.json" "$priv/pmdinfo.err"
	for spec in 'emu_iavf|sock=<path>' 'net_iavfbe|emu=<emulated device name>' \
		'net_iavf_client|path=<vfio-user socket>'; do
		drv=${spec%%|*}
		par=${spec#*|}
		check "dpdk-pmdinfo.py: $drv with its parameters ($par ...)" "$(is "$PYTHON" -c '
import json, sys
d = {e["name"]: e.get("params", "") for e in json.load(open(sys.argv[1]))}
sys.exit(0 if sys.argv[3] in d.get(sys.argv[2], "") else 1)' "$priv/pmdinfo.json" "$drv" "$par")"
	done
else
	log "dpdk-pmdinfo.py not found (Debian's package dpdk): PMD info not checked"
	check "dpdk-pmdinfo.py found" 0
fi

# The small program: the three devices with rte_vdev_init(), the client
# connected to the device model (DPDK memory as a memfd, IOVA as VA).
cat > "$priv/app.c" << 'EOF'
#include <stdio.h>
#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_emudev.h>
#include <rte_emudev_driver.h>
#include <rte_pmd_iavf_client.h>
#include <rte_vfio_user.h>
#include <rte_vfio_user_client.h>

int
main(int argc, char **argv)
{
	const char *names[] = {"net_iavfbe0", "net_iavf_client0"};
	struct rte_vfio_user_server_conf conf = {0};
	struct rte_vfio_user_server *srv;
	struct rte_eth_dev_info info;
	char args[256];
	uint16_t id, port;
	int ret, i, bad = 0;

	ret = rte_eal_init(argc, argv);
	if (ret < 0 || argc - ret != 2) {
		printf("usage: app EAL-args -- SOCKET\n");
		return 2;
	}
	snprintf(args, sizeof(args), "sock=%s,trust_client_memory=1", argv[ret + 1]);
	if (rte_vdev_init("emu_iavf0", args) != 0 || rte_vdev_init("net_iavfbe0", "emu=emu_iavf0") != 0)
		bad = 1;
	snprintf(args, sizeof(args), "path=%s", argv[ret + 1]);
	if (!bad && rte_vdev_init("net_iavf_client0", args) != 0)
		bad = 1;
	if (!bad && rte_emudev_get_id_by_name("emu_iavf0", &id) == 0)
		printf("app: emudev emu_iavf0 id %u (%u emudev)\n", id, rte_emudev_count());
	else
		bad = 1;
	for (i = 0; !bad && i < 2; i++) {
		if (rte_eth_dev_get_port_by_name(names[i], &port) != 0 ||
		    rte_eth_dev_info_get(port, &info) != 0) {
			bad = 1;
			break;
		}
		printf("app: port %u %s driver %s\n", port, names[i], info.driver_name);
	}
	/* librte_vfio_user directly: a server of its own (not started). */
	snprintf(args, sizeof(args), "%s.lib", argv[ret + 1]);
	conf.path = args;
	conf.pci_id.vendor_id = 0x8086;
	conf.pci_id.device_id = 0x1889;
	srv = rte_vfio_user_server_create(&conf);
	if (srv == NULL)
		bad = 1;
	else
		printf("app: vfio-user server %s\n", rte_vfio_user_server_path(srv));
	rte_vfio_user_server_destroy(srv);
	rte_vdev_uninit("net_iavf_client0");
	rte_vdev_uninit("net_iavfbe0");
	rte_vdev_uninit("emu_iavf0");
	rte_eal_cleanup();
	printf("app: %s\n", bad ? "FAILED" : "OK");
	return bad;
}
EOF

eal=(--in-memory --iova-mode=va --no-pci --lcores 0 --log-level=lib.eal:error)
# The shared form: DPDK's shared drivers are not in libdpdk.pc's --libs;
# rte_vdev_init() is librte_bus_vdev's.
# shellcheck disable=SC2086 # pkg-config's flags are words
if $cc -O2 -DALLOW_EXPERIMENTAL_API $cflags -o "$priv/app-shared" "$priv/app.c" $libs \
	-lrte_bus_vdev > "$priv/cc-shared.log" 2>&1; then
	check "C program built with pkg-config --cflags --libs libdpdk-emu" 1
	needed=$(readelf -d "$priv/app-shared" | sed -n 's/.*NEEDED.*\[\(librte_\(vfio_user\|emudev\).*\)\]/\1/p' | tr '\n' ' ')
	check "it needs the shared libraries by soname (${needed% })" \
		"$(is test "$needed" = "librte_vfio_user.so.$major librte_emudev.so.$major ")"
	out=$(LD_LIBRARY_PATH=$stage/lib timeout 60 "$priv/app-shared" -d "$pmddir" "${eal[@]}" \
		-- "$priv/app-shared.sock" 2>&1) || true
	printf '%s\n' "$out" | sed 's/^/  shared: /'
	check "shared program (LD_LIBRARY_PATH, -d pmddir) created emu_iavf0, net_iavfbe0, net_iavf_client0" \
		"$(is grep -q '^app: OK$' <<< "$out")"
else
	cat "$priv/cc-shared.log"
	check "C program built with pkg-config --cflags --libs libdpdk-emu" 0
fi
# shellcheck disable=SC2086 # pkg-config's flags are words
if $cc -O2 -DALLOW_EXPERIMENTAL_API $cflags -o "$priv/app-static" "$priv/app.c" $slibs \
	> "$priv/cc-static.log" 2>&1; then
	check "C program built with pkg-config --static --libs libdpdk-emu" 1
	needed=$(readelf -d "$priv/app-static" | sed -n 's/.*NEEDED.*\[\(librte_.*\)\]/\1/p' | tr '\n' ' ')
	check "it needs no DPDK or project shared library (${needed:-none})" "$(is test -z "$needed")"
	out=$(timeout 60 "$priv/app-static" "${eal[@]}" -- "$priv/app-static.sock" 2>&1) || true
	printf '%s\n' "$out" | sed 's/^/  static: /'
	check "static program (no -d) created emu_iavf0, net_iavfbe0, net_iavf_client0" \
		"$(is grep -q '^app: OK$' <<< "$out")"
else
	tail -n 30 "$priv/cc-static.log"
	check "C program built with pkg-config --static --libs libdpdk-emu" 0
fi

# Uninstall: nothing of the installation is left.
ninja -C "$parent/$name-inst-stage" uninstall > "$priv/uninstall.log" 2>&1 || true
left=$( (find "$stage" \( -type f -o -type l \) 2> /dev/null || true) | head -n 5 | tr '\n' ' ')
check "ninja uninstall removed every installed file and link${left:+ (left: $left)}" \
	"$(is test -z "$left")"

# ------------------------------------------------------------ (b) system
sys_prefix=$(pkg-config --variable=prefix libdpdk)
sys_libdir=$(pkg-config --variable=libdir libdpdk)
sys_libdir=${sys_libdir#"$sys_prefix"/}
log "(b) system install into an overlay of /usr: --prefix=$sys_prefix --libdir=$sys_libdir"
if [ "$(id -u)" != 0 ]; then
	log "SKIP (b): needs root (mount namespace, overlayfs, hugepages)"
	skipped_b=1
elif ! command -v unshare > /dev/null; then
	log "SKIP (b): unshare (util-linux) not found"
	skipped_b=1
elif ! unshare --mount --propagation private sh -c \
	"mkdir -p '$priv/ns' && mount -t tmpfs tmpfs '$priv/ns' && mkdir '$priv/ns/u' '$priv/ns/w' '$priv/ns/l' && mount -t overlay overlay -o lowerdir='$priv/ns/l',upperdir='$priv/ns/u',workdir='$priv/ns/w' '$priv/ns/l'" \
	2> "$priv/ns-probe.log"; then
	log "SKIP (b): no private mount namespace with overlayfs here: $(cat "$priv/ns-probe.log")"
	skipped_b=1
elif [ "$sys_prefix" != /usr ]; then
	log "SKIP (b): libdpdk's prefix is $sys_prefix, not /usr (only /usr is overlaid)"
	skipped_b=1
elif ! [ -x "${TESTPMD:-/usr/bin/dpdk-testpmd}" ]; then
	log "SKIP (b): ${TESTPMD:-/usr/bin/dpdk-testpmd} not found (Debian's package dpdk)"
	skipped_b=1
elif [ "$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)" -lt 512 ]; then
	log "SKIP (b): needs 512 free 2 MiB hugepages (two testpmds of 512 MiB)"
	skipped_b=1
else
	skipped_b=0
	setup_build "$parent/$name-inst-sys" --prefix="$sys_prefix" --libdir="$sys_libdir" ||
		die "cannot build $parent/$name-inst-sys"
	mkdir -p "$priv/ns"
	unshare --mount --propagation private "$self" --in-namespace "$priv" "$parent/$name-inst-sys" ||
		true
	if [ -f "$priv/ns-counts" ]; then
		read -r np nf < "$priv/ns-counts"
		passed=$((passed + np))
		failed=$((failed + nf))
	else
		check "the namespace part ran to its end" 0
	fi
	check "the real /usr is untouched (no librte_emu_iavf in $sys_prefix/$sys_libdir)" \
		"$(is test ! -e "$sys_prefix/$sys_libdir/librte_emu_iavf.so")"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ] || exit 1
[ "${skipped_b:-0}" = 0 ] || exit 77
exit 0
