/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * Emulated PCI configuration space: a type 0 header, BAR sizing, the
 * standard capability list (MSI-X, PCI Express, others), per-byte write
 * and write-1-to-clear masks, and a reset snapshot.
 *
 * Every register lives in cfg[] (little endian, as on the bus). A client
 * write changes only the bits of wmask[] and clears the bits of w1cmask[]
 * it writes as 1; nothing else is special, except the PCIe Initiate FLR
 * bit (never stored, reported as an event). BAR sizing falls out of the
 * masks: the address bits below the BAR's size are read-only zeros and the
 * type bits are read-only, so writing all ones reads back the size mask.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_bitops.h>
#include <rte_common.h>

#include "vfio_user_pci.h"

/* Type 0 header offsets. */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_HEADER_TYPE 0x0e
#define PCI_BASE_ADDRESS_0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_ROM_ADDRESS 0x30
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_STD_HEADER_SIZE 0x40
#define PCI_CFG_STD_SIZE 0x100

/* Command register bits the client may write. */
#define PCI_COMMAND_IO 0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_PARITY 0x0040
#define PCI_COMMAND_SERR 0x0100
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define VFIO_USER_PCI_COMMAND_WMASK \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | \
	 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)

/* Status register. */
#define PCI_STATUS_CAP_LIST 0x0010
/* Master data parity error, signalled/received target abort, received
 * master abort, signalled system error, detected parity error.
 */
#define VFIO_USER_PCI_STATUS_W1C 0xf900

/* BAR low bits. */
#define PCI_BAR_IO 0x1u
#define PCI_BAR_MEM_TYPE_64 0x4u
#define PCI_BAR_MEM_PREFETCH 0x8u
#define PCI_ROM_ENABLE 0x1u

/* Size limits of a BAR (index 0..5) or the ROM. */
#define VFIO_USER_PCI_BAR_MEM_MIN 16ull
#define VFIO_USER_PCI_BAR_MEM32_MAX (1ull << 31)
#define VFIO_USER_PCI_BAR_MEM64_MAX (1ull << 63)
#define VFIO_USER_PCI_BAR_IO_MIN 4ull
#define VFIO_USER_PCI_BAR_IO_MAX 256ull /* PCI: at most 256 bytes per I/O BAR */
#define VFIO_USER_PCI_ROM_MIN 2048ull
#define VFIO_USER_PCI_ROM_MAX (16ull << 20) /* PCI: at most 16 MiB */
#define VFIO_USER_PCI_ROM_INDEX 6u

/* Capability IDs. */
#define PCI_CAP_ID_EXP 0x10
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_END 0xff /* Linux stops a list walk at 0xff */

/* MSI-X capability: offsets from the capability. */
#define PCI_MSIX_FLAGS 2
#define PCI_MSIX_TABLE 4
#define PCI_MSIX_PBA 8
#define PCI_MSIX_SIZEOF 12
#define PCI_MSIX_FLAGS_QSIZE 0x07ff
#define PCI_MSIX_FLAGS_MASKALL 0x4000
#define PCI_MSIX_FLAGS_ENABLE 0x8000
#define PCI_MSIX_BIR_MASK 0x7u
#define VFIO_USER_PCI_MSIX_MAX_VEC 2048u
#define PCI_MSIX_ENTRY_SIZE 16u

/* PCI Express capability (version 2): offsets from the capability. */
#define PCI_EXP_FLAGS 0x02
#define PCI_EXP_DEVCAP 0x04
#define PCI_EXP_DEVCTL 0x08
#define PCI_EXP_DEVSTA 0x0a
#define PCI_EXP_LNKCAP 0x0c
#define PCI_EXP_LNKCTL 0x10
#define PCI_EXP_LNKSTA 0x12
#define PCI_EXP_DEVCAP2 0x24
#define PCI_EXP_DEVCTL2 0x28
#define PCI_EXP_LNKCAP2 0x2c
#define PCI_EXP_LNKCTL2 0x30
#define PCI_EXP_SIZEOF_V2 0x3c

