#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
"""Hostile vfio-user clients (and a hostile server) against the project's servers.

Started by devtools/test-hostile.sh (cases) and devtools/flood-latency.sh
(--latency: figures only). It starts and restarts the servers itself:
 - "pmd": one dpdk-testpmd with two emu_iavf devices (emu_iavf0 on a.sock,
   attacked; emu_iavf1 on b.sock, the "other" device whose well-behaved
   client must keep being served) and net_iavfbe0/1 on them;
 - "sample": examples/vfio_user_sample (classes 2 and 9);
 - "trust": a testpmd with one emu_iavf with trust_client_memory=1 (class 3).
A server found dead is reported (and restarted for the next case).

Every case checks, after its own assertions: (a) the attacked server is
still running (not dead of SIGPIPE 141 or SIGBUS 135, nor anything else),
(b) it still serves a well-behaved client of another device (VERSION,
DEVICE_GET_INFO, REGION_READ of config space, DMA_MAP of a sealed memfd),
and the attacked device serves a new client, (c) where the server refuses
something, its log gained a line naming the socket (or device) and matching
the case's pattern in LOG_PATTERNS below.
"""

import argparse
import errno
import fcntl
import os
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vfu  # noqa: E402
from vfu import Client, Closed, VfuError, connect_ready, memfd  # noqa: E402

# --------------------------------------------------------------------------
# Log lines expected when the server refuses a client's action: a line of
# the server's log (written during the case) that names the attacked socket
# path (or device name) and matches the pattern (Python re, case-insensitive).
# Loose on purpose: the wording is the server's business.
LOG_PATTERNS = {
    # SET_IRQS with a pipe, FIFO, file, socket, /dev/null as eventfd
    "irq_fd": r"(SET_IRQS|IRQ|interrupt).*(refus|reject|not an? eventfd|invalid)|"
              r"(refus|reject).*(eventfd|SET_IRQS)",
    # DMA_MAP with memory that is not sealed against shrinking
    "dma_seal": r"DMA.*(refus|reject).*(seal|shrink|memfd)|(seal|shrink).*(refus|reject)",
    # DMA_MAP with an fd that is not memory at all (socket, pipe)
    "dma_fd": r"DMA.*(refus|reject).*(not a regular|socket|pipe|fifo|type|seal)",
    # DMA_MAP beyond the per-client limit
    "dma_limit": r"DMA.*(refus|reject|limit).*(limit|max_dma_maps|mappings)|max_dma_maps",
    # a client that does not read its replies
    "slow_reader": r"(drop|disconnect|clos).*(not read|slow|reply|repl|output|timeout|timed out)",
    # a client that never negotiates
    "no_version": r"(no VERSION|negotiat|VERSION.*(timeout|time out|ms))",
    # a header with a bad size
    "bad_header": r"(bad|invalid|malformed).*(header|size|message)|header.*(bad|invalid|size)",
    # a message cut short by the client closing
    "truncated": r"(inside a message|truncat|short|incomplete|lost)",
    # more descriptors than max_msg_fds
    "too_many_fds": r"(too many|descriptors|fds).*(refus|reject|max_msg_fds|limit)|max_msg_fds",
}
# --------------------------------------------------------------------------

KiB = 1024
MiB = 1024 * KiB

# emu_iavf BAR0 registers (drivers/emu/iavf/emu_iavf_regs.h)
QTX_TAIL0 = 0x0000
QRX_TAIL0 = 0x2000
VFINT_ITR01_0 = 0x4C00
VFINT_ICR0_ENA1 = 0x5000
VF_ATQH1 = 0x6400
VF_ATQLEN1 = 0x6800
VF_ATQBAH1 = 0x7800
VF_ATQBAL1 = 0x7C00
VF_ATQT1 = 0x8400
VFQF_HLUT0 = 0xD000
AQLEN_ENABLE = 1 << 31
# sample BAR0 (examples/vfio_user_sample/main.c)
SAMPLE_SCRATCH = 0x08
SAMPLE_DMA_SRC = 0x10
SAMPLE_BAR2_SPARSE = 0x1000

PCI_COMMAND = 0x04
PCI_CAP_PTR = 0x34
PCI_CAP_ID_MSIX = 0x11


def log(msg):
    print("hostile: %s" % msg, flush=True)


def signame(rc):
    if rc is None:
        return "running"
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = "?"
        return "killed by signal %d (%s; shell status %d)" % (-rc, name, 128 - rc)
    return "exited with status %d" % rc


