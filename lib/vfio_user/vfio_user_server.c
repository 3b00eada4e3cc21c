/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user server.
 *
 * Threading: every started server is served by one control thread per
 * process ("vfio-user-ctl"), which waits with epoll on the listening sockets,
 * the connection sockets and an eventfd (to be woken up for shutdown). The
 * global vfio_user_lock protects the server list and is held by the control thread
 * while it handles one event, so rte_vfio_user_server_destroy() (which takes
 * it too) never runs concurrently with a message of the same server.
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
 * Receiving never blocks: each connection reassembles its current message
 * (header, then payload) across as many readable events as needed and
 * collects the descriptors of every recvmsg() of that message.
 *
 * Nor does sending: a reply the socket cannot take whole is kept as the
 * connection's pending output; the connection is then watched for room
 * (EPOLLOUT) and not read until the output has gone, so that a client
 * that does not read its replies only stalls itself. One whose output has
 * not drained within VFIO_USER_SRV_SEND_TIMEOUT_MS is dropped, as is one that has
 * not negotiated within VFIO_USER_NEGOTIATE_TIMEOUT_MS: epoll_wait() wakes up for
 * those deadlines. Each readable event handles at most VFIO_USER_MSG_BUDGET
 * messages, and epoll reports ready connections in turn, so one that always
 * has input cannot starve the others.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_spinlock.h>

#include "emu_compat.h"
#include "rte_vfio_user.h"
#include "vfio_user_log.h"
#include "vfio_user_msg.h"
#include "vfio_user_pci.h"
#include "vfio_user_server_priv.h"
#include "vfio_user_sock.h"
#include "vfio_user_telemetry.h"

#ifndef RTE_LOG_DEFAULT_LOGTYPE
#define RTE_LOG_DEFAULT_LOGTYPE lib.vfio_user
#endif
RTE_LOG_REGISTER_DEFAULT(vfio_user_logtype, NOTICE);

#define VFIO_USER_SUN_PATH_LEN (sizeof(((struct sockaddr_un *)NULL)->sun_path))
#define VFIO_USER_LISTEN_BACKLOG 16
/* Messages handled per readable event before going back to epoll. */
#define VFIO_USER_MSG_BUDGET 16u
/* A connection that sends no VERSION this long gives way to a new one. */
#define VFIO_USER_NEGOTIATE_TIMEOUT_MS 3000u
#define VFIO_USER_EPOLL_EVENTS 32
#define VFIO_USER_DMA_TAB_MIN 16u

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

#define VFIO_USER_LOG_REFUSED(srv, what, fmt, ...) \
	do { \
		bool first_ = !((srv)->conn.refused & (what)); \
		(srv)->conn.refused |= (what); \
		rte_log(first_ ? RTE_LOG_WARNING : RTE_LOG_DEBUG, vfio_user_logtype, \
			"VFIO_USER: %s(): %s: " fmt "\n", __func__, (srv)->path, ##__VA_ARGS__); \
	} while (0)

/* Kinds of epoll registrations: data.u64 = id << 2 | kind. */
#define VFIO_USER_EP_EVENT 0u
#define VFIO_USER_EP_LISTEN 1u
#define VFIO_USER_EP_CONN 2u
#define VFIO_USER_EP_KIND_MASK 3u
#define VFIO_USER_EP_ID_SHIFT 2

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

struct vfio_user_conn {
	int sock; /* -1: no client */
	bool registered; /* in the control thread's epoll set */
	bool negotiated; /* VERSION done */
	bool write_multiple; /* offered in our VERSION reply */
	uint16_t minor; /* protocol minor version agreed in VERSION */
	int64_t opened_ms; /* vfio_user_now_ms() when accepted */
	uint32_t refused; /* VFIO_USER_REFUSED_* already logged at WARNING */
	uint32_t max_fds; /* most fds per message we accept */
	/* reassembly of the current message */
	uint8_t hdr_buf[VFIO_USER_HDR_SIZE];
	uint32_t hdr_got;
	struct vfio_user_hdr hdr;
	uint32_t pay_got;
	int fds[VFIO_USER_SRV_MAX_MSG_FDS];
	unsigned int nfds;
	bool fds_overflow;
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

/* One control thread and its epoll set. */
struct vfio_user_ctl {
	int epfd;
	int evfd;
	emu_ctrl_thread_t thread;
	bool stop; /* atomic */
};

TAILQ_HEAD(vfio_user_server_list, rte_vfio_user_server);

static pthread_mutex_t vfio_user_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vfio_user_server_list vfio_user_servers = TAILQ_HEAD_INITIALIZER(vfio_user_servers);
static struct vfio_user_ctl *vfio_user_ctl;
static unsigned int vfio_user_nr_started;
static uint64_t vfio_user_next_id = 1;
/*
 * Set on the thread that serves connections (the control thread, or a
 * caller of the test entries) while it does: its callbacks may call
 * rte_vfio_user_server_set_region_fd() with a client connected.
 */
static __thread bool vfio_user_serving;

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

static int64_t
vfio_user_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The client's socket was found empty between two requests (or a new client). */
static inline void
vfio_user_run_end(struct vfio_user_conn *c)
{
	c->run_start_us = 0;
	c->run_msgs = 0;
	c->run_warned = false;
}

static long
vfio_user_page_size(void)
{
	long pg = sysconf(_SC_PAGESIZE);

	return pg > 0 ? pg : 4096;
}

/* ------------------------------------------------------------------ IRQs */

static int
vfio_user_irq_alloc(struct vfio_user_irq *irq, uint32_t count)
{
	uint32_t i;

	rte_spinlock_init(&irq->lock);
	irq->count = count;
	if (count == 0)
		return 0;
	irq->fds = calloc(count, sizeof(int));
	irq->masked = calloc(count, 1);
	irq->pending = calloc(count, 1);
	if (irq->fds == NULL || irq->masked == NULL || irq->pending == NULL)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		irq->fds[i] = -1;
	return 0;
}

static void
vfio_user_irq_free(struct vfio_user_irq *irq)
{
	uint32_t i;

	if (irq->fds != NULL) {
		for (i = 0; i < irq->count; i++)
			if (irq->fds[i] >= 0)
				close(irq->fds[i]);
	}
	free(irq->fds);
	free(irq->masked);
	free(irq->pending);
	irq->fds = NULL;
	irq->masked = NULL;
	irq->pending = NULL;
	irq->count = 0;
}

/* Can one more be added to the eventfd's counter without blocking? */
static bool
vfio_user_efd_writable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLOUT};
	int n;

	do {
		n = poll(&pfd, 1, 0);
	} while (n < 0 && errno == EINTR);
	return n > 0 && (pfd.revents & POLLOUT);
}

/* Is fd an eventfd (the only thing the server writes interrupts to)? */
static bool
vfio_user_is_eventfd(int fd)
{
	static const char want[] = "anon_inode:[eventfd]";
	char path[64], link[sizeof(want) + 1];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link));
	return n == (ssize_t)(sizeof(want) - 1) && memcmp(link, want, sizeof(want) - 1) == 0;
}

/* Called with irq->lock held; same results as rte_vfio_user_irq_trigger. */
static int
vfio_user_irq_fire_locked(struct vfio_user_irq *irq, uint32_t index, uint32_t v)
{
	uint64_t one = 1;
	ssize_t n;

	if (irq->fds[v] < 0)
		return -ENOENT;
	if (irq->masked[v]) {
		irq->pending[v] = 1;
		return -EAGAIN;
	}
	/*
	 * The eventfd was made non-blocking when assigned, but the client
	 * shares its file status flags and may clear O_NONBLOCK again: write
	 * only when the counter has room (a full counter is signalled anyway).
	 */
	if (!vfio_user_efd_writable(irq->fds[v]))
		goto out;
	do {
		n = write(irq->fds[v], &one, sizeof(one));
	} while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EAGAIN)
		VFIO_USER_LOG(DEBUG, "irq %u/%u: eventfd write: %s", index, v, strerror(errno));
out:
	/* INTx is advertised AUTOMASKED: masked until the client unmasks. */
	if (index == RTE_VFIO_USER_IRQ_INTX)
		irq->masked[v] = 1;
	return 0;
}

/* Close every eventfd of an index and clear its masks and pending bits. */
static void
vfio_user_irq_disable(struct vfio_user_irq *irq)
{
	uint32_t i;

	rte_spinlock_lock(&irq->lock);
	for (i = 0; i < irq->count; i++) {
		if (irq->fds[i] >= 0) {
			close(irq->fds[i]);
			irq->fds[i] = -1;
		}
		irq->masked[i] = 0;
		irq->pending[i] = 0;
	}
	rte_spinlock_unlock(&irq->lock);
}

int
rte_vfio_user_irq_trigger(struct rte_vfio_user_server *srv, uint32_t index, uint32_t vector)
{
	struct vfio_user_irq *irq;
	int ret;

	if (srv == NULL || index >= RTE_VFIO_USER_NUM_IRQS)
		return -EINVAL;
	irq = &srv->irqs[index];
	if (vector >= irq->count)
		return -EINVAL;
	rte_spinlock_lock(&irq->lock);
	ret = vfio_user_irq_fire_locked(irq, index, vector);
	rte_spinlock_unlock(&irq->lock);
	return ret;
}

