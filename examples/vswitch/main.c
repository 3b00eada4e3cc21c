/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-emu authors
 */

/*
 * dpdk-vswitch: a small NFV-style switch that embeds the project's drivers.
 *
 * For every --guest PATH it creates, with rte_vdev_init(), an emulated AVF
 * (vdev emu_iavf_vswN, serving the vfio-user socket PATH) and its backend
 * port (vdev net_iavfbe_vswN): a guest (a VM through QEMU's vfio-user-pci,
 * or a container through net_iavf_client) that connects to PATH gets a NIC
 * whose packets are those of the port. An optional uplink is any ethdev the
 * EAL created (--vdev net_ring0, -a PCI address, ...), named with --uplink.
 *
 * Forwarding, by the destination MAC address of each frame (no learning:
 * every guest is known by the MAC of its emulated AVF):
 *  - broadcast and multicast: to every other port (guests and uplink);
 *  - a guest's MAC: to that guest (a frame back to its own sender is
 *    dropped);
 *  - any other unicast: to the uplink when it comes from a guest, else
 *    dropped.
 * Dropped frames are counted in no_route of the port they came from; frames
 * a port refused (full ring, link down) in tx_drop of that port.
 *
 * The worker lcores poll the ports' receive queues (ports shared round-robin
 * between them; the main lcore polls when there is no worker); a port's
 * transmit queue is shared by the lcores under a spin lock. The main lcore
 * prints a line when a guest's client comes or goes and when a link changes,
 * and the state of every device periodically (--stats) and on SIGUSR1.
 * SIGINT or SIGTERM stops the ports and removes the devices with
 * rte_vdev_uninit().
 *
 * State comes from the public APIs only: ethdev (link, MAC, statistics) and
 * emudev (client connected, guest driver ready).
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>

#include <rte_emudev.h>

RTE_LOG_REGISTER(vsw_logtype, app.vswitch, INFO);
#define VLOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, vsw_logtype, "VSWITCH: " fmt "\n", ##__VA_ARGS__)

#define MAX_GUESTS 16u
#define MAX_PORTS (MAX_GUESTS + 1)
#define BURST 32
#define RX_DESC 1024
#define TX_DESC 1024
#define MBUF_CACHE 256
#define DEFAULT_STATS_SEC 5u
#define MAX_STATS_SEC 3600u
/* A socket path: sun_path less its NUL. */
#define MAX_SOCK_PATH (sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1)

/* Vdev names (their prefixes select the drivers). */
#define EMU_NAME_FMT "emu_iavf_vsw%u"
#define PORT_NAME_FMT "net_iavfbe_vsw%u"

struct vsw_port {
	char role[16]; /* "guest0", ... or "uplink" */
	char name[RTE_ETH_NAME_MAX_LEN]; /* ethdev name (a guest's vdev name) */
	char emu[RTE_EMUDEV_NAME_MAX_LEN]; /* guests: the emu_iavf vdev */
	const char *sock; /* guests: the vfio-user socket */
	bool guest;
	bool emu_created; /* guests: rte_vdev_init() of emu succeeded */
	bool port_created; /* guests: rte_vdev_init() of the port succeeded */
	bool configured; /* queues set up: close it at the end */
	bool started;
	uint16_t port_id;
	struct rte_ether_addr mac;
	rte_spinlock_t tx_lock; /* the transmit queue, shared by the lcores */
	/* What the main lcore last reported: -1 unknown, 0 no, 1 yes. */
	int seen_client;
	int seen_ready;
	int seen_link;
};

/* Counters of one port, written by one lcore (summed for the report). */
struct vsw_counters {
	uint64_t tx_drop; /* frames for the port that it refused */
	uint64_t no_route; /* frames from the port forwarded nowhere */
};

struct vsw_lcore {
	uint16_t nb_rx; /* ports this lcore polls */
	uint16_t rx[MAX_PORTS]; /* their indexes in ports[] */
	uint16_t nb_out[MAX_PORTS]; /* frames waiting for each port */
	struct rte_mbuf *out[MAX_PORTS][BURST];
	struct vsw_counters cnt[MAX_PORTS];
} __rte_cache_aligned;

