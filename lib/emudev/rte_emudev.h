/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef RTE_EMUDEV_H
#define RTE_EMUDEV_H

/**
 * @file
 * RTE emulated devices (consumer API)
 *
 * An emulated device (emudev) is a device model that some part of the
 * application provides to a guest (a virtual machine, or a container), for
 * example the AVF network device model "emu_iavf" that a guest reaches over
 * vfio-user. The library decouples the provider of such a device (which
 * knows the transport and the device's control plane) from its consumer
 * (which moves the data, e.g. the backend ethdev "net_iavfbe", or an
 * application): consumers see the device only through this API, never the
 * transport.
 *
 * A consumer finds a device by name or id and gets:
 *  - device information (rte_emudev_info_get());
 *  - the guest memory table (rte_emudev_mem_table_get()) and a lock-free
 *    translation of guest addresses to host pointers over it
 *    (rte_emudev_translate());
 *  - per-queue information: ring address and size, descriptor format,
 *    doorbell, interrupt vector, enabled state (rte_emudev_queue_info_get());
 *  - an interrupt trigger usable from data-path lcores
 *    (rte_emudev_irq_trigger());
 *  - named, provider-defined attributes (rte_emudev_attr_get() and
 *    rte_emudev_attr_set());
 *  - a lifecycle: rte_emudev_configure(), rte_emudev_start(),
 *    rte_emudev_stop(), rte_emudev_close();
 *  - events (rte_emudev_event_register()): queue enabled or disabled, memory
 *    table about to change or changed, reset, device ready, client gone,
 *    device removed.
 *
 * Threads: the functions of this API may be called from any thread, except
 * where noted. rte_emudev_translate(), the rte_emudev_qstate_*() helpers and
 * rte_emudev_irq_trigger() are the data-path functions: they take no lock.
 * Event callbacks run synchronously on the provider's control thread.
 *
 * This header is device-neutral. What a network device adds (well-known
 * attributes, the guest's statistics, its receive configuration) is in
 * rte_emudev_net.h; the descriptor formats of the rings are agreed between
 * a provider and its consumers. Providers use rte_emudev_driver.h.
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_compat.h>
#include <rte_memory.h>
#include <rte_pause.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most emulated devices in a process; ids are 0 .. RTE_EMUDEV_MAX_DEVS - 1. */
#define RTE_EMUDEV_MAX_DEVS 32

/** Size of a device name buffer, including the terminating NUL. */
#define RTE_EMUDEV_NAME_MAX_LEN 64

/** Size of an attribute name buffer, including the terminating NUL. */
#define RTE_EMUDEV_ATTR_NAME_MAX_LEN 32

/** Most attributes per device. */
#define RTE_EMUDEV_MAX_ATTRS 64

/** Most regions in a memory table. */
#define RTE_EMUDEV_MAX_MEM_REGIONS 65535

/** No interrupt vector (rte_emudev_queue_info::irq_vector). */
#define RTE_EMUDEV_IRQ_NONE UINT32_MAX

/** Type of an emulated device. */
enum rte_emudev_type {
	RTE_EMUDEV_TYPE_UNKNOWN = 0, /**< never a registered device's type */
	RTE_EMUDEV_TYPE_NET, /**< network device (e.g. an AVF) */
	RTE_EMUDEV_TYPE_MAX, /**< number of types */
};

/**
 * Direction of a queue, named as the guest names it.
 *
 * The consumer works the other way round: it receives what the guest
 * transmits and transmits into the guest's receive rings.
 */
enum rte_emudev_queue_dir {
	/** The guest transmits on it; the consumer reads packets from it. */
	RTE_EMUDEV_QUEUE_GUEST_TX = 0,
	/** The guest receives on it; the consumer writes packets into it. */
	RTE_EMUDEV_QUEUE_GUEST_RX,
	RTE_EMUDEV_QUEUE_DIR_MAX, /**< number of directions */
};

/**
 * No descriptor format: the queue is not configured (no ring)
 * (rte_emudev_queue_info::desc_format). Other values name formats the
 * provider and its consumers agree on (e.g. drivers/common/avf's
 * AVF_DESC_FMT_* for emu_iavf and net_iavfbe).
 */
