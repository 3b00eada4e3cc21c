/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * Unit tests of librte_emudev with a fake provider defined here: a network
 * device with 2 queue pairs, 3 interrupt vectors, attributes (mac read-only,
 * link_up read-write, link_speed write-only, "broken" whose provider
 * callbacks fail), guest memory from malloc'd buffers and doorbells in a
 * local array. Every case registers a fresh device (setup) and unregisters
 * it (teardown). Waits on other threads are bounded: a case fails instead
 * of hanging.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "test.h"
#include "test_common.h"
#include "rte_emudev.h"
#include "rte_emudev_net.h"
#include "rte_emudev_driver.h"
#include "test_fake_emudev.h"

#define FAKE_NAME "fake_net0"
#define FAKE_DRIVER "fake_provider"
#define FAKE_NB_QP 2
#define FAKE_NB_VEC 3
#define FAKE_RING_SIZE 64

/* Guest memory: regions A and B adjacent in the guest, B mapped below A. */
#define MEM_A_GPA 0x10000ull
#define MEM_B_GPA 0x18000ull
#define MEM_AB_SIZE 0x8000ull
/* Region R: read-only, far away. */
#define MEM_R_GPA 0x100000000ull
#define MEM_R_SIZE 0x1000ull

#define WAIT_MS 5000 /* bound of every wait for another thread */

/* The fake provider's descriptor formats (provider-defined) and their sizes. */
#define FAKE_FMT_TX 1u /* 16 bytes */
#define FAKE_FMT_RX 2u /* 32 bytes */
#define FAKE_FMT_SIZE(fmt) ((fmt) == FAKE_FMT_TX ? 16u : (fmt) == FAKE_FMT_RX ? 32u : 12345u)

struct fake_dev {
	struct fake_emudev base; /* first: the priv is a struct fake_emudev too */
	struct fake_emudev_queue q[RTE_EMUDEV_QUEUE_DIR_MAX][FAKE_NB_QP];
	uint32_t doorbells[RTE_EMUDEV_QUEUE_DIR_MAX][FAKE_NB_QP];
	uint32_t irq_count[FAKE_NB_VEC];
	bool irq_armed[FAKE_NB_VEC];
	int start_ret;
	/* Try to unregister from an operation: the result. */
	bool unregister_in_op;
	int unregister_in_op_ret;
	uint8_t *mem; /* A then B, 2 * MEM_AB_SIZE */
	uint8_t *rmem; /* R */
};

static struct fake_dev fake;

static int
fake_info_get(void *priv, struct rte_emudev_info *info)
{
	struct fake_dev *f = priv;

	/* The library fills these: the provider's values are overwritten. */
	info->dev_id = 999;
	info->type = RTE_EMUDEV_TYPE_UNKNOWN;
	info->max_queue_pairs = FAKE_NB_QP;
	info->nb_guest_tx_queues = 2;
	info->nb_guest_rx_queues = 1;
	info->nb_irq_vectors = FAKE_NB_VEC;
	info->client_connected = true;
	info->ready = f->base.link_up != 0;
	return 0;
}

/* The base's queue info, then garbage the library must overwrite. */
static int
fake_queue_info_get(void *priv, enum rte_emudev_queue_dir dir, uint16_t qid,
		    struct rte_emudev_queue_info *info)
{
	int ret = fake_emudev_queue_info_get(priv, dir, qid, info);

	if (ret != 0)
		return ret;
	info->ring_host = (void *)(uintptr_t)0xdead;
	info->qid = 77;
	return 0;
}

/* The size of a format (garbage without a format: the library must clear it). */
static uint32_t
fake_fmt_size(uint32_t fmt)
{
	return FAKE_FMT_SIZE(fmt);
}

enum {
	ATTR_MAC,
	ATTR_LINK_UP,
	ATTR_LINK_SPEED,
	ATTR_BROKEN,
	NB_FAKE_ATTRS
};

static const struct rte_emudev_attr_desc fake_attrs[NB_FAKE_ATTRS] = {
	[ATTR_MAC] = {RTE_EMUDEV_ATTR_MAC, 6, RTE_EMUDEV_ATTR_F_READ},
	[ATTR_LINK_UP] = {RTE_EMUDEV_ATTR_LINK_UP, 1,
			  RTE_EMUDEV_ATTR_F_READ | RTE_EMUDEV_ATTR_F_WRITE},
	[ATTR_LINK_SPEED] = {RTE_EMUDEV_ATTR_LINK_SPEED, 4, RTE_EMUDEV_ATTR_F_WRITE},
	[ATTR_BROKEN] = {"broken", 8, RTE_EMUDEV_ATTR_F_READ | RTE_EMUDEV_ATTR_F_WRITE},
};

static int
fake_start(void *priv)
{
	struct fake_dev *f = priv;

	if (f->unregister_in_op) {
		f->unregister_in_op_ret = rte_emudev_unregister(f->base.dev);
		return -EPERM;
	}
	if (f->start_ret != 0)
		return f->start_ret;
	return fake_emudev_start(priv);
}

static const struct rte_emudev_ops fake_ops = {
	.info_get = fake_info_get,
	.queue_info_get = fake_queue_info_get,
	.irq_trigger = fake_emudev_irq_trigger,
	.attr_get = fake_emudev_attr_get,
	.attr_set = fake_emudev_attr_set,
	.configure = fake_emudev_configure,
	.start = fake_start,
	.stop = fake_emudev_stop,
	.close = fake_emudev_close,
};

/* A device with only the mandatory operation. */
static const struct rte_emudev_ops min_ops = {
	.info_get = fake_info_get,
};

static struct rte_emudev_params
fake_params(const char *name)
{
	struct rte_emudev_params p = fake_emudev_params(&fake.base, name, FAKE_DRIVER, &fake_ops);

	/* The table even before fake_setup() gives it to the base. */
	p.attrs = fake_attrs;
	p.nb_attrs = NB_FAKE_ATTRS;
	return p;
}

/* The regions of the fake guest memory. */
static void
fake_regions(struct rte_emudev_mem_region r[3])
{
	memset(r, 0, 3 * sizeof(r[0]));
	/* Out of order on purpose: the library sorts. */
	r[0].guest_phys_addr = MEM_R_GPA;
	r[0].size = MEM_R_SIZE;
	r[0].host_addr = fake.rmem;
	r[0].prot = RTE_EMUDEV_MEM_READ;
	r[1].guest_phys_addr = MEM_B_GPA;
	r[1].size = MEM_AB_SIZE;
	r[1].host_addr = fake.mem + MEM_AB_SIZE;
	r[1].prot = RTE_EMUDEV_MEM_READ | RTE_EMUDEV_MEM_WRITE;
	r[2].guest_phys_addr = MEM_A_GPA;
	r[2].size = MEM_AB_SIZE;
	r[2].host_addr = fake.mem;
	r[2].prot = RTE_EMUDEV_MEM_READ | RTE_EMUDEV_MEM_WRITE;
}

static int
fake_setup(void)
{
	struct rte_emudev_params p = fake_params(FAKE_NAME);
	unsigned int d, q;

	memset(&fake, 0, sizeof(fake));
	fake.mem = calloc(1, 2 * MEM_AB_SIZE);
	fake.rmem = calloc(1, MEM_R_SIZE);
	if (fake.mem == NULL || fake.rmem == NULL)
		goto fail;
	for (d = 0; d < RTE_EMUDEV_QUEUE_DIR_MAX; d++) {
		for (q = 0; q < FAKE_NB_QP; q++) {
			struct fake_emudev_queue *fq = &fake.q[d][q];

			fq->configured = true;
			fq->rx_fmt = FAKE_FMT_RX; /* guest transmit: FAKE_FMT_TX */
			fq->ring_size = FAKE_RING_SIZE;
			/* 4 rings of at most 2 KiB in region A. */
			fq->ring_gpa = MEM_A_GPA + (d * FAKE_NB_QP + q) * 0x800;
			fq->buf_size = d == RTE_EMUDEV_QUEUE_GUEST_RX ? 2048 : 0;
			fq->max_pkt_len = 1518;
			fq->irq_vector = q + 1;
			fake.doorbells[d][q] = 0x100 * d + q;
		}
	}
	fake_emudev_init(&fake.base, FAKE_NB_QP, fake_attrs, NB_FAKE_ATTRS);
	fake_emudev_queues_set(&fake.base, &fake.q[0][0], &fake.doorbells[0][0], FAKE_NB_QP,
			       FAKE_FMT_TX, fake_fmt_size);
	fake_emudev_irqs_set(&fake.base, fake.irq_armed, fake.irq_count, NULL, NULL, FAKE_NB_VEC,
			     false);
	fake.base.mac[0] = 0x02;
	fake.base.mac[5] = 0x42;
	if (fake_emudev_register(&fake.base, &p) != 0)
		goto fail;
	return TEST_SUCCESS;
fail:
	free(fake.mem);
	free(fake.rmem);
	fake.mem = NULL;
	fake.rmem = NULL;
	return TEST_FAILED;
}

/* Setup, and publish the memory table. */
static int
fake_setup_mem(void)
{
	struct rte_emudev_mem_region r[3];

	if (fake_setup() != TEST_SUCCESS)
		return TEST_FAILED;
	fake_regions(r);
	if (rte_emudev_mem_table_set(fake.base.dev, r, 3) != 0)
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static void
fake_teardown(void)
{
	if (fake.base.dev != NULL && rte_emudev_unregister(fake.base.dev) != 0)
		printf("teardown: unregister failed\n");
	fake.base.dev = NULL;
	free(fake.mem);
	free(fake.rmem);
	fake.mem = NULL;
	fake.rmem = NULL;
}

/* Wait until *flag != 0 (at most WAIT_MS). */
static bool
wait_flag(const int *flag)
{
	uint64_t end = now_ms() + WAIT_MS;

	while (__atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0) {
		if (now_ms() > end)
			return false;
		usleep(100);
	}
	return true;
}

/* ------------------------------------------------------ event recording */

#define LOG_MAX 64

struct ev_log {
	unsigned int n;
	struct {
		char who;
		uint16_t dev_id;
		struct rte_emudev_event ev;
	} e[LOG_MAX];
};

static struct ev_log evlog;
static pthread_mutex_t evlog_lock = PTHREAD_MUTEX_INITIALIZER;

static void
record_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	const char *who = arg;

	pthread_mutex_lock(&evlog_lock);
	if (evlog.n < LOG_MAX) {
		evlog.e[evlog.n].who = *who;
		evlog.e[evlog.n].dev_id = dev_id;
		evlog.e[evlog.n].ev = *ev;
		evlog.n++;
	}
	pthread_mutex_unlock(&evlog_lock);
}

static void
evlog_clear(void)
{
	pthread_mutex_lock(&evlog_lock);
	memset(&evlog, 0, sizeof(evlog));
	pthread_mutex_unlock(&evlog_lock);
}

/* The log as a string "A:type B:type ..." (type as a number). */
static const char *
evlog_str(void)
{
	static char s[LOG_MAX * 8];
	unsigned int i;
	size_t off = 0;

	s[0] = '\0';
	for (i = 0; i < evlog.n && off < sizeof(s) - 8; i++)
		off += snprintf(s + off, sizeof(s) - off, "%s%c:%d", i ? " " : "", evlog.e[i].who,
				(int)evlog.e[i].ev.type);
	return s;
}