bool
rte_vfio_user_irq_enabled(struct rte_vfio_user_server *srv, uint32_t index, uint32_t vector)
{
	struct vfio_user_irq *irq;
	bool en;

	if (srv == NULL || index >= RTE_VFIO_USER_NUM_IRQS)
		return false;
	irq = &srv->irqs[index];
	if (vector >= irq->count)
		return false;
	rte_spinlock_lock(&irq->lock);
	en = irq->fds[vector] >= 0 && !irq->masked[vector];
	rte_spinlock_unlock(&irq->lock);
	return en;
}

/* ------------------------------------------------------------------- DMA */

static inline struct vfio_user_dma_tab *
vfio_user_dma_tab_get(const struct rte_vfio_user_server *srv)
{
	return __atomic_load_n(&srv->dma_tab, __ATOMIC_ACQUIRE);
}

static inline uint32_t
vfio_user_dma_nr_get(const struct rte_vfio_user_server *srv)
{
	return __atomic_load_n(&srv->dma_nr, __ATOMIC_ACQUIRE);
}

/* Index of the first entry with iova > addr (0..n). */
static uint32_t
vfio_user_dma_upper(const struct vfio_user_dma_entry *e, uint32_t n, uint64_t addr)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (e[mid].iova <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Does [iova, last] lie inside e (last inclusive, so no overflow)? */
static inline bool
vfio_user_dma_contains(const struct vfio_user_dma_entry *e, uint64_t iova, uint64_t last)
{
	return iova >= e->iova && last <= e->iova + (e->size - 1);
}

/*
 * [iova, last] starts in e[idx] and goes on past it: a pointer when the
 * range lies in mappings adjacent both in guest memory and here (as the
 * DMA window lays them out), at most VFIO_USER_SRV_DMA_SPAN_MAX of them, each
 * with an fd and prot; NULL otherwise.
 */
static void *
vfio_user_dma_span(const struct vfio_user_dma_entry *e, uint32_t n, uint32_t idx, uint64_t iova,
		   uint64_t last, uint32_t prot)
{
	const struct vfio_user_dma_entry *c, *nx;
	uint32_t i;

	if (iova > e[idx].iova + (e[idx].size - 1))
		return NULL; /* not even the start is mapped */
	for (i = idx;; i++) {
		c = &e[i];
		if (c->vaddr == NULL || (c->prot & prot) != prot)
			return NULL;
		if (last <= c->iova + (c->size - 1))
			break;
		if (i + 1 >= n || i + 1 - idx >= VFIO_USER_SRV_DMA_SPAN_MAX)
			return NULL;
		/* no wrap: DMA_MAP refuses mappings reaching 2^64 */
		nx = &e[i + 1];
		if (nx->iova != c->iova + c->size || nx->vaddr != RTE_PTR_ADD(c->vaddr, c->size))
			return NULL;
	}
	return RTE_PTR_ADD(e[idx].vaddr, iova - e[idx].iova);
}

void *
rte_vfio_user_dma_translate(struct rte_vfio_user_server *srv, uint64_t iova, uint64_t len,
			    uint32_t prot)
{
	const struct vfio_user_dma_tab *tab;
	const struct vfio_user_dma_entry *e;
	uint64_t last;
	uint32_t n, hint, idx;

	if (unlikely(srv == NULL || len == 0))
		return NULL;
	last = iova + (len - 1);
	if (unlikely(last < iova))
		return NULL;
	n = vfio_user_dma_nr_get(srv);
	tab = vfio_user_dma_tab_get(srv);
	if (unlikely(n == 0 || tab == NULL))
		return NULL;
	hint = __atomic_load_n(&srv->dma_hint, __ATOMIC_RELAXED);
	if (likely(hint < n && vfio_user_dma_contains(&tab->e[hint], iova, last))) {
		idx = hint;
	} else {
		idx = vfio_user_dma_upper(tab->e, n, iova);
		if (idx == 0)
			return NULL;
		idx--;
		if (!vfio_user_dma_contains(&tab->e[idx], iova, last))
			return vfio_user_dma_span(tab->e, n, idx, iova, last, prot);
		__atomic_store_n(&srv->dma_hint, idx, __ATOMIC_RELAXED);
	}
	e = &tab->e[idx];
	if (unlikely(e->vaddr == NULL || (e->prot & prot) != prot))
		return NULL;
	return RTE_PTR_ADD(e->vaddr, iova - e->iova);
}

/* Copy between guest memory and buf across adjacent mappings. */
static int
vfio_user_dma_copy(struct rte_vfio_user_server *srv, uint64_t iova, void *buf, uint64_t len,
		   bool write)
{
	uint32_t need = write ? RTE_VFIO_USER_DMA_WRITE : RTE_VFIO_USER_DMA_READ;
	const struct vfio_user_dma_tab *tab;
	uint8_t *p = buf;
	uint32_t n, idx;

	if (srv == NULL || (buf == NULL && len > 0))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (iova + (len - 1) < iova)
		return -EFAULT;
	n = vfio_user_dma_nr_get(srv);
	tab = vfio_user_dma_tab_get(srv);
	if (n == 0 || tab == NULL)
		return -EFAULT;
	while (len > 0) {
		const struct vfio_user_dma_entry *e;
		uint64_t avail, chunk;
		void *va;

		idx = vfio_user_dma_upper(tab->e, n, iova);
		if (idx == 0)
			return -EFAULT;
		e = &tab->e[idx - 1];
		if (iova > e->iova + (e->size - 1) || e->vaddr == NULL || (e->prot & need) != need)
			return -EFAULT;
		avail = e->size - (iova - e->iova);
		chunk = RTE_MIN(avail, len);
		va = RTE_PTR_ADD(e->vaddr, iova - e->iova);
		if (write)
			memcpy(va, p, chunk);
		else
			memcpy(p, va, chunk);
		p += chunk;
		len -= chunk;
		iova += chunk; /* no wrap while len > 0: checked above */
	}
	return 0;
}

int
rte_vfio_user_dma_read(struct rte_vfio_user_server *srv, uint64_t iova, void *buf, uint64_t len)
{
	return vfio_user_dma_copy(srv, iova, buf, len, false);
}

int
rte_vfio_user_dma_write(struct rte_vfio_user_server *srv, uint64_t iova, const void *buf,
			uint64_t len)
{
	/* The buffer is only read when writing guest memory. */
	return vfio_user_dma_copy(srv, iova, (void *)(uintptr_t)buf, len, true);
}

int
rte_vfio_user_dma_table(struct rte_vfio_user_server *srv, struct rte_vfio_user_dma_map *maps,
			uint32_t max)
{
	const struct vfio_user_dma_tab *tab;
	uint32_t n, i;

	if (srv == NULL)
		return -EINVAL;
	if (maps == NULL)
		max = 0;
	pthread_mutex_lock(&srv->dma_lock);
	n = vfio_user_dma_nr_get(srv);
	tab = vfio_user_dma_tab_get(srv);
	for (i = 0; i < n && i < max; i++) {
		maps[i].iova = tab->e[i].iova;
		maps[i].size = tab->e[i].size;
		maps[i].vaddr = tab->e[i].vaddr;
		maps[i].prot = tab->e[i].prot;
	}
	pthread_mutex_unlock(&srv->dma_lock);
	return (int)RTE_MIN(n, (uint32_t)INT32_MAX);
}

static void
vfio_user_dma_event(struct rte_vfio_user_server *srv, enum rte_vfio_user_dma_event ev)
{
	if (srv->ops.dma_change != NULL)
		srv->ops.dma_change(srv->arg, ev);
}

/*
 * The DMA window. Behind a vIOMMU, QEMU maps the guest's memory page by
 * page as the guest maps it, and a ring or a buffer contiguous in guest
 * addresses spans several mappings: placed at dma_win + iova, they are
 * contiguous here too, and rte_vfio_user_dma_translate() takes them as one
 * range. Each mapping replaces its part of the reservation (MAP_FIXED: the
 * window is ours alone) and gives it back when unmapped.
 */
#define VFIO_USER_WIN_MAP_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE)
#define VFIO_USER_WIN_ALIGN (UINT64_C(1) << 30)

/* Where a mapping of [iova, iova + size) goes, or NULL: anywhere. */
static void *
vfio_user_dma_win_slot(struct rte_vfio_user_server *srv, uint64_t iova, uint64_t size)
{
	void *w;

	if (srv->dma_win_lost || iova > VFIO_USER_SRV_DMA_WINDOW ||
	    size > VFIO_USER_SRV_DMA_WINDOW - iova)
		return NULL;
	if (srv->dma_win == NULL) {
		uintptr_t a;

		/*
		 * Aligned to 1 GiB, so that a mapping of hugetlbfs memory
		 * (2 MiB or 1 GiB pages) at window + iova is aligned as the
		 * kernel requires whenever its iova is: the excess is given back.
		 */
		w = mmap(NULL, (size_t)(VFIO_USER_SRV_DMA_WINDOW + VFIO_USER_WIN_ALIGN), PROT_NONE,
			 VFIO_USER_WIN_MAP_FLAGS, -1, 0);
		if (w == MAP_FAILED) {
			VFIO_USER_LOG(DEBUG, "%s: no DMA window (%s): mappings go anywhere",
				      srv->path, strerror(errno));
			return NULL;
		}
		a = RTE_ALIGN_CEIL((uintptr_t)w, (uintptr_t)VFIO_USER_WIN_ALIGN);
		if (a > (uintptr_t)w)
			munmap(w, a - (uintptr_t)w);
		munmap((void *)(a + (uintptr_t)VFIO_USER_SRV_DMA_WINDOW),
		       (uintptr_t)w + (uintptr_t)VFIO_USER_WIN_ALIGN - a);
		srv->dma_win = (void *)a;
	}
	return RTE_PTR_ADD(srv->dma_win, iova);
}

/* Give [va, va + size) back to the window's reservation. */
static void
vfio_user_dma_win_put(struct rte_vfio_user_server *srv, void *va, uint64_t size)
{
	if (mmap(va, (size_t)size, PROT_NONE, VFIO_USER_WIN_MAP_FLAGS | MAP_FIXED, -1, 0) !=
	    MAP_FAILED)
		return;
	/* A hole that another mapping may take: the window is no longer ours whole. */
	VFIO_USER_LOG(
		ERR, "%s: DMA window: %p + 0x%" PRIx64 " not reserved again (%s): window abandoned",
		srv->path, va, size, strerror(errno));
	munmap(va, (size_t)size);
	srv->dma_win_lost = true;
}

/* The table is empty: return the window (a lost one stays as it is). */
static void
vfio_user_dma_win_release(struct rte_vfio_user_server *srv)
{
	if (srv->dma_win != NULL && !srv->dma_win_lost &&
	    munmap(srv->dma_win, (size_t)VFIO_USER_SRV_DMA_WINDOW) < 0)
		VFIO_USER_LOG(ERR, "%s: DMA window: munmap: %s", srv->path, strerror(errno));
	srv->dma_win = NULL;
}

static void
vfio_user_dma_entry_unmap(struct rte_vfio_user_server *srv, struct vfio_user_dma_entry *e)
{
	if (e->vaddr != NULL && e->in_win)
		vfio_user_dma_win_put(srv, e->vaddr, e->size);
	else if (e->vaddr != NULL && munmap(e->vaddr, e->size) < 0)
		VFIO_USER_LOG(ERR, "munmap(iova 0x%" PRIx64 ", size 0x%" PRIx64 "): %s", e->iova,
			      e->size, strerror(errno));
	e->vaddr = NULL;
	e->in_win = false;
}

/* Unmap everything (client gone, or UNMAP_ALL). */
static void
vfio_user_dma_clear(struct rte_vfio_user_server *srv)
{
	struct vfio_user_dma_tab *tab = vfio_user_dma_tab_get(srv);
	uint32_t n = vfio_user_dma_nr_get(srv), i;

	if (n == 0)
		return;
	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_BEGIN);
	pthread_mutex_lock(&srv->dma_lock);
	__atomic_store_n(&srv->dma_nr, 0, __ATOMIC_RELEASE);
	for (i = 0; i < n; i++)
		vfio_user_dma_entry_unmap(srv, &tab->e[i]);
	vfio_user_dma_win_release(srv);
	pthread_mutex_unlock(&srv->dma_lock);
	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_END);
}

