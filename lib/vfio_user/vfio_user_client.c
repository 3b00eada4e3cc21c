/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user client: one UNIX stream connection to a server, one request in
 * flight at a time.
 *
 * Requests are built in the client's message buffer, sent whole (with
 * their descriptors) and answered into the same buffer. While waiting for
 * a reply the client answers any request of the server (DMA_READ,
 * DMA_WRITE, ...) with ENOTSUP: its DMA memory is always given as fds.
 *
 * The server is a peer like any other: every reply is checked (type,
 * msg_id, command, length, argsz, echoed fields, counts, descriptors) and a
 * bad one is -EPROTO. When the stream cannot be trusted any longer (a
 * timeout, a transport error, a malformed header) the client is marked
 * broken, shut down, and every later request returns -ENOTCONN.
 *
 * Every public call has one deadline, timeout_ms from its start, that
 * bounds all of its sends and receives together, whatever the server
 * sends meanwhile (its own requests, replies to other messages, a message
 * that trickles in a byte at a time): once it passes, the call returns
 * -ETIMEDOUT and the connection is broken. Descriptors that come with any
 * message the client does not keep are closed.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "rte_vfio_user_client.h"
#include "vfio_user_log.h"
#include "vfio_user_msg.h"
#include "vfio_user_sock.h"

#define CLIENT_DEFAULT_TIMEOUT_MS 5000u
#define CLIENT_DEFAULT_MAX_MSG_FDS 16u
#define CLIENT_DEFAULT_MAX_XFER (1024u * 1024u)
/* Largest argsz the client offers for a GET_REGION_INFO reply. */
#define CLIENT_REGION_INFO_MAX_ARGSZ 4096u
/* Region indices the client keeps state for (QEMU allows up to 100). */
#define CLIENT_MAX_REGIONS 256u
/* Most descriptors Linux passes in one message (SCM_MAX_FD). */
#define CLIENT_SCM_MAX_FD 253u
/* Largest errno accepted in an error reply. */
#define CLIENT_MAX_ERRNO 4095u
/* Most IRQ indices a device may report (VFIO PCI has 5). */
#define CLIENT_MAX_IRQ_INDICES 64u
/* Most vectors of one IRQ index (the PCI MSI-X limit). */
#define CLIENT_MAX_IRQ_VECTORS 2048u

struct client_region {
	bool valid;
	struct rte_vfio_user_region_info info; /* info.fd owned here */
};

struct client_map {
	void *addr;
	size_t len;
};

struct rte_vfio_user_client {
	int sock;
	bool broken; /* stream out of sync or gone: no more requests */
	bool remote_error; /* the last failed request got an error reply */
	uint16_t next_id;
	int timeout_ms;
	int64_t deadline; /* of the public call in progress (vfio_user_now_ms) */
	int64_t limit; /* no call ends later (vfio_user_now_ms); 0: none */
	uint32_t own_max_fds; /* max_msg_fds offered: most fds we take */
	uint32_t own_max_xfer; /* max_data_xfer_size offered */
	uint32_t xfer; /* region access chunk size */
	uint64_t min_pgsize; /* smallest page size of caps.pgsizes */
	struct rte_vfio_user_client_caps caps;
	uint8_t *buf; /* requests and replies, header included */
	uint32_t buf_size;
	int *rfds; /* own_max_fds descriptors received with a message */
	struct client_region *regions;
	uint32_t nr_regions;
	struct client_map *maps;
	uint32_t nr_maps;
	uint32_t maps_cap;
};

/* Start a public call: its deadline (timeout_ms, or the limit if sooner). */
static void
client_begin(struct rte_vfio_user_client *c)
{
	c->deadline = vfio_user_now_ms() + c->timeout_ms;
	if (c->limit != 0 && c->limit < c->deadline)
		c->deadline = c->limit;
}

