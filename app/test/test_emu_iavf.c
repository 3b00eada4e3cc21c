/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * emu_iavf_autotest: the AVF device model (drivers/emu/iavf) driven the way
 * a guest's VF driver drives it, through the vfio-user client API and
 * without a virtual machine. The test creates the device (vdev emu_iavf),
 * connects a client, maps a memfd as "guest memory", puts the admin queue
 * rings and buffers and the queue rings in it, programs the BAR0 registers
 * and talks virtchnl to the device's PF side.
 */

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_atomic.h>
#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_errno.h>

#include <rte_emudev.h>
#include <rte_emudev_net.h>
#include <rte_ethdev.h>
#include <rte_vfio_user.h>
#include <rte_vfio_user_client.h>

#include <avf_adminq.h>
#include <avf_desc.h>
#include <avf_regs.h>
#include <avf_virtchnl.h>

#include "test.h"
#include "test_avf_guest.h"
#include "test_common.h"

/* ------------------------------------------------------------- test setup */

#define DEV_NAME "emu_iavf_t0"
#define DEV_MAC "02:00:00:00:00:01"
#define DEV_QUEUES 2u

static struct avf_guest g;
static char tmpdir[64];
static char sock_path[128];
static bool dev_created;
static uint16_t emu_id;

/* ------------------------------------------------------------ emudev side */

/* The emudev queue information of a queue. */
static int
qinfo(enum rte_emudev_queue_dir dir, uint16_t qid, struct rte_emudev_queue_info *qi)
{
	memset(qi, 0, sizeof(*qi));
	return rte_emudev_queue_info_get(emu_id, dir, qid, qi);
}

/* ------------------------------------------------------------ suite setup */

