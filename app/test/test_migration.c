/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * migration_autotest: live migration of an emulated AVF between two
 * servers, the way a hypervisor does it, in one process and without a VM.
 *
 * Two devices, A (the source) and B (the destination), each an emu_iavf
 * with its backend port net_iavfbe. Two "guest memories", M1 and M2
 * (memfds). The test plays three parts:
 *  - the hypervisor, with the vfio-user client library: DMA-maps M1 to A,
 *    starts DMA logging, takes A through PRE_COPY and STOP_COPY, copies M1
 *    to M2 (all of it, then the pages reported dirty, round after round),
 *    reads A's state, maps M2 to B, writes the state to B and runs it;
 *  - the guest's driver (test_avf_guest): brings A up, posts receive
 *    buffers and transmits packets through the rings in guest memory, and
 *    goes on on B with M2 after the migration (the "vCPU" writes it does
 *    are logged by the test as KVM would log them);
 *  - the backend application: bursts on A's port, then on B's.
 *
 * Every packet carries a sequence number, in each direction: none may be
 * duplicated or skipped across the migration; the backend's transmissions
 * refused while the device is stopped are counted (they are not skipped
 * numbers: the backend sends them again, as an application does).
 *
 * The test can fail: M2 without the device's last dirty pages must differ
 * from M1 (the device wrote guest memory during the pre-copy), and M2 with
 * them must equal M1.
 *
 * Cases depend on the order they run in (one guest, migrated once).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <rte_emudev.h>
#include <rte_vfio_user.h>
#include <rte_vfio_user_client.h>

#include <avf_desc.h>

#include "test.h"
#include "test_avf_guest.h"
#include "test_common.h"

#define NB_QP 2u
#define DEV_MAC "02:00:00:00:00:01"
#define PAGE 4096u
#define NB_PAGES (GUEST_SIZE / PAGE)
#define BITMAP_WORDS (NB_PAGES / 64)

/* Guest buffers of queue 0 (the rings are at TX_RING_OFF(0) and RX_RING_OFF(0)). */
#define TXB_SIZE 256u
#define TXB_OFF(i) (0x230000u + (i)*TXB_SIZE)
/*
 * A page per receive buffer (so that a write the device does not report
 * cannot hide behind another one in the same page): RX_SLOTS buffers, used
 * by descriptor i % RX_SLOTS, and fewer descriptors than that posted.
 */
#define RX_SLOTS 256u
#define RXB_OFF(i) (0x300000u + ((i) % RX_SLOTS) * PAGE)
#define TXD_SIZE 16u
#define RXD_SIZE 32u

static_assert(TXB_OFF(RING_LEN) <= 0x300000u, "transmit buffers overlap");
static_assert(0x300000u + RX_SLOTS * PAGE <= GUEST_SIZE, "receive buffers outside guest memory");
static_assert(RX_BUF_SIZE <= PAGE && RX_SLOTS < RING_LEN, "receive buffers");
static_assert(RX_RING_OFF(NB_QP) <= TXB_OFF(0), "rings overlap the buffers");

/* Packets: Ethernet, local experimental ethertype, magic, direction, sequence. */
#define PKT_ETHERTYPE 0x88B5u
#define PKT_MAGIC 0x4D494754u /* "MIGT" */
#define DIR_GUEST_TX 1u
#define DIR_GUEST_RX 2u
#define PKT_HDR 23u

/* Traffic per step, pre-copy rounds. */
#define BURST 32u
#define STEP_PKTS 64u
#define ROUNDS 4u

static const uint8_t dev_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x02};

/* One device: emu_iavf + net_iavfbe. */
struct mdev {
	const char *emu_name;
	const char *port_name;
	char sock[160];
	bool emu_created;
	uint16_t emu_id;
	uint16_t port;
	unsigned int nb_ev[RTE_EMUDEV_EVENT_MAX];
	unsigned int nb_log_on;
	unsigned int nb_log_off;
};

static struct mdev dev_a = {
	.emu_name = "emu_iavf_mig_a", .port_name = "net_iavfbe_mig_a", .port = UINT16_MAX};
static struct mdev dev_b = {
	.emu_name = "emu_iavf_mig_b", .port_name = "net_iavfbe_mig_b", .port = UINT16_MAX};

static char tmpdir[64];
static struct rte_mempool *pool;

/* The guest's driver; m2 holds the other memory (M2, then M1 after the switch). */
static struct avf_guest g;
static struct avf_guest m2;
static struct rte_vfio_user_client *cb; /* the hypervisor's client of B */
static bool on_b; /* the guest runs on B (g.c is B's client, g.mem is M2) */

/* Pages the guest's CPU wrote (the hypervisor's own dirty log). */
static uint64_t cpu_dirty[BITMAP_WORDS];

/* The guest's rings (queue 0) and the sequence numbers of both directions. */
static struct {
	uint32_t tx_tail; /* next transmit descriptor the guest writes */
	uint32_t tx_clean; /* oldest transmit descriptor not seen done */
	uint32_t tx_seq; /* next sequence number the guest sends */
	uint32_t rx_tail; /* next receive descriptor the guest posts */
	uint32_t rx_next; /* next receive descriptor the guest reads */
	uint32_t rx_seq; /* next sequence number the guest expects */
	uint32_t be_rx_seq; /* next sequence number the backend expects */
	uint32_t be_tx_seq; /* next sequence number the backend sends */
	uint64_t refused; /* backend transmissions refused (sent again later) */
	uint64_t errors; /* duplicated, skipped or corrupt packets */
	uint64_t g_rx, g_tx, be_rx, be_tx; /* packets */
} tr;

/* ------------------------------------------------------------ guest memory */

static void
cpu_mark(uint64_t off, uint64_t len)
{
	uint64_t p;

	for (p = off / PAGE; p <= (off + len - 1) / PAGE && p < NB_PAGES; p++)
		cpu_dirty[p / 64] |= UINT64_C(1) << (p % 64);
}

/* The guest CPU writes len bytes at off (logged). */
static void
gwrite(uint64_t off, const void *src, uint32_t len)
{
	memcpy(ag_mem(&g, off), src, len);
	cpu_mark(off, len);
}

static void
gwrite64(uint64_t off, uint64_t v)
{
	__atomic_store_n((uint64_t *)ag_mem(&g, off), v, __ATOMIC_RELAXED);
	cpu_mark(off, 8);
}

static uint64_t
gread64(uint64_t off)
{
	return __atomic_load_n((const uint64_t *)ag_mem(&g, off), __ATOMIC_ACQUIRE);
}

