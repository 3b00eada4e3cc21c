/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * A small PCI device served over the vfio-user library.
 *
 *   BAR0  4 KiB   trapped registers: ID, VERSION, SCRATCH and a DMA engine
 *                 that copies guest memory to guest memory through the
 *                 library's DMA table and raises an MSI-X vector when done
 *   BAR2  16 KiB  memory backed by a memfd; [0x1000, 0x3000) is a sparse
 *                 mmap area shared with the client, the rest is trapped and
 *                 served from the same mapping
 *   BAR4  4 KiB   MSI-X table at 0, PBA at 0x800
 *
 * Clients are served one after another by the library's control thread,
 * which also runs every callback below; the main lcore only waits for
 * SIGINT or SIGTERM. All device state is therefore touched by one thread.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include <rte_vfio_user.h>

RTE_LOG_REGISTER(sample_logtype, sample.vfio_user, INFO);

#define SLOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, sample_logtype, "SAMPLE: " fmt "\n", ##__VA_ARGS__)

/* Identity. */
#define SAMPLE_VENDOR_ID 0x1b36
#define SAMPLE_DEVICE_ID 0x00f0
#define SAMPLE_SUBSYS_VENDOR_ID 0x1b36
#define SAMPLE_SUBSYS_ID 0x0000
#define SAMPLE_CLASS 0xff0000
#define SAMPLE_REVISION 1

/* BAR sizes and layout. */
#define BAR0_SIZE 0x1000u
#define BAR2_SIZE 0x4000u
#define BAR2_SPARSE_OFF 0x1000u
#define BAR2_SPARSE_SIZE 0x2000u
#define BAR4_SIZE 0x1000u
#define MSIX_TABLE_OFF 0x0u
#define MSIX_PBA_OFF 0x800u
#define MSIX_ENTRY_SIZE 16u
#define MSIX_VEC_CTRL_MASKED 0x1u

/* BAR0 registers. */
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

#define SAMPLE_ID 0x56465553u /* "VFUS" in little-endian bytes */
#define SAMPLE_VERSION 0x00010000u

#define DMA_CMD_START 0x1u
#define DMA_STATUS_IDLE 0u
#define DMA_STATUS_DONE 1u
#define DMA_STATUS_ERROR 2u
#define DMA_MAX_LEN (1u << 20)

#define DEFAULT_VECTORS 4u
#define MAX_VECTORS 64u

/* One BAR0 register: where, how wide, writable. */
struct sample_reg {
	uint32_t off;
	uint32_t size;
	bool writable;
	const char *name;
};

static const struct sample_reg sample_regs[] = {
	{REG_ID, 4, false, "ID"},
	{REG_VERSION, 4, false, "VERSION"},
	{REG_SCRATCH, 4, true, "SCRATCH"},
	{REG_DMA_SRC, 8, true, "DMA_SRC"},
	{REG_DMA_DST, 8, true, "DMA_DST"},
	{REG_DMA_LEN, 4, true, "DMA_LEN"},
	{REG_DMA_VECTOR, 4, true, "DMA_VECTOR"},
	{REG_DMA_CMD, 4, true, "DMA_CMD"},
	{REG_DMA_STATUS, 4, false, "DMA_STATUS"},
	{REG_DMA_DONE_COUNT, 4, false, "DMA_DONE_COUNT"},
	{REG_DMA_ERR_COUNT, 4, false, "DMA_ERR_COUNT"},
};

struct sample_dev {
	struct rte_vfio_user_server *srv;
	uint32_t nr_vectors;

	/* BAR0 register file. */
	uint32_t scratch;
	uint64_t dma_src;
	uint64_t dma_dst;
	uint32_t dma_len;
	uint32_t dma_vector;
	uint32_t dma_status;
	uint32_t dma_done_count;
	uint32_t dma_err_count;
	uint8_t *bounce; /* DMA_MAX_LEN bytes */

	/* BAR2 memory, shared with the client through the memfd. */
	int bar2_fd;
	uint8_t *bar2;

