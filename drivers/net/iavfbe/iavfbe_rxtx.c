/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * net_iavfbe data path.
 *
 * Receive (iavfbe_rx_burst): drain the guest's transmit ring. The guest's
 * tail is read from its doorbell (shared memory); the descriptors from our
 * head up to it are walked through the ring's host address, packet by packet
 * (an optional context descriptor, then data descriptors up to EOP); every
 * buffer is translated (bounds-checked) and copied into an mbuf chain. The
 * offloads the guest asked for are done here: IPv4 header and TCP/UDP/SCTP
 * checksums, VLAN insertion and TSO (segmented, or handed over with
 * RTE_MBUF_F_TX_TCP_SEG). Descriptors with RS are written back as done
 * (DTYPE 0xF) once per step of up to 32 packets; the queue's interrupt is
 * raised once per burst that completed any.
 *
 * Transmit (iavfbe_tx_burst): fill the guest's receive ring: the buffers the
 * guest posted up to its tail receive the packets (a packet larger than a
 * buffer spans several descriptors), and the descriptors are written back
 * (DD, EOF on the last one, the length) once per step. The guest's receive
 * configuration (the queue's snapshot, struct iavfbe_rxconf) decides which
 * packets it gets (address and VLAN filters), whether an outer VLAN tag
 * goes into the descriptor (L2TAG1) and whether the descriptor carries an
 * RSS hash; an mbuf's own tag (RTE_MBUF_F_TX_VLAN) is inserted otherwise.
 *
 * Every descriptor field, address, length and tail comes from the guest and
 * is checked: a bad packet is dropped and counted, never trusted.
 * Descriptors are read once (atomic loads) into local variables; packet
 * headers are parsed from our own copy, so a guest changing its memory
 * meanwhile changes nothing but its own data.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>
#include <rte_sctp.h>
#include <rte_tcp.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include <ethdev_driver.h>

#include "iavfbe.h"

static __rte_always_inline uint64_t
iavfbe_ld64(const uint64_t *p)
{
	return rte_le_to_cpu_64(__atomic_load_n(p, __ATOMIC_RELAXED));
}

static __rte_always_inline void
iavfbe_st64(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, rte_cpu_to_le_64(v), __ATOMIC_RELAXED);
}

static __rte_always_inline uint32_t
iavfbe_ring_next(uint32_t idx, uint32_t n)
{
	return idx + 1 == n ? 0 : idx + 1;
}

static __rte_always_inline uint32_t
iavfbe_ring_add(uint32_t idx, uint32_t k, uint32_t n)
{
	/* idx < n, k <= n */
	return idx >= n - k ? idx - (n - k) : idx + k;
}

/* Descriptors from head up to tail (both < n). */
static __rte_always_inline uint32_t
iavfbe_ring_avail(uint32_t head, uint32_t tail, uint32_t n)
{
	return tail >= head ? tail - head : tail + n - head;
}

/* --------------------------------------------------------- mbuf writer */

/* Appends bytes to an mbuf chain, allocating segments as it goes. */
struct iavfbe_wr {
	struct rte_mempool *mp;
	struct rte_mbuf *head;
	struct rte_mbuf *cur;
};

/* Start writing into head (an mbuf just allocated, empty). */
static void
iavfbe_wr_init(struct iavfbe_wr *w, struct rte_mempool *mp, struct rte_mbuf *head)
{
	w->mp = mp;
	w->head = head;
	w->cur = head;
}

static int
iavfbe_wr_put(struct iavfbe_wr *w, const void *src, uint32_t len)
{
	while (len > 0) {
		struct rte_mbuf *c = w->cur;
		uint32_t room = rte_pktmbuf_tailroom(c), k;

		if (room == 0) {
			struct rte_mbuf *n;

			if (w->head->nb_segs == UINT16_MAX)
				return -E2BIG;
			n = rte_pktmbuf_alloc(w->mp);
			if (n == NULL)
				return -ENOMEM;
			c->next = n;
			w->cur = n;
			w->head->nb_segs++;
			continue;
		}
		k = RTE_MIN(room, len);
		rte_memcpy(rte_pktmbuf_mtod_offset(c, uint8_t *, c->data_len), src, k);
		c->data_len += k;
		w->head->pkt_len += k;
		src = RTE_PTR_ADD(src, k);
		len -= k;
	}
	return 0;
}

/* A read position in an mbuf chain. */
struct iavfbe_rd {
	const struct rte_mbuf *seg;
	uint32_t off; /**< in seg */
};

static void
iavfbe_rd_init(struct iavfbe_rd *r, const struct rte_mbuf *m, uint32_t off)
{
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	r->seg = m;
	r->off = off;
}

/* Copy len bytes from the read position (which advances); the chain must hold them. */
static void
iavfbe_rd_copy(struct iavfbe_rd *r, void *dst, uint32_t len)
{
	while (len > 0 && r->seg != NULL) {
		uint32_t k = RTE_MIN(len, (uint32_t)r->seg->data_len - r->off);

		rte_memcpy(dst, rte_pktmbuf_mtod_offset(r->seg, const uint8_t *, r->off), k);
		dst = RTE_PTR_ADD(dst, k);
		len -= k;
		r->off += k;
		if (r->off == r->seg->data_len) {
			r->seg = r->seg->next;
			r->off = 0;
		}
	}
}

/* Append len bytes of the chain at the read position to the writer. */
static int
iavfbe_wr_put_rd(struct iavfbe_wr *w, struct iavfbe_rd *r, uint32_t len)
{
	int ret;

	while (len > 0 && r->seg != NULL) {
		uint32_t k = RTE_MIN(len, (uint32_t)r->seg->data_len - r->off);

		ret = iavfbe_wr_put(w, rte_pktmbuf_mtod_offset(r->seg, const uint8_t *, r->off), k);
		if (ret < 0)
			return ret;
		len -= k;
		r->off += k;
		if (r->off == r->seg->data_len) {
			r->seg = r->seg->next;
			r->off = 0;
		}
	}
	return len == 0 ? 0 : -EINVAL;
}

/* ------------------------------------------------------------ checksums */

static __rte_always_inline uint16_t
iavfbe_fold(uint32_t sum)
{
	sum = (sum & 0xFFFFu) + (sum >> 16);
	sum = (sum & 0xFFFFu) + (sum >> 16);
	return (uint16_t)sum;
}

/* IPv4 header checksum over l3 bytes at l2 (in the first segment). */
static void
iavfbe_ipv4_cksum(struct rte_mbuf *m, uint32_t l2, uint32_t l3)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, l3);
}

/*
 * Length of the L4 data: what the IP header declares when it is consistent
 * with the packet (excludes Ethernet padding), else the rest of the packet.
 */
static uint32_t
iavfbe_l4_len(const struct rte_mbuf *m, uint32_t l2, uint32_t l3, int ipv)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, l2);
	uint32_t avail = m->pkt_len - (l2 + l3), decl;

	if (ipv == 4)
		decl = rte_be_to_cpu_16(
			((const struct rte_ipv4_hdr *)(const void *)ip)->total_length);
	else
		decl = rte_be_to_cpu_16(
			       ((const struct rte_ipv6_hdr *)(const void *)ip)->payload_len) +
			(uint32_t)sizeof(struct rte_ipv6_hdr);
	if (decl >= l3 && decl - l3 <= avail)
		return decl - l3;
	return avail;
}

