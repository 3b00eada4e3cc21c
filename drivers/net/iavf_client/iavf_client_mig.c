/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * net_iavf_client: moving a port to another server with its device's state
 * (vfio-user migration, the "container case": the application stays, the
 * backend process changes), and the telemetry command that triggers it.
 *
 * The port's connection to the old server (A) keeps serving while the new
 * one (B) is prepared through a scratch adapter (struct iavfc_adapter with
 * scratch set: the same functions as an attach, on B's client, touching
 * neither the port's link nor its reconnection): B is identified, its tail
 * pages mapped, the port's memory (the DMA zone and its mempools) DMA-mapped
 * to it, its device questioned through the zone's spare admin queue
 * (VERSION, GET_VF_RESOURCES: queue pairs, MAC, MTU as the port's), reset
 * and set RESUMING. Then the pause: the data path is quiesced as for a
 * reconnection (iavfc_dp_quiesce()), A goes STOP_COPY (its backend stops
 * its queues and reports their heads), its state is read, A STOP; the state
 * is written to B, B STOP (it loads it: admin queue, virtchnl configuration,
 * queue heads and tails) and RUNNING; the port takes B's connection, DMA
 * mappings and tail pages, and the data path resumes where it stopped: the
 * rings, their indices and the admin queue are the same memory, which B now
 * serves. A is closed last. Until the port takes B any failure leaves the
 * port on A: B first (asked to run, it may already run the device on the
 * port's memory: it is reset, then closed), then A is set RUNNING again. The preparation and the pause are bounded (see
 * IAVFC_MOVE_PREPARE_MS): a slow or hostile server cannot hold the port.
 *
 * The whole move holds conn_lock, the memory hotplug read lock and lock (in
 * that order, as iavf_client.h says): nothing else of the port's control
 * path runs meanwhile, the DMA wants cannot change, and nothing allocates
 * DPDK memory here. The driver uses no interrupt (it polls), so there are
 * no eventfds to give B (SET_IRQS).
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include <ethdev_driver.h>

#include "iavf_client.h"
#include "rte_pmd_iavf_client.h"

/*
 * Bounds of a move (the new server may be hostile or hung): its preparation
 * may take IAVFC_MOVE_PREPARE_MS (the connection to B itself the library's
 * timeout of a call), then the
 * pause (A stops -> B runs) the port's move_pause_ms; past either the move
 * is abandoned (-ETIMEDOUT). Every request then has what remains (a
 * deadline of the client library over all of them). Going back to A after
 * a failure has IAVFC_MOVE_RESUME_MS more.
 */
#define IAVFC_MOVE_PREPARE_MS 4000u
#define IAVFC_MOVE_RESUME_MS 1000u
/*
 * Fewest bytes per transfer (max_data_xfer_size) of a server a move goes
 * through: below it the state takes thousands of round trips while the
 * data path is paused. The vfio-user specification sets no minimum (1 MiB
 * when the server says nothing); one page is a floor no real server is
 * under.
 */
#define IAVFC_MOVE_MIN_XFER 4096u
/** Bytes of state per MIG_DATA_READ/WRITE call. */
#define IAVFC_MIG_CHUNK (256u << 10)

#define IAVFC_SUN_PATH_MAX sizeof(((struct sockaddr_un *)NULL)->sun_path)

static uint64_t
iavfc_us_since(uint64_t t0)
{
	return (rte_get_timer_cycles() - t0) * 1000000u / rte_get_timer_hz();
}

/* Milliseconds left before dl (timer cycles): 0 once it has passed. */
static uint32_t
iavfc_ms_left(uint64_t dl)
{
	uint64_t now = rte_get_timer_cycles(), ms;

	if (now >= dl)
		return 0;
	ms = (dl - now) * 1000u / rte_get_timer_hz() + 1u;
	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* Bound every later request on c by dl; false once dl has passed. */
static bool
iavfc_bound(struct rte_vfio_user_client *c, uint64_t dl)
{
	uint32_t ms = iavfc_ms_left(dl);

	if (ms == 0 || c == NULL)
		return false;
	rte_vfio_user_client_deadline_set(c, ms);
	return true;
}

/* Log why the move fails and keep the first reason for the caller. */
static int __rte_format_printf(3, 4)
	iavfc_move_err(struct rte_pmd_iavf_client_move_result *res, int err, const char *fmt, ...)
{
	char msg[sizeof(res->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	IAVFC_LOG(ERR, "%s", msg);
	if (res->message[0] == '\0')
		snprintf(res->message, sizeof(res->message), "%s", msg);
	return err < 0 ? err : -EIO;
}

/* B must show what A showed: 0, or -1 with what differs in what. */
static int
iavfc_ident_cmp(const struct iavfc_ident *a, const struct iavfc_ident *b, char *what, size_t len)
{
	uint32_t i;

	if (a->vendor != b->vendor || a->device != b->device ||
	    a->subsys_vendor != b->subsys_vendor || a->subsys_device != b->subsys_device ||
	    a->class_rev != b->class_rev || a->header_type != b->header_type) {
		snprintf(what, len,
			 "PCI %04x:%04x subsystem %04x:%04x class+revision %08x, the port's is "
			 "%04x:%04x subsystem %04x:%04x class+revision %08x",
			 b->vendor, b->device, b->subsys_vendor, b->subsys_device, b->class_rev,
			 a->vendor, a->device, a->subsys_vendor, a->subsys_device, a->class_rev);
		return -1;
	}
	if (a->dev_flags != b->dev_flags || a->num_regions != b->num_regions ||
	    a->num_irqs != b->num_irqs) {
		snprintf(what, len,
			 "%u regions, %u IRQ indices, flags 0x%x; the port's device has %u, %u, "
			 "0x%x",
			 b->num_regions, b->num_irqs, b->dev_flags, a->num_regions, a->num_irqs,
			 a->dev_flags);
		return -1;
	}
	for (i = 0; i < RTE_MIN(a->num_regions, IAVFC_IDENT_REGIONS); i++) {
		if (a->region[i].size != b->region[i].size ||
		    a->region[i].flags != b->region[i].flags) {
			snprintf(what, len,
				 "region %u of 0x%" PRIx64
				 " bytes, flags 0x%x; the port's is 0x%" PRIx64
				 " bytes, flags 0x%x",
				 i, b->region[i].size, b->region[i].flags, a->region[i].size,
				 a->region[i].flags);
			return -1;
		}
	}
	for (i = 0; i < RTE_MIN(a->num_irqs, IAVFC_IDENT_IRQS); i++) {
		if (a->irq[i].count != b->irq[i].count || a->irq[i].flags != b->irq[i].flags) {
			snprintf(what, len,
				 "IRQ index %u with %u vector(s), flags 0x%x; the port's has %u, "
				 "flags 0x%x",
				 i, b->irq[i].count, b->irq[i].flags, a->irq[i].count,
				 a->irq[i].flags);
			return -1;
		}
	}
	return 0;
}

/*
 * The scratch adapter that drives B until the port takes it: the port's
 * name and DMA zone, B's path, the zone's spare admin queue, the port's
 * DMA wants (borrowed: read under the port's lock, never changed).
 */
static struct iavfc_adapter *
iavfc_scratch_new(const struct iavfc_adapter *ad, const char *path)
{
	struct iavfc_adapter *t = calloc(1, sizeof(*t));
	const size_t ring = IAVFC_AQ_LEN * sizeof(struct avf_aq_desc);

	if (t == NULL)
		return NULL;
	t->scratch = true;
	t->eth_dev = ad->eth_dev;
	snprintf(t->name, sizeof(t->name), "%s", ad->name);
	snprintf(t->path, sizeof(t->path), "%s", path);
	t->zone = ad->zone;
	t->zone_pg = ad->zone_pg;
	t->zone_qp = ad->zone_qp;
	t->wants = ad->wants;
	t->nb_wants = ad->nb_wants;
	t->atq = ad->probe_aq;
	t->arq = t->atq + IAVFC_AQ_LEN;
	t->atq_buf = (uint8_t *)(uintptr_t)ad->probe_aq + 2u * ring;
	t->arq_buf = t->atq_buf + IAVFC_AQ_BUF_SIZE;
	t->atq_iova = ad->probe_aq_iova;
	t->arq_iova = t->atq_iova + ring;
	t->atq_buf_iova = t->atq_iova + 2u * ring;
	t->arq_buf_iova = t->atq_buf_iova + IAVFC_AQ_BUF_SIZE;
	return t;
}

/* Close the server the scratch adapter holds (B, or A after the swap). */
static void
iavfc_scratch_free(struct iavfc_adapter *t)
{
	if (t == NULL)
		return;
	if (t->c != NULL) {
		if (t->nb_maps > 0 && !t->gone)
			rte_vfio_user_client_dma_unmap_all(t->c);
		rte_vfio_user_client_close(t->c);
	}
	free(t->maps);
	free(t);
}

/* What a server of a move (who: A or B, on path) must have negotiated. */
static int
iavfc_move_caps_check(struct iavfc_adapter *ad, struct rte_vfio_user_client *c, const char *who,
		      const char *path, struct rte_pmd_iavf_client_move_result *res)
{
	const struct rte_vfio_user_client_caps *caps = rte_vfio_user_client_caps(c);

	if (caps == NULL || !caps->migration)
		return iavfc_move_err(res, -ENOTSUP, "%s: move: %s on %s does not offer migration",
				      ad->name, who, path);
	if (caps->max_data_xfer_size < IAVFC_MOVE_MIN_XFER)
		return iavfc_move_err(res, -EPROTO,
				      "%s: move: %s on %s takes %u bytes per transfer "
				      "(max_data_xfer_size), fewer than %u",
				      ad->name, who, path, caps->max_data_xfer_size,
				      IAVFC_MOVE_MIN_XFER);
	return 0;
}

/*
 * Before the pause, with the data path running on A: connect to B, check
 * it, map the port's memory, question its device, leave it RESUMING.
 */
static int
iavfc_move_prepare(struct iavfc_adapter *ad, struct iavfc_adapter *t, uint64_t dl,
		   struct rte_pmd_iavf_client_move_result *res)
{
	char what[200];
	uint64_t flags = 0;
	unsigned int i;
	int ret;

	if (iavfc_ms_left(dl) == 0)
		return -ETIMEDOUT;
	/*
	 * With the library's timeout per call, as the port's own connection
	 * (this one becomes the port's): the connection itself is bounded by
	 * it, everything after by the move's deadline.
	 */
	t->c = rte_vfio_user_client_connect(t->path, NULL);
	if (t->c != NULL && !iavfc_bound(t->c, dl))
		return -ETIMEDOUT;
	if (t->c == NULL) {
		ret = rte_errno;
		switch (ret) {
		case ENOENT:
			return iavfc_move_err(res, -ret, "%s: move: no server on %s (no socket)",
					      ad->name, t->path);
		case ECONNREFUSED:
			return iavfc_move_err(res, -ret,
					      "%s: move: nobody serves %s (connection refused)",
					      ad->name, t->path);
		case EBUSY:
			return iavfc_move_err(res, -ret,
					      "%s: move: the device on %s already has a client",
					      ad->name, t->path);
		case EPROTO:
			return iavfc_move_err(res, -ret,
					      "%s: move: the server on %s does not speak vfio-user",
					      ad->name, t->path);
		default:
			return iavfc_move_err(res, -ret, "%s: move: cannot connect to %s: %s",
					      ad->name, t->path, rte_strerror(ret));
		}
	}
	ret = iavfc_move_caps_check(ad, t->c, "the server", t->path, res);
	if (ret < 0)
		return ret;
	ret = rte_vfio_user_client_mig_flags(t->c, &flags);
	if (ret < 0 || (flags & RTE_VFIO_USER_MIG_F_STOP_COPY) == 0)
		return iavfc_move_err(
			res, ret < 0 ? ret : -ENOTSUP,
			"%s: move: the device on %s does not migrate (%s)", ad->name, t->path,
			ret < 0 ? strerror(-ret) : "no STOP_COPY in its migration flags");

	/* The same device as the port's, as an attach sees it. */
	ret = iavfc_identify(t);
	if (ret < 0)
		return iavfc_move_err(res, ret,
				      "%s: move: the server on %s is not an AVF or does not answer "
				      "as one (%s)",
				      ad->name, t->path, strerror(-ret));
	if (iavfc_ident_cmp(&ad->ident, &t->ident, what, sizeof(what)) < 0)
		return iavfc_move_err(res, -EPROTO, "%s: move: the device on %s has %s", ad->name,
				      t->path, what);
	ret = iavfc_map_tails(t);
	if (ret < 0)
		return iavfc_move_err(res, ret, "%s: move: the tail pages of %s: %s", ad->name,
				      t->path, strerror(-ret));

	/* The port's memory: the DMA zone and every mempool mapped to A. */
	ret = iavfc_map_owner(t, ad->zone);
	for (i = 0; i < IAVFC_MAX_POOLS && ret == 0; i++)
		if (ad->pools[i].state == IAVFC_POOL_MAPPED)
			ret = iavfc_map_owner(t, ad->pools[i].mp);
	if (ret < 0)
		return iavfc_move_err(res, ret, "%s: move: DMA mappings to %s: %s", ad->name,
				      t->path, strerror(-ret));

	/* Its device, through the spare admin queue: what the port relies on. */
	ret = iavfc_aq_init(t);
	if (ret == 0)
		ret = iavfc_vc_version(t);
	if (ret == 0)
		ret = iavfc_vc_get_resources(t);
	if (ret < 0)
		return iavfc_move_err(res, ret,
				      "%s: move: the device on %s does not answer as an AVF (%s)",
				      ad->name, t->path, strerror(-ret));
	if (t->dev_qp != ad->dev_qp)
		return iavfc_move_err(res, -EPROTO,
				      "%s: move: the device on %s offers %u queue pair(s), the "
				      "port's %u",
				      ad->name, t->path, t->dev_qp, ad->dev_qp);
	if (!rte_is_same_ether_addr(&t->dev_mac, &ad->dev_mac))
		return iavfc_move_err(
			res, -EPROTO,
			"%s: move: the device on %s has the MAC address " RTE_ETHER_ADDR_PRT_FMT
			", the port's " RTE_ETHER_ADDR_PRT_FMT,
			ad->name, t->path, RTE_ETHER_ADDR_BYTES(&t->dev_mac),
			RTE_ETHER_ADDR_BYTES(&ad->dev_mac));
	if (t->max_mtu != ad->max_mtu || t->caps != ad->caps || t->pf_ver.minor != ad->pf_ver.minor)
		return iavfc_move_err(
			res, -EPROTO,
			"%s: move: the device on %s has max MTU %u, capabilities 0x%x, "
			"virtchnl 1.%u; the port's %u, 0x%x, 1.%u",
			ad->name, t->path, t->max_mtu, t->caps, t->pf_ver.minor, ad->max_mtu,
			ad->caps, ad->pf_ver.minor);
	iavfc_aq_shutdown(t);
	if (t->ident.dev_flags & RTE_VFIO_USER_DEV_RESET) {
		ret = rte_vfio_user_client_reset(t->c);
		if (ret < 0)
			return iavfc_move_err(res, ret, "%s: move: reset of the device on %s: %s",
					      ad->name, t->path, strerror(-ret));
	}
	ret = rte_vfio_user_client_mig_state_set(t->c, RTE_VFIO_USER_MIG_STATE_RESUMING);
	if (ret < 0)
		return iavfc_move_err(res, ret, "%s: move: the device on %s refuses RESUMING: %s",
				      ad->name, t->path, strerror(-ret));
	return 0;
}

/* Read A's state (STOP_COPY) into *buf; bounded by RTE_VFIO_USER_MIG_MAX_DATA. */
static int
iavfc_state_read(struct iavfc_adapter *ad, uint8_t **buf, size_t *cap, size_t *len,
		 struct rte_pmd_iavf_client_move_result *res)
{
	for (;;) {
		uint32_t chunk;
		int n;

		if (*cap - *len < IAVFC_MIG_CHUNK) {
			size_t ncap = *cap * 2;
			uint8_t *nb;

			if (*len > RTE_VFIO_USER_MIG_MAX_DATA)
				return iavfc_move_err(
					res, -EFBIG,
					"%s: move: the device on %s gives more than %u "
					"bytes of state",
					ad->name, ad->path, RTE_VFIO_USER_MIG_MAX_DATA);
			nb = realloc(*buf, ncap);
			if (nb == NULL)
				return iavfc_move_err(res, -ENOMEM, "%s: move: out of memory",
						      ad->name);
			*buf = nb;
			*cap = ncap;
		}
		chunk = IAVFC_MIG_CHUNK;
		n = rte_vfio_user_client_mig_data_read(ad->c, *buf + *len, chunk);
		if (n < 0) {
			iavfc_conn_error(ad, n, "migration data read");
			return iavfc_move_err(res, n,
					      "%s: move: reading the state of the device on %s: %s",
					      ad->name, ad->path, strerror(-n));
		}
		if ((uint32_t)n > chunk)
			return iavfc_move_err(res, -EPROTO, "%s: move: %d bytes read for %u",
					      ad->name, n, chunk);
		*len += (uint32_t)n;
		if ((uint32_t)n < chunk)
			return 0;
	}
}

/* Write the state to B (RESUMING), in pieces it takes. */
static int
iavfc_state_write(struct iavfc_adapter *ad, struct iavfc_adapter *t, const uint8_t *buf, size_t len,
		  struct rte_pmd_iavf_client_move_result *res)
{
	const struct rte_vfio_user_client_caps *caps = rte_vfio_user_client_caps(t->c);
	uint32_t step = IAVFC_MIG_CHUNK;
	size_t off = 0;
	int ret;

	if (caps != NULL && caps->max_data_xfer_size != 0)
		step = RTE_MIN(step, caps->max_data_xfer_size);
	while (off < len) {
		uint32_t n = (uint32_t)RTE_MIN((size_t)step, len - off);

		ret = rte_vfio_user_client_mig_data_write(t->c, buf + off, n);
		if (ret < 0)
			return iavfc_move_err(res, ret,
					      "%s: move: writing the state to the device on %s: %s",
					      ad->name, t->path, strerror(-ret));
		off += n;
	}
	return 0;
}

/* The port's connection becomes B's (data path quiesced, B running). */
static void
iavfc_move_swap(struct iavfc_adapter *ad, struct iavfc_adapter *t)
{
	struct rte_vfio_user_client *c = ad->c;
	struct iavfc_dma_map *maps = ad->maps;
	uint32_t nb = ad->nb_maps, cap = ad->maps_cap;
	char old[PATH_MAX];
	uint8_t *tx = ad->tx_tail_page, *rx = ad->rx_tail_page;

	ad->c = t->c;
	ad->maps = t->maps;
	ad->nb_maps = t->nb_maps;
	ad->maps_cap = t->maps_cap;
	ad->tx_tail_page = t->tx_tail_page;
	ad->rx_tail_page = t->rx_tail_page;
	ad->ident = t->ident;
	snprintf(old, sizeof(old), "%s", ad->path);
	snprintf(ad->path, sizeof(ad->path), "%s", t->path);
	t->c = c;
	t->maps = maps;
	t->nb_maps = nb;
	t->maps_cap = cap;
	t->tx_tail_page = tx;
	t->rx_tail_page = rx;
	snprintf(t->path, sizeof(t->path), "%s", old);
	iavfc_tails_set(ad);
}

/*
 * A phase of the move ran past its deadline: abandoned, say so (the first
 * reason, a request's timeout, is in the log).
 */
static int
iavfc_move_late(struct iavfc_adapter *ad, const char *path, const char *phase, uint32_t limit_ms,
		struct rte_pmd_iavf_client_move_result *res)
{
	res->message[0] = '\0';
	return iavfc_move_err(res, -ETIMEDOUT,
			      "%s: move: abandoned: %s took more than %u ms (to %s)", ad->name,
			      phase, limit_ms, path);
}

/* conn_lock, the hotplug read lock and lock held. */
static int
iavfc_move_locked(struct iavfc_adapter *ad, const char *path,
		  struct rte_pmd_iavf_client_move_result *res)
{
	struct iavfc_adapter *t = NULL;
	uint64_t flags = 0, t0, tp = 0, tph, hz = rte_get_timer_hz(), dl;
	uint8_t *buf = NULL;
	size_t cap = 4u * IAVFC_MIG_CHUNK, len = 0;
	bool dp_was_on = false, a_stopped = false, b_run_sent = false;
	const char *phase = "preparing the new server";
	uint32_t phase_ms = IAVFC_MOVE_PREPARE_MS;
	int ret, r;

	t0 = rte_get_timer_cycles();
	dl = t0 + hz * IAVFC_MOVE_PREPARE_MS / 1000u;
	if (ad->closing)
		return iavfc_move_err(res, -ENODEV, "%s: move: the port is closing", ad->name);
	if (!iavfc_connected(ad))
		return iavfc_move_err(res, -ENOTCONN,
				      "%s: move: the port is not connected to a server (%s is "
				      "gone)",
				      ad->name, ad->path);
	if (strcmp(path, ad->path) == 0)
		return iavfc_move_err(res, -EINVAL, "%s: move: the port is on %s already", ad->name,
				      path);
	ret = iavfc_move_caps_check(ad, ad->c, "the port's server", ad->path, res);
	if (ret < 0)
		return ret;
	/* A's requests too are bounded by the move's deadlines from here. */
	iavfc_bound(ad->c, dl);
	ret = rte_vfio_user_client_mig_flags(ad->c, &flags);
	if (ret < 0 || (flags & RTE_VFIO_USER_MIG_F_STOP_COPY) == 0) {
		if (ret < 0)
			iavfc_conn_error(ad, ret, "migration flags");
		ret = iavfc_move_err(res, ret < 0 ? ret : -ENOTSUP,
				     "%s: move: the port's device on %s does not migrate (%s)",
				     ad->name, ad->path,
				     ret < 0 ? strerror(-ret) : "no STOP_COPY in its flags");
		goto out;
	}
	t = iavfc_scratch_new(ad, path);
	buf = malloc(cap);
	if (t == NULL || buf == NULL) {
		ret = iavfc_move_err(res, -ENOMEM, "%s: move: out of memory", ad->name);
		goto out;
	}
	IAVFC_LOG(INFO, "%s: moving from %s to %s (pause limit %u ms)", ad->name, ad->path, path,
		  ad->move_pause_ms);
	ret = iavfc_move_prepare(ad, t, dl, res);
	if (ret < 0)
		goto out;
	res->prepare_us = iavfc_us_since(t0);

	/*
	 * The pause: no burst touches the rings or the doorbells from here,
	 * until B runs or A again; every request has what remains of it.
	 */
	tp = rte_get_timer_cycles();
	dl = tp + hz * ad->move_pause_ms / 1000u;
	phase = "the pause (the old device stops, the new one runs)";
	phase_ms = ad->move_pause_ms;
	iavfc_bound(ad->c, dl);
	iavfc_bound(t->c, dl);
	dp_was_on = ad->started && __atomic_load_n(&ad->dp_on, __ATOMIC_SEQ_CST) != 0;
	if (ad->started)
		iavfc_dp_quiesce(ad);
	ret = rte_vfio_user_client_mig_state_set(ad->c, RTE_VFIO_USER_MIG_STATE_STOP_COPY);
	a_stopped = true; /* (maybe half-way: it is set RUNNING again on failure) */
	if (ret < 0) {
		iavfc_conn_error(ad, ret, "migration state STOP_COPY");
		ret = iavfc_move_err(res, ret, "%s: move: the device on %s does not stop: %s",
				     ad->name, ad->path, strerror(-ret));
		goto out;
	}
	tph = rte_get_timer_cycles();
	res->stop_us = iavfc_us_since(tp);
	ret = iavfc_state_read(ad, &buf, &cap, &len, res);
	if (ret < 0)
		goto out;
	if (len == 0) {
		ret = iavfc_move_err(res, -EPROTO, "%s: move: the device on %s gave no state",
				     ad->name, ad->path);
		goto out;
	}
	res->state_bytes = len;
	ret = rte_vfio_user_client_mig_state_set(ad->c, RTE_VFIO_USER_MIG_STATE_STOP);
	if (ret < 0) {
		iavfc_conn_error(ad, ret, "migration state STOP");
		ret = iavfc_move_err(res, ret, "%s: move: the device on %s: STOP_COPY -> STOP: %s",
				     ad->name, ad->path, strerror(-ret));
		goto out;
	}
	res->save_us = iavfc_us_since(tph);
	tph = rte_get_timer_cycles();
	ret = iavfc_state_write(ad, t, buf, len, res);
	if (ret == 0) {
		ret = rte_vfio_user_client_mig_state_set(t->c, RTE_VFIO_USER_MIG_STATE_STOP);
		if (ret < 0)
			ret = iavfc_move_err(
				res, ret,
				"%s: move: the device on %s refuses the state (%zu bytes): "
				"%s",
				ad->name, t->path, len, strerror(-ret));
	}
	if (ret < 0)
		goto out;
	res->load_us = iavfc_us_since(tph);
	tph = rte_get_timer_cycles();
	b_run_sent = true;
	ret = rte_vfio_user_client_mig_state_set(t->c, RTE_VFIO_USER_MIG_STATE_RUNNING);
	if (ret < 0) {
		ret = iavfc_move_err(res, ret, "%s: move: the device on %s does not run: %s",
				     ad->name, t->path, strerror(-ret));
		goto out;
	}

	/* B runs the device: the port is on B from here on. */
	iavfc_move_swap(ad, t);
	rte_vfio_user_client_deadline_set(ad->c, 0);
	if (dp_was_on)
		__atomic_store_n(&ad->dp_on, 1, __ATOMIC_SEQ_CST);
	res->resume_us = iavfc_us_since(tph);
	res->pause_us = iavfc_us_since(tp);
	tp = 0;
	a_stopped = false;
	/* What B may have queued (events A held while stopped), the counters. */
	iavfc_arq_poll(ad);
	iavfc_dev_counters_rebase(ad);
	iavfc_link_refresh(ad);
	IAVFC_LOG(NOTICE,
		  "%s: moved from %s to %s: data path paused %" PRIu64 " us (A stop %" PRIu64
		  " us, save %" PRIu64 " us, B load %" PRIu64 " us, resume %" PRIu64
		  " us), %" PRIu64 " bytes of device state, %" PRIu64 " us preparing",
		  ad->name, t->path, ad->path, res->pause_us, res->stop_us, res->save_us,
		  res->load_us, res->resume_us, res->state_bytes, res->prepare_us);
	/* A, moved away from, is closed below (its backend sees its client go). */
	iavfc_bound(t->c, rte_get_timer_cycles() + hz * IAVFC_MOVE_RESUME_MS / 1000u);
	ret = 0;
out:
	/* Past the deadline, a request cut short says so (another refusal stays). */
	if (ret < 0 && (ret == -ETIMEDOUT || ret == -ENOTCONN) && iavfc_ms_left(dl) == 0)
		ret = iavfc_move_late(ad, path, phase, phase_ms, res);
	if (ret < 0 && t != NULL && t->c != NULL) {
		/*
		 * B first, before A may run again, so that the port's memory has
		 * one device. B cannot have touched it before it was asked to
		 * run (stopped, resuming); after that it may be running: it is
		 * reset (a DEVICE_RESET answered means its device let go of the
		 * port's queues and memory), then closed. Closing alone is not
		 * enough: its server notices the hang-up later, on its own time.
		 */
		if (b_run_sent) {
			rte_vfio_user_client_deadline_set(t->c, IAVFC_MOVE_RESUME_MS);
			r = rte_vfio_user_client_reset(t->c);
			if (r == 0)
				IAVFC_LOG(WARNING,
					  "%s: move: the device on %s was asked to run (%s); it is "
					  "reset now (it answered), then closed",
					  ad->name, t->path, strerror(-ret));
			else
				IAVFC_LOG(ERR,
					  "%s: move: the device on %s may be running (RUNNING "
					  "answered %s) and does not answer a reset (%s): its "
					  "state is unknown, it may still use the port's memory "
					  "until its server sees the connection closed",
					  ad->name, t->path, strerror(-ret), strerror(-r));
		}
		rte_vfio_user_client_close(t->c);
		t->c = NULL;
		IAVFC_LOG(INFO, "%s: move: the connection to %s is closed", ad->name, t->path);
	}
	if (ret < 0 && a_stopped) {
		/* Back to A. */
		if (ad->c != NULL)
			rte_vfio_user_client_deadline_set(ad->c, IAVFC_MOVE_RESUME_MS);
		r = rte_vfio_user_client_mig_state_set(ad->c, RTE_VFIO_USER_MIG_STATE_RUNNING);
		if (r < 0) {
			IAVFC_LOG(ERR,
				  "%s: move: the device on %s does not run again (%s): the port "
				  "has lost its device",
				  ad->name, ad->path, strerror(-r));
			iavfc_conn_error(ad, r, "migration state RUNNING");
			if (iavfc_connected(ad))
				iavfc_conn_lost(ad);
		} else {
			IAVFC_LOG(NOTICE, "%s: move refused: the port stays on %s, running",
				  ad->name, ad->path);
		}
	} else if (ret < 0) {
		IAVFC_LOG(NOTICE, "%s: move refused: the port stays on %s", ad->name, ad->path);
	}
	if (ret < 0 && ad->c != NULL)
		rte_vfio_user_client_deadline_set(ad->c, 0);
	if (ret < 0 && dp_was_on && iavfc_connected(ad))
		__atomic_store_n(&ad->dp_on, 1, __ATOMIC_SEQ_CST);
	if (tp != 0)
		res->pause_us = iavfc_us_since(tp);
	/* B (refused, already closed), or A (moved away from). */
	if (t != NULL)
		t->wants = NULL;
	iavfc_scratch_free(t);
	free(buf);
	return ret;
}

int
rte_pmd_iavf_client_move(uint16_t port_id, const char *path,
			 struct rte_pmd_iavf_client_move_result *result)
{
	struct rte_pmd_iavf_client_move_result local = {0};
	struct rte_pmd_iavf_client_move_result *res = result != NULL ? result : &local;
	uint64_t t0 = rte_get_timer_cycles();
	struct rte_eth_dev *dev;
	struct iavfc_adapter *ad;
	int ret;

	memset(res, 0, sizeof(*res));
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		ret = iavfc_move_err(res, -ENOTSUP, "move: only the primary process drives ports");
		goto out;
	}
	if (!rte_eth_dev_is_valid_port(port_id)) {
		ret = iavfc_move_err(res, -ENODEV, "move: port %u: no such port", port_id);
		goto out;
	}
	dev = &rte_eth_devices[port_id];
	if (!iavfc_is_port(dev) || iavfc_ad(dev) == NULL) {
		ret = iavfc_move_err(res, -ENODEV,
				     "move: port %u (%s) is not a net_iavf_client port", port_id,
				     dev->data->name);
		goto out;
	}
	ad = iavfc_ad(dev);
	if (path == NULL || path[0] == '\0') {
		ret = iavfc_move_err(res, -EINVAL, "%s: move: no socket path given", ad->name);
		goto out;
	}
	if (strnlen(path, IAVFC_SUN_PATH_MAX) >= IAVFC_SUN_PATH_MAX) {
		ret = iavfc_move_err(res, -ENAMETOOLONG,
				     "%s: move: the socket path is longer than %zu bytes", ad->name,
				     IAVFC_SUN_PATH_MAX - 1);
		goto out;
	}
	pthread_mutex_lock(&ad->conn_lock);
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&ad->lock);
	ret = iavfc_move_locked(ad, path, res);
	pthread_mutex_unlock(&ad->lock);
	rte_mcfg_mem_read_unlock();
	pthread_mutex_unlock(&ad->conn_lock);
	/* (The link may have changed: LSC from the link alarm.) */
out:
	res->total_us = iavfc_us_since(t0);
	res->error = ret;
	return ret;
}

/* ------------------------------------------------------------- telemetry */

/* A string value for telemetry's JSON: printable ASCII, no quote or backslash. */
static void
iavfc_tel_str(struct rte_tel_data *d, const char *name, const char *val)
{
	char s[RTE_TEL_MAX_STRING_LEN];
	size_t i;

	snprintf(s, sizeof(s), "%s", val);
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '"' || s[i] == '\\' || !isprint((unsigned char)s[i]))
			s[i] = '?';
	rte_tel_data_add_dict_string(d, name, s);
}

/*
 * A refusal's reason for telemetry, whose strings hold 127 bytes: without
 * the "<port>: move: " prefix, the given path said as such (the log has it
 * all).
 */
static void
iavfc_tel_reason(char *out, size_t size, const char *msg, const char *path)
{
	const char *p = strstr(msg, "move: ");
	size_t plen = strlen(path), o = 0;

	msg = p != NULL ? p + strlen("move: ") : msg;
	while (*msg != '\0' && o + 1 < size) {
		if (plen > 0 && strncmp(msg, path, plen) == 0) {
			o += (size_t)snprintf(out + o, size - o, "the given path");
			o = RTE_MIN(o, size - 1);
			msg += plen;
		} else {
			out[o++] = *msg++;
		}
	}
	out[o] = '\0';
}

static void
iavfc_tel_error(struct rte_tel_data *d, int err, const char *msg)
{
	iavfc_tel_str(d, "error", msg);
	rte_tel_data_add_dict_int(d, "errno", -err);
	iavfc_tel_str(d, "reason", strerror(-err));
}

/* /iavf_client/move,<port>,<socket path> */
static int
iavfc_tel_move(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	static const char usage[] = "usage: /iavf_client/move,<port>,<socket path>";
	static const char bad_port[] =
		"the port is not a port number; usage: /iavf_client/move,<port>,<socket path>";
	struct rte_pmd_iavf_client_move_result r;
	const char *comma, *p;
	unsigned long port;
	char *end;
	int ret;

	rte_tel_data_start_dict(d);
	comma = params != NULL ? strchr(params, ',') : NULL;
	if (comma == NULL || comma == params || comma[1] == '\0') {
		iavfc_tel_error(d, -EINVAL, usage);
		return 0;
	}
	for (p = params; p < comma; p++) {
		if (!isdigit((unsigned char)*p) || p - params > 5) {
			iavfc_tel_error(d, -EINVAL, bad_port);
			return 0;
		}
	}
	port = strtoul(params, &end, 10);
	if (end != comma || port >= RTE_MAX_ETHPORTS) {
		iavfc_tel_error(d, -EINVAL, bad_port);
		return 0;
	}
	ret = rte_pmd_iavf_client_move((uint16_t)port, comma + 1, &r);
	rte_tel_data_add_dict_int(d, "port", (int)port);
	if (ret < 0) {
		char reason[sizeof(r.message)];

		iavfc_tel_reason(reason, sizeof(reason), r.message, comma + 1);
		iavfc_tel_error(d, ret, reason);
		if (r.pause_us != 0)
			rte_tel_data_add_dict_u64(d, "pause_us", r.pause_us);
		return 0;
	}
	iavfc_tel_str(d, "path", comma + 1);
	rte_tel_data_add_dict_u64(d, "pause_us", r.pause_us);
	rte_tel_data_add_dict_u64(d, "total_us", r.total_us);
	rte_tel_data_add_dict_u64(d, "prepare_us", r.prepare_us);
	rte_tel_data_add_dict_u64(d, "stop_us", r.stop_us);
	rte_tel_data_add_dict_u64(d, "save_us", r.save_us);
	rte_tel_data_add_dict_u64(d, "load_us", r.load_us);
	rte_tel_data_add_dict_u64(d, "resume_us", r.resume_us);
	rte_tel_data_add_dict_u64(d, "state_bytes", r.state_bytes);
	return 0;
}

RTE_INIT(iavfc_telemetry_init)
{
	rte_telemetry_register_cmd("/iavf_client/move", iavfc_tel_move,
				   "Moves a net_iavf_client port to another server. Parameters: "
				   "int port_id, string socket_path");
}
