#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Live migration of a net_iavf_client port between backend processes (the
# "container case", doc/guides/howto/migration.rst), with three or more
# dpdk-testpmd processes driven through FIFOs (devtools/lib-testpmd.sh):
#   backend A and B: --vdev emu_iavf0,sock=X,mac=M --vdev net_iavfbe0,emu=emu_iavf0
#   the client:      --vdev net_iavf_client0,path=A.sock (and a net_null port)
# The move is triggered through the client testpmd's telemetry socket
# (/iavf_client/move,<port>,<socket path>), as dpdk-telemetry.py would.
#
# Checked:
#  1. traffic both ways (io forwarding on the client and on the backends, a
#     population of packets started by the client's `start tx_first`); the
#     move A -> B under traffic answers with its figures (pause, state
#     bytes, phases), printed; traffic goes on through B (counters rising on
#     the client and on B, A's frozen); A's port sees its client gone (link
#     down); then, traffic stopped and drained, the counts add up exactly:
#     client TX = A RX + B RX and client RX = A TX + B TX (testpmd's `show
#     port stats` of the three);
#  2. refused moves, each answered with an error that says why, the client's
#     traffic through B unharmed (rising before and after): a socket nobody
#     serves, the non-migrating vfio-user sample device
#     (examples/vfio_user_sample), an emu_iavf with migration=0, one that
#     does not trust the client's memory (DMA mappings refused), one with
#     another queues=, one with another MAC address, the port's own server,
#     the net_null port,
#     and bad telemetry parameters (none, no path, not a number, no such
#     port, a path too long); and, after the pause, a new server (A behind
#     a proxy) that refuses the state or receives it corrupted, or answers
#     the state write after the pause limit (ETIMEDOUT, the pause ended at
#     its limit): the port goes back to the old one (B), running; before
#     the pause, a new server announcing 1-byte transfers, or giving BAR0
#     as a file that can shrink (not mapped, the file then shrunk: no
#     fault); a new server that fails RUNNING (an error, or no answer by
#     the pause limit):
#     its connection is closed before the old server is asked to run again
#     (the port being on A behind a proxy that sees both connections), then
#     back to B;
#  3. the move back B -> A (A still running) and on to a fresh backend C,
#     under traffic, the counts again exact over all backends; then the
#     port stopped, moved back to B, started there: traffic and counts;
#  4. every testpmd quits with status 0.
# The pause is printed in ms (the goal is under 50 ms; timing never fails
# the test on a shared machine).
#
# usage: BUILD=builddir devtools/test-move.sh     (as root)
# Environment:
#   BUILD     build directory (default: build)
#   TESTPMD   testpmd binary (default: dpdk-testpmd)
#   MEM       MiB of hugepage memory per testpmd (default: 512)
#   QUEUES    queue pairs of the devices and ports (default: 1)
#   PYTHON    python3 (default: /usr/bin/python3, else python3)
#   KEEP_LOGS=1  keep the logs directory
# Output: PASS/FAIL lines, then "N passed, M failed".
# Exit status: 0 all passed, 77 skipped (the reason is printed), else 1.

# (functions called through is/eval; single-quoted eval strings expand later;
# tp_stats sets c_* and b_*)
# shellcheck disable=SC2317,SC2016,SC2154
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
# shellcheck source=devtools/lib-testpmd.sh
. devtools/lib-testpmd.sh
BUILD=${BUILD:-build}
TESTPMD=${TESTPMD:-dpdk-testpmd}
MEM=${MEM:-512}
QUEUES=${QUEUES:-1}
[[ $QUEUES =~ ^([1-9]|1[0-5])$ ]] || die "QUEUES must be 1..15, not '$QUEUES'"
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}

need_root "hugepages, /var/run/dpdk"
need_testpmd
[ -n "$PYTHON" ] || skip "python3 not found (the telemetry client)"
need_hugepages $((4 * MEM))
need_plugins "$BUILD" "$EMU_SO" "$BE_SO" "$CLIENT_SO"
TP_LIBPATH=$plugins
sample=$BUILD/examples/dpdk-vfio_user_sample

# The client on the first CPU, the backends on the second (if there is one).
mapfile -t cpus < <(allowed_cpus)
cpu_c=${cpus[0]}
cpu_s=${cpus[1]:-${cpus[0]}}

