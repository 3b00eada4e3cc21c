/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef VFIO_USER_LOG_H
#define VFIO_USER_LOG_H

#include <rte_log.h>

extern int vfio_user_logtype;

#define VFIO_USER_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vfio_user_logtype, "VFIO_USER: %s(): " fmt "\n", __func__, \
		##__VA_ARGS__)

#endif /* VFIO_USER_LOG_H */
