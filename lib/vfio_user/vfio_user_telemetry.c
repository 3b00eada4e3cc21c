/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * Telemetry of the vfio-user servers:
 *   /vfio_user/list         socket paths of the servers
 *   /vfio_user/info,<path>  one server: configuration, client, DMA table,
 *                           regions, IRQ indices
 *
 * The server context is opaque outside vfio_user_server.c, so this file
 * keeps its own registry, fed by the server through the internal hooks of
 * vfio_user_telemetry.h (create, set_region, destroy). Live state is read through the public accessors, under the
 * server's own locks (dma_lock for the table, the IRQ spinlocks vector by
 * vector); nothing here waits on the data path. The registry lock is held
 * across a query so that a server is not destroyed under it.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include "emu_compat.h"
#include "rte_vfio_user.h"
#include "vfio_user_telemetry.h"

/* DMA mappings listed by /vfio_user/info (all are counted). */
#define VFIO_USER_TEL_MAX_MAPS 128u

struct vfio_user_tel_region {
	bool set;
	uint64_t size;
	uint32_t flags;
	bool mmap; /* has an fd */
	uint32_t nr_sparse;
};

struct vfio_user_tel_srv {
	TAILQ_ENTRY(vfio_user_tel_srv) next;
	struct rte_vfio_user_server *srv;
	char path[108];
	struct rte_vfio_user_pci_id pci_id;
	uint32_t irq_count[RTE_VFIO_USER_NUM_IRQS];
	uint32_t max_dma_maps;
	uint32_t flags;
	struct vfio_user_tel_region regions[RTE_VFIO_USER_REGION_ROM + 1];
};

TAILQ_HEAD(vfio_user_tel_list, vfio_user_tel_srv);
static pthread_mutex_t vfio_user_tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vfio_user_tel_list vfio_user_tel_servers =
	TAILQ_HEAD_INITIALIZER(vfio_user_tel_servers);

/* Under vfio_user_tel_lock. */
static struct vfio_user_tel_srv *
vfio_user_tel_find_srv(const struct rte_vfio_user_server *srv)
{
	struct vfio_user_tel_srv *t;

	TAILQ_FOREACH(t, &vfio_user_tel_servers, next)
		if (t->srv == srv)
			return t;
	return NULL;
}

void
vfio_user_telemetry_register(struct rte_vfio_user_server *srv,
			     const struct rte_vfio_user_server_conf *conf)
{
	struct vfio_user_tel_srv *t;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return; /* served, not shown */
	t->srv = srv;
	strlcpy(t->path, rte_vfio_user_server_path(srv), sizeof(t->path));
	t->pci_id = conf->pci_id;
	memcpy(t->irq_count, conf->irq_count, sizeof(t->irq_count));
	t->max_dma_maps =
		conf->max_dma_maps != 0 ? conf->max_dma_maps : RTE_VFIO_USER_DEFAULT_MAX_DMA_MAPS;
	t->flags = conf->flags;
	pthread_mutex_lock(&vfio_user_tel_lock);
	TAILQ_INSERT_TAIL(&vfio_user_tel_servers, t, next);
	pthread_mutex_unlock(&vfio_user_tel_lock);
}

void
vfio_user_telemetry_region(struct rte_vfio_user_server *srv, uint32_t index,
			   const struct rte_vfio_user_region_conf *conf)
{
	struct vfio_user_tel_srv *t;

	if (index >= RTE_DIM(t->regions))
		return;
	pthread_mutex_lock(&vfio_user_tel_lock);
	t = vfio_user_tel_find_srv(srv);
	if (t != NULL) {
		t->regions[index].set = conf->size > 0;
		t->regions[index].size = conf->size;
		t->regions[index].flags = conf->flags;
		t->regions[index].mmap = conf->fd >= 0;
		t->regions[index].nr_sparse = conf->nr_sparse;
	}
	pthread_mutex_unlock(&vfio_user_tel_lock);
}

void
vfio_user_telemetry_unregister(struct rte_vfio_user_server *srv)
{
	struct vfio_user_tel_srv *t;

	pthread_mutex_lock(&vfio_user_tel_lock);
	t = vfio_user_tel_find_srv(srv);
	if (t != NULL)
		TAILQ_REMOVE(&vfio_user_tel_servers, t, next);
	pthread_mutex_unlock(&vfio_user_tel_lock);
	free(t);
}

/* ------------------------------------------------------------- commands */

