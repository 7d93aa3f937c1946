/*
 * scefd — lwgate SCEF emulator: the 3GPP T8 NIDD API (TS 29.122) over
 * emulated NB-IoT devices on UDP.
 *
 * The shared main() in lib/common/daemon.c does the daemon work (config,
 * database, control socket, signals, systemd); this file wires scefd's
 * modules: devices (southbound UDP), nidd (delivery and buffering), t8api
 * (northbound HTTP on lib/http) and scefctl (the control commands).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/log.h"
#include "devices.h"
#include "http/httpsrv.h"
#include "nidd.h"
#include "scefctl.h"
#include "scefd.h"
#include "store.h"
#include "t8api.h"

struct scefd_config {
	struct daemon_config common;
	char *t8_address;
	int t8_port;
	char *cert_file, *key_file;
	char *callback_ca_file;
	char *api_root;
	int max_body;
	int max_packet_size;
	int buffer_max;
	int buffer_time;
	char *dev_address;
	int dev_port;
	char *dev_list;
	int dev_loss;
	char *dev_psm, *dev_edrx;
	int dev_seed;
	char *dev_quota[QUOTA_COUNT];
	char *dev_groups;
};

/* clang-format off */
static const struct config_key scefd_keys[] = {
	DAEMON_CONFIG_KEYS("scefd", struct scefd_config),
	{ "t8", "address", CONFIG_ADDRESS, offsetof(struct scefd_config, t8_address), "127.0.0.1",
	  0, 0, NULL, false, "address the T8 API (HTTP/1.1 and HTTP/2) listens on" },
	{ "t8", "port", CONFIG_INT, offsetof(struct scefd_config, t8_port), "8090", 0, 65535, NULL,
	  false, "TCP port of the T8 API (cleartext and TLS on the same port)" },
	{ "t8", "cert_file", CONFIG_STRING, offsetof(struct scefd_config, cert_file), "", 0, 0, NULL,
	  false, "PEM certificate chain for TLS with ALPN (empty: cleartext only)" },
	{ "t8", "key_file", CONFIG_STRING, offsetof(struct scefd_config, key_file), "", 0, 0, NULL,
	  false, "PEM private key of cert_file" },
	{ "t8", "callback_ca_file", CONFIG_STRING, offsetof(struct scefd_config, callback_ca_file),
	  "", 0, 0, NULL, false,
	  "PEM CAs that verify https:// notificationDestination receivers (empty: the system store)" },
	{ "t8", "api_root", CONFIG_STRING, offsetof(struct scefd_config, api_root), "", 0, 0, NULL,
	  false, "{apiRoot} of the self links and Location headers (empty: http(s)://ADDRESS:PORT)" },
	{ "t8", "max_body", CONFIG_INT, offsetof(struct scefd_config, max_body), "65536", 1024,
	  16777216, NULL, false, "largest request body (bytes)" },
	{ "nidd", "max_packet_size", CONFIG_INT, offsetof(struct scefd_config, max_packet_size),
	  "1358", 1, T8_MAX_DATA, NULL, false,
	  "largest non-IP packet in bytes (configurations report it as maximumPacketSize in bits)" },
	{ "nidd", "buffer_max", CONFIG_INT, offsetof(struct scefd_config, buffer_max), "16", 0,
	  1024, NULL, false, "downlink deliveries buffered per device; more fail" },
	{ "nidd", "buffer_time", CONFIG_INT, offsetof(struct scefd_config, buffer_time), "3600", 1,
	  604800, NULL, false, "seconds buffered data is kept when it has no maximumLatency" },
	{ "devices", "address", CONFIG_ADDRESS, offsetof(struct scefd_config, dev_address),
	  "127.0.0.1", 0, 0, NULL, false, "address of the emulated devices and of scefd's side" },
	{ "devices", "port", CONFIG_INT, offsetof(struct scefd_config, dev_port), "5690", 0, 65535,
	  NULL, false, "UDP port the devices send their non-IP data to" },
	{ "devices", "list", CONFIG_STRING, offsetof(struct scefd_config, dev_list), "", 0, 0, NULL,
	  false, "the devices, blank-separated EXTID,MSISDN,PORT[,STATE][,OPTION...] (STATE: "
		 "reachable, psm, edrx, no-pdn; OPTION: loss=PCT, psm=S/A, edrx=S/A, rds, ack, "
		 "or a quota KEY=LIMIT)" },
	{ "devices", "loss", CONFIG_INT, offsetof(struct scefd_config, dev_loss), "0", 0, 100,
	  NULL, false, "percent of datagrams the radio loses each way, unless an item says loss=" },
	{ "devices", "psm", CONFIG_STRING, offsetof(struct scefd_config, dev_psm), "", 0, 0, NULL,
	  false, "PSM cycle SLEEP/ACTIVE in seconds: reachable ACTIVE s after each activity, then "
		 "asleep SLEEP s (empty: none), unless an item says psm= or edrx=" },
	{ "devices", "edrx", CONFIG_STRING, offsetof(struct scefd_config, dev_edrx), "", 0, 0, NULL,
	  false, "eDRX cycle SLEEP/ACTIVE in seconds (the paging time window is ACTIVE; empty: "
		 "none); not with psm" },
	{ "devices", "seed", CONFIG_INT, offsetof(struct scefd_config, dev_seed), "0", 0,
	  2147483647, NULL, false,
	  "seed of the loss PRNG (0: a random one, logged and in status, to replay a run)" },
	{ "devices", "groups", CONFIG_STRING, offsetof(struct scefd_config, dev_groups), "", 0, 0,
	  NULL, false, "external groups for group message delivery, blank-separated "
		       "GROUPID=MEMBER,MEMBER... (a member: a device's externalId or MSISDN)" },
	{ "devices", "plmn_ul", CONFIG_STRING, offsetof(struct scefd_config, dev_quota[0]), "", 0,
	  0, NULL, false, "serving PLMN rate control: uplink messages per 6 minutes (empty: none)" },
	{ "devices", "plmn_dl", CONFIG_STRING, offsetof(struct scefd_config, dev_quota[1]), "", 0,
	  0, NULL, false, "serving PLMN rate control: downlink messages per 6 minutes (empty: none)" },
	{ "devices", "apn_ul", CONFIG_STRING, offsetof(struct scefd_config, dev_quota[2]), "", 0,
	  0, NULL, false, "APN rate control: uplink messages, N/minute, N/hour or N/day (empty: none)" },
	{ "devices", "apn_dl", CONFIG_STRING, offsetof(struct scefd_config, dev_quota[3]), "", 0,
	  0, NULL, false, "APN rate control: downlink messages, N/minute, N/hour or N/day" },
	{ "devices", "bytes_ul", CONFIG_STRING, offsetof(struct scefd_config, dev_quota[4]), "", 0,
	  0, NULL, false, "uplink byte quota per device, N/minute, N/hour or N/day (empty: none)" },
	{ "devices", "bytes_dl", CONFIG_STRING, offsetof(struct scefd_config, dev_quota[5]), "", 0,
	  0, NULL, false, "downlink byte quota per device, N/minute, N/hour or N/day (empty: none)" },
	CONFIG_KEY_END,
};
/* clang-format on */

