/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio_user_mig_autotest: vfio-user migration (VFIO migration v2) and DMA
 * logging in the server (vfio_user_mig.c), the codec of their messages
 * and the client's calls.
 *
 *  - codec: every new decoder with good and bad input;
 *  - the state machine: every (from, to) pair of the six states, with and
 *    without PRE_COPY, against a fake device recording the arcs it is
 *    asked to take; a failing arc gives ERROR, which only a reset leaves;
 *  - the data: a round trip between two servers through the client
 *    library; truncated, oversized, wrong magic or version, bit flips and
 *    another device's data refused, the device still serving and RESUMING;
 *  - malformed DEVICE_FEATURE and MIG_DATA messages (raw, on a socketpair
 *    attached to a server: vfio_user_server_attach());
 *  - DMA logging: bad page sizes, ranges and reports refused, marks
 *    reported once (a report clears), marks from two threads all kept,
 *    rte_vfio_user_dma_write() marks, logging stopped on disconnect.
 *
 * The raw helpers here are a minimal version of test_vfio_user_server.c's
 * (which are static there): send, serve with
 * vfio_user_server_handle_input(), receive.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_common.h>

#include "rte_vfio_user.h"
#include "rte_vfio_user_client.h"
#include "test.h"
#include "test_common.h"
#include "vfio_user_msg.h"
#include "vfio_user_server_priv.h"
#include "vfio_user_sock.h"
#include "vfio_user_telemetry.h"

#define T_VENDOR 0x1af4
#define T_DEVICE 0x10f0
#define T_PG 4096u
#define T_MSIX 4u
#define T_MEM_SIZE (4u << 20) /* the client's memory for DMA logging */
#define RAW_TMO_MS 2000

#define S_ERROR RTE_VFIO_USER_MIG_STATE_ERROR
#define S_STOP RTE_VFIO_USER_MIG_STATE_STOP
#define S_RUNNING RTE_VFIO_USER_MIG_STATE_RUNNING
#define S_STOP_COPY RTE_VFIO_USER_MIG_STATE_STOP_COPY
#define S_RESUMING RTE_VFIO_USER_MIG_STATE_RESUMING
#define S_PRE_COPY RTE_VFIO_USER_MIG_STATE_PRE_COPY

/* ------------------------------------------------------- fake device */

#define MAX_ARCS 16

struct fdev {
	char path[128];
	struct rte_vfio_user_server *srv;
	struct rte_vfio_user_mig_ops mops;
	/* arcs asked, in order */
	uint8_t arcs[MAX_ARCS][2];
	unsigned int nr_arcs;
	int fail_from, fail_to; /* this arc fails with -EIO (-1: none) */
	uint8_t *state; /* the device's own state */
	size_t state_len;
	uint8_t *loaded; /* the last state loaded */
	size_t loaded_len;
	unsigned int loads, saves, resets;
	int load_ret; /* what load() returns (0: accept) */
	unsigned int log_on, log_off; /* dma_logging callbacks */
	unsigned int disconnects;
	unsigned int cfg_writes, irq_changes;
};

static char tmpdir[64];
static struct fdev dev_a, dev_b, dev_c;

static int
fd_state_change(void *arg, enum rte_vfio_user_mig_state from, enum rte_vfio_user_mig_state to)
{
	struct fdev *d = arg;

	if (d->nr_arcs < MAX_ARCS) {
		d->arcs[d->nr_arcs][0] = (uint8_t)from;
		d->arcs[d->nr_arcs][1] = (uint8_t)to;
	}
	d->nr_arcs++;
	if ((int)from == d->fail_from && (int)to == d->fail_to)
		return -EIO;
	return 0;
}

static size_t
fd_state_size(void *arg)
{
	struct fdev *d = arg;

	return d->state_len;
}

static ssize_t
fd_save(void *arg, void *buf, size_t len)
{
	struct fdev *d = arg;

	if (len < d->state_len)
		return -ENOSPC;
	memcpy(buf, d->state, d->state_len);
	d->saves++;
	return (ssize_t)d->state_len;
}

static int
fd_load(void *arg, const void *buf, size_t len)
{
	struct fdev *d = arg;
	uint8_t *p;

	if (d->load_ret != 0)
		return d->load_ret;
	p = malloc(len > 0 ? len : 1);
	if (p == NULL)
		return -ENOMEM;
	memcpy(p, buf, len);
	free(d->loaded);
	d->loaded = p;
	d->loaded_len = len;
	d->loads++;
	return 0;
}

static int
fd_reset(void *arg, enum rte_vfio_user_reset_reason reason)
{
	struct fdev *d = arg;

	RTE_SET_USED(reason);
	d->resets++;
	return 0;
}

static void
fd_dma_logging(void *arg, bool on)
{
	struct fdev *d = arg;

	if (on)
		d->log_on++;
	else
		d->log_off++;
}

static void
fd_disconnected(void *arg)
{
	struct fdev *d = arg;

	d->disconnects++;
}

static void
fd_cfg_write(void *arg, uint32_t offset, uint32_t len)
{
	struct fdev *d = arg;

	RTE_SET_USED(offset);
	RTE_SET_USED(len);
	d->cfg_writes++;
}

static void
fd_irq_change(void *arg, uint32_t index)
{
	struct fdev *d = arg;

	RTE_SET_USED(index);
	d->irq_changes++;
}

static const struct rte_vfio_user_server_ops fd_ops = {
	.reset = fd_reset,
	.cfg_write = fd_cfg_write,
	.irq_change = fd_irq_change,
	.dma_logging = fd_dma_logging,
	.disconnected = fd_disconnected,
};

/* A device that cannot log its DMA (no dma_logging callback). */
static const struct rte_vfio_user_server_ops fd_ops_nolog = {
	.reset = fd_reset,
	.cfg_write = fd_cfg_write,
	.irq_change = fd_irq_change,
	.disconnected = fd_disconnected,
};
/* fdev_init() gives the next device fd_ops_nolog. */
static bool fdev_nolog;

/* A device with nothing to reset (no reset callback). */
static const struct rte_vfio_user_server_ops fd_ops_noreset = {
	.cfg_write = fd_cfg_write,
	.irq_change = fd_irq_change,
	.dma_logging = fd_dma_logging,
	.disconnected = fd_disconnected,
};
/* fdev_init() gives the next device fd_ops_noreset. */
static bool fdev_noreset;

static void
fdev_free(struct fdev *d)
{
	if (d->srv != NULL)
		rte_vfio_user_server_destroy(d->srv);
	d->srv = NULL;
	free(d->state);
	free(d->loaded);
	d->state = NULL;
	d->loaded = NULL;
}

/*
 * A device: migrating with mig_flags (0: without mig_ops), device id dev_id,
 * state_len bytes of state (a pattern from seed); started when start.
 */
static int
fdev_init(struct fdev *d, const char *name, uint32_t mig_flags, uint16_t dev_id, size_t state_len,
	  uint8_t seed, bool start)
{
	struct rte_vfio_user_server_conf conf;
	size_t i;

	memset(d, 0, sizeof(*d));
	d->fail_from = -1;
	d->fail_to = -1;
	snprintf(d->path, sizeof(d->path), "%s/%s", tmpdir, name);
	d->state_len = state_len;
	d->state = malloc(state_len > 0 ? state_len : 1);
	if (d->state == NULL)
		return -1;
	for (i = 0; i < state_len; i++)
		d->state[i] = (uint8_t)(seed + i * 7 + (i >> 9));
	d->mops.flags = mig_flags;
	d->mops.state_change = fd_state_change;
	d->mops.state_size = fd_state_size;
	d->mops.save = fd_save;
	d->mops.load = fd_load;

	memset(&conf, 0, sizeof(conf));
	conf.path = d->path;
	conf.pci_id.vendor_id = T_VENDOR;
	conf.pci_id.device_id = dev_id;
	conf.pci_id.class_code = 0x020000;
	conf.irq_count[RTE_VFIO_USER_IRQ_INTX] = 1;
	conf.irq_count[RTE_VFIO_USER_IRQ_MSIX] = T_MSIX;
	conf.irq_count[RTE_VFIO_USER_IRQ_ERR] = 1;
	conf.irq_count[RTE_VFIO_USER_IRQ_REQ] = 1;
	conf.ops = fdev_nolog ? &fd_ops_nolog : fdev_noreset ? &fd_ops_noreset : &fd_ops;
	conf.arg = d;
	conf.mig_ops = mig_flags != 0 ? &d->mops : NULL;
	d->srv = rte_vfio_user_server_create(&conf);
	if (d->srv == NULL) {
		printf("server create %s failed\n", d->path);
		fdev_free(d);
		return -1;
	}
	if (start && rte_vfio_user_server_start(d->srv) != 0) {
		printf("server start %s failed\n", d->path);
		fdev_free(d);
		return -1;
	}
	return 0;
}

static struct rte_vfio_user_client *
fdev_connect(const struct fdev *d)
{
	struct rte_vfio_user_client_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.timeout_ms = 5000;
	return rte_vfio_user_client_connect(d->path, &conf);
}

/* ------------------------------------------------------ raw messages */

struct raw {
	struct rte_vfio_user_server *srv;
	int s; /* our end; the server owns the other */
	uint16_t id;
	uint8_t *buf; /* the last reply, header included */
	uint32_t rlen; /* its payload length */
};

static uint8_t *
raw_payload(struct raw *r)
{
	return r->buf + VFIO_USER_HDR_SIZE;
}

/*
 * Send cmd with payload (len bytes), let the server handle it, receive the
 * reply: 0 with the reply's payload in r->buf + 16 (r->rlen bytes), the
 * negative errno of an error reply, or -EPROTO.
 */
static int
raw_call(struct raw *r, uint16_t cmd, const void *payload, uint32_t len)
{
	uint32_t size = VFIO_USER_HDR_SIZE + len;
	struct vfio_user_hdr h;
	unsigned int nfds = 0;
	uint8_t *msg;
	int ret;

	msg = malloc(size);
	if (msg == NULL)
		return -ENOMEM;
	memset(&h, 0, sizeof(h));
	h.msg_id = ++r->id;
	h.cmd = cmd;
	h.size = size;
	vfio_user_hdr_encode(msg, &h);
	if (len > 0)
		memcpy(msg + VFIO_USER_HDR_SIZE, payload, len);
	ret = vfio_user_sock_send(r->s, msg, size, NULL, 0, RAW_TMO_MS);
	free(msg);
	if (ret < 0)
		return -EPROTO;
	if (vfio_user_server_handle_input(r->srv) < 0)
		return -EPROTO;
	ret = vfio_user_sock_recv(r->s, r->buf, VFIO_USER_SRV_MAX_MSG_SIZE, &h, NULL, 0, &nfds,
				  RAW_TMO_MS);
	if (ret < 0 || h.msg_id != r->id || h.cmd != cmd)
		return -EPROTO;
	if (h.flags & VFIO_USER_F_ERROR)
		return -(int)h.error;
	r->rlen = h.size - VFIO_USER_HDR_SIZE;
	return 0;
}

static void
raw_close(struct raw *r)
{
	if (r->srv != NULL)
		vfio_user_server_detach(r->srv);
	r->srv = NULL;
	if (r->s >= 0)
		close(r->s);
	r->s = -1;
	free(r->buf);
	r->buf = NULL;
}

/* Attach a raw connection to d's (not started) server and negotiate caps. */
static int
raw_open_caps(struct raw *r, struct fdev *d, const struct vfio_user_caps *caps,
	      struct vfio_user_version *ver)
{
	uint8_t pl[512];
	int sv[2], n;

	memset(r, 0, sizeof(*r));
	r->s = -1;
	r->buf = malloc(VFIO_USER_SRV_MAX_MSG_SIZE);
	if (r->buf == NULL || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		free(r->buf);
		return -1;
	}
	if (vfio_user_server_attach(d->srv, sv[1]) != 0) {
		close(sv[0]);
		close(sv[1]);
		free(r->buf);
		return -1;
	}
	r->srv = d->srv;
	r->s = sv[0];
	n = vfio_user_version_encode(pl, sizeof(pl), 0, 0, caps);
	if (n < 0 || raw_call(r, VFIO_USER_CMD_VERSION, pl, (uint32_t)n) != 0 ||
	    vfio_user_version_decode(raw_payload(r), r->rlen, ver) != 0) {
		raw_close(r);
		return -1;
	}
	return 0;
}

/* The same with the default caps, offering migration or not. */
static int
raw_open(struct raw *r, struct fdev *d, bool offer_migration, struct vfio_user_version *ver)
{
	struct vfio_user_caps caps;

	vfio_user_caps_default(&caps);
	caps.migration = offer_migration;
	return raw_open_caps(r, d, &caps, ver);
}

/* DEVICE_FEATURE with flags and data (len bytes); reply data in *rdata. */
static int
raw_feature(struct raw *r, uint32_t flags, const void *data, uint32_t len, const uint8_t **rdata,
	    uint32_t *rlen)
{
	uint8_t pl[VFIO_USER_DEVICE_FEATURE_SIZE + 64 * 1024];
	struct vfio_user_device_feature f;
	int n, ret;

	n = vfio_user_device_feature_encode(pl, sizeof(pl), flags, data, len);
	if (n < 0)
		return n;
	ret = raw_call(r, VFIO_USER_CMD_DEVICE_FEATURE, pl, (uint32_t)n);
	if (ret < 0)
		return ret;
	if (vfio_user_device_feature_decode(raw_payload(r), r->rlen, &f) != 0 || f.flags != flags)
		return -EPROTO;
	if (rdata != NULL)
		*rdata = raw_payload(r) + VFIO_USER_DEVICE_FEATURE_SIZE;
	if (rlen != NULL)
		*rlen = f.data_len;
	return 0;
}

#define F_GET VFIO_USER_DEVICE_FEATURE_GET
#define F_SET VFIO_USER_DEVICE_FEATURE_SET
#define F_PROBE VFIO_USER_DEVICE_FEATURE_PROBE

static int
raw_set_state(struct raw *r, uint32_t state)
{
	uint8_t d[8];
	const uint8_t *rd;
	uint32_t rl;
	int ret;

	vfio_user_mig_state_encode(d, sizeof(d), state);
	ret = raw_feature(r, F_SET | VFIO_USER_FEATURE_MIG_DEVICE_STATE, d, sizeof(d), &rd, &rl);
	if (ret < 0)
		return ret;
	if (rl != 8 || get_le32(rd) != state)
		return -EPROTO;
	return 0;
}

static int
raw_get_state(struct raw *r)
{
	const uint8_t *rd;
	uint32_t rl, s;
	int ret;

	ret = raw_feature(r, F_GET | VFIO_USER_FEATURE_MIG_DEVICE_STATE, NULL, 0, &rd, &rl);
	if (ret < 0)
		return ret;
	if (vfio_user_mig_state_decode(rd, rl, &s) != 0)
		return -EPROTO;
	return (int)s;
}

/* ------------------------------------------------------------ codec */

