#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
"""Write the seed inputs of the libFuzzer targets.

usage: gen_seeds.py OUTDIR [TARGET...]

Writes OUTDIR/<target>/seed-<name> for every target (or those named). The
seeds in app/fuzz/corpus/ were made with it; each target's input format is
described at the top of its source file. Seeds are well-formed, so that the
fuzzer starts from every command, virtchnl operation, descriptor kind and
offload, and mutates from there.
"""
import os
import struct
import sys


def le(fmt, *args):
    return struct.pack("<" + fmt, *args)


# ----------------------------------------------------- fuzz_vfio_user_server

def vfio_user_msg(mid, cmd, payload=b"", flags=0, error=0):
    return le("HHIII", mid, cmd, 16 + len(payload), flags, error) + payload


def server_seeds():
    cfg_read = le("QII", 0, 7, 256)
    yield "get_info", vfio_user_msg(2, 4, le("IIII", 16, 0, 0, 0))
    yield "region_info", b"".join(
        vfio_user_msg(2 + i, 5, le("IIIIQQ", 80, 0, i, 0, 0, 0)) for i in range(9))
    yield "io_fds", vfio_user_msg(2, 6, le("IIII", 16, 0, 0, 0))
    yield "irq_info", b"".join(vfio_user_msg(2 + i, 7, le("IIII", 16, 0, i, 0)) for i in range(5))
    yield "set_irqs", vfio_user_msg(2, 8, le("IIIII", 20, 4 | 32, 2, 0, 2)) + \
        vfio_user_msg(3, 8, le("IIIII", 20, 1 | 8, 2, 0, 1)) + \
        vfio_user_msg(4, 8, le("IIIII", 20, 1 | 16, 2, 0, 1)) + \
        vfio_user_msg(5, 8, le("IIIII", 22, 2 | 32, 2, 0, 2) + b"\x01\x00")
    yield "cfg_read", vfio_user_msg(2, 9, cfg_read)
    yield "cfg_write", vfio_user_msg(2, 10, le("QII", 4, 7, 2) + b"\x06\x00") + \
        vfio_user_msg(3, 10, le("QII", 0x10, 7, 4) + b"\xff\xff\xff\xff") + \
        vfio_user_msg(4, 9, le("QII", 0x10, 7, 4))
    yield "bar0", vfio_user_msg(2, 10, le("QII", 8, 0, 4) + b"abcd", 0x10) + \
        vfio_user_msg(3, 9, le("QII", 8, 0, 4))
    yield "write_multi", vfio_user_msg(2, 15, le("Q", 2) +
                                 le("QII", 0, 0, 4) + b"1234\0\0\0\0" +
                                 le("QII", 8, 4, 8) + b"12345678", 0x10)
    yield "dma", vfio_user_msg(2, 2, le("IIQQQ", 32, 3, 0, 0x100000, 0x4000)) + \
        vfio_user_msg(3, 3, le("IIQQ", 24, 0, 0x100000, 0x4000)) + \
        vfio_user_msg(4, 3, le("IIQQ", 24, 2, 0, 0))
    yield "reset", vfio_user_msg(2, 13)
    yield "feature", vfio_user_msg(2, 16, le("II", 8, 0x10001))
    yield from mig_seeds()


# DEVICE_FEATURE flags and features (vfio_user_msg.h).
F_GET, F_SET, F_PROBE = 0x10000, 0x20000, 0x40000
FEAT_MIGRATION, FEAT_STATE, FEAT_LOG_START, FEAT_LOG_STOP, FEAT_LOG_REPORT = 1, 2, 6, 7, 8
ST_STOP, ST_RUNNING, ST_STOP_COPY, ST_RESUMING, ST_PRE_COPY = 1, 2, 3, 4, 6


def feature(mid, flags, data=b""):
    return vfio_user_msg(mid, 16, le("II", 8 + len(data), flags) + data)


def set_state(mid, state):
    return feature(mid, F_SET | FEAT_STATE, le("II", state, 0xffffffff))


def mig_read(mid, size):
    return vfio_user_msg(mid, 17, le("II", 8 + size, size))


def mig_write(mid, data):
    return vfio_user_msg(mid, 18, le("II", 8 + len(data), len(data)) + data)