static void
vfio_user_dma_free(struct rte_vfio_user_server *srv)
{
	struct vfio_user_dma_tab *t, *next;

	t = srv->dma_tab;
	if (t != NULL)
		t->retired = srv->dma_retired;
	else
		t = srv->dma_retired;
	for (; t != NULL; t = next) {
		next = t->retired;
		free(t);
	}
	srv->dma_tab = NULL;
	srv->dma_retired = NULL;
	vfio_user_dma_win_release(srv); /* the table was emptied on disconnect */
}

/* Insert e at pos (table sorted, no overlap: checked by the caller). */
static int
vfio_user_dma_insert(struct rte_vfio_user_server *srv, uint32_t pos,
		     const struct vfio_user_dma_entry *e)
{
	struct vfio_user_dma_tab *tab = srv->dma_tab, *ntab = NULL;
	uint32_t n = srv->dma_nr;

	if (tab == NULL || n == tab->cap) {
		uint64_t cap = tab == NULL ? VFIO_USER_DMA_TAB_MIN : 2ull * tab->cap;
		uint64_t most = RTE_MAX(srv->max_dma_maps, n + 1);

		cap = RTE_MIN(cap, most);
		ntab = malloc(sizeof(*ntab) + cap * sizeof(ntab->e[0]));
		if (ntab == NULL)
			return -ENOMEM;
		ntab->cap = (uint32_t)cap;
		ntab->retired = NULL;
		if (n > 0)
			memcpy(ntab->e, tab->e, n * sizeof(tab->e[0]));
	}

	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_BEGIN);
	pthread_mutex_lock(&srv->dma_lock);
	if (ntab != NULL) {
		if (tab != NULL) {
			tab->retired = srv->dma_retired;
			srv->dma_retired = tab;
		}
		__atomic_store_n(&srv->dma_tab, ntab, __ATOMIC_RELEASE);
		tab = ntab;
	}
	memmove(&tab->e[pos + 1], &tab->e[pos], (n - pos) * sizeof(tab->e[0]));
	tab->e[pos] = *e;
	__atomic_store_n(&srv->dma_nr, n + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&srv->dma_lock);
	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_END);
	return 0;
}

/* Remove entries [first, end) (0 < end - first <= n), one table change. */
static void
vfio_user_dma_remove(struct rte_vfio_user_server *srv, uint32_t first, uint32_t end)
{
	struct vfio_user_dma_tab *tab = srv->dma_tab;
	uint32_t n = srv->dma_nr, i;

	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_BEGIN);
	pthread_mutex_lock(&srv->dma_lock);
	for (i = first; i < end; i++)
		vfio_user_dma_entry_unmap(srv, &tab->e[i]);
	memmove(&tab->e[first], &tab->e[end], (n - end) * sizeof(tab->e[0]));
	__atomic_store_n(&srv->dma_nr, n - (end - first), __ATOMIC_RELEASE);
	if (n == end - first)
		vfio_user_dma_win_release(srv);
	pthread_mutex_unlock(&srv->dma_lock);
	vfio_user_dma_event(srv, RTE_VFIO_USER_DMA_CHANGE_END);
}

/*
 * The entries a DMA_UNMAP of [addr, last] removes: [*first, *end), every
 * mapping lying entirely inside the range (none is fine: *first == *end).
 * @return 0, or -EINVAL when the range cuts a mapping (one that starts
 *   before addr and reaches it, or reaches past last): then nothing is
 *   removed, as with Linux's VFIO_TYPE1v2_IOMMU.
 */
static int
vfio_user_dma_unmap_span(const struct vfio_user_dma_entry *e, uint32_t n, uint64_t addr,
			 uint64_t last, uint32_t *first, uint32_t *end)
{
	uint32_t lo, hi;

	*first = 0;
	*end = 0;
	if (n == 0)
		return 0;
	/* e[lo - 1] is the last mapping starting at or before addr. */
	lo = vfio_user_dma_upper(e, n, addr);
	if (lo > 0 && e[lo - 1].iova + (e[lo - 1].size - 1) >= addr) {
		if (e[lo - 1].iova != addr)
			return -EINVAL; /* starts before the range */
		lo--;
	}
	/* e[hi - 1] is the last mapping starting at or before last. */
	hi = vfio_user_dma_upper(e, n, last);
	if (hi > lo && e[hi - 1].iova + (e[hi - 1].size - 1) > last)
		return -EINVAL; /* ends after the range */
	*first = lo;
	*end = RTE_MAX(lo, hi);
	return 0;
}

/* ------------------------------------------------------------ connection */

static void
vfio_user_conn_reset_rx(struct vfio_user_conn *c)
{
	vfio_user_close_fds(c->fds, c->nfds);
	c->nfds = 0;
	c->fds_overflow = false;
	c->hdr_got = 0;
	c->pay_got = 0;
}

static void
vfio_user_disconnect(struct rte_vfio_user_server *srv)
{
	struct vfio_user_conn *c = &srv->conn;
	bool was_negotiated = c->negotiated;
	unsigned int i;

	if (c->sock < 0)
		return;
	if (c->registered && vfio_user_ctl != NULL &&
	    epoll_ctl(vfio_user_ctl->epfd, EPOLL_CTL_DEL, c->sock, NULL) < 0)
		VFIO_USER_LOG(ERR, "%s: epoll_ctl(DEL): %s", srv->path, strerror(errno));
	close(c->sock);
	c->sock = -1;
	c->registered = false;
	if (c->out_fd >= 0)
		close(c->out_fd);
	c->out_fd = -1;
	c->out_off = 0;
	c->out_len = 0;
	c->negotiated = false;
	vfio_user_run_end(c);
	c->write_multiple = false;
	vfio_user_conn_reset_rx(c);
	free(c->buf);
	c->buf = NULL;
	c->reply = NULL;
	__atomic_store_n(&srv->connected, false, __ATOMIC_RELEASE);
	rte_spinlock_lock(&srv->info_lock);
	srv->info.connected = false;
	srv->info.negotiated = false;
	srv->info.version_major = 0;
	srv->info.version_minor = 0;
	srv->info.pid = -1;
	srv->info.uid = -1;
	srv->info.connected_at = 0;
	rte_spinlock_unlock(&srv->info_lock);

	vfio_user_dma_clear(srv);
	for (i = 0; i < RTE_VFIO_USER_NUM_IRQS; i++)
		vfio_user_irq_disable(&srv->irqs[i]);
	/* The next client finds the configuration space as at power-on. */
	pthread_mutex_lock(&srv->pci_lock);
	vfio_user_pci_reset(&srv->pci);
	pthread_mutex_unlock(&srv->pci_lock);
	VFIO_USER_LOG(INFO, "%s: client disconnected", srv->path);
	if (was_negotiated && srv->ops.disconnected != NULL)
		srv->ops.disconnected(srv->arg);
}

