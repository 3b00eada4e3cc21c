/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user server: the public API (create, regions, PCI configuration,
 * start, destroy) and the test entries of vfio_user_server_priv.h. The
 * other parts are listed in vfio_user_server_internal.h.
 *
 * Threading: every started server is served by one control thread per
 * process (vfio_user_ctl.c); vfio_user_lock protects the server list and is
 * held by the control thread while it handles one event, so
 * rte_vfio_user_server_destroy() (which takes it too) never runs
 * concurrently with a message of the same server.
 *
 * State shared with other threads:
 *  - the DMA table: written only by the thread handling the connection,
 *    between the dma_change BEGIN and END callbacks (during which the device
 *    promises not to translate); rte_vfio_user_dma_translate() reads it
 *    without a lock. A table that has to grow is replaced by a copy and the
 *    old one is kept until destroy, so a stale reader never reads freed
 *    memory. dma_lock serializes rte_vfio_user_dma_table() with changes.
 *  - the IRQ table: one spinlock per index protects fds, masks and pending
 *    bits (rte_vfio_user_irq_trigger() may run on any lcore).
 *  - the configuration space: pci_lock, so that rte_vfio_user_pci_cfg_read()
 *    may be called from any thread, including from a callback.
 * Callbacks are never called with dma_lock, pci_lock or an IRQ lock held.
 *
 * Neither receiving nor sending ever blocks the control thread
 * (vfio_user_conn.c).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_spinlock.h>

#include "vfio_user_server_internal.h"

/* lib.vfio_user (RTE_LOG_DEFAULT_LOGTYPE, from meson.build) */
RTE_LOG_REGISTER_DEFAULT(vfio_user_logtype, NOTICE);

#define VFIO_USER_LISTEN_BACKLOG 16

static uint64_t vfio_user_next_id = 1;

static long
vfio_user_page_size(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	return pg > 0 ? pg : 4096;
}

struct rte_vfio_user_server *
rte_vfio_user_server_create(const struct rte_vfio_user_server_conf *conf)
{
	static const uint32_t irq_max[RTE_VFIO_USER_NUM_IRQS] = {
		[RTE_VFIO_USER_IRQ_INTX] = 1,
		[RTE_VFIO_USER_IRQ_MSI] = 32,
		[RTE_VFIO_USER_IRQ_MSIX] = VFIO_USER_SRV_MAX_VECTORS,
		[RTE_VFIO_USER_IRQ_ERR] = 1,
		[RTE_VFIO_USER_IRQ_REQ] = 1,
	};
	struct rte_vfio_user_server *srv;
	size_t len;
	unsigned int i;

	if (conf == NULL || conf->path == NULL || conf->path[0] == '\0' ||
	    (conf->socket_mode & ~(mode_t)0777) != 0 || conf->pci_id.class_code > 0xffffff ||
	    (conf->flags & ~RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY) != 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++) {
		if (conf->irq_count[i] > irq_max[i]) {
			VFIO_USER_LOG(ERR, "irq_count[%u] = %u: at most %u", i, conf->irq_count[i],
				      irq_max[i]);
			rte_errno = EINVAL;
			return NULL;
		}
	}
	if (vfio_user_mig_conf_check(conf->mig_ops) < 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	len = strnlen(conf->path, VFIO_USER_SUN_PATH_LEN);
	if (len >= VFIO_USER_SUN_PATH_LEN) {
		rte_errno = ENAMETOOLONG;
		return NULL;
	}

	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	memcpy(srv->path, conf->path, len + 1);
	srv->mode = conf->socket_mode != 0 ? conf->socket_mode : 0600;
	memcpy(srv->irq_count, conf->irq_count, sizeof(srv->irq_count));
	srv->max_dma_maps =
		conf->max_dma_maps != 0 ? conf->max_dma_maps : RTE_VFIO_USER_DEFAULT_MAX_DMA_MAPS;
	srv->flags = conf->flags;
	if (conf->ops != NULL)
		srv->ops = *conf->ops;
	srv->arg = conf->arg;
	srv->mig.ops = conf->mig_ops;
	srv->mig.state = RTE_VFIO_USER_MIG_STATE_RUNNING;
	srv->info.migration = conf->mig_ops != NULL;
	srv->info.mig_state = RTE_VFIO_USER_MIG_STATE_RUNNING;
	srv->listen_fd = -1;
	srv->conn.sock = -1;
	srv->conn.out_fd = -1;
	rte_spinlock_init(&srv->info_lock);
	srv->info.pid = -1;
	srv->info.uid = -1;
	srv->id = __atomic_fetch_add(&vfio_user_next_id, 1, __ATOMIC_RELAXED);
	pthread_mutex_init(&srv->pci_lock, NULL);
	pthread_mutex_init(&srv->region_lock, NULL);
	pthread_mutex_init(&srv->dma_lock, NULL);
	for (i = 0; i < VFIO_USER_PCI_NUM_BARS; i++)
		srv->regions[i].fd = -1;
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++) {
		if (vfio_user_irq_alloc(&srv->irqs[i], conf->irq_count[i]) < 0) {
			rte_errno = ENOMEM;
			goto err;
		}
	}
	vfio_user_pci_init(&srv->pci, &conf->pci_id, conf->irq_count[RTE_VFIO_USER_IRQ_INTX] > 0);
	vfio_user_telemetry_register(srv, conf);
	return srv;

err:
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++)
		vfio_user_irq_free(&srv->irqs[i]);
	pthread_mutex_destroy(&srv->pci_lock);
	pthread_mutex_destroy(&srv->region_lock);
	pthread_mutex_destroy(&srv->dma_lock);
	free(srv);
	return NULL;
}

