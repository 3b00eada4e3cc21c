/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef VFIO_USER_MSG_H
#define VFIO_USER_MSG_H

/**
 * @file
 * vfio-user message codec (internal).
 *
 * Pure functions that validate, decode and encode the messages of the
 * vfio-user protocol. They do no I/O and keep no state, so they can be unit
 * tested and fuzzed byte by byte. All multi-byte fields are in host byte
 * order (the protocol is host-endian). Every decoder returns 0 on success or
 * a negative errno:
 *  - -EINVAL: malformed (bad size, argsz, flags, reserved bits, JSON, ...)
 *  - -E2BIG:  a size beyond the negotiated limits
 *  - -ENOTSUP: well-formed but not supported
 *  - -ENOSPC: (encoders) the output buffer is too small
 * Decoders read payloads with memcpy, so the input needs no alignment.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ header */

#define VFIO_USER_HDR_SIZE 16u

enum vfio_user_cmd {
	VFIO_USER_CMD_VERSION = 1,
	VFIO_USER_CMD_DMA_MAP = 2,
	VFIO_USER_CMD_DMA_UNMAP = 3,
	VFIO_USER_CMD_DEVICE_GET_INFO = 4,
	VFIO_USER_CMD_DEVICE_GET_REGION_INFO = 5,
	VFIO_USER_CMD_DEVICE_GET_REGION_IO_FDS = 6,
	VFIO_USER_CMD_DEVICE_GET_IRQ_INFO = 7,
	VFIO_USER_CMD_DEVICE_SET_IRQS = 8,
	VFIO_USER_CMD_REGION_READ = 9,
	VFIO_USER_CMD_REGION_WRITE = 10,
	VFIO_USER_CMD_DMA_READ = 11,
	VFIO_USER_CMD_DMA_WRITE = 12,
	VFIO_USER_CMD_DEVICE_RESET = 13,
	/* 14 was DIRTY_PAGES, no longer defined */
	VFIO_USER_CMD_REGION_WRITE_MULTI = 15,
	VFIO_USER_CMD_DEVICE_FEATURE = 16,
	VFIO_USER_CMD_MIG_DATA_READ = 17,
	VFIO_USER_CMD_MIG_DATA_WRITE = 18,
	VFIO_USER_CMD_MAX = 18,
};

#define VFIO_USER_F_TYPE_MASK 0xfu
#define VFIO_USER_F_TYPE_COMMAND 0x0u
#define VFIO_USER_F_TYPE_REPLY 0x1u
#define VFIO_USER_F_NO_REPLY 0x10u
#define VFIO_USER_F_ERROR 0x20u
#define VFIO_USER_F_KNOWN (VFIO_USER_F_TYPE_MASK | VFIO_USER_F_NO_REPLY | VFIO_USER_F_ERROR)

struct vfio_user_hdr {
	uint16_t msg_id;
	uint16_t cmd;
	uint32_t size; /**< whole message including this header */
	uint32_t flags;
	uint32_t error; /**< errno, valid with VFIO_USER_F_ERROR */
};

/** Name of a command for logs ("VERSION", ...); "UNKNOWN" if not valid. */
const char *vfio_user_cmd_name(uint32_t cmd);

/** @return whether cmd is a command of the protocol. */
bool vfio_user_cmd_valid(uint32_t cmd);

/**
 * Decode and validate a message header: its framing only. An unknown
 * command number is not a framing error (the size is still good, so the
 * stream stays in step): the receiver answers it with EINVAL, see
 * vfio_user_cmd_valid().
 *
 * @param buf       at least VFIO_USER_HDR_SIZE bytes
 * @param len       bytes available in buf
 * @param max_size  the largest whole message accepted
 * @param hdr       decoded header
 * @return 0; -EINVAL if len < 16, size < 16, type neither command nor reply
 *   or unknown flag bits; -E2BIG if size > max_size (the stream cannot be
 *   trusted any longer).
 */
