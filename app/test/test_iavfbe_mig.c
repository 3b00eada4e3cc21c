/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * Migration side of net_iavfbe and of the emudev calls it uses, over the
 * fake AVF provider of test_iavfbe_guest (with the queue_head_set and
 * dirty_mark operations of test_fake_emudev: the positions reported and a
 * dirty bitmap of the guest memory, one bit per 8 bytes).
 *
 *  - emudev: rte_emudev_queue_head_set() and rte_emudev_dirty_mark()
 *    (bad device, direction, queue, head; a provider without the
 *    operations), the DIRTY_LOG payload through rte_emudev_event_raise().
 *  - QUIESCE: the positions reported are exactly where the port stopped in
 *    each ring; nothing is served until RESUME, whatever comes in between
 *    (memory table change, port stop/start, queue events); after RESUME
 *    every packet comes once, in order (sequence numbers both ways).
 *  - RESUME at heads the device gives (as after a migration: not where this
 *    port stopped), with rings wrapping; a head outside the ring refused.
 *  - Dirty logging on: every 8 bytes of guest memory the port changed is
 *    marked (guest memory compared before and after the bursts), both
 *    directions, multi-descriptor packets, 32-byte descriptors; off: no
 *    mark at all.
 *  - Under traffic: a thread is the application (bursts both ways, retrying
 *    what the port refuses) while the test, as the guest and the device,
 *    raises QUIESCE/RESUME and DIRTY_LOG on/off many times: the positions
 *    are exact at each QUIESCE, no mark while logging is off, and every
 *    packet arrives once in order.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "test.h"
#include "test_common.h"
#include "test_iavfbe_guest.h"

#define GTX RTE_EMUDEV_QUEUE_GUEST_TX
#define GRX RTE_EMUDEV_QUEUE_GUEST_RX

/* Test frames: Ethernet header, a sequence number, a pattern from it. */
#define FRAME_LEN 64u
#define SEQ_OFF 14u
/* Dirty log grain: 8 bytes (the smallest write the port makes). */
#define GRAIN_SHIFT 3u
#define GRAIN (1u << GRAIN_SHIFT)

static struct rte_emudev_ops mig_ops;

/* As a device does: the position it keeps (reported, or loaded) comes back in the queue info. */
static int
mig_queue_info_get(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid,
		   struct rte_emudev_queue_info *info)
{
	int ret = iavfbe_fake_ops.queue_info_get(priv, dir, qid, info);

	if (ret == 0)
		info->head = fk.base.head[dir][qid];
	return ret;
}

/* The device checks the head against its ring. */
static int
mig_queue_head_set(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid, uint32_t head)
{
	if ((unsigned int)dir >= RTE_EMUDEV_QUEUE_DIR_MAX || qid >= NB_QP ||
	    head >= fk.q[dir][qid].ring_size)
		return -EINVAL;
	return fake_emudev_queue_head_set(priv, dir, qid, head);
}

/* The guest re-enables every queue: the device starts them at 0. */
static int
mig_restart(void)
{
	if (guest_queues_set(false) != 0)
		return -1;
	guest_rings_reset();
	memset(fk.base.head, 0, sizeof(fk.base.head));
	if (guest_queues_set(true) != 0)
		return -1;
	return link_wait(port, true) ? 0 : -1;
}

static void
frame_seq(uint8_t *f, uint32_t seq)
{
	uint32_t i;

	memcpy(f, &pkt_dst, RTE_ETHER_ADDR_LEN);
	memcpy(f + RTE_ETHER_ADDR_LEN, &pkt_src, RTE_ETHER_ADDR_LEN);
	f[12] = 0x88;
	f[13] = 0xb5;
	put_le32(f + SEQ_OFF, seq);
	for (i = SEQ_OFF + 4; i < FRAME_LEN; i++)
		f[i] = (uint8_t)(seq * 7 + i);
}

/* The sequence number of a test frame; UINT32_MAX when it is not one. */
static uint32_t
seq_of(const uint8_t *f, uint32_t len)
{
	uint8_t want[FRAME_LEN];
	uint32_t seq;

	if (len != FRAME_LEN)
		return UINT32_MAX;
	seq = get_le32(f + SEQ_OFF);
	frame_seq(want, seq);
	return memcmp(f, want, FRAME_LEN) == 0 ? seq : UINT32_MAX;
}

/* The guest sends frame seq (one descriptor, RS); returns its descriptor. */
static uint32_t
gtx_seq(uint16_t q, uint32_t seq)
{
	uint8_t f[FRAME_LEN];

	frame_seq(f, seq);
	return gtx_pkt(q, f, FRAME_LEN, NULL, 0, 0, 0, true);
}

static struct rte_mbuf *
mbuf_seq(uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *d;

	if (m == NULL)
		return NULL;
	d = (uint8_t *)rte_pktmbuf_append(m, FRAME_LEN);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	frame_seq(d, seq);
	return m;
}

/*
 * The guest reads back one packet from its receive ring q: 1 and its
 * sequence number, 0 when none is there, -1 when it is not a whole test frame.
 */
