#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Build (once) and cache a Debian 13 ("trixie") tree holding QEMU >= 10.1 with
# the vfio-user-pci client device (from trixie-backports), a static busybox
# and an unpacked guest kernel with its modules. Nothing is built from source
# and nothing is installed on the host except debootstrap.
#
#   DIR/usr/bin/qemu-system-x86_64   run it with `chroot DIR qemu-system-x86_64`
#   DIR/opt/guest/boot/vmlinuz-*     guest kernel
#   DIR/opt/guest/.../modules/VER    guest modules (iavf, libeth, libie, ...)
#   DIR/.dpdk-emu-tree               stamp: KEY=VALUE lines, written last
#
# With --dpdk-guest, also (once) a second, minimal trixie tree inside it with
# Debian 13's DPDK (dpdk-dev: dpdk-testpmd 24.11 and its PMDs, net_iavf among
# them), for guests that run DPDK: QEMU serves it to the guest read-only over
# 9p (devtools/test-qemu-dpdk.sh). It has its own stamp, so adding it leaves
# the QEMU tree (and the other tests' cache) as it is:
#   DIR/opt/dpdk-guest/usr/bin/dpdk-testpmd
#   DIR/opt/dpdk-guest/.dpdk-emu-dpdk-guest   stamp, written last
#
# A complete tree (stamp present and sane) makes a rerun a no-op. A tree
# without a valid stamp is removed and rebuilt. The tree is built in
# DIR.partial and renamed to DIR only when complete.
#
# usage: devtools/qemu-setup.sh [--dpdk-guest]
#        (as root, on Debian; Debian's archive reachable)
# Environment:
#   QEMU_TREE    the tree (default: $HOME/.cache/dpdk-emu/qemu-trixie)
#   QEMU_MIRROR  Debian mirror (default: http://deb.debian.org/debian)
# Exit status 0: the tree is ready; it prints "qemu-setup: ready: DIR".
set -euo pipefail

want_dpdk_guest=0
for a in "$@"; do
	case $a in
	--dpdk-guest) want_dpdk_guest=1 ;;
	*)
		printf 'qemu-setup: error: unknown argument %s (usage: qemu-setup.sh [--dpdk-guest])\n' "$a" >&2
		exit 2
		;;
	esac
done