# ------------------------------------------------------------------ servers
class Server:
    """A server process: its argv, log, sockets; (re)started on demand."""

    def __init__(self, name, argv, env, socks, logdir, prompt=None):
        self.name = name
        self.argv = argv
        self.env = env
        self.socks = socks
        self.logdir = logdir
        self.prompt = prompt
        self.proc = None
        self.gen = 0
        self.logpath = None
        self.deaths = []

    def start(self, timeout=60):
        self.gen += 1
        self.logpath = os.path.join(self.logdir, "%s.%d.log" % (self.name, self.gen))
        for s in self.socks:
            try:
                os.unlink(s)
            except FileNotFoundError:
                pass
        with open(self.logpath + ".cmd", "w") as f:
            f.write(" ".join(self.argv) + "\n")
        logf = open(self.logpath, "wb")
        self.proc = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.PIPE,
                                     stdout=logf, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        logf.close()
        end = time.monotonic() + timeout
        prompt_seen = None
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return "%s %s during start-up; its log: %s" % (
                    self.name, signame(self.proc.returncode), self.tail(20))
            ok = all(os.path.exists(s) for s in self.socks)
            if self.prompt is not None and self.prompt in self.log_text():
                if ok:
                    return None
                # testpmd is up but a device was not created: say why.
                if prompt_seen is None:
                    prompt_seen = time.monotonic()
                elif time.monotonic() - prompt_seen > 2:
                    return "%s: up, but without its socket(s); its log: %s" % (
                        self.name, self.tail(20))
            elif ok and self.prompt is None:
                return None
            time.sleep(0.1)
        return "%s: not ready after %d s; its log: %s" % (self.name, timeout, self.tail(20))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def status(self):
        return signame(self.proc.poll() if self.proc else None)

    def log_text(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def log_size(self):
        try:
            return os.path.getsize(self.logpath)
        except OSError:
            return 0

    def log_since(self, off):
        try:
            with open(self.logpath, "rb") as f:
                f.seek(off)
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def tail(self, n):
        return "\n    " + "\n    ".join(self.log_text().splitlines()[-n:])

    def ensure(self):
        """Running (restarted if it died): None, or why it cannot be."""
        if self.alive():
            if all(os.path.exists(s) for s in self.socks):
                return None
            return "%s is running without its socket(s) (start-up failed; log %s)" % (
                self.name, self.logpath)
        if self.proc is not None:
            self.deaths.append(self.proc.returncode)
            self.proc = None
        return self.start()

    def stop(self):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                if self.prompt is not None:
                    self.proc.stdin.write(b"quit\n")
                    self.proc.stdin.flush()
                else:
                    self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(20)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def fd_count(self):
        try:
            return len(os.listdir("/proc/%d/fd" % self.proc.pid))
        except OSError:
            return -1

    def map_count(self):
        try:
            with open("/proc/%d/maps" % self.proc.pid) as f:
                return sum(1 for _ in f)
        except OSError:
            return -1


class Env:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.a = os.path.join(self.work, "a.sock")
        self.b = os.path.join(self.work, "b.sock")
        self.s = os.path.join(self.work, "sample.sock")
        self.t = os.path.join(self.work, "trust.sock")
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = args.plugins + (":" + env["LD_LIBRARY_PATH"]
                                                 if env.get("LD_LIBRARY_PATH") else "")
        cpu = args.cpu
        pfx = "hostile-%d" % os.getpid()
        loglv = ["--log-level=lib.eal:notice", "--log-level=*vfio_user*:info",
                 "--log-level=*emu*:info", "--log-level=*iavf*:info"]
        eal = ["--no-huge", "-m", "512", "--no-pci", "--no-shconf",
               "--lcores", "0@%s,1@%s" % (cpu, cpu)] + loglv
        plug = ["-d", os.path.join(args.plugins, "librte_emu_iavf.so"),
                "-d", os.path.join(args.plugins, "librte_net_iavfbe.so")]
        tpmd = ["--", "-i", "--total-num-mbufs=8192"]
        self.pmd = Server("pmd", [args.testpmd] + plug + eal + [
            "--file-prefix=%s-pmd" % pfx,
            "--vdev", "emu_iavf0,sock=%s" % self.a, "--vdev", "emu_iavf1,sock=%s" % self.b,
            "--vdev", "net_iavfbe0,emu=emu_iavf0", "--vdev", "net_iavfbe1,emu=emu_iavf1"] + tpmd,
            env, [self.a, self.b], self.work, prompt="testpmd> ")
        self.trust = Server("trust", [args.testpmd] + plug + eal + [
            "--file-prefix=%s-trust" % pfx,
            "--vdev", "emu_iavf0,sock=%s,trust_client_memory=1" % self.t,
            "--vdev", "net_iavfbe0,emu=emu_iavf0"] + tpmd,
            env, [self.t], self.work, prompt="testpmd> ")
        self.sample = Server("sample", [args.sample, "--no-huge", "-m", "128", "--no-pci",
                                        "--no-shconf", "-l", str(cpu),
                                        "--file-prefix=%s-sample" % pfx] + loglv +
                             ["--", "--socket", self.s],
                             env, [self.s], self.work)
        self.servers = [self.pmd, self.sample, self.trust]

    def stop_all(self):
        for s in self.servers:
            s.stop()
        # EAL makes its runtime directory even with --no-shconf.
        pfx = "hostile-%d-" % os.getpid()
        for base in ("/var/run/dpdk", os.path.join(os.environ.get("XDG_RUNTIME_DIR", "/tmp"),
                                                   "dpdk")):
            try:
                names = os.listdir(base)
            except OSError:
                continue
            for n in names:
                if n.startswith(pfx):
                    shutil.rmtree(os.path.join(base, n), ignore_errors=True)


# ------------------------------------------------------------------ helpers
class Case:
    """What one case found: ok/bad steps; print() gives PASS or FAIL."""

    def __init__(self, name):
        self.name = name
        self.steps = []
        self.failed = False

    def ok(self, cond, what):
        self.steps.append(("ok" if cond else "BAD", what))
        if not cond:
            self.failed = True
        return cond

    def note(self, what):
        self.steps.append(("..", what))


def expect_refused(c, what, fn, errs=None):
    """fn() must fail with an error reply (errno in errs if given)."""
    try:
        fn()
    except VfuError as e:
        good = errs is None or e.err in errs
        c.ok(good, "%s: refused with %s" % (what, vfu.errname(e.err)))
        return True
    except Closed as e:
        c.ok(False, "%s: no error reply, the connection was closed (%s)" % (what, e))
        return False
    except OSError as e:
        c.ok(False, "%s: no reply (%s)" % (what, e))
        return False
    c.ok(False, "%s: ACCEPTED" % what)
    return False


def expect_accepted(c, what, fn):
    try:
        r = fn()
    except VfuError as e:
        c.ok(False, "%s: refused with %s" % (what, vfu.errname(e.err)))
        return None
    except (Closed, OSError) as e:
        c.ok(False, "%s: no reply (%s)" % (what, e))
        return None
    c.ok(True, "%s: accepted" % what)
    return r if r is not None else True


def good_client(path, vendor, dma=True):
    """A well-behaved client's session; None if all went well, else why not."""
    try:
        with connect_ready(path, timeout=2.0, tries_for=8.0) as g:
            info = g.device_info()
            if info["num_regions"] < 8:
                return "DEVICE_GET_INFO: %d regions" % info["num_regions"]
            vid = g.read32(vfu.REGION_CONFIG, 0) & 0xFFFF
            if vid != vendor:
                return "config vendor id 0x%04x, not 0x%04x" % (vid, vendor)
            if dma:
                fd = memfd(2 * MiB)
                try:
                    g.dma_map(fd, 0x40000000, 2 * MiB)
                    g.dma_unmap(0x40000000, 2 * MiB)
                finally:
                    os.close(fd)
    except VfuError as e:
        return "error reply %s" % vfu.errname(e.err)
    except (Closed, OSError) as e:
        return str(e)
    return None


def wait_closed(cl, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cl.peer_closed(0.1):
            return True
    return False


# ------------------------------------------------------------------ cases
# Each case: fn(env, case) -> None; registered with its target server and
# the LOG_PATTERNS key of the line it expects (or None).
CASES = []


def case(name, target="pmd", logkey=None, other=True):
    def reg(fn):
        CASES.append((name, target, logkey, other, fn))
        return fn
    return reg


def set_irq_fd(c, cl, what, fd):
    """SET_IRQS MSI-X vector 0 EVENTFD|TRIGGER with fd, then fire it."""
    n = cl.irq_info(vfu.IRQ_MSIX)["count"]
    c.note("MSI-X has %d vectors" % n)
    expect_refused(c, "SET_IRQS MSI-X 0 with %s as eventfd" % what,
                   lambda: cl.set_irqs(vfu.IRQ_MSIX, vfu.IRQ_DATA_EVENTFD | vfu.IRQ_ACTION_TRIGGER,
                                       0, 1, fds=[fd]), (errno.EINVAL, errno.EPERM, errno.EBADF))
    # Make the server fire the vector (it writes to whatever fd it kept).
    try:
        for _ in range(3):
            cl.set_irqs(vfu.IRQ_MSIX, vfu.IRQ_DATA_NONE | vfu.IRQ_ACTION_TRIGGER, 0, 1)
        c.note("SET_IRQS MSI-X 0 TRIGGER (DATA_NONE) x3 answered")
    except VfuError as e:
        c.note("SET_IRQS TRIGGER: error %s" % vfu.errname(e.err))
    except (Closed, OSError) as e:
        c.ok(False, "SET_IRQS TRIGGER: no reply (%s)" % e)
    time.sleep(0.2)


@case("1 SIGPIPE: SET_IRQS with a pipe whose reader is gone, then TRIGGER", logkey="irq_fd")
def c1_pipe(env, c):
    with connect_ready(env.a) as cl:
        r, w = os.pipe()
        os.close(r)
        set_irq_fd(c, cl, "a pipe (read end closed)", w)
        os.close(w)


@case("1b SET_IRQS with a socket whose peer is gone, then TRIGGER", logkey="irq_fd")
def c1_socket(env, c):
    with connect_ready(env.a) as cl:
        s1, s2 = socket.socketpair()
        s2.close()
        set_irq_fd(c, cl, "a socket (peer closed)", s1.fileno())
        s1.close()


@case("1c SET_IRQS with a FIFO as eventfd, then TRIGGER", logkey="irq_fd")
def c1_fifo(env, c):
    p = os.path.join(env.work, "irq.fifo")
    if not os.path.exists(p):
        os.mkfifo(p, 0o600)
    fd = os.open(p, os.O_RDWR)
    with connect_ready(env.a) as cl:
        set_irq_fd(c, cl, "a FIFO", fd)
    os.close(fd)


@case("1d SET_IRQS with a regular file as eventfd, then TRIGGER", logkey="irq_fd")
def c1_file(env, c):
    fd, p = tempfile.mkstemp(dir=env.work)
    with connect_ready(env.a) as cl:
        set_irq_fd(c, cl, "a regular file", fd)
    c.ok(os.path.getsize(p) == 0, "the file was not written (%d bytes)" % os.path.getsize(p))
    os.close(fd)
    os.unlink(p)


@case("1e SET_IRQS with /dev/null as eventfd, then TRIGGER", logkey="irq_fd")
def c1_devnull(env, c):
    fd = os.open("/dev/null", os.O_WRONLY)
    with connect_ready(env.a) as cl:
        set_irq_fd(c, cl, "/dev/null", fd)
    os.close(fd)


@case("1f SET_IRQS with a real eventfd is accepted and TRIGGER signals it (control)")
def c1_eventfd(env, c):
    efd = os.eventfd(0, os.EFD_NONBLOCK)
    with connect_ready(env.a) as cl:
        ok = expect_accepted(c, "SET_IRQS MSI-X 0 with an eventfd",
                             lambda: cl.set_irqs(vfu.IRQ_MSIX,
                                                 vfu.IRQ_DATA_EVENTFD | vfu.IRQ_ACTION_TRIGGER,
                                                 0, 1, fds=[efd]))
        if ok:
            cl.set_irqs(vfu.IRQ_MSIX, vfu.IRQ_DATA_NONE | vfu.IRQ_ACTION_TRIGGER, 0, 1)
            time.sleep(0.1)
            try:
                v = os.eventfd_read(efd)
            except BlockingIOError:
                v = 0
            c.ok(v >= 1, "TRIGGER signalled the eventfd (counter %d)" % v)
    os.close(efd)


def region_seal(c, cl, index, read_off):
    ri = cl.region_info(index)
    fd = ri["fd"]
    if not c.ok(fd >= 0, "REGION_INFO %d: an fd (flags 0x%x, areas %s)" % (index, ri["flags"],
                                                                         ri["areas"])):
        return
    try:
        seals = fcntl.fcntl(fd, vfu.F_GET_SEALS)
    except OSError as e:
        seals = -e.errno
    c.note("the region fd's seals: %s" % (hex(seals) if seals >= 0 else "none (%s)" %
                                           vfu.errname(-seals)))
    size = os.fstat(fd).st_size
    try:
        os.ftruncate(fd, size + 64 * KiB)
        c.ok(False, "ftruncate(region fd, grow) SUCCEEDED")
        os.ftruncate(fd, size)
    except OSError as e:
        c.ok(e.errno == errno.EPERM, "ftruncate(region fd, grow) refused: %s" %
             vfu.errname(e.errno))
    # Last: shrunk, the server's next access to its own page would raise SIGBUS.
    try:
        os.ftruncate(fd, 0)
        c.ok(False, "ftruncate(region fd, 0) SUCCEEDED (the file was %d bytes)" % size)
    except OSError as e:
        c.ok(e.errno == errno.EPERM, "ftruncate(region fd, 0) refused: %s" % vfu.errname(e.errno))
    os.close(fd)
    try:
        cl.region_read(index, read_off, 4, timeout=3)
        c.ok(True, "REGION_READ %d at 0x%x afterwards answered" % (index, read_off))
    except VfuError as e:
        c.ok(False, "REGION_READ %d at 0x%x afterwards: %s" % (index, read_off,
                                                            vfu.errname(e.err)))
    except (Closed, OSError) as e:
        c.ok(False, "REGION_READ %d at 0x%x afterwards: no answer (%s)" % (index, read_off, e))


@case("2 SIGBUS: emu_iavf's BAR0 memfd cannot be shrunk; REGION_READ of BAR0 after")
def c2_iavf(env, c):
    with connect_ready(env.a) as cl:
        region_seal(c, cl, vfu.REGION_BAR0, QTX_TAIL0)
        try:
            cl.region_read(vfu.REGION_BAR0, QRX_TAIL0, 4, timeout=3)
        except (VfuError, Closed, OSError):
            pass


@case("2b SIGBUS: the sample's BAR2 memfd cannot be shrunk; REGION_READ of BAR2 after",
      target="sample")
def c2_sample(env, c):
    with connect_ready(env.s) as cl:
        region_seal(c, cl, vfu.REGION_BAR2, SAMPLE_BAR2_SPARSE)


def touch_admin_queue(cl, iova):
    """Point emu_iavf's ATQ at iova and ring it: the device reads a descriptor there."""
    cl.write32(vfu.REGION_BAR0, VF_ATQLEN1, 0)
    cl.write32(vfu.REGION_BAR0, VF_ATQBAL1, iova & 0xFFFFFFFF)
    cl.write32(vfu.REGION_BAR0, VF_ATQBAH1, iova >> 32)
    cl.write32(vfu.REGION_BAR0, VF_ATQH1, 0)
    cl.write32(vfu.REGION_BAR0, VF_ATQLEN1, 32 | AQLEN_ENABLE)
    cl.write32(vfu.REGION_BAR0, VF_ATQT1, 1)
    return cl.read32(vfu.REGION_BAR0, VF_ATQLEN1)


@case("3 SIGBUS: DMA_MAP of an unsealed memfd is refused", logkey="dma_seal")
def c3_unsealed(env, c):
    iova = 0x10000000
    with connect_ready(env.a) as cl:
        fd = memfd(2 * MiB, sealed=False)
        refused = expect_refused(c, "DMA_MAP of an unsealed memfd",
                                 lambda: cl.dma_map(fd, iova, 2 * MiB), (errno.EPERM, errno.EINVAL))
        if not refused:
            # What an attacker does next: shrink it, make the device touch it.
            os.ftruncate(fd, 0)
            c.note("shrank the mapped memfd to 0 and pointed the admin queue at it")
            try:
                touch_admin_queue(cl, iova)
            except (VfuError, Closed, OSError) as e:
                c.note("admin queue: %s" % e)
            time.sleep(0.3)
        os.close(fd)


@case("3b DMA_MAP of a sealed memfd is accepted; it cannot shrink; the device uses it")
def c3_sealed(env, c):
    iova = 0x10000000
    with connect_ready(env.a) as cl:
        fd = memfd(2 * MiB)
        if expect_accepted(c, "DMA_MAP of a memfd sealed F_SEAL_SHRINK|F_SEAL_GROW",
                           lambda: cl.dma_map(fd, iova, 2 * MiB)):
            try:
                os.ftruncate(fd, 0)
                c.ok(False, "ftruncate of the sealed memfd SUCCEEDED")
            except OSError as e:
                c.ok(e.errno == errno.EPERM, "ftruncate(sealed memfd, 0): %s" %
                     vfu.errname(e.errno))
            try:
                v = touch_admin_queue(cl, iova)
                c.ok(True, "the admin queue ran on that memory (ATQLEN1 0x%08x)" % v)
            except (VfuError, Closed, OSError) as e:
                c.ok(False, "admin queue on that memory: %s" % e)
            expect_accepted(c, "DMA_UNMAP", lambda: cl.dma_unmap(iova, 2 * MiB))
        os.close(fd)


@case("3c DMA_MAP of a memfd sealed against growing only is refused", logkey="dma_seal")
def c3_grow_only(env, c):
    with connect_ready(env.a) as cl:
        fd = memfd(2 * MiB, seals=vfu.F_SEAL_GROW)
        expect_refused(c, "DMA_MAP of a memfd sealed F_SEAL_GROW only",
                       lambda: cl.dma_map(fd, 0x10000000, 2 * MiB), (errno.EPERM, errno.EINVAL))
        os.close(fd)


@case("3d DMA_MAP of an unsealed regular file is refused", logkey="dma_seal")
def c3_file(env, c):
    fd, p = tempfile.mkstemp(dir=env.work)
    os.ftruncate(fd, 2 * MiB)
    with connect_ready(env.a) as cl:
        expect_refused(c, "DMA_MAP of a regular file",
                       lambda: cl.dma_map(fd, 0x10000000, 2 * MiB), (errno.EPERM, errno.EINVAL))
    os.close(fd)
    os.unlink(p)


@case("3e DMA_MAP of a socket is refused", logkey="dma_fd")
def c3_socket(env, c):
    s1, s2 = socket.socketpair()
    with connect_ready(env.a) as cl:
        expect_refused(c, "DMA_MAP of a socket",
                       lambda: cl.dma_map(s1.fileno(), 0x10000000, 2 * MiB))
    s1.close()
    s2.close()


@case("3f DMA_MAP of a pipe is refused", logkey="dma_fd")
def c3_pipe(env, c):
    r, w = os.pipe()
    with connect_ready(env.a) as cl:
        expect_refused(c, "DMA_MAP of a pipe", lambda: cl.dma_map(r, 0x10000000, 2 * MiB))
    os.close(r)
    os.close(w)


@case("3g DMA_MAP of a write-sealed memfd (mmap fails) is refused cleanly")
def c3_write_sealed(env, c):
    with connect_ready(env.a) as cl:
        fd = memfd(2 * MiB, seals=vfu.F_SEAL_SHRINK | vfu.F_SEAL_GROW | vfu.F_SEAL_WRITE)
        expect_refused(c, "DMA_MAP read-write of a memfd sealed F_SEAL_WRITE",
                       lambda: cl.dma_map(fd, 0x10000000, 2 * MiB))
        os.close(fd)
        cl.read32(vfu.REGION_CONFIG, 0)
        c.ok(True, "the connection still answers")


@case("3h trust_client_memory=1: DMA_MAP of an unsealed memfd is accepted", target="trust")
def c3_trust(env, c):
    with connect_ready(env.t) as cl:
        fd = memfd(2 * MiB, sealed=False)
        expect_accepted(c, "DMA_MAP of an unsealed memfd (trusted client)",
                        lambda: cl.dma_map(fd, 0x10000000, 2 * MiB))
        os.close(fd)


def cross_client(c, env, path, index, area_no, reg_off, poke):
    """A keeps its mmap of a BAR area after leaving; B must not see A's writes."""
    a = connect_ready(path)
    ri = a.region_info(index)
    if not c.ok(ri["fd"] >= 0 and len(ri["areas"]) > area_no,
                "A: REGION_INFO %d gives an fd and sparse areas %s" % (index, ri["areas"])):
        a.close()
        return
    aoff, asize = ri["areas"][area_no]
    import mmap
    ma = mmap.mmap(ri["fd"], asize, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE,
                   offset=ri["offset"] + aoff)
    ino_a = os.fstat(ri["fd"]).st_ino
    os.close(ri["fd"])
    a.close()
    c.note("A mapped area %d (0x%x+0x%x) of region %d, memfd inode %d, and left" %
           (area_no, aoff, asize, index, ino_a))
    time.sleep(0.3)
    b = connect_ready(path, tries_for=8.0)
    try:
        rb = b.region_info(index)
        ino_b = os.fstat(rb["fd"]).st_ino if rb["fd"] >= 0 else -1
        c.ok(ino_b != ino_a, "B's region fd is another memory object (inode %d vs A's %d)" %
             (ino_b, ino_a))
        rel = reg_off - aoff
        struct.pack_into("=I", ma, rel, poke)
        c.note("A wrote 0x%x at BAR offset 0x%x through its old mapping" % (poke, reg_off))
        v = b.read32(index, reg_off)
        c.ok(v == 0, "B reads 0x%x at 0x%x with REGION_READ (must be 0)" % (v, reg_off))
        if rb["fd"] >= 0:
            mb = mmap.mmap(rb["fd"], asize, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE,
                           offset=rb["offset"] + aoff)
            v2 = struct.unpack_from("=I", mb, rel)[0]
            c.ok(v2 == 0, "B reads 0x%x through its own fresh mapping (must be 0)" % v2)
            # and the other way round: B's doorbell does not reach A's page
            struct.pack_into("=I", mb, rel + 4, 0x5A5)
            v3 = struct.unpack_from("=I", ma, rel + 4)[0]
            c.ok(v3 != 0x5A5, "B's write through its mapping is not seen in A's old one "
                 "(A reads 0x%x)" % v3)
            mb.close()
            os.close(rb["fd"])
    finally:
        b.close()
        ma.close()


@case("4 cross-client doorbells: a departed client's tail-page mapping cannot reach the next")
def c4_doorbells(env, c):
    cross_client(c, env, env.a, vfu.REGION_BAR0, 0, QTX_TAIL0, 0x7FF)


@case("4b cross-client: the sample's BAR2 shared area is a fresh object per client",
      target="sample")
def c4_sample(env, c):
    cross_client(c, env, env.s, vfu.REGION_BAR2, 0, SAMPLE_BAR2_SPARSE, 0x7FF)


def flood_child(path, n, count, stop_at, wfd):
    """Send n REGION_READs of count bytes, never read, reconnect when dropped."""
    drops = sent = 0
    while time.monotonic() < stop_at:
        try:
            cl = connect_ready(path, timeout=2.0, tries_for=2.0)
        except Closed:
            time.sleep(0.05)
            continue
        cnt = min(count, cl.max_xfer)
        cl.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        cl.sock.settimeout(0.5)
        try:
            for _ in range(n):
                cl.send(vfu.REGION_READ, struct.pack("=QII", 0, vfu.REGION_BAR0, cnt))
                sent += 1
        except OSError:
            pass
        # Never read; wait to be dropped.
        while time.monotonic() < stop_at:
            if cl.peer_closed(0.2):
                drops += 1
                break
        cl.close()
    os.write(wfd, ("%d %d\n" % (drops, sent)).encode())
    os._exit(0)


def read_loop(path, seconds, bound=2.0):
    """4-byte REGION_READs of config space for seconds: (latencies, errors)."""
    lat = []
    errs = []
    end = time.monotonic() + seconds
    try:
        g = connect_ready(path, timeout=bound, tries_for=5.0)
    except Closed as e:
        return lat, [str(e)]
    with g:
        while time.monotonic() < end:
            t0 = time.monotonic()
            try:
                g.region_read(vfu.REGION_CONFIG, 0, 4, timeout=bound)
            except (VfuError, Closed, OSError) as e:
                errs.append("%s after %.0f ms" % (e, (time.monotonic() - t0) * 1000))
                break
            lat.append(time.monotonic() - t0)
    return lat, errs


def flood(env, seconds, loop_secs=None):
    r, w = os.pipe()
    stop_at = time.monotonic() + seconds
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            flood_child(env.a, 16, 65536, stop_at, w)
        finally:
            os._exit(1)
    os.close(w)
    time.sleep(0.3)
    lat, errs = read_loop(env.b, loop_secs if loop_secs else seconds - 0.5)
    _, st = os.waitpid(pid, 0)
    out = os.read(r, 100).decode().split()
    os.close(r)
    drops, sent = (int(out[0]), int(out[1])) if len(out) == 2 else (-1, -1)
    return lat, errs, drops, sent


def pct(lat, p):
    s = sorted(lat)
    return s[min(len(s) - 1, int(len(s) * p / 100.0))] * 1000 if s else float("nan")


@case("5 freeze: a client that never reads 16 x 64 KiB replies does not hold up another device",
      logkey="slow_reader")
def c5_freeze(env, c):
    lat, errs, drops, sent = flood(env, 8.0)
    c.note("good client of emu_iavf1: %d answers in the flood window, p50 %.2f ms, p99 %.2f ms,"
           " max %.2f ms" % (len(lat), pct(lat, 50), pct(lat, 99), pct(lat, 100)))
    c.ok(not errs, "every REGION_READ answered within 2 s%s" % (": " + errs[0] if errs else ""))
    c.ok(len(lat) >= 500, "at least 500 answers during the flood (%d)" % len(lat))
    c.ok(drops >= 1, "the flooding client was dropped (%d times; %d requests sent)" %
         (drops, sent))


@case("6 map flood: DMA_MAP of 10000 pages stops at the per-client limit with ENOSPC",
      logkey="dma_limit")
def c6_map_flood(env, c):
    n = 10000
    page = 4096
    fd = memfd(n * page)
    maps0 = env.pmd.map_count()
    t0 = time.monotonic()
    ok = 0
    errs = {}
    cl = connect_ready(env.a, timeout=30.0)
    try:
        window = 32
        pending = []
        i = 0
        while i < n or pending:
            while i < n and len(pending) < window:
                pending.append(cl.send(vfu.DMA_MAP, cl.dma_map_msg(0x100000000 + i * page, page,
                                                                  i * page), [fd]))
                i += 1
            mid = pending.pop(0)
            try:
                cl.reply(mid, timeout=60)
                ok += 1
            except VfuError as e:
                errs[e.err] = errs.get(e.err, 0) + 1
        dt = time.monotonic() - t0
        maps1 = env.pmd.map_count()
        c.note("%d accepted, refused: %s, in %.2f s (%.0f us a map); process mappings %d -> %d"
               % (ok, {vfu.errname(k): v for k, v in errs.items()}, dt, dt * 1e6 / n,
                  maps0, maps1))
        c.ok(ok <= 4096, "accepted at most the limit (%d accepted; default 2048)" % ok)
        c.ok(errs.get(errno.ENOSPC, 0) >= n - 4096 and set(errs) <= {errno.ENOSPC},
             "the rest refused with ENOSPC")
        c.ok(maps1 - maps0 <= 4200, "the process's mappings stay bounded (+%d)" % (maps1 - maps0))
        if good_client(env.b, 0x8086) is None:
            c.ok(True, "while those maps are held, a client of emu_iavf1 can DMA_MAP")
        else:
            c.ok(False, "while those maps are held, a client of emu_iavf1: %s" %
                 good_client(env.b, 0x8086))
        t1 = time.monotonic()
        cl.dma_unmap_all()
        c.note("DMA_UNMAP all: %.2f s" % (time.monotonic() - t1))
    finally:
        cl.close()
        os.close(fd)


FAKE_SERVER = r"""
import select, socket, struct, sys, time
path, mode = sys.argv[1], sys.argv[2]
HDR = struct.Struct("=HHIII")
ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ls.bind(path)
ls.listen(1)
ls.settimeout(60)
s, _ = ls.accept()
s.settimeout(60)
def rd(n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b
# Replies with an id the client never uses (0xBEEF) and unsolicited
# commands (DMA_READ), back to back, for as long as the client listens.
junk = b""
for i in range(512):
    if i % 2:
        junk += HDR.pack(0xBEEF, 4, 32, 1, 0) + struct.pack("=IIII", 16, 3, 9, 5)
    else:
        junk += HDR.pack(0xBEE0 + (i & 7), 11, 32, 0, 0) + struct.pack("=QQ", 0x1000, 8)
try:
    mid, cmd, size, flags, err = HDR.unpack(rd(16))
    rd(size - 16)
    if mode == "after-version":
        js = b'{"capabilities":{"max_msg_fds":8}}\0'
        body = struct.pack("=HH", 0, 2) + js
        s.sendall(HDR.pack(mid, cmd, 16 + len(body), 1, 0) + body)
        mid, cmd, size, flags, err = HDR.unpack(rd(16))
        rd(size - 16)
    s.setblocking(False)
    off = 0
    end = time.monotonic() + 60
    while time.monotonic() < end:
        r, w, _ = select.select([s], [s], [], 1.0)
        if r:
            try:
                if s.recv(65536) == b"":
                    break
            except BlockingIOError:
                pass
        if w:
            try:
                off += s.send(junk[off:])
            except BlockingIOError:
                pass
            if off == len(junk):
                off = 0
except (EOFError, OSError):
    pass
"""


def client_hang(env, c, mode):
    path = os.path.join(env.work, "fake-%s.sock" % mode)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = subprocess.Popen([sys.executable, "-c", FAKE_SERVER, path, mode])
    for _ in range(50):
        if os.path.exists(path):
            break
        time.sleep(0.1)
    logp = os.path.join(env.work, "client-%s.log" % mode)
    t0 = time.monotonic()
    with open(logp, "wb") as lf:
        cli = subprocess.Popen([env.args.client, "--no-huge", "-m", "128", "--no-pci",
                                "--no-shconf", "-l", str(env.args.cpu),
                                "--file-prefix=hostile-%d-cli" % os.getpid(),
                                "--log-level=lib.eal:error", "--log-level=lib.vfio_user:error",
                                "--", "--socket", path],
                               stdout=lf, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = cli.wait(30)
            dt = time.monotonic() - t0
            c.ok(dt < 15, "the client exited in %.1f s (%s; its timeout is 5 s, allowed 15 s)"
                 " against a server flooding %s" %
                 (dt, signame(rc), "after VERSION" if mode == "after-version" else
                  "from the start"))
            c.ok(rc >= 0, "it was not killed by a signal")
        except subprocess.TimeoutExpired:
            cli.kill()
            cli.wait()
            c.ok(False, "the client still hung after 30 s (5 s timeout) against a server "
                 "flooding %s" % mode)
    srv.kill()
    srv.wait()
    with open(logp, "rb") as f:
        lines = f.read().decode(errors="replace").splitlines()
    c.note("client's last lines: %s" % " | ".join(lines[-3:]))


@case("7 client hang: the client gives up on a server that floods wrong-id replies and commands"
      " after VERSION", target=None)
def c7_after(env, c):
    client_hang(env, c, "after-version")


@case("7b client hang: the same flood instead of the VERSION reply", target=None)
def c7_version(env, c):
    client_hang(env, c, "at-version")


def msix_cap(cl):
    p = cl.read32(vfu.REGION_CONFIG, PCI_CAP_PTR) & 0xFC
    for _ in range(48):
        if p == 0:
            return None
        w = cl.read32(vfu.REGION_CONFIG, p)
        if w & 0xFF == PCI_CAP_ID_MSIX:
            return p
        p = (w >> 8) & 0xFC
    return None


def state_leak(env, c, path, regs):
    """A writes COMMAND, MSI-X enable and regs, leaves; B must see power-on values."""
    a = connect_ready(path)
    try:
        a.region_write(vfu.REGION_CONFIG, PCI_COMMAND, struct.pack("=H", 0x0006))
        cmd = struct.unpack("=H", a.region_read(vfu.REGION_CONFIG, PCI_COMMAND, 2))[0]
        c.ok(cmd & 0x6 == 0x6, "A: COMMAND written 0x0006, reads 0x%04x" % cmd)
        mx = msix_cap(a)
        if mx is not None:
            ctl = struct.unpack("=H", a.region_read(vfu.REGION_CONFIG, mx + 2, 2))[0]
            a.region_write(vfu.REGION_CONFIG, mx + 2, struct.pack("=H", ctl | 0x8000))
            ctl = struct.unpack("=H", a.region_read(vfu.REGION_CONFIG, mx + 2, 2))[0]
            c.ok(ctl & 0x8000, "A: MSI-X enabled (control 0x%04x)" % ctl)
        for idx, off, val, want in regs:
            a.write32(idx, off, val)
            v = a.read32(idx, off)
            c.ok(v == val, "A: region %d offset 0x%x written 0x%x, reads 0x%x" %
                 (idx, off, val, v))
    finally:
        a.close()
    time.sleep(0.3)
    with connect_ready(path, tries_for=8.0) as b:
        cmd = struct.unpack("=H", b.region_read(vfu.REGION_CONFIG, PCI_COMMAND, 2))[0]
        c.ok(cmd & 0x7 == 0, "B: COMMAND reads 0x%04x (power-on: memory, I/O, bus master off)" %
             cmd)
        if mx is not None:
            ctl = struct.unpack("=H", b.region_read(vfu.REGION_CONFIG, mx + 2, 2))[0]
            c.ok(not ctl & 0x8000, "B: MSI-X control 0x%04x (enable off)" % ctl)
        for idx, off, val, want in regs:
            v = b.read32(idx, off)
            c.ok(v == want, "B: region %d offset 0x%x reads 0x%x (power-on 0x%x)" %
                 (idx, off, v, want))


@case("9 state leak: config space and emu_iavf registers back to power-on for the next client")
def c9_iavf(env, c):
    state_leak(env, c, env.a, [(vfu.REGION_BAR0, VFQF_HLUT0, 0x03020100, 0),
                               (vfu.REGION_BAR0, VFINT_ICR0_ENA1, 0x40000000, 0),
                               (vfu.REGION_BAR0, VFINT_ITR01_0, 0x3F, 0),
                               (vfu.REGION_BAR0, QRX_TAIL0, 0x55, 0)])


@case("9b state leak: config space and the sample's registers back to power-on", target="sample")
def c9_sample(env, c):
    state_leak(env, c, env.s, [(vfu.REGION_BAR0, SAMPLE_SCRATCH, 0xDEADBEEF, 0),
                               (vfu.REGION_BAR0, SAMPLE_DMA_SRC, 0x1000, 0),
                               (vfu.REGION_BAR4, 0x0, 0xFEE00000, 0)])


@case("x1 fds attached to commands that take none are closed, not kept or leaked")
def x_fds_everywhere(env, c):
    n0 = env.pmd.fd_count()
    with connect_ready(env.a) as cl:
        efd = os.eventfd(0)
        mfd = memfd(4096)
        r, w = os.pipe()
        cmds = [(vfu.DEVICE_GET_INFO, struct.pack("=IIII", 16, 0, 0, 0)),
                (vfu.REGION_READ, struct.pack("=QII", 0, vfu.REGION_CONFIG, 4)),
                (vfu.GET_IRQ_INFO, struct.pack("=IIII", 16, 0, vfu.IRQ_MSIX, 0)),
                (vfu.REGION_WRITE, struct.pack("=QII", VFQF_HLUT0, vfu.REGION_BAR0, 4) + b"\0" * 4),
                (vfu.DMA_UNMAP, struct.pack("=IIQQ", 24, 0, 0x7000000, 4096)),
                (vfu.SET_IRQS, struct.pack("=IIIII", 20, vfu.IRQ_DATA_NONE | vfu.IRQ_ACTION_MASK,
                                           vfu.IRQ_MSIX, 0, 1)),
                (vfu.GET_REGION_INFO, struct.pack("=IIIIQQ", 32, 0, vfu.REGION_CONFIG, 0, 0, 0))]
        answered = 0
        for k in range(30):
            for cmd, p in cmds:
                try:
                    cl.call(cmd, p, [efd, mfd, w][: 1 + k % 3])
                    answered += 1
                except VfuError:
                    answered += 1
        c.ok(answered == 30 * len(cmds), "every command with stray fds answered (%d)" % answered)
        n1 = env.pmd.fd_count()
        c.ok(n1 - n0 < 10, "the server's open fds: %d -> %d" % (n0, n1))
        for f in (efd, mfd, r, w):
            os.close(f)


@case("x2 more fds than max_msg_fds: error reply, connection still usable, nothing leaked",
      logkey=None)
def x_too_many_fds(env, c):
    n0 = env.pmd.fd_count()
    with connect_ready(env.a) as cl:
        fds = [os.eventfd(0) for _ in range(40)]
        expect_refused(c, "DMA_MAP with 40 fds", lambda: cl.call(
            vfu.DMA_MAP, cl.dma_map_msg(0x10000000, 4096), fds))
        for _ in range(20):
            try:
                cl.call(vfu.DEVICE_GET_INFO, struct.pack("=IIII", 16, 0, 0, 0), fds)
            except VfuError:
                pass
        n1 = env.pmd.fd_count()
        c.ok(n1 - n0 < 10, "the server's open fds: %d -> %d" % (n0, n1))
        cl.read32(vfu.REGION_CONFIG, 0)
        c.ok(True, "the connection still answers")
        for f in fds:
            os.close(f)


def bad_header(env, c, size):
    with connect_ready(env.a) as cl:
        cl.send_raw(vfu.HDR.pack(7, vfu.REGION_READ, size, 0, 0) + b"\0" * 16)
        closed = wait_closed(cl, 3.0)
        if closed:
            c.ok(True, "the server closed the connection")
        else:
            try:
                cl.recv(timeout=1)
                c.ok(True, "the server answered")
            except (Closed, OSError) as e:
                c.ok(True, "the server closed the connection (%s)" % e)


@case("x3 header size < 16", logkey="bad_header")
def x_hdr_small(env, c):
    bad_header(env, c, 8)


@case("x4 header size > the largest message", logkey="bad_header")
def x_hdr_big(env, c):
    bad_header(env, c, 0xFFFFFFF0)


@case("x5 truncated message, then close", logkey="truncated")
def x_truncated(env, c):
    with connect_ready(env.a) as cl:
        cl.send_raw(vfu.HDR.pack(9, vfu.REGION_WRITE, 16 + 16 + 1000, 0, 0) +
                    struct.pack("=QII", 0, vfu.REGION_BAR0, 1000) + b"x" * 100)
        time.sleep(0.1)
    time.sleep(0.3)
    c.ok(True, "sent 132 of 1032 bytes and closed")


@case("x6 a client that never sends VERSION does not keep the device from the next one",
      logkey="no_version")
def x_no_version(env, c):
    idle = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    idle.connect(env.a)
    t0 = time.monotonic()
    try:
        g = connect_ready(env.a, timeout=2.0, tries_for=15.0)
        dt = time.monotonic() - t0
        c.ok(True, "a second client was served after %.1f s" % dt)
        c.ok(dt < 12, "within 12 s")
        g.close()
    except Closed as e:
        c.ok(False, "a second client was not served within 15 s (%s)" % e)
    idle.close()


@case("x7 half a message then silence: other devices unaffected, the device serves again after")
def x_half_silence(env, c):
    cl = connect_ready(env.a)
    cl.send_raw(vfu.HDR.pack(11, vfu.REGION_READ, 32, 0, 0) + b"\0" * 5)
    time.sleep(0.2)
    why = good_client(env.b, 0x8086)
    c.ok(why is None, "emu_iavf1 serves a good client meanwhile%s" % (": " + why if why else ""))
    lat, errs = read_loop(env.b, 1.0)
    c.ok(not errs and len(lat) > 50, "and %d REGION_READs in 1 s" % len(lat))
    cl.close()


@case("x8 unknown commands and unsolicited replies are answered or ignored")
def x_unknown(env, c):
    with connect_ready(env.a) as cl:
        expect_refused(c, "command 999", lambda: cl.call(999, b"abcd"))
        expect_refused(c, "command 14 (was DIRTY_PAGES)", lambda: cl.call(14, b""))
        for i in range(50):
            cl.send(vfu.DEVICE_GET_INFO, b"\0" * 16, flags=vfu.F_REPLY, msg_id=1000 + i)
        cl.read32(vfu.REGION_CONFIG, 0)
        c.ok(True, "50 unsolicited replies ignored; the connection still answers")


@case("x9 DMA_MAP with a huge size or an offset past the file is refused")
def x_dma_bounds(env, c):
    with connect_ready(env.a) as cl:
        fd = memfd(64 * KiB)
        expect_refused(c, "DMA_MAP of 1 GiB from a 64 KiB memfd",
                       lambda: cl.dma_map(fd, 0x10000000, 1 << 30))
        expect_refused(c, "DMA_MAP at offset 2^62",
                       lambda: cl.dma_map(fd, 0x10000000, 4096, offset=1 << 62))
        os.close(fd)


# ------------------------------------------------------------------ driver
def run_case(env, name, target, logkey, other, fn):
    c = Case(name)
    srv = {"pmd": env.pmd, "sample": env.sample, "trust": env.trust, None: None}[target]
    if srv is not None:
        why = srv.ensure()
        if why is not None:
            c.ok(False, "cannot start the %s server: %s" % (srv.name, why))
            return c
        if target != "pmd" and not env.pmd.alive():
            env.pmd.ensure()
        off = srv.log_size()
        path = {"pmd": env.a, "sample": env.s, "trust": env.t}[target]
        gen = srv.gen
    try:
        fn(env, c)
    except (VfuError, Closed, OSError) as e:
        c.ok(False, "the case stopped: %s: %s" % (type(e).__name__, e))
    except Exception as e:  # noqa: BLE001 (a bug in the case: say where)
        c.ok(False, "the case stopped: %s" % traceback.format_exc().strip().replace("\n", " | "))
        del e
    if srv is None:
        return c
    time.sleep(0.2)
    # (a) alive
    if not c.ok(srv.alive() and srv.gen == gen, "the %s server survived (%s)" %
                (srv.name, srv.status())):
        c.note("its last lines: %s" % srv.tail(8))
        return c
    # (b) other clients, and the device itself, still served
    if other:
        if target in ("pmd", "trust"):
            why = good_client(env.b, 0x8086)
            c.ok(why is None, "emu_iavf1 (another device of the process) serves a good client"
                 "%s" % (": " + why if why else ""))
        why = good_client(path, 0x8086 if target != "sample" else 0x1B36)
        c.ok(why is None, "the attacked device serves a new client%s" %
             (": " + why if why else ""))
    # (c) log
    if logkey is not None:
        pat = re.compile(LOG_PATTERNS[logkey], re.I)
        ident = (path, os.path.basename(path), "emu_iavf0")
        line = None
        for _ in range(10):
            for ln in srv.log_since(off).splitlines():
                if any(i in ln for i in ident) and pat.search(ln):
                    line = ln
                    break
            if line:
                break
            time.sleep(0.1)
        c.ok(line is not None, "log line [%s]: %s" % (logkey, line.strip() if line else
                                                      "none matching /%s/" % LOG_PATTERNS[logkey]))
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--testpmd", required=True)
    ap.add_argument("--plugins", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--client", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cpu", default="0")
    ap.add_argument("--only", default="", help="comma-separated case number prefixes")
    ap.add_argument("--latency", action="store_true", help="print flood latency figures only")
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    env = Env(args)
    try:
        if args.latency:
            return latency(env, args.seconds)
        passed = failed = 0
        only = [o for o in args.only.split(",") if o]
        for name, target, logkey, other, fn in CASES:
            num = name.split()[0]
            if only and not any(num == o or num.rstrip("abcdefgh") == o for o in only):
                continue
            c = run_case(env, name, target, logkey, other, fn)
            print("%s: %s" % ("FAIL" if c.failed else "PASS", name), flush=True)
            for kind, what in c.steps:
                print("    %s %s" % (kind, what), flush=True)
            if c.failed:
                failed += 1
            else:
                passed += 1
        for s in env.servers:
            if s.proc is not None and not s.alive():
                s.deaths.append(s.proc.returncode)
            for d in s.deaths:
                log("the %s server %s (at some point; see the cases above)" % (s.name, signame(d)))
        print("%d passed, %d failed" % (passed, failed), flush=True)
        return 1 if failed else 0
    finally:
        env.stop_all()


def latency(env, seconds):
    why = env.pmd.ensure()
    if why:
        log("cannot start testpmd: %s" % why)
        return 1
    quiet, errs = read_loop(env.b, seconds)
    lat, errs2, drops, sent = flood(env, seconds + 0.5, seconds)
    print("REGION_READ (4 bytes of config space) latency of a client of emu_iavf1, %.0f s each:"
          % seconds)
    print("%-28s %8s %8s %8s %8s %8s" % ("", "reads", "p50 ms", "p99 ms", "max ms", "errors"))
    for what, l, e in (("quiet", quiet, errs),
                       ("flood on emu_iavf0", lat, errs2)):
        print("%-28s %8d %8.3f %8.3f %8.3f %8d" % (what, len(l), pct(l, 50), pct(l, 99),
                                                   pct(l, 100), len(e)))
    print("flooding client: %d x (16 x 64 KiB REGION_READ never read), dropped %d times" %
          (sent // 16 if sent > 0 else 0, drops))
    print("goal: p99 < 5 ms under flood (figures only, not a pass/fail)")
    if not env.pmd.alive():
        print("the server %s" % env.pmd.status())
    return 0


if __name__ == "__main__":
    sys.exit(main())
