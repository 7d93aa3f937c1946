#include "http/httpconf.h"

#include <string.h>

void httpconf_bridge(const struct httpconf *c, const char *socket, struct httpbridge_config *out)
{
	memset(out, 0, sizeof(*out));
	http_server_config_defaults(&out->http);
	out->http.max_connections = (size_t)c->max_connections;
	out->http.max_body = (size_t)c->max_body;
	out->http.cert_file = c->cert_file;
	out->http.key_file = c->key_file;
	out->address = c->address;
	out->port = (uint16_t)c->port;
	out->socket = socket;
	out->tokens_ro = c->tokens_ro;
	out->tokens_rw = c->tokens_rw;
	out->timeout_ms = c->timeout_s * 1000;
	out->max_subscribers = (size_t)c->max_subscribers;
	out->ui_dir = c->ui_dir;
}
