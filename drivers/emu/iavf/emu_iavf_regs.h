/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef EMU_IAVF_REGS_H
#define EMU_IAVF_REGS_H

/**
 * @file
 * Intel Ethernet Adaptive Virtual Function (AVF): the facts of the device
 * the emu_iavf model emulates, as a guest driver sees them: PCI identity,
 * BAR layout, BAR0 register offsets and bits, the admin queue descriptor,
 * virtchnl 1.1 opcodes, status codes and message layouts.
 *
 * Written for this project from the public descriptions of the device
 * (the register and message layouts are those the stock Linux iavf and
 * DPDK iavf drivers use). Every multi-byte field is little-endian on the
 * wire; the structures below match the wire layout on a little-endian host
 * (sizes are checked at compile time).
 *
 * Internal header: shared by the device model and its unit tests.
 */

#include <assert.h>
#include <stdint.h>

#include <rte_common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ PCI identity */

#define EMU_IAVF_PCI_VENDOR_ID 0x8086u
#define EMU_IAVF_PCI_DEVICE_ID 0x1889u /**< Ethernet Adaptive Virtual Function */
#define EMU_IAVF_PCI_SUBSYS_VENDOR_ID 0x8086u
#define EMU_IAVF_PCI_SUBSYS_ID 0x0000u
#define EMU_IAVF_PCI_CLASS 0x020000u /**< network, Ethernet */
#define EMU_IAVF_PCI_REVISION 0x01u

/* ------------------------------------------------------------- BAR layout */

/** BAR0: the register file (64-bit memory BAR). */
#define EMU_IAVF_BAR0_SIZE 0x10000u
/** BAR3: MSI-X table and PBA (32-bit memory BAR). */
#define EMU_IAVF_MSIX_BAR 3u
#define EMU_IAVF_MSIX_BAR_SIZE 0x4000u
#define EMU_IAVF_MSIX_TABLE_OFF 0x0u
#define EMU_IAVF_MSIX_PBA_OFF 0x2000u

/** Pages of BAR0 that are mmapped by the client (tails, in a memfd). */
#define EMU_IAVF_TAIL_PAGE_SIZE 0x1000u
#define EMU_IAVF_TX_TAIL_PAGE 0x0000u
#define EMU_IAVF_RX_TAIL_PAGE 0x2000u

/** Queue pairs a device may have (devarg queues=1..16). */
#define EMU_IAVF_MAX_QUEUE_PAIRS 16u
/** Interrupt vectors: vector 0 (admin queue, "other") + one per queue pair. */
#define EMU_IAVF_MAX_VECTORS (EMU_IAVF_MAX_QUEUE_PAIRS + 1u)

/* ------------------------------------------------------------ BAR0 registers */

/** Transmit tail of queue q (in the mmapped TX tail page). */
#define EMU_IAVF_QTX_TAIL1(q) (0x0000u + 4u * (q))
/** Receive tail of queue q (in the mmapped RX tail page). */
#define EMU_IAVF_QRX_TAIL1(q) (0x2000u + 4u * (q))

/** ITR interval i (0..2) of vector v + 1 (v = 0..15). */
#define EMU_IAVF_VFINT_ITRN1(i, v) (0x2800u + 64u * (i) + 4u * (v))
/** Dynamic control of vector v + 1 (v = 0..15). */
#define EMU_IAVF_VFINT_DYN_CTLN1(v) (0x3800u + 4u * (v))
/** Interrupt cause of vector 0; read-to-clear. */
#define EMU_IAVF_VFINT_ICR01 0x4800u
/** ITR interval i (0..2) of vector 0. */
#define EMU_IAVF_VFINT_ITR01(i) (0x4C00u + 4u * (i))
/** Cause enable of vector 0. */
#define EMU_IAVF_VFINT_ICR0_ENA1 0x5000u
#define EMU_IAVF_VFINT_STAT_CTL01 0x5400u
/** Dynamic control of vector 0. */
#define EMU_IAVF_VFINT_DYN_CTL01 0x5C00u

