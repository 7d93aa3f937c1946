/*
 * rdd — lwgate CoRE Resource Directory (RFC 9176).
 *
 * The shared main() in lib/common/daemon.c does the daemon work (config,
 * database, control socket, signals, systemd); this file says what is
 * particular to rdd: its keys, its schema, and the modules it starts —
 * rdstore (registrations, SQLite), rdgroup (groups), rdauth (credentials,
 * tokens, remembered names), rdserver (CoAP, CoAP over DTLS), pubsub (the
 * publish-subscribe broker on the same CoAP endpoint) and rdctl (commands).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coap3/coap.h>

#include "common/daemon.h"
#include "common/log.h"
#include "psstore.h"
#include "pubsub.h"
#include "rdauth.h"
#include "httpapi.h"
#include "rdctl.h"
#include "rdgroup.h"
#include "rdlimit.h"
#include "rdserver.h"
#include "rdstore.h"

struct rdd_config {
	struct daemon_config common;
	bool coap_enabled;
	char *address;
	int port;
	bool coaps_enabled;
	char *coaps_address;
	int coaps_port;
	int handshake_timeout_s;
	char *ca_file, *cert_file, *key_file;
	char *certificate_sectors;
	bool bind_certificate;
	bool registration_required;
	bool lookup_open;
	char *tokens;
	bool bind_psk_identity;
	int remember_s;
	char *mcast_ifs;
	int default_lt;
	int grace_s;
	int max_links;
	bool simple_base;
	int max_registrations, max_links_total, source_rate, source_burst, sources;
	int ps_content_format;
	int ps_interval_ms;
	int ps_max_value;
	int ps_max_topics;
	char *ps_ep;
	char *ps_base;
	char *ps_sector;
	struct httpconf http;
};

/* clang-format off */
static const struct config_key rdd_keys[] = {
	DAEMON_CONFIG_KEYS("rdd", struct rdd_config),
	{ "coap", "enabled", CONFIG_BOOL, offsetof(struct rdd_config, coap_enabled), "yes", 0, 0,
	  NULL, false, "serve plain CoAP (no: only CoAP over DTLS, [coaps])" },
	{ "coap", "address", CONFIG_ADDRESS, offsetof(struct rdd_config, address), "::", 0, 0, NULL,
	  false, "numeric address to serve CoAP on (\"::\": every IPv6 and IPv4 address)",
	  CONFIG_ADDR_ZONE },
	{ "coap", "port", CONFIG_INT, offsetof(struct rdd_config, port), "5783", 0, 65535, NULL,
	  false, "UDP port of the resource directory (lwm2md has 5683/5684)" },
	{ "coap", "multicast_interfaces", CONFIG_STRING, offsetof(struct rdd_config, mcast_ifs), "",
	  0, 0, NULL, false,
	  "interfaces (space-separated) on which to join ff02::fd, ff05::fd, ff02::fe, ff05::fe" },
	{ "coaps", "enabled", CONFIG_BOOL, offsetof(struct rdd_config, coaps_enabled), "yes", 0, 0,
	  NULL, false,
	  "serve CoAP over DTLS with pre-shared keys (lwgatectl rdd cred-add), and certificates when "
	  "ca_file, cert_file and key_file are set" },
	{ "coaps", "address", CONFIG_ADDRESS, offsetof(struct rdd_config, coaps_address), "::", 0,
	  0, NULL, false, "numeric address to serve CoAP over DTLS on", CONFIG_ADDR_ZONE },
	{ "coaps", "port", CONFIG_INT, offsetof(struct rdd_config, coaps_port), "5784", 1, 65535,
	  NULL, false, "UDP port of the resource directory over DTLS" },
	{ "coaps", "handshake_timeout", CONFIG_INT,
	  offsetof(struct rdd_config, handshake_timeout_s), "10", 1, 300, NULL, false,
	  "seconds after which an unfinished DTLS handshake is logged and counted as failed; "
	  "also the handshake budget of a simple registration's fetch over coaps" },
	{ "coaps", "ca_file", CONFIG_STRING, offsetof(struct rdd_config, ca_file), "", 0, 0, NULL,
	  false,
	  "PEM CAs that client certificates must chain to, each one trusted (certificate mode, "
	  "with cert_file and key_file)" },
	{ "coaps", "cert_file", CONFIG_STRING, offsetof(struct rdd_config, cert_file), "", 0, 0,
	  NULL, false,
	  "PEM certificate of the RD (certificate mode; also presented when rdd fetches a simple "
	  "registration's links over coaps)" },
	{ "coaps", "key_file", CONFIG_STRING, offsetof(struct rdd_config, key_file), "", 0, 0, NULL,
	  false, "PEM private key of the RD (certificate mode)" },
	{ "auth", "registration_required", CONFIG_BOOL,
	  offsetof(struct rdd_config, registration_required), "no", 0, 0, NULL, true,
	  "registrations, updates and removals need coaps (a PSK or a certificate) or a bearer "
	  "token" },
	{ "auth", "lookup_open", CONFIG_BOOL, offsetof(struct rdd_config, lookup_open), "yes", 0,
	  0, NULL, true, "anyone may look up (no: coaps with a PSK or a certificate, or a bearer token, is "
	  "needed)" },
	{ "auth", "tokens", CONFIG_STRING, offsetof(struct rdd_config, tokens), "", 0, 0, NULL,
	  true,
	  "bearer tokens, space-separated, each TOKEN or TOKEN:SECTOR,SECTOR (\"-\": no sector); "
	  "sent as the Uri-Query item auth=TOKEN" },
	{ "auth", "certificate_sectors", CONFIG_STRING,
	  offsetof(struct rdd_config, certificate_sectors), "*", 0, 0, NULL, true,
	  "sectors in which a client with a certificate from ca_file may act, joined by commas "
	  "(\"-\": no sector; \"*\": any)" },
	{ "policy", "bind_psk_identity", CONFIG_BOOL,
	  offsetof(struct rdd_config, bind_psk_identity), "yes", 0, 0, NULL, true,
	  "over DTLS the endpoint name must be the PSK identity; a name that is a PSK identity "
	  "registers only over DTLS" },
	{ "policy", "bind_certificate", CONFIG_BOOL, offsetof(struct rdd_config, bind_certificate),
	  "yes", 0, 0, NULL, true,
	  "a client with a certificate registers only as the certificate's subject CN or one of "
	  "its DNS or URI subjectAltNames" },
	{ "policy", "remember", CONFIG_INT, offsetof(struct rdd_config, remember_s), "0", -1,
	  2147483647, NULL, true,
	  "seconds an endpoint name stays its first registrant's after the registration ends "
	  "(0: only while registered, as RFC 9176 7.5; -1: forever)" },
	{ "rd", "default_lifetime", CONFIG_INT, offsetof(struct rdd_config, default_lt), "90000",
	  60, 2147483647, NULL, true, "seconds a registration lives when it gives no lt" },
	{ "rd", "lifetime_grace", CONFIG_INT, offsetof(struct rdd_config, grace_s), "60", 0, 86400,
	  NULL, true,
	  "seconds after its lifetime during which a registration, gone from lookups, still takes "
	  "an update that brings it back (0: it goes at once)" },
	{ "rd", "max_links", CONFIG_INT, offsetof(struct rdd_config, max_links), "1000", 1,
	  1000000, NULL, true, "links accepted in one registration (more: 4.13)" },
	{ "rd", "simple_registration_base", CONFIG_BOOL, offsetof(struct rdd_config, simple_base),
	  "no", 0, 0, NULL, false,
	  "a simple registration may give base, the address to fetch its links from (an "
	  "extension; no: 4.00, as RFC 9176 5.1 takes the request's source)" },
	{ "limits", "max_registrations", CONFIG_INT, offsetof(struct rdd_config, max_registrations),
	  "10000", 0, 100000000, NULL, true,
	  "registrations the directory holds (0: no cap; more: 5.03 with Max-Age 60)" },
	{ "limits", "max_links_total", CONFIG_INT, offsetof(struct rdd_config, max_links_total),
	  "100000", 0, 1000000000, NULL, true,
	  "links of all registrations together (0: no cap; more: 5.03 with Max-Age 60)" },
	{ "limits", "source_rate", CONFIG_INT, offsetof(struct rdd_config, source_rate), "10", 0,
	  100000, NULL, true,
	  "registrations and updates per second from one address (0: no limit; quicker: 5.03 "
	  "with Max-Age)" },
	{ "limits", "source_burst", CONFIG_INT, offsetof(struct rdd_config, source_burst), "20", 1,
	  100000, NULL, true, "how many of them one address may send at once" },
	{ "limits", "sources", CONFIG_INT, offsetof(struct rdd_config, sources), "4096", 4,
	  1048576, NULL, false,
	  "addresses whose rate is tracked (about 40 bytes each; the least recently seen gives "
	  "way)" },
	{ "pubsub", "content_format", CONFIG_INT, offsetof(struct rdd_config, ps_content_format),
	  "606", 0, 65535, NULL, false,
	  "Content-Format number of application/core-pubsub+cbor (the draft's TBD606)" },
	{ "pubsub", "publish_interval_ms", CONFIG_INT, offsetof(struct rdd_config, ps_interval_ms),
	  "10", 0, 3600000, NULL, true,
	  "shortest time between two publications on one topic (quicker: 4.29 with Max-Age)" },
	{ "pubsub", "max_value_size", CONFIG_INT, offsetof(struct rdd_config, ps_max_value), "1024",
	  0, 1024, NULL, true, "bytes of one published value (more: 4.13)" },
	{ "pubsub", "max_topics", CONFIG_INT, offsetof(struct rdd_config, ps_max_topics), "1000", 0,
	  1000000, NULL, true, "topics the broker holds (more: 4.03)" },
	{ "pubsub", "endpoint_name", CONFIG_STRING, offsetof(struct rdd_config, ps_ep),
	  "lwgate-broker", 0, 0, NULL, false,
	  "ep under which the broker registers itself in the RD (\"\": it does not)" },
	{ "pubsub", "base", CONFIG_STRING, offsetof(struct rdd_config, ps_base), "", 0, 0, NULL,
	  false, "base URI of that registration (\"\": coap://[address]:port, ::1 for ::)" },
	{ "pubsub", "sector", CONFIG_STRING, offsetof(struct rdd_config, ps_sector), "", 0, 0, NULL,
	  false,
	  "sector (d) of the topics and of the broker's registration: changes need credentials "
	  "allowed in it, as registrations do (\"\": none)" },
	HTTPCONF_KEYS(struct rdd_config, http, "8081"),
	CONFIG_KEY_END,
};
/* clang-format on */

