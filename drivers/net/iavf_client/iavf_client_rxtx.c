/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * net_iavf_client data path: AVF descriptors in DPDK memory, doorbells in
 * the mmapped tail pages of BAR0.
 *
 * Transmit: one 16-byte data descriptor per mbuf segment (EOP on the last
 * one of a packet); RS on the last descriptor of every step of up to
 * IAVFC_BURST packets, whose index goes into a FIFO. The device writes DTYPE
 * 0xF (done) into the RS descriptors it completed; at the start of every
 * burst the segments up to the newest done RS descriptor are freed (in
 * bulk; with MBUF_FAST_FREE without touching the mbufs), so that they go
 * back through the mempool's per-lcore cache while still hot. One tail
 * write per burst.
 *
 * Receive: legacy 32-byte descriptors {buffer, 0}; the device writes back
 * DD, EOF and the length. A packet spans descriptors up to EOF and becomes
 * an mbuf chain (it may span bursts). Each descriptor taken gets a fresh
 * mbuf at once (from a stash refilled IAVFC_BURST at a time); the tail is
 * given back once free_thresh descriptors are ready. A length larger than
 * the buffer or an error bit drops the packet.
 *
 * The burst functions enter through iavfc_dp_enter(): they mark their
 * queue busy (one atomic exchange) and check dp_on once; when the server
 * is gone, the connection is being replaced or the port is stopped they
 * return 0 without touching anything shared. The control path waits for
 * the busy words to clear before it replaces the connection or resets the
 * rings (iavfc_dp_quiesce()).
 *
 * Only memory mapped to the server goes into a descriptor. Receive buffers
 * come from the queue's pool, mapped at dev_start. A transmitted segment's
 * memory is its pool's (the direct mbuf's pool for a clone): the pool of
 * the previous segment is remembered (one compare per segment); another
 * pool is looked up in the port's table (once, then remembered); an
 * unknown one is asked for from the control path, and a segment whose pool
 * is not mapped (yet), or with an external buffer, drops its packet
 * (counted in errors and in the tx_unmapped_drops xstat).
 *
 * What the device writes back is checked before use: a received length is
 * bounded by the buffer, a packet by IAVFC_RX_MAX_CHAIN_LIMIT descriptors;
 * the buffers are the driver's own (sw_ring), never addresses read back
 * from a descriptor; transmit completions are only looked for in the
 * driver's own RS descriptors.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_io.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include <ethdev_driver.h>

#include "iavf_client.h"

/*
 * Enter the data path of a queue: false (busy left clear) when it may not
 * touch the device. The exchange is a full barrier: either the control
 * path, which clears dp_on and then reads busy, sees this burst, or this
 * burst sees dp_on cleared (iavfc_dp_quiesce()).
 */
static inline bool
iavfc_dp_enter(const struct iavfc_adapter *ad, uint32_t *busy)
{
	__atomic_exchange_n(busy, 1, __ATOMIC_SEQ_CST);
	if (likely(__atomic_load_n(&ad->dp_on, __ATOMIC_SEQ_CST) != 0))
		return true;
	__atomic_store_n(busy, 0, __ATOMIC_RELEASE);
	return false;
}

static inline void
iavfc_dp_leave(uint32_t *busy)
{
	__atomic_store_n(busy, 0, __ATOMIC_RELEASE);
}

/* Counters: one writer (the queue's lcore), readers anywhere. */
static inline void
iavfc_cnt_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

/* ---------------------------------------------------------------- receive */

static inline void
iavfc_rx_desc_set(volatile struct avf_rx_desc *d, struct rte_mbuf *m)
{
	d->qw0 = rte_cpu_to_le_64(rte_mbuf_data_iova_default(m));
	d->qw1 = 0; /* header buffer 0; clears DD */
}