/* Pseudo-header sum (not folded to ~), for proto and l4_len. */
static uint32_t
iavfbe_phdr_sum(const struct rte_mbuf *m, uint32_t l2, int ipv, uint8_t proto, uint32_t l4_len)
{
	const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, l2);
	uint32_t sum;

	if (ipv == 4) {
		/* src and dst at 12..19 */
		sum = __rte_raw_cksum(ip + 12, 8, 0);
	} else {
		/* src and dst at 8..39 */
		sum = __rte_raw_cksum(ip + 8, 32, 0);
		sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16));
	}
	sum += rte_cpu_to_be_16((uint16_t)proto);
	sum += rte_cpu_to_be_16((uint16_t)l4_len);
	return sum;
}

/*
 * Fill in the L4 checksum of m (TCP, UDP: Internet checksum with the
 * pseudo-header; SCTP: CRC32c), computed from scratch. The L4 header must be
 * in the first segment. Returns 0, or -1 when it is not.
 */
static int
iavfbe_l4_cksum(struct rte_mbuf *m, uint32_t l2, uint32_t l3, int ipv, uint32_t l4t)
{
	uint32_t l4_off = l2 + l3, l4_len, hmin, coff;
	uint8_t *l4;
	uint16_t raw, ck;

	switch (l4t) {
	case AVF_TXD_CMD_L4T_TCP:
		hmin = sizeof(struct rte_tcp_hdr);
		coff = offsetof(struct rte_tcp_hdr, cksum);
		break;
	case AVF_TXD_CMD_L4T_UDP:
		hmin = sizeof(struct rte_udp_hdr);
		coff = offsetof(struct rte_udp_hdr, dgram_cksum);
		break;
	default:
		hmin = sizeof(struct rte_sctp_hdr);
		coff = offsetof(struct rte_sctp_hdr, cksum);
		break;
	}
	if (l4_off + hmin > m->data_len)
		return -1;
	l4_len = iavfbe_l4_len(m, l2, l3, ipv);
	if (l4_len < hmin)
		return -1;
	l4 = rte_pktmbuf_mtod_offset(m, uint8_t *, l4_off);

	if (l4t == AVF_TXD_CMD_L4T_SCTP) {
		const struct rte_mbuf *s = m;
		uint32_t off = l4_off, left = l4_len, crc = 0xFFFFFFFFu;

		memset(l4 + coff, 0, 4);
		for (; s != NULL && left > 0; s = s->next) {
			uint32_t k;

			if (off >= s->data_len) {
				off -= s->data_len;
				continue;
			}
			k = RTE_MIN(left, (uint32_t)s->data_len - off);
			crc = rte_hash_crc(rte_pktmbuf_mtod_offset(s, const uint8_t *, off), k,
					   crc);
			left -= k;
			off = 0;
		}
		crc = rte_cpu_to_le_32(~crc);
		memcpy(l4 + coff, &crc, 4);
		return 0;
	}

	memset(l4 + coff, 0, 2);
	if (rte_raw_cksum_mbuf(m, l4_off, l4_len, &raw) != 0)
		return -1;
	ck = (uint16_t)~iavfbe_fold(
		(uint32_t)raw +
		iavfbe_phdr_sum(m, l2, ipv, l4t == AVF_TXD_CMD_L4T_TCP ? IPPROTO_TCP : IPPROTO_UDP,
				l4_len));
	if (ck == 0 && l4t == AVF_TXD_CMD_L4T_UDP)
		ck = 0xFFFF;
	memcpy(l4 + coff, &ck, 2);
	return 0;
}

/* ------------------------------------------------------- receive (guest TX) */

/* Why a guest packet is dropped. */
enum iavfbe_bad {
	IAVFBE_OK = 0,
	IAVFBE_BAD_ADDR,
	IAVFBE_BAD_LEN,
	IAVFBE_BAD_CHAIN,
	IAVFBE_BAD_TSO,
	IAVFBE_BAD_OFFLOAD,
	/* The rest of a packet dropped before (no packet counted). */
	IAVFBE_BAD_REST,
	/* Not the guest's fault: no mbufs to segment a TSO packet. */
	IAVFBE_ERR_NOMEM,
};

/* One guest packet, as its descriptors describe it. */
struct iavfbe_pkt {
	uint8_t why; /**< enum iavfbe_bad: the first reason to drop it */
	bool tso;
	uint32_t nb_buf;
	uint32_t len; /**< bytes in the buffers */
	uint32_t cmd; /**< of the first data descriptor */
	uint32_t off; /**< of the first data descriptor */
	uint16_t l2tag1;
	uint32_t mss;
	uint32_t tso_len;
	uint32_t nb_rs;
	const void *buf[IAVFBE_MAX_TSO_DESCS];
	uint16_t blen[IAVFBE_MAX_TSO_DESCS];
};

static __rte_always_inline void
iavfbe_pkt_bad(struct iavfbe_pkt *p, enum iavfbe_bad why)
{
	if (p->why == IAVFBE_OK)
		p->why = (uint8_t)why;
}

/*
 * Walk the descriptors of one packet from head (avail > 0 are the guest's).
 * RS descriptors are appended to q->rs[] from q->nb_rs (committed by the
 * caller). Returns the number of descriptors of the packet (p->why tells
 * whether to drop it), or 0 when the guest has not given all of it yet.
 *
 * A packet ends at its EOP descriptor. One that cannot (too many
 * descriptors, or a ring full of them) is dropped as far as it goes, and
 * q->skip makes the next calls drop the rest, up to its EOP, as part of it.
 */
static __rte_always_inline uint32_t
iavfbe_rx_parse(struct iavfbe_rxq *q, uint32_t head, uint32_t avail, struct iavfbe_pkt *p)
{
	uint32_t idx = head, n = 0, nb_data = 0, limit = AVF_TX_MAX_DATA_DESCS;
	bool ctx = false;

	p->why = q->skip ? IAVFBE_BAD_REST : IAVFBE_OK;
	p->tso = false;
	p->nb_buf = 0;
	p->len = 0;
	p->cmd = 0;
	p->off = 0;
	p->l2tag1 = 0;
	p->mss = 0;
	p->tso_len = 0;
	p->nb_rs = 0;
	for (;;) {
		const struct avf_tx_desc *d;
		uint64_t qw1, dtype;

		if (n == avail) {
			/* What is there of a packet being dropped goes now. */
			if (p->why == IAVFBE_BAD_REST)
				return n;
			/* The rest is not there yet; unless the ring cannot hold more. */
			if (avail < q->nb_desc - 1)
				return 0;
			iavfbe_pkt_bad(p, IAVFBE_BAD_CHAIN);
			q->skip = true;
			return n;
		}
		d = &q->ring[idx];
		qw1 = iavfbe_ld64(&d->qw1);
		dtype = qw1 & AVF_TXD_DTYPE_MASK;
		n++;
		if (dtype == AVF_TXD_DTYPE_CTX) {
			uint32_t ccmd = (uint32_t)((qw1 >> AVF_TXCD_CMD_SHIFT) & AVF_TXCD_CMD_MASK);

			/* One context descriptor, before the data. */
			if (ctx || nb_data > 0)
				iavfbe_pkt_bad(p, IAVFBE_BAD_CHAIN);
			ctx = true;
			if (ccmd & AVF_TXCD_CMD_TSO) {
				p->tso = true;
				p->tso_len = (uint32_t)((qw1 >> AVF_TXCD_TSO_LEN_SHIFT) &
							AVF_TXCD_TSO_LEN_MASK);
				p->mss =
					(uint32_t)((qw1 >> AVF_TXCD_MSS_SHIFT) & AVF_TXCD_MSS_MASK);
				limit = IAVFBE_MAX_TSO_DESCS;
			}
		} else if (dtype == AVF_TXD_DTYPE_DATA) {
			uint32_t cmd = (uint32_t)((qw1 >> AVF_TXD_CMD_SHIFT) & AVF_TXD_CMD_MASK);
			uint32_t bsz = (uint32_t)((qw1 >> AVF_TXD_BSZ_SHIFT) & AVF_TXD_BSZ_MASK);

			if (nb_data == 0) {
				p->cmd = cmd;
				p->off = (uint32_t)((qw1 >> AVF_TXD_OFFSET_SHIFT) &
						    AVF_TXD_OFFSET_MASK);
				p->l2tag1 = (uint16_t)(qw1 >> AVF_TXD_L2TAG1_SHIFT);
			}
			nb_data++;
			if (cmd & AVF_TXD_CMD_RS)
				q->rs[q->nb_rs + p->nb_rs++] = idx;
			/* A descriptor of 0 bytes adds nothing (the packet's length is checked). */
			if (nb_data > limit) {
				iavfbe_pkt_bad(p, IAVFBE_BAD_CHAIN);
			} else if (bsz > 0 && p->why == IAVFBE_OK) {
				const void *b =
					rte_emudev_translate(q->tbl, &q->xc, iavfbe_ld64(&d->qw0),
							     bsz, RTE_EMUDEV_MEM_READ);

				if (b == NULL) {
					iavfbe_pkt_bad(p, IAVFBE_BAD_ADDR);
				} else {
					rte_prefetch0(b);
					p->buf[p->nb_buf] = b;
					p->blen[p->nb_buf] = (uint16_t)bsz;
					p->nb_buf++;
					p->len += bsz;
				}
			}
			if (cmd & AVF_TXD_CMD_EOP) {
				q->skip = false;
				return n;
			}
		} else {
			/* Not a descriptor the guest may give (e.g. one done already). */
			iavfbe_pkt_bad(p, IAVFBE_BAD_CHAIN);
		}
		if (n == IAVFBE_MAX_TSO_DESCS) {
			iavfbe_pkt_bad(p, IAVFBE_BAD_CHAIN);
			q->skip = true;
			return n;
		}
		idx = iavfbe_ring_next(idx, q->nb_desc);
	}
}

