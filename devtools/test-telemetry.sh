#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
#
# Telemetry of the two libraries, against the stock dpdk-testpmd serving two
# emu_iavf devices (a.sock, b.sock) and net_iavfbe0 on the first:
#  - /vfio_user/list and /emudev/list show both devices;
#  - /vfio_user/info and /emudev/info say "no client" for both; then, with a
#    client on a.sock (devtools/hostile/vfu.py: VERSION, two DMA_MAPs of
#    sealed memfds, an eventfd on MSI-X vector 0), they say "client" for
#    a.sock / emu_iavf0 only, with its two mappings (iova, size) and the
#    vector counted as enabled, and "no client" again once it has gone;
#  - malformed or unknown parameters (empty, non-numeric, negative, huge,
#    very long, a path that is no server, a parameter to a list) give an
#    error (null) and the process keeps answering;
#  - net_iavfbe0's /ethdev/xstats are named from the port's view (rx_*,
#    tx_*, rx_qN_*, tx_qN_*), none after the guest;
#  - Debian's dpdk-telemetry.py (package dpdk) reads /emudev/list too.
# Queries go through a small SOCK_SEQPACKET client of the telemetry socket
# (/var/run/dpdk/PREFIX/dpdk_telemetry.v2).
#
# usage: BUILD=builddir devtools/test-telemetry.sh
# Environment:
#   BUILD    build directory (default: build)
#   TESTPMD  testpmd binary (default: dpdk-testpmd, Debian's dpdk-dev)
#   PYTHON   Python 3.10 or later (default: /usr/bin/python3, else python3)
# Output: PASS/FAIL lines with the values seen, then "N passed, M failed".
# Exit status: 0 all passed, 77 skipped (a prerequisite is missing: the reason
# is printed), 1 a check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=devtools/lib.sh
. devtools/lib.sh
# shellcheck source=devtools/lib-testpmd.sh
. devtools/lib-testpmd.sh
BUILD=${BUILD:-build}
TESTPMD=${TESTPMD:-dpdk-testpmd}

PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}
[ -n "$PYTHON" ] || skip "python3 not found"
"$PYTHON" -c 'import os, socket; os.memfd_create; os.eventfd; socket.send_fds' 2> /dev/null ||
	skip "python3 lacks os.memfd_create, os.eventfd or socket.send_fds (3.10 or later needed)"
need_testpmd
NEED_PLUGINS=skip need_plugins "$BUILD" "$EMU_SO" "$BE_SO"
teltool=$(command -v dpdk-telemetry.py || true)

# The last allowed CPU.
cpu=$(allowed_cpus | tail -n 1)
[ -n "$cpu" ] || cpu=0

prefix=emu-telemetry-$$
if [ "$(id -u)" = 0 ]; then
	rundir=/var/run/dpdk/$prefix
else
	rundir=${XDG_RUNTIME_DIR:-/tmp}/dpdk/$prefix
fi
passed=0
failed=0
# shellcheck disable=SC2317 # called by the trap
at_exit() { rm -rf "$rundir"; }
KEEP_ON_SKIP=0
work_init emu-telemetry
TP_WORK=$work
TP_LIBPATH=$plugins

# testpmd with two emu_iavf devices, a backend port on the first.
tp_start testpmd "$prefix" -d "$plugins/librte_emu_iavf.so" -d "$plugins/librte_net_iavfbe.so" \
	--no-huge -m 512 --no-pci --lcores "0@$cpu,1@$cpu" --log-level=lib.eal:notice \
	--vdev "emu_iavf0,sock=$work/a.sock" --vdev "emu_iavf1,sock=$work/b.sock" \
	--vdev net_iavfbe0,emu=emu_iavf0 -- --total-num-mbufs=8192 ||
	die "testpmd did not start"
[ -S "$rundir/dpdk_telemetry.v2" ] ||
	skip "no telemetry socket $rundir/dpdk_telemetry.v2 (telemetry disabled in this DPDK?)"

# The queries and the client, in Python: one line per check,
# "1<TAB>what" or "0<TAB>what", turned into PASS/FAIL lines below.
cat > "$work/tel.py" <<'EOF'
import json, os, socket, sys, time
sys.path.insert(0, os.path.join(os.getcwd(), "devtools", "hostile"))
import vfu

sock_path, a, b = sys.argv[1:4]
tel = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
tel.connect(sock_path)
hello = json.loads(tel.recv(16384).decode())
maxlen = hello.get("max_output_len", 16384)

def q(cmd):
    tel.send(cmd.encode())
    reply = json.loads(tel.recv(maxlen + 1024).decode())
    return reply.get(cmd.split(",", 1)[0])

def check(ok, what):
    print("%d\t%s" % (1 if ok else 0, what), flush=True)