int
iavfc_rxq_start(struct iavfc_rxq *q)
{
	uint16_t i;

	for (i = 0; i < q->nb_desc; i++) {
		struct rte_mbuf *m = rte_mbuf_raw_alloc(q->mp);

		if (m == NULL) {
			IAVFC_LOG(ERR, "%s: rx queue %u: no mbuf for descriptor %u of %u",
				  q->ad->name, q->queue_id, i, q->nb_desc);
			while (i-- > 0) {
				rte_pktmbuf_free_seg(q->sw_ring[i]);
				q->sw_ring[i] = NULL;
			}
			return -ENOMEM;
		}
		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->port = q->port_id;
		q->sw_ring[i] = m;
		iavfc_rx_desc_set(&q->ring[i], m);
		q->ring[i].qw2 = 0;
		q->ring[i].qw3 = 0;
	}
	q->next = 0;
	q->nb_hold = 0;
	q->pkt_first = NULL;
	q->pkt_last = NULL;
	q->pkt_chain = 0;
	q->drop_pkt = false;
	q->started = true;
	return 0;
}

void
iavfc_rxq_stop(struct iavfc_rxq *q)
{
	uint16_t i;

	if (q->pkt_first != NULL)
		rte_pktmbuf_free(q->pkt_first);
	q->pkt_first = NULL;
	q->pkt_last = NULL;
	q->pkt_chain = 0;
	for (i = 0; i < q->nb_desc; i++) {
		if (q->sw_ring[i] != NULL)
			rte_pktmbuf_free_seg(q->sw_ring[i]);
		q->sw_ring[i] = NULL;
	}
	if (q->nb_mb > 0)
		rte_mempool_put_bulk(q->mp, (void **)q->mb, q->nb_mb);
	q->nb_mb = 0;
	if (q->ring != NULL)
		memset((void *)(uintptr_t)q->ring, 0, (size_t)q->nb_desc * sizeof(q->ring[0]));
	q->next = 0;
	q->nb_hold = 0;
	q->started = false;
}

/*
 * The connection is being replaced (data path quiesced): the new device
 * starts its ring at descriptor 0. Every descriptor is posted again with
 * the buffer the software ring already holds for it (DD cleared); what the
 * old device had completed and the application had not received yet is
 * discarded (counted in stale), never delivered, and so is a packet being
 * assembled.
 */
void
iavfc_rxq_reset(struct iavfc_rxq *q)
{
	uint64_t stale = 0;
	uint16_t i;

	if (!q->started)
		return;
	if (q->pkt_first != NULL) {
		rte_pktmbuf_free(q->pkt_first);
		stale++;
	}
	q->pkt_first = NULL;
	q->pkt_last = NULL;
	q->pkt_chain = 0;
	q->drop_pkt = false;
	for (i = 0; i < q->nb_desc; i++) {
		volatile struct avf_rx_desc *d = &q->ring[(q->next + i) % q->nb_desc];
		uint64_t qw1 = rte_le_to_cpu_64(d->qw1);

		if ((qw1 & AVF_RXD_QW1_DD) == 0)
			break;
		if (qw1 & AVF_RXD_QW1_EOF)
			stale++;
	}
	for (i = 0; i < q->nb_desc; i++) {
		iavfc_rx_desc_set(&q->ring[i], q->sw_ring[i]);
		q->ring[i].qw2 = 0;
		q->ring[i].qw3 = 0;
	}
	q->next = 0;
	q->nb_hold = 0;
	if (stale > 0)
		iavfc_cnt_add(&q->stats.stale, stale);
}

