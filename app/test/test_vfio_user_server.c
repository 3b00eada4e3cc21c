/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * Integration tests of the vfio-user server (vfio_user_server.c and the files
 * it is split into, see vfio_user_server_internal.h) driven by
 * the client library (vfio_user_client.c) and, for what a well-behaved
 * client never sends, by raw messages over a plain UNIX socket
 * (vfio_user_msg.h + vfio_user_sock.h). The server runs its own control
 * thread; every socket lives in a private mkdtemp() directory.
 *
 * The test device: PCI ids, BAR0 (4 KiB, trapped: a register array whose
 * callback records every call), BAR2 (16 KiB 64-bit prefetchable, backed by a
 * memfd, two sparse mmap areas), BAR4 (4 KiB, trapped, MSI-X table and PBA),
 * 8 MSI-X vectors, INTx, ERR and REQ, PCIe and MSI-X capabilities, and
 * callbacks that count every event.
 */

#include <dirent.h>
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
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "test.h"
#include "test_common.h"
#include "rte_vfio_user.h"
#include "rte_vfio_user_client.h"
#include "vfio_user_msg.h"
#include "vfio_user_server_priv.h"
#include "vfio_user_sock.h"

#define T_VENDOR 0x1b36
#define T_DEVICE 0x00f7
#define T_SUBVENDOR 0x1af4
#define T_SUBDEVICE 0x1100
#define T_REVISION 0x03
#define T_CLASS 0x058000

#define T_PG 4096u
#define BAR0_SIZE 4096u
#define BAR2_SIZE (16u * 1024u)
#define BAR4_SIZE 4096u
#define MSIX_NVEC 8u
#define MSIX_PBA_OFF 2048u
#define T_MAX_DMA_MAPS 4u

#define WAIT_MS 2000
#define RAW_TIMEOUT_MS 2000
/* raw_call() result when the connection was closed (no reply). */
#define RAW_CLOSED INT_MIN

#define PCI_CAP_ID_EXP 0x10
#define PCI_CAP_ID_MSIX 0x11

/* ------------------------------------------------------------ the device */

struct tdev {
	struct rte_vfio_user_server *srv;
	char path[108];
	/* BAR0 registers and its access log (control thread writes) */
	uint8_t bar0[BAR0_SIZE];
	unsigned int bar0_calls;
	uint64_t bar0_last_off;
	uint32_t bar0_last_count;
	unsigned int bar0_last_write;
	uint8_t bar4[BAR4_SIZE];
	int memfd; /* BAR2 */
	uint8_t *bar2; /* our own mapping of the memfd */
	uint16_t exp_off, msix_off;
	/* given to set_region_fd(BAR2) by the disconnected callback if >= 0 */
	int swap_fd;
	int swap_ret;
	/* COMMAND register as the disconnected callback found it */
	uint16_t cmd_at_disconnect;
	/* callback counters */
	unsigned int n_connected;
	unsigned int n_disconnected;
	unsigned int n_reset_req;
	unsigned int n_reset_flr;
	unsigned int n_dma_begin;
	unsigned int n_dma_end;
	unsigned int dma_sleep_ms; /* each dma_change BEGIN sleeps this long */
	unsigned int n_irq_change;
	unsigned int n_cfg_write;
	uint32_t last_irq_change;
};

static char tmpdir[64];
/* conf.flags and conf.max_dma_maps of the next tdev_init() */
static uint32_t tdev_flags;
static uint32_t tdev_max_dma_maps = T_MAX_DMA_MAPS;
static struct tdev dev_a; /* the device of most cases */
static struct tdev dev_b; /* a second one */
static uint8_t *rawbuf; /* raw messages received */
static uint32_t rawbuf_size;

static unsigned int
ld(const unsigned int *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void
inc(unsigned int *p)
{
	__atomic_fetch_add(p, 1, __ATOMIC_ACQ_REL);
}

static int
bar0_access(void *arg, uint64_t offset, void *buf, uint32_t count, bool write)
{
	struct tdev *d = arg;

	if (offset > BAR0_SIZE || count > BAR0_SIZE - offset)
		return -EFAULT; /* the server promised not to */
	if (write)
		memcpy(&d->bar0[offset], buf, count);
	else
		memcpy(buf, &d->bar0[offset], count);
	__atomic_store_n(&d->bar0_last_off, offset, __ATOMIC_RELEASE);
	__atomic_store_n(&d->bar0_last_count, count, __ATOMIC_RELEASE);
	__atomic_store_n(&d->bar0_last_write, write ? 1u : 0u, __ATOMIC_RELEASE);
	inc(&d->bar0_calls);
	return 0;
}

static int
bar4_access(void *arg, uint64_t offset, void *buf, uint32_t count, bool write)
{
	struct tdev *d = arg;

	if (offset > BAR4_SIZE || count > BAR4_SIZE - offset)
		return -EFAULT;
	if (write)
		memcpy(&d->bar4[offset], buf, count);
	else
		memcpy(buf, &d->bar4[offset], count);
	return 0;
}

static void
cb_connected(void *arg)
{
	inc(&((struct tdev *)arg)->n_connected);
}

static void
cb_disconnected(void *arg)
{
	struct tdev *d = arg;

	rte_vfio_user_pci_cfg_read(d->srv, 4, &d->cmd_at_disconnect, 2);
	if (d->swap_fd >= 0) {
		d->swap_ret = rte_vfio_user_server_set_region_fd(d->srv, RTE_VFIO_USER_REGION_BAR2,
								 d->swap_fd);
		d->swap_fd = -1;
	}
	inc(&d->n_disconnected);
}

static int
cb_reset(void *arg, enum rte_vfio_user_reset_reason reason)
{
	struct tdev *d = arg;

	if (reason == RTE_VFIO_USER_RESET_FLR)
		inc(&d->n_reset_flr);
	else
		inc(&d->n_reset_req);
	return 0;
}

static void
cb_dma_change(void *arg, enum rte_vfio_user_dma_event ev)
{
	struct tdev *d = arg;

	if (ev == RTE_VFIO_USER_DMA_CHANGE_BEGIN) {
		inc(&d->n_dma_begin);
		if (ld(&d->dma_sleep_ms) > 0)
			sleep_ms(ld(&d->dma_sleep_ms));
	} else {
		inc(&d->n_dma_end);
	}
}

static void
cb_irq_change(void *arg, uint32_t index)
{
	struct tdev *d = arg;

	__atomic_store_n(&d->last_irq_change, index, __ATOMIC_RELEASE);
	inc(&d->n_irq_change);
}

static void
cb_cfg_write(void *arg, uint32_t offset, uint32_t len)
{
	RTE_SET_USED(offset);
	RTE_SET_USED(len);
	inc(&((struct tdev *)arg)->n_cfg_write);
}

static const struct rte_vfio_user_server_ops tdev_ops = {
	.connected = cb_connected,
	.disconnected = cb_disconnected,
	.reset = cb_reset,
	.dma_change = cb_dma_change,
	.irq_change = cb_irq_change,
	.cfg_write = cb_cfg_write,
};

static void
tdev_free(struct tdev *d)
{
	if (d->srv != NULL)
		rte_vfio_user_server_destroy(d->srv);
	d->srv = NULL;
	if (d->bar2 != NULL)
		munmap(d->bar2, BAR2_SIZE);
	d->bar2 = NULL;
	if (d->memfd >= 0)
		close(d->memfd);
	d->memfd = -1;
}

/* Create (and with start, start) a test device listening on tmpdir/name. */
/* Region idx of d: size bytes, read-write, every access trapped to access(d). */
static int
trapped_region_set(struct tdev *d, uint32_t idx, uint64_t size,
		   rte_vfio_user_region_access_t access)
{
	struct rte_vfio_user_region_conf r;

	memset(&r, 0, sizeof(r));
	r.size = size;
	r.flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	r.access = access;
	r.arg = d;
	r.fd = -1;
	return rte_vfio_user_server_set_region(d->srv, idx, &r);
}

static int
tdev_init(struct tdev *d, const char *name, bool start)
{
	struct rte_vfio_user_server_conf conf;
	struct rte_vfio_user_region_conf r;
	int ret;

	memset(d, 0, sizeof(*d));
	d->memfd = -1;
	d->swap_fd = -1;
	snprintf(d->path, sizeof(d->path), "%s/%s", tmpdir, name);

	d->memfd = memfd_create("vfu-test-bar2", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (d->memfd < 0 || ftruncate(d->memfd, BAR2_SIZE) < 0)
		goto fail;
	d->bar2 = mmap(NULL, BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, d->memfd, 0);
	if (d->bar2 == MAP_FAILED) {
		d->bar2 = NULL;
		goto fail;
	}

	memset(&conf, 0, sizeof(conf));
	conf.path = d->path;
	conf.pci_id.vendor_id = T_VENDOR;
	conf.pci_id.device_id = T_DEVICE;
	conf.pci_id.subsys_vendor_id = T_SUBVENDOR;
	conf.pci_id.subsys_id = T_SUBDEVICE;
	conf.pci_id.revision = T_REVISION;
	conf.pci_id.class_code = T_CLASS;
	conf.irq_count[RTE_VFIO_USER_IRQ_INTX] = 1;
	conf.irq_count[RTE_VFIO_USER_IRQ_MSI] = 0;
	conf.irq_count[RTE_VFIO_USER_IRQ_MSIX] = MSIX_NVEC;
	conf.irq_count[RTE_VFIO_USER_IRQ_ERR] = 1;
	conf.irq_count[RTE_VFIO_USER_IRQ_REQ] = 1;
	conf.max_dma_maps = tdev_max_dma_maps;
	conf.flags = tdev_flags;
	conf.ops = &tdev_ops;
	conf.arg = d;
	d->srv = rte_vfio_user_server_create(&conf);
	if (d->srv == NULL)
		goto fail;

	if (trapped_region_set(d, RTE_VFIO_USER_REGION_BAR0, BAR0_SIZE, bar0_access) != 0)
		goto fail;

	memset(&r, 0, sizeof(r));
	r.size = BAR2_SIZE;
	r.flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	r.bar_flags = RTE_VFIO_USER_BAR_MEM64 | RTE_VFIO_USER_BAR_PREFETCH;
	r.fd = d->memfd;
	r.fd_offset = 0;
	r.nr_sparse = 2;
	r.sparse[0].offset = 0;
	r.sparse[0].size = T_PG;
	r.sparse[1].offset = 2 * T_PG;
	r.sparse[1].size = T_PG;
	if (rte_vfio_user_server_set_region(d->srv, RTE_VFIO_USER_REGION_BAR2, &r) != 0)
		goto fail;

	if (trapped_region_set(d, RTE_VFIO_USER_REGION_BAR4, BAR4_SIZE, bar4_access) != 0)
		goto fail;

	if (rte_vfio_user_pci_exp_cap_add(d->srv, &d->exp_off) != 0)
		goto fail;
	if (rte_vfio_user_pci_msix_cap_add(d->srv, 4, 0, 4, MSIX_PBA_OFF, &d->msix_off) != 0)
		goto fail;
	if (start) {
		ret = rte_vfio_user_server_start(d->srv);
		if (ret != 0) {
			printf("server start %s: %s\n", d->path, strerror(-ret));
			goto fail;
		}
	}
	return 0;

fail:
	printf("cannot set up the test device %s\n", d->path);
	tdev_free(d);
	return -1;
}

/*
 * A memfd of size bytes sealed against shrinking and growing, as QEMU's
 * memory-backend-memfd makes guest memory. @return the fd or -1.
 */
static int
sealed_memfd(const char *name, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---------------------------------------------------------- /proc counts */

static int
count_fds(void)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		return -1;
	while ((de = readdir(dir)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/*
 * Mappings of the process: shared ones (every DMA and sparse mmap is one)
 * in the low 20 bits, all of them above. Under AddressSanitizer, whose
 * allocator maps memory as it goes, only the shared ones are compared.
 */
#if defined(__SANITIZE_ADDRESS__)
#define T_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_ASAN 1
#endif
#endif
#ifndef T_ASAN
#define T_ASAN 0
#endif

static int
count_maps(void)
{
	char line[512], perms[8];
	FILE *f = fopen("/proc/self/maps", "r");
	int all = 0, shared = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		/* the rest of a line longer than the buffer */
		if (strchr(line, '\n') == NULL && !feof(f)) {
			int ch;

			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
		}
		all++;
		if (sscanf(line, "%*s %7s", perms) == 1 && perms[3] == 's')
			shared++;
	}
	fclose(f);
	if (T_ASAN)
		return shared;
	return all << 20 | shared;
}

/* Bounded wait for the number of open fds to come back to want. */
static int
wait_fds(int want)
{
	uint64_t end = now_ms() + WAIT_MS;
	int n;

	while ((n = count_fds()) != want && now_ms() < end)
		sleep_ms(2);
	return n;
}

/* ---------------------------------------------------------- raw messages */

static int
raw_connect(const char *path)
{
	struct sockaddr_un sa;
	int s;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* Send a message whose header says size (0: the real size). */
static int
raw_send_sized(int s, uint16_t id, uint16_t cmd, uint32_t flags, uint32_t size, const void *pl,
	       uint32_t len, const int *fds, unsigned int nfds)
{
	struct vfio_user_hdr h;
	uint8_t *msg;
	int ret;

	msg = malloc(VFIO_USER_HDR_SIZE + len);
	if (msg == NULL)
		return -ENOMEM;
	memset(&h, 0, sizeof(h));
	h.msg_id = id;
	h.cmd = cmd;
	h.size = size != 0 ? size : VFIO_USER_HDR_SIZE + len;
	h.flags = flags;
	vfio_user_hdr_encode(msg, &h);
	if (len > 0)
		memcpy(msg + VFIO_USER_HDR_SIZE, pl, len);
	ret = vfio_user_sock_send(s, msg, VFIO_USER_HDR_SIZE + len, fds, nfds, RAW_TIMEOUT_MS);
	free(msg);
	return ret;
}

static int
raw_send(int s, uint16_t id, uint16_t cmd, const void *pl, uint32_t len, const int *fds,
	 unsigned int nfds)
{
	return raw_send_sized(s, id, cmd, VFIO_USER_F_TYPE_COMMAND, 0, pl, len, fds, nfds);
}

/*
 * Receive one message into rawbuf.
 * @return payload length, or a negative errno (-ECONNRESET on EOF).
 */
static int
raw_recv(int s, struct vfio_user_hdr *h, int *rfd, int timeout_ms)
{
	int fds[4];
	unsigned int nfds = 0, i;
	int ret;

	if (rfd != NULL)
		*rfd = -1;
	ret = vfio_user_sock_recv(s, rawbuf, rawbuf_size, h, fds, RTE_DIM(fds), &nfds, timeout_ms);
	if (ret < 0)
		return ret;
	for (i = 0; i < nfds; i++) {
		if (i == 0 && rfd != NULL)
			*rfd = fds[i];
		else
			close(fds[i]);
	}
	return ret - (int)VFIO_USER_HDR_SIZE;
}

static uint16_t raw_id = 0x100;

/*
 * Send a command and wait for its reply (payload in rawbuf + 16).
 * @return the reply's payload length (>= 0), -errno of an error reply,
 *   or RAW_CLOSED when the server closed the connection instead.
 */
static int
raw_call_fds(int s, uint16_t cmd, const void *pl, uint32_t len, const int *fds, unsigned int nfds,
	     int *rfd)
{
	struct vfio_user_hdr h;
	uint16_t id = raw_id++;
	int ret;

	ret = raw_send(s, id, cmd, pl, len, fds, nfds);
	if (ret < 0)
		return RAW_CLOSED;
	ret = raw_recv(s, &h, rfd, RAW_TIMEOUT_MS);
	if (ret < 0) {
		if (ret != -ECONNRESET && ret != -EPIPE)
			printf("raw_call %s: unexpected receive result %d\n",
			       vfio_user_cmd_name(cmd), ret);
		return RAW_CLOSED;
	}
	if ((h.flags & VFIO_USER_F_TYPE_MASK) != VFIO_USER_F_TYPE_REPLY || h.msg_id != id ||
	    h.cmd != cmd) {
		printf("raw_call %s: reply mismatch (flags 0x%x id %u cmd %u)\n",
		       vfio_user_cmd_name(cmd), h.flags, h.msg_id, h.cmd);
		return -EPROTO - 10000;
	}
	if (h.flags & VFIO_USER_F_ERROR)
		return h.error == 0 ? -EPROTO - 20000 : -(int)h.error;
	return ret;
}

static int
raw_call(int s, uint16_t cmd, const void *pl, uint32_t len)
{
	return raw_call_fds(s, cmd, pl, len, NULL, 0, NULL);
}

/* Payload of a VERSION request with a JSON text. */
static uint32_t
version_payload(uint8_t *buf, uint16_t major, uint16_t minor, const char *json)
{
	size_t n = strlen(json) + 1;

	memcpy(buf, &major, 2);
	memcpy(buf + 2, &minor, 2);
	memcpy(buf + 4, json, n);
	return (uint32_t)(4 + n);
}

static const char qemu_json[] =
	"{\"capabilities\":{\"migration\":{\"pgsize\":4096,\"max_bitmap_size\":268435456},"
	"\"max_msg_fds\":16,\"max_data_xfer_size\":1048576,\"pgsizes\":4096,"
	"\"max_dma_maps\":65535,\"write_multiple\":true}}";

/* Connect and negotiate as QEMU does. @return the socket or -1. */
static int
raw_open(const char *path, struct vfio_user_version *ver)
{
	uint8_t pl[512];
	struct vfio_user_version v;
	uint32_t len;
	int s, ret;

	s = raw_connect(path);
	if (s < 0)
		return -1;
	len = version_payload(pl, 0, 0, qemu_json);
	ret = raw_call(s, VFIO_USER_CMD_VERSION, pl, len);
	if (ret < 0 ||
	    vfio_user_version_decode(rawbuf + VFIO_USER_HDR_SIZE, (size_t)ret, &v) != 0) {
		printf("raw VERSION failed: %d\n", ret);
		close(s);
		return -1;
	}
	if (ver != NULL)
		*ver = v;
	return s;
}

/* A DEVICE_GET_INFO over a raw socket: 0 when the answer is right. */
static int
raw_check_alive(int s)
{
	struct vfio_user_device_info info;
	uint8_t pl[VFIO_USER_DEVICE_INFO_SIZE];
	int ret;

	memset(&info, 0, sizeof(info));
	info.argsz = VFIO_USER_DEVICE_INFO_SIZE;
	vfio_user_device_info_encode(pl, sizeof(pl), &info);
	ret = raw_call(s, VFIO_USER_CMD_DEVICE_GET_INFO, pl, sizeof(pl));
	if (ret != (int)VFIO_USER_DEVICE_INFO_SIZE)
		return -1;
	memcpy(&info, rawbuf + VFIO_USER_HDR_SIZE, sizeof(info));
	if (info.num_regions != RTE_VFIO_USER_NUM_REGIONS ||
	    info.num_irqs != RTE_VFIO_USER_NUM_IRQS)
		return -1;
	return 0;
}

/* ------------------------------------------------------------- eventfds */

/* @return the counter of a non-blocking eventfd (0 if not signalled). */
static uint64_t
efd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}

static int
efd_new(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

/* --------------------------------------------------------- suite and cases */

static struct rte_vfio_user_client *cli;

static struct rte_vfio_user_client *
connect_client(const char *path)
{
	struct rte_vfio_user_client_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.timeout_ms = 3000;
	return rte_vfio_user_client_connect(path, &conf);
}

static int
setup_dev(void)
{
	cli = NULL;
	return tdev_init(&dev_a, "a.sock", true) == 0 ? TEST_SUCCESS : TEST_FAILED;
}

static int
setup_dev_client(void)
{
	if (setup_dev() != TEST_SUCCESS)
		return TEST_FAILED;
	cli = connect_client(dev_a.path);
	if (cli == NULL) {
		printf("client connect: %s\n", strerror(rte_errno));
		tdev_free(&dev_a);
		return TEST_FAILED;
	}
	if (!wait_u32(&dev_a.n_connected, 1, WAIT_MS)) {
		printf("no connected callback\n");
		rte_vfio_user_client_close(cli);
		cli = NULL;
		tdev_free(&dev_a);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
teardown_dev(void)
{
	tdev_flags = 0;
	tdev_max_dma_maps = T_MAX_DMA_MAPS;
	if (cli != NULL)
		rte_vfio_user_client_close(cli);
	cli = NULL;
	tdev_free(&dev_a);
	tdev_free(&dev_b);
}

static int
suite_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vfu-itest-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		printf("mkdtemp: %s\n", strerror(errno));
		return TEST_FAILED;
	}
	rawbuf_size =
		VFIO_USER_HDR_SIZE + VFIO_USER_REGION_ACCESS_SIZE + VFIO_USER_MAX_DATA_XFER_LIMIT;
	rawbuf = malloc(rawbuf_size);
	if (rawbuf == NULL)
		return TEST_FAILED;
	dev_a.memfd = -1;
	dev_b.memfd = -1;
	return TEST_SUCCESS;
}

static void
suite_teardown(void)
{
	struct dirent *de;
	char p[sizeof(tmpdir) + 260];
	DIR *dir;

	free(rawbuf);
	rawbuf = NULL;
	dir = opendir(tmpdir);
	if (dir != NULL) {
		while ((de = readdir(dir)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
			unlink(p);
		}
		closedir(dir);
	}
	rmdir(tmpdir);
}

/* ------------------------------------------------------------ negotiation */

static int
test_negotiate_caps(void)
{
	const struct rte_vfio_user_client_caps *caps = rte_vfio_user_client_caps(cli);

	TEST_ASSERT_NOT_NULL(caps, "no caps");
	TEST_ASSERT_EQUAL(caps->major, 0, "major");
	TEST_ASSERT(caps->minor <= VFIO_USER_VERSION_MINOR, "minor %u", caps->minor);
	TEST_ASSERT_EQUAL(caps->max_msg_fds, 16, "max_msg_fds");
	TEST_ASSERT_EQUAL(caps->max_data_xfer_size, 1024 * 1024, "max_data_xfer_size");
	TEST_ASSERT_EQUAL(caps->pgsizes, 4096, "pgsizes");
	TEST_ASSERT_EQUAL(caps->max_dma_maps, T_MAX_DMA_MAPS, "max_dma_maps");
	TEST_ASSERT(caps->write_multiple, "write_multiple not offered");
	TEST_ASSERT(rte_vfio_user_server_connected(dev_a.srv), "server not connected");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_connected), 1, "connected callbacks");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_disconnected), 0, "disconnected callbacks");
	return TEST_SUCCESS;
}

/*
 * A first VERSION request 0.0 with json, on a new connection to
 * dev_a: accepted, the reply (in *v) fits in the request, decodes and is
 * major 0; the connection then serves. @return the connected socket, or a
 * negative value (printed).
 */
static int
version_accepted(const char *what, const char *json, struct vfio_user_version *v)
{
	uint8_t pl[512];
	uint32_t len;
	int s, ret;

	s = raw_connect(dev_a.path);
	if (s < 0) {
		printf("%s: connect: %d\n", what, s);
		return -1;
	}
	len = version_payload(pl, 0, 0, json);
	ret = raw_call(s, VFIO_USER_CMD_VERSION, pl, len);
	if (ret <= 0 || (uint32_t)ret > len) {
		printf("%s: VERSION: %d (reply payload at most %u)\n", what, ret, len);
	} else if (vfio_user_version_decode(rawbuf + VFIO_USER_HDR_SIZE, (size_t)ret, v) != 0) {
		printf("%s: the reply does not decode\n", what);
	} else if (v->major != 0) {
		printf("%s: major %u\n", what, v->major);
	} else if (raw_check_alive(s) != 0) {
		printf("%s: not usable after VERSION\n", what);
	} else {
		return s;
	}
	close(s);
	return -1;
}

/*
 * A first message (cmd with len bytes of pl) on a new connection to dev_a:
 * refused with an error reply, then the connection closed.
 */
static int
first_refused(const char *what, uint16_t cmd, const void *pl, uint32_t len)
{
	struct vfio_user_hdr h;
	int s, ret;

	s = raw_connect(dev_a.path);
	TEST_ASSERT(s >= 0, "%s: connect", what);
	ret = raw_call(s, cmd, pl, len);
	if (ret >= 0 || ret == RAW_CLOSED) {
		close(s);
		TEST_ASSERT(false, "%s: accepted, or closed without an error reply: %d", what, ret);
	}
	ret = raw_recv(s, &h, NULL, RAW_TIMEOUT_MS);
	close(s);
	TEST_ASSERT_EQUAL(ret, -ECONNRESET, "%s: connection not closed", what);
	return TEST_SUCCESS;
}

static int
test_negotiate_raw(void)
{
	uint8_t pl[512];
	struct vfio_user_version v;
	uint32_t len;
	int s;

	/* QEMU's request, version 0.0. */
	s = version_accepted("QEMU's VERSION", qemu_json, &v);
	TEST_ASSERT(s >= 0, "QEMU's VERSION");
	TEST_ASSERT_EQUAL(v.minor, 0, "minor");
	TEST_ASSERT(v.caps.max_msg_fds >= 1 && v.caps.max_msg_fds <= 16, "max_msg_fds %u",
		    v.caps.max_msg_fds);
	TEST_ASSERT(wait_u32(&dev_a.n_connected, 1, WAIT_MS), "no connected callback");
	close(s);
	TEST_ASSERT(wait_u32(&dev_a.n_disconnected, 1, WAIT_MS), "no disconnected callback");

	/* A tiny request: the reply must still fit in it. */
	s = version_accepted("VERSION {}", "{}", &v);
	TEST_ASSERT(s >= 0, "VERSION {}");
	close(s);
	TEST_ASSERT(wait_u32(&dev_a.n_disconnected, 2, WAIT_MS), "no disconnected callback");

	/* Major 1; a first message that is not VERSION: refused and closed. */
	len = version_payload(pl, 1, 0, "{}");
	TEST_ASSERT_SUCCESS(first_refused("major 1", VFIO_USER_CMD_VERSION, pl, len), "major 1");
	TEST_ASSERT_SUCCESS(
		first_refused("RESET before VERSION", VFIO_USER_CMD_DEVICE_RESET, NULL, 0),
		"RESET before VERSION");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_reset_req), 0, "reset called before VERSION");

	/* Failed negotiations call neither callback. */
	sleep_ms(20);
	TEST_ASSERT_EQUAL(ld(&dev_a.n_dma_begin), 0, "dma_change without DMA maps");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_connected), 2, "connected callbacks");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_disconnected), 2, "disconnected callbacks");

	/* And the server still serves. */
	s = raw_open(dev_a.path, NULL);
	TEST_ASSERT(s >= 0, "cannot negotiate after refusals");
	TEST_ASSERT_SUCCESS(raw_check_alive(s), "not usable");
	close(s);
	return TEST_SUCCESS;
}

