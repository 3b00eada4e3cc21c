/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef TEST_AVF_GUEST_H
#define TEST_AVF_GUEST_H

/*
 * A guest's AVF (iavf) VF driver, as the tests drive it through the
 * vfio-user client library without a virtual machine: "guest memory" (a
 * sealed memfd the client DMA-maps at GUEST_IOVA), BAR0 and config space
 * access, the admin queue in guest memory, virtchnl calls, bring-up,
 * queue configuration, IRQ map and enable, interrupt eventfds.
 *
 * All the state of one guest driver is in struct avf_guest, so that a test
 * can drive several devices (a migration test: the source and the
 * destination) or move a guest driver from one to the other (its client,
 * memory and AQ indexes are plain fields).
 */

#include <stdbool.h>
#include <stdint.h>

struct rte_vfio_user_client;

/* ------------------------------------------------------------------ facts */

/*
 * Register offsets, bits, admin-queue and virtchnl numbers as the guest
 * driver knows them (Linux/DPDK iavf, virtchnl.h). They are kept here
 * rather than taken from drivers/common/avf (which the device model and
 * net_iavf_client both use) so that the test checks the device against the
 * specification, not against itself.
 */
#define R_QTX_TAIL(q) (0x0000u + 4u * (q))
#define R_QRX_TAIL(q) (0x2000u + 4u * (q))
#define R_DYN_CTLN1(v) (0x3800u + 4u * (v))
#define R_ICR01 0x4800u
#define R_ICR0_ENA1 0x5000u
#define R_DYN_CTL01 0x5C00u
#define R_ARQBAH 0x6000u
#define R_ATQH 0x6400u
#define R_ATQLEN 0x6800u
#define R_ARQBAL 0x6C00u
#define R_ARQT 0x7000u
#define R_ARQH 0x7400u
#define R_ATQBAH 0x7800u
#define R_ATQBAL 0x7C00u
#define R_ARQLEN 0x8000u
#define R_ATQT 0x8400u
#define R_RSTAT 0x8800u

#define AQLEN_ENABLE 0x80000000u
#define AQLEN_LEN_MASK 0x3FFu
#define RSTAT_MASK 0x3u
#define RSTAT_INPROGRESS 0u
#define RSTAT_COMPLETED 1u
#define RSTAT_VFACTIVE 2u
#define ICR01_ADMINQ (1u << 30)
#define ICR0_ENA1_ADMINQ (1u << 30)
#define DYN_CTL_INTENA 0x1u
#define DYN_CTL_CLEARPBA 0x2u
#define DYN_CTL_SWINT_TRIG 0x4u
#define DYN_CTL_ITR_INDX_NONE (3u << 3)

#define AQ_FLAG_DD 0x0001u
#define AQ_FLAG_CMP 0x0002u
#define AQ_FLAG_ERR 0x0004u
#define AQ_FLAG_LB 0x0200u
#define AQ_FLAG_RD 0x0400u
#define AQ_FLAG_BUF 0x1000u
#define AQ_FLAG_SI 0x2000u
#define AQ_OP_SEND_TO_PF 0x0801u
#define AQ_OP_SEND_TO_VF 0x0802u
#define AQ_OP_QUEUE_SHUTDOWN 0x0003u
#define AQ_ENTRIES 32u
#define AQ_BUF_SIZE 4096u

#define VC_OP_VERSION 1u
#define VC_OP_RESET_VF 2u
#define VC_OP_GET_VF_RESOURCES 3u
#define VC_OP_CONFIG_VSI_QUEUES 6u
#define VC_OP_CONFIG_IRQ_MAP 7u
#define VC_OP_ENABLE_QUEUES 8u
#define VC_OP_DISABLE_QUEUES 9u
#define VC_OP_ADD_ETH_ADDR 10u
#define VC_OP_DEL_ETH_ADDR 11u
#define VC_OP_CONFIG_PROMISCUOUS_MODE 14u
#define VC_OP_GET_STATS 15u
#define VC_OP_EVENT 17u

#define VC_STATUS_SUCCESS 0
#define VC_STATUS_NOT_SUPPORTED (-64)
#define VC_STATUS_ERR_PARAM (-5)
#define VC_STATUS_NO_MEMORY (-18)

#define VC_CAP_L2 (1u << 0)
#define VC_CAP_RSS_AQ (1u << 3)
#define VC_CAP_RSS_REG (1u << 4)
#define VC_CAP_WB_ON_ITR (1u << 5)

#define VC_EVENT_LINK_CHANGE 1
#define VC_VSI_TYPE_SRIOV 6
#define VC_PROMISC_UNICAST 0x1u
#define VC_PROMISC_MULTICAST 0x2u

#define PCI_CAP_ID_MSIX 0x11u
#define PCI_CAP_ID_EXP 0x10u

