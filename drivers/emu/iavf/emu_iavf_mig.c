/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * emu_iavf: migration (the device side of vfio-user migration, VFIO v2
 * state machine run by lib/vfio_user) and the emudev provider's part of it
 * (QUIESCE/RESUME, queue heads, dirty logging).
 *
 * Stopping (RUNNING->STOP, PRE_COPY->STOP_COPY): the model freezes (no
 * ARQ write, no interrupt, no ATQ processing: what comes meanwhile waits
 * and is part of the state), then raises RTE_EMUDEV_EVENT_QUIESCE:
 * the consumer stops its queues and reports their heads.
 * Running again (STOP->RUNNING): after a load, the consumer is told the
 * whole new state (RESET, DEVICE_READY when the driver was ready,
 * NET_RX_CONF_CHANGED, QUEUE_ENABLED per enabled queue), then RESUME;
 * then the model thaws and delivers what waited: ARQ messages, withheld
 * interrupts, a link change the driver was not told of, ATQ descriptors.
 * Dirty logging: the client's DMA_LOGGING_START/STOP become
 * RTE_EMUDEV_EVENT_DIRTY_LOG for the consumer; the model's own writes to
 * guest memory go through rte_vfio_user_dma_write(), which marks them.
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "emu_iavf_priv.h"
#include "emu_iavf_state.h"

static void
emu_iavf_event_push_type(struct emu_iavf_dev *dev, enum rte_emudev_event_type type)
{
	struct rte_emudev_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	emu_iavf_event_push(dev, &ev);
}

/* Stop: freeze, then make the consumer stop. Control thread. */
static void
emu_iavf_mig_quiesce(struct emu_iavf_dev *dev)
{
	pthread_mutex_lock(&dev->lock);
	__atomic_store_n(&dev->frozen, true, __ATOMIC_RELEASE);
	emu_iavf_event_push_type(dev, RTE_EMUDEV_EVENT_QUIESCE);
	pthread_mutex_unlock(&dev->lock);
	emu_iavf_events_raise(dev);
	EMU_IAVF_LOG(INFO, "%s: stopped for migration", dev->name);
}

/* Thaw and deliver what waited. Control thread, no lock. */
static void
emu_iavf_mig_thaw(struct emu_iavf_dev *dev)
{
	pthread_mutex_lock(&dev->lock);
	__atomic_store_n(&dev->frozen, false, __ATOMIC_RELEASE);
	emu_iavf_irq_release(dev);
	/* The device's link (this process's consumer's) if the driver was told another. */
	if (dev->link_told)
		emu_iavf_link_event_queue(dev);
	emu_iavf_arq_flush(dev);
	pthread_mutex_unlock(&dev->lock);
	/* Descriptors the guest posted while the device was stopped. */
	emu_iavf_atq_process(dev);
}

/* Run again: tell the consumer (the whole state after a load), then thaw. */
static void
emu_iavf_mig_resume(struct emu_iavf_dev *dev)
{
	bool loaded;
	uint32_t q;

	pthread_mutex_lock(&dev->lock);
	loaded = dev->mig_loaded;
	dev->mig_loaded = false;
	if (loaded) {
		struct rte_emudev_event ev;

		emu_iavf_event_push_type(dev, RTE_EMUDEV_EVENT_RESET);
		if (dev->ready)
			emu_iavf_event_push_type(dev, RTE_EMUDEV_EVENT_DEVICE_READY);
		emu_iavf_event_push_type(dev, RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED);
		memset(&ev, 0, sizeof(ev));
		ev.type = RTE_EMUDEV_EVENT_QUEUE_ENABLED;
		for (q = 0; q < AVF_MAX_QUEUE_PAIRS; q++) {
			if (!dev->txq[q].enabled)
				continue;
			ev.queue.dir = RTE_EMUDEV_QUEUE_GUEST_TX;
			ev.queue.qid = (uint16_t)q;
			emu_iavf_event_push(dev, &ev);
		}
		for (q = 0; q < AVF_MAX_QUEUE_PAIRS; q++) {
			if (!dev->rxq[q].enabled)
				continue;
			ev.queue.dir = RTE_EMUDEV_QUEUE_GUEST_RX;
			ev.queue.qid = (uint16_t)q;
			emu_iavf_event_push(dev, &ev);
		}
	}
	emu_iavf_event_push_type(dev, RTE_EMUDEV_EVENT_RESUME);
	pthread_mutex_unlock(&dev->lock);
	emu_iavf_events_raise(dev);
	emu_iavf_mig_thaw(dev);
	EMU_IAVF_LOG(INFO, "%s: running again%s", dev->name, loaded ? " with a loaded state" : "");
}

/*
 * After a reset that takes the device back to RUNNING (the client's
 * DEVICE_RESET, its departure) while it was stopped for a migration: the
 * consumer, quiesced, has recorded the RESET; it resumes.
 * Control thread, no lock.
 */
void
emu_iavf_mig_thaw_after_reset(struct emu_iavf_dev *dev)
{
	bool frozen;

	pthread_mutex_lock(&dev->lock);
	frozen = dev->frozen;
	pthread_mutex_unlock(&dev->lock);
	if (!frozen)
		return;
	emu_iavf_event_raise1(dev, RTE_EMUDEV_EVENT_RESUME);
	emu_iavf_mig_thaw(dev);
	EMU_IAVF_LOG(INFO, "%s: migration abandoned by a reset: running", dev->name);
}

