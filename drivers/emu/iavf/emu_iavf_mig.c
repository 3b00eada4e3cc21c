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
 * A reset while stopped (DEVICE_RESET, an FLR, the client's departure:
 * the library then says RUNNING): RESUME after the reset's events, thawed.
 * Dirty logging: the client's DMA_LOGGING_START/STOP become
 * RTE_EMUDEV_EVENT_DIRTY_LOG for the consumer; the model's own writes to
 * guest memory go through rte_vfio_user_dma_write(), which marks them.
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "emu_iavf_priv.h"
#include "emu_iavf_state.h"

/*
 * QUIESCE, RESUME and DIRTY_LOG are never dropped: they are raised through
 * an emu_iavf_evlist (after the events queued before them, in order, not
 * through the bounded queue). Should a consumer still not be given one
 * (emudev refuses it), the arc fails (the library goes to ERROR) rather
 * than go on with a consumer that writes guest memory after the state was
 * saved, or writes it unmarked.
 */

/* Stop: freeze, then make the consumer stop. Control thread. */
static int
emu_iavf_mig_quiesce(struct emu_iavf_dev *dev)
{
	struct emu_iavf_evlist l;
	int ret;

	emu_iavf_evlist_begin(dev, &l);
	__atomic_store_n(&dev->frozen, true, __ATOMIC_RELEASE);
	emu_iavf_evlist_add(&l, RTE_EMUDEV_EVENT_QUIESCE, NULL);
	ret = emu_iavf_evlist_raise(dev, &l);
	if (ret < 0) {
		EMU_IAVF_LOG(ERR,
			     "%s: QUIESCE not delivered (%s): the consumer may still write guest "
			     "memory, the stop fails",
			     dev->name, strerror(-ret));
		return ret;
	}
	/* The consumer has stopped: the guest's counters as the state carries them. */
	{
		struct rte_emudev_stats st;

		emu_iavf_stats_fetch(dev, &st);
		pthread_mutex_lock(&dev->lock);
		dev->mig_stats = st;
		pthread_mutex_unlock(&dev->lock);
	}
	EMU_IAVF_LOG(INFO, "%s: stopped for migration", dev->name);
	return 0;
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

/*
 * Run again: tell the consumer (the whole state after a load), then thaw.
 * If the consumer could not be told, the device stays stopped (the
 * library goes to ERROR; a reset runs it again).
 */
static int
emu_iavf_mig_resume(struct emu_iavf_dev *dev)
{
	struct emu_iavf_evlist l;
	bool loaded;
	uint32_t q;
	int ret;

	emu_iavf_evlist_begin(dev, &l);
	loaded = dev->mig_loaded;
	dev->mig_loaded = false;
	if (loaded) {
		struct rte_emudev_event ev;

		emu_iavf_evlist_add(&l, RTE_EMUDEV_EVENT_RESET, NULL);
		if (dev->ready)
			emu_iavf_evlist_add(&l, RTE_EMUDEV_EVENT_DEVICE_READY, NULL);
		emu_iavf_evlist_add(&l, RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED, NULL);
		memset(&ev, 0, sizeof(ev));
		ev.type = RTE_EMUDEV_EVENT_QUEUE_ENABLED;
		for (q = 0; q < AVF_MAX_QUEUE_PAIRS; q++) {
			if (!dev->txq[q].enabled)
				continue;
			ev.queue.dir = RTE_EMUDEV_QUEUE_GUEST_TX;
			ev.queue.qid = (uint16_t)q;
			emu_iavf_evlist_add(&l, ev.type, &ev);
		}
		for (q = 0; q < AVF_MAX_QUEUE_PAIRS; q++) {
			if (!dev->rxq[q].enabled)
				continue;
			ev.queue.dir = RTE_EMUDEV_QUEUE_GUEST_RX;
			ev.queue.qid = (uint16_t)q;
			emu_iavf_evlist_add(&l, ev.type, &ev);
		}
	}
	emu_iavf_evlist_add(&l, RTE_EMUDEV_EVENT_RESUME, NULL);
	ret = emu_iavf_evlist_raise(dev, &l);
	if (ret < 0) {
		EMU_IAVF_LOG(ERR, "%s: RESUME not delivered (%s): the device stays stopped",
			     dev->name, strerror(-ret));
		return ret;
	}
	emu_iavf_mig_thaw(dev);
	EMU_IAVF_LOG(INFO, "%s: running again%s", dev->name, loaded ? " with a loaded state" : "");
	return 0;
}

/*
 * After a reset that takes the device back to RUNNING (the client's
 * DEVICE_RESET, an FLR, its departure) while it was stopped for a
 * migration: the consumer, quiesced, has recorded the RESET; it resumes.
 * The model runs whatever happens (the library's state is RUNNING).
 * Control thread, no lock.
 */
void
emu_iavf_mig_thaw_after_reset(struct emu_iavf_dev *dev)
{
	struct emu_iavf_evlist l;
	int ret;

	emu_iavf_evlist_begin(dev, &l);
	if (!dev->frozen) {
		emu_iavf_evlist_raise(dev, &l);
		return;
	}
	emu_iavf_evlist_add(&l, RTE_EMUDEV_EVENT_RESUME, NULL);
	ret = emu_iavf_evlist_raise(dev, &l);
	if (ret < 0)
		EMU_IAVF_LOG(ERR,
			     "%s: RESUME after a reset not delivered (%s): the consumer stays "
			     "stopped",
			     dev->name, strerror(-ret));
	emu_iavf_mig_thaw(dev);
	EMU_IAVF_LOG(INFO, "%s: migration abandoned by a reset: running", dev->name);
}

/*
 * Arcs that start a migration or stop the device for it: refused while a
 * DIRTY_LOG(on) was not delivered (the consumer's writes are not in the
 * log). Control thread.
 */
static int
emu_iavf_mig_dlog_check(struct emu_iavf_dev *dev)
{
	bool lost;

	pthread_mutex_lock(&dev->lock);
	lost = dev->dlog_lost;
	pthread_mutex_unlock(&dev->lock);
	if (!lost)
		return 0;
	EMU_IAVF_LOG(ERR,
		     "%s: dirty logging on was not delivered to the consumer: its writes are "
		     "not logged, the migration fails",
		     dev->name);
	return -EIO;
}

int
emu_iavf_mig_state_change(void *arg, enum rte_vfio_user_mig_state from,
			  enum rte_vfio_user_mig_state to)
{
	struct emu_iavf_dev *dev = arg;
	int ret;

	EMU_IAVF_LOG(DEBUG, "%s: migration state %s -> %s", dev->name,
		     rte_vfio_user_mig_state_name(from), rte_vfio_user_mig_state_name(to));
	switch (from) {
	case RTE_VFIO_USER_MIG_STATE_RUNNING:
		if (to == RTE_VFIO_USER_MIG_STATE_STOP) {
			ret = emu_iavf_mig_dlog_check(dev);
			return ret < 0 ? ret : emu_iavf_mig_quiesce(dev);
		}
		if (to == RTE_VFIO_USER_MIG_STATE_PRE_COPY)
			return emu_iavf_mig_dlog_check(dev);
		break;
	case RTE_VFIO_USER_MIG_STATE_PRE_COPY:
		if (to == RTE_VFIO_USER_MIG_STATE_STOP_COPY) {
			ret = emu_iavf_mig_dlog_check(dev);
			return ret < 0 ? ret : emu_iavf_mig_quiesce(dev);
		}
		if (to == RTE_VFIO_USER_MIG_STATE_RUNNING)
			return 0;
		break;
	case RTE_VFIO_USER_MIG_STATE_STOP:
		if (to == RTE_VFIO_USER_MIG_STATE_RUNNING)
			return emu_iavf_mig_resume(dev);
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

/*
 * The client started or stopped DMA logging: the consumer follows before
 * this returns (DIRTY_LOG, never dropped). A DIRTY_LOG(on) that could not
 * be delivered fails the migration's next arcs (emu_iavf_mig_dlog_check())
 * until logging stops or is started again.
 */
void
emu_iavf_mig_dma_logging(void *arg, bool on)
{
	struct emu_iavf_dev *dev = arg;
	struct emu_iavf_evlist l;
	struct rte_emudev_event ev;
	int ret;

	memset(&ev, 0, sizeof(ev));
	ev.type = RTE_EMUDEV_EVENT_DIRTY_LOG;
	ev.dirty_log.on = on;
	emu_iavf_evlist_begin(dev, &l);
	emu_iavf_evlist_add(&l, ev.type, &ev);
	ret = emu_iavf_evlist_raise(dev, &l);
	pthread_mutex_lock(&dev->lock);
	dev->dlog_lost = on && ret < 0;
	pthread_mutex_unlock(&dev->lock);
	if (ret < 0)
		EMU_IAVF_LOG(ERR, "%s: DIRTY_LOG %s not delivered (%s)%s", dev->name,
			     on ? "on" : "off", strerror(-ret),
			     on ? ": the consumer's writes are not logged, a migration fails" : "");
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
