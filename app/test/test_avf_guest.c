/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/* The guest's AVF driver of the tests (see test_avf_guest.h). */

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_common.h>
#include <rte_errno.h>

#include <rte_vfio_user.h>
#include <rte_vfio_user_client.h>

#include <avf_adminq.h>
#include <avf_desc.h>
#include <avf_regs.h>
#include <avf_virtchnl.h>

#include "test_avf_guest.h"
#include "test_common.h"

/*
 * drivers/common/avf must say the same (and its message layouts must put
 * the fields where the guest puts them).
 */
static_assert(R_QTX_TAIL(3) == AVF_QTX_TAIL1(3), "QTX_TAIL");
static_assert(R_QRX_TAIL(3) == AVF_QRX_TAIL1(3), "QRX_TAIL");
static_assert(R_DYN_CTLN1(1) == AVF_VFINT_DYN_CTLN1(1), "DYN_CTLN1");
static_assert(R_ICR01 == AVF_VFINT_ICR01, "ICR01");
static_assert(R_ICR0_ENA1 == AVF_VFINT_ICR0_ENA1, "ICR0_ENA1");
static_assert(R_DYN_CTL01 == AVF_VFINT_DYN_CTL01, "DYN_CTL01");
static_assert(R_ARQBAH == AVF_VF_ARQBAH1 && R_ARQBAL == AVF_VF_ARQBAL1 && R_ARQH == AVF_VF_ARQH1 &&
		      R_ARQT == AVF_VF_ARQT1 && R_ARQLEN == AVF_VF_ARQLEN1,
	      "ARQ registers");
static_assert(R_ATQBAH == AVF_VF_ATQBAH1 && R_ATQBAL == AVF_VF_ATQBAL1 && R_ATQH == AVF_VF_ATQH1 &&
		      R_ATQT == AVF_VF_ATQT1 && R_ATQLEN == AVF_VF_ATQLEN1,
	      "ATQ registers");
static_assert(R_RSTAT == AVF_VFGEN_RSTAT, "RSTAT");
static_assert(AQLEN_ENABLE == AVF_AQLEN_ENABLE && RSTAT_VFACTIVE == AVF_RSTAT_VFACTIVE &&
		      RSTAT_COMPLETED == AVF_RSTAT_COMPLETED,
	      "AQLEN / RSTAT bits");
static_assert(ICR01_ADMINQ == AVF_ICR0_ADMINQ && DYN_CTL_INTENA == AVF_DYN_CTL_INTENA &&
		      DYN_CTL_SWINT_TRIG == AVF_DYN_CTL_SWINT_TRIG &&
		      DYN_CTL_CLEARPBA == AVF_DYN_CTL_CLEARPBA,
	      "interrupt bits");
static_assert(AQ_FLAG_DD == AVF_AQ_FLAG_DD && AQ_FLAG_CMP == AVF_AQ_FLAG_CMP &&
		      AQ_FLAG_ERR == AVF_AQ_FLAG_ERR && AQ_FLAG_LB == AVF_AQ_FLAG_LB &&
		      AQ_FLAG_RD == AVF_AQ_FLAG_RD && AQ_FLAG_BUF == AVF_AQ_FLAG_BUF &&
		      AQ_FLAG_SI == AVF_AQ_FLAG_SI,
	      "descriptor flags");
static_assert(AQ_OP_SEND_TO_PF == AVF_AQ_OP_SEND_MSG_TO_PF &&
		      AQ_OP_SEND_TO_VF == AVF_AQ_OP_SEND_MSG_TO_VF &&
		      AQ_OP_QUEUE_SHUTDOWN == AVF_AQ_OP_QUEUE_SHUTDOWN,
	      "admin queue opcodes");
static_assert(VC_OP_VERSION == VIRTCHNL_OP_VERSION && VC_OP_RESET_VF == VIRTCHNL_OP_RESET_VF &&
		      VC_OP_GET_VF_RESOURCES == VIRTCHNL_OP_GET_VF_RESOURCES &&
		      VC_OP_CONFIG_VSI_QUEUES == VIRTCHNL_OP_CONFIG_VSI_QUEUES &&
		      VC_OP_CONFIG_IRQ_MAP == VIRTCHNL_OP_CONFIG_IRQ_MAP &&
		      VC_OP_ENABLE_QUEUES == VIRTCHNL_OP_ENABLE_QUEUES &&
		      VC_OP_DISABLE_QUEUES == VIRTCHNL_OP_DISABLE_QUEUES &&
		      VC_OP_ADD_ETH_ADDR == VIRTCHNL_OP_ADD_ETH_ADDR &&
		      VC_OP_DEL_ETH_ADDR == VIRTCHNL_OP_DEL_ETH_ADDR &&
		      VC_OP_CONFIG_PROMISCUOUS_MODE == VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE &&
		      VC_OP_GET_STATS == VIRTCHNL_OP_GET_STATS && VC_OP_EVENT == VIRTCHNL_OP_EVENT,
	      "virtchnl opcodes");
