/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * vfio-user message codec: validation, decoding and encoding of every
 * message of the protocol. Pure functions: no I/O, no logging, no state.
 *
 * Every field is read and written with memcpy at its byte offset, so
 * neither the input nor the output buffer needs any alignment, and no
 * decoder reads a byte at or beyond `len`.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "vfio_user_msg.h"

/* ------------------------------------------------------- field helpers */

static inline uint16_t
rd16(const void *p, size_t off)
{
	uint16_t v;

	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

static inline uint32_t
rd32(const void *p, size_t off)
{
	uint32_t v;

	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

static inline uint64_t
rd64(const void *p, size_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)p + off, sizeof(v));
	return v;
}

static inline void
wr16(void *p, size_t off, uint16_t v)
{
	memcpy((uint8_t *)p + off, &v, sizeof(v));
}

static inline void
wr32(void *p, size_t off, uint32_t v)
{
	memcpy((uint8_t *)p + off, &v, sizeof(v));
}

static inline void
wr64(void *p, size_t off, uint64_t v)
{
	memcpy((uint8_t *)p + off, &v, sizeof(v));
}

static inline bool
is_pow2_u64(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* True if a + b overflows 64 bits (a range [a, a + b) reaching 2^64 counts). */
static inline bool
wraps_u64(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b;
}

static inline unsigned int
popcount32(uint32_t v)
{
	return (unsigned int)__builtin_popcount(v);
}

/* ---------------------------------------------------------------- header */

static const char *const vfio_user_cmd_names[VFIO_USER_CMD_MAX + 1] = {
	[VFIO_USER_CMD_VERSION] = "VERSION",
	[VFIO_USER_CMD_DMA_MAP] = "DMA_MAP",
	[VFIO_USER_CMD_DMA_UNMAP] = "DMA_UNMAP",
	[VFIO_USER_CMD_DEVICE_GET_INFO] = "DEVICE_GET_INFO",
	[VFIO_USER_CMD_DEVICE_GET_REGION_INFO] = "DEVICE_GET_REGION_INFO",
	[VFIO_USER_CMD_DEVICE_GET_REGION_IO_FDS] = "DEVICE_GET_REGION_IO_FDS",
	[VFIO_USER_CMD_DEVICE_GET_IRQ_INFO] = "DEVICE_GET_IRQ_INFO",
	[VFIO_USER_CMD_DEVICE_SET_IRQS] = "DEVICE_SET_IRQS",
	[VFIO_USER_CMD_REGION_READ] = "REGION_READ",
	[VFIO_USER_CMD_REGION_WRITE] = "REGION_WRITE",
	[VFIO_USER_CMD_DMA_READ] = "DMA_READ",
	[VFIO_USER_CMD_DMA_WRITE] = "DMA_WRITE",
	[VFIO_USER_CMD_DEVICE_RESET] = "DEVICE_RESET",
	[VFIO_USER_CMD_REGION_WRITE_MULTI] = "REGION_WRITE_MULTI",
	[VFIO_USER_CMD_DEVICE_FEATURE] = "DEVICE_FEATURE",
	[VFIO_USER_CMD_MIG_DATA_READ] = "MIG_DATA_READ",
	[VFIO_USER_CMD_MIG_DATA_WRITE] = "MIG_DATA_WRITE",
};

bool
vfio_user_cmd_valid(uint32_t cmd)
{
	return cmd <= VFIO_USER_CMD_MAX && vfio_user_cmd_names[cmd] != NULL;
}

const char *
vfio_user_cmd_name(uint32_t cmd)
{
	if (cmd > VFIO_USER_CMD_MAX || vfio_user_cmd_names[cmd] == NULL)
		return "UNKNOWN";
	return vfio_user_cmd_names[cmd];
}

int
vfio_user_hdr_decode(const void *buf, size_t len, uint32_t max_size, struct vfio_user_hdr *hdr)
{
	struct vfio_user_hdr h;
	uint32_t type;

	if (buf == NULL || len < VFIO_USER_HDR_SIZE)
		return -EINVAL;

	h.msg_id = rd16(buf, 0);
	h.cmd = rd16(buf, 2);
	h.size = rd32(buf, 4);
	h.flags = rd32(buf, 8);
	h.error = rd32(buf, 12);

	if (h.size < VFIO_USER_HDR_SIZE)
		return -EINVAL;
	if (h.size > max_size)
		return -E2BIG;
	if (h.flags & ~VFIO_USER_F_KNOWN)
		return -EINVAL;
	type = h.flags & VFIO_USER_F_TYPE_MASK;
	if (type != VFIO_USER_F_TYPE_COMMAND && type != VFIO_USER_F_TYPE_REPLY)
		return -EINVAL;

	*hdr = h;
	return 0;
}

void
vfio_user_hdr_encode(void *buf, const struct vfio_user_hdr *hdr)
{
	wr16(buf, 0, hdr->msg_id);
	wr16(buf, 2, hdr->cmd);
	wr32(buf, 4, hdr->size);
	wr32(buf, 8, hdr->flags);
	wr32(buf, 12, hdr->error);
}

/* ---------------------------------------------------------- capabilities */

#define VFIO_USER_DEFAULT_MIG_PGSIZE 4096ull
#define VFIO_USER_DEFAULT_MIG_MAX_BITMAP (256ull * 1024 * 1024)
/* Deepest JSON nesting accepted: {"capabilities":{"migration":{...}}} is 3. */
#define VFIO_USER_JSON_DEPTH 8

void
vfio_user_caps_default(struct vfio_user_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->max_msg_fds = VFIO_USER_DEFAULT_MAX_MSG_FDS;
	caps->max_data_xfer_size = VFIO_USER_DEFAULT_MAX_DATA_XFER;
	caps->max_dma_maps = VFIO_USER_DEFAULT_MAX_DMA_MAPS;
	caps->pgsizes = VFIO_USER_DEFAULT_PGSIZES;
	caps->write_multiple = false;
	caps->twin_socket = false;
	caps->migration = false;
	caps->mig_pgsize = VFIO_USER_DEFAULT_MIG_PGSIZE;
	caps->mig_max_bitmap_size = VFIO_USER_DEFAULT_MIG_MAX_BITMAP;
}

/*
 * Look up an optional non-negative integer member of obj.
 * @return 1 found (value in *val), 0 absent, -EINVAL wrong type or negative.
 */
static int
json_get_uint(struct json_object *obj, const char *key, uint64_t *val)
{
	struct json_object *o;

	if (!json_object_object_get_ex(obj, key, &o))
		return 0;
	if (!json_object_is_type(o, json_type_int))
		return -EINVAL;
	/* Values above INT64_MAX are read as INT64_MAX here: not negative. */
	if (json_object_get_int64(o) < 0)
		return -EINVAL;
	*val = json_object_get_uint64(o);
	return 1;
}

/* Optional boolean member: 1 found, 0 absent, -EINVAL wrong type. */
static int
json_get_bool(struct json_object *obj, const char *key, bool *val)
{
	struct json_object *o;

	if (!json_object_object_get_ex(obj, key, &o))
		return 0;
	if (!json_object_is_type(o, json_type_boolean))
		return -EINVAL;
	*val = json_object_get_boolean(o) != 0;
	return 1;
}

/* Optional object member: 1 found, 0 absent, -EINVAL wrong type. */
static int
json_get_obj(struct json_object *obj, const char *key, struct json_object **val)
{
	struct json_object *o;

	if (!json_object_object_get_ex(obj, key, &o))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	*val = o;
	return 1;
}

/* Optional integer member in [min, max]. */
static int
json_get_range(struct json_object *obj, const char *key, uint64_t min, uint64_t max, uint64_t *val)
{
	uint64_t v;
	int rc;

	rc = json_get_uint(obj, key, &v);
	if (rc <= 0)
		return rc;
	if (v < min || v > max)
		return -EINVAL;
	*val = v;
	return 1;
}

static int
caps_parse(struct json_object *jcaps, struct vfio_user_caps *caps)
{
	struct json_object *sub;
	uint64_t v;
	bool b;
	int rc;

	rc = json_get_range(jcaps, "max_msg_fds", 1, VFIO_USER_MAX_MSG_FDS_LIMIT, &v);
	if (rc < 0)
		return rc;
	if (rc > 0)
		caps->max_msg_fds = (uint32_t)v;

	rc = json_get_range(jcaps, "max_data_xfer_size", 1, VFIO_USER_MAX_DATA_XFER_LIMIT, &v);
	if (rc < 0)
		return rc;
	if (rc > 0)
		caps->max_data_xfer_size = (uint32_t)v;

	rc = json_get_range(jcaps, "max_dma_maps", 1, UINT32_MAX, &v);
	if (rc < 0)
		return rc;
	if (rc > 0)
		caps->max_dma_maps = (uint32_t)v;

	rc = json_get_uint(jcaps, "pgsizes", &v);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		/* A set of page sizes: 4 KiB and possibly larger ones only. */
		if ((v & VFIO_USER_DEFAULT_PGSIZES) == 0 ||
		    (v & (VFIO_USER_DEFAULT_PGSIZES - 1)) != 0)
			return -EINVAL;
		caps->pgsizes = v;
	}

	rc = json_get_bool(jcaps, "write_multiple", &b);
	if (rc < 0)
		return rc;
	if (rc > 0)
		caps->write_multiple = b;

	rc = json_get_obj(jcaps, "twin_socket", &sub);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		rc = json_get_bool(sub, "supported", &b);
		if (rc < 0)
			return rc;
		if (rc > 0)
			caps->twin_socket = b;
		rc = json_get_range(sub, "fd_index", 0, INT32_MAX, &v);
		if (rc < 0)
			return rc;
	}

	rc = json_get_obj(jcaps, "migration", &sub);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		caps->migration = true;
		rc = json_get_uint(sub, "pgsize", &v);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			if (!is_pow2_u64(v))
				return -EINVAL;
			caps->mig_pgsize = v;
		}
		rc = json_get_uint(sub, "max_bitmap_size", &v);
		if (rc < 0)
			return rc;
		if (rc > 0)
			caps->mig_max_bitmap_size = v;
	}
	return 0;
}

