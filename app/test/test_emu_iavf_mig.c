/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * emu_iavf migration: the device's state format (save, load, every
 * refusal, directly under the library's CRC), the migration arcs (events
 * the consumer gets, in order; the model frozen while stopped), queue
 * heads.
 *
 * Devices: A and B with 4 queue pairs, C with 2 (the "other queues="
 * destination), all three given the same MAC (mac=: the device's identity,
 * as its queue count; a state of another MAC is foreign). The state of A is made by writing the model's fields as
 * its guest and consumer would have (the round trip through the real
 * server and client is in the "real" cases).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_emudev.h>
#include <rte_emudev_net.h>
#include <rte_vfio_user.h>
#include <rte_vfio_user_client.h>

#include "emu_iavf_priv.h"
#include "emu_iavf_state.h"

#include "test.h"
#include "test_avf_guest.h"
#include "test_common.h"

#define NAME_A "emu_iavf_mig_a"
#define NAME_B "emu_iavf_mig_b"
#define NAME_C "emu_iavf_mig_c"
#define MAC_A "02:00:00:00:0a:01"
#define MAC_B "02:00:00:00:0b:01"

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0x0a, 0x01}; /* MAC_A */
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0x0b, 0x01}; /* MAC_B */

static char tmpdir[64];
static char sock_a[128], sock_b[128], sock_c[128];
static struct emu_iavf_dev *dev_a, *dev_b, *dev_c;
static uint16_t id_a, id_b, id_c;
static uint8_t *state_a;
static size_t state_a_len;

/* ------------------------------------------------------------- events */

#define MAX_REC 64
struct ev_rec {
	unsigned int n;
	struct rte_emudev_event ev[MAX_REC];
	/* What a consumer reads at RESUME. */
	uint32_t head_at_resume;
	bool dirty_on;
	unsigned int nb_dirty_log;
};

static struct ev_rec rec_b;

static void
rec_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	struct ev_rec *r = arg;
	struct rte_emudev_queue_info qi;

	if (r->n < MAX_REC)
		r->ev[r->n++] = *ev;
	if (ev->type == RTE_EMUDEV_EVENT_RESUME &&
	    rte_emudev_queue_info_get(dev_id, RTE_EMUDEV_QUEUE_GUEST_RX, 1, &qi) == 0)
		r->head_at_resume = qi.head;
	if (ev->type == RTE_EMUDEV_EVENT_DIRTY_LOG) {
		r->dirty_on = ev->dirty_log.on;
		r->nb_dirty_log++;
	}
}

/* --------------------------------------------------------------- state */

/* A busy device: what a guest driver and a consumer leave in it. */
static void
fill_state(struct emu_iavf_dev *d, uint16_t offered)
{
	static const uint8_t uc1[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	static const uint8_t mc1[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	static const uint8_t mc2[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
	uint32_t q, i;

	pthread_mutex_lock(&d->lock);
	d->vf_ver_known = true;
	d->vf_ver.major = 1;
	d->vf_ver.minor = 1;
	d->resources_sent = true;
	d->caps = EMU_IAVF_CAPS;
	d->offered_qp = offered;
	d->ready = true;
	for (q = 0; q < 2; q++) {
		d->txq[q].configured = true;
		d->txq[q].enabled = true;
		d->txq[q].ring_len = 512;
		d->txq[q].ring_gpa = 0x100000 + q * 0x10000;
		d->txq[q].vector = 1 + q;
		d->txq[q].head = 17 + q;
		d->rxq[q].configured = true;
		d->rxq[q].enabled = q == 1;
		d->rxq[q].ring_len = 256;
		d->rxq[q].ring_gpa = 0x200000 + q * 0x10000;
		d->rxq[q].buf_size = 2048;
		d->rxq[q].max_pkt = 1518;
		d->rxq[q].vector = 1 + q;
		d->rxq[q].head = 100 + q;
		*emu_iavf_tail_ptr(d, AVF_QTX_TAIL1(q)) = 40 + q;
		*emu_iavf_tail_ptr(d, AVF_QRX_TAIL1(q)) = 255 - q;
	}
	d->regs[AVF_VF_ATQLEN1 / 4] = 32 | AVF_AQLEN_ENABLE;
	d->regs[AVF_VF_ARQLEN1 / 4] = 32 | AVF_AQLEN_ENABLE;
	d->regs[AVF_VF_ATQBAL1 / 4] = 0x80000000u;
	d->regs[AVF_VF_ARQBAL1 / 4] = 0x80001000u;
	d->regs[AVF_VF_ATQH1 / 4] = 5;
	d->regs[AVF_VF_ATQT1 / 4] = 5;
	d->regs[AVF_VF_ARQH1 / 4] = 7;
	d->regs[AVF_VF_ARQT1 / 4] = 7; /* full: messages wait */
	d->regs[AVF_VFINT_ICR0_ENA1 / 4] = AVF_ICR0_ADMINQ;
	d->regs[AVF_VFINT_DYN_CTLN1(0) / 4] = AVF_DYN_CTL_ITR_INDX_MASK;
	d->regs[AVF_VFINT_ITR01(1) / 4] = 0x1234;
	/* ITRN1 is in the RX tail page: shared memory as well. */
	*emu_iavf_tail_ptr(d, AVF_VFINT_ITRN1(0, 1)) = 0x5678;
	d->icr01 = AVF_ICR0_ADMINQ;
	d->irq_state[0] = EMU_IAVF_IRQ_ARMED;
	d->irq_state[2] = EMU_IAVF_IRQ_PENDING;
	d->withheld = 1u << 1;
	for (i = 0; i < 3; i++)
		d->msix[AVF_MSIX_TABLE_OFF + i * 16 + 12] = 0; /* unmasked */
	d->msix[AVF_MSIX_TABLE_OFF + 16 + 0] = 0xAB;
	d->link_told = true;
	d->told_up = 1;
	d->told_speed = 10000;
	d->bl_head = 3;
	d->bl_count = 2;
	d->backlog[3].op = VIRTCHNL_OP_GET_STATS;
	d->backlog[3].status = 0;
	d->backlog[3].len = 8;
	memset(d->backlog[3].data, 0x5A, 8);
	d->backlog[4].op = VIRTCHNL_OP_EVENT;
	d->backlog[4].status = 0;
	d->backlog[4].len = 0;
	memcpy(d->uc[0], uc1, 6);
	d->nb_uc = 1;
	memcpy(d->mc[0], mc1, 6);
	memcpy(d->mc[1], mc2, 6);
	d->nb_mc = 2;
	d->promisc = VIRTCHNL_FLAG_MULTICAST_PROMISC;
	d->vlans[0] = 1u << 10;
	d->vlans[1] = 1u << 3;
	d->nb_vlans = 2;
	d->vlan_strip = true;
	for (i = 0; i < AVF_RSS_KEY_SIZE; i++)
		d->rss_key[i] = (uint8_t)(i * 7);
	for (i = 0; i < AVF_RSS_LUT_SIZE; i++)
		d->rss_lut[i] = (uint8_t)(i % offered);
	d->rss_key_set = true;
	d->rss_lut_set = true;
	d->rss_hena = EMU_IAVF_RSS_HENA_CAPS & ~1ull;
	pthread_mutex_unlock(&d->lock);
}

/* Save a device's state into a new buffer. */
static uint8_t *
save(struct emu_iavf_dev *d, size_t *len)
{
	size_t max = emu_iavf_state_size(d);
	uint8_t *buf = malloc(max);
	ssize_t n;

	if (buf == NULL)
		return NULL;
	pthread_mutex_lock(&d->lock);
	n = emu_iavf_state_save(d, buf, max);
	pthread_mutex_unlock(&d->lock);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/* The state of d equals buf? */
static bool
state_equals(struct emu_iavf_dev *d, const uint8_t *buf, size_t len)
{
	size_t n;
	uint8_t *now = save(d, &n);
	bool eq = now != NULL && n == len && memcmp(now, buf, len) == 0;

	free(now);
	return eq;
}

/* Offset of a section's payload in a state, or 0. */
static size_t
sec_off(const uint8_t *buf, size_t len, uint16_t type, uint32_t *slen)
{
	size_t off = EMU_IAVF_STATE_HDR_LEN;

	while (off + EMU_IAVF_STATE_SEC_HDR_LEN <= len) {
		uint16_t t = get_le16(buf + off);
		uint32_t l = get_le32(buf + off + 4);

		if (t == type) {
			if (slen != NULL)
				*slen = l;
			return off + EMU_IAVF_STATE_SEC_HDR_LEN;
		}
		off += EMU_IAVF_STATE_SEC_HDR_LEN + l;
	}
	return 0;
}

/*
 * With EMU_IAVF_MIG_SEED_DIR set, write a state as a seed of the fuzz
 * target fuzz_emu_iavf_state: its first byte (device and CRC choice), then
 * the state.
 */
static void
write_seed(const char *name, uint8_t first, const uint8_t *buf, size_t len)
{
	const char *dir = getenv("EMU_IAVF_MIG_SEED_DIR");
	char path[512];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (f == NULL)
		return;
	if (fwrite(&first, 1, 1, f) != 1 || fwrite(buf, 1, len, f) != len)
		printf("seed %s: short write\n", path);
	fclose(f);
}

/* ------------------------------------------------------------ set-up */

static int
suite_setup(void)
{
	char args[256];
	int ret;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/model-mig.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return TEST_FAILED;
	snprintf(args, sizeof(args), "sock=%s/a.sock,queues=4,mac=%s", tmpdir, MAC_A);
	ret = rte_vdev_init(NAME_A, args);
	if (ret == 0) {
		snprintf(args, sizeof(args), "sock=%s/b.sock,queues=4,mac=%s", tmpdir, MAC_A);
		ret = rte_vdev_init(NAME_B, args);
	}
	if (ret == 0) {
		snprintf(args, sizeof(args), "sock=%s/c.sock,queues=2,mac=%s", tmpdir, MAC_A);
		ret = rte_vdev_init(NAME_C, args);
	}
	if (ret != 0) {
		printf("rte_vdev_init: %d\n", ret);
		return TEST_FAILED;
	}
	snprintf(sock_a, sizeof(sock_a), "%s/a.sock", tmpdir);
	snprintf(sock_b, sizeof(sock_b), "%s/b.sock", tmpdir);
	snprintf(sock_c, sizeof(sock_c), "%s/c.sock", tmpdir);
	dev_a = emu_iavf_dev_lookup(NAME_A);
	dev_b = emu_iavf_dev_lookup(NAME_B);
	dev_c = emu_iavf_dev_lookup(NAME_C);
	if (dev_a == NULL || dev_b == NULL || dev_c == NULL ||
	    rte_emudev_get_id_by_name(NAME_A, &id_a) != 0 ||
	    rte_emudev_get_id_by_name(NAME_B, &id_b) != 0 ||
	    rte_emudev_get_id_by_name(NAME_C, &id_c) != 0)
		return TEST_FAILED;
	return TEST_SUCCESS;
}

static void
suite_teardown(void)
{
	rte_vdev_uninit(NAME_A);
	rte_vdev_uninit(NAME_B);
	rte_vdev_uninit(NAME_C);
	free(state_a);
	state_a = NULL;
	if (tmpdir[0] != '\0') {
		char p[128];

		snprintf(p, sizeof(p), "%s/a.sock", tmpdir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/b.sock", tmpdir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/c.sock", tmpdir);
		unlink(p);
		rmdir(tmpdir);
	}
}

/* Every device stopped, A busy, its state saved in state_a. */
static int
case_setup(void)
{
	int ret;

	emu_iavf_reset(dev_a, EMU_IAVF_RESET_FULL);
	emu_iavf_reset(dev_b, EMU_IAVF_RESET_FULL);
	emu_iavf_reset(dev_c, EMU_IAVF_RESET_FULL);
	fill_state(dev_a, 4);
	ret = emu_iavf_mig_state_change(dev_a, RTE_VFIO_USER_MIG_STATE_RUNNING,
					RTE_VFIO_USER_MIG_STATE_STOP);
	ret |= emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_RUNNING,
					 RTE_VFIO_USER_MIG_STATE_STOP);
	ret |= emu_iavf_mig_state_change(dev_c, RTE_VFIO_USER_MIG_STATE_RUNNING,
					 RTE_VFIO_USER_MIG_STATE_STOP);
	free(state_a);
	state_a = save(dev_a, &state_a_len);
	return ret == 0 && state_a != NULL ? TEST_SUCCESS : TEST_FAILED;
}

/* Reset (the made-up admin queues have no memory to post into), then run. */
static void
case_teardown(void)
{
	emu_iavf_reset(dev_a, EMU_IAVF_RESET_FULL);
	emu_iavf_reset(dev_b, EMU_IAVF_RESET_FULL);
	emu_iavf_reset(dev_c, EMU_IAVF_RESET_FULL);
	emu_iavf_mig_state_change(dev_a, RTE_VFIO_USER_MIG_STATE_STOP,
				  RTE_VFIO_USER_MIG_STATE_RUNNING);
	emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_STOP,
				  RTE_VFIO_USER_MIG_STATE_RUNNING);
	emu_iavf_mig_state_change(dev_c, RTE_VFIO_USER_MIG_STATE_STOP,
				  RTE_VFIO_USER_MIG_STATE_RUNNING);
}

/* -------------------------------------------------------------- cases */

/* Save A, load B: B's state is A's, byte for byte, field by field. */
static int
test_round_trip(void)
{
	struct rte_emudev_queue_info qi;
	struct rte_emudev_net_rx_conf ca, cb;
	uint32_t v = 0;
	int ret;

	TEST_ASSERT(state_a_len > EMU_IAVF_STATE_HDR_LEN &&
			    state_a_len <= emu_iavf_state_size(dev_a),
		    "saved %zu bytes (at most %zu)", state_a_len, emu_iavf_state_size(dev_a));
	printf("state of A: %zu bytes (state_size %zu)\n", state_a_len, emu_iavf_state_size(dev_a));
	{
		uint8_t *fresh;
		size_t fresh_len;

		fresh = save(dev_b, &fresh_len);
		TEST_ASSERT_NOT_NULL(fresh, "save B");
		write_seed("b4-power-on", 0x4 | 2, fresh, fresh_len);
		free(fresh);
	}
	TEST_ASSERT(!state_equals(dev_b, state_a, state_a_len), "B is A before the load");
	write_seed("a4-busy", 0x4 | 2, state_a, state_a_len);
	ret = emu_iavf_state_load(dev_b, state_a, state_a_len);
	TEST_ASSERT_SUCCESS(ret, "load A's state into B: %s", strerror(-ret));
	TEST_ASSERT(state_equals(dev_b, state_a, state_a_len), "B's state differs from A's");

	/* What the guest and the consumer see. */
	TEST_ASSERT_SUCCESS(emu_iavf_bar0_access(dev_b, AVF_VF_ARQLEN1, &v, 4, false), "read");
	TEST_ASSERT_EQUAL(v, 32u | AVF_AQLEN_ENABLE, "ARQLEN 0x%x", v);
	TEST_ASSERT_SUCCESS(emu_iavf_bar0_access(dev_b, AVF_QRX_TAIL1(1), &v, 4, false), "read");
	TEST_ASSERT_EQUAL(v, 254u, "RX tail 1: %u", v);
	TEST_ASSERT_SUCCESS(emu_iavf_bar0_access(dev_b, AVF_VFINT_ITR01(1), &v, 4, false), "read");
	TEST_ASSERT_EQUAL(v, 0x1234u, "ITR01 0x%x", v);
	TEST_ASSERT_SUCCESS(emu_iavf_bar0_access(dev_b, AVF_VFINT_ITRN1(0, 1), &v, 4, false),
			    "read");
	TEST_ASSERT_EQUAL(v, 0x5678u, "ITRN1 0x%x", v);
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(id_b, RTE_EMUDEV_QUEUE_GUEST_RX, 1, &qi),
			    "queue info");
	TEST_ASSERT(qi.enabled && qi.ring_size == 256 && qi.ring_gpa == 0x210000 &&
			    qi.buf_size == 2048 && qi.head == 101 && qi.irq_vector == 2,
		    "rx queue 1: enabled %d, %u at 0x%" PRIx64 ", head %u, vector %u", qi.enabled,
		    qi.ring_size, qi.ring_gpa, qi.head, qi.irq_vector);
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(id_b, RTE_EMUDEV_QUEUE_GUEST_TX, 0, &qi),
			    "queue info");
	TEST_ASSERT(qi.enabled && qi.head == 17, "tx queue 0: head %u", qi.head);
	memset(&ca, 0, sizeof(ca));
	memset(&cb, 0, sizeof(cb));
	TEST_ASSERT_SUCCESS(rte_emudev_net_rx_conf_get(id_a, &ca), "rx conf A");
	TEST_ASSERT_SUCCESS(rte_emudev_net_rx_conf_get(id_b, &cb), "rx conf B");
	ca.generation = cb.generation = 0;
	TEST_ASSERT(memcmp(&ca, &cb, sizeof(ca)) == 0, "B's receive configuration is not A's");
	TEST_ASSERT(cb.nb_unicast == 2 && cb.nb_multicast == 2 &&
			    (cb.flags & RTE_EMUDEV_NET_RX_F_RSS) != 0,
		    "rx conf: %u unicast, %u multicast, flags 0x%x", cb.nb_unicast, cb.nb_multicast,
		    cb.flags);
	/* The guest's MAC moves; the device's is B's own (the same as A's). */
	TEST_ASSERT(memcmp(dev_b->vf_mac, dev_a->vf_mac, 6) == 0, "B's guest MAC is not A's");
	TEST_ASSERT(memcmp(dev_b->mac, mac_a, 6) == 0, "B's MAC changed");

	/* Another load over it, and C (2 queue pairs) takes a state using 2. */
	ret = emu_iavf_state_load(dev_b, state_a, state_a_len);
	TEST_ASSERT_SUCCESS(ret, "second load: %s", strerror(-ret));
	return TEST_SUCCESS;
}

