/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * net_iavfbe control path: devargs, probe and remove, ethdev operations,
 * emudev events (queues enabled and disabled, memory table changes, resets,
 * removal), link state and statistics (also for the guest's GET_STATS).
 */

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>

#include "emu_kvargs.h"
#include "iavfbe.h"

/* pmd.net.iavfbe (RTE_LOG_DEFAULT_LOGTYPE, from meson.build) */
RTE_LOG_REGISTER_DEFAULT(iavfbe_logtype, NOTICE);

#define GTX RTE_EMUDEV_QUEUE_GUEST_TX
#define GRX RTE_EMUDEV_QUEUE_GUEST_RX

/** Link speed when the device does not tell (Mbps). */
#define IAVFBE_DEFAULT_SPEED RTE_ETH_SPEED_NUM_10G

/* ---------------------------------------------------------------- devargs */

struct iavfbe_args {
	char emu[RTE_EMUDEV_NAME_MAX_LEN];
	enum iavfbe_tso_mode tso;
};

static int
iavfbe_arg_emu(struct emu_kvargs *p, const char *key __rte_unused, const char *val)
{
	struct iavfbe_args *a = p->arg;

	if (emu_kvargs_str(val, a->emu, sizeof(a->emu)) < 0) {
		EMU_KVARGS_ERR(p, "argument \"emu\": name longer than %zu characters",
			       sizeof(a->emu) - 1);
		return -1;
	}
	return 0;
}

static int
iavfbe_arg_tso(struct emu_kvargs *p, const char *key __rte_unused, const char *val)
{
	struct iavfbe_args *a = p->arg;

	if (strcmp(val, "segment") == 0) {
		a->tso = IAVFBE_TSO_SEGMENT;
	} else if (strcmp(val, "passthrough") == 0) {
		a->tso = IAVFBE_TSO_PASSTHROUGH;
	} else {
		EMU_KVARGS_ERR(
			p, "argument \"tso\": \"%s\" is neither \"segment\" nor \"passthrough\"",
			val);
		return -1;
	}
	return 0;
}

static int
iavfbe_parse_args(const char *name, const char *args, struct iavfbe_args *a)
{
	static const struct emu_kvargs_key keys[] = {
		{IAVFBE_ARG_EMU, iavfbe_arg_emu},
		{IAVFBE_ARG_TSO, iavfbe_arg_tso},
	};
	struct emu_kvargs p = {
		.name = name,
		.logtype = iavfbe_logtype,
		.prefix = "IAVFBE: ",
		.known = "emu, tso",
		.keys = keys,
		.nb_keys = RTE_DIM(keys),
		.arg = a,
	};

	memset(a, 0, sizeof(*a));
	a->tso = IAVFBE_TSO_SEGMENT;
	if (emu_kvargs_parse(&p, args) < 0)
		return -EINVAL;
	if (a->emu[0] == '\0') {
		EMU_KVARGS_ERR(&p,
			       "argument \"emu\" (name of the emulated device, e.g. "
			       "emu=emu_iavf0) is required");
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------ statistics */

/* Counters are uint64_t written by one data-path lcore: read each atomically. */
static void
iavfbe_counters_add(uint64_t *acc, const uint64_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		acc[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

static void
iavfbe_counters_sub(uint64_t *acc, const uint64_t *base, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		acc[i] -= base[i];
}

#define IAVFBE_NB_RX_CNT (sizeof(struct iavfbe_rxq_stats) / sizeof(uint64_t))
#define IAVFBE_NB_TX_CNT (sizeof(struct iavfbe_txq_stats) / sizeof(uint64_t))

/* A queue's counters since the last reset. */
static void
iavfbe_rxq_read(const struct iavfbe_rxq *q, struct iavfbe_rxq_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (q == NULL)
		return;
	iavfbe_counters_add((uint64_t *)s, (const uint64_t *)&q->st, IAVFBE_NB_RX_CNT);
	iavfbe_counters_sub((uint64_t *)s, (const uint64_t *)&q->base, IAVFBE_NB_RX_CNT);
}

static void
iavfbe_txq_read(const struct iavfbe_txq *q, struct iavfbe_txq_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (q == NULL)
		return;
	iavfbe_counters_add((uint64_t *)s, (const uint64_t *)&q->st, IAVFBE_NB_TX_CNT);
	iavfbe_counters_sub((uint64_t *)s, (const uint64_t *)&q->base, IAVFBE_NB_TX_CNT);
}

/* The data path counts a frame's class at an offset from its byte counter. */
static_assert(offsetof(struct iavfbe_rxq_stats, broadcast) ==
			      offsetof(struct iavfbe_rxq_stats, bytes) + 3 * sizeof(uint64_t) &&
		      offsetof(struct iavfbe_rxq_stats, drop_broadcast) ==
			      offsetof(struct iavfbe_rxq_stats, drop_bytes) +
				      3 * sizeof(uint64_t) &&
		      offsetof(struct iavfbe_txq_stats, broadcast) ==
			      offsetof(struct iavfbe_txq_stats, bytes) + 3 * sizeof(uint64_t) &&
		      offsetof(struct iavfbe_txq_stats, drop_broadcast) ==
			      offsetof(struct iavfbe_txq_stats, drop_bytes) + 3 * sizeof(uint64_t),
	      "class counters");

/* Dropped guest packets: what ierrors counts (bad_tail counts bursts). */
static uint64_t
iavfbe_rx_errors(const struct iavfbe_rxq_stats *s)
{
	return s->bad_addr + s->bad_len + s->bad_chain + s->bad_tso + s->bad_offload +
		s->tso_errors;
}

/* Packets taken from the application and dropped: what oerrors counts. */
static uint64_t
iavfbe_tx_errors(const struct iavfbe_txq_stats *s)
{
	return s->too_big + s->empty + s->bad_addr;
}

static int
iavfbe_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct iavfbe_rxq_stats s;

		iavfbe_rxq_read(dev->data->rx_queues[i], &s);
		st->ipackets += s.packets;
		st->ibytes += s.bytes;
		st->ierrors += iavfbe_rx_errors(&s);
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[i] = s.packets;
			st->q_ibytes[i] = s.bytes;
			st->q_errors[i] = iavfbe_rx_errors(&s);
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct iavfbe_txq_stats s;

		iavfbe_txq_read(dev->data->tx_queues[i], &s);
		st->opackets += s.packets;
		st->obytes += s.bytes;
		st->oerrors += iavfbe_tx_errors(&s);
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[i] = s.packets;
			st->q_obytes[i] = s.bytes;
		}
	}
	return 0;
}

static int
iavfbe_stats_reset(struct rte_eth_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct iavfbe_rxq *q = dev->data->rx_queues[i];

		if (q != NULL) {
			memset(&q->base, 0, sizeof(q->base));
			iavfbe_counters_add((uint64_t *)&q->base, (const uint64_t *)&q->st,
					    IAVFBE_NB_RX_CNT);
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct iavfbe_txq *q = dev->data->tx_queues[i];

		if (q != NULL) {
			memset(&q->base, 0, sizeof(q->base));
			iavfbe_counters_add((uint64_t *)&q->base, (const uint64_t *)&q->st,
					    IAVFBE_NB_TX_CNT);
		}
	}
	return 0;
}

/*
 * Extended statistics, named from the port's own view: what the port
 * receives is what the guest transmits (its transmit rings are our receive
 * queues), what it transmits is what the guest receives. The port's totals
 * come first ("rx_*", "tx_*"), then the same per queue ("rx_qN_*",
 * "tx_qN_*"). Packets, bytes, errors and mbuf allocation failures are
 * per queue only: their totals are ethdev's own rx_good_packets,
 * rx_good_bytes, rx_errors, rx_mbuf_allocation_errors, tx_good_packets,
 * tx_good_bytes and tx_errors (from iavfbe_stats_get()). The port does not
 * set RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS (ethdev would name only the first
 * RTE_ETHDEV_QUEUE_STAT_CNTRS queues, and twice): the rx_qN_packets,
 * rx_qN_bytes, rx_qN_errors, tx_qN_packets and tx_qN_bytes it would make
 * come from here, for every queue. doc/guides/nics/net_iavfbe.rst lists
 * them all.
 */
struct iavfbe_xstat_def {
	const char *name; /**< without the "rx_"/"tx_"/"rx_qN_"/"tx_qN_" prefix */
	int idx; /**< counter index in the queue's stats structure, or IAVFBE_XS_ERRORS */
	bool queue_only; /**< no port total here: ethdev's basic statistics have it */
};
#define IAVFBE_XS_ERRORS (-1) /* derived: the queue's share of ierrors/oerrors */
#define IAVFBE_RX_IDX(f) ((int)(offsetof(struct iavfbe_rxq_stats, f) / sizeof(uint64_t)))
#define IAVFBE_TX_IDX(f) ((int)(offsetof(struct iavfbe_txq_stats, f) / sizeof(uint64_t)))

static const struct iavfbe_xstat_def iavfbe_rx_xstats[] = {
	{"packets", IAVFBE_RX_IDX(packets), true},
	{"bytes", IAVFBE_RX_IDX(bytes), true},
	{"errors", IAVFBE_XS_ERRORS, true},
	{"mbuf_allocation_errors", IAVFBE_RX_IDX(nombuf), true},
	{"unicast_packets", IAVFBE_RX_IDX(unicast), false},
	{"multicast_packets", IAVFBE_RX_IDX(multicast), false},
	{"broadcast_packets", IAVFBE_RX_IDX(broadcast), false},
	{"dropped_bad_addr", IAVFBE_RX_IDX(bad_addr), false},
	{"dropped_bad_len", IAVFBE_RX_IDX(bad_len), false},
	{"dropped_bad_chain", IAVFBE_RX_IDX(bad_chain), false},
	{"dropped_bad_tso", IAVFBE_RX_IDX(bad_tso), false},
	{"dropped_bad_offload", IAVFBE_RX_IDX(bad_offload), false},
	{"dropped_tso_no_mbufs", IAVFBE_RX_IDX(tso_errors), false},
	{"bad_tail_bursts", IAVFBE_RX_IDX(bad_tail), false},
	{"error_descs", IAVFBE_RX_IDX(bad_descs), false},
	{"tso_packets", IAVFBE_RX_IDX(tso_pkts), false},
	{"tso_segments", IAVFBE_RX_IDX(tso_segs), false},
	{"discarded_bytes", IAVFBE_RX_IDX(drop_bytes), false},
	{"discarded_unicast_packets", IAVFBE_RX_IDX(drop_unicast), false},
	{"discarded_multicast_packets", IAVFBE_RX_IDX(drop_multicast), false},
	{"discarded_broadcast_packets", IAVFBE_RX_IDX(drop_broadcast), false},
	{"ip_cksum_filled", IAVFBE_RX_IDX(csum_ip), false},
	{"l4_cksum_filled", IAVFBE_RX_IDX(csum_l4), false},
	{"vlan_inserted", IAVFBE_RX_IDX(vlan_insert), false},
	{"descs_completed", IAVFBE_RX_IDX(completions), false},
	{"interrupts", IAVFBE_RX_IDX(irqs), false},
	{"dirty_marks", IAVFBE_RX_IDX(dirty_marks), false},
};
static const struct iavfbe_xstat_def iavfbe_tx_xstats[] = {
	{"packets", IAVFBE_TX_IDX(packets), true},
	{"bytes", IAVFBE_TX_IDX(bytes), true},
	{"errors", IAVFBE_XS_ERRORS, true},
	{"unicast_packets", IAVFBE_TX_IDX(unicast), false},
	{"multicast_packets", IAVFBE_TX_IDX(multicast), false},
	{"broadcast_packets", IAVFBE_TX_IDX(broadcast), false},
	{"ring_full", IAVFBE_TX_IDX(ring_full), false},
	{"not_ready", IAVFBE_TX_IDX(not_ready), false},
	{"dropped_filtered", IAVFBE_TX_IDX(filtered), false},
	{"dropped_too_big", IAVFBE_TX_IDX(too_big), false},
	{"dropped_empty", IAVFBE_TX_IDX(empty), false},
	{"dropped_bad_addr", IAVFBE_TX_IDX(bad_addr), false},
	{"discarded_bytes", IAVFBE_TX_IDX(drop_bytes), false},
	{"discarded_unicast_packets", IAVFBE_TX_IDX(drop_unicast), false},
	{"discarded_multicast_packets", IAVFBE_TX_IDX(drop_multicast), false},
	{"discarded_broadcast_packets", IAVFBE_TX_IDX(drop_broadcast), false},
	{"error_descs", IAVFBE_TX_IDX(bad_descs), false},
	{"bad_tail_bursts", IAVFBE_TX_IDX(bad_tail), false},
	{"vlan_stripped", IAVFBE_TX_IDX(vlan_strip), false},
	{"vlan_inserted", IAVFBE_TX_IDX(vlan_insert), false},
	{"rss_hashed", IAVFBE_TX_IDX(rss_hash), false},
	{"descs_written", IAVFBE_TX_IDX(descs), false},
	{"interrupts", IAVFBE_TX_IDX(irqs), false},
	{"dirty_marks", IAVFBE_TX_IDX(dirty_marks), false},
};
/* Every counter once, and the derived errors. */
static_assert(RTE_DIM(iavfbe_rx_xstats) == IAVFBE_NB_RX_CNT + 1, "rx xstats");
static_assert(RTE_DIM(iavfbe_tx_xstats) == IAVFBE_NB_TX_CNT + 1, "tx xstats");

static unsigned int
iavfbe_xstats_nb_totals(const struct iavfbe_xstat_def *defs, unsigned int n)
{
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		k += !defs[i].queue_only;
	return k;
}

static unsigned int
iavfbe_xstats_count(const struct rte_eth_dev *dev)
{
	return iavfbe_xstats_nb_totals(iavfbe_rx_xstats, RTE_DIM(iavfbe_rx_xstats)) +
		iavfbe_xstats_nb_totals(iavfbe_tx_xstats, RTE_DIM(iavfbe_tx_xstats)) +
		dev->data->nb_rx_queues * RTE_DIM(iavfbe_rx_xstats) +
		dev->data->nb_tx_queues * RTE_DIM(iavfbe_tx_xstats);
}

/* Names of one group (totals: queue < 0), from index k; returns the next index. */
static unsigned int
iavfbe_xstats_names_put(struct rte_eth_xstat_name *names, unsigned int k, const char *dir,
			int queue, const struct iavfbe_xstat_def *defs, unsigned int n)
{
	unsigned int j;

	for (j = 0; j < n; j++) {
		if (queue < 0 && defs[j].queue_only)
			continue;
		if (queue < 0)
			snprintf(names[k].name, sizeof(names[k].name), "%s_%s", dir, defs[j].name);
		else
			snprintf(names[k].name, sizeof(names[k].name), "%s_q%d_%s", dir, queue,
				 defs[j].name);
		k++;
	}
	return k;
}

static int
iavfbe_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			unsigned int size)
{
	unsigned int n = iavfbe_xstats_count(dev), k = 0, i;

	if (names == NULL || size < n)
		return (int)n;
	k = iavfbe_xstats_names_put(names, k, "rx", -1, iavfbe_rx_xstats,
				    RTE_DIM(iavfbe_rx_xstats));
	k = iavfbe_xstats_names_put(names, k, "tx", -1, iavfbe_tx_xstats,
				    RTE_DIM(iavfbe_tx_xstats));
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		k = iavfbe_xstats_names_put(names, k, "rx", (int)i, iavfbe_rx_xstats,
					    RTE_DIM(iavfbe_rx_xstats));
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		k = iavfbe_xstats_names_put(names, k, "tx", (int)i, iavfbe_tx_xstats,
					    RTE_DIM(iavfbe_tx_xstats));
	RTE_VERIFY(k == n);
	return (int)n;
}

/* Values of one group (totals: all false), from index k; returns the next index. */
static unsigned int
iavfbe_xstats_values_put(struct rte_eth_xstat *xs, unsigned int k, bool queue,
			 const struct iavfbe_xstat_def *defs, unsigned int n, const uint64_t *cnt,
			 uint64_t errors)
{
	unsigned int j;

	for (j = 0; j < n; j++) {
		if (!queue && defs[j].queue_only)
			continue;
		xs[k].id = k;
		xs[k].value = defs[j].idx == IAVFBE_XS_ERRORS ? errors : cnt[defs[j].idx];
		k++;
	}
	return k;
}

static int
iavfbe_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int size)
{
	unsigned int n = iavfbe_xstats_count(dev), k, i;
	struct iavfbe_rxq_stats rsum;
	struct iavfbe_txq_stats tsum;

	if (xs == NULL || size < n)
		return (int)n;
	memset(&rsum, 0, sizeof(rsum));
	memset(&tsum, 0, sizeof(tsum));
	k = iavfbe_xstats_nb_totals(iavfbe_rx_xstats, RTE_DIM(iavfbe_rx_xstats)) +
		iavfbe_xstats_nb_totals(iavfbe_tx_xstats, RTE_DIM(iavfbe_tx_xstats));
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct iavfbe_rxq_stats s;

		iavfbe_rxq_read(dev->data->rx_queues[i], &s);
		iavfbe_counters_add((uint64_t *)&rsum, (const uint64_t *)&s, IAVFBE_NB_RX_CNT);
		k = iavfbe_xstats_values_put(xs, k, true, iavfbe_rx_xstats,
					     RTE_DIM(iavfbe_rx_xstats), (const uint64_t *)&s,
					     iavfbe_rx_errors(&s));
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct iavfbe_txq_stats s;

		iavfbe_txq_read(dev->data->tx_queues[i], &s);
		iavfbe_counters_add((uint64_t *)&tsum, (const uint64_t *)&s, IAVFBE_NB_TX_CNT);
		k = iavfbe_xstats_values_put(xs, k, true, iavfbe_tx_xstats,
					     RTE_DIM(iavfbe_tx_xstats), (const uint64_t *)&s,
					     iavfbe_tx_errors(&s));
	}
	RTE_VERIFY(k == n);
	k = iavfbe_xstats_values_put(xs, 0, false, iavfbe_rx_xstats, RTE_DIM(iavfbe_rx_xstats),
				     (const uint64_t *)&rsum, iavfbe_rx_errors(&rsum));
	iavfbe_xstats_values_put(xs, k, false, iavfbe_tx_xstats, RTE_DIM(iavfbe_tx_xstats),
				 (const uint64_t *)&tsum, iavfbe_tx_errors(&tsum));
	return (int)n;
}