#define RTE_EMUDEV_DESC_NONE 0

/** Device information (rte_emudev_info_get()). */
struct rte_emudev_info {
	char name[RTE_EMUDEV_NAME_MAX_LEN]; /**< unique name */
	char driver[RTE_EMUDEV_NAME_MAX_LEN]; /**< provider name, e.g. "emu_iavf" */
	uint16_t dev_id; /**< id of the device */
	enum rte_emudev_type type; /**< device type */
	int socket_id; /**< NUMA socket of the device, or SOCKET_ID_ANY */
	/** Most queue pairs the device offers to the guest. */
	uint16_t max_queue_pairs;
	/** Transmit queues the guest configured (0 .. max_queue_pairs). */
	uint16_t nb_guest_tx_queues;
	/** Receive queues the guest configured (0 .. max_queue_pairs). */
	uint16_t nb_guest_rx_queues;
	/** Interrupt vectors of the device (for rte_emudev_irq_trigger()). */
	uint32_t nb_irq_vectors;
	/** A client (the guest's hypervisor) is connected. */
	bool client_connected;
	/** The guest's driver finished its initialization (DEVICE_READY). */
	bool ready;
};

/** Access flags of a memory region, and of rte_emudev_translate(). */
#define RTE_EMUDEV_MEM_READ 0x1u /**< the consumer may read */
#define RTE_EMUDEV_MEM_WRITE 0x2u /**< the consumer may write */

/** One region of guest memory, mapped in this process. */
struct rte_emudev_mem_region {
	uint64_t guest_phys_addr; /**< start in the guest's address space */
	uint64_t size; /**< bytes, > 0 */
	void *host_addr; /**< where the region is mapped here */
	uint32_t prot; /**< RTE_EMUDEV_MEM_READ | RTE_EMUDEV_MEM_WRITE */
	uint32_t reserved; /**< 0 */
};

/**
 * The guest memory table.
 *
 * Regions are sorted by guest_phys_addr and do not overlap; none wraps
 * around the end of the guest's or the host's address space. The table is
 * read-only for consumers.
 */
struct rte_emudev_mem_table {
	/**
	 * Incremented by every change; 0 is the empty table a device has
	 * before its first change.
	 */
	uint64_t generation;
	uint32_t nb_regions; /**< entries in regions[] */
	uint32_t reserved; /**< 0 */
	struct rte_emudev_mem_region regions[]; /**< sorted by guest_phys_addr */
};

/** Bytes of a memory table of n regions (for a consumer's copy). */
#define RTE_EMUDEV_MEM_TABLE_SIZE(n) \
	(sizeof(struct rte_emudev_mem_table) + (size_t)(n) * sizeof(struct rte_emudev_mem_region))

/**
 * A last-hit cache for rte_emudev_translate(), owned by the caller (one
 * per queue: it is not thread safe). Zero-initialize it; it stays valid (a
 * mere hint) across table changes.
 */
struct rte_emudev_xlate_cache {
	uint32_t idx; /**< index of the region of the last hit */
};

/**
 * Translate a range of guest memory into a host pointer.
 *
 * Lock-free; for the data path. The whole range [gpa, gpa + len) must lie
 * in one region whose protection includes prot: a range that crosses from
 * one region into the next is not translated, even when the regions are
 * adjacent in the guest (they need not be in the host). First the region
 * of the cache's last hit is tried, then a binary search.
 *
 * @param tbl   memory table from rte_emudev_mem_table_get() (or a copy of
 *              it), valid per the memory-table contract (see
 *              RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING)
 * @param cache last-hit cache, or NULL
 * @param gpa   guest physical address
 * @param len   bytes, > 0
 * @param prot  access wanted: RTE_EMUDEV_MEM_READ and/or RTE_EMUDEV_MEM_WRITE
 * @return the host address of gpa, or NULL when tbl is NULL, len is 0, the
 *   range wraps around the end of the address space, is not entirely in one
 *   region, or the region does not allow prot.
 */