def mig_stream(dev=b"\x01" * 64):
    """A stream of the fuzz target's device (vfio_user_mig.c's layout); its
    config space and CRC are fixed up by the target (option bit 4)."""
    irq_counts = [1, 0, 4, 1, 1]
    body = bytes(4096) + le("I", 5) + b"".join(le("I", n) for n in irq_counts) + \
        bytes([1] + [0, 1, 2, 3] + [0, 0]) + dev
    total = 32 + len(body) + 4
    hdr = le("IHHIIQII", 0x474d5556, 1, 0, 32, 0, total, 4096, len(dev))
    return hdr + body + le("I", 0)


def mig_seeds():
    yield "mig_probe", feature(2, F_GET | FEAT_MIGRATION) + \
        feature(3, F_PROBE | F_GET | FEAT_STATE) + feature(4, F_GET | FEAT_STATE) + \
        feature(5, F_PROBE | F_SET | FEAT_LOG_START)
    yield "mig_save", set_state(2, ST_PRE_COPY) + mig_read(3, 64) + \
        set_state(4, ST_STOP_COPY) + mig_read(5, 4096) + mig_read(6, 4096) + \
        set_state(7, ST_STOP) + set_state(8, ST_RUNNING)
    yield "mig_resume", set_state(2, ST_RESUMING) + mig_write(3, mig_stream()) + \
        set_state(4, ST_RUNNING) + feature(5, F_GET | FEAT_STATE)
    yield "mig_resume_bad", set_state(2, ST_RESUMING) + \
        mig_write(3, mig_stream(b"\xff" + b"\x01" * 63)) + set_state(4, ST_STOP) + \
        vfio_user_msg(5, 13) + feature(6, F_GET | FEAT_STATE)
    ranges = le("QQ", 0x100000, 0x10000) + le("QQ", 0x200000, 0x4000)
    yield "dma_logging", \
        feature(2, F_SET | FEAT_LOG_START, le("QII", 4096, 2, 0) + ranges) + \
        vfio_user_msg(3, 10, le("QII", 0x100, 0, 8) + le("Q", 0x10f000)) + \
        feature(4, F_GET | FEAT_LOG_REPORT, le("QQQ", 0x100000, 0x10000, 4096)) + \
        feature(5, F_GET | FEAT_LOG_REPORT, le("QQQ", 0x200000, 0x4000, 4096)) + \
        feature(6, F_SET | FEAT_LOG_STOP)


def version(mid, caps):
    return vfio_user_msg(mid, 1, le("HH", 0, 0) + caps.encode() + b"\0")


def server_corpus():
    # Option byte 0x01: the target prepends QEMU's VERSION.
    seeds = dict(server_seeds())
    for name, data in seeds.items():
        yield name, b"\x01" + data
    # Option byte 0x00, the input's own VERSION. Without "migration": every
    # migration message is refused (ENOTSUP).
    no_mig = version(1, '{"capabilities":{"max_msg_fds":16}}')
    for name in ("mig_probe", "mig_save", "mig_resume", "dma_logging"):
        yield name + "_not_negotiated", b"\x00" + no_mig + seeds[name]
    # A client's max_bitmap_size of 8 bytes: a report of 64 pages fits, of 65
    # is E2BIG.
    yield "report_small_bitmap", b"\x00" + \
        version(1, '{"capabilities":{"migration":{"pgsize":4096,"max_bitmap_size":8},'
                '"max_msg_fds":16,"max_data_xfer_size":1048576,"pgsizes":4096,'
                '"max_dma_maps":65535,"write_multiple":true}}') + \
        feature(2, F_SET | FEAT_LOG_START, le("QII", 4096, 1, 0) + le("QQ", 0x100000, 0x41000)) + \
        feature(3, F_GET | FEAT_LOG_REPORT, le("QQQ", 0x100000, 0x40000, 4096)) + \
        feature(4, F_GET | FEAT_LOG_REPORT, le("QQQ", 0x100000, 0x41000, 4096)) + \
        feature(5, F_SET | FEAT_LOG_STOP)
    # Option bit 0x20: a migration memory budget of 64 bytes (ENOMEM).
    for name in ("mig_save", "mig_resume", "dma_logging"):
        yield name + "_no_budget", b"\x21" + seeds[name]
    # Descriptors of the wrong kind: an unsealed memfd and a pipe as DMA
    # memory, pipes as interrupt eventfds.
    yield "dma_unsealed", b"\x03" + seeds["dma"]
    yield "dma_pipe", b"\x05" + seeds["dma"]
    yield "irq_pipes", b"\x09" + seeds["set_irqs"]
    # The migration streams with their library part fixed up by the target.
    yield "mig_resume_fixed", b"\x11" + seeds["mig_resume"]
    yield "mig_resume_bad_fixed", b"\x11" + seeds["mig_resume_bad"]


