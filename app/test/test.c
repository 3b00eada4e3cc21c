/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_log.h>

#include "test.h"

static TAILQ_HEAD(, test_command) commands = TAILQ_HEAD_INITIALIZER(commands);

void
add_test_command(struct test_command *t)
{
	TAILQ_INSERT_TAIL(&commands, t, next);
}

int
unit_test_suite_runner(struct unit_test_suite *suite)
{
	unsigned int total = 0, passed = 0, failed = 0, skipped = 0;
	struct unit_test_case *tc;
	int ret;

	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite : %s\n", suite->suite_name);
	printf(" + ------------------------------------------------------- +\n");
	if (suite->setup != NULL) {
		ret = suite->setup();
		if (ret != TEST_SUCCESS) {
			printf(" + Suite setup %s\n", ret == TEST_SKIPPED ? "skipped" : "failed");
			return ret == TEST_SKIPPED ? TEST_SKIPPED : TEST_FAILED;
		}
	}
	for (tc = suite->unit_test_cases; tc->testcase != NULL; tc++) {
		total++;
		ret = TEST_SUCCESS;
		if (tc->setup != NULL)
			ret = tc->setup();
		if (ret == TEST_SUCCESS) {
			fflush(stdout);
			ret = tc->testcase();
			if (tc->teardown != NULL)
				tc->teardown();
		}
		if (ret == TEST_SUCCESS)
			passed++;
		else if (ret == TEST_SKIPPED)
			skipped++;
		else
			failed++;
		printf(" + TestCase [%2u] : %s %s\n", total, tc->name,
		       ret == TEST_SUCCESS	   ? "succeeded" :
			       ret == TEST_SKIPPED ? "skipped" :
						     "failed");
		fflush(stdout);
	}
	if (suite->teardown != NULL)
		suite->teardown();
	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite Summary : %s\n", suite->suite_name);
	printf(" + Tests Total :  %2u\n", total);
	printf(" + Tests Skipped: %2u\n", skipped);
	printf(" + Tests Passed : %2u\n", passed);
	printf(" + Tests Failed : %2u\n", failed);
	printf(" + ------------------------------------------------------- +\n");
	if (failed > 0)
		return TEST_FAILED;
	if (passed == 0 && skipped > 0)
		return TEST_SKIPPED;
	return TEST_SUCCESS;
}

static int
run_command(const char *name)
{
	struct test_command *t;
	int ret;

	TAILQ_FOREACH(t, &commands, next) {
		if (strcmp(t->command, name) == 0) {
			ret = t->callback();
			printf("%s: %s\n", name,
			       ret == TEST_SUCCESS	   ? "Test OK" :
				       ret == TEST_SKIPPED ? "Test Skipped" :
							     "Test Failed");
			fflush(stdout);
			return ret;
		}
	}
	printf("unknown test command '%s'; known commands:\n", name);
	TAILQ_FOREACH(t, &commands, next)
		printf("  %s\n", t->command);
	return TEST_FAILED;
}

int
main(int argc, char **argv)
{
	const char *env = getenv("DPDK_TEST");
	int ret, i, result = TEST_SUCCESS;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "dpdk-test: cannot init EAL\n");
		return 1;
	}
	argc -= ret;
	argv += ret;

	if (argc <= 1 && (env == NULL || env[0] == '\0')) {
		struct test_command *t;

		printf("usage: dpdk-test <EAL args> -- <command>... (or DPDK_TEST=<command>)\n");
		TAILQ_FOREACH(t, &commands, next)
			printf("  %s\n", t->command);
		rte_eal_cleanup();
		return 1;
	}
	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			ret = run_command(argv[i]);
			if (ret == TEST_FAILED)
				result = TEST_FAILED;
			else if (ret == TEST_SKIPPED && result == TEST_SUCCESS)
				result = TEST_SKIPPED;
		}
	} else {
		result = run_command(env);
	}
	rte_eal_cleanup();
	if (result == TEST_SKIPPED)
		return 77; /* meson's code for a skipped test */
	return result == TEST_SUCCESS ? 0 : 1;
}
