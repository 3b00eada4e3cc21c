/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_memory.h>

#include "test_fake_emudev.h"

void
fake_emudev_init(struct fake_emudev *b, uint16_t max_qp, const struct rte_emudev_attr_desc *attrs,
		 unsigned int nb_attrs)
{
	b->max_qp = max_qp;
	b->attrs = attrs;
	b->nb_attrs = nb_attrs;
}

void
fake_emudev_queues_set(struct fake_emudev *b, struct fake_emudev_queue *q, uint32_t *doorbell,
		       uint16_t nb_q, uint32_t tx_fmt, uint32_t (*desc_size)(uint32_t fmt))
{
	b->q = q;
	b->doorbell = doorbell;
	b->nb_q = nb_q;
	b->tx_fmt = tx_fmt;
	b->desc_size = desc_size;
}

void
fake_emudev_irqs_set(struct fake_emudev *b, bool *armed, uint32_t *fired, uint32_t *calls,
		     uint32_t *bad_vector, uint32_t nb_vec, bool automask)
{
	b->armed = armed;
	b->irq_fired = fired;
	b->irq_calls = calls;
	b->irq_bad_vector = bad_vector;
	b->nb_vec = nb_vec;
	b->irq_automask = automask;
}

int
fake_emudev_irq_trigger(void *priv, uint32_t vector)
{
	struct fake_emudev *b = priv;
	bool armed;

	if (vector >= b->nb_vec) {
		if (b->irq_bad_vector != NULL)
			__atomic_fetch_add(b->irq_bad_vector, 1, __ATOMIC_RELAXED);
		return -EINVAL;
	}
	if (b->irq_calls != NULL)
		__atomic_fetch_add(&b->irq_calls[vector], 1, __ATOMIC_RELAXED);
	if (b->irq_automask)
		armed = __atomic_exchange_n(&b->armed[vector], false, __ATOMIC_ACQ_REL);
	else
		armed = __atomic_load_n(&b->armed[vector], __ATOMIC_ACQUIRE);
	if (!armed)
		return -EAGAIN;
	__atomic_fetch_add(&b->irq_fired[vector], 1, __ATOMIC_RELAXED);
	return 0;
}

struct rte_emudev_params
fake_emudev_params(struct fake_emudev *b, const char *name, const char *driver,
		   const struct rte_emudev_ops *ops)
{
	struct rte_emudev_params p = {
		.name = name,
		.driver = driver,
		.type = RTE_EMUDEV_TYPE_NET,
		.socket_id = SOCKET_ID_ANY,
		.ops = ops,
		.priv = b,
		.attrs = b->attrs,
		.nb_attrs = b->nb_attrs,
	};
	return p;
}

int
fake_emudev_queue_info_get(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid,
			   struct rte_emudev_queue_info *info)
{
	struct fake_emudev *b = priv;
	const struct fake_emudev_queue *q;
	unsigned int i;

	if ((unsigned int)dir >= RTE_EMUDEV_QUEUE_DIR_MAX || qid >= b->nb_q)
		return -EINVAL;
	i = (unsigned int)dir * b->nb_q + qid;
	q = &b->q[i];
	info->enabled = q->enabled;
	if (!q->configured)
		info->desc_format = RTE_EMUDEV_DESC_NONE;
	else
		info->desc_format = dir == RTE_EMUDEV_QUEUE_GUEST_TX ? b->tx_fmt : q->rx_fmt;
	info->desc_size = b->desc_size(info->desc_format);
	info->ring_size = q->ring_size;
	info->ring_gpa = q->ring_gpa;
	info->buf_size = q->buf_size;
	info->max_pkt_len = q->max_pkt_len;
	info->doorbell = &b->doorbell[i];
	info->irq_vector = q->irq_vector;
	return 0;
}

