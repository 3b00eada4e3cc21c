/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef AVF_ADMINQ_H
#define AVF_ADMINQ_H

/**
 * @file
 * Intel Ethernet Adaptive Virtual Function (AVF): the admin queue
 * descriptor, its flags, opcodes and return codes. The registers of the
 * queues are in avf_regs.h; the messages they carry in avf_virtchnl.h.
 *
 * Every field is little-endian in memory; the structure matches that
 * layout on a little-endian host (its size is checked at compile time).
 */

#include <assert.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Admin queue descriptor (32 bytes). */
struct avf_aq_desc {
	uint16_t flags;
	uint16_t opcode;
	uint16_t datalen;
	uint16_t retval;
	uint32_t cookie_high; /**< virtchnl opcode */
	uint32_t cookie_low; /**< virtchnl status (PF -> VF) */
	uint32_t param0;
	uint32_t param1;
	uint32_t addr_high; /**< buffer address, high 32 bits */
	uint32_t addr_low; /**< buffer address, low 32 bits */
};

/* Descriptor flags. */
#define AVF_AQ_FLAG_DD 0x0001u
#define AVF_AQ_FLAG_CMP 0x0002u
#define AVF_AQ_FLAG_ERR 0x0004u
#define AVF_AQ_FLAG_VFE 0x0008u
#define AVF_AQ_FLAG_LB 0x0200u /**< buffer larger than 512 bytes */
#define AVF_AQ_FLAG_RD 0x0400u /**< buffer is read by the device */
#define AVF_AQ_FLAG_VFC 0x0800u
#define AVF_AQ_FLAG_BUF 0x1000u /**< descriptor has a buffer */
#define AVF_AQ_FLAG_SI 0x2000u
#define AVF_AQ_FLAG_EI 0x4000u
#define AVF_AQ_FLAG_FE 0x8000u

/* Admin queue opcodes. */
#define AVF_AQ_OP_QUEUE_SHUTDOWN 0x0003u
#define AVF_AQ_OP_SEND_MSG_TO_PF 0x0801u
#define AVF_AQ_OP_SEND_MSG_TO_VF 0x0802u

/* Admin queue return codes (descriptor retval). */
#define AVF_AQ_RC_OK 0u
#define AVF_AQ_RC_EINVAL 14u
#define AVF_AQ_RC_ENOSYS 17u
#define AVF_AQ_RC_EFAULT 11u

/** Largest admin queue buffer. */
#define AVF_AQ_BUF_MAX 4096u
/** Most descriptors in an admin queue ring (10-bit length). */
#define AVF_AQ_RING_MAX 1023u

static_assert(sizeof(struct avf_aq_desc) == 32, "aq_desc");

#ifdef __cplusplus
}
#endif

#endif /* AVF_ADMINQ_H */