static unsigned int
bitmap_count(const uint64_t *bm)
{
	unsigned int i, n = 0;

	for (i = 0; i < BITMAP_WORDS; i++)
		n += (unsigned int)__builtin_popcountll(bm[i]);
	return n;
}

/* Copy the pages of bm from src to dst. */
static void
copy_pages(uint8_t *dst, const uint8_t *src, const uint64_t *bm)
{
	unsigned int p;

	for (p = 0; p < NB_PAGES; p++)
		if (bm[p / 64] & (UINT64_C(1) << (p % 64)))
			memcpy(dst + (size_t)p * PAGE, src + (size_t)p * PAGE, PAGE);
}

/* FNV-1a, 64 bits, over guest memory. */
static uint64_t
checksum(const uint8_t *m)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	for (i = 0; i < GUEST_SIZE; i++) {
		h ^= m[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* --------------------------------------------------------------- packets */

static uint32_t
pkt_len(uint32_t seq)
{
	return 64u + seq % 61u;
}

static void
pkt_build(uint8_t *p, uint8_t dir, uint32_t seq)
{
	uint32_t len = pkt_len(seq), i;

	memcpy(p, dev_mac, 6);
	memcpy(p + 6, peer_mac, 6);
	p[12] = PKT_ETHERTYPE >> 8;
	p[13] = PKT_ETHERTYPE & 0xff;
	put_le32(p + 14, PKT_MAGIC);
	p[18] = dir;
	put_le32(p + 19, seq);
	for (i = PKT_HDR; i < len; i++)
		p[i] = (uint8_t)(seq * 7u + i);
}

/*
 * Check a received packet against the next expected sequence number.
 * @return 0, or -1 (printed) for a duplicated, skipped or corrupt packet.
 */
static int
pkt_check(const uint8_t *p, uint32_t len, uint8_t dir, uint32_t expect, const char *who)
{
	uint8_t ref[PKT_HDR + 128];
	uint32_t seq;

	if (len < PKT_HDR || get_le32(p + 14) != PKT_MAGIC || p[18] != dir) {
		printf("%s: not a test packet (length %" PRIu32 ")\n", who, len);
		return -1;
	}
	seq = get_le32(p + 19);
	if (seq != expect) {
		printf("%s: sequence %" PRIu32 ", expected %" PRIu32 " (%s)\n", who, seq, expect,
		       seq < expect ? "duplicated" : "skipped");
		return -1;
	}
	pkt_build(ref, dir, seq);
	if (len != pkt_len(seq) || memcmp(p, ref, len) != 0) {
		printf("%s: packet %" PRIu32 " corrupt (length %" PRIu32 ")\n", who, seq, len);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- the guest */

static uint64_t
txd_off(uint32_t i)
{
	return TX_RING_OFF(0) + (uint64_t)i * TXD_SIZE;
}

static uint64_t
rxd_off(uint32_t i)
{
	return RX_RING_OFF(0) + (uint64_t)i * RXD_SIZE;
}

/* Post receive descriptor i (its own buffer). */
static void
grx_post_one(uint32_t i)
{
	gwrite64(rxd_off(i), GUEST_IOVA + RXB_OFF(i));
	gwrite64(rxd_off(i) + 8, 0);
	gwrite64(rxd_off(i) + 16, 0);
	gwrite64(rxd_off(i) + 24, 0);
}

/* Post receive descriptors from rx_tail, RX_SLOTS - 1 outstanding. */
static int
grx_fill(void)
{
	uint32_t n = 0;

	while ((tr.rx_tail + RING_LEN - tr.rx_next) % RING_LEN < RX_SLOTS - 1) {
		grx_post_one(tr.rx_tail);
		tr.rx_tail = (tr.rx_tail + 1) % RING_LEN;
		n++;
	}
	if (n == 0)
		return 0;
	rte_smp_wmb();
	return ag_reg_wr(&g, R_QRX_TAIL(0), tr.rx_tail);
}

/* Read back what the device wrote into the receive ring, post again. */
static unsigned int
grx_poll(void)
{
	unsigned int n = 0;

	for (;;) {
		uint64_t qw1 = gread64(rxd_off(tr.rx_next) + 8);
		uint32_t len = (uint32_t)((qw1 >> AVF_RXD_QW1_LEN_SHIFT) & AVF_RXD_QW1_LEN_MASK);

		if (!(qw1 & AVF_RXD_QW1_DD))
			break;
		if (!(qw1 & AVF_RXD_QW1_EOF) || (qw1 & AVF_RXD_QW1_ERR_RXE) || len > RX_BUF_SIZE ||
		    pkt_check(ag_mem(&g, RXB_OFF(tr.rx_next)), len, DIR_GUEST_RX, tr.rx_seq,
			      "guest RX") != 0) {
			printf("guest RX: descriptor %" PRIu32 " qw1 0x%016" PRIx64 "\n",
			       tr.rx_next, qw1);
			tr.errors++;
			if (len >= PKT_HDR && len <= RX_BUF_SIZE)
				tr.rx_seq =
					get_le32((uint8_t *)ag_mem(&g, RXB_OFF(tr.rx_next)) + 19) +
					1;
		} else {
			tr.rx_seq++;
		}
		tr.g_rx++;
		n++;
		tr.rx_next = (tr.rx_next + 1) % RING_LEN;
	}
	if (n > 0 && grx_fill() != 0) {
		printf("guest RX: tail write failed\n");
		tr.errors++;
	}
	return n;
}

/* Reclaim the transmit descriptors the device completed. */
static void
gtx_reclaim(void)
{
	while (tr.tx_clean != tr.tx_tail &&
	       (gread64(txd_off(tr.tx_clean) + 8) & AVF_TXD_DTYPE_MASK) == AVF_TXD_DTYPE_DONE)
		tr.tx_clean = (tr.tx_clean + 1) % RING_LEN;
}

/* The guest transmits up to n packets (as many as the ring takes). */
static unsigned int
gtx_send(unsigned int n)
{
	uint8_t p[PKT_HDR + 128];
	unsigned int k;

	gtx_reclaim();
	for (k = 0; k < n; k++) {
		uint32_t i = tr.tx_tail, len = pkt_len(tr.tx_seq);
		uint64_t cmd = AVF_TXD_CMD_EOP | AVF_TXD_CMD_RS | AVF_TXD_CMD_ICRC;

		if ((i + 1) % RING_LEN == tr.tx_clean)
			break;
		pkt_build(p, DIR_GUEST_TX, tr.tx_seq);
		gwrite(TXB_OFF(i), p, len);
		gwrite64(txd_off(i), GUEST_IOVA + TXB_OFF(i));
		gwrite64(txd_off(i) + 8,
			 AVF_TXD_DTYPE_DATA | cmd << AVF_TXD_CMD_SHIFT |
				 (uint64_t)(14u / 2u) << AVF_TXD_OFFSET_SHIFT |
				 (uint64_t)len << AVF_TXD_BSZ_SHIFT);
		tr.tx_tail = (i + 1) % RING_LEN;
		tr.tx_seq++;
		tr.g_tx++;
	}
	rte_smp_wmb();
	if (k > 0 && ag_reg_wr(&g, R_QTX_TAIL(0), tr.tx_tail) != 0) {
		printf("guest TX: tail write failed\n");
		tr.errors++;
	}
	return k;
}

/* ----------------------------------------------------------- the backend */

/* Receive on a port until it gives nothing twice; check the sequence. */
static unsigned int
be_rx(uint16_t port)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int total = 0, empty = 0, i;
	uint16_t n;

	while (empty < 2) {
		n = rte_eth_rx_burst(port, 0, pkts, BURST);
		empty = n == 0 ? empty + 1 : 0;
		for (i = 0; i < n; i++) {
			const struct rte_mbuf *m = pkts[i];

			if (m->nb_segs != 1 ||
			    pkt_check(rte_pktmbuf_mtod(m, const uint8_t *), m->pkt_len,
				      DIR_GUEST_TX, tr.be_rx_seq, "backend RX") != 0) {
				tr.errors++;
				if (m->data_len >= PKT_HDR)
					tr.be_rx_seq =
						get_le32(rte_pktmbuf_mtod(m, const uint8_t *) +
							 19) +
						1;
			} else {
				tr.be_rx_seq++;
			}
			rte_pktmbuf_free(pkts[i]);
		}
		total += n;
	}
	tr.be_rx += total;
	return total;
}

/*
 * Transmit n packets on a port (in bursts); what the port refuses is
 * counted and sent again next time (the same sequence numbers).
 * @return packets accepted.
 */
static unsigned int
be_tx(uint16_t port, unsigned int n)
{
	struct rte_mbuf *pkts[BURST];
	unsigned int done = 0, i, k;
	uint16_t sent;

	while (done < n) {
		k = RTE_MIN(n - done, BURST);
		if (rte_pktmbuf_alloc_bulk(pool, pkts, k) != 0) {
			printf("backend TX: no mbufs\n");
			tr.errors++;
			return done;
		}
		for (i = 0; i < k; i++) {
			uint32_t seq = tr.be_tx_seq + i;
			uint8_t *d = (uint8_t *)rte_pktmbuf_append(pkts[i], (uint16_t)pkt_len(seq));

			pkt_build(d, DIR_GUEST_RX, seq);
		}
		sent = rte_eth_tx_burst(port, 0, pkts, (uint16_t)k);
		for (i = sent; i < k; i++)
			rte_pktmbuf_free(pkts[i]);
		tr.be_tx_seq += sent;
		tr.be_tx += sent;
		done += sent;
		if (sent < k) {
			tr.refused += k - sent;
			break;
		}
	}
	return done;
}

/*
 * One step of traffic both ways through a port: the guest transmits, the
 * backend receives, the backend transmits, the guest receives.
 */
static void
traffic_step(uint16_t port, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i += BURST) {
		gtx_send(BURST);
		be_rx(port);
		be_tx(port, BURST);
		grx_poll();
	}
}

static void
traffic_print(const char *when)
{
	printf("%s: guest TX %" PRIu64 " -> backend RX %" PRIu64 "; backend TX %" PRIu64
	       " -> guest RX %" PRIu64 "; refused %" PRIu64 ", errors %" PRIu64 "\n",
	       when, tr.g_tx, tr.be_rx, tr.be_tx, tr.g_rx, tr.refused, tr.errors);
}

/* ------------------------------------------------------------- devices */

static void
count_event(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	struct mdev *d = arg;

	RTE_SET_USED(dev_id);
	if ((unsigned int)ev->type < RTE_EMUDEV_EVENT_MAX)
		__atomic_fetch_add(&d->nb_ev[ev->type], 1, __ATOMIC_RELAXED);
	if (ev->type == RTE_EMUDEV_EVENT_DIRTY_LOG)
		__atomic_fetch_add(ev->dirty_log.on ? &d->nb_log_on : &d->nb_log_off, 1,
				   __ATOMIC_RELAXED);
}

static unsigned int
ev_get(const struct mdev *d, enum rte_emudev_event_type t)
{
	return __atomic_load_n(&d->nb_ev[t], __ATOMIC_RELAXED);
}

static int
mdev_create(struct mdev *d, const char *sockname)
{
	struct rte_eth_conf conf;
	char args[256];
	uint16_t q;
	int ret;

	snprintf(d->sock, sizeof(d->sock), "%s/%s", tmpdir, sockname);
	snprintf(args, sizeof(args), "sock=%s,queues=%u,mac=%s", d->sock, NB_QP, DEV_MAC);
	ret = rte_vdev_init(d->emu_name, args);
	if (ret != 0) {
		printf("rte_vdev_init(%s, %s): %d\n", d->emu_name, args, ret);
		return -1;
	}
	d->emu_created = true;
	if (rte_emudev_get_id_by_name(d->emu_name, &d->emu_id) != 0) {
		printf("no emudev %s\n", d->emu_name);
		return -1;
	}
	if (rte_emudev_event_register(d->emu_id, RTE_EMUDEV_EVENT_ALL, count_event, d) != 0) {
		printf("%s: event registration failed\n", d->emu_name);
		return -1;
	}
	snprintf(args, sizeof(args), "emu=%s", d->emu_name);
	ret = rte_vdev_init(d->port_name, args);
	if (ret != 0) {
		printf("rte_vdev_init(%s, %s): %d\n", d->port_name, args, ret);
		return -1;
	}
	if (rte_eth_dev_get_port_by_name(d->port_name, &d->port) != 0) {
		printf("no port %s\n", d->port_name);
		rte_vdev_uninit(d->port_name);
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(d->port, NB_QP, NB_QP, &conf);
	for (q = 0; ret == 0 && q < NB_QP; q++) {
		ret = rte_eth_rx_queue_setup(d->port, q, 512, SOCKET_ID_ANY, NULL, pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(d->port, q, 512, SOCKET_ID_ANY, NULL);
	}
	if (ret == 0)
		ret = rte_eth_dev_start(d->port);
	if (ret != 0) {
		printf("%s: configure/setup/start: %d\n", d->port_name, ret);
		return -1;
	}
	return 0;
}

static void
mdev_destroy(struct mdev *d)
{
	if (d->port != UINT16_MAX) {
		rte_eth_dev_stop(d->port);
		rte_eth_dev_close(d->port);
		rte_vdev_uninit(d->port_name);
		d->port = UINT16_MAX;
	}
	if (d->emu_created) {
		rte_emudev_event_unregister(d->emu_id, RTE_EMUDEV_EVENT_ALL, count_event, d);
		if (rte_vdev_uninit(d->emu_name) != 0)
			printf("rte_vdev_uninit(%s) failed\n", d->emu_name);
		d->emu_created = false;
	}
	if (d->sock[0] != '\0')
		unlink(d->sock);
}

static bool
link_wait(uint16_t port, bool up)
{
	struct rte_eth_link link;
	uint64_t deadline = now_ms() + WAIT_MS;

	do {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    (link.link_status == RTE_ETH_LINK_UP) == up)
			return true;
		rte_delay_us_sleep(1000);
	} while (now_ms() < deadline);
	return false;
}

/* ------------------------------------------------------------ registers */

/* The registers compared between A and B (ICR01 is read-to-clear: not read). */
static const struct {
	const char *name;
	uint32_t off;
} regs[] = {
	{"ATQBAL", R_ATQBAL},
	{"ATQBAH", R_ATQBAH},
	{"ATQLEN", R_ATQLEN},
	{"ATQH", R_ATQH},
	{"ATQT", R_ATQT},
	{"ARQBAL", R_ARQBAL},
	{"ARQBAH", R_ARQBAH},
	{"ARQLEN", R_ARQLEN},
	{"ARQH", R_ARQH},
	{"ARQT", R_ARQT},
	{"VFGEN_RSTAT", R_RSTAT},
	{"ICR0_ENA1", R_ICR0_ENA1},
	{"DYN_CTL01", R_DYN_CTL01},
	{"DYN_CTLN1(0)", R_DYN_CTLN1(0)},
	{"DYN_CTLN1(1)", R_DYN_CTLN1(1)},
	{"QTX_TAIL(0)", R_QTX_TAIL(0)},
	{"QTX_TAIL(1)", R_QTX_TAIL(1)},
	{"QRX_TAIL(0)", R_QRX_TAIL(0)},
	{"QRX_TAIL(1)", R_QRX_TAIL(1)},
};

static int
regs_read(struct rte_vfio_user_client *c, uint32_t *v)
{
	uint8_t b[4];
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(regs); i++) {
		ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_BAR0, regs[i].off, b,
						       sizeof(b));
		if (ret != 0) {
			printf("read of %s: %s\n", regs[i].name, strerror(-ret));
			return ret;
		}
		v[i] = get_le32(b);
	}
	return 0;
}

/* Queue information of a device (what the consumer sees). */
static int
qinfo_all(const struct mdev *d, struct rte_emudev_queue_info qi[2][NB_QP])
{
	unsigned int dir, q;
	int ret;

	for (dir = 0; dir < 2; dir++)
		for (q = 0; q < NB_QP; q++) {
			memset(&qi[dir][q], 0, sizeof(qi[dir][q]));
			ret = rte_emudev_queue_info_get(d->emu_id, (enum rte_emudev_queue_dir)dir,
							(uint16_t)q, &qi[dir][q]);
			if (ret != 0) {
				printf("%s: queue info %u/%u: %d\n", d->emu_name, dir, q, ret);
				return ret;
			}
		}
	return 0;
}

/* ----------------------------------------------------------- suite setup */

static void
suite_teardown(void)
{
	if (cb != NULL && cb != g.c)
		rte_vfio_user_client_close(cb);
	cb = NULL;
	ag_disconnect(&g);
	mdev_destroy(&dev_b);
	mdev_destroy(&dev_a);
	ag_free_mem(&g);
	ag_free_mem(&m2);
	rte_mempool_free(pool);
	pool = NULL;
	if (tmpdir[0] != '\0')
		rmdir(tmpdir);
	tmpdir[0] = '\0';
}

static int
suite_setup(void)
{
	ag_init(&g, NB_QP + 1);
	ag_init(&m2, 0);
	memset(&tr, 0, sizeof(tr));
	memset(cpu_dirty, 0, sizeof(cpu_dirty));
	on_b = false;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/migration_test.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		printf("mkdtemp: %s\n", strerror(errno));
		tmpdir[0] = '\0';
		return TEST_FAILED;
	}
	pool = rte_pktmbuf_pool_create("migration_test", 4096, 128, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		printf("mbuf pool: %s\n", rte_strerror(rte_errno));
		goto fail;
	}
	if (ag_alloc_mem(&g) != 0 || ag_alloc_mem(&m2) != 0) {
		printf("guest memory: %s\n", strerror(errno));
		goto fail;
	}
	if (mdev_create(&dev_a, "a.sock") != 0 || mdev_create(&dev_b, "b.sock") != 0)
		goto fail;
	return TEST_SUCCESS;
fail:
	suite_teardown();
	return TEST_FAILED;
}