# ---------------------------------------------------------- fuzz_emu_iavf_aq

GPA_BASE = 0x100000
RING_OFF = 0x30000

# Operations and the virtchnl selector table of fuzz_emu_iavf_aq.c.
OP_MSG, OP_REG_WRITE, OP_REG_READ, OP_ARQ_CONSUME, OP_MEM, OP_BAR3, OP_IRQ, \
    OP_LINK, OP_RESET, OP_ATQT = range(10)
VC = {name: i for i, name in enumerate([
    "VERSION", "GET_VF_RESOURCES", "CONFIG_VSI_QUEUES", "CONFIG_IRQ_MAP",
    "ENABLE_QUEUES", "DISABLE_QUEUES", "ADD_ETH_ADDR", "DEL_ETH_ADDR",
    "CONFIG_PROMISCUOUS_MODE", "GET_STATS", "RESET_VF", "UNKNOWN",
    "CONFIG_TX_QUEUE", "CONFIG_RSS_KEY", "REQUEST_QUEUES", "EVENT"])}
# Register selectors (indices in regs[] of fuzz_emu_iavf_aq.c).
R_ATQBAL, R_ATQBAH, R_ATQLEN, R_ATQH, R_ATQT, R_ARQBAL, R_ARQBAH, R_ARQLEN, \
    R_ARQH, R_ARQT, R_ICR01, R_ICR0_ENA1, R_DYN_CTL01, R_DYN_CTLN1_0, \
    R_DYN_CTLN1_1 = range(15)


def vc(op, body=b"", mode=0):
    return bytes([OP_MSG, VC[op], mode]) + le("H", len(body)) + body


def arq():
    return bytes([OP_ARQ_CONSUME])


def reg_w(sel, val):
    return bytes([OP_REG_WRITE, sel, 0]) + le("I", val)


def reg_r(sel):
    return bytes([OP_REG_READ, sel, 0])


def qpair(q, tx_len=64, rx_len=64, buf=2048, pkt=1518):
    tx = GPA_BASE + RING_OFF + q * 0x2000
    rx = tx + 0x1000
    return le("HHHHQQ", 1, q, tx_len, 0, tx, 0) + \
        le("HHIHHIIBBBBQiI", 1, q, rx_len, 0, 0, buf, pkt, 0, 0, 0, 0, rx, 0, 0)


def vsi_queues(pairs):
    return le("HHI", 1, len(pairs), 0) + b"".join(pairs)


def irq_map(maps):
    return le("H", len(maps)) + b"".join(le("HHHHHH", 1, v, rx, tx, 0, 0) for v, rx, tx in maps)


def qsel(rx, tx):
    return le("HHII", 1, 0, rx, tx)


def macs(*addrs):
    return le("HH", 1, len(addrs)) + b"".join(a + b"\x00\x00" for a in addrs)


MAC1 = b"\x02\x11\x22\x33\x44\x55"
MAC2 = b"\x02\x11\x22\x33\x44\x66"


def bring_up(nq=2):
    return (vc("VERSION", le("II", 1, 1)) + arq() +
            vc("GET_VF_RESOURCES", le("I", 0x81)) + arq() +
            vc("CONFIG_VSI_QUEUES", vsi_queues([qpair(q) for q in range(nq)])) + arq() +
            vc("CONFIG_IRQ_MAP", irq_map([(0, 0, 0)] + [(q + 1, 1 << q, 1 << q)
                                                        for q in range(nq)])) + arq() +
            vc("ENABLE_QUEUES", qsel((1 << nq) - 1, (1 << nq) - 1)) + arq())


