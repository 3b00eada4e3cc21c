/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef EMU_IAVF_STATE_H
#define EMU_IAVF_STATE_H

/*
 * emu_iavf: the device's migration state, as bytes (emu_iavf_state.c).
 *
 * Format (every integer little-endian), doc/guides/nics/emu_iavf.rst:
 *   header (16 bytes): magic "EIAV" (u32 0x56414945), format major (u16),
 *     minor (u16), total length (u32, header included), CRC-32C (u32,
 *     of the whole state with this field taken as 0);
 *   then sections until the end, in any order: type (u16), flags (u16,
 *     EMU_IAVF_SEC_F_OPTIONAL), payload length (u32), payload.
 * Rules: another major is refused (-EPROTONOSUPPORT); a newer minor may
 * add sections: an unknown one with EMU_IAVF_SEC_F_OPTIONAL is skipped, an
 * unknown one without it is refused (-EPROTONOSUPPORT); in a state of this
 * minor or an older one, an unknown section is corrupt (-EINVAL). Every
 * section of the state's format is required, once (1.0: all but STATS,
 * which it may not have; 1.1: all); its length is exact. Nothing may follow
 * the last section; the total length is exact.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "emu_iavf_priv.h"

#define EMU_IAVF_STATE_MAGIC 0x56414945u /* "EIAV" as little-endian bytes */
#define EMU_IAVF_STATE_MAJOR 1u
#define EMU_IAVF_STATE_MINOR 1u
#define EMU_IAVF_STATE_HDR_LEN 16u
#define EMU_IAVF_STATE_SEC_HDR_LEN 8u
/** Offsets in the header. */
#define EMU_IAVF_STATE_OFF_MAGIC 0u
#define EMU_IAVF_STATE_OFF_MAJOR 4u
#define EMU_IAVF_STATE_OFF_MINOR 6u
#define EMU_IAVF_STATE_OFF_LEN 8u
#define EMU_IAVF_STATE_OFF_CRC 12u

/** Section flag: a reader that does not know the section may skip it. */
#define EMU_IAVF_SEC_F_OPTIONAL 0x1u

/** Section types of format 1.0, and 1.1's STATS (required in 1.1, refused in 1.0). */
enum emu_iavf_sec_type {
	EMU_IAVF_SEC_DEVICE = 1, /**< queue pairs, vectors, MAC */
	EMU_IAVF_SEC_REGS = 2, /**< BAR0 registers (ICR01, RSTAT, the others sparse) */
	EMU_IAVF_SEC_TAILS = 3, /**< the queue tail registers (shared pages) */
	EMU_IAVF_SEC_IRQ = 4, /**< armed/pending per vector, withheld interrupts */
	EMU_IAVF_SEC_MSIX = 5, /**< MSI-X table entries */
	EMU_IAVF_SEC_ADMINQ = 6, /**< messages waiting for the ARQ, link told */
	EMU_IAVF_SEC_VIRTCHNL = 7, /**< version, capabilities, queue pairs, ready */
	EMU_IAVF_SEC_QUEUES = 8, /**< the 2 x 16 queues: ring, vector, head */
	EMU_IAVF_SEC_RXCONF = 9, /**< MAC filters, promiscuous, VLAN, RSS */
	EMU_IAVF_SEC_STATS = 10, /**< 1.1: the guest's counters when the device stopped */
	EMU_IAVF_SEC_MAX,
};

/** Most bytes emu_iavf_state_save() writes. */
size_t emu_iavf_state_size(struct emu_iavf_dev *dev);

/**
 * Write the device's state (under the device lock).
 * @return bytes written, or -ENOSPC when len is too small.
 */
ssize_t emu_iavf_state_save(struct emu_iavf_dev *dev, void *buf, size_t len);

/**
 * Check a state against this device and apply it (under the device lock)
 * when everything is valid; nothing is changed otherwise.
 * @return 0; -EINVAL (corrupt, truncated, foreign, does not fit),
 *   -EPROTONOSUPPORT (another major, or a required section of a newer
 *   minor), -ENOMEM.
 */
int emu_iavf_state_load(struct emu_iavf_dev *dev, const void *buf, size_t len);

/**
 * Check only (the fuzz target's and the tests' entry): as
 * emu_iavf_state_load() without applying.
 */
int emu_iavf_state_check(struct emu_iavf_dev *dev, const void *buf, size_t len);

/** CRC-32C (Castagnoli, DPDK's rte_hash_crc()) of buf, as in the header. */
uint32_t emu_iavf_state_crc(const void *buf, size_t len);

/** Recompute the header's CRC of a state (tests and fuzz target). */
void emu_iavf_state_crc_fix(void *buf, size_t len);

#endif /* EMU_IAVF_STATE_H */
