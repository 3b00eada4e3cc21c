/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * A vfio-user client: connects to a device, prints what it sees (negotiated
 * capabilities, device information, configuration-space identity and
 * capability list, regions, IRQs) and, when the device is the sample device
 * of examples/vfio_user_sample (1b36:00f0), exercises it: BAR0 registers,
 * the shared memory of BAR2, a DMA copy completed by an MSI-X interrupt, a
 * refused DMA and a device reset. Each check prints PASS or FAIL; the exit
 * status is non-zero if any failed.
 *
 * Everything the server answers is treated as untrusted: counts and offsets
 * are bounded before use.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include <rte_vfio_user.h>
#include <rte_vfio_user_client.h>

/* The sample device (see examples/vfio_user_sample). */
#define SAMPLE_VENDOR_ID 0x1b36
#define SAMPLE_DEVICE_ID 0x00f0
#define SAMPLE_ID 0x56465553u
#define SAMPLE_VERSION 0x00010000u
#define REG_ID 0x00
#define REG_VERSION 0x04
#define REG_SCRATCH 0x08
#define REG_DMA_SRC 0x10
#define REG_DMA_DST 0x18
#define REG_DMA_LEN 0x20
#define REG_DMA_VECTOR 0x24
#define REG_DMA_CMD 0x28
#define REG_DMA_STATUS 0x2c
#define REG_DMA_DONE_COUNT 0x30
#define REG_DMA_ERR_COUNT 0x34
#define DMA_STATUS_DONE 1u
#define DMA_STATUS_ERROR 2u

/* Guest memory of the DMA test. */
#define GUEST_MEM_SIZE (2u << 20)
#define GUEST_IOVA UINT64_C(0x100000000)
#define DMA_SRC_OFF 0x1000u
#define DMA_DST_OFF 0x100000u
#define DMA_TEST_LEN 0x40000u
#define IRQ_TIMEOUT_MS 2000

static const char *const region_names[RTE_VFIO_USER_NUM_REGIONS] = {
	"BAR0", "BAR1", "BAR2", "BAR3", "BAR4", "BAR5", "ROM", "CONFIG", "VGA",
};

static const char *const irq_names[RTE_VFIO_USER_NUM_IRQS] = {
	"INTx", "MSI", "MSI-X", "ERR", "REQ",
};

static unsigned int nr_pass;
static unsigned int nr_fail;

static void __rte_format_printf(2, 3) check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		nr_pass++;
	else
		nr_fail++;
}

static const char *
err_str(int ret)
{
	return ret == 0 ? "ok" : strerror(ret < 0 ? -ret : ret);
}

/* ----------------------------------------------------------- region access */

static int
reg_read32(struct rte_vfio_user_client *c, uint32_t off, uint32_t *val)
{
	uint8_t b[4];
	int ret;

	ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_BAR0, off, b, sizeof(b));
	if (ret == 0)
		*val = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			(uint32_t)b[3] << 24;
	return ret;
}

static int
reg_write32(struct rte_vfio_user_client *c, uint32_t off, uint32_t val)
{
	uint8_t b[4];
	unsigned int i;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(val >> (8 * i));
	return rte_vfio_user_client_region_write(c, RTE_VFIO_USER_REGION_BAR0, off, b, sizeof(b),
						 false);
}

