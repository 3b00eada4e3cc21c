/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef VFIO_USER_SERVER_PRIV_H
#define VFIO_USER_SERVER_PRIV_H

/**
 * @file
 * vfio-user server internals shared with the unit tests and the fuzzer.
 *
 * The entry points below drive one server context over an already connected
 * socket without the control thread (and without EAL), so that a test or a
 * libFuzzer target can feed arbitrary bytes to the message handlers through
 * a socketpair.
 */

#include <stdint.h>

#include "rte_vfio_user.h"
#include "vfio_user_msg.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most descriptors the server accepts with one message (offered). */
#define VFIO_USER_SRV_MAX_MSG_FDS 16u
/** Largest data transfer the server accepts (offered max_data_xfer_size). */
#define VFIO_USER_SRV_MAX_XFER VFIO_USER_DEFAULT_MAX_DATA_XFER
/** Largest message the server accepts or sends. */
#define VFIO_USER_SRV_MAX_MSG_SIZE \
	(VFIO_USER_HDR_SIZE + VFIO_USER_REGION_ACCESS_SIZE + VFIO_USER_SRV_MAX_XFER)
/** Page size offered (pgsizes) and required for DMA_MAP. */
#define VFIO_USER_SRV_PGSIZE 4096u
/**
 * Most bytes of a DMA_LOGGING_REPORT bitmap the server offers
 * (max_bitmap_size; the client's, when smaller, is the bound).
 */
#define VFIO_USER_SRV_MIG_MAX_BITMAP (VFIO_USER_SRV_MAX_XFER / 2)
/**
 * How long a reply may wait for the client to make room in the socket;
 * a client that has not taken it by then is dropped.
 */
#define VFIO_USER_SRV_SEND_TIMEOUT_MS 2000
/**
 * A request that kept the server this long (its device callbacks
 * included), or requests handled back to back for this long (the client's
 * later ones waiting in the socket meanwhile), are logged at WARNING:
 * QEMU gives up on a reply after its x-msg-timeout, 5000 ms by default.
 */
#define VFIO_USER_SRV_SLOW_MS 1000
/**
 * Guest addresses below this are mapped at a fixed offset from the base of
 * a reserved window (VA = base + iova), so that mappings adjacent in guest
 * memory are adjacent in the server's too.
 */
#define VFIO_USER_SRV_DMA_WINDOW (UINT64_C(1) << 40)
/** Most adjacent mappings one rte_vfio_user_dma_translate() range spans. */
#define VFIO_USER_SRV_DMA_SPAN_MAX 256u
/** Most MSI-X vectors (and vectors of any index) a server may declare. */
#define VFIO_USER_SRV_MAX_VECTORS 2048u

/**
 * Treat an already connected socket as the server's client, without the
 * control thread. The socket is made non-blocking; on success the server
 * owns it (vfio_user_server_detach() or a protocol error closes it); on failure
 * the caller keeps it. The PCI configuration space is sealed (as by
 * rte_vfio_user_server_start()).
 *
 * @return 0; -EINVAL for bad arguments; -EBUSY when the server is started
 *   or already has a client; -ENOMEM.
 */
int vfio_user_server_attach(struct rte_vfio_user_server *srv, int sock);

/**
 * Send what the attached socket takes of a pending reply, then (once it has
 * all gone) read and process everything available now. Never blocks: a
 * reply the socket cannot take whole stays pending, and the socket is not
 * read until a later call has sent it; a reply still pending
 * VFIO_USER_SRV_SEND_TIMEOUT_MS after it was made drops the client (-ETIMEDOUT).
 *
 * @return 0 when the input is drained, or a reply is pending, and the
 *   connection is still open; a negative errno when the connection was
 *   closed (EOF, protocol error, failed send, -ETIMEDOUT) or there was none
 *   (-ENOTCONN).
 */
int vfio_user_server_handle_input(struct rte_vfio_user_server *srv);

/**
 * Disconnect the attached client (as on a client loss: DMA unmapped, IRQ
 * eventfds closed, disconnected callback) and close its socket.
 */
void vfio_user_server_detach(struct rte_vfio_user_server *srv);

#ifdef __cplusplus
}
#endif

#endif /* VFIO_USER_SERVER_PRIV_H */
