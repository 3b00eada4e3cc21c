# shellcheck shell=bash disable=SC2034 # the variables are the callers'
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# The testpmd harness of the test scripts (sourced after devtools/lib.sh):
# interactive dpdk-testpmd processes driven through FIFOs. The caller sets
# TP_WORK (a private directory for FIFOs and logs; work_init's $work by
# default), TP_TESTPMD (the binary; $testpmd by default) and TP_LIBPATH
# (LD_LIBRARY_PATH for the plugins; may be empty); tp_cleanup runs from
# work_init's EXIT trap. Each process has an ID: its pid (TP_PID[ID]),
# stdin FIFO (TP_FD[ID]), log ($TP_WORK/ID.log), command line
# ($TP_WORK/ID.cmd), file prefix (TP_PREFIX[ID]); the output of the last
# command is $TP_WORK/ID.out. testpmd runs with -i and its stdout
# line-buffered (stdbuf), so every command's answer reaches the log before
# the next prompt. Optional, set before tp_start:
#   TP_LIB[ID]      LD_LIBRARY_PATH of that one process (else TP_LIBPATH)
#   TP_STAMP=1      the output also goes, each line prefixed with its
#                   arrival time (seconds.microseconds), to $TP_WORK/ID.ts
#                   (the rest of a line that arrives later, e.g. a log line
#                   after the prompt, is a line of its own with its own time)
#   TP_SOCKS=(...)  tp_start also waits for these UNIX sockets to appear
#   TP_START_S      seconds tp_start waits for the prompt (default 60)
declare -A TP_PID=() TP_FD=() TP_PREFIX=() TP_LIB=()
TP_IDS=()
TP_QUIT_RC=
TP_SOCKS=()
TP_WORK=${TP_WORK:-}
TP_TESTPMD=${TP_TESTPMD:-}
TP_LIBPATH=${TP_LIBPATH:-}

# shellcheck disable=SC2016 # perl code
TP_STAMP_PERL='use strict; use warnings; use IO::Handle; use Time::HiRes qw(time);
open(my $raw, ">", $ARGV[0]) or die; open(my $ts, ">", $ARGV[1]) or die;
$raw->autoflush(1); $ts->autoflush(1);
my ($bol, $buf) = (1, "");
while (sysread(STDIN, $buf, 65536)) {
	my $t = sprintf("%.6f", time);
	print $raw $buf;
	# What continues a line (e.g. after the prompt) gets its own time.
	if (!$bol) { print $ts "\n"; $bol = 1; }
	for my $l (split /(?<=\n)/, $buf) {
		print $ts "$t " if $bol;
		print $ts $l;
		$bol = ($l =~ /\n\z/) ? 1 : 0;
	}
}'

# tp_alive ID
tp_alive() { [ -n "${TP_PID[$1]:-}" ] && kill -0 "${TP_PID[$1]}" 2> /dev/null; }

# tp_log ID: its log file.
tp_log() { printf '%s\n' "$TP_WORK/$1.log"; }

# tp_files_rm PREFIX: the runtime and hugepage files a killed process leaves.
tp_files_rm() {
	local h
	[ -n "$1" ] || return 0
	rm -rf "/var/run/dpdk/$1"
	h=$(hugetlbfs_dir)
	[ -z "$h" ] || rm -f "$h/$1"map_*
}

# tp_reap ID: if it died, reap it and say how (exit status or signal).
tp_reap() {
	local id=$1 rc=0
	[ -n "${TP_PID[$id]:-}" ] || return 0
	tp_alive "$id" && return 0
	# Only the main shell can wait for it (not a $(...) subshell).
	[ "$BASHPID" = "$$" ] || return 0
	wait "${TP_PID[$id]}" || rc=$?
	TP_PID[$id]=
	if [ "$rc" -gt 128 ]; then
		log "$id: testpmd died of signal $((rc - 128)) ($(kill -l "$((rc - 128))" 2> /dev/null))"
	else
		log "$id: testpmd exited with status $rc"
	fi
}

# tp_prompted LOG: testpmd printed its prompt. An event line printed by
# another thread (e.g. "Port 0: link state change event") may cut it in two:
# "testpmd", a newline, then "> ".
tp_prompted() { grep -qsPz 'testpmd\n?> ' "$1"; }

