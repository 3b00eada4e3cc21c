/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * The guest side of the net_iavfbe tests: the fake AVF emudev provider
 * (over test_fake_emudev), the guest's rings and buffers, packets, the
 * port and its xstats. See test_iavfbe_guest.h.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "emu_compat.h"
#include "rte_emudev.h"
#include "rte_emudev_net.h"
#include "rte_emudev_driver.h"
#include "test_fake_emudev.h"
#include "test_iavfbe_guest.h"

#include <avf_desc.h>

/* ------------------------------------------------------------ fake provider */

struct fake_dev fk;

static int
fake_info_get(void *priv, struct rte_emudev_info *info)
{
	struct fake_dev *f = priv;

	info->max_queue_pairs = NB_QP;
	info->nb_guest_tx_queues = NB_QP;
	info->nb_guest_rx_queues = NB_QP;
	info->nb_irq_vectors = NB_VEC;
	info->client_connected = f->client_connected;
	info->ready = f->client_connected;
	return 0;
}

enum {
	ATTR_MAC,
	ATTR_LINK_UP,
	ATTR_LINK_SPEED,
	NB_ATTRS
};

static const struct rte_emudev_attr_desc fake_attrs[NB_ATTRS] = {
	[ATTR_MAC] = {RTE_EMUDEV_ATTR_MAC, RTE_ETHER_ADDR_LEN, RTE_EMUDEV_ATTR_F_READ},
	[ATTR_LINK_UP] = {RTE_EMUDEV_ATTR_LINK_UP, 1,
			  RTE_EMUDEV_ATTR_F_READ | RTE_EMUDEV_ATTR_F_WRITE},
	[ATTR_LINK_SPEED] = {RTE_EMUDEV_ATTR_LINK_SPEED, 4,
			     RTE_EMUDEV_ATTR_F_READ | RTE_EMUDEV_ATTR_F_WRITE},
};

/* The guest's receive configuration; fake_rxc_ret < 0: what the op returns. */
struct rte_emudev_net_rx_conf fake_rxc;
static int fake_rxc_ret = -ENOTSUP;

static int
fake_net_rx_conf_get(void *priv, struct rte_emudev_net_rx_conf *conf)
{
	RTE_SET_USED(priv);
	if (fake_rxc_ret < 0)
		return fake_rxc_ret;
	*conf = fake_rxc;
	return 0;
}

const struct rte_emudev_ops iavfbe_fake_ops = {
	.info_get = fake_info_get,
	.queue_info_get = fake_emudev_queue_info_get,
	.irq_trigger = fake_emudev_irq_trigger, /* auto-masking, as an AVF */
	.attr_get = fake_emudev_attr_get,
	.attr_set = fake_emudev_attr_set,
	.configure = fake_emudev_configure,
	.start = fake_emudev_start,
	.stop = fake_emudev_stop,
	.close = fake_emudev_close,
	.net_rx_conf_get = fake_net_rx_conf_get,
};

int
fake_mem_publish(void)
{
	struct rte_emudev_mem_region r[2];

	memset(r, 0, sizeof(r));
	r[0].guest_phys_addr = GMEM_GPA;
	r[0].size = GMEM_SIZE;
	r[0].host_addr = fk.mem;
	r[0].prot = RTE_EMUDEV_MEM_READ | RTE_EMUDEV_MEM_WRITE;
	r[1].guest_phys_addr = RMEM_GPA;
	r[1].size = RMEM_SIZE;
	r[1].host_addr = fk.rmem;
	r[1].prot = RTE_EMUDEV_MEM_READ;
	return rte_emudev_mem_table_set(fk.base.dev, r, 2);
}

void
fake_queues_init(void)
{
	unsigned int q;

	for (q = 0; q < NB_QP; q++) {
		struct fake_emudev_queue *t = &fk.q[RTE_EMUDEV_QUEUE_GUEST_TX][q];
		struct fake_emudev_queue *r = &fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][q];

		memset(t, 0, sizeof(*t));
		t->configured = true;
		t->ring_size = TX_RING;
		t->ring_gpa = TX_RING_GPA(q);
		t->irq_vector = 1 + 2 * q;
		memset(r, 0, sizeof(*r));
		r->configured = true;
		r->rx_fmt = AVF_DESC_FMT_RX_32B;
		r->ring_size = RX_RING;
		r->ring_gpa = RX_RING_GPA(q);
		r->buf_size = RX_BUF;
		r->max_pkt_len = RX_MAX_PKT;
		r->irq_vector = 2 + 2 * q;
	}
}

static int
fake_register(const struct rte_emudev_ops *ops)
{
	struct rte_emudev_params p;

	fake_emudev_init(&fk.base, NB_QP, fake_attrs, NB_ATTRS);
	fake_emudev_queues_set(&fk.base, &fk.q[0][0], &fk.doorbell[0][0], NB_QP, AVF_DESC_FMT_TX,
			       avf_desc_fmt_size);
	fake_emudev_irqs_set(&fk.base, fk.armed, fk.irq_fired, fk.irq_calls, &fk.irq_bad_vector,
			     NB_VEC, true);
	p = fake_emudev_params(&fk.base, FAKE_NAME, FAKE_DRIVER, ops);
	if (fake_emudev_register(&fk.base, &p) != 0)
		return -1;
	if (fake_mem_publish() != 0) {
		printf("cannot publish the fake memory table\n");
		rte_emudev_unregister(fk.base.dev);
		fk.base.dev = NULL;
		return -1;
	}
	return 0;
}

