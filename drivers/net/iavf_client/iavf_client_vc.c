/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * net_iavf_client: BAR0 register access, the admin queue and the VF side of
 * virtchnl 1.1.
 *
 * One virtchnl operation is outstanding at a time: the request is placed in
 * the ATQ (its buffer in DPDK memory), ATQT is written (a synchronous region
 * write), ATQH is read back until it reaches the tail, and the receive
 * queue is cleaned from our next descriptor up to ARQH until the reply of
 * the same opcode shows up; events met on the way (LINK_CHANGE,
 * RESET_IMPENDING) are handled as they come. Every wait is bounded
 * (IAVFC_AQ_TIMEOUT_MS).
 *
 * What the server writes (descriptors, lengths, replies) is checked before
 * use: indices are bounded by the ring, lengths by the buffer, reply sizes
 * by what each operation needs.
 *
 * Everything here runs under the adapter lock.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_io.h>

#include <ethdev_driver.h>

#include "iavf_client.h"

#define AQ_WAIT_STEP_US 200u

static const char *
iavfc_vc_op_name(uint32_t op)
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
	case VIRTCHNL_OP_EVENT:
		return "EVENT";
	default:
		return "?";
	}
}

bool
iavfc_connected(const struct iavfc_adapter *ad)
{
	return ad->c != NULL && !ad->gone;
}

/*
 * A request failed. A transport failure (the server went away, the stream
 * broke, a reply never came) makes the connection unusable: the data path
 * stops touching the device and the link goes down.
 */
void
iavfc_conn_error(struct iavfc_adapter *ad, int err, const char *what)
{
	switch (-err) {
	case ENOTCONN:
	case EPIPE:
	case ECONNRESET:
	case ECONNABORTED:
	case ESHUTDOWN:
	case ETIMEDOUT:
	case EPROTO:
	case EBADF:
	case EIO:
		break;
	default:
		IAVFC_LOG(ERR, "%s: %s: %s", ad->name, what, strerror(-err));
		return;
	}
	if (ad->gone)
		return;
	if (ad->scratch) {
		/* The server a move prepares: the move fails, the port is not concerned. */
		IAVFC_LOG(ERR, "%s: %s on %s: %s", ad->name, what, ad->path, strerror(-err));
		iavfc_conn_lost(ad);
		return;
	}
	if (ad->reconnect_ms != 0)
		IAVFC_LOG(ERR,
			  "%s: %s: %s: the server on %s is gone; link down, reconnecting every "
			  "%u ms",
			  ad->name, what, strerror(-err), ad->path, ad->reconnect_ms);
	else
		IAVFC_LOG(ERR,
			  "%s: %s: %s: the server on %s is gone; link down (stop and start the "
			  "port, or close it and attach it again, to reconnect; or use the "
			  "reconnect devarg)",
			  ad->name, what, strerror(-err), ad->path);
	iavfc_conn_lost(ad);
}

int
iavfc_reg_read(struct iavfc_adapter *ad, uint32_t off, uint32_t *val)
{
	uint32_t v;
	int ret;

	if (!iavfc_connected(ad))
		return -ENOTCONN;
	ret = rte_vfio_user_client_region_read(ad->c, RTE_VFIO_USER_REGION_BAR0, off, &v,
					       sizeof(v));
	if (ret < 0) {
		iavfc_conn_error(ad, ret, "BAR0 read");
		return ret;
	}
	*val = rte_le_to_cpu_32(v);
	return 0;
}

int
iavfc_reg_write(struct iavfc_adapter *ad, uint32_t off, uint32_t val)
{
	uint32_t v = rte_cpu_to_le_32(val);
	int ret;

	if (!iavfc_connected(ad))
		return -ENOTCONN;
	ret = rte_vfio_user_client_region_write(ad->c, RTE_VFIO_USER_REGION_BAR0, off, &v,
						sizeof(v), false);
	if (ret < 0)
		iavfc_conn_error(ad, ret, "BAR0 write");
	return ret;
}

/* --------------------------------------------------------------- admin queue */