int
fake_emudev_register(struct fake_emudev *b, const struct rte_emudev_params *p)
{
	b->dev = rte_emudev_register(p);
	if (b->dev == NULL) {
		printf("cannot register the fake device: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	b->id = rte_emudev_dev_id(b->dev);
	return 0;
}

int
fake_emudev_raise(const struct fake_emudev *b, enum rte_emudev_event_type type)
{
	struct rte_emudev_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	return rte_emudev_event_raise(b->dev, &ev);
}

int
fake_emudev_raise_queue(const struct fake_emudev *b, enum rte_emudev_event_type type,
			enum rte_emudev_queue_dir dir, uint16_t qid)
{
	struct rte_emudev_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.queue.dir = dir;
	ev.queue.qid = qid;
	return rte_emudev_event_raise(b->dev, &ev);
}

int
fake_emudev_raise_dirty_log(const struct fake_emudev *b, bool on)
{
	struct rte_emudev_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = RTE_EMUDEV_EVENT_DIRTY_LOG;
	ev.dirty_log.on = on;
	return rte_emudev_event_raise(b->dev, &ev);
}

int
fake_emudev_queue_head_set(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid, uint32_t head)
{
	struct fake_emudev *b = priv;

	if ((unsigned int)dir >= RTE_EMUDEV_QUEUE_DIR_MAX || qid >= b->max_qp ||
	    qid >= FAKE_EMUDEV_MAX_QP)
		return -EINVAL;
	b->head[dir][qid] = head;
	b->nb_head_set++;
	return 0;
}

int
fake_emudev_dirty_init(struct fake_emudev *b, uint64_t gpa, uint64_t size, unsigned int shift)
{
	uint64_t grains = (size + (1ull << shift) - 1) >> shift;

	fake_emudev_dirty_fini(b);
	b->dirty_bm = calloc((grains + 63) / 64, sizeof(uint64_t));
	if (b->dirty_bm == NULL)
		return -ENOMEM;
	b->dirty_gpa = gpa;
	b->dirty_size = size;
	b->dirty_shift = shift;
	b->dirty_calls = 0;
	b->dirty_outside = 0;
	return 0;
}

void
fake_emudev_dirty_fini(struct fake_emudev *b)
{
	free(b->dirty_bm);
	b->dirty_bm = NULL;
	b->dirty_size = 0;
}

void
fake_emudev_dirty_clear(struct fake_emudev *b)
{
	uint64_t grains = (b->dirty_size + (1ull << b->dirty_shift) - 1) >> b->dirty_shift;

	if (b->dirty_bm != NULL)
		memset(b->dirty_bm, 0, (grains + 63) / 64 * sizeof(uint64_t));
	__atomic_store_n(&b->dirty_calls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&b->dirty_outside, 0, __ATOMIC_RELAXED);
}

bool
fake_emudev_dirty_test(const struct fake_emudev *b, uint64_t gpa)
{
	uint64_t g;

	if (b->dirty_bm == NULL || gpa < b->dirty_gpa || gpa - b->dirty_gpa >= b->dirty_size)
		return false;
	g = (gpa - b->dirty_gpa) >> b->dirty_shift;
	return (__atomic_load_n(&b->dirty_bm[g / 64], __ATOMIC_RELAXED) >> (g % 64)) & 1;
}

void
fake_emudev_dirty_mark(void *priv, uint64_t gpa, uint64_t len)
{
	struct fake_emudev *b = priv;
	uint64_t g, last;

	__atomic_fetch_add(&b->dirty_calls, 1, __ATOMIC_RELAXED);
	if (b->dirty_bm == NULL || len == 0 || gpa < b->dirty_gpa ||
	    gpa - b->dirty_gpa >= b->dirty_size || len > b->dirty_size - (gpa - b->dirty_gpa)) {
		__atomic_fetch_add(&b->dirty_outside, 1, __ATOMIC_RELAXED);
		return;
	}
	last = (gpa - b->dirty_gpa + len - 1) >> b->dirty_shift;
	for (g = (gpa - b->dirty_gpa) >> b->dirty_shift; g <= last; g++)
		__atomic_fetch_or(&b->dirty_bm[g / 64], 1ull << (g % 64), __ATOMIC_RELAXED);
}

/* The attribute at idx, if name and size are the table's; NULL if not. */
static const struct rte_emudev_attr_desc *
fake_emudev_attr(const struct fake_emudev *b, unsigned int idx, const char *name, uint32_t size)
{
	if (idx >= b->nb_attrs || strcmp(name, b->attrs[idx].name) != 0 ||
	    size != b->attrs[idx].size)
		return NULL;
	return &b->attrs[idx];
}

int
fake_emudev_attr_get(void *priv, unsigned int idx, const char *name, void *buf, uint32_t size)
{
	struct fake_emudev *b = priv;
	const struct rte_emudev_attr_desc *a = fake_emudev_attr(b, idx, name, size);

	if (a == NULL)
		return -EFAULT; /* the library passed something wrong */
	if (!(a->flags & RTE_EMUDEV_ATTR_F_READ))
		return -EIO;
	if (strcmp(a->name, RTE_EMUDEV_ATTR_MAC) == 0 && size == sizeof(b->mac)) {
		memcpy(buf, b->mac, sizeof(b->mac));
		return 0;
	}
	if (strcmp(a->name, RTE_EMUDEV_ATTR_LINK_UP) == 0 && size == sizeof(b->link_up)) {
		memcpy(buf, &b->link_up, sizeof(b->link_up));
		return 0;
	}
	if (strcmp(a->name, RTE_EMUDEV_ATTR_LINK_SPEED) == 0 && size == sizeof(b->link_speed)) {
		memcpy(buf, &b->link_speed, sizeof(b->link_speed));
		return 0;
	}
	return -EIO;
}

int
fake_emudev_attr_set(void *priv, unsigned int idx, const char *name, const void *buf, uint32_t size)
{
	struct fake_emudev *b = priv;
	const struct rte_emudev_attr_desc *a = fake_emudev_attr(b, idx, name, size);

	if (a == NULL)
		return -EFAULT;
	if (!(a->flags & RTE_EMUDEV_ATTR_F_WRITE))
		return -EIO;
	if (strcmp(a->name, RTE_EMUDEV_ATTR_LINK_UP) == 0 && size == sizeof(b->link_up)) {
		memcpy(&b->link_up, buf, sizeof(b->link_up));
		return 0;
	}
	if (strcmp(a->name, RTE_EMUDEV_ATTR_LINK_SPEED) == 0 && size == sizeof(b->link_speed)) {
		memcpy(&b->link_speed, buf, sizeof(b->link_speed));
		return 0;
	}
	return -EIO;
}

int
fake_emudev_configure(void *priv, const struct rte_emudev_conf *conf)
{
	struct fake_emudev *b = priv;

	if (conf->max_queue_pairs > b->max_qp)
		return -EINVAL;
	b->nb_configure++;
	b->conf_max_qp = conf->max_queue_pairs;
	return 0;
}

int
fake_emudev_start(void *priv)
{
	struct fake_emudev *b = priv;

	b->nb_start++;
	return 0;
}

int
fake_emudev_stop(void *priv)
{
	struct fake_emudev *b = priv;

	b->nb_stop++;
	return 0;
}

int
fake_emudev_close(void *priv)
{
	struct fake_emudev *b = priv;

	b->nb_close++;
	return 0;
}