uint16_t
iavfc_recv_pkts(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct iavfc_rxq *q = rxq;
	volatile struct avf_rx_desc *ring = q->ring;
	struct rte_mbuf **sw_ring = q->sw_ring;
	struct rte_mbuf *first, *last;
	const uint16_t nb_desc = q->nb_desc, port_id = q->port_id, buf_len = q->buf_len;
	uint16_t idx, nb_rx = 0, nb_taken = 0, nb_mb, chain;
	uint64_t bytes = 0, errors = 0;
	bool drop;

	if (unlikely(!iavfc_dp_enter(q->ad, &q->busy)))
		return 0;
	if (unlikely(!q->started)) {
		iavfc_dp_leave(&q->busy);
		return 0;
	}
	/* The queue's state only now: a reconnection may have reset it. */
	first = q->pkt_first;
	last = q->pkt_last;
	idx = q->next;
	nb_mb = q->nb_mb;
	chain = q->pkt_chain;
	drop = q->drop_pkt;

	while (nb_rx < nb_pkts) {
		volatile struct avf_rx_desc *d = &ring[idx];
		struct rte_mbuf *m, *nm;
		uint64_t qw1;
		uint16_t len;

		/* DD, EOF and the length come in one 64-bit write. */
		qw1 = rte_le_to_cpu_64(d->qw1);
		if ((qw1 & AVF_RXD_QW1_DD) == 0)
			break;
		/* The data after DD. */
		rte_io_rmb();

		if (likely(nb_mb > 0)) {
			nm = q->mb[--nb_mb];
		} else if (rte_mempool_get_bulk(q->mp, (void **)q->mb, IAVFC_BURST) == 0) {
			/* One visit to the mempool per burst, not one per packet. */
			nb_mb = IAVFC_BURST;
			nm = q->mb[--nb_mb];
		} else {
			nm = rte_mbuf_raw_alloc(q->mp);
			if (unlikely(nm == NULL)) {
				rte_eth_devices[port_id].data->rx_mbuf_alloc_failed++;
				break;
			}
		}
		/* A raw mbuf has next NULL and nb_segs 1 (the pool's rule). */
		nm->data_off = RTE_PKTMBUF_HEADROOM;
		nm->port = port_id;
		m = sw_ring[idx];
		sw_ring[idx] = nm;
		iavfc_rx_desc_set(d, nm);
		idx = (uint16_t)(idx + 1 == nb_desc ? 0 : idx + 1);
		nb_taken++;
		rte_prefetch0(&ring[idx]);

		/* m is as it was posted: data_off, next, nb_segs and port set. */
		len = (uint16_t)((qw1 >> AVF_RXD_QW1_LEN_SHIFT) & AVF_RXD_QW1_LEN_MASK);
		if (unlikely(len > buf_len ||
			     (qw1 & (AVF_RXD_QW1_ERR_RXE | AVF_RXD_QW1_ERR_OVERSIZE)) != 0))
			drop = true;
		m->data_len = len;
		if (first == NULL) {
			first = m;
			first->pkt_len = len;
			chain = 1;
		} else {
			last->next = m;
			first->pkt_len += len;
			first->nb_segs++;
			chain++;
		}
		last = m;
		if ((qw1 & AVF_RXD_QW1_EOF) == 0) {
			if (unlikely(chain >= IAVFC_RX_MAX_CHAIN_LIMIT)) {
				/* Longer than any frame: drop it, up to its EOF. */
				rte_pktmbuf_free(first);
				first = NULL;
				last = NULL;
				chain = 0;
				drop = true;
			}
			continue;
		}
		if (unlikely(drop || first->pkt_len == 0)) {
			rte_pktmbuf_free(first);
			errors++;
		} else {
			first->ol_flags = 0;
			first->packet_type = 0;
			first->vlan_tci = 0;
			first->hash.rss = 0;
			bytes += first->pkt_len;
			pkts[nb_rx++] = first;
		}
		first = NULL;
		last = NULL;
		chain = 0;
		drop = false;
	}
	q->nb_mb = nb_mb;
	q->pkt_chain = chain;
	q->drop_pkt = drop;
	q->next = idx;
	q->pkt_first = first;
	q->pkt_last = last;

	q->nb_hold = (uint16_t)(q->nb_hold + nb_taken);
	if (q->nb_hold > q->free_thresh) {
		/* Descriptors up to (not including) idx are the device's again. */
		uint16_t tail = (uint16_t)(idx == 0 ? q->nb_desc - 1 : idx - 1);

		rte_io_wmb();
		rte_write32_relaxed(rte_cpu_to_le_32(tail), q->tail);
		q->nb_hold = 0;
	}
	if (nb_rx > 0) {
		iavfc_cnt_add(&q->stats.packets, nb_rx);
		iavfc_cnt_add(&q->stats.bytes, bytes);
	}
	if (errors > 0)
		iavfc_cnt_add(&q->stats.errors, errors);
	iavfc_dp_leave(&q->busy);
	return nb_rx;
}

/* --------------------------------------------------------------- transmit */

/*
 * Is the memory of segment s mapped to the server? The slow path of
 * iavfc_tx_seg_mapped(): the port's pool table (no lock: atomics).
 */
