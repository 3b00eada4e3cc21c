/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * Unit tests of the backend ethdev net_iavfbe, over the fake AVF emudev
 * provider of test_iavfbe_guest.{h,c}.
 *
 * The fake provider registers a network emudev with 2 queue pairs and 5
 * interrupt vectors (queue vectors 1..4, armed or not as a case decides, a
 * fired vector auto-masks as an AVF's does), a "mac" attribute, and guest
 * memory in two regions: 8 MiB read-write (rings and buffers, from the C
 * heap so that AddressSanitizer sees any access past it) and 64 KiB
 * read-only. Doorbells are a local array.
 *
 * The test then plays the guest: it writes AVF transmit descriptors and
 * packets (real Ethernet/IPv4/IPv6/TCP/UDP frames) into guest memory, bumps
 * the tail and checks what rte_eth_rx_burst() returns (data, lengths,
 * segments, checksums, VLAN tags, TSO segments) and the completions written
 * back; it posts receive descriptors, calls rte_eth_tx_burst() and checks
 * the guest buffers and the write-back. Every bad-descriptor case must be
 * dropped and counted in its xstat, its RS descriptor completed, and the
 * next good packet must pass. Control cases: link and LSC following the
 * guest's queues, MAC, statistics (ethdev and the guest's through emudev),
 * interrupts, memory-table changes (also under a polling thread), reset,
 * client gone, stop/start, devargs, tso=passthrough, close, removal.
 *
 * Cases depend on the order they run in (one port, one guest state).
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "test.h"
#include "test_common.h"
#include "emu_compat.h"
#include "rte_emudev.h"
#include "rte_emudev_net.h"
#include "rte_emudev_driver.h"
#include "test_fake_emudev.h"
#include "test_iavfbe_guest.h"

#include <avf_desc.h>

/* ------------------------------------------------------------ suite */

static int
suite_setup(void)
{
	return iavfbe_guest_setup(NULL) == 0 ? TEST_SUCCESS : TEST_FAILED;
}

static void
suite_teardown(void)
{
	iavfbe_guest_teardown();
}

/* ------------------------------------------------------------ control path */

/* Statistics callback of a consumer that is not a port. */
static int
other_consumer_stats(uint16_t emu_id __rte_unused, struct rte_emudev_stats *st,
		     void *arg __rte_unused)
{
	memset(st, 0, sizeof(*st));
	return 0;
}

static int
test_devargs(void)
{
	static const char *const bad[] = {
		"",
		"tso=segment",
		"emu=",
		"emu=no_such_emudev",
		"emu=" FAKE_NAME ",tso=bogus",
		"emu=" FAKE_NAME ",tso=",
		"emu=" FAKE_NAME ",nonsense=1",
	};
	static const char *const good[] = {
		"emu=" FAKE_NAME ",tso=segment",
		"emu=" FAKE_NAME ",tso=passthrough",
	};
	uint16_t pid;
	unsigned int i, configs, lines, served, internal;
	int ret, emu_log, emu_level;

	for (i = 0; i < RTE_DIM(bad); i++) {
		TEST_ASSERT(rte_vdev_init("net_iavfbe_bad", bad[i]) != 0, "devargs \"%s\" accepted",
			    bad[i]);
		TEST_ASSERT(rte_eth_dev_get_port_by_name("net_iavfbe_bad", &pid) != 0,
			    "devargs \"%s\" left a port", bad[i]);
	}
	TEST_ASSERT(rte_vdev_init("net_iavfbe_bad", NULL) != 0, "no devargs accepted");
	/*
	 * A second consumer of the same device: -EBUSY, not -EEXIST (which
	 * rte_vdev_init() gives for a duplicate name), and one clear line from
	 * the driver, no internal emudev message.
	 */
	TEST_ASSERT_SUCCESS(log_capture_start(), "log capture");
	ret = rte_vdev_init("net_iavfbe_bad", "emu=" FAKE_NAME);
	lines = log_count("IAVFBE:", "net_iavfbe_bad");
	served = log_count("net_iavfbe_bad", "is already served by " PORT_NAME);
	internal = log_count("EMUDEV:", NULL);
	log_capture_stop();
	TEST_ASSERT_EQUAL(ret, -EBUSY, "a second port on the same device: %d", ret);
	TEST_ASSERT(lines == 1 && served == 1 && internal == 0,
		    "second port: %u driver lines (%u saying which port has the device), %u emudev",
		    lines, served, internal);
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_iavfbe_bad", &pid) != 0,
		    "the refused second port left a port");
	TEST_ASSERT(link_wait(port, true), "the first port disturbed by the second");
	TEST_ASSERT_SUCCESS(gtx_ping(0, 190), "the first port disturbed by the second");
	/* The valid ones are taken while the main port runs: close it first. */
	port_close(PORT_NAME, &port);
	/*
	 * Another consumer (not a port) has the device's statistics callback:
	 * refused with one line; emudev's own note is at DEBUG (seen at INFO: no).
	 */
	TEST_ASSERT_SUCCESS(rte_emudev_stats_cb_set(fk.base.id, other_consumer_stats, NULL),
			    "another consumer");
	emu_log = rte_log_register("lib.emudev");
	emu_level = emu_log >= 0 ? rte_log_get_level(emu_log) : -1;
	TEST_ASSERT(emu_level >= 0, "no emudev log type");
	rte_log_set_level(emu_log, RTE_LOG_INFO);
	TEST_ASSERT_SUCCESS(log_capture_start(), "log capture");
	ret = rte_vdev_init("net_iavfbe_bad", "emu=" FAKE_NAME);
	lines = log_count("IAVFBE:", "net_iavfbe_bad");
	served = log_count("net_iavfbe_bad", "already has a consumer");
	internal = log_count("EMUDEV:", NULL);
	log_capture_stop();
	rte_log_set_level(emu_log, emu_level);
	rte_emudev_stats_cb_set(fk.base.id, NULL, NULL);
	TEST_ASSERT_EQUAL(ret, -EBUSY, "a port on a device with another consumer: %d", ret);
	TEST_ASSERT(rte_eth_dev_get_port_by_name("net_iavfbe_bad", &pid) != 0,
		    "the refused port left a port");
	TEST_ASSERT(lines == 1 && served == 1 && internal == 0,
		    "another consumer: %u driver lines (%u saying so), %u emudev at INFO", lines,
		    served, internal);
	for (i = 0; i < RTE_DIM(good); i++) {
		TEST_ASSERT_SUCCESS(rte_vdev_init("net_iavfbe_good", good[i]),
				    "devargs \"%s\" refused", good[i]);
		TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name("net_iavfbe_good", &pid),
				    "no port for \"%s\"", good[i]);
		TEST_ASSERT_SUCCESS(rte_vdev_uninit("net_iavfbe_good"), "uninit");
	}
	/* Reopen the main port; queues are still enabled in the guest. */
	guest_rings_reset();
	configs = fk.base.nb_configure;
	TEST_ASSERT_SUCCESS(port_open(PORT_NAME, "emu=" FAKE_NAME, &port), "reopen");
	TEST_ASSERT(fk.base.nb_configure > configs,
		    "the port's configure did not configure the device");
	TEST_ASSERT(link_wait(port, true), "link down after reopen with enabled queues");
	return TEST_SUCCESS;
}

static int
test_mac(void)
{
	struct rte_ether_addr mac;

	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(port, &mac), "macaddr_get");
	TEST_ASSERT(memcmp(mac.addr_bytes, fk.base.mac, RTE_ETHER_ADDR_LEN) == 0,
		    "MAC " RTE_ETHER_ADDR_PRT_FMT " is not the device's",
		    RTE_ETHER_ADDR_BYTES(&mac));
	return TEST_SUCCESS;
}

static int
test_link_lsc(void)
{
	unsigned int before;

	TEST_ASSERT(link_wait(port, true), "link not up with every queue enabled");
	before = __atomic_load_n(&lsc_count, __ATOMIC_RELAXED);
	TEST_ASSERT_SUCCESS(guest_queues_set(false), "disable");
	TEST_ASSERT(link_wait(port, false), "link still up with every queue disabled");
	/* The callback may be deferred: wait for it. */
	TEST_ASSERT(wait_u32(&lsc_count, before + 1, WAIT_MS), "no LSC event (down)");
	before = __atomic_load_n(&lsc_count, __ATOMIC_RELAXED);
	guest_rings_reset();
	TEST_ASSERT_SUCCESS(guest_queues_set(true), "enable");
	TEST_ASSERT(link_wait(port, true), "link not up again");
	TEST_ASSERT(wait_u32(&lsc_count, before + 1, WAIT_MS), "no LSC event (up)");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ guest transmit */

static int
test_gtx_single(void)
{
	static const uint32_t payloads[] = {6, 10, 46, 74, 446, 946, 1446, 1460};
	static uint8_t pkt[RTE_DIM(payloads)][2048];
	struct rte_mbuf *m[BURST];
	uint32_t len[RTE_DIM(payloads)], last[RTE_DIM(payloads)];
	unsigned int i, n;
	uint16_t q, o;

	for (q = 0; q < NB_QP; q++) {
		o = (uint16_t)(1 - q);
		for (i = 0; i < RTE_DIM(payloads); i++) {
			bool rs = i % 3 == 2 || i == RTE_DIM(payloads) - 1;

			len[i] = build_pkt(pkt[i], i & 1 ? IPPROTO_UDP : IPPROTO_TCP, payloads[i],
					   i + q * 16, CSUM_FULL);
			last[i] = gtx_pkt(q, pkt[i], len[i], NULL, 0, 0, 0, rs);
		}
		gtx_kick(q);
		TEST_ASSERT_EQUAL(rx_all(o, m, BURST), 0, "packets on the other queue");
		n = rx_all(q, m, BURST);
		TEST_ASSERT_EQUAL(n, RTE_DIM(payloads), "packets received on queue %u", q);
		for (i = 0; i < n; i++) {
			int ret = mbuf_check(m[i], pkt[i], len[i]);

			if (ret == 0 && m[i]->port != port)
				ret = -1, printf("mbuf port %u\n", m[i]->port);
			if (ret != 0) {
				free_all(m, n);
				TEST_ASSERT(false, "packet %u of queue %u", i, q);
			}
		}
		free_all(m, n);
		for (i = 0; i < RTE_DIM(payloads); i++)
			if (i % 3 == 2 || i == RTE_DIM(payloads) - 1)
				TEST_ASSERT(gtx_done(q, last[i]),
					    "RS descriptor %u of queue %u not completed", last[i],
					    q);
	}
	return TEST_SUCCESS;
}

static uint8_t big[MAX_PKT_BYTES];
static uint8_t big2[MAX_PKT_BYTES];

static int
test_gtx_multi_desc(void)
{
	static const uint32_t s4[] = {14, 20, 20};
	static const uint32_t s9000[] = {1000, 3000, 2000};
	static const uint32_t s8[] = {375, 375, 375, 375, 375, 375, 375};
	static const uint32_t s_odd[] = {1, 2, 3, 4093};
	uint32_t len, fill, i;
	uint16_t q = 0;

	len = build_pkt(big, IPPROTO_TCP, 1460, 1, CSUM_FULL);
	TEST_ASSERT_SUCCESS(gtx_one(q, big, len, s4, RTE_DIM(s4) + 1, 0, 0, NULL), "4 pieces");
	len = build_pkt(big, IPPROTO_UDP, 9000 - 42, 2, CSUM_FULL);
	TEST_ASSERT_SUCCESS(gtx_one(q, big, len, s9000, RTE_DIM(s9000) + 1, 0, 0, NULL),
			    "9000 bytes in 4 pieces");
	len = build_pkt(big, IPPROTO_TCP, 3000 - 54, 3, CSUM_FULL);
	TEST_ASSERT_SUCCESS(gtx_one(q, big, len, s8, RTE_DIM(s8) + 1, 0, 0, NULL), "8 pieces");
	len = build_pkt(big, IPPROTO_UDP, 6000, 4, CSUM_FULL);
	TEST_ASSERT_SUCCESS(gtx_one(q, big, len, s_odd, RTE_DIM(s_odd) + 1, 0, 0, NULL),
			    "odd pieces");

	/* A packet across the end of the ring: fill up to 2 before the end. */
	fill = (TX_RING + TX_RING - 2 - gst.txq[q].tail) % TX_RING;
	for (i = 0; i < fill; i++) {
		struct rte_mbuf *m[1];

		len = build_pkt(big, IPPROTO_UDP, 18, i, CSUM_FULL);
		gtx_pkt(q, big, len, NULL, 0, 0, 0, false);
		gtx_kick(q);
		TEST_ASSERT_EQUAL(rx_all(q, m, 1), 1, "filler %u", i);
		rte_pktmbuf_free(m[0]);
	}
	TEST_ASSERT_EQUAL(gst.txq[q].tail, TX_RING - 2, "filler");
	len = build_pkt(big, IPPROTO_TCP, 4000, 5, CSUM_FULL);
	TEST_ASSERT_SUCCESS(gtx_one(q, big, len, s9000, RTE_DIM(s9000) + 1, 0, 0, NULL),
			    "packet across the end of the ring");
	TEST_ASSERT_EQUAL(gst.txq[q].tail, 2, "wrap");
	return TEST_SUCCESS;
}

/* Checksum offload: the guest asks, the packet comes out with valid checksums. */
static int
test_gtx_csum(void)
{
	static const uint32_t split[] = {L2_LEN + L3_LEN + TCP_LEN, 333, 1, 1000, 2047};
	/*
	 * The guest sends a frame with partial checksums (CSUM_PARTIAL) and
	 * asks for the offload (iipt: IPv4 header checksum too, or L4 only),
	 * in nb pieces of split (0: one); the port receives it with the full
	 * checksums (the IPv4 one left at 0 when L4 only). Without offload
	 * (iipt 0) wrong checksums pass untouched.
	 */
	static const struct {
		const char *name;
		uint8_t proto;
		uint32_t payload, seed;
		unsigned int nb;
		uint32_t iipt;
	} cases[] = {
		{"TCP checksum offload", IPPROTO_TCP, 1000, 10, 0, AVF_TXD_CMD_IIPT_IPV4_CSUM},
		{"UDP checksum offload", IPPROTO_UDP, 555, 11, 0, AVF_TXD_CMD_IIPT_IPV4_CSUM},
		/* Odd pieces, larger than an mbuf. */
		{"TCP checksum offload over 6 descriptors", IPPROTO_TCP, 7000, 12,
		 RTE_DIM(split) + 1, AVF_TXD_CMD_IIPT_IPV4_CSUM},
		/* Odd total length. */
		{"UDP checksum offload over 6 descriptors", IPPROTO_UDP, 4001, 13,
		 RTE_DIM(split) + 1, AVF_TXD_CMD_IIPT_IPV4_CSUM},
		/* IIPT IPv4 without checksum: the IP header is left alone. */
		{"L4-only checksum offload", IPPROTO_TCP, 200, 14, 0, AVF_TXD_CMD_IIPT_IPV4},
		{"no offload", IPPROTO_TCP, 300, 15, 0, 0},
		{"no offload, 3 pieces", IPPROTO_UDP, 300, 16, 3, 0},
	};
	uint32_t len, elen, cmd, off;
	uint16_t q = 1;
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		bool tcp = cases[i].proto == IPPROTO_TCP;

		if (cases[i].iipt == 0) {
			len = build_pkt(big, cases[i].proto, cases[i].payload, cases[i].seed,
					CSUM_BAD);
			TEST_ASSERT_SUCCESS(gtx_one(q, big, len, split, cases[i].nb, 0, 0, NULL),
					    "%s", cases[i].name);
			continue;
		}
		len = build_pkt(big, cases[i].proto, cases[i].payload, cases[i].seed, CSUM_PARTIAL);
		elen = build_pkt(big2, cases[i].proto, cases[i].payload, cases[i].seed, CSUM_FULL);
		TEST_ASSERT_EQUAL(len, elen, "%s: builder", cases[i].name);
		TEST_ASSERT(frame_cksums_ok(big2, elen), "%s: builder: bad checksums",
			    cases[i].name);
		TEST_ASSERT(!frame_cksums_ok(big, len), "%s: builder: partial checksums valid",
			    cases[i].name);
		if (cases[i].iipt == AVF_TXD_CMD_IIPT_IPV4)
			((struct rte_ipv4_hdr *)(void *)(big2 + L2_LEN))->hdr_checksum = 0;
		cmd = cases[i].iipt | (tcp ? AVF_TXD_CMD_L4T_TCP : AVF_TXD_CMD_L4T_UDP);
		off = TXD_OFF(L2_LEN, L3_LEN, tcp ? TCP_LEN : UDP_LEN);
		TEST_ASSERT_SUCCESS(gtx_one(q, big, len, split, cases[i].nb, cmd, off, big2), "%s",
				    cases[i].name);
	}
	return TEST_SUCCESS;
}

/* The IPv4 header of TSO segment i (seg payload bytes) against the frame's. */
static int
tso_ip4_check(unsigned int i, const uint8_t *f, const uint8_t *orig, uint32_t seg)
{
	const struct rte_ipv4_hdr *oip = (const struct rte_ipv4_hdr *)(const void *)(orig + L2_LEN);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(const void *)(f + L2_LEN);

	if (memcmp(f, orig, L2_LEN) != 0 || ip->version_ihl != oip->version_ihl ||
	    ip->type_of_service != oip->type_of_service ||
	    rte_be_to_cpu_16(ip->total_length) != L3_LEN + TCP_LEN + seg ||
	    ip->fragment_offset != oip->fragment_offset || ip->time_to_live != oip->time_to_live ||
	    ip->next_proto_id != oip->next_proto_id || ip->src_addr != oip->src_addr ||
	    ip->dst_addr != oip->dst_addr) {
		printf("segment %u: bad Ethernet or IPv4 header (total length %u)\n", i,
		       rte_be_to_cpu_16(ip->total_length));
		return -1;
	}
	if (rte_be_to_cpu_16(ip->packet_id) != (uint16_t)(rte_be_to_cpu_16(oip->packet_id) + i)) {
		printf("segment %u: IP id 0x%x, expected 0x%x\n", i,
		       rte_be_to_cpu_16(ip->packet_id),
		       (uint16_t)(rte_be_to_cpu_16(oip->packet_id) + i));
		return -1;
	}
	if (!ip_cksum_ok(ip)) {
		printf("segment %u: bad IPv4 checksum 0x%04x\n", i, ip->hdr_checksum);
		return -1;
	}
	if (!l4_cksum_ok(ip, f + L2_LEN + L3_LEN, TCP_LEN + seg)) {
		printf("segment %u: bad TCP checksum 0x%04x\n", i,
		       ((const struct rte_tcp_hdr *)(f + L2_LEN + L3_LEN))->cksum);
		return -1;
	}
	return 0;
}

