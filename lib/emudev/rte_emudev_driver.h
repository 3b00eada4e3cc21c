/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef RTE_EMUDEV_DRIVER_H
#define RTE_EMUDEV_DRIVER_H

/**
 * @file
 * RTE emulated devices (provider API)
 *
 * A provider (a device model, e.g. the AVF model "emu_iavf") registers each
 * device it emulates with rte_emudev_register(), describing it with a table
 * of operations (struct rte_emudev_ops) the library calls on behalf of
 * consumers, and then:
 *  - publishes the guest memory table (rte_emudev_mem_table_set(), after
 *    raising RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING before it unmaps memory);
 *  - raises events (rte_emudev_event_raise()) from its control thread;
 *  - pulls the consumer's statistics when the guest asks for them
 *    (rte_emudev_stats_get());
 *  - unregisters the device (rte_emudev_unregister()).
 *
 * Operations may be called from any thread (a consumer's thread, or the
 * provider's own control thread from inside an event callback),
 * concurrently with each other and with the provider's control thread: the
 * provider locks its state as needed. The library serializes the lifecycle
 * operations (configure, start, stop, close) of a device. A provider must
 * not hold a lock its operations take while it raises an event (a callback
 * may call operations).
 *
 * @warning
 * Internal API: the driver SDK of the library (as DPDK's *_driver.h
 * headers), for device models, not for applications. Its functions are
 * __rte_internal (callers compile with ALLOW_INTERNAL_API, as drivers do)
 * and may change with any release.
 */

#include <stdint.h>

#include <rte_compat.h>

#include "rte_emudev.h"
#include "rte_emudev_net.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A registered device, as the provider holds it (opaque). */
struct rte_emudev;

/**
 * Operations of a device. Every operation gets the priv pointer given at
 * registration. Only info_get is mandatory; a NULL operation makes the
 * corresponding consumer call fail with -ENOTSUP (lifecycle operations:
 * the state changes without the provider).
 */
struct rte_emudev_ops {
	/**
	 * Fill the device-specific fields of info: max_queue_pairs,
	 * nb_guest_tx_queues, nb_guest_rx_queues, nb_irq_vectors,
	 * client_connected, ready. The library zeroes info before, and sets
	 * name, driver, dev_id, type and socket_id after the call.
	 */
	int (*info_get)(void *priv, struct rte_emudev_info *info);
	/**
	 * Fill the information of queue (dir, qid): enabled, desc_format,
	 * ring_size, ring_gpa, buf_size, max_pkt_len, doorbell, irq_vector.
	 * The library zeroes info and sets qid, dir and irq_vector
	 * (RTE_EMUDEV_IRQ_NONE) before the call, and desc_size, ring_host
	 * and mem_generation after it. Return -EINVAL for a qid out of
	 * range.
	 */
	int (*queue_info_get)(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid,
			      struct rte_emudev_queue_info *info);
	/**
	 * Raise interrupt vector in the guest. Called on data-path lcores:
	 * lock-free, cheap when the vector is not armed. Return 0, -EAGAIN
	 * (not armed), -EINVAL (bad vector), or a negative errno.
	 */
	int (*irq_trigger)(void *priv, uint32_t vector);
	/**
	 * Read attribute idx (index in rte_emudev_params::attrs, named
	 * name) into buf, size bytes (the attribute's size). Called only for
	 * attributes with RTE_EMUDEV_ATTR_F_READ.
	 */
	int (*attr_get)(void *priv, unsigned int idx, const char *name, void *buf, uint32_t size);
	/**
	 * Write attribute idx from buf, size bytes (the attribute's size).
	 * Called only for attributes with RTE_EMUDEV_ATTR_F_WRITE.
	 */
	int (*attr_set)(void *priv, unsigned int idx, const char *name, const void *buf,
			uint32_t size);
	/** A consumer configures the device (conf checked by the library). */
	int (*configure)(void *priv, const struct rte_emudev_conf *conf);
	/** The consumer starts serving the device. */
	int (*start)(void *priv);
	/** The consumer stops serving the device. */
	int (*stop)(void *priv);
	/** The consumer releases the device (it is stopped). */
	int (*close)(void *priv);
	/**
	 * Fill the receive configuration of a network device (the library
	 * zeroes conf before the call). The provider raises
	 * RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED after every change.
	 */
	int (*net_rx_conf_get)(void *priv, struct rte_emudev_net_rx_conf *conf);
	/**
	 * Record the position of a queue (rte_emudev_queue_head_set()); the
	 * provider checks qid and head (it knows the ring size).
	 */
	int (*queue_head_set)(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid,
			      uint32_t head);
	/**
	 * Mark guest memory dirty (rte_emudev_dirty_mark()): data path,
	 * lock-free.
	 */
	void (*dirty_mark)(void *priv, uint64_t gpa, uint64_t len);
};

