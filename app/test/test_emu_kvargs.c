/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * emu_kvargs (drivers/common/emu_kvargs), the devargs parsing the three
 * drivers share: each bad input against the exact line it must log (and
 * nothing else), the good ones against the values they give; then the
 * drivers' own messages through rte_vdev_init(), and the log types of the
 * components under their documented names.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_log.h>

#include "emu_kvargs.h"
#include "test.h"

#define DEV "kv_dev0"
#define PREFIX "TEST_KV: "

struct kv_args {
	char path[8];
	uint16_t n;
	uint32_t z;
	uint8_t b;
	uint64_t w;
	unsigned int calls; /* key functions called */
};

static int
kv_path(struct emu_kvargs *p, const char *key, const char *val)
{
	struct kv_args *a = p->arg;

	a->calls++;
	if (emu_kvargs_str(val, a->path, sizeof(a->path)) < 0) {
		EMU_KVARGS_ERR(p, "argument \"%s\": longer than %zu bytes", key,
			       sizeof(a->path) - 1);
		return -1;
	}
	return 0;
}

/* 0, or 10..UINT32_MAX: a range with a hole, as reconnect= has. */
static int
kv_z(struct emu_kvargs *p, const char *key, const char *val)
{
	struct kv_args *a = p->arg;
	uint64_t v;

	a->calls++;
	if (emu_kvargs_uint(val, 0, UINT32_MAX, &v) < 0 || (v != 0 && v < 10)) {
		EMU_KVARGS_ERR(p, "argument \"%s\": \"%s\" is not 0 or 10..%" PRIu32, key, val,
			       UINT32_MAX);
		return -1;
	}
	a->z = (uint32_t)v;
	return 0;
}

static int kv_logtype = -1;

/*
 * Parse args; *log gets what was logged (to free), *a the values.
 * @return what emu_kvargs_parse() returned, or a value < -1000 when the
 *   log could not be captured.
 */
static int
kv_parse(const char *args, struct kv_args *a, char **log)
{
	static const struct emu_kvargs_key keys[] = {
		{"path", kv_path},
		EMU_KVARGS_NUM("n", struct kv_args, n, 1, 16, "a count"),
		{"z", kv_z},
		EMU_KVARGS_NUM("b", struct kv_args, b, 0, 255, "a byte"),
		EMU_KVARGS_NUM("w", struct kv_args, w, 0, UINT64_MAX, "a word"),
	};
	struct emu_kvargs p = {
		.name = DEV,
		.logtype = kv_logtype,
		.prefix = PREFIX,
		.known = "path, n, z, b, w",
		.keys = keys,
		.nb_keys = RTE_DIM(keys),
		.arg = a,
	};
	FILE *prev = rte_log_get_stream(), *f;
	size_t len = 0;
	int ret;

	memset(a, 0, sizeof(*a));
	*log = NULL;
	f = open_memstream(log, &len);
	if (f == NULL || rte_openlog_stream(f) != 0) {
		if (f != NULL)
			fclose(f);
		return -1001;
	}
	ret = emu_kvargs_parse(&p, args);
	rte_openlog_stream(prev);
	fclose(f);
	if (p.kv != NULL)
		return -1002; /* the list must not outlive the parse */
	return ret;
}

