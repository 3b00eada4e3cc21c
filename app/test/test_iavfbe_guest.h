/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef TEST_IAVFBE_GUEST_H
#define TEST_IAVFBE_GUEST_H

/*
 * Driving net_iavfbe from a test: a fake AVF emudev provider (over
 * test_fake_emudev) with NB_QP queue pairs and NB_VEC interrupt vectors,
 * guest memory in two regions (GMEM_SIZE read-write from the C heap, so that
 * AddressSanitizer sees any access past it, and RMEM_SIZE read-only) and
 * doorbells in a local array; the guest's side of its rings (transmit
 * descriptors and buffers, receive buffers posted and read back); packets
 * with real headers and checksums; the net_iavfbe port on the device and its
 * xstats.
 *
 * One device, one guest, one port per process: iavfbe_guest_setup() makes
 * them (the guest's queues enabled, the link up), iavfbe_guest_teardown()
 * removes them. The state is global (fk, gst, port, pool) so that cases can
 * look at and change every part of it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rte_emudev.h"
#include "rte_emudev_net.h"
#include "rte_emudev_driver.h"
#include "test_fake_emudev.h"

#include <avf_desc.h>

#define FAKE_NAME "fake_iavfbe0"
#define FAKE_DRIVER "fake_iavf"
#define PORT_NAME "net_iavfbe_t0"
#define NB_QP 2
#define NB_VEC 5

/* Guest memory: the read-write region and a read-only one. */
#define GMEM_GPA 0x100000000ull
#define GMEM_SIZE (8ull << 20)
#define RMEM_GPA 0x200000000ull
#define RMEM_SIZE 0x10000ull

/* Rings. */
#define TX_RING 256
#define RX_RING 128
#define TX_RING_GPA(q) (GMEM_GPA + (uint64_t)(q)*0x1000)
#define RX_RING_GPA(q) (GMEM_GPA + 0x4000 + (uint64_t)(q)*0x1000)
/* Guest receive buffers: one per receive descriptor slot. */
#define RX_BUF 2048
#define RX_MAX_PKT 9728
#define RX_BUF_GPA(q, i) (GMEM_GPA + 0x600000 + ((uint64_t)(q)*RX_RING + (i)) * RX_BUF)
/* Guest transmit buffers: a bump allocator that wraps. */
#define TXB_START (GMEM_GPA + 0x100000)
#define TXB_END (GMEM_GPA + 0x600000)

/* AVF descriptors (drivers/common/avf/avf_desc.h): building and reading them. */
/* OFFSET field: MACLEN in 2-byte, IPLEN and L4LEN in 4-byte units. */
#define TXD_OFF(l2, l3, l4) \
	((uint32_t)((l2) / 2) | (uint32_t)((l3) / 4) << 7 | (uint32_t)((l4) / 4) << 14)
#define TXD_QW1(cmd, off, len) \
	(AVF_TXD_DTYPE_DATA | (uint64_t)(cmd) << AVF_TXD_CMD_SHIFT | \
	 (uint64_t)(off) << AVF_TXD_OFFSET_SHIFT | (uint64_t)(len) << AVF_TXD_BSZ_SHIFT)
#define TXD_CTX_QW1(cmd, tso_len, mss) \
	(AVF_TXD_DTYPE_CTX | (uint64_t)(cmd) << AVF_TXCD_CMD_SHIFT | \
	 (uint64_t)(tso_len) << AVF_TXCD_TSO_LEN_SHIFT | (uint64_t)(mss) << AVF_TXCD_MSS_SHIFT)
#define RXD_ERR(qw1) (((qw1) >> 19) & 0xffull) /* error bits 26:19 */
#define RXD_LEN(qw1) ((uint32_t)(((qw1) >> AVF_RXD_QW1_LEN_SHIFT) & AVF_RXD_QW1_LEN_MASK))

#define L2_LEN 14
#define L3_LEN 20
#define L3V6_LEN 40
#define TCP_LEN 20
#define UDP_LEN 8

#define NB_MBUF 8192
#define BURST 64
#define MAX_PKT_BYTES 70000
#define WAIT_MS 2000

/* ------------------------------------------------------------ fake provider */

struct fake_dev {
	struct fake_emudev base; /* first: the priv is a struct fake_emudev too */
	struct fake_emudev_queue q[RTE_EMUDEV_QUEUE_DIR_MAX][NB_QP];
	uint32_t doorbell[RTE_EMUDEV_QUEUE_DIR_MAX][NB_QP];
	bool client_connected;
	bool armed[NB_VEC];
	uint32_t irq_calls[NB_VEC];
	uint32_t irq_fired[NB_VEC];
	uint32_t irq_bad_vector;
	uint8_t *mem; /* GMEM_SIZE bytes at GMEM_GPA */
	uint8_t *rmem; /* RMEM_SIZE bytes at RMEM_GPA, read-only */
};

/* The device (its priv is &fk). */
extern struct fake_dev fk;

