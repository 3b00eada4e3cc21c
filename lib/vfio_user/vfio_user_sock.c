/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user socket transport: whole messages over a UNIX stream socket.
 *
 * Every socket call is made with MSG_DONTWAIT, whatever the socket's own
 * mode, and waiting is done with poll() against one deadline for the whole
 * message: a peer that trickles bytes cannot stretch a timeout.
 *
 * Descriptors travel as SCM_RIGHTS. On send they are attached to the first
 * byte only. On receive they are collected from every chunk of the message
 * (a peer may attach them anywhere); the message is always read to its end
 * when its header was valid, so that the stream stays in sync even when
 * the descriptors are refused.
 *
 * The blocking calls (vfio_user_sock_send/recv: the client) wait for a
 * whole message; the non-blocking ones (vfio_user_sock_rx/send_nb: the
 * server's control thread) do what the socket allows now and keep their
 * place, so that one connection never holds up the others.
 */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "vfio_user_sock.h"

/* Most descriptors Linux passes in one message (SCM_MAX_FD). */
#define VFIO_USER_SOCK_MAX_FDS 253u

/* Control buffer big enough for every descriptor one message may carry. */
union vfio_user_cmsg_buf {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int) * VFIO_USER_SOCK_MAX_FDS)];
};

int64_t
vfio_user_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Deadline for a timeout in ms; -1 (or any negative) means none. */
static int64_t
vfio_user_deadline(int timeout_ms)
{
	if (timeout_ms < 0)
		return -1;
	return vfio_user_now_ms() + timeout_ms;
}

/*
 * Wait until sock is ready for events or the deadline passes.
 * @return 0 when something happened (ready, hang-up or error: the next
 *   socket call reports which), -ETIMEDOUT, or a negative errno.
 */
static int
vfio_user_wait(int sock, short events, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;
	int ret;

	for (;;) {
		int tmo = -1;

		if (deadline >= 0) {
			left = deadline - vfio_user_now_ms();
			if (left < 0)
				left = 0;
			tmo = left > INT_MAX ? INT_MAX : (int)left;
		}
		pfd.fd = sock;
		pfd.events = events;
		pfd.revents = 0;
		ret = poll(&pfd, 1, tmo);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (ret == 0) {
			/* poll() may wake a little early: trust the clock. */
			if (deadline >= 0 && vfio_user_now_ms() < deadline)
				continue;
			return -ETIMEDOUT;
		}
		if (pfd.revents & POLLNVAL)
			return -EBADF;
		return 0;
	}
}

/*
 * One sendmsg() of p[0, len) with nfds descriptors (<= VFIO_USER_SOCK_MAX_FDS)
 * attached to its first byte, never waiting; EINTR is retried.
 * @return bytes sent (> 0), or a negative errno (-EAGAIN: no room now).
 */
static ssize_t
vfio_user_sock_send_some(int sock, const uint8_t *p, size_t len, const int *fds, unsigned int nfds)
{
	union vfio_user_cmsg_buf cbuf;
	struct iovec iov = {.iov_base = (void *)(uintptr_t)p, .iov_len = len};
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *cm;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	/* MSG_NOSIGNAL: a peer that has gone must not kill us. */
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n == 0 ? -EPIPE : n;
}

int
vfio_user_sock_send(int sock, const void *msg, size_t len, const int *fds, unsigned int nfds,
		    int timeout_ms)
{
	const uint8_t *p = msg;
	int64_t deadline;
	size_t sent = 0;
	unsigned int i;

	if (sock < 0 || msg == NULL || len == 0 || nfds > VFIO_USER_SOCK_MAX_FDS ||
	    (nfds > 0 && fds == NULL))
		return -EINVAL;
	for (i = 0; i < nfds; i++)
		if (fds[i] < 0)
			return -EBADF;

	deadline = vfio_user_deadline(timeout_ms);
	while (sent < len) {
		ssize_t ret = vfio_user_sock_send_some(sock, p + sent, len - sent, fds,
						       sent == 0 ? nfds : 0);

		if (ret == -EAGAIN) {
			int rc = vfio_user_wait(sock, POLLOUT, deadline);

			if (rc < 0)
				return rc;
			continue;
		}
		if (ret < 0)
			return (int)ret;
		sent += (size_t)ret;
	}
	return 0;
}