static int
suite_setup(void)
{
	char args[256];
	int ret;

	ag_init(&g, DEV_QUEUES + 1);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/emu_iavf_test.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		printf("mkdtemp: %s\n", strerror(errno));
		return TEST_FAILED;
	}
	snprintf(sock_path, sizeof(sock_path), "%s/s.sock", tmpdir);
	ret = ag_alloc_mem(&g);
	if (ret != 0) {
		printf("guest memory: %s\n", strerror(-ret));
		rmdir(tmpdir);
		return TEST_FAILED;
	}
	snprintf(args, sizeof(args), "sock=%s,queues=%u,mac=%s", sock_path, DEV_QUEUES, DEV_MAC);
	ret = rte_vdev_init(DEV_NAME, args);
	if (ret != 0) {
		printf("rte_vdev_init(%s, %s): %d\n", DEV_NAME, args, ret);
		ag_free_mem(&g);
		rmdir(tmpdir);
		return TEST_FAILED;
	}
	dev_created = true;
	ret = rte_emudev_get_id_by_name(DEV_NAME, &emu_id);
	if (ret != 0) {
		printf("rte_emudev_get_id_by_name(%s): %d\n", DEV_NAME, ret);
		rte_vdev_uninit(DEV_NAME);
		dev_created = false;
		ag_free_mem(&g);
		rmdir(tmpdir);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
suite_teardown(void)
{
	ag_disconnect(&g);
	if (dev_created && rte_vdev_uninit(DEV_NAME) != 0)
		printf("rte_vdev_uninit(%s) failed\n", DEV_NAME);
	dev_created = false;
	ag_free_mem(&g);
	unlink(sock_path);
	rmdir(tmpdir);
}

/*
 * Case setup: a new client, as a freshly started VM: guest memory cleared
 * and mapped, eventfds set, and a DEVICE_RESET (QEMU resets the device at
 * machine start).
 */
static int
case_setup(void)
{
	int ret;

	memset(g.mem, 0, GUEST_SIZE);
	g.nb_events = 0;
	g.nb_stray = 0;
	g.vsi_id = 0;
	if (ag_connect(&g, sock_path) != 0)
		return TEST_FAILED;
	ret = rte_vfio_user_client_reset(g.c);
	if (ret != 0) {
		printf("DEVICE_RESET: %s\n", strerror(-ret));
		ag_disconnect(&g);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
case_teardown(void)
{
	ag_disconnect(&g);
}

/* ------------------------------------------------------------------ cases */

/* Device arguments the device must refuse: one row each, named by its text. */
static int
test_devargs_refused(void)
{
	/* with_sock: the arguments follow "sock=<tmpdir>/e.sock". */
	static const struct {
		bool with_sock;
		const char *args;
	} bad[] = {
		{false, NULL},
		{false, ""},
		{false, "queues=2"},
		{false, "queues=2,mac=" DEV_MAC},
		{false, "sock="},
		{true, ",queues=0"},
		{true, ",queues=17"},
		{true, ",queues=abc"},
		{true, ",queues=-1"},
		{true, ",queues=2x"},
		{true, ",queues="},
		{true, ",queues=4294967298"},
		{true, ",mac=02:00:00:00:00"},
		{true, ",mac=02:00:00:00:00:01:02"},
		{true, ",mac=gg:00:00:00:00:01"},
		{true, ",mac=0200.0000.0001"},
		{true, ",mac="},
		{true, ",mac=01:00:5e:00:00:01"},
		{true, ",mac=ff:ff:ff:ff:ff:ff"},
		{true, ",mac=00:00:00:00:00:00"},
		{true, ",trust_client_memory=2"},
		{true, ",trust_client_memory="},
		{true, ",trust_client_memory=yes"},
		{true, ",trust_client_memory=01"},
		{true, ",max_dma_maps=0"},
		{true, ",max_dma_maps=abc"},
		{true, ",max_dma_maps=70000"},
		{true, ",max_dma_maps=65536"},
		{true, ",max_dma_maps=-1"},
		{true, ",max_dma_maps=+5"},
		{true, ",max_dma_maps=2x"},
		{true, ",max_dma_maps=1,max_dma_maps=2"},
		{true, ",bogus=1"},
		{true, ",queues=2,unknown=x"},
		{true, ",path=/tmp/other.sock"},
		{true, ",path=/tmp/e.sock"},
		{false, "path="},
		{false, "path=,queues=2"},
	};
	char args[512];
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(bad); i++) {
		const char *a = bad[i].args;

		if (bad[i].with_sock) {
			snprintf(args, sizeof(args), "sock=%s/e.sock%s", tmpdir, a);
			a = args;
		}
		ret = rte_vdev_init("emu_iavf_e0", a);
		if (ret == 0)
			rte_vdev_uninit("emu_iavf_e0");
		TEST_ASSERT(ret != 0, "device arguments \"%s\" accepted", a ? a : "(null)");
	}
	return TEST_SUCCESS;
}

/* Socket paths the device cannot listen on: refused, and nothing harmed. */
static int
test_devargs_sock_unusable(void)
{
	char args[512];
	struct stat st;
	int ret, fd;

	/* A socket in a directory that does not exist. */
	snprintf(args, sizeof(args), "sock=%s/no/such/dir/e.sock", tmpdir);
	ret = rte_vdev_init("emu_iavf_e0", args);
	if (ret == 0)
		rte_vdev_uninit("emu_iavf_e0");
	TEST_ASSERT(ret != 0, "device arguments \"%s\" accepted", args);
	/* A second device on the socket of the first is refused. */
	snprintf(args, sizeof(args), "sock=%s,queues=1", sock_path);
	ret = rte_vdev_init("emu_iavf_e1", args);
	if (ret == 0)
		rte_vdev_uninit("emu_iavf_e1");
	TEST_ASSERT_EQUAL(ret, -EADDRINUSE, "a second device on %s", sock_path);
	/* A path that is a regular file: -ENOTSOCK, and the file is left alone
	 * (not -EEXIST, which rte_vdev_init() gives for a duplicate name).
	 */
	snprintf(args, sizeof(args), "%s/regular", tmpdir);
	fd = open(args, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	TEST_ASSERT(fd >= 0, "create %s", args);
	close(fd);
	snprintf(args, sizeof(args), "sock=%s/regular", tmpdir);
	ret = rte_vdev_init("emu_iavf_e1", args);
	if (ret == 0)
		rte_vdev_uninit("emu_iavf_e1");
	snprintf(args, sizeof(args), "%s/regular", tmpdir);
	TEST_ASSERT(stat(args, &st) == 0 && S_ISREG(st.st_mode), "%s was replaced", args);
	unlink(args);
	TEST_ASSERT_EQUAL(ret, -ENOTSOCK, "a device on a regular file");
	return TEST_SUCCESS;
}

/*
 * Good device arguments work (under the name the failures of the cases
 * before did not take): 16 queues, the defaults, path= for sock=.
 */
static int
test_devargs_accepted(void)
{
	struct rte_vfio_user_client *c;
	uint32_t count = 0, flags = 0;
	char args[512];
	int ret;

	snprintf(args, sizeof(args), "sock=%s/e.sock,queues=16,mac=02:11:22:33:44:55", tmpdir);
	ret = rte_vdev_init("emu_iavf_e0", args);
	TEST_ASSERT_SUCCESS(ret, "rte_vdev_init(emu_iavf_e0, \"%s\")", args);
	snprintf(args, sizeof(args), "%s/e.sock", tmpdir);
	c = rte_vfio_user_client_connect(args, NULL);
	if (c != NULL) {
		ret = rte_vfio_user_client_irq_info(c, RTE_VFIO_USER_IRQ_MSIX, &count, &flags);
		rte_vfio_user_client_close(c);
	}
	if (c == NULL || ret != 0 || count != 17) {
		rte_vdev_uninit("emu_iavf_e0");
		TEST_ASSERT(false, "16 queues: connect %s, MSI-X info %d, %" PRIu32 " vectors",
			    c == NULL ? "failed" : "ok", ret, count);
	}
	ret = rte_vdev_uninit("emu_iavf_e0");
	TEST_ASSERT_SUCCESS(ret, "rte_vdev_uninit(emu_iavf_e0)");
	snprintf(args, sizeof(args), "sock=%s/e.sock", tmpdir);
	ret = rte_vdev_init("emu_iavf_e0", args);
	TEST_ASSERT_SUCCESS(ret, "rte_vdev_init(emu_iavf_e0, \"%s\")", args);
	ret = rte_vdev_uninit("emu_iavf_e0");
	TEST_ASSERT_SUCCESS(ret, "rte_vdev_uninit(emu_iavf_e0)");
	/* path= is sock= under net_iavf_client's name. */
	snprintf(args, sizeof(args), "path=%s/e.sock,queues=2", tmpdir);
	ret = rte_vdev_init("emu_iavf_e0", args);
	TEST_ASSERT_SUCCESS(ret, "rte_vdev_init(emu_iavf_e0, \"%s\")", args);
	snprintf(args, sizeof(args), "%s/e.sock", tmpdir);
	c = rte_vfio_user_client_connect(args, NULL);
	ret = c != NULL ? rte_vfio_user_client_irq_info(c, RTE_VFIO_USER_IRQ_MSIX, &count, &flags) :
			  -1;
	if (c != NULL)
		rte_vfio_user_client_close(c);
	rte_vdev_uninit("emu_iavf_e0");
	TEST_ASSERT(c != NULL && ret == 0 && count == 3,
		    "path=: connect %s, MSI-X info %d, %" PRIu32 " vectors",
		    c == NULL ? "failed" : "ok", ret, count);
	return TEST_SUCCESS;
}

/* The MAC an emu_iavf device created with ARGS (no mac=) gets by default. */
static int
default_mac_of(const char *args, uint8_t *mac)
{
	uint16_t id;
	int ret;

	ret = rte_vdev_init("emu_iavf_m0", args);
	if (ret < 0) {
		printf("rte_vdev_init(emu_iavf_m0, %s): %d\n", args, ret);
		return ret;
	}
	ret = rte_emudev_get_id_by_name("emu_iavf_m0", &id);
	if (ret == 0)
		ret = rte_emudev_attr_get(id, RTE_EMUDEV_ATTR_MAC, mac, 6) == 6 ? 0 : -EIO;
	rte_vdev_uninit("emu_iavf_m0");
	return ret;
}

static int
test_default_mac(void)
{
	uint8_t a[6], b[6], c[6], d[6];
	char args[512], cwd[512];

	/* Two sockets: two MACs. The same socket: the same MAC again. */
	snprintf(args, sizeof(args), "sock=%s/m1.sock", tmpdir);
	TEST_ASSERT_SUCCESS(default_mac_of(args, a), "first socket");
	snprintf(args, sizeof(args), "sock=%s/m2.sock", tmpdir);
	TEST_ASSERT_SUCCESS(default_mac_of(args, b), "second socket");
	snprintf(args, sizeof(args), "sock=%s/m1.sock", tmpdir);
	TEST_ASSERT_SUCCESS(default_mac_of(args, c), "first socket again");
	printf("default MACs: %s/m1.sock " RTE_ETHER_ADDR_PRT_FMT
	       ", m2.sock " RTE_ETHER_ADDR_PRT_FMT "\n",
	       tmpdir, a[0], a[1], a[2], a[3], a[4], a[5], b[0], b[1], b[2], b[3], b[4], b[5]);
	TEST_ASSERT(memcmp(a, b, 6) != 0, "two sockets, one MAC");
	TEST_ASSERT(memcmp(a, c, 6) == 0, "the same socket, another MAC");
	TEST_ASSERT((a[0] & 1) == 0 && (b[0] & 1) == 0, "a multicast default MAC");
	TEST_ASSERT((a[0] & 2) != 0 && (b[0] & 2) != 0, "not locally administered");
	/* The absolute path counts: a relative path to the same socket, the same MAC. */
	TEST_ASSERT(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
	TEST_ASSERT_SUCCESS(chdir(tmpdir), "chdir %s", tmpdir);
	d[0] = 0;
	if (default_mac_of("sock=m1.sock", d) < 0)
		d[0] = 1; /* a multicast MAC: cannot match */
	TEST_ASSERT_SUCCESS(chdir(cwd), "chdir back");
	TEST_ASSERT(memcmp(a, d, 6) == 0, "a relative path, another MAC");
	/* mac= still wins. */
	snprintf(args, sizeof(args), "sock=%s/m1.sock,mac=02:11:22:33:44:55", tmpdir);
	TEST_ASSERT_SUCCESS(default_mac_of(args, d), "mac=");
	TEST_ASSERT(memcmp(d, "\x02\x11\x22\x33\x44\x55", 6) == 0, "mac= ignored");
	return TEST_SUCCESS;
}

/* Size a 32-bit or the low half of a 64-bit memory BAR the way firmware does. */
static int
bar_size_probe(unsigned int bar, uint64_t *size, uint32_t *type)
{
	uint32_t off = 0x10 + 4 * bar, orig, lo, hi = 0xFFFFFFFFu, orig_hi = 0;
	uint8_t b[4];
	int ret;

	ret = ag_cfg_rd(&g, off, b, 4);
	if (ret != 0)
		return ret;
	orig = get_le32(b);
	*type = orig & 0xFu;
	put_le32(b, 0xFFFFFFFFu);
	if ((ret = ag_cfg_wr(&g, off, b, 4)) != 0 || (ret = ag_cfg_rd(&g, off, b, 4)) != 0)
		return ret;
	lo = get_le32(b);
	if ((*type & 0x6u) == 0x4u) {
		/* 64-bit: size the high half too. */
		if ((ret = ag_cfg_rd(&g, off + 4, b, 4)) != 0)
			return ret;
		orig_hi = get_le32(b);
		put_le32(b, 0xFFFFFFFFu);
		if ((ret = ag_cfg_wr(&g, off + 4, b, 4)) != 0 ||
		    (ret = ag_cfg_rd(&g, off + 4, b, 4)) != 0)
			return ret;
		hi = get_le32(b);
		put_le32(b, orig_hi);
		if ((ret = ag_cfg_wr(&g, off + 4, b, 4)) != 0)
			return ret;
	}
	put_le32(b, orig);
	if ((ret = ag_cfg_wr(&g, off, b, 4)) != 0)
		return ret;
	*size = ~(((uint64_t)hi << 32) | (lo & ~0xFu)) + 1;
	return 0;
}

/* The device as a VMM sees it: PCI, resettable, its regions and IRQs; the PCI ids. */
static int
test_config_ids(void)
{
	struct rte_vfio_user_device_info di;
	uint8_t cfg[256];
	int ret;

	ret = rte_vfio_user_client_device_info(g.c, &di);
	TEST_ASSERT_SUCCESS(ret, "DEVICE_GET_INFO");
	TEST_ASSERT((di.flags & (RTE_VFIO_USER_DEV_PCI | RTE_VFIO_USER_DEV_RESET)) ==
			    (RTE_VFIO_USER_DEV_PCI | RTE_VFIO_USER_DEV_RESET),
		    "device flags 0x%" PRIx32, di.flags);
	TEST_ASSERT(di.num_regions >= RTE_VFIO_USER_REGION_CONFIG + 1 && di.num_irqs >= 3,
		    "%" PRIu32 " regions, %" PRIu32 " irqs", di.num_regions, di.num_irqs);

	ret = ag_cfg_rd(&g, 0, cfg, sizeof(cfg));
	TEST_ASSERT_SUCCESS(ret, "read config space");
	TEST_ASSERT_EQUAL(get_le16(cfg + 0x00), 0x8086, "vendor id");
	TEST_ASSERT_EQUAL(get_le16(cfg + 0x02), 0x1889, "device id");
	TEST_ASSERT_EQUAL(get_le32(cfg + 0x08) >> 8, 0x020000, "class code");
	TEST_ASSERT_EQUAL(cfg[0x0E] & 0x7F, 0, "header type");
	return TEST_SUCCESS;
}

/* MSI-X: queues + 1 vectors, table and PBA inside their BARs. */
static int
test_config_msix(void)
{
	struct rte_vfio_user_region_info ri;
	uint8_t cfg[256];
	uint32_t count = 0, flags = 0, tbl, pba;
	unsigned int msix, nvec, t;
	int ret;

	ret = ag_cfg_rd(&g, 0, cfg, sizeof(cfg));
	TEST_ASSERT_SUCCESS(ret, "read config space");
	msix = ag_find_cap(cfg, PCI_CAP_ID_MSIX);
	TEST_ASSERT(msix != 0, "no MSI-X capability");
	nvec = (get_le16(cfg + msix + 2) & 0x7FFu) + 1;
	TEST_ASSERT_EQUAL(nvec, DEV_QUEUES + 1, "MSI-X table size");
	tbl = get_le32(cfg + msix + 4);
	pba = get_le32(cfg + msix + 8);
	ret = rte_vfio_user_client_irq_info(g.c, RTE_VFIO_USER_IRQ_MSIX, &count, &flags);
	TEST_ASSERT_SUCCESS(ret, "GET_IRQ_INFO(MSI-X)");
	TEST_ASSERT_EQUAL(count, DEV_QUEUES + 1, "MSI-X vectors");
	TEST_ASSERT(flags & RTE_VFIO_USER_IRQ_EVENTFD, "MSI-X flags 0x%" PRIx32, flags);
	for (t = 0; t < 2; t++) {
		uint32_t v = t == 0 ? tbl : pba;
		uint64_t need = (v & ~7u) + (t == 0 ? 16u * nvec : 8u * ((nvec + 63) / 64));

		memset(&ri, 0, sizeof(ri));
		ret = rte_vfio_user_client_region_info(g.c, v & 7u, &ri);
		TEST_ASSERT_SUCCESS(ret, "region info of MSI-X BAR%" PRIu32, v & 7u);
		TEST_ASSERT(ri.size >= need, "MSI-X %s BAR%" PRIu32 " of 0x%" PRIx64 " bytes",
			    t == 0 ? "table" : "PBA", v & 7u, ri.size);
	}
	return TEST_SUCCESS;
}

/* PCI Express with FLR. */
static int
test_config_pcie_flr(void)
{
	uint8_t cfg[256];
	unsigned int exp;
	int ret;

	ret = ag_cfg_rd(&g, 0, cfg, sizeof(cfg));
	TEST_ASSERT_SUCCESS(ret, "read config space");
	exp = ag_find_cap(cfg, PCI_CAP_ID_EXP);
	TEST_ASSERT(exp != 0, "no PCI Express capability");
	TEST_ASSERT(get_le32(cfg + exp + 4) & (1u << 28), "DevCap 0x%08" PRIx32 " without FLR",
		    get_le32(cfg + exp + 4));
	return TEST_SUCCESS;
}

/* BAR0: 64 KiB or more of registers; the tail pages are sparse areas, nothing else. */
static int
test_config_bar0(void)
{
	struct rte_vfio_user_region_info ri;
	uint64_t tail_pages[2] = {R_QTX_TAIL(0), R_QRX_TAIL(0)};
	unsigned int t;
	uint32_t i;
	int ret;

	memset(&ri, 0, sizeof(ri));
	ret = rte_vfio_user_client_region_info(g.c, RTE_VFIO_USER_REGION_BAR0, &ri);
	TEST_ASSERT_SUCCESS(ret, "region info of BAR0");
	TEST_ASSERT(ri.size >= 0x10000 && rte_is_power_of_2(ri.size), "BAR0 size 0x%" PRIx64,
		    ri.size);
	TEST_ASSERT((ri.flags &
		     (RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE |
		      RTE_VFIO_USER_REGION_MMAP)) ==
			    (RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE |
			     RTE_VFIO_USER_REGION_MMAP),
		    "BAR0 flags 0x%" PRIx32, ri.flags);
	TEST_ASSERT(ri.fd >= 0 && ri.nr_sparse >= 1 && ri.nr_sparse <= RTE_VFIO_USER_MAX_SPARSE,
		    "BAR0 fd %d, %" PRIu32 " sparse areas", ri.fd, ri.nr_sparse);
	for (t = 0; t < RTE_DIM(tail_pages); t++) {
		bool covered = false;

		for (i = 0; i < ri.nr_sparse; i++)
			if (ri.sparse[i].offset <= tail_pages[t] &&
			    tail_pages[t] + 0x1000 <= ri.sparse[i].offset + ri.sparse[i].size)
				covered = true;
		TEST_ASSERT(covered, "tail page 0x%" PRIx64 " is not a sparse area", tail_pages[t]);
	}
	for (i = 0; i < ri.nr_sparse; i++) {
		/* Everything from DYN_CTLN1 on must trap. */
		TEST_ASSERT(ri.sparse[i].offset + ri.sparse[i].size <= 0x3000,
			    "sparse area [0x%" PRIx64 ", 0x%" PRIx64 ") covers trapped registers",
			    ri.sparse[i].offset, ri.sparse[i].offset + ri.sparse[i].size);
	}
	return TEST_SUCCESS;
}

/* BAR0 and the MSI-X BAR answer sizing with their sizes, and are left as they were. */
static int
test_config_bar_sizing(void)
{
	struct rte_vfio_user_region_info ri;
	uint8_t cfg[256], cfg2[256];
	uint32_t type, tbl;
	uint64_t size;
	unsigned int msix;
	int ret;

	ret = ag_cfg_rd(&g, 0, cfg, sizeof(cfg));
	TEST_ASSERT_SUCCESS(ret, "read config space");
	msix = ag_find_cap(cfg, PCI_CAP_ID_MSIX);
	TEST_ASSERT(msix != 0, "no MSI-X capability");
	tbl = get_le32(cfg + msix + 4);
	memset(&ri, 0, sizeof(ri));
	ret = rte_vfio_user_client_region_info(g.c, RTE_VFIO_USER_REGION_BAR0, &ri);
	TEST_ASSERT_SUCCESS(ret, "region info of BAR0");
	/* The BAR answers sizing with its size. */
	ret = bar_size_probe(0, &size, &type);
	TEST_ASSERT_SUCCESS(ret, "size BAR0");
	TEST_ASSERT(!(type & 1u), "BAR0 is not a memory BAR (0x%" PRIx32 ")", type);
	TEST_ASSERT_EQUAL(size, ri.size, "BAR0 size by sizing");
	/* The MSI-X BAR too. */
	memset(&ri, 0, sizeof(ri));
	ret = rte_vfio_user_client_region_info(g.c, tbl & 7u, &ri);
	TEST_ASSERT_SUCCESS(ret, "region info of BAR%" PRIu32, tbl & 7u);
	ret = bar_size_probe(tbl & 7u, &size, &type);
	TEST_ASSERT_SUCCESS(ret, "size BAR%" PRIu32, tbl & 7u);
	TEST_ASSERT_EQUAL(size, ri.size, "MSI-X BAR size by sizing");
	/* Sizing left the BARs as they were. */
	ret = ag_cfg_rd(&g, 0, cfg2, sizeof(cfg2));
	TEST_ASSERT_SUCCESS(ret, "read config space");
	TEST_ASSERT(memcmp(cfg + 0x10, cfg2 + 0x10, 24) == 0, "BARs changed by sizing");
	return TEST_SUCCESS;
}

static int
test_bringup(void)
{
	static const struct {
		const char *name;
		uint32_t reg;
		uint32_t want;
	} aq_regs[] = {
		{"ATQLEN", R_ATQLEN, AQ_ENTRIES | AQLEN_ENABLE},
		{"ARQLEN", R_ARQLEN, AQ_ENTRIES | AQLEN_ENABLE},
		{"ATQBAH", R_ATQBAH, (uint32_t)(GUEST_IOVA >> 32)},
		{"ARQBAL", R_ARQBAL, (uint32_t)(GUEST_IOVA + ARQ_RING_OFF)},
		{"ARQT", R_ARQT, AQ_ENTRIES - 1},
		{"ATQH", R_ATQH, 0},
		{"ARQH", R_ARQH, 0},
	};
	unsigned int i;
	struct rte_emudev_info info;
	struct vf_res r;
	uint32_t v, major = 0, minor = 0;
	uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01};
	int st;

	v = ag_rd(&g, R_RSTAT);
	TEST_ASSERT(
		v != 0xDEADBEEFu &&
			((v & RSTAT_MASK) == RSTAT_VFACTIVE || (v & RSTAT_MASK) == RSTAT_COMPLETED),
		"VFGEN_RSTAT 0x%08" PRIx32, v);
	TEST_ASSERT_SUCCESS(ag_aq_init(&g), "admin queue init");
	/* The admin queue registers read back as the driver programmed them. */
	for (i = 0; i < RTE_DIM(aq_regs); i++)
		TEST_ASSERT_EQUAL(ag_rd(&g, aq_regs[i].reg), aq_regs[i].want, "%s",
				  aq_regs[i].name);

	st = ag_vc_version(&g, &major, &minor);
	TEST_ASSERT_SUCCESS(st, "VERSION status");
	TEST_ASSERT(major == 1 && minor == 1, "VERSION %" PRIu32 ".%" PRIu32, major, minor);
	TEST_ASSERT_EQUAL(ag_rd(&g, R_ATQH), 1, "ATQH after one message");
	TEST_ASSERT_EQUAL(ag_rd(&g, R_ARQH), 1, "ARQH after one reply");

	st = ag_vc_get_resources(&g, &r);
	TEST_ASSERT_SUCCESS(st, "GET_VF_RESOURCES status");
	TEST_ASSERT_EQUAL(r.len, 20 + 16 * r.num_vsis, "GET_VF_RESOURCES length");
	TEST_ASSERT_EQUAL(r.num_vsis, 1, "num_vsis");
	TEST_ASSERT_EQUAL(r.num_queue_pairs, DEV_QUEUES, "num_queue_pairs");
	TEST_ASSERT_EQUAL(r.max_vectors, DEV_QUEUES + 1, "max_vectors");
	TEST_ASSERT(r.caps & VC_CAP_L2, "caps 0x%08" PRIx32 " without L2", r.caps);
	TEST_ASSERT(!(r.caps & VC_CAP_RSS_AQ), "caps 0x%08" PRIx32 " with RSS_AQ", r.caps);
	TEST_ASSERT(!(r.caps & ~VF_CAPS_ASKED), "caps 0x%08" PRIx32 " not asked for (0x%08x)",
		    r.caps, VF_CAPS_ASKED);
	TEST_ASSERT_EQUAL(r.vsi_type, VC_VSI_TYPE_SRIOV, "vsi_type");
	TEST_ASSERT_EQUAL(r.vsi_num_qp, DEV_QUEUES, "VSI num_queue_pairs");
	TEST_ASSERT(memcmp(r.mac, mac, 6) == 0, "MAC %02x:%02x:%02x:%02x:%02x:%02x", r.mac[0],
		    r.mac[1], r.mac[2], r.mac[3], r.mac[4], r.mac[5]);
	TEST_ASSERT(r.max_mtu == 0 || r.max_mtu >= 1500, "max_mtu %u", r.max_mtu);
	printf("VF resources: caps 0x%08" PRIx32 ", vsi %u, max_mtu %u, rss key %" PRIu32
	       " lut %" PRIu32 "\n",
	       r.caps, r.vsi_id, r.max_mtu, r.rss_key_size, r.rss_lut_size);

	TEST_ASSERT_SUCCESS(rte_emudev_info_get(emu_id, &info), "emudev info");
	TEST_ASSERT(info.client_connected, "emudev: no client connected");
	TEST_ASSERT_EQUAL(info.max_queue_pairs, DEV_QUEUES, "emudev max_queue_pairs");
	TEST_ASSERT_EQUAL(info.nb_irq_vectors, DEV_QUEUES + 1, "emudev nb_irq_vectors");
	TEST_ASSERT_EQUAL(info.type, RTE_EMUDEV_TYPE_NET, "emudev type");
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/* Check the emudev view of one queue. */
static int
check_queue(enum rte_emudev_queue_dir dir, uint16_t q, bool enabled)
{
	struct rte_emudev_queue_info qi;
	bool tx = dir == RTE_EMUDEV_QUEUE_GUEST_TX;
	uint64_t gpa = GUEST_IOVA + (tx ? TX_RING_OFF(q) : RX_RING_OFF(q));
	uint8_t *mine = ag_mem(&g, tx ? TX_RING_OFF(q) : RX_RING_OFF(q));
	int ret;

	ret = qinfo(dir, q, &qi);
	TEST_ASSERT_SUCCESS(ret, "queue info %s %u", tx ? "tx" : "rx", q);
	TEST_ASSERT_EQUAL(qi.enabled, enabled, "%s %u enabled", tx ? "tx" : "rx", q);
	TEST_ASSERT_EQUAL(qi.ring_gpa, gpa, "%s %u ring address", tx ? "tx" : "rx", q);
	TEST_ASSERT_EQUAL(qi.ring_size, RING_LEN, "%s %u ring size", tx ? "tx" : "rx", q);
	TEST_ASSERT_EQUAL(qi.desc_format, tx ? AVF_DESC_FMT_TX : AVF_DESC_FMT_RX_32B,
			  "%s %u descriptor format", tx ? "tx" : "rx", q);
	TEST_ASSERT_EQUAL(qi.desc_size, tx ? 16 : 32, "%s %u descriptor size", tx ? "tx" : "rx", q);
	TEST_ASSERT_EQUAL(qi.irq_vector, q + 1u, "%s %u vector", tx ? "tx" : "rx", q);
	if (!tx)
		TEST_ASSERT_EQUAL(qi.buf_size, RX_BUF_SIZE, "rx %u buffer size", q);
	TEST_ASSERT_NOT_NULL(qi.doorbell, "%s %u doorbell", tx ? "tx" : "rx", q);
	/* The device's view of the ring is our memory. */
	TEST_ASSERT_NOT_NULL(qi.ring_host, "%s %u ring not translated", tx ? "tx" : "rx", q);
	mine[0] = (uint8_t)(0xA0 + q + (tx ? 0 : 8));
	mine[qi.ring_size * qi.desc_size - 1] = 0x5A;
	rte_smp_mb();
	TEST_ASSERT(((volatile uint8_t *)qi.ring_host)[0] == mine[0] &&
			    ((volatile uint8_t *)qi.ring_host)[qi.ring_size * qi.desc_size - 1] ==
				    0x5A,
		    "%s %u ring_host is not the guest's ring", tx ? "tx" : "rx", q);
	mine[0] = 0;
	mine[qi.ring_size * qi.desc_size - 1] = 0;
	return TEST_SUCCESS;
}

/* Every queue is disabled in the emudev view. */
static int
check_all_disabled(void)
{
	struct rte_emudev_queue_info qi;
	uint16_t q;
	int d;

	for (d = 0; d < RTE_EMUDEV_QUEUE_DIR_MAX; d++) {
		for (q = 0; q < DEV_QUEUES; q++) {
			TEST_ASSERT_SUCCESS(qinfo((enum rte_emudev_queue_dir)d, q, &qi),
					    "queue info");
			TEST_ASSERT(!qi.enabled, "%s queue %u still enabled",
				    d == RTE_EMUDEV_QUEUE_GUEST_TX ? "tx" : "rx", q);
		}
	}
	return TEST_SUCCESS;
}

/* Counters of emudev events (callbacks run on the device's thread). */
static unsigned int ev_count[RTE_EMUDEV_EVENT_ALL + 1];

static void
count_event(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	RTE_SET_USED(dev_id);
	RTE_SET_USED(arg);
	if ((unsigned int)ev->type < RTE_DIM(ev_count))
		__atomic_fetch_add(&ev_count[ev->type], 1, __ATOMIC_RELAXED);
}

static unsigned int
ev_get(enum rte_emudev_event_type t)
{
	return __atomic_load_n(&ev_count[t], __ATOMIC_RELAXED);
}

/*
 * The queue path: CONFIG_VSI_QUEUES, CONFIG_IRQ_MAP, ENABLE_QUEUES (with a
 * LINK_CHANGE event), the emudev view, the doorbells, DISABLE_QUEUES.
 */
static int
test_queues(void)
{
	struct rte_vfio_user_region_info ri;
	struct rte_emudev_queue_info qi;
	volatile uint32_t *tails[2] = {NULL, NULL};
	unsigned int ev, en0, dis0, i;
	uint16_t q;
	uint32_t v = 0;
	int st, ret;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	ret = rte_emudev_event_register(emu_id, RTE_EMUDEV_EVENT_ALL, count_event, NULL);
	TEST_ASSERT_SUCCESS(ret, "event register");
	en0 = ev_get(RTE_EMUDEV_EVENT_QUEUE_ENABLED);
	dis0 = ev_get(RTE_EMUDEV_EVENT_QUEUE_DISABLED);

	/* Before configuration nothing is enabled. */
	ret = check_all_disabled();
	if (ret != TEST_SUCCESS)
		goto out;
	ret = TEST_FAILED;

	/* Tails written before the queues are enabled (as Linux does). */
	memset(&ri, 0, sizeof(ri));
	st = rte_vfio_user_client_region_info(g.c, RTE_VFIO_USER_REGION_BAR0, &ri);
	for (i = 0; st == 0 && i < RTE_MIN(ri.nr_sparse, RTE_VFIO_USER_MAX_SPARSE); i++) {
		unsigned int t;

		for (t = 0; t < 2; t++) {
			uint64_t page = t == 0 ? R_QTX_TAIL(0) : R_QRX_TAIL(0);
			uint8_t *base;

			if (tails[t] != NULL || ri.sparse[i].offset > page ||
			    page + 0x1000 > ri.sparse[i].offset + ri.sparse[i].size)
				continue;
			base = rte_vfio_user_client_region_mmap(g.c, RTE_VFIO_USER_REGION_BAR0, i);
			if (base != NULL)
				tails[t] = RTE_PTR_ADD(base, page - ri.sparse[i].offset);
		}
	}
	if (tails[0] == NULL || tails[1] == NULL) {
		printf("cannot mmap the tail pages of BAR0\n");
		goto out;
	}

	st = ag_vc_config_queues(&g, DEV_QUEUES);
	if (st != 0) {
		printf("CONFIG_VSI_QUEUES: status %d\n", st);
		goto out;
	}
	st = ag_vc_irq_map(&g, DEV_QUEUES);
	if (st != 0) {
		printf("CONFIG_IRQ_MAP: status %d\n", st);
		goto out;
	}
	for (q = 0; q < DEV_QUEUES; q++) {
		if (check_queue(RTE_EMUDEV_QUEUE_GUEST_TX, q, false) != TEST_SUCCESS ||
		    check_queue(RTE_EMUDEV_QUEUE_GUEST_RX, q, false) != TEST_SUCCESS)
			goto out;
	}
	/* A tail written through the mmap is seen by the device and trapped reads. */
	tails[1][1] = RING_LEN - 1;
	tails[0][1] = 7;
	rte_smp_mb();
	if (ag_reg_rd(&g, R_QRX_TAIL(1), &v) != 0 || v != RING_LEN - 1) {
		printf("QRX_TAIL(1) written %u through the mmap reads %" PRIu32 "\n", RING_LEN - 1,
		       v);
		goto out;
	}
	if (qinfo(RTE_EMUDEV_QUEUE_GUEST_TX, 1, &qi) != 0 || qi.doorbell == NULL ||
	    *qi.doorbell != 7) {
		printf("tx 1 doorbell does not read the tail written through the mmap\n");
		goto out;
	}
	/* And a trapped write lands in the mmapped page. */
	if (ag_reg_wr(&g, R_QTX_TAIL(0), 3) != 0 || tails[0][0] != 3) {
		printf("QTX_TAIL(0) written 3 by REGION_WRITE reads %" PRIu32 " in the mmap\n",
		       tails[0][0]);
		goto out;
	}
	tails[0][0] = 0;
	tails[0][1] = 0;

	ev = g.nb_events;
	st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 0x3, 0x3, NULL, 0, NULL);
	if (st != 0) {
		printf("ENABLE_QUEUES: status %d\n", st);
		goto out;
	}
	if (!ag_wait_event(&g, ev, WAIT_MS)) {
		printf("no LINK_CHANGE event after ENABLE_QUEUES\n");
		goto out;
	}
	if (g.last_event != VC_EVENT_LINK_CHANGE || !g.last_event_link || g.last_event_speed == 0) {
		printf("event %" PRId32 " link %u speed %" PRIu32 " after ENABLE_QUEUES\n",
		       g.last_event, g.last_event_link, g.last_event_speed);
		goto out;
	}
	for (q = 0; q < DEV_QUEUES; q++) {
		if (check_queue(RTE_EMUDEV_QUEUE_GUEST_TX, q, true) != TEST_SUCCESS ||
		    check_queue(RTE_EMUDEV_QUEUE_GUEST_RX, q, true) != TEST_SUCCESS)
			goto out;
	}
	if (qinfo(RTE_EMUDEV_QUEUE_GUEST_RX, 1, &qi) != 0 || *qi.doorbell != RING_LEN - 1) {
		printf("rx 1 doorbell lost the tail written before ENABLE_QUEUES\n");
		goto out;
	}
	if (ev_get(RTE_EMUDEV_EVENT_QUEUE_ENABLED) - en0 != 2 * DEV_QUEUES) {
		printf("%u QUEUE_ENABLED events for %u queues\n",
		       ev_get(RTE_EMUDEV_EVENT_QUEUE_ENABLED) - en0, 2 * DEV_QUEUES);
		goto out;
	}
	/* Queue info out of range. */
	if (qinfo(RTE_EMUDEV_QUEUE_GUEST_TX, DEV_QUEUES, &qi) == 0) {
		printf("queue info of tx %u (out of range) succeeded\n", DEV_QUEUES);
		goto out;
	}

	/* Disable one direction of one queue, then the rest. */
	st = ag_vc_queue_select(&g, VC_OP_DISABLE_QUEUES, g.vsi_id, 0x2, 0x0, NULL, 0, NULL);
	if (st != 0 || qinfo(RTE_EMUDEV_QUEUE_GUEST_RX, 1, &qi) != 0 || qi.enabled) {
		printf("DISABLE_QUEUES rx 1: status %d, still enabled %d\n", st, qi.enabled);
		goto out;
	}
	if (qinfo(RTE_EMUDEV_QUEUE_GUEST_TX, 1, &qi) != 0 || !qi.enabled) {
		printf("DISABLE_QUEUES rx 1 disabled tx 1\n");
		goto out;
	}
	st = ag_vc_queue_select(&g, VC_OP_DISABLE_QUEUES, g.vsi_id, 0x1, 0x3, NULL, 0, NULL);
	if (st != 0) {
		printf("DISABLE_QUEUES: status %d\n", st);
		goto out;
	}
	if (check_all_disabled() != TEST_SUCCESS)
		goto out;
	if (ev_get(RTE_EMUDEV_EVENT_QUEUE_DISABLED) - dis0 != 2 * DEV_QUEUES) {
		printf("%u QUEUE_DISABLED events for %u queues\n",
		       ev_get(RTE_EMUDEV_EVENT_QUEUE_DISABLED) - dis0, 2 * DEV_QUEUES);
		goto out;
	}

	/* DPDK's way: one queue per message, TX first, after CONFIG again. */
	st = ag_vc_config_queues(&g, DEV_QUEUES);
	if (st != 0) {
		printf("CONFIG_VSI_QUEUES again: status %d\n", st);
		goto out;
	}
	for (q = 0; q < DEV_QUEUES; q++) {
		st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 0, 1u << q, NULL, 0,
					NULL);
		if (st == 0)
			st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 1u << q, 0, NULL,
						0, NULL);
		if (st != 0) {
			printf("ENABLE_QUEUES of queue %u alone: status %d\n", q, st);
			goto out;
		}
	}
	for (q = 0; q < DEV_QUEUES; q++) {
		if (check_queue(RTE_EMUDEV_QUEUE_GUEST_TX, q, true) != TEST_SUCCESS ||
		    check_queue(RTE_EMUDEV_QUEUE_GUEST_RX, q, true) != TEST_SUCCESS)
			goto out;
	}
	/* Enabling an enabled queue is harmless. */
	st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 0x1, 0x1, NULL, 0, NULL);
	if (st != 0) {
		printf("ENABLE_QUEUES of enabled queues: status %d\n", st);
		goto out;
	}
	st = ag_vc_queue_select(&g, VC_OP_DISABLE_QUEUES, g.vsi_id, 0x3, 0x3, NULL, 0, NULL);
	if (st != 0 || check_all_disabled() != TEST_SUCCESS) {
		printf("DISABLE_QUEUES of all: status %d\n", st);
		goto out;
	}
	if (g.nb_stray != 0) {
		printf("%u stray replies\n", g.nb_stray);
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	rte_emudev_event_unregister(emu_id, RTE_EMUDEV_EVENT_ALL, count_event, NULL);
	return ret;
}

/* LINK_CHANGE events that arrive within a short while (none expected: 0). */
static unsigned int
link_events_settle(unsigned int nb_before)
{
	ag_wait_event(&g, nb_before, 100);
	ag_sleep_us(50000);
	ag_arq_drain(&g);
	return g.nb_events - nb_before;
}

/* Set an attribute (link_up, link_speed); the number of LINK_CHANGE events it brought. */
static unsigned int
attr_set_events(const char *attr, const void *val, uint32_t size, uint32_t printable)
{
	unsigned int ev = g.nb_events;

	if (rte_emudev_attr_set(emu_id, attr, val, size) != 0) {
		printf("%s attribute: cannot set %u\n", attr, printable);
		return 1000;
	}
	return link_events_settle(ev);
}

static unsigned int
link_set(uint8_t up)
{
	return attr_set_events(RTE_EMUDEV_ATTR_LINK_UP, &up, sizeof(up), up);
}

static unsigned int
speed_set(uint32_t speed)
{
	return attr_set_events(RTE_EMUDEV_ATTR_LINK_SPEED, &speed, sizeof(speed), speed);
}

/*
 * One LINK_CHANGE per link change: one after the first ENABLE_QUEUES however
 * many follow (DPDK enables one queue per message), one per change of the
 * link_up or link_speed attribute and none when it does not change, one
 * again after the driver disabled all its queues (Linux forgets its link
 * then) and after a VF reset; none for a driver whose queues are down.
 */
static int
test_link_events(void)
{
	static const struct {
		const char *name;
		bool speed_attr; /* link_speed (else link_up) */
		uint32_t val; /* link_up, or the speed in units of the initial one */
		unsigned int events; /* LINK_CHANGE events it brings */
		int link; /* the last event's link; -1: not checked */
		int speed_x; /* its speed in units of the initial one; -1: not checked */
	} steps[] = {
		{"link down", false, 0, 1, 0, 0},    {"link down again", false, 0, 0, -1, -1},
		{"link up", false, 1, 1, 1, 1},	     {"link up again", false, 1, 0, -1, -1},
		{"speed change", true, 2, 1, -1, 2}, {"same speed", true, 2, 0, -1, -1},
		{"speed back", true, 1, 1, -1, 1},
	};
	struct aq_desc d;
	uint32_t speed0 = 0;
	unsigned int ev, n, i;
	uint16_t q;
	int st;

	TEST_ASSERT_EQUAL(
		rte_emudev_attr_get(emu_id, RTE_EMUDEV_ATTR_LINK_SPEED, &speed0, sizeof(speed0)),
		(int)sizeof(speed0), "link_speed attribute");
	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	TEST_ASSERT_EQUAL(ag_vc_config_queues(&g, DEV_QUEUES), 0, "CONFIG_VSI_QUEUES");
	TEST_ASSERT_EQUAL(ag_vc_irq_map(&g, DEV_QUEUES), 0, "CONFIG_IRQ_MAP");
	/* Before the queues are up, link changes are not told (Linux would ignore them). */
	n = link_set(0) + link_set(1);
	TEST_ASSERT_EQUAL(n, 0, "LINK_CHANGE events before ENABLE_QUEUES");

	ev = g.nb_events;
	for (q = 0; q < DEV_QUEUES; q++) {
		st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 0, 1u << q, NULL, 0,
					NULL);
		TEST_ASSERT_EQUAL(st, 0, "ENABLE_QUEUES tx %u", q);
		st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 1u << q, 0, NULL, 0,
					NULL);
		TEST_ASSERT_EQUAL(st, 0, "ENABLE_QUEUES rx %u", q);
	}
	n = link_events_settle(ev);
	printf("%u ENABLE_QUEUES messages: %u LINK_CHANGE event(s)\n", 2 * DEV_QUEUES, n);
	TEST_ASSERT_EQUAL(n, 1, "LINK_CHANGE events after %u ENABLE_QUEUES", 2 * DEV_QUEUES);
	TEST_ASSERT(g.last_event == VC_EVENT_LINK_CHANGE && g.last_event_link &&
			    g.last_event_speed == speed0,
		    "event %d, link %u, speed %u", g.last_event, g.last_event_link,
		    g.last_event_speed);

	/*
	 * Down, down again, up, up again; a speed change is a change, the same
	 * speed is not: one event each change.
	 */
	for (i = 0; i < RTE_DIM(steps); i++) {
		const char *name = steps[i].name;

		if (steps[i].speed_attr)
			n = speed_set(steps[i].val * speed0);
		else
			n = link_set((uint8_t)steps[i].val);
		TEST_ASSERT_EQUAL(n, steps[i].events, "%s: events", name);
		if (steps[i].link >= 0)
			TEST_ASSERT_EQUAL(g.last_event_link, steps[i].link, "%s: link", name);
		if (steps[i].speed_x >= 0)
			TEST_ASSERT_EQUAL(g.last_event_speed, steps[i].speed_x * speed0,
					  "%s: speed", name);
	}

	/* Enabling queues again tells nothing new; disabling one neither. */
	ev = g.nb_events;
	st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 3, 3, NULL, 0, NULL);
	TEST_ASSERT_EQUAL(st, 0, "ENABLE_QUEUES again");
	st = ag_vc_queue_select(&g, VC_OP_DISABLE_QUEUES, g.vsi_id, 2, 2, NULL, 0, NULL);
	TEST_ASSERT_EQUAL(st, 0, "DISABLE_QUEUES of queue 1");
	st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 2, 2, NULL, 0, NULL);
	TEST_ASSERT_EQUAL(st, 0, "ENABLE_QUEUES of queue 1");
	TEST_ASSERT_EQUAL(link_events_settle(ev), 0, "events with a queue enabled throughout");

	/* All down (the driver's ifdown), then up: told again, once. */
	st = ag_vc_queue_select(&g, VC_OP_DISABLE_QUEUES, g.vsi_id, 3, 3, NULL, 0, NULL);
	TEST_ASSERT_EQUAL(st, 0, "DISABLE_QUEUES");
	TEST_ASSERT_EQUAL(link_set(0) + link_set(1), 0, "events with the queues down");
	ev = g.nb_events;
	for (q = 0; q < DEV_QUEUES; q++) {
		st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 1u << q, 1u << q, NULL,
					0, NULL);
		TEST_ASSERT_EQUAL(st, 0, "ENABLE_QUEUES %u", q);
	}
	n = link_events_settle(ev);
	TEST_ASSERT(n == 1 && g.last_event_link, "after DISABLE/ENABLE: %u events", n);

	/* A VF reset: the new driver is told once its queues are up. */
	ag_vc_desc(&d, VC_OP_RESET_VF, 0, 0);
	TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post RESET_VF");
	TEST_ASSERT_SUCCESS(ag_wait_reg_clear(&g, R_ARQLEN, AQLEN_ENABLE), "reset");
	TEST_ASSERT_SUCCESS(ag_bring_up(&g, false), "bring-up after RESET_VF");
	TEST_ASSERT_EQUAL(ag_vc_config_queues(&g, DEV_QUEUES), 0, "CONFIG_VSI_QUEUES");
	TEST_ASSERT_EQUAL(ag_vc_irq_map(&g, DEV_QUEUES), 0, "CONFIG_IRQ_MAP");
	ev = g.nb_events;
	for (q = 0; q < DEV_QUEUES; q++) {
		st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 1u << q, 1u << q, NULL,
					0, NULL);
		TEST_ASSERT_EQUAL(st, 0, "ENABLE_QUEUES %u after RESET_VF", q);
	}
	n = link_events_settle(ev);
	printf("after RESET_VF: %u LINK_CHANGE event(s)\n", n);
	TEST_ASSERT(n == 1 && g.last_event_link, "after RESET_VF: %u events", n);
	st = ag_vc_queue_select(&g, VC_OP_DISABLE_QUEUES, g.vsi_id, 3, 3, NULL, 0, NULL);
	TEST_ASSERT_EQUAL(st, 0, "DISABLE_QUEUES");
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/* Added to every counter stats_cb() answers. */
static uint64_t stats_extra;