# tp_start ID PREFIX ARGS...: start testpmd (EAL args, --, testpmd args; -i
# added) with file prefix PREFIX; wait for its prompt (and TP_SOCKS). On
# failure its output is printed and 1 returned.
tp_start() {
	local id=$1 prefix=$2 fifo=$TP_WORK/$1.fifo log=$TP_WORK/$1.log fd i s ok
	local lib=${TP_LIB[$1]:-$TP_LIBPATH} tmo=${TP_START_S:-60}
	shift 2
	TP_TESTPMD=${TP_TESTPMD:-${testpmd:-}}
	rm -f "$fifo"
	mkfifo -m 600 "$fifo"
	exec {fd}<> "$fifo"
	TP_FD[$id]=$fd
	TP_PREFIX[$id]=$prefix
	[[ " ${TP_IDS[*]} " == *" $id "* ]] || TP_IDS+=("$id")
	: > "$log"
	printf '%s\n' "LD_LIBRARY_PATH=$lib $TP_TESTPMD --file-prefix=$prefix $* -i" > "$TP_WORK/$id.cmd"
	if [ "${TP_STAMP:-0}" = 1 ]; then
		: > "$TP_WORK/$id.ts"
		LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
			stdbuf -oL "$TP_TESTPMD" --file-prefix="$prefix" "$@" -i < "$fifo" \
			> >(perl -e "$TP_STAMP_PERL" "$log" "$TP_WORK/$id.ts") 2>&1 &
	else
		LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
			stdbuf -oL "$TP_TESTPMD" --file-prefix="$prefix" "$@" -i < "$fifo" \
			> "$log" 2>&1 &
	fi
	TP_PID[$id]=$!
	for ((i = 0; i < tmo * 20; i++)); do
		ok=1
		for s in "${TP_SOCKS[@]}"; do
			[ -S "$s" ] || ok=0
		done
		[ "$ok" = 1 ] && tp_prompted "$log" && return 0
		if ! tp_alive "$id"; then
			wait "${TP_PID[$id]}" 2> /dev/null || true
			TP_PID[$id]=
			sleep 0.2 # what the filter still has
			log "$id: testpmd exited during start-up: $(cat "$TP_WORK/$id.cmd")"
			log "$id: its output:"
			cat "$log" >&"$LOG_FD"
			return 1
		fi
		sleep 0.05
	done
	log "$id: no prompt${TP_SOCKS[0]:+ or no socket} after $tmo s: $(cat "$TP_WORK/$id.cmd")"
	log "$id: its output:"
	cat "$log" >&"$LOG_FD"
	return 1
}

# tp_cmd ID COMMAND [TIMEOUT]: send COMMAND, wait for the prompt after it
# (TIMEOUT s, default 30); its output (without the echo and the prompt) is
# left in $TP_WORK/ID.out. Non-zero (said) if it is not running, died or
# did not answer.
tp_cmd() {
	local id=$1 cmd=$2 tmo=${3:-30} off i out=$TP_WORK/$1.out
	: > "$out"
	tp_alive "$id" || { log "$id: not running, cannot send '$cmd'"; return 1; }
	off=$(stat -c %s "$TP_WORK/$id.log")
	printf '%s\n' "$cmd" >&"${TP_FD[$id]}"
	for ((i = 0; i < tmo * 50; i++)); do
		if tail -c +"$((off + 1))" "$TP_WORK/$id.log" | tr -d '\r' | awk -v c="$cmd" '
			!s && index($0, c) { s = 1; next }
			s && /^testpmd> / { d = 1; exit }
			s && pend { if (/^> /) { d = 1; exit } print "testpmd"; pend = 0 }
			s && $0 == "testpmd" { pend = 1; next }
			s { print }
			END { exit !d }' > "$out"; then
			return 0
		fi
		if ! tp_alive "$id"; then
			log "$id: died after '$cmd'"
			tp_reap "$id"
			return 1
		fi
		sleep 0.02
	done
	log "$id: no prompt within $tmo s after '$cmd'"
	return 1
}

# tp_close ID: close its FIFO.
tp_close() {
	local fd=${TP_FD[$1]:-}
	[ -n "$fd" ] || return 0
	exec {fd}>&-
	TP_FD[$1]=
}

# tp_kill ID: SIGKILL, reap, close its FIFO, remove what it left behind.
tp_kill() {
	if [ -n "${TP_PID[$1]:-}" ]; then
		bg_kill "${TP_PID[$1]}"
		TP_PID[$1]=
	fi
	tp_close "$1"
	tp_files_rm "${TP_PREFIX[$1]:-}"
}