/* A refused state: the right errno, the device unchanged and serving. */
static int
expect_refused(struct emu_iavf_dev *d, const uint8_t *buf, size_t len, int err, const char *what)
{
	static uint8_t *before;
	static size_t before_len;
	uint32_t v = 0;
	int ret;

	free(before);
	before = save(d, &before_len);
	if (before == NULL) {
		printf("%s: no state before\n", what);
		return -1;
	}
	log_capture_start();
	ret = emu_iavf_state_load(d, buf, len);
	if (ret < 0 && log_count("migration state refused", NULL) == 0) {
		log_capture_stop();
		printf("%s: refused without a log\n", what);
		return -1;
	}
	log_capture_stop();
	if (ret >= 0 || (err != 0 && ret != -err) ||
	    (err == 0 && ret != -EINVAL && ret != -EPROTONOSUPPORT)) {
		printf("%s: load gave %d (%s), expected -%d\n", what, ret,
		       ret < 0 ? strerror(-ret) : "accepted", err);
		return -1;
	}
	log_capture_start();
	if (emu_iavf_state_check(d, buf, len) != ret) {
		log_capture_stop();
		printf("%s: check and load differ\n", what);
		return -1;
	}
	log_capture_stop();
	if (!state_equals(d, before, before_len)) {
		printf("%s: the device changed\n", what);
		return -1;
	}
	if (emu_iavf_bar0_access(d, AVF_VFGEN_RSTAT, &v, 4, false) != 0 ||
	    v != AVF_RSTAT_VFACTIVE) {
		printf("%s: RSTAT %u\n", what, v);
		return -1;
	}
	return 0;
}

/* A copy of state_a with a change (CRC fixed unless keep_crc). */
static uint8_t *
mutate(size_t *len, size_t extra)
{
	uint8_t *b = calloc(1, state_a_len + extra);

	if (b != NULL)
		memcpy(b, state_a, state_a_len);
	*len = state_a_len + extra;
	return b;
}

static void
set_len_crc(uint8_t *b, size_t len)
{
	put_le32(b + EMU_IAVF_STATE_OFF_LEN, (uint32_t)len);
	emu_iavf_state_crc_fix(b, len);
}

static int
test_refuse_framing(void)
{
	size_t len, i, n = 0;
	uint8_t *b;
	int fails = 0;

	/* The header's CRC is CRC-32C (Castagnoli): its check value. */
	TEST_ASSERT_EQUAL(emu_iavf_state_crc("123456789", 9), 0xE3069283u, "CRC-32C check value");
	/* Truncated at every length. */
	for (i = 0; i < state_a_len; i++)
		fails += expect_refused(dev_b, state_a, i, EINVAL, "truncated") != 0;
	TEST_ASSERT_EQUAL(fails, 0, "truncated states accepted or harmful");
	/* Truncated, the header's length and the CRC made to agree. */
	for (i = EMU_IAVF_STATE_HDR_LEN; i < state_a_len; i += 13) {
		b = mutate(&len, 0);
		set_len_crc(b, i);
		fails += expect_refused(dev_b, b, i, EINVAL, "truncated, length fixed") != 0;
		free(b);
	}
	TEST_ASSERT_EQUAL(fails, 0, "consistent truncations accepted");
	/* Oversized: trailing bytes, as given and with the header agreeing. */
	b = mutate(&len, 1);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EINVAL, "one more byte"), "oversized");
	set_len_crc(b, len);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EINVAL, "one more byte, length fixed"),
			    "oversized");
	free(b);
	b = mutate(&len, 64);
	memset(b + state_a_len, 0xEE, 64);
	set_len_crc(b, len);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EINVAL, "trailing garbage"), "garbage");
	free(b);
	/* Wrong magic, with a right CRC. */
	b = mutate(&len, 0);
	b[0] ^= 0x20;
	emu_iavf_state_crc_fix(b, len);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EINVAL, "magic"), "magic");
	free(b);
	/* Other major versions: -EPROTONOSUPPORT. */
	b = mutate(&len, 0);
	put_le16(b + EMU_IAVF_STATE_OFF_MAJOR, 2);
	emu_iavf_state_crc_fix(b, len);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EPROTONOSUPPORT, "major 2"), "major");
	put_le16(b + EMU_IAVF_STATE_OFF_MAJOR, 0);
	emu_iavf_state_crc_fix(b, len);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EPROTONOSUPPORT, "major 0"), "major");
	free(b);
	/* One bit flipped: every bit of the header, every bit of a sample of the body. */
	for (i = 0; i < state_a_len; i += (i < EMU_IAVF_STATE_HDR_LEN ? 1 : 7)) {
		unsigned int bit;

		for (bit = 0; bit < 8; bit++) {
			b = mutate(&len, 0);
			b[i] ^= (uint8_t)(1u << bit);
			fails += expect_refused(dev_b, b, len, 0, "bit flip") != 0;
			free(b);
			n++;
		}
	}
	TEST_ASSERT_EQUAL(fails, 0, "%d of %zu bit flips accepted or harmful", fails, n);
	printf("%zu bit flips refused\n", n);
	/* Still serving: a good load works. */
	TEST_ASSERT_SUCCESS(emu_iavf_state_load(dev_b, state_a, state_a_len), "good load after");
	return TEST_SUCCESS;
}

