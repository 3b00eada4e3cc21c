/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * iavf_client_autotest: what net_iavf_client shows its server. The PMD is
 * attached to an emulated AVF (vdev emu_iavf) in the same process, and the
 * server's DMA table (the device's memory table, IOVA as VA) is compared
 * with the PMD's memory:
 *  - the adapter, queue structures and software rings are in none of the
 *    mapped ranges;
 *  - the descriptor rings, the admin queue and the receive pool's memory
 *    are, and a pool the port does not use is not;
 *  - a transmit pool the port has not seen is not mapped: its first packet
 *    is dropped and counted, the pool is mapped soon after, and unmapped
 *    when it is destroyed.
 * And reconnection (reconnect=MS), on a second device and port: the
 * server removed under the port (link down, LSC, the bursts return 0), a
 * device that no longer fits (fewer queue pairs) refused, then a
 * new one on the same socket (link up by itself, LSC, the rings start
 * again: a completion of the old server is not delivered, the packets in
 * flight go back to their pool, the bursts work again), stop and close
 * while the server is away; bad reconnect= and move_pause_ms= values
 * refused, a good move_pause_ms= taken.
 *
 * DPDK memory must have file descriptors and IOVA must be VA: with
 * --no-huge (the suite's default arguments, no hugepages needed) EAL backs
 * all of its memory with one memfd and chooses IOVA as VA; hugepage memory
 * (--in-memory or not) has its files too. The server trusts this memory
 * (trust_client_memory=1), as DPDK memory cannot be sealed.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#include <ethdev_driver.h>
#include <rte_emudev.h>

#include "iavf_client.h"
#include "test.h"

#define EMU_NAME "emu_iavf_ict"
#define PMD_NAME "net_iavf_client_ict"
#define EMU2_NAME "emu_iavf_icr"
#define PMD2_NAME "net_iavf_client_icr"
#define NB_DESC 64
/* Pools of several 2 MiB pages: some of their pages are theirs alone. */
#define NB_MBUF 4095

static char tmpdir[64];
static char sock_path[96];
static char sock2_path[96];
static bool emu_created, pmd_created;
static uint16_t port_id, emu_id;
static struct rte_mempool *rx_pool, *tx_pool, *other_pool;

/* Is all of [va, va + len) inside the server's DMA table? */
static bool
dma_mapped(uintptr_t va, size_t len)
{
	const struct rte_emudev_mem_table *t = NULL;
	uintptr_t cur = va, end = va + len;

	if (rte_emudev_mem_table_get(emu_id, &t) != 0 || t == NULL)
		return false;
	while (cur < end) {
		uint32_t i;

		for (i = 0; i < t->nb_regions; i++) {
			const struct rte_emudev_mem_region *r = &t->regions[i];

			if (r->guest_phys_addr <= cur && cur < r->guest_phys_addr + r->size) {
				cur = r->guest_phys_addr + r->size;
				break;
			}
		}
		if (i == t->nb_regions)
			return false;
	}
	return true;
}

/* Is any of [va, va + len) inside the server's DMA table? */
static bool
dma_touched(uintptr_t va, size_t len)
{
	const struct rte_emudev_mem_table *t = NULL;
	uint32_t i;

	if (rte_emudev_mem_table_get(emu_id, &t) != 0 || t == NULL)
		return false;
	for (i = 0; i < t->nb_regions; i++) {
		const struct rte_emudev_mem_region *r = &t->regions[i];

		if (r->guest_phys_addr < va + len && va < r->guest_phys_addr + r->size)
			return true;
	}
	return false;
}

struct chunk_check {
	bool all_mapped;
	bool any_interior_mapped;
	bool interior; /* some chunk has pages of its own */
	uintptr_t first_mid;
};

static void
chunk_cb(struct rte_mempool *mp __rte_unused, void *arg, struct rte_mempool_memhdr *mh,
	 unsigned int idx __rte_unused)
{
	struct chunk_check *c = arg;
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(mh->addr);
	uintptr_t a = (uintptr_t)mh->addr;
	size_t pg = msl != NULL ? msl->page_sz : (size_t)sysconf(_SC_PAGESIZE);
	/* The chunk without its first and last page (which it may share). */
	uintptr_t ia = RTE_ALIGN_CEIL(a, pg) + pg, ib = RTE_ALIGN_FLOOR(a + mh->len, pg) - pg;

	if (!dma_mapped(a, mh->len))
		c->all_mapped = false;
	if (ia < ib) {
		c->interior = true;
		if (dma_touched(ia, ib - ia))
			c->any_interior_mapped = true;
	}
	if (c->first_mid == 0)
		c->first_mid = a + mh->len / 2;
}

static struct chunk_check
pool_check(struct rte_mempool *mp)
{
	struct chunk_check c = {true, false, false, 0};

	rte_mempool_mem_iter(mp, chunk_cb, &c);
	return c;
}

static uint64_t
unmapped_drops(void)
{
	struct rte_eth_xstat_name names[64];
	struct rte_eth_xstat xs[64];
	int n, i;

	n = rte_eth_xstats_get_names(port_id, names, RTE_DIM(names));
	if (n <= 0 || n > (int)RTE_DIM(names) || rte_eth_xstats_get(port_id, xs, n) != n)
		return UINT64_MAX;
	for (i = 0; i < n; i++)
		if (strcmp(names[xs[i].id].name, "tx_unmapped_drops") == 0)
			return xs[i].value;
	return UINT64_MAX;
}

static struct rte_mbuf *
frame(struct rte_mempool *mp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p;

	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_append(m, 64);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0xff, 6);
	memset(p + 6, 0x02, 58);
	return m;
}

