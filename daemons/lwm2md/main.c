/*
 * lwm2md — lwgate OMA LwM2M 1.1 server.
 *
 * The shared main() in lib/common/daemon.c does the daemon work (config,
 * database, control socket, signals, systemd); this file says what is
 * particular to lwm2md: its keys, its schema, its commands (lwm2mctl.c),
 * and the CoAP server (server.c) it starts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <coap3/coap.h>

#include "clients.h"
#include "coap/certs.h"
#include "common/daemon.h"
#include "common/log.h"
#include "creds.h"
#include "h2dev.h"
#include "httpapi.h"
#include "idmap.h"
#include "lwm2mctl.h"
#include "nidd.h"
#include "niddquota.h"
#include "observe.h"
#include "queue.h"
#include "lwm2m/lwm2m_builtin.h"
#include "lwm2m/lwm2m_registry.h"
#include "rdmirror.h"
#include "schema.h"
#include "server.h"
#include "vpeerdb.h"

struct lwm2md_config {
	struct daemon_config common;
	bool coap_enabled;
	char *coap_address;
	int coap_port;
	int ack_timeout_ms;
	int max_retransmit;
	int response_timeout_s;
	int max_idle_sessions;
	bool coaps_enabled;
	char *coaps_address;
	int coaps_port;
	int handshake_timeout_s;
	char *ca_file, *cert_file, *key_file;
	bool tcp_enabled;
	char *tcp_address;
	int tcp_port;
	bool tls_enabled;
	char *tls_address;
	int tls_port;
	int max_clients;
	int max_observations;
	bool reobserve;
	bool send_enabled;
	int max_body;
	int awake_s;
	int queue_deadline_s;
	int max_queued;
	char *objects;
	bool rd_mirror;
	char *rd_socket;
	char *rd_sector;
	char *ids_file;
	struct httpconf http;
	struct {
		bool enabled;
		char *address;
		int port;
		char *cert_file, *key_file, *ca_file, *tokens;
		int max_devices, max_connections, timeout_s;
	} h2; /* [http2]: LwM2M over HTTP/2 for devices (h2dev.h) */
	bool nidd_enabled;
	char *nidd_api_root, *nidd_scs_as_id, *nidd_cb_address, *nidd_cb_url, *nidd_devices;
	char *nidd_dl_messages, *nidd_dl_bytes;
	int nidd_cb_port, nidd_max_devices, nidd_max_latency, nidd_ack_timeout_ms;
	int nidd_max_retransmit, nidd_max_inflight, nidd_timeout;
};

