/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef VFIO_USER_SERVER_INTERNAL_H
#define VFIO_USER_SERVER_INTERNAL_H

/**
 * @file
 * What the files of the vfio-user server share (internal, not installed):
 * the server structure and the calls between its parts.
 *
 *  - vfio_user_irq.c: the IRQ table (eventfds, masks, pending bits);
 *  - vfio_user_dma.c: the DMA table, its window and the DMA data path;
 *  - vfio_user_conn.c: the connection (receive, reply, disconnect);
 *  - vfio_user_cmd.c: the commands, dispatched through one handler table;
 *  - vfio_user_ctl.c: the control thread (epoll, accept, deadlines);
 *  - vfio_user_server.c: the public API (create, regions, start, destroy)
 *    and the test entries of vfio_user_server_priv.h.
 *
 * Threading and locking are described at the top of vfio_user_server.c.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_spinlock.h>

#include "rte_vfio_user.h"
#include "vfio_user_log.h"
#include "vfio_user_msg.h"
#include "vfio_user_pci.h"
#include "vfio_user_server_priv.h"
#include "vfio_user_sock.h"
#include "vfio_user_telemetry.h"

#define VFIO_USER_SUN_PATH_LEN (sizeof(((struct sockaddr_un *)NULL)->sun_path))

_Static_assert(VFIO_USER_SRV_MAX_MSG_FDS == VFIO_USER_SOCK_RX_MAX_FDS,
	       "a connection receives the descriptors it accepts");

/*
 * Refusals logged once per connection at WARNING (then at DEBUG), so that a
 * client repeating a refused request cannot flood the log.
 */
#define VFIO_USER_REFUSED_DMA_FD 0x1u /* DMA_MAP fd not a regular file */
#define VFIO_USER_REFUSED_DMA_SEAL 0x2u /* DMA_MAP fd not sealed against shrinking */
#define VFIO_USER_REFUSED_DMA_LIMIT 0x4u /* max_dma_maps reached */
#define VFIO_USER_REFUSED_IRQ_FD 0x8u /* SET_IRQS fd not an eventfd */
#define VFIO_USER_REFUSED_FDS 0x10u /* more fds than max_msg_fds in one message */
#define VFIO_USER_REFUSED_CMD 0x20u /* unknown command */
#define VFIO_USER_REFUSED_DMA_CUT 0x40u /* DMA_UNMAP range cutting a mapping */
#define VFIO_USER_REFUSED_MIG 0x80u /* migration message, migration not negotiated */
#define VFIO_USER_REFUSED_DLOG 0x100u /* DMA logging, the device cannot log */
#define VFIO_USER_REFUSED_MIG_MEM 0x200u /* migration memory budget exhausted */