static int
reg_write64(struct rte_vfio_user_client *c, uint32_t off, uint64_t val)
{
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(val >> (8 * i));
	return rte_vfio_user_client_region_write(c, RTE_VFIO_USER_REGION_BAR0, off, b, sizeof(b),
						 false);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* --------------------------------------------------------------- printing */

static void
print_caps(struct rte_vfio_user_client *c)
{
	const struct rte_vfio_user_client_caps *caps;

	caps = rte_vfio_user_client_caps(c);
	if (caps == NULL) {
		check(false, "negotiated capabilities available");
		return;
	}
	printf("version: %u.%u, max_msg_fds %" PRIu32 ", max_data_xfer_size %" PRIu32
	       ", max_dma_maps %" PRIu32 ", pgsizes 0x%" PRIx64 ", write_multiple %s\n",
	       caps->major, caps->minor, caps->max_msg_fds, caps->max_data_xfer_size,
	       caps->max_dma_maps, caps->pgsizes, caps->write_multiple ? "yes" : "no");
}

/*
 * Print the configuration-space identity and capability list; *pcie_off
 * gets the offset of the PCI Express capability (0 if none).
 * @return true when the device is the sample device.
 */
static bool
print_config(struct rte_vfio_user_client *c, unsigned int *pcie_off)
{
	uint8_t cfg[256];
	uint32_t class_code;
	unsigned int ptr, n;
	int ret;

	*pcie_off = 0;
	ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_CONFIG, 0, cfg, sizeof(cfg));
	check(ret == 0, "read the first 256 bytes of the configuration space (%s)", err_str(ret));
	if (ret != 0)
		return false;
	class_code = le32(&cfg[0x08]) >> 8;
	printf("config: vendor:device %04x:%04x, subsystem %04x:%04x, "
	       "class 0x%06" PRIx32 ", revision %u, header type 0x%02x, "
	       "command 0x%04x, status 0x%04x\n",
	       le16(&cfg[0x00]), le16(&cfg[0x02]), le16(&cfg[0x2c]), le16(&cfg[0x2e]), class_code,
	       cfg[0x08], cfg[0x0e], le16(&cfg[0x04]), le16(&cfg[0x06]));
	for (n = 0; n < 6; n++)
		printf("config: BAR%u 0x%08" PRIx32 "\n", n, le32(&cfg[0x10 + 4 * n]));

	if (le16(&cfg[0x06]) & 0x10) {
		/* Bounded walk: at most 48 capabilities, inside 0x40..0xff. */
		ptr = cfg[0x34] & 0xfc;
		for (n = 0; n < 48 && ptr >= 0x40 && ptr <= 0xfe; n++) {
			printf("config: capability 0x%02x at 0x%02x\n", cfg[ptr], ptr);
			if (cfg[ptr] == 0x11 && ptr + 12 <= sizeof(cfg)) {
				uint16_t ctl = le16(&cfg[ptr + 2]);
				uint32_t tbl = le32(&cfg[ptr + 4]);
				uint32_t pba = le32(&cfg[ptr + 8]);

				printf("config:   MSI-X %u vectors, %s, table "
				       "BAR%" PRIu32 "+0x%" PRIx32 ", PBA BAR%" PRIu32 "+0x%" PRIx32
				       "\n",
				       (ctl & 0x7ff) + 1u, ctl & 0x8000 ? "enabled" : "disabled",
				       tbl & 7, tbl & ~7u, pba & 7, pba & ~7u);
			} else if (cfg[ptr] == 0x10 && ptr + 4 <= sizeof(cfg)) {
				uint16_t flg = le16(&cfg[ptr + 2]);

				printf("config:   PCI Express version %u, "
				       "port type %u\n",
				       flg & 0xfu, (flg >> 4) & 0xfu);
				if (*pcie_off == 0 && ptr + 12 <= sizeof(cfg))
					*pcie_off = ptr;
			}
			ptr = cfg[ptr + 1] & 0xfc;
		}
	} else {
		printf("config: no capability list\n");
	}
	return le16(&cfg[0x00]) == SAMPLE_VENDOR_ID && le16(&cfg[0x02]) == SAMPLE_DEVICE_ID;
}

static void
print_regions(struct rte_vfio_user_client *c, uint32_t num_regions)
{
	struct rte_vfio_user_region_info ri;
	uint32_t i, j, n;
	int ret;

	n = RTE_MIN(num_regions, (uint32_t)RTE_VFIO_USER_NUM_REGIONS);
	for (i = 0; i < n; i++) {
		memset(&ri, 0, sizeof(ri));
		ret = rte_vfio_user_client_region_info(c, i, &ri);
		if (ret != 0) {
			check(false, "region %" PRIu32 " (%s) info: %s", i, region_names[i],
			      err_str(ret));
			continue;
		}
		printf("region %" PRIu32 " (%s): size 0x%" PRIx64 ", flags 0x%" PRIx32
		       " (%s%s%s), fd %d",
		       i, region_names[i], ri.size, ri.flags,
		       ri.flags & RTE_VFIO_USER_REGION_READ ? "r" : "-",
		       ri.flags & RTE_VFIO_USER_REGION_WRITE ? "w" : "-",
		       ri.flags & RTE_VFIO_USER_REGION_MMAP ? "m" : "-", ri.fd);
		if (ri.fd >= 0)
			printf(", fd_offset 0x%" PRIx64, ri.fd_offset);
		if (ri.fd >= 0 && ri.nr_sparse == 0)
			printf(", whole region mmappable");
		for (j = 0; j < RTE_MIN(ri.nr_sparse, RTE_VFIO_USER_MAX_SPARSE); j++)
			printf("%s[0x%" PRIx64 ", 0x%" PRIx64 ")", j == 0 ? ", sparse " : " ",
			       ri.sparse[j].offset, ri.sparse[j].offset + ri.sparse[j].size);
		printf("\n");
	}
	if (num_regions > n)
		printf("region: %" PRIu32 " more regions not shown\n", num_regions - n);
}

