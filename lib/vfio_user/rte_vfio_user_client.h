/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef RTE_VFIO_USER_CLIENT_H
#define RTE_VFIO_USER_CLIENT_H

/**
 * @file
 * RTE vfio-user client
 *
 * Connects to a vfio-user server and drives its device: negotiation,
 * device/region/IRQ information, mmap of sparse areas, DMA mappings from
 * file descriptors, IRQ eventfds, region access and reset. Calls are
 * synchronous (one request in flight) and must not be made concurrently on
 * one client from several threads.
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_compat.h>

#include "rte_vfio_user.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_vfio_user_client;

/** Client parameters; a NULL conf takes all defaults. */
struct rte_vfio_user_client_conf {
	/**
	 * Deadline of every call in milliseconds, from its start; 0 means
	 * 5000. It bounds all of a call's sends and receives together,
	 * whatever the server sends meanwhile; once it has passed the call
	 * returns -ETIMEDOUT and the connection is unusable (later calls
	 * return -ENOTCONN).
	 */
	uint32_t timeout_ms;
	/** max_msg_fds offered in VERSION; 0 means 16. */
	uint32_t max_msg_fds;
	/** max_data_xfer_size offered; 0 means 1 MiB. */
	uint32_t max_data_xfer_size;
};

/** What the server negotiated. */
struct rte_vfio_user_client_caps {
	uint16_t major; /**< protocol major version */
	uint16_t minor; /**< protocol minor version */
	uint32_t max_msg_fds; /**< most file descriptors per message */
	uint32_t max_data_xfer_size; /**< most data bytes per transfer */
	uint32_t max_dma_maps; /**< most DMA mappings at once */
	uint64_t pgsizes; /**< supported page sizes (bit mask) */
	bool write_multiple; /**< REGION_WRITE_MULTI accepted */
	/** The server offered the "migration" capability. */
	bool migration;
	uint64_t mig_pgsize; /**< its DMA logging page sizes (bit mask) */
	uint64_t mig_max_bitmap_size; /**< most bytes of a dirty bitmap */
};

/** DEVICE_GET_INFO answer. */
struct rte_vfio_user_device_info {
	uint32_t flags; /**< RTE_VFIO_USER_DEV_RESET | RTE_VFIO_USER_DEV_PCI */
	uint32_t num_regions; /**< regions */
	uint32_t num_irqs; /**< IRQ indices */
};
#define RTE_VFIO_USER_DEV_RESET 0x1u /**< the device can be reset */
#define RTE_VFIO_USER_DEV_PCI 0x2u /**< a PCI device */

/** GET_REGION_INFO answer. */
struct rte_vfio_user_region_info {
	uint64_t size; /**< bytes */
	uint32_t flags; /**< RTE_VFIO_USER_REGION_* */
	uint64_t fd_offset; /**< mmap offset in fd */
	int fd; /**< owned by the client, -1 if none */
	uint32_t nr_sparse; /**< 0 with fd >= 0: whole region mmappable */
	struct rte_vfio_user_sparse_area sparse[RTE_VFIO_USER_MAX_SPARSE]; /**< the areas */
};

/** IRQ information flags. */
#define RTE_VFIO_USER_IRQ_EVENTFD 0x1u
#define RTE_VFIO_USER_IRQ_MASKABLE 0x2u /**< vectors can be masked */
#define RTE_VFIO_USER_IRQ_AUTOMASKED 0x4u /**< masked when it fires */
#define RTE_VFIO_USER_IRQ_NORESIZE 0x8u /**< vector count fixed */

/**
 * Connect to the server at path and negotiate the version.
 * @return the client, or NULL with rte_errno set (ENOENT/ECONNREFUSED when
 *   nobody serves the path, EPROTO when the server is not vfio-user or
 *   refused the version, EBUSY when the device already has a client,
 *   ETIMEDOUT).
 */
__rte_experimental
struct rte_vfio_user_client *
rte_vfio_user_client_connect(const char *path, const struct rte_vfio_user_client_conf *conf);

/** Unmap the areas mapped through the client, close its fds, disconnect. */
__rte_experimental
void rte_vfio_user_client_close(struct rte_vfio_user_client *c);

/** @return what the server negotiated. */
__rte_experimental
const struct rte_vfio_user_client_caps *
rte_vfio_user_client_caps(const struct rte_vfio_user_client *c);