int
fake_queue_event(enum rte_emudev_event_type type, enum rte_emudev_queue_dir dir, uint16_t qid)
{
	return fake_emudev_raise_queue(&fk.base, type, dir, qid);
}

int
fake_event(enum rte_emudev_event_type type)
{
	return fake_emudev_raise(&fk.base, type);
}

/* The guest changes its receive configuration (ret < 0: the op fails so). */
int
fake_rxc_set(const struct rte_emudev_net_rx_conf *c, int ret)
{
	if (c != NULL) {
		fake_rxc = *c;
		fake_rxc.generation++;
	}
	fake_rxc_ret = ret;
	return fake_event(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED);
}

void
irq_counts_clear(void)
{
	memset(fk.irq_calls, 0, sizeof(fk.irq_calls));
	memset(fk.irq_fired, 0, sizeof(fk.irq_fired));
	fk.irq_bad_vector = 0;
}

/* ------------------------------------------------------------ the guest */

struct iavfbe_guest gst;

void *
gpa_host(uint64_t gpa)
{
	if (gpa >= GMEM_GPA && gpa < GMEM_GPA + GMEM_SIZE)
		return fk.mem + (gpa - GMEM_GPA);
	if (gpa >= RMEM_GPA && gpa < RMEM_GPA + RMEM_SIZE)
		return fk.rmem + (gpa - RMEM_GPA);
	return NULL;
}

volatile uint64_t *
txd(uint16_t q, uint32_t i)
{
	return gpa_host(fk.q[RTE_EMUDEV_QUEUE_GUEST_TX][q].ring_gpa + (uint64_t)i * 16);
}

volatile uint64_t *
rxd(uint16_t q, uint32_t i)
{
	const struct fake_emudev_queue *fq = &fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][q];

	return gpa_host(fq->ring_gpa + (uint64_t)i * avf_desc_fmt_size(fq->rx_fmt));
}

/* A guest transmit buffer of len bytes (64-byte aligned). */
uint64_t
txb_alloc(uint32_t len)
{
	uint64_t gpa;

	if (gst.txb_next < TXB_START || gst.txb_next + len > TXB_END)
		gst.txb_next = TXB_START;
	gpa = gst.txb_next;
	gst.txb_next = RTE_ALIGN_CEIL(gpa + len, 64);
	return gpa;
}

/* Write a transmit descriptor at the guest's tail; return its index. */
uint32_t
gtx_desc(uint16_t q, uint64_t qw0, uint64_t qw1)
{
	uint32_t i = gst.txq[q].tail;
	volatile uint64_t *d = txd(q, i);

	d[0] = rte_cpu_to_le_64(qw0);
	d[1] = rte_cpu_to_le_64(qw1);
	gst.txq[q].tail = (i + 1) % fk.q[RTE_EMUDEV_QUEUE_GUEST_TX][q].ring_size;
	return i;
}

/* Data descriptor over a fresh guest buffer holding len bytes of data. */
uint32_t
gtx_data(uint16_t q, const void *data, uint32_t len, uint32_t cmd, uint32_t off)
{
	uint64_t gpa = txb_alloc(RTE_MAX(len, 1u));

	if (len > 0)
		memcpy(gpa_host(gpa), data, len);
	return gtx_desc(q, gpa, TXD_QW1(cmd, off, len));
}

void
gtx_kick(uint16_t q)
{
	__atomic_store_n(&fk.doorbell[RTE_EMUDEV_QUEUE_GUEST_TX][q], gst.txq[q].tail,
			 __ATOMIC_RELEASE);
}

/*
 * Transmit a packet split into nb pieces of the given sizes (the last one
 * takes the rest; nb 0 or sizes NULL: one piece), cmd on every descriptor,
 * EOP (and RS when rs) on the last. Returns the index of the last
 * descriptor. Does not ring the doorbell.
 */
uint32_t
gtx_pkt(uint16_t q, const uint8_t *pkt, uint32_t len, const uint32_t *sizes, unsigned int nb,
	uint32_t cmd, uint32_t off, bool rs)
{
	uint32_t done = 0, n, last = 0;
	unsigned int i;

	if (sizes == NULL || nb == 0)
		nb = 1;
	for (i = 0; i < nb; i++) {
		bool end = i == nb - 1;
		uint32_t c = cmd;

		n = end || sizes == NULL ? len - done : RTE_MIN(sizes[i], len - done);
		if (end)
			c |= AVF_TXD_CMD_EOP | (rs ? AVF_TXD_CMD_RS : 0);
		last = gtx_data(q, pkt + done, n, c, off);
		done += n;
	}
	return last;
}

bool
gtx_done(uint16_t q, uint32_t i)
{
	return (rte_le_to_cpu_64(txd(q, i)[1]) & 0xf) == AVF_TXD_DTYPE_DONE;
}

