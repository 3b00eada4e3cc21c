/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user server: migration (VFIO migration v2 over vfio-user) and DMA
 * logging.
 *
 * The state machine: a requested state is reached through the arcs of
 * VFIO's graph (the shortest path, saving states never interior, as
 * Linux's vfio_mig_get_next_state()); an unreachable one is refused before
 * any arc is taken. A failed arc leaves the device in ERROR, which only a
 * reset leaves.
 *
 * The data stream of the device, read in STOP_COPY and written in RESUMING:
 *
 *   0  u32 magic VFIO_USER_MIG_MAGIC
 *   4  u16 format major (VFIO_USER_MIG_MAJOR; another one is refused)
 *   6  u16 format minor (a newer one may only add header bytes)
 *   8  u32 header length (>= 32)
 *  12  u32 flags (0)
 *  16  u64 length of the whole stream, CRC included
 *  24  u32 configuration space bytes (4096)
 *  28  u32 device bytes
 *  hdr the configuration space
 *      u32 IRQ indices (5), u32 vectors of each, one byte per vector
 *      (bit 0 masked, bit 1 pending)
 *      the device's bytes (rte_vfio_user_mig_ops::save)
 *      u32 CRC-32C of everything before
 *
 * On load, everything is checked before anything is applied: the CRC, the
 * layout, the IRQ counts and the read-only bytes of the configuration
 * space (identity, capabilities, BAR types) must be this device's.
 *
 * The dirty log is published with a release store and read without a lock:
 * marking is an atomic OR on the page's word (skipped when already set),
 * a report an atomic AND taking the bits it returns.
 *
 * Every migration message is refused (ENOTSUP) unless the device has
 * mig_ops and this connection's VERSION reply offered "migration"; the
 * logging ones also unless the device has a dma_logging callback (nothing
 * else would mark the log: a report would miss the device's writes).
 *
 * The streams and the dirty logs of every server are charged to one
 * process-wide budget (rte_vfio_user_mig_mem_limit_set()), so that many
 * clients, hostile ones included, cannot make the process allocate 32 MiB
 * each.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>

#include "vfio_user_server_internal.h"

#define VFIO_USER_MIG_MAGIC 0x474d5556u /* "VUMG" */
#define VFIO_USER_MIG_MAJOR 1
#define VFIO_USER_MIG_MINOR 0
#define VFIO_USER_MIG_HDR_SIZE 32u
#define VFIO_USER_MIG_CRC_SIZE 4u
/* DMA logging page sizes accepted (offered as the migration pgsize). */
#define VFIO_USER_SRV_MIG_PGSIZES 4096ull

#define MIG_ERROR RTE_VFIO_USER_MIG_STATE_ERROR
#define MIG_STOP RTE_VFIO_USER_MIG_STATE_STOP
#define MIG_RUNNING RTE_VFIO_USER_MIG_STATE_RUNNING
#define MIG_STOP_COPY RTE_VFIO_USER_MIG_STATE_STOP_COPY
#define MIG_RESUMING RTE_VFIO_USER_MIG_STATE_RESUMING
#define MIG_PRE_COPY RTE_VFIO_USER_MIG_STATE_PRE_COPY
#define MIG_NSTATES 7
#define MIG_INVALID 0xffu

/* ------------------------------------------------------------- CRC-32C */

/* CRC-32C (Castagnoli) of p: DPDK's, which uses the CPU's instruction when it has one. */
static uint32_t
vfio_user_crc32c(const uint8_t *p, size_t len)
{
	return ~rte_hash_crc(p, (uint32_t)len, 0xffffffffu);
}

/* --------------------------------------------------------- field access */

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void
put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

/* ------------------------------------------------------- configuration */

int
vfio_user_mig_conf_check(const struct rte_vfio_user_mig_ops *ops)
{
	if (ops == NULL)
		return 0;
	if (ops->state_change == NULL || ops->state_size == NULL || ops->save == NULL ||
	    ops->load == NULL) {
		VFIO_USER_LOG(ERR, "mig_ops needs state_change, state_size, save and load");
		return -EINVAL;
	}
	if (!(ops->flags & RTE_VFIO_USER_MIG_F_STOP_COPY) ||
	    (ops->flags & ~(RTE_VFIO_USER_MIG_F_STOP_COPY | RTE_VFIO_USER_MIG_F_PRE_COPY))) {
		VFIO_USER_LOG(ERR, "mig_ops flags 0x%x: STOP_COPY, optionally PRE_COPY",
			      ops->flags);
		return -EINVAL;
	}
	return 0;
}

const char *
rte_vfio_user_mig_state_name(enum rte_vfio_user_mig_state state)
{
	switch (state) {
	case MIG_ERROR:
		return "ERROR";
	case MIG_STOP:
		return "STOP";
	case MIG_RUNNING:
		return "RUNNING";
	case MIG_STOP_COPY:
		return "STOP_COPY";
	case MIG_RESUMING:
		return "RESUMING";
	case MIG_PRE_COPY:
		return "PRE_COPY";
	}
	return "?";
}

static const char *
mig_state_name(uint32_t s)
{
	return rte_vfio_user_mig_state_name((enum rte_vfio_user_mig_state)s);
}

enum rte_vfio_user_mig_state
rte_vfio_user_mig_state(const struct rte_vfio_user_server *srv)
{
	if (srv == NULL)
		return MIG_RUNNING;
	return (enum rte_vfio_user_mig_state)__atomic_load_n(&srv->mig.state, __ATOMIC_ACQUIRE);
}

static void
mig_state_store(struct rte_vfio_user_server *srv, uint32_t s)
{
	__atomic_store_n(&srv->mig.state, s, __ATOMIC_RELEASE);
	rte_spinlock_lock(&srv->info_lock);
	srv->info.mig_state = s;
	rte_spinlock_unlock(&srv->info_lock);
}

/* ------------------------------------------------ the memory budget */

static size_t mig_mem_limit = RTE_VFIO_USER_MIG_MEM_LIMIT_DEFAULT; /* atomic */
static size_t mig_mem_used; /* atomic: bytes charged, every server together */

void
rte_vfio_user_mig_mem_limit_set(size_t bytes)
{
	__atomic_store_n(&mig_mem_limit, bytes, __ATOMIC_RELAXED);
	VFIO_USER_LOG(INFO, "migration memory budget: %zu bytes (%zu in use)", bytes,
		      __atomic_load_n(&mig_mem_used, __ATOMIC_RELAXED));
}

size_t
rte_vfio_user_mig_mem_limit_get(void)
{
	return __atomic_load_n(&mig_mem_limit, __ATOMIC_RELAXED);
}

size_t
rte_vfio_user_mig_mem_used(void)
{
	return __atomic_load_n(&mig_mem_used, __ATOMIC_RELAXED);
}

/*
 * Charge n bytes of what to the budget.
 * @return 0, or -ENOMEM (logged, at WARNING once per connection) beyond it.
 */
static int
mig_mem_charge(struct rte_vfio_user_server *srv, size_t n, const char *what)
{
	size_t used = __atomic_load_n(&mig_mem_used, __ATOMIC_RELAXED), limit;

	do {
		limit = __atomic_load_n(&mig_mem_limit, __ATOMIC_RELAXED);
		if (n > limit || used > limit - n) {
			VFIO_USER_LOG_REFUSED(srv, VFIO_USER_REFUSED_MIG_MEM,
					      "%s of %zu bytes refused: beyond the migration memory"
					      " budget (%zu of %zu bytes in use by every server,"
					      " rte_vfio_user_mig_mem_limit_set())",
					      what, n, used, limit);
			return -ENOMEM;
		}
	} while (!__atomic_compare_exchange_n(&mig_mem_used, &used, used + n, true,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return 0;
}

static void
mig_mem_uncharge(size_t n)
{
	if (n > 0)
		__atomic_fetch_sub(&mig_mem_used, n, __ATOMIC_RELAXED);
}

static void
mig_data_free(struct vfio_user_mig *m)
{
	mig_mem_uncharge(m->cap);
	free(m->data);
	m->data = NULL;
	m->len = 0;
	m->cap = 0;
	m->off = 0;
}

/*
 * A reset (DEVICE_RESET, FLR after its reset callback succeeded) passes
 * logging = false, on purpose: the device runs again (as Linux's vfio-pci
 * migration drivers move a reset device to RUNNING) and its stream is
 * dropped, but DMA logging is about guest memory, not the device's state:
 * a guest may reset its device during the pre-copy phase, and stopping
 * the log then would make the next report miss the pages the device
 * writes after the reset, and the client would not know (its START is
 * still in force). Only DMA_LOGGING_STOP and the client's disconnection
 * (logging = true) stop it.
 */
void
vfio_user_mig_reset(struct rte_vfio_user_server *srv, bool logging)
{
	if (logging)
		vfio_user_dlog_stop(srv);
	if (srv->mig.ops == NULL)
		return;
	if (srv->mig.state != MIG_RUNNING)
		VFIO_USER_LOG(INFO, "%s: migration state %s -> RUNNING (reset)", srv->path,
			      mig_state_name(srv->mig.state));
	mig_data_free(&srv->mig);
	mig_state_store(srv, MIG_RUNNING);
}

/* ------------------------------------------------------- state machine */

/*
 * next[from][to]: the first arc towards to (MIG_INVALID: unreachable).
 * Without PRE_COPY its row and column are not used (refused first).
 */
static const uint8_t mig_next[MIG_NSTATES][MIG_NSTATES] = {
	[MIG_STOP] =
		{
			[MIG_STOP] = MIG_STOP,
			[MIG_RUNNING] = MIG_RUNNING,
			[MIG_STOP_COPY] = MIG_STOP_COPY,
			[MIG_RESUMING] = MIG_RESUMING,
			[MIG_PRE_COPY] = MIG_RUNNING,
			[MIG_ERROR] = MIG_INVALID,
			[5] = MIG_INVALID,
		},
	[MIG_RUNNING] =
		{
			[MIG_STOP] = MIG_STOP,
			[MIG_RUNNING] = MIG_RUNNING,
			[MIG_STOP_COPY] = MIG_STOP,
			[MIG_RESUMING] = MIG_STOP,
			[MIG_PRE_COPY] = MIG_PRE_COPY,
			[MIG_ERROR] = MIG_INVALID,
			[5] = MIG_INVALID,
		},
	[MIG_STOP_COPY] =
		{
			[MIG_STOP] = MIG_STOP,
			[MIG_RUNNING] = MIG_STOP,
			[MIG_STOP_COPY] = MIG_STOP_COPY,
			[MIG_RESUMING] = MIG_STOP,
			[MIG_PRE_COPY] = MIG_INVALID,
			[MIG_ERROR] = MIG_INVALID,
			[5] = MIG_INVALID,
		},
	[MIG_RESUMING] =
		{
			[MIG_STOP] = MIG_STOP,
			[MIG_RUNNING] = MIG_STOP,
			[MIG_STOP_COPY] = MIG_STOP,
			[MIG_RESUMING] = MIG_RESUMING,
			[MIG_PRE_COPY] = MIG_STOP,
			[MIG_ERROR] = MIG_INVALID,
			[5] = MIG_INVALID,
		},
	[MIG_PRE_COPY] =
		{
			[MIG_STOP] = MIG_RUNNING,
			[MIG_RUNNING] = MIG_RUNNING,
			[MIG_STOP_COPY] = MIG_STOP_COPY,
			[MIG_RESUMING] = MIG_RUNNING,
			[MIG_PRE_COPY] = MIG_PRE_COPY,
			[MIG_ERROR] = MIG_INVALID,
			[5] = MIG_INVALID,
		},
	[MIG_ERROR] =
		{
			[0 ... MIG_NSTATES - 1] = MIG_INVALID,
		},
	[5] =
		{
			[0 ... MIG_NSTATES - 1] = MIG_INVALID,
		},
};

/* Per vector: bit 0 masked, bit 1 pending. */
#define MIG_IRQ_MASKED 0x1u
#define MIG_IRQ_PENDING 0x2u

static size_t
mig_irq_bytes(const struct rte_vfio_user_server *srv)
{
	size_t n = 4 + 4 * RTE_VFIO_USER_NUM_IRQS;
	unsigned int i;

	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++)
		n += srv->irq_count[i];
	return n;
}

/* Build the stream after the arc into STOP_COPY. */
static int
mig_save(struct rte_vfio_user_server *srv)
{
	struct vfio_user_mig *m = &srv->mig;
	size_t fixed, dev_max, total;
	unsigned int i;
	uint32_t v;
	uint8_t *p, *q;
	ssize_t n;
	int ret;

	fixed = VFIO_USER_MIG_HDR_SIZE + VFIO_USER_PCI_CFG_SIZE + mig_irq_bytes(srv) +
		VFIO_USER_MIG_CRC_SIZE;
	dev_max = m->ops->state_size(srv->arg);
	if (dev_max > RTE_VFIO_USER_MIG_MAX_DATA - fixed) {
		VFIO_USER_LOG(ERR, "%s: device state of %zu bytes: at most %zu", srv->path, dev_max,
			      (size_t)RTE_VFIO_USER_MIG_MAX_DATA - fixed);
		return -E2BIG;
	}
	mig_data_free(m);
	ret = mig_mem_charge(srv, fixed + dev_max, "migration data");
	if (ret < 0)
		return ret;
	p = malloc(fixed + dev_max);
	if (p == NULL) {
		mig_mem_uncharge(fixed + dev_max);
		return -ENOMEM;
	}
	/* The stream's from now on: freed (and uncharged) by mig_data_free(). */
	m->data = p;
	m->len = 0;
	m->cap = fixed + dev_max;
	m->off = 0;
	q = p + VFIO_USER_MIG_HDR_SIZE;
	pthread_mutex_lock(&srv->pci_lock);
	memcpy(q, srv->pci.cfg, VFIO_USER_PCI_CFG_SIZE);
	pthread_mutex_unlock(&srv->pci_lock);
	q += VFIO_USER_PCI_CFG_SIZE;
	put32(q, RTE_VFIO_USER_NUM_IRQS);
	q += 4;
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++, q += 4)
		put32(q, srv->irq_count[i]);
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++) {
		struct vfio_user_irq *irq = &srv->irqs[i];

		rte_spinlock_lock(&irq->lock);
		for (v = 0; v < srv->irq_count[i]; v++)
			*q++ = (uint8_t)((irq->masked[v] ? MIG_IRQ_MASKED : 0) |
					 (irq->pending[v] ? MIG_IRQ_PENDING : 0));
		rte_spinlock_unlock(&irq->lock);
	}
	n = m->ops->save(srv->arg, q, dev_max);
	if (n < 0 || (size_t)n > dev_max) {
		VFIO_USER_LOG(ERR, "%s: device save: %zd (of at most %zu bytes)", srv->path, n,
			      dev_max);
		mig_data_free(m);
		return n < 0 ? (int)n : -EIO;
	}
	total = fixed + (size_t)n;
	put32(p, VFIO_USER_MIG_MAGIC);
	put16(p + 4, VFIO_USER_MIG_MAJOR);
	put16(p + 6, VFIO_USER_MIG_MINOR);
	put32(p + 8, VFIO_USER_MIG_HDR_SIZE);
	put32(p + 12, 0);
	put64(p + 16, total);
	put32(p + 24, VFIO_USER_PCI_CFG_SIZE);
	put32(p + 28, (uint32_t)n);
	put32(p + total - VFIO_USER_MIG_CRC_SIZE,
	      vfio_user_crc32c(p, total - VFIO_USER_MIG_CRC_SIZE));
	m->len = total;
	VFIO_USER_LOG(INFO, "%s: migration data: %zu bytes (device %zd)", srv->path, total, n);
	return 0;
}