static const struct db_migration scefd_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 }, { 2, store_schema_2 }, { 3, notify_schema_3 },
	{ 4, store_schema_4 },  { 5, store_schema_5 }, { 6, store_schema_6 },
};

/* The [devices] defaults of @c.  Returns 0, or -EINVAL with @why. */
static int device_defaults(const struct scefd_config *c, struct device_defaults *def, char *why,
			   size_t size)
{
	*def = (struct device_defaults){ .loss = (unsigned)c->dev_loss, .sleeps = DEVICE_PSM };
	if (c->dev_psm[0] && c->dev_edrx[0]) {
		snprintf(why, size, "[devices] psm and edrx: a device sleeps one way");
		return -EINVAL;
	}
	if (c->dev_edrx[0])
		def->sleeps = DEVICE_EDRX;
	for (int k = 0; k < QUOTA_COUNT; k++)
		if (quota_set(def->quota, quota_key(k), c->dev_quota[k]) < 0) {
			snprintf(why, size, "[devices] %s: \"%s\" is not a limit", quota_key(k),
				 c->dev_quota[k]);
			return -EINVAL;
		}
	if (device_cycle_parse(c->dev_edrx[0] ? c->dev_edrx : c->dev_psm, &def->sleep,
			       &def->active) < 0) {
		snprintf(why, size, "[devices] %s: not SLEEP/ACTIVE seconds",
			 c->dev_edrx[0] ? "edrx" : "psm");
		return -EINVAL;
	}
	return 0;
}