int vfio_user_hdr_decode(const void *buf, size_t len, uint32_t max_size, struct vfio_user_hdr *hdr);

/** Encode a header into 16 bytes at buf. */
void vfio_user_hdr_encode(void *buf, const struct vfio_user_hdr *hdr);

/* ------------------------------------------------------------ capabilities */

#define VFIO_USER_DEFAULT_MAX_MSG_FDS 1u
#define VFIO_USER_MAX_MSG_FDS_LIMIT 1024u
#define VFIO_USER_DEFAULT_MAX_DATA_XFER (1024u * 1024u)
#define VFIO_USER_MAX_DATA_XFER_LIMIT (64u * 1024u * 1024u)
#define VFIO_USER_DEFAULT_MAX_DMA_MAPS 65535u
#define VFIO_USER_DEFAULT_PGSIZES 4096ull
#define VFIO_USER_VERSION_MAJOR 0
#define VFIO_USER_VERSION_MINOR 2
/** Largest JSON accepted in VERSION. */
#define VFIO_USER_MAX_JSON_LEN 4096u

struct vfio_user_caps {
	uint32_t max_msg_fds;
	uint32_t max_data_xfer_size;
	uint32_t max_dma_maps;
	uint64_t pgsizes;
	bool write_multiple;
	bool twin_socket;
	bool migration; /**< a "migration" object was present */
	uint64_t mig_pgsize;
	uint64_t mig_max_bitmap_size;
};

/** Fill caps with the protocol's defaults (what applies without JSON). */
void vfio_user_caps_default(struct vfio_user_caps *caps);

struct vfio_user_version {
	uint16_t major;
	uint16_t minor;
	struct vfio_user_caps caps;
};

/**
 * Decode a VERSION payload (request or reply): major, minor and the
 * NUL-terminated JSON that must end within the payload. The JSON is parsed
 * with json-c; the top level must be an object; "capabilities", if present,
 * must be an object; each known capability must have the right JSON type and
 * a value in range (max_msg_fds 1..VFIO_USER_MAX_MSG_FDS_LIMIT, max_data_xfer_size
 * 1..VFIO_USER_MAX_DATA_XFER_LIMIT, max_dma_maps >= 1, pgsizes a non-zero set of
 * powers of two including 4096); unknown keys are ignored. Absent
 * capabilities take their defaults.
 */
int vfio_user_version_decode(const void *payload, size_t len, struct vfio_user_version *ver);

/**
 * Encode a VERSION payload with the JSON of caps. Only fields that differ
 * from defaults need be written; write_multiple is written when true,
 * migration (pgsize and max_bitmap_size) when caps->migration.
 * @return payload length, or -ENOSPC.
 */
int vfio_user_version_encode(void *buf, size_t cap, uint16_t major, uint16_t minor,
			     const struct vfio_user_caps *caps);

/* --------------------------------------------------------------------- DMA */

#define VFIO_USER_DMA_FLAG_READ 0x1u
#define VFIO_USER_DMA_FLAG_WRITE 0x2u
#define VFIO_USER_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP 0x1u
#define VFIO_USER_DMA_UNMAP_FLAG_ALL 0x2u

struct vfio_user_dma_map {
	uint32_t argsz;
	uint32_t flags;
	uint64_t offset; /**< offset into the fd */
	uint64_t addr; /**< guest (IO virtual) address */
	uint64_t size;
};
#define VFIO_USER_DMA_MAP_SIZE 32u

/**
 * @param nfds number of fds that came with the message (0 or 1 valid)
 * Checks: payload length == argsz == 32, flags only READ|WRITE, size > 0,
 * addr + size and offset + size do not wrap, addr, size and offset
 * multiples of pgsize (a power of two), nfds <= 1.
 */
int vfio_user_dma_map_decode(const void *payload, size_t len, unsigned int nfds, uint64_t pgsize,
			     struct vfio_user_dma_map *map);