/*
 * An mbuf for a guest packet: from the queue's stash, which is refilled
 * IAVFBE_BURST at a time (one visit to the mempool per burst, not one per
 * packet). NULL: no mbufs.
 */
static __rte_always_inline struct rte_mbuf *
iavfbe_rx_mbuf(struct iavfbe_rxq *q)
{
	struct rte_mbuf *m;

	if (unlikely(q->nb_mb == 0)) {
		if (rte_mempool_get_bulk(q->mp, (void **)q->mb, IAVFBE_BURST) != 0)
			return rte_pktmbuf_alloc(q->mp);
		q->nb_mb = IAVFBE_BURST;
	}
	m = q->mb[--q->nb_mb];
	rte_pktmbuf_reset(m);
	return m;
}

/* Copy the packet's buffers into a new mbuf chain (NULL: no mbufs). */
static __rte_always_inline struct rte_mbuf *
iavfbe_rx_copy(struct iavfbe_rxq *q, const struct iavfbe_pkt *p)
{
	struct rte_mbuf *m = iavfbe_rx_mbuf(q);
	struct iavfbe_wr w;
	uint32_t i;

	if (unlikely(m == NULL))
		return NULL;
	m->port = q->port_id;
	if (likely(p->nb_buf == 1 && p->blen[0] <= q->dataroom)) {
		/* One buffer that fits: the common case. */
		rte_memcpy(rte_pktmbuf_mtod(m, void *), p->buf[0], p->blen[0]);
		m->data_len = p->blen[0];
		m->pkt_len = p->blen[0];
		return m;
	}
	iavfbe_wr_init(&w, q->mp, m);
	for (i = 0; i < p->nb_buf; i++) {
		if (iavfbe_wr_put(&w, p->buf[i], p->blen[i]) < 0) {
			rte_pktmbuf_free(w.head);
			return NULL;
		}
	}
	return w.head;
}

/* IP version from the descriptor, or from the header's first nibble. */
static int
iavfbe_ip_version(const struct rte_mbuf *m, uint32_t iipt, uint32_t l2)
{
	uint8_t v;

	if (iipt == AVF_TXD_CMD_IIPT_IPV6)
		return 6;
	if (iipt != AVF_TXD_CMD_IIPT_NONIP)
		return 4;
	if (l2 >= m->data_len)
		return 0;
	v = *rte_pktmbuf_mtod_offset(m, const uint8_t *, l2) >> 4;
	return v == 4 || v == 6 ? v : 0;
}

/*
 * Header fix-up of TSO segment i of n (sequence numbers are set): the IP
 * length (the guest may leave it 0, as Linux does), TCP flags, checksums.
 */
static int
iavfbe_tso_fix(struct iavfbe_rxq *q, struct rte_mbuf *s, uint32_t l2, uint32_t l3, int ipv,
	       uint32_t i, uint32_t n)
{
	struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(s, struct rte_tcp_hdr *, l2 + l3);

	if (ipv == 4)
		rte_pktmbuf_mtod_offset(s, struct rte_ipv4_hdr *, l2)->total_length =
			rte_cpu_to_be_16((uint16_t)(s->pkt_len - l2));
	else
		rte_pktmbuf_mtod_offset(s, struct rte_ipv6_hdr *, l2)->payload_len =
			rte_cpu_to_be_16((uint16_t)(s->pkt_len - l2 - sizeof(struct rte_ipv6_hdr)));

	if (i > 0)
		th->tcp_flags &= (uint8_t)~RTE_TCP_CWR_FLAG;
	if (i + 1 < n)
		th->tcp_flags &= (uint8_t) ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	s->ol_flags = 0;
	s->l2_len = 0;
	s->l3_len = 0;
	s->l4_len = 0;
	s->tso_segsz = 0;
	s->port = q->port_id;
	if (ipv == 4) {
		iavfbe_ipv4_cksum(s, l2, l3);
		q->st.csum_ip++;
	}
	if (iavfbe_l4_cksum(s, l2, l3, ipv, AVF_TXD_CMD_L4T_TCP) < 0)
		return -1;
	q->st.csum_l4++;
	return 0;
}

/* Segment a TCP/IPv6 packet (librte_gso of DPDK 22.11 has no TCP/IPv6). */
static int
iavfbe_tso6(struct iavfbe_rxq *q, struct rte_mbuf *m, uint32_t l2, uint32_t l3, uint32_t hdr,
	    uint32_t mss)
{
	uint32_t pay = m->pkt_len - hdr, n = (pay + mss - 1) / mss, i, seq0;
	const struct rte_tcp_hdr *th0 = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, l2 + l3);
	struct iavfbe_rd r;

	if (n > IAVFBE_MAX_TSO_SEGS)
		return -EINVAL;
	seq0 = rte_be_to_cpu_32(th0->sent_seq);
	iavfbe_rd_init(&r, m, hdr);
	for (i = 0; i < n; i++) {
		uint32_t len = RTE_MIN(mss, pay - i * mss);
		struct rte_tcp_hdr *th;
		struct rte_mbuf *h = iavfbe_rx_mbuf(q);
		struct iavfbe_wr w;

		if (h == NULL) {
			while (i > 0)
				rte_pktmbuf_free(q->segs[--i]);
			return -ENOMEM;
		}
		iavfbe_wr_init(&w, q->mp, h);
		if (iavfbe_wr_put(&w, rte_pktmbuf_mtod(m, const void *), hdr) < 0 ||
		    iavfbe_wr_put_rd(&w, &r, len) < 0) {
			rte_pktmbuf_free(w.head);
			while (i > 0)
				rte_pktmbuf_free(q->segs[--i]);
			return -ENOMEM;
		}
		th = rte_pktmbuf_mtod_offset(w.head, struct rte_tcp_hdr *, l2 + l3);
		th->sent_seq = rte_cpu_to_be_32(seq0 + i * mss);
		q->segs[i] = w.head;
	}
	return (int)n;
}

