/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

/*
 * Reading a fuzz input as a stream of little-endian integers and byte
 * runs: past its end every read gives zeros (or fewer bytes), so a target
 * never needs to check lengths.
 */

#include <stddef.h>
#include <stdint.h>

struct in {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t
in_u8(struct in *in)
{
	uint8_t v = 0;

	if (in->left > 0) {
		v = *in->p++;
		in->left--;
	}
	return v;
}

static inline uint16_t
in_u16(struct in *in)
{
	uint16_t v = in_u8(in);

	return (uint16_t)(v | (uint16_t)in_u8(in) << 8);
}

static inline uint32_t
in_u32(struct in *in)
{
	uint32_t v = in_u16(in);

	return v | (uint32_t)in_u16(in) << 16;
}

static inline uint64_t
in_u64(struct in *in)
{
	uint64_t v = in_u32(in);

	return v | (uint64_t)in_u32(in) << 32;
}

/* Up to n bytes of input (fewer at its end). */
static inline size_t
in_bytes(struct in *in, size_t n, const uint8_t **p)
{
	if (n > in->left)
		n = in->left;
	*p = in->p;
	in->p += n;
	in->left -= n;
	return n;
}

#endif /* FUZZ_INPUT_H */