static const char who_a = 'A', who_b = 'B', who_c = 'C', who_d = 'D';

/* Raise an event without payload on the fake device. */
static int
raise_type(enum rte_emudev_event_type type)
{
	return fake_emudev_raise(&fake.base, type);
}

/* ---------------------------------------------------------------- cases */

static int
test_find(void)
{
	uint16_t id = 0xffff, n = 0, i;
	char longname[RTE_EMUDEV_NAME_MAX_LEN + 8];

	TEST_ASSERT(fake.base.id < RTE_EMUDEV_MAX_DEVS, "bad id %u", fake.base.id);
	TEST_ASSERT_SUCCESS(rte_emudev_get_id_by_name(FAKE_NAME, &id), "find by name");
	TEST_ASSERT_EQUAL(id, fake.base.id, "id by name");
	TEST_ASSERT(rte_emudev_is_valid(fake.base.id), "valid id");
	TEST_ASSERT(!rte_emudev_is_valid(RTE_EMUDEV_MAX_DEVS), "id out of range");
	TEST_ASSERT(rte_emudev_count() >= 1, "count");
	RTE_EMUDEV_FOREACH(i) {
		TEST_ASSERT(rte_emudev_is_valid(i), "foreach gives valid ids");
		n++;
	}
	TEST_ASSERT_EQUAL(n, rte_emudev_count(), "foreach visits every device");
	TEST_ASSERT_EQUAL(rte_emudev_find_next(RTE_EMUDEV_MAX_DEVS), RTE_EMUDEV_MAX_DEVS,
			  "find_next past the end");
	TEST_ASSERT_EQUAL(rte_emudev_find_next(fake.base.id), fake.base.id,
			  "find_next from own id");

	TEST_ASSERT_EQUAL(rte_emudev_get_id_by_name("no_such_dev", &id), -ENODEV, "unknown");
	TEST_ASSERT_EQUAL(rte_emudev_get_id_by_name("fake_net", &id), -ENODEV, "prefix");
	TEST_ASSERT_EQUAL(rte_emudev_get_id_by_name(NULL, &id), -EINVAL, "NULL name");
	TEST_ASSERT_EQUAL(rte_emudev_get_id_by_name(FAKE_NAME, NULL), -EINVAL, "NULL id");
	TEST_ASSERT_EQUAL(rte_emudev_get_id_by_name("", &id), -EINVAL, "empty name");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	TEST_ASSERT_EQUAL(rte_emudev_get_id_by_name(longname, &id), -EINVAL, "long name");
	TEST_ASSERT_EQUAL(rte_emudev_dev_id(NULL), RTE_EMUDEV_MAX_DEVS, "id of NULL");
	return TEST_SUCCESS;
}

/* How test_register_invalid() spoils valid registration parameters. */
enum bad_field {
	BAD_NONE, /* as they are */
	BAD_NAME_NULL,
	BAD_NAME_EMPTY,
	BAD_NAME_LONG,
	BAD_DRIVER_LONG,
	BAD_TYPE_UNKNOWN,
	BAD_TYPE_MAX,
	BAD_SOCKET,
	BAD_OPS_NULL,
	BAD_OPS_NO_INFO_GET,
	BAD_ATTRS_NULL,
	BAD_ATTRS_TOO_MANY,
	BAD_ATTR, /* a second attribute, the row's */
	BAD_ATTR_NAME_UNTERMINATED, /* the row's, its name all 'z' without NUL */
	BAD_ATTR_NO_ATTR_SET, /* the row's (writable), ops without attr_set */
};

struct bad_params {
	const char *what;
	enum bad_field field;
	struct rte_emudev_attr_desc attr;
};

/*
 * *p: valid parameters of a device "other" spoiled as b says; attrs (2),
 * ops_no_set (fake_ops without attr_set) and name (a name too long) are the
 * caller's storage for what p points to.
 */
static void
params_spoil(const struct bad_params *b, struct rte_emudev_params *p,
	     struct rte_emudev_attr_desc *attrs, struct rte_emudev_ops *ops_no_set, char *name)
{
	static const struct rte_emudev_ops ops_no_info_get = {.start = fake_start};

	*p = fake_params("other");
	memset(name, 'n', RTE_EMUDEV_NAME_MAX_LEN + 7);
	name[RTE_EMUDEV_NAME_MAX_LEN + 7] = '\0';
	memset(attrs, 0, 2 * sizeof(*attrs));
	strcpy(attrs[0].name, "a");
	attrs[0].size = 1;
	attrs[0].flags = RTE_EMUDEV_ATTR_F_READ;
	attrs[1] = b->attr;
	*ops_no_set = fake_ops;
	ops_no_set->attr_set = NULL;
	switch (b->field) {
	case BAD_NONE:
		break;
	case BAD_NAME_NULL:
		p->name = NULL;
		break;
	case BAD_NAME_EMPTY:
		p->name = "";
		break;
	case BAD_NAME_LONG:
		p->name = name;
		break;
	case BAD_DRIVER_LONG:
		p->driver = name;
		break;
	case BAD_TYPE_UNKNOWN:
		p->type = RTE_EMUDEV_TYPE_UNKNOWN;
		break;
	case BAD_TYPE_MAX:
		p->type = RTE_EMUDEV_TYPE_MAX;
		break;
	case BAD_SOCKET:
		p->socket_id = -2;
		break;
	case BAD_OPS_NULL:
		p->ops = NULL;
		break;
	case BAD_OPS_NO_INFO_GET:
		p->ops = &ops_no_info_get;
		break;
	case BAD_ATTRS_NULL:
		p->attrs = NULL;
		break;
	case BAD_ATTRS_TOO_MANY:
		p->nb_attrs = RTE_EMUDEV_MAX_ATTRS + 1;
		break;
	case BAD_ATTR_NAME_UNTERMINATED:
		memset(attrs[1].name, 'z', sizeof(attrs[1].name));
		/* fall through */
	case BAD_ATTR:
		p->attrs = attrs;
		p->nb_attrs = 2;
		break;
	case BAD_ATTR_NO_ATTR_SET:
		p->attrs = attrs;
		p->nb_attrs = 2;
		p->ops = ops_no_set;
		break;
	}
}

static int
test_register_invalid(void)
{
	/*
	 * Valid parameters spoiled in one way each (an attribute row: the
	 * table is {"a", 1, READ} and that attribute): EINVAL.
	 */
	static const struct bad_params bad_params[] = {
		{"NULL name", BAD_NAME_NULL, {"", 0, 0}},
		{"empty name", BAD_NAME_EMPTY, {"", 0, 0}},
		{"long name", BAD_NAME_LONG, {"", 0, 0}},
		{"long driver name", BAD_DRIVER_LONG, {"", 0, 0}},
		{"unknown type", BAD_TYPE_UNKNOWN, {"", 0, 0}},
		{"type MAX", BAD_TYPE_MAX, {"", 0, 0}},
		{"bad socket", BAD_SOCKET, {"", 0, 0}},
		{"NULL ops", BAD_OPS_NULL, {"", 0, 0}},
		{"no info_get", BAD_OPS_NO_INFO_GET, {"", 0, 0}},
		{"NULL attrs", BAD_ATTRS_NULL, {"", 0, 0}},
		{"too many attrs", BAD_ATTRS_TOO_MANY, {"", 0, 0}},
		{"duplicate attribute", BAD_ATTR, {"a", 1, RTE_EMUDEV_ATTR_F_READ}},
		{"attribute of size 0", BAD_ATTR, {"b", 0, RTE_EMUDEV_ATTR_F_READ}},
		{"attribute with unknown flag", BAD_ATTR, {"b", 1, 0x4}},
		{"attribute without name", BAD_ATTR, {"", 1, RTE_EMUDEV_ATTR_F_WRITE}},
		{"attribute name not terminated",
		 BAD_ATTR_NAME_UNTERMINATED,
		 {"", 1, RTE_EMUDEV_ATTR_F_WRITE}},
		{"writable attribute without attr_set",
		 BAD_ATTR_NO_ATTR_SET,
		 {"z", 1, RTE_EMUDEV_ATTR_F_WRITE}},
	};
	static const struct bad_params controls[] = {
		{"the valid parameters", BAD_NONE, {"", 0, 0}},
		{"a valid second attribute", BAD_ATTR, {"b", 1, RTE_EMUDEV_ATTR_F_READ}},
		{"a valid writable attribute", BAD_ATTR, {"z", 1, RTE_EMUDEV_ATTR_F_WRITE}},
	};
	struct rte_emudev *extra[RTE_EMUDEV_MAX_DEVS];
	struct rte_emudev_attr_desc attrs[2];
	struct rte_emudev_params p;
	struct rte_emudev_ops ops_no_set = fake_ops;
	char name[RTE_EMUDEV_NAME_MAX_LEN + 8];
	unsigned int n = 0, i;
	int ret = TEST_SUCCESS;

	p = fake_params(FAKE_NAME);
	rte_errno = 0;
	TEST_ASSERT_NULL(rte_emudev_register(&p), "duplicate name accepted");
	TEST_ASSERT_EQUAL(rte_errno, EEXIST, "duplicate name errno");
	TEST_ASSERT_EQUAL(rte_emudev_count(), 1, "count after refused duplicate");

	rte_errno = 0;
	TEST_ASSERT_NULL(rte_emudev_register(NULL), "NULL params");
	TEST_ASSERT_EQUAL(rte_errno, EINVAL, "NULL params errno");

	/* What the rows spoil is valid: accepted (then removed). */
	for (i = 0; i < RTE_DIM(controls); i++) {
		struct rte_emudev *dev;

		params_spoil(&controls[i], &p, attrs, &ops_no_set, name);
		dev = rte_emudev_register(&p);
		TEST_ASSERT_NOT_NULL(dev, "%s refused", controls[i].what);
		TEST_ASSERT_SUCCESS(rte_emudev_unregister(dev), "%s: unregister", controls[i].what);
	}
	for (i = 0; i < RTE_DIM(bad_params); i++) {
		params_spoil(&bad_params[i], &p, attrs, &ops_no_set, name);
		rte_errno = 0;
		TEST_ASSERT_NULL(rte_emudev_register(&p), "%s accepted", bad_params[i].what);
		TEST_ASSERT_EQUAL(rte_errno, EINVAL, "%s", bad_params[i].what);
	}
	TEST_ASSERT_EQUAL(rte_emudev_count(), 1, "nothing registered by bad params");

	/* Fill the table. */
	for (i = 0; i < RTE_EMUDEV_MAX_DEVS; i++) {
		snprintf(name, sizeof(name), "extra%u", i);
		p = fake_params(name);
		extra[n] = rte_emudev_register(&p);
		if (extra[n] == NULL)
			break;
		n++;
	}
	if (n != RTE_EMUDEV_MAX_DEVS - 1 || rte_errno != ENOSPC) {
		printf("registered %u extra devices (%d expected), then errno %d\n", n,
		       RTE_EMUDEV_MAX_DEVS - 1, rte_errno);
		ret = TEST_FAILED;
	}
	if (rte_emudev_count() != RTE_EMUDEV_MAX_DEVS) {
		printf("count %u with a full table\n", rte_emudev_count());
		ret = TEST_FAILED;
	}
	for (i = 0; i < n; i++) {
		if (rte_emudev_unregister(extra[i]) != 0) {
			printf("cannot unregister extra%u\n", i);
			ret = TEST_FAILED;
		}
	}
	TEST_ASSERT_EQUAL(rte_emudev_count(), 1, "count after unregistering the extras");
	TEST_ASSERT_EQUAL(rte_emudev_unregister(NULL), -EINVAL, "unregister NULL");
	return ret;
}