static void
print_irqs(struct rte_vfio_user_client *c, uint32_t num_irqs)
{
	uint32_t i, n, count, flags;
	int ret;

	n = RTE_MIN(num_irqs, (uint32_t)RTE_VFIO_USER_NUM_IRQS);
	for (i = 0; i < n; i++) {
		ret = rte_vfio_user_client_irq_info(c, i, &count, &flags);
		if (ret != 0) {
			check(false, "IRQ %" PRIu32 " (%s) info: %s", i, irq_names[i],
			      err_str(ret));
			continue;
		}
		printf("irq %" PRIu32 " (%s): count %" PRIu32 ", flags 0x%" PRIx32 "%s%s%s%s\n", i,
		       irq_names[i], count, flags,
		       flags & RTE_VFIO_USER_IRQ_EVENTFD ? " eventfd" : "",
		       flags & RTE_VFIO_USER_IRQ_MASKABLE ? " maskable" : "",
		       flags & RTE_VFIO_USER_IRQ_AUTOMASKED ? " automasked" : "",
		       flags & RTE_VFIO_USER_IRQ_NORESIZE ? " noresize" : "");
	}
}

/* ------------------------------------------------------ sample device tests */

static void
test_registers(struct rte_vfio_user_client *c)
{
	uint32_t val = 0, pattern;
	uint8_t b8[8];
	int ret;

	ret = reg_read32(c, REG_ID, &val);
	check(ret == 0 && val == SAMPLE_ID, "BAR0 ID reads 0x%08" PRIx32 " (want 0x%08x, %s)", val,
	      SAMPLE_ID, err_str(ret));
	val = 0;
	ret = reg_read32(c, REG_VERSION, &val);
	check(ret == 0 && val == SAMPLE_VERSION,
	      "BAR0 VERSION reads 0x%08" PRIx32 " (want 0x%08x, %s)", val, SAMPLE_VERSION,
	      err_str(ret));

	pattern = 0xa5000000u | ((uint32_t)getpid() & 0xffffff);
	ret = reg_write32(c, REG_SCRATCH, pattern);
	val = 0;
	if (ret == 0)
		ret = reg_read32(c, REG_SCRATCH, &val);
	check(ret == 0 && val == pattern,
	      "BAR0 SCRATCH write 0x%08" PRIx32 " reads back 0x%08" PRIx32 " (%s)", pattern, val,
	      err_str(ret));

	/* Read-only: a write to ID is ignored. */
	ret = reg_write32(c, REG_ID, 0);
	val = 0;
	if (ret == 0)
		ret = reg_read32(c, REG_ID, &val);
	check(ret == 0 && val == SAMPLE_ID,
	      "BAR0 ID is read-only (0x%08" PRIx32 " after writing 0, %s)", val, err_str(ret));

	/* An access crossing registers is refused. */
	ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_BAR0, 0x06, b8, 4);
	check(ret != 0, "BAR0 misaligned 4-byte read at 0x6 refused (%s)", err_str(ret));
	ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_BAR0, REG_DMA_LEN, b8, 8);
	check(ret != 0, "BAR0 8-byte read across DMA_LEN and DMA_VECTOR refused (%s)",
	      err_str(ret));

	/* 64-bit register, 8-byte access. */
	ret = reg_write64(c, REG_DMA_SRC, UINT64_C(0x0123456789abcdef));
	memset(b8, 0, sizeof(b8));
	if (ret == 0)
		ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_BAR0, REG_DMA_SRC,
						       b8, 8);
	check(ret == 0 && le32(b8) == 0x89abcdefu && le32(b8 + 4) == 0x01234567u,
	      "BAR0 DMA_SRC 8-byte write/read round trip (%s)", err_str(ret));

	/* A 2-byte write to the upper half of SCRATCH keeps the lower half. */
	b8[0] = 0x34;
	b8[1] = 0x12;
	ret = rte_vfio_user_client_region_write(c, RTE_VFIO_USER_REGION_BAR0, REG_SCRATCH + 2, b8,
						2, false);
	val = 0;
	if (ret == 0)
		ret = reg_read32(c, REG_SCRATCH, &val);
	check(ret == 0 && val == (0x12340000u | (pattern & 0xffff)),
	      "BAR0 2-byte write to SCRATCH+2: 0x%08" PRIx32 " (%s)", val, err_str(ret));

	/* Unimplemented space reads 0 and ignores writes. */
	ret = reg_write32(c, 0x100, 0xffffffffu);
	val = UINT32_MAX;
	if (ret == 0)
		ret = reg_read32(c, 0x100, &val);
	check(ret == 0 && val == 0, "BAR0 unimplemented offset 0x100 reads 0x%08" PRIx32 " (%s)",
	      val, err_str(ret));
}