/* ----------------------------------------------------------- device info */

static int
test_device_info(void)
{
	struct rte_vfio_user_device_info info;

	TEST_ASSERT_SUCCESS(rte_vfio_user_client_device_info(cli, &info), "device_info");
	TEST_ASSERT_EQUAL(info.flags, RTE_VFIO_USER_DEV_PCI | RTE_VFIO_USER_DEV_RESET, "flags");
	TEST_ASSERT_EQUAL(info.num_regions, 9, "num_regions");
	TEST_ASSERT_EQUAL(info.num_irqs, 5, "num_irqs");
	return TEST_SUCCESS;
}

static int
test_region_info(void)
{
	static const struct {
		uint64_t size;
		uint32_t flags;
		uint32_t nr_sparse;
		bool fd;
	} want[RTE_VFIO_USER_NUM_REGIONS] = {
		[RTE_VFIO_USER_REGION_BAR0] = {BAR0_SIZE, 3, 0, false},
		[RTE_VFIO_USER_REGION_BAR2] = {BAR2_SIZE, 7, 2, true},
		[RTE_VFIO_USER_REGION_BAR4] = {BAR4_SIZE, 3, 0, false},
		[RTE_VFIO_USER_REGION_CONFIG] = {4096, 3, 0, false},
	};
	struct rte_vfio_user_region_info ri;
	uint32_t i;

	for (i = 0; i < RTE_VFIO_USER_NUM_REGIONS; i++) {
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_info(cli, i, &ri), "region %u", i);
		TEST_ASSERT_EQUAL(ri.size, want[i].size, "region %u size", i);
		TEST_ASSERT_EQUAL(ri.flags, want[i].flags, "region %u flags", i);
		TEST_ASSERT_EQUAL(ri.nr_sparse, want[i].nr_sparse, "region %u sparse", i);
		TEST_ASSERT_EQUAL(ri.fd >= 0, want[i].fd, "region %u fd %d", i, ri.fd);
	}
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_info(cli, 2, &ri), "BAR2");
	TEST_ASSERT_EQUAL(ri.fd_offset, 0, "BAR2 fd_offset");
	TEST_ASSERT_EQUAL(ri.sparse[0].offset, 0, "area 0 offset");
	TEST_ASSERT_EQUAL(ri.sparse[0].size, T_PG, "area 0 size");
	TEST_ASSERT_EQUAL(ri.sparse[1].offset, 2 * T_PG, "area 1 offset");
	TEST_ASSERT_EQUAL(ri.sparse[1].size, T_PG, "area 1 size");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_info(cli, 9, &ri), -EINVAL, "region 9");

	/* raw: an fd comes only for BAR2, and only when the whole reply fits */
	for (i = 0; i < RTE_VFIO_USER_NUM_REGIONS; i++) {
		struct vfio_user_region_info rep;
		uint8_t pl[VFIO_USER_REGION_INFO_SIZE];
		uint32_t argsz;
		int ret, rfd = -1;

		for (argsz = VFIO_USER_REGION_INFO_SIZE; argsz <= 512; argsz += 480) {
			TEST_ASSERT(vfio_user_region_info_req_encode(pl, sizeof(pl), i, argsz) ==
					    (int)sizeof(pl),
				    "encode");
			ret = raw_call_fds(rte_vfio_user_client_fd(cli),
					   VFIO_USER_CMD_DEVICE_GET_REGION_INFO, pl, sizeof(pl),
					   NULL, 0, &rfd);
			if (rfd >= 0)
				close(rfd);
			TEST_ASSERT(ret >= (int)VFIO_USER_REGION_INFO_SIZE && ret <= (int)argsz,
				    "region %u argsz %u: %d", i, argsz, ret);
			TEST_ASSERT_SUCCESS(vfio_user_region_info_reply_decode(
						    rawbuf + VFIO_USER_HDR_SIZE, (size_t)ret, &rep),
					    "region %u reply", i);
			TEST_ASSERT_EQUAL(rep.index, i, "index");
			TEST_ASSERT_EQUAL(rep.size, want[i].size, "region %u size", i);
			if (i == RTE_VFIO_USER_REGION_BAR2 && argsz == VFIO_USER_REGION_INFO_SIZE) {
				TEST_ASSERT(rep.argsz > VFIO_USER_REGION_INFO_SIZE, "argsz needed");
				TEST_ASSERT_EQUAL(ret, VFIO_USER_REGION_INFO_SIZE,
						  "truncated reply");
				TEST_ASSERT(rfd < 0, "fd with a truncated reply");
				TEST_ASSERT_EQUAL(rep.flags & VFIO_USER_REGION_FLAG_CAPS, 0,
						  "CAPS flag");
			} else if (i == RTE_VFIO_USER_REGION_BAR2) {
				TEST_ASSERT_EQUAL(ret, rep.argsz, "reply length");
				TEST_ASSERT(rfd >= 0, "no fd for BAR2");
				TEST_ASSERT(rep.flags & VFIO_USER_REGION_FLAG_MMAP, "no MMAP flag");
				TEST_ASSERT(rep.flags & VFIO_USER_REGION_FLAG_CAPS, "no CAPS flag");
				TEST_ASSERT_EQUAL(rep.nr_areas, 2, "areas");
			} else {
				TEST_ASSERT(rfd < 0, "fd for region %u", i);
				TEST_ASSERT_EQUAL(ret, VFIO_USER_REGION_INFO_SIZE,
						  "region %u length", i);
			}
		}
	}
	/* Still usable after the error. */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_info(cli, 0, &ri), "region 0 again");
	return TEST_SUCCESS;
}

static int
test_region_io_fds(void)
{
	struct vfio_user_region_io_fds_req rq;
	uint8_t pl[VFIO_USER_REGION_IO_FDS_SIZE];
	int s, ret;
	uint32_t i;

	s = rte_vfio_user_client_fd(cli);
	for (i = 0; i <= RTE_VFIO_USER_NUM_REGIONS; i++) {
		memset(&rq, 0, sizeof(rq));
		rq.argsz = VFIO_USER_REGION_IO_FDS_SIZE;
		rq.index = i;
		TEST_ASSERT(vfio_user_region_io_fds_encode(pl, sizeof(pl), &rq) > 0, "encode");
		ret = raw_call(s, VFIO_USER_CMD_DEVICE_GET_REGION_IO_FDS, pl, sizeof(pl));
		if (i == RTE_VFIO_USER_NUM_REGIONS) {
			TEST_ASSERT_EQUAL(ret, -EINVAL, "io fds of region %u", i);
			break;
		}
		TEST_ASSERT_EQUAL(ret, VFIO_USER_REGION_IO_FDS_SIZE, "io fds of region %u", i);
		memcpy(&rq, rawbuf + VFIO_USER_HDR_SIZE, sizeof(rq));
		TEST_ASSERT_EQUAL(rq.index, i, "index");
		TEST_ASSERT_EQUAL(rq.count, 0, "count");
	}
	/* flags must be 0 */
	memset(&rq, 0, sizeof(rq));
	rq.argsz = VFIO_USER_REGION_IO_FDS_SIZE;
	rq.flags = 1;
	memcpy(pl, &rq, sizeof(pl));
	TEST_ASSERT_EQUAL(raw_call(s, VFIO_USER_CMD_DEVICE_GET_REGION_IO_FDS, pl, sizeof(pl)),
			  -EINVAL, "flags 1");
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_device_info(cli, &(struct rte_vfio_user_device_info){0}),
		"client no longer usable");
	return TEST_SUCCESS;
}

static int
test_irq_info(void)
{
	static const struct {
		uint32_t count, flags;
	} want[RTE_VFIO_USER_NUM_IRQS] = {
		[RTE_VFIO_USER_IRQ_INTX] = {1,
					    RTE_VFIO_USER_IRQ_EVENTFD | RTE_VFIO_USER_IRQ_MASKABLE |
						    RTE_VFIO_USER_IRQ_AUTOMASKED},
		[RTE_VFIO_USER_IRQ_MSI] = {0,
					   RTE_VFIO_USER_IRQ_EVENTFD | RTE_VFIO_USER_IRQ_MASKABLE},
		[RTE_VFIO_USER_IRQ_MSIX] = {MSIX_NVEC,
					    RTE_VFIO_USER_IRQ_EVENTFD | RTE_VFIO_USER_IRQ_MASKABLE |
						    RTE_VFIO_USER_IRQ_NORESIZE},
		[RTE_VFIO_USER_IRQ_ERR] = {1,
					   RTE_VFIO_USER_IRQ_EVENTFD | RTE_VFIO_USER_IRQ_MASKABLE},
		[RTE_VFIO_USER_IRQ_REQ] = {1,
					   RTE_VFIO_USER_IRQ_EVENTFD | RTE_VFIO_USER_IRQ_MASKABLE},
	};
	uint32_t i, count, flags;

	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++) {
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_irq_info(cli, i, &count, &flags), "irq %u",
				    i);
		TEST_ASSERT_EQUAL(count, want[i].count, "irq %u count", i);
		TEST_ASSERT_EQUAL(flags, want[i].flags, "irq %u flags", i);
	}
	TEST_ASSERT_EQUAL(rte_vfio_user_client_irq_info(cli, 5, &count, &flags), -EINVAL,
			  "irq index 5");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_irq_info(cli, 2, &count, &flags), "again");
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------- config space */

static int
cfg_rd(uint32_t off, uint32_t size, uint32_t *v)
{
	uint8_t b[4] = {0};
	uint32_t i;
	int ret;

	ret = rte_vfio_user_client_region_read(cli, RTE_VFIO_USER_REGION_CONFIG, off, b, size);
	*v = 0;
	for (i = 0; i < size; i++)
		*v |= (uint32_t)b[i] << (8 * i);
	return ret;
}

static int
cfg_wr(uint32_t off, uint32_t v, uint32_t size)
{
	uint8_t b[4];
	uint32_t i;

	for (i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return rte_vfio_user_client_region_write(cli, RTE_VFIO_USER_REGION_CONFIG, off, b, size,
						 false);
}

static int
test_config_space(void)
{
	static uint8_t cfg[RTE_VFIO_USER_PCI_CFG_SIZE], local[RTE_VFIO_USER_PCI_CFG_SIZE];
	unsigned int calls = ld(&dev_a.bar0_calls);
	bool seen_exp = false, seen_msix = false;
	uint32_t ptr, steps = 0;

	memset(cfg, 0xee, sizeof(cfg));
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cli, RTE_VFIO_USER_REGION_CONFIG, 0,
							     cfg, sizeof(cfg)),
			    "read of the whole configuration space");
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_read(dev_a.srv, 0, local, sizeof(local)),
			    "local read");
	TEST_ASSERT(memcmp(cfg, local, sizeof(cfg)) == 0, "client and server views differ");
	TEST_ASSERT_EQUAL(rte_vfio_user_pci_cfg_read(dev_a.srv, 4095, local, 2), -EINVAL,
			  "local read past the end");

	TEST_ASSERT_EQUAL(get_le16(cfg + 0x00), T_VENDOR, "vendor");
	TEST_ASSERT_EQUAL(get_le16(cfg + 0x02), T_DEVICE, "device");
	TEST_ASSERT_EQUAL(cfg[0x08], T_REVISION, "revision");
	TEST_ASSERT_EQUAL(cfg[0x09] | cfg[0x0a] << 8 | cfg[0x0b] << 16, T_CLASS, "class");
	TEST_ASSERT_EQUAL(get_le16(cfg + 0x2c), T_SUBVENDOR, "subsystem vendor");
	TEST_ASSERT_EQUAL(get_le16(cfg + 0x2e), T_SUBDEVICE, "subsystem");
	TEST_ASSERT_EQUAL(cfg[0x0e] & 0x7f, 0, "header type");
	TEST_ASSERT_EQUAL(cfg[0x3d], 1, "interrupt pin (INTx declared)");
	TEST_ASSERT(get_le16(cfg + 0x06) & 0x10, "status: no capability list");

	ptr = cfg[0x34];
	while (ptr != 0) {
		TEST_ASSERT(ptr >= 0x40 && ptr <= 0xfc && (ptr & 3) == 0, "bad cap pointer 0x%x",
			    ptr);
		TEST_ASSERT(++steps < 48, "capability loop");
		if (cfg[ptr] == PCI_CAP_ID_EXP) {
			TEST_ASSERT_EQUAL(ptr, dev_a.exp_off, "PCIe cap offset");
			seen_exp = true;
		} else if (cfg[ptr] == PCI_CAP_ID_MSIX) {
			TEST_ASSERT_EQUAL(ptr, dev_a.msix_off, "MSI-X cap offset");
			/* table size N-1, table in BAR4 at 0, PBA in BAR4 */
			TEST_ASSERT_EQUAL(get_le16(cfg + ptr + 2) & 0x7ff, MSIX_NVEC - 1,
					  "table size");
			TEST_ASSERT_EQUAL(get_le32(cfg + ptr + 4), 4, "table offset/BIR");
			TEST_ASSERT_EQUAL(get_le32(cfg + ptr + 8), MSIX_PBA_OFF | 4,
					  "PBA offset/BIR");
			seen_msix = true;
		}
		ptr = cfg[ptr + 1];
	}
	TEST_ASSERT(seen_exp, "no PCIe capability");
	TEST_ASSERT(seen_msix, "no MSI-X capability");
	/* PCIe: version 2 endpoint, FLR in DevCap */
	TEST_ASSERT_EQUAL(get_le16(cfg + dev_a.exp_off + 2) & 0xf, 2, "PCIe cap version");
	TEST_ASSERT(get_le32(cfg + dev_a.exp_off + 4) & (1u << 28), "FLR not advertised");
	TEST_ASSERT_EQUAL(ld(&dev_a.bar0_calls), calls, "config read reached BAR0");

	/* Reads of odd sizes and offsets agree with the whole read. */
	{
		uint32_t v;

		TEST_ASSERT_SUCCESS(cfg_rd(0x01, 2, &v), "2-byte read at 1");
		TEST_ASSERT_EQUAL(v, get_le16(cfg + 1), "2-byte read at 1");
		TEST_ASSERT_SUCCESS(cfg_rd(0xffd, 3, &v), "3-byte read at the end");
		TEST_ASSERT_EQUAL(v, cfg[0xffd] | cfg[0xffe] << 8 | cfg[0xfff] << 16, "tail");
		TEST_ASSERT_EQUAL(cfg_rd(0xffe, 4, &v), -EINVAL, "read past the end");
		TEST_ASSERT_EQUAL(cfg_rd(0x1000, 1, &v), -EINVAL, "read at 4096");
		TEST_ASSERT_SUCCESS(cfg_rd(0, 2, &v), "usable after errors");
		TEST_ASSERT_EQUAL(v, T_VENDOR, "vendor again");
	}
	return TEST_SUCCESS;
}

static int
test_config_bar_sizing(void)
{
	static const struct {
		uint32_t off, want;
	} bars[] = {
		{0x10, 0xfffff000u}, /* BAR0: 4 KiB mem32 */
		{0x14, 0x00000000u}, /* BAR1: none */
		{0x18, 0xffffc00cu}, /* BAR2: 16 KiB mem64 prefetchable */
		{0x1c, 0xffffffffu}, /* BAR3: upper half of BAR2 */
		{0x20, 0xfffff000u}, /* BAR4: 4 KiB mem32 */
		{0x24, 0x00000000u}, /* BAR5: none */
	};
	unsigned int writes = ld(&dev_a.n_cfg_write), i;
	uint32_t v;

	for (i = 0; i < RTE_DIM(bars); i++) {
		TEST_ASSERT_SUCCESS(cfg_wr(bars[i].off, 0xffffffffu, 4), "sizing write 0x%x",
				    bars[i].off);
		TEST_ASSERT_SUCCESS(cfg_rd(bars[i].off, 4, &v), "read 0x%x", bars[i].off);
		TEST_ASSERT_EQUAL(v, bars[i].want, "BAR at 0x%x sizes wrong", bars[i].off);
	}
	TEST_ASSERT_EQUAL(ld(&dev_a.n_cfg_write), writes + RTE_DIM(bars), "cfg_write callbacks");

	/* Program addresses: the size bits are kept clear. */
	TEST_ASSERT_SUCCESS(cfg_wr(0x10, 0xfebf1234u, 4), "BAR0 address");
	TEST_ASSERT_SUCCESS(cfg_rd(0x10, 4, &v), "BAR0");
	TEST_ASSERT_EQUAL(v, 0xfebf1000u, "BAR0 address");
	TEST_ASSERT_SUCCESS(cfg_wr(0x18, 0xe0000000u, 4), "BAR2 low");
	TEST_ASSERT_SUCCESS(cfg_wr(0x1c, 0x00000001u, 4), "BAR2 high");
	TEST_ASSERT_SUCCESS(cfg_rd(0x18, 4, &v), "BAR2 low");
	TEST_ASSERT_EQUAL(v, 0xe000000cu, "BAR2 low");
	TEST_ASSERT_SUCCESS(cfg_rd(0x1c, 4, &v), "BAR2 high");
	TEST_ASSERT_EQUAL(v, 1, "BAR2 high");
	/* read-only IDs stay */
	TEST_ASSERT_SUCCESS(cfg_wr(0x00, 0x12345678u, 4), "write IDs");
	TEST_ASSERT_SUCCESS(cfg_rd(0x00, 4, &v), "IDs");
	TEST_ASSERT_EQUAL(v, (uint32_t)T_DEVICE << 16 | T_VENDOR, "IDs changed");
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_read(dev_a.srv, 0x10, &v, 4), "local BAR0");
	TEST_ASSERT_EQUAL(v, 0xfebf1000u, "local view of BAR0");
	return TEST_SUCCESS;
}

static int
test_config_flr(void)
{
	uint32_t devctl = dev_a.exp_off + 8, v;

	TEST_ASSERT_SUCCESS(cfg_wr(0x04, 0x0006, 2), "command");
	TEST_ASSERT_SUCCESS(cfg_rd(0x04, 2, &v), "command");
	TEST_ASSERT_EQUAL(v & 0x6, 0x6, "memory/bus master enable not stored");
	TEST_ASSERT_SUCCESS(cfg_rd(devctl, 2, &v), "devctl");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_reset_flr), 0, "early FLR");
	TEST_ASSERT_SUCCESS(cfg_wr(devctl, v | 0x8000, 2), "initiate FLR");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_reset_flr), 1, "FLR did not call reset");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_reset_req), 0, "FLR reported as a reset request");
	TEST_ASSERT_SUCCESS(cfg_rd(devctl, 2, &v), "devctl");
	TEST_ASSERT_EQUAL(v & 0x8000, 0, "Initiate FLR reads back 1");
	TEST_ASSERT_SUCCESS(cfg_rd(0x04, 2, &v), "command");
	TEST_ASSERT_EQUAL(v & 0x6, 0, "command register not reset by FLR");
	/* without the bit: no reset */
	TEST_ASSERT_SUCCESS(cfg_wr(devctl, v & 0x7fff, 2), "devctl");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_reset_flr), 1, "reset without FLR");
	return TEST_SUCCESS;
}

static int
test_device_reset(void)
{
	uint32_t v;

	TEST_ASSERT_SUCCESS(cfg_wr(0x04, 0x0002, 2), "command");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_reset(cli), "reset");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_reset_req), 1, "reset callback");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_reset_flr), 0, "reset reported as FLR");
	TEST_ASSERT_SUCCESS(cfg_rd(0x04, 2, &v), "command");
	TEST_ASSERT_EQUAL(v & 0x2, 0, "command register survived the reset");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_reset(cli), "reset again");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_reset_req), 2, "reset callback");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------- BAR access */

static int
check_last(unsigned int calls, uint64_t off, uint32_t count, unsigned int write)
{
	if (ld(&dev_a.bar0_calls) != calls) {
		printf("BAR0 callback: %u calls, expected %u\n", ld(&dev_a.bar0_calls), calls);
		return -1;
	}
	if (__atomic_load_n(&dev_a.bar0_last_off, __ATOMIC_ACQUIRE) != off ||
	    __atomic_load_n(&dev_a.bar0_last_count, __ATOMIC_ACQUIRE) != count ||
	    ld(&dev_a.bar0_last_write) != write) {
		printf("BAR0 callback got (0x%" PRIx64 ", %u, %u), expected (0x%" PRIx64
		       ", %u, %u)\n",
		       dev_a.bar0_last_off, dev_a.bar0_last_count, dev_a.bar0_last_write, off,
		       count, write);
		return -1;
	}
	return 0;
}

static int
test_bar0_access(void)
{
	static uint8_t big[BAR0_SIZE];
	unsigned int calls = ld(&dev_a.bar0_calls), i;
	uint8_t w[8] = {0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x89}, r[8];

	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cli, 0, 0x10, w, 4, false), "write");
	TEST_ASSERT_SUCCESS(check_last(++calls, 0x10, 4, 1), "write callback");
	TEST_ASSERT(memcmp(&dev_a.bar0[0x10], w, 4) == 0, "register not written");

	memcpy(&dev_a.bar0[0x20], w, 8);
	memset(r, 0, sizeof(r));
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cli, 0, 0x20, r, 8), "read");
	TEST_ASSERT_SUCCESS(check_last(++calls, 0x20, 8, 0), "read callback");
	TEST_ASSERT(memcmp(r, w, 8) == 0, "read data");

	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cli, 0, BAR0_SIZE - 1, r, 1),
			    "last byte");
	TEST_ASSERT_SUCCESS(check_last(++calls, BAR0_SIZE - 1, 1, 0), "last byte callback");

	for (i = 0; i < BAR0_SIZE; i++)
		dev_a.bar0[i] = (uint8_t)(i * 7 + 1);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cli, 0, 0, big, BAR0_SIZE),
			    "whole BAR");
	TEST_ASSERT_SUCCESS(check_last(++calls, 0, BAR0_SIZE, 0), "whole BAR callback");
	TEST_ASSERT(memcmp(big, dev_a.bar0, BAR0_SIZE) == 0, "whole BAR data");

	/* A posted write is applied before a later read. */
	for (i = 0; i < 8; i++)
		w[i] = (uint8_t)(0xa0 + i);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cli, 0, 0x40, w, 8, true),
			    "posted write");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cli, 0, 0x40, r, 8), "read back");
	TEST_ASSERT(memcmp(r, w, 8) == 0, "posted write not seen");
	calls += 2;
	TEST_ASSERT_SUCCESS(check_last(calls, 0x40, 8, 0), "calls after posted write");

	/* BAR4 goes to its own callback. */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cli, 4, 0x100, w, 4, false),
			    "BAR4 write");
	TEST_ASSERT(memcmp(&dev_a.bar4[0x100], w, 4) == 0, "BAR4 not written");
	TEST_ASSERT_EQUAL(ld(&dev_a.bar0_calls), calls, "BAR4 access reached BAR0");
	return TEST_SUCCESS;
}

static int
test_region_out_of_range(void)
{
	unsigned int calls = ld(&dev_a.bar0_calls);
	uint8_t b[8] = {0};

	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_read(cli, 0, BAR0_SIZE - 2, b, 4), -EINVAL,
			  "read crossing the end");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_read(cli, 0, BAR0_SIZE, b, 1), -EINVAL,
			  "read at the end");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_write(cli, 0, BAR0_SIZE - 4, b, 8, false),
			  -EINVAL, "write crossing the end");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_read(cli, 0, UINT64_MAX - 3, b, 2), -EINVAL,
			  "read near 2^64");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_read(cli, 1, 0, b, 4), -EINVAL,
			  "read of an absent BAR");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_read(cli, 6, 0, b, 4), -EINVAL, "ROM");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_read(cli, 8, 0, b, 4), -EINVAL, "VGA");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_read(cli, 9, 0, b, 4), -EINVAL, "region 9");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_read(cli, 200, 0, b, 4), -EINVAL,
			  "region 200");
	/* BAR2 has no access callback: only its mmap areas. */
	TEST_ASSERT_EQUAL(rte_vfio_user_client_region_read(cli, 2, T_PG, b, 4), -EINVAL,
			  "trapped access to BAR2");
	TEST_ASSERT_EQUAL(ld(&dev_a.bar0_calls), calls, "the BAR0 callback was called");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cli, 0, 0, b, 4),
			    "connection unusable after errors");
	TEST_ASSERT_EQUAL(ld(&dev_a.bar0_calls), calls + 1, "callback");
	return TEST_SUCCESS;
}