static struct vsw_port ports[MAX_PORTS];
static unsigned int nb_ports; /* guests first, then the uplink */
static unsigned int nb_guests;
static int uplink = -1; /* index in ports[], or -1 */
static struct rte_mempool *pool;
static struct vsw_lcore lcores[RTE_MAX_LCORE];
static uint64_t start_cycles;

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t report_signal;

static void
signal_handler(int sig)
{
	if (sig == SIGUSR1)
		report_signal = 1;
	else
		quit_signal = sig;
}

/* ------------------------------------------------------------ data path */

static inline void
counter_add(uint64_t *c, uint64_t n)
{
	/* One writer (this lcore); the main lcore reads. */
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static inline int
guest_by_mac(const struct rte_ether_addr *a)
{
	unsigned int i;

	for (i = 0; i < nb_guests; i++)
		if (rte_is_same_ether_addr(a, &ports[i].mac))
			return (int)i;
	return -1;
}

static inline void
enqueue(struct vsw_lcore *lc, unsigned int out, struct rte_mbuf *m)
{
	/* At most one frame per received frame and port: never more than BURST. */
	lc->out[out][lc->nb_out[out]++] = m;
}

static void
flush(struct vsw_lcore *lc, unsigned int out)
{
	struct vsw_port *p = &ports[out];
	uint16_t n = lc->nb_out[out], sent;

	if (n == 0)
		return;
	rte_spinlock_lock(&p->tx_lock);
	sent = rte_eth_tx_burst(p->port_id, 0, lc->out[out], n);
	rte_spinlock_unlock(&p->tx_lock);
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(&lc->out[out][sent], n - sent);
		counter_add(&lc->cnt[out].tx_drop, n - sent);
	}
	lc->nb_out[out] = 0;
}

/* Broadcast or multicast: a copy to every port but the one it came from. */
static void
flood(struct vsw_lcore *lc, unsigned int in, struct rte_mbuf *m)
{
	unsigned int o, last = UINT_MAX;
	struct rte_mbuf *c;

	for (o = 0; o < nb_ports; o++) {
		if (o == in)
			continue;
		if (last != UINT_MAX) {
			c = rte_pktmbuf_copy(m, pool, 0, UINT32_MAX);
			if (c == NULL)
				counter_add(&lc->cnt[last].tx_drop, 1);
			else
				enqueue(lc, last, c);
		}
		last = o;
	}
	if (last == UINT_MAX) {
		rte_pktmbuf_free(m);
		counter_add(&lc->cnt[in].no_route, 1);
	} else {
		enqueue(lc, last, m);
	}
}

static void
forward(struct vsw_lcore *lc, unsigned int in)
{
	struct rte_mbuf *pkts[BURST];
	const struct rte_ether_hdr *eth;
	uint16_t nb, i;
	unsigned int o;
	int dst;

	nb = rte_eth_rx_burst(ports[in].port_id, 0, pkts, BURST);
	if (nb == 0)
		return;
	for (i = 0; i < nb; i++) {
		/* Whatever a guest sends is untrusted: a runt goes nowhere. */
		if (unlikely(rte_pktmbuf_data_len(pkts[i]) < sizeof(*eth))) {
			rte_pktmbuf_free(pkts[i]);
			counter_add(&lc->cnt[in].no_route, 1);
			continue;
		}
		eth = rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);
		if (rte_is_multicast_ether_addr(&eth->dst_addr)) {
			flood(lc, in, pkts[i]);
			continue;
		}
		dst = guest_by_mac(&eth->dst_addr);
		if (dst < 0 && ports[in].guest)
			dst = uplink;
		if (dst < 0 || (unsigned int)dst == in) {
			rte_pktmbuf_free(pkts[i]);
			counter_add(&lc->cnt[in].no_route, 1);
			continue;
		}
		enqueue(lc, (unsigned int)dst, pkts[i]);
	}
	for (o = 0; o < nb_ports; o++)
		flush(lc, o);
}

static int
worker(void *arg)
{
	struct vsw_lcore *lc = arg;
	uint16_t i;

	while (quit_signal == 0)
		for (i = 0; i < lc->nb_rx; i++)
			forward(lc, lc->rx[i]);
	return 0;
}