static bool
vfio_user_page_aligned(uint64_t v)
{
	return (v & ((uint64_t)vfio_user_page_size() - 1)) == 0;
}

/*
 * Duplicate the fd of region index (described by r), seal the file against
 * shrinking and growing, and check that it covers the mmappable part.
 * @return the duplicate, or a negative errno.
 */
static int
vfio_user_region_fd_take(struct rte_vfio_user_server *srv, uint32_t index,
			 const struct rte_vfio_user_region_conf *r, int fd)
{
	const int need = F_SEAL_SHRINK | F_SEAL_GROW;
	uint64_t end = r->size;
	struct stat st;
	uint32_t i;
	int dup_fd, seals;

	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return errno == EBADF ? -EINVAL : -errno;
	if (r->nr_sparse > 0) {
		end = 0;
		for (i = 0; i < r->nr_sparse; i++)
			end = RTE_MAX(end, r->sparse[i].offset + r->sparse[i].size);
	}
	if (fstat(dup_fd, &st) < 0 || st.st_size < 0 || (uint64_t)st.st_size < r->fd_offset + end) {
		VFIO_USER_LOG(ERR, "%s: region %u: its fd is smaller than the mmappable part",
			      srv->path, index);
		close(dup_fd);
		return -EINVAL;
	}
	/* Checked first: a refused fd is left as it was. */
	seals = fcntl(dup_fd, F_GET_SEALS);
	if (seals >= 0 && (seals & need) != need && !(seals & F_SEAL_SEAL) &&
	    fcntl(dup_fd, F_ADD_SEALS, need & ~seals) == 0)
		seals |= need;
	if (seals < 0 || (seals & need) != need) {
		VFIO_USER_LOG(
			ERR,
			"%s: region %u: its fd cannot be sealed against shrinking and growing:"
			" create it with memfd_create(MFD_ALLOW_SEALING)",
			srv->path, index);
		close(dup_fd);
		return -EPERM;
	}
	return dup_fd;
}

