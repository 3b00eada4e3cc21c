/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * emu_iavf: an Intel Ethernet Adaptive Virtual Function served over
 * vfio-user, registered as an emudev for the consumer that moves its
 * packets.
 *
 * This file: the vdev driver (devargs, probe, remove), the vfio-user server
 * callbacks (connect, disconnect, reset, DMA changes), device reset, and the
 * emudev provider operations.
 */

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/un.h>
#include <unistd.h>

#include <bus_vdev_driver.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_log.h>

#include "emu_kvargs.h"
#include "emu_iavf_priv.h"

/* pmd.emu.iavf (RTE_LOG_DEFAULT_LOGTYPE, from meson.build) */
RTE_LOG_REGISTER_DEFAULT(emu_iavf_logtype, NOTICE);

#define EMU_IAVF_ARG_SOCK "sock"
/* The same as sock=, under net_iavf_client's name for it. */
#define EMU_IAVF_ARG_PATH "path"
#define EMU_IAVF_ARG_MAC "mac"
#define EMU_IAVF_ARG_QUEUES "queues"
#define EMU_IAVF_ARG_TRUST "trust_client_memory"
#define EMU_IAVF_ARG_MAX_DMA_MAPS "max_dma_maps"
#define EMU_IAVF_ARG_MIGRATION "migration"

/* max_dma_maps devarg range. */
#define EMU_IAVF_MAX_DMA_MAPS_MAX 65535u

/* Link the guest sees until the consumer says otherwise. */
#define EMU_IAVF_DEFAULT_LINK_UP 1
#define EMU_IAVF_DEFAULT_LINK_SPEED 10000u

TAILQ_HEAD(emu_iavf_list, emu_iavf_dev);
static struct emu_iavf_list emu_iavf_devs = TAILQ_HEAD_INITIALIZER(emu_iavf_devs);
static pthread_mutex_t emu_iavf_devs_lock = PTHREAD_MUTEX_INITIALIZER;

#define EMU_IAVF_MAC_LEN 6

/* Attribute indices (emu_iavf_attrs[]). */
enum {
	EMU_IAVF_ATTR_MAC = 0,
	EMU_IAVF_ATTR_LINK_UP,
	EMU_IAVF_ATTR_LINK_SPEED,
	EMU_IAVF_NB_ATTRS,
};

#define EMU_IAVF_ATTR_RW (RTE_EMUDEV_ATTR_F_READ | RTE_EMUDEV_ATTR_F_WRITE)

/* In the order of the indices above. */
static const struct rte_emudev_attr_desc emu_iavf_attrs[EMU_IAVF_NB_ATTRS] = {
	{RTE_EMUDEV_ATTR_MAC, EMU_IAVF_MAC_LEN, EMU_IAVF_ATTR_RW},
	{RTE_EMUDEV_ATTR_LINK_UP, sizeof(uint8_t), EMU_IAVF_ATTR_RW},
	{RTE_EMUDEV_ATTR_LINK_SPEED, sizeof(uint32_t), EMU_IAVF_ATTR_RW},
};

/* ---------------------------------------------------------------- helpers */

/* A unicast, non-zero MAC address (mac: 6 bytes, any alignment). */
static bool
emu_iavf_mac_valid(const void *mac)
{
	struct rte_ether_addr ea;

	memcpy(&ea, mac, sizeof(ea));
	return rte_is_valid_assigned_ether_addr(&ea);
}

/*
 * Parse XX:XX:XX:XX:XX:XX (hexadecimal digits, either case); the other form
 * rte_ether_unformat_addr() takes, XXXX:XXXX:XXXX, is refused by the length.
 */
static int
emu_iavf_parse_mac(const char *s, uint8_t *mac)
{
	struct rte_ether_addr ea;

	if (strlen(s) != RTE_ETHER_ADDR_FMT_SIZE - 1 || rte_ether_unformat_addr(s, &ea) != 0)
		return -EINVAL;
	memcpy(mac, ea.addr_bytes, RTE_ETHER_ADDR_LEN);
	return 0;
}

uint16_t
emu_iavf_offered_qp(const struct emu_iavf_dev *dev)
{
	if (dev->consumer_max_qp != 0 && dev->consumer_max_qp < dev->nb_qp)
		return dev->consumer_max_qp;
	return dev->nb_qp;
}

/*
 * The receive configuration changed: a new generation, and
 * RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED queued (once per batch of events).
 * Under lock.
 */
void
emu_iavf_rx_conf_changed(struct emu_iavf_dev *dev)
{
	struct rte_emudev_event ev;
	uint32_t i;

	dev->rx_gen++;
	for (i = 0; i < dev->nb_ev; i++)
		if (dev->evq[i].type == RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED)
			return;
	memset(&ev, 0, sizeof(ev));
	ev.type = RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED;
	emu_iavf_event_push(dev, &ev);
}

/* Queue an event for emu_iavf_events_raise(). Under lock. */
void
emu_iavf_event_push(struct emu_iavf_dev *dev, const struct rte_emudev_event *ev)
{
	if (dev->nb_ev == RTE_DIM(dev->evq)) {
		EMU_IAVF_LOG(ERR, "%s: event queue full: %s dropped", dev->name,
			     rte_emudev_event_name(ev->type));
		return;
	}
	dev->evq[dev->nb_ev++] = *ev;
}

/*
 * Raise the queued events. Without lock (callbacks may call our ops). When
 * it returns, every event queued before the call was delivered (by this
 * call or by another one it waited for): e.g. after a RESET the consumers
 * let go of their queues and doorbells. ev_lock is taken before lock, as
 * the consumers' callbacks do through our ops.
 */
void
emu_iavf_events_raise(struct emu_iavf_dev *dev)
{
	struct emu_iavf_evlist l;

	emu_iavf_evlist_begin(dev, &l);
	emu_iavf_evlist_raise(dev, &l);
}

/*
 * Begin a list of events that are never dropped: take ev_lock (no other
 * raise until emu_iavf_evlist_raise()) and lock (held on return), and move
 * the queued events into the list; the caller appends its own
 * (emu_iavf_evlist_add(), under lock), raised after them, in order.
 */
void
emu_iavf_evlist_begin(struct emu_iavf_dev *dev, struct emu_iavf_evlist *l)
{
	pthread_mutex_lock(&dev->ev_lock);
	pthread_mutex_lock(&dev->lock);
	l->n = dev->nb_ev;
	l->first_sure = l->n;
	memcpy(l->ev, dev->evq, l->n * sizeof(l->ev[0]));
	dev->nb_ev = 0;
}