/* The listening socket is (not) taking clients, for telemetry. */
static void
vfio_user_info_listening(struct rte_vfio_user_server *srv, bool on)
{
	rte_spinlock_lock(&srv->info_lock);
	srv->info.listening = on;
	rte_spinlock_unlock(&srv->info_lock);
}

/* A client's socket was accepted: who it is, for telemetry. */
static void
vfio_user_info_opened(struct rte_vfio_user_server *srv, int sock)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred)) {
		cred.pid = -1;
		cred.uid = (uid_t)-1;
	}
	rte_spinlock_lock(&srv->info_lock);
	srv->info.connected = true;
	srv->info.negotiated = false;
	srv->info.pid = cred.pid;
	srv->info.uid = cred.uid == (uid_t)-1 ? -1 : (int64_t)cred.uid;
	srv->info.connected_at = time(NULL);
	srv->info.clients_accepted++;
	rte_spinlock_unlock(&srv->info_lock);
}

/* Start serving a connected, non-blocking socket. */
static int
vfio_user_conn_open(struct rte_vfio_user_server *srv, int sock)
{
	struct vfio_user_conn *c = &srv->conn;

	/* One allocation: request payload then reply message. */
	c->buf = malloc(2 * (size_t)VFIO_USER_SRV_MAX_MSG_SIZE);
	if (c->buf == NULL)
		return -ENOMEM;
	c->reply = c->buf + VFIO_USER_SRV_MAX_MSG_SIZE;
	c->sock = sock;
	c->registered = false;
	c->negotiated = false;
	vfio_user_run_end(c);
	c->write_multiple = false;
	c->opened_ms = vfio_user_now_ms();
	c->refused = 0;
	c->out_off = 0;
	c->out_len = 0;
	c->out_fd = -1;
	c->max_fds = VFIO_USER_SRV_MAX_MSG_FDS;
	c->minor = 0;
	c->nfds = 0;
	vfio_user_conn_reset_rx(c);
	vfio_user_info_opened(srv, sock);
	return 0;
}

/*
 * One recvmsg() of at most want bytes; descriptors that come with it are
 * added to the current message's.
 * @return bytes (> 0), 0 on EOF, or a negative errno (-EAGAIN: nothing now).
 */
static ssize_t
vfio_user_conn_recv(struct vfio_user_conn *c, void *dst, size_t want)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VFIO_USER_SRV_MAX_MSG_FDS)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = dst, .iov_len = want};
	struct msghdr mh;
	struct vfio_user_fd_acc acc;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	do {
		n = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;

	acc.fds = c->fds;
	acc.max = VFIO_USER_SRV_MAX_MSG_FDS;
	acc.n = c->nfds;
	acc.bad = false;
	vfio_user_sock_take_fds(&mh, &acc);
	c->nfds = acc.n;
	if (acc.bad)
		c->fds_overflow = true;
	return n;
}

/*
 * Send what the socket takes of the pending output, never waiting.
 * @return 0 when it has all gone, -EAGAIN when some is left, or another
 *   negative errno when the connection is broken.
 */
static int
vfio_user_conn_flush(struct vfio_user_conn *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;

	while (c->out_off < c->out_len) {
		struct iovec iov = {.iov_base = c->reply + c->out_off,
				    .iov_len = c->out_len - c->out_off};
		struct msghdr mh;
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if (c->out_fd >= 0) {
			struct cmsghdr *cm;

			memset(&ctl, 0, sizeof(ctl));
			mh.msg_control = ctl.buf;
			mh.msg_controllen = sizeof(ctl.buf);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &c->out_fd, sizeof(int));
		}
		/* MSG_NOSIGNAL: a client that has gone must not kill us. */
		n = sendmsg(c->sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -EAGAIN;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		if (c->out_fd >= 0) { /* it went with the first byte */
			close(c->out_fd);
			c->out_fd = -1;
		}
		c->out_off += (uint32_t)n;
	}
	c->out_off = 0;
	c->out_len = 0;
	return 0;
}

/*
 * Watch the connection for input (out false) or for room to send (out
 * true) in the control thread's epoll set; nothing for an attached one.
 */
static int
vfio_user_conn_watch(struct rte_vfio_user_server *srv, bool out)
{
	struct epoll_event ev;

	if (!srv->conn.registered || vfio_user_ctl == NULL)
		return 0;
	memset(&ev, 0, sizeof(ev));
	/* Not EPOLLRDHUP while waiting for room: a half-closed client would spin us. */
	ev.events = out ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;
	ev.data.u64 = srv->id << VFIO_USER_EP_ID_SHIFT | VFIO_USER_EP_CONN;
	if (epoll_ctl(vfio_user_ctl->epfd, EPOLL_CTL_MOD, srv->conn.sock, &ev) < 0) {
		int err = errno;

		VFIO_USER_LOG(ERR, "%s: epoll_ctl(MOD): %s", srv->path, strerror(err));
		return -err;
	}
	return 0;
}

/* The client has not taken its reply in time: drop it. */
static void
vfio_user_conn_drop_slow(struct rte_vfio_user_server *srv)
{
	VFIO_USER_LOG(WARNING,
		      "%s: dropping a client that has not read its reply (%u bytes left) in %d ms",
		      srv->path, srv->conn.out_len - srv->conn.out_off,
		      VFIO_USER_SRV_SEND_TIMEOUT_MS);
	vfio_user_disconnect(srv);
}

/* ---------------------------------------------------------- the commands */

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
	c->max_fds = RTE_MIN(caps.max_msg_fds, VFIO_USER_SRV_MAX_MSG_FDS);
	c->minor = minor;
	req->negotiated = true;
	VFIO_USER_LOG(INFO, "%s: client version %u.%u, reply %u.%u%s", srv->path, ver.major,
		      ver.minor, VFIO_USER_VERSION_MAJOR, minor,
		      caps.write_multiple ? "" : " (without write_multiple)");
	return 0;
}

static const char *
vfio_user_file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFSOCK:
		return "socket";
	case S_IFIFO:
		return "pipe or FIFO";
	case S_IFDIR:
		return "directory";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	default:
		return "special file";
	}
}

