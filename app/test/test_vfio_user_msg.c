/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * Unit tests of the vfio-user message codec (vfio_user_msg.c):
 * round trips of every encoder/decoder pair, QEMU's VERSION JSON, a table
 * of malformed messages with the errno each must give, truncation sweeps,
 * bit-flip and random fuzzing (every input lives in a buffer of exactly its
 * length, so an over-read is caught by ASan builds).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "test_common.h"
#include "vfio_user_msg.h"

/* Limits the table rows are decoded with. */
#define TBL_MAX_MSG 65536u
#define TBL_MAX_XFER 4096u
#define TBL_PGSIZE 4096u

/* ------------------------------------------------------------ helpers */

/* A copy of buf in a heap block of exactly len bytes (ASan sees over-reads). */
static uint8_t *
exact_copy(const void *buf, size_t len)
{
	uint8_t *p = malloc(len > 0 ? len : 1);

	if (p != NULL && len > 0)
		memcpy(p, buf, len);
	return p;
}

static void
hexdump(const uint8_t *p, size_t len)
{
	size_t i, n = len < 64 ? len : 64;

	printf("    %zu bytes:", len);
	for (i = 0; i < n; i++)
		printf("%s%02x", (i % 16) == 0 ? "\n    " : " ", p[i]);
	printf("%s\n", n < len ? " ..." : "");
}

static const char *
errname(int rc)
{
	switch (rc) {
	case 0:
		return "0";
	case -EINVAL:
		return "-EINVAL";
	case -E2BIG:
		return "-E2BIG";
	case -ENOTSUP:
		return "-ENOTSUP";
	case -ENOSPC:
		return "-ENOSPC";
	case -ENOMEM:
		return "-ENOMEM";
	default:
		return "other";
	}
}

/* ------------------------------------------------- decoder dispatcher */

enum dec {
	D_HDR,
	D_VERSION,
	D_DMA_MAP,
	D_DMA_UNMAP,
	D_DEV_INFO,
	D_REGION_INFO_REQ,
	D_REGION_INFO_REPLY,
	D_IO_FDS,
	D_IRQ_INFO,
	D_SET_IRQS,
	D_REGION_READ,
	D_REGION_WRITE,
	D_READ_REPLY,
	D_WRITE_REPLY,
	D_WRITE_MULTI,
	D_DMA_READ,
	D_DMA_WRITE,
	D_FEATURE,
	D_NUM,
};

static const char *const dec_names[D_NUM] = {
	[D_HDR] = "hdr",
	[D_VERSION] = "version",
	[D_DMA_MAP] = "dma_map",
	[D_DMA_UNMAP] = "dma_unmap",
	[D_DEV_INFO] = "device_info",
	[D_REGION_INFO_REQ] = "region_info_req",
	[D_REGION_INFO_REPLY] = "region_info_reply",
	[D_IO_FDS] = "region_io_fds",
	[D_IRQ_INFO] = "irq_info",
	[D_SET_IRQS] = "set_irqs",
	[D_REGION_READ] = "region_read",
	[D_REGION_WRITE] = "region_write",
	[D_READ_REPLY] = "region_read_reply",
	[D_WRITE_REPLY] = "region_write_reply",
	[D_WRITE_MULTI] = "write_multi",
	[D_DMA_READ] = "dma_read",
	[D_DMA_WRITE] = "dma_write",
	[D_FEATURE] = "device_feature",
};

/* Big outputs: static, this file runs its cases one at a time. */
static struct vfio_user_write_multi_entry wm_entries[VFIO_USER_WRITE_MULTI_MAX];
static struct vfio_user_region_info rinfo;

/*
 * Run decoder d on p[0..len) and, when it succeeds, check the invariants
 * its output must hold. Returns the decoder's result, or 1 when a
 * successful decode broke an invariant.
 */
static int
run_decoder(enum dec d, const uint8_t *p, size_t len, unsigned int nfds)
{
	struct vfio_user_hdr hdr;
	struct vfio_user_version ver;
	struct vfio_user_dma_map map;
	struct vfio_user_dma_unmap unmap;
	struct vfio_user_device_info di;
	struct vfio_user_region_io_fds_req io;
	struct vfio_user_irq_info ii;
	struct vfio_user_set_irqs si;
	struct vfio_user_region_access ra;
	struct vfio_user_dma_access da;
	struct vfio_user_device_feature df;
	uint32_t nr = 0, i;
	int rc;

	switch (d) {
	case D_HDR:
		rc = vfio_user_hdr_decode(p, len, TBL_MAX_MSG, &hdr);
		if (rc == 0 &&
		    (hdr.size < VFIO_USER_HDR_SIZE || hdr.size > TBL_MAX_MSG ||
		     (hdr.flags & ~VFIO_USER_F_KNOWN) != 0))
			return 1;
		return rc;
	case D_VERSION:
		rc = vfio_user_version_decode(p, len, &ver);
		if (rc == 0 &&
		    (ver.caps.max_msg_fds < 1 ||
		     ver.caps.max_msg_fds > VFIO_USER_MAX_MSG_FDS_LIMIT ||
		     ver.caps.max_data_xfer_size < 1 ||
		     ver.caps.max_data_xfer_size > VFIO_USER_MAX_DATA_XFER_LIMIT ||
		     ver.caps.max_dma_maps < 1 || (ver.caps.pgsizes & 4096) == 0 ||
		     (ver.caps.pgsizes & 4095) != 0))
			return 1;
		return rc;
	case D_DMA_MAP:
		rc = vfio_user_dma_map_decode(p, len, nfds, TBL_PGSIZE, &map);
		if (rc == 0 &&
		    (map.size == 0 || map.addr + map.size < map.addr ||
		     (map.addr % TBL_PGSIZE) != 0))
			return 1;
		return rc;
	case D_DMA_UNMAP:
		return vfio_user_dma_unmap_decode(p, len, &unmap);
	case D_DEV_INFO:
		return vfio_user_device_info_decode(p, len, &di);
	case D_REGION_INFO_REQ:
		return vfio_user_region_info_req_decode(p, len, &rinfo);
	case D_REGION_INFO_REPLY:
		rc = vfio_user_region_info_reply_decode(p, len, &rinfo);
		if (rc != 0)
			return rc;
		if (rinfo.nr_areas > VFIO_USER_MAX_SPARSE_AREAS)
			return 1;
		for (i = 0; i < rinfo.nr_areas; i++)
			if (rinfo.areas[i].offset + rinfo.areas[i].size < rinfo.areas[i].offset ||
			    rinfo.areas[i].offset + rinfo.areas[i].size > rinfo.size)
				return 1;
		return 0;
	case D_IO_FDS:
		return vfio_user_region_io_fds_decode(p, len, &io);
	case D_IRQ_INFO:
		return vfio_user_irq_info_decode(p, len, &ii);
	case D_SET_IRQS:
		rc = vfio_user_set_irqs_decode(p, len, nfds, &si);
		if (rc != 0)
			return rc;
		if ((si.flags & VFIO_USER_IRQ_SET_DATA_BOOL) != 0) {
			if (si.bools != p + VFIO_USER_SET_IRQS_SIZE ||
			    VFIO_USER_SET_IRQS_SIZE + (size_t)si.count != len)
				return 1;
			for (i = 0; i < si.count; i++)
				if (si.bools[i] > 1)
					return 1;
		} else if (si.bools != NULL) {
			return 1;
		}
		return 0;
	case D_REGION_READ:
		rc = vfio_user_region_read_decode(p, len, TBL_MAX_XFER, &ra);
		if (rc == 0 &&
		    (ra.count == 0 || ra.count > TBL_MAX_XFER ||
		     len != VFIO_USER_REGION_ACCESS_SIZE))
			return 1;
		return rc;
	case D_REGION_WRITE:
		rc = vfio_user_region_write_decode(p, len, TBL_MAX_XFER, &ra);
		if (rc == 0 &&
		    (ra.count == 0 || ra.count > TBL_MAX_XFER ||
		     ra.data != p + VFIO_USER_REGION_ACCESS_SIZE ||
		     VFIO_USER_REGION_ACCESS_SIZE + (size_t)ra.count != len))
			return 1;
		return rc;
	case D_READ_REPLY:
		rc = vfio_user_region_read_reply_decode(p, len, &ra);
		if (rc == 0 &&
		    (ra.data != p + VFIO_USER_REGION_ACCESS_SIZE ||
		     VFIO_USER_REGION_ACCESS_SIZE + (size_t)ra.count != len))
			return 1;
		return rc;
	case D_WRITE_REPLY:
		return vfio_user_region_write_reply_decode(p, len, &ra);
	case D_WRITE_MULTI:
		rc = vfio_user_write_multi_decode(p, len, wm_entries, &nr);
		if (rc != 0)
			return rc;
		if (nr < 1 || nr > VFIO_USER_WRITE_MULTI_MAX ||
		    8 + (size_t)nr * VFIO_USER_WRITE_MULTI_ENTRY_SIZE != len)
			return 1;
		for (i = 0; i < nr; i++)
			if (wm_entries[i].count < 1 ||
			    wm_entries[i].count > VFIO_USER_WRITE_MULTI_DATA)
				return 1;
		return 0;
	case D_DMA_READ:
		rc = vfio_user_dma_read_decode(p, len, TBL_MAX_XFER, &da);
		if (rc == 0 && (da.count == 0 || da.count > TBL_MAX_XFER))
			return 1;
		return rc;
	case D_DMA_WRITE:
		rc = vfio_user_dma_write_decode(p, len, TBL_MAX_XFER, &da);
		if (rc == 0 &&
		    (da.count == 0 || da.count > TBL_MAX_XFER ||
		     da.data != p + VFIO_USER_DMA_ACCESS_SIZE ||
		     VFIO_USER_DMA_ACCESS_SIZE + da.count != len))
			return 1;
		return rc;
	case D_FEATURE:
		rc = vfio_user_device_feature_decode(p, len, &df);
		if (rc == 0 &&
		    (df.argsz != len || df.data_len + VFIO_USER_DEVICE_FEATURE_SIZE != len))
			return 1;
		return rc;
	default:
		return 1;
	}
}

/* Run d on a heap copy of exactly len bytes. */
static int
run_decoder_exact(enum dec d, const void *buf, size_t len, unsigned int nfds)
{
	uint8_t *p = exact_copy(buf, len);
	int rc;

	if (p == NULL)
		return -ENOMEM;
	rc = run_decoder(d, p, len, nfds);
	free(p);
	return rc;
}

static bool
rc_is_allowed(int rc)
{
	return rc == 0 || rc == -EINVAL || rc == -E2BIG || rc == -ENOTSUP;
}

/* ------------------------------------------------------ message builder */

enum fld_kind {
	F_END = 0,
	F_U8,
	F_U16,
	F_U32,
	F_U64,
	F_STR,
	F_FILL
};

struct fld {
	enum fld_kind kind;
	uint64_t v; /* value; F_STR: length; F_FILL: count */
	uint8_t byte; /* F_FILL */
	const char *s; /* F_STR */
};

#define U8(x) \
	{ \
		F_U8, (x), 0, NULL \
	}
#define U16(x) \
	{ \
		F_U16, (x), 0, NULL \
	}
#define U32(x) \
	{ \
		F_U32, (x), 0, NULL \
	}
#define U64(x) \
	{ \
		F_U64, (x), 0, NULL \
	}
/* The bytes of a string literal, without (STR) or with (STRZ) its NUL. */
#define STR(x) \
	{ \
		F_STR, sizeof(x) - 1, 0, (x) \
	}
#define STRZ(x) \
	{ \
		F_STR, sizeof(x), 0, (x) \
	}
#define FILL(b, n) \
	{ \
		F_FILL, (n), (b), NULL \
	}

#define MAX_FLDS 20

/* Pack the fields into out (NULL: just measure). */
static size_t
fld_pack(const struct fld *f, uint8_t *out)
{
	size_t n = 0;
	uint16_t v16;
	uint32_t v32;
	unsigned int i;

	for (i = 0; i < MAX_FLDS && f[i].kind != F_END; i++) {
		switch (f[i].kind) {
		case F_U8:
			if (out != NULL)
				out[n] = (uint8_t)f[i].v;
			n += 1;
			break;
		case F_U16:
			v16 = (uint16_t)f[i].v;
			if (out != NULL)
				memcpy(out + n, &v16, 2);
			n += 2;
			break;
		case F_U32:
			v32 = (uint32_t)f[i].v;
			if (out != NULL)
				memcpy(out + n, &v32, 4);
			n += 4;
			break;
		case F_U64:
			if (out != NULL)
				memcpy(out + n, &f[i].v, 8);
			n += 8;
			break;
		case F_STR:
			if (out != NULL)
				memcpy(out + n, f[i].s, f[i].v);
			n += f[i].v;
			break;
		case F_FILL:
			if (out != NULL)
				memset(out + n, f[i].byte, f[i].v);
			n += f[i].v;
			break;
		default:
			break;
		}
	}
	return n;
}

/*
 * Builders for rows too long for a field list: write into buf (at least
 * BUILD_MAX bytes) and return the length.
 */
#define BUILD_MAX 8192u