/* Admin queue registers ("1" = the VF's copy). */
#define EMU_IAVF_VF_ARQBAH1 0x6000u
#define EMU_IAVF_VF_ATQH1 0x6400u
#define EMU_IAVF_VF_ATQLEN1 0x6800u
#define EMU_IAVF_VF_ARQBAL1 0x6C00u
#define EMU_IAVF_VF_ARQT1 0x7000u
#define EMU_IAVF_VF_ARQH1 0x7400u
#define EMU_IAVF_VF_ATQBAH1 0x7800u
#define EMU_IAVF_VF_ATQBAL1 0x7C00u
#define EMU_IAVF_VF_ARQLEN1 0x8000u
#define EMU_IAVF_VF_ATQT1 0x8400u

/** Reset status. */
#define EMU_IAVF_VFGEN_RSTAT 0x8800u

/* RSS registers (read back only: RSS_REG is not offered, RSS_PF is). */
#define EMU_IAVF_VFQF_HENA(i) (0xC400u + 4u * (i)) /**< i = 0..1 */
#define EMU_IAVF_VFQF_HKEY(i) (0xCC00u + 4u * (i)) /**< i = 0..12 (13 tolerated) */
#define EMU_IAVF_VFQF_HLUT(i) (0xD000u + 4u * (i)) /**< i = 0..15 (16 tolerated) */

/* DYN_CTLN1 / DYN_CTL01 bits. */
#define EMU_IAVF_DYN_CTL_INTENA (1u << 0)
#define EMU_IAVF_DYN_CTL_CLEARPBA (1u << 1)
#define EMU_IAVF_DYN_CTL_SWINT_TRIG (1u << 2)
#define EMU_IAVF_DYN_CTL_ITR_INDX_SHIFT 3
#define EMU_IAVF_DYN_CTL_ITR_INDX_MASK (3u << 3)
#define EMU_IAVF_DYN_CTL_INTERVAL_SHIFT 5
#define EMU_IAVF_DYN_CTL_INTERVAL_MASK (0xFFFu << 5)
#define EMU_IAVF_DYN_CTL_SW_ITR_INDX_ENA (1u << 24)
#define EMU_IAVF_DYN_CTL_SW_ITR_INDX_MASK (3u << 25)
#define EMU_IAVF_DYN_CTL_WB_ON_ITR (1u << 30)
/** When set, the write does not change INTENA. */
#define EMU_IAVF_DYN_CTL_INTENA_MSK (1u << 31)

/* ICR01 (cause) and ICR0_ENA1 (enable) bits. */
#define EMU_IAVF_ICR0_INTEVENT (1u << 0)
#define EMU_IAVF_ICR0_QUEUE_0 (1u << 1)
#define EMU_IAVF_ICR0_QUEUE_1 (1u << 2)
#define EMU_IAVF_ICR0_LINK_STAT_CHANGE (1u << 25)
#define EMU_IAVF_ICR0_ADMINQ (1u << 30)
#define EMU_IAVF_ICR0_SWINT (1u << 31)

/* ATQLEN / ARQLEN bits. */
#define EMU_IAVF_AQLEN_LEN_MASK 0x3FFu
#define EMU_IAVF_AQLEN_VFE (1u << 28)
#define EMU_IAVF_AQLEN_OVFL (1u << 29)
#define EMU_IAVF_AQLEN_CRIT (1u << 30)
#define EMU_IAVF_AQLEN_ENABLE (1u << 31)
#define EMU_IAVF_AQLEN_ERR_MASK (EMU_IAVF_AQLEN_VFE | EMU_IAVF_AQLEN_OVFL | EMU_IAVF_AQLEN_CRIT)
/** Head and tail registers: 10-bit indices. */
#define EMU_IAVF_AQ_PTR_MASK 0x3FFu

/* VFGEN_RSTAT states (bits 1:0). */
#define EMU_IAVF_RSTAT_MASK 0x3u
#define EMU_IAVF_RSTAT_INPROGRESS 0u
#define EMU_IAVF_RSTAT_COMPLETED 1u
#define EMU_IAVF_RSTAT_VFACTIVE 2u

/* ------------------------------------------------------------- admin queue */