# tp_quit ID [SECONDS]: quit, wait up to SECONDS (default 30); TP_QUIT_RC
# is its exit status (or "timeout": then it was killed, which is said). Its
# FIFO is closed and its files removed.
tp_quit() {
	local id=$1 tmo=${2:-30} i
	TP_QUIT_RC=0
	if tp_alive "$id"; then
		{ printf 'quit\n' >&"${TP_FD[$id]}"; } 2> /dev/null || true
		for ((i = 0; i < tmo * 10; i++)); do
			tp_alive "$id" || break
			sleep 0.1
		done
	fi
	if tp_alive "$id"; then
		log "$id: did not quit within $tmo s; killed"
		tp_kill "$id"
		TP_QUIT_RC=timeout
		return
	fi
	if [ -n "${TP_PID[$id]:-}" ]; then
		wait "${TP_PID[$id]}" 2> /dev/null || TP_QUIT_RC=$?
	fi
	TP_PID[$id]=
	tp_close "$id"
	tp_files_rm "${TP_PREFIX[$id]:-}"
}

# tp_cleanup: kill what still runs, close the FIFOs, remove leftovers.
# shellcheck disable=SC2317 # called from a trap
tp_cleanup() {
	local id
	for id in "${TP_IDS[@]}"; do
		tp_kill "$id"
	done
}

# ------------------------------------------------------------ output parsing
# tp_val FILE KEY: the number after "KEY:" in FILE (first match), or blank.
tp_val() {
	awk -v k="$2:" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$1"
}

# tp_fwd_val FILE KEY: KEY in the "Forward statistics for port 0" block of
# the output of stop.
tp_fwd_val() {
	awk -v k="$2:" '/Forward statistics for port 0/ { s = 1; next }
		s { for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$1"
}

# tp_port_stat FILE PORT KEY: KEY of PORT in the output of show port stats
# (all or PORT).
tp_port_stat() {
	awk -v p="$2" -v f="$3:" '
		/NIC statistics for port/ { cur = ($(NF - 1) == p) }
		cur { for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }' "$1"
}

# tp_xstat FILE NAME: a value of show port xstats.
tp_xstat() { awk -v n="$2:" '$1 == n { print $2; exit }' "$1"; }

# tp_link ID: "up", "down" or "" (port 0's link, from show port info 0).
tp_link() {
	tp_cmd "$1" "show port info 0" > /dev/null || return 0
	awk '/Link status:/ { print $3; exit }' "$TP_WORK/$1.out"
}

# tp_wait_link ID up|down [SECONDS]: 0 once port 0 reports it (default 10 s).
tp_wait_link() {
	local i
	for ((i = 0; i < ${3:-10} * 10; i++)); do
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

# tp_stats ID PFX: show port stats 0 of ID into the globals PFX_rx, PFX_rxb,
# PFX_miss, PFX_rxerr, PFX_nombuf, PFX_tx, PFX_txb, PFX_txerr.
tp_stats() {
	local id=$1 p=$2 f=$TP_WORK/$1.out
	tp_cmd "$id" "show port stats 0" || true
	printf -v "${p}_rx" '%s' "$(tp_val "$f" RX-packets)"
	printf -v "${p}_rxb" '%s' "$(tp_val "$f" RX-bytes)"
	printf -v "${p}_miss" '%s' "$(tp_val "$f" RX-missed)"
	printf -v "${p}_rxerr" '%s' "$(tp_val "$f" RX-errors)"
	printf -v "${p}_nombuf" '%s' "$(tp_val "$f" RX-nombuf)"
	printf -v "${p}_tx" '%s' "$(tp_val "$f" TX-packets)"
	printf -v "${p}_txb" '%s' "$(tp_val "$f" TX-bytes)"
	printf -v "${p}_txerr" '%s' "$(tp_val "$f" TX-errors)"
}

# tp_failure_logs: each testpmd's command line and the last 60 lines of its
# log (after a failure).
tp_failure_logs() {
	local id
	for id in "${TP_IDS[@]}"; do
		echo "--- $id: $(cat "$TP_WORK/$id.cmd" 2> /dev/null)"
		echo "--- $id: last 60 lines of $TP_WORK/$id.log:"
		tail -n 60 "$TP_WORK/$id.log" 2> /dev/null
	done
}

# tp_end ID WHAT [SOCKWHAT SOCKET...]: at the end of a guest test: WHAT
# (e.g. "testpmd") still running, quits with status 0 (20 s at most) and,
# with SOCKWHAT, the SOCKETs are gone (checks).
tp_end() {
	local id=$1 what=$2 alive=0 s left=0
	shift 2
	tp_alive "$id" && alive=1
	check "$what still running after the guest powered off" "$alive"
	[ "$alive" = 1 ] || { tp_kill "$id"; return 0; }
	tp_quit "$id" 20
	check "$what quit with status 0 (status $TP_QUIT_RC)" "$(is [ "$TP_QUIT_RC" = 0 ])"
	[ $# -gt 0 ] || return 0
	local sockwhat=$1
	shift
	for s in "$@"; do
		[ ! -e "$s" ] || left=1
	done
	check "$sockwhat" "$(is [ "$left" = 0 ])"
}