static int
json_parse_caps(const char *json, size_t json_len, struct vfio_user_caps *caps)
{
	struct json_tokener *tok;
	struct json_object *root, *jcaps;
	int rc;

	tok = json_tokener_new_ex(VFIO_USER_JSON_DEPTH);
	if (tok == NULL)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	/* Length includes the NUL so the tokener knows the input ends. */
	root = json_tokener_parse_ex(tok, json, (int)json_len + 1);
	if (root == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != json_len) {
		rc = -EINVAL;
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		rc = -EINVAL;
		goto out;
	}
	rc = json_get_obj(root, "capabilities", &jcaps);
	if (rc <= 0)
		goto out;
	rc = caps_parse(jcaps, caps);
out:
	if (root != NULL)
		json_object_put(root);
	json_tokener_free(tok);
	return rc;
}

int
vfio_user_version_decode(const void *payload, size_t len, struct vfio_user_version *ver)
{
	struct vfio_user_version v;
	const char *json;
	size_t json_len;
	int rc;

	/* major, minor, then at least the NUL of the JSON. */
	if (payload == NULL || len < 5)
		return -EINVAL;
	v.major = rd16(payload, 0);
	v.minor = rd16(payload, 2);
	vfio_user_caps_default(&v.caps);

	if (len - 4 > VFIO_USER_MAX_JSON_LEN)
		return -E2BIG;
	json = (const char *)payload + 4;
	/* The JSON and its NUL end the payload: nothing after the NUL. */
	json_len = strnlen(json, len - 4);
	if (json_len != len - 5)
		return -EINVAL;

	rc = json_parse_caps(json, json_len, &v.caps);
	if (rc < 0)
		return rc;
	*ver = v;
	return 0;
}

int
vfio_user_version_encode(void *buf, size_t cap, uint16_t major, uint16_t minor,
			 const struct vfio_user_caps *caps)
{
	char json[512], mig[128] = "";
	int n;

	if (caps->migration) {
		n = snprintf(mig, sizeof(mig),
			     ",\"migration\":{\"pgsize\":%" PRIu64 ",\"max_bitmap_size\":%" PRIu64
			     "}",
			     caps->mig_pgsize, caps->mig_max_bitmap_size);
		if (n < 0 || (size_t)n >= sizeof(mig))
			return -ENOSPC;
	}
	/* Every numeric capability, and the booleans only when true. */
	n = snprintf(json, sizeof(json),
		     "{\"capabilities\":{\"max_msg_fds\":%" PRIu32
		     ",\"max_data_xfer_size\":%" PRIu32 ",\"max_dma_maps\":%" PRIu32
		     ",\"pgsizes\":%" PRIu64 "%s%s%s}}",
		     caps->max_msg_fds, caps->max_data_xfer_size, caps->max_dma_maps, caps->pgsizes,
		     caps->write_multiple ? ",\"write_multiple\":true" : "",
		     caps->twin_socket ? ",\"twin_socket\":{\"supported\":true}" : "", mig);
	if (n < 0 || (size_t)n >= sizeof(json))
		return -ENOSPC;
	if (cap < 4 || cap - 4 < (size_t)n + 1)
		return -ENOSPC;
	wr16(buf, 0, major);
	wr16(buf, 2, minor);
	memcpy((uint8_t *)buf + 4, json, (size_t)n + 1);
	return 4 + n + 1;
}

