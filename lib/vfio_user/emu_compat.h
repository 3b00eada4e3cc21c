/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef EMU_COMPAT_H
#define EMU_COMPAT_H

/**
 * @file
 * The differences between the DPDK versions the project builds against
 * (22.11 LTS and later, e.g. Debian 13's 24.11, sid's 25.11), in one place:
 * the code uses the names below, which map to the API of the DPDK it is
 * compiled with.
 * Private (not installed): the targets that have vfio_user_inc include it
 * as "emu_compat.h", lib/emudev as "../vfio_user/emu_compat.h".
 *
 * Kept in step with devtools/test-dpdk-version.sh, which builds the project
 * against Debian 13's DPDK 24.11.
 */

#include <stdint.h>

#include <rte_version.h>

/*
 * Control threads. DPDK 23.11 added rte_thread_create_control() (rte_thread_t,
 * a function returning uint32_t) and deprecated rte_ctrl_thread_create()
 * (pthread_t, a function returning void *); 24.11 removed the latter.
 *
 *   static emu_thread_ret_t main_fn(void *arg) { ...; return EMU_THREAD_RET; }
 *   emu_ctrl_thread_t t;
 *   ret = emu_ctrl_thread_create(&t, "name", main_fn, arg); (0, or a negative errno)
 *   emu_ctrl_thread_join(t);
 *
 * The name is at most 15 characters.
 */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 11, 0, 0)

#include <rte_thread.h>

typedef rte_thread_t emu_ctrl_thread_t;
typedef uint32_t emu_thread_ret_t;
#define EMU_THREAD_RET 0

static inline int
emu_ctrl_thread_create(emu_ctrl_thread_t *t, const char *name, emu_thread_ret_t (*fn)(void *),
		       void *arg)
{
	int ret = rte_thread_create_control(t, name, fn, arg);

	return ret > 0 ? -ret : ret;
}

static inline int
emu_ctrl_thread_join(emu_ctrl_thread_t t)
{
	return rte_thread_join(t, NULL);
}

#else /* DPDK < 23.11 */

#include <pthread.h>

#include <rte_lcore.h>

typedef pthread_t emu_ctrl_thread_t;
typedef void *emu_thread_ret_t;
#define EMU_THREAD_RET NULL

static inline int
emu_ctrl_thread_create(emu_ctrl_thread_t *t, const char *name, emu_thread_ret_t (*fn)(void *),
		       void *arg)
{
	int ret = rte_ctrl_thread_create(t, name, NULL, fn, arg);

	return ret > 0 ? -ret : ret;
}

static inline int
emu_ctrl_thread_join(emu_ctrl_thread_t t)
{
	return pthread_join(t, NULL);
}

#endif /* DPDK 23.11 */

/*
 * Telemetry: DPDK 23.03 added rte_tel_data_add_dict_uint() and deprecated
 * rte_tel_data_add_dict_u64() (a warning, an error under -Werror).
 */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define emu_tel_data_add_dict_uint rte_tel_data_add_dict_uint
#else
#define emu_tel_data_add_dict_uint rte_tel_data_add_dict_u64
#endif

/*
 * Packed structures: DPDK 25.03 added __rte_packed_begin/__rte_packed_end
 * (for MSVC) and deprecated __rte_packed (a warning, an error under -Werror).
 *
 *   struct EMU_PACKED_BEGIN name { ... } EMU_PACKED_END;
 */
#include <rte_common.h>
#ifdef __rte_packed_begin
#define EMU_PACKED_BEGIN __rte_packed_begin
#define EMU_PACKED_END __rte_packed_end
#else
#define EMU_PACKED_BEGIN
#define EMU_PACKED_END __rte_packed
#endif

#endif /* EMU_COMPAT_H */
