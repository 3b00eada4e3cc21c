/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef IAVF_CLIENT_H
#define IAVF_CLIENT_H

/*
 * net_iavf_client: a poll-mode AVF VF driver whose "PCI function" is a
 * vfio-user socket (the counterpart of virtio-user for vhost-user).
 *
 * Control path: BAR0 register accesses, DMA mappings and the admin queue
 * go through the vfio-user client (one request at a time). Data path: AVF
 * descriptors in DPDK memory, tail doorbells written into the mmapped tail
 * pages of BAR0; no message and no system call per packet.
 *
 * What the server sees (DMA mappings, from the memory's file descriptors):
 *  - the port's DMA zone: one memzone, aligned to and sized in whole pages
 *    of its memory, that holds the admin queue rings and buffers and every
 *    descriptor ring, and nothing else;
 *  - the memory chunks of the mempools the port uses (the receive queues'
 *    pools from dev_start, a transmitted mbuf's pool from when the port
 *    first sees it), rounded out to whole pages.
 * Everything else stays private: the adapter, queue structures, software
 * rings and admin-queue bookkeeping live in the libc heap, never in DPDK
 * memory; the ethdev's dev_private (DPDK memory, allocated by ethdev) holds
 * only a pointer to the adapter.
 *
 * Threads and locks:
 *  - lock (a pthread mutex) protects the client, the admin queue, the DMA
 *    map and want tables, the pool table and the virtchnl state. It is
 *    taken by the ethdev operations (application threads), the alarms (EAL
 *    interrupt thread), the memory event callback (any thread that frees
 *    DPDK memory) and the mempool event callback (any thread that destroys
 *    a mempool).
 *  - Lock order: the mempool list lock (rte_mempool_walk(), when a pool
 *    the transmit path asked for is looked up), DPDK's memory hotplug lock,
 *    then lock. The memory event callback runs with the hotplug lock held;
 *    so nothing may allocate DPDK memory (memzones, rte_malloc, mempools)
 *    while holding lock, and whoever maps takes the hotplug read lock
 *    before lock (memseg file descriptors). Callbacks are registered and
 *    unregistered without lock.
 *  - conn_lock (a pthread mutex, outermost) serializes whatever replaces
 *    the connection or the queues' state: dev_start, dev_stop, dev_close,
 *    the reconnect alarm and a move (rte_pmd_iavf_client_move(), which
 *    holds conn_lock, the hotplug read lock and lock throughout). Lock order: conn_lock, the mempool list
 *    lock, the hotplug lock, lock. Nothing that holds another of them takes
 *    conn_lock, and no alarm is cancelled while conn_lock is held.
 *  - The data path takes no lock. Each burst announces itself in its
 *    queue's busy word (one atomic exchange, a full barrier) and then
 *    checks dp_on (one predictable branch); it clears busy when done. To
 *    quiesce it (iavfc_dp_quiesce()), the control path clears dp_on and
 *    waits for every queue's busy word to be clear: after that no burst
 *    touches the rings, the queues' state or the tail pages until dp_on is
 *    set again, so the connection can be replaced (tail pages unmapped)
 *    and the rings reset under the bursts' feet. Losing the server only
 *    clears dp_on (no wait): the old tail pages stay mapped until the
 *    connection is replaced, so a burst running at that moment cannot
 *    fault.
 *  - rte_eth_dev_callback_process() (LSC) is called without lock.
 */

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_per_lcore.h>

#include <rte_vfio_user_client.h>

/* The AVF: registers, admin queue, virtchnl, descriptors (drivers/common/avf). */
#include <avf_adminq.h>
#include <avf_desc.h>
#include <avf_regs.h>
#include <avf_virtchnl.h>

extern int iavfc_logtype;

/*
 * Automatic reconnection retries quietly: on this thread, while set, the
 * driver's messages below DEBUG are logged at DEBUG (the outcome of an
 * attempt is logged by the caller, at its own pace).
 */
RTE_DECLARE_PER_LCORE(int, iavfc_log_quiet);

static inline uint32_t
iavfc_log_level(uint32_t level)
{
	return RTE_PER_LCORE(iavfc_log_quiet) && level < RTE_LOG_DEBUG ? RTE_LOG_DEBUG : level;
}