/* Region info reply with CAPS whose chain has 17 unknown capabilities. */
static size_t
build_reply_17_hops(uint8_t *buf)
{
	size_t off = VFIO_USER_REGION_INFO_SIZE;
	unsigned int i;

	memset(buf, 0, BUILD_MAX);
	put_le32(buf, VFIO_USER_REGION_INFO_SIZE + 17 * 8);
	put_le32(buf + 4, VFIO_USER_REGION_FLAG_READ | VFIO_USER_REGION_FLAG_CAPS);
	put_le32(buf + 12, VFIO_USER_REGION_INFO_SIZE);
	put_le64(buf + 16, 0x10000);
	for (i = 0; i < 17; i++, off += 8) {
		put_le16(buf + off, 0x7f00 + i); /* unknown id */
		put_le16(buf + off + 2, 1);
		put_le32(buf + off + 4, i == 16 ? 0 : (uint32_t)(off + 8));
	}
	return off;
}

/* The same with 16 capabilities: the most accepted. */
static size_t
build_reply_16_hops(uint8_t *buf)
{
	size_t n = build_reply_17_hops(buf);

	put_le32(buf + VFIO_USER_REGION_INFO_SIZE + 15 * 8 + 4, 0);
	return n - 8;
}

/* WRITE_MULTI with wr_cnt entries, each well formed. */
static size_t
build_write_multi(uint8_t *buf, uint64_t wr_cnt)
{
	size_t off = 8;
	uint64_t i;

	memset(buf, 0, BUILD_MAX);
	put_le64(buf, wr_cnt);
	for (i = 0; i < wr_cnt; i++, off += VFIO_USER_WRITE_MULTI_ENTRY_SIZE) {
		put_le64(buf + off, 0x100 + i * 4);
		put_le32(buf + off + 12, 4);
	}
	return off;
}

static size_t
build_write_multi_200(uint8_t *buf)
{
	return build_write_multi(buf, 200);
}

static size_t
build_write_multi_201(uint8_t *buf)
{
	return build_write_multi(buf, 201);
}

/* Sparse capability with 17 areas (one more than the limit). */
static size_t
build_reply_17_areas(uint8_t *buf)
{
	size_t off = VFIO_USER_REGION_INFO_SIZE + 16;
	unsigned int i;

	memset(buf, 0, BUILD_MAX);
	put_le32(buf, VFIO_USER_REGION_INFO_SIZE + 16 + 17 * 16);
	put_le32(buf + 4,
		 VFIO_USER_REGION_FLAG_READ | VFIO_USER_REGION_FLAG_MMAP |
			 VFIO_USER_REGION_FLAG_CAPS);
	put_le32(buf + 12, VFIO_USER_REGION_INFO_SIZE);
	put_le64(buf + 16, 0x100000);
	put_le16(buf + 32, VFIO_USER_REGION_INFO_CAP_SPARSE_MMAP);
	put_le16(buf + 34, 1);
	put_le32(buf + 40, 17);
	for (i = 0; i < 17; i++, off += 16) {
		put_le64(buf + off, (uint64_t)i * 0x1000);
		put_le64(buf + off + 8, 0x1000);
	}
	return off;
}

struct bad_row {
	const char *name;
	enum dec dec;
	int expect; /* 0 or a negative errno */
	unsigned int nfds; /* fds that came with the message */
	size_t (*build)(uint8_t *buf); /* or NULL: use f */
	struct fld f[MAX_FLDS];
};

/* clang-format off */
#define ROW(name_, dec_, expect_, nfds_, ...) \
	{ name_, dec_, expect_, nfds_, NULL, { __VA_ARGS__ } }
#define ROWB(name_, dec_, expect_, build_) \
	{ name_, dec_, expect_, 0, build_, { { F_END, 0, 0, NULL } } }
/* clang-format on */

/* Common field groups. */
#define HDR(cmd, size, flags) U16(1), U16(cmd), U32(size), U32(flags), U32(0)
#define VER(json) U16(0), U16(2), STRZ(json)
#define VCAP(body) VER("{\"capabilities\":{" body "}}")
/* DMA_MAP: argsz, flags, offset, addr, size */
#define MAP(argsz, flags, off, addr, size) U32(argsz), U32(flags), U64(off), U64(addr), U64(size)
#define UNMAP(argsz, flags, addr, size) U32(argsz), U32(flags), U64(addr), U64(size)
#define Q4(a, b, c, d) U32(a), U32(b), U32(c), U32(d)
/* Region info fixed part. */
#define RI(argsz, flags, index, capoff, size, off) \
	U32(argsz), U32(flags), U32(index), U32(capoff), U64(size), U64(off)
#define RI_CAPS \
	(VFIO_USER_REGION_FLAG_READ | VFIO_USER_REGION_FLAG_MMAP | VFIO_USER_REGION_FLAG_CAPS)
#define CAPH(id, ver, next) U16(id), U16(ver), U32(next)
#define SIRQ(argsz, flags, index, start, count) \
	U32(argsz), U32(flags), U32(index), U32(start), U32(count)
#define ACC(off, region, count) U64(off), U32(region), U32(count)
#define WM_ENTRY(off, region, count) U64(off), U32(region), U32(count), U64(0)

#define NONE_TRIG (VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_TRIGGER)
#define BOOL_TRIG (VFIO_USER_IRQ_SET_DATA_BOOL | VFIO_USER_IRQ_SET_ACTION_TRIGGER)
#define EFD_TRIG (VFIO_USER_IRQ_SET_DATA_EVENTFD | VFIO_USER_IRQ_SET_ACTION_TRIGGER)
#define F_GET VFIO_USER_DEVICE_FEATURE_GET
#define F_SET VFIO_USER_DEVICE_FEATURE_SET
#define F_PROBE VFIO_USER_DEVICE_FEATURE_PROBE