static inline void *
rte_emudev_translate(const struct rte_emudev_mem_table *tbl, struct rte_emudev_xlate_cache *cache,
		     uint64_t gpa, uint64_t len, uint32_t prot)
{
	const struct rte_emudev_mem_region *r;
	uint32_t lo, hi, mid;
	uint64_t off;

	if (unlikely(tbl == NULL))
		return NULL;
	if (likely(cache != NULL && cache->idx < tbl->nb_regions)) {
		r = &tbl->regions[cache->idx];
		off = gpa - r->guest_phys_addr;
		/*
		 * off wraps to a value >= size when gpa is below the region;
		 * len - 1 wraps to UINT64_MAX when len is 0.
		 */
		if (likely(off < r->size && len - 1 < r->size - off)) {
			if (unlikely((r->prot & prot) != prot))
				return NULL;
			return RTE_PTR_ADD(r->host_addr, off);
		}
	}
	/* The last region starting at or below gpa. */
	lo = 0;
	hi = tbl->nb_regions;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tbl->regions[mid].guest_phys_addr <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	r = &tbl->regions[lo - 1];
	off = gpa - r->guest_phys_addr;
	if (off >= r->size || len - 1 >= r->size - off || (r->prot & prot) != prot)
		return NULL;
	if (cache != NULL)
		cache->idx = lo - 1;
	return RTE_PTR_ADD(r->host_addr, off);
}

/** Queue information (rte_emudev_queue_info_get()). */
struct rte_emudev_queue_info {
	uint16_t qid; /**< queue index in its direction */
	enum rte_emudev_queue_dir dir; /**< direction */
	bool enabled; /**< the guest enabled the queue */
	/** Descriptor format, defined by the provider; RTE_EMUDEV_DESC_NONE: no ring. */
	uint32_t desc_format;
	/** Bytes per descriptor, set by the provider; 0 with RTE_EMUDEV_DESC_NONE. */
	uint32_t desc_size;
	uint32_t ring_size; /**< descriptors in the ring */
	uint64_t ring_gpa; /**< guest address of the ring */
	/**
	 * Host address of the ring, translated by the library from the
	 * current memory table: the whole ring (ring_size * desc_size bytes)
	 * is readable and writable there. NULL when the queue has no ring,
	 * when the ring is not entirely in one region of guest memory, or
	 * while the memory table is changing. Valid per the memory-table
	 * contract (see RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING).
	 */
	void *ring_host;
	/** Generation of the memory table ring_host was translated with. */
	uint64_t mem_generation;
	/** Guest receive queues: bytes per receive buffer; 0 otherwise. */
	uint32_t buf_size;
	/** Largest packet the guest accepts or sends on the queue; 0: unknown. */
	uint32_t max_pkt_len;
	/**
	 * The tail register the guest writes (its doorbell), in memory shared
	 * with the guest and owned by the provider; the consumer polls it.
	 * Valid until the device is removed. NULL when the queue has no
	 * doorbell.
	 */
	volatile uint32_t *doorbell;
	/** Interrupt vector of the queue, or RTE_EMUDEV_IRQ_NONE. */
	uint32_t irq_vector;
	/**
	 * Where the consumer starts on the ring (the next descriptor it
	 * takes), < ring_size: 0 when the guest enabled the queue; after a
	 * RTE_EMUDEV_EVENT_RESUME, the position the device was stopped at
	 * (reported with rte_emudev_queue_head_set(), possibly by the
	 * consumer of another process the device's state came from).
	 */
	uint32_t head;
};

/** Attribute flags. */
#define RTE_EMUDEV_ATTR_F_READ 0x1u /**< rte_emudev_attr_get() allowed */
#define RTE_EMUDEV_ATTR_F_WRITE 0x2u /**< rte_emudev_attr_set() allowed */

/** Description of an attribute. */
struct rte_emudev_attr_desc {
	char name[RTE_EMUDEV_ATTR_NAME_MAX_LEN]; /**< unique in the device */
	uint32_t size; /**< bytes of the value (fixed) */
	uint32_t flags; /**< RTE_EMUDEV_ATTR_F_* */
};

/** Consumer configuration (rte_emudev_configure()). */
struct rte_emudev_conf {
	/**
	 * Most queue pairs the consumer serves: a provider offers the guest
	 * no more than that. 0 means the provider's own maximum.
	 */
	uint16_t max_queue_pairs;
	uint64_t flags; /**< reserved, 0 */
};