def states(phase, want_a):
    for path, want in ((a, want_a), (b, False)):
        i = q("/vfio_user/info," + path)
        got = None if i is None else i.get("client_connected")
        check(got == int(want), "%s: /vfio_user/info,%s: client_connected %s (want %d)"
              % (phase, os.path.basename(path), got, want))
    for dev_id in ids:
        i = q("/emudev/info,%d" % dev_id)
        want = want_a and i is not None and i.get("name") == "emu_iavf0"
        got = None if i is None else i.get("client_connected")
        check(got == int(want), "%s: /emudev/info,%d (%s): client_connected %s (want %d)"
              % (phase, dev_id, None if i is None else i.get("name"), got, want))

lst = q("/vfio_user/list")
check(isinstance(lst, list) and sorted(lst) == sorted([a, b]),
      "/vfio_user/list: %s" % [os.path.basename(p) for p in (lst or [])])
ids = q("/emudev/list") or []
names = {}
for dev_id in ids:
    i = q("/emudev/info,%d" % dev_id) or {}
    names[dev_id] = i.get("name")
check(sorted(names.values(), key=str) == ["emu_iavf0", "emu_iavf1"],
      "/emudev/list: %s -> %s" % (ids, names))
i0 = q("/emudev/info,%d" % ids[0]) if ids else None
keys = ("driver", "type", "state", "ready", "max_queue_pairs", "mem_generation", "mem_nb_regions")
check(i0 is not None and all(k in i0 for k in keys) and i0.get("driver") == "emu_iavf"
      and len(i0.get("guest_tx_queues", {})) == i0.get("max_queue_pairs", -1) > 0,
      "/emudev/info,%s: %s, queues tx %s rx %s" % (
          ids[0] if ids else "?", {k: (i0 or {}).get(k) for k in keys},
          [qq.get("enabled") for qq in (i0 or {}).get("guest_tx_queues", {}).values()],
          [qq.get("enabled") for qq in (i0 or {}).get("guest_rx_queues", {}).values()]))
# net_iavfbe0's xstats through ethdev's telemetry: from the port's own view
# (rx_*: what the guest transmitted; tx_*: what it receives), DPDK's per-queue
# style, none named after the guest, every name once (a dict cannot show a
# name twice: rte_eth_xstats_get_names, through the count, tells).
ports = q("/ethdev/list") or []
xs, pname = None, None
for pid in ports:
    info = q("/ethdev/info,%d" % pid) or {}
    if info.get("name") == "net_iavfbe0":
        xs, pname = q("/ethdev/xstats,%d" % pid), pid
want = ("rx_good_packets", "rx_q0_packets", "rx_q0_bytes", "rx_q0_errors", "tx_q0_packets",
        "tx_q0_bytes", "tx_q0_errors", "rx_unicast_packets", "rx_dropped_bad_addr",
        "tx_dropped_filtered", "tx_ring_full", "tx_q0_dropped_filtered")
xs = xs if isinstance(xs, dict) else {}
wrong = sorted(k for k in xs if "guest" in k or not k.startswith(("rx_", "tx_")))
missing = [k for k in want if k not in xs]
check(len(xs) > len(want) and not wrong and not missing,
      "/ethdev/xstats,%s (net_iavfbe0): %d names, missing %s, from the wrong view or "
      "neither rx_ nor tx_ %s" % (pname, len(xs), missing, wrong[:5]))
ia = q("/vfio_user/info," + a)
check(ia is not None and ia.get("pci_id") == "8086:1889" and ia.get("nb_dma_maps") == 0
      and "bar0" in ia.get("regions", {}) and "msix" in ia.get("irqs", {}),
      "/vfio_user/info,a.sock: pci_id %s, max_dma_maps %s, nb_dma_maps %s, regions %s, irqs %s"
      % ((ia or {}).get("pci_id"), (ia or {}).get("max_dma_maps"), (ia or {}).get("nb_dma_maps"),
         sorted((ia or {}).get("regions", {})), (ia or {}).get("irqs")))
states("no client", False)

# A client on a.sock: VERSION, two sealed DMA mappings, an eventfd on MSI-X 0.
c = vfu.connect_ready(a)
m1, m2 = vfu.memfd(1 << 16), vfu.memfd(1 << 16)
c.dma_map(m1, 0x100000, 1 << 16)
c.dma_map(m2, 0x200000, 1 << 16)
efd = os.eventfd(0)
c.set_irqs(vfu.IRQ_MSIX, vfu.IRQ_DATA_EVENTFD | vfu.IRQ_ACTION_TRIGGER, 0, 1, fds=(efd,))
ia = q("/vfio_user/info," + a) or {}
maps = sorted((m.get("iova"), m.get("size")) for m in ia.get("dma_maps", {}).values())
check(ia.get("nb_dma_maps") == 2 and maps == [(0x100000, 0x10000), (0x200000, 0x10000)],
      "client: /vfio_user/info,a.sock: nb_dma_maps %s, maps %s" % (
          ia.get("nb_dma_maps"), [(hex(x), hex(y)) for x, y in maps]))