/* Check the received stream and load it (before RESUMING->STOP). */
static int
mig_load(struct rte_vfio_user_server *srv)
{
	struct vfio_user_mig *m = &srv->mig;
	uint8_t old_cfg[VFIO_USER_PCI_CFG_SIZE];
	const uint8_t *p = m->data, *cfg, *irqb, *dev;
	uint64_t need, hdr_len, dev_len;
	size_t len = m->len;
	unsigned int i, k;
	uint32_t v;
	int ret;

	if (len == 0)
		return 0; /* nothing written: an aborted resume, state kept */
	if (len < VFIO_USER_MIG_HDR_SIZE + VFIO_USER_MIG_CRC_SIZE) {
		VFIO_USER_LOG(ERR, "%s: migration data truncated (%zu bytes)", srv->path, len);
		return -EINVAL;
	}
	if (get32(p) != VFIO_USER_MIG_MAGIC) {
		VFIO_USER_LOG(ERR, "%s: migration data: bad magic 0x%08x", srv->path, get32(p));
		return -EINVAL;
	}
	if ((p[4] | (p[5] << 8)) != VFIO_USER_MIG_MAJOR) {
		VFIO_USER_LOG(ERR, "%s: migration data format %u.%u: only %u.x", srv->path,
			      p[4] | (p[5] << 8), p[6] | (p[7] << 8), VFIO_USER_MIG_MAJOR);
		return -EPROTONOSUPPORT;
	}
	hdr_len = get32(p + 8);
	if (get64(p + 16) != len || get32(p + 12) != 0 || hdr_len < VFIO_USER_MIG_HDR_SIZE ||
	    hdr_len > len) {
		VFIO_USER_LOG(ERR, "%s: migration data: bad header (length %" PRIu64 " for %zu)",
			      srv->path, get64(p + 16), len);
		return -EINVAL;
	}
	if (get32(p + len - VFIO_USER_MIG_CRC_SIZE) !=
	    vfio_user_crc32c(p, len - VFIO_USER_MIG_CRC_SIZE)) {
		VFIO_USER_LOG(ERR, "%s: migration data: bad CRC", srv->path);
		return -EINVAL;
	}
	dev_len = get32(p + 28);
	need = hdr_len + VFIO_USER_PCI_CFG_SIZE + mig_irq_bytes(srv) + dev_len +
		VFIO_USER_MIG_CRC_SIZE;
	if (get32(p + 24) != VFIO_USER_PCI_CFG_SIZE || need != len) {
		VFIO_USER_LOG(ERR, "%s: migration data: bad layout", srv->path);
		return -EINVAL;
	}
	cfg = p + hdr_len;
	irqb = cfg + VFIO_USER_PCI_CFG_SIZE;
	if (get32(irqb) != RTE_VFIO_USER_NUM_IRQS)
		goto foreign;
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++)
		if (get32(irqb + 4 + 4 * i) != srv->irq_count[i])
			goto foreign;
	irqb += 4 + 4 * RTE_VFIO_USER_NUM_IRQS;
	dev = irqb;
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++)
		for (v = 0; v < srv->irq_count[i]; v++, dev++)
			if (*dev & ~(MIG_IRQ_MASKED | MIG_IRQ_PENDING))
				goto bad;

	/* Apply the configuration space (its writable bits), then the device. */
	pthread_mutex_lock(&srv->pci_lock);
	for (k = 0; k < VFIO_USER_PCI_CFG_SIZE; k++) {
		uint8_t ro = (uint8_t) ~(srv->pci.wmask[k] | srv->pci.w1cmask[k]);

		if ((cfg[k] ^ srv->pci.cfg[k]) & ro) {
			pthread_mutex_unlock(&srv->pci_lock);
			VFIO_USER_LOG(ERR,
				      "%s: migration data of another device (config byte 0x%x:"
				      " 0x%02x, here 0x%02x)",
				      srv->path, k, cfg[k], srv->pci.cfg[k]);
			return -EINVAL;
		}
	}
	memcpy(old_cfg, srv->pci.cfg, sizeof(old_cfg));
	memcpy(srv->pci.cfg, cfg, VFIO_USER_PCI_CFG_SIZE);
	pthread_mutex_unlock(&srv->pci_lock);

	ret = m->ops->load(srv->arg, dev, (size_t)dev_len);
	if (ret < 0) {
		VFIO_USER_LOG(ERR, "%s: device refused its migration data: %s", srv->path,
			      strerror(-ret));
		pthread_mutex_lock(&srv->pci_lock);
		memcpy(srv->pci.cfg, old_cfg, sizeof(old_cfg));
		pthread_mutex_unlock(&srv->pci_lock);
		return ret;
	}
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++) {
		struct vfio_user_irq *irq = &srv->irqs[i];

		rte_spinlock_lock(&irq->lock);
		for (v = 0; v < srv->irq_count[i]; v++, irqb++) {
			irq->masked[v] = (*irqb & MIG_IRQ_MASKED) != 0;
			irq->pending[v] = (*irqb & MIG_IRQ_PENDING) != 0;
		}
		rte_spinlock_unlock(&irq->lock);
	}
	/* The device learns what changed under it, as after client accesses. */
	if (srv->ops.cfg_write != NULL)
		srv->ops.cfg_write(srv->arg, 0, VFIO_USER_PCI_CFG_SIZE);
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++)
		if (srv->irq_count[i] > 0 && srv->ops.irq_change != NULL)
			srv->ops.irq_change(srv->arg, i);
	VFIO_USER_LOG(INFO, "%s: migration data loaded (%zu bytes, device %" PRIu64 ")", srv->path,
		      len, dev_len);
	return 0;

