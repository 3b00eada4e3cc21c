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
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_fbarray.h>
#include <rte_io.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>

#include "emu_kvargs.h"
#include "iavf_client.h"

/* pmd.net.iavf_client (RTE_LOG_DEFAULT_LOGTYPE, from meson.build) */
RTE_LOG_REGISTER_DEFAULT(iavfc_logtype, NOTICE);
RTE_DEFINE_PER_LCORE(int, iavfc_log_quiet);

/* PCI identities of an AVF (what Linux iavf and DPDK iavf bind to). */
static const uint16_t iavfc_pci_ids[] = {0x1889, 0x154C, 0x1571, 0x37CD, 0x374D};

#define AVF_PCI_VENDOR_ID 0x8086u
#define IAVFC_PCI_CLASS_ETH (AVF_PCI_CLASS >> 8) /* class and subclass */
#define IAVFC_PCI_COMMAND 0x04u
#define IAVFC_PCI_COMMAND_MEMORY 0x2u
#define IAVFC_PCI_COMMAND_MASTER 0x4u

/* Number of device counters (GET_STATS) exposed as xstats. */
#define IAVFC_NB_DEV_XSTATS (sizeof(struct virtchnl_eth_stats) / sizeof(uint64_t))
/* And the driver's own: tx_unmapped_drops, rx_reconnect_discards, reconnects. */
#define IAVFC_NB_XSTATS (IAVFC_NB_DEV_XSTATS + 3)

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
	uint32_t reconnect_ms;
	uint32_t move_pause_ms;
};

static int
iavfc_arg_path(struct emu_kvargs *p, const char *key __rte_unused, const char *val)
{
	struct iavfc_args *a = p->arg;

	if (emu_kvargs_str(val, a->path, sizeof(a->path)) < 0) {
		EMU_KVARGS_ERR(p, "argument \"path\": longer than %zu bytes", sizeof(a->path) - 1);
		return -1;
	}
	return 0;
}

static int
iavfc_arg_reconnect(struct emu_kvargs *p, const char *key __rte_unused, const char *val)
{
	struct iavfc_args *a = p->arg;
	uint64_t ms;

	if (emu_kvargs_uint(val, 0, IAVFC_RECONNECT_MAX_MS, &ms) < 0 ||
	    (ms != 0 && ms < IAVFC_RECONNECT_MIN_MS)) {
		EMU_KVARGS_ERR(p,
			       "argument \"reconnect\": \"%s\" is not a retry period in ms: 0 (no "
			       "automatic reconnection) or %u..%u",
			       val, IAVFC_RECONNECT_MIN_MS, IAVFC_RECONNECT_MAX_MS);
		return -1;
	}
	a->reconnect_ms = (uint32_t)ms;
	return 0;
}

static int
iavfc_arg_move_pause(struct emu_kvargs *p, const char *key __rte_unused, const char *val)
{
	struct iavfc_args *a = p->arg;
	uint64_t ms;

	if (emu_kvargs_uint(val, IAVFC_MOVE_PAUSE_MIN_MS, IAVFC_MOVE_PAUSE_MAX_MS, &ms) < 0) {
		EMU_KVARGS_ERR(p,
			       "argument \"move_pause_ms\": \"%s\" is not the longest pause of the "
			       "data path during a move in ms: %u..%u",
			       val, IAVFC_MOVE_PAUSE_MIN_MS, IAVFC_MOVE_PAUSE_MAX_MS);
		return -1;
	}
	a->move_pause_ms = (uint32_t)ms;
	return 0;
}

static int
iavfc_parse_args(const char *name, const char *args, struct iavfc_args *a)
{
	static const struct emu_kvargs_key keys[] = {
		{IAVFC_ARG_PATH, iavfc_arg_path},
		EMU_KVARGS_NUM(IAVFC_ARG_QUEUES, struct iavfc_args, queues, 1, AVF_MAX_QUEUE_PAIRS,
			       "a number of queue pairs"),
		{IAVFC_ARG_RECONNECT, iavfc_arg_reconnect},
		{IAVFC_ARG_MOVE_PAUSE, iavfc_arg_move_pause},
	};
	struct emu_kvargs p = {
		.name = name,
		.logtype = iavfc_logtype,
		.prefix = "IAVF_CLIENT: ",
		.known = "path, queues, reconnect, move_pause_ms",
		.keys = keys,
		.nb_keys = RTE_DIM(keys),
		.arg = a,
	};

	memset(a, 0, sizeof(*a));
	a->move_pause_ms = IAVFC_MOVE_PAUSE_DEF_MS;
	if (emu_kvargs_parse(&p, args) < 0)
		return -EINVAL;
	if (a->path[0] == '\0') {
		EMU_KVARGS_ERR(&p,
			       "argument \"path\" (the vfio-user socket of the device) is "
			       "required");
		return -EINVAL;
	}
	return 0;
}

/* --------------------------------------------------------------- link */

