/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * emu_iavf: the migration state of one device as bytes (format in
 * emu_iavf_state.h and doc/guides/nics/emu_iavf.rst).
 *
 * Save writes everything the guest's driver and the consumer see of the
 * device. Load trusts nothing: it parses the whole state into a temporary,
 * checks every field against THIS device (its queue pairs and vectors,
 * the limits of AVF rings, buffers and filters, the invariants the model
 * keeps while running), and only then applies it; a refused state leaves
 * the device as it was.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>

#include "emu_iavf_state.h"

#define NB_Q AVF_MAX_QUEUE_PAIRS

/* Fixed section lengths of format 1.0. */
#define SEC_DEVICE_LEN 12u
#define SEC_REGS_FIXED 12u /* icr01, rstat, count; then 8 bytes per register */
#define SEC_TAILS_FIXED 4u /* count; then 8 bytes per word */
/* Words of the two tail pages (shared memory the guest writes). */
#define TAIL_WORDS (2u * AVF_TAIL_PAGE_SIZE / 4u)
#define SEC_IRQ_FIXED 8u /* withheld, count; then 1 byte per vector */
#define SEC_MSIX_FIXED 4u /* count; then 16 bytes per vector */
#define SEC_ADMINQ_FIXED 12u /* told, up, pad, speed, count; then messages */
#define SEC_MSG_FIXED 12u /* op, status, len, pad; then data */
#define SEC_VIRTCHNL_LEN 20u
#define SEC_STATS_LEN (12u * 8u) /* struct rte_emudev_stats, in its order */
#define SEC_QUEUE_LEN 32u
#define SEC_QUEUES_LEN (2u * NB_Q * SEC_QUEUE_LEN)
#define SEC_RXCONF_FIXED (6u + 2u + 2u + 2u + 4u + 8u + 512u + AVF_RSS_KEY_SIZE + AVF_RSS_LUT_SIZE)
#define MSIX_ENTRY 16u

/* Queue flags in SEC_QUEUES. */
#define Q_CONFIGURED 0x1u
#define Q_ENABLED 0x2u

/* What DYN_CTL registers keep of a write (emu_iavf_dynctl_write()). */
#define DYN_CTL_KEPT \
	(AVF_DYN_CTL_ITR_INDX_MASK | AVF_DYN_CTL_INTERVAL_MASK | AVF_DYN_CTL_SW_ITR_INDX_ENA | \
	 AVF_DYN_CTL_SW_ITR_INDX_MASK | AVF_DYN_CTL_WB_ON_ITR)

static_assert(sizeof(((struct emu_iavf_dev *)NULL)->vlans) == 512, "VLAN bitmap size");
static_assert(EMU_IAVF_SEC_MAX == 11, "parse_order[] lists every section");
static_assert(sizeof(struct rte_emudev_stats) == 12 * sizeof(uint64_t), "SEC_STATS: 12 counters");

/* The device's state, parsed and checked, before it is applied. */
struct emu_iavf_mig_state {
	/* DEVICE */
	uint16_t nb_qp;
	uint16_t nb_vectors;
	uint8_t mac[6];
	/* REGS */
	uint32_t icr01;
	uint32_t rstat;
	uint32_t regs[AVF_BAR0_SIZE / 4];
	/* TAILS: the words of the TX page, then of the RX page */
	uint32_t tails[TAIL_WORDS];
	/* IRQ, MSIX */
	uint32_t withheld;
	uint32_t irq_state[AVF_MAX_VECTORS];
	uint8_t msix[AVF_MAX_VECTORS * MSIX_ENTRY];
	/* ADMINQ */
	bool link_told;
	uint8_t told_up;
	uint32_t told_speed;
	uint32_t bl_count;
	struct emu_iavf_msg backlog[EMU_IAVF_BACKLOG];
	/* VIRTCHNL */
	bool vf_ver_known;
	bool resources_sent;
	bool ready;
	struct virtchnl_version_info vf_ver;
	uint32_t caps;
	uint16_t offered_qp;
	/* QUEUES */
	struct emu_iavf_queue txq[NB_Q];
	struct emu_iavf_queue rxq[NB_Q];
	/* RXCONF */
	uint8_t vf_mac[6];
	uint16_t promisc;
	uint32_t nb_uc;
	uint32_t nb_mc;
	uint8_t uc[EMU_IAVF_MAX_UC][6];
	uint8_t mc[EMU_IAVF_MAX_MC][6];
	uint64_t vlans[4096 / 64];
	uint32_t nb_vlans;
	bool vlan_strip;
	bool vlan_insert;
	bool rss_key_set;
	bool rss_lut_set;
	uint64_t rss_hena;
	uint8_t rss_key[AVF_RSS_KEY_SIZE];
	uint8_t rss_lut[AVF_RSS_LUT_SIZE];
	/* STATS (format 1.1; zeros from a 1.0 state) */
	struct rte_emudev_stats stats;
};

/* ----------------------------------------------------------------- CRC */

/* CRC-32C (Castagnoli), DPDK's: a running value, without the final inversion. */
static uint32_t
crc_update(uint32_t crc, const void *buf, size_t len)
{
	return rte_hash_crc(buf, (uint32_t)len, crc);
}

uint32_t
emu_iavf_state_crc(const void *buf, size_t len)
{
	return crc_update(0xFFFFFFFFu, buf, len) ^ 0xFFFFFFFFu;
}

/* CRC of a state (len >= the header) with its CRC field taken as 0. */
static uint32_t
emu_iavf_state_crc_of(const uint8_t *buf, size_t len)
{
	static const uint8_t zero[4];
	uint32_t crc = 0xFFFFFFFFu;

	crc = crc_update(crc, buf, EMU_IAVF_STATE_OFF_CRC);
	crc = crc_update(crc, zero, sizeof(zero));
	crc = crc_update(crc, buf + EMU_IAVF_STATE_HDR_LEN, len - EMU_IAVF_STATE_HDR_LEN);
	return crc ^ 0xFFFFFFFFu;
}

void
emu_iavf_state_crc_fix(void *buf, size_t len)
{
	uint32_t crc;

	if (len < EMU_IAVF_STATE_HDR_LEN)
		return;
	crc = rte_cpu_to_le_32(emu_iavf_state_crc_of(buf, len));
	memcpy((uint8_t *)buf + EMU_IAVF_STATE_OFF_CRC, &crc, sizeof(crc));
}