def emu_iavf_corpus():
    cfg = bytes([0x03, 0x00])  # 4 queue pairs, admin queues set up, 32 descriptors
    yield "bring_up", cfg + bring_up()
    yield "full_life", cfg + bring_up(4) + \
        vc("ADD_ETH_ADDR", macs(MAC1, MAC2)) + arq() + \
        vc("CONFIG_PROMISCUOUS_MODE", le("HH", 1, 3)) + arq() + \
        vc("GET_STATS", qsel(0, 0)) + arq() + \
        vc("DISABLE_QUEUES", qsel(0xf, 0xf)) + arq() + \
        vc("DEL_ETH_ADDR", macs(MAC1)) + arq() + \
        vc("RESET_VF") + reg_r(R_ATQLEN)
    yield "version10", cfg + vc("VERSION", le("II", 1, 0)) + arq() + \
        vc("GET_VF_RESOURCES") + arq() + vc("GET_VF_RESOURCES", le("I", 0xffffffff)) + arq()
    yield "unknown_ops", cfg + b"".join(vc(op, le("IIII", 1, 2, 3, 4)) + arq() for op in
                                        ["UNKNOWN", "CONFIG_TX_QUEUE", "CONFIG_RSS_KEY",
                                         "REQUEST_QUEUES", "EVENT"])
    # Consumer wants fewer queue pairs (cfg2 bit 7: consumer_max_qp 2 of 8).
    yield "consumer_max", bytes([0x07, 0x82]) + vc("VERSION", le("II", 1, 1)) + arq() + \
        vc("GET_VF_RESOURCES", le("I", 0x81)) + arq() + \
        vc("CONFIG_VSI_QUEUES", vsi_queues([qpair(0), qpair(1), qpair(2)])) + arq()
    yield "bad_queues", cfg + vc("VERSION", le("II", 1, 1)) + \
        vc("GET_VF_RESOURCES", le("I", 0x481)) + arq() + \
        vc("CONFIG_VSI_QUEUES", vsi_queues([qpair(0, tx_len=4096, rx_len=4096)])) + arq() + \
        vc("CONFIG_VSI_QUEUES", vsi_queues([qpair(0, buf=64, pkt=20000)])) + arq() + \
        vc("CONFIG_VSI_QUEUES", vsi_queues([qpair(0), qpair(0)])) + arq() + \
        vc("CONFIG_IRQ_MAP", irq_map([(9, 1, 1)])) + arq() + \
        vc("ENABLE_QUEUES", qsel(1, 1)) + arq()
    # Descriptor corruption modes: no BUF flag, QUEUE_SHUTDOWN, buffer at the
    # end of memory, length larger than given, no length.
    yield "bad_desc", cfg + vc("VERSION", le("II", 1, 1), mode=1) + \
        vc("VERSION", le("II", 1, 1), mode=2 | 8) + \
        vc("VERSION", le("II", 1, 1), mode=3 | 8) + \
        bytes([OP_MSG, VC["GET_VF_RESOURCES"], 4]) + le("H", 0x1000) + le("I", 0x81) + arq()
    # ARQ full: replies wait in the backlog, then overflow.
    yield "arq_full", bytes([0x43, 0x03]) + \
        b"".join(vc("GET_STATS", qsel(0, 0)) for _ in range(20)) + arq() + arq()
    # Interrupts: arm, causes, software trigger, queue triggers, link events.
    yield "irqs", cfg + bring_up() + \
        reg_w(R_ICR0_ENA1, 0x42000000) + reg_w(R_DYN_CTL01, 0x1) + reg_r(R_ICR01) + \
        reg_w(R_DYN_CTLN1_0, 0x1) + bytes([OP_IRQ, 1, OP_IRQ, 2, OP_IRQ, 0, OP_IRQ, 200]) + \
        reg_w(R_DYN_CTLN1_1, 0x4) + reg_w(R_DYN_CTLN1_0, 0x3) + \
        bytes([OP_LINK, 0, OP_LINK, 1, OP_LINK, 3]) + le("I", 25000) + arq()
    # A driver's admin queue set-up by hand (cfg 0x20: none by the target).
    aq = GPA_BASE
    yield "manual_aq", bytes([0x21, 0x00]) + \
        reg_w(R_ATQBAL, aq) + reg_w(R_ATQBAH, 0) + reg_w(R_ATQLEN, 0x80000008) + \
        reg_w(R_ARQBAL, aq + 0x8000) + reg_w(R_ARQBAH, 0) + reg_w(R_ARQLEN, 0x80000008) + \
        reg_w(R_ARQT, 7) + vc("VERSION", le("II", 1, 1)) + arq() + \
        reg_w(R_ATQH, 5) + reg_w(R_ATQLEN, 0x80000400) + bytes([OP_ATQT]) + le("H", 3)
    # Raw descriptor in memory, ATQT moved by hand; sub-word register writes.
    desc = le("HHHHIIIIII", 0x1000, 0x0801, 8, 0, 1, 0, 0, 0, 0, GPA_BASE + 0x20000)
    yield "raw_desc", cfg + bytes([OP_MEM]) + le("H", 0) + bytes([len(desc)]) + desc + \
        bytes([OP_MEM]) + le("H", 0x8000) + bytes([8]) + le("II", 1, 1) + \
        bytes([OP_ATQT]) + le("H", 1) + \
        bytes([OP_REG_WRITE, R_ATQT, 0x80 | (1 << 2) | 1]) + le("I", 0x0302) + \
        bytes([OP_REG_READ, 0xfe, 0]) + le("H", 0x5c02) + \
        bytes([OP_REG_WRITE, 0xff, 0]) + le("I", 0x10000) + le("I", 1)
    yield "bar3", cfg + bytes([OP_BAR3]) + le("H", 0) + bytes([0x80 | 16]) + bytes(range(16)) + \
        bytes([OP_BAR3]) + le("H", 0x2000) + bytes([8]) + \
        bytes([OP_BAR3]) + le("H", 0x3ffc) + bytes([0x80 | 8]) + bytes(8)
    yield "resets", cfg + bring_up() + bytes([OP_RESET, 0]) + reg_r(20) + \
        vc("VERSION", le("II", 1, 1)) + bytes([OP_RESET, 1]) + bring_up(1)