static const struct db_migration rdd_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
	{ 2, rdstore_schema_2 },
	{ 3, rdgroup_schema },
	{ 4, psstore_schema },
	{ 5, RDCREDS_SCHEMA RDPOLICY_SCHEMA },
	{ 6, RDPOLICY_GROUP_SCHEMA },
};

static void on_change(struct rdreg *reg, enum rdstore_change change, void *arg)
{
	struct rdd *rdd = arg;

	/* a replacement keeps the name registered: only an end releases it */
	if (change == RDSTORE_REMOVED || change == RDSTORE_EXPIRED)
		rdauth_released(rdd->auth, reg->d, reg->ep);
	rdserver_changed(rdd->server, reg, change);
	rdctl_changed(rdd, reg, change);
}

static void on_group_change(const struct rdgroup *g, enum rdgroup_change change, void *arg)
{
	struct rdd *rdd = arg;

	/* a replacement keeps the name: only a removal releases it */
	if (change == RDGROUP_REMOVED)
		rdauth_group_released(rdd->auth, g->d, g->gp);
	rdserver_changed(rdd->server, NULL, RDSTORE_UPDATED); /* gp= lookups may see it */
	rdctl_group_changed(rdd, g, change);
}

static void on_topic(const struct pubsub_topic_info *t, enum pubsub_event ev, void *arg)
{
	rdctl_topic_changed(arg, t, ev);
}