work_init client-move
TP_WORK=$work
pfx=client-move-$$
MAC=02:00:00:00:e1:01
passed=0
failed=0
logs=(--log-level=lib.eal:notice --log-level='*emu*:info' --log-level='*vfio_user*:info'
	--log-level='*iavf*:info')

# backend ID SOCK [QUEUES [MAC [MORE]]]: a backend testpmd (emu_iavf +
# net_iavfbe) serving SOCK (by default $QUEUES queue pairs, MAC $MAC; MORE:
# the rest of emu_iavf's devargs, by default ",trust_client_memory=1").
backend() {
	local id=$1 sock=$2 q=${3:-$QUEUES} mac=${4:-$MAC} more=${5-,trust_client_memory=1} rc=0
	rm -f "$sock"
	TP_SOCKS=("$sock")
	tp_start "$id" "$pfx-$id" --lcores "0@$cpu_s,1@$cpu_s" -m "$MEM" --single-file-segments \
		--no-pci "${logs[@]}" -d "$TP_LIBPATH/librte_emu_iavf.so" \
		-d "$TP_LIBPATH/librte_net_iavfbe.so" \
		--vdev "emu_iavf0,sock=$sock,queues=$q,mac=$mac$more" \
		--vdev net_iavfbe0,emu=emu_iavf0 -- --total-num-mbufs=16384 --rxq="$q" --txq="$q" || rc=1
	TP_SOCKS=()
	return $rc
}
# client ID SOCK: the client testpmd (port 0: net_iavf_client on SOCK;
# port 1: net_null, not forwarded).
client() {
	tp_start "$1" "$pfx-$1" --lcores "0@$cpu_c,1@$cpu_c" -m "$MEM" --single-file-segments \
		--no-pci "${logs[@]}" -d "$TP_LIBPATH/librte_net_iavf_client.so" \
		--vdev "net_iavf_client0,path=$2" --vdev net_null0 -- --total-num-mbufs=16384 \
		--disable-link-check --rxq="$QUEUES" --txq="$QUEUES" --portmask=0x1
}

# tel CMD: send CMD to the client's telemetry socket; its answer (JSON) in
# $TP_WORK/tel.json, and printed as one line in the log.
cat > "$TP_WORK/tel.py" << 'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(30)
s.connect(sys.argv[1])
hello = json.loads(s.recv(16384).decode())
s.send(sys.argv[2].encode())
reply = json.loads(s.recv(hello.get("max_output_len", 16384) + 1024).decode())
json.dump(reply.get(sys.argv[2].split(",", 1)[0]), sys.stdout)
EOF
tel() {
	local sock=/var/run/dpdk/$pfx-cli/dpdk_telemetry.v2
	"$PYTHON" "$TP_WORK/tel.py" "$sock" "$1" > "$TP_WORK/tel.json" 2> "$TP_WORK/tel.err" ||
		{ log "telemetry '$1' failed: $(cat "$TP_WORK/tel.err")"; echo null > "$TP_WORK/tel.json"; }
	log "telemetry '$(printf '%.100s' "$1")' -> $(cat "$TP_WORK/tel.json")"
}
# telv KEY: a value of the last telemetry answer (blank if absent).
telv() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = d.get(sys.argv[2]) if isinstance(d, dict) else None
print("" if v is None else v)' "$TP_WORK/tel.json" "$1"
}

# A man in the middle between the client and real backends, to make the
# new server fail or misbehave (the port must stay on, or go back to, the
# old one): proxy.py MODE LISTEN BACKEND [ARG | LISTEN2 BACKEND2] forwards
# every message both ways with its file descriptors, except:
#   refuse    the first MIG_DATA_WRITE is answered EINVAL;
#   corrupt   one byte of the state is flipped on its way;
#   slow      the backend's replies to MIG_DATA_WRITE are held ARG seconds;
#   tiny      the VERSION reply announces max_data_xfer_size 1;
#   unsealed  a REGION_INFO reply's file (BAR0's) is replaced by a copy in
#             the directory ARG (a tmpfs file: it takes no seal), which is
#             shrunk to 0 bytes 0.5 s later;
#   order     two listeners: LISTEN (the port's server, "a") forwards all,
#             LISTEN2 (the new one, "b") answers its first MIG_DEVICE_STATE
#             RUNNING with EIO and never answers the next one (the answer
#             lost); when "a" is asked RUNNING, it says whether each of b's
#             connections was closed then (poll: hung up) or still OPEN; it
#             says when b is sent DEVICE_RESET (forwarded).
cat > "$TP_WORK/proxy.py" << 'EOF'
import json, os, select, socket, struct, sys, time
mode, listen, backend = sys.argv[1:4]
pairs_args = [(listen, backend, "a")] + ([(sys.argv[4], sys.argv[5], "b")] if len(sys.argv) > 5 else [])
HDR = struct.Struct("=HHIII")
VERSION, REGION_INFO, DEVICE_RESET, FEATURE, MIG_DATA_WRITE = 1, 5, 13, 16, 18
F_REPLY, F_ERROR, EINVAL, EIO = 0x1, 0x20, 22, 5
MIG_DEVICE_STATE, FEATURE_SET, RUNNING = 2, 0x20000, 2
HUP = select.POLLHUP | getattr(select, "POLLRDHUP", 0x2000)