/* The IPv6 header of TSO segment i (seg payload bytes) against the frame's. */
static int
tso_ip6_check(unsigned int i, const uint8_t *f, const uint8_t *orig, uint32_t seg)
{
	const struct rte_ipv6_hdr *oip = (const struct rte_ipv6_hdr *)(const void *)(orig + L2_LEN);
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(const void *)(f + L2_LEN);
	const uint8_t *th = f + L2_LEN + L3V6_LEN;

	if (memcmp(f, orig, L2_LEN) != 0 || ip->vtc_flow != oip->vtc_flow ||
	    rte_be_to_cpu_16(ip->payload_len) != TCP_LEN + seg || ip->proto != oip->proto ||
	    ip->hop_limits != oip->hop_limits ||
	    memcmp(&ip->src_addr, &oip->src_addr, sizeof(ip->src_addr)) != 0 ||
	    memcmp(&ip->dst_addr, &oip->dst_addr, sizeof(ip->dst_addr)) != 0) {
		printf("segment %u: bad Ethernet or IPv6 header (payload length %u)\n", i,
		       rte_be_to_cpu_16(ip->payload_len));
		return -1;
	}
	if (__rte_raw_cksum_reduce(
		    __rte_raw_cksum(th, TCP_LEN + seg, phdr6_sum(ip, TCP_LEN + seg))) != 0xffff) {
		printf("segment %u: bad TCP checksum\n", i);
		return -1;
	}
	return 0;
}

/*
 * Check the TSO segments m[0..n) of frame orig (TCP over IPv4 built with
 * build_pkt(), or over IPv6 with build_pkt6(), payload bytes of payload):
 * their number and lengths, the IP header of each (checksums included),
 * the TCP header (sequence number advancing by mss; FIN and PSH only on the
 * last, CWR only on the first) and the payload.
 */
static int
tso_segs_check(struct rte_mbuf **m, unsigned int n, const uint8_t *orig, uint32_t payload,
	       uint32_t mss, bool v6)
{
	const uint32_t l3_len = v6 ? L3V6_LEN : L3_LEN;
	const uint32_t hdr_len = L2_LEN + l3_len + TCP_LEN;
	const struct rte_tcp_hdr *oth = (const struct rte_tcp_hdr *)(orig + L2_LEN + l3_len);
	unsigned int i, expect = (payload + mss - 1) / mss;

	if (n != expect) {
		printf("%u segments, expected %u\n", n, expect);
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint32_t seg = RTE_MIN(mss, payload - i * mss);
		const struct rte_tcp_hdr *th;
		const uint8_t *f;
		uint8_t flags = oth->tcp_flags;

		if (m[i]->pkt_len != hdr_len + seg) {
			printf("segment %u: %u bytes, expected %u\n", i, m[i]->pkt_len,
			       hdr_len + seg);
			return -1;
		}
		f = mbuf_flat(m[i]);
		if (f == NULL)
			return -1;
		th = (const struct rte_tcp_hdr *)(f + L2_LEN + l3_len);
		if (i != n - 1)
			flags &= ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
		if (i != 0)
			flags &= ~RTE_TCP_CWR_FLAG;
		if ((v6 ? tso_ip6_check(i, f, orig, seg) : tso_ip4_check(i, f, orig, seg)) != 0)
			return -1;
		if (th->src_port != oth->src_port || th->dst_port != oth->dst_port ||
		    rte_be_to_cpu_32(th->sent_seq) != rte_be_to_cpu_32(oth->sent_seq) + i * mss ||
		    th->recv_ack != oth->recv_ack || th->data_off != oth->data_off ||
		    th->rx_win != oth->rx_win || th->tcp_urp != oth->tcp_urp) {
			printf("segment %u: bad TCP header (seq 0x%x)\n", i,
			       rte_be_to_cpu_32(th->sent_seq));
			return -1;
		}
		if (th->tcp_flags != flags) {
			printf("segment %u: TCP flags 0x%02x, expected 0x%02x\n", i, th->tcp_flags,
			       flags);
			return -1;
		}
		if (memcmp(f + hdr_len, orig + hdr_len + i * mss, seg) != 0) {
			printf("segment %u: payload differs\n", i);
			return -1;
		}
	}
	return 0;
}

static int
tso_check(struct rte_mbuf **m, unsigned int n, const uint8_t *orig, uint32_t payload, uint32_t mss)
{
	return tso_segs_check(m, n, orig, payload, mss, false);
}

/* Send a TSO packet (context + data descriptors); return its segments. */
static unsigned int
gtx_tso(uint16_t q, const uint8_t *pkt, uint32_t len, const uint32_t *sizes, unsigned int nb,
	uint32_t mss, struct rte_mbuf **m, unsigned int max, uint32_t *last)
{
	const uint32_t hdr_len = L2_LEN + L3_LEN + TCP_LEN;

	gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, len - hdr_len, mss));
	*last = gtx_pkt(q, pkt, len, sizes, nb, AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_TCP,
			TXD_OFF(L2_LEN, L3_LEN, TCP_LEN), true);
	gtx_kick(q);
	return rx_all(q, m, max);
}

static int
test_gtx_tso(void)
{
	static const uint32_t split1[] = {L2_LEN + L3_LEN + TCP_LEN, 3000, 1, 2999};
	static const uint32_t split2[] = {L2_LEN, L3_LEN + 7, TCP_LEN - 7 + 100, 555};
	struct rte_mbuf *m[BURST];
	uint32_t len, last;
	unsigned int n;
	int ret;
	uint16_t q = 0;

	/* Linux style: total length 0, pseudo-header without length. */
	len = build_pkt(big, IPPROTO_TCP, 10000, 20, CSUM_TSO);
	n = gtx_tso(q, big, len, split1, RTE_DIM(split1) + 1, 1448, m, BURST, &last);
	ret = tso_check(m, n, big, 10000, 1448);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "TSO 10000 bytes, MSS 1448");
	TEST_ASSERT(gtx_done(q, last), "TSO: RS descriptor not completed");

	/* Headers across descriptors; FIN on the last segment only; CWR on the first. */
	len = build_pkt(big, IPPROTO_TCP, 3001, 21, CSUM_TSO);
	((struct rte_tcp_hdr *)(big + L2_LEN + L3_LEN))->tcp_flags |=
		RTE_TCP_FIN_FLAG | RTE_TCP_CWR_FLAG;
	n = gtx_tso(q, big, len, split2, RTE_DIM(split2) + 1, 500, m, BURST, &last);
	ret = tso_check(m, n, big, 3001, 500);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "TSO 3001 bytes, MSS 500, split headers");

	/* DPDK style: total length set; a single segment (payload == MSS). */
	len = build_pkt(big, IPPROTO_TCP, 1000, 22, CSUM_TSO);
	((struct rte_ipv4_hdr *)(void *)(big + L2_LEN))->total_length =
		rte_cpu_to_be_16(len - L2_LEN);
	n = gtx_tso(q, big, len, NULL, 0, 1000, m, BURST, &last);
	ret = tso_check(m, n, big, 1000, 1000);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "TSO of exactly one MSS");

	/* Linux style, payload of exactly one MSS: the total length is set. */
	len = build_pkt(big, IPPROTO_TCP, 1448, 24, CSUM_TSO);
	n = gtx_tso(q, big, len, NULL, 0, 1448, m, BURST, &last);
	ret = tso_check(m, n, big, 1448, 1448);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "Linux-style TSO of exactly one MSS");

	/* A 64 KiB TSO packet on queue 1. */
	q = 1;
	len = build_pkt(big, IPPROTO_TCP, 65000, 23, CSUM_TSO);
	{
		static const uint32_t s64k[] = {54, 16000, 16000, 16000, 16000};

		n = gtx_tso(q, big, len, s64k, RTE_DIM(s64k) + 1, 9000, m, BURST, &last);
	}
	ret = tso_check(m, n, big, 65000, 9000);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "TSO 65000 bytes, MSS 9000");
	TEST_ASSERT(gtx_done(q, last), "TSO 64K: RS descriptor not completed");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ bad guest transmit */

/*
 * Names of the PMD's xstats counting bad descriptors (see
 * rte_eth_xstats_get_names()).
 */
#define XS_TX_BAD_ADDR "rx_dropped_bad_addr"
#define XS_TX_BAD_LEN "rx_dropped_bad_len"
#define XS_TX_BAD_CHAIN "rx_dropped_bad_chain"
#define XS_TX_BAD_TAIL "rx_bad_tail_bursts"
#define XS_TX_BAD_TSO "rx_dropped_bad_tso"
#define XS_RX_BAD_ADDR "tx_dropped_bad_addr"
#define XS_RX_NOT_READY "tx_not_ready"
#define XS_RX_TOO_BIG "tx_dropped_too_big"
/* Most descriptors of a packet without TSO. */
#define CHAIN_LIMIT 8

/*
 * After bad descriptors (the last one at bad_last, with RS), a good packet:
 * only it arrives, the xstat grew by one, both RS descriptors completed.
 */
static int
bad_then_good(uint16_t q, const char *name, uint64_t before, uint32_t bad_last, uint64_t inc)
{
	static uint8_t good[256];
	struct rte_mbuf *m[8];
	uint32_t len, last;
	unsigned int n;
	int ret;

	len = build_pkt(good, IPPROTO_UDP, 100, 77, CSUM_FULL);
	last = gtx_pkt(q, good, len, NULL, 0, 0, 0, true);
	gtx_kick(q);
	n = rx_all(q, m, RTE_DIM(m));
	if (n != 1) {
		printf("%u packets received, expected the good one only\n", n);
		free_all(m, n);
		return -1;
	}
	ret = mbuf_check(m[0], good, len);
	rte_pktmbuf_free(m[0]);
	if (ret != 0) {
		printf("the good packet is not the one received\n");
		return -1;
	}
	if (xstat_expect(name, before, inc) != 0)
		return -1;
	if (bad_last != UINT32_MAX && !gtx_done(q, bad_last)) {
		printf("the bad packet's RS descriptor %u was not completed\n", bad_last);
		return -1;
	}
	if (!gtx_done(q, last)) {
		printf("the good packet's RS descriptor %u was not completed\n", last);
		return -1;
	}
	return 0;
}

#define EOP_RS (AVF_TXD_CMD_EOP | AVF_TXD_CMD_RS)

static int
test_gtx_bad_addr(void)
{
	uint16_t q = 0;
	uint64_t b;
	uint32_t last;

	/* Outside guest memory. */
	b = xstat(XS_TX_BAD_ADDR);
	last = gtx_desc(q, GMEM_GPA + GMEM_SIZE + 0x100000, TXD_QW1(EOP_RS, 0, 100));
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_ADDR, b, last, 1), "address outside memory");
	/* Address 0, below every region. */
	b = xstat(XS_TX_BAD_ADDR);
	last = gtx_desc(q, 0, TXD_QW1(EOP_RS, 0, 64));
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_ADDR, b, last, 1), "address 0");
	/* Ending exactly at the end of a region: fine (read-only too). */
	{
		static const uint64_t ends[] = {GMEM_GPA + GMEM_SIZE, RMEM_GPA + RMEM_SIZE};
		struct rte_mbuf *m[2];
		uint32_t len, i;
		uint64_t gpa;
		int ret;

		for (i = 0; i < RTE_DIM(ends); i++) {
			len = build_pkt(big, IPPROTO_UDP, 58, 33 + i, CSUM_FULL);
			gpa = ends[i] - len;
			memcpy(gpa_host(gpa), big, len);
			last = gtx_desc(q, gpa, TXD_QW1(EOP_RS, 0, len));
			gtx_kick(q);
			TEST_ASSERT_EQUAL(rx_all(q, m, 2), 1, "buffer up to the end of region %u",
					  i);
			ret = mbuf_check(m[0], big, len);
			rte_pktmbuf_free(m[0]);
			TEST_ASSERT_SUCCESS(ret, "buffer up to the end of region %u", i);
			/* One byte further: bad. */
			b = xstat(XS_TX_BAD_ADDR);
			last = gtx_desc(q, gpa + 1, TXD_QW1(EOP_RS, 0, len));
			TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_ADDR, b, last, 1),
					    "one byte past the end of region %u", i);
		}
	}
	/* Crossing the end of memory. */
	b = xstat(XS_TX_BAD_ADDR);
	last = gtx_desc(q, GMEM_GPA + GMEM_SIZE - 50, TXD_QW1(EOP_RS, 0, 100));
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_ADDR, b, last, 1), "across the end");
	/* Crossing the end of the read-only region. */
	b = xstat(XS_TX_BAD_ADDR);
	last = gtx_desc(q, RMEM_GPA + RMEM_SIZE - 10, TXD_QW1(EOP_RS, 0, 64));
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_ADDR, b, last, 1), "across region end");
	/* Wrapping around the address space. */
	b = xstat(XS_TX_BAD_ADDR);
	last = gtx_desc(q, UINT64_MAX - 10, TXD_QW1(EOP_RS, 0, 64));
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_ADDR, b, last, 1), "wrapping address");
	/* The middle piece of a 3-descriptor packet: the whole packet goes. */
	b = xstat(XS_TX_BAD_ADDR);
	gtx_data(q, big, 100, 0, 0);
	gtx_desc(q, GMEM_GPA + GMEM_SIZE, TXD_QW1(0, 0, 100));
	last = gtx_data(q, big, 100, EOP_RS, 0);
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_ADDR, b, last, 1), "bad middle piece");
	/* A bad buffer in a TSO packet. */
	b = xstat(XS_TX_BAD_ADDR);
	gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, 2000, 1000));
	gtx_data(q, big, L2_LEN + L3_LEN + TCP_LEN,
		 AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_TCP,
		 TXD_OFF(L2_LEN, L3_LEN, TCP_LEN));
	last = gtx_desc(q, GMEM_GPA - 4096,
			TXD_QW1(EOP_RS | AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_TCP,
				TXD_OFF(L2_LEN, L3_LEN, TCP_LEN), 2000));
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_ADDR, b, last, 1), "bad TSO piece");
	return TEST_SUCCESS;
}

static int
test_gtx_bad_len(void)
{
	uint16_t q = 1;
	uint64_t b;
	uint32_t last, i;

	/* A packet of length 0. */
	b = xstat(XS_TX_BAD_LEN);
	last = gtx_desc(q, TXB_START, TXD_QW1(EOP_RS, 0, 0));
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_LEN, b, last, 1), "length 0");
	/* Longer than any frame: 5 x 16000 bytes without TSO. */
	b = xstat(XS_TX_BAD_LEN);
	for (i = 0; i < 5; i++)
		last = gtx_desc(q, TXB_START, TXD_QW1(i == 4 ? EOP_RS : 0, 0, 16000));
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_LEN, b, last, 1), "80000 bytes");
	/* A TSO packet over 256 KiB (TSO_LEN is 18 bits). */
	b = xstat(XS_TX_BAD_LEN);
	gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, 0x3ffff, 1000));
	for (i = 0; i < 17; i++)
		last = gtx_desc(q, TXB_START,
				TXD_QW1((i == 16 ? EOP_RS : 0) | AVF_TXD_CMD_IIPT_IPV4_CSUM |
						AVF_TXD_CMD_L4T_TCP,
					TXD_OFF(L2_LEN, L3_LEN, TCP_LEN), 16383));
	{
		uint64_t bt = xstat(XS_TX_BAD_TSO);
		struct rte_mbuf *m[8];
		unsigned int n;

		/* Counted either as a bad length or as a bad TSO. */
		gtx_kick(q);
		n = rx_all(q, m, RTE_DIM(m));
		free_all(m, n);
		TEST_ASSERT_EQUAL(n, 0, "oversized TSO packet received");
		TEST_ASSERT_EQUAL(xstat(XS_TX_BAD_LEN) - b + xstat(XS_TX_BAD_TSO) - bt, 1,
				  "oversized TSO packet not counted once");
		TEST_ASSERT(gtx_done(q, last), "oversized TSO packet not completed");
		b = xstat(XS_TX_BAD_LEN);
		TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_LEN, b, UINT32_MAX, 0),
				    "good after oversized TSO");
	}
	return TEST_SUCCESS;
}

static int
test_gtx_bad_chain(void)
{
	struct rte_mbuf *m[8];
	uint16_t q = 0;
	uint32_t last = 0, i, len;
	uint64_t b;

	/* CHAIN_LIMIT descriptors is the most: accepted. */
	len = build_pkt(big, IPPROTO_UDP, 64 * CHAIN_LIMIT - 42, 30, CSUM_FULL);
	{
		uint32_t sizes[CHAIN_LIMIT];

		for (i = 0; i < CHAIN_LIMIT; i++)
			sizes[i] = 64;
		TEST_ASSERT_SUCCESS(gtx_one(q, big, len, sizes, CHAIN_LIMIT, 0, 0, NULL),
				    "a packet of %u descriptors", CHAIN_LIMIT);
	}
	/* One more is too many. */
	b = xstat(XS_TX_BAD_CHAIN);
	for (i = 0; i <= CHAIN_LIMIT; i++)
		last = gtx_data(q, big + 64 * i, 64, i == CHAIN_LIMIT ? EOP_RS : 0, 0);
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_CHAIN, b, last, 1),
			    "a chain of %u descriptors", CHAIN_LIMIT + 1);
	/* A long chain without EOP (100 descriptors), then EOP. */
	b = xstat(XS_TX_BAD_CHAIN);
	for (i = 0; i < 100; i++)
		last = gtx_desc(q, TXB_START, TXD_QW1(i == 99 ? EOP_RS : 0, 0, 60));
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_CHAIN, b, last, 1), "100 descriptors");
	/*
	 * 133 descriptors: longer than any packet may be (TSO included); the
	 * 5 after the first 128 are still the same bad packet, not a new one.
	 */
	b = xstat(XS_TX_BAD_CHAIN);
	for (i = 0; i < 133; i++)
		last = gtx_desc(q, TXB_START, TXD_QW1(i == 132 ? EOP_RS : 0, 0, 60));
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_CHAIN, b, last, 1), "133 descriptors");
	/*
	 * No EOP in the whole ring (the guest fills all it may): nothing is
	 * received, the port does not hang; the guest then ends the chain.
	 */
	b = xstat(XS_TX_BAD_CHAIN);
	for (i = 0; i < TX_RING - 1; i++)
		last = gtx_desc(q, TXB_START, TXD_QW1(0, 0, 60));
	gtx_kick(q);
	TEST_ASSERT_EQUAL(rx_all(q, m, RTE_DIM(m)), 0, "packet without EOP received");
	last = gtx_desc(q, TXB_START, TXD_QW1(EOP_RS, 0, 60));
	gtx_kick(q);
	TEST_ASSERT_EQUAL(rx_all(q, m, RTE_DIM(m)), 0, "packet of a full ring received");
	TEST_ASSERT_SUCCESS(xstat_expect(XS_TX_BAD_CHAIN, b, 1), "ring without EOP counted once");
	b = xstat(XS_TX_BAD_CHAIN);
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_CHAIN, b, UINT32_MAX, 0),
			    "good packet after a ring without EOP");
	return TEST_SUCCESS;
}