/* Append an event to a list (under lock): room by construction. */
void
emu_iavf_evlist_add(struct emu_iavf_evlist *l, enum rte_emudev_event_type type,
		    const struct rte_emudev_event *ev)
{
	RTE_VERIFY(l->n < RTE_DIM(l->ev));
	if (ev != NULL) {
		l->ev[l->n] = *ev;
	} else {
		memset(&l->ev[l->n], 0, sizeof(l->ev[0]));
		l->ev[l->n].type = type;
	}
	l->n++;
}

/*
 * Release lock, raise the list's events in order, release ev_lock. 0, or
 * the error of the first event the caller added that the consumers could
 * not be given (logged); without an emudev device (unregistered: no
 * consumer uses the device any more) there is nothing to deliver.
 */
int
emu_iavf_evlist_raise(struct emu_iavf_dev *dev, struct emu_iavf_evlist *l)
{
	uint32_t i;
	int err = 0;

	pthread_mutex_unlock(&dev->lock);
	for (i = 0; i < l->n && dev->emudev != NULL; i++) {
		int ret = rte_emudev_event_raise(dev->emudev, &l->ev[i]);

		if (ret < 0) {
			EMU_IAVF_LOG(ERR, "%s: raising %s: %s", dev->name,
				     rte_emudev_event_name(l->ev[i].type), strerror(-ret));
			if (i >= l->first_sure && err == 0)
				err = ret;
		}
	}
	pthread_mutex_unlock(&dev->ev_lock);
	return err;
}

/* Raise one event of a type without data. Without lock. */
void
emu_iavf_event_raise1(struct emu_iavf_dev *dev, enum rte_emudev_event_type type)
{
	struct rte_emudev_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	pthread_mutex_lock(&dev->lock);
	emu_iavf_event_push(dev, &ev);
	pthread_mutex_unlock(&dev->lock);
	emu_iavf_events_raise(dev);
}

/* The consumer's counters since it started (zeros without a consumer). Without lock. */
static int
emu_iavf_stats_raw(struct emu_iavf_dev *dev, struct rte_emudev_stats *stats)
{
	int ret = -ENODEV;

	pthread_mutex_lock(&dev->ev_lock);
	if (dev->emudev != NULL)
		ret = rte_emudev_stats_get(dev->emudev, stats);
	pthread_mutex_unlock(&dev->ev_lock);
	if (ret < 0) {
		if (ret != -ENOENT && ret != -ENODEV)
			EMU_IAVF_LOG(WARNING, "%s: statistics: %s", dev->name, strerror(-ret));
		memset(stats, 0, sizeof(*stats));
	}
	return ret;
}

/*
 * The consumer's counters since the current client connected (zeros
 * without a consumer): what the previous clients' guests did is not shown
 * to the next. A counter below its base (a new consumer) counts from 0.
 * After a migration, what the guest saw on the source comes first
 * (stats_carry): its counters go on, never back. Without lock.
 */