static const struct bad_row bad_rows[] = {
	/* ---- header */
	ROW("hdr ok", D_HDR, 0, 0, HDR(VFIO_USER_CMD_VERSION, 16, 0)),
	ROW("hdr reply ok", D_HDR, 0, 0, HDR(VFIO_USER_CMD_VERSION, 16, 1)),
	ROW("hdr reply with unknown cmd ok", D_HDR, 0, 0, HDR(99, 16, 1)),
	ROW("hdr size == max ok", D_HDR, 0, 0, HDR(VFIO_USER_CMD_DMA_MAP, TBL_MAX_MSG, 0)),
	ROW("hdr short 15", D_HDR, -EINVAL, 0, U16(1), U16(1), U32(16), U32(0), U16(0), U8(0)),
	ROW("hdr empty", D_HDR, -EINVAL, 0, ),
	ROW("hdr size 15", D_HDR, -EINVAL, 0, HDR(VFIO_USER_CMD_VERSION, 15, 0)),
	ROW("hdr size 0", D_HDR, -EINVAL, 0, HDR(VFIO_USER_CMD_VERSION, 0, 0)),
	ROW("hdr size > max", D_HDR, -E2BIG, 0, HDR(VFIO_USER_CMD_VERSION, TBL_MAX_MSG + 1, 0)),
	ROW("hdr size 0xffffffff", D_HDR, -E2BIG, 0, HDR(VFIO_USER_CMD_VERSION, 0xffffffff, 0)),
	ROW("hdr type 2", D_HDR, -EINVAL, 0, HDR(VFIO_USER_CMD_VERSION, 16, 2)),
	ROW("hdr type 15", D_HDR, -EINVAL, 0, HDR(VFIO_USER_CMD_VERSION, 16, 15)),
	ROW("hdr unknown flag 0x40", D_HDR, -EINVAL, 0, HDR(VFIO_USER_CMD_VERSION, 16, 0x40)),
	ROW("hdr unknown flag 0x80000000", D_HDR, -EINVAL, 0,
	    HDR(VFIO_USER_CMD_VERSION, 16, 0x80000000)),
	ROW("hdr command 0 framed ok", D_HDR, 0, 0, HDR(0, 16, 0)),
	ROW("hdr command 14 framed ok", D_HDR, 0, 0, HDR(14, 16, 0)),
	ROW("hdr command 19 framed ok", D_HDR, 0, 0, HDR(19, 16, 0)),
	ROW("hdr command 0xffff framed ok", D_HDR, 0, 0, HDR(0xffff, 16, 0)),

	/* ---- VERSION */
	ROW("version {} ok", D_VERSION, 0, 0, VER("{}")),
	ROW("version caps {} ok", D_VERSION, 0, 0, VCAP("")),
	ROW("version unknown keys ok", D_VERSION, 0, 0,
	    VER("{\"x\":[1,{\"y\":null}],\"capabilities\":{\"z\":\"w\"}}")),
	ROW("version whitespace ok", D_VERSION, 0, 0,
	    VER(" {\n\t\"capabilities\" : { \"max_msg_fds\" : 4 } } ")),
	ROW("version no NUL", D_VERSION, -EINVAL, 0, U16(0), U16(2), STR("{}")),
	ROW("version no JSON", D_VERSION, -EINVAL, 0, U16(0), U16(2)),
	ROW("version 3 bytes", D_VERSION, -EINVAL, 0, U16(0), U8(2)),
	ROW("version empty", D_VERSION, -EINVAL, 0, ),
	ROW("version empty JSON", D_VERSION, -EINVAL, 0, VER("")),
	ROW("version JSON array", D_VERSION, -EINVAL, 0, VER("[]")),
	ROW("version JSON number", D_VERSION, -EINVAL, 0, VER("1")),
	ROW("version JSON string", D_VERSION, -EINVAL, 0, VER("\"x\"")),
	ROW("version JSON null", D_VERSION, -EINVAL, 0, VER("null")),
	ROW("version capabilities array", D_VERSION, -EINVAL, 0, VER("{\"capabilities\":[]}")),
	ROW("version capabilities number", D_VERSION, -EINVAL, 0, VER("{\"capabilities\":1}")),
	ROW("version capabilities null", D_VERSION, -EINVAL, 0, VER("{\"capabilities\":null}")),
	ROW("version max_msg_fds string", D_VERSION, -EINVAL, 0, VCAP("\"max_msg_fds\":\"16\"")),
	ROW("version max_msg_fds double", D_VERSION, -EINVAL, 0, VCAP("\"max_msg_fds\":16.0")),
	ROW("version max_msg_fds bool", D_VERSION, -EINVAL, 0, VCAP("\"max_msg_fds\":true")),
	ROW("version max_msg_fds 0", D_VERSION, -EINVAL, 0, VCAP("\"max_msg_fds\":0")),
	ROW("version max_msg_fds -1", D_VERSION, -EINVAL, 0, VCAP("\"max_msg_fds\":-1")),
	ROW("version max_msg_fds 1025", D_VERSION, -EINVAL, 0, VCAP("\"max_msg_fds\":1025")),
	ROW("version max_msg_fds 1024 ok", D_VERSION, 0, 0, VCAP("\"max_msg_fds\":1024")),
	ROW("version max_msg_fds 2^32+1", D_VERSION, -EINVAL, 0,
	    VCAP("\"max_msg_fds\":4294967297")),
	ROW("version max_msg_fds huge", D_VERSION, -EINVAL, 0,
	    VCAP("\"max_msg_fds\":99999999999999999999999")),
	ROW("version max_data_xfer_size 0", D_VERSION, -EINVAL, 0,
	    VCAP("\"max_data_xfer_size\":0")),
	ROW("version max_data_xfer_size 64M+1", D_VERSION, -EINVAL, 0,
	    VCAP("\"max_data_xfer_size\":67108865")),
	ROW("version max_data_xfer_size string", D_VERSION, -EINVAL, 0,
	    VCAP("\"max_data_xfer_size\":\"1M\"")),
	ROW("version max_dma_maps 0", D_VERSION, -EINVAL, 0, VCAP("\"max_dma_maps\":0")),
	ROW("version max_dma_maps 2^32", D_VERSION, -EINVAL, 0,
	    VCAP("\"max_dma_maps\":4294967296")),
	ROW("version pgsizes 0", D_VERSION, -EINVAL, 0, VCAP("\"pgsizes\":0")),
	ROW("version pgsizes without 4096", D_VERSION, -EINVAL, 0, VCAP("\"pgsizes\":8192")),
	ROW("version pgsizes 4097 (sub-page bit)", D_VERSION, -EINVAL, 0, VCAP("\"pgsizes\":4097")),
	ROW("version pgsizes 4096|2048", D_VERSION, -EINVAL, 0, VCAP("\"pgsizes\":6144")),
	ROW("version pgsizes 4K|2M|1G ok", D_VERSION, 0, 0, VCAP("\"pgsizes\":1075843072")),
	ROW("version pgsizes negative", D_VERSION, -EINVAL, 0, VCAP("\"pgsizes\":-4096")),
	ROW("version pgsizes string", D_VERSION, -EINVAL, 0, VCAP("\"pgsizes\":\"4096\"")),
	ROW("version write_multiple int", D_VERSION, -EINVAL, 0, VCAP("\"write_multiple\":1")),
	ROW("version write_multiple string", D_VERSION, -EINVAL, 0,
	    VCAP("\"write_multiple\":\"true\"")),
	ROW("version migration not object", D_VERSION, -EINVAL, 0, VCAP("\"migration\":true")),
	ROW("version migration pgsize 3000", D_VERSION, -EINVAL, 0,
	    VCAP("\"migration\":{\"pgsize\":3000}")),
	ROW("version migration bitmap string", D_VERSION, -EINVAL, 0,
	    VCAP("\"migration\":{\"max_bitmap_size\":\"x\"}")),
	ROW("version twin_socket not object", D_VERSION, -EINVAL, 0, VCAP("\"twin_socket\":true")),
	ROW("version twin_socket supported int", D_VERSION, -EINVAL, 0,
	    VCAP("\"twin_socket\":{\"supported\":1}")),
	ROW("version twin_socket fd_index -1", D_VERSION, -EINVAL, 0,
	    VCAP("\"twin_socket\":{\"supported\":true,\"fd_index\":-1}")),
	ROW("version trailing garbage", D_VERSION, -EINVAL, 0, VER("{}x")),
	ROW("version two objects", D_VERSION, -EINVAL, 0, VER("{}{}")),
	ROW("version bytes after NUL", D_VERSION, -EINVAL, 0, U16(0), U16(2), STR("{}"), U8(0),
	    STR("xy"), U8(0)),
	ROW("version NUL then NUL", D_VERSION, -EINVAL, 0, U16(0), U16(2), STR("{}"), U8(0), U8(0)),
	ROW("version truncated JSON", D_VERSION, -EINVAL, 0,
	    VER("{\"capabilities\":{\"max_msg_fds\":16")),
	ROW("version truncated, no NUL", D_VERSION, -EINVAL, 0, U16(0), U16(2),
	    STR("{\"capabilities\":{\"max_msg_fds\":16}")),
	ROW("version trailing comma", D_VERSION, -EINVAL, 0, VCAP("\"max_msg_fds\":4,")),
	ROW("version comment", D_VERSION, -EINVAL, 0, VER("{/* c */}")),
	ROW("version invalid UTF-8", D_VERSION, -EINVAL, 0, VER("{\"a\":\"\xff\xfe\"}")),
	ROW("version too deep", D_VERSION, -EINVAL, 0,
	    VER("{\"a\":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}")),
	ROW("version JSON > 4096", D_VERSION, -E2BIG, 0, U16(0), U16(2), STR("{\"a\":\""),
	    FILL('x', 5000), STR("\"}"), U8(0)),
	ROW("version JSON 4097 with NUL", D_VERSION, -E2BIG, 0, U16(0), U16(2), STR("{\"a\":\""),
	    FILL('x', 4088), STR("\"}"), U8(0)),
	ROW("version JSON 4096 with NUL ok", D_VERSION, 0, 0, U16(0), U16(2), STR("{\"a\":\""),
	    FILL('x', 4087), STR("\"}"), U8(0)),

	/* ---- DMA_MAP (pgsize 4096) */
	ROW("dma_map ok", D_DMA_MAP, 0, 1, MAP(32, 3, 0x2000, 0x100000, 0x10000)),
	ROW("dma_map no fd ok", D_DMA_MAP, 0, 0, MAP(32, 1, 0, 0x100000, 0x1000)),
	ROW("dma_map argsz 24", D_DMA_MAP, -EINVAL, 1, MAP(24, 3, 0, 0x100000, 0x1000)),
	ROW("dma_map argsz 40", D_DMA_MAP, -EINVAL, 1, MAP(40, 3, 0, 0x100000, 0x1000)),
	ROW("dma_map short 24", D_DMA_MAP, -EINVAL, 1, U32(24), U32(3), U64(0), U64(0x100000)),
	ROW("dma_map long 40", D_DMA_MAP, -EINVAL, 1, MAP(40, 3, 0, 0x100000, 0x1000), U64(0)),
	ROW("dma_map unknown flag 4", D_DMA_MAP, -EINVAL, 1, MAP(32, 7, 0, 0x100000, 0x1000)),
	ROW("dma_map size 0", D_DMA_MAP, -EINVAL, 1, MAP(32, 3, 0, 0x100000, 0)),
	ROW("dma_map unaligned addr", D_DMA_MAP, -EINVAL, 1, MAP(32, 3, 0, 0x100001, 0x1000)),
	ROW("dma_map unaligned size", D_DMA_MAP, -EINVAL, 1, MAP(32, 3, 0, 0x100000, 0x1800)),
	ROW("dma_map unaligned offset", D_DMA_MAP, -EINVAL, 1, MAP(32, 3, 0x10, 0x100000, 0x1000)),
	ROW("dma_map addr+size wraps", D_DMA_MAP, -EINVAL, 1,
	    MAP(32, 3, 0, 0xfffffffffffff000ull, 0x2000)),
	ROW("dma_map addr+size == 2^64", D_DMA_MAP, -EINVAL, 1,
	    MAP(32, 3, 0, 0xfffffffffffff000ull, 0x1000)),
	ROW("dma_map offset+size wraps", D_DMA_MAP, -EINVAL, 1,
	    MAP(32, 3, 0xfffffffffffff000ull, 0, 0x2000)),
	ROW("dma_map 2 fds", D_DMA_MAP, -EINVAL, 2, MAP(32, 3, 0, 0x100000, 0x1000)),

	/* ---- DMA_UNMAP */
	ROW("dma_unmap ok", D_DMA_UNMAP, 0, 0, UNMAP(24, 0, 0x100000, 0x1000)),
	ROW("dma_unmap ALL ok", D_DMA_UNMAP, 0, 0, UNMAP(24, 2, 0, 0)),
	ROW("dma_unmap ALL with addr", D_DMA_UNMAP, -EINVAL, 0, UNMAP(24, 2, 0x1000, 0)),
	ROW("dma_unmap ALL with size", D_DMA_UNMAP, -EINVAL, 0, UNMAP(24, 2, 0, 0x1000)),
	ROW("dma_unmap size 0", D_DMA_UNMAP, -EINVAL, 0, UNMAP(24, 0, 0x100000, 0)),
	ROW("dma_unmap wraps", D_DMA_UNMAP, -EINVAL, 0,
	    UNMAP(24, 0, 0xfffffffffffff000ull, 0x2000)),
	ROW("dma_unmap dirty bitmap", D_DMA_UNMAP, -ENOTSUP, 0, UNMAP(24, 1, 0x100000, 0x1000)),
	ROW("dma_unmap dirty bitmap with bitmap", D_DMA_UNMAP, -ENOTSUP, 0,
	    UNMAP(48, 1, 0x100000, 0x1000), U64(4096), U32(8), U32(0), U64(0)),
	ROW("dma_unmap unknown flag 4", D_DMA_UNMAP, -EINVAL, 0, UNMAP(24, 4, 0x100000, 0x1000)),
	ROW("dma_unmap short 16", D_DMA_UNMAP, -EINVAL, 0, U32(24), U32(0), U64(0x100000)),
	ROW("dma_unmap long 32", D_DMA_UNMAP, -EINVAL, 0, UNMAP(32, 0, 0x100000, 0x1000), U64(0)),
	ROW("dma_unmap argsz 32", D_DMA_UNMAP, -EINVAL, 0, UNMAP(32, 0, 0x100000, 0x1000)),
	ROW("dma_unmap argsz 16", D_DMA_UNMAP, -EINVAL, 0, UNMAP(16, 0, 0x100000, 0x1000)),

	/* ---- DEVICE_GET_INFO */
	ROW("get_info ok", D_DEV_INFO, 0, 0, Q4(16, 0, 0, 0)),
	ROW("get_info argsz 64 ok", D_DEV_INFO, 0, 0, Q4(64, 0, 0, 0)),
	ROW("get_info argsz 15", D_DEV_INFO, -EINVAL, 0, Q4(15, 0, 0, 0)),
	ROW("get_info argsz 0", D_DEV_INFO, -EINVAL, 0, Q4(0, 0, 0, 0)),
	ROW("get_info short 12", D_DEV_INFO, -EINVAL, 0, U32(16), U32(0), U32(0)),
	ROW("get_info long 20", D_DEV_INFO, -EINVAL, 0, Q4(20, 0, 0, 0), U32(0)),

	/* ---- GET_REGION_INFO request */
	ROW("region_info req ok", D_REGION_INFO_REQ, 0, 0, RI(32, 0, 0, 0, 0, 0)),
	ROW("region_info req short 16", D_REGION_INFO_REQ, -EINVAL, 0, Q4(32, 0, 0, 0)),
	ROW("region_info req short 31", D_REGION_INFO_REQ, -EINVAL, 0, Q4(32, 0, 0, 0), U64(0),
	    U32(0), U16(0), U8(0)),
	ROW("region_info req argsz 31", D_REGION_INFO_REQ, -EINVAL, 0, RI(31, 0, 0, 0, 0, 0)),
	ROW("region_info req argsz 16", D_REGION_INFO_REQ, -EINVAL, 0, RI(16, 0, 7, 0, 0, 0)),
	ROW("region_info req long 36", D_REGION_INFO_REQ, -EINVAL, 0, RI(36, 0, 0, 0, 0, 0),
	    U32(0)),

	/* ---- GET_REGION_INFO reply */
	ROW("region_info reply ok", D_REGION_INFO_REPLY, 0, 0, RI(80, RI_CAPS, 1, 32, 0x3000, 0),
	    CAPH(1, 1, 0), U32(2), U32(0), U64(0), U64(0x1000), U64(0x2000), U64(0x1000)),
	ROW("region_info reply no caps ok", D_REGION_INFO_REPLY, 0, 0, RI(32, 3, 0, 0, 0x1000, 0)),
	ROW("region_info reply argsz says more ok", D_REGION_INFO_REPLY, 0, 0,
	    RI(80, 3, 0, 0, 0x1000, 0)),
	ROW("region_info reply unknown cap skipped ok", D_REGION_INFO_REPLY, 0, 0,
	    RI(48, RI_CAPS, 1, 32, 0x3000, 0), CAPH(0x55, 1, 40), CAPH(0x66, 3, 0)),
	ROWB("region_info reply 16 caps ok", D_REGION_INFO_REPLY, 0, build_reply_16_hops),
	ROW("region_info reply short 24", D_REGION_INFO_REPLY, -EINVAL, 0, Q4(32, 3, 0, 0),
	    U64(0x1000)),
	ROW("region_info reply argsz 31", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(31, 3, 0, 0, 0x1000, 0)),
	ROW("region_info reply cap_offset 0", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(48, RI_CAPS, 1, 0, 0x3000, 0), CAPH(1, 1, 0), U32(0), U32(0)),
	ROW("region_info reply cap_offset 16", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(48, RI_CAPS, 1, 16, 0x3000, 0), CAPH(1, 1, 0), U32(0), U32(0)),
	ROW("region_info reply cap_offset beyond len", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(48, RI_CAPS, 1, 64, 0x3000, 0), CAPH(1, 1, 0), U32(0), U32(0)),
	ROW("region_info reply cap_offset 0xffffffff", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(48, RI_CAPS, 1, 0xffffffff, 0x3000, 0), CAPH(1, 1, 0), U32(0), U32(0)),
	ROW("region_info reply cap header past end", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(40, RI_CAPS, 1, 36, 0x3000, 0), U64(0)),
	ROW("region_info reply CAPS, no cap bytes", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(32, RI_CAPS, 1, 32, 0x3000, 0)),
	ROW("region_info reply next loops to self", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(48, RI_CAPS, 1, 32, 0x3000, 0), CAPH(0x55, 1, 32), U64(0)),
	ROW("region_info reply next loops back", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(48, RI_CAPS, 1, 32, 0x3000, 0), CAPH(0x55, 1, 40), CAPH(0x66, 1, 32)),
	ROW("region_info reply next goes backwards", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(56, RI_CAPS, 1, 32, 0x3000, 0), CAPH(0x55, 1, 48), CAPH(0x66, 1, 0),
	    CAPH(0x77, 1, 40)),
	ROW("region_info reply next inside cap header", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(48, RI_CAPS, 1, 32, 0x3000, 0), CAPH(0x55, 1, 36), U64(0)),
	ROW("region_info reply next inside sparse cap", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(64, RI_CAPS, 1, 32, 0x3000, 0), CAPH(1, 1, 40), U32(1), U32(0), U64(0), U64(0x1000)),
	ROW("region_info reply next beyond len", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(48, RI_CAPS, 1, 32, 0x3000, 0), CAPH(0x55, 1, 44), U64(0)),
	ROWB("region_info reply 17 caps", D_REGION_INFO_REPLY, -EINVAL, build_reply_17_hops),
	ROWB("region_info reply 17 areas", D_REGION_INFO_REPLY, -E2BIG, build_reply_17_areas),
	ROW("region_info reply nr_areas 0xffffffff", D_REGION_INFO_REPLY, -E2BIG, 0,
	    RI(64, RI_CAPS, 1, 32, 0x3000, 0), CAPH(1, 1, 0), U32(0xffffffff), U32(0), U64(0),
	    U64(0x1000)),
	ROW("region_info reply areas past end", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(80, RI_CAPS, 1, 32, 0x3000, 0), CAPH(1, 1, 0), U32(2), U32(0), U64(0), U64(0x1000)),
	ROW("region_info reply sparse header past end", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(44, RI_CAPS, 1, 32, 0x3000, 0), CAPH(1, 1, 0), U32(1)),
	ROW("region_info reply area outside region", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(64, RI_CAPS, 1, 32, 0x3000, 0), CAPH(1, 1, 0), U32(1), U32(0), U64(0x2000),
	    U64(0x2000)),
	ROW("region_info reply area wraps", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(64, RI_CAPS, 1, 32, 0x3000, 0), CAPH(1, 1, 0), U32(1), U32(0),
	    U64(0xfffffffffffff000ull), U64(0x2000)),
	ROW("region_info reply two sparse caps", D_REGION_INFO_REPLY, -EINVAL, 0,
	    RI(64, RI_CAPS, 1, 32, 0x3000, 0), CAPH(1, 1, 48), U32(0), U32(0), CAPH(1, 1, 0),
	    U32(0), U32(0)),
	ROW("region_info reply sparse version 2", D_REGION_INFO_REPLY, -ENOTSUP, 0,
	    RI(64, RI_CAPS, 1, 32, 0x3000, 0), CAPH(1, 2, 0), U32(1), U32(0), U64(0), U64(0x1000)),

	/* ---- GET_REGION_IO_FDS */
	ROW("io_fds ok", D_IO_FDS, 0, 0, Q4(16, 0, 1, 0)),
	ROW("io_fds short", D_IO_FDS, -EINVAL, 0, U32(16), U32(0), U32(1)),
	ROW("io_fds argsz 8", D_IO_FDS, -EINVAL, 0, Q4(8, 0, 1, 0)),
	ROW("io_fds flags 1", D_IO_FDS, -EINVAL, 0, Q4(16, 1, 1, 0)),
	ROW("io_fds count 1", D_IO_FDS, -EINVAL, 0, Q4(16, 0, 1, 1)),

	/* ---- GET_IRQ_INFO */
	ROW("irq_info ok", D_IRQ_INFO, 0, 0, Q4(16, 0, 2, 0)),
	ROW("irq_info short 12", D_IRQ_INFO, -EINVAL, 0, U32(16), U32(0), U32(2)),
	ROW("irq_info short 0", D_IRQ_INFO, -EINVAL, 0, ),
	ROW("irq_info argsz 8", D_IRQ_INFO, -EINVAL, 0, Q4(8, 0, 2, 0)),
	ROW("irq_info long 20", D_IRQ_INFO, -EINVAL, 0, Q4(20, 0, 2, 0), U32(0)),

	/* ---- SET_IRQS */
	ROW("set_irqs eventfd ok", D_SET_IRQS, 0, 2, SIRQ(20, EFD_TRIG, 2, 0, 2)),
	ROW("set_irqs eventfd deassign ok", D_SET_IRQS, 0, 0, SIRQ(20, EFD_TRIG, 2, 0, 2)),
	ROW("set_irqs bool ok", D_SET_IRQS, 0, 0, SIRQ(22, BOOL_TRIG, 2, 3, 2), U8(1), U8(0)),
	ROW("set_irqs disable ok", D_SET_IRQS, 0, 0, SIRQ(20, NONE_TRIG, 2, 0, 0)),
	ROW("set_irqs none mask ok", D_SET_IRQS, 0, 0,
	    SIRQ(20, VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_MASK, 0, 0, 1)),
	ROW("set_irqs short 16", D_SET_IRQS, -EINVAL, 0, Q4(16, NONE_TRIG, 0, 0)),
	ROW("set_irqs two DATA flags", D_SET_IRQS, -EINVAL, 0,
	    SIRQ(20, NONE_TRIG | VFIO_USER_IRQ_SET_DATA_BOOL, 0, 0, 1)),
	ROW("set_irqs no DATA flag", D_SET_IRQS, -EINVAL, 0,
	    SIRQ(20, VFIO_USER_IRQ_SET_ACTION_TRIGGER, 0, 0, 1)),
	ROW("set_irqs no ACTION flag", D_SET_IRQS, -EINVAL, 0,
	    SIRQ(20, VFIO_USER_IRQ_SET_DATA_NONE, 0, 0, 1)),
	ROW("set_irqs two ACTION flags", D_SET_IRQS, -EINVAL, 0,
	    SIRQ(20, NONE_TRIG | VFIO_USER_IRQ_SET_ACTION_MASK, 0, 0, 1)),
	ROW("set_irqs unknown flag 0x40", D_SET_IRQS, -EINVAL, 0,
	    SIRQ(20, NONE_TRIG | 0x40, 0, 0, 1)),
	ROW("set_irqs bool data short", D_SET_IRQS, -EINVAL, 0, SIRQ(21, BOOL_TRIG, 2, 0, 2),
	    U8(1)),
	ROW("set_irqs bool data long", D_SET_IRQS, -EINVAL, 0, SIRQ(23, BOOL_TRIG, 2, 0, 2), U8(1),
	    U8(1), U8(1)),
	ROW("set_irqs bool value 2", D_SET_IRQS, -EINVAL, 0, SIRQ(22, BOOL_TRIG, 2, 0, 2), U8(1),
	    U8(2)),
	ROW("set_irqs bool with fd", D_SET_IRQS, -EINVAL, 1, SIRQ(21, BOOL_TRIG, 2, 0, 1), U8(1)),
	ROW("set_irqs eventfd nfds 1 count 2", D_SET_IRQS, -EINVAL, 1, SIRQ(20, EFD_TRIG, 2, 0, 2)),
	ROW("set_irqs eventfd nfds 3 count 2", D_SET_IRQS, -EINVAL, 3, SIRQ(20, EFD_TRIG, 2, 0, 2)),
	ROW("set_irqs eventfd with MASK", D_SET_IRQS, -EINVAL, 1,
	    SIRQ(20, VFIO_USER_IRQ_SET_DATA_EVENTFD | VFIO_USER_IRQ_SET_ACTION_MASK, 2, 0, 1)),
	ROW("set_irqs eventfd with UNMASK", D_SET_IRQS, -EINVAL, 1,
	    SIRQ(20, VFIO_USER_IRQ_SET_DATA_EVENTFD | VFIO_USER_IRQ_SET_ACTION_UNMASK, 2, 0, 1)),
	ROW("set_irqs eventfd with data", D_SET_IRQS, -EINVAL, 1, SIRQ(24, EFD_TRIG, 2, 0, 1),
	    U32(5)),
	ROW("set_irqs none with data", D_SET_IRQS, -EINVAL, 0, SIRQ(21, NONE_TRIG, 2, 0, 1), U8(1)),
	ROW("set_irqs none with fd", D_SET_IRQS, -EINVAL, 1, SIRQ(20, NONE_TRIG, 2, 0, 1)),
	ROW("set_irqs count 0 NONE|MASK", D_SET_IRQS, -EINVAL, 0,
	    SIRQ(20, VFIO_USER_IRQ_SET_DATA_NONE | VFIO_USER_IRQ_SET_ACTION_MASK, 2, 0, 0)),
	ROW("set_irqs count 0 EVENTFD|TRIGGER", D_SET_IRQS, -EINVAL, 0,
	    SIRQ(20, EFD_TRIG, 2, 0, 0)),
	ROW("set_irqs count 0 BOOL|TRIGGER", D_SET_IRQS, -EINVAL, 0, SIRQ(20, BOOL_TRIG, 2, 0, 0)),
	ROW("set_irqs start+count wraps", D_SET_IRQS, -EINVAL, 0,
	    SIRQ(20, NONE_TRIG, 2, 0xffffffff, 2)),
	ROW("set_irqs argsz > length", D_SET_IRQS, -EINVAL, 0, SIRQ(24, NONE_TRIG, 2, 0, 1)),
	ROW("set_irqs argsz < length", D_SET_IRQS, -EINVAL, 0, SIRQ(20, BOOL_TRIG, 2, 0, 1), U8(1)),

	/* ---- REGION_READ (max_xfer 4096) */
	ROW("region_read ok", D_REGION_READ, 0, 0, ACC(0x40, 0, 4)),
	ROW("region_read max ok", D_REGION_READ, 0, 0, ACC(0, 0, TBL_MAX_XFER)),
	ROW("region_read count 0", D_REGION_READ, -EINVAL, 0, ACC(0x40, 0, 0)),
	ROW("region_read count > max_xfer", D_REGION_READ, -E2BIG, 0, ACC(0, 0, TBL_MAX_XFER + 1)),
	ROW("region_read with data", D_REGION_READ, -EINVAL, 0, ACC(0x40, 0, 4), U32(0)),
	ROW("region_read short 12", D_REGION_READ, -EINVAL, 0, U64(0), U32(0)),
	ROW("region_read offset wraps", D_REGION_READ, -EINVAL, 0,
	    ACC(0xfffffffffffffffeull, 0, 4)),

	/* ---- REGION_WRITE */
	ROW("region_write ok", D_REGION_WRITE, 0, 0, ACC(0x40, 0, 4), U32(7)),
	ROW("region_write data short", D_REGION_WRITE, -EINVAL, 0, ACC(0x40, 0, 4), U16(7), U8(0)),
	ROW("region_write data long", D_REGION_WRITE, -EINVAL, 0, ACC(0x40, 0, 4), U32(7), U8(0)),
	ROW("region_write no data", D_REGION_WRITE, -EINVAL, 0, ACC(0x40, 0, 4)),
	ROW("region_write count 0", D_REGION_WRITE, -EINVAL, 0, ACC(0x40, 0, 0)),
	ROW("region_write count > max_xfer", D_REGION_WRITE, -E2BIG, 0, ACC(0, 0, TBL_MAX_XFER + 1),
	    FILL(0, TBL_MAX_XFER + 1)),
	ROW("region_write count 0xffffffff", D_REGION_WRITE, -E2BIG, 0, ACC(0, 0, 0xffffffff),
	    U32(0)),
	ROW("region_write short 8", D_REGION_WRITE, -EINVAL, 0, U64(0)),

	/* ---- region access replies */
	ROW("region_read reply ok", D_READ_REPLY, 0, 0, ACC(0, 0, 2), U16(5)),
	ROW("region_read reply data short", D_READ_REPLY, -EINVAL, 0, ACC(0, 0, 4), U16(5), U8(0)),
	ROW("region_read reply short", D_READ_REPLY, -EINVAL, 0, U64(0)),
	ROW("region_write reply ok", D_WRITE_REPLY, 0, 0, ACC(0, 0, 4)),
	ROW("region_write reply with data", D_WRITE_REPLY, -EINVAL, 0, ACC(0, 0, 4), U32(0)),
	ROW("region_write reply short", D_WRITE_REPLY, -EINVAL, 0, U64(0), U32(4)),

	/* ---- REGION_WRITE_MULTI */
	ROW("write_multi ok", D_WRITE_MULTI, 0, 0, U64(2), WM_ENTRY(0x100, 0, 4),
	    WM_ENTRY(0x104, 0, 8)),
	ROW("write_multi wr_cnt 0", D_WRITE_MULTI, -EINVAL, 0, U64(0)),
	ROWB("write_multi wr_cnt 200 ok", D_WRITE_MULTI, 0, build_write_multi_200),
	ROWB("write_multi wr_cnt 201", D_WRITE_MULTI, -EINVAL, build_write_multi_201),
	ROW("write_multi wr_cnt 201, zero entries", D_WRITE_MULTI, -EINVAL, 0, U64(201),
	    FILL(0, 201 * VFIO_USER_WRITE_MULTI_ENTRY_SIZE)),
	ROW("write_multi wr_cnt 2^32+1", D_WRITE_MULTI, -EINVAL, 0, U64(0x100000001ull),
	    WM_ENTRY(0, 0, 4)),
	ROW("write_multi length < wr_cnt", D_WRITE_MULTI, -EINVAL, 0, U64(2),
	    WM_ENTRY(0x100, 0, 4)),
	ROW("write_multi length > wr_cnt", D_WRITE_MULTI, -EINVAL, 0, U64(1), WM_ENTRY(0x100, 0, 4),
	    WM_ENTRY(0x104, 0, 4)),
	ROW("write_multi partial entry", D_WRITE_MULTI, -EINVAL, 0, U64(1), U64(0x100), U32(0),
	    U32(4)),
	ROW("write_multi entry count 0", D_WRITE_MULTI, -EINVAL, 0, U64(2), WM_ENTRY(0x100, 0, 4),
	    WM_ENTRY(0x104, 0, 0)),
	ROW("write_multi entry count 9", D_WRITE_MULTI, -EINVAL, 0, U64(1), WM_ENTRY(0x100, 0, 9)),
	ROW("write_multi short 4", D_WRITE_MULTI, -EINVAL, 0, U32(1)),

	/* ---- DMA_READ / DMA_WRITE (max_xfer 4096) */
	ROW("dma_read ok", D_DMA_READ, 0, 0, U64(0x1000), U64(64)),
	ROW("dma_read count 0", D_DMA_READ, -EINVAL, 0, U64(0x1000), U64(0)),
	ROW("dma_read count > max_xfer", D_DMA_READ, -E2BIG, 0, U64(0x1000), U64(TBL_MAX_XFER + 1)),
	ROW("dma_read count 2^63", D_DMA_READ, -E2BIG, 0, U64(0), U64(0x8000000000000000ull)),
	ROW("dma_read with data", D_DMA_READ, -EINVAL, 0, U64(0x1000), U64(4), U32(0)),
	ROW("dma_read short", D_DMA_READ, -EINVAL, 0, U64(0x1000)),
	ROW("dma_read wraps", D_DMA_READ, -EINVAL, 0, U64(0xfffffffffffffff0ull), U64(32)),
	ROW("dma_write ok", D_DMA_WRITE, 0, 0, U64(0x1000), U64(4), U32(1)),
	ROW("dma_write count 0", D_DMA_WRITE, -EINVAL, 0, U64(0x1000), U64(0)),
	ROW("dma_write count > max_xfer", D_DMA_WRITE, -E2BIG, 0, U64(0x1000),
	    U64(TBL_MAX_XFER + 1), FILL(0, TBL_MAX_XFER + 1)),
	ROW("dma_write data short", D_DMA_WRITE, -EINVAL, 0, U64(0x1000), U64(4), U16(1)),
	ROW("dma_write data long", D_DMA_WRITE, -EINVAL, 0, U64(0x1000), U64(4), U64(1)),
	ROW("dma_write wraps", D_DMA_WRITE, -EINVAL, 0, U64(0xfffffffffffffffeull), U64(4), U32(1)),

	/* ---- DEVICE_FEATURE */
	ROW("feature GET ok", D_FEATURE, 0, 0, U32(8), U32(F_GET | 1)),
	ROW("feature SET with data ok", D_FEATURE, 0, 0, U32(16), U32(F_SET | 2), U64(1)),
	ROW("feature PROBE ok", D_FEATURE, 0, 0, U32(8), U32(F_PROBE | 6)),
	ROW("feature PROBE|GET ok", D_FEATURE, 0, 0, U32(8), U32(F_PROBE | F_GET | 1)),
	ROW("feature GET|SET", D_FEATURE, -EINVAL, 0, U32(8), U32(F_GET | F_SET | 1)),
	ROW("feature GET|SET|PROBE", D_FEATURE, -EINVAL, 0, U32(8),
	    U32(F_GET | F_SET | F_PROBE | 1)),
	ROW("feature no GET/SET/PROBE", D_FEATURE, -EINVAL, 0, U32(8), U32(1)),
	ROW("feature unknown flag 0x80000", D_FEATURE, -EINVAL, 0, U32(8),
	    U32(F_GET | 0x80000 | 1)),
	ROW("feature unknown flag 0x80000000", D_FEATURE, -EINVAL, 0, U32(8),
	    U32(F_GET | 0x80000000u | 1)),
	ROW("feature argsz > length", D_FEATURE, -EINVAL, 0, U32(16), U32(F_GET | 1)),
	ROW("feature argsz < length", D_FEATURE, -EINVAL, 0, U32(8), U32(F_SET | 1), U64(0)),
	ROW("feature short 4", D_FEATURE, -EINVAL, 0, U32(8)),
};

