/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef RTE_VFIO_USER_H
#define RTE_VFIO_USER_H

/**
 * @file
 * RTE vfio-user server
 *
 * A vfio-user server makes the application a PCI device for a vfio-user
 * client (such as QEMU's vfio-user-pci). One server context serves one
 * device on one UNIX socket, one client at a time. All sockets of the process
 * are served by a single DPDK control thread (created with
 * rte_thread_create_control(), or rte_ctrl_thread_create() before DPDK
 * 23.11, on the first rte_vfio_user_server_start()), never by a data-path
 * lcore; every callback below runs on that thread.
 *
 * The library owns the PCI configuration space (with BAR sizing and the
 * capability list), the region table, the IRQ table (eventfds and masks)
 * and the DMA table (the client's memory, mapped from its fds). The device
 * owns everything behind the regions' read/write callbacks.
 *
 * Clients are not trusted: every fd a client sends is checked (IRQ fds
 * must be eventfds; DMA memory a regular file sealed against shrinking,
 * unless RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY), region fds handed out
 * are sealed, the number of DMA mappings is bounded, and the control thread
 * never waits for a client (one that does not read its replies is dropped).
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Region indices of a PCI device (as in VFIO). */
enum rte_vfio_user_region_index {
	RTE_VFIO_USER_REGION_BAR0 = 0,
	RTE_VFIO_USER_REGION_BAR1,
	RTE_VFIO_USER_REGION_BAR2,
	RTE_VFIO_USER_REGION_BAR3,
	RTE_VFIO_USER_REGION_BAR4,
	RTE_VFIO_USER_REGION_BAR5,
	RTE_VFIO_USER_REGION_ROM,
	RTE_VFIO_USER_REGION_CONFIG,
	RTE_VFIO_USER_REGION_VGA,
	RTE_VFIO_USER_NUM_REGIONS,
};

/** IRQ indices of a PCI device (as in VFIO). */
enum rte_vfio_user_irq_index {
	RTE_VFIO_USER_IRQ_INTX = 0,
	RTE_VFIO_USER_IRQ_MSI,
	RTE_VFIO_USER_IRQ_MSIX,
	RTE_VFIO_USER_IRQ_ERR,
	RTE_VFIO_USER_IRQ_REQ,
	RTE_VFIO_USER_NUM_IRQS,
};

/** Region flags (as on the wire). */
#define RTE_VFIO_USER_REGION_READ 0x1u
#define RTE_VFIO_USER_REGION_WRITE 0x2u /**< writable */
#define RTE_VFIO_USER_REGION_MMAP 0x4u /**< mmappable */

/** BAR type flags for rte_vfio_user_region_conf::bar_flags. */
#define RTE_VFIO_USER_BAR_MEM64 0x1u /**< 64-bit memory BAR */
#define RTE_VFIO_USER_BAR_PREFETCH 0x2u /**< prefetchable */
#define RTE_VFIO_USER_BAR_IO 0x4u /**< I/O space BAR */

/** Size of the PCI configuration space the library emulates. */
#define RTE_VFIO_USER_PCI_CFG_SIZE 4096u

/** Most sparse mmap areas per region. */
#define RTE_VFIO_USER_MAX_SPARSE 16u

/** Access flags for rte_vfio_user_dma_translate(). */
#define RTE_VFIO_USER_DMA_READ 0x1u
#define RTE_VFIO_USER_DMA_WRITE 0x2u /**< writable */

struct rte_vfio_user_server;

/** An mmappable window of a region, relative to the region's start. */
struct rte_vfio_user_sparse_area {
	uint64_t offset; /**< page aligned */
	uint64_t size; /**< page aligned, > 0 */
};

/**
 * Trapped access to a region.
 *
 * @param arg    rte_vfio_user_region_conf::arg
 * @param offset offset in the region (already checked: offset + count is
 *               within the region's size)
 * @param buf    data to write, or where to put the data read
 * @param count  bytes, 1 .. the negotiated max transfer size
 * @param write  true for a write
 * @return 0, or a negative errno that is sent to the client.
 */
typedef int (*rte_vfio_user_region_access_t)(void *arg, uint64_t offset, void *buf, uint32_t count,
					     bool write);