#define PCI_EXP_FLAGS_VERS2 0x0002 /* capability version 2 */
#define PCI_EXP_FLAGS_TYPE_ENDPOINT 0x0000 /* device/port type 0 */
#define PCI_EXP_DEVCAP_PAYLOAD_128 0x0u
#define PCI_EXP_DEVCAP_RBER 0x00008000u /* role-based error reporting */
#define PCI_EXP_DEVCAP_FLR 0x10000000u
/* Device Control: error reporting enables (bits 3:0), relaxed ordering (4),
 * max payload size (7:5), no snoop (11), max read request size (14:12).
 * Extended tags, phantom functions and aux power are not supported and
 * read 0; bit 15 is Initiate FLR (never stored).
 */
#define PCI_EXP_DEVCTL_WMASK 0x78ffu
#define PCI_EXP_DEVCTL_RELAX_EN 0x0010u
#define PCI_EXP_DEVCTL_NOSNOOP_EN 0x0800u
#define PCI_EXP_DEVCTL_READRQ_512B 0x2000u
#define PCI_EXP_DEVCTL_BCR_FLR 0x8000u
/* Device Status: correctable, non-fatal, fatal, unsupported request
 * detected (RW1C).
 */
#define PCI_EXP_DEVSTA_W1C 0x000fu
#define PCI_EXP_LNK_SPEED_2_5GT 0x1u
#define PCI_EXP_LNK_WIDTH_X1 (0x1u << 4)
/* Link Control: ASPM control (1:0), read completion boundary (3), common
 * clock configuration (6), extended synch (7).
 */
#define PCI_EXP_LNKCTL_WMASK 0x00cbu
#define PCI_EXP_LNKCAP2_SLS_2_5GT 0x2u /* supported link speeds vector */

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
		((uint32_t)p[3] << 24);
}

void
vfio_user_pci_init(struct vfio_user_pci *pci, const struct rte_vfio_user_pci_id *id, bool intx)
{
	static const struct rte_vfio_user_pci_id zero_id;
	uint8_t *cfg = pci->cfg;

	if (id == NULL)
		id = &zero_id;
	memset(pci, 0, sizeof(*pci));

	put16(cfg + PCI_VENDOR_ID, id->vendor_id);
	put16(cfg + PCI_DEVICE_ID, id->device_id);
	cfg[PCI_REVISION_ID] = id->revision;
	/* prog-if, subclass, base class */
	cfg[PCI_CLASS_PROG] = (uint8_t)id->class_code;
	cfg[PCI_CLASS_PROG + 1] = (uint8_t)(id->class_code >> 8);
	cfg[PCI_CLASS_PROG + 2] = (uint8_t)(id->class_code >> 16);
	cfg[PCI_HEADER_TYPE] = 0; /* type 0, single function */
	put16(cfg + PCI_SUBSYSTEM_VENDOR_ID, id->subsys_vendor_id);
	put16(cfg + PCI_SUBSYSTEM_ID, id->subsys_id);
	cfg[PCI_INTERRUPT_PIN] = intx ? 1 : 0; /* INTA# */

	put16(pci->wmask + PCI_COMMAND, VFIO_USER_PCI_COMMAND_WMASK);
	put16(pci->w1cmask + PCI_STATUS, VFIO_USER_PCI_STATUS_W1C);
	pci->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	pci->wmask[PCI_INTERRUPT_LINE] = 0xff;

	/* The extended space (0x100..) stays zero: an empty list. */
	pci->cap_free = PCI_STD_HEADER_SIZE;
	pci->cap_last = 0;
}

/* Config offset of the register of BAR index (0..5) or the ROM (6). */
static uint32_t
bar_reg(uint32_t index)
{
	if (index == VFIO_USER_PCI_ROM_INDEX)
		return PCI_ROM_ADDRESS;
	return PCI_BASE_ADDRESS_0 + 4 * index;
}

