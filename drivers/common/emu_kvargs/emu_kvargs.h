/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef EMU_KVARGS_H
#define EMU_KVARGS_H

/**
 * @file
 * Device arguments ("key=value,key=value") of the project's drivers, parsed
 * with rte_kvargs and checked the same way by all of them:
 *  - an unknown key, a key given twice, a key without a value (or with an
 *    empty one) fails, with a message naming the device and the key;
 *  - the pairs are taken in the order they are given: the first bad one is
 *    the one reported;
 *  - a number in a range is a table entry (EMU_KVARGS_NUM: the helper
 *    checks and stores it);
 *  - any other key's value goes to the driver's function for it, which
 *    checks it (emu_kvargs_uint(), emu_kvargs_str() help) and says what is
 *    wrong with EMU_KVARGS_ERR().
 *
 * Every message is one ERR line of the driver's log type:
 *   "<prefix><device name>: <text>"
 *
 * Header-only; drivers depend on it with emu_kvargs_dep.
 *
 *   static int my_path(struct emu_kvargs *p, const char *key, const char *val)
 *   {
 *           struct my_args *a = p->arg;
 *
 *           if (emu_kvargs_str(val, a->path, sizeof(a->path)) < 0) {
 *                   EMU_KVARGS_ERR(p, "argument \"%s\": longer than %zu bytes", key,
 *                                  sizeof(a->path) - 1);
 *                   return -1;
 *           }
 *           return 0;
 *   }
 *   static const struct emu_kvargs_key keys[] = {
 *           {"path", my_path},
 *           EMU_KVARGS_NUM("queues", struct my_args, queues, 1, 16, "a number of queues"),
 *   };
 *   struct emu_kvargs p = {.name = name, .logtype = my_logtype, .prefix = "MY: ",
 *           .known = "queues", .keys = keys, .nb_keys = RTE_DIM(keys), .arg = &a};
 *
 *   if (emu_kvargs_parse(&p, rte_vdev_device_args(vdev)) < 0)
 *           return -EINVAL;
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_kvargs.h>
#include <rte_log.h>
#include <rte_version.h>

struct emu_kvargs;

/**
 * Takes the value of one key (never NULL nor empty) into p->arg.
 * @return 0, or < 0 after an EMU_KVARGS_ERR() line saying why.
 */
typedef int (*emu_kvargs_fn_t)(struct emu_kvargs *p, const char *key, const char *value);

/** A key a driver accepts. */
struct emu_kvargs_key {
	const char *key;
	/** Takes the value; NULL: a number, as the fields below say. */
	emu_kvargs_fn_t fn;
	/**
	 * A decimal number in min..max, stored in the unsigned integer of size
	 * bytes at offset in p->arg; else the line
	 * "argument \"<key>\": \"<value>\" is not <what> in <min>..<max>".
	 */
	const char *what;
	uint64_t min, max;
	size_t offset, size;
};

/** A key whose value is a number in lo..hi, into field of the driver's type. */
#define EMU_KVARGS_NUM(k, type, field, lo, hi, what_) \
	{ \
		.key = (k), .fn = NULL, .what = (what_), .min = (lo), .max = (hi), \
		.offset = offsetof(type, field), .size = sizeof(((type *)NULL)->field), \
	}

/** One parse: what the driver sets, and the list while it runs. */
struct emu_kvargs {
	const char *name; /**< the device's name, first in every message */
	int logtype; /**< the driver's log type */
	const char *prefix; /**< before the name, e.g. "EMU_IAVF: " */
	const char *known; /**< the keys, as the unknown-key message lists them */
	const struct emu_kvargs_key *keys;
	unsigned int nb_keys;
	void *arg; /**< the driver's argument structure */
	const struct rte_kvargs *kv; /**< set by emu_kvargs_parse() while it runs */
};