static __rte_noinline bool
iavfc_tx_seg_lookup(struct iavfc_txq *q, const struct rte_mbuf *s)
{
	struct iavfc_adapter *ad = q->ad;
	struct rte_mempool *mp;
	unsigned int i;

	if (s->ol_flags & RTE_MBUF_F_EXTERNAL)
		return false; /* memory of the application's own */
	mp = RTE_MBUF_CLONED(s) ? rte_mbuf_from_indirect((struct rte_mbuf *)(uintptr_t)s)->pool :
				  s->pool;
	for (i = 0; i < IAVFC_MAX_POOLS; i++) {
		uint32_t st;

		if (__atomic_load_n(&ad->pools[i].mp, __ATOMIC_ACQUIRE) != mp)
			continue;
		st = __atomic_load_n(&ad->pools[i].state, __ATOMIC_ACQUIRE);
		if (st == IAVFC_POOL_MAPPED) {
			if (!RTE_MBUF_CLONED(s))
				q->dma_pool = mp;
			return true;
		}
		if (st == IAVFC_POOL_REFUSED)
			return false;
	}
	iavfc_pool_request(ad, mp);
	return false;
}

static inline bool
iavfc_tx_seg_mapped(struct iavfc_txq *q, const struct rte_mbuf *s)
{
	if (likely(s->pool == q->dma_pool &&
		   (s->ol_flags & (RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL)) == 0))
		return true;
	return iavfc_tx_seg_lookup(q, s);
}

void
iavfc_txq_start(struct iavfc_txq *q)
{
	memset((void *)(uintptr_t)q->ring, 0, (size_t)q->nb_desc * sizeof(q->ring[0]));
	memset(q->sw_ring, 0, (size_t)q->nb_desc * sizeof(q->sw_ring[0]));
	q->next = 0;
	q->clean = 0;
	q->nb_free = (uint16_t)(q->nb_desc - 1);
	q->rs_head = 0;
	q->rs_count = 0;
	q->ff_pool = NULL;
	q->dma_pool = NULL;
	q->started = true;
}

void
iavfc_txq_stop(struct iavfc_txq *q)
{
	uint16_t i;

	/* The segments not reclaimed yet: [clean, next). */
	for (i = q->clean; i != q->next; i = (uint16_t)(i + 1 == q->nb_desc ? 0 : i + 1)) {
		if (q->sw_ring[i] != NULL)
			rte_pktmbuf_free_seg(q->sw_ring[i]);
	}
	memset(q->sw_ring, 0, (size_t)q->nb_desc * sizeof(q->sw_ring[0]));
	q->next = 0;
	q->clean = 0;
	q->nb_free = (uint16_t)(q->nb_desc - 1);
	q->rs_head = 0;
	q->rs_count = 0;
	q->started = false;
}

/*
 * The connection is being replaced (data path quiesced): the new device
 * starts the ring at descriptor 0 with its tail at 0. What was given to the
 * old device and not reclaimed is freed (it was sent, or lost with the
 * server: never sent twice).
 */
void
iavfc_txq_reset(struct iavfc_txq *q)
{
	if (!q->started)
		return;
	iavfc_txq_stop(q);
	iavfc_txq_start(q);
}

#define IAVFC_FREE_BULK 64

/* Give a batch of mbufs of one pool back to it. */
static inline void
iavfc_free_flush(struct rte_mbuf **fb, uint32_t *nfb)
{
	if (*nfb > 0)
		rte_mempool_put_bulk(fb[0]->pool, (void **)fb, *nfb);
	*nfb = 0;
}

/* Free the segments of descriptors [from, from + n) (no wrap), one by one. */
static inline void
iavfc_tx_free_segs(struct rte_mbuf **sw, uint16_t n, struct rte_mbuf **fb, uint32_t *nfb)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_prefree_seg(sw[i]);

		if (m == NULL)
			continue;
		if (*nfb == IAVFC_FREE_BULK || (*nfb > 0 && m->pool != fb[0]->pool))
			iavfc_free_flush(fb, nfb);
		fb[(*nfb)++] = m;
	}
}

