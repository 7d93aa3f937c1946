/*
 * lowpand — lwgate border router: a slip-radio 802.15.4 dongle (radio.c) on
 * one side, a Linux TUN interface (tun.c) on the other, the forwarding path
 * (forward.c, 6LoWPAN from lib/lowpan) in between, the RPL root of the mesh
 * (rplroot.c) and 6LoWPAN-ND (ndrouter.c) as its control plane.
 *
 * This file holds the configuration, starts the modules in order and
 * answers the control socket; the forwarding path asks the control plane
 * for downward routes and offers it the packets from the mesh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/daemon.h"
#include "common/log.h"
#include "admission.h"
#include "forward.h"
#include "httpapi.h"
#include "lowpan/frame.h"
#include "lowpan/iphc.h"
#include "lowpan/mib.h"
#include "ndrouter.h"
#include "neighbors.h"
#include "radio.h"
#include "registry.h"
#include "rplroot.h"
#include "snmpagent.h"
#include "tun.h"

static const char *const dialects[] = { "auto", "contiki-ng", "6lbr", NULL };
/* in Objective Code Point order: OF0 is 0, MRHOF is 1 */
static const char *const objective_functions[] = { "of0", "mrhof", NULL };
/* RPL modes of operation, indexed by MOP - 1 (RFC 6550 §6.3.1) */
static const char *const rpl_modes[] = { "non-storing", "storing", NULL };
/* termios speeds a USB serial dongle is driven at */
static const char *const bauds[] = { "9600",   "19200",  "38400",  "57600",  "115200",
				     "230400", "460800", "500000", "921600", NULL };

struct lowpand_config {
	struct daemon_config common;
	char *device;
	int baud;
	bool rtscts;
	int channel;
	int panid;
	int dialect;
	int retries;
	int tx_queue;
	char *tun_name;
	char *address;
	int reasm_timeout;
	int reasm_max;
	char *context0;
	bool rpl;
	int rpl_instance;
	char *dodag_id;
	int ocp;
	int rpl_mode; /* index in rpl_modes */
	int dio_interval_min;
	int dio_interval_doublings;
	int dio_redundancy;
	int default_lifetime;
	int lifetime_unit;
	bool nd;
	int router_lifetime;
	int prefix_lifetime;
	int context_lifetime;
	char *rd_address;
	int rd_lifetime;
	int registrations_max;
	bool admission;
	int admission_max;
	bool agentx;
	char *agentx_socket;
	int agentx_ping;
	struct httpconf http;
};

