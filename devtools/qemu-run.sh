#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Boot a throw-away Linux guest under QEMU (TCG) from the tree built by
# devtools/qemu-setup.sh, optionally with a vfio-user-pci device connected to
# a vfio-user server's UNIX socket, and capture the serial console.
#
# The initramfs holds a static busybox (every applet linked in /bin), the
# requested guest modules (decompressed, in /lib/modules/NAME.ko, their order
# in /etc/guest-modules), the guest scripts' shared functions
# (devtools/guest/lib.sh as /lib/guest-lib.sh), any extra files, and the
# caller's script as /init.
# The /init must end with `poweroff -f` (QEMU then exits 0).
#
# usage: devtools/qemu-run.sh --init FILE [options]
#   --init FILE        script to run as the guest's /init (required)
#   --socket PATH      host path of the server's socket; it must lie inside
#                      the tree (e.g. $QEMU_TREE/tmp/x.sock, seen by QEMU as
#                      /tmp/x.sock). Without it: no vfio-user device.
#   --device-opts JSON extra members for the device's JSON object, e.g.
#                      '"x-msg-timeout":10000' (needs --socket)
#   --modules "A B"    guest modules to include, by name, in load order
#                      (e.g. "libeth libie iavf"; no dependency resolution)
#   --file SRC:DST     add host file SRC to the initramfs as DST (repeatable)
#   --log FILE         serial console + QEMU messages (default: a new file
#                      in ${TMPDIR:-/tmp}); CRs and terminal escapes
#                      are removed
#   --timeout S        hard limit for the whole QEMU run (default 120)
#   --append ARGS      extra kernel command-line arguments
#   --mem MB           guest RAM in MiB, a shared memfd (default 512)
#   --proc             /proc mounted in the tree for QEMU, in a mount
#                      namespace of its own (gone when QEMU ends): a writable
#                      -virtfs share needs it (QEMU's 9p server reaches files
#                      it creates through /proc/self/fd)
#   --qemu-arg ARG     extra QEMU argument (repeatable)
#   --quiet            do not copy the console to stdout
# Environment: QEMU_TREE (default: $HOME/.cache/dpdk-emu/qemu-trixie)
#
# Exit status: QEMU's (0 after the guest's poweroff), 124 on timeout; 1 if
# QEMU exited 0 but the guest kernel panicked (e.g. /init failed or exited);
# 2 on a usage or set-up error.
set -euo pipefail

DIR=${QEMU_TREE:-$HOME/.cache/dpdk-emu/qemu-trixie}
DIR=${DIR%/}
STAMP=$DIR/.dpdk-emu-tree

LOG_FD=2
DIE_WORD=error
DIE_RC=2
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"
usage() { sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }

init=
socket=
device_opts=
modules=
logfile=
timeout_s=120
append=
mem=512
with_proc=0
quiet=0
files=()
qemu_extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--init) init=${2?}; shift 2 ;;
	--socket) socket=${2?}; shift 2 ;;
	--device-opts) device_opts=${2?}; shift 2 ;;
	--modules) modules=${2?}; shift 2 ;;
	--file) files+=("${2?}"); shift 2 ;;
	--log) logfile=${2?}; shift 2 ;;
	--timeout) timeout_s=${2?}; shift 2 ;;
	--append) append=${2?}; shift 2 ;;
	--mem) mem=${2?}; shift 2 ;;
	--proc) with_proc=1; shift ;;
	--qemu-arg) qemu_extra+=("${2?}"); shift 2 ;;
	--quiet) quiet=1; shift ;;
	-h | --help) usage ;;
	*) log "unknown argument: $1"; usage ;;
	esac
done
[ -n "$init" ] || { log "--init is required"; usage; }
[ -f "$init" ] || die "no init script $init"
guest_lib=$(dirname "$0")/guest/lib.sh
[ -f "$guest_lib" ] || die "no $guest_lib"
case $timeout_s in
'' | *[!0-9]*) die "--timeout wants whole seconds, got '$timeout_s'" ;;
esac
case $mem in
'' | *[!0-9]* | 0*) die "--mem wants MiB, got '$mem'" ;;
esac
[ -z "$device_opts" ] || [ -n "$socket" ] || die "--device-opts needs --socket"

[ "$(id -u)" = 0 ] || die "needs root (chroot into $DIR)"
[ -f "$STAMP" ] || die "no complete QEMU tree at $DIR; run devtools/qemu-setup.sh"
stamp_value() { sed -n "s/^$1=//p" "$STAMP" | head -n 1; }
kernel=$(stamp_value KERNEL)
moddir=$(stamp_value MODDIR)
bb_rel=$(stamp_value BUSYBOX)
if [ -z "$kernel" ] || [ ! -f "$DIR$kernel" ]; then
	die "guest kernel missing in $DIR; rerun devtools/qemu-setup.sh"
fi
if [ -z "$bb_rel" ] || [ ! -x "$DIR$bb_rel" ]; then
	die "busybox missing in $DIR; rerun devtools/qemu-setup.sh"
fi
bb=$DIR$bb_rel # static: runs on the host too