/* Milliseconds left before the call's deadline (0 when it has passed). */
static int
client_left(const struct rte_vfio_user_client *c)
{
	int64_t left = c->deadline - vfio_user_now_ms();

	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

static void
client_break(struct rte_vfio_user_client *c, const char *why, int err)
{
	if (c->broken)
		return;
	VFIO_USER_LOG(ERR, "connection unusable: %s (%s)", why, strerror(-err));
	c->broken = true;
	/* Tell the server we are gone; the fd stays valid until close. */
	shutdown(c->sock, SHUT_RDWR);
}

/* Answer a request of the server: we serve none of them. */
static int
client_refuse(struct rte_vfio_user_client *c, const struct vfio_user_hdr *req)
{
	uint8_t msg[VFIO_USER_HDR_SIZE];
	struct vfio_user_hdr h;

	VFIO_USER_LOG(DEBUG, "refusing server request %s (msg_id %u)", vfio_user_cmd_name(req->cmd),
		      req->msg_id);
	if (req->flags & VFIO_USER_F_NO_REPLY)
		return 0;
	memset(&h, 0, sizeof(h));
	h.msg_id = req->msg_id;
	h.cmd = req->cmd;
	h.size = VFIO_USER_HDR_SIZE;
	h.flags = VFIO_USER_F_TYPE_REPLY | VFIO_USER_F_ERROR;
	h.error = ENOTSUP;
	vfio_user_hdr_encode(msg, &h);
	return vfio_user_sock_send(c->sock, msg, sizeof(msg), NULL, 0, client_left(c));
}

/* Send the message in c->buf (payload of len bytes already written). */
static int
client_send(struct rte_vfio_user_client *c, uint16_t cmd, uint32_t len, uint32_t flags,
	    const int *fds, unsigned int nfds, uint16_t *id)
{
	struct vfio_user_hdr h;
	int ret;

	if (c->broken)
		return -ENOTCONN;
	memset(&h, 0, sizeof(h));
	h.msg_id = c->next_id++;
	h.cmd = cmd;
	h.size = VFIO_USER_HDR_SIZE + len;
	h.flags = VFIO_USER_F_TYPE_COMMAND | flags;
	vfio_user_hdr_encode(c->buf, &h);
	if (client_left(c) == 0) {
		client_break(c, "deadline passed before the request was sent", -ETIMEDOUT);
		return -ETIMEDOUT;
	}
	ret = vfio_user_sock_send(c->sock, c->buf, h.size, fds, nfds, client_left(c));
	if (ret < 0) {
		client_break(c, "send failed", ret);
		return ret;
	}
	if (id != NULL)
		*id = h.msg_id;
	return 0;
}

/*
 * Send the request whose payload (len bytes) is at c->buf + 16, wait for
 * its reply and leave the reply's payload there.
 *
 * @param rfd   where to put the one descriptor the reply may carry, or
 *              NULL when the reply may carry none (set to -1 if none came)
 * @param rlen  reply payload length
 * Everything is bounded by the call's deadline (client_begin()): messages
 * that are not the reply (requests of the server, replies with another
 * msg_id) are answered or dropped, their descriptors closed, until it
 * passes; then -ETIMEDOUT.
 *
 * @return 0, -errno of an error reply (c->remote_error set), -EPROTO for a
 *   bad reply, or a transport error or -ETIMEDOUT (the client is then
 *   broken).
 */
static int
client_call(struct rte_vfio_user_client *c, uint16_t cmd, uint32_t len, const int *fds,
	    unsigned int nfds, int *rfd, uint32_t *rlen)
{
	unsigned int skipped = 0;
	uint16_t id;
	int ret;

	c->remote_error = false;
	if (rfd != NULL)
		*rfd = -1;
	*rlen = 0;
	ret = client_send(c, cmd, len, 0, fds, nfds, &id);
	if (ret < 0)
		return ret;

	for (;;) {
		unsigned int n = 0, max_rfds;
		struct vfio_user_hdr rh;
		int left;

		left = client_left(c);
		if (left == 0) {
			VFIO_USER_LOG(ERR,
				      "%s: no reply within %d ms (%u other messages meanwhile)",
				      vfio_user_cmd_name(cmd), c->timeout_ms, skipped);
			client_break(c, "reply timeout", -ETIMEDOUT);
			return -ETIMEDOUT;
		}
		ret = vfio_user_sock_recv(c->sock, c->buf, c->buf_size, &rh, c->rfds,
					  c->own_max_fds, &n, left);
		if (ret < 0) {
			if (ret == -EINVAL || ret == -E2BIG) {
				/* bad header, or fds beyond what we offered */
				client_break(c, "bad message from server", ret);
				return -EPROTO;
			}
			client_break(c, "receive failed", ret);
			return ret;
		}
		max_rfds = rfd != NULL ? 1 : 0;

		if ((rh.flags & VFIO_USER_F_TYPE_MASK) == VFIO_USER_F_TYPE_COMMAND) {
			vfio_user_close_fds(c->rfds, n);
			skipped++;
			ret = client_refuse(c, &rh);
			if (ret < 0) {
				client_break(c, "send failed", ret);
				return ret;
			}
			continue;
		}
		if (rh.msg_id != id) {
			/* e.g. an error for a posted write: not ours */
			if (skipped++ == 0)
				VFIO_USER_LOG(WARNING,
					      "ignoring reply %s msg_id %u (waiting for %u)",
					      vfio_user_cmd_name(rh.cmd), rh.msg_id, id);
			vfio_user_close_fds(c->rfds, n);
			continue;
		}
		if (rh.cmd != cmd) {
			VFIO_USER_LOG(ERR, "reply to %s has command %u", vfio_user_cmd_name(cmd),
				      rh.cmd);
			vfio_user_close_fds(c->rfds, n);
			return -EPROTO;
		}
		if (rh.flags & VFIO_USER_F_ERROR) {
			vfio_user_close_fds(c->rfds, n);
			if (rh.error == 0 || rh.error > CLIENT_MAX_ERRNO) {
				VFIO_USER_LOG(ERR, "%s: bad error %u in reply",
					      vfio_user_cmd_name(cmd), rh.error);
				return -EPROTO;
			}
			VFIO_USER_LOG(DEBUG, "%s: server error %u", vfio_user_cmd_name(cmd),
				      rh.error);
			c->remote_error = true;
			return -(int)rh.error;
		}
		if (n > max_rfds) {
			VFIO_USER_LOG(ERR, "%s: reply with %u fds", vfio_user_cmd_name(cmd), n);
			vfio_user_close_fds(c->rfds, n);
			return -EPROTO;
		}
		if (n == 1)
			*rfd = c->rfds[0];
		c->rfds[0] = -1;
		*rlen = rh.size - VFIO_USER_HDR_SIZE;
		return 0;
	}
}

/* Request with no reply payload expected. */
static int
client_call_noreply_payload(struct rte_vfio_user_client *c, uint16_t cmd, uint32_t len,
			    const int *fds, unsigned int nfds)
{
	uint32_t rlen;
	int ret;

	ret = client_call(c, cmd, len, fds, nfds, NULL, &rlen);
	if (ret < 0)
		return ret;
	if (rlen != 0) {
		VFIO_USER_LOG(ERR, "%s: unexpected %u-byte reply", vfio_user_cmd_name(cmd), rlen);
		return -EPROTO;
	}
	return 0;
}

static uint8_t *
client_payload(struct rte_vfio_user_client *c)
{
	return c->buf + VFIO_USER_HDR_SIZE;
}

static size_t
client_payload_room(const struct rte_vfio_user_client *c)
{
	return c->buf_size - VFIO_USER_HDR_SIZE;
}

static int
client_negotiate(struct rte_vfio_user_client *c)
{
	struct vfio_user_version ver;
	struct vfio_user_caps caps;
	uint32_t rlen;
	int len, ret;

	vfio_user_caps_default(&caps);
	caps.max_msg_fds = c->own_max_fds;
	caps.max_data_xfer_size = c->own_max_xfer;
	caps.max_dma_maps = VFIO_USER_DEFAULT_MAX_DMA_MAPS;
	caps.pgsizes = VFIO_USER_DEFAULT_PGSIZES;
	caps.write_multiple = true;
	caps.migration = true;
	caps.mig_pgsize = VFIO_USER_DMA_LOGGING_MIN_PGSIZE;
	caps.mig_max_bitmap_size = client_payload_room(c) - VFIO_USER_DEVICE_FEATURE_SIZE -
		VFIO_USER_DMA_LOGGING_REPORT_SIZE;
	len = vfio_user_version_encode(client_payload(c), client_payload_room(c),
				       VFIO_USER_VERSION_MAJOR, VFIO_USER_VERSION_MINOR, &caps);
	if (len < 0) {
		VFIO_USER_LOG(ERR, "cannot encode VERSION: %d", len);
		return -EINVAL;
	}

	ret = client_call(c, VFIO_USER_CMD_VERSION, (uint32_t)len, NULL, 0, NULL, &rlen);
	if (ret < 0) {
		if (c->remote_error && ret == -EBUSY) {
			/* Not the version: the device serves another client. */
			VFIO_USER_LOG(ERR, "the device already has a client (EBUSY to VERSION)");
			return ret;
		}
		if (c->remote_error) {
			VFIO_USER_LOG(ERR, "server refused version %d.%d: %s",
				      VFIO_USER_VERSION_MAJOR, VFIO_USER_VERSION_MINOR,
				      strerror(-ret));
			return -EPROTO;
		}
		return ret;
	}
	ret = vfio_user_version_decode(client_payload(c), rlen, &ver);
	if (ret < 0) {
		VFIO_USER_LOG(ERR, "bad VERSION reply: %d", ret);
		return -EPROTO;
	}
	if (ver.major != VFIO_USER_VERSION_MAJOR || ver.minor > VFIO_USER_VERSION_MINOR) {
		VFIO_USER_LOG(ERR, "server answered version %u.%u to %d.%d", ver.major, ver.minor,
			      VFIO_USER_VERSION_MAJOR, VFIO_USER_VERSION_MINOR);
		return -EPROTO;
	}

	c->caps.major = ver.major;
	c->caps.minor = ver.minor;
	c->caps.max_msg_fds = ver.caps.max_msg_fds;
	c->caps.max_data_xfer_size = ver.caps.max_data_xfer_size;
	c->caps.max_dma_maps = ver.caps.max_dma_maps;
	c->caps.pgsizes = ver.caps.pgsizes;
	c->caps.write_multiple = ver.caps.write_multiple;
	c->caps.migration = ver.caps.migration;
	c->caps.mig_pgsize = ver.caps.migration ? ver.caps.mig_pgsize : 0;
	c->caps.mig_max_bitmap_size = ver.caps.migration ? ver.caps.mig_max_bitmap_size : 0;
	if (c->caps.migration &&
	    (c->caps.mig_pgsize < VFIO_USER_DMA_LOGGING_MIN_PGSIZE ||
	     c->caps.mig_max_bitmap_size < sizeof(uint64_t))) {
		VFIO_USER_LOG(ERR, "bad migration capability in VERSION reply");
		return -EPROTO;
	}
	if (c->caps.max_msg_fds == 0 || c->caps.max_data_xfer_size == 0 || c->caps.pgsizes == 0) {
		VFIO_USER_LOG(ERR, "bad capabilities in VERSION reply");
		return -EPROTO;
	}
	/* Our replies buffer holds what we offered: stay within both. */
	c->xfer = RTE_MIN(c->caps.max_data_xfer_size, c->own_max_xfer);
	c->min_pgsize = c->caps.pgsizes & -c->caps.pgsizes;
	VFIO_USER_LOG(
		DEBUG,
		"negotiated %u.%u max_msg_fds %u max_data_xfer_size %u max_dma_maps %u pgsizes "
		"0x%" PRIx64,
		c->caps.major, c->caps.minor, c->caps.max_msg_fds, c->caps.max_data_xfer_size,
		c->caps.max_dma_maps, c->caps.pgsizes);
	return 0;
}

struct rte_vfio_user_client *
rte_vfio_user_client_connect(const char *path, const struct rte_vfio_user_client_conf *conf)
{
	struct rte_vfio_user_client_conf def;
	struct rte_vfio_user_client *c;
	struct sockaddr_un sun;
	struct timeval tv;
	uint32_t body;
	unsigned int i;
	int err;

	if (path == NULL || path[0] == '\0') {
		rte_errno = EINVAL;
		return NULL;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		rte_errno = ENAMETOOLONG;
		return NULL;
	}
	memset(&def, 0, sizeof(def));
	if (conf != NULL)
		def = *conf;
	if (def.timeout_ms == 0)
		def.timeout_ms = CLIENT_DEFAULT_TIMEOUT_MS;
	if (def.max_msg_fds == 0)
		def.max_msg_fds = CLIENT_DEFAULT_MAX_MSG_FDS;
	if (def.max_data_xfer_size == 0)
		def.max_data_xfer_size = CLIENT_DEFAULT_MAX_XFER;
	if (def.max_msg_fds > VFIO_USER_MAX_MSG_FDS_LIMIT ||
	    def.max_data_xfer_size > VFIO_USER_MAX_DATA_XFER_LIMIT) {
		VFIO_USER_LOG(ERR, "bad client configuration");
		rte_errno = EINVAL;
		return NULL;
	}

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	c->sock = -1;
	c->timeout_ms = def.timeout_ms > INT_MAX ? INT_MAX : (int)def.timeout_ms;
	c->own_max_fds = def.max_msg_fds;
	c->own_max_xfer = def.max_data_xfer_size;

	/* Largest payload: a region read reply or a server's DMA_WRITE,
	 * a VERSION reply, a region info reply.
	 */
	body = VFIO_USER_REGION_ACCESS_SIZE + c->own_max_xfer;
	body = RTE_MAX(body, 4u + VFIO_USER_MAX_JSON_LEN + 1u);
	body = RTE_MAX(body, CLIENT_REGION_INFO_MAX_ARGSZ);
	c->buf_size = VFIO_USER_HDR_SIZE + body;
	c->buf = calloc(1, c->buf_size);
	c->rfds = calloc(c->own_max_fds, sizeof(int));
	if (c->buf == NULL || c->rfds == NULL) {
		err = ENOMEM;
		goto fail;
	}
	for (i = 0; i < c->own_max_fds; i++)
		c->rfds[i] = -1;

	c->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0) {
		err = errno;
		VFIO_USER_LOG(ERR, "socket: %s", strerror(err));
		goto fail;
	}
	/* Bounds a connect() to a server whose backlog is full. */
	tv.tv_sec = c->timeout_ms / 1000;
	tv.tv_usec = (c->timeout_ms % 1000) * 1000;
	setsockopt(c->sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	if (connect(c->sock, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = errno;
		if (err == EAGAIN || err == EINPROGRESS)
			err = ETIMEDOUT;
		/* Nobody serves the path: the caller says so (and may retry). */
		if (err == ENOENT || err == ECONNREFUSED)
			VFIO_USER_LOG(DEBUG, "connect %s: %s", path, strerror(err));
		else
			VFIO_USER_LOG(ERR, "connect %s: %s", path, strerror(err));
		goto fail;
	}

	client_begin(c);
	err = -client_negotiate(c);
	if (err != 0) {
		if (err == ENOTCONN)
			err = ECONNRESET;
		goto fail;
	}
	VFIO_USER_LOG(INFO, "connected to %s, protocol %u.%u", path, c->caps.major, c->caps.minor);
	return c;

fail:
	if (c->sock >= 0)
		close(c->sock);
	free(c->rfds);
	free(c->buf);
	free(c);
	rte_errno = err;
	return NULL;
}

void
rte_vfio_user_client_close(struct rte_vfio_user_client *c)
{
	uint32_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nr_maps; i++)
		munmap(c->maps[i].addr, c->maps[i].len);
	free(c->maps);
	for (i = 0; i < c->nr_regions; i++)
		if (c->regions[i].valid && c->regions[i].info.fd >= 0)
			close(c->regions[i].info.fd);
	free(c->regions);
	if (c->rfds != NULL)
		vfio_user_close_fds(c->rfds, c->own_max_fds);
	free(c->rfds);
	if (c->sock >= 0)
		close(c->sock);
	free(c->buf);
	free(c);
}

const struct rte_vfio_user_client_caps *
rte_vfio_user_client_caps(const struct rte_vfio_user_client *c)
{
	if (c == NULL)
		return NULL;
	return &c->caps;
}

int
rte_vfio_user_client_deadline_set(struct rte_vfio_user_client *c, uint32_t ms)
{
	if (c == NULL)
		return -EINVAL;
	c->limit = ms == 0 ? 0 : vfio_user_now_ms() + ms;
	return 0;
}

int
rte_vfio_user_client_fd(const struct rte_vfio_user_client *c)
{
	if (c == NULL)
		return -1;
	return c->sock;
}

/* Common entry checks of the requests. */
static int
client_check(struct rte_vfio_user_client *c)
{
	if (c == NULL)
		return -EINVAL;
	if (c->broken)
		return -ENOTCONN;
	client_begin(c);
	return 0;
}

int
rte_vfio_user_client_device_info(struct rte_vfio_user_client *c,
				 struct rte_vfio_user_device_info *info)
{
	struct vfio_user_device_info req, rep;
	uint32_t rlen;
	int len, ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (info == NULL)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.argsz = VFIO_USER_DEVICE_INFO_SIZE;
	len = vfio_user_device_info_encode(client_payload(c), client_payload_room(c), &req);
	if (len < 0)
		return len;
	ret = client_call(c, VFIO_USER_CMD_DEVICE_GET_INFO, (uint32_t)len, NULL, 0, NULL, &rlen);
	if (ret < 0)
		return ret;
	if (rlen != VFIO_USER_DEVICE_INFO_SIZE ||
	    vfio_user_device_info_decode(client_payload(c), rlen, &rep) < 0) {
		VFIO_USER_LOG(ERR, "bad DEVICE_GET_INFO reply (%u bytes)", rlen);
		return -EPROTO;
	}
	if (rep.num_regions > CLIENT_MAX_REGIONS || rep.num_irqs > CLIENT_MAX_IRQ_INDICES) {
		VFIO_USER_LOG(
			ERR, "DEVICE_GET_INFO: %u regions, %u IRQ indices: more than %u and %u",
			rep.num_regions, rep.num_irqs, CLIENT_MAX_REGIONS, CLIENT_MAX_IRQ_INDICES);
		return -EPROTO;
	}
	info->flags = rep.flags;
	info->num_regions = rep.num_regions;
	info->num_irqs = rep.num_irqs;
	return 0;
}

/* One GET_REGION_INFO exchange offering argsz bytes. */
static int
client_region_query(struct rte_vfio_user_client *c, uint32_t index, uint32_t argsz,
		    struct vfio_user_region_info *ri, int *fd)
{
	uint32_t rlen;
	int len, ret;

	*fd = -1;
	len = vfio_user_region_info_req_encode(client_payload(c), client_payload_room(c), index,
					       argsz);
	if (len < 0)
		return len;
	ret = client_call(c, VFIO_USER_CMD_DEVICE_GET_REGION_INFO, (uint32_t)len, NULL, 0, fd,
			  &rlen);
	if (ret < 0)
		return ret;
	memset(ri, 0, sizeof(*ri));
	if (rlen < VFIO_USER_REGION_INFO_SIZE || rlen > argsz ||
	    vfio_user_region_info_reply_decode(client_payload(c), rlen, ri) < 0)
		goto bad;
	if (ri->index != index || ri->argsz < VFIO_USER_REGION_INFO_SIZE)
		goto bad;
	/* All of it when it fits, else just the fixed part. */
	if (ri->argsz <= argsz ? rlen != ri->argsz : rlen != VFIO_USER_REGION_INFO_SIZE)
		goto bad;
	return 0;

bad:
	VFIO_USER_LOG(ERR, "bad GET_REGION_INFO reply for region %u (%u bytes)", index, rlen);
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return -EPROTO;
}

static struct client_region *
client_region_slot(struct rte_vfio_user_client *c, uint32_t index)
{
	struct client_region *r;
	uint32_t i, n;

	if (index >= CLIENT_MAX_REGIONS)
		return NULL;
	if (index < c->nr_regions)
		return &c->regions[index];
	n = index + 1;
	r = realloc(c->regions, n * sizeof(*r));
	if (r == NULL)
		return NULL;
	for (i = c->nr_regions; i < n; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].info.fd = -1;
	}
	c->regions = r;
	c->nr_regions = n;
	return &c->regions[index];
}