/* What the stats callback answers. */
static int
stats_cb(uint16_t dev_id, struct rte_emudev_stats *s, void *arg)
{
	RTE_SET_USED(dev_id);
	RTE_SET_USED(arg);
	s->rx_bytes = 1001 + stats_extra;
	s->rx_unicast = 1002 + stats_extra;
	s->rx_multicast = 1003 + stats_extra;
	s->rx_broadcast = 1004 + stats_extra;
	s->rx_discards = 1005 + stats_extra;
	s->rx_unknown_protocol = 1006 + stats_extra;
	s->tx_bytes = 2001 + stats_extra;
	s->tx_unicast = 2002 + stats_extra;
	s->tx_multicast = 2003 + stats_extra;
	s->tx_broadcast = 2004 + stats_extra;
	s->tx_discards = 2005 + stats_extra;
	s->tx_errors = 2006 + stats_extra;
	return 0;
}

/* MAC filters (one and two a message) and promiscuous mode. */
static int
test_mac_filters_promisc(void)
{
	static const uint8_t own[6] = {0x02, 0, 0, 0, 0, 0x01};
	static const uint8_t other[6] = {0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE};
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB};
	uint8_t msg[20];
	int st;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");

	st = ag_vc_eth_addr(&g, VC_OP_ADD_ETH_ADDR, g.vsi_id, own);
	TEST_ASSERT_EQUAL(st, 0, "ADD_ETH_ADDR own");
	st = ag_vc_eth_addr(&g, VC_OP_ADD_ETH_ADDR, g.vsi_id, other);
	TEST_ASSERT_EQUAL(st, 0, "ADD_ETH_ADDR other");
	st = ag_vc_eth_addr(&g, VC_OP_ADD_ETH_ADDR, g.vsi_id, mcast);
	TEST_ASSERT_EQUAL(st, 0, "ADD_ETH_ADDR multicast");
	/* Two in one message. */
	memset(msg, 0, sizeof(msg));
	put_le16(msg, g.vsi_id);
	put_le16(msg + 2, 2);
	memcpy(msg + 4, other, 6);
	memcpy(msg + 12, mcast, 6);
	st = ag_vc_call(&g, VC_OP_DEL_ETH_ADDR, msg, 20, NULL, 0, NULL);
	TEST_ASSERT_EQUAL(st, 0, "DEL_ETH_ADDR of two");
	st = ag_vc_eth_addr(&g, VC_OP_DEL_ETH_ADDR, g.vsi_id, own);
	TEST_ASSERT_EQUAL(st, 0, "DEL_ETH_ADDR own");

	st = ag_vc_promisc(&g, g.vsi_id, VC_PROMISC_UNICAST | VC_PROMISC_MULTICAST);
	TEST_ASSERT_EQUAL(st, 0, "CONFIG_PROMISCUOUS_MODE on");
	st = ag_vc_promisc(&g, g.vsi_id, VC_PROMISC_MULTICAST);
	TEST_ASSERT_EQUAL(st, 0, "CONFIG_PROMISCUOUS_MODE allmulti");
	st = ag_vc_promisc(&g, g.vsi_id, 0);
	TEST_ASSERT_EQUAL(st, 0, "CONFIG_PROMISCUOUS_MODE off");
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/* GET_STATS without a consumer, then with the consumer's counters. */
static int
test_get_stats(void)
{
	uint8_t stats[96];
	uint16_t rlen;
	unsigned int i;
	int st, ret;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");

	/* GET_STATS without a consumer: success, 96 bytes. */
	st = ag_vc_queue_select(&g, VC_OP_GET_STATS, g.vsi_id, 0, 0, stats, sizeof(stats), &rlen);
	TEST_ASSERT_EQUAL(st, 0, "GET_STATS");
	TEST_ASSERT_EQUAL(rlen, 96, "GET_STATS length");
	/* With the consumer's counters. */
	ret = rte_emudev_stats_cb_set(emu_id, stats_cb, NULL);
	TEST_ASSERT_SUCCESS(ret, "stats callback");
	memset(stats, 0, sizeof(stats));
	st = ag_vc_queue_select(&g, VC_OP_GET_STATS, g.vsi_id, 0, 0, stats, sizeof(stats), &rlen);
	rte_emudev_stats_cb_set(emu_id, NULL, NULL);
	TEST_ASSERT_EQUAL(st, 0, "GET_STATS");
	TEST_ASSERT_EQUAL(rlen, 96, "GET_STATS length");
	for (i = 0; i < 12; i++) {
		uint64_t want = (i < 6 ? 1001 : 2001 - 6) + i;
		uint64_t got = (uint64_t)get_le32(stats + 8 * i) |
			(uint64_t)get_le32(stats + 8 * i + 4) << 32;

		/* rx_bytes with a 4-byte FCS per frame, as a VF counts it. */
		if (i == 0)
			want += 4 * (1002 + 1003 + 1004);

		TEST_ASSERT_EQUAL(got, want, "GET_STATS counter %u", i);
	}
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/* Unknown virtchnl ops, with and without payload: NOT_SUPPORTED. */
static int
test_unknown_ops(void)
{
	static const uint32_t unknown[] = {0, 4, 5, 16, 99, 999, 0x7FFFFFFFu, 0xFFFFFFFFu};
	static const uint8_t other[6] = {0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE};
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB};
	uint8_t msg[20];
	unsigned int i;
	int st;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	/* The payload: a DEL_ETH_ADDR of two addresses (what it was before the split). */
	memset(msg, 0, sizeof(msg));
	put_le16(msg, g.vsi_id);
	put_le16(msg + 2, 2);
	memcpy(msg + 4, other, 6);
	memcpy(msg + 12, mcast, 6);
	for (i = 0; i < RTE_DIM(unknown); i++) {
		st = ag_vc_call(&g, unknown[i], NULL, 0, NULL, 0, NULL);
		TEST_ASSERT_EQUAL(st, VC_STATUS_NOT_SUPPORTED, "op %" PRIu32, unknown[i]);
		st = ag_vc_call(&g, unknown[i], msg, 16, NULL, 0, NULL);
		TEST_ASSERT_EQUAL(st, VC_STATUS_NOT_SUPPORTED, "op %" PRIu32 " with payload",
				  unknown[i]);
	}
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/* ------------------------------------------------- receive configuration */

static int wait_disconnected(void);

static const uint8_t dev_mac[6] = {0x02, 0, 0, 0, 0, 0x01};

/* An address: unicast 02:00:00:00:xx:yy or multicast 01:00:5e:00:xx:yy (i). */
static void
rx_addr(uint8_t *a, bool multi, unsigned int i)
{
	a[0] = multi ? 0x01 : 0x02;
	a[1] = 0;
	a[2] = multi ? 0x5E : 0x10;
	a[3] = 0;
	a[4] = (uint8_t)(i >> 8);
	a[5] = (uint8_t)i;
}

/* ADD/DEL_ETH_ADDR of n addresses from first (unicast or multicast). */
static int
vc_eth_addrs(uint32_t op, bool multi, unsigned int first, unsigned int n)
{
	static uint8_t msg[4 + 8 * 128];
	unsigned int i;

	if (n > 128)
		return VC_NO_REPLY;
	memset(msg, 0, sizeof(msg));
	put_le16(msg, g.vsi_id);
	put_le16(msg + 2, (uint16_t)n);
	for (i = 0; i < n; i++)
		rx_addr(msg + 4 + 8 * i, multi, first + i);
	return ag_vc_call(&g, op, msg, (uint16_t)(4 + 8 * n), NULL, 0, NULL);
}

/* The receive configuration now. */
static int
rx_conf(struct rte_emudev_net_rx_conf *c)
{
	int ret = rte_emudev_net_rx_conf_get(emu_id, c);

	if (ret != 0)
		printf("rte_emudev_net_rx_conf_get: %d\n", ret);
	return ret;
}

/* Whether list (n entries) holds a. */
static bool
rx_has(const struct rte_ether_addr *list, unsigned int n, const uint8_t *a)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (memcmp(list[i].addr_bytes, a, 6) == 0)
			return true;
	return false;
}

/* What the NET_RX_CONF_CHANGED callback read (it may call the API: no lock held). */
static uint64_t cb_gen;
static int cb_ret;

static void
rx_conf_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	struct rte_emudev_net_rx_conf c;

	RTE_SET_USED(arg);
	if (ev->type != RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED)
		return;
	cb_ret = rte_emudev_net_rx_conf_get(dev_id, &c);
	if (cb_ret == 0)
		cb_gen = c.generation;
}

/* Defaults: no flag, the device MAC, nothing else. */
static int
rx_conf_is_default(const char *when)
{
	struct rte_emudev_net_rx_conf c;
	unsigned int i;

	if (rx_conf(&c) != 0)
		return -1;
	for (i = 0; i < RTE_DIM(c.vlan_bitmap); i++)
		if (c.vlan_bitmap[i] != 0)
			break;
	if (c.flags != 0 || c.nb_unicast != 1 || c.nb_multicast != 0 ||
	    memcmp(c.unicast[0].addr_bytes, dev_mac, 6) != 0 || i != RTE_DIM(c.vlan_bitmap) ||
	    c.rss_types != 0) {
		printf("%s: receive configuration flags 0x%x, %u unicast, %u multicast\n", when,
		       c.flags, c.nb_unicast, c.nb_multicast);
		return -1;
	}
	return 0;
}

/* The event counters and rx_conf_cb() registered. */
static int
rx_conf_events_register(void)
{
	TEST_ASSERT_SUCCESS(
		rte_emudev_event_register(emu_id, RTE_EMUDEV_EVENT_ALL, count_event, NULL),
		"event register");
	TEST_ASSERT_SUCCESS(rte_emudev_event_register(emu_id, RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED,
						      rx_conf_cb, NULL),
			    "event register");
	cb_ret = -1;
	return TEST_SUCCESS;
}

/* The end of a receive configuration case: no stray reply; the events unregistered. */
static int
rx_conf_done(int ret)
{
	if (ret == TEST_SUCCESS && g.nb_stray != 0) {
		printf("%u stray replies\n", g.nb_stray);
		ret = TEST_FAILED;
	}
	rte_emudev_event_unregister(emu_id, RTE_EMUDEV_EVENT_ALL, count_event, NULL);
	rte_emudev_event_unregister(emu_id, RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED, rx_conf_cb, NULL);
	return ret;
}

/*
 * The receive configuration through virtchnl: unicast and multicast lists
 * (duplicates, the device MAC always there, full lists refused whole),
 * promiscuous modes, bad messages changing nothing, one event per change.
 */
