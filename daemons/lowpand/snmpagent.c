/*
 * AgentX subagent (see snmpagent.h).
 *
 * Why net-snmp's agent library rather than an AgentX codec of our own: it
 * is the master's own implementation of the protocol (PDU encoding, the
 * open/register/ping/reconnect life cycle, GETNEXT/GETBULK over the
 * registered subtrees), in Debian, and it fits a libevent loop without a
 * thread: after each of its steps snmp_select_info() says which sockets
 * it waits on and when its next timer (ping, reconnect) is due; those
 * become libevent events, and a wake-up hands control back to
 * agent_check_and_process() without blocking.  Its alarms run from there
 * too, never from SIGALRM.
 */
#define LOG_COMPONENT "snmp"

#include "snmpagent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "common/log.h"

#define APP     "lowpand"
#define MAX_FDS 8 /* a subagent has one session; a margin for reconnects */

struct object {
	struct snmpagent *agent;
	size_t field; /* index in lowpan_mib_fields(); SIZE_MAX: lowpanReasmTimeout */
	netsnmp_handler_registration *reg;
};

struct snmpagent {
	struct event_base *base;
	struct snmpagent_cfg cfg;
	struct event *fd_ev[MAX_FDS];
	struct event *timer;
	struct object *objects;
	size_t n_objects;
};

static int on_log(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message *m = server;
	size_t len = strlen(m->msg);

	(void)major;
	(void)minor;
	(void)client;
	while (len > 0 && m->msg[len - 1] == '\n')
		len--;
	if (m->priority <= LOG_WARNING) /* "Failed to connect to the agentx master" too */
		log_warnx("net-snmp: %.*s", (int)len, m->msg);
	else
		log_debug("net-snmp: %.*s", (int)len, m->msg);
	return 0;
}

/* A GET of one scalar (the scalar helper turns GETNEXT into GET). */
static int on_request(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
		      netsnmp_agent_request_info *info, netsnmp_request_info *requests)
{
	const struct object *o = reg->my_reg_void;
	const struct snmpagent *a = o->agent;

	(void)handler;
	if (info->mode != MODE_GET)
		return SNMP_ERR_NOERROR;
	for (netsnmp_request_info *r = requests; r; r = r->next) {
		if (o->field == SIZE_MAX)
			snmp_set_var_typed_integer(r->requestvb, ASN_UNSIGNED,
						   (long)a->cfg.reasm_timeout_s);
		else /* Counter32 (RFC 2578 §7.1.6): the low 32 bits wrap as the counter does */
			snmp_set_var_typed_integer(
				r->requestvb, ASN_COUNTER,
				(long)(uint32_t)lowpan_mib_get(a->cfg.mib, o->field));
	}
	return SNMP_ERR_NOERROR;
}

static int register_object(struct snmpagent *a, struct object *o, const char *name, unsigned sub)
{
	oid id[] = { LOWPAN_MIB_STATS_OID, sub };

	o->agent = a;
	o->reg = netsnmp_create_handler_registration(name, on_request, id, OID_LENGTH(id),
						     HANDLER_CAN_RONLY);
	if (!o->reg)
		return -ENOMEM;
	o->reg->my_reg_void = o;
	if (netsnmp_register_scalar(o->reg) != MIB_REGISTERED_OK) {
		o->reg = NULL; /* freed by the failed registration */
		return -EEXIST;
	}
	return 0;
}

/* lowpanStatsGroup: lowpanReasmTimeout, then every counter with an OID. */
static int register_objects(struct snmpagent *a)
{
	size_t n;
	const struct lowpan_mib_field *f = lowpan_mib_fields(&n);

	a->objects = calloc(n + 1, sizeof(*a->objects));
	if (!a->objects)
		abort();
	a->objects[0].field = SIZE_MAX;
	if (register_object(a, &a->objects[0], "lowpanReasmTimeout", LOWPAN_MIB_REASM_TIMEOUT_OID) <
	    0)
		return -1;
	a->n_objects = 1;
	for (size_t i = 0; i < n; i++) {
		struct object *o = &a->objects[a->n_objects];

		if (!f[i].oid)
			continue;
		o->field = i;
		if (register_object(a, o, f[i].name, f[i].oid) < 0)
			return -1;
		a->n_objects++;
	}
	return 0;
}

static void on_wake(evutil_socket_t fd, short what, void *arg);

/*
 * Watch what net-snmp now waits for: its sockets (the AgentX session comes
 * and goes with the master) and its next timer.
 */
static void sync_events(struct snmpagent *a)
{
	fd_set fds;
	int maxfd = 0, block = 1, k = 0;
	struct timeval tv = { 0, 0 };

	FD_ZERO(&fds);
	snmp_select_info(&maxfd, &fds, &tv, &block);
	for (int i = 0; i < MAX_FDS; i++) {
		if (a->fd_ev[i])
			event_free(a->fd_ev[i]);
		a->fd_ev[i] = NULL;
	}
	for (int fd = 0; fd < maxfd && fd < FD_SETSIZE; fd++) {
		if (!FD_ISSET(fd, &fds))
			continue;
		if (k == MAX_FDS) {
			log_warnx("net-snmp waits on more than %d sockets; ignoring fd %d", MAX_FDS,
				  fd);
			continue;
		}
		a->fd_ev[k] = event_new(a->base, fd, EV_READ, on_wake, a);
		if (!a->fd_ev[k])
			abort();
		event_add(a->fd_ev[k++], NULL);
	}
	if (block)
		evtimer_del(a->timer);
	else
		evtimer_add(a->timer, &tv);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct snmpagent *a = arg;

	(void)fd;
	(void)what;
	agent_check_and_process(0); /* reads, answers, runs due alarms; never blocks */
	sync_events(a);
}

struct snmpagent *snmpagent_new(struct event_base *base, const struct snmpagent_cfg *cfg)
{
	struct snmpagent *a = calloc(1, sizeof(*a));

	if (!a)
		abort();
	a->base = base;
	a->cfg = *cfg;
	a->timer = evtimer_new(base, on_wake, a);
	if (!a->timer)
		abort();
	snmp_disable_log();
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log, NULL);
	/* a subagent of @socket; no snmp.conf, no MIB files, no SIGALRM */
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, cfg->socket);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	/*
	 * No MIB modules: the subagent speaks numeric OIDs only, and init_snmp()
	 * would otherwise parse snmpd's whole default list (and report each
	 * module Debian does not ship).  The MIBS variable is net-snmp's only
	 * knob for that list besides snmp.conf, which is not read here.
	 */
	setenv("MIBS", "", 1);
	if (init_agent(APP) != 0) {
		log_error("net-snmp agent library did not start");
		snmpagent_free(a);
		return NULL;
	}
	/* after init_agent(), which sets net-snmp's default (15 s) */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)cfg->ping_s);
	if (register_objects(a) < 0) {
		log_error("LOWPAN-MIB objects could not be registered");
		snmpagent_free(a);
		return NULL;
	}
	init_snmp(APP); /* opens the AgentX session, or schedules its reconnection */
	log_info("agentx subagent socket=%s objects=%zu", cfg->socket, a->n_objects);
	sync_events(a);
	return a;
}

void snmpagent_free(struct snmpagent *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_objects; i++)
		netsnmp_unregister_handler(a->objects[i].reg);
	free(a->objects);
	snmp_shutdown(APP);
	shutdown_agent();
	for (int i = 0; i < MAX_FDS; i++)
		if (a->fd_ev[i])
			event_free(a->fd_ev[i]);
	event_free(a->timer);
	free(a);
}