/** Description of one region (a BAR, or the ROM). */
struct rte_vfio_user_region_conf {
	uint64_t size; /**< bytes; a BAR's size must be a power of two */
	uint32_t flags; /**< RTE_VFIO_USER_REGION_READ | _WRITE */
	uint32_t bar_flags; /**< RTE_VFIO_USER_BAR_* */
	rte_vfio_user_region_access_t access; /**< trapped accesses, or NULL */
	void *arg; /**< for access */
	/**
	 * File descriptor backing the mmappable parts of the region, or -1.
	 * The library duplicates it; the caller keeps its own.
	 */
	int fd;
	uint64_t fd_offset; /**< mmap offset of the region's start in fd */
	/**
	 * Number of sparse areas; 0 with fd >= 0 means the whole region
	 * may be mmapped.
	 */
	uint32_t nr_sparse;
	struct rte_vfio_user_sparse_area sparse[RTE_VFIO_USER_MAX_SPARSE]; /**< the areas */
};

/** PCI identity written into the configuration space header. */
struct rte_vfio_user_pci_id {
	uint16_t vendor_id; /**< vendor ID */
	uint16_t device_id; /**< device ID */
	uint16_t subsys_vendor_id; /**< subsystem vendor ID */
	uint16_t subsys_id; /**< subsystem ID */
	uint8_t revision; /**< revision ID */
	uint32_t class_code; /**< 24 bits: base class, subclass, prog-if */
};

/** Why the device is being reset. */
enum rte_vfio_user_reset_reason {
	RTE_VFIO_USER_RESET_REQUEST = 0, /**< DEVICE_RESET from the client */
	RTE_VFIO_USER_RESET_FLR, /**< function-level reset (config) */
};

/** Phase of a DMA table change. */
enum rte_vfio_user_dma_event {
	/** The table is about to change: stop using translated pointers. */
	RTE_VFIO_USER_DMA_CHANGE_BEGIN = 0,
	/** The table changed: translate again. */
	RTE_VFIO_USER_DMA_CHANGE_END,
};

/** Device callbacks, all called on the control thread; any may be NULL. */
struct rte_vfio_user_server_ops {
	/** A client connected (after VERSION negotiation). */
	void (*connected)(void *arg);
	/**
	 * The client is gone; its DMA mappings are already unmapped, its
	 * IRQ eventfds closed and the configuration space is back to its
	 * power-on state. The rest of the device state is the device's to
	 * reset.
	 */
	void (*disconnected)(void *arg);
	/** Reset the device; return 0 or a negative errno. */
	int (*reset)(void *arg, enum rte_vfio_user_reset_reason reason);
	/**
	 * The DMA table is about to change (BEGIN) or has changed (END).
	 * Between the two, nothing may use pointers returned by
	 * rte_vfio_user_dma_translate(): a device with data-path threads
	 * quiesces them on BEGIN and resumes on END.
	 */
	void (*dma_change)(void *arg, enum rte_vfio_user_dma_event ev);
	/** The eventfds or masks of an IRQ index changed. */
	void (*irq_change)(void *arg, uint32_t index);
	/**
	 * The client wrote the configuration space (the write has been
	 * applied with the registers' write masks).
	 */
	void (*cfg_write)(void *arg, uint32_t offset, uint32_t len);
	/**
	 * The client started (on == true) or stopped (false) DMA logging.
	 * On start, the log is ready before the call: from the call on,
	 * the device reports what it writes with
	 * rte_vfio_user_dma_mark_dirty(), and makes its data-path threads
	 * do so before it returns. On stop, the device makes its threads
	 * stop marking before it returns; the library frees the log after.
	 * It cannot fail: whatever can (the memory budget, the allocation)
	 * is done before it, and a failed start leaves nothing behind.
	 * NULL: the device cannot log its DMA, and DMA_LOGGING_* is refused
	 * (ENOTSUP) rather than a log nobody marks. A device that writes
	 * guest memory only through rte_vfio_user_dma_write() (which marks)
	 * needs no marking of its own, but its callback must still, on stop,
	 * wait for every rte_vfio_user_dma_write() in progress on its other
	 * threads (e.g. take the lock they hold): the log is freed after it
	 * returns. A reset (DEVICE_RESET, FLR) does not
	 * stop logging; a DMA_LOGGING_STOP or the client's disconnection does.
	 */
	void (*dma_logging)(void *arg, bool on);
};

/**
 * Device states of vfio-user migration (VFIO migration v2, same values
 * as on the wire).
 */
