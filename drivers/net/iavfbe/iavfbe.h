/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef IAVFBE_H
#define IAVFBE_H

/*
 * net_iavfbe: the data plane of an emulated AVF (an emudev such as
 * emu_iavf), as an ethdev.
 *
 * The ethdev's receive queue N drains the guest's transmit ring N
 * (RTE_EMUDEV_QUEUE_GUEST_TX) and its transmit queue N fills the guest's
 * receive ring N (RTE_EMUDEV_QUEUE_GUEST_RX).
 *
 * Threads and locks:
 *  - Data-path lcores run the bursts. A burst enters its queue's state word
 *    (rte_emudev_qstate) once and touches the ring, the doorbell, guest
 *    memory and the interrupt trigger only inside; it takes no lock.
 *  - The emudev provider's control thread runs iavfbe_emu_event() and the
 *    statistics callback; the application's threads run the ethdev
 *    operations. Both take the port's lock, which protects the control
 *    state (struct iavfbe_port). While a queue is stopped (qstate), the
 *    control side owns its ring fields.
 *  - Dirty logging (RTE_EMUDEV_EVENT_DIRTY_LOG) reaches the queues as their
 *    log_dirty flag, changed while the queue is stopped; a burst tests it
 *    once (iavfbe_rx_burst(), iavfbe_tx_burst()) and runs one of two
 *    copies of its ring walk: the one without logging has no other test.
 *  - The guest's receive configuration (filters, VLAN stripping, RSS) reaches
 *    the transmit queues as a pointer to one of the port's two snapshots
 *    (struct iavfbe_rxconf), changed while the queue is stopped: a burst
 *    reads it without a lock or an atomic operation.
 *  - Never held while calling rte_emudev_event_unregister() or
 *    rte_emudev_stats_cb_set() (both wait for a callback that takes it), nor
 *    while calling rte_eth_dev_callback_process() (the application's
 *    callback may call back into the port).
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_gso.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include <rte_emudev.h>
#include <rte_emudev_net.h>

#include <avf_desc.h>
#include <avf_regs.h>

extern int iavfbe_logtype;

#define IAVFBE_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, iavfbe_logtype, "IAVFBE: " fmt "\n", ##__VA_ARGS__)

/** Driver (and vdev) name. */
#define IAVFBE_DRIVER_NAME "net_iavfbe"

/** Devargs. */
#define IAVFBE_ARG_EMU "emu"
#define IAVFBE_ARG_TSO "tso"

/** Most queue pairs of a port (the device may have fewer). */
#define IAVFBE_MAX_QUEUES 64u

/** Packets per burst step (descriptors are written back per step). */
#define IAVFBE_BURST 32u

/*
 * The AVF's frame and descriptor rules (AVF_MAX_FRAME, AVF_TX_MIN_FRAME,
 * AVF_TX_MAX_DATA_DESCS) and descriptor layouts are in drivers/common/avf.
 */
/** Most data descriptors of a TSO packet. */
#define IAVFBE_MAX_TSO_DESCS 128u
/** Smallest and largest TSO MSS. */
#define IAVFBE_MIN_MSS 64u
#define IAVFBE_MAX_MSS (AVF_MAX_FRAME - 60u)
/** Largest TSO packet (TSO_LEN is 18 bits, headers < 1 KiB). */
#define IAVFBE_MAX_TSO_PKT (AVF_TXCD_TSO_LEN_MASK + 1024u)
/** Most segments one TSO packet becomes (TSO_LEN < 256 KiB, MSS >= 64). */
#define IAVFBE_MAX_TSO_SEGS 4096u
/** Smallest mbuf data room of a receive queue's pool. */
#define IAVFBE_MIN_DATAROOM 256u

/* ------------------------------------------------------------------------
 * The guest's receive configuration, as the data path uses it.
 */