static int
test_malformed_table(void)
{
	static uint8_t tmp[BUILD_MAX];
	unsigned int i, failed = 0, ok_rows = 0;

	for (i = 0; i < RTE_DIM(bad_rows); i++) {
		const struct bad_row *r = &bad_rows[i];
		uint8_t *p;
		size_t len;
		int rc;

		if (r->build != NULL) {
			len = r->build(tmp);
			p = exact_copy(tmp, len);
		} else {
			len = fld_pack(r->f, NULL);
			p = malloc(len > 0 ? len : 1);
			if (p != NULL)
				fld_pack(r->f, p);
		}
		TEST_ASSERT_NOT_NULL(p, "out of memory");
		rc = run_decoder(r->dec, p, len, r->nfds);
		if (rc != r->expect) {
			printf("  FAIL row %u \"%s\": %s decoder gave %d (%s), expected %d (%s)\n",
			       i, r->name, dec_names[r->dec], rc, errname(rc), r->expect,
			       errname(r->expect));
			hexdump(p, len);
			failed++;
		}
		if (r->expect == 0)
			ok_rows++;
		free(p);
	}
	printf("  %u table rows (%u valid, %u malformed), %u failed\n",
	       (unsigned int)RTE_DIM(bad_rows), ok_rows, (unsigned int)RTE_DIM(bad_rows) - ok_rows,
	       failed);
	TEST_ASSERT_EQUAL(failed, 0, "%u table rows failed", failed);
	return TEST_SUCCESS;
}

