/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user server: the commands. Each decodes its request with the codec
 * (vfio_user_msg.c), acts through the part of the server it concerns
 * (DMA table, IRQ table, regions and configuration space) and encodes its
 * reply; vfio_user_cmd_dispatch() finds it in one table that also says
 * whether it may carry descriptors and its least payload.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include "vfio_user_server_internal.h"

/* Least VERSION payload: major, minor and a JSON text (its NUL at least). */
#define VFIO_USER_VERSION_MIN_SIZE 5u
/* Least REGION_WRITE_MULTI payload: the count of entries. */
#define VFIO_USER_WRITE_MULTI_MIN_SIZE 8u

/* An encoded reply payload of len bytes (or the encoder's error). */
static int
vfio_user_cmd_reply(struct vfio_user_req *req, int len)
{
	if (len < 0)
		return len;
	req->rlen = (uint32_t)len;
	return 0;
}

/* A VERSION payload with a fixed JSON text. */
static int
vfio_user_version_raw(uint8_t *buf, uint32_t cap, uint16_t minor, const char *json)
{
	uint16_t major = VFIO_USER_VERSION_MAJOR;
	size_t n = strlen(json) + 1;

	if (cap < 4 || cap - 4 < n)
		return -ENOSPC;
	memcpy(buf, &major, sizeof(major));
	memcpy(buf + 2, &minor, sizeof(minor));
	memcpy(buf + 4, json, n);
	return (int)(4 + n);
}

static int
vfio_user_cmd_version(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_conn *c = &srv->conn;
	struct vfio_user_version ver;
	struct vfio_user_caps caps;
	uint32_t cap;
	uint16_t minor;
	int ret = -ENOSPC, step;

	if (c->negotiated)
		return -EINVAL;
	ret = vfio_user_version_decode(req->payload, req->len, &ver);
	if (ret < 0)
		return ret;
	if (ver.major != VFIO_USER_VERSION_MAJOR) {
		VFIO_USER_LOG(INFO, "%s: client version %u.%u not supported", srv->path, ver.major,
			      ver.minor);
		return -EINVAL;
	}
	minor = RTE_MIN(ver.minor, (uint16_t)VFIO_USER_VERSION_MINOR);

	/*
	 * The whole reply must not be larger than the request (QEMU receives
	 * it into its request buffer): drop capabilities until it fits, first
	 * write_multiple, then all but max_msg_fds, then all ("{}": the client
	 * assumes the protocol's defaults).
	 */
	cap = RTE_MIN(req->len, req->rcap);
	vfio_user_caps_default(&caps);
	caps.max_msg_fds = VFIO_USER_SRV_MAX_MSG_FDS;
	caps.max_data_xfer_size = VFIO_USER_SRV_MAX_XFER;
	caps.max_dma_maps = srv->max_dma_maps;
	caps.pgsizes = VFIO_USER_SRV_PGSIZE;
	if (srv->mig.ops != NULL && ver.caps.migration) {
		caps.migration = true;
		caps.mig_pgsize = VFIO_USER_SRV_PGSIZE;
		caps.mig_max_bitmap_size = RTE_MIN((uint64_t)VFIO_USER_SRV_MIG_MAX_BITMAP,
						   ver.caps.mig_max_bitmap_size);
	}
	ret = -ENOSPC;
	for (step = 0; step < 4 && ret == -ENOSPC; step++) {
		switch (step) {
		case 0:
			caps.write_multiple = true;
			ret = vfio_user_version_encode(req->rbuf, cap, VFIO_USER_VERSION_MAJOR,
						       minor, &caps);
			break;
		case 1:
			caps.write_multiple = false;
			ret = vfio_user_version_encode(req->rbuf, cap, VFIO_USER_VERSION_MAJOR,
						       minor, &caps);
			break;
		case 2:
			RTE_BUILD_BUG_ON(VFIO_USER_SRV_MAX_MSG_FDS != 16);
			vfio_user_caps_default(&caps);
			caps.max_msg_fds = VFIO_USER_SRV_MAX_MSG_FDS;
			ret = vfio_user_version_raw(req->rbuf, cap, minor,
						    "{\"capabilities\":{\"max_msg_fds\":16}}");
			break;
		default:
			vfio_user_caps_default(&caps);
			ret = vfio_user_version_raw(req->rbuf, cap, minor, "{}");
			/* Not even that fits: send it all the same. */
			if (ret == -ENOSPC)
				ret = vfio_user_version_raw(req->rbuf, req->rcap, minor, "{}");
			break;
		}
	}
	if (ret < 0)
		return ret;
	req->rlen = (uint32_t)ret;
	c->write_multiple = caps.write_multiple;
	/*
	 * Migration only when our reply says so (a reply cut to fit dropped
	 * it): every migration message of this connection is checked against
	 * these two (vfio_user_mig.c).
	 */
	c->migration = caps.migration;
	c->mig_max_bitmap = caps.migration ? caps.mig_max_bitmap_size : 0;
	c->max_fds = RTE_MIN(caps.max_msg_fds, VFIO_USER_SRV_MAX_MSG_FDS);
	c->minor = minor;
	req->negotiated = true;
	VFIO_USER_LOG(INFO, "%s: client version %u.%u, reply %u.%u%s%s", srv->path, ver.major,
		      ver.minor, VFIO_USER_VERSION_MAJOR, minor,
		      caps.write_multiple ? "" : " (without write_multiple)",
		      caps.migration ? " with migration" : "");
	return 0;
}

