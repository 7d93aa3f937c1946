/*
 * transport — lwm2md's libcoap context and listeners (see transport.h).
 */
#define LOG_COMPONENT "coap"
#include "transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "common/log.h"

struct vpeer *transport_vpeer(coap_session_t *s)
{
	const coap_address_t *peer = coap_session_get_addr_remote(s);
	struct server *srv = coap_get_app_data(coap_session_get_context(s));

	if (coap_session_get_proto(s) != COAP_PROTO_UDP || !srv || !peer)
		return NULL;
	return vpeer_find(server_vpeers(srv), &peer->addr.sa, peer->size);
}

char transport_binding_letter(coap_session_t *s)
{
	struct vpeer *vp = transport_vpeer(s);
	coap_proto_t p = coap_session_get_proto(s);

	if (vp)
		return strcmp(vpeer_kind(vp), "nidd") == 0 ? 'N' : 'H';
	return p == COAP_PROTO_TCP || p == COAP_PROTO_TLS ? 'T' : 'U';
}

const char *transport_name(coap_session_t *s)
{
	struct vpeer *vp = transport_vpeer(s);

	if (vp)
		return vpeer_kind(vp);
	switch (coap_session_get_proto(s)) {
	case COAP_PROTO_DTLS:
		return "dtls";
	case COAP_PROTO_TCP:
		return "tcp";
	case COAP_PROTO_TLS:
		return "tls";
	default:
		return "udp";
	}
}

bool transport_secured(coap_session_t *s)
{
	coap_proto_t p = coap_session_get_proto(s);

	return p == COAP_PROTO_DTLS || p == COAP_PROTO_TLS;
}

static void log_to_ours(coap_log_t level, const char *message)
{
	size_t n = strlen(message);

	while (n && message[n - 1] == '\n')
		n--;
	log_emit(level <= LOG_ERR       ? LOG_LEVEL_ERROR
		 : level == LOG_WARNING ? LOG_LEVEL_WARNING
		 : level <= LOG_INFO    ? LOG_LEVEL_INFO
					: LOG_LEVEL_DEBUG,
		 "libcoap", false, "%.*s", (int)n, message);
}

static int endpoint_address(const struct server_config *cfg, coap_address_t *a)
{
	coap_address_init(a);
	if (inet_pton(AF_INET6, cfg->address, &a->addr.sin6.sin6_addr) == 1) {
		a->addr.sin6.sin6_family = AF_INET6;
		a->addr.sin6.sin6_port = htons((uint16_t)cfg->port);
		a->size = sizeof(a->addr.sin6);
		return 0;
	}
	if (inet_pton(AF_INET, cfg->address, &a->addr.sin.sin_addr) == 1) {
		a->addr.sin.sin_family = AF_INET;
		a->addr.sin.sin_port = htons((uint16_t)cfg->port);
		a->size = sizeof(a->addr.sin);
		return 0;
	}
	return -EINVAL;
}

/* Bind one listener; 0 or a negative errno (logged). */
static int listen_on(coap_context_t *ctx, const char *section, const char *address, int port,
		     coap_proto_t proto, const char *what)
{
	struct server_config one = { .address = address, .port = port };
	coap_address_t a;

	if (endpoint_address(&one, &a) < 0) {
		log_warnx("[%s] address: '%s' is not an IP address", section, address);
		return -EINVAL;
	}
	if (!coap_new_endpoint(ctx, &a, proto)) {
		log_warnx("cannot serve %s on %s port %d (in use?)", what, address, port);
		return -EADDRINUSE;
	}
	log_info("serving %s address=%s port=%d", what, address, port);
	return 0;
}

/*
 * The security both DTLS and TLS use: the PSKs of the credential table,
 * and certificates when the INI names them.  0 or a negative errno (logged).
 */
static int setup_security(coap_context_t *ctx, const struct server_config *cfg,
			  struct pskguard *guard, struct certs **certs)
{
	struct certs_config cc = { cfg->ca_file, cfg->cert_file, cfg->key_file };