enum rte_vfio_user_mig_state {
	RTE_VFIO_USER_MIG_STATE_ERROR = 0, /**< failed; only a reset leaves it */
	RTE_VFIO_USER_MIG_STATE_STOP = 1, /**< no DMA, no interrupt, state frozen */
	RTE_VFIO_USER_MIG_STATE_RUNNING = 2, /**< normal operation */
	RTE_VFIO_USER_MIG_STATE_STOP_COPY = 3, /**< stopped, state readable */
	RTE_VFIO_USER_MIG_STATE_RESUMING = 4, /**< stopped, state writable */
	RTE_VFIO_USER_MIG_STATE_PRE_COPY = 6, /**< running, migration started */
};

/** Migration feature flags (as on the wire). */
#define RTE_VFIO_USER_MIG_F_STOP_COPY 0x1u /**< STOP, STOP_COPY, RESUMING */
#define RTE_VFIO_USER_MIG_F_PRE_COPY 0x4u /**< and PRE_COPY */

/** Most bytes of a migration data stream (the library's part included). */
#define RTE_VFIO_USER_MIG_MAX_DATA (16u << 20)

/**
 * Migration callbacks of a device (rte_vfio_user_server_conf::mig_ops),
 * all called on the control thread. The library runs the protocol: it
 * negotiates the "migration" capability, answers DEVICE_FEATURE
 * (MIGRATION, MIG_DEVICE_STATE, DMA_LOGGING_*), splits a requested state
 * change into the arcs of VFIO's state graph and refuses invalid ones,
 * buffers the data stream of MIG_DATA_READ/WRITE, and adds to it its own
 * part (the configuration space, the IRQ masks), which it validates on
 * load. The device only provides the arcs and its own state.
 *
 * A DEVICE_RESET (or an FLR) and a client's disconnection put the device
 * back in RUNNING without an arc, whatever its state (ERROR included): the
 * reset and disconnected callbacks leave the device running. A reset drops
 * the data stream but keeps DMA logging and its marks (the client may be
 * in the middle of a migration, copying guest memory the device goes on
 * writing); a disconnection also stops logging. A reset callback that
 * fails changes nothing of the migration.
 *
 * The messages are served only to a client whose VERSION negotiated the
 * "migration" capability (ENOTSUP otherwise), the DMA logging ones only
 * when the device has a dma_logging callback. After a
 * successful load() the library has applied its own part (configuration
 * space, IRQ masks) and calls cfg_write (offset 0, the whole space) and
 * irq_change (each index with vectors).
 */
struct rte_vfio_user_mig_ops {
	/** RTE_VFIO_USER_MIG_F_STOP_COPY, optionally | RTE_VFIO_USER_MIG_F_PRE_COPY. */
	uint32_t flags;
	/**
	 * Take one arc of the state graph. The arcs are RUNNING->STOP,
	 * STOP->RUNNING, STOP->STOP_COPY, STOP_COPY->STOP, STOP->RESUMING,
	 * RESUMING->STOP and, with PRE_COPY, RUNNING->PRE_COPY,
	 * PRE_COPY->RUNNING, PRE_COPY->STOP_COPY. On an arc into STOP or
	 * STOP_COPY from a running state the device stops: when it returns,
	 * neither the device nor its consumers write guest memory or raise
	 * interrupts, and its state is frozen. On STOP->RUNNING it runs again
	 * (after a load: with the loaded state). The library calls save()
	 * after the arc into STOP_COPY, and load() before RESUMING->STOP.
	 * @return 0, or a negative errno: the device is then in ERROR.
	 */
	int (*state_change)(void *arg, enum rte_vfio_user_mig_state from,
			    enum rte_vfio_user_mig_state to);
	/** @return the most bytes save() would write now. */
	size_t (*state_size)(void *arg);
	/**
	 * Write the device's state into buf (len >= state_size()); the device
	 * is stopped.
	 * @return bytes written, or a negative errno.
	 */
	ssize_t (*save)(void *arg, void *buf, size_t len);
	/**
	 * Check and apply a state written by save() of this or another
	 * process, possibly of another build: nothing in it is trusted. On
	 * success the device holds exactly that state (it runs on the next
	 * STOP->RUNNING).
	 * @return 0; a negative errno (-EINVAL for a corrupt, truncated or
	 *   foreign state, -EPROTONOSUPPORT for an unknown format version)
	 *   with the device's state unchanged.
	 */
	int (*load)(void *arg, const void *buf, size_t len);
};

