/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_log.h>

#include "test_common.h"

uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* Polling interval of the waits. */
#define WAIT_POLL_NS 100000

static bool
reached_u32(const void *v, uint64_t want)
{
	return __atomic_load_n((const unsigned int *)v, __ATOMIC_ACQUIRE) >= want;
}

static bool
reached_u64(const void *v, uint64_t want)
{
	return __atomic_load_n((const uint64_t *)v, __ATOMIC_ACQUIRE) >= want;
}

static bool
wait_reached(bool (*reached)(const void *v, uint64_t want), const void *v, uint64_t want,
	     unsigned int ms)
{
	const struct timespec poll = {.tv_sec = 0, .tv_nsec = WAIT_POLL_NS};
	uint64_t end = now_ms() + ms;

	while (!reached(v, want)) {
		if (now_ms() > end)
			return false;
		nanosleep(&poll, NULL);
	}
	return true;
}

bool
wait_u32(const unsigned int *v, unsigned int want, unsigned int ms)
{
	return wait_reached(reached_u32, v, want, ms);
}

bool
wait_u64(const uint64_t *v, uint64_t want, unsigned int ms)
{
	return wait_reached(reached_u64, v, want, ms);
}

/* The captured log lines. */
static char *logbuf;
static size_t logbuf_len;
static FILE *log_fp;
static FILE *log_prev;

int
log_capture_start(void)
{
	log_prev = rte_log_get_stream();
	log_fp = open_memstream(&logbuf, &logbuf_len);
	if (log_fp == NULL)
		return -1;
	return rte_openlog_stream(log_fp);
}

unsigned int
log_count(const char *a, const char *b)
{
	unsigned int n = 0;
	const char *p, *nl;

	fflush(log_fp);
	for (p = logbuf; p != NULL && *p != '\0'; p = nl + 1) {
		size_t len;
		char line[512];

		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		snprintf(line, sizeof(line), "%.*s", (int)RTE_MIN(len, sizeof(line) - 1), p);
		if (strstr(line, a) != NULL && (b == NULL || strstr(line, b) != NULL))
			n++;
		if (nl == NULL)
			break;
	}
	return n;
}

void
log_capture_print(void)
{
	if (logbuf == NULL)
		return;
	fflush(log_fp);
	printf("captured log:\n%s", logbuf);
}

void
log_capture_stop(void)
{
	rte_openlog_stream(log_prev);
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = NULL;
	free(logbuf);
	logbuf = NULL;
	logbuf_len = 0;
}