/* Post n receive buffers at the guest's tail (poisoned), and ring. */
void
grx_post(uint16_t q, uint32_t n)
{
	uint32_t size = fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][q].ring_size;
	uint32_t k;

	for (k = 0; k < n; k++) {
		uint32_t i = gst.rxq[q].tail;
		volatile uint64_t *d = rxd(q, i);

		memset(gpa_host(RX_BUF_GPA(q, i)), 0xa5, RX_BUF);
		d[0] = rte_cpu_to_le_64(RX_BUF_GPA(q, i));
		d[1] = 0;
		if (fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][q].rx_fmt == AVF_DESC_FMT_RX_32B) {
			/* Not written back by a minimal device: poison. */
			d[2] = UINT64_MAX;
			d[3] = UINT64_MAX;
		}
		gst.rxq[q].tail = (i + 1) % size;
	}
	__atomic_store_n(&fk.doorbell[RTE_EMUDEV_QUEUE_GUEST_RX][q], gst.rxq[q].tail,
			 __ATOMIC_RELEASE);
}

/* Posted and not yet read back. */
uint32_t
grx_outstanding(uint16_t q)
{
	uint32_t size = fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][q].ring_size;

	return (gst.rxq[q].tail + size - gst.rxq[q].next) % size;
}

/* Reset the guest's view of every ring (rings zeroed, tails 0). */
void
guest_rings_reset(void)
{
	unsigned int q;

	for (q = 0; q < NB_QP; q++) {
		memset((void *)(uintptr_t)txd(q, 0), 0, TX_RING * 16);
		memset((void *)(uintptr_t)rxd(q, 0), 0, RX_RING * 32);
		gst.txq[q].tail = 0;
		gst.rxq[q].tail = 0;
		gst.rxq[q].next = 0;
		fk.doorbell[RTE_EMUDEV_QUEUE_GUEST_TX][q] = 0;
		fk.doorbell[RTE_EMUDEV_QUEUE_GUEST_RX][q] = 0;
	}
}

/* The guest enables (or disables) every queue, with the provider's events. */
int
guest_queues_set(bool enable)
{
	enum rte_emudev_event_type t =
		enable ? RTE_EMUDEV_EVENT_QUEUE_ENABLED : RTE_EMUDEV_EVENT_QUEUE_DISABLED;
	unsigned int q, d;

	for (q = 0; q < NB_QP; q++) {
		/* The guest enables its transmit queue first, as DPDK's iavf. */
		for (d = 0; d < RTE_EMUDEV_QUEUE_DIR_MAX; d++) {
			fk.q[d][q].enabled = enable;
			if (fake_queue_event(t, d, q) != 0)
				return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ packets */

const struct rte_ether_addr pkt_dst = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
const struct rte_ether_addr pkt_src = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};

/* Pseudo-header sum (not complemented, not folded) of a segment of l4_len. */
static uint32_t
phdr_sum(const struct rte_ipv4_hdr *ip, uint32_t l4_len)
{
	struct EMU_PACKED_BEGIN {
		rte_be32_t src, dst;
		uint8_t zero, proto;
		rte_be16_t len;
	} EMU_PACKED_END ph;

	ph.src = ip->src_addr;
	ph.dst = ip->dst_addr;
	ph.zero = 0;
	ph.proto = ip->next_proto_id;
	ph.len = rte_cpu_to_be_16((uint16_t)l4_len);
	return __rte_raw_cksum(&ph, sizeof(ph), 0);
}

uint32_t
phdr6_sum(const struct rte_ipv6_hdr *ip, uint32_t l4_len)
{
	struct EMU_PACKED_BEGIN {
		rte_be32_t len;
		uint8_t zero[3];
		uint8_t nh;
	} EMU_PACKED_END ph;
	uint32_t sum = __rte_raw_cksum(&ip->src_addr, 32, 0);

	ph.len = rte_cpu_to_be_32(l4_len);
	memset(ph.zero, 0, sizeof(ph.zero));
	ph.nh = ip->proto;
	return __rte_raw_cksum(&ph, sizeof(ph), sum);
}

/*
 * The TCP or UDP header and payload of build_pkt() (v6: of build_pkt6(),
 * other sequence numbers, window and payload pattern), the checksum 0.
 * Returns where the checksum goes.
 */
static uint8_t *
l4_build(uint8_t *l4, uint8_t proto, uint32_t payload, uint32_t seed, bool v6)
{
	uint32_t l4h = proto == IPPROTO_TCP ? TCP_LEN : UDP_LEN, i;
	uint8_t *ckp;

	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		memset(th, 0, sizeof(*th));
		th->src_port = rte_cpu_to_be_16(1234);
		th->dst_port = rte_cpu_to_be_16(5678);
		th->sent_seq = rte_cpu_to_be_32((v6 ? 0x30000000u : 0x10000000u) + seed * 0x1000u);
		th->recv_ack = rte_cpu_to_be_32(v6 ? 0x40000000u : 0x20000000u);
		th->data_off = (TCP_LEN / 4) << 4;
		th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
		th->rx_win = rte_cpu_to_be_16(v6 ? 0x8000 : 0xffff);
		ckp = l4 + offsetof(struct rte_tcp_hdr, cksum);
	} else {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->src_port = rte_cpu_to_be_16(4321);
		uh->dst_port = rte_cpu_to_be_16(8765);
		uh->dgram_len = rte_cpu_to_be_16((uint16_t)(l4h + payload));
		ckp = l4 + offsetof(struct rte_udp_hdr, dgram_cksum);
	}
	for (i = 0; i < payload; i++)
		l4[l4h + i] = v6 ? (uint8_t)(seed * 13 + i * 5 + (i >> 9)) :
				   (uint8_t)(seed * 31 + i * 7 + (i >> 8));
	memset(ckp, 0, 2);
	return ckp;
}

/* The Ethernet header of every frame built here. */
static void
eth_build(uint8_t *buf, uint16_t ether_type)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)(void *)buf;

	rte_ether_addr_copy(&pkt_dst, &eth->dst_addr);
	rte_ether_addr_copy(&pkt_src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(ether_type);
}

