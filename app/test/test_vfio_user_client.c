/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio_user_client_autotest: the client library (vfio_user_client.c)
 * against a hostile server. A fake server thread answers VERSION properly,
 * then misbehaves on the next request: it floods the client with its own
 * requests or with replies to other messages, never answers, trickles its
 * reply a byte at a time, or sends malformed replies (short, oversized, bad
 * counts, descriptors where none belong). Every call must come back, with
 * -ETIMEDOUT once its deadline has passed or a clean error, and close every
 * descriptor the server sent (checked through the write end of a pipe: the
 * read end sees EOF once every copy is closed).
 *
 * Timings are not asserted: a call that takes more than three times the
 * client's timeout is reported as a hang.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "rte_vfio_user_client.h"
#include "test.h"
#include "test_common.h"
#include "vfio_user_msg.h"
#include "vfio_user_sock.h"

/* The client's timeout; a call longer than HANG_MS is a hang. */
#define TMO_MS 300
#define HANG_MS (3 * TMO_MS)
/* Longest flood: beyond HANG_MS, so that a client that never gives up fails. */
#define FLOOD_MS (10 * TMO_MS)

enum behave {
	B_SILENT, /* never answer */
	B_FLOOD_CMDS, /* server requests, forever */
	B_FLOOD_WRONG_ID, /* replies with another msg_id, forever */
	B_FLOOD_FDS, /* replies with another msg_id carrying a descriptor */
	B_TRICKLE, /* the reply a byte at a time */
	B_SHORT, /* a reply shorter than its command needs */
	B_HUGE, /* a header announcing 1 GiB */
	B_FD_ON_INFO, /* DEVICE_GET_INFO reply with a descriptor */
	B_MANY_REGIONS, /* DEVICE_GET_INFO with 100000 regions */
	B_IRQ_COUNT, /* GET_IRQ_INFO with 100000 MSI vectors */
	B_IRQ_INTX_COUNT, /* GET_IRQ_INFO with 2 INTx vectors */
	B_SPARSE_OUTSIDE, /* a sparse area beyond the region */
	B_SHORT_FILE, /* an mmappable region whose file is too short */
	B_READ_LEN, /* REGION_READ reply with fewer bytes than asked */
	B_ERRNO_ZERO, /* an error reply with errno 0 */
	B_GOOD_INFO, /* a correct DEVICE_GET_INFO reply */
	B_GOOD_IRQ, /* a correct GET_IRQ_INFO reply (MSI-X, 2048 vectors) */
	B_GOOD_REGION_FILE, /* an mmappable region whose file covers it */
	B_REGION_ALT, /* an mmappable region backed by fk.alt_fd (16 KiB) */
};

struct fake {
	char dir[64];
	char path[96];
	int lsock;
	int pipe_w; /* sent to the client by B_FD_ON_INFO / B_FLOOD_FDS */
	int memfd; /* region file for B_SHORT_FILE */
	int alt_fd; /* region file for B_REGION_ALT */
	enum behave b;
	volatile bool stop;
	pthread_t thr;
	bool running;
};

static struct fake fk = {.lsock = -1, .pipe_w = -1, .memfd = -1, .alt_fd = -1};
static int pipe_r = -1;

/* Send header + payload (len bytes), optionally one fd. */
static int
fk_send(int s, const struct vfio_user_hdr *req, uint16_t id, uint32_t flags, uint32_t err,
	const uint8_t *payload, uint32_t len, int fd)
{
	uint8_t msg[VFIO_USER_HDR_SIZE + 512];
	struct vfio_user_hdr h;

	if (len > sizeof(msg) - VFIO_USER_HDR_SIZE)
		return -EINVAL;
	memset(&h, 0, sizeof(h));
	h.msg_id = id;
	h.cmd = req->cmd;
	h.size = VFIO_USER_HDR_SIZE + len;
	h.flags = flags;
	h.error = err;
	vfio_user_hdr_encode(msg, &h);
	if (len > 0)
		memcpy(msg + VFIO_USER_HDR_SIZE, payload, len);
	return vfio_user_sock_send(s, msg, h.size, fd >= 0 ? &fd : NULL, fd >= 0 ? 1 : 0, 2000);
}

