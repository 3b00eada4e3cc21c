/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * emu_iavf: the BAR0 register file, interrupts (vector 0 and the queue
 * vectors with the AVF auto-mask semantics), the admin queue (ATQ
 * processing, ARQ posting) and the MSI-X BAR.
 *
 * Interrupt model: a vector is "armed" by a DYN_CTL write with INTENA (and
 * without INTENA_MSK). A cause fires an armed vector and disarms it (the
 * auto-mask), so the guest gets at most one interrupt per arming; a cause
 * that comes while the vector is not armed is remembered (pending) and
 * fires when it is armed again. Reading DYN_CTL returns INTENA as the armed
 * state. SWINT_TRIG fires at once. Vector 0's causes are ICR01 bits enabled
 * by ICR0_ENA1; reading ICR01 clears it.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "emu_iavf_priv.h"

#define R(dev, off) ((dev)->regs[(off) >> 2])

static inline bool
emu_iavf_in_tail_page(uint32_t off)
{
	return off < AVF_TX_TAIL_PAGE + AVF_TAIL_PAGE_SIZE ||
		(off >= AVF_RX_TAIL_PAGE && off < AVF_RX_TAIL_PAGE + AVF_TAIL_PAGE_SIZE);
}

/* ------------------------------------------------------------ interrupts */

/* Signal a vector; a vector masked in MSI-X is pending in the library. */
static int
emu_iavf_irq_fire(struct emu_iavf_dev *dev, uint32_t vector)
{
	int ret;

	/* Stopped for a migration: withheld until it runs again (part of the state). */
	if (__atomic_load_n(&dev->frozen, __ATOMIC_ACQUIRE)) {
		__atomic_fetch_or(&dev->withheld, 1u << vector, __ATOMIC_ACQ_REL);
		return 0;
	}
	ret = rte_vfio_user_irq_trigger(dev->srv, RTE_VFIO_USER_IRQ_MSIX, vector);

	if (ret == -EAGAIN)
		ret = 0;
	return ret;
}

/* Vector 0: fire when armed and an enabled cause is set. Under lock. */
void
emu_iavf_misc_irq_update(struct emu_iavf_dev *dev)
{
	uint32_t causes = dev->icr01 & R(dev, AVF_VFINT_ICR0_ENA1) &
		(AVF_ICR0_ADMINQ | AVF_ICR0_LINK_STAT_CHANGE);

	if (causes == 0 || __atomic_load_n(&dev->frozen, __ATOMIC_ACQUIRE))
		return;
	if ((__atomic_load_n(&dev->irq_state[0], __ATOMIC_RELAXED) & EMU_IAVF_IRQ_ARMED) == 0)
		return;
	__atomic_store_n(&dev->irq_state[0], 0, __ATOMIC_RELAXED);
	emu_iavf_irq_fire(dev, 0);
}

/*
 * The device runs again after a migration stop: fire the interrupts
 * withheld meanwhile and vector 0's causes. Under lock.
 */
void
emu_iavf_irq_release(struct emu_iavf_dev *dev)
{
	uint32_t w = __atomic_exchange_n(&dev->withheld, 0, __ATOMIC_ACQ_REL), v;

	for (v = 0; v < dev->nb_vectors; v++)
		if (w & (1u << v))
			emu_iavf_irq_fire(dev, v);
	emu_iavf_misc_irq_update(dev);
}