/* A field changed, the CRC right: the checks behind the CRC. */
struct field_case {
	const char *what;
	uint16_t sec;
	uint32_t off; /* in the section's payload */
	uint8_t size; /* 1, 2, 4 or 8 */
	uint64_t val;
};

static const struct field_case field_cases[] = {
	{"DEVICE nb_qp 0", EMU_IAVF_SEC_DEVICE, 0, 2, 0},
	{"DEVICE nb_qp 17", EMU_IAVF_SEC_DEVICE, 0, 2, 17},
	{"DEVICE vectors", EMU_IAVF_SEC_DEVICE, 2, 2, 4},
	{"DEVICE multicast MAC", EMU_IAVF_SEC_DEVICE, 4, 1, 0x03},
	{"DEVICE padding", EMU_IAVF_SEC_DEVICE, 10, 2, 1},
	{"REGS ICR01 unknown cause", EMU_IAVF_SEC_REGS, 0, 4, 1},
	{"REGS RSTAT in progress", EMU_IAVF_SEC_REGS, 4, 4, AVF_RSTAT_INPROGRESS},
	{"REGS count too big", EMU_IAVF_SEC_REGS, 8, 4, 100},
	{"REGS count 0", EMU_IAVF_SEC_REGS, 8, 4, 0},
	{"REGS unaligned offset", EMU_IAVF_SEC_REGS, 12, 4, 0x5001},
	{"REGS offset in a tail page", EMU_IAVF_SEC_REGS, 12, 4, 0x0004},
	{"REGS offset beyond BAR0", EMU_IAVF_SEC_REGS, 12, 4, AVF_BAR0_SIZE},
	{"TAILS count", EMU_IAVF_SEC_TAILS, 0, 4, 2048},
	{"TAILS offset outside the pages", EMU_IAVF_SEC_TAILS, 4, 4, 0x1000},
	{"TAILS unaligned offset", EMU_IAVF_SEC_TAILS, 4, 4, 0x2},
	{"TAILS offsets not ascending", EMU_IAVF_SEC_TAILS, 4 + 8, 4, 0},
	{"IRQ withheld beyond", EMU_IAVF_SEC_IRQ, 0, 4, 1u << 5},
	{"IRQ vector count", EMU_IAVF_SEC_IRQ, 4, 4, 4},
	{"IRQ unknown state bit", EMU_IAVF_SEC_IRQ, 8, 1, 0x4},
	{"MSIX vector count", EMU_IAVF_SEC_MSIX, 0, 4, 6},
	{"ADMINQ link told 2", EMU_IAVF_SEC_ADMINQ, 0, 1, 2},
	{"ADMINQ 17 messages", EMU_IAVF_SEC_ADMINQ, 8, 4, 17},
	{"ADMINQ 3 messages", EMU_IAVF_SEC_ADMINQ, 8, 4, 3},
	{"ADMINQ message too long", EMU_IAVF_SEC_ADMINQ, 12 + 8, 2, EMU_IAVF_MSG_MAX + 1},
	{"VIRTCHNL ready 2", EMU_IAVF_SEC_VIRTCHNL, 2, 1, 2},
	{"VIRTCHNL unknown capability", EMU_IAVF_SEC_VIRTCHNL, 12, 4, 0x80000001},
	{"VIRTCHNL 0 queue pairs", EMU_IAVF_SEC_VIRTCHNL, 16, 2, 0},
	{"VIRTCHNL 5 queue pairs", EMU_IAVF_SEC_VIRTCHNL, 16, 2, 5},
	{"QUEUES tx 0 unknown flag", EMU_IAVF_SEC_QUEUES, 0, 1, 0x7},
	{"QUEUES tx 0 ring length 0", EMU_IAVF_SEC_QUEUES, 4, 4, 0},
	{"QUEUES tx 0 ring length 4097", EMU_IAVF_SEC_QUEUES, 4, 4, 4097},
	{"QUEUES tx 0 ring length 12", EMU_IAVF_SEC_QUEUES, 4, 4, 12},
	{"QUEUES tx 0 unaligned ring", EMU_IAVF_SEC_QUEUES, 8, 8, 0x100040},
	{"QUEUES tx 0 ring at the top", EMU_IAVF_SEC_QUEUES, 8, 8, UINT64_MAX - 127},
	{"QUEUES tx 0 receive sizes", EMU_IAVF_SEC_QUEUES, 16, 4, 2048},
	{"QUEUES tx 0 vector 5", EMU_IAVF_SEC_QUEUES, 24, 4, 5},
	{"QUEUES tx 0 head = ring", EMU_IAVF_SEC_QUEUES, 28, 4, 512},
	{"QUEUES tx 2 enabled, not configured", EMU_IAVF_SEC_QUEUES, 2 * 32, 1, 0x2},
	{"QUEUES tx 5 configured", EMU_IAVF_SEC_QUEUES, 5 * 32, 1, 0x1},
	{"QUEUES rx 0 buffer 100", EMU_IAVF_SEC_QUEUES, 16 * 32 + 16, 4, 100},
	{"QUEUES rx 0 buffer unaligned", EMU_IAVF_SEC_QUEUES, 16 * 32 + 16, 4, 2000},
	{"QUEUES rx 0 max packet 63", EMU_IAVF_SEC_QUEUES, 16 * 32 + 20, 4, 63},
	{"RXCONF multicast guest MAC", EMU_IAVF_SEC_RXCONF, 0, 1, 0x01},
	{"RXCONF promiscuous flag", EMU_IAVF_SEC_RXCONF, 6, 2, 0x4},
	{"RXCONF unicast count", EMU_IAVF_SEC_RXCONF, 8, 2, 2},
	{"RXCONF strip 2", EMU_IAVF_SEC_RXCONF, 12, 1, 2},
	{"RXCONF hash filter", EMU_IAVF_SEC_RXCONF, 16, 8,
	 ~EMU_IAVF_RSS_HENA_CAPS &(EMU_IAVF_RSS_HENA_CAPS + 1)},
	{"RXCONF 65 VLANs", EMU_IAVF_SEC_RXCONF, 24 + 8, 8, UINT64_MAX},
	{"RXCONF LUT queue 4", EMU_IAVF_SEC_RXCONF, 24 + 512 + AVF_RSS_KEY_SIZE, 1, 4},
	{"RXCONF unicast = multicast", EMU_IAVF_SEC_RXCONF,
	 24 + 512 + AVF_RSS_KEY_SIZE + AVF_RSS_LUT_SIZE, 1, 0x01},
};

static int
test_refuse_fields(void)
{
	uint32_t i;
	size_t len;

	for (i = 0; i < RTE_DIM(field_cases); i++) {
		const struct field_case *fc = &field_cases[i];
		uint32_t slen = 0;
		size_t off = sec_off(state_a, state_a_len, fc->sec, &slen);
		uint8_t *b;

		TEST_ASSERT(off != 0 && fc->off + fc->size <= slen, "%s: no such field", fc->what);
		b = mutate(&len, 0);
		switch (fc->size) {
		case 1:
			b[off + fc->off] = (uint8_t)fc->val;
			break;
		case 2:
			put_le16(b + off + fc->off, (uint16_t)fc->val);
			break;
		case 4:
			put_le32(b + off + fc->off, (uint32_t)fc->val);
			break;
		default:
			put_le64(b + off + fc->off, fc->val);
			break;
		}
		emu_iavf_state_crc_fix(b, len);
		if (expect_refused(dev_b, b, len, EINVAL, fc->what) != 0) {
			free(b);
			return TEST_FAILED;
		}
		free(b);
	}
	printf("%zu corrupt fields refused\n", RTE_DIM(field_cases));
	TEST_ASSERT_SUCCESS(emu_iavf_state_load(dev_b, state_a, state_a_len), "good load after");
	return TEST_SUCCESS;
}

/* Build a state from state_a with its sections rearranged. */
static uint8_t *
with_section(size_t *len, uint16_t minor, uint16_t type, uint16_t flags, uint32_t slen,
	     int drop_type, int dup_type)
{
	uint8_t *b = calloc(1, state_a_len * 2 + slen + 64);
	size_t off = EMU_IAVF_STATE_HDR_LEN, o = EMU_IAVF_STATE_HDR_LEN;

	if (b == NULL)
		return NULL;
	memcpy(b, state_a, EMU_IAVF_STATE_HDR_LEN);
	put_le16(b + EMU_IAVF_STATE_OFF_MINOR, minor);
	while (off < state_a_len) {
		uint16_t t = get_le16(state_a + off);
		uint32_t l = get_le32(state_a + off + 4) + EMU_IAVF_STATE_SEC_HDR_LEN;

		if (t != drop_type) {
			memcpy(b + o, state_a + off, l);
			o += l;
		}
		if (t == dup_type) {
			memcpy(b + o, state_a + off, l);
			o += l;
		}
		/* The extra section after DEVICE. */
		if (t == EMU_IAVF_SEC_DEVICE && type != 0) {
			put_le16(b + o, type);
			put_le16(b + o + 2, flags);
			put_le32(b + o + 4, slen);
			memset(b + o + 8, 0x77, slen);
			o += EMU_IAVF_STATE_SEC_HDR_LEN + slen;
		}
		off += l;
	}
	set_len_crc(b, o);
	*len = o;
	return b;
}

