/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * libFuzzer target over emu_iavf's admin queue and virtchnl handling.
 *
 * One emu_iavf device is assembled once (no EAL, no control thread, no
 * emudev registration): its vfio-user server is attached to a socketpair,
 * negotiated and given 256 KiB of guest memory (a sealed memfd) with one
 * DMA_MAP. Each input is a sequence of guest actions applied to the device
 * reset to power-on state:
 *  - a virtchnl message: its bytes in a guest buffer, an admin queue
 *    descriptor pointing at it (opcode, flags, length and address chosen by
 *    the input, valid by default), then ATQT written;
 *  - BAR0 register writes and reads (admin queue registers, interrupt
 *    control, tails, any offset), aligned or not; BAR3 (MSI-X) accesses;
 *  - the guest taking the replies off its receive queue (ARQ);
 *  - arbitrary bytes written to guest memory (rings, descriptors);
 *  - a consumer's queue interrupt, a link change, a VF or full reset.
 * The first byte chooses the queue pairs of the device, whether the admin
 * queues are set up as a driver does (the default) and their length.
 * After each action the device state is checked for what consumers rely
 * on (queues inside guest memory, enabled queues configured, bounded
 * counts): a violation aborts.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_log.h>

#include "emu_iavf_priv.h"
#include "rte_vfio_user.h"
#include "vfio_user_msg.h"
#include "vfio_user_server_priv.h"
#include "vfio_user_sock.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Guest memory: one DMA mapping. */
#define GPA_BASE 0x100000ull
#define MEM_SIZE 0x40000u
/* Layout used by the default set-up (the input may point anywhere). */
#define ATQ_OFF 0x0000u /* up to 1023 descriptors of 32 bytes */
#define ARQ_OFF 0x8000u
#define ARQ_BUF_OFF 0x10000u /* 64 receive buffers of ARQ_BUF_SIZE */
#define ARQ_BUF_SIZE 256u
#define MSG_OFF 0x20000u /* 16 message buffers of 4 KiB */
#define MSG_SLOTS 16u
#define MSG_SLOT_SIZE 0x1000u
#define RING_OFF 0x30000u /* free area for queue rings */

#define AQ_DESC_SIZE sizeof(struct avf_aq_desc)

static struct emu_iavf_dev *dev;
static uint8_t *mem;
static int sock_peer = -1;

/* ------------------------------------------------------------ device I/O */

static void
reg_write(uint32_t off, uint32_t val)
{
	emu_iavf_bar0_access(dev, off, &val, sizeof(val), true);
}

static uint32_t
reg_read(uint32_t off)
{
	uint32_t v = 0;

	emu_iavf_bar0_access(dev, off, &v, sizeof(v), false);
	return v;
}

static void
mem_put(uint64_t off, const void *src, size_t len)
{
	if (off < MEM_SIZE && len <= MEM_SIZE - off)
		memcpy(mem + off, src, len);
}

/* Post receive descriptors [from, to) of an ARQ of len (buffers included). */
static void
arq_post(uint32_t from, uint32_t to, uint32_t len)
{
	uint32_t i;

	for (i = from; i != to; i = (i + 1) % len) {
		struct avf_aq_desc d;
		uint64_t buf = GPA_BASE + ARQ_BUF_OFF + (uint64_t)(i % 64) * ARQ_BUF_SIZE;

		memset(&d, 0, sizeof(d));
		d.flags = AVF_AQ_FLAG_BUF;
		d.datalen = ARQ_BUF_SIZE;
		d.addr_high = (uint32_t)(buf >> 32);
		d.addr_low = (uint32_t)buf;
		mem_put(ARQ_OFF + (uint64_t)i * AQ_DESC_SIZE, &d, sizeof(d));
	}
}