static_assert(VC_STATUS_NOT_SUPPORTED == VIRTCHNL_STATUS_ERR_NOT_SUPPORTED, "status");
static_assert(VC_CAP_L2 == VIRTCHNL_VF_OFFLOAD_L2 && VC_CAP_RSS_AQ == VIRTCHNL_VF_OFFLOAD_RSS_AQ,
	      "capabilities");
static_assert(VC_EVENT_LINK_CHANGE == VIRTCHNL_EVENT_LINK_CHANGE &&
		      VC_VSI_TYPE_SRIOV == VIRTCHNL_VSI_SRIOV,
	      "event, VSI type");
static_assert(sizeof(struct virtchnl_vf_resource) == 20 &&
		      offsetof(struct virtchnl_vsi_resource, vsi_type) == 4 &&
		      offsetof(struct virtchnl_vsi_resource, default_mac_addr) == 10,
	      "vf_resource layout");
static_assert(offsetof(struct virtchnl_txq_info, ring_len) == 4 &&
		      offsetof(struct virtchnl_txq_info, dma_ring_addr) == 8 &&
		      offsetof(struct virtchnl_queue_pair_info, rxq) == 24 &&
		      offsetof(struct virtchnl_rxq_info, ring_len) == 4 &&
		      offsetof(struct virtchnl_rxq_info, databuffer_size) == 12 &&
		      offsetof(struct virtchnl_rxq_info, max_pkt_size) == 16 &&
		      offsetof(struct virtchnl_rxq_info, dma_ring_addr) == 24 &&
		      offsetof(struct virtchnl_vsi_queue_config_info, qpair) == 8,
	      "queue config layout");
static_assert(offsetof(struct virtchnl_irq_map_info, vecmap) == 2 &&
		      offsetof(struct virtchnl_vector_map, rxq_map) == 4 &&
		      offsetof(struct virtchnl_vector_map, txq_map) == 6,
	      "irq map layout");
static_assert(offsetof(struct virtchnl_queue_select, rx_queues) == 4 &&
		      offsetof(struct virtchnl_queue_select, tx_queues) == 8 &&
		      offsetof(struct virtchnl_ether_addr_list, list) == 4 &&
		      offsetof(struct virtchnl_pf_event, link_status) == 8,
	      "select, address list, event layout");
static_assert(sizeof(struct aq_desc) == sizeof(struct avf_aq_desc) &&
		      offsetof(struct aq_desc, cookie_high) ==
			      offsetof(struct avf_aq_desc, cookie_high) &&
		      offsetof(struct aq_desc, addr_low) == offsetof(struct avf_aq_desc, addr_low),
	      "descriptor layout");

void
ag_init(struct avf_guest *g, unsigned int nb_vectors)
{
	unsigned int i;

	memset(g, 0, sizeof(*g));
	g->memfd = -1;
	g->nb_vectors = RTE_MIN(nb_vectors, (unsigned int)AG_MAX_VECTORS);
	for (i = 0; i < RTE_DIM(g->efd); i++)
		g->efd[i] = -1;
}

/* ---------------------------------------------------------- small helpers */

void
ag_sleep_us(unsigned int us)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)us * 1000};

	nanosleep(&ts, NULL);
}

void *
ag_mem(struct avf_guest *g, uint64_t off)
{
	return g->mem + off;
}

/* ------------------------------------------------------- register access */

int
ag_reg_rd(struct avf_guest *g, uint32_t off, uint32_t *val)
{
	uint8_t b[4];
	int ret;

	ret = rte_vfio_user_client_region_read(g->c, RTE_VFIO_USER_REGION_BAR0, off, b, sizeof(b));
	if (ret == 0)
		*val = get_le32(b);
	return ret;
}

int
ag_reg_wr(struct avf_guest *g, uint32_t off, uint32_t val)
{
	uint8_t b[4];

	put_le32(b, val);
	return rte_vfio_user_client_region_write(g->c, RTE_VFIO_USER_REGION_BAR0, off, b, sizeof(b),
						 false);
}

