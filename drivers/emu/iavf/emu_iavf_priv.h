/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef EMU_IAVF_PRIV_H
#define EMU_IAVF_PRIV_H

/*
 * emu_iavf: internal state of one emulated AVF.
 *
 * Threads and locks:
 *  - The vfio-user control thread runs every callback of the server (BAR
 *    accesses, reset, DMA changes, connect/disconnect): it alone processes
 *    the admin transmit queue, changes the queue configuration and raises
 *    emudev events. rte_vfio_user_server_destroy() may run the disconnect
 *    callbacks on the thread that removes the device (never concurrently
 *    with the control thread for this server).
 *  - Consumers call the emudev operations from any thread.
 *  - lock protects all the state below; it is never held while an emudev
 *    event is raised or the consumer's statistics callback runs (both may
 *    call operations, which take it).
 *  - ev_lock protects the emudev pointer while events are raised, so that
 *    the device can be unregistered before the server is destroyed; the
 *    operations never take it.
 *  - irq_state[] is lock-free (rte_emudev_irq_trigger() is a data-path
 *    call).
 */

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_log.h>

#include <rte_emudev.h>
#include <rte_emudev_driver.h>
#include <rte_emudev_net.h>
#include <rte_vfio_user.h>

#include <avf_adminq.h>
#include <avf_desc.h>
#include <avf_regs.h>
#include <avf_virtchnl.h>

extern int emu_iavf_logtype;

#define EMU_IAVF_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, emu_iavf_logtype, "EMU_IAVF: " fmt "\n", ##__VA_ARGS__)

/** Driver (and vdev) name. */
#define EMU_IAVF_DRIVER_NAME "emu_iavf"

/*
 * What the model offers of an AVF (the facts of the device are in
 * drivers/common/avf).
 */

/**
 * Capabilities the device offers: L2, the advanced link speed format of
 * LINK_CHANGE events, VLAN V2 and RSS through virtchnl. The reply to
 * GET_VF_RESOURCES carries the intersection with the capabilities the VF
 * asked for (1.1), or L2 alone (a 1.0 VF, or a request without
 * capabilities).
 */
#define EMU_IAVF_CAPS \
	(VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_CAP_ADV_LINK_SPEED | VIRTCHNL_VF_OFFLOAD_VLAN_V2 | \
	 VIRTCHNL_VF_OFFLOAD_RSS_PF)
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

/** Most VLAN filters (VLAN 0 included) the guest may add. */
#define EMU_IAVF_MAX_VLANS 64u
/** VSI id of the device's single VSI. */
#define EMU_IAVF_VSI_ID 1u
/** The max_mtu reported: the largest frame less an Ethernet header, CRC and a VLAN tag. */
#define EMU_IAVF_MAX_MTU (AVF_MAX_FRAME - 18u)
/** Frame check sequence bytes a VF counts in its rx_bytes statistic. */
#define EMU_IAVF_FCS_LEN 4u

/** Outgoing (PF -> VF) messages waiting for a free receive descriptor. */
#define EMU_IAVF_BACKLOG 16u
/** Largest outgoing message payload. */
#define EMU_IAVF_MSG_MAX 128u
/**
 * Most unicast addresses the guest may add besides the one it was given
 * (the receive configuration holds that one and these).
 */
#define EMU_IAVF_MAX_UC (RTE_EMUDEV_NET_MAX_ADDRS - 1u)
/** Most multicast addresses the guest may add. */
#define EMU_IAVF_MAX_MC RTE_EMUDEV_NET_MAX_ADDRS
/**
 * Most emudev events queued at once (those of one admin queue message, a
 * QUEUE_ENABLED or DISABLED per queue at most, with room to spare). Beyond,
 * an event is dropped (logged); the events a migration depends on do not
 * go through this queue (struct emu_iavf_evlist).
 */
#define EMU_IAVF_MAX_EVENTS (2u * AVF_MAX_QUEUE_PAIRS + 8u)

/**
 * Most events raised after the queued ones by one emu_iavf_evlist (never
 * dropped): a resume after a migration (RESET, DEVICE_READY,
 * NET_RX_CONF_CHANGED, a QUEUE_ENABLED per queue, RESUME).
 */
#define EMU_IAVF_MAX_SURE_EVENTS (2u * AVF_MAX_QUEUE_PAIRS + 4u)