/* ------------------------------------------------------------ state */

static void
port_counters(unsigned int p, uint64_t *tx_drop, uint64_t *no_route)
{
	unsigned int l;

	*tx_drop = 0;
	*no_route = 0;
	for (l = 0; l < RTE_MAX_LCORE; l++) {
		*tx_drop += __atomic_load_n(&lcores[l].cnt[p].tx_drop, __ATOMIC_RELAXED);
		*no_route += __atomic_load_n(&lcores[l].cnt[p].no_route, __ATOMIC_RELAXED);
	}
}

/* A guest's client and driver, from emudev: -1 when unknown. */
static void
guest_state(const struct vsw_port *p, int *client, int *ready)
{
	struct rte_emudev_info info;
	uint16_t id;

	*client = -1;
	*ready = -1;
	if (rte_emudev_get_id_by_name(p->emu, &id) != 0 || rte_emudev_info_get(id, &info) != 0)
		return;
	*client = info.client_connected;
	*ready = info.ready;
}

static const char *
yes_no(int v, const char *yes, const char *no)
{
	return v < 0 ? "unknown" : v ? yes : no;
}

static void
print_state(const char *why)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	struct rte_eth_stats st;
	struct rte_eth_link link;
	uint64_t tx_drop, no_route;
	int client, ready, lret;
	unsigned int i;

	printf("vswitch: state (%s) after %.1f s: %u guest%s, uplink %s\n", why,
	       (double)(rte_get_timer_cycles() - start_cycles) / (double)rte_get_timer_hz(),
	       nb_guests, nb_guests == 1 ? "" : "s", uplink >= 0 ? ports[uplink].name : "none");
	for (i = 0; i < nb_ports; i++) {
		const struct vsw_port *p = &ports[i];

		memset(&st, 0, sizeof(st));
		rte_eth_stats_get(p->port_id, &st);
		memset(&link, 0, sizeof(link));
		lret = rte_eth_link_get_nowait(p->port_id, &link);
		port_counters(i, &tx_drop, &no_route);
		rte_ether_format_addr(mac, sizeof(mac), &p->mac);
		printf("vswitch: %s port=%u dev=%s", p->role, p->port_id, p->name);
		if (p->guest) {
			guest_state(p, &client, &ready);
			printf(" sock=%s client=%s ready=%s", p->sock,
			       yes_no(client, "connected", "none"), yes_no(ready, "yes", "no"));
		}
		printf(" mac=%s link=%s speed=%" PRIu32 " rx=%" PRIu64 " tx=%" PRIu64
		       " missed=%" PRIu64 " tx_drop=%" PRIu64 " no_route=%" PRIu64 "\n",
		       mac, lret != 0 ? "unknown" : yes_no(link.link_status, "up", "down"),
		       link.link_speed, st.ipackets, st.opackets, st.imissed, tx_drop, no_route);
	}
	fflush(stdout);
}

/* Lines for the changes since the last look: client, guest driver, link. */
static void
watch(void)
{
	struct rte_eth_link link;
	int client, ready, up;
	unsigned int i;

	for (i = 0; i < nb_ports; i++) {
		struct vsw_port *p = &ports[i];

		if (p->guest) {
			guest_state(p, &client, &ready);
			if (client >= 0 && client != p->seen_client &&
			    (client || p->seen_client >= 0))
				printf("vswitch: %s: client %s on %s\n", p->role,
				       client ? "connected" : "gone", p->sock);
			if (ready >= 0 && ready != p->seen_ready && (ready || p->seen_ready >= 0))
				printf("vswitch: %s: guest driver %s\n", p->role,
				       ready ? "ready" : "not ready");
			p->seen_client = client;
			p->seen_ready = ready;
		}
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(p->port_id, &link) != 0)
			continue;
		up = link.link_status ? 1 : 0;
		if (up != p->seen_link && (up || p->seen_link >= 0)) {
			if (up)
				printf("vswitch: %s: link up, %" PRIu32 " Mbps\n", p->role,
				       link.link_speed);
			else
				printf("vswitch: %s: link down\n", p->role);
		}
		p->seen_link = up;
	}
	fflush(stdout);
}