static void pubsub_config_of(const struct rdd_config *cfg, struct pubsub_config *out)
{
	out->content_format = (uint16_t)cfg->ps_content_format;
	out->publish_interval_ms = (unsigned)cfg->ps_interval_ms;
	out->max_value_size = (size_t)cfg->ps_max_value;
	out->max_topics = (unsigned)cfg->ps_max_topics;
	out->endpoint_name = cfg->ps_ep;
	out->base = cfg->ps_base;
	out->sector = cfg->ps_sector;
}

/* The broker's base URI when the config gives none: the served address, loopback for "any". */
static void default_base(const struct rdd_config *cfg, char *buf, size_t size)
{
	const char *a = cfg->address;

	if (!strcmp(a, "::") || !strcmp(a, "0.0.0.0") || !*a)
		a = strchr(a, '.') ? "127.0.0.1" : "::1";
	snprintf(buf, size, strchr(a, ':') ? "coap://[%s]:%d" : "coap://%s:%d", a, cfg->port);
}

static void limit_config(const struct rdd_config *cfg, struct rdlimit_config *out)
{
	*out = (struct rdlimit_config){ .max_registrations = (size_t)cfg->max_registrations,
					.max_links = (size_t)cfg->max_links_total,
					.rate = (unsigned)cfg->source_rate,
					.burst = (unsigned)cfg->source_burst,
					.sources = (unsigned)cfg->sources };
}