static int
vfio_user_cmd_dma_map(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_dma_map m;
	int ret;

	ret = vfio_user_dma_map_decode(req->payload, req->len, req->nfds, VFIO_USER_SRV_PGSIZE, &m);
	if (ret < 0)
		return ret;
	/* The descriptor stays the request's: the mapping has its own reference. */
	return vfio_user_dma_map(srv, &m, req->nfds > 0 ? req->fds[0] : -1);
}

static int
vfio_user_cmd_dma_unmap(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_dma_unmap u;
	int ret;

	ret = vfio_user_dma_unmap_decode(req->payload, req->len, &u);
	if (ret < 0)
		return ret;
	ret = vfio_user_dma_unmap(srv, &u);
	if (ret < 0)
		return ret;
	return vfio_user_cmd_reply(req, vfio_user_dma_unmap_encode(req->rbuf, req->rcap, &u));
}

static int
vfio_user_cmd_device_info(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_device_info info;
	int ret;

	RTE_SET_USED(srv);
	ret = vfio_user_device_info_decode(req->payload, req->len, &info);
	if (ret < 0)
		return ret;
	info.argsz = VFIO_USER_DEVICE_INFO_SIZE;
	info.flags = VFIO_USER_DEV_FLAG_PCI | VFIO_USER_DEV_FLAG_RESET;
	info.num_regions = RTE_VFIO_USER_NUM_REGIONS;
	info.num_irqs = RTE_VFIO_USER_NUM_IRQS;
	return vfio_user_cmd_reply(req, vfio_user_device_info_encode(req->rbuf, req->rcap, &info));
}

/* Size and READ/WRITE flags of a region index (< 9). */
static uint64_t
vfio_user_region_size(const struct rte_vfio_user_server *srv, uint32_t index, uint32_t *flags)
{
	if (index < VFIO_USER_PCI_NUM_BARS) {
		const struct rte_vfio_user_region_conf *r = &srv->regions[index];

		*flags = r->size > 0 ? r->flags : 0;
		return r->size;
	}
	if (index == RTE_VFIO_USER_REGION_CONFIG) {
		*flags = RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE;
		return RTE_VFIO_USER_PCI_CFG_SIZE;
	}
	*flags = 0;
	return 0;
}

static int
vfio_user_cmd_region_info(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	const struct rte_vfio_user_region_conf *r = NULL;
	struct vfio_user_region_info rq, info;
	bool send_fd = false;
	uint32_t i;
	int ret;

	ret = vfio_user_region_info_req_decode(req->payload, req->len, &rq);
	if (ret < 0)
		return ret;
	if (rq.index >= RTE_VFIO_USER_NUM_REGIONS)
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	info.index = rq.index;
	info.size = vfio_user_region_size(srv, rq.index, &info.flags);
	if (rq.index < VFIO_USER_PCI_NUM_BARS && srv->regions[rq.index].size > 0 &&
	    srv->regions[rq.index].fd >= 0) {
		r = &srv->regions[rq.index];
		info.flags |= VFIO_USER_REGION_FLAG_MMAP;
		info.offset = r->fd_offset;
		info.nr_areas = r->nr_sparse;
		for (i = 0; i < r->nr_sparse; i++) {
			info.areas[i].offset = r->sparse[i].offset;
			info.areas[i].size = r->sparse[i].size;
		}
	}
	ret = vfio_user_region_info_reply_encode(req->rbuf, req->rcap, rq.argsz, &info, &send_fd);
	if (ret < 0)
		return ret;
	req->rlen = (uint32_t)ret;
	if (send_fd && r != NULL) {
		/*
		 * Our own duplicate: the region's fd may be replaced before the
		 * reply has gone out.
		 */
		pthread_mutex_lock(&srv->region_lock);
		req->reply_fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
		pthread_mutex_unlock(&srv->region_lock);
		if (req->reply_fd < 0)
			return -errno;
	}
	return 0;
}

