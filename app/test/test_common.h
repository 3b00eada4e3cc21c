/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef TEST_COMMON_H
#define TEST_COMMON_H

/*
 * Helpers shared by the test files: a monotonic clock in milliseconds, a
 * sleep and bounded waits for a counter another thread increments,
 * little-endian loads and stores on byte buffers (any alignment), and a
 * capture of the DPDK log to look for the lines a case expects.
 */

#include <stdbool.h>
#include <stdint.h>

/* @return CLOCK_MONOTONIC in milliseconds. */
uint64_t now_ms(void);

void sleep_ms(unsigned int ms);

/*
 * Wait, polling every 100 us for at most ms milliseconds, until *v (read
 * with acquire) is at least want. @return whether it got there.
 */
bool wait_u32(const unsigned int *v, unsigned int want, unsigned int ms);
bool wait_u64(const uint64_t *v, uint64_t want, unsigned int ms);

static inline void
put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void
put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t
get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
get_le32(const uint8_t *p)
{
	return (uint32_t)get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

static inline uint64_t
get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/*
 * Send the DPDK log (rte_openlog_stream()) to memory until log_capture_stop(),
 * which gives the previous stream back and frees what was captured.
 * @return 0, or -1 if the memory stream cannot be opened.
 */
int log_capture_start(void);
void log_capture_stop(void);

/* @return how many captured lines contain all of a, b (b may be NULL). */
unsigned int log_count(const char *a, const char *b);

/* Print what was captured so far (nothing if the stream is still empty). */
void log_capture_print(void);

#endif /* TEST_COMMON_H */