/** Admin queue descriptor (32 bytes). */
struct emu_iavf_aq_desc {
	uint16_t flags;
	uint16_t opcode;
	uint16_t datalen;
	uint16_t retval;
	uint32_t cookie_high; /**< virtchnl opcode */
	uint32_t cookie_low; /**< virtchnl status (PF -> VF) */
	uint32_t param0;
	uint32_t param1;
	uint32_t addr_high; /**< buffer address, high 32 bits */
	uint32_t addr_low; /**< buffer address, low 32 bits */
};

/* Descriptor flags. */
#define EMU_IAVF_AQ_FLAG_DD 0x0001u
#define EMU_IAVF_AQ_FLAG_CMP 0x0002u
#define EMU_IAVF_AQ_FLAG_ERR 0x0004u
#define EMU_IAVF_AQ_FLAG_VFE 0x0008u
#define EMU_IAVF_AQ_FLAG_LB 0x0200u /**< buffer larger than 512 bytes */
#define EMU_IAVF_AQ_FLAG_RD 0x0400u /**< buffer is read by the device */
#define EMU_IAVF_AQ_FLAG_VFC 0x0800u
#define EMU_IAVF_AQ_FLAG_BUF 0x1000u /**< descriptor has a buffer */
#define EMU_IAVF_AQ_FLAG_SI 0x2000u
#define EMU_IAVF_AQ_FLAG_EI 0x4000u
#define EMU_IAVF_AQ_FLAG_FE 0x8000u

/* Admin queue opcodes. */
#define EMU_IAVF_AQ_OP_QUEUE_SHUTDOWN 0x0003u
#define EMU_IAVF_AQ_OP_SEND_MSG_TO_PF 0x0801u
#define EMU_IAVF_AQ_OP_SEND_MSG_TO_VF 0x0802u

/* Admin queue return codes (descriptor retval). */
#define EMU_IAVF_AQ_RC_OK 0u
#define EMU_IAVF_AQ_RC_EINVAL 14u
#define EMU_IAVF_AQ_RC_ENOSYS 17u
#define EMU_IAVF_AQ_RC_EFAULT 11u

/** Largest admin queue buffer. */
#define EMU_IAVF_AQ_BUF_MAX 4096u
/** Most descriptors in an admin queue ring (10-bit length). */
#define EMU_IAVF_AQ_RING_MAX 1023u

/* ---------------------------------------------------------------- virtchnl */

#define EMU_IAVF_VIRTCHNL_VERSION_MAJOR 1u
#define EMU_IAVF_VIRTCHNL_VERSION_MINOR 1u

/* virtchnl opcodes (cookie_high). */
#define VIRTCHNL_OP_UNKNOWN 0
#define VIRTCHNL_OP_VERSION 1
#define VIRTCHNL_OP_RESET_VF 2
#define VIRTCHNL_OP_GET_VF_RESOURCES 3
#define VIRTCHNL_OP_CONFIG_TX_QUEUE 4
#define VIRTCHNL_OP_CONFIG_RX_QUEUE 5
#define VIRTCHNL_OP_CONFIG_VSI_QUEUES 6
#define VIRTCHNL_OP_CONFIG_IRQ_MAP 7
#define VIRTCHNL_OP_ENABLE_QUEUES 8
#define VIRTCHNL_OP_DISABLE_QUEUES 9
#define VIRTCHNL_OP_ADD_ETH_ADDR 10
#define VIRTCHNL_OP_DEL_ETH_ADDR 11
#define VIRTCHNL_OP_ADD_VLAN 12
#define VIRTCHNL_OP_DEL_VLAN 13
#define VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE 14
#define VIRTCHNL_OP_GET_STATS 15
#define VIRTCHNL_OP_EVENT 17
#define VIRTCHNL_OP_CONFIG_RSS_KEY 23
#define VIRTCHNL_OP_CONFIG_RSS_LUT 24
#define VIRTCHNL_OP_GET_RSS_HENA_CAPS 25
#define VIRTCHNL_OP_SET_RSS_HENA 26
#define VIRTCHNL_OP_ENABLE_VLAN_STRIPPING 27
#define VIRTCHNL_OP_DISABLE_VLAN_STRIPPING 28
#define VIRTCHNL_OP_REQUEST_QUEUES 29
#define VIRTCHNL_OP_GET_SUPPORTED_RXDIDS 44
#define VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS 51
#define VIRTCHNL_OP_ADD_VLAN_V2 52
#define VIRTCHNL_OP_DEL_VLAN_V2 53
#define VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2 54
#define VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2 55
#define VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2 56
#define VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2 57
#define VIRTCHNL_OP_ENABLE_VLAN_FILTERING_V2 58
#define VIRTCHNL_OP_DISABLE_VLAN_FILTERING_V2 59