static int
fk_reply(int s, const struct vfio_user_hdr *req, const uint8_t *payload, uint32_t len, int fd)
{
	return fk_send(s, req, req->msg_id, VFIO_USER_F_TYPE_REPLY, 0, payload, len, fd);
}

/* A region info reply: fixed part, optionally one sparse area. */
static uint32_t
fk_region_info(uint8_t *p, uint32_t index, uint64_t size, bool mmap, bool sparse, uint64_t aoff,
	       uint64_t asize)
{
	uint32_t len = VFIO_USER_REGION_INFO_SIZE + (sparse ? 16u + 16u : 0u);
	uint32_t flags = 0x3 | (mmap ? 0x4 : 0) | (sparse ? 0x8 : 0);

	memset(p, 0, len);
	put_le32(p, len);
	put_le32(p + 4, flags);
	put_le32(p + 8, index);
	put_le32(p + 12, sparse ? VFIO_USER_REGION_INFO_SIZE : 0);
	put_le64(p + 16, size);
	put_le64(p + 24, 0);
	if (sparse) {
		uint8_t *c = p + VFIO_USER_REGION_INFO_SIZE;

		c[0] = 1; /* SPARSE_MMAP */
		c[2] = 1; /* version */
		put_le32(c + 8, 1);
		put_le64(c + 16, aoff);
		put_le64(c + 24, asize);
	}
	return len;
}

/*
 * Keep the client's receive buffer full of messages that are not the
 * reply, for FLOOD_MS at most (a client that never gives up is then seen
 * as a hang, not as a test that never ends).
 */
static void
fk_flood(int s, const struct vfio_user_hdr *req)
{
	const unsigned int per_send = 256, msg_len = VFIO_USER_HDR_SIZE + 16;
	int64_t end = vfio_user_now_ms() + FLOOD_MS;
	uint8_t *batch = calloc(per_send, msg_len);
	unsigned int i, k;

	if (batch == NULL)
		return;
	for (i = 0; !fk.stop && vfio_user_now_ms() < end; i++) {
		if (fk.b == B_FLOOD_FDS) {
			struct vfio_user_hdr h = *req;

			/* One at a time, each with a descriptor. */
			memset(batch, 0, msg_len);
			if (fk_send(s, &h, (uint16_t)(req->msg_id + 1 + i % 100),
				    VFIO_USER_F_TYPE_REPLY, 0, batch, 16, fk.pipe_w) < 0)
				break;
			continue;
		}
		for (k = 0; k < per_send; k++) {
			struct vfio_user_hdr h = *req;

			h.size = msg_len;
			if (fk.b == B_FLOOD_CMDS) {
				/* DMA_READs a device would send, posted (no reply). */
				h.cmd = VFIO_USER_CMD_DMA_READ;
				h.msg_id = (uint16_t)(i * per_send + k);
				h.flags = VFIO_USER_F_TYPE_COMMAND | VFIO_USER_F_NO_REPLY;
			} else {
				h.msg_id = (uint16_t)(req->msg_id + 1 + k % 100);
				h.flags = VFIO_USER_F_TYPE_REPLY;
			}
			h.error = 0;
			vfio_user_hdr_encode(batch + (size_t)k * msg_len, &h);
			put_le64(batch + (size_t)k * msg_len + VFIO_USER_HDR_SIZE, 0x1000);
			put_le64(batch + (size_t)k * msg_len + VFIO_USER_HDR_SIZE + 8, 8);
		}
		if (send(s, batch, (size_t)per_send * msg_len, MSG_NOSIGNAL) < 0)
			break;
	}
	free(batch);
}