/* -------------------------------------------------------------- writer */

struct wbuf {
	uint8_t *p;
	size_t len;
	size_t off;
	bool overflow;
};

static void
w_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (w->overflow || n > w->len - w->off) {
		w->overflow = true;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->off, src, n);
	w->off += n;
}

static void
w_u8(struct wbuf *w, uint8_t v)
{
	w_bytes(w, &v, 1);
}

static void
w_u16(struct wbuf *w, uint16_t v)
{
	v = rte_cpu_to_le_16(v);
	w_bytes(w, &v, 2);
}

static void
w_u32(struct wbuf *w, uint32_t v)
{
	v = rte_cpu_to_le_32(v);
	w_bytes(w, &v, 4);
}

static void
w_u64(struct wbuf *w, uint64_t v)
{
	v = rte_cpu_to_le_64(v);
	w_bytes(w, &v, 8);
}

/* Start a section; returns where its length goes. */
static size_t
w_sec_begin(struct wbuf *w, uint16_t type)
{
	size_t at;

	w_u16(w, type);
	w_u16(w, 0);
	at = w->off;
	w_u32(w, 0);
	return at;
}

static void
w_sec_end(struct wbuf *w, size_t at)
{
	uint32_t len;

	if (w->overflow)
		return;
	len = rte_cpu_to_le_32((uint32_t)(w->off - at - 4));
	memcpy(w->p + at, &len, 4);
}

/* -------------------------------------------------------------- reader */

struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad; /* read past the end */
};

static void
r_bytes(struct rbuf *r, void *dst, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, r->p + r->off, n);
	r->off += n;
}

static uint8_t
r_u8(struct rbuf *r)
{
	uint8_t v;

	r_bytes(r, &v, 1);
	return v;
}

static uint16_t
r_u16(struct rbuf *r)
{
	uint16_t v;

	r_bytes(r, &v, 2);
	return rte_le_to_cpu_16(v);
}

static uint32_t
r_u32(struct rbuf *r)
{
	uint32_t v;

	r_bytes(r, &v, 4);
	return rte_le_to_cpu_32(v);
}

static uint64_t
r_u64(struct rbuf *r)
{
	uint64_t v;

	r_bytes(r, &v, 8);
	return rte_le_to_cpu_64(v);
}

/* ---------------------------------------------------------------- save */

static bool
emu_iavf_reg_skipped(uint32_t off)
{
	return off < AVF_TX_TAIL_PAGE + AVF_TAIL_PAGE_SIZE ||
		(off >= AVF_RX_TAIL_PAGE && off < AVF_RX_TAIL_PAGE + AVF_TAIL_PAGE_SIZE) ||
		off == AVF_VFINT_ICR01 || off == AVF_VFGEN_RSTAT;
}

/* BAR0 offset of word i of the tail pages (TX page, then RX page). */
static uint32_t
tail_word_off(uint32_t i)
{
	uint32_t per_page = AVF_TAIL_PAGE_SIZE / 4;

	return i < per_page ? AVF_TX_TAIL_PAGE + 4 * i : AVF_RX_TAIL_PAGE + 4 * (i - per_page);
}

/* Index of a tail page offset, or -1. */
static int
tail_word_idx(uint32_t off)
{
	if (off % 4 != 0)
		return -1;
	static_assert(AVF_TX_TAIL_PAGE == 0, "the TX tail page starts BAR0");
	if (off < AVF_TX_TAIL_PAGE + AVF_TAIL_PAGE_SIZE)
		return (int)(off / 4);
	if (off >= AVF_RX_TAIL_PAGE && off < AVF_RX_TAIL_PAGE + AVF_TAIL_PAGE_SIZE)
		return (int)((off - AVF_RX_TAIL_PAGE) / 4 + AVF_TAIL_PAGE_SIZE / 4);
	return -1;
}

size_t
emu_iavf_state_size(struct emu_iavf_dev *dev)
{
	size_t n = EMU_IAVF_STATE_HDR_LEN + (EMU_IAVF_SEC_MAX - 1) * EMU_IAVF_STATE_SEC_HDR_LEN;

	n += SEC_DEVICE_LEN;
	n += SEC_REGS_FIXED + 8u * (AVF_BAR0_SIZE / 4);
	n += SEC_TAILS_FIXED + 8u * TAIL_WORDS;
	n += SEC_IRQ_FIXED + dev->nb_vectors;
	n += SEC_MSIX_FIXED + MSIX_ENTRY * dev->nb_vectors;
	n += SEC_ADMINQ_FIXED + EMU_IAVF_BACKLOG * (SEC_MSG_FIXED + EMU_IAVF_MSG_MAX);
	n += SEC_VIRTCHNL_LEN;
	n += SEC_QUEUES_LEN;
	n += SEC_RXCONF_FIXED + 6u * (EMU_IAVF_MAX_UC + EMU_IAVF_MAX_MC);
	n += SEC_STATS_LEN;
	return n;
}

static void
save_queue(struct wbuf *w, const struct emu_iavf_queue *q)
{
	w_u8(w, (q->configured ? Q_CONFIGURED : 0) | (q->enabled ? Q_ENABLED : 0));
	w_u8(w, 0);
	w_u16(w, 0);
	w_u32(w, q->ring_len);
	w_u64(w, q->ring_gpa);
	w_u32(w, q->buf_size);
	w_u32(w, q->max_pkt);
	w_u32(w, q->vector);
	w_u32(w, q->head);
}