foreign:
	VFIO_USER_LOG(ERR, "%s: migration data of another device (IRQ counts)", srv->path);
	return -EINVAL;
bad:
	VFIO_USER_LOG(ERR, "%s: migration data: bad IRQ state", srv->path);
	return -EINVAL;
}

/* Take one arc; on failure the device is in ERROR (or still RESUMING). */
static int
mig_arc(struct rte_vfio_user_server *srv, uint32_t from, uint32_t to)
{
	struct vfio_user_mig *m = &srv->mig;
	int ret;

	if (from == MIG_RESUMING) {
		ret = mig_load(srv);
		if (ret < 0) {
			/* Stays RESUMING, empty: the client may write again or reset. */
			mig_data_free(m);
			return ret;
		}
	}
	ret = m->ops->state_change(srv->arg, (enum rte_vfio_user_mig_state)from,
				   (enum rte_vfio_user_mig_state)to);
	if (ret < 0) {
		VFIO_USER_LOG(ERR, "%s: migration arc %s -> %s failed: %s: ERROR", srv->path,
			      mig_state_name(from), mig_state_name(to), strerror(-ret));
		mig_data_free(m);
		mig_state_store(srv, MIG_ERROR);
		return ret;
	}
	VFIO_USER_LOG(DEBUG, "%s: migration arc %s -> %s", srv->path, mig_state_name(from),
		      mig_state_name(to));
	mig_state_store(srv, to);
	if (to == MIG_STOP_COPY) {
		ret = mig_save(srv);
		if (ret < 0) {
			mig_data_free(m);
			mig_state_store(srv, MIG_ERROR);
			return ret;
		}
	} else {
		/* Leaving STOP_COPY or RESUMING, or entering RESUMING: empty. */
		mig_data_free(m);
	}
	return 0;
}