/*
 * TSO packet m (headers checked): segments into q->segs[] (returns their
 * number), or -enum iavfbe_bad to drop it (m is freed either way, except
 * when 0 is returned: m is then the one packet to deliver).
 */
static int
iavfbe_rx_tso(struct iavfbe_rxq *q, struct rte_mbuf *m, uint32_t l2, uint32_t l3, uint32_t l4,
	      int ipv, uint32_t mss)
{
	uint32_t hdr = l2 + l3 + l4, i;
	int n, why = -IAVFBE_BAD_TSO;

	q->st.tso_pkts++;
	if (m->pkt_len - hdr <= mss) {
		/* One segment: just the checksums. */
		if (iavfbe_tso_fix(q, m, l2, l3, ipv, 0, 1) < 0)
			goto drop;
		return 0;
	}
	if (ipv == 4) {
		m->l2_len = l2;
		m->l3_len = l3;
		m->l4_len = l4;
		m->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4;
		q->gso.gso_size = (uint16_t)(hdr + mss);
		n = rte_gso_segment(m, &q->gso, q->segs, IAVFBE_MAX_TSO_SEGS);
		if (n <= 1) {
			/* Not segmentable (e.g. an IP fragment), or out of mbufs. */
			if (n == 1)
				rte_pktmbuf_free(q->segs[0]);
			if (n == -ENOMEM)
				why = -IAVFBE_ERR_NOMEM;
			goto drop;
		}
	} else {
		n = iavfbe_tso6(q, m, l2, l3, hdr, mss);
		if (n <= 0) {
			if (n == -ENOMEM)
				why = -IAVFBE_ERR_NOMEM;
			goto drop;
		}
	}
	/* The segments hold what they need of m (indirect mbufs). */
	rte_pktmbuf_free(m);
	for (i = 0; i < (uint32_t)n; i++) {
		if (iavfbe_tso_fix(q, q->segs[i], l2, l3, ipv, i, (uint32_t)n) < 0) {
			for (i = 0; i < (uint32_t)n; i++)
				rte_pktmbuf_free(q->segs[i]);
			return -IAVFBE_BAD_TSO;
		}
	}
	q->st.tso_segs += (uint32_t)n;
	return n;
drop:
	rte_pktmbuf_free(m);
	return why;
}

/* Hand a TSO packet over as it is, with the offload request in the mbuf. */
static void
iavfbe_rx_tso_pass(struct iavfbe_rxq *q, struct rte_mbuf *m, uint32_t l2, uint32_t l3, uint32_t l4,
		   int ipv, uint32_t mss)
{
	struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, l2 + l3);

	q->st.tso_pkts++;
	m->l2_len = l2;
	m->l3_len = l3;
	m->l4_len = l4;
	m->tso_segsz = mss;
	/*
	 * What a TSO-capable port expects: pseudo-header sums without length;
	 * the IP length of the whole packet when it fits (Linux leaves 0).
	 */
	if (ipv == 4) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);
		uint32_t tl = m->pkt_len - l2;

		m->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			RTE_MBUF_F_TX_TCP_CKSUM;
		ip->total_length = rte_cpu_to_be_16(tl <= UINT16_MAX ? (uint16_t)tl : 0);
		ip->hdr_checksum = 0;
	} else {
		struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l2);
		uint32_t pl = m->pkt_len - l2 - (uint32_t)sizeof(*ip);

		m->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM;
		ip->payload_len = rte_cpu_to_be_16(pl <= UINT16_MAX ? (uint16_t)pl : 0);
	}
	/*
	 * The pseudo-header for TCP, whatever the guest put in the IP header's
	 * protocol field (IPv6 extension headers, or garbage).
	 */
	th->cksum = (uint16_t)__rte_raw_cksum_reduce(iavfbe_phdr_sum(m, l2, ipv, IPPROTO_TCP, 0));
}

/* Whether the guest asked for anything to be done to the packet. */
static __rte_always_inline bool
iavfbe_rx_has_offload(const struct iavfbe_pkt *p)
{
	return p->tso || (p->cmd & (AVF_TXD_CMD_L4T_MASK | AVF_TXD_CMD_IL2TAG1)) != 0 ||
		(p->cmd & AVF_TXD_CMD_IIPT_MASK) == AVF_TXD_CMD_IIPT_IPV4_CSUM;
}

/*
 * The offloads of packet m (one guest packet). On return, out[0..ret) are
 * the packets to deliver (m, or its segments in q->segs[]); ret < 0: m is
 * dropped (freed), -ret is why (enum iavfbe_bad); the caller counts.
 */
static __rte_always_inline int
iavfbe_rx_offload(struct iavfbe_rxq *q, struct rte_mbuf *m, const struct iavfbe_pkt *p,
		  struct rte_mbuf ***out)
{
	uint32_t l2 = AVF_TXD_MACLEN(p->off), l3 = AVF_TXD_IPLEN(p->off);
	uint32_t l4 = AVF_TXD_L4LEN(p->off);
	uint32_t iipt = p->cmd & AVF_TXD_CMD_IIPT_MASK, l4t = p->cmd & AVF_TXD_CMD_L4T_MASK;
	int ipv = 0, n = 1, i, why = IAVFBE_BAD_TSO;

	*out = NULL;
	if (p->tso) {
		uint32_t hdr = l2 + l3 + l4;

		ipv = iavfbe_ip_version(m, iipt, l2);
		if (l4t != AVF_TXD_CMD_L4T_TCP || ipv == 0 ||
		    l3 < (ipv == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr)) ||
		    l4 < sizeof(struct rte_tcp_hdr) || hdr > m->data_len ||
		    p->mss < IAVFBE_MIN_MSS || p->mss > IAVFBE_MAX_MSS || p->tso_len == 0 ||
		    m->pkt_len != hdr + p->tso_len)
			goto bad;
		if (q->tso_mode == IAVFBE_TSO_PASSTHROUGH) {
			iavfbe_rx_tso_pass(q, m, l2, l3, l4, ipv, p->mss);
		} else {
			n = iavfbe_rx_tso(q, m, l2, l3, l4, ipv, p->mss);
			if (n < 0)
				return n;
			if (n > 0)
				*out = q->segs;
			else
				n = 1;
		}
	} else {
		why = IAVFBE_BAD_OFFLOAD;
		if (iipt == AVF_TXD_CMD_IIPT_IPV4_CSUM) {
			if (l3 < sizeof(struct rte_ipv4_hdr) || l2 + l3 > m->data_len)
				goto bad;
			iavfbe_ipv4_cksum(m, l2, l3);
			q->st.csum_ip++;
		}
		if (l4t != AVF_TXD_CMD_L4T_NONE) {
			ipv = iavfbe_ip_version(m, iipt, l2);
			if (ipv == 0 ||
			    l3 < (ipv == 4 ? sizeof(struct rte_ipv4_hdr) :
					     sizeof(struct rte_ipv6_hdr)) ||
			    iavfbe_l4_cksum(m, l2, l3, ipv, l4t) < 0)
				goto bad;
			q->st.csum_l4++;
		}
	}
	if (p->cmd & AVF_TXD_CMD_IL2TAG1) {
		struct rte_mbuf **v = *out != NULL ? *out : &m;

		for (i = 0; i < n; i++) {
			/* rte_vlan_insert() adds the tag's length to l2_len. */
			v[i]->vlan_tci = p->l2tag1;
			if (rte_vlan_insert(&v[i]) == 0)
				q->st.vlan_insert++;
			v[i]->vlan_tci = 0;
			if (!(v[i]->ol_flags & RTE_MBUF_F_TX_TCP_SEG))
				v[i]->l2_len = 0;
		}
	}
	if (*out == NULL) {
		q->segs[0] = m;
		*out = q->segs;
	}
	return n;
