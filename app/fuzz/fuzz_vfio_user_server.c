/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * libFuzzer target over the vfio-user server's message handling.
 *
 * The input is cut into messages by the size field of each header and sent
 * over a socketpair to a server attached to the other end (no EAL, no
 * control thread: vfio_user_server_handle_input() is called directly). DMA_MAP
 * messages carry a memfd and SET_IRQS messages eventfds, so the fd paths
 * are reached too. The first input byte selects options: bit 0 prepends
 * QEMU's VERSION request so the fuzzer starts past negotiation; bit 1 gives
 * DMA_MAP a memfd that is not sealed (refused unless trusted), bit 2 a pipe
 * instead; bit 3 gives SET_IRQS pipes instead of eventfds; bit 4 makes the
 * migration data of a MIG_DATA_WRITE that holds a whole stream of this
 * device (at least the library's part) pass the library's checks of its own
 * part: the harness copies the device's configuration space into it and
 * recomputes the CRC, so that the fuzzer reaches the rest of the load and the
 * device's load(); bit 5 sets the process-wide migration memory budget to 64
 * bytes for this input (every stream and dirty log refused with ENOMEM). An
 * input without bit 0 negotiates itself: with a VERSION without "migration",
 * every migration message is refused. The device migrates (PRE_COPY too): its state is 64
 * bytes. A BAR0 write of 8 bytes at 0x100 marks 3 pages from that address
 * dirty (the DMA logging path).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_hash_crc.h>
#include <rte_log.h>

#include "rte_vfio_user.h"
#include "vfio_user_msg.h"
#include "vfio_user_server_priv.h"
#include "vfio_user_sock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MEM_SIZE (64 * 1024)
#define MAX_FDS 16

static struct rte_vfio_user_server *srv;
static int memfd = -1; /* sealed, as QEMU's memory-backend-memfd */
static int memfd_unsealed = -1;
static uint8_t opts;
static uint32_t regs[1024];

static int
bar0_access(void *arg, uint64_t offset, void *buf, uint32_t count, bool write)
{
	(void)arg;
	if (offset + count > sizeof(regs))
		return -EINVAL;
	if (write)
		memcpy((uint8_t *)regs + offset, buf, count);
	else
		memcpy(buf, (uint8_t *)regs + offset, count);
	if (write && offset == 0x100 && count == 8) {
		uint64_t iova;

		memcpy(&iova, buf, sizeof(iova));
		rte_vfio_user_dma_mark_dirty(srv, iova, 3 * 4096);
	}
	return 0;
}

/* The device's migration: 64 bytes of state, a load refused when byte 0 is 0xff. */
#define DEV_STATE 64

static int
mig_state_change(void *arg, enum rte_vfio_user_mig_state from, enum rte_vfio_user_mig_state to)
{
	(void)arg;
	(void)from;
	(void)to;
	return 0;
}

static size_t
mig_state_size(void *arg)
{
	(void)arg;
	return DEV_STATE;
}

static ssize_t
mig_save(void *arg, void *buf, size_t len)
{
	(void)arg;
	if (len < DEV_STATE)
		abort();
	memcpy(buf, regs, DEV_STATE);
	return DEV_STATE;
}

static int
mig_load(void *arg, const void *buf, size_t len)
{
	(void)arg;
	if (len > DEV_STATE || (len > 0 && ((const uint8_t *)buf)[0] == 0xff))
		return -EINVAL;
	memcpy(regs, buf, len);
	return 0;
}

static const struct rte_vfio_user_mig_ops fuzz_mig_ops = {
	.flags = RTE_VFIO_USER_MIG_F_STOP_COPY | RTE_VFIO_USER_MIG_F_PRE_COPY,
	.state_change = mig_state_change,
	.state_size = mig_state_size,
	.save = mig_save,
	.load = mig_load,
};

static void
dma_logging_cb(void *arg, bool on)
{
	(void)arg;
	(void)on;
}

/* CRC-32C, as the library computes its stream's (DPDK's rte_hash_crc()). */
static uint32_t
crc32c(const uint8_t *p, size_t len)
{
	return ~rte_hash_crc(p, (uint32_t)len, 0xffffffffu);
}

/* Stream offsets (vfio_user_mig.c): header 32 bytes, then the config space. */
#define MIG_HDR 32u
#define MIG_CFG 4096u

/* Option bit 4: make a whole stream's library part good (see the top). */
static void
mig_fixup(uint8_t *msg, size_t len)
{
	uint8_t *d = msg + VFIO_USER_HDR_SIZE + VFIO_USER_MIG_DATA_SIZE;
	size_t n;
	uint32_t crc;

	if (len < VFIO_USER_HDR_SIZE + VFIO_USER_MIG_DATA_SIZE + MIG_HDR + MIG_CFG + 4)
		return;
	n = len - VFIO_USER_HDR_SIZE - VFIO_USER_MIG_DATA_SIZE;
	if (rte_vfio_user_pci_cfg_read(srv, 0, d + MIG_HDR, MIG_CFG) != 0)
		return;
	crc = crc32c(d, n - 4);
	memcpy(d + n - 4, &crc, sizeof(crc));
}

static int
reset_cb(void *arg, enum rte_vfio_user_reset_reason reason)
{
	(void)arg;
	(void)reason;
	memset(regs, 0, sizeof(regs));
	return 0;
}

static const struct rte_vfio_user_server_ops fuzz_ops = {
	.reset = reset_cb,
	.dma_logging = dma_logging_cb,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rte_vfio_user_server_conf conf = {
		.path = "/nonexistent/fuzz.sock",
		.pci_id = {.vendor_id = 0x1b36, .device_id = 0x00f0, .class_code = 0xff0000},
		.irq_count = {1, 0, 4, 1, 1},
		.max_dma_maps = 8,
		.ops = &fuzz_ops,
		.mig_ops = &fuzz_mig_ops,
	};
	struct rte_vfio_user_region_conf bar = {0};

	(void)argc;
	(void)argv;
	rte_log_set_global_level(RTE_LOG_EMERG);

	memfd = memfd_create("fuzz-mem", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, MEM_SIZE) != 0 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)
		abort();
	memfd_unsealed = memfd_create("fuzz-mem-unsealed", MFD_CLOEXEC);
	if (memfd_unsealed < 0 || ftruncate(memfd_unsealed, MEM_SIZE) != 0)
		abort();

	srv = rte_vfio_user_server_create(&conf);
	if (srv == NULL)
		abort();
	bar.size = 4096;
	bar.flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	bar.access = bar0_access;
	bar.fd = -1;
	if (rte_vfio_user_server_set_region(srv, 0, &bar) != 0)
		abort();
	bar.size = 16384;
	bar.access = NULL;
	bar.fd = memfd;
	bar.nr_sparse = 1;
	bar.sparse[0].offset = 4096;
	bar.sparse[0].size = 4096;
	if (rte_vfio_user_server_set_region(srv, 2, &bar) != 0)
		abort();
	memset(&bar, 0, sizeof(bar));
	bar.size = 4096;
	bar.flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	bar.access = bar0_access;
	bar.fd = -1;
	if (rte_vfio_user_server_set_region(srv, 4, &bar) != 0)
		abort();
	if (rte_vfio_user_pci_exp_cap_add(srv, NULL) != 0 ||
	    rte_vfio_user_pci_msix_cap_add(srv, 4, 0, 4, 0x800, NULL) != 0)
		abort();
	return 0;
}