/** @return 0 or a negative errno (the server's, or a transport error). */
__rte_experimental
int rte_vfio_user_client_device_info(struct rte_vfio_user_client *c,
				     struct rte_vfio_user_device_info *info);

/**
 * Get a region's size, flags, sparse areas and fd. The fd stays owned by
 * the client and is closed by rte_vfio_user_client_close().
 */
__rte_experimental
int rte_vfio_user_client_region_info(struct rte_vfio_user_client *c, uint32_t index,
				     struct rte_vfio_user_region_info *info);

/**
 * mmap a sparse area (area < nr_sparse) or, with area == UINT32_MAX, the
 * whole region, read-write shared. Unmapped on close. Only a regular file
 * sealed against shrinking is mapped, so that the server cannot make
 * accesses fault later: the client adds F_SEAL_SHRINK if the server did
 * not and the file takes seals (a memfd made with MFD_ALLOW_SEALING); a
 * file that cannot be sealed, or is not a regular file, is refused
 * (rte_errno EPERM). The file must cover the area (else EPROTO).
 * @return the address, or NULL with rte_errno set.
 */
__rte_experimental
void *rte_vfio_user_client_region_mmap(struct rte_vfio_user_client *c, uint32_t index,
				       uint32_t area);

/** Get an IRQ index's vector count and RTE_VFIO_USER_IRQ_* flags. */
__rte_experimental
int rte_vfio_user_client_irq_info(struct rte_vfio_user_client *c, uint32_t index, uint32_t *count,
				  uint32_t *flags);

/**
 * Give eventfds for vectors [start, start + count) of an index (fds sent
 * in batches of the negotiated max_msg_fds); a fd of -1 deassigns that
 * vector. With fds == NULL, deassign the range. count == 0 with
 * start == 0 disables the whole index.
 */
__rte_experimental
int rte_vfio_user_client_set_irqs(struct rte_vfio_user_client *c, uint32_t index, uint32_t start,
				  uint32_t count, const int *fds);

/** Mask or unmask vectors [start, start + count) of an index. */
__rte_experimental
int rte_vfio_user_client_irq_mask(struct rte_vfio_user_client *c, uint32_t index, uint32_t start,
				  uint32_t count, bool mask);

/**
 * Read a region (split into transfers of max_data_xfer_size).
 * @return 0 or a negative errno.
 */
__rte_experimental
int rte_vfio_user_client_region_read(struct rte_vfio_user_client *c, uint32_t index,
				     uint64_t offset, void *buf, uint32_t len);

/**
 * Write a region. A posted write is sent with NO_REPLY and not waited
 * for (errors then go unreported, as with QEMU's posted writes).
 */
__rte_experimental
int rte_vfio_user_client_region_write(struct rte_vfio_user_client *c, uint32_t index,
				      uint64_t offset, const void *buf, uint32_t len, bool posted);

/**
 * Map [iova, iova + size) to (fd, fd_offset) in the server's DMA table.
 * fd may be -1 (the server then cannot reach that memory directly).
 * @param c         the client
 * @param fd        file descriptor of the memory, or -1
 * @param fd_offset offset of iova's memory in fd
 * @param iova      guest (I/O virtual) address
 * @param size      bytes
 * @param prot      RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE
 */
__rte_experimental
int rte_vfio_user_client_dma_map(struct rte_vfio_user_client *c, int fd, uint64_t fd_offset,
				 uint64_t iova, uint64_t size, uint32_t prot);

/**
 * Unmap [iova, iova + size): the server removes every mapping lying
 * entirely inside (none is not an error) and refuses (-EINVAL, nothing
 * removed) a range that cuts a mapping in two. The range may end at the
 * top of the address space; size 0 or a wrapping range gives -EINVAL.
 */
__rte_experimental
int rte_vfio_user_client_dma_unmap(struct rte_vfio_user_client *c, uint64_t iova, uint64_t size);

/** Unmap everything (the UNMAP_ALL flag, as QEMU does). */
__rte_experimental
int rte_vfio_user_client_dma_unmap_all(struct rte_vfio_user_client *c);

/** DEVICE_RESET. */
__rte_experimental
int rte_vfio_user_client_reset(struct rte_vfio_user_client *c);

