# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
"""A small vfio-user client over a UNIX socket, for hostile tests.

Standard library only. Every message is built by hand so that a test can
send anything: wrong sizes, wrong descriptors, requests it never reads the
answer of. Host byte order, as the protocol (lib/vfio_user/vfio_user_msg.h).
"""

import errno
import fcntl
import json
import os
import select
import socket
import struct
import time

HDR = struct.Struct("=HHIII")  # msg_id, cmd, size, flags, error
HDR_SIZE = 16

VERSION = 1
DMA_MAP = 2
DMA_UNMAP = 3
DEVICE_GET_INFO = 4
GET_REGION_INFO = 5
GET_REGION_IO_FDS = 6
GET_IRQ_INFO = 7
SET_IRQS = 8
REGION_READ = 9
REGION_WRITE = 10
DMA_READ = 11
DMA_WRITE = 12
DEVICE_RESET = 13

F_COMMAND = 0x0
F_REPLY = 0x1
F_NO_REPLY = 0x10
F_ERROR = 0x20

DMA_READ_FLAG = 0x1
DMA_WRITE_FLAG = 0x2
DMA_UNMAP_ALL = 0x2

REGION_BAR0 = 0
REGION_BAR2 = 2
REGION_BAR3 = 3
REGION_BAR4 = 4
REGION_CONFIG = 7
REGION_FLAG_MMAP = 0x4
REGION_FLAG_CAPS = 0x8

IRQ_INTX = 0
IRQ_MSI = 1
IRQ_MSIX = 2

IRQ_DATA_NONE = 0x1
IRQ_DATA_BOOL = 0x2
IRQ_DATA_EVENTFD = 0x4
IRQ_ACTION_MASK = 0x8
IRQ_ACTION_UNMASK = 0x10
IRQ_ACTION_TRIGGER = 0x20

# fcntl constants the Debian python may lack.
F_ADD_SEALS = getattr(fcntl, "F_ADD_SEALS", 1033)
F_GET_SEALS = getattr(fcntl, "F_GET_SEALS", 1034)
F_SEAL_SEAL = getattr(fcntl, "F_SEAL_SEAL", 0x1)
F_SEAL_SHRINK = getattr(fcntl, "F_SEAL_SHRINK", 0x2)
F_SEAL_GROW = getattr(fcntl, "F_SEAL_GROW", 0x4)
F_SEAL_WRITE = getattr(fcntl, "F_SEAL_WRITE", 0x8)
MFD_CLOEXEC = getattr(os, "MFD_CLOEXEC", 1)
MFD_ALLOW_SEALING = getattr(os, "MFD_ALLOW_SEALING", 2)

MAX_FDS_SEND = 253  # SCM_MAX_FD


class VfuError(Exception):
    """The server answered with an error (errno in .err)."""

    def __init__(self, cmd, err):
        super().__init__("command %d: error %d (%s)" % (cmd, err, errno.errorcode.get(err, "?")))
        self.cmd = cmd
        self.err = err


class Closed(Exception):
    """The server closed the connection (or it broke)."""


def memfd(size, sealed=True, seals=None, name="hostile"):
    """A memfd of size bytes; sealed: F_SEAL_SHRINK|F_SEAL_GROW added."""
    fd = os.memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)
    os.ftruncate(fd, size)
    if seals is None and sealed:
        seals = F_SEAL_SHRINK | F_SEAL_GROW
    if seals:
        fcntl.fcntl(fd, F_ADD_SEALS, seals)
    return fd


def errname(e):
    return errno.errorcode.get(e, str(e))