int
rte_vfio_user_client_region_info(struct rte_vfio_user_client *c, uint32_t index,
				 struct rte_vfio_user_region_info *info)
{
	struct rte_vfio_user_region_info out;
	struct vfio_user_region_info ri;
	struct client_region *slot;
	uint32_t i;
	int fd, ret;

	RTE_BUILD_BUG_ON(RTE_VFIO_USER_MAX_SPARSE != VFIO_USER_MAX_SPARSE_AREAS);

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (info == NULL || index >= CLIENT_MAX_REGIONS)
		return -EINVAL;
	slot = client_region_slot(c, index);
	if (slot == NULL)
		return -ENOMEM;

	ret = client_region_query(c, index, VFIO_USER_REGION_INFO_SIZE, &ri, &fd);
	if (ret < 0)
		return ret;
	if (ri.argsz > VFIO_USER_REGION_INFO_SIZE) {
		/* A capability chain follows: ask again with room for it. */
		uint32_t argsz = RTE_MIN(ri.argsz, CLIENT_REGION_INFO_MAX_ARGSZ);

		if (fd >= 0)
			close(fd);
		ret = client_region_query(c, index, argsz, &ri, &fd);
		if (ret < 0)
			return ret;
	}

	if (fd >= 0 && !(ri.flags & VFIO_USER_REGION_FLAG_MMAP))
		goto bad;
	if (ri.nr_areas > RTE_VFIO_USER_MAX_SPARSE)
		goto bad;
	memset(&out, 0, sizeof(out));
	out.size = ri.size;
	out.flags = ri.flags &
		(RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE |
		 RTE_VFIO_USER_REGION_MMAP);
	if (fd < 0)
		out.flags &= ~RTE_VFIO_USER_REGION_MMAP; /* nothing to mmap */
	out.fd_offset = ri.offset;
	out.nr_sparse = ri.nr_areas;
	for (i = 0; i < ri.nr_areas; i++) {
		const struct vfio_user_sparse_area *a = &ri.areas[i];

		if (a->size == 0 || a->offset + a->size < a->offset ||
		    a->offset + a->size > ri.size)
			goto bad;
		out.sparse[i].offset = a->offset;
		out.sparse[i].size = a->size;
	}
	if (fd >= 0 && ri.offset + ri.size < ri.offset)
		goto bad;
	out.fd = fd;