static int
test_versions(void)
{
	size_t len;
	uint8_t *b;
	int ret;

	/* A newer minor's optional section: skipped. */
	b = with_section(&len, EMU_IAVF_STATE_MINOR + 1, 200, EMU_IAVF_SEC_F_OPTIONAL, 40, -1, -1);
	write_seed("a4-newer-minor-optional", 0x4 | 2, b, len);
	ret = emu_iavf_state_load(dev_b, b, len);
	free(b);
	TEST_ASSERT_SUCCESS(ret, "1.1 with an optional section: %s", strerror(-ret));
	TEST_ASSERT(state_equals(dev_b, state_a, state_a_len), "B is not A after a 1.1 load");
	emu_iavf_reset(dev_b, EMU_IAVF_RESET_FULL);
	/* Sections in any order: reversed. */
	{
		size_t offs[16] = {0}, lens[16] = {0}, nsec = 0, off = EMU_IAVF_STATE_HDR_LEN, o;

		while (off < state_a_len && nsec < RTE_DIM(offs)) {
			offs[nsec] = off;
			lens[nsec] = EMU_IAVF_STATE_SEC_HDR_LEN + get_le32(state_a + off + 4);
			off += lens[nsec++];
		}
		b = mutate(&len, 0);
		o = EMU_IAVF_STATE_HDR_LEN;
		while (nsec-- > 0) {
			memcpy(b + o, state_a + offs[nsec], lens[nsec]);
			o += lens[nsec];
		}
		emu_iavf_state_crc_fix(b, len);
		ret = emu_iavf_state_load(dev_b, b, len);
		free(b);
		TEST_ASSERT_SUCCESS(ret, "sections reversed: %s", strerror(-ret));
		TEST_ASSERT(state_equals(dev_b, state_a, state_a_len), "B is not A (reversed)");
		emu_iavf_reset(dev_b, EMU_IAVF_RESET_FULL);
	}
	/* A newer minor's required section: not supported. */
	b = with_section(&len, EMU_IAVF_STATE_MINOR + 1, 200, 0, 40, -1, -1);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EPROTONOSUPPORT, "1.1 required"),
			    "1.1 required section");
	free(b);
	/* This minor: an unknown section is corrupt, optional or not. */
	b = with_section(&len, EMU_IAVF_STATE_MINOR, 200, EMU_IAVF_SEC_F_OPTIONAL, 40, -1, -1);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EINVAL, "1.0 unknown"), "1.0 unknown");
	free(b);
	/* A known section with a flag. */
	b = with_section(&len, EMU_IAVF_STATE_MINOR, 0, 0, 0, -1, -1);
	put_le16(b + EMU_IAVF_STATE_HDR_LEN + 2, EMU_IAVF_SEC_F_OPTIONAL);
	emu_iavf_state_crc_fix(b, len);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EINVAL, "flagged DEVICE"), "flags");
	free(b);
	/* A 1.0 state (no STATS): taken, the counters from 0; STATS in a 1.0 state is corrupt. */
	b = with_section(&len, 0, 0, 0, 0, EMU_IAVF_SEC_STATS, -1);
	write_seed("a5-format-1.0", 0x4 | 2, b, len);
	ret = emu_iavf_state_load(dev_b, b, len);
	free(b);
	TEST_ASSERT_SUCCESS(ret, "a 1.0 state: %s", strerror(-ret));
	emu_iavf_reset(dev_b, EMU_IAVF_RESET_FULL);
	b = with_section(&len, 0, 0, 0, 0, -1, -1);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EINVAL, "1.0 with STATS"),
			    "a 1.0 state with the 1.1 STATS section");
	free(b);
	/* Missing and repeated sections. */
	for (int t = EMU_IAVF_SEC_DEVICE; t < EMU_IAVF_SEC_MAX; t++) {
		b = with_section(&len, EMU_IAVF_STATE_MINOR, 0, 0, 0, t, -1);
		TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EINVAL, "missing"),
				    "section %d missing", t);
		free(b);
		b = with_section(&len, EMU_IAVF_STATE_MINOR, 0, 0, 0, -1, t);
		TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EINVAL, "repeated"),
				    "section %d repeated", t);
		free(b);
	}
	/* An optional section of a newer minor longer than what remains. */
	b = with_section(&len, EMU_IAVF_STATE_MINOR + 1, 200, EMU_IAVF_SEC_F_OPTIONAL, 40, -1, -1);
	put_le32(b + EMU_IAVF_STATE_HDR_LEN + EMU_IAVF_STATE_SEC_HDR_LEN + 12 + 4, (uint32_t)len);
	emu_iavf_state_crc_fix(b, len);
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, b, len, EINVAL, "long optional"), "long");
	free(b);
	return TEST_SUCCESS;
}

/* Other queues=: C (2 queue pairs) takes a state that uses 2, not one that uses 4. */
static int
test_foreign(void)
{
	uint8_t *s2;
	size_t len;
	int ret;

	TEST_ASSERT_SUCCESS(expect_refused(dev_c, state_a, state_a_len, EINVAL, "4 into 2"),
			    "a state using 4 queue pairs loaded into a device of 2");
	/* A guest given 2 queue pairs (its consumer served 2). */
	emu_iavf_reset(dev_a, EMU_IAVF_RESET_FULL);
	fill_state(dev_a, 2);
	/* No vector beyond C's 3, no tail beyond its queues. */
	s2 = save(dev_a, &len);
	TEST_ASSERT_NOT_NULL(s2, "save");
	write_seed("a2-busy-into-2", 0x4 | 1, s2, len);
	ret = emu_iavf_state_load(dev_c, s2, len);
	TEST_ASSERT_SUCCESS(ret, "a state using 2 queue pairs into a device of 2: %s",
			    strerror(-ret));
	TEST_ASSERT_EQUAL(dev_c->offered_qp, 2, "queue pairs");
	/* And B (4) takes it as well. */
	ret = emu_iavf_state_load(dev_b, s2, len);
	TEST_ASSERT_SUCCESS(ret, "2 into 4: %s", strerror(-ret));
	free(s2);
	/* A vector C does not have (A's vector 4, unmasked). */
	pthread_mutex_lock(&dev_a->lock);
	dev_a->msix[AVF_MSIX_TABLE_OFF + 4 * 16 + 12] = 0;
	pthread_mutex_unlock(&dev_a->lock);
	s2 = save(dev_a, &len);
	TEST_ASSERT_NOT_NULL(s2, "save");
	TEST_ASSERT_SUCCESS(expect_refused(dev_c, s2, len, EINVAL, "vector 4 unmasked"),
			    "unmasked vector beyond the device");
	free(s2);
	return TEST_SUCCESS;
}

/*
 * The device's MAC is the operator's (mac=, or the MAC attribute), not the
 * guest's: B given another MAC refuses A's state (foreign, both MACs in the
 * log), keeps its own and goes on serving; with A's MAC it takes it. The
 * guest's MAC (vf_mac, here other than the device's) moves.
 */
static int
test_foreign_mac(void)
{
	static const uint8_t guest_mac[6] = {0x02, 0x77, 0, 0, 0, 0x07};
	uint8_t *s;
	size_t len;
	int ret;

	pthread_mutex_lock(&dev_a->lock);
	memcpy(dev_a->vf_mac, guest_mac, 6);
	pthread_mutex_unlock(&dev_a->lock);
	s = save(dev_a, &len);
	TEST_ASSERT_NOT_NULL(s, "save");
	/* Another MAC set through the emudev attribute. */
	TEST_ASSERT_SUCCESS(rte_emudev_attr_set(id_b, RTE_EMUDEV_ATTR_MAC, mac_b, 6), "MAC of B");
	TEST_ASSERT_SUCCESS(expect_refused(dev_b, s, len, EINVAL, "other MAC"), "other MAC");
	log_capture_start();
	ret = emu_iavf_state_load(dev_b, s, len);
	/* rte_ether_format_addr() writes upper case. */
	TEST_ASSERT(ret == -EINVAL && log_count("foreign state", "02:00:00:00:0A:01") == 1 &&
			    log_count("foreign state", "02:00:00:00:0B:01") == 1,
		    "other MAC: %d, the log does not name both MACs", ret);
	log_capture_stop();
	TEST_ASSERT(memcmp(dev_b->mac, mac_b, 6) == 0, "B's MAC changed by a refused state");
	/* A good load after it: B given A's MAC again. */
	TEST_ASSERT_SUCCESS(rte_emudev_attr_set(id_b, RTE_EMUDEV_ATTR_MAC, mac_a, 6), "MAC of B");
	ret = emu_iavf_state_load(dev_b, s, len);
	TEST_ASSERT_SUCCESS(ret, "load with the same MAC: %s", strerror(-ret));
	TEST_ASSERT(memcmp(dev_b->mac, mac_a, 6) == 0, "B's MAC is not its own");
	TEST_ASSERT(memcmp(dev_b->vf_mac, guest_mac, 6) == 0, "the guest's MAC did not move");
	free(s);
	/* A device made with another mac= refuses it too. */
	{
		char args[160];
		struct emu_iavf_dev *e;

		snprintf(args, sizeof(args), "sock=%s/e.sock,queues=4,mac=%s", tmpdir, MAC_B);
		TEST_ASSERT_SUCCESS(rte_vdev_init("emu_iavf_mig_e", args), "device E");
		e = emu_iavf_dev_lookup("emu_iavf_mig_e");
		ret = e == NULL ? -1 : expect_refused(e, state_a, state_a_len, EINVAL, "E: mac=");
		rte_vdev_uninit("emu_iavf_mig_e");
		snprintf(args, sizeof(args), "%s/e.sock", tmpdir);
		unlink(args);
		TEST_ASSERT_SUCCESS(ret, "a device of another mac= took the state");
	}
	return TEST_SUCCESS;
}

