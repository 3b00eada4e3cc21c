/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * libFuzzer target over net_iavfbe's parsing of a guest's transmit ring:
 * iavfbe_rx_burst() turning AVF transmit descriptors (data and context
 * descriptors, checksum, VLAN and TSO requests) and guest buffers into
 * mbufs; and, on the same guest memory, iavfbe_tx_burst() filling the
 * guest's receive ring (buffer addresses from the guest).
 *
 * EAL runs once (no hugepages, no shared config) for the mempools. The receive
 * queue is filled as the port's queue setup and refresh fill it (ring,
 * doorbell, memory table, mempool, GSO context), on a guest memory of three
 * regions, each mapped between inaccessible guard pages: R0 (read-write,
 * holding the ring and buffers), R1 (read-only) and R2 (write-only,
 * adjacent to R1 in the guest). Each input configures the queue (ring
 * size, head, TSO mode, mbuf pool: large, small segments, or nearly empty),
 * then acts as a guest: descriptors written at its tail (fields from the
 * input; buffer addresses in a region, near its end, or anywhere), bytes
 * written into buffers, the tail published (or any value), and receive
 * bursts of any size. Every mbuf returned is checked (rte_mbuf_check) and
 * freed; at the end the queue is drained and every mempool must be full
 * again (an mbuf leak aborts). The guest's receive ring (in R0 too; its
 * size, descriptor size, buffer size and largest packet set by the input)
 * gets receive descriptors the same way, and transmit bursts of packets of
 * any length (chained when longer than an mbuf), with headers from the input
 * and the mbuf's VLAN request (op 0x80 | OP_TX_BURST), under a receive
 * configuration from the input (op 0x80 | OP_RX_RING: address lists, VLAN
 * filter, stripping, RSS types and key).
 */

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <ethdev_driver.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "iavfbe.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define PAGE 4096u
#define NB_REGIONS 3u
#define RING_MAX 1024u
/* R0: the transmit ring, the receive ring (32-byte descriptors), buffers. */
#define RX_RING_OFF (RING_MAX * sizeof(struct avf_tx_desc))
#define BUF_OFF (RX_RING_OFF + RING_MAX * 32u)

struct region {
	uint64_t gpa;
	uint32_t size;
	uint32_t prot;
	uint8_t *host;
};

static struct region regions[NB_REGIONS] = {
	{0x10000000ull, 0x20000u, RTE_EMUDEV_MEM_READ | RTE_EMUDEV_MEM_WRITE, NULL},
	{0x20000000ull, 0x4000u, RTE_EMUDEV_MEM_READ, NULL},
	{0x20004000ull, 0x4000u, RTE_EMUDEV_MEM_WRITE, NULL},
};

/* Pools: 2 KiB segments; 256-byte segments (long chains); nearly empty. */
#define NB_POOLS 3u
static struct rte_mempool *pools[NB_POOLS];
static const uint32_t pool_n[NB_POOLS] = {16384, 16384, 48};
static const uint16_t pool_room[NB_POOLS] = {RTE_MBUF_DEFAULT_BUF_SIZE,
					     RTE_PKTMBUF_HEADROOM + IAVFBE_MIN_DATAROOM,
					     RTE_MBUF_DEFAULT_BUF_SIZE};

static struct rte_emudev_mem_table *tbl;
static struct iavfbe_rxq *q;
static struct iavfbe_txq *txq;
/* The guest's receive configuration, as iavfbe_rxconf_build() leaves it. */
static struct iavfbe_rxconf rxconf;
static uint32_t rx_doorbell;
static uint32_t rx_gtail;
static struct iavfbe_port port;
static struct rte_eth_dev eth_dev;
static struct rte_eth_dev_data eth_data;
static uint32_t doorbell;

/* ------------------------------------------------------------------ set-up */