bad:
	rte_pktmbuf_free(m);
	return -why;
}

/* Class of a frame by its destination address. */
enum iavfbe_class {
	IAVFBE_UNICAST = 0,
	IAVFBE_MULTICAST,
	IAVFBE_BROADCAST,
};

static __rte_always_inline enum iavfbe_class
iavfbe_class_of(const struct rte_mbuf *m)
{
	const uint8_t *dst = rte_pktmbuf_mtod(m, const uint8_t *);

	if (likely(m->data_len < RTE_ETHER_ADDR_LEN || (dst[0] & 1) == 0))
		return IAVFBE_UNICAST;
	if (rte_is_broadcast_ether_addr((const struct rte_ether_addr *)(const void *)dst))
		return IAVFBE_BROADCAST;
	return IAVFBE_MULTICAST;
}

/* Count a frame of len bytes in c[0] (bytes) and c[1 + class] (packets). */
static __rte_always_inline void
iavfbe_class_add(uint64_t *c, enum iavfbe_class cls, uint32_t len)
{
	c[0] += len;
	c[1 + cls]++;
}

static __rte_always_inline void
iavfbe_rx_account(struct iavfbe_rxq *q, const struct rte_mbuf *m)
{
	q->st.packets++;
	iavfbe_class_add(&q->st.bytes, iavfbe_class_of(m), m->pkt_len);
}

/* Return stashed segments (the rest of a TSO packet). */
static uint16_t
iavfbe_rx_unstash(struct iavfbe_rxq *q, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	uint16_t n = (uint16_t)RTE_MIN((uint32_t)nb_pkts, q->stash_cnt), i;

	for (i = 0; i < n; i++) {
		pkts[i] = q->segs[q->stash_head + i];
		iavfbe_rx_account(q, pkts[i]);
	}
	q->stash_head += n;
	q->stash_cnt -= n;
	return n;
}

void
iavfbe_rxq_stash_free(struct iavfbe_rxq *q)
{
	if (q->nb_mb > 0)
		rte_mempool_put_bulk(q->mp, (void **)q->mb, q->nb_mb);
	q->nb_mb = 0;
	while (q->stash_cnt > 0) {
		rte_pktmbuf_free(q->segs[q->stash_head++]);
		q->stash_cnt--;
	}
	q->stash_head = 0;
}

/* Count a dropped guest packet of nd descriptors. */
static void
iavfbe_rx_drop(struct iavfbe_rxq *q, int why, uint32_t nd)
{
	switch (why) {
	case IAVFBE_BAD_ADDR:
		q->st.bad_addr++;
		break;
	case IAVFBE_BAD_LEN:
		q->st.bad_len++;
		break;
	case IAVFBE_BAD_CHAIN:
		q->st.bad_chain++;
		break;
	case IAVFBE_BAD_TSO:
		q->st.bad_tso++;
		break;
	case IAVFBE_BAD_OFFLOAD:
		q->st.bad_offload++;
		break;
	case IAVFBE_ERR_NOMEM:
		q->st.tso_errors++;
		return;
	default: /* IAVFBE_BAD_REST: counted with its first part */
		break;
	}
	q->st.bad_descs += nd;
}

/* Report the write-backs of the RS descriptors q->rs[0..nb_rs) (> 0): runs of consecutive ones. */
static void
iavfbe_rx_mark(struct iavfbe_rxq *q)
{
	const uint64_t qw1 = offsetof(struct avf_tx_desc, qw1);
	uint32_t i, first = q->rs[0], last = first;

	for (i = 1; i <= q->nb_rs; i++) {
		if (i < q->nb_rs && q->rs[i] == last + 1) {
			last++;
			continue;
		}
		/* qw1 of first .. qw1 of last */
		rte_emudev_dirty_mark(
			q->emu_id, q->ring_gpa + (uint64_t)first * sizeof(struct avf_tx_desc) + qw1,
			(uint64_t)(last - first) * sizeof(struct avf_tx_desc) + sizeof(uint64_t));
		q->st.dirty_marks++;
		if (i < q->nb_rs)
			first = last = q->rs[i];
	}
}

/* Write back the RS descriptors of a step as done (and report them when log). */
static __rte_always_inline void
iavfbe_rx_complete(struct iavfbe_rxq *q, const bool log)
{
	uint32_t i;

	/* Our reads of the buffers come before the guest may reuse them. */
	rte_atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 0; i < q->nb_rs; i++)
		iavfbe_st64(&q->ring[q->rs[i]].qw1, AVF_TXD_DTYPE_DONE);
	if (log)
		iavfbe_rx_mark(q);
	q->st.completions += q->nb_rs;
	q->nb_rs = 0;
}

/*
 * The ring walk of a receive burst (inside the queue's state word), from
 * pkts[nb]. log is a constant: the burst calls one of two copies.
 */
static __rte_always_inline uint16_t
iavfbe_rx_ring(struct iavfbe_rxq *q, struct rte_mbuf **pkts, uint16_t nb, uint16_t nb_pkts,
	       const bool log)
{
	struct iavfbe_pkt p;
	uint32_t tail, head, nd;
	bool done = false, stop = false;

	tail = __atomic_load_n(q->doorbell, __ATOMIC_ACQUIRE);
	if (unlikely(tail >= q->nb_desc)) {
		q->st.bad_tail++;
		return nb;
	}
	head = q->head;
	while (!stop && nb < nb_pkts && head != tail) {
		uint32_t step;

		q->nb_rs = 0;
		for (step = 0; step < IAVFBE_BURST && nb < nb_pkts && head != tail; step++) {
			struct rte_mbuf *m, **out;
			enum iavfbe_class cls;
			uint32_t olen;
			int n, i;

			rte_prefetch0(&q->ring[iavfbe_ring_add(head, 4, q->nb_desc)]);
			nd = iavfbe_rx_parse(q, head, iavfbe_ring_avail(head, tail, q->nb_desc),
					     &p);
			if (nd == 0) {
				stop = true; /* wait for the rest of the packet */
				break;
			}
			if (p.why == IAVFBE_OK &&
			    (p.len < AVF_TX_MIN_FRAME ||
			     p.len > (p.tso ? IAVFBE_MAX_TSO_PKT : AVF_MAX_FRAME)))
				p.why = IAVFBE_BAD_LEN;
			if (unlikely(p.why != IAVFBE_OK)) {
				iavfbe_rx_drop(q, p.why, nd);
				q->nb_rs += p.nb_rs;
				head = iavfbe_ring_add(head, nd, q->nb_desc);
				continue;
			}
			m = iavfbe_rx_copy(q, &p);
			if (unlikely(m == NULL)) {
				q->st.nombuf++;
				q->port->eth_dev->data->rx_mbuf_alloc_failed++;
				stop = true; /* try the packet again next time */
				break;
			}
			q->nb_rs += p.nb_rs;
			head = iavfbe_ring_add(head, nd, q->nb_desc);
			if (likely(!iavfbe_rx_has_offload(&p))) {
				pkts[nb++] = m;
				iavfbe_rx_account(q, m);
				continue;
			}
			cls = iavfbe_class_of(m);
			olen = m->pkt_len;
			n = iavfbe_rx_offload(q, m, &p, &out);
			if (unlikely(n < 0)) {
				/* Taken from the ring, then dropped: in the guest's counters. */
				if (-n == IAVFBE_ERR_NOMEM)
					iavfbe_class_add(&q->st.drop_bytes, cls, olen);
				iavfbe_rx_drop(q, -n, nd);
				continue;
			}
			for (i = 0; i < n && nb < nb_pkts; i++) {
				pkts[nb++] = out[i];
				iavfbe_rx_account(q, out[i]);
			}
			if (unlikely(i < n)) {
				/* The rest of a TSO packet's segments: next bursts. */
				q->stash_head = (uint32_t)i;
				q->stash_cnt = (uint32_t)(n - i);
				stop = true;
				break;
			}
		}
		if (q->nb_rs > 0) {
			iavfbe_rx_complete(q, log);
			done = true;
		}
	}
	q->head = head;
	if (done && q->irq_vector != RTE_EMUDEV_IRQ_NONE &&
	    rte_emudev_irq_trigger(q->emu_id, q->irq_vector) == 0)
		q->st.irqs++;
	return nb;
}