static int
test_info(void)
{
	struct rte_emudev_info info;

	TEST_ASSERT_SUCCESS(rte_emudev_info_get(fake.base.id, &info), "info_get");
	TEST_ASSERT(strcmp(info.name, FAKE_NAME) == 0, "name %s", info.name);
	TEST_ASSERT(strcmp(info.driver, FAKE_DRIVER) == 0, "driver %s", info.driver);
	TEST_ASSERT_EQUAL(info.dev_id, fake.base.id, "dev_id set by the library");
	TEST_ASSERT_EQUAL(info.type, RTE_EMUDEV_TYPE_NET, "type set by the library");
	TEST_ASSERT_EQUAL(info.socket_id, SOCKET_ID_ANY, "socket");
	TEST_ASSERT_EQUAL(info.max_queue_pairs, FAKE_NB_QP, "max queue pairs");
	TEST_ASSERT_EQUAL(info.nb_guest_tx_queues, 2, "guest tx queues");
	TEST_ASSERT_EQUAL(info.nb_guest_rx_queues, 1, "guest rx queues");
	TEST_ASSERT_EQUAL(info.nb_irq_vectors, FAKE_NB_VEC, "vectors");
	TEST_ASSERT(info.client_connected, "connected");
	TEST_ASSERT(!info.ready, "not ready");
	TEST_ASSERT_EQUAL(rte_emudev_info_get(fake.base.id, NULL), -EINVAL, "NULL info");
	return TEST_SUCCESS;
}

enum region_field {
	REGION_GPA,
	REGION_SIZE,
	REGION_HOST,
	REGION_PROT,
	REGION_RESERVED
};

/* Set one field of a memory region to v. */
static void
region_spoil(struct rte_emudev_mem_region *r, enum region_field f, uint64_t v)
{
	switch (f) {
	case REGION_GPA:
		r->guest_phys_addr = v;
		break;
	case REGION_SIZE:
		r->size = v;
		break;
	case REGION_HOST:
		r->host_addr = (void *)(uintptr_t)v;
		break;
	case REGION_PROT:
		r->prot = (uint32_t)v;
		break;
	case REGION_RESERVED:
		r->reserved = (uint32_t)v;
		break;
	}
}

static int
test_mem_table(void)
{
	/* A region of a valid table spoiled in one way: the table is refused. */
	static const struct {
		const char *what;
		unsigned int idx; /* the region */
		enum region_field field;
		uint64_t v;
	} bad_regions[] = {
		{"overlap", 1, REGION_GPA, MEM_A_GPA + 0x1000},
		{"same start", 1, REGION_GPA, MEM_A_GPA},
		{"overlap by one byte", 1, REGION_GPA, MEM_B_GPA - 1},
		{"size 0", 0, REGION_SIZE, 0},
		{"no host address", 0, REGION_HOST, 0},
		{"no prot", 0, REGION_PROT, 0},
		{"unknown prot", 0, REGION_PROT, 0x4},
		{"reserved field", 0, REGION_RESERVED, 1},
		{"guest wrap", 0, REGION_GPA, UINT64_MAX - 0x10},
		{"host wrap", 0, REGION_HOST, UINTPTR_MAX - 0x10},
	};
	const struct rte_emudev_mem_table *t = NULL, *t2 = NULL;
	struct rte_emudev_mem_region r[3], bad[3];
	unsigned int i;
	int ret;

	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_get(fake.base.id, &t), "initial table");
	TEST_ASSERT_EQUAL(t->generation, 0, "initial generation");
	TEST_ASSERT_EQUAL(t->nb_regions, 0, "initial table empty");
	TEST_ASSERT_EQUAL(rte_emudev_mem_table_get(fake.base.id, NULL), -EINVAL, "NULL table");

	evlog_clear();
	TEST_ASSERT_SUCCESS(rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_ALL, record_cb,
						      (void *)(uintptr_t)&who_a),
			    "register");
	fake_regions(r);
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_set(fake.base.dev, r, 3), "set table");
	TEST_ASSERT_EQUAL(evlog.n, 2, "CHANGING and CHANGED: %s", evlog_str());
	TEST_ASSERT_EQUAL(evlog.e[0].ev.type, RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING, "first");
	TEST_ASSERT_EQUAL(evlog.e[1].ev.type, RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED, "second");
	TEST_ASSERT_EQUAL(evlog.e[1].ev.mem.generation, 1, "generation in the event");
	TEST_ASSERT_EQUAL(evlog.e[1].dev_id, fake.base.id, "dev id in the event");
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_get(fake.base.id, &t), "get");
	TEST_ASSERT(evlog.e[1].ev.mem.table == t, "table in the event");
	TEST_ASSERT_EQUAL(t->generation, 1, "generation 1");
	TEST_ASSERT_EQUAL(t->nb_regions, 3, "3 regions");
	TEST_ASSERT_EQUAL(t->regions[0].guest_phys_addr, MEM_A_GPA, "sorted 0");
	TEST_ASSERT_EQUAL(t->regions[1].guest_phys_addr, MEM_B_GPA, "sorted 1");
	TEST_ASSERT_EQUAL(t->regions[2].guest_phys_addr, MEM_R_GPA, "sorted 2");
	TEST_ASSERT(t->regions[0].host_addr == fake.mem, "host of A");
	TEST_ASSERT_EQUAL(t->regions[2].prot, RTE_EMUDEV_MEM_READ, "prot of R");

	/* Invalid tables are refused, raise nothing and change nothing. */
	evlog_clear();
	for (i = 0; i < RTE_DIM(bad_regions); i++) {
		memcpy(bad, r, sizeof(bad));
		region_spoil(&bad[bad_regions[i].idx], bad_regions[i].field, bad_regions[i].v);
		ret = rte_emudev_mem_table_set(fake.base.dev, bad, 3);
		TEST_ASSERT_EQUAL(ret, -EINVAL, "%s", bad_regions[i].what);
	}
	memcpy(bad, r, sizeof(bad));
	TEST_ASSERT_EQUAL(rte_emudev_mem_table_set(fake.base.dev, NULL, 1), -EINVAL,
			  "NULL regions");
	TEST_ASSERT_EQUAL(rte_emudev_mem_table_set(NULL, r, 3), -EINVAL, "NULL dev");
	TEST_ASSERT_EQUAL(
		rte_emudev_mem_table_set(fake.base.dev, r, RTE_EMUDEV_MAX_MEM_REGIONS + 1), -EINVAL,
		"too many regions");
	TEST_ASSERT_EQUAL(evlog.n, 0, "no events for refused tables: %s", evlog_str());
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_get(fake.base.id, &t2), "get");
	TEST_ASSERT(t2 == t && t2->generation == 1, "table unchanged");

	/* A region ending at the very end of the guest address space is valid. */
	bad[0].guest_phys_addr = UINT64_MAX - MEM_R_SIZE + 1;
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_set(fake.base.dev, bad, 3), "region at the end");
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_get(fake.base.id, &t), "get");
	TEST_ASSERT_EQUAL(t->generation, 2, "generation 2");

	/* Explicit CHANGING: get fails until set; a second CHANGING is silent. */
	evlog_clear();
	TEST_ASSERT_SUCCESS(raise_type(RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING), "raise CHANGING");
	TEST_ASSERT_EQUAL(rte_emudev_mem_table_get(fake.base.id, &t), -EAGAIN,
			  "get while changing");
	TEST_ASSERT_SUCCESS(raise_type(RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING),
			    "raise CHANGING again");
	/* A refused table keeps the change in progress. */
	bad[0].size = 0;
	TEST_ASSERT_EQUAL(rte_emudev_mem_table_set(fake.base.dev, bad, 3), -EINVAL, "bad table");
	TEST_ASSERT_EQUAL(rte_emudev_mem_table_get(fake.base.id, &t), -EAGAIN, "still changing");
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_set(fake.base.dev, NULL, 0), "empty table");
	TEST_ASSERT_EQUAL(evlog.n, 2, "one CHANGING, one CHANGED: %s", evlog_str());
	TEST_ASSERT_EQUAL(evlog.e[0].ev.type, RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING, "first");
	TEST_ASSERT_EQUAL(evlog.e[1].ev.type, RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED, "second");
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_get(fake.base.id, &t), "get");
	TEST_ASSERT_EQUAL(t->generation, 3, "generation 3");
	TEST_ASSERT_EQUAL(t->nb_regions, 0, "empty");
	TEST_ASSERT_NULL(rte_emudev_translate(t, NULL, MEM_A_GPA, 1, RTE_EMUDEV_MEM_READ),
			 "translate in an empty table");
	return TEST_SUCCESS;
}

/* Where a translation must point: nowhere (NULL), or into region A, B or R. */
enum xlate_in {
	IN_NONE,
	IN_A,
	IN_B,
	IN_R
};

#define XLATE_RW (RTE_EMUDEV_MEM_READ | RTE_EMUDEV_MEM_WRITE)
#define HINT_KEEP UINT32_MAX /* leave the cache's hint as the last row left it */
#define IDX_ANY UINT32_MAX /* the cache's index after the row is not checked */

struct xlate_case {
	const char *name;
	uint64_t gpa, len;
	uint32_t prot;
	enum xlate_in in;
	uint64_t off; /* in its region */
	bool cached; /* through the case table's cache (else none) */
	uint32_t hint; /* cache index set before the lookup, or HINT_KEEP */
	uint32_t idx_after; /* cache index expected after, or IDX_ANY */
};

#define XL(nm, g, l, p, in, o) \
	{ \
		nm, g, l, p, in, o, false, HINT_KEEP, IDX_ANY \
	}
#define XLC(nm, g, l, in, o, hint, after) \
	{ \
		nm, g, l, XLATE_RW, in, o, true, hint, after \
	}

/* Run the rows against t (regions A, B and R of the fake device), one cache for all. */
static int
xlate_run(const struct rte_emudev_mem_table *t, const struct xlate_case *c, unsigned int n)
{
	uint8_t *const base[] = {[IN_NONE] = NULL,
				 [IN_A] = fake.mem,
				 [IN_B] = fake.mem + MEM_AB_SIZE,
				 [IN_R] = fake.rmem};
	struct rte_emudev_xlate_cache cache = {0};
	unsigned int i;

	for (i = 0; i < n; i++, c++) {
		void *want = c->in == IN_NONE ? NULL : base[c->in] + c->off;
		void *got;

		if (c->hint != HINT_KEEP)
			cache.idx = c->hint;
		got = rte_emudev_translate(t, c->cached ? &cache : NULL, c->gpa, c->len, c->prot);
		TEST_ASSERT(got == want,
			    "row %u \"%s\": [0x%" PRIx64 ", +0x%" PRIx64
			    ") prot %u: %p, expected %p",
			    i, c->name, c->gpa, c->len, c->prot, got, want);
		if (c->idx_after != IDX_ANY)
			TEST_ASSERT_EQUAL(cache.idx, c->idx_after,
					  "row %u \"%s\": cache index %u, expected %u", i, c->name,
					  cache.idx, c->idx_after);
	}
	return TEST_SUCCESS;
}