/* size bytes between two inaccessible pages: an overrun faults. */
static uint8_t *
guarded_map(uint32_t size)
{
	uint8_t *p = mmap(NULL, size + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + PAGE, size, PROT_READ | PROT_WRITE) != 0)
		abort();
	return p + PAGE;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char a0[] = "fuzz_iavfbe_txring", a1[] = "--no-huge", a2[] = "-m", a3[] = "512",
		    a4[] = "--no-pci", a5[] = "--no-shconf", a6[] = "--no-telemetry", a7[] = "-l",
		    a8[] = "0", a9[] = "--log-level=*:error";
	char *eal_args[] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, NULL};
	char name[RTE_MEMPOOL_NAMESIZE];
	cpu_set_t cpus;
	uint32_t i;

	(void)argc;
	(void)argv;
	/* EAL pins this thread to lcore 0's CPU: give back what we had. */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) != 0)
		abort();
	if (rte_eal_init((int)RTE_DIM(eal_args) - 1, eal_args) < 0)
		abort();
	sched_setaffinity(0, sizeof(cpus), &cpus);
	rte_log_set_global_level(RTE_LOG_EMERG);

	for (i = 0; i < NB_POOLS; i++) {
		snprintf(name, sizeof(name), "fuzz_pool%u", i);
		/* No cache: the leak check counts what is in the pool. */
		pools[i] =
			rte_pktmbuf_pool_create(name, pool_n[i], 0, 0, pool_room[i], SOCKET_ID_ANY);
		if (pools[i] == NULL)
			abort();
	}

	tbl = calloc(1, RTE_EMUDEV_MEM_TABLE_SIZE(NB_REGIONS));
	if (tbl == NULL)
		abort();
	tbl->generation = 1;
	tbl->nb_regions = NB_REGIONS;
	for (i = 0; i < NB_REGIONS; i++) {
		regions[i].host = guarded_map(regions[i].size);
		tbl->regions[i].guest_phys_addr = regions[i].gpa;
		tbl->regions[i].size = regions[i].size;
		tbl->regions[i].host_addr = regions[i].host;
		tbl->regions[i].prot = regions[i].prot;
	}

	q = rte_zmalloc("fuzz_rxq", sizeof(*q), RTE_CACHE_LINE_SIZE);
	txq = rte_zmalloc("fuzz_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE);
	if (q == NULL || txq == NULL)
		abort();
	eth_dev.data = &eth_data;
	port.eth_dev = &eth_dev;
	return 0;
}

/* The queue as iavfbe_rx_queue_setup() and iavfbe_rxq_refresh() leave it. */
static void
rxq_setup(struct rte_mempool *mp, uint32_t nb_desc, uint32_t head, bool skip, uint8_t tso_mode)
{
	memset(q, 0, sizeof(*q));
	rte_emudev_qstate_init(&q->qs);
	q->emu_id = 0;
	q->qid = 0;
	q->irq_vector = RTE_EMUDEV_IRQ_NONE;
	q->tso_mode = tso_mode;
	q->dataroom = (uint16_t)(rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM);
	q->mp = mp;
	q->port_id = 0;
	q->gso.direct_pool = mp;
	q->gso.indirect_pool = mp;
	q->gso.gso_types = RTE_ETH_TX_OFFLOAD_TCP_TSO;
	q->gso.flag = 0;
	q->port = &port;

	q->ring = (struct avf_tx_desc *)(void *)regions[0].host;
	q->nb_desc = nb_desc;
	q->doorbell = &doorbell;
	q->tbl = tbl;
	q->xc.idx = 0;
	q->head = head;
	q->skip = skip;
	q->running = true;
	rte_emudev_qstate_start(&q->qs);
}