static int
vfio_user_tel_list(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct vfio_user_tel_srv *t;

	if (params != NULL && params[0] != '\0')
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&vfio_user_tel_lock);
	TAILQ_FOREACH(t, &vfio_user_tel_servers, next)
		rte_tel_data_add_array_string(d, t->path);
	pthread_mutex_unlock(&vfio_user_tel_lock);
	return 0;
}

static const char *const vfio_user_tel_irq_names[RTE_VFIO_USER_NUM_IRQS] = {
	[RTE_VFIO_USER_IRQ_INTX] = "intx", [RTE_VFIO_USER_IRQ_MSI] = "msi",
	[RTE_VFIO_USER_IRQ_MSIX] = "msix", [RTE_VFIO_USER_IRQ_ERR] = "err",
	[RTE_VFIO_USER_IRQ_REQ] = "req",
};

static void
vfio_user_tel_add_container(struct rte_tel_data *d, const char *name, struct rte_tel_data *c)
{
	if (c != NULL && rte_tel_data_add_dict_container(d, name, c, 0) != 0)
		rte_tel_data_free(c);
}

/* Under vfio_user_tel_lock. */
static struct rte_tel_data *
vfio_user_tel_dma(const struct vfio_user_tel_srv *t, int *nr)
{
	struct rte_vfio_user_dma_map *maps;
	struct rte_tel_data *arr, *m;
	char key[24];
	int i, n;

	*nr = 0;
	maps = calloc(VFIO_USER_TEL_MAX_MAPS, sizeof(*maps));
	if (maps == NULL)
		return NULL;
	n = rte_vfio_user_dma_table(t->srv, maps, VFIO_USER_TEL_MAX_MAPS);
	if (n < 0)
		n = 0;
	*nr = n;
	arr = rte_tel_data_alloc();
	if (arr != NULL) {
		/* A dict keyed by iova: 22.11 takes no dict in an array. */
		rte_tel_data_start_dict(arr);
		for (i = 0; i < n && i < (int)VFIO_USER_TEL_MAX_MAPS; i++) {
			m = rte_tel_data_alloc();
			if (m == NULL)
				break;
			rte_tel_data_start_dict(m);
			emu_tel_data_add_dict_uint(m, "iova", maps[i].iova);
			emu_tel_data_add_dict_uint(m, "size", maps[i].size);
			rte_tel_data_add_dict_int(m, "read",
						  !!(maps[i].prot & RTE_VFIO_USER_DMA_READ));
			rte_tel_data_add_dict_int(m, "write",
						  !!(maps[i].prot & RTE_VFIO_USER_DMA_WRITE));
			rte_tel_data_add_dict_int(m, "mapped", maps[i].vaddr != NULL);
			snprintf(key, sizeof(key), "0x%" PRIx64, maps[i].iova);
			vfio_user_tel_add_container(arr, key, m);
		}
	}
	free(maps);
	return arr;
}

/* Under vfio_user_tel_lock. */
static struct rte_tel_data *
vfio_user_tel_regions(const struct vfio_user_tel_srv *t)
{
	static const char *const names[] = {"bar0", "bar1", "bar2", "bar3", "bar4", "bar5", "rom"};
	struct rte_tel_data *d, *r;
	unsigned int i;

	RTE_BUILD_BUG_ON(RTE_DIM(names) != RTE_DIM(t->regions));
	d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	for (i = 0; i < RTE_DIM(t->regions); i++) {
		const struct vfio_user_tel_region *reg = &t->regions[i];

		if (!reg->set)
			continue;
		r = rte_tel_data_alloc();
		if (r == NULL)
			break;
		rte_tel_data_start_dict(r);
		emu_tel_data_add_dict_uint(r, "size", reg->size);
		rte_tel_data_add_dict_int(r, "read", !!(reg->flags & RTE_VFIO_USER_REGION_READ));
		rte_tel_data_add_dict_int(r, "write", !!(reg->flags & RTE_VFIO_USER_REGION_WRITE));
		rte_tel_data_add_dict_int(r, "mmap", reg->mmap);
		emu_tel_data_add_dict_uint(r, "nr_sparse", reg->nr_sparse);
		vfio_user_tel_add_container(d, names[i], r);
	}
	return d;
}