/* Guest memory: a memfd mapped at GUEST_IOVA. */
#define GUEST_IOVA UINT64_C(0x80000000)
#define GUEST_SIZE (4u << 20)
#define ATQ_RING_OFF 0x0000u
#define ARQ_RING_OFF 0x1000u
#define ATQ_BUF_OFF(i) (0x10000u + (i)*AQ_BUF_SIZE)
#define ARQ_BUF_OFF(i) (0x40000u + (i)*AQ_BUF_SIZE)
#define TX_RING_OFF(q) (0x100000u + (q)*0x10000u)
#define RX_RING_OFF(q) (0x200000u + (q)*0x10000u)
#define RING_LEN 512u
#define RX_BUF_SIZE 2048u
/* Never mapped by the test. */
#define UNMAPPED_IOVA UINT64_C(0x7000000000)

/* How long to wait for the device. */
#define WAIT_MS 2000
/* How long to wait for something that must not happen. */
#define QUIET_MS 50

/* The admin queue descriptor (little endian host assumed, as on x86/arm). */
struct aq_desc {
	uint16_t flags;
	uint16_t opcode;
	uint16_t datalen;
	uint16_t retval;
	uint32_t cookie_high;
	uint32_t cookie_low;
	uint32_t param0;
	uint32_t param1;
	uint32_t addr_high;
	uint32_t addr_low;
};

/* One message taken from the ARQ. */
struct arq_msg {
	uint32_t op;
	int32_t status;
	uint16_t flags;
	uint16_t datalen;
	uint8_t data[AQ_BUF_SIZE];
};

/* The most MSI-X vectors a guest gives eventfds for. */
#define AG_MAX_VECTORS 17

/* State of the "guest driver". */
struct avf_guest {
	struct rte_vfio_user_client *c;
	int memfd;
	uint8_t *mem;
	bool mapped;
	unsigned int nb_vectors; /* eventfds given by ag_set_irqs() */
	int efd[AG_MAX_VECTORS];
	bool irqs_set;
	uint32_t atq_tail; /* next ATQ descriptor to use */
	uint32_t arq_ntc; /* next ARQ descriptor to clean */
	uint16_t vsi_id; /* from GET_VF_RESOURCES */
	unsigned int nb_events; /* virtchnl EVENTs seen */
	int32_t last_event;
	uint8_t last_event_link;
	uint32_t last_event_speed;
	unsigned int nb_stray; /* replies nobody waited for */
};

/* A status no virtchnl status is: the device did not answer. */
#define VC_NO_REPLY 1000000

/* The capabilities the Linux driver asks for. */
#define VF_CAPS_ASKED \
	(VC_CAP_L2 | VC_CAP_RSS_AQ | VC_CAP_RSS_REG | VC_CAP_WB_ON_ITR | (1u << 6) | (1u << 7) | \
	 (1u << 16) | (1u << 17))

/* What GET_VF_RESOURCES answered. */
struct vf_res {
	uint16_t num_vsis;
	uint16_t num_queue_pairs;
	uint16_t max_vectors;
	uint16_t max_mtu;
	uint32_t caps;
	uint32_t rss_key_size;
	uint32_t rss_lut_size;
	uint16_t vsi_id;
	uint16_t vsi_num_qp;
	int32_t vsi_type;
	uint8_t mac[6];
	uint16_t len;
};

/*
 * A guest with no client, no memory, no eventfds, giving nb_vectors
 * (<= AG_MAX_VECTORS) eventfds when it connects.
 */
void ag_init(struct avf_guest *g, unsigned int nb_vectors);

void ag_sleep_us(unsigned int us);

/* The guest memory at offset off (from GUEST_IOVA). */
void *ag_mem(struct avf_guest *g, uint64_t off);

int ag_reg_rd(struct avf_guest *g, uint32_t off, uint32_t *val);

int ag_reg_wr(struct avf_guest *g, uint32_t off, uint32_t val);

/* Read a register; a failed read gives 0xDEADBEEF (a value no register has). */
uint32_t ag_rd(struct avf_guest *g, uint32_t off);

int ag_cfg_rd(struct avf_guest *g, uint32_t off, void *buf, uint32_t len);

int ag_cfg_wr(struct avf_guest *g, uint32_t off, const void *buf, uint32_t len);

/* Offset of a standard capability in a configuration space (256 bytes), or 0. */
unsigned int ag_find_cap(const uint8_t *cfg, uint8_t id);

/*
 * Initiate an FLR as the guest's driver does (PCI Express device control);
 * -ENOTSUP without the capability, -EPROTO if the bit reads back set.
 */
int ag_flr(struct avf_guest *g);

/* Close the client and the eventfds (the memory stays). */
void ag_disconnect(struct avf_guest *g);

void ag_free_mem(struct avf_guest *g);

/* A sealed memfd of GUEST_SIZE bytes, mapped in g->mem. @return 0 or -errno. */
int ag_alloc_mem(struct avf_guest *g);

/* Give eventfds for all MSI-X vectors. */
int ag_set_irqs(struct avf_guest *g);

/* Connect, map the guest memory and set the interrupt eventfds. */
int ag_connect(struct avf_guest *g, const char *sock_path);

/* Drain an eventfd; return its count (0 if it did not fire). */
uint64_t ag_efd_drain(int efd);

/* Wait up to timeout_ms for an eventfd; return its count, 0 on timeout. */
uint64_t ag_efd_wait(int efd, int timeout_ms);