/** Registration parameters (rte_emudev_register()). */
struct rte_emudev_params {
	/** Unique name: 1 .. RTE_EMUDEV_NAME_MAX_LEN - 1 characters (copied). */
	const char *name;
	/** Provider name, e.g. "emu_iavf" (copied; NULL: empty). */
	const char *driver;
	enum rte_emudev_type type; /**< device type */
	int socket_id; /**< NUMA socket, or SOCKET_ID_ANY */
	const struct rte_emudev_ops *ops; /**< operations (the pointer is kept) */
	void *priv; /**< for the operations */
	/**
	 * Attributes (copied): unique non-empty names, sizes > 0, flags
	 * among RTE_EMUDEV_ATTR_F_READ | RTE_EMUDEV_ATTR_F_WRITE (readable
	 * ones need ops->attr_get, writable ones ops->attr_set).
	 */
	const struct rte_emudev_attr_desc *attrs;
	uint16_t nb_attrs; /**< entries in attrs, <= RTE_EMUDEV_MAX_ATTRS */
};

/*
 * __rte_internal stands alone on the line before the return type (DPDK's
 * checkpatch); clang-format would join the two.
 */
/* clang-format off */
/**
 * Register a device. It can be found by consumers as soon as this returns
 * (possibly before): the provider must be ready to serve its operations.
 * Its memory table is empty (generation 0).
 *
 * @return the device, or NULL with rte_errno set: EINVAL for bad params,
 *   EEXIST when the name is taken, ENOSPC when RTE_EMUDEV_MAX_DEVS devices
 *   are registered, ENOMEM.
 */
__rte_internal
struct rte_emudev *rte_emudev_register(const struct rte_emudev_params *params);

/**
 * Unregister a device: new consumer calls fail with -ENODEV; the library
 * raises RTE_EMUDEV_EVENT_REMOVED (so consumers stop using it), waits for
 * consumer calls in progress, and frees the device. The lifecycle
 * operations are not called: the provider tears its device down itself.
 *
 * Must not be called from an operation or an event callback of any
 * device.
 *
 * @return 0; -EINVAL when dev is NULL or not registered; -EDEADLK when
 *   called from an operation or an event callback.
 */
__rte_internal
int rte_emudev_unregister(struct rte_emudev *dev);

/** @return the id of a registered device (RTE_EMUDEV_MAX_DEVS when dev is NULL). */
__rte_internal
uint16_t rte_emudev_dev_id(const struct rte_emudev *dev);

/**
 * Raise an event: call the callbacks registered for it, in registration
 * order, on this thread; return when all returned. Events of a device are
 * delivered one at a time (another thread raising one waits).
 *
 * Special types:
 *  - RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING marks the table as changing
 *    (rte_emudev_mem_table_get() fails with -EAGAIN and queue information
 *    has no ring_host until rte_emudev_mem_table_set()); raising it while
 *    the table is already changing does nothing;
 *  - RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED is raised by
 *    rte_emudev_mem_table_set() only;
 *  - RTE_EMUDEV_EVENT_REMOVED is raised by rte_emudev_unregister() only.
 *
 * @return 0; -EINVAL for a NULL dev or ev, a bad type, a queue event with a
 *   bad direction, or a type raised by the library only.
 */
__rte_internal
int rte_emudev_event_raise(struct rte_emudev *dev, const struct rte_emudev_event *ev);

/**
 * Publish a new memory table (nb regions, in any order; copied and sorted),
 * with the next generation number, and raise
 * RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED. If RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING
 * was not raised since the last change, it is raised first. The previous
 * table is freed. An empty table (nb 0) is valid.
 *
 * @return 0; -EINVAL for a NULL dev, NULL regions with nb > 0, too many
 *   regions, a region with size 0, no host address, a protection other
 *   than a non-empty combination of RTE_EMUDEV_MEM_READ and
 *   RTE_EMUDEV_MEM_WRITE, a non-zero reserved field, wrapping around the
 *   end of the guest or the host address space, or overlapping another
 *   region (the current table is then kept, and a change in progress
 *   stays in progress); -ENOMEM.
 */
__rte_internal
int rte_emudev_mem_table_set(struct rte_emudev *dev, const struct rte_emudev_mem_region *regions,
			     uint32_t nb);

/**
 * Ask the consumer for its statistics (through the callback it set with
 * rte_emudev_stats_cb_set()).
 *
 * @param dev   the device
 * @param stats zeroed, then filled by the consumer
 * @return 0; -EINVAL for a NULL argument; -ENOENT when no callback is set;
 *   a negative errno from the callback.
 */
__rte_internal
int rte_emudev_stats_get(struct rte_emudev *dev, struct rte_emudev_stats *stats);
/* clang-format on */

#ifdef __cplusplus
}
#endif

#endif /* RTE_EMUDEV_DRIVER_H */
