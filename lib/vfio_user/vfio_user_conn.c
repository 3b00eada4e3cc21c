/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user server: the connection of a server's client. Receiving never
 * blocks: the socket layer (vfio_user_sock_rx()) reassembles the current
 * message across as many readable events as needed. Nor does sending: a
 * reply the socket cannot take whole is kept as the connection's pending
 * output; the connection is then watched for room (EPOLLOUT) and not read
 * until the output has gone, so that a client that does not read its
 * replies only stalls itself.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_spinlock.h>

#include "vfio_user_server_internal.h"

static int64_t
vfio_user_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The client's socket was found empty between two requests (or a new client). */
static inline void
vfio_user_run_end(struct vfio_user_conn *c)
{
	c->run_start_us = 0;
	c->run_msgs = 0;
	c->run_warned = false;
}

/*
 * Send what the socket takes of the pending output, never waiting.
 * @return 0 when it has all gone, -EAGAIN when some is left, or another
 *   negative errno when the connection is broken.
 */
static int
vfio_user_conn_flush(struct vfio_user_conn *c)
{
	int ret;

	ret = vfio_user_sock_send_nb(c->sock, c->reply, &c->out_off, c->out_len, &c->out_fd);
	if (ret == 0) {
		c->out_off = 0;
		c->out_len = 0;
	}
	return ret;
}

void
vfio_user_disconnect(struct rte_vfio_user_server *srv)
{
	struct vfio_user_conn *c = &srv->conn;
	bool was_negotiated = c->negotiated;
	unsigned int i;

	if (c->sock < 0)
		return;
	vfio_user_ctl_unwatch(srv);
	close(c->sock);
	c->sock = -1;
	c->registered = false;
	if (c->out_fd >= 0)
		close(c->out_fd);
	c->out_fd = -1;
	c->out_off = 0;
	c->out_len = 0;
	c->negotiated = false;
	vfio_user_run_end(c);
	c->write_multiple = false;
	c->migration = false;
	c->mig_max_bitmap = 0;
	vfio_user_sock_rx_reset(&c->rx);
	free(c->buf);
	c->buf = NULL;
	c->reply = NULL;
	__atomic_store_n(&srv->connected, false, __ATOMIC_RELEASE);
	rte_spinlock_lock(&srv->info_lock);
	srv->info.connected = false;
	srv->info.negotiated = false;
	srv->info.version_major = 0;
	srv->info.version_minor = 0;
	srv->info.pid = -1;
	srv->info.uid = -1;
	srv->info.connected_at = 0;
	rte_spinlock_unlock(&srv->info_lock);

	/* Logging off before the memory it logs goes. */
	vfio_user_dlog_stop(srv);
	vfio_user_dma_clear(srv);
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++)
		vfio_user_irq_disable(&srv->irqs[i]);
	/* The next client finds the configuration space as at power-on. */
	pthread_mutex_lock(&srv->pci_lock);
	vfio_user_pci_reset(&srv->pci);
	pthread_mutex_unlock(&srv->pci_lock);
	VFIO_USER_LOG(INFO, "%s: client disconnected", srv->path);
	if (was_negotiated && srv->ops.disconnected != NULL)
		srv->ops.disconnected(srv->arg);
	/* Whatever the migration state, the next client finds the device running. */
	vfio_user_mig_reset(srv, false);
}

void
vfio_user_info_listening(struct rte_vfio_user_server *srv, bool on)
{
	rte_spinlock_lock(&srv->info_lock);
	srv->info.listening = on;
	rte_spinlock_unlock(&srv->info_lock);
}

/* A client's socket was accepted: who it is, for telemetry. */
static void
vfio_user_info_opened(struct rte_vfio_user_server *srv, int sock)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred)) {
		cred.pid = -1;
		cred.uid = (uid_t)-1;
	}
	rte_spinlock_lock(&srv->info_lock);
	srv->info.connected = true;
	srv->info.negotiated = false;
	srv->info.pid = cred.pid;
	srv->info.uid = cred.uid == (uid_t)-1 ? -1 : (int64_t)cred.uid;
	srv->info.connected_at = time(NULL);
	srv->info.clients_accepted++;
	rte_spinlock_unlock(&srv->info_lock);
}