static int
test_gtx_bad_tail(void)
{
	static uint8_t good[128];
	struct rte_mbuf *m[4];
	uint16_t q = 1;
	uint32_t len, last;
	uint64_t b;

	b = xstat(XS_TX_BAD_TAIL);
	len = build_pkt(good, IPPROTO_TCP, 40, 31, CSUM_FULL);
	last = gtx_pkt(q, good, len, NULL, 0, 0, 0, true);
	fk.doorbell[RTE_EMUDEV_QUEUE_GUEST_TX][q] = TX_RING;
	TEST_ASSERT_EQUAL(rx_all(q, m, RTE_DIM(m)), 0, "received with tail == ring size");
	fk.doorbell[RTE_EMUDEV_QUEUE_GUEST_TX][q] = TX_RING + 5;
	TEST_ASSERT_EQUAL(rx_all(q, m, RTE_DIM(m)), 0, "received with tail > ring size");
	fk.doorbell[RTE_EMUDEV_QUEUE_GUEST_TX][q] = UINT32_MAX;
	TEST_ASSERT_EQUAL(rx_all(q, m, RTE_DIM(m)), 0, "received with tail 0xffffffff");
	TEST_ASSERT(xstat(XS_TX_BAD_TAIL) > b, "bad tail not counted");
	/* The guest corrects its tail: the packet arrives. */
	gtx_kick(q);
	TEST_ASSERT_EQUAL(rx_all(q, m, RTE_DIM(m)), 1, "packet after the tail was corrected");
	TEST_ASSERT_SUCCESS(mbuf_check(m[0], good, len), "packet after the tail was corrected");
	rte_pktmbuf_free(m[0]);
	TEST_ASSERT(gtx_done(q, last), "not completed");
	return TEST_SUCCESS;
}

static int
test_gtx_bad_tso(void)
{
	static const uint32_t bad_mss[] = {0, 1, 16383};
	uint16_t q = 0;
	uint32_t len, last, i;
	uint64_t b;

	for (i = 0; i < RTE_DIM(bad_mss); i++) {
		b = xstat(XS_TX_BAD_TSO);
		len = build_pkt(big, IPPROTO_TCP, 3000, 40 + i, CSUM_TSO);
		gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, len - 54, bad_mss[i]));
		last = gtx_pkt(q, big, len, NULL, 0,
			       AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_TCP,
			       TXD_OFF(L2_LEN, L3_LEN, TCP_LEN), true);
		TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_TSO, b, last, 1), "MSS %u",
				    bad_mss[i]);
	}
	/* TSO without the header lengths. */
	b = xstat(XS_TX_BAD_TSO);
	len = build_pkt(big, IPPROTO_TCP, 3000, 45, CSUM_TSO);
	gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, len - 54, 1000));
	last = gtx_pkt(q, big, len, NULL, 0, AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_TCP, 0,
		       true);
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_TSO, b, last, 1), "no header lengths");
	/* TSO whose headers are longer than the packet. */
	b = xstat(XS_TX_BAD_TSO);
	gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, 10, 1000));
	last = gtx_pkt(q, big, 40, NULL, 0, AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_TCP,
		       TXD_OFF(L2_LEN, L3_LEN, TCP_LEN), true);
	TEST_ASSERT_SUCCESS(bad_then_good(q, XS_TX_BAD_TSO, b, last, 1), "headers past the end");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ guest receive */

static int
test_grx_single(void)
{
	static const uint32_t payloads[] = {6, 10, 46, 74, 446, 946, 1446, 1460, 2006};
	static uint8_t pkt[RTE_DIM(payloads)][2048];
	struct rte_mbuf *m[RTE_DIM(payloads)];
	uint32_t len[RTE_DIM(payloads)];
	unsigned int i;
	uint16_t q, n;

	for (q = 0; q < NB_QP; q++) {
		grx_fill(q, 32);
		for (i = 0; i < RTE_DIM(payloads); i++) {
			len[i] = build_pkt(pkt[i], i & 1 ? IPPROTO_TCP : IPPROTO_UDP, payloads[i],
					   50 + i, CSUM_FULL);
			m[i] = mbuf_build(pkt[i], len[i], NULL, 0);
			TEST_ASSERT_NOT_NULL(m[i], "mbuf");
		}
		n = rte_eth_tx_burst(port, q, m, RTE_DIM(m));
		free_all(m + n, RTE_DIM(m) - n);
		TEST_ASSERT_EQUAL(n, RTE_DIM(m), "sent on queue %u", q);
		for (i = 0; i < RTE_DIM(payloads); i++)
			TEST_ASSERT_SUCCESS(grx_check(q, pkt[i], len[i]), "queue %u packet %u", q,
					    i);
		TEST_ASSERT(grx_idle(q), "queue %u: more written than sent", q);
		TEST_ASSERT(grx_idle(1 - q), "queue %u: written on the other queue", q);
	}
	return TEST_SUCCESS;
}

static int
test_grx_multi(void)
{
	static const uint32_t s2[] = {2000};
	static const uint32_t s4[] = {100, 2000, 1900};
	static const uint32_t s5[] = {1800, 1800, 1800, 1800, 1800};
	static const uint32_t s10[] = {1, 1, 1, 1, 1, 1, 1, 1, 2000};
	struct {
		uint8_t proto;
		uint32_t payload;
		const uint32_t *sizes;
		unsigned int nb;
	} spec[] = {
		{IPPROTO_UDP, 2048 - 42, NULL, 0}, /* exactly one buffer */
		{IPPROTO_UDP, 2049 - 42, s2, 2}, /* one byte more */
		{IPPROTO_TCP, 5000 - 54, s4, 4},       {IPPROTO_TCP, 9000 - 54, s5, 5},
		{IPPROTO_UDP, 4000 - 42, s10, 10}, /* 8 one-byte segments */
		{IPPROTO_TCP, RX_MAX_PKT - 54, s5, 6}, /* the largest */
	};
	static uint8_t pkt[RTE_DIM(spec)][RX_MAX_PKT];
	struct rte_mbuf *m[RTE_DIM(spec)];
	uint32_t len[RTE_DIM(spec)];
	unsigned int i;
	uint16_t q = 1, n;

	grx_fill(q, RX_RING - 1);
	for (i = 0; i < RTE_DIM(spec); i++) {
		len[i] = build_pkt(pkt[i], spec[i].proto, spec[i].payload, 60 + i, CSUM_FULL);
		m[i] = mbuf_build(pkt[i], len[i], spec[i].sizes, spec[i].nb);
		if (m[i] == NULL)
			free_all(m, i);
		TEST_ASSERT_NOT_NULL(m[i], "mbuf %u", i);
	}
	n = rte_eth_tx_burst(port, q, m, RTE_DIM(m));
	free_all(m + n, RTE_DIM(m) - n);
	TEST_ASSERT_EQUAL(n, RTE_DIM(m), "sent");
	for (i = 0; i < RTE_DIM(spec); i++)
		TEST_ASSERT_SUCCESS(grx_check(q, pkt[i], len[i]), "packet %u", i);
	TEST_ASSERT(grx_idle(q), "more written than sent");
	return TEST_SUCCESS;
}

static int
test_grx_ring_full(void)
{
	static uint8_t pkt[8][256];
	struct rte_mbuf *m[8];
	uint32_t len[8], blen;
	unsigned int i, round;
	uint16_t q = 0, n;

	TEST_ASSERT_SUCCESS(grx_restart(q), "restart");
	/* Several rounds, so that the ring wraps. */
	for (round = 0; round < 3 * RX_RING / 5 + 1; round++) {
		TEST_ASSERT_EQUAL(grx_outstanding(q), 0, "leftover");
		grx_post(q, 5);
		for (i = 0; i < 8; i++) {
			len[i] = build_pkt(pkt[i], IPPROTO_UDP, 60 + i, round * 8 + i, CSUM_FULL);
			m[i] = mbuf_build(pkt[i], len[i], NULL, 0);
			TEST_ASSERT_NOT_NULL(m[i], "mbuf");
		}
		n = rte_eth_tx_burst(port, q, m, 8);
		free_all(m + n, 8 - n);
		TEST_ASSERT_EQUAL(n, 5, "round %u: sent with 5 descriptors posted", round);
		for (i = 0; i < 5; i++)
			TEST_ASSERT_SUCCESS(grx_check(q, pkt[i], len[i]), "round %u packet %u",
					    round, i);
	}
	/* Nothing posted: nothing sent, nothing written. */
	m[0] = mbuf_build(pkt[0], len[0], NULL, 0);
	TEST_ASSERT_NOT_NULL(m[0], "mbuf");
	n = rte_eth_tx_burst(port, q, m, 1);
	free_all(m + n, 1 - n);
	TEST_ASSERT_EQUAL(n, 0, "sent with no descriptor posted");
	TEST_ASSERT(grx_idle(q), "written with no descriptor posted");

	/* A 3-buffer packet with 2 posted: not sent, not written in part. */
	blen = build_pkt(big, IPPROTO_TCP, 5000 - 54, 70, CSUM_FULL);
	grx_post(q, 2);
	{
		static const uint32_t s[] = {2000, 2000};

		m[0] = mbuf_build(big, blen, s, 3);
	}
	TEST_ASSERT_NOT_NULL(m[0], "mbuf");
	n = rte_eth_tx_burst(port, q, m, 1);
	TEST_ASSERT_EQUAL(n, 0, "a 3-buffer packet sent with 2 buffers");
	TEST_ASSERT(grx_idle(q), "a 3-buffer packet written in part");
	grx_post(q, 1);
	n = rte_eth_tx_burst(port, q, m, 1);
	free_all(m + n, 1 - n);
	TEST_ASSERT_EQUAL(n, 1, "a 3-buffer packet not sent with 3 buffers");
	TEST_ASSERT_SUCCESS(grx_check(q, big, blen), "3-buffer packet");
	TEST_ASSERT(grx_idle(q), "more written");
	return TEST_SUCCESS;
}

/* A packet over the guest's largest is dropped and counted; the next passes. */
static int
test_grx_too_big(void)
{
	static const uint32_t s[] = {2000, 2000, 2000, 2000, 2000};
	static uint8_t good[256];
	struct rte_mbuf *m[2];
	uint32_t blen, glen;
	uint64_t b;
	uint16_t q = 1, n;

	b = xstat(XS_RX_TOO_BIG);
	grx_fill(q, 16);
	blen = build_pkt(big, IPPROTO_UDP, RX_MAX_PKT + 1 - 42, 80, CSUM_FULL);
	glen = build_pkt(good, IPPROTO_UDP, 100, 81, CSUM_FULL);
	m[0] = mbuf_build(big, blen, s, 6);
	m[1] = mbuf_build(good, glen, NULL, 0);
	TEST_ASSERT(m[0] != NULL && m[1] != NULL, "mbuf");
	n = rte_eth_tx_burst(port, q, m, 2);
	free_all(m + n, 2 - n);
	TEST_ASSERT_EQUAL(n, 2, "the too-big packet must be dropped, not left to the caller");
	TEST_ASSERT_SUCCESS(grx_check(q, good, glen), "the good packet");
	TEST_ASSERT(grx_idle(q), "more written");
	TEST_ASSERT_SUCCESS(xstat_expect(XS_RX_TOO_BIG, b, 1), "counted");
	return TEST_SUCCESS;
}

/* The guest's next descriptor was written back for a bad buffer. */
static int
grx_bad_desc(uint16_t q)
{
	uint32_t i = gst.rxq[q].next;
	uint64_t qw1 = rte_le_to_cpu_64(rxd(q, i)[1]);

	if ((qw1 & AVF_RXD_QW1_DD) == 0) {
		printf("queue %u: bad descriptor %u not written back (QW1 0x%016" PRIx64 ")\n", q,
		       i, qw1);
		return -1;
	}
	if ((qw1 & AVF_RXD_QW1_EOF) == 0 || (RXD_ERR(qw1) == 0 && RXD_LEN(qw1) == 0)) {
		printf("queue %u: bad descriptor %u written back as QW1 0x%016" PRIx64
		       " (no EOF, or neither an error nor a length)\n",
		       q, i, qw1);
		return -1;
	}
	rxd(q, i)[1] = 0;
	gst.rxq[q].next = (i + 1) % fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][q].ring_size;
	return 0;
}

static int
test_grx_bad_addr(void)
{
	static uint8_t rsnap[RMEM_SIZE];
	static const uint64_t bad[] = {
		GMEM_GPA + GMEM_SIZE + 0x100000, /* outside */
		RMEM_GPA, /* read-only */
		GMEM_GPA + GMEM_SIZE - 100, /* across the end */
		UINT64_MAX - 100, /* wrapping */
	};
	static uint8_t pkt[8][256];
	struct rte_mbuf *m[8];
	uint32_t len[8], first, i, k;
	uint64_t b;
	uint16_t q = 0, n;

	TEST_ASSERT_SUCCESS(grx_restart(q), "restart");
	memcpy(rsnap, fk.rmem, RMEM_SIZE);
	b = xstat(XS_RX_BAD_ADDR);
	first = gst.rxq[q].tail;
	grx_post(q, RTE_DIM(bad) + 8);
	for (i = 0; i < RTE_DIM(bad); i++)
		rxd(q, (first + i) % RX_RING)[0] = rte_cpu_to_le_64(bad[i]);
	for (i = 0; i < 8; i++) {
		len[i] = build_pkt(pkt[i], IPPROTO_UDP, 100 + i, 90 + i, CSUM_FULL);
		m[i] = mbuf_build(pkt[i], len[i], NULL, 0);
		TEST_ASSERT_NOT_NULL(m[i], "mbuf");
	}
	n = rte_eth_tx_burst(port, q, m, 8);
	free_all(m + n, 8 - n);
	TEST_ASSERT_EQUAL(n, 8, "sent");
	/* Each bad descriptor is given back to the guest, marked. */
	for (i = 0; i < RTE_DIM(bad); i++)
		TEST_ASSERT_SUCCESS(grx_bad_desc(q), "bad descriptor %u", i);
	/*
	 * Then the packets, in order: those that met a bad descriptor may be
	 * lost, the last one is not.
	 */
	for (k = 0; k < 8; k++)
		if ((rte_le_to_cpu_64(rxd(q, (gst.rxq[q].next + k) % RX_RING)[1]) &
		     AVF_RXD_QW1_DD) == 0)
			break;
	TEST_ASSERT(k > 0, "no packet delivered after the bad descriptors");
	for (i = 8 - k; i < 8; i++)
		TEST_ASSERT_SUCCESS(grx_check(q, pkt[i], len[i]), "packet %u", i);
	TEST_ASSERT_SUCCESS(xstat_expect(XS_RX_BAD_ADDR, b, RTE_DIM(bad)), "counted");
	TEST_ASSERT(memcmp(rsnap, fk.rmem, RMEM_SIZE) == 0, "read-only memory written");
	/* The port goes on: fill what is left posted, and one more. */
	grx_post(q, 1);
	k = grx_outstanding(q);
	for (i = 0; i < k; i++) {
		len[0] = build_pkt(pkt[0], IPPROTO_TCP, 200 + i, 100 + i, CSUM_FULL);
		m[0] = mbuf_build(pkt[0], len[0], NULL, 0);
		TEST_ASSERT_NOT_NULL(m[0], "mbuf");
		n = rte_eth_tx_burst(port, q, m, 1);
		free_all(m + n, 1 - n);
		TEST_ASSERT_EQUAL(n, 1, "sent after the bad descriptors");
		TEST_ASSERT_SUCCESS(grx_check(q, pkt[0], len[0]), "after the bad descriptors");
	}
	TEST_ASSERT_EQUAL(grx_outstanding(q), 0, "outstanding");
	/* A buffer ending exactly at the end of memory takes a packet of its size. */
	for (i = 0; i < 2; i++) {
		uint32_t at = gst.rxq[q].tail;
		uint64_t qw1;

		len[0] = build_pkt(pkt[0], IPPROTO_UDP, 60, 95 + i, CSUM_FULL);
		grx_post(q, 1);
		rxd(q, at)[0] = rte_cpu_to_le_64(GMEM_GPA + GMEM_SIZE - len[0] + i);
		b = xstat(XS_RX_BAD_ADDR);
		m[0] = mbuf_build(pkt[0], len[0], NULL, 0);
		TEST_ASSERT_NOT_NULL(m[0], "mbuf");
		n = rte_eth_tx_burst(port, q, m, 1);
		free_all(m + n, 1 - n);
		TEST_ASSERT_EQUAL(n, 1, "sent");
		qw1 = rte_le_to_cpu_64(rxd(q, at)[1]);
		if (i == 0) {
			TEST_ASSERT(
				qw1 == (AVF_RXD_QW1_DD | AVF_RXD_QW1_EOF | (uint64_t)len[0] << 38),
				"buffer up to the end: QW1 0x%" PRIx64, qw1);
			TEST_ASSERT(memcmp(fk.mem + GMEM_SIZE - len[0], pkt[0], len[0]) == 0,
				    "buffer up to the end: data");
			TEST_ASSERT_SUCCESS(xstat_expect(XS_RX_BAD_ADDR, b, 0), "counted");
			rxd(q, at)[1] = 0;
			gst.rxq[q].next = (at + 1) % RX_RING;
		} else {
			TEST_ASSERT_SUCCESS(grx_bad_desc(q), "one byte past the end");
			TEST_ASSERT_SUCCESS(xstat_expect(XS_RX_BAD_ADDR, b, 1), "counted");
		}
	}

	return TEST_SUCCESS;
}