static int
test_write_multi(void)
{
	struct vfio_user_write_multi_entry e[4];
	struct vfio_user_version ver;
	uint8_t pl[8 + 4 * VFIO_USER_WRITE_MULTI_ENTRY_SIZE], vp[64];
	uint32_t i, len;
	int s, n, ret;

	s = raw_open(dev_a.path, &ver);
	TEST_ASSERT(s >= 0, "raw open");
	TEST_ASSERT(ver.caps.write_multiple, "write_multiple not in the VERSION reply");

	memset(e, 0, sizeof(e));
	e[0].offset = 0x100;
	e[0].region = 0;
	e[0].count = 4;
	e[1].offset = 0x208;
	e[1].region = 0;
	e[1].count = 8;
	e[2].offset = BAR0_SIZE - 1;
	e[2].region = 0;
	e[2].count = 1;
	e[3].offset = 0x10;
	e[3].region = 4;
	e[3].count = 2;
	for (i = 0; i < 4; i++)
		memset(e[i].data, (int)(0x11 * (i + 1)), VFIO_USER_WRITE_MULTI_DATA);
	n = vfio_user_write_multi_encode(pl, sizeof(pl), e, 4);
	TEST_ASSERT(n > 0, "encode");
	ret = raw_call(s, VFIO_USER_CMD_REGION_WRITE_MULTI, pl, (uint32_t)n);
	TEST_ASSERT_EQUAL(ret, 0, "WRITE_MULTI");
	for (i = 0; i < 4; i++) {
		const uint8_t *reg = e[i].region == 0 ? dev_a.bar0 : dev_a.bar4;
		uint32_t k;

		for (k = 0; k < e[i].count; k++)
			TEST_ASSERT_EQUAL(reg[e[i].offset + k], 0x11 * (i + 1), "entry %u byte %u",
					  i, k);
	}
	/* the bytes after a short entry are untouched */
	TEST_ASSERT(dev_a.bar0[0x104] != 0x11, "entry 0 wrote too much");

	/* One bad entry: an error, and the connection goes on. */
	e[1].offset = BAR0_SIZE - 4;
	n = vfio_user_write_multi_encode(pl, sizeof(pl), e, 2);
	TEST_ASSERT_EQUAL(raw_call(s, VFIO_USER_CMD_REGION_WRITE_MULTI, pl, (uint32_t)n), -EINVAL,
			  "WRITE_MULTI out of range");
	TEST_ASSERT_SUCCESS(raw_check_alive(s), "unusable after a bad WRITE_MULTI");
	close(s);
	TEST_ASSERT(wait_u32(&dev_a.n_disconnected, 1, WAIT_MS), "no disconnect");

	/* Not offered (a tiny VERSION): refused. */
	s = raw_connect(dev_a.path);
	TEST_ASSERT(s >= 0, "connect");
	len = version_payload(vp, 0, 2, "{}");
	ret = raw_call(s, VFIO_USER_CMD_VERSION, vp, len);
	TEST_ASSERT(ret > 0, "VERSION {}");
	TEST_ASSERT_SUCCESS(
		vfio_user_version_decode(rawbuf + VFIO_USER_HDR_SIZE, (size_t)ret, &ver), "decode");
	TEST_ASSERT(!ver.caps.write_multiple, "write_multiple in a tiny reply");
	n = vfio_user_write_multi_encode(pl, sizeof(pl), e, 1);
	TEST_ASSERT_EQUAL(raw_call(s, VFIO_USER_CMD_REGION_WRITE_MULTI, pl, (uint32_t)n), -EINVAL,
			  "WRITE_MULTI without write_multiple");
	TEST_ASSERT_SUCCESS(raw_check_alive(s), "unusable");
	close(s);
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ sparse mmap */

static int
test_sparse_mmap(void)
{
	uint8_t *a0, *a1;
	uint32_t i;

	a0 = rte_vfio_user_client_region_mmap(cli, 2, 0);
	TEST_ASSERT_NOT_NULL(a0, "mmap area 0: %s", strerror(rte_errno));
	a1 = rte_vfio_user_client_region_mmap(cli, 2, 1);
	TEST_ASSERT_NOT_NULL(a1, "mmap area 1: %s", strerror(rte_errno));

	for (i = 0; i < T_PG; i++) {
		a0[i] = (uint8_t)(i ^ 0x5a);
		a1[i] = (uint8_t)(i ^ 0xa5);
	}
	for (i = 0; i < T_PG; i++) {
		TEST_ASSERT_EQUAL(dev_a.bar2[i], (uint8_t)(i ^ 0x5a), "area 0 byte %u", i);
		TEST_ASSERT_EQUAL(dev_a.bar2[2 * T_PG + i], (uint8_t)(i ^ 0xa5), "area 1 byte %u",
				  i);
	}
	dev_a.bar2[17] = 0x42;
	dev_a.bar2[2 * T_PG + 4095] = 0x24;
	TEST_ASSERT_EQUAL(a0[17], 0x42, "server write not seen in area 0");
	TEST_ASSERT_EQUAL(a1[4095], 0x24, "server write not seen in area 1");

	TEST_ASSERT_NULL(rte_vfio_user_client_region_mmap(cli, 2, 2), "area 2 mapped");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "area 2 errno");
	TEST_ASSERT_NULL(rte_vfio_user_client_region_mmap(cli, 2, UINT32_MAX),
			 "whole sparse region mapped");
	TEST_ASSERT_NULL(rte_vfio_user_client_region_mmap(cli, 0, 0), "BAR0 mapped");
	TEST_ASSERT_NULL(rte_vfio_user_client_region_mmap(cli, 9, 0), "region 9 mapped");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ IRQs */

static void
close_all(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

static int
test_irq_msix(void)
{
	int efd[MSIX_NVEC], base, ret = TEST_FAILED;
	unsigned int changes, v;

	for (v = 0; v < MSIX_NVEC; v++)
		efd[v] = -1;
	base = count_fds();
	for (v = 0; v < MSIX_NVEC; v++) {
		efd[v] = efd_new();
		if (efd[v] < 0)
			goto out;
	}
	changes = ld(&dev_a.n_irq_change);
	if (rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 0) != -ENOENT) {
		printf("trigger without eventfd\n");
		goto out;
	}
	if (rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 0, MSIX_NVEC, efd) != 0) {
		printf("set_irqs\n");
		goto out;
	}
	if (ld(&dev_a.n_irq_change) != changes + 1 ||
	    __atomic_load_n(&dev_a.last_irq_change, __ATOMIC_ACQUIRE) != RTE_VFIO_USER_IRQ_MSIX) {
		printf("irq_change callback\n");
		goto out;
	}
	if (count_fds() != base + 2 * (int)MSIX_NVEC) {
		printf("server holds %d fds, expected %u\n", count_fds() - base - (int)MSIX_NVEC,
		       MSIX_NVEC);
		goto out;
	}
	for (v = 0; v < MSIX_NVEC; v++) {
		unsigned int k;

		if (!rte_vfio_user_irq_enabled(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, v) ||
		    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, v) != 0) {
			printf("vector %u not enabled\n", v);
			goto out;
		}
		for (k = 0; k < MSIX_NVEC; k++) {
			if (efd_take(efd[k]) != (k == v ? 1u : 0u)) {
				printf("trigger of %u: eventfd %u wrong\n", v, k);
				goto out;
			}
		}
	}

	/* mask: -EAGAIN, nothing fires; unmask: the pending one fires */
	if (rte_vfio_user_client_irq_mask(cli, RTE_VFIO_USER_IRQ_MSIX, 2, 1, true) != 0 ||
	    rte_vfio_user_irq_enabled(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 2) ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 2) != -EAGAIN ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 2) != -EAGAIN ||
	    efd_take(efd[2]) != 0) {
		printf("mask\n");
		goto out;
	}
	if (rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 3) != 0 ||
	    efd_take(efd[3]) != 1) {
		printf("mask of 2 affected 3\n");
		goto out;
	}
	if (rte_vfio_user_client_irq_mask(cli, RTE_VFIO_USER_IRQ_MSIX, 2, 1, false) != 0 ||
	    efd_take(efd[2]) != 1 || !rte_vfio_user_irq_enabled(dev_a.srv, 2, 2)) {
		printf("unmask did not fire the pending vector\n");
		goto out;
	}
	/* unmask without pending: nothing */
	if (rte_vfio_user_client_irq_mask(cli, RTE_VFIO_USER_IRQ_MSIX, 0, MSIX_NVEC, false) != 0 ||
	    efd_take(efd[2]) != 0 || efd_take(efd[0]) != 0) {
		printf("unmask fired without pending\n");
		goto out;
	}

	/* deassign one vector */
	if (rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 3, 1, NULL) != 0 ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 3) != -ENOENT ||
	    rte_vfio_user_irq_enabled(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 3) ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 4) != 0 ||
	    efd_take(efd[4]) != 1 || efd_take(efd[3]) != 0) {
		printf("deassign\n");
		goto out;
	}
	if (count_fds() != base + 2 * (int)MSIX_NVEC - 1) {
		printf("deassign did not close the server's fd\n");
		goto out;
	}

	/* bad arguments */
	if (rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, MSIX_NVEC) != -EINVAL ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSI, 0) != -EINVAL ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_NUM_IRQS, 0) != -EINVAL ||
	    rte_vfio_user_irq_enabled(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, MSIX_NVEC)) {
		printf("bad trigger arguments accepted\n");
		goto out;
	}
	changes = ld(&dev_a.n_irq_change);
	if (rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 7, 2, efd) != -EINVAL ||
	    rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, MSIX_NVEC, 1, efd) !=
		    -EINVAL ||
	    rte_vfio_user_client_irq_mask(cli, RTE_VFIO_USER_IRQ_MSIX, 8, 1, true) != -EINVAL ||
	    rte_vfio_user_client_irq_mask(cli, RTE_VFIO_USER_IRQ_MSIX, 0, 9, true) != -EINVAL ||
	    rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSI, 0, 1, efd) != -EINVAL ||
	    rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_INTX, 0, 2, efd) != -EINVAL ||
	    rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_NUM_IRQS, 0, 1, efd) != -EINVAL ||
	    rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 1, 0, NULL) != -EINVAL) {
		printf("bad ranges accepted\n");
		goto out;
	}
	if (ld(&dev_a.n_irq_change) != changes || count_fds() != base + 2 * (int)MSIX_NVEC - 1) {
		printf("a refused SET_IRQS changed something\n");
		goto out;
	}
	/* the vectors are as they were */
	if (rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 7) != 0 ||
	    efd_take(efd[7]) != 1) {
		printf("vector 7 lost\n");
		goto out;
	}

	/* disable the whole index */
	if (rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 0, 0, NULL) != 0 ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 0) != -ENOENT ||
	    count_fds() != base + (int)MSIX_NVEC) {
		printf("disable\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	close_all(efd, MSIX_NVEC);
	return ret;
}

static int
test_irq_intx_err_req(void)
{
	int efd[3] = {efd_new(), efd_new(), efd_new()};
	int ret = TEST_FAILED;

	if (efd[0] < 0 || efd[1] < 0 || efd[2] < 0)
		goto out;
	if (rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_INTX, 0, 1, &efd[0]) != 0 ||
	    rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_ERR, 0, 1, &efd[1]) != 0 ||
	    rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_REQ, 0, 1, &efd[2]) != 0) {
		printf("set_irqs\n");
		goto out;
	}
	/* INTx is masked after each trigger until the client unmasks it. */
	if (rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_INTX, 0) != 0 ||
	    efd_take(efd[0]) != 1) {
		printf("INTx trigger\n");
		goto out;
	}
	if (rte_vfio_user_irq_enabled(dev_a.srv, RTE_VFIO_USER_IRQ_INTX, 0) ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_INTX, 0) != -EAGAIN ||
	    efd_take(efd[0]) != 0) {
		printf("INTx not auto-masked\n");
		goto out;
	}
	if (rte_vfio_user_client_irq_mask(cli, RTE_VFIO_USER_IRQ_INTX, 0, 1, false) != 0 ||
	    efd_take(efd[0]) != 1) {
		printf("INTx unmask did not fire the pending interrupt\n");
		goto out;
	}
	/* the pending one re-masked it */
	if (rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_INTX, 0) != -EAGAIN) {
		printf("INTx not masked after the pending one fired\n");
		goto out;
	}
	if (rte_vfio_user_client_irq_mask(cli, RTE_VFIO_USER_IRQ_INTX, 0, 1, false) != 0 ||
	    efd_take(efd[0]) != 1 ||
	    rte_vfio_user_client_irq_mask(cli, RTE_VFIO_USER_IRQ_INTX, 0, 1, false) != 0 ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_INTX, 0) != 0 ||
	    efd_take(efd[0]) != 1) {
		printf("INTx after unmask\n");
		goto out;
	}
	/* ERR and REQ are not auto-masked */
	if (rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_ERR, 0) != 0 ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_ERR, 0) != 0 ||
	    efd_take(efd[1]) != 2 ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_REQ, 0) != 0 ||
	    efd_take(efd[2]) != 1 ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_ERR, 1) != -EINVAL) {
		printf("ERR/REQ\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	close_all(efd, 3);
	return ret;
}

/* A SET_IRQS without fds over the client's socket. */
static int
raw_set_irqs(int s, uint32_t flags, uint32_t index, uint32_t start, uint32_t count,
	     const uint8_t *bools)
{
	struct vfio_user_set_irqs set;
	uint8_t pl[VFIO_USER_SET_IRQS_SIZE + 64];
	int n;

	memset(&set, 0, sizeof(set));
	set.argsz = VFIO_USER_SET_IRQS_SIZE + (bools != NULL ? count : 0);
	set.flags = flags;
	set.index = index;
	set.start = start;
	set.count = count;
	set.bools = bools;
	n = vfio_user_set_irqs_encode(pl, sizeof(pl), &set);
	if (n < 0)
		return n;
	return raw_call(s, VFIO_USER_CMD_DEVICE_SET_IRQS, pl, (uint32_t)n);
}

static int
test_irq_client_trigger(void)
{
	static const uint8_t bools[4] = {1, 0, 1, 0}, one = 1, two = 2;
	int efd[MSIX_NVEC], s, ret = TEST_FAILED;
	unsigned int v;

	for (v = 0; v < MSIX_NVEC; v++)
		efd[v] = efd_new();
	if (rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 0, MSIX_NVEC, efd) != 0)
		goto out;
	s = rte_vfio_user_client_fd(cli);

	if (raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_TRIGGER, 2, 1, 2,
			 NULL) != 0) {
		printf("DATA_NONE|TRIGGER refused\n");
		goto out;
	}
	for (v = 0; v < MSIX_NVEC; v++) {
		if (efd_take(efd[v]) != (v == 1 || v == 2 ? 1u : 0u)) {
			printf("DATA_NONE|TRIGGER: vector %u wrong\n", v);
			goto out;
		}
	}
	if (raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_BOOL | VFIO_USER_IRQ_SET_ACTION_TRIGGER, 2, 4, 4,
			 bools) != 0) {
		printf("DATA_BOOL|TRIGGER refused\n");
		goto out;
	}
	for (v = 0; v < MSIX_NVEC; v++) {
		if (efd_take(efd[v]) != (v == 4 || v == 6 ? 1u : 0u)) {
			printf("DATA_BOOL|TRIGGER: vector %u wrong\n", v);
			goto out;
		}
	}
	/* DATA_BOOL mask / unmask */
	if (raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_BOOL | VFIO_USER_IRQ_SET_ACTION_MASK, 2, 5, 1,
			 &one) != 0 ||
	    rte_vfio_user_irq_trigger(dev_a.srv, 2, 5) != -EAGAIN || efd_take(efd[5]) != 0 ||
	    raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_BOOL | VFIO_USER_IRQ_SET_ACTION_UNMASK, 2, 5, 1,
			 &one) != 0 ||
	    efd_take(efd[5]) != 1) {
		printf("DATA_BOOL mask/unmask\n");
		goto out;
	}
	/* a client trigger of a masked vector leaves it pending */
	if (raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_MASK, 2, 0, 1,
			 NULL) != 0 ||
	    raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_TRIGGER, 2, 0, 1,
			 NULL) != 0 ||
	    efd_take(efd[0]) != 0 ||
	    raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_UNMASK, 2, 0, 1,
			 NULL) != 0 ||
	    efd_take(efd[0]) != 1) {
		printf("client trigger of a masked vector\n");
		goto out;
	}
	/* bad ones */
	if (raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_BOOL | VFIO_USER_IRQ_SET_ACTION_TRIGGER, 2, 0, 1,
			 &two) != -EINVAL ||
	    raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_TRIGGER, 2, 7, 2,
			 NULL) != -EINVAL ||
	    raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_TRIGGER, 2,
			 UINT32_MAX, 2, NULL) != -EINVAL ||
	    raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_TRIGGER, 1, 0, 1,
			 NULL) != -EINVAL ||
	    raw_set_irqs(s,
			 VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_DATA_BOOL |
				 VFIO_USER_IRQ_SET_ACTION_TRIGGER,
			 2, 0, 1, NULL) != -EINVAL ||
	    raw_set_irqs(s,
			 VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_TRIGGER |
				 VFIO_USER_IRQ_SET_ACTION_MASK,
			 2, 0, 1, NULL) != -EINVAL ||
	    raw_set_irqs(s, VFIO_USER_IRQ_SET_DATA_EVENTFD | VFIO_USER_IRQ_SET_ACTION_MASK, 2, 0, 1,
			 NULL) != -EINVAL) {
		printf("a bad SET_IRQS was accepted\n");
		goto out;
	}
	for (v = 0; v < MSIX_NVEC; v++) {
		if (efd_take(efd[v]) != 0) {
			printf("a refused SET_IRQS fired vector %u\n", v);
			goto out;
		}
	}
	if (rte_vfio_user_client_irq_info(cli, 2, NULL, NULL) != 0) {
		printf("client unusable\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	close_all(efd, MSIX_NVEC);
	return ret;
}

static int
test_irq_too_many_fds(void)
{
	struct vfio_user_set_irqs set;
	uint8_t pl[VFIO_USER_SET_IRQS_SIZE];
	int efd[17], base, s, n, ret = TEST_FAILED;
	unsigned int i;

	for (i = 0; i < RTE_DIM(efd); i++)
		efd[i] = -1;
	base = count_fds();
	for (i = 0; i < RTE_DIM(efd); i++) {
		efd[i] = efd_new();
		if (efd[i] < 0)
			goto out;
	}
	s = rte_vfio_user_client_fd(cli);
	memset(&set, 0, sizeof(set));
	set.argsz = VFIO_USER_SET_IRQS_SIZE;
	set.flags = VFIO_USER_IRQ_SET_DATA_EVENTFD | VFIO_USER_IRQ_SET_ACTION_TRIGGER;
	set.index = RTE_VFIO_USER_IRQ_MSIX;
	set.start = 0;
	set.count = MSIX_NVEC;
	n = vfio_user_set_irqs_encode(pl, sizeof(pl), &set);
	n = raw_call_fds(s, VFIO_USER_CMD_DEVICE_SET_IRQS, pl, (uint32_t)n, efd, RTE_DIM(efd),
			 NULL);
	if (n >= 0 || n == RAW_CLOSED) {
		printf("17 fds: %d\n", n);
		goto out;
	}
	if (rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 0) != -ENOENT) {
		printf("vector 0 assigned\n");
		goto out;
	}
	close_all(efd, RTE_DIM(efd));
	n = wait_fds(base);
	if (n != base) {
		printf("fd leak: %d open, %d before\n", n, base);
		goto out;
	}
	/* 16 fds for 16 vectors of an 8-vector index: refused, closed too */
	for (i = 0; i < 16; i++)
		efd[i] = efd_new();
	set.count = 16;
	n = vfio_user_set_irqs_encode(pl, sizeof(pl), &set);
	n = raw_call_fds(s, VFIO_USER_CMD_DEVICE_SET_IRQS, pl, (uint32_t)n, efd, 16, NULL);
	close_all(efd, RTE_DIM(efd));
	if (n != -EINVAL || wait_fds(base) != base) {
		printf("16 fds out of range: %d\n", n);
		goto out;
	}
	if (rte_vfio_user_client_device_info(cli, &(struct rte_vfio_user_device_info){0}) != 0) {
		printf("client unusable\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	close_all(efd, RTE_DIM(efd));
	return ret;
}

/* ------------------------------------------------------------------- DMA */

#define GUEST_SIZE (64u * 1024u)
#define IOVA_A 0x100000ull
#define IOVA_B 0x200000ull
#define IOVA_C 0x300000ull
#define IOVA_E 0x800000ull

struct guest {
	int fd;
	uint8_t *va;
	size_t size;
};

static int
guest_new(struct guest *g, size_t size)
{
	g->size = size;
	g->va = NULL;
	g->fd = sealed_memfd("vfu-test-guest", size);
	if (g->fd < 0)
		return -1;
	g->va = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	if (g->va == MAP_FAILED) {
		g->va = NULL;
		return -1;
	}
	return 0;
}

static void
guest_free(struct guest *g)
{
	if (g->va != NULL)
		munmap(g->va, g->size);
	if (g->fd >= 0)
		close(g->fd);
	g->va = NULL;
	g->fd = -1;
}

static int
check_dma_events(unsigned int want)
{
	if (ld(&dev_a.n_dma_begin) != want || ld(&dev_a.n_dma_end) != want) {
		printf("dma_change: %u BEGIN, %u END, expected %u each\n", ld(&dev_a.n_dma_begin),
		       ld(&dev_a.n_dma_end), want);
		return -1;
	}
	return 0;
}

static int
dma_body(struct guest *g, struct guest *g2)
{
	const uint32_t rw = RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE;
	struct rte_vfio_user_dma_map tab[8];
	uint8_t pat[16], out[16];
	uint8_t *p;
	unsigned int ev = 0, i;

	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, tab, RTE_DIM(tab)), 0, "not empty");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A, 1, 1), "empty table");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_A, GUEST_SIZE, rw),
			    "map A");
	TEST_ASSERT_SUCCESS(check_dma_events(++ev), "events");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, tab, RTE_DIM(tab)), 1, "table");
	TEST_ASSERT_EQUAL(tab[0].iova, IOVA_A, "iova");
	TEST_ASSERT_EQUAL(tab[0].size, GUEST_SIZE, "size");
	TEST_ASSERT_EQUAL(tab[0].prot, rw, "prot");
	TEST_ASSERT_NOT_NULL(tab[0].vaddr, "vaddr");

	/* the same memory */
	p = rte_vfio_user_dma_translate(dev_a.srv, IOVA_A, GUEST_SIZE, rw);
	TEST_ASSERT_NOT_NULL(p, "translate the whole map");
	TEST_ASSERT(p == tab[0].vaddr, "translate != table vaddr");
	g->va[10] = 0x5a;
	TEST_ASSERT_EQUAL(p[10], 0x5a, "client write not seen by the server");
	p[GUEST_SIZE - 1] = 0xa5;
	TEST_ASSERT_EQUAL(g->va[GUEST_SIZE - 1], 0xa5, "server write not seen by the client");
	TEST_ASSERT(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A + 100, 4, 1) == p + 100,
		    "offset translation");

	/* bounds */
	TEST_ASSERT(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A + GUEST_SIZE - 1, 1, rw) ==
			    p + GUEST_SIZE - 1,
		    "last byte");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A + GUEST_SIZE, 1, 1),
			 "one past the end");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A - 1, 1, 1),
			 "one before the start");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A + GUEST_SIZE - 8, 16, 1),
			 "crossing the end");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A - 8, 16, 1),
			 "crossing the start");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A, 0, 1), "len 0");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A, UINT64_MAX, 1),
			 "len 2^64-1");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, UINT64_MAX, 2, 1), "wrap");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A + 8, UINT64_MAX - 4, 1),
			 "wrap from inside");

	/* read-only map */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_B, GUEST_SIZE,
							 RTE_VFIO_USER_DMA_READ),
			    "map B read-only");
	TEST_ASSERT_SUCCESS(check_dma_events(++ev), "events");
	TEST_ASSERT_NOT_NULL(
		rte_vfio_user_dma_translate(dev_a.srv, IOVA_B, 4, RTE_VFIO_USER_DMA_READ),
		"read of a read-only map");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_B, 4, RTE_VFIO_USER_DMA_WRITE),
			 "write on a read-only map");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_B, 4, rw),
			 "rw on a read-only map");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_write(dev_a.srv, IOVA_B, pat, 4), -EFAULT,
			  "dma_write to a read-only map");
	TEST_ASSERT_SUCCESS(rte_vfio_user_dma_read(dev_a.srv, IOVA_B + 10, out, 1),
			    "dma_read of a read-only map");
	TEST_ASSERT_EQUAL(out[0], 0x5a, "dma_read data");
	/* the hint (last hit) must not leak across maps */
	TEST_ASSERT_NOT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A, 4, rw), "A again");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_B, 4, RTE_VFIO_USER_DMA_WRITE),
			 "write on B after a hit on A");

	/* two adjacent maps of the same fd, copies across them */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, g2->fd, 0, IOVA_C, GUEST_SIZE, rw),
			    "map C1");
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_dma_map(cli, g2->fd, 0, IOVA_C + GUEST_SIZE, GUEST_SIZE, rw),
		"map C2");
	ev += 2;
	TEST_ASSERT_SUCCESS(check_dma_events(ev), "events");
	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(0xc0 + i);
	TEST_ASSERT_SUCCESS(rte_vfio_user_dma_write(dev_a.srv, IOVA_C + GUEST_SIZE - 8, pat, 16),
			    "dma_write across two maps");
	TEST_ASSERT(memcmp(g2->va + GUEST_SIZE - 8, pat, 8) == 0, "first half");
	TEST_ASSERT(memcmp(g2->va, pat + 8, 8) == 0, "second half");
	memset(out, 0, sizeof(out));
	TEST_ASSERT_SUCCESS(rte_vfio_user_dma_read(dev_a.srv, IOVA_C + GUEST_SIZE - 8, out, 16),
			    "dma_read across two maps");
	TEST_ASSERT(memcmp(out, pat, 16) == 0, "dma_read data");
	/* adjacent in guest memory, so adjacent here (the DMA window) */
	p = rte_vfio_user_dma_translate(dev_a.srv, IOVA_C, 1, 1);
	TEST_ASSERT_NOT_NULL(p, "C1");
	TEST_ASSERT(rte_vfio_user_dma_translate(dev_a.srv, IOVA_C + GUEST_SIZE - 8, 16, 1) ==
			    p + GUEST_SIZE - 8,
		    "translate across two maps");
	TEST_ASSERT(memcmp(p + GUEST_SIZE - 8, pat, 16) == 0, "data across two maps");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_read(dev_a.srv, IOVA_C + 2 * GUEST_SIZE - 8, out, 16),
			  -EFAULT, "dma_read past the last map");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_write(dev_a.srv, IOVA_A + GUEST_SIZE - 8, pat, 16),
			  -EFAULT, "dma_write into a hole");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_read(dev_a.srv, UINT64_MAX - 3, out, 8), -EFAULT,
			  "dma_read wrapping");
	TEST_ASSERT_SUCCESS(rte_vfio_user_dma_read(dev_a.srv, IOVA_A, out, 0), "dma_read len 0");

	/* limits: 4 maps at most */
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, tab, 2), 4, "count with max 2");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, NULL, 0), 4, "count only");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_E, T_PG, rw), -ENOSPC,
			  "a fifth map");
	/* overlaps */
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_A + T_PG, T_PG, rw),
			  -EEXIST, "overlap inside");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_A - T_PG, 2 * T_PG, rw),
			  -EEXIST, "overlap at the start");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_A, 2 * GUEST_SIZE, rw),
			  -EEXIST, "larger map at the same iova");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_A, GUEST_SIZE,
						       RTE_VFIO_USER_DMA_READ),
			  -EEXIST, "same range, other prot");
	/* identical remap: accepted, nothing changes */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_A, GUEST_SIZE, rw),
			    "identical remap");
	TEST_ASSERT_SUCCESS(check_dma_events(ev), "events after identical remap");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, tab, RTE_DIM(tab)), 4, "table");
	for (i = 1; i < 4; i++)
		TEST_ASSERT(tab[i - 1].iova < tab[i].iova, "table not sorted");
	/* client side checks */
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_E + 1, T_PG, rw),
			  -EINVAL, "unaligned iova");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_E, 0, rw), -EINVAL,
			  "size 0");

	/* unmap (ranges: see test_dma_unmap_range) */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, IOVA_E, T_PG), "unmap of nothing");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_unmap(cli, IOVA_A, T_PG), -EINVAL,
			  "partial unmap");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_unmap(cli, IOVA_A + T_PG, GUEST_SIZE - T_PG),
			  -EINVAL, "unmap of a tail");
	TEST_ASSERT_SUCCESS(check_dma_events(ev), "events after failed unmaps");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, NULL, 0), 4, "table");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, IOVA_B, GUEST_SIZE), "unmap B");
	TEST_ASSERT_SUCCESS(check_dma_events(++ev), "events");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_B, 1, 1), "B still mapped");
	TEST_ASSERT_NOT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_C, 1, 1), "C lost");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, IOVA_B, GUEST_SIZE),
			    "double unmap (nothing left there)");
	TEST_ASSERT_SUCCESS(check_dma_events(ev), "events after an unmap of nothing");

	/* beyond the end of the fd */
	TEST_ASSERT_EQUAL(
		rte_vfio_user_client_dma_map(cli, g->fd, GUEST_SIZE / 2, IOVA_B, GUEST_SIZE, rw),
		-EINVAL, "map past the end of the fd");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_map(cli, g->fd, GUEST_SIZE, IOVA_B, T_PG, rw),
			  -EINVAL, "map at the end of the fd");
	TEST_ASSERT_SUCCESS(check_dma_events(ev), "events after failed maps");

	/* without an fd: recorded, not reachable */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, -1, 0, IOVA_E, GUEST_SIZE, rw),
			    "map without fd");
	TEST_ASSERT_SUCCESS(check_dma_events(++ev), "events");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, tab, RTE_DIM(tab)), 4, "table");
	TEST_ASSERT_EQUAL(tab[3].iova, IOVA_E, "no-fd iova");
	TEST_ASSERT_NULL(tab[3].vaddr, "no-fd vaddr");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_E, 1, 1), "no-fd translate");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_read(dev_a.srv, IOVA_E, out, 1), -EFAULT,
			  "no-fd dma_read");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, -1, 0, IOVA_E, GUEST_SIZE, rw),
			    "identical no-fd remap");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_map(cli, g->fd, 0, IOVA_E, GUEST_SIZE, rw),
			  -EEXIST, "remap of a no-fd map with an fd");

	/* everything */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap_all(cli), "unmap all");
	TEST_ASSERT_SUCCESS(check_dma_events(++ev), "events");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, tab, RTE_DIM(tab)), 0, "not empty");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A, 1, 1), "A after all");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap_all(cli), "unmap all of nothing");
	TEST_ASSERT_SUCCESS(check_dma_events(ev), "events for an empty unmap all");
	/* the table fills again */
	for (i = 0; i < T_MAX_DMA_MAPS; i++)
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, g->fd, i * T_PG,
								 IOVA_A + i * T_PG, T_PG, rw),
				    "refill %u", i);
	TEST_ASSERT_NOT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A + 3 * T_PG, T_PG, rw),
			     "refilled");
	TEST_ASSERT_NOT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A, 4 * T_PG, rw),
			     "translate across adjacent maps");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_a.srv, IOVA_A, 4 * T_PG + 1, rw),
			 "translate past the last of adjacent maps");
	return TEST_SUCCESS;
}

