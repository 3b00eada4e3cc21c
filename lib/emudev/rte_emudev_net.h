/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef RTE_EMUDEV_NET_H
#define RTE_EMUDEV_NET_H

/**
 * @file
 * RTE emulated devices: network devices (consumer API)
 *
 * What an emulated device of type RTE_EMUDEV_TYPE_NET adds to the class API
 * of rte_emudev.h (which this header includes): the well-known attributes
 * of a network device, the guest's view of its statistics (pulled from the
 * consumer by the provider through rte_emudev_stats_cb_set()), and the
 * receive configuration the guest's driver asked for
 * (rte_emudev_net_rx_conf_get(), RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED).
 *
 * The counters and the receive configuration have the shape a NIC's
 * virtual function gives them (an AVF's virtchnl statistics and filters);
 * the descriptor formats of the rings are not here: they are agreed between
 * a provider and its consumers (rte_emudev_queue_info::desc_format).
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 */

#include <stdint.h>

#include <rte_compat.h>
#include <rte_ether.h>

#include "rte_emudev.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @name Well-known attributes of network devices
 * A provider defines the attributes it supports; a network device provider
 * supports these with these sizes and meanings when it can.
 * @{
 */
/** MAC address of the device, 6 bytes (network order). */
#define RTE_EMUDEV_ATTR_MAC "mac"
/** Link state the consumer reports to the guest, uint8_t: 0 down, 1 up. */
#define RTE_EMUDEV_ATTR_LINK_UP "link_up"
/** Link speed the consumer reports to the guest, uint32_t, in Mbps. */
#define RTE_EMUDEV_ATTR_LINK_SPEED "link_speed"
/** @} */

/**
 * Statistics of a network device, as the guest sees them, with the meaning
 * a NIC's virtual function gives them (DPDK's net_iavf derives
 * ipackets = rx_unicast + rx_multicast + rx_broadcast - rx_discards).
 *
 * rx: frames for the guest, i.e. the consumer had them to write into guest
 * receive rings and the guest's filters (rte_emudev_net_rx_conf) accepted
 * them. rx_unicast/multicast/broadcast and rx_bytes count every such frame,
 * also those then dropped (no guest buffer, too big for the queue, bad
 * buffer address): those are counted in rx_discards too. Frames the
 * guest's filters reject are not counted here at all (a NIC's VSI never
 * sees them; the consumer counts them in its own statistics).
 *
 * tx: frames the guest transmitted, i.e. the consumer read them from guest
 * transmit rings. tx_unicast/multicast/broadcast and tx_bytes count the
 * frames taken from the rings; tx_discards those then dropped by the
 * consumer (they are in the tx_* class counters too); tx_errors frames
 * refused for bad descriptors (not in the class counters).
 */
struct rte_emudev_stats {
	uint64_t rx_bytes; /**< bytes of the frames in rx_unicast/multicast/broadcast, no FCS */
	uint64_t rx_unicast; /**< unicast frames for the guest (delivered or discarded) */
	uint64_t rx_multicast; /**< multicast frames for the guest (delivered or discarded) */
	uint64_t rx_broadcast; /**< broadcast frames for the guest (delivered or discarded) */
	uint64_t rx_discards; /**< of those, dropped: no guest buffer, too big, bad address */
	uint64_t rx_unknown_protocol; /**< dropped: unknown protocol */
	uint64_t tx_bytes; /**< bytes the guest sent, no FCS */
	uint64_t tx_unicast; /**< unicast packets the guest sent */
	uint64_t tx_multicast; /**< multicast packets the guest sent */
	uint64_t tx_broadcast; /**< broadcast packets the guest sent */
	uint64_t tx_discards; /**< of those, dropped by the consumer */
	uint64_t tx_errors; /**< dropped: bad descriptors */
};

/**
 * @name Receive configuration of a network device
 * What the guest's driver asked of the device's receive side; the consumer
 * honours it when it writes frames into guest receive rings.
 * @{
 */
/** Most addresses in each filter list. */
#define RTE_EMUDEV_NET_MAX_ADDRS 64
/** Longest RSS key, bytes. */
#define RTE_EMUDEV_NET_RSS_KEY_MAX 64
/** Largest RSS lookup table, entries. */
#define RTE_EMUDEV_NET_RSS_LUT_MAX 512
/** Deliver every frame, whatever its destination address or VLAN. */
#define RTE_EMUDEV_NET_RX_F_PROMISC 0x1u
/** Deliver every multicast frame. */
#define RTE_EMUDEV_NET_RX_F_ALLMULTI 0x2u
/**
 * Deliver frames with an 802.1Q tag (TPID 0x8100) only when their VLAN id
 * is set in vlan_bitmap (VLAN 0, priority tags, and untagged frames always
 * pass). Without the flag, every tagged frame passes.
 */
#define RTE_EMUDEV_NET_RX_F_VLAN_FILTER 0x4u
/**
 * Strip an outer 802.1Q tag (TPID 0x8100) and hand its TCI to the guest in
 * the receive descriptor, where the device format says.
 */
#define RTE_EMUDEV_NET_RX_F_VLAN_STRIP 0x8u
/** rss_types, rss_key and rss_lut are set: the guest asked for RSS. */
#define RTE_EMUDEV_NET_RX_F_RSS 0x10u

/**
 * Receive configuration (rte_emudev_net_rx_conf_get()).
 *
 * A frame is delivered to the guest when PROMISC is set, or when its
 * destination is broadcast, or a multicast address with ALLMULTI set or
 * listed in multicast[], or a unicast address listed in unicast[] (which
 * always holds the device's own MAC); and then the VLAN filter passes it.
 * Frames longer than the receive queue's max_pkt_len
 * (rte_emudev_queue_info) are dropped (the guest's MTU).
 */
struct rte_emudev_net_rx_conf {
	uint64_t generation; /**< grows with every change */
	uint32_t flags; /**< RTE_EMUDEV_NET_RX_F_* */
	uint16_t nb_unicast; /**< entries in unicast[] */
	uint16_t nb_multicast; /**< entries in multicast[] */
	struct rte_ether_addr unicast[RTE_EMUDEV_NET_MAX_ADDRS]; /**< accepted unicast */
	struct rte_ether_addr multicast[RTE_EMUDEV_NET_MAX_ADDRS]; /**< accepted multicast */
	uint64_t vlan_bitmap[4096 / 64]; /**< VLAN ids accepted (VLAN_FILTER), bit id % 64 */
	uint64_t rss_types; /**< RTE_ETH_RSS_* types hashed (RSS) */
	uint16_t rss_key_len; /**< bytes in rss_key (RSS) */
	uint16_t rss_lut_size; /**< entries in rss_lut (RSS) */
	uint8_t rss_key[RTE_EMUDEV_NET_RSS_KEY_MAX]; /**< Toeplitz key (RSS) */
	uint16_t rss_lut[RTE_EMUDEV_NET_RSS_LUT_MAX]; /**< guest receive queue per entry (RSS) */
};
/** @} */

/**
 * Statistics callback of the consumer (rte_emudev_stats_cb_set()). Called
 * on the provider's thread when it needs the counters (e.g. for a
 * virtchnl GET_STATS request).
 *
 * @param dev_id device id
 * @param stats  counters to fill (zeroed before the call)
 * @param arg    as registered
 * @return 0, or a negative errno passed on to the provider.
 */
typedef int (*rte_emudev_stats_cb_t)(uint16_t dev_id, struct rte_emudev_stats *stats, void *arg);

/*
 * __rte_experimental stands alone on the line before the return type (DPDK's
 * checkpatch); clang-format would join the two.
 */
/* clang-format off */
/**
 * Set the statistics callback of the device: the provider calls it when it
 * needs counters (e.g. for the guest's statistics requests). One per
 * device; NULL removes it (waiting for a call in progress on another
 * thread).
 *
 * @return 0; -ENODEV for a bad id; -EEXIST when another callback is set.
 */
__rte_experimental
int rte_emudev_stats_cb_set(uint16_t dev_id, rte_emudev_stats_cb_t cb, void *arg);

/**
 * Get the receive configuration of a network device (a copy). Called on a
 * control thread, e.g. in the RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED callback;
 * the consumer then publishes what its data path needs.
 *
 * @return 0; -ENODEV for a bad id; -EINVAL for a NULL conf; -ENOTSUP when
 *   the provider has no receive configuration.
 */
__rte_experimental
int rte_emudev_net_rx_conf_get(uint16_t dev_id, struct rte_emudev_net_rx_conf *conf);
/* clang-format on */

#ifdef __cplusplus
}
#endif

#endif /* RTE_EMUDEV_NET_H */