static void
test_msix_bar(struct rte_vfio_user_client *c)
{
	uint8_t entry[16], back[16], pba[8];
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(entry); i++)
		entry[i] = (uint8_t)(0xe0 + i);
	entry[12] = 1; /* vector control: masked */
	memset(&entry[13], 0, 3);
	ret = rte_vfio_user_client_region_write(c, RTE_VFIO_USER_REGION_BAR4, 0x10, entry,
						sizeof(entry), false);
	memset(back, 0, sizeof(back));
	if (ret == 0)
		ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_BAR4, 0x10, back,
						       sizeof(back));
	check(ret == 0 && memcmp(entry, back, sizeof(entry)) == 0,
	      "BAR4 MSI-X table entry 1 reads back what was written (%s)", err_str(ret));
	memset(pba, 0xff, sizeof(pba));
	ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_BAR4, 0x800, pba,
					       sizeof(pba));
	check(ret == 0 && le32(pba) == 0 && le32(pba + 4) == 0, "BAR4 PBA at 0x800 reads 0 (%s)",
	      err_str(ret));
}

static void
test_bar2_shared(struct rte_vfio_user_client *c)
{
	struct rte_vfio_user_region_info ri;
	uint8_t pattern[64], back[64];
	uint64_t off;
	uint8_t *map;
	unsigned int i;
	int ret;

	memset(&ri, 0, sizeof(ri));
	ret = rte_vfio_user_client_region_info(c, RTE_VFIO_USER_REGION_BAR2, &ri);
	check(ret == 0 && ri.size == 0x4000 && ri.fd >= 0 && ri.nr_sparse == 1 &&
		      ri.sparse[0].offset == 0x1000 && ri.sparse[0].size == 0x2000 &&
		      (ri.flags & RTE_VFIO_USER_REGION_MMAP),
	      "BAR2 is 16 KiB with an fd and sparse area [0x1000, 0x3000) (%s)", err_str(ret));
	if (ret != 0 || ri.fd < 0 || ri.nr_sparse < 1 || ri.sparse[0].size < 0x100 ||
	    ri.sparse[0].offset > ri.size || ri.sparse[0].size > ri.size - ri.sparse[0].offset)
		return;

	map = rte_vfio_user_client_region_mmap(c, RTE_VFIO_USER_REGION_BAR2, 0);
	check(map != NULL, "mmap BAR2 sparse area 0 (%s)",
	      map != NULL ? "ok" : rte_strerror(rte_errno));
	if (map == NULL)
		return;

	/* mmap write, trapped read. */
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + getpid());
	memcpy(map + 0x10, pattern, sizeof(pattern));
	off = ri.sparse[0].offset + 0x10;
	memset(back, 0, sizeof(back));
	ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_BAR2, off, back,
					       sizeof(back));
	check(ret == 0 && memcmp(back, pattern, sizeof(back)) == 0,
	      "BAR2 write through the mmap at 0x%" PRIx64 " reads back through REGION_READ (%s)",
	      off, err_str(ret));

	/* Trapped write, mmap read. */
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)~pattern[i];
	off = ri.sparse[0].offset + 0x80;
	ret = rte_vfio_user_client_region_write(c, RTE_VFIO_USER_REGION_BAR2, off, pattern,
						sizeof(pattern), false);
	check(ret == 0 && memcmp(map + 0x80, pattern, sizeof(pattern)) == 0,
	      "BAR2 REGION_WRITE at 0x%" PRIx64 " is seen through the mmap (%s)", off,
	      err_str(ret));

	/* The trapped part outside the sparse area works too. */
	ret = rte_vfio_user_client_region_write(c, RTE_VFIO_USER_REGION_BAR2, 0x10, pattern,
						sizeof(pattern), false);
	memset(back, 0, sizeof(back));
	if (ret == 0)
		ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_BAR2, 0x10, back,
						       sizeof(back));
	check(ret == 0 && memcmp(back, pattern, sizeof(back)) == 0,
	      "BAR2 trapped page 0 write/read round trip (%s)", err_str(ret));
}