static int
vfio_user_cmd_region_io_fds(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_region_io_fds_req rq;
	int ret;

	RTE_SET_USED(srv);
	ret = vfio_user_region_io_fds_decode(req->payload, req->len, &rq);
	if (ret < 0)
		return ret;
	if (rq.index >= RTE_VFIO_USER_NUM_REGIONS)
		return -EINVAL;
	/* No ioeventfds: every access of a region comes as a message. */
	rq.argsz = VFIO_USER_REGION_IO_FDS_SIZE;
	rq.flags = 0;
	rq.count = 0;
	return vfio_user_cmd_reply(req, vfio_user_region_io_fds_encode(req->rbuf, req->rcap, &rq));
}

static int
vfio_user_cmd_irq_info(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_irq_info info;
	int ret;

	ret = vfio_user_irq_info_decode(req->payload, req->len, &info);
	if (ret < 0)
		return ret;
	if (info.index >= RTE_VFIO_USER_NUM_IRQS)
		return -EINVAL;
	info.argsz = VFIO_USER_IRQ_INFO_SIZE;
	info.flags = VFIO_USER_IRQ_INFO_EVENTFD | VFIO_USER_IRQ_INFO_MASKABLE;
	if (info.index == RTE_VFIO_USER_IRQ_INTX)
		info.flags |= VFIO_USER_IRQ_INFO_AUTOMASKED;
	else if (info.index == RTE_VFIO_USER_IRQ_MSIX)
		info.flags |= VFIO_USER_IRQ_INFO_NORESIZE;
	info.count = srv->irq_count[info.index];
	return vfio_user_cmd_reply(req, vfio_user_irq_info_encode(req->rbuf, req->rcap, &info));
}

static int
vfio_user_cmd_set_irqs(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_set_irqs s;
	int ret;

	ret = vfio_user_set_irqs_decode(req->payload, req->len, req->nfds, &s);
	if (ret < 0)
		return ret;
	if (s.index >= RTE_VFIO_USER_NUM_IRQS)
		return -EINVAL;
	return vfio_user_irq_set(srv, &s, req->fds, req->nfds);
}

/* A checked access to a region (REGION_READ/WRITE and WRITE_MULTI). */
static int
vfio_user_region_access(struct rte_vfio_user_server *srv, uint32_t index, uint64_t offset,
			void *buf, uint32_t count, bool write)
{
	const struct rte_vfio_user_region_conf *r;
	uint32_t flags;
	uint64_t size;
	int ret;

	if (index >= RTE_VFIO_USER_NUM_REGIONS)
		return -EINVAL;
	size = vfio_user_region_size(srv, index, &flags);
	if (count == 0 || offset > size || count > size - offset)
		return -EINVAL;
	if (!(flags & (write ? RTE_VFIO_USER_REGION_WRITE : RTE_VFIO_USER_REGION_READ)))
		return -EINVAL;

	if (index == RTE_VFIO_USER_REGION_CONFIG) {
		uint32_t events = 0;

		pthread_mutex_lock(&srv->pci_lock);
		ret = vfio_user_pci_cfg_access(&srv->pci, (uint32_t)offset, buf, count, write,
					       &events);
		if (ret == 0 && (events & VFIO_USER_PCI_EV_FLR))
			vfio_user_pci_reset(&srv->pci);
		pthread_mutex_unlock(&srv->pci_lock);
		if (ret < 0 || !write)
			return ret;
		if (events & VFIO_USER_PCI_EV_FLR) {
			/* As DEVICE_RESET: without a callback there is nothing more to reset. */
			int r2 = srv->ops.reset != NULL ?
				srv->ops.reset(srv->arg, RTE_VFIO_USER_RESET_FLR) :
				0;

			if (r2 < 0)
				VFIO_USER_LOG(WARNING, "%s: FLR reset callback: %s", srv->path,
					      strerror(-r2));
			else
				vfio_user_mig_reset(srv, false);
		}
		if (srv->ops.cfg_write != NULL)
			srv->ops.cfg_write(srv->arg, (uint32_t)offset, count);
		return 0;
	}

	r = &srv->regions[index];
	if (r->access == NULL)
		return -EINVAL;
	ret = r->access(r->arg, offset, buf, count, write);
	if (ret > 0)
		ret = 0;
	return ret;
}