	/* BAR4: the MSI-X table as the client wrote it. */
	uint8_t msix[BAR4_SIZE];
};

static volatile sig_atomic_t quit_signal;

static void
signal_handler(int sig)
{
	quit_signal = sig;
}

/* ------------------------------------------------------------------ BAR0 */

static void
bar0_reset(struct sample_dev *dev)
{
	dev->scratch = 0;
	dev->dma_src = 0;
	dev->dma_dst = 0;
	dev->dma_len = 0;
	dev->dma_vector = 0;
	dev->dma_status = DMA_STATUS_IDLE;
	dev->dma_done_count = 0;
	dev->dma_err_count = 0;
}

static void
msix_reset(struct sample_dev *dev)
{
	uint32_t v;

	memset(dev->msix, 0, sizeof(dev->msix));
	/* Every vector starts masked (PCI spec: Vector Control reset value). */
	for (v = 0; v < dev->nr_vectors; v++)
		dev->msix[MSIX_TABLE_OFF + v * MSIX_ENTRY_SIZE + 12] = MSIX_VEC_CTRL_MASKED;
}

/* Run the copy programmed in the DMA registers; called on DMA_CMD. */
static void
dma_start(struct sample_dev *dev)
{
	uint64_t src = dev->dma_src;
	uint64_t dst = dev->dma_dst;
	uint32_t len = dev->dma_len;
	uint32_t vec = dev->dma_vector;
	int ret;

	if (len == 0 || len > DMA_MAX_LEN) {
		SLOG(WARNING, "DMA refused: length %" PRIu32 " (must be 1..%u)", len, DMA_MAX_LEN);
		goto error;
	}
	ret = rte_vfio_user_dma_read(dev->srv, src, dev->bounce, len);
	if (ret != 0) {
		SLOG(WARNING, "DMA refused: source 0x%" PRIx64 "+0x%" PRIx32 " not readable (%s)",
		     src, len, strerror(-ret));
		goto error;
	}
	ret = rte_vfio_user_dma_write(dev->srv, dst, dev->bounce, len);
	if (ret != 0) {
		SLOG(WARNING,
		     "DMA refused: destination 0x%" PRIx64 "+0x%" PRIx32 " not writable (%s)", dst,
		     len, strerror(-ret));
		goto error;
	}
	dev->dma_status = DMA_STATUS_DONE;
	dev->dma_done_count++;
	SLOG(DEBUG, "DMA copied %" PRIu32 " bytes 0x%" PRIx64 " -> 0x%" PRIx64, len, src, dst);

	ret = rte_vfio_user_irq_trigger(dev->srv, RTE_VFIO_USER_IRQ_MSIX, vec);
	if (ret == -ENOENT || ret == -EAGAIN)
		SLOG(DEBUG, "MSI-X vector %" PRIu32 " %s", vec,
		     ret == -ENOENT ? "has no eventfd" : "masked, pending");
	else if (ret != 0)
		SLOG(WARNING, "MSI-X vector %" PRIu32 " not raised: %s", vec, strerror(-ret));
	return;

error:
	dev->dma_status = DMA_STATUS_ERROR;
	dev->dma_err_count++;
}

static uint64_t
bar0_reg_get(const struct sample_dev *dev, uint32_t off)
{
	switch (off) {
	case REG_ID:
		return SAMPLE_ID;
	case REG_VERSION:
		return SAMPLE_VERSION;
	case REG_SCRATCH:
		return dev->scratch;
	case REG_DMA_SRC:
		return dev->dma_src;
	case REG_DMA_DST:
		return dev->dma_dst;
	case REG_DMA_LEN:
		return dev->dma_len;
	case REG_DMA_VECTOR:
		return dev->dma_vector;
	case REG_DMA_STATUS:
		return dev->dma_status;
	case REG_DMA_DONE_COUNT:
		return dev->dma_done_count;
	case REG_DMA_ERR_COUNT:
		return dev->dma_err_count;
	default: /* DMA_CMD reads 0 */
		return 0;
	}
}