/*
 * The guest's statistics (virtchnl GET_STATS), on the provider's thread:
 * what we received is what it transmitted. Never reset. The meaning is a
 * VF's (rte_emudev_stats): the class counters and bytes count every frame
 * for the guest, delivered or not, rx_discards those not delivered (guest
 * drivers derive received = classes - discards); rx_bytes counts the frames
 * without FCS (rte_emudev_stats: the device model adds what its wire format
 * counts, e.g. emu_iavf the 4-byte FCS of an AVF). tx: every frame taken from the
 * guest's rings, tx_discards those then dropped (no mbufs to segment),
 * tx_errors those refused as bad (not in the classes).
 */
static void
iavfbe_guest_stats(const struct iavfbe_rxq_stats *rx, const struct iavfbe_txq_stats *tx,
		   struct rte_emudev_stats *es)
{
	es->rx_unicast = tx->unicast + tx->drop_unicast;
	es->rx_multicast = tx->multicast + tx->drop_multicast;
	es->rx_broadcast = tx->broadcast + tx->drop_broadcast;
	es->rx_bytes = tx->bytes + tx->drop_bytes;
	/* ring_full, too_big and bad_addr of the frames the guest's filters accept. */
	es->rx_discards = tx->drop_unicast + tx->drop_multicast + tx->drop_broadcast;
	es->rx_unknown_protocol = 0;
	es->tx_unicast = rx->unicast + rx->drop_unicast;
	es->tx_multicast = rx->multicast + rx->drop_multicast;
	es->tx_broadcast = rx->broadcast + rx->drop_broadcast;
	es->tx_bytes = rx->bytes + rx->drop_bytes;
	es->tx_discards = rx->tso_errors;
	es->tx_errors = rx->bad_addr + rx->bad_len + rx->bad_chain + rx->bad_tso + rx->bad_offload;
}

