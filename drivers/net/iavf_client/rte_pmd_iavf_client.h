/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef RTE_PMD_IAVF_CLIENT_H
#define RTE_PMD_IAVF_CLIENT_H

/**
 * @file
 * net_iavf_client specific API: live migration of a port to another server
 * (the "container case": the application keeps running, its device moves
 * from one vfio-user server process to another, e.g. to upgrade the
 * backend).
 *
 * The same is reachable without code through the telemetry command
 * `/iavf_client/move,PORT,SOCKET_PATH` (e.g. with usertools'
 * dpdk-telemetry.py): its answer is a dictionary with the figures of
 * struct rte_pmd_iavf_client_move_result, or "error" and "errno".
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 */

#include <stdint.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a move did, and how long each phase took (microseconds). */
struct rte_pmd_iavf_client_move_result {
	/**
	 * Data path paused -> resumed (bursts return 0 meanwhile); for a
	 * stopped port, the same span: no device runs the port meanwhile.
	 */
	uint64_t pause_us;
	/** The whole call. */
	uint64_t total_us;
	/**
	 * Before the pause: connect to the new server, check its identity,
	 * map the port's memory and tail pages, question its device, set it
	 * RESUMING (the data path runs on the old server meanwhile).
	 */
	uint64_t prepare_us;
	/** The old device RUNNING -> STOP_COPY (it stops its queues). */
	uint64_t stop_us;
	/** The old device's state read, and it STOP. */
	uint64_t save_us;
	/** The state written to the new device, RESUMING -> STOP (it loads it). */
	uint64_t load_us;
	/** The new device RUNNING, the doorbells on its tail pages. */
	uint64_t resume_us;
	/** Bytes of device state moved. */
	uint64_t state_bytes;
	/** 0, or the negative errno the call returned. */
	int error;
	/** Why the move failed (empty on success). */
	char message[256];
};

/**
 * Move a started or stopped net_iavf_client port from the server it is
 * connected to (A) to the server listening on path (B), with the device's
 * state (vfio-user migration, VFIO migration v2 states): connect to B, check
 * that it offers migration and is the same device as A (PCI identity,
 * regions, IRQs, queue pairs, MAC address, largest MTU), map the port's
 * memory to it, set it RESUMING; pause the data path; A: STOP_COPY, read
 * its state, STOP; B: write the state, STOP (it loads it), RUNNING; the
 * doorbells go to B's tail pages; resume the data path; close A (whose
 * backend sees its client gone). The port keeps its queues, rings, mbufs,
 * configuration and counters; no packet is lost or duplicated by the move
 * itself (bursts called during the pause return 0). Afterwards the port's
 * server is path (automatic reconnection, if configured, goes there).
 *
 * Any failure before the port takes B leaves the port on A, running as
 * before: B first (reset if it was asked to run, so that it lets go of the
 * port's memory, then closed), then A is set RUNNING again; the reason is
 * in result->message and the driver's log. Not to be called concurrently
 * with closing the port. It blocks the caller for the whole move (the
 * control path of the port waits meanwhile), which is bounded: the
 * connection to B the library's call timeout (5 s), preparing B 4 s from
 * the start, then the pause (A stops -> B runs) the port's devarg
 * move_pause_ms (1000 by default); past either the move is abandoned
 * (-ETIMEDOUT), B has 1 s for its reset and A 1 s more to run again.
 *
 * @param port_id  a net_iavf_client port (primary process)
 * @param path     the new server's vfio-user socket (shorter than a UNIX
 *                 socket path's limit, 108 bytes)
 * @param result   filled in (may be NULL)
 * @return 0; -ENODEV (not a net_iavf_client port), -EINVAL (bad path, the
 *   same server), -ENAMETOOLONG, -ENOTCONN (the port is not connected),
 *   -ENOTSUP (A or B does not migrate), -EPROTO (B is another device,
 *   answered wrongly, or A or B takes fewer than 4096 bytes per transfer),
 *   -EPERM (B's tail pages are behind a file that may shrink), -ETIMEDOUT
 *   (a bound passed), or the errno of the step that failed.
 */
__rte_experimental
int rte_pmd_iavf_client_move(uint16_t port_id, const char *path,
			     struct rte_pmd_iavf_client_move_result *result);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_IAVF_CLIENT_H */