int vfio_user_dma_map_encode(void *buf, size_t cap, const struct vfio_user_dma_map *map);

struct vfio_user_dma_unmap {
	uint32_t argsz;
	uint32_t flags;
	uint64_t addr;
	uint64_t size;
};
#define VFIO_USER_DMA_UNMAP_SIZE 24u

/**
 * Checks: payload length == 24 and argsz == 24 (no dirty bitmap: the flag
 * GET_DIRTY_BITMAP gives -ENOTSUP), flags only ALL|GET_DIRTY_BITMAP, with
 * ALL: addr == size == 0; without: size > 0 and addr + size - 1 does not
 * wrap (a range may end at the top of the address space).
 */
int vfio_user_dma_unmap_decode(const void *payload, size_t len, struct vfio_user_dma_unmap *unmap);
int vfio_user_dma_unmap_encode(void *buf, size_t cap, const struct vfio_user_dma_unmap *unmap);

/* ------------------------------------------------------------- device info */

#define VFIO_USER_DEV_FLAG_RESET 0x1u
#define VFIO_USER_DEV_FLAG_PCI 0x2u

struct vfio_user_device_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t num_regions;
	uint32_t num_irqs;
};
#define VFIO_USER_DEVICE_INFO_SIZE 16u

/** Request: length == 16, argsz >= 16. */
int vfio_user_device_info_decode(const void *payload, size_t len,
				 struct vfio_user_device_info *info);
int vfio_user_device_info_encode(void *buf, size_t cap, const struct vfio_user_device_info *info);

/* ------------------------------------------------------------- region info */

enum vfio_user_region_index {
	VFIO_USER_PCI_BAR0_REGION_INDEX = 0,
	VFIO_USER_PCI_BAR1_REGION_INDEX,
	VFIO_USER_PCI_BAR2_REGION_INDEX,
	VFIO_USER_PCI_BAR3_REGION_INDEX,
	VFIO_USER_PCI_BAR4_REGION_INDEX,
	VFIO_USER_PCI_BAR5_REGION_INDEX,
	VFIO_USER_PCI_ROM_REGION_INDEX,
	VFIO_USER_PCI_CONFIG_REGION_INDEX,
	VFIO_USER_PCI_VGA_REGION_INDEX,
	VFIO_USER_PCI_NUM_REGIONS,
};

#define VFIO_USER_REGION_FLAG_READ 0x1u
#define VFIO_USER_REGION_FLAG_WRITE 0x2u
#define VFIO_USER_REGION_FLAG_MMAP 0x4u
#define VFIO_USER_REGION_FLAG_CAPS 0x8u

#define VFIO_USER_REGION_INFO_CAP_SPARSE_MMAP 1u
#define VFIO_USER_REGION_INFO_SIZE 32u
/** Most sparse mmap areas one region may declare. */
#define VFIO_USER_MAX_SPARSE_AREAS 16u

struct vfio_user_sparse_area {
	uint64_t offset;
	uint64_t size;
};

struct vfio_user_region_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t cap_offset;
	uint64_t size;
	uint64_t offset; /**< offset for mmap() of the fd */
	/* decoded from the capability chain of a reply: */
	uint32_t nr_areas;
	struct vfio_user_sparse_area areas[VFIO_USER_MAX_SPARSE_AREAS];
};

/** Request: length == 32, argsz >= 32. */
int vfio_user_region_info_req_decode(const void *payload, size_t len,
				     struct vfio_user_region_info *req);
int vfio_user_region_info_req_encode(void *buf, size_t cap, uint32_t index, uint32_t argsz);