/* clang-format off */
static const struct config_key lowpand_keys[] = {
	DAEMON_CONFIG_KEYS("lowpand", struct lowpand_config),
	{ "radio", "device", CONFIG_STRING, offsetof(struct lowpand_config, device), "/dev/ttyACM0",
	  0, 0, NULL, false, "serial device of the slip-radio dongle" },
	{ "radio", "baud", CONFIG_ENUM, offsetof(struct lowpand_config, baud), "115200", 0, 0, bauds,
	  false, "serial speed in bit/s" },
	{ "radio", "rtscts", CONFIG_BOOL, offsetof(struct lowpand_config, rtscts), "no", 0, 0, NULL,
	  false, "hardware flow control (RTS/CTS)" },
	{ "radio", "channel", CONFIG_INT, offsetof(struct lowpand_config, channel), "26", 11, 26,
	  NULL, false, "IEEE 802.15.4 channel (2.4 GHz O-QPSK)" },
	{ "radio", "panid", CONFIG_INT, offsetof(struct lowpand_config, panid), "0xabcd", 0, 0xfffe,
	  NULL, false, "PAN identifier" },
	{ "radio", "dialect", CONFIG_ENUM, offsetof(struct lowpand_config, dialect), "auto", 0, 0,
	  dialects, false, "slip-radio command set: probed (auto), \"!V\" (contiki-ng) or \"!C\"/\"!P\" (6lbr, zephyr)" },
	{ "radio", "retries", CONFIG_INT, offsetof(struct lowpand_config, retries), "3", 0, 7, NULL,
	  false, "extra transmissions of a unicast frame after no-ACK or collision" },
	{ "radio", "tx_queue", CONFIG_INT, offsetof(struct lowpand_config, tx_queue), "256", 1, 65536,
	  NULL, false, "frames waiting for the dongle before new ones are dropped" },
	{ "tun", "name", CONFIG_STRING, offsetof(struct lowpand_config, tun_name), "lwg0", 0, 0, NULL,
	  false, "name of the TUN interface towards the host" },
	{ "tun", "address", CONFIG_ADDRESS, offsetof(struct lowpand_config, address),
	  "fd00::1/64", 0, 0, NULL, false,
	  "the border router's address and the mesh prefix (address/length)",
	  CONFIG_ADDR_IPV6 | CONFIG_ADDR_PREFIX },
	{ "6lowpan", "reassembly_timeout", CONFIG_INT, offsetof(struct lowpand_config, reasm_timeout),
	  "60", 1, 60, NULL, false, "seconds a partial datagram is kept (RFC 4944: at most 60)" },
	{ "6lowpan", "reassembly_max", CONFIG_INT, offsetof(struct lowpand_config, reasm_max), "64",
	  1, 4096, NULL, false, "datagrams reassembled at once; the oldest is dropped past this" },
	{ "6lowpan", "context0", CONFIG_ADDRESS, offsetof(struct lowpand_config, context0),
	  "fd00::/64", 0, 0, NULL, false,
	  "IPHC context 0 (prefix/length) shared with the nodes; Contiki-NG builds in fd00::/64; empty: none",
	  CONFIG_ADDR_IPV6 | CONFIG_ADDR_PREFIX | CONFIG_ADDR_EMPTY },
	{ "rpl", "enabled", CONFIG_BOOL, offsetof(struct lowpand_config, rpl), "yes", 0, 0, NULL,
	  false, "be the RPL DODAG root of the mesh" },
	{ "rpl", "mode", CONFIG_ENUM, offsetof(struct lowpand_config, rpl_mode), "non-storing", 0, 0,
	  rpl_modes, false,
	  "non-storing (MOP 1: Contiki-NG, Zephyr) or storing (MOP 2: RIOT's routers keep their subtrees)" },
	{ "rpl", "instance", CONFIG_INT, offsetof(struct lowpand_config, rpl_instance), "30", 0, 127,
	  NULL, false, "RPLInstanceID (Contiki-NG's default is 30)" },
	{ "rpl", "dodag_id", CONFIG_ADDRESS, offsetof(struct lowpand_config, dodag_id), "", 0, 0, NULL,
	  false, "DODAG ID, an address of the root (empty: the [tun] address)",
	  CONFIG_ADDR_IPV6 | CONFIG_ADDR_EMPTY },
	{ "rpl", "objective_function", CONFIG_ENUM, offsetof(struct lowpand_config, ocp), "mrhof", 0,
	  0, objective_functions, false, "announced objective function: MRHOF (RFC 6719) or OF0 (RFC 6552)" },
	{ "rpl", "dio_interval_min", CONFIG_INT, offsetof(struct lowpand_config, dio_interval_min),
	  "3", 1, 24, NULL, false, "trickle Imin as a power of two of milliseconds (RFC 6550: 3, 8 ms)" },
	{ "rpl", "dio_interval_doublings", CONFIG_INT,
	  offsetof(struct lowpand_config, dio_interval_doublings), "20", 0, 30, NULL, false,
	  "trickle Imax = Imin doubled this many times (RFC 6550: 20, 2.3 h)" },
	{ "rpl", "dio_redundancy", CONFIG_INT, offsetof(struct lowpand_config, dio_redundancy), "10",
	  0, 255, NULL, false, "trickle k: DIOs heard in an interval that suppress ours (0: never)" },
	{ "rpl", "default_lifetime", CONFIG_INT, offsetof(struct lowpand_config, default_lifetime),
	  "30", 1, 255, NULL, false, "route lifetime announced to nodes, in lifetime units" },
	{ "rpl", "lifetime_unit", CONFIG_INT, offsetof(struct lowpand_config, lifetime_unit), "60", 1,
	  65535, NULL, false, "seconds per lifetime unit" },
	{ "nd", "enabled", CONFIG_BOOL, offsetof(struct lowpand_config, nd), "yes", 0, 0, NULL, false,
	  "answer Router Solicitations and address registrations (6LoWPAN-ND, RFC 6775)" },
	{ "nd", "router_lifetime", CONFIG_INT, offsetof(struct lowpand_config, router_lifetime),
	  "1800", 0, 9000, NULL, true, "seconds a host may use us as default router (RA)" },
	{ "nd", "prefix_lifetime", CONFIG_INT, offsetof(struct lowpand_config, prefix_lifetime),
	  "86400", 1, 2147483647, NULL, true, "seconds the announced [tun] prefix is valid and preferred" },
	{ "nd", "context_lifetime", CONFIG_INT, offsetof(struct lowpand_config, context_lifetime),
	  "1440", 1, 65535, NULL, true, "minutes the announced IPHC context 0 (6CO) is valid" },
	{ "nd", "rd_address", CONFIG_ADDRESS, offsetof(struct lowpand_config, rd_address), "", 0, 0,
	  NULL, true, "Resource Directory address announced in RAs (RDAO, RFC 9176); empty: none",
	  CONFIG_ADDR_IPV6 | CONFIG_ADDR_EMPTY },
	{ "nd", "rd_lifetime", CONFIG_INT, offsetof(struct lowpand_config, rd_lifetime), "3600", 1,
	  2147483647, NULL, true, "seconds the announced RD address is valid" },
	{ "nd", "registrations_max", CONFIG_INT, offsetof(struct lowpand_config, registrations_max),
	  "1024", 1, 65536, NULL, false,
	  "addresses the registration table holds; more get ARO status 2 (table full)" },
	{ "admission", "enabled", CONFIG_BOOL, offsetof(struct lowpand_config, admission), "no", 0,
	  0, NULL, false,
	  "forward between the mesh and the TUN only the traffic of nodes paad has "
	  "authenticated, and what joining needs (ND, RPL, PANA)" },
	{ "admission", "max_nodes", CONFIG_INT, offsetof(struct lowpand_config, admission_max),
	  "1024", 1, 1000000, NULL, false, "authenticated nodes remembered at once" },
	{ "snmp", "agentx", CONFIG_BOOL, offsetof(struct lowpand_config, agentx), "no", 0, 0, NULL,
	  false, "serve the RFC 7388 LOWPAN-MIB counters as an AgentX subagent of snmpd" },
	{ "snmp", "agentx_socket", CONFIG_STRING, offsetof(struct lowpand_config, agentx_socket),
	  "/var/agentx/master", 0, 0, NULL, false,
	  "snmpd's AgentX socket (its agentXSocket): a path, or tcp:host:port" },
	{ "snmp", "agentx_ping", CONFIG_INT, offsetof(struct lowpand_config, agentx_ping), "15", 1,
	  3600, NULL, false,
	  "seconds between pings to snmpd, and the longest wait between reconnection attempts" },
	HTTPCONF_KEYS(struct lowpand_config, http, "8082"),
	CONFIG_KEY_END,
};
/* clang-format on */

