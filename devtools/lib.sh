# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Functions shared by the test scripts (sourced after their cd to the top
# of the tree: `. devtools/lib.sh`). The caller sets passed=0 and failed=0
# and, for expect, guest_log (the guest's output).

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

# ------------------------------------------------------------ testpmd driver
# Interactive dpdk-testpmd processes driven through FIFOs (tp_*). The caller
# sets TP_WORK (a private directory for FIFOs and logs), TP_TESTPMD (the
# binary) and TP_LIBPATH (LD_LIBRARY_PATH for the plugins; may be empty),
# and calls tp_cleanup from its EXIT trap. Each process has an ID: its pid
# (TP_PID[ID]), stdin FIFO (TP_FD[ID]), log ($TP_WORK/ID.log), file prefix
# (TP_PREFIX[ID]); the output of the last command is $TP_WORK/ID.out.
declare -A TP_PID=() TP_FD=() TP_PREFIX=()
TP_IDS=()
TP_QUIT_RC=

# tp_alive ID
tp_alive() { [ -n "${TP_PID[$1]:-}" ] && kill -0 "${TP_PID[$1]}" 2> /dev/null; }

# tp_files_rm PREFIX: the runtime and hugepage files a killed process leaves.
tp_files_rm() {
	local h
	rm -rf "/var/run/dpdk/$1"
	h=$(awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts)
	[ -z "$h" ] || rm -f "$h/$1"map_*
}

# tp_start ID PREFIX ARGS...: start testpmd (EAL args, --, testpmd args; -i
# added) with file prefix PREFIX; wait up to 60 s for its prompt.
tp_start() {
	local id=$1 prefix=$2 fifo=$TP_WORK/$1.fifo fd i
	shift 2
	rm -f "$fifo"
	mkfifo -m 600 "$fifo"
	exec {fd}<> "$fifo"
	TP_FD[$id]=$fd
	TP_PREFIX[$id]=$prefix
	TP_IDS+=("$id")
	printf '%s\n' "LD_LIBRARY_PATH=$TP_LIBPATH $TP_TESTPMD --file-prefix=$prefix $* -i" \
		> "$TP_WORK/$id.cmd"
	LD_LIBRARY_PATH=$TP_LIBPATH${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
		stdbuf -oL "$TP_TESTPMD" --file-prefix="$prefix" "$@" -i < "$fifo" \
		> "$TP_WORK/$id.log" 2>&1 &
	TP_PID[$id]=$!
	for ((i = 0; i < 1200; i++)); do
		grep -qs '^testpmd> ' "$TP_WORK/$id.log" && return 0
		tp_alive "$id" || break
		sleep 0.05
	done
	printf 'tp_start: %s: no prompt (exited or 60 s); its output:\n' "$id"
	cat "$TP_WORK/$id.log"
	return 1
}

# tp_cmd ID COMMAND [TIMEOUT]: send COMMAND, wait for the next prompt;
# its output (without echo and prompt) in $TP_WORK/ID.out.
tp_cmd() {
	local id=$1 cmd=$2 tmo=${3:-30} off i out=$TP_WORK/$1.out
	: > "$out"
	tp_alive "$id" || return 1
	off=$(stat -c %s "$TP_WORK/$id.log")
	printf '%s\n' "$cmd" >&"${TP_FD[$id]}"
	for ((i = 0; i < tmo * 50; i++)); do
		if tail -c +"$((off + 1))" "$TP_WORK/$id.log" | tr -d '\r' | awk -v c="$cmd" '
			!s && index($0, c) { s = 1; next }
			s && /^testpmd> / { d = 1; exit }
			s { print }
			END { exit !d }' > "$out"; then
			return 0
		fi
		tp_alive "$id" || return 1
		sleep 0.02
	done
	return 1
}

# tp_kill ID: SIGKILL, reap, remove what it left behind.
tp_kill() {
	[ -n "${TP_PID[$1]:-}" ] || return 0
	kill -9 "${TP_PID[$1]}" 2> /dev/null || true
	wait "${TP_PID[$1]}" 2> /dev/null || true
	TP_PID[$1]=
	tp_files_rm "${TP_PREFIX[$1]}"
}

# tp_quit ID: quit, wait up to 30 s; TP_QUIT_RC is its exit status (or
# "timeout", then it was killed).
tp_quit() {
	local i
	TP_QUIT_RC=0
	printf 'quit\n' >&"${TP_FD[$1]}" 2> /dev/null || true
	for ((i = 0; i < 300; i++)); do
		tp_alive "$1" || break
		sleep 0.1
	done
	if tp_alive "$1"; then
		tp_kill "$1"
		TP_QUIT_RC=timeout
		return
	fi
	wait "${TP_PID[$1]}" 2> /dev/null || TP_QUIT_RC=$?
	TP_PID[$1]=
}

# tp_cleanup: kill what still runs, close the FIFOs, remove leftovers.
# shellcheck disable=SC2317 # called from a trap
tp_cleanup() {
	local id fd
	for id in "${TP_IDS[@]}"; do
		tp_kill "$id"
		fd=${TP_FD[$id]:-}
		[ -z "$fd" ] || exec {fd}>&-
		TP_FD[$id]=
	done
}

# tp_val FILE KEY: the number after "KEY:" in FILE (first match), or blank.
tp_val() {
	awk -v k="$2:" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$1"
}

# tp_link ID: "up", "down" or "" (port 0's link, from show port info 0).
tp_link() {
	tp_cmd "$1" "show port info 0" || return 0
	awk '/Link status:/ { print $3; exit }' "$TP_WORK/$1.out"
}

# tp_wait_link ID up|down SECONDS: 0 once port 0 reports it.
tp_wait_link() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(tp_link "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# tp_stat ID KEY: KEY of show port stats 0 (RX-packets, TX-packets, ...).
tp_stat() {
	tp_cmd "$1" "show port stats 0" || return 0
	tp_val "$TP_WORK/$1.out" "$2"
}

# now_ms: wall clock in ms.
now_ms() { date +%s%3N; }