static void
bar0_reg_set(struct sample_dev *dev, uint32_t off, uint64_t val)
{
	switch (off) {
	case REG_SCRATCH:
		dev->scratch = (uint32_t)val;
		break;
	case REG_DMA_SRC:
		dev->dma_src = val;
		break;
	case REG_DMA_DST:
		dev->dma_dst = val;
		break;
	case REG_DMA_LEN:
		dev->dma_len = (uint32_t)val;
		break;
	case REG_DMA_VECTOR:
		dev->dma_vector = (uint32_t)val;
		break;
	case REG_DMA_CMD:
		if (val & DMA_CMD_START)
			dma_start(dev);
		break;
	default:
		break;
	}
}

static const struct sample_reg *
bar0_reg_find(uint64_t offset)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(sample_regs); i++)
		if (offset >= sample_regs[i].off &&
		    offset < sample_regs[i].off + sample_regs[i].size)
			return &sample_regs[i];
	return NULL;
}

/*
 * Trapped BAR0 access: 1, 2, 4 or 8 bytes, naturally aligned and inside
 * one register (or inside unimplemented space, which reads 0 and ignores
 * writes). Data is little-endian whatever the host's byte order.
 */
static int
bar0_access(void *arg, uint64_t offset, void *buf, uint32_t count, bool write)
{
	struct sample_dev *dev = arg;
	const struct sample_reg *reg;
	uint8_t *bytes = buf;
	uint64_t val, mask;
	uint32_t shift, i;

	if ((count != 1 && count != 2 && count != 4 && count != 8) || (offset & (count - 1)) != 0 ||
	    offset + count > BAR0_SIZE) {
		SLOG(DEBUG, "BAR0 %s of %" PRIu32 " bytes at 0x%" PRIx64 " refused",
		     write ? "write" : "read", count, offset);
		return -EINVAL;
	}
	reg = bar0_reg_find(offset);
	if (reg == NULL) {
		/* No register starts inside the access either? */
		for (i = 1; i < count; i++)
			if (bar0_reg_find(offset + i) != NULL)
				return -EINVAL;
		if (!write)
			memset(buf, 0, count);
		return 0;
	}
	if (offset + count > (uint64_t)reg->off + reg->size)
		return -EINVAL;

	shift = (uint32_t)(offset - reg->off) * 8;
	val = bar0_reg_get(dev, reg->off);
	if (!write) {
		for (i = 0; i < count; i++)
			bytes[i] = (uint8_t)(val >> (shift + 8 * i));
		return 0;
	}
	if (!reg->writable) {
		SLOG(DEBUG, "BAR0 write to read-only %s ignored", reg->name);
		return 0;
	}
	mask = count == 8 ? UINT64_MAX : ((UINT64_C(1) << (count * 8)) - 1);
	val &= ~(mask << shift);
	for (i = 0; i < count; i++)
		val |= (uint64_t)bytes[i] << (shift + 8 * i);
	bar0_reg_set(dev, reg->off, val);
	return 0;
}

/* ------------------------------------------------------------ BAR2, BAR4 */

/*
 * Trapped BAR2 access: anywhere in the BAR (also inside the sparse area,
 * for a client that reads it through messages), from the same memory the
 * client mmaps, so both views agree. The library checked the bounds.
 */
static int
bar2_access(void *arg, uint64_t offset, void *buf, uint32_t count, bool write)
{
	struct sample_dev *dev = arg;

	if (offset >= BAR2_SIZE || count > BAR2_SIZE - offset)
		return -EINVAL;
	if (write)
		memcpy(dev->bar2 + offset, buf, count);
	else
		memcpy(buf, dev->bar2 + offset, count);
	return 0;
}

/* BAR4: the MSI-X table keeps what was written; the PBA reads 0. */
static int
bar4_access(void *arg, uint64_t offset, void *buf, uint32_t count, bool write)
{
	struct sample_dev *dev = arg;
	uint8_t *bytes = buf;
	uint32_t i;

	if (offset >= BAR4_SIZE || count > BAR4_SIZE - offset)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		uint64_t o = offset + i;

		if (o >= MSIX_PBA_OFF) {
			if (!write)
				bytes[i] = 0;
		} else if (write) {
			dev->msix[o] = bytes[i];
		} else {
			bytes[i] = dev->msix[o];
		}
	}
	return 0;
}