/* ------------------------------------------------------------------- DMA */

int
vfio_user_dma_map_decode(const void *payload, size_t len, unsigned int nfds, uint64_t pgsize,
			 struct vfio_user_dma_map *map)
{
	struct vfio_user_dma_map m;

	if (payload == NULL || len != VFIO_USER_DMA_MAP_SIZE)
		return -EINVAL;
	m.argsz = rd32(payload, 0);
	m.flags = rd32(payload, 4);
	m.offset = rd64(payload, 8);
	m.addr = rd64(payload, 16);
	m.size = rd64(payload, 24);

	if (m.argsz != VFIO_USER_DMA_MAP_SIZE)
		return -EINVAL;
	if (m.flags & ~(VFIO_USER_DMA_FLAG_READ | VFIO_USER_DMA_FLAG_WRITE))
		return -EINVAL;
	if (nfds > 1)
		return -EINVAL;
	if (m.size == 0)
		return -EINVAL;
	if (wraps_u64(m.addr, m.size) || wraps_u64(m.offset, m.size))
		return -EINVAL;
	if (!is_pow2_u64(pgsize))
		return -EINVAL;
	if ((m.addr | m.size | m.offset) & (pgsize - 1))
		return -EINVAL;

	*map = m;
	return 0;
}

int
vfio_user_dma_map_encode(void *buf, size_t cap, const struct vfio_user_dma_map *map)
{
	if (cap < VFIO_USER_DMA_MAP_SIZE)
		return -ENOSPC;
	/* argsz is always the size of the struct: nothing may follow it. */
	wr32(buf, 0, VFIO_USER_DMA_MAP_SIZE);
	wr32(buf, 4, map->flags);
	wr64(buf, 8, map->offset);
	wr64(buf, 16, map->addr);
	wr64(buf, 24, map->size);
	return VFIO_USER_DMA_MAP_SIZE;
}

int
vfio_user_dma_unmap_decode(const void *payload, size_t len, struct vfio_user_dma_unmap *unmap)
{
	struct vfio_user_dma_unmap u;

	if (payload == NULL || len < VFIO_USER_DMA_UNMAP_SIZE)
		return -EINVAL;
	u.argsz = rd32(payload, 0);
	u.flags = rd32(payload, 4);
	u.addr = rd64(payload, 8);
	u.size = rd64(payload, 16);

	if (u.flags & ~(VFIO_USER_DMA_UNMAP_FLAG_ALL | VFIO_USER_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP))
		return -EINVAL;
	/* Dirty page tracking is not supported: say so before the sizes. */
	if (u.flags & VFIO_USER_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP)
		return -ENOTSUP;
	if (len != VFIO_USER_DMA_UNMAP_SIZE || u.argsz != VFIO_USER_DMA_UNMAP_SIZE)
		return -EINVAL;
	if (u.flags & VFIO_USER_DMA_UNMAP_FLAG_ALL) {
		if (u.addr != 0 || u.size != 0)
			return -EINVAL;
	} else {
		/* A range may end at the top of the address space (last byte 2^64 - 1). */
		if (u.size == 0 || wraps_u64(u.addr, u.size - 1))
			return -EINVAL;
	}

	*unmap = u;
	return 0;
}

int
vfio_user_dma_unmap_encode(void *buf, size_t cap, const struct vfio_user_dma_unmap *unmap)
{
	if (cap < VFIO_USER_DMA_UNMAP_SIZE)
		return -ENOSPC;
	wr32(buf, 0, VFIO_USER_DMA_UNMAP_SIZE);
	wr32(buf, 4, unmap->flags);
	wr64(buf, 8, unmap->addr);
	wr64(buf, 16, unmap->size);
	return VFIO_USER_DMA_UNMAP_SIZE;
}

/* ----------------------------------------------- 16-byte u32 x 4 structs */

/*
 * DEVICE_GET_INFO, GET_REGION_IO_FDS and GET_IRQ_INFO share one layout:
 * four u32 with argsz first. Encoders write argsz as given, but never less
 * than the struct itself.
 */
static int
quad_decode(const void *payload, size_t len, uint32_t q[4])
{
	if (payload == NULL || len != 16)
		return -EINVAL;
	q[0] = rd32(payload, 0);
	q[1] = rd32(payload, 4);
	q[2] = rd32(payload, 8);
	q[3] = rd32(payload, 12);
	if (q[0] < 16)
		return -EINVAL;
	return 0;
}

static int
quad_encode(void *buf, size_t cap, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	if (cap < 16)
		return -ENOSPC;
	wr32(buf, 0, a < 16 ? 16 : a);
	wr32(buf, 4, b);
	wr32(buf, 8, c);
	wr32(buf, 12, d);
	return 16;
}

int
vfio_user_device_info_decode(const void *payload, size_t len, struct vfio_user_device_info *info)
{
	uint32_t q[4];
	int rc;

	rc = quad_decode(payload, len, q);
	if (rc < 0)
		return rc;
	info->argsz = q[0];
	info->flags = q[1];
	info->num_regions = q[2];
	info->num_irqs = q[3];
	return 0;
}

int
vfio_user_device_info_encode(void *buf, size_t cap, const struct vfio_user_device_info *info)
{
	return quad_encode(buf, cap, info->argsz, info->flags, info->num_regions, info->num_irqs);
}

/* ----------------------------------------------------------- region info */

/* Sparse mmap capability: 8-byte header, nr_areas, reserved, areas. */
#define VFIO_USER_CAP_HDR_SIZE 8u
#define VFIO_USER_SPARSE_HDR_SIZE 16u
#define VFIO_USER_SPARSE_AREA_SIZE 16u
/* Most capabilities followed in one reply's chain. */
#define VFIO_USER_MAX_CAP_HOPS 16u

static void
region_info_fixed_decode(const void *p, struct vfio_user_region_info *r)
{
	r->argsz = rd32(p, 0);
	r->flags = rd32(p, 4);
	r->index = rd32(p, 8);
	r->cap_offset = rd32(p, 12);
	r->size = rd64(p, 16);
	r->offset = rd64(p, 24);
	r->nr_areas = 0;
}