static int
test_translate(void)
{
	static const struct xlate_case cases[] = {
		/* Inside, first and last byte, one past. */
		XL("first byte of A", MEM_A_GPA, 1, XLATE_RW, IN_A, 0),
		XL("inside", MEM_A_GPA + 100, 200, XLATE_RW, IN_A, 100),
		XL("all of A", MEM_A_GPA, MEM_AB_SIZE, XLATE_RW, IN_A, 0),
		XL("last byte of A", MEM_A_GPA + MEM_AB_SIZE - 1, 1, XLATE_RW, IN_A,
		   MEM_AB_SIZE - 1),
		XL("first byte of B", MEM_B_GPA, 1, XLATE_RW, IN_B, 0),
		XL("last byte of B", MEM_B_GPA + MEM_AB_SIZE - 1, 1, XLATE_RW, IN_B,
		   MEM_AB_SIZE - 1),
		XL("one past B", MEM_B_GPA + MEM_AB_SIZE, 1, XLATE_RW, IN_NONE, 0),
		XL("last byte of B + 1", MEM_B_GPA + MEM_AB_SIZE - 1, 2, XLATE_RW, IN_NONE, 0),
		XL("below A", MEM_A_GPA - 1, 1, XLATE_RW, IN_NONE, 0),
		XL("into A from below", MEM_A_GPA - 1, 2, XLATE_RW, IN_NONE, 0),
		XL("address 0", 0, 1, XLATE_RW, IN_NONE, 0),
		XL("gap", 0x40000, 1, XLATE_RW, IN_NONE, 0),
		/* Crossing A -> B: adjacent in the guest, not in the host. */
		XL("crossing", MEM_B_GPA - 1, 2, XLATE_RW, IN_NONE, 0),
		XL("A and B", MEM_A_GPA, 2 * MEM_AB_SIZE, XLATE_RW, IN_NONE, 0),
		/* Length 0, wrap, huge length. */
		XL("len 0", MEM_A_GPA, 0, XLATE_RW, IN_NONE, 0),
		XL("len UINT64_MAX", MEM_A_GPA + 16, UINT64_MAX, XLATE_RW, IN_NONE, 0),
		XL("wrap", UINT64_MAX - 10, 100, XLATE_RW, IN_NONE, 0),
		XL("last address", UINT64_MAX, 1, XLATE_RW, IN_NONE, 0),
		/* Protection. */
		XL("read R", MEM_R_GPA + 8, 8, RTE_EMUDEV_MEM_READ, IN_R, 8),
		XL("write R", MEM_R_GPA + 8, 8, RTE_EMUDEV_MEM_WRITE, IN_NONE, 0),
		XL("rw R", MEM_R_GPA + 8, 8, XLATE_RW, IN_NONE, 0),
		XL("prot 0", MEM_R_GPA, 8, 0, IN_R, 0),
		/* Cache: misses fill it, hits use it, bad hints are harmless. */
		XLC("miss, the cache holds B", MEM_B_GPA + 5, 10, IN_B, 5, HINT_KEEP, 1),
		XLC("hit, the cache still B", MEM_B_GPA + 50, 10, IN_B, 50, HINT_KEEP, 1),
		XLC("hit region, range past its end", MEM_B_GPA + MEM_AB_SIZE - 4, 8, IN_NONE, 0,
		    HINT_KEEP, IDX_ANY),
		XLC("len 0 on hit", MEM_B_GPA, 0, IN_NONE, 0, HINT_KEEP, IDX_ANY),
		XLC("crossing into the cached region", MEM_B_GPA - 4, 8, IN_NONE, 0, HINT_KEEP,
		    IDX_ANY),
		XLC("A again, the cache holds A", MEM_A_GPA + 1, 1, IN_A, 1, HINT_KEEP, 0),
		XLC("R, wrong prot: failed lookups keep the cache", MEM_R_GPA, 1, IN_NONE, 0,
		    HINT_KEEP, 0),
		XLC("cached R, wrong prot", MEM_R_GPA, 1, IN_NONE, 0, 2, IDX_ANY),
		XLC("out-of-range hint, repaired", MEM_A_GPA + 3, 1, IN_A, 3, 12345, 0),
	};
	const uint32_t rw = XLATE_RW;
	struct rte_emudev_xlate_cache cache = {0};
	const struct rte_emudev_mem_table *t;
	struct rte_emudev_mem_table *big;
	uint32_t i;

	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_get(fake.base.id, &t), "get");
	TEST_ASSERT_EQUAL(t->nb_regions, 3, "3 regions");
	TEST_ASSERT_SUCCESS(xlate_run(t, cases, RTE_DIM(cases)), "translations");
	TEST_ASSERT_NULL(rte_emudev_translate(NULL, NULL, MEM_A_GPA, 1, rw), "NULL table");

	/* A big table: binary search against the expected region. */
	big = calloc(1, RTE_EMUDEV_MEM_TABLE_SIZE(1000));
	TEST_ASSERT_NOT_NULL(big, "alloc");
	big->nb_regions = 1000;
	for (i = 0; i < 1000; i++) {
		/* Region i: [i * 0x2000, i * 0x2000 + 0x1000), a gap after each. */
		big->regions[i].guest_phys_addr = (uint64_t)i * 0x2000;
		big->regions[i].size = 0x1000;
		big->regions[i].host_addr = (void *)(uintptr_t)(0x10000000ull + i * 0x1000ull);
		big->regions[i].prot = rw;
	}
	for (i = 0; i < 1000; i++) {
		uint64_t gpa = (uint64_t)i * 0x2000;
		void *want = (void *)(uintptr_t)(0x10000000ull + i * 0x1000ull + 0x10);

		if (rte_emudev_translate(big, NULL, gpa + 0x10, 0x20, rw) != want ||
		    rte_emudev_translate(big, &cache, gpa + 0x10, 0x20, rw) != want ||
		    rte_emudev_translate(big, NULL, gpa + 0x1000, 1, rw) != NULL ||
		    rte_emudev_translate(big, NULL, gpa + 0xff0, 0x20, rw) != NULL) {
			free(big);
			printf("big table, region %u\n", i);
			return TEST_FAILED;
		}
	}
	free(big);
	return TEST_SUCCESS;
}

static int
test_queue_info(void)
{
	struct rte_emudev_mem_region r[3];
	struct rte_emudev_queue_info qi;
	const struct rte_emudev_mem_table *t;
	unsigned int d, q;

	for (d = 0; d < RTE_EMUDEV_QUEUE_DIR_MAX; d++) {
		for (q = 0; q < FAKE_NB_QP; q++) {
			uint32_t dsz = d == RTE_EMUDEV_QUEUE_GUEST_TX ? 16 : 32;

			fake.q[d][q].enabled = q == 0;
			TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(fake.base.id, d, q, &qi),
					    "queue %u/%u", d, q);
			TEST_ASSERT_EQUAL(qi.qid, q, "qid set by the library");
			TEST_ASSERT_EQUAL(qi.dir, d, "dir");
			TEST_ASSERT_EQUAL(qi.enabled, q == 0, "enabled");
			TEST_ASSERT_EQUAL(qi.desc_format,
					  d == RTE_EMUDEV_QUEUE_GUEST_TX ? FAKE_FMT_TX :
									   FAKE_FMT_RX,
					  "format");
			TEST_ASSERT_EQUAL(qi.desc_size, dsz, "desc size from the provider");
			TEST_ASSERT_EQUAL(qi.ring_size, FAKE_RING_SIZE, "ring size");
			TEST_ASSERT_EQUAL(qi.ring_gpa, fake.q[d][q].ring_gpa, "ring gpa");
			TEST_ASSERT(qi.ring_host == fake.mem + (qi.ring_gpa - MEM_A_GPA),
				    "ring host %p", qi.ring_host);
			TEST_ASSERT_EQUAL(qi.mem_generation, 1, "generation");
			TEST_ASSERT(qi.doorbell == &fake.doorbells[d][q], "doorbell");
			TEST_ASSERT_EQUAL(*qi.doorbell, 0x100 * d + q, "doorbell value");
			TEST_ASSERT_EQUAL(qi.irq_vector, q + 1, "vector");
			TEST_ASSERT_EQUAL(qi.buf_size, d == RTE_EMUDEV_QUEUE_GUEST_RX ? 2048 : 0,
					  "buffer size");
			TEST_ASSERT_EQUAL(qi.max_pkt_len, 1518, "max packet length");
		}
	}
	/* The doorbell is shared memory: the guest's writes are seen. */
	TEST_ASSERT_SUCCESS(
		rte_emudev_queue_info_get(fake.base.id, RTE_EMUDEV_QUEUE_GUEST_TX, 1, &qi), "get");
	fake.doorbells[RTE_EMUDEV_QUEUE_GUEST_TX][1] = 17;
	TEST_ASSERT_EQUAL(*qi.doorbell, 17, "doorbell write seen");

	/* Rings that are not entirely in one region have no host address. */
	fake.q[0][0].ring_gpa = MEM_B_GPA - 16 * 8; /* crosses A -> B */
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(fake.base.id, 0, 0, &qi), "crossing ring");
	TEST_ASSERT_NULL(qi.ring_host, "crossing ring has no host address");
	fake.q[0][0].ring_gpa = MEM_B_GPA + MEM_AB_SIZE - 16 * FAKE_RING_SIZE; /* last bytes of B */
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(fake.base.id, 0, 0, &qi), "ring at end of B");
	TEST_ASSERT(qi.ring_host == fake.mem + 2 * MEM_AB_SIZE - 16 * FAKE_RING_SIZE,
		    "ring at the end of B");
	fake.q[0][0].ring_gpa = 0x40000;
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(fake.base.id, 0, 0, &qi), "unmapped ring");
	TEST_ASSERT_NULL(qi.ring_host, "unmapped ring");
	fake.q[0][0].ring_gpa = MEM_R_GPA;
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(fake.base.id, 0, 0, &qi), "ring in R");
	TEST_ASSERT_NULL(qi.ring_host, "ring in read-only memory");
	fake.q[0][0].ring_gpa = UINT64_MAX - 64;
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(fake.base.id, 0, 0, &qi), "wrapping ring");
	TEST_ASSERT_NULL(qi.ring_host, "wrapping ring");
	fake.q[0][0].ring_gpa = MEM_A_GPA;
	fake.q[0][0].ring_size = 0x10000000; /* 4 GiB of descriptors */
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(fake.base.id, 0, 0, &qi), "huge ring");
	TEST_ASSERT_NULL(qi.ring_host, "huge ring");
	fake.q[0][0].ring_size = FAKE_RING_SIZE;
	fake.q[0][0].configured = false;
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(fake.base.id, 0, 0, &qi), "unconfigured");
	TEST_ASSERT_EQUAL(qi.desc_size, 0, "no descriptor size");
	TEST_ASSERT_NULL(qi.ring_host, "unconfigured ring");
	fake.q[0][0].configured = true;

	/* While the table changes, no ring address. */
	TEST_ASSERT_SUCCESS(raise_type(RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING), "CHANGING");
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(fake.base.id, 0, 0, &qi), "while changing");
	TEST_ASSERT_NULL(qi.ring_host, "no ring address while changing");
	fake_regions(r);
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_set(fake.base.dev, r, 3), "set");
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(fake.base.id, 0, 0, &qi), "after change");
	TEST_ASSERT(qi.ring_host == fake.mem, "ring address again");
	TEST_ASSERT_EQUAL(qi.mem_generation, 2, "new generation");
	TEST_ASSERT_SUCCESS(rte_emudev_mem_table_get(fake.base.id, &t), "get");
	TEST_ASSERT(rte_emudev_translate(t, NULL, qi.ring_gpa, 16 * FAKE_RING_SIZE,
					 RTE_EMUDEV_MEM_WRITE) == qi.ring_host,
		    "same as translate");

	/* Bad arguments. */
	TEST_ASSERT_EQUAL(rte_emudev_queue_info_get(fake.base.id, 0, FAKE_NB_QP, &qi), -EINVAL,
			  "qid out of range (provider)");
	TEST_ASSERT_EQUAL(rte_emudev_queue_info_get(fake.base.id, RTE_EMUDEV_QUEUE_DIR_MAX, 0, &qi),
			  -EINVAL, "bad direction");
	TEST_ASSERT_EQUAL(
		rte_emudev_queue_info_get(fake.base.id, (enum rte_emudev_queue_dir) - 1, 0, &qi),
		-EINVAL, "negative direction");
	TEST_ASSERT_EQUAL(rte_emudev_queue_info_get(fake.base.id, 0, 0, NULL), -EINVAL,
			  "NULL info");
	return TEST_SUCCESS;
}