/* --------------------------------------------------------- round trips */

static int
test_cmd_name(void)
{
	uint32_t c;

	for (c = 1; c <= VFIO_USER_CMD_MAX; c++) {
		if (c == 14)
			continue;
		TEST_ASSERT(strcmp(vfio_user_cmd_name(c), "UNKNOWN") != 0, "command %u has no name",
			    c);
	}
	TEST_ASSERT(strcmp(vfio_user_cmd_name(VFIO_USER_CMD_VERSION), "VERSION") == 0,
		    "VERSION name");
	TEST_ASSERT(strcmp(vfio_user_cmd_name(VFIO_USER_CMD_DEVICE_FEATURE), "DEVICE_FEATURE") == 0,
		    "DEVICE_FEATURE name");
	TEST_ASSERT(strcmp(vfio_user_cmd_name(0), "UNKNOWN") == 0, "cmd 0");
	TEST_ASSERT(strcmp(vfio_user_cmd_name(14), "UNKNOWN") == 0, "cmd 14");
	TEST_ASSERT(strcmp(vfio_user_cmd_name(19), "UNKNOWN") == 0, "cmd 19");
	TEST_ASSERT(strcmp(vfio_user_cmd_name(UINT32_MAX), "UNKNOWN") == 0, "cmd max");
	TEST_ASSERT(vfio_user_cmd_valid(VFIO_USER_CMD_VERSION) &&
			    vfio_user_cmd_valid(VFIO_USER_CMD_MIG_DATA_WRITE),
		    "valid commands");
	TEST_ASSERT(!vfio_user_cmd_valid(0) && !vfio_user_cmd_valid(14) &&
			    !vfio_user_cmd_valid(19) && !vfio_user_cmd_valid(UINT32_MAX),
		    "invalid commands");
	return TEST_SUCCESS;
}

static int
test_hdr_roundtrip(void)
{
	struct vfio_user_hdr in = {
		.msg_id = 0xbeef,
		.cmd = VFIO_USER_CMD_REGION_WRITE,
		.size = 0x12345,
		.flags = VFIO_USER_F_TYPE_REPLY | VFIO_USER_F_ERROR,
		.error = EIO,
	};
	struct vfio_user_hdr out;
	uint8_t buf[VFIO_USER_HDR_SIZE + 1];

	/* Odd address: the codec must not need alignment. */
	vfio_user_hdr_encode(buf + 1, &in);
	TEST_ASSERT_EQUAL(get_le16(buf + 1), 0xbeef, "msg_id at 0");
	TEST_ASSERT_EQUAL(get_le16(buf + 1 + 2), VFIO_USER_CMD_REGION_WRITE, "cmd at 2");
	TEST_ASSERT_EQUAL(get_le32(buf + 1 + 4), 0x12345, "size at 4");
	TEST_ASSERT_EQUAL(get_le32(buf + 1 + 8), 0x21, "flags at 8");
	TEST_ASSERT_EQUAL(get_le32(buf + 1 + 12), EIO, "error at 12");
	TEST_ASSERT_SUCCESS(vfio_user_hdr_decode(buf + 1, VFIO_USER_HDR_SIZE, 0x12345, &out),
			    "decode");
	TEST_ASSERT(memcmp(&in, &out, sizeof(in)) == 0, "header differs");
	TEST_ASSERT_EQUAL(vfio_user_hdr_decode(buf + 1, VFIO_USER_HDR_SIZE, 0x12344, &out), -E2BIG,
			  "size above max");

	in.flags = VFIO_USER_F_TYPE_COMMAND | VFIO_USER_F_NO_REPLY;
	in.error = 0;
	vfio_user_hdr_encode(buf, &in);
	TEST_ASSERT_SUCCESS(vfio_user_hdr_decode(buf, VFIO_USER_HDR_SIZE, 1u << 20, &out),
			    "decode NO_REPLY command");
	TEST_ASSERT(memcmp(&in, &out, sizeof(in)) == 0, "header differs");
	return TEST_SUCCESS;
}

static int
caps_equal(const struct vfio_user_caps *a, const struct vfio_user_caps *b)
{
	return a->max_msg_fds == b->max_msg_fds && a->max_data_xfer_size == b->max_data_xfer_size &&
		a->max_dma_maps == b->max_dma_maps && a->pgsizes == b->pgsizes &&
		a->write_multiple == b->write_multiple && a->twin_socket == b->twin_socket &&
		a->migration == b->migration && a->mig_pgsize == b->mig_pgsize &&
		a->mig_max_bitmap_size == b->mig_max_bitmap_size;
}

/* Decode n bytes of a VERSION payload from an exact-size copy (ASan sees any over-read). */
static int
version_decode_copy(const uint8_t *buf, size_t n, struct vfio_user_version *ver)
{
	uint8_t *p = exact_copy(buf, n);
	int rc;

	if (p == NULL)
		return -ENOMEM;
	rc = vfio_user_version_decode(p, n, ver);
	free(p);
	return rc;
}

/* Decode a VERSION payload of major.minor and the JSON string json (NUL included). */
static int
version_decode_json(uint16_t major, uint16_t minor, const char *json, struct vfio_user_version *ver)
{
	static uint8_t buf[4096];
	size_t n = 4 + strlen(json) + 1;

	if (n > sizeof(buf))
		return -E2BIG;
	put_le16(buf, major);
	put_le16(buf + 2, minor);
	memcpy(buf + 4, json, n - 4);
	return version_decode_copy(buf, n, ver);
}

/* Encode major.minor and caps, decode: the same version and caps come back. */
static int
version_roundtrip(const char *name, uint16_t major, uint16_t minor,
		  const struct vfio_user_caps *caps)
{
	static uint8_t buf[1024];
	struct vfio_user_version ver;
	int n, rc;

	n = vfio_user_version_encode(buf, sizeof(buf), major, minor, caps);
	TEST_ASSERT(n > 5, "%s: encode: %d", name, n);
	rc = version_decode_copy(buf, n, &ver);
	TEST_ASSERT_SUCCESS(rc, "%s: decode: %s", name, buf + 4);
	TEST_ASSERT(ver.major == major && ver.minor == minor, "%s: version %u.%u", name, ver.major,
		    ver.minor);
	TEST_ASSERT(caps_equal(&ver.caps, caps), "%s: caps differ: %s", name, buf + 4);
	return TEST_SUCCESS;
}

static int
test_version_roundtrip(void)
{
	static uint8_t buf[1024];
	struct vfio_user_caps def, all, wm, twin, mig;
	int n, m;

	vfio_user_caps_default(&def);
	TEST_ASSERT_EQUAL(def.max_msg_fds, VFIO_USER_DEFAULT_MAX_MSG_FDS, "default");
	TEST_ASSERT_EQUAL(def.max_data_xfer_size, VFIO_USER_DEFAULT_MAX_DATA_XFER, "default");
	TEST_ASSERT_EQUAL(def.max_dma_maps, VFIO_USER_DEFAULT_MAX_DMA_MAPS, "default");
	TEST_ASSERT_EQUAL(def.pgsizes, VFIO_USER_DEFAULT_PGSIZES, "default");
	TEST_ASSERT(!def.write_multiple && !def.twin_socket && !def.migration, "default bools");

	/* The defaults' layout: major, minor, the JSON and one NUL at the end. */
	n = vfio_user_version_encode(buf, sizeof(buf), 0, 2, &def);
	TEST_ASSERT(n > 5, "encode defaults: %d", n);
	TEST_ASSERT_EQUAL(get_le16(buf), 0, "major");
	TEST_ASSERT_EQUAL(get_le16(buf + 2), 2, "minor");
	TEST_ASSERT_EQUAL(buf[n - 1], 0, "NUL at end");
	TEST_ASSERT_EQUAL(strlen((const char *)buf + 4), (size_t)n - 5, "one NUL, at the end");

	/* Everything that can be written; write_multiple, twin_socket, migration alone. */
	all = def;
	all.max_msg_fds = 16;
	all.max_data_xfer_size = VFIO_USER_MAX_DATA_XFER_LIMIT;
	all.max_dma_maps = 0xffffffff;
	all.pgsizes = 0x40201000ull | (1ull << 63);
	all.write_multiple = true;
	all.twin_socket = true;
	wm = def;
	wm.write_multiple = true;
	twin = def;
	twin.twin_socket = true;
	mig = def;
	mig.migration = true;
	{
		const struct {
			const char *name;
			uint16_t major, minor;
			const struct vfio_user_caps *caps;
		} rt[] = {
			{"defaults", 0, 2, &def},
			{"everything", 7, 0xffff, &all},
			{"write_multiple only", 0, 0, &wm},
			{"twin_socket only", 0, 0, &twin},
			/* Migration is written when set (pgsize and max_bitmap_size). */
			{"migration", 0, 0, &mig},
		};
		unsigned int i;

		for (i = 0; i < RTE_DIM(rt); i++)
			TEST_ASSERT_SUCCESS(
				version_roundtrip(rt[i].name, rt[i].major, rt[i].minor, rt[i].caps),
				"%s", rt[i].name);
	}

	/* Exact fit and one byte short (nothing written then). */
	n = vfio_user_version_encode(buf, sizeof(buf), 0, 0, &def);
	TEST_ASSERT(n > 0, "encode");
	m = vfio_user_version_encode(buf, n, 0, 0, &def);
	TEST_ASSERT_EQUAL(m, n, "exact fit");
	memset(buf, 0xa5, sizeof(buf));
	m = vfio_user_version_encode(buf, n - 1, 0, 0, &def);
	TEST_ASSERT_EQUAL(m, -ENOSPC, "one byte short");
	TEST_ASSERT(buf[0] == 0xa5 && buf[n - 1] == 0xa5, "wrote while failing");
	TEST_ASSERT_EQUAL(vfio_user_version_encode(buf, 3, 0, 0, &def), -ENOSPC, "cap 3");
	return TEST_SUCCESS;
}