/* Recompute the link; a change raises LSC from the alarm. Under lock. */
void
iavfc_link_refresh(struct iavfc_adapter *ad)
{
	struct rte_eth_link link;

	if (ad->scratch)
		return;
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

static void iavfc_pool_alarm(void *arg);
static void iavfc_callbacks_off(struct iavfc_adapter *ad);
static void iavfc_adapter_free(struct rte_eth_dev *dev, struct iavfc_adapter *ad);

/* ------------------------------------------------------------ DMA mappings */

/*
 * What the server sees. Each owner (the DMA zone, a mempool) has "wants":
 * whole pages of DPDK memory the server must reach. The DMA mappings of a
 * connection cover exactly the union of the wants, in runs that are
 * contiguous in virtual address, IOVA and file offset of one fd (so that a
 * pool in few memory chunks takes few of the server's max_dma_maps). A
 * mapping is never changed while what it covers is still wanted: new wants
 * map only what is not covered yet; dropped wants unmap the mappings they
 * no longer fully justify and map again what others still want.
 *
 * Everything here runs with the memory hotplug lock (read or write) and
 * lock held, unless said otherwise.
 */

static int
iavfc_dma_add(struct iavfc_adapter *ad, uintptr_t va, uint64_t iova, uint64_t len, int fd,
	      uint64_t off)
{
	const struct rte_vfio_user_client_caps *caps = rte_vfio_user_client_caps(ad->c);
	int ret;

	if (caps != NULL && ad->nb_maps >= caps->max_dma_maps) {
		IAVFC_LOG(ERR,
			  "%s: the server takes at most %u DMA mappings: %p (0x%" PRIx64
			  " bytes) is not mapped (--single-file-segments and --iova-mode=va "
			  "need fewer)",
			  ad->name, caps->max_dma_maps, (void *)va, len);
		return -ENOSPC;
	}
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
 * Map [va, va + len) of DPDK memory (whole pages): its pages, in runs that
 * are contiguous in virtual address, IOVA and file offset of one fd.
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
			if (msl == NULL || msl->external) {
				IAVFC_LOG(ERR,
					  "%s: %p is not DPDK memory with a file descriptor: the "
					  "server cannot map it",
					  ad->name, (void *)a);
				return -ENOTSUP;
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

/* Map what of [va, va + len) no mapping covers yet. */
static int
iavfc_map_uncovered(struct iavfc_adapter *ad, uintptr_t va, uint64_t len)
{
	uintptr_t cur = va, end = va + len;

	while (cur < end) {
		uintptr_t next = end;
		bool inside = false;
		uint32_t i;
		int ret;

		for (i = 0; i < ad->nb_maps; i++) {
			const struct iavfc_dma_map *m = &ad->maps[i];

			if (m->va <= cur && cur < m->va + m->len) {
				cur = m->va + m->len;
				inside = true;
				break;
			}
			if (m->va > cur && m->va < next)
				next = m->va;
		}
		if (inside)
			continue;
		ret = iavfc_map_range(ad, cur, next - cur);
		if (ret < 0)
			return ret;
		cur = next;
	}
	return 0;
}

/* Is all of [va, va + len) wanted by some owner? */
static bool
iavfc_wanted(const struct iavfc_adapter *ad, uintptr_t va, uint64_t len)
{
	uintptr_t cur = va, end = va + len;

	while (cur < end) {
		uint32_t i;

		for (i = 0; i < ad->nb_wants; i++) {
			const struct iavfc_dma_want *w = &ad->wants[i];

			if (w->va <= cur && cur < w->va + w->len) {
				cur = w->va + w->len;
				break;
			}
		}
		if (i == ad->nb_wants)
			return false;
	}
	return true;
}

/*
 * Unmap the mappings that cover memory no longer wanted, and map again
 * the parts of them that still are.
 */
static void
iavfc_dma_reconcile(struct iavfc_adapter *ad)
{
	uint32_t i = 0, j;

	while (i < ad->nb_maps) {
		struct iavfc_dma_map m = ad->maps[i];
		int ret;

		if (iavfc_wanted(ad, m.va, m.len)) {
			i++;
			continue;
		}
		if (iavfc_connected(ad)) {
			ret = rte_vfio_user_client_dma_unmap(ad->c, m.iova, m.len);
			if (ret < 0) {
				IAVFC_LOG(ERR, "%s: DMA unmap of IOVA 0x%" PRIx64 ": %s", ad->name,
					  m.iova, strerror(-ret));
				iavfc_conn_error(ad, ret, "DMA unmap");
			}
		}
		IAVFC_LOG(DEBUG, "%s: DMA unmap %p IOVA 0x%" PRIx64 " len 0x%" PRIx64, ad->name,
			  (void *)m.va, m.iova, m.len);
		ad->maps[i] = ad->maps[--ad->nb_maps];
		if (!iavfc_connected(ad))
			continue;
		/* New mappings go to the end; they are wanted, so kept. */
		for (j = 0; j < ad->nb_wants; j++) {
			const struct iavfc_dma_want *w = &ad->wants[j];
			uintptr_t a = RTE_MAX(w->va, m.va);
			uintptr_t b = RTE_MIN(w->va + w->len, m.va + m.len);

			if (a < b && iavfc_map_uncovered(ad, a, b - a) < 0)
				IAVFC_LOG(ERR, "%s: memory at %p is no longer mapped", ad->name,
					  (void *)a);
		}
	}
}

/* Add [va, va + len) (whole pages) to what owner wants mapped. */
static int
iavfc_want_add(struct iavfc_adapter *ad, uintptr_t va, uint64_t len, const void *owner)
{
	if (ad->nb_wants == ad->wants_cap) {
		uint32_t n = ad->wants_cap == 0 ? 16 : 2 * ad->wants_cap;
		struct iavfc_dma_want *w = realloc(ad->wants, n * sizeof(*w));

		if (w == NULL)
			return -ENOMEM;
		ad->wants = w;
		ad->wants_cap = n;
	}
	ad->wants[ad->nb_wants].va = va;
	ad->wants[ad->nb_wants].len = len;
	ad->wants[ad->nb_wants].owner = owner;
	ad->nb_wants++;
	return 0;
}

/* Map everything owner wants (connected). */
int
iavfc_map_owner(struct iavfc_adapter *ad, const void *owner)
{
	uint32_t i;
	int ret;

	for (i = 0; i < ad->nb_wants; i++) {
		if (ad->wants[i].owner != owner)
			continue;
		ret = iavfc_map_uncovered(ad, ad->wants[i].va, ad->wants[i].len);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Forget what owner wants; unmap what nobody else wants. */
static void
iavfc_drop_owner(struct iavfc_adapter *ad, const void *owner)
{
	uint32_t i, n = 0;

	for (i = 0; i < ad->nb_wants; i++)
		if (ad->wants[i].owner != owner)
			ad->wants[n++] = ad->wants[i];
	ad->nb_wants = n;
	iavfc_dma_reconcile(ad);
}

/* ------------------------------------------------------------------ mempools */

/*
 * Mempools: a receive queue's pool is mapped at dev_start; a pool the
 * transmit path meets for the first time is asked for by the data path
 * (iavfc_pool_request(): one pool at a time, no lock) and mapped from the
 * control path (an alarm), its packets dropped and counted meanwhile; a
 * pool destroyed is unmapped (mempool event). A pool that cannot be mapped
 * (memory without file descriptor, the server refuses) is remembered as
 * refused: its packets are dropped and counted, never given to the server.
 */

static struct iavfc_pool *
iavfc_pool_find(struct iavfc_adapter *ad, const struct rte_mempool *mp)
{
	unsigned int i;

	for (i = 0; i < IAVFC_MAX_POOLS; i++)
		if (ad->pools[i].mp == mp && ad->pools[i].state != IAVFC_POOL_FREE)
			return &ad->pools[i];
	return NULL;
}

/* The data path may use a pool from now on (state first, then the pointer). */
static void
iavfc_pool_publish(struct iavfc_pool *p, struct rte_mempool *mp, uint32_t state)
{
	__atomic_store_n(&p->state, state, __ATOMIC_RELEASE);
	__atomic_store_n(&p->mp, mp, __ATOMIC_RELEASE);
}

/* The data path must no longer take a pool as mapped. */
static void
iavfc_pool_unpublish(struct iavfc_adapter *ad, struct iavfc_pool *p, uint32_t state)
{
	if (state == IAVFC_POOL_FREE)
		__atomic_store_n(&p->mp, NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&p->state, state, __ATOMIC_RELEASE);
	__atomic_fetch_add(&ad->pool_gen, 1, __ATOMIC_RELEASE);
}

struct iavfc_chunks {
	struct iavfc_adapter *ad;
	int ret;
};

static void
iavfc_pool_chunk(struct rte_mempool *mp, void *arg, struct rte_mempool_memhdr *mh,
		 unsigned int idx __rte_unused)
{
	struct iavfc_chunks *ck = arg;
	const struct rte_memseg_list *msl;
	uintptr_t a, b;

	if (ck->ret < 0)
		return;
	msl = rte_mem_virt2memseg_list(mh->addr);
	if (msl == NULL || msl->external || msl->page_sz == 0) {
		IAVFC_LOG(ERR,
			  "%s: mempool %s: memory at %p is not DPDK memory with a file "
			  "descriptor: the server cannot map it",
			  ck->ad->name, mp->name, mh->addr);
		ck->ret = -ENOTSUP;
		return;
	}
	/* Whole pages: the server maps the file at page granularity. */
	a = RTE_ALIGN_FLOOR((uintptr_t)mh->addr, msl->page_sz);
	b = RTE_ALIGN_CEIL((uintptr_t)mh->addr + mh->len, msl->page_sz);
	ck->ret = iavfc_want_add(ck->ad, a, b - a, mp);
}

/*
 * Make mp's memory reachable by the server (now when connected, else at
 * the next attach). @return 0, or a negative errno (the pool is refused).
 */
static int
iavfc_pool_add(struct iavfc_adapter *ad, struct rte_mempool *mp)
{
	struct iavfc_chunks ck = {ad, 0};
	struct iavfc_pool *p;
	unsigned int i;

	p = iavfc_pool_find(ad, mp);
	if (p != NULL && p->state == IAVFC_POOL_MAPPED)
		return 0;
	if (p == NULL) {
		for (i = 0; i < IAVFC_MAX_POOLS; i++)
			if (ad->pools[i].state == IAVFC_POOL_FREE)
				break;
		if (i == IAVFC_MAX_POOLS) {
			IAVFC_LOG(ERR, "%s: mempool %s: the port maps at most %u mempools",
				  ad->name, mp->name, IAVFC_MAX_POOLS);
			return -ENOSPC;
		}
		p = &ad->pools[i];
	}
	if (mp->private_data_size >= sizeof(struct rte_pktmbuf_pool_private) &&
	    (rte_pktmbuf_priv_flags(mp) & RTE_PKTMBUF_POOL_F_PINNED_EXT_BUF)) {
		/* The data is in external memory, which is never mapped. */
		IAVFC_LOG(ERR, "%s: mempool %s has pinned external buffers: not supported",
			  ad->name, mp->name);
		ck.ret = -ENOTSUP;
	}
	if (ck.ret == 0)
		rte_mempool_mem_iter(mp, iavfc_pool_chunk, &ck);
	if (ck.ret == 0 && iavfc_connected(ad))
		ck.ret = iavfc_map_owner(ad, mp);
	if (ck.ret < 0) {
		iavfc_drop_owner(ad, mp);
		iavfc_pool_publish(p, mp, IAVFC_POOL_REFUSED);
		IAVFC_LOG(ERR,
			  "%s: mempool %s cannot be mapped to the server: its packets are "
			  "dropped",
			  ad->name, mp->name);
		return ck.ret;
	}
	iavfc_pool_publish(p, mp, IAVFC_POOL_MAPPED);
	IAVFC_LOG(INFO, "%s: mempool %s mapped to the server (%u mapping(s) in all)", ad->name,
		  mp->name, ad->nb_maps);
	return 0;
}

/* A pool goes away: unmap it. */
static void
iavfc_pool_remove(struct iavfc_adapter *ad, struct iavfc_pool *p)
{
	const struct rte_mempool *mp = p->mp;

	iavfc_pool_unpublish(ad, p, IAVFC_POOL_FREE);
	iavfc_drop_owner(ad, mp);
}

/* Mempool life cycle (any thread, no lock held). */
static void
iavfc_mempool_event(enum rte_mempool_event ev, struct rte_mempool *mp, void *arg)
{
	struct iavfc_adapter *ad = arg;
	struct iavfc_pool *p;

	if (ev != RTE_MEMPOOL_EVENT_DESTROY)
		return;
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&ad->lock);
	p = iavfc_pool_find(ad, mp);
	if (p != NULL) {
		IAVFC_LOG(INFO, "%s: mempool %s destroyed: unmapped", ad->name, mp->name);
		iavfc_pool_remove(ad, p);
	}
	pthread_mutex_unlock(&ad->lock);
	rte_mcfg_mem_read_unlock();
}

void
iavfc_pool_request(struct iavfc_adapter *ad, struct rte_mempool *mp)
{
	struct rte_mempool *none = NULL;

	if (__atomic_load_n(&ad->pool_req, __ATOMIC_RELAXED) != NULL ||
	    !__atomic_compare_exchange_n(&ad->pool_req, &none, mp, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		return;
	/* Served at once; else by the link alarm. */
	rte_eal_alarm_set(1, iavfc_pool_alarm, ad);
}

struct iavfc_pool_walk {
	struct iavfc_adapter *ad;
	struct rte_mempool *mp;
	bool found;
};

/* (mempool list lock held: the pool cannot be freed meanwhile) */
static void
iavfc_pool_walk_cb(struct rte_mempool *mp, void *arg)
{
	struct iavfc_pool_walk *w = arg;

	if (mp != w->mp || w->found)
		return;
	w->found = true;
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&w->ad->lock);
	if (!w->ad->closing)
		iavfc_pool_add(w->ad, mp);
	pthread_mutex_unlock(&w->ad->lock);
	rte_mcfg_mem_read_unlock();
}

/* Map the pool the data path asked for, if it is one (no lock held). */
static void
iavfc_pool_serve(struct iavfc_adapter *ad)
{
	struct iavfc_pool_walk w = {ad, __atomic_load_n(&ad->pool_req, __ATOMIC_ACQUIRE), false};
	unsigned int i;

	if (w.mp == NULL)
		return;
	rte_mempool_walk(iavfc_pool_walk_cb, &w);
	if (!w.found) {
		/* Not a mempool: remembered as refused, never dereferenced. */
		pthread_mutex_lock(&ad->lock);
		for (i = 0; i < IAVFC_MAX_POOLS; i++) {
			if (ad->pools[i].state == IAVFC_POOL_FREE) {
				iavfc_pool_publish(&ad->pools[i], w.mp, IAVFC_POOL_REFUSED);
				break;
			}
		}
		pthread_mutex_unlock(&ad->lock);
		IAVFC_LOG(ERR, "%s: transmitted mbufs of %p, which is not a mempool: dropped",
			  ad->name, (void *)w.mp);
	}
	__atomic_store_n(&ad->pool_req, NULL, __ATOMIC_RELEASE);
}

static void
iavfc_pool_alarm(void *arg)
{
	iavfc_pool_serve(arg);
}

/*
 * On a new connection: the DMA zone, then every pool the port has used
 * (a pool that cannot be mapped any more is refused).
 */
static int
iavfc_map_wanted(struct iavfc_adapter *ad)
{
	unsigned int i;
	int ret;

	ret = iavfc_map_owner(ad, ad->zone);
	if (ret < 0)
		return ret;
	for (i = 0; i < IAVFC_MAX_POOLS && iavfc_connected(ad); i++) {
		struct iavfc_pool *p = &ad->pools[i];
		const struct rte_mempool *mp = p->mp;

		if (p->state != IAVFC_POOL_MAPPED)
			continue;
		if (iavfc_map_owner(ad, mp) < 0) {
			IAVFC_LOG(ERR, "%s: mempool %s cannot be mapped to the server any more",
				  ad->name, mp->name);
			iavfc_pool_unpublish(ad, p, IAVFC_POOL_REFUSED);
			iavfc_drop_owner(ad, mp);
		}
	}
	if (!iavfc_connected(ad))
		return -ENOTCONN;
	IAVFC_LOG(INFO, "%s: DMA zone and mempools mapped to the server in %u mapping(s)", ad->name,
		  ad->nb_maps);
	return 0;
}

/*
 * Memory about to be freed (hotplug lock held by the caller). What the
 * port maps is unmapped before it is freed (zone at close, pools on their
 * destroy event): anything else here is a bug; unmap it anyway.
 */
static void
iavfc_mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	struct iavfc_adapter *ad = arg;
	uintptr_t a = (uintptr_t)addr, b = a + len;
	uint32_t i;

	if (type != RTE_MEM_EVENT_FREE)
		return;
	pthread_mutex_lock(&ad->lock);
	for (i = 0; i < IAVFC_MAX_POOLS; i++) {
		struct iavfc_pool *p = &ad->pools[i];
		uint32_t j;

		if (p->state != IAVFC_POOL_MAPPED)
			continue;
		for (j = 0; j < ad->nb_wants; j++) {
			const struct iavfc_dma_want *w = &ad->wants[j];

			if (w->owner == p->mp && w->va < b && a < w->va + w->len)
				break;
		}
		if (j < ad->nb_wants) {
			IAVFC_LOG(ERR, "%s: memory of mempool %p freed while mapped: unmapped",
				  ad->name, (void *)p->mp);
			iavfc_pool_remove(ad, p);
		}
	}
	pthread_mutex_unlock(&ad->lock);
}

/* ------------------------------------------------------------- connection */

/* Sizes and flags of the device's regions and IRQ indices (into ad->ident). */
static int
iavfc_ident_resources(struct iavfc_adapter *ad)
{
	struct iavfc_ident *id = &ad->ident;
	struct rte_vfio_user_region_info ri;
	uint32_t i;
	int ret;

	for (i = 0; i < RTE_MIN(id->num_regions, IAVFC_IDENT_REGIONS); i++) {
		memset(&ri, 0, sizeof(ri));
		ret = rte_vfio_user_client_region_info(ad->c, i, &ri);
		if (ret < 0) {
			IAVFC_LOG(ERR, "%s: region %u information: %s", ad->name, i,
				  strerror(-ret));
			return ret;
		}
		id->region[i].size = ri.size;
		id->region[i].flags = ri.flags &
			(RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE |
			 RTE_VFIO_USER_REGION_MMAP);
	}
	for (i = 0; i < RTE_MIN(id->num_irqs, IAVFC_IDENT_IRQS); i++) {
		ret = rte_vfio_user_client_irq_info(ad->c, i, &id->irq[i].count, &id->irq[i].flags);
		if (ret < 0) {
			IAVFC_LOG(ERR, "%s: IRQ index %u information: %s", ad->name, i,
				  strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/*
 * Check that the server is an AVF, note its identity (ad->ident), turn
 * memory space and bus mastering on and reset it. Under lock.
 */
int
iavfc_identify(struct iavfc_adapter *ad)
{
	struct rte_vfio_user_device_info di;
	uint8_t cfg[0x30];
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
	if (vendor != AVF_PCI_VENDOR_ID || i == RTE_DIM(iavfc_pci_ids) ||
	    cls != IAVFC_PCI_CLASS_ETH) {
		IAVFC_LOG(ERR,
			  "%s: the server on %s is not an Intel AVF (PCI %04x:%04x class %04x; "
			  "an AVF is 8086:1889, 154c, 1571, 37cd or 374d, class 0200)",
			  ad->name, ad->path, vendor, device, cls);
		return -ENODEV;
	}
	memset(&ad->ident, 0, sizeof(ad->ident));
	ad->ident.vendor = vendor;
	ad->ident.device = device;
	ad->ident.class_rev = (uint32_t)cfg[8] | (uint32_t)cfg[9] << 8 | (uint32_t)cfg[10] << 16 |
		(uint32_t)cfg[11] << 24;
	ad->ident.header_type = cfg[14];
	ad->ident.subsys_vendor = (uint16_t)(cfg[0x2c] | cfg[0x2d] << 8);
	ad->ident.subsys_device = (uint16_t)(cfg[0x2e] | cfg[0x2f] << 8);
	ad->ident.dev_flags = di.flags;
	ad->ident.num_regions = di.num_regions;
	ad->ident.num_irqs = di.num_irqs;
	ret = iavfc_ident_resources(ad);
	if (ret < 0)
		return ret;
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
int
iavfc_map_tails(struct iavfc_adapter *ad)
{
	static const uint32_t pages[2] = {AVF_TX_TAIL_PAGE, AVF_RX_TAIL_PAGE};
	const uint64_t span = 4u * AVF_MAX_QUEUE_PAIRS;
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
	if (ri.size < AVF_BAR0_SIZE ||
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
	     (uint64_t)st.st_size < ri.fd_offset + AVF_RX_TAIL_PAGE + span)) {
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
		ad->tx_tail_page = base + AVF_TX_TAIL_PAGE;
		ad->rx_tail_page = base + AVF_RX_TAIL_PAGE;
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
void
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
	ad->aq_ready = false;
	ad->aq_regs = false;
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
	struct stat st;
	int ret;

	/* No socket file: nobody serves the path (and no library message). */
	if (stat(ad->path, &st) < 0 && errno == ENOENT) {
		IAVFC_LOG(ERR, "%s: no socket %s: is the server (e.g. emu_iavf) running?", ad->name,
			  ad->path);
		return -ENOENT;
	}
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
		case EBUSY:
			IAVFC_LOG(ERR,
				  "%s: the device on %s already has a client (one at a time): "
				  "refused with EBUSY",
				  ad->name, ad->path);
			break;
		default:
			IAVFC_LOG(ERR, "%s: cannot connect to %s: %s", ad->name, ad->path,
				  rte_strerror(ret));
			break;
		}
		return -ret;
	}
	/*
	 * Retrying quietly: the first server met since the loss is worth the
	 * messages (a refused device says why); later ones, every so often.
	 */
	if (RTE_PER_LCORE(iavfc_log_quiet) && !ad->reconn_met_server)
		RTE_PER_LCORE(iavfc_log_quiet) = 0;
	ad->reconn_met_server = true;
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

	/* The hotplug lock first (memseg file descriptors), then lock. */
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&ad->lock);
	ret = iavfc_map_wanted(ad);
	pthread_mutex_unlock(&ad->lock);
	rte_mcfg_mem_read_unlock();
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
	/* A pool the transmit path asked for, if its own alarm could not be set. */
	iavfc_pool_serve(ad);
	if (rte_eal_alarm_set(IAVFC_ALARM_US, iavfc_alarm, ad) < 0)
		IAVFC_LOG(ERR, "%s: cannot re-arm the link alarm: link changes are no longer seen",
			  ad->name);
	/*
	 * Last: the application's callback may close the port (which cancels
	 * the alarm just set and frees ad).
	 */
	iavfc_lsc_raise(ad);
}

/* ------------------------------------------------------------ reconnection */

static void iavfc_reconnect_alarm(void *arg);

/*
 * Stop the data path and wait until no burst runs on any queue (see the
 * top of iavf_client.h). conn_lock held, the port started (its queues
 * cannot change); lock may be held (a move): a burst never waits for
 * anything of the control path, so this ends as soon as the bursts running
 * now end.
 */
void
iavfc_dp_quiesce(struct iavfc_adapter *ad)
{
	const struct rte_eth_dev_data *data = ad->eth_dev->data;
	uint64_t t0 = rte_get_timer_cycles();
	bool warned = false;
	uint32_t i;

	__atomic_store_n(&ad->dp_on, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < (uint32_t)data->nb_rx_queues + data->nb_tx_queues; i++) {
		uint32_t *busy;

		if (i < data->nb_rx_queues) {
			struct iavfc_rxq *q = data->rx_queues[i];

			busy = q != NULL ? &q->busy : NULL;
		} else {
			struct iavfc_txq *q = data->tx_queues[i - data->nb_rx_queues];

			busy = q != NULL ? &q->busy : NULL;
		}
		while (busy != NULL && __atomic_load_n(busy, __ATOMIC_SEQ_CST) != 0) {
			if (!warned && rte_get_timer_cycles() - t0 > rte_get_timer_hz()) {
				IAVFC_LOG(WARNING,
					  "%s: a burst has been running for over 1 s (its lcore "
					  "is not scheduled?): waiting for it",
					  ad->name);
				warned = true;
			}
			rte_delay_us_sleep(20);
		}
	}
}

/*
 * Set the reconnect alarm if automatic reconnection is on and it is not
 * set yet. Under lock.
 */
static void
iavfc_reconnect_arm(struct iavfc_adapter *ad)
{
	int ret;

	if (ad->reconnect_ms == 0 || ad->closing || ad->reconn_armed)
		return;
	ret = rte_eal_alarm_set((uint64_t)ad->reconnect_ms * 1000u, iavfc_reconnect_alarm, ad);
	if (ret < 0) {
		IAVFC_LOG(ERR, "%s: cannot set the reconnect alarm: %s: no automatic reconnection",
			  ad->name, strerror(-ret));
		return;
	}
	ad->reconn_armed = true;
}

/*
 * The connection is lost (the server hung up, a request failed, the device
 * announced a reset): the data path stops at its next burst (no wait: the
 * tail pages stay mapped until the connection is replaced), the link goes
 * down, and with reconnect=MS the reconnect alarm retries every MS. Under
 * lock.
 */
void
iavfc_conn_lost(struct iavfc_adapter *ad)
{
	ad->gone = true;
	if (ad->scratch)
		return;
	__atomic_store_n(&ad->dp_on, 0, __ATOMIC_SEQ_CST);
	iavfc_link_refresh(ad);
	if (ad->reconnect_ms != 0 && !ad->reconn_armed) {
		ad->lost_tsc = rte_get_timer_cycles();
		ad->reconn_tries = 0;
		ad->reconn_met_server = false;
		iavfc_reconnect_arm(ad);
	}
}

/*
 * Give the device the port's configuration and enable its queues: ring
 * addresses and sizes, interrupt map, receive buffers, MAC address,
 * promiscuous modes. The queues' software state is ready (started, or
 * reset after a reconnection). On success the data path is on. Under lock,
 * connected.
 */
void
iavfc_tails_set(struct iavfc_adapter *ad)
{
	struct rte_eth_dev_data *data = ad->eth_dev->data;
	uint16_t i;

	for (i = 0; i < data->nb_rx_queues; i++) {
		struct iavfc_rxq *q = data->rx_queues[i];

		if (q != NULL)
			q->tail = (volatile uint32_t *)(void *)(ad->rx_tail_page + 4u * i);
	}
	for (i = 0; i < data->nb_tx_queues; i++) {
		struct iavfc_txq *q = data->tx_queues[i];

		if (q != NULL)
			q->tail = (volatile uint32_t *)(void *)(ad->tx_tail_page + 4u * i);
	}
}

static int
iavfc_bringup(struct iavfc_adapter *ad)
{
	struct rte_eth_dev_data *data = ad->eth_dev->data;
	uint16_t i;
	int ret;

	iavfc_tails_set(ad);
	ret = iavfc_vc_config_queues(ad);
	if (ret == 0)
		ret = iavfc_vc_irq_map(ad);
	if (ret == 0) {
		/* Receive buffers: all descriptors but one (latched until enabled). */
		for (i = 0; i < data->nb_rx_queues; i++) {
			struct iavfc_rxq *q = data->rx_queues[i];

			rte_io_wmb();
			rte_write32_relaxed(rte_cpu_to_le_32(q->nb_desc - 1u), q->tail);
		}
		ret = iavfc_vc_eth_addr(ad, &data->mac_addrs[0], true);
		if (ret == 0) {
			ad->mac_added = true;
			ad->mac_on_dev = data->mac_addrs[0];
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
		return ret;
	}
	ad->enabled_on_dev = true;
	ad->started = true;
	__atomic_store_n(&ad->dp_on, 1, __ATOMIC_SEQ_CST);
	/* LINK_CHANGE follows ENABLE_QUEUES: pick it up now. */
	iavfc_arq_poll(ad);
	iavfc_link_refresh(ad);
	return 0;
}

/*
 * Connect again and, if the port is started, bring the device up with the
 * port's configuration. conn_lock held, not lock.
 */
static int
iavfc_reconnect(struct iavfc_adapter *ad)
{
	struct rte_eth_dev_data *data = ad->eth_dev->data;
	struct rte_ether_addr old_mac = ad->dev_mac;
	uint16_t i;
	int ret;

	/* No burst may use the old tail pages or rings from here on. */
	if (ad->started)
		iavfc_dp_quiesce(ad);
	iavfc_detach(ad, false);
	ret = iavfc_attach(ad);
	if (ret < 0)
		return ret;
	/* The new device is checked like at probe (attach); it must also fit the port. */
	if (ad->dev_qp < ad->nb_qp) {
		IAVFC_LOG(ERR,
			  "%s: the device on %s now offers %u queue pair(s), the port has %u: "
			  "refused",
			  ad->name, ad->path, ad->dev_qp, ad->nb_qp);
		ret = -EPROTO;
	} else if (ad->max_mtu < data->mtu) {
		IAVFC_LOG(ERR,
			  "%s: the device on %s now takes an MTU of %u, the port's is %u: refused",
			  ad->name, ad->path, ad->max_mtu, data->mtu);
		ret = -EPROTO;
	}
	if (ret < 0) {
		iavfc_detach(ad, false);
		return ret;
	}
	if (!rte_is_same_ether_addr(&old_mac, &ad->dev_mac))
		IAVFC_LOG(NOTICE,
			  "%s: the device's MAC address is now " RTE_ETHER_ADDR_PRT_FMT
			  ": the port keeps " RTE_ETHER_ADDR_PRT_FMT,
			  ad->name, RTE_ETHER_ADDR_BYTES(&ad->dev_mac),
			  RTE_ETHER_ADDR_BYTES(&data->mac_addrs[0]));
	if (!ad->started)
		return 0;
	/* The new device starts every ring at descriptor 0. */
	for (i = 0; i < data->nb_rx_queues; i++)
		iavfc_rxq_reset(data->rx_queues[i]);
	for (i = 0; i < data->nb_tx_queues; i++)
		iavfc_txq_reset(data->tx_queues[i]);
	pthread_mutex_lock(&ad->lock);
	ret = iavfc_bringup(ad);
	pthread_mutex_unlock(&ad->lock);
	if (ret < 0)
		iavfc_detach(ad, false);
	return ret;
}

/* EAL alarm: one reconnection attempt; set again until one succeeds. */
static void
iavfc_reconnect_alarm(void *arg)
{
	struct iavfc_adapter *ad = arg;
	uint64_t now, hz = rte_get_timer_hz();
	uint32_t tries;
	bool loud, up;
	int ret;

	pthread_mutex_lock(&ad->conn_lock);
	pthread_mutex_lock(&ad->lock);
	if (ad->closing || iavfc_connected(ad)) {
		ad->reconn_armed = false;
		pthread_mutex_unlock(&ad->lock);
		pthread_mutex_unlock(&ad->conn_lock);
		return;
	}
	now = rte_get_timer_cycles();
	tries = ++ad->reconn_tries;
	/* The first attempt, then one every IAVFC_RECONNECT_LOG_MS, say why they fail. */
	loud = tries == 1 || now - ad->reconn_log_tsc >= hz * IAVFC_RECONNECT_LOG_MS / 1000;
	if (loud)
		ad->reconn_log_tsc = now;
	pthread_mutex_unlock(&ad->lock);

	RTE_PER_LCORE(iavfc_log_quiet) = !loud;
	ret = iavfc_reconnect(ad);
	loud = !RTE_PER_LCORE(iavfc_log_quiet);
	RTE_PER_LCORE(iavfc_log_quiet) = 0;

	pthread_mutex_lock(&ad->lock);
	ad->reconn_armed = false;
	up = ret == 0 && iavfc_connected(ad);
	if (up) {
		ad->reconnects++;
		IAVFC_LOG(NOTICE,
			  "%s: reconnected to %s after %u attempt(s), %" PRIu64
			  " ms after the connection was lost%s",
			  ad->name, ad->path, tries,
			  (rte_get_timer_cycles() - ad->lost_tsc) * 1000 / hz,
			  ad->started ? "" : " (port stopped)");
	} else {
		if (loud)
			IAVFC_LOG(WARNING,
				  "%s: reconnection attempt %u to %s failed (%s): retrying every "
				  "%u ms, saying why every %u s",
				  ad->name, tries, ad->path, strerror(ret < 0 ? -ret : ENOTCONN),
				  ad->reconnect_ms, IAVFC_RECONNECT_LOG_MS / 1000);
		iavfc_reconnect_arm(ad);
	}
	pthread_mutex_unlock(&ad->lock);
	pthread_mutex_unlock(&ad->conn_lock);
	/* Last: the application's callback may close the port. */
	if (up)
		iavfc_lsc_raise(ad);
}

/* ------------------------------------------------------- ethdev operations */

static int
iavfc_dev_configure(struct rte_eth_dev *dev)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);
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
	struct iavfc_adapter *ad = iavfc_ad(dev);

	info->max_rx_queues = ad->nb_qp;
	info->max_tx_queues = ad->nb_qp;
	info->max_mac_addrs = 1;
	info->min_rx_bufsize = AVF_RX_BUF_MIN;
	info->max_rx_pktlen = AVF_MAX_FRAME;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = ad->max_mtu;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	info->rx_desc_lim.nb_max = AVF_RING_LEN_MAX;
	info->rx_desc_lim.nb_min = IAVFC_RING_MIN;
	info->rx_desc_lim.nb_align = IAVFC_RING_ALIGN;
	info->tx_desc_lim.nb_max = AVF_RING_LEN_MAX;
	info->tx_desc_lim.nb_min = IAVFC_RING_MIN;
	info->tx_desc_lim.nb_align = IAVFC_RING_ALIGN;
	info->tx_desc_lim.nb_seg_max = AVF_TX_MAX_DATA_DESCS;
	info->tx_desc_lim.nb_mtu_seg_max = AVF_TX_MAX_DATA_DESCS;
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

/* Zeroed memory of the libc heap, aligned to a cache line. */
static void *
iavfc_zalloc(size_t size)
{
	void *p = NULL;

	if (posix_memalign(&p, RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(size, RTE_CACHE_LINE_SIZE)) != 0)
		return NULL;
	memset(p, 0, size);
	return p;
}

static void
iavfc_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct iavfc_rxq *q = dev->data->rx_queues[qid];

	if (q == NULL)
		return;
	iavfc_rxq_stop(q);
	free(q->sw_ring);
	free(q);
	dev->data->rx_queues[qid] = NULL;
}

static void
iavfc_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct iavfc_txq *q = dev->data->tx_queues[qid];

	if (q == NULL)
		return;
	iavfc_txq_stop(q);
	free(q->sw_ring);
	free(q->rs);
	free(q);
	dev->data->tx_queues[qid] = NULL;
}

static int
iavfc_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		     unsigned int socket __rte_unused, const struct rte_eth_rxconf *conf,
		     struct rte_mempool *mp)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);
	struct iavfc_rxq *q;
	uint32_t room, buf;

	if (nb_desc < IAVFC_RING_MIN || nb_desc > AVF_RING_LEN_MAX || nb_desc % IAVFC_RING_ALIGN) {
		IAVFC_LOG(ERR, "%s: rx queue %u: %u descriptors (%u..%u, a multiple of %u)",
			  ad->name, qid, nb_desc, IAVFC_RING_MIN, AVF_RING_LEN_MAX,
			  IAVFC_RING_ALIGN);
		return -EINVAL;
	}
	if (conf->rx_deferred_start) {
		IAVFC_LOG(ERR, "%s: deferred start is not supported", ad->name);
		return -EINVAL;
	}
	room = rte_pktmbuf_data_room_size(mp);
	buf = room > RTE_PKTMBUF_HEADROOM ? room - RTE_PKTMBUF_HEADROOM : 0;
	buf = RTE_MIN(buf, (uint32_t)AVF_RX_BUF_MAX) & ~(AVF_RX_BUF_ALIGN - 1);
	if (buf < AVF_RX_BUF_MIN) {
		IAVFC_LOG(ERR, "%s: rx queue %u: mbufs of %u bytes of data room are too small",
			  ad->name, qid, room);
		return -EINVAL;
	}
	if (qid >= ad->zone_qp)
		return -EINVAL;
	iavfc_rx_queue_release(dev, qid);

	/* Private: the libc heap, not DPDK memory (which the server may share). */
	q = iavfc_zalloc(sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	q->sw_ring = iavfc_zalloc(nb_desc * sizeof(q->sw_ring[0]));
	if (q->sw_ring == NULL) {
		free(q);
		return -ENOMEM;
	}
	q->ad = ad;
	/* The ring: its slot of the DMA zone. */
	q->ring = (void *)((uint8_t *)ad->zone->addr + IAVFC_ZONE_RX_OFF +
			   (size_t)qid * IAVFC_ZONE_RX_SLOT);
	q->ring_iova = ad->rx_ring_iova[qid];
	memset((void *)(uintptr_t)q->ring, 0, IAVFC_ZONE_RX_SLOT);
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
iavfc_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		     unsigned int socket __rte_unused, const struct rte_eth_txconf *conf)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);
	struct iavfc_txq *q;

	if (nb_desc < IAVFC_RING_MIN || nb_desc > AVF_RING_LEN_MAX || nb_desc % IAVFC_RING_ALIGN) {
		IAVFC_LOG(ERR, "%s: tx queue %u: %u descriptors (%u..%u, a multiple of %u)",
			  ad->name, qid, nb_desc, IAVFC_RING_MIN, AVF_RING_LEN_MAX,
			  IAVFC_RING_ALIGN);
		return -EINVAL;
	}
	if (conf->tx_deferred_start) {
		IAVFC_LOG(ERR, "%s: deferred start is not supported", ad->name);
		return -EINVAL;
	}
	if (qid >= ad->zone_qp)
		return -EINVAL;
	iavfc_tx_queue_release(dev, qid);

	/* Private: the libc heap, not DPDK memory (which the server may share). */
	q = iavfc_zalloc(sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	q->sw_ring = iavfc_zalloc(nb_desc * sizeof(q->sw_ring[0]));
	q->rs = iavfc_zalloc(nb_desc * sizeof(q->rs[0]));
	if (q->sw_ring == NULL || q->rs == NULL) {
		free(q->sw_ring);
		free(q->rs);
		free(q);
		return -ENOMEM;
	}
	q->ad = ad;
	q->ring = (void *)((uint8_t *)ad->zone->addr + IAVFC_ZONE_TX_OFF(ad->zone_qp) +
			   (size_t)qid * IAVFC_ZONE_TX_SLOT);
	q->ring_iova = ad->tx_ring_iova[qid];
	memset((void *)(uintptr_t)q->ring, 0, IAVFC_ZONE_TX_SLOT);
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

/* conn_lock held */
static int
iavfc_dev_start_locked(struct rte_eth_dev *dev)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);
	struct rte_ether_addr old_mac = ad->dev_mac;
	bool reconnect, offline = false;
	uint16_t i;
	int ret;

	pthread_mutex_lock(&ad->lock);
	reconnect = !iavfc_connected(ad);
	pthread_mutex_unlock(&ad->lock);
	if (reconnect) {
		IAVFC_LOG(NOTICE, "%s: reconnecting to %s", ad->name, ad->path);
		iavfc_detach(ad, false);
		ret = iavfc_attach(ad);
		if (ret == 0 &&
		    (dev->data->nb_rx_queues > ad->dev_qp ||
		     dev->data->nb_tx_queues > ad->dev_qp)) {
			IAVFC_LOG(ERR, "%s: the device now offers %u queue pairs, the port has %u",
				  ad->name, ad->dev_qp,
				  RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues));
			iavfc_detach(ad, false);
			ret = -EINVAL;
		}
		if (ret < 0) {
			if (ad->reconnect_ms == 0)
				return ret;
			/* Started with the link down; the reconnect alarm brings it up. */
			IAVFC_LOG(NOTICE,
				  "%s: starting with the link down: connecting to %s every %u ms",
				  ad->name, ad->path, ad->reconnect_ms);
			offline = true;
		} else {
			/* A default MAC follows the device's; one the application set stays. */
			if (rte_is_same_ether_addr(&dev->data->mac_addrs[0], &old_mac))
				rte_ether_addr_copy(&ad->dev_mac, &dev->data->mac_addrs[0]);
			IAVFC_LOG(NOTICE, "%s: reconnected to %s", ad->name, ad->path);
		}
	}

	/* The receive pools' memory: the server writes packets there. */
	ret = 0;
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&ad->lock);
	for (i = 0; i < dev->data->nb_rx_queues && ret == 0; i++) {
		struct iavfc_rxq *q = dev->data->rx_queues[i];

		ret = iavfc_pool_add(ad, q->mp);
		if (ret < 0)
			IAVFC_LOG(ERR,
				  "%s: rx queue %u: its mempool %s cannot be given to the server",
				  ad->name, i, q->mp->name);
	}
	pthread_mutex_unlock(&ad->lock);
	rte_mcfg_mem_read_unlock();
	if (ret < 0)
		return ret;

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
	if (!offline) {
		ret = iavfc_bringup(ad);
		/* The server went away meanwhile: as if it had been away. */
		if (ret < 0 && ad->reconnect_ms != 0 && !iavfc_connected(ad))
			offline = true;
		else if (ret < 0) {
			pthread_mutex_unlock(&ad->lock);
			iavfc_queues_stop(dev);
			return ret;
		}
	}
	if (offline) {
		ad->started = true;
		ad->lost_tsc = rte_get_timer_cycles();
		ad->reconn_tries = 0;
		ad->reconn_met_server = false;
		iavfc_reconnect_arm(ad);
		iavfc_link_refresh(ad);
	}
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	pthread_mutex_unlock(&ad->lock);
	IAVFC_LOG(INFO, "%s: started: %u rx, %u tx queues%s", ad->name, dev->data->nb_rx_queues,
		  dev->data->nb_tx_queues, offline ? ", link down until the server is back" : "");
	return 0;
}

