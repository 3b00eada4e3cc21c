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

/** Most descriptors one message received by vfio_user_sock_rx() may carry. */
#define VFIO_USER_SOCK_RX_MAX_FDS 16u

/**
 * A message being received on a non-blocking socket: header, then payload,
 * across as many readable events as it takes, with the descriptors of
 * every recvmsg() of the message.
 */
struct vfio_user_sock_rx {
	uint8_t hdr_buf[VFIO_USER_HDR_SIZE];
	uint32_t hdr_got; /**< header bytes received; 0 between messages */
	struct vfio_user_hdr hdr; /**< decoded once hdr_got is whole */
	uint32_t pay_got; /**< payload bytes received */
	int fds[VFIO_USER_SOCK_RX_MAX_FDS];
	unsigned int nfds; /**< fds[0..nfds) received (owned) */
	bool fds_overflow; /**< refused or lost descriptors, or a foreign control message */
};

/** What vfio_user_sock_rx() stopped at. */
enum vfio_user_sock_rx_status {
	VFIO_USER_SOCK_RX_MSG, /**< a whole message: rx->hdr, payload, rx->fds */
	VFIO_USER_SOCK_RX_AGAIN, /**< nothing more to read now */
	VFIO_USER_SOCK_RX_EOF, /**< the peer closed the connection */
	VFIO_USER_SOCK_RX_ERR, /**< recvmsg() failed: *err */
	VFIO_USER_SOCK_RX_BAD_HDR, /**< header refused by vfio_user_hdr_decode(): *err */
};

/**
 * Go on receiving rx's message from a socket, never blocking. The payload
 * goes to buf (max_size - VFIO_USER_HDR_SIZE bytes); a header announcing
 * more than max_size is refused. On VFIO_USER_SOCK_RX_MSG, rx is ready for
 * the next message but for its descriptors, which the caller takes (and
 * then clears rx->nfds and rx->fds_overflow). After EOF, ERR or BAD_HDR
 * the stream cannot be resynchronised (rx->hdr_got > 0 tells whether the
 * connection was lost inside a message).
 */
enum vfio_user_sock_rx_status vfio_user_sock_rx(int sock, struct vfio_user_sock_rx *rx,
						uint8_t *buf, uint32_t max_size, int *err);

/** Forget rx's message (its descriptors closed): the next byte starts one. */
void vfio_user_sock_rx_reset(struct vfio_user_sock_rx *rx);

/**
 * Send what a non-blocking socket takes of msg[*off, len), never waiting;
 * *fd (>= 0: owned) goes with the first byte sent, then is closed and set
 * to -1. Never raises SIGPIPE.
 *
 * @return 0 when all has gone (*off == len), -EAGAIN when some is left
 *   (*off tells how much went), or another negative errno.
 */
int vfio_user_sock_send_nb(int sock, const uint8_t *msg, uint32_t *off, uint32_t len, int *fd);

#ifdef __cplusplus
}
#endif

#endif /* VFIO_USER_SOCK_H */