/* Bad inputs: each gives -EINVAL and exactly its one line. */
static int
test_kvargs_bad(void)
{
	static const struct {
		const char *args;
		const char *line; /* after "TEST_KV: kv_dev0: " */
	} bad[] = {
		{"bogus=1", "unknown argument \"bogus\" (known: path, n, z, b, w)"},
		{"n=2,Path=x", "unknown argument \"Path\" (known: path, n, z, b, w)"},
		{"=1", "unknown argument \"\" (known: path, n, z, b, w)"},
		{"n=1,n=1", "argument \"n\" given more than once"},
		{"path=a,n=2,path=a", "argument \"path\" given more than once"},
		{"n", "argument \"n\" needs a value"},
		{"n=", "argument \"n\" needs a value"},
		{"path=", "argument \"path\" needs a value"},
		{"n=0", "argument \"n\": \"0\" is not a count in 1..16"},
		{"n=17", "argument \"n\": \"17\" is not a count in 1..16"},
		{"n=-1", "argument \"n\": \"-1\" is not a count in 1..16"},
		{"n=+1", "argument \"n\": \"+1\" is not a count in 1..16"},
		{"n= 1", "argument \"n\": \" 1\" is not a count in 1..16"},
		{"n=1x", "argument \"n\": \"1x\" is not a count in 1..16"},
		{"n=0x10", "argument \"n\": \"0x10\" is not a count in 1..16"},
		{"n=1e1", "argument \"n\": \"1e1\" is not a count in 1..16"},
		{"n=18446744073709551617",
		 "argument \"n\": \"18446744073709551617\" is not a count in 1..16"},
		{"b=256", "argument \"b\": \"256\" is not a byte in 0..255"},
		{"w=18446744073709551616",
		 "argument \"w\": \"18446744073709551616\" is not a word in "
		 "0..18446744073709551615"},
		{"z=5", "argument \"z\": \"5\" is not 0 or 10..4294967295"},
		{"z=4294967296", "argument \"z\": \"4294967296\" is not 0 or 10..4294967295"},
		{"path=12345678", "argument \"path\": longer than 7 bytes"},
		/* The first bad pair is the one reported, whatever is wrong after it. */
		{"n=0,bogus=1", "argument \"n\": \"0\" is not a count in 1..16"},
		{"bogus=1,n=0", "unknown argument \"bogus\" (known: path, n, z, b, w)"},
		{"n=3,z=1,z=1", "argument \"z\" given more than once"},
		/* rte_kvargs_parse() refuses more than RTE_KVARGS_MAX pairs. */
		{"n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,"
		 "n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1,n=1",
		 "cannot parse devargs \"n=1,n=1,"},
	};
	struct kv_args a;
	unsigned int i;
	char *log;
	int ret;

	for (i = 0; i < RTE_DIM(bad); i++) {
		char want[256];
		bool ok;

		snprintf(want, sizeof(want), PREFIX DEV ": %s", bad[i].line);
		ret = kv_parse(bad[i].args, &a, &log);
		/* One line, the expected one (the last case: its beginning). */
		ok = ret == -EINVAL && log != NULL && strncmp(log, want, strlen(want)) == 0 &&
			strchr(log, '\n') != NULL && strchr(log, '\n')[1] == '\0';
		if (!ok)
			printf("\"%s\": %d, logged \"%s\", want -EINVAL and \"%s\"\n", bad[i].args,
			       ret, log != NULL ? log : "(nothing)", want);
		free(log);
		TEST_ASSERT(ok, "bad devargs \"%s\"", bad[i].args);
	}
	/* A value refused: nothing after it is looked at. */
	ret = kv_parse("z=5,path=abc,n=2", &a, &log);
	free(log);
	TEST_ASSERT(ret == -EINVAL && a.calls == 1 && a.path[0] == '\0' && a.n == 0,
		    "pairs after a refused one taken (%u calls)", a.calls);
	return TEST_SUCCESS;
}

/* Good inputs: 0, nothing logged, the values. */
static int
test_kvargs_good(void)
{
	static const struct {
		const char *args;
		const char *path;
		uint16_t n;
		uint32_t z;
		uint8_t b;
		uint64_t w;
	} good[] = {
		{NULL, "", 0, 0, 0, 0},
		{"", "", 0, 0, 0, 0},
		{"n=1", "", 1, 0, 0, 0},
		{"n=16", "", 16, 0, 0, 0},
		{"n=007", "", 7, 0, 0, 0},
		{"z=0", "", 0, 0, 0, 0},
		{"z=10", "", 0, 10, 0, 0},
		{"z=4294967295", "", 0, UINT32_MAX, 0, 0},
		{"path=1234567", "1234567", 0, 0, 0, 0},
		{"z=10,path=a,n=2", "a", 2, 10, 0, 0},
		{"n=1,,z=0", "", 1, 0, 0, 0},
		{"b=255,n=3", "", 3, 0, 255, 0},
		{"w=18446744073709551615", "", 0, 0, 0, UINT64_MAX},
	};
	struct kv_args a;
	unsigned int i;
	char *log;
	int ret;

	for (i = 0; i < RTE_DIM(good); i++) {
		bool ok;

		ret = kv_parse(good[i].args, &a, &log);
		ok = ret == 0 && (log == NULL || log[0] == '\0') &&
			strcmp(a.path, good[i].path) == 0 && a.n == good[i].n && a.z == good[i].z &&
			a.b == good[i].b && a.w == good[i].w;
		if (!ok)
			printf("\"%s\": %d, logged \"%s\", path \"%s\" n %u z %" PRIu32
			       " b %u w %" PRIu64 "\n",
			       good[i].args != NULL ? good[i].args : "(null)", ret,
			       log != NULL ? log : "", a.path, a.n, a.z, a.b, a.w);
		free(log);
		TEST_ASSERT(ok, "good devargs \"%s\"",
			    good[i].args != NULL ? good[i].args : "(null)");
	}
	return TEST_SUCCESS;
}