static const struct db_migration lowpand_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
	{ 2, rplroot_migration },
	{ 3, registry_migration },
};

struct lowpand {
	struct daemon *d;
	struct tun *tun;
	struct radio *radio;
	struct neighbors *neighbors;
	struct forward *fwd;
	struct rplroot *rpl;
	struct ndrouter *nd;  /* NULL when [nd] enabled = no */
	struct registry *reg; /* the 6LBR's registrations; NULL when ND is off */
	struct admission *adm;
	struct snmpagent *snmp;  /* NULL when [snmp] agentx = no */
	uint8_t link_local[16];  /* the root's fe80:: address on the radio, once known */
	struct in6_addr address; /* the router's address on lwg0 */
	struct in6_addr dodag_id;
	unsigned prefix_len;
	struct lowpan_ctx_table contexts;
	struct in6_addr context0; /* as configured, for the 6CO */
	unsigned context0_len;    /* 0: none */
	struct httpbridge *http;  /* NULL when [http] enabled = no */
};

/* The running configuration; never keep the pointer: a reload replaces it. */
static const struct lowpand_config *config(const struct lowpand *l)
{
	return daemon_config(l->d);
}

static int parse_address(const char *text, struct in6_addr *addr, unsigned *plen)
{
	char buf[64];
	char *slash, *end;
	long n;

	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	n = strtol(slash + 1, &end, 10);
	if (*end || n < 1 || n > 128 || inet_pton(AF_INET6, buf, addr) != 1)
		return -EINVAL;
	*plen = (unsigned)n;
	return 0;
}

/* What RPL and ND send into the mesh takes the forwarding path's downward routes too. */
static void root_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct lowpand *l = arg;

	forward_send(l->fwd, pkt, len);
}

/* RS and NS+ARO from the mesh: answered here, with the radio's addresses. */
static bool nd_input(struct lowpand *l, const uint8_t *pkt, size_t len)
{
	uint8_t eui[8], ll[16] = { 0xfe, 0x80 };
	bool known = radio_eui64(l->radio, eui);

	if (known) {
		memcpy(ll + 8, eui, 8);
		ll[8] ^= 0x02;
	}
	return ndrouter_input(l->nd, pkt, len, ll, known ? eui : NULL);
}