static int
test_mig_codec(void)
{
	struct vfio_user_dma_logging_report rep;
	struct vfio_user_dma_logging_ctl ctl;
	struct vfio_user_mig_data md;
	uint64_t flags, iova, len, ranges[2][2];
	uint8_t b[128];
	uint32_t st;
	int n;

	/* MIGRATION flags */
	put_le64(b, 1);
	TEST_ASSERT(vfio_user_migration_decode(b, 8, &flags) == 0 && flags == 1, "flags 1");
	put_le64(b, 5);
	TEST_ASSERT(vfio_user_migration_decode(b, 8, &flags) == 0 && flags == 5, "flags 5");
	put_le64(b, 4);
	TEST_ASSERT_EQUAL(vfio_user_migration_decode(b, 8, &flags), -EINVAL, "no STOP_COPY");
	put_le64(b, 9);
	TEST_ASSERT_EQUAL(vfio_user_migration_decode(b, 8, &flags), -EINVAL, "unknown bit");
	put_le64(b, 1);
	TEST_ASSERT_EQUAL(vfio_user_migration_decode(b, 7, &flags), -EINVAL, "7 bytes");
	TEST_ASSERT_EQUAL(vfio_user_migration_decode(b, 16, &flags), -EINVAL, "16 bytes");
	TEST_ASSERT_EQUAL(vfio_user_migration_encode(b, 7, 1), -ENOSPC, "encode short");

	/* MIG_DEVICE_STATE */
	for (st = 0; st < 10; st++) {
		uint32_t out = 99;
		bool valid = st <= 4 || st == 6;

		TEST_ASSERT_EQUAL(vfio_user_mig_state_encode(b, 8, st), 8, "encode");
		TEST_ASSERT_EQUAL(get_le32(b + 4), UINT32_MAX, "data_fd -1");
		TEST_ASSERT_EQUAL(vfio_user_mig_state_decode(b, 8, &out), valid ? 0 : -EINVAL,
				  "state %u", st);
		TEST_ASSERT(!valid || out == st, "state %u decoded %u", st, out);
	}
	put_le32(b, 0xffffffff);
	TEST_ASSERT_EQUAL(vfio_user_mig_state_decode(b, 8, &st), -EINVAL, "state ~0");
	put_le32(b, 2);
	TEST_ASSERT_EQUAL(vfio_user_mig_state_decode(b, 4, &st), -EINVAL, "4 bytes");
	TEST_ASSERT_EQUAL(vfio_user_mig_state_decode(b, 12, &st), -EINVAL, "12 bytes");

	/* DMA_LOGGING_START control */
	ranges[0][0] = 0x10000;
	ranges[0][1] = 0x4000;
	ranges[1][0] = 0x100000;
	ranges[1][1] = 0x1000;
	n = vfio_user_dma_logging_ctl_encode(b, sizeof(b), 4096, ranges, 2);
	TEST_ASSERT_EQUAL(n, 48, "ctl encode");
	TEST_ASSERT_SUCCESS(vfio_user_dma_logging_ctl_decode(b, 48, &ctl), "ctl decode");
	TEST_ASSERT(ctl.page_size == 4096 && ctl.num_ranges == 2, "ctl fields");
	vfio_user_dma_logging_range(&ctl, 1, &iova, &len);
	TEST_ASSERT(iova == 0x100000 && len == 0x1000, "range 1");
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 47, &ctl), -EINVAL, "short");
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 49, &ctl), -EINVAL, "long");
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 12, &ctl), -EINVAL, "12 bytes");
	put_le32(b + 12, 1);
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 48, &ctl), -EINVAL, "reserved");
	put_le32(b + 12, 0);
	{
		static const uint64_t bad_pg[] = {0, 1, 2048, 3000, 4097, 12288};
		unsigned int i;

		for (i = 0; i < RTE_DIM(bad_pg); i++) {
			put_le64(b, bad_pg[i]);
			TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 48, &ctl), -EINVAL,
					  "page size %" PRIu64, bad_pg[i]);
		}
		put_le64(b, 8192); /* a power of two: the codec takes it, not the server */
		TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 48, &ctl), -EINVAL,
				  "8192: range 1 not aligned");
		put_le64(b, 4096);
	}
	put_le32(b + 8, 0);
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 16, &ctl), -EINVAL, "no range");
	put_le32(b + 8, VFIO_USER_DMA_LOGGING_MAX_RANGES + 1);
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 48, &ctl), -EINVAL, "1025 ranges");
	put_le32(b + 8, 2);
	put_le64(b + 16, 0x10800); /* unaligned iova */
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 48, &ctl), -EINVAL, "unaligned");
	put_le64(b + 16, 0x10000);
	put_le64(b + 24, 0); /* empty */
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 48, &ctl), -EINVAL, "empty range");
	put_le64(b + 24, 0x1800);
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 48, &ctl), -EINVAL, "odd length");
	put_le64(b + 16, UINT64_MAX - 0xfff);
	put_le64(b + 24, 0x2000);
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 48, &ctl), -EINVAL, "wraps");
	put_le64(b + 24, 0x1000); /* the last page of the address space */
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_ctl_decode(b, 48, &ctl), -EINVAL,
			  "ends at 2^64 (not representable)");

	/* DMA_LOGGING_REPORT */
	memset(&rep, 0, sizeof(rep));
	rep.iova = 0x10000;
	rep.length = 65 * 4096;
	rep.page_size = 4096;
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_report_encode(b, sizeof(b), &rep, NULL), 24,
			  "report encode");
	TEST_ASSERT_SUCCESS(vfio_user_dma_logging_report_decode(b, 24, 1024, &rep), "decode");
	TEST_ASSERT_EQUAL(rep.bitmap_size, 16, "65 pages: 2 words");
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_report_decode(b, 24, 8, &rep), -E2BIG,
			  "beyond max bitmap");
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_report_decode(b, 23, 1024, &rep), -EINVAL, "23");
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_report_decode(b, 32, 1024, &rep), -EINVAL, "32");
	memset(b + 24, 0, 16);
	TEST_ASSERT_SUCCESS(vfio_user_dma_logging_report_reply_decode(b, 40, 1024, &rep), "reply");
	TEST_ASSERT(rep.bitmap == b + 24, "reply bitmap");
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_report_reply_decode(b, 32, 1024, &rep), -EINVAL,
			  "reply short bitmap");
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_report_reply_decode(b, 48, 1024, &rep), -EINVAL,
			  "reply long bitmap");
	put_le64(b + 16, 6000);
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_report_decode(b, 24, 1024, &rep), -EINVAL,
			  "page size 6000");
	put_le64(b + 16, 4096);
	put_le64(b + 8, 0);
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_report_decode(b, 24, 1024, &rep), -EINVAL,
			  "length 0");
	put_le64(b + 8, 100);
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_report_decode(b, 24, 1024, &rep), -EINVAL,
			  "length 100");
	put_le64(b, UINT64_MAX - 4095);
	put_le64(b + 8, 8192);
	TEST_ASSERT_EQUAL(vfio_user_dma_logging_report_decode(b, 24, 1024, &rep), -EINVAL, "wraps");

	/* MIG_DATA_READ / WRITE */
	TEST_ASSERT_EQUAL(vfio_user_mig_data_encode(b, sizeof(b), 8 + 100, 100, NULL), 8, "enc");
	TEST_ASSERT_SUCCESS(vfio_user_mig_data_read_decode(b, 8, 1024, &md), "read");
	TEST_ASSERT(md.size == 100 && md.argsz == 108, "read fields");
	TEST_ASSERT_EQUAL(vfio_user_mig_data_read_decode(b, 8, 99, &md), -E2BIG, "beyond xfer");
	TEST_ASSERT_EQUAL(vfio_user_mig_data_read_decode(b, 12, 1024, &md), -EINVAL, "12 bytes");
	put_le32(b, 107);
	TEST_ASSERT_EQUAL(vfio_user_mig_data_read_decode(b, 8, 1024, &md), -EINVAL, "argsz");
	put_le32(b, 108);
	put_le32(b + 4, 0);
	TEST_ASSERT_EQUAL(vfio_user_mig_data_read_decode(b, 8, 1024, &md), -EINVAL, "size 0");
	n = vfio_user_mig_data_encode(b, sizeof(b), 8 + 5, 5, "abcde");
	TEST_ASSERT_EQUAL(n, 13, "write enc");
	TEST_ASSERT_SUCCESS(vfio_user_mig_data_write_decode(b, 13, 1024, &md), "write");
	TEST_ASSERT(md.size == 5 && memcmp(md.data, "abcde", 5) == 0, "write data");
	TEST_ASSERT_SUCCESS(vfio_user_mig_data_read_reply_decode(b, 13, &md), "read reply");
	TEST_ASSERT_EQUAL(vfio_user_mig_data_write_decode(b, 12, 1024, &md), -EINVAL, "short");
	TEST_ASSERT_EQUAL(vfio_user_mig_data_write_decode(b, 14, 1024, &md), -EINVAL, "long");
	TEST_ASSERT_EQUAL(vfio_user_mig_data_write_decode(b, 13, 4, &md), -E2BIG, "beyond xfer");
	TEST_ASSERT_EQUAL(vfio_user_mig_data_read_reply_decode(b, 12, &md), -EINVAL, "reply short");
	put_le32(b, 7);
	TEST_ASSERT_EQUAL(vfio_user_mig_data_write_decode(b, 13, 1024, &md), -EINVAL, "argsz 7");
	TEST_ASSERT_EQUAL(vfio_user_mig_data_read_reply_decode(b, 13, &md), -EINVAL, "reply argsz");

	/* DEVICE_FEATURE encode: argsz = 8 + data */
	n = vfio_user_device_feature_encode(b, sizeof(b), F_GET | 2, "12345678", 8);
	TEST_ASSERT(n == 16 && get_le32(b) == 16 && get_le32(b + 4) == (F_GET | 2), "feature");
	TEST_ASSERT_EQUAL(vfio_user_device_feature_encode(b, 15, F_GET, "12345678", 8), -ENOSPC,
			  "feature short");
	return TEST_SUCCESS;
}

/* ---------------------------------------------------- state machine */

struct fsm_case {
	uint8_t from, to;
	int ret; /* 0 or -EINVAL */
	uint8_t n; /* arcs */
	uint8_t arcs[3][2];
};

#define A(f, t) \
	{ \
		S_##f, S_##t \
	}

/*
 * VFIO's graph (Linux vfio_mig_get_next_state(), without the P2P states):
 * written out by hand, independently of the library's table.
 */
static const struct fsm_case fsm_pre[] = {
	{S_RUNNING, S_RUNNING, 0, 0, {{0}}},
	{S_RUNNING, S_STOP, 0, 1, {A(RUNNING, STOP)}},
	{S_RUNNING, S_STOP_COPY, 0, 2, {A(RUNNING, STOP), A(STOP, STOP_COPY)}},
	{S_RUNNING, S_RESUMING, 0, 2, {A(RUNNING, STOP), A(STOP, RESUMING)}},
	{S_RUNNING, S_PRE_COPY, 0, 1, {A(RUNNING, PRE_COPY)}},
	{S_RUNNING, S_ERROR, -EINVAL, 0, {{0}}},
	{S_STOP, S_RUNNING, 0, 1, {A(STOP, RUNNING)}},
	{S_STOP, S_STOP, 0, 0, {{0}}},
	{S_STOP, S_STOP_COPY, 0, 1, {A(STOP, STOP_COPY)}},
	{S_STOP, S_RESUMING, 0, 1, {A(STOP, RESUMING)}},
	{S_STOP, S_PRE_COPY, 0, 2, {A(STOP, RUNNING), A(RUNNING, PRE_COPY)}},
	{S_STOP, S_ERROR, -EINVAL, 0, {{0}}},
	{S_STOP_COPY, S_RUNNING, 0, 2, {A(STOP_COPY, STOP), A(STOP, RUNNING)}},
	{S_STOP_COPY, S_STOP, 0, 1, {A(STOP_COPY, STOP)}},
	{S_STOP_COPY, S_STOP_COPY, 0, 0, {{0}}},
	{S_STOP_COPY, S_RESUMING, 0, 2, {A(STOP_COPY, STOP), A(STOP, RESUMING)}},
	{S_STOP_COPY, S_PRE_COPY, -EINVAL, 0, {{0}}},
	{S_STOP_COPY, S_ERROR, -EINVAL, 0, {{0}}},
	{S_RESUMING, S_RUNNING, 0, 2, {A(RESUMING, STOP), A(STOP, RUNNING)}},
	{S_RESUMING, S_STOP, 0, 1, {A(RESUMING, STOP)}},
	{S_RESUMING, S_STOP_COPY, 0, 2, {A(RESUMING, STOP), A(STOP, STOP_COPY)}},
	{S_RESUMING, S_RESUMING, 0, 0, {{0}}},
	{S_RESUMING, S_PRE_COPY, 0, 3, {A(RESUMING, STOP), A(STOP, RUNNING), A(RUNNING, PRE_COPY)}},
	{S_RESUMING, S_ERROR, -EINVAL, 0, {{0}}},
	{S_PRE_COPY, S_RUNNING, 0, 1, {A(PRE_COPY, RUNNING)}},
	{S_PRE_COPY, S_STOP, 0, 2, {A(PRE_COPY, RUNNING), A(RUNNING, STOP)}},
	{S_PRE_COPY, S_STOP_COPY, 0, 1, {A(PRE_COPY, STOP_COPY)}},
	{S_PRE_COPY, S_RESUMING, 0, 3, {A(PRE_COPY, RUNNING), A(RUNNING, STOP), A(STOP, RESUMING)}},
	{S_PRE_COPY, S_PRE_COPY, 0, 0, {{0}}},
	{S_PRE_COPY, S_ERROR, -EINVAL, 0, {{0}}},
	{S_ERROR, S_RUNNING, -EINVAL, 0, {{0}}},
	{S_ERROR, S_STOP, -EINVAL, 0, {{0}}},
	{S_ERROR, S_STOP_COPY, -EINVAL, 0, {{0}}},
	{S_ERROR, S_RESUMING, -EINVAL, 0, {{0}}},
	{S_ERROR, S_PRE_COPY, -EINVAL, 0, {{0}}},
	{S_ERROR, S_ERROR, -EINVAL, 0, {{0}}},
};

/* Put the device in state from (from RUNNING), or -1. */
static int
fsm_reach(struct raw *r, struct fdev *d, uint8_t from)
{
	switch (from) {
	case S_RUNNING:
		return 0;
	case S_ERROR:
		d->fail_from = S_RUNNING;
		d->fail_to = S_STOP;
		if (raw_set_state(r, S_STOP) != -EIO)
			return -1;
		d->fail_from = -1;
		d->fail_to = -1;
		return raw_get_state(r) == S_ERROR ? 0 : -1;
	default:
		return raw_set_state(r, from);
	}
}

static const char *const st_name[] = {"ERROR",	  "STOP", "RUNNING", "STOP_COPY",
				      "RESUMING", "?",	  "PRE_COPY"};

static int
fsm_run(struct fdev *d, const struct fsm_case *c, bool pre)
{
	struct vfio_user_version ver;
	int expect = c->ret, ret, got;
	unsigned int n = c->n, i;
	struct raw r;

	/* Without PRE_COPY every case touching it is refused, arcs none. */
	if (!pre && (c->from == S_PRE_COPY || c->to == S_PRE_COPY)) {
		if (c->from == S_PRE_COPY)
			return 1; /* not reachable: tried as a target */
		expect = -EINVAL;
		n = 0;
	}
	TEST_ASSERT_SUCCESS(raw_open(&r, d, true, &ver), "raw open");
	ret = fsm_reach(&r, d, c->from);
	if (ret != 0) {
		raw_close(&r);
		TEST_ASSERT(false, "cannot reach %s", st_name[c->from]);
	}
	d->nr_arcs = 0;
	ret = raw_set_state(&r, c->to);
	got = raw_get_state(&r);
	raw_close(&r);
	TEST_ASSERT_EQUAL(ret, expect, "%s -> %s (PRE_COPY %d): %d, expected %d", st_name[c->from],
			  st_name[c->to], pre, ret, expect);
	TEST_ASSERT_EQUAL(got, expect == 0 ? c->to : c->from, "%s -> %s (PRE_COPY %d): now %s",
			  st_name[c->from], st_name[c->to], pre, got >= 0 ? st_name[got] : "?");
	TEST_ASSERT_EQUAL(d->nr_arcs, n, "%s -> %s (PRE_COPY %d): %u arcs, expected %u",
			  st_name[c->from], st_name[c->to], pre, d->nr_arcs, n);
	for (i = 0; i < n; i++)
		TEST_ASSERT(d->arcs[i][0] == c->arcs[i][0] && d->arcs[i][1] == c->arcs[i][1],
			    "%s -> %s: arc %u is %s -> %s", st_name[c->from], st_name[c->to], i,
			    st_name[d->arcs[i][0]], st_name[d->arcs[i][1]]);
	/* The disconnection put it back in RUNNING. */
	TEST_ASSERT_EQUAL(rte_vfio_user_mig_state(d->srv), S_RUNNING, "not RUNNING after detach");
	return TEST_SUCCESS;
}