/* ------------------------------------------------------------------ cases */

/* The guest comes up on A (a VM that starts: reset first) and traffic flows. */
static int
test_guest_on_a(void)
{
	const struct rte_vfio_user_client_caps *caps;
	enum rte_vfio_user_mig_state st;
	uint64_t flags = 0;

	TEST_ASSERT_SUCCESS(ag_connect(&g, dev_a.sock), "connect to A");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_reset(g.c), "DEVICE_RESET");
	TEST_ASSERT_SUCCESS(ag_bring_up_queues(&g, NB_QP), "bring-up on A");
	TEST_ASSERT(link_wait(dev_a.port, true), "A's port: link up");
	TEST_ASSERT_SUCCESS(grx_fill(), "receive buffers");
	traffic_step(dev_a.port, 4 * STEP_PKTS);
	traffic_print("on A");
	TEST_ASSERT_EQUAL(tr.errors, 0, "errors");
	TEST_ASSERT_EQUAL(tr.refused, 0, "refused while running");
	TEST_ASSERT_EQUAL(tr.be_rx, tr.g_tx, "everything the guest sent arrived");
	TEST_ASSERT_EQUAL(tr.g_rx, tr.be_tx, "everything the backend sent arrived");
	TEST_ASSERT(tr.g_rx > 0 && tr.be_rx > 0, "traffic both ways");

	caps = rte_vfio_user_client_caps(g.c);
	TEST_ASSERT(caps != NULL && caps->migration, "A offers the migration capability");
	printf("A: migration capability, logging page sizes 0x%" PRIx64 ", bitmap at most %" PRIu64
	       " bytes\n",
	       caps->mig_pgsize, caps->mig_max_bitmap_size);
	TEST_ASSERT(caps->mig_pgsize & PAGE, "4 KiB logging pages");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_mig_flags(g.c, &flags), "MIGRATION flags");
	TEST_ASSERT_EQUAL(flags & (RTE_VFIO_USER_MIG_F_STOP_COPY | RTE_VFIO_USER_MIG_F_PRE_COPY),
			  RTE_VFIO_USER_MIG_F_STOP_COPY | RTE_VFIO_USER_MIG_F_PRE_COPY,
			  "migration flags 0x%" PRIx64, flags);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_mig_state_get(g.c, &st), "state of A");
	TEST_ASSERT_EQUAL(st, RTE_VFIO_USER_MIG_STATE_RUNNING, "A runs");

	return TEST_SUCCESS;
}

