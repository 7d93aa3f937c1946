/*
 * httpconf — the [http] section every daemon's INI shares for its
 * northbound API (off by default): the keys, in a macro for the daemon's
 * key table, and their translation into an httpbridge configuration.
 */
#ifndef LWGATE_HTTP_HTTPCONF_H
#define LWGATE_HTTP_HTTPCONF_H

#include <stdbool.h>

#include "common/config.h"
#include "http/httpbridge.h"

#ifndef LWGATE_UI_DIR
#define LWGATE_UI_DIR "/usr/share/lwgate/ui"
#endif

struct httpconf {
	bool enabled;
	char *address;
	int port;
	char *cert_file, *key_file;
	char *tokens_ro, *tokens_rw;
	int max_connections;
	int max_body;
	int timeout_s;
	int max_subscribers;
	char *ui_dir;
};

/* clang-format off */
/*
 * The [http] keys of daemon config struct TYPE whose struct httpconf is
 * FIELD; PORT is the daemon's default port as a string.
 */
#define HTTPCONF_KEYS(TYPE, FIELD, PORT)                                                            \
	{"http", "enabled", CONFIG_BOOL, offsetof(TYPE, FIELD.enabled), "no", 0, 0, NULL, false,      \
	 "serve the HTTP API (HTTP/1.1 and HTTP/2, TLS when cert_file is set)"},                      \
	{"http", "address", CONFIG_ADDRESS, offsetof(TYPE, FIELD.address), "127.0.0.1", 0, 0, NULL,   \
	 false, "address of the HTTP API; other than loopback only with a token"},                    \
	{"http", "port", CONFIG_INT, offsetof(TYPE, FIELD.port), PORT, 0, 65535, NULL, false,         \
	 "TCP port of the HTTP API (cleartext and TLS on the same port)"},                            \
	{"http", "cert_file", CONFIG_STRING, offsetof(TYPE, FIELD.cert_file), "", 0, 0, NULL, false,  \
	 "PEM certificate chain for TLS (empty: cleartext only)"},                                    \
	{"http", "key_file", CONFIG_STRING, offsetof(TYPE, FIELD.key_file), "", 0, 0, NULL, false,    \
	 "PEM private key of cert_file"},                                                             \
	{"http", "tokens_ro", CONFIG_STRING, offsetof(TYPE, FIELD.tokens_ro), "", 0, 0, NULL, false,  \
	 "bearer tokens that may read, separated by blanks or commas"},                               \
	{"http", "tokens_rw", CONFIG_STRING, offsetof(TYPE, FIELD.tokens_rw), "", 0, 0, NULL, false,  \
	 "bearer tokens that may read and change"},                                                   \
	{"http", "max_connections", CONFIG_INT, offsetof(TYPE, FIELD.max_connections), "256", 1,      \
	 1000000, NULL, false, "HTTP connections open at once"},                                      \
	{"http", "max_body", CONFIG_INT, offsetof(TYPE, FIELD.max_body), "65536", 1, 16777216, NULL,  \
	 false, "largest request body (bytes)"},                                                      \
	{"http", "timeout", CONFIG_INT, offsetof(TYPE, FIELD.timeout_s), "30", 1, 300, NULL, false,   \
	 "seconds a request waits for the daemon (and its device) by default"},                       \
	{"http", "max_subscribers", CONFIG_INT, offsetof(TYPE, FIELD.max_subscribers), "1000", 1,     \
	 1000000, NULL, false, "event streams open at once"},                                         \
	{"http", "ui", CONFIG_STRING, offsetof(TYPE, FIELD.ui_dir), LWGATE_UI_DIR, 0, 0, NULL, false, \
	 "folder of the web console, served under /ui/ (empty: no console)"}
/* clang-format on */

/*
 * Fill @out from @c for the daemon whose control socket is @socket; the
 * strings are borrowed from @c.
 */
void httpconf_bridge(const struct httpconf *c, const char *socket, struct httpbridge_config *out);

#endif