static int
grx_seq(uint16_t q, uint32_t *seq)
{
	uint32_t i = gst.rxq[q].next;
	uint64_t qw1;

	if (grx_outstanding(q) == 0)
		return 0;
	qw1 = rte_le_to_cpu_64(__atomic_load_n(&rxd(q, i)[1], __ATOMIC_ACQUIRE));
	if ((qw1 & AVF_RXD_QW1_DD) == 0)
		return 0;
	*seq = UINT32_MAX;
	if ((qw1 & AVF_RXD_QW1_EOF) && RXD_ERR(qw1) == 0)
		*seq = seq_of(gpa_host(RX_BUF_GPA(q, i)), RXD_LEN(qw1));
	rxd(q, i)[1] = 0;
	gst.rxq[q].next = (i + 1) % RX_RING;
	if (*seq == UINT32_MAX) {
		printf("queue %u: descriptor %u: not a test frame (QW1 0x%016" PRIx64 ")\n", q, i,
		       qw1);
		return -1;
	}
	return 1;
}

/* The port sends seq, seq + 1, ... (n frames) to the guest on q; returns how many went. */
static unsigned int
tx_seq(uint16_t q, uint32_t seq, unsigned int n)
{
	struct rte_mbuf *m[BURST];
	unsigned int i, sent;

	n = RTE_MIN(n, (unsigned int)BURST);
	for (i = 0; i < n; i++) {
		m[i] = mbuf_seq(seq + i);
		if (m[i] == NULL) {
			free_all(m, i);
			return 0;
		}
	}
	sent = rte_eth_tx_burst(port, q, m, (uint16_t)n);
	free_all(m + sent, n - sent);
	return sent;
}

/* Receive from q; the frames must be seq, seq + 1, ... exactly n of them. */
static int
rx_expect(uint16_t q, uint32_t seq, unsigned int n)
{
	struct rte_mbuf *m[512];
	unsigned int got, i;
	int ret = 0;

	got = rx_all(q, m, RTE_DIM(m));
	if (got != n) {
		printf("queue %u: %u packets received, %u expected\n", q, got, n);
		ret = -1;
	}
	for (i = 0; i < got && ret == 0; i++) {
		const uint8_t *f = mbuf_flat(m[i]);
		uint32_t s = f == NULL ? UINT32_MAX : seq_of(f, m[i]->pkt_len);

		if (s != seq + i) {
			printf("queue %u: packet %u is %u, %u expected\n", q, i, s, seq + i);
			ret = -1;
		}
	}
	free_all(m, got);
	return ret;
}

/* One burst of n from q: the frames seq, seq + 1, ... */
static int
rx_burst_expect(uint16_t q, uint32_t seq, uint16_t n)
{
	struct rte_mbuf *m[BURST];
	uint16_t got, i;
	int ret = 0;

	got = rte_eth_rx_burst(port, q, m, n);
	if (got != n) {
		printf("queue %u: %u packets in a burst of %u\n", q, got, n);
		ret = -1;
	}
	for (i = 0; i < got && ret == 0; i++) {
		const uint8_t *f = mbuf_flat(m[i]);

		if (f == NULL || seq_of(f, m[i]->pkt_len) != seq + i)
			ret = -1;
	}
	free_all(m, got);
	return ret;
}