static int
test_version_qemu(void)
{
	static const char qemu_json[] = "{\"capabilities\":{\"migration\":{\"pgsize\":4096,"
					"\"max_bitmap_size\":268435456},\"max_msg_fds\":16,"
					"\"max_data_xfer_size\":1048576,\"pgsizes\":4096,"
					"\"max_dma_maps\":65535,\"write_multiple\":true}}";
	static const char lvu_json[] =
		"{\"capabilities\":{\"max_msg_fds\":32,"
		"\"max_data_xfer_size\":1024,\"migration\":{\"pgsize\":4096}}}";
	struct vfio_user_version ver;

	/* QEMU's request: 0.0 and its JSON, NUL-terminated. */
	memset(&ver, 0xff, sizeof(ver));
	TEST_ASSERT_SUCCESS(version_decode_json(0, 0, qemu_json, &ver), "QEMU's VERSION");
	TEST_ASSERT_EQUAL(ver.major, 0, "major");
	TEST_ASSERT_EQUAL(ver.minor, 0, "minor");
	TEST_ASSERT_EQUAL(ver.caps.max_msg_fds, 16, "max_msg_fds");
	TEST_ASSERT_EQUAL(ver.caps.max_data_xfer_size, 1048576, "max_data_xfer_size");
	TEST_ASSERT_EQUAL(ver.caps.pgsizes, 4096, "pgsizes");
	TEST_ASSERT_EQUAL(ver.caps.max_dma_maps, 65535, "max_dma_maps");
	TEST_ASSERT(ver.caps.write_multiple, "write_multiple");
	TEST_ASSERT(!ver.caps.twin_socket, "twin_socket");
	TEST_ASSERT(ver.caps.migration, "migration");
	TEST_ASSERT_EQUAL(ver.caps.mig_pgsize, 4096, "mig pgsize");
	TEST_ASSERT_EQUAL(ver.caps.mig_max_bitmap_size, 268435456, "mig max_bitmap_size");

	/* libvfio-user's sample client: absent keys take defaults. */
	TEST_ASSERT_SUCCESS(version_decode_json(0, 2, lvu_json, &ver), "libvfio-user's VERSION");
	TEST_ASSERT_EQUAL(ver.minor, 2, "minor");
	TEST_ASSERT_EQUAL(ver.caps.max_msg_fds, 32, "max_msg_fds");
	TEST_ASSERT_EQUAL(ver.caps.max_data_xfer_size, 1024, "xfer");
	TEST_ASSERT_EQUAL(ver.caps.max_dma_maps, VFIO_USER_DEFAULT_MAX_DMA_MAPS,
			  "default max_dma_maps");
	TEST_ASSERT_EQUAL(ver.caps.pgsizes, VFIO_USER_DEFAULT_PGSIZES, "default pgsizes");
	TEST_ASSERT(!ver.caps.write_multiple, "default write_multiple");
	TEST_ASSERT(ver.caps.migration, "migration");
	return TEST_SUCCESS;
}

static int
test_dma_roundtrip(void)
{
	struct vfio_user_dma_map map =
					 {
						 .argsz = 0, /* the encoder writes 32 */
						 .flags = VFIO_USER_DMA_FLAG_READ |
							 VFIO_USER_DMA_FLAG_WRITE,
						 .offset = 0x200000,
						 .addr = 0x7f0000000000ull,
						 .size = 0x40000000,
					 },
				 map2;
	struct vfio_user_dma_unmap unmap =
					   {
						   .flags = 0,
						   .addr = 0x100000,
						   .size = 0x2000,
					   },
				   unmap2;
	uint8_t buf[64];

	memset(buf, 0xa5, sizeof(buf));
	TEST_ASSERT_EQUAL(vfio_user_dma_map_encode(buf + 1, 31, &map), -ENOSPC, "map cap 31");
	TEST_ASSERT_EQUAL(buf[1], 0xa5, "wrote while failing");
	TEST_ASSERT_EQUAL(vfio_user_dma_map_encode(buf + 1, 32, &map), 32, "map");
	TEST_ASSERT_EQUAL(buf[33], 0xa5, "wrote past 32");
	TEST_ASSERT_EQUAL(get_le32(buf + 1), 32, "argsz");
	TEST_ASSERT_EQUAL(get_le64(buf + 1 + 8), 0x200000, "offset at 8");
	TEST_ASSERT_EQUAL(get_le64(buf + 1 + 16), 0x7f0000000000ull, "addr at 16");
	TEST_ASSERT_SUCCESS(vfio_user_dma_map_decode(buf + 1, 32, 1, 4096, &map2), "decode map");
	TEST_ASSERT(map2.argsz == 32 && map2.flags == map.flags && map2.offset == map.offset &&
			    map2.addr == map.addr && map2.size == map.size,
		    "map differs");
	/* 2 MiB pages: addr and offset aligned, fine; 1 GiB: offset not. */
	TEST_ASSERT_SUCCESS(vfio_user_dma_map_decode(buf + 1, 32, 1, 1u << 21, &map2), "2M pgsize");
	TEST_ASSERT_EQUAL(vfio_user_dma_map_decode(buf + 1, 32, 1, 1u << 30, &map2), -EINVAL,
			  "1G pgsize");
	TEST_ASSERT_EQUAL(vfio_user_dma_map_decode(buf + 1, 32, 1, 0, &map2), -EINVAL, "pgsize 0");
	TEST_ASSERT_EQUAL(vfio_user_dma_map_decode(buf + 1, 32, 1, 3000, &map2), -EINVAL,
			  "pgsize 3000");

	memset(buf, 0xa5, sizeof(buf));
	TEST_ASSERT_EQUAL(vfio_user_dma_unmap_encode(buf + 3, 23, &unmap), -ENOSPC, "unmap cap 23");
	TEST_ASSERT_EQUAL(vfio_user_dma_unmap_encode(buf + 3, 24, &unmap), 24, "unmap");
	TEST_ASSERT_EQUAL(buf[27], 0xa5, "wrote past 24");
	TEST_ASSERT_SUCCESS(vfio_user_dma_unmap_decode(buf + 3, 24, &unmap2), "decode unmap");
	TEST_ASSERT(unmap2.argsz == 24 && unmap2.flags == 0 && unmap2.addr == unmap.addr &&
			    unmap2.size == unmap.size,
		    "unmap differs");
	unmap.flags = VFIO_USER_DMA_UNMAP_FLAG_ALL;
	unmap.addr = 0;
	unmap.size = 0;
	TEST_ASSERT_EQUAL(vfio_user_dma_unmap_encode(buf, sizeof(buf), &unmap), 24, "unmap all");
	TEST_ASSERT_SUCCESS(vfio_user_dma_unmap_decode(buf, 24, &unmap2), "decode unmap all");
	TEST_ASSERT_EQUAL(unmap2.flags, VFIO_USER_DMA_UNMAP_FLAG_ALL, "flags");
	return TEST_SUCCESS;
}

static int
test_info_roundtrip(void)
{
	struct vfio_user_device_info di =
					     {
						     .argsz = 16,
						     .flags = VFIO_USER_DEV_FLAG_RESET |
							     VFIO_USER_DEV_FLAG_PCI,
						     .num_regions = 9,
						     .num_irqs = 5,
					     },
				     di2;
	struct vfio_user_irq_info ii =
					  {
						  .argsz = 0,
						  .flags = VFIO_USER_IRQ_INFO_EVENTFD,
						  .index = 2,
						  .count = 65,
					  },
				  ii2;
	struct vfio_user_region_io_fds_req io =
						   {
							   .argsz = 4096,
							   .flags = 0,
							   .index = 3,
							   .count = 0,
						   },
					   io2;
	struct vfio_user_region_info ri;
	uint8_t buf[64];

	memset(buf, 0xa5, sizeof(buf));
	TEST_ASSERT_EQUAL(vfio_user_device_info_encode(buf + 1, 15, &di), -ENOSPC, "cap 15");
	TEST_ASSERT_EQUAL(buf[1], 0xa5, "wrote while failing");
	TEST_ASSERT_EQUAL(vfio_user_device_info_encode(buf + 1, 16, &di), 16, "device info");
	TEST_ASSERT_EQUAL(buf[17], 0xa5, "wrote past 16");
	TEST_ASSERT_SUCCESS(vfio_user_device_info_decode(buf + 1, 16, &di2), "decode");
	TEST_ASSERT(memcmp(&di, &di2, sizeof(di)) == 0, "device info differs");

	TEST_ASSERT_EQUAL(vfio_user_irq_info_encode(buf, 15, &ii), -ENOSPC, "cap 15");
	TEST_ASSERT_EQUAL(vfio_user_irq_info_encode(buf, 16, &ii), 16, "irq info");
	TEST_ASSERT_SUCCESS(vfio_user_irq_info_decode(buf, 16, &ii2), "decode");
	TEST_ASSERT_EQUAL(ii2.argsz, 16, "argsz 0 written as 16");
	TEST_ASSERT(ii2.flags == ii.flags && ii2.index == ii.index && ii2.count == ii.count,
		    "irq info differs");

	TEST_ASSERT_EQUAL(vfio_user_region_io_fds_encode(buf, 15, &io), -ENOSPC, "cap 15");
	TEST_ASSERT_EQUAL(vfio_user_region_io_fds_encode(buf, 16, &io), 16, "io fds");
	TEST_ASSERT_SUCCESS(vfio_user_region_io_fds_decode(buf, 16, &io2), "decode");
	TEST_ASSERT(memcmp(&io, &io2, sizeof(io)) == 0, "io fds differs");

	TEST_ASSERT_EQUAL(vfio_user_region_info_req_encode(buf, 31, 7, 80), -ENOSPC, "cap 31");
	TEST_ASSERT_EQUAL(vfio_user_region_info_req_encode(buf + 1, 32, 7, 80), 32,
			  "region info req");
	TEST_ASSERT_SUCCESS(vfio_user_region_info_req_decode(buf + 1, 32, &ri), "decode");
	TEST_ASSERT(ri.argsz == 80 && ri.index == 7 && ri.flags == 0 && ri.cap_offset == 0 &&
			    ri.nr_areas == 0,
		    "req differs");
	return TEST_SUCCESS;
}