/* The control plane's share of the packets from the mesh: RPL, then ND. */
static bool local_input(void *arg, const uint8_t *pkt, size_t len)
{
	struct lowpand *l = arg;

	return (l->rpl && rplroot_input(l->rpl, pkt, len)) || (l->nd && nd_input(l, pkt, len));
}

/* Downward routes come from the DODAG, once there is one. */
static size_t route(void *arg, const uint8_t dst[16], uint8_t (*hops)[16], size_t max_hops)
{
	struct lowpand *l = arg;

	return l->rpl ? rplroot_route(l->rpl, dst, hops, max_hops) : 0;
}

/* What the RAs announce, from [tun], [6lowpan] and [nd]. */
static int nd_cfg(const struct lowpand *l, const struct lowpand_config *cfg,
		  struct ndrouter_cfg *nc)
{
	*nc = (struct ndrouter_cfg){
		.router_lifetime = (uint16_t)cfg->router_lifetime,
		.prefix_len = l->prefix_len,
		.prefix_lifetime = (uint32_t)cfg->prefix_lifetime,
		.has_context = l->context0_len > 0,
		.context_len = l->context0_len,
		.context_lifetime = (uint16_t)cfg->context_lifetime,
		/* a new ABRO version at each start, where the configuration can change */
		.version = (uint32_t)time(NULL),
		.has_rd = cfg->rd_address[0] != '\0',
		.rd_lifetime = (uint32_t)cfg->rd_lifetime,
	};
	for (unsigned i = 0; i < 16; i++)
		nc->prefix[i] = i < l->prefix_len / 8 ? l->address.s6_addr[i] : 0;
	memcpy(nc->context, l->context0.s6_addr, 16);
	memcpy(nc->border_router, l->address.s6_addr, 16);
	if (nc->has_rd && inet_pton(AF_INET6, cfg->rd_address, nc->rd_address) != 1) {
		log_error("[nd] rd_address \"%s\" is not an IPv6 address", cfg->rd_address);
		return -EINVAL;
	}
	return 0;
}

/* NULL when ND is off or misconfigured. */
static struct ndrouter *nd_new(struct lowpand *l, const struct lowpand_config *cfg)
{
	struct ndrouter_cfg nc;

	if (!cfg->nd || nd_cfg(l, cfg, &nc) < 0)
		return NULL;
	l->reg = registry_new(daemon_base(l->d), daemon_db(l->d), (size_t)cfg->registrations_max);
	return ndrouter_new(&nc, l->reg, root_send, l);
}

/* The host's NS for a node's address: answered on its behalf (ndrouter.h). */
static size_t host_nd(void *arg, const uint8_t *pkt, size_t len, uint8_t *out, size_t size)
{
	struct lowpand *l = arg;
	uint8_t eui[8], ll[16] = { 0xfe, 0x80 };

	if (!l->nd || !radio_eui64(l->radio, eui))
		return 0;
	memcpy(ll + 8, eui, 8);
	ll[8] ^= 0x02;
	return ndrouter_host_input(l->nd, pkt, len, ll, out, size);
}

/* SIGHUP: the [nd] keys are reloadable; a changed RA gets a new ABRO version. */
static void lowpand_reload(void *state)
{
	struct lowpand *l = state;
	struct ndrouter_cfg nc;

	if (l->nd && nd_cfg(l, config(l), &nc) == 0)
		ndrouter_reconfigure(l->nd, &nc);
}

/* As root: the TUN interface. */
static int lowpand_prepare(struct daemon *d, void **state)
{
	const struct lowpand_config *cfg = daemon_config(d);
	struct lowpand *l = calloc(1, sizeof(*l));
	struct in6_addr addr;
	unsigned plen;
	char err[256];

	if (!l)
		abort();
	*state = l;
	l->d = d;
	if (parse_address(cfg->address, &addr, &plen) < 0) {
		log_error("[tun] address \"%s\" is not an IPv6 address/prefix length",
			  cfg->address);
		return -EINVAL;
	}
	l->address = addr;
	l->prefix_len = plen;
	l->dodag_id = addr;
	if (cfg->dodag_id[0] && inet_pton(AF_INET6, cfg->dodag_id, &l->dodag_id) != 1) {
		log_error("[rpl] dodag_id \"%s\" is not an IPv6 address", cfg->dodag_id);
		return -EINVAL;
	}
	if (cfg->context0[0]) {
		struct in6_addr ctx;
		unsigned ctx_len;

		if (parse_address(cfg->context0, &ctx, &ctx_len) < 0 || ctx_len > 128 ||
		    lowpan_iphc_ctx_set(&l->contexts, 0, ctx.s6_addr, ctx_len, true) < 0) {
			log_error("[6lowpan] context0 \"%s\" is not an IPv6 prefix/length",
				  cfg->context0);
			return -EINVAL;
		}
		l->context0 = ctx;
		l->context0_len = ctx_len;
	}
	l->tun = tun_open(cfg->tun_name, &addr, plen, err, sizeof(err));
	if (!l->tun) {
		log_error("TUN interface %s: %s", cfg->tun_name, err);
		return -errno;
	}
	log_info("interface up name=%s address=%s mtu=1280", tun_name(l->tun), cfg->address);
	return 0;
}