static int
test_mig_fsm(void)
{
	struct vfio_user_version ver;
	unsigned int i, pass = 0;
	struct raw r;
	int ret;

	for (i = 0; i < 2; i++) {
		bool pre = i == 0;
		unsigned int k;

		TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "fsm.sock",
					      RTE_VFIO_USER_MIG_F_STOP_COPY |
						      (pre ? RTE_VFIO_USER_MIG_F_PRE_COPY : 0),
					      T_DEVICE, 100, 1, false),
				    "device");
		for (k = 0; k < RTE_DIM(fsm_pre); k++) {
			ret = fsm_run(&dev_a, &fsm_pre[k], pre);
			if (ret == 1)
				continue;
			if (ret != TEST_SUCCESS) {
				fdev_free(&dev_a);
				return ret;
			}
			pass++;
		}
		fdev_free(&dev_a);
	}
	printf("state machine: %u cases\n", pass);

	/* A failing arc in the middle of a path: ERROR; only a reset leaves it. */
	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "fsm.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE,
				      100, 1, false),
			    "device");
	ret = raw_open(&r, &dev_a, true, &ver);
	if (ret != 0)
		goto fail;
	dev_a.fail_from = S_STOP;
	dev_a.fail_to = S_STOP_COPY;
	ret = raw_set_state(&r, S_STOP_COPY);
	if (ret != -EIO || dev_a.nr_arcs != 2 || raw_get_state(&r) != S_ERROR ||
	    rte_vfio_user_mig_state(dev_a.srv) != S_ERROR || dev_a.saves != 0) {
		printf("failing arc: %d, %u arcs, state %d\n", ret, dev_a.nr_arcs,
		       raw_get_state(&r));
		goto fail_raw;
	}
	dev_a.fail_from = -1;
	if (raw_set_state(&r, S_RUNNING) != -EINVAL || raw_set_state(&r, S_STOP) != -EINVAL ||
	    raw_get_state(&r) != S_ERROR || dev_a.nr_arcs != 2) {
		printf("left ERROR without a reset\n");
		goto fail_raw;
	}
	ret = raw_call(&r, VFIO_USER_CMD_DEVICE_RESET, NULL, 0);
	if (ret != 0 || dev_a.resets != 1 || raw_get_state(&r) != S_RUNNING) {
		printf("reset from ERROR: %d, state %d\n", ret, raw_get_state(&r));
		goto fail_raw;
	}
	/* A reset from STOP_COPY: RUNNING too, and the data gone. */
	if (raw_set_state(&r, S_STOP_COPY) != 0 ||
	    raw_call(&r, VFIO_USER_CMD_DEVICE_RESET, NULL, 0) != 0 ||
	    raw_get_state(&r) != S_RUNNING) {
		printf("reset from STOP_COPY\n");
		goto fail_raw;
	}
	raw_close(&r);
	fdev_free(&dev_a);
	return TEST_SUCCESS;

fail_raw:
	raw_close(&r);
fail:
	fdev_free(&dev_a);
	return TEST_FAILED;
}

/* ------------------------------------------------- DEVICE_FEATURE raw */

static int
feature_bad(struct raw *r, const void *pl, uint32_t len, int expect, const char *what)
{
	int ret = raw_call(r, VFIO_USER_CMD_DEVICE_FEATURE, pl, len);

	if (ret != expect) {
		printf("%s: %d, expected %d\n", what, ret, expect);
		return -1;
	}
	return 0;
}

static int
mig_data_bad(struct raw *r, uint16_t cmd, const void *pl, uint32_t len, int expect,
	     const char *what)
{
	int ret = raw_call(r, cmd, pl, len);

	if (ret != expect) {
		printf("%s: %d, expected %d\n", what, ret, expect);
		return -1;
	}
	return 0;
}

static int
test_mig_feature_raw(void)
{
	struct vfio_user_version ver;
	const uint8_t *rd;
	uint8_t pl[64];
	uint32_t rl;
	struct raw r;
	int fails = 0;

	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "feat.sock",
				      RTE_VFIO_USER_MIG_F_STOP_COPY | RTE_VFIO_USER_MIG_F_PRE_COPY,
				      T_DEVICE, 100, 1, false),
			    "device");
	if (raw_open(&r, &dev_a, true, &ver) != 0) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "raw open");
	}
	/* The VERSION reply offers migration (the client did). */
	if (!ver.caps.migration || ver.caps.mig_pgsize != 4096 ||
	    ver.caps.mig_max_bitmap_size == 0 ||
	    ver.caps.mig_max_bitmap_size > VFIO_USER_SRV_MAX_XFER) {
		printf("VERSION: migration %d pgsize %" PRIu64 " max_bitmap_size %" PRIu64 "\n",
		       ver.caps.migration, ver.caps.mig_pgsize, ver.caps.mig_max_bitmap_size);
		fails++;
	}

	/* Good ones. */
	if (raw_feature(&r, F_GET | VFIO_USER_FEATURE_MIGRATION, NULL, 0, &rd, &rl) != 0 ||
	    rl != 8 ||
	    get_le64(rd) != (RTE_VFIO_USER_MIG_F_STOP_COPY | RTE_VFIO_USER_MIG_F_PRE_COPY)) {
		printf("GET MIGRATION\n");
		fails++;
	}
	put_le64(pl, 0);
	if (raw_feature(&r, F_GET | VFIO_USER_FEATURE_MIGRATION, pl, 8, &rd, &rl) != 0 || rl != 8) {
		printf("GET MIGRATION with a buffer\n");
		fails++;
	}
	if (raw_feature(&r, F_PROBE | F_GET | VFIO_USER_FEATURE_MIGRATION, NULL, 0, NULL, &rl) !=
		    0 ||
	    rl != 0) {
		printf("PROBE MIGRATION\n");
		fails++;
	}
	if (raw_feature(&r, F_PROBE | F_SET | VFIO_USER_FEATURE_MIG_DEVICE_STATE, NULL, 0, NULL,
			&rl) != 0) {
		printf("PROBE SET MIG_DEVICE_STATE\n");
		fails++;
	}
	if (raw_feature(&r, F_PROBE | F_SET | VFIO_USER_FEATURE_DMA_LOGGING_START, NULL, 0, NULL,
			&rl) != 0) {
		printf("PROBE DMA_LOGGING_START\n");
		fails++;
	}

	/* Framing of DEVICE_FEATURE itself. */
	vfio_user_device_feature_encode(pl, sizeof(pl), F_GET | F_SET | 2, NULL, 0);
	fails += feature_bad(&r, pl, 8, -EINVAL, "GET|SET") != 0;
	vfio_user_device_feature_encode(pl, sizeof(pl), 2, NULL, 0);
	fails += feature_bad(&r, pl, 8, -EINVAL, "neither GET nor SET") != 0;
	vfio_user_device_feature_encode(pl, sizeof(pl), F_GET | 0x80000 | 2, NULL, 0);
	fails += feature_bad(&r, pl, 8, -EINVAL, "unknown flag") != 0;
	vfio_user_device_feature_encode(pl, sizeof(pl), F_GET | 2, NULL, 0);
	put_le32(pl, 12);
	fails += feature_bad(&r, pl, 8, -EINVAL, "argsz 12 for 8") != 0;
	fails += feature_bad(&r, pl, 4, -EINVAL, "4 bytes") != 0;
	vfio_user_device_feature_encode(pl, sizeof(pl), F_GET | 3, NULL, 0);
	fails += feature_bad(&r, pl, 8, -ENOTSUP, "feature 3") != 0;
	vfio_user_device_feature_encode(pl, sizeof(pl), F_GET | 0xffff, NULL, 0);
	fails += feature_bad(&r, pl, 8, -ENOTSUP, "feature 0xffff") != 0;

	/* MIGRATION: GET only, no data or 8 bytes. */
	vfio_user_device_feature_encode(pl, sizeof(pl), F_SET | 1, "12345678", 8);
	fails += feature_bad(&r, pl, 16, -EINVAL, "SET MIGRATION") != 0;
	vfio_user_device_feature_encode(pl, sizeof(pl), F_GET | 1, "1234", 4);
	fails += feature_bad(&r, pl, 12, -EINVAL, "GET MIGRATION 4 bytes") != 0;

	/* MIG_DEVICE_STATE: SET needs exactly 8 bytes and a valid state. */
	vfio_user_device_feature_encode(pl, sizeof(pl), F_SET | 2, "\x01\0\0\0", 4);
	fails += feature_bad(&r, pl, 12, -EINVAL, "SET state 4 bytes") != 0;
	vfio_user_device_feature_encode(pl, sizeof(pl), F_SET | 2, NULL, 0);
	fails += feature_bad(&r, pl, 8, -EINVAL, "SET state no data") != 0;
	{
		static const uint32_t bad_states[] = {5, 7, 8, 100, UINT32_MAX};
		unsigned int i;

		for (i = 0; i < RTE_DIM(bad_states); i++) {
			uint8_t d[8];

			put_le32(d, bad_states[i]);
			put_le32(d + 4, 0);
			vfio_user_device_feature_encode(pl, sizeof(pl), F_SET | 2, d, 8);
			fails += feature_bad(&r, pl, 16, -EINVAL, "SET state bad") != 0;
		}
	}
	vfio_user_device_feature_encode(pl, sizeof(pl), F_GET | 2, "123456789abc", 12);
	fails += feature_bad(&r, pl, 20, -EINVAL, "GET state 12 bytes") != 0;
	if (raw_get_state(&r) != S_RUNNING || dev_a.nr_arcs != 0) {
		printf("bad requests changed the state\n");
		fails++;
	}

	/* Logging features in the wrong direction. */
	vfio_user_device_feature_encode(pl, sizeof(pl), F_GET | 6, NULL, 0);
	fails += feature_bad(&r, pl, 8, -EINVAL, "GET DMA_LOGGING_START") != 0;
	vfio_user_device_feature_encode(pl, sizeof(pl), F_SET | 8, NULL, 0);
	fails += feature_bad(&r, pl, 8, -EINVAL, "SET DMA_LOGGING_REPORT") != 0;
	vfio_user_device_feature_encode(pl, sizeof(pl), F_SET | 7, "1234", 4);
	fails += feature_bad(&r, pl, 12, -EINVAL, "DMA_LOGGING_STOP 4 bytes") != 0;

	/* MIG_DATA_READ / WRITE: framing and state. */
	vfio_user_mig_data_encode(pl, sizeof(pl), 8 + 16, 16, NULL);
	fails += mig_data_bad(&r, VFIO_USER_CMD_MIG_DATA_READ, pl, 8, -EINVAL,
			      "MIG_DATA_READ in RUNNING") != 0;
	fails += mig_data_bad(&r, VFIO_USER_CMD_MIG_DATA_READ, pl, 4, -EINVAL,
			      "MIG_DATA_READ 4 bytes") != 0;
	fails += mig_data_bad(&r, VFIO_USER_CMD_MIG_DATA_READ, pl, 12, -EINVAL,
			      "MIG_DATA_READ 12 bytes") != 0;
	vfio_user_mig_data_encode(pl, sizeof(pl), UINT32_MAX, VFIO_USER_SRV_MAX_XFER + 1, NULL);
	fails += mig_data_bad(&r, VFIO_USER_CMD_MIG_DATA_READ, pl, 8, -E2BIG,
			      "MIG_DATA_READ beyond max_data_xfer_size") != 0;
	vfio_user_mig_data_encode(pl, sizeof(pl), 8 + 4, 4, "abcd");
	fails += mig_data_bad(&r, VFIO_USER_CMD_MIG_DATA_WRITE, pl, 12, -EINVAL,
			      "MIG_DATA_WRITE in RUNNING") != 0;
	fails += mig_data_bad(&r, VFIO_USER_CMD_MIG_DATA_WRITE, pl, 11, -EINVAL,
			      "MIG_DATA_WRITE short") != 0;
	/* PRE_COPY: no pre-copy data, a read gives 0 bytes. */
	if (raw_set_state(&r, S_PRE_COPY) != 0) {
		printf("PRE_COPY\n");
		fails++;
	}
	vfio_user_mig_data_encode(pl, sizeof(pl), 8 + 16, 16, NULL);
	if (raw_call(&r, VFIO_USER_CMD_MIG_DATA_READ, pl, 8) != 0 || r.rlen != 8 ||
	    get_le32(raw_payload(&r)) != 8 || get_le32(raw_payload(&r) + 4) != 0) {
		printf("MIG_DATA_READ in PRE_COPY\n");
		fails++;
	}
	/* STOP_COPY: argsz smaller than the data asked for. */
	if (raw_set_state(&r, S_STOP_COPY) != 0) {
		printf("STOP_COPY\n");
		fails++;
	}
	vfio_user_mig_data_encode(pl, sizeof(pl), 8 + 15, 16, NULL);
	fails += mig_data_bad(&r, VFIO_USER_CMD_MIG_DATA_READ, pl, 8, -EINVAL,
			      "MIG_DATA_READ argsz < 8 + size") != 0;
	/* Still serving and in STOP_COPY. */
	if (raw_get_state(&r) != S_STOP_COPY) {
		printf("not in STOP_COPY after bad requests\n");
		fails++;
	}
	raw_close(&r);
	fdev_free(&dev_a);

	/* A device without migration: ENOTSUP, no "migration" in VERSION. */
	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "nomig.sock", 0, T_DEVICE, 100, 1, false), "dev");
	if (raw_open(&r, &dev_a, true, &ver) != 0) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "raw open");
	}
	if (ver.caps.migration) {
		printf("migration offered without mig_ops\n");
		fails++;
	}
	vfio_user_device_feature_encode(pl, sizeof(pl), F_GET | 1, NULL, 0);
	fails += feature_bad(&r, pl, 8, -ENOTSUP, "GET MIGRATION without mig_ops") != 0;
	vfio_user_mig_data_encode(pl, sizeof(pl), 8 + 16, 16, NULL);
	fails += mig_data_bad(&r, VFIO_USER_CMD_MIG_DATA_READ, pl, 8, -ENOTSUP,
			      "MIG_DATA_READ without mig_ops") != 0;
	if (rte_vfio_user_mig_state(dev_a.srv) != S_RUNNING) {
		printf("state without mig_ops\n");
		fails++;
	}
	raw_close(&r);
	fdev_free(&dev_a);

	/* A client that does not offer migration is not offered it. */
	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "feat.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE,
				      100, 1, false),
			    "device");
	if (raw_open(&r, &dev_a, false, &ver) != 0) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "raw open");
	}
	if (ver.caps.migration) {
		printf("migration offered to a client that did not\n");
		fails++;
	}
	raw_close(&r);
	fdev_free(&dev_a);
	TEST_ASSERT_EQUAL(fails, 0, "%d failures", fails);
	return TEST_SUCCESS;
}