# Bump when the recipe below changes: old trees are then rebuilt.
RECIPE=1
SUITE=trixie
MIRROR=${QEMU_MIRROR:-http://deb.debian.org/debian}
DIR=${QEMU_TREE:-$HOME/.cache/dpdk-emu/qemu-trixie}
STAMP_NAME=.dpdk-emu-tree
PACKAGES=(
	qemu-system-x86/trixie-backports
	qemu-system-common/trixie-backports
	qemu-system-data/trixie-backports
	seabios/trixie-backports
	busybox-static
)
# The DPDK guest tree (--dpdk-guest): bump when its recipe changes.
DPDK_GUEST_RECIPE=1
DPDK_GUEST_PACKAGES=(dpdk-dev)
DPDK_GUEST_STAMP_NAME=.dpdk-emu-dpdk-guest
GUEST_MODULES=(
	intel/libeth/libeth
	intel/libie/libie
	intel/iavf/iavf
)

DIE_WORD=error
DIE_FD=2
# shellcheck source=devtools/lib.sh
. "$(dirname "$0")/lib.sh"

# Strip trailing slashes; refuse the obviously dangerous.
DIR=${DIR%/}
case $DIR in
/*) ;;
*) DIR=$(pwd)/$DIR ;;
esac
if [ -z "$DIR" ] || [ "$DIR" = / ]; then
	die "QEMU_TREE must not be /"
fi
STAMP=$DIR/$STAMP_NAME
PARTIAL=$DIR.partial

# tree_ok ROOT: the stamp matches this recipe and what it names exists.
tree_ok() {
	local root=$1 st=$1/$STAMP_NAME k m
	[ -f "$st" ] || return 1
	[ "$(stamp_value "$st" RECIPE)" = "$RECIPE" ] || return 1
	k=$(stamp_value "$st" KERNEL)
	m=$(stamp_value "$st" MODDIR)
	[ -n "$k" ] && [ -f "$root$k" ] || return 1
	[ -n "$m" ] && [ -d "$root$m" ] || return 1
	[ -x "$root/usr/bin/qemu-system-x86_64" ] || return 1
	[ -x "$root/usr/bin/busybox" ] || [ -x "$root/bin/busybox" ] || return 1
}

GDIR=$DIR/opt/dpdk-guest
GSTAMP=$GDIR/$DPDK_GUEST_STAMP_NAME

# dpdk_guest_ok ROOT: the DPDK guest tree at ROOT is complete (stamp of this
# recipe, testpmd and the iavf PMD present).
dpdk_guest_ok() {
	local st=$1/$DPDK_GUEST_STAMP_NAME t
	[ -f "$st" ] || return 1
	[ "$(stamp_value "$st" RECIPE)" = "$DPDK_GUEST_RECIPE" ] || return 1
	t=$(stamp_value "$st" TESTPMD)
	[ -n "$t" ] && [ -x "$1$t" ] || return 1
	[ -n "$(find "$1/usr/lib" -name 'librte_net_iavf.so*' -print -quit 2> /dev/null)" ] || return 1
}

# wanted_ok: everything asked for is ready.
wanted_ok() {
	tree_ok "$DIR" || return 1
	[ "$want_dpdk_guest" = 0 ] || dpdk_guest_ok "$GDIR"
}

report() {
	log "ready: $DIR"
	log "  qemu:   $(stamp_value "$STAMP" QEMU_VERSION)"
	log "  kernel: $DIR$(stamp_value "$STAMP" KERNEL)"
	log "  modules: $DIR$(stamp_value "$STAMP" MODDIR)"
	if [ "$want_dpdk_guest" = 1 ]; then
		log "  DPDK guest tree: $GDIR (DPDK $(stamp_value "$GSTAMP" DPDK_VERSION), $(stamp_value "$GSTAMP" TESTPMD))"
	fi
}

# Fast path, no root needed: nothing to do.
if wanted_ok; then
	report
	exit 0
fi

[ "$(id -u)" = 0 ] || die "the tree $DIR is missing or incomplete; building it needs root (debootstrap, chroot)"
command -v chroot > /dev/null || die "chroot not found"
command -v flock > /dev/null || die "flock not found (util-linux)"

mkdir -p "$(dirname "$DIR")"
exec 9> "$DIR.lock"
if ! flock -n 9; then
	log "another qemu-setup is building $DIR; waiting"
	flock 9
fi

# umount_under PATH: unmount anything left mounted below PATH (an
# interrupted debootstrap may leave proc/sys/dev mounted there).
umount_under() {
	local p=$1 m
	# /proc/self/mounts escapes spaces as \040; our paths have none that matter
	# for the prefix test, and a failing umount is reported by rm below.
	while read -r m; do
		umount -l "$m" 2> /dev/null || true
	done < <(awk -v p="$p/" 'index($2, p) == 1 { print $2 }' /proc/self/mounts | sort -r)
}

# remove_tree PATH: remove a tree this script built (or an empty dir).
remove_tree() {
	local p=$1
	[ -e "$p" ] || return 0
	umount_under "$p"
	rm -rf --one-file-system -- "$p"
	[ ! -e "$p" ] || die "could not remove $p"
}

export DEBIAN_FRONTEND=noninteractive LC_ALL=C LANG=C

# need_debootstrap: debootstrap on the host, knowing the suite.
need_debootstrap() {
	if ! command -v debootstrap > /dev/null; then
		log "installing debootstrap on the host"
		apt-get update -q || die "apt-get update failed"
		apt-get install -y -q --no-install-recommends debootstrap ||
			die "cannot install debootstrap"
	fi
	[ -e /usr/share/debootstrap/scripts/$SUITE ] ||
		die "this debootstrap does not know the suite '$SUITE' (update debootstrap)"
}

# build_dpdk_guest: the DPDK guest tree in GDIR (inside the QEMU tree, so
# that QEMU, chrooted there, can serve it), if asked for and not complete.
# Built in GDIR.partial, renamed when complete.
build_dpdk_guest() {
	local gp=$GDIR.partial t0 t1 ver tp
	[ "$want_dpdk_guest" = 1 ] || return 0
	dpdk_guest_ok "$GDIR" && return 0
	t1=$SECONDS
	need_debootstrap
	remove_tree "$GDIR"
	remove_tree "$gp"
	PARTIAL=$gp
	t0=$SECONDS
	log "DPDK guest tree: debootstrap --variant=minbase $SUITE into $gp (about 40 s)"
	if ! debootstrap --variant=minbase "$SUITE" "$gp" "$MIRROR" > "$DIR.dpdk-guest.log" 2>&1; then
		tail -n 20 "$DIR.dpdk-guest.log" >&2 || true
		die "debootstrap of the DPDK guest tree failed (full log: $DIR.dpdk-guest.log)"
	fi
	log "debootstrap done in $((SECONDS - t0)) s"
	apt_settings "$gp"
	t0=$SECONDS
	log "installing ${DPDK_GUEST_PACKAGES[*]} in the DPDK guest tree"
	{ chroot "$gp" apt-get update -q && chroot "$gp" apt-get install -y -q --no-install-recommends \
		"${DPDK_GUEST_PACKAGES[@]}"; } >> "$DIR.dpdk-guest.log" 2>&1 || {
		tail -n 20 "$DIR.dpdk-guest.log" >&2
		die "apt-get inside the DPDK guest tree failed (log: $DIR.dpdk-guest.log)"
	}
	log "packages installed in $((SECONDS - t0)) s"
	tp=/usr/bin/dpdk-testpmd
	[ -x "$gp$tp" ] || die "${DPDK_GUEST_PACKAGES[*]} installed no $tp"
	[ -n "$(find "$gp/usr/lib" -name 'librte_net_iavf.so*' -print -quit)" ] ||
		die "no librte_net_iavf.so (the net_iavf PMD) in the DPDK guest tree"
	# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
	ver=$(chroot "$gp" dpkg-query -W -f='${Version}' dpdk-dev) || die "dpdk-dev is not installed"
	# Mount points the guest needs on the read-only tree.
	mkdir -p "$gp/mnt/huge"
	# What the guest never needs: downloaded packages.
	chroot "$gp" apt-get clean > /dev/null 2>&1 || true
	cat > "$gp/$DPDK_GUEST_STAMP_NAME" << STAMP_EOF
RECIPE=$DPDK_GUEST_RECIPE
SUITE=$SUITE
PACKAGES=${DPDK_GUEST_PACKAGES[*]}
DPDK_VERSION=$ver
TESTPMD=$tp
BUILT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
STAMP_EOF
	dpdk_guest_ok "$gp" || die "internal error: the new DPDK guest tree fails its own check"
	mv -T "$gp" "$GDIR"
	PARTIAL=$DIR.partial
	log "DPDK guest tree complete in $((SECONDS - t1)) s ($(du -sh "$GDIR" | cut -f1))"
}

cleanup() {
	local rc=$?
	if [ "$rc" != 0 ]; then
		umount_under "$PARTIAL"
		log "failed (exit $rc); the partial tree $PARTIAL is kept for inspection and removed by the next run"
	fi
}
trap cleanup EXIT
# Run the EXIT trap on these signals too.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# The other run may have finished it.
if tree_ok "$DIR"; then
	build_dpdk_guest
	report
	exit 0
fi

if [ -e "$DIR" ]; then
	# Only remove what looks like ours: a Debian tree or an empty directory.
	if [ -f "$STAMP" ] || [ -f "$DIR/etc/debian_version" ] || [ -z "$(ls -A "$DIR" 2> /dev/null)" ]; then
		log "$DIR is incomplete or from an older recipe; rebuilding it"
		remove_tree "$DIR"
	else
		die "$DIR exists and is not a tree made by this script; remove it or set QEMU_TREE"
	fi
fi
remove_tree "$PARTIAL"

# ------------------------------------------------------------ debootstrap
need_debootstrap

t0=$SECONDS
log "debootstrap --variant=minbase $SUITE into $PARTIAL from $MIRROR (about 40 s)"
if ! debootstrap --variant=minbase "$SUITE" "$PARTIAL" "$MIRROR" > "$DIR.debootstrap.log" 2>&1; then
	tail -n 20 "$DIR.debootstrap.log" >&2 || true
	die "debootstrap failed (full log: $DIR.debootstrap.log)"
fi
log "debootstrap done in $((SECONDS - t0)) s"

apt_settings "$PARTIAL"

# Debian 13 writes deb822 sources; add backports in the same style.
cat > "$PARTIAL/etc/apt/sources.list.d/trixie-backports.sources" << EOF
Types: deb
URIs: $MIRROR
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF

in_tree() { chroot "$PARTIAL" "$@"; }

t0=$SECONDS
log "apt-get update in the tree"
in_tree apt-get update -q > "$DIR.apt.log" 2>&1 || {
	tail -n 20 "$DIR.apt.log" >&2
	die "apt-get update inside the tree failed (log: $DIR.apt.log)"
}
log "installing ${PACKAGES[*]}"
in_tree apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >> "$DIR.apt.log" 2>&1 || {
	tail -n 20 "$DIR.apt.log" >&2
	die "apt-get install inside the tree failed (log: $DIR.apt.log)"
}
log "packages installed in $((SECONDS - t0)) s"

# ------------------------------------------------------------ guest kernel
t0=$SECONDS
kpkg=$(in_tree apt-cache depends linux-image-amd64 |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
[ -n "$kpkg" ] || die "cannot tell which kernel package linux-image-amd64 depends on"
log "downloading the guest kernel $kpkg"
rm -rf "$PARTIAL/var/tmp/guest-kernel"
mkdir -p "$PARTIAL/var/tmp/guest-kernel"
# apt drops privileges to _apt for downloads: let it write there.
in_tree chown _apt: /var/tmp/guest-kernel 2> /dev/null || true
# shellcheck disable=SC2016 # $1 is expanded by the shell in the tree
in_tree sh -c 'cd /var/tmp/guest-kernel && apt-get download -q "$1"' sh "$kpkg" >> "$DIR.apt.log" 2>&1 || {
	tail -n 20 "$DIR.apt.log" >&2
	die "apt-get download $kpkg failed (log: $DIR.apt.log)"
}
deb=$(find "$PARTIAL/var/tmp/guest-kernel" -maxdepth 1 -name '*.deb' -print -quit)
[ -n "$deb" ] || die "apt-get download $kpkg left no .deb"
in_tree dpkg -x "/var/tmp/guest-kernel/$(basename "$deb")" /opt/guest ||
	die "dpkg -x of $kpkg failed"
rm -rf "$PARTIAL/var/tmp/guest-kernel"

kernel=$(find "$PARTIAL/opt/guest/boot" -maxdepth 1 -name 'vmlinuz-*' | sort | tail -n 1)
[ -n "$kernel" ] || die "no /opt/guest/boot/vmlinuz-* in $kpkg"
kver=${kernel##*/vmlinuz-}
moddir=
for d in "$PARTIAL/opt/guest/lib/modules/$kver" "$PARTIAL/opt/guest/usr/lib/modules/$kver"; do
	if [ -d "$d" ] && [ ! -L "$d" ]; then
		moddir=$d
		break
	fi