/* The helpers for values, at their bounds. */
static int
test_kvargs_values(void)
{
	char buf[4] = "xyz";
	uint64_t v = 42;

	TEST_ASSERT(emu_kvargs_uint("18446744073709551615", 0, UINT64_MAX, &v) == 0 &&
			    v == UINT64_MAX,
		    "UINT64_MAX");
	TEST_ASSERT(emu_kvargs_uint("18446744073709551616", 0, UINT64_MAX, &v) == -EINVAL &&
			    v == UINT64_MAX,
		    "UINT64_MAX + 1 taken, or *out changed");
	TEST_ASSERT(emu_kvargs_uint("5", 5, 5, &v) == 0 && v == 5, "5 in 5..5");
	TEST_ASSERT(emu_kvargs_uint("4", 5, 5, &v) == -EINVAL, "4 in 5..5");
	TEST_ASSERT(emu_kvargs_uint("6", 5, 5, &v) == -EINVAL, "6 in 5..5");
	TEST_ASSERT(emu_kvargs_uint("", 0, 5, &v) == -EINVAL, "empty");
	TEST_ASSERT(emu_kvargs_uint(NULL, 0, 5, &v) == -EINVAL, "NULL");
	TEST_ASSERT(emu_kvargs_uint("1 ", 0, 5, &v) == -EINVAL, "trailing space");
	TEST_ASSERT(emu_kvargs_str("abcd", buf, sizeof(buf)) == -ENAMETOOLONG &&
			    strcmp(buf, "xyz") == 0,
		    "4 characters in 4 bytes, or the buffer changed");
	TEST_ASSERT(emu_kvargs_str("abc", buf, sizeof(buf)) == 0 && strcmp(buf, "abc") == 0,
		    "3 characters in 4 bytes");
	TEST_ASSERT(emu_kvargs_str("", buf, sizeof(buf)) == 0 && buf[0] == '\0', "empty");
	return TEST_SUCCESS;
}

/*
 * The drivers through the helper: the exact lines of a few refusals each
 * (texts users and scripts know), and no device left behind.
 */
static int
test_kvargs_drivers(void)
{
	static const struct {
		const char *name;
		const char *args;
		const char *line;
	} cases[] = {
		{"emu_iavf_kv", "sock=/tmp/x.sock,queue=2",
		 "EMU_IAVF: emu_iavf_kv: unknown argument \"queue\" (known: sock or path, mac, "
		 "queues, "
		 "trust_client_memory, max_dma_maps, migration)"},
		{"emu_iavf_kv", "sock=/tmp/x.sock,path=/tmp/x.sock",
		 "EMU_IAVF: emu_iavf_kv: arguments \"sock\" and \"path\" are the same; give one"},
		{"emu_iavf_kv", "sock=/tmp/x.sock,queues=17",
		 "EMU_IAVF: emu_iavf_kv: argument \"queues\": \"17\" is not a number of queue "
		 "pairs "
		 "in 1..16"},
		{"emu_iavf_kv", "sock=/tmp/x.sock,queues=+2",
		 "EMU_IAVF: emu_iavf_kv: argument \"queues\": \"+2\" is not a number of queue "
		 "pairs "
		 "in 1..16"},
		{"emu_iavf_kv", "queues=2",
		 "EMU_IAVF: emu_iavf_kv: argument \"sock\" or \"path\" (vfio-user socket path) is "
		 "required"},
		{"emu_iavf_kv", "sock=/tmp/x.sock,max_dma_maps=0",
		 "EMU_IAVF: emu_iavf_kv: argument \"max_dma_maps\": \"0\" is not a number of DMA "
		 "mappings in 1..65535"},
		{"emu_iavf_kv", "sock=/tmp/x.sock,trust_client_memory=yes",
		 "EMU_IAVF: emu_iavf_kv: argument \"trust_client_memory\": \"yes\" is not 0 or 1"},
		{"emu_iavf_kv", "sock=/tmp/x.sock,mac=01:00:5e:00:00:01",
		 "EMU_IAVF: emu_iavf_kv: argument \"mac\": \"01:00:5e:00:00:01\" is not a unicast, "
		 "non-zero MAC address (XX:XX:XX:XX:XX:XX)"},
		{"net_iavfbe_kv", "emu=x,emu=x",
		 "IAVFBE: net_iavfbe_kv: argument \"emu\" given more than once"},
		{"net_iavfbe_kv", "emu=x,tso=yes",
		 "IAVFBE: net_iavfbe_kv: argument \"tso\": \"yes\" is neither \"segment\" nor "
		 "\"passthrough\""},
		{"net_iavfbe_kv", "tso=segment",
		 "IAVFBE: net_iavfbe_kv: argument \"emu\" (name of the emulated device, e.g. "
		 "emu=emu_iavf0) is required"},
		{"net_iavfbe_kv", "emu=x,mtu=1500",
		 "IAVFBE: net_iavfbe_kv: unknown argument \"mtu\" (known: emu, tso)"},
		{"net_iavf_client_kv", "path=/tmp/x.sock,reconnect=5",
		 "IAVF_CLIENT: net_iavf_client_kv: argument \"reconnect\": \"5\" is not a retry "
		 "period in ms: 0 (no automatic reconnection) or 10..3600000"},
		{"net_iavf_client_kv", "path=/tmp/x.sock,queues",
		 "IAVF_CLIENT: net_iavf_client_kv: argument \"queues\" needs a value"},
		{"net_iavf_client_kv", "path=/tmp/x.sock,queues=0",
		 "IAVF_CLIENT: net_iavf_client_kv: argument \"queues\": \"0\" is not a number of "
		 "queue pairs in 1..16"},
		{"net_iavf_client_kv", "queues=1",
		 "IAVF_CLIENT: net_iavf_client_kv: argument \"path\" (the vfio-user socket of the "
		 "device) is required"},
		{"net_iavf_client_kv", "path=/tmp/x.sock,sock=/tmp/x.sock",
		 "IAVF_CLIENT: net_iavf_client_kv: unknown argument \"sock\" (known: path, queues, "
		 "reconnect, move_pause_ms)"},
		{"net_iavf_client_kv", "path=/tmp/x.sock,move_pause_ms=5",
		 "IAVF_CLIENT: net_iavf_client_kv: argument \"move_pause_ms\": \"5\" is not the "
		 "longest pause of the data path during a move in ms: 10..60000"},
	};
	FILE *prev = rte_log_get_stream(), *f;
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		char *log = NULL;
		size_t len = 0;
		bool ok;
		int ret;

		f = open_memstream(&log, &len);
		TEST_ASSERT(f != NULL && rte_openlog_stream(f) == 0, "log capture");
		ret = rte_vdev_init(cases[i].name, cases[i].args);
		rte_openlog_stream(prev);
		fclose(f);
		if (ret == 0)
			rte_vdev_uninit(cases[i].name);
		/* The line, once; other layers (EAL) may add theirs. */
		ok = ret == -EINVAL && log != NULL && strstr(log, cases[i].line) != NULL &&
			strstr(log, cases[i].line)[strlen(cases[i].line)] == '\n' &&
			strstr(strstr(log, cases[i].line) + 1, cases[i].line) == NULL;
		if (!ok)
			printf("%s \"%s\": %d, logged:\n%swant -EINVAL and the line\n%s\n",
			       cases[i].name, cases[i].args, ret, log != NULL ? log : "",
			       cases[i].line);
		free(log);
		TEST_ASSERT(ok, "%s \"%s\"", cases[i].name, cases[i].args);
	}
	return TEST_SUCCESS;
}

