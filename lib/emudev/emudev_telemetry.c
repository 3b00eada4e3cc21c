/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * Telemetry of the emulated-device class:
 *   /emudev/list       ids of the registered devices
 *   /emudev/info,<id>  one device: the provider's information, the
 *                      library's state, and each queue's
 * Everything is read through the consumer API and emudev_state_get(),
 * under the library's and the provider's control-path locks; the data
 * path (doorbells, rings, irq_trigger) is not touched.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "../vfio_user/emu_compat.h" /* the DPDK version differences */
#include "emudev_priv.h"
#include "rte_emudev.h"

/* Parse a device id: decimal digits only, below RTE_EMUDEV_MAX_DEVS. */
static int
emudev_tel_parse_id(const char *params, uint16_t *id)
{
	unsigned int v = 0;
	size_t i;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	for (i = 0; params[i] != '\0'; i++) {
		if (params[i] < '0' || params[i] > '9' || i >= 5)
			return -EINVAL;
		v = v * 10 + (unsigned int)(params[i] - '0');
	}
	if (v >= RTE_EMUDEV_MAX_DEVS)
		return -EINVAL;
	*id = (uint16_t)v;
	return 0;
}

static int
emudev_tel_list(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	uint16_t id;

	if (params != NULL && params[0] != '\0')
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	RTE_EMUDEV_FOREACH(id)
		rte_tel_data_add_array_int(d, id);
	return 0;
}

static const char *
emudev_tel_type(enum rte_emudev_type type)
{
	return type == RTE_EMUDEV_TYPE_NET ? "net" : "unknown";
}

/* The queues of one direction, or NULL. */
static struct rte_tel_data *
emudev_tel_queues(uint16_t id, enum rte_emudev_queue_dir dir, uint16_t nb)
{
	struct rte_emudev_queue_info qi;
	struct rte_tel_data *arr, *q;
	char key[8];
	uint16_t qid;

	arr = rte_tel_data_alloc();
	if (arr == NULL)
		return NULL;
	/* A dict keyed by queue index: 22.11 takes no dict in an array. */
	rte_tel_data_start_dict(arr);
	for (qid = 0; qid < nb && qid < RTE_TEL_MAX_DICT_ENTRIES; qid++) {
		if (rte_emudev_queue_info_get(id, dir, qid, &qi) != 0)
			break;
		q = rte_tel_data_alloc();
		if (q == NULL)
			break;
		rte_tel_data_start_dict(q);
		rte_tel_data_add_dict_int(q, "qid", qid);
		rte_tel_data_add_dict_int(q, "enabled", qi.enabled);
		emu_tel_data_add_dict_uint(q, "ring_size", qi.ring_size);
		emu_tel_data_add_dict_uint(q, "ring_gpa", qi.ring_gpa);
		emu_tel_data_add_dict_uint(q, "head", qi.head);
		rte_tel_data_add_dict_int(q, "ring_mapped", qi.ring_host != NULL);
		emu_tel_data_add_dict_uint(q, "buf_size", qi.buf_size);
		emu_tel_data_add_dict_uint(q, "max_pkt_len", qi.max_pkt_len);
		rte_tel_data_add_dict_int(
			q, "irq_vector",
			qi.irq_vector == RTE_EMUDEV_IRQ_NONE ? -1 : (int)qi.irq_vector);
		snprintf(key, sizeof(key), "%u", qid);
		if (rte_tel_data_add_dict_container(arr, key, q, 0) != 0)
			rte_tel_data_free(q);
	}
	return arr;
}

static void
emudev_tel_add_container(struct rte_tel_data *d, const char *name, struct rte_tel_data *c)
{
	if (c != NULL && rte_tel_data_add_dict_container(d, name, c, 0) != 0)
		rte_tel_data_free(c);
}

static int
emudev_tel_info(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct rte_emudev_info info;
	struct emudev_state st;
	uint16_t id;
	uint16_t nb_tx, nb_rx;

	if (emudev_tel_parse_id(params, &id) != 0 || !rte_emudev_is_valid(id))
		return -EINVAL;
	if (rte_emudev_info_get(id, &info) != 0 || emudev_state_get(id, &st) != 0)
		return -EINVAL;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "id", id);
	rte_tel_data_add_dict_string(d, "name", info.name);
	rte_tel_data_add_dict_string(d, "driver", info.driver);
	rte_tel_data_add_dict_string(d, "type", emudev_tel_type(info.type));
	rte_tel_data_add_dict_int(d, "socket_id", info.socket_id);
	rte_tel_data_add_dict_string(d, "state", st.life);
	rte_tel_data_add_dict_int(d, "client_connected", info.client_connected);
	rte_tel_data_add_dict_int(d, "ready", info.ready);
	rte_tel_data_add_dict_int(d, "max_queue_pairs", info.max_queue_pairs);
	rte_tel_data_add_dict_int(d, "nb_guest_tx_queues", info.nb_guest_tx_queues);
	rte_tel_data_add_dict_int(d, "nb_guest_rx_queues", info.nb_guest_rx_queues);
	emu_tel_data_add_dict_uint(d, "nb_irq_vectors", info.nb_irq_vectors);
	emu_tel_data_add_dict_uint(d, "mem_generation", st.mem_generation);
	emu_tel_data_add_dict_uint(d, "mem_nb_regions", st.mem_nb_regions);
	rte_tel_data_add_dict_int(d, "mem_changing", st.mem_changing);
	emu_tel_data_add_dict_uint(d, "nb_event_callbacks", st.nb_callbacks);
	rte_tel_data_add_dict_int(d, "stats_callback", st.stats_cb);
	/* Every queue the device offers, configured by the guest or not. */
	nb_tx = RTE_MAX(info.max_queue_pairs, info.nb_guest_tx_queues);
	nb_rx = RTE_MAX(info.max_queue_pairs, info.nb_guest_rx_queues);
	emudev_tel_add_container(d, "guest_tx_queues",
				 emudev_tel_queues(id, RTE_EMUDEV_QUEUE_GUEST_TX, nb_tx));
	emudev_tel_add_container(d, "guest_rx_queues",
				 emudev_tel_queues(id, RTE_EMUDEV_QUEUE_GUEST_RX, nb_rx));
	return 0;
}

RTE_INIT(emudev_telemetry_init)
{
	rte_telemetry_register_cmd("/emudev/list", emudev_tel_list,
				   "Returns the ids of the emulated devices. Takes no parameters");
	rte_telemetry_register_cmd("/emudev/info", emudev_tel_info,
				   "Returns the state of an emulated device and its queues. "
				   "Parameters: int dev_id");
}