static int
mig_set_state(struct rte_vfio_user_server *srv, uint32_t target)
{
	uint32_t cur = srv->mig.state, s, n = 0;
	uint8_t path[MIG_NSTATES];
	bool pre = (srv->mig.ops->flags & RTE_VFIO_USER_MIG_F_PRE_COPY) != 0;
	unsigned int i;
	int ret;

	/* ERROR is never a target, and ERROR itself only a reset leaves. */
	if (target >= MIG_NSTATES || target == MIG_ERROR || (target == MIG_PRE_COPY && !pre)) {
		VFIO_USER_LOG(INFO, "%s: migration state %s -> %s refused", srv->path,
			      mig_state_name(cur), mig_state_name(target));
		return -EINVAL;
	}
	/* The whole path first: an unreachable target changes nothing. */
	for (s = cur; s != target; s = path[n++]) {
		if (n == RTE_DIM(path) || mig_next[s][target] == MIG_INVALID) {
			VFIO_USER_LOG(INFO, "%s: migration state %s -> %s refused", srv->path,
				      mig_state_name(cur), mig_state_name(target));
			return -EINVAL;
		}
		path[n] = mig_next[s][target];
	}
	for (i = 0; i < n; i++) {
		ret = mig_arc(srv, cur, path[i]);
		if (ret < 0)
			return ret;
		cur = path[i];
	}
	return 0;
}