#define IAVFBE_RXC_FILTER 0x1u /**< check the address filters (not promiscuous) */
#define IAVFBE_RXC_ALLMULTI 0x2u /**< every multicast passes */
#define IAVFBE_RXC_VLAN_FILTER 0x4u /**< check vlan[] */
#define IAVFBE_RXC_STRIP 0x8u /**< outer 802.1Q tag into L2TAG1 */
#define IAVFBE_RXC_RSS 0x10u /**< Toeplitz hash into the descriptor */

/** RSS types the port hashes (RTE_ETH_RSS_*). */
#define IAVFBE_RSS_TYPES \
	(RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_FRAG_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | \
	 RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV4_SCTP | \
	 RTE_ETH_RSS_NONFRAG_IPV4_OTHER | RTE_ETH_RSS_IPV6 | RTE_ETH_RSS_FRAG_IPV6 | \
	 RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP | \
	 RTE_ETH_RSS_NONFRAG_IPV6_SCTP | RTE_ETH_RSS_NONFRAG_IPV6_OTHER)

/**
 * A snapshot of rte_emudev_net_rx_conf for the data path. The port has two;
 * the control side fills the one no queue uses, then points every transmit
 * queue at it, each while the queue is stopped (rte_emudev_qstate): after
 * that, no burst uses the other one.
 */
struct iavfbe_rxconf {
	uint32_t flags; /**< IAVFBE_RXC_*; 0: deliver every frame as it is */
	uint16_t nb_uc;
	uint16_t nb_mc;
	uint64_t uc[RTE_EMUDEV_NET_MAX_ADDRS]; /**< addresses as 48-bit numbers, sorted */
	uint64_t mc[RTE_EMUDEV_NET_MAX_ADDRS];
	uint64_t vlan[4096 / 64];
	uint64_t rss_types; /**< RTE_ETH_RSS_* */
	uint16_t rss_key_len;
	uint16_t rss_lut_size;
	uint8_t rss_key[RTE_EMUDEV_NET_RSS_KEY_MAX]; /**< zero-padded */
	uint16_t rss_lut[RTE_EMUDEV_NET_RSS_LUT_MAX];
	uint64_t generation;
	bool supported; /**< the provider has a receive configuration */
	uint32_t guest_flags; /**< RTE_EMUDEV_NET_RX_F_* as the guest set them */
};

/* ------------------------------------------------------------------------
 * Queues.
 */

/** What the driver does with the guest's TSO requests. */
enum iavfbe_tso_mode {
	IAVFBE_TSO_SEGMENT = 0, /**< segment (rte_gso for TCP/IPv4; own for TCP/IPv6) */
	IAVFBE_TSO_PASSTHROUGH, /**< deliver large, with RTE_MBUF_F_TX_TCP_SEG */
};

/*
 * Counters of a receive queue (the guest's transmit ring). All uint64_t
 * (iavfbe_rx_xstats[] names them, as extended statistics from the port's
 * view: rx_*, rx_qN_*). bad_* count guest packets dropped
 * for that reason (bad_tail: bursts that saw the tail outside the ring).
 */
struct iavfbe_rxq_stats {
	uint64_t packets; /**< mbuf packets delivered */
	uint64_t bytes;
	uint64_t unicast; /**< by destination MAC, of delivered packets */
	uint64_t multicast;
	uint64_t broadcast;
	uint64_t bad_addr; /**< a buffer outside guest memory */
	uint64_t bad_len; /**< a buffer of 0 bytes; packet too short or too long */
	uint64_t bad_chain; /**< too many descriptors, no EOP, bad descriptor type */
	uint64_t bad_tail; /**< bursts that saw a tail outside the ring */
	uint64_t bad_tso; /**< TSO request inconsistent, or not segmentable */
	uint64_t bad_offload; /**< checksum request with headers outside the packet */
	uint64_t bad_descs; /**< descriptors of dropped packets */
	uint64_t nombuf; /**< mbuf allocation failures (packet retried) */
	uint64_t tso_pkts; /**< TSO packets from the guest */
	uint64_t tso_segs; /**< segments made of them */
	uint64_t tso_errors; /**< TSO packets dropped: no mbufs to segment */
	/* Of the guest's packets dropped for want of mbufs (tso_errors), by class. */
	uint64_t drop_bytes;
	uint64_t drop_unicast;
	uint64_t drop_multicast;
	uint64_t drop_broadcast;
	uint64_t csum_ip; /**< IPv4 header checksums filled in */
	uint64_t csum_l4; /**< TCP/UDP/SCTP checksums filled in */
	uint64_t vlan_insert; /**< VLAN tags inserted (IL2TAG1) */
	uint64_t completions; /**< descriptors written back as done */
	uint64_t irqs; /**< interrupts raised */
	uint64_t dirty_marks; /**< ranges reported with rte_emudev_dirty_mark() */
};