/* A queue vector (>= 1): arm it, firing at once when a cause is pending. */
static void
emu_iavf_irq_arm(struct emu_iavf_dev *dev, uint32_t vector)
{
	uint32_t *st = &dev->irq_state[vector];
	uint32_t old = __atomic_load_n(st, __ATOMIC_RELAXED), nv;

	do {
		nv = (old & EMU_IAVF_IRQ_PENDING) ? 0 : EMU_IAVF_IRQ_ARMED;
	} while (!__atomic_compare_exchange_n(st, &old, nv, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	if (old & EMU_IAVF_IRQ_PENDING)
		emu_iavf_irq_fire(dev, vector);
}

static void
emu_iavf_irq_disarm(struct emu_iavf_dev *dev, uint32_t vector)
{
	__atomic_fetch_and(&dev->irq_state[vector], ~EMU_IAVF_IRQ_ARMED, __ATOMIC_ACQ_REL);
}

/* The consumer's trigger: lock-free, for data-path lcores. */
int
emu_iavf_queue_irq_trigger(struct emu_iavf_dev *dev, uint32_t vector)
{
	uint32_t *st, old, nv;

	if (vector >= dev->nb_vectors)
		return -EINVAL;
	/* Vector 0 is the admin queue's: the data path never raises it. */
	if (vector == 0)
		return -EAGAIN;
	st = &dev->irq_state[vector];
	old = __atomic_load_n(st, __ATOMIC_RELAXED);
	do {
		nv = (old & EMU_IAVF_IRQ_ARMED) ? 0 : (old | EMU_IAVF_IRQ_PENDING);
		if (nv == old)
			break;
	} while (!__atomic_compare_exchange_n(st, &old, nv, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	if ((old & EMU_IAVF_IRQ_ARMED) == 0)
		return -EAGAIN;
	return emu_iavf_irq_fire(dev, vector);
}

/* DYN_CTL01 (vector 0) or DYN_CTLN1(vector - 1). Under lock. */
static void
emu_iavf_dynctl_write(struct emu_iavf_dev *dev, uint32_t vector, uint32_t off, uint32_t val)
{
	R(dev, off) = val &
		(AVF_DYN_CTL_ITR_INDX_MASK | AVF_DYN_CTL_INTERVAL_MASK |
		 AVF_DYN_CTL_SW_ITR_INDX_ENA | AVF_DYN_CTL_SW_ITR_INDX_MASK |
		 AVF_DYN_CTL_WB_ON_ITR);
	if (val & AVF_DYN_CTL_SWINT_TRIG) {
		/* A software interrupt fires now and consumes the arming. */
		__atomic_store_n(&dev->irq_state[vector], 0, __ATOMIC_RELEASE);
		emu_iavf_irq_fire(dev, vector);
		return;
	}
	if (val & AVF_DYN_CTL_INTENA_MSK)
		return;
	/* CLEARPBA: a cause that came while disarmed is forgotten. */
	if (vector != 0 && (val & AVF_DYN_CTL_CLEARPBA))
		__atomic_fetch_and(&dev->irq_state[vector], ~EMU_IAVF_IRQ_PENDING,
				   __ATOMIC_ACQ_REL);
	if (vector == 0) {
		__atomic_store_n(&dev->irq_state[0],
				 (val & AVF_DYN_CTL_INTENA) ? EMU_IAVF_IRQ_ARMED : 0,
				 __ATOMIC_RELAXED);
		emu_iavf_misc_irq_update(dev);
	} else if (val & AVF_DYN_CTL_INTENA) {
		emu_iavf_irq_arm(dev, vector);
	} else {
		emu_iavf_irq_disarm(dev, vector);
	}
}

static uint32_t
emu_iavf_dynctl_read(struct emu_iavf_dev *dev, uint32_t vector, uint32_t off)
{
	uint32_t v = R(dev, off) & ~AVF_DYN_CTL_INTENA;

	if (__atomic_load_n(&dev->irq_state[vector], __ATOMIC_RELAXED) & EMU_IAVF_IRQ_ARMED)
		v |= AVF_DYN_CTL_INTENA;
	return v;
}

/* Vector of a DYN_CTLN1 offset, or 0 when off is not one of ours. */
static uint32_t
emu_iavf_dynctln_vector(const struct emu_iavf_dev *dev, uint32_t off)
{
	uint32_t v;

	if (off < AVF_VFINT_DYN_CTLN1(0) || off >= AVF_VFINT_DYN_CTLN1(AVF_MAX_VECTORS - 1))
		return 0;
	v = (off - AVF_VFINT_DYN_CTLN1(0)) / 4 + 1;
	return v < dev->nb_vectors ? v : 0;
}

/* ------------------------------------------------------------ admin queue */

static inline uint64_t
emu_iavf_aq_base(const struct emu_iavf_dev *dev, uint32_t bal, uint32_t bah)
{
	return (uint64_t)R(dev, bah) << 32 | R(dev, bal);
}

/*
 * Post one message on the ARQ. Under lock.
 * @return 0 when consumed (posted, or dropped on a bad buffer), -EAGAIN when
 *   it must wait (no free descriptor, queue disabled, memory changing).
 */
static int
emu_iavf_arq_post(struct emu_iavf_dev *dev, const struct emu_iavf_msg *m)
{
	uint32_t lenreg = R(dev, AVF_VF_ARQLEN1), len, h, t;
	struct avf_aq_desc d;
	uint16_t flags, out_flags, retval = AVF_AQ_RC_OK, datalen = m->len;
	uint64_t daddr, baddr;

	if (dev->dma_changing || dev->frozen || (lenreg & AVF_AQLEN_ENABLE) == 0)
		return -EAGAIN;
	len = lenreg & AVF_AQLEN_LEN_MASK;
	h = R(dev, AVF_VF_ARQH1);
	t = R(dev, AVF_VF_ARQT1);
	if (len == 0 || h >= len || t >= len) {
		if ((lenreg & AVF_AQLEN_CRIT) == 0)
			EMU_IAVF_LOG(WARNING, "%s: ARQ: bad length %u, head %u or tail %u",
				     dev->name, len, h, t);
		R(dev, AVF_VF_ARQLEN1) |= AVF_AQLEN_CRIT;
		return -EAGAIN;
	}
	if (h == t)
		return -EAGAIN; /* full: the guest gives descriptors back by ARQT */
	daddr = emu_iavf_aq_base(dev, AVF_VF_ARQBAL1, AVF_VF_ARQBAH1) + (uint64_t)h * sizeof(d);
	if (rte_vfio_user_dma_read(dev->srv, daddr, &d, sizeof(d)) < 0) {
		EMU_IAVF_LOG(WARNING, "%s: ARQ: descriptor %u at 0x%" PRIx64 " not mapped",
			     dev->name, h, daddr);
		R(dev, AVF_VF_ARQLEN1) |= AVF_AQLEN_CRIT;
		return -EAGAIN;
	}
	flags = rte_le_to_cpu_16(d.flags);
	out_flags = AVF_AQ_FLAG_DD | AVF_AQ_FLAG_CMP | (flags & (AVF_AQ_FLAG_BUF | AVF_AQ_FLAG_LB));
	if (m->len > 0) {
		baddr = (uint64_t)rte_le_to_cpu_32(d.addr_high) << 32 |
			rte_le_to_cpu_32(d.addr_low);
		if ((flags & AVF_AQ_FLAG_BUF) == 0 || m->len > rte_le_to_cpu_16(d.datalen) ||
		    rte_vfio_user_dma_write(dev->srv, baddr, m->data, m->len) < 0) {
			EMU_IAVF_LOG(WARNING,
				     "%s: ARQ: descriptor %u has no usable buffer for %u bytes: "
				     "virtchnl op %u lost",
				     dev->name, h, m->len, m->op);
			out_flags |= AVF_AQ_FLAG_ERR;
			retval = AVF_AQ_RC_EFAULT;
			datalen = 0;
		}
	}
	d.flags = rte_cpu_to_le_16(out_flags);
	d.opcode = rte_cpu_to_le_16(AVF_AQ_OP_SEND_MSG_TO_VF);
	d.datalen = rte_cpu_to_le_16(datalen);
	d.retval = rte_cpu_to_le_16(retval);
	d.cookie_high = rte_cpu_to_le_32(m->op);
	d.cookie_low = rte_cpu_to_le_32((uint32_t)m->status);
	d.param0 = 0;
	d.param1 = 0;
	if (rte_vfio_user_dma_write(dev->srv, daddr, &d, sizeof(d)) < 0) {
		EMU_IAVF_LOG(WARNING, "%s: ARQ: descriptor %u not writable: virtchnl op %u lost",
			     dev->name, h, m->op);
		R(dev, AVF_VF_ARQLEN1) |= AVF_AQLEN_CRIT;
		return 0;
	}
	R(dev, AVF_VF_ARQH1) = (h + 1) % len;
	dev->icr01 |= AVF_ICR0_ADMINQ;
	emu_iavf_misc_irq_update(dev);
	return 0;
}

/* Post what waits in the backlog. Under lock. */
void
emu_iavf_arq_flush(struct emu_iavf_dev *dev)
{
	while (dev->bl_count > 0) {
		if (emu_iavf_arq_post(dev, &dev->backlog[dev->bl_head]) == -EAGAIN)
			break;
		dev->bl_head = (dev->bl_head + 1) % EMU_IAVF_BACKLOG;
		dev->bl_count--;
	}
}

/* Queue a PF -> VF message and try to post it. Under lock. */
void
emu_iavf_msg_queue(struct emu_iavf_dev *dev, uint32_t op, int32_t status, const void *data,
		   uint16_t len)
{
	struct emu_iavf_msg *m;

	if (len > EMU_IAVF_MSG_MAX) {
		EMU_IAVF_LOG(ERR, "%s: virtchnl op %u: reply of %u bytes too long", dev->name, op,
			     len);
		len = 0;
		status = VIRTCHNL_STATUS_ERR_NO_MEMORY;
	}
	if (dev->bl_count == EMU_IAVF_BACKLOG) {
		EMU_IAVF_LOG(WARNING, "%s: ARQ overflow: virtchnl op %u dropped", dev->name, op);
		if (R(dev, AVF_VF_ARQLEN1) & AVF_AQLEN_ENABLE)
			R(dev, AVF_VF_ARQLEN1) |= AVF_AQLEN_OVFL;
		return;
	}
	m = &dev->backlog[(dev->bl_head + dev->bl_count) % EMU_IAVF_BACKLOG];
	m->op = op;
	m->status = status;
	m->len = len;
	if (len > 0)
		memcpy(m->data, data, len);
	dev->bl_count++;
	emu_iavf_arq_flush(dev);
}

/* Legacy (enum) link speed of a speed in Mbps. */
static uint32_t
emu_iavf_legacy_speed(uint32_t mbps)
{
	if (mbps >= 40000)
		return VIRTCHNL_LINK_SPEED_40GB;
	if (mbps >= 25000)
		return VIRTCHNL_LINK_SPEED_25GB;
	if (mbps >= 20000)
		return VIRTCHNL_LINK_SPEED_20GB;
	if (mbps >= 10000)
		return VIRTCHNL_LINK_SPEED_10GB;
	if (mbps >= 5000)
		return VIRTCHNL_LINK_SPEED_5GB;
	if (mbps >= 2500)
		return VIRTCHNL_LINK_SPEED_2_5GB;
	if (mbps >= 1000)
		return VIRTCHNL_LINK_SPEED_1GB;
	if (mbps >= 100)
		return VIRTCHNL_LINK_SPEED_100MB;
	return VIRTCHNL_LINK_SPEED_UNKNOWN;
}

/* The driver is to be told of the link again (see emu_iavf_dev::link_told). Under lock. */
void
emu_iavf_link_forget(struct emu_iavf_dev *dev)
{
	dev->link_told = false;
	dev->told_up = 0;
	dev->told_speed = 0;
}

/*
 * Tell the driver of the current link with a LINK_CHANGE event, unless it
 * was told of this very link already: one event per change. One that still
 * waits in the backlog is updated instead of queueing another. Under lock.
 */
void
emu_iavf_link_event_queue(struct emu_iavf_dev *dev)
{
	struct virtchnl_pf_event ev;
	uint8_t up = dev->link_up ? 1 : 0;
	uint32_t speed, i;

	if (dev->caps & VIRTCHNL_VF_CAP_ADV_LINK_SPEED)
		speed = up ? dev->link_speed : 0;
	else
		speed = emu_iavf_legacy_speed(dev->link_speed);
	if (dev->link_told && dev->told_up == up && dev->told_speed == speed)
		return;
	dev->link_told = true;
	dev->told_up = up;
	dev->told_speed = speed;

	memset(&ev, 0, sizeof(ev));
	ev.event = (int32_t)rte_cpu_to_le_32(VIRTCHNL_EVENT_LINK_CHANGE);
	ev.link_speed = rte_cpu_to_le_32(speed);
	ev.link_status = up;
	ev.severity = VIRTCHNL_PF_EVENT_SEVERITY_INFO;

	for (i = 0; i < dev->bl_count; i++) {
		struct emu_iavf_msg *m = &dev->backlog[(dev->bl_head + i) % EMU_IAVF_BACKLOG];
		int32_t type;

		if (m->op != VIRTCHNL_OP_EVENT || m->len != sizeof(ev))
			continue;
		memcpy(&type, m->data, sizeof(type));
		if ((int32_t)rte_le_to_cpu_32((uint32_t)type) != VIRTCHNL_EVENT_LINK_CHANGE)
			continue;
		memcpy(m->data, &ev, sizeof(ev));
		emu_iavf_arq_flush(dev);
		return;
	}
	EMU_IAVF_LOG(DEBUG, "%s: LINK_CHANGE: %s, %u Mbps", dev->name, up ? "up" : "down",
		     dev->link_speed);
	emu_iavf_msg_queue(dev, VIRTCHNL_OP_EVENT, VIRTCHNL_STATUS_SUCCESS, &ev, sizeof(ev));
}

/*
 * Process the ATQ from ATQH to ATQT, one descriptor (one virtchnl
 * operation) at a time; nothing while the device is stopped for a
 * migration (emu_iavf_mig.c processes what came at resume). Control
 * thread; called without lock.
 */
void
emu_iavf_atq_process(struct emu_iavf_dev *dev)
{
	uint32_t budget = AVF_AQ_RING_MAX + 1;

	while (budget-- > 0) {
		struct emu_iavf_vc_result res;
		struct rte_emudev_stats stats;
		struct avf_aq_desc d;
		uint32_t lenreg, len, h, t, v_op = 0, msglen = 0;
		uint16_t flags, opcode, datalen, retval = AVF_AQ_RC_OK;
		uint16_t out_flags = AVF_AQ_FLAG_DD | AVF_AQ_FLAG_CMP;
		bool have_msg = false, bad_buf = false;
		uint64_t daddr;

		pthread_mutex_lock(&dev->lock);
		lenreg = R(dev, AVF_VF_ATQLEN1);
		len = lenreg & AVF_AQLEN_LEN_MASK;
		h = R(dev, AVF_VF_ATQH1);
		t = R(dev, AVF_VF_ATQT1);
		if ((lenreg & AVF_AQLEN_ENABLE) == 0 || h == t || (lenreg & AVF_AQLEN_CRIT) != 0 ||
		    dev->frozen) {
			pthread_mutex_unlock(&dev->lock);
			return;
		}
		if (len == 0 || h >= len || t >= len) {
			EMU_IAVF_LOG(WARNING, "%s: ATQ: bad length %u, head %u or tail %u",
				     dev->name, len, h, t);
			R(dev, AVF_VF_ATQLEN1) |= AVF_AQLEN_CRIT;
			pthread_mutex_unlock(&dev->lock);
			return;
		}
		daddr = emu_iavf_aq_base(dev, AVF_VF_ATQBAL1, AVF_VF_ATQBAH1) +
			(uint64_t)h * sizeof(d);
		if (rte_vfio_user_dma_read(dev->srv, daddr, &d, sizeof(d)) < 0) {
			EMU_IAVF_LOG(WARNING, "%s: ATQ: descriptor %u at 0x%" PRIx64 " not mapped",
				     dev->name, h, daddr);
			R(dev, AVF_VF_ATQLEN1) |= AVF_AQLEN_CRIT;
			pthread_mutex_unlock(&dev->lock);
			return;
		}
		flags = rte_le_to_cpu_16(d.flags);
		opcode = rte_le_to_cpu_16(d.opcode);
		datalen = rte_le_to_cpu_16(d.datalen);
		if (opcode == AVF_AQ_OP_SEND_MSG_TO_PF) {
			have_msg = true;
			v_op = rte_le_to_cpu_32(d.cookie_high);
			if (datalen > 0) {
				uint64_t baddr = (uint64_t)rte_le_to_cpu_32(d.addr_high) << 32 |
					rte_le_to_cpu_32(d.addr_low);

				if ((flags & AVF_AQ_FLAG_BUF) == 0 || datalen > AVF_AQ_BUF_MAX) {
					bad_buf = true;
					retval = AVF_AQ_RC_EINVAL;
				} else if (rte_vfio_user_dma_read(dev->srv, baddr, dev->aq_buf,
								  datalen) < 0) {
					bad_buf = true;
					retval = AVF_AQ_RC_EFAULT;
				}
				if (bad_buf) {
					EMU_IAVF_LOG(WARNING,
						     "%s: ATQ: descriptor %u: bad buffer "
						     "(flags 0x%x, %u bytes at 0x%" PRIx64 ")",
						     dev->name, h, flags, datalen, baddr);
					out_flags |= AVF_AQ_FLAG_ERR;
				} else {
					msglen = datalen;
				}
			}
		} else if (opcode != AVF_AQ_OP_QUEUE_SHUTDOWN) {
			EMU_IAVF_LOG(DEBUG, "%s: ATQ: opcode 0x%04x not supported", dev->name,
				     opcode);
			out_flags |= AVF_AQ_FLAG_ERR;
			retval = AVF_AQ_RC_ENOSYS;
		}
		pthread_mutex_unlock(&dev->lock);

		/* The consumer's counters, asked for without our lock. */
		memset(&stats, 0, sizeof(stats));
		if (have_msg && !bad_buf && v_op == VIRTCHNL_OP_GET_STATS)
			emu_iavf_stats_fetch(dev, &stats);

		memset(&res, 0, sizeof(res));
		pthread_mutex_lock(&dev->lock);
		if (have_msg) {
			if (bad_buf) {
				res.reply = true;
				res.status = VIRTCHNL_STATUS_ERR_PARAM;
			} else {
				emu_iavf_vc_handle(dev, v_op, dev->aq_buf, msglen, &stats, &res);
			}
		}
		d.flags = rte_cpu_to_le_16(flags | out_flags);
		d.retval = rte_cpu_to_le_16(retval);
		/* Write back flags, opcode, datalen and retval. */
		if (rte_vfio_user_dma_write(dev->srv, daddr, &d, 8) < 0) {
			EMU_IAVF_LOG(WARNING, "%s: ATQ: descriptor %u not writable", dev->name, h);
			R(dev, AVF_VF_ATQLEN1) |= AVF_AQLEN_CRIT;
		}
		R(dev, AVF_VF_ATQH1) = (h + 1) % len;
		pthread_mutex_unlock(&dev->lock);

		/* QUEUE_DISABLED and the like reach the consumer before the reply. */
		emu_iavf_events_raise(dev);

		pthread_mutex_lock(&dev->lock);
		if (res.zero_tx_tails != 0 || res.zero_rx_tails != 0)
			emu_iavf_zero_tails(dev, res.zero_tx_tails, res.zero_rx_tails);
		if (res.reply)
			emu_iavf_msg_queue(dev, v_op, res.status, res.data, res.len);
		if (res.link_event)
			emu_iavf_link_event_queue(dev);
		pthread_mutex_unlock(&dev->lock);

		if (res.reset) {
			emu_iavf_reset(dev, EMU_IAVF_RESET_VF);
			return;
		}
	}
}

/* ------------------------------------------------------------------ BAR0 */

/* Clear the queues' tails (the data path no longer uses them). Under lock. */
void
emu_iavf_zero_tails(struct emu_iavf_dev *dev, uint32_t tx_mask, uint32_t rx_mask)
{
	uint32_t q;

	for (q = 0; q < AVF_MAX_QUEUE_PAIRS; q++) {
		if (tx_mask & (1u << q))
			__atomic_store_n(emu_iavf_tail_ptr(dev, AVF_QTX_TAIL1(q)), 0,
					 __ATOMIC_RELEASE);
		if (rx_mask & (1u << q))
			__atomic_store_n(emu_iavf_tail_ptr(dev, AVF_QRX_TAIL1(q)), 0,
					 __ATOMIC_RELEASE);
	}
}

/* Registers to their reset values (tails excepted). Under lock. */
void
emu_iavf_regs_reset(struct emu_iavf_dev *dev)
{
	uint32_t v;

	memset(dev->regs, 0, sizeof(dev->regs));
	dev->icr01 = 0;
	for (v = 0; v < AVF_MAX_VECTORS; v++)
		__atomic_store_n(&dev->irq_state[v], 0, __ATOMIC_RELEASE);
	__atomic_store_n(&dev->withheld, 0, __ATOMIC_RELEASE);
	dev->bl_head = 0;
	dev->bl_count = 0;
	emu_iavf_link_forget(dev);
}

/* A register's value without the side effects of a read. Under lock. */
static uint32_t
emu_iavf_reg_peek(struct emu_iavf_dev *dev, uint32_t off)
{
	uint32_t v;

	if (emu_iavf_in_tail_page(off))
		return __atomic_load_n(emu_iavf_tail_ptr(dev, off), __ATOMIC_ACQUIRE);
	switch (off) {
	case AVF_VFINT_ICR01:
		return dev->icr01;
	case AVF_VFGEN_RSTAT:
		return dev->rstat;
	case AVF_VFINT_DYN_CTL01:
		return emu_iavf_dynctl_read(dev, 0, off);
	default:
		v = emu_iavf_dynctln_vector(dev, off);
		if (v != 0)
			return emu_iavf_dynctl_read(dev, v, off);
		return R(dev, off);
	}
}

static uint32_t
emu_iavf_reg_read(struct emu_iavf_dev *dev, uint32_t off)
{
	uint32_t v;

	if (off == AVF_VFINT_ICR01) {
		/* Read-to-clear. */
		v = dev->icr01;
		dev->icr01 = 0;
		return v;
	}
	return emu_iavf_reg_peek(dev, off);
}

/* Write one register; *atq is set when the ATQ has work. Under lock. */
static void
emu_iavf_reg_write(struct emu_iavf_dev *dev, uint32_t off, uint32_t val, bool *atq)
{
	uint32_t v;

	if (emu_iavf_in_tail_page(off)) {
		__atomic_store_n(emu_iavf_tail_ptr(dev, off), val, __ATOMIC_RELEASE);
		return;
	}
	switch (off) {
	case AVF_VFINT_ICR01:
	case AVF_VFGEN_RSTAT:
		return; /* read-only */
	case AVF_VFINT_ICR0_ENA1:
		R(dev, off) = val;
		emu_iavf_misc_irq_update(dev);
		return;
	case AVF_VFINT_DYN_CTL01:
		emu_iavf_dynctl_write(dev, 0, off, val);
		return;
	case AVF_VF_ATQH1:
	case AVF_VF_ARQH1:
		R(dev, off) = val & AVF_AQ_PTR_MASK;
		break;
	case AVF_VF_ATQT1:
		R(dev, off) = val & AVF_AQ_PTR_MASK;
		*atq = true;
		return;
	case AVF_VF_ARQT1:
		R(dev, off) = val & AVF_AQ_PTR_MASK;
		break;
	case AVF_VF_ARQLEN1:
		/*
		 * Disabling the ARQ drops the replies that wait for room: a
		 * new queue must not receive answers meant for the old one.
		 */
		if ((R(dev, off) & AVF_AQLEN_ENABLE) && !(val & AVF_AQLEN_ENABLE)) {
			dev->bl_count = 0;
			emu_iavf_link_forget(dev); /* a LINK_CHANGE may be lost */
		}
		/* fall through */
	case AVF_VF_ATQLEN1:
		R(dev, off) = val & (AVF_AQLEN_LEN_MASK | AVF_AQLEN_ERR_MASK | AVF_AQLEN_ENABLE);
		break;
	default:
		v = emu_iavf_dynctln_vector(dev, off);
		if (v != 0)
			emu_iavf_dynctl_write(dev, v, off, val);
		else
			R(dev, off) = val;
		return;
	}
	/* An ARQ (or ATQ head/length) register changed: post what waits. */
	emu_iavf_arq_flush(dev);
}

int
emu_iavf_bar0_access(void *arg, uint64_t offset, void *buf, uint32_t count, bool write)
{
	struct emu_iavf_dev *dev = arg;
	uint8_t *b = buf;
	bool atq = false;

	if (offset >= AVF_BAR0_SIZE || count > AVF_BAR0_SIZE - offset)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	while (count > 0) {
		uint32_t off = (uint32_t)offset & ~3u, shift = (uint32_t)offset & 3u;
		uint32_t n = RTE_MIN(4u - shift, count), v;
		uint8_t w[4];

		if (write) {
			if (n != 4) {
				v = rte_cpu_to_le_32(emu_iavf_reg_peek(dev, off));
				memcpy(w, &v, 4);
			}
			memcpy(w + shift, b, n);
			memcpy(&v, w, 4);
			emu_iavf_reg_write(dev, off, rte_le_to_cpu_32(v), &atq);
		} else {
			v = rte_cpu_to_le_32(emu_iavf_reg_read(dev, off));
			memcpy(w, &v, 4);
			memcpy(b, w + shift, n);
		}
		offset += n;
		b += n;
		count -= n;
	}
	pthread_mutex_unlock(&dev->lock);
	if (atq)
		emu_iavf_atq_process(dev);
	return 0;
}

/* ------------------------------------------------------------------ BAR3 */

/* Every MSI-X table entry masked, everything else 0. Under lock. */
void
emu_iavf_msix_reset(struct emu_iavf_dev *dev)
{
	uint32_t v;

	memset(dev->msix, 0, sizeof(dev->msix));
	for (v = 0; v < dev->nb_vectors; v++)
		dev->msix[AVF_MSIX_TABLE_OFF + v * 16 + 12] = 0x1;
}

/*
 * The MSI-X table and PBA as the client wrote them (QEMU emulates the
 * table itself; masks reach the library through SET_IRQS).
 */
int
emu_iavf_bar3_access(void *arg, uint64_t offset, void *buf, uint32_t count, bool write)
{
	struct emu_iavf_dev *dev = arg;

	if (offset >= AVF_MSIX_BAR_SIZE || count > AVF_MSIX_BAR_SIZE - offset)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	if (write) {
		if (offset < AVF_MSIX_PBA_OFF)
			memcpy(dev->msix + offset, buf,
			       RTE_MIN((uint64_t)count, AVF_MSIX_PBA_OFF - offset));
	} else {
		memcpy(buf, dev->msix + offset, count);
	}
	pthread_mutex_unlock(&dev->lock);
	return 0;
}