/* The transmit queue as iavfbe_tx_queue_setup() and iavfbe_txq_refresh() leave it. */
static void
txq_setup(uint32_t nb_desc, uint32_t desc_size, uint32_t buf_size, uint32_t max_pkt, uint32_t head)
{
	memset(txq, 0, sizeof(*txq));
	rte_emudev_qstate_init(&txq->qs);
	txq->irq_vector = RTE_EMUDEV_IRQ_NONE;
	txq->port = &port;
	txq->ring = regions[0].host + RX_RING_OFF;
	txq->desc_size = desc_size;
	txq->nb_desc = nb_desc;
	txq->doorbell = &rx_doorbell;
	txq->buf_size = buf_size;
	txq->max_pkt = max_pkt;
	txq->tbl = tbl;
	txq->head = head;
	txq->rxc = &rxconf;
	txq->running = true;
	rte_emudev_qstate_start(&txq->qs);
	rx_doorbell = head;
	rx_gtail = head;
}

/* -------------------------------------------------------------- the guest */

static uint64_t
addr_pick(struct in *in)
{
	uint8_t mode = in_u8(in);
	const struct region *r = &regions[mode % NB_REGIONS];
	uint16_t v;

	if (mode & 0x80)
		return in_u64(in); /* anywhere */
	v = in_u16(in);
	if (mode & 0x40)
		return r->gpa + r->size - v; /* near the end, or past it */
	return r->gpa + (r == regions ? BUF_OFF : 0) + v;
}

/* One descriptor at the guest's tail (gtail advances). */
static void
op_desc(struct in *in, uint32_t *gtail)
{
	uint8_t kind = in_u8(in);
	struct avf_tx_desc *d = &q->ring[*gtail];
	uint64_t qw0 = 0, qw1;

	switch (kind & 3) {
	case 0: { /* data */
		uint64_t cmd = in_u16(in) & AVF_TXD_CMD_MASK;
		uint64_t off = in_u32(in) & AVF_TXD_OFFSET_MASK;
		uint64_t bsz = in_u16(in) & AVF_TXD_BSZ_MASK;
		uint64_t tag = (kind & 4) ? in_u16(in) : 0;

		qw0 = addr_pick(in);
		qw1 = AVF_TXD_DTYPE_DATA | cmd << AVF_TXD_CMD_SHIFT | off << AVF_TXD_OFFSET_SHIFT |
			bsz << AVF_TXD_BSZ_SHIFT | tag << AVF_TXD_L2TAG1_SHIFT;
		break;
	}
	case 1: { /* context */
		uint64_t cmd = in_u16(in) & AVF_TXCD_CMD_MASK;
		uint64_t tlen = in_u32(in) & AVF_TXCD_TSO_LEN_MASK;
		uint64_t mss = in_u16(in) & AVF_TXCD_MSS_MASK;

		qw1 = AVF_TXD_DTYPE_CTX | cmd << AVF_TXCD_CMD_SHIFT |
			tlen << AVF_TXCD_TSO_LEN_SHIFT | mss << AVF_TXCD_MSS_SHIFT;
		break;
	}
	default: /* raw */
		qw0 = in_u64(in);
		qw1 = in_u64(in);
		break;
	}
	d->qw0 = rte_cpu_to_le_64(qw0);
	d->qw1 = rte_cpu_to_le_64(qw1);
	*gtail = *gtail + 1 == q->nb_desc ? 0 : *gtail + 1;
}

/* Bytes into guest memory (packet headers and payload). */
static void
op_data(struct in *in)
{
	uint8_t sel = in_u8(in);
	const struct region *r = &regions[sel % NB_REGIONS];
	uint32_t off = in_u16(in), len = in_u16(in) & 0x7ff;

	if (r == regions)
		off += BUF_OFF;
	if (len > in->left)
		len = (uint32_t)in->left;
	if (off < r->size) {
		memcpy(r->host + off, in->p, RTE_MIN(len, r->size - off));
		/* A fill pattern, for packets longer than the input. */
		if ((sel & 0x80) && len > 0 && r->size - off > len)
			memset(r->host + off + len, in->p[len - 1], r->size - off - len);
	}
	in->p += len;
	in->left -= len;
}

static void
check_mbuf(const struct rte_mbuf *m)
{
	const char *why = NULL;

	if (rte_mbuf_check(m, 1, &why) != 0)
		abort();
	if (m->pkt_len == 0 || m->port != q->port_id)
		abort();
}

