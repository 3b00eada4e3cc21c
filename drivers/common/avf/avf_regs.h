/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef AVF_REGS_H
#define AVF_REGS_H

/**
 * @file
 * Intel Ethernet Adaptive Virtual Function (AVF): the device as a VF
 * driver sees it on PCI: identity, BAR layout, BAR0 register offsets and
 * bits.
 *
 * Written for this project from the public descriptions of the device
 * (the offsets and bits are those the Linux iavf and DPDK iavf drivers
 * use). Registers are 32 bits, little-endian.
 *
 * Internal header (drivers/common/avf): shared by the device model
 * (emu_iavf), the VF driver (net_iavf_client) and their tests.
 */

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ PCI identity */

#define AVF_PCI_VENDOR_ID 0x8086u
#define AVF_PCI_DEVICE_ID 0x1889u /**< Ethernet Adaptive Virtual Function */
#define AVF_PCI_SUBSYS_VENDOR_ID 0x8086u
#define AVF_PCI_SUBSYS_ID 0x0000u
#define AVF_PCI_CLASS 0x020000u /**< network, Ethernet (class, subclass, prog-if) */
#define AVF_PCI_REVISION 0x01u

/* ------------------------------------------------------------- BAR layout */

/** BAR0: the register file (64-bit memory BAR). */
#define AVF_BAR0_SIZE 0x10000u
/** BAR3: MSI-X table and PBA (32-bit memory BAR). */
#define AVF_MSIX_BAR 3u
#define AVF_MSIX_BAR_SIZE 0x4000u
#define AVF_MSIX_TABLE_OFF 0x0u
#define AVF_MSIX_PBA_OFF 0x2000u

/** The pages of BAR0 that hold the queues' tail registers. */
#define AVF_TAIL_PAGE_SIZE 0x1000u
#define AVF_TX_TAIL_PAGE 0x0000u
#define AVF_RX_TAIL_PAGE 0x2000u

/** Queue pairs of a VF (without VIRTCHNL_VF_LARGE_NUM_QPAIRS). */
#define AVF_MAX_QUEUE_PAIRS 16u
/** Interrupt vectors: vector 0 (admin queue, "other") + one per queue pair. */
#define AVF_MAX_VECTORS (AVF_MAX_QUEUE_PAIRS + 1u)

/* ------------------------------------------------------------ BAR0 registers */

/** Transmit tail of queue q (in the TX tail page). */
#define AVF_QTX_TAIL1(q) (0x0000u + 4u * (q))
/** Receive tail of queue q (in the RX tail page). */
#define AVF_QRX_TAIL1(q) (0x2000u + 4u * (q))

/** ITR interval i (0..2) of vector v + 1 (v = 0..15). */
#define AVF_VFINT_ITRN1(i, v) (0x2800u + 64u * (i) + 4u * (v))
/** Dynamic control of vector v + 1 (v = 0..15). */
#define AVF_VFINT_DYN_CTLN1(v) (0x3800u + 4u * (v))
/** Interrupt cause of vector 0; read-to-clear. */
#define AVF_VFINT_ICR01 0x4800u
/** ITR interval i (0..2) of vector 0. */
#define AVF_VFINT_ITR01(i) (0x4C00u + 4u * (i))
/** Cause enable of vector 0. */
#define AVF_VFINT_ICR0_ENA1 0x5000u
#define AVF_VFINT_STAT_CTL01 0x5400u
/** Dynamic control of vector 0. */
#define AVF_VFINT_DYN_CTL01 0x5C00u

/* Admin queue registers ("1" = the VF's copy). */
#define AVF_VF_ARQBAH1 0x6000u
#define AVF_VF_ATQH1 0x6400u
#define AVF_VF_ATQLEN1 0x6800u
#define AVF_VF_ARQBAL1 0x6C00u
#define AVF_VF_ARQT1 0x7000u
#define AVF_VF_ARQH1 0x7400u
#define AVF_VF_ATQBAH1 0x7800u
#define AVF_VF_ATQBAL1 0x7C00u
#define AVF_VF_ARQLEN1 0x8000u
#define AVF_VF_ATQT1 0x8400u

/** Reset status. */
#define AVF_VFGEN_RSTAT 0x8800u

/* RSS registers. */
#define AVF_VFQF_HENA(i) (0xC400u + 4u * (i)) /**< i = 0..1 */
#define AVF_VFQF_HKEY(i) (0xCC00u + 4u * (i)) /**< i = 0..12 */
#define AVF_VFQF_HLUT(i) (0xD000u + 4u * (i)) /**< i = 0..15 */
/** RSS key and lookup table sizes of a VF (13 and 16 registers). */
#define AVF_RSS_KEY_SIZE 52u
#define AVF_RSS_LUT_SIZE 64u

/* DYN_CTLN1 / DYN_CTL01 bits. */
#define AVF_DYN_CTL_INTENA (1u << 0)
#define AVF_DYN_CTL_CLEARPBA (1u << 1)
#define AVF_DYN_CTL_SWINT_TRIG (1u << 2)
#define AVF_DYN_CTL_ITR_INDX_SHIFT 3
#define AVF_DYN_CTL_ITR_INDX_MASK (3u << 3)
#define AVF_DYN_CTL_INTERVAL_SHIFT 5
#define AVF_DYN_CTL_INTERVAL_MASK (0xFFFu << 5)
#define AVF_DYN_CTL_SW_ITR_INDX_ENA (1u << 24)
#define AVF_DYN_CTL_SW_ITR_INDX_MASK (3u << 25)
#define AVF_DYN_CTL_WB_ON_ITR (1u << 30)
/** When set, the write does not change INTENA. */
#define AVF_DYN_CTL_INTENA_MSK (1u << 31)

/* ICR01 (cause) and ICR0_ENA1 (enable) bits. */
#define AVF_ICR0_INTEVENT (1u << 0)
#define AVF_ICR0_QUEUE_0 (1u << 1)
#define AVF_ICR0_QUEUE_1 (1u << 2)
#define AVF_ICR0_LINK_STAT_CHANGE (1u << 25)
#define AVF_ICR0_ADMINQ (1u << 30)
#define AVF_ICR0_SWINT (1u << 31)

/* ATQLEN / ARQLEN bits. */
#define AVF_AQLEN_LEN_MASK 0x3FFu
#define AVF_AQLEN_VFE (1u << 28)
#define AVF_AQLEN_OVFL (1u << 29)
#define AVF_AQLEN_CRIT (1u << 30)
#define AVF_AQLEN_ENABLE (1u << 31)
#define AVF_AQLEN_ERR_MASK (AVF_AQLEN_VFE | AVF_AQLEN_OVFL | AVF_AQLEN_CRIT)
/** Head and tail registers: 10-bit indices. */
#define AVF_AQ_PTR_MASK 0x3FFu

/* VFGEN_RSTAT states (bits 1:0). */
#define AVF_RSTAT_MASK 0x3u
#define AVF_RSTAT_INPROGRESS 0u
#define AVF_RSTAT_COMPLETED 1u
#define AVF_RSTAT_VFACTIVE 2u

#ifdef __cplusplus
}
#endif

#endif /* AVF_REGS_H */