static int
test_dma(void)
{
	struct guest g = {.fd = -1}, g2 = {.fd = -1};
	int maps, ret;

	maps = count_maps();
	if (guest_new(&g, GUEST_SIZE) < 0 || guest_new(&g2, GUEST_SIZE) < 0) {
		guest_free(&g);
		guest_free(&g2);
		return TEST_FAILED;
	}
	ret = dma_body(&g, &g2);
	if (ret == TEST_SUCCESS) {
		rte_vfio_user_client_close(cli);
		cli = NULL;
		if (!wait_u32(&dev_a.n_disconnected, 1, WAIT_MS)) {
			printf("no disconnect\n");
			ret = TEST_FAILED;
		} else if (rte_vfio_user_dma_table(dev_a.srv, NULL, 0) != 0) {
			printf("DMA table not emptied on disconnect\n");
			ret = TEST_FAILED;
		}
	}
	guest_free(&g);
	guest_free(&g2);
	if (ret == TEST_SUCCESS && count_maps() != maps) {
		printf("mappings left: %d, %d before\n", count_maps(), maps);
		ret = TEST_FAILED;
	}
	return ret;
}

/* ---------------------------------------------------------- malformed */

#define EXPECT_CLOSED (-100000)
#define EXPECT_NO_REPLY (-100001)

struct mrow {
	const char *name;
	uint16_t cmd;
	uint32_t flags; /* header flags */
	uint32_t size; /* header size, 0: the real one */
	uint32_t len; /* payload bytes */
	uint8_t pl[64];
	unsigned int nfds; /* memfds sent with it */
	int expect; /* -errno, EXPECT_CLOSED or EXPECT_NO_REPLY */
};

#define U32(v) (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), (uint8_t)((v) >> 24)
#define U64(v) U32((uint64_t)(v)&0xffffffffu), U32((uint64_t)(v) >> 32)
#define CMD VFIO_USER_F_TYPE_COMMAND

/* clang-format off */
static const struct mrow mrows[] = {
	{"size 0xffffffff", VFIO_USER_CMD_DEVICE_GET_INFO, CMD, 0xffffffffu, 0, {0}, 0, EXPECT_CLOSED},
	{"size 8", VFIO_USER_CMD_DEVICE_GET_INFO, CMD, 8, 0, {0}, 0, EXPECT_CLOSED},
	{"size 1 MiB + 33", VFIO_USER_CMD_REGION_WRITE, CMD, VFIO_USER_HDR_SIZE + 16 + (1u << 20) + 1, 0, {0},
	 0, EXPECT_CLOSED},
	{"unknown flag bit", VFIO_USER_CMD_DEVICE_GET_INFO, CMD | 0x100, 0, 16, {U32(16)}, 0,
	 EXPECT_CLOSED},
	{"message type 2", VFIO_USER_CMD_DEVICE_GET_INFO, 2, 0, 16, {U32(16)}, 0, EXPECT_CLOSED},
	{"unknown command 99", 99, CMD, 0, 16, {U32(16)}, 0, -EINVAL},
	{"command 14 (no longer defined)", 14, CMD, 0, 0, {0}, 0, -EINVAL},
	{"command 0", 0, CMD, 0, 0, {0}, 0, -EINVAL},
	{"VERSION again", VFIO_USER_CMD_VERSION, CMD, 0, 7, {0, 0, 0, 0, '{', '}', 0}, 0, -EINVAL},
	{"GET_INFO no payload", VFIO_USER_CMD_DEVICE_GET_INFO, CMD, 0, 0, {0}, 0, -EINVAL},
	{"GET_INFO short", VFIO_USER_CMD_DEVICE_GET_INFO, CMD, 0, 8, {U32(16), U32(0)}, 0, -EINVAL},
	{"GET_INFO argsz 8", VFIO_USER_CMD_DEVICE_GET_INFO, CMD, 0, 16, {U32(8)}, 0, -EINVAL},
	{"GET_INFO with an fd", VFIO_USER_CMD_DEVICE_GET_INFO, CMD, 0, 16, {U32(16)}, 1, -EINVAL},
	{"REGION_INFO short", VFIO_USER_CMD_DEVICE_GET_REGION_INFO, CMD, 0, 16, {U32(32), U32(0), U32(0)},
	 0, -EINVAL},
	{"REGION_INFO index 9", VFIO_USER_CMD_DEVICE_GET_REGION_INFO, CMD, 0, 32,
	 {U32(32), U32(0), U32(9)}, 0, -EINVAL},
	{"REGION_INFO index 0xffffffff", VFIO_USER_CMD_DEVICE_GET_REGION_INFO, CMD, 0, 32,
	 {U32(32), U32(0), U32(0xffffffffu)}, 0, -EINVAL},
	{"IO_FDS short", VFIO_USER_CMD_DEVICE_GET_REGION_IO_FDS, CMD, 0, 8, {U32(16)}, 0, -EINVAL},
	{"IO_FDS count 1", VFIO_USER_CMD_DEVICE_GET_REGION_IO_FDS, CMD, 0, 16,
	 {U32(16), U32(0), U32(0), U32(1)}, 0, -EINVAL},
	{"IRQ_INFO short", VFIO_USER_CMD_DEVICE_GET_IRQ_INFO, CMD, 0, 12, {U32(16)}, 0, -EINVAL},
	{"IRQ_INFO index 5", VFIO_USER_CMD_DEVICE_GET_IRQ_INFO, CMD, 0, 16, {U32(16), U32(0), U32(5)}, 0,
	 -EINVAL},
	{"SET_IRQS short", VFIO_USER_CMD_DEVICE_SET_IRQS, CMD, 0, 12, {U32(20), U32(0x21), U32(2)}, 0,
	 -EINVAL},
	{"SET_IRQS argsz != length", VFIO_USER_CMD_DEVICE_SET_IRQS, CMD, 0, 20,
	 {U32(24), U32(0x21), U32(2), U32(0), U32(1)}, 0, -EINVAL},
	{"SET_IRQS no data flag", VFIO_USER_CMD_DEVICE_SET_IRQS, CMD, 0, 20,
	 {U32(20), U32(0x20), U32(2), U32(0), U32(1)}, 0, -EINVAL},
	{"SET_IRQS unknown flag", VFIO_USER_CMD_DEVICE_SET_IRQS, CMD, 0, 20,
	 {U32(20), U32(0x121), U32(2), U32(0), U32(1)}, 0, -EINVAL},
	{"SET_IRQS bools missing", VFIO_USER_CMD_DEVICE_SET_IRQS, CMD, 0, 20,
	 {U32(20), U32(0x22), U32(2), U32(0), U32(2)}, 0, -EINVAL},
	{"SET_IRQS eventfds, 1 fd for 2", VFIO_USER_CMD_DEVICE_SET_IRQS, CMD, 0, 20,
	 {U32(20), U32(0x24), U32(2), U32(0), U32(2)}, 1, -EINVAL},
	{"SET_IRQS DATA_NONE with an fd", VFIO_USER_CMD_DEVICE_SET_IRQS, CMD, 0, 20,
	 {U32(20), U32(0x21), U32(2), U32(0), U32(1)}, 1, -EINVAL},
	{"SET_IRQS count 0 start 1", VFIO_USER_CMD_DEVICE_SET_IRQS, CMD, 0, 20,
	 {U32(20), U32(0x21), U32(2), U32(1), U32(0)}, 0, -EINVAL},
	{"REGION_READ short", VFIO_USER_CMD_REGION_READ, CMD, 0, 12, {U64(0), U32(0)}, 0, -EINVAL},
	{"REGION_READ count 0", VFIO_USER_CMD_REGION_READ, CMD, 0, 16, {U64(0), U32(0), U32(0)}, 0,
	 -EINVAL},
	{"REGION_READ count 2 MiB", VFIO_USER_CMD_REGION_READ, CMD, 0, 16,
	 {U64(0), U32(0), U32(2u << 20)}, 0, -E2BIG},
	{"REGION_READ offset wraps", VFIO_USER_CMD_REGION_READ, CMD, 0, 16,
	 {U64(UINT64_MAX - 1), U32(0), U32(4)}, 0, -EINVAL},
	{"REGION_READ with data", VFIO_USER_CMD_REGION_READ, CMD, 0, 20,
	 {U64(0), U32(0), U32(4), U32(0)}, 0, -EINVAL},
	{"REGION_WRITE data short", VFIO_USER_CMD_REGION_WRITE, CMD, 0, 18,
	 {U64(0), U32(0), U32(4), 1, 2}, 0, -EINVAL},
	{"REGION_WRITE data long", VFIO_USER_CMD_REGION_WRITE, CMD, 0, 24,
	 {U64(0), U32(0), U32(4), U64(0)}, 0, -EINVAL},
	{"REGION_WRITE region 77", VFIO_USER_CMD_REGION_WRITE, CMD, 0, 20,
	 {U64(0), U32(77), U32(4), U32(0)}, 0, -EINVAL},
	{"WRITE_MULTI count 0", VFIO_USER_CMD_REGION_WRITE_MULTI, CMD, 0, 8, {U64(0)}, 0, -EINVAL},
	{"WRITE_MULTI count 2, one entry", VFIO_USER_CMD_REGION_WRITE_MULTI, CMD, 0, 32,
	 {U64(2), U64(0), U32(0), U32(4), U64(0)}, 0, -EINVAL},
	{"WRITE_MULTI entry count 9", VFIO_USER_CMD_REGION_WRITE_MULTI, CMD, 0, 32,
	 {U64(1), U64(0), U32(0), U32(9), U64(0)}, 0, -EINVAL},
	{"DMA_MAP short", VFIO_USER_CMD_DMA_MAP, CMD, 0, 24, {U32(32), U32(3), U64(0), U64(0x10000)}, 0,
	 -EINVAL},
	{"DMA_MAP argsz 40", VFIO_USER_CMD_DMA_MAP, CMD, 0, 32,
	 {U32(40), U32(3), U64(0), U64(0x10000), U64(0x1000)}, 0, -EINVAL},
	{"DMA_MAP unaligned iova", VFIO_USER_CMD_DMA_MAP, CMD, 0, 32,
	 {U32(32), U32(3), U64(0), U64(0x10010), U64(0x1000)}, 0, -EINVAL},
	{"DMA_MAP unaligned size", VFIO_USER_CMD_DMA_MAP, CMD, 0, 32,
	 {U32(32), U32(3), U64(0), U64(0x10000), U64(0x1800)}, 0, -EINVAL},
	{"DMA_MAP unaligned offset", VFIO_USER_CMD_DMA_MAP, CMD, 0, 32,
	 {U32(32), U32(3), U64(0x10), U64(0x10000), U64(0x1000)}, 1, -EINVAL},
	{"DMA_MAP size 0", VFIO_USER_CMD_DMA_MAP, CMD, 0, 32,
	 {U32(32), U32(3), U64(0), U64(0x10000), U64(0)}, 0, -EINVAL},
	{"DMA_MAP iova wraps", VFIO_USER_CMD_DMA_MAP, CMD, 0, 32,
	 {U32(32), U32(3), U64(0), U64(0xfffffffffffff000ull), U64(0x2000)}, 0, -EINVAL},
	{"DMA_MAP unknown flag", VFIO_USER_CMD_DMA_MAP, CMD, 0, 32,
	 {U32(32), U32(7), U64(0), U64(0x10000), U64(0x1000)}, 0, -EINVAL},
	{"DMA_MAP with 2 fds", VFIO_USER_CMD_DMA_MAP, CMD, 0, 32,
	 {U32(32), U32(3), U64(0), U64(0x10000), U64(0x1000)}, 2, -EINVAL},
	{"DMA_MAP past the end of the fd", VFIO_USER_CMD_DMA_MAP, CMD, 0, 32,
	 {U32(32), U32(3), U64(0x1000), U64(0x10000), U64(0x10000)}, 1, -EINVAL},
	{"DMA_UNMAP short", VFIO_USER_CMD_DMA_UNMAP, CMD, 0, 16, {U32(24), U32(0), U64(0x10000)}, 0,
	 -EINVAL},
	{"DMA_UNMAP ALL with a range", VFIO_USER_CMD_DMA_UNMAP, CMD, 0, 24,
	 {U32(24), U32(2), U64(0x10000), U64(0x1000)}, 0, -EINVAL},
	{"DMA_UNMAP size 0", VFIO_USER_CMD_DMA_UNMAP, CMD, 0, 24, {U32(24), U32(0), U64(0x10000), U64(0)},
	 0, -EINVAL},
	{"DMA_UNMAP dirty bitmap", VFIO_USER_CMD_DMA_UNMAP, CMD, 0, 24,
	 {U32(24), U32(1), U64(0x10000), U64(0x1000)}, 0, -ENOTSUP},
	{"DMA_UNMAP with an fd", VFIO_USER_CMD_DMA_UNMAP, CMD, 0, 24,
	 {U32(24), U32(0), U64(0x10000), U64(0x1000)}, 1, -EINVAL},
	{"DEVICE_RESET with payload", VFIO_USER_CMD_DEVICE_RESET, CMD, 0, 4, {0}, 0, -EINVAL},
	{"DMA_READ from the client", VFIO_USER_CMD_DMA_READ, CMD, 0, 16, {U64(0x10000), U64(4)}, 0,
	 -ENOTSUP},
	{"DMA_WRITE from the client", VFIO_USER_CMD_DMA_WRITE, CMD, 0, 20,
	 {U64(0x10000), U64(4), U32(0)}, 0, -ENOTSUP},
	{"DEVICE_FEATURE short", VFIO_USER_CMD_DEVICE_FEATURE, CMD, 0, 4, {U32(8)}, 0, -EINVAL},
	{"DEVICE_FEATURE probe", VFIO_USER_CMD_DEVICE_FEATURE, CMD, 0, 8, {U32(8), U32(0x40001)}, 0,
	 -ENOTSUP},
	{"MIG_DATA_READ", VFIO_USER_CMD_MIG_DATA_READ, CMD, 0, 8, {U32(8), U32(0)}, 0, -ENOTSUP},
	{"MIG_DATA_WRITE", VFIO_USER_CMD_MIG_DATA_WRITE, CMD, 0, 12, {U32(12), U32(4), U32(0)}, 0,
	 -ENOTSUP},
	{"a reply from the client", VFIO_USER_CMD_DEVICE_GET_INFO, VFIO_USER_F_TYPE_REPLY, 0, 16, {U32(16)}, 0,
	 EXPECT_NO_REPLY},
	{"bad command with NO_REPLY", VFIO_USER_CMD_DEVICE_GET_INFO, CMD | VFIO_USER_F_NO_REPLY, 0, 8,
	 {U32(16)}, 0, EXPECT_NO_REPLY},
	{"payload shorter than size, then EOF", VFIO_USER_CMD_DEVICE_GET_INFO, CMD, 64, 16, {U32(16)}, 0,
	 EXPECT_CLOSED},
};
/* clang-format on */

/* One row on the connection *s (reopened when the row closes it). */
static int
malformed_row(const struct mrow *r, int *s)
{
	struct vfio_user_hdr h;
	int fds[2] = {-1, -1}, base, ret;
	unsigned int i;

	base = count_fds();
	for (i = 0; i < r->nfds; i++) {
		fds[i] = sealed_memfd("vfu-test-row", 0x10000);
		if (fds[i] < 0) {
			close_all(fds, 2);
			return -1;
		}
	}
	ret = raw_send_sized(*s, 0x4242, r->cmd, r->flags, r->size, r->pl, r->len, fds, r->nfds);
	close_all(fds, 2);
	if (ret < 0) {
		printf("%s: send: %d\n", r->name, ret);
		return -1;
	}
	if (r->expect == EXPECT_CLOSED && r->size > VFIO_USER_HDR_SIZE + r->len && r->size < 4096) {
		/* a truncated message: the server waits for the rest */
		shutdown(*s, SHUT_WR);
	}
	if (r->expect == EXPECT_NO_REPLY) {
		ret = raw_recv(*s, &h, NULL, 200);
		if (ret != -ETIMEDOUT) {
			printf("%s: got a reply (%d)\n", r->name, ret);
			return -1;
		}
	} else {
		ret = raw_recv(*s, &h, NULL, RAW_TIMEOUT_MS);
		if (r->expect == EXPECT_CLOSED) {
			if (ret != -ECONNRESET) {
				printf("%s: connection not closed (%d, flags 0x%x error %u)\n",
				       r->name, ret, h.flags, h.error);
				return -1;
			}
		} else if (ret < 0) {
			printf("%s: no reply (%d)\n", r->name, ret);
			return -1;
		} else if ((h.flags & VFIO_USER_F_TYPE_MASK) != VFIO_USER_F_TYPE_REPLY ||
			   h.msg_id != 0x4242 || h.cmd != r->cmd ||
			   !(h.flags & VFIO_USER_F_ERROR) || -(int)h.error != r->expect ||
			   ret != 0) {
			printf("%s: reply flags 0x%x error %u (%s) len %d, expected error %d\n",
			       r->name, h.flags, h.error, strerror((int)h.error), ret, -r->expect);
			return -1;
		}
	}
	if (r->expect == EXPECT_CLOSED) {
		close(*s);
		*s = raw_open(dev_a.path, NULL);
		if (*s < 0) {
			printf("%s: no new client accepted\n", r->name);
			return -1;
		}
	}
	if (raw_check_alive(*s) != 0) {
		printf("%s: connection unusable afterwards\n", r->name);
		return -1;
	}
	/* every fd we sent is closed by now (the reply came after) */
	if (r->expect != EXPECT_CLOSED && count_fds() != base) {
		printf("%s: fd leak: %d, %d before\n", r->name, count_fds(), base);
		return -1;
	}
	return 0;
}

static int
test_malformed(void)
{
	unsigned int i, failed = 0;
	int s, base;

	base = count_fds();
	s = raw_open(dev_a.path, NULL);
	TEST_ASSERT(s >= 0, "raw open");
	for (i = 0; i < RTE_DIM(mrows); i++) {
		if (malformed_row(&mrows[i], &s) != 0) {
			/* the next row gets a fresh connection */
			failed++;
			if (s >= 0)
				close(s);
			sleep_ms(10);
			s = raw_open(dev_a.path, NULL);
			if (s < 0)
				break;
		}
	}
	if (s >= 0)
		close(s);
	TEST_ASSERT_EQUAL(failed, 0, "%u of %u malformed messages mishandled", failed,
			  (unsigned int)RTE_DIM(mrows));
	/* ours and the server's end of the connection are gone too */
	TEST_ASSERT_EQUAL(wait_fds(base), base, "fds left");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, NULL, 0), 0, "DMA maps left");
	TEST_ASSERT_EQUAL(ld(&dev_a.bar0_calls), 0, "BAR0 reached");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_reset_req), 0, "reset reached");
	return TEST_SUCCESS;
}