static void
region_info_fixed_encode(void *p, uint32_t argsz, uint32_t flags, uint32_t index,
			 uint32_t cap_offset, uint64_t size, uint64_t offset)
{
	wr32(p, 0, argsz);
	wr32(p, 4, flags);
	wr32(p, 8, index);
	wr32(p, 12, cap_offset);
	wr64(p, 16, size);
	wr64(p, 24, offset);
}

int
vfio_user_region_info_req_decode(const void *payload, size_t len, struct vfio_user_region_info *req)
{
	struct vfio_user_region_info r;

	if (payload == NULL || len != VFIO_USER_REGION_INFO_SIZE)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	region_info_fixed_decode(payload, &r);
	if (r.argsz < VFIO_USER_REGION_INFO_SIZE)
		return -EINVAL;
	*req = r;
	return 0;
}

int
vfio_user_region_info_req_encode(void *buf, size_t cap, uint32_t index, uint32_t argsz)
{
	if (cap < VFIO_USER_REGION_INFO_SIZE)
		return -ENOSPC;
	region_info_fixed_encode(buf, argsz, 0, index, 0, 0, 0);
	return VFIO_USER_REGION_INFO_SIZE;
}

int
vfio_user_region_info_reply_encode(void *buf, size_t cap, uint32_t req_argsz,
				   const struct vfio_user_region_info *info, bool *send_fd)
{
	uint32_t flags = info->flags & ~VFIO_USER_REGION_FLAG_CAPS;
	uint32_t needed = VFIO_USER_REGION_INFO_SIZE;
	uint8_t *p = buf;
	uint32_t i;

	if (info->nr_areas > VFIO_USER_MAX_SPARSE_AREAS)
		return -EINVAL;
	if (info->nr_areas > 0)
		needed += VFIO_USER_SPARSE_HDR_SIZE + VFIO_USER_SPARSE_AREA_SIZE * info->nr_areas;

	if (info->nr_areas == 0) {
		/* No capability: the fixed struct says it all. */
		if (cap < VFIO_USER_REGION_INFO_SIZE)
			return -ENOSPC;
		region_info_fixed_encode(p, VFIO_USER_REGION_INFO_SIZE, flags, info->index, 0,
					 info->size, info->offset);
		*send_fd = (flags & VFIO_USER_REGION_FLAG_MMAP) != 0;
		return VFIO_USER_REGION_INFO_SIZE;
	}

	if (needed > req_argsz) {
		/* Tell the client the size needed; no capability, no fd. */
		if (cap < VFIO_USER_REGION_INFO_SIZE)
			return -ENOSPC;
		flags &= ~VFIO_USER_REGION_FLAG_MMAP;
		region_info_fixed_encode(p, needed, flags, info->index, 0, info->size,
					 info->offset);
		*send_fd = false;
		return VFIO_USER_REGION_INFO_SIZE;
	}

	if (cap < needed)
		return -ENOSPC;
	flags |= VFIO_USER_REGION_FLAG_CAPS;
	region_info_fixed_encode(p, needed, flags, info->index, VFIO_USER_REGION_INFO_SIZE,
				 info->size, info->offset);
	p += VFIO_USER_REGION_INFO_SIZE;
	wr16(p, 0, VFIO_USER_REGION_INFO_CAP_SPARSE_MMAP);
	wr16(p, 2, 1);
	wr32(p, 4, 0);
	wr32(p, 8, info->nr_areas);
	wr32(p, 12, 0);
	p += VFIO_USER_SPARSE_HDR_SIZE;
	for (i = 0; i < info->nr_areas; i++) {
		wr64(p, 0, info->areas[i].offset);
		wr64(p, 8, info->areas[i].size);
		p += VFIO_USER_SPARSE_AREA_SIZE;
	}
	*send_fd = (flags & VFIO_USER_REGION_FLAG_MMAP) != 0;
	return (int)needed;
}

/* Decode the sparse mmap capability at off (header already in bounds). */
static int
sparse_decode(const uint8_t *p, size_t len, size_t off, struct vfio_user_region_info *r,
	      size_t *end)
{
	uint32_t nr, i;
	size_t areas_len;

	if (rd16(p, off + 2) != 1)
		return -ENOTSUP;
	if (len - off < VFIO_USER_SPARSE_HDR_SIZE)
		return -EINVAL;
	nr = rd32(p, off + 8);
	if (nr > VFIO_USER_MAX_SPARSE_AREAS)
		return -E2BIG;
	areas_len = (size_t)nr * VFIO_USER_SPARSE_AREA_SIZE;
	if (len - off - VFIO_USER_SPARSE_HDR_SIZE < areas_len)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		size_t a = off + VFIO_USER_SPARSE_HDR_SIZE + (size_t)i * VFIO_USER_SPARSE_AREA_SIZE;
		uint64_t ao = rd64(p, a), as = rd64(p, a + 8);

		/* Every area lies inside the region. */
		if (wraps_u64(ao, as) || ao + as > r->size)
			return -EINVAL;
		r->areas[i].offset = ao;
		r->areas[i].size = as;
	}
	r->nr_areas = nr;
	*end = off + VFIO_USER_SPARSE_HDR_SIZE + areas_len;
	return 0;
}

int
vfio_user_region_info_reply_decode(const void *payload, size_t len,
				   struct vfio_user_region_info *info)
{
	const uint8_t *p = payload;
	struct vfio_user_region_info r;
	bool have_sparse = false;
	size_t off, min_next;
	unsigned int hops;
	int rc;

	if (payload == NULL || len < VFIO_USER_REGION_INFO_SIZE)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	region_info_fixed_decode(p, &r);
	if (r.argsz < VFIO_USER_REGION_INFO_SIZE)
		return -EINVAL;

	if (!(r.flags & VFIO_USER_REGION_FLAG_CAPS)) {
		*info = r;
		return 0;
	}

	/* The chain must start after the fixed struct and lie within len. */
	off = r.cap_offset;
	if (off < VFIO_USER_REGION_INFO_SIZE)
		return -EINVAL;
	min_next = VFIO_USER_REGION_INFO_SIZE;
	for (hops = 0; off != 0; hops++) {
		size_t end;
		uint16_t id;
		uint32_t next;

		if (hops >= VFIO_USER_MAX_CAP_HOPS)
			return -EINVAL;
		/* Strictly forward, past the previous capability. */
		if (off < min_next)
			return -EINVAL;
		if (off > len || len - off < VFIO_USER_CAP_HDR_SIZE)
			return -EINVAL;
		id = rd16(p, off);
		next = rd32(p, off + 4);
		end = off + VFIO_USER_CAP_HDR_SIZE;
		if (id == VFIO_USER_REGION_INFO_CAP_SPARSE_MMAP) {
			if (have_sparse)
				return -EINVAL;
			rc = sparse_decode(p, len, off, &r, &end);
			if (rc < 0)
				return rc;
			have_sparse = true;
		}
		/* Unknown capability ids are skipped. */
		min_next = end;
		off = next;
	}