/* Logging off (never started): nothing is marked; reports need logging on. */
static int
test_logging_off(void)
{
	const struct rte_vfio_user_dma_range r = {GUEST_IOVA, GUEST_SIZE};
	uint64_t bm[BITMAP_WORDS];
	unsigned int on0 = dev_a.nb_log_on, off0 = dev_a.nb_log_off;
	int ret;

	ret = rte_vfio_user_client_dma_logging_report(g.c, GUEST_IOVA, GUEST_SIZE, PAGE, bm);
	TEST_ASSERT(ret < 0, "report with logging never started: %d", ret);
	traffic_step(dev_a.port, 2 * STEP_PKTS);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_logging_start(g.c, PAGE, &r, 1),
			    "DMA_LOGGING_START");
	TEST_ASSERT_EQUAL(dev_a.nb_log_on - on0, 1, "DIRTY_LOG on events");
	memset(bm, 0xff, sizeof(bm));
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_dma_logging_report(g.c, GUEST_IOVA, GUEST_SIZE, PAGE, bm),
		"report");
	printf("traffic with logging off, then a report: %u dirty pages\n", bitmap_count(bm));
	TEST_ASSERT_EQUAL(bitmap_count(bm), 0, "pages marked while logging was off");
	/* The same with traffic: marked (the log works), then read and cleared. */
	traffic_step(dev_a.port, STEP_PKTS);
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_dma_logging_report(g.c, GUEST_IOVA, GUEST_SIZE, PAGE, bm),
		"report");
	printf("traffic with logging on: %u dirty pages\n", bitmap_count(bm));
	TEST_ASSERT(bitmap_count(bm) > 0, "no page marked with logging on");
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_dma_logging_report(g.c, GUEST_IOVA, GUEST_SIZE, PAGE, bm),
		"report");
	TEST_ASSERT_EQUAL(bitmap_count(bm), 0, "a report clears the log");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_logging_stop(g.c), "DMA_LOGGING_STOP");
	TEST_ASSERT_EQUAL(dev_a.nb_log_off - off0, 1, "DIRTY_LOG off events");
	ret = rte_vfio_user_client_dma_logging_report(g.c, GUEST_IOVA, GUEST_SIZE, PAGE, bm);
	TEST_ASSERT(ret < 0, "report after DMA_LOGGING_STOP: %d", ret);
	traffic_step(dev_a.port, STEP_PKTS);
	traffic_print("logging off");
	TEST_ASSERT_EQUAL(tr.errors, 0, "errors");
	return TEST_SUCCESS;
}