/* What a driver does at init: both admin queues of len descriptors. */
static void
aq_setup(uint32_t len)
{
	reg_write(AVF_VF_ATQLEN1, 0);
	reg_write(AVF_VF_ARQLEN1, 0);
	reg_write(AVF_VF_ATQH1, 0);
	reg_write(AVF_VF_ATQT1, 0);
	reg_write(AVF_VF_ATQBAL1, (uint32_t)(GPA_BASE + ATQ_OFF));
	reg_write(AVF_VF_ATQBAH1, (uint32_t)((GPA_BASE + ATQ_OFF) >> 32));
	reg_write(AVF_VF_ATQLEN1, len | AVF_AQLEN_ENABLE);
	arq_post(0, len - 1, len);
	reg_write(AVF_VF_ARQH1, 0);
	reg_write(AVF_VF_ARQT1, 0);
	reg_write(AVF_VF_ARQBAL1, (uint32_t)(GPA_BASE + ARQ_OFF));
	reg_write(AVF_VF_ARQBAH1, (uint32_t)((GPA_BASE + ARQ_OFF) >> 32));
	reg_write(AVF_VF_ARQLEN1, len | AVF_AQLEN_ENABLE);
	reg_write(AVF_VF_ARQT1, len - 1);
	reg_write(AVF_VFINT_ICR0_ENA1, AVF_ICR0_ADMINQ);
	reg_write(AVF_VFINT_DYN_CTL01, AVF_DYN_CTL_INTENA);
}

/* The guest takes the replies (ARQT up to ARQH - 1) and reposts buffers. */
static void
arq_consume(void)
{
	uint32_t lenreg = reg_read(AVF_VF_ARQLEN1), len = lenreg & AVF_AQLEN_LEN_MASK;
	uint32_t h = reg_read(AVF_VF_ARQH1), t = reg_read(AVF_VF_ARQT1), nt;

	if (len == 0 || h >= len || t >= len)
		return;
	nt = (h + len - 1) % len;
	arq_post(t, nt, len);
	reg_write(AVF_VF_ARQT1, nt);
	(void)reg_read(AVF_VFINT_ICR01);
	reg_write(AVF_VFINT_DYN_CTL01, AVF_DYN_CTL_INTENA);
}

static const uint32_t vc_ops[] = {
	VIRTCHNL_OP_VERSION,
	VIRTCHNL_OP_GET_VF_RESOURCES,
	VIRTCHNL_OP_CONFIG_VSI_QUEUES,
	VIRTCHNL_OP_CONFIG_IRQ_MAP,
	VIRTCHNL_OP_ENABLE_QUEUES,
	VIRTCHNL_OP_DISABLE_QUEUES,
	VIRTCHNL_OP_ADD_ETH_ADDR,
	VIRTCHNL_OP_DEL_ETH_ADDR,
	VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE,
	VIRTCHNL_OP_GET_STATS,
	VIRTCHNL_OP_RESET_VF,
	VIRTCHNL_OP_UNKNOWN,
	VIRTCHNL_OP_CONFIG_TX_QUEUE,
	VIRTCHNL_OP_CONFIG_RSS_KEY,
	VIRTCHNL_OP_REQUEST_QUEUES,
	VIRTCHNL_OP_EVENT,
	/* Appended: the selectors above keep their meaning in older seeds. */
	VIRTCHNL_OP_CONFIG_RSS_LUT,
	VIRTCHNL_OP_GET_RSS_HENA_CAPS,
	VIRTCHNL_OP_SET_RSS_HENA,
	VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS,
	VIRTCHNL_OP_ADD_VLAN_V2,
	VIRTCHNL_OP_DEL_VLAN_V2,
	VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2,
	VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2,
	VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2,
	VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2,
	VIRTCHNL_OP_ENABLE_VLAN_FILTERING_V2,
};

/*
 * A virtchnl message through the ATQ: op selector, flags selector, length,
 * bytes. The flags selector corrupts the descriptor: no BUF flag, another
 * admin opcode, an address outside guest memory or straddling its end, a
 * length larger than the bytes given.
 */
