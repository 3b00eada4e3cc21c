/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#ifndef TEST_H
#define TEST_H

/*
 * A small unit-test framework in the style of DPDK's app/test: commands
 * registered with REGISTER_TEST_COMMAND run as "dpdk-test <EAL args> -- cmd"
 * or with DPDK_TEST=cmd in the environment; suites of cases report every
 * case and a summary.
 */

#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_common.h>

#define TEST_SUCCESS 0
#define TEST_FAILED -1
#define TEST_SKIPPED 77

#define TEST_ASSERT(cond, msg, ...) \
	do { \
		if (!(cond)) { \
			printf("TestCase %s() line %d failed: " msg "\n", __func__, __LINE__, \
			       ##__VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

#define TEST_ASSERT_EQUAL(a, b, msg, ...) \
	do { \
		long long a_ = (long long)(a), b_ = (long long)(b); \
		if (a_ != b_) { \
			printf("TestCase %s() line %d failed (%lld != %lld): " msg "\n", __func__, \
			       __LINE__, a_, b_, ##__VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

#define TEST_ASSERT_SUCCESS(val, msg, ...) TEST_ASSERT_EQUAL(val, 0, msg, ##__VA_ARGS__)
#define TEST_ASSERT_NOT_NULL(p, msg, ...) TEST_ASSERT((p) != NULL, msg, ##__VA_ARGS__)
#define TEST_ASSERT_NULL(p, msg, ...) TEST_ASSERT((p) == NULL, msg, ##__VA_ARGS__)

struct unit_test_case {
	const char *name;
	int (*setup)(void);
	void (*teardown)(void);
	int (*testcase)(void);
};

/* clang-format off */
#define TEST_CASE(fn) { #fn, NULL, NULL, fn }
#define TEST_CASE_ST(setup, teardown, fn) { #fn, setup, teardown, fn }
#define TEST_CASES_END() { NULL, NULL, NULL, NULL }
/* clang-format on */

struct unit_test_suite {
	const char *suite_name;
	int (*setup)(void);
	void (*teardown)(void);
	struct unit_test_case unit_test_cases[];
};

/** @return TEST_SUCCESS, TEST_FAILED or TEST_SKIPPED (all cases skipped). */
int unit_test_suite_runner(struct unit_test_suite *suite);

typedef int(test_callback)(void);

struct test_command {
	TAILQ_ENTRY(test_command) next;
	const char *command;
	test_callback *callback;
};

void add_test_command(struct test_command *t);

#define REGISTER_TEST_COMMAND(cmd, func) \
	static struct test_command test_struct_##cmd = { \
		.command = RTE_STR(cmd), \
		.callback = func, \
	}; \
	RTE_INIT(test_register_##cmd) \
	{ \
		add_test_command(&test_struct_##cmd); \
	}

#endif /* TEST_H */
