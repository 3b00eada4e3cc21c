/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef EMUDEV_PRIV_H
#define EMUDEV_PRIV_H

/**
 * @file
 * emudev internals shared between the library's own files (telemetry).
 */

#include <stdbool.h>
#include <stdint.h>

/** Library-side state of a device, for telemetry. */
struct emudev_state {
	const char *life; /**< "closed", "configured" or "started" */
	uint64_t mem_generation; /**< generation of the current memory table */
	uint32_t mem_nb_regions; /**< regions of the current memory table */
	bool mem_changing; /**< between MEM_TABLE_CHANGING and the new table */
	uint32_t nb_callbacks; /**< event callbacks registered */
	bool stats_cb; /**< a consumer set a statistics callback */
};

/**
 * Copy the library-side state of a live device, each part under its lock.
 * @return 0, or -ENODEV.
 */
int emudev_state_get(uint16_t dev_id, struct emudev_state *st);

#endif /* EMUDEV_PRIV_H */