/*
 * Events on the control socket (and so on the HTTP API's /api/event): the
 * web console redraws the mesh when it changes instead of polling, and
 * `lwgatectl watch` shows them.  Each carries the node's address.
 */
static void on_route_change(void *arg, enum rplroot_change what, const uint8_t node[16],
			    const uint8_t parent[16], uint32_t lifetime_s)
{
	static const char *const topics[] = { "route.added", "route.moved", "route.removed",
					      "route.removed" };
	static const char *const reasons[] = { "joined", "moved", "expired", "no-path" };
	struct lowpand *l = arg;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, node, a, sizeof(a));
	inet_ntop(AF_INET6, parent, b, sizeof(b));
	ipc_server_publish(daemon_ipc(l->d), topics[what],
			   json_pack("{s:s, s:s, s:s, s:I}", "node", a, "parent", b, "reason",
				     reasons[what], "lifetime_s", (json_int_t)lifetime_s));
}

static void on_neighbor(void *arg, const char *address, const char *link_local)
{
	struct lowpand *l = arg;

	ipc_server_publish(daemon_ipc(l->d), "neighbor.added",
			   json_pack("{s:s, s:s}", "address", address, "link_local", link_local));
}

/*
 * The radio has (again) finished its handshake: the root's link-local
 * address comes from the dongle's EUI-64, so the DODAG starts here — and
 * starts again if another dongle was plugged in.
 */
static void on_radio_ready(void *arg)
{
	struct lowpand *l = arg;
	const struct lowpand_config *cfg = config(l);
	struct rplroot_cfg rc = {
		.instance = (uint8_t)cfg->rpl_instance,
		.prefix_len = (uint8_t)l->prefix_len,
		.ocp = (uint16_t)cfg->ocp,
		.storing = cfg->rpl_mode == 1,
		.dio_interval_min = (uint8_t)cfg->dio_interval_min,
		.dio_interval_doublings = (uint8_t)cfg->dio_interval_doublings,
		.dio_redundancy = (uint8_t)cfg->dio_redundancy,
		.default_lifetime = (uint8_t)cfg->default_lifetime,
		.lifetime_unit = (uint16_t)cfg->lifetime_unit,
		.changed = on_route_change,
	};
	uint8_t eui[8];

	if (!cfg->rpl || !radio_eui64(l->radio, eui))
		return;
	rc.link_local[0] = 0xfe;
	rc.link_local[1] = 0x80;
	memcpy(rc.link_local + 8, eui, 8);
	rc.link_local[8] ^= 0x02;
	memcpy(rc.dodagid, l->dodag_id.s6_addr, 16);
	for (unsigned i = 0; i < 16; i++)
		rc.prefix[i] = i < l->prefix_len / 8 ? l->address.s6_addr[i] : 0;
	if (l->rpl) {
		if (memcmp(l->link_local, rc.link_local, 16) == 0)
			return; /* the same dongle came back: the DODAG goes on */
		rplroot_free(l->rpl);
	}
	memcpy(l->link_local, rc.link_local, 16);
	l->rpl = rplroot_new(daemon_base(l->d), &rc, daemon_db(l->d), root_send, l);
}

/* A unicast frame's fate is its link's quality: the neighbour table keeps its ETX. */
static void on_sent(void *arg, const uint8_t *frame, size_t len, unsigned transmissions, bool acked)
{
	struct lowpand *l = arg;
	struct lowpan_frame f;

	if (lowpan_frame_parse(frame, len, 0, &f) == 0 && f.ack_req)
		neighbors_sent(l->neighbors, &f.dst, transmissions, acked);
}

static void on_frame(void *arg, const uint8_t *frame, size_t len)
{
	struct lowpand *l = arg;

	forward_frame(l->fwd, frame, len);
}

static bool admit(void *arg, const uint8_t *pkt, size_t len, bool to_mesh)
{
	struct lowpand *l = arg;

	return admission_check(l->adm, pkt, len, to_mesh, clock_ms());
}

