/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef TEST_FAKE_EMUDEV_H
#define TEST_FAKE_EMUDEV_H

/*
 * The part every fake network emudev provider of the tests shares:
 * registration, the MAC / link-up / link-speed attributes, the operation
 * counters of configure/start/stop/close. A test's own fake device embeds
 * struct fake_emudev as its FIRST member and registers itself as the priv,
 * so the operations below can be put in its rte_emudev_ops as they are (or
 * called from its own, which add the test's behaviour).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "rte_emudev.h"
#include "rte_emudev_driver.h"

/* Queue pairs whose positions fake_emudev_queue_head_set() records. */
#define FAKE_EMUDEV_MAX_QP 8

/*
 * A guest queue as the fake providers describe it (fake_emudev_queue_info_get()
 * reports it). Not configured: reported without a descriptor format
 * (RTE_EMUDEV_DESC_NONE); its ring fields are reported as they are, the
 * library must ignore them.
 */
struct fake_emudev_queue {
	bool enabled;
	bool configured;
	uint32_t rx_fmt; /* a guest receive queue's format (guest transmit: tx_fmt) */
	uint32_t ring_size;
	uint64_t ring_gpa;
	uint32_t buf_size;
	uint32_t max_pkt_len;
	uint32_t irq_vector;
};

struct fake_emudev {
	struct rte_emudev *dev;
	uint16_t id;
	uint16_t max_qp; /* configure refuses more queue pairs */
	uint16_t conf_max_qp; /* max_queue_pairs of the last configure */
	/* The attribute table the device is registered with. */
	const struct rte_emudev_attr_desc *attrs;
	unsigned int nb_attrs;
	uint8_t mac[RTE_ETHER_ADDR_LEN];
	uint8_t link_up;
	uint32_t link_speed;
	unsigned int nb_configure, nb_start, nb_stop, nb_close;
	/*
	 * The queues (fake_emudev_queues_set()): the test's arrays
	 * [RTE_EMUDEV_QUEUE_DIR_MAX][nb_q] of queues and of doorbells.
	 */
	struct fake_emudev_queue *q;
	uint32_t *doorbell;
	uint16_t nb_q;
	uint32_t tx_fmt; /* the format of every guest transmit queue */
	uint32_t (*desc_size)(uint32_t fmt); /* bytes per descriptor of a format */
	/*
	 * The interrupt vectors (fake_emudev_irqs_set()): the test's arrays of
	 * nb_vec; irq_calls and irq_bad_vector may be NULL (not counted).
	 */
	bool *armed;
	uint32_t *irq_fired; /* triggers that fired */
	uint32_t *irq_calls; /* every trigger of a vector in range */
	uint32_t *irq_bad_vector; /* triggers of vectors out of range */
	uint32_t nb_vec;
	bool irq_automask; /* as an AVF: a fired vector is masked until re-armed */
	/* Migration: the queue positions reported (fake_emudev_queue_head_set). */
	uint32_t head[RTE_EMUDEV_QUEUE_DIR_MAX][FAKE_EMUDEV_MAX_QP];
	unsigned int nb_head_set; /* successful calls */
	/* Dirty log (fake_emudev_dirty_init()): one bit per grain of [dirty_gpa, +dirty_size). */
	uint64_t *dirty_bm;
	uint64_t dirty_gpa;
	uint64_t dirty_size;
	unsigned int dirty_shift; /* log2 of the grain */
	uint64_t dirty_calls; /* calls of the dirty_mark op (atomic) */
	uint64_t dirty_outside; /* calls with bytes outside the window (atomic) */
};

/* Sets the base's constants (after the test cleared its device). */
void fake_emudev_init(struct fake_emudev *b, uint16_t max_qp,
		      const struct rte_emudev_attr_desc *attrs, unsigned int nb_attrs);

/*
 * The queues fake_emudev_queue_info_get() reports: q and doorbell are arrays
 * [RTE_EMUDEV_QUEUE_DIR_MAX][nb_q] of the test's device.
 */
