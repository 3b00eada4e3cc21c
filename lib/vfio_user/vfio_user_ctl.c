/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user server: the control thread. Every started server is served by
 * one control thread per process ("vfio-user-ctl"), which waits with epoll
 * on the listening sockets, the connection sockets and an eventfd (to be
 * woken up for shutdown). vfio_user_lock protects the server list and is
 * held by the thread while it handles one event, so
 * rte_vfio_user_server_destroy() (which takes it too) never runs
 * concurrently with a message of the same server.
 *
 * A client whose reply has not drained within VFIO_USER_SRV_SEND_TIMEOUT_MS
 * is dropped, as is one that has not negotiated within
 * VFIO_USER_NEGOTIATE_TIMEOUT_MS: epoll_wait() wakes up for those
 * deadlines. Each readable event handles at most VFIO_USER_MSG_BUDGET
 * messages, and epoll reports ready connections in turn, so one that always
 * has input cannot starve the others.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <rte_common.h>
#include <rte_spinlock.h>

#include "emu_compat.h"
#include "vfio_user_server_internal.h"

/* Messages handled per readable event before going back to epoll. */
#define VFIO_USER_MSG_BUDGET 16u
/* A connection that sends no VERSION this long gives way to a new one. */
#define VFIO_USER_NEGOTIATE_TIMEOUT_MS 3000u
#define VFIO_USER_EPOLL_EVENTS 32

/* Kinds of epoll registrations: data.u64 = id << 2 | kind. */
#define VFIO_USER_EP_EVENT 0u
#define VFIO_USER_EP_LISTEN 1u
#define VFIO_USER_EP_CONN 2u
#define VFIO_USER_EP_KIND_MASK 3u
#define VFIO_USER_EP_ID_SHIFT 2

/* One control thread and its epoll set. */
struct vfio_user_ctl {
	int epfd;
	int evfd;
	emu_ctrl_thread_t thread;
	bool stop; /* atomic */
};

TAILQ_HEAD(vfio_user_server_list, rte_vfio_user_server);

pthread_mutex_t vfio_user_lock = PTHREAD_MUTEX_INITIALIZER;
__thread bool vfio_user_serving;
static struct vfio_user_server_list vfio_user_servers = TAILQ_HEAD_INITIALIZER(vfio_user_servers);
static struct vfio_user_ctl *vfio_user_ctl_cur;
static unsigned int vfio_user_nr_started;

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
	if (epoll_ctl(vfio_user_ctl_cur->epfd, EPOLL_CTL_MOD, srv->listen_fd, &ev) < 0)
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
		if (epoll_ctl(vfio_user_ctl_cur->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
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
	vfio_user_ctl_cur = ctl;
	return 0;

err_errno:
	ret = -errno;
	VFIO_USER_LOG(ERR, "control thread setup: %s", strerror(errno));
	vfio_user_ctl_free(ctl);
	return ret;
}

/* Tell a control thread to stop (it is no longer vfio_user_ctl_cur). */
static void
vfio_user_ctl_stop(struct vfio_user_ctl *ctl)
{
	__atomic_store_n(&ctl->stop, true, __ATOMIC_RELEASE);
	(void)eventfd_write(ctl->evfd, 1);
}

void
vfio_user_ctl_join(struct vfio_user_ctl *ctl)
{
	emu_ctrl_thread_join(ctl->thread);
	vfio_user_ctl_free(ctl);
}

int
vfio_user_ctl_add(struct rte_vfio_user_server *srv)
{
	struct epoll_event ev;
	bool new_ctl = false;
	int ret;

	if (vfio_user_ctl_cur == NULL) {
		ret = vfio_user_ctl_start();
		if (ret < 0)
			return ret;
		new_ctl = true;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = srv->id << VFIO_USER_EP_ID_SHIFT | VFIO_USER_EP_LISTEN;
	if (epoll_ctl(vfio_user_ctl_cur->epfd, EPOLL_CTL_ADD, srv->listen_fd, &ev) < 0) {
		ret = -errno;
		VFIO_USER_LOG(ERR, "%s: epoll_ctl(ADD): %s", srv->path, strerror(errno));
		if (new_ctl) {
			struct vfio_user_ctl *ctl = vfio_user_ctl_cur;

			vfio_user_ctl_cur = NULL;
			vfio_user_ctl_stop(ctl);
			pthread_mutex_unlock(&vfio_user_lock);
			vfio_user_ctl_join(ctl);
			pthread_mutex_lock(&vfio_user_lock);
		}
		return ret;
	}
	TAILQ_INSERT_TAIL(&vfio_user_servers, srv, next);
	vfio_user_nr_started++;
	return 0;
}

void
vfio_user_ctl_del(struct rte_vfio_user_server *srv)
{
	TAILQ_REMOVE(&vfio_user_servers, srv, next);
	if (epoll_ctl(vfio_user_ctl_cur->epfd, EPOLL_CTL_DEL, srv->listen_fd, NULL) < 0)
		VFIO_USER_LOG(ERR, "%s: epoll_ctl(DEL): %s", srv->path, strerror(errno));
}

struct vfio_user_ctl *
vfio_user_ctl_put(void)
{
	struct vfio_user_ctl *stop;

	if (--vfio_user_nr_started != 0)
		return NULL;
	stop = vfio_user_ctl_cur;
	vfio_user_ctl_cur = NULL;
	vfio_user_ctl_stop(stop);
	return stop;
}

int
vfio_user_ctl_watch(struct rte_vfio_user_server *srv, bool out)
{
	struct epoll_event ev;

	if (!srv->conn.registered || vfio_user_ctl_cur == NULL)
		return 0;
	memset(&ev, 0, sizeof(ev));
	/* Not EPOLLRDHUP while waiting for room: a half-closed client would spin us. */
	ev.events = out ? EPOLLOUT : EPOLLIN | EPOLLRDHUP;
	ev.data.u64 = srv->id << VFIO_USER_EP_ID_SHIFT | VFIO_USER_EP_CONN;
	if (epoll_ctl(vfio_user_ctl_cur->epfd, EPOLL_CTL_MOD, srv->conn.sock, &ev) < 0) {
		int err = errno;

		VFIO_USER_LOG(ERR, "%s: epoll_ctl(MOD): %s", srv->path, strerror(err));
		return -err;
	}
	return 0;
}

void
vfio_user_ctl_unwatch(struct rte_vfio_user_server *srv)
{
	struct vfio_user_conn *c = &srv->conn;

	if (c->registered && vfio_user_ctl_cur != NULL &&
	    epoll_ctl(vfio_user_ctl_cur->epfd, EPOLL_CTL_DEL, c->sock, NULL) < 0)
		VFIO_USER_LOG(ERR, "%s: epoll_ctl(DEL): %s", srv->path, strerror(errno));
}