	if (slot->valid && slot->info.fd >= 0)
		close(slot->info.fd);
	slot->info = out;
	slot->valid = true;
	*info = out;
	return 0;

bad:
	VFIO_USER_LOG(ERR, "bad region %u info from server", index);
	if (fd >= 0)
		close(fd);
	return -EPROTO;
}

static int
client_add_map(struct rte_vfio_user_client *c)
{
	struct client_map *m;
	uint32_t n;

	if (c->nr_maps < c->maps_cap)
		return 0;
	n = c->maps_cap == 0 ? 8 : c->maps_cap * 2;
	if (n < c->maps_cap)
		return -ENOMEM;
	m = realloc(c->maps, n * sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	c->maps = m;
	c->maps_cap = n;
	return 0;
}

/*
 * What of a server's file may be mapped: the mapping is written without a
 * message (doorbells from a data path), so the file must not be able to
 * pull it away. Only a regular file sealed against shrinking (a memfd made
 * with MFD_ALLOW_SEALING; the client adds F_SEAL_SHRINK itself when the
 * server did not) that covers what is mapped: a file that can shrink makes
 * every access beyond its new end fault (SIGBUS). Anything else is refused
 * (-EPERM): a regular file that takes no seal (on a disk or tmpfs, a memfd
 * without MFD_ALLOW_SEALING), and every other kind of file, whose mapping
 * the server's process controls in ways the client cannot check (a device
 * whose driver may revoke or fault the mapping, a block device that may
 * shrink); a pipe or socket cannot be mapped at all.
 */
static int
client_region_file_check(uint32_t index, int fd, uint64_t off, uint64_t size)
{
	struct stat st;
	int seals;

	if (fstat(fd, &st) < 0) {
		int err = errno;

		VFIO_USER_LOG(ERR, "region %u: fstat of the server's file: %s", index,
			      strerror(err));
		return -err;
	}
	if (!S_ISREG(st.st_mode)) {
		VFIO_USER_LOG(ERR,
			      "region %u: the server's file is not a regular file (mode 0%o): "
			      "not mapped (only a memfd sealed against shrinking is)",
			      index, (unsigned int)(st.st_mode & S_IFMT));
		return -EPERM;
	}
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
			int err = errno;

			VFIO_USER_LOG(ERR,
				      "region %u: the server's file is not sealed against "
				      "shrinking and cannot be (%s): not mapped (the server "
				      "could make this process fault; give a memfd made with "
				      "MFD_ALLOW_SEALING)",
				      index, strerror(err));
			return -EPERM;
		}
	}
	/* The size now that it can no longer shrink (it may have before the seal). */
	if (fstat(fd, &st) < 0) {
		int err = errno;

		VFIO_USER_LOG(ERR, "region %u: fstat of the server's file: %s", index,
			      strerror(err));
		return -err;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size < off || (uint64_t)st.st_size - off < size) {
		VFIO_USER_LOG(ERR,
			      "region %u: the server's file (%jd bytes) does not cover 0x%" PRIx64
			      " bytes at 0x%" PRIx64,
			      index, (intmax_t)st.st_size, size, off);
		return -EPROTO;
	}
	return 0;
}