/* virtchnl status codes (cookie_low of PF -> VF messages). */
#define VIRTCHNL_STATUS_SUCCESS 0
#define VIRTCHNL_STATUS_ERR_PARAM (-5)
#define VIRTCHNL_STATUS_ERR_NO_MEMORY (-18)
#define VIRTCHNL_STATUS_ERR_OPCODE_MISMATCH (-38)
#define VIRTCHNL_STATUS_ERR_CQP_COMPL_ERROR (-39)
#define VIRTCHNL_STATUS_ERR_INVALID_VF_ID (-40)
#define VIRTCHNL_STATUS_ERR_ADMIN_QUEUE_ERROR (-53)
#define VIRTCHNL_STATUS_ERR_NOT_SUPPORTED (-64)

/* Capability flags (vf_cap_flags). */
#define VIRTCHNL_VF_OFFLOAD_L2 (1u << 0)
#define VIRTCHNL_VF_OFFLOAD_RSS_AQ (1u << 3)
#define VIRTCHNL_VF_OFFLOAD_RSS_REG (1u << 4)
#define VIRTCHNL_VF_OFFLOAD_WB_ON_ITR (1u << 5)
#define VIRTCHNL_VF_OFFLOAD_REQ_QUEUES (1u << 6)
#define VIRTCHNL_VF_CAP_ADV_LINK_SPEED (1u << 7)
#define VIRTCHNL_VF_LARGE_NUM_QPAIRS (1u << 9)
#define VIRTCHNL_VF_OFFLOAD_CRC (1u << 10)
#define VIRTCHNL_VF_OFFLOAD_VLAN_V2 (1u << 15)
#define VIRTCHNL_VF_OFFLOAD_VLAN (1u << 16)
#define VIRTCHNL_VF_OFFLOAD_RX_POLLING (1u << 17)
#define VIRTCHNL_VF_OFFLOAD_RSS_PCTYPE_V2 (1u << 18)
#define VIRTCHNL_VF_OFFLOAD_RSS_PF (1u << 19)
#define VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC (1u << 26)

/**
 * Capabilities the emu_iavf device offers: L2 and the advanced link speed
 * format of LINK_CHANGE events. The reply to GET_VF_RESOURCES carries the
 * intersection with the capabilities the VF asked for (1.1), or L2 alone
 * (a 1.0 VF, or a request without capabilities).
 */
/** What the device offers (to a driver that asks for it). */
#define EMU_IAVF_CAPS \
	(VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_CAP_ADV_LINK_SPEED | VIRTCHNL_VF_OFFLOAD_VLAN_V2 | \
	 VIRTCHNL_VF_OFFLOAD_RSS_PF)