uint32_t
build_pkt(uint8_t *buf, uint8_t proto, uint32_t payload, uint32_t seed, enum csum_mode mode)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(void *)(buf + L2_LEN);
	uint8_t *l4 = buf + L2_LEN + L3_LEN;
	uint32_t l4_len = (proto == IPPROTO_TCP ? TCP_LEN : UDP_LEN) + payload;
	uint8_t *ckp;
	uint16_t ck;

	eth_build(buf, RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(L3_LEN + l4_len));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)(0x1000 + seed));
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2 + (seed & 0x7f)));
	ckp = l4_build(l4, proto, payload, seed, false);
	switch (mode) {
	case CSUM_FULL:
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		ck = ~__rte_raw_cksum_reduce(__rte_raw_cksum(l4, l4_len, phdr_sum(ip, l4_len)));
		if (proto == IPPROTO_UDP && ck == 0)
			ck = 0xffff;
		break;
	case CSUM_PARTIAL:
		ip->hdr_checksum = 0;
		ck = __rte_raw_cksum_reduce(phdr_sum(ip, l4_len));
		break;
	case CSUM_TSO:
		ip->total_length = 0;
		ip->hdr_checksum = 0;
		ck = __rte_raw_cksum_reduce(phdr_sum(ip, 0));
		break;
	case CSUM_BAD:
	default:
		ip->hdr_checksum = rte_cpu_to_be_16(0x1234);
		ck = rte_cpu_to_be_16(0x4321);
		break;
	}
	memcpy(ckp, &ck, 2);
	return L2_LEN + L3_LEN + l4_len;
}

const uint8_t v6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
const uint8_t v6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x12, [15] = 2};

uint32_t
build_pkt6(uint8_t *buf, uint8_t proto, uint32_t payload, uint32_t seed, enum csum_mode mode)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(void *)(buf + L2_LEN);
	uint8_t *l4 = buf + L2_LEN + L3V6_LEN;
	uint32_t l4_len = (proto == IPPROTO_TCP ? TCP_LEN : UDP_LEN) + payload;
	uint8_t *ckp;
	uint16_t ck;

	eth_build(buf, RTE_ETHER_TYPE_IPV6);
	memset(ip, 0, sizeof(*ip));
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28 | (seed & 0xfffff));
	ip->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
	ip->proto = proto;
	ip->hop_limits = 64;
	memcpy(&ip->src_addr, v6_src, 16);
	memcpy(&ip->dst_addr, v6_dst, 16);
	ckp = l4_build(l4, proto, payload, seed, true);
	switch (mode) {
	case CSUM_FULL:
		ck = ~__rte_raw_cksum_reduce(__rte_raw_cksum(l4, l4_len, phdr6_sum(ip, l4_len)));
		if (ck == 0)
			ck = 0xffff;
		break;
	case CSUM_PARTIAL:
		ck = __rte_raw_cksum_reduce(phdr6_sum(ip, l4_len));
		break;
	case CSUM_TSO:
		ip->payload_len = 0;
		ck = __rte_raw_cksum_reduce(phdr6_sum(ip, 0));
		break;
	case CSUM_BAD:
	default:
		ck = rte_cpu_to_be_16(0x4321);
		break;
	}
	memcpy(ckp, &ck, 2);
	return L2_LEN + L3V6_LEN + l4_len;
}

bool
ip_cksum_ok(const struct rte_ipv4_hdr *ip)
{
	return __rte_raw_cksum_reduce(__rte_raw_cksum(ip, rte_ipv4_hdr_len(ip), 0)) == 0xffff;
}

bool
l4_cksum_ok(const struct rte_ipv4_hdr *ip, const uint8_t *l4, uint32_t l4_len)
{
	return __rte_raw_cksum_reduce(__rte_raw_cksum(l4, l4_len, phdr_sum(ip, l4_len))) == 0xffff;
}

/* A frame's IPv4 and L4 checksums are both valid. */
bool
frame_cksums_ok(const uint8_t *f, uint32_t len)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(const void *)(f + L2_LEN);
	uint32_t tot;

	if (len < L2_LEN + L3_LEN)
		return false;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < L3_LEN || L2_LEN + tot > len)
		return false;
	return ip_cksum_ok(ip) && l4_cksum_ok(ip, f + L2_LEN + L3_LEN, tot - L3_LEN);
}

/* ------------------------------------------------------------ the port */

struct rte_mempool *pool;
uint16_t port = UINT16_MAX;
unsigned int lsc_count;