void *
rte_vfio_user_client_region_mmap(struct rte_vfio_user_client *c, uint32_t index, uint32_t area)
{
	const struct rte_vfio_user_region_info *r;
	uint64_t off, size, moff;
	void *addr;
	int ret;

	if (c == NULL || index >= CLIENT_MAX_REGIONS) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (index >= c->nr_regions || !c->regions[index].valid) {
		struct rte_vfio_user_region_info tmp;

		ret = rte_vfio_user_client_region_info(c, index, &tmp);
		if (ret < 0) {
			rte_errno = -ret;
			return NULL;
		}
	}
	r = &c->regions[index].info;
	if (r->fd < 0) {
		rte_errno = ENODEV;
		return NULL;
	}
	if (area == UINT32_MAX) {
		if (r->nr_sparse != 0) {
			rte_errno = EINVAL;
			return NULL;
		}
		off = 0;
		size = r->size;
	} else {
		if (area >= r->nr_sparse) {
			rte_errno = EINVAL;
			return NULL;
		}
		off = r->sparse[area].offset;
		size = r->sparse[area].size;
	}
	moff = r->fd_offset + off;
	if (size == 0 || size > SIZE_MAX || moff < off || moff > (uint64_t)INT64_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	ret = client_region_file_check(index, r->fd, moff, size);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	if (client_add_map(c) < 0) {
		rte_errno = ENOMEM;
		return NULL;
	}
	addr = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, (off_t)moff);
	if (addr == MAP_FAILED) {
		rte_errno = errno;
		VFIO_USER_LOG(ERR, "mmap region %u area %u: %s", index, area, strerror(rte_errno));
		return NULL;
	}
	c->maps[c->nr_maps].addr = addr;
	c->maps[c->nr_maps].len = (size_t)size;
	c->nr_maps++;
	return addr;
}

/* Most vectors an IRQ index of a PCI device may have. */
static uint32_t
client_irq_max(uint32_t index)
{
	switch (index) {
	case RTE_VFIO_USER_IRQ_INTX:
	case RTE_VFIO_USER_IRQ_ERR:
	case RTE_VFIO_USER_IRQ_REQ:
		return 1;
	case RTE_VFIO_USER_IRQ_MSI:
		return 32;
	default:
		return CLIENT_MAX_IRQ_VECTORS;
	}
}

int
rte_vfio_user_client_irq_info(struct rte_vfio_user_client *c, uint32_t index, uint32_t *count,
			      uint32_t *flags)
{
	struct vfio_user_irq_info req, rep;
	uint32_t rlen;
	int len, ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	memset(&req, 0, sizeof(req));
	req.argsz = VFIO_USER_IRQ_INFO_SIZE;
	req.index = index;
	len = vfio_user_irq_info_encode(client_payload(c), client_payload_room(c), &req);
	if (len < 0)
		return len;
	ret = client_call(c, VFIO_USER_CMD_DEVICE_GET_IRQ_INFO, (uint32_t)len, NULL, 0, NULL,
			  &rlen);
	if (ret < 0)
		return ret;
	if (rlen != VFIO_USER_IRQ_INFO_SIZE ||
	    vfio_user_irq_info_decode(client_payload(c), rlen, &rep) < 0 || rep.index != index) {
		VFIO_USER_LOG(ERR, "bad GET_IRQ_INFO reply for index %u", index);
		return -EPROTO;
	}
	if (rep.count > client_irq_max(index)) {
		VFIO_USER_LOG(ERR, "GET_IRQ_INFO: %u vectors for index %u (at most %u)", rep.count,
			      index, client_irq_max(index));
		return -EPROTO;
	}
	if (count != NULL)
		*count = rep.count;
	if (flags != NULL)
		*flags = rep.flags &
			(RTE_VFIO_USER_IRQ_EVENTFD | RTE_VFIO_USER_IRQ_MASKABLE |
			 RTE_VFIO_USER_IRQ_AUTOMASKED | RTE_VFIO_USER_IRQ_NORESIZE);
	return 0;
}