static int
test_rx_conf_lists(void)
{
	struct rte_emudev_net_rx_conf c;
	uint8_t a[6], msg[32];
	unsigned int ev, i;
	uint64_t gen;
	int st, ret = TEST_FAILED;

	TEST_ASSERT_SUCCESS(rx_conf_events_register(), "event register");
	if (ag_bring_up(&g, true) != 0 || rx_conf_is_default("after bring-up") != 0)
		goto out;

	/* Own MAC, another twice, a multicast: one message, one event. */
	ev = ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED);
	rx_conf(&c);
	gen = c.generation;
	memset(msg, 0, sizeof(msg));
	put_le16(msg, g.vsi_id);
	put_le16(msg + 2, 3);
	memcpy(msg + 4, dev_mac, 6);
	msg[4 + 6] = 1; /* VIRTCHNL_ETHER_ADDR_PRIMARY */
	rx_addr(msg + 12, false, 1);
	rx_addr(msg + 20, true, 1);
	st = ag_vc_call(&g, VC_OP_ADD_ETH_ADDR, msg, 28, NULL, 0, NULL);
	if (st != 0 || vc_eth_addrs(VC_OP_ADD_ETH_ADDR, false, 1, 1) != 0 || rx_conf(&c) != 0) {
		printf("ADD_ETH_ADDR: status %d\n", st);
		goto out;
	}
	rx_addr(a, false, 1);
	if (c.nb_unicast != 2 || memcmp(c.unicast[0].addr_bytes, dev_mac, 6) != 0 ||
	    !rx_has(c.unicast, c.nb_unicast, a) || c.nb_multicast != 1 || c.flags != 0) {
		printf("after ADD_ETH_ADDR: %u unicast, %u multicast, flags 0x%x\n", c.nb_unicast,
		       c.nb_multicast, c.flags);
		goto out;
	}
	rx_addr(a, true, 1);
	if (cb_ret != 0 || cb_gen != c.generation) {
		printf("the event callback read generation %" PRIu64 " (status %d), now %" PRIu64
		       "\n",
		       cb_gen, cb_ret, c.generation);
		goto out;
	}
	if (!rx_has(c.multicast, c.nb_multicast, a) || c.generation <= gen ||
	    ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED) - ev != 1) {
		printf("after ADD_ETH_ADDR: multicast missing, generation %" PRIu64 " (was %" PRIu64
		       "), %u events\n",
		       c.generation, gen, ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED) - ev);
		goto out;
	}

	/* Promiscuous modes. */
	ev = ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED);
	st = ag_vc_promisc(&g, g.vsi_id, VC_PROMISC_UNICAST | VC_PROMISC_MULTICAST);
	if (st != 0 || rx_conf(&c) != 0 ||
	    c.flags != (RTE_EMUDEV_NET_RX_F_PROMISC | RTE_EMUDEV_NET_RX_F_ALLMULTI)) {
		printf("promiscuous: status %d, flags 0x%x\n", st, c.flags);
		goto out;
	}
	st = ag_vc_promisc(&g, g.vsi_id, VC_PROMISC_MULTICAST);
	if (st != 0 || rx_conf(&c) != 0 || c.flags != RTE_EMUDEV_NET_RX_F_ALLMULTI) {
		printf("allmulti: status %d, flags 0x%x\n", st, c.flags);
		goto out;
	}
	st = ag_vc_promisc(&g, g.vsi_id, VC_PROMISC_MULTICAST); /* no change, no event */
	if (st != 0 || ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED) - ev != 2) {
		printf("promiscuous: %u events for 2 changes\n",
		       ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED) - ev);
		goto out;
	}
	st = ag_vc_promisc(&g, g.vsi_id, 0);
	if (st != 0 || rx_conf(&c) != 0 || c.flags != 0) {
		printf("promiscuous off: status %d, flags 0x%x\n", st, c.flags);
		goto out;
	}

	/* Bad messages: an error, nothing changed, no event. */
	rx_conf(&c);
	gen = c.generation;
	ev = ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED);
	st = ag_vc_promisc(&g, g.vsi_id, 0x4);
	if (st != VC_STATUS_ERR_PARAM) {
		printf("promiscuous flags 0x4: status %d\n", st);
		goto out;
	}
	st = ag_vc_promisc(&g, (uint16_t)(g.vsi_id + 1), VC_PROMISC_UNICAST);
	if (st != VC_STATUS_ERR_PARAM) {
		printf("promiscuous on another VSI: status %d\n", st);
		goto out;
	}
	/* A good address, then a broadcast one: neither is added. */
	put_le16(msg + 2, 2);
	rx_addr(msg + 4, false, 7);
	memset(msg + 12, 0xFF, 6);
	st = ag_vc_call(&g, VC_OP_ADD_ETH_ADDR, msg, 20, NULL, 0, NULL);
	if (st != VC_STATUS_ERR_PARAM) {
		printf("ADD_ETH_ADDR with a broadcast address: status %d\n", st);
		goto out;
	}
	memset(msg + 12, 0, 6);
	st = ag_vc_call(&g, VC_OP_ADD_ETH_ADDR, msg, 20, NULL, 0, NULL);
	if (st != VC_STATUS_ERR_PARAM) {
		printf("ADD_ETH_ADDR with a zero address: status %d\n", st);
		goto out;
	}
	/* Two announced, one sent. */
	st = ag_vc_call(&g, VC_OP_ADD_ETH_ADDR, msg, 12, NULL, 0, NULL);
	if (st != VC_STATUS_ERR_PARAM) {
		printf("ADD_ETH_ADDR of 2 in 12 bytes: status %d\n", st);
		goto out;
	}
	if (rx_conf(&c) != 0 || c.generation != gen || c.nb_unicast != 2 || c.flags != 0 ||
	    ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED) != ev) {
		printf("bad messages changed the configuration (%u unicast, flags 0x%x)\n",
		       c.nb_unicast, c.flags);
		goto out;
	}

	/* Full lists: what does not fit is refused whole. */
	st = vc_eth_addrs(VC_OP_ADD_ETH_ADDR, false, 2, RTE_EMUDEV_NET_MAX_ADDRS - 2);
	if (st != 0 || rx_conf(&c) != 0 || c.nb_unicast != RTE_EMUDEV_NET_MAX_ADDRS) {
		printf("unicast list to %u: status %d, %u entries\n", RTE_EMUDEV_NET_MAX_ADDRS, st,
		       c.nb_unicast);
		goto out;
	}
	gen = c.generation;
	st = vc_eth_addrs(VC_OP_ADD_ETH_ADDR, false, 500, 1);
	if (st != VC_STATUS_NO_MEMORY || rx_conf(&c) != 0 || c.generation != gen) {
		printf("a unicast address too many: status %d\n", st);
		goto out;
	}
	/* Present ones and the device MAC still fit. */
	st = ag_vc_eth_addr(&g, VC_OP_ADD_ETH_ADDR, g.vsi_id, dev_mac);
	if (st != 0 || vc_eth_addrs(VC_OP_ADD_ETH_ADDR, false, 3, 5) != 0) {
		printf("adding present addresses to a full list: status %d\n", st);
		goto out;
	}
	st = vc_eth_addrs(VC_OP_ADD_ETH_ADDR, true, 2, RTE_EMUDEV_NET_MAX_ADDRS - 1);
	if (st != 0 || rx_conf(&c) != 0 || c.nb_multicast != RTE_EMUDEV_NET_MAX_ADDRS) {
		printf("multicast list to %u: status %d, %u entries\n", RTE_EMUDEV_NET_MAX_ADDRS,
		       st, c.nb_multicast);
		goto out;
	}
	/* One new among present ones: refused, nothing added. */
	st = vc_eth_addrs(VC_OP_ADD_ETH_ADDR, true, 60, 10);
	if (st != VC_STATUS_NO_MEMORY || rx_conf(&c) != 0 ||
	    c.nb_multicast != RTE_EMUDEV_NET_MAX_ADDRS) {
		printf("multicast addresses too many: status %d, %u entries\n", st, c.nb_multicast);
		goto out;
	}
	/* Deleting: absent ones are fine; the device MAC stays. */
	st = vc_eth_addrs(VC_OP_DEL_ETH_ADDR, false, 1, 100);
	if (st == 0)
		st = ag_vc_eth_addr(&g, VC_OP_DEL_ETH_ADDR, g.vsi_id, dev_mac);
	if (st != 0 || rx_conf(&c) != 0 || c.nb_unicast != 1 ||
	    memcmp(c.unicast[0].addr_bytes, dev_mac, 6) != 0) {
		printf("DEL_ETH_ADDR of all unicast: status %d, %u entries\n", st, c.nb_unicast);
		goto out;
	}
	st = vc_eth_addrs(VC_OP_DEL_ETH_ADDR, true, 1, 10);
	if (st != 0 || rx_conf(&c) != 0 || c.nb_multicast != RTE_EMUDEV_NET_MAX_ADDRS - 10) {
		printf("DEL_ETH_ADDR of 10 multicast: status %d, %u entries\n", st, c.nb_multicast);
		goto out;
	}
	rx_addr(a, true, 5);
	for (i = 0; i < c.nb_multicast; i++)
		if (memcmp(c.multicast[i].addr_bytes, a, 6) == 0)
			break;
	if (i != c.nb_multicast) {
		printf("a deleted multicast address is still listed\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	return rx_conf_done(ret);
}

/*
 * The receive configuration goes back to the defaults, with an event, after
 * a VF reset and after the client left.
 */
static int
test_rx_conf_defaults_restored(void)
{
	unsigned int ev;
	int ret = TEST_FAILED;

	TEST_ASSERT_SUCCESS(rx_conf_events_register(), "event register");
	if (ag_bring_up(&g, true) != 0 || rx_conf_is_default("after bring-up") != 0)
		goto out;
	/* Something to undo: multicast addresses, promiscuous mode. */
	if (vc_eth_addrs(VC_OP_ADD_ETH_ADDR, true, 1, 3) != 0) {
		printf("ADD_ETH_ADDR of 3 multicast failed\n");
		goto out;
	}
	/* A VF reset: back to the defaults, with an event. */
	ag_vc_promisc(&g, g.vsi_id, VC_PROMISC_UNICAST);
	ev = ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_reset(g.c), "DEVICE_RESET");
	if (ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED) == ev ||
	    rx_conf_is_default("after a reset") != 0) {
		printf("no event or no defaults after a reset\n");
		goto out;
	}
	/* The client leaves: defaults, with an event. */
	TEST_ASSERT_SUCCESS(ag_set_irqs(&g), "SET_IRQS");
	memset(g.mem, 0, 0x80000);
	if (ag_bring_up(&g, true) != 0 || vc_eth_addrs(VC_OP_ADD_ETH_ADDR, true, 1, 3) != 0 ||
	    ag_vc_promisc(&g, g.vsi_id, VC_PROMISC_MULTICAST) != 0)
		goto out;
	ev = ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED);
	ag_disconnect(&g);
	if (wait_disconnected() != 0 || ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED) == ev ||
	    rx_conf_is_default("after the client left") != 0) {
		printf("no event or no defaults after the client left\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	return rx_conf_done(ret);
}

/* ------------------------------------------------------------------ VLAN */

#define VC_OP_GET_OFFLOAD_VLAN_V2_CAPS 51
#define VC_OP_ADD_VLAN_V2 52
#define VC_OP_DEL_VLAN_V2 53
#define VC_OP_ENABLE_VLAN_STRIPPING_V2 54
#define VC_OP_DISABLE_VLAN_STRIPPING_V2 55
#define VC_OP_ENABLE_VLAN_INSERTION_V2 56
#define VC_OP_DISABLE_VLAN_INSERTION_V2 57
#define VC_CAP_VLAN_V2 (1u << 15)
#define VC_CAP_RSS_PF (1u << 19)
/* What DPDK's and Linux's iavf ask for. */
#define VF_CAPS_OFFLOADS (VF_CAPS_ASKED | VC_CAP_VLAN_V2 | VC_CAP_RSS_PF)

/*
 * ADD_VLAN_V2 / DEL_VLAN_V2 of n filters: VLAN ids first.. (outer, 0x8100),
 * or one raw filter (outer tpid, tci, mask, inner tpid) when raw is set.
 */
static int
vc_vlan_filters(uint32_t op, uint16_t first, unsigned int n, const uint16_t *raw, uint16_t len_cut)
{
	static uint8_t msg[8 + 32 * 100];
	unsigned int i;
	uint16_t len = (uint16_t)(8 + 32 * n);

	if (n > 100)
		return VC_NO_REPLY;
	memset(msg, 0, sizeof(msg));
	put_le16(msg, g.vsi_id);
	put_le16(msg + 2, (uint16_t)n);
	for (i = 0; i < n; i++) {
		uint8_t *f = msg + 8 + 32 * i;

		if (raw != NULL) {
			put_le16(f + 8, raw[1]); /* outer.tci */
			put_le16(f + 10, raw[2]); /* outer.tci_mask */
			put_le16(f + 12, raw[0]); /* outer.tpid */
			put_le16(f + 4, raw[3]); /* inner.tpid */
		} else {
			put_le16(f + 8, (uint16_t)(first + i));
			put_le16(f + 12, 0x8100);
		}
	}
	return ag_vc_call(&g, op, msg, (uint16_t)(len - len_cut), NULL, 0, NULL);
}

/* ENABLE/DISABLE_VLAN_STRIPPING/INSERTION_V2. */
static int
vc_vlan_setting(uint32_t op, uint32_t outer, uint32_t inner)
{
	uint8_t msg[16];

	memset(msg, 0, sizeof(msg));
	put_le32(msg, outer);
	put_le32(msg + 4, inner);
	put_le16(msg + 8, g.vsi_id);
	return ag_vc_call(&g, op, msg, sizeof(msg), NULL, 0, NULL);
}

static bool
vlan_bit(const struct rte_emudev_net_rx_conf *c, unsigned int vid)
{
	return (c->vlan_bitmap[vid / 64] >> (vid % 64)) & 1;
}

/*
 * VLAN_V2 as DPDK's and Linux's iavf use it: the capabilities, filters
 * (-> VLAN_FILTER and vlan_bitmap, VLAN 0 alone filters nothing); bad
 * filters refused (one named row each), a full table, the ops refused
 * without VLAN_V2.
 */
static int
test_vlan_filters(void)
{
	static const struct {
		const char *name;
		uint16_t raw[4]; /* tpid, tci, mask, inner tpid */
	} bad[] = {
		{"S-tag", {0x88A8, 100, 0, 0}},
		{"priority bits", {0x8100, 0x2064, 0, 0}},
		{"DEI bit", {0x8100, 0x1064, 0, 0}},
		{"a mask", {0x8100, 100, 0xFFF, 0}},
		{"something inner", {0x8100, 100, 0, 0x8100}},
		{"no tpid", {0, 100, 0, 0}},
	};
	struct rte_emudev_net_rx_conf c;
	uint8_t caps[64];
	struct vf_res r;
	uint16_t rlen;
	unsigned int ev, i;
	uint64_t gen;
	int st;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	/* Not negotiated: refused. */
	st = ag_vc_call(&g, VC_OP_GET_OFFLOAD_VLAN_V2_CAPS, NULL, 0, caps, sizeof(caps), &rlen);
	TEST_ASSERT_EQUAL(st, VC_STATUS_NOT_SUPPORTED, "VLAN caps without VLAN_V2");
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 100, 1, NULL, 0);
	TEST_ASSERT_EQUAL(st, VC_STATUS_NOT_SUPPORTED, "ADD_VLAN_V2 without VLAN_V2");

	TEST_ASSERT_SUCCESS(ag_vc_get_resources_caps(&g, &r, VF_CAPS_OFFLOADS), "GET_VF_RESOURCES");
	TEST_ASSERT(r.caps & VC_CAP_VLAN_V2, "VLAN_V2 not offered (caps 0x%08x)", r.caps);
	TEST_ASSERT(!(r.caps & (1u << 16)), "legacy VLAN offered with VLAN_V2 (caps 0x%08x)",
		    r.caps);
	memset(caps, 0, sizeof(caps));
	st = ag_vc_call(&g, VC_OP_GET_OFFLOAD_VLAN_V2_CAPS, NULL, 0, caps, sizeof(caps), &rlen);
	TEST_ASSERT(st == 0 && rlen == 40, "VLAN caps: status %d, %u bytes", st, rlen);
	printf("VLAN caps: filtering outer 0x%08x inner 0x%08x init 0x%x max %u; stripping outer "
	       "0x%08x; insertion outer 0x%08x; init 0x%x match %u\n",
	       get_le32(caps), get_le32(caps + 4), get_le32(caps + 8), get_le16(caps + 12),
	       get_le32(caps + 16), get_le32(caps + 24), get_le32(caps + 32), caps[36]);
	TEST_ASSERT(get_le32(caps) == 0x1 && get_le32(caps + 4) == 0 && get_le32(caps + 8) == 0x1 &&
			    get_le16(caps + 12) >= 8,
		    "filtering caps");
	TEST_ASSERT(get_le32(caps + 16) == 0x80000101u && get_le32(caps + 20) == 0 &&
			    get_le32(caps + 24) == 0x80000101u && get_le32(caps + 28) == 0 &&
			    get_le32(caps + 32) == 0x1,
		    "offload caps");

	TEST_ASSERT_SUCCESS(
		rte_emudev_event_register(emu_id, RTE_EMUDEV_EVENT_ALL, count_event, NULL),
		"event register");
	/* VLAN 0 alone (Linux adds it): no filtering. */
	ev = ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED);
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 0, 1, NULL, 0);
	TEST_ASSERT(st == 0 && rx_conf(&c) == 0 && !(c.flags & RTE_EMUDEV_NET_RX_F_VLAN_FILTER) &&
			    vlan_bit(&c, 0),
		    "VLAN 0: status %d, flags 0x%x", st, c.flags);
	/* 100 and 101: filtering. */
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 100, 2, NULL, 0);
	TEST_ASSERT(st == 0 && rx_conf(&c) == 0 && (c.flags & RTE_EMUDEV_NET_RX_F_VLAN_FILTER) &&
			    vlan_bit(&c, 100) && vlan_bit(&c, 101) && !vlan_bit(&c, 102),
		    "VLAN 100, 101: status %d, flags 0x%x", st, c.flags);
	TEST_ASSERT_EQUAL(ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED) - ev, 2, "events");
	/* Again: no change, no event. */
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 100, 1, NULL, 0);
	TEST_ASSERT(st == 0 && ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED) - ev == 2,
		    "adding VLAN 100 again");

	/* Bad filters: refused, nothing changed. */
	gen = c.generation;
	for (i = 0; i < RTE_DIM(bad); i++) {
		st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 0, 1, bad[i].raw, 0);
		TEST_ASSERT_EQUAL(st, VC_STATUS_ERR_PARAM, "bad filter %u (%s)", i, bad[i].name);
		st = vc_vlan_filters(VC_OP_DEL_VLAN_V2, 0, 1, bad[i].raw, 0);
		TEST_ASSERT_EQUAL(st, VC_STATUS_ERR_PARAM, "bad filter %u (%s) deleted", i,
				  bad[i].name);
	}
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 200, 2, NULL, 32);
	TEST_ASSERT_EQUAL(st, VC_STATUS_ERR_PARAM, "2 filters in the bytes of 1");
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 200, 0, NULL, 0);
	TEST_ASSERT_EQUAL(st, VC_STATUS_ERR_PARAM, "no filter");
	TEST_ASSERT(rx_conf(&c) == 0 && c.generation == gen && !vlan_bit(&c, 200),
		    "bad filters changed the configuration");

	/* A full table: one more is refused whole. */
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 1000, 61, NULL, 0); /* 3 + 61 = 64 */
	TEST_ASSERT_EQUAL(st, 0, "VLAN filters up to 64");
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 1060, 2, NULL, 0); /* 1060 present, 1061 not */
	TEST_ASSERT_EQUAL(st, VC_STATUS_NO_MEMORY, "a 65th VLAN filter");
	TEST_ASSERT(rx_conf(&c) == 0 && vlan_bit(&c, 1060) && !vlan_bit(&c, 1061) &&
			    vlan_bit(&c, 4095) == 0,
		    "after a refused add");
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 4095, 1, NULL, 0);
	TEST_ASSERT_EQUAL(st, VC_STATUS_NO_MEMORY, "VLAN 4095 in a full table");
	/* Deleting all but VLAN 0 (absent ones too): no filtering. */
	st = vc_vlan_filters(VC_OP_DEL_VLAN_V2, 1000, 100, NULL, 0);
	if (st == 0)
		st = vc_vlan_filters(VC_OP_DEL_VLAN_V2, 100, 2, NULL, 0);
	TEST_ASSERT(st == 0 && rx_conf(&c) == 0 && !(c.flags & RTE_EMUDEV_NET_RX_F_VLAN_FILTER) &&
			    vlan_bit(&c, 0) && !vlan_bit(&c, 100),
		    "after deleting: status %d, flags 0x%x", st, c.flags);
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 4095, 1, NULL, 0);
	TEST_ASSERT(st == 0 && rx_conf(&c) == 0 && vlan_bit(&c, 4095) &&
			    (c.flags & RTE_EMUDEV_NET_RX_F_VLAN_FILTER),
		    "VLAN 4095: status %d", st);
	rte_emudev_event_unregister(emu_id, RTE_EMUDEV_EVENT_ALL, count_event, NULL);
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/*
 * VLAN_V2 stripping (-> VLAN_STRIP) and insertion; settings refused (one
 * named row each) change nothing; no filter and no stripping after a reset.
 */