ssize_t
emu_iavf_state_save(struct emu_iavf_dev *dev, void *buf, size_t len)
{
	struct wbuf w = {.p = buf, .len = len};
	uint32_t i, n, q;
	size_t at, cnt_at;

	if (len < EMU_IAVF_STATE_HDR_LEN)
		return -ENOSPC;
	w_u32(&w, EMU_IAVF_STATE_MAGIC);
	w_u16(&w, EMU_IAVF_STATE_MAJOR);
	w_u16(&w, EMU_IAVF_STATE_MINOR);
	w_u32(&w, 0); /* length */
	w_u32(&w, 0); /* CRC */

	at = w_sec_begin(&w, EMU_IAVF_SEC_DEVICE);
	w_u16(&w, dev->nb_qp);
	w_u16(&w, (uint16_t)dev->nb_vectors);
	w_bytes(&w, dev->mac, 6);
	w_u16(&w, 0);
	w_sec_end(&w, at);

	at = w_sec_begin(&w, EMU_IAVF_SEC_REGS);
	w_u32(&w, dev->icr01);
	w_u32(&w, dev->rstat);
	cnt_at = w.off;
	w_u32(&w, 0);
	for (i = 0, n = 0; i < AVF_BAR0_SIZE / 4; i++) {
		if (dev->regs[i] == 0 || emu_iavf_reg_skipped(i * 4))
			continue;
		w_u32(&w, i * 4);
		w_u32(&w, dev->regs[i]);
		n++;
	}
	if (!w.overflow) {
		uint32_t le = rte_cpu_to_le_32(n);

		memcpy(w.p + cnt_at, &le, 4);
	}
	w_sec_end(&w, at);

	/* The tail pages: every word the guest wrote (tails, and what else it put there). */
	at = w_sec_begin(&w, EMU_IAVF_SEC_TAILS);
	cnt_at = w.off;
	w_u32(&w, 0);
	for (i = 0, n = 0; i < TAIL_WORDS; i++) {
		uint32_t off = tail_word_off(i);
		uint32_t v = __atomic_load_n(emu_iavf_tail_ptr(dev, off), __ATOMIC_ACQUIRE);

		if (v == 0)
			continue;
		w_u32(&w, off);
		w_u32(&w, v);
		n++;
	}
	if (!w.overflow) {
		uint32_t le = rte_cpu_to_le_32(n);

		memcpy(w.p + cnt_at, &le, 4);
	}
	w_sec_end(&w, at);

	at = w_sec_begin(&w, EMU_IAVF_SEC_IRQ);
	w_u32(&w, __atomic_load_n(&dev->withheld, __ATOMIC_ACQUIRE));
	w_u32(&w, dev->nb_vectors);
	for (i = 0; i < dev->nb_vectors; i++)
		w_u8(&w, (uint8_t)__atomic_load_n(&dev->irq_state[i], __ATOMIC_ACQUIRE));
	w_sec_end(&w, at);

	at = w_sec_begin(&w, EMU_IAVF_SEC_MSIX);
	w_u32(&w, dev->nb_vectors);
	w_bytes(&w, dev->msix + AVF_MSIX_TABLE_OFF, (size_t)MSIX_ENTRY * dev->nb_vectors);
	w_sec_end(&w, at);

	at = w_sec_begin(&w, EMU_IAVF_SEC_ADMINQ);
	w_u8(&w, dev->link_told ? 1 : 0);
	w_u8(&w, dev->told_up);
	w_u16(&w, 0);
	w_u32(&w, dev->told_speed);
	w_u32(&w, dev->bl_count);
	for (i = 0; i < dev->bl_count; i++) {
		const struct emu_iavf_msg *m = &dev->backlog[(dev->bl_head + i) % EMU_IAVF_BACKLOG];

		w_u32(&w, m->op);
		w_u32(&w, (uint32_t)m->status);
		w_u16(&w, m->len);
		w_u16(&w, 0);
		w_bytes(&w, m->data, m->len);
	}
	w_sec_end(&w, at);

	at = w_sec_begin(&w, EMU_IAVF_SEC_VIRTCHNL);
	w_u8(&w, dev->vf_ver_known ? 1 : 0);
	w_u8(&w, dev->resources_sent ? 1 : 0);
	w_u8(&w, dev->ready ? 1 : 0);
	w_u8(&w, 0);
	w_u32(&w, dev->vf_ver.major);
	w_u32(&w, dev->vf_ver.minor);
	w_u32(&w, dev->caps);
	w_u16(&w, dev->offered_qp);
	w_u16(&w, 0);
	w_sec_end(&w, at);

	at = w_sec_begin(&w, EMU_IAVF_SEC_QUEUES);
	for (q = 0; q < NB_Q; q++)
		save_queue(&w, &dev->txq[q]);
	for (q = 0; q < NB_Q; q++)
		save_queue(&w, &dev->rxq[q]);
	w_sec_end(&w, at);

	at = w_sec_begin(&w, EMU_IAVF_SEC_RXCONF);
	w_bytes(&w, dev->vf_mac, 6);
	w_u16(&w, dev->promisc);
	w_u16(&w, (uint16_t)dev->nb_uc);
	w_u16(&w, (uint16_t)dev->nb_mc);
	w_u8(&w, dev->vlan_strip ? 1 : 0);
	w_u8(&w, dev->vlan_insert ? 1 : 0);
	w_u8(&w, dev->rss_key_set ? 1 : 0);
	w_u8(&w, dev->rss_lut_set ? 1 : 0);
	w_u64(&w, dev->rss_hena);
	for (i = 0; i < RTE_DIM(dev->vlans); i++)
		w_u64(&w, dev->vlans[i]);
	w_bytes(&w, dev->rss_key, AVF_RSS_KEY_SIZE);
	w_bytes(&w, dev->rss_lut, AVF_RSS_LUT_SIZE);
	for (i = 0; i < dev->nb_uc; i++)
		w_bytes(&w, dev->uc[i], 6);
	for (i = 0; i < dev->nb_mc; i++)
		w_bytes(&w, dev->mc[i], 6);
	w_sec_end(&w, at);

	at = w_sec_begin(&w, EMU_IAVF_SEC_STATS);
	{
		const uint64_t *c = (const uint64_t *)&dev->mig_stats;

		for (i = 0; i < SEC_STATS_LEN / 8u; i++)
			w_u64(&w, c[i]);
	}
	w_sec_end(&w, at);

	if (w.overflow)
		return -ENOSPC;
	{
		uint32_t le = rte_cpu_to_le_32((uint32_t)w.off);

		memcpy(w.p + EMU_IAVF_STATE_OFF_LEN, &le, 4);
	}
	emu_iavf_state_crc_fix(buf, w.off);
	return (ssize_t)w.off;
}

/* ---------------------------------------------------------------- load */