/* Counters of a transmit queue (the guest's receive ring), as above (iavfbe_tx_xstats[]). */
struct iavfbe_txq_stats {
	uint64_t packets; /**< packets written to the guest */
	uint64_t bytes;
	uint64_t unicast;
	uint64_t multicast;
	uint64_t broadcast;
	uint64_t ring_full; /**< packets refused: no guest buffer (left to the caller) */
	uint64_t not_ready; /**< packets refused: the guest's ring is not served now */
	uint64_t filtered; /**< dropped: the guest's filters reject them */
	uint64_t too_big; /**< dropped: larger than the guest takes */
	uint64_t empty; /**< dropped: 0 bytes */
	uint64_t bad_addr; /**< dropped: a guest buffer outside guest memory */
	/* Of the packets for the guest not delivered (ring_full, too_big, bad_addr), by class. */
	uint64_t drop_bytes;
	uint64_t drop_unicast;
	uint64_t drop_multicast;
	uint64_t drop_broadcast;
	uint64_t bad_descs; /**< descriptors given back in error */
	uint64_t bad_tail; /**< bursts that saw a tail outside the ring */
	uint64_t vlan_strip; /**< tags handed over in L2TAG1 */
	uint64_t vlan_insert; /**< tags inserted (RTE_MBUF_F_TX_VLAN) */
	uint64_t rss_hash; /**< packets with an RSS hash */
	uint64_t descs; /**< descriptors written back */
	uint64_t irqs; /**< interrupts raised */
	uint64_t dirty_marks; /**< ranges reported with rte_emudev_dirty_mark() */
};

struct iavfbe_port;

/** Receive queue: the guest's transmit ring. */
struct iavfbe_rxq {
	/* Data path (ring fields owned by the control side while stopped). */
	struct rte_emudev_qstate qs;
	uint16_t emu_id;
	uint16_t qid;
	uint32_t nb_desc; /**< descriptors in the ring */
	uint32_t head; /**< next descriptor to read */
	struct avf_tx_desc *ring; /**< host address of the ring */
	volatile uint32_t *doorbell; /**< the guest's tail */
	const struct rte_emudev_mem_table *tbl;
	struct rte_emudev_xlate_cache xc;
	uint32_t irq_vector;
	bool skip; /**< dropping the rest of a packet, up to its EOP */
	bool log_dirty; /**< report writes (RTE_EMUDEV_EVENT_DIRTY_LOG); changed while stopped */
	uint8_t tso_mode; /**< enum iavfbe_tso_mode */
	uint16_t dataroom; /**< bytes per mbuf */
	uint16_t port_id;
	struct rte_mempool *mp;
	/* mbufs taken from mp IAVFBE_BURST at a time, not used yet: mb[0..nb_mb). */
	uint32_t nb_mb;
	struct rte_mbuf *mb[IAVFBE_BURST];
	struct rte_gso_ctx gso;
	/* Segments of a TSO packet not returned yet: segs[stash_head..+stash_cnt). */
	uint32_t stash_head;
	uint32_t stash_cnt;
	/* RS descriptors of one burst step. */
	uint32_t nb_rs;
	uint32_t rs[IAVFBE_BURST * IAVFBE_MAX_TSO_DESCS];
	/* Packets made of one guest packet (TSO segments). */
	struct rte_mbuf *segs[IAVFBE_MAX_TSO_SEGS];