static int
wait_eventfd(int efd, int timeout_ms, uint64_t *value)
{
	struct pollfd pfd = {.fd = efd, .events = POLLIN};
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (ret == 0)
		return -ETIMEDOUT;
	if (read(efd, value, sizeof(*value)) != (ssize_t)sizeof(*value))
		return -errno;
	return 0;
}

static void
test_dma(struct rte_vfio_user_client *c)
{
	uint32_t status = 0, done0 = 0, done1 = 0, err0 = 0, err1 = 0;
	uint8_t *mem = MAP_FAILED, *src, *dst;
	uint64_t ev = 0;
	bool mapped = false, irq_set = false;
	int memfd, efd = -1, ret;
	unsigned int i;

	/*
	 * Sealed against shrinking and growing, as QEMU's memory-backend-memfd
	 * does: a server refuses DMA memory whose size could change under it.
	 */
	memfd = memfd_create("vfio_user_client_mem", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, GUEST_MEM_SIZE) != 0 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
		check(false, "create 2 MiB of sealed guest memory (%s)", strerror(errno));
		goto out;
	}
	mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED) {
		check(false, "mmap guest memory (%s)", strerror(errno));
		goto out;
	}
	ret = rte_vfio_user_client_dma_map(c, memfd, 0, GUEST_IOVA, GUEST_MEM_SIZE,
					   RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE);
	check(ret == 0, "DMA_MAP 2 MiB memfd at iova 0x%" PRIx64 " (%s)", GUEST_IOVA, err_str(ret));
	if (ret != 0)
		goto out;
	mapped = true;

	src = mem + DMA_SRC_OFF;
	dst = mem + DMA_DST_OFF;
	for (i = 0; i < DMA_TEST_LEN; i++)
		src[i] = (uint8_t)(i * 31 + (i >> 8) + getpid());
	memset(dst, 0, DMA_TEST_LEN);

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0) {
		check(false, "eventfd (%s)", strerror(errno));
		goto out;
	}
	ret = rte_vfio_user_client_set_irqs(c, RTE_VFIO_USER_IRQ_MSIX, 0, 1, &efd);
	check(ret == 0, "SET_IRQS: eventfd on MSI-X vector 0 (%s)", err_str(ret));
	if (ret != 0)
		goto out;
	irq_set = true;

	ret = reg_read32(c, REG_DMA_DONE_COUNT, &done0);
	if (ret == 0)
		ret = reg_read32(c, REG_DMA_ERR_COUNT, &err0);
	if (ret == 0)
		ret = reg_write64(c, REG_DMA_SRC, GUEST_IOVA + DMA_SRC_OFF);
	if (ret == 0)
		ret = reg_write64(c, REG_DMA_DST, GUEST_IOVA + DMA_DST_OFF);
	if (ret == 0)
		ret = reg_write32(c, REG_DMA_LEN, DMA_TEST_LEN);
	if (ret == 0)
		ret = reg_write32(c, REG_DMA_VECTOR, 0);
	check(ret == 0, "program DMA_SRC/DST/LEN/VECTOR for 0x%x bytes (%s)", DMA_TEST_LEN,
	      err_str(ret));
	if (ret != 0)
		goto out;
	ret = reg_write32(c, REG_DMA_CMD, 1);
	check(ret == 0, "write DMA_CMD = 1 (%s)", err_str(ret));
	if (ret != 0)
		goto out;

	ret = wait_eventfd(efd, IRQ_TIMEOUT_MS, &ev);
	check(ret == 0 && ev >= 1,
	      "MSI-X vector 0 fired within %d ms (eventfd count %" PRIu64 ", %s)", IRQ_TIMEOUT_MS,
	      ev, err_str(ret));
	check(memcmp(src, dst, DMA_TEST_LEN) == 0,
	      "destination equals source after the copy of 0x%x bytes", DMA_TEST_LEN);
	ret = reg_read32(c, REG_DMA_STATUS, &status);
	check(ret == 0 && status == DMA_STATUS_DONE, "DMA_STATUS = %" PRIu32 " (want %u done, %s)",
	      status, DMA_STATUS_DONE, err_str(ret));
	ret = reg_read32(c, REG_DMA_DONE_COUNT, &done1);
	check(ret == 0 && done1 == done0 + 1, "DMA_DONE_COUNT %" PRIu32 " -> %" PRIu32 " (%s)",
	      done0, done1, err_str(ret));

	/* A copy from memory the client never mapped is refused. */
	ret = reg_write64(c, REG_DMA_SRC, 0x1000);
	if (ret == 0)
		ret = reg_write32(c, REG_DMA_CMD, 1);
	if (ret == 0)
		ret = reg_read32(c, REG_DMA_STATUS, &status);
	if (ret == 0)
		ret = reg_read32(c, REG_DMA_ERR_COUNT, &err1);
	check(ret == 0 && status == DMA_STATUS_ERROR && err1 == err0 + 1,
	      "DMA from unmapped iova 0x1000 refused: status %" PRIu32 ", DMA_ERR_COUNT %" PRIu32
	      " -> %" PRIu32 " (%s)",
	      status, err0, err1, err_str(ret));
	/* And one longer than the mapping. */
	ret = reg_write64(c, REG_DMA_SRC, GUEST_IOVA + GUEST_MEM_SIZE - 16);
	if (ret == 0)
		ret = reg_write32(c, REG_DMA_LEN, 32);
	if (ret == 0)
		ret = reg_write32(c, REG_DMA_CMD, 1);
	if (ret == 0)
		ret = reg_read32(c, REG_DMA_STATUS, &status);
	check(ret == 0 && status == DMA_STATUS_ERROR,
	      "DMA crossing the end of the mapping refused: status %" PRIu32 " (%s)", status,
	      err_str(ret));