static int
vfio_user_cmd_dma_map(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_dma_entry ent;
	struct vfio_user_dma_map m;
	const struct vfio_user_dma_tab *tab;
	uint32_t n, pos;
	void *at = NULL;
	int fd, ret, prot = PROT_NONE;

	ret = vfio_user_dma_map_decode(req->payload, req->len, req->nfds, VFIO_USER_SRV_PGSIZE, &m);
	if (ret < 0)
		return ret;
	fd = req->nfds > 0 ? req->fds[0] : -1;

	memset(&ent, 0, sizeof(ent));
	ent.iova = m.addr;
	ent.size = m.size;
	if (m.flags & VFIO_USER_DMA_FLAG_READ) {
		ent.prot |= RTE_VFIO_USER_DMA_READ;
		prot |= PROT_READ;
	}
	if (m.flags & VFIO_USER_DMA_FLAG_WRITE) {
		ent.prot |= RTE_VFIO_USER_DMA_WRITE;
		prot |= PROT_WRITE;
	}

	tab = srv->dma_tab;
	n = srv->dma_nr;
	pos = n > 0 ? vfio_user_dma_upper(tab->e, n, m.addr) : 0;
	if (pos > 0) {
		const struct vfio_user_dma_entry *prev = &tab->e[pos - 1];

		if (prev->iova == ent.iova && prev->size == ent.size && prev->prot == ent.prot &&
		    (prev->vaddr != NULL) == (fd >= 0))
			return 0; /* identical remap */
		if (prev->iova + (prev->size - 1) >= m.addr)
			return -EEXIST;
	}
	if (pos < n && m.addr + (m.size - 1) >= tab->e[pos].iova)
		return -EEXIST;
	if (n >= srv->max_dma_maps) {
		VFIO_USER_LOG_REFUSED(
			srv, VFIO_USER_REFUSED_DMA_LIMIT,
			"DMA_MAP refused: the client has reached its limit of %u mappings"
			" (max_dma_maps)",
			srv->max_dma_maps);
		return -ENOSPC;
	}

	if (fd >= 0) {
		struct stat st;
		void *va;
		int seals;

		if (fstat(fd, &st) < 0)
			return -errno;
		if (!S_ISREG(st.st_mode)) {
			VFIO_USER_LOG_REFUSED(
				srv, VFIO_USER_REFUSED_DMA_FD,
				"DMA_MAP refused: the memory fd is a %s, not a regular"
				" file",
				vfio_user_file_type(st.st_mode));
			return -EPERM;
		}
		/*
		 * Memory that may shrink under our mappings would make the next
		 * device access to it raise SIGBUS.
		 */
		seals = fcntl(fd, F_GET_SEALS);
		if (!(srv->flags & RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY) &&
		    (seals < 0 || !(seals & F_SEAL_SHRINK))) {
			VFIO_USER_LOG_REFUSED(
				srv, VFIO_USER_REFUSED_DMA_SEAL,
				"DMA_MAP refused: the memory fd is not sealed against"
				" shrinking (F_SEAL_SHRINK): give the VM QEMU's"
				" memory-backend-memfd (seal=on, its default, also with"
				" hugetlb=on), or have the application trust its clients'"
				" memory (RTE_VFIO_USER_SERVER_F_TRUST_CLIENT_MEMORY)");
			return -EPERM;
		}
		if (st.st_size < 0 || m.size > (uint64_t)st.st_size ||
		    m.offset > (uint64_t)st.st_size - m.size)
			return -EINVAL;
		if (m.size > SIZE_MAX)
			return -ENOMEM;
		/*
		 * Mapped inaccessible, then opened up: in a process that locks
		 * its future memory (mlockall(MCL_FUTURE), as testpmd does by
		 * default) mmap() would fault in and lock the whole range here,
		 * on the control thread: every page of the guest's RAM allocated
		 * and pinned for good, and the reply delayed by hundreds of ms
		 * per GiB (seconds under load, past QEMU's 5 s). A PROT_NONE
		 * mapping is not populated, nor is a shared one made accessible
		 * by mprotect(): pages come in (locked, then) as the device
		 * touches them.
		 */
		at = vfio_user_dma_win_slot(srv, m.addr, m.size);
		va = mmap(at, (size_t)m.size, PROT_NONE, MAP_SHARED | (at != NULL ? MAP_FIXED : 0),
			  fd, (off_t)m.offset);
		if (va == MAP_FAILED && at != NULL && errno == EINVAL) {
			/* e.g. huge pages at an iova they are not aligned to: anywhere. */
			vfio_user_dma_win_put(srv, at, m.size);
			at = NULL;
			va = mmap(NULL, (size_t)m.size, PROT_NONE, MAP_SHARED, fd, (off_t)m.offset);
		}
		if (va == MAP_FAILED) {
			ret = -errno;
			if (at != NULL)
				vfio_user_dma_win_put(srv, at, m.size);
			goto fail;
		}
		if (prot != PROT_NONE && mprotect(va, (size_t)m.size, prot) < 0) {
			/*
			 * Refused (a read-only fd, a write seal): mmap() itself
			 * tells why, with the errno clients know.
			 */
			if (at != NULL)
				vfio_user_dma_win_put(srv, va, m.size);
			else
				munmap(va, (size_t)m.size);
			at = NULL;
			va = mmap(NULL, (size_t)m.size, prot, MAP_SHARED, fd, (off_t)m.offset);
			if (va == MAP_FAILED) {
				ret = -errno;
				goto fail;
			}
		}
		ent.vaddr = va;
		ent.in_win = at != NULL;
	}
	ret = vfio_user_dma_insert(srv, pos, &ent);
	if (ret < 0) {
		vfio_user_dma_entry_unmap(srv, &ent);
		goto fail;
	}
	VFIO_USER_LOG(DEBUG, "%s: DMA map iova 0x%" PRIx64 " size 0x%" PRIx64 " prot %u%s",
		      srv->path, ent.iova, ent.size, ent.prot,
		      fd < 0		 ? " (no fd)" :
			      ent.in_win ? "" :
					   " (outside the DMA window)");
	return 0;

fail:
	if (srv->dma_nr == 0)
		vfio_user_dma_win_release(srv);
	return ret;
}

static int
vfio_user_cmd_dma_unmap(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_dma_unmap u;
	uint32_t first, end;
	uint64_t last;
	int ret;

	ret = vfio_user_dma_unmap_decode(req->payload, req->len, &u);
	if (ret < 0)
		return ret;
	if (u.flags & VFIO_USER_DMA_UNMAP_FLAG_ALL) {
		vfio_user_dma_clear(srv);
	} else {
		/* The decoder checked size > 0 and that the range does not wrap. */
		last = u.addr + (u.size - 1);
		ret = vfio_user_dma_unmap_span(srv->dma_tab != NULL ? srv->dma_tab->e : NULL,
					       srv->dma_nr, u.addr, last, &first, &end);
		if (ret < 0) {
			VFIO_USER_LOG_REFUSED(srv, VFIO_USER_REFUSED_DMA_CUT,
					      "DMA_UNMAP of [0x%" PRIx64 ", 0x%" PRIx64
					      "] refused: it cuts a mapping in two (only whole"
					      " mappings are unmapped)",
					      u.addr, last);
			return ret;
		}
		if (end > first)
			vfio_user_dma_remove(srv, first, end);
		VFIO_USER_LOG(DEBUG,
			      "%s: DMA unmap [0x%" PRIx64 ", 0x%" PRIx64
			      "]: %u mapping(s) removed, %u left",
			      srv->path, u.addr, last, end - first, srv->dma_nr);
	}
	ret = vfio_user_dma_unmap_encode(req->rbuf, req->rcap, &u);
	if (ret < 0)
		return ret;
	req->rlen = (uint32_t)ret;
	return 0;
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
	ret = vfio_user_device_info_encode(req->rbuf, req->rcap, &info);
	if (ret < 0)
		return ret;
	req->rlen = (uint32_t)ret;
	return 0;
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
	ret = vfio_user_region_io_fds_encode(req->rbuf, req->rcap, &rq);
	if (ret < 0)
		return ret;
	req->rlen = (uint32_t)ret;
	return 0;
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
	ret = vfio_user_irq_info_encode(req->rbuf, req->rcap, &info);
	if (ret < 0)
		return ret;
	req->rlen = (uint32_t)ret;
	return 0;
}

