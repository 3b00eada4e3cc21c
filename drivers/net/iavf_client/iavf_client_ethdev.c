/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * net_iavf_client control path: devargs, probe and remove, the connection
 * to the server (attach, detach, reconnect), DMA mappings of DPDK memory,
 * the link alarm, and the ethdev operations.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_fbarray.h>
#include <rte_io.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>

#include "iavf_client.h"

RTE_LOG_REGISTER(iavfc_logtype, pmd.net.iavf_client, NOTICE);

/* PCI identities of an AVF (what Linux iavf and DPDK iavf bind to). */
static const uint16_t iavfc_pci_ids[] = {0x1889, 0x154C, 0x1571, 0x37CD, 0x374D};

#define IAVFC_PCI_VENDOR_INTEL 0x8086u
#define IAVFC_PCI_CLASS_ETH 0x0200u
#define IAVFC_PCI_COMMAND 0x04u
#define IAVFC_PCI_COMMAND_MEMORY 0x2u
#define IAVFC_PCI_COMMAND_MASTER 0x4u

/* Number of device counters (GET_STATS) exposed as xstats. */
#define IAVFC_NB_DEV_XSTATS (sizeof(struct virtchnl_eth_stats) / sizeof(uint64_t))

static const char *const iavfc_dev_xstat_names[IAVFC_NB_DEV_XSTATS] = {
	"dev_rx_bytes",
	"dev_rx_unicast_packets",
	"dev_rx_multicast_packets",
	"dev_rx_broadcast_packets",
	"dev_rx_discards",
	"dev_rx_unknown_protocol",
	"dev_tx_bytes",
	"dev_tx_unicast_packets",
	"dev_tx_multicast_packets",
	"dev_tx_broadcast_packets",
	"dev_tx_discards",
	"dev_tx_errors",
};

/* ---------------------------------------------------------------- devargs */

struct iavfc_args {
	char path[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	uint16_t queues;
};

static int
iavfc_parse_args(const char *name, const char *args, struct iavfc_args *a)
{
	static const char *const known[] = {IAVFC_ARG_PATH, IAVFC_ARG_QUEUES};
	struct rte_kvargs *kv;
	unsigned int i, k;
	int ret = -EINVAL;

	memset(a, 0, sizeof(*a));
	kv = rte_kvargs_parse(args != NULL ? args : "", NULL);
	if (kv == NULL) {
		IAVFC_LOG(ERR, "%s: cannot parse devargs \"%s\"", name, args);
		return -EINVAL;
	}
	for (i = 0; i < kv->count; i++) {
		const char *key = kv->pairs[i].key, *val = kv->pairs[i].value;

		for (k = 0; k < RTE_DIM(known); k++)
			if (strcmp(key, known[k]) == 0)
				break;
		if (k == RTE_DIM(known)) {
			IAVFC_LOG(ERR, "%s: unknown argument \"%s\" (known: path, queues)", name,
				  key);
			goto out;
		}
		if (rte_kvargs_count(kv, key) > 1) {
			IAVFC_LOG(ERR, "%s: argument \"%s\" given more than once", name, key);
			goto out;
		}
		if (val == NULL || val[0] == '\0') {
			IAVFC_LOG(ERR, "%s: argument \"%s\" needs a value", name, key);
			goto out;
		}
		if (strcmp(key, IAVFC_ARG_PATH) == 0) {
			if (strlen(val) >= sizeof(a->path)) {
				IAVFC_LOG(ERR, "%s: argument \"path\": longer than %zu bytes", name,
					  sizeof(a->path) - 1);
				goto out;
			}
			snprintf(a->path, sizeof(a->path), "%s", val);
		} else {
			char *end = NULL;
			unsigned long q;

			errno = 0;
			q = strtoul(val, &end, 10);
			if (errno != 0 || end == val || *end != '\0' || val[0] == '-' || q < 1 ||
			    q > IAVFC_MAX_QUEUES) {
				IAVFC_LOG(
					ERR,
					"%s: argument \"queues\": \"%s\" is not a number of queue "
					"pairs in 1..%u",
					name, val, IAVFC_MAX_QUEUES);
				goto out;
			}
			a->queues = (uint16_t)q;
		}
	}
	if (a->path[0] == '\0') {
		IAVFC_LOG(ERR,
			  "%s: argument \"path\" (the vfio-user socket of the device) is "
			  "required",
			  name);
		goto out;
	}
	ret = 0;
out:
	rte_kvargs_free(kv);
	return ret;
}

/* --------------------------------------------------------------- link */

/* Recompute the link; a change raises LSC from the alarm. Under lock. */
void
iavfc_link_refresh(struct iavfc_adapter *ad)
{
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	if (ad->started && iavfc_connected(ad) && ad->vf_link_up) {
		link.link_status = RTE_ETH_LINK_UP;
		link.link_speed = ad->link_speed;
	} else {
		link.link_status = RTE_ETH_LINK_DOWN;
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
	}
	if (rte_eth_linkstatus_set(ad->eth_dev, &link) == 0)
		ad->lsc_pending = true;
}

/* ------------------------------------------------------------ DMA mappings */

static int
iavfc_dma_add(struct iavfc_adapter *ad, uintptr_t va, uint64_t iova, uint64_t len, int fd,
	      uint64_t off)
{
	int ret;

	if (ad->nb_maps == ad->maps_cap) {
		uint32_t n = ad->maps_cap == 0 ? 64 : 2 * ad->maps_cap;
		struct iavfc_dma_map *m = realloc(ad->maps, n * sizeof(*m));

		if (m == NULL)
			return -ENOMEM;
		ad->maps = m;
		ad->maps_cap = n;
	}
	ret = rte_vfio_user_client_dma_map(ad->c, fd, off, iova, len,
					   RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE);
	if (ret < 0) {
		IAVFC_LOG(ERR, "%s: DMA map of %p (IOVA 0x%" PRIx64 ", 0x%" PRIx64 " bytes): %s",
			  ad->name, (void *)va, iova, len, strerror(-ret));
		if (ret == -ENOSPC)
			IAVFC_LOG(ERR,
				  "%s: the server takes no more DMA mappings (%u made): "
				  "--single-file-segments and --iova-mode=va need fewer",
				  ad->name, ad->nb_maps);
		iavfc_conn_error(ad, ret, "DMA map");
		return ret;
	}
	ad->maps[ad->nb_maps].va = va;
	ad->maps[ad->nb_maps].iova = iova;
	ad->maps[ad->nb_maps].len = len;
	ad->nb_maps++;
	IAVFC_LOG(DEBUG,
		  "%s: DMA map %p IOVA 0x%" PRIx64 " len 0x%" PRIx64 " (fd %d + 0x%" PRIx64 ")",
		  ad->name, (void *)va, iova, len, fd, off);
	return 0;
}

/*
 * Map [va, va + len) of DPDK memory: its pages, in runs that are contiguous
 * in virtual address, IOVA and file offset of one fd (one mapping for a
 * whole list with --single-file-segments and IOVA as VA).
 * With the memory hotplug lock held, and lock.
 */
static int
iavfc_map_range(struct iavfc_adapter *ad, uintptr_t va, size_t len)
{
	const struct rte_memseg_list *msl = NULL;
	uintptr_t a = va, end = va + len;
	uintptr_t r_va = 0;
	uint64_t r_iova = 0, r_len = 0, r_off = 0;
	int r_fd = -1, ret;

	while (a < end) {
		const struct rte_memseg *ms;
		size_t off;
		int fd;

		if (msl == NULL || a < (uintptr_t)msl->base_va ||
		    a >= (uintptr_t)msl->base_va + msl->len) {
			msl = rte_mem_virt2memseg_list((void *)a);
			if (msl == NULL) {
				IAVFC_LOG(ERR, "%s: %p is not DPDK memory", ad->name, (void *)a);
				return -EINVAL;
			}
			if (msl->external) {
				IAVFC_LOG(WARNING,
					  "%s: external memory at %p is not mapped to the server "
					  "(no file descriptor): packets there cannot be sent or "
					  "received",
					  ad->name, (void *)a);
				a = RTE_MIN(end, (uintptr_t)msl->base_va + msl->len);
				msl = NULL;
				continue;
			}
		}
		ms = rte_mem_virt2memseg((void *)a, msl);
		if (ms == NULL || ms->len == 0) {
			IAVFC_LOG(ERR, "%s: no memory segment at %p", ad->name, (void *)a);
			return -EINVAL;
		}
		if (ms->iova == RTE_BAD_IOVA) {
			IAVFC_LOG(ERR, "%s: memory at %p has no IOVA (try --iova-mode=va)",
				  ad->name, ms->addr);
			return -EINVAL;
		}
		fd = rte_memseg_get_fd_thread_unsafe(ms);
		if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &off) < 0) {
			IAVFC_LOG(ERR,
				  "%s: DPDK memory at %p has no file descriptor (%s): the server "
				  "cannot map it; use hugepages (fd-backed memory)",
				  ad->name, ms->addr, rte_strerror(rte_errno));
			return -ENOTSUP;
		}
		if (r_len > 0 && fd == r_fd && r_va + r_len == (uintptr_t)ms->addr &&
		    r_iova + r_len == ms->iova && r_off + r_len == off) {
			r_len += ms->len;
		} else {
			if (r_len > 0) {
				ret = iavfc_dma_add(ad, r_va, r_iova, r_len, r_fd, r_off);
				if (ret < 0)
					return ret;
			}
			r_va = (uintptr_t)ms->addr;
			r_iova = ms->iova;
			r_len = ms->len;
			r_fd = fd;
			r_off = off;
		}
		a = (uintptr_t)ms->addr + ms->len;
	}
	if (r_len > 0)
		return iavfc_dma_add(ad, r_va, r_iova, r_len, r_fd, r_off);
	return 0;
}