static void
iavfc_arq_desc_post(struct iavfc_adapter *ad, uint16_t i)
{
	volatile struct avf_aq_desc *d = &ad->arq[i];
	uint64_t a = ad->arq_buf_iova + (uint64_t)i * IAVFC_AQ_BUF_SIZE;

	d->opcode = 0;
	d->datalen = rte_cpu_to_le_16(IAVFC_AQ_BUF_SIZE);
	d->retval = 0;
	d->cookie_high = 0;
	d->cookie_low = 0;
	d->param0 = 0;
	d->param1 = 0;
	d->addr_high = rte_cpu_to_le_32((uint32_t)(a >> 32));
	d->addr_low = rte_cpu_to_le_32((uint32_t)a);
	rte_io_wmb();
	d->flags = rte_cpu_to_le_16(AVF_AQ_FLAG_BUF | AVF_AQ_FLAG_LB);
}

/* Wait until VFGEN_RSTAT says the VF may use its admin queue. */
static int
iavfc_wait_reset_done(struct iavfc_adapter *ad)
{
	uint64_t deadline =
		rte_get_timer_cycles() + rte_get_timer_hz() * IAVFC_AQ_TIMEOUT_MS / 1000;
	uint32_t v = 0;
	int ret;

	for (;;) {
		ret = iavfc_reg_read(ad, AVF_VFGEN_RSTAT, &v);
		if (ret < 0)
			return ret;
		v &= AVF_RSTAT_MASK;
		if (v == AVF_RSTAT_COMPLETED || v == AVF_RSTAT_VFACTIVE)
			return 0;
		if (rte_get_timer_cycles() > deadline)
			break;
		rte_delay_us_sleep(1000);
	}
	IAVFC_LOG(ERR, "%s: the VF reset did not complete (VFGEN_RSTAT %u)", ad->name, v);
	return -ETIMEDOUT;
}

int
iavfc_aq_init(struct iavfc_adapter *ad)
{
	static const struct {
		uint32_t h, t, len, bal, bah;
	} q[2] = {
		{AVF_VF_ATQH1, AVF_VF_ATQT1, AVF_VF_ATQLEN1, AVF_VF_ATQBAL1, AVF_VF_ATQBAH1},
		{AVF_VF_ARQH1, AVF_VF_ARQT1, AVF_VF_ARQLEN1, AVF_VF_ARQBAL1, AVF_VF_ARQBAH1},
	};
	rte_iova_t base[2] = {ad->atq_iova, ad->arq_iova};
	uint32_t i, v = 0;
	int ret;

	ad->aq_ready = false;
	ret = iavfc_wait_reset_done(ad);
	if (ret < 0)
		return ret;
	memset((void *)(uintptr_t)ad->atq, 0, IAVFC_AQ_LEN * sizeof(ad->atq[0]));
	memset((void *)(uintptr_t)ad->arq, 0, IAVFC_AQ_LEN * sizeof(ad->arq[0]));
	for (i = 0; i < IAVFC_AQ_LEN; i++)
		iavfc_arq_desc_post(ad, (uint16_t)i);
	ad->atq_next = 0;
	ad->arq_next = 0;
	rte_io_wmb();

	ad->aq_regs = true;
	for (i = 0; i < 2; i++) {
		if ((ret = iavfc_reg_write(ad, q[i].h, 0)) < 0 ||
		    (ret = iavfc_reg_write(ad, q[i].t, 0)) < 0 ||
		    (ret = iavfc_reg_write(ad, q[i].len, IAVFC_AQ_LEN | AVF_AQLEN_ENABLE)) < 0 ||
		    (ret = iavfc_reg_write(ad, q[i].bal, (uint32_t)base[i])) < 0 ||
		    (ret = iavfc_reg_write(ad, q[i].bah, (uint32_t)(base[i] >> 32))) < 0)
			return ret;
		/* The base must read back (a device that is not an AVF would not). */
		ret = iavfc_reg_read(ad, q[i].bal, &v);
		if (ret < 0)
			return ret;
		if (v != (uint32_t)base[i]) {
			IAVFC_LOG(ERR, "%s: %s base reads back 0x%08x, not 0x%08x", ad->name,
				  i == 0 ? "ATQ" : "ARQ", v, (uint32_t)base[i]);
			return -EIO;
		}
	}
	/* Give the device every receive descriptor but one. */
	ret = iavfc_reg_write(ad, AVF_VF_ARQT1, IAVFC_AQ_LEN - 1);
	if (ret == 0)
		ad->aq_ready = true;
	return ret;
}