static int
test_vlan_offloads(void)
{
	static const struct {
		const char *name;
		uint32_t op, outer, inner;
		int want;
	} settings[] = {
		{"insertion on", VC_OP_ENABLE_VLAN_INSERTION_V2, 0x1, 0, 0},
		{"insertion off", VC_OP_DISABLE_VLAN_INSERTION_V2, 0x1, 0, 0},
		{"inner stripping", VC_OP_ENABLE_VLAN_STRIPPING_V2, 0, 0x1,
		 VC_STATUS_NOT_SUPPORTED},
		{"0x88a8 stripping", VC_OP_ENABLE_VLAN_STRIPPING_V2, 0x2, 0, VC_STATUS_ERR_PARAM},
		{"outer and inner insertion", VC_OP_ENABLE_VLAN_INSERTION_V2, 0x1, 0x1,
		 VC_STATUS_ERR_PARAM},
		{"stripping of no ethertype", VC_OP_ENABLE_VLAN_STRIPPING_V2, 0, 0,
		 VC_STATUS_ERR_PARAM},
	};
	struct rte_emudev_net_rx_conf c;
	uint8_t caps[64];
	struct vf_res r;
	uint16_t rlen;
	unsigned int i;
	int st;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	TEST_ASSERT_SUCCESS(ag_vc_get_resources_caps(&g, &r, VF_CAPS_OFFLOADS), "GET_VF_RESOURCES");
	TEST_ASSERT(r.caps & VC_CAP_VLAN_V2, "VLAN_V2 not offered (caps 0x%08x)", r.caps);
	/* The capabilities: the bytes of the short settings below. */
	memset(caps, 0, sizeof(caps));
	st = ag_vc_call(&g, VC_OP_GET_OFFLOAD_VLAN_V2_CAPS, NULL, 0, caps, sizeof(caps), &rlen);
	TEST_ASSERT(st == 0 && rlen == 40, "VLAN caps: status %d, %u bytes", st, rlen);

	st = vc_vlan_setting(VC_OP_ENABLE_VLAN_STRIPPING_V2, 0x1, 0);
	TEST_ASSERT(st == 0 && rx_conf(&c) == 0 && (c.flags & RTE_EMUDEV_NET_RX_F_VLAN_STRIP),
		    "stripping on: status %d, flags 0x%x", st, c.flags);
	st = vc_vlan_setting(VC_OP_DISABLE_VLAN_STRIPPING_V2, 0x1, 0);
	TEST_ASSERT(st == 0 && rx_conf(&c) == 0 && !(c.flags & RTE_EMUDEV_NET_RX_F_VLAN_STRIP),
		    "stripping off: status %d, flags 0x%x", st, c.flags);
	for (i = 0; i < RTE_DIM(settings); i++) {
		st = vc_vlan_setting(settings[i].op, settings[i].outer, settings[i].inner);
		TEST_ASSERT_EQUAL(st, settings[i].want, "%s", settings[i].name);
	}
	st = ag_vc_call(&g, VC_OP_ENABLE_VLAN_STRIPPING_V2, caps, 12, NULL, 0, NULL);
	TEST_ASSERT_EQUAL(st, VC_STATUS_ERR_PARAM, "a short setting");
	st = ag_vc_call(&g, 58 /* ENABLE_VLAN_FILTERING_V2: no toggle offered */, caps, 16, NULL, 0,
			NULL);
	TEST_ASSERT_EQUAL(st, VC_STATUS_NOT_SUPPORTED, "ENABLE_VLAN_FILTERING_V2");
	TEST_ASSERT(rx_conf(&c) == 0 && !(c.flags & RTE_EMUDEV_NET_RX_F_VLAN_STRIP),
		    "refused settings changed the configuration");

	/* A reset: no filter, no stripping. */
	st = vc_vlan_filters(VC_OP_ADD_VLAN_V2, 4095, 1, NULL, 0);
	TEST_ASSERT(st == 0 && rx_conf(&c) == 0 && (c.flags & RTE_EMUDEV_NET_RX_F_VLAN_FILTER),
		    "a filter for the reset to remove: status %d", st);
	vc_vlan_setting(VC_OP_ENABLE_VLAN_STRIPPING_V2, 0x1, 0);
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_reset(g.c), "DEVICE_RESET");
	TEST_ASSERT_SUCCESS(rx_conf_is_default("VLAN after a reset"), "defaults after a reset");
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------- RSS */

#define VC_OP_CONFIG_RSS_KEY 23
#define VC_OP_CONFIG_RSS_LUT 24
#define VC_OP_GET_RSS_HENA_CAPS 25
#define VC_OP_SET_RSS_HENA 26
/* The hash filters the device offers (IPv4/IPv6 UDP, TCP, SCTP, other, fragments; L2). */
#define RSS_HENA_CAPS \
	((1ull << 31) | (1ull << 33) | (1ull << 34) | (1ull << 35) | (1ull << 36) | (1ull << 41) | \
	 (1ull << 43) | (1ull << 44) | (1ull << 45) | (1ull << 46) | (1ull << 63))
/* Their RTE_ETH_RSS_* types. */
#define ALL_RSS_TYPES \
	(RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP | \
	 RTE_ETH_RSS_NONFRAG_IPV4_SCTP | RTE_ETH_RSS_NONFRAG_IPV4_OTHER | RTE_ETH_RSS_FRAG_IPV4 | \
	 RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP | \
	 RTE_ETH_RSS_NONFRAG_IPV6_SCTP | RTE_ETH_RSS_NONFRAG_IPV6_OTHER | RTE_ETH_RSS_FRAG_IPV6 | \
	 RTE_ETH_RSS_L2_PAYLOAD)

/* CONFIG_RSS_KEY: key_len bytes of key (i * 7 + seed), len bytes sent. */
static int
vc_rss_key(uint16_t vsi, uint16_t key_len, uint8_t seed, uint16_t len)
{
	uint8_t msg[4 + 128];
	unsigned int i;

	memset(msg, 0, sizeof(msg));
	put_le16(msg, vsi);
	put_le16(msg + 2, key_len);
	for (i = 0; i < 128; i++)
		msg[4 + i] = (uint8_t)(i * 7 + seed);
	return ag_vc_call(&g, VC_OP_CONFIG_RSS_KEY, msg, len, NULL, 0, NULL);
}

/* CONFIG_RSS_LUT: entries i % nq (one entry set to bad when bad is not 0). */
static int
vc_rss_lut(uint16_t entries, uint8_t nq, uint8_t bad, uint16_t len)
{
	uint8_t msg[4 + 256];
	unsigned int i;

	memset(msg, 0, sizeof(msg));
	put_le16(msg, g.vsi_id);
	put_le16(msg + 2, entries);
	for (i = 0; i < 256; i++)
		msg[4 + i] = (uint8_t)(i % nq);
	if (bad != 0)
		msg[4 + 17] = bad;
	return ag_vc_call(&g, VC_OP_CONFIG_RSS_LUT, msg, len, NULL, 0, NULL);
}

static int
vc_rss_hena(uint64_t hena, uint16_t len)
{
	uint8_t msg[8];

	put_le64(msg, hena);
	return ag_vc_call(&g, VC_OP_SET_RSS_HENA, msg, len, NULL, 0, NULL);
}

/* RSS messages the device must refuse. */
enum rss_msg_kind {
	RSS_MSG_KEY,
	RSS_MSG_LUT,
	RSS_MSG_HENA
};

struct rss_bad_msg {
	const char *name;
	enum rss_msg_kind kind;
	uint16_t vsi_delta; /* key: added to the VSI id */
	uint64_t val; /* key: its length; LUT: its entries; hena: the value */
	uint8_t arg; /* key: the seed; LUT: the bad queue */
	uint16_t len; /* message length */
};

static const struct rss_bad_msg rss_bad[] = {
	{"40-byte key", RSS_MSG_KEY, 0, 40, 9, 44},
	{"64-byte key", RSS_MSG_KEY, 0, 64, 9, 68},
	{"key cut short", RSS_MSG_KEY, 0, 52, 9, 55},
	{"key of another VSI", RSS_MSG_KEY, 1, 52, 9, 56},
	{"3-byte message", RSS_MSG_KEY, 0, 52, 9, 3},
	{"LUT naming queue DEV_QUEUES", RSS_MSG_LUT, 0, 64, DEV_QUEUES, 68},
	{"LUT naming queue 255", RSS_MSG_LUT, 0, 64, 255, 68},
	{"LUT of 128 entries", RSS_MSG_LUT, 0, 128, 0, 132},
	{"LUT cut short", RSS_MSG_LUT, 0, 64, 0, 67},
	{"hena bit 29", RSS_MSG_HENA, 0, 1ull << 29, 0, 8},
	{"hena bit 0", RSS_MSG_HENA, 0, RSS_HENA_CAPS | 1ull << 0, 0, 8},
	{"4-byte hena", RSS_MSG_HENA, 0, 0, 0, 4},
};

/*
 * RSS_PF as DPDK's iavf (hena 0 at init, then LUT, key and hena at
 * configure) and Linux's use it: the sizes, GET_RSS_HENA_CAPS, the key,
 * table and hash types in the receive configuration (RSS only once all
 * three are set), bad messages refused, the ops refused without RSS_PF,
 * defaults after a reset.
 */
static int
test_rss(void)
{
	struct rte_emudev_net_rx_conf c;
	uint8_t resp[16];
	struct vf_res r;
	uint64_t gen, want;
	unsigned int ev, i;
	uint16_t rlen;
	int st;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	st = vc_rss_key(g.vsi_id, 52, 0, 57);
	TEST_ASSERT_EQUAL(st, VC_STATUS_NOT_SUPPORTED, "CONFIG_RSS_KEY without RSS_PF");
	st = ag_vc_call(&g, VC_OP_GET_RSS_HENA_CAPS, NULL, 0, resp, sizeof(resp), &rlen);
	TEST_ASSERT_EQUAL(st, VC_STATUS_NOT_SUPPORTED, "GET_RSS_HENA_CAPS without RSS_PF");

	TEST_ASSERT_SUCCESS(ag_vc_get_resources_caps(&g, &r, VF_CAPS_OFFLOADS), "GET_VF_RESOURCES");
	TEST_ASSERT((r.caps & VC_CAP_RSS_PF) && !(r.caps & (VC_CAP_RSS_AQ | VC_CAP_RSS_REG)),
		    "RSS capabilities 0x%08x", r.caps);
	TEST_ASSERT(r.rss_key_size == 52 && r.rss_lut_size == 64, "RSS sizes %u/%u", r.rss_key_size,
		    r.rss_lut_size);
	memset(resp, 0, sizeof(resp));
	st = ag_vc_call(&g, VC_OP_GET_RSS_HENA_CAPS, NULL, 0, resp, sizeof(resp), &rlen);
	printf("GET_RSS_HENA_CAPS: status %d, %u bytes, 0x%016" PRIx64 "\n", st, rlen,
	       (uint64_t)get_le32(resp) | (uint64_t)get_le32(resp + 4) << 32);
	TEST_ASSERT(st == 0 && rlen == 8 &&
			    ((uint64_t)get_le32(resp) | (uint64_t)get_le32(resp + 4) << 32) ==
				    RSS_HENA_CAPS,
		    "GET_RSS_HENA_CAPS");

	TEST_ASSERT_SUCCESS(
		rte_emudev_event_register(emu_id, RTE_EMUDEV_EVENT_ALL, count_event, NULL),
		"event register");
	/* Linux: key and LUT only; every type is hashed by default. */
	TEST_ASSERT_EQUAL(vc_rss_key(g.vsi_id, 52, 5, 56), 0, "CONFIG_RSS_KEY");
	TEST_ASSERT(rx_conf(&c) == 0 && !(c.flags & RTE_EMUDEV_NET_RX_F_RSS),
		    "RSS with a key only: flags 0x%x", c.flags);
	TEST_ASSERT_EQUAL(vc_rss_lut(64, 1, 0, 68), 0, "CONFIG_RSS_LUT");
	TEST_ASSERT(rx_conf(&c) == 0 && (c.flags & RTE_EMUDEV_NET_RX_F_RSS) &&
			    c.rss_types == ALL_RSS_TYPES && c.rss_key[1] == 12 &&
			    c.rss_lut[63] == 0,
		    "Linux's RSS: flags 0x%x, types 0x%" PRIx64, c.flags, c.rss_types);
	/* DPDK: hena 0 at init, LUT (6 + 64 - 1 bytes), key (6 + 52 - 1 bytes). */
	TEST_ASSERT_EQUAL(vc_rss_hena(0, 8), 0, "SET_RSS_HENA 0");
	TEST_ASSERT(rx_conf(&c) == 0 && !(c.flags & RTE_EMUDEV_NET_RX_F_RSS),
		    "RSS with hena 0: flags 0x%x", c.flags);
	ev = ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED);
	TEST_ASSERT_EQUAL(vc_rss_lut(64, DEV_QUEUES, 0, 69), 0, "CONFIG_RSS_LUT");
	TEST_ASSERT_EQUAL(vc_rss_key(g.vsi_id, 52, 3, 57), 0, "CONFIG_RSS_KEY");
	TEST_ASSERT(rx_conf(&c) == 0 && !(c.flags & RTE_EMUDEV_NET_RX_F_RSS) && c.rss_types == 0,
		    "RSS without hash types: flags 0x%x", c.flags);
	want = (1ull << 33) | (1ull << 31) | (1ull << 43);
	TEST_ASSERT_EQUAL(vc_rss_hena(want, 8), 0, "SET_RSS_HENA");
	TEST_ASSERT(rx_conf(&c) == 0 && (c.flags & RTE_EMUDEV_NET_RX_F_RSS) &&
			    c.rss_types ==
				    (RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP |
				     RTE_ETH_RSS_NONFRAG_IPV6_TCP) &&
			    c.rss_key_len == 52 && c.rss_lut_size == 64,
		    "RSS: flags 0x%x, types 0x%" PRIx64 ", key %u, LUT %u", c.flags, c.rss_types,
		    c.rss_key_len, c.rss_lut_size);
	for (i = 0; i < 52; i++)
		TEST_ASSERT_EQUAL(c.rss_key[i], (uint8_t)(i * 7 + 3), "key byte %u", i);
	for (i = 0; i < 64; i++)
		TEST_ASSERT_EQUAL(c.rss_lut[i], i % DEV_QUEUES, "LUT entry %u", i);
	TEST_ASSERT_EQUAL(ev_get(RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED) - ev, 3,
			  "events (LUT, key, hena)");
	/* All the types there are. */
	TEST_ASSERT_EQUAL(vc_rss_hena(RSS_HENA_CAPS, 8), 0, "SET_RSS_HENA of all");
	TEST_ASSERT(rx_conf(&c) == 0 &&
			    c.rss_types ==
				    (RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP |
				     RTE_ETH_RSS_NONFRAG_IPV4_SCTP |
				     RTE_ETH_RSS_NONFRAG_IPV4_OTHER | RTE_ETH_RSS_FRAG_IPV4 |
				     RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP |
				     RTE_ETH_RSS_NONFRAG_IPV6_SCTP |
				     RTE_ETH_RSS_NONFRAG_IPV6_OTHER | RTE_ETH_RSS_FRAG_IPV6 |
				     RTE_ETH_RSS_L2_PAYLOAD),
		    "all types: 0x%" PRIx64, c.rss_types);

	/* Bad messages (one named row each): refused, nothing changed. */
	gen = c.generation;
	for (i = 0; i < RTE_DIM(rss_bad); i++) {
		const struct rss_bad_msg *b = &rss_bad[i];

		if (b->kind == RSS_MSG_KEY)
			st = vc_rss_key((uint16_t)(g.vsi_id + b->vsi_delta), (uint16_t)b->val,
					b->arg, b->len);
		else if (b->kind == RSS_MSG_LUT)
			st = vc_rss_lut((uint16_t)b->val, DEV_QUEUES, b->arg, b->len);
		else
			st = vc_rss_hena(b->val, b->len);
		TEST_ASSERT_EQUAL(st, VC_STATUS_ERR_PARAM, "%s", b->name);
	}
	TEST_ASSERT(rx_conf(&c) == 0 && c.generation == gen,
		    "bad messages changed the configuration");
	TEST_ASSERT_EQUAL(c.rss_lut[17], 17 % DEV_QUEUES, "LUT entry 17 after bad messages");
	TEST_ASSERT_EQUAL(c.rss_key[0], 3, "key after bad messages");

	/* hena 0: no RSS. */
	TEST_ASSERT(vc_rss_hena(0, 8) == 0 && rx_conf(&c) == 0 &&
			    !(c.flags & RTE_EMUDEV_NET_RX_F_RSS),
		    "hena 0: flags 0x%x", c.flags);
	/* A reset: all gone. */
	TEST_ASSERT_EQUAL(vc_rss_hena(want, 8), 0, "SET_RSS_HENA");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_reset(g.c), "DEVICE_RESET");
	TEST_ASSERT_SUCCESS(rx_conf_is_default("RSS after a reset"), "defaults after a reset");
	rte_emudev_event_unregister(emu_id, RTE_EMUDEV_EVENT_ALL, count_event, NULL);
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/*
 * A virtchnl message of a case, built in a zeroed buffer: up to three queue
 * pairs of CONFIG_VSI_QUEUES (at 8, 72, 136), then up to six little-endian
 * fields. A value MSG_VSI or MSG_BAD_VSI stands for the VF's VSI id or
 * another one (known once the device is up).
 */
#define MSG_VSI (UINT64_C(1) << 48)
#define MSG_BAD_VSI (UINT64_C(2) << 48)

struct msg_qpair {
	uint64_t vsi; /* 0: no pair; MSG_VSI or MSG_BAD_VSI */
	uint16_t qid;
	uint32_t ring_len;
	uint64_t tx_ring, rx_ring;
};

struct msg_field {
	uint16_t off;
	uint8_t size; /* 1, 2 or 4 bytes; 0: unused */
	uint64_t val;
};

struct vc_msg_case {
	const char *name;
	uint32_t op;
	uint16_t len; /* bytes sent; 0: no payload */
	struct msg_qpair qp[3];
	struct msg_field f[6];
};

/* clang-format off */
#define TX0 (GUEST_IOVA + TX_RING_OFF(0))
#define RX0 (GUEST_IOVA + RX_RING_OFF(0))
/* Queue pair q of the VF's VSI with valid rings. */
#define QP_OK(q) {MSG_VSI, q, RING_LEN, GUEST_IOVA + TX_RING_OFF(q), GUEST_IOVA + RX_RING_OFF(q)}
/* Pair 0 with the given rings. */
#define QP_RINGS(tx, rx) {MSG_VSI, 0, RING_LEN, tx, rx}
/* The CONFIG_VSI_QUEUES header: the VF's VSI, n pairs. */
#define VSIQ_HDR(n) {0, 2, MSG_VSI}, {2, 2, n}
/* One pair (72 bytes) whose rings or buffers are changed by the fields. */
#define ONE_PAIR(name, ...) \
	{name, VC_OP_CONFIG_VSI_QUEUES, 72, {QP_OK(0)}, {VSIQ_HDR(1), __VA_ARGS__}}
#define TX_RING_LEN(n) {8 + 4, 2, n}
#define RX_RING_LEN(n) {8 + 24 + 4, 4, n}
#define RX_BUF_LEN(n) {8 + 24 + 12, 4, n}
/* virtchnl_queue_select of ENABLE_QUEUES / DISABLE_QUEUES / GET_STATS. */
#define QSEL(name, op, vsi, rxq, txq) {name, op, 12, {}, {{0, 2, vsi}, {4, 4, rxq}, {8, 4, txq}}}
/* CONFIG_IRQ_MAP of one vector entry (14 bytes). */
#define IRQ_MAP1(name, vsi, vector, rxq) \
	{name, VC_OP_CONFIG_IRQ_MAP, 14, {}, {{0, 2, 1}, {2, 2, vsi}, {4, 2, vector}, {6, 2, rxq}}}