static int
test_grx_bad_queue(void)
{
	static uint8_t pkt[256];
	struct rte_mbuf *m[1];
	const enum rte_emudev_queue_dir rx = RTE_EMUDEV_QUEUE_GUEST_RX;
	uint32_t len, i;
	uint64_t b;
	uint16_t q = 1, n;

	len = build_pkt(pkt, IPPROTO_UDP, 100, 99, CSUM_FULL);

	/* Buffer size 0: nothing can be delivered; nothing is written. */
	b = xstat(XS_RX_NOT_READY);
	TEST_ASSERT_SUCCESS(queue_reconfigure(rx, q, 0, RX_RING_GPA(q), RX_RING), "buf 0");
	grx_post(q, 4);
	m[0] = mbuf_build(pkt, len, NULL, 0);
	TEST_ASSERT_NOT_NULL(m[0], "mbuf");
	n = rte_eth_tx_burst(port, q, m, 1);
	free_all(m + n, 1 - n);
	for (i = 0; i < 4; i++) {
		const uint8_t *buf = gpa_host(RX_BUF_GPA(q, i));

		TEST_ASSERT(buf[0] == 0xa5 && buf[RX_BUF - 1] == 0xa5,
			    "buffer %u written with buffer size 0", i);
	}
	TEST_ASSERT_EQUAL(n, 0, "sent with buffer size 0");
	TEST_ASSERT(xstat(XS_RX_NOT_READY) > b, "a refused packet not counted");

	/* A ring outside guest memory: nothing happens, nothing crashes. */
	TEST_ASSERT_SUCCESS(queue_reconfigure(rx, q, RX_BUF, GMEM_GPA + GMEM_SIZE - 1024, RX_RING),
			    "ring outside");
	fk.doorbell[rx][q] = 4;
	m[0] = mbuf_build(pkt, len, NULL, 0);
	TEST_ASSERT_NOT_NULL(m[0], "mbuf");
	n = rte_eth_tx_burst(port, q, m, 1);
	free_all(m + n, 1 - n);

	/* Good again. */
	TEST_ASSERT_SUCCESS(queue_reconfigure(rx, q, RX_BUF, RX_RING_GPA(q), RX_RING), "good");
	TEST_ASSERT(link_wait(port, true), "link down after the queue was fixed");
	grx_post(q, 4);
	m[0] = mbuf_build(pkt, len, NULL, 0);
	TEST_ASSERT_NOT_NULL(m[0], "mbuf");
	n = rte_eth_tx_burst(port, q, m, 1);
	free_all(m + n, 1 - n);
	TEST_ASSERT_EQUAL(n, 1, "sent after the queue was fixed");
	TEST_ASSERT_SUCCESS(grx_check(q, pkt, len), "after the queue was fixed");

	/* The same with a guest transmit ring outside memory. */
	TEST_ASSERT_SUCCESS(
		queue_reconfigure(RTE_EMUDEV_QUEUE_GUEST_TX, q, 0, GMEM_GPA - 2048, TX_RING),
		"tx ring outside");
	fk.doorbell[RTE_EMUDEV_QUEUE_GUEST_TX][q] = 3;
	TEST_ASSERT_EQUAL(rx_all(q, m, 1), 0, "received from a ring outside memory");
	TEST_ASSERT_SUCCESS(
		queue_reconfigure(RTE_EMUDEV_QUEUE_GUEST_TX, q, 0, TX_RING_GPA(q), TX_RING),
		"tx ring good");
	TEST_ASSERT_SUCCESS(gtx_one(q, pkt, len, NULL, 0, 0, 0, NULL), "after the ring was fixed");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ interrupts, stats */

static int
test_irq(void)
{
	struct rte_mbuf *m[4];
	unsigned int v, i;

	memset(fk.armed, 0, sizeof(fk.armed));
	irq_counts_clear();
	/* Not armed: nothing fires. */
	TEST_ASSERT_SUCCESS(gtx_ping(0, 1), "tx");
	TEST_ASSERT_SUCCESS(grx_ping(0, 2), "rx");
	for (v = 0; v < NB_VEC; v++)
		TEST_ASSERT_EQUAL(fk.irq_fired[v], 0, "vector %u fired unarmed", v);
	/* Guest transmit queue 0 (vector 1) armed: fires once, then masked. */
	fk.armed[1] = true;
	TEST_ASSERT_SUCCESS(gtx_ping(0, 3), "tx");
	TEST_ASSERT_EQUAL(fk.irq_fired[1], 1, "completion of guest transmit queue 0");
	TEST_ASSERT_SUCCESS(gtx_ping(0, 4), "tx");
	TEST_ASSERT_EQUAL(fk.irq_fired[1], 1, "fired while masked");
	/* Guest receive queue 0 (vector 2). */
	fk.armed[2] = true;
	TEST_ASSERT_SUCCESS(grx_ping(0, 5), "rx");
	TEST_ASSERT_EQUAL(fk.irq_fired[2], 1, "write-back on guest receive queue 0");
	/* Queue 1's vectors. */
	fk.armed[3] = true;
	fk.armed[4] = true;
	TEST_ASSERT_SUCCESS(gtx_ping(1, 6), "tx");
	TEST_ASSERT_SUCCESS(grx_ping(1, 7), "rx");
	TEST_ASSERT_EQUAL(fk.irq_fired[3], 1, "guest transmit queue 1");
	TEST_ASSERT_EQUAL(fk.irq_fired[4], 1, "guest receive queue 1");
	/* Armed but idle: polling empty rings fires nothing. */
	for (v = 1; v < NB_VEC; v++)
		fk.armed[v] = true;
	for (i = 0; i < 10; i++) {
		TEST_ASSERT_EQUAL(rx_all(0, m, RTE_DIM(m)) + rx_all(1, m, RTE_DIM(m)), 0, "rx");
		TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, 0, m, 0), 0, "tx");
	}
	TEST_ASSERT_EQUAL(fk.irq_fired[1] + fk.irq_fired[2] + fk.irq_fired[3] + fk.irq_fired[4], 4,
			  "fired while idle");
	TEST_ASSERT_EQUAL(fk.irq_fired[0], 0, "vector 0 is the provider's");
	TEST_ASSERT_EQUAL(fk.irq_bad_vector, 0, "bad vector triggered");
	printf("trigger calls per vector: %u %u %u %u %u\n", fk.irq_calls[0], fk.irq_calls[1],
	       fk.irq_calls[2], fk.irq_calls[3], fk.irq_calls[4]);
	memset(fk.armed, 0, sizeof(fk.armed));
	return TEST_SUCCESS;
}

static int
test_stats(void)
{
	static uint8_t pkt[256];
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	static const struct rte_ether_addr mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
	struct rte_emudev_stats s0, s1;
	struct rte_eth_stats st;
	uint64_t gtx_bytes[NB_QP] = {0}, grx_bytes[NB_QP] = {0};
	struct rte_mbuf *m[1];
	uint32_t len, i;
	uint16_t q;

	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(port), "reset");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port, &st), "get");
	TEST_ASSERT(st.ipackets == 0 && st.opackets == 0 && st.ibytes == 0 && st.obytes == 0,
		    "not reset");
	memset(&s0, 0, sizeof(s0));
	TEST_ASSERT_SUCCESS(rte_emudev_stats_get(fk.base.dev, &s0),
			    "the port gives the device no statistics");
	/* Guest transmits 3 on queue 0 (unicast, broadcast, multicast), 2 on 1. */
	for (i = 0; i < 5; i++) {
		q = i < 3 ? 0 : 1;
		len = build_pkt(pkt, IPPROTO_UDP, 50 + i, 110 + i, CSUM_FULL);
		if (i == 1)
			memcpy(pkt, &bcast, 6);
		if (i == 2)
			memcpy(pkt, &mcast, 6);
		TEST_ASSERT_SUCCESS(gtx_one(q, pkt, len, NULL, 0, 0, 0, NULL), "tx %u", i);
		gtx_bytes[q] += len;
	}
	/* Guest receives 4 on queue 0, 1 on 1. */
	for (i = 0; i < 5; i++) {
		q = i < 4 ? 0 : 1;
		len = build_pkt(pkt, IPPROTO_TCP, 70 + i, 120 + i, CSUM_FULL);
		grx_fill(q, 8);
		m[0] = mbuf_build(pkt, len, NULL, 0);
		TEST_ASSERT_NOT_NULL(m[0], "mbuf");
		TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, q, m, 1), 1, "rx %u", i);
		TEST_ASSERT_SUCCESS(grx_check(q, pkt, len), "rx %u", i);
		grx_bytes[q] += len;
	}
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port, &st), "get");
	TEST_ASSERT_EQUAL(st.ipackets, 5, "ipackets");
	TEST_ASSERT_EQUAL(st.ibytes, gtx_bytes[0] + gtx_bytes[1], "ibytes");
	TEST_ASSERT_EQUAL(st.opackets, 5, "opackets");
	TEST_ASSERT_EQUAL(st.obytes, grx_bytes[0] + grx_bytes[1], "obytes");
	TEST_ASSERT_EQUAL(st.q_ipackets[0], 3, "q_ipackets[0]");
	TEST_ASSERT_EQUAL(st.q_ipackets[1], 2, "q_ipackets[1]");
	TEST_ASSERT_EQUAL(st.q_ibytes[0], gtx_bytes[0], "q_ibytes[0]");
	TEST_ASSERT_EQUAL(st.q_ibytes[1], gtx_bytes[1], "q_ibytes[1]");
	TEST_ASSERT_EQUAL(st.q_opackets[0], 4, "q_opackets[0]");
	TEST_ASSERT_EQUAL(st.q_opackets[1], 1, "q_opackets[1]");
	TEST_ASSERT_EQUAL(st.q_obytes[0], grx_bytes[0], "q_obytes[0]");
	TEST_ASSERT_EQUAL(st.q_obytes[1], grx_bytes[1], "q_obytes[1]");
	TEST_ASSERT_EQUAL(st.ierrors + st.oerrors + st.imissed, 0, "errors");
	/* The same in the xstats, per queue and by class, from the port's view. */
	TEST_ASSERT_SUCCESS(xstats_check(port, NB_QP, NB_QP), "xstats names and sums");
	TEST_ASSERT_EQUAL(xstat("rx_q0_packets"), 3, "rx_q0_packets");
	TEST_ASSERT_EQUAL(xstat("rx_q1_packets"), 2, "rx_q1_packets");
	TEST_ASSERT_EQUAL(xstat("rx_q0_bytes"), gtx_bytes[0], "rx_q0_bytes");
	TEST_ASSERT_EQUAL(xstat("rx_q1_bytes"), gtx_bytes[1], "rx_q1_bytes");
	TEST_ASSERT_EQUAL(xstat("tx_q0_packets"), 4, "tx_q0_packets");
	TEST_ASSERT_EQUAL(xstat("tx_q1_packets"), 1, "tx_q1_packets");
	TEST_ASSERT_EQUAL(xstat("tx_q0_bytes"), grx_bytes[0], "tx_q0_bytes");
	TEST_ASSERT_EQUAL(xstat("tx_q1_bytes"), grx_bytes[1], "tx_q1_bytes");
	TEST_ASSERT_EQUAL(xstat("rx_good_packets"), 5, "rx_good_packets");
	TEST_ASSERT_EQUAL(xstat("rx_unicast_packets"), 3, "rx_unicast_packets");
	TEST_ASSERT_EQUAL(xstat("rx_broadcast_packets"), 1, "rx_broadcast_packets");
	TEST_ASSERT_EQUAL(xstat("rx_multicast_packets"), 1, "rx_multicast_packets");
	TEST_ASSERT_EQUAL(xstat("rx_q0_broadcast_packets"), 1, "rx_q0_broadcast_packets");
	TEST_ASSERT_EQUAL(xstat("rx_q1_broadcast_packets"), 0, "rx_q1_broadcast_packets");
	TEST_ASSERT_EQUAL(xstat("tx_unicast_packets"), 5, "tx_unicast_packets");
	TEST_ASSERT_EQUAL(xstat("tx_q0_unicast_packets"), 4, "tx_q0_unicast_packets");
	TEST_ASSERT_EQUAL(xstat("rx_q0_errors") + xstat("rx_q1_errors") + xstat("tx_q0_errors") +
				  xstat("tx_q1_errors"),
			  0, "per-queue errors");
	/* The old names are gone; nothing is emitted as ethdev's twice. */
	TEST_ASSERT_EQUAL(xstat("guest_tx_packets"), UINT64_MAX, "guest_tx_packets");
	TEST_ASSERT_EQUAL(xstat("guest_rx_filtered"), UINT64_MAX, "guest_rx_filtered");
	TEST_ASSERT_EQUAL(xstat("rx_packets"), UINT64_MAX, "rx_packets next to rx_good_packets");
	/* The guest's view (virtchnl GET_STATS through emudev). */
	memset(&s1, 0, sizeof(s1));
	TEST_ASSERT_SUCCESS(rte_emudev_stats_get(fk.base.dev, &s1), "emudev stats");
	TEST_ASSERT_EQUAL(s1.tx_unicast - s0.tx_unicast, 3, "guest tx_unicast");
	TEST_ASSERT_EQUAL(s1.tx_broadcast - s0.tx_broadcast, 1, "guest tx_broadcast");
	TEST_ASSERT_EQUAL(s1.tx_multicast - s0.tx_multicast, 1, "guest tx_multicast");
	TEST_ASSERT_EQUAL(s1.tx_bytes - s0.tx_bytes, gtx_bytes[0] + gtx_bytes[1], "guest tx_bytes");
	TEST_ASSERT_EQUAL(s1.rx_unicast - s0.rx_unicast, 5, "guest rx_unicast");
	/* Frames without FCS (emu_iavf adds it to what the guest reads). */
	TEST_ASSERT_EQUAL(s1.rx_bytes - s0.rx_bytes, grx_bytes[0] + grx_bytes[1], "guest rx_bytes");
	TEST_ASSERT_EQUAL(s1.rx_discards - s0.rx_discards, 0, "guest rx_discards");
	TEST_ASSERT_EQUAL(s1.tx_errors - s0.tx_errors, 0, "guest tx_errors");
	/* Bad descriptors show as the guest's transmit errors. */
	gtx_desc(0, 0, TXD_QW1(EOP_RS, 0, 64));
	TEST_ASSERT_SUCCESS(bad_then_good(0, XS_TX_BAD_ADDR, xstat(XS_TX_BAD_ADDR), UINT32_MAX, 1),
			    "bad");
	memset(&s0, 0, sizeof(s0));
	TEST_ASSERT_SUCCESS(rte_emudev_stats_get(fk.base.dev, &s0), "emudev stats");
	TEST_ASSERT_EQUAL(s0.tx_errors - s1.tx_errors, 1, "guest tx_errors");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port, &st), "get");
	TEST_ASSERT(st.ierrors >= 1, "bad descriptor not in ierrors");
	/* On its queue's errors (rx_q0_errors, whose sum is ethdev's rx_errors). */
	TEST_ASSERT_EQUAL(xstat("rx_q0_errors"), st.q_errors[0], "rx_q0_errors");
	TEST_ASSERT(xstat("rx_q0_dropped_bad_addr") >= 1 && xstat("rx_q0_errors") >= 1,
		    "bad descriptor not in rx_q0_dropped_bad_addr / rx_q0_errors");
	TEST_ASSERT_SUCCESS(xstats_check(port, NB_QP, NB_QP), "xstats names and sums");
	return TEST_SUCCESS;
}

/* Guest statistics as DPDK's iavf derives them (iavf_dev_stats_get()). */
struct guest_view {
	uint64_t ipackets, ibytes, imissed, opackets, obytes, oerrors;
	uint64_t linux_rx_packets, linux_rx_dropped;
};

static void
guest_view(const struct rte_emudev_stats *a, const struct rte_emudev_stats *b, struct guest_view *v)
{
	uint64_t cls = (b->rx_unicast - a->rx_unicast) + (b->rx_multicast - a->rx_multicast) +
		(b->rx_broadcast - a->rx_broadcast);

	v->ipackets = cls - (b->rx_discards - a->rx_discards);
	/* emu_iavf's GET_STATS adds each frame's FCS; DPDK's iavf takes it off. */
	v->ibytes = (b->rx_bytes - a->rx_bytes) + cls * RTE_ETHER_CRC_LEN -
		v->ipackets * RTE_ETHER_CRC_LEN;
	v->imissed = b->rx_discards - a->rx_discards;
	v->opackets = (b->tx_unicast - a->tx_unicast) + (b->tx_multicast - a->tx_multicast) +
		(b->tx_broadcast - a->tx_broadcast);
	v->obytes = b->tx_bytes - a->tx_bytes;
	v->oerrors = (b->tx_errors - a->tx_errors) + (b->tx_discards - a->tx_discards);
	/* Linux's iavf: rx_packets = the classes, rx_dropped = rx_discards. */
	v->linux_rx_packets = cls;
	v->linux_rx_dropped = v->imissed;
}

/*
 * Frames for the guest dropped (ring full, too big, bad buffer address): in
 * the guest's class counters and in rx_discards, so that the guest's
 * ipackets is exactly what it received.
 */
static int
test_guest_stats_drops(void)
{
	static const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	static const struct rte_ether_addr mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x07}};
	static const uint32_t s6[] = {2000, 2000, 2000, 2000, 2000};
	static uint8_t pkt[8][256];
	struct rte_emudev_stats s0, s1;
	struct guest_view v;
	struct rte_mbuf *m[8];
	uint32_t len[8], i, first;
	uint64_t dl_bytes = 0, dr_bytes = 0, dl = 0, dr = 0, dr_mc = 0, dr_bc = 0;
	uint16_t q = 0, n;

	TEST_ASSERT_SUCCESS(grx_restart(q), "restart");
	memset(&s0, 0, sizeof(s0));
	TEST_ASSERT_SUCCESS(rte_emudev_stats_get(fk.base.dev, &s0), "emudev stats");

	/* Ring full: 3 posted, 6 sent (one multicast, one broadcast refused). */
	grx_post(q, 3);
	for (i = 0; i < 6; i++) {
		len[i] = build_pkt(pkt[i], IPPROTO_UDP, 60 + i, 300 + i, CSUM_FULL);
		if (i == 4)
			memcpy(pkt[i], &mcast, 6);
		if (i == 5)
			memcpy(pkt[i], &bcast, 6);
		m[i] = mbuf_build(pkt[i], len[i], NULL, 0);
		TEST_ASSERT_NOT_NULL(m[i], "mbuf");
	}
	n = rte_eth_tx_burst(port, q, m, 6);
	free_all(m + n, 6 - n);
	TEST_ASSERT_EQUAL(n, 3, "sent with 3 posted");
	for (i = 0; i < 3; i++) {
		TEST_ASSERT_SUCCESS(grx_check(q, pkt[i], len[i]), "packet %u", i);
		dl++;
		dl_bytes += len[i];
	}
	for (i = 3; i < 6; i++) {
		dr++;
		dr_bytes += len[i];
	}
	dr_mc++;
	dr_bc++;

	/* Too big for the guest's queue. */
	len[0] = build_pkt(big, IPPROTO_UDP, RX_MAX_PKT + 1 - 42, 310, CSUM_FULL);
	m[0] = mbuf_build(big, len[0], s6, 6);
	TEST_ASSERT_NOT_NULL(m[0], "mbuf");
	grx_post(q, 8);
	n = rte_eth_tx_burst(port, q, m, 1);
	free_all(m + n, 1 - n);
	TEST_ASSERT_EQUAL(n, 1, "too big: dropped, not left");
	TEST_ASSERT(grx_idle(q), "too big: written");
	dr++;
	dr_bytes += len[0];

	/* A bad buffer address, then a good packet. */
	first = gst.rxq[q].next;
	rxd(q, first)[0] = rte_cpu_to_le_64(GMEM_GPA + GMEM_SIZE + 0x1000);
	for (i = 0; i < 2; i++) {
		len[i] = build_pkt(pkt[i], IPPROTO_TCP, 80 + i, 320 + i, CSUM_FULL);
		m[i] = mbuf_build(pkt[i], len[i], NULL, 0);
		TEST_ASSERT_NOT_NULL(m[i], "mbuf");
	}
	n = rte_eth_tx_burst(port, q, m, 2);
	free_all(m + n, 2 - n);
	TEST_ASSERT_EQUAL(n, 2, "sent");
	TEST_ASSERT_SUCCESS(grx_bad_desc(q), "bad descriptor");
	TEST_ASSERT_SUCCESS(grx_check(q, pkt[1], len[1]), "after the bad descriptor");
	dr++;
	dr_bytes += len[0];
	dl++;
	dl_bytes += len[1];

	memset(&s1, 0, sizeof(s1));
	TEST_ASSERT_SUCCESS(rte_emudev_stats_get(fk.base.dev, &s1), "emudev stats");
	guest_view(&s0, &s1, &v);
	printf("guest view: ipackets %" PRIu64 " ibytes %" PRIu64 " imissed %" PRIu64
	       " (delivered %" PRIu64 " / %" PRIu64 " bytes, dropped %" PRIu64 " / %" PRIu64
	       " bytes); Linux rx_packets %" PRIu64 " rx_dropped %" PRIu64 "\n",
	       v.ipackets, v.ibytes, v.imissed, dl, dl_bytes, dr, dr_bytes, v.linux_rx_packets,
	       v.linux_rx_dropped);
	TEST_ASSERT_EQUAL(v.ipackets, dl, "DPDK iavf ipackets = delivered");
	TEST_ASSERT_EQUAL(v.imissed, dr, "DPDK iavf imissed = dropped");
	TEST_ASSERT_EQUAL(v.ibytes, dl_bytes + dr_bytes + dr * RTE_ETHER_CRC_LEN,
			  "DPDK iavf ibytes: every frame's bytes, FCS of the dropped ones");
	TEST_ASSERT_EQUAL(v.linux_rx_packets, dl + dr, "Linux iavf rx_packets");
	TEST_ASSERT_EQUAL(s1.rx_multicast - s0.rx_multicast, dr_mc, "rx_multicast");
	TEST_ASSERT_EQUAL(s1.rx_broadcast - s0.rx_broadcast, dr_bc, "rx_broadcast");
	TEST_ASSERT_EQUAL(v.opackets + v.obytes + v.oerrors, 0, "guest transmit side");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ receive configuration */