void fake_emudev_queues_set(struct fake_emudev *b, struct fake_emudev_queue *q, uint32_t *doorbell,
			    uint16_t nb_q, uint32_t tx_fmt, uint32_t (*desc_size)(uint32_t fmt));

/* The interrupt vectors fake_emudev_irq_trigger() raises (see struct fake_emudev). */
void fake_emudev_irqs_set(struct fake_emudev *b, bool *armed, uint32_t *fired, uint32_t *calls,
			  uint32_t *bad_vector, uint32_t nb_vec, bool automask);

/*
 * The irq_trigger operation: -EINVAL out of range, -EAGAIN for a vector not
 * armed, else it fires (counted); with irq_automask a fired vector is
 * disarmed.
 */
int fake_emudev_irq_trigger(void *priv, uint32_t vector);

/*
 * The parameters of a network device of that name and driver with b's
 * attribute table and ops; its priv is b (the device embedding it).
 */
struct rte_emudev_params fake_emudev_params(struct fake_emudev *b, const char *name,
					    const char *driver, const struct rte_emudev_ops *ops);

/* Registers p (p->priv: the device embedding b); prints why on failure. */
int fake_emudev_register(struct fake_emudev *b, const struct rte_emudev_params *p);

/*
 * The queue_info_get operation: the queue's fields, its format (tx_fmt, or
 * the queue's rx_fmt; none if not configured) and that format's size, its
 * doorbell. -EINVAL for a direction or qid out of range.
 */
int fake_emudev_queue_info_get(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid,
			       struct rte_emudev_queue_info *info);

/*
 * Attributes by the name at idx in the table: MAC, link up, link speed,
 * each as far as its flags allow; -EIO for any other; -EFAULT when the
 * library passes an index, name or size that does not match the table.
 */
int fake_emudev_attr_get(void *priv, unsigned int idx, const char *name, void *buf, uint32_t size);
int fake_emudev_attr_set(void *priv, unsigned int idx, const char *name, const void *buf,
			 uint32_t size);

/* Raises an event of that type without payload on the device. */
int fake_emudev_raise(const struct fake_emudev *b, enum rte_emudev_event_type type);

/* Raises a queue event (QUEUE_ENABLED, QUEUE_DISABLED ...) for that queue. */
int fake_emudev_raise_queue(const struct fake_emudev *b, enum rte_emudev_event_type type,
			    enum rte_emudev_queue_dir dir, uint16_t qid);

/* Raises RTE_EMUDEV_EVENT_DIRTY_LOG {on}. */
int fake_emudev_raise_dirty_log(const struct fake_emudev *b, bool on);

/*
 * The queue_head_set operation: records head (qid < max_qp and
 * FAKE_EMUDEV_MAX_QP, else -EINVAL; the test checks the ring size).
 */
int fake_emudev_queue_head_set(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid,
			       uint32_t head);

/*
 * Dirty log of [gpa, gpa + size) in grains of 1 << shift bytes (bitmap
 * allocated; freed by fake_emudev_dirty_fini()). Returns 0 or -ENOMEM.
 */
int fake_emudev_dirty_init(struct fake_emudev *b, uint64_t gpa, uint64_t size, unsigned int shift);
void fake_emudev_dirty_fini(struct fake_emudev *b);

/* Clear the bitmap and the counters. */
void fake_emudev_dirty_clear(struct fake_emudev *b);

/* Whether the grain holding gpa is marked. */
bool fake_emudev_dirty_test(const struct fake_emudev *b, uint64_t gpa);

/* The dirty_mark operation: sets the grains of [gpa, gpa + len) (atomic, any thread). */
void fake_emudev_dirty_mark(void *priv, uint64_t gpa, uint64_t len);

int fake_emudev_configure(void *priv, const struct rte_emudev_conf *conf);
int fake_emudev_start(void *priv);
int fake_emudev_stop(void *priv);
int fake_emudev_close(void *priv);

#endif /* TEST_FAKE_EMUDEV_H */