/* Hash filter (PCTYPE) bits of SET_RSS_HENA (enum virtchnl_hash_filter). */
#define VIRTCHNL_HASH_FILTER_IPV4_UDP 31
#define VIRTCHNL_HASH_FILTER_IPV4_TCP 33
#define VIRTCHNL_HASH_FILTER_IPV4_SCTP 34
#define VIRTCHNL_HASH_FILTER_IPV4_OTHER 35
#define VIRTCHNL_HASH_FILTER_FRAG_IPV4 36
#define VIRTCHNL_HASH_FILTER_IPV6_UDP 41
#define VIRTCHNL_HASH_FILTER_IPV6_TCP 43
#define VIRTCHNL_HASH_FILTER_IPV6_SCTP 44
#define VIRTCHNL_HASH_FILTER_IPV6_OTHER 45
#define VIRTCHNL_HASH_FILTER_FRAG_IPV6 46
#define VIRTCHNL_HASH_FILTER_L2_PAYLOAD 63
/** The hash filters the device hashes (GET_RSS_HENA_CAPS), set after a reset. */
#define EMU_IAVF_RSS_HENA_CAPS \
	((uint64_t)((1ull << VIRTCHNL_HASH_FILTER_IPV4_UDP) | \
		    (1ull << VIRTCHNL_HASH_FILTER_IPV4_TCP) | \
		    (1ull << VIRTCHNL_HASH_FILTER_IPV4_SCTP) | \
		    (1ull << VIRTCHNL_HASH_FILTER_IPV4_OTHER) | \
		    (1ull << VIRTCHNL_HASH_FILTER_FRAG_IPV4) | \
		    (1ull << VIRTCHNL_HASH_FILTER_IPV6_UDP) | \
		    (1ull << VIRTCHNL_HASH_FILTER_IPV6_TCP) | \
		    (1ull << VIRTCHNL_HASH_FILTER_IPV6_SCTP) | \
		    (1ull << VIRTCHNL_HASH_FILTER_IPV6_OTHER) | \
		    (1ull << VIRTCHNL_HASH_FILTER_FRAG_IPV6) | \
		    (1ull << VIRTCHNL_HASH_FILTER_L2_PAYLOAD)))

/* VLAN V2 capability bits (enum virtchnl_vlan_support). */
#define VIRTCHNL_VLAN_ETHERTYPE_8100 0x00000001u
#define VIRTCHNL_VLAN_TAG_LOCATION_L2TAG1 0x00000100u
#define VIRTCHNL_VLAN_TOGGLE 0x80000000u
#define VIRTCHNL_ETHERTYPE_STRIPPING_MATCHES_INSERTION 0u
/** Most VLAN filters (VLAN 0 included) the guest may add. */
#define EMU_IAVF_MAX_VLANS 64u

/** VSI type of every VF VSI. */
#define VIRTCHNL_VSI_SRIOV 6

/** VSI id of the device's single VSI. */
#define EMU_IAVF_VSI_ID 1u

/* Legacy link speeds (LINK_CHANGE without ADV_LINK_SPEED). */
#define VIRTCHNL_LINK_SPEED_UNKNOWN 0u
#define VIRTCHNL_LINK_SPEED_2_5GB (1u << 0)
#define VIRTCHNL_LINK_SPEED_100MB (1u << 1)
#define VIRTCHNL_LINK_SPEED_1GB (1u << 2)
#define VIRTCHNL_LINK_SPEED_10GB (1u << 3)
#define VIRTCHNL_LINK_SPEED_40GB (1u << 4)
#define VIRTCHNL_LINK_SPEED_20GB (1u << 5)
#define VIRTCHNL_LINK_SPEED_25GB (1u << 6)
#define VIRTCHNL_LINK_SPEED_5GB (1u << 7)

/* pf_event events and severities. */
#define VIRTCHNL_EVENT_UNKNOWN 0
#define VIRTCHNL_EVENT_LINK_CHANGE 1
#define VIRTCHNL_EVENT_RESET_IMPENDING 2
#define VIRTCHNL_EVENT_PF_DRIVER_CLOSE 3
#define VIRTCHNL_PF_EVENT_SEVERITY_INFO 0

/* Promiscuous flags. */
#define VIRTCHNL_FLAG_UNICAST_PROMISC 0x1u
#define VIRTCHNL_FLAG_MULTICAST_PROMISC 0x2u

/** VERSION request and reply. */
struct virtchnl_version_info {
	uint32_t major;
	uint32_t minor;
};

/** One VSI of GET_VF_RESOURCES' reply. */
struct virtchnl_vsi_resource {
	uint16_t vsi_id;
	uint16_t num_queue_pairs;
	int32_t vsi_type; /**< VIRTCHNL_VSI_SRIOV */
	uint16_t qset_handle;
	uint8_t default_mac_addr[6];
};

/** GET_VF_RESOURCES reply (followed by num_vsis vsi resources). */
struct virtchnl_vf_resource {
	uint16_t num_vsis;
	uint16_t num_queue_pairs;
	uint16_t max_vectors;
	uint16_t max_mtu;
	uint32_t vf_cap_flags;
	uint32_t rss_key_size;
	uint32_t rss_lut_size;
	struct virtchnl_vsi_resource vsi_res[];
};