def say(msg):
    print("proxy: " + msg, flush=True)

def recv_msg(s):
    data, fds, _, _ = socket.recv_fds(s, HDR.size, 64, socket.MSG_WAITALL)
    if len(data) < HDR.size:
        return None, fds
    size = HDR.unpack(data)[2]
    while len(data) < size:
        more = s.recv(size - len(data))
        if not more:
            return None, fds
        data += more
    return data, fds

def send_msg(s, data, fds):
    if fds:
        socket.send_fds(s, [data], fds)
    else:
        s.sendall(data)
    for fd in fds:
        os.close(fd)

def reply_error(s, data, err, fds):
    mid, cmd = HDR.unpack(data[:HDR.size])[:2]
    send_msg(s, HDR.pack(mid, cmd, HDR.size, F_REPLY | F_ERROR, err), fds)

def closed(s):
    p = select.poll()
    p.register(s, select.POLLIN | HUP)
    return any(ev & HUP for _, ev in p.poll(0))

def running_request(data):
    mid, cmd, size, flags, err = HDR.unpack(data[:HDR.size])
    if cmd != FEATURE or (flags & 0xf) != 0 or size < HDR.size + 12:
        return False
    argsz, fflags, state = struct.unpack("=III", data[HDR.size:HDR.size + 12])
    return (fflags & 0xffff) == MIG_DEVICE_STATE and (fflags & FEATURE_SET) and state == RUNNING