/* Descriptor i of the ATQ / ARQ ring in guest memory. */
struct aq_desc *ag_atq_desc(struct avf_guest *g, uint32_t i);

struct aq_desc *ag_arq_desc(struct avf_guest *g, uint32_t i);

/* Give ARQ descriptor i (and its buffer) to the device. */
void ag_arq_post(struct avf_guest *g, uint32_t i);

/* The shutdown sequence of the Linux driver: all AQ registers to 0. */
int ag_aq_shutdown(struct avf_guest *g);

/*
 * The init sequence of the Linux driver (head, tail, length with ENABLE,
 * then the base address, read back) with rings at the given addresses.
 */
int ag_aq_init_at(struct avf_guest *g, uint64_t atq_iova, uint64_t arq_iova);

/* ag_aq_init_at() with the rings at their place in guest memory. */
int ag_aq_init(struct avf_guest *g);

/*
 * Put a descriptor on the ATQ, bump the tail, and wait until the device
 * moved its head past it. *wb gets the written-back descriptor.
 * @return 0, -ETIMEDOUT when the head did not move, -EIO on a register error.
 */
int ag_atq_submit(struct avf_guest *g, const struct aq_desc *d, struct aq_desc *wb);

/* Build the descriptor of a VF-to-PF message whose payload is at buf_iova. */
void ag_vc_desc(struct aq_desc *d, uint32_t op, uint16_t len, uint64_t buf_iova);

/* Send a virtchnl message (the payload goes in the slot's buffer). */
int ag_vc_send(struct avf_guest *g, uint32_t op, const void *msg, uint16_t len);

/*
 * Take the next message from the ARQ (waiting up to timeout_ms), give its
 * descriptor back to the device.
 * @return 0, -ETIMEDOUT, -EIO.
 */
int ag_arq_take(struct avf_guest *g, struct arq_msg *m, int timeout_ms);

void ag_note_event(struct avf_guest *g, const struct arq_msg *m);

/* Drain what is on the ARQ now (events are noted). */
void ag_arq_drain(struct avf_guest *g);

/*
 * Send a message and wait for its reply. Events met on the way are noted;
 * replies to other ops are counted as stray.
 * @return the reply's virtchnl status, or VC_NO_REPLY.
 */
int ag_vc_call(struct avf_guest *g, uint32_t op, const void *msg, uint16_t len, void *resp,
	       uint16_t resp_cap, uint16_t *resp_len);

/* Wait for a virtchnl event (one already noted counts). */
bool ag_wait_event(struct avf_guest *g, unsigned int nb_before, int timeout_ms);

/* Wait until VFGEN_RSTAT reads VFACTIVE. */
int ag_wait_vfactive(struct avf_guest *g);

/* Wait until a register has the bits of mask clear. */
int ag_wait_reg_clear(struct avf_guest *g, uint32_t off, uint32_t mask);

int ag_vc_version(struct avf_guest *g, uint32_t *major, uint32_t *minor);

int ag_vc_get_resources_caps(struct avf_guest *g, struct vf_res *r, uint32_t caps);

int ag_vc_get_resources(struct avf_guest *g, struct vf_res *r);

/*
 * Bring the device up to the point a driver is after probe: reset state
 * checked, admin queue initialized, VERSION (optional) and
 * GET_VF_RESOURCES done.
 */
int ag_bring_up(struct avf_guest *g, bool version);

/* Fill one queue pair of CONFIG_VSI_QUEUES (64 bytes at p). */
void ag_qpair_fill(uint8_t *p, uint16_t vsi, uint16_t qid, uint32_t ring_len, uint64_t tx_ring,
		   uint64_t rx_ring);

/* CONFIG_VSI_QUEUES for nq queue pairs with rings in guest memory. */
int ag_vc_config_queues(struct avf_guest *g, uint16_t nq);

/*
 * CONFIG_IRQ_MAP as Linux sends it: queue pair q on vector q + 1, then
 * vector 0 with no queue.
 */
int ag_vc_irq_map(struct avf_guest *g, uint16_t nq);

/* ENABLE_QUEUES / DISABLE_QUEUES / GET_STATS: virtchnl_queue_select. */
int ag_vc_queue_select(struct avf_guest *g, uint32_t op, uint16_t vsi, uint32_t rxq, uint32_t txq,
		       void *resp, uint16_t resp_cap, uint16_t *resp_len);

/* ADD_ETH_ADDR / DEL_ETH_ADDR with one address. */
int ag_vc_eth_addr(struct avf_guest *g, uint32_t op, uint16_t vsi, const uint8_t mac[6]);

int ag_vc_promisc(struct avf_guest *g, uint16_t vsi, uint16_t flags);

/* Bring the device all the way up: queues configured, mapped, enabled. */
int ag_bring_up_queues(struct avf_guest *g, uint16_t nq);

/* Post a descriptor without waiting for the device to take it. */
int ag_atq_post_nowait(struct avf_guest *g, const struct aq_desc *d);

#endif /* TEST_AVF_GUEST_H */
