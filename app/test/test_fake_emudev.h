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

#include <stdint.h>

#include <rte_ether.h>

#include "rte_emudev.h"
#include "rte_emudev_driver.h"

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
};

/* Sets the base's constants (after the test cleared its device). */
void fake_emudev_init(struct fake_emudev *b, uint16_t max_qp,
		      const struct rte_emudev_attr_desc *attrs, unsigned int nb_attrs);

/* Registers p (p->priv: the device embedding b); prints why on failure. */
int fake_emudev_register(struct fake_emudev *b, const struct rte_emudev_params *p);

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

int fake_emudev_configure(void *priv, const struct rte_emudev_conf *conf);
int fake_emudev_start(void *priv);
int fake_emudev_stop(void *priv);
int fake_emudev_close(void *priv);

#endif /* TEST_FAKE_EMUDEV_H */