/* mig_ops checked at create. */
static int
test_mig_conf(void)
{
	struct rte_vfio_user_server_conf conf;
	struct rte_vfio_user_mig_ops ops;
	struct rte_vfio_user_server *srv;
	char path[128];
	unsigned int i;

	snprintf(path, sizeof(path), "%s/conf.sock", tmpdir);
	memset(&conf, 0, sizeof(conf));
	conf.path = path;
	conf.mig_ops = &ops;
	for (i = 0; i < 8; i++) {
		memset(&ops, 0, sizeof(ops));
		ops.flags = RTE_VFIO_USER_MIG_F_STOP_COPY;
		ops.state_change = fd_state_change;
		ops.state_size = fd_state_size;
		ops.save = fd_save;
		ops.load = fd_load;
		switch (i) {
		case 0:
			ops.state_change = NULL;
			break;
		case 1:
			ops.state_size = NULL;
			break;
		case 2:
			ops.save = NULL;
			break;
		case 3:
			ops.load = NULL;
			break;
		case 4:
			ops.flags = RTE_VFIO_USER_MIG_F_PRE_COPY;
			break;
		case 5:
			ops.flags = 0;
			break;
		case 6:
			ops.flags |= 0x2; /* P2P */
			break;
		default:
			ops.flags |= 0x100;
			break;
		}
		srv = rte_vfio_user_server_create(&conf);
		if (srv != NULL)
			rte_vfio_user_server_destroy(srv);
		TEST_ASSERT(srv == NULL, "bad mig_ops %u accepted", i);
	}
	ops.flags = RTE_VFIO_USER_MIG_F_STOP_COPY | RTE_VFIO_USER_MIG_F_PRE_COPY;
	srv = rte_vfio_user_server_create(&conf);
	TEST_ASSERT_NOT_NULL(srv, "good mig_ops refused");
	TEST_ASSERT_EQUAL(rte_vfio_user_mig_state(srv), S_RUNNING, "initial state");
	TEST_ASSERT(!rte_vfio_user_dma_logging(srv), "logging initially");
	rte_vfio_user_dma_mark_dirty(srv, 0, 4096); /* harmless without logging */
	rte_vfio_user_server_destroy(srv);
	return TEST_SUCCESS;
}

/* ------------------------------------------------------- data stream */

/* Read the whole stream of c (STOP_COPY) in chunks of chunk bytes. */
static int
read_all(struct rte_vfio_user_client *c, uint8_t *buf, size_t cap, uint32_t chunk, size_t *len)
{
	size_t done = 0;
	int n;

	for (;;) {
		uint32_t want = (uint32_t)RTE_MIN((size_t)chunk, cap - done);

		if (want == 0)
			return -ENOSPC;
		n = rte_vfio_user_client_mig_data_read(c, buf + done, want);
		if (n < 0)
			return n;
		done += (size_t)n;
		if ((uint32_t)n < want)
			break;
	}
	*len = done;
	return 0;
}

/* Write buf to d (taken to RESUMING), then RESUMING -> target. */
static int
resume(struct rte_vfio_user_client *c, const uint8_t *buf, size_t len, uint32_t target)
{
	int ret;

	ret = rte_vfio_user_client_mig_state_set(c, S_RESUMING);
	if (ret < 0)
		return ret;
	if (len > 0) {
		ret = rte_vfio_user_client_mig_data_write(c, buf, (uint32_t)len);
		if (ret < 0)
			return ret;
	}
	return rte_vfio_user_client_mig_state_set(c, target);
}

/* The device still serves (a config read) and is in RESUMING. */
static int
still_resuming(struct rte_vfio_user_client *c, struct fdev *d)
{
	enum rte_vfio_user_mig_state st;
	uint16_t vid = 0;

	if (rte_vfio_user_client_region_read(c, RTE_VFIO_USER_REGION_CONFIG, 0, &vid, 2) != 0 ||
	    vid != T_VENDOR)
		return -1;
	if (rte_vfio_user_client_mig_state_get(c, &st) != 0 || st != S_RESUMING ||
	    rte_vfio_user_mig_state(d->srv) != S_RESUMING)
		return -1;
	return 0;
}

#define STATE_LEN ((size_t)(1536 * 1024 + 123)) /* beyond one transfer */

static int
test_mig_data(void)
{
	struct rte_vfio_user_client *ca = NULL, *cb = NULL, *cc = NULL;
	uint8_t *good = NULL, *bad = NULL, *other = NULL;
	size_t len = 0, olen = 0, i;
	enum rte_vfio_user_mig_state st;
	uint64_t flags = 0;
	uint16_t cmd_a = 0, cmd_b = 0;
	int ret, fails = 0, efd[T_MSIX];
	unsigned int loads, cfg_writes, irq_changes;

	for (i = 0; i < T_MSIX; i++)
		efd[i] = -1;
	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "a.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE,
				      STATE_LEN, 3, true),
			    "device A");
	if (fdev_init(&dev_b, "b.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE, 10, 9, true) !=
	    0) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "device B");
	}
	if (fdev_init(&dev_c, "c.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE + 1, 100, 5,
		      true) != 0) {
		fdev_free(&dev_a);
		fdev_free(&dev_b);
		TEST_ASSERT(false, "device C");
	}
	good = malloc(RTE_VFIO_USER_MIG_MAX_DATA + 4096);
	bad = malloc(RTE_VFIO_USER_MIG_MAX_DATA + 4096);
	other = malloc(64 * 1024);
	ca = fdev_connect(&dev_a);
	cb = fdev_connect(&dev_b);
	cc = fdev_connect(&dev_c);
	if (good == NULL || bad == NULL || other == NULL || ca == NULL || cb == NULL ||
	    cc == NULL) {
		printf("setup failed\n");
		fails++;
		goto out;
	}
	if (!rte_vfio_user_client_caps(ca)->migration ||
	    rte_vfio_user_client_mig_flags(ca, &flags) != 0 ||
	    flags != RTE_VFIO_USER_MIG_F_STOP_COPY) {
		printf("client caps/flags: migration %d flags 0x%" PRIx64 "\n",
		       rte_vfio_user_client_caps(ca)->migration, flags);
		fails++;
		goto out;
	}

	/* A's configuration: the command register, and MSI-X vector 1 masked. */
	cmd_a = 0x0006; /* memory space, bus master */
	for (i = 0; i < T_MSIX; i++)
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rte_vfio_user_client_region_write(ca, RTE_VFIO_USER_REGION_CONFIG, 4, &cmd_a, 2,
					      false) != 0 ||
	    rte_vfio_user_client_irq_mask(ca, RTE_VFIO_USER_IRQ_MSIX, 1, 1, true) != 0) {
		printf("configuring A\n");
		fails++;
		goto out;
	}

	/* A: RUNNING -> STOP_COPY, read it all (in odd chunks), -> STOP. */
	ret = rte_vfio_user_client_mig_state_set(ca, S_STOP_COPY);
	if (ret == 0)
		ret = read_all(ca, good, RTE_VFIO_USER_MIG_MAX_DATA + 4096, 300000, &len);
	if (ret == 0 && rte_vfio_user_client_mig_data_read(ca, bad, 100) != 0)
		ret = -EPROTO; /* after the end: 0 bytes */
	if (ret == 0)
		ret = rte_vfio_user_client_mig_state_set(ca, S_STOP);
	if (ret != 0 || len <= STATE_LEN || len > STATE_LEN + 8192 || dev_a.saves != 1) {
		printf("saving A: %d, %zu bytes, %u saves\n", ret, len, dev_a.saves);
		fails++;
		goto out;
	}
	printf("stream of A: %zu bytes (device %zu)\n", len, STATE_LEN);
	{
		struct vfio_user_server_client_info ci;

		vfio_user_server_client_info(dev_a.srv, &ci);
		if (!ci.migration || ci.mig_state != S_STOP || ci.dma_logging) {
			printf("telemetry info of A: migration %d state %u\n", ci.migration,
			       ci.mig_state);
			fails++;
		}
	}
	/* STOP_COPY -> STOP dropped the data: reading now is refused. */
	if (rte_vfio_user_client_mig_data_read(ca, bad, 100) != -EINVAL) {
		printf("read in STOP\n");
		fails++;
	}

	/* C (another device id) makes a stream too. */
	if (rte_vfio_user_client_mig_state_set(cc, S_STOP_COPY) != 0 ||
	    read_all(cc, other, 64 * 1024, 4096, &olen) != 0) {
		printf("saving C\n");
		fails++;
		goto out;
	}

	/* Bad streams into B: refused, B still serving and in RESUMING. */
	loads = dev_b.loads;
	memcpy(bad, good, len);
	ret = resume(cb, bad, len - 1, S_STOP);
	if (ret != -EINVAL || still_resuming(cb, &dev_b) != 0) {
		printf("truncated: %d\n", ret);
		fails++;
	}
	ret = rte_vfio_user_client_mig_data_write(cb, bad, 20); /* shorter than a header */
	if (ret == 0)
		ret = rte_vfio_user_client_mig_state_set(cb, S_STOP);
	if (ret != -EINVAL || still_resuming(cb, &dev_b) != 0) {
		printf("20 bytes: %d\n", ret);
		fails++;
	}
	bad[0] ^= 0x40;
	ret = rte_vfio_user_client_mig_data_write(cb, bad, (uint32_t)len);
	if (ret == 0)
		ret = rte_vfio_user_client_mig_state_set(cb, S_STOP);
	if (ret != -EINVAL || still_resuming(cb, &dev_b) != 0) {
		printf("wrong magic: %d\n", ret);
		fails++;
	}
	bad[0] ^= 0x40;
	bad[4] = 2; /* format 2.0 */
	ret = rte_vfio_user_client_mig_data_write(cb, bad, (uint32_t)len);
	if (ret == 0)
		ret = rte_vfio_user_client_mig_state_set(cb, S_STOP);
	if (ret != -EPROTONOSUPPORT || still_resuming(cb, &dev_b) != 0) {
		printf("wrong version: %d\n", ret);
		fails++;
	}
	bad[4] = 1;
	/* bit flips: header length field, config space, IRQ state, device bytes, CRC */
	{
		const size_t at[] = {17, 32 + 2, 32 + 4096 + 30, len / 2, len - 1};
		unsigned int k;

		for (k = 0; k < RTE_DIM(at); k++) {
			bad[at[k]] ^= 0x10;
			ret = rte_vfio_user_client_mig_data_write(cb, bad, (uint32_t)len);
			if (ret == 0)
				ret = rte_vfio_user_client_mig_state_set(cb, S_STOP);
			bad[at[k]] ^= 0x10;
			if (ret != -EINVAL || still_resuming(cb, &dev_b) != 0) {
				printf("bit flip at %zu: %d\n", at[k], ret);
				fails++;
			}
		}
	}
	/* Another device's stream (C: other device id), CRC right. */
	ret = rte_vfio_user_client_mig_data_write(cb, other, (uint32_t)olen);
	if (ret == 0)
		ret = rte_vfio_user_client_mig_state_set(cb, S_STOP);
	if (ret != -EINVAL || still_resuming(cb, &dev_b) != 0) {
		printf("foreign stream: %d\n", ret);
		fails++;
	}
	/* Oversized: beyond RTE_VFIO_USER_MIG_MAX_DATA. */
	memset(bad, 0x5a, RTE_VFIO_USER_MIG_MAX_DATA + 4096);
	ret = rte_vfio_user_client_mig_data_write(cb, bad, RTE_VFIO_USER_MIG_MAX_DATA + 4096);
	if (ret != -E2BIG || still_resuming(cb, &dev_b) != 0 ||
	    rte_vfio_user_client_mig_state_set(cb, S_STOP) != -EINVAL) {
		printf("oversized: %d\n", ret);
		fails++;
	}
	/* The device refusing its part: the config space is left as it was. */
	dev_b.load_ret = -EINVAL;
	ret = rte_vfio_user_client_mig_data_write(cb, good, (uint32_t)len);
	if (ret == 0)
		ret = rte_vfio_user_client_mig_state_set(cb, S_STOP);
	dev_b.load_ret = 0;
	if (ret != -EINVAL || still_resuming(cb, &dev_b) != 0 ||
	    rte_vfio_user_pci_cfg_read(dev_b.srv, 4, &cmd_b, 2) != 0 || cmd_b != 0) {
		printf("device refusal: %d, command 0x%x\n", ret, cmd_b);
		fails++;
	}
	if (dev_b.loads != loads) {
		printf("a bad stream reached the device's load (%u loads)\n", dev_b.loads - loads);
		fails++;
	}

	/* Finally the good one: B runs with A's state and configuration. */
	cfg_writes = dev_b.cfg_writes;
	irq_changes = dev_b.irq_changes;
	ret = rte_vfio_user_client_mig_data_write(cb, good, (uint32_t)len);
	if (ret == 0)
		ret = rte_vfio_user_client_mig_state_set(cb, S_RUNNING);
	if (ret != 0 || dev_b.loads != loads + 1 || dev_b.loaded_len != STATE_LEN ||
	    memcmp(dev_b.loaded, dev_a.state, STATE_LEN) != 0) {
		printf("good stream: %d, %u loads, %zu bytes\n", ret, dev_b.loads - loads,
		       dev_b.loaded_len);
		fails++;
	}
	/* The device was told: the whole config space, the 4 indices with vectors. */
	if (dev_b.cfg_writes != cfg_writes + 1 || dev_b.irq_changes != irq_changes + 4) {
		printf("callbacks after load: %u cfg_write, %u irq_change\n",
		       dev_b.cfg_writes - cfg_writes, dev_b.irq_changes - irq_changes);
		fails++;
	}
	if (rte_vfio_user_client_mig_state_get(cb, &st) != 0 || st != S_RUNNING ||
	    rte_vfio_user_pci_cfg_read(dev_b.srv, 4, &cmd_b, 2) != 0 || cmd_b != cmd_a) {
		printf("B after load: state %d command 0x%x\n", (int)st, cmd_b);
		fails++;
	}
	/* The masks came along: with eventfds, vector 1 is still masked on B. */
	if (rte_vfio_user_client_set_irqs(cb, RTE_VFIO_USER_IRQ_MSIX, 0, T_MSIX, efd) != 0 ||
	    !rte_vfio_user_irq_enabled(dev_b.srv, RTE_VFIO_USER_IRQ_MSIX, 0) ||
	    rte_vfio_user_irq_enabled(dev_b.srv, RTE_VFIO_USER_IRQ_MSIX, 1)) {
		printf("B's MSI-X masks\n");
		fails++;
	}
	/* The exact arcs of A: RUNNING -> STOP -> STOP_COPY -> STOP. */
	if (dev_a.nr_arcs != 3 || dev_a.arcs[0][1] != S_STOP || dev_a.arcs[1][1] != S_STOP_COPY ||
	    dev_a.arcs[2][1] != S_STOP) {
		printf("A's arcs: %u\n", dev_a.nr_arcs);
		fails++;
	}
	/* An empty stream: RESUMING -> STOP without a load (an aborted resume). */
	loads = dev_b.loads;
	if (resume(cb, NULL, 0, S_RUNNING) != 0 || dev_b.loads != loads) {
		printf("empty stream\n");
		fails++;
	}
	/* A disconnect in STOP (A) and STOP_COPY (C): RUNNING again. */
	rte_vfio_user_client_close(ca);
	ca = NULL;
	rte_vfio_user_client_close(cc);
	cc = NULL;
	for (i = 0; i < 200 &&
	     (rte_vfio_user_mig_state(dev_a.srv) != S_RUNNING ||
	      rte_vfio_user_mig_state(dev_c.srv) != S_RUNNING);
	     i++)
		usleep(10000);
	if (rte_vfio_user_mig_state(dev_a.srv) != S_RUNNING ||
	    rte_vfio_user_mig_state(dev_c.srv) != S_RUNNING) {
		printf("disconnect did not bring RUNNING back\n");
		fails++;
	}
out:
	for (i = 0; i < T_MSIX; i++)
		if (efd[i] >= 0)
			close(efd[i]);
	if (ca != NULL)
		rte_vfio_user_client_close(ca);
	if (cb != NULL)
		rte_vfio_user_client_close(cb);
	if (cc != NULL)
		rte_vfio_user_client_close(cc);
	free(good);
	free(bad);
	free(other);
	fdev_free(&dev_a);
	fdev_free(&dev_b);
	fdev_free(&dev_c);
	TEST_ASSERT_EQUAL(fails, 0, "%d failures", fails);
	return TEST_SUCCESS;
}