int
vfio_user_conn_open(struct rte_vfio_user_server *srv, int sock)
{
	struct vfio_user_conn *c = &srv->conn;

	/* One allocation: request payload then reply message. */
	c->buf = malloc(2 * (size_t)VFIO_USER_SRV_MAX_MSG_SIZE);
	if (c->buf == NULL)
		return -ENOMEM;
	c->reply = c->buf + VFIO_USER_SRV_MAX_MSG_SIZE;
	c->sock = sock;
	c->registered = false;
	c->negotiated = false;
	vfio_user_run_end(c);
	c->write_multiple = false;
	c->migration = false;
	c->mig_max_bitmap = 0;
	c->opened_ms = vfio_user_now_ms();
	c->refused = 0;
	c->out_off = 0;
	c->out_len = 0;
	c->out_fd = -1;
	c->max_fds = VFIO_USER_SRV_MAX_MSG_FDS;
	c->minor = 0;
	c->rx.nfds = 0;
	vfio_user_sock_rx_reset(&c->rx);
	vfio_user_info_opened(srv, sock);
	return 0;
}

static void
vfio_user_conn_drop_slow(struct rte_vfio_user_server *srv)
{
	VFIO_USER_LOG(WARNING,
		      "%s: dropping a client that has not read its reply (%u bytes left) in %d ms",
		      srv->path, srv->conn.out_len - srv->conn.out_off,
		      VFIO_USER_SRV_SEND_TIMEOUT_MS);
	vfio_user_disconnect(srv);
}

/*
 * How long the request took, and the run of back-to-back requests it ends
 * so far: a client that waits for a reply (QEMU waits for the last DMA
 * request of a memory transaction) waits for the whole run. Logged at
 * WARNING past VFIO_USER_SRV_SLOW_MS (a run once), at DEBUG otherwise.
 */
static void
vfio_user_req_timing(struct rte_vfio_user_server *srv, const struct vfio_user_hdr *h, int64_t t0)
{
	struct vfio_user_conn *c = &srv->conn;
	int64_t now = vfio_user_now_us(), took = now - t0, run;

	if (c->run_start_us == 0)
		c->run_start_us = t0;
	c->run_msgs++;
	run = now - c->run_start_us;
	VFIO_USER_LOG(DEBUG,
		      "%s: %s (msg_id %u) handled in %" PRId64 " us (%u in a row, %" PRId64 " us)",
		      srv->path, vfio_user_cmd_name(h->cmd), h->msg_id, took, c->run_msgs, run);
	if (took >= (int64_t)VFIO_USER_SRV_SLOW_MS * 1000) {
		VFIO_USER_LOG(WARNING,
			      "%s: %s (msg_id %u) kept the server %" PRId64
			      " ms (device callbacks included): QEMU gives up on a reply after"
			      " x-msg-timeout (5000 ms by default)",
			      srv->path, vfio_user_cmd_name(h->cmd), h->msg_id, took / 1000);
		c->run_warned = true;
	} else if (!c->run_warned && run >= (int64_t)VFIO_USER_SRV_SLOW_MS * 1000) {
		VFIO_USER_LOG(WARNING,
			      "%s: %u requests handled back to back in %" PRId64
			      " ms, the last %s (msg_id %u): a client waiting for the last"
			      " one's reply waited that long (QEMU gives up after x-msg-timeout,"
			      " 5000 ms by default)",
			      srv->path, c->run_msgs, run / 1000, vfio_user_cmd_name(h->cmd),
			      h->msg_id);
		c->run_warned = true;
	}
}

/*
 * Handle the message just received (header in c->hdr, payload in c->buf,
 * descriptors in c->rx.fds).
 * @return 0, or a negative errno when the connection was closed.
 */