static void auth_config(const struct rdd_config *cfg, struct rdauth_config *out)
{
	*out = (struct rdauth_config){ .registration_required = cfg->registration_required,
				       .lookup_open = cfg->lookup_open,
				       .tokens = cfg->tokens,
				       .certificate_sectors = cfg->certificate_sectors,
				       .bind_psk_identity = cfg->bind_psk_identity,
				       .bind_certificate = cfg->bind_certificate,
				       .remember_s = cfg->remember_s };
}

static int rdd_start(struct daemon *d, void **state)
{
	const struct rdd_config *cfg = daemon_config(d);
	struct rdd *rdd = calloc(1, sizeof(*rdd));
	struct rdstore_config scfg = { .default_lt = (uint32_t)cfg->default_lt,
				       .grace_s = (uint32_t)cfg->grace_s,
				       .on_change = on_change,
				       .ctx = rdd };
	struct rdauth_config acfg;
	struct rdlimit_config lcfg;
	struct rdserver_config ccfg = { .coap_enabled = cfg->coap_enabled,
					.address = cfg->address,
					.port = cfg->port,
					.coaps_enabled = cfg->coaps_enabled,
					.coaps_address = cfg->coaps_address,
					.coaps_port = cfg->coaps_port,
					.handshake_timeout_s = cfg->handshake_timeout_s,
					.certs = { cfg->ca_file, cfg->cert_file, cfg->key_file },
					.multicast_interfaces = cfg->mcast_ifs,
					.simple_base = cfg->simple_base,
					.max_links = (unsigned)cfg->max_links };
	struct pubsub_config pcfg = { 0 };
	char base[128];
	int rc;

	if (!rdd)
		return -ENOMEM;
	rdd->daemon = d;
	coap_startup();
	coap_set_log_level(LOG_WARNING);
	auth_config(cfg, &acfg);
	limit_config(cfg, &lcfg);
	rc = rdlimit_new(&lcfg, &rdd->limit);
	if (rc == 0)
		rc = rdauth_new(daemon_db(d), &acfg, &rdd->auth);
	ccfg.auth = rdd->auth;
	ccfg.limit = rdd->limit;
	if (rc == 0)
		rc = rdstore_new(daemon_base(d), daemon_db(d), &scfg, &rdd->store);
	if (rc == 0)
		rc = rdgroup_new(daemon_db(d), rdd->store, rdd->auth, on_group_change, rdd,
				 &rdd->groups);
	ccfg.groups = rdd->groups;
	if (rc == 0)
		rc = rdserver_new(daemon_base(d), rdd->store, &ccfg, &rdd->server);
	if (rc == 0) {
		pubsub_config_of(cfg, &pcfg);
		pcfg.auth = rdd->auth;
		if (!*pcfg.base) {
			default_base(cfg, base, sizeof(base));
			pcfg.base = base;
		}
		rc = pubsub_new(daemon_base(d), rdserver_context(rdd->server),
				rdserver_coapev(rdd->server), daemon_db(d), rdd->store, &pcfg,
				on_topic, rdd, &rdd->pubsub);
	}
	if (rc == 0)
		rc = rdd_httpapi_new(daemon_base(d), &cfg->http, cfg->common.socket, &rdd->http);
	if (rc < 0) {
		pubsub_free(rdd->pubsub);
		rdserver_free(rdd->server);
		rdgroup_free(rdd->groups);
		rdstore_free(rdd->store);
		rdauth_free(rdd->auth);
		rdlimit_free(rdd->limit);
		free(rdd);
		coap_cleanup();
		return rc;
	}
	*state = rdd;
	return 0;
}