/* clang-format off */
static const struct config_key lwm2md_keys[] = {
	DAEMON_CONFIG_KEYS("lwm2md", struct lwm2md_config),
	{"coap", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, coap_enabled), "yes", 0, 0,
	 NULL, false, "serve plain CoAP over UDP (no: only the control socket)"},
	{"coap", "address", CONFIG_ADDRESS, offsetof(struct lwm2md_config, coap_address), "::", 0, 0,
	 NULL, false, "IP address to serve CoAP on (:: is every IPv6 and IPv4 address)"},
	{"coap", "port", CONFIG_INT, offsetof(struct lwm2md_config, coap_port), "5683", 1, 65535,
	 NULL, false, "UDP port of the LwM2M server"},
	{"coap", "ack_timeout_ms", CONFIG_INT, offsetof(struct lwm2md_config, ack_timeout_ms),
	 "2000", 1000, 60000, NULL, false,
	 "first retransmission timeout of requests sent to clients (RFC 7252 ACK_TIMEOUT)"},
	{"coap", "max_retransmit", CONFIG_INT, offsetof(struct lwm2md_config, max_retransmit), "4",
	 1, 10, NULL, false, "retransmissions before a client is declared not answering"},
	{"coap", "response_timeout", CONFIG_INT, offsetof(struct lwm2md_config, response_timeout_s),
	 "0", 0, 3600, NULL, false,
	 "seconds a request to a client waits for its response, a separate one included (0: "
	 "EXCHANGE_LIFETIME over UDP, 247 s with the defaults; MAX_TRANSMIT_WAIT over TCP)"},
	{"coap", "max_idle_sessions", CONFIG_INT, offsetof(struct lwm2md_config, max_idle_sessions),
	 "1024", 16, 1000000, NULL, false,
	 "CoAP peer sessions kept while idle (libcoap walks them all on every packet)"},
	{"coaps", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, coaps_enabled), "yes", 0,
	 0, NULL, false, "serve CoAP over DTLS: pre-shared keys (lwgatectl lwm2md cred-add), certificates"},
	{"coaps", "address", CONFIG_ADDRESS, offsetof(struct lwm2md_config, coaps_address), "::",
	 0, 0, NULL, false, "IP address to serve CoAP over DTLS on"},
	{"coaps", "port", CONFIG_INT, offsetof(struct lwm2md_config, coaps_port), "5684", 1, 65535,
	 NULL, false, "UDP port of the LwM2M server over DTLS"},
	{"coaps", "handshake_timeout", CONFIG_INT, offsetof(struct lwm2md_config, handshake_timeout_s),
	 "10", 1, 300, NULL, false,
	 "seconds a DTLS or TLS handshake may take; one not done by then is logged as failed"},
	{"coaps", "ca_file", CONFIG_STRING, offsetof(struct lwm2md_config, ca_file), "", 0, 0,
	 NULL, false, "PEM CAs that client certificates must chain to, each one trusted (certificate "
	 "mode; with cert_file and key_file, for DTLS and TLS)"},
	{"coaps", "cert_file", CONFIG_STRING, offsetof(struct lwm2md_config, cert_file), "", 0, 0,
	 NULL, false, "PEM certificate of the server (certificate mode)"},
	{"coaps", "key_file", CONFIG_STRING, offsetof(struct lwm2md_config, key_file), "", 0, 0,
	 NULL, false, "PEM private key of the server (certificate mode)"},
	{"coap+tcp", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, tcp_enabled), "yes", 0,
	 0, NULL, false, "serve CoAP over TCP (RFC 8323)"},
	{"coap+tcp", "address", CONFIG_ADDRESS, offsetof(struct lwm2md_config, tcp_address), "::",
	 0, 0, NULL, false, "IP address to serve CoAP over TCP on"},
	{"coap+tcp", "port", CONFIG_INT, offsetof(struct lwm2md_config, tcp_port), "5683", 1,
	 65535, NULL, false, "TCP port of the LwM2M server"},
	{"coaps+tcp", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, tls_enabled), "yes",
	 0, 0, NULL, false, "serve CoAP over TLS (RFC 8323) with the [coaps] PSKs and certificates"},
	{"coaps+tcp", "address", CONFIG_ADDRESS, offsetof(struct lwm2md_config, tls_address), "::",
	 0, 0, NULL, false, "IP address to serve CoAP over TLS on"},
	{"coaps+tcp", "port", CONFIG_INT, offsetof(struct lwm2md_config, tls_port), "5684", 1,
	 65535, NULL, false, "TCP port of the LwM2M server over TLS"},
	{"lwm2m", "max_clients", CONFIG_INT, offsetof(struct lwm2md_config, max_clients), "200000",
	 1, 10000000, NULL, false, "registered clients at most; a Register beyond gets 5.03"},
	{"lwm2m", "max_observations", CONFIG_INT, offsetof(struct lwm2md_config, max_observations),
	 "1000000", 1, 100000000, NULL, false,
	 "observations at most, all clients together; an observe beyond is refused"},
	{"lwm2m", "reobserve", CONFIG_BOOL, offsetof(struct lwm2md_config, reobserve), "yes", 0, 0,
	 NULL, false,
	 "observe again what an endpoint was observed for when it registers anew (not on an Update)"},
	{"lwm2m", "send", CONFIG_BOOL, offsetof(struct lwm2md_config, send_enabled), "yes", 0, 0,
	 NULL, false, "take the values clients push with Send (POST /dp); no: refused with 4.05"},
	{"lwm2m", "max_body", CONFIG_INT, offsetof(struct lwm2md_config, max_body), "65536", 1024,
	 16777216, NULL, false,
	 "bytes of a block-wise Register, Update or Send at most; a larger one gets 4.13"},
	{"lwm2m", "awake_time", CONFIG_INT, offsetof(struct lwm2md_config, awake_s), "93", 1,
	 86400, NULL, false,
	 "queue mode: seconds a client listens after its last message (TS Transport 6.5); "
	 "requests for it are queued after that"},
	{"lwm2m", "queue_deadline", CONFIG_INT, offsetof(struct lwm2md_config, queue_deadline_s),
	 "86400", 1, 31536000, NULL, false,
	 "seconds a queued operation waits for its client at most; then it ends expired"},
	{"lwm2m", "max_queued", CONFIG_INT, offsetof(struct lwm2md_config, max_queued), "100000",
	 1, 10000000, NULL, false, "queued operations at most, all clients together"},
	{"lwm2m", "objects", CONFIG_STRING, offsetof(struct lwm2md_config, objects),
	 LWGATE_OBJECTS_DIR, 0, 0, NULL, false,
	 "folder of object definitions (DDF XML): value types and names, added to and "
	 "overriding the built-in ones (objects 0-7, 3303, 3311, 3347)"},
	{"lwm2m", "ids_file", CONFIG_STRING, offsetof(struct lwm2md_config, ids_file), "", 0, 0,
	 NULL, true,
	 "endpoint ID mapping, lines 'EP = app_id=ID, external_id=ID' (empty: none); "
	 "its names win over set-ids"},
	{"rd", "mirror", CONFIG_BOOL, offsetof(struct lwm2md_config, rd_mirror), "yes", 0, 0, NULL,
	 false, "list every registered client in rdd as an endpoint with et=oma.lwm2m"},
	{"rd", "socket", CONFIG_STRING, offsetof(struct lwm2md_config, rd_socket),
	 "/run/lwgate/rdd.sock", 0, 0, NULL, false, "rdd's control socket"},
	{"rd", "sector", CONFIG_STRING, offsetof(struct lwm2md_config, rd_sector), "", 0, 0, NULL,
	 false, "rdd sector (d) of the mirrored clients (empty: none)"},
	HTTPCONF_KEYS(struct lwm2md_config, http, "8080"),
	{"http2", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, h2.enabled), "no", 0, 0,
	 NULL, false, "serve LwM2M devices over HTTP/2 (binding H; h2c or TLS with ALPN h2)"},
	{"http2", "address", CONFIG_ADDRESS, offsetof(struct lwm2md_config, h2.address), "::", 0, 0,
	 NULL, false, "address of the device-facing HTTP/2 listener"},
	{"http2", "port", CONFIG_INT, offsetof(struct lwm2md_config, h2.port), "5690", 0, 65535,
	 NULL, false, "its TCP port (cleartext h2c and TLS on the same port)"},
	{"http2", "cert_file", CONFIG_STRING, offsetof(struct lwm2md_config, h2.cert_file), "", 0,
	 0, NULL, false, "PEM certificate chain for TLS (empty: h2c only)"},
	{"http2", "key_file", CONFIG_STRING, offsetof(struct lwm2md_config, h2.key_file), "", 0, 0,
	 NULL, false, "PEM private key of cert_file"},
	{"http2", "ca_file", CONFIG_STRING, offsetof(struct lwm2md_config, h2.ca_file), "", 0, 0,
	 NULL, false,
	 "PEM CAs of device certificates, whose CN or DNS/URI subjectAltName is the endpoint "
	 "(empty: none)"},
	{"http2", "tokens", CONFIG_STRING, offsetof(struct lwm2md_config, h2.tokens), "", 0, 0,
	 NULL, false, "ep=token items (blanks or commas between): each bearer token's endpoint"},
	{"http2", "max_devices", CONFIG_INT, offsetof(struct lwm2md_config, h2.max_devices), "1024",
	 1, 1000000, NULL, false, "HTTP/2 devices (virtual peers) known until lwm2md stops"},
	{"http2", "max_connections", CONFIG_INT, offsetof(struct lwm2md_config, h2.max_connections),
	 "1024", 1, 1000000, NULL, false, "device connections open at once"},
	{"http2", "timeout", CONFIG_INT, offsetof(struct lwm2md_config, h2.timeout_s), "30", 1, 300,
	 NULL, false, "seconds a device's request waits for the server"},
	{"nidd", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, nidd_enabled), "no", 0, 0,
	 NULL, false, "LwM2M over NIDD (binding N) through an SCEF's T8 API"},
	{"nidd", "api_root", CONFIG_STRING, offsetof(struct lwm2md_config, nidd_api_root),
	 "http://127.0.0.1:8090", 0, 0, NULL, false, "the SCEF's {apiRoot} (http:// only)"},
	{"nidd", "scs_as_id", CONFIG_STRING, offsetof(struct lwm2md_config, nidd_scs_as_id),
	 "lwm2md", 0, 0, NULL, false, "{scsAsId}: lwm2md's name at the SCEF"},
	{"nidd", "callback_address", CONFIG_ADDRESS, offsetof(struct lwm2md_config, nidd_cb_address),
	 "127.0.0.1", 0, 0, NULL, false, "address the listener for the SCEF's notifications listens on"},
	{"nidd", "callback_port", CONFIG_INT, offsetof(struct lwm2md_config, nidd_cb_port), "8091",
	 0, 65535, NULL, false, "TCP port of that listener (0: any free one)"},
	{"nidd", "callback_url", CONFIG_STRING, offsetof(struct lwm2md_config, nidd_cb_url), "", 0,
	 0, NULL, false,
	 "notificationDestination given to the SCEF, before /SECRET (empty: "
	 "http://CALLBACK_ADDRESS:PORT/nidd)"},
	{"nidd", "devices", CONFIG_STRING, offsetof(struct lwm2md_config, nidd_devices), "", 0, 0,
	 NULL, false, "externalIds of the NIDD devices, blank-separated; each registers as the "
	 "endpoint the ids file maps its external_id to, else as its externalId"},
	{"nidd", "max_devices", CONFIG_INT, offsetof(struct lwm2md_config, nidd_max_devices),
	 "1000", 1, 100000, NULL, false, "NIDD devices at most"},
	{"nidd", "max_latency", CONFIG_INT, offsetof(struct lwm2md_config, nidd_max_latency), "600",
	 -1, 86400, NULL, false,
	 "maximumLatency of downlinks: seconds the SCEF may hold one for a sleeping device "
	 "(the TTL; 0: deliver now or fail; -1: not sent, the SCEF's default)"},
	{"nidd", "downlink_messages", CONFIG_STRING,
	 offsetof(struct lwm2md_config, nidd_dl_messages), "", 0, 0, NULL, false,
	 "lwm2md's rate limit per device: downlink messages per window, N/minute, N/hour or "
	 "N/day (empty: none); past it a message is not sent (LPW-008)"},
	{"nidd", "downlink_bytes", CONFIG_STRING, offsetof(struct lwm2md_config, nidd_dl_bytes), "",
	 0, 0, NULL, false,
	 "lwm2md's byte quota per device: downlink bytes per window, N/minute, N/hour or N/day "
	 "(empty: none)"},
	{"nidd", "ack_timeout_ms", CONFIG_INT, offsetof(struct lwm2md_config, nidd_ack_timeout_ms),
	 "10000", 1000, 600000, NULL, false,
	 "ACK_TIMEOUT of requests to NIDD clients (the SCEF path is slow, buffered while the "
	 "device sleeps)"},
	{"nidd", "max_retransmit", CONFIG_INT,
	 offsetof(struct lwm2md_config, nidd_max_retransmit), "4", 0, 10, NULL, false,
	 "retransmissions of requests to NIDD clients"},
	{"nidd", "max_requests", CONFIG_INT, offsetof(struct lwm2md_config, nidd_max_inflight),
	 "256", 1, 100000, NULL, false, "requests to the SCEF on the wire at most; downlinks "
	 "beyond are not sent (CoAP retransmits them)"},
	{"nidd", "timeout", CONFIG_INT, offsetof(struct lwm2md_config, nidd_timeout), "10", 1, 300,
	 NULL, false, "seconds a request to the SCEF may take"},
	CONFIG_KEY_END,
};
/* clang-format on */