uint16_t
iavfbe_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct iavfbe_rxq *q = rxq;
	uint16_t nb = 0;

	if (unlikely(q->stash_cnt > 0)) {
		nb = iavfbe_rx_unstash(q, pkts, nb_pkts);
		if (q->stash_cnt > 0 || nb == nb_pkts)
			return nb;
	}
	if (!rte_emudev_qstate_enter(&q->qs))
		return nb;
	/* Dirty logging: this is its one branch per burst (q->log_dirty changes while stopped). */
	if (unlikely(q->log_dirty))
		nb = iavfbe_rx_ring(q, pkts, nb, nb_pkts, true);
	else
		nb = iavfbe_rx_ring(q, pkts, nb, nb_pkts, false);
	rte_emudev_qstate_leave(&q->qs);
	return nb;
}

/* ------------------------------------------------------ transmit (guest RX) */

/* One descriptor to write back. */
struct iavfbe_wb {
	uint32_t idx;
	uint64_t qw0;
	uint64_t qw1;
};

/*
 * What a write-back's buffer received, for dirty logging only: kept apart
 * from struct iavfbe_wb so that the record the burst without logging fills
 * and walks stays as small as before logging existed.
 */
struct iavfbe_wlog {
	uint64_t gpa; /**< the buffer */
	uint32_t len; /**< bytes written into it (0: none) */
};

static __rte_always_inline void
iavfbe_tx_account(struct iavfbe_txq *q, const struct rte_mbuf *m, uint32_t len)
{
	q->st.packets++;
	iavfbe_class_add(&q->st.bytes, iavfbe_class_of(m), len);
}

/* A frame for the guest not delivered (also counted by why). */
static __rte_always_inline void
iavfbe_tx_account_drop(struct iavfbe_txq *q, const struct rte_mbuf *m, uint32_t len)
{
	iavfbe_class_add(&q->st.drop_bytes, iavfbe_class_of(m), len);
}

/* What is done to a packet on its way into the guest (iavfbe_txp::ops). */
#define IAVFBE_TXP_STRIP 0x1u
#define IAVFBE_TXP_INSERT 0x2u
#define IAVFBE_TXP_HASH 0x4u

/*
 * How a packet is written into the guest's buffers: pre[0..pre_len), then
 * the mbuf's bytes from offset body; the last descriptor's write-back gets
 * qw0 and the status bits in qw1.
 */
struct iavfbe_txp {
	uint32_t len; /**< bytes written */
	uint32_t wire; /**< bytes counted: the frame with its outer tag, stripped or not */
	uint32_t pre_len;
	uint32_t body;
	uint32_t ops; /**< IAVFBE_TXP_* */
	uint64_t qw0;
	uint64_t qw1;
	uint8_t pre[RTE_ETHER_ADDR_LEN * 2 + RTE_VLAN_HLEN];
};

/* Bytes of a packet parsed for filters, VLAN and RSS (tags, IPv6, L4 ports). */
#define IAVFBE_PARSE_LEN 128u

static __rte_always_inline uint64_t
iavfbe_mac48(const uint8_t *a)
{
	return (uint64_t)a[0] << 40 | (uint64_t)a[1] << 32 | (uint64_t)a[2] << 24 |
		(uint64_t)a[3] << 16 | (uint64_t)a[4] << 8 | a[5];
}

static __rte_always_inline uint32_t
iavfbe_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Whether v is in the sorted array a[0..n). */
static bool
iavfbe_find(const uint64_t *a, uint32_t n, uint64_t v)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (a[mid] == v)
			return true;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The guest's address filters (rte_emudev_net_rx_conf). */
static bool
iavfbe_mac_pass(const struct iavfbe_rxconf *c, const uint8_t *dst)
{
	uint64_t a = iavfbe_mac48(dst);

	if ((dst[0] & 1) == 0)
		return iavfbe_find(c->uc, c->nb_uc, a);
	if (a == 0xFFFFFFFFFFFFull || (c->flags & IAVFBE_RXC_ALLMULTI))
		return true;
	return iavfbe_find(c->mc, c->nb_mc, a);
}

/*
 * The guest's Toeplitz hash of a frame (d: its first n bytes), over the
 * tuple its RSS types select; false when they select none.
 */
static bool
iavfbe_rss(const struct iavfbe_rxconf *c, const uint8_t *d, uint32_t n, uint32_t *hash)
{
	uint32_t tuple[RTE_THASH_V6_L4_LEN], nt, off = 2 * RTE_ETHER_ADDR_LEN, l4, i;
	uint64_t types = c->rss_types, any, fragt, other, tcp, udp, sctp, want;
	uint16_t et;
	uint8_t proto;
	bool frag;

	if (n < off + 2)
		return false;
	et = (uint16_t)(d[off] << 8 | d[off + 1]);
	while ((et == RTE_ETHER_TYPE_VLAN || et == RTE_ETHER_TYPE_QINQ) && off + 6 <= n) {
		off += RTE_VLAN_HLEN;
		et = (uint16_t)(d[off] << 8 | d[off + 1]);
	}
	off += 2;
	if (et == RTE_ETHER_TYPE_IPV4) {
		uint32_t ihl;

		if (off + sizeof(struct rte_ipv4_hdr) > n || (d[off] >> 4) != 4)
			return false;
		ihl = (d[off] & 0xFu) * 4u;
		if (ihl < sizeof(struct rte_ipv4_hdr) || off + ihl > n)
			return false;
		frag = ((d[off + 6] << 8 | d[off + 7]) & 0x3FFF) != 0; /* MF or an offset */
		proto = d[off + 9];
		tuple[0] = iavfbe_be32(d + off + 12);
		tuple[1] = iavfbe_be32(d + off + 16);
		nt = 2;
		l4 = off + ihl;
		any = RTE_ETH_RSS_IPV4;
		fragt = RTE_ETH_RSS_FRAG_IPV4;
		other = RTE_ETH_RSS_NONFRAG_IPV4_OTHER;
		tcp = RTE_ETH_RSS_NONFRAG_IPV4_TCP;
		udp = RTE_ETH_RSS_NONFRAG_IPV4_UDP;
		sctp = RTE_ETH_RSS_NONFRAG_IPV4_SCTP;
	} else if (et == RTE_ETHER_TYPE_IPV6) {
		if (off + sizeof(struct rte_ipv6_hdr) > n || (d[off] >> 4) != 6)
			return false;
		proto = d[off + 6];
		frag = proto == IPPROTO_FRAGMENT;
		for (i = 0; i < 8; i++)
			tuple[i] = iavfbe_be32(d + off + 8 + 4 * i);
		nt = 8;
		l4 = off + (uint32_t)sizeof(struct rte_ipv6_hdr);
		any = RTE_ETH_RSS_IPV6;
		fragt = RTE_ETH_RSS_FRAG_IPV6;
		other = RTE_ETH_RSS_NONFRAG_IPV6_OTHER;
		tcp = RTE_ETH_RSS_NONFRAG_IPV6_TCP;
		udp = RTE_ETH_RSS_NONFRAG_IPV6_UDP;
		sctp = RTE_ETH_RSS_NONFRAG_IPV6_SCTP;
	} else {
		return false;
	}
	if (frag)
		want = fragt;
	else if (proto == IPPROTO_TCP)
		want = tcp;
	else if (proto == IPPROTO_UDP)
		want = udp;
	else if (proto == IPPROTO_SCTP)
		want = sctp;
	else
		want = other;
	if (want == fragt || want == other) {
		/* Addresses only. */
		if ((types & (want | any)) == 0)
			return false;
	} else if ((types & want) != 0) {
		/* Addresses and ports (addresses only when the ports are cut off). */
		if (l4 + 4 <= n)
			tuple[nt++] = iavfbe_be32(d + l4);
	} else if ((types & any) == 0) {
		return false;
	}
	*hash = rte_softrss(tuple, nt, c->rss_key);
	return true;
}