static void
op_msg(struct in *in)
{
	uint8_t sel = in_u8(in), mode = in_u8(in);
	uint16_t want = in_u16(in) & 0x1fff;
	uint32_t lenreg = reg_read(AVF_VF_ATQLEN1), len = lenreg & AVF_AQLEN_LEN_MASK;
	uint32_t t = reg_read(AVF_VF_ATQT1), slot;
	uint64_t daddr, baddr;
	struct avf_aq_desc d;
	const uint8_t *body;
	size_t n;

	n = in_bytes(in, RTE_MIN((size_t)want, (size_t)MSG_SLOT_SIZE), &body);
	if (len == 0)
		len = 1;
	slot = t % MSG_SLOTS;
	baddr = GPA_BASE + MSG_OFF + (uint64_t)slot * MSG_SLOT_SIZE;
	mem_put(MSG_OFF + (uint64_t)slot * MSG_SLOT_SIZE, body, n);

	memset(&d, 0, sizeof(d));
	d.flags = AVF_AQ_FLAG_BUF | AVF_AQ_FLAG_RD;
	if (n > 512)
		d.flags |= AVF_AQ_FLAG_LB;
	d.opcode = AVF_AQ_OP_SEND_MSG_TO_PF;
	d.datalen = (uint16_t)n;
	d.cookie_high = (sel & 0x80) ? in_u32(in) : vc_ops[sel % RTE_DIM(vc_ops)];
	switch (mode & 7) {
	case 1:
		d.flags &= (uint16_t)~AVF_AQ_FLAG_BUF;
		break;
	case 2:
		d.opcode = (mode & 8) ? AVF_AQ_OP_QUEUE_SHUTDOWN : in_u16(in);
		break;
	case 3:
		baddr = (mode & 8) ? GPA_BASE + MEM_SIZE - 16 : (uint64_t)in_u32(in) << 4;
		break;
	case 4:
		d.datalen = want; /* may exceed what was written, or the maximum */
		break;
	case 5:
		d.datalen = 0;
		break;
	default:
		break;
	}
	d.addr_high = (uint32_t)(baddr >> 32);
	d.addr_low = (uint32_t)baddr;
	daddr = (uint64_t)reg_read(AVF_VF_ATQBAH1) << 32 | reg_read(AVF_VF_ATQBAL1);
	daddr += (uint64_t)(t % len) * AQ_DESC_SIZE;
	if (daddr >= GPA_BASE)
		mem_put(daddr - GPA_BASE, &d, sizeof(d));
	reg_write(AVF_VF_ATQT1, (t + 1) % len);
}

/* Registers worth writing; other offsets come raw from the input. */
static const uint32_t regs[] = {
	AVF_VF_ATQBAL1,
	AVF_VF_ATQBAH1,
	AVF_VF_ATQLEN1,
	AVF_VF_ATQH1,
	AVF_VF_ATQT1,
	AVF_VF_ARQBAL1,
	AVF_VF_ARQBAH1,
	AVF_VF_ARQLEN1,
	AVF_VF_ARQH1,
	AVF_VF_ARQT1,
	AVF_VFINT_ICR01,
	AVF_VFINT_ICR0_ENA1,
	AVF_VFINT_DYN_CTL01,
	AVF_VFINT_DYN_CTLN1(0),
	AVF_VFINT_DYN_CTLN1(1),
	AVF_VFINT_DYN_CTLN1(15),
	AVF_VFINT_DYN_CTLN1(16),
	AVF_VFINT_ITRN1(0, 0),
	AVF_VFINT_ITR01(0),
	AVF_VFINT_STAT_CTL01,
	AVF_VFGEN_RSTAT,
	AVF_QTX_TAIL1(0),
	AVF_QTX_TAIL1(15),
	AVF_QRX_TAIL1(0),
	AVF_QRX_TAIL1(15),
	AVF_VFQF_HENA(0),
	AVF_VFQF_HKEY(12),
	AVF_VFQF_HLUT(15),
	AVF_TX_TAIL_PAGE + AVF_TAIL_PAGE_SIZE - 4,
	AVF_RX_TAIL_PAGE + AVF_TAIL_PAGE_SIZE,
	AVF_BAR0_SIZE - 4,
	AVF_BAR0_SIZE,
};