/* The guest reads back n frames seq, seq + 1, ... from q, and nothing more. */
static int
grx_expect(uint16_t q, uint32_t seq, unsigned int n)
{
	unsigned int i;
	uint32_t s;

	for (i = 0; i < n; i++) {
		if (grx_seq(q, &s) != 1 || s != seq + i) {
			printf("queue %u: frame %u of %u: not %u\n", q, i, n, seq + i);
			return -1;
		}
	}
	if (grx_seq(q, &s) != 0) {
		printf("queue %u: more than %u frames\n", q, n);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ emudev */

static int
bare_info_get(void *priv __rte_unused, struct rte_emudev_info *info)
{
	info->max_queue_pairs = 1;
	return 0;
}

static const struct rte_emudev_ops bare_ops = {
	.info_get = bare_info_get,
};

static struct {
	unsigned int nb[RTE_EMUDEV_EVENT_MAX];
	bool on;
} evrec;

static void
ev_record(uint16_t dev_id __rte_unused, const struct rte_emudev_event *ev, void *arg __rte_unused)
{
	if ((unsigned int)ev->type < RTE_EMUDEV_EVENT_MAX)
		evrec.nb[ev->type]++;
	if (ev->type == RTE_EMUDEV_EVENT_DIRTY_LOG)
		evrec.on = ev->dirty_log.on;
}

static int
test_emudev_calls(void)
{
	struct rte_emudev_params p = {
		.name = "fake_mig_bare",
		.type = RTE_EMUDEV_TYPE_NET,
		.socket_id = SOCKET_ID_ANY,
		.ops = &bare_ops,
	};
	struct rte_emudev *bare;
	uint16_t id = fk.base.id, bare_id;
	unsigned int nb = fk.base.nb_head_set;
	struct rte_emudev_event ev;
	int ret;

	/* queue_head_set: bad device, direction, queue, head; then a good one. */
	TEST_ASSERT_EQUAL(rte_emudev_queue_head_set(RTE_EMUDEV_MAX_DEVS, GTX, 0, 0), -ENODEV,
			  "bad device id");
	TEST_ASSERT_EQUAL(rte_emudev_queue_head_set(id, RTE_EMUDEV_QUEUE_DIR_MAX, 0, 0), -EINVAL,
			  "bad direction");
	TEST_ASSERT_EQUAL(rte_emudev_queue_head_set(id, GTX, NB_QP, 0), -EINVAL, "bad queue");
	TEST_ASSERT_EQUAL(rte_emudev_queue_head_set(id, GRX, 1, RX_RING), -EINVAL,
			  "head == ring size");
	TEST_ASSERT_EQUAL(fk.base.nb_head_set, nb, "a bad call reached the provider");
	TEST_ASSERT_SUCCESS(rte_emudev_queue_head_set(id, GRX, 1, RX_RING - 1), "good head");
	TEST_ASSERT(fk.base.nb_head_set == nb + 1 && fk.base.head[GRX][1] == RX_RING - 1,
		    "head not recorded");
	fk.base.head[GRX][1] = 0;

	/* dirty_mark: bad device, empty range, a range (8-byte grains). */
	fake_emudev_dirty_clear(&fk.base);
	rte_emudev_dirty_mark(RTE_EMUDEV_MAX_DEVS, GMEM_GPA, 8);
	rte_emudev_dirty_mark(UINT16_MAX, GMEM_GPA, 8);
	rte_emudev_dirty_mark(id, GMEM_GPA, 0);
	TEST_ASSERT_EQUAL(fk.base.dirty_calls, 0, "bad marks reached the provider");
	rte_emudev_dirty_mark(id, GMEM_GPA + 4096 + 3, 9);
	TEST_ASSERT_EQUAL(fk.base.dirty_calls, 1, "mark not passed on");
	TEST_ASSERT(!fake_emudev_dirty_test(&fk.base, GMEM_GPA + 4088) &&
			    fake_emudev_dirty_test(&fk.base, GMEM_GPA + 4096) &&
			    fake_emudev_dirty_test(&fk.base, GMEM_GPA + 4104) &&
			    !fake_emudev_dirty_test(&fk.base, GMEM_GPA + 4112),
		    "wrong grains marked");
	fake_emudev_dirty_clear(&fk.base);

	/* A provider without the operations. */
	bare = rte_emudev_register(&p);
	TEST_ASSERT_NOT_NULL(bare, "register the bare device");
	bare_id = rte_emudev_dev_id(bare);
	ret = rte_emudev_queue_head_set(bare_id, GTX, 0, 0);
	rte_emudev_dirty_mark(bare_id, GMEM_GPA, 8); /* nothing to call: nothing happens */
	TEST_ASSERT_SUCCESS(rte_emudev_unregister(bare), "unregister the bare device");
	TEST_ASSERT_EQUAL(ret, -ENOTSUP, "queue_head_set without the operation: %d", ret);
	rte_emudev_dirty_mark(bare_id, GMEM_GPA, 8); /* unregistered id */
	TEST_ASSERT_EQUAL(fk.base.dirty_calls, 0, "mark reached another device");

	/* The new events go through rte_emudev_event_raise(), DIRTY_LOG with its payload. */
	memset(&evrec, 0, sizeof(evrec));
	TEST_ASSERT_SUCCESS(rte_emudev_event_register(id, RTE_EMUDEV_EVENT_ALL, ev_record, NULL),
			    "register");
	ret = fake_emudev_raise_dirty_log(&fk.base, true);
	ret |= evrec.on ? 0 : -1;
	ret |= fake_emudev_raise_dirty_log(&fk.base, false);
	ret |= evrec.on ? -1 : 0;
	memset(&ev, 0, sizeof(ev));
	ev.type = RTE_EMUDEV_EVENT_QUIESCE;
	ret |= rte_emudev_event_raise(fk.base.dev, &ev);
	ev.type = RTE_EMUDEV_EVENT_RESUME;
	ret |= rte_emudev_event_raise(fk.base.dev, &ev);
	rte_emudev_event_unregister(id, RTE_EMUDEV_EVENT_ALL, ev_record, NULL);
	TEST_ASSERT_SUCCESS(ret, "raise the new events / DIRTY_LOG's on");
	TEST_ASSERT(evrec.nb[RTE_EMUDEV_EVENT_DIRTY_LOG] == 2 &&
			    evrec.nb[RTE_EMUDEV_EVENT_QUIESCE] == 1 &&
			    evrec.nb[RTE_EMUDEV_EVENT_RESUME] == 1,
		    "events delivered: DIRTY_LOG %u QUIESCE %u RESUME %u",
		    evrec.nb[RTE_EMUDEV_EVENT_DIRTY_LOG], evrec.nb[RTE_EMUDEV_EVENT_QUIESCE],
		    evrec.nb[RTE_EMUDEV_EVENT_RESUME]);
	/* The port reported its 4 queues at QUIESCE. */
	TEST_ASSERT_EQUAL(fk.base.nb_head_set, nb + 1 + 2 * NB_QP, "heads reported: %u",
			  fk.base.nb_head_set - nb - 1);
	return TEST_SUCCESS;
}

/* ----------------------------------------------------------- quiesce/resume */

/* Nothing is served: the guest's next transmit descriptor stays, nothing goes to it. */
static int
not_served(uint32_t gtx_head, uint32_t grx_head)
{
	struct rte_mbuf *m[8];
	uint16_t n;

	n = rte_eth_rx_burst(port, 0, m, RTE_DIM(m));
	free_all(m, n);
	TEST_ASSERT_EQUAL(n, 0, "received while quiesced");
	TEST_ASSERT_EQUAL(tx_seq(0, 999999, 4), 0, "sent while quiesced");
	TEST_ASSERT(!gtx_done(0, gtx_head), "transmit descriptor %u completed while quiesced",
		    gtx_head);
	TEST_ASSERT(!(rte_le_to_cpu_64(rxd(0, grx_head)[1]) & AVF_RXD_QW1_DD),
		    "receive descriptor %u written while quiesced", grx_head);
	return 0;
}

static int
test_quiesce_positions(void)
{
	unsigned int nb, i;

	TEST_ASSERT_SUCCESS(mig_restart(), "restart the queues");
	for (i = 0; i < 40; i++)
		gtx_seq(0, i);
	gtx_kick(0);
	grx_post(0, 32);
	/* Partly: 16 of 40 taken, 10 given. */
	TEST_ASSERT_SUCCESS(rx_burst_expect(0, 0, 16), "the first 16 packets");
	TEST_ASSERT_EQUAL(tx_seq(0, 100, 10), 10, "10 to the guest");

	nb = fk.base.nb_head_set;
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_QUIESCE), "QUIESCE");
	TEST_ASSERT_EQUAL(fk.base.nb_head_set, nb + 2 * NB_QP, "every enabled queue reported");
	TEST_ASSERT(fk.base.head[GTX][0] == 16 && fk.base.head[GRX][0] == 10 &&
			    fk.base.head[GTX][1] == 0 && fk.base.head[GRX][1] == 0,
		    "heads %u %u %u %u, expected 16 10 0 0", fk.base.head[GTX][0],
		    fk.base.head[GRX][0], fk.base.head[GTX][1], fk.base.head[GRX][1]);
	TEST_ASSERT(gtx_done(0, 15) && !gtx_done(0, 16), "completions up to the head");
	TEST_ASSERT_SUCCESS(not_served(16, 10), "quiesced");

	/* Whatever comes now waits for RESUME. */
	TEST_ASSERT_SUCCESS(fake_mem_publish(), "memory table change");
	TEST_ASSERT_SUCCESS(not_served(16, 10), "after a memory table change");
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED), "rx conf");
	TEST_ASSERT_SUCCESS(fake_queue_event(RTE_EMUDEV_EVENT_QUEUE_DISABLED, GRX, 1), "disable");
	TEST_ASSERT_SUCCESS(fake_queue_event(RTE_EMUDEV_EVENT_QUEUE_ENABLED, GRX, 1), "enable");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "port stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(port), "port start");
	TEST_ASSERT_SUCCESS(not_served(16, 10), "after port stop/start and queue events");

	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_RESUME), "RESUME");
	TEST_ASSERT(link_wait(port, true), "link");
	TEST_ASSERT_SUCCESS(rx_expect(0, 16, 24), "the rest, once");
	TEST_ASSERT_EQUAL(tx_seq(0, 110, 10), 10, "10 more to the guest");
	TEST_ASSERT_SUCCESS(grx_expect(0, 100, 20), "the guest's 20, once");

	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_QUIESCE), "QUIESCE again");
	TEST_ASSERT(fk.base.head[GTX][0] == 40 && fk.base.head[GRX][0] == 20,
		    "heads %u %u, expected 40 20", fk.base.head[GTX][0], fk.base.head[GRX][0]);
	/* A second QUIESCE reports the same. */
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_QUIESCE), "QUIESCE twice");
	TEST_ASSERT(fk.base.head[GTX][0] == 40 && fk.base.head[GRX][0] == 20, "heads moved");
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_RESUME), "RESUME");
	/* RESUME without QUIESCE: nothing changes. */
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_RESUME), "RESUME twice");
	TEST_ASSERT_EQUAL(gtx_ping(0, 7), 0, "traffic after RESUME");
	TEST_ASSERT_EQUAL(grx_ping(0, 7), 0, "traffic after RESUME");
	return TEST_SUCCESS;
}