/*
 * Unmap what covers [va, va + len) (being freed); the parts of those
 * mappings outside the range are mapped again. Hotplug lock and lock held.
 */
static void
iavfc_unmap_range(struct iavfc_adapter *ad, uintptr_t va, size_t len)
{
	uintptr_t end = va + len;
	uint32_t i = 0;

	while (i < ad->nb_maps) {
		struct iavfc_dma_map m = ad->maps[i];
		int ret;

		if (m.va + m.len <= va || m.va >= end) {
			i++;
			continue;
		}
		ret = rte_vfio_user_client_dma_unmap(ad->c, m.iova, m.len);
		if (ret < 0) {
			IAVFC_LOG(ERR, "%s: DMA unmap of IOVA 0x%" PRIx64 ": %s", ad->name, m.iova,
				  strerror(-ret));
			iavfc_conn_error(ad, ret, "DMA unmap");
			if (!iavfc_connected(ad))
				return;
		}
		IAVFC_LOG(DEBUG, "%s: DMA unmap %p IOVA 0x%" PRIx64 " len 0x%" PRIx64, ad->name,
			  (void *)m.va, m.iova, m.len);
		ad->maps[i] = ad->maps[--ad->nb_maps];
		/* New entries go to the end and do not overlap the range. */
		if (m.va < va && iavfc_map_range(ad, m.va, va - m.va) < 0)
			IAVFC_LOG(ERR, "%s: memory at %p is no longer mapped", ad->name,
				  (void *)m.va);
		if (m.va + m.len > end && iavfc_map_range(ad, end, m.va + m.len - end) < 0)
			IAVFC_LOG(ERR, "%s: memory at %p is no longer mapped", ad->name,
				  (void *)end);
	}
}

struct iavfc_walk {
	struct iavfc_adapter *ad;
	int ret;
};

static int
iavfc_msl_walk(const struct rte_memseg_list *msl, void *arg)
{
	struct iavfc_walk *w = arg;
	struct rte_fbarray *arr = (struct rte_fbarray *)(uintptr_t)&msl->memseg_arr;
	int idx, n;

	if (msl->external || arr->count == 0 || msl->page_sz == 0)
		return 0;
	idx = rte_fbarray_find_next_used(arr, 0);
	while (idx >= 0) {
		n = rte_fbarray_find_contig_used(arr, idx);
		if (n <= 0)
			break;
		w->ret =
			iavfc_map_range(w->ad, (uintptr_t)msl->base_va + (size_t)idx * msl->page_sz,
					(size_t)n * msl->page_sz);
		if (w->ret < 0)
			return 1;
		idx = rte_fbarray_find_next_used(arr, idx + n);
	}
	return 0;
}

/* Map all of DPDK's memory; takes the hotplug lock, then lock. */
static int
iavfc_map_all(struct iavfc_adapter *ad)
{
	struct iavfc_walk w = {ad, 0};

	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&ad->lock);
	if (iavfc_connected(ad)) {
		rte_memseg_list_walk_thread_unsafe(iavfc_msl_walk, &w);
		if (w.ret == 0) {
			ad->mem_mapped = true; /* callbacks map from now on */
			IAVFC_LOG(INFO, "%s: DPDK memory mapped to the server in %u mapping(s)",
				  ad->name, ad->nb_maps);
		}
	} else {
		w.ret = -ENOTCONN;
	}
	pthread_mutex_unlock(&ad->lock);
	rte_mcfg_mem_read_unlock();
	return w.ret;
}

/* Memory added or about to be removed (hotplug lock held by the caller). */
static void
iavfc_mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	struct iavfc_adapter *ad = arg;

	pthread_mutex_lock(&ad->lock);
	if (iavfc_connected(ad) && ad->mem_mapped) {
		if (type == RTE_MEM_EVENT_ALLOC) {
			if (iavfc_map_range(ad, (uintptr_t)addr, len) < 0)
				IAVFC_LOG(ERR,
					  "%s: new memory at %p (%zu bytes) is not mapped to the "
					  "server: packets there will be lost",
					  ad->name, addr, len);
		} else {
			iavfc_unmap_range(ad, (uintptr_t)addr, len);
		}
	}
	pthread_mutex_unlock(&ad->lock);
}

/* ------------------------------------------------------------- connection */