/* --------------------------------------------------------- DMA logging */

static int
log_start(struct rte_vfio_user_client *c, uint64_t pg, const struct rte_vfio_user_dma_range *r,
	  uint32_t n)
{
	return rte_vfio_user_client_dma_logging_start(c, pg, r, n);
}

struct marker {
	struct rte_vfio_user_server *srv;
	uint64_t base;
	uint64_t pages;
	unsigned int parity;
};

static void *
marker_thread(void *arg)
{
	const struct marker *m = arg;
	uint64_t p;

	for (p = m->parity; p < m->pages; p += 2)
		rte_vfio_user_dma_mark_dirty(m->srv, m->base + p * T_PG, 1);
	return NULL;
}

static unsigned int
popcount_bitmap(const uint64_t *bm, size_t words)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < words; i++)
		n += (unsigned int)__builtin_popcountll(bm[i]);
	return n;
}

#define R0_IOVA 0x100000ull
#define R0_LEN (256ull * T_PG) /* 1 MiB */
#define R1_IOVA (R0_IOVA + R0_LEN) /* adjacent */
#define R1_LEN (64ull * T_PG)
#define R2_IOVA 0x40000000ull
#define R2_LEN ((uint64_t)T_MEM_SIZE)

static int
test_mig_logging(void)
{
	struct rte_vfio_user_dma_range rg[4];
	struct rte_vfio_user_client *c = NULL;
	uint64_t *bm = NULL;
	struct marker mk[2];
	pthread_t th[2];
	uint8_t data[3 * T_PG];
	int fails = 0, ret, memfd = -1;
	unsigned int i;

	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "log.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE,
				      100, 1, true),
			    "device");
	c = fdev_connect(&dev_a);
	bm = calloc(1, 1 << 20);
	memfd = memfd_create("mig-log", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (c == NULL || bm == NULL || memfd < 0 || ftruncate(memfd, T_MEM_SIZE) != 0 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0 ||
	    rte_vfio_user_client_dma_map(c, memfd, 0, R2_IOVA, T_MEM_SIZE,
					 RTE_VFIO_USER_DMA_READ | RTE_VFIO_USER_DMA_WRITE) != 0) {
		printf("setup\n");
		fails++;
		goto out;
	}
	if (rte_vfio_user_client_caps(c)->mig_pgsize != T_PG) {
		printf("mig_pgsize %" PRIu64 "\n", rte_vfio_user_client_caps(c)->mig_pgsize);
		fails++;
	}
	/* Not on yet: reports and stops. */
	ret = rte_vfio_user_client_dma_logging_report(c, R0_IOVA, T_PG, T_PG, bm);
	if (ret != -EINVAL) {
		printf("report while off: %d\n", ret);
		fails++;
	}

	/* Bad starts (the server's checks; the client's own ones too). */
	rg[0].iova = R0_IOVA;
	rg[0].length = R0_LEN;
	rg[1].iova = R1_IOVA;
	rg[1].length = R1_LEN;
	rg[2].iova = R2_IOVA;
	rg[2].length = R2_LEN;
	{
		static const uint64_t pgs[] = {0, 2048, 3000, 8192, 1ull << 21};
		static const int exp[] = {-EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL};
		unsigned int k;

		for (k = 0; k < RTE_DIM(pgs); k++) {
			ret = log_start(c, pgs[k], &rg[2], 1);
			if (ret != exp[k]) {
				printf("page size %" PRIu64 ": %d\n", pgs[k], ret);
				fails++;
			}
		}
	}
	rg[3].iova = R0_IOVA + R0_LEN - T_PG; /* overlaps range 0 */
	rg[3].length = 2 * T_PG;
	ret = log_start(c, T_PG, rg, 4);
	if (ret != -EINVAL) {
		printf("overlap: %d\n", ret);
		fails++;
	}
	{
		/* the same range twice, apart: overlapping once sorted */
		struct rte_vfio_user_dma_range dup[3] = {rg[0], rg[2], rg[0]};

		ret = log_start(c, T_PG, dup, 3);
	}
	if (ret != -EINVAL) {
		printf("duplicate: %d\n", ret);
		fails++;
	}
	rg[3].iova = 1ull << 44;
	rg[3].length = 1ull << 40; /* 2^28 pages: a 32 MiB log */
	ret = log_start(c, T_PG, &rg[3], 1);
	if (ret != -E2BIG) {
		printf("huge log: %d\n", ret);
		fails++;
	}
	if (dev_a.log_on != 0 || rte_vfio_user_dma_logging(dev_a.srv)) {
		printf("logging on after refusals\n");
		fails++;
	}
	/* Raw: more ranges than allowed, unaligned range, reserved set. */
	{
		uint8_t *pl = malloc(16 + 1025 * 16);
		struct vfio_user_version ver;
		struct raw r;

		if (pl == NULL ||
		    fdev_init(&dev_b, "lograw.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE, 10, 1,
			      false) != 0) {
			free(pl);
			fails++;
			goto out;
		}
		if (raw_open(&r, &dev_b, true, &ver) == 0) {
			uint64_t(*rr)[2] = calloc(1025, sizeof(*rr));
			uint32_t k;

			for (k = 0; rr != NULL && k < 1025; k++) {
				rr[k][0] = (uint64_t)k * 2 * T_PG;
				rr[k][1] = T_PG;
			}
			if (rr == NULL ||
			    vfio_user_dma_logging_ctl_encode(pl, 16 + 1025 * 16, T_PG, rr, 1025) <
				    0 ||
			    raw_feature(&r, F_SET | 6, pl, 16 + 1025 * 16, NULL, NULL) != -EINVAL ||
			    raw_feature(&r, F_SET | 6, pl, 16 + 1024 * 16, NULL, NULL) != -EINVAL) {
				printf("1025 ranges (and a wrong count)\n");
				fails++;
			}
			put_le32(pl + 8, 1024);
			if (raw_feature(&r, F_SET | 6, pl, 16 + 1024 * 16, NULL, NULL) != 0 ||
			    dev_b.log_on != 1 ||
			    raw_feature(&r, F_SET | 7, NULL, 0, NULL, NULL) != 0 ||
			    dev_b.log_off != 1) {
				printf("1024 ranges\n");
				fails++;
			}
			put_le32(pl + 8, 1);
			put_le64(pl + 16, T_PG / 2);
			if (raw_feature(&r, F_SET | 6, pl, 32, NULL, NULL) != -EINVAL) {
				printf("unaligned range\n");
				fails++;
			}
			put_le64(pl + 16, 0);
			put_le32(pl + 12, 1);
			if (raw_feature(&r, F_SET | 6, pl, 32, NULL, NULL) != -EINVAL) {
				printf("reserved\n");
				fails++;
			}
			/*
			 * A report beyond max_bitmap_size: E2BIG (reports of exactly
			 * max_bitmap_size: test_mig_logging_split()).
			 */
			put_le32(pl + 12, 0);
			put_le64(pl + 16, 0);
			put_le64(pl + 24, 1ull << 35); /* 2^23 pages: a 1 MiB log */
			if (raw_feature(&r, F_SET | 6, pl, 32, NULL, NULL) != 0) {
				printf("start 2^35\n");
				fails++;
			} else {
				uint8_t rq[24];

				put_le64(rq, 0);
				put_le64(rq + 8, 1ull << 35);
				put_le64(rq + 16, T_PG);
				if (raw_feature(&r, F_GET | 8, rq, 24, NULL, NULL) != -E2BIG) {
					printf("report beyond max_bitmap_size\n");
					fails++;
				}
				if (raw_feature(&r, F_SET | 7, NULL, 0, NULL, NULL) != 0) {
					printf("stop\n");
					fails++;
				}
			}
			/* a stop with an empty control, as kernel-style clients send */
			memset(pl, 0, 16);
			if (raw_feature(&r, F_SET | 7, pl, 16, NULL, NULL) != 0) {
				printf("stop with a control\n");
				fails++;
			}
			free(rr);
			raw_close(&r);
		} else {
			fails++;
		}
		free(pl);
		fdev_free(&dev_b);
	}

	/* Start for real: ranges 2, 0, 1 (unsorted, 0 and 1 adjacent). */
	rg[3] = rg[0];
	ret = log_start(c, T_PG, &rg[1], 3);
	if (ret != 0 || dev_a.log_on != 1 || !rte_vfio_user_dma_logging(dev_a.srv)) {
		printf("start: %d\n", ret);
		fails++;
		goto out;
	}
	{
		/* What telemetry shows (/vfio_user/info). */
		struct vfio_user_server_client_info ci;

		vfio_user_server_client_info(dev_a.srv, &ci);
		if (!ci.migration || !ci.dma_logging || ci.dlog_page_size != T_PG ||
		    ci.dlog_ranges != 3 || ci.mig_state != S_RUNNING) {
			printf("telemetry info: logging %d page %" PRIu64 " ranges %u\n",
			       ci.dma_logging, ci.dlog_page_size, ci.dlog_ranges);
			fails++;
		}
	}
	if (log_start(c, T_PG, &rg[1], 3) != -EBUSY) {
		printf("second start\n");
		fails++;
	}
	/* Marks: first page of range 0, pages 63..65, a write across 0/1, outside ones. */
	rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA, 1);
	rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA + 63 * T_PG + 100, 2 * T_PG);
	rte_vfio_user_dma_mark_dirty(dev_a.srv, R1_IOVA - 10, 20);
	rte_vfio_user_dma_mark_dirty(dev_a.srv, 0, R0_IOVA); /* before: ignored */
	rte_vfio_user_dma_mark_dirty(dev_a.srv, R1_IOVA + R1_LEN, T_PG); /* gap: ignored */
	rte_vfio_user_dma_mark_dirty(dev_a.srv, UINT64_MAX - 10, 100); /* wraps: ignored */
	ret = rte_vfio_user_client_dma_logging_report(c, R0_IOVA, R0_LEN + R1_LEN, T_PG, bm);
	if (ret != 0 || popcount_bitmap(bm, 5) != 6 || bm[0] != (1ull | 1ull << 63) || bm[1] != 3 ||
	    bm[3] != 1ull << 63 || bm[4] != 1) {
		printf("report: %d, %u bits, %016" PRIx64 " %016" PRIx64 " %016" PRIx64
		       " %016" PRIx64 "\n",
		       ret, popcount_bitmap(bm, 5), bm[0], bm[1], bm[3], bm[4]);
		fails++;
	}
	/* A report clears what it took. */
	memset(bm, 0xff, 5 * 8);
	ret = rte_vfio_user_client_dma_logging_report(c, R0_IOVA, R0_LEN + R1_LEN, T_PG, bm);
	if (ret != 0 || popcount_bitmap(bm, 5) != 0) {
		printf("second report: %d, %u bits\n", ret, popcount_bitmap(bm, 5));
		fails++;
	}
	/* An unaligned report start (page 3 of range 0) takes only its pages. */
	rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA + 2 * T_PG, 1);
	rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA + 3 * T_PG, 1);
	rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA + 70 * T_PG, 1);
	ret = rte_vfio_user_client_dma_logging_report(c, R0_IOVA + 3 * T_PG, 100 * T_PG, T_PG, bm);
	if (ret != 0 || bm[0] != 1 || bm[1] != 1ull << 3) {
		printf("offset report: %d %016" PRIx64 " %016" PRIx64 "\n", ret, bm[0], bm[1]);
		fails++;
	}
	ret = rte_vfio_user_client_dma_logging_report(c, R0_IOVA, 64 * T_PG, T_PG, bm);
	if (ret != 0 || bm[0] != 1ull << 2) {
		printf("page 2 left: %d %016" PRIx64 "\n", ret, bm[0]);
		fails++;
	}
	/* Bad reports. */
	{
		struct {
			uint64_t iova, len, pg;
			int exp;
			const char *what;
		} bad[] = {
			{R0_IOVA - T_PG, 2 * T_PG, T_PG, -EINVAL, "before range 0"},
			{R1_IOVA + R1_LEN - T_PG, 2 * T_PG, T_PG, -EINVAL, "past range 1"},
			{R0_IOVA, R2_IOVA - R0_IOVA + T_PG, T_PG, -EINVAL, "across the gap"},
			{R0_IOVA, R0_LEN, 8192, -EINVAL, "another page size"},
			{R0_IOVA + 100, T_PG, T_PG, -EINVAL, "unaligned"},
			{R0_IOVA, 0, T_PG, -EINVAL, "empty"},
		};
		unsigned int k;

		for (k = 0; k < RTE_DIM(bad); k++) {
			ret = rte_vfio_user_client_dma_logging_report(c, bad[k].iova, bad[k].len,
								      bad[k].pg, bm);
			if (ret != bad[k].exp) {
				printf("%s: %d\n", bad[k].what, ret);
				fails++;
			}
		}
	}
	/*
	 * rte_vfio_user_dma_write() marks what it writes; one failing on its
	 * second page marks the first (written).
	 */
	memset(data, 0xab, sizeof(data));
	if (rte_vfio_user_dma_write(dev_a.srv, R2_IOVA + 5 * T_PG + 1, data, 2 * T_PG) != 0 ||
	    rte_vfio_user_dma_write(dev_a.srv, R2_IOVA + R2_LEN - T_PG, data, 2 * T_PG) !=
		    -EFAULT) {
		printf("dma_write\n");
		fails++;
	}
	ret = rte_vfio_user_client_dma_logging_report(c, R2_IOVA, R2_LEN, T_PG, bm);
	if (ret != 0 || popcount_bitmap(bm, R2_LEN / T_PG / 64) != 4 || bm[0] != 7ull << 5 ||
	    bm[R2_LEN / T_PG / 64 - 1] != 1ull << 63) {
		printf("dma_write marks: %d, %u bits, %016" PRIx64 "\n", ret,
		       popcount_bitmap(bm, R2_LEN / T_PG / 64), bm[0]);
		fails++;
	}
	/* Two threads marking interleaved pages of the same words: every bit. */
	for (i = 0; i < 2; i++) {
		mk[i].srv = dev_a.srv;
		mk[i].base = R2_IOVA;
		mk[i].pages = R2_LEN / T_PG;
		mk[i].parity = i;
	}
	for (i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, marker_thread, &mk[i]) != 0)
			break;
	if (i < 2) {
		printf("pthread_create\n");
		fails++;
		if (i == 1)
			pthread_join(th[0], NULL);
		goto out;
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	ret = rte_vfio_user_client_dma_logging_report(c, R2_IOVA, R2_LEN, T_PG, bm);
	if (ret != 0 || popcount_bitmap(bm, R2_LEN / T_PG / 64) != R2_LEN / T_PG) {
		printf("two markers: %d, %u of %" PRIu64 " bits\n", ret,
		       popcount_bitmap(bm, R2_LEN / T_PG / 64), R2_LEN / T_PG);
		fails++;
	}
	/* Stop: callback, then nothing logged any more. */
	if (rte_vfio_user_client_dma_logging_stop(c) != 0 || dev_a.log_off != 1 ||
	    rte_vfio_user_dma_logging(dev_a.srv)) {
		printf("stop\n");
		fails++;
	}
	rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA, T_PG); /* harmless */
	if (rte_vfio_user_client_dma_logging_report(c, R0_IOVA, T_PG, T_PG, bm) != -EINVAL) {
		printf("report after stop\n");
		fails++;
	}
	/* Logging on at a disconnect: stopped (callback), RUNNING. */
	if (log_start(c, T_PG, &rg[0], 1) != 0 || dev_a.log_on != 2) {
		printf("restart\n");
		fails++;
	}
	rte_vfio_user_client_close(c);
	c = NULL;
	for (i = 0; i < 200 && rte_vfio_user_dma_logging(dev_a.srv); i++)
		usleep(10000);
	if (rte_vfio_user_dma_logging(dev_a.srv) || dev_a.log_off != 2) {
		printf("logging after disconnect\n");
		fails++;
	}