/*
 * The fake device's operations: info, queue info, interrupts (as an AVF: a
 * fired vector is masked until the guest re-arms it), the attributes and
 * operations of test_fake_emudev, the guest's receive configuration. A test
 * that needs more operations copies it, adds them and gives its copy to
 * iavfbe_guest_setup() (its priv is still &fk).
 */
extern const struct rte_emudev_ops iavfbe_fake_ops;

/* The guest's receive configuration the device reports (fake_rxc_set()). */
extern struct rte_emudev_net_rx_conf fake_rxc;

/* Publish the guest memory table (both regions) to emudev. */
int fake_mem_publish(void);

/* Every queue configured as the defaults above (not enabled). */
void fake_queues_init(void);

/* Raise a queue event / an event without payload on the device. */
int fake_queue_event(enum rte_emudev_event_type type, enum rte_emudev_queue_dir dir, uint16_t qid);
int fake_event(enum rte_emudev_event_type type);

/*
 * The guest changes its receive configuration to c (NULL: unchanged; the
 * generation is bumped), the op returning ret when ret < 0; raises
 * NET_RX_CONF_CHANGED.
 */
int fake_rxc_set(const struct rte_emudev_net_rx_conf *c, int ret);

/* Zero the interrupt counters. */
void irq_counts_clear(void);

/* ------------------------------------------------------------ the guest */

struct guest_txq {
	uint32_t tail; /* next descriptor the guest writes */
};

struct guest_rxq {
	uint32_t tail; /* next descriptor the guest posts */
	uint32_t next; /* next descriptor the guest reads back */
};

struct iavfbe_guest {
	struct guest_txq txq[NB_QP];
	struct guest_rxq rxq[NB_QP];
	uint64_t txb_next; /* transmit buffer allocator */
};

extern struct iavfbe_guest gst;

/* Host address of a guest physical address (NULL outside both regions). */
void *gpa_host(uint64_t gpa);

/* Descriptor i of the guest's transmit / receive ring q. */
volatile uint64_t *txd(uint16_t q, uint32_t i);
volatile uint64_t *rxd(uint16_t q, uint32_t i);

/* A guest transmit buffer of len bytes (64-byte aligned). */
uint64_t txb_alloc(uint32_t len);

/* Write a transmit descriptor at the guest's tail; return its index. */
uint32_t gtx_desc(uint16_t q, uint64_t qw0, uint64_t qw1);

/* Data descriptor over a fresh guest buffer holding len bytes of data. */
uint32_t gtx_data(uint16_t q, const void *data, uint32_t len, uint32_t cmd, uint32_t off);

/* Ring the transmit doorbell of q at the guest's tail. */
void gtx_kick(uint16_t q);

/*
 * Transmit a packet split into nb pieces of the given sizes (the last one
 * takes the rest; nb 0 or sizes NULL: one piece), cmd on every descriptor,
 * EOP (and RS when rs) on the last. Returns the index of the last
 * descriptor. Does not ring the doorbell.
 */
uint32_t gtx_pkt(uint16_t q, const uint8_t *pkt, uint32_t len, const uint32_t *sizes,
		 unsigned int nb, uint32_t cmd, uint32_t off, bool rs);

/* Transmit descriptor i of q was completed (DTYPE DONE written back). */
bool gtx_done(uint16_t q, uint32_t i);

/* Post n receive buffers at the guest's tail (poisoned), and ring. */
void grx_post(uint16_t q, uint32_t n);

/* Posted and not yet read back. */
uint32_t grx_outstanding(uint16_t q);

/* Reset the guest's view of every ring (rings zeroed, tails 0). */
void guest_rings_reset(void);

/* The guest enables (or disables) every queue, with the provider's events. */
int guest_queues_set(bool enable);

/* Disable a queue, change its configuration, reset the guest's ring, enable. */
int queue_reconfigure(enum rte_emudev_queue_dir dir, uint16_t q, uint32_t buf_size,
		      uint64_t ring_gpa, uint32_t ring_size);

/* ------------------------------------------------------------ packets */

enum csum_mode {
	CSUM_FULL, /* valid checksums */
	CSUM_PARTIAL, /* IP 0, L4 = pseudo-header sum (Linux CHECKSUM_PARTIAL) */
	CSUM_TSO, /* IP total length 0, IP 0, L4 = pseudo-header without length */
	CSUM_BAD, /* both checksums wrong */
};

/* The addresses of build_pkt()'s frames. */
extern const struct rte_ether_addr pkt_dst;
extern const struct rte_ether_addr pkt_src;

/*
 * Build an Ethernet/IPv4/(TCP|UDP) frame with payload bytes of a pattern
 * from seed. Returns the frame length.
 */
uint32_t build_pkt(uint8_t *buf, uint8_t proto, uint32_t payload, uint32_t seed,
		   enum csum_mode mode);

/* The addresses of build_pkt6()'s frames. */
extern const uint8_t v6_src[16];
extern const uint8_t v6_dst[16];

/* As build_pkt(), over IPv6 (CSUM_BAD: a wrong L4 checksum). */
uint32_t build_pkt6(uint8_t *buf, uint8_t proto, uint32_t payload, uint32_t seed,
		    enum csum_mode mode);