int
rte_vfio_user_server_set_region(struct rte_vfio_user_server *srv, uint32_t index,
				const struct rte_vfio_user_region_conf *conf)
{
	struct rte_vfio_user_region_conf r;
	uint32_t i, j;
	int ret, fd = -1;

	if (srv == NULL || conf == NULL || index >= VFIO_USER_PCI_NUM_BARS)
		return -EINVAL;
	if (srv->pci.sealed) /* the configuration is fixed (started or attached) */
		return -EBUSY;
	if ((conf->flags & ~(RTE_VFIO_USER_REGION_READ | RTE_VFIO_USER_REGION_WRITE)) != 0 ||
	    (conf->bar_flags &
	     ~(RTE_VFIO_USER_BAR_MEM64 | RTE_VFIO_USER_BAR_PREFETCH | RTE_VFIO_USER_BAR_IO)) != 0 ||
	    conf->nr_sparse > RTE_VFIO_USER_MAX_SPARSE)
		return -EINVAL;

	r = *conf;
	if (r.size > 0) {
		if (r.fd >= 0) {
			if (!vfio_user_page_aligned(r.fd_offset) ||
			    r.fd_offset + r.size < r.fd_offset)
				return -EINVAL;
		} else {
			if (r.nr_sparse > 0)
				return -EINVAL; /* sparse areas need an fd */
			r.fd_offset = 0;
		}
		for (i = 0; i < r.nr_sparse; i++) {
			const struct rte_vfio_user_sparse_area *a = &r.sparse[i];

			if (a->size == 0 || !vfio_user_page_aligned(a->offset) ||
			    !vfio_user_page_aligned(a->size) || a->offset > r.size ||
			    a->size > r.size - a->offset)
				return -EINVAL;
			for (j = 0; j < i; j++) {
				const struct rte_vfio_user_sparse_area *b = &r.sparse[j];

				if (a->offset < b->offset + b->size &&
				    b->offset < a->offset + a->size)
					return -EINVAL;
			}
		}
		if (r.fd >= 0) {
			fd = vfio_user_region_fd_take(srv, index, &r, r.fd);
			if (fd < 0)
				return fd;
		}
	} else {
		/* Size 0: no region at this index. */
		memset(&r, 0, sizeof(r));
	}
	r.fd = fd;

	pthread_mutex_lock(&srv->pci_lock);
	ret = vfio_user_pci_set_bar(&srv->pci, index, r.size, r.bar_flags);
	pthread_mutex_unlock(&srv->pci_lock);
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	pthread_mutex_lock(&srv->region_lock);
	if (srv->regions[index].fd >= 0)
		close(srv->regions[index].fd);
	srv->regions[index] = r;
	pthread_mutex_unlock(&srv->region_lock);
	vfio_user_telemetry_region(srv, index, conf);
	return 0;
}

int
rte_vfio_user_server_set_region_fd(struct rte_vfio_user_server *srv, uint32_t index, int fd)
{
	bool locked = false;
	int nfd, old, ret = 0;

	if (srv == NULL || index >= VFIO_USER_PCI_NUM_BARS || fd < 0)
		return -EINVAL;
	/*
	 * Off the serving thread, vfio_user_lock keeps the control thread from
	 * accepting a client while the fd changes (it accepts under it).
	 */
	if (!vfio_user_serving) {
		pthread_mutex_lock(&vfio_user_lock);
		locked = true;
		if (srv->conn.sock >= 0) {
			ret = -EBUSY;
			goto out;
		}
	}
	if (srv->regions[index].size == 0 || srv->regions[index].fd < 0) {
		ret = -EINVAL;
		goto out;
	}
	nfd = vfio_user_region_fd_take(srv, index, &srv->regions[index], fd);
	if (nfd < 0) {
		ret = nfd;
		goto out;
	}
	pthread_mutex_lock(&srv->region_lock);
	old = srv->regions[index].fd;
	srv->regions[index].fd = nfd;
	pthread_mutex_unlock(&srv->region_lock);
	close(old);
	VFIO_USER_LOG(DEBUG, "%s: region %u: new fd", srv->path, index);
out:
	if (locked)
		pthread_mutex_unlock(&vfio_user_lock);
	return ret;
}

int
rte_vfio_user_pci_cap_add(struct rte_vfio_user_server *srv, uint8_t cap_id, const void *body,
			  uint8_t len, const uint8_t *wmask, uint16_t *offset)
{
	int ret;

	if (srv == NULL)
		return -EINVAL;
	pthread_mutex_lock(&srv->pci_lock);
	ret = vfio_user_pci_cap_add(&srv->pci, cap_id, body, len, wmask, offset);
	pthread_mutex_unlock(&srv->pci_lock);
	return ret;
}

int
rte_vfio_user_pci_msix_cap_add(struct rte_vfio_user_server *srv, uint8_t table_bar,
			       uint32_t table_offset, uint8_t pba_bar, uint32_t pba_offset,
			       uint16_t *offset)
{
	uint32_t nvec;
	int ret;

	if (srv == NULL)
		return -EINVAL;
	if (srv->pci.sealed) /* the configuration is fixed (started or attached) */
		return -EBUSY;
	nvec = srv->irq_count[RTE_VFIO_USER_IRQ_MSIX];
	if (nvec == 0 || nvec > VFIO_USER_SRV_MAX_VECTORS)
		return -EINVAL;
	pthread_mutex_lock(&srv->pci_lock);
	ret = vfio_user_pci_msix_cap_add(&srv->pci, (uint16_t)nvec, table_bar, table_offset,
					 pba_bar, pba_offset, offset);
	pthread_mutex_unlock(&srv->pci_lock);
	return ret;
}