/**
 * Events.
 *
 * All are raised by the provider on its control thread (RTE_EMUDEV_EVENT_REMOVED
 * by the library, on the thread that unregisters the device) and delivered
 * synchronously: the provider goes on when every callback returned. The
 * contracts below bind the consumer when its callback returns.
 */
enum rte_emudev_event_type {
	/** The guest enabled a queue (rte_emudev_event::queue). */
	RTE_EMUDEV_EVENT_QUEUE_ENABLED = 0,
	/**
	 * The guest disabled a queue (rte_emudev_event::queue). Contract:
	 * when the callback returns, the consumer no longer touches the
	 * queue's ring, doorbell or buffers (the guest may free them).
	 */
	RTE_EMUDEV_EVENT_QUEUE_DISABLED,
	/**
	 * The memory table is about to change. Contract: when the callback
	 * returns, no thread of the consumer uses the current table, nor any
	 * host pointer translated from it (rings, buffers), nor any
	 * ring_host of a queue info, until RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED
	 * (the provider then unmaps memory). rte_emudev_qstate_stop() helps
	 * to quiesce data-path lcores.
	 */
	RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING,
	/**
	 * The memory table changed (rte_emudev_event::mem): get the table
	 * and the queues' information again.
	 */
	RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED,
	/**
	 * The device was reset (by the guest, or because its client is
	 * gone): every queue is disabled, without a QUEUE_DISABLED event per
	 * queue. Contract: as QUEUE_DISABLED for every queue.
	 */
	RTE_EMUDEV_EVENT_RESET,
	/** The guest's driver finished initializing the device. */
	RTE_EMUDEV_EVENT_DEVICE_READY,
	/**
	 * The client (the guest's hypervisor) disconnected. The provider
	 * has emptied the memory table (CHANGING and CHANGED were raised)
	 * and reset the device (RESET was raised) before.
	 */
	RTE_EMUDEV_EVENT_CLIENT_GONE,
	/**
	 * The provider is unregistering the device (raised by the library).
	 * Contract: when the callback returns, the consumer stopped using
	 * the device entirely, its data path included (no more
	 * rte_emudev_irq_trigger(), doorbell or memory access); the id then
	 * becomes invalid and may later be given to another device. The
	 * device's callbacks are freed with it (unregistering them is
	 * neither needed nor possible: the id is already invalid).
	 */
	RTE_EMUDEV_EVENT_REMOVED,
	/**
	 * The receive configuration the guest asked of a network device
	 * changed (filters, promiscuous modes, VLAN, RSS): get it again with
	 * rte_emudev_net_rx_conf_get() (rte_emudev_net.h). Also raised when
	 * a reset or the client's departure brings it back to the defaults.
	 */
	RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED,
	/**
	 * The device stops (its state is about to be saved, or replaced, by
	 * a migration or a backend upgrade). Contract: when the callback
	 * returns, the consumer has completed every write into guest memory
	 * it began (descriptor write-backs included), raises no interrupt,
	 * touches no ring, buffer or doorbell, and has reported the position
	 * of every enabled queue with rte_emudev_queue_head_set(); it keeps
	 * so until RTE_EMUDEV_EVENT_RESUME, whatever other events come
	 * meanwhile (queues enabled or disabled, memory table changes,
	 * reset: it records them and applies them at RESUME).
	 */
	RTE_EMUDEV_EVENT_QUIESCE,
	/**
	 * The device runs again after RTE_EMUDEV_EVENT_QUIESCE: get each
	 * queue's information again (its head is where to go on) and resume.
	 */
	RTE_EMUDEV_EVENT_RESUME,
	/**
	 * Logging of the consumer's writes into guest memory was switched
	 * (rte_emudev_event::dirty_log). Contract for on: when the callback
	 * returns, every write of the consumer's threads into guest memory
	 * (buffers, descriptor write-backs) is reported with
	 * rte_emudev_dirty_mark() once done. For off: when the callback
	 * returns, no thread of the consumer calls rte_emudev_dirty_mark().
	 */
	RTE_EMUDEV_EVENT_DIRTY_LOG,
	RTE_EMUDEV_EVENT_MAX, /**< number of event types */
};