static int
vfio_user_cmd_set_irqs(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_set_irqs s;
	struct vfio_user_irq *irq;
	uint32_t data, action, i, v;
	int ret;

	/*
	 * The decoder checked the combinations: count 0 only with DATA_NONE
	 * and TRIGGER, no descriptors but for EVENTFD (TRIGGER, none or
	 * count of them), bools for DATA_BOOL.
	 */
	ret = vfio_user_set_irqs_decode(req->payload, req->len, req->nfds, &s);
	if (ret < 0)
		return ret;
	if (s.index >= RTE_VFIO_USER_NUM_IRQS)
		return -EINVAL;
	irq = &srv->irqs[s.index];
	data = s.flags & VFIO_USER_IRQ_SET_DATA_MASK;
	action = s.flags & VFIO_USER_IRQ_SET_ACTION_MASK_ALL;

	if (s.count == 0) {
		if (s.start != 0)
			return -EINVAL;
		vfio_user_irq_disable(irq);
		goto done;
	}
	if ((uint64_t)s.start + s.count > irq->count)
		return -EINVAL;

	if (data == VFIO_USER_IRQ_SET_DATA_EVENTFD) {
		/*
		 * Only eventfds: a pipe or socket would raise SIGPIPE once its
		 * reader is gone, a FIFO or file could block or fill a disk.
		 */
		for (i = 0; i < req->nfds; i++) {
			if (!vfio_user_is_eventfd(req->fds[i])) {
				VFIO_USER_LOG_REFUSED(
					srv, VFIO_USER_REFUSED_IRQ_FD,
					"SET_IRQS refused: fd %u of %u for IRQ index %u is not"
					" an eventfd",
					i + 1, req->nfds, s.index);
				return -EINVAL;
			}
		}
		/* Our writes must never block. */
		for (i = 0; i < req->nfds; i++) {
			int fl = fcntl(req->fds[i], F_GETFL);

			if (fl < 0 || fcntl(req->fds[i], F_SETFL, fl | O_NONBLOCK) < 0)
				return -EINVAL;
		}
		rte_spinlock_lock(&irq->lock);
		for (i = 0; i < s.count; i++) {
			v = s.start + i;
			if (irq->fds[v] >= 0)
				close(irq->fds[v]);
			if (req->nfds > 0) {
				irq->fds[v] = req->fds[i];
				req->fds[i] = -1; /* kept */
			} else {
				irq->fds[v] = -1;
				irq->pending[v] = 0;
			}
		}
		rte_spinlock_unlock(&irq->lock);
		goto done;
	}

	rte_spinlock_lock(&irq->lock);
	for (i = 0; i < s.count; i++) {
		v = s.start + i;
		if (data == VFIO_USER_IRQ_SET_DATA_BOOL && s.bools[i] == 0)
			continue;
		switch (action) {
		case VFIO_USER_IRQ_SET_ACTION_TRIGGER:
			vfio_user_irq_fire_locked(irq, s.index, v);
			break;
		case VFIO_USER_IRQ_SET_ACTION_MASK:
			irq->masked[v] = 1;
			break;
		case VFIO_USER_IRQ_SET_ACTION_UNMASK:
			irq->masked[v] = 0;
			if (irq->pending[v] && irq->fds[v] >= 0) {
				irq->pending[v] = 0;
				vfio_user_irq_fire_locked(irq, s.index, v);
			}
			break;
		default:
			break;
		}
	}
	rte_spinlock_unlock(&irq->lock);
done:
	if (srv->ops.irq_change != NULL)
		srv->ops.irq_change(srv->arg, s.index);
	return 0;
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
		if ((events & VFIO_USER_PCI_EV_FLR) && srv->ops.reset != NULL) {
			int r2 = srv->ops.reset(srv->arg, RTE_VFIO_USER_RESET_FLR);

			if (r2 < 0)
				VFIO_USER_LOG(WARNING, "%s: FLR reset callback: %s", srv->path,
					      strerror(-r2));
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
	ret = vfio_user_region_access_encode(req->rbuf, req->rcap, &acc, NULL);
	if (ret < 0)
		return ret;
	req->rlen = (uint32_t)ret;
	return 0;
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
	return ret;
}

static int
vfio_user_cmd_device_feature(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	struct vfio_user_device_feature feat;
	int ret;

	RTE_SET_USED(srv);
	ret = vfio_user_device_feature_decode(req->payload, req->len, &feat);
	if (ret < 0)
		return ret;
	return -ENOTSUP;
}

static int
vfio_user_dispatch(struct rte_vfio_user_server *srv, struct vfio_user_req *req)
{
	uint16_t cmd = req->hdr.cmd;

	if (req->nfds > 0 && cmd != VFIO_USER_CMD_DMA_MAP && cmd != VFIO_USER_CMD_DEVICE_SET_IRQS)
		return -EINVAL;
	switch (cmd) {
	case VFIO_USER_CMD_VERSION:
		return vfio_user_cmd_version(srv, req);
	case VFIO_USER_CMD_DMA_MAP:
		return vfio_user_cmd_dma_map(srv, req);
	case VFIO_USER_CMD_DMA_UNMAP:
		return vfio_user_cmd_dma_unmap(srv, req);
	case VFIO_USER_CMD_DEVICE_GET_INFO:
		return vfio_user_cmd_device_info(srv, req);
	case VFIO_USER_CMD_DEVICE_GET_REGION_INFO:
		return vfio_user_cmd_region_info(srv, req);
	case VFIO_USER_CMD_DEVICE_GET_REGION_IO_FDS:
		return vfio_user_cmd_region_io_fds(srv, req);
	case VFIO_USER_CMD_DEVICE_GET_IRQ_INFO:
		return vfio_user_cmd_irq_info(srv, req);
	case VFIO_USER_CMD_DEVICE_SET_IRQS:
		return vfio_user_cmd_set_irqs(srv, req);
	case VFIO_USER_CMD_REGION_READ:
		return vfio_user_cmd_region_read(srv, req);
	case VFIO_USER_CMD_REGION_WRITE:
		return vfio_user_cmd_region_write(srv, req);
	case VFIO_USER_CMD_DEVICE_RESET:
		return vfio_user_cmd_reset(srv, req);
	case VFIO_USER_CMD_REGION_WRITE_MULTI:
		return vfio_user_cmd_write_multi(srv, req);
	case VFIO_USER_CMD_DEVICE_FEATURE:
		return vfio_user_cmd_device_feature(srv, req);
	case VFIO_USER_CMD_DMA_READ:
	case VFIO_USER_CMD_DMA_WRITE:
		/* These go from the server to the client. */
	case VFIO_USER_CMD_MIG_DATA_READ:
	case VFIO_USER_CMD_MIG_DATA_WRITE:
		return -ENOTSUP;
	default:
		VFIO_USER_LOG_REFUSED(srv, VFIO_USER_REFUSED_CMD, "unknown command %u refused",
				      req->hdr.cmd);
		return -EINVAL;
	}
}

/*
 * How long the request took, and the run of back-to-back requests it ends
 * so far: a client that waits for a reply (QEMU waits for the last DMA
 * request of a memory transaction) waits for the whole run. Logged at
 * WARNING past VFIO_USER_SRV_SLOW_MS (a run once), at DEBUG otherwise.
 */
static void
vfio_user_req_timing(struct rte_vfio_user_server *srv, const struct vfio_user_hdr *h, int64_t t0)
{
	struct vfio_user_conn *c = &srv->conn;
	int64_t now = vfio_user_now_us(), took = now - t0, run;

	if (c->run_start_us == 0)
		c->run_start_us = t0;
	c->run_msgs++;
	run = now - c->run_start_us;
	VFIO_USER_LOG(DEBUG,
		      "%s: %s (msg_id %u) handled in %" PRId64 " us (%u in a row, %" PRId64 " us)",
		      srv->path, vfio_user_cmd_name(h->cmd), h->msg_id, took, c->run_msgs, run);
	if (took >= (int64_t)VFIO_USER_SRV_SLOW_MS * 1000) {
		VFIO_USER_LOG(WARNING,
			      "%s: %s (msg_id %u) kept the server %" PRId64
			      " ms (device callbacks included): QEMU gives up on a reply after"
			      " x-msg-timeout (5000 ms by default)",
			      srv->path, vfio_user_cmd_name(h->cmd), h->msg_id, took / 1000);
		c->run_warned = true;
	} else if (!c->run_warned && run >= (int64_t)VFIO_USER_SRV_SLOW_MS * 1000) {
		VFIO_USER_LOG(WARNING,
			      "%s: %u requests handled back to back in %" PRId64
			      " ms, the last %s (msg_id %u): a client waiting for the last"
			      " one's reply waited that long (QEMU gives up after x-msg-timeout,"
			      " 5000 ms by default)",
			      srv->path, c->run_msgs, run / 1000, vfio_user_cmd_name(h->cmd),
			      h->msg_id);
		c->run_warned = true;
	}
}

/*
 * Handle the message just received (header in c->hdr, payload in c->buf,
 * descriptors in c->fds).
 * @return 0, or a negative errno when the connection was closed.
 */
static int
vfio_user_process(struct rte_vfio_user_server *srv)
{
	struct vfio_user_conn *c = &srv->conn;
	int fds[VFIO_USER_SRV_MAX_MSG_FDS];
	struct vfio_user_hdr rh;
	struct vfio_user_req req;
	bool fatal = false, overflow;
	int64_t t0 = vfio_user_now_us();
	uint32_t type;
	int ret;

	memset(&req, 0, sizeof(req));
	req.hdr = c->hdr;
	req.payload = c->buf;
	req.len = c->hdr.size - VFIO_USER_HDR_SIZE;
	memcpy(fds, c->fds, c->nfds * sizeof(int));
	req.fds = fds;
	req.nfds = c->nfds;
	overflow = c->fds_overflow;
	c->nfds = 0;
	c->fds_overflow = false;
	req.rbuf = c->reply + VFIO_USER_HDR_SIZE;
	req.rcap = VFIO_USER_SRV_MAX_MSG_SIZE - VFIO_USER_HDR_SIZE;
	req.reply_fd = -1;
	type = req.hdr.flags & VFIO_USER_F_TYPE_MASK;

	if (type == VFIO_USER_F_TYPE_REPLY && c->negotiated) {
		/* We never send commands: nothing to match it with. */
		VFIO_USER_LOG(DEBUG, "%s: ignoring a reply (msg_id %u, %s)", srv->path,
			      req.hdr.msg_id, vfio_user_cmd_name(req.hdr.cmd));
		vfio_user_close_fds(fds, req.nfds);
		return 0;
	}
	if (!c->negotiated &&
	    (type != VFIO_USER_F_TYPE_COMMAND || req.hdr.cmd != VFIO_USER_CMD_VERSION)) {
		VFIO_USER_LOG(WARNING,
			      "%s: first message is not VERSION (%s): closing the connection",
			      srv->path, vfio_user_cmd_name(req.hdr.cmd));
		ret = -EINVAL;
	} else if (overflow || req.nfds > c->max_fds) {
		VFIO_USER_LOG_REFUSED(srv, VFIO_USER_REFUSED_FDS,
				      "%s refused: the message carried more than %u fds",
				      vfio_user_cmd_name(req.hdr.cmd), c->max_fds);
		ret = -EINVAL;
	} else {
		ret = vfio_user_dispatch(srv, &req);
	}
	vfio_user_close_fds(fds, req.nfds); /* those no handler kept */
	if (ret < 0 && !c->negotiated)
		fatal = true;
	vfio_user_req_timing(srv, &req.hdr, t0);

	if (req.hdr.flags & VFIO_USER_F_NO_REPLY) {
		if (ret < 0)
			VFIO_USER_LOG(DEBUG, "%s: %s (msg_id %u, no reply): %s", srv->path,
				      vfio_user_cmd_name(req.hdr.cmd), req.hdr.msg_id,
				      strerror(-ret));
	} else {
		memset(&rh, 0, sizeof(rh));
		rh.msg_id = req.hdr.msg_id;
		rh.cmd = req.hdr.cmd;
		rh.flags = VFIO_USER_F_TYPE_REPLY;
		if (ret < 0) {
			VFIO_USER_LOG(DEBUG, "%s: %s (msg_id %u): %s", srv->path,
				      vfio_user_cmd_name(req.hdr.cmd), req.hdr.msg_id,
				      strerror(-ret));
			rh.flags |= VFIO_USER_F_ERROR;
			rh.error = (uint32_t)-ret;
			req.rlen = 0;
			if (req.reply_fd >= 0)
				close(req.reply_fd);
			req.reply_fd = -1;
		}
		rh.size = VFIO_USER_HDR_SIZE + req.rlen;
		vfio_user_hdr_encode(c->reply, &rh);
		c->out_off = 0;
		c->out_len = rh.size;
		c->out_fd = req.reply_fd; /* the connection's now */
		ret = vfio_user_conn_flush(c);
		if (ret == -EAGAIN) {
			/* The rest goes when the client makes room. */
			c->out_deadline = vfio_user_now_ms() + VFIO_USER_SRV_SEND_TIMEOUT_MS;
			ret = vfio_user_conn_watch(srv, true);
		}
		if (ret < 0) {
			VFIO_USER_LOG(INFO, "%s: sending a reply: %s", srv->path, strerror(-ret));
			vfio_user_disconnect(srv);
			return ret;
		}
	}
	if (fatal) {
		vfio_user_disconnect(srv);
		return -EPROTO;
	}
	if (req.negotiated) {
		c->negotiated = true;
		rte_spinlock_lock(&srv->info_lock);
		srv->info.negotiated = true;
		srv->info.version_major = VFIO_USER_VERSION_MAJOR;
		srv->info.version_minor = c->minor;
		rte_spinlock_unlock(&srv->info_lock);
		__atomic_store_n(&srv->connected, true, __ATOMIC_RELEASE);
		if (srv->ops.connected != NULL)
			srv->ops.connected(srv->arg);
	}
	return 0;
}

/*
 * Read what is available and handle every complete message, at most budget
 * of them (0: no limit).
 * @return 0 (nothing more now, or budget spent), or a negative errno when
 *   the connection was closed.
 */
static int
vfio_user_conn_input(struct rte_vfio_user_server *srv, unsigned int budget)
{
	struct vfio_user_conn *c = &srv->conn;
	unsigned int done = 0;
	ssize_t n;
	int ret;

	while (c->sock >= 0) {
		uint32_t plen;

		if (c->out_len > 0)
			return 0; /* not read until the reply has gone */
		if (budget != 0 && done >= budget)
			return 0;
		if (c->hdr_got < VFIO_USER_HDR_SIZE) {
			n = vfio_user_conn_recv(c, c->hdr_buf + c->hdr_got,
						VFIO_USER_HDR_SIZE - c->hdr_got);
			if (n == -EAGAIN) {
				if (c->hdr_got == 0)
					vfio_user_run_end(c);
				return 0;
			}
			if (n <= 0)
				goto closed;
			c->hdr_got += (uint32_t)n;
			if (c->hdr_got < VFIO_USER_HDR_SIZE)
				continue;
			ret = vfio_user_hdr_decode(c->hdr_buf, VFIO_USER_HDR_SIZE,
						   VFIO_USER_SRV_MAX_MSG_SIZE, &c->hdr);
			if (ret < 0) {
				VFIO_USER_LOG(WARNING,
					      "%s: bad message header (%s):"
					      " closing the connection",
					      srv->path, strerror(-ret));
				vfio_user_disconnect(srv);
				return ret;
			}
			c->pay_got = 0;
		}
		plen = c->hdr.size - VFIO_USER_HDR_SIZE;
		if (c->pay_got < plen) {
			n = vfio_user_conn_recv(c, c->buf + c->pay_got, plen - c->pay_got);
			if (n == -EAGAIN)
				return 0;
			if (n <= 0)
				goto closed;
			c->pay_got += (uint32_t)n;
			if (c->pay_got < plen)
				continue;
		}
		/* A whole message. */
		c->hdr_got = 0;
		c->pay_got = 0;
		done++;
		ret = vfio_user_process(srv);
		if (ret < 0)
			return ret;
	}
	return -ENOTCONN;

closed:
	if (n == 0 && c->hdr_got == 0)
		VFIO_USER_LOG(INFO, "%s: client closed the connection", srv->path);
	else
		VFIO_USER_LOG(INFO, "%s: connection lost%s: %s", srv->path,
			      c->hdr_got > 0 ? " inside a message" : "",
			      n == 0 ? "EOF" : strerror((int)-n));
	vfio_user_disconnect(srv);
	return n == 0 ? -ECONNRESET : (int)n;
}

/*
 * Serve a connection: send its pending output, then (once that has gone)
 * read and handle at most budget messages (0: no limit).
 * @return as vfio_user_conn_input().
 */
static int
vfio_user_conn_service(struct rte_vfio_user_server *srv, unsigned int budget)
{
	struct vfio_user_conn *c = &srv->conn;
	int ret;

	if (c->sock < 0)
		return -ENOTCONN;
	if (c->out_len > 0) {
		ret = vfio_user_conn_flush(c);
		if (ret == -EAGAIN) {
			if (vfio_user_now_ms() < c->out_deadline)
				return 0;
			vfio_user_conn_drop_slow(srv);
			return -ETIMEDOUT;
		}
		if (ret == 0)
			ret = vfio_user_conn_watch(srv, false);
		if (ret < 0) {
			VFIO_USER_LOG(INFO, "%s: sending a reply: %s", srv->path, strerror(-ret));
			vfio_user_disconnect(srv);
			return ret;
		}
	}
	return vfio_user_conn_input(srv, budget);
}

/* ----------------------------------------------------- the control thread */

static struct rte_vfio_user_server *
vfio_user_server_lookup(uint64_t id)
{
	struct rte_vfio_user_server *srv;

	TAILQ_FOREACH(srv, &vfio_user_servers, next)
		if (srv->id == id)
			return srv;
	return NULL;
}

/* Listening paused for a while (see vfio_user_ctl_sweep()). */
#define VFIO_USER_ACCEPT_PAUSE_MS 100

static void
vfio_user_listen_events(struct rte_vfio_user_server *srv, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = srv->id << VFIO_USER_EP_ID_SHIFT | VFIO_USER_EP_LISTEN;
	if (epoll_ctl(vfio_user_ctl->epfd, EPOLL_CTL_MOD, srv->listen_fd, &ev) < 0)
		VFIO_USER_LOG(ERR, "%s: epoll_ctl(MOD): %s", srv->path, strerror(errno));
}

static void
vfio_user_listen_pause(struct rte_vfio_user_server *srv)
{
	vfio_user_listen_events(srv, 0);
	srv->accept_resume_ms = vfio_user_now_ms() + VFIO_USER_ACCEPT_PAUSE_MS;
	vfio_user_info_listening(srv, false);
}

static int64_t
vfio_user_min_deadline(int64_t a, int64_t b)
{
	return a < 0 || (b >= 0 && b < a) ? b : a;
}

/*
 * Called with vfio_user_lock held: drop the connections past their deadline,
 * resume paused listening sockets.
 * @return the epoll_wait() timeout until the next deadline, or -1.
 */
static int
vfio_user_ctl_sweep(void)
{
	struct rte_vfio_user_server *srv;
	int64_t now = vfio_user_now_ms(), next = -1;

	TAILQ_FOREACH(srv, &vfio_user_servers, next) {
		struct vfio_user_conn *c = &srv->conn;

		if (srv->accept_resume_ms != 0) {
			if (now >= srv->accept_resume_ms) {
				srv->accept_resume_ms = 0;
				vfio_user_info_listening(srv, true);
				vfio_user_listen_events(srv, EPOLLIN);
			} else {
				next = vfio_user_min_deadline(next, srv->accept_resume_ms);
			}
		}
		if (c->sock >= 0 && c->out_len > 0) {
			if (now >= c->out_deadline)
				vfio_user_conn_service(srv, VFIO_USER_MSG_BUDGET); /* a last try */
			else
				next = vfio_user_min_deadline(next, c->out_deadline);
		}
		if (c->sock >= 0 && !c->negotiated) {
			int64_t end = c->opened_ms + VFIO_USER_NEGOTIATE_TIMEOUT_MS;

			if (now >= end) {
				VFIO_USER_LOG(NOTICE,
					      "%s: dropping a client that sent no VERSION in %u ms",
					      srv->path, VFIO_USER_NEGOTIATE_TIMEOUT_MS);
				vfio_user_disconnect(srv);
			} else {
				next = vfio_user_min_deadline(next, end);
			}
		}
	}
	if (next < 0)
		return -1;
	/* +1: poll may wake a little early; never more than a second ahead. */
	return (int)RTE_MIN(next - now + 1, (int64_t)1000);
}

/*
 * Most time the control thread spends per second waiting for the VERSION
 * of clients it refuses (a client sends it right after connecting): short,
 * as other devices wait meanwhile, and bounded per second, so that a
 * client connecting in a loop cannot hold the thread.
 */
#define VFIO_USER_REFUSE_WAIT_MS 20

/*
 * Refuse a client while another is connected: answer its VERSION (if it
 * comes within what is left of this second's waiting budget) with an EBUSY
 * error reply, so that it knows why, then close. Logged at WARNING once per
 * second with the count, so that a loop of connections cannot flood the log.
 */
static void
vfio_user_refuse(struct rte_vfio_user_server *srv, int fd)
{
	uint8_t buf[VFIO_USER_HDR_SIZE];
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int64_t t0 = vfio_user_now_ms(), wait;
	struct vfio_user_hdr h, r;
	bool answered = false;
	ssize_t n;

	if (t0 / 1000 != srv->refuse_sec) {
		srv->refuse_sec = t0 / 1000;
		srv->refuse_spent_ms = 0;
		srv->refuse_count = 0;
	}
	wait = RTE_MAX(VFIO_USER_REFUSE_WAIT_MS - srv->refuse_spent_ms, (int64_t)0);
	if (poll(&pfd, 1, (int)wait) == 1 && (pfd.revents & POLLIN)) {
		/* The header only; the rest (and any fds) go with the socket. */
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == (ssize_t)sizeof(buf) &&
		    vfio_user_hdr_decode(buf, sizeof(buf), UINT32_MAX, &h) == 0 &&
		    h.cmd == VFIO_USER_CMD_VERSION && (h.flags & VFIO_USER_F_TYPE_MASK) == 0) {
			memset(&r, 0, sizeof(r));
			r.msg_id = h.msg_id;
			r.cmd = h.cmd;
			r.size = VFIO_USER_HDR_SIZE;
			r.flags = VFIO_USER_F_TYPE_REPLY | VFIO_USER_F_ERROR;
			r.error = EBUSY;
			vfio_user_hdr_encode(buf, &r);
			answered = send(fd, buf, sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT) ==
				(ssize_t)sizeof(buf);
		}
	}
	srv->refuse_spent_ms += vfio_user_now_ms() - t0;
	rte_spinlock_lock(&srv->info_lock);
	srv->info.clients_refused++;
	rte_spinlock_unlock(&srv->info_lock);
	if (srv->refuse_count++ == 0)
		VFIO_USER_LOG(WARNING, "%s: a client is already connected: refusing another one%s",
			      srv->path, answered ? " (EBUSY to its VERSION)" : "");
	else
		VFIO_USER_LOG(DEBUG, "%s: refusing another client (%u this second)%s", srv->path,
			      srv->refuse_count, answered ? " (EBUSY to its VERSION)" : "");
	close(fd);
}