static uint64_t
reg_pick(struct in *in, uint8_t sel)
{
	if (sel < RTE_DIM(regs))
		return regs[sel];
	if (sel == 0xff)
		return in_u32(in); /* anything, out of the BAR too */
	return in_u16(in);
}

/* A BAR0 access: selector, width/alignment, value. */
static void
op_reg(struct in *in, bool write)
{
	uint8_t sel = in_u8(in), shape = in_u8(in);
	uint64_t off = reg_pick(in, sel);
	uint32_t count = 4, v[2] = {0, 0};

	/* Sub-word, unaligned, and 8-byte accesses. */
	if (shape & 0x80) {
		off += shape & 3;
		count = 1 + ((shape >> 2) & 7);
	}
	if (write) {
		v[0] = in_u32(in);
		if (count > 4)
			v[1] = in_u32(in);
	}
	emu_iavf_bar0_access(dev, off, v, count, write);
}

static void
op_bar3(struct in *in)
{
	uint8_t buf[64];
	uint16_t off = in_u16(in);
	uint8_t len = in_u8(in);
	const uint8_t *src;
	size_t n;

	if (len & 0x80) {
		len &= 0x3f;
		n = in_bytes(in, len, &src);
		memset(buf, 0, sizeof(buf));
		memcpy(buf, src, n);
		emu_iavf_bar3_access(dev, off, buf, len, true);
	} else {
		emu_iavf_bar3_access(dev, off, buf, RTE_MIN(len, (uint8_t)sizeof(buf)), false);
	}
}

/* Arbitrary guest memory: a descriptor, a ring, a buffer. */
static void
op_mem(struct in *in)
{
	uint32_t off = in_u16(in) * 4u;
	const uint8_t *src;
	size_t n = in_bytes(in, in_u8(in), &src);

	mem_put(off, src, n);
}

static void
op_link(struct in *in)
{
	uint8_t b = in_u8(in);

	pthread_mutex_lock(&dev->lock);
	dev->link_up = b & 1;
	dev->link_speed = (b & 2) ? in_u32(in) : 10000u * (b >> 2);
	emu_iavf_link_event_queue(dev);
	pthread_mutex_unlock(&dev->lock);
}

/* ---------------------------------------------------------------- oracle */

static void
check_queue(const struct emu_iavf_queue *q, uint32_t qid, uint32_t desc_size)
{
	if (q->enabled && !q->configured)
		abort();
	if (q->vector != RTE_EMUDEV_IRQ_NONE && q->vector >= dev->nb_vectors)
		abort();
	if (!q->configured)
		return;
	if (qid >= dev->offered_qp || q->ring_len == 0 || q->ring_len > AVF_RING_LEN_MAX)
		abort();
	/* Consumers walk the ring through the memory table: all of it mapped. */
	if (rte_vfio_user_dma_translate(dev->srv, q->ring_gpa, (uint64_t)q->ring_len * desc_size,
					RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE) == NULL)
		abort();
}