out:
	if (c != NULL)
		rte_vfio_user_client_close(c);
	if (memfd >= 0)
		close(memfd);
	free(bm);
	fdev_free(&dev_a);
	TEST_ASSERT_EQUAL(fails, 0, "%d failures", fails);
	return TEST_SUCCESS;
}

/* A report bitmap beyond max_bitmap_size: the client splits it. */
static int
test_mig_logging_split(void)
{
	struct rte_vfio_user_dma_range rg;
	struct rte_vfio_user_client *c;
	const struct rte_vfio_user_client_caps *caps;
	uint64_t *bm, pages, k;
	int fails = 0, ret;

	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "split.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE,
				      100, 1, true),
			    "device");
	c = fdev_connect(&dev_a);
	if (c == NULL) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "connect");
	}
	caps = rte_vfio_user_client_caps(c);
	/* Three and a half bitmaps' worth of pages. */
	pages = caps->mig_max_bitmap_size * 8 * 7 / 2;
	rg.iova = 1ull << 32;
	rg.length = pages * T_PG;
	bm = calloc(pages / 8 + 8, 1);
	ret = bm == NULL ? -ENOMEM : rte_vfio_user_client_dma_logging_start(c, T_PG, &rg, 1);
	if (ret != 0) {
		printf("start: %d (%" PRIu64 " pages)\n", ret, pages);
		fails++;
		goto out;
	}
	for (k = 0; k < pages; k += 4099)
		rte_vfio_user_dma_mark_dirty(dev_a.srv, rg.iova + k * T_PG, 1);
	ret = rte_vfio_user_client_dma_logging_report(c, rg.iova, rg.length, T_PG, bm);
	for (k = 0; ret == 0 && k < pages; k++)
		if (!!(bm[k / 64] & (1ull << (k % 64))) != (k % 4099 == 0))
			break;
	if (ret != 0 || k != pages) {
		printf("split report: %d, bit %" PRIu64 " wrong\n", ret, k);
		fails++;
	}
out:
	free(bm);
	rte_vfio_user_client_close(c);
	fdev_free(&dev_a);
	TEST_ASSERT_EQUAL(fails, 0, "%d failures", fails);
	return TEST_SUCCESS;
}

/* ------------------------------------------------------ hostile server */

enum hostile {
	H_GOOD, /* correct replies */
	H_STATE_OTHER, /* MIG_DEVICE_STATE: another state than asked */
	H_STATE_P2P, /* MIG_DEVICE_STATE: state 5 */
	H_STATE_SHORT, /* MIG_DEVICE_STATE: 4 bytes of data */
	H_FLAGS_NO_STOP_COPY, /* MIGRATION: flags 4 */
	H_FLAGS_ECHO, /* DEVICE_FEATURE reply with other flags */
	H_READ_MORE, /* MIG_DATA_READ: more bytes than asked */
	H_READ_ARGSZ, /* MIG_DATA_READ: argsz not 8 + size */
	H_REPORT_BEYOND, /* DMA_LOGGING_REPORT: bits beyond the range */
	H_REPORT_SIZE, /* DMA_LOGGING_REPORT: a bitmap word short */
	H_REPORT_IOVA, /* DMA_LOGGING_REPORT: another iova */
	H_START_PGSIZE, /* DMA_LOGGING_START: another page size */
	H_WRITE_PAYLOAD, /* MIG_DATA_WRITE: a reply with payload */
};

struct hsrv {
	int lsock;
	pthread_t thr;
	volatile int mode;
	volatile bool stop;
	char path[100];
};

static void
h_reply(int s, const struct vfio_user_hdr *req, const uint8_t *pl, uint32_t len)
{
	uint8_t *msg = malloc(VFIO_USER_HDR_SIZE + len);
	struct vfio_user_hdr h;

	if (msg == NULL)
		return;
	memset(&h, 0, sizeof(h));
	h.msg_id = req->msg_id;
	h.cmd = req->cmd;
	h.size = VFIO_USER_HDR_SIZE + len;
	h.flags = VFIO_USER_F_TYPE_REPLY;
	vfio_user_hdr_encode(msg, &h);
	if (len > 0)
		memcpy(msg + VFIO_USER_HDR_SIZE, pl, len);
	vfio_user_sock_send(s, msg, h.size, NULL, 0, 1000);
	free(msg);
}

/* The reply to one request according to the mode. */
static void
h_answer(struct hsrv *hs, int s, const struct vfio_user_hdr *h, uint8_t *pl, uint32_t len)
{
	static uint8_t out[4096];
	int mode = hs->mode;
	uint32_t flags, n;

	if (h->cmd == VFIO_USER_CMD_VERSION) {
		struct vfio_user_caps caps;
		int r;

		vfio_user_caps_default(&caps);
		caps.migration = true;
		caps.mig_max_bitmap_size = 64; /* 512 pages per report */
		r = vfio_user_version_encode(out, sizeof(out), 0, 2, &caps);
		h_reply(s, h, out, r > 0 ? (uint32_t)r : 0);
		return;
	}
	if (h->cmd == VFIO_USER_CMD_MIG_DATA_READ && len == 8) {
		n = get_le32(pl + 4) > 1000 ? 1000 : get_le32(pl + 4);
		if (mode == H_READ_MORE && get_le32(pl + 4) < 4000)
			n = get_le32(pl + 4) + 1;
		put_le32(out, mode == H_READ_ARGSZ ? 9 + n : 8 + n);
		put_le32(out + 4, n);
		memset(out + 8, 0x77, n);
		h_reply(s, h, out, 8 + n);
		return;
	}
	if (h->cmd == VFIO_USER_CMD_MIG_DATA_WRITE) {
		h_reply(s, h, out, mode == H_WRITE_PAYLOAD ? 8 : 0);
		return;
	}
	if (h->cmd != VFIO_USER_CMD_DEVICE_FEATURE || len < 8 || len > 2048) {
		h_reply(s, h, NULL, 0);
		return;
	}
	flags = get_le32(pl + 4);
	memcpy(out, pl, len);
	if (mode == H_FLAGS_ECHO)
		put_le32(out + 4, flags ^ VFIO_USER_DEVICE_FEATURE_PROBE);
	switch (flags & VFIO_USER_DEVICE_FEATURE_MASK) {
	case VFIO_USER_FEATURE_MIGRATION:
		put_le64(out + 8, mode == H_FLAGS_NO_STOP_COPY ? 4 : 5);
		n = 16;
		break;
	case VFIO_USER_FEATURE_MIG_DEVICE_STATE:
		if (flags & VFIO_USER_DEVICE_FEATURE_SET)
			n = get_le32(pl + 8);
		else
			n = S_RUNNING;
		if (mode == H_STATE_OTHER)
			n = n == S_STOP ? S_RUNNING : S_STOP;
		else if (mode == H_STATE_P2P)
			n = 5;
		put_le32(out + 8, n);
		put_le32(out + 12, UINT32_MAX);
		n = mode == H_STATE_SHORT ? 12 : 16;
		break;
	case VFIO_USER_FEATURE_DMA_LOGGING_START:
		if (mode == H_START_PGSIZE)
			put_le64(out + 8, 8192);
		n = len;
		break;
	case VFIO_USER_FEATURE_DMA_LOGGING_REPORT: {
		uint64_t pages = get_le64(pl + 16) / get_le64(pl + 24);
		uint32_t bytes = (uint32_t)((pages + 63) / 64 * 8);

		if (bytes > 1024) {
			n = 8;
			break;
		}
		memset(out + 32, 0, bytes);
		out[32] = 1; /* the first page */
		if (mode == H_REPORT_BEYOND && pages % 64 != 0)
			out[32 + bytes - 1] = 0x80;
		if (mode == H_REPORT_SIZE)
			bytes -= 8;
		if (mode == H_REPORT_IOVA)
			put_le64(out + 8, get_le64(pl + 8) + 4096);
		n = 32 + bytes;
		break;
	}
	default:
		n = len;
		break;
	}
	put_le32(out, n);
	h_reply(s, h, out, n);
}

static void *
h_thread(void *arg)
{
	struct hsrv *hs = arg;
	uint8_t *buf = malloc(VFIO_USER_SRV_MAX_MSG_SIZE);
	int s = -1;

	while (buf != NULL && !hs->stop) {
		struct vfio_user_hdr h;
		unsigned int nfds = 0;
		int fds[4], ret;

		if (s < 0) {
			struct pollfd pfd = {.fd = hs->lsock, .events = POLLIN};

			if (poll(&pfd, 1, 50) == 1)
				s = accept4(hs->lsock, NULL, NULL, SOCK_CLOEXEC);
			continue;
		}
		ret = vfio_user_sock_recv(s, buf, VFIO_USER_SRV_MAX_MSG_SIZE, &h, fds, 4, &nfds,
					  50);
		vfio_user_close_fds(fds, nfds);
		if (ret == -ETIMEDOUT || ret == -EAGAIN)
			continue;
		if (ret < 0) {
			close(s);
			s = -1;
			continue;
		}
		h_answer(hs, s, &h, buf + VFIO_USER_HDR_SIZE, h.size - VFIO_USER_HDR_SIZE);
	}
	if (s >= 0)
		close(s);
	free(buf);
	return NULL;
}