/* -------------------------------------------------------------- callbacks */

static void bar2_memory_renew(struct sample_dev *dev);

static void
on_connected(void *arg)
{
	struct sample_dev *dev = arg;

	SLOG(INFO, "client connected on %s", rte_vfio_user_server_path(dev->srv));
}

static void
on_disconnected(void *arg)
{
	struct sample_dev *dev = arg;

	SLOG(INFO,
	     "client disconnected (%" PRIu32 " copies done, %" PRIu32
	     " refused); waiting for the next one",
	     dev->dma_done_count, dev->dma_err_count);
	/* Power-on state for the next client (the library resets config space). */
	bar0_reset(dev);
	msix_reset(dev);
	bar2_memory_renew(dev);
}

static int
on_reset(void *arg, enum rte_vfio_user_reset_reason reason)
{
	struct sample_dev *dev = arg;

	SLOG(INFO, "device reset (%s)",
	     reason == RTE_VFIO_USER_RESET_FLR ? "function-level reset" : "DEVICE_RESET request");
	bar0_reset(dev);
	msix_reset(dev);
	return 0;
}

static void
on_irq_change(void *arg, uint32_t index)
{
	struct sample_dev *dev = arg;
	static const char *const names[RTE_VFIO_USER_NUM_IRQS] = {
		"INTx", "MSI", "MSI-X", "ERR", "REQ",
	};

	if (index >= RTE_VFIO_USER_NUM_IRQS)
		SLOG(INFO, "IRQ index %" PRIu32 " changed", index);
	else if (index == RTE_VFIO_USER_IRQ_MSIX)
		SLOG(INFO, "IRQ %s changed: vector 0 %s", names[index],
		     rte_vfio_user_irq_enabled(dev->srv, index, 0) ? "enabled" : "disabled");
	else
		SLOG(INFO, "IRQ %s changed", names[index]);
}

static const struct rte_vfio_user_server_ops sample_ops = {
	.connected = on_connected,
	.disconnected = on_disconnected,
	.reset = on_reset,
	.irq_change = on_irq_change,
};

/* ------------------------------------------------------------------ setup */