listeners = {}
for path, be_path, role in pairs_args:
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    listeners[srv] = (be_path, role)
conns = {}   # socket -> (peer, role, side)
b_clients = []
b_runs = 0
done = False
trunc = []
while True:
    r, _, _ = select.select(list(listeners) + list(conns), [], [], 0.1)
    for t, fd in [x for x in trunc if x[0] <= time.monotonic()]:
        os.ftruncate(fd, 0)
        os.close(fd)
        trunc.remove((t, fd))
        say("the region file shrunk to 0 bytes")
    for s in r:
        if s in listeners:
            cli, _ = s.accept()
            be_path, role = listeners[s]
            be = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            be.connect(be_path)
            conns[cli] = (be, role, "cli")
            conns[be] = (cli, role, "be")
            if role == "b":
                b_clients.append(cli)
            say("a client on %s (%s)" % (role, be_path))
            continue
        if s not in conns:
            continue
        peer, role, side = conns[s]
        data, fds = recv_msg(s)
        if data is None:
            for fd in fds:
                os.close(fd)
            say("%s: %s hung up" % (role, "the client" if side == "cli" else "the server"))
            del conns[s], conns[peer]
            s.close()
            peer.close()
            if mode != "order":
                sys.exit(0)
            continue
        mid, cmd, size, flags, err = HDR.unpack(data[:HDR.size])
        is_req = (flags & 0xf) == 0
        if mode == "order" and side == "cli" and is_req and role == "b" and cmd == DEVICE_RESET:
            say("b: DEVICE_RESET (forwarded)")
        if mode == "order" and side == "cli" and is_req and running_request(data):
            if role == "b":
                b_runs += 1
                if b_runs == 1:
                    say("b: MIG_DEVICE_STATE RUNNING answered EIO (not forwarded)")
                    reply_error(s, data, EIO, fds)
                    continue
                say("b: MIG_DEVICE_STATE RUNNING: no answer (not forwarded)")
                for fd in fds:
                    os.close(fd)
                continue
            if b_clients:
                st = ["closed" if c.fileno() < 0 or closed(c) else "OPEN" for c in b_clients]
                say("a: MIG_DEVICE_STATE RUNNING; the new server's connection(s) then: %s" % " ".join(st))
        if mode in ("refuse", "corrupt") and side == "cli" and cmd == MIG_DATA_WRITE and is_req and not done:
            done = True
            if mode == "refuse":
                reply_error(s, data, EINVAL, fds)
                say("MIG_DATA_WRITE of %d bytes refused" % size)
                continue
            b = bytearray(data)
            i = HDR.size + 8 + (size - HDR.size - 8) // 2
            b[i] ^= 0x40
            data = bytes(b)
            say("MIG_DATA_WRITE of %d bytes: byte %d flipped" % (size, i))
        if mode == "slow" and side == "be" and cmd == MIG_DATA_WRITE and not is_req:
            say("MIG_DATA_WRITE reply held %s s" % sys.argv[4])
            time.sleep(float(sys.argv[4]))
        if mode == "tiny" and side == "be" and cmd == VERSION and not is_req and not (flags & F_ERROR):
            body = data[HDR.size:]
            js = json.loads(body[4:].split(b"\0")[0])
            js.setdefault("capabilities", {})["max_data_xfer_size"] = 1
            body = body[:4] + json.dumps(js).encode() + b"\0"
            data = HDR.pack(mid, cmd, HDR.size + len(body), flags, err) + body
            say("VERSION reply: max_data_xfer_size 1")
        if mode == "unsealed" and side == "be" and cmd == REGION_INFO and not is_req and fds:
            nfds = []
            for fd in fds:
                size_f = os.fstat(fd).st_size
                os.close(fd)
                nfd = os.open(sys.argv[4], os.O_TMPFILE | os.O_RDWR, 0o600)
                os.ftruncate(nfd, size_f)
                nfds.append(nfd)
                # Later the "server" shrinks it: a client that mapped it would fault.
                trunc.append((time.monotonic() + 0.5, os.dup(nfd)))
            fds = nfds
            say("REGION_INFO reply: its file replaced by an unsealable one in %s" % sys.argv[4])
        try:
            send_msg(peer, data, fds)
        except OSError as e:
            say("%s: cannot forward (%s)" % (role, e))
            if mode != "order":
                sys.exit(0)
EOF