static void on_ddf_error(void *arg, const char *path, const struct lwm2m_error *err)
{
	log_warnx("object definition skipped file=%s: %s", path, err->msg);
}

static void mirror_changed(void *ctx, const char *ep)
{
	rdmirror_changed(ctx, ep);
}

/* Put the ids file in force; logged either way.  Returns 0 or its error. */
static int load_ids_file(struct idmap *ids, const char *path)
{
	char why[512];
	int rc = idmap_load_file(ids, path, why, sizeof(why));

	if (rc < 0) {
		log_error("ids_file not applied: %s", why);
		return rc;
	}
	if (path && *path)
		log_info("endpoint IDs loaded file=%s count=%d", path, rc);
	return 0;
}

static void lwm2md_stop(void *state);

static int start_h2dev(struct lwm2md *l, const struct lwm2md_config *cfg)
{
	const struct h2dev_config hc = {
		.enabled = cfg->h2.enabled,
		.address = cfg->h2.address,
		.port = cfg->h2.port,
		.cert_file = cfg->h2.cert_file,
		.key_file = cfg->h2.key_file,
		.ca_file = cfg->h2.ca_file,
		.tokens = cfg->h2.tokens,
		.max_devices = cfg->h2.max_devices,
		.max_connections = cfg->h2.max_connections,
		.timeout_s = cfg->h2.timeout_s,
		.db = daemon_db(l->d),
	};

	if (hc.enabled && !cfg->coap_enabled) {
		log_error("[http2] needs plain CoAP ([coap] enabled = yes): its devices reach it there");
		return -EINVAL;
	}
	return h2dev_new(daemon_base(l->d), &hc, server_vpeers(l->srv), server_creds(l->srv),
			 &l->h2);
}