static bool scefd_config_check(const void *cfg, char *why, size_t size)
{
	const struct scefd_config *c = cfg;
	struct device *v;
	size_t n;
	struct device_defaults def;
	if (device_defaults(c, &def, why, size) < 0 ||
	    devices_parse(c->dev_list, &def, &v, &n, why, size) < 0)
		return false;
	struct group *g;
	size_t ng;
	int rc = groups_parse(c->dev_groups, v, n, &g, &ng, why, size);
	free(v);
	if (rc < 0)
		return false;
	groups_free(g, ng);
	if (!c->cert_file[0] != !c->key_file[0]) {
		snprintf(why, size, "[t8] cert_file and key_file go together");
		return false;
	}
	return true;
}

/*
 * A notification of configuration @config: over its WebSocket when the
 * SCS/AS has one open, else POSTed to @dest through the outbox.
 */
static void deliver(struct scefd *s, int64_t config, const char *dest, const char *body)
{
	if (body && !wsnotify_send(s->ws, config, body))
		notify_post(s->notify, dest, body);
}

struct uplink {
	struct scefd *s;
	struct device *dev;
	const uint8_t *data;
	size_t len;
};

/* One NiddUplinkDataNotification per configuration of the device. */
static int uplink_to(const struct store_config *c, void *arg)
{
	struct uplink *u = arg;
	const struct t8_target *t = &c->cfg.target;
	if (devices_find(u->s->devs, t->kind, t->id) != u->dev)
		return 0;
	char link[T8_MAX_URI + 128];
	t8api_config_link(u->s->api, c->scs_as, c->id, link, sizeof(link));
	char *body = t8_uplink_json(link, t, u->data, u->len);
	deliver(u->s, c->id, c->cfg.notification_destination, body);
	free(body);
	return 0;
}

static void on_uplink(struct device *dev, const uint8_t *data, size_t len, void *arg)
{
	struct scefd *s = arg;
	struct uplink u = { s, dev, data, len };
	s->uplinks++;
	/* Sending data is what a sleeping device does when it wakes; an
	 * awake one starts its active time (T3324) again. */
	if (dev->state != DEVICE_REACHABLE)
		nidd_set_state(s->nidd, dev, DEVICE_REACHABLE);
	else
		devices_schedule(dev);
	/* Past its rate or quota the network discards it (TS 23.401 4.7.7):
	 * no T8 notification says so; `lwgatectl scefd quota` counts it. */
	struct quota_hit hit;
	if (!quota_take(&dev->quota, true, len, time(NULL), &hit)) {
		log_debug("uplink of %s discarded: %s reached", dev->external_id,
			  quota_describe(hit.kind));
		return;
	}
	store_config_each(daemon_db(s->d), NULL, uplink_to, &u);
}

/* A configuration's duration ended: tell its SCS/AS it is TERMINATED. */
static void on_ended(const struct store_config *c, void *arg)
{
	struct scefd *s = arg;
	char link[T8_MAX_URI + 128];
	t8api_config_link(s->api, c->scs_as, c->id, link, sizeof(link));
	char *body = t8_config_status_json(link, &c->cfg.target, "TERMINATED");
	deliver(s, c->id, c->cfg.notification_destination, body);
	free(body);
	wsnotify_drop(s->ws, c->id); /* after its last message */
	log_info("t8: configuration %" PRId64 " of %s ended (duration)", c->id, c->scs_as);
}