/** Transmit queue of CONFIG_VSI_QUEUES. */
struct virtchnl_txq_info {
	uint16_t vsi_id;
	uint16_t queue_id;
	uint16_t ring_len; /**< descriptors */
	uint16_t headwb_enabled; /**< deprecated */
	uint64_t dma_ring_addr;
	uint64_t dma_headwb_addr; /**< deprecated */
};

/** Receive queue of CONFIG_VSI_QUEUES. */
struct virtchnl_rxq_info {
	uint16_t vsi_id;
	uint16_t queue_id;
	uint32_t ring_len; /**< descriptors, multiple of 32 */
	uint16_t hdr_size;
	uint16_t splithdr_enabled; /**< deprecated */
	uint32_t databuffer_size;
	uint32_t max_pkt_size;
	uint8_t crc_disable;
	uint8_t rxdid; /**< only with RX_FLEX_DESC */
	uint8_t flags;
	uint8_t pad1;
	uint64_t dma_ring_addr;
	int32_t rx_split_pos; /**< deprecated */
	uint32_t pad2;
};

/** One queue pair of CONFIG_VSI_QUEUES. */
struct virtchnl_queue_pair_info {
	struct virtchnl_txq_info txq;
	struct virtchnl_rxq_info rxq;
};

/**
 * CONFIG_VSI_QUEUES request: 8 bytes then num_queue_pairs pairs (older
 * drivers send the length of a one-element array in addition: 72 + 64 n).
 */
struct virtchnl_vsi_queue_config_info {
	uint16_t vsi_id;
	uint16_t num_queue_pairs;
	uint32_t pad;
	struct virtchnl_queue_pair_info qpair[];
};

/** One vector of CONFIG_IRQ_MAP. */
struct virtchnl_vector_map {
	uint16_t vsi_id;
	uint16_t vector_id;
	uint16_t rxq_map; /**< bitmap of receive queues */
	uint16_t txq_map; /**< bitmap of transmit queues */
	uint16_t rxitr_idx;
	uint16_t txitr_idx;
};

/** CONFIG_IRQ_MAP request: 2 bytes then num_vectors maps (2 + 12 n). */
struct virtchnl_irq_map_info {
	uint16_t num_vectors;
	struct virtchnl_vector_map vecmap[];
};

/** ENABLE_QUEUES, DISABLE_QUEUES and GET_STATS request. */
struct virtchnl_queue_select {
	uint16_t vsi_id;
	uint16_t pad;
	uint32_t rx_queues; /**< bitmap */
	uint32_t tx_queues; /**< bitmap */
};

/** One address of ADD_ETH_ADDR / DEL_ETH_ADDR. */
struct virtchnl_ether_addr {
	uint8_t addr[6];
	uint8_t type; /**< 0 legacy, 1 primary, 2 extra */
	uint8_t pad;
};

/** ADD_ETH_ADDR / DEL_ETH_ADDR request: 4 bytes then num_elements addresses. */
struct virtchnl_ether_addr_list {
	uint16_t vsi_id;
	uint16_t num_elements;
	struct virtchnl_ether_addr list[];
};

/** CONFIG_PROMISCUOUS_MODE request. */
struct virtchnl_promisc_info {
	uint16_t vsi_id;
	uint16_t flags; /**< VIRTCHNL_FLAG_*_PROMISC */
};

/** GET_STATS reply. */
struct virtchnl_eth_stats {
	uint64_t rx_bytes;
	uint64_t rx_unicast;
	uint64_t rx_multicast;
	uint64_t rx_broadcast;
	uint64_t rx_discards;
	uint64_t rx_unknown_protocol;
	uint64_t tx_bytes;
	uint64_t tx_unicast;
	uint64_t tx_multicast;
	uint64_t tx_broadcast;
	uint64_t tx_discards;
	uint64_t tx_errors;
};

/**
 * EVENT message (PF -> VF). For LINK_CHANGE, link_speed is a legacy
 * VIRTCHNL_LINK_SPEED_* bit, or Mbps when ADV_LINK_SPEED was negotiated.
 */