static int
test_resume_at_head(void)
{
	unsigned int i;

	TEST_ASSERT_SUCCESS(mig_restart(), "restart the queues");
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_QUIESCE), "QUIESCE");
	/* The state of another device: the guest's rings are elsewhere in them. */
	guest_rings_reset();
	fk.base.head[GTX][0] = 200;
	fk.base.head[GRX][0] = 100;
	gst.txq[0].tail = 200;
	gst.rxq[0].tail = 100;
	gst.rxq[0].next = 100;
	for (i = 0; i < 100; i++) /* 200 .. 43, wrapping */
		gtx_seq(0, 5000 + i);
	gtx_kick(0);
	grx_post(0, 60); /* 100 .. 31 */
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_RESUME), "RESUME");
	TEST_ASSERT_SUCCESS(rx_expect(0, 5000, 100), "from descriptor 200");
	TEST_ASSERT(gtx_done(0, 200) && gtx_done(0, 43) && !gtx_done(0, 199),
		    "completions from 200 to 43 only");
	TEST_ASSERT_EQUAL(tx_seq(0, 7000, 50), 50, "50 to the guest");
	TEST_ASSERT(!(rte_le_to_cpu_64(rxd(0, 99)[1]) & AVF_RXD_QW1_DD), "descriptor 99 written");
	TEST_ASSERT_SUCCESS(grx_expect(0, 7000, 50), "from descriptor 100");
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_QUIESCE), "QUIESCE");
	TEST_ASSERT(fk.base.head[GTX][0] == 44 && fk.base.head[GRX][0] == 22,
		    "heads %u %u, expected 44 22", fk.base.head[GTX][0], fk.base.head[GRX][0]);

	/* A head outside the ring: the queue is not served. */
	fk.base.head[GTX][0] = TX_RING;
	TEST_ASSERT_SUCCESS(log_capture_start(), "log capture");
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_RESUME), "RESUME");
	gtx_seq(0, 1);
	gtx_kick(0);
	i = log_count("head 256 outside its ring", NULL);
	log_capture_stop();
	TEST_ASSERT_EQUAL(i, 1, "the bad head is not logged");
	TEST_ASSERT_SUCCESS(rx_expect(0, 0, 0), "a queue at a bad head is not served");
	TEST_ASSERT_EQUAL(grx_ping(0, 3), 0, "the other direction is");
	/* The guest enables the queue again: from 0. */
	TEST_ASSERT_SUCCESS(mig_restart(), "restart the queues");
	TEST_ASSERT_EQUAL(gtx_ping(0, 4), 0, "served again");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------- dirty log */