/*
 * What to write for packet m under the guest's receive configuration c (and
 * the mbuf's own VLAN request). Returns false when the guest's filters
 * reject it. No side effect: called again for a packet refused for a full
 * ring.
 */
static bool
iavfbe_tx_prep(const struct iavfbe_rxconf *c, const struct rte_mbuf *m, struct iavfbe_txp *t)
{
	uint8_t buf[IAVFBE_PARSE_LEN];
	uint32_t f = c->flags, n;
	const uint8_t *d;
	bool ins = (m->ol_flags & RTE_MBUF_F_TX_VLAN) != 0, tagged;
	uint16_t tci = 0;

	t->len = m->pkt_len;
	t->wire = m->pkt_len + (ins ? RTE_VLAN_HLEN : 0);
	t->pre_len = 0;
	t->body = 0;
	t->ops = 0;
	t->qw0 = 0;
	t->qw1 = 0;
	n = RTE_MIN(m->pkt_len, (f & IAVFBE_RXC_RSS) ? IAVFBE_PARSE_LEN : 16u);
	d = rte_pktmbuf_read(m, 0, n, buf);
	if (d == NULL)
		return (f & IAVFBE_RXC_FILTER) == 0;
	tagged = n >= 16 && d[12] == 0x81 && d[13] == 0x00;
	if (ins)
		tci = m->vlan_tci;
	else if (tagged)
		tci = (uint16_t)(d[14] << 8 | d[15]);
	if (f & IAVFBE_RXC_FILTER) {
		if (n < RTE_ETHER_ADDR_LEN || !iavfbe_mac_pass(c, d))
			return false;
		if ((f & IAVFBE_RXC_VLAN_FILTER) && (ins || tagged)) {
			uint16_t vid = tci & RTE_VLAN_ID_MASK;

			if (vid != 0 && ((c->vlan[vid / 64] >> (vid % 64)) & 1) == 0)
				return false;
		}
	}
	if ((f & IAVFBE_RXC_STRIP) && (ins || tagged)) {
		/* The outer tag goes to the descriptor; one in the frame is removed. */
		t->ops = IAVFBE_TXP_STRIP;
		t->qw0 = (uint64_t)tci << AVF_RXD_QW0_L2TAG1_SHIFT;
		t->qw1 = AVF_RXD_QW1_L2TAG1P;
		if (!ins) {
			memcpy(t->pre, d, 2 * RTE_ETHER_ADDR_LEN);
			t->pre_len = 2 * RTE_ETHER_ADDR_LEN;
			t->body = 2 * RTE_ETHER_ADDR_LEN + RTE_VLAN_HLEN;
			t->len -= RTE_VLAN_HLEN;
		}
	} else if (ins && n >= 2 * RTE_ETHER_ADDR_LEN) {
		/* The application's tag, into the frame. */
		t->ops = IAVFBE_TXP_INSERT;
		memcpy(t->pre, d, 2 * RTE_ETHER_ADDR_LEN);
		t->pre[12] = 0x81;
		t->pre[13] = 0x00;
		t->pre[14] = (uint8_t)(tci >> 8);
		t->pre[15] = (uint8_t)tci;
		t->pre_len = 2 * RTE_ETHER_ADDR_LEN + RTE_VLAN_HLEN;
		t->body = 2 * RTE_ETHER_ADDR_LEN;
		t->len += RTE_VLAN_HLEN;
	}
	if (f & IAVFBE_RXC_RSS) {
		uint32_t h;

		if (iavfbe_rss(c, d, n, &h)) {
			t->ops |= IAVFBE_TXP_HASH;
			t->qw0 |= (uint64_t)h << AVF_RXD_QW0_RSS_SHIFT;
			t->qw1 |= AVF_RXD_QW1_FLTSTAT_RSS;
		}
	}
	return true;
}

/* The fast case: no configuration, no VLAN request. */
static __rte_always_inline bool
iavfbe_tx_plain(uint32_t cf, const struct rte_mbuf *m)
{
	return likely(cf == 0 && (m->ol_flags & RTE_MBUF_F_TX_VLAN) == 0);
}

/* Copy k bytes of the packet (pre[] first, then the mbuf from r) to dst. */
static void
iavfbe_tx_copy(struct iavfbe_txp *t, uint32_t *pre_off, struct iavfbe_rd *r, uint8_t *dst,
	       uint32_t k)
{
	if (*pre_off < t->pre_len) {
		uint32_t c = RTE_MIN(k, t->pre_len - *pre_off);

		memcpy(dst, t->pre + *pre_off, c);
		*pre_off += c;
		dst += c;
		k -= c;
	}
	if (k > 0)
		iavfbe_rd_copy(r, dst, k);
}

static void
iavfbe_tx_writeback(struct iavfbe_txq *q, const struct iavfbe_wb *wb, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint8_t *d = q->ring + (size_t)wb[i].idx * q->desc_size;

		iavfbe_st64((uint64_t *)(void *)d, wb[i].qw0);
		if (q->desc_size == 32) {
			iavfbe_st64((uint64_t *)(void *)(d + 16), 0);
			iavfbe_st64((uint64_t *)(void *)(d + 24), 0);
		}
	}
	/* Data and the other words before DD. */
	rte_atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 0; i < n; i++)
		iavfbe_st64((uint64_t *)(void *)(q->ring + (size_t)wb[i].idx * q->desc_size +
						 AVF_RXD_QW1_OFFSET),
			    wb[i].qw1);
	q->st.descs += n;
}

/*
 * Report the writes of one step: the buffers (runs of adjacent ones merged)
 * and the descriptors wb[0..n) (n > 0, consecutive in the ring from
 * wb[0].idx, n < ring size): one span, two when it wraps.
 */
static void
iavfbe_tx_mark(struct iavfbe_txq *q, const struct iavfbe_wb *wb, const struct iavfbe_wlog *wl,
	       uint32_t n)
{
	uint64_t start = 0, end = 0;
	uint32_t i, first;

	for (i = 0; i < n; i++) {
		if (wl[i].len == 0)
			continue;
		if (end != start && wl[i].gpa == end) {
			end += wl[i].len;
			continue;
		}
		if (end != start) {
			rte_emudev_dirty_mark(q->emu_id, start, end - start);
			q->st.dirty_marks++;
		}
		start = wl[i].gpa;
		end = start + wl[i].len;
	}
	if (end != start) {
		rte_emudev_dirty_mark(q->emu_id, start, end - start);
		q->st.dirty_marks++;
	}
	first = RTE_MIN(n, q->nb_desc - wb[0].idx);
	rte_emudev_dirty_mark(q->emu_id, q->ring_gpa + (uint64_t)wb[0].idx * q->desc_size,
			      (uint64_t)first * q->desc_size);
	q->st.dirty_marks++;
	if (first < n) {
		rte_emudev_dirty_mark(q->emu_id, q->ring_gpa, (uint64_t)(n - first) * q->desc_size);
		q->st.dirty_marks++;
	}
}