	struct iavfbe_rxq_stats st;
	struct iavfbe_rxq_stats base; /**< at the last reset */
	uint64_t ring_gpa; /**< guest address of the ring (dirty logging only) */

	/* Control side (under the port's lock). */
	struct iavfbe_port *port;
	bool running; /**< qstate started */
} __rte_cache_aligned;

/** Transmit queue: the guest's receive ring. */
struct iavfbe_txq {
	struct rte_emudev_qstate qs;
	uint16_t emu_id;
	uint16_t qid;
	uint32_t nb_desc;
	uint32_t head; /**< next descriptor to fill */
	uint8_t *ring;
	uint32_t desc_size; /**< 16 or 32 */
	bool log_dirty; /**< report writes (RTE_EMUDEV_EVENT_DIRTY_LOG); changed while stopped */
	volatile uint32_t *doorbell;
	const struct rte_emudev_mem_table *tbl;
	struct rte_emudev_xlate_cache xc;
	uint32_t irq_vector;
	uint32_t buf_size; /**< bytes per guest buffer */
	uint32_t max_pkt; /**< largest packet the guest takes */
	const struct iavfbe_rxconf *rxc; /**< changed only while stopped */

	struct iavfbe_txq_stats st;
	struct iavfbe_txq_stats base; /**< at the last reset */
	uint64_t ring_gpa; /**< guest address of the ring (dirty logging only) */

	/* Control side (under the port's lock). */
	struct iavfbe_port *port;
	bool running; /**< qstate started */
} __rte_cache_aligned;

/** Port (ethdev private data). */
struct iavfbe_port {
	pthread_mutex_t lock;
	struct rte_eth_dev *eth_dev;
	char emu_name[RTE_EMUDEV_NAME_MAX_LEN];
	uint16_t emu_id;
	uint16_t max_qp; /**< queue pairs the port offers */
	enum iavfbe_tso_mode tso_mode;

	/* Under lock. */
	bool emu_gone; /**< REMOVED: emu_id is invalid */
	bool closed;
	bool started;
	bool registered; /**< event callback registered */
	bool stats_cb; /**< statistics callback set */
	uint32_t link_speed; /**< Mbps */
	const struct rte_emudev_mem_table *tbl; /**< NULL while changing */
	/*
	 * Between RTE_EMUDEV_EVENT_QUIESCE and RESUME: no queue is served
	 * (the events in between are recorded: genabled, ghead, tbl).
	 */
	bool quiesced;
	bool log_dirty; /**< RTE_EMUDEV_EVENT_DIRTY_LOG: every queue reports its writes */
	/* The guest's queues: enabled, and where the port stopped in them. */
	bool genabled[RTE_EMUDEV_QUEUE_DIR_MAX][IAVFBE_MAX_QUEUES];
	uint32_t ghead[RTE_EMUDEV_QUEUE_DIR_MAX][IAVFBE_MAX_QUEUES];
	/*
	 * ghead is to be taken from rte_emudev_queue_info::head when the queue
	 * is served next (enabled by the guest, RESUME, probe).
	 */
	bool ghead_info[RTE_EMUDEV_QUEUE_DIR_MAX][IAVFBE_MAX_QUEUES];
	bool gskip[IAVFBE_MAX_QUEUES]; /**< transmit rings: iavfbe_rxq::skip */
	struct iavfbe_rxq *rxq[IAVFBE_MAX_QUEUES];
	struct iavfbe_txq *txq[IAVFBE_MAX_QUEUES];
	/* Counters of released queues (the guest's statistics never go back). */
	struct iavfbe_rxq_stats rx_retired;
	struct iavfbe_txq_stats tx_retired;
	/* Event callbacks in progress. */
	uint32_t cb_active;
	/* The guest's receive configuration: rxc[rxc_cur] is in use. */
	uint32_t rxc_cur;
	struct iavfbe_rxconf rxc[2];
};

/* iavfbe_rxtx.c */
uint16_t iavfbe_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t iavfbe_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);
void iavfbe_rxq_stash_free(struct iavfbe_rxq *q);

#endif /* IAVFBE_H */