static int
iavfc_dev_start(struct rte_eth_dev *dev)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);
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
	pthread_mutex_lock(&ad->conn_lock);
	ret = iavfc_dev_start_locked(dev);
	pthread_mutex_unlock(&ad->conn_lock);
	return ret;
}

static int
iavfc_dev_stop(struct rte_eth_dev *dev)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);

	pthread_mutex_lock(&ad->conn_lock);
	/* (The application no longer calls the bursts: this does not wait.) */
	if (ad->started)
		iavfc_dp_quiesce(ad);
	pthread_mutex_lock(&ad->lock);
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
	pthread_mutex_unlock(&ad->conn_lock);
	return 0;
}

static int
iavfc_dev_close(struct rte_eth_dev *dev)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	if (ad->started)
		iavfc_dev_stop(dev);

	pthread_mutex_lock(&ad->lock);
	ad->closing = true;
	pthread_mutex_unlock(&ad->lock);
	/* Without conn_lock: a running reconnect attempt takes it. */
	rte_eal_alarm_cancel(iavfc_alarm, ad);
	iavfc_callbacks_off(ad);
	pthread_mutex_lock(&ad->conn_lock);
	iavfc_detach(ad, true);
	pthread_mutex_unlock(&ad->conn_lock);

	for (i = 0; i < dev->data->nb_rx_queues; i++)
		iavfc_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		iavfc_tx_queue_release(dev, i);
	IAVFC_LOG(INFO, "%s: closed", ad->name);
	iavfc_adapter_free(dev, ad);
	return 0;
}