/* A DMA_MAP with 2 fds: both closed, nothing mapped. */
static int
test_dma_map_two_fds(void)
{
	struct vfio_user_dma_map m;
	uint8_t pl[VFIO_USER_DMA_MAP_SIZE];
	int fds[2], base, s, ret;

	s = rte_vfio_user_client_fd(cli);
	base = count_fds();
	fds[0] = sealed_memfd("a", 0x10000);
	fds[1] = sealed_memfd("b", 0x10000);
	TEST_ASSERT(fds[0] >= 0 && fds[1] >= 0, "memfd");
	memset(&m, 0, sizeof(m));
	m.argsz = VFIO_USER_DMA_MAP_SIZE;
	m.flags = VFIO_USER_DMA_FLAG_READ | VFIO_USER_DMA_FLAG_WRITE;
	m.addr = IOVA_A;
	m.size = 0x10000;
	TEST_ASSERT(vfio_user_dma_map_encode(pl, sizeof(pl), &m) == (int)sizeof(pl), "encode");
	ret = raw_call_fds(s, VFIO_USER_CMD_DMA_MAP, pl, sizeof(pl), fds, 2, NULL);
	close_all(fds, 2);
	TEST_ASSERT(ret < 0 && ret != RAW_CLOSED, "DMA_MAP with 2 fds: %d", ret);
	TEST_ASSERT_EQUAL(count_fds(), base, "fds of a refused DMA_MAP kept");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, NULL, 0), 0, "mapped");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_dma_begin), 0, "dma_change");
	/* with one it works */
	fds[0] = sealed_memfd("a", 0x10000);
	TEST_ASSERT(fds[0] >= 0, "memfd");
	ret = raw_call_fds(s, VFIO_USER_CMD_DMA_MAP, pl, sizeof(pl), fds, 1, NULL);
	close(fds[0]);
	TEST_ASSERT_EQUAL(ret, 0, "DMA_MAP with 1 fd");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, NULL, 0), 1, "not mapped");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, IOVA_A, 0x10000), "unmap");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------- DMA_UNMAP ranges */

#define UR_MAPS 8u
#define UR_BASE 0x40000000ull

/* The DMA table is exactly the mappings of want[] (iovas, each UR_SZ). */
#define UR_SZ (4u * T_PG)

static int
ur_expect(const char *what, const uint64_t *want, uint32_t n)
{
	struct rte_vfio_user_dma_map tab[UR_MAPS + 1];
	int got = rte_vfio_user_dma_table(dev_b.srv, tab, RTE_DIM(tab));
	uint32_t i;

	if (got != (int)n) {
		printf("%s: %d mappings, expected %u\n", what, got, n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (tab[i].iova != want[i] || tab[i].size != UR_SZ || tab[i].vaddr == NULL) {
			printf("%s: mapping %u is 0x%" PRIx64 "+0x%" PRIx64 ", expected 0x%" PRIx64
			       "\n",
			       what, i, tab[i].iova, tab[i].size, want[i]);
			return -1;
		}
		if (rte_vfio_user_dma_translate(dev_b.srv, want[i], UR_SZ, 1) != tab[i].vaddr) {
			printf("%s: mapping %u not translated\n", what, i);
			return -1;
		}
	}
	return 0;
}

/*
 * A raw DMA_UNMAP on the client's socket.
 * @return 0 (the reply echoes the request), or -errno of the error reply.
 */
static int
ur_raw_unmap(uint32_t flags, uint64_t addr, uint64_t size)
{
	uint8_t pl[VFIO_USER_DMA_UNMAP_SIZE];
	struct vfio_user_dma_unmap u = {
		.argsz = VFIO_USER_DMA_UNMAP_SIZE, .flags = flags, .addr = addr, .size = size};
	int ret;

	if (vfio_user_dma_unmap_encode(pl, sizeof(pl), &u) != (int)sizeof(pl))
		return RAW_CLOSED;
	ret = raw_call(rte_vfio_user_client_fd(cli), VFIO_USER_CMD_DMA_UNMAP, pl, sizeof(pl));
	if (ret < 0)
		return ret;
	if (ret != (int)sizeof(pl) || memcmp(rawbuf + VFIO_USER_HDR_SIZE, pl, sizeof(pl)) != 0) {
		printf("DMA_UNMAP reply: %d bytes, not the request\n", ret);
		return -EPROTO;
	}
	return 0;
}

static unsigned int
ur_events(void)
{
	unsigned int b = ld(&dev_b.n_dma_begin), e = ld(&dev_b.n_dma_end);

	return b == e ? b : UINT32_MAX;
}

/* Map UR_SZ at each iova of list[] (from the same memfd, offset i * UR_SZ). */
static int
ur_map(int fd, const uint64_t *list, uint32_t n)
{
	const uint32_t rw = RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (rte_vfio_user_client_dma_map(cli, fd, (uint64_t)i * UR_SZ, list[i], UR_SZ,
						 rw) != 0)
			return -1;
	return 0;
}

static int
dma_unmap_range_body(int fd)
{
	/* four mappings with holes between some: [0,1] adjacent, then gaps */
	const uint64_t m4[] = {UR_BASE, UR_BASE + UR_SZ, UR_BASE + 4 * UR_SZ, UR_BASE + 8 * UR_SZ};
	/* the highest mapping DMA_MAP takes: it ends UR_SZ below 2^64 */
	const uint64_t top = UINT64_MAX - 2 * UR_SZ + 1;
	unsigned int ev;

	TEST_ASSERT_SUCCESS(ur_map(fd, m4, 4), "map 4");
	TEST_ASSERT_SUCCESS(ur_expect("4 mapped", m4, 4), "table");
	ev = ur_events();

	/* a range covering none: success, no table change, no callback */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, UR_BASE + 2 * UR_SZ, 2 * UR_SZ),
			    "range over a hole");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, 0, UR_BASE), "range below all");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, UR_BASE + 9 * UR_SZ, UR_SZ),
			    "range above all");
	TEST_ASSERT_EQUAL(ur_events(), ev, "callbacks for an unmap of nothing");
	TEST_ASSERT_SUCCESS(ur_expect("after unmaps of nothing", m4, 4), "table");

	/* ranges cutting a mapping: refused, nothing removed */
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_unmap(cli, UR_BASE + T_PG, 2 * UR_SZ), -EINVAL,
			  "cuts the first mapping's head off");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_unmap(cli, UR_BASE, UR_SZ + T_PG), -EINVAL,
			  "cuts into the second mapping");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_unmap(cli, UR_BASE + 4 * UR_SZ + T_PG, T_PG),
			  -EINVAL, "a page inside a mapping");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_dma_unmap(cli, 0, UR_BASE + 8 * UR_SZ + T_PG),
			  -EINVAL, "all but the last page of the last mapping");
	TEST_ASSERT_EQUAL(ur_raw_unmap(0, UR_BASE + 4 * UR_SZ + 1, 1), -EINVAL,
			  "one unaligned byte inside a mapping");
	TEST_ASSERT_EQUAL(ur_events(), ev, "callbacks for refused unmaps");
	TEST_ASSERT_SUCCESS(ur_expect("after refused unmaps", m4, 4), "table");

	/* exact match */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, m4[2], UR_SZ), "exact");
	TEST_ASSERT_EQUAL(ur_events(), ++ev, "one table change");
	{
		const uint64_t w[] = {m4[0], m4[1], m4[3]};

		TEST_ASSERT_SUCCESS(ur_expect("after exact", w, 3), "table");
	}
	/* several in one range, with holes and unaligned ends outside them */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, UR_BASE - 0x123, 2 * UR_SZ + 0x200),
			    "range over the two adjacent ones");
	TEST_ASSERT_EQUAL(ur_events(), ++ev, "one table change for two mappings");
	TEST_ASSERT_SUCCESS(ur_expect("after range", &m4[3], 1), "table");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_b.srv, m4[0], 1, 1), "first still there");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_b.srv, m4[1], 1, 1), "second still there");

	/* interleaved: map again between, around and after, unmap a middle range */
	{
		const uint64_t more[] = {m4[0], m4[1], m4[2], UR_BASE + 12 * UR_SZ};
		const uint64_t w[] = {m4[0], UR_BASE + 12 * UR_SZ};

		TEST_ASSERT_SUCCESS(ur_map(fd, more, 4), "map again");
		/* [m4[1], m4[3] + UR_SZ): m4[1], m4[2], m4[3] */
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, m4[1], 8 * UR_SZ),
				    "middle range");
		TEST_ASSERT_SUCCESS(ur_expect("after the middle range", w, 2), "table");
		TEST_ASSERT_SUCCESS(ur_map(fd, &m4[1], 1), "map in the middle again");
	}

	/* the QEMU vIOMMU way: 0x0 + 0x80000000 covers everything mapped */
	ev = ur_events();
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, 0, 0x80000000ull), "0 + 2 GiB");
	TEST_ASSERT_EQUAL(ur_events(), ev + 1, "one table change for three mappings");
	TEST_ASSERT_SUCCESS(ur_expect("after 0 + 2 GiB", NULL, 0), "table");

	/* huge sizes, up to the top of the address space */
	TEST_ASSERT_SUCCESS(ur_map(fd, m4, 2), "map 2");
	TEST_ASSERT_SUCCESS(ur_map(fd, &top, 1), "map high");
	TEST_ASSERT_EQUAL(ur_raw_unmap(0, 0x1000, UINT64_MAX), -EINVAL, "size 2^64-1 wraps");
	TEST_ASSERT_EQUAL(ur_raw_unmap(0, UINT64_MAX, 2), -EINVAL, "last byte + 1 wraps");
	TEST_ASSERT_EQUAL(ur_raw_unmap(0, top, 2 * UR_SZ + T_PG), -EINVAL, "wraps past the top");
	TEST_ASSERT_EQUAL(ur_raw_unmap(0, 0, UINT64_MAX - UR_SZ), -EINVAL,
			  "a huge range cutting the high mapping's last byte");
	{
		const uint64_t w[] = {m4[0], m4[1], top};

		TEST_ASSERT_SUCCESS(ur_expect("after wrapping unmaps", w, 3), "table");
	}
	TEST_ASSERT_SUCCESS(ur_raw_unmap(0, top, UR_SZ), "exactly the high mapping");
	TEST_ASSERT_SUCCESS(ur_map(fd, &top, 1), "map high again");
	TEST_ASSERT_SUCCESS(ur_raw_unmap(0, 0x1000, UINT64_MAX - 0xfff),
			    "[0x1000, 2^64): ends at the top");
	TEST_ASSERT_SUCCESS(ur_expect("after the huge unmap", NULL, 0), "table");
	TEST_ASSERT_SUCCESS(ur_map(fd, m4, 2), "map 2 again");
	TEST_ASSERT_SUCCESS(ur_map(fd, &top, 1), "map high again");
	TEST_ASSERT_SUCCESS(ur_raw_unmap(0, 0, UINT64_MAX), "[0, 2^64 - 1)");
	TEST_ASSERT_SUCCESS(ur_expect("after [0, 2^64 - 1)", NULL, 0), "table");

	/* bad inputs: nothing changes */
	TEST_ASSERT_SUCCESS(ur_map(fd, m4, 1), "map 1");
	ev = ur_events();
	TEST_ASSERT_EQUAL(ur_raw_unmap(0, m4[0], 0), -EINVAL, "size 0");
	TEST_ASSERT_EQUAL(ur_raw_unmap(VFIO_USER_DMA_UNMAP_FLAG_ALL, m4[0], UR_SZ), -EINVAL,
			  "ALL with a range");
	TEST_ASSERT_EQUAL(ur_raw_unmap(VFIO_USER_DMA_UNMAP_FLAG_ALL, 0, UR_SZ), -EINVAL,
			  "ALL with a size");
	TEST_ASSERT_EQUAL(ur_raw_unmap(VFIO_USER_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP, m4[0], UR_SZ),
			  -ENOTSUP, "dirty bitmap");
	TEST_ASSERT_EQUAL(ur_raw_unmap(VFIO_USER_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
					       VFIO_USER_DMA_UNMAP_FLAG_ALL,
				       0, 0),
			  -ENOTSUP, "dirty bitmap with ALL");
	TEST_ASSERT_EQUAL(ur_raw_unmap(0x4, m4[0], UR_SZ), -EINVAL, "unknown flag");
	TEST_ASSERT_EQUAL(ur_events(), ev, "callbacks for bad unmaps");
	TEST_ASSERT_SUCCESS(ur_expect("after bad unmaps", m4, 1), "table");
	TEST_ASSERT_SUCCESS(ur_raw_unmap(VFIO_USER_DMA_UNMAP_FLAG_ALL, 0, 0), "ALL");
	TEST_ASSERT_SUCCESS(ur_expect("after ALL", NULL, 0), "table");
	return TEST_SUCCESS;
}

/*
 * DMA_UNMAP removes every mapping inside its range (Linux type1 v2, which
 * QEMU expects behind a vIOMMU); the mmaps and fds go with them.
 */
static int
test_dma_unmap_range(void)
{
	int fd, fds, maps, ret;

	tdev_max_dma_maps = UR_MAPS;
	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "unmap.sock", true), "server");
	cli = connect_client(dev_b.path);
	TEST_ASSERT_NOT_NULL(cli, "connect");
	fd = sealed_memfd("vfu-test-unmap", UR_MAPS * UR_SZ);
	TEST_ASSERT(fd >= 0, "memfd");
	fds = count_fds();
	maps = count_maps();
	ret = dma_unmap_range_body(fd);
	if (ret == TEST_SUCCESS && (count_fds() != fds || count_maps() != maps)) {
		printf("fds %d (%d before), mappings 0x%x (0x%x before)\n", count_fds(), fds,
		       count_maps(), maps);
		ret = TEST_FAILED;
	}
	close(fd);
	if (ret == TEST_SUCCESS)
		printf("DMA_UNMAP ranges: %u table changes, no fd or mapping left\n", ur_events());
	rte_vfio_user_client_close(cli);
	cli = NULL;
	return ret;
}

/* ------------------------------------------------------------ DMA window */

#define WIN_PAGES 300u

/*
 * Behind a vIOMMU, QEMU maps guest memory page by page: a ring contiguous
 * in guest addresses spans several mappings, of pages anywhere in the
 * guest's RAM. Below VFIO_USER_SRV_DMA_WINDOW they are laid out contiguously,
 * and translate takes a range across up to VFIO_USER_SRV_DMA_SPAN_MAX of them.
 */
static int
dma_window_body(int fd, uint8_t *mem)
{
	const uint32_t rw = RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE;
	const uint64_t base = 0x7ff00000ull;
	uint8_t *p, *q;
	uint32_t i;

	/* pages of the file in reverse order at increasing guest addresses */
	for (i = 0; i < 4; i++)
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, fd, (3 - i) * T_PG,
								 base + i * T_PG, T_PG, rw),
				    "map %u", i);
	p = rte_vfio_user_dma_translate(dev_b.srv, base + T_PG - 8, 16 + 2 * T_PG, rw);
	TEST_ASSERT_NOT_NULL(p, "a range across four mappings");
	memset(p, 0xab, 16 + 2 * T_PG);
	TEST_ASSERT(mem[4 * T_PG - 8] == 0xab && mem[4 * T_PG - 9] == 0, "page 0 end");
	TEST_ASSERT(mem[2 * T_PG] == 0xab && mem[3 * T_PG - 1] == 0xab, "page 1 whole");
	TEST_ASSERT(mem[T_PG] == 0xab && mem[2 * T_PG - 1] == 0xab, "page 2 whole");
	TEST_ASSERT(mem[7] == 0xab && mem[8] == 0, "page 3 start");
	/* a hole: none across it */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, base + 2 * T_PG, T_PG), "hole");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_b.srv, base + 2 * T_PG - 8, 16, rw),
			 "across a hole");
	TEST_ASSERT_NOT_NULL(rte_vfio_user_dma_translate(dev_b.srv, base, 2 * T_PG, rw),
			     "before the hole");
	/* filled again, read-only: not for a write across it, fine for a read */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, fd, 8 * T_PG, base + 2 * T_PG, T_PG,
							 RTE_VFIO_USER_DMA_READ),
			    "refill read-only");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_b.srv, base + 2 * T_PG - 8, 16, rw),
			 "write across a read-only mapping");
	q = rte_vfio_user_dma_translate(dev_b.srv, base + 2 * T_PG - 8, 16, RTE_VFIO_USER_DMA_READ);
	TEST_ASSERT(q != NULL && q == p - (T_PG - 8) + 2 * T_PG - 8, "read across it");
	/* a neighbour without fd */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, -1, 0, base + 4 * T_PG, T_PG, rw),
			    "no-fd neighbour");
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_b.srv, base + 4 * T_PG - 8, 16, 1),
			 "across a mapping without fd");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, 0, 1ull << 32), "unmap all 4 GiB");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_b.srv, NULL, 0), 0, "table");

	/* at most VFIO_USER_SRV_DMA_SPAN_MAX mappings in one range */
	for (i = 0; i < WIN_PAGES; i++)
		TEST_ASSERT_SUCCESS(
			rte_vfio_user_client_dma_map(cli, fd, i * T_PG, base + i * T_PG, T_PG, rw),
			"map %u", i);
	TEST_ASSERT_NOT_NULL(
		rte_vfio_user_dma_translate(dev_b.srv, base, VFIO_USER_SRV_DMA_SPAN_MAX * T_PG, rw),
		"%u mappings", VFIO_USER_SRV_DMA_SPAN_MAX);
	TEST_ASSERT_NULL(rte_vfio_user_dma_translate(dev_b.srv, base,
						     (VFIO_USER_SRV_DMA_SPAN_MAX + 1) * T_PG, rw),
			 "%u mappings", VFIO_USER_SRV_DMA_SPAN_MAX + 1);
	TEST_ASSERT_NOT_NULL(rte_vfio_user_dma_translate(dev_b.srv, base + T_PG,
							 VFIO_USER_SRV_DMA_SPAN_MAX * T_PG, rw),
			     "%u mappings further", VFIO_USER_SRV_DMA_SPAN_MAX);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap_all(cli), "unmap all");

	/* above the window: each mapping still works alone */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(
				    cli, fd, 0, VFIO_USER_SRV_DMA_WINDOW - T_PG, 2 * T_PG, rw),
			    "map across the window's end");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, fd, 0, VFIO_USER_SRV_DMA_WINDOW << 4,
							 2 * T_PG, rw),
			    "map above");
	TEST_ASSERT_NOT_NULL(rte_vfio_user_dma_translate(dev_b.srv, VFIO_USER_SRV_DMA_WINDOW - T_PG,
							 2 * T_PG, rw),
			     "translate across the window's end");
	p = rte_vfio_user_dma_translate(dev_b.srv, VFIO_USER_SRV_DMA_WINDOW << 4, 2 * T_PG, rw);
	TEST_ASSERT(p != NULL && p[T_PG + 7] == 0xab, "translate above");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap_all(cli), "unmap all");
	return TEST_SUCCESS;
}

static int
test_dma_window(void)
{
	uint8_t *mem;
	int fd, fds, maps, ret;

	tdev_max_dma_maps = 0;
	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "win.sock", true), "server");
	cli = connect_client(dev_b.path);
	TEST_ASSERT_NOT_NULL(cli, "connect");
	fd = sealed_memfd("vfu-test-win", WIN_PAGES * T_PG);
	TEST_ASSERT(fd >= 0, "memfd");
	mem = mmap(NULL, WIN_PAGES * T_PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	fds = count_fds();
	maps = count_maps();
	ret = dma_window_body(fd, mem);
	if (ret == TEST_SUCCESS && (count_fds() != fds || count_maps() != maps)) {
		printf("fds %d (%d before), mappings 0x%x (0x%x before)\n", count_fds(), fds,
		       count_maps(), maps);
		ret = TEST_FAILED;
	}
	munmap(mem, WIN_PAGES * T_PG);
	close(fd);
	rte_vfio_user_client_close(cli);
	cli = NULL;
	return ret;
}

/* ------------------------------------------------------ DMA_MAP is lazy */

#define LAZY_SIZE (64u << 20)

/* Pages of [p, p + len) in memory. */
static long
resident_pages(void *p, size_t len)
{
	size_t n = len / T_PG, i;
	unsigned char *v = malloc(n);
	long r = 0;

	if (v == NULL || mincore(p, len, v) < 0) {
		free(v);
		return -1;
	}
	for (i = 0; i < n; i++)
		r += v[i] & 1;
	free(v);
	return r;
}

/*
 * In a process that locked its future memory (mlockall(MCL_FUTURE), as
 * testpmd does), DMA_MAP must not fault in (allocate, lock) the guest's
 * whole memory on the control thread: it took ~0.4 s per 512 MiB there,
 * seconds under load, past QEMU's reply timeout. The pages come in as the
 * device touches them.
 */
static int
test_dma_map_lazy(void)
{
	const uint32_t rw = RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE;
	struct rte_vfio_user_dma_map tab[1];
	struct rlimit rl;
	uint64_t t0, took;
	long before, after;
	uint8_t *p;
	int fd, ret;

	if (T_ASAN) {
		printf("skipped under AddressSanitizer (mlockall would lock its allocator)\n");
		return TEST_SKIPPED;
	}
	if (geteuid() != 0 &&
	    (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 ||
	     (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 4 * LAZY_SIZE))) {
		printf("skipped: RLIMIT_MEMLOCK too low to lock %u MiB\n", LAZY_SIZE >> 20);
		return TEST_SKIPPED;
	}
	fd = sealed_memfd("vfu-test-lazy", LAZY_SIZE);
	TEST_ASSERT(fd >= 0, "memfd");
	if (mlockall(MCL_FUTURE) < 0) {
		printf("skipped: mlockall(MCL_FUTURE): %s\n", strerror(errno));
		close(fd);
		return TEST_SKIPPED;
	}
	t0 = now_ms();
	ret = rte_vfio_user_client_dma_map(cli, fd, 0, IOVA_A, LAZY_SIZE, rw);
	took = now_ms() - t0;
	munlockall();
	close(fd);
	TEST_ASSERT_SUCCESS(ret, "map");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, tab, 1), 1, "table");
	before = resident_pages(tab[0].vaddr, LAZY_SIZE);
	p = rte_vfio_user_dma_translate(dev_a.srv, IOVA_A + LAZY_SIZE / 2, 8, rw);
	TEST_ASSERT_NOT_NULL(p, "translate");
	p[0] = 0x42;
	after = resident_pages(tab[0].vaddr, LAZY_SIZE);
	printf("DMA_MAP of %u MiB with mlockall(MCL_FUTURE): %" PRIu64
	       " ms, %ld pages resident, %ld after a device write\n",
	       LAZY_SIZE >> 20, took, before, after);
	TEST_ASSERT_EQUAL(before, 0, "the guest's memory was faulted in by DMA_MAP");
	TEST_ASSERT_EQUAL(after, 1, "a device write");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, IOVA_A, LAZY_SIZE), "unmap");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------ slow requests */

/* Send a DMA_MAP without fd for [iova, iova + T_PG) on s, reply not awaited. */
static int
slow_send_map(int s, uint16_t id, uint64_t iova)
{
	uint8_t pl[VFIO_USER_DMA_MAP_SIZE];
	struct vfio_user_dma_map m = {.argsz = VFIO_USER_DMA_MAP_SIZE,
				      .flags = VFIO_USER_DMA_FLAG_READ | VFIO_USER_DMA_FLAG_WRITE,
				      .addr = iova,
				      .size = T_PG};

	if (vfio_user_dma_map_encode(pl, sizeof(pl), &m) != (int)sizeof(pl))
		return -1;
	return raw_send(s, id, VFIO_USER_CMD_DMA_MAP, pl, sizeof(pl), NULL, 0);
}