#define BAD(dev, fmt, ...) \
	do { \
		EMU_IAVF_LOG(ERR, "%s: migration state refused: " fmt, (dev)->name, \
			     ##__VA_ARGS__); \
		return -EINVAL; \
	} while (0)

static bool
mac_unicast_ok(const uint8_t *mac)
{
	struct rte_ether_addr ea;

	memcpy(&ea, mac, 6);
	return rte_is_valid_assigned_ether_addr(&ea);
}

static int
parse_device(struct emu_iavf_dev *dev, struct rbuf *r, struct emu_iavf_mig_state *s)
{
	s->nb_qp = r_u16(r);
	s->nb_vectors = r_u16(r);
	r_bytes(r, s->mac, 6);
	if (r_u16(r) != 0)
		BAD(dev, "DEVICE: padding not zero");
	if (s->nb_qp == 0 || s->nb_qp > NB_Q || s->nb_vectors != s->nb_qp + 1u)
		BAD(dev, "DEVICE: %u queue pairs, %u vectors", s->nb_qp, s->nb_vectors);
	if (!mac_unicast_ok(s->mac))
		BAD(dev, "DEVICE: MAC not a unicast address");
	/*
	 * The device's MAC (mac= or the MAC attribute) is the operator's, part
	 * of the device's identity as its queue count: a state of another
	 * MAC is foreign. The guest's own (vf_mac, RXCONF) moves with it.
	 */
	if (memcmp(s->mac, dev->mac, 6) != 0) {
		char smac[RTE_ETHER_ADDR_FMT_SIZE], dmac[RTE_ETHER_ADDR_FMT_SIZE];
		struct rte_ether_addr ea;

		memcpy(&ea, s->mac, 6);
		rte_ether_format_addr(smac, sizeof(smac), &ea);
		memcpy(&ea, dev->mac, 6);
		rte_ether_format_addr(dmac, sizeof(dmac), &ea);
		BAD(dev, "DEVICE: foreign state: the device saved had MAC %s, this one has %s",
		    smac, dmac);
	}
	return 0;
}

static int
check_reg(struct emu_iavf_dev *dev, uint32_t off, uint32_t val)
{
	switch (off) {
	case AVF_VF_ATQH1:
	case AVF_VF_ATQT1:
	case AVF_VF_ARQH1:
	case AVF_VF_ARQT1:
		if (val & ~AVF_AQ_PTR_MASK)
			BAD(dev, "REGS: admin queue pointer 0x%x = 0x%x", off, val);
		break;
	case AVF_VF_ATQLEN1:
	case AVF_VF_ARQLEN1:
		if (val & ~(AVF_AQLEN_LEN_MASK | AVF_AQLEN_ERR_MASK | AVF_AQLEN_ENABLE))
			BAD(dev, "REGS: admin queue length 0x%x = 0x%x", off, val);
		break;
	case AVF_VFINT_DYN_CTL01:
		if (val & ~DYN_CTL_KEPT)
			BAD(dev, "REGS: DYN_CTL01 = 0x%x", val);
		break;
	default:
		if (off >= AVF_VFINT_DYN_CTLN1(0) &&
		    off < AVF_VFINT_DYN_CTLN1(AVF_MAX_VECTORS - 1) && (val & ~DYN_CTL_KEPT) != 0 &&
		    (off - AVF_VFINT_DYN_CTLN1(0)) / 4 + 1 < dev->nb_vectors)
			BAD(dev, "REGS: DYN_CTLN 0x%x = 0x%x", off, val);
		break;
	}
	return 0;
}

static int
parse_regs(struct emu_iavf_dev *dev, struct rbuf *r, size_t sec_len, struct emu_iavf_mig_state *s)
{
	uint32_t n, i, prev = 0;

	s->icr01 = r_u32(r);
	s->rstat = r_u32(r);
	n = r_u32(r);
	if (sec_len != SEC_REGS_FIXED + 8ull * n || n > AVF_BAR0_SIZE / 4)
		BAD(dev, "REGS: %u registers in %zu bytes", n, sec_len);
	if (s->icr01 & ~(AVF_ICR0_ADMINQ | AVF_ICR0_LINK_STAT_CHANGE))
		BAD(dev, "REGS: ICR01 = 0x%x", s->icr01);
	if (s->rstat != AVF_RSTAT_VFACTIVE)
		BAD(dev, "REGS: RSTAT = %u (not VFACTIVE)", s->rstat);
	for (i = 0; i < n; i++) {
		uint32_t off = r_u32(r), val = r_u32(r);
		int ret;

		if (off % 4 != 0 || off >= AVF_BAR0_SIZE || emu_iavf_reg_skipped(off) ||
		    (i > 0 && off <= prev))
			BAD(dev, "REGS: register %u at offset 0x%x", i, off);
		ret = check_reg(dev, off, val);
		if (ret < 0)
			return ret;
		s->regs[off / 4] = val;
		prev = off;
	}
	return 0;
}

static int
parse_tails(struct emu_iavf_dev *dev, struct rbuf *r, size_t sec_len, struct emu_iavf_mig_state *s)
{
	uint32_t n = r_u32(r), i;
	int idx, prev = -1;

	if (n > TAIL_WORDS || sec_len != SEC_TAILS_FIXED + 8ull * n)
		BAD(dev, "TAILS: %u words in %zu bytes", n, sec_len);
	for (i = 0; i < n; i++) {
		uint32_t off = r_u32(r), val = r_u32(r);

		idx = tail_word_idx(off);
		if (idx <= prev)
			BAD(dev, "TAILS: word %u at offset 0x%x", i, off);
		s->tails[idx] = val;
		prev = idx;
	}
	return 0;
}

static int
parse_irq(struct emu_iavf_dev *dev, struct rbuf *r, size_t sec_len, struct emu_iavf_mig_state *s)
{
	uint32_t n, v;

	s->withheld = r_u32(r);
	n = r_u32(r);
	if (n != s->nb_vectors || sec_len != SEC_IRQ_FIXED + (size_t)n)
		BAD(dev, "IRQ: %u vectors in %zu bytes", n, sec_len);
	if (s->withheld >> n != 0)
		BAD(dev, "IRQ: withheld 0x%x beyond %u vectors", s->withheld, n);
	for (v = 0; v < n; v++) {
		s->irq_state[v] = r_u8(r);
		if (s->irq_state[v] & ~(EMU_IAVF_IRQ_ARMED | EMU_IAVF_IRQ_PENDING))
			BAD(dev, "IRQ: vector %u state 0x%x", v, s->irq_state[v]);
		if (v >= dev->nb_vectors && (s->irq_state[v] != 0 || (s->withheld >> v) & 1))
			BAD(dev, "IRQ: vector %u in use beyond the %u vectors of the device", v,
			    dev->nb_vectors);
	}
	return 0;
}

static int
parse_msix(struct emu_iavf_dev *dev, struct rbuf *r, size_t sec_len, struct emu_iavf_mig_state *s)
{
	uint32_t n, v;

	n = r_u32(r);
	if (n != s->nb_vectors || sec_len != SEC_MSIX_FIXED + (size_t)MSIX_ENTRY * n)
		BAD(dev, "MSIX: %u vectors in %zu bytes", n, sec_len);
	r_bytes(r, s->msix, (size_t)MSIX_ENTRY * n);
	for (v = dev->nb_vectors; v < n; v++)
		if ((s->msix[v * MSIX_ENTRY + 12] & 1) == 0)
			BAD(dev, "MSIX: vector %u unmasked beyond the %u vectors of the device", v,
			    dev->nb_vectors);
	return 0;
}

static int
parse_adminq(struct emu_iavf_dev *dev, struct rbuf *r, size_t sec_len, struct emu_iavf_mig_state *s)
{
	uint32_t i;

	uint8_t told = r_u8(r);

	s->told_up = r_u8(r);
	if (r_u16(r) != 0)
		BAD(dev, "ADMINQ: padding not zero");
	s->told_speed = r_u32(r);
	s->bl_count = r_u32(r);
	s->link_told = told == 1;
	if (told > 1 || s->told_up > 1 ||
	    (!s->link_told && (s->told_up != 0 || s->told_speed != 0)))
		BAD(dev, "ADMINQ: link told %u, up %u, speed %u", s->link_told, s->told_up,
		    s->told_speed);
	if (s->bl_count > EMU_IAVF_BACKLOG)
		BAD(dev, "ADMINQ: %u waiting messages (at most %u)", s->bl_count, EMU_IAVF_BACKLOG);
	sec_len -= SEC_ADMINQ_FIXED;
	for (i = 0; i < s->bl_count; i++) {
		struct emu_iavf_msg *m = &s->backlog[i];

		if (sec_len < SEC_MSG_FIXED)
			BAD(dev, "ADMINQ: message %u truncated", i);
		m->op = r_u32(r);
		m->status = (int32_t)r_u32(r);
		m->len = r_u16(r);
		if (r_u16(r) != 0 || m->len > EMU_IAVF_MSG_MAX || sec_len - SEC_MSG_FIXED < m->len)
			BAD(dev, "ADMINQ: message %u of %u bytes", i, m->len);
		r_bytes(r, m->data, m->len);
		sec_len -= SEC_MSG_FIXED + m->len;
	}
	if (sec_len != 0)
		BAD(dev, "ADMINQ: %zu bytes after the messages", sec_len);
	return 0;
}

static int
parse_virtchnl(struct emu_iavf_dev *dev, struct rbuf *r, struct emu_iavf_mig_state *s)
{
	uint8_t known = r_u8(r), sent = r_u8(r), ready = r_u8(r), pad = r_u8(r);
	uint16_t pad2;

	s->vf_ver.major = r_u32(r);
	s->vf_ver.minor = r_u32(r);
	s->caps = r_u32(r);
	s->offered_qp = r_u16(r);
	pad2 = r_u16(r);
	if (known > 1 || sent > 1 || ready > 1 || pad != 0 || pad2 != 0)
		BAD(dev, "VIRTCHNL: flags %u/%u/%u", known, sent, ready);
	s->vf_ver_known = known;
	s->resources_sent = sent;
	s->ready = ready;
	if (!known && (s->vf_ver.major != 0 || s->vf_ver.minor != 0))
		BAD(dev, "VIRTCHNL: version without negotiation");
	if ((s->caps & ~(uint32_t)EMU_IAVF_CAPS) != 0 ||
	    (sent ? (s->caps & VIRTCHNL_VF_OFFLOAD_L2) == 0 : s->caps != 0))
		BAD(dev, "VIRTCHNL: capabilities 0x%08x (resources %ssent)", s->caps,
		    sent ? "" : "not ");
	if (s->offered_qp == 0 || s->offered_qp > emu_iavf_offered_qp(dev))
		BAD(dev, "VIRTCHNL: %u queue pairs: the device has %u", s->offered_qp,
		    emu_iavf_offered_qp(dev));
	return 0;
}

static int
parse_queue(struct emu_iavf_dev *dev, struct rbuf *r, bool tx, uint32_t qid,
	    struct emu_iavf_queue *q)
{
	const char *d = tx ? "tx" : "rx";
	uint8_t flags = r_u8(r), p0 = r_u8(r);
	uint16_t p1 = r_u16(r);

	q->ring_len = r_u32(r);
	q->ring_gpa = r_u64(r);
	q->buf_size = r_u32(r);
	q->max_pkt = r_u32(r);
	q->vector = r_u32(r);
	q->head = r_u32(r);
	q->configured = flags & Q_CONFIGURED;
	q->enabled = flags & Q_ENABLED;
	if ((flags & ~(Q_CONFIGURED | Q_ENABLED)) != 0 || p0 != 0 || p1 != 0)
		BAD(dev, "QUEUES: %s queue %u: flags 0x%x", d, qid, flags);
	if (q->vector != RTE_EMUDEV_IRQ_NONE && q->vector >= dev->nb_vectors)
		BAD(dev, "QUEUES: %s queue %u: vector %u (the device has %u)", d, qid, q->vector,
		    dev->nb_vectors);
	if (qid >= dev->nb_qp && (flags != 0 || q->vector != RTE_EMUDEV_IRQ_NONE))
		BAD(dev, "QUEUES: %s queue %u beyond the %u queue pairs of the device", d, qid,
		    dev->nb_qp);
	if (!q->configured) {
		if (q->enabled || q->ring_len != 0 || q->ring_gpa != 0 || q->buf_size != 0 ||
		    q->max_pkt != 0 || q->head != 0)
			BAD(dev, "QUEUES: %s queue %u: not configured but set", d, qid);
		return 0;
	}
	if (q->ring_len == 0 || q->ring_len % (tx ? AVF_TX_RING_ALIGN : AVF_RX_RING_ALIGN) != 0 ||
	    q->ring_len > AVF_RING_LEN_MAX || q->ring_gpa % AVF_RING_ADDR_ALIGN != 0 ||
	    q->ring_gpa > UINT64_MAX - (uint64_t)q->ring_len * AVF_RX_DESC_SIZE ||
	    q->head >= q->ring_len)
		BAD(dev, "QUEUES: %s queue %u: ring of %u at 0x%" PRIx64 ", head %u", d, qid,
		    q->ring_len, q->ring_gpa, q->head);
	if (tx) {
		if (q->buf_size != 0 || q->max_pkt != 0)
			BAD(dev, "QUEUES: tx queue %u: receive sizes set", qid);
	} else if (q->buf_size > AVF_RX_BUF_MAX || q->buf_size < AVF_RX_BUF_MIN ||
		   q->buf_size % AVF_RX_BUF_ALIGN != 0 || q->max_pkt < AVF_RX_MAX_PKT_MIN ||
		   q->max_pkt > AVF_RX_MAX_PKT_MAX) {
		BAD(dev, "QUEUES: rx queue %u: buffers %u, max packet %u", qid, q->buf_size,
		    q->max_pkt);
	}
	return 0;
}

static int
parse_queues(struct emu_iavf_dev *dev, struct rbuf *r, struct emu_iavf_mig_state *s)
{
	uint32_t q;
	int ret;

	for (q = 0; q < NB_Q; q++) {
		ret = parse_queue(dev, r, true, q, &s->txq[q]);
		if (ret < 0)
			return ret;
	}
	for (q = 0; q < NB_Q; q++) {
		ret = parse_queue(dev, r, false, q, &s->rxq[q]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* STATS (1.1): any values, counters the guest saw (64-bit, they wrap as hardware's). */
static void
parse_stats(struct rbuf *r, struct emu_iavf_mig_state *s)
{
	uint64_t *c = (uint64_t *)&s->stats;
	uint32_t k;

	for (k = 0; k < SEC_STATS_LEN / 8u; k++)
		c[k] = r_u64(r);
}

static int
parse_rxconf(struct emu_iavf_dev *dev, struct rbuf *r, size_t sec_len, struct emu_iavf_mig_state *s)
{
	uint8_t f[4];
	uint32_t i, j;

	r_bytes(r, s->vf_mac, 6);
	s->promisc = r_u16(r);
	s->nb_uc = r_u16(r);
	s->nb_mc = r_u16(r);
	r_bytes(r, f, 4);
	s->rss_hena = r_u64(r);
	for (i = 0; i < RTE_DIM(s->vlans); i++)
		s->vlans[i] = r_u64(r);
	r_bytes(r, s->rss_key, AVF_RSS_KEY_SIZE);
	r_bytes(r, s->rss_lut, AVF_RSS_LUT_SIZE);
	if (s->nb_uc > EMU_IAVF_MAX_UC || s->nb_mc > EMU_IAVF_MAX_MC ||
	    sec_len != SEC_RXCONF_FIXED + 6u * (s->nb_uc + s->nb_mc))
		BAD(dev, "RXCONF: %u unicast, %u multicast addresses in %zu bytes", s->nb_uc,
		    s->nb_mc, sec_len);
	for (i = 0; i < s->nb_uc; i++)
		r_bytes(r, s->uc[i], 6);
	for (i = 0; i < s->nb_mc; i++)
		r_bytes(r, s->mc[i], 6);
	if (f[0] > 1 || f[1] > 1 || f[2] > 1 || f[3] > 1)
		BAD(dev, "RXCONF: flags %u/%u/%u/%u", f[0], f[1], f[2], f[3]);
	s->vlan_strip = f[0];
	s->vlan_insert = f[1];
	s->rss_key_set = f[2];
	s->rss_lut_set = f[3];
	if (!mac_unicast_ok(s->vf_mac))
		BAD(dev, "RXCONF: the guest's MAC is not a unicast address");
	if (s->promisc & ~(VIRTCHNL_FLAG_UNICAST_PROMISC | VIRTCHNL_FLAG_MULTICAST_PROMISC))
		BAD(dev, "RXCONF: promiscuous flags 0x%x", s->promisc);
	for (i = 0; i < s->nb_uc; i++) {
		if (!mac_unicast_ok(s->uc[i]) || memcmp(s->uc[i], s->vf_mac, 6) == 0)
			BAD(dev, "RXCONF: unicast address %u", i);
		for (j = 0; j < i; j++)
			if (memcmp(s->uc[i], s->uc[j], 6) == 0)
				BAD(dev, "RXCONF: unicast address %u repeated", i);
	}
	for (i = 0; i < s->nb_mc; i++) {
		static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

		if ((s->mc[i][0] & 1) == 0 || memcmp(s->mc[i], bcast, 6) == 0)
			BAD(dev, "RXCONF: multicast address %u", i);
		for (j = 0; j < i; j++)
			if (memcmp(s->mc[i], s->mc[j], 6) == 0)
				BAD(dev, "RXCONF: multicast address %u repeated", i);
	}
	s->nb_vlans = 0;
	for (i = 0; i < RTE_DIM(s->vlans); i++)
		s->nb_vlans += (uint32_t)__builtin_popcountll(s->vlans[i]);
	if (s->nb_vlans > EMU_IAVF_MAX_VLANS)
		BAD(dev, "RXCONF: %u VLAN filters (at most %u)", s->nb_vlans, EMU_IAVF_MAX_VLANS);
	if ((s->caps & VIRTCHNL_VF_OFFLOAD_VLAN_V2) == 0 &&
	    (s->nb_vlans != 0 || s->vlan_strip || s->vlan_insert))
		BAD(dev, "RXCONF: VLAN settings without VLAN_V2");
	if ((s->rss_hena & ~EMU_IAVF_RSS_HENA_CAPS) != 0)
		BAD(dev, "RXCONF: hash filters 0x%" PRIx64, s->rss_hena);
	if ((s->caps & VIRTCHNL_VF_OFFLOAD_RSS_PF) == 0 &&
	    (s->rss_key_set || s->rss_lut_set || s->rss_hena != EMU_IAVF_RSS_HENA_CAPS))
		BAD(dev, "RXCONF: RSS settings without RSS_PF");
	for (i = 0; s->rss_lut_set && i < AVF_RSS_LUT_SIZE; i++)
		if (s->rss_lut[i] >= s->offered_qp)
			BAD(dev, "RXCONF: RSS table entry %u: queue %u of %u", i, s->rss_lut[i],
			    s->offered_qp);
	return 0;
}

/* Checks across sections. */
static int
check_state(struct emu_iavf_dev *dev, const struct emu_iavf_mig_state *s)
{
	uint32_t q;
	bool any_enabled = false;

	for (q = 0; q < NB_Q; q++) {
		if ((s->txq[q].configured || s->rxq[q].configured) && q >= s->offered_qp)
			BAD(dev, "queue pair %u configured; the guest has %u", q, s->offered_qp);
		any_enabled |= s->txq[q].enabled || s->rxq[q].enabled;
	}
	if (any_enabled && !s->ready)
		BAD(dev, "queues enabled on a device not ready");
	if (s->ready && !s->resources_sent)
		BAD(dev, "ready without resources");
	return 0;
}

/* Parse the whole state into s (zeroed by the caller) and check it. */
static int
emu_iavf_state_parse(struct emu_iavf_dev *dev, const uint8_t *buf, size_t len,
		     struct emu_iavf_mig_state *s)
{
	static const uint16_t parse_order[] = {
		EMU_IAVF_SEC_DEVICE, EMU_IAVF_SEC_VIRTCHNL, EMU_IAVF_SEC_REGS,
		EMU_IAVF_SEC_TAILS,  EMU_IAVF_SEC_IRQ,	    EMU_IAVF_SEC_MSIX,
		EMU_IAVF_SEC_ADMINQ, EMU_IAVF_SEC_QUEUES,   EMU_IAVF_SEC_RXCONF,
		EMU_IAVF_SEC_STATS,
	};
	size_t sec_at[EMU_IAVF_SEC_MAX] = {0};
	uint32_t sec_len[EMU_IAVF_SEC_MAX] = {0};
	struct rbuf r = {.p = buf, .len = len};
	uint32_t magic, total, crc, seen = 0, required, i;
	uint16_t major, minor;
	int ret = 0;

	if (buf == NULL || len < EMU_IAVF_STATE_HDR_LEN)
		BAD(dev, "%zu bytes: no header", len);
	magic = r_u32(&r);
	major = r_u16(&r);
	minor = r_u16(&r);
	total = r_u32(&r);
	crc = r_u32(&r);
	if (magic != EMU_IAVF_STATE_MAGIC)
		BAD(dev, "magic 0x%08x (not an emu_iavf state)", magic);
	if (major != EMU_IAVF_STATE_MAJOR) {
		EMU_IAVF_LOG(ERR, "%s: migration state refused: format %u.%u (this is %u.%u)",
			     dev->name, major, minor, EMU_IAVF_STATE_MAJOR, EMU_IAVF_STATE_MINOR);
		return -EPROTONOSUPPORT;
	}
	if (total != len)
		BAD(dev, "length %u in the header, %zu given", total, len);
	if (crc != emu_iavf_state_crc_of(buf, len))
		BAD(dev, "CRC mismatch");

	/* Framing: every section's place, in any order. */
	while (r.off < len) {
		uint16_t type, flags;
		uint32_t slen;

		if (len - r.off < EMU_IAVF_STATE_SEC_HDR_LEN)
			BAD(dev, "%zu bytes after the last section", len - r.off);
		type = r_u16(&r);
		flags = r_u16(&r);
		slen = r_u32(&r);
		if (slen > len - r.off)
			BAD(dev, "section %u of %u bytes past the end", type, slen);
		if (type == 0 || type >= EMU_IAVF_SEC_MAX) {
			if (minor <= EMU_IAVF_STATE_MINOR)
				BAD(dev, "unknown section %u in format %u.%u", type, major, minor);
			if (!(flags & EMU_IAVF_SEC_F_OPTIONAL)) {
				EMU_IAVF_LOG(ERR,
					     "%s: migration state refused: required section %u "
					     "of format %u.%u unknown here (%u.%u)",
					     dev->name, type, major, minor, EMU_IAVF_STATE_MAJOR,
					     EMU_IAVF_STATE_MINOR);
				return -EPROTONOSUPPORT;
			}
			r.off += slen; /* a newer minor's optional section */
			continue;
		}
		if (type == EMU_IAVF_SEC_STATS && minor < 1)
			BAD(dev, "section %u in format %u.%u (from 1.1)", type, major, minor);
		if (flags != 0)
			BAD(dev, "section %u: flags 0x%x", type, flags);
		if (seen & (1u << type))
			BAD(dev, "section %u repeated", type);
		seen |= 1u << type;
		sec_at[type] = r.off;
		sec_len[type] = slen;
		r.off += slen;
	}
	/* Every section of the state's format (1.0 has no STATS: counters from 0). */
	required = (1u << EMU_IAVF_SEC_MAX) - 2u;
	if (minor < 1)
		required &= ~(1u << EMU_IAVF_SEC_STATS);
	if (seen != required)
		BAD(dev, "sections missing (seen 0x%x)", seen);

	/* Contents, in the order the checks need (DEVICE, VIRTCHNL first). */
	for (i = 0; i < RTE_DIM(parse_order); i++) {
		uint16_t type = parse_order[i];
		uint32_t slen = sec_len[type];
		/* Every reader stays in its section. */
		struct rbuf sr = {.p = buf + sec_at[type], .len = slen};
		size_t fixed = 0, min = 0;

		if (!(seen & (1u << type)))
			continue; /* not in this format (STATS in 1.0) */

		switch (type) {
		case EMU_IAVF_SEC_DEVICE:
			fixed = SEC_DEVICE_LEN;
			break;
		case EMU_IAVF_SEC_VIRTCHNL:
			fixed = SEC_VIRTCHNL_LEN;
			break;
		case EMU_IAVF_SEC_QUEUES:
			fixed = SEC_QUEUES_LEN;
			break;
		case EMU_IAVF_SEC_STATS:
			fixed = SEC_STATS_LEN;
			break;
		case EMU_IAVF_SEC_TAILS:
			min = SEC_TAILS_FIXED;
			break;
		case EMU_IAVF_SEC_REGS:
			min = SEC_REGS_FIXED;
			break;
		case EMU_IAVF_SEC_IRQ:
			min = SEC_IRQ_FIXED;
			break;
		case EMU_IAVF_SEC_MSIX:
			min = SEC_MSIX_FIXED;
			break;
		case EMU_IAVF_SEC_ADMINQ:
			min = SEC_ADMINQ_FIXED;
			break;
		case EMU_IAVF_SEC_RXCONF:
			min = SEC_RXCONF_FIXED;
			break;
		}
		if ((fixed != 0 && slen != fixed) || slen < min)
			BAD(dev, "section %u: %u bytes (%zu expected)", type, slen,
			    fixed != 0 ? fixed : min);
		switch (type) {
		case EMU_IAVF_SEC_DEVICE:
			ret = parse_device(dev, &sr, s);
			break;
		case EMU_IAVF_SEC_REGS:
			ret = parse_regs(dev, &sr, slen, s);
			break;
		case EMU_IAVF_SEC_TAILS:
			ret = parse_tails(dev, &sr, slen, s);
			break;
		case EMU_IAVF_SEC_IRQ:
			ret = parse_irq(dev, &sr, slen, s);
			break;
		case EMU_IAVF_SEC_MSIX:
			ret = parse_msix(dev, &sr, slen, s);
			break;
		case EMU_IAVF_SEC_ADMINQ:
			ret = parse_adminq(dev, &sr, slen, s);
			break;
		case EMU_IAVF_SEC_VIRTCHNL:
			ret = parse_virtchnl(dev, &sr, s);
			break;
		case EMU_IAVF_SEC_QUEUES:
			ret = parse_queues(dev, &sr, s);
			break;
		case EMU_IAVF_SEC_RXCONF:
			ret = parse_rxconf(dev, &sr, slen, s);
			break;
		case EMU_IAVF_SEC_STATS:
			parse_stats(&sr, s);
			break;
		}
		if (ret < 0)
			return ret;
		if (sr.bad || sr.off != slen)
			BAD(dev, "section %u: %zu of %u bytes read", type, sr.off, slen);
	}
	return check_state(dev, s);
}

int
emu_iavf_state_check(struct emu_iavf_dev *dev, const void *buf, size_t len)
{
	struct emu_iavf_mig_state *s = calloc(1, sizeof(*s));
	int ret;

	if (s == NULL)
		return -ENOMEM;
	ret = emu_iavf_state_parse(dev, buf, len, s);
	free(s);
	return ret;
}

/* Apply a checked state. Under lock. */
static void
emu_iavf_state_apply(struct emu_iavf_dev *dev, const struct emu_iavf_mig_state *s)
{
	uint32_t i, v;

	/* dev->mac: the same (checked); the guest's vf_mac is taken below. */
	memcpy(dev->regs, s->regs, sizeof(dev->regs));
	dev->icr01 = s->icr01;
	dev->rstat = s->rstat;
	for (i = 0; i < TAIL_WORDS; i++)
		__atomic_store_n(emu_iavf_tail_ptr(dev, tail_word_off(i)), s->tails[i],
				 __ATOMIC_RELEASE);
	for (v = 0; v < AVF_MAX_VECTORS; v++)
		__atomic_store_n(&dev->irq_state[v], v < dev->nb_vectors ? s->irq_state[v] : 0,
				 __ATOMIC_RELEASE);
	__atomic_store_n(&dev->withheld, s->withheld, __ATOMIC_RELEASE);
	/* MSI-X: the saved entries this device has; the others masked. */
	emu_iavf_msix_reset(dev);
	memcpy(dev->msix + AVF_MSIX_TABLE_OFF, s->msix,
	       (size_t)MSIX_ENTRY * RTE_MIN((uint32_t)s->nb_vectors, dev->nb_vectors));

	dev->link_told = s->link_told;
	dev->told_up = s->told_up;
	dev->told_speed = s->told_speed;
	dev->bl_head = 0;
	dev->bl_count = s->bl_count;
	memcpy(dev->backlog, s->backlog, sizeof(dev->backlog));

	dev->vf_ver_known = s->vf_ver_known;
	dev->vf_ver = s->vf_ver;
	dev->resources_sent = s->resources_sent;
	dev->caps = s->caps;
	dev->offered_qp = s->offered_qp;
	dev->ready = s->ready;
	memcpy(dev->txq, s->txq, sizeof(dev->txq));
	memcpy(dev->rxq, s->rxq, sizeof(dev->rxq));

	memcpy(dev->vf_mac, s->vf_mac, 6);
	dev->nb_uc = s->nb_uc;
	memcpy(dev->uc, s->uc, sizeof(dev->uc));
	dev->nb_mc = s->nb_mc;
	memcpy(dev->mc, s->mc, sizeof(dev->mc));
	dev->promisc = s->promisc;
	memcpy(dev->vlans, s->vlans, sizeof(dev->vlans));
	dev->nb_vlans = s->nb_vlans;
	dev->vlan_strip = s->vlan_strip;
	dev->vlan_insert = s->vlan_insert;
	memcpy(dev->rss_key, s->rss_key, sizeof(dev->rss_key));
	memcpy(dev->rss_lut, s->rss_lut, sizeof(dev->rss_lut));
	dev->rss_hena = s->rss_hena;
	dev->rss_key_set = s->rss_key_set;
	dev->rss_lut_set = s->rss_lut_set;
	dev->rx_gen++;
	dev->mig_stats = s->stats;
	dev->mig_loaded = true;
}

int
emu_iavf_state_load(struct emu_iavf_dev *dev, const void *buf, size_t len)
{
	struct emu_iavf_mig_state *s = calloc(1, sizeof(*s));
	int ret;

	if (s == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&dev->lock);
	ret = emu_iavf_state_parse(dev, buf, len, s);
	if (ret == 0) {
		emu_iavf_state_apply(dev, s);
		EMU_IAVF_LOG(INFO,
			     "%s: migration state loaded: %zu bytes, %u queue pairs, %s, "
			     "%u messages waiting",
			     dev->name, len, s->offered_qp, s->ready ? "ready" : "not ready",
			     s->bl_count);
	}
	pthread_mutex_unlock(&dev->lock);
	/* The guest's counters go on from the source's (the consumer's from now). */
	if (ret == 0)
		emu_iavf_stats_rebase(dev, &s->stats);
	free(s);
	return ret;
}