static int
vfio_user_cmd_region_read(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_region_access acc;
	int ret;

	ret = vfio_user_region_read_decode(req->payload, req->len, VFIO_USER_SRV_MAX_XFER, &acc);
	if (ret < 0)
		return ret;
	if (req->rcap < VFIO_USER_REGION_ACCESS_SIZE ||
	    acc.count > req->rcap - VFIO_USER_REGION_ACCESS_SIZE)
		return -E2BIG;
	ret = vfio_user_region_access(srv, acc.region, acc.offset,
				      req->rbuf + VFIO_USER_REGION_ACCESS_SIZE, acc.count, false);
	if (ret < 0)
		return ret;
	acc.data = NULL;
	ret = vfio_user_region_access_encode(req->rbuf, VFIO_USER_REGION_ACCESS_SIZE, &acc, NULL);
	if (ret < 0)
		return ret;
	req->rlen = VFIO_USER_REGION_ACCESS_SIZE + acc.count;
	return 0;
}

static int
vfio_user_cmd_region_write(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_region_access acc;
	int ret;

	ret = vfio_user_region_write_decode(req->payload, req->len, VFIO_USER_SRV_MAX_XFER, &acc);
	if (ret < 0)
		return ret;
	/* The data follows the access header in our own request buffer. */
	ret = vfio_user_region_access(srv, acc.region, acc.offset,
				      req->payload + VFIO_USER_REGION_ACCESS_SIZE, acc.count, true);
	if (ret < 0)
		return ret;
	acc.data = NULL;
	return vfio_user_cmd_reply(
		req, vfio_user_region_access_encode(req->rbuf, req->rcap, &acc, NULL));
}