/* irq_state[] bits. */
#define EMU_IAVF_IRQ_ARMED 0x1u /**< INTENA: the next cause fires */
#define EMU_IAVF_IRQ_PENDING 0x2u /**< a cause came while not armed */

/** One PF -> VF message. */
struct emu_iavf_msg {
	uint32_t op;
	int32_t status;
	uint16_t len;
	uint8_t data[EMU_IAVF_MSG_MAX];
};

/** One guest queue (one direction of a queue pair). */
struct emu_iavf_queue {
	bool configured; /**< a ring was configured */
	bool enabled;
	uint32_t ring_len; /**< descriptors */
	uint64_t ring_gpa;
	uint32_t buf_size; /**< receive queues */
	uint32_t max_pkt; /**< receive queues */
	uint32_t vector; /**< RTE_EMUDEV_IRQ_NONE when not mapped */
	/**
	 * Where the consumer starts (rte_emudev_queue_info::head): 0 when the
	 * ring is configured or enabled, the consumer's position once it
	 * reported one (rte_emudev_queue_head_set()), the loaded one after a
	 * migration.
	 */
	uint32_t head;
};

/** Why the device is reset. */
enum emu_iavf_reset_kind {
	EMU_IAVF_RESET_VF = 0, /**< VIRTCHNL_OP_RESET_VF: keep the negotiated version */
	EMU_IAVF_RESET_FULL, /**< FLR, DEVICE_RESET, client gone */
};

struct emu_iavf_dev {
	TAILQ_ENTRY(emu_iavf_dev) next;
	char name[RTE_EMUDEV_NAME_MAX_LEN];
	char sock[PATH_MAX];
	int socket_id;

	/* Configuration (devargs; mac and link also through attributes). */
	uint16_t nb_qp; /**< queue pairs of the device (devarg) */
	uint32_t nb_vectors; /**< nb_qp + 1 */
	uint8_t mac[6];
	uint8_t link_up;
	uint32_t link_speed; /**< Mbps */
	uint16_t consumer_max_qp; /**< 0: no limit */
	bool trust_client_memory; /**< devarg: accept unsealed DMA memory */
	/**
	 * The consumer's counters when the last client left (under lock):
	 * a client sees the traffic of its own connection only.
	 */
	struct rte_emudev_stats stats_base;
	/**
	 * Counted before this device took a migrated state: what the guest
	 * saw on the source, added to what the consumer counts here (under
	 * lock; 0 without a load, back to 0 when the client leaves).
	 */
	struct rte_emudev_stats stats_carry;
	/** The guest's counters when the device stopped for a migration (saved; under lock). */
	struct rte_emudev_stats mig_stats;
	uint32_t max_dma_maps; /**< devarg: DMA mappings per client */
	bool migration; /**< devarg: the device offers migration (default) */

	struct rte_vfio_user_server *srv;
	struct rte_emudev *emudev; /**< under ev_lock; NULL once removing */
	pthread_mutex_t lock;
	pthread_mutex_t ev_lock;

	/*
	 * BAR0: tail pages in a memfd, every other register in regs[]. A
	 * fresh memfd per connection (emu_iavf_disconnected()): a departed
	 * client's mapping never reaches the next client's tails. Both change
	 * under lock, on the control thread, while no queue is enabled.
	 */
	int tail_fd;
	bool tail_mmappable; /**< the server hands tail_fd to clients */
	uint8_t *tail_mem; /**< EMU_IAVF_TAIL_MAP_SIZE bytes */
	uint32_t regs[AVF_BAR0_SIZE / 4];
	uint32_t rstat;
	uint32_t icr01;
	/* BAR3: the MSI-X table and PBA as the client wrote them. */
	uint8_t msix[AVF_MSIX_BAR_SIZE];

	/* Interrupts: vector 0 under lock, the others lock-free. */
	uint32_t irq_state[AVF_MAX_VECTORS];