static int
slow_body(void)
{
	const unsigned int per = VFIO_USER_SRV_SLOW_MS / 4 + 50; /* 4 of them: past the limit */
	struct vfio_user_hdr h;
	uint64_t t0;
	int s = rte_vfio_user_client_fd(cli), i;

	/* quick requests: nothing at WARNING */
	for (i = 0; i < 3; i++)
		TEST_ASSERT_SUCCESS(slow_send_map(s, (uint16_t)(0x500 + i), IOVA_A + i * T_PG),
				    "send");
	for (i = 0; i < 3; i++)
		TEST_ASSERT_EQUAL(raw_recv(s, &h, NULL, RAW_TIMEOUT_MS), 0, "reply %d", i);
	TEST_ASSERT_EQUAL(log_count("kept the server", NULL) + log_count("back to back", NULL), 0,
			  "warning for quick requests");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap_all(cli), "unmap all");

	/* one request whose device callback takes longer than the limit */
	__atomic_store_n(&dev_a.dma_sleep_ms, VFIO_USER_SRV_SLOW_MS + 100, __ATOMIC_RELEASE);
	t0 = now_ms();
	TEST_ASSERT_SUCCESS(slow_send_map(s, 0x600, IOVA_A), "send");
	TEST_ASSERT_EQUAL(raw_recv(s, &h, NULL, 3 * VFIO_USER_SRV_SLOW_MS), 0, "slow reply");
	TEST_ASSERT(now_ms() - t0 >= VFIO_USER_SRV_SLOW_MS, "not slow");
	TEST_ASSERT_EQUAL(log_count("DMA_MAP (msg_id 1536) kept the server", "x-msg-timeout"), 1,
			  "no warning naming the slow request");
	__atomic_store_n(&dev_a.dma_sleep_ms, 0, __ATOMIC_RELEASE);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap_all(cli), "unmap all");

	/* four requests sent at once, each quick enough, together too slow */
	__atomic_store_n(&dev_a.dma_sleep_ms, per, __ATOMIC_RELEASE);
	for (i = 0; i < 4; i++)
		TEST_ASSERT_SUCCESS(slow_send_map(s, (uint16_t)(0x700 + i), IOVA_A + i * T_PG),
				    "send");
	for (i = 0; i < 4; i++)
		TEST_ASSERT_EQUAL(raw_recv(s, &h, NULL, 3 * VFIO_USER_SRV_SLOW_MS), 0, "reply %d",
				  i);
	__atomic_store_n(&dev_a.dma_sleep_ms, 0, __ATOMIC_RELEASE);
	/* the 4th normally, an earlier one on a loaded machine */
	TEST_ASSERT_EQUAL(log_count("requests handled back to back", "DMA_MAP (msg_id 179"), 1,
			  "no warning for the run");
	TEST_ASSERT_EQUAL(log_count("kept the server", NULL), 1, "per-request warning");
	printf("slow requests: %u warnings\n",
	       log_count("kept the server", NULL) + log_count("back to back", NULL));
	return TEST_SUCCESS;
}

/*
 * Requests sent back to back get their replies in order; posted writes
 * (NO_REPLY) get none, not even when they fail.
 */
static int
test_pipelined_order(void)
{
	/* REGION_WRITE: offset, region, count, 4 data bytes */
	const uint8_t wr_ok[] = {U64(0x10), U32(0), U32(4), 1, 2, 3, 4};
	const uint8_t wr_bad[] = {U64(0x10), U32(77), U32(4), 1, 2, 3, 4};
	const uint8_t info[] = {U32(16), U32(0), U32(0), U32(0)};
	const uint16_t want[] = {0x900, 0x903, 0x904, 0x905};
	uint8_t unmap[VFIO_USER_DMA_UNMAP_SIZE];
	struct vfio_user_dma_unmap u = {
		.argsz = VFIO_USER_DMA_UNMAP_SIZE, .addr = 0, .size = 0x80000000ull};
	struct vfio_user_hdr h;
	unsigned int i;
	int s = rte_vfio_user_client_fd(cli), ret;

	TEST_ASSERT(vfio_user_dma_unmap_encode(unmap, sizeof(unmap), &u) == (int)sizeof(unmap),
		    "encode");
	TEST_ASSERT_SUCCESS(slow_send_map(s, 0x900, IOVA_A), "DMA_MAP");
	TEST_ASSERT_SUCCESS(raw_send_sized(s, 0x901, VFIO_USER_CMD_REGION_WRITE,
					   VFIO_USER_F_TYPE_COMMAND | VFIO_USER_F_NO_REPLY, 0,
					   wr_ok, sizeof(wr_ok), NULL, 0),
			    "posted write");
	TEST_ASSERT_SUCCESS(raw_send_sized(s, 0x902, VFIO_USER_CMD_REGION_WRITE,
					   VFIO_USER_F_TYPE_COMMAND | VFIO_USER_F_NO_REPLY, 0,
					   wr_bad, sizeof(wr_bad), NULL, 0),
			    "bad posted write");
	TEST_ASSERT_SUCCESS(
		raw_send(s, 0x903, VFIO_USER_CMD_DEVICE_GET_INFO, info, sizeof(info), NULL, 0),
		"GET_INFO");
	TEST_ASSERT_SUCCESS(
		raw_send(s, 0x904, VFIO_USER_CMD_DMA_UNMAP, unmap, sizeof(unmap), NULL, 0),
		"DMA_UNMAP");
	/* a bad request that does want a reply: an error reply, in its turn */
	TEST_ASSERT_SUCCESS(raw_send(s, 0x905, VFIO_USER_CMD_DEVICE_GET_INFO, info, 8, NULL, 0),
			    "short GET_INFO");
	for (i = 0; i < RTE_DIM(want); i++) {
		ret = raw_recv(s, &h, NULL, RAW_TIMEOUT_MS);
		TEST_ASSERT(ret >= 0, "reply %u: %d", i, ret);
		TEST_ASSERT_EQUAL(h.msg_id, want[i], "reply %u is for msg_id 0x%x, not 0x%x", i,
				  h.msg_id, want[i]);
		TEST_ASSERT_EQUAL((h.flags & VFIO_USER_F_ERROR) != 0, i == 3,
				  "reply %u error flag 0x%x", i, h.flags);
	}
	TEST_ASSERT_EQUAL(raw_recv(s, &h, NULL, 200), -ETIMEDOUT, "a reply to a posted write");
	TEST_ASSERT_EQUAL(ld(&dev_a.bar0_calls), 1, "the good posted write");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_a.srv, NULL, 0), 0, "unmapped by the range");
	return TEST_SUCCESS;
}

/*
 * A request that keeps the control thread past VFIO_USER_SRV_SLOW_MS, or a run
 * of requests that does, is logged at WARNING with the command (what QEMU
 * reports as "vfio_wait_reqs - timed out" at 5 s).
 */
static int
test_slow_requests(void)
{
	int type = rte_log_register("lib.vfio_user"), level, ret;

	TEST_ASSERT(type >= 0, "log type");
	level = rte_log_get_level((uint32_t)type);
	if (level < (int)RTE_LOG_WARNING)
		rte_log_set_level((uint32_t)type, RTE_LOG_WARNING);
	TEST_ASSERT_SUCCESS(log_capture_start(), "log capture");
	ret = slow_body();
	__atomic_store_n(&dev_a.dma_sleep_ms, 0, __ATOMIC_RELEASE);
	log_capture_print();
	log_capture_stop();
	if (level >= 0)
		rte_log_set_level((uint32_t)type, (uint32_t)level);
	return ret;
}

/* ------------------------------------------------------------ disconnect */

static int
test_disconnect(void)
{
	struct guest g = {.fd = -1};
	int efd[MSIX_NVEC], base, maps, ret = TEST_FAILED;
	uint32_t reg = 0xdeadbeef, v = 0;
	unsigned int i;

	for (i = 0; i < MSIX_NVEC; i++)
		efd[i] = efd_new();
	if (guest_new(&g, GUEST_SIZE) < 0)
		goto out;
	base = count_fds();
	maps = count_maps();

	cli = connect_client(dev_a.path);
	if (cli == NULL || !wait_u32(&dev_a.n_connected, 1, WAIT_MS)) {
		printf("connect\n");
		goto out;
	}
	if (rte_vfio_user_client_dma_map(cli, g.fd, 0, IOVA_A, GUEST_SIZE,
					 RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE) != 0 ||
	    rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 0, MSIX_NVEC, efd) != 0 ||
	    rte_vfio_user_client_region_write(cli, 0, 0x80, &reg, 4, false) != 0 ||
	    rte_vfio_user_client_region_mmap(cli, 2, 1) == NULL ||
	    rte_vfio_user_client_irq_mask(cli, RTE_VFIO_USER_IRQ_MSIX, 1, 1, true) != 0) {
		printf("client setup\n");
		goto out;
	}
	if (rte_vfio_user_dma_translate(dev_a.srv, IOVA_A, 1, RTE_VFIO_USER_DMA_READ) == NULL ||
	    !rte_vfio_user_server_connected(dev_a.srv)) {
		printf("not set up\n");
		goto out;
	}
	rte_vfio_user_client_close(cli);
	cli = NULL;
	if (!wait_u32(&dev_a.n_disconnected, 1, WAIT_MS)) {
		printf("no disconnected callback\n");
		goto out;
	}
	if (rte_vfio_user_server_connected(dev_a.srv)) {
		printf("still connected\n");
		goto out;
	}
	if (rte_vfio_user_dma_table(dev_a.srv, NULL, 0) != 0 ||
	    rte_vfio_user_dma_translate(dev_a.srv, IOVA_A, 1, RTE_VFIO_USER_DMA_READ) != NULL) {
		printf("DMA table not empty\n");
		goto out;
	}
	if (ld(&dev_a.n_dma_begin) != 2 || ld(&dev_a.n_dma_end) != 2) {
		printf("dma_change on disconnect: %u/%u\n", ld(&dev_a.n_dma_begin),
		       ld(&dev_a.n_dma_end));
		goto out;
	}
	for (i = 0; i < MSIX_NVEC; i++) {
		if (rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, i) != -ENOENT) {
			printf("vector %u still has an eventfd\n", i);
			goto out;
		}
	}
	if (wait_fds(base) != base) {
		printf("fds: %d open, %d before\n", count_fds(), base);
		goto out;
	}
	if (count_maps() != maps) {
		printf("mappings: %d, %d before\n", count_maps(), maps);
		goto out;
	}
	if (ld(&dev_a.n_connected) != 1 || ld(&dev_a.n_disconnected) != 1) {
		printf("callbacks\n");
		goto out;
	}

	/* the device state is kept; a new client starts clean */
	cli = connect_client(dev_a.path);
	if (cli == NULL || rte_vfio_user_client_region_read(cli, 0, 0x80, &v, 4) != 0 || v != reg) {
		printf("BAR0 register lost (0x%x)\n", v);
		goto out;
	}
	if (!wait_u32(&dev_a.n_connected, 2, WAIT_MS) ||
	    rte_vfio_user_dma_table(dev_a.srv, NULL, 0) != 0) {
		printf("second client\n");
		goto out;
	}
	/* the old mask is gone with the old client */
	if (rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 1, 1, &efd[1]) != 0 ||
	    rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 1) != 0 ||
	    efd_take(efd[1]) != 1) {
		printf("mask survived the disconnect\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	close_all(efd, MSIX_NVEC);
	guest_free(&g);
	return ret;
}

static int
test_second_client_refused(void)
{
	struct rte_vfio_user_client_conf conf;
	struct rte_vfio_user_client *c2;
	struct vfio_user_hdr h;
	uint8_t pl[64];
	int s, ret;

	memset(&conf, 0, sizeof(conf));
	conf.timeout_ms = 2000;
	c2 = rte_vfio_user_client_connect(dev_a.path, &conf);
	TEST_ASSERT_NULL(c2, "a second client was accepted");
	/* told why: its VERSION is answered with EBUSY */
	TEST_ASSERT_EQUAL(rte_errno, EBUSY, "second client: %s", rte_strerror(rte_errno));
	printf("second client refused: %s\n", rte_strerror(rte_errno));
	/* a raw one gets an error reply to its VERSION, then the connection closes */
	memset(&h, 0, sizeof(h));
	s = raw_connect(dev_a.path);
	TEST_ASSERT(s >= 0, "connect");
	ret = raw_send(s, 1, VFIO_USER_CMD_VERSION, pl, version_payload(pl, 0, 0, "{}"), NULL, 0);
	if (ret == 0)
		ret = raw_recv(s, &h, NULL, RAW_TIMEOUT_MS);
	TEST_ASSERT(ret == 0 && h.msg_id == 1 && h.cmd == VFIO_USER_CMD_VERSION &&
			    (h.flags & VFIO_USER_F_ERROR) && h.error == EBUSY,
		    "second raw client: %d, flags %#x error %u", ret, h.flags, h.error);
	ret = raw_recv(s, &h, NULL, RAW_TIMEOUT_MS);
	close(s);
	TEST_ASSERT(ret == -ECONNRESET || ret == -EPIPE, "second raw client served: %d", ret);

	/* the first is undisturbed */
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_device_info(cli, &(struct rte_vfio_user_device_info){0}),
		"first client disturbed");
	TEST_ASSERT(rte_vfio_user_server_connected(dev_a.srv), "server lost its client");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_connected), 1, "connected callbacks");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_disconnected), 0, "disconnected callbacks");

	/* once it is gone, the next one is served */
	rte_vfio_user_client_close(cli);
	cli = NULL;
	TEST_ASSERT(wait_u32(&dev_a.n_disconnected, 1, WAIT_MS), "no disconnect");
	cli = connect_client(dev_a.path);
	TEST_ASSERT_NOT_NULL(cli, "next client refused: %s", strerror(rte_errno));
	TEST_ASSERT(wait_u32(&dev_a.n_connected, 2, WAIT_MS), "connected");
	return TEST_SUCCESS;
}

static int
test_negotiate_timeout(void)
{
	struct rte_vfio_user_client_conf conf;
	struct vfio_user_hdr h;
	uint64_t t0;
	int s, ret;

	memset(&conf, 0, sizeof(conf));
	conf.timeout_ms = 2000;
	s = raw_connect(dev_a.path);
	TEST_ASSERT(s >= 0, "connect");
	t0 = now_ms();
	sleep_ms(100);
	/* the silent connection holds the device for a while */
	cli = rte_vfio_user_client_connect(dev_a.path, &conf);
	TEST_ASSERT_NULL(cli, "client accepted while another is connecting");
	while (now_ms() - t0 < 3300)
		sleep_ms(50);
	cli = rte_vfio_user_client_connect(dev_a.path, &conf);
	TEST_ASSERT_NOT_NULL(cli, "a silent connection kept the device: %s", strerror(rte_errno));
	ret = raw_recv(s, &h, NULL, RAW_TIMEOUT_MS);
	close(s);
	TEST_ASSERT_EQUAL(ret, -ECONNRESET, "the silent connection was not closed");
	TEST_ASSERT(wait_u32(&dev_a.n_connected, 1, WAIT_MS), "connected");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_disconnected), 0, "disconnected called for a silent client");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_reset(cli), "client unusable");
	return TEST_SUCCESS;
}

static int
test_two_servers(void)
{
	uint8_t garbage[VFIO_USER_HDR_SIZE];
	struct vfio_user_hdr h;
	uint32_t v = 0;
	int s, efd, ret;

	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "b.sock", true), "second server");
	dev_a.bar0[0x44] = 0x77;
	dev_b.bar0[0x44] = 0x99;

	s = raw_open(dev_b.path, NULL);
	TEST_ASSERT(s >= 0, "raw open b");
	TEST_ASSERT(wait_u32(&dev_b.n_connected, 1, WAIT_MS), "b connected");
	memset(&h, 0, sizeof(h));
	h.cmd = VFIO_USER_CMD_DEVICE_GET_INFO;
	h.size = 0xffffffffu;
	vfio_user_hdr_encode(garbage, &h);
	memset(garbage + 8, 0xff, 8);
	TEST_ASSERT_SUCCESS(vfio_user_sock_send(s, garbage, sizeof(garbage), NULL, 0, 1000),
			    "send");
	ret = raw_recv(s, &h, NULL, RAW_TIMEOUT_MS);
	close(s);
	TEST_ASSERT_EQUAL(ret, -ECONNRESET, "garbage not refused");
	TEST_ASSERT(wait_u32(&dev_b.n_disconnected, 1, WAIT_MS), "b disconnected");

	/* a is undisturbed */
	TEST_ASSERT(rte_vfio_user_server_connected(dev_a.srv), "a lost its client");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_disconnected), 0, "a disconnected");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cli, 0, 0x44, &v, 1), "a read");
	TEST_ASSERT_EQUAL(v, 0x77, "a read the wrong device");

	/* b serves a new client, its own device */
	s = raw_open(dev_b.path, NULL);
	TEST_ASSERT(s >= 0, "b refuses a new client");
	TEST_ASSERT_SUCCESS(raw_check_alive(s), "b unusable");
	close(s);
	TEST_ASSERT(wait_u32(&dev_b.n_disconnected, 2, WAIT_MS), "b disconnected");

	/* IRQs are per server */
	efd = efd_new();
	TEST_ASSERT(efd >= 0, "eventfd");
	ret = rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 0, 1, &efd);
	if (ret == 0 && rte_vfio_user_irq_trigger(dev_b.srv, RTE_VFIO_USER_IRQ_MSIX, 0) != -ENOENT)
		ret = -1;
	if (ret == 0 &&
	    (rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 0) != 0 ||
	     efd_take(efd) != 1))
		ret = -1;
	close(efd);
	TEST_ASSERT_SUCCESS(ret, "IRQs mixed up between servers");

	/* destroying b leaves a running */
	tdev_free(&dev_b);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cli, 0, 0x44, &v, 1), "a after b");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_disconnected), 0, "a disconnected");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------- reconnect */

static int
one_session(struct guest *g, int efd, unsigned int n)
{
	struct rte_vfio_user_client *c;
	uint8_t *a;

	c = connect_client(dev_a.path);
	if (c == NULL) {
		printf("connect %u: %s\n", n, strerror(rte_errno));
		return -1;
	}
	if (rte_vfio_user_client_dma_map(c, g->fd, 0, IOVA_A, GUEST_SIZE,
					 RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE) != 0 ||
	    rte_vfio_user_client_set_irqs(c, RTE_VFIO_USER_IRQ_MSIX, 0, 1, &efd) != 0 ||
	    (a = rte_vfio_user_client_region_mmap(c, 2, 0)) == NULL) {
		printf("session %u failed\n", n);
		rte_vfio_user_client_close(c);
		return -1;
	}
	a[0] = (uint8_t)n;
	rte_vfio_user_client_close(c);
	if (!wait_u32(&dev_a.n_disconnected, n + 1, WAIT_MS)) {
		printf("session %u: no disconnect\n", n);
		return -1;
	}
	return 0;
}

static int
test_reconnect(void)
{
	struct guest g = {.fd = -1};
	int efd, fds, maps, ret = TEST_FAILED;
	unsigned int n = 0, i;

	efd = efd_new();
	if (efd < 0 || guest_new(&g, GUEST_SIZE) < 0)
		goto out;
	/* warm up (allocator arenas of the control thread, ...) */
	for (; n < 3; n++)
		if (one_session(&g, efd, n) < 0)
			goto out;
	fds = count_fds();
	maps = count_maps();
	system("cat /proc/$PPID/maps > /tmp/itest-maps-before.txt");
	for (i = 0; i < 100; i++, n++)
		if (one_session(&g, efd, n) < 0)
			goto out;
	if (wait_fds(fds) != fds) {
		printf("fds: %d open, %d before\n", count_fds(), fds);
		goto out;
	}
	if (count_maps() != maps) {
		printf("mappings: %d, %d before\n", count_maps(), maps);
		system("cat /proc/$PPID/maps > /tmp/itest-maps-after.txt");
		goto out;
	}
	if (ld(&dev_a.n_connected) != n || ld(&dev_a.n_disconnected) != n ||
	    ld(&dev_a.n_dma_begin) != 2 * n || ld(&dev_a.n_dma_end) != 2 * n) {
		printf("callbacks: %u connected, %u disconnected, %u/%u dma, %u sessions\n",
		       ld(&dev_a.n_connected), ld(&dev_a.n_disconnected), ld(&dev_a.n_dma_begin),
		       ld(&dev_a.n_dma_end), n);
		goto out;
	}
	if (dev_a.bar2[0] != (uint8_t)(n - 1)) {
		printf("BAR2 writes lost\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	if (efd >= 0)
		close(efd);
	guest_free(&g);
	return ret;
}

/* ------------------------------------------------------- region fds */

/* The BAR2 fd a client gets is sealed: it cannot shrink the device's page. */
static int
test_region_fd_sealed(void)
{
	struct rte_vfio_user_region_info ri;
	uint32_t v = 0;
	int seals;

	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_info(cli, 2, &ri), "BAR2 info");
	TEST_ASSERT(ri.fd >= 0, "no fd");
	seals = fcntl(ri.fd, F_GET_SEALS);
	TEST_ASSERT(seals >= 0 && (seals & F_SEAL_SHRINK) && (seals & F_SEAL_GROW), "seals 0x%x",
		    seals);
	errno = 0;
	TEST_ASSERT(ftruncate(ri.fd, 0) < 0 && errno == EPERM, "the client shrank BAR2's memfd");
	errno = 0;
	TEST_ASSERT(ftruncate(ri.fd, 2 * BAR2_SIZE) < 0 && errno == EPERM,
		    "the client grew BAR2's memfd");
	/* and the device's own memfd is the same file, sealed too */
	TEST_ASSERT(ftruncate(dev_a.memfd, 0) < 0, "the device's memfd is not sealed");
	dev_a.bar2[T_PG - 1] = 0x3c;
	TEST_ASSERT_EQUAL(dev_a.bar2[T_PG - 1], 0x3c, "BAR2 page");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cli, 0, 0, &v, 4), "still served");
	return TEST_SUCCESS;
}

static int
file_ino(int fd, ino_t *ino)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	*ino = st.st_ino;
	return 0;
}

/*
 * set_region_fd: what it refuses, and that the next REGION_INFO hands out
 * the new fd (before start and from the disconnected callback).
 */
static int
test_region_fd_replace(void)
{
	struct rte_vfio_user_region_info ri;
	char path[128];
	ino_t ino_new, ino_got, ino_third;
	uint8_t *a;
	int fd, fd3, bad, ret;

	fd = memfd_create("vfu-test-bar2-new", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	TEST_ASSERT(fd >= 0 && ftruncate(fd, BAR2_SIZE) == 0, "memfd");
	TEST_ASSERT(pwrite(fd, "N", 1, 0) == 1, "write");
	TEST_ASSERT_SUCCESS(file_ino(fd, &ino_new), "fstat");

	/* refusals (no client connected) */
	ret = rte_vfio_user_server_set_region_fd(dev_a.srv, RTE_VFIO_USER_REGION_BAR0, fd);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "BAR0 has no fd: %d", ret);
	ret = rte_vfio_user_server_set_region_fd(dev_a.srv, RTE_VFIO_USER_REGION_BAR1, fd);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "no BAR1: %d", ret);
	ret = rte_vfio_user_server_set_region_fd(dev_a.srv, 7, fd);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "index 7: %d", ret);
	ret = rte_vfio_user_server_set_region_fd(dev_a.srv, 2, -1);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "fd -1: %d", ret);
	ret = rte_vfio_user_server_set_region_fd(NULL, 2, fd);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "NULL: %d", ret);
	bad = memfd_create("vfu-test-unsealable", MFD_CLOEXEC);
	TEST_ASSERT(bad >= 0 && ftruncate(bad, BAR2_SIZE) == 0, "memfd");
	ret = rte_vfio_user_server_set_region_fd(dev_a.srv, 2, bad);
	close(bad);
	TEST_ASSERT_EQUAL(ret, -EPERM, "a memfd without MFD_ALLOW_SEALING: %d", ret);
	snprintf(path, sizeof(path), "%s/regular", tmpdir);
	bad = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	TEST_ASSERT(bad >= 0 && ftruncate(bad, BAR2_SIZE) == 0, "file");
	unlink(path);
	ret = rte_vfio_user_server_set_region_fd(dev_a.srv, 2, bad);
	close(bad);
	TEST_ASSERT_EQUAL(ret, -EPERM, "a regular file: %d", ret);
	bad = memfd_create("vfu-test-small", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	TEST_ASSERT(bad >= 0 && ftruncate(bad, 2 * T_PG) == 0, "memfd");
	ret = rte_vfio_user_server_set_region_fd(dev_a.srv, 2, bad);
	close(bad);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "a memfd smaller than the sparse areas: %d", ret);

	/* replaced while no client is connected */
	TEST_ASSERT_SUCCESS(rte_vfio_user_server_set_region_fd(dev_a.srv, 2, fd), "replace");
	TEST_ASSERT(ftruncate(fd, 0) < 0, "the new fd was not sealed");
	close(fd); /* the library has its own */
	cli = connect_client(dev_a.path);
	TEST_ASSERT_NOT_NULL(cli, "connect");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_info(cli, 2, &ri), "BAR2 info");
	TEST_ASSERT(ri.fd >= 0 && file_ino(ri.fd, &ino_got) == 0, "fd");
	TEST_ASSERT_EQUAL(ino_got, ino_new, "REGION_INFO handed out the old fd");
	a = rte_vfio_user_client_region_mmap(cli, 2, 0);
	TEST_ASSERT(a != NULL && a[0] == 'N', "the client does not see the new memory");

	/* refused from another thread while a client is connected */
	fd3 = memfd_create("vfu-test-bar2-3", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	TEST_ASSERT(fd3 >= 0 && ftruncate(fd3, BAR2_SIZE) == 0, "memfd");
	TEST_ASSERT_SUCCESS(file_ino(fd3, &ino_third), "fstat");
	ret = rte_vfio_user_server_set_region_fd(dev_a.srv, 2, fd3);
	TEST_ASSERT_EQUAL(ret, -EBUSY, "replaced under a connected client: %d", ret);

	/* the disconnected callback replaces it for the next client */
	dev_a.swap_ret = 1;
	dev_a.swap_fd = fd3;
	rte_vfio_user_client_close(cli);
	cli = NULL;
	TEST_ASSERT(wait_u32(&dev_a.n_disconnected, 1, WAIT_MS), "disconnect");
	close(fd3);
	TEST_ASSERT_EQUAL(dev_a.swap_ret, 0, "set_region_fd in the disconnected callback");
	cli = connect_client(dev_a.path);
	TEST_ASSERT_NOT_NULL(cli, "reconnect");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_info(cli, 2, &ri), "BAR2 info");
	TEST_ASSERT(ri.fd >= 0 && file_ino(ri.fd, &ino_got) == 0, "fd");
	TEST_ASSERT_EQUAL(ino_got, ino_third, "the second client got an old fd");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------ hostile fds */