static uint16_t
burst(uint16_t n)
{
	struct rte_mbuf *pkts[256];
	uint16_t nb, i;

	nb = iavfbe_rx_burst(q, pkts, n);
	if (nb > n || q->head >= q->nb_desc || q->stash_cnt > IAVFBE_MAX_TSO_SEGS ||
	    q->nb_mb > IAVFBE_BURST)
		abort();
	for (i = 0; i < nb; i++) {
		check_mbuf(pkts[i]);
		rte_pktmbuf_free(pkts[i]);
	}
	return nb;
}

/* The guest's receive ring: size, descriptor size, buffer size, largest packet. */
static void
op_rx_ring(struct in *in)
{
	uint8_t sel = in_u8(in);
	uint32_t buf = in_u16(in) & AVF_RXD_QW1_LEN_MASK, max_pkt = in_u16(in);
	uint32_t nb = 8u << (sel & 7);

	txq_setup(nb, (sel & 8) ? 16 : 32, buf == 0 ? 1 : buf, max_pkt, in_u8(in) % nb);
}

/* A receive descriptor at the guest's receive tail: a buffer address, or raw. */
static void
op_rx_desc(struct in *in)
{
	uint8_t *d = txq->ring + (size_t)rx_gtail * txq->desc_size;
	uint64_t qw0 = addr_pick(in);

	memcpy(d, &qw0, sizeof(qw0));
	memset(d + 8, 0, txq->desc_size - 8);
	rx_gtail = rx_gtail + 1 == txq->nb_desc ? 0 : rx_gtail + 1;
}