/*
 * The guest asks for its statistics over the admin queue: its CPU writes
 * an ATQ descriptor and buffer and gives an ARQ descriptor back (logged
 * here); the device writes the ATQ write-back, an ARQ descriptor and the
 * reply into an ARQ buffer (its own log).
 */
/* The guest's counters (virtchnl_eth_stats) taken before the stop, and the traffic then. */
#define NB_ETH_STATS 12u
static uint64_t stats_before[NB_ETH_STATS];
static uint64_t be_rx_at_stats, g_rx_at_stats;

static int
guest_aq_stats(uint64_t *out)
{
	uint8_t resp[256];
	uint16_t len = 0;
	unsigned int i;
	int st;

	cpu_mark(ATQ_RING_OFF, AQ_ENTRIES * sizeof(struct aq_desc));
	cpu_mark(ATQ_BUF_OFF(g.atq_tail), AQ_BUF_SIZE);
	cpu_mark(ARQ_RING_OFF, AQ_ENTRIES * sizeof(struct aq_desc));
	st = ag_vc_queue_select(&g, VC_OP_GET_STATS, g.vsi_id, 0, 0, resp, sizeof(resp), &len);
	if (st != 0 || len == 0 || (out != NULL && len < NB_ETH_STATS * 8u)) {
		printf("GET_STATS: status %d, %u bytes\n", st, len);
		return -1;
	}
	for (i = 0; out != NULL && i < NB_ETH_STATS; i++)
		out[i] = get_le64(resp + 8u * i);
	return 0;
}

/* Packets the guest sent (tx_unicast + multicast + broadcast), received (rx_*). */
static uint64_t
stats_sent(const uint64_t *s)
{
	return s[7] + s[8] + s[9];
}

static uint64_t
stats_received(const uint64_t *s)
{
	return s[1] + s[2] + s[3];
}

/* Report and clear A's log into bm. */
static int
report(uint64_t *bm)
{
	int ret;

	memset(bm, 0, BITMAP_WORDS * sizeof(*bm));
	ret = rte_vfio_user_client_dma_logging_report(g.c, GUEST_IOVA, GUEST_SIZE, PAGE, bm);
	if (ret != 0)
		printf("DMA_LOGGING_REPORT: %s\n", strerror(-ret));
	return ret;
}

static void
bitmap_or(uint64_t *dst, const uint64_t *src)
{
	unsigned int i;

	for (i = 0; i < BITMAP_WORDS; i++)
		dst[i] |= src[i];
}

/*
 * Read a stopped device's state (MIG_DATA_READ until it gives 0 bytes)
 * into a new buffer (*len bytes).
 * @return the buffer (free() it), or NULL (printed).
 */