struct virtchnl_vlan_supported_caps {
	uint32_t outer;
	uint32_t inner;
};

struct virtchnl_vlan_filtering_caps {
	struct virtchnl_vlan_supported_caps filtering_support;
	uint32_t ethertype_init;
	uint16_t max_filters;
	uint8_t pad[2];
};

struct virtchnl_vlan_offload_caps {
	struct virtchnl_vlan_supported_caps stripping_support;
	struct virtchnl_vlan_supported_caps insertion_support;
	uint32_t ethertype_init;
	uint8_t ethertype_match;
	uint8_t pad[3];
};

/** GET_OFFLOAD_VLAN_V2_CAPS reply. */
struct virtchnl_vlan_caps {
	struct virtchnl_vlan_filtering_caps filtering;
	struct virtchnl_vlan_offload_caps offloads;
};

struct virtchnl_vlan {
	uint16_t tci; /**< PCP 15:13, VID 11:0 */
	uint16_t tci_mask;
	uint16_t tpid; /**< 0x8100 */
	uint8_t pad[2];
};

struct virtchnl_vlan_filter {
	struct virtchnl_vlan inner;
	struct virtchnl_vlan outer;
	uint8_t pad[16];
};

/** ADD_VLAN_V2 / DEL_VLAN_V2. */
struct virtchnl_vlan_filter_list_v2 {
	uint16_t vport_id;
	uint16_t num_elements;
	uint8_t pad[4];
	struct virtchnl_vlan_filter filters[];
};

/** ENABLE/DISABLE_VLAN_STRIPPING_V2, ENABLE/DISABLE_VLAN_INSERTION_V2. */
struct virtchnl_vlan_setting {
	uint32_t outer_ethertype_setting;
	uint32_t inner_ethertype_setting;
	uint16_t vport_id;
	uint8_t pad[6];
};

/** CONFIG_RSS_KEY (key_len bytes follow). */
struct virtchnl_rss_key {
	uint16_t vsi_id;
	uint16_t key_len;
	uint8_t key[];
};

/** CONFIG_RSS_LUT (lut_entries bytes follow, each a queue index). */
struct virtchnl_rss_lut {
	uint16_t vsi_id;
	uint16_t lut_entries;
	uint8_t lut[];
};

/** GET_RSS_HENA_CAPS reply, SET_RSS_HENA. */
struct virtchnl_rss_hena {
	uint64_t hena; /**< VIRTCHNL_HASH_FILTER_* bits */
};

struct virtchnl_pf_event {
	int32_t event; /**< VIRTCHNL_EVENT_* */
	uint32_t link_speed;
	uint8_t link_status; /**< 1 up */
	uint8_t pad[3];
	int32_t severity;
};

/* Receive descriptor (legacy 32 bytes) write-back, QW1 fields. */
#define EMU_IAVF_RXD_QW1_DD (1ull << 0)
#define EMU_IAVF_RXD_QW1_EOF (1ull << 1)
#define EMU_IAVF_RXD_QW1_LEN_SHIFT 38
#define EMU_IAVF_RXD_QW1_LEN_MASK (0x3FFFull << 38)

/* Transmit descriptor QW1 fields. */
#define EMU_IAVF_TXD_DTYPE_MASK 0xFull
#define EMU_IAVF_TXD_DTYPE_DATA 0x0ull
#define EMU_IAVF_TXD_DTYPE_CTX 0x1ull
#define EMU_IAVF_TXD_DTYPE_DONE 0xFull
#define EMU_IAVF_TXD_CMD_SHIFT 4
#define EMU_IAVF_TXD_CMD_EOP 0x1ull
#define EMU_IAVF_TXD_CMD_RS 0x2ull
#define EMU_IAVF_TXD_BSZ_SHIFT 34
#define EMU_IAVF_TXD_BSZ_MASK (0x3FFFull << 34)