/**
 * Encode a GET_REGION_INFO reply for a client that offered req_argsz bytes.
 * info->argsz is computed here (32 + the sparse-mmap capability if
 * nr_areas > 0). If the capability does not fit in req_argsz, only the
 * 32-byte struct is written, with argsz telling the size needed, without the
 * CAPS and MMAP flags, and *send_fd is set false.
 * info->flags should have MMAP set when the region has an fd; CAPS is added
 * here when the capability is written.
 * @return payload length, or -ENOSPC.
 */
int vfio_user_region_info_reply_encode(void *buf, size_t cap, uint32_t req_argsz,
				       const struct vfio_user_region_info *info, bool *send_fd);

/**
 * Decode a GET_REGION_INFO reply including the sparse-mmap capability
 * chain (every offset bounds-checked, loops and too many areas refused).
 */
int vfio_user_region_info_reply_decode(const void *payload, size_t len,
				       struct vfio_user_region_info *info);

/* ------------------------------------------------------ region io fds */

struct vfio_user_region_io_fds_req {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t count;
};
#define VFIO_USER_REGION_IO_FDS_SIZE 16u

/** Request: length == 16, argsz >= 16, flags == 0, count == 0. */
int vfio_user_region_io_fds_decode(const void *payload, size_t len,
				   struct vfio_user_region_io_fds_req *req);
int vfio_user_region_io_fds_encode(void *buf, size_t cap,
				   const struct vfio_user_region_io_fds_req *req);

/* -------------------------------------------------------------------- IRQs */

enum vfio_user_irq_index {
	VFIO_USER_PCI_INTX_IRQ_INDEX = 0,
	VFIO_USER_PCI_MSI_IRQ_INDEX,
	VFIO_USER_PCI_MSIX_IRQ_INDEX,
	VFIO_USER_PCI_ERR_IRQ_INDEX,
	VFIO_USER_PCI_REQ_IRQ_INDEX,
	VFIO_USER_PCI_NUM_IRQS,
};

#define VFIO_USER_IRQ_INFO_EVENTFD 0x1u
#define VFIO_USER_IRQ_INFO_MASKABLE 0x2u
#define VFIO_USER_IRQ_INFO_AUTOMASKED 0x4u
#define VFIO_USER_IRQ_INFO_NORESIZE 0x8u

struct vfio_user_irq_info {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t count;
};
#define VFIO_USER_IRQ_INFO_SIZE 16u

/** Request: length == 16, argsz >= 16. */
int vfio_user_irq_info_decode(const void *payload, size_t len, struct vfio_user_irq_info *info);
int vfio_user_irq_info_encode(void *buf, size_t cap, const struct vfio_user_irq_info *info);

#define VFIO_USER_IRQ_SET_DATA_NONE 0x1u
#define VFIO_USER_IRQ_SET_DATA_BOOL 0x2u
#define VFIO_USER_IRQ_SET_DATA_EVENTFD 0x4u
#define VFIO_USER_IRQ_SET_ACTION_MASK 0x8u
#define VFIO_USER_IRQ_SET_ACTION_UNMASK 0x10u
#define VFIO_USER_IRQ_SET_ACTION_TRIGGER 0x20u
#define VFIO_USER_IRQ_SET_DATA_MASK 0x7u
#define VFIO_USER_IRQ_SET_ACTION_MASK_ALL 0x38u

struct vfio_user_set_irqs {
	uint32_t argsz;
	uint32_t flags;
	uint32_t index;
	uint32_t start;
	uint32_t count;
	const uint8_t *bools; /**< count bytes, with DATA_BOOL, else NULL */
};
#define VFIO_USER_SET_IRQS_SIZE 20u

/**
 * Checks: length >= 20, argsz == length, exactly one DATA flag and one
 * ACTION flag, no unknown flags, start + count does not wrap, DATA_NONE:
 * no data and no fds; DATA_BOOL: count bytes of 0/1 and no fds;
 * DATA_EVENTFD: no data, nfds == count or nfds == 0 (= deassign all in the
 * range), EVENTFD only with TRIGGER; count == 0 only with
 * DATA_NONE|TRIGGER (disable the index). Range against the index's count
 * is the server's check.
 */