/* One SET_IRQS without data (fds, if any, as SCM_RIGHTS). */
static int
client_set_irqs_msg(struct rte_vfio_user_client *c, uint32_t flags, uint32_t index, uint32_t start,
		    uint32_t count, const int *fds, unsigned int nfds)
{
	struct vfio_user_set_irqs set;
	int len;

	memset(&set, 0, sizeof(set));
	set.argsz = VFIO_USER_SET_IRQS_SIZE;
	set.flags = flags;
	set.index = index;
	set.start = start;
	set.count = count;
	len = vfio_user_set_irqs_encode(client_payload(c), client_payload_room(c), &set);
	if (len < 0)
		return len;
	return client_call_noreply_payload(c, VFIO_USER_CMD_DEVICE_SET_IRQS, (uint32_t)len, fds,
					   nfds);
}

int
rte_vfio_user_client_set_irqs(struct rte_vfio_user_client *c, uint32_t index, uint32_t start,
			      uint32_t count, const int *fds)
{
	const uint32_t efd = VFIO_USER_IRQ_SET_DATA_EVENTFD | VFIO_USER_IRQ_SET_ACTION_TRIGGER;
	uint32_t i, batch;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (count == 0) {
		if (start != 0)
			return -EINVAL;
		return client_set_irqs_msg(
			c, VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_TRIGGER, index, 0,
			0, NULL, 0);
	}
	if (start + count < start)
		return -EINVAL;
	if (fds == NULL)
		return client_set_irqs_msg(c, efd, index, start, count, NULL, 0);

	batch = RTE_MIN(c->caps.max_msg_fds, CLIENT_SCM_MAX_FD);
	i = 0;
	while (i < count) {
		uint32_t j = i;

		if (fds[i] < 0) {
			/* A run of deassigned vectors: no fds, one message. */
			while (j < count && fds[j] < 0)
				j++;
			ret = client_set_irqs_msg(c, efd, index, start + i, j - i, NULL, 0);
		} else {
			while (j < count && j - i < batch && fds[j] >= 0)
				j++;
			ret = client_set_irqs_msg(c, efd, index, start + i, j - i, &fds[i], j - i);
		}
		if (ret < 0)
			return ret;
		i = j;
	}
	return 0;
}

int
rte_vfio_user_client_irq_mask(struct rte_vfio_user_client *c, uint32_t index, uint32_t start,
			      uint32_t count, bool mask)
{
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (count == 0 || start + count < start)
		return -EINVAL;
	return client_set_irqs_msg(
		c,
		VFIO_USER_IRQ_SET_DATA_NONE |
			(mask ? VFIO_USER_IRQ_SET_ACTION_MASK : VFIO_USER_IRQ_SET_ACTION_UNMASK),
		index, start, count, NULL, 0);
}

int
rte_vfio_user_client_region_read(struct rte_vfio_user_client *c, uint32_t index, uint64_t offset,
				 void *buf, uint32_t len)
{
	uint8_t *dst = buf;
	uint32_t done = 0;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (len == 0)
		return 0;
	if (buf == NULL || offset + len < offset)
		return -EINVAL;

	while (done < len) {
		struct vfio_user_region_access req, rep;
		uint32_t n = RTE_MIN(len - done, c->xfer);
		uint32_t rlen;
		int mlen;

		memset(&req, 0, sizeof(req));
		req.offset = offset + done;
		req.region = index;
		req.count = n;
		mlen = vfio_user_region_access_encode(client_payload(c), client_payload_room(c),
						      &req, NULL);
		if (mlen < 0)
			return mlen;
		ret = client_call(c, VFIO_USER_CMD_REGION_READ, (uint32_t)mlen, NULL, 0, NULL,
				  &rlen);
		if (ret < 0)
			return ret;
		if (vfio_user_region_read_reply_decode(client_payload(c), rlen, &rep) < 0 ||
		    rep.offset != req.offset || rep.region != index || rep.count != n ||
		    rep.data == NULL) {
			VFIO_USER_LOG(ERR, "bad REGION_READ reply");
			return -EPROTO;
		}
		memcpy(dst + done, rep.data, n);
		done += n;
	}
	return 0;
}

int
rte_vfio_user_client_region_write(struct rte_vfio_user_client *c, uint32_t index, uint64_t offset,
				  const void *buf, uint32_t len, bool posted)
{
	const uint8_t *src = buf;
	uint32_t done = 0;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (len == 0)
		return 0;
	if (buf == NULL || offset + len < offset)
		return -EINVAL;

	while (done < len) {
		struct vfio_user_region_access req, rep;
		uint32_t n = RTE_MIN(len - done, c->xfer);
		uint32_t rlen;
		int mlen;

		memset(&req, 0, sizeof(req));
		req.offset = offset + done;
		req.region = index;
		req.count = n;
		mlen = vfio_user_region_access_encode(client_payload(c), client_payload_room(c),
						      &req, src + done);
		if (mlen < 0)
			return mlen;
		if (posted) {
			ret = client_send(c, VFIO_USER_CMD_REGION_WRITE, (uint32_t)mlen,
					  VFIO_USER_F_NO_REPLY, NULL, 0, NULL);
			if (ret < 0)
				return ret;
		} else {
			ret = client_call(c, VFIO_USER_CMD_REGION_WRITE, (uint32_t)mlen, NULL, 0,
					  NULL, &rlen);
			if (ret < 0)
				return ret;
			if (vfio_user_region_write_reply_decode(client_payload(c), rlen, &rep) <
				    0 ||
			    rep.offset != req.offset || rep.region != index || rep.count != n) {
				VFIO_USER_LOG(ERR, "bad REGION_WRITE reply");
				return -EPROTO;
			}
		}
		done += n;
	}
	return 0;
}

int
rte_vfio_user_client_dma_map(struct rte_vfio_user_client *c, int fd, uint64_t fd_offset,
			     uint64_t iova, uint64_t size, uint32_t prot)
{
	struct vfio_user_dma_map map;
	uint64_t mask;
	int len, ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	mask = c->min_pgsize - 1;
	if (size == 0 || iova + size < iova || fd_offset + size < fd_offset ||
	    (prot & ~(RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE)) ||
	    ((iova | size | fd_offset) & mask) != 0)
		return -EINVAL;
	memset(&map, 0, sizeof(map));
	map.argsz = VFIO_USER_DMA_MAP_SIZE;
	map.flags = (prot & RTE_VFIO_USER_DMA_READ ? VFIO_USER_DMA_FLAG_READ : 0) |
		(prot & RTE_VFIO_USER_DMA_WRITE ? VFIO_USER_DMA_FLAG_WRITE : 0);
	map.offset = fd_offset;
	map.addr = iova;
	map.size = size;
	len = vfio_user_dma_map_encode(client_payload(c), client_payload_room(c), &map);
	if (len < 0)
		return len;
	return client_call_noreply_payload(c, VFIO_USER_CMD_DMA_MAP, (uint32_t)len,
					   fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0);
}