static uint8_t *snap;

/*
 * Every grain of guest memory that differs from snap is marked; returns
 * how many differ (-1 and prints the first ones missing).
 */
static long
dirty_check(const char *what)
{
	uint64_t off, changed = 0, missing = 0, marked_same = 0;

	for (off = 0; off < GMEM_SIZE; off += GRAIN) {
		bool diff = memcmp(fk.mem + off, snap + off, GRAIN) != 0;
		bool mk = fake_emudev_dirty_test(&fk.base, GMEM_GPA + off);

		if (diff) {
			changed++;
			if (!mk && missing++ < 8)
				printf("%s: gpa 0x%" PRIx64 " changed, not marked\n", what,
				       (uint64_t)(GMEM_GPA + off));
		} else if (mk) {
			marked_same++;
		}
	}
	printf("%s: %" PRIu64 " grains of %u bytes changed, %" PRIu64 " not marked, %" PRIu64
	       " marked unchanged, %" PRIu64 " marks\n",
	       what, changed, GRAIN, missing, marked_same, fk.base.dirty_calls);
	if (missing > 0 || fk.base.dirty_outside > 0)
		return -1;
	return (long)changed;
}

/* One round of traffic both ways on queue q, the guest's writes done before the snapshot. */
static int
dirty_round(uint16_t q, uint32_t seed, bool log)
{
	static uint8_t big[5000];
	const uint32_t sizes[3] = {100, 1000, 0}, msizes[3] = {2000, 2000, 0};
	struct rte_mbuf *m[7]; /* 15 descriptors: the write-backs cross the ring's end */
	unsigned int i, n, sent;
	long changed;
	char what[64];

	/* The guest: transmit 6 packets (some of 3 descriptors, some without RS), post buffers. */
	for (i = 0; i < 6; i++) {
		uint32_t len = i % 2 ? 1500 : FRAME_LEN;

		memset(big, (int)(seed + i), len);
		gtx_pkt(q, big, len, i % 3 == 0 ? sizes : NULL, i % 3 == 0 ? 3 : 0, 0, 0, i != 4);
	}
	gtx_kick(q);
	grx_fill(q, RX_RING - 1);
	for (i = 0; i < RTE_DIM(m); i++) {
		memset(big, (int)(seed + 100 + i), sizeof(big));
		m[i] = mbuf_build(big, i % 2 ? 5000 : 60 + i, i % 2 ? msizes : NULL, 3);
		TEST_ASSERT_NOT_NULL(m[i], "mbuf");
	}
	memcpy(snap, fk.mem, GMEM_SIZE);
	fake_emudev_dirty_clear(&fk.base);

	/* The port. */
	{
		struct rte_mbuf *r[32];

		n = rx_all(q, r, RTE_DIM(r));
		free_all(r, n);
	}
	sent = rte_eth_tx_burst(port, q, m, RTE_DIM(m));
	free_all(m + sent, RTE_DIM(m) - sent);
	TEST_ASSERT(n == 6 && sent == RTE_DIM(m), "round %u: %u received, %u sent", seed, n, sent);

	snprintf(what, sizeof(what), "queue %u round %u logging %s", q, seed, log ? "on" : "off");
	if (log) {
		changed = dirty_check(what);
		TEST_ASSERT(changed > 0, "%s: nothing changed or a change not marked", what);
	} else {
		TEST_ASSERT_EQUAL(fk.base.dirty_calls, 0, "%s: %" PRIu64 " marks", what,
				  fk.base.dirty_calls);
	}
	/* The guest reads its packets back (and frees the descriptors). */
	while (grx_outstanding(q) > 0 && (rte_le_to_cpu_64(rxd(q, gst.rxq[q].next)[1]) & 1)) {
		rxd(q, gst.rxq[q].next)[1] = 0;
		gst.rxq[q].next = (gst.rxq[q].next + 1) % RX_RING;
	}
	return 0;
}