/** Register for every event type (rte_emudev_event_register()). */
#define RTE_EMUDEV_EVENT_ALL RTE_EMUDEV_EVENT_MAX

/** An event. */
struct rte_emudev_event {
	enum rte_emudev_event_type type; /**< event type */
	union {
		/** QUEUE_ENABLED and QUEUE_DISABLED: the queue. */
		struct {
			enum rte_emudev_queue_dir dir; /**< direction */
			uint16_t qid; /**< index in the direction */
		} queue;
		/** MEM_TABLE_CHANGED: the new table (as rte_emudev_mem_table_get()). */
		struct {
			const struct rte_emudev_mem_table *table; /**< new table */
			uint64_t generation; /**< its generation */
		} mem;
		/** DIRTY_LOG: whether logging is now on. */
		struct {
			bool on; /**< true: mark every write */
		} dirty_log;
	};
};

/**
 * Event callback.
 *
 * Runs on the provider's control thread (never a data-path lcore), with no
 * library lock held: it may call any function of this API, including
 * rte_emudev_event_unregister() of itself. It should return promptly: the
 * provider (and the guest) wait for it.
 *
 * @param dev_id device id
 * @param ev     the event (valid during the call)
 * @param arg    as registered
 */
typedef void (*rte_emudev_event_cb_t)(uint16_t dev_id, const struct rte_emudev_event *ev,
				      void *arg);

/*
 * __rte_experimental stands alone on the line before the return type (DPDK's
 * checkpatch); clang-format would join the two.
 */
/* clang-format off */
/** @return the number of registered devices. */
__rte_experimental
uint16_t rte_emudev_count(void);

/**
 * @return whether dev_id is the id of a registered device (that is not
 *   being removed).
 */
__rte_experimental
bool rte_emudev_is_valid(uint16_t dev_id);

/**
 * Next registered device, for iterations (see RTE_EMUDEV_FOREACH).
 *
 * @return the smallest valid id >= start, or RTE_EMUDEV_MAX_DEVS.
 */
__rte_experimental
uint16_t rte_emudev_find_next(uint16_t start);

/** Iterate over the ids of the registered devices. */
#define RTE_EMUDEV_FOREACH(id) \
	for ((id) = rte_emudev_find_next(0); (id) < RTE_EMUDEV_MAX_DEVS; \
	     (id) = rte_emudev_find_next((uint16_t)((id) + 1)))

/**
 * Find a device by name.
 *
 * @return 0 with *dev_id set; -EINVAL when name or dev_id is NULL or name
 *   is empty or too long; -ENODEV when no such device is registered.
 */
__rte_experimental
int rte_emudev_get_id_by_name(const char *name, uint16_t *dev_id);

/**
 * Get device information.
 *
 * @return 0; -ENODEV for a bad id; -EINVAL when info is NULL; a negative
 *   errno from the provider.
 */
__rte_experimental
int rte_emudev_info_get(uint16_t dev_id, struct rte_emudev_info *info);

/**
 * Get the current memory table.
 *
 * The table is owned by the library and valid until the next
 * RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING of the device (or its removal): a
 * consumer that keeps it, or a copy of it (RTE_EMUDEV_MEM_TABLE_SIZE()
 * bytes: the host pointers it holds have the same lifetime), must be
 * registered for that event. Get it on the control path (when the
 * consumer starts, on MEM_TABLE_CHANGED) and publish it to the data path.
 *
 * @return 0 with *table set; -ENODEV for a bad id; -EINVAL when table is
 *   NULL; -EAGAIN while the table is changing (between MEM_TABLE_CHANGING
 *   and MEM_TABLE_CHANGED).
 */
__rte_experimental
int rte_emudev_mem_table_get(uint16_t dev_id, const struct rte_emudev_mem_table **table);

/**
 * Get the information of a queue.
 *
 * @param dev_id device id
 * @param dir    direction
 * @param qid    index in the direction, < max_queue_pairs
 * @param info   where to put the information
 * @return 0; -ENODEV for a bad id; -EINVAL for a bad direction, a NULL
 *   info or a qid the provider refuses; -ENOTSUP when the device has no
 *   queues; a negative errno from the provider.
 */