static void
unregister_self_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	record_cb(dev_id, ev, arg);
	if (rte_emudev_event_unregister(dev_id, RTE_EMUDEV_EVENT_ALL, unregister_self_cb, arg) != 0)
		printf("self-unregistration failed\n");
}

static void
register_other_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	record_cb(dev_id, ev, arg);
	/* Registered during a delivery: gets the next events only. */
	if (rte_emudev_event_register(dev_id, RTE_EMUDEV_EVENT_ALL, record_cb,
				      (void *)(uintptr_t)&who_d) != 0)
		printf("registration from a callback failed\n");
	if (rte_emudev_event_unregister(dev_id, RTE_EMUDEV_EVENT_ALL, register_other_cb, arg) != 0)
		printf("self-unregistration failed\n");
}

static int
test_events(void)
{
	void *a = (void *)(uintptr_t)&who_a, *b = (void *)(uintptr_t)&who_b;
	void *c = (void *)(uintptr_t)&who_c;
	struct rte_emudev_event ev;

	evlog_clear();
	TEST_ASSERT_SUCCESS(
		rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_ALL, record_cb, a), "A");
	TEST_ASSERT_SUCCESS(rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_QUEUE_ENABLED,
						      record_cb, b),
			    "B");
	TEST_ASSERT_SUCCESS(
		rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_ALL, record_cb, c), "C");
	TEST_ASSERT_EQUAL(
		rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_ALL, record_cb, c),
		-EEXIST, "duplicate");
	TEST_ASSERT_SUCCESS(
		rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_RESET, record_cb, b),
		"same cb and arg for another type");

	memset(&ev, 0, sizeof(ev));
	ev.type = RTE_EMUDEV_EVENT_QUEUE_ENABLED;
	ev.queue.dir = RTE_EMUDEV_QUEUE_GUEST_RX;
	ev.queue.qid = 1;
	TEST_ASSERT_SUCCESS(rte_emudev_event_raise(fake.base.dev, &ev), "raise QUEUE_ENABLED");
	ev.type = RTE_EMUDEV_EVENT_QUEUE_DISABLED;
	ev.queue.dir = RTE_EMUDEV_QUEUE_GUEST_TX;
	ev.queue.qid = 0;
	TEST_ASSERT_SUCCESS(rte_emudev_event_raise(fake.base.dev, &ev), "raise QUEUE_DISABLED");
	TEST_ASSERT_SUCCESS(raise_type(RTE_EMUDEV_EVENT_RESET), "RESET");
	TEST_ASSERT_SUCCESS(raise_type(RTE_EMUDEV_EVENT_DEVICE_READY), "READY");
	TEST_ASSERT_SUCCESS(raise_type(RTE_EMUDEV_EVENT_CLIENT_GONE), "GONE");
	TEST_ASSERT(strcmp(evlog_str(), "A:0 B:0 C:0 A:1 C:1 A:4 C:4 B:4 A:5 C:5 A:6 C:6") == 0,
		    "order: %s", evlog_str());
	TEST_ASSERT_EQUAL(evlog.e[0].ev.queue.dir, RTE_EMUDEV_QUEUE_GUEST_RX, "queue dir");
	TEST_ASSERT_EQUAL(evlog.e[0].ev.queue.qid, 1, "queue id");
	TEST_ASSERT_EQUAL(evlog.e[3].ev.queue.dir, RTE_EMUDEV_QUEUE_GUEST_TX, "queue dir");
	TEST_ASSERT_EQUAL(evlog.e[3].ev.queue.qid, 0, "queue id");
	TEST_ASSERT_EQUAL(evlog.e[0].dev_id, fake.base.id, "dev id");

	/* Unregistration stops deliveries. */
	evlog_clear();
	TEST_ASSERT_SUCCESS(rte_emudev_event_unregister(
				    fake.base.id, RTE_EMUDEV_EVENT_QUEUE_ENABLED, record_cb, b),
			    "unregister B");
	TEST_ASSERT_EQUAL(rte_emudev_event_unregister(fake.base.id, RTE_EMUDEV_EVENT_QUEUE_ENABLED,
						      record_cb, b),
			  -ENOENT, "twice");
	TEST_ASSERT_EQUAL(
		rte_emudev_event_unregister(fake.base.id, RTE_EMUDEV_EVENT_RESET, record_cb, a),
		-ENOENT, "wrong type");
	TEST_ASSERT_EQUAL(
		rte_emudev_event_unregister(fake.base.id, RTE_EMUDEV_EVENT_ALL, record_cb, b),
		-ENOENT, "wrong arg");
	ev.type = RTE_EMUDEV_EVENT_QUEUE_ENABLED;
	TEST_ASSERT_SUCCESS(rte_emudev_event_raise(fake.base.dev, &ev), "raise");
	TEST_ASSERT(strcmp(evlog_str(), "A:0 C:0") == 0, "after unregistering B: %s", evlog_str());

	/* Self-unregistration, and registration during a delivery. */
	evlog_clear();
	TEST_ASSERT_SUCCESS(
		rte_emudev_event_unregister(fake.base.id, RTE_EMUDEV_EVENT_ALL, record_cb, c),
		"unregister C");
	TEST_ASSERT_SUCCESS(rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_ALL,
						      unregister_self_cb, c),
			    "self-unregistering C");
	TEST_ASSERT_SUCCESS(
		rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_ALL, register_other_cb, b),
		"registering B");
	TEST_ASSERT_SUCCESS(raise_type(RTE_EMUDEV_EVENT_DEVICE_READY), "first");
	TEST_ASSERT_SUCCESS(raise_type(RTE_EMUDEV_EVENT_CLIENT_GONE), "second");
	TEST_ASSERT(strcmp(evlog_str(), "A:5 C:5 B:5 A:6 D:6") == 0, "%s", evlog_str());

	/* Bad arguments. */
	TEST_ASSERT_EQUAL(
		rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_ALL + 1, record_cb, a),
		-EINVAL, "bad type");
	TEST_ASSERT_EQUAL(rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_ALL, NULL, a),
			  -EINVAL, "NULL cb");
	TEST_ASSERT_EQUAL(
		rte_emudev_event_unregister(fake.base.id, RTE_EMUDEV_EVENT_ALL + 1, record_cb, a),
		-EINVAL, "bad type");
	TEST_ASSERT_EQUAL(rte_emudev_event_unregister(fake.base.id, RTE_EMUDEV_EVENT_ALL, NULL, a),
			  -EINVAL, "NULL cb");
	evlog_clear();
	TEST_ASSERT_EQUAL(raise_type(RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED), -EINVAL,
			  "CHANGED raised by the library only");
	TEST_ASSERT_EQUAL(raise_type(RTE_EMUDEV_EVENT_REMOVED), -EINVAL,
			  "REMOVED raised by the library only");
	TEST_ASSERT_EQUAL(raise_type(RTE_EMUDEV_EVENT_MAX), -EINVAL, "type MAX");
	TEST_ASSERT_EQUAL(raise_type((enum rte_emudev_event_type) - 1), -EINVAL, "type -1");
	ev.type = RTE_EMUDEV_EVENT_QUEUE_ENABLED;
	ev.queue.dir = RTE_EMUDEV_QUEUE_DIR_MAX;
	TEST_ASSERT_EQUAL(rte_emudev_event_raise(fake.base.dev, &ev), -EINVAL,
			  "bad queue direction");
	TEST_ASSERT_EQUAL(rte_emudev_event_raise(NULL, &ev), -EINVAL, "NULL dev");
	TEST_ASSERT_EQUAL(rte_emudev_event_raise(fake.base.dev, NULL), -EINVAL, "NULL event");
	TEST_ASSERT_EQUAL(evlog.n, 0, "nothing delivered: %s", evlog_str());

	TEST_ASSERT(strcmp(rte_emudev_event_name(RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING),
			   "MEM_TABLE_CHANGING") == 0,
		    "event name");
	TEST_ASSERT(strcmp(rte_emudev_event_name(RTE_EMUDEV_EVENT_MAX), "unknown") == 0,
		    "bad event name");
	return TEST_SUCCESS;
}

/* ------------------------------------------------ unregister vs delivery */

struct slow_cb_ctx {
	int in_cb;
	int go;
	int unreg_done;
	int raise_done;
	int timed_out;
};

static void
slow_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	struct slow_cb_ctx *ctx = arg;

	RTE_SET_USED(dev_id);
	RTE_SET_USED(ev);
	__atomic_store_n(&ctx->in_cb, 1, __ATOMIC_RELEASE);
	if (!wait_flag(&ctx->go))
		__atomic_store_n(&ctx->timed_out, 1, __ATOMIC_RELEASE);
}