/** One ERR line of the parse's log type: "<prefix><name>: <fmt>". */
#define EMU_KVARGS_ERR(p, fmt, ...) \
	rte_log(RTE_LOG_ERR, (p)->logtype, "%s%s: " fmt "\n", (p)->prefix, (p)->name, ##__VA_ARGS__)

/*
 * From DPDK 23.03, rte_kvargs_process() refuses a key without a value
 * before calling the handler, and rte_kvargs_process_opt() passes it on:
 * the helper says "needs a value" itself, so it wants the latter.
 */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define EMU_KVARGS_PROCESS rte_kvargs_process_opt
#else
#define EMU_KVARGS_PROCESS rte_kvargs_process
#endif

/**
 * A decimal number without sign, space or suffix, in min..max.
 * @return 0 (*out set), or -EINVAL.
 */
static inline int
emu_kvargs_uint(const char *val, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end = NULL;

	if (val == NULL || val[0] < '0' || val[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(val, &end, 10);
	if (errno != 0 || end == val || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/**
 * Copy a string value into a buffer of size bytes.
 * @return 0, or -ENAMETOOLONG (size - 1 characters at most; buf unchanged).
 */
static inline int
emu_kvargs_str(const char *val, char *buf, size_t size)
{
	size_t n = strlen(val);

	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, val, n + 1);
	return 0;
}

/* A number key's value (EMU_KVARGS_NUM). */
static inline int
emu_kvargs_num(struct emu_kvargs *p, const struct emu_kvargs_key *k, const char *value)
{
	uint8_t *field = (uint8_t *)p->arg + k->offset;
	uint64_t v;

	if (emu_kvargs_uint(value, k->min, k->max, &v) < 0 ||
	    (k->size < sizeof(v) && v >> (8 * k->size) != 0)) {
		EMU_KVARGS_ERR(p, "argument \"%s\": \"%s\" is not %s in %" PRIu64 "..%" PRIu64,
			       k->key, value, k->what, k->min, k->max);
		return -1;
	}
	switch (k->size) {
	case sizeof(uint8_t):
		*field = (uint8_t)v;
		break;
	case sizeof(uint16_t):
		*(uint16_t *)(void *)field = (uint16_t)v;
		break;
	case sizeof(uint32_t):
		*(uint32_t *)(void *)field = (uint32_t)v;
		break;
	default:
		*(uint64_t *)(void *)field = v;
		break;
	}
	return 0;
}

/* rte_kvargs_process() handler: one pair, in the order given. */
static inline int
emu_kvargs_pair(const char *key, const char *value, void *opaque)
{
	struct emu_kvargs *p = opaque;
	unsigned int k;

	for (k = 0; k < p->nb_keys; k++)
		if (strcmp(key, p->keys[k].key) == 0)
			break;
	if (k == p->nb_keys) {
		EMU_KVARGS_ERR(p, "unknown argument \"%s\" (known: %s)", key, p->known);
		return -1;
	}
	if (rte_kvargs_count(p->kv, key) > 1) {
		EMU_KVARGS_ERR(p, "argument \"%s\" given more than once", key);
		return -1;
	}
	if (value == NULL || value[0] == '\0') {
		EMU_KVARGS_ERR(p, "argument \"%s\" needs a value", key);
		return -1;
	}
	if (p->keys[k].fn == NULL)
		return emu_kvargs_num(p, &p->keys[k], value);
	return p->keys[k].fn(p, key, value) < 0 ? -1 : 0;
}

/**
 * Parse args (NULL: none) with the keys of p, each value through its
 * function. Keys the driver requires are the driver's to check afterwards.
 * @return 0, or -EINVAL after one ERR line saying why.
 */
static inline int
emu_kvargs_parse(struct emu_kvargs *p, const char *args)
{
	struct rte_kvargs *kv;
	int ret;

	kv = rte_kvargs_parse(args != NULL ? args : "", NULL);
	if (kv == NULL) {
		EMU_KVARGS_ERR(p, "cannot parse devargs \"%s\"", args != NULL ? args : "");
		return -EINVAL;
	}
	p->kv = kv;
	ret = EMU_KVARGS_PROCESS(kv, NULL, emu_kvargs_pair, p);
	p->kv = NULL;
	rte_kvargs_free(kv);
	return ret < 0 ? -EINVAL : 0;
}

#endif /* EMU_KVARGS_H */