int
rte_vfio_user_pci_exp_cap_add(struct rte_vfio_user_server *srv, uint16_t *offset)
{
	int ret;

	if (srv == NULL)
		return -EINVAL;
	pthread_mutex_lock(&srv->pci_lock);
	ret = vfio_user_pci_exp_cap_add(&srv->pci, offset);
	pthread_mutex_unlock(&srv->pci_lock);
	return ret;
}

int
rte_vfio_user_pci_cfg_read(struct rte_vfio_user_server *srv, uint32_t offset, void *buf,
			   uint32_t len)
{
	uint32_t events = 0;
	int ret;

	if (srv == NULL || (buf == NULL && len > 0) || offset > RTE_VFIO_USER_PCI_CFG_SIZE ||
	    len > RTE_VFIO_USER_PCI_CFG_SIZE - offset)
		return -EINVAL;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&srv->pci_lock);
	ret = vfio_user_pci_cfg_access(&srv->pci, offset, buf, len, false, &events);
	pthread_mutex_unlock(&srv->pci_lock);
	return ret;
}

/* Fix the configuration (once: sealing again would take a new reset snapshot). */
static void
vfio_user_seal(struct rte_vfio_user_server *srv)
{
	pthread_mutex_lock(&srv->pci_lock);
	if (!srv->pci.sealed)
		vfio_user_pci_seal(&srv->pci);
	pthread_mutex_unlock(&srv->pci_lock);
}

/* Is a live server listening on sa? 0: no (stale file), else -errno. */
static int
vfio_user_probe_socket(const struct sockaddr_un *sa)
{
	int s, r, err;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	r = connect(s, (const struct sockaddr *)sa, sizeof(*sa));
	err = r == 0 ? 0 : errno;
	close(s);
	if (r == 0 || err == EAGAIN || err == EINPROGRESS)
		return -EADDRINUSE;
	if (err == ECONNREFUSED)
		return 0;
	return -err;
}

/* Create the listening socket. */
static int
vfio_user_listen(struct rte_vfio_user_server *srv)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, ret;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, srv->path, strlen(srv->path) + 1);

	if (lstat(srv->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			VFIO_USER_LOG(ERR, "%s: exists and is not a socket", srv->path);
			return -ENOTSOCK;
		}
		ret = vfio_user_probe_socket(&sa);
		if (ret < 0) {
			VFIO_USER_LOG(ERR, "%s: %s", srv->path,
				      ret == -EADDRINUSE ? "another server listens there" :
							   strerror(-ret));
			return ret;
		}
		VFIO_USER_LOG(INFO, "%s: replacing a stale socket", srv->path);
		if (unlink(srv->path) < 0 && errno != ENOENT)
			return -errno;
	} else if (errno != ENOENT) {
		return -errno;
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		VFIO_USER_LOG(ERR, "%s: bind: %s", srv->path, strerror(errno));
		close(fd);
		return ret;
	}
	/* Nobody can connect before listen(): set the mode first. */
	if (chmod(srv->path, srv->mode) < 0 || lstat(srv->path, &st) < 0 ||
	    listen(fd, VFIO_USER_LISTEN_BACKLOG) < 0) {
		ret = -errno;
		VFIO_USER_LOG(ERR, "%s: %s", srv->path, strerror(errno));
		close(fd);
		unlink(srv->path);
		return ret;
	}
	srv->sock_dev = st.st_dev;
	srv->sock_ino = st.st_ino;
	srv->listen_fd = fd;
	vfio_user_info_listening(srv, true);
	return 0;
}

/* Remove the socket file if it is still ours. */
static void
vfio_user_unlink_socket(struct rte_vfio_user_server *srv)
{
	struct stat st;

	if (lstat(srv->path, &st) == 0 && st.st_dev == srv->sock_dev && st.st_ino == srv->sock_ino)
		unlink(srv->path);
}