static int
iavfbe_emu_stats(uint16_t emu_id __rte_unused, struct rte_emudev_stats *es, void *arg)
{
	struct iavfbe_port *p = arg;
	struct iavfbe_rxq_stats rx;
	struct iavfbe_txq_stats tx;
	uint32_t i;

	pthread_mutex_lock(&p->lock);
	rx = p->rx_retired;
	tx = p->tx_retired;
	for (i = 0; i < IAVFBE_MAX_QUEUES; i++) {
		if (p->rxq[i] != NULL)
			iavfbe_counters_add((uint64_t *)&rx, (const uint64_t *)&p->rxq[i]->st,
					    IAVFBE_NB_RX_CNT);
		if (p->txq[i] != NULL)
			iavfbe_counters_add((uint64_t *)&tx, (const uint64_t *)&p->txq[i]->st,
					    IAVFBE_NB_TX_CNT);
	}
	pthread_mutex_unlock(&p->lock);
	iavfbe_guest_stats(&rx, &tx, es);
	return 0;
}

/* ------------------------------------------------- receive configuration */

static int
iavfbe_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted 48-bit numbers of n addresses, duplicates removed; returns how many. */
static uint16_t
iavfbe_macs(uint64_t *out, const struct rte_ether_addr *a, uint16_t n)
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		const uint8_t *b = a[i].addr_bytes;

		out[i] = (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 | (uint64_t)b[2] << 24 |
			(uint64_t)b[3] << 16 | (uint64_t)b[4] << 8 | b[5];
	}
	qsort(out, n, sizeof(*out), iavfbe_u64_cmp);
	for (i = 0; i < n; i++)
		if (k == 0 || out[k - 1] != out[i])
			out[k++] = out[i];
	return k;
}

/* The data path's form of the guest's receive configuration. */
static void
iavfbe_rxconf_build(struct iavfbe_rxconf *d, const struct rte_emudev_net_rx_conf *c)
{
	uint32_t f = c->flags;
	uint16_t i;

	memset(d, 0, sizeof(*d));
	d->supported = true;
	d->generation = c->generation;
	d->guest_flags = f;
	if ((f & RTE_EMUDEV_NET_RX_F_PROMISC) == 0) {
		d->flags |= IAVFBE_RXC_FILTER;
		if (f & RTE_EMUDEV_NET_RX_F_ALLMULTI)
			d->flags |= IAVFBE_RXC_ALLMULTI;
		if (f & RTE_EMUDEV_NET_RX_F_VLAN_FILTER) {
			d->flags |= IAVFBE_RXC_VLAN_FILTER;
			memcpy(d->vlan, c->vlan_bitmap, sizeof(d->vlan));
		}
	}
	/* rte_emudev_net_rx_conf_get() checked the counts. */
	d->nb_uc = iavfbe_macs(d->uc, c->unicast, RTE_MIN(c->nb_unicast, RTE_EMUDEV_NET_MAX_ADDRS));
	d->nb_mc = iavfbe_macs(d->mc, c->multicast,
			       RTE_MIN(c->nb_multicast, RTE_EMUDEV_NET_MAX_ADDRS));
	if (f & RTE_EMUDEV_NET_RX_F_VLAN_STRIP)
		d->flags |= IAVFBE_RXC_STRIP;
	if (f & RTE_EMUDEV_NET_RX_F_RSS) {
		d->rss_types = c->rss_types;
		d->rss_key_len = RTE_MIN(c->rss_key_len, RTE_EMUDEV_NET_RSS_KEY_MAX);
		memcpy(d->rss_key, c->rss_key, d->rss_key_len);
		d->rss_lut_size = RTE_MIN(c->rss_lut_size, RTE_EMUDEV_NET_RSS_LUT_MAX);
		for (i = 0; i < d->rss_lut_size; i++)
			d->rss_lut[i] = c->rss_lut[i];
		if ((d->rss_types & IAVFBE_RSS_TYPES) != 0)
			d->flags |= IAVFBE_RXC_RSS;
	}
}

/*
 * Get the guest's receive configuration and hand it to the transmit queues.
 * Under lock. -ENOTSUP (a provider without one): deliver every frame as it is.
 */
