/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * libFuzzer target over emu_iavf's migration state loader
 * (emu_iavf_state_load(): what a vfio-user client's MIG_DATA_WRITE bytes
 * reach once the library checked its own part).
 *
 * Devices are assembled without EAL, server or emudev (the loader touches
 * none of them): one per queue pair count (1, 2, 4 and 16), all with the
 * seeds' device MAC (a state of another is refused as foreign). Input: byte 0
 * chooses the device (bits 0-1) and whether the header's length and CRC
 * are made right (bit 2: most inputs then reach the section parsers
 * instead of stopping at the CRC); the rest is the state.
 * Oracles: a refused state leaves the device exactly as it was (its saved
 * state is unchanged); an accepted one keeps the invariants consumers
 * rely on, and saving it and loading that again gives the same bytes.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_byteorder.h>
#include <rte_log.h>

#include "emu_iavf_priv.h"
#include "emu_iavf_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define NB_DEVS 4
static const uint16_t dev_qp[NB_DEVS] = {1, 2, 4, 16};
static struct emu_iavf_dev *devs[NB_DEVS];
/* Two save buffers of the largest state. */
static uint8_t *sbuf1, *sbuf2;
static size_t smax;

static struct emu_iavf_dev *
dev_new(uint16_t qp)
{
	struct emu_iavf_dev *d = calloc(1, sizeof(*d));

	if (d == NULL)
		abort();
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->ev_lock, NULL);
	snprintf(d->name, sizeof(d->name), "emu_iavf_fuzz%u", qp);
	d->tail_fd = -1;
	d->tail_mem = mmap(NULL, EMU_IAVF_TAIL_MAP_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d->tail_mem == MAP_FAILED)
		abort();
	d->nb_qp = qp;
	d->nb_vectors = qp + 1u;
	memcpy(d->mac, "\x02\x00\x00\x00\x0a\x01", 6); /* the seeds' (test_emu_iavf_mig.c MAC_A) */
	d->link_up = 1;
	d->link_speed = 10000;
	d->migration = true;
	emu_iavf_reset(d, EMU_IAVF_RESET_FULL);
	return d;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint32_t i;

	(void)argc;
	(void)argv;
	rte_log_set_global_level(RTE_LOG_EMERG);
	for (i = 0; i < NB_DEVS; i++)
		devs[i] = dev_new(dev_qp[i]);
	smax = emu_iavf_state_size(devs[NB_DEVS - 1]);
	sbuf1 = malloc(smax);
	sbuf2 = malloc(smax);
	if (sbuf1 == NULL || sbuf2 == NULL)
		abort();
	return 0;
}

static size_t
save(struct emu_iavf_dev *d, uint8_t *buf)
{
	ssize_t n;

	pthread_mutex_lock(&d->lock);
	n = emu_iavf_state_save(d, buf, smax);
	pthread_mutex_unlock(&d->lock);
	if (n <= 0)
		abort();
	return (size_t)n;
}

static void
check_queue(const struct emu_iavf_dev *d, const struct emu_iavf_queue *q, uint32_t qid)
{
	if (q->enabled && !q->configured)
		abort();
	if (q->configured &&
	    (qid >= d->offered_qp || q->ring_len == 0 || q->ring_len > AVF_RING_LEN_MAX ||
	     q->head >= q->ring_len))
		abort();
	if (q->vector != RTE_EMUDEV_IRQ_NONE && q->vector >= d->nb_vectors)
		abort();
}

/* What the consumers and the model rely on. */
static void
check_invariants(const struct emu_iavf_dev *d)
{
	uint32_t q;

	if (d->offered_qp == 0 || d->offered_qp > d->nb_qp || d->bl_count > EMU_IAVF_BACKLOG ||
	    d->nb_uc > EMU_IAVF_MAX_UC || d->nb_mc > EMU_IAVF_MAX_MC ||
	    d->nb_vlans > EMU_IAVF_MAX_VLANS || (d->withheld >> d->nb_vectors) != 0)
		abort();
	for (q = 0; q < AVF_MAX_QUEUE_PAIRS; q++) {
		check_queue(d, &d->txq[q], q);
		check_queue(d, &d->rxq[q], q);
	}
	for (q = 0; q < d->bl_count; q++)
		if (d->backlog[(d->bl_head + q) % EMU_IAVF_BACKLOG].len > EMU_IAVF_MSG_MAX)
			abort();
	for (q = 0; d->rss_lut_set && q < AVF_RSS_LUT_SIZE; q++)
		if (d->rss_lut[q] >= d->offered_qp)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct emu_iavf_dev *d;
	size_t len, n1, n2;
	uint8_t *in;
	int ret;

	if (size < 1)
		return 0;
	d = devs[data[0] & 3];
	len = size - 1;
	in = malloc(len + 1);
	if (in == NULL)
		return 0;
	memcpy(in, data + 1, len);
	if ((data[0] & 4) && len >= EMU_IAVF_STATE_HDR_LEN) {
		uint32_t le = rte_cpu_to_le_32((uint32_t)len);

		memcpy(in + EMU_IAVF_STATE_OFF_LEN, &le, 4);
		emu_iavf_state_crc_fix(in, len);
	}

	n1 = save(d, sbuf1);
	ret = emu_iavf_state_load(d, in, len);
	if (ret != 0) {
		/* Refused: nothing changed. */
		if (ret != -EINVAL && ret != -EPROTONOSUPPORT)
			abort();
		n2 = save(d, sbuf2);
		if (n1 != n2 || memcmp(sbuf1, sbuf2, n1) != 0)
			abort();
	} else {
		check_invariants(d);
		/* Save, load, save: the same bytes. */
		n1 = save(d, sbuf1);
		if (emu_iavf_state_load(d, sbuf1, n1) != 0)
			abort();
		n2 = save(d, sbuf2);
		if (n1 != n2 || memcmp(sbuf1, sbuf2, n1) != 0)
			abort();
		emu_iavf_reset(d, EMU_IAVF_RESET_FULL);
	}
	free(in);
	return 0;
}
