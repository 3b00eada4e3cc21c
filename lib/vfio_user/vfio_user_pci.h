/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef VFIO_USER_PCI_H
#define VFIO_USER_PCI_H

/**
 * @file
 * Emulated PCI configuration space (internal): the type 0 header with BAR
 * sizing, the capability list, MSI-X and PCI Express capabilities, write
 * masks and reset. Pure state, no I/O; the server serializes all calls (they
 * run on the control thread, or before start).
 */

#include <stdbool.h>
#include <stdint.h>

#include "rte_vfio_user.h"

#define VFIO_USER_PCI_CFG_SIZE RTE_VFIO_USER_PCI_CFG_SIZE
#define VFIO_USER_PCI_NUM_BARS 7 /* BAR0..5 and the expansion ROM */

/** Events a configuration write may raise (vfio_user_pci_cfg_access()). */
#define VFIO_USER_PCI_EV_FLR 0x1u /**< PCIe Initiate Function Level Reset */
#define VFIO_USER_PCI_EV_MSIX 0x2u /**< MSI-X enable or function mask changed */
#define VFIO_USER_PCI_EV_CMD 0x4u /**< command register changed */

struct vfio_user_pci {
	uint8_t cfg[VFIO_USER_PCI_CFG_SIZE];
	uint8_t wmask[VFIO_USER_PCI_CFG_SIZE]; /**< bits the client may write */
	uint8_t w1cmask[VFIO_USER_PCI_CFG_SIZE]; /**< bits cleared by writing 1 */
	uint8_t reset_cfg[VFIO_USER_PCI_CFG_SIZE]; /**< state restored on reset */
	uint64_t bar_size[VFIO_USER_PCI_NUM_BARS];
	uint32_t bar_flags[VFIO_USER_PCI_NUM_BARS]; /**< RTE_VFIO_USER_BAR_* */
	uint16_t cap_free; /**< next free offset for a capability */
	uint16_t cap_last; /**< offset of the last capability, 0 if none */
	uint16_t msix_off; /**< 0 if no MSI-X capability */
	uint16_t msix_nvec;
	uint16_t exp_off; /**< 0 if no PCIe capability */
	bool sealed;
};

/** Write the header: IDs, class, header type 0, cap pointer, INTx pin. */
void vfio_user_pci_init(struct vfio_user_pci *pci, const struct rte_vfio_user_pci_id *id,
			bool intx);

/**
 * Declare BAR index (0..5) or the ROM (6): size a power of two (>= 16 for
 * memory, >= 4 for I/O, >= 2 KiB for the ROM) or 0 for none. A 64-bit BAR
 * takes the next slot too (index must be even and < 5, next slot unused).
 * @return 0 or -EINVAL.
 */
int vfio_user_pci_set_bar(struct vfio_user_pci *pci, uint32_t index, uint64_t size,
			  uint32_t bar_flags);

/** See rte_vfio_user_pci_cap_add(). Returns 0, -EINVAL, -ENOSPC, -EBUSY. */
int vfio_user_pci_cap_add(struct vfio_user_pci *pci, uint8_t cap_id, const void *body, uint8_t len,
			  const uint8_t *wmask, uint16_t *offset);

/**
 * MSI-X capability for nvec vectors (1..2048); table (nvec * 16 bytes) and
 * PBA (ceil(nvec / 64) * 8 bytes) must fit inside declared memory BARs,
 * offsets 8-byte aligned, and not overlap if in the same BAR.
 */
int vfio_user_pci_msix_cap_add(struct vfio_user_pci *pci, uint16_t nvec, uint8_t table_bar,
			       uint32_t table_offset, uint8_t pba_bar, uint32_t pba_offset,
			       uint16_t *offset);

/** PCI Express v2 endpoint capability with FLR. */
int vfio_user_pci_exp_cap_add(struct vfio_user_pci *pci, uint16_t *offset);

/** Take the current state as the reset state; no more capabilities. */
void vfio_user_pci_seal(struct vfio_user_pci *pci);

/** Restore the reset state (command, BARs, MSI-X enable, ... cleared). */
void vfio_user_pci_reset(struct vfio_user_pci *pci);

/**
 * A client access. offset + count must be <= VFIO_USER_PCI_CFG_SIZE (else
 * -EINVAL). Writes go through the write masks; BARs read back their sizing
 * mask; the FLR bit reads back 0 and raises VFIO_USER_PCI_EV_FLR in *events
 * (which the caller zeroes first).
 */
int vfio_user_pci_cfg_access(struct vfio_user_pci *pci, uint32_t offset, void *buf, uint32_t count,
			     bool write, uint32_t *events);

/** MSI-X enable bit set and function mask clear. */
bool vfio_user_pci_msix_enabled(const struct vfio_user_pci *pci);

#endif /* VFIO_USER_PCI_H */