/* Misbehave (or behave) on one request. @return false to stop serving. */
static bool
fk_behave(int s, const struct vfio_user_hdr *req, const uint8_t *pl)
{
	uint8_t p[256];
	uint32_t i;

	switch (fk.b) {
	case B_SILENT:
		while (!fk.stop)
			usleep(10000);
		return false;
	case B_FLOOD_CMDS:
	case B_FLOOD_WRONG_ID:
	case B_FLOOD_FDS:
		fk_flood(s, req);
		return false;
	case B_TRICKLE: {
		uint8_t msg[VFIO_USER_HDR_SIZE + 16];
		struct vfio_user_hdr h = *req;

		h.size = sizeof(msg);
		h.flags = VFIO_USER_F_TYPE_REPLY;
		h.error = 0;
		memset(msg, 0, sizeof(msg));
		vfio_user_hdr_encode(msg, &h);
		for (i = 0; i < sizeof(msg) && !fk.stop; i++) {
			if (send(s, &msg[i], 1, MSG_NOSIGNAL) != 1)
				break;
			usleep(TMO_MS * 1000 / 8);
		}
		return false;
	}
	case B_SHORT:
		put_le32(p, 16);
		return fk_reply(s, req, p, 4, -1) == 0;
	case B_HUGE: {
		uint8_t msg[VFIO_USER_HDR_SIZE];
		struct vfio_user_hdr h = *req;

		h.size = 1u << 30;
		h.flags = VFIO_USER_F_TYPE_REPLY;
		vfio_user_hdr_encode(msg, &h);
		return send(s, msg, sizeof(msg), MSG_NOSIGNAL) == sizeof(msg);
	}
	case B_FD_ON_INFO:
	case B_MANY_REGIONS:
	case B_GOOD_INFO:
		put_le32(p, VFIO_USER_DEVICE_INFO_SIZE);
		put_le32(p + 4, 0x3);
		put_le32(p + 8, fk.b == B_MANY_REGIONS ? 100000 : 9);
		put_le32(p + 12, 5);
		return fk_reply(s, req, p, VFIO_USER_DEVICE_INFO_SIZE,
				fk.b == B_FD_ON_INFO ? fk.pipe_w : -1) == 0;
	case B_IRQ_COUNT:
	case B_IRQ_INTX_COUNT:
	case B_GOOD_IRQ: {
		uint32_t index = 0;

		memcpy(&index, pl + 8, 4);
		put_le32(p, VFIO_USER_IRQ_INFO_SIZE);
		put_le32(p + 4, 0x1);
		put_le32(p + 8, index);
		put_le32(p + 12,
			 fk.b == B_IRQ_COUNT		  ? 100000 :
				 fk.b == B_IRQ_INTX_COUNT ? 2 :
							    2048);
		return fk_reply(s, req, p, VFIO_USER_IRQ_INFO_SIZE, -1) == 0;
	}
	case B_SPARSE_OUTSIDE: {
		uint32_t argsz = 0, len;

		memcpy(&argsz, pl, 4);
		len = fk_region_info(p, 0, 0x4000, true, true, 0x3000, 0x2000);
		if (argsz < len) {
			/* The fixed part, no capability, no fd: ask again. */
			fk_region_info(p, 0, 0x4000, false, false, 0, 0);
			put_le32(p, len);
			return fk_reply(s, req, p, VFIO_USER_REGION_INFO_SIZE, -1) == 0;
		}
		return fk_reply(s, req, p, len, fk.memfd) == 0;
	}
	case B_SHORT_FILE:
	case B_GOOD_REGION_FILE:
	case B_REGION_ALT: {
		uint32_t len = fk_region_info(p, 0, 0x4000, true, false, 0, 0);

		return fk_reply(s, req, p, len, fk.b == B_REGION_ALT ? fk.alt_fd : fk.memfd) == 0;
	}
	case B_READ_LEN:
		/* Echoes offset/region/count, brings 2 bytes of 4. */
		memcpy(p, pl, 16);
		return fk_reply(s, req, p, 16 + 2, -1) == 0;
	case B_ERRNO_ZERO:
		return fk_send(s, req, req->msg_id, VFIO_USER_F_TYPE_REPLY | VFIO_USER_F_ERROR, 0,
			       NULL, 0, -1) == 0;
	}
	return false;
}