static uint8_t *
state_read(struct rte_vfio_user_client *c, size_t *len)
{
	uint8_t *buf = malloc(RTE_VFIO_USER_MIG_MAX_DATA);
	int ret;

	*len = 0;
	if (buf == NULL)
		return NULL;
	for (;;) {
		ret = rte_vfio_user_client_mig_data_read(c, buf + *len, 65536);
		if (ret <= 0)
			break;
		*len += (size_t)ret;
		if (*len + 65536 > RTE_VFIO_USER_MIG_MAX_DATA) {
			ret = -EFBIG;
			break;
		}
	}
	if (ret < 0 || *len == 0) {
		printf("MIG_DATA_READ after %zu bytes: %s\n", *len, strerror(-ret));
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * The hypervisor on B: connect, map M2, give the guest's eventfds, take B
 * to RESUMING and write the state (not loaded yet: RESUMING -> STOP does).
 * @return 0, or a negative errno (printed).
 */
static int
b_resume_write(const uint8_t *state, size_t len)
{
	size_t i;
	int ret;

	cb = rte_vfio_user_client_connect(dev_b.sock, NULL);
	if (cb == NULL) {
		printf("connect to B: %s\n", rte_strerror(rte_errno));
		return -ENOTCONN;
	}
	ret = rte_vfio_user_client_dma_map(cb, m2.memfd, 0, GUEST_IOVA, GUEST_SIZE,
					   RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE);
	if (ret == 0)
		ret = rte_vfio_user_client_set_irqs(cb, RTE_VFIO_USER_IRQ_MSIX, 0, g.nb_vectors,
						    g.efd);
	if (ret == 0)
		ret = rte_vfio_user_client_mig_state_set(cb, RTE_VFIO_USER_MIG_STATE_RESUMING);
	for (i = 0; ret == 0 && i < len; i += 65536)
		ret = rte_vfio_user_client_mig_data_write(
			cb, state + i, (uint32_t)RTE_MIN(len - i, (size_t)65536));
	if (ret != 0)
		printf("B: DMA_MAP, SET_IRQS, RESUMING or MIG_DATA_WRITE: %s\n", strerror(-ret));
	return ret;
}

/*
 * A migration that fails (B refuses a corrupt state): the hypervisor runs
 * A again, and the guest goes on there with nothing lost.
 */
static int
test_migrate_abort(void)
{
	enum rte_vfio_user_mig_state st;
	uint64_t refused0, be_rx_before;
	unsigned int resume0;
	uint8_t *state;
	size_t len;
	int ret;

	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_mig_state_set(g.c, RTE_VFIO_USER_MIG_STATE_PRE_COPY),
		"RUNNING -> PRE_COPY");
	traffic_step(dev_a.port, STEP_PKTS);
	gtx_send(BURST);
	be_rx_before = tr.be_rx;
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_mig_state_set(g.c, RTE_VFIO_USER_MIG_STATE_STOP_COPY),
		"PRE_COPY -> STOP_COPY");
	refused0 = tr.refused;
	be_tx(dev_a.port, BURST);
	TEST_ASSERT_EQUAL(tr.refused - refused0, BURST, "transmissions to a stopped device");
	state = state_read(g.c, &len);
	TEST_ASSERT_NOT_NULL(state, "state of A");
	/* One bit flipped on the way. */
	state[len / 2] ^= 0x10;
	ret = b_resume_write(state, len);
	free(state);
	TEST_ASSERT_SUCCESS(ret, "B: the state written");
	ret = rte_vfio_user_client_mig_state_set(cb, RTE_VFIO_USER_MIG_STATE_STOP);
	printf("B loads a state with a bit flipped: %d (%s)\n", ret, strerror(-ret));
	TEST_ASSERT(ret < 0, "B loaded a corrupt state");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_mig_state_get(cb, &st), "state of B");
	TEST_ASSERT_EQUAL(st, RTE_VFIO_USER_MIG_STATE_RESUMING, "B stays in RESUMING");
	rte_vfio_user_client_close(cb);
	cb = NULL;

	/* A runs again: what the guest left on its ring, then traffic as before. */
	resume0 = ev_get(&dev_a, RTE_EMUDEV_EVENT_RESUME);
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_mig_state_set(g.c, RTE_VFIO_USER_MIG_STATE_RUNNING),
		"A: STOP_COPY -> RUNNING");
	TEST_ASSERT(ev_get(&dev_a, RTE_EMUDEV_EVENT_RESUME) > resume0, "no RESUME on A");
	be_rx(dev_a.port);
	TEST_ASSERT_EQUAL(tr.be_rx - be_rx_before, BURST,
			  "the packets the guest posted before the stop");
	traffic_step(dev_a.port, 2 * STEP_PKTS);
	traffic_print("aborted migration, A again");
	TEST_ASSERT_EQUAL(tr.errors, 0, "sequence errors");
	TEST_ASSERT_EQUAL(tr.be_rx, tr.g_tx, "guest TX: every packet once");
	TEST_ASSERT_EQUAL(tr.g_rx, tr.be_tx, "guest RX: every packet once");
	return TEST_SUCCESS;
}