	/* virtchnl state. */
	bool vf_ver_known;
	struct virtchnl_version_info vf_ver;
	bool resources_sent; /**< GET_VF_RESOURCES answered since reset */
	uint32_t caps; /**< negotiated capabilities */
	uint16_t offered_qp; /**< queue pairs the guest got */
	bool ready; /**< DEVICE_READY raised since reset */
	/**
	 * The link the driver was last told of (LINK_CHANGE posted or
	 * waiting): no event repeats it. Forgotten at reset, at
	 * GET_VF_RESOURCES (a driver initializing) and when the driver
	 * disables its last queue (Linux iavf forgets its link when it goes
	 * down): the next ENABLE_QUEUES tells it again.
	 */
	bool link_told;
	uint8_t told_up;
	uint32_t told_speed; /**< as in the event (Mbps, or a legacy speed bit) */
	bool dma_changing; /**< between dma_change BEGIN and END */
	/**
	 * A client is connected, as emudev consumers see it: set once it
	 * negotiated, cleared only after the reset its departure causes.
	 */
	bool client;
	struct emu_iavf_queue txq[AVF_MAX_QUEUE_PAIRS];
	struct emu_iavf_queue rxq[AVF_MAX_QUEUE_PAIRS];

	/*
	 * Receive configuration (rte_emudev_net_rx_conf): what the guest
	 * asked for since its last reset. A change raises
	 * RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED (emu_iavf_rx_conf_changed()).
	 */
	uint64_t rx_gen; /**< grows with every change */
	uint8_t vf_mac[6]; /**< the MAC the guest was given (GET_VF_RESOURCES) */
	uint8_t uc[EMU_IAVF_MAX_UC][6]; /**< unicast addresses but vf_mac */
	uint32_t nb_uc;
	uint8_t mc[EMU_IAVF_MAX_MC][6];
	uint32_t nb_mc;
	uint16_t promisc; /**< VIRTCHNL_FLAG_*_PROMISC */
	uint64_t vlans[4096 / 64]; /**< VLAN filters (VLAN_V2), bit id % 64 */
	uint32_t nb_vlans; /**< bits set in vlans[] */
	bool vlan_strip; /**< ENABLE_VLAN_STRIPPING_V2 */
	bool vlan_insert; /**< ENABLE_VLAN_INSERTION_V2 (the consumer honours IL2TAG1 anyway) */
	uint8_t rss_key[AVF_RSS_KEY_SIZE]; /**< CONFIG_RSS_KEY (RSS_PF) */
	uint8_t rss_lut[AVF_RSS_LUT_SIZE]; /**< CONFIG_RSS_LUT: receive queues */
	uint64_t rss_hena; /**< SET_RSS_HENA: VIRTCHNL_HASH_FILTER_* bits (all after reset) */
	bool rss_key_set;
	bool rss_lut_set;

	/* PF -> VF messages not yet posted (ring buffer). */
	struct emu_iavf_msg backlog[EMU_IAVF_BACKLOG];
	uint32_t bl_head;
	uint32_t bl_count;

	/* Events to raise once the lock is released (control thread). */
	struct rte_emudev_event evq[EMU_IAVF_MAX_EVENTS];
	uint32_t nb_ev;

	/*
	 * Migration (emu_iavf_mig.c). frozen: stopped by a migration (from
	 * RUNNING->STOP until STOP->RUNNING): no ARQ posting, no interrupt,
	 * no ATQ processing (ATQT writes are kept and processed at resume).
	 * withheld: vectors whose interrupt came while frozen (bit per
	 * vector), fired at resume. mig_loaded: a state was loaded; the next
	 * STOP->RUNNING tells the consumer the whole new state. All under
	 * lock; frozen and withheld are also read lock-free (atomics).
	 */
	bool frozen;
	uint32_t withheld;
	bool mig_loaded;
	/** A DIRTY_LOG(on) was not delivered: the migration arcs fail (under lock). */
	bool dlog_lost;

	/* Admin queue message buffer (control thread). */
	uint8_t aq_buf[AVF_AQ_BUF_MAX];
};

/** Bytes of the tail memfd mapped here: the TX and RX tail pages. */
#define EMU_IAVF_TAIL_MAP_SIZE (AVF_RX_TAIL_PAGE + AVF_TAIL_PAGE_SIZE)

/** The tail register at BAR0 offset off (in a tail page), in the shared pages. */
static inline volatile uint32_t *
emu_iavf_tail_ptr(struct emu_iavf_dev *dev, uint32_t off)
{
	return (volatile uint32_t *)(void *)(dev->tail_mem + off);
}