msix = ia.get("irqs", {}).get("msix", {})
check(msix.get("enabled") == 1, "client: /vfio_user/info,a.sock: msix %s" % msix)
check(ia.get("listening") == 1 and ia.get("client_socket_open") == 1
      and str(ia.get("protocol_version")).startswith("0.") and ia.get("client_pid") == os.getpid()
      and ia.get("client_uid") == os.getuid() and ia.get("clients_accepted") == 1
      and abs(ia.get("client_connected_at", 0) - time.time()) < 120,
      "client: /vfio_user/info,a.sock: listening %s, socket open %s, protocol %s, pid %s (want %d), "
      "uid %s, connected at %s, accepted %s" % (
          ia.get("listening"), ia.get("client_socket_open"), ia.get("protocol_version"),
          ia.get("client_pid"), os.getpid(), ia.get("client_uid"), ia.get("client_connected_at"),
          ia.get("clients_accepted")))
# A second client is refused, and counted.
c2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c2.connect(a)
for _ in range(50):
    if (q("/vfio_user/info," + a) or {}).get("clients_refused") == 1:
        break
    time.sleep(0.1)
c2.close()
ia = q("/vfio_user/info," + a) or {}
check(ia.get("clients_refused") == 1 and ia.get("client_pid") == os.getpid(),
      "second client refused: clients_refused %s, the first still shown (pid %s)" % (
          ia.get("clients_refused"), ia.get("client_pid")))
states("client", True)
c.close()
for _ in range(50):
    if (q("/vfio_user/info," + a) or {}).get("client_connected") == 0:
        break
    time.sleep(0.1)
states("client gone", False)
ia = q("/vfio_user/info," + a) or {}
check(ia.get("nb_dma_maps") == 0 and ia.get("client_pid") == -1 and ia.get("protocol_version") == ""
      and ia.get("client_socket_open") == 0 and ia.get("listening") == 1,
      "client gone: nb_dma_maps %s, pid %s, protocol %r, socket open %s, listening %s" % (
          ia.get("nb_dma_maps"), ia.get("client_pid"), ia.get("protocol_version"),
          ia.get("client_socket_open"), ia.get("listening")))

# Bad parameters: an error (null), never a crash.
bad = {
    "/emudev/info": ["", "x", "-1", "1x", " 0", "0x1", "32", "65536", "4294967296",
                     "99999999999999999999", "9" * 900, "a" * 900, "%s", "emu_iavf0"],
    "/vfio_user/info": ["", "x", "-1", "0", "/nonexistent.sock", a + "x", a[:-1],
                        "/" * 900, "%s%n"],
    "/emudev/list": ["x", "0"],
    "/vfio_user/list": ["x", "-1"],
}
for cmd, params in bad.items():
    for p in params:
        full = cmd + ("," + p if p != "" else ",")
        r = q(full)
        shown = p if len(p) <= 24 else "%s... (%d chars)" % (p[:8], len(p))
        check(r is None, "%s,%s: error (%s)" % (cmd, shown, "null" if r is None else r))
check(q("/emudev/info") is None, "/emudev/info without parameter: error")
check(q("/vfio_user/info") is None, "/vfio_user/info without parameter: error")
check(sorted(q("/vfio_user/list") or []) == sorted([a, b]),
      "after the bad parameters: /vfio_user/list still answers")
EOF

out=$(cd "$PWD" && "$PYTHON" "$work/tel.py" "$rundir/dpdk_telemetry.v2" "$work/a.sock" "$work/b.sock" 2> "$work/tel.err") ||
	log "the query script failed: $(tail -3 "$work/tel.err")"
while IFS=$'\t' read -r ok what; do
	[ -n "$what" ] && check "$what" "$ok"
done <<< "$out"
[ -n "$out" ] || check "telemetry queries (see $work/tel.err)" 0

if [ -n "$teltool" ]; then
	got=$(printf '/emudev/list\n' | "$teltool" -f "$prefix" 2>&1 | tr -d ' \n' || true)
	check "dpdk-telemetry.py -f $prefix: /emudev/list -> $(grep -o '"/emudev/list":\[[0-9,]*\]' <<< "$got" || echo "$got")" \
		"$(is grep -q '"/emudev/list":\[0,1\]' <<< "$got")"
else
	log "dpdk-telemetry.py not found (package dpdk): its check is left out"
fi

check "testpmd still running" "$(is tp_alive testpmd)"
tp_quit testpmd 10
check "testpmd quit with status $TP_QUIT_RC" "$(is [ "$TP_QUIT_RC" = 0 ])"
if grep -qiE 'segmentation|assert|panic' "$work/testpmd.log"; then
	check "no crash in testpmd's log" 0
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
