/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef VFIO_USER_SOCK_H
#define VFIO_USER_SOCK_H

/**
 * @file
 * vfio-user socket transport (internal): whole messages over a UNIX stream
 * socket, with file descriptors passed as SCM_RIGHTS.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfio_user_msg.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Send one message (header and payload contiguous in msg, len bytes) with
 * nfds descriptors attached to its first byte. Partial writes are resumed;
 * EINTR is retried; EAGAIN on a non-blocking socket is waited for with
 * poll() up to timeout_ms. Never raises SIGPIPE.
 *
 * @return 0, or a negative errno (-ETIMEDOUT, -EPIPE, ...).
 */
int vfio_user_sock_send(int sock, const void *msg, size_t len, const int *fds, unsigned int nfds,
			int timeout_ms);

/**
 * Receive one whole message, blocking up to timeout_ms (-1: forever).
 * The header is validated with vfio_user_hdr_decode(max_size); the payload is
 * read into buf after the header (buf must hold max_size bytes).
 * Descriptors received are stored in fds (up to max_fds; any beyond are
 * closed and the call fails with -EINVAL after draining the message).
 * On any error every received descriptor is closed.
 *
 * @return total message length (>= 16), or a negative errno:
 *   -ECONNRESET on orderly EOF, -ETIMEDOUT, -E2BIG/-EINVAL for a bad
 *   header (the stream cannot be resynchronised: close it).
 */
int vfio_user_sock_recv(int sock, void *buf, uint32_t max_size, struct vfio_user_hdr *hdr, int *fds,
			unsigned int max_fds, unsigned int *nfds, int timeout_ms);

/** Close n descriptors (>= 0 ones) and set them to -1. */
void vfio_user_close_fds(int *fds, unsigned int n);

/** CLOCK_MONOTONIC in milliseconds. */
int64_t vfio_user_now_ms(void);

struct msghdr;

/** Descriptors collected from the control messages of received data. */
struct vfio_user_fd_acc {
	int *fds;
	unsigned int max;
	unsigned int n; /**< fds[0..n) taken so far */
	bool bad; /**< refused or lost descriptors, or a foreign control message */
};

/**
 * Take the SCM_RIGHTS descriptors of a recvmsg() result into acc (those
 * beyond acc->max are closed); anything else, a negative descriptor or a
 * truncation (MSG_CTRUNC) sets acc->bad.
 */
void vfio_user_sock_take_fds(struct msghdr *mh, struct vfio_user_fd_acc *acc);

#ifdef __cplusplus
}
#endif

#endif /* VFIO_USER_SOCK_H */