static int
test_region_info_reply(void)
{
	static struct vfio_user_region_info in, out;
	static uint8_t buf[512];
	bool send_fd;
	uint8_t *p;
	int n, rc;
	unsigned int i;

	memset(&in, 0, sizeof(in));
	in.index = 1;
	in.flags = VFIO_USER_REGION_FLAG_READ | VFIO_USER_REGION_FLAG_WRITE |
		VFIO_USER_REGION_FLAG_MMAP;
	in.size = 0x3000;
	in.offset = 0x10000;
	in.nr_areas = 2;
	in.areas[0].offset = 0;
	in.areas[0].size = 0x1000;
	in.areas[1].offset = 0x2000;
	in.areas[1].size = 0x1000;

	/* Room for the capability: the layout of libvfio-user's test. */
	send_fd = false;
	n = vfio_user_region_info_reply_encode(buf, sizeof(buf), 80, &in, &send_fd);
	TEST_ASSERT_EQUAL(n, 80, "reply length");
	TEST_ASSERT(send_fd, "fd with the reply");
	TEST_ASSERT_EQUAL(get_le32(buf), 80, "argsz");
	TEST_ASSERT_EQUAL(get_le32(buf + 4), in.flags | VFIO_USER_REGION_FLAG_CAPS, "flags");
	TEST_ASSERT_EQUAL(get_le32(buf + 8), 1, "index");
	TEST_ASSERT_EQUAL(get_le32(buf + 12), 32, "cap_offset");
	TEST_ASSERT_EQUAL(get_le64(buf + 16), 0x3000, "size");
	TEST_ASSERT_EQUAL(get_le64(buf + 24), 0x10000, "offset");
	TEST_ASSERT_EQUAL(get_le16(buf + 32), VFIO_USER_REGION_INFO_CAP_SPARSE_MMAP, "cap id");
	TEST_ASSERT_EQUAL(get_le16(buf + 34), 1, "cap version");
	TEST_ASSERT_EQUAL(get_le32(buf + 36), 0, "cap next");
	TEST_ASSERT_EQUAL(get_le32(buf + 40), 2, "nr_areas");
	TEST_ASSERT_EQUAL(get_le64(buf + 64), 0x2000, "area 1 offset");
	p = exact_copy(buf, n);
	TEST_ASSERT_NOT_NULL(p, "oom");
	rc = vfio_user_region_info_reply_decode(p, n, &out);
	free(p);
	TEST_ASSERT_SUCCESS(rc, "decode");
	TEST_ASSERT(out.argsz == 80 && out.index == 1 && out.size == 0x3000 &&
			    out.offset == 0x10000 && out.cap_offset == 32 &&
			    out.flags == (in.flags | VFIO_USER_REGION_FLAG_CAPS),
		    "fixed part differs");
	TEST_ASSERT_EQUAL(out.nr_areas, 2, "nr_areas");
	for (i = 0; i < 2; i++)
		TEST_ASSERT(out.areas[i].offset == in.areas[i].offset &&
				    out.areas[i].size == in.areas[i].size,
			    "area %u differs", i);
	TEST_ASSERT_EQUAL(vfio_user_region_info_reply_encode(buf, 79, 80, &in, &send_fd), -ENOSPC,
			  "cap 79");

	/* Client offered 32 bytes: fixed struct, argsz = 80, no CAPS/MMAP. */
	send_fd = true;
	n = vfio_user_region_info_reply_encode(buf, sizeof(buf), 32, &in, &send_fd);
	TEST_ASSERT_EQUAL(n, 32, "short reply length");
	TEST_ASSERT(!send_fd, "no fd with the short reply");
	rc = vfio_user_region_info_reply_decode(buf, n, &out);
	TEST_ASSERT_SUCCESS(rc, "decode short");
	TEST_ASSERT_EQUAL(out.argsz, 80, "argsz tells the size needed");
	TEST_ASSERT_EQUAL(out.flags, VFIO_USER_REGION_FLAG_READ | VFIO_USER_REGION_FLAG_WRITE,
			  "no CAPS, no MMAP");
	TEST_ASSERT_EQUAL(out.nr_areas, 0, "no areas");
	/* 79 bytes offered: still too small. */
	n = vfio_user_region_info_reply_encode(buf, sizeof(buf), 79, &in, &send_fd);
	TEST_ASSERT(n == 32 && !send_fd, "79 offered");

	/* No areas: 32 bytes, fd if MMAP, and a caller's CAPS flag dropped. */
	in.nr_areas = 0;
	in.flags |= VFIO_USER_REGION_FLAG_CAPS;
	send_fd = false;
	n = vfio_user_region_info_reply_encode(buf, sizeof(buf), 4096, &in, &send_fd);
	TEST_ASSERT_EQUAL(n, 32, "no areas");
	TEST_ASSERT(send_fd, "fd for a whole-region mmap");
	TEST_ASSERT_SUCCESS(vfio_user_region_info_reply_decode(buf, n, &out), "decode");
	TEST_ASSERT(out.argsz == 32 && out.cap_offset == 0 &&
			    out.flags ==
				    (VFIO_USER_REGION_FLAG_READ | VFIO_USER_REGION_FLAG_WRITE |
				     VFIO_USER_REGION_FLAG_MMAP),
		    "no-area reply");
	in.flags = VFIO_USER_REGION_FLAG_READ;
	n = vfio_user_region_info_reply_encode(buf, sizeof(buf), 32, &in, &send_fd);
	TEST_ASSERT(n == 32 && !send_fd, "no fd without MMAP");
	TEST_ASSERT_EQUAL(vfio_user_region_info_reply_encode(buf, 31, 32, &in, &send_fd), -ENOSPC,
			  "cap 31");

	/* The most areas. */
	in.flags = VFIO_USER_REGION_FLAG_READ | VFIO_USER_REGION_FLAG_MMAP;
	in.size = VFIO_USER_MAX_SPARSE_AREAS * 0x2000ull;
	in.nr_areas = VFIO_USER_MAX_SPARSE_AREAS;
	for (i = 0; i < VFIO_USER_MAX_SPARSE_AREAS; i++) {
		in.areas[i].offset = i * 0x2000ull;
		in.areas[i].size = 0x1000;
	}
	n = vfio_user_region_info_reply_encode(buf, sizeof(buf), 4096, &in, &send_fd);
	TEST_ASSERT_EQUAL(n, 32 + 16 + 16 * VFIO_USER_MAX_SPARSE_AREAS, "16 areas");
	p = exact_copy(buf, n);
	TEST_ASSERT_NOT_NULL(p, "oom");
	rc = vfio_user_region_info_reply_decode(p, n, &out);
	free(p);
	TEST_ASSERT_SUCCESS(rc, "decode 16 areas");
	TEST_ASSERT_EQUAL(out.nr_areas, VFIO_USER_MAX_SPARSE_AREAS, "nr_areas");
	TEST_ASSERT(out.areas[15].offset == 15 * 0x2000ull, "area 15");
	in.nr_areas = VFIO_USER_MAX_SPARSE_AREAS + 1;
	TEST_ASSERT_EQUAL(vfio_user_region_info_reply_encode(buf, sizeof(buf), 4096, &in, &send_fd),
			  -EINVAL, "17 areas");
	return TEST_SUCCESS;
}

static int
test_set_irqs_roundtrip(void)
{
	static const uint8_t bools[4] = {1, 0, 0, 1};
	struct vfio_user_set_irqs s =
					  {
						  .flags = BOOL_TRIG,
						  .index = VFIO_USER_PCI_MSIX_IRQ_INDEX,
						  .start = 3,
						  .count = 4,
						  .bools = bools,
					  },
				  s2;
	uint8_t buf[64];
	uint8_t *p;
	int n, rc;

	memset(buf, 0xa5, sizeof(buf));
	TEST_ASSERT_EQUAL(vfio_user_set_irqs_encode(buf, 23, &s), -ENOSPC, "cap 23");
	TEST_ASSERT_EQUAL(buf[0], 0xa5, "wrote while failing");
	n = vfio_user_set_irqs_encode(buf, 24, &s);
	TEST_ASSERT_EQUAL(n, 24, "bool encode");
	TEST_ASSERT_EQUAL(get_le32(buf), 24, "argsz = length");
	p = exact_copy(buf, n);
	TEST_ASSERT_NOT_NULL(p, "oom");
	rc = vfio_user_set_irqs_decode(p, n, 0, &s2);
	TEST_ASSERT_SUCCESS(rc, "bool decode");
	TEST_ASSERT(s2.argsz == 24 && s2.flags == s.flags && s2.index == s.index && s2.start == 3 &&
			    s2.count == 4,
		    "bool differs");
	TEST_ASSERT(s2.bools == p + 20 && memcmp(s2.bools, bools, 4) == 0, "bools");
	free(p);

	s.flags = EFD_TRIG;
	s.bools = NULL;
	n = vfio_user_set_irqs_encode(buf, sizeof(buf), &s);
	TEST_ASSERT_EQUAL(n, 20, "eventfd encode");
	TEST_ASSERT_SUCCESS(vfio_user_set_irqs_decode(buf, n, 4, &s2), "eventfd decode");
	TEST_ASSERT(s2.argsz == 20 && s2.flags == EFD_TRIG && s2.count == 4 && s2.bools == NULL,
		    "eventfd differs");

	s.flags = NONE_TRIG;
	s.start = 0;
	s.count = 0;
	n = vfio_user_set_irqs_encode(buf, sizeof(buf), &s);
	TEST_ASSERT_EQUAL(n, 20, "disable encode");
	TEST_ASSERT_SUCCESS(vfio_user_set_irqs_decode(buf, n, 0, &s2), "disable decode");
	TEST_ASSERT(s2.count == 0 && s2.flags == NONE_TRIG, "disable");
	return TEST_SUCCESS;
}

static int
test_access_roundtrip(void)
{
	static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct vfio_user_region_access a =
					       {
						       .offset = 0x2000,
						       .region = VFIO_USER_PCI_CONFIG_REGION_INDEX,
						       .count = 8,
					       },
				       a2;
	struct vfio_user_dma_access d = {.addr = 0x7f0000001000ull, .count = 8}, d2;
	uint8_t buf[64];
	uint8_t *p;
	int n, rc;

	/* READ request: header only. */
	memset(buf, 0xa5, sizeof(buf));
	TEST_ASSERT_EQUAL(vfio_user_region_access_encode(buf, 15, &a, NULL), -ENOSPC, "cap 15");
	n = vfio_user_region_access_encode(buf + 1, 16, &a, NULL);
	TEST_ASSERT_EQUAL(n, 16, "read request");
	TEST_ASSERT_EQUAL(buf[17], 0xa5, "wrote past 16");
	TEST_ASSERT_SUCCESS(vfio_user_region_read_decode(buf + 1, n, 8, &a2), "read decode");
	TEST_ASSERT(a2.offset == a.offset && a2.region == a.region && a2.count == 8 &&
			    a2.data == NULL,
		    "read differs");
	TEST_ASSERT_EQUAL(vfio_user_region_read_decode(buf + 1, n, 7, &a2), -E2BIG, "max_xfer 7");

	/* WRITE request / READ reply: header + data. */
	TEST_ASSERT_EQUAL(vfio_user_region_access_encode(buf, 23, &a, data), -ENOSPC, "cap 23");
	n = vfio_user_region_access_encode(buf + 1, 24, &a, data);
	TEST_ASSERT_EQUAL(n, 24, "write request");
	p = exact_copy(buf + 1, n);
	TEST_ASSERT_NOT_NULL(p, "oom");
	rc = vfio_user_region_write_decode(p, n, 4096, &a2);
	TEST_ASSERT_SUCCESS(rc, "write decode");
	TEST_ASSERT(a2.data == p + 16 && memcmp(a2.data, data, 8) == 0 && a2.count == 8 &&
			    a2.offset == 0x2000,
		    "write differs");
	rc = vfio_user_region_read_reply_decode(p, n, &a2);
	TEST_ASSERT_SUCCESS(rc, "read reply decode");
	TEST_ASSERT(a2.data == p + 16 && memcmp(a2.data, data, 8) == 0, "read reply data");
	free(p);
	/* WRITE reply: header only. */
	n = vfio_user_region_access_encode(buf, sizeof(buf), &a, NULL);
	TEST_ASSERT_SUCCESS(vfio_user_region_write_reply_decode(buf, n, &a2), "write reply");
	TEST_ASSERT(a2.count == 8 && a2.offset == 0x2000, "write reply");

	/* DMA read/write. */
	TEST_ASSERT_EQUAL(vfio_user_dma_access_encode(buf, 15, &d, NULL), -ENOSPC, "cap 15");
	n = vfio_user_dma_access_encode(buf + 3, 16, &d, NULL);
	TEST_ASSERT_EQUAL(n, 16, "dma read");
	TEST_ASSERT_SUCCESS(vfio_user_dma_read_decode(buf + 3, n, 4096, &d2), "dma read decode");
	TEST_ASSERT(d2.addr == d.addr && d2.count == 8 && d2.data == NULL, "dma read differs");
	TEST_ASSERT_EQUAL(vfio_user_dma_access_encode(buf, 23, &d, data), -ENOSPC, "cap 23");
	n = vfio_user_dma_access_encode(buf + 3, 24, &d, data);
	TEST_ASSERT_EQUAL(n, 24, "dma write");
	p = exact_copy(buf + 3, n);
	TEST_ASSERT_NOT_NULL(p, "oom");
	rc = vfio_user_dma_write_decode(p, n, 4096, &d2);
	TEST_ASSERT_SUCCESS(rc, "dma write decode");
	TEST_ASSERT(d2.addr == d.addr && d2.count == 8 && d2.data == p + 16 &&
			    memcmp(d2.data, data, 8) == 0,
		    "dma write differs");
	free(p);
	d.count = UINT64_MAX;
	TEST_ASSERT(vfio_user_dma_access_encode(buf, sizeof(buf), &d, data) < 0,
		    "huge count with data");
	return TEST_SUCCESS;
}