static struct forward *forward_start(struct lowpand *l, const struct lowpand_config *cfg)
{
	struct forward_cfg fc = {
		.tun = l->tun,
		.radio = l->radio,
		.neighbors = l->neighbors,
		.contexts = &l->contexts,
		.panid = (uint16_t)cfg->panid,
		.address = l->address,
		.prefix_len = l->prefix_len,
		.dodag_id = l->dodag_id,
		.storing = cfg->rpl && cfg->rpl_mode == 1,
		.reasm_timeout_ms = (uint32_t)cfg->reasm_timeout * 1000,
		.reasm_max = (unsigned)cfg->reasm_max,
		.hooks = { .local = local_input,
			   .route = route,
			   .admit = admit,
			   .host_nd = host_nd,
			   .arg = l },
	};

	return forward_new(daemon_base(l->d), &fc);
}

/* Radio frames reach the forwarding path only once the loop runs, when all of it exists. */
static int lowpand_start(struct daemon *d, void **state)
{
	struct lowpand *l = *state;
	const struct lowpand_config *cfg = daemon_config(d);
	struct radio_cfg rcfg = {
		.device = cfg->device,
		.baud = atoi(bauds[cfg->baud]),
		.rtscts = cfg->rtscts,
		.channel = cfg->channel,
		.panid = cfg->panid,
		.dialect = (enum radio_dialect)cfg->dialect,
		.retries = cfg->retries,
		.queue_max = cfg->tx_queue,
		.on_ready = on_radio_ready,
		.on_sent = on_sent,
	};

	l->neighbors = neighbors_new(256, on_neighbor, l);
	l->adm = admission_new(
		&(struct admission_cfg){ cfg->admission, (unsigned)cfg->admission_max });
	l->radio = radio_new(daemon_base(d), &rcfg, on_frame, l);
	l->fwd = forward_start(l, cfg);
	if (cfg->nd) {
		l->nd = nd_new(l, cfg);
		if (!l->nd)
			return -EINVAL;
	}
	if (cfg->agentx) {
		l->snmp = snmpagent_new(daemon_base(d),
					&(struct snmpagent_cfg){
						.socket = cfg->agentx_socket,
						.ping_s = (unsigned)cfg->agentx_ping,
						.mib = forward_mib(l->fwd),
						.reasm_timeout_s = (uint32_t)cfg->reasm_timeout,
					});
		if (!l->snmp)
			return -EINVAL;
	}
	return lowpand_httpapi_new(daemon_base(d), &cfg->http, cfg->common.socket, &l->http);
}

static void lowpand_stop(void *state)
{
	struct lowpand *l = state;

	snmpagent_free(l->snmp);
	httpbridge_free(l->http);
	rplroot_free(l->rpl);
	ndrouter_free(l->nd);
	registry_free(l->reg);
	forward_free(l->fwd);
	radio_free(l->radio);
	admission_free(l->adm);
	neighbors_free(l->neighbors);
	tun_close(l->tun);
	free(l);
}

static json_t *radio_json(const struct lowpand *l)
{
	uint8_t eui[8];
	char text[24] = "";

	if (radio_eui64(l->radio, eui))
		snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", eui[0],
			 eui[1], eui[2], eui[3], eui[4], eui[5], eui[6], eui[7]);
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i}", "device", config(l)->device, "state",
			 radio_state_name(l->radio), "dialect",
			 radio_dialect_name(radio_dialect(l->radio)), "eui64", text, "channel",
			 config(l)->channel, "panid", config(l)->panid);
}

/* The registration table's counters (RFC 8505 statuses given, expiries). */
static void counters_registry(const struct lowpand *l, json_t *c)
{
	struct registry_stats rs;

	registry_get_stats(l->reg, &rs);
	json_object_update_new(
		c,
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "nd_registrations",
			  (json_int_t)registry_count(l->reg), "nd_registered",
			  (json_int_t)rs.registered, "nd_refreshed", (json_int_t)rs.refreshed,
			  "nd_deregistered", (json_int_t)rs.deregistered, "nd_duplicates",
			  (json_int_t)rs.duplicates, "nd_table_full", (json_int_t)rs.full,
			  "nd_moved", (json_int_t)rs.moved, "nd_expired", (json_int_t)rs.expired));
}