static void
suite_teardown(void)
{
	if (pmd_created) {
		rte_eth_dev_stop(port_id);
		rte_vdev_uninit(PMD_NAME);
	}
	pmd_created = false;
	if (emu_created)
		rte_vdev_uninit(EMU_NAME);
	emu_created = false;
	rte_mempool_free(rx_pool);
	rte_mempool_free(tx_pool);
	rte_mempool_free(other_pool);
	rx_pool = tx_pool = other_pool = NULL;
	unlink(sock_path);
	unlink(sock2_path);
	if (tmpdir[0] != '\0')
		rmdir(tmpdir);
}

/* Whether the memory rte_malloc() gives is backed by a file the server can map. */
static bool
dpdk_memory_has_fd(void)
{
	const struct rte_memseg *ms;
	void *probe;
	int fd = -1;

	probe = rte_malloc(NULL, 64, 0);
	if (probe == NULL)
		return false;
	ms = rte_mem_virt2memseg(probe, NULL);
	if (ms != NULL)
		fd = rte_memseg_get_fd(ms);
	rte_free(probe);
	return fd >= 0;
}

static int
suite_setup(void)
{
	struct rte_eth_conf conf;
	char args[256];
	int ret;

	if (rte_eal_iova_mode() != RTE_IOVA_VA) {
		printf("IOVA is not VA: run with --iova-mode=va\n");
		return TEST_SKIPPED;
	}
	if (!dpdk_memory_has_fd()) {
		printf("DPDK memory has no file descriptor (EAL could not create its memfd for "
		       "--no-huge memory): the server could not map it\n");
		return TEST_SKIPPED;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/iavfc_test.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return TEST_FAILED;
	snprintf(sock_path, sizeof(sock_path), "%s/s.sock", tmpdir);
	snprintf(sock2_path, sizeof(sock2_path), "%s/r.sock", tmpdir);
	snprintf(args, sizeof(args), "sock=%s,queues=2,trust_client_memory=1", sock_path);
	ret = rte_vdev_init(EMU_NAME, args);
	if (ret != 0) {
		printf("rte_vdev_init(%s, %s): %d: no emu_iavf that trusts DPDK memory\n", EMU_NAME,
		       args, ret);
		suite_teardown();
		return TEST_SKIPPED;
	}
	emu_created = true;
	if (rte_emudev_get_id_by_name(EMU_NAME, &emu_id) != 0)
		goto fail;

	rx_pool = rte_pktmbuf_pool_create("iavfc_t_rx", NB_MBUF, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	tx_pool = rte_pktmbuf_pool_create("iavfc_t_tx", NB_MBUF, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	other_pool = rte_pktmbuf_pool_create("iavfc_t_other", NB_MBUF, 0, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (rx_pool == NULL || tx_pool == NULL || other_pool == NULL) {
		printf("mempools: %s\n", rte_strerror(rte_errno));
		goto fail;
	}

	snprintf(args, sizeof(args), "path=%s,queues=1", sock_path);
	ret = rte_vdev_init(PMD_NAME, args);
	if (ret != 0) {
		printf("rte_vdev_init(%s, %s): %d\n", PMD_NAME, args, ret);
		goto fail;
	}
	pmd_created = true;
	if (rte_eth_dev_get_port_by_name(PMD_NAME, &port_id) != 0)
		goto fail;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port_id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port_id, 0, NB_DESC, SOCKET_ID_ANY, NULL, rx_pool) != 0 ||
	    rte_eth_tx_queue_setup(port_id, 0, NB_DESC, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(port_id) != 0) {
		printf("port %u: configure, queues or start failed\n", port_id);
		goto fail;
	}
	return TEST_SUCCESS;
fail:
	suite_teardown();
	return TEST_FAILED;
}

static int
test_private_not_mapped(void)
{
	struct rte_eth_dev *dev = &rte_eth_devices[port_id];
	struct iavfc_adapter *ad = iavfc_ad(dev);
	struct iavfc_rxq *rxq = dev->data->rx_queues[0];
	struct iavfc_txq *txq = dev->data->tx_queues[0];

	TEST_ASSERT_NOT_NULL(ad, "adapter");
	TEST_ASSERT(dma_mapped((uintptr_t)rxq->ring, NB_DESC * AVF_RX_DESC_SIZE),
		    "the receive ring is not mapped");
	TEST_ASSERT(dma_mapped((uintptr_t)txq->ring, NB_DESC * AVF_TX_DESC_SIZE),
		    "the transmit ring is not mapped");
	TEST_ASSERT(dma_mapped((uintptr_t)ad->atq, IAVFC_ZONE_AQ_SIZE),
		    "the admin queue is not mapped");

	TEST_ASSERT(!dma_touched((uintptr_t)ad, sizeof(*ad)), "the adapter is mapped");
	TEST_ASSERT(!dma_touched((uintptr_t)rxq, sizeof(*rxq)), "the rx queue struct is mapped");
	TEST_ASSERT(!dma_touched((uintptr_t)txq, sizeof(*txq)), "the tx queue struct is mapped");
	TEST_ASSERT(!dma_touched((uintptr_t)rxq->sw_ring, NB_DESC * sizeof(rxq->sw_ring[0])),
		    "the rx software ring is mapped");
	TEST_ASSERT(!dma_touched((uintptr_t)txq->sw_ring, NB_DESC * sizeof(txq->sw_ring[0])),
		    "the tx software ring is mapped");
	TEST_ASSERT(!dma_touched((uintptr_t)txq->rs, NB_DESC * sizeof(txq->rs[0])),
		    "the tx RS FIFO is mapped");
	TEST_ASSERT(!dma_touched((uintptr_t)ad->maps, ad->maps_cap * sizeof(ad->maps[0])),
		    "the DMA map table is mapped");
	/* dev_private holds the adapter's address only. */
	TEST_ASSERT_EQUAL(sizeof(struct iavfc_priv), sizeof(void *), "dev_private size");
	return TEST_SUCCESS;
}

static int
test_pools(void)
{
	struct rte_eth_dev *dev = &rte_eth_devices[port_id];
	struct chunk_check c;
	struct rte_mbuf *m;
	uintptr_t tx_mid;
	uint64_t drops0;
	unsigned int i;

	c = pool_check(rx_pool);
	TEST_ASSERT(c.all_mapped, "the receive pool is not mapped");
	c = pool_check(other_pool);
	TEST_ASSERT(c.interior, "the pools are too small for the test (pages of their own)");
	TEST_ASSERT(!c.any_interior_mapped, "a pool the port does not use is mapped");
	c = pool_check(tx_pool);
	TEST_ASSERT(c.interior, "the pools are too small for the test (pages of their own)");
	TEST_ASSERT(!c.any_interior_mapped, "the transmit pool is mapped before any use");
	tx_mid = c.first_mid;

	/* A transmit pool met for the first time: dropped, counted, then mapped. */
	drops0 = unmapped_drops();
	TEST_ASSERT(drops0 != UINT64_MAX, "no tx_unmapped_drops xstat");
	m = frame(tx_pool);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port_id, 0, &m, 1), 1, "burst");
	TEST_ASSERT_EQUAL(unmapped_drops(), drops0 + 1, "the unmapped packet was not counted");
	for (i = 0; i < 200 && !pool_check(tx_pool).all_mapped; i++)
		rte_delay_us_sleep(10000);
	TEST_ASSERT(pool_check(tx_pool).all_mapped, "the transmit pool was not mapped");
	m = frame(tx_pool);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port_id, 0, &m, 1), 1, "burst");
	TEST_ASSERT_EQUAL(unmapped_drops(), drops0 + 1, "a mapped pool's packet was dropped");
	/* The receive pool is mapped: its packets go out at once. */
	m = frame(rx_pool);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(port_id, 0, &m, 1), 1, "burst");
	TEST_ASSERT_EQUAL(unmapped_drops(), drops0 + 1, "a receive pool's packet was dropped");

	/* External buffers (a pinned external-buffer pool): never mapped, dropped. */
	{
		const struct rte_memzone *mz;
		struct rte_pktmbuf_extmem em;
		struct rte_mempool *xp;

		mz = rte_memzone_reserve_aligned("iavfc_t_ext", 64 * 2048, SOCKET_ID_ANY,
						 RTE_MEMZONE_IOVA_CONTIG, 2048);
		TEST_ASSERT_NOT_NULL(mz, "memzone for external buffers");
		em.buf_ptr = mz->addr;
		em.buf_iova = mz->iova;
		em.buf_len = mz->len;
		em.elt_size = 2048;
		xp = rte_pktmbuf_pool_create_extbuf("iavfc_t_ext", 63, 0, 0, 2048, SOCKET_ID_ANY,
						    &em, 1);
		TEST_ASSERT_NOT_NULL(xp, "external-buffer pool");
		m = frame(xp);
		TEST_ASSERT_NOT_NULL(m, "mbuf");
		TEST_ASSERT(m->ol_flags & RTE_MBUF_F_EXTERNAL, "not an external buffer");
		TEST_ASSERT_EQUAL(rte_eth_tx_burst(port_id, 0, &m, 1), 1, "burst");
		TEST_ASSERT_EQUAL(unmapped_drops(), drops0 + 2, "an external buffer was sent");
		rte_delay_us_sleep(200000);
		TEST_ASSERT(!dma_touched((uintptr_t)mz->addr, mz->len),
			    "external buffers were mapped");
		rte_mempool_free(xp);
		rte_memzone_free(mz);
	}

	/* A pool destroyed is unmapped (the port stopped: its mbufs are back). */
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port_id), "stop");
	TEST_ASSERT(dma_touched(tx_mid, 1), "the transmit pool is not mapped");
	rte_mempool_free(tx_pool);
	tx_pool = NULL;
	TEST_ASSERT(!dma_touched(tx_mid, 1), "a destroyed pool stays mapped");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(port_id), "start again");
	TEST_ASSERT(pool_check(rx_pool).all_mapped, "the receive pool is not mapped");
	RTE_SET_USED(dev);
	return TEST_SUCCESS;
}