static int
iavfc_identify(struct iavfc_adapter *ad)
{
	struct rte_vfio_user_device_info di;
	uint8_t cfg[16];
	uint16_t vendor, device, cls, cmd;
	unsigned int i;
	int ret;

	ret = rte_vfio_user_client_device_info(ad->c, &di);
	if (ret < 0) {
		IAVFC_LOG(ERR, "%s: device info: %s", ad->name, strerror(-ret));
		return ret;
	}
	if ((di.flags & RTE_VFIO_USER_DEV_PCI) == 0 ||
	    di.num_regions <= RTE_VFIO_USER_REGION_CONFIG) {
		IAVFC_LOG(ERR, "%s: the server on %s is not a PCI device (flags 0x%x, %u regions)",
			  ad->name, ad->path, di.flags, di.num_regions);
		return -ENODEV;
	}
	ret = rte_vfio_user_client_region_read(ad->c, RTE_VFIO_USER_REGION_CONFIG, 0, cfg,
					       sizeof(cfg));
	if (ret < 0) {
		IAVFC_LOG(ERR, "%s: configuration space: %s", ad->name, strerror(-ret));
		return ret;
	}
	vendor = (uint16_t)(cfg[0] | cfg[1] << 8);
	device = (uint16_t)(cfg[2] | cfg[3] << 8);
	cls = (uint16_t)(cfg[10] | cfg[11] << 8);
	for (i = 0; i < RTE_DIM(iavfc_pci_ids); i++)
		if (device == iavfc_pci_ids[i])
			break;
	if (vendor != IAVFC_PCI_VENDOR_INTEL || i == RTE_DIM(iavfc_pci_ids) ||
	    cls != IAVFC_PCI_CLASS_ETH) {
		IAVFC_LOG(ERR,
			  "%s: the server on %s is not an Intel AVF (PCI %04x:%04x class %04x; "
			  "an AVF is 8086:1889, 154c, 1571, 37cd or 374d, class 0200)",
			  ad->name, ad->path, vendor, device, cls);
		return -ENODEV;
	}
	/* Memory space and bus mastering on, as a PCI driver does. */
	cmd = (uint16_t)(cfg[4] | cfg[5] << 8);
	cmd |= IAVFC_PCI_COMMAND_MEMORY | IAVFC_PCI_COMMAND_MASTER;
	cfg[4] = (uint8_t)cmd;
	cfg[5] = (uint8_t)(cmd >> 8);
	ret = rte_vfio_user_client_region_write(ad->c, RTE_VFIO_USER_REGION_CONFIG,
						IAVFC_PCI_COMMAND, &cfg[4], 2, false);
	if (ret < 0) {
		IAVFC_LOG(ERR, "%s: PCI command register: %s", ad->name, strerror(-ret));
		return ret;
	}
	if (di.flags & RTE_VFIO_USER_DEV_RESET) {
		ret = rte_vfio_user_client_reset(ad->c);
		if (ret < 0) {
			IAVFC_LOG(ERR, "%s: device reset: %s", ad->name, strerror(-ret));
			return ret;
		}
	}
	IAVFC_LOG(INFO, "%s: AVF %04x:%04x on %s", ad->name, vendor, device, ad->path);
	return 0;
}

/* Map the BAR0 pages that hold QTX_TAIL1(q) and QRX_TAIL1(q). */
static int
iavfc_map_tails(struct iavfc_adapter *ad)
{
	static const uint32_t pages[2] = {EMU_IAVF_TX_TAIL_PAGE, EMU_IAVF_RX_TAIL_PAGE};
	const uint64_t span = 4u * IAVFC_MAX_QUEUES;
	struct rte_vfio_user_region_info ri;
	uint8_t *p[2] = {NULL, NULL};
	struct stat st;
	unsigned int i, j;
	int ret;

	memset(&ri, 0, sizeof(ri));
	ret = rte_vfio_user_client_region_info(ad->c, RTE_VFIO_USER_REGION_BAR0, &ri);
	if (ret < 0) {
		IAVFC_LOG(ERR, "%s: BAR0 information: %s", ad->name, strerror(-ret));
		return ret;
	}
	if (ri.size < EMU_IAVF_BAR0_SIZE ||
	    (ri.flags & (RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE)) !=
		    (RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE)) {
		IAVFC_LOG(ERR,
			  "%s: BAR0 of 0x%" PRIx64 " bytes, flags 0x%x: not an AVF register file",
			  ad->name, ri.size, ri.flags);
		return -ENODEV;
	}
	if (ri.fd < 0) {
		IAVFC_LOG(ERR,
			  "%s: BAR0 has no mmappable tail pages (the server traps every "
			  "register): not supported",
			  ad->name);
		return -ENOTSUP;
	}
	/*
	 * The tail pages are written from the data path: the file behind them
	 * must cover them (a shorter one would fault on the first doorbell).
	 */
	if (fstat(ri.fd, &st) < 0 ||
	    (S_ISREG(st.st_mode) &&
	     (uint64_t)st.st_size < ri.fd_offset + EMU_IAVF_RX_TAIL_PAGE + span)) {
		IAVFC_LOG(ERR, "%s: the file behind BAR0 does not cover the tail registers",
			  ad->name);
		return -EPROTO;
	}
	if (ri.nr_sparse == 0) {
		uint8_t *base = rte_vfio_user_client_region_mmap(ad->c, RTE_VFIO_USER_REGION_BAR0,
								 UINT32_MAX);

		if (base == NULL) {
			IAVFC_LOG(ERR, "%s: mmap of BAR0: %s", ad->name, rte_strerror(rte_errno));
			return -rte_errno;
		}
		ad->tx_tail_page = base + EMU_IAVF_TX_TAIL_PAGE;
		ad->rx_tail_page = base + EMU_IAVF_RX_TAIL_PAGE;
		return 0;
	}
	for (i = 0; i < 2; i++) {
		for (j = 0; j < RTE_MIN(ri.nr_sparse, RTE_VFIO_USER_MAX_SPARSE); j++) {
			const struct rte_vfio_user_sparse_area *a = &ri.sparse[j];

			if (a->offset <= pages[i] && a->size >= span &&
			    pages[i] - a->offset <= a->size - span)
				break;
		}
		if (j == RTE_MIN(ri.nr_sparse, RTE_VFIO_USER_MAX_SPARSE)) {
			IAVFC_LOG(ERR,
				  "%s: BAR0 offset 0x%x (%s tails) is not in an mmappable area: "
				  "not supported",
				  ad->name, pages[i], i == 0 ? "transmit" : "receive");
			return -ENOTSUP;
		}
		p[i] = rte_vfio_user_client_region_mmap(ad->c, RTE_VFIO_USER_REGION_BAR0, j);
		if (p[i] == NULL) {
			IAVFC_LOG(ERR, "%s: mmap of BAR0 area %u: %s", ad->name, j,
				  rte_strerror(rte_errno));
			return -rte_errno;
		}
		p[i] += pages[i] - ri.sparse[j].offset;
	}
	ad->tx_tail_page = p[0];
	ad->rx_tail_page = p[1];
	return 0;
}

/*
 * The device's counters (GET_STATS) on a new connection: keep what was
 * counted so far (the server may have been restarted, its counters too).
 */
