/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef AVF_DESC_H
#define AVF_DESC_H

/**
 * @file
 * Intel Ethernet Adaptive Virtual Function (AVF): the data path as the
 * device and a VF driver share it in memory: transmit descriptors (data
 * and context), legacy receive descriptors (16 and 32 bytes), the rules of
 * rings, buffers and frames.
 *
 * Written for this project from the public descriptions of the device.
 * Descriptors are little-endian quadwords in memory; the fields are given
 * as the shift and the (unshifted) mask of their bits in a quadword.
 */

#include <assert.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --------------------------------------------------- transmit descriptors */

/** Transmit descriptor (16 bytes), data or context. */
struct avf_tx_desc {
	uint64_t qw0; /**< data: buffer address; context: tunneling, L2TAG2 */
	uint64_t qw1; /**< DTYPE, command, offsets, size, tag */
};

/* QW1 bits 3:0, both kinds: the descriptor type. */
#define AVF_TXD_DTYPE_MASK 0xFull
#define AVF_TXD_DTYPE_DATA 0x0ull
#define AVF_TXD_DTYPE_CTX 0x1ull
/** Written back by the device when it is done with a descriptor with RS. */
#define AVF_TXD_DTYPE_DONE 0xFull

/* Data descriptor QW1. */
#define AVF_TXD_CMD_SHIFT 4
#define AVF_TXD_CMD_MASK 0x3FFull
#define AVF_TXD_CMD_EOP 0x001u /**< last descriptor of the packet */
#define AVF_TXD_CMD_RS 0x002u /**< report status (write back DONE) */
#define AVF_TXD_CMD_ICRC 0x004u /**< insert the CRC */
#define AVF_TXD_CMD_IL2TAG1 0x008u /**< insert the tag of L2TAG1 */
#define AVF_TXD_CMD_IIPT_MASK 0x060u
#define AVF_TXD_CMD_IIPT_NONIP 0x000u
#define AVF_TXD_CMD_IIPT_IPV6 0x020u
#define AVF_TXD_CMD_IIPT_IPV4 0x040u
#define AVF_TXD_CMD_IIPT_IPV4_CSUM 0x060u /**< IPv4, checksum filled in */
#define AVF_TXD_CMD_L4T_MASK 0x300u
#define AVF_TXD_CMD_L4T_NONE 0x000u
#define AVF_TXD_CMD_L4T_TCP 0x100u
#define AVF_TXD_CMD_L4T_SCTP 0x200u
#define AVF_TXD_CMD_L4T_UDP 0x300u
#define AVF_TXD_OFFSET_SHIFT 16
#define AVF_TXD_OFFSET_MASK 0x3FFFFull
#define AVF_TXD_MACLEN(off) (((off)&0x7Fu) * 2u) /**< bytes */
#define AVF_TXD_IPLEN(off) ((((off) >> 7) & 0x7Fu) * 4u) /**< bytes */
#define AVF_TXD_L4LEN(off) ((((off) >> 14) & 0xFu) * 4u) /**< bytes */
#define AVF_TXD_BSZ_SHIFT 34
#define AVF_TXD_BSZ_MASK 0x3FFFull
#define AVF_TXD_L2TAG1_SHIFT 48

/* Context descriptor QW1. */
#define AVF_TXCD_CMD_SHIFT 4
#define AVF_TXCD_CMD_MASK 0xFFFFull
#define AVF_TXCD_CMD_TSO 0x1u
#define AVF_TXCD_TSO_LEN_SHIFT 30
#define AVF_TXCD_TSO_LEN_MASK 0x3FFFFull
#define AVF_TXCD_MSS_SHIFT 50
#define AVF_TXCD_MSS_MASK 0x3FFFull

/** Smallest frame the device transmits. */
#define AVF_TX_MIN_FRAME 17u
/** Most data descriptors of a packet without TSO. */
#define AVF_TX_MAX_DATA_DESCS 8u

/* ---------------------------------------------------- receive descriptors */

/**
 * Receive descriptor, legacy 32-byte format (the 16-byte format is its
 * first two quadwords). Read format: QW0 packet buffer address, QW1 header
 * buffer address (0); write-back: QW0 tag and hash, QW1 status, errors,
 * length.
 */