/* ------------------------------------------------------------ set-up */

static void
vdev_error(const char *name, const char *driver, int ret)
{
	/*
	 * The vdev bus returns -1 when no driver matches the name; the
	 * project's drivers return other codes, each with a line saying why.
	 */
	if (ret == -1 || ret > 0)
		VLOG(ERR,
		     "%s: no %s driver in this process: load the project's PMDs with "
		     "-d DIR on the EAL command line (DIR: pkg-config --variable=pmddir "
		     "libdpdk-emu), or link them in (pkg-config --static)",
		     name, driver);
	else if (ret == -EEXIST)
		VLOG(ERR, "%s: a device with this name exists already (EAL command line?)", name);
	else
		VLOG(ERR, "%s: cannot create it: %s (the %s driver's lines above say why)", name,
		     rte_strerror(-ret), driver);
}

static int
guest_create(struct vsw_port *p, unsigned int idx, bool trust)
{
	char args[MAX_SOCK_PATH + 64];
	int ret;

	snprintf(p->role, sizeof(p->role), "guest%u", idx);
	snprintf(p->emu, sizeof(p->emu), EMU_NAME_FMT, idx);
	snprintf(p->name, sizeof(p->name), PORT_NAME_FMT, idx);
	snprintf(args, sizeof(args), "sock=%s%s", p->sock, trust ? ",trust_client_memory=1" : "");
	ret = rte_vdev_init(p->emu, args);
	if (ret != 0) {
		vdev_error(p->emu, "emu_iavf", ret);
		return -1;
	}
	p->emu_created = true;
	snprintf(args, sizeof(args), "emu=%s", p->emu);
	ret = rte_vdev_init(p->name, args);
	if (ret != 0) {
		vdev_error(p->name, "net_iavfbe", ret);
		return -1;
	}
	p->port_created = true;
	ret = rte_eth_dev_get_port_by_name(p->name, &p->port_id);
	if (ret != 0) {
		VLOG(ERR, "%s: no ethdev port after its creation: %s", p->name, rte_strerror(-ret));
		return -1;
	}
	return 0;
}

static int
port_setup(struct vsw_port *p)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint16_t rxd = RX_DESC, txd = TX_DESC;
	int ret;

	ret = rte_eth_dev_info_get(p->port_id, &info);
	if (ret != 0) {
		VLOG(ERR, "%s (%s): device information: %s", p->role, p->name, rte_strerror(-ret));
		return -1;
	}
	if (info.max_rx_queues < 1 || info.max_tx_queues < 1) {
		VLOG(ERR, "%s (%s): has no receive or no transmit queue", p->role, p->name);
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(p->port_id, 1, 1, &conf);
	if (ret != 0) {
		VLOG(ERR, "%s (%s): configure: %s", p->role, p->name, rte_strerror(-ret));
		return -1;
	}
	p->configured = true;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &rxd, &txd);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(p->port_id, 0, rxd, rte_eth_dev_socket_id(p->port_id),
					     NULL, pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(p->port_id, 0, txd, rte_eth_dev_socket_id(p->port_id),
					     NULL);
	if (ret != 0) {
		VLOG(ERR, "%s (%s): queue set-up: %s", p->role, p->name, rte_strerror(-ret));
		return -1;
	}
	ret = rte_eth_macaddr_get(p->port_id, &p->mac);
	if (ret != 0) {
		VLOG(ERR, "%s (%s): MAC address: %s", p->role, p->name, rte_strerror(-ret));
		return -1;
	}
	if (!p->guest) {
		/* The uplink carries the guests' addresses, not its own. */
		ret = rte_eth_promiscuous_enable(p->port_id);
		if (ret != 0 && ret != -ENOTSUP)
			VLOG(WARNING, "%s (%s): promiscuous mode: %s", p->role, p->name,
			     rte_strerror(-ret));
	}
	ret = rte_eth_dev_start(p->port_id);
	if (ret != 0) {
		VLOG(ERR, "%s (%s): start: %s", p->role, p->name, rte_strerror(-ret));
		return -1;
	}
	p->started = true;
	return 0;
}