# -------------------------------------------------------- fuzz_iavfbe_txring

D_DESC, D_DATA, D_TAIL, D_BURST, D_RX_RING, D_RX_DESC, D_RX_TAIL, D_TX_BURST = range(8)
EOP, RS, ICRC, IL2TAG1 = 0x1, 0x2, 0x4, 0x8
IIPT_IPV6, IIPT_IPV4, IIPT_IPV4_CSUM = 0x20, 0x40, 0x60
L4T_TCP, L4T_SCTP, L4T_UDP = 0x100, 0x200, 0x300


def offs(l2, l3=0, l4=0):
    return (l2 // 2) | (l3 // 4) << 7 | (l4 // 4) << 14


def data_desc(cmd, off, bsz, addr_off, region=0, tag=None):
    """addr_off: offset in the region (after the ring in R0), or from its end
    with region | 0x40, or the address itself with region 0x80."""
    kind = 0 if tag is None else 4
    d = bytes([D_DESC, kind]) + le("HIH", cmd, off, bsz)
    if tag is not None:
        d += le("H", tag)
    return d + bytes([region]) + le("Q" if region & 0x80 else "H", addr_off)


def ctx_desc(tso_len, mss, cmd=1):
    return bytes([D_DESC, 1]) + le("HIH", cmd, tso_len, mss)


def data(off, payload, region=0, fill=False):
    return bytes([D_DATA, region | (0x80 if fill else 0)]) + le("HH", off, len(payload)) + payload


def tail():
    return bytes([D_TAIL])


def rx(n=32):
    return bytes([D_BURST, n])


def csum16(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


ETH4 = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
ETH6 = ETH4[:12] + b"\x86\xdd"


def ipv4(proto, plen):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + plen, 1, 0x4000, 64, proto, 0,
                    b"\x0a\x00\x00\x01", b"\x0a\x00\x00\x02")
    return h[:10] + struct.pack("!H", csum16(h)) + h[12:]


def ipv6(proto, plen):
    return struct.pack("!IHBB16s16s", 0x60000000, plen, proto, 64,
                       b"\xfd" + b"\0" * 14 + b"\x01", b"\xfd" + b"\0" * 14 + b"\x02")


def tcp(flags=0x18):
    return struct.pack("!HHIIBBHHH", 1234, 80, 1000, 0, 5 << 4, flags, 65535, 0, 0)


def udp(plen):
    return struct.pack("!HHHH", 1234, 53, 8 + plen, 0)


def sctp():
    return struct.pack("!HHII", 1234, 80, 1, 0)


def iavfbe_corpus():
    cfg = bytes([0x03, 0x00])  # 64 descriptors, 2 KiB mbufs, TSO segmented, head 0
    frame = ETH4 + ipv4(17, 8 + 18) + udp(18) + b"x" * 18
    yield "one_packet", cfg + data(0, frame) + data_desc(EOP | RS, 0, len(frame), 0) + \
        tail() + rx()
    yield "three_buffers", cfg + data(0, frame) + \
        data_desc(0, 0, 14, 0) + data_desc(0, 0, 20, 14) + data_desc(EOP | RS, 0, len(frame) - 34, 34) + \
        tail() + rx()
    pay = b"p" * 100
    t4 = ETH4 + ipv4(6, 20 + len(pay)) + tcp() + pay
    yield "csum_tcp4", cfg + data(0, t4) + \
        data_desc(EOP | RS | IIPT_IPV4_CSUM | L4T_TCP, offs(14, 20, 20), len(t4), 0) + tail() + rx()
    u6 = ETH6 + ipv6(17, 8 + len(pay)) + udp(len(pay)) + pay
    yield "csum_udp6", cfg + data(0, u6) + \
        data_desc(EOP | RS | IIPT_IPV6 | L4T_UDP, offs(14, 40, 8), len(u6), 0) + tail() + rx()
    s4 = ETH4 + ipv4(132, 12 + len(pay)) + sctp() + pay
    yield "csum_sctp4", cfg + data(0, s4) + \
        data_desc(EOP | RS | IIPT_IPV4 | L4T_SCTP, offs(14, 20, 12), len(s4), 0) + tail() + rx()
    yield "vlan", cfg + data(0, t4) + \
        data_desc(EOP | RS | IL2TAG1, 0, len(t4), 0, tag=100) + tail() + rx()
    big = 3000
    h4 = ETH4 + ipv4(6, 0) + tcp()
    yield "tso4", cfg + data(0, h4 + b"d", fill=True) + ctx_desc(big, 1000) + \
        data_desc(EOP | RS | IIPT_IPV4_CSUM | L4T_TCP, offs(14, 20, 20), len(h4) + big, 0) + \
        tail() + rx(4) + rx(4)
    yield "tso4_pass", bytes([0x43, 0x00]) + data(0, h4 + b"d", fill=True) + ctx_desc(big, 1000) + \
        data_desc(EOP | RS | IIPT_IPV4_CSUM | L4T_TCP, offs(14, 20, 20), len(h4) + big, 0) + \
        tail() + rx()
    h6 = ETH6 + ipv6(6, 0) + tcp()
    yield "tso6_chain", cfg + data(0, h6 + b"e", fill=True) + ctx_desc(2 * big, 1400) + \
        data_desc(IIPT_IPV6 | L4T_TCP, offs(14, 40, 20), len(h6), 0) + \
        data_desc(0, 0, big, len(h6)) + data_desc(EOP | RS, 0, big, len(h6) + big) + \
        tail() + rx(2) + rx(64)
    # Long chains of 256-byte mbufs (pool 1), TSO included.
    yield "small_mbufs", bytes([0x0b, 0x00]) + data(0, h4 + b"f", fill=True) + \
        data_desc(EOP | RS, 0, 9000, 0) + ctx_desc(big, 500) + \
        data_desc(EOP | RS | IIPT_IPV4_CSUM | L4T_TCP, offs(14, 20, 20), len(h4) + big, 0) + \
        tail() + rx()
    # Nearly empty pool (pool 2): allocation failures, retried.
    yield "no_mbufs", bytes([0x14, 0x00]) + data(0, frame) + \
        b"".join(data_desc(EOP | RS, 0, len(frame), 0) for _ in range(100)) + \
        tail() + rx(64) + rx(64)
    # Drops: buffer outside memory, in the write-only region, crossing
    # regions, zero length, no EOP before the ring ends, bad descriptor
    # type, context after data, bad tail, skip state at start.
    yield "bad", bytes([0x00, 0x05]) + data(0, frame) + \
        data_desc(EOP | RS, 0, 60, 0xdead0000, region=0x80) + \
        data_desc(EOP | RS, 0, 60, 0, region=2) + \
        data_desc(EOP | RS, 0, 60, 8, region=0x41) + \
        data_desc(EOP | RS, 0, 0, 0) + \
        bytes([D_DESC, 2]) + le("QQ", 0, 0x2f) + \
        data_desc(0, 0, 60, 0) + ctx_desc(0, 0, 0) + data_desc(EOP, 0, 60, 0) + \
        tail() + rx() + bytes([0x82]) + le("H", 9999) + rx()
    yield "no_eop", bytes([0x00, 0x00]) + data(0, frame) + \
        b"".join(data_desc(RS, 0, 60, 0) for _ in range(9)) + tail() + rx() + \
        data_desc(EOP, 0, 60, 0) + tail() + rx()
    yield "skip_wrap", bytes([0x20, 0x06]) + data(0, frame) + \
        data_desc(EOP | RS, 0, 60, 0) + data_desc(EOP | RS, 0, 60, 0) + \
        data_desc(EOP | RS, 0, 60, 0) + tail() + rx(1) + rx(1) + rx()


def rx_ring(sel, buf, max_pkt, head=0):
    return bytes([D_RX_RING, sel]) + le("HH", buf, max_pkt) + bytes([head])


def rx_desc(addr_off, region=0):
    return bytes([D_RX_DESC, region]) + le("Q" if region & 0x80 else "H", addr_off)


def tx_burst(pool, *lens):
    return bytes([D_TX_BURST, len(lens) - 1, pool]) + b"".join(le("H", n) for n in lens)


def iavfbe_rx_corpus():
    cfg = bytes([0x03, 0x00])
    # The guest's receive ring: 32-byte descriptors, 2 KiB buffers; a packet
    # over two buffers, an empty one; then 16-byte descriptors, buffers of
    # 100 bytes, largest packet 1000, bad addresses, a full ring.
    yield "guest_rx", cfg + rx_ring(3, 2048, 0) + \
        b"".join(rx_desc(i * 2048) for i in range(6)) + bytes([D_RX_TAIL]) + \
        tx_burst(0, 60, 3000, 0, 1514) + tx_burst(1, 9000)
    yield "guest_rx_small", cfg + rx_ring(8 | 1, 100, 1000, 3) + \
        b"".join(rx_desc(i * 100) for i in range(8)) + rx_desc(0xdeadbeef, 0x80) + \
        rx_desc(10, 0x42) + rx_desc(0, 1) + bytes([D_RX_TAIL]) + \
        tx_burst(0, 64, 250, 1001, 64, 64, 64, 64, 64) + bytes([D_RX_TAIL | 0x80]) + le("H", 500) + \
        tx_burst(2, 64)


# ----------------------------------------------------- fuzz_vfio_user_client

C_DEVICE_INFO, C_REGION_INFO, C_REGION_MMAP, C_IRQ_INFO, C_REGION_READ, \
    C_REGION_WRITE, C_DMA_MAP, C_DMA_UNMAP, C_DMA_UNMAP_ALL, C_SET_IRQS, \
    C_IRQ_MASK, C_RESET = range(12)
M_RAW_ID, M_RAW_CMD, M_COMMAND, M_ERROR, M_FDS, M_DELTA, M_RAW, M_NO_REPLY = \
    (1 << i for i in range(8))

JSON = (b'{"capabilities":{"max_msg_fds":16,"max_data_xfer_size":1048576,'
        b'"pgsizes":4096,"max_dma_maps":65535,"write_multiple":true}}\0')


def cmsg(payload=b"", ctl=0, mid=None, cmd=None, error=None, fds=None, delta=None):
    m = bytes([ctl]) + le("H", len(payload))
    if ctl & M_RAW_ID:
        m += le("H", mid)
    if ctl & M_RAW_CMD:
        m += le("H", cmd)
    if ctl & M_ERROR:
        m += le("I", error)
    if ctl & M_FDS:
        m += bytes([fds])
    if ctl & M_DELTA:
        m += struct.pack("<b", delta)
    return m + payload


def group(*msgs):
    return bytes([len(msgs)]) + b"".join(msgs)


def call(op, a8=(0, 0, 0), a16=(0, 0), *msgs):
    return bytes([op]) + bytes(a8) + le("HH", *a16) + group(*msgs)


def version_ok():
    return group(cmsg(le("HH", 0, 2) + JSON))


def region_info(index, size, flags=3, offset=0, caps=b""):
    argsz = 32 + len(caps)
    if caps:
        flags |= 8
    return le("IIIIQQ", argsz, flags, index, 32 if caps else 0, size, offset) + caps


def sparse(*areas):
    return le("HHI", 1, 1, 0) + le("II", len(areas), 0) + \
        b"".join(le("QQ", o, s) for o, s in areas)


def client_corpus():
    cfg = b"\x00"
    yield "connect", cfg + version_ok()
    caps = sparse((0, 4096), (8192, 4096))
    ri0 = region_info(0, 65536, 7, 0, caps)
    yield "session", cfg + version_ok() + \
        call(C_DEVICE_INFO, (0, 0, 0), (0, 0), cmsg(le("IIII", 16, 3, 9, 5))) + \
        call(C_REGION_INFO, (0, 0, 0), (0, 0),
             cmsg(le("IIIIQQ", 32 + len(caps), 7, 0, 0, 65536, 0)),
             cmsg(ri0, M_FDS, fds=0)) + \
        call(C_REGION_MMAP, (0, 1, 0)) + \
        call(C_REGION_INFO, (2, 0, 0), (0, 0), cmsg(region_info(2, 16384, 7), M_FDS, fds=0)) + \
        call(C_REGION_MMAP, (2, 0xff, 0)) + \
        call(C_IRQ_INFO, (4, 0, 0), (0, 0), cmsg(le("IIII", 16, 1 | 8, 4, 17))) + \
        call(C_REGION_READ, (0, 0, 0), (8, 4), cmsg(le("QII", 8, 0, 4) + b"abcd")) + \
        call(C_REGION_WRITE, (0, 0, 0), (8, 4), cmsg(le("QII", 8, 0, 4))) + \
        call(C_REGION_WRITE, (0x80, 0, 0), (8, 4)) + \
        call(C_DMA_MAP, (7, 0, 15), (256, 0), cmsg()) + \
        call(C_DMA_UNMAP, (0, 0, 15), (256, 0), cmsg(le("IIQQ", 24, 0, 256 * 4096, 16 * 4096))) + \
        call(C_DMA_UNMAP_ALL, (0, 0, 0), (0, 0), cmsg(le("IIQQ", 24, 2, 0, 0))) + \
        call(C_SET_IRQS, (4, 0, 3), (0, 0), cmsg()) + \
        call(C_IRQ_MASK, (4, 0, 1), (1, 0), cmsg()) + \
        call(C_RESET, (0, 0, 0), (0, 0), cmsg())
    # Negotiated max_msg_fds 1, max_data_xfer_size 2: batches and chunks.
    small = b'{"capabilities":{"max_msg_fds":1,"max_data_xfer_size":2,"pgsizes":12288}}\0'
    yield "small_caps", cfg + group(cmsg(le("HH", 0, 1) + small)) + \
        call(C_SET_IRQS, (4, 0, 3), (0, 0), cmsg(), cmsg(), cmsg()) + \
        call(C_REGION_READ, (0, 0, 0), (0, 4), cmsg(le("QII", 0, 0, 2) + b"ab"),
             cmsg(le("QII", 2, 0, 2) + b"cd"))
    # The server's requests and stray replies in the middle of a call.
    yield "interleaved", cfg + version_ok() + \
        call(C_DEVICE_INFO, (0, 0, 0), (0, 0),
             cmsg(le("QQ", 0, 8), M_COMMAND | M_RAW_ID | M_RAW_CMD, mid=77, cmd=11),
             cmsg(b"", M_RAW_ID | M_ERROR, mid=0x1234, error=5),
             cmsg(le("IIII", 16, 3, 9, 5), M_RAW_ID, mid=1)) + \
        call(C_RESET, (0, 0, 0), (0, 0),
             cmsg(b"", M_COMMAND | M_NO_REPLY | M_RAW_ID | M_RAW_CMD, mid=9, cmd=12),
             cmsg(b"", M_ERROR, error=22))
    # Bad replies: wrong command, bad sizes, fds where none go, error 0.
    yield "bad_replies", cfg + version_ok() + \
        call(C_DEVICE_INFO, (0, 0, 0), (0, 0), cmsg(le("IIII", 16, 3, 9, 5), M_RAW_CMD, cmd=5)) + \
        call(C_IRQ_INFO, (1, 0, 0), (0, 0), cmsg(le("IIII", 16, 1, 1, 1), M_FDS, fds=1)) + \
        call(C_RESET, (0, 0, 0), (0, 0), cmsg(b"", M_ERROR, error=0)) + \
        call(C_RESET, (0, 0, 0), (0, 0), cmsg(b"abc", M_DELTA, delta=-3))
    yield "bad_version", cfg + group(cmsg(le("HH", 1, 0) + JSON)) + call(C_RESET)
    yield "version_error", cfg + group(cmsg(b"", M_ERROR, error=95))
    yield "raw_header", cfg + group(cmsg(le("HHIII", 0, 1, 0xffffffff, 1, 0), M_RAW))
    yield "region_fds", b"\x01" + version_ok() + \
        call(C_REGION_INFO, (1, 0, 0), (0, 0),
             cmsg(region_info(1, 4096, 7), M_FDS, fds=(3 << 2) | 0)) + \
        call(C_REGION_INFO, (3, 0, 0), (0, 0),
             cmsg(region_info(3, 1 << 40, 7, 1 << 62), M_FDS, fds=2)) + \
        call(C_REGION_MMAP, (3, 0xff, 0)) + \
        call(C_REGION_MMAP, (9, 0, 0), (0, 0), cmsg(region_info(9, 8192, 7), M_FDS, fds=3))


TARGETS = {
    "fuzz_vfio_user_server": server_corpus,
    "fuzz_emu_iavf_aq": emu_iavf_corpus,
    "fuzz_iavfbe_txring": lambda: list(iavfbe_corpus()) + list(iavfbe_rx_corpus()),
    "fuzz_vfio_user_client": client_corpus,
}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    names = sys.argv[2:] or list(TARGETS)
    for t in names:
        d = os.path.join(out, t)
        os.makedirs(d, exist_ok=True)
        for name, data in TARGETS[t]():
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