static void
bar_clear_reg(struct vfio_user_pci *pci, uint32_t index)
{
	uint32_t reg = bar_reg(index);

	put32(pci->cfg + reg, 0);
	put32(pci->wmask + reg, 0);
	pci->bar_size[index] = 0;
	pci->bar_flags[index] = 0;
}

/* Is BAR index the upper half of a 64-bit BAR? */
static bool
bar_is_upper_half(const struct vfio_user_pci *pci, uint32_t index)
{
	return index > 0 && index < VFIO_USER_PCI_ROM_INDEX && pci->bar_size[index - 1] != 0 &&
		(pci->bar_flags[index - 1] & RTE_VFIO_USER_BAR_MEM64) != 0;
}

/* Is BAR index the table or PBA BAR of the MSI-X capability? */
static bool
bar_used_by_msix(const struct vfio_user_pci *pci, uint32_t index)
{
	const uint8_t *cap;

	if (pci->msix_off == 0)
		return false;
	cap = pci->cfg + pci->msix_off;
	return (get32(cap + PCI_MSIX_TABLE) & PCI_MSIX_BIR_MASK) == index ||
		(get32(cap + PCI_MSIX_PBA) & PCI_MSIX_BIR_MASK) == index;
}

static int
bar_check_size(uint32_t index, uint64_t size, uint32_t flags)
{
	uint64_t min, max;

	if (!RTE_IS_POWER_OF_2(size))
		return -EINVAL;
	if (index == VFIO_USER_PCI_ROM_INDEX) {
		if (flags != 0)
			return -EINVAL;
		min = VFIO_USER_PCI_ROM_MIN;
		max = VFIO_USER_PCI_ROM_MAX;
	} else if (flags & RTE_VFIO_USER_BAR_IO) {
		if (flags != RTE_VFIO_USER_BAR_IO)
			return -EINVAL;
		min = VFIO_USER_PCI_BAR_IO_MIN;
		max = VFIO_USER_PCI_BAR_IO_MAX;
	} else {
		min = VFIO_USER_PCI_BAR_MEM_MIN;
		max = (flags & RTE_VFIO_USER_BAR_MEM64) ? VFIO_USER_PCI_BAR_MEM64_MAX :
							  VFIO_USER_PCI_BAR_MEM32_MAX;
	}
	if (size < min || size > max)
		return -EINVAL;
	return 0;
}

int
vfio_user_pci_set_bar(struct vfio_user_pci *pci, uint32_t index, uint64_t size, uint32_t bar_flags)
{
	const uint32_t known =
		RTE_VFIO_USER_BAR_MEM64 | RTE_VFIO_USER_BAR_PREFETCH | RTE_VFIO_USER_BAR_IO;
	bool mem64 = (bar_flags & RTE_VFIO_USER_BAR_MEM64) != 0;
	uint32_t reg, type;
	uint64_t mask;
	int ret;

	if (pci->sealed)
		return -EBUSY;
	if (index >= VFIO_USER_PCI_NUM_BARS || (bar_flags & ~known) != 0)
		return -EINVAL;
	if (bar_is_upper_half(pci, index) || bar_used_by_msix(pci, index))
		return -EINVAL;
	if (size != 0) {
		ret = bar_check_size(index, size, bar_flags);
		if (ret != 0)
			return ret;
		if (mem64) {
			/* Two slots: index even, < 5, the next one free. */
			if ((index & 1) != 0 || index >= 5)
				return -EINVAL;
			if (pci->bar_size[index + 1] != 0)
				return -EINVAL;
		}
	}

	/* Drop what was declared here before (both halves of a 64-bit BAR). */
	if (pci->bar_size[index] != 0 && (pci->bar_flags[index] & RTE_VFIO_USER_BAR_MEM64) != 0)
		bar_clear_reg(pci, index + 1);
	bar_clear_reg(pci, index);
	if (size == 0)
		return 0;

	reg = bar_reg(index);
	mask = ~(size - 1);
	if (index == VFIO_USER_PCI_ROM_INDEX) {
		put32(pci->wmask + reg,
		      ((uint32_t)mask & ~(uint32_t)(VFIO_USER_PCI_ROM_MIN - 1)) | PCI_ROM_ENABLE);
	} else if (bar_flags & RTE_VFIO_USER_BAR_IO) {
		put32(pci->cfg + reg, PCI_BAR_IO);
		put32(pci->wmask + reg, (uint32_t)mask & ~0x3u);
	} else {
		type = 0;
		if (mem64)
			type |= PCI_BAR_MEM_TYPE_64;
		if (bar_flags & RTE_VFIO_USER_BAR_PREFETCH)
			type |= PCI_BAR_MEM_PREFETCH;
		put32(pci->cfg + reg, type);
		put32(pci->wmask + reg, (uint32_t)mask & ~0xfu);
		if (mem64)
			put32(pci->wmask + reg + 4, (uint32_t)(mask >> 32));
	}
	pci->bar_size[index] = size;
	pci->bar_flags[index] = bar_flags;
	return 0;
}