__rte_experimental
int rte_emudev_queue_info_get(uint16_t dev_id, enum rte_emudev_queue_dir dir, uint16_t qid,
			      struct rte_emudev_queue_info *info);

/**
 * Raise an interrupt in the guest.
 *
 * Lock-free and safe from data-path lcores (the provider's implementation
 * must be too). Cheap when the guest did not arm the vector: a consumer may
 * call it after every burst that completed descriptors.
 *
 * @param dev_id device id (not checked against concurrent removal: see
 *               RTE_EMUDEV_EVENT_REMOVED)
 * @param vector interrupt vector, < nb_irq_vectors
 * @return 0 when signalled; -EAGAIN when the guest has not armed the vector
 *   (masked, or interrupts disabled); -ENODEV for a bad id; -EINVAL for a
 *   bad vector; -ENOTSUP when the device has no interrupts; a negative
 *   errno from the provider.
 */
__rte_experimental
int rte_emudev_irq_trigger(uint16_t dev_id, uint32_t vector);

/**
 * List the attributes of a device.
 *
 * @param dev_id device id
 * @param descs where to put up to max descriptions (may be NULL if max is 0)
 * @param max   entries in descs
 * @return the number of attributes of the device (may be more than max:
 *   then max were copied); -ENODEV for a bad id; -EINVAL when descs is NULL
 *   and max is not 0.
 */
__rte_experimental
int rte_emudev_attr_list(uint16_t dev_id, struct rte_emudev_attr_desc *descs, unsigned int max);

/**
 * Read an attribute.
 *
 * @param dev_id device id
 * @param name attribute name
 * @param buf  where to put the value, or NULL with len 0 to get its size
 * @param len  bytes in buf
 * @return the size of the value in bytes (then written to buf unless buf is
 *   NULL and len is 0); -ENODEV for a bad id; -EINVAL for a NULL name, a
 *   NULL buf with a non-zero len; -ENOENT for an unknown attribute;
 *   -ENOTSUP when the attribute is not readable; -ENOSPC when len is less
 *   than the size; a negative errno from the provider.
 */
__rte_experimental
int rte_emudev_attr_get(uint16_t dev_id, const char *name, void *buf, size_t len);

/**
 * Write an attribute.
 *
 * @param dev_id device id
 * @param name attribute name
 * @param buf  the value
 * @param len  bytes in buf: exactly the size of the attribute
 * @return 0; -ENODEV for a bad id; -EINVAL for a NULL name or buf or a
 *   wrong len; -ENOENT for an unknown attribute; -ENOTSUP when the
 *   attribute is not writable; a negative errno from the provider.
 */
__rte_experimental
int rte_emudev_attr_set(uint16_t dev_id, const char *name, const void *buf, size_t len);

/**
 * Configure the device for this consumer: the first step of the lifecycle
 * (closed -> configured). A configured device may be configured again
 * while it is stopped.
 *
 * @return 0; -ENODEV for a bad id; -EINVAL for a NULL conf or non-zero
 *   reserved flags; -EBUSY when started; a negative errno from the
 *   provider (the device then keeps its previous state).
 */
__rte_experimental
int rte_emudev_configure(uint16_t dev_id, const struct rte_emudev_conf *conf);

/**
 * Start the device (configured -> started): the consumer serves its
 * queues from now on. Starting a started device does nothing.
 *
 * @return 0; -ENODEV for a bad id; -EINVAL when not configured; a negative
 *   errno from the provider.
 */
__rte_experimental
int rte_emudev_start(uint16_t dev_id);

/**
 * Stop the device (started -> configured). Stopping a device that is not
 * started does nothing.
 *
 * @return 0; -ENODEV for a bad id; a negative errno from the provider (the
 *   device is considered stopped anyway).
 */
__rte_experimental
int rte_emudev_stop(uint16_t dev_id);

/**
 * Close the device (configured -> closed): the consumer releases it; it
 * stays registered and may be configured again, by this consumer or
 * another. Closing a closed device does nothing.
 *
 * @return 0; -ENODEV for a bad id; -EBUSY when started (stop it first); a
 *   negative errno from the provider (the device is considered closed
 *   anyway).
 */