/* Under vfio_user_tel_lock. */
static struct rte_tel_data *
vfio_user_tel_irqs(const struct vfio_user_tel_srv *t)
{
	struct rte_tel_data *d, *r;
	uint32_t i, v, enabled;

	d = rte_tel_data_alloc();
	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++) {
		if (t->irq_count[i] == 0)
			continue;
		enabled = 0;
		/* One short spinlock section per vector (shared with irq_trigger). */
		for (v = 0; v < t->irq_count[i]; v++)
			if (rte_vfio_user_irq_enabled(t->srv, i, v))
				enabled++;
		r = rte_tel_data_alloc();
		if (r == NULL)
			break;
		rte_tel_data_start_dict(r);
		emu_tel_data_add_dict_uint(r, "count", t->irq_count[i]);
		emu_tel_data_add_dict_uint(r, "enabled", enabled);
		vfio_user_tel_add_container(d, vfio_user_tel_irq_names[i], r);
	}
	return d;
}

static int
vfio_user_tel_info(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *dma;
	struct vfio_user_server_client_info ci;
	struct vfio_user_tel_srv *t;
	char id[16];
	int nr;

	if (params == NULL || params[0] == '\0' ||
	    strnlen(params, sizeof(t->path)) == sizeof(t->path))
		return -EINVAL;
	pthread_mutex_lock(&vfio_user_tel_lock);
	TAILQ_FOREACH(t, &vfio_user_tel_servers, next)
		if (strcmp(t->path, params) == 0)
			break;
	if (t == NULL) {
		pthread_mutex_unlock(&vfio_user_tel_lock);
		return -EINVAL;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "path", t->path);
	snprintf(id, sizeof(id), "%04x:%04x", t->pci_id.vendor_id, t->pci_id.device_id);
	rte_tel_data_add_dict_string(d, "pci_id", id);
	snprintf(id, sizeof(id), "%04x:%04x", t->pci_id.subsys_vendor_id, t->pci_id.subsys_id);
	rte_tel_data_add_dict_string(d, "pci_subsys_id", id);
	rte_tel_data_add_dict_int(d, "client_connected", rte_vfio_user_server_connected(t->srv));
	vfio_user_server_client_info(t->srv, &ci);
	rte_tel_data_add_dict_int(d, "listening", ci.listening);
	rte_tel_data_add_dict_int(d, "client_socket_open", ci.connected);
	if (ci.negotiated) {
		snprintf(id, sizeof(id), "%u.%u", ci.version_major, ci.version_minor);
		rte_tel_data_add_dict_string(d, "protocol_version", id);
	} else {
		rte_tel_data_add_dict_string(d, "protocol_version", "");
	}
	rte_tel_data_add_dict_int(d, "client_pid", (int)ci.pid);
	rte_tel_data_add_dict_int(d, "client_uid", (int)ci.uid);
	emu_tel_data_add_dict_uint(d, "client_connected_at", (uint64_t)ci.connected_at);
	emu_tel_data_add_dict_uint(d, "clients_accepted", ci.clients_accepted);
	emu_tel_data_add_dict_uint(d, "clients_refused", ci.clients_refused);
	rte_tel_data_add_dict_int(d, "migration", ci.migration);
	rte_tel_data_add_dict_string(
		d, "mig_state",
		rte_vfio_user_mig_state_name((enum rte_vfio_user_mig_state)ci.mig_state));
	rte_tel_data_add_dict_int(d, "dma_logging", ci.dma_logging);
	emu_tel_data_add_dict_uint(d, "dma_logging_page_size", ci.dlog_page_size);
	emu_tel_data_add_dict_uint(d, "dma_logging_ranges", ci.dlog_ranges);
	rte_tel_data_add_dict_int(d, "trust_client_memory",
				  !!(t->flags & RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY));
	emu_tel_data_add_dict_uint(d, "max_dma_maps", t->max_dma_maps);
	dma = vfio_user_tel_dma(t, &nr);
	rte_tel_data_add_dict_int(d, "nb_dma_maps", nr);
	vfio_user_tel_add_container(d, "dma_maps", dma);
	vfio_user_tel_add_container(d, "regions", vfio_user_tel_regions(t));
	vfio_user_tel_add_container(d, "irqs", vfio_user_tel_irqs(t));
	pthread_mutex_unlock(&vfio_user_tel_lock);
	return 0;
}

RTE_INIT(vfio_user_telemetry_init)
{
	rte_telemetry_register_cmd("/vfio_user/list", vfio_user_tel_list,
				   "Returns the socket paths of the vfio-user servers. "
				   "Takes no parameters");
	rte_telemetry_register_cmd("/vfio_user/info", vfio_user_tel_info,
				   "Returns the state of a vfio-user server. "
				   "Parameters: string socket path");
}