/* Append a capability; body may be NULL (zeros), wmask NULL (read-only). */
static int
cap_append(struct vfio_user_pci *pci, uint8_t cap_id, const void *body, uint8_t len,
	   const uint8_t *wmask, uint16_t *offset)
{
	uint32_t off = pci->cap_free;
	uint16_t status;

	if (pci->sealed)
		return -EBUSY;
	if (cap_id == PCI_CAP_ID_END)
		return -EINVAL;
	if (off < PCI_STD_HEADER_SIZE || off + 2u + len > PCI_CFG_STD_SIZE)
		return -ENOSPC;

	pci->cfg[off] = cap_id;
	pci->cfg[off + 1] = 0;
	if (body != NULL)
		memcpy(pci->cfg + off + 2, body, len);
	else
		memset(pci->cfg + off + 2, 0, len);
	if (wmask != NULL)
		memcpy(pci->wmask + off + 2, wmask, len);
	else
		memset(pci->wmask + off + 2, 0, len);
	memset(pci->w1cmask + off, 0, 2u + len);
	pci->wmask[off] = 0;
	pci->wmask[off + 1] = 0;

	if (pci->cap_last == 0) {
		pci->cfg[PCI_CAPABILITY_LIST] = (uint8_t)off;
		status = get16(pci->cfg + PCI_STATUS);
		put16(pci->cfg + PCI_STATUS, status | PCI_STATUS_CAP_LIST);
	} else {
		pci->cfg[pci->cap_last + 1] = (uint8_t)off;
	}
	pci->cap_last = (uint16_t)off;
	pci->cap_free = (uint16_t)RTE_ALIGN_CEIL(off + 2u + len, 4u);
	if (offset != NULL)
		*offset = (uint16_t)off;
	return 0;
}

int
vfio_user_pci_cap_add(struct vfio_user_pci *pci, uint8_t cap_id, const void *body, uint8_t len,
		      const uint8_t *wmask, uint16_t *offset)
{
	if (pci->sealed)
		return -EBUSY;
	if (body == NULL && len != 0)
		return -EINVAL;
	/*
	 * MSI-X and PCI Express have their own functions: the library
	 * emulates their registers and raises events for them.
	 */
	if (cap_id == PCI_CAP_ID_MSIX || cap_id == PCI_CAP_ID_EXP)
		return -EINVAL;
	return cap_append(pci, cap_id, body, len, wmask, offset);
}

/* Does [off, off + len) fit in the declared memory BAR index (0..5)? */
static bool
msix_range_ok(const struct vfio_user_pci *pci, uint8_t bar, uint64_t off, uint64_t len)
{
	if (bar >= VFIO_USER_PCI_ROM_INDEX || pci->bar_size[bar] == 0)
		return false;
	if (pci->bar_flags[bar] & RTE_VFIO_USER_BAR_IO)
		return false;
	if ((off & PCI_MSIX_BIR_MASK) != 0)
		return false;
	return off + len <= pci->bar_size[bar];
}