static int
test_write_multi_roundtrip(void)
{
	static struct vfio_user_write_multi_entry in[VFIO_USER_WRITE_MULTI_MAX];
	static uint8_t buf[8 + VFIO_USER_WRITE_MULTI_MAX * VFIO_USER_WRITE_MULTI_ENTRY_SIZE];
	uint32_t nr = 0, i;
	uint8_t *p;
	int n, rc;

	for (i = 0; i < VFIO_USER_WRITE_MULTI_MAX; i++) {
		in[i].offset = 0x1000 + i * 4;
		in[i].region = i % 6;
		in[i].count = 1 + i % VFIO_USER_WRITE_MULTI_DATA;
		memset(in[i].data, (int)i, VFIO_USER_WRITE_MULTI_DATA);
	}
	n = vfio_user_write_multi_encode(buf, sizeof(buf), in, 3);
	TEST_ASSERT_EQUAL(n, 8 + 3 * 24, "3 entries");
	TEST_ASSERT_EQUAL(get_le64(buf), 3, "wr_cnt");
	TEST_ASSERT_EQUAL(get_le32(buf + 8 + 24 + 12), 2, "entry 1 count at 20");
	TEST_ASSERT_EQUAL(buf[8 + 24 + 16], 1, "entry 1 data at 24");
	rc = vfio_user_write_multi_decode(buf, n, wm_entries, &nr);
	TEST_ASSERT_SUCCESS(rc, "decode 3");
	TEST_ASSERT_EQUAL(nr, 3, "nr");
	TEST_ASSERT(memcmp(wm_entries, in, 3 * sizeof(in[0])) == 0, "entries differ");

	n = vfio_user_write_multi_encode(buf, sizeof(buf), in, VFIO_USER_WRITE_MULTI_MAX);
	TEST_ASSERT_EQUAL(n, (int)sizeof(buf), "200 entries");
	p = exact_copy(buf, n);
	TEST_ASSERT_NOT_NULL(p, "oom");
	rc = vfio_user_write_multi_decode(p, n, wm_entries, &nr);
	free(p);
	TEST_ASSERT_SUCCESS(rc, "decode 200");
	TEST_ASSERT_EQUAL(nr, VFIO_USER_WRITE_MULTI_MAX, "nr");
	TEST_ASSERT(memcmp(wm_entries, in, sizeof(in)) == 0, "entries differ");

	TEST_ASSERT_EQUAL(vfio_user_write_multi_encode(buf, 8 + 24 - 1, in, 1), -ENOSPC,
			  "cap short");
	TEST_ASSERT(vfio_user_write_multi_encode(buf, sizeof(buf), in, 0) < 0, "0 entries");
	TEST_ASSERT(vfio_user_write_multi_encode(buf, sizeof(buf), in,
						 VFIO_USER_WRITE_MULTI_MAX + 1) < 0,
		    "201 entries");
	return TEST_SUCCESS;
}

static int
test_device_feature(void)
{
	struct vfio_user_device_feature f;
	uint8_t buf[32];

	put_le32(buf + 1, 24);
	put_le32(buf + 1 + 4, VFIO_USER_DEVICE_FEATURE_SET | 2);
	put_le64(buf + 1 + 8, 1);
	put_le64(buf + 1 + 16, 2);
	TEST_ASSERT_SUCCESS(vfio_user_device_feature_decode(buf + 1, 24, &f), "decode");
	TEST_ASSERT(f.argsz == 24 && f.feature == 2 && f.data_len == 16 &&
			    f.flags == (VFIO_USER_DEVICE_FEATURE_SET | 2),
		    "feature");
	return TEST_SUCCESS;
}

/* ---------------------------------------------- truncation and fuzzing */

struct sample {
	const char *name;
	enum dec dec;
	unsigned int nfds;
	bool exact; /* a longer payload must fail too */
	uint8_t buf[320];
	size_t len;
};

static struct sample samples[16];
static unsigned int nr_samples;

static void
add_sample(const char *name, enum dec d, unsigned int nfds, bool exact, const void *buf, int len)
{
	struct sample *s;

	if (len <= 0 || (size_t)len > sizeof(samples[0].buf) || nr_samples >= RTE_DIM(samples))
		return;
	s = &samples[nr_samples++];
	s->name = name;
	s->dec = d;
	s->nfds = nfds;
	s->exact = exact;
	memcpy(s->buf, buf, len);
	s->len = len;
}

static int
samples_setup(void)
{
	static const uint8_t bools[3] = {0, 1, 1};
	static const uint8_t data[5] = {9, 8, 7, 6, 5};
	struct vfio_user_caps caps;
	struct vfio_user_dma_map map = {
		.flags = 3, .offset = 0x1000, .addr = 0x10000, .size = 0x3000};
	struct vfio_user_dma_unmap unmap = {.addr = 0x10000, .size = 0x3000};
	struct vfio_user_device_info di = {.argsz = 16};
	struct vfio_user_set_irqs si = {
		.flags = BOOL_TRIG, .index = 2, .start = 1, .count = 3, .bools = bools};
	struct vfio_user_region_access ra = {.offset = 8, .region = 0, .count = 5};
	struct vfio_user_dma_access da = {.addr = 0x4000, .count = 5};
	struct vfio_user_write_multi_entry wm[2] = {
		{.offset = 0, .region = 0, .count = 4},
		{.offset = 8, .region = 1, .count = 8},
	};
	static struct vfio_user_region_info ri;
	uint8_t buf[320];
	bool send_fd;

	memset(buf, 0, sizeof(buf));
	nr_samples = 0;
	vfio_user_caps_default(&caps);
	caps.write_multiple = true;
	caps.max_msg_fds = 8;
	add_sample("version", D_VERSION, 0, true, buf,
		   vfio_user_version_encode(buf, sizeof(buf), 0, 2, &caps));
	add_sample("dma_map", D_DMA_MAP, 1, true, buf,
		   vfio_user_dma_map_encode(buf, sizeof(buf), &map));
	add_sample("dma_unmap", D_DMA_UNMAP, 0, true, buf,
		   vfio_user_dma_unmap_encode(buf, sizeof(buf), &unmap));
	add_sample("device_info", D_DEV_INFO, 0, true, buf,
		   vfio_user_device_info_encode(buf, sizeof(buf), &di));
	add_sample("region_info_req", D_REGION_INFO_REQ, 0, true, buf,
		   vfio_user_region_info_req_encode(buf, sizeof(buf), 1, 4096));
	memset(&ri, 0, sizeof(ri));
	ri.index = 1;
	ri.flags = VFIO_USER_REGION_FLAG_READ | VFIO_USER_REGION_FLAG_MMAP;
	ri.size = 0x4000;
	ri.nr_areas = 3;
	ri.areas[1].offset = 0x1000;
	ri.areas[1].size = 0x1000;
	ri.areas[2].offset = 0x3000;
	ri.areas[2].size = 0x1000;
	add_sample("region_info_reply", D_REGION_INFO_REPLY, 0, false, buf,
		   vfio_user_region_info_reply_encode(buf, sizeof(buf), 4096, &ri, &send_fd));
	add_sample("irq_info", D_IRQ_INFO, 0, true, buf,
		   vfio_user_irq_info_encode(buf, sizeof(buf),
					     &(struct vfio_user_irq_info){.index = 2}));
	add_sample("set_irqs", D_SET_IRQS, 0, true, buf,
		   vfio_user_set_irqs_encode(buf, sizeof(buf), &si));
	add_sample("region_read", D_REGION_READ, 0, true, buf,
		   vfio_user_region_access_encode(buf, sizeof(buf), &ra, NULL));
	add_sample("region_write", D_REGION_WRITE, 0, true, buf,
		   vfio_user_region_access_encode(buf, sizeof(buf), &ra, data));
	add_sample("region_read_reply", D_READ_REPLY, 0, true, buf,
		   vfio_user_region_access_encode(buf, sizeof(buf), &ra, data));
	add_sample("write_multi", D_WRITE_MULTI, 0, true, buf,
		   vfio_user_write_multi_encode(buf, sizeof(buf), wm, 2));
	add_sample("dma_read", D_DMA_READ, 0, true, buf,
		   vfio_user_dma_access_encode(buf, sizeof(buf), &da, NULL));
	add_sample("dma_write", D_DMA_WRITE, 0, true, buf,
		   vfio_user_dma_access_encode(buf, sizeof(buf), &da, data));
	put_le32(buf, 12);
	put_le32(buf + 4, VFIO_USER_DEVICE_FEATURE_SET | 1);
	put_le32(buf + 8, 0xabcd);
	add_sample("device_feature", D_FEATURE, 0, true, buf, 12);
	return nr_samples == 15 ? TEST_SUCCESS : TEST_FAILED;
}

/* Every sample decodes; every strict prefix fails; so do longer copies. */
static int
test_truncation(void)
{
	unsigned int i;
	size_t l;
	int rc;

	TEST_ASSERT_SUCCESS(samples_setup(), "samples");
	for (i = 0; i < nr_samples; i++) {
		struct sample *s = &samples[i];

		rc = run_decoder_exact(s->dec, s->buf, s->len, s->nfds);
		TEST_ASSERT_SUCCESS(rc, "sample %s (%zu bytes) does not decode", s->name, s->len);
		for (l = 0; l < s->len; l++) {
			rc = run_decoder_exact(s->dec, s->buf, l, s->nfds);
			TEST_ASSERT(rc < 0 && rc_is_allowed(rc),
				    "%s truncated to %zu of %zu bytes gave %d", s->name, l, s->len,
				    rc);
		}
		if (s->exact) {
			uint8_t longer[sizeof(s->buf) + 8];

			memcpy(longer, s->buf, s->len);
			memset(longer + s->len, 0, 8);
			for (l = s->len + 1; l <= s->len + 8; l++) {
				rc = run_decoder_exact(s->dec, longer, l, s->nfds);
				TEST_ASSERT(rc < 0 && rc_is_allowed(rc),
					    "%s extended to %zu bytes gave %d", s->name, l, rc);
			}
		}
	}
	return TEST_SUCCESS;
}

/* Flip every bit of every sample: any result but a crash or a broken
 * invariant is fine, and the result must be 0 or a documented errno.
 */
static int
test_bitflip(void)
{
	unsigned int i, bit, accepted = 0, rejected = 0;
	uint8_t tmp[320];
	int rc;

	TEST_ASSERT_SUCCESS(samples_setup(), "samples");
	for (i = 0; i < nr_samples; i++) {
		struct sample *s = &samples[i];

		for (bit = 0; bit < s->len * 8; bit++) {
			memcpy(tmp, s->buf, s->len);
			tmp[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			rc = run_decoder_exact(s->dec, tmp, s->len, s->nfds);
			TEST_ASSERT(rc_is_allowed(rc), "%s with bit %u flipped: %d (%s)", s->name,
				    bit, rc, rc == 1 ? "invariant broken" : errname(rc));
			if (rc == 0)
				accepted++;
			else
				rejected++;
		}
	}
	printf("  bit flips: %u accepted, %u rejected\n", accepted, rejected);
	TEST_ASSERT(rejected > 0 && accepted > 0, "flips not discriminating");
	return TEST_SUCCESS;
}

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* xorshift64*: deterministic, so failures reproduce. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Random bytes, random lengths, every decoder; plus samples with random
 * bytes overwritten (stays closer to valid messages).
 */
static int
test_random(void)
{
	static uint8_t tmp[512];
	unsigned int iter, d, j;
	int rc;

	TEST_ASSERT_SUCCESS(samples_setup(), "samples");
	rng_state = 0x9e3779b97f4a7c15ull;
	for (iter = 0; iter < 20000; iter++) {
		size_t len = rng() % 160;
		unsigned int nfds = rng() % 4;

		for (j = 0; j < len; j++)
			tmp[j] = (uint8_t)rng();
		/* Small values make fields plausible more often. */
		if (rng() % 2)
			for (j = 0; j < len; j++)
				tmp[j] &= (rng() % 4 == 0) ? 0xff : 0x3f;
		for (d = 0; d < D_NUM; d++) {
			rc = run_decoder_exact((enum dec)d, tmp, len, nfds);
			TEST_ASSERT(rc_is_allowed(rc), "iter %u decoder %s len %zu: %d", iter,
				    dec_names[d], len, rc);
		}
	}
	for (iter = 0; iter < 20000; iter++) {
		struct sample *s = &samples[rng() % nr_samples];
		unsigned int k = 1 + rng() % 4;

		memcpy(tmp, s->buf, s->len);
		for (j = 0; j < k; j++)
			tmp[rng() % s->len] = (uint8_t)rng();
		rc = run_decoder_exact(s->dec, tmp, s->len, s->nfds);
		TEST_ASSERT(rc_is_allowed(rc), "iter %u %s: %d", iter, s->name, rc);
	}
	return TEST_SUCCESS;
}

static struct unit_test_suite vfio_user_msg_suite = {
	.suite_name = "vfio-user message codec",
	.setup = NULL,
	.teardown = NULL,
	.unit_test_cases =
		{
			TEST_CASE(test_cmd_name),
			TEST_CASE(test_hdr_roundtrip),
			TEST_CASE(test_version_roundtrip),
			TEST_CASE(test_version_qemu),
			TEST_CASE(test_dma_roundtrip),
			TEST_CASE(test_info_roundtrip),
			TEST_CASE(test_region_info_reply),
			TEST_CASE(test_set_irqs_roundtrip),
			TEST_CASE(test_access_roundtrip),
			TEST_CASE(test_write_multi_roundtrip),
			TEST_CASE(test_device_feature),
			TEST_CASE(test_malformed_table),
			TEST_CASE(test_truncation),
			TEST_CASE(test_bitflip),
			TEST_CASE(test_random),
			TEST_CASES_END(),
		},
};

static int
test_vfio_user_msg(void)
{
	return unit_test_suite_runner(&vfio_user_msg_suite);
}

REGISTER_TEST_COMMAND(vfio_user_msg_autotest, test_vfio_user_msg);