void
iavfc_aq_shutdown(struct iavfc_adapter *ad)
{
	static const uint32_t regs[] = {
		AVF_VF_ATQLEN1, AVF_VF_ATQH1, AVF_VF_ATQT1, AVF_VF_ATQBAL1, AVF_VF_ATQBAH1,
		AVF_VF_ARQLEN1, AVF_VF_ARQH1, AVF_VF_ARQT1, AVF_VF_ARQBAL1, AVF_VF_ARQBAH1,
	};
	uint32_t i;

	ad->aq_ready = false;
	/* (Not on a device whose admin queue was never set: it may not be an AVF.) */
	for (i = 0; i < RTE_DIM(regs) && ad->aq_regs && iavfc_connected(ad); i++)
		iavfc_reg_write(ad, regs[i], 0);
	ad->aq_regs = false;
}

/* Handle a PF -> VF event message. */
static void
iavfc_handle_event(struct iavfc_adapter *ad, const uint8_t *buf, uint16_t len)
{
	struct virtchnl_pf_event ev;
	int32_t type;
	uint32_t speed;

	if (len < sizeof(ev)) {
		IAVFC_LOG(WARNING, "%s: event of %u bytes ignored", ad->name, len);
		return;
	}
	memcpy(&ev, buf, sizeof(ev));
	type = (int32_t)rte_le_to_cpu_32((uint32_t)ev.event);
	switch (type) {
	case VIRTCHNL_EVENT_LINK_CHANGE:
		speed = rte_le_to_cpu_32(ev.link_speed);
		if ((ad->caps & VIRTCHNL_VF_CAP_ADV_LINK_SPEED) == 0) {
			switch (speed) {
			case VIRTCHNL_LINK_SPEED_100MB:
				speed = RTE_ETH_SPEED_NUM_100M;
				break;
			case VIRTCHNL_LINK_SPEED_1GB:
				speed = RTE_ETH_SPEED_NUM_1G;
				break;
			case VIRTCHNL_LINK_SPEED_2_5GB:
				speed = RTE_ETH_SPEED_NUM_2_5G;
				break;
			case VIRTCHNL_LINK_SPEED_5GB:
				speed = RTE_ETH_SPEED_NUM_5G;
				break;
			case VIRTCHNL_LINK_SPEED_10GB:
				speed = RTE_ETH_SPEED_NUM_10G;
				break;
			case VIRTCHNL_LINK_SPEED_20GB:
				speed = RTE_ETH_SPEED_NUM_20G;
				break;
			case VIRTCHNL_LINK_SPEED_25GB:
				speed = RTE_ETH_SPEED_NUM_25G;
				break;
			case VIRTCHNL_LINK_SPEED_40GB:
				speed = RTE_ETH_SPEED_NUM_40G;
				break;
			default:
				speed = RTE_ETH_SPEED_NUM_UNKNOWN;
				break;
			}
		}
		ad->vf_link_up = ev.link_status != 0;
		ad->link_speed = speed;
		IAVFC_LOG(INFO, "%s: LINK_CHANGE: link %s, %u Mbps", ad->name,
			  ad->vf_link_up ? "up" : "down", speed);
		iavfc_link_refresh(ad);
		break;
	case VIRTCHNL_EVENT_RESET_IMPENDING:
	case VIRTCHNL_EVENT_PF_DRIVER_CLOSE:
		IAVFC_LOG(WARNING, "%s: the device announces %s: link down until %s", ad->name,
			  type == VIRTCHNL_EVENT_RESET_IMPENDING ? "a reset" : "its PF closing",
			  ad->reconnect_ms != 0 ? "it is reconnected" :
						  "the port is stopped and started again");
		/* Same recovery as a lost server. */
		iavfc_conn_lost(ad);
		break;
	default:
		IAVFC_LOG(DEBUG, "%s: event %d ignored", ad->name, type);
		break;
	}
}

/*
 * Clean the receive queue up to ARQH. A reply to want_op (0: none) is
 * copied to ad->msg; *found, *status and *rlen are then set.
 */