static void
iavfbe_rxconf_update(struct iavfbe_port *p)
{
	struct rte_emudev_net_rx_conf *c;
	struct iavfbe_rxconf *next = &p->rxc[p->rxc_cur ^ 1];
	uint32_t i;
	int ret = -ENODEV;

	c = malloc(sizeof(*c));
	if (c != NULL && !p->emu_gone)
		ret = rte_emudev_net_rx_conf_get(p->emu_id, c);
	if (ret == 0) {
		iavfbe_rxconf_build(next, c);
	} else {
		memset(next, 0, sizeof(*next));
		if (ret != -ENOTSUP && !p->emu_gone)
			IAVFBE_LOG(WARNING, "%s: the guest's receive configuration: %s",
				   p->eth_dev->data->name, strerror(c == NULL ? ENOMEM : -ret));
	}
	free(c);
	/* No burst uses next; once every queue is moved, none uses the other. */
	for (i = 0; i < IAVFBE_MAX_QUEUES; i++) {
		struct iavfbe_txq *q = p->txq[i];

		if (q == NULL)
			continue;
		if (q->running) {
			rte_emudev_qstate_stop(&q->qs);
			q->rxc = next;
			rte_emudev_qstate_start(&q->qs);
		} else {
			q->rxc = next;
		}
	}
	p->rxc_cur ^= 1;
	IAVFBE_LOG(DEBUG,
		   "%s: guest receive configuration %" PRIu64 ": flags 0x%x (data path 0x%x), "
		   "%u unicast, %u multicast, RSS types 0x%" PRIx64 ", key %u, LUT %u",
		   p->eth_dev->data->name, next->generation, next->guest_flags, next->flags,
		   next->nb_uc, next->nb_mc, next->rss_types, next->rss_key_len,
		   next->rss_lut_size);
}

/* ---------------------------------------------------------- queue control */

/* Stop the data path on a queue and remember where it is. Under lock. */
static void
iavfbe_rxq_stop(struct iavfbe_port *p, struct iavfbe_rxq *q)
{
	if (q == NULL || !q->running)
		return;
	rte_emudev_qstate_stop(&q->qs);
	p->ghead[GTX][q->qid] = q->head;
	p->gskip[q->qid] = q->skip;
	q->running = false;
}

static void
iavfbe_txq_stop(struct iavfbe_port *p, struct iavfbe_txq *q)
{
	if (q == NULL || !q->running)
		return;
	rte_emudev_qstate_stop(&q->qs);
	p->ghead[GRX][q->qid] = q->head;
	q->running = false;
}

static void
iavfbe_queues_stop(struct iavfbe_port *p)
{
	uint32_t i;

	for (i = 0; i < p->max_qp; i++) {
		iavfbe_rxq_stop(p, p->rxq[i]);
		iavfbe_txq_stop(p, p->txq[i]);
	}
}

/* Whether the port may serve the guest's queue qid of direction dir now. */
static bool
iavfbe_can_serve(const struct iavfbe_port *p, enum rte_emudev_queue_dir dir, uint16_t qid)
{
	return p->started && !p->emu_gone && !p->quiesced && p->tbl != NULL &&
		p->genabled[dir][qid];
}

/*
 * Where to start on a guest ring: ghead, or the device's head
 * (rte_emudev_queue_info::head) when the queue was enabled or resumed
 * since it was served. Under lock. -EINVAL: a head outside the ring.
 */
static int
iavfbe_head_from_info(struct iavfbe_port *p, enum rte_emudev_queue_dir dir, uint16_t qid,
		      const struct rte_emudev_queue_info *qi)
{
	if (!p->ghead_info[dir][qid])
		return 0;
	if (qi->head >= qi->ring_size) {
		IAVFBE_LOG(ERR, "%s: guest %s queue %u: head %u outside its ring of %u: not served",
			   p->eth_dev->data->name, dir == GTX ? "transmit" : "receive", qid,
			   qi->head, qi->ring_size);
		return -EINVAL;
	}
	/* The rest of a packet being dropped: only where we stopped in it. */
	if (dir == GTX && qi->head != p->ghead[dir][qid])
		p->gskip[qid] = false;
	p->ghead[dir][qid] = qi->head;
	p->ghead_info[dir][qid] = false;
	return 0;
}

/* Common checks of a guest queue; logs why it cannot be served. */
static int
iavfbe_qinfo_get(struct iavfbe_port *p, enum rte_emudev_queue_dir dir, uint16_t qid,
		 struct rte_emudev_queue_info *qi)
{
	const char *what = dir == GTX ? "transmit" : "receive";
	const char *why = NULL;
	int ret;

	ret = rte_emudev_queue_info_get(p->emu_id, dir, qid, qi);
	if (ret < 0) {
		IAVFBE_LOG(ERR, "%s: guest %s queue %u: %s", p->eth_dev->data->name, what, qid,
			   strerror(-ret));
		return ret;
	}
	if (!qi->enabled)
		return -EAGAIN;
	if (qi->ring_host == NULL)
		why = "the ring is not in the guest memory mapped here";
	else if (qi->mem_generation != p->tbl->generation)
		why = "memory table generation mismatch";
	else if (qi->ring_size < 8)
		why = "fewer than 8 descriptors";
	else if (((uintptr_t)qi->ring_host & 7) != 0)
		why = "the ring is not 8-byte aligned";
	else if (qi->doorbell == NULL)
		why = "no doorbell";
	if (why != NULL) {
		/* An empty table: the client is going away; nothing to report. */
		if (p->tbl->nb_regions > 0)
			IAVFBE_LOG(WARNING, "%s: guest %s queue %u cannot be served: %s",
				   p->eth_dev->data->name, what, qid, why);
		return -EINVAL;
	}
	return 0;
}

/* Serve a guest transmit ring on our receive queue if we can. Under lock. */
static void
iavfbe_rxq_refresh(struct iavfbe_port *p, struct iavfbe_rxq *q)
{
	struct rte_emudev_queue_info qi;

	if (q == NULL || q->running || !iavfbe_can_serve(p, GTX, q->qid))
		return;
	if (iavfbe_qinfo_get(p, GTX, q->qid, &qi) < 0)
		return;
	if (qi.desc_format != AVF_DESC_FMT_TX || qi.desc_size != sizeof(*q->ring)) {
		IAVFBE_LOG(WARNING, "%s: guest transmit queue %u: descriptor format %d unsupported",
			   p->eth_dev->data->name, q->qid, (int)qi.desc_format);
		return;
	}
	if (iavfbe_head_from_info(p, GTX, q->qid, &qi) < 0)
		return;
	q->ring = qi.ring_host;
	q->ring_gpa = qi.ring_gpa;
	q->log_dirty = p->log_dirty;
	q->nb_desc = qi.ring_size;
	q->doorbell = qi.doorbell;
	q->irq_vector = qi.irq_vector;
	q->tbl = p->tbl;
	q->xc.idx = 0;
	q->head = p->ghead[GTX][q->qid] < q->nb_desc ? p->ghead[GTX][q->qid] : 0;
	q->skip = p->gskip[q->qid];
	q->nb_rs = 0;
	q->running = true;
	rte_emudev_qstate_start(&q->qs);
	IAVFBE_LOG(DEBUG, "%s: rx queue %u: guest ring of %u at 0x%" PRIx64 ", head %u, vector %d",
		   p->eth_dev->data->name, q->qid, q->nb_desc, qi.ring_gpa, q->head,
		   (int)q->irq_vector);
}

/* Serve a guest receive ring on our transmit queue if we can. Under lock. */
static void
iavfbe_txq_refresh(struct iavfbe_port *p, struct iavfbe_txq *q)
{
	struct rte_emudev_queue_info qi;

	if (q == NULL || q->running || !iavfbe_can_serve(p, GRX, q->qid))
		return;
	if (iavfbe_qinfo_get(p, GRX, q->qid, &qi) < 0)
		return;
	if ((qi.desc_format != AVF_DESC_FMT_RX_32B && qi.desc_format != AVF_DESC_FMT_RX_16B) ||
	    qi.desc_size != avf_desc_fmt_size(qi.desc_format) || qi.buf_size == 0 ||
	    qi.buf_size > AVF_RXD_QW1_LEN_MASK) {
		IAVFBE_LOG(WARNING,
			   "%s: guest receive queue %u: descriptor format %d, buffers of %u "
			   "bytes: unsupported",
			   p->eth_dev->data->name, q->qid, (int)qi.desc_format, qi.buf_size);
		return;
	}
	if (iavfbe_head_from_info(p, GRX, q->qid, &qi) < 0)
		return;
	q->ring = qi.ring_host;
	q->ring_gpa = qi.ring_gpa;
	q->log_dirty = p->log_dirty;
	q->desc_size = qi.desc_size;
	q->nb_desc = qi.ring_size;
	q->doorbell = qi.doorbell;
	q->irq_vector = qi.irq_vector;
	q->buf_size = qi.buf_size;
	q->max_pkt = qi.max_pkt_len;
	q->tbl = p->tbl;
	q->xc.idx = 0;
	q->head = p->ghead[GRX][q->qid] < q->nb_desc ? p->ghead[GRX][q->qid] : 0;
	q->running = true;
	rte_emudev_qstate_start(&q->qs);
	IAVFBE_LOG(DEBUG,
		   "%s: tx queue %u: guest ring of %u at 0x%" PRIx64
		   ", buffers %u, max packet %u, head %u, vector %d",
		   p->eth_dev->data->name, q->qid, q->nb_desc, qi.ring_gpa, q->buf_size, q->max_pkt,
		   q->head, (int)q->irq_vector);
}