/* The consumer's events: QUIESCE at stop; after a load, the whole state then RESUME. */
static int
test_events(void)
{
	static const enum rte_emudev_event_type want[] = {
		RTE_EMUDEV_EVENT_RESET,
		RTE_EMUDEV_EVENT_DEVICE_READY,
		RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED,
		RTE_EMUDEV_EVENT_QUEUE_ENABLED, /* tx 0 */
		RTE_EMUDEV_EVENT_QUEUE_ENABLED, /* tx 1 */
		RTE_EMUDEV_EVENT_QUEUE_ENABLED, /* rx 1 */
		RTE_EMUDEV_EVENT_RESUME,
	};
	uint32_t i;
	int ret;

	memset(&rec_b, 0, sizeof(rec_b));
	ret = rte_emudev_event_register(id_b, RTE_EMUDEV_EVENT_ALL, rec_cb, &rec_b);
	TEST_ASSERT_SUCCESS(ret, "event register");
	/* B: running, then stopped: QUIESCE, nothing else. */
	ret = emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_STOP,
					RTE_VFIO_USER_MIG_STATE_RUNNING);
	TEST_ASSERT_SUCCESS(ret, "STOP->RUNNING");
	TEST_ASSERT(rec_b.n == 1 && rec_b.ev[0].type == RTE_EMUDEV_EVENT_RESUME,
		    "STOP->RUNNING without a load: %u events, first %s", rec_b.n,
		    rec_b.n ? rte_emudev_event_name(rec_b.ev[0].type) : "-");
	rec_b.n = 0;
	ret = emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_RUNNING,
					RTE_VFIO_USER_MIG_STATE_STOP);
	TEST_ASSERT_SUCCESS(ret, "RUNNING->STOP");
	TEST_ASSERT(rec_b.n == 1 && rec_b.ev[0].type == RTE_EMUDEV_EVENT_QUIESCE,
		    "RUNNING->STOP: %u events", rec_b.n);
	/* Load refused on a running device. */
	TEST_ASSERT_SUCCESS(emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_STOP,
						      RTE_VFIO_USER_MIG_STATE_RESUMING),
			    "STOP->RESUMING");
	rec_b.n = 0;
	TEST_ASSERT_SUCCESS(emu_iavf_state_load(dev_b, state_a, state_a_len), "load");
	TEST_ASSERT_EQUAL(rec_b.n, 0, "events at load: %u", rec_b.n);
	TEST_ASSERT_SUCCESS(emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_RESUMING,
						      RTE_VFIO_USER_MIG_STATE_STOP),
			    "RESUMING->STOP");
	TEST_ASSERT_SUCCESS(emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_STOP,
						      RTE_VFIO_USER_MIG_STATE_RUNNING),
			    "STOP->RUNNING");
	for (i = 0; i < rec_b.n; i++)
		printf("  event %u: %s\n", i, rte_emudev_event_name(rec_b.ev[i].type));
	TEST_ASSERT_EQUAL(rec_b.n, RTE_DIM(want), "%u events after the load", rec_b.n);
	for (i = 0; i < RTE_DIM(want); i++)
		TEST_ASSERT_EQUAL(rec_b.ev[i].type, want[i], "event %u: %s, expected %s", i,
				  rte_emudev_event_name(rec_b.ev[i].type),
				  rte_emudev_event_name(want[i]));
	TEST_ASSERT(rec_b.ev[3].queue.dir == RTE_EMUDEV_QUEUE_GUEST_TX &&
			    rec_b.ev[3].queue.qid == 0 &&
			    rec_b.ev[4].queue.dir == RTE_EMUDEV_QUEUE_GUEST_TX &&
			    rec_b.ev[4].queue.qid == 1 &&
			    rec_b.ev[5].queue.dir == RTE_EMUDEV_QUEUE_GUEST_RX &&
			    rec_b.ev[5].queue.qid == 1,
		    "QUEUE_ENABLED queues");
	TEST_ASSERT_EQUAL(rec_b.head_at_resume, 101u, "head at RESUME: %u", rec_b.head_at_resume);
	/* The next STOP->RUNNING is a plain RESUME. */
	rec_b.n = 0;
	emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_RUNNING,
				  RTE_VFIO_USER_MIG_STATE_STOP);
	emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_STOP,
				  RTE_VFIO_USER_MIG_STATE_RUNNING);
	TEST_ASSERT(rec_b.n == 2 && rec_b.ev[1].type == RTE_EMUDEV_EVENT_RESUME,
		    "second resume: %u events", rec_b.n);
	/* Arcs outside the graph. */
	TEST_ASSERT(emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_RUNNING,
					      RTE_VFIO_USER_MIG_STATE_RESUMING) < 0,
		    "RUNNING->RESUMING accepted");
	TEST_ASSERT(emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_ERROR,
					      RTE_VFIO_USER_MIG_STATE_RUNNING) < 0,
		    "ERROR->RUNNING accepted");
	/* Dirty logging reaches the consumer. */
	emu_iavf_mig_dma_logging(dev_b, true);
	TEST_ASSERT_EQUAL(rec_b.nb_dirty_log, 1, "DIRTY_LOG at logging on");
	TEST_ASSERT(rec_b.dirty_on, "DIRTY_LOG on");
	emu_iavf_mig_dma_logging(dev_b, false);
	TEST_ASSERT_EQUAL(rec_b.nb_dirty_log, 2, "DIRTY_LOG at logging off");
	TEST_ASSERT(!rec_b.dirty_on, "DIRTY_LOG off");
	rte_emudev_event_unregister(id_b, RTE_EMUDEV_EVENT_ALL, rec_cb, &rec_b);
	/* Leave B stopped for the teardown. */
	emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_RUNNING,
				  RTE_VFIO_USER_MIG_STATE_STOP);
	return TEST_SUCCESS;
}

/*
 * Fill the model's queue of pending events (as events that come faster than
 * they are raised would): nb_ev at its bound. Returns how many were added.
 */
static unsigned int
evq_fill(struct emu_iavf_dev *d)
{
	struct rte_emudev_event ev;
	unsigned int n = 0;

	memset(&ev, 0, sizeof(ev));
	ev.type = RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED;
	pthread_mutex_lock(&d->lock);
	while (d->nb_ev < EMU_IAVF_MAX_EVENTS) {
		emu_iavf_event_push(d, &ev);
		n++;
	}
	pthread_mutex_unlock(&d->lock);
	return n;
}

/*
 * rec_b holds nb_fill fillers, then the types of want[], and nothing else?
 * (A dropped QUIESCE, RESUME or DIRTY_LOG is missing from it.)
 */
static int
rec_expect(const char *what, unsigned int nb_fill, const enum rte_emudev_event_type *want,
	   unsigned int nb_want)
{
	unsigned int i;

	if (rec_b.n != nb_fill + nb_want) {
		printf("%s: %u events, expected %u fillers and %u\n", what, rec_b.n, nb_fill,
		       nb_want);
		for (i = nb_fill; i < rec_b.n; i++)
			printf("  event %u: %s\n", i, rte_emudev_event_name(rec_b.ev[i].type));
		return -1;
	}
	for (i = 0; i < rec_b.n; i++) {
		enum rte_emudev_event_type t =
			i < nb_fill ? RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED : want[i - nb_fill];

		if (rec_b.ev[i].type != t) {
			printf("%s: event %u is %s, expected %s\n", what, i,
			       rte_emudev_event_name(rec_b.ev[i].type), rte_emudev_event_name(t));
			return -1;
		}
	}
	return 0;
}

/*
 * QUIESCE, RESUME and DIRTY_LOG (on and off) are never dropped: with the
 * queue of pending events full, each arrives, after the events queued
 * before it, and the arc succeeds.
 */
static int
test_events_never_dropped(void)
{
	static const enum rte_emudev_event_type quiesce[] = {RTE_EMUDEV_EVENT_QUIESCE};
	static const enum rte_emudev_event_type resume[] = {RTE_EMUDEV_EVENT_RESUME};
	static const enum rte_emudev_event_type dirty[] = {RTE_EMUDEV_EVENT_DIRTY_LOG};
	static const enum rte_emudev_event_type loaded[] = {
		RTE_EMUDEV_EVENT_RESET,
		RTE_EMUDEV_EVENT_DEVICE_READY,
		RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED,
		RTE_EMUDEV_EVENT_QUEUE_ENABLED,
		RTE_EMUDEV_EVENT_QUEUE_ENABLED,
		RTE_EMUDEV_EVENT_QUEUE_ENABLED,
		RTE_EMUDEV_EVENT_RESUME,
	};
	unsigned int nf;
	int ret, res = TEST_FAILED;

	RTE_BUILD_BUG_ON(EMU_IAVF_MAX_EVENTS + RTE_DIM(loaded) > MAX_REC);
	memset(&rec_b, 0, sizeof(rec_b));
	TEST_ASSERT_SUCCESS(rte_emudev_event_register(id_b, RTE_EMUDEV_EVENT_ALL, rec_cb, &rec_b),
			    "event register");
	/* B is stopped (case_setup): resume with the queue full. */
	nf = evq_fill(dev_b);
	ret = emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_STOP,
					RTE_VFIO_USER_MIG_STATE_RUNNING);
	if (ret != 0 || rec_expect("STOP->RUNNING, queue full", nf, resume, 1) != 0 ||
	    dev_b->frozen)
		goto out;
	/* Stop with the queue full. */
	rec_b.n = 0;
	nf = evq_fill(dev_b);
	ret = emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_RUNNING,
					RTE_VFIO_USER_MIG_STATE_STOP);
	if (ret != 0 || rec_expect("RUNNING->STOP, queue full", nf, quiesce, 1) != 0 ||
	    !dev_b->frozen)
		goto out;
	/* A loaded state told in full, then RESUME, with the queue full. */
	if (emu_iavf_state_load(dev_b, state_a, state_a_len) != 0)
		goto out;
	rec_b.n = 0;
	nf = evq_fill(dev_b);
	ret = emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_STOP,
					RTE_VFIO_USER_MIG_STATE_RUNNING);
	if (ret != 0 ||
	    rec_expect("resume after a load, queue full", nf, loaded, RTE_DIM(loaded)) != 0)
		goto out;
	/* Dirty logging on, then off, with the queue full. */
	rec_b.n = 0;
	nf = evq_fill(dev_b);
	emu_iavf_mig_dma_logging(dev_b, true);
	if (rec_expect("DIRTY_LOG on, queue full", nf, dirty, 1) != 0 || !rec_b.dirty_on)
		goto out;
	rec_b.n = 0;
	nf = evq_fill(dev_b);
	emu_iavf_mig_dma_logging(dev_b, false);
	if (rec_expect("DIRTY_LOG off, queue full", nf, dirty, 1) != 0 || rec_b.dirty_on)
		goto out;
	/* Logging on, then a pre-copy and a stop: the arcs work (the log was delivered). */
	emu_iavf_mig_dma_logging(dev_b, true);
	if (emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_RUNNING,
				      RTE_VFIO_USER_MIG_STATE_PRE_COPY) != 0 ||
	    emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_PRE_COPY,
				      RTE_VFIO_USER_MIG_STATE_STOP_COPY) != 0 ||
	    emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_STOP_COPY,
				      RTE_VFIO_USER_MIG_STATE_STOP) != 0) {
		printf("arcs with logging on failed\n");
		goto out;
	}
	emu_iavf_mig_dma_logging(dev_b, false);
	res = TEST_SUCCESS;
out:
	rte_emudev_event_unregister(id_b, RTE_EMUDEV_EVENT_ALL, rec_cb, &rec_b);
	/* Leave B stopped for the teardown. */
	if (!dev_b->frozen)
		emu_iavf_mig_state_change(dev_b, RTE_VFIO_USER_MIG_STATE_RUNNING,
					  RTE_VFIO_USER_MIG_STATE_STOP);
	return res;
}