/*
 * Reclaim the descriptors up to the newest RS descriptor the device has
 * completed, oldest first. Called at every burst, so that the mbufs go back
 * to the mempool's per-lcore cache while they are still in this CPU's
 * caches (and come out of it again for the next packets). With fast free
 * (one pool, refcnt 1, segments unchained at transmit) the pointers go back
 * as they are, the mbufs untouched. @return the packets freed.
 */
static uint32_t
iavfc_tx_cleanup(struct iavfc_txq *q)
{
	struct rte_mbuf *fb[IAVFC_FREE_BULK];
	uint32_t freed = 0, nfb = 0;
	uint16_t clean = q->clean, nb_desc = q->nb_desc;

	while (q->rs_count > 0) {
		const struct iavfc_tx_rs *rs = &q->rs[q->rs_head];
		uint64_t qw1 = rte_le_to_cpu_64(q->ring[rs->desc].qw1);
		uint16_t n, n1;

		if ((qw1 & AVF_TXD_DTYPE_MASK) != AVF_TXD_DTYPE_DONE)
			break;
		/* Descriptors clean..rs->desc, inclusive, possibly wrapping. */
		n = (uint16_t)(rs->desc >= clean ? rs->desc - clean + 1 :
						   nb_desc - clean + rs->desc + 1);
		n1 = (uint16_t)RTE_MIN(n, nb_desc - clean);
		if (q->fast_free) {
			rte_mempool_put_bulk(q->ff_pool, (void **)&q->sw_ring[clean], n1);
			if (n > n1)
				rte_mempool_put_bulk(q->ff_pool, (void **)&q->sw_ring[0], n - n1);
		} else {
			iavfc_tx_free_segs(&q->sw_ring[clean], n1, fb, &nfb);
			if (n > n1)
				iavfc_tx_free_segs(&q->sw_ring[0], (uint16_t)(n - n1), fb, &nfb);
		}
		clean = (uint16_t)(rs->desc + 1 == nb_desc ? 0 : rs->desc + 1);
		q->nb_free = (uint16_t)(q->nb_free + n);
		freed += rs->pkts;
		q->rs_head = (uint16_t)(q->rs_head + 1 == nb_desc ? 0 : q->rs_head + 1);
		q->rs_count--;
	}
	iavfc_free_flush(fb, &nfb);
	q->clean = clean;
	return freed;
}

int
iavfc_tx_done_cleanup(void *txq, uint32_t free_cnt __rte_unused)
{
	struct iavfc_txq *q = txq;
	int n = 0;

	if (q == NULL || !iavfc_dp_enter(q->ad, &q->busy))
		return 0;
	if (q->started)
		n = (int)iavfc_tx_cleanup(q);
	iavfc_dp_leave(&q->busy);
	return n;
}

/* Set RS on descriptor @last, the end of @pkts packets. */
static inline void
iavfc_tx_set_rs(struct iavfc_txq *q, uint16_t last, uint16_t pkts)
{
	uint32_t slot = (uint32_t)q->rs_head + q->rs_count;

	if (slot >= q->nb_desc)
		slot -= q->nb_desc;
	q->ring[last].qw1 |= rte_cpu_to_le_64(AVF_TXD_CMD_RS << AVF_TXD_CMD_SHIFT);
	q->rs[slot].desc = last;
	q->rs[slot].pkts = pkts;
	q->rs_count++;
}

static inline void
iavfc_tx_desc_set(volatile struct avf_tx_desc *d, const struct rte_mbuf *s, uint64_t cmd)
{
	d->qw0 = rte_cpu_to_le_64(rte_mbuf_data_iova(s));
	d->qw1 = rte_cpu_to_le_64(AVF_TXD_DTYPE_DATA | (cmd << AVF_TXD_CMD_SHIFT) |
				  ((uint64_t)s->data_len << AVF_TXD_BSZ_SHIFT));
}