#define IAVFC_LOG(level, fmt, ...) \
	rte_log(iavfc_log_level(RTE_LOG_##level), iavfc_logtype, "IAVF_CLIENT: " fmt "\n", \
		##__VA_ARGS__)

/** Driver (and vdev) name. */
#define IAVFC_DRIVER_NAME "net_iavf_client"

/** Devargs. */
#define IAVFC_ARG_PATH "path"
#define IAVFC_ARG_QUEUES "queues"
#define IAVFC_ARG_RECONNECT "reconnect"
#define IAVFC_ARG_MOVE_PAUSE "move_pause_ms"

/** reconnect=MS: retry period bounds (0: no automatic reconnection). */
#define IAVFC_RECONNECT_MIN_MS 10u
#define IAVFC_RECONNECT_MAX_MS 3600000u
/** While retrying, one attempt in this many ms logs why it failed. */
#define IAVFC_RECONNECT_LOG_MS 10000u

/** move_pause_ms=MS: longest pause of the data path in a move (default 1 s). */
#define IAVFC_MOVE_PAUSE_MIN_MS 10u
#define IAVFC_MOVE_PAUSE_MAX_MS 60000u
#define IAVFC_MOVE_PAUSE_DEF_MS 1000u

/** Packets per burst step. */
#define IAVFC_BURST 32u

/* Admin queue geometry. */
#define IAVFC_AQ_LEN 32u
#define IAVFC_AQ_BUF_SIZE AVF_AQ_BUF_MAX
/** Bound for one admin queue command: head reaching the tail, then the reply. */
#define IAVFC_AQ_TIMEOUT_MS 2000u
/** Period of the alarm that polls the receive admin queue and the socket. */
#define IAVFC_ALARM_US 100000u

/* Mempools the port may use (receive pools and transmitted mbufs' pools). */
#define IAVFC_MAX_POOLS 32u

/* Rings. */
#define IAVFC_RING_MIN 64u
/** One alignment for both rings: the receive ring's (a multiple of the transmit ring's). */
#define IAVFC_RING_ALIGN AVF_RX_RING_ALIGN
#define IAVFC_RING_DEFAULT 512u

/** Most receive buffers one received packet may span (max_pkt_size bound). */
#define IAVFC_RX_MAX_CHAIN 5u
/** Descriptors without EOF after which a packet is dropped (a bad device). */
#define IAVFC_RX_MAX_CHAIN_LIMIT 64u
/** Ethernet header, CRC and two VLAN tags. */
#define IAVFC_ETH_OVERHEAD (RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN + 2u * 4u)

struct iavfc_adapter;

/** Counters of a queue (one writer: the queue's lcore). */
struct iavfc_qstats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;
	uint64_t unmapped; /**< transmit: dropped, memory not mapped to the server */
	/** receive: packets the old server had completed, discarded at a reconnection */
	uint64_t stale;
};

struct iavfc_rxq {
	struct iavfc_adapter *ad;
	volatile struct avf_rx_desc *ring;
	struct rte_mbuf **sw_ring;
	volatile uint32_t *tail; /**< QRX_TAIL in the mapped tail page */
	struct rte_mempool *mp;
	struct rte_mbuf *pkt_first; /**< packet being assembled across bursts */
	struct rte_mbuf *pkt_last;
	uint16_t nb_desc;
	uint16_t next; /**< next descriptor to look at */
	uint16_t nb_hold; /**< descriptors processed, not yet given back */
	uint16_t free_thresh;
	uint16_t queue_id;
	uint16_t port_id;
	uint16_t buf_len; /**< databuffer_size */
	uint16_t pkt_chain; /**< descriptors of the packet being assembled */
	bool drop_pkt; /**< the packet being assembled had an error */
	bool started;
	uint32_t busy; /**< a burst is running (see iavfc_dp_quiesce()) */
	/* mbufs taken from mp IAVFC_BURST at a time, not used yet: mb[0..nb_mb). */
	uint16_t nb_mb;
	struct rte_mbuf *mb[IAVFC_BURST];
	rte_iova_t ring_iova;
	struct iavfc_qstats stats;
	struct iavfc_qstats base; /**< at the last reset */
};

/** A descriptor with RS set, and the packets up to it since the previous one. */
struct iavfc_tx_rs {
	uint16_t desc;
	uint16_t pkts;
};

struct iavfc_txq {
	struct iavfc_adapter *ad;
	volatile struct avf_tx_desc *ring;
	struct rte_mbuf **sw_ring; /**< one segment per descriptor */
	struct iavfc_tx_rs *rs; /**< descriptors with RS, oldest first (a FIFO) */
	volatile uint32_t *tail; /**< QTX_TAIL in the mapped tail page */
	/** RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE: the pool of all mbufs, refcnt 1 */
	struct rte_mempool *ff_pool;
	bool fast_free;
	uint16_t nb_desc;
	uint16_t next; /**< next descriptor to fill */
	uint16_t clean; /**< oldest descriptor not yet reclaimed */
	uint16_t nb_free;
	uint16_t rs_head;
	uint16_t rs_count;
	uint16_t queue_id;
	bool started;
	uint32_t busy; /**< a burst is running (see iavfc_dp_quiesce()) */
	/** A pool whose memory is mapped to the server (valid for pool_gen). */
	const struct rte_mempool *dma_pool;
	uint32_t pool_gen;
	rte_iova_t ring_iova;
	struct iavfc_qstats stats;
	struct iavfc_qstats base;
};

/** One DMA mapping given to the server. */
struct iavfc_dma_map {
	uintptr_t va;
	uint64_t iova;
	uint64_t len;
};

/** Memory the server must see: whole pages of one owner (zone or pool). */
struct iavfc_dma_want {
	uintptr_t va;
	uint64_t len;
	const void *owner;
};

/** State of a mempool in the port's table. */
enum iavfc_pool_state {
	IAVFC_POOL_FREE = 0, /**< slot unused */
	IAVFC_POOL_MAPPED, /**< its memory is (or, while detached, will be) mapped */
	IAVFC_POOL_REFUSED, /**< cannot be mapped: its packets are dropped */
};

/**
 * A mempool of the table. The data path reads mp and state without lock
 * (atomics); the control path writes them under lock and bumps pool_gen
 * whenever a pool stops being mapped.
 */
struct iavfc_pool {
	struct rte_mempool *mp;
	uint32_t state;
};

/** Most regions and IRQ indices of a device compared by a move. */
#define IAVFC_IDENT_REGIONS 9u
#define IAVFC_IDENT_IRQS 5u

/**
 * What identifies the device behind the socket (its PCI function as the
 * client sees it before any driver configuration): read at each attach,
 * and from the server a port moves to, which must show the same.
 */
struct iavfc_ident {
	uint16_t vendor, device, subsys_vendor, subsys_device;
	uint32_t class_rev; /**< class code and revision (config offset 8) */
	uint8_t header_type;
	uint32_t dev_flags;
	uint32_t num_regions;
	uint32_t num_irqs;
	struct {
		uint64_t size;
		uint32_t flags; /**< RTE_VFIO_USER_REGION_READ | WRITE | MMAP */
	} region[IAVFC_IDENT_REGIONS];
	struct {
		uint32_t count;
		uint32_t flags;
	} irq[IAVFC_IDENT_IRQS];
};

struct iavfc_adapter {
	struct rte_eth_dev *eth_dev;
	/**
	 * A scratch adapter of a move (iavf_client_mig.c): it drives the
	 * server the port moves to before the port uses it; it touches
	 * neither the port's link nor its reconnection.
	 */
	bool scratch;
	char name[RTE_ETH_NAME_MAX_LEN];
	char path[PATH_MAX];
	uint16_t req_qp; /**< devarg queues (0: what the device offers) */
	uint32_t reconnect_ms; /**< devarg reconnect (0: no automatic reconnection) */
	uint32_t move_pause_ms; /**< devarg move_pause_ms: bound of a move's pause */

	pthread_mutex_t conn_lock; /**< see the top of this file */
	pthread_mutex_t lock;
	struct rte_vfio_user_client *c; /**< NULL when detached */
	bool gone; /**< the server hung up or the connection broke */
	bool closing;
	bool mem_cb; /**< memory event callback registered */
	bool pool_cb; /**< mempool event callback registered */
	bool reconn_armed; /**< the reconnect alarm is set or running */
	uint32_t reconn_tries; /**< attempts since the connection was lost */
	uint64_t lost_tsc; /**< when it was lost (timer cycles) */
	uint64_t reconn_log_tsc; /**< last attempt that logged its failure */
	bool reconn_met_server; /**< an attempt since the loss reached a server */
	uint64_t reconnects; /**< automatic reconnections that succeeded */
	uint64_t reconnects_base; /**< reconnects at the last statistics reset */
	char mem_cb_name[RTE_ETH_NAME_MAX_LEN + 16];

	/* BAR0 tail pages (mapped through the client). */
	uint8_t *tx_tail_page;
	uint8_t *rx_tail_page;

	/* DMA mappings given to the server on this connection. */
	struct iavfc_dma_map *maps;
	uint32_t nb_maps;
	uint32_t maps_cap;
	/* What must be mapped (kept across connections). */
	struct iavfc_dma_want *wants;
	uint32_t nb_wants;
	uint32_t wants_cap;

	/* Mempools: the table, its generation, one pool the data path asks for. */
	struct iavfc_pool pools[IAVFC_MAX_POOLS];
	uint32_t pool_gen;
	struct rte_mempool *pool_req;

	/*
	 * The DMA zone: admin queue rings and buffers, then the descriptor
	 * ring slots (AVF_RING_LEN_MAX descriptors each) of zone_qp receive
	 * queues, then of zone_qp transmit queues.
	 */
	const struct rte_memzone *zone;
	size_t zone_pg; /**< page size of the zone's memory */
	uint16_t zone_qp;
	rte_iova_t rx_ring_iova[AVF_MAX_QUEUE_PAIRS];
	rte_iova_t tx_ring_iova[AVF_MAX_QUEUE_PAIRS];
	volatile struct avf_aq_desc *atq;
	volatile struct avf_aq_desc *arq;
	uint8_t *atq_buf;
	uint8_t *arq_buf; /**< IAVFC_AQ_LEN buffers */
	rte_iova_t atq_iova, arq_iova, atq_buf_iova, arq_buf_iova;
	bool aq_ready; /**< admin queue initialized on this connection */
	bool aq_regs; /**< its registers were written on this connection */
	uint16_t atq_next; /**< next ATQ descriptor to use */
	uint16_t arq_next; /**< next ARQ descriptor to clean */
	uint8_t msg[IAVFC_AQ_BUF_SIZE]; /**< last reply payload */

	/* virtchnl state (from VERSION and GET_VF_RESOURCES). */
	struct virtchnl_version_info pf_ver;
	uint32_t caps;
	uint16_t vsi_id;
	uint16_t nb_qp; /**< queue pairs of the port */
	uint16_t dev_qp; /**< queue pairs the device offers */
	uint16_t max_vectors;
	uint16_t max_mtu;
	struct rte_ether_addr dev_mac; /**< default MAC of the device */
	struct iavfc_ident ident; /**< of the device (iavfc_identify()) */
	/** The spare admin queue of the DMA zone (a move probes the next server with it). */
	volatile struct avf_aq_desc *probe_aq;
	rte_iova_t probe_aq_iova;

	/* Link (from LINK_CHANGE events). */
	bool vf_link_up;
	uint32_t link_speed; /**< Mbps */
	bool lsc_pending; /**< raise LSC once the lock is released */

	/* Port state. */
	bool started;
	bool enabled_on_dev; /**< queues enabled on the device */
	uint32_t dp_on; /**< data path may touch the device (atomic) */
	uint16_t promisc_flags; /**< what the application asked for */
	uint16_t promisc_dev; /**< what the device has (0 after a reset) */
	bool mac_added;
	struct rte_ether_addr mac_on_dev;

	/* Device counters (GET_STATS) at the last reset. */
	struct virtchnl_eth_stats dev_base;
	struct virtchnl_eth_stats dev_last;
};

/**
 * What ethdev allocates as dev_private (in DPDK memory, which may share a
 * page with memory mapped to the server): only the adapter's address.
 */
struct iavfc_priv {
	struct iavfc_adapter *ad;
};

static inline struct iavfc_adapter *
iavfc_ad(const struct rte_eth_dev *dev)
{
	return ((const struct iavfc_priv *)dev->data->dev_private)->ad;
}

/* Layout of the DMA zone. */
#define IAVFC_ZONE_AQ_SIZE \
	(2u * IAVFC_AQ_LEN * sizeof(struct avf_aq_desc) + (IAVFC_AQ_LEN + 1u) * IAVFC_AQ_BUF_SIZE)
#define IAVFC_ZONE_RX_SLOT (AVF_RING_LEN_MAX * AVF_RX_DESC_SIZE)
#define IAVFC_ZONE_TX_SLOT (AVF_RING_LEN_MAX * AVF_TX_DESC_SIZE)
#define IAVFC_ZONE_RX_OFF RTE_ALIGN_CEIL(IAVFC_ZONE_AQ_SIZE, IAVFC_ZONE_RX_SLOT)
#define IAVFC_ZONE_TX_OFF(qp) (IAVFC_ZONE_RX_OFF + (size_t)(qp)*IAVFC_ZONE_RX_SLOT)
/* Then a spare admin queue (rings and buffers), which a move uses to question the next server. */
#define IAVFC_ZONE_PROBE_OFF(qp) \
	RTE_ALIGN_CEIL(IAVFC_ZONE_TX_OFF(qp) + (size_t)(qp)*IAVFC_ZONE_TX_SLOT, 4096u)
#define IAVFC_ZONE_SIZE(qp) (IAVFC_ZONE_PROBE_OFF(qp) + IAVFC_ZONE_AQ_SIZE)

/* iavf_client_vc.c: admin queue and virtchnl (under lock). */
int iavfc_aq_init(struct iavfc_adapter *ad);
void iavfc_aq_shutdown(struct iavfc_adapter *ad);
int iavfc_vc_send(struct iavfc_adapter *ad, uint32_t op, const void *msg, uint16_t len,
		  uint16_t *rlen);
int iavfc_vc_version(struct iavfc_adapter *ad);
int iavfc_vc_get_resources(struct iavfc_adapter *ad);
int iavfc_vc_config_queues(struct iavfc_adapter *ad);
int iavfc_vc_irq_map(struct iavfc_adapter *ad);
int iavfc_vc_queues(struct iavfc_adapter *ad, bool enable);
int iavfc_vc_eth_addr(struct iavfc_adapter *ad, const struct rte_ether_addr *mac, bool add);
int iavfc_vc_promisc(struct iavfc_adapter *ad, uint16_t flags);
int iavfc_vc_get_stats(struct iavfc_adapter *ad, struct virtchnl_eth_stats *st);
int iavfc_vc_reset(struct iavfc_adapter *ad);
void iavfc_arq_poll(struct iavfc_adapter *ad);
int iavfc_reg_read(struct iavfc_adapter *ad, uint32_t off, uint32_t *val);
int iavfc_reg_write(struct iavfc_adapter *ad, uint32_t off, uint32_t val);
void iavfc_conn_error(struct iavfc_adapter *ad, int err, const char *what);
void iavfc_conn_lost(struct iavfc_adapter *ad);
bool iavfc_connected(const struct iavfc_adapter *ad);

/* iavf_client_ethdev.c (under lock) */
void iavfc_link_refresh(struct iavfc_adapter *ad);
int iavfc_identify(struct iavfc_adapter *ad);
int iavfc_map_tails(struct iavfc_adapter *ad);
int iavfc_map_owner(struct iavfc_adapter *ad, const void *owner);
void iavfc_dev_counters_rebase(struct iavfc_adapter *ad);
/* iavf_client_ethdev.c: conn_lock held (see iavfc_dp_quiesce()). */
void iavfc_dp_quiesce(struct iavfc_adapter *ad);
/* iavf_client_ethdev.c: is dev a net_iavf_client port? */
bool iavfc_is_port(const struct rte_eth_dev *dev);
/* iavf_client_ethdev.c: the queues' doorbells in the tail pages of the connection. */
void iavfc_tails_set(struct iavfc_adapter *ad);
/* iavf_client_ethdev.c: the data path asks for a pool to be mapped (no lock). */
void iavfc_pool_request(struct iavfc_adapter *ad, struct rte_mempool *mp);

/* iavf_client_rxtx.c */
uint16_t iavfc_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t iavfc_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);
int iavfc_tx_done_cleanup(void *txq, uint32_t free_cnt);
int iavfc_rxq_start(struct iavfc_rxq *q);
void iavfc_rxq_stop(struct iavfc_rxq *q);
void iavfc_txq_start(struct iavfc_txq *q);
void iavfc_txq_stop(struct iavfc_txq *q);
void iavfc_rxq_reset(struct iavfc_rxq *q);
void iavfc_txq_reset(struct iavfc_txq *q);

#endif /* IAVF_CLIENT_H */