/* Ring constraints the device enforces in CONFIG_VSI_QUEUES. */
/** Transmit rings: 8 .. 4096 descriptors, a multiple of 8. */
#define EMU_IAVF_TX_RING_ALIGN 8u
/** Receive rings: 32 .. 4096 descriptors, a multiple of 32. */
#define EMU_IAVF_RX_RING_ALIGN 32u
#define EMU_IAVF_RING_LEN_MAX 4096u
/** Ring base addresses: 128-byte aligned. */
#define EMU_IAVF_RING_ADDR_ALIGN 128u
/** Transmit descriptor size; receive descriptors are 32 bytes (legacy). */
#define EMU_IAVF_TX_DESC_SIZE 16u
#define EMU_IAVF_RX_DESC_SIZE 32u
/** RSS key and lookup table sizes reported (the registers only read back). */
#define EMU_IAVF_RSS_KEY_SIZE 52u
#define EMU_IAVF_RSS_LUT_SIZE 64u
/** Receive buffers: 128 .. 16 KiB - 128 bytes, counted in 128-byte units. */
#define EMU_IAVF_RX_BUF_MIN 128u
#define EMU_IAVF_RX_BUF_MAX (16384u - 128u)
#define EMU_IAVF_RX_BUF_ALIGN 128u
/** max_pkt_size: 64 .. 16383 bytes; the max_mtu reported. */
#define EMU_IAVF_MIN_FRAME 64u
/** Frame check sequence bytes a VF counts in its rx_bytes statistic. */
#define EMU_IAVF_FCS_LEN 4u
#define EMU_IAVF_MAX_PKT_SIZE 16383u
#define EMU_IAVF_MAX_FRAME 9728u
#define EMU_IAVF_MAX_MTU (EMU_IAVF_MAX_FRAME - 18u)

static_assert(sizeof(struct emu_iavf_aq_desc) == 32, "aq_desc");
static_assert(sizeof(struct virtchnl_version_info) == 8, "version_info");
static_assert(sizeof(struct virtchnl_vsi_resource) == 16, "vsi_resource");
static_assert(sizeof(struct virtchnl_vf_resource) == 20, "vf_resource");
static_assert(sizeof(struct virtchnl_txq_info) == 24, "txq_info");
static_assert(sizeof(struct virtchnl_rxq_info) == 40, "rxq_info");
static_assert(sizeof(struct virtchnl_queue_pair_info) == 64, "queue_pair_info");
static_assert(sizeof(struct virtchnl_vsi_queue_config_info) == 8, "vsi_queue_config_info");
static_assert(sizeof(struct virtchnl_vector_map) == 12, "vector_map");
static_assert(sizeof(struct virtchnl_irq_map_info) == 2, "irq_map_info");
static_assert(sizeof(struct virtchnl_queue_select) == 12, "queue_select");
static_assert(sizeof(struct virtchnl_ether_addr) == 8, "ether_addr");
static_assert(sizeof(struct virtchnl_ether_addr_list) == 4, "ether_addr_list");
static_assert(sizeof(struct virtchnl_promisc_info) == 4, "promisc_info");
static_assert(sizeof(struct virtchnl_eth_stats) == 96, "eth_stats");
static_assert(sizeof(struct virtchnl_pf_event) == 16, "pf_event");
static_assert(sizeof(struct virtchnl_vlan_filtering_caps) == 16, "vlan_filtering_caps");
static_assert(sizeof(struct virtchnl_vlan_offload_caps) == 24, "vlan_offload_caps");
static_assert(sizeof(struct virtchnl_vlan_caps) == 40, "vlan_caps");
static_assert(sizeof(struct virtchnl_vlan) == 8, "vlan");
static_assert(sizeof(struct virtchnl_vlan_filter) == 32, "vlan_filter");
static_assert(sizeof(struct virtchnl_vlan_filter_list_v2) == 8, "vlan_filter_list_v2");
static_assert(sizeof(struct virtchnl_vlan_setting) == 16, "vlan_setting");
static_assert(sizeof(struct virtchnl_rss_key) == 4, "rss_key");
static_assert(sizeof(struct virtchnl_rss_lut) == 4, "rss_lut");
static_assert(sizeof(struct virtchnl_rss_hena) == 8, "rss_hena");

#ifdef __cplusplus
}
#endif

#endif /* EMU_IAVF_REGS_H */