/* emu_iavf_bar.c */
int emu_iavf_bar0_access(void *arg, uint64_t offset, void *buf, uint32_t count, bool write);
int emu_iavf_bar3_access(void *arg, uint64_t offset, void *buf, uint32_t count, bool write);
void emu_iavf_msix_reset(struct emu_iavf_dev *dev);
void emu_iavf_regs_reset(struct emu_iavf_dev *dev);
void emu_iavf_misc_irq_update(struct emu_iavf_dev *dev);
int emu_iavf_queue_irq_trigger(struct emu_iavf_dev *dev, uint32_t vector);
void emu_iavf_msg_queue(struct emu_iavf_dev *dev, uint32_t op, int32_t status, const void *data,
			uint16_t len);
void emu_iavf_arq_flush(struct emu_iavf_dev *dev);
void emu_iavf_link_event_queue(struct emu_iavf_dev *dev);
void emu_iavf_link_forget(struct emu_iavf_dev *dev);
void emu_iavf_irq_release(struct emu_iavf_dev *dev);

/* emu_iavf_vc.c */
/** What the processing of one virtchnl message asks the caller to do. */
struct emu_iavf_vc_result {
	bool reply; /**< post status and data */
	bool reset; /**< RESET_VF: reset after the descriptor completed */
	bool link_event; /**< post a LINK_CHANGE event after the reply */
	int32_t status;
	uint16_t len;
	uint8_t data[EMU_IAVF_MSG_MAX];
	/* Tails to clear once the events were raised (bitmaps). */
	uint32_t zero_tx_tails;
	uint32_t zero_rx_tails;
};

void emu_iavf_vc_handle(struct emu_iavf_dev *dev, uint32_t op, const uint8_t *msg, uint32_t len,
			const struct rte_emudev_stats *stats, struct emu_iavf_vc_result *res);
void emu_iavf_zero_tails(struct emu_iavf_dev *dev, uint32_t tx_mask, uint32_t rx_mask);
uint64_t emu_iavf_hena_to_rss_types(uint64_t hena);

/* emu_iavf_mig.c */
extern const struct rte_vfio_user_mig_ops emu_iavf_mig_ops;
void emu_iavf_mig_thaw_after_reset(struct emu_iavf_dev *dev);
void emu_iavf_mig_dma_logging(void *arg, bool on);
int emu_iavf_mig_queue_head_set(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid,
				uint32_t head);
void emu_iavf_mig_dirty_mark(void *priv, uint64_t gpa, uint64_t len);
int emu_iavf_mig_state_change(void *arg, enum rte_vfio_user_mig_state from,
			      enum rte_vfio_user_mig_state to);
void emu_iavf_atq_process(struct emu_iavf_dev *dev);

/* emu_iavf.c */
/** Events raised in order, none dropped (emu_iavf_evlist_begin()). */
struct emu_iavf_evlist {
	uint32_t n;
	uint32_t first_sure; /**< the first of the caller's (after the queued ones) */
	struct rte_emudev_event ev[EMU_IAVF_MAX_EVENTS + EMU_IAVF_MAX_SURE_EVENTS];
};
void emu_iavf_evlist_begin(struct emu_iavf_dev *dev, struct emu_iavf_evlist *l);
void emu_iavf_evlist_add(struct emu_iavf_evlist *l, enum rte_emudev_event_type type,
			 const struct rte_emudev_event *ev);
int emu_iavf_evlist_raise(struct emu_iavf_dev *dev, struct emu_iavf_evlist *l);
void emu_iavf_rx_conf_changed(struct emu_iavf_dev *dev);
void emu_iavf_event_push(struct emu_iavf_dev *dev, const struct rte_emudev_event *ev);
void emu_iavf_events_raise(struct emu_iavf_dev *dev);
void emu_iavf_event_raise1(struct emu_iavf_dev *dev, enum rte_emudev_event_type type);
int emu_iavf_stats_fetch(struct emu_iavf_dev *dev, struct rte_emudev_stats *stats);
void emu_iavf_stats_rebase(struct emu_iavf_dev *dev, const struct rte_emudev_stats *carry);
void emu_iavf_reset(struct emu_iavf_dev *dev, enum emu_iavf_reset_kind kind);
uint16_t emu_iavf_offered_qp(const struct emu_iavf_dev *dev);
/** The device of a vdev name, or NULL (tests: they reach the model's internals). */
struct emu_iavf_dev *emu_iavf_dev_lookup(const char *name);

#endif /* EMU_IAVF_PRIV_H */