/* IPv6 pseudo-header sum (not complemented, not folded) of a segment of l4_len. */
uint32_t phdr6_sum(const struct rte_ipv6_hdr *ip, uint32_t l4_len);

/* The IPv4 header checksum / the L4 checksum (l4_len bytes at l4) is valid. */
bool ip_cksum_ok(const struct rte_ipv4_hdr *ip);
bool l4_cksum_ok(const struct rte_ipv4_hdr *ip, const uint8_t *l4, uint32_t l4_len);

/* A frame's IPv4 and L4 checksums are both valid. */
bool frame_cksums_ok(const uint8_t *f, uint32_t len);

/* ------------------------------------------------------------ the port */

extern struct rte_mempool *pool; /* NB_MBUF mbufs */
extern uint16_t port; /* the port on the device (UINT16_MAX: none) */
extern unsigned int lsc_count; /* LSC events seen on ports port_open() made */

/*
 * Create, configure (NB_QP queue pairs, LSC) and start the port name with
 * args; *pid its id. Prints why and leaves no port on failure.
 */
int port_open(const char *name, const char *args, uint16_t *pid);
void port_close(const char *name, uint16_t *pid);

/* Wait (WAIT_MS at most) for the link to reach a state; return whether it did. */
bool link_wait(uint16_t pid, bool up);

/* Receive (from the guest's transmit queue q) until a burst comes back empty. */
unsigned int rx_all(uint16_t q, struct rte_mbuf **pkts, unsigned int max);

void free_all(struct rte_mbuf **pkts, unsigned int n);

/*
 * Flat copy of a packet (in one static buffer of MAX_PKT_BYTES); NULL when
 * it does not fit or the chain is wrong.
 */
const uint8_t *mbuf_flat(const struct rte_mbuf *m);

/* The mbuf holds exactly len bytes of data (prints the difference). */
int mbuf_check(const struct rte_mbuf *m, const uint8_t *data, uint32_t len);

/* An mbuf chain holding data, in segments of the given sizes (last: the rest). */
struct rte_mbuf *mbuf_build(const uint8_t *data, uint32_t len, const uint32_t *sizes,
			    unsigned int nb);

/* Send one packet from the guest in pieces; receive it and compare with expect. */
int gtx_one(uint16_t q, const uint8_t *pkt, uint32_t len, const uint32_t *sizes, unsigned int nb,
	    uint32_t cmd, uint32_t off, const uint8_t *expect);

/* Write-back words of the last descriptor grx_check() read. */
extern uint64_t grx_qw0, grx_qw1;

/* Read back one packet from the guest's receive ring q; compare with data. */
int grx_check(uint16_t q, const uint8_t *data, uint32_t len);

/* The guest's next descriptor was not written back. */
bool grx_idle(uint16_t q);

/* Post so that n descriptors are outstanding. */
void grx_fill(uint16_t q, uint32_t n);

/* Nothing posted and unread on q: else the guest resets the queue. */
int grx_restart(uint16_t q);

/* One packet from the guest (with RS) on q, received. */
int gtx_ping(uint16_t q, uint32_t seed);

/* One packet to the guest on q, read back. */
int grx_ping(uint16_t q, uint32_t seed);

/* ------------------------------------------------------------ xstats */

/* The names of port's xstats, loaded by xstats_load_names(pid). */
extern struct rte_eth_xstat_name *xs_names;
extern int xs_nb;

int xstats_load_names(uint16_t pid);

/* Value of port's xstat named name (UINT64_MAX when there is none). */
uint64_t xstat(const char *name);

/* Print port's non-zero xstats. */
void xstats_dump(void);

/* The xstat name is before + inc (else prints it and the non-zero ones). */
int xstat_expect(const char *name, uint64_t before, uint64_t inc);

/*
 * The port's xstats names: unique (ethdev's basic ones included), all from
 * the port's view ("rx_*", "tx_*", per queue "rx_qN_*", "tx_qN_*" for
 * N < nb_rxq / nb_txq), nothing named after the guest; every queue has the
 * same per-queue set, and each per-queue counter sums to its port total
 * (ethdev's rx_good_packets, rx_good_bytes, rx_errors, ... for packets,
 * bytes, errors; otherwise the driver's rx_X for rx_qN_X), in one snapshot.
 */
int xstats_check(uint16_t pid, uint16_t nb_rxq, uint16_t nb_txq);

/* ------------------------------------------------------------ setup */

/*
 * Make the mbuf pool, guest memory (MAC 02:11:22:33:44:55, client
 * connected, queues configured), register the device FAKE_NAME with ops
 * (NULL: iavfbe_fake_ops), open the port PORT_NAME on it, enable the guest's
 * queues and wait for the link. @return 0, or -1 (printed; all undone).
 */
int iavfbe_guest_setup(const struct rte_emudev_ops *ops);

/* Undo iavfbe_guest_setup() (whatever of it is there). */
void iavfbe_guest_teardown(void);

#endif /* TEST_IAVFBE_GUEST_H */