static json_t *counters_json(const struct lowpand *l)
{
	struct radio_stats st;
	struct forward_stats fs;
	size_t n;
	const struct lowpan_mib_field *f = lowpan_mib_fields(&n);
	json_t *c;

	radio_get_stats(l->radio, &st);
	forward_get_stats(l->fwd, &fs);
	c = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		      "radio_rx_frames", (json_int_t)st.rx_frames, "radio_tx_frames",
		      (json_int_t)st.tx_frames, "radio_tx_ok", (json_int_t)st.tx_ok,
		      "radio_tx_noack", (json_int_t)st.tx_noack, "radio_tx_collision",
		      (json_int_t)st.tx_collision, "radio_tx_failed", (json_int_t)st.tx_failed,
		      "radio_tx_retries", (json_int_t)st.tx_retries, "radio_tx_timeouts",
		      (json_int_t)st.tx_timeouts, "radio_queue_drops", (json_int_t)st.queue_drops,
		      "radio_slip_errors", (json_int_t)st.slip_errors, "radio_malformed",
		      (json_int_t)st.malformed, "radio_log_lines", (json_int_t)st.log_lines,
		      "radio_reconnects", (json_int_t)st.reconnects);
	json_object_set_new(c, "tun_in", json_integer((json_int_t)fs.tun_in));
	json_object_set_new(c, "tun_out", json_integer((json_int_t)fs.tun_out));
	json_object_set_new(c, "tun_errors", json_integer((json_int_t)fs.tun_errors));
	json_object_set_new(c, "no_route", json_integer((json_int_t)fs.no_route));
	json_object_set_new(c, "forwarded", json_integer((json_int_t)fs.forwarded));
	json_object_set_new(c, "rx_bad_header", json_integer((json_int_t)fs.rx_bad_header));
	json_object_set_new(c, "rx_not_for_us", json_integer((json_int_t)fs.rx_not_for_us));
	json_object_set_new(c, "rx_secured", json_integer((json_int_t)fs.rx_secured));
	json_object_set_new(c, "hop_limit_exceeded", json_integer((json_int_t)fs.hop_limit));
	json_object_set_new(c, "host_nd_dropped", json_integer((json_int_t)fs.host_nd));
	json_object_set_new(c, "host_nd_answered", json_integer((json_int_t)fs.host_nd_answered));
	if (l->rpl) {
		struct rplroot_stats rs;

		rplroot_get_stats(l->rpl, &rs);
		json_object_update_new(
			c, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				     "rpl_dio_sent", (json_int_t)rs.dio_sent, "rpl_dis_received",
				     (json_int_t)rs.dis_received, "rpl_dao_received",
				     (json_int_t)rs.dao_received, "rpl_dao_ack_sent",
				     (json_int_t)rs.dao_ack_sent, "rpl_no_path",
				     (json_int_t)rs.no_path, "rpl_loops_refused",
				     (json_int_t)rs.loops_refused, "rpl_stale_sequence",
				     (json_int_t)rs.stale_sequence, "rpl_expired",
				     (json_int_t)rs.expired, "rpl_malformed",
				     (json_int_t)rs.malformed));
		json_object_set_new(c, "rpl_dao_unroutable",
				    json_integer((json_int_t)rs.unroutable));
	}
	if (l->nd) {
		struct ndrouter_stats ns;

		ndrouter_get_stats(l->nd, &ns);
		json_object_update_new(
			c, json_pack("{s:I, s:I, s:I, s:I, s:I}", "nd_rs_received",
				     (json_int_t)ns.rs_in, "nd_ra_sent", (json_int_t)ns.ra_out,
				     "nd_ns_aro_received", (json_int_t)ns.ns_aro_in, "nd_na_sent",
				     (json_int_t)ns.na_out, "nd_invalid", (json_int_t)ns.invalid));
		json_object_set_new(c, "nd_ns_own_received",
				    json_integer((json_int_t)ns.ns_own_in));
		json_object_set_new(c, "nd_dar_received", json_integer((json_int_t)ns.dar_in));
		json_object_set_new(c, "nd_dac_sent", json_integer((json_int_t)ns.dac_out));
		json_object_set_new(c, "nd_host_ns_proxied",
				    json_integer((json_int_t)ns.host_ns_in));
		json_object_set_new(c, "nd_abro_version", json_integer((json_int_t)ns.version));
		counters_registry(l, c);
	}
	for (size_t i = 0; i < n; i++)
		json_object_set_new(
			c, f[i].name,
			json_integer((json_int_t)lowpan_mib_get(forward_mib(l->fwd), i)));
	return c;
}