/**
 * Server flag: trust the client's DMA memory.
 *
 * Without it, a DMA_MAP's fd must be a regular file sealed against
 * shrinking (F_SEAL_SHRINK, as set by QEMU's memory-backend-memfd with its
 * default seal=on, also with hugetlb=on); other memory is refused with
 * EPERM. With it, any regular file is mapped: the client can then shrink
 * the file under the server's mappings, and the next device access to the
 * lost pages kills the process with SIGBUS. Set it only when every client
 * of the server is trusted as much as the application itself (say, a DPDK
 * client whose memory is hugepage files, which cannot be sealed).
 */
#define RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY 0x1u

/** Default of rte_vfio_user_server_conf::max_dma_maps. */
#define RTE_VFIO_USER_DEFAULT_MAX_DMA_MAPS 2048u

/** Server parameters. */
struct rte_vfio_user_server_conf {
	const char *path; /**< UNIX socket path (copied) */
	/** Mode of the socket file; 0 means 0600. */
	mode_t socket_mode;
	struct rte_vfio_user_pci_id pci_id; /**< PCI identity */
	/** Vectors per IRQ index; INTx is at most 1, MSI at most 32. */
	uint32_t irq_count[RTE_VFIO_USER_NUM_IRQS];
	/**
	 * Most DMA mappings a client may create (each is an mmap of the
	 * process); 0 means RTE_VFIO_USER_DEFAULT_MAX_DMA_MAPS.
	 */
	uint32_t max_dma_maps;
	const struct rte_vfio_user_server_ops *ops; /**< callbacks, or NULL */
	void *arg; /**< passed to every callback */
	/** RTE_VFIO_USER_SERVER_F_*; 0 for the safe defaults. */
	uint32_t flags;
	/**
	 * Migration callbacks (the pointer is kept), or NULL: the device does
	 * not migrate (DEVICE_FEATURE MIGRATION is refused with ENOTSUP and
	 * VERSION offers no "migration" capability). Needs state_change,
	 * state_size, save and load.
	 */
	const struct rte_vfio_user_mig_ops *mig_ops;
};

/**
 * Create a device context. Nothing is listening until
 * rte_vfio_user_server_start().
 *
 * @return the context, or NULL with rte_errno set (EINVAL for a bad
 *   configuration, ENAMETOOLONG for a socket path too long, ENOMEM).
 */
__rte_experimental
struct rte_vfio_user_server *
rte_vfio_user_server_create(const struct rte_vfio_user_server_conf *conf);

/**
 * Declare a BAR or the ROM (indices 0..6). Only before start.
 *
 * A region's fd is handed to every client that asks for the region's
 * info: the library seals it against shrinking and growing
 * (F_SEAL_SHRINK | F_SEAL_GROW, added when missing), so that no client
 * can make the pages the device reads vanish. Create it with
 * memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING) and give it its final
 * size first.
 *
 * @return 0; -EINVAL for a bad index, size, flag or sparse area (not page
 *   aligned, overlapping, outside the region, fd missing) or an fd smaller
 *   than the mmappable part of the region; -EPERM for an fd that cannot be
 *   sealed (not a memfd created with MFD_ALLOW_SEALING, or sealed with
 *   F_SEAL_SEAL without the two seals); -EBUSY once started.
 */
__rte_experimental
int rte_vfio_user_server_set_region(struct rte_vfio_user_server *srv, uint32_t index,
				    const struct rte_vfio_user_region_conf *conf);

/**
 * Replace the fd backing the mmappable parts of a region declared with an
 * fd (same fd_offset, size and sparse areas): the next REGION_INFO hands
 * out the new one. A device gives each client fresh memory this way, so
 * that a departed client's mappings no longer reach the device.
 *
 * The library duplicates fd (the caller keeps its own) and seals it as
 * rte_vfio_user_server_set_region() does; it closes its copy of the old
 * one (a reply already queued keeps its own duplicate).
 *
 * Allowed before start, while no client is connected, or from the
 * connected and disconnected callbacks (on the control thread).
 *
 * @return 0; -EINVAL for a bad index, a region declared without an fd, a
 *   bad fd or one too small for the region; -EPERM for an fd that cannot
 *   be sealed; -EBUSY when a client is connected and the caller is not the
 *   thread serving it.
 */
