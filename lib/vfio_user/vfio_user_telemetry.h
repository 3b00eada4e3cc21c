/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef VFIO_USER_TELEMETRY_H
#define VFIO_USER_TELEMETRY_H

/*
 * Internal hooks from vfio_user_server.c into the telemetry registry of
 * vfio_user_telemetry.c (/vfio_user/list, /vfio_user/info). The server
 * context is opaque there: the registry keeps its own copy of the
 * configuration and reads live state through the public accessors.
 */

#include <stdbool.h>
#include <stdint.h>

#include "rte_vfio_user.h"

/* A server was created (and can be shown). A failure to record it only
 * means it is not shown: the server works regardless.
 */
void vfio_user_telemetry_register(struct rte_vfio_user_server *srv,
				  const struct rte_vfio_user_server_conf *conf);

/* Region @index of @srv was set to @conf (conf->size == 0: removed). */
void vfio_user_telemetry_region(struct rte_vfio_user_server *srv, uint32_t index,
				const struct rte_vfio_user_region_conf *conf);

/* @srv is about to be destroyed: no query reaches it once this returns. */
void vfio_user_telemetry_unregister(struct rte_vfio_user_server *srv);

/* What telemetry shows of a server's listening socket and client. */
struct vfio_user_server_client_info {
	bool listening; /* the socket takes clients (not paused, not stopped) */
	bool connected; /* a client's socket is open */
	bool negotiated; /* and it completed VERSION */
	uint16_t version_major; /* protocol version agreed (0.0: none yet) */
	uint16_t version_minor;
	int64_t pid; /* the client process (SO_PEERCRED), -1 unknown */
	int64_t uid; /* its user id, -1 unknown */
	int64_t connected_at; /* time(NULL) when accepted, 0: none */
	uint64_t clients_accepted; /* since the server was created */
	uint64_t clients_refused; /* refused while another was connected */
	bool migration; /* the device migrates (mig_ops) */
	uint32_t mig_state; /* enum rte_vfio_user_mig_state */
	bool dma_logging; /* the client logs DMA */
	uint64_t dlog_page_size; /* its page size */
	uint32_t dlog_ranges; /* and number of ranges */
};

/* A consistent copy of @srv's listening and client state. */
void vfio_user_server_client_info(struct rte_vfio_user_server *srv,
				  struct vfio_user_server_client_info *info);

#endif /* VFIO_USER_TELEMETRY_H */