/* What consumers and the guest rely on, after every action. */
static void
check_state(void)
{
	uint32_t q, nb;

	pthread_mutex_lock(&dev->lock);
	if (dev->bl_count > EMU_IAVF_BACKLOG || dev->bl_head >= EMU_IAVF_BACKLOG ||
	    dev->nb_uc > EMU_IAVF_MAX_UC || dev->nb_mc > EMU_IAVF_MAX_MC ||
	    dev->offered_qp > dev->nb_qp || dev->offered_qp == 0 ||
	    dev->nb_ev > EMU_IAVF_MAX_EVENTS)
		abort();
	/* The receive configuration: bounded, consistent. */
	nb = 0;
	for (q = 0; q < RTE_DIM(dev->vlans); q++)
		nb += (uint32_t)__builtin_popcountll(dev->vlans[q]);
	if (nb != dev->nb_vlans || nb > EMU_IAVF_MAX_VLANS)
		abort();
	for (q = 0; q < dev->nb_uc; q++)
		if (dev->uc[q][0] & 1)
			abort();
	for (q = 0; q < dev->nb_mc; q++)
		if (!(dev->mc[q][0] & 1))
			abort();
	for (q = 0; dev->rss_lut_set && q < AVF_RSS_LUT_SIZE; q++)
		if (dev->rss_lut[q] >= dev->offered_qp)
			abort();
	if ((dev->rss_key_set || dev->rss_lut_set || dev->rss_hena != EMU_IAVF_RSS_HENA_CAPS) &&
	    !(dev->caps & VIRTCHNL_VF_OFFLOAD_RSS_PF))
		abort();
	if ((dev->nb_vlans != 0 || dev->vlan_strip || dev->vlan_insert) &&
	    !(dev->caps & VIRTCHNL_VF_OFFLOAD_VLAN_V2))
		abort();
	for (q = 0; q < AVF_MAX_QUEUE_PAIRS; q++) {
		check_queue(&dev->txq[q], q, AVF_TX_DESC_SIZE);
		check_queue(&dev->rxq[q], q, AVF_RX_DESC_SIZE);
		if (dev->rxq[q].configured &&
		    (dev->rxq[q].buf_size < AVF_RX_BUF_MIN ||
		     dev->rxq[q].buf_size > AVF_RX_BUF_MAX ||
		     dev->rxq[q].max_pkt > AVF_RX_MAX_PKT_MAX))
			abort();
	}
	pthread_mutex_unlock(&dev->lock);
}

/* ------------------------------------------------------------------ set-up */

/* Send one message to the server and process it; false on failure. */
static bool
srv_send(const void *msg, size_t len, int fd)
{
	uint8_t rep[4096];

	if (vfio_user_sock_send(sock_peer, msg, len, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0, 1000) !=
	    0)
		return false;
	if (vfio_user_server_handle_input(dev->srv) < 0)
		return false;
	while (recv(sock_peer, rep, sizeof(rep), MSG_DONTWAIT) > 0)
		;
	return true;
}

static void
setup_server(void)
{
	static const char json[] = "{\"capabilities\":{\"max_msg_fds\":16,"
				   "\"max_data_xfer_size\":1048576,\"pgsizes\":4096}}";
	struct rte_vfio_user_server_conf sc;
	uint8_t msg[VFIO_USER_HDR_SIZE + 4 + sizeof(json)];
	struct vfio_user_dma_map map;
	struct vfio_user_hdr h;
	int sv[2], memfd, len;

	memset(&sc, 0, sizeof(sc));
	sc.path = "/nonexistent/fuzz-emu-iavf.sock";
	sc.pci_id.vendor_id = AVF_PCI_VENDOR_ID;
	sc.pci_id.device_id = AVF_PCI_DEVICE_ID;
	sc.pci_id.class_code = AVF_PCI_CLASS;
	sc.irq_count[RTE_VFIO_USER_IRQ_MSIX] = AVF_MAX_VECTORS;
	sc.arg = dev;
	dev->srv = rte_vfio_user_server_create(&sc);
	if (dev->srv == NULL)
		abort();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	if (vfio_user_server_attach(dev->srv, sv[1]) != 0)
		abort();
	sock_peer = sv[0];

	memset(&h, 0, sizeof(h));
	h.msg_id = 1;
	h.cmd = VFIO_USER_CMD_VERSION;
	h.size = sizeof(msg);
	vfio_user_hdr_encode(msg, &h);
	memset(msg + VFIO_USER_HDR_SIZE, 0, 4);
	msg[VFIO_USER_HDR_SIZE + 2] = VFIO_USER_VERSION_MINOR;
	memcpy(msg + VFIO_USER_HDR_SIZE + 4, json, sizeof(json));
	if (!srv_send(msg, sizeof(msg), -1))
		abort();

	/* Guest memory as QEMU gives it: a memfd sealed against resizing. */
	memfd = memfd_create("fuzz-guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, MEM_SIZE) != 0 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)
		abort();
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED)
		abort();
	memset(&map, 0, sizeof(map));
	map.argsz = VFIO_USER_DMA_MAP_SIZE;
	map.flags = VFIO_USER_DMA_FLAG_READ | VFIO_USER_DMA_FLAG_WRITE;
	map.addr = GPA_BASE;
	map.size = MEM_SIZE;
	len = vfio_user_dma_map_encode(msg + VFIO_USER_HDR_SIZE, sizeof(msg) - VFIO_USER_HDR_SIZE,
				       &map);
	if (len < 0)
		abort();
	h.msg_id = 2;
	h.cmd = VFIO_USER_CMD_DMA_MAP;
	h.size = VFIO_USER_HDR_SIZE + (uint32_t)len;
	vfio_user_hdr_encode(msg, &h);
	if (!srv_send(msg, h.size, memfd))
		abort();
	close(memfd);
	if (rte_vfio_user_dma_translate(dev->srv, GPA_BASE, MEM_SIZE, RTE_VFIO_USER_DMA_READ) ==
	    NULL)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rte_log_set_global_level(RTE_LOG_EMERG);

	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		abort();
	pthread_mutex_init(&dev->lock, NULL);
	pthread_mutex_init(&dev->ev_lock, NULL);
	snprintf(dev->name, sizeof(dev->name), "emu_iavf_fuzz");
	dev->tail_fd = -1;
	dev->tail_mem = mmap(NULL, EMU_IAVF_TAIL_MAP_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dev->tail_mem == MAP_FAILED)
		abort();
	dev->nb_qp = 4;
	dev->nb_vectors = 5;
	memcpy(dev->mac, "\x02\x00\x00\x00\x00\x01", 6);
	dev->link_up = 1;
	dev->link_speed = 10000;
	setup_server();
	return 0;
}