	*info = r;
	return 0;
}

/* -------------------------------------------------------- region io fds */

int
vfio_user_region_io_fds_decode(const void *payload, size_t len,
			       struct vfio_user_region_io_fds_req *req)
{
	uint32_t q[4];
	int rc;

	rc = quad_decode(payload, len, q);
	if (rc < 0)
		return rc;
	if (q[1] != 0 || q[3] != 0)
		return -EINVAL;
	req->argsz = q[0];
	req->flags = q[1];
	req->index = q[2];
	req->count = q[3];
	return 0;
}

int
vfio_user_region_io_fds_encode(void *buf, size_t cap, const struct vfio_user_region_io_fds_req *req)
{
	return quad_encode(buf, cap, req->argsz, req->flags, req->index, req->count);
}

/* ------------------------------------------------------------------ IRQs */

int
vfio_user_irq_info_decode(const void *payload, size_t len, struct vfio_user_irq_info *info)
{
	uint32_t q[4];
	int rc;

	rc = quad_decode(payload, len, q);
	if (rc < 0)
		return rc;
	info->argsz = q[0];
	info->flags = q[1];
	info->index = q[2];
	info->count = q[3];
	return 0;
}

int
vfio_user_irq_info_encode(void *buf, size_t cap, const struct vfio_user_irq_info *info)
{
	return quad_encode(buf, cap, info->argsz, info->flags, info->index, info->count);
}

int
vfio_user_set_irqs_decode(const void *payload, size_t len, unsigned int nfds,
			  struct vfio_user_set_irqs *set)
{
	const uint8_t *p = payload;
	struct vfio_user_set_irqs s;
	uint32_t data, action, i;
	size_t data_len;

	if (payload == NULL || len < VFIO_USER_SET_IRQS_SIZE)
		return -EINVAL;
	s.argsz = rd32(p, 0);
	s.flags = rd32(p, 4);
	s.index = rd32(p, 8);
	s.start = rd32(p, 12);
	s.count = rd32(p, 16);
	s.bools = NULL;

	if (s.argsz != len)
		return -EINVAL;
	if (s.flags & ~(VFIO_USER_IRQ_SET_DATA_MASK | VFIO_USER_IRQ_SET_ACTION_MASK_ALL))
		return -EINVAL;
	data = s.flags & VFIO_USER_IRQ_SET_DATA_MASK;
	action = s.flags & VFIO_USER_IRQ_SET_ACTION_MASK_ALL;
	if (popcount32(data) != 1 || popcount32(action) != 1)
		return -EINVAL;
	if (s.start > UINT32_MAX - s.count)
		return -EINVAL;
	if (s.count == 0 &&
	    (data != VFIO_USER_IRQ_SET_DATA_NONE || action != VFIO_USER_IRQ_SET_ACTION_TRIGGER))
		return -EINVAL;

	data_len = len - VFIO_USER_SET_IRQS_SIZE;
	switch (data) {
	case VFIO_USER_IRQ_SET_DATA_NONE:
		if (data_len != 0 || nfds != 0)
			return -EINVAL;
		break;
	case VFIO_USER_IRQ_SET_DATA_BOOL:
		if (data_len != s.count || nfds != 0)
			return -EINVAL;
		for (i = 0; i < s.count; i++)
			if (p[VFIO_USER_SET_IRQS_SIZE + i] > 1)
				return -EINVAL;
		s.bools = p + VFIO_USER_SET_IRQS_SIZE;
		break;
	default: /* VFIO_USER_IRQ_SET_DATA_EVENTFD */
		if (data_len != 0)
			return -EINVAL;
		if (action != VFIO_USER_IRQ_SET_ACTION_TRIGGER)
			return -EINVAL;
		if (nfds != 0 && nfds != s.count)
			return -EINVAL;
		break;
	}

	*set = s;
	return 0;
}

int
vfio_user_set_irqs_encode(void *buf, size_t cap, const struct vfio_user_set_irqs *set)
{
	size_t n = VFIO_USER_SET_IRQS_SIZE;

	if (set->bools != NULL)
		n += set->count;
	if (n > INT32_MAX)
		return -EINVAL;
	if (cap < n)
		return -ENOSPC;
	wr32(buf, 0, (uint32_t)n);
	wr32(buf, 4, set->flags);
	wr32(buf, 8, set->index);
	wr32(buf, 12, set->start);
	wr32(buf, 16, set->count);
	if (set->bools != NULL && set->count > 0)
		memcpy((uint8_t *)buf + VFIO_USER_SET_IRQS_SIZE, set->bools, set->count);
	return (int)n;
}

/* --------------------------------------------------------- region access */

static void
access_hdr_decode(const void *p, struct vfio_user_region_access *acc)
{
	acc->offset = rd64(p, 0);
	acc->region = rd32(p, 8);
	acc->count = rd32(p, 12);
	acc->data = NULL;
}

static int
access_count_check(const struct vfio_user_region_access *a, uint32_t max_xfer)
{
	if (a->count == 0)
		return -EINVAL;
	if (a->count > max_xfer)
		return -E2BIG;
	if (wraps_u64(a->offset, a->count))
		return -EINVAL;
	return 0;
}

int
vfio_user_region_read_decode(const void *payload, size_t len, uint32_t max_xfer,
			     struct vfio_user_region_access *acc)
{
	struct vfio_user_region_access a;
	int rc;

	if (payload == NULL || len < VFIO_USER_REGION_ACCESS_SIZE)
		return -EINVAL;
	access_hdr_decode(payload, &a);
	rc = access_count_check(&a, max_xfer);
	if (rc < 0)
		return rc;
	if (len != VFIO_USER_REGION_ACCESS_SIZE)
		return -EINVAL;
	*acc = a;
	return 0;
}

int
vfio_user_region_write_decode(const void *payload, size_t len, uint32_t max_xfer,
			      struct vfio_user_region_access *acc)
{
	struct vfio_user_region_access a;
	int rc;

	if (payload == NULL || len < VFIO_USER_REGION_ACCESS_SIZE)
		return -EINVAL;
	access_hdr_decode(payload, &a);
	rc = access_count_check(&a, max_xfer);
	if (rc < 0)
		return rc;
	if (len - VFIO_USER_REGION_ACCESS_SIZE != a.count)
		return -EINVAL;
	a.data = (const uint8_t *)payload + VFIO_USER_REGION_ACCESS_SIZE;
	*acc = a;
	return 0;
}