static int
sample_setup(struct sample_dev *dev)
{
	struct rte_vfio_user_region_conf rc;
	int ret;

	memset(&rc, 0, sizeof(rc));
	rc.size = BAR0_SIZE;
	rc.flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	rc.access = bar0_access;
	rc.arg = dev;
	rc.fd = -1;
	ret = rte_vfio_user_server_set_region(dev->srv, RTE_VFIO_USER_REGION_BAR0, &rc);
	if (ret != 0) {
		SLOG(ERR, "BAR0: %s", strerror(-ret));
		return ret;
	}

	memset(&rc, 0, sizeof(rc));
	rc.size = BAR2_SIZE;
	rc.flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	rc.access = bar2_access;
	rc.arg = dev;
	rc.fd = dev->bar2_fd;
	rc.fd_offset = 0;
	rc.nr_sparse = 1;
	rc.sparse[0].offset = BAR2_SPARSE_OFF;
	rc.sparse[0].size = BAR2_SPARSE_SIZE;
	ret = rte_vfio_user_server_set_region(dev->srv, RTE_VFIO_USER_REGION_BAR2, &rc);
	if (ret != 0) {
		SLOG(ERR, "BAR2: %s", strerror(-ret));
		return ret;
	}

	memset(&rc, 0, sizeof(rc));
	rc.size = BAR4_SIZE;
	rc.flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	rc.access = bar4_access;
	rc.arg = dev;
	rc.fd = -1;
	ret = rte_vfio_user_server_set_region(dev->srv, RTE_VFIO_USER_REGION_BAR4, &rc);
	if (ret != 0) {
		SLOG(ERR, "BAR4: %s", strerror(-ret));
		return ret;
	}

	ret = rte_vfio_user_pci_exp_cap_add(dev->srv, NULL);
	if (ret != 0) {
		SLOG(ERR, "PCI Express capability: %s", strerror(-ret));
		return ret;
	}
	ret = rte_vfio_user_pci_msix_cap_add(dev->srv, RTE_VFIO_USER_REGION_BAR4, MSIX_TABLE_OFF,
					     RTE_VFIO_USER_REGION_BAR4, MSIX_PBA_OFF, NULL);
	if (ret != 0) {
		SLOG(ERR, "MSI-X capability: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * New BAR2 memory: a memfd the server can seal (it seals every region fd it
 * hands out against shrinking and growing), mapped here, zeroed.
 */
static int
bar2_memory_new(int *fdp, uint8_t **memp)
{
	void *p;
	int fd, ret;

	fd = memfd_create("vfio_user_sample_bar2", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		ret = -errno;
		SLOG(ERR, "memfd_create: %s", strerror(errno));
		return ret;
	}
	if (ftruncate(fd, BAR2_SIZE) != 0) {
		ret = -errno;
		SLOG(ERR, "ftruncate: %s", strerror(errno));
		close(fd);
		return ret;
	}
	p = mmap(NULL, BAR2_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		ret = -errno;
		SLOG(ERR, "mmap: %s", strerror(errno));
		close(fd);
		return ret;
	}
	*fdp = fd;
	*memp = p;
	return 0;
}

static int
bar2_memory_create(struct sample_dev *dev)
{
	return bar2_memory_new(&dev->bar2_fd, &dev->bar2);
}

/*
 * A fresh BAR2 memory object for the next client: a departed client that
 * kept its mapping of the old one reaches nothing the device or the next
 * client uses. Should that fail, the old memory is zeroed and kept (logged).
 * Control thread (disconnected callback), like every BAR2 access.
 */
static void
bar2_memory_renew(struct sample_dev *dev)
{
	uint8_t *mem;
	int fd, ret;

	ret = bar2_memory_new(&fd, &mem);
	if (ret == 0) {
		ret = rte_vfio_user_server_set_region_fd(dev->srv, RTE_VFIO_USER_REGION_BAR2, fd);
		if (ret != 0) {
			SLOG(ERR, "new BAR2 memory: %s", strerror(-ret));
			munmap(mem, BAR2_SIZE);
			close(fd);
		}
	}
	if (ret != 0) {
		SLOG(ERR,
		     "BAR2 memory of the previous client kept (zeroed): a client that kept "
		     "its mapping can still write it");
		memset(dev->bar2, 0, BAR2_SIZE);
		return;
	}
	munmap(dev->bar2, BAR2_SIZE);
	close(dev->bar2_fd);
	dev->bar2 = mem;
	dev->bar2_fd = fd;
}

static void
sample_free(struct sample_dev *dev)
{
	if (dev->bar2 != NULL)
		munmap(dev->bar2, BAR2_SIZE);
	if (dev->bar2_fd >= 0)
		close(dev->bar2_fd);
	free(dev->bounce);
	free(dev);
}

/* ------------------------------------------------------------------- main */

static void
usage(const char *prgname)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- --socket PATH [--vectors N] "
		"[--trust-client-memory]\n"
		"  --socket PATH   UNIX socket to serve the device on\n"
		"  --vectors N     MSI-X vectors, 1..%u (default %u)\n"
		"  --trust-client-memory\n"
		"                  accept DMA memory not sealed against shrinking\n"
		"                  (trust clients not to truncate it)\n"
		"  --help          this text\n",
		prgname, MAX_VECTORS, DEFAULT_VECTORS);
}