int
emu_iavf_stats_fetch(struct emu_iavf_dev *dev, struct rte_emudev_stats *stats)
{
	uint64_t *v = (uint64_t *)stats, *b = (uint64_t *)&dev->stats_base;
	const uint64_t *c = (const uint64_t *)&dev->stats_carry;
	unsigned int i;
	int ret;

	ret = emu_iavf_stats_raw(dev, stats);
	pthread_mutex_lock(&dev->lock);
	for (i = 0; i < sizeof(*stats) / sizeof(uint64_t); i++) {
		if (v[i] < b[i])
			b[i] = 0;
		v[i] = c[i] + (v[i] - b[i]);
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/*
 * Counters from what the consumer counts now on: the next client's from 0
 * (carry NULL), or a migrated device's from carry. Without lock.
 */
void
emu_iavf_stats_rebase(struct emu_iavf_dev *dev, const struct rte_emudev_stats *carry)
{
	struct rte_emudev_stats now;

	emu_iavf_stats_raw(dev, &now);
	pthread_mutex_lock(&dev->lock);
	dev->stats_base = now;
	if (carry != NULL)
		dev->stats_carry = *carry;
	else
		memset(&dev->stats_carry, 0, sizeof(dev->stats_carry));
	pthread_mutex_unlock(&dev->lock);
}

/* ------------------------------------------------------------------ reset */

/* The receive configuration of a device without driver. Under lock. */
static void
emu_iavf_rx_conf_reset(struct emu_iavf_dev *dev)
{
	memcpy(dev->vf_mac, dev->mac, sizeof(dev->vf_mac));
	dev->nb_uc = 0;
	dev->nb_mc = 0;
	dev->promisc = 0;
	memset(dev->vlans, 0, sizeof(dev->vlans));
	dev->nb_vlans = 0;
	dev->vlan_strip = false;
	dev->vlan_insert = false;
	/*
	 * As a PF: key and LUT zero (no RSS until the VF sets them), every
	 * hash type enabled (Linux iavf sets the key and LUT only).
	 */
	memset(dev->rss_key, 0, sizeof(dev->rss_key));
	memset(dev->rss_lut, 0, sizeof(dev->rss_lut));
	dev->rss_hena = EMU_IAVF_RSS_HENA_CAPS;
	dev->rss_key_set = false;
	dev->rss_lut_set = false;
	emu_iavf_rx_conf_changed(dev);
}

/*
 * Reset the device to what a driver expects after a VF reset, an FLR or a
 * new client: queues stopped and unconfigured, filters and interrupt maps
 * cleared, admin queue registers zeroed (ARQLEN.ENABLE reads 0), interrupts
 * disarmed, outgoing messages dropped; VFGEN_RSTAT goes INPROGRESS,
 * COMPLETED, VFACTIVE (all within this call: guest accesses are served by
 * the same thread, so the guest sees VFACTIVE). The configuration (MAC,
 * queue count, link) is kept; so is the negotiated virtchnl version for a VF
 * reset. Control thread (or the thread destroying the server); no lock.
 */
void
emu_iavf_reset(struct emu_iavf_dev *dev, enum emu_iavf_reset_kind kind)
{
	struct rte_emudev_event ev;
	uint32_t q;

	pthread_mutex_lock(&dev->lock);
	dev->rstat = AVF_RSTAT_INPROGRESS;
	for (q = 0; q < AVF_MAX_QUEUE_PAIRS; q++) {
		memset(&dev->txq[q], 0, sizeof(dev->txq[q]));
		memset(&dev->rxq[q], 0, sizeof(dev->rxq[q]));
		dev->txq[q].vector = RTE_EMUDEV_IRQ_NONE;
		dev->rxq[q].vector = RTE_EMUDEV_IRQ_NONE;
	}
	dev->ready = false;
	dev->mig_loaded = false; /* a loaded state is replaced */
	dev->resources_sent = false;
	dev->caps = 0;
	dev->offered_qp = emu_iavf_offered_qp(dev);
	if (kind == EMU_IAVF_RESET_FULL) {
		dev->vf_ver_known = false;
		memset(&dev->vf_ver, 0, sizeof(dev->vf_ver));
		emu_iavf_msix_reset(dev);
	}
	emu_iavf_regs_reset(dev);
	memset(&ev, 0, sizeof(ev));
	ev.type = RTE_EMUDEV_EVENT_RESET;
	emu_iavf_event_push(dev, &ev);
	/* The receive configuration back to the defaults (told after RESET). */
	emu_iavf_rx_conf_reset(dev);
	pthread_mutex_unlock(&dev->lock);

	/* The consumer lets go of every queue... */
	emu_iavf_events_raise(dev);

	/* ...before the tails restart at 0. */
	pthread_mutex_lock(&dev->lock);
	memset(dev->tail_mem, 0, EMU_IAVF_TAIL_MAP_SIZE);
	dev->rstat = AVF_RSTAT_VFACTIVE;
	pthread_mutex_unlock(&dev->lock);
	EMU_IAVF_LOG(INFO, "%s: %s reset done", dev->name,
		     kind == EMU_IAVF_RESET_VF ? "VF" : "device");
}

/* ------------------------------------------------------------ tail pages */

/*
 * A new memfd for the tail pages (sealable: the server seals what it hands
 * out) and its mapping here, zeroed. 0 or -errno (logged).
 */
static int
emu_iavf_tail_create(struct emu_iavf_dev *dev, int *fdp, uint8_t **memp)
{
	char memfd_name[RTE_EMUDEV_NAME_MAX_LEN + 16];
	void *mem;
	int fd, ret;

	snprintf(memfd_name, sizeof(memfd_name), "emu_iavf-%s", dev->name);
	fd = memfd_create(memfd_name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, AVF_BAR0_SIZE) < 0) {
		ret = -errno;
		EMU_IAVF_LOG(ERR, "%s: memfd for the tail registers: %s", dev->name,
			     strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	mem = mmap(NULL, EMU_IAVF_TAIL_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		ret = -errno;
		EMU_IAVF_LOG(ERR, "%s: mmap of the tail registers: %s", dev->name, strerror(errno));
		close(fd);
		return ret;
	}
	*fdp = fd;
	*memp = mem;
	return 0;
}

/*
 * After a client left and the full reset made the consumers let go of
 * their queues (their doorbell pointers included: they read them again
 * from queue_info_get() when a queue is enabled): give the next client
 * fresh tail pages, so that the departed client's mapping of the old ones
 * reaches nothing anyone reads. Should that fail, the old pages (zeroed by
 * the reset) stay in use and an error is logged: the device keeps working,
 * but a departed client that kept its mapping can write the next client's
 * tails. Control thread (disconnected callback).
 */
static void
emu_iavf_tail_renew(struct emu_iavf_dev *dev)
{
	uint8_t *mem, *old_mem;
	int fd, old_fd, ret;

	if (!dev->tail_mmappable)
		return; /* trapped: never shared with a client */
	if (emu_iavf_tail_create(dev, &fd, &mem) < 0)
		goto keep;
	ret = rte_vfio_user_server_set_region_fd(dev->srv, RTE_VFIO_USER_REGION_BAR0, fd);
	if (ret < 0) {
		EMU_IAVF_LOG(ERR, "%s: new tail pages for BAR0: %s", dev->name, strerror(-ret));
		munmap(mem, EMU_IAVF_TAIL_MAP_SIZE);
		close(fd);
		goto keep;
	}
	pthread_mutex_lock(&dev->lock);
	old_mem = dev->tail_mem;
	old_fd = dev->tail_fd;
	dev->tail_mem = mem;
	dev->tail_fd = fd;
	pthread_mutex_unlock(&dev->lock);
	munmap(old_mem, EMU_IAVF_TAIL_MAP_SIZE);
	close(old_fd);
	return;
keep:
	EMU_IAVF_LOG(ERR,
		     "%s: keeping the previous client's tail pages (zeroed): a client that "
		     "kept its mapping of them can still write them",
		     dev->name);
}

/* -------------------------------------------------- vfio-user callbacks */

static void
emu_iavf_connected(void *arg)
{
	struct emu_iavf_dev *dev = arg;

	EMU_IAVF_LOG(INFO, "%s: client connected on %s", dev->name, dev->sock);
	__atomic_store_n(&dev->client, true, __ATOMIC_RELEASE);
}

static void
emu_iavf_disconnected(void *arg)
{
	struct emu_iavf_dev *dev = arg;

	EMU_IAVF_LOG(INFO, "%s: client gone", dev->name);
	/* Its memory is unmapped already (DMA change events came before). */
	emu_iavf_reset(dev, EMU_IAVF_RESET_FULL);
	/* The consumers let go of every queue (and doorbell): new tail pages. */
	emu_iavf_tail_renew(dev);
	emu_iavf_stats_rebase(dev, NULL);
	/* Gone during a migration: the library sets RUNNING again. */
	emu_iavf_mig_thaw_after_reset(dev);
	__atomic_store_n(&dev->client, false, __ATOMIC_RELEASE);
	emu_iavf_event_raise1(dev, RTE_EMUDEV_EVENT_CLIENT_GONE);
}

static int
emu_iavf_srv_reset(void *arg, enum rte_vfio_user_reset_reason reason)
{
	struct emu_iavf_dev *dev = arg;

	EMU_IAVF_LOG(INFO, "%s: %s", dev->name,
		     reason == RTE_VFIO_USER_RESET_FLR ? "function level reset" : "device reset");
	emu_iavf_reset(dev, EMU_IAVF_RESET_FULL);
	/*
	 * The library sets the migration state RUNNING after every reset it
	 * asks for (DEVICE_RESET, an FLR through the configuration space),
	 * from STOP, STOP_COPY, RESUMING or ERROR: the model runs again too.
	 */
	emu_iavf_mig_thaw_after_reset(dev);
	return 0;
}

/* Publish the vfio-user DMA table as the emudev memory table. */
static void
emu_iavf_mem_table_update(struct emu_iavf_dev *dev)
{
	struct rte_vfio_user_dma_map *maps = NULL;
	struct rte_emudev_mem_region *regs = NULL;
	uint32_t n = 0, i, nr = 0;
	int cnt, ret;

	cnt = rte_vfio_user_dma_table(dev->srv, NULL, 0);
	if (cnt > 0) {
		n = (uint32_t)cnt;
		maps = calloc(n, sizeof(*maps));
		regs = calloc(n, sizeof(*regs));
		if (maps == NULL || regs == NULL) {
			EMU_IAVF_LOG(ERR, "%s: no memory for a table of %u regions", dev->name, n);
			n = 0;
		} else {
			cnt = rte_vfio_user_dma_table(dev->srv, maps, n);
			n = cnt < 0 ? 0 : RTE_MIN(n, (uint32_t)cnt);
		}
	}
	for (i = 0; i < n; i++) {
		if (maps[i].vaddr == NULL || maps[i].size == 0)
			continue; /* not mapped here (no fd): not usable */
		regs[nr].guest_phys_addr = maps[i].iova;
		regs[nr].size = maps[i].size;
		regs[nr].host_addr = maps[i].vaddr;
		regs[nr].prot =
			((maps[i].prot & RTE_VFIO_USER_DMA_READ) ? RTE_EMUDEV_MEM_READ : 0) |
			((maps[i].prot & RTE_VFIO_USER_DMA_WRITE) ? RTE_EMUDEV_MEM_WRITE : 0);
		regs[nr].reserved = 0;
		if (regs[nr].prot == 0)
			continue;
		/*
		 * Behind a vIOMMU the client maps page by page; mappings that
		 * continue each other in guest and host addresses (the vfio-user
		 * server lays them out so) make one region, so that a buffer
		 * across them translates in one piece.
		 */
		if (nr > 0 && regs[nr - 1].prot == regs[nr].prot &&
		    regs[nr - 1].guest_phys_addr + regs[nr - 1].size == regs[nr].guest_phys_addr &&
		    RTE_PTR_ADD(regs[nr - 1].host_addr, regs[nr - 1].size) == regs[nr].host_addr) {
			regs[nr - 1].size += regs[nr].size;
			continue;
		}
		nr++;
	}
	pthread_mutex_lock(&dev->ev_lock);
	if (dev->emudev != NULL) {
		ret = rte_emudev_mem_table_set(dev->emudev, regs, nr);
		if (ret < 0)
			EMU_IAVF_LOG(ERR, "%s: memory table of %u regions: %s", dev->name, nr,
				     strerror(-ret));
	}
	pthread_mutex_unlock(&dev->ev_lock);
	free(maps);
	free(regs);
}

static void
emu_iavf_dma_change(void *arg, enum rte_vfio_user_dma_event ev)
{
	struct emu_iavf_dev *dev = arg;

	if (ev == RTE_VFIO_USER_DMA_CHANGE_BEGIN) {
		/* No ARQ posting from another thread from now on. */
		pthread_mutex_lock(&dev->lock);
		dev->dma_changing = true;
		pthread_mutex_unlock(&dev->lock);
		emu_iavf_event_raise1(dev, RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING);
		return;
	}
	emu_iavf_mem_table_update(dev);
	pthread_mutex_lock(&dev->lock);
	dev->dma_changing = false;
	if (rte_vfio_user_server_connected(dev->srv)) {
		emu_iavf_arq_flush(dev);
	} else if (dev->bl_count > 0) {
		/* The client's memory went with it: nothing to post into. */
		EMU_IAVF_LOG(DEBUG, "%s: client gone: %u admin queue message(s) dropped", dev->name,
			     dev->bl_count);
		dev->bl_head = 0;
		dev->bl_count = 0;
	}
	pthread_mutex_unlock(&dev->lock);
}

static const struct rte_vfio_user_server_ops emu_iavf_srv_ops = {
	.connected = emu_iavf_connected,
	.disconnected = emu_iavf_disconnected,
	.reset = emu_iavf_srv_reset,
	.dma_change = emu_iavf_dma_change,
	.dma_logging = emu_iavf_mig_dma_logging,
};

/* ------------------------------------------------------- emudev provider */

static int
emu_iavf_op_info_get(void *priv, struct rte_emudev_info *info)
{
	struct emu_iavf_dev *dev = priv;
	uint16_t q;

	pthread_mutex_lock(&dev->lock);
	info->max_queue_pairs = dev->nb_qp;
	info->nb_guest_tx_queues = 0;
	info->nb_guest_rx_queues = 0;
	for (q = 0; q < dev->nb_qp; q++) {
		if (dev->txq[q].configured)
			info->nb_guest_tx_queues = q + 1;
		if (dev->rxq[q].configured)
			info->nb_guest_rx_queues = q + 1;
	}
	info->nb_irq_vectors = dev->nb_vectors;
	info->ready = dev->ready;
	pthread_mutex_unlock(&dev->lock);
	info->client_connected = __atomic_load_n(&dev->client, __ATOMIC_ACQUIRE);
	return 0;
}

static int
emu_iavf_op_queue_info_get(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid,
			   struct rte_emudev_queue_info *info)
{
	struct emu_iavf_dev *dev = priv;
	const struct emu_iavf_queue *q;
	uint32_t tail;

	if (qid >= dev->nb_qp)
		return -EINVAL;
	if (dir == RTE_EMUDEV_QUEUE_GUEST_TX) {
		q = &dev->txq[qid];
		tail = AVF_QTX_TAIL1(qid);
	} else if (dir == RTE_EMUDEV_QUEUE_GUEST_RX) {
		q = &dev->rxq[qid];
		tail = AVF_QRX_TAIL1(qid);
	} else {
		return -EINVAL;
	}
	pthread_mutex_lock(&dev->lock);
	info->enabled = q->enabled;
	if (q->configured) {
		info->desc_format =
			dir == RTE_EMUDEV_QUEUE_GUEST_TX ? AVF_DESC_FMT_TX : AVF_DESC_FMT_RX_32B;
		info->desc_size = avf_desc_fmt_size(info->desc_format);
		info->ring_size = q->ring_len;
		info->ring_gpa = q->ring_gpa;
		info->buf_size = q->buf_size;
		info->max_pkt_len = q->max_pkt;
	} else {
		info->desc_format = RTE_EMUDEV_DESC_NONE;
	}
	info->doorbell = emu_iavf_tail_ptr(dev, tail);
	info->irq_vector = q->vector;
	info->head = q->head;
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

static int
emu_iavf_op_irq_trigger(void *priv, uint32_t vector)
{
	return emu_iavf_queue_irq_trigger(priv, vector);
}

static int
emu_iavf_op_attr_get(void *priv, unsigned int idx, const char *name __rte_unused, void *buf,
		     uint32_t size)
{
	struct emu_iavf_dev *dev = priv;
	int ret = 0;

	if (idx >= EMU_IAVF_NB_ATTRS || size != emu_iavf_attrs[idx].size)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	switch (idx) {
	case EMU_IAVF_ATTR_MAC:
		memcpy(buf, dev->mac, EMU_IAVF_MAC_LEN);
		break;
	case EMU_IAVF_ATTR_LINK_UP:
		*(uint8_t *)buf = dev->link_up;
		break;
	case EMU_IAVF_ATTR_LINK_SPEED:
		memcpy(buf, &dev->link_speed, sizeof(dev->link_speed));
		break;
	default:
		ret = -ENOENT;
		break;
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

static int
emu_iavf_op_attr_set(void *priv, unsigned int idx, const char *name __rte_unused, const void *buf,
		     uint32_t size)
{
	struct emu_iavf_dev *dev = priv;
	bool link = false;
	uint32_t speed;
	uint8_t up;
	int ret = 0;

	if (idx >= EMU_IAVF_NB_ATTRS || size != emu_iavf_attrs[idx].size)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	switch (idx) {
	case EMU_IAVF_ATTR_MAC:
		if (!emu_iavf_mac_valid(buf)) {
			ret = -EINVAL;
			break;
		}
		/* The guest gets it with its next GET_VF_RESOURCES (after a reset). */
		memcpy(dev->mac, buf, EMU_IAVF_MAC_LEN);
		break;
	case EMU_IAVF_ATTR_LINK_UP:
		up = *(const uint8_t *)buf != 0;
		dev->link_up = up;
		link = true;
		break;
	case EMU_IAVF_ATTR_LINK_SPEED:
		memcpy(&speed, buf, sizeof(speed));
		dev->link_speed = speed;
		link = true;
		break;
	default:
		ret = -ENOENT;
		break;
	}
	/*
	 * Tell a driver that was told of the link since its queues came up
	 * (one event per change; a LINK_CHANGE that still waits for a
	 * receive descriptor is updated, not repeated). The others learn it
	 * after their next ENABLE_QUEUES.
	 */
	if (link && dev->link_told)
		emu_iavf_link_event_queue(dev);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

static int
emu_iavf_op_configure(void *priv, const struct rte_emudev_conf *conf)
{
	struct emu_iavf_dev *dev = priv;

	pthread_mutex_lock(&dev->lock);
	dev->consumer_max_qp = conf->max_queue_pairs;
	pthread_mutex_unlock(&dev->lock);
	if (conf->max_queue_pairs != 0 && conf->max_queue_pairs < dev->nb_qp)
		EMU_IAVF_LOG(INFO,
			     "%s: consumer serves %u queue pairs: the guest gets that many "
			     "from its next reset",
			     dev->name, conf->max_queue_pairs);
	return 0;
}

static int
emu_iavf_op_close(void *priv)
{
	struct emu_iavf_dev *dev = priv;

	pthread_mutex_lock(&dev->lock);
	dev->consumer_max_qp = 0;
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

static_assert(AVF_RSS_KEY_SIZE <= RTE_EMUDEV_NET_RSS_KEY_MAX &&
		      AVF_RSS_LUT_SIZE <= RTE_EMUDEV_NET_RSS_LUT_MAX &&
		      EMU_IAVF_MAX_UC + 1 <= RTE_EMUDEV_NET_MAX_ADDRS &&
		      EMU_IAVF_MAX_MC <= RTE_EMUDEV_NET_MAX_ADDRS,
	      "receive configuration sizes");

static int
emu_iavf_op_net_rx_conf_get(void *priv, struct rte_emudev_net_rx_conf *conf)
{
	struct emu_iavf_dev *dev = priv;
	uint32_t i, n;

	pthread_mutex_lock(&dev->lock);
	conf->generation = dev->rx_gen;
	if (dev->promisc & VIRTCHNL_FLAG_UNICAST_PROMISC)
		conf->flags |= RTE_EMUDEV_NET_RX_F_PROMISC;
	if (dev->promisc & VIRTCHNL_FLAG_MULTICAST_PROMISC)
		conf->flags |= RTE_EMUDEV_NET_RX_F_ALLMULTI;
	/* The guest's own address first, always. */
	memcpy(conf->unicast[0].addr_bytes, dev->vf_mac, RTE_ETHER_ADDR_LEN);
	n = 1;
	for (i = 0; i < dev->nb_uc && n < RTE_EMUDEV_NET_MAX_ADDRS; i++)
		memcpy(conf->unicast[n++].addr_bytes, dev->uc[i], RTE_ETHER_ADDR_LEN);
	conf->nb_unicast = (uint16_t)n;
	for (i = 0; i < dev->nb_mc && i < RTE_EMUDEV_NET_MAX_ADDRS; i++)
		memcpy(conf->multicast[i].addr_bytes, dev->mc[i], RTE_ETHER_ADDR_LEN);
	conf->nb_multicast = (uint16_t)i;
	/* VLAN 0 (priority tags) always passes: filtering is on with a real VLAN. */
	memcpy(conf->vlan_bitmap, dev->vlans, sizeof(conf->vlan_bitmap));
	if ((dev->vlans[0] & ~1ull) != 0 || dev->nb_vlans > (dev->vlans[0] & 1))
		conf->flags |= RTE_EMUDEV_NET_RX_F_VLAN_FILTER;
	if (dev->vlan_strip)
		conf->flags |= RTE_EMUDEV_NET_RX_F_VLAN_STRIP;
	/* RSS once the guest gave types, key and table. */
	if ((dev->caps & VIRTCHNL_VF_OFFLOAD_RSS_PF) && dev->rss_hena != 0 && dev->rss_key_set &&
	    dev->rss_lut_set) {
		conf->flags |= RTE_EMUDEV_NET_RX_F_RSS;
		conf->rss_types = emu_iavf_hena_to_rss_types(dev->rss_hena);
		conf->rss_key_len = AVF_RSS_KEY_SIZE;
		memcpy(conf->rss_key, dev->rss_key, AVF_RSS_KEY_SIZE);
		conf->rss_lut_size = AVF_RSS_LUT_SIZE;
		for (i = 0; i < AVF_RSS_LUT_SIZE; i++)
			conf->rss_lut[i] = dev->rss_lut[i];
	}
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

static const struct rte_emudev_ops emu_iavf_emudev_ops = {
	.info_get = emu_iavf_op_info_get,
	.queue_info_get = emu_iavf_op_queue_info_get,
	.irq_trigger = emu_iavf_op_irq_trigger,
	.attr_get = emu_iavf_op_attr_get,
	.attr_set = emu_iavf_op_attr_set,
	.configure = emu_iavf_op_configure,
	.close = emu_iavf_op_close,
	.net_rx_conf_get = emu_iavf_op_net_rx_conf_get,
	.queue_head_set = emu_iavf_mig_queue_head_set,
	.dirty_mark = emu_iavf_mig_dirty_mark,
};

/* ---------------------------------------------------------------- devargs */

struct emu_iavf_args {
	char sock[PATH_MAX];
	uint8_t mac[EMU_IAVF_MAC_LEN];
	uint16_t queues;
	bool trust_client_memory;
	uint32_t max_dma_maps;
	bool mac_given;
	bool migration;
};

static uint64_t
emu_iavf_fnv1a(uint64_t h, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Hash the socket's absolute path: its directory resolved (the socket itself
 * need not exist yet), or the working directory prefixed when that fails.
 */
static uint64_t
emu_iavf_hash_abs_path(uint64_t h, const char *sock)
{
	char dir_buf[PATH_MAX], base_buf[PATH_MAX], real[PATH_MAX], cwd[PATH_MAX];
	const char *base;

	snprintf(dir_buf, sizeof(dir_buf), "%s", sock);
	snprintf(base_buf, sizeof(base_buf), "%s", sock);
	base = basename(base_buf);
	if (realpath(dirname(dir_buf), real) != NULL) {
		if (strcmp(real, "/") != 0)
			h = emu_iavf_fnv1a(h, real, strlen(real));
		h = emu_iavf_fnv1a(h, "/", 1);
		return emu_iavf_fnv1a(h, base, strlen(base));
	}
	if (sock[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
		h = emu_iavf_fnv1a(h, cwd, strlen(cwd));
		h = emu_iavf_fnv1a(h, "/", 1);
	}
	return emu_iavf_fnv1a(h, sock, strlen(sock));
}

/* A locally administered unicast MAC, unique per host and socket and stable
 * across restarts: a hash of the host's identity (/etc/machine-id, else the
 * host name) and of the socket's absolute path.
 */
static void
emu_iavf_default_mac(const char *sock, uint8_t *mac)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	char host[256];
	FILE *f;
	size_t n;
	uint32_t i;

	host[0] = '\0';
	f = fopen("/etc/machine-id", "re");
	if (f != NULL) {
		if (fgets(host, sizeof(host), f) == NULL)
			host[0] = '\0';
		fclose(f);
		host[strcspn(host, " \t\r\n")] = '\0';
	}
	if (host[0] == '\0' && gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	n = strlen(host);
	h = emu_iavf_fnv1a(h, host, n + 1); /* with the NUL: a separator */
	h = emu_iavf_hash_abs_path(h, sock);
	/* Mix, so that inputs differing in their last character differ in every byte. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	/* Unicast (bit 0 clear), locally administered (bit 1 set). */
	mac[0] = (uint8_t)(((h >> 40) & 0xFCu) | 0x02u);
	for (i = 1; i < EMU_IAVF_MAC_LEN; i++)
		mac[i] = (uint8_t)(h >> (8 * (i - 1)));
}

/* sock= or path=: the vfio-user socket. */
static int
emu_iavf_arg_sock(struct emu_kvargs *p, const char *key, const char *val)
{
	struct emu_iavf_args *a = p->arg;
	const size_t max = sizeof(((struct sockaddr_un *)NULL)->sun_path);

	if (a->sock[0] != '\0') {
		EMU_KVARGS_ERR(p, "arguments \"sock\" and \"path\" are the same; give one");
		return -1;
	}
	if (emu_kvargs_str(val, a->sock, RTE_MIN(max, sizeof(a->sock))) < 0) {
		EMU_KVARGS_ERR(p, "argument \"%s\": path longer than %zu bytes", key, max - 1);
		return -1;
	}
	return 0;
}

static int
emu_iavf_arg_mac(struct emu_kvargs *p, const char *key __rte_unused, const char *val)
{
	struct emu_iavf_args *a = p->arg;

	if (emu_iavf_parse_mac(val, a->mac) < 0 || !emu_iavf_mac_valid(a->mac)) {
		EMU_KVARGS_ERR(p,
			       "argument \"mac\": \"%s\" is not a unicast, non-zero MAC address "
			       "(XX:XX:XX:XX:XX:XX)",
			       val);
		return -1;
	}
	a->mac_given = true;
	return 0;
}

static int
emu_iavf_arg_trust(struct emu_kvargs *p, const char *key __rte_unused, const char *val)
{
	struct emu_iavf_args *a = p->arg;

	if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0) {
		EMU_KVARGS_ERR(p, "argument \"trust_client_memory\": \"%s\" is not 0 or 1", val);
		return -1;
	}
	a->trust_client_memory = val[0] == '1';
	return 0;
}

static int
emu_iavf_arg_migration(struct emu_kvargs *p, const char *key __rte_unused, const char *val)
{
	struct emu_iavf_args *a = p->arg;

	if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0) {
		EMU_KVARGS_ERR(p, "argument \"migration\": \"%s\" is not 0 or 1", val);
		return -1;
	}
	a->migration = val[0] == '1';
	return 0;
}

static int
emu_iavf_parse_args(const char *name, const char *args, struct emu_iavf_args *a)
{
	static const struct emu_kvargs_key keys[] = {
		{EMU_IAVF_ARG_SOCK, emu_iavf_arg_sock},
		{EMU_IAVF_ARG_PATH, emu_iavf_arg_sock},
		{EMU_IAVF_ARG_MAC, emu_iavf_arg_mac},
		EMU_KVARGS_NUM(EMU_IAVF_ARG_QUEUES, struct emu_iavf_args, queues, 1,
			       AVF_MAX_QUEUE_PAIRS, "a number of queue pairs"),
		{EMU_IAVF_ARG_TRUST, emu_iavf_arg_trust},
		EMU_KVARGS_NUM(EMU_IAVF_ARG_MAX_DMA_MAPS, struct emu_iavf_args, max_dma_maps, 1,
			       EMU_IAVF_MAX_DMA_MAPS_MAX, "a number of DMA mappings"),
		{EMU_IAVF_ARG_MIGRATION, emu_iavf_arg_migration},
	};
	struct emu_kvargs p = {
		.name = name,
		.logtype = emu_iavf_logtype,
		.prefix = "EMU_IAVF: ",
		.known = "sock or path, mac, queues, trust_client_memory, max_dma_maps, migration",
		.keys = keys,
		.nb_keys = RTE_DIM(keys),
		.arg = a,
	};

	memset(a, 0, sizeof(*a));
	a->queues = 1;
	a->max_dma_maps = RTE_VFIO_USER_DEFAULT_MAX_DMA_MAPS;
	a->migration = true;
	if (emu_kvargs_parse(&p, args) < 0)
		return -EINVAL;
	if (a->sock[0] == '\0') {
		EMU_KVARGS_ERR(&p,
			       "argument \"sock\" or \"path\" (vfio-user socket path) is "
			       "required");
		return -EINVAL;
	}
	if (!a->mac_given)
		emu_iavf_default_mac(a->sock, a->mac);
	return 0;
}

/* ------------------------------------------------------------ probe/remove */

static void
emu_iavf_dev_free(struct emu_iavf_dev *dev)
{
	if (dev->tail_mem != NULL)
		munmap(dev->tail_mem, EMU_IAVF_TAIL_MAP_SIZE);
	if (dev->tail_fd >= 0)
		close(dev->tail_fd);
	pthread_mutex_destroy(&dev->lock);
	pthread_mutex_destroy(&dev->ev_lock);
	free(dev);
}

/* Tear down a device: unregister from emudev first (so that consumers stop,
 * their data path included), then stop serving the guest.
 */
static void
emu_iavf_dev_destroy(struct emu_iavf_dev *dev)
{
	struct rte_emudev *ed;
	int ret;

	pthread_mutex_lock(&dev->ev_lock);
	ed = dev->emudev;
	dev->emudev = NULL;
	pthread_mutex_unlock(&dev->ev_lock);
	if (ed != NULL) {
		ret = rte_emudev_unregister(ed);
		if (ret < 0)
			EMU_IAVF_LOG(ERR, "%s: emudev unregister: %s", dev->name, strerror(-ret));
	}
	if (dev->srv != NULL)
		rte_vfio_user_server_destroy(dev->srv);
	emu_iavf_dev_free(dev);
}

static int
emu_iavf_setup_server(struct emu_iavf_dev *dev)
{
	struct rte_vfio_user_server_conf sc;
	struct rte_vfio_user_region_conf rc;
	long pg = sysconf(_SC_PAGESIZE);
	int ret;

	memset(&sc, 0, sizeof(sc));
	sc.path = dev->sock;
	sc.pci_id.vendor_id = AVF_PCI_VENDOR_ID;
	sc.pci_id.device_id = AVF_PCI_DEVICE_ID;
	sc.pci_id.subsys_vendor_id = AVF_PCI_SUBSYS_VENDOR_ID;
	sc.pci_id.subsys_id = AVF_PCI_SUBSYS_ID;
	sc.pci_id.revision = AVF_PCI_REVISION;
	sc.pci_id.class_code = AVF_PCI_CLASS;
	sc.irq_count[RTE_VFIO_USER_IRQ_MSIX] = dev->nb_vectors;
	sc.ops = &emu_iavf_srv_ops;
	sc.arg = dev;
	sc.max_dma_maps = dev->max_dma_maps;
	sc.flags = dev->trust_client_memory ? RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY : 0;
	sc.mig_ops = dev->migration ? &emu_iavf_mig_ops : NULL;
	dev->srv = rte_vfio_user_server_create(&sc);
	if (dev->srv == NULL) {
		EMU_IAVF_LOG(ERR, "%s: vfio-user server on %s: %s", dev->name, dev->sock,
			     rte_strerror(rte_errno));
		return -rte_errno;
	}

	/* BAR0: registers; the tail pages are mmappable when pages are 4 KiB. */
	memset(&rc, 0, sizeof(rc));
	rc.size = AVF_BAR0_SIZE;
	rc.flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	rc.bar_flags = RTE_VFIO_USER_BAR_MEM64;
	rc.access = emu_iavf_bar0_access;
	rc.arg = dev;
	rc.fd = dev->tail_fd;
	rc.fd_offset = 0;
	if (pg > 0 && AVF_TAIL_PAGE_SIZE % (unsigned long)pg == 0) {
		dev->tail_mmappable = true;
		rc.nr_sparse = 2;
		rc.sparse[0].offset = AVF_TX_TAIL_PAGE;
		rc.sparse[0].size = AVF_TAIL_PAGE_SIZE;
		rc.sparse[1].offset = AVF_RX_TAIL_PAGE;
		rc.sparse[1].size = AVF_TAIL_PAGE_SIZE;
	} else {
		EMU_IAVF_LOG(WARNING, "%s: page size %ld: tail registers are trapped", dev->name,
			     pg);
		rc.fd = -1;
	}
	ret = rte_vfio_user_server_set_region(dev->srv, RTE_VFIO_USER_REGION_BAR0, &rc);
	if (ret < 0) {
		EMU_IAVF_LOG(ERR, "%s: BAR0: %s", dev->name, strerror(-ret));
		return ret;
	}

	/* BAR3: MSI-X table and PBA, trapped (a 32-bit BAR: 64-bit ones take
	 * an even index and the next).
	 */
	memset(&rc, 0, sizeof(rc));
	rc.size = AVF_MSIX_BAR_SIZE;
	rc.flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
	rc.bar_flags = 0;
	rc.access = emu_iavf_bar3_access;
	rc.arg = dev;
	rc.fd = -1;
	ret = rte_vfio_user_server_set_region(dev->srv, AVF_MSIX_BAR, &rc);
	if (ret < 0) {
		EMU_IAVF_LOG(ERR, "%s: BAR3: %s", dev->name, strerror(-ret));
		return ret;
	}
	ret = rte_vfio_user_pci_exp_cap_add(dev->srv, NULL);
	if (ret < 0) {
		EMU_IAVF_LOG(ERR, "%s: PCI Express capability: %s", dev->name, strerror(-ret));
		return ret;
	}
	ret = rte_vfio_user_pci_msix_cap_add(dev->srv, AVF_MSIX_BAR, AVF_MSIX_TABLE_OFF,
					     AVF_MSIX_BAR, AVF_MSIX_PBA_OFF, NULL);
	if (ret < 0) {
		EMU_IAVF_LOG(ERR, "%s: MSI-X capability: %s", dev->name, strerror(-ret));
		return ret;
	}
	return 0;
}

static int
emu_iavf_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_emudev_params ep;
	struct emu_iavf_args a;
	struct emu_iavf_dev *dev;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		EMU_IAVF_LOG(ERR, "%s: only a primary process can serve a device", name);
		return -ENOTSUP;
	}
	if (strlen(name) >= RTE_EMUDEV_NAME_MAX_LEN) {
		EMU_IAVF_LOG(ERR, "%s: name longer than %u characters", name,
			     RTE_EMUDEV_NAME_MAX_LEN - 1);
		return -EINVAL;
	}
	ret = emu_iavf_parse_args(name, rte_vdev_device_args(vdev), &a);
	if (ret < 0)
		return ret;

	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return -ENOMEM;
	dev->tail_fd = -1;
	pthread_mutex_init(&dev->lock, NULL);
	pthread_mutex_init(&dev->ev_lock, NULL);
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	snprintf(dev->sock, sizeof(dev->sock), "%s", a.sock);
	dev->socket_id = vdev->device.numa_node;
	dev->nb_qp = a.queues;
	dev->nb_vectors = a.queues + 1u;
	memcpy(dev->mac, a.mac, sizeof(dev->mac));
	dev->link_up = EMU_IAVF_DEFAULT_LINK_UP;
	dev->link_speed = EMU_IAVF_DEFAULT_LINK_SPEED;
	dev->trust_client_memory = a.trust_client_memory;
	dev->max_dma_maps = a.max_dma_maps;
	dev->migration = a.migration;

	/* The tail pages, shared with the guest and the data path. */
	ret = emu_iavf_tail_create(dev, &dev->tail_fd, &dev->tail_mem);
	if (ret < 0)
		goto fail;

	ret = emu_iavf_setup_server(dev);
	if (ret < 0)
		goto fail;
	/* Power-on state (no events: not registered yet). */
	emu_iavf_reset(dev, EMU_IAVF_RESET_FULL);

	memset(&ep, 0, sizeof(ep));
	ep.name = dev->name;
	ep.driver = EMU_IAVF_DRIVER_NAME;
	ep.type = RTE_EMUDEV_TYPE_NET;
	ep.socket_id = dev->socket_id;
	ep.ops = &emu_iavf_emudev_ops;
	ep.priv = dev;
	ep.attrs = emu_iavf_attrs;
	ep.nb_attrs = EMU_IAVF_NB_ATTRS;
	dev->emudev = rte_emudev_register(&ep);
	if (dev->emudev == NULL) {
		ret = -rte_errno;
		EMU_IAVF_LOG(ERR, "%s: emudev registration: %s", name, rte_strerror(rte_errno));
		goto fail;
	}

	ret = rte_vfio_user_server_start(dev->srv);
	if (ret < 0) {
		const char *why = strerror(-ret);

		if (ret == -ENOTSOCK)
			why = "the path exists and is not a socket";
		else if (ret == -EADDRINUSE)
			why = "another server listens there";
		EMU_IAVF_LOG(ERR, "%s: cannot serve %s: %s", name, dev->sock, why);
		goto fail;
	}

	if (dev->trust_client_memory)
		EMU_IAVF_LOG(WARNING,
			     "%s: trust_client_memory=1: DMA memory not sealed against shrinking "
			     "is accepted (a client that shrinks it can crash this process)",
			     name);
	pthread_mutex_lock(&emu_iavf_devs_lock);
	TAILQ_INSERT_TAIL(&emu_iavf_devs, dev, next);
	pthread_mutex_unlock(&emu_iavf_devs_lock);
	EMU_IAVF_LOG(
		INFO,
		"%s: AVF on %s: %u queue pair(s), MAC %02X:%02X:%02X:%02X:%02X:%02X, emudev id %u",
		name, dev->sock, dev->nb_qp, dev->mac[0], dev->mac[1], dev->mac[2], dev->mac[3],
		dev->mac[4], dev->mac[5], rte_emudev_dev_id(dev->emudev));
	return 0;

fail:
	emu_iavf_dev_destroy(dev);
	return ret < 0 ? ret : -EINVAL;
}

static int
emu_iavf_remove(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct emu_iavf_dev *dev;

	pthread_mutex_lock(&emu_iavf_devs_lock);
	TAILQ_FOREACH(dev, &emu_iavf_devs, next)
		if (strcmp(dev->name, name) == 0)
			break;
	if (dev != NULL)
		TAILQ_REMOVE(&emu_iavf_devs, dev, next);
	pthread_mutex_unlock(&emu_iavf_devs_lock);
	if (dev == NULL)
		return -ENODEV;
	emu_iavf_dev_destroy(dev);
	EMU_IAVF_LOG(INFO, "%s: removed", name);
	return 0;
}

struct emu_iavf_dev *
emu_iavf_dev_lookup(const char *name)
{
	struct emu_iavf_dev *dev;

	pthread_mutex_lock(&emu_iavf_devs_lock);
	TAILQ_FOREACH(dev, &emu_iavf_devs, next)
		if (strcmp(dev->name, name) == 0)
			break;
	pthread_mutex_unlock(&emu_iavf_devs_lock);
	return dev;
}

static struct rte_vdev_driver emu_iavf_vdev_driver = {
	.probe = emu_iavf_probe,
	.remove = emu_iavf_remove,
};

RTE_PMD_REGISTER_VDEV(emu_iavf, emu_iavf_vdev_driver);
RTE_PMD_REGISTER_PARAM_STRING(emu_iavf,
			      "sock=<path> path=<path> mac=<xx:xx:xx:xx:xx:xx> queues=<1-16> "
			      "trust_client_memory=<0|1> max_dma_maps=<1-65535> migration=<0|1>");