static const struct rte_ether_addr mc1 = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
static const struct rte_ether_addr mc2 = {{0x33, 0x33, 0x00, 0x00, 0x00, 0x02}};
static const struct rte_ether_addr bcast_addr = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

/* The default configuration of a device: its own MAC, nothing else. */
static void
rxc_default(struct rte_emudev_net_rx_conf *c)
{
	uint64_t gen = fake_rxc.generation;

	memset(c, 0, sizeof(*c));
	c->generation = gen;
	c->nb_unicast = 1;
	memcpy(c->unicast[0].addr_bytes, fk.base.mac, RTE_ETHER_ADDR_LEN);
}

/* A UDP frame to dst (802.1Q-tagged with tci when vlan), len bytes. */
static uint32_t
frame_to(uint8_t *buf, const struct rte_ether_addr *dst, bool vlan, uint16_t tci, uint32_t seed)
{
	uint32_t len = build_pkt(buf, IPPROTO_UDP, 40, seed, CSUM_FULL);

	memcpy(buf, dst, RTE_ETHER_ADDR_LEN);
	if (vlan) {
		memmove(buf + 16, buf + 12, len - 12);
		buf[12] = 0x81;
		buf[13] = 0x00;
		buf[14] = (uint8_t)(tci >> 8);
		buf[15] = (uint8_t)tci;
		len += 4;
	}
	return len;
}

/*
 * Send one frame to guest queue q; it must be delivered (as expect, or as
 * the frame itself when expect is NULL) or filtered.
 */
static int
rxc_send(uint16_t q, const uint8_t *f, uint32_t len, bool deliver, const uint8_t *expect,
	 uint32_t elen)
{
	char name[RTE_ETH_XSTATS_NAME_SIZE];
	struct rte_mbuf *m;
	uint64_t filt;
	uint16_t n;

	snprintf(name, sizeof(name), "tx_q%u_dropped_filtered", q);
	filt = xstat(name);
	grx_fill(q, 8);
	m = mbuf_build(f, len, NULL, 0);
	if (m == NULL)
		return -1;
	n = rte_eth_tx_burst(port, q, &m, 1);
	if (n != 1) {
		rte_pktmbuf_free(m);
		printf("not taken\n");
		return -1;
	}
	if (!deliver) {
		if (!grx_idle(q) || xstat(name) != filt + 1) {
			printf("delivered, or not counted as filtered (%s %" PRIu64 " -> %" PRIu64
			       ")\n",
			       name, filt, xstat(name));
			return -1;
		}
		return 0;
	}
	if (xstat(name) != filt) {
		printf("counted as filtered\n");
		return -1;
	}
	return grx_check(q, expect != NULL ? expect : f, expect != NULL ? elen : len);
}

/* The guest's address and VLAN filters, promiscuous and all-multicast modes. */
/* A frame to the guest (frame_to()) and whether its filters let it in. */
struct rxc_frame {
	const char *name;
	const struct rte_ether_addr *dst;
	bool vlan;
	uint16_t tci;
	uint32_t seed;
	bool deliver;
};

/* Send the frames to the guest on q; each is delivered or filtered as its row says. */
static int
rxc_frames(uint16_t q, const struct rxc_frame *r, unsigned int n)
{
	static uint8_t f[256];
	unsigned int i;

	for (i = 0; i < n; i++, r++) {
		uint32_t len = frame_to(f, r->dst, r->vlan, r->tci, r->seed);

		if (rxc_send(q, f, len, r->deliver, NULL, 0) != 0) {
			printf("frame \"%s\" (seed %u): not %s as it should\n", r->name, r->seed,
			       r->deliver ? "delivered" : "filtered");
			return -1;
		}
	}
	return 0;
}

static int
test_rxconf_filters(void)
{
	static const struct rte_ether_addr src_near = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x03}};
	static struct rte_ether_addr own;
	/* Defaults: own address and broadcast only. */
	static const struct rxc_frame defaults[] = {
		{"own address", &own, false, 0, 401, true},
		{"another unicast", &pkt_dst, false, 0, 402, false},
		{"broadcast", &bcast_addr, false, 0, 403, true},
		{"multicast", &mc1, false, 0, 404, false},
	};
	/* More unicast and multicast addresses (unsorted, one twice). */
	static const struct rxc_frame lists[] = {
		{"second unicast", &pkt_dst, false, 0, 405, true},
		{"second multicast", &mc1, false, 0, 406, true},
		{"first multicast", &mc2, false, 0, 407, true},
		{"unicast not in the list", &pkt_src, false, 0, 408, false},
		{"another unicast not in the list", &src_near, false, 0, 408, false},
	};
	static const struct rxc_frame allmulti[] = {
		{"multicast", &mc1, false, 0, 409, true},
		{"unicast not in the list", &pkt_src, false, 0, 410, false},
	};
	/* VLAN filter: VLAN 5 accepted; 0 (priority) and untagged always. */
	static const struct rxc_frame vlan_filter[] = {
		{"VLAN 5 (priority 7)", &own, true, 0xe005, 411, true},
		{"VLAN 6", &own, true, 0x0006, 412, false},
		{"VLAN 0 (priority 5)", &own, true, 0xa000, 413, true},
		{"VLAN 4095", &own, true, 4095, 414, true},
		{"untagged", &own, false, 0, 415, true},
		{"VLAN 5 to another unicast", &pkt_src, true, 5, 416, false},
	};
	/* Promiscuous: everything, whatever the VLAN. */
	static const struct rxc_frame promisc[] = {
		{"another unicast, VLAN 6", &pkt_src, true, 6, 418, true},
		{"multicast", &mc1, false, 0, 419, true},
	};
	static uint8_t f[256];
	struct rte_emudev_net_rx_conf c;
	struct rte_emudev_stats s0, s1;
	uint32_t len;
	uint16_t q = 0;

	memcpy(own.addr_bytes, fk.base.mac, RTE_ETHER_ADDR_LEN);
	TEST_ASSERT_SUCCESS(grx_restart(q), "restart");
	memset(&s0, 0, sizeof(s0));
	rte_emudev_stats_get(fk.base.dev, &s0);

	/* -ENOTSUP (so far): everything is delivered. */
	len = frame_to(f, &pkt_dst, false, 0, 400);
	TEST_ASSERT_SUCCESS(rxc_send(q, f, len, true, NULL, 0), "no configuration");

	rxc_default(&c);
	TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");
	TEST_ASSERT_SUCCESS(rxc_frames(q, defaults, RTE_DIM(defaults)), "defaults");

	c.nb_unicast = 3;
	rte_ether_addr_copy(&pkt_dst, &c.unicast[1]);
	rte_ether_addr_copy(&pkt_dst, &c.unicast[2]);
	c.nb_multicast = 2;
	rte_ether_addr_copy(&mc2, &c.multicast[0]);
	rte_ether_addr_copy(&mc1, &c.multicast[1]);
	TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");
	TEST_ASSERT_SUCCESS(rxc_frames(q, lists, RTE_DIM(lists)), "address lists");

	/* All-multicast. */
	c.nb_multicast = 0;
	c.flags = RTE_EMUDEV_NET_RX_F_ALLMULTI;
	TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");
	TEST_ASSERT_SUCCESS(rxc_frames(q, allmulti, RTE_DIM(allmulti)), "all-multicast");

	c.flags = RTE_EMUDEV_NET_RX_F_VLAN_FILTER;
	c.vlan_bitmap[0] = 1ull << 5;
	c.vlan_bitmap[4095 / 64] = 1ull << (4095 % 64);
	TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");
	TEST_ASSERT_SUCCESS(rxc_frames(q, vlan_filter, RTE_DIM(vlan_filter)), "VLAN filter");
	{
		/* The application's tag (RTE_MBUF_F_TX_VLAN) is filtered as well. */
		struct rte_mbuf *m;
		uint64_t filt = xstat("tx_q0_dropped_filtered");

		len = frame_to(f, &own, false, 0, 417);
		m = mbuf_build(f, len, NULL, 0);
		TEST_ASSERT_NOT_NULL(m, "mbuf");
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		m->vlan_tci = 7;
		grx_fill(q, 8);
		TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, q, &m, 1), 1, "sent");
		TEST_ASSERT(grx_idle(q) && xstat("tx_q0_dropped_filtered") == filt + 1,
			    "application's tag 7 not filtered");
	}

	c.flags = RTE_EMUDEV_NET_RX_F_PROMISC | RTE_EMUDEV_NET_RX_F_VLAN_FILTER;
	TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");
	TEST_ASSERT_SUCCESS(rxc_frames(q, promisc, RTE_DIM(promisc)), "promiscuous");

	/* Filtered frames are not in the guest's statistics. */
	memset(&s1, 0, sizeof(s1));
	rte_emudev_stats_get(fk.base.dev, &s1);
	printf("guest: %" PRIu64 " unicast, %" PRIu64 " multicast, %" PRIu64
	       " broadcast; tx_q0_dropped_filtered %" PRIu64 "\n",
	       s1.rx_unicast - s0.rx_unicast, s1.rx_multicast - s0.rx_multicast,
	       s1.rx_broadcast - s0.rx_broadcast, xstat("tx_q0_dropped_filtered"));
	TEST_ASSERT_EQUAL((s1.rx_unicast - s0.rx_unicast) + (s1.rx_multicast - s0.rx_multicast) +
				  (s1.rx_broadcast - s0.rx_broadcast),
			  13, "guest's frames: only the delivered ones");
	TEST_ASSERT_EQUAL(s1.rx_discards - s0.rx_discards, 0, "guest's discards");

	/* A provider error: everything delivered again (and logged). */
	TEST_ASSERT_SUCCESS(fake_rxc_set(NULL, -EIO), "event");
	len = frame_to(f, &pkt_src, false, 0, 420);
	TEST_ASSERT_SUCCESS(rxc_send(q, f, len, true, NULL, 0), "after an error");
	/* -ENOTSUP again. */
	rxc_default(&c);
	TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");
	TEST_ASSERT_SUCCESS(rxc_send(q, f, len, false, NULL, 0), "filtered again");
	TEST_ASSERT_SUCCESS(fake_rxc_set(NULL, -ENOTSUP), "event");
	TEST_ASSERT_SUCCESS(rxc_send(q, f, len, true, NULL, 0), "-ENOTSUP");
	return TEST_SUCCESS;
}

/* A full ring refuses frames; only those the guest accepts are its discards. */
static int
test_rxconf_ring_full(void)
{
	static uint8_t f[4][256];
	struct rte_emudev_net_rx_conf c;
	struct rte_emudev_stats s0, s1;
	struct rte_ether_addr own = {{0}};
	struct rte_mbuf *m[4];
	uint32_t len[4], i;
	uint16_t q = 0, n;

	memcpy(own.addr_bytes, fk.base.mac, RTE_ETHER_ADDR_LEN);
	TEST_ASSERT_SUCCESS(grx_restart(q), "restart");
	rxc_default(&c);
	TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");
	memset(&s0, 0, sizeof(s0));
	rte_emudev_stats_get(fk.base.dev, &s0);
	grx_post(q, 1);
	for (i = 0; i < 4; i++) {
		len[i] = frame_to(f[i], i == 2 ? &pkt_src : &own, false, 0, 430 + i);
		m[i] = mbuf_build(f[i], len[i], NULL, 0);
		TEST_ASSERT_NOT_NULL(m[i], "mbuf");
	}
	n = rte_eth_tx_burst(port, q, m, 4);
	free_all(m + n, 4 - n);
	TEST_ASSERT_EQUAL(n, 1, "sent with one buffer");
	TEST_ASSERT_SUCCESS(grx_check(q, f[0], len[0]), "first");
	memset(&s1, 0, sizeof(s1));
	rte_emudev_stats_get(fk.base.dev, &s1);
	TEST_ASSERT_EQUAL(s1.rx_discards - s0.rx_discards, 2, "guest's discards");
	TEST_ASSERT_EQUAL(s1.rx_unicast - s0.rx_unicast, 3, "guest's unicast");
	TEST_ASSERT_SUCCESS(fake_rxc_set(NULL, -ENOTSUP), "event");
	return TEST_SUCCESS;
}

/* The configuration changes while another thread transmits to the guest. */
struct rxc_poller {
	bool stop;
	uint32_t sent;
	uint8_t f[256];
	uint32_t len;
};

static struct rxc_poller rp;

