/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef VFIO_USER_LOG_H
#define VFIO_USER_LOG_H

#include <rte_log.h>

extern int vfio_user_logtype;

/* One line for function func, at level lvl (RTE_LOG_xxx). */
#define VFIO_USER_LOG_FROM(lvl, func, fmt, ...) \
	rte_log(lvl, vfio_user_logtype, "VFIO_USER: %s(): " fmt "\n", func, ##__VA_ARGS__)
#define VFIO_USER_LOG(level, fmt, ...) \
	VFIO_USER_LOG_FROM(RTE_LOG_##level, __func__, fmt, ##__VA_ARGS__)

#endif /* VFIO_USER_LOG_H */