__rte_experimental
int rte_emudev_close(uint16_t dev_id);

/**
 * Subscribe to events of a device.
 *
 * Callbacks of a device run in registration order; a callback registered
 * while an event is being delivered gets the next events, not that one.
 *
 * @param dev_id device id
 * @param type an event type, or RTE_EMUDEV_EVENT_ALL
 * @param cb   callback
 * @param arg  for cb
 * @return 0; -ENODEV for a bad id; -EINVAL for a bad type or a NULL cb;
 *   -EEXIST when (type, cb, arg) is already registered; -ENOMEM.
 */
__rte_experimental
int rte_emudev_event_register(uint16_t dev_id, enum rte_emudev_event_type type,
			      rte_emudev_event_cb_t cb, void *arg);

/**
 * Unsubscribe: remove the registration of (type, cb, arg).
 *
 * When this returns, the callback is not running and will not be called
 * again, except when called from the callback itself (it then returns
 * first). Waits for a delivery in progress on another thread.
 *
 * @return 0; -ENODEV for a bad id; -EINVAL for a bad type or a NULL cb;
 *   -ENOENT when not registered.
 */
__rte_experimental
int rte_emudev_event_unregister(uint16_t dev_id, enum rte_emudev_event_type type,
				rte_emudev_event_cb_t cb, void *arg);

/**
 * Name of an event type, for logs.
 *
 * @return a static string ("unknown" for a bad type).
 */
__rte_experimental
const char *rte_emudev_event_name(enum rte_emudev_event_type type);

/**
 * Report the position of a queue (the next descriptor the consumer would
 * take), as RTE_EMUDEV_EVENT_QUIESCE asks; the device saves it with its
 * state and gives it back in rte_emudev_queue_info::head.
 * @return 0; -EINVAL for a bad queue or head >= ring_size; -ENODEV;
 *   -ENOTSUP when the provider keeps no positions.
 */
__rte_experimental
int rte_emudev_queue_head_set(uint16_t dev_id, enum rte_emudev_queue_dir dir, uint16_t qid,
			      uint32_t head);

/**
 * Report a write of the consumer into guest memory
 * [gpa, gpa + len) while dirty logging is on (RTE_EMUDEV_EVENT_DIRTY_LOG).
 * For the data path: lock-free, any thread; a consumer calls it only
 * while logging is on (one predictable branch per burst when off).
 * Does nothing for an invalid device or when the provider logs nothing.
 */
__rte_experimental
void rte_emudev_dirty_mark(uint16_t dev_id, uint64_t gpa, uint64_t len);
/* clang-format on */

/**
 * @name Queue quiescing helpers
 *
 * A per-queue state word with which a consumer's control thread stops a
 * data-path lcore from using a queue, and waits until it has, without any
 * lock on the data path: the lcore enters the queue once per burst and
 * leaves it after (two atomic operations per burst, none when stopped).
 *
 * @code
 * // data path, per burst
 * if (!rte_emudev_qstate_enter(&q->qs))
 *         return 0;
 * n = process_ring(q);
 * rte_emudev_qstate_leave(&q->qs);
 *
 * // control thread, e.g. in a MEM_TABLE_CHANGING or QUEUE_DISABLED callback
 * rte_emudev_qstate_stop(&q->qs);   // returns once the burst in progress ended
 * ...                               // update q's pointers
 * rte_emudev_qstate_start(&q->qs);  // e.g. on MEM_TABLE_CHANGED
 * @endcode
 *
 * One data-path thread per queue at a time (a second one's enter fails
 * while the first is inside); the control side of a queue is one thread at
 * a time, and never the data-path thread while it is inside.
 * @{
 */

/** Data path must not use the queue. */
#define RTE_EMUDEV_QSTATE_STOPPED 0u
/** Data path may use the queue. */
#define RTE_EMUDEV_QSTATE_READY 1u
/** Data path is using the queue. */
#define RTE_EMUDEV_QSTATE_BUSY 2u
/** Data path is using the queue; the control side waits for it to leave. */
#define RTE_EMUDEV_QSTATE_STOPPING 3u