static void *
rxc_poller_main(void *arg)
{
	struct rte_mbuf *m[8];
	uint16_t n, i;

	RTE_SET_USED(arg);
	while (!__atomic_load_n(&rp.stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < RTE_DIM(m); i++) {
			m[i] = mbuf_build(rp.f, rp.len, NULL, 0);
			if (m[i] == NULL)
				break;
		}
		n = rte_eth_tx_burst(port, 1, m, i);
		free_all(m + n, i - n);
		__atomic_fetch_add(&rp.sent, n, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int
test_rxconf_change_running(void)
{
	struct rte_emudev_net_rx_conf c;
	struct rte_emudev_stats s0, s1;
	struct iavfbe_cnt {
		uint64_t pk, filt, full;
	} b, a;
	pthread_t th;
	uint32_t iter, got = 0, k;
	uint16_t q = 1;
	int ret = 0;

	TEST_ASSERT_SUCCESS(grx_restart(q), "restart");
	memset(&rp, 0, sizeof(rp));
	rp.len = frame_to(rp.f, &pkt_dst, false, 0, 440);
	rxc_default(&c);
	memset(&s0, 0, sizeof(s0));
	rte_emudev_stats_get(fk.base.dev, &s0);
	b.pk = xstat("tx_q1_packets");
	b.filt = xstat("tx_q1_dropped_filtered");
	b.full = xstat("tx_q1_ring_full");
	grx_post(q, RX_RING - 1);
	TEST_ASSERT_SUCCESS(pthread_create(&th, NULL, rxc_poller_main, NULL), "thread");
	for (iter = 0; iter < 200 && ret == 0; iter++) {
		/* pkt_dst accepted in odd rounds, not in even ones. */
		c.nb_unicast = 1 + (iter & 1);
		rte_ether_addr_copy(&pkt_dst, &c.unicast[1]);
		if (fake_rxc_set(&c, 0) != 0)
			ret = -1;
		/* The guest takes what came and gives the buffers back. */
		for (k = 0; k < RX_RING; k++) {
			if (grx_idle(q))
				break;
			if (grx_check(q, rp.f, rp.len) != 0) {
				ret = -1;
				break;
			}
			got++;
			grx_post(q, 1);
		}
		rte_delay_us_sleep(100);
	}
	__atomic_store_n(&rp.stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	while (ret == 0 && !grx_idle(q)) {
		ret = grx_check(q, rp.f, rp.len);
		got++;
	}
	TEST_ASSERT_SUCCESS(ret, "guest side");
	a.pk = xstat("tx_q1_packets");
	a.filt = xstat("tx_q1_dropped_filtered");
	a.full = xstat("tx_q1_ring_full");
	memset(&s1, 0, sizeof(s1));
	rte_emudev_stats_get(fk.base.dev, &s1);
	printf("200 changes: %u taken by the port, %u received by the guest, %" PRIu64
	       " filtered, %" PRIu64 " refused (ring full)\n",
	       rp.sent, got, a.filt - b.filt, a.full - b.full);
	TEST_ASSERT_EQUAL(a.pk - b.pk, got, "delivered");
	TEST_ASSERT_EQUAL(got + (a.filt - b.filt), rp.sent, "taken = delivered + filtered");
	TEST_ASSERT(got > 0 && a.filt > b.filt, "both configurations seen");
	TEST_ASSERT_EQUAL((s1.rx_unicast - s0.rx_unicast) - (s1.rx_discards - s0.rx_discards), got,
			  "guest's ipackets");
	TEST_ASSERT_SUCCESS(fake_rxc_set(NULL, -ENOTSUP), "event");
	TEST_ASSERT_SUCCESS(grx_restart(q), "restart");
	return TEST_SUCCESS;
}

#define RXD_L2TAG1(qw0) ((uint16_t)((qw0) >> AVF_RXD_QW0_L2TAG1_SHIFT))
#define RXD_FLTSTAT(qw1) (((qw1) >> AVF_RXD_QW1_FLTSTAT_SHIFT) & 3u)
#define RXD_RSS(qw0) ((uint32_t)((qw0) >> AVF_RXD_QW0_RSS_SHIFT))

/* Send an mbuf (chain of sizes, optional RTE_MBUF_F_TX_VLAN tag) to guest queue q. */
static int
vlan_send(uint16_t q, const uint8_t *f, uint32_t len, const uint32_t *sizes, unsigned int nb,
	  bool tx_vlan, uint16_t tci)
{
	struct rte_mbuf *m = mbuf_build(f, len, sizes, nb);

	if (m == NULL)
		return -1;
	if (tx_vlan) {
		m->ol_flags |= RTE_MBUF_F_TX_VLAN;
		m->vlan_tci = tci;
	}
	grx_fill(q, 8);
	if (rte_eth_tx_burst(port, q, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		printf("not sent\n");
		return -1;
	}
	return 0;
}

/* The last packet read back had (or had not) tag tci in L2TAG1. */
static int
l2tag1_check(bool present, uint16_t tci)
{
	bool p = (grx_qw1 & AVF_RXD_QW1_L2TAG1P) != 0;

	if (p != present || (present && RXD_L2TAG1(grx_qw0) != tci) ||
	    (!present && RXD_L2TAG1(grx_qw0) != 0)) {
		printf("write-back QW0 0x%016" PRIx64 " QW1 0x%016" PRIx64
		       ": L2TAG1P %d L2TAG1 0x%04x, expected %d 0x%04x\n",
		       grx_qw0, grx_qw1, p, RXD_L2TAG1(grx_qw0), present, tci);
		return -1;
	}
	return 0;
}

/* f with an 802.1Q tag tci inserted after the addresses, into out; returns its length. */
static uint32_t
vlan_tagged(uint8_t *out, const uint8_t *f, uint32_t len, uint16_t tpid, uint16_t tci)
{
	memcpy(out, f, 12);
	out[12] = (uint8_t)(tpid >> 8);
	out[13] = (uint8_t)tpid;
	out[14] = (uint8_t)(tci >> 8);
	out[15] = (uint8_t)tci;
	memcpy(out + 16, f + 12, len - 12);
	return len + 4;
}

/* VLAN stripping into L2TAG1 (32- and 16-byte descriptors), and insertion. */
static int
test_vlan_strip_insert(void)
{
	static const uint32_t chain[] = {10, 1500, 1, 1500};
	static const uint32_t chain_l[] = {10, 1500, 1, 2000, 2000, 2000, 2000};
	static uint8_t plain[RX_MAX_PKT + 8], tagged[RX_MAX_PKT + 8];
	const enum rte_emudev_queue_dir rx = RTE_EMUDEV_QUEUE_GUEST_RX;
	struct rte_emudev_net_rx_conf c;
	struct rte_ether_addr own = {{0}};
	uint64_t strip0, ins0, b0;
	uint32_t len, tlen;
	uint16_t q = 0, fmt;

	memcpy(own.addr_bytes, fk.base.mac, RTE_ETHER_ADDR_LEN);
	strip0 = xstat("tx_vlan_stripped");
	ins0 = xstat("tx_vlan_inserted");

	/* No configuration: the application's tag is inserted. */
	len = frame_to(plain, &own, false, 0, 450);
	tlen = vlan_tagged(tagged, plain, len, RTE_ETHER_TYPE_VLAN, 0x2456);
	TEST_ASSERT_SUCCESS(grx_restart(q), "restart");
	TEST_ASSERT_SUCCESS(vlan_send(q, plain, len, NULL, 0, true, 0x2456), "send");
	TEST_ASSERT_SUCCESS(grx_check(q, tagged, tlen), "inserted without a configuration");
	TEST_ASSERT_SUCCESS(l2tag1_check(false, 0), "no L2TAG1");

	for (fmt = 0; fmt < 2; fmt++) {
		q = fmt;
		if (fmt == 1) {
			/* Queue 1 with 16-byte descriptors. */
			fk.q[rx][q].rx_fmt = AVF_DESC_FMT_RX_16B;
			TEST_ASSERT_SUCCESS(
				queue_reconfigure(rx, q, RX_BUF, RX_RING_GPA(q), RX_RING), "16B");
		} else {
			TEST_ASSERT_SUCCESS(grx_restart(q), "restart");
		}
		/* Stripping on. */
		rxc_default(&c);
		c.flags = RTE_EMUDEV_NET_RX_F_VLAN_STRIP;
		TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");
		/* A tagged frame: the tag goes to L2TAG1. */
		len = frame_to(plain, &own, false, 0, 451);
		tlen = vlan_tagged(tagged, plain, len, RTE_ETHER_TYPE_VLAN, 0x6123);
		b0 = xstat(q == 0 ? "tx_q0_bytes" : "tx_q1_bytes");
		TEST_ASSERT_SUCCESS(vlan_send(q, tagged, tlen, NULL, 0, false, 0), "send");
		TEST_ASSERT_SUCCESS(grx_check(q, plain, len), "%uB: stripped", fmt ? 16u : 32u);
		/* Counted as the frame came, with its tag (as a NIC counts it). */
		TEST_ASSERT_EQUAL(xstat(q == 0 ? "tx_q0_bytes" : "tx_q1_bytes") - b0, tlen,
				  "bytes of a stripped frame");
		TEST_ASSERT_SUCCESS(l2tag1_check(true, 0x6123), "%uB: L2TAG1", fmt ? 16u : 32u);
		/* Untagged: nothing. */
		TEST_ASSERT_SUCCESS(vlan_send(q, plain, len, NULL, 0, false, 0), "send");
		TEST_ASSERT_SUCCESS(grx_check(q, plain, len), "untagged");
		TEST_ASSERT_SUCCESS(l2tag1_check(false, 0), "untagged: no L2TAG1");
		/* The application's tag: straight to L2TAG1, the frame as it is. */
		TEST_ASSERT_SUCCESS(vlan_send(q, plain, len, NULL, 0, true, 0x0456), "send");
		TEST_ASSERT_SUCCESS(grx_check(q, plain, len), "application's tag");
		TEST_ASSERT_SUCCESS(l2tag1_check(true, 0x0456), "application's tag: L2TAG1");
		/* A chain over several guest buffers, the tag across mbufs. */
		len = build_pkt(plain, IPPROTO_TCP, 5000 - 54, 452, CSUM_FULL);
		memcpy(plain, &own, 6);
		tlen = vlan_tagged(tagged, plain, len, RTE_ETHER_TYPE_VLAN, 0x0fff);
		TEST_ASSERT_SUCCESS(vlan_send(q, tagged, tlen, chain, 5, false, 0), "send");
		TEST_ASSERT_SUCCESS(grx_check(q, plain, len), "chain stripped");
		TEST_ASSERT_SUCCESS(l2tag1_check(true, 0x0fff), "chain: L2TAG1 on the last");
		/* 802.1ad outer tag: not stripped. */
		len = frame_to(plain, &own, false, 0, 453);
		tlen = vlan_tagged(tagged, plain, len, RTE_ETHER_TYPE_QINQ, 0x0123);
		TEST_ASSERT_SUCCESS(vlan_send(q, tagged, tlen, NULL, 0, false, 0), "send");
		TEST_ASSERT_SUCCESS(grx_check(q, tagged, tlen), "802.1ad kept");
		TEST_ASSERT_SUCCESS(l2tag1_check(false, 0), "802.1ad: no L2TAG1");
	}
	/* The guest's largest frame after stripping fits. */
	len = build_pkt(plain, IPPROTO_UDP, RX_MAX_PKT - 42, 454, CSUM_FULL);
	memcpy(plain, &own, 6);
	tlen = vlan_tagged(tagged, plain, len, RTE_ETHER_TYPE_VLAN, 0x0042);
	TEST_ASSERT_SUCCESS(vlan_send(q, tagged, tlen, chain_l, 8, false, 0), "send");
	TEST_ASSERT_SUCCESS(grx_check(q, plain, len), "largest frame, stripped");
	TEST_ASSERT_SUCCESS(l2tag1_check(true, 0x0042), "largest frame: L2TAG1");

	/* Stripping off: a tagged frame stays so; the application's tag is inserted. */
	rxc_default(&c);
	TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");
	len = frame_to(plain, &own, false, 0, 455);
	tlen = vlan_tagged(tagged, plain, len, RTE_ETHER_TYPE_VLAN, 0x0321);
	TEST_ASSERT_SUCCESS(vlan_send(q, tagged, tlen, NULL, 0, false, 0), "send");
	TEST_ASSERT_SUCCESS(grx_check(q, tagged, tlen), "tag kept");
	TEST_ASSERT_SUCCESS(l2tag1_check(false, 0), "no L2TAG1");
	TEST_ASSERT_SUCCESS(vlan_send(q, plain, len, chain, 2, true, 0x0321), "send");
	TEST_ASSERT_SUCCESS(grx_check(q, tagged, tlen), "tag inserted");
	TEST_ASSERT_SUCCESS(l2tag1_check(false, 0), "inserted: no L2TAG1");
	/* Insertion past the guest's largest frame: too big. */
	len = build_pkt(plain, IPPROTO_UDP, RX_MAX_PKT - 42, 456, CSUM_FULL);
	memcpy(plain, &own, 6);
	{
		uint64_t tb = xstat(XS_RX_TOO_BIG);

		TEST_ASSERT_SUCCESS(vlan_send(q, plain, len, chain_l, 8, true, 1), "send");
		TEST_ASSERT(grx_idle(q), "too big, written");
		TEST_ASSERT_SUCCESS(xstat_expect(XS_RX_TOO_BIG, tb, 1), "too big");
	}
	printf("vlan_stripped +%" PRIu64 ", vlan_inserted +%" PRIu64 "\n",
	       xstat("tx_vlan_stripped") - strip0, xstat("tx_vlan_inserted") - ins0);
	TEST_ASSERT_EQUAL(xstat("tx_vlan_stripped") - strip0, 7, "stripped");
	TEST_ASSERT_EQUAL(xstat("tx_vlan_inserted") - ins0, 2, "inserted");

	TEST_ASSERT_SUCCESS(fake_rxc_set(NULL, -ENOTSUP), "event");
	fk.q[rx][1].rx_fmt = AVF_DESC_FMT_RX_32B;
	TEST_ASSERT_SUCCESS(queue_reconfigure(rx, 1, RX_BUF, RX_RING_GPA(1), RX_RING), "32B");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ lifecycle */

static int
test_mem_table_change(void)
{
	static uint8_t pkt[256];
	struct rte_mbuf *m[4];
	uint8_t *old, *nmem;
	uint32_t len;
	uint16_t n;

	/* A packet waits in the guest's ring when the table starts changing. */
	len = build_pkt(pkt, IPPROTO_TCP, 120, 130, CSUM_FULL);
	gtx_pkt(0, pkt, len, NULL, 0, 0, 0, true);
	gtx_kick(0);
	grx_fill(0, 8);
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING), "changing");
	/* The provider moves the memory; the old copy is freed (ASan watches). */
	nmem = aligned_alloc(4096, GMEM_SIZE);
	TEST_ASSERT_NOT_NULL(nmem, "alloc");
	memcpy(nmem, fk.mem, GMEM_SIZE);
	old = fk.mem;
	fk.mem = nmem;
	memset(old, 0xee, GMEM_SIZE);
	/* Meanwhile the port does not touch guest memory. */
	TEST_ASSERT_EQUAL(rx_all(0, m, RTE_DIM(m)), 0, "received while the table changes");
	m[0] = mbuf_build(pkt, len, NULL, 0);
	TEST_ASSERT_NOT_NULL(m[0], "mbuf");
	n = rte_eth_tx_burst(port, 0, m, 1);
	free_all(m + n, 1 - n);
	TEST_ASSERT(memcmp(old, old + 1, GMEM_SIZE - 1) == 0 && old[0] == 0xee,
		    "old memory touched while the table changes");
	free(old);
	TEST_ASSERT_SUCCESS(fake_mem_publish(), "publish");
	/* The waiting packet arrives, from the new memory. */
	TEST_ASSERT_EQUAL(rx_all(0, m, RTE_DIM(m)), 1, "the waiting packet");
	TEST_ASSERT_SUCCESS(mbuf_check(m[0], pkt, len), "the waiting packet");
	rte_pktmbuf_free(m[0]);
	if (n == 1) /* sent while changing: dropped, or delivered now */
		while (!grx_idle(0))
			TEST_ASSERT_SUCCESS(grx_check(0, pkt, len), "sent while changing");
	TEST_ASSERT_SUCCESS(gtx_ping(0, 131), "tx after the change");
	TEST_ASSERT_SUCCESS(gtx_ping(1, 132), "tx after the change");
	TEST_ASSERT_SUCCESS(grx_ping(0, 133), "rx after the change");
	TEST_ASSERT_SUCCESS(grx_ping(1, 134), "rx after the change");

	/* A change without an explicit CHANGING (the library raises it). */
	nmem = aligned_alloc(4096, GMEM_SIZE);
	TEST_ASSERT_NOT_NULL(nmem, "alloc");
	memcpy(nmem, fk.mem, GMEM_SIZE);
	old = fk.mem;
	fk.mem = nmem;
	TEST_ASSERT_SUCCESS(fake_mem_publish(), "publish");
	free(old);
	TEST_ASSERT_SUCCESS(gtx_ping(0, 135), "tx after the second change");
	TEST_ASSERT_SUCCESS(grx_ping(1, 136), "rx after the second change");

	/* An empty table, then the memory back: the port stalls, then goes on. */
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_set(fk.base.dev, NULL, 0), "empty");
	len = build_pkt(pkt, IPPROTO_UDP, 20, 137, CSUM_FULL);
	gtx_pkt(1, pkt, len, NULL, 0, 0, 0, true);
	gtx_kick(1);
	TEST_ASSERT_EQUAL(rx_all(1, m, RTE_DIM(m)), 0, "received with no memory");
	TEST_ASSERT_SUCCESS(fake_mem_publish(), "publish");
	TEST_ASSERT_EQUAL(rx_all(1, m, RTE_DIM(m)), 1, "the waiting packet");
	TEST_ASSERT_SUCCESS(mbuf_check(m[0], pkt, len), "the waiting packet");
	rte_pktmbuf_free(m[0]);
	return TEST_SUCCESS;
}

static int
test_reset(void)
{
	struct rte_mbuf *m[4];
	unsigned int q;

	/* A packet is pending when the guest resets the device. */
	gtx_desc(0, TXB_START, TXD_QW1(EOP_RS, 0, 60));
	gtx_kick(0);
	for (q = 0; q < NB_QP; q++) {
		fk.q[RTE_EMUDEV_QUEUE_GUEST_TX][q].enabled = false;
		fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][q].enabled = false;
	}
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_RESET), "reset");
	TEST_ASSERT(link_wait(port, false), "link up after reset");
	TEST_ASSERT_EQUAL(rx_all(0, m, RTE_DIM(m)), 0, "received after reset");
	/* The guest sets its rings up again; the port starts at descriptor 0. */
	guest_rings_reset();
	TEST_ASSERT_SUCCESS(guest_queues_set(true), "enable");
	TEST_ASSERT(link_wait(port, true), "link down after re-enable");
	for (q = 0; q < NB_QP; q++) {
		TEST_ASSERT_SUCCESS(gtx_ping(q, 140 + q), "tx after reset");
		TEST_ASSERT_SUCCESS(grx_ping(q, 142 + q), "rx after reset");
	}

	/* One queue disabled and enabled again while the others run. */
	gtx_desc(1, TXB_START, TXD_QW1(EOP_RS, 0, 60));
	gtx_kick(1);
	TEST_ASSERT_SUCCESS(
		queue_reconfigure(RTE_EMUDEV_QUEUE_GUEST_TX, 1, 0, TX_RING_GPA(1), TX_RING),
		"requeue");
	TEST_ASSERT_EQUAL(rx_all(1, m, RTE_DIM(m)), 0, "received from a re-enabled empty ring");
	TEST_ASSERT_SUCCESS(gtx_ping(1, 144), "tx after queue re-enable");
	TEST_ASSERT_SUCCESS(gtx_ping(0, 145), "tx on the other queue");
	return TEST_SUCCESS;
}

/* The client goes away and comes back (as emu_iavf raises it). */
static int
test_client_gone(void)
{
	unsigned int q;

	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING), "changing");
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_set(fk.base.dev, NULL, 0), "empty");
	for (q = 0; q < NB_QP; q++) {
		fk.q[RTE_EMUDEV_QUEUE_GUEST_TX][q].enabled = false;
		fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][q].enabled = false;
	}
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_RESET), "reset");
	fk.client_connected = false;
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_CLIENT_GONE), "gone");
	TEST_ASSERT(link_wait(port, false), "link up without a client");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port, 0, NULL, 0), 0, "tx");
	/* A new client. */
	fk.client_connected = true;
	TEST_ASSERT_SUCCESS(fake_mem_publish(), "publish");
	guest_rings_reset();
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_DEVICE_READY), "ready");
	TEST_ASSERT_SUCCESS(guest_queues_set(true), "enable");
	TEST_ASSERT(link_wait(port, true), "link down with the new client");
	for (q = 0; q < NB_QP; q++) {
		TEST_ASSERT_SUCCESS(gtx_ping(q, 150 + q), "tx with the new client");
		TEST_ASSERT_SUCCESS(grx_ping(q, 152 + q), "rx with the new client");
	}
	return TEST_SUCCESS;
}

static int
test_stop_start(void)
{
	static uint8_t pkt[256];
	unsigned int starts = fk.base.nb_start, stops = fk.base.nb_stop;
	struct rte_mbuf *m[4];
	uint32_t len;

	TEST_ASSERT_SUCCESS(gtx_ping(0, 160), "before");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_EQUAL(fk.base.nb_stop, stops + 1, "the port's stop did not stop the device");
	TEST_ASSERT(link_wait(port, false), "link up while stopped");
	/* The guest sends while the port is stopped. */
	len = build_pkt(pkt, IPPROTO_UDP, 30, 161, CSUM_FULL);
	gtx_pkt(0, pkt, len, NULL, 0, 0, 0, true);
	gtx_kick(0);
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(port), "start");
	TEST_ASSERT_EQUAL(fk.base.nb_start, starts + 1,
			  "the port's start did not start the device");
	TEST_ASSERT(link_wait(port, true), "link down after start with enabled queues");
	/* Exactly the waiting packet, nothing older again. */
	TEST_ASSERT_EQUAL(rx_all(0, m, RTE_DIM(m)), 1, "the waiting packet");
	TEST_ASSERT_SUCCESS(mbuf_check(m[0], pkt, len), "the waiting packet");
	rte_pktmbuf_free(m[0]);
	TEST_ASSERT_SUCCESS(gtx_ping(1, 162), "tx after start");
	TEST_ASSERT_SUCCESS(grx_ping(0, 163), "rx after start");

	/* The guest resets its queues while the port is stopped. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(guest_queues_set(false), "disable");
	guest_rings_reset();
	TEST_ASSERT_SUCCESS(guest_queues_set(true), "enable");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(port), "start");
	TEST_ASSERT(link_wait(port, true), "link down after start");
	TEST_ASSERT_SUCCESS(gtx_ping(0, 164), "tx after start");
	TEST_ASSERT_SUCCESS(grx_ping(1, 165), "rx after start");
	return TEST_SUCCESS;
}

/* tso=passthrough: the TSO packet comes as one mbuf with the TSO request. */
static int
test_tso_passthrough(void)
{
	static const uint32_t split[] = {54, 4000};
	struct rte_mbuf *m[BURST];
	const uint8_t *f;
	uint32_t len, last;
	unsigned int n;
	int ret = 0;

	port_close(PORT_NAME, &port);
	guest_rings_reset();
	TEST_ASSERT_SUCCESS(port_open("net_iavfbe_pt", "emu=" FAKE_NAME ",tso=passthrough", &port),
			    "passthrough port");
	TEST_ASSERT(link_wait(port, true), "link");
	len = build_pkt(big, IPPROTO_TCP, 10000, 170, CSUM_TSO);
	n = gtx_tso(0, big, len, split, RTE_DIM(split) + 1, 1448, m, BURST, &last);
	if (n != 1) {
		printf("%u mbufs for one TSO packet\n", n);
		ret = -1;
	} else if (m[0]->pkt_len != len || (f = mbuf_flat(m[0])) == NULL) {
		printf("TSO packet of %u bytes, expected %u\n", m[0]->pkt_len, len);
		ret = -1;
	} else if ((m[0]->ol_flags & RTE_MBUF_F_TX_TCP_SEG) == 0 || m[0]->tso_segsz != 1448 ||
		   m[0]->l2_len != L2_LEN || m[0]->l3_len != L3_LEN || m[0]->l4_len != TCP_LEN ||
		   (m[0]->ol_flags & RTE_MBUF_F_TX_IPV4) == 0) {
		printf("TSO request: ol_flags 0x%" PRIx64 ", tso_segsz %u, l2 %u l3 %u l4 %u\n",
		       m[0]->ol_flags, m[0]->tso_segsz, m[0]->l2_len, m[0]->l3_len, m[0]->l4_len);
		ret = -1;
	} else if (memcmp(f + 54, big + 54, len - 54) != 0 || memcmp(f, big, L2_LEN) != 0) {
		printf("TSO packet data differs\n");
		ret = -1;
	} else {
		/* Headers as a TSO-capable port wants them. */
		const struct rte_ipv4_hdr *ip =
			(const struct rte_ipv4_hdr *)(const void *)(f + L2_LEN);
		const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)(f + L2_LEN + L3_LEN);

		if (rte_be_to_cpu_16(ip->total_length) != len - L2_LEN ||
		    th->cksum != rte_ipv4_phdr_cksum(ip, RTE_MBUF_F_TX_TCP_SEG) ||
		    th->sent_seq != ((const struct rte_tcp_hdr *)(big + 34))->sent_seq) {
			printf("TSO headers: IP length %u, TCP checksum 0x%04x (pseudo-header "
			       "0x%04x)\n",
			       rte_be_to_cpu_16(ip->total_length), th->cksum,
			       rte_ipv4_phdr_cksum(ip, RTE_MBUF_F_TX_TCP_SEG));
			ret = -1;
		}
	}
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "passthrough");
	TEST_ASSERT(gtx_done(0, last), "not completed");
	/* Checksum offload still filled in. */
	len = build_pkt(big, IPPROTO_UDP, 500, 171, CSUM_PARTIAL);
	build_pkt(big2, IPPROTO_UDP, 500, 171, CSUM_FULL);
	TEST_ASSERT_SUCCESS(gtx_one(0, big, len, NULL, 0,
				    AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_UDP,
				    TXD_OFF(L2_LEN, L3_LEN, UDP_LEN), big2),
			    "checksum offload with tso=passthrough");
	/* Back to the main port. */
	port_close("net_iavfbe_pt", &port);
	guest_rings_reset();
	TEST_ASSERT_SUCCESS(port_open(PORT_NAME, "emu=" FAKE_NAME, &port), "reopen");
	TEST_ASSERT_SUCCESS(xstats_load_names(port), "xstats");
	TEST_ASSERT(link_wait(port, true), "link");
	return TEST_SUCCESS;
}

