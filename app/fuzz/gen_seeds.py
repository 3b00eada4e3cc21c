#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The dpdk-emu authors
"""Write seed inputs for fuzz_vfio_user_server into a directory.

Each seed is the option byte 0x01 (prepend QEMU's VERSION) followed by a few
well-formed vfio-user messages, so the fuzzer starts from every command.
"""
import os
import struct
import sys


def msg(mid, cmd, payload=b"", flags=0):
    return struct.pack("<HHII I", mid, cmd, 16 + len(payload), flags, 0) + payload


def seeds():
    cfg_read = struct.pack("<QII", 0, 7, 256)
    yield "get_info", msg(2, 4, struct.pack("<IIII", 16, 0, 0, 0))
    yield "region_info", b"".join(
        msg(2 + i, 5, struct.pack("<IIIIQQ", 80, 0, i, 0, 0, 0)) for i in range(9))
    yield "io_fds", msg(2, 6, struct.pack("<IIII", 16, 0, 0, 0))
    yield "irq_info", b"".join(msg(2 + i, 7, struct.pack("<IIII", 16, 0, i, 0)) for i in range(5))
    yield "set_irqs", msg(2, 8, struct.pack("<IIIII", 20, 4 | 32, 2, 0, 2)) + \
        msg(3, 8, struct.pack("<IIIII", 20, 1 | 8, 2, 0, 1)) + \
        msg(4, 8, struct.pack("<IIIII", 20, 1 | 16, 2, 0, 1)) + \
        msg(5, 8, struct.pack("<IIIII", 22, 2 | 32, 2, 0, 2) + b"\x01\x00")
    yield "cfg_read", msg(2, 9, cfg_read)
    yield "cfg_write", msg(2, 10, struct.pack("<QII", 4, 7, 2) + b"\x06\x00") + \
        msg(3, 10, struct.pack("<QII", 0x10, 7, 4) + b"\xff\xff\xff\xff") + \
        msg(4, 9, struct.pack("<QII", 0x10, 7, 4))
    yield "bar0", msg(2, 10, struct.pack("<QII", 8, 0, 4) + b"abcd", 0x10) + \
        msg(3, 9, struct.pack("<QII", 8, 0, 4))
    yield "write_multi", msg(2, 15, struct.pack("<Q", 2) +
                             struct.pack("<QII", 0, 0, 4) + b"1234\0\0\0\0" +
                             struct.pack("<QII", 8, 4, 8) + b"12345678", 0x10)
    yield "dma", msg(2, 2, struct.pack("<IIQQQ", 32, 3, 0, 0x100000, 0x4000)) + \
        msg(3, 3, struct.pack("<IIQQ", 24, 0, 0x100000, 0x4000)) + \
        msg(4, 3, struct.pack("<IIQQ", 24, 2, 0, 0))
    yield "reset", msg(2, 13)
    yield "feature", msg(2, 16, struct.pack("<II", 8, 0x10001))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(b"\x01" + data)


if __name__ == "__main__":
    main()