/* The migration A -> B under traffic. */
static int
test_migrate(void)
{
	const struct rte_vfio_user_dma_range r = {GUEST_IOVA, GUEST_SIZE};
	struct rte_emudev_queue_info qa[2][NB_QP], qb[2][NB_QP];
	uint64_t dev_bm[BITMAP_WORDS], bm[BITMAP_WORDS];
	uint32_t va[RTE_DIM(regs)], vb[RTE_DIM(regs)];
	uint8_t cfg_a[256], cfg_b[256];
	enum rte_vfio_user_mig_state st;
	uint64_t sum1, sum2, sum_ctl, refused0, refused_stop, be_rx_before;
	unsigned int round, dir, q, i, quiesce0, resume0, ncpu;
	uint32_t head_tx, head_rx, want;
	int fd1;
	uint8_t *state = NULL, *ctl = NULL, *m1;
	size_t state_len = 0;
	uint8_t probe[64];
	int ret;

	/* Logging on over all of M1; the device goes on running in PRE_COPY. */
	refused0 = tr.refused;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_logging_start(g.c, PAGE, &r, 1),
			    "DMA_LOGGING_START");
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_mig_state_set(g.c, RTE_VFIO_USER_MIG_STATE_PRE_COPY),
		"RUNNING -> PRE_COPY");
	ret = rte_vfio_user_client_mig_data_read(g.c, probe, sizeof(probe));
	TEST_ASSERT_EQUAL(ret, 0, "pre-copy data (none expected): %d", ret);

	/* The whole memory, then the dirty pages, round after round, under traffic. */
	memset(cpu_dirty, 0, sizeof(cpu_dirty));
	memcpy(m2.mem, g.mem, GUEST_SIZE);
	printf("pre-copy: all %u pages copied\n", NB_PAGES);
	for (round = 1; round <= ROUNDS; round++) {
		traffic_step(dev_a.port, STEP_PKTS);
		TEST_ASSERT_SUCCESS(guest_aq_stats(NULL), "admin queue in round %u", round);
		TEST_ASSERT_SUCCESS(report(dev_bm), "report of round %u", round);
		memcpy(bm, cpu_dirty, sizeof(bm));
		ncpu = bitmap_count(cpu_dirty);
		memset(cpu_dirty, 0, sizeof(cpu_dirty));
		bitmap_or(bm, dev_bm);
		copy_pages(m2.mem, g.mem, bm);
		printf("pre-copy round %u: %u pages dirtied by the device, %u by the guest's "
		       "CPU, %u copied\n",
		       round, bitmap_count(dev_bm), ncpu, bitmap_count(bm));
		TEST_ASSERT(bitmap_count(dev_bm) > 0, "the device wrote nothing in round %u",
			    round);
	}
	traffic_print("pre-copy");

	/*
	 * The last step before the stop: the device writes (receive buffers
	 * and write-backs) after the last report; the guest also leaves
	 * packets on its transmit ring the backend has not taken yet.
	 */
	traffic_step(dev_a.port, STEP_PKTS);
	TEST_ASSERT_SUCCESS(guest_aq_stats(stats_before), "admin queue before the stop");
	be_rx_at_stats = tr.be_rx;
	g_rx_at_stats = tr.g_rx;
	gtx_send(BURST);
	be_rx_before = tr.be_rx;
	/* Where the backend stopped on the rings (one descriptor per packet). */
	head_tx = (uint32_t)(tr.be_rx % RING_LEN);
	head_rx = (uint32_t)(tr.be_tx % RING_LEN);

	/* Stop (the vCPUs stop too), then the last pages. */
	quiesce0 = ev_get(&dev_a, RTE_EMUDEV_EVENT_QUIESCE);
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_mig_state_set(g.c, RTE_VFIO_USER_MIG_STATE_STOP_COPY),
		"PRE_COPY -> STOP_COPY");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_mig_state_get(g.c, &st), "state");
	TEST_ASSERT_EQUAL(st, RTE_VFIO_USER_MIG_STATE_STOP_COPY, "A in STOP_COPY");
	TEST_ASSERT_EQUAL(ev_get(&dev_a, RTE_EMUDEV_EVENT_QUIESCE) - quiesce0, 1,
			  "QUIESCE events of A");
	TEST_ASSERT_SUCCESS(report(dev_bm), "final report");
	printf("stop-copy: %u pages dirtied by the device, %u by the guest's CPU\n",
	       bitmap_count(dev_bm), bitmap_count(cpu_dirty));

	/* The backend of a stopped device: its bursts are refused, nothing is written. */
	refused_stop = tr.refused;
	be_tx(dev_a.port, BURST);
	refused_stop = tr.refused - refused_stop;
	TEST_ASSERT_EQUAL(be_rx(dev_a.port), 0, "A's port received while A was stopped");
	printf("backend bursts while stopped: %" PRIu64 " packets refused\n", refused_stop);
	TEST_ASSERT_EQUAL(refused_stop, BURST, "transmissions to a stopped device");
	TEST_ASSERT_SUCCESS(report(bm), "report after the stop");
	TEST_ASSERT_EQUAL(bitmap_count(bm), 0, "pages dirtied by a stopped device");

	/* The control: without the device's last pages, M2 is not M1. */
	ctl = malloc(GUEST_SIZE);
	TEST_ASSERT_NOT_NULL(ctl, "memory");
	memcpy(ctl, m2.mem, GUEST_SIZE);
	copy_pages(ctl, g.mem, cpu_dirty);
	copy_pages(m2.mem, g.mem, cpu_dirty);
	copy_pages(m2.mem, g.mem, dev_bm);
	memset(cpu_dirty, 0, sizeof(cpu_dirty));
	sum1 = checksum(g.mem);
	sum2 = checksum(m2.mem);
	sum_ctl = checksum(ctl);
	free(ctl);
	printf("checksums: M1 0x%016" PRIx64 ", M2 0x%016" PRIx64
	       ", M2 without the device's last %u pages 0x%016" PRIx64 "\n",
	       sum1, sum2, bitmap_count(dev_bm), sum_ctl);
	TEST_ASSERT(sum_ctl != sum1,
		    "control: M2 without the last device pages equals M1 (the device wrote "
		    "nothing after the last pre-copy report?)");
	TEST_ASSERT(sum1 == sum2 && memcmp(g.mem, m2.mem, GUEST_SIZE) == 0, "M2 differs from M1");

	/* A's state, its registers and queues. */
	state = state_read(g.c, &state_len);
	TEST_ASSERT_NOT_NULL(state, "state of A");
	printf("state of A: %zu bytes\n", state_len);
	if (regs_read(g.c, va) != 0 ||
	    rte_vfio_user_client_region_read(g.c, RTE_VFIO_USER_REGION_CONFIG, 0, cfg_a,
					     sizeof(cfg_a)) != 0 ||
	    qinfo_all(&dev_a, qa) != 0 ||
	    rte_vfio_user_client_mig_state_set(g.c, RTE_VFIO_USER_MIG_STATE_STOP) != 0) {
		printf("state, registers, queues of A or STOP_COPY -> STOP failed\n");
		free(state);
		return TEST_FAILED;
	}

	/* B: the same memory (M2), the same eventfds, the state, then it runs. */
	resume0 = ev_get(&dev_b, RTE_EMUDEV_EVENT_RESUME);
	ret = b_resume_write(state, state_len);
	free(state);
	TEST_ASSERT_SUCCESS(ret, "B: the state written");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_mig_state_set(cb, RTE_VFIO_USER_MIG_STATE_STOP),
			    "B: RESUMING -> STOP (load)");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_mig_state_set(cb, RTE_VFIO_USER_MIG_STATE_RUNNING),
			    "B: STOP -> RUNNING");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_mig_state_get(cb, &st), "state of B");
	TEST_ASSERT_EQUAL(st, RTE_VFIO_USER_MIG_STATE_RUNNING, "B runs");
	TEST_ASSERT(ev_get(&dev_b, RTE_EMUDEV_EVENT_RESUME) > resume0, "no RESUME on B");

	/* B is A: registers, configuration space, queues. */
	TEST_ASSERT_SUCCESS(regs_read(cb, vb), "registers of B");
	for (i = 0; i < RTE_DIM(regs); i++) {
		if (va[i] != vb[i])
			printf("%s: A 0x%08" PRIx32 ", B 0x%08" PRIx32 "\n", regs[i].name, va[i],
			       vb[i]);
		TEST_ASSERT_EQUAL(va[i], vb[i], "register %s", regs[i].name);
	}
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cb, RTE_VFIO_USER_REGION_CONFIG, 0,
							     cfg_b, sizeof(cfg_b)),
			    "configuration space of B");
	for (i = 0; i < sizeof(cfg_a); i++)
		TEST_ASSERT_EQUAL(cfg_a[i], cfg_b[i], "configuration byte 0x%02x", i);
	TEST_ASSERT_SUCCESS(qinfo_all(&dev_b, qb), "queue information of B");
	for (dir = 0; dir < 2; dir++)
		for (q = 0; q < NB_QP; q++) {
			const struct rte_emudev_queue_info *a = &qa[dir][q], *b = &qb[dir][q];

			printf("queue %s %u: A enabled %d ring 0x%" PRIx64 "/%" PRIu32
			       " head %" PRIu32 "; B enabled %d ring 0x%" PRIx64 "/%" PRIu32
			       " head %" PRIu32 "\n",
			       dir == RTE_EMUDEV_QUEUE_GUEST_TX ? "tx" : "rx", q, a->enabled,
			       a->ring_gpa, a->ring_size, a->head, b->enabled, b->ring_gpa,
			       b->ring_size, b->head);
			TEST_ASSERT(a->enabled && b->enabled && a->ring_gpa == b->ring_gpa &&
					    a->ring_size == b->ring_size &&
					    a->desc_format == b->desc_format &&
					    a->buf_size == b->buf_size &&
					    a->max_pkt_len == b->max_pkt_len &&
					    a->irq_vector == b->irq_vector,
				    "queue %u/%u of B differs from A's", dir, q);
			/* Queue 1 carries no traffic. */
			want = 0;
			if (q == 0)
				want = dir == RTE_EMUDEV_QUEUE_GUEST_TX ? head_tx : head_rx;
			TEST_ASSERT_EQUAL(b->head, want, "head of queue %u/%u of B", dir, q);
		}

	/* The guest now runs on B, with M2; A is left (its client closes). */
	m1 = g.mem;
	fd1 = g.memfd;
	rte_vfio_user_client_close(g.c);
	g.c = cb;
	cb = NULL;
	g.mem = m2.mem;
	g.memfd = m2.memfd;
	m2.mem = m1;
	m2.memfd = fd1;
	on_b = true;
	TEST_ASSERT(link_wait(dev_b.port, true), "B's port: link up");

	/* What the guest left on its transmit ring comes out of B, first. */
	be_rx(dev_b.port);
	printf("packets left on the guest's transmit ring at the stop, received on B: %" PRIu64
	       "\n",
	       tr.be_rx - be_rx_before);
	TEST_ASSERT_EQUAL(tr.be_rx - be_rx_before, BURST,
			  "the packets the guest posted before the stop");
	for (round = 0; round < 4; round++)
		traffic_step(dev_b.port, STEP_PKTS);
	traffic_print("after the migration, on B");
	TEST_ASSERT_EQUAL(tr.errors, 0, "sequence errors");
	TEST_ASSERT_EQUAL(tr.be_rx, tr.g_tx, "guest TX: every packet once");
	TEST_ASSERT_EQUAL(tr.g_rx, tr.be_tx, "guest RX: every packet once");
	TEST_ASSERT_EQUAL(tr.refused - refused0, refused_stop, "refused only while stopped");
	return TEST_SUCCESS;
}