static void
iavfbe_queues_refresh(struct iavfbe_port *p)
{
	uint32_t i;

	for (i = 0; i < p->max_qp; i++) {
		iavfbe_rxq_refresh(p, p->rxq[i]);
		iavfbe_txq_refresh(p, p->txq[i]);
	}
}

/* ---------------------------------------------------------------- migration */

/*
 * RTE_EMUDEV_EVENT_QUIESCE: every queue is stopped (a burst writes back all
 * it took from a ring before it leaves the queue: nothing is pending), then
 * the position of every enabled queue is reported. The port serves nothing
 * until RESUME. Under lock.
 */
static void
iavfbe_quiesce(struct iavfbe_port *p)
{
	unsigned int dir, nb = 0;
	uint16_t qid;
	int ret;

	iavfbe_queues_stop(p);
	p->quiesced = true;
	for (dir = 0; dir < RTE_EMUDEV_QUEUE_DIR_MAX; dir++) {
		for (qid = 0; qid < p->max_qp; qid++) {
			/* ghead_info: nothing taken since the device gave its head. */
			if (!p->genabled[dir][qid] || p->ghead_info[dir][qid])
				continue;
			ret = rte_emudev_queue_head_set(p->emu_id, dir, qid, p->ghead[dir][qid]);
			if (ret == -ENOTSUP) {
				IAVFBE_LOG(DEBUG, "%s: the device keeps no queue positions",
					   p->eth_dev->data->name);
				goto out;
			}
			if (ret < 0)
				IAVFBE_LOG(ERR, "%s: guest %s queue %u: head %u not reported: %s",
					   p->eth_dev->data->name,
					   dir == GTX ? "transmit" : "receive", qid,
					   p->ghead[dir][qid], strerror(-ret));
			else
				nb++;
		}
	}
out:
	IAVFBE_LOG(INFO, "%s: quiesced, %u queue positions reported", p->eth_dev->data->name, nb);
}

/*
 * RTE_EMUDEV_EVENT_RESUME: serve the enabled queues again from the heads
 * the device gives (the ones reported, or those of a loaded state). Under lock.
 */
static void
iavfbe_resume(struct iavfbe_port *p)
{
	unsigned int dir;
	uint16_t qid;

	if (!p->quiesced) {
		IAVFBE_LOG(DEBUG, "%s: RESUME without QUIESCE: nothing to do",
			   p->eth_dev->data->name);
		return;
	}
	p->quiesced = false;
	for (dir = 0; dir < RTE_EMUDEV_QUEUE_DIR_MAX; dir++)
		for (qid = 0; qid < p->max_qp; qid++)
			if (p->genabled[dir][qid])
				p->ghead_info[dir][qid] = true;
	iavfbe_queues_refresh(p);
	IAVFBE_LOG(INFO, "%s: resumed", p->eth_dev->data->name);
}

/*
 * RTE_EMUDEV_EVENT_DIRTY_LOG: each queue's flag changes while it is
 * stopped, so when this returns every burst logs (on) or none does (off).
 * Under lock.
 */
static void
iavfbe_dirty_log_set(struct iavfbe_port *p, bool on)
{
	uint32_t i;

	p->log_dirty = on;
	for (i = 0; i < IAVFBE_MAX_QUEUES; i++) {
		struct iavfbe_rxq *rq = p->rxq[i];
		struct iavfbe_txq *tq = p->txq[i];

		if (rq != NULL && rq->running) {
			rte_emudev_qstate_stop(&rq->qs);
			rq->log_dirty = on;
			rte_emudev_qstate_start(&rq->qs);
		} else if (rq != NULL) {
			rq->log_dirty = on;
		}
		if (tq != NULL && tq->running) {
			rte_emudev_qstate_stop(&tq->qs);
			tq->log_dirty = on;
			rte_emudev_qstate_start(&tq->qs);
		} else if (tq != NULL) {
			tq->log_dirty = on;
		}
	}
	IAVFBE_LOG(INFO, "%s: dirty logging %s", p->eth_dev->data->name, on ? "on" : "off");
}

/* -------------------------------------------------------------------- link */

/* Recompute the link; true when its status changed. Under lock. */
static bool
iavfbe_link_compute(struct iavfbe_port *p)
{
	struct rte_eth_link link;
	bool any = false;
	uint32_t i;

	for (i = 0; i < p->max_qp && !any; i++)
		any = p->genabled[GTX][i] || p->genabled[GRX][i];
	memset(&link, 0, sizeof(link));
	link.link_status = p->started && !p->emu_gone && any ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	link.link_speed = link.link_status ? p->link_speed : RTE_ETH_SPEED_NUM_NONE;
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	if (rte_eth_linkstatus_set(p->eth_dev, &link) != 0)
		return false;
	IAVFBE_LOG(INFO, "%s: link %s", p->eth_dev->data->name, link.link_status ? "up" : "down");
	return true;
}