#define VFIO_USER_LOG_REFUSED(srv, what, fmt, ...) \
	do { \
		bool first_ = !((srv)->conn.refused & (what)); \
		(srv)->conn.refused |= (what); \
		VFIO_USER_LOG_FROM(first_ ? RTE_LOG_WARNING : RTE_LOG_DEBUG, __func__, "%s: " fmt, \
				   (srv)->path, ##__VA_ARGS__); \
	} while (0)

struct vfio_user_dma_entry {
	uint64_t iova;
	uint64_t size;
	void *vaddr; /* NULL for a mapping without fd */
	uint32_t prot; /* RTE_VFIO_USER_DMA_READ | _WRITE */
	bool in_win; /* vaddr is in the DMA window (dma_win + iova) */
};

struct vfio_user_dma_tab {
	struct vfio_user_dma_tab *retired; /* older tables, freed at destroy */
	uint32_t cap;
	struct vfio_user_dma_entry e[];
};

struct vfio_user_irq {
	rte_spinlock_t lock;
	uint32_t count;
	int *fds; /* count eventfds, -1 when none */
	uint8_t *masked; /* count flags */
	uint8_t *pending; /* count flags */
};

/*
 * The DMA dirty log (vfio_user_mig.c): ranges sorted by iova, not
 * overlapping, one bit per page in words set with atomic OR by any thread
 * and taken with atomic AND by DMA_LOGGING_REPORT.
 */
struct vfio_user_dlog_range {
	uint64_t iova;
	uint64_t length;
	uint64_t *bits; /* ceil(length / page_size / 64) words */
};

struct vfio_user_dlog {
	uint64_t page_size;
	unsigned int page_shift;
	uint64_t *words; /* every range's bits, one allocation */
	uint64_t nr_words;
	size_t charged; /* bytes charged to the migration memory budget */
	uint32_t nr;
	struct vfio_user_dlog_range r[];
};

/* Migration (vfio_user_mig.c); touched only by the thread serving the client. */
struct vfio_user_mig {
	const struct rte_vfio_user_mig_ops *ops; /* NULL: the device does not migrate */
	uint32_t state; /* enum rte_vfio_user_mig_state, atomic for other readers */
	uint8_t *data; /* the stream: saved (STOP_COPY) or being received (RESUMING) */
	size_t len; /* bytes in data */
	size_t cap; /* bytes allocated (charged to the migration memory budget) */
	size_t off; /* bytes read by MIG_DATA_READ */
};

struct vfio_user_conn {
	int sock; /* -1: no client */
	bool registered; /* in the control thread's epoll set */
	bool negotiated; /* VERSION done */
	bool write_multiple; /* offered in our VERSION reply */
	bool migration; /* offered in our VERSION reply */
	uint64_t mig_max_bitmap; /* max_bitmap_size of our VERSION reply (with migration) */
	uint16_t minor; /* protocol minor version agreed in VERSION */
	int64_t opened_ms; /* vfio_user_now_ms() when accepted */
	uint32_t refused; /* VFIO_USER_REFUSED_* already logged at WARNING */
	uint32_t max_fds; /* most fds per message we accept */
	struct vfio_user_sock_rx rx; /* the message being received */
	uint8_t *buf; /* request payload, VFIO_USER_SRV_MAX_MSG_SIZE */
	uint8_t *reply; /* reply message, VFIO_USER_SRV_MAX_MSG_SIZE */
	/*
	 * The part of the reply the socket did not take: reply[out_off,
	 * out_len). While there is one, the connection is not read (at most
	 * one reply is ever pending) and epoll waits for room instead.
	 */
	uint32_t out_off;
	uint32_t out_len; /* 0: nothing pending */
	int out_fd; /* goes with the reply's first byte (owned), or -1 */
	int64_t out_deadline; /* vfio_user_now_ms() by which it must have gone */
	/*
	 * Requests handled back to back (the socket never found empty in
	 * between): since when (vfio_user_now_us(), 0 when idle), how many, and
	 * whether that run was reported as slow.
	 */
	int64_t run_start_us;
	uint32_t run_msgs;
	bool run_warned;
};

struct rte_vfio_user_server {
	TAILQ_ENTRY(rte_vfio_user_server) next;
	uint64_t id;
	char path[VFIO_USER_SUN_PATH_LEN];
	mode_t mode;
	uint32_t irq_count[RTE_VFIO_USER_NUM_IRQS];
	uint32_t max_dma_maps;
	uint32_t flags; /* RTE_VFIO_USER_SERVER_F_* */
	struct rte_vfio_user_server_ops ops;
	void *arg;

	bool started; /* listening, in the server list */
	int listen_fd;
	int64_t accept_resume_ms; /* accept() failed: listening paused until then; 0 */
	dev_t sock_dev;
	ino_t sock_ino;

	pthread_mutex_t pci_lock;
	struct vfio_user_pci pci;
	/* regions[].fd may be replaced (set_region_fd): read it under region_lock */
	pthread_mutex_t region_lock;
	struct rte_vfio_user_region_conf regions[VFIO_USER_PCI_NUM_BARS];

	struct vfio_user_irq irqs[RTE_VFIO_USER_NUM_IRQS];

	struct vfio_user_conn conn;
	bool connected; /* atomic: negotiated client */
	/* What telemetry shows of the client (vfio_user_server_client_info()). */
	rte_spinlock_t info_lock;
	struct vfio_user_server_client_info info;

	struct vfio_user_mig mig;
	struct vfio_user_dlog *dlog; /* atomic: DMA logging on when not NULL */

	pthread_mutex_t dma_lock;
	struct vfio_user_dma_tab *dma_tab; /* atomic */
	uint32_t dma_nr; /* atomic */
	struct vfio_user_dma_tab *dma_retired;
	/*
	 * The DMA window: VFIO_USER_SRV_DMA_WINDOW bytes reserved inaccessible, taken
	 * at the first mapping, returned when the table is empty; lost when a
	 * part could not be reserved again (left as is, no longer used).
	 */
	void *dma_win;
	bool dma_win_lost;
	/* Refused clients (vfio_user_refuse()): this second's waiting and count. */
	int64_t refuse_sec;
	int64_t refuse_spent_ms;
	uint32_t refuse_count;
	/* The last-hit index is written by data-path lcores: own cache line. */
	uint8_t pad0[RTE_CACHE_LINE_SIZE];
	uint32_t dma_hint;
	uint8_t pad1[RTE_CACHE_LINE_SIZE];
};

/* A request being handled and its reply. */
struct vfio_user_req {
	struct vfio_user_hdr hdr;
	uint8_t *payload;
	uint32_t len;
	int *fds; /* entries taken by a handler are set to -1 */
	unsigned int nfds;
	uint8_t *rbuf; /* reply payload (after the header) */
	uint32_t rcap;
	uint32_t rlen;
	int reply_fd; /* sent with the reply and then closed (owned); -1 */
	bool negotiated; /* set by a successful VERSION */
};

/* vfio_user_irq.c */

/* Allocate the table of an index (count vectors, no eventfd yet). */
int vfio_user_irq_alloc(struct vfio_user_irq *irq, uint32_t count);
/* Close every eventfd of an index and free its table. */
void vfio_user_irq_free(struct vfio_user_irq *irq);
/* Close every eventfd of an index and clear its masks and pending bits. */
void vfio_user_irq_disable(struct vfio_user_irq *irq);
/*
 * Apply a decoded SET_IRQS (index checked by the caller) with its
 * descriptors (those kept are set to -1), then tell the device.
 * @return 0 or a negative errno (the error reply).
 */
int vfio_user_irq_set(struct rte_vfio_user_server *srv, const struct vfio_user_set_irqs *s,
		      int *fds, unsigned int nfds);

/* vfio_user_dma.c */

/*
 * Map a decoded DMA_MAP (fd: the memory, or -1: a mapping without one; not
 * taken) into the table.
 * @return 0 or a negative errno (the error reply).
 */
int vfio_user_dma_map(struct rte_vfio_user_server *srv, const struct vfio_user_dma_map *m, int fd);
/*
 * Unmap a decoded DMA_UNMAP: all, or every mapping lying inside its range.
 * @return 0 or a negative errno (the error reply).
 */
int vfio_user_dma_unmap(struct rte_vfio_user_server *srv, const struct vfio_user_dma_unmap *u);
/* Unmap everything (client gone). */
void vfio_user_dma_clear(struct rte_vfio_user_server *srv);
/* Free the tables and the window (destroy). */
void vfio_user_dma_free(struct rte_vfio_user_server *srv);

/* vfio_user_mig.c */

/* Most bytes of the whole dirty log (all ranges of a DMA_LOGGING_START). */
#define VFIO_USER_SRV_DLOG_MAX_BYTES (16u << 20)

/* Check the migration callbacks of a configuration (NULL is fine). */
int vfio_user_mig_conf_check(const struct rte_vfio_user_mig_ops *ops);
/* DEVICE_FEATURE (decoded): the reply in req. */
int vfio_user_mig_feature(struct rte_vfio_user_server *srv, struct vfio_user_req *req,
			  const struct vfio_user_device_feature *feat);
int vfio_user_mig_data_read(struct rte_vfio_user_server *srv, struct vfio_user_req *req);
int vfio_user_mig_data_write(struct rte_vfio_user_server *srv, struct vfio_user_req *req);
/*
 * The device was reset (DEVICE_RESET, FLR) or its client left: back to
 * RUNNING, data dropped. With logging too: DMA logging stopped.
 */
void vfio_user_mig_reset(struct rte_vfio_user_server *srv, bool logging);
/* Stop DMA logging, if on (device told, log freed). */
void vfio_user_dlog_stop(struct rte_vfio_user_server *srv);

/* vfio_user_conn.c */

/* Start serving a connected, non-blocking socket. */
int vfio_user_conn_open(struct rte_vfio_user_server *srv, int sock);
/*
 * Serve a connection: send its pending output, then (once that has gone)
 * read and handle at most budget messages (0: no limit).
 * @return 0 (nothing more now, or budget spent), or a negative errno when
 *   the connection was closed.
 */
int vfio_user_conn_service(struct rte_vfio_user_server *srv, unsigned int budget);
/* Drop the client: DMA unmapped, IRQ eventfds closed, callbacks told. */
void vfio_user_disconnect(struct rte_vfio_user_server *srv);
/* The listening socket is (not) taking clients, for telemetry. */
void vfio_user_info_listening(struct rte_vfio_user_server *srv, bool on);

/* vfio_user_cmd.c */

/*
 * Handle one request through the command table (the fd rule, the least
 * payload, the handler).
 * @return 0 with the reply in req, or a negative errno (the error reply).
 */
int vfio_user_cmd_dispatch(struct rte_vfio_user_server *srv, struct vfio_user_req *req);

/* vfio_user_ctl.c */

/*
 * Protects the server list; held by the control thread while it handles
 * one event.
 */
extern pthread_mutex_t vfio_user_lock;
/*
 * Set on the thread that serves connections (the control thread, or a
 * caller of the test entries) while it does: its callbacks may call
 * rte_vfio_user_server_set_region_fd() with a client connected.
 */
extern __thread bool vfio_user_serving;

/*
 * With vfio_user_lock held: serve a listening server from the control
 * thread (started with the first one).
 */
int vfio_user_ctl_add(struct rte_vfio_user_server *srv);
/* With vfio_user_lock held: no more events of a server's listening socket. */
void vfio_user_ctl_del(struct rte_vfio_user_server *srv);
/*
 * With vfio_user_lock held, after vfio_user_ctl_del() and the client's
 * disconnection: the thread to stop when it served the last server (to be
 * given to vfio_user_ctl_join() once the lock is released), or NULL.
 */
struct vfio_user_ctl *vfio_user_ctl_put(void);
/* Wait for a control thread that was told to stop, and free it. */
void vfio_user_ctl_join(struct vfio_user_ctl *ctl);
/*
 * Watch a registered connection for input (out false) or for room to send
 * (out true); nothing for an attached one.
 */
int vfio_user_ctl_watch(struct rte_vfio_user_server *srv, bool out);
/* Take a registered connection's socket out of the epoll set. */
void vfio_user_ctl_unwatch(struct rte_vfio_user_server *srv);

#endif /* VFIO_USER_SERVER_INTERNAL_H */