int vfio_user_set_irqs_decode(const void *payload, size_t len, unsigned int nfds,
			      struct vfio_user_set_irqs *set);
/** Encode a SET_IRQS request (bools copied if set->bools). */
int vfio_user_set_irqs_encode(void *buf, size_t cap, const struct vfio_user_set_irqs *set);

/* ----------------------------------------------------------- region access */

struct vfio_user_region_access {
	uint64_t offset;
	uint32_t region;
	uint32_t count;
	const uint8_t *data; /**< WRITE requests and READ replies */
};
#define VFIO_USER_REGION_ACCESS_SIZE 16u

/**
 * REGION_READ request: length == 16, 0 < count <= max_xfer.
 * REGION_WRITE request: length == 16 + count, 0 < count <= max_xfer.
 * Replies: READ reply length == 16 + count; WRITE reply length == 16.
 */
int vfio_user_region_read_decode(const void *payload, size_t len, uint32_t max_xfer,
				 struct vfio_user_region_access *acc);
int vfio_user_region_write_decode(const void *payload, size_t len, uint32_t max_xfer,
				  struct vfio_user_region_access *acc);
int vfio_user_region_read_reply_decode(const void *payload, size_t len,
				       struct vfio_user_region_access *acc);
int vfio_user_region_write_reply_decode(const void *payload, size_t len,
					struct vfio_user_region_access *acc);
/** Encode the 16-byte access header plus (if data) count bytes of data. */
int vfio_user_region_access_encode(void *buf, size_t cap, const struct vfio_user_region_access *acc,
				   const void *data);

#define VFIO_USER_WRITE_MULTI_MAX 200u
#define VFIO_USER_WRITE_MULTI_DATA 8u
#define VFIO_USER_WRITE_MULTI_ENTRY_SIZE 24u

struct vfio_user_write_multi_entry {
	uint64_t offset;
	uint32_t region;
	uint32_t count; /**< 1..8 */
	uint8_t data[VFIO_USER_WRITE_MULTI_DATA];
};

/**
 * REGION_WRITE_MULTI: u64 wr_cnt then wr_cnt 24-byte entries.
 * Checks: 1 <= wr_cnt <= 200, length == 8 + 24 * wr_cnt, every count 1..8.
 * @param entries room for VFIO_USER_WRITE_MULTI_MAX entries
 */
int vfio_user_write_multi_decode(const void *payload, size_t len,
				 struct vfio_user_write_multi_entry *entries, uint32_t *nr_entries);
int vfio_user_write_multi_encode(void *buf, size_t cap,
				 const struct vfio_user_write_multi_entry *entries,
				 uint32_t nr_entries);

/* --------------------------------------------------------- DMA read/write */

struct vfio_user_dma_access {
	uint64_t addr;
	uint64_t count;
	const uint8_t *data;
};
#define VFIO_USER_DMA_ACCESS_SIZE 16u

/** DMA_READ request: length == 16, 0 < count <= max_xfer, no wrap. */
int vfio_user_dma_read_decode(const void *payload, size_t len, uint32_t max_xfer,
			      struct vfio_user_dma_access *acc);
/** DMA_WRITE request: length == 16 + count, 0 < count <= max_xfer. */
int vfio_user_dma_write_decode(const void *payload, size_t len, uint32_t max_xfer,
			       struct vfio_user_dma_access *acc);
int vfio_user_dma_access_encode(void *buf, size_t cap, const struct vfio_user_dma_access *acc,
				const void *data);

/* ---------------------------------------------------------- device feature */

#define VFIO_USER_DEVICE_FEATURE_MASK 0xffffu
#define VFIO_USER_DEVICE_FEATURE_GET 0x10000u
#define VFIO_USER_DEVICE_FEATURE_SET 0x20000u
#define VFIO_USER_DEVICE_FEATURE_PROBE 0x40000u