/* -------------------------------------------------------------------- run */

enum {
	OP_MSG = 0,
	OP_REG_WRITE,
	OP_REG_READ,
	OP_ARQ_CONSUME,
	OP_MEM,
	OP_BAR3,
	OP_IRQ,
	OP_LINK,
	OP_RESET,
	OP_ATQT,
	OP_COUNT,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {.p = data, .left = size};
	uint8_t cfg, cfg2;
	uint32_t aqlen;

	if (size < 2)
		return 0;
	cfg = in_u8(&in);
	cfg2 = in_u8(&in);
	/* Device configuration, then power-on state. */
	dev->nb_qp = (uint16_t)(1 + (cfg & 15));
	dev->nb_vectors = dev->nb_qp + 1u;
	dev->consumer_max_qp = (cfg2 & 0x80) ? (uint16_t)(cfg2 & 15) : 0;
	dev->link_up = 1;
	dev->link_speed = 10000;
	memset(mem, 0, MEM_SIZE);
	emu_iavf_reset(dev, EMU_IAVF_RESET_FULL);
	aqlen = (cfg & 0x40) ? 1u + (cfg2 & 0x3f) : 32u;
	if (!(cfg & 0x20))
		aq_setup(aqlen);

	while (in.left > 0) {
		uint8_t op = in_u8(&in);

		switch (op % OP_COUNT) {
		case OP_MSG:
			op_msg(&in);
			break;
		case OP_REG_WRITE:
			op_reg(&in, true);
			break;
		case OP_REG_READ:
			op_reg(&in, false);
			break;
		case OP_ARQ_CONSUME:
			arq_consume();
			break;
		case OP_MEM:
			op_mem(&in);
			break;
		case OP_BAR3:
			op_bar3(&in);
			break;
		case OP_IRQ:
			emu_iavf_queue_irq_trigger(dev, in_u8(&in));
			break;
		case OP_LINK:
			op_link(&in);
			break;
		case OP_RESET:
			emu_iavf_reset(dev,
				       (in_u8(&in) & 1) ? EMU_IAVF_RESET_FULL : EMU_IAVF_RESET_VF);
			break;
		case OP_ATQT:
			reg_write(AVF_VF_ATQT1, in_u16(&in));
			break;
		}
		check_state();
	}
	return 0;
}