static int
iavfc_link_update(struct rte_eth_dev *dev, int wait_to_complete __rte_unused)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);
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
	d->unmapped = __atomic_load_n(&s->unmapped, __ATOMIC_RELAXED) - base->unmapped;
	d->stale = __atomic_load_n(&s->stale, __ATOMIC_RELAXED) - base->stale;
}

/* A queue's counters as they are now become its zero. */
static void
iavfc_qstats_rebase(struct iavfc_qstats *base, const struct iavfc_qstats *s)
{
	base->packets = __atomic_load_n(&s->packets, __ATOMIC_RELAXED);
	base->bytes = __atomic_load_n(&s->bytes, __ATOMIC_RELAXED);
	base->errors = __atomic_load_n(&s->errors, __ATOMIC_RELAXED);
	base->unmapped = __atomic_load_n(&s->unmapped, __ATOMIC_RELAXED);
	base->stale = __atomic_load_n(&s->stale, __ATOMIC_RELAXED);
}

static int
iavfc_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);
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
	struct iavfc_adapter *ad = iavfc_ad(dev);
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
	ad->reconnects_base = ad->reconnects;
	pthread_mutex_unlock(&ad->lock);
	return 0;
}

static int
iavfc_xstats_get_names(struct rte_eth_dev *dev __rte_unused, struct rte_eth_xstat_name *names,
		       unsigned int size)
{
	unsigned int i;

	if (names == NULL || size < IAVFC_NB_XSTATS)
		return IAVFC_NB_XSTATS;
	for (i = 0; i < IAVFC_NB_DEV_XSTATS; i++)
		snprintf(names[i].name, sizeof(names[i].name), "%s", iavfc_dev_xstat_names[i]);
	snprintf(names[i].name, sizeof(names[i].name), "tx_unmapped_drops");
	snprintf(names[i + 1].name, sizeof(names[i + 1].name), "rx_reconnect_discards");
	snprintf(names[i + 2].name, sizeof(names[i + 2].name), "reconnects");
	return IAVFC_NB_XSTATS;
}