int
vfio_user_pci_msix_cap_add(struct vfio_user_pci *pci, uint16_t nvec, uint8_t table_bar,
			   uint32_t table_offset, uint8_t pba_bar, uint32_t pba_offset,
			   uint16_t *offset)
{
	uint8_t body[PCI_MSIX_SIZEOF - 2];
	uint8_t wmask[PCI_MSIX_SIZEOF - 2];
	uint64_t table_len, pba_len;
	uint16_t off;
	int ret;

	if (pci->sealed)
		return -EBUSY;
	if (pci->msix_off != 0)
		return -EEXIST;
	if (nvec == 0 || nvec > VFIO_USER_PCI_MSIX_MAX_VEC)
		return -EINVAL;
	table_len = (uint64_t)nvec * PCI_MSIX_ENTRY_SIZE;
	pba_len = (((uint64_t)nvec + 63) / 64) * 8;
	if (!msix_range_ok(pci, table_bar, table_offset, table_len) ||
	    !msix_range_ok(pci, pba_bar, pba_offset, pba_len))
		return -EINVAL;
	if (table_bar == pba_bar && (uint64_t)table_offset < (uint64_t)pba_offset + pba_len &&
	    (uint64_t)pba_offset < (uint64_t)table_offset + table_len)
		return -EINVAL;

	memset(body, 0, sizeof(body));
	memset(wmask, 0, sizeof(wmask));
	put16(body + PCI_MSIX_FLAGS - 2, (uint16_t)(nvec - 1));
	put16(wmask + PCI_MSIX_FLAGS - 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	put32(body + PCI_MSIX_TABLE - 2, table_offset | table_bar);
	put32(body + PCI_MSIX_PBA - 2, pba_offset | pba_bar);

	ret = cap_append(pci, PCI_CAP_ID_MSIX, body, sizeof(body), wmask, &off);
	if (ret != 0)
		return ret;
	pci->msix_off = off;
	pci->msix_nvec = nvec;
	if (offset != NULL)
		*offset = off;
	return 0;
}

int
vfio_user_pci_exp_cap_add(struct vfio_user_pci *pci, uint16_t *offset)
{
	uint8_t body[PCI_EXP_SIZEOF_V2 - 2];
	uint8_t wmask[PCI_EXP_SIZEOF_V2 - 2];
	uint16_t off;
	int ret;

	if (pci->sealed)
		return -EBUSY;
	if (pci->exp_off != 0)
		return -EEXIST;

	memset(body, 0, sizeof(body));
	memset(wmask, 0, sizeof(wmask));
	/* Offsets below are from the capability; the body starts at 2. */
	put16(body + PCI_EXP_FLAGS - 2, PCI_EXP_FLAGS_VERS2 | PCI_EXP_FLAGS_TYPE_ENDPOINT);
	put32(body + PCI_EXP_DEVCAP - 2,
	      PCI_EXP_DEVCAP_PAYLOAD_128 | PCI_EXP_DEVCAP_RBER | PCI_EXP_DEVCAP_FLR);
	/* Device Control defaults of the specification. */
	put16(body + PCI_EXP_DEVCTL - 2,
	      PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN | PCI_EXP_DEVCTL_READRQ_512B);
	put16(wmask + PCI_EXP_DEVCTL - 2, PCI_EXP_DEVCTL_WMASK);
	put32(body + PCI_EXP_LNKCAP - 2, PCI_EXP_LNK_SPEED_2_5GT | PCI_EXP_LNK_WIDTH_X1);
	put16(wmask + PCI_EXP_LNKCTL - 2, PCI_EXP_LNKCTL_WMASK);
	put16(body + PCI_EXP_LNKSTA - 2, PCI_EXP_LNK_SPEED_2_5GT | PCI_EXP_LNK_WIDTH_X1);
	/* Slot and root registers: zero (an endpoint has neither).
	 * Device Capabilities/Control/Status 2: zero (no optional feature).
	 */
	put32(body + PCI_EXP_LNKCAP2 - 2, PCI_EXP_LNKCAP2_SLS_2_5GT);
	/* Link Control 2: target link speed 2.5 GT/s, read-only. */
	put16(body + PCI_EXP_LNKCTL2 - 2, PCI_EXP_LNK_SPEED_2_5GT);

	ret = cap_append(pci, PCI_CAP_ID_EXP, body, sizeof(body), wmask, &off);
	if (ret != 0)
		return ret;
	put16(pci->w1cmask + off + PCI_EXP_DEVSTA, PCI_EXP_DEVSTA_W1C);
	pci->exp_off = off;
	if (offset != NULL)
		*offset = off;
	return 0;
}

void
vfio_user_pci_seal(struct vfio_user_pci *pci)
{
	memcpy(pci->reset_cfg, pci->cfg, sizeof(pci->reset_cfg));
	pci->sealed = true;
}

void
vfio_user_pci_reset(struct vfio_user_pci *pci)
{
	/* Before the seal no client has written anything: nothing to do. */
	if (!pci->sealed)
		return;
	memcpy(pci->cfg, pci->reset_cfg, sizeof(pci->cfg));
}

static uint16_t
msix_ctrl(const struct vfio_user_pci *pci)
{
	if (pci->msix_off == 0)
		return 0;
	return get16(pci->cfg + pci->msix_off + PCI_MSIX_FLAGS);
}

/* Does the access [offset, offset + count) cover byte at? */
static inline bool
covers(uint32_t offset, uint32_t count, uint32_t at)
{
	return at >= offset && at - offset < count;
}

int
vfio_user_pci_cfg_access(struct vfio_user_pci *pci, uint32_t offset, void *buf, uint32_t count,
			 bool write, uint32_t *events)
{
	const uint16_t msix_bits = PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL;
	const uint8_t *src = buf;
	uint16_t cmd, ctrl;
	uint32_t i, ev = 0, flr_byte;
	uint8_t old, v;

	if (buf == NULL || count == 0 || offset >= VFIO_USER_PCI_CFG_SIZE ||
	    count > VFIO_USER_PCI_CFG_SIZE - offset)
		return -EINVAL;
	if (!write) {
		memcpy(buf, pci->cfg + offset, count);
		return 0;
	}

	cmd = get16(pci->cfg + PCI_COMMAND);
	ctrl = msix_ctrl(pci);
	for (i = 0; i < count; i++) {
		uint32_t at = offset + i;

		old = pci->cfg[at];
		v = src[i];
		pci->cfg[at] = (uint8_t)(((old & ~pci->wmask[at]) | (v & pci->wmask[at])) &
					 ~(v & pci->w1cmask[at]));
	}

	if (get16(pci->cfg + PCI_COMMAND) != cmd)
		ev |= VFIO_USER_PCI_EV_CMD;
	if ((msix_ctrl(pci) & msix_bits) != (ctrl & msix_bits))
		ev |= VFIO_USER_PCI_EV_MSIX;
	if (pci->exp_off != 0) {
		/* Initiate FLR: bit 15 of Device Control, never stored. */
		flr_byte = pci->exp_off + PCI_EXP_DEVCTL + 1u;
		if (covers(offset, count, flr_byte) &&
		    (src[flr_byte - offset] & (PCI_EXP_DEVCTL_BCR_FLR >> 8)))
			ev |= VFIO_USER_PCI_EV_FLR;
	}
	if (events != NULL)
		*events |= ev;
	return 0;
}

bool
vfio_user_pci_msix_enabled(const struct vfio_user_pci *pci)
{
	uint16_t ctrl = msix_ctrl(pci);

	return pci->msix_off != 0 && (ctrl & PCI_MSIX_FLAGS_ENABLE) != 0 &&
		(ctrl & PCI_MSIX_FLAGS_MASKALL) == 0;
}