/* The guest's driver on B: its admin queue goes on; logging on B works. */
static int
test_guest_on_b(void)
{
	const struct rte_vfio_user_dma_range r = {GUEST_IOVA, GUEST_SIZE};
	uint64_t bm[BITMAP_WORDS];
	uint32_t major = 0, minor = 0;
	int ret;

	TEST_ASSERT(on_b, "the guest is not on B");
	ret = ag_vc_version(&g, &major, &minor);
	TEST_ASSERT(ret == 0 && major == 1 && minor == 1,
		    "VERSION on B after the migration: status %d, %" PRIu32 ".%" PRIu32, ret, major,
		    minor);
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray admin queue replies");
	ret = rte_vfio_user_client_dma_logging_report(g.c, GUEST_IOVA, GUEST_SIZE, PAGE, bm);
	TEST_ASSERT(ret < 0, "report on B with logging never started: %d", ret);
	traffic_step(dev_b.port, STEP_PKTS);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_logging_start(g.c, PAGE, &r, 1),
			    "DMA_LOGGING_START on B");
	TEST_ASSERT_SUCCESS(report(bm), "report");
	TEST_ASSERT_EQUAL(bitmap_count(bm), 0, "pages of B marked before logging");
	traffic_step(dev_b.port, STEP_PKTS);
	TEST_ASSERT_SUCCESS(report(bm), "report");
	printf("B, traffic with logging on: %u dirty pages\n", bitmap_count(bm));
	TEST_ASSERT(bitmap_count(bm) > 0, "no page of B marked");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_logging_stop(g.c), "DMA_LOGGING_STOP");
	ret = rte_vfio_user_client_dma_logging_report(g.c, GUEST_IOVA, GUEST_SIZE, PAGE, bm);
	TEST_ASSERT(ret < 0, "report on B after DMA_LOGGING_STOP: %d", ret);
	traffic_step(dev_b.port, STEP_PKTS);
	traffic_print("on B, end");
	TEST_ASSERT_EQUAL(tr.errors, 0, "sequence errors");
	TEST_ASSERT_EQUAL(tr.be_rx, tr.g_tx, "guest TX: every packet once");
	TEST_ASSERT_EQUAL(tr.g_rx, tr.be_tx, "guest RX: every packet once");

	/* The guest's counters went on across the migration (carried in the state). */
	{
		uint64_t after[NB_ETH_STATS];

		TEST_ASSERT_SUCCESS(guest_aq_stats(after), "GET_STATS on B");
		printf("guest's counters: sent %" PRIu64 " before the stop (on A), %" PRIu64
		       " at the end (on B), %" PRIu64 " sent in between; received %" PRIu64
		       " -> %" PRIu64 " (%" PRIu64 " in between)\n",
		       stats_sent(stats_before), stats_sent(after), tr.be_rx - be_rx_at_stats,
		       stats_received(stats_before), stats_received(after),
		       tr.g_rx - g_rx_at_stats);
		TEST_ASSERT_EQUAL(stats_sent(after),
				  stats_sent(stats_before) + (tr.be_rx - be_rx_at_stats),
				  "sent: the counters on B do not go on from A's");
		TEST_ASSERT(stats_received(after) >=
				    stats_received(stats_before) + (tr.g_rx - g_rx_at_stats),
			    "received: the counters on B do not go on from A's");
	}
	return TEST_SUCCESS;
}

static struct unit_test_suite migration_suite = {
	.suite_name = "migration_autotest",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases =
		{
			TEST_CASE(test_guest_on_a),
			TEST_CASE(test_logging_off),
			TEST_CASE(test_migrate_abort),
			TEST_CASE(test_migrate),
			TEST_CASE(test_guest_on_b),
			TEST_CASES_END(),
		},
};

static int
test_migration(void)
{
	return unit_test_suite_runner(&migration_suite);
}

REGISTER_TEST_COMMAND(migration_autotest, test_migration);