# fwd ID MODE [START]: stop, set fwd MODE, start (or START, e.g. "start tx_first 4").
fwd() {
	tp_cmd "$1" stop > /dev/null || true
	tp_cmd "$1" "set fwd $2" > /dev/null || true
	tp_cmd "$1" "${3:-start}" > /dev/null || true
}
# rising ID KEY WHAT: KEY of ID's port stats grows over 0.5 s.
rising() {
	local a b
	a=$(tp_stat "$1" "$2")
	sleep 0.5
	b=$(tp_stat "$1" "$2")
	check "$3 ($1 $2 $a -> $b)" "$(is gt "$b" "$a")"
}
# frozen ID KEY WHAT: KEY of ID's port stats does not move over 0.5 s.
frozen() {
	local a b
	a=$(tp_stat "$1" "$2")
	sleep 0.5
	b=$(tp_stat "$1" "$2")
	check "$3 ($1 $2 $a -> $b)" "$(is eqn "$b" "$a")"
}
# traffic BACKENDS...: io forwarding on the backends, then on the client with
# a population of packets (start tx_first 4).
traffic() {
	local id
	for id in "$@"; do
		fwd "$id" io
	done
	fwd cli io "start tx_first 4"
}
# drain BACKENDS...: stop the client, let the backends hand back what is in
# flight, stop them, and let the client receive what they sent (rxonly).
drain() {
	local id
	tp_cmd cli stop > /dev/null || true
	sleep 0.5
	for id in "$@"; do
		tp_cmd "$id" stop > /dev/null || true
	done
	fwd cli rxonly
	sleep 0.5
	tp_cmd cli stop > /dev/null || true
}
# counts WHAT BACKENDS...: traffic drained, client TX = sum of the backends'
# RX and client RX = sum of their TX (every backend that ever served it).
counts() {
	local what=$1 id srx=0 stx=0 parts_rx='' parts_tx=''
	shift
	drain "$@"
	tp_stats cli c
	for id in "$@"; do
		tp_stats "$id" b
		srx=$((srx + $(numz "$b_rx")))
		stx=$((stx + $(numz "$b_tx")))
		parts_rx+="${parts_rx:+ + }$id RX $b_rx"
		parts_tx+="${parts_tx:+ + }$id TX $b_tx"
	done
	log "$what: client TX $c_tx RX $c_rx (errors $c_txerr/$c_rxerr, missed $c_miss); $parts_rx; $parts_tx"
	check "$what: client TX = backends' RX ($c_tx = $parts_rx = $srx, at least 1000)" \
		"$(is eval 'gt "$c_tx" 999 && eqn "$c_tx" "$srx"')"
	check "$what: client RX = backends' TX ($c_rx = $parts_tx = $stx)" \
		"$(is eqn "$c_rx" "$stx")"
}
# move WHAT PATH BACKEND-TO OLD-BACKEND: move port 0 under traffic; the
# answer's figures printed; traffic goes on through the new backend, the old
# one's counters are frozen and its link down.
nmoves=0
move() {
	local what=$1 path=$2 to=$3 from=$4 pause
	rising "$from" RX-packets "$what: before the move the traffic goes through $from"
	tel "/iavf_client/move,0,$path"
	pause=$(telv pause_us)
	check "$what: the move answers with its figures (pause_us $pause, state_bytes $(telv state_bytes))" \
		"$(is eval 'num "$pause" && gt "$(telv state_bytes)" 0 && [ -z "$(telv error)" ]')"
	if num "$pause"; then
		nmoves=$((nmoves + 1))
		log "$what: pause $(awk -v u="$pause" 'BEGIN { printf "%.3f", u / 1000 }') ms (data path paused -> resumed; goal < 50 ms), state $(telv state_bytes) bytes; phases: prepare $(telv prepare_us) us (before the pause), the old device stops $(telv stop_us) us, save $(telv save_us) us, the new one loads $(telv load_us) us, resume $(telv resume_us) us; whole call $(telv total_us) us"
		pauses+=("$pause")
	else
		log "$what: the client's log says: $(grep -E 'IAVF_CLIENT.*move' "$TP_WORK/cli.log" | tail -n 3)"
	fi
	check "$what: the client logs the move" \
		"$(is grep -qE "moved from .* to $path: data path paused" "$TP_WORK/cli.log")"
	rising "$to" RX-packets "$what: traffic continues through $to (it receives)"
	rising "$to" TX-packets "$what: traffic continues through $to (it sends)"
	rising cli RX-packets "$what: the client still receives"
	frozen "$from" RX-packets "$what: $from no longer receives"
	check "$what: $from's port sees its client gone (link down)" \
		"$(is tp_wait_link "$from" down 5)"
}
# refused WHAT CMD ERRNO REGEX CURRENT: a move refused with an errno
# matching ERRNO (a regex) and an error matching REGEX; the traffic through
# CURRENT goes on.
refused() {
	local what=$1 cmd=$2 want=$3 re=$4 cur=$5 err
	tel "$cmd"
	err=$(telv error)
	check "$what: refused with errno $want ($(telv errno) $(telv reason)): $err" \
		"$(is eval '[[ $(telv errno) =~ ^($want)$ ]] && [[ $err =~ $re ]]')"
	rising cli RX-packets "$what: the client's traffic goes on"
	rising "$cur" RX-packets "$what: through $cur"
}

set +e
pauses=()
log "$QUEUES queue pair(s), client on CPU $cpu_c, backends on CPU $cpu_s, logs in $TP_WORK"
sa=$TP_WORK/a.sock
sb=$TP_WORK/b.sock
sc=$TP_WORK/c.sock
if ! backend srvA "$sa" || ! backend srvB "$sb" || ! client cli "$sa"; then
	check "backends A and B and the client started" 0
	echo "$passed passed, $failed failed"
	tp_failure_logs
	exit 1
fi
check "backends A and B and the client started" 1
check "the client's link comes up on A" "$(is eval 'tp_wait_link cli up 10 && tp_wait_link srvA up 10')"
[ -S "/var/run/dpdk/$pfx-cli/dpdk_telemetry.v2" ] ||
	skip "no telemetry socket in /var/run/dpdk/$pfx-cli (telemetry disabled in this DPDK?)"
tel /help,/iavf_client/move
check "the telemetry command /iavf_client/move is registered (its help: $(cat "$TP_WORK/tel.json"))" \
	"$(is grep -q 'Moves a net_iavf_client port' "$TP_WORK/tel.json")"