/* Without lock. */
static void
iavfbe_lsc_notify(struct iavfbe_port *p)
{
	rte_eth_dev_callback_process(p->eth_dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

static int
iavfbe_link_update(struct rte_eth_dev *dev, int wait_to_complete __rte_unused)
{
	struct iavfbe_port *p = dev->data->dev_private;
	bool changed;

	pthread_mutex_lock(&p->lock);
	changed = iavfbe_link_compute(p);
	pthread_mutex_unlock(&p->lock);
	return changed ? 0 : -1;
}

/* Tell the guest whether we serve its packets (provider attribute). */
static void
iavfbe_guest_link_set(struct iavfbe_port *p, bool up)
{
	uint8_t v = up;
	int ret;

	if (p->emu_gone)
		return;
	ret = rte_emudev_attr_set(p->emu_id, RTE_EMUDEV_ATTR_LINK_UP, &v, sizeof(v));
	if (ret < 0 && ret != -ENOENT)
		IAVFBE_LOG(WARNING, "%s: cannot set the guest's link %s: %s",
			   p->eth_dev->data->name, up ? "up" : "down", strerror(-ret));
}

/* ------------------------------------------------------------------ events */

static void
iavfbe_emu_event(uint16_t emu_id __rte_unused, const struct rte_emudev_event *ev, void *arg)
{
	struct iavfbe_port *p = arg;
	const char *name;
	bool lsc = false;
	uint32_t i;

	__atomic_fetch_add(&p->cb_active, 1, __ATOMIC_ACQUIRE);
	pthread_mutex_lock(&p->lock);
	if (p->closed || p->emu_gone)
		goto out;
	name = p->eth_dev->data->name;
	IAVFBE_LOG(DEBUG, "%s: event %s", name, rte_emudev_event_name(ev->type));
	switch (ev->type) {
	case RTE_EMUDEV_EVENT_QUEUE_ENABLED:
	case RTE_EMUDEV_EVENT_QUEUE_DISABLED: {
		enum rte_emudev_queue_dir dir = ev->queue.dir;
		uint16_t qid = ev->queue.qid;
		bool en = ev->type == RTE_EMUDEV_EVENT_QUEUE_ENABLED;

		if ((unsigned int)dir >= RTE_EMUDEV_QUEUE_DIR_MAX || qid >= p->max_qp)
			break;
		if (dir == GTX)
			iavfbe_rxq_stop(p, p->rxq[qid]);
		else
			iavfbe_txq_stop(p, p->txq[qid]);
		p->genabled[dir][qid] = en;
		if (en) {
			/* A ring starts where the device says (0 when the guest enables it). */
			p->ghead[dir][qid] = 0;
			p->ghead_info[dir][qid] = true;
			if (dir == GTX) {
				p->gskip[qid] = false;
				iavfbe_rxq_refresh(p, p->rxq[qid]);
			} else {
				iavfbe_txq_refresh(p, p->txq[qid]);
			}
		}
		IAVFBE_LOG(INFO, "%s: guest %s queue %u %s", name,
			   dir == GTX ? "transmit" : "receive", qid, en ? "enabled" : "disabled");
		break;
	}
	case RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING:
		iavfbe_queues_stop(p);
		p->tbl = NULL;
		break;
	case RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED:
		if (rte_emudev_mem_table_get(p->emu_id, &p->tbl) < 0)
			p->tbl = NULL;
		iavfbe_queues_refresh(p);
		break;
	case RTE_EMUDEV_EVENT_RESET:
	case RTE_EMUDEV_EVENT_CLIENT_GONE:
		iavfbe_queues_stop(p);
		for (i = 0; i < p->max_qp; i++) {
			p->genabled[GTX][i] = false;
			p->genabled[GRX][i] = false;
			p->ghead[GTX][i] = 0;
			p->ghead[GRX][i] = 0;
			p->ghead_info[GTX][i] = false;
			p->ghead_info[GRX][i] = false;
			p->gskip[i] = false;
		}
		IAVFBE_LOG(INFO, "%s: %s", name,
			   ev->type == RTE_EMUDEV_EVENT_RESET ? "guest device reset" :
								"guest gone");
		break;
	case RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED:
		iavfbe_rxconf_update(p);
		break;
	case RTE_EMUDEV_EVENT_QUIESCE:
		iavfbe_quiesce(p);
		break;
	case RTE_EMUDEV_EVENT_RESUME:
		iavfbe_resume(p);
		break;
	case RTE_EMUDEV_EVENT_DIRTY_LOG:
		iavfbe_dirty_log_set(p, ev->dirty_log.on);
		break;
	case RTE_EMUDEV_EVENT_REMOVED:
		iavfbe_queues_stop(p);
		p->emu_gone = true;
		p->tbl = NULL;
		p->registered = false;
		p->stats_cb = false;
		memset(p->genabled, 0, sizeof(p->genabled));
		IAVFBE_LOG(WARNING, "%s: emulated device %s removed: the port stays down", name,
			   p->emu_name);
		break;
	default:
		break;
	}
	lsc = iavfbe_link_compute(p);
out:
	pthread_mutex_unlock(&p->lock);
	if (lsc)
		iavfbe_lsc_notify(p);
	__atomic_fetch_sub(&p->cb_active, 1, __ATOMIC_RELEASE);
}

/* ----------------------------------------------------------------- queues */

static int
iavfbe_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc __rte_unused,
		      unsigned int socket_id, const struct rte_eth_rxconf *conf __rte_unused,
		      struct rte_mempool *mp)
{
	struct iavfbe_port *p = dev->data->dev_private;
	struct iavfbe_rxq *q;
	uint32_t room;

	if (qid >= p->max_qp || mp == NULL)
		return -EINVAL;
	room = rte_pktmbuf_data_room_size(mp);
	if (room < RTE_PKTMBUF_HEADROOM + IAVFBE_MIN_DATAROOM) {
		IAVFBE_LOG(ERR,
			   "%s: rx queue %u: mbufs of pool %s hold %u bytes, at least %u needed",
			   dev->data->name, qid, mp->name,
			   room > RTE_PKTMBUF_HEADROOM ? room - RTE_PKTMBUF_HEADROOM : 0,
			   IAVFBE_MIN_DATAROOM);
		return -EINVAL;
	}
	q = rte_zmalloc_socket("iavfbe_rxq", sizeof(*q), RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (q == NULL)
		return -ENOMEM;
	rte_emudev_qstate_init(&q->qs);
	q->emu_id = p->emu_id;
	q->qid = qid;
	q->irq_vector = RTE_EMUDEV_IRQ_NONE;
	q->tso_mode = (uint8_t)p->tso_mode;
	q->dataroom = (uint16_t)(room - RTE_PKTMBUF_HEADROOM);
	q->mp = mp;
	q->port_id = dev->data->port_id;
	q->gso.direct_pool = mp;
	q->gso.indirect_pool = mp;
	q->gso.gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO;
	q->gso.flag = 0; /* IP ids increase from segment to segment */
	q->port = p;

	pthread_mutex_lock(&p->lock);
	p->rxq[qid] = q;
	iavfbe_rxq_refresh(p, q);
	pthread_mutex_unlock(&p->lock);
	dev->data->rx_queues[qid] = q;
	return 0;
}

static void
iavfbe_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct iavfbe_port *p = dev->data->dev_private;
	struct iavfbe_rxq *q = dev->data->rx_queues[qid];

	if (q == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	iavfbe_rxq_stop(p, q);
	if (qid < IAVFBE_MAX_QUEUES && p->rxq[qid] == q)
		p->rxq[qid] = NULL;
	iavfbe_counters_add((uint64_t *)&p->rx_retired, (const uint64_t *)&q->st, IAVFBE_NB_RX_CNT);
	pthread_mutex_unlock(&p->lock);
	iavfbe_rxq_stash_free(q);
	rte_free(q);
	dev->data->rx_queues[qid] = NULL;
}

static int
iavfbe_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc __rte_unused,
		      unsigned int socket_id, const struct rte_eth_txconf *conf __rte_unused)
{
	struct iavfbe_port *p = dev->data->dev_private;
	struct iavfbe_txq *q;

	if (qid >= p->max_qp)
		return -EINVAL;
	q = rte_zmalloc_socket("iavfbe_txq", sizeof(*q), RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (q == NULL)
		return -ENOMEM;
	rte_emudev_qstate_init(&q->qs);
	q->emu_id = p->emu_id;
	q->qid = qid;
	q->irq_vector = RTE_EMUDEV_IRQ_NONE;
	q->port = p;

	pthread_mutex_lock(&p->lock);
	q->rxc = &p->rxc[p->rxc_cur];
	p->txq[qid] = q;
	iavfbe_txq_refresh(p, q);
	pthread_mutex_unlock(&p->lock);
	dev->data->tx_queues[qid] = q;
	return 0;
}

static void
iavfbe_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct iavfbe_port *p = dev->data->dev_private;
	struct iavfbe_txq *q = dev->data->tx_queues[qid];

	if (q == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	iavfbe_txq_stop(p, q);
	if (qid < IAVFBE_MAX_QUEUES && p->txq[qid] == q)
		p->txq[qid] = NULL;
	iavfbe_counters_add((uint64_t *)&p->tx_retired, (const uint64_t *)&q->st, IAVFBE_NB_TX_CNT);
	pthread_mutex_unlock(&p->lock);
	rte_free(q);
	dev->data->tx_queues[qid] = NULL;
}

/* ------------------------------------------------------------- operations */

static int
iavfbe_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct iavfbe_port *p = dev->data->dev_private;

	info->max_rx_queues = p->max_qp;
	info->max_tx_queues = p->max_qp;
	info->max_rx_pktlen = AVF_MAX_FRAME;
	info->min_rx_bufsize = IAVFBE_MIN_DATAROOM;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = AVF_MAX_FRAME - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN - RTE_VLAN_HLEN;
	info->max_mac_addrs = 1;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	/* The guest's RSS (rss_hash_conf_get, reta_query): AVF sizes until it sets its own. */
	info->flow_type_rss_offloads = IAVFBE_RSS_TYPES;
	info->hash_key_size = AVF_RSS_KEY_SIZE;
	info->reta_size = AVF_RSS_LUT_SIZE;
	pthread_mutex_lock(&p->lock);
	{
		const struct iavfbe_rxconf *c = &p->rxc[p->rxc_cur];

		if ((c->guest_flags & RTE_EMUDEV_NET_RX_F_RSS) != 0) {
			if (c->rss_key_len > 0)
				info->hash_key_size = (uint8_t)c->rss_key_len;
			if (c->rss_lut_size > 0)
				info->reta_size = c->rss_lut_size;
		}
	}
	pthread_mutex_unlock(&p->lock);
	info->default_rxportconf.burst_size = IAVFBE_BURST;
	info->default_txportconf.burst_size = IAVFBE_BURST;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	return 0;
}

static int
iavfbe_dev_configure(struct rte_eth_dev *dev)
{
	struct iavfbe_port *p = dev->data->dev_private;
	struct rte_emudev_conf conf;
	int ret = 0;

	memset(&conf, 0, sizeof(conf));
	conf.max_queue_pairs = RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	pthread_mutex_lock(&p->lock);
	if (p->emu_gone) {
		IAVFBE_LOG(ERR, "%s: emulated device %s was removed", dev->data->name, p->emu_name);
		ret = -ENODEV;
	} else {
		ret = rte_emudev_configure(p->emu_id, &conf);
		if (ret < 0)
			IAVFBE_LOG(ERR, "%s: configure %s: %s", dev->data->name, p->emu_name,
				   strerror(-ret));
		else
			iavfbe_rxconf_update(p);
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static int
iavfbe_dev_start(struct rte_eth_dev *dev)
{
	struct iavfbe_port *p = dev->data->dev_private;
	uint32_t speed;
	bool lsc;
	uint16_t i;
	int ret;

	pthread_mutex_lock(&p->lock);
	if (p->emu_gone) {
		pthread_mutex_unlock(&p->lock);
		IAVFBE_LOG(ERR, "%s: emulated device %s was removed", dev->data->name, p->emu_name);
		return -ENODEV;
	}
	ret = rte_emudev_start(p->emu_id);
	if (ret < 0) {
		pthread_mutex_unlock(&p->lock);
		IAVFBE_LOG(ERR, "%s: start %s: %s", dev->data->name, p->emu_name, strerror(-ret));
		return ret;
	}
	if (rte_emudev_attr_get(p->emu_id, RTE_EMUDEV_ATTR_LINK_SPEED, &speed, sizeof(speed)) ==
		    (int)sizeof(speed) &&
	    speed != 0)
		p->link_speed = speed;
	else
		p->link_speed = IAVFBE_DEFAULT_SPEED;
	iavfbe_guest_link_set(p, true);
	p->started = true;
	iavfbe_rxconf_update(p);
	iavfbe_queues_refresh(p);
	lsc = iavfbe_link_compute(p);
	pthread_mutex_unlock(&p->lock);

	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	if (lsc)
		iavfbe_lsc_notify(p);
	return 0;
}

static int
iavfbe_dev_stop(struct rte_eth_dev *dev)
{
	struct iavfbe_port *p = dev->data->dev_private;
	bool lsc;
	uint16_t i;

	pthread_mutex_lock(&p->lock);
	p->started = false;
	iavfbe_queues_stop(p);
	if (!p->emu_gone) {
		iavfbe_guest_link_set(p, false);
		rte_emudev_stop(p->emu_id);
	}
	lsc = iavfbe_link_compute(p);
	pthread_mutex_unlock(&p->lock);

	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	if (lsc)
		iavfbe_lsc_notify(p);
	return 0;
}

/* Let go of the emulated device: callbacks first (they take our lock). */
static void
iavfbe_emu_release(struct iavfbe_port *p)
{
	bool gone, registered, stats_cb;
	int ret;

	pthread_mutex_lock(&p->lock);
	p->closed = true;
	iavfbe_queues_stop(p);
	gone = p->emu_gone;
	registered = p->registered;
	stats_cb = p->stats_cb;
	p->registered = false;
	p->stats_cb = false;
	pthread_mutex_unlock(&p->lock);

	if (!gone && registered) {
		ret = rte_emudev_event_unregister(p->emu_id, RTE_EMUDEV_EVENT_ALL, iavfbe_emu_event,
						  p);
		if (ret < 0 && ret != -ENODEV)
			IAVFBE_LOG(WARNING, "%s: event unregistration: %s", p->eth_dev->data->name,
				   strerror(-ret));
	}
	if (!gone && stats_cb)
		rte_emudev_stats_cb_set(p->emu_id, NULL, NULL);
	/* A REMOVED delivery racing with us (the id is invalid then). */
	while (__atomic_load_n(&p->cb_active, __ATOMIC_ACQUIRE) != 0)
		rte_pause();
	pthread_mutex_lock(&p->lock);
	gone = p->emu_gone;
	pthread_mutex_unlock(&p->lock);
	if (!gone) {
		iavfbe_guest_link_set(p, false);
		rte_emudev_close(p->emu_id);
	}
}

static int
iavfbe_dev_close(struct rte_eth_dev *dev)
{
	struct iavfbe_port *p = dev->data->dev_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	if (p == NULL || p->closed)
		return 0;
	iavfbe_emu_release(p);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		iavfbe_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		iavfbe_tx_queue_release(dev, i);
	IAVFBE_LOG(INFO, "%s: closed", dev->data->name);
	return 0;
}

static int
iavfbe_promisc_noop(struct rte_eth_dev *dev __rte_unused)
{
	/* Every packet of the guest reaches the port, and every packet the
	 * port sends reaches the guest: there is no filter to change.
	 */
	return 0;
}

static int
iavfbe_mtu_set(struct rte_eth_dev *dev __rte_unused, uint16_t mtu __rte_unused)
{
	/* The guest chooses its own MTU; ethdev checked max_mtu. */
	return 0;
}

static int
iavfbe_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	struct iavfbe_port *p = dev->data->dev_private;
	uint8_t cur[RTE_ETHER_ADDR_LEN];
	int ret;

	pthread_mutex_lock(&p->lock);
	if (p->emu_gone) {
		ret = -ENODEV;
	} else if (rte_emudev_attr_get(p->emu_id, RTE_EMUDEV_ATTR_MAC, cur, sizeof(cur)) ==
			   (int)sizeof(cur) &&
		   memcmp(cur, addr->addr_bytes, sizeof(cur)) == 0) {
		/* ethdev sets the address again at every start. */
		pthread_mutex_unlock(&p->lock);
		return 0;
	} else {
		ret = rte_emudev_attr_set(p->emu_id, RTE_EMUDEV_ATTR_MAC, addr->addr_bytes,
					  RTE_ETHER_ADDR_LEN);
	}
	pthread_mutex_unlock(&p->lock);
	if (ret < 0)
		IAVFBE_LOG(ERR, "%s: cannot set the MAC address of %s: %s", dev->data->name,
			   p->emu_name, strerror(-ret));
	else
		IAVFBE_LOG(INFO, "%s: MAC address set; the guest gets it at its next reset",
			   dev->data->name);
	return ret;
}

/*
 * The guest's RSS configuration, for an application that steers packets to
 * the transmit queue (= guest receive queue) the guest's table names.
 */
static int
iavfbe_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *rss_conf)
{
	struct iavfbe_port *p = dev->data->dev_private;
	const struct iavfbe_rxconf *c;

	pthread_mutex_lock(&p->lock);
	c = &p->rxc[p->rxc_cur];
	if ((c->guest_flags & RTE_EMUDEV_NET_RX_F_RSS) == 0) {
		/* The guest has not asked for RSS: nothing hashed. */
		rss_conf->rss_hf = 0;
		rss_conf->rss_key_len = 0;
	} else {
		rss_conf->rss_hf = c->rss_types;
		if (rss_conf->rss_key != NULL)
			memcpy(rss_conf->rss_key, c->rss_key,
			       rss_conf->rss_key_len != 0 ?
				       RTE_MIN(rss_conf->rss_key_len, c->rss_key_len) :
				       RTE_MIN(c->rss_key_len, 40u));
		rss_conf->rss_key_len = (uint8_t)c->rss_key_len;
	}
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static int
iavfbe_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta_conf,
		  uint16_t reta_size)
{
	struct iavfbe_port *p = dev->data->dev_private;
	const struct iavfbe_rxconf *c;
	uint16_t i;
	int ret = 0;

	pthread_mutex_lock(&p->lock);
	c = &p->rxc[p->rxc_cur];
	if ((c->guest_flags & RTE_EMUDEV_NET_RX_F_RSS) == 0 || c->rss_lut_size == 0) {
		ret = -ENOTSUP;
	} else if (reta_size != c->rss_lut_size) {
		IAVFBE_LOG(ERR, "%s: the guest's RSS table has %u entries, not %u", dev->data->name,
			   c->rss_lut_size, reta_size);
		ret = -EINVAL;
	} else {
		for (i = 0; i < reta_size; i++) {
			struct rte_eth_rss_reta_entry64 *e =
				&reta_conf[i / RTE_ETH_RETA_GROUP_SIZE];
			uint16_t k = i % RTE_ETH_RETA_GROUP_SIZE;

			if (e->mask & (1ull << k))
				e->reta[k] = c->rss_lut[i];
		}
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

static const struct eth_dev_ops iavfbe_ops = {
	.dev_configure = iavfbe_dev_configure,
	.dev_start = iavfbe_dev_start,
	.dev_stop = iavfbe_dev_stop,
	.dev_close = iavfbe_dev_close,
	.dev_infos_get = iavfbe_dev_infos_get,
	.link_update = iavfbe_link_update,
	.promiscuous_enable = iavfbe_promisc_noop,
	.promiscuous_disable = iavfbe_promisc_noop,
	.allmulticast_enable = iavfbe_promisc_noop,
	.allmulticast_disable = iavfbe_promisc_noop,
	.mtu_set = iavfbe_mtu_set,
	.mac_addr_set = iavfbe_mac_addr_set,
	.rx_queue_setup = iavfbe_rx_queue_setup,
	.rx_queue_release = iavfbe_rx_queue_release,
	.tx_queue_setup = iavfbe_tx_queue_setup,
	.tx_queue_release = iavfbe_tx_queue_release,
	.stats_get = iavfbe_stats_get,
	.stats_reset = iavfbe_stats_reset,
	.xstats_get = iavfbe_xstats_get,
	.xstats_get_names = iavfbe_xstats_get_names,
	.xstats_reset = iavfbe_stats_reset,
	.rss_hash_conf_get = iavfbe_rss_hash_conf_get,
	.reta_query = iavfbe_reta_query,
};

/* ------------------------------------------------------------ probe/remove */

static int
iavfbe_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_emudev_info info;
	struct rte_eth_dev *eth_dev;
	struct iavfbe_port *p;
	struct iavfbe_args a;
	uint8_t mac[RTE_ETHER_ADDR_LEN];
	uint16_t id, i;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		IAVFBE_LOG(ERR, "%s: only a primary process can serve an emulated device", name);
		return -ENOTSUP;
	}
	ret = iavfbe_parse_args(name, rte_vdev_device_args(vdev), &a);
	if (ret < 0)
		return ret;
	ret = rte_emudev_get_id_by_name(a.emu, &id);
	if (ret < 0) {
		IAVFBE_LOG(ERR,
			   "%s: no emulated device \"%s\" (create it first, e.g. --vdev "
			   "%s,sock=PATH before --vdev %s,emu=%s)",
			   name, a.emu, a.emu, name, a.emu);
		return -ENODEV;
	}
	ret = rte_emudev_info_get(id, &info);
	if (ret < 0) {
		IAVFBE_LOG(ERR, "%s: emulated device %s: %s", name, a.emu, strerror(-ret));
		return ret;
	}
	if (info.type != RTE_EMUDEV_TYPE_NET || info.max_queue_pairs == 0) {
		IAVFBE_LOG(ERR, "%s: emulated device %s (driver %s) is not a network device", name,
			   a.emu, info.driver);
		return -EINVAL;
	}
	RTE_ETH_FOREACH_DEV(i) {
		const struct rte_eth_dev *other = &rte_eth_devices[i];
		const struct iavfbe_port *op = other->data->dev_private;

		if (other->dev_ops == &iavfbe_ops && op != NULL && op->emu_id == id) {
			IAVFBE_LOG(ERR, "%s: emulated device %s is already served by %s", name,
				   a.emu, other->data->name);
			return -EBUSY;
		}
	}
	ret = rte_emudev_attr_get(id, RTE_EMUDEV_ATTR_MAC, mac, sizeof(mac));
	if (ret != (int)sizeof(mac)) {
		rte_eth_random_addr(mac);
		IAVFBE_LOG(WARNING, "%s: %s has no MAC address attribute; using a random one", name,
			   a.emu);
	}

	eth_dev = rte_eth_vdev_allocate(vdev, sizeof(*p));
	if (eth_dev == NULL) {
		IAVFBE_LOG(ERR, "%s: cannot allocate the port", name);
		return -ENOMEM;
	}
	p = eth_dev->data->dev_private;
	pthread_mutex_init(&p->lock, NULL);
	p->eth_dev = eth_dev;
	snprintf(p->emu_name, sizeof(p->emu_name), "%s", a.emu);
	p->emu_id = id;
	p->max_qp = RTE_MIN(info.max_queue_pairs, IAVFBE_MAX_QUEUES);
	p->tso_mode = a.tso;
	p->link_speed = IAVFBE_DEFAULT_SPEED;

	eth_dev->data->mac_addrs =
		rte_zmalloc_socket(name, RTE_ETHER_ADDR_LEN, 0, vdev->device.numa_node);
	if (eth_dev->data->mac_addrs == NULL) {
		ret = -ENOMEM;
		goto fail;
	}
	memcpy(eth_dev->data->mac_addrs[0].addr_bytes, mac, RTE_ETHER_ADDR_LEN);
	eth_dev->dev_ops = &iavfbe_ops;
	eth_dev->rx_pkt_burst = iavfbe_rx_burst;
	eth_dev->tx_pkt_burst = iavfbe_tx_burst;
	eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC;

	ret = rte_emudev_stats_cb_set(id, iavfbe_emu_stats, p);
	if (ret < 0) {
		IAVFBE_LOG(ERR, "%s: emulated device %s: %s", name, a.emu,
			   ret == -EEXIST ? "it already has a consumer" : strerror(-ret));
		/* -EEXIST from a probe is rte_vdev_init()'s "duplicate name". */
		if (ret == -EEXIST)
			ret = -EBUSY;
		goto fail;
	}
	p->stats_cb = true;
	ret = rte_emudev_event_register(id, RTE_EMUDEV_EVENT_ALL, iavfbe_emu_event, p);
	if (ret < 0) {
		IAVFBE_LOG(ERR, "%s: events of %s: %s", name, a.emu, strerror(-ret));
		rte_emudev_stats_cb_set(id, NULL, NULL);
		p->stats_cb = false;
		goto fail;
	}
	p->registered = true;

	/* What the guest did before we came. */
	pthread_mutex_lock(&p->lock);
	if (rte_emudev_mem_table_get(id, &p->tbl) < 0)
		p->tbl = NULL;
	for (i = 0; i < p->max_qp; i++) {
		struct rte_emudev_queue_info qi;

		if (rte_emudev_queue_info_get(id, GTX, i, &qi) == 0)
			p->genabled[GTX][i] = qi.enabled;
		if (rte_emudev_queue_info_get(id, GRX, i, &qi) == 0)
			p->genabled[GRX][i] = qi.enabled;
		/* Where the device says: 0, or where a previous consumer stopped. */
		p->ghead_info[GTX][i] = p->genabled[GTX][i];
		p->ghead_info[GRX][i] = p->genabled[GRX][i];
	}
	/* The guest sees its link down until the port starts. */
	iavfbe_guest_link_set(p, false);
	iavfbe_rxconf_update(p);
	pthread_mutex_unlock(&p->lock);

	rte_eth_dev_probing_finish(eth_dev);
	IAVFBE_LOG(INFO,
		   "%s: port %u on %s (emudev %u, %u queue pairs, MAC " RTE_ETHER_ADDR_PRT_FMT
		   ", tso=%s)",
		   name, eth_dev->data->port_id, a.emu, id, p->max_qp,
		   RTE_ETHER_ADDR_BYTES(&eth_dev->data->mac_addrs[0]),
		   a.tso == IAVFBE_TSO_SEGMENT ? "segment" : "passthrough");
	return 0;

fail:
	pthread_mutex_destroy(&p->lock);
	rte_eth_dev_release_port(eth_dev);
	return ret;
}

static int
iavfbe_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	uint16_t port_id;
	int ret;

	if (eth_dev == NULL)
		return 0; /* closed already */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return rte_eth_dev_release_port(eth_dev);
	port_id = eth_dev->data->port_id;
	if (eth_dev->data->dev_started) {
		ret = rte_eth_dev_stop(port_id);
		if (ret < 0)
			IAVFBE_LOG(WARNING, "%s: stop: %s", rte_vdev_device_name(vdev),
				   strerror(-ret));
	}
	return rte_eth_dev_close(port_id);
}

static struct rte_vdev_driver iavfbe_vdev_driver = {
	.probe = iavfbe_probe,
	.remove = iavfbe_remove,
};

RTE_PMD_REGISTER_VDEV(net_iavfbe, iavfbe_vdev_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_iavfbe, "emu=<emulated device name> tso=segment|passthrough");
