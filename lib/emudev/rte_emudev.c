/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * Emulated-device class.
 *
 * Locking:
 *  - emudev_lock protects the device table, the devices' reference counts
 *    and their "removing" flags. Consumer calls hold a reference on the
 *    device (emudev_get()/emudev_put()) while they run, so that
 *    rte_emudev_unregister() can wait for them before freeing it. The
 *    data-path call rte_emudev_irq_trigger() takes no reference: the
 *    REMOVED event contract keeps the data path away from a device being
 *    freed.
 *  - life_lock (recursive) serializes the lifecycle operations of a device.
 *  - mem_lock protects the memory table pointer and the "changing" flag;
 *    the table itself is immutable once published.
 *  - raise_lock (recursive) serializes event deliveries of a device (and
 *    memory table changes, which raise events).
 *  - cb_lock protects the callback list. It is released while a callback
 *    runs; the entry is then marked active so that it is neither freed nor
 *    lost, and rte_emudev_event_unregister() from another thread waits on
 *    cb_cond until the delivery ends.
 *  - stats_lock (recursive) serializes the statistics callback with its
 *    replacement.
 * No library lock but the recursive raise_lock and stats_lock is held while
 * a consumer callback runs, and only life_lock while a provider lifecycle
 * operation runs.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_memory.h>
#include <rte_string_fns.h>

#include "rte_emudev.h"
#include "rte_emudev_driver.h"
#include "emudev_priv.h"

/* lib.emudev (RTE_LOG_DEFAULT_LOGTYPE, from meson.build) */
RTE_LOG_REGISTER_DEFAULT(emudev_logtype, NOTICE);