for id in cli srvA srvB; do
	tp_cmd "$id" "clear port stats all" > /dev/null
done

# --- 1: A -> B under traffic.
traffic srvA srvB
move "move 1 (A -> B)" "$sb" srvB srvA

# --- 2: refused moves; traffic goes on through B.
refused "no server" "/iavf_client/move,0,$TP_WORK/none.sock" 2 'no server on' srvB
if [ -x "$sample" ]; then
	"$sample" --no-huge -m 128 --no-pci --no-shconf -l "$cpu_s" --file-prefix="$pfx-sample" \
		--log-level=lib.eal:error -- --socket "$TP_WORK/sample.sock" > "$TP_WORK/sample.log" 2>&1 &
	spid=$!
	for ((i = 0; i < 100; i++)); do [ -S "$TP_WORK/sample.sock" ] && break; sleep 0.05; done
	refused "the vfio-user sample device (does not migrate)" \
		"/iavf_client/move,0,$TP_WORK/sample.sock" 95 'does not offer migration|does not migrate' srvB
	kill "$spid" 2> /dev/null
	wait "$spid" 2> /dev/null
	tp_files_rm "$pfx-sample"
else
	check "the sample device is built ($sample)" 0
fi
if backend srvN "$TP_WORK/n.sock" "$QUEUES" "$MAC" ",trust_client_memory=1,migration=0"; then
	refused "a backend that does not migrate (emu_iavf migration=0)" \
		"/iavf_client/move,0,$TP_WORK/n.sock" 95 'does not offer migration|does not migrate' srvB
	tp_quit srvN
else
	check "a backend with migration=0 started" 0
fi
if backend srvU "$TP_WORK/u.sock" "$QUEUES" "$MAC" ""; then
	refused "a backend that does not trust the client's memory (no trust_client_memory=1)" \
		"/iavf_client/move,0,$TP_WORK/u.sock" '[0-9]+' 'DMA mappings' srvB
	tp_quit srvU
else
	check "a backend without trust_client_memory started" 0
fi
if backend srvQ "$TP_WORK/q.sock" $((QUEUES + 1)); then
	refused "a backend with queues=$((QUEUES + 1))" "/iavf_client/move,0,$TP_WORK/q.sock" 71 \
		'IRQ index|queue pair|region' srvB
	tp_quit srvQ
else
	check "a backend with queues=$((QUEUES + 1)) started" 0
fi
if backend srvM "$TP_WORK/m.sock" "$QUEUES" 02:00:00:00:e1:99; then
	refused "a backend with another MAC address" "/iavf_client/move,0,$TP_WORK/m.sock" 71 \
		'MAC address 02:00:00:00:E1:99' srvB
	tp_quit srvM
else
	check "a backend with another MAC address started" 0