/* The provider removes the device under the running port; then close. */
static int
test_remove(void)
{
	unsigned int before_close = fk.base.nb_close;
	struct rte_mbuf *m[4];

	gtx_desc(0, TXB_START, TXD_QW1(EOP_RS, 0, 60));
	gtx_kick(0);
	TEST_ASSERT_SUCCESS(rte_emudev_unregister(fk.base.dev), "unregister");
	fk.base.dev = NULL;
	TEST_ASSERT(link_wait(port, false), "link up without a device");
	TEST_ASSERT_EQUAL(rx_all(0, m, RTE_DIM(m)), 0, "received without a device");
	m[0] = mbuf_build(big, 100, NULL, 0);
	TEST_ASSERT_NOT_NULL(m[0], "mbuf");
	{
		uint16_t n = rte_eth_tx_burst(port, 0, m, 1);

		free_all(m + n, 1 - n);
	}
	port_close(PORT_NAME, &port);
	TEST_ASSERT_EQUAL(fk.base.nb_close, before_close, "closed a removed device");
	/* Every mbuf is back in the pool. */
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(pool), NB_MBUF, "mbufs leaked");
	TEST_ASSERT_EQUAL(fk.irq_bad_vector, 0, "bad vector triggered");
	return TEST_SUCCESS;
}

/* Close: the device is released; events after it reach nobody. */
static int
test_close(void)
{
	unsigned int c = fk.base.nb_close, avail;

	port_close(PORT_NAME, &port);
	TEST_ASSERT(fk.base.nb_close > c, "the device was not closed");
	TEST_ASSERT_SUCCESS(guest_queues_set(false), "events after close");
	TEST_ASSERT_SUCCESS(fake_mem_publish(), "events after close");
	avail = rte_mempool_avail_count(pool);
	/* A new port on the device works. */
	guest_rings_reset();
	TEST_ASSERT_SUCCESS(port_open(PORT_NAME, "emu=" FAKE_NAME, &port), "reopen");
	TEST_ASSERT_SUCCESS(xstats_load_names(port), "xstats");
	TEST_ASSERT_SUCCESS(guest_queues_set(true), "enable");
	TEST_ASSERT(link_wait(port, true), "link");
	TEST_ASSERT_SUCCESS(gtx_ping(0, 180), "tx");
	TEST_ASSERT_SUCCESS(grx_ping(1, 181), "rx");
	TEST_ASSERT_EQUAL(avail, NB_MBUF, "mbufs not back after close");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ more offloads */

/* TSO segments of a TCP/IPv6 frame built with build_pkt6(). */
static int
tso6_check(struct rte_mbuf **m, unsigned int n, const uint8_t *orig, uint32_t payload, uint32_t mss)
{
	return tso_segs_check(m, n, orig, payload, mss, true);
}

static int
test_gtx_ipv6(void)
{
	static const uint32_t split[] = {L2_LEN + L3V6_LEN + TCP_LEN, 1001, 3, 2500};
	struct rte_mbuf *m[BURST];
	const uint32_t hdr = L2_LEN + L3V6_LEN + TCP_LEN;
	uint32_t len, last;
	unsigned int n;
	int ret;
	uint16_t q = 1;

	/* L4 checksum offload over IPv6, TCP and UDP. */
	len = build_pkt6(big, IPPROTO_TCP, 777, 200, CSUM_PARTIAL);
	build_pkt6(big2, IPPROTO_TCP, 777, 200, CSUM_FULL);
	TEST_ASSERT_SUCCESS(gtx_one(q, big, len, split, 3,
				    AVF_TXD_CMD_IIPT_IPV6 | AVF_TXD_CMD_L4T_TCP,
				    TXD_OFF(L2_LEN, L3V6_LEN, TCP_LEN), big2),
			    "TCP/IPv6 checksum offload");
	len = build_pkt6(big, IPPROTO_UDP, 3333, 201, CSUM_PARTIAL);
	build_pkt6(big2, IPPROTO_UDP, 3333, 201, CSUM_FULL);
	TEST_ASSERT_SUCCESS(gtx_one(q, big, len, split, 4,
				    AVF_TXD_CMD_IIPT_IPV6 | AVF_TXD_CMD_L4T_UDP,
				    TXD_OFF(L2_LEN, L3V6_LEN, UDP_LEN), big2),
			    "UDP/IPv6 checksum offload");
	/* TSO over IPv6 (Linux style: payload length 0). */
	len = build_pkt6(big, IPPROTO_TCP, 7000, 202, CSUM_TSO);
	gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, len - hdr, 1440));
	last = gtx_pkt(q, big, len, split, RTE_DIM(split) + 1,
		       AVF_TXD_CMD_IIPT_IPV6 | AVF_TXD_CMD_L4T_TCP,
		       TXD_OFF(L2_LEN, L3V6_LEN, TCP_LEN), true);
	gtx_kick(q);
	n = rx_all(q, m, BURST);
	ret = tso6_check(m, n, big, 7000, 1440);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "TCP/IPv6 TSO 7000 bytes, MSS 1440");
	TEST_ASSERT(gtx_done(q, last), "not completed");
	/* With FIN and CWR. */
	len = build_pkt6(big, IPPROTO_TCP, 2500, 203, CSUM_TSO);
	((struct rte_tcp_hdr *)(big + L2_LEN + L3V6_LEN))->tcp_flags |=
		RTE_TCP_FIN_FLAG | RTE_TCP_CWR_FLAG;
	gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, len - hdr, 1000));
	gtx_pkt(q, big, len, NULL, 0, AVF_TXD_CMD_IIPT_IPV6 | AVF_TXD_CMD_L4T_TCP,
		TXD_OFF(L2_LEN, L3V6_LEN, TCP_LEN), true);
	gtx_kick(q);
	n = rx_all(q, m, BURST);
	ret = tso6_check(m, n, big, 2500, 1000);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "TCP/IPv6 TSO with FIN and CWR");
	return TEST_SUCCESS;
}

/* The guest asks for a VLAN tag (IL2TAG1): the packet comes out tagged. */
/*
 * Transmit a packet in one guest buffer asking for the insertion of tag
 * (IL2TAG1), with cmd and off, and ring; returns its descriptor.
 */
static uint32_t
gtx_tagged(uint16_t q, const uint8_t *pkt, uint32_t len, uint32_t cmd, uint32_t off, uint16_t tag)
{
	uint64_t gpa = txb_alloc(len);
	uint32_t last;

	memcpy(gpa_host(gpa), pkt, len);
	last = gtx_desc(q, gpa,
			TXD_QW1(EOP_RS | AVF_TXD_CMD_IL2TAG1 | cmd, off, len) |
				(uint64_t)tag << 48);
	gtx_kick(q);
	return last;
}

static int
test_gtx_vlan(void)
{
	static uint8_t full[2048];
	const uint16_t tag = 0x2123;
	struct rte_mbuf *m[BURST];
	uint32_t len, last;
	unsigned int n, i;
	int ret = 0;
	uint16_t q = 0;

	/* Plain packet. */
	len = build_pkt(big, IPPROTO_UDP, 300, 210, CSUM_FULL);
	vlan_tagged(big2, big, len, RTE_ETHER_TYPE_VLAN, tag);
	last = gtx_tagged(q, big, len, 0, 0, tag);
	n = rx_all(q, m, BURST);
	TEST_ASSERT_EQUAL(n, 1, "tagged packet");
	ret = mbuf_check(m[0], big2, len + 4);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "tag inserted");
	TEST_ASSERT(gtx_done(q, last), "not completed");

	/* With checksum offload (offsets of the untagged frame). */
	len = build_pkt(big, IPPROTO_TCP, 1200, 211, CSUM_PARTIAL);
	build_pkt(full, IPPROTO_TCP, 1200, 211, CSUM_FULL);
	vlan_tagged(big2, full, len, RTE_ETHER_TYPE_VLAN, tag);
	gtx_tagged(q, big, len, AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_TCP,
		   TXD_OFF(L2_LEN, L3_LEN, TCP_LEN), tag);
	n = rx_all(q, m, BURST);
	TEST_ASSERT_EQUAL(n, 1, "tagged packet");
	ret = mbuf_check(m[0], big2, len + 4);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "tag inserted with checksums");

	/* With TSO: every segment tagged. */
	len = build_pkt(big, IPPROTO_TCP, 4000, 212, CSUM_TSO);
	gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, len - 54, 1400));
	gtx_tagged(q, big, len, AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_TCP,
		   TXD_OFF(L2_LEN, L3_LEN, TCP_LEN), tag);
	n = rx_all(q, m, BURST);
	for (i = 0; i < n && ret == 0; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(m[i], const uint8_t *);

		if (m[i]->data_len < 16 || f[12] != 0x81 || f[13] != 0x00 || f[14] != tag >> 8 ||
		    f[15] != (tag & 0xff) || rte_vlan_strip(m[i]) != 0) {
			printf("segment %u not tagged\n", i);
			ret = -1;
		}
	}
	if (ret == 0)
		ret = tso_check(m, n, big, 4000, 1400);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "TSO segments tagged");
	return TEST_SUCCESS;
}

/* TSO segments come over several small bursts, in order, then what follows. */
static int
test_gtx_tso_small_bursts(void)
{
	static uint8_t small[256];
	struct rte_mbuf *m[BURST];
	uint32_t len, slen, last;
	unsigned int n = 0, r, tries;
	int ret;
	uint16_t q = 1;

	len = build_pkt(big, IPPROTO_TCP, 10000, 220, CSUM_TSO);
	gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, len - 54, 1448));
	last = gtx_pkt(q, big, len, NULL, 0, AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_TCP,
		       TXD_OFF(L2_LEN, L3_LEN, TCP_LEN), true);
	slen = build_pkt(small, IPPROTO_UDP, 30, 221, CSUM_FULL);
	gtx_pkt(q, small, slen, NULL, 0, 0, 0, true);
	gtx_kick(q);
	for (tries = 0; tries < 100 && n < 8; tries++) {
		r = rte_eth_rx_burst(port, q, m + n, 2);
		TEST_ASSERT(r <= 2, "burst of 2 returned %u", r);
		n += r;
	}
	n += rx_all(q, m + n, BURST - n);
	if (n != 8) {
		free_all(m, n);
		TEST_ASSERT(false, "%u packets, expected 7 segments and 1 packet", n);
	}
	ret = tso_check(m, 7, big, 10000, 1448);
	if (ret == 0)
		ret = mbuf_check(m[7], small, slen);
	free_all(m, n);
	TEST_ASSERT_SUCCESS(ret, "order");
	TEST_ASSERT(gtx_done(q, last), "not completed");
	return TEST_SUCCESS;
}

/* No mbufs: a plain packet waits; a TSO packet is dropped and counted. */
static int
test_gtx_nombuf(void)
{
	struct rte_emudev_stats g0, g1;
	struct rte_mempool *tiny;
	struct rte_eth_stats st;
	struct rte_mbuf *m[BURST];
	uint32_t len, tlen, tlast;
	uint64_t nomem, tsoe;
	unsigned int n;
	int ret = 0;
	uint16_t q = 0;

	tiny = rte_pktmbuf_pool_create("iavfbe_tiny", 4, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(tiny, "tiny pool");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	ret = rte_eth_rx_queue_setup(port, q, 512, SOCKET_ID_ANY, NULL, tiny);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0) {
		rte_mempool_free(tiny);
		TEST_ASSERT(false, "tiny pool on queue %u: %d", q, ret);
	}
	nomem = xstat("rx_mbuf_allocation_errors");
	tsoe = xstat("rx_dropped_tso_no_mbufs");
	memset(&g0, 0, sizeof(g0));
	rte_emudev_stats_get(fk.base.dev, &g0);
	/* A TSO packet of 3 segments: more mbufs than the pool has. */
	tlen = build_pkt(big2, IPPROTO_TCP, 3000, 230, CSUM_TSO);
	gtx_desc(q, 0, TXD_CTX_QW1(AVF_TXCD_CMD_TSO, tlen - 54, 1000));
	tlast = gtx_pkt(q, big2, tlen, NULL, 0, AVF_TXD_CMD_IIPT_IPV4_CSUM | AVF_TXD_CMD_L4T_TCP,
			TXD_OFF(L2_LEN, L3_LEN, TCP_LEN), true);
	/* 9000 bytes: 5 mbufs of 2 KiB, one more than the pool has. */
	len = build_pkt(big, IPPROTO_UDP, 9000 - 42, 231, CSUM_FULL);
	gtx_pkt(q, big, len, NULL, 0, 0, 0, true);
	gtx_kick(q);
	n = rx_all(q, m, BURST);
	free_all(m, n);
	if (n != 0) {
		printf("%u packets received with 4 mbufs\n", n);
		ret = -1;
	} else if (xstat("rx_dropped_tso_no_mbufs") != tsoe + 1) {
		printf("TSO packet without mbufs: tso_errors %" PRIu64 " -> %" PRIu64 "\n", tsoe,
		       xstat("rx_dropped_tso_no_mbufs"));
		xstats_dump();
		ret = -1;
	} else if (!gtx_done(q, tlast)) {
		printf("dropped TSO packet not completed\n");
		ret = -1;
	} else if (xstat("rx_mbuf_allocation_errors") <= nomem ||
		   rte_eth_stats_get(port, &st) != 0 || st.rx_nombuf == 0) {
		printf("allocation failure not counted\n");
		ret = -1;
	} else if (rte_mempool_avail_count(tiny) != 4) {
		printf("mbufs of the tiny pool lost: %u\n", rte_mempool_avail_count(tiny));
		ret = -1;
	} else {
		/* For the guest: one frame taken from its ring, then discarded. */
		struct guest_view v;

		memset(&g1, 0, sizeof(g1));
		rte_emudev_stats_get(fk.base.dev, &g1);
		guest_view(&g0, &g1, &v);
		if (g1.tx_discards - g0.tx_discards != 1 || v.opackets != 1 || v.obytes != tlen ||
		    v.oerrors != 1) {
			printf("guest: tx_discards %" PRIu64 ", opackets %" PRIu64
			       ", obytes %" PRIu64 " (expected %u), oerrors %" PRIu64 "\n",
			       g1.tx_discards - g0.tx_discards, v.opackets, v.obytes, tlen,
			       v.oerrors);
			ret = -1;
		}
	}
	/* The big pool back: the waiting packet arrives. */
	rte_eth_dev_stop(port);
	if (rte_eth_rx_queue_setup(port, q, 512, SOCKET_ID_ANY, NULL, pool) != 0 ||
	    rte_eth_dev_start(port) != 0) {
		printf("cannot restore the queue\n");
		ret = -1;
	}
	rte_mempool_free(tiny);
	TEST_ASSERT_SUCCESS(ret, "without mbufs");
	TEST_ASSERT_EQUAL(rx_all(q, m, BURST), 1, "the waiting packet");
	ret = mbuf_check(m[0], big, len);
	rte_pktmbuf_free(m[0]);
	TEST_ASSERT_SUCCESS(ret, "the waiting packet");
	return TEST_SUCCESS;
}

/* 16-byte receive descriptors. */
static int
test_grx_16b(void)
{
	static const uint32_t s[] = {1000, 2000};
	const enum rte_emudev_queue_dir rx = RTE_EMUDEV_QUEUE_GUEST_RX;
	struct rte_mbuf *m[1];
	uint32_t len, i;
	uint16_t q = 1, n;

	fk.q[rx][q].rx_fmt = AVF_DESC_FMT_RX_16B;
	TEST_ASSERT_SUCCESS(queue_reconfigure(rx, q, RX_BUF, RX_RING_GPA(q), RX_RING), "16B");
	for (i = 0; i < 2 * RX_RING / 3; i++) {
		len = build_pkt(big, IPPROTO_TCP, i % 3 == 0 ? 4000 : 100 + i, 240 + i, CSUM_FULL);
		grx_fill(q, 8);
		m[0] = mbuf_build(big, len, s, 3);
		TEST_ASSERT_NOT_NULL(m[0], "mbuf");
		n = rte_eth_tx_burst(port, q, m, 1);
		free_all(m + n, 1 - n);
		TEST_ASSERT_EQUAL(n, 1, "packet %u", i);
		TEST_ASSERT_SUCCESS(grx_check(q, big, len), "packet %u", i);
	}
	fk.q[rx][q].rx_fmt = AVF_DESC_FMT_RX_32B;
	TEST_ASSERT_SUCCESS(queue_reconfigure(rx, q, RX_BUF, RX_RING_GPA(q), RX_RING), "32B");
	TEST_ASSERT_SUCCESS(grx_ping(q, 250), "back to 32B");
	return TEST_SUCCESS;
}

/* A queue without an interrupt vector: the port never triggers one for it. */
static int
test_irq_none(void)
{
	const enum rte_emudev_queue_dir tx = RTE_EMUDEV_QUEUE_GUEST_TX;
	unsigned int v;

	fk.q[tx][1].irq_vector = RTE_EMUDEV_IRQ_NONE;
	fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][1].irq_vector = NB_VEC + 7; /* out of range */
	TEST_ASSERT_SUCCESS(queue_reconfigure(tx, 1, 0, TX_RING_GPA(1), TX_RING), "none");
	TEST_ASSERT_SUCCESS(
		queue_reconfigure(RTE_EMUDEV_QUEUE_GUEST_RX, 1, RX_BUF, RX_RING_GPA(1), RX_RING),
		"bad");
	irq_counts_clear();
	for (v = 0; v < NB_VEC; v++)
		fk.armed[v] = true;
	TEST_ASSERT_SUCCESS(gtx_ping(1, 260), "tx");
	TEST_ASSERT_SUCCESS(grx_ping(1, 261), "rx");
	for (v = 0; v < NB_VEC; v++)
		TEST_ASSERT_EQUAL(fk.irq_calls[v], 0, "vector %u triggered", v);
	/* Out of range: the provider refuses it; the port goes on. */
	printf("triggers of an out-of-range vector: %u\n", fk.irq_bad_vector);
	TEST_ASSERT_SUCCESS(grx_ping(1, 262), "rx");
	fk.q[tx][1].irq_vector = 3;
	fk.q[RTE_EMUDEV_QUEUE_GUEST_RX][1].irq_vector = 4;
	TEST_ASSERT_SUCCESS(queue_reconfigure(tx, 1, 0, TX_RING_GPA(1), TX_RING), "restore");
	TEST_ASSERT_SUCCESS(
		queue_reconfigure(RTE_EMUDEV_QUEUE_GUEST_RX, 1, RX_BUF, RX_RING_GPA(1), RX_RING),
		"restore");
	irq_counts_clear();
	TEST_ASSERT_SUCCESS(gtx_ping(1, 263), "tx");
	TEST_ASSERT_EQUAL(fk.irq_fired[3], 1, "vector 3 after restore");
	memset(fk.armed, 0, sizeof(fk.armed));
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ concurrency */