static int
test_dirty_log_on(void)
{
	uint64_t rx0 = xstat("rx_q0_dirty_marks"), tx0 = xstat("tx_q0_dirty_marks");
	unsigned int r;
	uint16_t q;

	TEST_ASSERT(rx0 != UINT64_MAX && tx0 != UINT64_MAX, "dirty_marks xstats");
	TEST_ASSERT_SUCCESS(mig_restart(), "restart the queues");
	TEST_ASSERT_SUCCESS(fake_emudev_raise_dirty_log(&fk.base, true), "DIRTY_LOG on");
	/* Enough rounds to wrap both rings of both queues. */
	for (r = 0; r < 12; r++)
		for (q = 0; q < NB_QP; q++)
			TEST_ASSERT_SUCCESS(dirty_round(q, r, true), "round");
	TEST_ASSERT(xstat("rx_q0_dirty_marks") > rx0 && xstat("tx_q0_dirty_marks") > tx0,
		    "dirty_marks xstats not counted");
	/* 16-byte receive descriptors too. */
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_QUIESCE), "QUIESCE");
	fk.q[GRX][1].rx_fmt = AVF_DESC_FMT_RX_16B;
	TEST_ASSERT_SUCCESS(mig_restart(), "restart the queues");
	TEST_ASSERT_SUCCESS(fake_event(RTE_EMUDEV_EVENT_RESUME), "RESUME");
	for (r = 0; r < 4; r++)
		TEST_ASSERT_SUCCESS(dirty_round(1, 100 + r, true), "round (16-byte)");
	fk.q[GRX][1].rx_fmt = AVF_DESC_FMT_RX_32B;
	TEST_ASSERT_SUCCESS(fake_emudev_raise_dirty_log(&fk.base, false), "DIRTY_LOG off");
	TEST_ASSERT_SUCCESS(mig_restart(), "restart the queues");
	return TEST_SUCCESS;
}

static int
test_dirty_log_off(void)
{
	uint64_t rx0 = xstat("rx_dirty_marks"), tx0 = xstat("tx_dirty_marks");
	unsigned int r;

	TEST_ASSERT_SUCCESS(mig_restart(), "restart the queues");
	TEST_ASSERT_SUCCESS(fake_emudev_raise_dirty_log(&fk.base, true), "DIRTY_LOG on");
	TEST_ASSERT_SUCCESS(fake_emudev_raise_dirty_log(&fk.base, false), "DIRTY_LOG off");
	for (r = 0; r < 4; r++)
		TEST_ASSERT_SUCCESS(dirty_round(r % NB_QP, 200 + r, false), "round");
	TEST_ASSERT(xstat("rx_dirty_marks") == rx0 && xstat("tx_dirty_marks") == tx0,
		    "dirty_marks counted while off");
	/* Queues set up while logging is on log; off again: none. */
	TEST_ASSERT_SUCCESS(fake_emudev_raise_dirty_log(&fk.base, true), "DIRTY_LOG on");
	TEST_ASSERT_SUCCESS(mig_restart(), "restart the queues");
	TEST_ASSERT_SUCCESS(dirty_round(0, 300, true), "round, on after a restart");
	TEST_ASSERT_SUCCESS(fake_emudev_raise_dirty_log(&fk.base, false), "DIRTY_LOG off");
	TEST_ASSERT_SUCCESS(dirty_round(0, 301, false), "round, off");
	return TEST_SUCCESS;
}

/* --------------------------------------------------------- under traffic */

#define TRAFFIC_TOTAL 30000u
#define TRAFFIC_MS 120000u

/* The application: bursts both ways on queue 0, retries what the port refuses. */
static struct {
	bool stop;
	uint32_t rx_next; /* next sequence number expected from the guest */
	uint32_t rx_bad; /* out of order, duplicated, or not a test frame */
	uint32_t tx_next; /* next sequence number to send */
	uint64_t bursts;
} app;

static void *
app_main(void *arg __rte_unused)
{
	struct rte_mbuf *pend[32], *m[32];
	unsigned int np = 0, i;
	uint16_t n, s;

	while (!__atomic_load_n(&app.stop, __ATOMIC_ACQUIRE)) {
		n = rte_eth_rx_burst(port, 0, m, RTE_DIM(m));
		for (i = 0; i < n; i++) {
			uint8_t buf[FRAME_LEN];
			const uint8_t *f = m[i]->pkt_len == FRAME_LEN ?
				rte_pktmbuf_read(m[i], 0, FRAME_LEN, buf) :
				NULL;
			uint32_t seq = f == NULL ? UINT32_MAX : seq_of(f, FRAME_LEN);

			if (seq != app.rx_next)
				__atomic_fetch_add(&app.rx_bad, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&app.rx_next, seq + 1, __ATOMIC_RELEASE);
		}
		free_all(m, n);
		while (np < RTE_DIM(pend) && app.tx_next < TRAFFIC_TOTAL) {
			pend[np] = mbuf_seq(app.tx_next);
			if (pend[np] == NULL)
				break;
			np++;
			app.tx_next++;
		}
		if (np > 0) {
			s = rte_eth_tx_burst(port, 0, pend, (uint16_t)np);
			memmove(pend, pend + s, (np - s) * sizeof(pend[0]));
			np -= s;
		}
		__atomic_fetch_add(&app.bursts, 1, __ATOMIC_RELAXED);
	}
	free_all(pend, np);
	return NULL;
}