fi
# proxy_start MODE ARGS...: proxy.py MODE ARGS... (logs proxy-MODE.log),
# its sockets (the 1st and, with 5 arguments, the 3rd of ARGS) waited for.
proxy_start() {
	local mode=$1 i
	shift
	rm -f "$1"
	[ $# -lt 4 ] || rm -f "$3"
	"$PYTHON" "$TP_WORK/proxy.py" "$mode" "$@" > "$TP_WORK/proxy-$mode.log" 2>&1 &
	ppid=$!
	for ((i = 0; i < 100; i++)); do
		[ -S "$1" ] && { [ $# -lt 4 ] || [ -S "$3" ]; } && break
		sleep 0.05
	done
}
proxy_stop() {
	kill "$ppid" 2> /dev/null
	wait "$ppid" 2> /dev/null
}
# stays WHAT L0 PATTERN: the client's log, after its line L0, says the port
# stays on PATTERN, running.
stays() {
	check "$1: the client says it stays on $3, running" \
		"$(is awk -v n="$2" -v p="move refused: the port stays on .*$3, running" 'NR > n && $0 ~ p { f = 1 } END { exit !f }' "$TP_WORK/cli.log")"
}
# The new server fails after the pause: back to the old one, running.
for mode in refuse corrupt; do
	proxy_start $mode "$TP_WORK/p.sock" "$sa"
	l0=$(wc -l < "$TP_WORK/cli.log")
	if [ $mode = refuse ]; then
		what="A behind a proxy that refuses the state (MIG_DATA_WRITE: EINVAL)"
	else
		what="A behind a proxy that flips a byte of the state (A's load must refuse it)"
	fi
	refused "$what" "/iavf_client/move,0,$TP_WORK/p.sock" '[0-9]+' \
		'refuses the state|writing the state' srvB
	log "$what: $(cat "$TP_WORK/proxy-$mode.log"); paused $(telv pause_us) us before going back"
	check "$what: the state went through the proxy and the data path had been paused ($(telv pause_us) us)" \
		"$(is eval 'grep -q "MIG_DATA_WRITE" "$TP_WORK/proxy-$mode.log" && gt "$(telv pause_us)" 0')"
	stays "$what" "$l0" 'b[.]sock'
	proxy_stop
done
# A slow new server: the pause is bounded (move_pause_ms, 1000 ms by default).
proxy_start slow "$TP_WORK/p.sock" "$sa" 1.5
l0=$(wc -l < "$TP_WORK/cli.log")
what="A behind a proxy that holds its answer to the state write 1.5 s (pause limit 1 s)"
refused "$what" "/iavf_client/move,0,$TP_WORK/p.sock" 110 'abandoned: the pause .* took more than 1000 ms' srvB
log "$what: $(cat "$TP_WORK/proxy-slow.log"); paused $(telv pause_us) us"
check "$what: the pause ended at its limit (1 s <= $(telv pause_us) us < 1.5 s)" \
	"$(is eval 'gt "$(telv pause_us)" 999999 && gt 1500000 "$(telv pause_us)"')"
stays "$what" "$l0" 'b[.]sock'
proxy_stop
# A new server with 1-byte transfers: refused before the pause.
proxy_start tiny "$TP_WORK/p.sock" "$sa"
what="A behind a proxy that announces max_data_xfer_size 1"
refused "$what" "/iavf_client/move,0,$TP_WORK/p.sock" 71 'takes 1 bytes per transfer.*fewer than 4096' srvB
check "$what: refused before the pause (pause_us '$(telv pause_us)')" "$(is [ -z "$(telv pause_us)" ])"
proxy_stop
# A new server whose BAR0 file can shrink: not mapped, refused before the
# pause; the file shrinks: the client does not fault.
proxy_start unsealed "$TP_WORK/p.sock" "$sa" /dev/shm
what="A behind a proxy that gives BAR0 as an unsealable tmpfs file"
refused "$what" "/iavf_client/move,0,$TP_WORK/p.sock" 1 'tail pages of the given path: Operation not permitted' srvB
check "$what: refused before the pause (pause_us '$(telv pause_us)'), the proxy replaced the file" \
	"$(is eval '[ -z "$(telv pause_us)" ] && grep -q "REGION_INFO reply: its file replaced" "$TP_WORK/proxy-unsealed.log"')"
proxy_stop
# The new server does not run (B -> RUNNING fails, it may be running): it
# is closed before the old one runs again. The port first moves to A
# behind a proxy ("a"), which then sees B's ("b") connection when asked
# RUNNING again; last the port goes back to B.
proxy_start order "$TP_WORK/pa.sock" "$sa" "$TP_WORK/pb.sock" "$sb"
move "move to A behind a proxy" "$TP_WORK/pa.sock" srvA srvB
l0=$(wc -l < "$TP_WORK/cli.log")
what="B behind a proxy that answers RUNNING with EIO"
refused "$what" "/iavf_client/move,0,$TP_WORK/pb.sock" 5 'does not run' srvA
log "$what: $(cat "$TP_WORK/proxy-order.log")"
check "$what: its connection was closed before the port's device was asked to run again" \
	"$(is eval 'grep -q "a: MIG_DEVICE_STATE RUNNING; .* then: closed$" "$TP_WORK/proxy-order.log" && ! grep -q "then: .*OPEN" "$TP_WORK/proxy-order.log"')"
check "$what: B was reset (DEVICE_RESET) before the port's device was asked to run again" \
	"$(is awk '/RUNNING answered EIO/ && !e { e = NR } /b: DEVICE_RESET/ && e && !r { r = NR } /a: MIG_DEVICE_STATE RUNNING/ && !a { a = NR } END { exit !(e && r && a && r < a) }' "$TP_WORK/proxy-order.log")"
check "$what: the client says the device on B was asked to run, is reset, then closed" \
	"$(is eval 'tail -n +$((l0 + 1)) "$TP_WORK/cli.log" | grep -q "pb.sock was asked to run .* it is reset now (it answered), then closed"')"
stays "$what" "$l0" 'pa[.]sock'
l0=$(wc -l < "$TP_WORK/cli.log")
what="B behind a proxy that never answers RUNNING (its answer lost)"
refused "$what" "/iavf_client/move,0,$TP_WORK/pb.sock" 110 'abandoned: the pause .* took more than 1000 ms' srvA
log "$what: $(tail -n 3 "$TP_WORK/proxy-order.log" | tr '\n' ' ')"
check "$what: its connection was closed before the port's device was asked to run again" \
	"$(is eval 'grep -q "a: MIG_DEVICE_STATE RUNNING; .* then: closed closed$" "$TP_WORK/proxy-order.log" && ! grep -q "then: .*OPEN" "$TP_WORK/proxy-order.log"')"
check "$what: the client says the state of the device on B is unknown" \
	"$(is eval 'tail -n +$((l0 + 1)) "$TP_WORK/cli.log" | grep -q "pb.sock may be running .* its state is unknown"')"
stays "$what" "$l0" 'pa[.]sock'
move "move back to B" "$sb" srvB srvA
proxy_stop
refused "the port's own server" "/iavf_client/move,0,$sb" 22 'on .* already' srvB
refused "the net_null port" "/iavf_client/move,1,$sa" 19 'not a net_iavf_client port' srvB
refused "no such port" "/iavf_client/move,7,$sa" 19 'no such port' srvB
refused "telemetry: no parameters" "/iavf_client/move" 22 'usage: ' srvB
refused "telemetry: no path" "/iavf_client/move,0," 22 'usage: ' srvB
refused "telemetry: no port" "/iavf_client/move,,$sa" 22 'usage: ' srvB
refused "telemetry: a port that is no number" "/iavf_client/move,zero,$sa" 22 'not a port number' srvB
refused "telemetry: a port out of range" "/iavf_client/move,70000,$sa" 22 'not a port number' srvB
long=$TP_WORK/$(printf 'x%.0s' {1..120}).sock
refused "telemetry: a path too long (${#long} bytes)" "/iavf_client/move,0,$long" 36 'longer than 107' srvB
counts "after move 1 and the refusals" srvA srvB

# --- 3: back to A (still running), then on to a fresh C.
traffic srvA srvB
move "move 2 (B -> A)" "$sa" srvA srvB
if backend srvC "$sc"; then
	tp_cmd srvC "clear port stats all" > /dev/null
	fwd srvC io
	move "move 3 (A -> C, a fresh backend)" "$sc" srvC srvA
	counts "after moves 2 and 3" srvA srvB srvC

	# A stopped port moves too, and starts on its new server.
	tp_cmd cli "port stop 0" > /dev/null
	tel "/iavf_client/move,0,$sb"
	check "move 4 (C -> B, the port stopped): moved (pause_us $(telv pause_us), state_bytes $(telv state_bytes))" \
		"$(is eval '[ -z "$(telv error)" ] && gt "$(telv state_bytes)" 0')"
	tp_cmd cli "port start 0" > /dev/null
	check "move 4: the port starts on B (link up)" "$(is tp_wait_link cli up 10)"
	traffic srvB srvC
	rising srvB RX-packets "move 4: traffic through B after the start"
	rising cli RX-packets "move 4: the client receives"
	frozen srvC RX-packets "move 4: C no longer receives"
	counts "after move 4" srvA srvB srvC
else
	check "backend C started" 0
fi

# --- 4: quit.
tp_quit cli
check "the client quit with status 0 (status $TP_QUIT_RC)" "$(is [ "$TP_QUIT_RC" = 0 ])"
for id in srvA srvB srvC; do
	tp_alive "$id" || continue
	tp_quit "$id"
	check "$id quit with status 0 (status $TP_QUIT_RC)" "$(is [ "$TP_QUIT_RC" = 0 ])"
done
if [ "${#pauses[@]}" -gt 0 ]; then
	log "pauses of the $nmoves move(s) in ms: $(for p in "${pauses[@]}"; do awk -v u="$p" 'BEGIN { printf "%.3f ", u / 1000 }'; done)(goal < 50 ms; not checked)"
fi

echo "$passed passed, $failed failed"
if [ "$failed" != 0 ]; then
	tp_failure_logs
	exit 1
fi
exit 0