static void *
fk_thread(void *arg __rte_unused)
{
	uint8_t *buf = malloc(VFIO_USER_HDR_SIZE + (1u << 20) + 64);
	struct pollfd pfd = {.fd = fk.lsock, .events = POLLIN};
	struct vfio_user_caps caps;
	struct vfio_user_hdr h;
	int s, len, fds[4];
	unsigned int nfds;

	if (buf == NULL)
		return NULL;
	if (poll(&pfd, 1, 5000) != 1)
		goto out;
	s = accept4(fk.lsock, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0)
		goto out;
	/* VERSION, answered properly. */
	if (vfio_user_sock_recv(s, buf, VFIO_USER_HDR_SIZE + (1u << 20) + 64, &h, fds, 4, &nfds,
				5000) < 0)
		goto close;
	vfio_user_close_fds(fds, nfds);
	vfio_user_caps_default(&caps);
	caps.max_msg_fds = 8;
	len = vfio_user_version_encode(buf + VFIO_USER_HDR_SIZE, 1024, VFIO_USER_VERSION_MAJOR,
				       VFIO_USER_VERSION_MINOR, &caps);
	if (len < 0 || fk_reply(s, &h, buf + VFIO_USER_HDR_SIZE, (uint32_t)len, -1) < 0)
		goto close;
	while (!fk.stop) {
		int ret = vfio_user_sock_recv(s, buf, VFIO_USER_HDR_SIZE + (1u << 20) + 64, &h, fds,
					      4, &nfds, 200);

		if (ret == -ETIMEDOUT)
			continue;
		if (ret < 0)
			break;
		vfio_user_close_fds(fds, nfds);
		if (!fk_behave(s, &h, buf + VFIO_USER_HDR_SIZE))
			break;
	}
	/* Wait for the client to hang up. */
	while (!fk.stop)
		usleep(10000);
close:
	close(s);
out:
	free(buf);
	return NULL;
}

static void
fk_stop(void)
{
	if (fk.running) {
		fk.stop = true;
		pthread_join(fk.thr, NULL);
		fk.running = false;
	}
	if (fk.lsock >= 0)
		close(fk.lsock);
	fk.lsock = -1;
	unlink(fk.path);
}

static int
fk_start(enum behave b)
{
	struct sockaddr_un sun;

	fk_stop();
	fk.b = b;
	fk.stop = false;
	snprintf(fk.path, sizeof(fk.path), "%s/s.sock", fk.dir);
	fk.lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fk.lsock < 0)
		return -errno;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fk.path);
	if (bind(fk.lsock, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fk.lsock, 1) < 0)
		return -errno;
	if (pthread_create(&fk.thr, NULL, fk_thread, NULL) != 0)
		return -EAGAIN;
	fk.running = true;
	return 0;
}

static struct rte_vfio_user_client *
fk_connect(enum behave b)
{
	struct rte_vfio_user_client_conf conf = {.timeout_ms = TMO_MS};

	if (fk_start(b) < 0)
		return NULL;
	return rte_vfio_user_client_connect(fk.path, &conf);
}

/* The write end of the pipe: only the fake server's copy is left. */
static int
pipe_reset(void)
{
	int p[2];

	if (fk.pipe_w >= 0)
		close(fk.pipe_w);
	if (pipe_r >= 0)
		close(pipe_r);
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	pipe_r = p[0];
	fk.pipe_w = p[1];
	return 0;
}

/* Every copy of the write end closed: the read end sees EOF. */
static bool
pipe_all_closed(void)
{
	char c;

	close(fk.pipe_w);
	fk.pipe_w = -1;
	return read(pipe_r, &c, 1) == 0;
}