static void *
raise_thread(void *arg)
{
	struct slow_cb_ctx *ctx = arg;

	raise_type(RTE_EMUDEV_EVENT_DEVICE_READY);
	__atomic_store_n(&ctx->raise_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *
unreg_thread(void *arg)
{
	struct slow_cb_ctx *ctx = arg;

	if (rte_emudev_event_unregister(fake.base.id, RTE_EMUDEV_EVENT_DEVICE_READY, slow_cb,
					ctx) == 0)
		__atomic_store_n(&ctx->unreg_done, 1, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&ctx->unreg_done, -1, __ATOMIC_RELEASE);
	return NULL;
}

static int
test_event_unregister_waits(void)
{
	struct slow_cb_ctx ctx = {0};
	pthread_t raiser, unreg;
	bool ok;

	TEST_ASSERT_SUCCESS(rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_DEVICE_READY,
						      slow_cb, &ctx),
			    "register");
	TEST_ASSERT_SUCCESS(pthread_create(&raiser, NULL, raise_thread, &ctx), "thread");
	ok = wait_flag(&ctx.in_cb);
	if (ok && pthread_create(&unreg, NULL, unreg_thread, &ctx) == 0) {
		/* The unregistration must wait for the callback. */
		usleep(50 * 1000);
		ok = __atomic_load_n(&ctx.unreg_done, __ATOMIC_ACQUIRE) == 0;
		__atomic_store_n(&ctx.go, 1, __ATOMIC_RELEASE);
		pthread_join(unreg, NULL);
	} else {
		ok = false;
		__atomic_store_n(&ctx.go, 1, __ATOMIC_RELEASE);
	}
	pthread_join(raiser, NULL);
	TEST_ASSERT(ok, "unregistration returned while the callback ran");
	TEST_ASSERT_EQUAL(ctx.unreg_done, 1, "unregistered");
	TEST_ASSERT_EQUAL(ctx.raise_done, 1, "raise returned");
	TEST_ASSERT_EQUAL(ctx.timed_out, 0, "callback timed out");
	/* Not called again. */
	ctx.in_cb = 0;
	ctx.go = 1;
	TEST_ASSERT_SUCCESS(raise_type(RTE_EMUDEV_EVENT_DEVICE_READY), "raise");
	TEST_ASSERT_EQUAL(ctx.in_cb, 0, "called after unregistration");
	return TEST_SUCCESS;
}

/* ---------------------------------------------------- quiescing contract */

struct consumer {
	struct rte_emudev_qstate qs;
	const struct rte_emudev_mem_table *table; /* published to the poller */
	uint64_t gpa; /* the poller's buffer */
	uint64_t iterations; /* bursts done */
	uint64_t touched_after_change; /* contract violations */
	int memory_gone; /* set once old memory is freed */
	int quit;
	int changing_seen, changed_seen;
};

static struct consumer cons;

static void *
poller(void *arg)
{
	struct rte_emudev_xlate_cache cache = {0};
	struct consumer *c = arg;

	RTE_SET_USED(arg);
	while (!__atomic_load_n(&c->quit, __ATOMIC_ACQUIRE)) {
		uint64_t *p;

		if (!rte_emudev_qstate_enter(&c->qs)) {
			rte_pause();
			continue;
		}
		if (__atomic_load_n(&c->memory_gone, __ATOMIC_ACQUIRE))
			c->touched_after_change++;
		p = rte_emudev_translate(c->table, &cache, c->gpa, sizeof(*p),
					 RTE_EMUDEV_MEM_READ | RTE_EMUDEV_MEM_WRITE);
		if (p != NULL) /* the "packet" (atomic: the test reads it too) */
			__atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
		rte_emudev_qstate_leave(&c->qs);
		__atomic_fetch_add(&c->iterations, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void
consumer_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	struct consumer *c = arg;

	switch (ev->type) {
	case RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING:
		rte_emudev_qstate_stop(&c->qs);
		c->table = NULL;
		c->changing_seen++;
		break;
	case RTE_EMUDEV_EVENT_MEM_TABLE_CHANGED:
		if (rte_emudev_mem_table_get(dev_id, &c->table) == 0 && c->table == ev->mem.table)
			c->changed_seen++;
		rte_emudev_qstate_start(&c->qs);
		break;
	default:
		break;
	}
}

static int
test_quiesce(void)
{
	struct rte_emudev_mem_region r = {0};
	uint8_t *old_mem, *new_mem;
	uint64_t *old_word, *new_word, it;
	pthread_t th;
	int ret = TEST_SUCCESS;
	unsigned int round;

	memset(&cons, 0, sizeof(cons));
	rte_emudev_qstate_init(&cons.qs);
	cons.gpa = MEM_A_GPA + 0x100;
	old_mem = calloc(1, MEM_AB_SIZE);
	TEST_ASSERT_NOT_NULL(old_mem, "alloc");
	r.guest_phys_addr = MEM_A_GPA;
	r.size = MEM_AB_SIZE;
	r.host_addr = old_mem;
	r.prot = RTE_EMUDEV_MEM_READ | RTE_EMUDEV_MEM_WRITE;
	if (rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_ALL, consumer_cb, &cons) !=
		    0 ||
	    rte_emudev_mem_table_set(fake.base.dev, &r, 1) != 0 || cons.changed_seen != 1 ||
	    pthread_create(&th, NULL, poller, &cons) != 0) {
		free(old_mem);
		printf("cannot set up the consumer\n");
		return TEST_FAILED;
	}

	for (round = 0; round < 20 && ret == TEST_SUCCESS; round++) {
		old_word = RTE_PTR_ADD(old_mem, 0x100);
		/* The data path runs. */
		it = __atomic_load_n(&cons.iterations, __ATOMIC_ACQUIRE);
		if (!wait_u64(&cons.iterations, it + 100, WAIT_MS) ||
		    __atomic_load_n(old_word, __ATOMIC_RELAXED) == 0) {
			printf("round %u: the poller does not progress\n", round);
			ret = TEST_FAILED;
			break;
		}
		/* Provider: memory is about to go. */
		if (raise_type(RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING) != 0) {
			ret = TEST_FAILED;
			break;
		}
		/* The callback returned: nobody may touch old_mem any more. */
		__atomic_store_n(&cons.memory_gone, 1, __ATOMIC_RELEASE);
		memset(old_mem, 0xa5, MEM_AB_SIZE);
		free(old_mem); /* ASan reports a use after this */
		usleep(1000);
		new_mem = calloc(1, MEM_AB_SIZE);
		if (new_mem == NULL) {
			ret = TEST_FAILED;
			break;
		}
		r.host_addr = new_mem;
		__atomic_store_n(&cons.memory_gone, 0, __ATOMIC_RELEASE);
		if (rte_emudev_mem_table_set(fake.base.dev, &r, 1) != 0) {
			free(new_mem);
			ret = TEST_FAILED;
			break;
		}
		old_mem = new_mem;
		new_word = RTE_PTR_ADD(new_mem, 0x100);
		/* The data path resumes on the new memory. */
		it = __atomic_load_n(&cons.iterations, __ATOMIC_ACQUIRE);
		if (!wait_u64(&cons.iterations, it + 100, WAIT_MS) ||
		    __atomic_load_n(new_word, __ATOMIC_RELAXED) == 0) {
			printf("round %u: the poller did not resume\n", round);
			ret = TEST_FAILED;
		}
	}
	__atomic_store_n(&cons.quit, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	rte_emudev_event_unregister(fake.base.id, RTE_EMUDEV_EVENT_ALL, consumer_cb, &cons);
	/* Unregister happens in teardown; the table points to old_mem until then. */
	rte_emudev_mem_table_set(fake.base.dev, NULL, 0);
	free(old_mem);
	TEST_ASSERT_EQUAL(ret, TEST_SUCCESS, "rounds");
	TEST_ASSERT_EQUAL(cons.touched_after_change, 0, "data path used freed memory");
	TEST_ASSERT_EQUAL(cons.changing_seen, 21, "CHANGING events");
	TEST_ASSERT_EQUAL(cons.changed_seen, 21, "CHANGED events");
	return TEST_SUCCESS;
}

struct hold_ctx {
	struct rte_emudev_qstate *qs;
	int inside;
	int release;
	int stopped;
};

static void *
hold_thread(void *arg)
{
	struct hold_ctx *h = arg;

	if (!rte_emudev_qstate_enter(h->qs))
		return NULL;
	__atomic_store_n(&h->inside, 1, __ATOMIC_RELEASE);
	wait_flag(&h->release);
	rte_emudev_qstate_leave(h->qs);
	return NULL;
}

static void *
stop_thread(void *arg)
{
	struct hold_ctx *h = arg;

	rte_emudev_qstate_stop(h->qs);
	__atomic_store_n(&h->stopped, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int
test_qstate(void)
{
	struct rte_emudev_qstate qs;
	struct hold_ctx h = {.qs = &qs};
	pthread_t holder, stopper;
	bool waited;

	rte_emudev_qstate_init(&qs);
	TEST_ASSERT(rte_emudev_qstate_is_stopped(&qs), "initially stopped");
	TEST_ASSERT(!rte_emudev_qstate_enter(&qs), "enter a stopped queue");
	rte_emudev_qstate_stop(&qs); /* stopping a stopped queue returns */
	TEST_ASSERT(rte_emudev_qstate_start(&qs), "start");
	TEST_ASSERT(!rte_emudev_qstate_start(&qs), "start a started queue");
	TEST_ASSERT(rte_emudev_qstate_enter(&qs), "enter");
	TEST_ASSERT(!rte_emudev_qstate_enter(&qs), "enter twice");
	TEST_ASSERT(!rte_emudev_qstate_start(&qs), "start while busy");
	rte_emudev_qstate_leave(&qs);
	TEST_ASSERT_EQUAL(qs.state, RTE_EMUDEV_QSTATE_READY, "ready after leave");
	rte_emudev_qstate_stop(&qs);
	TEST_ASSERT(rte_emudev_qstate_is_stopped(&qs), "stopped");
	qs.state = 1234;
	rte_emudev_qstate_stop(&qs);
	TEST_ASSERT(rte_emudev_qstate_is_stopped(&qs), "garbage state stopped");

	/* stop waits for the data path to leave. */
	TEST_ASSERT(rte_emudev_qstate_start(&qs), "start");
	TEST_ASSERT_SUCCESS(pthread_create(&holder, NULL, hold_thread, &h), "holder");
	if (!wait_flag(&h.inside)) {
		__atomic_store_n(&h.release, 1, __ATOMIC_RELEASE);
		pthread_join(holder, NULL);
		TEST_ASSERT(false, "holder did not enter");
	}
	if (pthread_create(&stopper, NULL, stop_thread, &h) != 0) {
		__atomic_store_n(&h.release, 1, __ATOMIC_RELEASE);
		pthread_join(holder, NULL);
		TEST_ASSERT(false, "stopper");
	}
	usleep(50 * 1000);
	waited = __atomic_load_n(&h.stopped, __ATOMIC_ACQUIRE) == 0 &&
		__atomic_load_n(&qs.state, __ATOMIC_ACQUIRE) == RTE_EMUDEV_QSTATE_STOPPING;
	__atomic_store_n(&h.release, 1, __ATOMIC_RELEASE);
	pthread_join(holder, NULL);
	pthread_join(stopper, NULL);
	TEST_ASSERT(waited, "stop returned while the data path was inside");
	TEST_ASSERT_EQUAL(h.stopped, 1, "stop returned");
	TEST_ASSERT(rte_emudev_qstate_is_stopped(&qs), "stopped after leave");
	TEST_ASSERT(!rte_emudev_qstate_enter(&qs), "enter after stop");
	return TEST_SUCCESS;
}

/* ---------------------------------------------------------------- rest */

static int
test_irq(void)
{
	struct rte_emudev_params p = fake_params("minimal");
	struct rte_emudev *min;
	int ret;

	fake.irq_armed[1] = true;
	TEST_ASSERT_SUCCESS(rte_emudev_irq_trigger(fake.base.id, 1), "trigger armed");
	TEST_ASSERT_SUCCESS(rte_emudev_irq_trigger(fake.base.id, 1), "trigger armed");
	TEST_ASSERT_EQUAL(fake.irq_count[1], 2, "provider got 2");
	TEST_ASSERT_EQUAL(rte_emudev_irq_trigger(fake.base.id, 0), -EAGAIN, "not armed");
	TEST_ASSERT_EQUAL(fake.irq_count[0], 0, "provider got none");
	TEST_ASSERT_EQUAL(rte_emudev_irq_trigger(fake.base.id, FAKE_NB_VEC), -EINVAL, "bad vector");
	TEST_ASSERT_EQUAL(rte_emudev_irq_trigger(RTE_EMUDEV_MAX_DEVS, 0), -ENODEV, "bad id");
	TEST_ASSERT_EQUAL(rte_emudev_irq_trigger(UINT16_MAX, 0), -ENODEV, "bad id");

	p.ops = &min_ops;
	p.attrs = NULL;
	p.nb_attrs = 0;
	min = rte_emudev_register(&p);
	TEST_ASSERT_NOT_NULL(min, "register a minimal device");
	ret = rte_emudev_irq_trigger(rte_emudev_dev_id(min), 0);
	rte_emudev_unregister(min);
	TEST_ASSERT_EQUAL(ret, -ENOTSUP, "no irq_trigger operation");
	return TEST_SUCCESS;
}

static int
test_attrs(void)
{
	struct rte_emudev_attr_desc descs[NB_FAKE_ATTRS + 2];
	uint8_t buf[16], up = 1;
	uint32_t speed = 25000;
	char longname[RTE_EMUDEV_ATTR_NAME_MAX_LEN + 4];

	memset(descs, 0, sizeof(descs));
	TEST_ASSERT_EQUAL(rte_emudev_attr_list(fake.base.id, NULL, 0), NB_FAKE_ATTRS, "count");
	TEST_ASSERT_EQUAL(rte_emudev_attr_list(fake.base.id, descs, 2), NB_FAKE_ATTRS, "list 2");
	TEST_ASSERT(strcmp(descs[1].name, RTE_EMUDEV_ATTR_LINK_UP) == 0, "name 1");
	TEST_ASSERT(descs[2].name[0] == '\0', "only 2 copied");
	TEST_ASSERT_EQUAL(rte_emudev_attr_list(fake.base.id, descs, RTE_DIM(descs)), NB_FAKE_ATTRS,
			  "list all");
	TEST_ASSERT(memcmp(descs, fake_attrs, sizeof(fake_attrs)) == 0, "descriptions");
	TEST_ASSERT_EQUAL(rte_emudev_attr_list(fake.base.id, NULL, 1), -EINVAL, "NULL descs");

	/* Read. */
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, RTE_EMUDEV_ATTR_MAC, NULL, 0), 6,
			  "size query");
	memset(buf, 0, sizeof(buf));
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, RTE_EMUDEV_ATTR_MAC, buf, sizeof(buf)),
			  6, "get mac");
	TEST_ASSERT(memcmp(buf, fake.base.mac, 6) == 0 && buf[6] == 0, "mac value");
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, RTE_EMUDEV_ATTR_MAC, buf, 5), -ENOSPC,
			  "short buffer");
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, RTE_EMUDEV_ATTR_MAC, NULL, 6), -EINVAL,
			  "NULL buffer");
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, RTE_EMUDEV_ATTR_LINK_SPEED, buf, 4),
			  -ENOTSUP, "write-only");
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, "nope", buf, 16), -ENOENT, "unknown");
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, "", buf, 16), -ENOENT, "empty name");
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, "MAC", buf, 16), -ENOENT, "case");
	memset(longname, 'm', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, longname, buf, 16), -ENOENT,
			  "long name");
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, NULL, buf, 16), -EINVAL, "NULL name");
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, "broken", buf, 16), -EIO,
			  "provider error");

	/* Write. */
	TEST_ASSERT_SUCCESS(rte_emudev_attr_set(fake.base.id, RTE_EMUDEV_ATTR_LINK_UP, &up, 1),
			    "link up");
	TEST_ASSERT_EQUAL(fake.base.link_up, 1, "provider saw link up");
	TEST_ASSERT_EQUAL(rte_emudev_attr_get(fake.base.id, RTE_EMUDEV_ATTR_LINK_UP, buf, 1), 1,
			  "read back");
	TEST_ASSERT_EQUAL(buf[0], 1, "link up read back");
	TEST_ASSERT_SUCCESS(
		rte_emudev_attr_set(fake.base.id, RTE_EMUDEV_ATTR_LINK_SPEED, &speed, 4), "speed");
	TEST_ASSERT_EQUAL(fake.base.link_speed, 25000, "provider saw the speed");
	TEST_ASSERT_EQUAL(rte_emudev_attr_set(fake.base.id, RTE_EMUDEV_ATTR_LINK_SPEED, &speed, 2),
			  -EINVAL, "short value");
	TEST_ASSERT_EQUAL(rte_emudev_attr_set(fake.base.id, RTE_EMUDEV_ATTR_LINK_SPEED, &speed, 8),
			  -EINVAL, "long value");
	TEST_ASSERT_EQUAL(rte_emudev_attr_set(fake.base.id, RTE_EMUDEV_ATTR_MAC, buf, 6), -ENOTSUP,
			  "read-only");
	TEST_ASSERT_EQUAL(rte_emudev_attr_set(fake.base.id, "nope", buf, 1), -ENOENT, "unknown");
	TEST_ASSERT_EQUAL(rte_emudev_attr_set(fake.base.id, NULL, buf, 1), -EINVAL, "NULL name");
	TEST_ASSERT_EQUAL(rte_emudev_attr_set(fake.base.id, RTE_EMUDEV_ATTR_LINK_UP, NULL, 1),
			  -EINVAL, "NULL value");
	TEST_ASSERT_EQUAL(rte_emudev_attr_set(fake.base.id, "broken", buf, 8), -EIO,
			  "provider error");
	return TEST_SUCCESS;
}