static int
lsc_cb(uint16_t port_id, enum rte_eth_event_type type, void *arg, void *ret_param)
{
	RTE_SET_USED(port_id);
	RTE_SET_USED(arg);
	RTE_SET_USED(ret_param);
	if (type == RTE_ETH_EVENT_INTR_LSC)
		__atomic_fetch_add(&lsc_count, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Create, configure and start the port on the fake device (queues disabled). */
int
port_open(const char *name, const char *args, uint16_t *pid)
{
	struct rte_eth_conf conf;
	uint16_t q;
	int ret;

	ret = rte_vdev_init(name, args);
	if (ret != 0) {
		printf("rte_vdev_init(%s, %s): %d\n", name, args, ret);
		return -1;
	}
	if (rte_eth_dev_get_port_by_name(name, pid) != 0) {
		printf("no port %s\n", name);
		goto fail;
	}
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	ret = rte_eth_dev_configure(*pid, NB_QP, NB_QP, &conf);
	if (ret != 0) {
		printf("rte_eth_dev_configure: %d\n", ret);
		goto fail;
	}
	for (q = 0; q < NB_QP; q++) {
		ret = rte_eth_rx_queue_setup(*pid, q, 512, SOCKET_ID_ANY, NULL, pool);
		if (ret != 0) {
			printf("rte_eth_rx_queue_setup(%u): %d\n", q, ret);
			goto fail;
		}
		ret = rte_eth_tx_queue_setup(*pid, q, 512, SOCKET_ID_ANY, NULL);
		if (ret != 0) {
			printf("rte_eth_tx_queue_setup(%u): %d\n", q, ret);
			goto fail;
		}
	}
	ret = rte_eth_dev_callback_register(*pid, RTE_ETH_EVENT_INTR_LSC, lsc_cb, NULL);
	if (ret != 0) {
		printf("rte_eth_dev_callback_register: %d\n", ret);
		goto fail;
	}
	ret = rte_eth_dev_start(*pid);
	if (ret != 0) {
		printf("rte_eth_dev_start: %d\n", ret);
		goto fail;
	}
	return 0;
fail:
	rte_vdev_uninit(name);
	*pid = UINT16_MAX;
	return -1;
}

void
port_close(const char *name, uint16_t *pid)
{
	if (*pid == UINT16_MAX)
		return;
	rte_eth_dev_callback_unregister(*pid, RTE_ETH_EVENT_INTR_LSC, lsc_cb, NULL);
	rte_eth_dev_stop(*pid);
	rte_eth_dev_close(*pid);
	rte_vdev_uninit(name);
	*pid = UINT16_MAX;
}

/* Wait for the link to reach a state; return whether it did. */
bool
link_wait(uint16_t pid, bool up)
{
	struct rte_eth_link link;
	unsigned int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(pid, &link) == 0 &&
		    (link.link_status == RTE_ETH_LINK_UP) == up)
			return true;
		rte_delay_us_sleep(1000);
	}
	return false;
}

/* Receive (from the guest's transmit queue q) until a burst comes back empty. */
unsigned int
rx_all(uint16_t q, struct rte_mbuf **pkts, unsigned int max)
{
	unsigned int n = 0, r, empty = 0;

	while (n < max && empty < 2) {
		r = rte_eth_rx_burst(port, q, pkts + n, (uint16_t)RTE_MIN(max - n, 32u));
		n += r;
		empty = r == 0 ? empty + 1 : 0;
	}
	return n;
}

void
free_all(struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
}

/* Flat copy of a packet; NULL when it does not fit or the chain is wrong. */
static uint8_t flat[MAX_PKT_BYTES];

const uint8_t *
mbuf_flat(const struct rte_mbuf *m)
{
	const struct rte_mbuf *s;
	uint32_t sum = 0, segs = 0;

	for (s = m; s != NULL; s = s->next) {
		sum += s->data_len;
		segs++;
		if (segs > 1000)
			return NULL;
	}
	if (sum != m->pkt_len || segs != m->nb_segs || m->pkt_len > sizeof(flat)) {
		printf("bad mbuf chain: pkt_len %u, data_len sum %u, nb_segs %u, segs %u\n",
		       m->pkt_len, sum, m->nb_segs, segs);
		return NULL;
	}
	return rte_pktmbuf_read(m, 0, m->pkt_len, flat);
}

