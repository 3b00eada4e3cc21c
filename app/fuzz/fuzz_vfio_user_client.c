/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * libFuzzer target over the vfio-user client's handling of what a server
 * sends: replies (and requests of its own) to a sequence of client calls.
 *
 * The server is fake and has no thread: the input is parsed first into a
 * list of client calls, each with the messages the server answers it with;
 * those messages are written at once (with descriptors when asked) into one
 * end of a socketpair, which is then shut down for writing, so the client
 * reads them and then end-of-file, never waits. connect() is wrapped
 * (-Wl,--wrap=connect): for the fuzzer's path, the client's socket becomes
 * the other end of that socketpair. The calls then run: connect and
 * VERSION negotiation, device, region and IRQ information, region mmap,
 * reads and writes (posted or not), DMA map and unmap, SET_IRQS, masks,
 * reset, and close. What the client sends is drained (descriptors closed)
 * between calls. After close, the process must hold the descriptors it
 * held before the input (a leak aborts; LeakSanitizer sees memory leaks).
 *
 * Each message of a reply group is synthesized from a control byte: the
 * header's msg_id (the next expected id, or any), command (the call's, or
 * any), type (reply, or a command of the server), error flag and errno,
 * NO_REPLY flag, size (exact, or off by a delta), descriptors (sealed or
 * unsealed memfd, eventfd, pipe, /dev/null; up to 8), or the whole message
 * raw.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>

#include "rte_vfio_user.h"
#include "rte_vfio_user_client.h"
#include "vfio_user_msg.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __real_connect(int fd, const struct sockaddr *sa, socklen_t len);

#define FAKE_PATH "/nonexistent/fuzz-vfio-user-client.sock"
#define MAX_CALLS 64u
#define MAX_SEND_FDS 8u

/* The client's end of the socketpair, for the wrapped connect(). */
static int pending_fd = -1;
static int dma_fd = -1;

int
__wrap_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)(const void *)sa;

	if (sa == NULL || sa->sa_family != AF_UNIX || strcmp(sun->sun_path, FAKE_PATH) != 0)
		return __real_connect(fd, sa, len);
	if (pending_fd < 0) {
		errno = ECONNREFUSED;
		return -1;
	}
	if (dup2(pending_fd, fd) < 0)
		return -1;
	close(pending_fd);
	pending_fd = -1;
	return 0;
}

/* -------------------------------------------------------- the fake server */

enum call_op {
	CALL_DEVICE_INFO = 0,
	CALL_REGION_INFO,
	CALL_REGION_MMAP,
	CALL_IRQ_INFO,
	CALL_REGION_READ,
	CALL_REGION_WRITE,
	CALL_DMA_MAP,
	CALL_DMA_UNMAP,
	CALL_DMA_UNMAP_ALL,
	CALL_SET_IRQS,
	CALL_IRQ_MASK,
	CALL_RESET,
	CALL_COUNT,
};

static const uint16_t call_cmd[CALL_COUNT] = {
	[CALL_DEVICE_INFO] = VFIO_USER_CMD_DEVICE_GET_INFO,
	[CALL_REGION_INFO] = VFIO_USER_CMD_DEVICE_GET_REGION_INFO,
	[CALL_REGION_MMAP] = VFIO_USER_CMD_DEVICE_GET_REGION_INFO,
	[CALL_IRQ_INFO] = VFIO_USER_CMD_DEVICE_GET_IRQ_INFO,
	[CALL_REGION_READ] = VFIO_USER_CMD_REGION_READ,
	[CALL_REGION_WRITE] = VFIO_USER_CMD_REGION_WRITE,
	[CALL_DMA_MAP] = VFIO_USER_CMD_DMA_MAP,
	[CALL_DMA_UNMAP] = VFIO_USER_CMD_DMA_UNMAP,
	[CALL_DMA_UNMAP_ALL] = VFIO_USER_CMD_DMA_UNMAP,
	[CALL_SET_IRQS] = VFIO_USER_CMD_DEVICE_SET_IRQS,
	[CALL_IRQ_MASK] = VFIO_USER_CMD_DEVICE_SET_IRQS,
	[CALL_RESET] = VFIO_USER_CMD_DEVICE_RESET,
};

struct call {
	uint8_t op;
	uint8_t a8[3];
	uint16_t a16[2];
};

struct server {
	int sock; /* the server's end */
	bool full; /* the socket took no more: later messages are dropped */
	uint16_t next_id; /* msg_id of the next reply with an automatic id */
};