static void
iavfc_dev_counters_rebase(struct iavfc_adapter *ad)
{
	uint64_t c[IAVFC_NB_DEV_XSTATS], last[IAVFC_NB_DEV_XSTATS], base[IAVFC_NB_DEV_XSTATS];
	struct virtchnl_eth_stats cur;
	unsigned int i;

	if (iavfc_vc_get_stats(ad, &cur) < 0)
		return;
	memcpy(c, &cur, sizeof(c));
	memcpy(last, &ad->dev_last, sizeof(last));
	memcpy(base, &ad->dev_base, sizeof(base));
	for (i = 0; i < IAVFC_NB_DEV_XSTATS; i++)
		base[i] = c[i] - (last[i] - base[i]);
	memcpy(&ad->dev_base, base, sizeof(base));
	ad->dev_last = cur;
}

/* Drop the connection (unmaps the tail pages: the data path must be stopped). */
static void
iavfc_detach(struct iavfc_adapter *ad, bool reset)
{
	pthread_mutex_lock(&ad->lock);
	if (ad->c != NULL) {
		if (reset && iavfc_connected(ad) && ad->aq_ready) {
			if (iavfc_vc_reset(ad) < 0)
				IAVFC_LOG(WARNING, "%s: VF reset failed", ad->name);
		}
		/* No admin queue in our memory once it is unmapped. */
		iavfc_aq_shutdown(ad);
		if (ad->nb_maps > 0 && iavfc_connected(ad))
			rte_vfio_user_client_dma_unmap_all(ad->c);
		rte_vfio_user_client_close(ad->c);
		ad->c = NULL;
		IAVFC_LOG(INFO, "%s: disconnected from %s", ad->name, ad->path);
	}
	__atomic_store_n(&ad->dp_on, 0, __ATOMIC_RELEASE);
	ad->gone = false;
	ad->nb_maps = 0;
	ad->mem_mapped = false;
	ad->aq_ready = false;
	ad->tx_tail_page = NULL;
	ad->rx_tail_page = NULL;
	ad->vf_link_up = false;
	ad->enabled_on_dev = false;
	ad->mac_added = false;
	ad->promisc_dev = 0;
	iavfc_link_refresh(ad);
	pthread_mutex_unlock(&ad->lock);
}

/*
 * Connect to the server and bring the VF up to GET_VF_RESOURCES: identity,
 * reset, tail pages, DMA mappings, admin queue, version, resources.
 * Called without lock.
 */
static int
iavfc_attach(struct iavfc_adapter *ad)
{
	struct rte_vfio_user_client *c;
	int ret;

	c = rte_vfio_user_client_connect(ad->path, NULL);
	if (c == NULL) {
		ret = rte_errno;
		switch (ret) {
		case ENOENT:
			IAVFC_LOG(ERR, "%s: no socket %s: is the server (e.g. emu_iavf) running?",
				  ad->name, ad->path);
			break;
		case ECONNREFUSED:
			IAVFC_LOG(ERR, "%s: nobody serves %s (connection refused)", ad->name,
				  ad->path);
			break;
		case EPROTO:
			IAVFC_LOG(ERR, "%s: the server on %s does not speak vfio-user", ad->name,
				  ad->path);
			break;
		default:
			IAVFC_LOG(ERR, "%s: cannot connect to %s: %s", ad->name, ad->path,
				  rte_strerror(ret));
			break;
		}
		return -ret;
	}
	pthread_mutex_lock(&ad->lock);
	ad->c = c;
	ad->gone = false;
	ad->nb_maps = 0;
	ret = iavfc_identify(ad);
	if (ret == 0)
		ret = iavfc_map_tails(ad);
	pthread_mutex_unlock(&ad->lock);
	if (ret < 0)
		goto fail;

	ret = iavfc_map_all(ad);
	if (ret < 0)
		goto fail;

	pthread_mutex_lock(&ad->lock);
	ret = iavfc_aq_init(ad);
	if (ret == 0)
		ret = iavfc_vc_version(ad);
	if (ret == 0)
		ret = iavfc_vc_get_resources(ad);
	if (ret == 0)
		iavfc_dev_counters_rebase(ad);
	pthread_mutex_unlock(&ad->lock);
	if (ret < 0)
		goto fail;
	return 0;
fail:
	iavfc_detach(ad, false);
	return ret < 0 ? ret : -EIO;
}

/* ------------------------------------------------------------------ alarm */

static void iavfc_alarm(void *arg);

static void
iavfc_lsc_raise(struct iavfc_adapter *ad)
{
	bool raise;

	pthread_mutex_lock(&ad->lock);
	raise = ad->lsc_pending;
	ad->lsc_pending = false;
	pthread_mutex_unlock(&ad->lock);
	if (raise && ad->eth_dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(ad->eth_dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

static void
iavfc_alarm(void *arg)
{
	struct iavfc_adapter *ad = arg;
	bool closing;

	pthread_mutex_lock(&ad->lock);
	if (!ad->closing && iavfc_connected(ad)) {
		struct pollfd pfd = {
			.fd = rte_vfio_user_client_fd(ad->c),
			.events = POLLRDHUP,
		};

		if (poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			iavfc_conn_error(ad, -ECONNRESET, "socket hang-up");
		else
			iavfc_arq_poll(ad);
	}
	closing = ad->closing;
	pthread_mutex_unlock(&ad->lock);
	if (closing)
		return;
	if (rte_eal_alarm_set(IAVFC_ALARM_US, iavfc_alarm, ad) < 0)
		IAVFC_LOG(ERR, "%s: cannot re-arm the link alarm: link changes are no longer seen",
			  ad->name);
	/*
	 * Last: the application's callback may close the port (which cancels
	 * the alarm just set and frees ad).
	 */
	iavfc_lsc_raise(ad);
}

/* ------------------------------------------------------- ethdev operations */

static int
iavfc_dev_configure(struct rte_eth_dev *dev)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	struct rte_eth_conf *conf = &dev->data->dev_conf;

	if (dev->data->nb_rx_queues > ad->nb_qp || dev->data->nb_tx_queues > ad->nb_qp) {
		IAVFC_LOG(ERR, "%s: %u rx and %u tx queues asked, %u queue pairs available",
			  ad->name, dev->data->nb_rx_queues, dev->data->nb_tx_queues, ad->nb_qp);
		return -EINVAL;
	}
	if (conf->rxmode.mq_mode != RTE_ETH_MQ_RX_NONE && dev->data->nb_rx_queues > 1)
		IAVFC_LOG(WARNING, "%s: no RSS: the device chooses the receive queue", ad->name);
	return 0;
}

static int
iavfc_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct iavfc_adapter *ad = dev->data->dev_private;

	info->max_rx_queues = ad->nb_qp;
	info->max_tx_queues = ad->nb_qp;
	info->max_mac_addrs = 1;
	info->min_rx_bufsize = EMU_IAVF_RX_BUF_MIN;
	info->max_rx_pktlen = IAVFC_MAX_FRAME;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = ad->max_mtu;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	info->rx_desc_lim.nb_max = IAVFC_RING_MAX;
	info->rx_desc_lim.nb_min = IAVFC_RING_MIN;
	info->rx_desc_lim.nb_align = IAVFC_RING_ALIGN;
	info->tx_desc_lim.nb_max = IAVFC_RING_MAX;
	info->tx_desc_lim.nb_min = IAVFC_RING_MIN;
	info->tx_desc_lim.nb_align = IAVFC_RING_ALIGN;
	info->tx_desc_lim.nb_seg_max = IAVFC_TX_MAX_SEGS;
	info->tx_desc_lim.nb_mtu_seg_max = IAVFC_TX_MAX_SEGS;
	info->default_rxconf.rx_free_thresh = IAVFC_BURST;
	info->default_rxportconf.burst_size = IAVFC_BURST;
	info->default_txportconf.burst_size = IAVFC_BURST;
	info->default_rxportconf.ring_size = IAVFC_RING_DEFAULT;
	info->default_txportconf.ring_size = IAVFC_RING_DEFAULT;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	return 0;
}

static int
iavfc_zone_reserve(struct rte_eth_dev *dev, const char *what, uint16_t qid, size_t size, int socket,
		   const struct rte_memzone **mz)
{
	/* Aligned to its size (a power of 2): never across a page boundary. */
	size_t align = rte_align64pow2(RTE_MAX(size, (size_t)IAVFC_RING_BASE_ALIGN));

	*mz = rte_eth_dma_zone_reserve(dev, what, qid, size, (unsigned int)align, socket);
	if (*mz == NULL) {
		IAVFC_LOG(ERR, "port %u: no memory for the %s of queue %u (%zu bytes)",
			  dev->data->port_id, what, qid, size);
		return -ENOMEM;
	}
	memset((*mz)->addr, 0, size);
	return 0;
}

static void
iavfc_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct iavfc_rxq *q = dev->data->rx_queues[qid];

	if (q == NULL)
		return;
	iavfc_rxq_stop(q);
	if (q->mz != NULL)
		rte_eth_dma_zone_free(dev, "rx_ring", qid);
	rte_free(q->sw_ring);
	rte_free(q);
	dev->data->rx_queues[qid] = NULL;
}

static void
iavfc_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct iavfc_txq *q = dev->data->tx_queues[qid];

	if (q == NULL)
		return;
	iavfc_txq_stop(q);
	if (q->mz != NULL)
		rte_eth_dma_zone_free(dev, "tx_ring", qid);
	rte_free(q->sw_ring);
	rte_free(q->rs);
	rte_free(q);
	dev->data->tx_queues[qid] = NULL;
}