/* Malformed messages: each must get an error status. */
static const struct vc_msg_case malformed_msgs[] = {
	/* Short and wrong lengths. */
	{"VERSION of 4 bytes", VC_OP_VERSION, 4, {}, {{0, 4, 1}}},
	{"VERSION without payload", VC_OP_VERSION, 0, {}, {}},
	{"CONFIG_VSI_QUEUES of 2 bytes", VC_OP_CONFIG_VSI_QUEUES, 2, {}, {{0, 2, 1}}},
	{"CONFIG_VSI_QUEUES of 2 pairs with 1", VC_OP_CONFIG_VSI_QUEUES, 72, {QP_OK(0)},
	 {VSIQ_HDR(2), {4, 4, 1}}},
	{"CONFIG_VSI_QUEUES of 2 pairs, 1 byte short", VC_OP_CONFIG_VSI_QUEUES, 8 + 128 - 1,
	 {QP_OK(0)}, {VSIQ_HDR(2), {4, 4, 1}}},
	{"CONFIG_VSI_QUEUES of 0 pairs", VC_OP_CONFIG_VSI_QUEUES, 8, {QP_OK(0)},
	 {VSIQ_HDR(0), {4, 4, 1}}},
	{"CONFIG_VSI_QUEUES of more pairs than queues", VC_OP_CONFIG_VSI_QUEUES,
	 8 + 64 * (DEV_QUEUES + 1), {QP_OK(0), QP_OK(1), QP_OK(2)},
	 {VSIQ_HDR(DEV_QUEUES + 1), {4, 4, 1}}},
	{"CONFIG_VSI_QUEUES of 65535 pairs", VC_OP_CONFIG_VSI_QUEUES, 8 + 64 * 2,
	 {QP_OK(0), QP_OK(1), QP_OK(2)}, {VSIQ_HDR(0xFFFF), {4, 4, 1}}},
	{"ENABLE_QUEUES of 10 bytes", VC_OP_ENABLE_QUEUES, 10, {},
	 {{0, 2, MSG_VSI}, {4, 4, 1}, {8, 4, 1}}},
	{"DISABLE_QUEUES of 0 bytes", VC_OP_DISABLE_QUEUES, 0, {}, {}},
	{"GET_STATS of 4 bytes", VC_OP_GET_STATS, 4, {}, {{0, 2, MSG_VSI}}},
	{"CONFIG_PROMISCUOUS_MODE of 2 bytes", VC_OP_CONFIG_PROMISCUOUS_MODE, 2, {},
	 {{0, 2, MSG_VSI}}},
	{"ADD_ETH_ADDR of 2 with 1", VC_OP_ADD_ETH_ADDR, 12, {},
	 {{0, 2, MSG_VSI}, {2, 2, 2}, {4, 1, 0x02}, {9, 1, 0x01}}},
	{"ADD_ETH_ADDR of 3 bytes", VC_OP_ADD_ETH_ADDR, 3, {}, {{0, 2, MSG_VSI}, {2, 2, 2}}},
	{"ADD_ETH_ADDR of 0 addresses", VC_OP_ADD_ETH_ADDR, 4, {}, {{0, 2, MSG_VSI}}},
	{"CONFIG_IRQ_MAP of 2 vectors with 1", VC_OP_CONFIG_IRQ_MAP, 14, {}, {{0, 2, 2}}},
	{"CONFIG_IRQ_MAP of 1 byte", VC_OP_CONFIG_IRQ_MAP, 1, {}, {{0, 2, 2}}},
	{"CONFIG_IRQ_MAP of 0 vectors", VC_OP_CONFIG_IRQ_MAP, 2, {}, {}},
	{"CONFIG_IRQ_MAP of more vectors than the device has", VC_OP_CONFIG_IRQ_MAP,
	 2 + 12 * (DEV_QUEUES + 2), {}, {{0, 2, DEV_QUEUES + 2}}},

	/* Bad VSI id. */
	{"CONFIG_VSI_QUEUES of a bad VSI", VC_OP_CONFIG_VSI_QUEUES, 72,
	 {{MSG_BAD_VSI, 0, RING_LEN, TX0, RX0}}, {{0, 2, MSG_BAD_VSI}, {2, 2, 1}}},
	{"CONFIG_VSI_QUEUES with a bad VSI in the pair", VC_OP_CONFIG_VSI_QUEUES, 72,
	 {{MSG_BAD_VSI, 0, RING_LEN, TX0, RX0}}, {VSIQ_HDR(1)}},
	QSEL("ENABLE_QUEUES of a bad VSI", VC_OP_ENABLE_QUEUES, MSG_BAD_VSI, 1, 1),
	QSEL("DISABLE_QUEUES of a bad VSI", VC_OP_DISABLE_QUEUES, MSG_BAD_VSI, 1, 1),
	QSEL("GET_STATS of a bad VSI", VC_OP_GET_STATS, MSG_BAD_VSI, 0, 0),
	{"PROMISCUOUS_MODE of a bad VSI", VC_OP_CONFIG_PROMISCUOUS_MODE, 4, {},
	 {{0, 2, MSG_BAD_VSI}, {2, 2, 3}}},
	{"ADD_ETH_ADDR of a bad VSI", VC_OP_ADD_ETH_ADDR, 12, {},
	 {{0, 2, MSG_BAD_VSI}, {2, 2, 1}, {4, 1, 0x02}, {9, 1, 0x01}}},
	IRQ_MAP1("CONFIG_IRQ_MAP of a bad VSI", MSG_BAD_VSI, 1, 0),

	/* Queue id out of range. */
	{"CONFIG_VSI_QUEUES of queue 2", VC_OP_CONFIG_VSI_QUEUES, 72,
	 {{MSG_VSI, DEV_QUEUES, RING_LEN, TX0, RX0}}, {VSIQ_HDR(1)}},
	{"CONFIG_VSI_QUEUES of queue 65535", VC_OP_CONFIG_VSI_QUEUES, 72,
	 {{MSG_VSI, 0xFFFF, RING_LEN, TX0, RX0}}, {VSIQ_HDR(1)}},
	QSEL("ENABLE_QUEUES of rx queue 2", VC_OP_ENABLE_QUEUES, MSG_VSI, 1u << DEV_QUEUES, 0),
	QSEL("ENABLE_QUEUES of tx queue 31", VC_OP_ENABLE_QUEUES, MSG_VSI, 0, 0x80000000u),
	QSEL("ENABLE_QUEUES of no queue", VC_OP_ENABLE_QUEUES, MSG_VSI, 0, 0),
	QSEL("DISABLE_QUEUES of tx queue 15", VC_OP_DISABLE_QUEUES, MSG_VSI, 0, 1u << 15),
	IRQ_MAP1("CONFIG_IRQ_MAP of tx queue 2", MSG_VSI, 1, 1u << DEV_QUEUES),
	IRQ_MAP1("CONFIG_IRQ_MAP of vector 3", MSG_VSI, DEV_QUEUES + 1, 1),

	/*
	 * Ring lengths not allowed, one direction at a time (the other one
	 * valid): transmit rings of 8 .. 4096 descriptors in steps of 8,
	 * receive rings of 32 .. 4096 in steps of 32.
	 */
	ONE_PAIR("tx ring of 4097", TX_RING_LEN(4097)),
	ONE_PAIR("tx ring of 4104", TX_RING_LEN(4104)),
	ONE_PAIR("tx ring of 8192", TX_RING_LEN(8192)),
	ONE_PAIR("tx ring of 65535", TX_RING_LEN(65535)),
	ONE_PAIR("tx ring of 12", TX_RING_LEN(12)),
	ONE_PAIR("tx ring of 4", TX_RING_LEN(4)),
	ONE_PAIR("tx ring of 1", TX_RING_LEN(1)),
	ONE_PAIR("rx ring of 4097", RX_RING_LEN(4097)),
	ONE_PAIR("rx ring of 4128", RX_RING_LEN(4128)),
	ONE_PAIR("rx ring of 8192", RX_RING_LEN(8192)),
	ONE_PAIR("rx ring of 66048", RX_RING_LEN(0x10000 + 512)),
	ONE_PAIR("rx ring of 33", RX_RING_LEN(33)),
	ONE_PAIR("rx ring of 16", RX_RING_LEN(16)),
	ONE_PAIR("rx ring of 8", RX_RING_LEN(8)),
	ONE_PAIR("rx ring of 1", RX_RING_LEN(1)),
	/* Ring addresses not 128-byte aligned. */
	{"tx ring not aligned", VC_OP_CONFIG_VSI_QUEUES, 72, {QP_RINGS(TX0 + 64, RX0)},
	 {VSIQ_HDR(1)}},
	{"rx ring not aligned", VC_OP_CONFIG_VSI_QUEUES, 72, {QP_RINGS(TX0, RX0 + 8)},
	 {VSIQ_HDR(1)}},
	/* Ring addresses not mapped, or not entirely. */
	{"tx ring not mapped", VC_OP_CONFIG_VSI_QUEUES, 72, {QP_RINGS(UNMAPPED_IOVA, RX0)},
	 {VSIQ_HDR(1)}},
	{"rx ring not mapped", VC_OP_CONFIG_VSI_QUEUES, 72, {QP_RINGS(TX0, UNMAPPED_IOVA)},
	 {VSIQ_HDR(1)}},
	{"tx ring across the end of guest memory", VC_OP_CONFIG_VSI_QUEUES, 72,
	 {QP_RINGS(GUEST_IOVA + GUEST_SIZE - 4096, RX0)}, {VSIQ_HDR(1)}},
	{"rx ring wrapping around", VC_OP_CONFIG_VSI_QUEUES, 72,
	 {QP_RINGS(TX0, UINT64_MAX - 4095)}, {VSIQ_HDR(1)}},
	/* Receive buffer sizes not allowed. */
	ONE_PAIR("rx buffers of 0 bytes", RX_BUF_LEN(0)),
	ONE_PAIR("rx buffers of 1 MiB", RX_BUF_LEN(1 << 20)),
};

/* The limits themselves: each must get status 0. */
static const struct vc_msg_case limit_msgs[] = {
	{"rings of 4096", VC_OP_CONFIG_VSI_QUEUES, 72, {{MSG_VSI, 0, 4096, TX0, RX0}},
	 {VSIQ_HDR(1)}},
	{"tx ring of 8, rx ring of 32", VC_OP_CONFIG_VSI_QUEUES, 72, {{MSG_VSI, 0, 32, TX0, RX0}},
	 {VSIQ_HDR(1), TX_RING_LEN(8)}},
	/* Older drivers' length (72 + 64 n) is accepted too. */
	{"CONFIG_VSI_QUEUES of 72 + 64 n bytes", VC_OP_CONFIG_VSI_QUEUES, 72 + 64, {QP_OK(0)},
	 {VSIQ_HDR(1)}},
};

/* clang-format on */

static uint64_t
msg_value(uint64_t v, uint16_t vsi, uint16_t bad_vsi)
{
	return v == MSG_VSI ? vsi : v == MSG_BAD_VSI ? bad_vsi : v;
}

/* Send the message of c; @return its status. */
static int
vc_msg_case_send(const struct vc_msg_case *c, uint16_t vsi, uint16_t bad_vsi)
{
	uint8_t msg[8 + 64 * 4];
	unsigned int i;

	memset(msg, 0, sizeof(msg));
	for (i = 0; i < RTE_DIM(c->qp); i++) {
		const struct msg_qpair *q = &c->qp[i];

		if (q->vsi != 0)
			ag_qpair_fill(msg + 8 + 64 * i, (uint16_t)msg_value(q->vsi, vsi, bad_vsi),
				      q->qid, q->ring_len, q->tx_ring, q->rx_ring);
	}
	for (i = 0; i < RTE_DIM(c->f); i++) {
		const struct msg_field *f = &c->f[i];
		uint64_t v = msg_value(f->val, vsi, bad_vsi);

		if (f->size == 1)
			msg[f->off] = (uint8_t)v;
		else if (f->size == 2)
			put_le16(msg + f->off, (uint16_t)v);
		else if (f->size == 4)
			put_le32(msg + f->off, (uint32_t)v);
	}
	return ag_vc_call(&g, c->op, c->len != 0 ? msg : NULL, c->len, NULL, 0, NULL);
}

/* Malformed virtchnl messages get an error status; the device keeps working. */
static int
test_malformed(void)
{
	uint16_t vsi, bad_vsi;
	unsigned int i, nb_accepted = 0;
	uint32_t major = 0, minor = 0;
	int st;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	vsi = g.vsi_id;
	bad_vsi = (uint16_t)(vsi + 1);

	for (i = 0; i < RTE_DIM(malformed_msgs); i++) {
		st = vc_msg_case_send(&malformed_msgs[i], vsi, bad_vsi);
		/* A malformed message's status must be an error (a negative status). */
		if (st == VC_NO_REPLY || st >= 0) {
			printf("malformed: %s: status %d, want an error\n", malformed_msgs[i].name,
			       st);
			nb_accepted++;
		}
	}

	/* The device still works, and nothing of the above was configured. */
	TEST_ASSERT_SUCCESS(check_all_disabled(), "queues after malformed messages");
	TEST_ASSERT_SUCCESS(ag_vc_version(&g, &major, &minor), "VERSION after malformed messages");
	TEST_ASSERT(major == 1 && minor == 1, "VERSION %" PRIu32 ".%" PRIu32, major, minor);
	for (i = 0; i < RTE_DIM(limit_msgs); i++) {
		st = vc_msg_case_send(&limit_msgs[i], vsi, bad_vsi);
		TEST_ASSERT_EQUAL(st, 0, "%s", limit_msgs[i].name);
	}

	st = ag_vc_config_queues(&g, DEV_QUEUES);
	TEST_ASSERT_EQUAL(st, 0, "CONFIG_VSI_QUEUES after malformed messages");
	st = ag_vc_irq_map(&g, DEV_QUEUES);
	TEST_ASSERT_EQUAL(st, 0, "CONFIG_IRQ_MAP after malformed messages");
	st = ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, vsi, 0x3, 0x3, NULL, 0, NULL);
	TEST_ASSERT_EQUAL(st, 0, "ENABLE_QUEUES after malformed messages");
	TEST_ASSERT_SUCCESS(check_queue(RTE_EMUDEV_QUEUE_GUEST_TX, 0, true), "tx 0");
	TEST_ASSERT_SUCCESS(check_queue(RTE_EMUDEV_QUEUE_GUEST_RX, 1, true), "rx 1");
	/* Reconfiguring an enabled queue is refused, or leaves it usable. */
	st = ag_vc_queue_select(&g, VC_OP_DISABLE_QUEUES, vsi, 0x3, 0x3, NULL, 0, NULL);
	TEST_ASSERT_EQUAL(st, 0, "DISABLE_QUEUES");
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	TEST_ASSERT_EQUAL(nb_accepted, 0, "malformed messages accepted");
	return TEST_SUCCESS;
}

/* The admin queue works again after a full re-initialization. */
static int
aq_recovers(const char *after)
{
	uint32_t major = 0, minor = 0;
	int st;

	ag_arq_drain(&g);
	if (ag_aq_shutdown(&g) != 0 || ag_aq_init(&g) != 0) {
		printf("admin queue re-init after %s failed\n", after);
		return TEST_FAILED;
	}
	st = ag_vc_version(&g, &major, &minor);
	if (st != 0 || major != 1 || minor != 1) {
		printf("VERSION after %s: status %d, %" PRIu32 ".%" PRIu32 "\n", after, st, major,
		       minor);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

/* The device is alive: it answers a register read. */
static int
alive(const char *after)
{
	uint32_t v;

	if (ag_reg_rd(&g, R_RSTAT, &v) != 0) {
		printf("device does not answer after %s\n", after);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

/* A VERSION 1.1 request in the ATQ buffer of slot, its descriptor in *d. */
static void
bad_aq_version(struct aq_desc *d, uint32_t slot)
{
	uint8_t ver[8];

	put_le32(ver, 1);
	put_le32(ver + 4, 1);
	memcpy(ag_mem(&g, ATQ_BUF_OFF(slot)), ver, 8);
	ag_vc_desc(d, VC_OP_VERSION, 8, GUEST_IOVA + ATQ_BUF_OFF(slot));
}

static int
bad_aq_atq_unmapped(void)
{
	struct aq_desc d;

	TEST_ASSERT_SUCCESS(ag_aq_shutdown(&g), "shutdown");
	TEST_ASSERT_SUCCESS(ag_aq_init_at(&g, UNMAPPED_IOVA, GUEST_IOVA + ARQ_RING_OFF), "init");
	bad_aq_version(&d, 0);
	TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post");
	return alive("an unmapped ATQ");
}

static int
bad_aq_atq_past_memory(void)
{
	TEST_ASSERT_SUCCESS(ag_aq_shutdown(&g), "shutdown");
	TEST_ASSERT_SUCCESS(
		ag_aq_init_at(&g, GUEST_IOVA + GUEST_SIZE - 512, GUEST_IOVA + ARQ_RING_OFF),
		"init");
	g.atq_tail = 20; /* the descriptor beyond the end */
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ATQH, 20), "ATQH");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ATQT, 21), "ATQT");
	return alive("an ATQ across the end of memory");
}

/* The reply cannot be posted. */
static int
bad_aq_arq_unmapped(void)
{
	struct aq_desc d;

	TEST_ASSERT_SUCCESS(ag_aq_shutdown(&g), "shutdown");
	TEST_ASSERT_SUCCESS(ag_aq_init_at(&g, GUEST_IOVA + ATQ_RING_OFF, UNMAPPED_IOVA), "init");
	bad_aq_version(&d, 0);
	TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post");
	return alive("an unmapped ARQ");
}

static int
bad_aq_buf_unmapped(void)
{
	struct aq_desc d;

	ag_vc_desc(&d, VC_OP_VERSION, 8, UNMAPPED_IOVA);
	TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post");
	return alive("an unmapped message buffer");
}

static int
bad_aq_buf_past_memory(void)
{
	struct aq_desc d;

	ag_vc_desc(&d, VC_OP_CONFIG_VSI_QUEUES, 136, GUEST_IOVA + GUEST_SIZE - 64);
	TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post");
	return alive("a message buffer across the end of memory");
}

static int
bad_aq_datalen(void)
{
	struct aq_desc d;

	bad_aq_version(&d, 0);
	ag_vc_desc(&d, VC_OP_VERSION, 8, GUEST_IOVA + ATQ_BUF_OFF(g.atq_tail));
	d.datalen = 8192;
	TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post");
	TEST_ASSERT_SUCCESS(alive("datalen 8192"), "alive");
	d.datalen = 0xFFFF;
	TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post");
	return alive("datalen 65535");
}

/* ARQ buffer not mapped, and too small for the reply. */
static int
bad_aq_arq_buf(void)
{
	struct aq_desc d;

	ag_arq_desc(&g, g.arq_ntc)->addr_high = (uint32_t)(UNMAPPED_IOVA >> 32);
	ag_arq_desc(&g, g.arq_ntc + 1)->datalen = 4;
	bad_aq_version(&d, g.atq_tail);
	TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post");
	bad_aq_version(&d, g.atq_tail);
	TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post");
	return alive("an unmapped ARQ buffer");
}

static int
bad_aq_tails(void)
{
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ATQT, 1000), "ATQT 1000");
	TEST_ASSERT_SUCCESS(alive("ATQT beyond the ring"), "alive");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ARQT, 0xFFFFFFFFu), "ARQT ~0");
	return alive("ARQT beyond the ring");
}

static int
bad_aq_lengths(void)
{
	TEST_ASSERT_SUCCESS(ag_aq_shutdown(&g), "shutdown");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ATQBAL, (uint32_t)GUEST_IOVA), "ATQBAL");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ATQBAH, (uint32_t)(GUEST_IOVA >> 32)), "ATQBAH");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ATQLEN, AQLEN_ENABLE), "ATQLEN 0");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ATQT, 1), "ATQT");
	TEST_ASSERT_SUCCESS(alive("an ATQ of length 0"), "alive");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ATQLEN, AQLEN_ENABLE | 1023), "ATQLEN 1023");
	/* (Not further: the descriptors beyond 32 are the ARQ ring.) */
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ATQT, 2), "ATQT");
	return alive("an ATQ of length 1023");
}

/* A descriptor that is not a message to the PF. */
static int
bad_aq_opcode(void)
{
	struct aq_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = 0x0123;
	d.flags = AQ_FLAG_SI;
	TEST_ASSERT_SUCCESS(ag_atq_submit(&g, &d, &d), "submit opcode 0x0123");
	return TEST_SUCCESS;
}

/* queue_shutdown is completed. */
static int
bad_aq_queue_shutdown(void)
{
	struct aq_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = AQ_OP_QUEUE_SHUTDOWN;
	d.flags = AQ_FLAG_SI;
	TEST_ASSERT_SUCCESS(ag_atq_submit(&g, &d, &d), "submit queue_shutdown");
	TEST_ASSERT((d.flags & (AQ_FLAG_DD | AQ_FLAG_CMP)) == (AQ_FLAG_DD | AQ_FLAG_CMP),
		    "queue_shutdown written back with flags 0x%04x", d.flags);
	return TEST_SUCCESS;
}

/*
 * Admin queue rings, buffers, lengths and opcodes the device cannot use: one
 * row each, in this order on one device; after each the device answers and
 * its admin queue works again after a re-initialization.
 */
static int
test_bad_aq(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} rows[] = {
		{"an unmapped ATQ", bad_aq_atq_unmapped},
		{"an ATQ across the end of memory", bad_aq_atq_past_memory},
		{"an unmapped ARQ", bad_aq_arq_unmapped},
		{"an unmapped message buffer", bad_aq_buf_unmapped},
		{"a message buffer across the end of memory", bad_aq_buf_past_memory},
		{"datalen > 4096", bad_aq_datalen},
		{"an unmapped ARQ buffer", bad_aq_arq_buf},
		{"tails beyond the rings", bad_aq_tails},
		{"odd ATQ lengths", bad_aq_lengths},
		{"an unknown AQ opcode", bad_aq_opcode},
		{"queue_shutdown", bad_aq_queue_shutdown},
	};
	unsigned int i;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	for (i = 0; i < RTE_DIM(rows); i++) {
		TEST_ASSERT_SUCCESS(rows[i].fn(), "%s", rows[i].name);
		TEST_ASSERT_SUCCESS(aq_recovers(rows[i].name), "recovery after %s", rows[i].name);
	}
	/* And a full bring-up works. */
	TEST_ASSERT_SUCCESS(ag_bring_up_queues(&g, DEV_QUEUES), "bring-up after bad rings");
	return TEST_SUCCESS;
}