/* Every grain of [gpa, gpa + len) is marked. */
static bool
marked(uint64_t gpa, uint64_t len)
{
	uint64_t off;

	for (off = 0; off < len; off += GRAIN)
		if (!fake_emudev_dirty_test(&fk.base, gpa + off))
			return false;
	return true;
}

/*
 * Logging on during a whole interval: what the port wrote from the heads
 * h0 to the heads h1 is marked (transmit: the RS write-backs; receive: the
 * descriptors and the frames).
 */
static int
traffic_marks_check(const uint32_t *h0, const uint32_t *h1)
{
	uint32_t i;

	for (i = h0[GTX]; i != h1[GTX]; i = (i + 1) % TX_RING)
		if (!marked(TX_RING_GPA(0) + i * 16 + 8, 8)) {
			printf("transmit descriptor %u written back, not marked\n", i);
			return -1;
		}
	for (i = h0[GRX]; i != h1[GRX]; i = (i + 1) % RX_RING)
		if (!marked(RX_RING_GPA(0) + i * 32, 32) || !marked(RX_BUF_GPA(0, i), FRAME_LEN)) {
			printf("receive descriptor %u or its buffer written, not marked\n", i);
			return -1;
		}
	return 0;
}

/* The guest reads what came (in order, once). */
static void
traffic_guest_rx(uint32_t *next_seq, uint32_t *bad)
{
	uint32_t s;
	int r;

	while ((r = grx_seq(0, &s)) == 1) {
		if (s != *next_seq)
			(*bad)++;
		*next_seq = s + 1;
	}
	if (r < 0)
		(*bad)++;
}

/*
 * Intervals between RESUME and the next QUIESCE (500 packets moved), by
 * round % 4: logging on all along; switched off in the middle; off all
 * along; switched on in the middle. The switches happen while the
 * application bursts.
 */