__rte_experimental
int rte_vfio_user_server_set_region_fd(struct rte_vfio_user_server *srv, uint32_t index, int fd);

/**
 * Append a standard capability to the configuration space's list.
 *
 * @param srv     the server
 * @param cap_id  PCI capability ID
 * @param body    the capability after its ID and next-pointer bytes
 * @param len     bytes in body
 * @param wmask   per-byte write masks for body, or NULL (read-only)
 * @param offset  where the capability was put (its ID byte), if not NULL
 * @return 0, -ENOSPC when the 256-byte space is full, -EBUSY once started.
 */
__rte_experimental
int rte_vfio_user_pci_cap_add(struct rte_vfio_user_server *srv, uint8_t cap_id, const void *body,
			      uint8_t len, const uint8_t *wmask, uint16_t *offset);

/**
 * Add an MSI-X capability for the vectors of RTE_VFIO_USER_IRQ_MSIX with
 * the table at (table_bar, table_offset) and the PBA at (pba_bar,
 * pba_offset). The BARs must have been declared and be large enough.
 */
__rte_experimental
int rte_vfio_user_pci_msix_cap_add(struct rte_vfio_user_server *srv, uint8_t table_bar,
				   uint32_t table_offset, uint8_t pba_bar, uint32_t pba_offset,
				   uint16_t *offset);

/**
 * Add a PCI Express capability (version 2, endpoint, FLR supported).
 * An FLR initiated through it resets the device with
 * RTE_VFIO_USER_RESET_FLR.
 */
__rte_experimental
int rte_vfio_user_pci_exp_cap_add(struct rte_vfio_user_server *srv, uint16_t *offset);

/**
 * Read the current configuration space (as the client sees it).
 * @return 0, or -EINVAL when out of bounds.
 */
__rte_experimental
int rte_vfio_user_pci_cfg_read(struct rte_vfio_user_server *srv, uint32_t offset, void *buf,
			       uint32_t len);

/**
 * Create the socket (mode as configured; a stale socket file left by a dead
 * server is replaced; a live one or a non-socket file is an error) and
 * serve clients from the control thread.
 *
 * @return 0, or a negative errno (-EADDRINUSE when another server listens
 *   on the path, -ENOTSOCK when a file that is not a socket is there).
 */
__rte_experimental
int rte_vfio_user_server_start(struct rte_vfio_user_server *srv);

/**
 * Disconnect the client if any (as if it went away), close and remove
 * the socket, free the context. Must not be called from a callback.
 */
__rte_experimental
void rte_vfio_user_server_destroy(struct rte_vfio_user_server *srv);

/** @return true while a client is connected and negotiated. */
__rte_experimental
bool rte_vfio_user_server_connected(const struct rte_vfio_user_server *srv);

/** @return the socket path of the server. */
__rte_experimental
const char *rte_vfio_user_server_path(const struct rte_vfio_user_server *srv);

/**
 * Raise an interrupt: write the vector's eventfd (SET_IRQS only accepts
 * eventfds; a write never blocks, and is skipped when the client let the
 * counter fill up). Safe from any thread.
 *
 * @return 0 when signalled; -EAGAIN when the vector is masked (it is then
 *   pending and fires on unmask); -ENOENT when the client set no eventfd;
 *   -EINVAL for a bad index or vector.
 */
__rte_experimental
int rte_vfio_user_irq_trigger(struct rte_vfio_user_server *srv, uint32_t index, uint32_t vector);

/** @return whether (index, vector) has an eventfd and is not masked. */
__rte_experimental
bool rte_vfio_user_irq_enabled(struct rte_vfio_user_server *srv, uint32_t index, uint32_t vector);

/** One mapping of the DMA table. */
struct rte_vfio_user_dma_map {
	uint64_t iova; /**< guest address */
	uint64_t size; /**< bytes */
	void *vaddr; /**< where it is mapped here; NULL without an fd */
	uint32_t prot; /**< RTE_VFIO_USER_DMA_READ | _WRITE */
};