static int
suite_setup(void)
{
	snprintf(fk.dir, sizeof(fk.dir), "/tmp/vfio_user_client_test.XXXXXX");
	if (mkdtemp(fk.dir) == NULL)
		return TEST_FAILED;
	fk.memfd = memfd_create("fake_region", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fk.memfd < 0)
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static void
suite_teardown(void)
{
	fk_stop();
	if (fk.pipe_w >= 0)
		close(fk.pipe_w);
	if (pipe_r >= 0)
		close(pipe_r);
	fk.pipe_w = -1;
	pipe_r = -1;
	if (fk.memfd >= 0)
		close(fk.memfd);
	fk.memfd = -1;
	rmdir(fk.dir);
}

/* One DEVICE_GET_INFO against behaviour b: its result and duration. */
static int
info_call(enum behave b, int *ret, int64_t *ms)
{
	struct rte_vfio_user_device_info di;
	struct rte_vfio_user_client *c;
	int64_t t0;

	c = fk_connect(b);
	if (c == NULL) {
		printf("connect to the fake server: %s\n", rte_strerror(rte_errno));
		return TEST_FAILED;
	}
	t0 = vfio_user_now_ms();
	*ret = rte_vfio_user_client_device_info(c, &di);
	*ms = vfio_user_now_ms() - t0;
	/* The connection is broken after a timeout or a bad stream. */
	if (*ret == -ETIMEDOUT && rte_vfio_user_client_device_info(c, &di) != -ENOTCONN) {
		rte_vfio_user_client_close(c);
		printf("a request after a timeout did not fail with ENOTCONN\n");
		return TEST_FAILED;
	}
	rte_vfio_user_client_close(c);
	fk_stop();
	return TEST_SUCCESS;
}

static int
test_bounded_waits(void)
{
	static const struct {
		enum behave b;
		const char *what;
	} cases[] = {
		{B_SILENT, "no reply"},
		{B_FLOOD_CMDS, "a flood of server requests"},
		{B_FLOOD_WRONG_ID, "a flood of replies with other ids"},
		{B_TRICKLE, "a reply trickling a byte at a time"},
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		int64_t ms = 0;
		int ret = 0;

		TEST_ASSERT_SUCCESS(info_call(cases[i].b, &ret, &ms), "%s", cases[i].what);
		printf("%s: %d after %" PRId64 " ms (timeout %d)\n", cases[i].what, ret, ms,
		       TMO_MS);
		TEST_ASSERT_EQUAL(ret, -ETIMEDOUT, "%s", cases[i].what);
		TEST_ASSERT(ms < HANG_MS, "%s: the call hung (%" PRId64 " ms)", cases[i].what, ms);
	}
	return TEST_SUCCESS;
}

static int
test_fds_closed(void)
{
	int64_t ms = 0;
	int ret = 0;

	/* Replies to other messages, each with a descriptor. */
	TEST_ASSERT_SUCCESS(pipe_reset(), "pipe");
	TEST_ASSERT_SUCCESS(info_call(B_FLOOD_FDS, &ret, &ms), "flood with fds");
	TEST_ASSERT_EQUAL(ret, -ETIMEDOUT, "flood with descriptors");
	TEST_ASSERT(ms < HANG_MS, "the call hung (%" PRId64 " ms)", ms);
	TEST_ASSERT(pipe_all_closed(), "a descriptor of the flood was kept");

	/* A reply that may carry none, with one. */
	TEST_ASSERT_SUCCESS(pipe_reset(), "pipe");
	TEST_ASSERT_SUCCESS(info_call(B_FD_ON_INFO, &ret, &ms), "info with a fd");
	TEST_ASSERT_EQUAL(ret, -EPROTO, "DEVICE_GET_INFO reply with a descriptor");
	TEST_ASSERT(pipe_all_closed(), "the reply's descriptor was kept");
	return TEST_SUCCESS;
}

/* The client calls the test makes against a fake server's replies. */
enum fk_call {
	CALL_DEVICE_INFO,
	CALL_IRQ_INFO,
	CALL_REGION_INFO,
	CALL_REGION_READ
};

/*
 * Connect to the fake server behaving as b, make the call (arg: the IRQ
 * index), close. @return what the call returned (*count: the IRQ count),
 * or INT_MIN when the connection fails (printed).
 */
static int
fk_call(enum behave b, enum fk_call call, uint32_t arg, uint32_t *count)
{
	struct rte_vfio_user_region_info ri;
	struct rte_vfio_user_device_info di;
	struct rte_vfio_user_client *c;
	uint32_t flags = 0;
	uint8_t data[4];
	int ret = INT_MIN;

	c = fk_connect(b);
	if (c == NULL) {
		printf("connect to the fake server: %s\n", rte_strerror(rte_errno));
		return INT_MIN;
	}
	switch (call) {
	case CALL_DEVICE_INFO:
		ret = rte_vfio_user_client_device_info(c, &di);
		break;
	case CALL_IRQ_INFO:
		ret = rte_vfio_user_client_irq_info(c, arg, count, &flags);
		break;
	case CALL_REGION_INFO:
		ret = rte_vfio_user_client_region_info(c, 0, &ri);
		break;
	case CALL_REGION_READ:
		ret = rte_vfio_user_client_region_read(c, 0, 0, data, sizeof(data));
		break;
	}
	rte_vfio_user_client_close(c);
	return ret;
}

static int
test_malformed(void)
{
	/* The good replies first: the fake server can be believed. */
	static const struct {
		const char *what;
		enum behave b;
		enum fk_call call;
		uint32_t arg;
		int ret;
		uint32_t count; /* IRQ info: the count returned */
	} replies[] = {
		{"a correct DEVICE_GET_INFO reply", B_GOOD_INFO, CALL_DEVICE_INFO, 0, 0, 0},
		{"2048 MSI-X vectors", B_GOOD_IRQ, CALL_IRQ_INFO, RTE_VFIO_USER_IRQ_MSIX, 0, 2048},
		{"a 4-byte DEVICE_GET_INFO reply", B_SHORT, CALL_DEVICE_INFO, 0, -EPROTO, 0},
		{"a reply announcing 1 GiB", B_HUGE, CALL_DEVICE_INFO, 0, -EPROTO, 0},
		{"100000 regions", B_MANY_REGIONS, CALL_DEVICE_INFO, 0, -EPROTO, 0},
		{"an error reply with errno 0", B_ERRNO_ZERO, CALL_DEVICE_INFO, 0, -EPROTO, 0},
		{"100000 MSI vectors", B_IRQ_COUNT, CALL_IRQ_INFO, RTE_VFIO_USER_IRQ_MSI, -EPROTO,
		 0},
		{"2 INTx vectors", B_IRQ_INTX_COUNT, CALL_IRQ_INFO, RTE_VFIO_USER_IRQ_INTX, -EPROTO,
		 0},
		{"a sparse area beyond its region", B_SPARSE_OUTSIDE, CALL_REGION_INFO, 0, -EPROTO,
		 0},
		{"REGION_READ reply with 2 bytes of 4", B_READ_LEN, CALL_REGION_READ, 0, -EPROTO,
		 0},
	};
	struct rte_vfio_user_region_info ri;
	struct rte_vfio_user_device_info di;
	struct rte_vfio_user_client *c;
	unsigned int i;

	for (i = 0; i < RTE_DIM(replies); i++) {
		uint32_t count = 0;
		int ret = fk_call(replies[i].b, replies[i].call, replies[i].arg, &count);

		TEST_ASSERT_EQUAL(ret, replies[i].ret, "%s: %d, expected %d", replies[i].what, ret,
				  replies[i].ret);
		if (replies[i].call == CALL_IRQ_INFO && replies[i].ret == 0)
			TEST_ASSERT_EQUAL(count, replies[i].count, "%s: %u vectors",
					  replies[i].what, count);
	}
	fk_stop();

	/* An mmappable region: the file must cover it; then it is sealed. */
	TEST_ASSERT_SUCCESS(ftruncate(fk.memfd, 0x1000), "ftruncate");
	c = fk_connect(B_SHORT_FILE);
	TEST_ASSERT_NOT_NULL(c, "connect");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_info(c, 0, &ri), "region info");
	TEST_ASSERT_NULL(rte_vfio_user_client_region_mmap(c, 0, UINT32_MAX),
			 "mmap of 16 KiB of a 4 KiB file");
	TEST_ASSERT_EQUAL(rte_errno, EPROTO, "mmap of a short file");
	rte_vfio_user_client_close(c);
	TEST_ASSERT_SUCCESS(ftruncate(fk.memfd, 0x4000), "ftruncate");
	c = fk_connect(B_GOOD_REGION_FILE);
	TEST_ASSERT_NOT_NULL(c, "connect");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_info(c, 0, &ri), "region info");
	TEST_ASSERT_NOT_NULL(rte_vfio_user_client_region_mmap(c, 0, UINT32_MAX),
			     "mmap of a 16 KiB region with its 16 KiB file");
	rte_vfio_user_client_close(c);
	TEST_ASSERT(fcntl(fk.memfd, F_GET_SEALS) & F_SEAL_SHRINK,
		    "the client did not seal the region file against shrinking");
	TEST_ASSERT(ftruncate(fk.memfd, 0) < 0, "a sealed region file shrank");

	/* After a bad stream, nothing more is sent. */
	c = fk_connect(B_HUGE);
	TEST_ASSERT_NOT_NULL(c, "connect");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_device_info(c, &di), -EPROTO, "huge");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_device_info(c, &di), -ENOTCONN, "after huge");
	rte_vfio_user_client_close(c);
	fk_stop();
	return TEST_SUCCESS;
}