/* Binding N: the NIDD devices on the server's virtual peers (nidd.h). */
static int start_nidd(struct lwm2md *l, const struct lwm2md_config *cfg)
{
	struct nidd_config nc = { .api_root = cfg->nidd_api_root,
				  .scs_as_id = cfg->nidd_scs_as_id,
				  .callback_address = cfg->nidd_cb_address,
				  .callback_port = cfg->nidd_cb_port,
				  .callback_url = cfg->nidd_cb_url,
				  .devices = cfg->nidd_devices,
				  .max_devices = cfg->nidd_max_devices,
				  .max_latency_s = cfg->nidd_max_latency,
				  .downlink_messages = cfg->nidd_dl_messages,
				  .downlink_bytes = cfg->nidd_dl_bytes,
				  .max_inflight = cfg->nidd_max_inflight,
				  .timeout_s = cfg->nidd_timeout,
				  .base = daemon_base(l->d),
				  .db = daemon_db(l->d),
				  .vpeers = server_vpeers(l->srv),
				  .ids = l->ids };

	if (!cfg->coap_enabled) {
		log_error("[nidd] needs plain CoAP ([coap] enabled = yes): its devices reach it there");
		return -EINVAL;
	}
	return nidd_new(&nc, &l->nidd);
}

/* The CoAP server's settings from the INI (the registry and hooks come later). */
static struct server_config server_config_of(const struct lwm2md_config *cfg)
{
	return (struct server_config){
		.coap_enabled = cfg->coap_enabled,
		.address = cfg->coap_address,
		.port = cfg->coap_port,
		.ack_timeout_ms = cfg->ack_timeout_ms,
		.max_retransmit = cfg->max_retransmit,
		.nidd_ack_timeout_ms = cfg->nidd_enabled ? cfg->nidd_ack_timeout_ms : 0,
		.nidd_max_retransmit = cfg->nidd_max_retransmit,
		.response_timeout_s = cfg->response_timeout_s,
		.max_idle_sessions = cfg->max_idle_sessions,
		.coaps_enabled = cfg->coaps_enabled,
		.coaps_address = cfg->coaps_address,
		.coaps_port = cfg->coaps_port,
		.handshake_timeout_s = cfg->handshake_timeout_s,
		.tcp_enabled = cfg->tcp_enabled,
		.tcp_address = cfg->tcp_address,
		.tcp_port = cfg->tcp_port,
		.tls_enabled = cfg->tls_enabled,
		.tls_address = cfg->tls_address,
		.tls_port = cfg->tls_port,
		.ca_file = cfg->ca_file,
		.cert_file = cfg->cert_file,
		.key_file = cfg->key_file,
		.max_clients = (unsigned)cfg->max_clients,
		.max_observations = (unsigned)cfg->max_observations,
		.reobserve = cfg->reobserve,
		.send_enabled = cfg->send_enabled,
		.max_body = (size_t)cfg->max_body,
		.awake_s = cfg->awake_s,
		.queue_deadline_s = cfg->queue_deadline_s,
		.max_queued = (unsigned)cfg->max_queued,
	};
}