static int
vfio_user_process(struct rte_vfio_user_server *srv)
{
	struct vfio_user_conn *c = &srv->conn;
	int fds[VFIO_USER_SRV_MAX_MSG_FDS];
	struct vfio_user_hdr rh;
	struct vfio_user_req req;
	bool fatal = false, overflow;
	int64_t t0 = vfio_user_now_us();
	uint32_t type;
	int ret;

	memset(&req, 0, sizeof(req));
	req.hdr = c->rx.hdr;
	req.payload = c->buf;
	req.len = c->rx.hdr.size - VFIO_USER_HDR_SIZE;
	memcpy(fds, c->rx.fds, c->rx.nfds * sizeof(int));
	req.fds = fds;
	req.nfds = c->rx.nfds;
	overflow = c->rx.fds_overflow;
	c->rx.nfds = 0;
	c->rx.fds_overflow = false;
	req.rbuf = c->reply + VFIO_USER_HDR_SIZE;
	req.rcap = VFIO_USER_SRV_MAX_MSG_SIZE - VFIO_USER_HDR_SIZE;
	req.reply_fd = -1;
	type = req.hdr.flags & VFIO_USER_F_TYPE_MASK;

	if (type == VFIO_USER_F_TYPE_REPLY && c->negotiated) {
		/* We never send commands: nothing to match it with. */
		VFIO_USER_LOG(DEBUG, "%s: ignoring a reply (msg_id %u, %s)", srv->path,
			      req.hdr.msg_id, vfio_user_cmd_name(req.hdr.cmd));
		vfio_user_close_fds(fds, req.nfds);
		return 0;
	}
	if (!c->negotiated &&
	    (type != VFIO_USER_F_TYPE_COMMAND || req.hdr.cmd != VFIO_USER_CMD_VERSION)) {
		VFIO_USER_LOG(WARNING,
			      "%s: first message is not VERSION (%s): closing the connection",
			      srv->path, vfio_user_cmd_name(req.hdr.cmd));
		ret = -EINVAL;
	} else if (overflow || req.nfds > c->max_fds) {
		VFIO_USER_LOG_REFUSED(srv, VFIO_USER_REFUSED_FDS,
				      "%s refused: the message carried more than %u fds",
				      vfio_user_cmd_name(req.hdr.cmd), c->max_fds);
		ret = -EINVAL;
	} else {
		ret = vfio_user_cmd_dispatch(srv, &req);
	}
	vfio_user_close_fds(fds, req.nfds); /* those no handler kept */
	if (ret < 0 && !c->negotiated)
		fatal = true;
	vfio_user_req_timing(srv, &req.hdr, t0);

	if (req.hdr.flags & VFIO_USER_F_NO_REPLY) {
		if (ret < 0)
			VFIO_USER_LOG(DEBUG, "%s: %s (msg_id %u, no reply): %s", srv->path,
				      vfio_user_cmd_name(req.hdr.cmd), req.hdr.msg_id,
				      strerror(-ret));
	} else {
		memset(&rh, 0, sizeof(rh));
		rh.msg_id = req.hdr.msg_id;
		rh.cmd = req.hdr.cmd;
		rh.flags = VFIO_USER_F_TYPE_REPLY;
		if (ret < 0) {
			VFIO_USER_LOG(DEBUG, "%s: %s (msg_id %u): %s", srv->path,
				      vfio_user_cmd_name(req.hdr.cmd), req.hdr.msg_id,
				      strerror(-ret));
			rh.flags |= VFIO_USER_F_ERROR;
			rh.error = (uint32_t)-ret;
			req.rlen = 0;
			if (req.reply_fd >= 0)
				close(req.reply_fd);
			req.reply_fd = -1;
		}
		rh.size = VFIO_USER_HDR_SIZE + req.rlen;
		vfio_user_hdr_encode(c->reply, &rh);
		c->out_off = 0;
		c->out_len = rh.size;
		c->out_fd = req.reply_fd; /* the connection's now */
		ret = vfio_user_conn_flush(c);
		if (ret == -EAGAIN) {
			/* The rest goes when the client makes room. */
			c->out_deadline = vfio_user_now_ms() + VFIO_USER_SRV_SEND_TIMEOUT_MS;
			ret = vfio_user_ctl_watch(srv, true);
		}
		if (ret < 0) {
			VFIO_USER_LOG(INFO, "%s: sending a reply: %s", srv->path, strerror(-ret));
			vfio_user_disconnect(srv);
			return ret;
		}
	}
	if (fatal) {
		vfio_user_disconnect(srv);
		return -EPROTO;
	}
	if (req.negotiated) {
		c->negotiated = true;
		rte_spinlock_lock(&srv->info_lock);
		srv->info.negotiated = true;
		srv->info.version_major = VFIO_USER_VERSION_MAJOR;
		srv->info.version_minor = c->minor;
		rte_spinlock_unlock(&srv->info_lock);
		__atomic_store_n(&srv->connected, true, __ATOMIC_RELEASE);
		if (srv->ops.connected != NULL)
			srv->ops.connected(srv->arg);
	}
	return 0;
}