#define CC_TX_PKTS 60 /* packets the poller sends to the guest (< 2 buffers each) */

struct poller {
	bool stop;
	uint32_t rx_ok, rx_bad; /* from guest transmit queue 0 */
	uint32_t tx_sent; /* to guest receive queue 1 */
	uint32_t tx_len[CC_TX_PKTS];
};

static struct poller pl;

static uint32_t
cc_tx_len(uint32_t i)
{
	return 60 + (i * 97) % 3000;
}

static void *
poller_main(void *arg)
{
	static uint8_t pkt[4096], pflat[4096];
	struct rte_mbuf *m[32];
	uint16_t n, i;

	RTE_SET_USED(arg);
	while (!__atomic_load_n(&pl.stop, __ATOMIC_ACQUIRE)) {
		n = rte_eth_rx_burst(port, 0, m, RTE_DIM(m));
		for (i = 0; i < n; i++) {
			const uint8_t *f = m[i]->pkt_len <= sizeof(pflat) ?
				rte_pktmbuf_read(m[i], 0, m[i]->pkt_len, pflat) :
				NULL;

			if (f != NULL && frame_cksums_ok(f, m[i]->pkt_len))
				__atomic_fetch_add(&pl.rx_ok, 1, __ATOMIC_RELEASE);
			else
				__atomic_fetch_add(&pl.rx_bad, 1, __ATOMIC_RELEASE);
			rte_pktmbuf_free(m[i]);
		}
		if (pl.tx_sent < CC_TX_PKTS) {
			uint32_t len = build_pkt(pkt, IPPROTO_UDP, cc_tx_len(pl.tx_sent) - 42,
						 pl.tx_sent, CSUM_FULL);
			static const uint32_t s[] = {1000, 1000};

			m[0] = mbuf_build(pkt, len, s, 3);
			if (m[0] != NULL) {
				if (rte_eth_tx_burst(port, 1, m, 1) == 1) {
					pl.tx_len[pl.tx_sent] = len;
					__atomic_fetch_add(&pl.tx_sent, 1, __ATOMIC_RELEASE);
				} else
					rte_pktmbuf_free(m[0]);
			}
		}
	}
	return NULL;
}

/* The memory moves (CHANGING, copy, CHANGED, free) while another thread polls. */
static int
test_concurrent_mem_change(void)
{
	static uint8_t pkt[256];
	pthread_t th;
	uint32_t sent = 0, iter, k, ms, len;
	int ret = 0;

	memset(&pl, 0, sizeof(pl));
	TEST_ASSERT_SUCCESS(grx_restart(1), "restart");
	grx_post(1, RX_RING - 1);
	TEST_ASSERT_SUCCESS(pthread_create(&th, NULL, poller_main, NULL), "thread");
	for (iter = 0; iter < 60 && ret == 0; iter++) {
		/* The guest sends 4 packets once the previous ones are in. */
		for (ms = 0; ms < WAIT_MS &&
		     __atomic_load_n(&pl.rx_ok, __ATOMIC_ACQUIRE) +
				     __atomic_load_n(&pl.rx_bad, __ATOMIC_ACQUIRE) <
			     sent;
		     ms++)
			rte_delay_us_sleep(1000);
		if (ms == WAIT_MS) {
			printf("iteration %u: %u of %u packets received\n", iter, pl.rx_ok, sent);
			ret = -1;
			break;
		}
		for (k = 0; k < 4; k++) {
			len = build_pkt(pkt, IPPROTO_TCP, 100 + k, iter * 4 + k, CSUM_FULL);
			gtx_pkt(0, pkt, len, NULL, 0, 0, 0, k == 3);
			sent++;
		}
		gtx_kick(0);
		/* Every other iteration the provider moves the memory. */
		if (iter % 2 == 1) {
			uint8_t *old = fk.mem, *nmem = aligned_alloc(4096, GMEM_SIZE);

			if (nmem == NULL || fake_event(RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING) != 0) {
				free(nmem);
				ret = -1;
				break;
			}
			memcpy(nmem, old, GMEM_SIZE);
			fk.mem = nmem;
			memset(old, 0xee, GMEM_SIZE);
			free(old);
			if (fake_mem_publish() != 0)
				ret = -1;
		}
	}
	for (ms = 0; ms < WAIT_MS && ret == 0 &&
	     (__atomic_load_n(&pl.rx_ok, __ATOMIC_ACQUIRE) < sent ||
	      __atomic_load_n(&pl.tx_sent, __ATOMIC_ACQUIRE) < CC_TX_PKTS);
	     ms++)
		rte_delay_us_sleep(1000);
	__atomic_store_n(&pl.stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	TEST_ASSERT_SUCCESS(ret, "guest side");
	TEST_ASSERT_EQUAL(pl.rx_bad, 0, "corrupt packets received");
	TEST_ASSERT_EQUAL(pl.rx_ok, sent, "packets received");
	TEST_ASSERT_EQUAL(pl.tx_sent, CC_TX_PKTS, "packets sent to the guest");
	for (k = 0; k < CC_TX_PKTS; k++) {
		len = build_pkt(big, IPPROTO_UDP, cc_tx_len(k) - 42, k, CSUM_FULL);
		TEST_ASSERT_EQUAL(len, pl.tx_len[k], "length of packet %u", k);
		TEST_ASSERT_SUCCESS(grx_check(1, big, len), "packet %u to the guest", k);
	}
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ RSS */

/* The key of Microsoft's RSS verification vectors (first 40 bytes). */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* Toeplitz hash of in[0..n) with key (n + 4 bytes at least), bit by bit. */
static uint32_t
toeplitz_ref(const uint8_t *key, const uint8_t *in, uint32_t n)
{
	uint32_t h = 0,
		 v = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 |
		key[3];
	uint32_t i, b;

	for (i = 0; i < n; i++)
		for (b = 0; b < 8; b++) {
			if (in[i] & (0x80u >> b))
				h ^= v;
			v = v << 1 | ((key[i + 4] >> (7 - b)) & 1u);
		}
	return h;
}

/* Addresses and ports of an IPv4 frame built by build_pkt(), or of IPv6 (build_pkt6()). */
static void
rss_addrs4(uint8_t *f, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(void *)(f + L2_LEN);
	uint8_t *l4 = f + L2_LEN + L3_LEN;

	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	l4[0] = (uint8_t)(sp >> 8);
	l4[1] = (uint8_t)sp;
	l4[2] = (uint8_t)(dp >> 8);
	l4[3] = (uint8_t)dp;
}

/* Send f to guest queue q and read it back: hashed with hash, or not hashed. */
/* A TCP or UDP/IPv4 frame to the device's own address with these addresses and ports. */
static uint32_t
rss_frame4(uint8_t *f, uint8_t proto, uint32_t seed, uint32_t sa, uint32_t da, uint16_t sp,
	   uint16_t dp)
{
	uint32_t len = build_pkt(f, proto, 20, seed, CSUM_FULL);

	memcpy(f, fk.base.mac, RTE_ETHER_ADDR_LEN);
	rss_addrs4(f, sa, da, sp, dp);
	return len;
}

static int
rss_check(uint16_t q, const uint8_t *f, uint32_t len, bool hashed, uint32_t hash)
{
	if (vlan_send(q, f, len, NULL, 0, false, 0) != 0 || grx_check(q, f, len) != 0)
		return -1;
	if (hashed ? (RXD_FLTSTAT(grx_qw1) != 3 || RXD_RSS(grx_qw0) != hash) :
		     (RXD_FLTSTAT(grx_qw1) != 0 || RXD_RSS(grx_qw0) != 0)) {
		printf("QW0 0x%016" PRIx64 " QW1 0x%016" PRIx64
		       ": FLTSTAT %u hash 0x%08x, expected %s 0x%08x\n",
		       grx_qw0, grx_qw1, (unsigned int)RXD_FLTSTAT(grx_qw1), RXD_RSS(grx_qw0),
		       hashed ? "hashed" : "not hashed", hashed ? hash : 0);
		return -1;
	}
	return 0;
}

static int
test_rss(void)
{
	const enum rte_emudev_queue_dir rx = RTE_EMUDEV_QUEUE_GUEST_RX;
	const uint32_t s4 = 0x420995bbu, d4 = 0xa18e6450u; /* 66.9.149.187, 161.142.100.80 */
	static const uint8_t s6[16] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, [15] = 7};
	static const uint8_t d6[16] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, [15] = 1};
	static uint8_t f[512], g[512];
	struct rte_emudev_net_rx_conf c;
	struct rte_eth_rss_reta_entry64 reta[2];
	struct rte_eth_rss_conf rc;
	struct rte_eth_dev_info info;
	struct rte_ether_addr own = {{0}};
	uint8_t key[64], in[12];
	uint64_t h0;
	uint32_t len, i;
	uint16_t q = 0, fmt;

	memcpy(own.addr_bytes, fk.base.mac, RTE_ETHER_ADDR_LEN);
	TEST_ASSERT_SUCCESS(grx_restart(q), "restart");
	h0 = xstat("tx_rss_hashed");
	/* No RSS asked: no hash, nothing reported. */
	len = build_pkt(f, IPPROTO_TCP, 20, 500, CSUM_FULL);
	memcpy(f, &own, 6);
	TEST_ASSERT_SUCCESS(rss_check(q, f, len, false, 0), "no RSS");
	memset(&rc, 0, sizeof(rc));
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_hash_conf_get(port, &rc), "rss_hash_conf_get");
	TEST_ASSERT_EQUAL(rc.rss_hf, 0, "rss_hf without RSS");

	/* The guest's RSS: a 52-byte key starting with Microsoft's, 64 entries. */
	rxc_default(&c);
	c.flags = RTE_EMUDEV_NET_RX_F_RSS;
	c.rss_types = RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV6 |
		RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_FRAG_IPV4;
	c.rss_key_len = 52;
	memset(c.rss_key, 0x11, 52);
	memcpy(c.rss_key, ms_key, sizeof(ms_key));
	c.rss_lut_size = 64;
	for (i = 0; i < 64; i++)
		c.rss_lut[i] = (uint16_t)((i * 7) % NB_QP);
	TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");

	for (fmt = 0; fmt < 2; fmt++) {
		q = fmt;
		if (fmt == 1) {
			fk.q[rx][q].rx_fmt = AVF_DESC_FMT_RX_16B;
			TEST_ASSERT_SUCCESS(
				queue_reconfigure(rx, q, RX_BUF, RX_RING_GPA(q), RX_RING), "16B");
		}
		/* Microsoft's vectors: TCP/IPv4 hashed with the ports, UDP without. */
		len = rss_frame4(f, IPPROTO_TCP, 501, s4, d4, 2794, 1766);
		TEST_ASSERT_SUCCESS(rss_check(q, f, len, true, 0x51ccc178), "TCP/IPv4");
		len = rss_frame4(f, IPPROTO_UDP, 502, s4, d4, 2794, 1766);
		TEST_ASSERT_SUCCESS(rss_check(q, f, len, true, 0x323e8fc2), "UDP/IPv4: addresses");
		/* IPv6. */
		len = build_pkt6(f, IPPROTO_TCP, 20, 503, CSUM_FULL);
		memcpy(f, &own, 6);
		memcpy(f + L2_LEN + 8, s6, 16);
		memcpy(f + L2_LEN + 24, d6, 16);
		f[L2_LEN + L3V6_LEN] = 2794 >> 8;
		f[L2_LEN + L3V6_LEN + 1] = 2794 & 0xff;
		f[L2_LEN + L3V6_LEN + 2] = 1766 >> 8;
		f[L2_LEN + L3V6_LEN + 3] = 1766 & 0xff;
		TEST_ASSERT_SUCCESS(rss_check(q, f, len, true, 0x40207d3d), "TCP/IPv6");
		f[L2_LEN + 6] = IPPROTO_UDP;
		TEST_ASSERT_SUCCESS(rss_check(q, f, len, true, 0x2cc18cd5), "UDP/IPv6: addresses");
		/* Not IP: no hash. */
		len = frame_to(f, &own, false, 0, 504);
		f[12] = 0x08;
		f[13] = 0x06;
		TEST_ASSERT_SUCCESS(rss_check(q, f, len, false, 0), "ARP");
	}
	/* A tagged frame (kept): hashed over what follows the tag. */
	len = rss_frame4(g, IPPROTO_TCP, 505, s4, d4, 2794, 1766);
	len = vlan_tagged(f, g, len, RTE_ETHER_TYPE_VLAN, 0x0007);
	TEST_ASSERT_SUCCESS(rss_check(q, f, len, true, 0x51ccc178), "tagged");
	/* An IPv4 fragment: addresses (FRAG_IPV4). */
	len = rss_frame4(f, IPPROTO_TCP, 506, s4, d4, 2794, 1766);
	f[L2_LEN + 6] = 0x20; /* MF */
	TEST_ASSERT_SUCCESS(rss_check(q, f, len, true, 0x323e8fc2), "fragment");

	/* Random TCP/IPv4 and UDP/IPv4 against the bit-by-bit reference, another key. */
	c.rss_types = RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV4_TCP;
	for (i = 0; i < 52; i++)
		c.rss_key[i] = (uint8_t)(i * 37 + 11);
	TEST_ASSERT_SUCCESS(fake_rxc_set(&c, 0), "event");
	memset(key, 0, sizeof(key));
	memcpy(key, c.rss_key, 52);
	srand(7);
	for (i = 0; i < 40; i++) {
		uint32_t sa = (uint32_t)rand() * 2654435761u, da = (uint32_t)rand() ^ 0x5a5a5a5a;
		uint16_t sp = (uint16_t)rand(), dp = (uint16_t)rand();

		len = rss_frame4(f, i & 1 ? IPPROTO_UDP : IPPROTO_TCP, 510 + i, sa, da, sp, dp);
		memcpy(in, f + L2_LEN + 12, 8);
		memcpy(in + 8, f + L2_LEN + L3_LEN, 4);
		TEST_ASSERT_SUCCESS(rss_check(q, f, len, true, toeplitz_ref(key, in, 12)),
				    "random %u", i);
	}
	/* Types without plain IPv4: other IPv4 protocols are not hashed. */
	len = build_pkt(f, IPPROTO_TCP, 20, 560, CSUM_FULL);
	memcpy(f, &own, 6);
	f[L2_LEN + 9] = IPPROTO_GRE;
	TEST_ASSERT_SUCCESS(rss_check(q, f, len, false, 0), "GRE, types TCP and UDP only");

	/* What the port reports to the application. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(port, &info), "dev_info");
	TEST_ASSERT_EQUAL(info.reta_size, 64, "reta_size");
	TEST_ASSERT_EQUAL(info.hash_key_size, 52, "hash_key_size");
	TEST_ASSERT((info.flow_type_rss_offloads & c.rss_types) == c.rss_types,
		    "flow_type_rss_offloads");
	memset(&rc, 0, sizeof(rc));
	memset(key, 0, sizeof(key));
	rc.rss_key = key;
	rc.rss_key_len = info.hash_key_size;
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_hash_conf_get(port, &rc), "rss_hash_conf_get");
	TEST_ASSERT_EQUAL(rc.rss_hf, c.rss_types, "rss_hf");
	TEST_ASSERT_EQUAL(rc.rss_key_len, 52, "rss_key_len");
	TEST_ASSERT(memcmp(key, c.rss_key, 52) == 0, "key");
	memset(reta, 0, sizeof(reta));
	reta[0].mask = UINT64_MAX;
	TEST_ASSERT_SUCCESS(rte_eth_dev_rss_reta_query(port, reta, 64), "reta_query");
	for (i = 0; i < 64; i++)
		TEST_ASSERT_EQUAL(reta[0].reta[i], c.rss_lut[i], "LUT entry %u", i);
	TEST_ASSERT(rte_eth_dev_rss_reta_query(port, reta, 128) != 0, "128 entries of 64");
	printf("rss_hashed +%" PRIu64 "\n", xstat("tx_rss_hashed") - h0);

	/* RSS off again. */
	TEST_ASSERT_SUCCESS(fake_rxc_set(NULL, -ENOTSUP), "event");
	len = build_pkt(f, IPPROTO_TCP, 20, 570, CSUM_FULL);
	TEST_ASSERT_SUCCESS(rss_check(q, f, len, false, 0), "RSS off");
	TEST_ASSERT(rte_eth_dev_rss_reta_query(port, reta, 64) != 0, "reta_query without RSS");
	fk.q[rx][1].rx_fmt = AVF_DESC_FMT_RX_32B;
	TEST_ASSERT_SUCCESS(queue_reconfigure(rx, 1, RX_BUF, RX_RING_GPA(1), RX_RING), "32B");
	return TEST_SUCCESS;
}

static struct unit_test_suite iavfbe_suite = {
	.suite_name = "net_iavfbe",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases =
		{
			TEST_CASE(test_mac),
			TEST_CASE(test_link_lsc),
			TEST_CASE(test_gtx_single),
			TEST_CASE(test_gtx_multi_desc),
			TEST_CASE(test_gtx_csum),
			TEST_CASE(test_gtx_tso),
			TEST_CASE(test_gtx_ipv6),
			TEST_CASE(test_gtx_vlan),
			TEST_CASE(test_gtx_tso_small_bursts),
			TEST_CASE(test_gtx_nombuf),
			TEST_CASE(test_gtx_bad_addr),
			TEST_CASE(test_gtx_bad_len),
			TEST_CASE(test_gtx_bad_chain),
			TEST_CASE(test_gtx_bad_tail),
			TEST_CASE(test_gtx_bad_tso),
			TEST_CASE(test_grx_single),
			TEST_CASE(test_grx_multi),
			TEST_CASE(test_grx_ring_full),
			TEST_CASE(test_grx_too_big),
			TEST_CASE(test_grx_bad_addr),
			TEST_CASE(test_grx_bad_queue),
			TEST_CASE(test_grx_16b),
			TEST_CASE(test_irq),
			TEST_CASE(test_irq_none),
			TEST_CASE(test_stats),
			TEST_CASE(test_guest_stats_drops),
			TEST_CASE(test_rxconf_filters),
			TEST_CASE(test_rxconf_ring_full),
			TEST_CASE(test_rxconf_change_running),
			TEST_CASE(test_vlan_strip_insert),
			TEST_CASE(test_rss),
			TEST_CASE(test_mem_table_change),
			TEST_CASE(test_concurrent_mem_change),
			TEST_CASE(test_reset),
			TEST_CASE(test_client_gone),
			TEST_CASE(test_stop_start),
			TEST_CASE(test_devargs),
			TEST_CASE(test_tso_passthrough),
			TEST_CASE(test_close),
			TEST_CASE(test_remove),
			TEST_CASES_END(),
		},
};

static int
test_iavfbe(void)
{
	return unit_test_suite_runner(&iavfbe_suite);
}

REGISTER_TEST_COMMAND(iavfbe_autotest, test_iavfbe);