/* Queue heads reported by the consumer: checked, kept, saved; 0 at enable. */
static int
test_heads(void)
{
	struct rte_emudev_queue_info qi;
	uint8_t *s;
	size_t len;

	TEST_ASSERT_SUCCESS(emu_iavf_state_load(dev_b, state_a, state_a_len), "load");
	TEST_ASSERT_SUCCESS(emu_iavf_mig_queue_head_set(dev_b, RTE_EMUDEV_QUEUE_GUEST_RX, 1, 255),
			    "head 255 of 256");
	TEST_ASSERT(emu_iavf_mig_queue_head_set(dev_b, RTE_EMUDEV_QUEUE_GUEST_RX, 1, 256) ==
			    -EINVAL,
		    "head 256 of 256 accepted");
	TEST_ASSERT(emu_iavf_mig_queue_head_set(dev_b, RTE_EMUDEV_QUEUE_GUEST_RX, 3, 0) == -EINVAL,
		    "head of a queue not configured accepted");
	TEST_ASSERT(emu_iavf_mig_queue_head_set(dev_b, RTE_EMUDEV_QUEUE_GUEST_RX, 4, 0) == -EINVAL,
		    "head of queue 4 of 4 accepted");
	TEST_ASSERT(emu_iavf_mig_queue_head_set(dev_b, (enum rte_emudev_queue_dir)7, 0, 0) ==
			    -EINVAL,
		    "bad direction accepted");
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(id_b, RTE_EMUDEV_QUEUE_GUEST_RX, 1, &qi),
			    "queue info");
	TEST_ASSERT_EQUAL(qi.head, 255u, "head %u", qi.head);
	s = save(dev_b, &len);
	TEST_ASSERT_NOT_NULL(s, "save");
	TEST_ASSERT_SUCCESS(emu_iavf_state_load(dev_c, s, len) == 0 ? -1 : 0,
			    "C took 4 queue pairs");
	emu_iavf_reset(dev_a, EMU_IAVF_RESET_FULL);
	TEST_ASSERT_SUCCESS(emu_iavf_state_load(dev_a, s, len), "load into A");
	free(s);
	TEST_ASSERT_SUCCESS(rte_emudev_queue_info_get(id_a, RTE_EMUDEV_QUEUE_GUEST_RX, 1, &qi),
			    "queue info");
	TEST_ASSERT_EQUAL(qi.head, 255u, "head %u after the move", qi.head);
	return TEST_SUCCESS;
}

/* Stopped: no ARQ write, no interrupt; what waited is delivered at resume. */
static int
test_frozen(void)
{
	uint32_t n0;

	/* A is stopped (case_setup): a message queued meanwhile waits. */
	pthread_mutex_lock(&dev_a->lock);
	dev_a->regs[AVF_VF_ARQT1 / 4] = 10; /* room for 3 */
	n0 = dev_a->bl_count;
	emu_iavf_arq_flush(dev_a);
	TEST_ASSERT_EQUAL(dev_a->bl_count, n0, "ARQ posted while stopped");
	emu_iavf_msg_queue(dev_a, VIRTCHNL_OP_EVENT, 0, NULL, 0);
	TEST_ASSERT_EQUAL(dev_a->bl_count, n0 + 1, "message not kept while stopped");
	TEST_ASSERT_EQUAL(dev_a->regs[AVF_VF_ARQH1 / 4], 7u, "ARQH moved while stopped");
	pthread_mutex_unlock(&dev_a->lock);
	/* A queue interrupt while stopped: withheld. */
	__atomic_store_n(&dev_a->irq_state[3], EMU_IAVF_IRQ_ARMED, __ATOMIC_RELEASE);
	TEST_ASSERT_SUCCESS(emu_iavf_queue_irq_trigger(dev_a, 3), "trigger");
	TEST_ASSERT(__atomic_load_n(&dev_a->withheld, __ATOMIC_ACQUIRE) & (1u << 3),
		    "interrupt not withheld");
	/* And saved: B gets it. */
	free(state_a);
	state_a = save(dev_a, &state_a_len);
	TEST_ASSERT_NOT_NULL(state_a, "save");
	TEST_ASSERT_SUCCESS(emu_iavf_state_load(dev_b, state_a, state_a_len), "load");
	TEST_ASSERT(dev_b->withheld & (1u << 3), "withheld interrupt not moved");
	TEST_ASSERT_EQUAL(dev_b->bl_count, n0 + 1, "waiting messages not moved");
	return TEST_SUCCESS;
}

/* ------------------------------------------- through the server and client */

/*
 * The guest driver's device moves from A to B as a hypervisor moves it: the
 * client of A stops it and reads its state, a client of B (the same guest
 * memory, the same eventfds) writes it and runs B; the guest goes on with
 * B. A consumer of each device is played by the test: at QUIESCE it
 * reports its queues' heads.
 */

struct consumer {
	uint16_t dev_id;
	struct ev_rec rec;
	uint32_t heads[2][AVF_MAX_QUEUE_PAIRS]; /* [dir][q] reported at QUIESCE */
};

static void
consumer_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	struct consumer *k = arg;
	struct rte_emudev_queue_info qi;
	uint16_t q;
	int d;

	rec_cb(dev_id, ev, &k->rec);
	if (ev->type != RTE_EMUDEV_EVENT_QUIESCE)
		return;
	for (d = 0; d < 2; d++) {
		enum rte_emudev_queue_dir dir =
			d == 0 ? RTE_EMUDEV_QUEUE_GUEST_TX : RTE_EMUDEV_QUEUE_GUEST_RX;

		for (q = 0; q < 4; q++) {
			if (rte_emudev_queue_info_get(dev_id, dir, q, &qi) != 0 || !qi.enabled)
				continue;
			rte_emudev_queue_head_set(dev_id, dir, q, k->heads[d][q]);
		}
	}
}

/* Registers the guest driver sees, read through its client. */
static const uint32_t cmp_regs[] = {
	R_ATQH,	       R_ATQT,	      R_ATQLEN,	      R_ATQBAL,	      R_ATQBAH,
	R_ARQH,	       R_ARQT,	      R_ARQLEN,	      R_ARQBAL,	      R_ARQBAH,
	R_ICR0_ENA1,   R_DYN_CTL01,   R_DYN_CTLN1(0), R_DYN_CTLN1(1), R_RSTAT,
	R_QTX_TAIL(0), R_QTX_TAIL(1), R_QRX_TAIL(0),  R_QRX_TAIL(1),
};

/* Read a device's whole migration data (in STOP_COPY). */
static uint8_t *
mig_read_all(struct rte_vfio_user_client *c, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = malloc(cap);

	while (buf != NULL) {
		uint32_t want = (uint32_t)(cap - n);
		int r = rte_vfio_user_client_mig_data_read(c, buf + n, want);

		if (r < 0)
			break;
		n += (size_t)r;
		if ((uint32_t)r < want) {
			*len = n; /* the end */
			return buf;
		}
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);

			if (nb == NULL)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	free(buf);
	return NULL;
}

/* Write a stream into a device in RESUMING and take RESUMING->STOP. */
static int
mig_write_all(struct rte_vfio_user_client *c, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	int ret;

	while (off < len) {
		uint32_t n = (uint32_t)RTE_MIN(len - off, (size_t)4096);

		ret = rte_vfio_user_client_mig_data_write(c, buf + off, n);
		if (ret < 0)
			return ret;
		off += n;
	}
	return rte_vfio_user_client_mig_state_set(c, RTE_VFIO_USER_MIG_STATE_STOP);
}

static struct avf_guest ga;
static struct consumer cons_a, cons_b;

static int
real_guest_up(void)
{
	static const uint8_t uc[6] = {0x02, 0x33, 0x33, 0x33, 0x33, 0x01};
	int ret;

	emu_iavf_reset(dev_a, EMU_IAVF_RESET_FULL);
	emu_iavf_reset(dev_b, EMU_IAVF_RESET_FULL);
	ag_init(&ga, 5);
	ret = ag_alloc_mem(&ga);
	if (ret != 0)
		return ret;
	if (ag_connect(&ga, sock_a) != 0 || ag_bring_up_queues(&ga, 2) != 0)
		return -1;
	if (ag_vc_eth_addr(&ga, VC_OP_ADD_ETH_ADDR, ga.vsi_id, uc) != VC_STATUS_SUCCESS ||
	    ag_vc_promisc(&ga, ga.vsi_id, VC_PROMISC_MULTICAST) != VC_STATUS_SUCCESS)
		return -1;
	/* The guest posts descriptors: tails move. */
	ag_reg_wr(&ga, R_QTX_TAIL(1), 9);
	ag_reg_wr(&ga, R_QRX_TAIL(0), 300);
	memset(&cons_a, 0, sizeof(cons_a));
	memset(&cons_b, 0, sizeof(cons_b));
	cons_a.dev_id = id_a;
	cons_b.dev_id = id_b;
	cons_a.heads[0][1] = 7; /* tx 1: 7 descriptors taken */
	cons_a.heads[1][0] = 123; /* rx 0 */
	if (rte_emudev_event_register(id_a, RTE_EMUDEV_EVENT_ALL, consumer_cb, &cons_a) != 0 ||
	    rte_emudev_event_register(id_b, RTE_EMUDEV_EVENT_ALL, consumer_cb, &cons_b) != 0)
		return -1;
	return 0;
}

static void
real_guest_down(struct avf_guest *gb)
{
	uint8_t up = 1;

	rte_emudev_attr_set(id_a, RTE_EMUDEV_ATTR_LINK_UP, &up, 1);
	rte_emudev_attr_set(id_b, RTE_EMUDEV_ATTR_LINK_UP, &up, 1);
	rte_emudev_event_unregister(id_a, RTE_EMUDEV_EVENT_ALL, consumer_cb, &cons_a);
	rte_emudev_event_unregister(id_b, RTE_EMUDEV_EVENT_ALL, consumer_cb, &cons_b);
	if (gb != NULL && gb->c != NULL) {
		rte_vfio_user_client_close(gb->c);
		gb->c = NULL;
	}
	ag_disconnect(&ga);
	ag_free_mem(&ga);
}