static void rdd_stop(void *state)
{
	struct rdd *rdd = state;

	httpbridge_free(rdd->http);
	pubsub_free(rdd->pubsub); /* before the context that holds its sessions */
	rdserver_free(rdd->server);
	rdgroup_free(rdd->groups);
	rdstore_free(rdd->store);
	rdauth_free(rdd->auth);
	rdlimit_free(rdd->limit);
	free(rdd);
	coap_cleanup();
}

/*
 * default_lifetime, lifetime_grace, max_links, [auth], [policy], [limits] and the broker's
 * limits apply to what comes next.
 */
static void rdd_reload(void *state)
{
	struct rdd *rdd = state;
	const struct rdd_config *cfg = daemon_config(rdd->daemon);
	struct rdauth_config acfg;
	struct pubsub_config pcfg;
	struct rdlimit_config lcfg;

	auth_config(cfg, &acfg);
	rdauth_reload(rdd->auth, &acfg);
	limit_config(cfg, &lcfg);
	rdlimit_set_config(rdd->limit, &lcfg);
	rdstore_set_default_lt(rdd->store, (uint32_t)cfg->default_lt);
	rdstore_set_grace(rdd->store, (uint32_t)cfg->grace_s);
	rdserver_set_max_links(rdd->server, (unsigned)cfg->max_links);
	pubsub_config_of(cfg, &pcfg);
	pubsub_set_limits(rdd->pubsub, &pcfg);
}

/* What the key table cannot check: [auth]'s lists and [coaps]' certificate files. */
static bool rdd_config_check(const void *c, char *why, size_t size)
{
	const struct rdd_config *cfg = c;
	const struct certs_config certs = { cfg->ca_file, cfg->cert_file, cfg->key_file };
	struct rdauth_config acfg;

	auth_config(cfg, &acfg);
	return rdauth_config_valid(&acfg, why, size) && certs_config_valid(&certs, why, size);
}

static const struct daemon_def rdd_def = {
	.name = "rdd",
	.description = "lwgate CoRE Resource Directory (RFC 9176).",
	.keys = rdd_keys,
	.config_size = sizeof(struct rdd_config),
	.migrations = rdd_migrations,
	.migration_count = sizeof(rdd_migrations) / sizeof(rdd_migrations[0]),
	.keep_net_admin = false,
	.start = rdd_start,
	.stop = rdd_stop,
	.reload = rdd_reload,
	.config_check = rdd_config_check,
	.status = rdctl_status,
	.commands = rdctl_commands,
};

int main(int argc, char **argv)
{
	return daemon_main(&rdd_def, argc, argv);
}