/* Descriptors collected from the control messages of received data. */
struct vfio_user_fd_acc {
	int *fds;
	unsigned int max;
	unsigned int n; /* fds[0..n) taken so far */
	bool bad; /* refused or lost descriptors, or a foreign control message */
};

/*
 * Take the SCM_RIGHTS descriptors of a recvmsg() result into acc (those
 * beyond acc->max are closed); anything else, a negative descriptor or a
 * truncation (MSG_CTRUNC) sets acc->bad.
 */
static void
vfio_user_sock_take_fds(struct msghdr *mh, struct vfio_user_fd_acc *acc)
{
	struct cmsghdr *cm;

	if (mh->msg_flags & MSG_CTRUNC)
		acc->bad = true; /* the kernel dropped some descriptors */

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		size_t data_len, k, cnt;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0)) {
			acc->bad = true;
			continue;
		}
		data_len = cm->cmsg_len - CMSG_LEN(0);
		if (data_len % sizeof(int) != 0)
			acc->bad = true;
		cnt = data_len / sizeof(int);
		for (k = 0; k < cnt; k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
			if (fd < 0) {
				acc->bad = true;
				continue;
			}
			if (acc->n < acc->max) {
				acc->fds[acc->n++] = fd;
			} else {
				close(fd);
				acc->bad = true;
			}
		}
	}
}

/*
 * One recvmsg() of at most want bytes into dst, never waiting (EINTR is
 * retried), with room for ctl_fds descriptors (<= VFIO_USER_SOCK_MAX_FDS;
 * the kernel drops any beyond: MSG_CTRUNC); those that come are taken into
 * acc.
 * @return bytes (> 0), 0 on EOF, or a negative errno (-EAGAIN: nothing now).
 */
static ssize_t
vfio_user_sock_recv_some(int sock, void *dst, size_t want, unsigned int ctl_fds,
			 struct vfio_user_fd_acc *acc)
{
	union vfio_user_cmsg_buf cbuf;
	struct iovec iov = {.iov_base = dst, .iov_len = want};
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * ctl_fds);
	do {
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	vfio_user_sock_take_fds(&mh, acc);
	return n;
}

/* Read exactly len bytes, collecting descriptors. */
static int
vfio_user_recv_exact(int sock, uint8_t *p, size_t len, int64_t deadline,
		     struct vfio_user_fd_acc *acc)
{
	size_t got = 0;

	while (got < len) {
		ssize_t ret = vfio_user_sock_recv_some(sock, p + got, len - got,
						       VFIO_USER_SOCK_MAX_FDS, acc);

		if (ret == -EAGAIN) {
			int rc = vfio_user_wait(sock, POLLIN, deadline);

			if (rc < 0)
				return rc;
			continue;
		}
		if (ret < 0)
			return (int)ret;
		if (ret == 0)
			return -ECONNRESET;
		got += (size_t)ret;
	}
	return 0;
}

int
vfio_user_sock_recv(int sock, void *buf, uint32_t max_size, struct vfio_user_hdr *hdr, int *fds,
		    unsigned int max_fds, unsigned int *nfds, int timeout_ms)
{
	struct vfio_user_fd_acc acc;
	uint8_t *p = buf;
	int64_t deadline;
	int ret;

	if (nfds != NULL)
		*nfds = 0;
	if (sock < 0 || buf == NULL || hdr == NULL || max_size < VFIO_USER_HDR_SIZE ||
	    (max_fds > 0 && fds == NULL))
		return -EINVAL;
	if (max_size > INT_MAX)
		max_size = INT_MAX;

	acc.fds = fds;
	acc.max = max_fds;
	acc.n = 0;
	acc.bad = false;
	deadline = vfio_user_deadline(timeout_ms);

	ret = vfio_user_recv_exact(sock, p, VFIO_USER_HDR_SIZE, deadline, &acc);
	if (ret < 0)
		goto fail;
	ret = vfio_user_hdr_decode(p, VFIO_USER_HDR_SIZE, max_size, hdr);
	if (ret < 0)
		goto fail;
	ret = vfio_user_recv_exact(sock, p + VFIO_USER_HDR_SIZE, hdr->size - VFIO_USER_HDR_SIZE,
				   deadline, &acc);
	if (ret < 0)
		goto fail;
	if (acc.bad) {
		/* The whole message was read: the stream is still in sync. */
		ret = -EINVAL;
		goto fail;
	}
	if (nfds != NULL)
		*nfds = acc.n;
	else
		vfio_user_close_fds(fds, acc.n); /* nowhere to report them */
	return (int)hdr->size;

fail:
	vfio_user_close_fds(fds, acc.n);
	return ret;
}