out:
	if (irq_set) {
		ret = rte_vfio_user_client_set_irqs(c, RTE_VFIO_USER_IRQ_MSIX, 0, 0, NULL);
		check(ret == 0, "SET_IRQS: disable MSI-X (%s)", err_str(ret));
	}
	if (mapped) {
		ret = rte_vfio_user_client_dma_unmap(c, GUEST_IOVA, GUEST_MEM_SIZE);
		check(ret == 0, "DMA_UNMAP (%s)", err_str(ret));
	}
	if (efd >= 0)
		close(efd);
	if (mem != MAP_FAILED)
		munmap(mem, GUEST_MEM_SIZE);
	if (memfd >= 0)
		close(memfd);
}

static void
test_reset(struct rte_vfio_user_client *c, uint32_t dev_flags)
{
	uint32_t val = UINT32_MAX;
	int ret;

	if (!(dev_flags & RTE_VFIO_USER_DEV_RESET)) {
		check(false, "device advertises DEVICE_RESET (flags 0x%" PRIx32 ")", dev_flags);
		return;
	}
	ret = rte_vfio_user_client_reset(c);
	if (ret == 0)
		ret = reg_read32(c, REG_SCRATCH, &val);
	check(ret == 0 && val == 0, "DEVICE_RESET clears SCRATCH (reads 0x%08" PRIx32 ", %s)", val,
	      err_str(ret));
}