static void
vfio_user_accept(struct rte_vfio_user_server *srv)
{
	struct epoll_event ev;
	int i, fd;

	for (i = 0; i < 8; i++) {
		fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			VFIO_USER_LOG(ERR, "%s: accept: %s", srv->path, strerror(errno));
			/*
			 * Out of descriptors or memory: do not spin on the
			 * listening socket, nor sleep (others are served).
			 */
			vfio_user_listen_pause(srv);
			return;
		}
		/*
		 * A client that is already gone (say, a probe that connected
		 * and closed at once) must not keep the next one out: read
		 * what the current one sent first.
		 */
		if (srv->conn.sock >= 0 && srv->conn.registered)
			vfio_user_conn_service(srv, VFIO_USER_MSG_BUDGET);
		/*
		 * Nor may one that connected and never negotiated: after
		 * VFIO_USER_NEGOTIATE_TIMEOUT_MS it gives way to the newcomer.
		 */
		if (srv->conn.sock >= 0 && !srv->conn.negotiated &&
		    vfio_user_now_ms() - srv->conn.opened_ms > VFIO_USER_NEGOTIATE_TIMEOUT_MS) {
			VFIO_USER_LOG(NOTICE, "%s: dropping a client that sent no VERSION in %u ms",
				      srv->path, VFIO_USER_NEGOTIATE_TIMEOUT_MS);
			vfio_user_disconnect(srv);
		}
		if (srv->conn.sock >= 0) {
			vfio_user_refuse(srv, fd);
			continue;
		}
		if (vfio_user_conn_open(srv, fd) < 0) {
			VFIO_USER_LOG(ERR, "%s: no memory for a connection", srv->path);
			close(fd);
			continue;
		}
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.u64 = srv->id << VFIO_USER_EP_ID_SHIFT | VFIO_USER_EP_CONN;
		if (epoll_ctl(vfio_user_ctl->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			VFIO_USER_LOG(ERR, "%s: epoll_ctl(ADD): %s", srv->path, strerror(errno));
			vfio_user_disconnect(srv);
			continue;
		}
		srv->conn.registered = true;
		VFIO_USER_LOG(INFO, "%s: client connected", srv->path);
	}
}