static int
vfio_user_cmd_write_multi(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_write_multi_entry ent[VFIO_USER_WRITE_MULTI_MAX];
	uint32_t nr, i;
	int ret;

	if (!srv->conn.write_multiple)
		return -EINVAL;
	ret = vfio_user_write_multi_decode(req->payload, req->len, ent, &nr); /* nr <= MAX */
	if (ret < 0)
		return ret;
	for (i = 0; i < nr; i++) {
		ret = vfio_user_region_access(srv, ent[i].region, ent[i].offset, ent[i].data,
					      ent[i].count, true);
		if (ret < 0) {
			VFIO_USER_LOG(DEBUG,
				      "%s: WRITE_MULTI entry %u (region %u"
				      " offset 0x%" PRIx64 " count %u): %s",
				      srv->path, i, ent[i].region, ent[i].offset, ent[i].count,
				      strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int
vfio_user_cmd_reset(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	int ret = 0;

	if (req->len != 0)
		return -EINVAL;
	pthread_mutex_lock(&srv->pci_lock);
	vfio_user_pci_reset(&srv->pci);
	pthread_mutex_unlock(&srv->pci_lock);
	if (srv->ops.reset != NULL)
		ret = srv->ops.reset(srv->arg, RTE_VFIO_USER_RESET_REQUEST);
	if (ret > 0)
		ret = 0;
	/* A reset device runs, whatever its migration state (ERROR included). */
	if (ret == 0)
		vfio_user_mig_reset(srv, false);
	return ret;
}

static int
vfio_user_cmd_device_feature(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_device_feature feat;
	int ret;

	ret = vfio_user_device_feature_decode(req->payload, req->len, &feat);
	if (ret < 0)
		return ret;
	return vfio_user_mig_feature(srv, req, &feat);
}

static int
vfio_user_cmd_mig_data_read(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	return vfio_user_mig_data_read(srv, req);
}

static int
vfio_user_cmd_mig_data_write(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	return vfio_user_mig_data_write(srv, req);
}

/* Commands that go from the server to the client, or are not offered. */
static int
vfio_user_cmd_not_served(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	RTE_SET_USED(srv);
	RTE_SET_USED(req);
	return -ENOTSUP;
}

/* How the server handles a command. */
struct vfio_user_cmd_handler {
	int (*handler)(struct rte_vfio_user_server *srv, struct vfio_user_req *req);
	bool accepts_fds; /* may come with descriptors (else refused: -EINVAL) */
	uint32_t min_size; /* least payload (shorter: -EINVAL, as its decoder says) */
};

/* Every command the server knows; the others are refused as unknown. */
static const struct vfio_user_cmd_handler vfio_user_cmds[VFIO_USER_CMD_MAX + 1] = {
	[VFIO_USER_CMD_VERSION] = {vfio_user_cmd_version, false, VFIO_USER_VERSION_MIN_SIZE},
	[VFIO_USER_CMD_DMA_MAP] = {vfio_user_cmd_dma_map, true, VFIO_USER_DMA_MAP_SIZE},
	[VFIO_USER_CMD_DMA_UNMAP] = {vfio_user_cmd_dma_unmap, false, VFIO_USER_DMA_UNMAP_SIZE},
	[VFIO_USER_CMD_DEVICE_GET_INFO] = {vfio_user_cmd_device_info, false,
					   VFIO_USER_DEVICE_INFO_SIZE},
	[VFIO_USER_CMD_DEVICE_GET_REGION_INFO] = {vfio_user_cmd_region_info, false,
						  VFIO_USER_REGION_INFO_SIZE},
	[VFIO_USER_CMD_DEVICE_GET_REGION_IO_FDS] = {vfio_user_cmd_region_io_fds, false,
						    VFIO_USER_REGION_IO_FDS_SIZE},
	[VFIO_USER_CMD_DEVICE_GET_IRQ_INFO] = {vfio_user_cmd_irq_info, false,
					       VFIO_USER_IRQ_INFO_SIZE},
	[VFIO_USER_CMD_DEVICE_SET_IRQS] = {vfio_user_cmd_set_irqs, true, VFIO_USER_SET_IRQS_SIZE},
	[VFIO_USER_CMD_REGION_READ] = {vfio_user_cmd_region_read, false,
				       VFIO_USER_REGION_ACCESS_SIZE},
	[VFIO_USER_CMD_REGION_WRITE] = {vfio_user_cmd_region_write, false,
					VFIO_USER_REGION_ACCESS_SIZE},
	[VFIO_USER_CMD_DMA_READ] = {vfio_user_cmd_not_served, false, 0},
	[VFIO_USER_CMD_DMA_WRITE] = {vfio_user_cmd_not_served, false, 0},
	[VFIO_USER_CMD_DEVICE_RESET] = {vfio_user_cmd_reset, false, 0},
	[VFIO_USER_CMD_REGION_WRITE_MULTI] = {vfio_user_cmd_write_multi, false,
					      VFIO_USER_WRITE_MULTI_MIN_SIZE},
	[VFIO_USER_CMD_DEVICE_FEATURE] = {vfio_user_cmd_device_feature, false,
					  VFIO_USER_DEVICE_FEATURE_SIZE},
	[VFIO_USER_CMD_MIG_DATA_READ] = {vfio_user_cmd_mig_data_read, false,
					 VFIO_USER_MIG_DATA_SIZE},
	[VFIO_USER_CMD_MIG_DATA_WRITE] = {vfio_user_cmd_mig_data_write, false,
					  VFIO_USER_MIG_DATA_SIZE},
};

int
vfio_user_cmd_dispatch(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	const struct vfio_user_cmd_handler *h = NULL;
	uint16_t cmd = req->hdr.cmd;

	if (cmd < RTE_DIM(vfio_user_cmds) && vfio_user_cmds[cmd].handler != NULL)
		h = &vfio_user_cmds[cmd];
	if (req->nfds > 0 && (h == NULL || !h->accepts_fds))
		return -EINVAL;
	if (h == NULL) {
		VFIO_USER_LOG_REFUSED(srv, VFIO_USER_REFUSED_CMD, "unknown command %u refused",
				      cmd);
		return -EINVAL;
	}
	if (req->len < h->min_size)
		return -EINVAL;
	return h->handler(srv, req);
}