static void
teardown(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < nb_ports; i++) {
		struct vsw_port *p = &ports[i];

		if (p->started) {
			ret = rte_eth_dev_stop(p->port_id);
			if (ret != 0)
				VLOG(WARNING, "%s (%s): stop: %s", p->role, p->name,
				     rte_strerror(-ret));
			p->started = false;
		}
	}
	for (i = 0; i < nb_ports; i++) {
		struct vsw_port *p = &ports[i];

		if (p->guest) {
			/* The port first: it is the emulated device's consumer. */
			if (p->port_created) {
				ret = rte_vdev_uninit(p->name);
				if (ret != 0)
					VLOG(WARNING, "%s: rte_vdev_uninit: %s", p->name,
					     rte_strerror(-ret));
				p->port_created = false;
			}
			if (p->emu_created) {
				ret = rte_vdev_uninit(p->emu);
				if (ret != 0)
					VLOG(WARNING, "%s: rte_vdev_uninit: %s", p->emu,
					     rte_strerror(-ret));
				p->emu_created = false;
			}
		} else if (p->configured) {
			ret = rte_eth_dev_close(p->port_id);
			if (ret != 0)
				VLOG(WARNING, "%s (%s): close: %s", p->role, p->name,
				     rte_strerror(-ret));
		}
		p->configured = false;
	}
	rte_mempool_free(pool);
	pool = NULL;
}

/* ------------------------------------------------------------ command line */

static void
usage(const char *prgname)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- --guest PATH [--guest PATH]... [--uplink NAME]\n"
		"       [--stats SECONDS] [--trust-client-memory]\n"
		"  --guest PATH    serve a guest NIC (an emulated AVF) on the vfio-user socket\n"
		"                  PATH (1..%u times; at most %zu bytes, no ',')\n"
		"  --uplink NAME   forward to and from this ethdev port too, by its name\n"
		"                  (create it on the EAL command line: --vdev net_ring0,\n"
		"                  -a 0000:01:00.0, ...); default: guests only\n"
		"  --stats SECONDS print every device's state every SECONDS, 0..%u\n"
		"                  (0: only on SIGUSR1; default %u)\n"
		"  --trust-client-memory\n"
		"                  accept guest memory not sealed against shrinking\n"
		"                  (emu_iavf trust_client_memory=1; needed by net_iavf_client)\n"
		"  --help          this text\n"
		"The project's PMDs must be in the process: linked in (static build), in\n"
		"DPDK's plugin directory, or loaded with -d $(pkg-config --variable=pmddir\n"
		"libdpdk-emu). Stop with SIGINT or SIGTERM; SIGUSR1 prints the state.\n",
		prgname, MAX_GUESTS, MAX_SOCK_PATH, MAX_STATS_SEC, DEFAULT_STATS_SEC);
}

struct vsw_args {
	const char *guests[MAX_GUESTS];
	unsigned int nb_guests;
	const char *uplink;
	unsigned int stats_sec;
	bool stats_given;
	bool trust;
};