class Client:
    """One connection. call() sends a command and waits for its reply."""

    def __init__(self, path, timeout=5.0, rcvbuf=None, connect=True):
        self.path = path
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.next_id = 1
        self.max_xfer = 1024 * 1024
        self.max_fds = 1
        self.max_dma_maps = 65535
        if connect:
            self.sock.connect(path)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    # ------------------------------------------------------------ raw I/O
    def send_raw(self, data, fds=()):
        if fds:
            socket.send_fds(self.sock, [data], list(fds))
        else:
            self.sock.sendall(data)

    def send(self, cmd, payload=b"", fds=(), flags=F_COMMAND, msg_id=None, size=None):
        """Send one command; return its msg_id. size overrides the header's."""
        if msg_id is None:
            msg_id = self.next_id
            self.next_id = (self.next_id + 1) & 0xFFFF
        if size is None:
            size = HDR_SIZE + len(payload)
        msg = HDR.pack(msg_id, cmd, size, flags, 0) + payload
        if fds:
            # The descriptors go with the first byte; the rest follows.
            n = socket.send_fds(self.sock, [msg], list(fds))
            if n < len(msg):
                self.sock.sendall(msg[n:])
        else:
            self.sock.sendall(msg)
        return msg_id

    def _recv_exact(self, n, deadline):
        buf = bytearray()
        fds = []
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("reply timeout")
            self.sock.settimeout(left)
            data, got_fds, _flags, _addr = socket.recv_fds(self.sock, n - len(buf), 16)
            if not data:
                for f in got_fds:
                    os.close(f)
                raise Closed("connection closed by the server")
            buf += data
            fds += got_fds
        return bytes(buf), fds

    def recv(self, timeout=None):
        """One message: (msg_id, cmd, flags, error, payload, fds)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        try:
            hdr, fds = self._recv_exact(HDR_SIZE, deadline)
            msg_id, cmd, size, flags, err = HDR.unpack(hdr)
            if size < HDR_SIZE:
                raise Closed("bad header from the server (size %d)" % size)
            payload, fds2 = self._recv_exact(size - HDR_SIZE, deadline) if size > HDR_SIZE else (b"", [])
        except (ConnectionResetError, BrokenPipeError) as e:
            raise Closed(str(e))
        return msg_id, cmd, flags, err, payload, fds + fds2

    def reply(self, msg_id, timeout=None):
        """Wait for the reply to msg_id: (payload, fds); VfuError on error."""
        while True:
            rid, cmd, flags, err, payload, fds = self.recv(timeout)
            if rid != msg_id or (flags & 0xF) != F_REPLY:
                for f in fds:
                    os.close(f)
                continue
            if flags & F_ERROR:
                for f in fds:
                    os.close(f)
                raise VfuError(cmd, err)
            return payload, fds

    def call(self, cmd, payload=b"", fds=(), timeout=None):
        return self.reply(self.send(cmd, payload, fds), timeout)

    # ------------------------------------------------------------ commands
    def version(self, caps=None):
        if caps is None:
            caps = {"max_msg_fds": 16, "max_data_xfer_size": 1048576, "pgsizes": 4096,
                    "max_dma_maps": 65535, "write_multiple": False}
        js = json.dumps({"capabilities": caps})
        # The server's reply may not be longer than the request: leave room.
        js = js + " " * 256
        payload, fds = self.call(VERSION, struct.pack("=HH", 0, 2) + js.encode() + b"\0")
        for f in fds:
            os.close(f)
        major, minor = struct.unpack_from("=HH", payload)
        text = payload[4:].split(b"\0", 1)[0].decode(errors="replace")
        try:
            c = json.loads(text).get("capabilities", {})
        except ValueError:
            c = {}
        self.max_xfer = c.get("max_data_xfer_size", 1048576)
        self.max_fds = c.get("max_msg_fds", 1)
        self.max_dma_maps = c.get("max_dma_maps", 65535)
        return major, minor, c

    def device_info(self):
        payload, _ = self.call(DEVICE_GET_INFO, struct.pack("=IIII", 16, 0, 0, 0))
        argsz, flags, nregions, nirqs = struct.unpack_from("=IIII", payload)
        return {"flags": flags, "num_regions": nregions, "num_irqs": nirqs}

    def region_info(self, index, argsz=512):
        """{'flags','size','offset','areas':[(off,size)],'fd'} (fd or -1)."""
        payload, fds = self.call(GET_REGION_INFO, struct.pack("=IIIIQQ", argsz, 0, index, 0, 0, 0))
        argsz, flags, idx, cap_off, size, offset = struct.unpack_from("=IIIIQQ", payload)
        areas = []
        if flags & REGION_FLAG_CAPS:
            off = cap_off
            hops = 0
            while off and off + 8 <= len(payload) and hops < 16:
                cid, cver, nxt = struct.unpack_from("=HHI", payload, off)
                if cid == 1:
                    nr, = struct.unpack_from("=I", payload, off + 8)
                    for i in range(nr):
                        areas.append(struct.unpack_from("=QQ", payload, off + 16 + 16 * i))
                off = nxt
                hops += 1
        fd = fds[0] if fds else -1
        for f in fds[1:]:
            os.close(f)
        return {"flags": flags, "size": size, "offset": offset, "areas": areas, "fd": fd}

    def irq_info(self, index):
        payload, _ = self.call(GET_IRQ_INFO, struct.pack("=IIII", 16, 0, index, 0))
        argsz, flags, idx, count = struct.unpack_from("=IIII", payload)
        return {"flags": flags, "count": count}

    def set_irqs(self, index, flags, start, count, fds=(), bools=None):
        data = bytes(bools) if bools is not None else b""
        payload = struct.pack("=IIIII", 20 + len(data), flags, index, start, count) + data
        self.call(SET_IRQS, payload, fds)

    def region_read(self, index, offset, count, timeout=None):
        payload, _ = self.call(REGION_READ, struct.pack("=QII", offset, index, count), timeout=timeout)
        return payload[16:]

    def region_write(self, index, offset, data):
        self.call(REGION_WRITE, struct.pack("=QII", offset, index, len(data)) + bytes(data))

    def read32(self, index, offset):
        return struct.unpack("=I", self.region_read(index, offset, 4))[0]

    def write32(self, index, offset, val):
        self.region_write(index, offset, struct.pack("=I", val))

    def dma_map_msg(self, addr, size, offset=0, flags=DMA_READ_FLAG | DMA_WRITE_FLAG):
        return struct.pack("=IIQQQ", 32, flags, offset, addr, size)

    def dma_map(self, fd, addr, size, offset=0, flags=DMA_READ_FLAG | DMA_WRITE_FLAG):
        fds = () if fd is None else (fd,)
        self.call(DMA_MAP, self.dma_map_msg(addr, size, offset, flags), fds)

    def dma_unmap(self, addr, size, flags=0):
        self.call(DMA_UNMAP, struct.pack("=IIQQ", 24, flags, addr, size))

    def dma_unmap_all(self):
        self.dma_unmap(0, 0, DMA_UNMAP_ALL)

    def peer_closed(self, timeout=0.0):
        """True if the server has closed its end (POLLHUP)."""
        p = select.poll()
        p.register(self.sock.fileno(), select.POLLHUP | select.POLLERR | select.POLLRDHUP)
        ev = p.poll(int(timeout * 1000))
        return any(e & (select.POLLHUP | select.POLLERR | select.POLLRDHUP) for _, e in ev)


def connect_ready(path, timeout=5.0, tries_for=5.0):
    """A negotiated client; retries while the server still serves a previous one."""
    end = time.monotonic() + tries_for
    last = None
    while True:
        c = None
        try:
            c = Client(path, timeout=timeout)
            c.version()
            return c
        except (OSError, Closed, VfuError) as e:
            last = e
            if c is not None:
                c.close()
        if time.monotonic() >= end:
            raise Closed("cannot connect to %s: %s" % (path, last))
        time.sleep(0.05)