int
emu_iavf_mig_state_change(void *arg, enum rte_vfio_user_mig_state from,
			  enum rte_vfio_user_mig_state to)
{
	struct emu_iavf_dev *dev = arg;

	EMU_IAVF_LOG(DEBUG, "%s: migration state %s -> %s", dev->name,
		     rte_vfio_user_mig_state_name(from), rte_vfio_user_mig_state_name(to));
	switch (from) {
	case RTE_VFIO_USER_MIG_STATE_RUNNING:
		if (to == RTE_VFIO_USER_MIG_STATE_STOP) {
			emu_iavf_mig_quiesce(dev);
			return 0;
		}
		if (to == RTE_VFIO_USER_MIG_STATE_PRE_COPY)
			return 0;
		break;
	case RTE_VFIO_USER_MIG_STATE_PRE_COPY:
		if (to == RTE_VFIO_USER_MIG_STATE_STOP_COPY) {
			emu_iavf_mig_quiesce(dev);
			return 0;
		}
		if (to == RTE_VFIO_USER_MIG_STATE_RUNNING)
			return 0;
		break;
	case RTE_VFIO_USER_MIG_STATE_STOP:
		if (to == RTE_VFIO_USER_MIG_STATE_RUNNING) {
			emu_iavf_mig_resume(dev);
			return 0;
		}
		if (to == RTE_VFIO_USER_MIG_STATE_STOP_COPY ||
		    to == RTE_VFIO_USER_MIG_STATE_RESUMING)
			return 0;
		break;
	case RTE_VFIO_USER_MIG_STATE_STOP_COPY:
	case RTE_VFIO_USER_MIG_STATE_RESUMING:
		if (to == RTE_VFIO_USER_MIG_STATE_STOP)
			return 0;
		break;
	case RTE_VFIO_USER_MIG_STATE_ERROR:
		break;
	}
	EMU_IAVF_LOG(ERR, "%s: migration arc %s -> %s is not one of the state graph", dev->name,
		     rte_vfio_user_mig_state_name(from), rte_vfio_user_mig_state_name(to));
	return -EINVAL;
}

static size_t
emu_iavf_mig_state_size(void *arg)
{
	struct emu_iavf_dev *dev = arg;

	return emu_iavf_state_size(dev);
}

static ssize_t
emu_iavf_mig_save(void *arg, void *buf, size_t len)
{
	struct emu_iavf_dev *dev = arg;
	ssize_t ret;

	pthread_mutex_lock(&dev->lock);
	ret = emu_iavf_state_save(dev, buf, len);
	pthread_mutex_unlock(&dev->lock);
	if (ret < 0)
		EMU_IAVF_LOG(ERR, "%s: saving the migration state: %s", dev->name,
			     strerror((int)-ret));
	else
		EMU_IAVF_LOG(INFO, "%s: migration state saved: %zd bytes", dev->name, ret);
	return ret;
}

static int
emu_iavf_mig_load(void *arg, const void *buf, size_t len)
{
	struct emu_iavf_dev *dev = arg;
	bool frozen;

	pthread_mutex_lock(&dev->lock);
	frozen = dev->frozen;
	pthread_mutex_unlock(&dev->lock);
	/* The consumer must be quiesced (RUNNING->STOP came before RESUMING). */
	if (!frozen) {
		EMU_IAVF_LOG(ERR, "%s: migration state load on a running device", dev->name);
		return -EBUSY;
	}
	return emu_iavf_state_load(dev, buf, len);
}

const struct rte_vfio_user_mig_ops emu_iavf_mig_ops = {
	.flags = RTE_VFIO_USER_MIG_F_STOP_COPY | RTE_VFIO_USER_MIG_F_PRE_COPY,
	.state_change = emu_iavf_mig_state_change,
	.state_size = emu_iavf_mig_state_size,
	.save = emu_iavf_mig_save,
	.load = emu_iavf_mig_load,
};

/* The client started or stopped DMA logging: the consumer follows. */
void
emu_iavf_mig_dma_logging(void *arg, bool on)
{
	struct emu_iavf_dev *dev = arg;
	struct rte_emudev_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = RTE_EMUDEV_EVENT_DIRTY_LOG;
	ev.dirty_log.on = on;
	pthread_mutex_lock(&dev->lock);
	emu_iavf_event_push(dev, &ev);
	pthread_mutex_unlock(&dev->lock);
	emu_iavf_events_raise(dev);
	EMU_IAVF_LOG(INFO, "%s: dirty logging %s", dev->name, on ? "on" : "off");
}

int
emu_iavf_mig_queue_head_set(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid, uint32_t head)
{
	struct emu_iavf_dev *dev = priv;
	struct emu_iavf_queue *q;
	int ret = 0;

	if (qid >= dev->nb_qp)
		return -EINVAL;
	if (dir == RTE_EMUDEV_QUEUE_GUEST_TX)
		q = &dev->txq[qid];
	else if (dir == RTE_EMUDEV_QUEUE_GUEST_RX)
		q = &dev->rxq[qid];
	else
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	if (!q->configured || head >= q->ring_len)
		ret = -EINVAL;
	else
		q->head = head;
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* The consumer's marks: data path, lock-free (dev->srv is set once at probe). */
void
emu_iavf_mig_dirty_mark(void *priv, uint64_t gpa, uint64_t len)
{
	struct emu_iavf_dev *dev = priv;

	rte_vfio_user_dma_mark_dirty(dev->srv, gpa, len);
}