/* Packets pkts[from..n) refused for a full ring: for the guest, dropped. */
static void
iavfbe_tx_refused(struct iavfbe_txq *q, const struct iavfbe_rxconf *c, struct rte_mbuf **pkts,
		  uint16_t from, uint16_t n)
{
	struct iavfbe_txp t;
	uint16_t i;

	q->st.ring_full += (uint64_t)(n - from);
	for (i = from; i < n; i++) {
		if (iavfbe_tx_plain(c->flags, pkts[i]))
			iavfbe_tx_account_drop(q, pkts[i], pkts[i]->pkt_len);
		else if (iavfbe_tx_prep(c, pkts[i], &t))
			iavfbe_tx_account_drop(q, pkts[i], t.wire);
		/* else the guest's filters reject it: counted when it comes back */
	}
}

/* The ring work of a transmit burst (inside the queue's state word); log is a constant. */
static __rte_always_inline uint16_t
iavfbe_tx_ring(struct iavfbe_txq *q, struct rte_mbuf **pkts, uint16_t nb_pkts, const bool log)
{
	struct rte_mbuf *fr[IAVFBE_BURST];
	struct iavfbe_wb wb[IAVFBE_BURST * 4];
	struct iavfbe_wlog wl[IAVFBE_BURST * 4]; /* log only */
	const struct iavfbe_rxconf *c;
	uint32_t tail, head, avail, max_len, cf;
	uint16_t sent = 0;
	bool done = false;

	tail = __atomic_load_n(q->doorbell, __ATOMIC_ACQUIRE);
	if (unlikely(tail >= q->nb_desc)) {
		q->st.bad_tail++;
		return 0;
	}
	c = q->rxc;
	cf = c->flags;
	head = q->head;
	avail = iavfbe_ring_avail(head, tail, q->nb_desc);
	max_len = q->max_pkt != 0 ? q->max_pkt : AVF_MAX_FRAME;
	while (sent < nb_pkts) {
		uint32_t nwb = 0, nfr = 0;
		bool full = false;

		while (sent < nb_pkts && nfr < IAVFBE_BURST) {
			struct rte_mbuf *m = pkts[sent];
			uint32_t len, nd, j, pre_off = 0;
			struct iavfbe_txp t;
			struct iavfbe_rd r;
			bool bad = false;

			if (iavfbe_tx_plain(cf, m)) {
				t.len = m->pkt_len;
				t.wire = m->pkt_len;
				t.pre_len = 0;
				t.body = 0;
				t.ops = 0;
				t.qw0 = 0;
				t.qw1 = 0;
			} else if (!iavfbe_tx_prep(c, m, &t)) {
				/* Not for the guest: not in its counters. */
				q->st.filtered++;
				fr[nfr++] = m;
				sent++;
				continue;
			}
			len = t.len;
			nd = likely(len <= q->buf_size) ? 1 : (len + q->buf_size - 1) / q->buf_size;
			if (unlikely(len == 0 || len > max_len || nd >= q->nb_desc ||
				     nd > RTE_DIM(wb))) {
				/* Nothing, or more than the guest takes. */
				if (len == 0) {
					q->st.empty++;
				} else {
					q->st.too_big++;
					iavfbe_tx_account_drop(q, m, t.wire);
				}
				fr[nfr++] = m;
				sent++;
				continue;
			}
			if (nd > avail) {
				full = true;
				break;
			}
			if (nwb + nd > RTE_DIM(wb)) {
				/* Write back what we have first. */
				break;
			}
			if (sent + 1 < nb_pkts)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[sent + 1], void *));
			iavfbe_rd_init(&r, m, t.body);
			for (j = 0; j < nd; j++) {
				uint8_t *d = q->ring + (size_t)head * q->desc_size;
				uint32_t k = RTE_MIN(len - j * q->buf_size, q->buf_size);
				uint64_t ba = iavfbe_ld64((const uint64_t *)(void *)d);
				void *b = rte_emudev_translate(q->tbl, &q->xc, ba, k,
							       RTE_EMUDEV_MEM_WRITE);

				if (b == NULL)
					bad = true;
				else if (nd == 1 && m->data_len == len && t.pre_len == 0)
					rte_memcpy(b, rte_pktmbuf_mtod(m, const void *), len);
				else if (!bad)
					iavfbe_tx_copy(&t, &pre_off, &r, b, k);
				wb[nwb].idx = head;
				wb[nwb].qw0 = 0;
				wb[nwb].qw1 =
					AVF_RXD_QW1_DD | ((uint64_t)k << AVF_RXD_QW1_LEN_SHIFT);
				if (log) {
					/* Written unless this or an earlier buffer is bad. */
					wl[nwb].gpa = ba;
					wl[nwb].len = bad ? 0 : k;
				}
				nwb++;
				head = iavfbe_ring_next(head, q->nb_desc);
			}
			/* A packet that did not fit the guest's buffers ends in error. */
			avail -= nd;
			if (unlikely(bad)) {
				wb[nwb - 1].qw1 |= AVF_RXD_QW1_EOF | AVF_RXD_QW1_ERR_RXE;
				q->st.bad_addr++;
				q->st.bad_descs += nd;
				iavfbe_tx_account_drop(q, m, t.wire);
			} else {
				wb[nwb - 1].qw0 = t.qw0;
				wb[nwb - 1].qw1 |= AVF_RXD_QW1_EOF | t.qw1;
				iavfbe_tx_account(q, m, t.wire);
				if (unlikely(t.ops != 0)) {
					q->st.vlan_strip += (t.ops & IAVFBE_TXP_STRIP) != 0;
					q->st.vlan_insert += (t.ops & IAVFBE_TXP_INSERT) != 0;
					q->st.rss_hash += (t.ops & IAVFBE_TXP_HASH) != 0;
				}
			}
			fr[nfr++] = m;
			sent++;
		}
		if (nwb > 0) {
			iavfbe_tx_writeback(q, wb, nwb);
			if (log)
				iavfbe_tx_mark(q, wb, wl, nwb);
			done = true;
		}
		if (nfr > 0)
			rte_pktmbuf_free_bulk(fr, nfr);
		if (full) {
			iavfbe_tx_refused(q, c, pkts, sent, nb_pkts);
			break;
		}
	}
	q->head = head;
	if (done && q->irq_vector != RTE_EMUDEV_IRQ_NONE &&
	    rte_emudev_irq_trigger(q->emu_id, q->irq_vector) == 0)
		q->st.irqs++;
	return sent;
}

uint16_t
iavfbe_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct iavfbe_txq *q = txq;
	uint16_t sent;

	if (!rte_emudev_qstate_enter(&q->qs)) {
		/* The data-path thread owns the counters, inside or not. */
		q->st.not_ready += nb_pkts;
		return 0;
	}
	/* Dirty logging: this is its one branch per burst (q->log_dirty changes while stopped). */
	if (unlikely(q->log_dirty))
		sent = iavfbe_tx_ring(q, pkts, nb_pkts, true);
	else
		sent = iavfbe_tx_ring(q, pkts, nb_pkts, false);
	rte_emudev_qstate_leave(&q->qs);
	return sent;
}