static int
test_mig_client_hostile(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct rte_vfio_user_dma_range rg = {.iova = 0x100000, .length = 100 * T_PG};
	struct rte_vfio_user_client *c = NULL;
	enum rte_vfio_user_mig_state st;
	static struct hsrv hs;
	uint64_t flags, bm[4];
	uint8_t buf[2000];
	int fails = 0, ret;
	unsigned int k;
	struct {
		int mode;
		int what; /* 0 state_set, 1 state_get, 2 flags, 3 read, 4 report, 5 start, 6 write */
		const char *name;
	} cases[] = {
		{H_STATE_OTHER, 0, "state set: another state"},
		{H_STATE_P2P, 1, "state get: P2P"},
		{H_STATE_SHORT, 1, "state get: short"},
		{H_FLAGS_NO_STOP_COPY, 2, "flags without STOP_COPY"},
		{H_FLAGS_ECHO, 2, "feature flags not echoed"},
		{H_READ_MORE, 3, "read: more than asked"},
		{H_READ_ARGSZ, 3, "read: argsz"},
		{H_REPORT_BEYOND, 4, "report: bits beyond"},
		{H_REPORT_SIZE, 4, "report: bitmap size"},
		{H_REPORT_IOVA, 4, "report: iova"},
		{H_START_PGSIZE, 5, "start: page size changed"},
		{H_WRITE_PAYLOAD, 6, "write: reply payload"},
	};

	memset(&hs, 0, sizeof(hs));
	snprintf(hs.path, sizeof(hs.path), "%s/hostile.sock", tmpdir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", hs.path);
	hs.lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	TEST_ASSERT(hs.lsock >= 0, "socket");
	if (bind(hs.lsock, (struct sockaddr *)&sun, sizeof(sun)) != 0 || listen(hs.lsock, 4) != 0 ||
	    pthread_create(&hs.thr, NULL, h_thread, &hs) != 0) {
		close(hs.lsock);
		unlink(hs.path);
		TEST_ASSERT(false, "fake server");
	}
	hs.mode = H_GOOD;
	c = rte_vfio_user_client_connect(hs.path, NULL);
	if (c == NULL || !rte_vfio_user_client_caps(c)->migration ||
	    rte_vfio_user_client_caps(c)->mig_max_bitmap_size != 64) {
		printf("connect to the fake server\n");
		fails++;
		goto out;
	}
	/* The good replies go through (the fake server is right). */
	if (rte_vfio_user_client_mig_state_set(c, S_STOP) != 0 ||
	    rte_vfio_user_client_mig_state_get(c, &st) != 0 || st != S_RUNNING ||
	    rte_vfio_user_client_mig_flags(c, &flags) != 0 || flags != 5 ||
	    rte_vfio_user_client_mig_data_read(c, buf, sizeof(buf)) != 1000 ||
	    rte_vfio_user_client_dma_logging_start(c, T_PG, &rg, 1) != 0 ||
	    rte_vfio_user_client_dma_logging_report(c, rg.iova, rg.length, T_PG, bm) != 0 ||
	    bm[0] != 1 || bm[1] != 0 || rte_vfio_user_client_mig_data_write(c, buf, 10) != 0) {
		printf("good replies refused\n");
		fails++;
	}
	/* 1000 pages: 2 requests of 512 (64-byte bitmaps), first page of each set. */
	{
		uint64_t big[16];
		struct rte_vfio_user_dma_range r2 = {.iova = 0, .length = 1000 * T_PG};

		memset(big, 0xff, sizeof(big));
		ret = rte_vfio_user_client_dma_logging_report(c, r2.iova, r2.length, T_PG, big);
		if (ret != 0 || big[0] != 1 || big[8] != 1 || big[7] != 0 || big[15] != 0) {
			printf("split report: %d\n", ret);
			fails++;
		}
	}
	for (k = 0; k < RTE_DIM(cases); k++) {
		hs.mode = cases[k].mode;
		switch (cases[k].what) {
		case 0:
			ret = rte_vfio_user_client_mig_state_set(c, S_STOP);
			break;
		case 1:
			ret = rte_vfio_user_client_mig_state_get(c, &st);
			break;
		case 2:
			ret = rte_vfio_user_client_mig_flags(c, &flags);
			break;
		case 3:
			ret = rte_vfio_user_client_mig_data_read(c, buf, sizeof(buf));
			break;
		case 4:
			ret = rte_vfio_user_client_dma_logging_report(c, rg.iova, rg.length, T_PG,
								      bm);
			break;
		case 5:
			ret = rte_vfio_user_client_dma_logging_start(c, T_PG, &rg, 1);
			break;
		default:
			ret = rte_vfio_user_client_mig_data_write(c, buf, 10);
			break;
		}
		if (ret != -EPROTO) {
			printf("%s: %d, expected -EPROTO\n", cases[k].name, ret);
			fails++;
		}
	}
	/* Still in step after all that. */
	hs.mode = H_GOOD;
	if (rte_vfio_user_client_mig_state_get(c, &st) != 0 || st != S_RUNNING) {
		printf("client out of step after bad replies\n");
		fails++;
	}
out:
	if (c != NULL)
		rte_vfio_user_client_close(c);
	hs.stop = true;
	pthread_join(hs.thr, NULL);
	close(hs.lsock);
	unlink(hs.path);
	TEST_ASSERT_EQUAL(fails, 0, "%d failures", fails);
	return TEST_SUCCESS;
}

/* ------------------------------- refusals, bitmap bound, budget, FLR */

/* DMA_LOGGING_START of one range [iova, iova + len), pages of T_PG. */
static int
raw_log_start(struct raw *r, uint64_t iova, uint64_t len)
{
	const uint64_t rr[1][2] = {{iova, len}};
	uint8_t pl[32];
	int n;

	n = vfio_user_dma_logging_ctl_encode(pl, sizeof(pl), T_PG, rr, 1);
	if (n < 0)
		return n;
	return raw_feature(r, F_SET | VFIO_USER_FEATURE_DMA_LOGGING_START, pl, (uint32_t)n, NULL,
			   NULL);
}

static int
raw_log_stop(struct raw *r)
{
	return raw_feature(r, F_SET | VFIO_USER_FEATURE_DMA_LOGGING_STOP, NULL, 0, NULL, NULL);
}

/* DMA_LOGGING_REPORT of [iova, iova + len): the bitmap at *bm, *bml bytes. */
static int
raw_log_report(struct raw *r, uint64_t iova, uint64_t len, const uint8_t **bm, uint32_t *bml)
{
	struct vfio_user_dma_logging_report rep;
	uint8_t pl[VFIO_USER_DMA_LOGGING_REPORT_SIZE];
	const uint8_t *rd;
	uint32_t rl;
	int ret;

	memset(&rep, 0, sizeof(rep));
	rep.iova = iova;
	rep.length = len;
	rep.page_size = T_PG;
	if (vfio_user_dma_logging_report_encode(pl, sizeof(pl), &rep, NULL) < 0)
		return -EPROTO;
	ret = raw_feature(r, F_GET | VFIO_USER_FEATURE_DMA_LOGGING_REPORT, pl, sizeof(pl), &rd,
			  &rl);
	if (ret < 0)
		return ret;
	if (rl < VFIO_USER_DMA_LOGGING_REPORT_SIZE)
		return -EPROTO;
	if (bm != NULL)
		*bm = rd + VFIO_USER_DMA_LOGGING_REPORT_SIZE;
	if (bml != NULL)
		*bml = rl - VFIO_USER_DMA_LOGGING_REPORT_SIZE;
	return 0;
}

/* MIG_DATA_WRITE of len bytes of fill. */
static int
raw_data_write(struct raw *r, uint32_t len, uint8_t fill)
{
	uint8_t *pl = malloc(VFIO_USER_MIG_DATA_SIZE + len), *data = malloc(len);
	int ret = -ENOMEM;

	if (pl != NULL && data != NULL) {
		memset(data, fill, len);
		ret = vfio_user_mig_data_encode(pl, VFIO_USER_MIG_DATA_SIZE + len,
						VFIO_USER_MIG_DATA_SIZE + len, len, data);
		if (ret >= 0)
			ret = raw_call(r, VFIO_USER_CMD_MIG_DATA_WRITE, pl,
				       VFIO_USER_MIG_DATA_SIZE + len);
	}
	free(pl);
	free(data);
	return ret;
}

/* Attach a raw connection whose VERSION carries this JSON text. */
static int
raw_open_json(struct raw *r, struct fdev *d, const char *json, struct vfio_user_version *ver)
{
	uint8_t pl[512];
	size_t n = strlen(json) + 1;
	int sv[2];

	memset(r, 0, sizeof(*r));
	r->s = -1;
	r->buf = malloc(VFIO_USER_SRV_MAX_MSG_SIZE);
	if (r->buf == NULL || n > sizeof(pl) - 4 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		free(r->buf);
		return -1;
	}
	if (vfio_user_server_attach(d->srv, sv[1]) != 0) {
		close(sv[0]);
		close(sv[1]);
		free(r->buf);
		return -1;
	}
	r->srv = d->srv;
	r->s = sv[0];
	memset(pl, 0, 4); /* version 0.0 */
	memcpy(pl + 4, json, n);
	if (raw_call(r, VFIO_USER_CMD_VERSION, pl, (uint32_t)(4 + n)) != 0 ||
	    vfio_user_version_decode(raw_payload(r), r->rlen, ver) != 0) {
		raw_close(r);
		return -1;
	}
	return 0;
}

/* Every migration message shape, each refused when migration is not on. */
struct refuse_case {
	const char *what;
	uint16_t cmd;
	uint32_t flags; /* DEVICE_FEATURE: flags | feature */
};

static const struct refuse_case refuse_cases[] = {
	{"GET MIGRATION", VFIO_USER_CMD_DEVICE_FEATURE, F_GET | VFIO_USER_FEATURE_MIGRATION},
	{"PROBE MIGRATION", VFIO_USER_CMD_DEVICE_FEATURE,
	 F_PROBE | F_GET | VFIO_USER_FEATURE_MIGRATION},
	{"GET MIG_DEVICE_STATE", VFIO_USER_CMD_DEVICE_FEATURE,
	 F_GET | VFIO_USER_FEATURE_MIG_DEVICE_STATE},
	{"SET MIG_DEVICE_STATE STOP", VFIO_USER_CMD_DEVICE_FEATURE,
	 F_SET | VFIO_USER_FEATURE_MIG_DEVICE_STATE},
	{"PROBE MIG_DEVICE_STATE", VFIO_USER_CMD_DEVICE_FEATURE,
	 F_PROBE | F_SET | VFIO_USER_FEATURE_MIG_DEVICE_STATE},
	{"DMA_LOGGING_START", VFIO_USER_CMD_DEVICE_FEATURE,
	 F_SET | VFIO_USER_FEATURE_DMA_LOGGING_START},
	{"PROBE DMA_LOGGING_START", VFIO_USER_CMD_DEVICE_FEATURE,
	 F_PROBE | F_SET | VFIO_USER_FEATURE_DMA_LOGGING_START},
	{"DMA_LOGGING_STOP", VFIO_USER_CMD_DEVICE_FEATURE,
	 F_SET | VFIO_USER_FEATURE_DMA_LOGGING_STOP},
	{"DMA_LOGGING_REPORT", VFIO_USER_CMD_DEVICE_FEATURE,
	 F_GET | VFIO_USER_FEATURE_DMA_LOGGING_REPORT},
	{"PROBE DMA_LOGGING_REPORT", VFIO_USER_CMD_DEVICE_FEATURE,
	 F_PROBE | F_GET | VFIO_USER_FEATURE_DMA_LOGGING_REPORT},
	{"MIG_DATA_READ", VFIO_USER_CMD_MIG_DATA_READ, 0},
	{"MIG_DATA_WRITE", VFIO_USER_CMD_MIG_DATA_WRITE, 0},
};

/* The payload of a refuse_case: well formed, accepted where migration is on. */
static int
refuse_payload(const struct refuse_case *c, uint8_t *pl, size_t cap)
{
	const uint64_t rr[1][2] = {{R0_IOVA, R0_LEN}};
	struct vfio_user_dma_logging_report rep;
	uint8_t d[64];
	int n = 0;

	if (c->cmd == VFIO_USER_CMD_MIG_DATA_READ)
		return vfio_user_mig_data_encode(pl, cap, 8 + 16, 16, NULL) < 0 ? -1 : 8;
	if (c->cmd == VFIO_USER_CMD_MIG_DATA_WRITE)
		return vfio_user_mig_data_encode(pl, cap, 8 + 4, 4, "abcd");
	if (!(c->flags & F_PROBE)) {
		switch (c->flags & 0xffff) {
		case VFIO_USER_FEATURE_MIG_DEVICE_STATE:
			n = (c->flags & F_SET) ? vfio_user_mig_state_encode(d, sizeof(d), S_STOP) :
						 0;
			break;
		case VFIO_USER_FEATURE_DMA_LOGGING_START:
			n = vfio_user_dma_logging_ctl_encode(d, sizeof(d), T_PG, rr, 1);
			break;
		case VFIO_USER_FEATURE_DMA_LOGGING_REPORT:
			memset(&rep, 0, sizeof(rep));
			rep.iova = R0_IOVA;
			rep.length = T_PG;
			rep.page_size = T_PG;
			n = vfio_user_dma_logging_report_encode(d, sizeof(d), &rep, NULL);
			break;
		default:
			break;
		}
	}
	if (n < 0)
		return -1;
	return vfio_user_device_feature_encode(pl, cap, c->flags, n > 0 ? d : NULL, (uint32_t)n);
}

/*
 * Every shape in refuse_cases, rounds times: expect (0: accepted where the
 * state allows it, so only refusals are checked) from each.
 * @return the failures.
 */
static int
refuse_all(struct raw *r, int expect, unsigned int rounds, const char *setup)
{
	unsigned int i, k;
	uint8_t pl[128];
	int n, ret, fails = 0;

	for (k = 0; k < rounds; k++) {
		for (i = 0; i < RTE_DIM(refuse_cases); i++) {
			n = refuse_payload(&refuse_cases[i], pl, sizeof(pl));
			if (n < 0) {
				printf("%s: %s: no payload\n", setup, refuse_cases[i].what);
				fails++;
				continue;
			}
			ret = raw_call(r, refuse_cases[i].cmd, pl, (uint32_t)n);
			if (ret != expect) {
				printf("%s: %s: %d, expected %d\n", setup, refuse_cases[i].what,
				       ret, expect);
				fails++;
			}
		}
	}
	return fails;
}

/* Nothing happened to d: running, no arc, no logging, no memory. */
static int
untouched(const struct fdev *d, size_t used, const char *setup)
{
	if (rte_vfio_user_mig_state(d->srv) != S_RUNNING || d->nr_arcs != 0 || d->log_on != 0 ||
	    rte_vfio_user_dma_logging(d->srv) || rte_vfio_user_mig_mem_used() != used) {
		printf("%s: state %s, %u arcs, %u log starts, logging %d, memory %zu (was %zu)\n",
		       setup, rte_vfio_user_mig_state_name(rte_vfio_user_mig_state(d->srv)),
		       d->nr_arcs, d->log_on, rte_vfio_user_dma_logging(d->srv),
		       rte_vfio_user_mig_mem_used(), used);
		return 1;
	}
	return 0;
}

/*
 * Migration messages need the device's mig_ops AND this connection's
 * "migration" capability: every shape refused (ENOTSUP) otherwise, logged
 * once per connection, not per message.
 */
static int
test_mig_not_negotiated(void)
{
	size_t used = rte_vfio_user_mig_mem_used();
	struct vfio_user_version ver;
	struct raw r;
	int fails = 0;

	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "noneg.sock",
				      RTE_VFIO_USER_MIG_F_STOP_COPY | RTE_VFIO_USER_MIG_F_PRE_COPY,
				      T_DEVICE, 100, 1, false),
			    "device");

	/* The client did not offer migration: refused, one warning for 3 rounds. */
	if (raw_open(&r, &dev_a, false, &ver) != 0 || ver.caps.migration) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "raw open without migration");
	}
	if (log_capture_start() != 0) {
		raw_close(&r);
		fdev_free(&dev_a);
		TEST_ASSERT(false, "log capture");
	}
	fails += refuse_all(&r, -ENOTSUP, 3, "not offered");
	if (log_count("refused: migration not negotiated", NULL) != 1) {
		printf("not offered: %u log lines for %zu refusals, expected 1\n",
		       log_count("refused: migration not negotiated", NULL),
		       3 * RTE_DIM(refuse_cases));
		log_capture_print();
		fails++;
	}
	log_capture_stop();
	fails += untouched(&dev_a, used, "not offered");
	raw_close(&r);

	/* Asked for, but dropped from a reply cut to the request's size. */
	if (raw_open_json(&r, &dev_a, "{\"capabilities\":{\"migration\":{}}}", &ver) != 0) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "raw open with a short VERSION");
	}
	if (ver.caps.migration) {
		printf("short VERSION: migration in a reply that cannot hold it\n");
		fails++;
	}
	fails += refuse_all(&r, -ENOTSUP, 1, "reply cut");
	fails += untouched(&dev_a, used, "reply cut");
	raw_close(&r);

	/* The same device, a client that negotiates it: accepted (per connection). */
	if (raw_open(&r, &dev_a, true, &ver) != 0 || !ver.caps.migration) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "raw open with migration");
	}
	if (raw_feature(&r, F_GET | VFIO_USER_FEATURE_MIGRATION, NULL, 0, NULL, NULL) != 0 ||
	    raw_set_state(&r, S_STOP) != 0 || raw_set_state(&r, S_RUNNING) != 0) {
		printf("negotiated: refused\n");
		fails++;
	}
	raw_close(&r);
	fdev_free(&dev_a);

	/* A device without mig_ops: refused although the client offered it. */
	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "nomig2.sock", 0, T_DEVICE, 100, 1, false), "dev");
	if (raw_open(&r, &dev_a, true, &ver) != 0) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "raw open");
	}
	fails += refuse_all(&r, -ENOTSUP, 1, "no mig_ops");
	fails += untouched(&dev_a, used, "no mig_ops");
	raw_close(&r);
	fdev_free(&dev_a);
	TEST_ASSERT_EQUAL(fails, 0, "%d failures", fails);
	return TEST_SUCCESS;
}

/*
 * DMA_LOGGING_REPORT is bounded by the max_bitmap_size of the VERSION
 * reply (the smaller of the client's and the server's): the exact maximum
 * works, the next report size (8 bytes more, or 1 more than an odd
 * maximum) is E2BIG.
 */
struct bitmap_case {
	uint64_t offered; /* the client's max_bitmap_size */
	uint64_t agreed; /* the reply's */
	bool no_ok_report; /* its reply does not fit the raw socket's buffer */
};

static const struct bitmap_case bitmap_cases[] = {
	{4096, 4096, false},
	{4103, 4103, false}, /* a report of 4104 bytes is 1 byte too many */
	{8, 8, false},
	{7, 7, false}, /* no report fits */
	/*
	 * QEMU's 256 MiB: the server's bound; only its refusal here (the raw
	 * helpers do not pump a reply larger than the socket's buffer).
	 */
	{256ull << 20, VFIO_USER_SRV_MIG_MAX_BITMAP, true},
};

static int
test_mig_bitmap_max(void)
{
	struct vfio_user_version ver;
	struct vfio_user_caps caps;
	const uint8_t *bm;
	uint32_t bml;
	unsigned int i;
	struct raw r;
	int fails = 0, ret;

	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "bitmap.sock", RTE_VFIO_USER_MIG_F_STOP_COPY,
				      T_DEVICE, 100, 1, false),
			    "device");
	for (i = 0; i < RTE_DIM(bitmap_cases); i++) {
		const struct bitmap_case *c = &bitmap_cases[i];
		uint64_t ok_pages = c->agreed / 8 * 64; /* the largest report that fits */
		uint64_t bad_pages = ok_pages + 1;

		vfio_user_caps_default(&caps);
		caps.migration = true;
		caps.mig_max_bitmap_size = c->offered;
		if (raw_open_caps(&r, &dev_a, &caps, &ver) != 0) {
			printf("max_bitmap_size %" PRIu64 ": open\n", c->offered);
			fails++;
			continue;
		}
		if (!ver.caps.migration || ver.caps.mig_max_bitmap_size != c->agreed) {
			printf("max_bitmap_size %" PRIu64 ": agreed %" PRIu64 ", expected %" PRIu64
			       "\n",
			       c->offered, ver.caps.mig_max_bitmap_size, c->agreed);
			fails++;
		}
		if (raw_log_start(&r, R0_IOVA, bad_pages * T_PG) != 0) {
			printf("max_bitmap_size %" PRIu64 ": start\n", c->offered);
			fails++;
			raw_close(&r);
			continue;
		}
		if (ok_pages > 0 && !c->no_ok_report) {
			rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA, 1);
			rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA + (ok_pages - 1) * T_PG, 1);
			ret = raw_log_report(&r, R0_IOVA, ok_pages * T_PG, &bm, &bml);
			if (ret != 0 || bml != ok_pages / 8 || !(bm[0] & 1) ||
			    !(bm[bml - 1] & 0x80)) {
				printf("max_bitmap_size %" PRIu64 ": report of %" PRIu64
				       " pages: %d (%u bytes)\n",
				       c->offered, ok_pages, ret, bml);
				fails++;
			}
		}
		ret = raw_log_report(&r, R0_IOVA, bad_pages * T_PG, NULL, NULL);
		if (ret != -E2BIG) {
			printf("max_bitmap_size %" PRIu64 ": report of %" PRIu64 " pages (%" PRIu64
			       " bytes): %d, expected -E2BIG\n",
			       c->offered, bad_pages, (bad_pages + 63) / 64 * 8, ret);
			fails++;
		}
		raw_close(&r);
	}
	fdev_free(&dev_a);
	TEST_ASSERT_EQUAL(fails, 0, "%d failures", fails);
	return TEST_SUCCESS;
}

/*
 * A device without a dma_logging callback cannot log: DMA logging is
 * ENOTSUP (PROBE included) instead of a log nobody marks; migration
 * itself still works.
 */