void
vfio_user_close_fds(int *fds, unsigned int n)
{
	unsigned int i;

	if (fds == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
}

void
vfio_user_sock_rx_reset(struct vfio_user_sock_rx *rx)
{
	vfio_user_close_fds(rx->fds, rx->nfds);
	rx->nfds = 0;
	rx->fds_overflow = false;
	rx->hdr_got = 0;
	rx->pay_got = 0;
}

/*
 * One recvmsg() for rx's message: the descriptors that come with it are
 * added to the message's (at most VFIO_USER_SOCK_RX_MAX_FDS; any more set
 * rx->fds_overflow).
 * @return bytes (> 0), 0 on EOF, or a negative errno (-EAGAIN: nothing now).
 */
static ssize_t
vfio_user_sock_rx_some(int sock, struct vfio_user_sock_rx *rx, void *dst, size_t want)
{
	struct vfio_user_fd_acc acc = {
		.fds = rx->fds,
		.max = VFIO_USER_SOCK_RX_MAX_FDS,
		.n = rx->nfds,
		.bad = false,
	};
	ssize_t n;

	n = vfio_user_sock_recv_some(sock, dst, want, VFIO_USER_SOCK_RX_MAX_FDS, &acc);
	rx->nfds = acc.n;
	if (acc.bad)
		rx->fds_overflow = true;
	return n;
}

/* A recvmsg() result that is no data: what the receive stops at. */
static enum vfio_user_sock_rx_status
vfio_user_sock_rx_stop(ssize_t n, int *err)
{
	if (n == -EAGAIN)
		return VFIO_USER_SOCK_RX_AGAIN;
	if (n == 0)
		return VFIO_USER_SOCK_RX_EOF;
	*err = (int)-n;
	return VFIO_USER_SOCK_RX_ERR;
}

enum vfio_user_sock_rx_status
vfio_user_sock_rx(int sock, struct vfio_user_sock_rx *rx, uint8_t *buf, uint32_t max_size, int *err)
{
	uint32_t plen;
	ssize_t n;
	int ret;

	while (rx->hdr_got < VFIO_USER_HDR_SIZE) {
		n = vfio_user_sock_rx_some(sock, rx, rx->hdr_buf + rx->hdr_got,
					   VFIO_USER_HDR_SIZE - rx->hdr_got);
		if (n <= 0)
			return vfio_user_sock_rx_stop(n, err);
		rx->hdr_got += (uint32_t)n;
		if (rx->hdr_got < VFIO_USER_HDR_SIZE)
			continue;
		ret = vfio_user_hdr_decode(rx->hdr_buf, VFIO_USER_HDR_SIZE, max_size, &rx->hdr);
		if (ret < 0) {
			*err = -ret;
			return VFIO_USER_SOCK_RX_BAD_HDR;
		}
		rx->pay_got = 0;
	}
	plen = rx->hdr.size - VFIO_USER_HDR_SIZE;
	while (rx->pay_got < plen) {
		n = vfio_user_sock_rx_some(sock, rx, buf + rx->pay_got, plen - rx->pay_got);
		if (n <= 0)
			return vfio_user_sock_rx_stop(n, err);
		rx->pay_got += (uint32_t)n;
	}
	/* A whole message. */
	rx->hdr_got = 0;
	rx->pay_got = 0;
	return VFIO_USER_SOCK_RX_MSG;
}

int
vfio_user_sock_send_nb(int sock, const uint8_t *msg, uint32_t *off, uint32_t len, int *fd)
{
	while (*off < len) {
		ssize_t n = vfio_user_sock_send_some(sock, msg + *off, len - *off, fd,
						     *fd >= 0 ? 1 : 0);

		if (n < 0)
			return (int)n;
		if (*fd >= 0) { /* it went with the first byte */
			close(*fd);
			*fd = -1;
		}
		*off += (uint32_t)n;
	}
	return 0;
}