static int
client_dma_unmap(struct rte_vfio_user_client *c, uint32_t flags, uint64_t iova, uint64_t size)
{
	struct vfio_user_dma_unmap req, rep;
	uint32_t rlen;
	int len, ret;

	memset(&req, 0, sizeof(req));
	req.argsz = VFIO_USER_DMA_UNMAP_SIZE;
	req.flags = flags;
	req.addr = iova;
	req.size = size;
	len = vfio_user_dma_unmap_encode(client_payload(c), client_payload_room(c), &req);
	if (len < 0)
		return len;
	ret = client_call(c, VFIO_USER_CMD_DMA_UNMAP, (uint32_t)len, NULL, 0, NULL, &rlen);
	if (ret < 0)
		return ret;
	if (vfio_user_dma_unmap_decode(client_payload(c), rlen, &rep) < 0 ||
	    rep.flags != req.flags || rep.addr != req.addr || rep.size != req.size) {
		VFIO_USER_LOG(ERR, "bad DMA_UNMAP reply (%u bytes)", rlen);
		return -EPROTO;
	}
	return 0;
}

int
rte_vfio_user_client_dma_unmap(struct rte_vfio_user_client *c, uint64_t iova, uint64_t size)
{
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (size == 0 || iova + (size - 1) < iova)
		return -EINVAL;
	return client_dma_unmap(c, 0, iova, size);
}

int
rte_vfio_user_client_dma_unmap_all(struct rte_vfio_user_client *c)
{
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	return client_dma_unmap(c, VFIO_USER_DMA_UNMAP_FLAG_ALL, 0, 0);
}

int
rte_vfio_user_client_reset(struct rte_vfio_user_client *c)
{
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	return client_call_noreply_payload(c, VFIO_USER_CMD_DEVICE_RESET, 0, NULL, 0);
}

/* ------------------------------------------------------------ migration */

/*
 * A DEVICE_FEATURE call: request data (len bytes, already at payload + 8),
 * reply data length in *rlen_data (after the echoed argsz and flags).
 */
static int
client_feature(struct rte_vfio_user_client *c, uint32_t flags, uint32_t len, uint32_t *rlen_data)
{
	struct vfio_user_device_feature f;
	uint32_t rlen;
	int n, ret;

	n = vfio_user_device_feature_encode(client_payload(c), client_payload_room(c), flags,
					    client_payload(c) + VFIO_USER_DEVICE_FEATURE_SIZE, len);
	if (n < 0)
		return n;
	ret = client_call(c, VFIO_USER_CMD_DEVICE_FEATURE, (uint32_t)n, NULL, 0, NULL, &rlen);
	if (ret < 0)
		return ret;
	if (vfio_user_device_feature_decode(client_payload(c), rlen, &f) < 0 || f.flags != flags) {
		VFIO_USER_LOG(ERR, "bad DEVICE_FEATURE reply (%u bytes)", rlen);
		return -EPROTO;
	}
	*rlen_data = f.data_len;
	return 0;
}

static uint8_t *
client_feature_data(struct rte_vfio_user_client *c)
{
	return client_payload(c) + VFIO_USER_DEVICE_FEATURE_SIZE;
}

int
rte_vfio_user_client_mig_flags(struct rte_vfio_user_client *c, uint64_t *flags)
{
	uint32_t rlen;
	uint64_t f;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (flags == NULL)
		return -EINVAL;
	ret = client_feature(c, VFIO_USER_DEVICE_FEATURE_GET | VFIO_USER_FEATURE_MIGRATION, 0,
			     &rlen);
	if (ret < 0)
		return ret;
	if (vfio_user_migration_decode(client_feature_data(c), rlen, &f) < 0) {
		VFIO_USER_LOG(ERR, "bad MIGRATION reply (%u bytes)", rlen);
		return -EPROTO;
	}
	*flags = f;
	return 0;
}

int
rte_vfio_user_client_mig_state_get(struct rte_vfio_user_client *c,
				   enum rte_vfio_user_mig_state *state)
{
	uint32_t rlen, s;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (state == NULL)
		return -EINVAL;
	ret = client_feature(c, VFIO_USER_DEVICE_FEATURE_GET | VFIO_USER_FEATURE_MIG_DEVICE_STATE,
			     0, &rlen);
	if (ret < 0)
		return ret;
	if (vfio_user_mig_state_decode(client_feature_data(c), rlen, &s) < 0) {
		VFIO_USER_LOG(ERR, "bad MIG_DEVICE_STATE reply (%u bytes)", rlen);
		return -EPROTO;
	}
	*state = (enum rte_vfio_user_mig_state)s;
	return 0;
}

int
rte_vfio_user_client_mig_state_set(struct rte_vfio_user_client *c,
				   enum rte_vfio_user_mig_state state)
{
	uint32_t rlen, s;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	switch (state) {
	case RTE_VFIO_USER_MIG_STATE_STOP:
	case RTE_VFIO_USER_MIG_STATE_RUNNING:
	case RTE_VFIO_USER_MIG_STATE_STOP_COPY:
	case RTE_VFIO_USER_MIG_STATE_RESUMING:
	case RTE_VFIO_USER_MIG_STATE_PRE_COPY:
		break;
	default:
		return -EINVAL;
	}
	vfio_user_mig_state_encode(client_feature_data(c), VFIO_USER_MIG_STATE_SIZE,
				   (uint32_t)state);
	ret = client_feature(c, VFIO_USER_DEVICE_FEATURE_SET | VFIO_USER_FEATURE_MIG_DEVICE_STATE,
			     VFIO_USER_MIG_STATE_SIZE, &rlen);
	if (ret < 0)
		return ret;
	if (vfio_user_mig_state_decode(client_feature_data(c), rlen, &s) < 0 ||
	    s != (uint32_t)state) {
		VFIO_USER_LOG(ERR, "bad MIG_DEVICE_STATE reply (%u bytes) to state %d", rlen,
			      (int)state);
		return -EPROTO;
	}
	return 0;
}

int
rte_vfio_user_client_mig_data_read(struct rte_vfio_user_client *c, void *buf, uint32_t len)
{
	uint8_t *dst = buf;
	uint32_t done = 0;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if ((buf == NULL && len > 0) || len > INT32_MAX)
		return -EINVAL;
	while (done < len) {
		struct vfio_user_mig_data md;
		uint32_t n = RTE_MIN(len - done, c->xfer), rlen;
		int mlen;

		mlen = vfio_user_mig_data_encode(client_payload(c), client_payload_room(c),
						 VFIO_USER_MIG_DATA_SIZE + n, n, NULL);
		if (mlen < 0)
			return mlen;
		ret = client_call(c, VFIO_USER_CMD_MIG_DATA_READ, (uint32_t)mlen, NULL, 0, NULL,
				  &rlen);
		if (ret < 0)
			return ret;
		if (vfio_user_mig_data_read_reply_decode(client_payload(c), rlen, &md) < 0 ||
		    md.size > n) {
			VFIO_USER_LOG(ERR, "bad MIG_DATA_READ reply (%u bytes for %u)", rlen, n);
			return -EPROTO;
		}
		memcpy(dst + done, md.data, md.size);
		done += md.size;
		if (md.size < n)
			break; /* the end of the data */
	}
	return (int)done;
}