static emu_thread_ret_t
vfio_user_ctl_main(void *arg)
{
	struct vfio_user_ctl *ctl = arg;
	struct epoll_event evs[VFIO_USER_EPOLL_EVENTS];
	int n, i;

	vfio_user_serving = true;
	while (!__atomic_load_n(&ctl->stop, __ATOMIC_ACQUIRE)) {
		int timeout;

		pthread_mutex_lock(&vfio_user_lock);
		timeout = vfio_user_ctl_sweep();
		pthread_mutex_unlock(&vfio_user_lock);
		n = epoll_wait(ctl->epfd, evs, VFIO_USER_EPOLL_EVENTS, timeout);
		if (n < 0) {
			if (errno != EINTR) {
				VFIO_USER_LOG(ERR, "epoll_wait: %s", strerror(errno));
				usleep(10000);
			}
			continue;
		}
		for (i = 0; i < n; i++) {
			uint64_t d = evs[i].data.u64;
			uint32_t kind = d & VFIO_USER_EP_KIND_MASK;
			struct rte_vfio_user_server *srv;

			if (kind == VFIO_USER_EP_EVENT) {
				eventfd_t v;

				(void)eventfd_read(ctl->evfd, &v);
				continue;
			}
			if (__atomic_load_n(&ctl->stop, __ATOMIC_ACQUIRE))
				break;
			pthread_mutex_lock(&vfio_user_lock);
			srv = vfio_user_server_lookup(d >> VFIO_USER_EP_ID_SHIFT);
			if (srv != NULL) {
				if (kind == VFIO_USER_EP_LISTEN)
					vfio_user_accept(srv);
				else if (srv->conn.sock >= 0 && srv->conn.registered)
					vfio_user_conn_service(srv, VFIO_USER_MSG_BUDGET);
			}
			pthread_mutex_unlock(&vfio_user_lock);
		}
	}
	return EMU_THREAD_RET;
}

static void
vfio_user_ctl_free(struct vfio_user_ctl *ctl)
{
	if (ctl->epfd >= 0)
		close(ctl->epfd);
	if (ctl->evfd >= 0)
		close(ctl->evfd);
	free(ctl);
}

/* Called with vfio_user_lock held. */
static int
vfio_user_ctl_start(void)
{
	struct epoll_event ev;
	struct vfio_user_ctl *ctl;
	int ret;

	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return -ENOMEM;
	ctl->evfd = -1;
	ctl->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (ctl->epfd < 0)
		goto err_errno;
	ctl->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctl->evfd < 0)
		goto err_errno;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = VFIO_USER_EP_EVENT;
	if (epoll_ctl(ctl->epfd, EPOLL_CTL_ADD, ctl->evfd, &ev) < 0)
		goto err_errno;
	ret = emu_ctrl_thread_create(&ctl->thread, "vfio-user-ctl", vfio_user_ctl_main, ctl);
	if (ret != 0) {
		ret = ret < 0 ? ret : -ret;
		VFIO_USER_LOG(ERR, "cannot create the control thread: %s", strerror(-ret));
		vfio_user_ctl_free(ctl);
		return ret;
	}
	vfio_user_ctl = ctl;
	return 0;

err_errno:
	ret = -errno;
	VFIO_USER_LOG(ERR, "control thread setup: %s", strerror(errno));
	vfio_user_ctl_free(ctl);
	return ret;
}

/* ------------------------------------------------------------ public API */

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
	struct epoll_event ev;
	bool new_ctl = false;
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
	if (vfio_user_ctl == NULL) {
		ret = vfio_user_ctl_start();
		if (ret < 0)
			goto err_sock;
		new_ctl = true;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = srv->id << VFIO_USER_EP_ID_SHIFT | VFIO_USER_EP_LISTEN;
	if (epoll_ctl(vfio_user_ctl->epfd, EPOLL_CTL_ADD, srv->listen_fd, &ev) < 0) {
		ret = -errno;
		VFIO_USER_LOG(ERR, "%s: epoll_ctl(ADD): %s", srv->path, strerror(errno));
		goto err_ctl;
	}
	vfio_user_seal(srv);
	srv->started = true;
	TAILQ_INSERT_TAIL(&vfio_user_servers, srv, next);
	vfio_user_nr_started++;
	VFIO_USER_LOG(INFO, "%s: listening", srv->path);
	ret = 0;
	goto out;

err_ctl:
	if (new_ctl) {
		struct vfio_user_ctl *ctl = vfio_user_ctl;

		vfio_user_ctl = NULL;
		__atomic_store_n(&ctl->stop, true, __ATOMIC_RELEASE);
		(void)eventfd_write(ctl->evfd, 1);
		pthread_mutex_unlock(&vfio_user_lock);
		emu_ctrl_thread_join(ctl->thread);
		vfio_user_ctl_free(ctl);
		pthread_mutex_lock(&vfio_user_lock);
	}
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
	if (srv->started) {
		TAILQ_REMOVE(&vfio_user_servers, srv, next);
		if (epoll_ctl(vfio_user_ctl->epfd, EPOLL_CTL_DEL, srv->listen_fd, NULL) < 0)
			VFIO_USER_LOG(ERR, "%s: epoll_ctl(DEL): %s", srv->path, strerror(errno));
	}
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
		if (--vfio_user_nr_started == 0) {
			stop = vfio_user_ctl;
			vfio_user_ctl = NULL;
			__atomic_store_n(&stop->stop, true, __ATOMIC_RELEASE);
			(void)eventfd_write(stop->evfd, 1);
		}
	}
	pthread_mutex_unlock(&vfio_user_lock);
	if (stop != NULL) {
		emu_ctrl_thread_join(stop->thread);
		vfio_user_ctl_free(stop);
	}

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