static int
iavfc_arq_clean(struct iavfc_adapter *ad, uint32_t want_op, bool *found, int32_t *status,
		uint16_t *rlen)
{
	uint32_t head = 0, n = 0;
	int ret;

	ret = iavfc_reg_read(ad, AVF_VF_ARQH1, &head);
	if (ret < 0)
		return ret;
	head &= AVF_AQ_PTR_MASK;
	if (head >= IAVFC_AQ_LEN) {
		IAVFC_LOG(ERR, "%s: ARQ head %u outside the ring of %u", ad->name, head,
			  IAVFC_AQ_LEN);
		return -EPROTO;
	}
	while (ad->arq_next != head && n < IAVFC_AQ_LEN) {
		volatile struct avf_aq_desc *d = &ad->arq[ad->arq_next];
		const uint8_t *buf = ad->arq_buf + (size_t)ad->arq_next * IAVFC_AQ_BUF_SIZE;
		uint16_t flags, opcode, dlen;
		uint32_t v_op;
		int32_t v_st;

		flags = rte_le_to_cpu_16(d->flags);
		if ((flags & AVF_AQ_FLAG_DD) == 0)
			break; /* not written back (yet) */
		rte_io_rmb();
		opcode = rte_le_to_cpu_16(d->opcode);
		dlen = RTE_MIN(rte_le_to_cpu_16(d->datalen), (uint16_t)IAVFC_AQ_BUF_SIZE);
		v_op = rte_le_to_cpu_32(d->cookie_high);
		v_st = (int32_t)rte_le_to_cpu_32(d->cookie_low);
		if (flags & AVF_AQ_FLAG_ERR) {
			IAVFC_LOG(WARNING, "%s: ARQ descriptor %u: error %u (virtchnl %s lost)",
				  ad->name, ad->arq_next, rte_le_to_cpu_16(d->retval),
				  iavfc_vc_op_name(v_op));
		} else if (opcode != AVF_AQ_OP_SEND_MSG_TO_VF) {
			IAVFC_LOG(DEBUG, "%s: ARQ opcode 0x%04x ignored", ad->name, opcode);
		} else if (v_op == VIRTCHNL_OP_EVENT) {
			iavfc_handle_event(ad, buf, dlen);
		} else if (want_op != 0 && v_op == want_op && !*found) {
			memcpy(ad->msg, buf, dlen);
			*rlen = dlen;
			*status = v_st;
			*found = true;
		} else {
			IAVFC_LOG(DEBUG, "%s: unexpected virtchnl %s (%u) reply ignored", ad->name,
				  iavfc_vc_op_name(v_op), v_op);
		}
		iavfc_arq_desc_post(ad, ad->arq_next);
		ad->arq_next = (uint16_t)((ad->arq_next + 1) % IAVFC_AQ_LEN);
		n++;
	}
	if (n == 0)
		return 0;
	rte_io_wmb();
	/* The tail is the last descriptor given back (one stays unused). */
	return iavfc_reg_write(ad, AVF_VF_ARQT1, (ad->arq_next + IAVFC_AQ_LEN - 1) % IAVFC_AQ_LEN);
}

/* Alarm: pick up events (LINK_CHANGE, ...). */
void
iavfc_arq_poll(struct iavfc_adapter *ad)
{
	bool found = false;
	int32_t st;
	uint16_t rlen;

	if (!iavfc_connected(ad) || !ad->aq_ready)
		return;
	iavfc_arq_clean(ad, 0, &found, &st, &rlen);
}