static int
test_quiesce_traffic(void)
{
	uint32_t gtx_sent = 0, gtx_clean = 0, grx_next_seq = 0, grx_bad = 0;
	uint32_t next_q = 500, next_toggle = 250, h0[2] = {0, 0}, h1[2], moved;
	uint64_t t0, marks_off = 0, marks_total = 0;
	unsigned int rounds = 0, checked_on = 0, checked_off = 0;
	bool log = true, toggle = false, toggled = false;
	pthread_t th;
	int ret = 0;

	TEST_ASSERT_SUCCESS(mig_restart(), "restart the queues");
	TEST_ASSERT_SUCCESS(fake_emudev_raise_dirty_log(&fk.base, true), "DIRTY_LOG on");
	fake_emudev_dirty_clear(&fk.base);
	memset(&app, 0, sizeof(app));
	TEST_ASSERT_SUCCESS(pthread_create(&th, NULL, app_main, NULL), "thread");
	t0 = now_ms();
	while (now_ms() - t0 < TRAFFIC_MS &&
	       (grx_next_seq < TRAFFIC_TOTAL ||
		__atomic_load_n(&app.rx_next, __ATOMIC_ACQUIRE) < TRAFFIC_TOTAL)) {
		unsigned int k;

		/* The guest transmits as far as its ring allows (completed descriptors come back). */
		while (gtx_clean != gst.txq[0].tail && gtx_done(0, gtx_clean))
			gtx_clean = (gtx_clean + 1) % TX_RING;
		for (k = 0; k < 32 && gtx_sent < TRAFFIC_TOTAL &&
		     (gst.txq[0].tail + 1) % TX_RING != gtx_clean;
		     k++)
			gtx_seq(0, gtx_sent++);
		gtx_kick(0);
		traffic_guest_rx(&grx_next_seq, &grx_bad);
		grx_fill(0, RX_RING - 1);

		moved = gtx_sent + grx_next_seq;
		if (toggle && moved >= next_toggle) {
			/* While the application bursts. */
			toggle = false;
			toggled = true;
			log = !log;
			if (fake_emudev_raise_dirty_log(&fk.base, log) != 0) {
				ret = -1;
				break;
			}
			marks_off = __atomic_load_n(&fk.base.dirty_calls, __ATOMIC_RELAXED);
		}
		if (moved < next_q || toggle)
			continue;

		/* The device stops: the positions are where the guest sees the port stopped. */
		if (fake_event(RTE_EMUDEV_EVENT_QUIESCE) != 0) {
			ret = -1;
			break;
		}
		while (gtx_clean != gst.txq[0].tail && gtx_done(0, gtx_clean))
			gtx_clean = (gtx_clean + 1) % TX_RING;
		traffic_guest_rx(&grx_next_seq, &grx_bad);
		h1[GTX] = fk.base.head[GTX][0];
		h1[GRX] = fk.base.head[GRX][0];
		if (h1[GTX] != gtx_clean || h1[GRX] != gst.rxq[0].next) {
			printf("round %u: heads %u %u, the guest's rings say %u %u\n", rounds,
			       h1[GTX], h1[GRX], gtx_clean, gst.rxq[0].next);
			ret = -1;
			break;
		}
		marks_total += fk.base.dirty_calls;
		if (log && !toggled) {
			/* On all along: every write of the interval marked. */
			if (traffic_marks_check(h0, h1) != 0) {
				printf("round %u: heads %u %u -> %u %u\n", rounds, h0[GTX], h0[GRX],
				       h1[GTX], h1[GRX]);
				ret = -1;
				break;
			}
			checked_on++;
		} else if (!log) {
			/* Off since the middle or all along: no mark since. */
			if (fk.base.dirty_calls != (toggled ? marks_off : 0)) {
				printf("round %u: %" PRIu64 " marks while logging was off\n",
				       rounds, fk.base.dirty_calls - (toggled ? marks_off : 0));
				ret = -1;
				break;
			}
			checked_off++;
		}
		if (rounds % 4 == 2 && fake_mem_publish() != 0) {
			/* An event meanwhile waits for RESUME. */
			ret = -1;
			break;
		}
		rte_delay_us_sleep(1000);
		if ((gtx_clean != gst.txq[0].tail && gtx_done(0, gtx_clean)) ||
		    (rte_le_to_cpu_64(rxd(0, gst.rxq[0].next)[1]) & AVF_RXD_QW1_DD)) {
			printf("round %u: the port moved while quiesced\n", rounds);
			ret = -1;
			break;
		}
		rounds++;
		/* Rounds 1 and 3 switch in the middle of their interval. */
		toggle = rounds % 2 == 1;
		toggled = false;
		next_toggle = moved + 250;
		next_q = moved + 500;
		h0[GTX] = h1[GTX];
		h0[GRX] = h1[GRX];
		fake_emudev_dirty_clear(&fk.base);
		if (fake_event(RTE_EMUDEV_EVENT_RESUME) != 0) {
			ret = -1;
			break;
		}
	}
	__atomic_store_n(&app.stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	fake_emudev_raise_dirty_log(&fk.base, false);
	printf("%u QUIESCE/RESUME rounds (%u checked with logging on, %u off), %" PRIu64
	       " application bursts, %" PRIu64 " marks; guest -> port %u of %u (%u bad), port -> "
	       "guest %u of %u (%u bad), %" PRIu64 " ms\n",
	       rounds, checked_on, checked_off, app.bursts, marks_total, app.rx_next, TRAFFIC_TOTAL,
	       app.rx_bad, grx_next_seq, TRAFFIC_TOTAL, grx_bad, now_ms() - t0);
	TEST_ASSERT_SUCCESS(ret, "QUIESCE rounds");
	TEST_ASSERT(rounds >= 20 && checked_on > 0 && checked_off > 0, "too few rounds");
	TEST_ASSERT(app.rx_next == TRAFFIC_TOTAL && app.rx_bad == 0,
		    "guest -> port: lost, duplicated or reordered");
	TEST_ASSERT(grx_next_seq == TRAFFIC_TOTAL && grx_bad == 0,
		    "port -> guest: lost, duplicated or reordered");
	TEST_ASSERT(marks_total > 0, "no marks while logging was on");
	return TEST_SUCCESS;
}

/* -------------------------------------------------------------------- suite */

static int
suite_setup(void)
{
	mig_ops = iavfbe_fake_ops;
	mig_ops.queue_info_get = mig_queue_info_get;
	mig_ops.queue_head_set = mig_queue_head_set;
	mig_ops.dirty_mark = fake_emudev_dirty_mark;
	snap = malloc(GMEM_SIZE);
	if (snap == NULL)
		return TEST_FAILED;
	if (iavfbe_guest_setup(&mig_ops) != 0)
		goto fail;
	if (fake_emudev_dirty_init(&fk.base, GMEM_GPA, GMEM_SIZE, GRAIN_SHIFT) != 0)
		goto fail;
	return TEST_SUCCESS;
fail:
	iavfbe_guest_teardown();
	free(snap);
	snap = NULL;
	return TEST_FAILED;
}

static void
suite_teardown(void)
{
	/* The port goes first: nothing marks after. */
	iavfbe_guest_teardown();
	fake_emudev_dirty_fini(&fk.base);
	free(snap);
	snap = NULL;
}

static struct unit_test_suite iavfbe_mig_suite = {
	.suite_name = "net_iavfbe migration",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases =
		{
			TEST_CASE(test_emudev_calls),
			TEST_CASE(test_quiesce_positions),
			TEST_CASE(test_resume_at_head),
			TEST_CASE(test_dirty_log_on),
			TEST_CASE(test_dirty_log_off),
			TEST_CASE(test_quiesce_traffic),
			TEST_CASES_END(),
		},
};

static int
test_iavfbe_mig(void)
{
	return unit_test_suite_runner(&iavfbe_mig_suite);
}

REGISTER_TEST_COMMAND(iavfbe_mig_autotest, test_iavfbe_mig);