static void lowpand_status(void *state, json_t *status)
{
	struct lowpand *l = state;

	json_object_set_new(status, "radio", radio_json(l));
	json_object_set_new(
		status, "tun",
		json_pack("{s:s, s:s}", "name", tun_name(l->tun), "address", config(l)->address));
	char dodag_id_text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &l->dodag_id, dodag_id_text, sizeof(dodag_id_text));
	if (l->rpl)
		json_object_set_new(
			status, "rpl",
			json_pack("{s:i, s:s, s:s, s:I}", "instance", config(l)->rpl_instance,
				  "mode", rpl_modes[config(l)->rpl_mode], "dodagid", dodag_id_text,
				  "routes", (json_int_t)rplroot_route_count(l->rpl)));
	json_object_update_new(json_object_get(status, "counters"), counters_json(l));
	json_object_set_new(status, "admission", admission_status(l->adm));
}

static void cmd_stats(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_reply(call, counters_json(ctx));
}

static void cmd_neighbors(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lowpand *l = ctx;

	ipc_call_reply(call, neighbors_json(l->neighbors, clock_ms()));
}

static void cmd_registrations(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lowpand *l = ctx;

	if (!l->reg) {
		ipc_call_fail(call, IPC_ERR_UNAVAILABLE, "%s",
			      "6LoWPAN-ND is off ([nd] enabled = no)");
		return;
	}
	ipc_call_reply(call, registry_json(l->reg, clock_ms()));
}

static void cmd_routes(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lowpand *l = ctx;

	if (!l->rpl) {
		ipc_call_fail(call, IPC_ERR_UNAVAILABLE, "%s",
			      config(l)->rpl ? "the DODAG starts once the dongle answers"
					     : "RPL is off ([rpl] enabled = no)");
		return;
	}
	ipc_call_reply(call, rplroot_routes_json(l->rpl));
}

/*
 * paad repeats its admissions now and then: only a change in the number of
 * nodes let through (one admitted anew, one revoked) is an event; who they
 * are is in "admitted".
 */
static void admission_event(struct lowpand *l, size_t before, bool admitted)
{
	size_t now = admission_count(l->adm, clock_ms());

	if (now == before)
		return;
	ipc_server_publish(daemon_ipc(l->d), admitted ? "admission.admitted" : "admission.revoked",
			   json_pack("{s:I}", "admitted", (json_int_t)now));
}

static void cmd_admit(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lowpand *l = ctx;
	size_t before = admission_count(l->adm, clock_ms());

	admission_cmd_admit(call, args, l->adm);
	admission_event(l, before, true);
}

static void cmd_revoke(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lowpand *l = ctx;
	size_t before = admission_count(l->adm, clock_ms());

	admission_cmd_revoke(call, args, l->adm);
	admission_event(l, before, false);
}

static void cmd_admitted(struct ipc_call *call, json_t *args, void *ctx)
{
	admission_cmd_admitted(call, args, ((struct lowpand *)ctx)->adm);
}

static const struct ipc_command lowpand_commands[] = {
	{ "stats", "radio, TUN, RPL and RFC 7388 LOWPAN-MIB counters", NULL, cmd_stats, false },
	{ "routes", "the RPL DODAG: each node under its parent, with lifetime left", NULL,
	  cmd_routes, false },
	{ "neighbors", "the 802.15.4 nodes heard directly, most recent first", NULL, cmd_neighbors,
	  false },
	{ "registrations", "the 6LoWPAN-ND registration table: address, owner, TID, lifetime left",
	  NULL, cmd_registrations, false },
	{ "admit", "let authenticated nodes through [admission] (what paad sends)",
	  admission_admit_args, cmd_admit, true },
	{ "revoke", "stop a node's traffic (what paad sends)", admission_revoke_args, cmd_revoke,
	  true },
	{ "admitted", "the nodes let through, by interface identifier", NULL, cmd_admitted, false },
	{ NULL },
};

static const struct daemon_def lowpand_def = {
	.name = "lowpand",
	.description = "lwgate border router: slip-radio 802.15.4 dongle, 6LoWPAN, TUN.",
	.keys = lowpand_keys,
	.config_size = sizeof(struct lowpand_config),
	.migrations = lowpand_migrations,
	.migration_count = sizeof(lowpand_migrations) / sizeof(lowpand_migrations[0]),
	.keep_net_admin = true,
	.prepare = lowpand_prepare,
	.start = lowpand_start,
	.stop = lowpand_stop,
	.reload = lowpand_reload,
	.status = lowpand_status,
	.commands = lowpand_commands,
};

int main(int argc, char **argv)
{
	return daemon_main(&lowpand_def, argc, argv);
}