static int
iavfc_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc, unsigned int socket,
		     const struct rte_eth_rxconf *conf, struct rte_mempool *mp)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	struct iavfc_rxq *q;
	uint32_t room, buf;
	int ret;

	if (nb_desc < IAVFC_RING_MIN || nb_desc > IAVFC_RING_MAX || nb_desc % IAVFC_RING_ALIGN) {
		IAVFC_LOG(ERR, "%s: rx queue %u: %u descriptors (%u..%u, a multiple of %u)",
			  ad->name, qid, nb_desc, IAVFC_RING_MIN, IAVFC_RING_MAX, IAVFC_RING_ALIGN);
		return -EINVAL;
	}
	if (conf->rx_deferred_start) {
		IAVFC_LOG(ERR, "%s: deferred start is not supported", ad->name);
		return -EINVAL;
	}
	room = rte_pktmbuf_data_room_size(mp);
	buf = room > RTE_PKTMBUF_HEADROOM ? room - RTE_PKTMBUF_HEADROOM : 0;
	buf = RTE_MIN(buf, (uint32_t)EMU_IAVF_RX_BUF_MAX) & ~(EMU_IAVF_RX_BUF_ALIGN - 1);
	if (buf < EMU_IAVF_RX_BUF_MIN) {
		IAVFC_LOG(ERR, "%s: rx queue %u: mbufs of %u bytes of data room are too small",
			  ad->name, qid, room);
		return -EINVAL;
	}
	iavfc_rx_queue_release(dev, qid);

	q = rte_zmalloc_socket("iavfc_rxq", sizeof(*q), RTE_CACHE_LINE_SIZE, (int)socket);
	if (q == NULL)
		return -ENOMEM;
	q->sw_ring = rte_zmalloc_socket("iavfc_rx_sw", nb_desc * sizeof(q->sw_ring[0]),
					RTE_CACHE_LINE_SIZE, (int)socket);
	if (q->sw_ring == NULL) {
		rte_free(q);
		return -ENOMEM;
	}
	ret = iavfc_zone_reserve(dev, "rx_ring", qid, (size_t)nb_desc * IAVFC_RX_DESC_SIZE,
				 (int)socket, &q->mz);
	if (ret < 0) {
		rte_free(q->sw_ring);
		rte_free(q);
		return ret;
	}
	q->ad = ad;
	q->ring = q->mz->addr;
	q->ring_iova = q->mz->iova;
	q->mp = mp;
	q->nb_desc = nb_desc;
	q->queue_id = qid;
	q->port_id = dev->data->port_id;
	q->buf_len = (uint16_t)buf;
	q->free_thresh = conf->rx_free_thresh != 0 ? conf->rx_free_thresh : IAVFC_BURST;
	if (q->free_thresh >= nb_desc)
		q->free_thresh = IAVFC_BURST;
	if (dev->data->mtu + IAVFC_ETH_OVERHEAD > buf)
		dev->data->scattered_rx = 1;
	dev->data->rx_queues[qid] = q;
	return 0;
}

static int
iavfc_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc, unsigned int socket,
		     const struct rte_eth_txconf *conf)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	struct iavfc_txq *q;
	int ret;

	if (nb_desc < IAVFC_RING_MIN || nb_desc > IAVFC_RING_MAX || nb_desc % IAVFC_RING_ALIGN) {
		IAVFC_LOG(ERR, "%s: tx queue %u: %u descriptors (%u..%u, a multiple of %u)",
			  ad->name, qid, nb_desc, IAVFC_RING_MIN, IAVFC_RING_MAX, IAVFC_RING_ALIGN);
		return -EINVAL;
	}
	if (conf->tx_deferred_start) {
		IAVFC_LOG(ERR, "%s: deferred start is not supported", ad->name);
		return -EINVAL;
	}
	iavfc_tx_queue_release(dev, qid);

	q = rte_zmalloc_socket("iavfc_txq", sizeof(*q), RTE_CACHE_LINE_SIZE, (int)socket);
	if (q == NULL)
		return -ENOMEM;
	q->sw_ring = rte_zmalloc_socket("iavfc_tx_sw", nb_desc * sizeof(q->sw_ring[0]),
					RTE_CACHE_LINE_SIZE, (int)socket);
	q->rs = rte_zmalloc_socket("iavfc_tx_rs", nb_desc * sizeof(q->rs[0]), RTE_CACHE_LINE_SIZE,
				   (int)socket);
	if (q->sw_ring == NULL || q->rs == NULL) {
		rte_free(q->sw_ring);
		rte_free(q->rs);
		rte_free(q);
		return -ENOMEM;
	}
	ret = iavfc_zone_reserve(dev, "tx_ring", qid, (size_t)nb_desc * IAVFC_TX_DESC_SIZE,
				 (int)socket, &q->mz);
	if (ret < 0) {
		rte_free(q->sw_ring);
		rte_free(q->rs);
		rte_free(q);
		return ret;
	}
	q->ad = ad;
	q->ring = q->mz->addr;
	q->ring_iova = q->mz->iova;
	q->nb_desc = nb_desc;
	q->queue_id = qid;
	q->fast_free = ((conf->offloads | dev->data->dev_conf.txmode.offloads) &
			RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE) != 0;
	q->nb_free = (uint16_t)(nb_desc - 1);
	dev->data->tx_queues[qid] = q;
	return 0;
}