/* Read and drop whatever the server sent back. */
static void
drain(int sock)
{
	uint8_t buf[4096];
	char cbuf[CMSG_SPACE(sizeof(int) * MAX_FDS)];

	for (;;) {
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *c;
		ssize_t n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n <= 0)
			return;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				int fds[MAX_FDS];

				if (nfd > MAX_FDS)
					nfd = MAX_FDS;
				memcpy(fds, CMSG_DATA(c), nfd * sizeof(int));
				vfio_user_close_fds(fds, (unsigned int)nfd);
			}
		}
	}
}

/* A descriptor of the wrong kind: the read end of a pipe. */
static int
pipe_fd(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	close(p[1]);
	return p[0];
}

/* Send one chunk with fds chosen from its command; false when closed. */
static bool
send_chunk(int sock, const uint8_t *p, size_t len)
{
	int fds[MAX_FDS];
	unsigned int nfds = 0, i;
	uint16_t cmd = 0;
	int ret;

	if (len >= 4)
		memcpy(&cmd, p + 2, sizeof(cmd));
	if (cmd == VFIO_USER_CMD_DMA_MAP && len >= VFIO_USER_HDR_SIZE + VFIO_USER_DMA_MAP_SIZE) {
		if (opts & 4)
			fds[nfds++] = pipe_fd();
		else
			fds[nfds++] = dup((opts & 2) ? memfd_unsealed : memfd);
	} else if (cmd == VFIO_USER_CMD_DEVICE_SET_IRQS &&
		   len >= VFIO_USER_HDR_SIZE + VFIO_USER_SET_IRQS_SIZE) {
		uint32_t flags, count;

		memcpy(&flags, p + VFIO_USER_HDR_SIZE + 4, sizeof(flags));
		memcpy(&count, p + VFIO_USER_HDR_SIZE + 16, sizeof(count));
		if (flags & VFIO_USER_IRQ_SET_DATA_EVENTFD) {
			count = count > MAX_FDS ? MAX_FDS : count;
			for (i = 0; i < count; i++)
				fds[nfds++] = (opts & 8) ? pipe_fd() :
							   eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		}
	}
	if (cmd == VFIO_USER_CMD_MIG_DATA_WRITE && (opts & 0x10) && len <= 65536) {
		static uint8_t copy[65536];

		memcpy(copy, p, len);
		mig_fixup(copy, len);
		p = copy;
	}
	ret = vfio_user_sock_send(sock, p, len, fds, nfds, 100);
	vfio_user_close_fds(fds, nfds);
	return ret == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char qemu_json[] = "{\"capabilities\":{\"migration\":{\"pgsize\":4096,"
					"\"max_bitmap_size\":268435456},\"max_msg_fds\":16,"
					"\"max_data_xfer_size\":1048576,\"pgsizes\":4096,"
					"\"max_dma_maps\":65535,\"write_multiple\":true}}";
	uint8_t version[VFIO_USER_HDR_SIZE + 4 + sizeof(qemu_json)];
	struct vfio_user_hdr hdr = {0};
	int sv[2];
	size_t off;

	if (size < 1)
		return 0;
	opts = data[0];
	rte_vfio_user_mig_mem_limit_set((opts & 0x20) ? 64 : RTE_VFIO_USER_MIG_MEM_LIMIT_DEFAULT);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	if (vfio_user_server_attach(srv, sv[1]) != 0)
		abort();

	if (data[0] & 1) {
		hdr.msg_id = 1;
		hdr.cmd = VFIO_USER_CMD_VERSION;
		hdr.size = sizeof(version);
		vfio_user_hdr_encode(version, &hdr);
		memset(version + VFIO_USER_HDR_SIZE, 0, 4); /* version 0.0 */
		memcpy(version + VFIO_USER_HDR_SIZE + 4, qemu_json, sizeof(qemu_json));
		if (send_chunk(sv[0], version, sizeof(version)) &&
		    vfio_user_server_handle_input(srv) >= 0)
			drain(sv[0]);
	}

	for (off = 1; off < size;) {
		size_t len = size - off;
		uint32_t msz;

		if (len >= VFIO_USER_HDR_SIZE) {
			memcpy(&msz, data + off + 4, sizeof(msz));
			if (msz >= VFIO_USER_HDR_SIZE && msz < len)
				len = msz;
		}
		if (!send_chunk(sv[0], data + off, len))
			break;
		off += len;
		if (vfio_user_server_handle_input(srv) < 0)
			break;
		drain(sv[0]);
	}

	vfio_user_server_detach(srv);
	drain(sv[0]);
	close(sv[0]);
	/* The client gone, nothing of its migration may stay charged. */
	if (rte_vfio_user_mig_mem_used() != 0)
		abort();
	return 0;
}