static int
iavfc_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs, unsigned int n)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);
	uint64_t cur[IAVFC_NB_DEV_XSTATS], base[IAVFC_NB_DEV_XSTATS];
	struct virtchnl_eth_stats ds;
	uint64_t reconnects;
	unsigned int i;
	uint16_t q;

	if (xs == NULL || n < IAVFC_NB_XSTATS)
		return IAVFC_NB_XSTATS;
	pthread_mutex_lock(&ad->lock);
	iavfc_dev_counters(ad, &ds);
	memcpy(cur, &ds, sizeof(cur));
	memcpy(base, &ad->dev_base, sizeof(base));
	reconnects = ad->reconnects - ad->reconnects_base;
	pthread_mutex_unlock(&ad->lock);
	for (i = 0; i < IAVFC_NB_DEV_XSTATS; i++) {
		xs[i].id = i;
		xs[i].value = cur[i] - base[i];
	}
	/* Transmitted mbufs whose memory the server does not see. */
	xs[i].id = i;
	xs[i].value = 0;
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct iavfc_txq *tq = dev->data->tx_queues[q];
		struct iavfc_qstats d;

		if (tq == NULL)
			continue;
		iavfc_qstats_since(&tq->stats, &tq->base, &d);
		xs[i].value += d.unmapped;
	}
	/* Received packets the old server had completed, discarded at a reconnection. */
	i++;
	xs[i].id = i;
	xs[i].value = 0;
	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct iavfc_rxq *rq = dev->data->rx_queues[q];
		struct iavfc_qstats d;

		if (rq == NULL)
			continue;
		iavfc_qstats_since(&rq->stats, &rq->base, &d);
		xs[i].value += d.stale;
	}
	/* Automatic reconnections that succeeded. */
	i++;
	xs[i].id = i;
	xs[i].value = reconnects;
	return IAVFC_NB_XSTATS;
}