# The socket as QEMU sees it from inside the chroot.
guest_sock=
if [ -n "$socket" ]; then
	abs_dir=$(realpath -e "$DIR")
	abs_sock=$(realpath -m "$socket")
	case $abs_sock in
	"$abs_dir"/*) guest_sock=${abs_sock#"$abs_dir"} ;;
	*) die "socket $socket is not inside the tree $DIR (QEMU runs chrooted there; use $DIR/tmp/NAME.sock)" ;;
	esac
	[ -S "$abs_sock" ] || die "no socket at $socket (is the server running?)"
	case $guest_sock in
	*[\"\\]*) die "socket path must not contain quotes or backslashes: $guest_sock" ;;
	esac
fi

# ------------------------------------------------------------ initramfs
mkdir -p "$DIR/tmp"
work=$(mktemp -d "$DIR/tmp/qemu-run.XXXXXX")
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	rm -rf "$work"
}
trap cleanup EXIT
# Run the EXIT trap on these signals too.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,lib/modules,root}
cp "$bb" "$root/bin/busybox"
while read -r applet; do
	name=${applet##*/}
	[ "$name" = busybox ] && continue
	# Everything in /bin: one PATH entry is enough; sbin and usr/* link there.
	[ -e "$root/bin/$name" ] || ln -s busybox "$root/bin/$name"
done < <("$bb" --list)
# Relative links: an absolute one would point outside $root while the
# initramfs is being built here.
rmdir "$root/sbin" "$root/usr/bin" "$root/usr/sbin"
ln -s bin "$root/sbin"
ln -s ../bin "$root/usr/bin"
ln -s ../bin "$root/usr/sbin"

mknod -m 600 "$root/dev/console" c 5 1
mknod -m 666 "$root/dev/null" c 1 3
cp "$init" "$root/init"
chmod 755 "$root/init"
# The guest scripts' shared functions (devtools/guest/lib.sh).
cp "$guest_lib" "$root/lib/guest-lib.sh"

: > "$root/etc/guest-modules"
for m in $modules; do
	case $m in
	*/* | .*) die "bad module name $m" ;;
	esac
	src=$(find "$DIR$moddir/kernel" \( -name "$m.ko" -o -name "$m.ko.xz" \) -print -quit)
	[ -n "$src" ] || die "module $m not found under $DIR$moddir/kernel"
	case $src in
	*.xz) "$bb" unxz -c "$src" > "$root/lib/modules/$m.ko" || die "cannot decompress $src" ;;
	*) cp "$src" "$root/lib/modules/$m.ko" ;;
	esac
	echo "$m" >> "$root/etc/guest-modules"
done
for f in "${files[@]}"; do
	src=${f%%:*}
	dst=${f#*:}
	if [ "$src" = "$f" ] || [ -z "$dst" ]; then
		die "--file wants SRC:DST, got $f"
	fi
	[ -f "$src" ] || die "no file $src"
	case /$dst/ in
	*/../*) die "bad destination $dst" ;;
	esac
	mkdir -p "$root/$(dirname "/$dst")"
	parent=$(realpath "$root/$(dirname "/$dst")")
	case $parent/ in
	"$(realpath "$root")"/*) ;;
	*) die "destination $dst resolves outside the initramfs" ;;
	esac
	# Replace, never write through, an applet link of the same name.
	cp --remove-destination "$src" "$root/$dst"
done

initrd=$work/initrd.gz
(cd "$root" && "$bb" find . | "$bb" cpio -o -H newc 2> /dev/null | "$bb" gzip -9 > "$initrd") ||
	die "cannot build the initramfs"

# ------------------------------------------------------------ boot
if [ -z "$logfile" ]; then
	logfile=$(mktemp "${TMPDIR:-/tmp}/qemu-run.XXXXXX.log")
fi
: > "$logfile"

cmdline="console=ttyS0 quiet panic=-1${append:+ $append}"
# shellcheck disable=SC2054 # commas belong to QEMU option values
args=(
	-machine q35 -accel tcg -m "$mem" -nographic -no-reboot -nic none -vga none
	-kernel "$kernel" -initrd "${initrd#"$DIR"}" -append "$cmdline"
	-object "memory-backend-memfd,id=mem,size=${mem}M,share=on" -numa node,memdev=mem
)
if [ -n "$guest_sock" ]; then
	args+=(-device "{\"driver\":\"vfio-user-pci\",\"socket\":{\"type\":\"unix\",\"path\":\"$guest_sock\"}${device_opts:+,$device_opts}}")
fi
args+=("${qemu_extra[@]}")

log "initramfs $(stat -c %s "$initrd") bytes; booting $(stamp_value KERNEL_VERSION) with QEMU $(stamp_value QEMU_VERSION)${guest_sock:+, vfio-user socket $guest_sock}; log: $logfile"
# Drop CRs and the terminal control sequences the firmware prints, so that
# guest lines can be matched whole.
clean=(sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[c78]//g')
runner=(chroot "$DIR")
if [ "$with_proc" = 1 ]; then
	command -v unshare > /dev/null || die "--proc needs unshare (util-linux)"
	# shellcheck disable=SC2016 # expanded by that shell
	runner=(unshare --mount --propagation private -- sh -c 'mount -t proc proc "$1/proc" && exec chroot "$@"' sh "$DIR")
fi
start=$SECONDS
set +e
if [ "$quiet" = 1 ]; then
	timeout --kill-after=10 "$timeout_s" "${runner[@]}" qemu-system-x86_64 "${args[@]}" < /dev/null 2>&1 |
		"${clean[@]}" > "$logfile"
else
	timeout --kill-after=10 "$timeout_s" "${runner[@]}" qemu-system-x86_64 "${args[@]}" < /dev/null 2>&1 |
		"${clean[@]}" | tee "$logfile"
fi
rc=${PIPESTATUS[0]}
set -e
elapsed=$((SECONDS - start))

if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	log "timed out after ${timeout_s} s (exit $rc)"
elif [ "$rc" != 0 ]; then
	log "QEMU exited with status $rc after ${elapsed} s"
elif grep -q 'Kernel panic' "$logfile"; then
	log "the guest kernel panicked (QEMU exited 0 after ${elapsed} s): $(grep -m1 'Kernel panic' "$logfile")"
	rc=1
else
	log "QEMU exited 0 after ${elapsed} s"
fi
exit "$rc"