/* A FIFO in tmpdir opened read-write (so that it never blocks). */
static int
fifo_new(void)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	unlink(path);
	if (mkfifo(path, 0600) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CLOEXEC);
	unlink(path);
	return fd;
}

/* An unlinked regular file of size bytes in tmpdir (not sealable). */
static int
file_new(size_t size)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/file", tmpdir);
	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	unlink(path);
	if (fd >= 0 && ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

enum bad_fd {
	BAD_PIPE,
	BAD_FIFO,
	BAD_FILE,
	BAD_SOCKET,
	BAD_MEMFD,
	BAD_DIR,
	NR_BAD
};
static const char *const bad_fd_name[NR_BAD] = {"pipe",	  "FIFO",  "regular file",
						"socket", "memfd", "directory"};

/*
 * A descriptor of a kind; *peer is the other end for a pipe (its read
 * end, already closed: a write raises SIGPIPE) and a socket.
 */
static int
bad_fd_new(enum bad_fd kind, size_t size)
{
	int p[2], fd = -1;

	switch (kind) {
	case BAD_PIPE:
		if (pipe2(p, O_CLOEXEC) < 0)
			return -1;
		close(p[0]);
		return p[1];
	case BAD_FIFO:
		return fifo_new();
	case BAD_FILE:
		return file_new(size);
	case BAD_SOCKET:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0)
			return -1;
		close(p[1]);
		return p[0];
	case BAD_MEMFD: /* not sealed */
		fd = memfd_create("vfu-test-unsealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		if (fd >= 0 && ftruncate(fd, (off_t)size) < 0) {
			close(fd);
			fd = -1;
		}
		return fd;
	case BAD_DIR:
		return open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	default:
		return -1;
	}
}

/*
 * SET_IRQS with anything but eventfds is refused as a whole, nothing is
 * kept, and the server goes on serving; an eventfd the client made
 * blocking and filled does not block a trigger.
 */
static int
test_irq_fd_not_eventfd(void)
{
	int fds[2] = {-1, -1}, base, ret, k;
	uint64_t full = UINT64_MAX - 1;
	unsigned int changes;
	uint32_t v = 0;

	base = count_fds();
	changes = ld(&dev_a.n_irq_change);
	for (k = 0; k < NR_BAD; k++) {
		fds[0] = efd_new();
		fds[1] = bad_fd_new((enum bad_fd)k, T_PG);
		TEST_ASSERT(fds[0] >= 0 && fds[1] >= 0, "%s", bad_fd_name[k]);
		ret = rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 0, 2, fds);
		close_all(fds, 2);
		TEST_ASSERT_EQUAL(ret, -EINVAL, "a %s as an eventfd: %d", bad_fd_name[k], ret);
		TEST_ASSERT_EQUAL(rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 0),
				  -ENOENT, "the eventfd before the %s was kept", bad_fd_name[k]);
		TEST_ASSERT_EQUAL(rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 1),
				  -ENOENT, "the %s was kept", bad_fd_name[k]);
		TEST_ASSERT_EQUAL(wait_fds(base), base, "fds of a refused SET_IRQS kept (%s)",
				  bad_fd_name[k]);
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(cli, 0, 0, &v, 4),
				    "not served after a %s", bad_fd_name[k]);
	}
	TEST_ASSERT_EQUAL(ld(&dev_a.n_irq_change), changes, "irq_change for a refused SET_IRQS");

	/* an eventfd is fine; made blocking and full, a trigger still returns */
	fds[0] = efd_new();
	TEST_ASSERT(fds[0] >= 0, "eventfd");
	ret = rte_vfio_user_client_set_irqs(cli, RTE_VFIO_USER_IRQ_MSIX, 0, 1, fds);
	if (ret == 0)
		ret = rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 0);
	if (ret == 0 && efd_take(fds[0]) != 1)
		ret = -1;
	if (ret == 0 &&
	    (fcntl(fds[0], F_SETFL, 0) < 0 ||
	     write(fds[0], &full, sizeof(full)) != (ssize_t)sizeof(full)))
		ret = -2;
	if (ret == 0)
		ret = rte_vfio_user_irq_trigger(dev_a.srv, RTE_VFIO_USER_IRQ_MSIX, 0);
	close(fds[0]);
	TEST_ASSERT_EQUAL(ret, 0, "eventfd: %d", ret);
	return TEST_SUCCESS;
}

/* A DMA_MAP with fd of length len at IOVA_A; -errno or 0. */
static int
dma_map_fd(struct rte_vfio_user_client *c, int fd, uint64_t len)
{
	return rte_vfio_user_client_dma_map(c, fd, 0, IOVA_A, len,
					    RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE);
}

/*
 * DMA memory: by default only files sealed against shrinking; with the
 * trust flag, any regular file; never sockets, pipes, FIFOs, directories.
 */
static int
dma_fd_kinds(struct tdev *d, struct rte_vfio_user_client *c, bool trust)
{
	int fd, base, maps, ret, k;
	uint32_t v = 0;

	base = count_fds();
	maps = count_maps();
	for (k = 0; k < NR_BAD; k++) {
		bool ok = trust && (k == BAD_FILE || k == BAD_MEMFD);

		fd = bad_fd_new((enum bad_fd)k, GUEST_SIZE);
		TEST_ASSERT(fd >= 0, "%s", bad_fd_name[k]);
		ret = dma_map_fd(c, fd, GUEST_SIZE);
		close(fd);
		if (ok) {
			TEST_ASSERT_EQUAL(ret, 0, "a %s refused with trust: %d", bad_fd_name[k],
					  ret);
			TEST_ASSERT_NOT_NULL(rte_vfio_user_dma_translate(d->srv, IOVA_A, 8, 3),
					     "not mapped");
			TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(c, IOVA_A, GUEST_SIZE),
					    "unmap");
		} else {
			TEST_ASSERT_EQUAL(ret, -EPERM, "a %s as DMA memory%s: %d", bad_fd_name[k],
					  trust ? " (trusted)" : "", ret);
		}
		TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(d->srv, NULL, 0), 0, "%s mapped",
				  bad_fd_name[k]);
		TEST_ASSERT_EQUAL(wait_fds(base), base, "fd kept (%s)", bad_fd_name[k]);
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_read(c, 0, 0, &v, 4),
				    "not served after a %s", bad_fd_name[k]);
	}
	/* a sealed memfd is taken; still checked against its size */
	fd = sealed_memfd("vfu-test-sealed", GUEST_SIZE);
	TEST_ASSERT(fd >= 0, "memfd");
	ret = dma_map_fd(c, fd, 2 * GUEST_SIZE);
	if (ret == -EINVAL)
		ret = dma_map_fd(c, fd, GUEST_SIZE);
	else
		ret = -1000;
	close(fd);
	TEST_ASSERT_EQUAL(ret, 0, "sealed memfd: %d", ret);
	TEST_ASSERT_NOT_NULL(rte_vfio_user_dma_translate(d->srv, IOVA_A, GUEST_SIZE, 3),
			     "not mapped");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(c, IOVA_A, GUEST_SIZE), "unmap");
	/* a failed mmap (writable map of a write-sealed file) leaves nothing */
	fd = sealed_memfd("vfu-test-wsealed", GUEST_SIZE);
	TEST_ASSERT(fd >= 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == 0, "memfd");
	ret = dma_map_fd(c, fd, GUEST_SIZE);
	if (ret == -EPERM)
		ret = rte_vfio_user_client_dma_map(c, fd, 0, IOVA_A, GUEST_SIZE,
						   RTE_VFIO_USER_DMA_READ);
	else
		ret = ret == 0 ? -2000 : ret;
	close(fd);
	TEST_ASSERT_EQUAL(ret, 0, "write-sealed memfd: rw refused, read-only taken: %d", ret);
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(d->srv, NULL, 0), 1, "table");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(c, IOVA_A, GUEST_SIZE), "unmap");
	TEST_ASSERT_EQUAL(wait_fds(base), base, "fds");
	TEST_ASSERT_EQUAL(count_maps(), maps, "mappings left");
	return TEST_SUCCESS;
}

static int
test_dma_fd_kinds(void)
{
	return dma_fd_kinds(&dev_a, cli, false);
}

static int
test_dma_fd_kinds_trusted(void)
{
	int ret;

	tdev_flags = RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY;
	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "trust.sock", true), "trusting server");
	cli = connect_client(dev_b.path);
	TEST_ASSERT_NOT_NULL(cli, "connect");
	ret = dma_fd_kinds(&dev_b, cli, true);
	if (ret != TEST_SUCCESS)
		return ret;
	rte_vfio_user_client_close(cli);
	cli = NULL;
	TEST_ASSERT(wait_u32(&dev_b.n_disconnected, 1, WAIT_MS), "disconnect");
	return TEST_SUCCESS;
}

/* The default limit of DMA maps (2048) holds; maps without fd count too. */
static int
test_dma_map_limit(void)
{
	const uint32_t rw = RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE;
	uint32_t i;
	int fd, ret = 0;

	tdev_max_dma_maps = 0;
	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "limit.sock", true), "server");
	cli = connect_client(dev_b.path);
	TEST_ASSERT_NOT_NULL(cli, "connect");
	TEST_ASSERT_EQUAL(rte_vfio_user_client_caps(cli)->max_dma_maps, 2048, "offered");
	for (i = 0; i < 2048 && ret == 0; i++)
		ret = rte_vfio_user_client_dma_map(cli, -1, 0, IOVA_A + (uint64_t)i * T_PG, T_PG,
						   rw);
	TEST_ASSERT_EQUAL(ret, 0, "map %u: %d", i - 1, ret);
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_b.srv, NULL, 0), 2048, "table");
	fd = sealed_memfd("vfu-test-limit", T_PG);
	TEST_ASSERT(fd >= 0, "memfd");
	ret = rte_vfio_user_client_dma_map(cli, fd, 0, IOVA_E << 8, T_PG, rw);
	if (ret == -ENOSPC)
		ret = rte_vfio_user_client_dma_map(cli, -1, 0, IOVA_E << 8, T_PG, rw);
	close(fd);
	TEST_ASSERT_EQUAL(ret, -ENOSPC, "map 2049: %d", ret);
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_b.srv, NULL, 0), 2048, "table");
	/* one unmapped, one more fits */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(cli, IOVA_A, T_PG), "unmap");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_map(cli, -1, 0, IOVA_E << 8, T_PG, rw),
			    "map after unmap");
	rte_vfio_user_client_close(cli);
	cli = NULL;
	TEST_ASSERT(wait_u32(&dev_b.n_disconnected, 1, WAIT_MS), "disconnect");
	TEST_ASSERT_EQUAL(rte_vfio_user_dma_table(dev_b.srv, NULL, 0), 0, "table");
	return TEST_SUCCESS;
}

/* The configuration space is back to power-on before `disconnected`. */
static int
test_disconnect_cfg_reset(void)
{
	uint16_t cmd = 0x0006, v = 0;
	uint8_t msix[2];

	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cli, RTE_VFIO_USER_REGION_CONFIG, 4,
							      &cmd, 2, false),
			    "write COMMAND");
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_read(dev_a.srv, 4, &v, 2), "read");
	TEST_ASSERT_EQUAL(v & 0x6, 0x6, "COMMAND not written (0x%x)", v);
	/* MSI-X enable (message control bit 15) */
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_read(dev_a.srv, dev_a.msix_off + 2u, msix, 2),
			    "read");
	msix[1] |= 0x80;
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_region_write(cli, RTE_VFIO_USER_REGION_CONFIG,
							      dev_a.msix_off + 2u, msix, 2, false),
			    "enable MSI-X");
	rte_vfio_user_client_close(cli);
	cli = NULL;
	TEST_ASSERT(wait_u32(&dev_a.n_disconnected, 1, WAIT_MS), "disconnect");
	TEST_ASSERT_EQUAL(dev_a.cmd_at_disconnect, 0, "COMMAND at the disconnected callback: 0x%x",
			  dev_a.cmd_at_disconnect);
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_read(dev_a.srv, 4, &v, 2), "read");
	TEST_ASSERT_EQUAL(v, 0, "COMMAND after disconnect: 0x%x", v);
	TEST_ASSERT_SUCCESS(rte_vfio_user_pci_cfg_read(dev_a.srv, dev_a.msix_off + 2u, msix, 2),
			    "read");
	TEST_ASSERT_EQUAL(msix[1] & 0x80, 0, "MSI-X still enabled");
	cli = connect_client(dev_a.path);
	TEST_ASSERT_NOT_NULL(cli, "reconnect");
	v = 0xffff;
	TEST_ASSERT_SUCCESS(
		rte_vfio_user_client_region_read(cli, RTE_VFIO_USER_REGION_CONFIG, 4, &v, 2),
		"read");
	TEST_ASSERT_EQUAL(v, 0, "the next client sees COMMAND 0x%x", v);
	return TEST_SUCCESS;
}

/* ------------------------------------------------------ slow readers */

/* Queue up to max REGION_READs of BAR0 (4 KiB each) without waiting. */
static unsigned int
flood_reads(int s, unsigned int max)
{
	uint8_t msg[VFIO_USER_HDR_SIZE + VFIO_USER_REGION_ACCESS_SIZE];
	struct vfio_user_region_access acc;
	struct vfio_user_hdr h;
	unsigned int n;

	memset(&acc, 0, sizeof(acc));
	acc.region = RTE_VFIO_USER_REGION_BAR0;
	acc.count = BAR0_SIZE;
	vfio_user_region_access_encode(msg + VFIO_USER_HDR_SIZE, VFIO_USER_REGION_ACCESS_SIZE, &acc,
				       NULL);
	for (n = 0; n < max; n++) {
		memset(&h, 0, sizeof(h));
		h.msg_id = (uint16_t)n;
		h.cmd = VFIO_USER_CMD_REGION_READ;
		h.size = sizeof(msg);
		h.flags = VFIO_USER_F_TYPE_COMMAND;
		vfio_user_hdr_encode(msg, &h);
		/* one small send goes whole or not at all */
		if (send(s, msg, sizeof(msg), MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)sizeof(msg))
			break;
	}
	return n;
}

/* Read and drop whatever is there; @return bytes, or -1 on EOF/error. */
static long
drain_sock(int s)
{
	uint8_t buf[8192];
	long total = 0;
	ssize_t n;

	while ((n = recv(s, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		total += n;
	if (n == 0 || (n < 0 && errno != EAGAIN))
		return -1;
	return total;
}

/*
 * Test entry vfio_user_server_handle_input(): a client that does not read its
 * replies does not block it; the connection is not read meanwhile, goes on
 * when the client reads, and is dropped when it does not within
 * VFIO_USER_SRV_SEND_TIMEOUT_MS.
 */
static int
test_slow_reader_attached(void)
{
	uint8_t pl[512];
	struct vfio_user_hdr h;
	unsigned int sent, calls;
	int sv[2], ret;

	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "attached.sock", false), "server");
	TEST_ASSERT_SUCCESS(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
	ret = vfio_user_server_attach(dev_b.srv, sv[1]);
	if (ret != 0) {
		close(sv[0]);
		close(sv[1]);
		TEST_ASSERT(false, "attach: %d", ret);
	}
	ret = raw_send(sv[0], 1, VFIO_USER_CMD_VERSION, pl, version_payload(pl, 0, 0, qemu_json),
		       NULL, 0);
	if (ret == 0)
		ret = vfio_user_server_handle_input(dev_b.srv);
	if (ret == 0)
		ret = raw_recv(sv[0], &h, NULL, RAW_TIMEOUT_MS) > 0 ? 0 : -1;
	if (ret != 0)
		goto fail;

	sent = flood_reads(sv[0], 400);
	ret = vfio_user_server_handle_input(dev_b.srv); /* returns, not waiting for room */
	calls = ld(&dev_b.bar0_calls);
	if (ret != 0 || sent < 100 || calls == 0 || calls >= sent) {
		printf("flood of %u: handle_input %d, %u handled\n", sent, ret, calls);
		goto fail;
	}
	/* not read while the reply is pending */
	ret = vfio_user_server_handle_input(dev_b.srv);
	if (ret != 0 || ld(&dev_b.bar0_calls) != calls) {
		printf("read on with a reply pending: %d, %u handled\n", ret,
		       ld(&dev_b.bar0_calls));
		goto fail;
	}
	/* the client reads: the server goes on */
	if (drain_sock(sv[0]) <= 0 || vfio_user_server_handle_input(dev_b.srv) != 0 ||
	    ld(&dev_b.bar0_calls) <= calls) {
		printf("no progress after the client read\n");
		goto fail;
	}
	/* and stops reading: dropped after the timeout */
	sleep_ms(VFIO_USER_SRV_SEND_TIMEOUT_MS + 100);
	ret = vfio_user_server_handle_input(dev_b.srv);
	if (ret != -ETIMEDOUT || ld(&dev_b.n_disconnected) != 1) {
		printf("a stalled client was not dropped: %d\n", ret);
		goto fail;
	}
	TEST_ASSERT_EQUAL(vfio_user_server_handle_input(dev_b.srv), -ENOTCONN, "still attached");
	while (drain_sock(sv[0]) > 0)
		;
	TEST_ASSERT_EQUAL(drain_sock(sv[0]), -1, "the server did not close its end");
	close(sv[0]);
	return TEST_SUCCESS;

fail:
	vfio_user_server_detach(dev_b.srv);
	close(sv[0]);
	return TEST_FAILED;
}

/*
 * Control thread: a client flooding reads it does not take stalls only
 * itself; another device's client is answered while it is still connected,
 * then it is dropped and its device serves again.
 */
static int
test_slow_reader_others_served(void)
{
	unsigned int sent, calls, i;
	uint64_t end;
	uint32_t v;
	int s;

	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "slow.sock", true), "second server");
	dev_a.bar0[0x10] = 0x5a;
	s = raw_open(dev_b.path, NULL);
	TEST_ASSERT(s >= 0, "raw open");
	sent = flood_reads(s, 1000);
	if (sent < 100 || !wait_u32(&dev_b.bar0_calls, 1, WAIT_MS)) {
		close(s);
		TEST_ASSERT(false, "flood of %u not handled", sent);
	}
	sleep_ms(50); /* let the server fill the socket */
	for (i = 0; i < 20; i++) {
		v = 0;
		if (rte_vfio_user_client_region_read(cli, 0, 0x10, &v, 1) != 0 || v != 0x5a) {
			close(s);
			TEST_ASSERT(false, "the other device's read %u failed", i);
		}
	}
	calls = ld(&dev_b.bar0_calls);
	if (!rte_vfio_user_server_connected(dev_b.srv) || ld(&dev_b.n_disconnected) != 0 ||
	    calls >= sent) {
		close(s);
		TEST_ASSERT(false, "the slow client is not stalled (%u of %u handled)", calls,
			    sent);
	}
	/* dropped after the send timeout */
	end = now_ms() + VFIO_USER_SRV_SEND_TIMEOUT_MS + WAIT_MS;
	while (ld(&dev_b.n_disconnected) == 0 && now_ms() < end)
		sleep_ms(10);
	TEST_ASSERT_EQUAL(ld(&dev_b.n_disconnected), 1, "the slow client was not dropped");
	while (drain_sock(s) > 0)
		;
	TEST_ASSERT_EQUAL(drain_sock(s), -1, "not closed");
	close(s);
	/* b serves again, a was never disturbed */
	s = raw_open(dev_b.path, NULL);
	TEST_ASSERT(s >= 0, "b refuses a new client");
	TEST_ASSERT_SUCCESS(raw_check_alive(s), "b unusable");
	close(s);
	TEST_ASSERT(rte_vfio_user_server_connected(dev_a.srv), "a lost its client");
	TEST_ASSERT_EQUAL(ld(&dev_a.n_disconnected), 0, "a disconnected");
	return TEST_SUCCESS;
}

struct flooder {
	int sock;
	bool stop; /* atomic */
	unsigned int sent; /* atomic */
};