int
rte_vfio_user_server_start(struct rte_vfio_user_server *srv)
{
	int ret;

	if (srv == NULL)
		return -EINVAL;
	pthread_mutex_lock(&vfio_user_lock);
	if (srv->started || srv->conn.sock >= 0) {
		ret = -EBUSY;
		goto out;
	}
	ret = vfio_user_listen(srv);
	if (ret < 0)
		goto out;
	ret = vfio_user_ctl_add(srv);
	if (ret < 0)
		goto err_sock;
	vfio_user_seal(srv);
	srv->started = true;
	VFIO_USER_LOG(INFO, "%s: listening", srv->path);
	goto out;

err_sock:
	vfio_user_info_listening(srv, false);
	close(srv->listen_fd);
	srv->listen_fd = -1;
	vfio_user_unlink_socket(srv);
out:
	pthread_mutex_unlock(&vfio_user_lock);
	return ret;
}

void
rte_vfio_user_server_destroy(struct rte_vfio_user_server *srv)
{
	struct vfio_user_ctl *stop = NULL;
	unsigned int i;
	bool serving;

	if (srv == NULL)
		return;
	vfio_user_telemetry_unregister(srv);
	pthread_mutex_lock(&vfio_user_lock);
	if (srv->started)
		vfio_user_ctl_del(srv);
	serving = vfio_user_serving; /* the disconnected callback may replace region fds */
	vfio_user_serving = true;
	vfio_user_disconnect(srv);
	vfio_user_serving = serving;
	if (srv->started) {
		vfio_user_info_listening(srv, false);
		close(srv->listen_fd);
		srv->listen_fd = -1;
		vfio_user_unlink_socket(srv);
		srv->started = false;
		stop = vfio_user_ctl_put();
	}
	pthread_mutex_unlock(&vfio_user_lock);
	if (stop != NULL)
		vfio_user_ctl_join(stop);

	for (i = 0; i < VFIO_USER_PCI_NUM_BARS; i++)
		if (srv->regions[i].fd >= 0)
			close(srv->regions[i].fd);
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++)
		vfio_user_irq_free(&srv->irqs[i]);
	vfio_user_dma_free(srv);
	pthread_mutex_destroy(&srv->pci_lock);
	pthread_mutex_destroy(&srv->region_lock);
	pthread_mutex_destroy(&srv->dma_lock);
	free(srv);
}

bool
rte_vfio_user_server_connected(const struct rte_vfio_user_server *srv)
{
	if (srv == NULL)
		return false;
	return __atomic_load_n(&srv->connected, __ATOMIC_ACQUIRE);
}

void
vfio_user_server_client_info(struct rte_vfio_user_server *srv,
			     struct vfio_user_server_client_info *info)
{
	rte_spinlock_lock(&srv->info_lock);
	*info = srv->info;
	rte_spinlock_unlock(&srv->info_lock);
}

const char *
rte_vfio_user_server_path(const struct rte_vfio_user_server *srv)
{
	return srv != NULL ? srv->path : NULL;
}

/* ------------------------------------------------- test and fuzz entries */

int
vfio_user_server_attach(struct rte_vfio_user_server *srv, int sock)
{
	int fl, ret;

	if (srv == NULL || sock < 0)
		return -EINVAL;
	if (srv->started || srv->conn.sock >= 0)
		return -EBUSY;
	fl = fcntl(sock, F_GETFL);
	if (fl < 0 || fcntl(sock, F_SETFL, fl | O_NONBLOCK) < 0)
		return -EINVAL;
	vfio_user_seal(srv);
	ret = vfio_user_conn_open(srv, sock);
	if (ret < 0)
		return ret;
	return 0;
}

int
vfio_user_server_handle_input(struct rte_vfio_user_server *srv)
{
	bool serving = vfio_user_serving;
	int ret;

	if (srv == NULL || srv->conn.sock < 0)
		return -ENOTCONN;
	vfio_user_serving = true;
	ret = vfio_user_conn_service(srv, 0);
	vfio_user_serving = serving;
	return ret;
}

void
vfio_user_server_detach(struct rte_vfio_user_server *srv)
{
	bool serving = vfio_user_serving;

	if (srv == NULL || srv->started)
		return;
	vfio_user_serving = true;
	vfio_user_disconnect(srv);
	vfio_user_serving = serving;
}