int
vfio_user_region_read_reply_decode(const void *payload, size_t len,
				   struct vfio_user_region_access *acc)
{
	struct vfio_user_region_access a;

	if (payload == NULL || len < VFIO_USER_REGION_ACCESS_SIZE)
		return -EINVAL;
	access_hdr_decode(payload, &a);
	if (len - VFIO_USER_REGION_ACCESS_SIZE != a.count)
		return -EINVAL;
	a.data = (const uint8_t *)payload + VFIO_USER_REGION_ACCESS_SIZE;
	*acc = a;
	return 0;
}

int
vfio_user_region_write_reply_decode(const void *payload, size_t len,
				    struct vfio_user_region_access *acc)
{
	if (payload == NULL || len != VFIO_USER_REGION_ACCESS_SIZE)
		return -EINVAL;
	access_hdr_decode(payload, acc);
	return 0;
}

int
vfio_user_region_access_encode(void *buf, size_t cap, const struct vfio_user_region_access *acc,
			       const void *data)
{
	size_t n = VFIO_USER_REGION_ACCESS_SIZE;

	if (data != NULL)
		n += acc->count;
	if (n > INT32_MAX)
		return -EINVAL;
	if (cap < n)
		return -ENOSPC;
	wr64(buf, 0, acc->offset);
	wr32(buf, 8, acc->region);
	wr32(buf, 12, acc->count);
	if (data != NULL && acc->count > 0)
		memcpy((uint8_t *)buf + VFIO_USER_REGION_ACCESS_SIZE, data, acc->count);
	return (int)n;
}

int
vfio_user_write_multi_decode(const void *payload, size_t len,
			     struct vfio_user_write_multi_entry *entries, uint32_t *nr_entries)
{
	const uint8_t *p = payload;
	uint64_t wr_cnt;
	uint32_t i;

	if (payload == NULL || len < 8)
		return -EINVAL;
	wr_cnt = rd64(p, 0);
	if (wr_cnt == 0 || wr_cnt > VFIO_USER_WRITE_MULTI_MAX)
		return -EINVAL;
	if ((len - 8) != wr_cnt * VFIO_USER_WRITE_MULTI_ENTRY_SIZE)
		return -EINVAL;
	/* Validate all before writing any entry out. */
	for (i = 0; i < wr_cnt; i++) {
		uint32_t count = rd32(p, 8 + (size_t)i * VFIO_USER_WRITE_MULTI_ENTRY_SIZE + 12);

		if (count == 0 || count > VFIO_USER_WRITE_MULTI_DATA)
			return -EINVAL;
	}
	for (i = 0; i < wr_cnt; i++) {
		size_t off = 8 + (size_t)i * VFIO_USER_WRITE_MULTI_ENTRY_SIZE;

		entries[i].offset = rd64(p, off);
		entries[i].region = rd32(p, off + 8);
		entries[i].count = rd32(p, off + 12);
		memcpy(entries[i].data, p + off + 16, VFIO_USER_WRITE_MULTI_DATA);
	}
	*nr_entries = (uint32_t)wr_cnt;
	return 0;
}

int
vfio_user_write_multi_encode(void *buf, size_t cap,
			     const struct vfio_user_write_multi_entry *entries, uint32_t nr_entries)
{
	size_t n;
	uint32_t i;

	if (nr_entries == 0 || nr_entries > VFIO_USER_WRITE_MULTI_MAX)
		return -EINVAL;
	n = 8 + (size_t)nr_entries * VFIO_USER_WRITE_MULTI_ENTRY_SIZE;
	if (cap < n)
		return -ENOSPC;
	wr64(buf, 0, nr_entries);
	for (i = 0; i < nr_entries; i++) {
		size_t off = 8 + (size_t)i * VFIO_USER_WRITE_MULTI_ENTRY_SIZE;

		wr64(buf, off, entries[i].offset);
		wr32(buf, off + 8, entries[i].region);
		wr32(buf, off + 12, entries[i].count);
		memcpy((uint8_t *)buf + off + 16, entries[i].data, VFIO_USER_WRITE_MULTI_DATA);
	}
	return (int)n;
}

/* ------------------------------------------------------ DMA read / write */

static int
dma_access_check(const struct vfio_user_dma_access *a, uint32_t max_xfer)
{
	if (a->count == 0)
		return -EINVAL;
	if (a->count > max_xfer)
		return -E2BIG;
	if (wraps_u64(a->addr, a->count))
		return -EINVAL;
	return 0;
}

int
vfio_user_dma_read_decode(const void *payload, size_t len, uint32_t max_xfer,
			  struct vfio_user_dma_access *acc)
{
	struct vfio_user_dma_access a;
	int rc;

	if (payload == NULL || len < VFIO_USER_DMA_ACCESS_SIZE)
		return -EINVAL;
	a.addr = rd64(payload, 0);
	a.count = rd64(payload, 8);
	a.data = NULL;
	rc = dma_access_check(&a, max_xfer);
	if (rc < 0)
		return rc;
	if (len != VFIO_USER_DMA_ACCESS_SIZE)
		return -EINVAL;
	*acc = a;
	return 0;
}

int
vfio_user_dma_write_decode(const void *payload, size_t len, uint32_t max_xfer,
			   struct vfio_user_dma_access *acc)
{
	struct vfio_user_dma_access a;
	int rc;

	if (payload == NULL || len < VFIO_USER_DMA_ACCESS_SIZE)
		return -EINVAL;
	a.addr = rd64(payload, 0);
	a.count = rd64(payload, 8);
	a.data = NULL;
	rc = dma_access_check(&a, max_xfer);
	if (rc < 0)
		return rc;
	if (len - VFIO_USER_DMA_ACCESS_SIZE != a.count)
		return -EINVAL;
	a.data = (const uint8_t *)payload + VFIO_USER_DMA_ACCESS_SIZE;
	*acc = a;
	return 0;
}

int
vfio_user_dma_access_encode(void *buf, size_t cap, const struct vfio_user_dma_access *acc,
			    const void *data)
{
	size_t n = VFIO_USER_DMA_ACCESS_SIZE;

	if (data != NULL) {
		if (acc->count > INT32_MAX - VFIO_USER_DMA_ACCESS_SIZE)
			return -EINVAL;
		n += (size_t)acc->count;
	}
	if (cap < n)
		return -ENOSPC;
	wr64(buf, 0, acc->addr);
	wr64(buf, 8, acc->count);
	if (data != NULL && acc->count > 0)
		memcpy((uint8_t *)buf + VFIO_USER_DMA_ACCESS_SIZE, data, (size_t)acc->count);
	return (int)n;
}