/* One descriptor of the kind k (closed by the caller). */
static int
make_fd(unsigned int k)
{
	int fd = -1, p[2];

	switch (k & 3) {
	case 0:
		/* A region file as servers give them: sealed against resizing. */
		fd = memfd_create("fuzz-client", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd >= 0 &&
		    (ftruncate(fd, 65536) != 0 ||
		     fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)) {
			close(fd);
			fd = -1;
		}
		break;
	case 1:
		fd = eventfd(0, EFD_CLOEXEC);
		break;
	case 2:
		if (pipe2(p, O_CLOEXEC) == 0) {
			close(p[1]);
			fd = p[0];
		}
		break;
	default:
		if (k & 0x80) {
			/* A file that can shrink under the client's mapping. */
			fd = memfd_create("fuzz-client-unsealed", MFD_CLOEXEC);
			if (fd >= 0 && ftruncate(fd, 65536) != 0) {
				close(fd);
				fd = -1;
			}
		} else {
			fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		}
		break;
	}
	return fd;
}

static void
srv_write(struct server *s, const void *buf, size_t len, const int *fds, unsigned int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * MAX_SEND_FDS)];
	struct iovec iov = {.iov_base = (void *)(uintptr_t)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (s->full || len == 0)
		return;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	n = sendmsg(s->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n != (ssize_t)len)
		s->full = true; /* a partial message ends what the client gets */
}

/*
 * One message of a reply group: control byte, payload length, the
 * header fields the control byte asks for, the payload.
 */
static void
srv_msg(struct server *s, struct in *in, uint16_t cmd)
{
	uint8_t ctl = in_u8(in);
	uint16_t plen = in_u16(in) & 0x3fff;
	uint8_t msg[VFIO_USER_HDR_SIZE + 0x4000];
	int fds[MAX_SEND_FDS];
	unsigned int nfds = 0, i;
	struct vfio_user_hdr h;
	int32_t delta = 0;
	size_t len;

	memset(&h, 0, sizeof(h));
	/* A request of the server does not take the id of the client's next reply. */
	if (ctl & 0x01)
		h.msg_id = in_u16(in);
	else
		h.msg_id = (ctl & 0x04) ? (uint16_t)(0x8000u | s->next_id) : s->next_id++;
	h.cmd = (ctl & 0x02) ? in_u16(in) : cmd;
	h.flags = (ctl & 0x04) ? VFIO_USER_F_TYPE_COMMAND : VFIO_USER_F_TYPE_REPLY;
	if (ctl & 0x08) {
		h.flags |= VFIO_USER_F_ERROR;
		h.error = in_u32(in);
	}
	if (ctl & 0x10) {
		uint8_t k = in_u8(in);

		nfds = 1 + ((k >> 2) & 7);
		for (i = 0; i < nfds; i++)
			fds[i] = make_fd(k + (i & (k >> 5)));
	}
	if (ctl & 0x20)
		delta = (int8_t)in_u8(in);
	if (ctl & 0x80)
		h.flags |= VFIO_USER_F_NO_REPLY;
	if (plen > in->left)
		plen = (uint16_t)in->left;
	if (ctl & 0x40) {
		/* Raw: the payload is the whole message. */
		memcpy(msg, in->p, plen);
		len = plen;
	} else {
		memcpy(msg + VFIO_USER_HDR_SIZE, in->p, plen);
		len = VFIO_USER_HDR_SIZE + plen;
		h.size = (uint32_t)((int64_t)len + delta);
		vfio_user_hdr_encode(msg, &h);
	}
	in->p += plen;
	in->left -= plen;
	for (i = 0; i < nfds; i++)
		if (fds[i] < 0)
			fds[i] = make_fd(3);
	srv_write(s, msg, len, fds, nfds);
	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void
srv_group(struct server *s, struct in *in, uint16_t cmd)
{
	uint8_t n = in_u8(in) & 3;

	while (n-- > 0 && in->left > 0)
		srv_msg(s, in, cmd);
}

/* Read and drop what the client sent, closing the descriptors it passed. */
static void
srv_drain(int sock)
{
	uint8_t buf[8192];
	char cbuf[CMSG_SPACE(sizeof(int) * 64)];

	for (;;) {
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *c;

		if (recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
			return;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int), i;
				int fd;

				for (i = 0; i < nfd; i++) {
					memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
					close(fd);
				}
			}
		}
	}
}

/* --------------------------------------------------------------- the calls */

