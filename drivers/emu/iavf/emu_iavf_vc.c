/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * emu_iavf: the PF side of virtchnl 1.1.
 *
 * Every message is untrusted: lengths are checked against the counts they
 * carry (leniently: a message may be longer than needed, as older drivers
 * send the size of a one-element array in addition), every VSI id, queue
 * id, vector id, ring length, buffer size and guest address is validated,
 * and a message is applied entirely or not at all. A malformed message gets
 * VIRTCHNL_STATUS_ERR_PARAM; an unknown or unimplemented operation
 * VIRTCHNL_STATUS_ERR_NOT_SUPPORTED.
 *
 * Called with the device lock held; emudev events are queued
 * (emu_iavf_event_push()) and raised by the caller after the lock is
 * released, before the reply is posted.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ethdev.h>

#include "emu_iavf_priv.h"

static const char *
emu_iavf_vc_op_name(uint32_t op)
{
	switch (op) {
	case VIRTCHNL_OP_VERSION:
		return "VERSION";
	case VIRTCHNL_OP_RESET_VF:
		return "RESET_VF";
	case VIRTCHNL_OP_GET_VF_RESOURCES:
		return "GET_VF_RESOURCES";
	case VIRTCHNL_OP_CONFIG_VSI_QUEUES:
		return "CONFIG_VSI_QUEUES";
	case VIRTCHNL_OP_CONFIG_IRQ_MAP:
		return "CONFIG_IRQ_MAP";
	case VIRTCHNL_OP_ENABLE_QUEUES:
		return "ENABLE_QUEUES";
	case VIRTCHNL_OP_DISABLE_QUEUES:
		return "DISABLE_QUEUES";
	case VIRTCHNL_OP_ADD_ETH_ADDR:
		return "ADD_ETH_ADDR";
	case VIRTCHNL_OP_DEL_ETH_ADDR:
		return "DEL_ETH_ADDR";
	case VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE:
		return "CONFIG_PROMISCUOUS_MODE";
	case VIRTCHNL_OP_GET_STATS:
		return "GET_STATS";
	case VIRTCHNL_OP_CONFIG_RSS_KEY:
		return "CONFIG_RSS_KEY";
	case VIRTCHNL_OP_CONFIG_RSS_LUT:
		return "CONFIG_RSS_LUT";
	case VIRTCHNL_OP_GET_RSS_HENA_CAPS:
		return "GET_RSS_HENA_CAPS";
	case VIRTCHNL_OP_SET_RSS_HENA:
		return "SET_RSS_HENA";
	case VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS:
		return "GET_OFFLOAD_VLAN_V2_CAPS";
	case VIRTCHNL_OP_ADD_VLAN_V2:
		return "ADD_VLAN_V2";
	case VIRTCHNL_OP_DEL_VLAN_V2:
		return "DEL_VLAN_V2";
	case VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2:
		return "ENABLE_VLAN_STRIPPING_V2";
	case VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2:
		return "DISABLE_VLAN_STRIPPING_V2";
	case VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2:
		return "ENABLE_VLAN_INSERTION_V2";
	case VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2:
		return "DISABLE_VLAN_INSERTION_V2";
	default:
		return "unsupported";
	}
}

static inline bool
emu_iavf_vsi_ok(uint16_t vsi_le)
{
	return rte_le_to_cpu_16(vsi_le) == EMU_IAVF_VSI_ID;
}

/* Bitmap of the queues the guest may use. */
static inline uint32_t
emu_iavf_qmask(const struct emu_iavf_dev *dev)
{
	return (uint32_t)((1ull << dev->offered_qp) - 1);
}

#define VC_ERR(dev, op, fmt, ...) \
	EMU_IAVF_LOG(WARNING, "%s: virtchnl %s: " fmt, (dev)->name, emu_iavf_vc_op_name(op), \
		     ##__VA_ARGS__)

/* Index of addr in list (n entries), or -1. */
static int
emu_iavf_mac_find(const uint8_t (*list)[6], uint32_t n, const uint8_t *addr)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (memcmp(list[i], addr, 6) == 0)
			return (int)i;
	return -1;
}

/*
 * Add addr to list (n entries of max) unless present or equal to skip.
 * @return 1 added, 0 present, -1 full.
 */
static int
emu_iavf_mac_add(uint8_t (*list)[6], uint32_t *n, uint32_t max, const uint8_t *addr,
		 const uint8_t *skip)
{
	if ((skip != NULL && memcmp(addr, skip, 6) == 0) || emu_iavf_mac_find(list, *n, addr) >= 0)
		return 0;
	if (*n == max)
		return -1;
	memcpy(list[*n], addr, 6);
	(*n)++;
	return 1;
}

/* Remove addr from list. @return whether it was there. */
static bool
emu_iavf_mac_del(uint8_t (*list)[6], uint32_t *n, const uint8_t *addr)
{
	int idx = emu_iavf_mac_find(list, *n, addr);

	if (idx < 0)
		return false;
	(*n)--;
	if ((uint32_t)idx != *n)
		memcpy(list[idx], list[*n], 6);
	return true;
}

static int32_t
emu_iavf_vc_version(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len,
		    struct emu_iavf_vc_result *res)
{
	struct virtchnl_version_info vf, pf;