/**
 * Translate a guest range into a pointer.
 *
 * Lock-free and fast enough for per-packet use (a last-hit cache, then a
 * binary search). The whole range [iova, iova + len) must lie in one
 * mapping that allows prot, or in mappings adjacent in guest memory that
 * are adjacent here too (at most 256 of them, all allowing prot): the
 * server lays out every mapping below 2^40 that way, so that a ring or
 * buffer the guest's IOMMU mapped page by page is one range. Pointers stay
 * valid until the next RTE_VFIO_USER_DMA_CHANGE_BEGIN event.
 *
 * @return the pointer, or NULL when the range is not mapped (or wraps, or
 *   len is 0, or the mapping has no fd or lacks prot).
 */
__rte_experimental
void *rte_vfio_user_dma_translate(struct rte_vfio_user_server *srv, uint64_t iova, uint64_t len,
				  uint32_t prot);

/**
 * Copy from guest memory, possibly across adjacent mappings.
 * @return 0, or -EFAULT when a byte is not mapped readable.
 */
__rte_experimental
int rte_vfio_user_dma_read(struct rte_vfio_user_server *srv, uint64_t iova, void *buf,
			   uint64_t len);

/**
 * Copy into guest memory, possibly across adjacent mappings.
 * @return 0, or -EFAULT when a byte is not mapped writable.
 */
__rte_experimental
int rte_vfio_user_dma_write(struct rte_vfio_user_server *srv, uint64_t iova, const void *buf,
			    uint64_t len);

/**
 * Mark guest memory the device wrote as dirty, when the client logs DMA
 * (DMA_LOGGING_START): every page of the logged ranges that
 * [iova, iova + len) touches is set in the log, which DMA_LOGGING_REPORT
 * reads and clears. Lock-free (atomic bit operations), from any thread;
 * does nothing while logging is off or outside the logged ranges.
 * rte_vfio_user_dma_write() marks what it writes itself.
 */
__rte_experimental
void rte_vfio_user_dma_mark_dirty(struct rte_vfio_user_server *srv, uint64_t iova, uint64_t len);

/** @return whether the client has DMA logging on. */
__rte_experimental
bool rte_vfio_user_dma_logging(const struct rte_vfio_user_server *srv);

/**
 * @return the device's migration state (RUNNING when the device does not
 *   migrate or no client is connected).
 */
__rte_experimental
enum rte_vfio_user_mig_state rte_vfio_user_mig_state(const struct rte_vfio_user_server *srv);

/**
 * @return the name of a migration state ("RUNNING", "STOP_COPY", ...), or
 *   "?" for a value that is not a state.
 */
__rte_experimental
const char *rte_vfio_user_mig_state_name(enum rte_vfio_user_mig_state state);

/**
 * Default of rte_vfio_user_mig_mem_limit_set(): 256 MiB, 8 connections'
 * worth of the worst case (a 16 MiB stream and a 16 MiB dirty log each);
 * a real migration takes far less (a device state of a few KiB, a log of
 * 32 KiB per GiB of logged guest memory).
 */
#define RTE_VFIO_USER_MIG_MEM_LIMIT_DEFAULT ((size_t)256 << 20)

/**
 * Set the process-wide budget of migration memory: the data streams
 * (saved in STOP_COPY, received in RESUMING) and the dirty logs
 * (DMA_LOGGING_START) of every server's client together. A request that
 * would go beyond it fails with ENOMEM (logged), whatever the client;
 * those already holding memory keep it until they stop logging, leave
 * STOP_COPY or RESUMING, are reset or disconnect. Lowering the limit
 * below what is in use frees nothing: it refuses new allocations until
 * enough is given back. Any thread.
 *
 * @param bytes
 *   The budget in bytes (0: no migration memory at all).
 */
__rte_experimental
void rte_vfio_user_mig_mem_limit_set(size_t bytes);

/** @return the budget of rte_vfio_user_mig_mem_limit_set(). */
__rte_experimental
size_t rte_vfio_user_mig_mem_limit_get(void);

/** @return the migration memory in use now, every server together. */
__rte_experimental
size_t rte_vfio_user_mig_mem_used(void);

/**
 * Copy out the DMA table, sorted by iova.
 * @return the number of mappings (may exceed max; then only max copied).
 */
__rte_experimental
int rte_vfio_user_dma_table(struct rte_vfio_user_server *srv, struct rte_vfio_user_dma_map *maps,
			    uint32_t max);

#ifdef __cplusplus
}
#endif

#endif /* RTE_VFIO_USER_H */