struct vfio_user_device_feature {
	uint32_t argsz;
	uint32_t flags;
	uint32_t feature; /**< flags & VFIO_USER_DEVICE_FEATURE_MASK */
	uint32_t data_len; /**< payload bytes after the 8-byte header */
};
#define VFIO_USER_DEVICE_FEATURE_SIZE 8u

/**
 * Checks: length >= 8, argsz == length, no unknown flag bits, exactly one
 * of GET/SET unless PROBE (PROBE alone or with one of them).
 */
int vfio_user_device_feature_decode(const void *payload, size_t len,
				    struct vfio_user_device_feature *feat);

/**
 * Encode a DEVICE_FEATURE payload: argsz (8 + data_len), flags, data.
 * @return payload length, or -ENOSPC.
 */
int vfio_user_device_feature_encode(void *buf, size_t cap, uint32_t flags, const void *data,
				    uint32_t data_len);

/* Feature indices (as in VFIO). */
#define VFIO_USER_FEATURE_MIGRATION 1u
#define VFIO_USER_FEATURE_MIG_DEVICE_STATE 2u
#define VFIO_USER_FEATURE_DMA_LOGGING_START 6u
#define VFIO_USER_FEATURE_DMA_LOGGING_STOP 7u
#define VFIO_USER_FEATURE_DMA_LOGGING_REPORT 8u

/* MIGRATION flags. */
#define VFIO_USER_MIGRATION_STOP_COPY 0x1u
#define VFIO_USER_MIGRATION_P2P 0x2u
#define VFIO_USER_MIGRATION_PRE_COPY 0x4u
#define VFIO_USER_MIGRATION_KNOWN \
	(VFIO_USER_MIGRATION_STOP_COPY | VFIO_USER_MIGRATION_P2P | VFIO_USER_MIGRATION_PRE_COPY)
/** MIGRATION data: u64 flags. */
#define VFIO_USER_MIGRATION_SIZE 8u

/* Device states (enum vfio_device_mig_state); 5 and 7 (P2P) are not used. */
#define VFIO_USER_STATE_ERROR 0u
#define VFIO_USER_STATE_STOP 1u
#define VFIO_USER_STATE_RUNNING 2u
#define VFIO_USER_STATE_STOP_COPY 3u
#define VFIO_USER_STATE_RESUMING 4u
#define VFIO_USER_STATE_PRE_COPY 6u
/** MIG_DEVICE_STATE data: u32 device_state, u32 data_fd (unused). */
#define VFIO_USER_MIG_STATE_SIZE 8u

/**
 * MIGRATION data of a GET reply: exactly 8 bytes; flags with STOP_COPY and
 * no bit beyond STOP_COPY | P2P | PRE_COPY.
 */
int vfio_user_migration_decode(const void *data, size_t len, uint64_t *flags);
int vfio_user_migration_encode(void *buf, size_t cap, uint64_t flags);

/**
 * MIG_DEVICE_STATE data: exactly 8 bytes; device_state one of ERROR, STOP,
 * RUNNING, STOP_COPY, RESUMING, PRE_COPY (the P2P states and unknown values:
 * -EINVAL); data_fd is ignored.
 */
int vfio_user_mig_state_decode(const void *data, size_t len, uint32_t *state);
/** Encode device_state with data_fd -1. */
int vfio_user_mig_state_encode(void *buf, size_t cap, uint32_t state);

/** Most ranges of a DMA_LOGGING_START (as Linux's LOG_MAX_RANGES). */
#define VFIO_USER_DMA_LOGGING_MAX_RANGES 1024u
/** Least logging and report page size. */
#define VFIO_USER_DMA_LOGGING_MIN_PGSIZE 4096u
#define VFIO_USER_DMA_LOGGING_CTL_SIZE 16u
#define VFIO_USER_DMA_LOGGING_RANGE_SIZE 16u