/* A buffered delivery was delivered or discarded: tell its SCS/AS. */
static void on_status(const struct store_delivery *d, void *arg)
{
	struct scefd *s = arg;
	struct store_config c;
	if (store_config_get(daemon_db(s->d), NULL, d->config, &c) < 0)
		return;
	char link[T8_MAX_URI + 160];
	t8api_delivery_link(s->api, c.scs_as, c.id, d->id, link, sizeof(link));
	char when[32] = "";
	if (d->retransmit)
		t8_time_format(d->retransmit, when, sizeof(when));
	char *body = t8_delivery_status_json_rt(link, d->status, when);
	deliver(s, c.id, c.cfg.notification_destination, body);
	free(body);
}

/* A device's PSM/eDRX cycle put it to sleep or woke it (its held data goes then). */
static void on_cycle(struct device *dev, enum device_state state, void *arg)
{
	struct scefd *s = arg;
	log_debug("devices: %s %s (cycle)", dev->external_id, device_state_name(state));
	nidd_set_state(s->nidd, dev, state);
}

/* A group delivery is over: its GmdNiddDownlinkDataDeliveryNotification. */
static void on_gmd(const struct store_delivery *parent, const struct t8_gmd_result *r, size_t n,
		   void *arg)
{
	struct scefd *s = arg;
	struct store_config c;
	if (store_config_get(daemon_db(s->d), NULL, parent->config, &c) < 0)
		return;
	char link[T8_MAX_URI + 160];
	t8api_delivery_link(s->api, c.scs_as, c.id, parent->id, link, sizeof(link));
	char *body = t8_gmd_json(link, r, n);
	deliver(s, c.id, c.cfg.notification_destination, body);
	free(body);
}

static int start_api(struct scefd *s, const struct scefd_config *c)
{
	char root[T8_MAX_URI];
	struct http_server_config hc;
	http_server_config_defaults(&hc);
	hc.cert_file = c->cert_file;
	hc.key_file = c->key_file;
	hc.max_body = (size_t)c->max_body;
	/* The API exists first as the server's handler; its root needs the port. */
	int rc = t8api_new(daemon_db(s->d), s->devs, s->nidd, &s->api);
	if (rc == 0)
		rc = wsnotify_new(daemon_db(s->d), &s->ws);
	if (rc == 0)
		rc = http_server_new(daemon_base(s->d), &hc, t8api_handle, s->api, &s->srv);
	if (rc == 0)
		http_server_set_websocket(s->srv, wsnotify_accept, s->ws);
	if (rc == 0)
		rc = http_server_listen(s->srv, c->t8_address, (uint16_t)c->t8_port);
	if (rc < 0)
		return rc;
	if (c->api_root[0])
		snprintf(root, sizeof(root), "%s", c->api_root);
	else
		snprintf(root, sizeof(root),
			 strchr(c->t8_address, ':') ? "%s://[%s]:%u" : "%s://%s:%u",
			 c->cert_file[0] ? "https" : "http", c->t8_address,
			 http_server_port(s->srv));
	t8api_set_root(s->api, root);
	t8api_set_notify(s->api, s->notify);
	t8api_set_websockets(s->api, s->ws);
	return 0;
}

static int scefd_start(struct daemon *d, void **state)
{
	const struct scefd_config *c = daemon_config(d);
	struct scefd *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*state = s;
	s->d = d;
	struct nidd_config nc = { .max_packet_bytes = (unsigned)c->max_packet_size,
				  .buffer_max = (unsigned)c->buffer_max,
				  .buffer_time = (unsigned)c->buffer_time };
	struct device_defaults def;
	char why[160];
	int rc = device_defaults(c, &def, why, sizeof(why));
	if (rc < 0)
		log_warnx("%s", why);
	if (rc == 0)
		rc = notify_new(daemon_base(d), daemon_db(d), c->callback_ca_file, &s->notify);
	if (rc == 0)
		rc = devices_new(daemon_base(d), c->dev_list, &def, (uint64_t)c->dev_seed,
				 c->dev_address, (uint16_t)c->dev_port, on_uplink, s, &s->devs);
	if (rc == 0)
		rc = devices_set_groups(s->devs, c->dev_groups);
	if (rc == 0)
		rc = nidd_new(daemon_base(d), daemon_db(d), s->devs, &nc, on_status, on_ended, s,
			      &s->nidd);
	if (rc == 0) {
		nidd_set_gmd(s->nidd, on_gmd);
		devices_start_cycles(s->devs, on_cycle, s);
		log_info("devices: loss PRNG seed %" PRIu64, devices_seed(s->devs));
	}
	if (rc == 0)
		rc = start_api(s, c);
	if (rc == 0)
		log_info("T8 NIDD API on %s port %u, %zu devices on UDP port %u", c->t8_address,
			 http_server_port(s->srv), devices_count(s->devs), devices_port(s->devs));
	return rc;
}