static int
test_mig_nolog(void)
{
	static const uint32_t feats[] = {
		F_SET | VFIO_USER_FEATURE_DMA_LOGGING_START,
		F_PROBE | F_SET | VFIO_USER_FEATURE_DMA_LOGGING_START,
		F_SET | VFIO_USER_FEATURE_DMA_LOGGING_STOP,
		F_PROBE | F_SET | VFIO_USER_FEATURE_DMA_LOGGING_STOP,
		F_GET | VFIO_USER_FEATURE_DMA_LOGGING_REPORT,
		F_PROBE | F_GET | VFIO_USER_FEATURE_DMA_LOGGING_REPORT,
	};
	size_t used = rte_vfio_user_mig_mem_used();
	struct vfio_user_version ver;
	struct refuse_case c;
	uint8_t pl[128];
	unsigned int i;
	struct raw r;
	int fails = 0, n, ret;

	fdev_nolog = true;
	ret = fdev_init(&dev_a, "nolog.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE, 100, 1,
			false);
	fdev_nolog = false;
	TEST_ASSERT_SUCCESS(ret, "device");
	if (raw_open(&r, &dev_a, true, &ver) != 0 || !ver.caps.migration) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "raw open");
	}
	for (i = 0; i < RTE_DIM(feats); i++) {
		c.what = "logging";
		c.cmd = VFIO_USER_CMD_DEVICE_FEATURE;
		c.flags = feats[i];
		n = refuse_payload(&c, pl, sizeof(pl));
		ret = n < 0 ? -EPROTO : raw_call(&r, VFIO_USER_CMD_DEVICE_FEATURE, pl, (uint32_t)n);
		if (ret != -ENOTSUP) {
			printf("no dma_logging: feature flags 0x%x: %d, expected -ENOTSUP\n",
			       feats[i], ret);
			fails++;
		}
	}
	fails += untouched(&dev_a, used, "no dma_logging");
	/* Migration without logging still works. */
	if (raw_set_state(&r, S_STOP_COPY) != 0 || raw_set_state(&r, S_RUNNING) != 0) {
		printf("no dma_logging: migration refused\n");
		fails++;
	}
	raw_close(&r);
	fdev_free(&dev_a);
	TEST_ASSERT_EQUAL(fails, 0, "%d failures", fails);
	return TEST_SUCCESS;
}

/*
 * The process-wide budget of streams and dirty logs: a second client
 * beyond it gets ENOMEM (START, MIG_DATA_WRITE, the stream of STOP_COPY)
 * while the first keeps working; what the first gives back (stop, reset,
 * disconnect) the second can take.
 */
#define B_LOG_A (64u << 10) /* bytes of bits */
#define B_LOG_B (128u << 10)
#define B_SLACK 4096u /* the logs' headers and ranges */

static int
test_mig_budget(void)
{
	size_t limit0 = rte_vfio_user_mig_mem_limit_get(), base = rte_vfio_user_mig_mem_used();
	struct vfio_user_version ver;
	struct raw ra, rb;
	bool a_open = false, b_open = false;
	int fails = 0, ret;

	if (limit0 != RTE_VFIO_USER_MIG_MEM_LIMIT_DEFAULT || base != 0) {
		printf("budget: limit %zu (default %zu), %zu in use before\n", limit0,
		       RTE_VFIO_USER_MIG_MEM_LIMIT_DEFAULT, base);
		fails++;
	}
	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "buda.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE,
				      100, 1, false),
			    "device a");
	if (fdev_init(&dev_b, "budb.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE, 100, 2,
		      false) != 0) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "device b");
	}
	a_open = raw_open(&ra, &dev_a, true, &ver) == 0;
	b_open = raw_open(&rb, &dev_b, true, &ver) == 0;
	if (!a_open || !b_open) {
		printf("budget: open\n");
		fails++;
		goto out;
	}
	rte_vfio_user_mig_mem_limit_set(base + B_LOG_A + B_LOG_B - 1);
	if (rte_vfio_user_mig_mem_limit_get() != base + B_LOG_A + B_LOG_B - 1) {
		printf("budget: limit_get\n");
		fails++;
	}

	/* A's log fits, B's does not as well: ENOMEM, nothing left of it. */
	ret = raw_log_start(&ra, R0_IOVA, (uint64_t)B_LOG_A * 8 * T_PG);
	if (ret != 0 || rte_vfio_user_mig_mem_used() < base + B_LOG_A ||
	    rte_vfio_user_mig_mem_used() > base + B_LOG_A + B_SLACK) {
		printf("budget: A start %d, %zu in use\n", ret, rte_vfio_user_mig_mem_used());
		fails++;
	}
	size_t used_a = rte_vfio_user_mig_mem_used();

	ret = raw_log_start(&rb, R0_IOVA, (uint64_t)B_LOG_B * 8 * T_PG);
	if (ret != -ENOMEM || dev_b.log_on != 0 || rte_vfio_user_dma_logging(dev_b.srv) ||
	    rte_vfio_user_mig_mem_used() != used_a) {
		printf("budget: B start beyond it: %d (log_on %u, %zu in use, was %zu)\n", ret,
		       dev_b.log_on, rte_vfio_user_mig_mem_used(), used_a);
		fails++;
	}
	/* A keeps working. */
	rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA, 1);
	{
		const uint8_t *bm;
		uint32_t bml;

		ret = raw_log_report(&ra, R0_IOVA, 64 * T_PG, &bm, &bml);
		if (ret != 0 || bml != 8 || bm[0] != 1) {
			printf("budget: A report %d\n", ret);
			fails++;
		}
	}
	/* A stops: B's fits now. */
	if (raw_log_stop(&ra) != 0 || rte_vfio_user_mig_mem_used() != base) {
		printf("budget: A stop: %zu in use\n", rte_vfio_user_mig_mem_used());
		fails++;
	}
	ret = raw_log_start(&rb, R0_IOVA, (uint64_t)B_LOG_B * 8 * T_PG);
	if (ret != 0 || dev_b.log_on != 1) {
		printf("budget: B start after A's stop: %d\n", ret);
		fails++;
	}

	/* A's stream (RESUMING, 64 KiB first) beyond it; B's stop makes room. */
	if (raw_set_state(&ra, S_RESUMING) != 0) {
		printf("budget: A RESUMING\n");
		fails++;
	}
	ret = raw_data_write(&ra, 16384, 0x5a);
	if (ret != -ENOMEM) {
		printf("budget: A MIG_DATA_WRITE beyond it: %d\n", ret);
		fails++;
	}
	if (raw_log_stop(&rb) != 0 || rte_vfio_user_mig_mem_used() != base) {
		printf("budget: B stop: %zu in use\n", rte_vfio_user_mig_mem_used());
		fails++;
	}
	ret = raw_data_write(&ra, 16384, 0x5a);
	if (ret != 0 || rte_vfio_user_mig_mem_used() <= base) {
		printf("budget: A MIG_DATA_WRITE after B's stop: %d\n", ret);
		fails++;
	}
	/* A reset gives A's stream back. */
	if (raw_call(&ra, VFIO_USER_CMD_DEVICE_RESET, NULL, 0) != 0 ||
	    rte_vfio_user_mig_mem_used() != base || raw_get_state(&ra) != S_RUNNING) {
		printf("budget: A reset: %zu in use\n", rte_vfio_user_mig_mem_used());
		fails++;
	}

	/* The stream of STOP_COPY beyond it: the arc fails (ERROR), a reset leaves. */
	rte_vfio_user_mig_mem_limit_set(base + 1000);
	ret = raw_set_state(&rb, S_STOP_COPY);
	if (ret != -ENOMEM || raw_get_state(&rb) != S_ERROR ||
	    rte_vfio_user_mig_mem_used() != base) {
		printf("budget: B STOP_COPY beyond it: %d\n", ret);
		fails++;
	}
	rte_vfio_user_mig_mem_limit_set(limit0);
	if (raw_call(&rb, VFIO_USER_CMD_DEVICE_RESET, NULL, 0) != 0 ||
	    raw_set_state(&rb, S_STOP_COPY) != 0 || rte_vfio_user_mig_mem_used() <= base) {
		printf("budget: B STOP_COPY after a reset\n");
		fails++;
	}
	/* A disconnection gives everything back (B: its stream; A: a log). */
	if (raw_log_start(&ra, R0_IOVA, 64 * T_PG) != 0) {
		printf("budget: A start\n");
		fails++;
	}
out:
	if (a_open)
		raw_close(&ra);
	if (b_open)
		raw_close(&rb);
	if (rte_vfio_user_mig_mem_used() != base) {
		printf("budget: %zu in use after the disconnections, was %zu\n",
		       rte_vfio_user_mig_mem_used(), base);
		fails++;
	}
	rte_vfio_user_mig_mem_limit_set(limit0);
	fdev_free(&dev_a);
	fdev_free(&dev_b);
	TEST_ASSERT_EQUAL(fails, 0, "%d failures", fails);
	return TEST_SUCCESS;
}

/* Write the configuration space through REGION_WRITE. */
static int
raw_cfg_write16(struct raw *r, uint32_t off, uint16_t v)
{
	struct vfio_user_region_access acc;
	uint8_t pl[VFIO_USER_REGION_ACCESS_SIZE + 2], d[2];
	int n;

	memcpy(d, &v, sizeof(v));
	acc.offset = off;
	acc.region = RTE_VFIO_USER_REGION_CONFIG;
	acc.count = 2;
	acc.data = NULL;
	n = vfio_user_region_access_encode(pl, sizeof(pl), &acc, d);
	if (n < 0)
		return n;
	return raw_call(r, VFIO_USER_CMD_REGION_WRITE, pl, (uint32_t)n);
}

/*
 * An FLR (and a DEVICE_RESET) during a migration: the device is RUNNING,
 * its stream dropped (and given back to the budget), and DMA logging
 * kept, with the marks from before the reset: logging is about guest
 * memory, which the reset does not undo (Linux's vfio-pci drivers also
 * move a reset device to RUNNING and leave dirty tracking alone).
 */
static int
test_mig_flr(void)
{
	size_t base = rte_vfio_user_mig_mem_used(), used_log;
	struct vfio_user_version ver;
	uint16_t exp_off = 0, devctl = 0;
	const uint8_t *bm;
	uint32_t bml;
	unsigned int k;
	struct raw r;
	int fails = 0, ret;

	TEST_ASSERT_SUCCESS(fdev_init(&dev_a, "flr.sock",
				      RTE_VFIO_USER_MIG_F_STOP_COPY | RTE_VFIO_USER_MIG_F_PRE_COPY,
				      T_DEVICE, 100, 1, false),
			    "device");
	if (rte_vfio_user_pci_exp_cap_add(dev_a.srv, &exp_off) != 0 ||
	    rte_vfio_user_pci_cfg_read(dev_a.srv, exp_off + 8, &devctl, 2) != 0 ||
	    raw_open(&r, &dev_a, true, &ver) != 0) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "setup");
	}
	if (raw_log_start(&r, R0_IOVA, R0_LEN) != 0) {
		printf("FLR: start\n");
		fails++;
	}
	used_log = rte_vfio_user_mig_mem_used();
	for (k = 0; k < 2; k++) {
		const char *how = k == 0 ? "FLR" : "DEVICE_RESET";
		unsigned int resets = dev_a.resets;

		rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA + 3 * T_PG, 1);
		if (raw_set_state(&r, S_PRE_COPY) != 0 || raw_set_state(&r, S_STOP_COPY) != 0 ||
		    rte_vfio_user_mig_mem_used() <= used_log) {
			printf("%s: STOP_COPY\n", how);
			fails++;
		}
		if (k == 0)
			ret = raw_cfg_write16(&r, exp_off + 8, (uint16_t)(devctl | 0x8000));
		else
			ret = raw_call(&r, VFIO_USER_CMD_DEVICE_RESET, NULL, 0);
		if (ret != 0 || dev_a.resets != resets + 1) {
			printf("%s: %d, %u resets\n", how, ret, dev_a.resets - resets);
			fails++;
		}
		/* RUNNING, the stream gone, logging on with its marks. */
		if (rte_vfio_user_mig_state(dev_a.srv) != S_RUNNING ||
		    raw_get_state(&r) != S_RUNNING || rte_vfio_user_mig_mem_used() != used_log ||
		    !rte_vfio_user_dma_logging(dev_a.srv) || dev_a.log_off != 0) {
			printf("%s: state %s, %zu in use (log %zu), logging %d, log_off %u\n", how,
			       rte_vfio_user_mig_state_name(rte_vfio_user_mig_state(dev_a.srv)),
			       rte_vfio_user_mig_mem_used(), used_log,
			       rte_vfio_user_dma_logging(dev_a.srv), dev_a.log_off);
			fails++;
		}
		rte_vfio_user_dma_mark_dirty(dev_a.srv, R0_IOVA + 5 * T_PG, 1);
		ret = raw_log_report(&r, R0_IOVA, 64 * T_PG, &bm, &bml);
		if (ret != 0 || bml != 8 || bm[0] != 0x28) {
			printf("%s: report %d (%u bytes, 0x%02x): the marks before and after\n",
			       how, ret, bml, ret == 0 ? bm[0] : 0);
			fails++;
		}
	}
	if (raw_log_stop(&r) != 0 || rte_vfio_user_mig_mem_used() != base) {
		printf("FLR: stop\n");
		fails++;
	}
	raw_close(&r);
	fdev_free(&dev_a);

	/* A device without a reset callback: an FLR takes it to RUNNING all the same. */
	fdev_noreset = true;
	ret = fdev_init(&dev_a, "flr2.sock", RTE_VFIO_USER_MIG_F_STOP_COPY, T_DEVICE, 100, 1,
			false);
	fdev_noreset = false;
	TEST_ASSERT_SUCCESS(ret, "device without reset");
	if (rte_vfio_user_pci_exp_cap_add(dev_a.srv, &exp_off) != 0 ||
	    rte_vfio_user_pci_cfg_read(dev_a.srv, exp_off + 8, &devctl, 2) != 0 ||
	    raw_open(&r, &dev_a, true, &ver) != 0) {
		fdev_free(&dev_a);
		TEST_ASSERT(false, "setup without reset");
	}
	if (raw_set_state(&r, S_STOP_COPY) != 0 || rte_vfio_user_mig_mem_used() <= base) {
		printf("no reset callback: STOP_COPY\n");
		fails++;
	}
	ret = raw_cfg_write16(&r, exp_off + 8, (uint16_t)(devctl | 0x8000));
	if (ret != 0 || rte_vfio_user_mig_state(dev_a.srv) != S_RUNNING ||
	    rte_vfio_user_mig_mem_used() != base) {
		printf("no reset callback: FLR %d, state %s, %zu in use (%zu before)\n", ret,
		       rte_vfio_user_mig_state_name(rte_vfio_user_mig_state(dev_a.srv)),
		       rte_vfio_user_mig_mem_used(), base);
		fails++;
	}
	raw_close(&r);
	fdev_free(&dev_a);
	TEST_ASSERT_EQUAL(fails, 0, "%d failures", fails);
	return TEST_SUCCESS;
}

static int
test_vfio_user_mig(void)
{
	int ret = 0;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vu-mig-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		printf("mkdtemp: %s\n", strerror(errno));
		return TEST_FAILED;
	}
	if (test_mig_codec() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_conf() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_fsm() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_feature_raw() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_data() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_logging() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_logging_split() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_client_hostile() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_not_negotiated() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_bitmap_max() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_nolog() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_budget() != TEST_SUCCESS)
		ret = -1;
	else if (test_mig_flr() != TEST_SUCCESS)
		ret = -1;
	rmdir(tmpdir);
	return ret == 0 ? TEST_SUCCESS : TEST_FAILED;
}

REGISTER_TEST_COMMAND(vfio_user_mig_autotest, test_vfio_user_mig);