static void
run_call(struct rte_vfio_user_client *c, const struct call *k)
{
	static uint8_t buf[8192];
	struct rte_vfio_user_device_info di;
	struct rte_vfio_user_region_info ri;
	uint32_t count, flags, i;
	int efds[32];

	switch (k->op) {
	case CALL_DEVICE_INFO:
		rte_vfio_user_client_device_info(c, &di);
		break;
	case CALL_REGION_INFO:
		rte_vfio_user_client_region_info(c, k->a8[0], &ri);
		break;
	case CALL_REGION_MMAP:
		rte_vfio_user_client_region_mmap(c, k->a8[0],
						 k->a8[1] == 0xff ? UINT32_MAX : k->a8[1]);
		break;
	case CALL_IRQ_INFO:
		rte_vfio_user_client_irq_info(c, k->a8[0], &count, &flags);
		break;
	case CALL_REGION_READ:
		rte_vfio_user_client_region_read(c, k->a8[0], k->a16[0], buf,
						 RTE_MIN(k->a16[1], (uint16_t)sizeof(buf)));
		break;
	case CALL_REGION_WRITE:
		/* Posted writes are not waited for: keep them small. */
		rte_vfio_user_client_region_write(c, k->a8[0] & 0x7f, k->a16[0], buf,
						  (k->a8[0] & 0x80) ? k->a16[1] % 64 :
								      k->a16[1] % sizeof(buf),
						  (k->a8[0] & 0x80) != 0);
		break;
	case CALL_DMA_MAP:
		rte_vfio_user_client_dma_map(c, (k->a8[0] & 1) ? dma_fd : -1,
					     (uint64_t)k->a8[1] * 4096, (uint64_t)k->a16[0] * 4096,
					     (uint64_t)(k->a8[2] + 1) * 4096, (k->a8[0] >> 1) & 3);
		break;
	case CALL_DMA_UNMAP:
		rte_vfio_user_client_dma_unmap(c, (uint64_t)k->a16[0] * 4096,
					       (uint64_t)(k->a8[2] + 1) * 4096);
		break;
	case CALL_DMA_UNMAP_ALL:
		rte_vfio_user_client_dma_unmap_all(c);
		break;
	case CALL_SET_IRQS:
		count = k->a8[2] % 33;
		for (i = 0; i < count; i++)
			efds[i] = (k->a16[0] >> (i % 16)) & 1 ? -1 : eventfd(0, EFD_CLOEXEC);
		rte_vfio_user_client_set_irqs(c, k->a8[0], k->a8[1], count,
					      (k->a16[1] & 1) ? NULL : efds);
		for (i = 0; i < count; i++)
			if (efds[i] >= 0)
				close(efds[i]);
		break;
	case CALL_IRQ_MASK:
		rte_vfio_user_client_irq_mask(c, k->a8[0], k->a8[1], k->a8[2], k->a16[0] & 1);
		break;
	case CALL_RESET:
		rte_vfio_user_client_reset(c);
		break;
	}
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		abort();
	while ((e = readdir(d)) != NULL)
		n++;
	closedir(d);
	return n;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	rte_log_set_global_level(RTE_LOG_EMERG);
	dma_fd = memfd_create("fuzz-client-dma", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (dma_fd < 0 || ftruncate(dma_fd, 1 << 20) != 0 ||
	    fcntl(dma_fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_vfio_user_client_conf conf;
	struct rte_vfio_user_client *c;
	struct call calls[MAX_CALLS];
	struct in in = {.p = data, .left = size};
	struct server s;
	unsigned int nb_calls = 0, i;
	int sv[2], nb_fds;
	uint8_t cfg;

	if (size < 1)
		return 0;
	nb_fds = count_fds();
	cfg = in_u8(&in);
	memset(&conf, 0, sizeof(conf));
	conf.timeout_ms = 1000;
	conf.max_msg_fds = (cfg & 1) ? 1 : 16;
	conf.max_data_xfer_size = (cfg & 2) ? 4096 : 65536;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	memset(&s, 0, sizeof(s));
	s.sock = sv[1];

	/* The whole conversation, written before the client starts. */
	srv_group(&s, &in, VFIO_USER_CMD_VERSION);
	while (in.left > 0 && nb_calls < MAX_CALLS) {
		struct call *k = &calls[nb_calls++];

		k->op = in_u8(&in) % CALL_COUNT;
		k->a8[0] = in_u8(&in);
		k->a8[1] = in_u8(&in);
		k->a8[2] = in_u8(&in);
		k->a16[0] = in_u16(&in);
		k->a16[1] = in_u16(&in);
		srv_group(&s, &in, call_cmd[k->op]);
	}
	shutdown(sv[1], SHUT_WR);

	pending_fd = sv[0];
	c = rte_vfio_user_client_connect(FAKE_PATH, &conf);
	if (pending_fd >= 0) {
		close(pending_fd);
		pending_fd = -1;
	}
	srv_drain(sv[1]);
	if (c != NULL) {
		for (i = 0; i < nb_calls; i++) {
			run_call(c, &calls[i]);
			srv_drain(sv[1]);
		}
		rte_vfio_user_client_close(c);
	}
	srv_drain(sv[1]);
	close(sv[1]);
	if (count_fds() != nb_fds)
		abort(); /* a descriptor leaked */
	return 0;
}