/* @return 0, 1 for --help, -1 on a bad command line (the reason printed). */
static int
parse_args(int argc, char **argv, struct vsw_args *a)
{
	static const struct option longopts[] = {
		{"guest", required_argument, NULL, 'g'},
		{"uplink", required_argument, NULL, 'u'},
		{"stats", required_argument, NULL, 's'},
		{"trust-client-memory", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long n;
	unsigned int i;
	char *end;
	int opt;

	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'g':
			if (optarg[0] == '\0') {
				fprintf(stderr, "--guest: empty socket path\n");
				return -1;
			}
			if (strlen(optarg) > MAX_SOCK_PATH) {
				fprintf(stderr, "--guest %s: longer than %zu bytes\n", optarg,
					MAX_SOCK_PATH);
				return -1;
			}
			if (strpbrk(optarg, ",[]") != NULL) {
				fprintf(stderr,
					"--guest %s: a socket path cannot contain ',', '[' "
					"or ']' (device argument syntax)\n",
					optarg);
				return -1;
			}
			for (i = 0; i < a->nb_guests; i++) {
				if (strcmp(a->guests[i], optarg) == 0) {
					fprintf(stderr, "--guest %s: given twice\n", optarg);
					return -1;
				}
			}
			if (a->nb_guests == MAX_GUESTS) {
				fprintf(stderr, "--guest %s: more than %u guests\n", optarg,
					MAX_GUESTS);
				return -1;
			}
			a->guests[a->nb_guests++] = optarg;
			break;
		case 'u':
			if (a->uplink != NULL) {
				fprintf(stderr, "--uplink: given twice (one uplink)\n");
				return -1;
			}
			if (optarg[0] == '\0' || strlen(optarg) >= RTE_ETH_NAME_MAX_LEN) {
				fprintf(stderr, "--uplink '%s': not a port name\n", optarg);
				return -1;
			}
			a->uplink = optarg;
			break;
		case 's':
			if (a->stats_given) {
				fprintf(stderr, "--stats: given twice\n");
				return -1;
			}
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' ||
			    optarg[0] == '+' || n > MAX_STATS_SEC) {
				fprintf(stderr,
					"--stats: '%s' is not a number of seconds in 0..%u\n",
					optarg, MAX_STATS_SEC);
				return -1;
			}
			a->stats_sec = (unsigned int)n;
			a->stats_given = true;
			break;
		case 't':
			a->trust = true;
			break;
		case 'h':
			return 1;
		default: /* getopt printed the reason */
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (a->nb_guests == 0) {
		fprintf(stderr, "at least one --guest PATH is required\n");
		return -1;
	}
	return 0;
}

/* The uplink: an ethdev the EAL created. */
static int
uplink_find(const char *name, uint16_t *port_id)
{
	char other[RTE_ETH_NAME_MAX_LEN];
	uint16_t pid;

	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	fprintf(stderr,
		"--uplink %s: no such ethdev port; create it on the EAL command line "
		"(--vdev net_ring0, -a PCI address, ...)\n",
		name);
	RTE_ETH_FOREACH_DEV(pid) {
		if (rte_eth_dev_get_name_by_port(pid, other) == 0)
			fprintf(stderr, "  port %u is %s\n", pid, other);
	}
	return -1;
}

/* Worker lcores poll the ports round-robin; the main lcore when none. */
static unsigned int
assign_lcores(void)
{
	unsigned int lcore, i, nb_workers = rte_lcore_count() - 1;
	unsigned int w = 0;

	if (nb_workers == 0) {
		lcore = rte_get_main_lcore();
		for (i = 0; i < nb_ports; i++)
			lcores[lcore].rx[lcores[lcore].nb_rx++] = (uint16_t)i;
		return 0;
	}
	for (i = 0; i < nb_ports; i++) {
		unsigned int k = 0;

		RTE_LCORE_FOREACH_WORKER(lcore) {
			if (k++ == w % nb_workers)
				break;
		}
		lcores[lcore].rx[lcores[lcore].nb_rx++] = (uint16_t)i;
		w++;
	}
	return nb_workers;
}

int
main(int argc, char **argv)
{
	struct vsw_args a = {.stats_sec = DEFAULT_STATS_SEC};
	const char *prgname = argv[0];
	struct sigaction sa;
	uint64_t hz, now, next_report, next_watch;
	unsigned int i, lcore, nb_workers, nb_mbufs;
	uint16_t pid;
	int ret, rc = EXIT_FAILURE;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		usage(prgname);
		return EXIT_FAILURE;
	}
	argc -= ret;
	argv += ret;

	ret = parse_args(argc, argv, &a);
	if (ret != 0) {
		usage(prgname);
		rte_eal_cleanup();
		return ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = signal_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);

	if (a.uplink != NULL && uplink_find(a.uplink, &pid) != 0) {
		usage(prgname);
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}

	nb_guests = a.nb_guests;
	nb_ports = nb_guests + (a.uplink != NULL);
	nb_mbufs = nb_ports * (RX_DESC + TX_DESC + 2 * BURST) +
		rte_lcore_count() * (MBUF_CACHE + nb_ports * BURST) + 4096;
	pool = rte_pktmbuf_pool_create("vswitch_mbufs", nb_mbufs, MBUF_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (pool == NULL) {
		VLOG(ERR, "cannot create a pool of %u mbufs: %s (more memory: EAL -m)", nb_mbufs,
		     rte_strerror(rte_errno));
		goto out;
	}

	for (i = 0; i < nb_ports; i++) {
		ports[i].seen_client = -1;
		ports[i].seen_ready = -1;
		ports[i].seen_link = -1;
		rte_spinlock_init(&ports[i].tx_lock);
	}
	for (i = 0; i < nb_guests; i++) {
		ports[i].guest = true;
		ports[i].sock = a.guests[i];
		if (guest_create(&ports[i], i, a.trust) != 0)
			goto out;
	}
	if (a.uplink != NULL) {
		uplink = (int)nb_guests;
		snprintf(ports[uplink].role, sizeof(ports[uplink].role), "uplink");
		snprintf(ports[uplink].name, sizeof(ports[uplink].name), "%s", a.uplink);
		ports[uplink].port_id = pid;
	}
	for (i = 0; i < nb_ports; i++)
		if (port_setup(&ports[i]) != 0)
			goto out;
	for (i = 0; i < nb_guests; i++) {
		int j = guest_by_mac(&ports[i].mac);

		if (j >= 0 && (unsigned int)j != i)
			VLOG(WARNING, "%s and %s have the same MAC address: frames to it go to %s",
			     ports[j].role, ports[i].role, ports[j].role);
	}
	RTE_ETH_FOREACH_DEV(pid) {
		bool used = false;

		for (i = 0; i < nb_ports; i++)
			used |= ports[i].port_id == pid;
		if (!used)
			VLOG(INFO, "port %u is not used (not an --uplink)", pid);
	}

	nb_workers = assign_lcores();
	for (i = 0; i < nb_ports; i++) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		rte_ether_format_addr(mac, sizeof(mac), &ports[i].mac);
		if (ports[i].guest)
			printf("vswitch: %s: port %u (%s on %s), socket %s, MAC %s\n",
			       ports[i].role, ports[i].port_id, ports[i].name, ports[i].emu,
			       ports[i].sock, mac);
		else
			printf("vswitch: uplink: port %u (%s), MAC %s\n", ports[i].port_id,
			       ports[i].name, mac);
	}
	start_cycles = rte_get_timer_cycles();
	if (nb_workers > 0) {
		RTE_LCORE_FOREACH_WORKER(lcore) {
			if (lcores[lcore].nb_rx > 0)
				rte_eal_remote_launch(worker, &lcores[lcore], lcore);
		}
	}
	printf("vswitch: forwarding on %u lcore%s; state every %u s (0: never) and on SIGUSR1; "
	       "SIGINT or SIGTERM stops\n",
	       nb_workers > 0 ? nb_workers : 1, nb_workers > 1 ? "s" : "", a.stats_sec);

	hz = rte_get_timer_hz();
	next_report = start_cycles + a.stats_sec * hz;
	next_watch = 0;
	while (quit_signal == 0) {
		if (nb_workers == 0) {
			struct vsw_lcore *lc = &lcores[rte_get_main_lcore()];

			for (i = 0; i < lc->nb_rx; i++)
				forward(lc, lc->rx[i]);
		} else {
			struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};

			nanosleep(&ts, NULL);
		}
		now = rte_get_timer_cycles();
		if (now >= next_watch) {
			watch();
			next_watch = now + hz / 10;
		}
		if (report_signal) {
			report_signal = 0;
			print_state("SIGUSR1");
		}
		if (a.stats_sec > 0 && now >= next_report) {
			print_state("periodic");
			next_report += a.stats_sec * hz;
			if (next_report <= now)
				next_report = now + a.stats_sec * hz;
		}
	}
	VLOG(INFO, "signal %d: stopping", (int)quit_signal);
	rte_eal_mp_wait_lcore();
	print_state("final");
	rc = EXIT_SUCCESS;

out:
	teardown();
	ret = rte_eal_cleanup();
	if (ret != 0)
		VLOG(WARNING, "EAL clean-up: %s", rte_strerror(-ret));
	if (rc == EXIT_SUCCESS)
		printf("vswitch: stopped\n");
	return rc;
}