/*
 * Every component registers one log type under the name its guide
 * documents (--log-level=<name>:debug).
 */
static int
test_log_types(void)
{
	static const char *const names[] = {
		"lib.vfio_user",  "lib.emudev",		 "pmd.emu.iavf",
		"pmd.net.iavfbe", "pmd.net.iavf_client",
	};
	char *dump = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f;

	f = open_memstream(&dump, &len);
	TEST_ASSERT(f != NULL, "open_memstream");
	rte_log_dump(f);
	fclose(f);
	for (i = 0; i < RTE_DIM(names); i++) {
		char want[64];
		bool ok;

		/* rte_log_dump(): "id N: <name>, level is <level>" */
		snprintf(want, sizeof(want), ": %s, level is ", names[i]);
		ok = dump != NULL && strstr(dump, want) != NULL;
		if (!ok)
			printf("no \"%s\" in the log types:\n%s", want, dump != NULL ? dump : "");
		if (!ok) {
			free(dump);
			TEST_ASSERT(false, "log type %s", names[i]);
		}
	}
	free(dump);
	return TEST_SUCCESS;
}

static int
kv_setup(void)
{
	kv_logtype = rte_log_register_type_and_pick_level("test.emu_kvargs", RTE_LOG_NOTICE);
	return kv_logtype >= 0 ? 0 : -1;
}

static struct unit_test_suite emu_kvargs_suite = {
	.suite_name = "emu_kvargs autotest",
	.setup = kv_setup,
	.teardown = NULL,
	.unit_test_cases =
		{
			TEST_CASE(test_kvargs_bad),
			TEST_CASE(test_kvargs_good),
			TEST_CASE(test_kvargs_values),
			TEST_CASE(test_kvargs_drivers),
			TEST_CASE(test_log_types),
			TEST_CASES_END(),
		},
};

static int
test_emu_kvargs(void)
{
	return unit_test_suite_runner(&emu_kvargs_suite);
}

REGISTER_TEST_COMMAND(emu_kvargs_autotest, test_emu_kvargs);