/* Read a register; a failed read gives a value no register has. */
uint32_t
ag_rd(struct avf_guest *g, uint32_t off)
{
	uint32_t v;

	if (ag_reg_rd(g, off, &v) != 0) {
		printf("BAR0 read at 0x%04" PRIx32 " failed\n", off);
		return 0xDEADBEEFu;
	}
	return v;
}

int
ag_cfg_rd(struct avf_guest *g, uint32_t off, void *buf, uint32_t len)
{
	return rte_vfio_user_client_region_read(g->c, RTE_VFIO_USER_REGION_CONFIG, off, buf, len);
}

int
ag_cfg_wr(struct avf_guest *g, uint32_t off, const void *buf, uint32_t len)
{
	return rte_vfio_user_client_region_write(g->c, RTE_VFIO_USER_REGION_CONFIG, off, buf, len,
						 false);
}

/* ------------------------------------------------------- client lifecycle */

void
ag_disconnect(struct avf_guest *g)
{
	unsigned int i;

	if (g->c != NULL)
		rte_vfio_user_client_close(g->c);
	g->c = NULL;
	g->mapped = false;
	g->irqs_set = false;
	for (i = 0; i < RTE_DIM(g->efd); i++) {
		if (g->efd[i] >= 0)
			close(g->efd[i]);
		g->efd[i] = -1;
	}
}

void
ag_free_mem(struct avf_guest *g)
{
	if (g->mem != NULL)
		munmap(g->mem, GUEST_SIZE);
	g->mem = NULL;
	if (g->memfd >= 0)
		close(g->memfd);
	g->memfd = -1;
}