/* ---------------------------------------------------------- dirty log */

static void
dlog_free(struct vfio_user_dlog *log)
{
	if (log == NULL)
		return;
	mig_mem_uncharge(log->charged);
	free(log->words);
	free(log);
}

/* Index of the first range ending after addr (log->nr if none). */
static uint32_t
dlog_find(const struct vfio_user_dlog *log, uint64_t addr)
{
	uint32_t lo = 0, hi = log->nr;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct vfio_user_dlog_range *r = &log->r[mid];

		if (r->iova + (r->length - 1) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
dlog_mark(const struct vfio_user_dlog *log, uint64_t iova, uint64_t len)
{
	uint64_t last = iova + (len - 1);
	uint32_t i;

	if (last < iova)
		last = UINT64_MAX;
	for (i = dlog_find(log, iova); i < log->nr && log->r[i].iova <= last; i++) {
		const struct vfio_user_dlog_range *r = &log->r[i];
		uint64_t lo = RTE_MAX(iova, r->iova) - r->iova;
		uint64_t hi = RTE_MIN(last, r->iova + (r->length - 1)) - r->iova;
		uint64_t b = lo >> log->page_shift, e = hi >> log->page_shift;

		while (b <= e) {
			uint64_t *w = &r->bits[b / 64];
			unsigned int sh = b % 64, cnt = (unsigned int)RTE_MIN(64 - sh, e - b + 1);
			uint64_t mask = (cnt == 64 ? UINT64_MAX : ((UINT64_C(1) << cnt) - 1)) << sh;

			if ((__atomic_load_n(w, __ATOMIC_RELAXED) & mask) != mask)
				__atomic_fetch_or(w, mask, __ATOMIC_RELAXED);
			b += cnt;
		}
	}
}

void
rte_vfio_user_dma_mark_dirty(struct rte_vfio_user_server *srv, uint64_t iova, uint64_t len)
{
	const struct vfio_user_dlog *log;

	if (unlikely(srv == NULL || len == 0))
		return;
	log = __atomic_load_n(&srv->dlog, __ATOMIC_ACQUIRE);
	if (likely(log == NULL))
		return;
	dlog_mark(log, iova, len);
}

bool
rte_vfio_user_dma_logging(const struct rte_vfio_user_server *srv)
{
	return srv != NULL && __atomic_load_n(&srv->dlog, __ATOMIC_ACQUIRE) != NULL;
}

static void
dlog_info(struct rte_vfio_user_server *srv, const struct vfio_user_dlog *log)
{
	rte_spinlock_lock(&srv->info_lock);
	srv->info.dma_logging = log != NULL;
	srv->info.dlog_page_size = log != NULL ? log->page_size : 0;
	srv->info.dlog_ranges = log != NULL ? log->nr : 0;
	rte_spinlock_unlock(&srv->info_lock);
}

void
vfio_user_dlog_stop(struct rte_vfio_user_server *srv)
{
	struct vfio_user_dlog *log = srv->dlog;

	if (log == NULL)
		return;
	/* Unpublished first; the device's threads stop marking before the call returns. */
	__atomic_store_n(&srv->dlog, NULL, __ATOMIC_RELEASE);
	if (srv->ops.dma_logging != NULL)
		srv->ops.dma_logging(srv->arg, false);
	dlog_info(srv, NULL);
	dlog_free(log);
	VFIO_USER_LOG(INFO, "%s: DMA logging stopped", srv->path);
}

static int
dlog_range_cmp(const void *a, const void *b)
{
	const struct vfio_user_dlog_range *x = a, *y = b;

	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

static int
dlog_start(struct rte_vfio_user_server *srv, const struct vfio_user_dma_logging_ctl *ctl)
{
	struct vfio_user_dlog *log;
	uint64_t words = 0, w;
	size_t charge;
	uint32_t i;
	int ret;

	if (srv->dlog != NULL)
		return -EBUSY;
	if (!(ctl->page_size & VFIO_USER_SRV_MIG_PGSIZES))
		return -EINVAL;
	log = calloc(1, sizeof(*log) + (size_t)ctl->num_ranges * sizeof(log->r[0]));
	if (log == NULL)
		return -ENOMEM;
	log->page_size = ctl->page_size;
	log->page_shift = (unsigned int)__builtin_ctzll(ctl->page_size);
	log->nr = ctl->num_ranges;
	for (i = 0; i < log->nr; i++)
		vfio_user_dma_logging_range(ctl, i, &log->r[i].iova, &log->r[i].length);
	qsort(log->r, log->nr, sizeof(log->r[0]), dlog_range_cmp);
	for (i = 0; i < log->nr; i++) {
		const struct vfio_user_dlog_range *r = &log->r[i];

		if (i > 0 && r->iova - log->r[i - 1].iova < log->r[i - 1].length) {
			VFIO_USER_LOG(INFO, "%s: DMA logging ranges overlap at 0x%" PRIx64,
				      srv->path, r->iova);
			dlog_free(log);
			return -EINVAL;
		}
		w = ((r->length >> log->page_shift) + 63) / 64;
		if (w > VFIO_USER_SRV_DLOG_MAX_BYTES / 8 ||
		    words + w > VFIO_USER_SRV_DLOG_MAX_BYTES / 8) {
			VFIO_USER_LOG(INFO, "%s: DMA logging: log beyond %u bytes", srv->path,
				      VFIO_USER_SRV_DLOG_MAX_BYTES);
			dlog_free(log);
			return -E2BIG;
		}
		words += w;
	}
	log->nr_words = words;
	/* The log's bits and its ranges: words is at most 2M, no overflow. */
	charge = sizeof(*log) + (size_t)log->nr * sizeof(log->r[0]) + words * 8;
	ret = mig_mem_charge(srv, charge, "DMA logging");
	if (ret < 0) {
		dlog_free(log);
		return ret;
	}
	log->charged = charge;
	log->words = calloc(words, sizeof(uint64_t));
	if (log->words == NULL) {
		dlog_free(log);
		return -ENOMEM;
	}
	for (i = 0, w = 0; i < log->nr; i++) {
		log->r[i].bits = log->words + w;
		w += ((log->r[i].length >> log->page_shift) + 63) / 64;
	}
	__atomic_store_n(&srv->dlog, log, __ATOMIC_RELEASE);
	dlog_info(srv, log);
	VFIO_USER_LOG(INFO, "%s: DMA logging started: %u ranges, page size %" PRIu64, srv->path,
		      log->nr, log->page_size);
	srv->ops.dma_logging(srv->arg, true); /* not NULL: checked first */
	return 0;
}

static void
bitmap_or(uint8_t *out, uint64_t word, uint64_t v)
{
	uint64_t cur;

	memcpy(&cur, out + word * 8, sizeof(cur));
	cur |= v;
	memcpy(out + word * 8, &cur, sizeof(cur));
}

/* Take n bits from bit s of bits into bit d of out (atomic AND per word). */
static void
dlog_take(uint64_t *bits, uint64_t s, uint64_t n, uint8_t *out, uint64_t d)
{
	uint64_t b = s;

	while (b < s + n) {
		uint64_t *w = &bits[b / 64];
		unsigned int sh = b % 64, cnt = (unsigned int)RTE_MIN(64 - sh, s + n - b);
		uint64_t mask = (cnt == 64 ? UINT64_MAX : ((UINT64_C(1) << cnt) - 1)) << sh;
		uint64_t val, p;

		if (__atomic_load_n(w, __ATOMIC_RELAXED) & mask) {
			val = (__atomic_fetch_and(w, ~mask, __ATOMIC_ACQ_REL) & mask) >> sh;
			p = d + (b - s);
			bitmap_or(out, p / 64, val << (p % 64));
			if (p % 64 != 0 && p % 64 + cnt > 64)
				bitmap_or(out, p / 64 + 1, val >> (64 - p % 64));
		}
		b += cnt;
	}
}

static int
dlog_report(struct rte_vfio_user_server *srv, const struct vfio_user_dma_logging_report *rep,
	    uint8_t *out)
{
	struct vfio_user_dlog *log = srv->dlog;
	uint64_t cur, end = rep->iova + rep->length; /* no wrap: checked by the decoder */
	uint32_t i;

	if (log == NULL)
		return -EINVAL;
	if (rep->page_size != log->page_size)
		return -EINVAL;
	/* Every page must be logged: checked before any bit is taken. */
	for (cur = rep->iova; cur < end;) {
		i = dlog_find(log, cur);
		if (i == log->nr || log->r[i].iova > cur)
			return -EINVAL;
		cur = RTE_MIN(end, log->r[i].iova + log->r[i].length);
	}
	memset(out, 0, (size_t)rep->bitmap_size);
	for (cur = rep->iova; cur < end;) {
		const struct vfio_user_dlog_range *r = &log->r[dlog_find(log, cur)];
		uint64_t ce = RTE_MIN(end, r->iova + r->length);

		dlog_take(r->bits, (cur - r->iova) >> log->page_shift,
			  (ce - cur) >> log->page_shift, out, (cur - rep->iova) >> log->page_shift);
		cur = ce;
	}
	return 0;
}

/* ------------------------------------------------------- the messages */

/*
 * Whether this connection may migrate: the device has mig_ops and our
 * VERSION reply offered "migration" (the client asked for it). A client
 * that did not negotiate it never sends these (QEMU without migration
 * does not): one that does is refused, logged once per connection.
 */
static int
mig_allowed(struct rte_vfio_user_server *srv, const char *what)
{
	if (srv->mig.ops != NULL && srv->conn.migration)
		return 0;
	VFIO_USER_LOG_REFUSED(srv, VFIO_USER_REFUSED_MIG, "%s refused: %s", what,
			      srv->mig.ops == NULL ? "the device does not migrate" :
						     "migration not negotiated in VERSION");
	return -ENOTSUP;
}

/*
 * Whether the device can log its DMA: without a dma_logging callback no
 * one would mark the log, and a report would be a silent wrong answer
 * (pages the device wrote reported clean).
 */
static int
dlog_allowed(struct rte_vfio_user_server *srv, const char *what)
{
	if (srv->ops.dma_logging != NULL)
		return 0;
	VFIO_USER_LOG_REFUSED(srv, VFIO_USER_REFUSED_DLOG,
			      "%s refused: the device cannot log its DMA (no dma_logging callback)",
			      what);
	return -ENOTSUP;
}

/* The reply of a SET or PROBE: the request's payload. */
static int
feature_echo(struct vfio_user_req *req)
{
	if (req->len > req->rcap)
		return -ENOSPC;
	memcpy(req->rbuf, req->payload, req->len);
	req->rlen = req->len;
	return 0;
}

/* A GET reply: the request's argsz/flags then len bytes at rbuf + 8. */
static int
feature_reply(struct vfio_user_req *req, uint32_t flags, int len)
{
	int ret;

	if (len < 0)
		return len;
	ret = vfio_user_device_feature_encode(req->rbuf, req->rcap, flags,
					      req->rbuf + VFIO_USER_DEVICE_FEATURE_SIZE,
					      (uint32_t)len);
	if (ret < 0)
		return ret;
	req->rlen = (uint32_t)ret;
	return 0;
}

int
vfio_user_mig_feature(struct rte_vfio_user_server *srv, struct vfio_user_req *req,
		      const struct vfio_user_device_feature *feat)
{
	const uint8_t *data = req->payload + VFIO_USER_DEVICE_FEATURE_SIZE;
	uint8_t *rdata = req->rbuf + VFIO_USER_DEVICE_FEATURE_SIZE;
	bool get = feat->flags & VFIO_USER_DEVICE_FEATURE_GET;
	bool set = feat->flags & VFIO_USER_DEVICE_FEATURE_SET;
	bool probe = feat->flags & VFIO_USER_DEVICE_FEATURE_PROBE;
	struct vfio_user_dma_logging_report rep;
	struct vfio_user_dma_logging_ctl ctl;
	size_t room;
	uint32_t state;
	int ret;

	ret = mig_allowed(srv, "DEVICE_FEATURE");
	if (ret < 0)
		return ret;
	if (req->rcap < VFIO_USER_DEVICE_FEATURE_SIZE)
		return -ENOTSUP;
	room = req->rcap - VFIO_USER_DEVICE_FEATURE_SIZE;
	switch (feat->feature) {
	case VFIO_USER_FEATURE_DMA_LOGGING_START:
	case VFIO_USER_FEATURE_DMA_LOGGING_STOP:
	case VFIO_USER_FEATURE_DMA_LOGGING_REPORT:
		ret = dlog_allowed(srv, "DMA logging");
		if (ret < 0)
			return ret;
		break;
	default:
		break;
	}
	switch (feat->feature) {
	case VFIO_USER_FEATURE_MIGRATION:
		if (set)
			return -EINVAL;
		if (probe)
			return feature_echo(req);
		if (feat->data_len != 0 && feat->data_len != VFIO_USER_MIGRATION_SIZE)
			return -EINVAL;
		return feature_reply(req, feat->flags,
				     vfio_user_migration_encode(rdata, room, srv->mig.ops->flags));
	case VFIO_USER_FEATURE_MIG_DEVICE_STATE:
		if (probe)
			return feature_echo(req);
		if (get) {
			if (feat->data_len != 0 && feat->data_len != VFIO_USER_MIG_STATE_SIZE)
				return -EINVAL;
			return feature_reply(
				req, feat->flags,
				vfio_user_mig_state_encode(rdata, room, srv->mig.state));
		}
		ret = vfio_user_mig_state_decode(data, feat->data_len, &state);
		if (ret < 0)
			return ret;
		ret = mig_set_state(srv, state);
		if (ret < 0)
			return ret;
		return feature_reply(req, feat->flags,
				     vfio_user_mig_state_encode(rdata, room, srv->mig.state));
	case VFIO_USER_FEATURE_DMA_LOGGING_START:
		if (get)
			return -EINVAL;
		if (probe)
			return feature_echo(req);
		ret = vfio_user_dma_logging_ctl_decode(data, feat->data_len, &ctl);
		if (ret < 0)
			return ret;
		ret = dlog_start(srv, &ctl);
		if (ret < 0)
			return ret;
		return feature_echo(req);
	case VFIO_USER_FEATURE_DMA_LOGGING_STOP:
		if (get)
			return -EINVAL;
		if (probe)
			return feature_echo(req);
		/* No data, or an empty control (as a kernel-style client sends). */
		if (feat->data_len != 0 && feat->data_len != VFIO_USER_DMA_LOGGING_CTL_SIZE)
			return -EINVAL;
		vfio_user_dlog_stop(srv);
		return feature_echo(req);
	case VFIO_USER_FEATURE_DMA_LOGGING_REPORT:
		if (set)
			return -EINVAL;
		if (probe)
			return feature_echo(req);
		if (room < VFIO_USER_DMA_LOGGING_REPORT_SIZE)
			return -ENOSPC;
		/* At most the max_bitmap_size agreed (E2BIG beyond). */
		ret = vfio_user_dma_logging_report_decode(
			data, feat->data_len,
			RTE_MIN(srv->conn.mig_max_bitmap,
				(uint64_t)(room - VFIO_USER_DMA_LOGGING_REPORT_SIZE)),
			&rep);
		if (ret < 0)
			return ret;
		ret = dlog_report(srv, &rep, rdata + VFIO_USER_DMA_LOGGING_REPORT_SIZE);
		if (ret < 0)
			return ret;
		vfio_user_dma_logging_report_encode(rdata, room, &rep, NULL);
		return feature_reply(req, feat->flags,
				     (int)(VFIO_USER_DMA_LOGGING_REPORT_SIZE + rep.bitmap_size));
	default:
		return -ENOTSUP;
	}
}

int
vfio_user_mig_data_read(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_mig *m = &srv->mig;
	struct vfio_user_mig_data md;
	uint32_t n = 0;
	int ret;

	ret = mig_allowed(srv, "MIG_DATA_READ");
	if (ret < 0)
		return ret;
	ret = vfio_user_mig_data_read_decode(req->payload, req->len, VFIO_USER_SRV_MAX_XFER, &md);
	if (ret < 0)
		return ret;
	if (m->state == MIG_STOP_COPY)
		n = (uint32_t)RTE_MIN((size_t)md.size, m->len - m->off);
	else if (m->state != MIG_PRE_COPY)
		return -EINVAL; /* PRE_COPY: no pre-copy data */
	ret = vfio_user_mig_data_encode(req->rbuf, req->rcap, VFIO_USER_MIG_DATA_SIZE + n, n,
					n > 0 ? m->data + m->off : NULL);
	if (ret < 0)
		return ret;
	m->off += n;
	req->rlen = VFIO_USER_MIG_DATA_SIZE + n;
	return 0;
}

int
vfio_user_mig_data_write(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_mig *m = &srv->mig;
	struct vfio_user_mig_data md;
	int ret;

	ret = mig_allowed(srv, "MIG_DATA_WRITE");
	if (ret < 0)
		return ret;
	ret = vfio_user_mig_data_write_decode(req->payload, req->len, VFIO_USER_SRV_MAX_XFER, &md);
	if (ret < 0)
		return ret;
	if (m->state != MIG_RESUMING)
		return -EINVAL;
	if (md.size > RTE_VFIO_USER_MIG_MAX_DATA - m->len) {
		VFIO_USER_LOG(INFO, "%s: migration data beyond %u bytes refused", srv->path,
			      RTE_VFIO_USER_MIG_MAX_DATA);
		return -E2BIG;
	}
	if (m->len + md.size > m->cap) {
		size_t cap = RTE_MAX(m->cap * 2, (size_t)64 * 1024);
		uint8_t *p;

		cap = RTE_MIN(RTE_MAX(cap, m->len + md.size), (size_t)RTE_VFIO_USER_MIG_MAX_DATA);
		ret = mig_mem_charge(srv, cap - m->cap, "migration data");
		if (ret < 0)
			return ret;
		p = realloc(m->data, cap);
		if (p == NULL) {
			mig_mem_uncharge(cap - m->cap);
			return -ENOMEM;
		}
		m->data = p;
		m->cap = cap;
	}
	memcpy(m->data + m->len, md.data, md.size);
	m->len += md.size;
	req->rlen = 0;
	return 0;
}