/* Write back descriptor idx of the receive ring as the server would. */
static void
rx_writeback(struct iavfc_rxq *q, uint16_t idx, uint64_t qw1)
{
	q->ring[idx].qw1 = rte_cpu_to_le_64(qw1);
}

static uint64_t
rx_len(uint32_t len)
{
	return (uint64_t)len << AVF_RXD_QW1_LEN_SHIFT;
}

/*
 * What a hostile server writes into the receive ring is checked: a length
 * beyond the buffer, error bits, a packet that never ends are dropped and
 * counted; the buffers are the driver's own, whatever qw0 says.
 */
static int
test_rx_writeback_checked(void)
{
	struct rte_eth_dev *dev = &rte_eth_devices[port_id];
	struct iavfc_rxq *q = dev->data->rx_queues[0];
	struct rte_mbuf *pkts[4];
	struct rte_eth_stats st0, st;
	uint16_t idx = q->next, n, i;

	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port_id, &st0), "stats");

	/* A length beyond the buffer. */
	rx_writeback(q, idx, AVF_RXD_QW1_DD | AVF_RXD_QW1_EOF | rx_len(q->buf_len + 1u));
	q->ring[idx].qw0 = 0xdeadbeef000ull; /* an address of the server's choosing */
	n = rte_eth_rx_burst(port_id, 0, pkts, RTE_DIM(pkts));
	TEST_ASSERT_EQUAL(n, 0, "a packet longer than its buffer was received");
	idx = (uint16_t)((idx + 1) % q->nb_desc);

	/* An error bit. */
	rx_writeback(q, idx, AVF_RXD_QW1_DD | AVF_RXD_QW1_EOF | AVF_RXD_QW1_ERR_RXE | rx_len(60));
	n = rte_eth_rx_burst(port_id, 0, pkts, RTE_DIM(pkts));
	TEST_ASSERT_EQUAL(n, 0, "a packet with an error was received");
	idx = (uint16_t)((idx + 1) % q->nb_desc);

	/* A packet that never ends: dropped at the chain limit. */
	for (i = 0; i < IAVFC_RX_MAX_CHAIN_LIMIT; i++)
		rx_writeback(q, (uint16_t)((idx + i) % q->nb_desc),
			     AVF_RXD_QW1_DD | rx_len(q->buf_len));
	n = rte_eth_rx_burst(port_id, 0, pkts, RTE_DIM(pkts));
	TEST_ASSERT_EQUAL(n, 0, "a packet of %u descriptors was received",
			  IAVFC_RX_MAX_CHAIN_LIMIT);
	idx = (uint16_t)((idx + IAVFC_RX_MAX_CHAIN_LIMIT) % q->nb_desc);
	/* Its end, then a good packet. */
	rx_writeback(q, idx, AVF_RXD_QW1_DD | AVF_RXD_QW1_EOF | rx_len(60));
	idx = (uint16_t)((idx + 1) % q->nb_desc);
	rx_writeback(q, idx, AVF_RXD_QW1_DD | AVF_RXD_QW1_EOF | rx_len(60));
	n = rte_eth_rx_burst(port_id, 0, pkts, RTE_DIM(pkts));
	TEST_ASSERT_EQUAL(n, 1, "the good packet after them");
	TEST_ASSERT_EQUAL(pkts[0]->pkt_len, 60, "length");
	TEST_ASSERT(pkts[0]->pool == rx_pool, "a buffer not of the receive pool");
	rte_pktmbuf_free(pkts[0]);

	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port_id, &st), "stats");
	TEST_ASSERT_EQUAL(st.ierrors - st0.ierrors, 3, "dropped packets counted");
	TEST_ASSERT_EQUAL(st.ipackets - st0.ipackets, 1, "received packets counted");
	return TEST_SUCCESS;
}