static void scefd_stop(void *state)
{
	struct scefd *s = state;
	http_server_free(s->srv); /* closes the websockets first */
	wsnotify_free(s->ws);
	t8api_free(s->api);
	nidd_free(s->nidd);
	devices_free(s->devs);
	notify_free(s->notify);
	free(s);
}

/* The radio's datagrams, summed over the devices. */
struct radio {
	uint64_t ul, ul_lost, dl, dl_lost;
	char seed[24];
};

static void scefd_status(void *state, json_t *status)
{
	struct scefd *s = state;
	struct http_server_stats st;
	http_server_stats(s->srv, &st);
	json_object_set_new(status, "t8_port", json_integer(http_server_port(s->srv)));
	json_object_set_new(status, "device_port", json_integer(devices_port(s->devs)));
	json_object_set_new(status, "devices", json_integer((json_int_t)devices_count(s->devs)));
	json_object_set_new(status, "http_requests", json_integer((json_int_t)st.requests));
	json_object_set_new(status, "uplinks", json_integer((json_int_t)s->uplinks));
	struct radio r = { 0 };
	/* A string: a 64-bit seed does not survive a JSON double. */
	snprintf(r.seed, sizeof(r.seed), "%" PRIu64, devices_seed(s->devs));
	for (size_t i = 0; i < devices_count(s->devs); i++) {
		const struct device *dev = devices_at(s->devs, i);
		r.ul += dev->uplinks;
		r.ul_lost += dev->uplinks_lost;
		r.dl += dev->downlinks;
		r.dl_lost += dev->downlinks_lost;
	}
	json_object_set_new(status, "radio",
			    json_pack("{s:I, s:I, s:I, s:I, s:s}", "uplinks", (json_int_t)r.ul,
				      "uplinks_lost", (json_int_t)r.ul_lost, "downlinks",
				      (json_int_t)r.dl, "downlinks_lost", (json_int_t)r.dl_lost,
				      "seed", r.seed));
	struct wsnotify_stats ws;
	wsnotify_get_stats(s->ws, &ws);
	json_object_set_new(status, "websockets",
			    json_pack("{s:I, s:I, s:I}", "open", (json_int_t)ws.open, "opened",
				      (json_int_t)ws.opened, "sent", (json_int_t)ws.sent));
	struct notify_stats ns;
	notify_get_stats(s->notify, &ns);
	json_object_set_new(status, "notifications",
			    json_pack("{s:I, s:I, s:I, s:I, s:I}", "queued", (json_int_t)ns.queued,
				      "sent", (json_int_t)ns.sent, "retried",
				      (json_int_t)ns.retried, "dropped", (json_int_t)ns.dropped,
				      "waiting", (json_int_t)ns.waiting));
}

static const struct daemon_def scefd_def = {
	.name = "scefd",
	.description = "lwgate SCEF emulator: 3GPP T8 NIDD API (TS 29.122).",
	.keys = scefd_keys,
	.config_size = sizeof(struct scefd_config),
	.migrations = scefd_migrations,
	.migration_count = sizeof(scefd_migrations) / sizeof(scefd_migrations[0]),
	.keep_net_admin = false,
	.start = scefd_start,
	.stop = scefd_stop,
	.config_check = scefd_config_check,
	.status = scefd_status,
	.commands = scefctl_commands,
};

int main(int argc, char **argv)
{
	return daemon_main(&scefd_def, argc, argv);
}