int
rte_vfio_user_client_mig_data_write(struct rte_vfio_user_client *c, const void *buf, uint32_t len)
{
	const uint8_t *src = buf;
	uint32_t done = 0;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (buf == NULL && len > 0)
		return -EINVAL;
	while (done < len) {
		uint32_t n = RTE_MIN(len - done, c->xfer);
		int mlen;

		mlen = vfio_user_mig_data_encode(client_payload(c), client_payload_room(c),
						 VFIO_USER_MIG_DATA_SIZE + n, n, src + done);
		if (mlen < 0)
			return mlen;
		ret = client_call_noreply_payload(c, VFIO_USER_CMD_MIG_DATA_WRITE, (uint32_t)mlen,
						  NULL, 0);
		if (ret < 0)
			return ret;
		done += n;
	}
	return 0;
}

static bool
client_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

int
rte_vfio_user_client_dma_logging_start(struct rte_vfio_user_client *c, uint64_t page_size,
				       const struct rte_vfio_user_dma_range *ranges,
				       uint32_t nb_ranges)
{
	uint32_t i, rlen, len;
	uint8_t *p;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (!client_pow2(page_size) || page_size < VFIO_USER_DMA_LOGGING_MIN_PGSIZE ||
	    ranges == NULL || nb_ranges == 0 || nb_ranges > VFIO_USER_DMA_LOGGING_MAX_RANGES)
		return -EINVAL;
	len = VFIO_USER_DMA_LOGGING_CTL_SIZE + nb_ranges * VFIO_USER_DMA_LOGGING_RANGE_SIZE;
	if (len > client_payload_room(c) - VFIO_USER_DEVICE_FEATURE_SIZE)
		return -E2BIG;
	p = client_feature_data(c);
	memcpy(p, &page_size, 8);
	memcpy(p + 8, &nb_ranges, 4);
	memset(p + 12, 0, 4);
	for (i = 0; i < nb_ranges; i++) {
		const struct rte_vfio_user_dma_range *r = &ranges[i];

		if (r->length == 0 || ((r->iova | r->length) & (page_size - 1)) != 0 ||
		    r->iova > UINT64_MAX - r->length)
			return -EINVAL;
		memcpy(p + VFIO_USER_DMA_LOGGING_CTL_SIZE + i * 16, &r->iova, 8);
		memcpy(p + VFIO_USER_DMA_LOGGING_CTL_SIZE + i * 16 + 8, &r->length, 8);
	}
	ret = client_feature(c, VFIO_USER_DEVICE_FEATURE_SET | VFIO_USER_FEATURE_DMA_LOGGING_START,
			     len, &rlen);
	if (ret < 0)
		return ret;
	/* The echo: the same page size (we cannot take another one). */
	if (rlen != len || memcmp(client_feature_data(c), &page_size, 8) != 0) {
		VFIO_USER_LOG(ERR, "bad DMA_LOGGING_START reply (%u bytes)", rlen);
		return -EPROTO;
	}
	return 0;
}

int
rte_vfio_user_client_dma_logging_stop(struct rte_vfio_user_client *c)
{
	uint32_t rlen;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	ret = client_feature(c, VFIO_USER_DEVICE_FEATURE_SET | VFIO_USER_FEATURE_DMA_LOGGING_STOP,
			     0, &rlen);
	if (ret < 0)
		return ret;
	if (rlen != 0) {
		VFIO_USER_LOG(ERR, "bad DMA_LOGGING_STOP reply (%u bytes)", rlen);
		return -EPROTO;
	}
	return 0;
}

int
rte_vfio_user_client_dma_logging_report(struct rte_vfio_user_client *c, uint64_t iova,
					uint64_t length, uint64_t page_size, uint64_t *bitmap)
{
	uint64_t pages, done = 0, max_bytes, chunk_pages;
	int ret;

	ret = client_check(c);
	if (ret < 0)
		return ret;
	if (bitmap == NULL || !client_pow2(page_size) ||
	    page_size < VFIO_USER_DMA_LOGGING_MIN_PGSIZE || length == 0 ||
	    ((iova | length) & (page_size - 1)) != 0 || iova > UINT64_MAX - length)
		return -EINVAL;
	if (!c->caps.migration)
		return -ENOTSUP;
	/* Each reply (8 + 24 + bitmap) fits our buffer and the server's limit. */
	max_bytes = RTE_MIN(c->caps.mig_max_bitmap_size,
			    (uint64_t)client_payload_room(c) - VFIO_USER_DEVICE_FEATURE_SIZE -
				    VFIO_USER_DMA_LOGGING_REPORT_SIZE);
	max_bytes &= ~(uint64_t)7;
	if (max_bytes == 0)
		return -E2BIG;
	chunk_pages = max_bytes * 8;
	pages = length / page_size;
	while (done < pages) {
		struct vfio_user_dma_logging_report req, rep;
		uint64_t n = RTE_MIN(pages - done, chunk_pages), last;
		uint32_t rlen;
		int mlen;

		memset(&req, 0, sizeof(req));
		req.iova = iova + done * page_size;
		req.length = n * page_size;
		req.page_size = page_size;
		mlen = vfio_user_dma_logging_report_encode(
			client_feature_data(c),
			client_payload_room(c) - VFIO_USER_DEVICE_FEATURE_SIZE, &req, NULL);
		if (mlen < 0)
			return mlen;
		ret = client_feature(
			c, VFIO_USER_DEVICE_FEATURE_GET | VFIO_USER_FEATURE_DMA_LOGGING_REPORT,
			(uint32_t)mlen, &rlen);
		if (ret < 0)
			return ret;
		if (vfio_user_dma_logging_report_reply_decode(client_feature_data(c), rlen,
							      max_bytes, &rep) < 0 ||
		    rep.iova != req.iova || rep.length != req.length ||
		    rep.page_size != page_size) {
			VFIO_USER_LOG(ERR, "bad DMA_LOGGING_REPORT reply (%u bytes)", rlen);
			return -EPROTO;
		}
		/* No bit beyond the range. */
		if (n % 64 != 0) {
			memcpy(&last, rep.bitmap + rep.bitmap_size - 8, 8);
			if (last >> (n % 64) != 0) {
				VFIO_USER_LOG(ERR,
					      "DMA_LOGGING_REPORT reply: bits beyond the range");
				return -EPROTO;
			}
		}
		/* chunk_pages is a multiple of 64: each chunk starts a word. */
		memcpy(bitmap + done / 64, rep.bitmap, (size_t)rep.bitmap_size);
		done += n;
	}
	return 0;
}