static int lwm2md_start(struct daemon *d, void **state)
{
	const struct lwm2md_config *cfg = daemon_config(d);
	struct server_config sc = server_config_of(cfg);
	struct lwm2md *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	l->registry = lwm2m_registry_new();
	if (!l->registry)
		abort();
	/* the folder first: its definitions override the built-in ones */
	rc = lwm2m_registry_load_dir(l->registry, cfg->objects, on_ddf_error, NULL);
	if (rc < 0)
		log_info("no object definitions read from %s (%s): the built-in ones only",
			 cfg->objects, strerror(-rc));
	log_info("object definitions loaded count=%d dir=%s built_in=%d", rc < 0 ? 0 : rc,
		 cfg->objects, lwm2m_builtin_load(l->registry, on_ddf_error, NULL));
	sc.registry = l->registry;
	l->ids = idmap_new(daemon_db(d));
	rc = idmap_load(l->ids);
	if (rc >= 0)
		rc = load_ids_file(l->ids, cfg->ids_file);
	if (rc < 0) {
		idmap_free(l->ids);
		lwm2m_registry_free(l->registry);
		free(l);
		return rc;
	}
	coap_startup();
	l->d = d;
	if (cfg->rd_mirror) {
		struct rdmirror_config mc = { .socket = cfg->rd_socket,
					      .sector = cfg->rd_sector,
					      .timeout_ms = 5000,
					      .in_flight = 32 };

		l->mirror = rdmirror_new(daemon_base(d), &mc);
		sc.changed = mirror_changed;
		sc.changed_ctx = l->mirror;
	}
	rc = server_new(daemon_base(d), daemon_db(d), daemon_ipc(d), &sc, &l->srv);
	if (rc < 0) {
		rdmirror_free(l->mirror);
		coap_cleanup();
		lwm2m_registry_free(l->registry);
		idmap_free(l->ids);
		free(l);
		return rc;
	}
	if (l->mirror)
		rdmirror_attach(l->mirror, server_clients(l->srv));
	rc = httpapi_new(daemon_base(d), &cfg->http, cfg->common.socket, &l->http);
	/* before any vpeer: none may take a port another device's registration names */
	if (rc == 0 && (rc = vpeerdb_reserve(server_vpeers(l->srv), daemon_db(d))) > 0)
		rc = 0;
	if (rc == 0)
		rc = start_h2dev(l, cfg);
	if (rc == 0 && cfg->nidd_enabled)
		rc = start_nidd(l, cfg);
	if (rc < 0) {
		lwm2md_stop(l);
		return rc;
	}
	*state = l;
	return 0;
}