/* -------------------------------------------------------- device feature */

int
vfio_user_device_feature_decode(const void *payload, size_t len,
				struct vfio_user_device_feature *feat)
{
	struct vfio_user_device_feature f;
	uint32_t gs;

	if (payload == NULL || len < VFIO_USER_DEVICE_FEATURE_SIZE)
		return -EINVAL;
	f.argsz = rd32(payload, 0);
	f.flags = rd32(payload, 4);
	if (f.argsz != len)
		return -EINVAL;
	if (f.flags &
	    ~(VFIO_USER_DEVICE_FEATURE_MASK | VFIO_USER_DEVICE_FEATURE_GET |
	      VFIO_USER_DEVICE_FEATURE_SET | VFIO_USER_DEVICE_FEATURE_PROBE))
		return -EINVAL;
	gs = f.flags & (VFIO_USER_DEVICE_FEATURE_GET | VFIO_USER_DEVICE_FEATURE_SET);
	if (gs == (VFIO_USER_DEVICE_FEATURE_GET | VFIO_USER_DEVICE_FEATURE_SET))
		return -EINVAL;
	if (gs == 0 && !(f.flags & VFIO_USER_DEVICE_FEATURE_PROBE))
		return -EINVAL;
	f.feature = f.flags & VFIO_USER_DEVICE_FEATURE_MASK;
	f.data_len = (uint32_t)(len - VFIO_USER_DEVICE_FEATURE_SIZE);
	*feat = f;
	return 0;
}

int
vfio_user_device_feature_encode(void *buf, size_t cap, uint32_t flags, const void *data,
				uint32_t data_len)
{
	size_t n = (size_t)VFIO_USER_DEVICE_FEATURE_SIZE + data_len;

	if (buf == NULL || cap < n || n > UINT32_MAX || (data_len > 0 && data == NULL))
		return -ENOSPC;
	wr32(buf, 0, (uint32_t)n);
	wr32(buf, 4, flags);
	if (data_len > 0 && (const uint8_t *)data != (uint8_t *)buf + VFIO_USER_DEVICE_FEATURE_SIZE)
		memmove((uint8_t *)buf + VFIO_USER_DEVICE_FEATURE_SIZE, data, data_len);
	return (int)n;
}

int
vfio_user_migration_decode(const void *data, size_t len, uint64_t *flags)
{
	uint64_t f;

	if (data == NULL || len != VFIO_USER_MIGRATION_SIZE)
		return -EINVAL;
	f = rd64(data, 0);
	if (!(f & VFIO_USER_MIGRATION_STOP_COPY) || (f & ~(uint64_t)VFIO_USER_MIGRATION_KNOWN))
		return -EINVAL;
	*flags = f;
	return 0;
}

int
vfio_user_migration_encode(void *buf, size_t cap, uint64_t flags)
{
	if (buf == NULL || cap < VFIO_USER_MIGRATION_SIZE)
		return -ENOSPC;
	wr64(buf, 0, flags);
	return VFIO_USER_MIGRATION_SIZE;
}

int
vfio_user_mig_state_decode(const void *data, size_t len, uint32_t *state)
{
	uint32_t s;

	if (data == NULL || len != VFIO_USER_MIG_STATE_SIZE)
		return -EINVAL;
	s = rd32(data, 0);
	switch (s) {
	case VFIO_USER_STATE_ERROR:
	case VFIO_USER_STATE_STOP:
	case VFIO_USER_STATE_RUNNING:
	case VFIO_USER_STATE_STOP_COPY:
	case VFIO_USER_STATE_RESUMING:
	case VFIO_USER_STATE_PRE_COPY:
		*state = s;
		return 0;
	default:
		return -EINVAL;
	}
}

int
vfio_user_mig_state_encode(void *buf, size_t cap, uint32_t state)
{
	if (buf == NULL || cap < VFIO_USER_MIG_STATE_SIZE)
		return -ENOSPC;
	wr32(buf, 0, state);
	wr32(buf, 4, UINT32_MAX);
	return VFIO_USER_MIG_STATE_SIZE;
}

/* page_size a power of two >= 4096, length > 0, both multiples, no wrap. */
static bool
log_range_ok(uint64_t page_size, uint64_t iova, uint64_t length)
{
	return length > 0 && ((iova | length) & (page_size - 1)) == 0 && !wraps_u64(iova, length);
}

int
vfio_user_dma_logging_ctl_decode(const void *data, size_t len,
				 struct vfio_user_dma_logging_ctl *ctl)
{
	struct vfio_user_dma_logging_ctl c;
	uint64_t iova, length;
	uint32_t i;

	if (data == NULL || len < VFIO_USER_DMA_LOGGING_CTL_SIZE)
		return -EINVAL;
	c.page_size = rd64(data, 0);
	c.num_ranges = rd32(data, 8);
	if (rd32(data, 12) != 0)
		return -EINVAL;
	if (c.num_ranges == 0 || c.num_ranges > VFIO_USER_DMA_LOGGING_MAX_RANGES)
		return -EINVAL;
	if (len !=
	    VFIO_USER_DMA_LOGGING_CTL_SIZE +
		    (size_t)c.num_ranges * VFIO_USER_DMA_LOGGING_RANGE_SIZE)
		return -EINVAL;
	if (!is_pow2_u64(c.page_size) || c.page_size < VFIO_USER_DMA_LOGGING_MIN_PGSIZE)
		return -EINVAL;
	c.ranges = (const uint8_t *)data + VFIO_USER_DMA_LOGGING_CTL_SIZE;
	for (i = 0; i < c.num_ranges; i++) {
		vfio_user_dma_logging_range(&c, i, &iova, &length);
		if (!log_range_ok(c.page_size, iova, length))
			return -EINVAL;
	}
	*ctl = c;
	return 0;
}

void
vfio_user_dma_logging_range(const struct vfio_user_dma_logging_ctl *ctl, uint32_t i, uint64_t *iova,
			    uint64_t *length)
{
	size_t off = (size_t)i * VFIO_USER_DMA_LOGGING_RANGE_SIZE;

	*iova = rd64(ctl->ranges, off);
	*length = rd64(ctl->ranges, off + 8);
}