/* Admin queue: several descriptors for one tail write are answered in order. */
static int
test_aq_replies_in_order(void)
{
	static struct arq_msg m;
	struct aq_desc d;
	uint8_t req[12];
	uint32_t ops[3] = {VC_OP_VERSION, VC_OP_GET_STATS, VC_OP_VERSION}, i;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");

	/* Several descriptors for one tail write: replies in order. */
	memset(req, 0, sizeof(req));
	for (i = 0; i < RTE_DIM(ops); i++) {
		uint32_t slot = g.atq_tail;

		if (ops[i] == VC_OP_VERSION) {
			put_le32(req, 1);
			put_le32(req + 4, 1);
		} else {
			memset(req, 0, sizeof(req));
			put_le16(req, g.vsi_id);
		}
		memcpy(ag_mem(&g, ATQ_BUF_OFF(slot)), req, ops[i] == VC_OP_VERSION ? 8 : 12);
		ag_vc_desc(&d, ops[i], ops[i] == VC_OP_VERSION ? 8 : 12,
			   GUEST_IOVA + ATQ_BUF_OFF(slot));
		*ag_atq_desc(&g, slot) = d;
		g.atq_tail = (slot + 1) % AQ_ENTRIES;
	}
	rte_smp_wmb();
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ATQT, g.atq_tail), "ATQT");
	for (i = 0; i < RTE_DIM(ops); i++) {
		TEST_ASSERT_SUCCESS(ag_arq_take(&g, &m, WAIT_MS), "reply %" PRIu32, i);
		TEST_ASSERT(m.op == ops[i] && m.status == 0,
			    "reply %" PRIu32 ": op %" PRIu32 " status %" PRId32, i, m.op, m.status);
	}
	TEST_ASSERT_EQUAL(ag_rd(&g, R_ATQH), g.atq_tail, "ATQH after three messages");
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/* Admin queue: with no free ARQ descriptor the reply waits for the driver's ARQT. */
static int
test_aq_reply_waits_for_arqt(void)
{
	static struct arq_msg m;
	uint8_t req[12];

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	/*
	 * The bytes the request had when this was one case with
	 * test_aq_replies_in_order() (a VERSION 1.1 left in the buffer).
	 */
	memset(req, 0, sizeof(req));
	put_le32(req, 1);
	put_le32(req + 4, 1);
	TEST_ASSERT_SUCCESS(ag_aq_shutdown(&g), "shutdown");
	TEST_ASSERT_SUCCESS(ag_aq_init(&g), "init");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ARQT, 0), "ARQT 0");
	TEST_ASSERT_SUCCESS(ag_vc_send(&g, VC_OP_GET_STATS, req, 12), "send GET_STATS");
	TEST_ASSERT_EQUAL(ag_arq_take(&g, &m, QUIET_MS), -ETIMEDOUT,
			  "reply without a free descriptor");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_ARQT, AQ_ENTRIES - 1), "ARQT");
	TEST_ASSERT_SUCCESS(ag_arq_take(&g, &m, WAIT_MS), "reply after ARQT");
	TEST_ASSERT(m.op == VC_OP_GET_STATS && m.status == 0 && m.datalen == 96,
		    "GET_STATS reply: op %" PRIu32 " status %" PRId32 " len %u", m.op, m.status,
		    m.datalen);
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/* A virtchnl 1.0 VF: VERSION 1.0 answered 1.0, GET_VF_RESOURCES without payload gets L2. */
static int
test_aq_virtchnl_1_0(void)
{
	uint8_t req[8], resp[256];
	uint16_t rlen;
	int st;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	put_le32(req, 1);
	put_le32(req + 4, 0);
	st = ag_vc_call(&g, VC_OP_VERSION, req, 8, resp, sizeof(resp), &rlen);
	/* The PF answers a 1.0 VF with 1.0 (as i40e does). */
	TEST_ASSERT(st == 0 && rlen == 8 && get_le32(resp) == 1 && get_le32(resp + 4) == 0,
		    "VERSION 1.0: status %d, %u bytes, %" PRIu32 ".%" PRIu32, st, rlen,
		    get_le32(resp), get_le32(resp + 4));
	st = ag_vc_call(&g, VC_OP_GET_VF_RESOURCES, NULL, 0, resp, sizeof(resp), &rlen);
	TEST_ASSERT(st == 0 && rlen == 36 && get_le16(resp) == 1 && get_le32(resp + 8) == VC_CAP_L2,
		    "GET_VF_RESOURCES of a 1.0 VF: status %d, %u bytes, caps 0x%08" PRIx32, st,
		    rlen, get_le32(resp + 8));
	/* Back to 1.1: the capabilities asked for, among those offered. */
	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up 1.1");
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/*
 * A reply the device could not post is not delivered on the admin queue the
 * driver sets up after a shutdown.
 */
static int
test_aq_no_stale_reply(void)
{
	static struct arq_msg m;
	uint8_t req[8];
	int st;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");

	/*
	 * A reply the device could not post (ARQ ring not mapped) belongs to
	 * the admin queue the driver then shut down: it must not appear on
	 * the ARQ the driver sets up next, where it would pass for the reply
	 * to a new request.
	 */
	TEST_ASSERT_SUCCESS(ag_aq_shutdown(&g), "shutdown");
	TEST_ASSERT_SUCCESS(ag_aq_init_at(&g, GUEST_IOVA + ATQ_RING_OFF, UNMAPPED_IOVA), "init");
	put_le32(req, 1);
	put_le32(req + 4, 1);
	TEST_ASSERT_SUCCESS(ag_vc_send(&g, VC_OP_VERSION, req, 8), "send VERSION");
	TEST_ASSERT_SUCCESS(ag_aq_shutdown(&g), "shutdown");
	TEST_ASSERT_SUCCESS(ag_aq_init(&g), "init");
	st = ag_arq_take(&g, &m, QUIET_MS);
	TEST_ASSERT(st == -ETIMEDOUT,
		    "a reply (op %" PRIu32 ", status %" PRId32 ") from before the admin queue "
		    "was shut down arrived on the new one",
		    m.op, m.status);
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/* Send VERSION and tell whether vector 0 fired for its reply. */
static int
version_fires(bool *fired)
{
	uint32_t major, minor;
	int st;

	ag_efd_drain(g.efd[0]);
	st = ag_vc_version(&g, &major, &minor);
	if (st != 0) {
		printf("VERSION: status %d\n", st);
		return TEST_FAILED;
	}
	*fired = ag_efd_wait(g.efd[0], QUIET_MS) != 0;
	return TEST_SUCCESS;
}

/* Arm vector 0 the way the Linux driver does (iavf_misc_irq_enable). */
static int
arm_vector0(bool intena, bool adminq)
{
	if (ag_reg_wr(&g, R_DYN_CTL01, intena ? DYN_CTL_INTENA | DYN_CTL_ITR_INDX_NONE : 0) != 0 ||
	    ag_reg_wr(&g, R_ICR0_ENA1, adminq ? ICR0_ENA1_ADMINQ : 0) != 0)
		return TEST_FAILED;
	return TEST_SUCCESS;
}

/*
 * Vector 0 and ICR01 for the admin queue: one row an arming of DYN_CTL01
 * and ICR0_ENA1, whether a reply fires the vector, and (check_icr) that
 * ICR01 latched the cause and clears on read.
 */
static int
test_irq_vector0(void)
{
	static const struct {
		const char *name;
		bool intena, adminq; /* DYN_CTL01.INTENA, ICR0_ENA1.ADMINQ */
		bool fires;
		bool check_icr;
	} rows[] = {
		{"nothing armed", false, false, false, true},
		{"INTENA without ICR0_ENA1.ADMINQ", true, false, false, false},
		{"ADMINQ without DYN_CTL01.INTENA", false, true, false, false},
		{"INTENA and ADMINQ", true, true, true, true},
		{"re-armed (as the driver after its admin queue task)", true, true, true, false},
		{"disarmed again", false, false, false, false},
	};
	unsigned int i;
	uint32_t icr;
	bool fired;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	for (i = 0; i < RTE_DIM(rows); i++) {
		TEST_ASSERT_SUCCESS(arm_vector0(rows[i].intena, rows[i].adminq), "%s: arm",
				    rows[i].name);
		ag_rd(&g, R_ICR01); /* no cause left from before */
		TEST_ASSERT_SUCCESS(version_fires(&fired), "%s: VERSION", rows[i].name);
		TEST_ASSERT(fired == rows[i].fires, "%s: vector 0 %s", rows[i].name,
			    fired ? "fired" : "did not fire");
		icr = ag_rd(&g, R_ICR01);
		if (!rows[i].check_icr)
			continue;
		TEST_ASSERT(icr != 0xDEADBEEFu && (icr & ICR01_ADMINQ), "%s: ICR01 0x%08" PRIx32,
			    rows[i].name, icr);
		icr = ag_rd(&g, R_ICR01);
		TEST_ASSERT(!(icr & ICR01_ADMINQ),
			    "%s: ICR01 0x%08" PRIx32 " not cleared by its read", rows[i].name, icr);
	}
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/*
 * Queue vectors for a consumer: armed/pending/auto-masked, vector 0 not the
 * data path's, software-triggered interrupts, out of range.
 */
static int
test_irq_queue_vectors(void)
{
	int ret;

	TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up");
	/*
	 * Queue vector 1 (DYN_CTLN1(0)), raised by a consumer: it fires when
	 * armed (INTENA) and auto-masks; a cause while not armed is pending
	 * and fires when the vector is armed again.
	 */
	TEST_ASSERT_EQUAL(ag_vc_config_queues(&g, DEV_QUEUES), 0, "CONFIG_VSI_QUEUES");
	TEST_ASSERT_EQUAL(ag_vc_irq_map(&g, DEV_QUEUES), 0, "CONFIG_IRQ_MAP");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_DYN_CTLN1(0), DYN_CTL_ITR_INDX_NONE), "DYN_CTLN1(0)");
	ag_efd_drain(g.efd[1]);
	ret = rte_emudev_irq_trigger(emu_id, 1);
	TEST_ASSERT_EQUAL(ret, -EAGAIN, "trigger of a disarmed vector");
	TEST_ASSERT(ag_efd_wait(g.efd[1], QUIET_MS) == 0, "disarmed vector 1 fired");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_DYN_CTLN1(0), DYN_CTL_INTENA | DYN_CTL_ITR_INDX_NONE),
			    "arm vector 1");
	TEST_ASSERT(ag_efd_wait(g.efd[1], WAIT_MS) != 0,
		    "pending vector 1 did not fire when armed");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_DYN_CTLN1(0), DYN_CTL_INTENA | DYN_CTL_ITR_INDX_NONE),
			    "arm vector 1");
	TEST_ASSERT(ag_efd_wait(g.efd[1], QUIET_MS) == 0,
		    "vector 1 fired when armed with no cause");
	TEST_ASSERT(ag_rd(&g, R_DYN_CTLN1(0)) & DYN_CTL_INTENA, "DYN_CTLN1(0) does not read armed");
	ret = rte_emudev_irq_trigger(emu_id, 1);
	TEST_ASSERT_EQUAL(ret, 0, "trigger of an armed vector");
	TEST_ASSERT(ag_efd_wait(g.efd[1], WAIT_MS) != 0, "armed vector 1 did not fire");
	/* Auto-masked after it fired, until INTENA is written again. */
	ret = rte_emudev_irq_trigger(emu_id, 1);
	TEST_ASSERT_EQUAL(ret, -EAGAIN, "trigger of a vector that just fired");
	TEST_ASSERT(ag_efd_wait(g.efd[1], QUIET_MS) == 0, "vector 1 fired twice without re-arming");
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_DYN_CTLN1(0), DYN_CTL_INTENA | DYN_CTL_ITR_INDX_NONE),
			    "re-arm vector 1");
	TEST_ASSERT(ag_efd_wait(g.efd[1], WAIT_MS) != 0, "re-armed vector 1 did not fire");
	/* Vector 0 is not the data path's. */
	TEST_ASSERT(rte_emudev_irq_trigger(emu_id, 0) != 0, "consumer trigger of vector 0");
	/* A software-triggered interrupt fires at once. */
	TEST_ASSERT_SUCCESS(ag_reg_wr(&g, R_DYN_CTLN1(1),
				      DYN_CTL_INTENA | DYN_CTL_SWINT_TRIG | DYN_CTL_ITR_INDX_NONE),
			    "SWINT_TRIG on vector 2");
	TEST_ASSERT(ag_efd_wait(g.efd[2], WAIT_MS) != 0, "SWINT_TRIG on vector 2 did not fire");
	/* Out of range. */
	ret = rte_emudev_irq_trigger(emu_id, DEV_QUEUES + 1);
	TEST_ASSERT(ret != 0, "trigger of vector %u succeeded", DEV_QUEUES + 1);
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ reset */

enum reset_kind {
	RESET_VF_OP,
	RESET_FLR,
	RESET_DEVICE,
};

enum dev_state {
	STATE_FRESH, /* nothing done since the last reset */
	STATE_AQ, /* admin queue up, VERSION and GET_VF_RESOURCES done */
	STATE_QUEUES, /* queues configured and enabled */
};

static const char *const reset_names[] = {"RESET_VF", "FLR", "DEVICE_RESET"};
static const char *const state_names[] = {"fresh", "admin queue up", "queues enabled"};

/* Reset in a state, check what the driver sees, bring the device up again. */
static int
reset_in_state(enum reset_kind kind, enum dev_state state)
{
	static const uint32_t aq_regs[] = {R_ATQH, R_ATQT, R_ATQLEN, R_ATQBAL, R_ATQBAH,
					   R_ARQH, R_ARQT, R_ARQLEN, R_ARQBAL, R_ARQBAH};
	struct aq_desc d;
	struct vf_res r;
	unsigned int resets, i;
	uint32_t v;
	int ret;

	printf("%s with the device %s\n", reset_names[kind], state_names[state]);
	resets = ev_get(RTE_EMUDEV_EVENT_RESET);
	if (state >= STATE_AQ) {
		ret = state == STATE_AQ ? ag_bring_up(&g, true) :
					  ag_bring_up_queues(&g, DEV_QUEUES);
		TEST_ASSERT_SUCCESS(ret, "bring-up to %s", state_names[state]);
		TEST_ASSERT_SUCCESS(arm_vector0(true, true), "arm vector 0");
	}
	switch (kind) {
	case RESET_VF_OP:
		if (state == STATE_FRESH) {
			/* No admin queue to send it on: bring it up bare. */
			TEST_ASSERT_SUCCESS(ag_wait_vfactive(&g), "VFACTIVE");
			TEST_ASSERT_SUCCESS(ag_aq_init(&g), "admin queue init");
		}
		ag_arq_drain(&g);
		ag_vc_desc(&d, VC_OP_RESET_VF, 0, 0);
		TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post RESET_VF");
		break;
	case RESET_FLR:
		TEST_ASSERT_SUCCESS(ag_flr(&g), "FLR");
		break;
	case RESET_DEVICE:
		TEST_ASSERT_SUCCESS(rte_vfio_user_client_reset(g.c), "DEVICE_RESET");
		break;
	}
	/* The driver sees the reset: ARQLEN.ENABLE clear, then VFACTIVE. */
	TEST_ASSERT_SUCCESS(ag_wait_reg_clear(&g, R_ARQLEN, AQLEN_ENABLE), "ARQLEN.ENABLE after %s",
			    reset_names[kind]);
	TEST_ASSERT_SUCCESS(ag_wait_vfactive(&g), "VFACTIVE after %s", reset_names[kind]);
	for (i = 0; i < RTE_DIM(aq_regs); i++) {
		v = ag_rd(&g, aq_regs[i]);
		TEST_ASSERT_EQUAL(v, 0, "AQ register 0x%04" PRIx32 " after %s", aq_regs[i],
				  reset_names[kind]);
	}
	TEST_ASSERT_SUCCESS(check_all_disabled(), "queues after %s", reset_names[kind]);
	/* Interrupt enables and queue-to-vector maps are gone. */
	v = ag_rd(&g, R_DYN_CTL01);
	TEST_ASSERT(v != 0xDEADBEEFu && !(v & DYN_CTL_INTENA), "DYN_CTL01 0x%08" PRIx32 " after %s",
		    v, reset_names[kind]);
	TEST_ASSERT_EQUAL(ag_rd(&g, R_ICR0_ENA1), 0, "ICR0_ENA1 after %s", reset_names[kind]);
	for (i = 0; i < DEV_QUEUES; i++) {
		struct rte_emudev_queue_info qi;

		TEST_ASSERT_SUCCESS(qinfo(RTE_EMUDEV_QUEUE_GUEST_RX, (uint16_t)i, &qi), "qinfo");
		TEST_ASSERT_EQUAL(qi.irq_vector, RTE_EMUDEV_IRQ_NONE, "rx %u vector after %s", i,
				  reset_names[kind]);
	}
	if (state == STATE_QUEUES)
		TEST_ASSERT(ev_get(RTE_EMUDEV_EVENT_RESET) > resets,
			    "no RESET event for the consumer after %s", reset_names[kind]);
	/* No reply to RESET_VF, no interrupt for it. */
	if (kind == RESET_VF_OP) {
		TEST_ASSERT(__atomic_load_n(&ag_arq_desc(&g, g.arq_ntc)->flags, __ATOMIC_ACQUIRE) ==
				    (AQ_FLAG_BUF | AQ_FLAG_LB),
			    "ARQ descriptor %u touched after RESET_VF", g.arq_ntc);
	}
	/* Eventfds as a driver re-enabling MSI-X would give them. */
	TEST_ASSERT_SUCCESS(ag_set_irqs(&g), "SET_IRQS");

	memset(ag_mem(&g, 0), 0, 0x80000);
	if (kind == RESET_VF_OP) {
		/* The VF remembers 1.1: GET_VF_RESOURCES without VERSION. */
		TEST_ASSERT_SUCCESS(ag_aq_init(&g), "admin queue init after RESET_VF");
		ret = ag_vc_get_resources(&g, &r);
		TEST_ASSERT_EQUAL(ret, 0, "GET_VF_RESOURCES after RESET_VF");
		TEST_ASSERT(r.num_vsis == 1 && r.num_queue_pairs == DEV_QUEUES &&
				    (r.caps & VC_CAP_L2),
			    "resources after RESET_VF");
	} else {
		TEST_ASSERT_SUCCESS(ag_bring_up(&g, true), "bring-up after %s", reset_names[kind]);
	}
	/* And the queues work again. */
	TEST_ASSERT_EQUAL(ag_vc_config_queues(&g, DEV_QUEUES), 0, "CONFIG_VSI_QUEUES after reset");
	TEST_ASSERT_EQUAL(ag_vc_irq_map(&g, DEV_QUEUES), 0, "CONFIG_IRQ_MAP after reset");
	TEST_ASSERT_EQUAL(
		ag_vc_queue_select(&g, VC_OP_ENABLE_QUEUES, g.vsi_id, 3, 3, NULL, 0, NULL), 0,
		"ENABLE_QUEUES after reset");
	TEST_ASSERT_SUCCESS(check_queue(RTE_EMUDEV_QUEUE_GUEST_TX, 1, true), "tx 1 after reset");
	TEST_ASSERT_SUCCESS(check_queue(RTE_EMUDEV_QUEUE_GUEST_RX, 0, true), "rx 0 after reset");
	TEST_ASSERT_EQUAL(
		ag_vc_queue_select(&g, VC_OP_DISABLE_QUEUES, g.vsi_id, 3, 3, NULL, 0, NULL), 0,
		"DISABLE_QUEUES after reset");
	TEST_ASSERT_EQUAL(g.nb_stray, 0, "stray replies");

	/* Leave the device fresh for the next round. */
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_reset(g.c), "DEVICE_RESET");
	TEST_ASSERT_SUCCESS(ag_set_irqs(&g), "SET_IRQS");
	memset(ag_mem(&g, 0), 0, 0x80000);
	return TEST_SUCCESS;
}

static int
test_reset(void)
{
	int kind, state, ret;

	ret = rte_emudev_event_register(emu_id, RTE_EMUDEV_EVENT_ALL, count_event, NULL);
	TEST_ASSERT_SUCCESS(ret, "event register");
	for (kind = RESET_VF_OP; kind <= RESET_DEVICE; kind++) {
		for (state = STATE_FRESH; state <= STATE_QUEUES; state++) {
			ret = reset_in_state((enum reset_kind)kind, (enum dev_state)state);
			if (ret != TEST_SUCCESS) {
				printf("%s with the device %s failed\n", reset_names[kind],
				       state_names[state]);
				rte_emudev_event_unregister(emu_id, RTE_EMUDEV_EVENT_ALL,
							    count_event, NULL);
				return ret;
			}
		}
	}
	rte_emudev_event_unregister(emu_id, RTE_EMUDEV_EVENT_ALL, count_event, NULL);
	return TEST_SUCCESS;
}

/* Wait until the device saw the client go. */
static int
wait_disconnected(void)
{
	struct rte_emudev_info info;
	uint64_t deadline = now_ms() + WAIT_MS;

	for (;;) {
		if (rte_emudev_info_get(emu_id, &info) != 0)
			return -ENODEV;
		if (!info.client_connected)
			return 0;
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		ag_sleep_us(1000);
	}
}

/* How the client leaves in test_reconnect(): the state it leaves. */
static int
leave_queues_up(void)
{
	TEST_ASSERT_SUCCESS(ag_bring_up_queues(&g, DEV_QUEUES), "bring-up");
	return TEST_SUCCESS;
}

