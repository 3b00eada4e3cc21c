# shellcheck shell=bash disable=SC2034 # the variables are the callers'
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# What the devtools scripts share (sourced after their cd to the top of the
# tree: `. devtools/lib.sh`): messages (log, skip, die), the PASS/FAIL
# counting (check, is, expect), number tests, the prerequisites (root,
# testpmd, hugepages, CPUs, the drivers' plugins) and the logs directory
# with its EXIT trap. The testpmd harness is devtools/lib-testpmd.sh; the
# guest's side of the QEMU tests is devtools/guest/lib.sh.

# ------------------------------------------------------------ messages
# Messages are "ME: text". The caller may set before sourcing: me (default:
# the script's name without .sh), LOG_FD (default 1), and for die DIE_WORD
# (default FAIL), DIE_FD (default LOG_FD) and DIE_RC (default 1).
me=${me:-$(basename "$0" .sh)}
LOG_FD=${LOG_FD:-1}
DIE_WORD=${DIE_WORD:-FAIL}
DIE_FD=${DIE_FD:-$LOG_FD}
DIE_RC=${DIE_RC:-1}
log() { printf '%s: %s\n' "$me" "$*" >&"$LOG_FD"; }
# skip REASON: exit 77 (a prerequisite is missing), the reason printed.
skip() { log "SKIP: $*"; exit 77; }
die() { printf '%s: %s: %s\n' "$me" "$DIE_WORD" "$*" >&"$DIE_FD"; exit "$DIE_RC"; }

# ------------------------------------------------------------ checks
# The caller sets passed=0 and failed=0 and, for expect, guest_log (the
# guest's output).

# check WHAT OK: a PASS line if OK is 1, else a FAIL line; counted.
check() {
	local what=$1 ok=$2
	if [ "$ok" = 1 ]; then
		printf 'PASS: %s\n' "$what"
		passed=$((passed + 1))
	else
		printf 'FAIL: %s\n' "$what"
		failed=$((failed + 1))
	fi
}

# is CMD...: 1 if CMD succeeds, else 0 (for check).
is() { if "$@"; then echo 1; else echo 0; fi; }

# expect WHAT REGEX: a line of $guest_log matches REGEX (extended, whole
# line); the line is quoted in the PASS.
expect() {
	local what=$1 re=$2 line
	# shellcheck disable=SC2154 # set by the caller
	line=$(grep -m1 -xE "$re" "$guest_log" || true)
	if [ -n "$line" ]; then
		check "$what: $line" 1
	else
		check "$what (no line matching /$re/)" 0
	fi
}

# num A: A is a number. eqn A B: both numbers, equal. gt A B: both, A > B.
# gen A B: both, A >= B.
# shellcheck disable=SC2317 # called through is
num() { [[ $1 =~ ^[0-9]+$ ]]; }
# shellcheck disable=SC2317
eqn() { num "$1" && num "$2" && [ "$1" = "$2" ]; }
# shellcheck disable=SC2317
gt() { num "$1" && num "$2" && [ "$1" -gt "$2" ]; }
# shellcheck disable=SC2317
gen() { num "$1" && num "$2" && [ "$1" -ge "$2" ]; }
# numz A: A if it is a number, else 0 (on stdout).
numz() { if num "$1"; then echo "$1"; else echo 0; fi; }

# now_ms: wall clock in ms.
now_ms() { date +%s%3N; }

# ------------------------------------------------------------ prerequisites
# need_root WHAT: skip unless root.
need_root() { [ "$(id -u)" = 0 ] || skip "needs root ($1)"; }

# need_testpmd: testpmd=$TESTPMD's path (default dpdk-testpmd), stdbuf found.
need_testpmd() {
	testpmd=$(command -v "${TESTPMD:-dpdk-testpmd}") ||
		skip "${TESTPMD:-dpdk-testpmd} not found (Debian 12 ships dpdk-testpmd in the package dpdk-dev)"
	command -v stdbuf > /dev/null || skip "stdbuf (coreutils) not found"
}