uint16_t
iavfc_xmit_pkts(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct iavfc_txq *q = txq;
	volatile struct avf_tx_desc *ring = q->ring;
	struct rte_mbuf **sw_ring = q->sw_ring;
	uint16_t nb_tx, idx, nb_free, last = 0, step = 0;
	const uint16_t nb_desc = q->nb_desc;
	const bool fast_free = q->fast_free;
	uint64_t bytes = 0, errors = 0, unmapped = 0;
	uint32_t gen;

	if (unlikely(!iavfc_dp_enter(q->ad, &q->busy)))
		return 0;
	if (unlikely(!q->started)) {
		iavfc_dp_leave(&q->busy);
		return 0;
	}
	/* A pool unmapped since the last burst: forget the one remembered. */
	gen = __atomic_load_n(&q->ad->pool_gen, __ATOMIC_ACQUIRE);
	if (unlikely(gen != q->pool_gen)) {
		q->dma_pool = NULL;
		q->pool_gen = gen;
	}

	if (q->rs_count > 0)
		iavfc_tx_cleanup(q);
	if (fast_free && q->ff_pool == NULL && nb_pkts > 0)
		q->ff_pool = pkts[0]->pool;

	idx = q->next;
	nb_free = q->nb_free;
	for (nb_tx = 0; nb_tx < nb_pkts; nb_tx++) {
		struct rte_mbuf *m = pkts[nb_tx], *s, *next;
		uint16_t nseg = m->nb_segs;

		if (unlikely(nseg > AVF_TX_MAX_DATA_DESCS || m->pkt_len < AVF_TX_MIN_FRAME ||
			     m->pkt_len > AVF_MAX_FRAME)) {
			/* The device would refuse it: drop it here. */
			rte_pktmbuf_free(m);
			errors++;
			continue;
		}
		if (likely(nseg == 1)) {
			s = iavfc_tx_seg_mapped(q, m) ? NULL : m;
		} else {
			for (s = m; s != NULL; s = s->next)
				if (!iavfc_tx_seg_mapped(q, s))
					break;
		}
		if (unlikely(s != NULL)) {
			/* Memory the server does not see: never in a descriptor. */
			rte_pktmbuf_free(m);
			errors++;
			unmapped++;
			continue;
		}
		if (unlikely(nseg > nb_free)) {
			q->nb_free = nb_free;
			iavfc_tx_cleanup(q);
			nb_free = q->nb_free;
			if (nseg > nb_free)
				break;
		}
		bytes += m->pkt_len;
		if (likely(nseg == 1)) {
			iavfc_tx_desc_set(&ring[idx], m, AVF_TXD_CMD_ICRC | AVF_TXD_CMD_EOP);
			sw_ring[idx] = m;
			last = idx;
			idx = (uint16_t)(idx + 1 == nb_desc ? 0 : idx + 1);
		} else {
			for (s = m; s != NULL; s = next) {
				uint64_t cmd = AVF_TXD_CMD_ICRC;

				next = s->next;
				if (next == NULL)
					cmd |= AVF_TXD_CMD_EOP;
				iavfc_tx_desc_set(&ring[idx], s, cmd);
				if (fast_free) {
					/* Each segment goes back to the pool on its own. */
					s->next = NULL;
					s->nb_segs = 1;
				}
				sw_ring[idx] = s;
				last = idx;
				idx = (uint16_t)(idx + 1 == nb_desc ? 0 : idx + 1);
			}
		}
		nb_free = (uint16_t)(nb_free - nseg);
		if (++step == IAVFC_BURST) {
			iavfc_tx_set_rs(q, last, step);
			step = 0;
		}
	}
	if (step > 0)
		iavfc_tx_set_rs(q, last, step);
	q->nb_free = nb_free;
	if (idx != q->next) {
		q->next = idx;
		rte_io_wmb();
		rte_write32_relaxed(rte_cpu_to_le_32(idx), q->tail);
	}
	/* Dropped packets count as sent (they were freed). */
	if (nb_tx > errors) {
		iavfc_cnt_add(&q->stats.packets, nb_tx - errors);
		iavfc_cnt_add(&q->stats.bytes, bytes);
	}
	if (errors > 0)
		iavfc_cnt_add(&q->stats.errors, errors);
	if (unmapped > 0)
		iavfc_cnt_add(&q->stats.unmapped, unmapped);
	iavfc_dp_leave(&q->busy);
	return nb_tx;
}