/* Stop every queue's data (the data path is no longer called). */
static void
iavfc_queues_stop(struct rte_eth_dev *dev)
{
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		if (dev->data->rx_queues[i] != NULL)
			iavfc_rxq_stop(dev->data->rx_queues[i]);
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		if (dev->data->tx_queues[i] != NULL)
			iavfc_txq_stop(dev->data->tx_queues[i]);
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
}

static int
iavfc_dev_start(struct rte_eth_dev *dev)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	struct rte_ether_addr old_mac = ad->dev_mac;
	bool reconnect;
	uint16_t i;
	int ret;

	if (dev->data->nb_rx_queues == 0 && dev->data->nb_tx_queues == 0)
		return -EINVAL;
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		if (dev->data->rx_queues[i] == NULL)
			return -EINVAL;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		if (dev->data->tx_queues[i] == NULL)
			return -EINVAL;

	pthread_mutex_lock(&ad->lock);
	reconnect = !iavfc_connected(ad);
	pthread_mutex_unlock(&ad->lock);
	if (reconnect) {
		IAVFC_LOG(NOTICE, "%s: reconnecting to %s", ad->name, ad->path);
		iavfc_detach(ad, false);
		ret = iavfc_attach(ad);
		if (ret < 0)
			return ret;
		if (dev->data->nb_rx_queues > ad->dev_qp || dev->data->nb_tx_queues > ad->dev_qp) {
			IAVFC_LOG(ERR, "%s: the device now offers %u queue pairs, the port has %u",
				  ad->name, ad->dev_qp,
				  RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues));
			return -EINVAL;
		}
		/* A default MAC follows the device's; one the application set stays. */
		if (rte_is_same_ether_addr(&dev->data->mac_addrs[0], &old_mac))
			rte_ether_addr_copy(&ad->dev_mac, &dev->data->mac_addrs[0]);
		IAVFC_LOG(NOTICE, "%s: reconnected to %s", ad->name, ad->path);
	}

	/* Buffers first: mbuf allocation must not happen under lock. */
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		ret = iavfc_rxq_start(dev->data->rx_queues[i]);
		if (ret < 0) {
			iavfc_queues_stop(dev);
			return ret;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		iavfc_txq_start(dev->data->tx_queues[i]);

	pthread_mutex_lock(&ad->lock);
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct iavfc_rxq *q = dev->data->rx_queues[i];

		q->tail = (volatile uint32_t *)(void *)(ad->rx_tail_page + 4u * i);
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct iavfc_txq *q = dev->data->tx_queues[i];

		q->tail = (volatile uint32_t *)(void *)(ad->tx_tail_page + 4u * i);
	}
	ret = iavfc_vc_config_queues(ad);
	if (ret == 0)
		ret = iavfc_vc_irq_map(ad);
	if (ret == 0) {
		/* Receive buffers: all descriptors but one (latched until enabled). */
		for (i = 0; i < dev->data->nb_rx_queues; i++) {
			struct iavfc_rxq *q = dev->data->rx_queues[i];

			rte_io_wmb();
			rte_write32_relaxed(rte_cpu_to_le_32(q->nb_desc - 1u), q->tail);
		}
		ret = iavfc_vc_eth_addr(ad, &dev->data->mac_addrs[0], true);
		if (ret == 0) {
			ad->mac_added = true;
			ad->mac_on_dev = dev->data->mac_addrs[0];
		}
	}
	if (ret == 0 && ad->promisc_flags != ad->promisc_dev) {
		ret = iavfc_vc_promisc(ad, ad->promisc_flags);
		if (ret == 0)
			ad->promisc_dev = ad->promisc_flags;
	}
	if (ret == 0)
		ret = iavfc_vc_queues(ad, true);
	if (ret < 0) {
		IAVFC_LOG(ERR, "%s: start failed: %s", ad->name, strerror(-ret));
		if (ad->mac_added && iavfc_connected(ad))
			iavfc_vc_eth_addr(ad, &ad->mac_on_dev, false);
		ad->mac_added = false;
		pthread_mutex_unlock(&ad->lock);
		iavfc_queues_stop(dev);
		return ret;
	}
	ad->enabled_on_dev = true;
	ad->started = true;
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	__atomic_store_n(&ad->dp_on, 1, __ATOMIC_RELEASE);
	/* LINK_CHANGE follows ENABLE_QUEUES: pick it up now. */
	iavfc_arq_poll(ad);
	iavfc_link_refresh(ad);
	pthread_mutex_unlock(&ad->lock);
	IAVFC_LOG(INFO, "%s: started: %u rx, %u tx queues", ad->name, dev->data->nb_rx_queues,
		  dev->data->nb_tx_queues);
	return 0;
}

static int
iavfc_dev_stop(struct rte_eth_dev *dev)
{
	struct iavfc_adapter *ad = dev->data->dev_private;

	pthread_mutex_lock(&ad->lock);
	__atomic_store_n(&ad->dp_on, 0, __ATOMIC_RELEASE);
	if (ad->enabled_on_dev && iavfc_connected(ad)) {
		if (iavfc_vc_queues(ad, false) < 0)
			IAVFC_LOG(WARNING, "%s: DISABLE_QUEUES failed", ad->name);
	}
	ad->enabled_on_dev = false;
	if (ad->mac_added && iavfc_connected(ad))
		iavfc_vc_eth_addr(ad, &ad->mac_on_dev, false);
	ad->mac_added = false;
	ad->started = false;
	iavfc_link_refresh(ad);
	pthread_mutex_unlock(&ad->lock);
	iavfc_queues_stop(dev);
	return 0;
}

static int
iavfc_dev_close(struct rte_eth_dev *dev)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	if (ad->started)
		iavfc_dev_stop(dev);

	pthread_mutex_lock(&ad->lock);
	ad->closing = true;
	pthread_mutex_unlock(&ad->lock);
	rte_eal_alarm_cancel(iavfc_alarm, ad);
	if (ad->mem_cb) {
		rte_mem_event_callback_unregister(ad->mem_cb_name, ad);
		ad->mem_cb = false;
	}
	iavfc_detach(ad, true);

	for (i = 0; i < dev->data->nb_rx_queues; i++)
		iavfc_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		iavfc_tx_queue_release(dev, i);
	rte_memzone_free(ad->aq_mz);
	ad->aq_mz = NULL;
	free(ad->maps);
	ad->maps = NULL;
	ad->maps_cap = 0;
	pthread_mutex_destroy(&ad->lock);
	IAVFC_LOG(INFO, "%s: closed", ad->name);
	return 0;
}

static int
iavfc_link_update(struct rte_eth_dev *dev, int wait_to_complete __rte_unused)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	struct rte_eth_link old = dev->data->dev_link;

	pthread_mutex_lock(&ad->lock);
	iavfc_arq_poll(ad);
	iavfc_link_refresh(ad);
	pthread_mutex_unlock(&ad->lock);
	return old.link_status == dev->data->dev_link.link_status ? -1 : 0;
}