int
vfio_user_dma_logging_ctl_encode(void *buf, size_t cap, uint64_t page_size,
				 const uint64_t (*ranges)[2], uint32_t n)
{
	size_t len = VFIO_USER_DMA_LOGGING_CTL_SIZE + (size_t)n * VFIO_USER_DMA_LOGGING_RANGE_SIZE;
	uint32_t i;

	if (buf == NULL || cap < len || (n > 0 && ranges == NULL) || len > INT32_MAX)
		return -ENOSPC;
	wr64(buf, 0, page_size);
	wr32(buf, 8, n);
	wr32(buf, 12, 0);
	for (i = 0; i < n; i++) {
		wr64(buf, VFIO_USER_DMA_LOGGING_CTL_SIZE + (size_t)i * 16, ranges[i][0]);
		wr64(buf, VFIO_USER_DMA_LOGGING_CTL_SIZE + (size_t)i * 16 + 8, ranges[i][1]);
	}
	return (int)len;
}

static int
report_fixed_decode(const void *data, uint64_t max_bitmap, struct vfio_user_dma_logging_report *r)
{
	uint64_t pages;

	r->iova = rd64(data, 0);
	r->length = rd64(data, 8);
	r->page_size = rd64(data, 16);
	r->bitmap = NULL;
	if (!is_pow2_u64(r->page_size) || r->page_size < VFIO_USER_DMA_LOGGING_MIN_PGSIZE ||
	    !log_range_ok(r->page_size, r->iova, r->length))
		return -EINVAL;
	pages = r->length / r->page_size;
	r->bitmap_size = (pages / 64 + (pages % 64 != 0)) * 8;
	if (r->bitmap_size > max_bitmap)
		return -E2BIG;
	return 0;
}

int
vfio_user_dma_logging_report_decode(const void *data, size_t len, uint64_t max_bitmap,
				    struct vfio_user_dma_logging_report *rep)
{
	struct vfio_user_dma_logging_report r;
	int rc;

	if (data == NULL || len != VFIO_USER_DMA_LOGGING_REPORT_SIZE)
		return -EINVAL;
	rc = report_fixed_decode(data, max_bitmap, &r);
	if (rc < 0)
		return rc;
	*rep = r;
	return 0;
}

int
vfio_user_dma_logging_report_reply_decode(const void *data, size_t len, uint64_t max_bitmap,
					  struct vfio_user_dma_logging_report *rep)
{
	struct vfio_user_dma_logging_report r;
	int rc;

	if (data == NULL || len < VFIO_USER_DMA_LOGGING_REPORT_SIZE)
		return -EINVAL;
	rc = report_fixed_decode(data, max_bitmap, &r);
	if (rc < 0)
		return rc;
	if (len - VFIO_USER_DMA_LOGGING_REPORT_SIZE != r.bitmap_size)
		return -EINVAL;
	r.bitmap = (const uint8_t *)data + VFIO_USER_DMA_LOGGING_REPORT_SIZE;
	*rep = r;
	return 0;
}

int
vfio_user_dma_logging_report_encode(void *buf, size_t cap,
				    const struct vfio_user_dma_logging_report *rep,
				    const void *bitmap)
{
	uint64_t n = VFIO_USER_DMA_LOGGING_REPORT_SIZE;

	if (bitmap != NULL)
		n += rep->bitmap_size;
	if (buf == NULL || n > cap || n > INT32_MAX)
		return -ENOSPC;
	wr64(buf, 0, rep->iova);
	wr64(buf, 8, rep->length);
	wr64(buf, 16, rep->page_size);
	if (bitmap != NULL && rep->bitmap_size > 0)
		memcpy((uint8_t *)buf + VFIO_USER_DMA_LOGGING_REPORT_SIZE, bitmap,
		       (size_t)rep->bitmap_size);
	return (int)n;
}

/* ------------------------------------------------------- migration data */

int
vfio_user_mig_data_read_decode(const void *payload, size_t len, uint32_t max_xfer,
			       struct vfio_user_mig_data *md)
{
	struct vfio_user_mig_data m;

	if (payload == NULL || len != VFIO_USER_MIG_DATA_SIZE)
		return -EINVAL;
	m.argsz = rd32(payload, 0);
	m.size = rd32(payload, 4);
	m.data = NULL;
	if (m.size == 0)
		return -EINVAL;
	if (m.size > max_xfer)
		return -E2BIG;
	if ((uint64_t)m.argsz < (uint64_t)VFIO_USER_MIG_DATA_SIZE + m.size)
		return -EINVAL;
	*md = m;
	return 0;
}

int
vfio_user_mig_data_read_reply_decode(const void *payload, size_t len, struct vfio_user_mig_data *md)
{
	struct vfio_user_mig_data m;

	if (payload == NULL || len < VFIO_USER_MIG_DATA_SIZE)
		return -EINVAL;
	m.argsz = rd32(payload, 0);
	m.size = rd32(payload, 4);
	if (m.argsz != len || (uint64_t)m.size + VFIO_USER_MIG_DATA_SIZE != len)
		return -EINVAL;
	m.data = (const uint8_t *)payload + VFIO_USER_MIG_DATA_SIZE;
	*md = m;
	return 0;
}

int
vfio_user_mig_data_write_decode(const void *payload, size_t len, uint32_t max_xfer,
				struct vfio_user_mig_data *md)
{
	struct vfio_user_mig_data m;

	if (payload == NULL || len < VFIO_USER_MIG_DATA_SIZE)
		return -EINVAL;
	m.argsz = rd32(payload, 0);
	m.size = rd32(payload, 4);
	if (m.argsz < VFIO_USER_MIG_DATA_SIZE || m.size == 0)
		return -EINVAL;
	if (m.size > max_xfer)
		return -E2BIG;
	if ((uint64_t)m.size + VFIO_USER_MIG_DATA_SIZE != len)
		return -EINVAL;
	m.data = (const uint8_t *)payload + VFIO_USER_MIG_DATA_SIZE;
	*md = m;
	return 0;
}

int
vfio_user_mig_data_encode(void *buf, size_t cap, uint32_t argsz, uint32_t size, const void *data)
{
	uint64_t n = VFIO_USER_MIG_DATA_SIZE + (data != NULL ? (uint64_t)size : 0);

	if (buf == NULL || n > cap || n > INT32_MAX)
		return -ENOSPC;
	wr32(buf, 0, argsz);
	wr32(buf, 4, size);
	if (data != NULL && size > 0 &&
	    (const uint8_t *)data != (uint8_t *)buf + VFIO_USER_MIG_DATA_SIZE)
		memmove((uint8_t *)buf + VFIO_USER_MIG_DATA_SIZE, data, size);
	return (int)n;
}