/* A caller's deadline over calls: sooner than the calls' own timeout. */
static int
test_deadline(void)
{
	struct rte_vfio_user_client_conf conf = {.timeout_ms = FLOOD_MS};
	struct rte_vfio_user_device_info di;
	struct rte_vfio_user_client *c;
	int64_t t0, ms;
	int ret;

	TEST_ASSERT_SUCCESS(fk_start(B_GOOD_INFO), "fake server");
	c = rte_vfio_user_client_connect(fk.path, &conf);
	TEST_ASSERT_NOT_NULL(c, "connect");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_deadline_set(NULL, 1), -EINVAL, "NULL client");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_deadline_set(c, FLOOD_MS), "deadline");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_device_info(c, &di), "within the deadline");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_deadline_set(c, 0), "no deadline");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_device_info(c, &di), "without a deadline");
	rte_vfio_user_client_close(c);

	/* A silent server: the call ends at the deadline, not at its timeout. */
	TEST_ASSERT_SUCCESS(fk_start(B_SILENT), "fake server");
	c = rte_vfio_user_client_connect(fk.path, &conf);
	TEST_ASSERT_NOT_NULL(c, "connect");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_deadline_set(c, TMO_MS), "deadline");
	t0 = vfio_user_now_ms();
	ret = rte_vfio_user_client_device_info(c, &di);
	ms = vfio_user_now_ms() - t0;
	printf("a silent server with a deadline of %d ms, calls of %d ms: %d after %" PRId64
	       " ms\n",
	       TMO_MS, FLOOD_MS, ret, ms);
	TEST_ASSERT_EQUAL(ret, -ETIMEDOUT, "silent server");
	TEST_ASSERT(ms < HANG_MS, "the call outlived the deadline (%" PRId64 " ms)", ms);
	TEST_ASSERT_EQUAL(rte_vfio_user_client_device_info(c, &di), -ENOTCONN, "after");
	rte_vfio_user_client_close(c);
	fk_stop();
	return TEST_SUCCESS;
}