/**
 * DEVICE_FEATURE GET MIGRATION.
 * @param c     the client
 * @param flags RTE_VFIO_USER_MIG_F_* the device supports
 * @return 0; -ENOTSUP when the device does not migrate.
 */
__rte_experimental
int rte_vfio_user_client_mig_flags(struct rte_vfio_user_client *c, uint64_t *flags);

/** DEVICE_FEATURE GET MIG_DEVICE_STATE. */
__rte_experimental
int rte_vfio_user_client_mig_state_get(struct rte_vfio_user_client *c,
				       enum rte_vfio_user_mig_state *state);

/**
 * DEVICE_FEATURE SET MIG_DEVICE_STATE: move the device to state (the server
 * takes the intermediate arcs).
 * @return 0; a negative errno (-EINVAL for a transition the device refuses;
 *   the device may then be in an intermediate state or in ERROR: see
 *   rte_vfio_user_client_mig_state_get()).
 */
__rte_experimental
int rte_vfio_user_client_mig_state_set(struct rte_vfio_user_client *c,
				       enum rte_vfio_user_mig_state state);

/**
 * MIG_DATA_READ (in STOP_COPY or PRE_COPY): read the next bytes of the
 * device's migration data (split into transfers of max_data_xfer_size).
 * @return bytes read (fewer than len, 0 included, at the end of the
 *   data), or a negative errno.
 */
__rte_experimental
int rte_vfio_user_client_mig_data_read(struct rte_vfio_user_client *c, void *buf, uint32_t len);

/** MIG_DATA_WRITE (in RESUMING): append bytes to the device's data. */
__rte_experimental
int rte_vfio_user_client_mig_data_write(struct rte_vfio_user_client *c, const void *buf,
					uint32_t len);

/** A range of guest (I/O virtual) addresses. */
struct rte_vfio_user_dma_range {
	uint64_t iova; /**< start */
	uint64_t length; /**< bytes */
};

/**
 * DEVICE_FEATURE SET DMA_LOGGING_START: the server logs the device's writes
 * into ranges (page_size aligned, not overlapping) at page_size granularity
 * (a power of two in the server's mig_pgsize).
 */
__rte_experimental
int rte_vfio_user_client_dma_logging_start(struct rte_vfio_user_client *c, uint64_t page_size,
					   const struct rte_vfio_user_dma_range *ranges,
					   uint32_t nb_ranges);

/** DEVICE_FEATURE SET DMA_LOGGING_STOP. */
__rte_experimental
int rte_vfio_user_client_dma_logging_stop(struct rte_vfio_user_client *c);

/**
 * DEVICE_FEATURE GET DMA_LOGGING_REPORT: get and clear the dirty bits of
 * [iova, iova + length) (page_size aligned, in the logged ranges), split
 * into as many requests as the negotiated sizes need.
 * @param c         the client
 * @param iova      start of the range (a multiple of page_size)
 * @param length    bytes (a multiple of page_size, > 0)
 * @param page_size the page size logging was started with
 * @param bitmap    one bit per page, bit i % 64 of word i / 64 for page i
 *   (RTE_ALIGN_CEIL(length / page_size, 64) / 8 bytes, all written)
 * @return 0; -EINVAL for bad arguments or a range the server does not log
 *   (or logging off); -ENOTSUP when the server did not offer migration;
 *   -EPROTO for a bad reply.
 */
__rte_experimental
int rte_vfio_user_client_dma_logging_report(struct rte_vfio_user_client *c, uint64_t iova,
					    uint64_t length, uint64_t page_size, uint64_t *bitmap);

/**
 * Bound every later call, in addition to its own timeout_ms: none ends
 * later than ms milliseconds from now (a caller's deadline over several
 * calls). Past it a call returns -ETIMEDOUT and the connection is unusable,
 * as after its own timeout. ms == 0 removes the bound.
 * @return 0, or -EINVAL for a NULL client.
 */
__rte_experimental
int rte_vfio_user_client_deadline_set(struct rte_vfio_user_client *c, uint32_t ms);

/** @return the socket fd (to poll it for a hang-up), or -1. */
__rte_experimental
int rte_vfio_user_client_fd(const struct rte_vfio_user_client *c);

#ifdef __cplusplus
}
#endif

#endif /* RTE_VFIO_USER_CLIENT_H */