static void
iavfc_dev_counters(struct iavfc_adapter *ad, struct virtchnl_eth_stats *cur)
{
	/* The device's counters (last known when the server is away). */
	if (iavfc_connected(ad) && iavfc_vc_get_stats(ad, cur) == 0)
		ad->dev_last = *cur;
	else
		*cur = ad->dev_last;
}

/* A queue's counters since the last reset (the data path writes them). */
static void
iavfc_qstats_since(const struct iavfc_qstats *s, const struct iavfc_qstats *base,
		   struct iavfc_qstats *d)
{
	d->packets = __atomic_load_n(&s->packets, __ATOMIC_RELAXED) - base->packets;
	d->bytes = __atomic_load_n(&s->bytes, __ATOMIC_RELAXED) - base->bytes;
	d->errors = __atomic_load_n(&s->errors, __ATOMIC_RELAXED) - base->errors;
}

/* A queue's counters as they are now become its zero. */
static void
iavfc_qstats_rebase(struct iavfc_qstats *base, const struct iavfc_qstats *s)
{
	base->packets = __atomic_load_n(&s->packets, __ATOMIC_RELAXED);
	base->bytes = __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
	base->errors = __atomic_load_n(&s->errors, __ATOMIC_RELAXED);
}

static int
iavfc_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	struct virtchnl_eth_stats ds;
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct iavfc_rxq *q = dev->data->rx_queues[i];
		struct iavfc_qstats d;

		if (q == NULL)
			continue;
		iavfc_qstats_since(&q->stats, &q->base, &d);
		st->ipackets += d.packets;
		st->ibytes += d.bytes;
		st->ierrors += d.errors;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[i] = d.packets;
			st->q_ibytes[i] = d.bytes;
			st->q_errors[i] = d.errors;
		}
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct iavfc_txq *q = dev->data->tx_queues[i];
		struct iavfc_qstats d;

		if (q == NULL)
			continue;
		iavfc_qstats_since(&q->stats, &q->base, &d);
		st->opackets += d.packets;
		st->obytes += d.bytes;
		st->oerrors += d.errors;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[i] = d.packets;
			st->q_obytes[i] = d.bytes;
		}
	}
	/* What the device could not deliver to our receive rings. */
	pthread_mutex_lock(&ad->lock);
	iavfc_dev_counters(ad, &ds);
	st->imissed = ds.rx_discards - ad->dev_base.rx_discards;
	pthread_mutex_unlock(&ad->lock);
	return 0;
}

static int
iavfc_stats_reset(struct rte_eth_dev *dev)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct iavfc_rxq *q = dev->data->rx_queues[i];

		if (q != NULL)
			iavfc_qstats_rebase(&q->base, &q->stats);
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		struct iavfc_txq *q = dev->data->tx_queues[i];

		if (q != NULL)
			iavfc_qstats_rebase(&q->base, &q->stats);
	}
	pthread_mutex_lock(&ad->lock);
	iavfc_dev_counters(ad, &ad->dev_base);
	pthread_mutex_unlock(&ad->lock);
	return 0;
}

static int
iavfc_xstats_get_names(struct rte_eth_dev *dev __rte_unused, struct rte_eth_xstat_name *names,
		       unsigned int size)
{
	unsigned int i;

	if (names == NULL || size < IAVFC_NB_DEV_XSTATS)
		return IAVFC_NB_DEV_XSTATS;
	for (i = 0; i < IAVFC_NB_DEV_XSTATS; i++)
		snprintf(names[i].name, sizeof(names[i].name), "%s", iavfc_dev_xstat_names[i]);
	return IAVFC_NB_DEV_XSTATS;
}

static int
iavfc_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	uint64_t cur[IAVFC_NB_DEV_XSTATS], base[IAVFC_NB_DEV_XSTATS];
	struct virtchnl_eth_stats ds;
	unsigned int i;

	if (xs == NULL || n < IAVFC_NB_DEV_XSTATS)
		return IAVFC_NB_DEV_XSTATS;
	pthread_mutex_lock(&ad->lock);
	iavfc_dev_counters(ad, &ds);
	memcpy(cur, &ds, sizeof(cur));
	memcpy(base, &ad->dev_base, sizeof(base));
	pthread_mutex_unlock(&ad->lock);
	for (i = 0; i < IAVFC_NB_DEV_XSTATS; i++) {
		xs[i].id = i;
		xs[i].value = cur[i] - base[i];
	}
	return IAVFC_NB_DEV_XSTATS;
}

static int
iavfc_xstats_reset(struct rte_eth_dev *dev)
{
	return iavfc_stats_reset(dev);
}

static int
iavfc_promisc_set(struct rte_eth_dev *dev, uint16_t flag, bool on)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	uint16_t flags;
	int ret = 0;

	pthread_mutex_lock(&ad->lock);
	flags = on ? ad->promisc_flags | flag : ad->promisc_flags & ~flag;
	if (iavfc_connected(ad) && flags != ad->promisc_dev) {
		ret = iavfc_vc_promisc(ad, flags);
		if (ret == 0)
			ad->promisc_dev = flags;
	}
	if (ret == 0)
		ad->promisc_flags = flags;
	pthread_mutex_unlock(&ad->lock);
	return ret;
}

static int
iavfc_promisc_enable(struct rte_eth_dev *dev)
{
	return iavfc_promisc_set(dev, VIRTCHNL_FLAG_UNICAST_PROMISC, true);
}

static int
iavfc_promisc_disable(struct rte_eth_dev *dev)
{
	return iavfc_promisc_set(dev, VIRTCHNL_FLAG_UNICAST_PROMISC, false);
}

static int
iavfc_allmulti_enable(struct rte_eth_dev *dev)
{
	return iavfc_promisc_set(dev, VIRTCHNL_FLAG_MULTICAST_PROMISC, true);
}

static int
iavfc_allmulti_disable(struct rte_eth_dev *dev)
{
	return iavfc_promisc_set(dev, VIRTCHNL_FLAG_MULTICAST_PROMISC, false);
}

static int
iavfc_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct iavfc_adapter *ad = dev->data->dev_private;
	int ret = 0;

	pthread_mutex_lock(&ad->lock);
	if (ad->mac_added && iavfc_connected(ad)) {
		ret = iavfc_vc_eth_addr(ad, mac, true);
		if (ret == 0) {
			iavfc_vc_eth_addr(ad, &ad->mac_on_dev, false);
			ad->mac_on_dev = *mac;
		}
	}
	pthread_mutex_unlock(&ad->lock);
	return ret;
}

static int
iavfc_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct iavfc_adapter *ad = dev->data->dev_private;

	if (mtu < RTE_ETHER_MIN_MTU || mtu > ad->max_mtu)
		return -EINVAL;
	if (dev->data->dev_started) {
		IAVFC_LOG(ERR, "%s: stop the port to change its MTU", ad->name);
		return -EBUSY;
	}
	return 0;
}