/* A function-level reset through the PCI Express capability. */
static void
test_flr(struct rte_vfio_user_client *c, unsigned int pcie_off)
{
	uint8_t b[4];
	uint32_t devcap = 0, val = UINT32_MAX;
	uint16_t devctl = 0;
	int ret;

	if (pcie_off == 0) {
		check(false, "device has a PCI Express capability");
		return;
	}
	ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_CONFIG, pcie_off + 4, b, 4);
	if (ret == 0)
		devcap = le32(b);
	check(ret == 0 && (devcap & 0x10000000u),
	      "PCIe Device Capabilities 0x%08" PRIx32 " advertise FLR (%s)", devcap, err_str(ret));
	if (ret != 0 || !(devcap & 0x10000000u))
		return;

	ret = reg_write32(c, REG_SCRATCH, 0x5a5a5a5au);
	if (ret == 0)
		ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_CONFIG, pcie_off + 8,
						       b, 2);
	if (ret == 0) {
		devctl = le16(b) | 0x8000u;
		b[0] = (uint8_t)devctl;
		b[1] = (uint8_t)(devctl >> 8);
		ret = rte_vfio_user_client_region_write(c, RTE_VFIO_USER_REGION_CONFIG,
							pcie_off + 8, b, 2, false);
	}
	if (ret == 0)
		ret = reg_read32(c, REG_SCRATCH, &val);
	check(ret == 0 && val == 0, "PCIe Initiate FLR clears SCRATCH (reads 0x%08" PRIx32 ", %s)",
	      val, err_str(ret));
	ret = rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_CONFIG, pcie_off + 8, b, 2);
	check(ret == 0 && !(le16(b) & 0x8000u),
	      "PCIe Device Control reads 0x%04x: Initiate FLR not stored (%s)",
	      ret == 0 ? le16(b) : 0, err_str(ret));
}

/* ------------------------------------------------------------------- main */

static void
usage(const char *prgname)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- --socket PATH\n"
		"  --socket PATH   UNIX socket of the vfio-user device\n"
		"  --help          this text\n",
		prgname);
}

/* @return 0, 1 for --help, -1 on a bad command line. */
static int
parse_args(int argc, char **argv, const char **socket_path)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (optarg[0] == '\0') {
				fprintf(stderr, "--socket: empty path\n");
				return -1;
			}
			*socket_path = optarg;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (*socket_path == NULL) {
		fprintf(stderr, "--socket PATH is required\n");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct rte_vfio_user_client *c;
	struct rte_vfio_user_device_info info;
	const char *socket_path = NULL;
	const char *prgname = argv[0];
	unsigned int pcie_off;
	bool is_sample;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		usage(prgname);
		return EXIT_FAILURE;
	}
	argc -= ret;
	argv += ret;
	ret = parse_args(argc, argv, &socket_path);
	if (ret != 0) {
		usage(prgname);
		rte_eal_cleanup();
		return ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}

	c = rte_vfio_user_client_connect(socket_path, NULL);
	if (c == NULL) {
		check(false, "connect to %s: %s", socket_path, rte_strerror(rte_errno));
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	printf("connected to %s\n", socket_path);
	print_caps(c);

	memset(&info, 0, sizeof(info));
	ret = rte_vfio_user_client_device_info(c, &info);
	check(ret == 0, "DEVICE_GET_INFO (%s)", err_str(ret));
	if (ret == 0) {
		printf("device: flags 0x%" PRIx32 "%s%s, %" PRIu32 " regions, %" PRIu32 " irqs\n",
		       info.flags, info.flags & RTE_VFIO_USER_DEV_RESET ? " reset" : "",
		       info.flags & RTE_VFIO_USER_DEV_PCI ? " pci" : "", info.num_regions,
		       info.num_irqs);
	}
	is_sample = print_config(c, &pcie_off);
	if (ret == 0) {
		print_regions(c, info.num_regions);
		print_irqs(c, info.num_irqs);
	}

	if (ret == 0 && is_sample) {
		printf("device is the vfio_user_sample device: testing it\n");
		test_registers(c);
		test_msix_bar(c);
		test_bar2_shared(c);
		test_dma(c);
		test_reset(c, info.flags);
		test_flr(c, pcie_off);
	} else if (ret == 0) {
		printf("not the sample device %04x:%04x: no device tests\n", SAMPLE_VENDOR_ID,
		       SAMPLE_DEVICE_ID);
	}

	rte_vfio_user_client_close(c);
	printf("client: %u passed, %u failed\n", nr_pass, nr_fail);
	rte_eal_cleanup();
	return nr_fail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