/* n addresses (48-bit numbers) from the input, sorted (the data path bisects). */
static uint16_t
macs_pick(struct in *in, uint64_t *a, uint16_t n)
{
	uint16_t i, j;

	for (i = 0; i < n; i++) {
		uint64_t v = in_u64(in) & 0xFFFFFFFFFFFFull;

		for (j = i; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
	return n;
}

/* The guest's receive configuration (flags, lists, VLANs, RSS types and key). */
static void
op_rx_conf(struct in *in)
{
	uint32_t i;

	memset(&rxconf, 0, sizeof(rxconf));
	rxconf.flags = in_u8(in) &
		(IAVFBE_RXC_FILTER | IAVFBE_RXC_ALLMULTI | IAVFBE_RXC_VLAN_FILTER |
		 IAVFBE_RXC_STRIP | IAVFBE_RXC_RSS);
	rxconf.nb_uc = macs_pick(in, rxconf.uc, in_u8(in) % 5);
	rxconf.nb_mc = macs_pick(in, rxconf.mc, in_u8(in) % 5);
	for (i = 0; i < 4; i++)
		rxconf.vlan[in_u8(in) % RTE_DIM(rxconf.vlan)] = in_u64(in);
	rxconf.rss_types = in_u64(in);
	for (i = 0; i < 52; i++)
		rxconf.rss_key[i] = in_u8(in);
	rxconf.rss_key_len = 52;
}

/*
 * Packets of the lengths the input gives, to the guest; rich: their first
 * bytes from the input, and a VLAN request (RTE_MBUF_F_TX_VLAN) or not.
 */
static void
op_tx_burst(struct in *in, bool rich)
{
	struct rte_mbuf *pkts[8];
	uint16_t n = 1 + in_u8(in) % 8, i, sent;
	struct rte_mempool *mp = pools[in_u8(in) % NB_POOLS];

	for (i = 0; i < n; i++) {
		uint32_t len = in_u16(in) & 0x3fff, hdr = 0;
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp), *last = m;
		uint8_t opt = rich ? in_u8(in) : 0;
		uint8_t head[64];

		if (m == NULL)
			break;
		if (opt & 1) {
			hdr = RTE_MIN(RTE_MIN(len, (uint32_t)sizeof(head)), (uint32_t)in->left);
			memcpy(head, in->p, hdr);
			in->p += hdr;
			in->left -= hdr;
		}
		if (opt & 2) {
			m->ol_flags |= RTE_MBUF_F_TX_VLAN;
			m->vlan_tci = in_u16(in);
		}
		while (len > 0) {
			uint16_t k = (uint16_t)RTE_MIN(len, (uint32_t)rte_pktmbuf_tailroom(last));

			if (k == 0) {
				struct rte_mbuf *seg = rte_pktmbuf_alloc(mp);

				if (seg == NULL)
					break;
				last->next = seg;
				last = seg;
				m->nb_segs++;
				continue;
			}
			memset(rte_pktmbuf_mtod_offset(last, uint8_t *, last->data_len), (int)len,
			       k);
			if (m->pkt_len < hdr)
				memcpy(rte_pktmbuf_mtod_offset(last, uint8_t *, last->data_len),
				       head + m->pkt_len, RTE_MIN((uint32_t)k, hdr - m->pkt_len));
			last->data_len += k;
			m->pkt_len += k;
			len -= k;
		}
		pkts[i] = m;
	}
	n = i;
	sent = iavfbe_tx_burst(txq, pkts, n);
	if (sent > n || txq->head >= txq->nb_desc)
		abort();
	for (i = sent; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
}

enum {
	OP_DESC = 0,
	OP_DATA,
	OP_TAIL,
	OP_BURST,
	OP_RX_RING,
	OP_RX_DESC,
	OP_RX_TAIL,
	OP_TX_BURST,
	OP_COUNT,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {.p = data, .left = size};
	uint32_t nb_desc, head, gtail, i;
	uint8_t cfg, cfg2;

	if (size < 2)
		return 0;
	cfg = in_u8(&in);
	cfg2 = in_u8(&in);
	nb_desc = 8u << (cfg & 7);
	head = cfg2 % nb_desc;
	for (i = 0; i < NB_REGIONS; i++)
		memset(regions[i].host, 0, regions[i].size);
	rxq_setup(pools[((cfg >> 3) & 3) % NB_POOLS], nb_desc, head, cfg & 0x20,
		  (cfg & 0x40) ? IAVFBE_TSO_PASSTHROUGH : IAVFBE_TSO_SEGMENT);
	doorbell = head;
	gtail = head;
	memset(&rxconf, 0, sizeof(rxconf));
	txq_setup(64, 32, 2048, 0, 0);

	while (in.left > 0) {
		uint8_t op = in_u8(&in);

		switch (op % OP_COUNT) {
		case OP_DESC:
			op_desc(&in, &gtail);
			break;
		case OP_DATA:
			op_data(&in);
			break;
		case OP_TAIL:
			/* The guest's doorbell write: its tail, or anything. */
			doorbell = (op & 0x80) ? in_u16(&in) : gtail;
			break;
		case OP_BURST:
			burst((uint16_t)(1 + in_u8(&in) % 64));
			break;
		case OP_RX_RING:
			if (op & 0x80)
				op_rx_conf(&in);
			else
				op_rx_ring(&in);
			break;
		case OP_RX_DESC:
			op_rx_desc(&in);
			break;
		case OP_RX_TAIL:
			rx_doorbell = (op & 0x80) ? in_u16(&in) : rx_gtail;
			break;
		case OP_TX_BURST:
			op_tx_burst(&in, (op & 0x80) != 0);
			break;
		}
	}

	/* Drain, then every mbuf must be back in its pool. */
	for (i = 0; i < 4096 && (burst(64) > 0 || q->stash_cnt > 0); i++)
		;
	rte_emudev_qstate_stop(&q->qs);
	rte_emudev_qstate_stop(&txq->qs);
	iavfbe_rxq_stash_free(q);
	for (i = 0; i < NB_POOLS; i++)
		if (rte_mempool_avail_count(pools[i]) != pool_n[i])
			abort();
	return 0;
}