# hugetlbfs_dir: where hugetlbfs is mounted (blank if it is not).
hugetlbfs_dir() { awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts; }

# need_hugepages MIB [WHY]: a hugetlbfs mount (hugedir) and MIB of free
# hugepages, else skip (WHY: what needs them, in the message).
need_hugepages() {
	local free kb
	hugedir=$(hugetlbfs_dir)
	[ -n "$hugedir" ] || skip "no hugetlbfs mounted (e.g. mount -t hugetlbfs nodev /dev/hugepages)"
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	kb=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)
	[ $((free * kb / 1024)) -ge "$1" ] ||
		skip "needs $1 MiB of free hugepages${2:+ ($2)}, has $((free * kb / 1024)) MiB ($free pages of $kb kB)"
}

# allowed_cpus: the CPUs this process may run on, one a line.
allowed_cpus() {
	awk -F'[: \t]+' '/^Cpus_allowed_list/ { print $2 }' /proc/self/status |
		tr ',' '\n' | awk -F- '{ e = ($2 == "" ? $1 : $2); for (i = $1; i <= e; i++) print i }'
}

# need_plugins BUILD SO...: the drivers' plugins (paths under BUILD, e.g.
# drivers/librte_emu_iavf.so; in a build of an earlier revision, in the
# driver's own directory under drivers/) are built (else die, or skip with
# NEED_PLUGINS=skip); plugins= their private copy (devtools/private-plugins.sh:
# EAL refuses -d plugins under world-writable directories).
need_plugins() {
	local build=$1 f fail=die
	shift
	[ "${NEED_PLUGINS:-}" != skip ] || fail=skip
	for f in "$@"; do
		[ -e "$build/$f" ] ||
			[ -n "$(find "$build/drivers" -name "${f##*/}" -print -quit 2> /dev/null)" ] ||
			"$fail" "$build/$f is not built (BUILD=$build)"
	done
	plugins=$(bash devtools/private-plugins.sh "$build") ||
		"$fail" "cannot make the private plugin directory (see above)"
}
# The three drivers' plugins.
EMU_SO=drivers/librte_emu_iavf.so
BE_SO=drivers/librte_net_iavfbe.so
CLIENT_SO=drivers/librte_net_iavf_client.so

# ------------------------------------------------------------ logs directory
# work_init NAME: work= a new private directory for logs and FIFOs, and the
# EXIT trap (also on HUP, INT, TERM): the script's at_exit (if it defines
# one), the background server bg_pid killed, tp_cleanup (if lib-testpmd.sh
# is sourced), then the directory is
# removed unless KEEP_LOGS=1 or the script failed (KEEP_ON_SKIP=0: a skip
# is no failure).
work_init() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	chmod 700 "$work"
	trap work_exit EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
# shellcheck disable=SC2317 # called by the trap
work_exit() {
	local rc=$?
	if declare -F at_exit > /dev/null; then at_exit; fi
	bg_kill "${bg_pid:-}"
	if declare -F tp_cleanup > /dev/null; then tp_cleanup; fi
	if [ "${KEEP_LOGS:-0}" = 1 ] ||
		{ [ "$rc" != 0 ] && { [ "$rc" != 77 ] || [ "${KEEP_ON_SKIP:-1}" = 1 ]; }; }; then
		log "logs kept in $work"
	else
		rm -rf "$work"
	fi
}

# need_qemu_tree base|dpdk-guest: DIR= the QEMU tree ($QEMU_TREE, default
# ~/.cache/dpdk-emu/qemu-trixie; exported for qemu-run.sh), built or checked
# by devtools/qemu-setup.sh (with its DPDK guest tree: qemu-setup.sh
# --dpdk-guest), else skip; root needed (chroot).
need_qemu_tree() {
	DIR=${QEMU_TREE:-$HOME/.cache/dpdk-emu/qemu-trixie}
	DIR=${DIR%/}
	export QEMU_TREE=$DIR
	need_root "debootstrap and chroot for the QEMU tree"
	if [ "$1" = dpdk-guest ]; then
		bash devtools/qemu-setup.sh --dpdk-guest ||
			skip "the QEMU tree with its DPDK guest tree could not be built (see the qemu-setup messages above)"
	else
		bash devtools/qemu-setup.sh ||
			skip "the QEMU tree could not be built (see the qemu-setup messages above)"
	fi
	mkdir -p "$DIR/tmp"
}

# show_guest FILE [|MORE]: the guest's GUEST lines and QEMU's messages in
# FILE (and lines matching the extended regex alternatives MORE).
show_guest() {
	echo "--- guest output:"
	grep -E "^GUEST|qemu-system|vfio|Kernel panic${2:-}" "$1" || echo "(no GUEST lines)"
	echo "---"
}

# ------------------------------------------------------------ background servers
# bg_serve SOCK LOG CMD...: start CMD in the background (bg_pid= its pid, its
# output in LOG) and wait up to 10 s for it to create the UNIX socket SOCK.
# Else its output is shown and 1 returned (bg_pid= blank if it exited).
bg_pid=
bg_serve() {
	local sock=$1 out=$2 i
	shift 2
	"$@" > "$out" 2>&1 &
	bg_pid=$!
	for ((i = 0; i < 100; i++)); do
		[ -S "$sock" ] && return 0
		if ! kill -0 "$bg_pid" 2> /dev/null; then
			wait "$bg_pid" 2> /dev/null || true
			bg_pid=
			cat "$out"
			log "it exited before creating its socket $sock"
			return 1
		fi
		sleep 0.1
	done
	cat "$out"
	log "no socket $sock after 10 s"
	return 1
}

# bg_term WHAT [SECONDS]: SIGTERM to bg_pid, SIGKILL if it still runs after
# SECONDS (default 10; said); BG_RC is its exit status.
BG_RC=
bg_term() {
	local i
	kill -TERM "$bg_pid" 2> /dev/null || true
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		kill -0 "$bg_pid" 2> /dev/null || break
		sleep 0.1
	done
	if kill -0 "$bg_pid" 2> /dev/null; then
		kill -9 "$bg_pid" 2> /dev/null || true
		log "$1 ignored SIGTERM for ${2:-10} s; killed"
	fi
	BG_RC=0
	wait "$bg_pid" || BG_RC=$?
	bg_pid=
}

# bg_kill PID: SIGKILL a background process (if PID is set) and reap it.
bg_kill() {
	[ -n "$1" ] || return 0
	kill -9 "$1" 2> /dev/null || true
	wait "$1" 2> /dev/null || true
}

# ------------------------------------------------------------ chroots
# (devtools/qemu-setup.sh and devtools/test-dpdk-version.sh build Debian trees)

# stamp_value FILE KEY: print the value of KEY=... in FILE.
stamp_value() {
	sed -n "s/^$2=//p" "$1" | head -n 1
}

# apt_settings ROOT: name resolution and apt settings as on the host: the
# chroot must reach the same mirror the same way (e.g. names pinned in
# /etc/hosts, a proxy); no recommends; no daemons get started inside the tree.
apt_settings() {
	local root=$1 proxy
	cp -f /etc/hosts "$root/etc/hosts" 2> /dev/null || true
	cp -f --remove-destination /etc/resolv.conf "$root/etc/resolv.conf" 2> /dev/null || true
	{
		echo "// written by dpdk-emu devtools/$me.sh"
		# A mirror serving a snapshot has stale Release files; accept them
		# only if the host apt does too.
		if [ "$(apt-config dump Acquire::Check-Valid-Until 2> /dev/null | sed -n 's/^Acquire::Check-Valid-Until "\(.*\)";$/\1/p')" = false ]; then
			echo 'Acquire::Check-Valid-Until "false";'
		fi
		proxy=$(apt-config dump Acquire::http::Proxy 2> /dev/null | sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p')
		[ -z "$proxy" ] || echo "Acquire::http::Proxy \"$proxy\";"
		echo 'APT::Install-Recommends "false";'
	} > "$root/etc/apt/apt.conf.d/99dpdk-emu"
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
}