static const struct eth_dev_ops iavfc_ops = {
	.dev_configure = iavfc_dev_configure,
	.dev_start = iavfc_dev_start,
	.dev_stop = iavfc_dev_stop,
	.dev_close = iavfc_dev_close,
	.dev_infos_get = iavfc_dev_infos_get,
	.link_update = iavfc_link_update,
	.rx_queue_setup = iavfc_rx_queue_setup,
	.rx_queue_release = iavfc_rx_queue_release,
	.tx_queue_setup = iavfc_tx_queue_setup,
	.tx_queue_release = iavfc_tx_queue_release,
	.tx_done_cleanup = iavfc_tx_done_cleanup,
	.stats_get = iavfc_stats_get,
	.stats_reset = iavfc_stats_reset,
	.xstats_get = iavfc_xstats_get,
	.xstats_get_names = iavfc_xstats_get_names,
	.xstats_reset = iavfc_xstats_reset,
	.promiscuous_enable = iavfc_promisc_enable,
	.promiscuous_disable = iavfc_promisc_disable,
	.allmulticast_enable = iavfc_allmulti_enable,
	.allmulticast_disable = iavfc_allmulti_disable,
	.mac_addr_set = iavfc_mac_addr_set,
	.mtu_set = iavfc_mtu_set,
};

/* ------------------------------------------------------------ probe/remove */

static int
iavfc_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *eth_dev;
	struct iavfc_adapter *ad;
	struct iavfc_args a;
	char mzname[RTE_MEMZONE_NAMESIZE];
	size_t aq_size;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		IAVFC_LOG(ERR, "%s: only a primary process can drive the device", name);
		return -ENOTSUP;
	}
	ret = iavfc_parse_args(name, rte_vdev_device_args(vdev), &a);
	if (ret < 0)
		return ret;

	eth_dev = rte_eth_vdev_allocate(vdev, sizeof(*ad));
	if (eth_dev == NULL)
		return -ENOMEM;
	ad = eth_dev->data->dev_private;
	ad->eth_dev = eth_dev;
	snprintf(ad->name, sizeof(ad->name), "%s", name);
	snprintf(ad->path, sizeof(ad->path), "%s", a.path);
	ad->req_qp = a.queues;
	pthread_mutex_init(&ad->lock, NULL);
	eth_dev->dev_ops = &iavfc_ops;
	eth_dev->rx_pkt_burst = iavfc_recv_pkts;
	eth_dev->tx_pkt_burst = iavfc_xmit_pkts;
	eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;

	eth_dev->data->mac_addrs =
		rte_zmalloc_socket(name, RTE_ETHER_ADDR_LEN, 0, vdev->device.numa_node);
	/* Admin queue rings and buffers, aligned to their size (one page). */
	aq_size = 2u * IAVFC_AQ_LEN * sizeof(struct emu_iavf_aq_desc) +
		(IAVFC_AQ_LEN + 1u) * IAVFC_AQ_BUF_SIZE;
	snprintf(mzname, sizeof(mzname), "iavfc_aq_%u", eth_dev->data->port_id);
	ad->aq_mz = rte_memzone_reserve_aligned(mzname, aq_size, vdev->device.numa_node,
						RTE_MEMZONE_IOVA_CONTIG,
						(unsigned int)rte_align64pow2(aq_size));
	if (eth_dev->data->mac_addrs == NULL || ad->aq_mz == NULL) {
		IAVFC_LOG(ERR, "%s: out of memory", name);
		ret = -ENOMEM;
		goto fail;
	}
	memset(ad->aq_mz->addr, 0, aq_size);
	ad->atq = ad->aq_mz->addr;
	ad->arq = ad->atq + IAVFC_AQ_LEN;
	ad->atq_buf = (uint8_t *)ad->aq_mz->addr + 2u * IAVFC_AQ_LEN * sizeof(ad->atq[0]);
	ad->arq_buf = ad->atq_buf + IAVFC_AQ_BUF_SIZE;
	ad->atq_iova = ad->aq_mz->iova;
	ad->arq_iova = ad->atq_iova + IAVFC_AQ_LEN * sizeof(ad->atq[0]);
	ad->atq_buf_iova = ad->atq_iova + 2u * IAVFC_AQ_LEN * sizeof(ad->atq[0]);
	ad->arq_buf_iova = ad->atq_buf_iova + IAVFC_AQ_BUF_SIZE;

	/* Memory added later is mapped by the callback (from the first mapping on). */
	snprintf(ad->mem_cb_name, sizeof(ad->mem_cb_name), "iavf_client_%s", name);
	if (rte_mem_event_callback_register(ad->mem_cb_name, iavfc_mem_event, ad) == 0)
		ad->mem_cb = true;
	else if (rte_errno != ENOTSUP)
		IAVFC_LOG(WARNING,
			  "%s: no memory event callback (%s): memory added later is "
			  "not mapped to the server",
			  name, rte_strerror(rte_errno));

	ret = iavfc_attach(ad);
	if (ret < 0)
		goto fail;
	if (ad->req_qp > ad->dev_qp) {
		IAVFC_LOG(ERR, "%s: queues=%u asked, the device offers %u queue pair(s)", name,
			  ad->req_qp, ad->dev_qp);
		ret = -EINVAL;
		goto fail_detach;
	}
	ad->nb_qp = ad->req_qp != 0 ? ad->req_qp : ad->dev_qp;
	rte_ether_addr_copy(&ad->dev_mac, &eth_dev->data->mac_addrs[0]);
	eth_dev->data->mtu = RTE_MIN((uint16_t)RTE_ETHER_MTU, ad->max_mtu);
	pthread_mutex_lock(&ad->lock);
	iavfc_link_refresh(ad);
	ad->lsc_pending = false;
	pthread_mutex_unlock(&ad->lock);

	ret = rte_eal_alarm_set(IAVFC_ALARM_US, iavfc_alarm, ad);
	if (ret < 0) {
		IAVFC_LOG(ERR, "%s: link alarm: %s", name, strerror(-ret));
		goto fail_detach;
	}
	rte_eth_dev_probing_finish(eth_dev);
	IAVFC_LOG(INFO, "%s: port %u on %s: %u queue pair(s), MAC " RTE_ETHER_ADDR_PRT_FMT, name,
		  eth_dev->data->port_id, ad->path, ad->nb_qp,
		  RTE_ETHER_ADDR_BYTES(&eth_dev->data->mac_addrs[0]));
	return 0;

fail_detach:
	iavfc_detach(ad, true);
fail:
	if (ad->mem_cb)
		rte_mem_event_callback_unregister(ad->mem_cb_name, ad);
	ad->mem_cb = false;
	rte_memzone_free(ad->aq_mz);
	free(ad->maps);
	pthread_mutex_destroy(&ad->lock);
	rte_eth_dev_release_port(eth_dev);
	return ret;
}

static int
iavfc_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (eth_dev == NULL)
		return 0; /* closed already */
	return rte_eth_dev_close(eth_dev->data->port_id);
}

static struct rte_vdev_driver iavfc_vdev_driver = {
	.probe = iavfc_probe,
	.remove = iavfc_remove,
};

RTE_PMD_REGISTER_VDEV(net_iavf_client, iavfc_vdev_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_iavf_client, "path=<vfio-user socket> queues=<1-16>");