/* One line for function func, at level lvl (RTE_LOG_xxx). */
#define EMUDEV_LOG_FROM(lvl, func, fmt, ...) \
	rte_log(lvl, emudev_logtype, "EMUDEV: %s(): " fmt "\n", func, ##__VA_ARGS__)
#define EMUDEV_LOG(level, fmt, ...) EMUDEV_LOG_FROM(RTE_LOG_##level, __func__, fmt, ##__VA_ARGS__)

enum emudev_life {
	EMUDEV_CLOSED = 0,
	EMUDEV_CONFIGURED,
	EMUDEV_STARTED,
};

struct emudev_cb {
	TAILQ_ENTRY(emudev_cb) next;
	enum rte_emudev_event_type type; /* or RTE_EMUDEV_EVENT_ALL */
	rte_emudev_event_cb_t fn;
	void *arg;
	uint64_t seq; /* registration order */
	unsigned int active; /* deliveries in progress (nested ones included) */
	pthread_t runner; /* thread delivering, while active */
	bool removed; /* unregistered; freed when no longer active */
	bool waiter; /* an unregister on another thread frees it */
};

TAILQ_HEAD(emudev_cb_list, emudev_cb);

struct rte_emudev {
	uint16_t dev_id;
	/* Under emudev_lock (removing also read atomically). */
	bool removing;
	unsigned int refcnt;

	char name[RTE_EMUDEV_NAME_MAX_LEN];
	char driver[RTE_EMUDEV_NAME_MAX_LEN];
	enum rte_emudev_type type;
	int socket_id;
	const struct rte_emudev_ops *ops;
	void *priv;
	struct rte_emudev_attr_desc *attrs;
	uint16_t nb_attrs;

	pthread_mutex_t life_lock;
	enum emudev_life life;

	pthread_mutex_t mem_lock;
	struct rte_emudev_mem_table *mem; /* never NULL */
	bool mem_changing;

	pthread_mutex_t raise_lock;
	pthread_mutex_t cb_lock;
	pthread_cond_t cb_cond;
	struct emudev_cb_list cbs;
	uint64_t cb_seq;

	pthread_mutex_t stats_lock;
	rte_emudev_stats_cb_t stats_cb;
	void *stats_arg;
};

static pthread_mutex_t emudev_lock = PTHREAD_MUTEX_INITIALIZER;
/* Signalled when the reference count of a removing device drops to 0. */
static pthread_cond_t emudev_cond = PTHREAD_COND_INITIALIZER;
static struct rte_emudev *emudev_devs[RTE_EMUDEV_MAX_DEVS];

/* Is slot i (< RTE_EMUDEV_MAX_DEVS) a registered device not being removed? Under emudev_lock. */
static inline bool
emudev_slot_live(uint16_t i)
{
	return emudev_devs[i] != NULL && !emudev_devs[i]->removing;
}

/*
 * Provider operations and consumer callbacks running on this thread: while
 * one does, rte_emudev_unregister() would wait for itself.
 */
static __thread unsigned int emudev_tls_busy;

static const char *const emudev_event_names[RTE_EMUDEV_EVENT_MAX] = {
	[RTE_EMUDEV_EVENT_QUEUE_ENABLED] = "QUEUE_ENABLED",
	[RTE_EMUDEV_EVENT_QUEUE_DISABLED] = "QUEUE_DISABLED",
	[RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING] = "MEM_TABLE_CHANGING",
	[RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED] = "MEM_TABLE_CHANGED",
	[RTE_EMUDEV_EVENT_RESET] = "RESET",
	[RTE_EMUDEV_EVENT_DEVICE_READY] = "DEVICE_READY",
	[RTE_EMUDEV_EVENT_CLIENT_GONE] = "CLIENT_GONE",
	[RTE_EMUDEV_EVENT_REMOVED] = "REMOVED",
	[RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED] = "NET_RX_CONF_CHANGED",
	[RTE_EMUDEV_EVENT_QUIESCE] = "QUIESCE",
	[RTE_EMUDEV_EVENT_RESUME] = "RESUME",
	[RTE_EMUDEV_EVENT_DIRTY_LOG] = "DIRTY_LOG",
};

const char *
rte_emudev_event_name(enum rte_emudev_event_type type)
{
	if ((unsigned int)type >= RTE_EMUDEV_EVENT_MAX)
		return "unknown";
	return emudev_event_names[type];
}

/* ------------------------------------------------------------ references */

/* Reference a live device, or NULL. */
static struct rte_emudev *
emudev_get(uint16_t dev_id)
{
	struct rte_emudev *dev = NULL;

	if (dev_id >= RTE_EMUDEV_MAX_DEVS)
		return NULL;
	pthread_mutex_lock(&emudev_lock);
	if (emudev_slot_live(dev_id)) {
		dev = emudev_devs[dev_id];
		dev->refcnt++;
		emudev_tls_busy++;
	}
	pthread_mutex_unlock(&emudev_lock);
	return dev;
}

static void
emudev_put(struct rte_emudev *dev)
{
	pthread_mutex_lock(&emudev_lock);
	dev->refcnt--;
	if (dev->refcnt == 0 && dev->removing)
		pthread_cond_broadcast(&emudev_cond);
	pthread_mutex_unlock(&emudev_lock);
	emudev_tls_busy--;
}

static struct rte_emudev *
emudev_get_logged(uint16_t dev_id, const char *func)
{
	struct rte_emudev *dev = emudev_get(dev_id);

	if (dev == NULL)
		EMUDEV_LOG_FROM(RTE_LOG_ERR, func, "invalid device id %u", dev_id);
	return dev;
}

#define EMUDEV_GET_OR_RET(dev, dev_id) \
	do { \
		(dev) = emudev_get_logged((dev_id), __func__); \
		if ((dev) == NULL) \
			return -ENODEV; \
	} while (0)

uint16_t
rte_emudev_count(void)
{
	uint16_t i, n = 0;

	pthread_mutex_lock(&emudev_lock);
	for (i = 0; i < RTE_EMUDEV_MAX_DEVS; i++)
		if (emudev_slot_live(i))
			n++;
	pthread_mutex_unlock(&emudev_lock);
	return n;
}

bool
rte_emudev_is_valid(uint16_t dev_id)
{
	bool ok;

	if (dev_id >= RTE_EMUDEV_MAX_DEVS)
		return false;
	pthread_mutex_lock(&emudev_lock);
	ok = emudev_slot_live(dev_id);
	pthread_mutex_unlock(&emudev_lock);
	return ok;
}

uint16_t
rte_emudev_find_next(uint16_t start)
{
	uint16_t i;

	pthread_mutex_lock(&emudev_lock);
	for (i = start; i < RTE_EMUDEV_MAX_DEVS; i++)
		if (emudev_slot_live(i))
			break;
	pthread_mutex_unlock(&emudev_lock);
	return i < RTE_EMUDEV_MAX_DEVS ? i : RTE_EMUDEV_MAX_DEVS;
}

int
rte_emudev_get_id_by_name(const char *name, uint16_t *dev_id)
{
	size_t len;
	uint16_t i;
	int ret = -ENODEV;

	if (name == NULL || dev_id == NULL) {
		EMUDEV_LOG(ERR, "NULL %s", name == NULL ? "name" : "dev_id");
		return -EINVAL;
	}
	len = strnlen(name, RTE_EMUDEV_NAME_MAX_LEN);
	if (len == 0 || len == RTE_EMUDEV_NAME_MAX_LEN) {
		EMUDEV_LOG(ERR, "device name empty or longer than %u characters",
			   RTE_EMUDEV_NAME_MAX_LEN - 1);
		return -EINVAL;
	}
	pthread_mutex_lock(&emudev_lock);
	for (i = 0; i < RTE_EMUDEV_MAX_DEVS; i++) {
		if (emudev_slot_live(i) && strcmp(emudev_devs[i]->name, name) == 0) {
			*dev_id = i;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&emudev_lock);
	if (ret != 0)
		EMUDEV_LOG(DEBUG, "no device named %s", name);
	return ret;
}

/* ---------------------------------------------------------- registration */

static int
emudev_init_recursive(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int ret;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	ret = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return -ret;
}

static int
emudev_check_attrs(const struct rte_emudev_params *p)
{
	uint16_t i, j;
	size_t len;

	if (p->nb_attrs == 0)
		return 0;
	if (p->attrs == NULL || p->nb_attrs > RTE_EMUDEV_MAX_ATTRS) {
		EMUDEV_LOG(ERR, "%s: %u attributes (at most %u) at %p", p->name, p->nb_attrs,
			   RTE_EMUDEV_MAX_ATTRS, p->attrs);
		return -EINVAL;
	}
	for (i = 0; i < p->nb_attrs; i++) {
		const struct rte_emudev_attr_desc *a = &p->attrs[i];

		len = strnlen(a->name, sizeof(a->name));
		if (len == 0 || len == sizeof(a->name)) {
			EMUDEV_LOG(ERR, "%s: attribute %u: name empty or not terminated", p->name,
				   i);
			return -EINVAL;
		}
		if (a->size == 0 || a->flags == 0 ||
		    (a->flags & ~(RTE_EMUDEV_ATTR_F_READ | RTE_EMUDEV_ATTR_F_WRITE)) != 0) {
			EMUDEV_LOG(ERR, "%s: attribute %s: bad size %u or flags 0x%x", p->name,
				   a->name, a->size, a->flags);
			return -EINVAL;
		}
		if (((a->flags & RTE_EMUDEV_ATTR_F_READ) && p->ops->attr_get == NULL) ||
		    ((a->flags & RTE_EMUDEV_ATTR_F_WRITE) && p->ops->attr_set == NULL)) {
			EMUDEV_LOG(ERR, "%s: attribute %s: no attr_get/attr_set operation", p->name,
				   a->name);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(p->attrs[j].name, a->name) == 0) {
				EMUDEV_LOG(ERR, "%s: attribute %s defined twice", p->name, a->name);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int
emudev_check_params(const struct rte_emudev_params *p)
{
	size_t len;

	if (p == NULL) {
		EMUDEV_LOG(ERR, "NULL params");
		return -EINVAL;
	}
	if (p->name == NULL) {
		EMUDEV_LOG(ERR, "NULL name");
		return -EINVAL;
	}
	len = strnlen(p->name, RTE_EMUDEV_NAME_MAX_LEN);
	if (len == 0 || len == RTE_EMUDEV_NAME_MAX_LEN) {
		EMUDEV_LOG(ERR, "device name empty or longer than %u characters",
			   RTE_EMUDEV_NAME_MAX_LEN - 1);
		return -EINVAL;
	}
	if (p->driver != NULL &&
	    strnlen(p->driver, RTE_EMUDEV_NAME_MAX_LEN) == RTE_EMUDEV_NAME_MAX_LEN) {
		EMUDEV_LOG(ERR, "%s: driver name longer than %u characters", p->name,
			   RTE_EMUDEV_NAME_MAX_LEN - 1);
		return -EINVAL;
	}
	if (p->type <= RTE_EMUDEV_TYPE_UNKNOWN || p->type >= RTE_EMUDEV_TYPE_MAX) {
		EMUDEV_LOG(ERR, "%s: bad device type %d", p->name, (int)p->type);
		return -EINVAL;
	}
	if (p->socket_id != SOCKET_ID_ANY &&
	    (p->socket_id < 0 || p->socket_id >= RTE_MAX_NUMA_NODES)) {
		EMUDEV_LOG(ERR, "%s: bad socket id %d", p->name, p->socket_id);
		return -EINVAL;
	}
	if (p->ops == NULL || p->ops->info_get == NULL) {
		EMUDEV_LOG(ERR, "%s: no ops or no info_get operation", p->name);
		return -EINVAL;
	}
	return emudev_check_attrs(p);
}

static void
emudev_free(struct rte_emudev *dev)
{
	struct emudev_cb *cb;

	while ((cb = TAILQ_FIRST(&dev->cbs)) != NULL) {
		TAILQ_REMOVE(&dev->cbs, cb, next);
		free(cb);
	}
	pthread_mutex_destroy(&dev->life_lock);
	pthread_mutex_destroy(&dev->mem_lock);
	pthread_mutex_destroy(&dev->raise_lock);
	pthread_mutex_destroy(&dev->cb_lock);
	pthread_cond_destroy(&dev->cb_cond);
	pthread_mutex_destroy(&dev->stats_lock);
	free(dev->mem);
	free(dev->attrs);
	free(dev);
}

struct rte_emudev *
rte_emudev_register(const struct rte_emudev_params *params)
{
	struct rte_emudev *dev;
	uint16_t i, id = RTE_EMUDEV_MAX_DEVS;
	int ret;

	ret = emudev_check_params(params);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}

	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		goto nomem;
	TAILQ_INIT(&dev->cbs);
	if (emudev_init_recursive(&dev->life_lock) != 0 ||
	    pthread_mutex_init(&dev->mem_lock, NULL) != 0 ||
	    emudev_init_recursive(&dev->raise_lock) != 0 ||
	    pthread_mutex_init(&dev->cb_lock, NULL) != 0 ||
	    pthread_cond_init(&dev->cb_cond, NULL) != 0 ||
	    emudev_init_recursive(&dev->stats_lock) != 0) {
		/* Only on resource exhaustion (Linux mutexes cannot fail). */
		free(dev);
		goto nomem;
	}
	dev->mem = calloc(1, RTE_EMUDEV_MEM_TABLE_SIZE(0));
	if (params->nb_attrs > 0)
		dev->attrs = calloc(params->nb_attrs, sizeof(dev->attrs[0]));
	if (dev->mem == NULL || (params->nb_attrs > 0 && dev->attrs == NULL)) {
		emudev_free(dev);
		goto nomem;
	}
	if (params->nb_attrs > 0)
		memcpy(dev->attrs, params->attrs, params->nb_attrs * sizeof(dev->attrs[0]));
	dev->nb_attrs = params->nb_attrs;
	strlcpy(dev->name, params->name, sizeof(dev->name));
	if (params->driver != NULL)
		strlcpy(dev->driver, params->driver, sizeof(dev->driver));
	dev->type = params->type;
	dev->socket_id = params->socket_id;
	dev->ops = params->ops;
	dev->priv = params->priv;
	dev->life = EMUDEV_CLOSED;

	pthread_mutex_lock(&emudev_lock);
	for (i = 0; i < RTE_EMUDEV_MAX_DEVS; i++) {
		if (emudev_devs[i] == NULL) {
			if (id == RTE_EMUDEV_MAX_DEVS)
				id = i;
		} else if (strcmp(emudev_devs[i]->name, dev->name) == 0) {
			pthread_mutex_unlock(&emudev_lock);
			EMUDEV_LOG(ERR, "device name %s already registered (id %u)", dev->name, i);
			emudev_free(dev);
			rte_errno = EEXIST;
			return NULL;
		}
	}
	if (id == RTE_EMUDEV_MAX_DEVS) {
		pthread_mutex_unlock(&emudev_lock);
		EMUDEV_LOG(ERR, "%s: %u devices registered already", dev->name,
			   RTE_EMUDEV_MAX_DEVS);
		emudev_free(dev);
		rte_errno = ENOSPC;
		return NULL;
	}
	dev->dev_id = id;
	__atomic_store_n(&emudev_devs[id], dev, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&emudev_lock);
	EMUDEV_LOG(INFO, "registered %s (driver %s) as device %u", dev->name,
		   dev->driver[0] != '\0' ? dev->driver : "?", id);
	return dev;

nomem:
	EMUDEV_LOG(ERR, "%s: out of memory", params->name);
	rte_errno = ENOMEM;
	return NULL;
}

uint16_t
rte_emudev_dev_id(const struct rte_emudev *dev)
{
	return dev == NULL ? RTE_EMUDEV_MAX_DEVS : dev->dev_id;
}

/* Whether dev is a registered device that is not being removed. */
static bool
emudev_is_live(const struct rte_emudev *dev)
{
	bool ok;

	pthread_mutex_lock(&emudev_lock);
	ok = dev->dev_id < RTE_EMUDEV_MAX_DEVS && emudev_devs[dev->dev_id] == dev && !dev->removing;
	pthread_mutex_unlock(&emudev_lock);
	return ok;
}

/* ---------------------------------------------------------------- events */

/* Deliver ev to the matching callbacks, in registration order. */
static void
emudev_deliver(struct rte_emudev *dev, const struct rte_emudev_event *ev)
{
	pthread_t self = pthread_self();
	struct emudev_cb *cb, *next;
	uint64_t seq;

	EMUDEV_LOG(DEBUG, "%s: event %s", dev->name, rte_emudev_event_name(ev->type));
	pthread_mutex_lock(&dev->raise_lock);
	pthread_mutex_lock(&dev->cb_lock);
	seq = dev->cb_seq;
	for (cb = TAILQ_FIRST(&dev->cbs); cb != NULL; cb = next) {
		if (cb->removed || cb->seq >= seq ||
		    (cb->type != RTE_EMUDEV_EVENT_ALL && cb->type != ev->type)) {
			next = TAILQ_NEXT(cb, next);
			continue;
		}
		cb->active++;
		cb->runner = self;
		pthread_mutex_unlock(&dev->cb_lock);

		emudev_tls_busy++;
		cb->fn(dev->dev_id, ev, cb->arg);
		emudev_tls_busy--;

		pthread_mutex_lock(&dev->cb_lock);
		cb->active--;
		next = TAILQ_NEXT(cb, next);
		if (cb->active == 0) {
			if (cb->waiter) {
				pthread_cond_broadcast(&dev->cb_cond);
			} else if (cb->removed) {
				TAILQ_REMOVE(&dev->cbs, cb, next);
				free(cb);
			}
		}
	}
	pthread_mutex_unlock(&dev->cb_lock);
	pthread_mutex_unlock(&dev->raise_lock);
}

/*
 * Mark the memory table as changing and tell the consumers, unless it was
 * changing already. @return whether it was.
 */
static bool
emudev_mem_changing(struct rte_emudev *dev)
{
	struct rte_emudev_event ev = {.type = RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING};
	bool already;

	pthread_mutex_lock(&dev->raise_lock);
	pthread_mutex_lock(&dev->mem_lock);
	already = dev->mem_changing;
	dev->mem_changing = true;
	pthread_mutex_unlock(&dev->mem_lock);
	if (!already)
		emudev_deliver(dev, &ev);
	pthread_mutex_unlock(&dev->raise_lock);
	return already;
}

int
rte_emudev_event_raise(struct rte_emudev *dev, const struct rte_emudev_event *ev)
{
	struct rte_emudev_event e;

	if (dev == NULL || ev == NULL) {
		EMUDEV_LOG(ERR, "NULL %s", dev == NULL ? "device" : "event");
		return -EINVAL;
	}
	if ((unsigned int)ev->type >= RTE_EMUDEV_EVENT_MAX) {
		EMUDEV_LOG(ERR, "%s: bad event type %d", dev->name, (int)ev->type);
		return -EINVAL;
	}
	if (ev->type == RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED ||
	    ev->type == RTE_EMUDEV_EVENT_REMOVED) {
		EMUDEV_LOG(ERR, "%s: %s is raised by the library (rte_emudev_%s())", dev->name,
			   rte_emudev_event_name(ev->type),
			   ev->type == RTE_EMUDEV_EVENT_REMOVED ? "unregister" : "mem_table_set");
		return -EINVAL;
	}
	memset(&e, 0, sizeof(e));
	e.type = ev->type;
	if (ev->type == RTE_EMUDEV_EVENT_QUEUE_ENABLED ||
	    ev->type == RTE_EMUDEV_EVENT_QUEUE_DISABLED) {
		if ((unsigned int)ev->queue.dir >= RTE_EMUDEV_QUEUE_DIR_MAX) {
			EMUDEV_LOG(ERR, "%s: %s: bad queue direction %d", dev->name,
				   rte_emudev_event_name(ev->type), (int)ev->queue.dir);
			return -EINVAL;
		}
		e.queue.dir = ev->queue.dir;
		e.queue.qid = ev->queue.qid;
	}
	if (ev->type == RTE_EMUDEV_EVENT_DIRTY_LOG)
		e.dirty_log.on = ev->dirty_log.on;
	if (!emudev_is_live(dev)) {
		EMUDEV_LOG(ERR, "%s: device not registered or being unregistered", dev->name);
		return -ENODEV;
	}
	if (e.type == RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING) {
		if (emudev_mem_changing(dev))
			EMUDEV_LOG(DEBUG, "%s: memory table already changing", dev->name);
	} else
		emudev_deliver(dev, &e);
	return 0;
}

int
rte_emudev_event_register(uint16_t dev_id, enum rte_emudev_event_type type,
			  rte_emudev_event_cb_t cb, void *arg)
{
	struct rte_emudev *dev;
	struct emudev_cb *e;
	int ret = 0;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if ((unsigned int)type > RTE_EMUDEV_EVENT_ALL || cb == NULL) {
		EMUDEV_LOG(ERR, "%s: bad event type %d or NULL callback", dev->name, (int)type);
		ret = -EINVAL;
		goto out;
	}
	pthread_mutex_lock(&dev->cb_lock);
	TAILQ_FOREACH(e, &dev->cbs, next) {
		if (!e->removed && e->type == type && e->fn == cb && e->arg == arg) {
			ret = -EEXIST;
			break;
		}
	}
	if (ret == 0) {
		e = calloc(1, sizeof(*e));
		if (e == NULL) {
			ret = -ENOMEM;
		} else {
			e->type = type;
			e->fn = cb;
			e->arg = arg;
			e->seq = dev->cb_seq++;
			TAILQ_INSERT_TAIL(&dev->cbs, e, next);
		}
	}
	pthread_mutex_unlock(&dev->cb_lock);
	if (ret == -EEXIST)
		EMUDEV_LOG(ERR, "%s: callback already registered for this event type", dev->name);
	else if (ret == -ENOMEM)
		EMUDEV_LOG(ERR, "%s: out of memory", dev->name);
out:
	emudev_put(dev);
	return ret;
}

int
rte_emudev_event_unregister(uint16_t dev_id, enum rte_emudev_event_type type,
			    rte_emudev_event_cb_t cb, void *arg)
{
	struct rte_emudev *dev;
	struct emudev_cb *e;
	int ret = 0;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if ((unsigned int)type > RTE_EMUDEV_EVENT_ALL || cb == NULL) {
		EMUDEV_LOG(ERR, "%s: bad event type %d or NULL callback", dev->name, (int)type);
		ret = -EINVAL;
		goto out;
	}
	pthread_mutex_lock(&dev->cb_lock);
	TAILQ_FOREACH(e, &dev->cbs, next) {
		if (!e->removed && e->type == type && e->fn == cb && e->arg == arg)
			break;
	}
	if (e == NULL) {
		ret = -ENOENT;
	} else {
		e->removed = true;
		if (e->active == 0) {
			TAILQ_REMOVE(&dev->cbs, e, next);
			free(e);
		} else if (!pthread_equal(e->runner, pthread_self())) {
			/* Being delivered on another thread: wait for its end. */
			e->waiter = true;
			while (e->active > 0)
				pthread_cond_wait(&dev->cb_cond, &dev->cb_lock);
			TAILQ_REMOVE(&dev->cbs, e, next);
			free(e);
		}
		/* else: from the callback itself; freed when it returns. */
	}
	pthread_mutex_unlock(&dev->cb_lock);
	if (ret == -ENOENT)
		EMUDEV_LOG(ERR, "%s: callback not registered for this event type", dev->name);
out:
	emudev_put(dev);
	return ret;
}

int
rte_emudev_unregister(struct rte_emudev *dev)
{
	struct rte_emudev_event ev = {.type = RTE_EMUDEV_EVENT_REMOVED};
	uint16_t id;

	if (dev == NULL) {
		EMUDEV_LOG(ERR, "NULL device");
		return -EINVAL;
	}
	if (emudev_tls_busy > 0) {
		EMUDEV_LOG(ERR, "%s: called from an emudev operation or callback", dev->name);
		return -EDEADLK;
	}
	pthread_mutex_lock(&emudev_lock);
	id = dev->dev_id;
	if (id >= RTE_EMUDEV_MAX_DEVS || emudev_devs[id] != dev || dev->removing) {
		pthread_mutex_unlock(&emudev_lock);
		EMUDEV_LOG(ERR, "device %p not registered", (void *)dev);
		return -EINVAL;
	}
	__atomic_store_n(&dev->removing, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&emudev_lock);

	emudev_deliver(dev, &ev);

	pthread_mutex_lock(&emudev_lock);
	while (dev->refcnt > 0)
		pthread_cond_wait(&emudev_cond, &emudev_lock);
	__atomic_store_n(&emudev_devs[id], NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&emudev_lock);

	EMUDEV_LOG(INFO, "unregistered %s (device %u)", dev->name, id);
	emudev_free(dev);
	return 0;
}

/* ---------------------------------------------------------- memory table */

static int
emudev_region_cmp(const void *a, const void *b)
{
	const struct rte_emudev_mem_region *ra = a, *rb = b;

	if (ra->guest_phys_addr != rb->guest_phys_addr)
		return ra->guest_phys_addr < rb->guest_phys_addr ? -1 : 1;
	return 0;
}

/* Whether [host, host + size) wraps around the end of the address space. */
static bool
emudev_host_wraps(const void *host, uint64_t size)
{
	uint64_t start = (uint64_t)(uintptr_t)host;
	uint64_t last = start + (size - 1);

	if (last < start)
		return true;
#if UINTPTR_MAX < UINT64_MAX
	if (last > UINTPTR_MAX)
		return true;
#endif
	return false;
}

/* Build a validated, sorted table, or NULL with *err set. */
static struct rte_emudev_mem_table *
emudev_mem_table_build(const struct rte_emudev *dev, const struct rte_emudev_mem_region *regions,
		       uint32_t nb, int *err)
{
	struct rte_emudev_mem_table *t;
	uint32_t i;

	t = calloc(1, RTE_EMUDEV_MEM_TABLE_SIZE(nb));
	if (t == NULL) {
		EMUDEV_LOG(ERR, "%s: out of memory for %u regions", dev->name, nb);
		*err = -ENOMEM;
		return NULL;
	}
	t->nb_regions = nb;
	for (i = 0; i < nb; i++) {
		const struct rte_emudev_mem_region *r = &regions[i];

		if (r->size == 0 || r->host_addr == NULL || r->reserved != 0 || r->prot == 0 ||
		    (r->prot & ~(RTE_EMUDEV_MEM_READ | RTE_EMUDEV_MEM_WRITE)) != 0 ||
		    r->guest_phys_addr + (r->size - 1) < r->guest_phys_addr ||
		    emudev_host_wraps(r->host_addr, r->size)) {
			EMUDEV_LOG(ERR,
				   "%s: bad region %u: gpa 0x%" PRIx64 " size 0x%" PRIx64
				   " host %p prot 0x%x",
				   dev->name, i, r->guest_phys_addr, r->size, r->host_addr,
				   r->prot);
			goto inval;
		}
		t->regions[i] = *r;
	}
	if (nb > 1)
		qsort(t->regions, nb, sizeof(t->regions[0]), emudev_region_cmp);
	for (i = 1; i < nb; i++) {
		const struct rte_emudev_mem_region *p = &t->regions[i - 1], *r = &t->regions[i];

		if (p->guest_phys_addr + (p->size - 1) >= r->guest_phys_addr) {
			EMUDEV_LOG(ERR,
				   "%s: region gpa 0x%" PRIx64 " size 0x%" PRIx64
				   " overlaps region gpa 0x%" PRIx64,
				   dev->name, p->guest_phys_addr, p->size, r->guest_phys_addr);
			goto inval;
		}
	}
	return t;
inval:
	free(t);
	*err = -EINVAL;
	return NULL;
}

int
rte_emudev_mem_table_set(struct rte_emudev *dev, const struct rte_emudev_mem_region *regions,
			 uint32_t nb)
{
	struct rte_emudev_event ev = {.type = RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED};
	struct rte_emudev_mem_table *t, *old;
	int ret = 0;

	if (dev == NULL || (regions == NULL && nb > 0)) {
		EMUDEV_LOG(ERR, "NULL %s", dev == NULL ? "device" : "regions");
		return -EINVAL;
	}
	if (nb > RTE_EMUDEV_MAX_MEM_REGIONS) {
		EMUDEV_LOG(ERR, "%s: %u memory regions (at most %u)", dev->name, nb,
			   RTE_EMUDEV_MAX_MEM_REGIONS);
		return -EINVAL;
	}
	if (!emudev_is_live(dev)) {
		EMUDEV_LOG(ERR, "%s: device not registered or being unregistered", dev->name);
		return -ENODEV;
	}
	t = emudev_mem_table_build(dev, regions, nb, &ret);
	if (t == NULL)
		return ret;

	pthread_mutex_lock(&dev->raise_lock);
	emudev_mem_changing(dev);

	pthread_mutex_lock(&dev->mem_lock);
	old = dev->mem;
	t->generation = old->generation + 1;
	dev->mem = t;
	dev->mem_changing = false;
	pthread_mutex_unlock(&dev->mem_lock);
	/* Nobody uses the old table since MEM_TABLE_CHANGING. */
	free(old);

	EMUDEV_LOG(DEBUG, "%s: memory table generation %" PRIu64 ", %u regions", dev->name,
		   t->generation, nb);
	ev.mem.table = t;
	ev.mem.generation = t->generation;
	emudev_deliver(dev, &ev);
	pthread_mutex_unlock(&dev->raise_lock);
	return 0;
}

int
rte_emudev_mem_table_get(uint16_t dev_id, const struct rte_emudev_mem_table **table)
{
	struct rte_emudev *dev;
	int ret = 0;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if (table == NULL) {
		EMUDEV_LOG(ERR, "%s: NULL table", dev->name);
		ret = -EINVAL;
		goto out;
	}
	pthread_mutex_lock(&dev->mem_lock);
	if (dev->mem_changing)
		ret = -EAGAIN;
	else
		*table = dev->mem;
	pthread_mutex_unlock(&dev->mem_lock);
	if (ret != 0)
		EMUDEV_LOG(DEBUG, "%s: memory table changing", dev->name);
out:
	emudev_put(dev);
	return ret;
}

/* ------------------------------------------------------ info and queues */

int
rte_emudev_info_get(uint16_t dev_id, struct rte_emudev_info *info)
{
	struct rte_emudev *dev;
	int ret;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if (info == NULL) {
		EMUDEV_LOG(ERR, "%s: NULL info", dev->name);
		ret = -EINVAL;
		goto out;
	}
	memset(info, 0, sizeof(*info));
	ret = dev->ops->info_get(dev->priv, info);
	if (ret != 0) {
		EMUDEV_LOG(ERR, "%s: provider info_get failed: %d", dev->name, ret);
		goto out;
	}
	strlcpy(info->name, dev->name, sizeof(info->name));
	strlcpy(info->driver, dev->driver, sizeof(info->driver));
	info->dev_id = dev->dev_id;
	info->type = dev->type;
	info->socket_id = dev->socket_id;
out:
	emudev_put(dev);
	return ret;
}

int
rte_emudev_queue_info_get(uint16_t dev_id, enum rte_emudev_queue_dir dir, uint16_t qid,
			  struct rte_emudev_queue_info *info)
{
	struct rte_emudev *dev;
	uint64_t bytes;
	int ret;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if (info == NULL || (unsigned int)dir >= RTE_EMUDEV_QUEUE_DIR_MAX) {
		EMUDEV_LOG(ERR, "%s: NULL info or bad direction %d", dev->name, (int)dir);
		ret = -EINVAL;
		goto out;
	}
	if (dev->ops->queue_info_get == NULL) {
		EMUDEV_LOG(ERR, "%s: device has no queues", dev->name);
		ret = -ENOTSUP;
		goto out;
	}
	memset(info, 0, sizeof(*info));
	info->qid = qid;
	info->dir = dir;
	info->irq_vector = RTE_EMUDEV_IRQ_NONE;
	ret = dev->ops->queue_info_get(dev->priv, dir, qid, info);
	if (ret != 0) {
		EMUDEV_LOG(ERR, "%s: queue %s %u: provider queue_info_get failed: %d", dev->name,
			   dir == RTE_EMUDEV_QUEUE_GUEST_TX ? "guest-tx" : "guest-rx", qid, ret);
		goto out;
	}
	info->qid = qid;
	info->dir = dir;
	/* desc_format and desc_size are the provider's; no format, no ring. */
	if (info->desc_format == RTE_EMUDEV_DESC_NONE)
		info->desc_size = 0;
	info->ring_host = NULL;
	bytes = (uint64_t)info->ring_size * info->desc_size;
	pthread_mutex_lock(&dev->mem_lock);
	info->mem_generation = dev->mem->generation;
	if (!dev->mem_changing && bytes > 0)
		info->ring_host = rte_emudev_translate(dev->mem, NULL, info->ring_gpa, bytes,
						       RTE_EMUDEV_MEM_READ | RTE_EMUDEV_MEM_WRITE);
	pthread_mutex_unlock(&dev->mem_lock);
out:
	emudev_put(dev);
	return ret;
}

int
rte_emudev_irq_trigger(uint16_t dev_id, uint32_t vector)
{
	struct rte_emudev *dev;

	if (unlikely(dev_id >= RTE_EMUDEV_MAX_DEVS))
		return -ENODEV;
	dev = __atomic_load_n(&emudev_devs[dev_id], __ATOMIC_ACQUIRE);
	if (unlikely(dev == NULL || __atomic_load_n(&dev->removing, __ATOMIC_ACQUIRE)))
		return -ENODEV;
	if (unlikely(dev->ops->irq_trigger == NULL))
		return -ENOTSUP;
	return dev->ops->irq_trigger(dev->priv, vector);
}

int
rte_emudev_queue_head_set(uint16_t dev_id, enum rte_emudev_queue_dir dir, uint16_t qid,
			  uint32_t head)
{
	struct rte_emudev *dev;
	int ret;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if ((unsigned int)dir >= RTE_EMUDEV_QUEUE_DIR_MAX) {
		EMUDEV_LOG(ERR, "%s: bad direction %d", dev->name, (int)dir);
		ret = -EINVAL;
		goto out;
	}
	if (dev->ops->queue_head_set == NULL) {
		EMUDEV_LOG(DEBUG, "%s: provider keeps no queue positions", dev->name);
		ret = -ENOTSUP;
		goto out;
	}
	ret = dev->ops->queue_head_set(dev->priv, dir, qid, head);
	if (ret != 0)
		EMUDEV_LOG(ERR, "%s: queue %s %u: provider queue_head_set(%u) failed: %d",
			   dev->name, dir == RTE_EMUDEV_QUEUE_GUEST_TX ? "guest-tx" : "guest-rx",
			   qid, head, ret);
out:
	emudev_put(dev);
	return ret;
}

void
rte_emudev_dirty_mark(uint16_t dev_id, uint64_t gpa, uint64_t len)
{
	struct rte_emudev *dev;

	/* Data path, as rte_emudev_irq_trigger(): no lock, no reference. */
	if (unlikely(dev_id >= RTE_EMUDEV_MAX_DEVS))
		return;
	dev = __atomic_load_n(&emudev_devs[dev_id], __ATOMIC_ACQUIRE);
	if (unlikely(dev == NULL || __atomic_load_n(&dev->removing, __ATOMIC_ACQUIRE)))
		return;
	if (unlikely(dev->ops->dirty_mark == NULL || len == 0))
		return;
	dev->ops->dirty_mark(dev->priv, gpa, len);
}

/* ------------------------------------------------------------ attributes */

/* Index of the attribute, or -ENOENT. */
static int
emudev_attr_find(const struct rte_emudev *dev, const char *name)
{
	uint16_t i;

	for (i = 0; i < dev->nb_attrs; i++)
		if (strncmp(dev->attrs[i].name, name, RTE_EMUDEV_ATTR_NAME_MAX_LEN) == 0)
			return i;
	return -ENOENT;
}

int
rte_emudev_attr_list(uint16_t dev_id, struct rte_emudev_attr_desc *descs, unsigned int max)
{
	struct rte_emudev *dev;
	int ret;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if (descs == NULL && max > 0) {
		EMUDEV_LOG(ERR, "%s: NULL descs", dev->name);
		ret = -EINVAL;
		goto out;
	}
	if (max > 0)
		memcpy(descs, dev->attrs,
		       RTE_MIN(max, (unsigned int)dev->nb_attrs) * sizeof(descs[0]));
	ret = dev->nb_attrs;
out:
	emudev_put(dev);
	return ret;
}

int
rte_emudev_attr_get(uint16_t dev_id, const char *name, void *buf, size_t len)
{
	const struct rte_emudev_attr_desc *a;
	struct rte_emudev *dev;
	int ret;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if (name == NULL || (buf == NULL && len > 0)) {
		EMUDEV_LOG(ERR, "%s: NULL %s", dev->name, name == NULL ? "name" : "buf");
		ret = -EINVAL;
		goto out;
	}
	ret = emudev_attr_find(dev, name);
	if (ret < 0) {
		EMUDEV_LOG(ERR, "%s: no attribute %.*s", dev->name, RTE_EMUDEV_ATTR_NAME_MAX_LEN,
			   name);
		goto out;
	}
	a = &dev->attrs[ret];
	if (!(a->flags & RTE_EMUDEV_ATTR_F_READ)) {
		EMUDEV_LOG(ERR, "%s: attribute %s is not readable", dev->name, a->name);
		ret = -ENOTSUP;
		goto out;
	}
	if (buf == NULL) {
		ret = (int)a->size;
		goto out;
	}
	if (len < a->size) {
		EMUDEV_LOG(ERR, "%s: attribute %s: %zu bytes, %u needed", dev->name, a->name, len,
			   a->size);
		ret = -ENOSPC;
		goto out;
	}
	ret = dev->ops->attr_get(dev->priv, (unsigned int)ret, a->name, buf, a->size);
	if (ret == 0)
		ret = (int)a->size;
	else
		EMUDEV_LOG(ERR, "%s: attribute %s: provider attr_get failed: %d", dev->name,
			   a->name, ret);
out:
	emudev_put(dev);
	return ret;
}

int
rte_emudev_net_rx_conf_get(uint16_t dev_id, struct rte_emudev_net_rx_conf *conf)
{
	struct rte_emudev *dev;
	int ret;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if (conf == NULL) {
		EMUDEV_LOG(ERR, "%s: NULL conf", dev->name);
		ret = -EINVAL;
	} else if (dev->ops->net_rx_conf_get == NULL) {
		ret = -ENOTSUP;
	} else {
		memset(conf, 0, sizeof(*conf));
		ret = dev->ops->net_rx_conf_get(dev->priv, conf);
		if (ret == 0 &&
		    (conf->nb_unicast > RTE_EMUDEV_NET_MAX_ADDRS ||
		     conf->nb_multicast > RTE_EMUDEV_NET_MAX_ADDRS ||
		     conf->rss_key_len > RTE_EMUDEV_NET_RSS_KEY_MAX ||
		     conf->rss_lut_size > RTE_EMUDEV_NET_RSS_LUT_MAX)) {
			EMUDEV_LOG(ERR, "%s: provider's receive configuration out of bounds",
				   dev->name);
			ret = -EIO;
		}
	}
	emudev_put(dev);
	return ret;
}

int
rte_emudev_attr_set(uint16_t dev_id, const char *name, const void *buf, size_t len)
{
	const struct rte_emudev_attr_desc *a;
	struct rte_emudev *dev;
	int ret;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if (name == NULL || buf == NULL) {
		EMUDEV_LOG(ERR, "%s: NULL %s", dev->name, name == NULL ? "name" : "buf");
		ret = -EINVAL;
		goto out;
	}
	ret = emudev_attr_find(dev, name);
	if (ret < 0) {
		EMUDEV_LOG(ERR, "%s: no attribute %.*s", dev->name, RTE_EMUDEV_ATTR_NAME_MAX_LEN,
			   name);
		goto out;
	}
	a = &dev->attrs[ret];
	if (!(a->flags & RTE_EMUDEV_ATTR_F_WRITE)) {
		EMUDEV_LOG(ERR, "%s: attribute %s is not writable", dev->name, a->name);
		ret = -ENOTSUP;
		goto out;
	}
	if (len != a->size) {
		EMUDEV_LOG(ERR, "%s: attribute %s: %zu bytes, exactly %u needed", dev->name,
			   a->name, len, a->size);
		ret = -EINVAL;
		goto out;
	}
	ret = dev->ops->attr_set(dev->priv, (unsigned int)ret, a->name, buf, a->size);
	if (ret != 0)
		EMUDEV_LOG(ERR, "%s: attribute %s: provider attr_set failed: %d", dev->name,
			   a->name, ret);
out:
	emudev_put(dev);
	return ret;
}

/* ------------------------------------------------------------- lifecycle */

int
rte_emudev_configure(uint16_t dev_id, const struct rte_emudev_conf *conf)
{
	struct rte_emudev *dev;
	int ret = 0;

	EMUDEV_GET_OR_RET(dev, dev_id);
	if (conf == NULL || conf->flags != 0) {
		EMUDEV_LOG(ERR, "%s: NULL conf or reserved flags set", dev->name);
		ret = -EINVAL;
		goto out;
	}
	pthread_mutex_lock(&dev->life_lock);
	if (dev->life == EMUDEV_STARTED) {
		EMUDEV_LOG(ERR, "%s: cannot configure a started device", dev->name);
		ret = -EBUSY;
	} else {
		if (dev->ops->configure != NULL)
			ret = dev->ops->configure(dev->priv, conf);
		if (ret == 0)
			dev->life = EMUDEV_CONFIGURED;
		else
			EMUDEV_LOG(ERR, "%s: provider configure failed: %d", dev->name, ret);
	}
	pthread_mutex_unlock(&dev->life_lock);
out:
	emudev_put(dev);
	return ret;
}

int
rte_emudev_start(uint16_t dev_id)
{
	struct rte_emudev *dev;
	int ret = 0;

	EMUDEV_GET_OR_RET(dev, dev_id);
	pthread_mutex_lock(&dev->life_lock);
	if (dev->life == EMUDEV_CLOSED) {
		EMUDEV_LOG(ERR, "%s: cannot start a device that is not configured", dev->name);
		ret = -EINVAL;
	} else if (dev->life == EMUDEV_CONFIGURED) {
		if (dev->ops->start != NULL)
			ret = dev->ops->start(dev->priv);
		if (ret == 0)
			dev->life = EMUDEV_STARTED;
		else
			EMUDEV_LOG(ERR, "%s: provider start failed: %d", dev->name, ret);
	}
	pthread_mutex_unlock(&dev->life_lock);
	emudev_put(dev);
	return ret;
}

int
rte_emudev_stop(uint16_t dev_id)
{
	struct rte_emudev *dev;
	int ret = 0;

	EMUDEV_GET_OR_RET(dev, dev_id);
	pthread_mutex_lock(&dev->life_lock);
	if (dev->life == EMUDEV_STARTED) {
		if (dev->ops->stop != NULL)
			ret = dev->ops->stop(dev->priv);
		if (ret != 0)
			EMUDEV_LOG(ERR, "%s: provider stop failed: %d (stopped anyway)", dev->name,
				   ret);
		dev->life = EMUDEV_CONFIGURED;
	}
	pthread_mutex_unlock(&dev->life_lock);
	emudev_put(dev);
	return ret;
}

int
rte_emudev_close(uint16_t dev_id)
{
	struct rte_emudev *dev;
	int ret = 0;

	EMUDEV_GET_OR_RET(dev, dev_id);
	pthread_mutex_lock(&dev->life_lock);
	if (dev->life == EMUDEV_STARTED) {
		EMUDEV_LOG(ERR, "%s: cannot close a started device (stop it first)", dev->name);
		ret = -EBUSY;
	} else if (dev->life == EMUDEV_CONFIGURED) {
		if (dev->ops->close != NULL)
			ret = dev->ops->close(dev->priv);
		if (ret != 0)
			EMUDEV_LOG(ERR, "%s: provider close failed: %d (closed anyway)", dev->name,
				   ret);
		dev->life = EMUDEV_CLOSED;
	}
	pthread_mutex_unlock(&dev->life_lock);
	emudev_put(dev);
	return ret;
}

/* ------------------------------------------------------------ statistics */

int
rte_emudev_stats_cb_set(uint16_t dev_id, rte_emudev_stats_cb_t cb, void *arg)
{
	struct rte_emudev *dev;
	int ret = 0;

	EMUDEV_GET_OR_RET(dev, dev_id);
	pthread_mutex_lock(&dev->stats_lock);
	if (cb == NULL) {
		dev->stats_cb = NULL;
		dev->stats_arg = NULL;
	} else if (dev->stats_cb != NULL) {
		EMUDEV_LOG(DEBUG, "%s: a statistics callback is already set", dev->name);
		ret = -EEXIST;
	} else {
		dev->stats_cb = cb;
		dev->stats_arg = arg;
	}
	pthread_mutex_unlock(&dev->stats_lock);
	emudev_put(dev);
	return ret;
}

int
rte_emudev_stats_get(struct rte_emudev *dev, struct rte_emudev_stats *stats)
{
	int ret;

	if (dev == NULL || stats == NULL) {
		EMUDEV_LOG(ERR, "NULL %s", dev == NULL ? "device" : "stats");
		return -EINVAL;
	}
	memset(stats, 0, sizeof(*stats));
	pthread_mutex_lock(&dev->stats_lock);
	if (dev->stats_cb == NULL) {
		ret = -ENOENT;
	} else {
		emudev_tls_busy++;
		ret = dev->stats_cb(dev->dev_id, stats, dev->stats_arg);
		emudev_tls_busy--;
	}
	pthread_mutex_unlock(&dev->stats_lock);
	if (ret == -ENOENT)
		EMUDEV_LOG(DEBUG, "%s: no statistics callback", dev->name);
	return ret;
}

/* ------------------------------------------------------------- telemetry */

int
emudev_state_get(uint16_t dev_id, struct emudev_state *st)
{
	static const char *const life_names[] = {
		[EMUDEV_CLOSED] = "closed",
		[EMUDEV_CONFIGURED] = "configured",
		[EMUDEV_STARTED] = "started",
	};
	struct rte_emudev *dev;
	struct emudev_cb *cb;

	dev = emudev_get(dev_id);
	if (dev == NULL)
		return -ENODEV;
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&dev->life_lock);
	st->life = life_names[dev->life];
	pthread_mutex_unlock(&dev->life_lock);
	pthread_mutex_lock(&dev->mem_lock);
	st->mem_generation = dev->mem->generation;
	st->mem_nb_regions = dev->mem->nb_regions;
	st->mem_changing = dev->mem_changing;
	pthread_mutex_unlock(&dev->mem_lock);
	pthread_mutex_lock(&dev->cb_lock);
	TAILQ_FOREACH(cb, &dev->cbs, next)
		if (!cb->removed)
			st->nb_callbacks++;
	pthread_mutex_unlock(&dev->cb_lock);
	pthread_mutex_lock(&dev->stats_lock);
	st->stats_cb = dev->stats_cb != NULL;
	pthread_mutex_unlock(&dev->stats_lock);
	emudev_put(dev);
	return 0;
}