int
ag_alloc_mem(struct avf_guest *g)
{
	int err;

	/* Sealed against shrinking, as QEMU's memory-backend-memfd: the server requires it. */
	g->memfd = memfd_create("emu_iavf_guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (g->memfd < 0)
		return -errno;
	if (ftruncate(g->memfd, GUEST_SIZE) != 0 ||
	    fcntl(g->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
		err = errno;
		ag_free_mem(g);
		return -err;
	}
	g->mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g->memfd, 0);
	if (g->mem == MAP_FAILED) {
		err = errno;
		g->mem = NULL;
		ag_free_mem(g);
		return -err;
	}
	return 0;
}

/* Give eventfds for all MSI-X vectors. */
int
ag_set_irqs(struct avf_guest *g)
{
	unsigned int i;
	int ret;

	for (i = 0; i < g->nb_vectors; i++) {
		if (g->efd[i] < 0)
			g->efd[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (g->efd[i] < 0)
			return -errno;
	}
	ret = rte_vfio_user_client_set_irqs(g->c, RTE_VFIO_USER_IRQ_MSIX, 0, g->nb_vectors, g->efd);
	g->irqs_set = ret == 0;
	return ret;
}

/* Connect, map the guest memory and set the interrupt eventfds. */
int
ag_connect(struct avf_guest *g, const char *sock_path)
{
	int ret;

	g->c = rte_vfio_user_client_connect(sock_path, NULL);
	if (g->c == NULL) {
		printf("connect to %s: %s\n", sock_path, rte_strerror(rte_errno));
		return -1;
	}
	ret = rte_vfio_user_client_dma_map(g->c, g->memfd, 0, GUEST_IOVA, GUEST_SIZE,
					   RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE);
	if (ret != 0) {
		printf("DMA_MAP: %s\n", strerror(-ret));
		ag_disconnect(g);
		return -1;
	}
	g->mapped = true;
	ret = ag_set_irqs(g);
	if (ret != 0) {
		printf("SET_IRQS: %s\n", strerror(-ret));
		ag_disconnect(g);
		return -1;
	}
	return 0;
}

/* Drain an eventfd; return its count (0 if it did not fire). */
uint64_t
ag_efd_drain(int efd)
{
	uint64_t v = 0;

	if (efd < 0 || read(efd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

/* Wait up to timeout_ms for an eventfd; return its count, 0 on timeout. */
uint64_t
ag_efd_wait(int efd, int timeout_ms)
{
	struct pollfd pfd = {.fd = efd, .events = POLLIN};
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0)
		return 0;
	return ag_efd_drain(efd);
}

/* ------------------------------------------------------------ admin queue */

struct aq_desc *
ag_atq_desc(struct avf_guest *g, uint32_t i)
{
	return (struct aq_desc *)ag_mem(g,
					ATQ_RING_OFF + (i % AQ_ENTRIES) * sizeof(struct aq_desc));
}

struct aq_desc *
ag_arq_desc(struct avf_guest *g, uint32_t i)
{
	return (struct aq_desc *)ag_mem(g,
					ARQ_RING_OFF + (i % AQ_ENTRIES) * sizeof(struct aq_desc));
}

void
ag_arq_post(struct avf_guest *g, uint32_t i)
{
	struct aq_desc *d = ag_arq_desc(g, i);
	uint64_t iova = GUEST_IOVA + ARQ_BUF_OFF(i);

	memset(d, 0, sizeof(*d));
	d->flags = AQ_FLAG_BUF | AQ_FLAG_LB;
	d->datalen = AQ_BUF_SIZE;
	d->addr_high = (uint32_t)(iova >> 32);
	d->addr_low = (uint32_t)iova;
}

/* The shutdown sequence of the Linux driver: all AQ registers to 0. */
int
ag_aq_shutdown(struct avf_guest *g)
{
	static const uint32_t regs[] = {R_ATQH, R_ATQT, R_ATQLEN, R_ATQBAL, R_ATQBAH,
					R_ARQH, R_ARQT, R_ARQLEN, R_ARQBAL, R_ARQBAH};
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(regs); i++) {
		ret = ag_reg_wr(g, regs[i], 0);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/*
 * The init sequence of the Linux driver (head, tail, length with ENABLE,
 * then the base address, read back) with rings at the given addresses.
 */
int
ag_aq_init_at(struct avf_guest *g, uint64_t atq_iova, uint64_t arq_iova)
{
	uint32_t i, v = 0;

	memset(ag_mem(g, ATQ_RING_OFF), 0, AQ_ENTRIES * sizeof(struct aq_desc));
	for (i = 0; i < AQ_ENTRIES; i++)
		ag_arq_post(g, i);
	g->atq_tail = 0;
	g->arq_ntc = 0;
	if (ag_reg_wr(g, R_ATQH, 0) || ag_reg_wr(g, R_ATQT, 0) ||
	    ag_reg_wr(g, R_ATQLEN, AQ_ENTRIES | AQLEN_ENABLE) ||
	    ag_reg_wr(g, R_ATQBAL, (uint32_t)atq_iova) ||
	    ag_reg_wr(g, R_ATQBAH, (uint32_t)(atq_iova >> 32)))
		return -EIO;
	if (ag_reg_rd(g, R_ATQBAL, &v) != 0 || v != (uint32_t)atq_iova) {
		printf("ATQBAL reads 0x%08" PRIx32 ", wrote 0x%08" PRIx32 "\n", v,
		       (uint32_t)atq_iova);
		return -EIO;
	}
	if (ag_reg_wr(g, R_ARQH, 0) || ag_reg_wr(g, R_ARQT, 0) ||
	    ag_reg_wr(g, R_ARQLEN, AQ_ENTRIES | AQLEN_ENABLE) ||
	    ag_reg_wr(g, R_ARQBAL, (uint32_t)arq_iova) ||
	    ag_reg_wr(g, R_ARQBAH, (uint32_t)(arq_iova >> 32)))
		return -EIO;
	if (ag_reg_rd(g, R_ARQBAL, &v) != 0 || v != (uint32_t)arq_iova) {
		printf("ARQBAL reads 0x%08" PRIx32 ", wrote 0x%08" PRIx32 "\n", v,
		       (uint32_t)arq_iova);
		return -EIO;
	}
	if (ag_reg_wr(g, R_ARQT, AQ_ENTRIES - 1))
		return -EIO;
	return 0;
}

int
ag_aq_init(struct avf_guest *g)
{
	return ag_aq_init_at(g, GUEST_IOVA + ATQ_RING_OFF, GUEST_IOVA + ARQ_RING_OFF);
}

/*
 * Put a descriptor on the ATQ, bump the tail, and wait until the device
 * moved its head past it. *wb gets the written-back descriptor.
 * @return 0, -ETIMEDOUT when the head did not move, -EIO on a register error.
 */
int
ag_atq_submit(struct avf_guest *g, const struct aq_desc *d, struct aq_desc *wb)
{
	uint32_t idx = g->atq_tail, h = 0;
	uint64_t deadline;

	*ag_atq_desc(g, idx) = *d;
	rte_smp_wmb();
	g->atq_tail = (idx + 1) % AQ_ENTRIES;
	if (ag_reg_wr(g, R_ATQT, g->atq_tail) != 0)
		return -EIO;
	deadline = now_ms() + WAIT_MS;
	for (;;) {
		if (ag_reg_rd(g, R_ATQH, &h) != 0)
			return -EIO;
		if (h == g->atq_tail)
			break;
		if (now_ms() > deadline) {
			printf("ATQH stays at %" PRIu32 " (tail %" PRIu32 ")\n", h, g->atq_tail);
			return -ETIMEDOUT;
		}
		ag_sleep_us(100);
	}
	rte_smp_rmb();
	if (wb != NULL)
		*wb = *ag_atq_desc(g, idx);
	return 0;
}

/* Build the descriptor of a VF-to-PF message whose payload is at buf_iova. */
void
ag_vc_desc(struct aq_desc *d, uint32_t op, uint16_t len, uint64_t buf_iova)
{
	memset(d, 0, sizeof(*d));
	d->flags = AQ_FLAG_SI;
	if (len > 0)
		d->flags |= AQ_FLAG_BUF | AQ_FLAG_RD;
	if (len > 512)
		d->flags |= AQ_FLAG_LB;
	d->opcode = AQ_OP_SEND_TO_PF;
	d->datalen = len;
	d->cookie_high = op;
	d->addr_high = (uint32_t)(buf_iova >> 32);
	d->addr_low = (uint32_t)buf_iova;
}

/* Send a virtchnl message (the payload goes in the slot's buffer). */
int
ag_vc_send(struct avf_guest *g, uint32_t op, const void *msg, uint16_t len)
{
	struct aq_desc d, wb;
	uint32_t slot = g->atq_tail;
	int ret;

	if (len > AQ_BUF_SIZE)
		return -EINVAL;
	if (len > 0)
		memcpy(ag_mem(g, ATQ_BUF_OFF(slot)), msg, len);
	ag_vc_desc(&d, op, len, GUEST_IOVA + ATQ_BUF_OFF(slot));
	ret = ag_atq_submit(g, &d, &wb);
	if (ret != 0)
		return ret;
	if ((wb.flags & (AQ_FLAG_DD | AQ_FLAG_CMP)) != (AQ_FLAG_DD | AQ_FLAG_CMP)) {
		printf("ATQ descriptor %" PRIu32 " of op %" PRIu32
		       " written back with flags 0x%04x\n",
		       slot, op, wb.flags);
		return -EPROTO;
	}
	return 0;
}

/*
 * Take the next message from the ARQ (waiting up to timeout_ms), give its
 * descriptor back to the device.
 * @return 0, -ETIMEDOUT, -EIO.
 */
int
ag_arq_take(struct avf_guest *g, struct arq_msg *m, int timeout_ms)
{
	struct aq_desc *d = ag_arq_desc(g, g->arq_ntc);
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	uint32_t idx = g->arq_ntc;
	uint16_t len;

	while (!(__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE) & AQ_FLAG_DD)) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		ag_sleep_us(100);
	}
	m->flags = d->flags;
	m->op = d->cookie_high;
	m->status = (int32_t)d->cookie_low;
	m->datalen = d->datalen;
	len = RTE_MIN(d->datalen, (uint16_t)AQ_BUF_SIZE);
	memset(m->data, 0, sizeof(m->data));
	memcpy(m->data, ag_mem(g, ARQ_BUF_OFF(idx)), len);
	if (d->opcode != AQ_OP_SEND_TO_VF)
		printf("ARQ descriptor %" PRIu32 " has opcode 0x%04x\n", idx, d->opcode);
	ag_arq_post(g, idx);
	rte_smp_wmb();
	g->arq_ntc = (idx + 1) % AQ_ENTRIES;
	if (ag_reg_wr(g, R_ARQT, idx) != 0)
		return -EIO;
	return 0;
}

void
ag_note_event(struct avf_guest *g, const struct arq_msg *m)
{
	g->nb_events++;
	g->last_event = (int32_t)get_le32(m->data);
	g->last_event_link = m->data[8];
	g->last_event_speed = get_le32(m->data + 4);
	printf("virtchnl event %" PRId32 " (link %s, speed 0x%" PRIx32 ")\n", g->last_event,
	       g->last_event_link ? "up" : "down", get_le32(m->data + 4));
}

/* Drain what is on the ARQ now (events are noted). */
void
ag_arq_drain(struct avf_guest *g)
{
	static struct arq_msg m;

	while (ag_arq_take(g, &m, 0) == 0) {
		if (m.op == VC_OP_EVENT)
			ag_note_event(g, &m);
		else
			printf("drained reply op %" PRIu32 " status %" PRId32 "\n", m.op, m.status);
	}
}

/*
 * Send a message and wait for its reply. Events met on the way are noted;
 * replies to other ops are counted as stray.
 * @return the reply's virtchnl status, or VC_NO_REPLY.
 */
int
ag_vc_call(struct avf_guest *g, uint32_t op, const void *msg, uint16_t len, void *resp,
	   uint16_t resp_cap, uint16_t *resp_len)
{
	static struct arq_msg m;
	uint64_t deadline;
	int ret;

	if (resp_len != NULL)
		*resp_len = 0;
	ret = ag_vc_send(g, op, msg, len);
	if (ret != 0) {
		printf("send op %" PRIu32 ": %s\n", op, strerror(-ret));
		return VC_NO_REPLY;
	}
	deadline = now_ms() + WAIT_MS;
	for (;;) {
		uint64_t t = now_ms();

		if (t > deadline) {
			printf("no reply to op %" PRIu32 "\n", op);
			return VC_NO_REPLY;
		}
		ret = ag_arq_take(g, &m, (int)(deadline - t));
		if (ret == -ETIMEDOUT)
			continue;
		if (ret != 0)
			return VC_NO_REPLY;
		if (m.op == VC_OP_EVENT) {
			ag_note_event(g, &m);
			continue;
		}
		if (m.op != op) {
			printf("stray reply op %" PRIu32 " status %" PRId32
			       " while waiting for %" PRIu32 "\n",
			       m.op, m.status, op);
			g->nb_stray++;
			continue;
		}
		break;
	}
	if (resp != NULL)
		memcpy(resp, m.data, RTE_MIN(resp_cap, m.datalen));
	if (resp_len != NULL)
		*resp_len = m.datalen;
	return m.status;
}

/* Wait for a virtchnl event (one already noted counts). */
bool
ag_wait_event(struct avf_guest *g, unsigned int nb_before, int timeout_ms)
{
	static struct arq_msg m;
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;

	while (g->nb_events == nb_before) {
		uint64_t t = now_ms();

		if (t > deadline)
			return false;
		if (ag_arq_take(g, &m, (int)(deadline - t)) != 0)
			continue;
		if (m.op == VC_OP_EVENT)
			ag_note_event(g, &m);
		else
			g->nb_stray++;
	}
	return true;
}

/* ----------------------------------------------------------- virtchnl ops */

/* Wait until VFGEN_RSTAT reads VFACTIVE. */
int
ag_wait_vfactive(struct avf_guest *g)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	uint32_t v;

	for (;;) {
		v = ag_rd(g, R_RSTAT);
		if (v != 0xDEADBEEFu && (v & RSTAT_MASK) == RSTAT_VFACTIVE)
			return 0;
		if (now_ms() > deadline) {
			printf("VFGEN_RSTAT stays 0x%08" PRIx32 "\n", v);
			return -ETIMEDOUT;
		}
		ag_sleep_us(200);
	}
}

/* Wait until a register has the bits of mask clear. */
int
ag_wait_reg_clear(struct avf_guest *g, uint32_t off, uint32_t mask)
{
	uint64_t deadline = now_ms() + WAIT_MS;
	uint32_t v;

	for (;;) {
		v = ag_rd(g, off);
		if (v != 0xDEADBEEFu && !(v & mask))
			return 0;
		if (now_ms() > deadline) {
			printf("register 0x%04" PRIx32 " stays 0x%08" PRIx32 "\n", off, v);
			return -ETIMEDOUT;
		}
		ag_sleep_us(200);
	}
}

int
ag_vc_version(struct avf_guest *g, uint32_t *major, uint32_t *minor)
{
	uint8_t req[8], resp[8];
	uint16_t rlen;
	int st;

	put_le32(req, 1);
	put_le32(req + 4, 1);
	st = ag_vc_call(g, VC_OP_VERSION, req, sizeof(req), resp, sizeof(resp), &rlen);
	if (st == 0 && rlen >= 8) {
		*major = get_le32(resp);
		*minor = get_le32(resp + 4);
	}
	return st == 0 && rlen < 8 ? -EPROTO : st;
}

int
ag_vc_get_resources_caps(struct avf_guest *g, struct vf_res *r, uint32_t caps)
{
	uint8_t req[4], resp[256];
	uint16_t rlen;
	int st;

	put_le32(req, caps);
	memset(r, 0, sizeof(*r));
	st = ag_vc_call(g, VC_OP_GET_VF_RESOURCES, req, sizeof(req), resp, sizeof(resp), &rlen);
	if (st != 0)
		return st;
	r->len = rlen;
	if (rlen < 20)
		return -EPROTO;
	r->num_vsis = get_le16(resp);
	r->num_queue_pairs = get_le16(resp + 2);
	r->max_vectors = get_le16(resp + 4);
	r->max_mtu = get_le16(resp + 6);
	r->caps = get_le32(resp + 8);
	r->rss_key_size = get_le32(resp + 12);
	r->rss_lut_size = get_le32(resp + 16);
	if (r->num_vsis >= 1 && rlen >= 36) {
		r->vsi_id = get_le16(resp + 20);
		r->vsi_num_qp = get_le16(resp + 22);
		r->vsi_type = (int32_t)get_le32(resp + 24);
		memcpy(r->mac, resp + 30, 6);
		g->vsi_id = r->vsi_id;
	}
	return 0;
}

int
ag_vc_get_resources(struct avf_guest *g, struct vf_res *r)
{
	return ag_vc_get_resources_caps(g, r, VF_CAPS_ASKED);
}

/*
 * Bring the device up to the point a driver is after probe: reset state
 * checked, admin queue initialized, VERSION (optional) and
 * GET_VF_RESOURCES done.
 */
int
ag_bring_up(struct avf_guest *g, bool version)
{
	struct vf_res r;
	uint32_t major = 0, minor = 0;
	int ret;

	ret = ag_wait_vfactive(g);
	if (ret != 0)
		return ret;
	ret = ag_aq_init(g);
	if (ret != 0) {
		printf("admin queue init failed\n");
		return ret;
	}
	if (version) {
		ret = ag_vc_version(g, &major, &minor);
		if (ret != 0 || major != 1 || minor != 1) {
			printf("VERSION: status %d, %" PRIu32 ".%" PRIu32 "\n", ret, major, minor);
			return -EPROTO;
		}
	}
	ret = ag_vc_get_resources(g, &r);
	if (ret != 0 || r.num_vsis != 1) {
		printf("GET_VF_RESOURCES: status %d, %u VSIs\n", ret, r.num_vsis);
		return -EPROTO;
	}
	return 0;
}

/* Fill one queue pair of CONFIG_VSI_QUEUES (64 bytes at p). */
void
ag_qpair_fill(uint8_t *p, uint16_t vsi, uint16_t qid, uint32_t ring_len, uint64_t tx_ring,
	      uint64_t rx_ring)
{
	memset(p, 0, 64);
	/* txq_info */
	put_le16(p + 0, vsi);
	put_le16(p + 2, qid);
	put_le16(p + 4, (uint16_t)ring_len);
	put_le64(p + 8, tx_ring);
	/* rxq_info */
	p += 24;
	put_le16(p + 0, vsi);
	put_le16(p + 2, qid);
	put_le32(p + 4, ring_len);
	put_le32(p + 12, RX_BUF_SIZE);
	put_le32(p + 16, 1518);
	put_le64(p + 24, rx_ring);
}

/* CONFIG_VSI_QUEUES for nq queue pairs with rings in guest memory. */
int
ag_vc_config_queues(struct avf_guest *g, uint16_t nq)
{
	uint8_t msg[8 + 64 * 16];
	uint16_t q;

	memset(msg, 0, sizeof(msg));
	put_le16(msg, g->vsi_id);
	put_le16(msg + 2, nq);
	for (q = 0; q < nq; q++)
		ag_qpair_fill(msg + 8 + 64 * q, g->vsi_id, q, RING_LEN, GUEST_IOVA + TX_RING_OFF(q),
			      GUEST_IOVA + RX_RING_OFF(q));
	return ag_vc_call(g, VC_OP_CONFIG_VSI_QUEUES, msg, (uint16_t)(8 + 64 * nq), NULL, 0, NULL);
}

/*
 * CONFIG_IRQ_MAP as Linux sends it: queue pair q on vector q + 1, then
 * vector 0 with no queue.
 */
int
ag_vc_irq_map(struct avf_guest *g, uint16_t nq)
{
	uint8_t msg[2 + 12 * 17];
	uint16_t q;
	uint8_t *e;

	memset(msg, 0, sizeof(msg));
	put_le16(msg, (uint16_t)(nq + 1));
	for (q = 0; q < nq; q++) {
		e = msg + 2 + 12 * q;
		put_le16(e, g->vsi_id);
		put_le16(e + 2, (uint16_t)(q + 1));
		put_le16(e + 4, (uint16_t)(1u << q));
		put_le16(e + 6, (uint16_t)(1u << q));
	}
	e = msg + 2 + 12 * nq;
	put_le16(e, g->vsi_id);
	return ag_vc_call(g, VC_OP_CONFIG_IRQ_MAP, msg, (uint16_t)(2 + 12 * (nq + 1)), NULL, 0,
			  NULL);
}

/* ENABLE_QUEUES / DISABLE_QUEUES / GET_STATS: virtchnl_queue_select. */
int
ag_vc_queue_select(struct avf_guest *g, uint32_t op, uint16_t vsi, uint32_t rxq, uint32_t txq,
		   void *resp, uint16_t resp_cap, uint16_t *resp_len)
{
	uint8_t msg[12];

	memset(msg, 0, sizeof(msg));
	put_le16(msg, vsi);
	put_le32(msg + 4, rxq);
	put_le32(msg + 8, txq);
	return ag_vc_call(g, op, msg, sizeof(msg), resp, resp_cap, resp_len);
}

/* ADD_ETH_ADDR / DEL_ETH_ADDR with one address. */
int
ag_vc_eth_addr(struct avf_guest *g, uint32_t op, uint16_t vsi, const uint8_t mac[6])
{
	uint8_t msg[12];

	memset(msg, 0, sizeof(msg));
	put_le16(msg, vsi);
	put_le16(msg + 2, 1);
	memcpy(msg + 4, mac, 6);
	return ag_vc_call(g, op, msg, sizeof(msg), NULL, 0, NULL);
}

int
ag_vc_promisc(struct avf_guest *g, uint16_t vsi, uint16_t flags)
{
	uint8_t msg[4];

	put_le16(msg, vsi);
	put_le16(msg + 2, flags);
	return ag_vc_call(g, VC_OP_CONFIG_PROMISCUOUS_MODE, msg, sizeof(msg), NULL, 0, NULL);
}

/* Bring the device all the way up: queues configured, mapped, enabled. */
int
ag_bring_up_queues(struct avf_guest *g, uint16_t nq)
{
	unsigned int ev;
	int st;

	st = ag_bring_up(g, true);
	if (st != 0)
		return st;
	st = ag_vc_config_queues(g, nq);
	if (st != 0) {
		printf("CONFIG_VSI_QUEUES: status %d\n", st);
		return -EPROTO;
	}
	st = ag_vc_irq_map(g, nq);
	if (st != 0) {
		printf("CONFIG_IRQ_MAP: status %d\n", st);
		return -EPROTO;
	}
	ev = g->nb_events;
	st = ag_vc_queue_select(g, VC_OP_ENABLE_QUEUES, g->vsi_id, (1u << nq) - 1, (1u << nq) - 1,
				NULL, 0, NULL);
	if (st != 0) {
		printf("ENABLE_QUEUES: status %d\n", st);
		return -EPROTO;
	}
	if (!ag_wait_event(g, ev, WAIT_MS)) {
		printf("no event after ENABLE_QUEUES\n");
		return -EPROTO;
	}
	return 0;
}

/* Post a descriptor without waiting for the device to take it. */
int
ag_atq_post_nowait(struct avf_guest *g, const struct aq_desc *d)
{
	*ag_atq_desc(g, g->atq_tail) = *d;
	rte_smp_wmb();
	g->atq_tail = (g->atq_tail + 1) % AQ_ENTRIES;
	return ag_reg_wr(g, R_ATQT, g->atq_tail);
}

unsigned int
ag_find_cap(const uint8_t *cfg, uint8_t id)
{
	unsigned int ptr, n;

	if (!(get_le16(cfg + 0x06) & 0x10))
		return 0;
	ptr = cfg[0x34] & 0xFCu;
	for (n = 0; n < 48 && ptr >= 0x40 && ptr <= 0xF0; n++) {
		if (cfg[ptr] == id)
			return ptr;
		ptr = cfg[ptr + 1] & 0xFCu;
	}
	return 0;
}

int
ag_flr(struct avf_guest *g)
{
	uint8_t cfg[256], b[2];
	unsigned int exp;
	int ret;

	ret = ag_cfg_rd(g, 0, cfg, sizeof(cfg));
	if (ret != 0)
		return ret;
	exp = ag_find_cap(cfg, PCI_CAP_ID_EXP);
	if (exp == 0)
		return -ENOTSUP;
	put_le16(b, (uint16_t)(get_le16(cfg + exp + 8) | 0x8000u));
	ret = ag_cfg_wr(g, exp + 8, b, 2);
	if (ret != 0)
		return ret;
	ret = ag_cfg_rd(g, exp + 8, b, 2);
	if (ret == 0 && (get_le16(b) & 0x8000u)) {
		printf("Initiate FLR reads back set\n");
		return -EPROTO;
	}
	return ret;
}