static int
leave_message_in_flight(void)
{
	struct aq_desc d;

	TEST_ASSERT_SUCCESS(ag_wait_vfactive(&g), "VFACTIVE");
	TEST_ASSERT_SUCCESS(ag_aq_init(&g), "admin queue init");
	ag_vc_desc(&d, VC_OP_GET_STATS, 12, GUEST_IOVA + ATQ_BUF_OFF(0));
	TEST_ASSERT_SUCCESS(ag_atq_post_nowait(&g, &d), "post");
	return TEST_SUCCESS;
}

/*
 * A client goes away (at any point: one row each); the next one brings the
 * device up without a DEVICE_RESET.
 */
static int
test_reconnect(void)
{
	static const struct {
		const char *name;
		int (*leave)(void); /* NULL: the client leaves without doing anything */
	} rows[] = {
		{"queues up", leave_queues_up},
		{"a message in flight", leave_message_in_flight},
		{"nothing at all", NULL},
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(rows); i++) {
		const char *name = rows[i].name;

		if (rows[i].leave != NULL)
			TEST_ASSERT_SUCCESS(rows[i].leave(), "%s", name);
		ag_disconnect(&g);
		TEST_ASSERT_SUCCESS(wait_disconnected(), "%s: the device missed the disconnection",
				    name);
		TEST_ASSERT_SUCCESS(check_all_disabled(), "%s: queues without a client", name);

		memset(g.mem, 0, GUEST_SIZE);
		g.nb_stray = 0;
		TEST_ASSERT_SUCCESS(ag_connect(&g, sock_path), "%s: reconnect", name);
		/* No DEVICE_RESET: the device must be usable as the last client left it. */
		TEST_ASSERT_SUCCESS(ag_bring_up_queues(&g, DEV_QUEUES),
				    "bring-up after reconnection %u (%s)", i, name);
		TEST_ASSERT_SUCCESS(check_queue(RTE_EMUDEV_QUEUE_GUEST_TX, 0, true), "%s: tx 0",
				    name);
		TEST_ASSERT_SUCCESS(check_queue(RTE_EMUDEV_QUEUE_GUEST_RX, 1, true), "%s: rx 1",
				    name);
		TEST_ASSERT_EQUAL(g.nb_stray, 0, "%s: stray replies", name);
	}
	return TEST_SUCCESS;
}

/* Unmapping the memory the rings are in leaves the device sane. */
static int
test_dma_unmap_rings(void)
{
	struct rte_emudev_queue_info qi;

	TEST_ASSERT_SUCCESS(ag_bring_up_queues(&g, DEV_QUEUES), "bring-up");
	TEST_ASSERT_SUCCESS(check_queue(RTE_EMUDEV_QUEUE_GUEST_TX, 0, true), "tx 0");
	TEST_ASSERT_SUCCESS(rte_vfio_user_client_dma_unmap(g.c, GUEST_IOVA, GUEST_SIZE),
			    "DMA_UNMAP");
	g.mapped = false;
	TEST_ASSERT_SUCCESS(alive("DMA_UNMAP of the rings"), "alive");
	TEST_ASSERT_SUCCESS(qinfo(RTE_EMUDEV_QUEUE_GUEST_TX, 0, &qi), "queue info");
	TEST_ASSERT_NULL(qi.ring_host, "ring still translated after DMA_UNMAP");
	return TEST_SUCCESS;
}

/* A memfd of size bytes for DMA_MAP, sealed against shrinking or not; -1 on error. */
static int
dma_memfd(size_t size, bool sealed)
{
	int fd = memfd_create("emu_iavf_dma", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) != 0 ||
	    (sealed && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Connect to a device made with args (after "sock=<tmpdir>/e.sock"), try
 * nb_maps DMA_MAPs of one page each from fd; the result of the last in *last.
 */
static int
devargs_dma_try(const char *extra, int fd, unsigned int nb_maps, int *last)
{
	struct rte_vfio_user_client *c;
	char args[512], path[256];
	unsigned int i;
	int ret;

	snprintf(args, sizeof(args), "sock=%s/e.sock%s", tmpdir, extra);
	ret = rte_vdev_init("emu_iavf_e0", args);
	if (ret != 0) {
		printf("rte_vdev_init(emu_iavf_e0, \"%s\"): %d\n", args, ret);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/e.sock", tmpdir);
	c = rte_vfio_user_client_connect(path, NULL);
	if (c == NULL) {
		printf("connect to %s: %s\n", path, rte_strerror(rte_errno));
		rte_vdev_uninit("emu_iavf_e0");
		return -1;
	}
	*last = 0;
	for (i = 0; i < nb_maps; i++)
		*last = rte_vfio_user_client_dma_map(
			c, fd, 4096u * i, GUEST_IOVA + 0x10000u * i, 4096,
			RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE);
	rte_vfio_user_client_close(c);
	return rte_vdev_uninit("emu_iavf_e0");
}

/* trust_client_memory and max_dma_maps reach the server: one row a device. */
static int
test_devargs_limits(void)
{
	static const struct {
		const char *name;
		const char *devargs; /* after "sock=<tmpdir>/e.sock" */
		bool sealed; /* the memory mapped */
		unsigned int nb_maps; /* DMA_MAPs of one page */
		int want; /* result of the last one */
	} rows[] = {
		{"max_dma_maps=2: second DMA_MAP", ",max_dma_maps=2", true, 2, 0},
		{"max_dma_maps=2: third DMA_MAP refused", ",max_dma_maps=2", true, 3, -ENOSPC},
		{"max_dma_maps=65535: third DMA_MAP", ",max_dma_maps=65535", true, 3, 0},
		{"unsealed memory, no devarg: refused", "", false, 1, -EPERM},
		{"unsealed memory, trust_client_memory=0: refused", ",trust_client_memory=0", false,
		 1, -EPERM},
		{"unsealed memory, trust_client_memory=1: accepted", ",trust_client_memory=1",
		 false, 1, 0},
	};
	int sealed = dma_memfd(4 * 4096, true), unsealed = dma_memfd(4 * 4096, false);
	int ret = TEST_FAILED, last;
	unsigned int i;

	if (sealed < 0 || unsealed < 0) {
		printf("memfd: %s\n", strerror(errno));
		goto out;
	}
	for (i = 0; i < RTE_DIM(rows); i++) {
		last = 0;
		if (devargs_dma_try(rows[i].devargs, rows[i].sealed ? sealed : unsealed,
				    rows[i].nb_maps, &last) != 0 ||
		    last != rows[i].want) {
			printf("%s: DMA_MAP gave %d, want %d\n", rows[i].name, last, rows[i].want);
			goto out;
		}
	}
	ret = TEST_SUCCESS;
out:
	if (sealed >= 0)
		close(sealed);
	if (unsealed >= 0)
		close(unsealed);
	return ret;
}

/*
 * Map the TX tail page of BAR0 as a client does (from the fd REGION_INFO
 * gives); its inode in *ino. NULL on error.
 */
static volatile uint32_t *
tail_page_map(ino_t *ino)
{
	struct rte_vfio_user_region_info ri;
	struct stat st;
	unsigned int i;
	void *p;

	memset(&ri, 0, sizeof(ri));
	if (rte_vfio_user_client_region_info(g.c, RTE_VFIO_USER_REGION_BAR0, &ri) != 0 ||
	    ri.fd < 0 || fstat(ri.fd, &st) != 0) {
		printf("BAR0 region info: no fd\n");
		return NULL;
	}
	*ino = st.st_ino;
	/* The client's fd is sealed: it cannot shrink (nor grow) it. */
	if (ftruncate(ri.fd, 0) == 0 || ftruncate(ri.fd, (off_t)st.st_size + 4096) == 0) {
		printf("the tail fd could be truncated\n");
		return NULL;
	}
	for (i = 0; i < RTE_MIN(ri.nr_sparse, RTE_VFIO_USER_MAX_SPARSE); i++) {
		if (ri.sparse[i].offset > R_QTX_TAIL(0) ||
		    R_QTX_TAIL(0) + 0x1000u > ri.sparse[i].offset + ri.sparse[i].size)
			continue;
		p = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, ri.fd,
			 (off_t)(ri.fd_offset + R_QTX_TAIL(0)));
		if (p == MAP_FAILED) {
			printf("mmap of the tail page: %s\n", strerror(errno));
			return NULL;
		}
		return p;
	}
	printf("no sparse area holds the TX tails\n");
	return NULL;
}

/*
 * A departed client's mapping of the tail page reaches nothing; the next
 * client gets another memory object; registers and configuration space are
 * back to their power-on values.
 */
static int
test_tail_fresh(void)
{
	volatile uint32_t *old = NULL, *cur = NULL;
	ino_t ino_old = 0, ino_new = 0;
	uint16_t cmd = 0x0006, v16 = 0xFFFF;
	int ret = TEST_FAILED;

	old = tail_page_map(&ino_old);
	if (old == NULL)
		goto out;
	/* Some state for the next client not to see. */
	if (ag_cfg_wr(&g, 0x04, &cmd, sizeof(cmd)) != 0 ||
	    ag_reg_wr(&g, R_ATQLEN, 0x80000020u) != 0 || ag_reg_wr(&g, R_ATQBAL, 0x1000u) != 0 ||
	    ag_reg_wr(&g, R_ARQBAL, 0x2000u) != 0 || ag_reg_wr(&g, R_DYN_CTL01, 0x3u) != 0) {
		printf("writes before disconnecting failed\n");
		goto out;
	}
	old[0] = 0x10;
	if (ag_rd(&g, R_QTX_TAIL(0)) != 0x10) {
		printf("the tail mapping does not reach the device\n");
		goto out;
	}
	ag_disconnect(&g);
	if (wait_disconnected() != 0) {
		printf("the device missed the disconnection\n");
		goto out;
	}
	if (ag_connect(&g, sock_path) != 0)
		goto out;
	/* The old mapping writes a page nobody reads. */
	old[0] = 0x7FF;
	old[1] = 0x7FF;
	if (ag_rd(&g, R_QTX_TAIL(0)) != 0 || ag_rd(&g, R_QTX_TAIL(1)) != 0) {
		printf("the departed client's mapping reaches QTX_TAIL: 0x%x 0x%x\n",
		       ag_rd(&g, R_QTX_TAIL(0)), ag_rd(&g, R_QTX_TAIL(1)));
		goto out;
	}
	cur = tail_page_map(&ino_new);
	if (cur == NULL)
		goto out;
	if (cur[0] != 0 || cur[1] != 0) {
		printf("the new tail page holds 0x%x 0x%x\n", cur[0], cur[1]);
		goto out;
	}
	if (ino_new == ino_old) {
		printf("the new connection got the same tail memory (inode %lu)\n",
		       (unsigned long)ino_new);
		goto out;
	}
	/* Power-on state. */
	if (ag_rd(&g, R_ATQLEN) != 0 || ag_rd(&g, R_ATQBAL) != 0 || ag_rd(&g, R_ARQBAL) != 0 ||
	    ag_rd(&g, R_RSTAT) != AVF_RSTAT_VFACTIVE) {
		printf("registers not at power-on: ATQLEN 0x%x ATQBAL 0x%x ARQBAL 0x%x "
		       "RSTAT 0x%x\n",
		       ag_rd(&g, R_ATQLEN), ag_rd(&g, R_ATQBAL), ag_rd(&g, R_ARQBAL),
		       ag_rd(&g, R_RSTAT));
		goto out;
	}
	if (ag_cfg_rd(&g, 0x04, &v16, sizeof(v16)) != 0 || (v16 & 0x0006) != 0) {
		printf("PCI COMMAND 0x%04x after a reconnection\n", v16);
		goto out;
	}
	/* The new mapping reaches the device. */
	cur[0] = 0x20;
	if (ag_rd(&g, R_QTX_TAIL(0)) != 0x20) {
		printf("the new tail mapping does not reach the device\n");
		goto out;
	}
	cur[0] = 0;
	ret = TEST_SUCCESS;
out:
	if (old != NULL)
		munmap((void *)(uintptr_t)old, 0x1000);
	if (cur != NULL)
		munmap((void *)(uintptr_t)cur, 0x1000);
	return ret;
}

/* A client's GET_STATS does not count what the previous clients' guests did. */
static int
test_stats_per_client(void)
{
	uint8_t stats[96];
	uint16_t rlen = 0;
	unsigned int i;
	int st, ret;

	ret = rte_emudev_stats_cb_set(emu_id, stats_cb, NULL);
	TEST_ASSERT_SUCCESS(ret, "stats callback");
	stats_extra = 0;
	ag_disconnect(&g);
	ret = wait_disconnected();
	if (ret == 0)
		ret = ag_connect(&g, sock_path);
	if (ret == 0)
		ret = ag_bring_up(&g, true);
	/* The consumer counted 7 more of everything since. */
	stats_extra = 7;
	memset(stats, 0xFF, sizeof(stats));
	st = ret == 0 ? ag_vc_queue_select(&g, VC_OP_GET_STATS, g.vsi_id, 0, 0, stats,
					   sizeof(stats), &rlen) :
			-1;
	rte_emudev_stats_cb_set(emu_id, NULL, NULL);
	stats_extra = 0;
	TEST_ASSERT_SUCCESS(ret, "reconnection");
	TEST_ASSERT_EQUAL(st, 0, "GET_STATS");
	TEST_ASSERT_EQUAL(rlen, 96, "GET_STATS length");
	for (i = 0; i < 12; i++) {
		uint64_t got = (uint64_t)get_le32(stats + 8 * i) |
			(uint64_t)get_le32(stats + 8 * i + 4) << 32;
		uint64_t want = i == 0 ? 7 + 4 * 3 * 7 : 7; /* rx_bytes with the FCS */

		TEST_ASSERT_EQUAL(got, want,
				  "GET_STATS counter %u: %" PRIu64 " (previous client's)", i, got);
	}
	return TEST_SUCCESS;
}

/*
 * Behind a vIOMMU the client maps page by page: mappings that continue each
 * other make one region of the memory table, so that a ring or a buffer
 * across them translates; a gap or another protection keeps them apart.
 */
#define MERGE_IOVA UINT64_C(0x100000000)
#define MERGE_PAGE 4096u

static const struct rte_emudev_mem_region *
merge_region(const struct rte_emudev_mem_table *t, uint64_t gpa)
{
	uint32_t i;

	for (i = 0; i < t->nb_regions; i++)
		if (t->regions[i].guest_phys_addr == gpa)
			return &t->regions[i];
	return NULL;
}

static int
test_mem_merge(void)
{
	const uint32_t rw = RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE;
	const struct rte_emudev_mem_table *t;
	const struct rte_emudev_mem_region *r;
	uint64_t iova;
	uint32_t i;
	int ret;

	/* 8 pages, one DMA_MAP each, then a gap, then a read-only page. */
	for (i = 0; i < 8; i++) {
		iova = MERGE_IOVA + (uint64_t)i * MERGE_PAGE;
		ret = rte_vfio_user_client_dma_map(g.c, g.memfd, (uint64_t)i * MERGE_PAGE, iova,
						   MERGE_PAGE, rw);
		TEST_ASSERT_SUCCESS(ret, "DMA_MAP of page %u: %s", i, strerror(-ret));
	}
	ret = rte_vfio_user_client_dma_map(g.c, g.memfd, 9 * MERGE_PAGE,
					   MERGE_IOVA + 9 * MERGE_PAGE, MERGE_PAGE, rw);
	TEST_ASSERT_SUCCESS(ret, "DMA_MAP after a gap: %s", strerror(-ret));
	ret = rte_vfio_user_client_dma_map(g.c, g.memfd, 10 * MERGE_PAGE,
					   MERGE_IOVA + 10 * MERGE_PAGE, MERGE_PAGE,
					   RTE_VFIO_USER_DMA_READ);
	TEST_ASSERT_SUCCESS(ret, "DMA_MAP read-only: %s", strerror(-ret));
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_get(emu_id, &t), "memory table");
	printf("memory table: %u regions after 1 + 10 DMA_MAPs\n", t->nb_regions);
	TEST_ASSERT_EQUAL(t->nb_regions, 4,
			  "regions: the first map, 8 pages as one, the one after "
			  "the gap, the read-only one");
	r = merge_region(t, MERGE_IOVA);
	TEST_ASSERT(r != NULL && r->size == 8 * MERGE_PAGE, "8 adjacent pages are one region");
	TEST_ASSERT(rte_emudev_translate(t, NULL, MERGE_IOVA + MERGE_PAGE - 100, 200,
					 RTE_EMUDEV_MEM_WRITE) != NULL,
		    "a buffer across two page mappings does not translate");
	TEST_ASSERT(rte_emudev_translate(t, NULL, MERGE_IOVA + 8 * MERGE_PAGE - 100, 200,
					 RTE_EMUDEV_MEM_READ) == NULL,
		    "a buffer across a gap translates");
	r = merge_region(t, MERGE_IOVA + 10 * MERGE_PAGE);
	TEST_ASSERT(r != NULL && r->size == MERGE_PAGE && r->prot == RTE_EMUDEV_MEM_READ,
		    "the read-only page is a region of its own");
	/* The same bytes as the memfd's pages. */
	*(volatile uint8_t *)rte_emudev_translate(t, NULL, MERGE_IOVA + 3 * MERGE_PAGE + 5, 1,
						  RTE_EMUDEV_MEM_WRITE) = 0xA5;
	TEST_ASSERT_EQUAL(((volatile uint8_t *)g.mem)[3 * MERGE_PAGE + 5], 0xA5,
			  "page 3 is not the file's page 3");
	/* One range unmap takes them all. */
	ret = rte_vfio_user_client_dma_unmap(g.c, MERGE_IOVA, 16 * MERGE_PAGE);
	TEST_ASSERT_SUCCESS(ret, "range DMA_UNMAP: %s", strerror(-ret));
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_get(emu_id, &t), "memory table");
	TEST_ASSERT_EQUAL(t->nb_regions, 1, "regions after the range unmap");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ suite */

static struct unit_test_suite emu_iavf_suite = {
	.suite_name = "emu_iavf_autotest",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases =
		{
			TEST_CASE(test_devargs_refused),
			TEST_CASE(test_devargs_sock_unusable),
			TEST_CASE(test_devargs_accepted),
			TEST_CASE(test_default_mac),
			TEST_CASE_ST(case_setup, case_teardown, test_config_ids),
			TEST_CASE_ST(case_setup, case_teardown, test_config_msix),
			TEST_CASE_ST(case_setup, case_teardown, test_config_pcie_flr),
			TEST_CASE_ST(case_setup, case_teardown, test_config_bar0),
			TEST_CASE_ST(case_setup, case_teardown, test_config_bar_sizing),
			TEST_CASE_ST(case_setup, case_teardown, test_bringup),
			TEST_CASE_ST(case_setup, case_teardown, test_queues),
			TEST_CASE_ST(case_setup, case_teardown, test_link_events),
			TEST_CASE_ST(case_setup, case_teardown, test_mac_filters_promisc),
			TEST_CASE_ST(case_setup, case_teardown, test_get_stats),
			TEST_CASE_ST(case_setup, case_teardown, test_unknown_ops),
			TEST_CASE_ST(case_setup, case_teardown, test_rx_conf_lists),
			TEST_CASE_ST(case_setup, case_teardown, test_rx_conf_defaults_restored),
			TEST_CASE_ST(case_setup, case_teardown, test_vlan_filters),
			TEST_CASE_ST(case_setup, case_teardown, test_vlan_offloads),
			TEST_CASE_ST(case_setup, case_teardown, test_rss),
			TEST_CASE_ST(case_setup, case_teardown, test_malformed),
			TEST_CASE_ST(case_setup, case_teardown, test_aq_replies_in_order),
			TEST_CASE_ST(case_setup, case_teardown, test_aq_reply_waits_for_arqt),
			TEST_CASE_ST(case_setup, case_teardown, test_aq_virtchnl_1_0),
			TEST_CASE_ST(case_setup, case_teardown, test_aq_no_stale_reply),
			TEST_CASE_ST(case_setup, case_teardown, test_bad_aq),
			TEST_CASE_ST(case_setup, case_teardown, test_irq_vector0),
			TEST_CASE_ST(case_setup, case_teardown, test_irq_queue_vectors),
			TEST_CASE_ST(case_setup, case_teardown, test_reset),
			TEST_CASE_ST(case_setup, case_teardown, test_reconnect),
			TEST_CASE_ST(case_setup, case_teardown, test_dma_unmap_rings),
			TEST_CASE(test_devargs_limits),
			TEST_CASE_ST(case_setup, case_teardown, test_tail_fresh),
			TEST_CASE_ST(case_setup, case_teardown, test_stats_per_client),
			TEST_CASE_ST(case_setup, case_teardown, test_mem_merge),
			TEST_CASES_END(),
		},
};

static int
test_emu_iavf(void)
{
	return unit_test_suite_runner(&emu_iavf_suite);
}

REGISTER_TEST_COMMAND(emu_iavf_autotest, test_emu_iavf);