struct vfio_user_dma_logging_ctl {
	uint64_t page_size;
	uint32_t num_ranges;
	const uint8_t *ranges; /**< num_ranges {u64 iova, u64 length} */
};

/**
 * DMA_LOGGING_START data: page_size u64, num_ranges u32, reserved u32 (0),
 * then the ranges. Checks: length == 16 + 16 * num_ranges, 1 <= num_ranges
 * <= VFIO_USER_DMA_LOGGING_MAX_RANGES, page_size a power of two >= 4096,
 * every range: length > 0, iova and length multiples of page_size,
 * iova + length does not wrap. Overlaps are the server's check.
 */
int vfio_user_dma_logging_ctl_decode(const void *data, size_t len,
				     struct vfio_user_dma_logging_ctl *ctl);
/** Range i (< num_ranges) of a decoded control. */
void vfio_user_dma_logging_range(const struct vfio_user_dma_logging_ctl *ctl, uint32_t i,
				 uint64_t *iova, uint64_t *length);
/** Encode a control with n ranges (ranges: n pairs iova, length). */
int vfio_user_dma_logging_ctl_encode(void *buf, size_t cap, uint64_t page_size,
				     const uint64_t (*ranges)[2], uint32_t n);

#define VFIO_USER_DMA_LOGGING_REPORT_SIZE 24u

struct vfio_user_dma_logging_report {
	uint64_t iova;
	uint64_t length;
	uint64_t page_size;
	uint64_t bitmap_size; /**< bytes: one bit per page, in u64 words */
	const uint8_t *bitmap; /**< replies only */
};

/**
 * DMA_LOGGING_REPORT request data: exactly 24 bytes (iova, length,
 * page_size); page_size a power of two >= 4096, length > 0, iova and length
 * multiples of page_size, no wrap; bitmap_size computed, must be <=
 * max_bitmap (else -E2BIG).
 */
int vfio_user_dma_logging_report_decode(const void *data, size_t len, uint64_t max_bitmap,
					struct vfio_user_dma_logging_report *rep);
/** Reply data: the same 24 bytes then exactly bitmap_size bytes. */
int vfio_user_dma_logging_report_reply_decode(const void *data, size_t len, uint64_t max_bitmap,
					      struct vfio_user_dma_logging_report *rep);
/** Encode the 24 bytes (and bitmap_size bytes of bitmap when not NULL). */
int vfio_user_dma_logging_report_encode(void *buf, size_t cap,
					const struct vfio_user_dma_logging_report *rep,
					const void *bitmap);

/* ------------------------------------------------------- migration data */

#define VFIO_USER_MIG_DATA_SIZE 8u

struct vfio_user_mig_data {
	uint32_t argsz;
	uint32_t size;
	const uint8_t *data; /**< WRITE requests and READ replies */
};

/**
 * MIG_DATA_READ request: length == 8, 0 < size <= max_xfer, argsz >= 8 +
 * size (the room for the reply).
 */
int vfio_user_mig_data_read_decode(const void *payload, size_t len, uint32_t max_xfer,
				   struct vfio_user_mig_data *md);
/** MIG_DATA_READ reply: length == argsz == 8 + size. */
int vfio_user_mig_data_read_reply_decode(const void *payload, size_t len,
					 struct vfio_user_mig_data *md);
/** MIG_DATA_WRITE request: length == 8 + size, 0 < size <= max_xfer, argsz >= 8. */
int vfio_user_mig_data_write_decode(const void *payload, size_t len, uint32_t max_xfer,
				    struct vfio_user_mig_data *md);
/** Encode argsz, size and (if data) size bytes. */
int vfio_user_mig_data_encode(void *buf, size_t cap, uint32_t argsz, uint32_t size,
			      const void *data);

#ifdef __cplusplus
}
#endif

#endif /* VFIO_USER_MSG_H */