struct avf_rx_desc {
	uint64_t qw0;
	uint64_t qw1;
	uint64_t qw2;
	uint64_t qw3;
};

/** Byte offsets of the quadwords in a descriptor. */
#define AVF_RXD_QW0_OFFSET 0u
#define AVF_RXD_QW1_OFFSET 8u

/* Write-back QW0 (16- and 32-byte formats). */
#define AVF_RXD_QW0_L2TAG1_SHIFT 16
#define AVF_RXD_QW0_RSS_SHIFT 32

/* Write-back QW1: status (bits 18:0), errors (26:19), length (51:38). */
#define AVF_RXD_QW1_DD (1ull << 0)
#define AVF_RXD_QW1_EOF (1ull << 1)
#define AVF_RXD_QW1_L2TAG1P (1ull << 2) /**< L2TAG1 holds a stripped tag */
#define AVF_RXD_QW1_FLTSTAT_SHIFT 12
/** QW0 holds the RSS hash. */
#define AVF_RXD_QW1_FLTSTAT_RSS (3ull << AVF_RXD_QW1_FLTSTAT_SHIFT)
#define AVF_RXD_QW1_ERR_RXE (1ull << 19)
#define AVF_RXD_QW1_ERR_OVERSIZE (1ull << 25)
#define AVF_RXD_QW1_LEN_SHIFT 38
#define AVF_RXD_QW1_LEN_MASK 0x3FFFull

/* ---------------------------------------------------- rings, buffers, frames */

/** Transmit descriptor size; receive descriptors: 32 bytes (legacy). */
#define AVF_TX_DESC_SIZE 16u
#define AVF_RX_DESC_SIZE 32u
/** Transmit rings: 8 .. 4096 descriptors, a multiple of 8. */
#define AVF_TX_RING_ALIGN 8u
/** Receive rings: 32 .. 4096 descriptors, a multiple of 32. */
#define AVF_RX_RING_ALIGN 32u
#define AVF_RING_LEN_MAX 4096u
/** Ring base addresses: 128-byte aligned. */
#define AVF_RING_ADDR_ALIGN 128u
/** Receive buffers: 128 .. 16 KiB - 128 bytes, counted in 128-byte units. */
#define AVF_RX_BUF_MIN 128u
#define AVF_RX_BUF_MAX (16384u - 128u)
#define AVF_RX_BUF_ALIGN 128u
/** A receive queue's max_pkt_size: 64 .. 16383 bytes. */
#define AVF_RX_MAX_PKT_MIN 64u
#define AVF_RX_MAX_PKT_MAX 16383u
/** Largest frame the device sends or receives (without TSO). */
#define AVF_MAX_FRAME 9728u

/**
 * The descriptor formats of AVF rings, as an AVF device model (emu_iavf)
 * reports them to its consumer (net_iavfbe) in
 * rte_emudev_queue_info::desc_format; 0 is RTE_EMUDEV_DESC_NONE.
 */
enum avf_desc_format {
	AVF_DESC_FMT_NONE = 0, /**< no ring */
	AVF_DESC_FMT_TX = 1, /**< transmit descriptors (data and context), 16 bytes */
	AVF_DESC_FMT_RX_16B = 2, /**< legacy receive descriptors, 16 bytes */
	AVF_DESC_FMT_RX_32B = 3, /**< legacy receive descriptors, 32 bytes */
};

/** @return bytes per descriptor of a format; 0 for NONE and unknown ones. */
static inline uint32_t
avf_desc_fmt_size(uint32_t fmt)
{
	switch (fmt) {
	case AVF_DESC_FMT_TX:
	case AVF_DESC_FMT_RX_16B:
		return 16;
	case AVF_DESC_FMT_RX_32B:
		return 32;
	default:
		return 0;
	}
}

static_assert(sizeof(struct avf_tx_desc) == AVF_TX_DESC_SIZE, "tx_desc");
static_assert(sizeof(struct avf_rx_desc) == AVF_RX_DESC_SIZE, "rx_desc");

#ifdef __cplusplus
}
#endif

#endif /* AVF_DESC_H */