static int
iavfc_vc_status_errno(int32_t st)
{
	switch (st) {
	case VIRTCHNL_STATUS_SUCCESS:
		return 0;
	case VIRTCHNL_STATUS_ERR_NOT_SUPPORTED:
		return -ENOTSUP;
	case VIRTCHNL_STATUS_ERR_NO_MEMORY:
		return -ENOMEM;
	case VIRTCHNL_STATUS_ERR_PARAM:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/*
 * Send one virtchnl message and wait for its reply (none for RESET_VF).
 * The reply payload is in ad->msg, *rlen bytes.
 * @return 0, a negative errno for a transport failure or a timeout, or the
 *   virtchnl status as an errno.
 */
int
iavfc_vc_send(struct iavfc_adapter *ad, uint32_t op, const void *msg, uint16_t len, uint16_t *rlen)
{
	volatile struct avf_aq_desc *d;
	uint64_t deadline;
	uint16_t flags, next, dummy;
	uint32_t head = 0;
	int32_t status = 0;
	bool found = false;
	int ret;

	if (rlen == NULL)
		rlen = &dummy;
	*rlen = 0;
	if (!iavfc_connected(ad) || !ad->aq_ready)
		return -ENOTCONN;
	if (len > IAVFC_AQ_BUF_SIZE)
		return -EINVAL;

	d = &ad->atq[ad->atq_next];
	flags = AVF_AQ_FLAG_SI;
	if (len > 0) {
		memcpy(ad->atq_buf, msg, len);
		flags |= AVF_AQ_FLAG_BUF | AVF_AQ_FLAG_RD;
		if (len > 512)
			flags |= AVF_AQ_FLAG_LB;
	}
	d->flags = rte_cpu_to_le_16(flags);
	d->opcode = rte_cpu_to_le_16(AVF_AQ_OP_SEND_MSG_TO_PF);
	d->datalen = rte_cpu_to_le_16(len);
	d->retval = 0;
	d->cookie_high = rte_cpu_to_le_32(op);
	d->cookie_low = 0;
	d->param0 = 0;
	d->param1 = 0;
	d->addr_high = rte_cpu_to_le_32(len > 0 ? (uint32_t)(ad->atq_buf_iova >> 32) : 0);
	d->addr_low = rte_cpu_to_le_32(len > 0 ? (uint32_t)ad->atq_buf_iova : 0);
	rte_io_wmb();
	next = (uint16_t)((ad->atq_next + 1) % IAVFC_AQ_LEN);
	IAVFC_LOG(DEBUG, "%s: virtchnl %s (%u), %u bytes", ad->name, iavfc_vc_op_name(op), op, len);
	ret = iavfc_reg_write(ad, AVF_VF_ATQT1, next);
	if (ret < 0)
		return ret;
	ad->atq_next = next;
	if (op == VIRTCHNL_OP_RESET_VF) {
		/* The device resets its admin queue registers. */
		ad->aq_ready = false;
		return 0;
	}

	/* The device consumed the descriptor when its head reaches our tail. */
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() * IAVFC_AQ_TIMEOUT_MS / 1000;
	for (;;) {
		ret = iavfc_reg_read(ad, AVF_VF_ATQH1, &head);
		if (ret < 0)
			return ret;
		if ((head & AVF_AQ_PTR_MASK) == next)
			break;
		if (rte_get_timer_cycles() > deadline) {
			IAVFC_LOG(ERR,
				  "%s: virtchnl %s: the device did not take the command "
				  "(ATQ head %u, tail %u)",
				  ad->name, iavfc_vc_op_name(op), head, next);
			iavfc_conn_error(ad, -ETIMEDOUT, "admin queue");
			return -ETIMEDOUT;
		}
		rte_delay_us_sleep(AQ_WAIT_STEP_US);
	}
	rte_io_rmb();
	flags = rte_le_to_cpu_16(d->flags);
	if ((flags & AVF_AQ_FLAG_ERR) != 0) {
		IAVFC_LOG(ERR, "%s: virtchnl %s: admin queue error %u", ad->name,
			  iavfc_vc_op_name(op), rte_le_to_cpu_16(d->retval));
		return -EIO;
	}

	for (;;) {
		ret = iavfc_arq_clean(ad, op, &found, &status, rlen);
		if (ret < 0) {
			iavfc_conn_error(ad, ret, "admin queue");
			return ret;
		}
		if (found)
			break;
		if (!iavfc_connected(ad))
			return -ENOTCONN; /* a reset was announced meanwhile */
		if (rte_get_timer_cycles() > deadline) {
			IAVFC_LOG(ERR, "%s: virtchnl %s: no reply within %u ms", ad->name,
				  iavfc_vc_op_name(op), IAVFC_AQ_TIMEOUT_MS);
			iavfc_conn_error(ad, -ETIMEDOUT, "admin queue");
			return -ETIMEDOUT;
		}
		rte_delay_us_sleep(AQ_WAIT_STEP_US);
	}
	if (status != VIRTCHNL_STATUS_SUCCESS) {
		IAVFC_LOG(ERR, "%s: virtchnl %s: status %d", ad->name, iavfc_vc_op_name(op),
			  status);
		return iavfc_vc_status_errno(status);
	}
	return 0;
}

/* ------------------------------------------------------------ operations */

int
iavfc_vc_version(struct iavfc_adapter *ad)
{
	struct virtchnl_version_info v;
	uint16_t rlen;
	int ret;

	v.major = rte_cpu_to_le_32(VIRTCHNL_VERSION_MAJOR);
	v.minor = rte_cpu_to_le_32(VIRTCHNL_VERSION_MINOR);
	ret = iavfc_vc_send(ad, VIRTCHNL_OP_VERSION, &v, sizeof(v), &rlen);
	if (ret < 0)
		return ret;
	if (rlen < sizeof(v)) {
		IAVFC_LOG(ERR, "%s: VERSION reply of %u bytes", ad->name, rlen);
		return -EPROTO;
	}
	memcpy(&v, ad->msg, sizeof(v));
	ad->pf_ver.major = rte_le_to_cpu_32(v.major);
	ad->pf_ver.minor = rte_le_to_cpu_32(v.minor);
	if (ad->pf_ver.major != VIRTCHNL_VERSION_MAJOR) {
		IAVFC_LOG(ERR, "%s: the device speaks virtchnl %u.%u, not 1.x", ad->name,
			  ad->pf_ver.major, ad->pf_ver.minor);
		return -EPROTO;
	}
	IAVFC_LOG(INFO, "%s: virtchnl %u.%u", ad->name, ad->pf_ver.major, ad->pf_ver.minor);
	return 0;
}

static bool
iavfc_mac_ok(const uint8_t *m)
{
	return (m[0] & 0x1) == 0 && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0;
}

int
iavfc_vc_get_resources(struct iavfc_adapter *ad)
{
	const uint32_t want = VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_CAP_ADV_LINK_SPEED;
	struct virtchnl_vf_resource vfr;
	struct virtchnl_vsi_resource vsi;
	uint32_t caps = rte_cpu_to_le_32(want), i, nvsi;
	uint16_t rlen, qp;
	bool v10 = ad->pf_ver.minor == 0;
	int ret;

	ret = iavfc_vc_send(ad, VIRTCHNL_OP_GET_VF_RESOURCES, &caps, v10 ? 0 : sizeof(caps), &rlen);
	if (ret < 0)
		return ret;
	if (rlen < sizeof(vfr) + sizeof(vsi)) {
		IAVFC_LOG(ERR, "%s: GET_VF_RESOURCES reply of %u bytes", ad->name, rlen);
		return -EPROTO;
	}
	memcpy(&vfr, ad->msg, sizeof(vfr));
	nvsi = rte_le_to_cpu_16(vfr.num_vsis);
	nvsi = RTE_MIN(nvsi, (uint32_t)((rlen - sizeof(vfr)) / sizeof(vsi)));
	for (i = 0; i < nvsi; i++) {
		memcpy(&vsi, ad->msg + sizeof(vfr) + i * sizeof(vsi), sizeof(vsi));
		if ((int32_t)rte_le_to_cpu_32((uint32_t)vsi.vsi_type) == VIRTCHNL_VSI_SRIOV)
			break;
	}
	if (i == nvsi) {
		IAVFC_LOG(ERR, "%s: GET_VF_RESOURCES: no SR-IOV VSI among %u", ad->name, nvsi);
		return -EPROTO;
	}
	ad->caps = rte_le_to_cpu_32(vfr.vf_cap_flags) & want;
	if ((ad->caps & VIRTCHNL_VF_OFFLOAD_L2) == 0) {
		IAVFC_LOG(ERR, "%s: the device does not offer L2 (capabilities 0x%08x)", ad->name,
			  rte_le_to_cpu_32(vfr.vf_cap_flags));
		return -ENOTSUP;
	}
	ad->vsi_id = rte_le_to_cpu_16(vsi.vsi_id);
	qp = RTE_MIN(rte_le_to_cpu_16(vfr.num_queue_pairs), rte_le_to_cpu_16(vsi.num_queue_pairs));
	if (qp == 0) {
		IAVFC_LOG(ERR, "%s: the device offers no queue pair", ad->name);
		return -ENOTSUP;
	}
	ad->dev_qp = RTE_MIN(qp, (uint16_t)AVF_MAX_QUEUE_PAIRS);
	ad->max_vectors = rte_le_to_cpu_16(vfr.max_vectors);
	ad->max_mtu = rte_le_to_cpu_16(vfr.max_mtu);
	if (ad->max_mtu < RTE_ETHER_MIN_MTU || ad->max_mtu > AVF_MAX_FRAME - IAVFC_ETH_OVERHEAD)
		ad->max_mtu = AVF_MAX_FRAME - IAVFC_ETH_OVERHEAD;
	if (iavfc_mac_ok(vsi.default_mac_addr)) {
		memcpy(ad->dev_mac.addr_bytes, vsi.default_mac_addr, RTE_ETHER_ADDR_LEN);
	} else {
		rte_eth_random_addr(ad->dev_mac.addr_bytes);
		IAVFC_LOG(WARNING, "%s: the device has no valid MAC address: using a random one",
			  ad->name);
	}
	IAVFC_LOG(INFO,
		  "%s: VSI %u, %u queue pair(s), %u vectors, max MTU %u, caps 0x%08x, "
		  "MAC " RTE_ETHER_ADDR_PRT_FMT,
		  ad->name, ad->vsi_id, qp, ad->max_vectors, ad->max_mtu, ad->caps,
		  RTE_ETHER_ADDR_BYTES(&ad->dev_mac));
	return 0;
}

int
iavfc_vc_config_queues(struct iavfc_adapter *ad)
{
	struct rte_eth_dev_data *data = ad->eth_dev->data;
	struct virtchnl_vsi_queue_config_info hdr;
	uint8_t buf[sizeof(hdr) + AVF_MAX_QUEUE_PAIRS * sizeof(struct virtchnl_queue_pair_info)];
	uint16_t nqp = RTE_MAX(data->nb_rx_queues, data->nb_tx_queues), q;

	if (nqp == 0 || nqp > AVF_MAX_QUEUE_PAIRS)
		return -EINVAL;
	memset(buf, 0, sizeof(buf));
	hdr.vsi_id = rte_cpu_to_le_16(ad->vsi_id);
	hdr.num_queue_pairs = rte_cpu_to_le_16(nqp);
	hdr.pad = 0;
	memcpy(buf, &hdr, sizeof(hdr));
	for (q = 0; q < nqp; q++) {
		struct virtchnl_queue_pair_info p;
		const struct iavfc_txq *tq = q < data->nb_tx_queues ? data->tx_queues[q] : NULL;
		const struct iavfc_rxq *rq = q < data->nb_rx_queues ? data->rx_queues[q] : NULL;

		memset(&p, 0, sizeof(p));
		p.txq.vsi_id = rte_cpu_to_le_16(ad->vsi_id);
		p.txq.queue_id = rte_cpu_to_le_16(q);
		p.rxq.vsi_id = rte_cpu_to_le_16(ad->vsi_id);
		p.rxq.queue_id = rte_cpu_to_le_16(q);
		if (tq != NULL) {
			p.txq.ring_len = rte_cpu_to_le_16(tq->nb_desc);
			p.txq.dma_ring_addr = rte_cpu_to_le_64(tq->ring_iova);
		}
		if (rq != NULL) {
			uint32_t frame = data->mtu + IAVFC_ETH_OVERHEAD;
			uint32_t maxpkt =
				RTE_MIN(frame, (uint32_t)rq->buf_len * IAVFC_RX_MAX_CHAIN);

			maxpkt = RTE_MIN(maxpkt, (uint32_t)AVF_RX_MAX_PKT_MAX);
			maxpkt = RTE_MAX(maxpkt, (uint32_t)AVF_RX_MAX_PKT_MIN);
			p.rxq.ring_len = rte_cpu_to_le_32(rq->nb_desc);
			p.rxq.databuffer_size = rte_cpu_to_le_32(rq->buf_len);
			p.rxq.max_pkt_size = rte_cpu_to_le_32(maxpkt);
			p.rxq.dma_ring_addr = rte_cpu_to_le_64(rq->ring_iova);
		}
		memcpy(buf + sizeof(hdr) + q * sizeof(p), &p, sizeof(p));
	}
	return iavfc_vc_send(
		ad, VIRTCHNL_OP_CONFIG_VSI_QUEUES, buf,
		(uint16_t)(sizeof(hdr) + nqp * sizeof(struct virtchnl_queue_pair_info)), NULL);
}

/* Poll mode: every receive queue on vector 0, which is never armed. */
int
iavfc_vc_irq_map(struct iavfc_adapter *ad)
{
	struct rte_eth_dev_data *data = ad->eth_dev->data;
	struct virtchnl_vector_map vm;
	uint8_t buf[sizeof(uint16_t) + sizeof(vm)];
	uint16_t n = rte_cpu_to_le_16(1);

	memset(&vm, 0, sizeof(vm));
	vm.vsi_id = rte_cpu_to_le_16(ad->vsi_id);
	vm.vector_id = 0;
	vm.rxq_map = rte_cpu_to_le_16((uint16_t)((1u << data->nb_rx_queues) - 1));
	vm.txq_map = 0;
	memcpy(buf, &n, sizeof(n));
	memcpy(buf + sizeof(n), &vm, sizeof(vm));
	return iavfc_vc_send(ad, VIRTCHNL_OP_CONFIG_IRQ_MAP, buf, sizeof(buf), NULL);
}

int
iavfc_vc_queues(struct iavfc_adapter *ad, bool enable)
{
	struct rte_eth_dev_data *data = ad->eth_dev->data;
	struct virtchnl_queue_select sel;

	memset(&sel, 0, sizeof(sel));
	sel.vsi_id = rte_cpu_to_le_16(ad->vsi_id);
	sel.rx_queues = rte_cpu_to_le_32((uint32_t)((1ull << data->nb_rx_queues) - 1));
	sel.tx_queues = rte_cpu_to_le_32((uint32_t)((1ull << data->nb_tx_queues) - 1));
	return iavfc_vc_send(ad, enable ? VIRTCHNL_OP_ENABLE_QUEUES : VIRTCHNL_OP_DISABLE_QUEUES,
			     &sel, sizeof(sel), NULL);
}

int
iavfc_vc_eth_addr(struct iavfc_adapter *ad, const struct rte_ether_addr *mac, bool add)
{
	struct virtchnl_ether_addr_list hdr;
	struct virtchnl_ether_addr ea;
	uint8_t buf[sizeof(hdr) + sizeof(ea)];

	hdr.vsi_id = rte_cpu_to_le_16(ad->vsi_id);
	hdr.num_elements = rte_cpu_to_le_16(1);
	memset(&ea, 0, sizeof(ea));
	memcpy(ea.addr, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	ea.type = 1; /* primary */
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), &ea, sizeof(ea));
	return iavfc_vc_send(ad, add ? VIRTCHNL_OP_ADD_ETH_ADDR : VIRTCHNL_OP_DEL_ETH_ADDR, buf,
			     sizeof(buf), NULL);
}

int
iavfc_vc_promisc(struct iavfc_adapter *ad, uint16_t flags)
{
	struct virtchnl_promisc_info pi;

	pi.vsi_id = rte_cpu_to_le_16(ad->vsi_id);
	pi.flags = rte_cpu_to_le_16(flags);
	return iavfc_vc_send(ad, VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE, &pi, sizeof(pi), NULL);
}

int
iavfc_vc_get_stats(struct iavfc_adapter *ad, struct virtchnl_eth_stats *st)
{
	struct virtchnl_queue_select sel;
	uint64_t *v = (uint64_t *)st;
	uint16_t rlen;
	unsigned int i;
	int ret;

	memset(&sel, 0, sizeof(sel));
	sel.vsi_id = rte_cpu_to_le_16(ad->vsi_id);
	ret = iavfc_vc_send(ad, VIRTCHNL_OP_GET_STATS, &sel, sizeof(sel), &rlen);
	if (ret < 0)
		return ret;
	if (rlen < sizeof(*st)) {
		IAVFC_LOG(ERR, "%s: GET_STATS reply of %u bytes", ad->name, rlen);
		return -EPROTO;
	}
	memcpy(st, ad->msg, sizeof(*st));
	for (i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		v[i] = rte_le_to_cpu_64(v[i]);
	return 0;
}

/* RESET_VF (no reply), then wait for the reset to complete. */
int
iavfc_vc_reset(struct iavfc_adapter *ad)
{
	int ret;

	ret = iavfc_vc_send(ad, VIRTCHNL_OP_RESET_VF, NULL, 0, NULL);
	if (ret < 0)
		return ret;
	return iavfc_wait_reset_done(ad);
}