static int
test_lifecycle(void)
{
	struct rte_emudev_conf conf = {.max_queue_pairs = 1};
	struct rte_emudev_params p = fake_params("minimal");
	struct rte_emudev *min;
	uint16_t min_id;
	int r1, r2, r3, r4;

	TEST_ASSERT_EQUAL(rte_emudev_start(fake.base.id), -EINVAL, "start before configure");
	TEST_ASSERT_SUCCESS(rte_emudev_close(fake.base.id), "close a closed device");
	TEST_ASSERT_SUCCESS(rte_emudev_stop(fake.base.id), "stop a closed device");
	TEST_ASSERT_EQUAL(fake.base.nb_start + fake.base.nb_stop + fake.base.nb_close, 0,
			  "no operations");
	TEST_ASSERT_EQUAL(rte_emudev_configure(fake.base.id, NULL), -EINVAL, "NULL conf");
	conf.flags = 1;
	TEST_ASSERT_EQUAL(rte_emudev_configure(fake.base.id, &conf), -EINVAL, "reserved flags");
	conf.flags = 0;
	conf.max_queue_pairs = FAKE_NB_QP + 1;
	TEST_ASSERT_EQUAL(rte_emudev_configure(fake.base.id, &conf), -EINVAL, "provider refusal");
	TEST_ASSERT_EQUAL(rte_emudev_start(fake.base.id), -EINVAL,
			  "refused configure: not configured");
	conf.max_queue_pairs = 1;
	TEST_ASSERT_SUCCESS(rte_emudev_configure(fake.base.id, &conf), "configure");
	TEST_ASSERT_EQUAL(fake.base.conf_max_qp, 1, "provider saw the configuration");

	fake.start_ret = -EIO;
	TEST_ASSERT_EQUAL(rte_emudev_start(fake.base.id), -EIO, "provider start failure");
	fake.start_ret = 0;
	TEST_ASSERT_EQUAL(fake.base.nb_start, 0, "failed start not counted");
	TEST_ASSERT_SUCCESS(rte_emudev_start(fake.base.id), "start");
	TEST_ASSERT_SUCCESS(rte_emudev_start(fake.base.id), "start again");
	TEST_ASSERT_EQUAL(fake.base.nb_start, 1, "one start");
	TEST_ASSERT_EQUAL(rte_emudev_configure(fake.base.id, &conf), -EBUSY, "configure started");
	TEST_ASSERT_EQUAL(rte_emudev_close(fake.base.id), -EBUSY, "close started");
	TEST_ASSERT_SUCCESS(rte_emudev_stop(fake.base.id), "stop");
	TEST_ASSERT_SUCCESS(rte_emudev_stop(fake.base.id), "stop again");
	TEST_ASSERT_EQUAL(fake.base.nb_stop, 1, "one stop");
	TEST_ASSERT_SUCCESS(rte_emudev_configure(fake.base.id, &conf), "reconfigure when stopped");
	TEST_ASSERT_EQUAL(fake.base.nb_configure, 2, "two configures");
	TEST_ASSERT_SUCCESS(rte_emudev_start(fake.base.id), "restart");
	TEST_ASSERT_SUCCESS(rte_emudev_stop(fake.base.id), "stop");
	TEST_ASSERT_SUCCESS(rte_emudev_close(fake.base.id), "close");
	TEST_ASSERT_SUCCESS(rte_emudev_close(fake.base.id), "close again");
	TEST_ASSERT_EQUAL(fake.base.nb_close, 1, "one close");
	TEST_ASSERT_EQUAL(rte_emudev_start(fake.base.id), -EINVAL, "start after close");

	/* Without lifecycle operations the states change all the same. */
	p.ops = &min_ops;
	p.attrs = NULL;
	p.nb_attrs = 0;
	min = rte_emudev_register(&p);
	TEST_ASSERT_NOT_NULL(min, "register a minimal device");
	min_id = rte_emudev_dev_id(min);
	r1 = rte_emudev_configure(min_id, &conf);
	r2 = rte_emudev_start(min_id);
	r3 = rte_emudev_close(min_id);
	r4 = rte_emudev_stop(min_id) || rte_emudev_close(min_id);
	rte_emudev_unregister(min);
	TEST_ASSERT(r1 == 0 && r2 == 0 && r3 == -EBUSY && r4 == 0, "minimal lifecycle %d %d %d %d",
		    r1, r2, r3, r4);
	return TEST_SUCCESS;
}

static int
stats_cb(uint16_t dev_id, struct rte_emudev_stats *s, void *arg)
{
	int *ret = arg;

	if (dev_id != fake.base.id || s->rx_bytes != 0)
		return -EFAULT;
	s->rx_bytes = 1000;
	s->rx_unicast = 10;
	s->tx_bytes = 2000;
	s->tx_errors = 3;
	return *ret;
}

static int
stats_cb2(uint16_t dev_id, struct rte_emudev_stats *s, void *arg)
{
	RTE_SET_USED(dev_id);
	RTE_SET_USED(s);
	RTE_SET_USED(arg);
	return 0;
}