static void lwm2md_stop(void *state)
{
	struct lwm2md *l = state;

	h2dev_free(l->h2);
	httpbridge_free(l->http);
	nidd_free(l->nidd); /* its vpeers before the server's set */
	server_free(l->srv);
	rdmirror_free(l->mirror);
	coap_cleanup();
	lwm2m_registry_free(l->registry);
	idmap_free(l->ids);
	free(l);
}

/* SIGHUP: the ids file again (a bad one keeps the names in force). */
static void lwm2md_reload(void *state)
{
	struct lwm2md *l = state;
	const struct lwm2md_config *cfg = daemon_config(l->d);

	load_ids_file(l->ids, cfg->ids_file);
}

/* What the key table cannot check: the certificate files come as three or not at all. */
static bool lwm2md_config_check(const void *c, char *why, size_t size)
{
	const struct lwm2md_config *cfg = c;
	const struct certs_config certs = { cfg->ca_file, cfg->cert_file, cfg->key_file };
	struct niddquota_limit l;

	if (niddquota_parse(cfg->nidd_dl_messages, &l) < 0 ||
	    niddquota_parse(cfg->nidd_dl_bytes, &l) < 0) {
		snprintf(why, size, "[nidd] downlink_messages, downlink_bytes: N/minute, N/hour, "
				    "N/day or empty");
		return false;
	}
	return certs_config_valid(&certs, why, size);
}

static const struct daemon_def lwm2md_def = {
	.name = "lwm2md",
	.description = "lwgate OMA LwM2M 1.1 server.",
	.keys = lwm2md_keys,
	.config_size = sizeof(struct lwm2md_config),
	.migrations = schema_migrations,
	.migration_count = SCHEMA_MIGRATION_COUNT,
	.keep_net_admin = false,
	.start = lwm2md_start,
	.commands = lwm2mctl_commands, /* handlers get the state start() made */
	.stop = lwm2md_stop,
	.reload = lwm2md_reload,
	.config_check = lwm2md_config_check,
	.status = lwm2mctl_status,
};

int main(int argc, char **argv)
{
	return daemon_main(&lwm2md_def, argc, argv);
}