/*
 * Read what is available and handle every complete message, at most budget
 * of them (0: no limit).
 * @return 0 (nothing more now, or budget spent), or a negative errno when
 *   the connection was closed.
 */
static int
vfio_user_conn_input(struct rte_vfio_user_server *srv, unsigned int budget)
{
	struct vfio_user_conn *c = &srv->conn;
	enum vfio_user_sock_rx_status st;
	unsigned int done = 0;
	int ret, err = 0;

	while (c->sock >= 0) {
		if (c->out_len > 0)
			return 0; /* not read until the reply has gone */
		if (budget != 0 && done >= budget)
			return 0;
		st = vfio_user_sock_rx(c->sock, &c->rx, c->buf, VFIO_USER_SRV_MAX_MSG_SIZE, &err);
		switch (st) {
		case VFIO_USER_SOCK_RX_MSG:
			done++;
			ret = vfio_user_process(srv);
			if (ret < 0)
				return ret;
			break;
		case VFIO_USER_SOCK_RX_AGAIN:
			if (c->rx.hdr_got == 0)
				vfio_user_run_end(c);
			return 0;
		case VFIO_USER_SOCK_RX_BAD_HDR:
			VFIO_USER_LOG(WARNING,
				      "%s: bad message header (%s): closing the connection",
				      srv->path, strerror(err));
			vfio_user_disconnect(srv);
			return -err;
		case VFIO_USER_SOCK_RX_EOF:
		default:
			if (st == VFIO_USER_SOCK_RX_EOF && c->rx.hdr_got == 0)
				VFIO_USER_LOG(INFO, "%s: client closed the connection", srv->path);
			else
				VFIO_USER_LOG(INFO, "%s: connection lost%s: %s", srv->path,
					      c->rx.hdr_got > 0 ? " inside a message" : "",
					      st == VFIO_USER_SOCK_RX_EOF ? "EOF" : strerror(err));
			vfio_user_disconnect(srv);
			return st == VFIO_USER_SOCK_RX_EOF ? -ECONNRESET : -err;
		}
	}
	return -ENOTCONN;
}

/*
 * Serve a connection: send its pending output, then (once that has gone)
 * read and handle at most budget messages (0: no limit).
 * @return as vfio_user_conn_input().
 */
int
vfio_user_conn_service(struct rte_vfio_user_server *srv, unsigned int budget)
{
	struct vfio_user_conn *c = &srv->conn;
	int ret;

	if (c->sock < 0)
		return -ENOTCONN;
	if (c->out_len > 0) {
		ret = vfio_user_conn_flush(c);
		if (ret == -EAGAIN) {
			if (vfio_user_now_ms() < c->out_deadline)
				return 0;
			vfio_user_conn_drop_slow(srv);
			return -ETIMEDOUT;
		}
		if (ret == 0)
			ret = vfio_user_ctl_watch(srv, false);
		if (ret < 0) {
			VFIO_USER_LOG(INFO, "%s: sending a reply: %s", srv->path, strerror(-ret));
			vfio_user_disconnect(srv);
			return ret;
		}
	}
	return vfio_user_conn_input(srv, budget);
}