/* An xstat of a port by name (UINT64_MAX if none). */
static uint64_t
xstat_of(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

/* Wait up to ms for the port's link to be up (1) or down (0). */
static int
wait_link(uint16_t port, int up, unsigned int ms)
{
	struct rte_eth_link l;
	unsigned int i;

	for (i = 0; i <= ms / 10; i++) {
		memset(&l, 0, sizeof(l));
		if (rte_eth_link_get_nowait(port, &l) == 0 && l.link_status == up)
			return 0;
		rte_delay_us_sleep(10000);
	}
	return -1;
}

static uint32_t lsc_events;

static int
lsc_cb(uint16_t port __rte_unused, enum rte_eth_event_type ev __rte_unused, void *arg __rte_unused,
       void *ret __rte_unused)
{
	__atomic_fetch_add(&lsc_events, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Wait up to 1 s for an LSC event after the ev0 seen (raised after the link changed). */
static bool
lsc_after(uint32_t ev0)
{
	unsigned int i;

	for (i = 0; i < 100; i++) {
		if (__atomic_load_n(&lsc_events, __ATOMIC_RELAXED) > ev0)
			return true;
		rte_delay_us_sleep(10000);
	}
	return false;
}

static int
emu2_create(unsigned int nq)
{
	char args[256];

	snprintf(args, sizeof(args), "sock=%s,queues=%u,trust_client_memory=1", sock2_path, nq);
	return rte_vdev_init(EMU2_NAME, args);
}

/* Transmit n frames of rx_pool (mapped): how many the port took. */
static uint16_t
tx_frames(uint16_t port, uint16_t n)
{
	struct rte_mbuf *m[8];
	uint16_t i, sent;

	n = RTE_MIN(n, (uint16_t)RTE_DIM(m));
	for (i = 0; i < n; i++) {
		m[i] = frame(rx_pool);
		if (m[i] == NULL) {
			rte_pktmbuf_free_bulk(m, i);
			return 0;
		}
	}
	sent = rte_eth_tx_burst(port, 0, m, n);
	rte_pktmbuf_free_bulk(&m[sent], n - sent);
	return sent;
}

static int
test_reconnect(void)
{
	static const char *const bad[] = {
		"5", "abc", "-1", "3600001", "1e3", "", "10,reconnect=20"};
	static const char *const bad_pause[] = {"0", "9", "60001", "abc", "-1", "1e3", ""};
	struct rte_eth_conf conf;
	struct rte_mbuf *pkts[4];
	struct iavfc_rxq *rxq;
	unsigned int avail, i;
	char args[256];
	uint32_t ev0;
	uint16_t port;
	int ret;

	/* Bad values: refused by the devargs parser (-EINVAL), before any connection. */
	for (i = 0; i < RTE_DIM(bad); i++) {
		snprintf(args, sizeof(args), "path=%s,reconnect=%s", sock_path, bad[i]);
		ret = rte_vdev_init("net_iavf_client_bad", args);
		TEST_ASSERT_EQUAL(ret, -EINVAL, "reconnect=%s: %d, not -EINVAL", bad[i], ret);
	}
	for (i = 0; i < RTE_DIM(bad_pause); i++) {
		snprintf(args, sizeof(args), "path=%s,move_pause_ms=%s", sock_path, bad_pause[i]);
		ret = rte_vdev_init("net_iavf_client_bad", args);
		TEST_ASSERT_EQUAL(ret, -EINVAL, "move_pause_ms=%s: %d, not -EINVAL", bad_pause[i],
				  ret);
	}

	/* A device of 2 queue pairs (the port uses 1). */
	TEST_ASSERT_SUCCESS(emu2_create(2), "second emu_iavf");
	snprintf(args, sizeof(args), "path=%s,reconnect=10,move_pause_ms=250", sock2_path);
	TEST_ASSERT_SUCCESS(rte_vdev_init(PMD2_NAME, args), "port with reconnect=10");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_port_by_name(PMD2_NAME, &port), "port id");
	TEST_ASSERT_EQUAL(iavfc_ad(&rte_eth_devices[port])->move_pause_ms, 250u,
			  "move_pause_ms=250 not taken");
	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	TEST_ASSERT_SUCCESS(
		rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, lsc_cb, NULL),
		"LSC callback");
	TEST_ASSERT(rte_eth_dev_configure(port, 1, 1, &conf) == 0 &&
			    rte_eth_rx_queue_setup(port, 0, NB_DESC, SOCKET_ID_ANY, NULL,
						   rx_pool) == 0 &&
			    rte_eth_tx_queue_setup(port, 0, NB_DESC, SOCKET_ID_ANY, NULL) == 0 &&
			    rte_eth_dev_start(port) == 0,
		    "configure, queues, start");
	TEST_ASSERT_SUCCESS(wait_link(port, 1, 2000), "link up at start");

	/*
	 * Before the server goes: packets in flight (nobody drains the
	 * device's transmit rings here) and a completion in the receive ring
	 * that the application has not taken yet.
	 */
	avail = rte_mempool_avail_count(rx_pool);
	TEST_ASSERT_EQUAL(tx_frames(port, 8), 8, "8 packets given to the device");
	rxq = rte_eth_devices[port].data->rx_queues[0];
	rx_writeback(rxq, rxq->next, AVF_RXD_QW1_DD | AVF_RXD_QW1_EOF | rx_len(60));

	ev0 = __atomic_load_n(&lsc_events, __ATOMIC_RELAXED);
	TEST_ASSERT_SUCCESS(rte_vdev_uninit(EMU2_NAME), "server removed");
	TEST_ASSERT_SUCCESS(wait_link(port, 0, 2000), "link down after the server left");
	TEST_ASSERT(lsc_after(ev0), "no LSC event at the loss");
	TEST_ASSERT_EQUAL(tx_frames(port, 4), 0, "transmit while the server is away");
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(port, 0, pkts, RTE_DIM(pkts)), 0,
			  "receive while the server is away");

	/* A device that no longer fits the port (1 queue pair): refused. */
	rte_delay_us_sleep(50000);
	TEST_ASSERT_SUCCESS(emu2_create(1), "a smaller device");
	rte_delay_us_sleep(300000);
	TEST_ASSERT_SUCCESS(wait_link(port, 0, 0), "link up on a device of fewer queue pairs");
	TEST_ASSERT_EQUAL(xstat_of(port, "reconnects"), 0,
			  "reconnected to a device of fewer queues");
	TEST_ASSERT_EQUAL(tx_frames(port, 4), 0, "transmit to a refused device");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit(EMU2_NAME), "smaller device removed");

	/* The server is back: up by itself, the rings started again. */
	rte_delay_us_sleep(50000);
	ev0 = __atomic_load_n(&lsc_events, __ATOMIC_RELAXED);
	TEST_ASSERT_SUCCESS(emu2_create(2), "server back");
	TEST_ASSERT_SUCCESS(wait_link(port, 1, 3000), "link up after the server came back");
	TEST_ASSERT(lsc_after(ev0), "no LSC event at the return");
	TEST_ASSERT_EQUAL(xstat_of(port, "reconnects"), 1, "reconnects xstat");
	TEST_ASSERT_EQUAL(xstat_of(port, "rx_reconnect_discards"), 1,
			  "rx_reconnect_discards xstat");
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(port, 0, pkts, RTE_DIM(pkts)), 0,
			  "the old server's completion was delivered");
	TEST_ASSERT_EQUAL(rxq->next, 0, "receive ring not restarted");
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(rx_pool), avail,
			  "packets in flight not given back to their pool (%u, was %u)",
			  rte_mempool_avail_count(rx_pool), avail);
	TEST_ASSERT_EQUAL(tx_frames(port, 4), 4, "transmit after the reconnection");

	/* Away again: stop, start (link down, no error), stop and close. */
	TEST_ASSERT_SUCCESS(rte_vdev_uninit(EMU2_NAME), "server removed again");
	TEST_ASSERT_SUCCESS(wait_link(port, 0, 2000), "link down again");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop while the server is away");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(port), "start while the server is away");
	TEST_ASSERT_SUCCESS(wait_link(port, 0, 100), "started with the link down");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_close(port), "close while the server is away");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit(PMD2_NAME), "vdev removed");
	unlink(sock2_path);
	return TEST_SUCCESS;
}

static struct unit_test_suite iavf_client_suite = {
	.suite_name = "net_iavf_client: what the server sees",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases =
		{
			TEST_CASE(test_private_not_mapped),
			TEST_CASE(test_pools),
			TEST_CASE(test_rx_writeback_checked),
			TEST_CASE(test_reconnect),
			TEST_CASES_END(),
		},
};

static int
test_iavf_client(void)
{
	return unit_test_suite_runner(&iavf_client_suite);
}

REGISTER_TEST_COMMAND(iavf_client_autotest, test_iavf_client);