/*
 * A region file handed as alt_fd (16 KiB): refused with EPERM (what), and
 * not mapped: shrinking it afterwards harms nothing.
 */
static int
region_refused(int fd, const char *what)
{
	struct rte_vfio_user_region_info ri;
	struct rte_vfio_user_client *c;
	void *addr;

	fk.alt_fd = fd;
	c = fk_connect(B_REGION_ALT);
	TEST_ASSERT_NOT_NULL(c, "connect");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_info(c, 0, &ri), "%s: region info", what);
	addr = rte_vfio_user_client_region_mmap(c, 0, UINT32_MAX);
	TEST_ASSERT_NULL(addr, "%s: mapped", what);
	TEST_ASSERT_EQUAL(rte_errno, EPERM, "%s: rte_errno %d", what, rte_errno);
	rte_vfio_user_client_close(c);
	fk_stop();
	fk.alt_fd = -1;
	return TEST_SUCCESS;
}

/* 16 KiB of file fd (closed on failure). */
static int
sized(int fd)
{
	if (fd >= 0 && ftruncate(fd, 0x4000) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
test_region_files(void)
{
	struct rte_vfio_user_region_info ri;
	struct rte_vfio_user_client *c;
	volatile uint32_t *db;
	int fd;

	/* A memfd that takes no seal. */
	fd = sized(memfd_create("fake_region_nosealing", MFD_CLOEXEC));
	TEST_ASSERT(fd >= 0, "memfd_create");
	TEST_ASSERT_SUCCESS(region_refused(fd, "a memfd without MFD_ALLOW_SEALING"), "memfd");
	TEST_ASSERT_SUCCESS(ftruncate(fd, 0), "truncate the refused file");
	close(fd);

	/* A regular file in a directory (the suite's, and tmpfs). */
	fd = sized(open(fk.dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
	TEST_ASSERT(fd >= 0, "O_TMPFILE in %s: %s", fk.dir, strerror(errno));
	TEST_ASSERT_SUCCESS(region_refused(fd, "an O_TMPFILE file"), "tmpfile");
	close(fd);
	fd = sized(open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
	if (fd >= 0) {
		TEST_ASSERT_SUCCESS(region_refused(fd, "a tmpfs file (/dev/shm)"), "shm");
		close(fd);
	} else {
		printf("no tmpfs O_TMPFILE in /dev/shm (%s): that case not run\n", strerror(errno));
	}

	/* A memfd sealed against further seals, but not against shrinking. */
	fd = sized(memfd_create("fake_region_seal_seal", MFD_CLOEXEC | MFD_ALLOW_SEALING));
	TEST_ASSERT(fd >= 0, "memfd_create");
	TEST_ASSERT_SUCCESS(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL), "F_SEAL_SEAL");
	TEST_ASSERT_SUCCESS(region_refused(fd, "a memfd with F_SEAL_SEAL only"), "seal_seal");
	close(fd);

	/* Not a regular file: a character device, a pipe. */
	fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
	TEST_ASSERT(fd >= 0, "/dev/zero");
	TEST_ASSERT_SUCCESS(region_refused(fd, "/dev/zero"), "/dev/zero");
	close(fd);
	TEST_ASSERT_SUCCESS(pipe_reset(), "pipe");
	TEST_ASSERT_SUCCESS(region_refused(fk.pipe_w, "a pipe"), "pipe");

	/* A memfd the server sealed: mapped, and it cannot shrink under the map. */
	fd = sized(memfd_create("fake_region_sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING));
	TEST_ASSERT(fd >= 0, "memfd_create");
	TEST_ASSERT_SUCCESS(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
			    "seals");
	fk.alt_fd = fd;
	c = fk_connect(B_REGION_ALT);
	TEST_ASSERT_NOT_NULL(c, "connect");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_info(c, 0, &ri), "region info");
	db = rte_vfio_user_client_region_mmap(c, 0, UINT32_MAX);
	TEST_ASSERT_NOT_NULL(db, "a sealed memfd was not mapped: %s", rte_strerror(rte_errno));
	TEST_ASSERT(ftruncate(fd, 0) < 0 && errno == EPERM, "the sealed file shrank");
	db[0x3ffc / 4] = 0x1234; /* its last word: no fault */
	TEST_ASSERT_EQUAL(db[0x3ffc / 4], 0x1234, "doorbell");
	rte_vfio_user_client_close(c);
	fk_stop();
	fk.alt_fd = -1;
	close(fd);
	return TEST_SUCCESS;
}

static struct unit_test_suite vfio_user_client_suite = {
	.suite_name = "vfio-user client against a hostile server",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases =
		{
			TEST_CASE(test_bounded_waits),
			TEST_CASE(test_fds_closed),
			TEST_CASE(test_malformed),
			TEST_CASE(test_region_files),
			TEST_CASE(test_deadline),
			TEST_CASES_END(),
		},
};

static int
test_vfio_user_client(void)
{
	return unit_test_suite_runner(&vfio_user_client_suite);
}

REGISTER_TEST_COMMAND(vfio_user_client_autotest, test_vfio_user_client);