static int
test_stats(void)
{
	struct rte_emudev_stats s;
	int cb_ret = 0;

	memset(&s, 0xff, sizeof(s));
	TEST_ASSERT_EQUAL(rte_emudev_stats_get(fake.base.dev, &s), -ENOENT, "no callback");
	TEST_ASSERT_EQUAL(s.rx_bytes, 0, "zeroed without a callback");
	TEST_ASSERT_SUCCESS(rte_emudev_stats_cb_set(fake.base.id, stats_cb, &cb_ret), "set");
	TEST_ASSERT_EQUAL(rte_emudev_stats_cb_set(fake.base.id, stats_cb2, NULL), -EEXIST,
			  "second");
	memset(&s, 0xff, sizeof(s));
	TEST_ASSERT_SUCCESS(rte_emudev_stats_get(fake.base.dev, &s), "get");
	TEST_ASSERT(s.rx_bytes == 1000 && s.rx_unicast == 10 && s.tx_bytes == 2000 &&
			    s.tx_errors == 3 && s.rx_multicast == 0 && s.tx_discards == 0,
		    "values");
	cb_ret = -EIO;
	TEST_ASSERT_EQUAL(rte_emudev_stats_get(fake.base.dev, &s), -EIO, "callback error");
	TEST_ASSERT_EQUAL(rte_emudev_stats_get(NULL, &s), -EINVAL, "NULL dev");
	TEST_ASSERT_EQUAL(rte_emudev_stats_get(fake.base.dev, NULL), -EINVAL, "NULL stats");
	TEST_ASSERT_SUCCESS(rte_emudev_stats_cb_set(fake.base.id, NULL, NULL), "clear");
	TEST_ASSERT_EQUAL(rte_emudev_stats_get(fake.base.dev, &s), -ENOENT, "cleared");
	TEST_ASSERT_SUCCESS(rte_emudev_stats_cb_set(fake.base.id, stats_cb2, NULL), "set another");
	TEST_ASSERT_SUCCESS(rte_emudev_stats_get(fake.base.dev, &s), "get");
	return TEST_SUCCESS;
}

/* --------------------------------------------------- removal under use */

struct user_ctx {
	uint16_t id;
	int quit;
	int started;
	uint64_t calls;
	uint64_t ok;
	uint64_t enodev;
	uint64_t other;
	int removed_seen;
	int removed_valid;
	int unregister_in_cb;
};

static void *
user_thread(void *arg)
{
	struct user_ctx *u = arg;
	struct rte_emudev_info info;
	struct rte_emudev_queue_info qi;
	const struct rte_emudev_mem_table *t;
	uint8_t mac[6];
	int r1, r2, r3, r4;

	__atomic_store_n(&u->started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&u->quit, __ATOMIC_ACQUIRE)) {
		r1 = rte_emudev_info_get(u->id, &info);
		r2 = rte_emudev_queue_info_get(u->id, 0, 0, &qi);
		r3 = rte_emudev_attr_get(u->id, RTE_EMUDEV_ATTR_MAC, mac, sizeof(mac));
		r4 = rte_emudev_mem_table_get(u->id, &t);
		if (r1 == 0 && r2 == 0 && r3 == 6 && r4 == 0)
			u->ok++;
		else if (r1 == -ENODEV && r2 == -ENODEV && r3 == -ENODEV && r4 == -ENODEV)
			u->enodev++;
		else if (!(r1 == 0 || r1 == -ENODEV) || !(r2 == 0 || r2 == -ENODEV))
			u->other++; /* a mix of 0 and -ENODEV is a race, fine */
		__atomic_fetch_add(&u->calls, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void
removed_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	struct user_ctx *u = arg;

	if (ev->type != RTE_EMUDEV_EVENT_REMOVED || dev_id != u->id)
		return;
	u->removed_seen++;
	/* The device is already invalid for consumers. */
	u->removed_valid = rte_emudev_is_valid(dev_id);
}

static void
unregister_in_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	struct user_ctx *u = arg;

	RTE_SET_USED(dev_id);
	RTE_SET_USED(ev);
	u->unregister_in_cb = rte_emudev_unregister(fake.base.dev);
}

static int
test_unregister_in_use(void)
{
	struct user_ctx u = {.id = fake.base.id};
	struct rte_emudev_info info;
	pthread_t th;
	uint16_t id;
	uint64_t c;
	int ret;

	/* Not from an operation nor from a callback. */
	fake.unregister_in_op = true;
	TEST_ASSERT_SUCCESS(rte_emudev_configure(fake.base.id, &(struct rte_emudev_conf){0}),
			    "conf");
	ret = rte_emudev_start(fake.base.id);
	fake.unregister_in_op = false;
	TEST_ASSERT_EQUAL(ret, -EPERM, "start");
	TEST_ASSERT_EQUAL(fake.unregister_in_op_ret, -EDEADLK, "unregister from an operation");
	TEST_ASSERT_SUCCESS(rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_DEVICE_READY,
						      unregister_in_cb, &u),
			    "register");
	TEST_ASSERT_SUCCESS(raise_type(RTE_EMUDEV_EVENT_DEVICE_READY), "raise");
	TEST_ASSERT_EQUAL(u.unregister_in_cb, -EDEADLK, "unregister from a callback");
	TEST_ASSERT(rte_emudev_is_valid(fake.base.id), "still registered");

	/* A consumer thread hammers the device while it goes away. */
	TEST_ASSERT_SUCCESS(
		rte_emudev_event_register(fake.base.id, RTE_EMUDEV_EVENT_ALL, removed_cb, &u),
		"register");
	TEST_ASSERT_SUCCESS(rte_emudev_start(fake.base.id), "start");
	TEST_ASSERT_SUCCESS(pthread_create(&th, NULL, user_thread, &u), "thread");
	if (!wait_flag(&u.started) || !wait_u64(&u.calls, 100, WAIT_MS)) {
		__atomic_store_n(&u.quit, 1, __ATOMIC_RELEASE);
		pthread_join(th, NULL);
		TEST_ASSERT(false, "consumer thread does not run");
	}
	/* Started and held: unregister anyway. */
	ret = rte_emudev_unregister(fake.base.dev);
	if (ret == 0)
		fake.base.dev = NULL;
	c = __atomic_load_n(&u.calls, __ATOMIC_ACQUIRE);
	ret = ret != 0 ? ret : !wait_u64(&u.calls, c + 100, WAIT_MS);
	__atomic_store_n(&u.quit, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	TEST_ASSERT_SUCCESS(ret, "unregister while held");
	TEST_ASSERT_EQUAL(u.removed_seen, 1, "REMOVED delivered once");
	TEST_ASSERT_EQUAL(u.removed_valid, 0, "invalid during REMOVED");
	TEST_ASSERT(u.ok > 0 && u.enodev > 0, "calls before (%" PRIu64 ") and after (%" PRIu64 ")",
		    u.ok, u.enodev);
	TEST_ASSERT_EQUAL(u.other, 0, "unexpected results");
	TEST_ASSERT_EQUAL(fake.base.nb_stop, 0, "no stop operation on unregister");

	/* The id is dead. */
	TEST_ASSERT(!rte_emudev_is_valid(u.id), "id invalid");
	TEST_ASSERT_EQUAL(rte_emudev_get_id_by_name(FAKE_NAME, &id), -ENODEV, "name gone");
	TEST_ASSERT_EQUAL(rte_emudev_info_get(u.id, &info), -ENODEV, "info");
	TEST_ASSERT_EQUAL(rte_emudev_irq_trigger(u.id, 0), -ENODEV, "irq");
	TEST_ASSERT_EQUAL(rte_emudev_stop(u.id), -ENODEV, "stop");
	TEST_ASSERT_EQUAL(rte_emudev_event_unregister(u.id, RTE_EMUDEV_EVENT_ALL, removed_cb, &u),
			  -ENODEV, "event unregister");
	return TEST_SUCCESS;
}

static int
test_bad_ids(void)
{
	const uint16_t ids[] = {RTE_EMUDEV_MAX_DEVS, RTE_EMUDEV_MAX_DEVS - 1, UINT16_MAX};
	const struct rte_emudev_mem_table *t;
	struct rte_emudev_queue_info qi;
	struct rte_emudev_info info;
	struct rte_emudev_conf conf = {0};
	struct rte_emudev_attr_desc d;
	uint8_t buf[8] = {0};
	unsigned int i;

	TEST_ASSERT(fake.base.id != RTE_EMUDEV_MAX_DEVS - 1, "fake device has the last id");
	for (i = 0; i < RTE_DIM(ids); i++) {
		uint16_t id = ids[i];

		TEST_ASSERT(!rte_emudev_is_valid(id), "valid %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_info_get(id, &info), -ENODEV, "info %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_mem_table_get(id, &t), -ENODEV, "mem %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_queue_info_get(id, 0, 0, &qi), -ENODEV, "q %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_irq_trigger(id, 0), -ENODEV, "irq %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_attr_list(id, &d, 1), -ENODEV, "attrs %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_attr_get(id, "mac", buf, 8), -ENODEV, "get %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_attr_set(id, "mac", buf, 6), -ENODEV, "set %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_configure(id, &conf), -ENODEV, "conf %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_start(id), -ENODEV, "start %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_stop(id), -ENODEV, "stop %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_close(id), -ENODEV, "close %u", id);
		TEST_ASSERT_EQUAL(
			rte_emudev_event_register(id, RTE_EMUDEV_EVENT_ALL, record_cb, NULL),
			-ENODEV, "register %u", id);
		TEST_ASSERT_EQUAL(
			rte_emudev_event_unregister(id, RTE_EMUDEV_EVENT_ALL, record_cb, NULL),
			-ENODEV, "unregister %u", id);
		TEST_ASSERT_EQUAL(rte_emudev_stats_cb_set(id, stats_cb2, NULL), -ENODEV, "stats %u",
				  id);
	}
	return TEST_SUCCESS;
}

static struct unit_test_suite emudev_suite = {
	.suite_name = "emudev autotest",
	.setup = NULL,
	.teardown = NULL,
	.unit_test_cases =
		{
			TEST_CASE_ST(fake_setup, fake_teardown, test_find),
			TEST_CASE_ST(fake_setup, fake_teardown, test_register_invalid),
			TEST_CASE_ST(fake_setup, fake_teardown, test_info),
			TEST_CASE_ST(fake_setup, fake_teardown, test_mem_table),
			TEST_CASE_ST(fake_setup_mem, fake_teardown, test_translate),
			TEST_CASE_ST(fake_setup_mem, fake_teardown, test_queue_info),
			TEST_CASE_ST(fake_setup, fake_teardown, test_events),
			TEST_CASE_ST(fake_setup, fake_teardown, test_event_unregister_waits),
			TEST_CASE(test_qstate),
			TEST_CASE_ST(fake_setup, fake_teardown, test_quiesce),
			TEST_CASE_ST(fake_setup, fake_teardown, test_irq),
			TEST_CASE_ST(fake_setup, fake_teardown, test_attrs),
			TEST_CASE_ST(fake_setup, fake_teardown, test_lifecycle),
			TEST_CASE_ST(fake_setup, fake_teardown, test_stats),
			TEST_CASE_ST(fake_setup, fake_teardown, test_unregister_in_use),
			TEST_CASE_ST(fake_setup, fake_teardown, test_bad_ids),
			TEST_CASES_END(),
		},
};

static int
test_emudev(void)
{
	return unit_test_suite_runner(&emudev_suite);
}

REGISTER_TEST_COMMAND(emudev_autotest, test_emudev);
