/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user server: the IRQ table. One spinlock per index protects its
 * eventfds, masks and pending bits: rte_vfio_user_irq_trigger() may run on
 * any lcore while the control thread applies the client's SET_IRQS.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_spinlock.h>

#include "vfio_user_server_internal.h"

int
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

void
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
void
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

int
vfio_user_irq_set(struct rte_vfio_user_server *srv, const struct vfio_user_set_irqs *s, int *fds,
		  unsigned int nfds)
{
	struct vfio_user_irq *irq = &srv->irqs[s->index];
	uint32_t data, action, i, v;

	/*
	 * The decoder checked the combinations: count 0 only with DATA_NONE
	 * and TRIGGER, no descriptors but for EVENTFD (TRIGGER, none or
	 * count of them), bools for DATA_BOOL.
	 */
	data = s->flags & VFIO_USER_IRQ_SET_DATA_MASK;
	action = s->flags & VFIO_USER_IRQ_SET_ACTION_MASK_ALL;

	if (s->count == 0) {
		if (s->start != 0)
			return -EINVAL;
		vfio_user_irq_disable(irq);
		goto done;
	}
	if ((uint64_t)s->start + s->count > irq->count)
		return -EINVAL;

	if (data == VFIO_USER_IRQ_SET_DATA_EVENTFD) {
		/*
		 * Only eventfds: a pipe or socket would raise SIGPIPE once its
		 * reader is gone, a FIFO or file could block or fill a disk.
		 */
		for (i = 0; i < nfds; i++) {
			if (!vfio_user_is_eventfd(fds[i])) {
				VFIO_USER_LOG_REFUSED(
					srv, VFIO_USER_REFUSED_IRQ_FD,
					"SET_IRQS refused: fd %u of %u for IRQ index %u is not"
					" an eventfd",
					i + 1, nfds, s->index);
				return -EINVAL;
			}
		}
		/* Our writes must never block. */
		for (i = 0; i < nfds; i++) {
			int fl = fcntl(fds[i], F_GETFL);

			if (fl < 0 || fcntl(fds[i], F_SETFL, fl | O_NONBLOCK) < 0)
				return -EINVAL;
		}
		rte_spinlock_lock(&irq->lock);
		for (i = 0; i < s->count; i++) {
			v = s->start + i;
			if (irq->fds[v] >= 0)
				close(irq->fds[v]);
			if (nfds > 0) {
				irq->fds[v] = fds[i];
				fds[i] = -1; /* kept */
			} else {
				irq->fds[v] = -1;
				irq->pending[v] = 0;
			}
		}
		rte_spinlock_unlock(&irq->lock);
		goto done;
	}

	rte_spinlock_lock(&irq->lock);
	for (i = 0; i < s->count; i++) {
		v = s->start + i;
		if (data == VFIO_USER_IRQ_SET_DATA_BOOL && s->bools[i] == 0)
			continue;
		switch (action) {
		case VFIO_USER_IRQ_SET_ACTION_TRIGGER:
			vfio_user_irq_fire_locked(irq, s->index, v);
			break;
		case VFIO_USER_IRQ_SET_ACTION_MASK:
			irq->masked[v] = 1;
			break;
		case VFIO_USER_IRQ_SET_ACTION_UNMASK:
			irq->masked[v] = 0;
			if (irq->pending[v] && irq->fds[v] >= 0) {
				irq->pending[v] = 0;
				vfio_user_irq_fire_locked(irq, s->index, v);
			}
			break;
		default:
			break;
		}
	}
	rte_spinlock_unlock(&irq->lock);
done:
	if (srv->ops.irq_change != NULL)
		srv->ops.irq_change(srv->arg, s->index);
	return 0;
}