/** Queue state word; initialize with rte_emudev_qstate_init(). */
struct rte_emudev_qstate {
	uint32_t state; /**< RTE_EMUDEV_QSTATE_* */
};

/** Initialize a state word, stopped. */
static inline void
rte_emudev_qstate_init(struct rte_emudev_qstate *qs)
{
	__atomic_store_n(&qs->state, RTE_EMUDEV_QSTATE_STOPPED, __ATOMIC_RELEASE);
}

/**
 * Data path: enter the queue (once per burst).
 *
 * @return true when the queue may be used until rte_emudev_qstate_leave();
 *   false when it is stopped (do not touch it, do not call leave).
 */
static inline bool
rte_emudev_qstate_enter(struct rte_emudev_qstate *qs)
{
	uint32_t exp = RTE_EMUDEV_QSTATE_READY;

	if (__atomic_load_n(&qs->state, __ATOMIC_RELAXED) != RTE_EMUDEV_QSTATE_READY)
		return false;
	return __atomic_compare_exchange_n(&qs->state, &exp, RTE_EMUDEV_QSTATE_BUSY, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/** Data path: leave the queue after a successful rte_emudev_qstate_enter(). */
static inline void
rte_emudev_qstate_leave(struct rte_emudev_qstate *qs)
{
	uint32_t exp = RTE_EMUDEV_QSTATE_BUSY;

	if (!__atomic_compare_exchange_n(&qs->state, &exp, RTE_EMUDEV_QSTATE_READY, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		/* The control side asked us to stop: acknowledge. */
		__atomic_store_n(&qs->state, RTE_EMUDEV_QSTATE_STOPPED, __ATOMIC_RELEASE);
}

/**
 * Control side: stop the queue. When this returns, the data path is not
 * using the queue and will not until rte_emudev_qstate_start(); what it
 * wrote before leaving is visible. Waits (spinning with rte_pause()) for
 * the end of the burst in progress, if any.
 */
static inline void
rte_emudev_qstate_stop(struct rte_emudev_qstate *qs)
{
	uint32_t s = __atomic_load_n(&qs->state, __ATOMIC_ACQUIRE);

	for (;;) {
		if (s == RTE_EMUDEV_QSTATE_STOPPED)
			return;
		if (s == RTE_EMUDEV_QSTATE_READY) {
			if (__atomic_compare_exchange_n(&qs->state, &s, RTE_EMUDEV_QSTATE_STOPPED,
							false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
				return;
			continue; /* s reloaded */
		}
		if (s == RTE_EMUDEV_QSTATE_BUSY) {
			if (!__atomic_compare_exchange_n(&qs->state, &s, RTE_EMUDEV_QSTATE_STOPPING,
							 false, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
				continue; /* s reloaded */
			s = RTE_EMUDEV_QSTATE_STOPPING;
		}
		if (s == RTE_EMUDEV_QSTATE_STOPPING) {
			/* The data path acknowledges when it leaves. */
			rte_wait_until_equal_32(&qs->state, RTE_EMUDEV_QSTATE_STOPPED,
						__ATOMIC_ACQUIRE);
			return;
		}
		/* Not a state: never initialized; now stopped. */
		__atomic_store_n(&qs->state, RTE_EMUDEV_QSTATE_STOPPED, __ATOMIC_RELEASE);
		return;
	}
}

/**
 * Control side: let the data path use the queue again; what was written
 * before is visible to it when it enters.
 *
 * @return true; false when the queue was not stopped (nothing changed).
 */
static inline bool
rte_emudev_qstate_start(struct rte_emudev_qstate *qs)
{
	uint32_t exp = RTE_EMUDEV_QSTATE_STOPPED;

	return __atomic_compare_exchange_n(&qs->state, &exp, RTE_EMUDEV_QSTATE_READY, false,
					   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/** @return whether the queue is stopped (control side). */
static inline bool
rte_emudev_qstate_is_stopped(const struct rte_emudev_qstate *qs)
{
	return __atomic_load_n(&qs->state, __ATOMIC_ACQUIRE) == RTE_EMUDEV_QSTATE_STOPPED;
}

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* RTE_EMUDEV_H */