static int
test_real_round_trip(void)
{
	struct rte_emudev_net_rx_conf ca, cb;
	struct rte_emudev_queue_info qa[2][2], qb;
	uint32_t ra[RTE_DIM(cmp_regs)], i, q;
	struct avf_guest gb;
	struct rte_vfio_user_client *ca_cl, *cc = NULL;
	enum rte_vfio_user_mig_state st = RTE_VFIO_USER_MIG_STATE_ERROR;
	uint8_t *data = NULL;
	size_t len = 0;
	int ret, res = TEST_FAILED;
	uint16_t rlen;
	uint8_t resp[256], down = 0;
	uint32_t arqh;
	unsigned int nb_ev;

	memset(&gb, 0, sizeof(gb));
	if (real_guest_up() != 0) {
		printf("guest bring-up on A failed\n");
		goto out;
	}
	ca_cl = ga.c;
	if (!rte_vfio_user_client_caps(ca_cl)->migration) {
		printf("A offers no migration\n");
		goto out;
	}
	for (i = 0; i < RTE_DIM(cmp_regs); i++)
		ra[i] = ag_rd(&ga, cmp_regs[i]);
	memset(&ca, 0, sizeof(ca));
	rte_emudev_net_rx_conf_get(id_a, &ca);

	/* A: RUNNING -> STOP: QUIESCE, the consumer reports its heads. */
	ret = rte_vfio_user_client_mig_state_set(ca_cl, RTE_VFIO_USER_MIG_STATE_STOP);
	if (ret != 0 || cons_a.rec.n != 1 || cons_a.rec.ev[0].type != RTE_EMUDEV_EVENT_QUIESCE) {
		printf("A to STOP: %d, %u events\n", ret, cons_a.rec.n);
		goto out;
	}
	/*
	 * The link goes down while A is stopped: the LINK_CHANGE waits (no ARQ
	 * write), and moves with the state.
	 */
	arqh = ag_rd(&ga, R_ARQH);
	if (rte_emudev_attr_set(id_a, RTE_EMUDEV_ATTR_LINK_UP, &down, 1) != 0 ||
	    rte_emudev_attr_set(id_b, RTE_EMUDEV_ATTR_LINK_UP, &down, 1) != 0) {
		printf("link attribute\n");
		goto out;
	}
	ag_sleep_us(QUIET_MS * 1000);
	if (ag_rd(&ga, R_ARQH) != arqh) {
		printf("A wrote its ARQ while stopped\n");
		goto out;
	}
	/* STOP -> STOP_COPY: saved; read everything, back to STOP. */
	ret = rte_vfio_user_client_mig_state_set(ca_cl, RTE_VFIO_USER_MIG_STATE_STOP_COPY);
	if (ret != 0) {
		printf("A to STOP_COPY: %d\n", ret);
		goto out;
	}
	memset(qa, 0, sizeof(qa));
	for (q = 0; q < 2; q++) {
		rte_emudev_queue_info_get(id_a, RTE_EMUDEV_QUEUE_GUEST_TX, q, &qa[0][q]);
		rte_emudev_queue_info_get(id_a, RTE_EMUDEV_QUEUE_GUEST_RX, q, &qa[1][q]);
	}
	if (qa[0][1].head != 7 || qa[1][0].head != 123) {
		printf("heads reported at QUIESCE not kept: %u %u\n", qa[0][1].head, qa[1][0].head);
		goto out;
	}
	data = mig_read_all(ca_cl, &len);
	if (data == NULL ||
	    rte_vfio_user_client_mig_state_set(ca_cl, RTE_VFIO_USER_MIG_STATE_STOP)) {
		printf("reading A's state failed\n");
		goto out;
	}
	printf("migration data of A: %zu bytes\n", len);

	/* B: the same memory and eventfds, RESUMING, the data, RUNNING. */
	gb = ga;
	gb.c = NULL;
	if (ag_connect(&gb, sock_b) != 0 ||
	    rte_vfio_user_client_mig_state_set(gb.c, RTE_VFIO_USER_MIG_STATE_RESUMING) != 0) {
		printf("B to RESUMING failed\n");
		goto out;
	}
	/* First refusals through the library: truncated, one bit flipped. */
	ret = mig_write_all(gb.c, data, len - 1);
	if (ret >= 0 || rte_vfio_user_client_mig_state_get(gb.c, &st) != 0 ||
	    st != RTE_VFIO_USER_MIG_STATE_RESUMING) {
		printf("truncated stream: %d, state %d\n", ret, st);
		goto out;
	}
	data[len / 2] ^= 0x10;
	ret = mig_write_all(gb.c, data, len);
	data[len / 2] ^= 0x10;
	if (ret >= 0 || rte_vfio_user_client_mig_state_get(gb.c, &st) != 0 ||
	    st != RTE_VFIO_USER_MIG_STATE_RESUMING) {
		printf("bit flip: %d\n", ret);
		goto out;
	}
	/* B given another MAC: a foreign state, refused; B's own MAC again: taken. */
	if (rte_emudev_attr_set(id_b, RTE_EMUDEV_ATTR_MAC, mac_b, 6) != 0)
		goto out;
	ret = mig_write_all(gb.c, data, len);
	if (rte_emudev_attr_set(id_b, RTE_EMUDEV_ATTR_MAC, mac_a, 6) != 0)
		goto out;
	if (ret >= 0 || rte_vfio_user_client_mig_state_get(gb.c, &st) != 0 ||
	    st != RTE_VFIO_USER_MIG_STATE_RESUMING) {
		printf("B of another MAC: %d, state %d\n", ret, st);
		goto out;
	}
	memset(&cons_b.rec, 0, sizeof(cons_b.rec));
	ret = mig_write_all(gb.c, data, len);
	if (ret != 0) {
		printf("B load: %s\n", strerror(-ret));
		goto out;
	}
	nb_ev = gb.nb_events;
	ret = rte_vfio_user_client_mig_state_set(gb.c, RTE_VFIO_USER_MIG_STATE_RUNNING);
	if (ret != 0) {
		printf("B to RUNNING: %s\n", strerror(-ret));
		goto out;
	}
	/* B delivers the LINK_CHANGE that waited in A. */
	if (!ag_wait_event(&gb, nb_ev, WAIT_MS) || gb.last_event_link != 0) {
		printf("the waiting LINK_CHANGE: %u events, link %u\n", gb.nb_events - nb_ev,
		       gb.last_event_link);
		goto out;
	}
	/* A leaves (its client goes: A resets itself). */
	rte_vfio_user_client_close(ca_cl);
	ga.c = NULL;

	/* B is A. */
	for (i = 0; i < RTE_DIM(cmp_regs); i++) {
		uint32_t v = ag_rd(&gb, cmp_regs[i]);

		/* One message more on the ARQ (the LINK_CHANGE), given back. */
		if (cmp_regs[i] == R_ARQH || cmp_regs[i] == R_ARQT)
			ra[i] = (ra[i] + 1) % AQ_ENTRIES;
		if (v != ra[i]) {
			printf("register 0x%x: A 0x%x, B 0x%x\n", cmp_regs[i], ra[i], v);
			goto out;
		}
	}
	for (q = 0; q < 2; q++) {
		for (i = 0; i < 2; i++) {
			memset(&qb, 0, sizeof(qb));
			rte_emudev_queue_info_get(id_b,
						  i == 0 ? RTE_EMUDEV_QUEUE_GUEST_TX :
							   RTE_EMUDEV_QUEUE_GUEST_RX,
						  q, &qb);
			/* This process's addresses and B's memory table: B's own. */
			if (qb.ring_host == NULL || qb.doorbell == NULL) {
				printf("queue %u/%u: no ring or doorbell on B\n", i, q);
				goto out;
			}
			qb.doorbell = qa[i][q].doorbell;
			qb.ring_host = qa[i][q].ring_host;
			qb.mem_generation = qa[i][q].mem_generation;
			if (memcmp(&qb, &qa[i][q], sizeof(qb)) != 0) {
				printf("queue info %u/%u differs: enabled %d/%d, ring %u/%u at "
				       "0x%" PRIx64 "/0x%" PRIx64 ", head %u/%u, vector %u/%u\n",
				       i, q, qa[i][q].enabled, qb.enabled, qa[i][q].ring_size,
				       qb.ring_size, qa[i][q].ring_gpa, qb.ring_gpa, qa[i][q].head,
				       qb.head, qa[i][q].irq_vector, qb.irq_vector);
				goto out;
			}
		}
	}
	memset(&cb, 0, sizeof(cb));
	rte_emudev_net_rx_conf_get(id_b, &cb);
	ca.generation = cb.generation = 0;
	if (memcmp(&ca, &cb, sizeof(ca)) != 0) {
		printf("receive configuration differs\n");
		goto out;
	}
	/* B's consumer, after its QUIESCE: the whole state, then RESUME. */
	{
		static const enum rte_emudev_event_type want[] = {
			RTE_EMUDEV_EVENT_RESET,
			RTE_EMUDEV_EVENT_DEVICE_READY,
			RTE_EMUDEV_EVENT_NET_RX_CONF_CHANGED,
			RTE_EMUDEV_EVENT_QUEUE_ENABLED,
			RTE_EMUDEV_EVENT_QUEUE_ENABLED,
			RTE_EMUDEV_EVENT_QUEUE_ENABLED,
			RTE_EMUDEV_EVENT_QUEUE_ENABLED,
			RTE_EMUDEV_EVENT_RESUME,
		};
		unsigned int k;
		bool ok = cons_b.rec.n == RTE_DIM(want);

		for (k = 0; ok && k < RTE_DIM(want); k++)
			ok = cons_b.rec.ev[k].type == want[k];
		if (!ok) {
			for (k = 0; k < cons_b.rec.n; k++)
				printf("  B event %u: %s\n", k,
				       rte_emudev_event_name(cons_b.rec.ev[k].type));
			goto out;
		}
	}
	/* The guest goes on with B: a call answered on its admin queue. */
	ret = ag_vc_queue_select(&gb, VC_OP_GET_STATS, gb.vsi_id, 0, 0, resp, sizeof(resp), &rlen);
	if (ret != VC_STATUS_SUCCESS) {
		printf("GET_STATS on B: %d\n", ret);
		goto out;
	}
	/* C (2 queue pairs, another configuration space) refuses A's data. */
	cc = rte_vfio_user_client_connect(sock_c, NULL);
	if (cc == NULL ||
	    rte_vfio_user_client_mig_state_set(cc, RTE_VFIO_USER_MIG_STATE_RESUMING) != 0 ||
	    mig_write_all(cc, data, len) >= 0 ||
	    rte_vfio_user_client_mig_state_set(cc, RTE_VFIO_USER_MIG_STATE_RUNNING) != 0) {
		printf("C took A's state or failed otherwise\n");
		goto out;
	}
	res = TEST_SUCCESS;
out:
	if (cc != NULL)
		rte_vfio_user_client_close(cc);
	free(data);
	real_guest_down(&gb);
	return res;
}