static int
iavfc_xstats_reset(struct rte_eth_dev *dev)
{
	return iavfc_stats_reset(dev);
}

static int
iavfc_promisc_set(struct rte_eth_dev *dev, uint16_t flag, bool on)
{
	struct iavfc_adapter *ad = iavfc_ad(dev);
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
	struct iavfc_adapter *ad = iavfc_ad(dev);
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
	struct iavfc_adapter *ad = iavfc_ad(dev);

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

bool
iavfc_is_port(const struct rte_eth_dev *dev)
{
	return dev->dev_ops == &iavfc_ops;
}

/* ------------------------------------------------------------ probe/remove */

/*
 * No more memory, mempool or alarm callbacks (the port is closing: closing
 * is set, so that the reconnect alarm is not set again). Without conn_lock.
 */
static void
iavfc_callbacks_off(struct iavfc_adapter *ad)
{
	rte_eal_alarm_cancel(iavfc_reconnect_alarm, ad);
	if (ad->mem_cb)
		rte_mem_event_callback_unregister(ad->mem_cb_name, ad);
	ad->mem_cb = false;
	if (ad->pool_cb)
		rte_mempool_event_callback_unregister(iavfc_mempool_event, ad);
	ad->pool_cb = false;
	rte_eal_alarm_cancel(iavfc_pool_alarm, ad);
}

/* The adapter and its DMA zone (detached, callbacks off). */
static void
iavfc_adapter_free(struct rte_eth_dev *dev, struct iavfc_adapter *ad)
{
	rte_memzone_free(ad->zone);
	free(ad->maps);
	free(ad->wants);
	pthread_mutex_destroy(&ad->lock);
	pthread_mutex_destroy(&ad->conn_lock);
	((struct iavfc_priv *)dev->data->dev_private)->ad = NULL;
	free(ad);
}

struct iavfc_pg_walk {
	int socket;
	size_t pg;
};

static int
iavfc_pg_walk_cb(const struct rte_memseg_list *msl, void *arg)
{
	struct iavfc_pg_walk *w = arg;

	if (msl->external || msl->page_sz == 0 ||
	    (w->socket != SOCKET_ID_ANY && msl->socket_id != w->socket))
		return 0;
	if (w->pg == 0 || msl->page_sz < w->pg)
		w->pg = msl->page_sz;
	return 0;
}

/* IOVA of [off, off + len) of the zone, which must be contiguous there. */
static int
iavfc_zone_iova(struct iavfc_adapter *ad, size_t off, size_t len, rte_iova_t *iova)
{
	uintptr_t va = (uintptr_t)ad->zone->addr + off, p;
	rte_iova_t base = rte_mem_virt2iova((void *)va);

	if (base == RTE_BAD_IOVA)
		return -EINVAL;
	for (p = RTE_ALIGN_FLOOR(va, ad->zone_pg) + ad->zone_pg; p < va + len; p += ad->zone_pg)
		if (rte_mem_virt2iova((void *)p) != base + (p - va))
			return -EINVAL;
	*iova = base;
	return 0;
}

/*
 * The DMA zone: whole pages of one page size, aligned to it, so that no
 * other memory shares a page with it (the server maps whole pages).
 */
static int
iavfc_zone_create(struct iavfc_adapter *ad, int socket)
{
	struct iavfc_pg_walk w = {socket, 0};
	const struct rte_memseg_list *msl;
	const struct rte_memzone *mz = NULL;
	char name[RTE_MEMZONE_NAMESIZE];
	size_t size = IAVFC_ZONE_SIZE(ad->zone_qp), len, pg;
	rte_iova_t aq;
	unsigned int attempt, q;

	rte_memseg_list_walk(iavfc_pg_walk_cb, &w);
	pg = w.pg != 0 ? w.pg : (size_t)sysconf(_SC_PAGESIZE);
	snprintf(name, sizeof(name), "iavfc_dma_%u", ad->eth_dev->data->port_id);
	/* The smallest pages first; again with larger ones if it lands there. */
	for (attempt = 0; attempt < 2; attempt++) {
		len = RTE_ALIGN_CEIL(size, pg);
		mz = rte_memzone_reserve_aligned(name, len, socket, RTE_MEMZONE_IOVA_CONTIG,
						 (unsigned int)pg);
		if (mz == NULL)
			mz = rte_memzone_reserve_aligned(name, len, socket, 0, (unsigned int)pg);
		if (mz == NULL)
			break;
		msl = rte_mem_virt2memseg_list(mz->addr);
		if (msl != NULL && msl->page_sz <= pg)
			break;
		pg = msl != NULL ? msl->page_sz : pg;
		rte_memzone_free(mz);
		mz = NULL;
	}
	if (mz == NULL) {
		IAVFC_LOG(ERR, "%s: no memory for the DMA zone (%zu bytes in %zu-byte pages)",
			  ad->name, size, pg);
		return -ENOMEM;
	}
	memset(mz->addr, 0, len);
	ad->zone = mz;
	ad->zone_pg = pg;
	if (iavfc_zone_iova(ad, 0, IAVFC_ZONE_AQ_SIZE, &aq) < 0)
		goto not_contig;
	for (q = 0; q < ad->zone_qp; q++) {
		if (iavfc_zone_iova(ad, IAVFC_ZONE_RX_OFF + (size_t)q * IAVFC_ZONE_RX_SLOT,
				    IAVFC_ZONE_RX_SLOT, &ad->rx_ring_iova[q]) < 0 ||
		    iavfc_zone_iova(ad,
				    IAVFC_ZONE_TX_OFF(ad->zone_qp) + (size_t)q * IAVFC_ZONE_TX_SLOT,
				    IAVFC_ZONE_TX_SLOT, &ad->tx_ring_iova[q]) < 0)
			goto not_contig;
	}
	if (iavfc_zone_iova(ad, IAVFC_ZONE_PROBE_OFF(ad->zone_qp), IAVFC_ZONE_AQ_SIZE,
			    &ad->probe_aq_iova) < 0)
		goto not_contig;
	ad->probe_aq = (void *)((uint8_t *)mz->addr + IAVFC_ZONE_PROBE_OFF(ad->zone_qp));
	ad->atq = mz->addr;
	ad->arq = ad->atq + IAVFC_AQ_LEN;
	ad->atq_buf = (uint8_t *)mz->addr + 2u * IAVFC_AQ_LEN * sizeof(ad->atq[0]);
	ad->arq_buf = ad->atq_buf + IAVFC_AQ_BUF_SIZE;
	ad->atq_iova = aq;
	ad->arq_iova = ad->atq_iova + IAVFC_AQ_LEN * sizeof(ad->atq[0]);
	ad->atq_buf_iova = ad->atq_iova + 2u * IAVFC_AQ_LEN * sizeof(ad->atq[0]);
	ad->arq_buf_iova = ad->atq_buf_iova + IAVFC_AQ_BUF_SIZE;
	IAVFC_LOG(DEBUG, "%s: DMA zone %p, %zu bytes in %zu-byte pages", ad->name, mz->addr, len,
		  pg);
	return iavfc_want_add(ad, (uintptr_t)mz->addr, len, mz);

not_contig:
	IAVFC_LOG(ERR, "%s: the DMA zone's rings are not IOVA-contiguous (try --iova-mode=va)",
		  ad->name);
	rte_memzone_free(mz);
	ad->zone = NULL;
	return -ENOMEM;
}

static int
iavfc_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *eth_dev;
	struct iavfc_adapter *ad;
	struct iavfc_args a;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		IAVFC_LOG(ERR, "%s: only a primary process can drive the device", name);
		return -ENOTSUP;
	}
	ret = iavfc_parse_args(name, rte_vdev_device_args(vdev), &a);
	if (ret < 0)
		return ret;

	/* dev_private (DPDK memory): the adapter's address only. */
	eth_dev = rte_eth_vdev_allocate(vdev, sizeof(struct iavfc_priv));
	if (eth_dev == NULL)
		return -ENOMEM;
	ad = iavfc_zalloc(sizeof(*ad));
	if (ad == NULL) {
		rte_eth_dev_release_port(eth_dev);
		return -ENOMEM;
	}
	((struct iavfc_priv *)eth_dev->data->dev_private)->ad = ad;
	ad->eth_dev = eth_dev;
	snprintf(ad->name, sizeof(ad->name), "%s", name);
	snprintf(ad->path, sizeof(ad->path), "%s", a.path);
	ad->req_qp = a.queues;
	ad->reconnect_ms = a.reconnect_ms;
	ad->move_pause_ms = a.move_pause_ms;
	ad->zone_qp = a.queues != 0 ? a.queues : AVF_MAX_QUEUE_PAIRS;
	pthread_mutex_init(&ad->lock, NULL);
	pthread_mutex_init(&ad->conn_lock, NULL);
	eth_dev->dev_ops = &iavfc_ops;
	eth_dev->rx_pkt_burst = iavfc_recv_pkts;
	eth_dev->tx_pkt_burst = iavfc_xmit_pkts;
	eth_dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;

	eth_dev->data->mac_addrs =
		rte_zmalloc_socket(name, RTE_ETHER_ADDR_LEN, 0, vdev->device.numa_node);
	if (eth_dev->data->mac_addrs == NULL) {
		IAVFC_LOG(ERR, "%s: out of memory", name);
		ret = -ENOMEM;
		goto fail;
	}
	ret = iavfc_zone_create(ad, vdev->device.numa_node);
	if (ret < 0)
		goto fail;

	/* Memory freed while mapped, mempools destroyed: unmapped. */
	snprintf(ad->mem_cb_name, sizeof(ad->mem_cb_name), "iavf_client_%s", name);
	if (rte_mem_event_callback_register(ad->mem_cb_name, iavfc_mem_event, ad) == 0)
		ad->mem_cb = true;
	if (rte_mempool_event_callback_register(iavfc_mempool_event, ad) == 0) {
		ad->pool_cb = true;
	} else {
		IAVFC_LOG(ERR, "%s: no mempool event callback: %s", name, rte_strerror(rte_errno));
		ret = -rte_errno;
		goto fail;
	}

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
	IAVFC_LOG(INFO, "%s: port %u on %s: %u queue pair(s), MAC " RTE_ETHER_ADDR_PRT_FMT "%s",
		  name, eth_dev->data->port_id, ad->path, ad->nb_qp,
		  RTE_ETHER_ADDR_BYTES(&eth_dev->data->mac_addrs[0]),
		  ad->reconnect_ms != 0 ? ", reconnects by itself" : "");
	return 0;

fail_detach:
	iavfc_detach(ad, true);
fail:
	/* (A request that failed meanwhile may have set the reconnect alarm.) */
	pthread_mutex_lock(&ad->lock);
	ad->closing = true;
	pthread_mutex_unlock(&ad->lock);
	iavfc_callbacks_off(ad);
	iavfc_adapter_free(eth_dev, ad);
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
RTE_PMD_REGISTER_PARAM_STRING(net_iavf_client,
			      "path=<vfio-user socket> queues=<1-16> reconnect=<0|10-3600000 ms> "
			      "move_pause_ms=<10-60000>");