	if (len < sizeof(vf)) {
		VC_ERR(dev, VIRTCHNL_OP_VERSION, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&vf, msg, sizeof(vf));
	dev->vf_ver.major = rte_le_to_cpu_32(vf.major);
	dev->vf_ver.minor = rte_le_to_cpu_32(vf.minor);
	dev->vf_ver_known = true;
	pf.major = rte_cpu_to_le_32(VIRTCHNL_VERSION_MAJOR);
	/* A 1.0 VF expects 1.0 back. */
	pf.minor = rte_cpu_to_le_32(
		dev->vf_ver.major == 1 && dev->vf_ver.minor == 0 ? 0 : VIRTCHNL_VERSION_MINOR);
	EMU_IAVF_LOG(INFO, "%s: VF virtchnl version %u.%u", dev->name, dev->vf_ver.major,
		     dev->vf_ver.minor);
	memcpy(res->data, &pf, sizeof(pf));
	res->len = sizeof(pf);
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
emu_iavf_vc_get_resources(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len,
			  struct emu_iavf_vc_result *res)
{
	struct virtchnl_vf_resource vfr;
	struct virtchnl_vsi_resource vsi;
	uint32_t wanted = 0, q;
	bool v10 = dev->vf_ver_known && dev->vf_ver.major == 1 && dev->vf_ver.minor == 0;

	/* A 1.1 VF sends the capabilities it wants; a 1.0 VF nothing. */
	if (!v10 && len >= sizeof(uint32_t)) {
		memcpy(&wanted, msg, sizeof(wanted));
		wanted = rte_le_to_cpu_32(wanted);
	}
	dev->caps = VIRTCHNL_VF_OFFLOAD_L2 | (wanted & EMU_IAVF_CAPS);
	/* What a capability no longer negotiated configured is gone. */
	if (!(dev->caps & VIRTCHNL_VF_OFFLOAD_RSS_PF) &&
	    (dev->rss_key_set || dev->rss_lut_set || dev->rss_hena != EMU_IAVF_RSS_HENA_CAPS)) {
		dev->rss_key_set = false;
		dev->rss_lut_set = false;
		dev->rss_hena = EMU_IAVF_RSS_HENA_CAPS;
		emu_iavf_rx_conf_changed(dev);
	}
	if (!(dev->caps & VIRTCHNL_VF_OFFLOAD_VLAN_V2) &&
	    (dev->nb_vlans != 0 || dev->vlan_strip || dev->vlan_insert)) {
		memset(dev->vlans, 0, sizeof(dev->vlans));
		dev->nb_vlans = 0;
		dev->vlan_strip = false;
		dev->vlan_insert = false;
		emu_iavf_rx_conf_changed(dev);
	}
	/*
	 * The consumer may have changed how many queue pairs it serves since
	 * the reset; the count changes only while no queue is configured.
	 */
	for (q = 0; q < AVF_MAX_QUEUE_PAIRS; q++)
		if (dev->txq[q].configured || dev->rxq[q].configured)
			break;
	if (q == AVF_MAX_QUEUE_PAIRS)
		dev->offered_qp = emu_iavf_offered_qp(dev);
	/* A table naming queues the guest no longer has is forgotten. */
	for (q = 0; dev->rss_lut_set && q < AVF_RSS_LUT_SIZE; q++) {
		if (dev->rss_lut[q] >= dev->offered_qp) {
			dev->rss_lut_set = false;
			emu_iavf_rx_conf_changed(dev);
		}
	}
	dev->resources_sent = true;
	/* A driver initializing: it learns the link after its ENABLE_QUEUES. */
	emu_iavf_link_forget(dev);

	memset(&vfr, 0, sizeof(vfr));
	vfr.num_vsis = rte_cpu_to_le_16(1);
	vfr.num_queue_pairs = rte_cpu_to_le_16(dev->offered_qp);
	vfr.max_vectors = rte_cpu_to_le_16((uint16_t)dev->nb_vectors);
	vfr.max_mtu = rte_cpu_to_le_16(EMU_IAVF_MAX_MTU);
	vfr.vf_cap_flags = rte_cpu_to_le_32(dev->caps);
	vfr.rss_key_size = rte_cpu_to_le_32(AVF_RSS_KEY_SIZE);
	vfr.rss_lut_size = rte_cpu_to_le_32(AVF_RSS_LUT_SIZE);
	memset(&vsi, 0, sizeof(vsi));
	vsi.vsi_id = rte_cpu_to_le_16(EMU_IAVF_VSI_ID);
	vsi.num_queue_pairs = rte_cpu_to_le_16(dev->offered_qp);
	vsi.vsi_type = (int32_t)rte_cpu_to_le_32(VIRTCHNL_VSI_SRIOV);
	memcpy(vsi.default_mac_addr, dev->mac, sizeof(vsi.default_mac_addr));
	if (memcmp(dev->vf_mac, dev->mac, sizeof(dev->vf_mac)) != 0) {
		/* A MAC set since the reset: the receive configuration follows. */
		memcpy(dev->vf_mac, dev->mac, sizeof(dev->vf_mac));
		emu_iavf_mac_del(dev->uc, &dev->nb_uc, dev->vf_mac);
		emu_iavf_rx_conf_changed(dev);
	}
	memcpy(res->data, &vfr, sizeof(vfr));
	memcpy(res->data + sizeof(vfr), &vsi, sizeof(vsi));
	res->len = sizeof(vfr) + sizeof(vsi);
	EMU_IAVF_LOG(INFO, "%s: resources: %u queue pairs, %u vectors, caps 0x%08x (asked 0x%08x)",
		     dev->name, dev->offered_qp, dev->nb_vectors, dev->caps, wanted);
	return VIRTCHNL_STATUS_SUCCESS;
}

/*
 * A ring of rl descriptors (a multiple of align, at most the maximum) at an
 * aligned address, all of it mapped read-write?
 */
static bool
emu_iavf_ring_ok(struct emu_iavf_dev *dev, uint32_t rl, uint64_t gpa, uint32_t align,
		 uint32_t desc_size)
{
	return rl % align == 0 && rl <= AVF_RING_LEN_MAX && gpa % AVF_RING_ADDR_ALIGN == 0 &&
		rte_vfio_user_dma_translate(dev->srv, gpa, (uint64_t)rl * desc_size,
					    RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE) !=
		NULL;
}

static int32_t
emu_iavf_vc_config_queues(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len)
{
	const uint32_t op = VIRTCHNL_OP_CONFIG_VSI_QUEUES;
	struct virtchnl_queue_pair_info qp[AVF_MAX_QUEUE_PAIRS];
	struct virtchnl_vsi_queue_config_info hdr;
	uint32_t n, i, seen = 0;

	if (len < sizeof(hdr)) {
		VC_ERR(dev, op, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&hdr, msg, sizeof(hdr));
	n = rte_le_to_cpu_16(hdr.num_queue_pairs);
	if (!emu_iavf_vsi_ok(hdr.vsi_id) || n == 0 || n > dev->offered_qp) {
		VC_ERR(dev, op, "vsi %u, %u queue pairs (%u offered)", rte_le_to_cpu_16(hdr.vsi_id),
		       n, dev->offered_qp);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	if (len < sizeof(hdr) + n * sizeof(qp[0])) {
		VC_ERR(dev, op, "%u bytes for %u queue pairs", len, n);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}

	/* Validate everything first. */
	for (i = 0; i < n; i++) {
		const struct virtchnl_txq_info *tx = &qp[i].txq;
		const struct virtchnl_rxq_info *rx = &qp[i].rxq;
		uint32_t q, rl, buf, pkt;
		uint64_t addr;

		memcpy(&qp[i], msg + sizeof(hdr) + i * sizeof(qp[0]), sizeof(qp[0]));
		q = rte_le_to_cpu_16(tx->queue_id);
		if (!emu_iavf_vsi_ok(tx->vsi_id) || !emu_iavf_vsi_ok(rx->vsi_id) ||
		    q != rte_le_to_cpu_16(rx->queue_id) || q >= dev->offered_qp ||
		    (seen & (1u << q)) != 0) {
			VC_ERR(dev, op, "pair %u: vsi %u/%u, queue %u/%u", i,
			       rte_le_to_cpu_16(tx->vsi_id), rte_le_to_cpu_16(rx->vsi_id), q,
			       rte_le_to_cpu_16(rx->queue_id));
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
		seen |= 1u << q;
		if (dev->txq[q].enabled || dev->rxq[q].enabled) {
			VC_ERR(dev, op, "queue pair %u is enabled", q);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
		rl = rte_le_to_cpu_16(tx->ring_len);
		addr = rte_le_to_cpu_64(tx->dma_ring_addr);
		if (rl != 0 &&
		    !emu_iavf_ring_ok(dev, rl, addr, AVF_TX_RING_ALIGN, AVF_TX_DESC_SIZE)) {
			VC_ERR(dev, op, "tx queue %u: bad ring (%u descriptors at 0x%" PRIx64 ")",
			       q, rl, addr);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
		rl = rte_le_to_cpu_32(rx->ring_len);
		addr = rte_le_to_cpu_64(rx->dma_ring_addr);
		if (rl == 0)
			continue;
		if (!emu_iavf_ring_ok(dev, rl, addr, AVF_RX_RING_ALIGN, AVF_RX_DESC_SIZE)) {
			VC_ERR(dev, op, "rx queue %u: bad ring (%u descriptors at 0x%" PRIx64 ")",
			       q, rl, addr);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
		buf = rte_le_to_cpu_32(rx->databuffer_size);
		pkt = rte_le_to_cpu_32(rx->max_pkt_size);
		if (buf > AVF_RX_BUF_MAX || (buf & ~(AVF_RX_BUF_ALIGN - 1)) < AVF_RX_BUF_MIN ||
		    pkt < AVF_RX_MAX_PKT_MIN || pkt > AVF_RX_MAX_PKT_MAX) {
			VC_ERR(dev, op, "rx queue %u: buffer size %u, max packet %u", q, buf, pkt);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
		if (rx->crc_disable && (dev->caps & VIRTCHNL_VF_OFFLOAD_CRC) == 0) {
			VC_ERR(dev, op, "rx queue %u: CRC stripping cannot be disabled", q);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
	}

	/* Apply. */
	for (i = 0; i < n; i++) {
		uint32_t q = rte_le_to_cpu_16(qp[i].txq.queue_id);
		struct emu_iavf_queue *tq = &dev->txq[q], *rq = &dev->rxq[q];

		tq->head = 0;
		rq->head = 0;
		tq->ring_len = rte_le_to_cpu_16(qp[i].txq.ring_len);
		tq->configured = tq->ring_len != 0;
		tq->ring_gpa = tq->configured ? rte_le_to_cpu_64(qp[i].txq.dma_ring_addr) : 0;
		rq->ring_len = rte_le_to_cpu_32(qp[i].rxq.ring_len);
		rq->configured = rq->ring_len != 0;
		rq->ring_gpa = rq->configured ? rte_le_to_cpu_64(qp[i].rxq.dma_ring_addr) : 0;
		rq->buf_size = rq->configured ?
			rte_le_to_cpu_32(qp[i].rxq.databuffer_size) & ~(AVF_RX_BUF_ALIGN - 1) :
			0;
		rq->max_pkt = rq->configured ? rte_le_to_cpu_32(qp[i].rxq.max_pkt_size) : 0;
		EMU_IAVF_LOG(DEBUG,
			     "%s: queue pair %u: tx %u at 0x%" PRIx64 ", rx %u at 0x%" PRIx64
			     " (buffers %u, max packet %u)",
			     dev->name, q, tq->ring_len, tq->ring_gpa, rq->ring_len, rq->ring_gpa,
			     rq->buf_size, rq->max_pkt);
	}
	/* A transmit queue starts with its tail at 0 (head 0 at enable). */
	emu_iavf_zero_tails(dev, seen, 0);
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
emu_iavf_vc_irq_map(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len)
{
	const uint32_t op = VIRTCHNL_OP_CONFIG_IRQ_MAP;
	struct virtchnl_vector_map vm[AVF_MAX_VECTORS];
	uint32_t n, i, q, qmask = emu_iavf_qmask(dev);
	uint16_t nv;

	if (len < sizeof(nv)) {
		VC_ERR(dev, op, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&nv, msg, sizeof(nv));
	n = rte_le_to_cpu_16(nv);
	if (n == 0 || n > dev->nb_vectors || len < sizeof(nv) + n * sizeof(vm[0])) {
		VC_ERR(dev, op, "%u vectors in %u bytes (%u vectors)", n, len, dev->nb_vectors);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	for (i = 0; i < n; i++) {
		uint32_t vid, rxm, txm;

		memcpy(&vm[i], msg + sizeof(nv) + i * sizeof(vm[0]), sizeof(vm[0]));
		vid = rte_le_to_cpu_16(vm[i].vector_id);
		rxm = rte_le_to_cpu_16(vm[i].rxq_map);
		txm = rte_le_to_cpu_16(vm[i].txq_map);
		if (!emu_iavf_vsi_ok(vm[i].vsi_id) || vid >= dev->nb_vectors ||
		    ((rxm | txm) & ~qmask) != 0) {
			VC_ERR(dev, op, "map %u: vsi %u, vector %u, rx 0x%x, tx 0x%x", i,
			       rte_le_to_cpu_16(vm[i].vsi_id), vid, rxm, txm);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
	}
	for (i = 0; i < n; i++) {
		uint32_t vid = rte_le_to_cpu_16(vm[i].vector_id);
		uint32_t rxm = rte_le_to_cpu_16(vm[i].rxq_map);
		uint32_t txm = rte_le_to_cpu_16(vm[i].txq_map);

		for (q = 0; q < dev->offered_qp; q++) {
			if (rxm & (1u << q))
				dev->rxq[q].vector = vid;
			if (txm & (1u << q))
				dev->txq[q].vector = vid;
		}
	}
	return VIRTCHNL_STATUS_SUCCESS;
}

/* ENABLE_QUEUES / DISABLE_QUEUES: parse and check the selection. */
static int32_t
emu_iavf_vc_qsel(struct emu_iavf_dev *dev, uint32_t op, const uint8_t *msg, uint32_t len,
		 uint32_t *rxm, uint32_t *txm)
{
	struct virtchnl_queue_select sel;

	if (len < sizeof(sel)) {
		VC_ERR(dev, op, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&sel, msg, sizeof(sel));
	*rxm = rte_le_to_cpu_32(sel.rx_queues);
	*txm = rte_le_to_cpu_32(sel.tx_queues);
	if (!emu_iavf_vsi_ok(sel.vsi_id) || (*rxm | *txm) == 0 ||
	    ((*rxm | *txm) & ~emu_iavf_qmask(dev)) != 0) {
		VC_ERR(dev, op, "vsi %u, rx 0x%x, tx 0x%x", rte_le_to_cpu_16(sel.vsi_id), *rxm,
		       *txm);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	return VIRTCHNL_STATUS_SUCCESS;
}

static void
emu_iavf_queue_event(struct emu_iavf_dev *dev, enum rte_emudev_event_type type,
		     enum rte_emudev_queue_dir dir, uint32_t q)
{
	struct rte_emudev_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.queue.dir = dir;
	ev.queue.qid = (uint16_t)q;
	emu_iavf_event_push(dev, &ev);
}

static int32_t
emu_iavf_vc_enable(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len,
		   struct emu_iavf_vc_result *res)
{
	const uint32_t op = VIRTCHNL_OP_ENABLE_QUEUES;
	uint32_t rxm, txm, q;
	int32_t st = emu_iavf_vc_qsel(dev, op, msg, len, &rxm, &txm);

	if (st != VIRTCHNL_STATUS_SUCCESS)
		return st;
	for (q = 0; q < dev->offered_qp; q++) {
		if (((txm & (1u << q)) && !dev->txq[q].configured) ||
		    ((rxm & (1u << q)) && !dev->rxq[q].configured)) {
			VC_ERR(dev, op, "queue %u is not configured", q);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
	}
	for (q = 0; q < dev->offered_qp; q++) {
		if ((txm & (1u << q)) && !dev->txq[q].enabled) {
			dev->txq[q].enabled = true;
			dev->txq[q].head = 0;
			emu_iavf_queue_event(dev, RTE_EMUDEV_EVENT_QUEUE_ENABLED,
					     RTE_EMUDEV_QUEUE_GUEST_TX, q);
		}
	}
	for (q = 0; q < dev->offered_qp; q++) {
		if ((rxm & (1u << q)) && !dev->rxq[q].enabled) {
			dev->rxq[q].enabled = true;
			dev->rxq[q].head = 0;
			emu_iavf_queue_event(dev, RTE_EMUDEV_EVENT_QUEUE_ENABLED,
					     RTE_EMUDEV_QUEUE_GUEST_RX, q);
		}
	}
	EMU_IAVF_LOG(INFO, "%s: queues enabled: rx 0x%x, tx 0x%x", dev->name, rxm, txm);
	if (!dev->ready) {
		struct rte_emudev_event ev;

		dev->ready = true;
		memset(&ev, 0, sizeof(ev));
		ev.type = RTE_EMUDEV_EVENT_DEVICE_READY;
		emu_iavf_event_push(dev, &ev);
	}
	/*
	 * The first enable after the driver's queues were all disabled tells
	 * it of the link (Linux iavf ignores a link-up event before its
	 * queues are enabled); the next ones repeat nothing.
	 */
	res->link_event = true;
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
emu_iavf_vc_disable(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len,
		    struct emu_iavf_vc_result *res)
{
	uint32_t rxm, txm, q;
	int32_t st = emu_iavf_vc_qsel(dev, VIRTCHNL_OP_DISABLE_QUEUES, msg, len, &rxm, &txm);

	if (st != VIRTCHNL_STATUS_SUCCESS)
		return st;
	for (q = 0; q < dev->offered_qp; q++) {
		if ((txm & (1u << q)) && dev->txq[q].enabled) {
			dev->txq[q].enabled = false;
			emu_iavf_queue_event(dev, RTE_EMUDEV_EVENT_QUEUE_DISABLED,
					     RTE_EMUDEV_QUEUE_GUEST_TX, q);
		}
		if ((rxm & (1u << q)) && dev->rxq[q].enabled) {
			dev->rxq[q].enabled = false;
			emu_iavf_queue_event(dev, RTE_EMUDEV_EVENT_QUEUE_DISABLED,
					     RTE_EMUDEV_QUEUE_GUEST_RX, q);
		}
	}
	/* All down: as Linux iavf does, the driver forgets its link. */
	for (q = 0; q < dev->offered_qp; q++)
		if (dev->txq[q].enabled || dev->rxq[q].enabled)
			break;
	if (q == dev->offered_qp)
		emu_iavf_link_forget(dev);
	/* Once the consumer let go of them, the tails restart at 0. */
	res->zero_tx_tails = txm;
	res->zero_rx_tails = rxm;
	EMU_IAVF_LOG(INFO, "%s: queues disabled: rx 0x%x, tx 0x%x", dev->name, rxm, txm);
	return VIRTCHNL_STATUS_SUCCESS;
}

/*
 * ADD_ETH_ADDR / DEL_ETH_ADDR: unicast and multicast filters, applied
 * entirely or not at all. The address the guest was given is always
 * accepted (adding it changes nothing, deleting it neither); adding one
 * already there is no error, nor is deleting one that is not.
 */
static int32_t
emu_iavf_vc_eth_addr(struct emu_iavf_dev *dev, uint32_t op, const uint8_t *msg, uint32_t len)
{
	static const uint8_t zero[6], bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t uc[EMU_IAVF_MAX_UC][6], mc[EMU_IAVF_MAX_MC][6];
	struct virtchnl_ether_addr_list hdr;
	struct virtchnl_ether_addr ea;
	uint32_t n, i, nb_uc = dev->nb_uc, nb_mc = dev->nb_mc;
	bool add = op == VIRTCHNL_OP_ADD_ETH_ADDR, changed = false;

	if (len < sizeof(hdr)) {
		VC_ERR(dev, op, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&hdr, msg, sizeof(hdr));
	n = rte_le_to_cpu_16(hdr.num_elements);
	if (n == 0 || !emu_iavf_vsi_ok(hdr.vsi_id) || len < sizeof(hdr) + n * sizeof(ea)) {
		VC_ERR(dev, op, "vsi %u, %u addresses in %u bytes", rte_le_to_cpu_16(hdr.vsi_id), n,
		       len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	/* Work on copies: a message is applied entirely or not at all. */
	memcpy(uc, dev->uc, sizeof(uc));
	memcpy(mc, dev->mc, sizeof(mc));
	for (i = 0; i < n; i++) {
		bool multi;
		int r;

		memcpy(&ea, msg + sizeof(hdr) + i * sizeof(ea), sizeof(ea));
		if (memcmp(ea.addr, zero, 6) == 0 || memcmp(ea.addr, bcast, 6) == 0) {
			VC_ERR(dev, op, "address %u is zero or broadcast", i);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
		multi = (ea.addr[0] & 1) != 0;
		if (!add) {
			changed |= multi ? emu_iavf_mac_del(mc, &nb_mc, ea.addr) :
					   emu_iavf_mac_del(uc, &nb_uc, ea.addr);
			continue;
		}
		r = multi ? emu_iavf_mac_add(mc, &nb_mc, EMU_IAVF_MAX_MC, ea.addr, NULL) :
			    emu_iavf_mac_add(uc, &nb_uc, EMU_IAVF_MAX_UC, ea.addr, dev->vf_mac);
		if (r < 0) {
			VC_ERR(dev, op, "address %u: the %s list is full (%u)", i,
			       multi ? "multicast" : "unicast",
			       multi ? EMU_IAVF_MAX_MC : EMU_IAVF_MAX_UC);
			return VIRTCHNL_STATUS_ERR_NO_MEMORY;
		}
		changed |= r > 0;
	}
	if (changed) {
		memcpy(dev->uc, uc, sizeof(uc));
		memcpy(dev->mc, mc, sizeof(mc));
		dev->nb_uc = nb_uc;
		dev->nb_mc = nb_mc;
		emu_iavf_rx_conf_changed(dev);
	}
	EMU_IAVF_LOG(DEBUG, "%s: %u unicast and %u multicast filters", dev->name, dev->nb_uc + 1,
		     dev->nb_mc);
	return VIRTCHNL_STATUS_SUCCESS;
}

/* CONFIG_PROMISCUOUS_MODE: unicast -> PROMISC, multicast -> ALLMULTI. */
static int32_t
emu_iavf_vc_promisc(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len)
{
	const uint16_t known = VIRTCHNL_FLAG_UNICAST_PROMISC | VIRTCHNL_FLAG_MULTICAST_PROMISC;
	struct virtchnl_promisc_info pi;
	uint16_t flags;

	if (len < sizeof(pi)) {
		VC_ERR(dev, VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&pi, msg, sizeof(pi));
	flags = rte_le_to_cpu_16(pi.flags);
	if (!emu_iavf_vsi_ok(pi.vsi_id) || (flags & ~known) != 0) {
		VC_ERR(dev, VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, "vsi %u, flags 0x%x",
		       rte_le_to_cpu_16(pi.vsi_id), flags);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	if (flags != dev->promisc) {
		dev->promisc = flags;
		emu_iavf_rx_conf_changed(dev);
	}
	EMU_IAVF_LOG(DEBUG, "%s: promiscuous flags 0x%x", dev->name, flags);
	return VIRTCHNL_STATUS_SUCCESS;
}

/* ------------------------------------------------------------- VLAN V2 */

/*
 * GET_OFFLOAD_VLAN_V2_CAPS: as a PF gives a VF without port VLAN in single
 * VLAN mode: filtering of the outer (single) 0x8100 tag, always on (no
 * toggle); stripping into L2TAG1 of the receive descriptor and insertion
 * from L2TAG1 of the transmit data descriptor, 0x8100, toggled by the VF,
 * off until it enables them.
 */
static int32_t
emu_iavf_vc_vlan_caps(struct emu_iavf_dev *dev, struct emu_iavf_vc_result *res)
{
	const uint32_t offload = VIRTCHNL_VLAN_ETHERTYPE_8100 | VIRTCHNL_VLAN_TOGGLE |
		VIRTCHNL_VLAN_TAG_LOCATION_L2TAG1;
	struct virtchnl_vlan_caps vc;

	memset(&vc, 0, sizeof(vc));
	vc.filtering.filtering_support.outer = rte_cpu_to_le_32(VIRTCHNL_VLAN_ETHERTYPE_8100);
	vc.filtering.ethertype_init = rte_cpu_to_le_32(VIRTCHNL_VLAN_ETHERTYPE_8100);
	vc.filtering.max_filters = rte_cpu_to_le_16(EMU_IAVF_MAX_VLANS);
	vc.offloads.stripping_support.outer = rte_cpu_to_le_32(offload);
	vc.offloads.insertion_support.outer = rte_cpu_to_le_32(offload);
	vc.offloads.ethertype_init = rte_cpu_to_le_32(VIRTCHNL_VLAN_ETHERTYPE_8100);
	vc.offloads.ethertype_match = VIRTCHNL_ETHERTYPE_STRIPPING_MATCHES_INSERTION;
	RTE_SET_USED(dev);
	memcpy(res->data, &vc, sizeof(vc));
	res->len = sizeof(vc);
	return VIRTCHNL_STATUS_SUCCESS;
}

/*
 * ADD_VLAN_V2 / DEL_VLAN_V2: outer 0x8100 filters (tci = VID, no priority,
 * no mask, nothing inner), at most EMU_IAVF_MAX_VLANS; applied entirely or
 * not at all. Adding a present filter or deleting an absent one is no error.
 */
static int32_t
emu_iavf_vc_vlan_filter(struct emu_iavf_dev *dev, uint32_t op, const uint8_t *msg, uint32_t len)
{
	static const struct virtchnl_vlan none;
	struct virtchnl_vlan_filter_list_v2 hdr;
	struct virtchnl_vlan_filter f;
	uint64_t vlans[RTE_DIM(dev->vlans)];
	uint32_t n, i, nb = dev->nb_vlans;
	bool add = op == VIRTCHNL_OP_ADD_VLAN_V2;

	if (len < sizeof(hdr)) {
		VC_ERR(dev, op, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&hdr, msg, sizeof(hdr));
	n = rte_le_to_cpu_16(hdr.num_elements);
	if (n == 0 || !emu_iavf_vsi_ok(hdr.vport_id) || len < sizeof(hdr) + n * sizeof(f)) {
		VC_ERR(dev, op, "vport %u, %u filters in %u bytes", rte_le_to_cpu_16(hdr.vport_id),
		       n, len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(vlans, dev->vlans, sizeof(vlans));
	for (i = 0; i < n; i++) {
		uint16_t tci, vid;
		uint64_t bit;

		memcpy(&f, msg + sizeof(hdr) + i * sizeof(f), sizeof(f));
		tci = rte_le_to_cpu_16(f.outer.tci);
		vid = tci & 0xFFFu;
		if (rte_le_to_cpu_16(f.outer.tpid) != RTE_ETHER_TYPE_VLAN || tci != vid ||
		    f.outer.tci_mask != 0 || memcmp(&f.inner, &none, sizeof(none)) != 0) {
			VC_ERR(dev, op,
			       "filter %u: outer tpid 0x%04x, tci 0x%04x, mask 0x%04x; inner tpid "
			       "0x%04x, tci 0x%04x (outer 0x8100 VLAN ids only)",
			       i, rte_le_to_cpu_16(f.outer.tpid), tci,
			       rte_le_to_cpu_16(f.outer.tci_mask), rte_le_to_cpu_16(f.inner.tpid),
			       rte_le_to_cpu_16(f.inner.tci));
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
		bit = 1ull << (vid % 64);
		if (add && !(vlans[vid / 64] & bit)) {
			if (nb == EMU_IAVF_MAX_VLANS) {
				VC_ERR(dev, op, "filter %u: VLAN %u: %u filters already", i, vid,
				       nb);
				return VIRTCHNL_STATUS_ERR_NO_MEMORY;
			}
			vlans[vid / 64] |= bit;
			nb++;
		} else if (!add && (vlans[vid / 64] & bit)) {
			vlans[vid / 64] &= ~bit;
			nb--;
		}
	}
	if (memcmp(vlans, dev->vlans, sizeof(vlans)) != 0) {
		memcpy(dev->vlans, vlans, sizeof(vlans));
		dev->nb_vlans = nb;
		emu_iavf_rx_conf_changed(dev);
	}
	EMU_IAVF_LOG(DEBUG, "%s: %u VLAN filters", dev->name, dev->nb_vlans);
	return VIRTCHNL_STATUS_SUCCESS;
}

/* ENABLE/DISABLE_VLAN_STRIPPING_V2 and ENABLE/DISABLE_VLAN_INSERTION_V2. */
static int32_t
emu_iavf_vc_vlan_setting(struct emu_iavf_dev *dev, uint32_t op, const uint8_t *msg, uint32_t len)
{
	struct virtchnl_vlan_setting vs;
	uint32_t outer, inner;
	bool on = op == VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2 ||
		op == VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2;
	bool strip = op == VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2 ||
		op == VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2;

	if (len < sizeof(vs)) {
		VC_ERR(dev, op, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&vs, msg, sizeof(vs));
	outer = rte_le_to_cpu_32(vs.outer_ethertype_setting);
	inner = rte_le_to_cpu_32(vs.inner_ethertype_setting);
	if (!emu_iavf_vsi_ok(vs.vport_id) || outer != VIRTCHNL_VLAN_ETHERTYPE_8100 || inner != 0) {
		VC_ERR(dev, op, "vport %u, outer ethertypes 0x%x, inner 0x%x (outer 0x8100 only)",
		       rte_le_to_cpu_16(vs.vport_id), outer, inner);
		return inner != 0 && outer == 0 ? VIRTCHNL_STATUS_ERR_NOT_SUPPORTED :
						  VIRTCHNL_STATUS_ERR_PARAM;
	}
	if (strip && dev->vlan_strip != on) {
		dev->vlan_strip = on;
		emu_iavf_rx_conf_changed(dev);
	} else if (!strip) {
		dev->vlan_insert = on;
	}
	EMU_IAVF_LOG(DEBUG, "%s: VLAN %s %s", dev->name, strip ? "stripping" : "insertion",
		     on ? "on" : "off");
	return VIRTCHNL_STATUS_SUCCESS;
}

/* ----------------------------------------------------------------- RSS */

/* The hash filters (PCTYPEs) the device hashes, and their RTE_ETH_RSS_* type. */
static const struct {
	uint8_t bit;
	uint64_t type;
} emu_iavf_rss_types[] = {
	{VIRTCHNL_HASH_FILTER_IPV4_UDP, RTE_ETH_RSS_NONFRAG_IPV4_UDP},
	{VIRTCHNL_HASH_FILTER_IPV4_TCP, RTE_ETH_RSS_NONFRAG_IPV4_TCP},
	{VIRTCHNL_HASH_FILTER_IPV4_SCTP, RTE_ETH_RSS_NONFRAG_IPV4_SCTP},
	{VIRTCHNL_HASH_FILTER_IPV4_OTHER, RTE_ETH_RSS_NONFRAG_IPV4_OTHER},
	{VIRTCHNL_HASH_FILTER_FRAG_IPV4, RTE_ETH_RSS_FRAG_IPV4},
	{VIRTCHNL_HASH_FILTER_IPV6_UDP, RTE_ETH_RSS_NONFRAG_IPV6_UDP},
	{VIRTCHNL_HASH_FILTER_IPV6_TCP, RTE_ETH_RSS_NONFRAG_IPV6_TCP},
	{VIRTCHNL_HASH_FILTER_IPV6_SCTP, RTE_ETH_RSS_NONFRAG_IPV6_SCTP},
	{VIRTCHNL_HASH_FILTER_IPV6_OTHER, RTE_ETH_RSS_NONFRAG_IPV6_OTHER},
	{VIRTCHNL_HASH_FILTER_FRAG_IPV6, RTE_ETH_RSS_FRAG_IPV6},
	{VIRTCHNL_HASH_FILTER_L2_PAYLOAD, RTE_ETH_RSS_L2_PAYLOAD},
};

/* The RTE_ETH_RSS_* types of hash filter bits. */
uint64_t
emu_iavf_hena_to_rss_types(uint64_t hena)
{
	uint64_t types = 0;
	uint32_t i;

	for (i = 0; i < RTE_DIM(emu_iavf_rss_types); i++)
		if (hena & (1ull << emu_iavf_rss_types[i].bit))
			types |= emu_iavf_rss_types[i].type;
	return types;
}

/* Keep n bytes of RSS state from the guest; a change is a new receive configuration. */
static void
emu_iavf_rss_store(struct emu_iavf_dev *dev, uint8_t *dst, bool *set, const uint8_t *src,
		   uint32_t n)
{
	if (*set && memcmp(dst, src, n) == 0)
		return;
	memcpy(dst, src, n);
	*set = true;
	emu_iavf_rx_conf_changed(dev);
}

/* CONFIG_RSS_KEY: a key of exactly rss_key_size (52) bytes. */
static int32_t
emu_iavf_vc_rss_key(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len)
{
	const uint32_t op = VIRTCHNL_OP_CONFIG_RSS_KEY;
	struct virtchnl_rss_key hdr;
	uint32_t n;

	if (len < sizeof(hdr)) {
		VC_ERR(dev, op, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&hdr, msg, sizeof(hdr));
	n = rte_le_to_cpu_16(hdr.key_len);
	if (!emu_iavf_vsi_ok(hdr.vsi_id) || n != AVF_RSS_KEY_SIZE || len < sizeof(hdr) + n) {
		VC_ERR(dev, op, "vsi %u, key of %u bytes (%u expected) in %u bytes",
		       rte_le_to_cpu_16(hdr.vsi_id), n, AVF_RSS_KEY_SIZE, len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	emu_iavf_rss_store(dev, dev->rss_key, &dev->rss_key_set, msg + sizeof(hdr), n);
	return VIRTCHNL_STATUS_SUCCESS;
}

/* CONFIG_RSS_LUT: rss_lut_size (64) entries, each a queue the guest has. */
static int32_t
emu_iavf_vc_rss_lut(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len)
{
	const uint32_t op = VIRTCHNL_OP_CONFIG_RSS_LUT;
	struct virtchnl_rss_lut hdr;
	uint32_t n, i;

	if (len < sizeof(hdr)) {
		VC_ERR(dev, op, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&hdr, msg, sizeof(hdr));
	n = rte_le_to_cpu_16(hdr.lut_entries);
	if (!emu_iavf_vsi_ok(hdr.vsi_id) || n != AVF_RSS_LUT_SIZE || len < sizeof(hdr) + n) {
		VC_ERR(dev, op, "vsi %u, %u entries (%u expected) in %u bytes",
		       rte_le_to_cpu_16(hdr.vsi_id), n, AVF_RSS_LUT_SIZE, len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	for (i = 0; i < n; i++) {
		if (msg[sizeof(hdr) + i] >= dev->offered_qp) {
			VC_ERR(dev, op, "entry %u: queue %u (%u queues)", i, msg[sizeof(hdr) + i],
			       dev->offered_qp);
			return VIRTCHNL_STATUS_ERR_PARAM;
		}
	}
	emu_iavf_rss_store(dev, dev->rss_lut, &dev->rss_lut_set, msg + sizeof(hdr), n);
	return VIRTCHNL_STATUS_SUCCESS;
}

/* SET_RSS_HENA: hash filters among GET_RSS_HENA_CAPS' (0: no hashing). */
static int32_t
emu_iavf_vc_rss_hena(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len)
{
	const uint32_t op = VIRTCHNL_OP_SET_RSS_HENA;
	struct virtchnl_rss_hena h;
	uint64_t hena;

	if (len < sizeof(h)) {
		VC_ERR(dev, op, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&h, msg, sizeof(h));
	hena = rte_le_to_cpu_64(h.hena);
	if ((hena & ~EMU_IAVF_RSS_HENA_CAPS) != 0) {
		VC_ERR(dev, op,
		       "hash filters 0x%016" PRIx64 " beyond the capabilities 0x%016" PRIx64, hena,
		       EMU_IAVF_RSS_HENA_CAPS);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	if (hena != dev->rss_hena) {
		dev->rss_hena = hena;
		emu_iavf_rx_conf_changed(dev);
	}
	return VIRTCHNL_STATUS_SUCCESS;
}

static int32_t
emu_iavf_vc_stats(struct emu_iavf_dev *dev, const uint8_t *msg, uint32_t len,
		  const struct rte_emudev_stats *s, struct emu_iavf_vc_result *res)
{
	struct virtchnl_queue_select sel;
	struct virtchnl_eth_stats es;

	if (len < sizeof(sel)) {
		VC_ERR(dev, VIRTCHNL_OP_GET_STATS, "%u bytes", len);
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	memcpy(&sel, msg, sizeof(sel));
	if (!emu_iavf_vsi_ok(sel.vsi_id)) {
		VC_ERR(dev, VIRTCHNL_OP_GET_STATS, "vsi %u", rte_le_to_cpu_16(sel.vsi_id));
		return VIRTCHNL_STATUS_ERR_PARAM;
	}
	/*
	 * As a VF's counters: rx_bytes counts every frame with its 4-byte FCS
	 * (DPDK's iavf takes 4 bytes per received packet off, Linux iavf shows
	 * it as is, as with hardware). The other counters as the consumer
	 * counts them (rte_emudev_stats): the class counters include
	 * rx_discards (DPDK's iavf subtracts them), 64 bits wide.
	 */
	es.rx_bytes = rte_cpu_to_le_64(s->rx_bytes +
				       EMU_IAVF_FCS_LEN *
					       (s->rx_unicast + s->rx_multicast + s->rx_broadcast));
	es.rx_unicast = rte_cpu_to_le_64(s->rx_unicast);
	es.rx_multicast = rte_cpu_to_le_64(s->rx_multicast);
	es.rx_broadcast = rte_cpu_to_le_64(s->rx_broadcast);
	es.rx_discards = rte_cpu_to_le_64(s->rx_discards);
	es.rx_unknown_protocol = rte_cpu_to_le_64(s->rx_unknown_protocol);
	es.tx_bytes = rte_cpu_to_le_64(s->tx_bytes);
	es.tx_unicast = rte_cpu_to_le_64(s->tx_unicast);
	es.tx_multicast = rte_cpu_to_le_64(s->tx_multicast);
	es.tx_broadcast = rte_cpu_to_le_64(s->tx_broadcast);
	es.tx_discards = rte_cpu_to_le_64(s->tx_discards);
	es.tx_errors = rte_cpu_to_le_64(s->tx_errors);
	memcpy(res->data, &es, sizeof(es));
	res->len = sizeof(es);
	return VIRTCHNL_STATUS_SUCCESS;
}

void
emu_iavf_vc_handle(struct emu_iavf_dev *dev, uint32_t op, const uint8_t *msg, uint32_t len,
		   const struct rte_emudev_stats *stats, struct emu_iavf_vc_result *res)
{
	int32_t st;

	res->reply = true;
	res->len = 0;
	switch (op) {
	case VIRTCHNL_OP_VERSION:
		st = emu_iavf_vc_version(dev, msg, len, res);
		break;
	case VIRTCHNL_OP_RESET_VF:
		EMU_IAVF_LOG(INFO, "%s: VF reset requested", dev->name);
		res->reply = false;
		res->reset = true;
		return;
	case VIRTCHNL_OP_GET_VF_RESOURCES:
		st = emu_iavf_vc_get_resources(dev, msg, len, res);
		break;
	case VIRTCHNL_OP_CONFIG_VSI_QUEUES:
		st = emu_iavf_vc_config_queues(dev, msg, len);
		break;
	case VIRTCHNL_OP_CONFIG_IRQ_MAP:
		st = emu_iavf_vc_irq_map(dev, msg, len);
		break;
	case VIRTCHNL_OP_ENABLE_QUEUES:
		st = emu_iavf_vc_enable(dev, msg, len, res);
		break;
	case VIRTCHNL_OP_DISABLE_QUEUES:
		st = emu_iavf_vc_disable(dev, msg, len, res);
		break;
	case VIRTCHNL_OP_ADD_ETH_ADDR:
	case VIRTCHNL_OP_DEL_ETH_ADDR:
		st = emu_iavf_vc_eth_addr(dev, op, msg, len);
		break;
	case VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE:
		st = emu_iavf_vc_promisc(dev, msg, len);
		break;
	case VIRTCHNL_OP_GET_STATS:
		st = emu_iavf_vc_stats(dev, msg, len, stats, res);
		break;
	case VIRTCHNL_OP_CONFIG_RSS_KEY:
	case VIRTCHNL_OP_CONFIG_RSS_LUT:
	case VIRTCHNL_OP_GET_RSS_HENA_CAPS:
	case VIRTCHNL_OP_SET_RSS_HENA:
		if ((dev->caps & VIRTCHNL_VF_OFFLOAD_RSS_PF) == 0) {
			VC_ERR(dev, op, "RSS_PF was not negotiated");
			st = VIRTCHNL_STATUS_ERR_NOT_SUPPORTED;
		} else if (op == VIRTCHNL_OP_CONFIG_RSS_KEY) {
			st = emu_iavf_vc_rss_key(dev, msg, len);
		} else if (op == VIRTCHNL_OP_CONFIG_RSS_LUT) {
			st = emu_iavf_vc_rss_lut(dev, msg, len);
		} else if (op == VIRTCHNL_OP_SET_RSS_HENA) {
			st = emu_iavf_vc_rss_hena(dev, msg, len);
		} else {
			struct virtchnl_rss_hena h = {
				.hena = rte_cpu_to_le_64(EMU_IAVF_RSS_HENA_CAPS)};

			memcpy(res->data, &h, sizeof(h));
			res->len = sizeof(h);
			st = VIRTCHNL_STATUS_SUCCESS;
		}
		break;
	case VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS:
	case VIRTCHNL_OP_ADD_VLAN_V2:
	case VIRTCHNL_OP_DEL_VLAN_V2:
	case VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2:
	case VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2:
	case VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2:
	case VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2:
		if ((dev->caps & VIRTCHNL_VF_OFFLOAD_VLAN_V2) == 0) {
			VC_ERR(dev, op, "VLAN_V2 was not negotiated");
			st = VIRTCHNL_STATUS_ERR_NOT_SUPPORTED;
		} else if (op == VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS) {
			st = emu_iavf_vc_vlan_caps(dev, res);
		} else if (op == VIRTCHNL_OP_ADD_VLAN_V2 || op == VIRTCHNL_OP_DEL_VLAN_V2) {
			st = emu_iavf_vc_vlan_filter(dev, op, msg, len);
		} else {
			st = emu_iavf_vc_vlan_setting(dev, op, msg, len);
		}
		break;
	default:
		EMU_IAVF_LOG(DEBUG, "%s: virtchnl op %u not supported", dev->name, op);
		st = VIRTCHNL_STATUS_ERR_NOT_SUPPORTED;
		break;
	}
	if (st != VIRTCHNL_STATUS_SUCCESS)
		res->len = 0;
	res->status = st;
	EMU_IAVF_LOG(DEBUG, "%s: virtchnl %s (%u), %u bytes: status %d, reply %u bytes", dev->name,
		     emu_iavf_vc_op_name(op), op, len, st, res->len);
}