/* Posted BAR0 writes (no replies) as fast as the socket takes them. */
static void *
flood_posted_writes(void *arg)
{
	struct flooder *f = arg;
	uint8_t msg[VFIO_USER_HDR_SIZE + VFIO_USER_REGION_ACCESS_SIZE + 4];
	struct vfio_user_region_access acc;
	struct vfio_user_hdr h;
	static const uint8_t data[4] = {0x44, 0x33, 0x22, 0x11};

	memset(&acc, 0, sizeof(acc));
	acc.region = RTE_VFIO_USER_REGION_BAR0;
	acc.offset = 0x20;
	acc.count = 4;
	acc.data = data;
	vfio_user_region_access_encode(msg + VFIO_USER_HDR_SIZE, sizeof(msg) - VFIO_USER_HDR_SIZE,
				       &acc, NULL);
	memset(&h, 0, sizeof(h));
	h.cmd = VFIO_USER_CMD_REGION_WRITE;
	h.size = sizeof(msg);
	h.flags = VFIO_USER_F_TYPE_COMMAND | VFIO_USER_F_NO_REPLY;
	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd pfd = {.fd = f->sock, .events = POLLOUT};

		h.msg_id++;
		vfio_user_hdr_encode(msg, &h);
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (send(f->sock, msg, sizeof(msg), MSG_NOSIGNAL) != (ssize_t)sizeof(msg))
			break;
		__atomic_fetch_add(&f->sent, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * A client whose socket always has input (posted writes, nothing to send
 * back) does not starve another device's client.
 */
static int
test_flooding_client_others_served(void)
{
	struct flooder f = {.sock = -1};
	pthread_t th;
	unsigned int i, fails = 0;
	uint32_t v;

	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "flood.sock", true), "second server");
	dev_a.bar0[0x10] = 0xa5;
	f.sock = raw_open(dev_b.path, NULL);
	TEST_ASSERT(f.sock >= 0, "raw open");
	if (pthread_create(&th, NULL, flood_posted_writes, &f) != 0) {
		close(f.sock);
		TEST_ASSERT(false, "thread");
	}
	wait_u32(&dev_b.bar0_calls, 1000, WAIT_MS);
	for (i = 0; i < 200; i++) {
		v = 0;
		if (rte_vfio_user_client_region_read(cli, 0, 0x10, &v, 1) != 0 || v != 0xa5)
			fails++;
	}
	__atomic_store_n(&f.stop, true, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	close(f.sock);
	TEST_ASSERT(ld(&dev_b.bar0_calls) >= 1000, "the flood was not served (%u)",
		    ld(&dev_b.bar0_calls));
	TEST_ASSERT_EQUAL(fails, 0, "%u of 200 reads of the other device failed", fails);
	TEST_ASSERT_EQUAL(ld(&dev_a.n_disconnected), 0, "a disconnected");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------- lifecycle */

static int
bad_conf(struct rte_vfio_user_server_conf *conf, int want_errno, const char *what)
{
	struct rte_vfio_user_server *srv;

	rte_errno = 0;
	srv = rte_vfio_user_server_create(conf);
	if (srv != NULL) {
		printf("create accepted %s\n", what);
		rte_vfio_user_server_destroy(srv);
		return -1;
	}
	if (rte_errno != want_errno) {
		printf("create with %s: errno %d, expected %d\n", what, rte_errno, want_errno);
		return -1;
	}
	return 0;
}

/* The files the region rows of test_create_checks() give. */
enum region_fd {
	FD_NONE, /* -1 */
	FD_GOOD, /* a sealable memfd of 4 pages */
	FD_UNSEALABLE, /* a memfd without MFD_ALLOW_SEALING */
	FD_SMALL, /* a sealable memfd of 2 pages */
	FD_SEALED, /* a memfd of 2 pages sealed with F_SEAL_SEAL */
	FD_KINDS
};

static int
test_create_checks(void)
{
	/*
	 * Region declarations, each refused (or, the last of a kind, accepted)
	 * on a server at the limits; sparse areas as {offset, size}.
	 */
	static const struct region_case {
		const char *what;
		uint32_t index;
		uint64_t size;
		uint32_t flags;
		enum region_fd fd;
		uint32_t nr_sparse;
		uint64_t sparse[2][2];
		int ret;
	} regions[] = {
		{"index 7", 7, 4 * T_PG, RTE_VFIO_USER_REGION_READ, FD_GOOD, 0, {{0}}, -EINVAL},
		{"unknown flag", 0, 4 * T_PG, 0x8, FD_GOOD, 0, {{0}}, -EINVAL},
		{"unaligned sparse area",
		 0,
		 4 * T_PG,
		 RTE_VFIO_USER_REGION_READ,
		 FD_GOOD,
		 1,
		 {{100, T_PG}},
		 -EINVAL},
		{"sparse area outside",
		 0,
		 4 * T_PG,
		 RTE_VFIO_USER_REGION_READ,
		 FD_GOOD,
		 1,
		 {{3 * T_PG, 2 * T_PG}},
		 -EINVAL},
		{"sparse areas overlap",
		 0,
		 4 * T_PG,
		 RTE_VFIO_USER_REGION_READ,
		 FD_GOOD,
		 2,
		 {{0, 2 * T_PG}, {T_PG, T_PG}},
		 -EINVAL},
		{"sparse areas without fd",
		 0,
		 4 * T_PG,
		 RTE_VFIO_USER_REGION_READ,
		 FD_NONE,
		 2,
		 {{0, 2 * T_PG}, {2 * T_PG, T_PG}},
		 -EINVAL},
		{"too many sparse areas",
		 0,
		 4 * T_PG,
		 RTE_VFIO_USER_REGION_READ,
		 FD_GOOD,
		 RTE_VFIO_USER_MAX_SPARSE + 1,
		 {{0, 2 * T_PG}, {2 * T_PG, T_PG}},
		 -EINVAL},
		{"size not a power of two",
		 0,
		 3 * T_PG,
		 RTE_VFIO_USER_REGION_READ,
		 FD_GOOD,
		 2,
		 {{0, 2 * T_PG}, {2 * T_PG, T_PG}},
		 -EINVAL},
		{"two sparse areas",
		 0,
		 4 * T_PG,
		 RTE_VFIO_USER_REGION_READ,
		 FD_GOOD,
		 2,
		 {{0, 2 * T_PG}, {2 * T_PG, T_PG}},
		 0},
		/* Region files must take seals and cover the mmappable part. */
		{"a file without sealing",
		 0,
		 4 * T_PG,
		 RTE_VFIO_USER_REGION_READ,
		 FD_UNSEALABLE,
		 2,
		 {{0, 2 * T_PG}, {2 * T_PG, T_PG}},
		 -EPERM},
		{"a file smaller than the areas",
		 0,
		 4 * T_PG,
		 RTE_VFIO_USER_REGION_READ,
		 FD_SMALL,
		 2,
		 {{0, 2 * T_PG}, {2 * T_PG, T_PG}},
		 -EINVAL},
		{"a file sealed against seals",
		 2,
		 4 * T_PG,
		 RTE_VFIO_USER_REGION_READ,
		 FD_SEALED,
		 1,
		 {{0, T_PG}},
		 -EPERM},
	};
	struct rte_vfio_user_server_conf conf, c;
	struct rte_vfio_user_region_conf r;
	struct rte_vfio_user_server *srv;
	int fds[FD_KINDS];
	char longpath[200];
	unsigned int i;
	int fail = 0;

	memset(&conf, 0, sizeof(conf));
	snprintf(longpath, sizeof(longpath), "%s/x.sock", tmpdir);
	conf.path = longpath;
	fail |= bad_conf(NULL, EINVAL, "NULL");
	c = conf, c.path = NULL;
	fail |= bad_conf(&c, EINVAL, "no path");
	c = conf, c.path = "";
	fail |= bad_conf(&c, EINVAL, "empty path");
	c = conf, c.irq_count[RTE_VFIO_USER_IRQ_INTX] = 2;
	fail |= bad_conf(&c, EINVAL, "2 INTx");
	c = conf, c.irq_count[RTE_VFIO_USER_IRQ_MSI] = 33;
	fail |= bad_conf(&c, EINVAL, "33 MSI");
	c = conf, c.irq_count[RTE_VFIO_USER_IRQ_MSIX] = 2049;
	fail |= bad_conf(&c, EINVAL, "2049 MSI-X");
	c = conf, c.irq_count[RTE_VFIO_USER_IRQ_ERR] = 2;
	fail |= bad_conf(&c, EINVAL, "2 ERR");
	c = conf, c.irq_count[RTE_VFIO_USER_IRQ_REQ] = 2;
	fail |= bad_conf(&c, EINVAL, "2 REQ");
	c = conf, c.socket_mode = 01777;
	fail |= bad_conf(&c, EINVAL, "sticky mode");
	c = conf, c.pci_id.class_code = 0x1000000;
	fail |= bad_conf(&c, EINVAL, "25-bit class");
	c = conf, c.flags = 0x2;
	fail |= bad_conf(&c, EINVAL, "unknown flag");
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	longpath[0] = '/';
	c = conf;
	fail |= bad_conf(&c, ENAMETOOLONG, "a long path");
	TEST_ASSERT_EQUAL(fail, 0, "bad configurations accepted");

	/* the limits themselves are fine */
	snprintf(longpath, sizeof(longpath), "%s/x.sock", tmpdir);
	c = conf;
	c.irq_count[RTE_VFIO_USER_IRQ_INTX] = 1;
	c.irq_count[RTE_VFIO_USER_IRQ_MSI] = 32;
	c.irq_count[RTE_VFIO_USER_IRQ_MSIX] = 2048;
	c.irq_count[RTE_VFIO_USER_IRQ_ERR] = 1;
	c.irq_count[RTE_VFIO_USER_IRQ_REQ] = 1;
	srv = rte_vfio_user_server_create(&c);
	TEST_ASSERT_NOT_NULL(srv, "create at the limits");

	/* The region files of the rows below. */
	fds[FD_NONE] = -1;
	fds[FD_GOOD] = memfd_create("vfu-test-r", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	fds[FD_UNSEALABLE] = memfd_create("vfu-test-r", MFD_CLOEXEC);
	fds[FD_SMALL] = memfd_create("vfu-test-r", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	fds[FD_SEALED] = memfd_create("vfu-test-r", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fds[FD_GOOD] < 0 || ftruncate(fds[FD_GOOD], 4 * T_PG) != 0 || fds[FD_UNSEALABLE] < 0 ||
	    ftruncate(fds[FD_UNSEALABLE], 4 * T_PG) != 0 || fds[FD_SMALL] < 0 ||
	    ftruncate(fds[FD_SMALL], 2 * T_PG) != 0 || fds[FD_SEALED] < 0 ||
	    ftruncate(fds[FD_SEALED], 2 * T_PG) != 0 ||
	    fcntl(fds[FD_SEALED], F_ADD_SEALS, F_SEAL_SEAL) != 0) {
		printf("memfd: %s\n", strerror(errno));
		fail = 1;
		goto out;
	}
	for (i = 0; i < RTE_DIM(regions); i++) {
		const struct region_case *rc = &regions[i];
		int ret;

		memset(&r, 0, sizeof(r));
		r.size = rc->size;
		r.flags = rc->flags;
		r.fd = fds[rc->fd];
		r.nr_sparse = rc->nr_sparse;
		r.sparse[0].offset = rc->sparse[0][0];
		r.sparse[0].size = rc->sparse[0][1];
		r.sparse[1].offset = rc->sparse[1][0];
		r.sparse[1].size = rc->sparse[1][1];
		ret = rte_vfio_user_server_set_region(srv, rc->index, &r);
		if (ret != rc->ret) {
			printf("region %u: \"%s\": %d, expected %d\n", rc->index, rc->what, ret,
			       rc->ret);
			fail = 1;
		}
	}
	/* The MSI-X table must fit in a declared BAR. */
	if (rte_vfio_user_pci_msix_cap_add(srv, 1, 0, 1, 0x800, NULL) == 0) {
		printf("MSI-X table in an undeclared BAR accepted\n");
		fail = 1;
	}
	if (rte_vfio_user_pci_msix_cap_add(srv, 0, 0, 0, 4 * T_PG - 8, NULL) == 0) {
		printf("MSI-X structures past their BAR accepted\n");
		fail = 1;
	}
out:
	for (i = 0; i < RTE_DIM(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	rte_vfio_user_server_destroy(srv);
	rte_vfio_user_server_destroy(NULL);
	TEST_ASSERT_EQUAL(fail, 0, "bad regions accepted, or a good one refused");
	return TEST_SUCCESS;
}

static int
test_lifecycle(void)
{
	struct rte_vfio_user_region_conf r;
	struct sockaddr_un sa;
	struct stat st;
	char path[96];
	int s, fd;

	/* start creates the socket; configuration is then frozen */
	TEST_ASSERT_SUCCESS(tdev_init(&dev_a, "life.sock", true), "start");
	TEST_ASSERT_SUCCESS(lstat(dev_a.path, &st), "no socket file");
	TEST_ASSERT(S_ISSOCK(st.st_mode), "not a socket");
	TEST_ASSERT_EQUAL(st.st_mode & 0777, 0600, "default mode");
	TEST_ASSERT(strcmp(rte_vfio_user_server_path(dev_a.srv), dev_a.path) == 0, "path");
	memset(&r, 0, sizeof(r));
	r.size = T_PG;
	r.flags = RTE_VFIO_USER_REGION_READ;
	r.fd = -1;
	TEST_ASSERT_EQUAL(rte_vfio_user_server_set_region(dev_a.srv, 1, &r), -EBUSY,
			  "set_region after start");
	TEST_ASSERT_EQUAL(rte_vfio_user_pci_exp_cap_add(dev_a.srv, NULL), -EBUSY,
			  "cap after start");
	TEST_ASSERT_EQUAL(rte_vfio_user_server_start(dev_a.srv), -EBUSY, "second start");

	/* a second server on the same path */
	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "life.sock", false), "create b");
	TEST_ASSERT_EQUAL(rte_vfio_user_server_start(dev_b.srv), -EADDRINUSE,
			  "two servers on one path");
	tdev_free(&dev_b);
	TEST_ASSERT_SUCCESS(lstat(dev_a.path, &st), "the failed start removed a's socket");
	cli = connect_client(dev_a.path);
	TEST_ASSERT_NOT_NULL(cli, "a no longer serves");

	/* destroy with a client: it is disconnected, the file removed */
	rte_vfio_user_server_destroy(dev_a.srv);
	dev_a.srv = NULL;
	TEST_ASSERT_EQUAL(ld(&dev_a.n_disconnected), 1, "destroy did not disconnect");
	TEST_ASSERT(lstat(dev_a.path, &st) < 0 && errno == ENOENT, "socket file left");
	TEST_ASSERT(rte_vfio_user_client_device_info(cli, &(struct rte_vfio_user_device_info){0}) <
			    0,
		    "client served after destroy");
	rte_vfio_user_client_close(cli);
	cli = NULL;
	tdev_free(&dev_a);

	/* a stale socket file is replaced */
	snprintf(path, sizeof(path), "%s/stale.sock", tmpdir);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	TEST_ASSERT(s >= 0, "socket");
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	TEST_ASSERT_SUCCESS(bind(s, (struct sockaddr *)&sa, sizeof(sa)), "bind");
	close(s);
	TEST_ASSERT_SUCCESS(lstat(path, &st), "stale file");
	TEST_ASSERT_SUCCESS(tdev_init(&dev_a, "stale.sock", true), "start over a stale socket");
	cli = connect_client(dev_a.path);
	TEST_ASSERT_NOT_NULL(cli, "not served after replacing a stale socket");
	rte_vfio_user_client_close(cli);
	cli = NULL;
	tdev_free(&dev_a);
	TEST_ASSERT(lstat(path, &st) < 0, "stale.sock left");

	/* a regular file is not touched */
	snprintf(path, sizeof(path), "%s/file.sock", tmpdir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	TEST_ASSERT(fd >= 0, "create file");
	TEST_ASSERT_EQUAL(write(fd, "x", 1), 1, "write");
	close(fd);
	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "file.sock", false), "create");
	TEST_ASSERT_EQUAL(rte_vfio_user_server_start(dev_b.srv), -ENOTSOCK, "start over a file");
	tdev_free(&dev_b);
	TEST_ASSERT_SUCCESS(lstat(path, &st), "the file was removed");
	TEST_ASSERT(S_ISREG(st.st_mode) && st.st_size == 1, "the file was changed");
	unlink(path);

	/* a server that was never started leaves nothing */
	TEST_ASSERT_SUCCESS(tdev_init(&dev_b, "never.sock", false), "create");
	tdev_free(&dev_b);
	TEST_ASSERT(lstat(dev_b.path, &st) < 0, "never.sock exists");
	return TEST_SUCCESS;
}

static int
test_socket_mode(void)
{
	struct rte_vfio_user_server_conf conf;
	struct rte_vfio_user_server *srv;
	struct stat st;
	char path[128];

	snprintf(path, sizeof(path), "%s/mode.sock", tmpdir);
	memset(&conf, 0, sizeof(conf));
	conf.path = path;
	conf.socket_mode = 0660;
	srv = rte_vfio_user_server_create(&conf);
	TEST_ASSERT_NOT_NULL(srv, "create");
	if (rte_vfio_user_server_start(srv) != 0) {
		rte_vfio_user_server_destroy(srv);
		TEST_ASSERT(false, "start");
	}
	if (lstat(path, &st) != 0 || (st.st_mode & 0777) != 0660) {
		rte_vfio_user_server_destroy(srv);
		TEST_ASSERT(false, "mode 0%o", st.st_mode & 0777);
	}
	/* a device without regions or IRQs still negotiates */
	cli = connect_client(path);
	if (cli == NULL) {
		rte_vfio_user_server_destroy(srv);
		TEST_ASSERT(false, "connect");
	}
	/* max_dma_maps 0: the default */
	if (rte_vfio_user_client_caps(cli)->max_dma_maps != RTE_VFIO_USER_DEFAULT_MAX_DMA_MAPS ||
	    RTE_VFIO_USER_DEFAULT_MAX_DMA_MAPS != 2048) {
		rte_vfio_user_client_close(cli);
		cli = NULL;
		rte_vfio_user_server_destroy(srv);
		TEST_ASSERT(false, "default max_dma_maps");
	}
	rte_vfio_user_client_close(cli);
	cli = NULL;
	rte_vfio_user_server_destroy(srv);
	TEST_ASSERT(lstat(path, &st) < 0, "socket left");
	return TEST_SUCCESS;
}

/* ------------------------------------------------- non-blocking transport */

#define SR_PAY 8u
#define SR_MAX (VFIO_USER_HDR_SIZE + 64u)

/* A socketpair for the transport test; both ends non-blocking. */
static int
sock_rx_pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
}

/* One message of SR_PAY payload bytes ("abcdefgh"), msg_id id. */
static void
sock_rx_msg(uint8_t *msg, uint16_t id, uint32_t size)
{
	struct vfio_user_hdr h;

	memset(&h, 0, sizeof(h));
	h.msg_id = id;
	h.cmd = VFIO_USER_CMD_DEVICE_GET_INFO;
	h.size = size;
	vfio_user_hdr_encode(msg, &h);
	memcpy(msg + VFIO_USER_HDR_SIZE, "abcdefgh", SR_PAY);
}

/*
 * The server's transport (vfio_user_sock_rx, vfio_user_sock_send_nb),
 * never blocking: a message trickled in pieces with its descriptor on the
 * last one, too many descriptors, a bad header, EOF between and inside
 * messages, a failing recvmsg(), a reply the socket takes in parts (its
 * descriptor with the first), a peer that has gone.
 */
static int
test_sock_rx(void)
{
	uint8_t msg[VFIO_USER_HDR_SIZE + SR_PAY], buf[SR_MAX - VFIO_USER_HDR_SIZE];
	int sv[2], efd[VFIO_USER_SOCK_RX_MAX_FDS + 1], pfd[2], err = 0, fd, ret;
	static uint8_t big[512 * 1024];
	struct vfio_user_sock_rx rx;
	unsigned int i, got_fds = 0;
	uint32_t off = 0;
	size_t got = 0;

	memset(&rx, 0, sizeof(rx));
	for (i = 0; i < RTE_DIM(efd); i++)
		efd[i] = -1;
	TEST_ASSERT_SUCCESS(sock_rx_pair(sv), "socketpair");
	sock_rx_msg(msg, 7, sizeof(msg));

	/* Nothing yet, then the header in two pieces, then the payload. */
	TEST_ASSERT_EQUAL(vfio_user_sock_rx(sv[0], &rx, buf, SR_MAX, &err), VFIO_USER_SOCK_RX_AGAIN,
			  "empty socket");
	TEST_ASSERT_EQUAL(send(sv[1], msg, 3, 0), 3, "send");
	TEST_ASSERT_EQUAL(vfio_user_sock_rx(sv[0], &rx, buf, SR_MAX, &err), VFIO_USER_SOCK_RX_AGAIN,
			  "3 header bytes");
	TEST_ASSERT_EQUAL(rx.hdr_got, 3, "hdr_got %u", rx.hdr_got);
	TEST_ASSERT_EQUAL(send(sv[1], msg + 3, VFIO_USER_HDR_SIZE - 3, 0), VFIO_USER_HDR_SIZE - 3,
			  "send");
	TEST_ASSERT_EQUAL(vfio_user_sock_rx(sv[0], &rx, buf, SR_MAX, &err), VFIO_USER_SOCK_RX_AGAIN,
			  "header without payload");
	efd[0] = eventfd(0, EFD_CLOEXEC);
	TEST_ASSERT(efd[0] >= 0, "eventfd");
	TEST_ASSERT_SUCCESS(
		vfio_user_sock_send(sv[1], msg + VFIO_USER_HDR_SIZE, SR_PAY, efd, 1, 1000),
		"payload with an fd");
	TEST_ASSERT_EQUAL(vfio_user_sock_rx(sv[0], &rx, buf, SR_MAX, &err), VFIO_USER_SOCK_RX_MSG,
			  "whole message");
	TEST_ASSERT(rx.hdr.msg_id == 7 && rx.hdr.size == sizeof(msg) && rx.hdr_got == 0,
		    "header msg_id %u size %u hdr_got %u", rx.hdr.msg_id, rx.hdr.size, rx.hdr_got);
	TEST_ASSERT(memcmp(buf, "abcdefgh", SR_PAY) == 0, "payload");
	TEST_ASSERT(rx.nfds == 1 && rx.fds[0] >= 0 && !rx.fds_overflow, "one fd (%u)", rx.nfds);
	vfio_user_sock_rx_reset(&rx);
	TEST_ASSERT(rx.nfds == 0 && rx.fds[0] == -1, "reset closes the fds");

	/* One descriptor more than a message may carry. */
	for (i = 0; i < RTE_DIM(efd); i++) {
		if (efd[i] < 0)
			efd[i] = eventfd(0, EFD_CLOEXEC);
		TEST_ASSERT(efd[i] >= 0, "eventfd");
	}
	TEST_ASSERT_SUCCESS(vfio_user_sock_send(sv[1], msg, sizeof(msg), efd, RTE_DIM(efd), 1000),
			    "send with %u fds", (unsigned int)RTE_DIM(efd));
	TEST_ASSERT_EQUAL(vfio_user_sock_rx(sv[0], &rx, buf, SR_MAX, &err), VFIO_USER_SOCK_RX_MSG,
			  "message with too many fds");
	TEST_ASSERT(rx.fds_overflow && rx.nfds <= VFIO_USER_SOCK_RX_MAX_FDS, "overflow %d nfds %u",
		    rx.fds_overflow, rx.nfds);
	vfio_user_sock_rx_reset(&rx);
	vfio_user_close_fds(efd, RTE_DIM(efd));

	/* A header announcing more than max_size. */
	sock_rx_msg(msg, 8, SR_MAX + 1);
	TEST_ASSERT_EQUAL(send(sv[1], msg, sizeof(msg), 0), (ssize_t)sizeof(msg), "send");
	TEST_ASSERT_EQUAL(vfio_user_sock_rx(sv[0], &rx, buf, SR_MAX, &err),
			  VFIO_USER_SOCK_RX_BAD_HDR, "oversized header");
	TEST_ASSERT_EQUAL(err, E2BIG, "err %d", err);
	vfio_user_sock_rx_reset(&rx);
	close(sv[0]);
	close(sv[1]);

	/* EOF inside a message, then between messages. */
	TEST_ASSERT_SUCCESS(sock_rx_pair(sv), "socketpair");
	sock_rx_msg(msg, 9, sizeof(msg));
	TEST_ASSERT_EQUAL(send(sv[1], msg, 5, 0), 5, "send");
	close(sv[1]);
	TEST_ASSERT_EQUAL(vfio_user_sock_rx(sv[0], &rx, buf, SR_MAX, &err), VFIO_USER_SOCK_RX_EOF,
			  "EOF inside a message");
	TEST_ASSERT_EQUAL(rx.hdr_got, 5, "hdr_got %u", rx.hdr_got);
	vfio_user_sock_rx_reset(&rx);
	TEST_ASSERT_EQUAL(vfio_user_sock_rx(sv[0], &rx, buf, SR_MAX, &err), VFIO_USER_SOCK_RX_EOF,
			  "EOF between messages");
	TEST_ASSERT_EQUAL(rx.hdr_got, 0, "hdr_got %u", rx.hdr_got);
	close(sv[0]);

	/* recvmsg() fails: not a socket. */
	TEST_ASSERT_SUCCESS(pipe(pfd), "pipe");
	TEST_ASSERT_EQUAL(vfio_user_sock_rx(pfd[0], &rx, buf, SR_MAX, &err), VFIO_USER_SOCK_RX_ERR,
			  "recvmsg on a pipe");
	TEST_ASSERT_EQUAL(err, ENOTSOCK, "err %d", err);
	close(pfd[0]);
	close(pfd[1]);

	/* A reply larger than the socket takes at once, with a descriptor. */
	TEST_ASSERT_SUCCESS(sock_rx_pair(sv), "socketpair");
	fd = eventfd(0, EFD_CLOEXEC);
	TEST_ASSERT(fd >= 0, "eventfd");
	ret = vfio_user_sock_send_nb(sv[1], big, &off, sizeof(big), &fd);
	TEST_ASSERT(ret == -EAGAIN && off > 0 && off < sizeof(big) && fd == -1,
		    "first part: %d, %u bytes, fd %d", ret, off, fd);
	while (got < sizeof(big)) {
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr mh;
		struct cmsghdr *cm;
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.b;
		mh.msg_controllen = sizeof(ctl.b);
		n = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EAGAIN) {
			ret = vfio_user_sock_send_nb(sv[1], big, &off, sizeof(big), &fd);
			TEST_ASSERT(ret == 0 || ret == -EAGAIN, "next part: %d", ret);
			continue;
		}
		TEST_ASSERT(n > 0, "recvmsg: %zd", n);
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
			close(fd);
			got_fds++;
		}
		fd = -1;
		got += (size_t)n;
	}
	TEST_ASSERT(off == sizeof(big) && got == sizeof(big) && got_fds == 1,
		    "sent %u, received %zu bytes and %u fds", off, got, got_fds);

	/* The peer has gone: an error, no SIGPIPE. */
	close(sv[0]);
	off = 0;
	ret = vfio_user_sock_send_nb(sv[1], big, &off, sizeof(big), &fd);
	TEST_ASSERT_EQUAL(ret, -EPIPE, "send to a closed peer: %d", ret);
	close(sv[1]);
	printf("non-blocking transport: pieces, fds, bad header, EOF, errors, partial send\n");
	return TEST_SUCCESS;
}

/* ----------------------------------------------------------- registration */

static struct unit_test_suite vfio_user_server_suite = {
	.suite_name = "vfio-user server",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases =
		{
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_negotiate_caps),
			TEST_CASE_ST(setup_dev, teardown_dev, test_negotiate_raw),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_device_info),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_region_info),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_region_io_fds),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_irq_info),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_config_space),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_config_bar_sizing),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_config_flr),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_device_reset),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_bar0_access),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_region_out_of_range),
			TEST_CASE_ST(setup_dev, teardown_dev, test_write_multi),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_sparse_mmap),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_irq_msix),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_irq_intx_err_req),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_irq_client_trigger),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_irq_too_many_fds),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_dma),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_dma_map_two_fds),
			TEST_CASE_ST(NULL, teardown_dev, test_dma_unmap_range),
			TEST_CASE_ST(NULL, teardown_dev, test_dma_window),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_dma_map_lazy),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_slow_requests),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_pipelined_order),
			TEST_CASE_ST(setup_dev, teardown_dev, test_malformed),
			TEST_CASE_ST(setup_dev, teardown_dev, test_disconnect),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_second_client_refused),
			TEST_CASE_ST(setup_dev, teardown_dev, test_negotiate_timeout),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_two_servers),
			TEST_CASE_ST(setup_dev, teardown_dev, test_reconnect),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_region_fd_sealed),
			TEST_CASE_ST(setup_dev, teardown_dev, test_region_fd_replace),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_irq_fd_not_eventfd),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_dma_fd_kinds),
			TEST_CASE_ST(NULL, teardown_dev, test_dma_fd_kinds_trusted),
			TEST_CASE_ST(NULL, teardown_dev, test_dma_map_limit),
			TEST_CASE_ST(setup_dev_client, teardown_dev, test_disconnect_cfg_reset),
			TEST_CASE_ST(NULL, teardown_dev, test_slow_reader_attached),
			TEST_CASE_ST(setup_dev_client, teardown_dev,
				     test_slow_reader_others_served),
			TEST_CASE_ST(setup_dev_client, teardown_dev,
				     test_flooding_client_others_served),
			TEST_CASE_ST(NULL, teardown_dev, test_create_checks),
			TEST_CASE_ST(NULL, teardown_dev, test_lifecycle),
			TEST_CASE_ST(NULL, teardown_dev, test_socket_mode),
			TEST_CASE(test_sock_rx),
			TEST_CASES_END(),
		},
};

static int
test_vfio_user_server(void)
{
	return unit_test_suite_runner(&vfio_user_server_suite);
}

REGISTER_TEST_COMMAND(vfio_user_autotest, test_vfio_user_server);