done
[ -n "$moddir" ] || die "no modules directory for $kver in $kpkg"
for m in "${GUEST_MODULES[@]}"; do
	f=$(find "$moddir/kernel/drivers/net/ethernet/$(dirname "$m")" -maxdepth 1 \
		-name "$(basename "$m").ko*" -print -quit 2> /dev/null)
	[ -n "$f" ] || die "guest module $m.ko* missing in $moddir"
done
log "guest kernel $kver unpacked in $((SECONDS - t0)) s"

# ------------------------------------------------------------ checks
qver_line=$(in_tree qemu-system-x86_64 --version | head -n 1) ||
	die "qemu-system-x86_64 does not run inside the tree"
qver=$(printf '%s\n' "$qver_line" | sed -n 's/^QEMU emulator version \([0-9][0-9]*\.[0-9][0-9]*\(\.[0-9][0-9]*\)\?\).*/\1/p')
[ -n "$qver" ] || die "cannot parse the QEMU version from: $qver_line"
qmaj=${qver%%.*}
qmin=${qver#*.}
qmin=${qmin%%.*}
if [ "$qmaj" -lt 10 ] || { [ "$qmaj" = 10 ] && [ "$qmin" -lt 1 ]; }; then
	die "QEMU $qver is too old: vfio-user-pci needs >= 10.1 (is trixie-backports reachable?)"
fi
in_tree qemu-system-x86_64 -device help 2> /dev/null | grep -q '"vfio-user-pci"' ||
	die "QEMU $qver has no vfio-user-pci device"
bb=/usr/bin/busybox
[ -x "$PARTIAL$bb" ] || bb=/bin/busybox
[ -x "$PARTIAL$bb" ] || die "busybox-static did not install a busybox"
file_hdr=$(head -c 4 "$PARTIAL$bb" | od -An -c | tr -d ' ')
[ "$file_hdr" = '177ELF' ] || die "$bb is not an ELF binary"
applets=$(in_tree "$bb" --list) || die "busybox does not run"
for a in sh mount unxz cpio gzip devmem od hexdump insmod poweroff timeout; do
	printf '%s\n' "$applets" | grep -qx "$a" || die "busybox lacks the applet $a"
done

cat > "$PARTIAL/$STAMP_NAME" << EOF
RECIPE=$RECIPE
SUITE=$SUITE
QEMU_VERSION=$qver
KERNEL_PACKAGE=$kpkg
KERNEL=${kernel#"$PARTIAL"}
KERNEL_VERSION=$kver
MODDIR=${moddir#"$PARTIAL"}
BUSYBOX=$bb
BUILT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
tree_ok "$PARTIAL" || die "internal error: the new tree fails its own check"
mv -T "$PARTIAL" "$DIR"
log "tree complete ($(du -sh "$DIR" | cut -f1))"
build_dpdk_guest
report
