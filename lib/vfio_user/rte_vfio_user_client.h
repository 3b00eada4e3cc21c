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
 * whole region, read-write shared. Unmapped on close. A regular file must
 * cover the area (else rte_errno is EPROTO); it is sealed against
 * shrinking (F_SEAL_SHRINK) if the server did not do it and the file takes
 * seals, so that the server cannot make accesses fault later.
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

/** @return the socket fd (to poll it for a hang-up), or -1. */
__rte_experimental
int rte_vfio_user_client_fd(const struct rte_vfio_user_client *c);

#ifdef __cplusplus
}
#endif

#endif /* RTE_VFIO_USER_CLIENT_H */
