/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef AVF_VIRTCHNL_H
#define AVF_VIRTCHNL_H

/**
 * @file
 * virtchnl 1.1, the messages an AVF VF driver and its PF exchange over the
 * admin queue (avf_adminq.h): opcodes, status codes, capability flags and
 * message layouts, named as the protocol names them (VIRTCHNL_*,
 * struct virtchnl_*).
 *
 * Written for this project from the public descriptions of the protocol.
 * Every multi-byte field is little-endian on the wire; the structures
 * below match the wire layout on a little-endian host (sizes are checked
 * at compile time).
 */

#include <assert.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIRTCHNL_VERSION_MAJOR 1u
#define VIRTCHNL_VERSION_MINOR 1u

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

/* VLAN V2 capability bits (enum virtchnl_vlan_support). */
#define VIRTCHNL_VLAN_ETHERTYPE_8100 0x00000001u
#define VIRTCHNL_VLAN_TAG_LOCATION_L2TAG1 0x00000100u
#define VIRTCHNL_VLAN_TOGGLE 0x80000000u
#define VIRTCHNL_ETHERTYPE_STRIPPING_MATCHES_INSERTION 0u

/** VSI type of every VF VSI. */
#define VIRTCHNL_VSI_SRIOV 6

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

/** GET_OFFLOAD_VLAN_V2_CAPS reply: supported VLAN tags. */
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

/**
 * EVENT message (PF -> VF). For LINK_CHANGE, link_speed is a legacy
 * VIRTCHNL_LINK_SPEED_* bit, or Mbps when ADV_LINK_SPEED was negotiated.
 */
struct virtchnl_pf_event {
	int32_t event; /**< VIRTCHNL_EVENT_* */
	uint32_t link_speed;
	uint8_t link_status; /**< 1 up */
	uint8_t pad[3];
	int32_t severity;
};

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

#endif /* AVF_VIRTCHNL_H */