/* What the device writes into guest memory is marked while the client logs. */
static int
test_real_dirty(void)
{
	const uint64_t pg = 4096, npages = GUEST_SIZE / 4096;
	struct rte_vfio_user_dma_range r = {GUEST_IOVA, GUEST_SIZE};
	uint64_t bm[GUEST_SIZE / 4096 / 64];
	uint8_t resp[256];
	uint16_t rlen;
	uint64_t p, nb = 0;
	unsigned int nq;
	int ret, res = TEST_FAILED;

	if (real_guest_up() != 0)
		goto out;
	ret = rte_vfio_user_client_dma_logging_start(ga.c, pg, &r, 1);
	if (ret != 0 || !cons_a.rec.dirty_on) {
		printf("logging start: %d, DIRTY_LOG on %d\n", ret, cons_a.rec.dirty_on);
		goto out;
	}
	ret = rte_vfio_user_client_dma_logging_report(ga.c, GUEST_IOVA, GUEST_SIZE, pg, bm);
	if (ret != 0) {
		printf("report: %d\n", ret);
		goto out;
	}
	ret = ag_vc_queue_select(&ga, VC_OP_GET_STATS, ga.vsi_id, 0, 0, resp, sizeof(resp), &rlen);
	if (ret != VC_STATUS_SUCCESS)
		goto out;
	memset(bm, 0, sizeof(bm));
	ret = rte_vfio_user_client_dma_logging_report(ga.c, GUEST_IOVA, GUEST_SIZE, pg, bm);
	if (ret != 0)
		goto out;
	for (p = 0; p < npages; p++)
		nb += (bm[p / 64] >> (p % 64)) & 1;
	printf("pages dirty after one virtchnl call: %" PRIu64 "\n", nb);
#define DIRTY(off) ((bm[(off) / pg / 64] >> ((off) / pg % 64)) & 1)
	/* ATQ write-back (page of the ring), ARQ descriptor and its buffer. */
	if (!DIRTY(ATQ_RING_OFF) || !DIRTY(ARQ_RING_OFF) || nb < 3 || DIRTY(ATQ_BUF_OFF(0))) {
		printf("ATQ ring %d, ARQ ring %d, ATQ buffer %d, %" PRIu64 " pages\n",
		       (int)DIRTY(ATQ_RING_OFF), (int)DIRTY(ARQ_RING_OFF),
		       (int)DIRTY(ATQ_BUF_OFF(0)), nb);
		goto out;
	}
	/* The consumer's marks reach the log too. */
	rte_emudev_dirty_mark(id_a, GUEST_IOVA + 0x300000, 1);
	memset(bm, 0, sizeof(bm));
	rte_vfio_user_client_dma_logging_report(ga.c, GUEST_IOVA, GUEST_SIZE, pg, bm);
	if (!DIRTY(0x300000)) {
		printf("rte_emudev_dirty_mark() not in the log\n");
		goto out;
	}
	/* PRE_COPY: the device runs (no QUIESCE), no data; STOP_COPY stops it. */
	ret = rte_vfio_user_client_mig_state_set(ga.c, RTE_VFIO_USER_MIG_STATE_PRE_COPY);
	nq = cons_a.rec.n;
	if (ret != 0 || rte_vfio_user_client_mig_data_read(ga.c, resp, sizeof(resp)) != 0 ||
	    ag_vc_queue_select(&ga, VC_OP_GET_STATS, ga.vsi_id, 0, 0, resp, sizeof(resp), &rlen) !=
		    VC_STATUS_SUCCESS) {
		printf("PRE_COPY: %d\n", ret);
		goto out;
	}
	for (p = 0; p < nq; p++)
		if (cons_a.rec.ev[p].type == RTE_EMUDEV_EVENT_QUIESCE)
			goto out;
	ret = rte_vfio_user_client_mig_state_set(ga.c, RTE_VFIO_USER_MIG_STATE_STOP_COPY);
	if (ret != 0 || cons_a.rec.n != nq + 1 ||
	    cons_a.rec.ev[nq].type != RTE_EMUDEV_EVENT_QUIESCE) {
		printf("PRE_COPY -> STOP_COPY: %d, %u events\n", ret, cons_a.rec.n - nq);
		goto out;
	}
	ret = rte_vfio_user_client_mig_state_set(ga.c, RTE_VFIO_USER_MIG_STATE_RUNNING);
	if (ret != 0 || cons_a.rec.ev[cons_a.rec.n - 1].type != RTE_EMUDEV_EVENT_RESUME) {
		printf("back to RUNNING: %d\n", ret);
		goto out;
	}
	/* Off: DIRTY_LOG off, and the log is gone. */
	ret = rte_vfio_user_client_dma_logging_stop(ga.c);
	if (ret != 0 || cons_a.rec.dirty_on || cons_a.rec.nb_dirty_log != 2) {
		printf("logging stop: %d\n", ret);
		goto out;
	}
#undef DIRTY
	res = TEST_SUCCESS;
out:
	real_guest_down(NULL);
	return res;
}

/*
 * An FLR while the device is stopped for a migration (STOP, STOP_COPY,
 * RESUMING): the library says RUNNING after it, and the device runs: the
 * consumer is told RESET then RESUME, the driver brings the device up again
 * through its admin queue, and the admin queue interrupt fires.
 */
static int
test_real_flr(void)
{
	static const enum rte_vfio_user_mig_state stops[] = {
		RTE_VFIO_USER_MIG_STATE_STOP,
		RTE_VFIO_USER_MIG_STATE_STOP_COPY,
		RTE_VFIO_USER_MIG_STATE_RESUMING,
	};
	enum rte_vfio_user_mig_state st;
	unsigned int i, k, n0;
	uint32_t major, minor;
	int ret, res = TEST_FAILED;

	if (real_guest_up() != 0) {
		printf("guest bring-up on A failed\n");
		goto out;
	}
	for (i = 0; i < RTE_DIM(stops); i++) {
		const char *name = rte_vfio_user_mig_state_name(stops[i]);
		bool reset = false, resumed = false;

		ret = rte_vfio_user_client_mig_state_set(ga.c, stops[i]);
		if (ret != 0 || !dev_a->frozen) {
			printf("A to %s: %d, frozen %d\n", name, ret, (int)dev_a->frozen);
			goto out;
		}
		n0 = cons_a.rec.n;
		ret = ag_flr(&ga);
		if (ret != 0) {
			printf("FLR in %s: %d\n", name, ret);
			goto out;
		}
		st = RTE_VFIO_USER_MIG_STATE_ERROR;
		ret = rte_vfio_user_client_mig_state_get(ga.c, &st);
		if (ret != 0 || st != RTE_VFIO_USER_MIG_STATE_RUNNING) {
			printf("FLR in %s: the library says %s (%d)\n", name,
			       rte_vfio_user_mig_state_name(st), ret);
			goto out;
		}
		if (dev_a->frozen) {
			printf("FLR in %s: the library says RUNNING, the device is stopped\n",
			       name);
			goto out;
		}
		for (k = n0; k < cons_a.rec.n; k++) {
			if (cons_a.rec.ev[k].type == RTE_EMUDEV_EVENT_RESET)
				reset = true;
			if (cons_a.rec.ev[k].type == RTE_EMUDEV_EVENT_RESUME && reset)
				resumed = true;
		}
		if (!resumed) {
			printf("FLR in %s: the consumer was not told RESET then RESUME\n", name);
			goto out;
		}
		/* The driver brings the device up again: the admin queue serves. */
		memset(ag_mem(&ga, 0), 0, 0x80000);
		if (ag_set_irqs(&ga) != 0 || ag_bring_up(&ga, true) != 0) {
			printf("FLR in %s: no admin queue after it\n", name);
			goto out;
		}
		/* And its interrupt fires (no cause left from the bring-up). */
		ag_rd(&ga, R_ICR01);
		if (ag_reg_wr(&ga, R_DYN_CTL01, DYN_CTL_INTENA | DYN_CTL_ITR_INDX_NONE) != 0 ||
		    ag_reg_wr(&ga, R_ICR0_ENA1, ICR0_ENA1_ADMINQ) != 0) {
			printf("arming vector 0\n");
			goto out;
		}
		ag_efd_drain(ga.efd[0]);
		ret = ag_vc_version(&ga, &major, &minor);
		if (ret != 0 || ag_efd_wait(ga.efd[0], WAIT_MS) == 0) {
			printf("FLR in %s: VERSION %d, no interrupt\n", name, ret);
			goto out;
		}
		ag_rd(&ga, R_ICR01);
	}
	res = TEST_SUCCESS;
out:
	real_guest_down(NULL);
	return res;
}

/* A consumer that takes the link down when the device's memory goes. */
static void
link_down_cb(uint16_t dev_id, const struct rte_emudev_event *ev, void *arg)
{
	uint8_t down = 0;

	if (ev->type == RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING)
		*(int *)arg += rte_emudev_attr_set(dev_id, RTE_EMUDEV_ATTR_LINK_UP, &down, 1) == 0;
}

/*
 * A client that leaves while an admin queue message waits (here the link
 * change a consumer makes when the memory goes, which waits for the memory
 * table): the message is dropped quietly with the client's memory, not
 * written into memory being unmapped.
 */
static int
test_real_close_pending(void)
{
	int downs = 0, res = TEST_FAILED, i;
	unsigned int warned;

	if (real_guest_up() != 0) {
		printf("guest bring-up on A failed\n");
		goto out;
	}
	if (rte_emudev_event_register(id_a, RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING, link_down_cb,
				      &downs) != 0)
		goto out;
	log_capture_start();
	rte_vfio_user_client_close(ga.c);
	ga.c = NULL;
	for (i = 0; i < WAIT_MS && __atomic_load_n(&dev_a->client, __ATOMIC_ACQUIRE); i++)
		ag_sleep_us(1000);
	warned = log_count("ARQ", "not mapped") + log_count("ARQ", "not writable");
	log_capture_stop();
	rte_emudev_event_unregister(id_a, RTE_EMUDEV_EVENT_MEM_TABLE_CHANGING, link_down_cb,
				    &downs);
	if (dev_a->client || downs == 0) {
		printf("client still there (%d) or no link change (%d)\n", (int)dev_a->client,
		       downs);
		goto out;
	}
	if (warned != 0) {
		printf("a message was posted into the departed client's memory\n");
		goto out;
	}
	res = TEST_SUCCESS;
out:
	real_guest_down(NULL);
	return res;
}

/* migration=0|1 (default 1). */
static int
test_devarg(void)
{
	struct emu_iavf_dev *d;
	char args[160];
	int ret;

	snprintf(args, sizeof(args), "sock=%s/d.sock,migration=2", tmpdir);
	log_capture_start();
	ret = rte_vdev_init("emu_iavf_mig_d", args);
	TEST_ASSERT(ret != 0 && log_count("migration", "is not 0 or 1") == 1, "migration=2: %d",
		    ret);
	log_capture_stop();
	snprintf(args, sizeof(args), "sock=%s/d.sock,migration=0", tmpdir);
	TEST_ASSERT_SUCCESS(rte_vdev_init("emu_iavf_mig_d", args), "migration=0");
	d = emu_iavf_dev_lookup("emu_iavf_mig_d");
	TEST_ASSERT(d != NULL && !d->migration, "migration=0 not taken");
	TEST_ASSERT_SUCCESS(rte_vdev_uninit("emu_iavf_mig_d"), "uninit");
	TEST_ASSERT(dev_a->migration && dev_b->migration, "migration is not the default");
	snprintf(args, sizeof(args), "%s/d.sock", tmpdir);
	unlink(args);
	return TEST_SUCCESS;
}

static struct unit_test_suite emu_iavf_mig_suite = {
	.suite_name = "emu_iavf_mig_autotest",
	.setup = suite_setup,
	.teardown = suite_teardown,
	.unit_test_cases =
		{
			TEST_CASE(test_devarg),
			TEST_CASE_ST(case_setup, case_teardown, test_round_trip),
			TEST_CASE_ST(case_setup, case_teardown, test_refuse_framing),
			TEST_CASE_ST(case_setup, case_teardown, test_refuse_fields),
			TEST_CASE_ST(case_setup, case_teardown, test_versions),
			TEST_CASE_ST(case_setup, case_teardown, test_foreign),
			TEST_CASE_ST(case_setup, case_teardown, test_foreign_mac),
			TEST_CASE_ST(case_setup, case_teardown, test_events),
			TEST_CASE_ST(case_setup, case_teardown, test_events_never_dropped),
			TEST_CASE_ST(case_setup, case_teardown, test_heads),
			TEST_CASE_ST(case_setup, case_teardown, test_frozen),
			TEST_CASE(test_real_round_trip),
			TEST_CASE(test_real_dirty),
			TEST_CASE(test_real_flr),
			TEST_CASE(test_real_close_pending),
			TEST_CASES_END(),
		},
};

static int
test_emu_iavf_mig(void)
{
	return unit_test_suite_runner(&emu_iavf_mig_suite);
}

REGISTER_TEST_COMMAND(emu_iavf_mig_autotest, test_emu_iavf_mig);