/* @return 0, 1 for --help, -1 on a bad command line. */
static int
parse_args(int argc, char **argv, const char **socket_path, uint32_t *vectors, bool *trust)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"vectors", required_argument, NULL, 'v'},
		{"trust-client-memory", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long n;
	char *end;
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
		case 'v':
			errno = 0;
			n = strtoul(optarg, &end, 0);
			if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' ||
			    n < 1 || n > MAX_VECTORS) {
				fprintf(stderr, "--vectors: '%s' is not a number in 1..%u\n",
					optarg, MAX_VECTORS);
				return -1;
			}
			*vectors = (uint32_t)n;
			break;
		case 't':
			*trust = true;
			break;
		case 'h':
			return 1;
		default: /* getopt printed the reason */
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
	struct rte_vfio_user_server_conf conf;
	struct sample_dev *dev = NULL;
	const char *socket_path = NULL;
	uint32_t vectors = DEFAULT_VECTORS;
	bool trust = false;
	const char *prgname = argv[0];
	struct sigaction sa;
	int ret, rc = EXIT_FAILURE;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		usage(prgname);
		return EXIT_FAILURE;
	}
	argc -= ret;
	argv += ret;

	ret = parse_args(argc, argv, &socket_path, &vectors, &trust);
	if (ret != 0) {
		usage(prgname);
		rte_eal_cleanup();
		return ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = signal_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		SLOG(ERR, "out of memory");
		goto out;
	}
	dev->bar2_fd = -1;
	dev->nr_vectors = vectors;
	dev->bounce = malloc(DMA_MAX_LEN);
	if (dev->bounce == NULL) {
		SLOG(ERR, "out of memory");
		goto out;
	}
	bar0_reset(dev);
	msix_reset(dev);
	if (bar2_memory_create(dev) != 0)
		goto out;

	memset(&conf, 0, sizeof(conf));
	conf.path = socket_path;
	conf.socket_mode = 0600;
	conf.pci_id.vendor_id = SAMPLE_VENDOR_ID;
	conf.pci_id.device_id = SAMPLE_DEVICE_ID;
	conf.pci_id.subsys_vendor_id = SAMPLE_SUBSYS_VENDOR_ID;
	conf.pci_id.subsys_id = SAMPLE_SUBSYS_ID;
	conf.pci_id.revision = SAMPLE_REVISION;
	conf.pci_id.class_code = SAMPLE_CLASS;
	conf.irq_count[RTE_VFIO_USER_IRQ_INTX] = 1;
	conf.irq_count[RTE_VFIO_USER_IRQ_MSI] = 0;
	conf.irq_count[RTE_VFIO_USER_IRQ_MSIX] = vectors;
	conf.irq_count[RTE_VFIO_USER_IRQ_ERR] = 1;
	conf.irq_count[RTE_VFIO_USER_IRQ_REQ] = 1;
	conf.ops = &sample_ops;
	conf.arg = dev;
	if (trust) {
		conf.flags |= RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY;
		SLOG(WARNING,
		     "--trust-client-memory: DMA memory that is not sealed against "
		     "shrinking is accepted");
	}

	dev->srv = rte_vfio_user_server_create(&conf);
	if (dev->srv == NULL) {
		SLOG(ERR, "cannot create the server on %s: %s", socket_path,
		     rte_strerror(rte_errno));
		goto out;
	}
	if (sample_setup(dev) != 0)
		goto out;
	ret = rte_vfio_user_server_start(dev->srv);
	if (ret != 0) {
		SLOG(ERR, "cannot serve %s: %s", socket_path, strerror(-ret));
		goto out;
	}

	printf("vfio_user_sample: device %04x:%04x with %" PRIu32 " MSI-X vectors ready on %s\n",
	       SAMPLE_VENDOR_ID, SAMPLE_DEVICE_ID, vectors, rte_vfio_user_server_path(dev->srv));
	fflush(stdout);

	while (quit_signal == 0) {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
	SLOG(INFO, "signal %d: stopping", (int)quit_signal);
	rc = EXIT_SUCCESS;

out:
	if (dev != NULL) {
		if (dev->srv != NULL)
			rte_vfio_user_server_destroy(dev->srv);
		sample_free(dev);
	}
	rte_eal_cleanup();
	return rc;
}