	if (pskguard_setup(guard, ctx) < 0) {
		log_warnx("this libcoap cannot do (D)TLS with PSK");
		return -ENOTSUP;
	}
	return certs_setup(ctx, &cc, certs);
}

coap_context_t *transport_context(void *app, const struct server_config *cfg,
				  coap_response_handler_t on_response,
				  coap_nack_handler_t on_nack, coap_event_handler_t on_event)
{
	coap_context_t *ctx = coap_new_context(NULL);

	if (!ctx)
		return NULL;
	coap_set_app_data(ctx, app);
	/*
	 * Not COAP_BLOCK_SINGLE_BODY: libcoap 4.3.1 cannot put a Block1 body
	 * together without Size1, and a second such body from one session
	 * makes it dereference NULL.  Block1 bodies are block1.c's, Block2
	 * responses dm.c's.
	 */
	coap_context_set_block_mode(ctx, COAP_BLOCK_USE_LIBCOAP);
	coap_context_set_max_idle_sessions(ctx, (unsigned)cfg->max_idle_sessions);
	coap_register_response_handler(ctx, on_response);
	coap_register_nack_handler(ctx, on_nack);
	coap_register_event_handler(ctx, on_event);
	return ctx;
}

/* Plain CoAP over UDP, unless [coap] enabled = no; *@addr is where (dm's requests leave from
 * there). */
static int serve_coap(coap_context_t *ctx, const struct server_config *cfg, coap_address_t *addr)
{
	if (!cfg->coap_enabled) {
		log_info("plain CoAP disabled by [coap] enabled = no");
		return 0;
	}
	if (endpoint_address(cfg, addr) < 0) {
		log_warnx("[coap] address: '%s' is not an IP address", cfg->address);
		return -EINVAL;
	}
	if (!coap_new_endpoint(ctx, addr, COAP_PROTO_UDP)) {
		log_warnx("cannot serve CoAP on %s port %d (in use?)", cfg->address, cfg->port);
		return -EADDRINUSE;
	}
	log_info("serving CoAP address=%s port=%d", cfg->address, cfg->port);
	return 0;
}

/* DTLS, TCP and TLS, as the INI asks; 0 or a negative errno (logged). */
static int serve_others(coap_context_t *ctx, const struct server_config *cfg,
			struct pskguard *guard, struct certs **certs)
{
	int n = 0;

	if (cfg->coaps_enabled || cfg->tls_enabled)
		n = setup_security(ctx, cfg, guard, certs);
	if (n == 0 && *certs)
		log_info("certificate mode on: clients verified against %s", cfg->ca_file);
	if (n == 0 && cfg->coaps_enabled)
		n = listen_on(ctx, "coaps", cfg->coaps_address, cfg->coaps_port, COAP_PROTO_DTLS,
			      "CoAP over DTLS");
	if (n == 0 && cfg->tcp_enabled)
		n = coap_tcp_is_supported()
			    ? listen_on(ctx, "coap+tcp", cfg->tcp_address, cfg->tcp_port,
					COAP_PROTO_TCP, "CoAP over TCP")
			    : -ENOTSUP;
	if (n == 0 && cfg->tls_enabled)
		n = coap_tls_is_supported()
			    ? listen_on(ctx, "coaps+tcp", cfg->tls_address, cfg->tls_port,
					COAP_PROTO_TLS, "CoAP over TLS")
			    : -ENOTSUP;
	if (n == -ENOTSUP)
		log_warnx("this libcoap cannot do what the INI asks (TCP, TLS, PKI)");
	return n;
}

void transport_route_logs(void)
{
	coap_set_log_handler(log_to_ours);
	coap_set_log_level(log_enabled(LOG_LEVEL_DEBUG) ? LOG_INFO : LOG_WARNING);
}

int transport_serve(coap_context_t *ctx, const struct server_config *cfg,
		    struct pskguard *guard, struct certs **certs, coap_address_t *addr)
{
	int n = serve_coap(ctx, cfg, addr);

	return n < 0 ? n : serve_others(ctx, cfg, guard, certs);
}