/* The mbuf holds exactly len bytes of data. */
int
mbuf_check(const struct rte_mbuf *m, const uint8_t *data, uint32_t len)
{
	const uint8_t *f;

	if (m->pkt_len != len) {
		printf("pkt_len %u, expected %u\n", m->pkt_len, len);
		return -1;
	}
	f = mbuf_flat(m);
	if (f == NULL)
		return -1;
	if (memcmp(f, data, len) != 0) {
		uint32_t i;

		for (i = 0; i < len && f[i] == data[i]; i++)
			;
		printf("data differs at byte %u of %u\n", i, len);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ xstats */

struct rte_eth_xstat_name *xs_names;
int xs_nb;

int
xstats_load_names(uint16_t pid)
{
	free(xs_names);
	xs_names = NULL;
	xs_nb = rte_eth_xstats_get_names(pid, NULL, 0);
	if (xs_nb <= 0)
		return -1;
	xs_names = calloc(xs_nb, sizeof(*xs_names));
	if (xs_names == NULL || rte_eth_xstats_get_names(pid, xs_names, xs_nb) != xs_nb)
		return -1;
	return 0;
}

/* Value of the xstat named name (UINT64_MAX when there is none). */
uint64_t
xstat(const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0)
		return UINT64_MAX;
	if (rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

void
xstats_dump(void)
{
	struct rte_eth_xstat *xs;
	int i, n;

	if (xs_nb <= 0)
		return;
	xs = calloc(xs_nb, sizeof(*xs));
	if (xs == NULL)
		return;
	n = rte_eth_xstats_get(port, xs, xs_nb);
	for (i = 0; i < n && i < xs_nb; i++)
		if (xs[i].value != 0)
			printf("  xstat %s = %" PRIu64 "\n", xs_names[xs[i].id].name, xs[i].value);
	free(xs);
}

int
xstat_expect(const char *name, uint64_t before, uint64_t inc)
{
	uint64_t v = xstat(name);

	if (v == UINT64_MAX) {
		printf("no xstat %s; the non-zero ones:\n", name);
		xstats_dump();
		return -1;
	}
	if (v != before + inc) {
		printf("xstat %s: %" PRIu64 ", expected %" PRIu64 "\n", name, v, before + inc);
		xstats_dump();
		return -1;
	}
	return 0;
}

/*
 * The port's xstats names: unique (ethdev's basic ones included), all from
 * the port's view ("rx_*", "tx_*", per queue "rx_qN_*", "tx_qN_*" for
 * N < nb_rxq / nb_txq), nothing named after the guest; every queue has the
 * same per-queue set, and each per-queue counter sums to its port total
 * (ethdev's rx_good_packets, rx_good_bytes, rx_errors, ... for packets,
 * bytes, errors; otherwise the driver's rx_X for rx_qN_X), in one snapshot.
 */
int
xstats_check(uint16_t pid, uint16_t nb_rxq, uint16_t nb_txq)
{
	struct rte_eth_xstat_name *nm = NULL;
	struct rte_eth_xstat *xs = NULL;
	unsigned int nb_pq = 0, nb_sfx[2] = {0, 0};
	int n, i, j, ret = -1;

	n = rte_eth_xstats_get_names(pid, NULL, 0);
	if (n <= 0)
		goto out;
	nm = calloc(n, sizeof(*nm));
	xs = calloc(n, sizeof(*xs));
	if (nm == NULL || xs == NULL || rte_eth_xstats_get_names(pid, nm, n) != n ||
	    rte_eth_xstats_get(pid, xs, n) != n) {
		printf("xstats: cannot read %d\n", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *name = nm[i].name;
		char *end;
		unsigned long q;
		bool rx = strncmp(name, "rx_", 3) == 0;

		if (xs[i].id != (uint64_t)i) {
			printf("xstat %d has id %" PRIu64 "\n", i, xs[i].id);
			goto out;
		}
		if (!rx && strncmp(name, "tx_", 3) != 0) {
			printf("xstat \"%s\" is neither rx_ nor tx_\n", name);
			goto out;
		}
		if (strstr(name, "guest") != NULL) {
			printf("xstat \"%s\" is named from the guest's side\n", name);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (strcmp(nm[j].name, name) == 0) {
				printf("xstat \"%s\" twice (%d and %d)\n", name, j, i);
				goto out;
			}
		if (name[3] != 'q' || name[4] < '0' || name[4] > '9')
			continue;
		q = strtoul(name + 4, &end, 10);
		if (*end != '_' || end[1] == '\0' || q >= (rx ? nb_rxq : nb_txq)) {
			printf("xstat \"%s\": not a queue of the port\n", name);
			goto out;
		}
		nb_pq++;
		if (q == 0)
			nb_sfx[rx]++;
	}
	if (nb_sfx[1] == 0 || nb_sfx[0] == 0 || nb_pq != nb_sfx[1] * nb_rxq + nb_sfx[0] * nb_txq) {
		printf("per-queue xstats: %u, queue 0 has rx %u tx %u, queues rx %u tx %u\n", nb_pq,
		       nb_sfx[1], nb_sfx[0], nb_rxq, nb_txq);
		goto out;
	}
	/* Every queue-0 name: the same on each queue, and the sum is the total. */
	for (i = 0; i < n; i++) {
		const char *name = nm[i].name, *sfx;
		bool rx = name[0] == 'r';
		char other[RTE_ETH_XSTATS_NAME_SIZE], total[RTE_ETH_XSTATS_NAME_SIZE];
		uint16_t q, nbq = rx ? nb_rxq : nb_txq;
		uint64_t sum = xs[i].value;
		bool found_total = false;

		if (strncmp(name + 2, "_q0_", 4) != 0)
			continue;
		sfx = name + 6;
		for (q = 1; q < nbq; q++) {
			snprintf(other, sizeof(other), "%s_q%u_%s", rx ? "rx" : "tx", q, sfx);
			for (j = 0; j < n && strcmp(nm[j].name, other) != 0; j++)
				;
			if (j == n) {
				printf("xstat \"%s\" but no \"%s\"\n", name, other);
				goto out;
			}
			sum += xs[j].value;
		}
		if (strcmp(sfx, "packets") == 0 || strcmp(sfx, "bytes") == 0)
			snprintf(total, sizeof(total), "%s_good_%s", rx ? "rx" : "tx", sfx);
		else
			snprintf(total, sizeof(total), "%s_%s", rx ? "rx" : "tx", sfx);
		for (j = 0; j < n; j++) {
			if (strcmp(nm[j].name, total) != 0)
				continue;
			found_total = true;
			if (xs[j].value != sum) {
				printf("xstat %s = %" PRIu64 ", its queues' sum %" PRIu64 "\n",
				       total, xs[j].value, sum);
				goto out;
			}
		}
		if (!found_total &&
		    (strcmp(sfx, "packets") == 0 || strcmp(sfx, "bytes") == 0 ||
		     strcmp(sfx, "errors") == 0)) {
			printf("no xstat %s for the queues' %s\n", total, sfx);
			goto out;
		}
	}
	ret = 0;
out:
	free(nm);
	free(xs);
	return ret;
}

/* ------------------------------------------------------------ traffic */

/* Send one packet in pieces; receive it and compare with expect. */
int
gtx_one(uint16_t q, const uint8_t *pkt, uint32_t len, const uint32_t *sizes, unsigned int nb,
	uint32_t cmd, uint32_t off, const uint8_t *expect)
{
	struct rte_mbuf *m[4];
	uint32_t last;
	unsigned int n;
	int ret;

	last = gtx_pkt(q, pkt, len, sizes, nb, cmd, off, true);
	gtx_kick(q);
	n = rx_all(q, m, RTE_DIM(m));
	if (n != 1) {
		printf("%u packets received for one of %u bytes in %u pieces\n", n, len, nb);
		free_all(m, n);
		return -1;
	}
	ret = mbuf_check(m[0], expect != NULL ? expect : pkt, len);
	rte_pktmbuf_free(m[0]);
	if (ret == 0 && !gtx_done(q, last)) {
		printf("RS descriptor %u not completed\n", last);
		ret = -1;
	}
	return ret;
}

/* An mbuf chain holding data, in segments of the given sizes (last: the rest). */
struct rte_mbuf *
mbuf_build(const uint8_t *data, uint32_t len, const uint32_t *sizes, unsigned int nb)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t done = 0, n;
	unsigned int i;

	if (sizes == NULL || nb == 0)
		nb = 1;
	for (i = 0; i < nb; i++) {
		n = i == nb - 1 || sizes == NULL ? len - done : RTE_MIN(sizes[i], len - done);
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL || rte_pktmbuf_append(m, (uint16_t)n) == NULL) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		memcpy(rte_pktmbuf_mtod(m, void *), data + done, n);
		done += n;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
	}
	return head;
}

/* Write-back words of the last descriptor grx_check() read. */
uint64_t grx_qw0, grx_qw1;

/* Read back one packet from the guest's receive ring q; compare with data. */
int
grx_check(uint16_t q, const uint8_t *data, uint32_t len)
{
	uint32_t size = fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][q].ring_size;
	uint32_t done = 0, k = 0;

	for (;;) {
		uint32_t i = gst.rxq[q].next;
		uint64_t qw1 = rte_le_to_cpu_64(rxd(q, i)[1]);
		uint32_t n = RTE_MIN((uint32_t)RX_BUF, len - done);
		const uint8_t *buf = gpa_host(RX_BUF_GPA(q, i));
		bool eof = done + n == len;

		if (grx_outstanding(q) == 0) {
			printf("queue %u: packet of %u bytes: no posted descriptor left\n", q, len);
			return -1;
		}
		if ((qw1 & AVF_RXD_QW1_DD) == 0) {
			printf("queue %u: descriptor %u (piece %u of a %u-byte packet): no DD\n", q,
			       i, k, len);
			return -1;
		}
		if (!!(qw1 & AVF_RXD_QW1_EOF) != eof || RXD_ERR(qw1) != 0 || RXD_LEN(qw1) != n) {
			printf("queue %u: descriptor %u (piece %u of %u bytes): QW1 0x%016" PRIx64
			       " (EOF %d, errors 0x%x, length %u), expected EOF %d, length %u\n",
			       q, i, k, len, qw1, !!(qw1 & AVF_RXD_QW1_EOF),
			       (unsigned int)RXD_ERR(qw1), RXD_LEN(qw1), eof, n);
			return -1;
		}
		grx_qw0 = rte_le_to_cpu_64(rxd(q, i)[0]);
		grx_qw1 = qw1;
		if (fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][q].rx_fmt == AVF_DESC_FMT_RX_32B &&
		    (rxd(q, i)[2] != 0 || rxd(q, i)[3] != 0)) {
			printf("queue %u: descriptor %u: QW2/QW3 not written back\n", q, i);
			return -1;
		}
		if (memcmp(buf, data + done, n) != 0) {
			printf("queue %u: descriptor %u: data differs\n", q, i);
			return -1;
		}
		if (n < RX_BUF && buf[n] != 0xa5) {
			printf("queue %u: descriptor %u: written past the length\n", q, i);
			return -1;
		}
		/* Consumed: the guest clears it (as a refill does). */
		rxd(q, i)[1] = 0;
		gst.rxq[q].next = (i + 1) % size;
		done += n;
		k++;
		if (eof)
			return 0;
	}
}

/* The guest's next descriptor was not written back. */
bool
grx_idle(uint16_t q)
{
	return (rte_le_to_cpu_64(rxd(q, gst.rxq[q].next)[1]) & AVF_RXD_QW1_DD) == 0;
}

/* Post so that n descriptors are outstanding. */
void
grx_fill(uint16_t q, uint32_t n)
{
	uint32_t have = grx_outstanding(q);

	if (have < n)
		grx_post(q, n - have);
}

/* Nothing posted and unread on q: else the guest resets the queue. */
int
grx_restart(uint16_t q)
{
	if (grx_outstanding(q) == 0 && grx_idle(q))
		return 0;
	printf("queue %u: %u descriptors left over: resetting it\n", q, grx_outstanding(q));
	return queue_reconfigure(RTE_EMUDEV_QUEUE_GUEST_RX, q, RX_BUF, RX_RING_GPA(q), RX_RING);
}

/* Disable a queue, change its configuration, reset the guest's ring, enable. */
int
queue_reconfigure(enum rte_emudev_queue_dir dir, uint16_t q, uint32_t buf_size, uint64_t ring_gpa,
		  uint32_t ring_size)
{
	struct fake_emudev_queue *fq = &fk.q[dir][q];

	fq->enabled = false;
	if (fake_queue_event(RTE_EMUDEV_EVENT_QUEUE_DISABLED, dir, q) != 0)
		return -1;
	fq->buf_size = buf_size;
	fq->ring_gpa = ring_gpa;
	fq->ring_size = ring_size;
	if (dir == RTE_EMUDEV_QUEUE_GUEST_TX) {
		if (gpa_host(ring_gpa) != NULL && gpa_host(ring_gpa + ring_size * 16 - 1) != NULL)
			memset((void *)(uintptr_t)txd(q, 0), 0, ring_size * 16);
		gst.txq[q].tail = 0;
	} else {
		if (gpa_host(ring_gpa) != NULL && gpa_host(ring_gpa + ring_size * 32 - 1) != NULL)
			memset((void *)(uintptr_t)rxd(q, 0), 0, ring_size * 32);
		gst.rxq[q].tail = 0;
		gst.rxq[q].next = 0;
	}
	fk.doorbell[dir][q] = 0;
	fq->enabled = true;
	return fake_queue_event(RTE_EMUDEV_EVENT_QUEUE_ENABLED, dir, q);
}

/* One packet from the guest (with RS) on q, received. */
int
gtx_ping(uint16_t q, uint32_t seed)
{
	static uint8_t pkt[256];
	uint32_t len = build_pkt(pkt, IPPROTO_UDP, 64, seed, CSUM_FULL);

	return gtx_one(q, pkt, len, NULL, 0, 0, 0, NULL);
}

/* One packet to the guest on q, read back. */
int
grx_ping(uint16_t q, uint32_t seed)
{
	static uint8_t pkt[256];
	struct rte_mbuf *m[1];
	uint32_t len = build_pkt(pkt, IPPROTO_UDP, 64, seed, CSUM_FULL);
	uint16_t n;

	grx_fill(q, 8);
	m[0] = mbuf_build(pkt, len, NULL, 0);
	if (m[0] == NULL)
		return -1;
	n = rte_eth_tx_burst(port, q, m, 1);
	free_all(m + n, 1 - n);
	if (n != 1) {
		printf("queue %u: not sent\n", q);
		return -1;
	}
	return grx_check(q, pkt, len);
}

/* ------------------------------------------------------------ setup */

void
iavfbe_guest_teardown(void)
{
	port_close(PORT_NAME, &port);
	if (fk.base.dev != NULL)
		rte_emudev_unregister(fk.base.dev);
	fk.base.dev = NULL;
	free(fk.mem);
	free(fk.rmem);
	fk.mem = NULL;
	fk.rmem = NULL;
	free(xs_names);
	xs_names = NULL;
	xs_nb = 0;
	rte_mempool_free(pool);
	pool = NULL;
}

int
iavfbe_guest_setup(const struct rte_emudev_ops *ops)
{
	memset(&fk, 0, sizeof(fk));
	memset(&gst, 0, sizeof(gst));
	pool = rte_pktmbuf_pool_create("iavfbe_test", NB_MBUF, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		printf("cannot create the mbuf pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	fk.mem = aligned_alloc(4096, GMEM_SIZE);
	fk.rmem = aligned_alloc(4096, RMEM_SIZE);
	if (fk.mem == NULL || fk.rmem == NULL)
		goto fail;
	memset(fk.mem, 0, GMEM_SIZE);
	memset(fk.rmem, 0x5a, RMEM_SIZE);
	fk.base.mac[0] = 0x02;
	fk.base.mac[1] = 0x11;
	fk.base.mac[2] = 0x22;
	fk.base.mac[3] = 0x33;
	fk.base.mac[4] = 0x44;
	fk.base.mac[5] = 0x55;
	fk.client_connected = true;
	fake_queues_init();
	if (fake_register(ops != NULL ? ops : &iavfbe_fake_ops) != 0)
		goto fail;
	guest_rings_reset();
	if (port_open(PORT_NAME, "emu=" FAKE_NAME, &port) != 0)
		goto fail;
	if (xstats_load_names(port) != 0) {
		printf("no xstats\n");
		goto fail;
	}
	if (guest_queues_set(true) != 0 || !link_wait(port, true)) {
		printf("the link does not come up\n");
		goto fail;
	}
	return 0;
fail:
	iavfbe_guest_teardown();
	return -1;
}
