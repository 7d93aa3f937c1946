/*
 * wsnotify — a configuration's notifications over its WebSocket (see wsnotify.h).
 */
#include "wsnotify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "http/httproute.h"
#include "http/httpws.h"
#include "store.h"

#define WS_PATH "/3gpp-nidd/v1/{scsAsId}/configurations/{configurationId}/websocket"

struct slot {
	int64_t config; /* 0: free */
	struct http_ws *ws;
};

struct wsnotify {
	struct db *db;
	struct slot slots[WSNOTIFY_MAX];
	struct wsnotify_stats st;
};

int wsnotify_new(struct db *db, struct wsnotify **out)
{
	struct wsnotify *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->db = db;
	*out = w;
	return 0;
}

static void on_close(struct http_ws *ws, void *arg)
{
	struct wsnotify *w = arg;
	for (size_t i = 0; i < WSNOTIFY_MAX; i++)
		if (w->slots[i].ws == ws) {
			log_info("t8: websocket of configuration %" PRId64 " closed",
				 w->slots[i].config);
			w->slots[i] = (struct slot){ 0 };
			w->st.open--;
		}
}

void wsnotify_free(struct wsnotify *w)
{
	if (!w)
		return;
	/* The server frees its connections after us: they must not call back. */
	for (size_t i = 0; i < WSNOTIFY_MAX; i++)
		if (w->slots[i].ws) {
			http_ws_on_close(w->slots[i].ws, NULL, NULL);
			http_ws_close(w->slots[i].ws, HTTPWS_GOING_AWAY);
		}
	free(w);
}

static struct slot *find(struct wsnotify *w, int64_t config)
{
	for (size_t i = 0; i < WSNOTIFY_MAX; i++)
		if (w->slots[i].config == config)
			return &w->slots[i];
	return NULL;
}

bool wsnotify_accept(struct http_ws *ws, const struct http_request *req, void *arg)
{
	struct wsnotify *w = arg;
	struct httproute_match m;
	struct store_config sc;
	char *end;
	if (httproute_match(WS_PATH, req->path, &m) < 0)
		return false;
	const char *scs = httproute_get(&m, "scsAsId"), *id = httproute_get(&m, "configurationId");
	long long config = strtoll(id, &end, 10);
	/* Only a configuration of this SCS/AS that asked for a websocket has one. */
	if (*end || config <= 0 || store_config_get(w->db, scs, config, &sc) < 0 ||
	    !sc.cfg.request_websocket_uri)
		return false;
	struct slot *s = find(w, config);
	if (s) {
		/* The newest is the SCS/AS's: the older one goes. */
		http_ws_on_close(s->ws, NULL, NULL);
		http_ws_close(s->ws, HTTPWS_GOING_AWAY);
		w->st.open--;
	} else if (!(s = find(w, 0))) {
		log_warnx("t8: %d websockets open, one more for configuration %lld refused",
			  WSNOTIFY_MAX, config);
		return false;
	}
	*s = (struct slot){ config, ws };
	http_ws_on_close(ws, on_close, w);
	w->st.open++;
	w->st.opened++;
	log_info("t8: websocket of configuration %lld open", config);
	return true;
}

bool wsnotify_send(struct wsnotify *w, int64_t config, const char *body)
{
	struct slot *s = config > 0 ? find(w, config) : NULL;
	if (!s || http_ws_send_text(s->ws, body, strlen(body)) < 0)
		return false;
	w->st.sent++;
	return true;
}

void wsnotify_drop(struct wsnotify *w, int64_t config)
{
	struct slot *s = config > 0 ? find(w, config) : NULL;
	if (!s)
		return;
	/* Its close callback frees the slot when the connection goes. */
	http_ws_close(s->ws, HTTPWS_NORMAL);
}

void wsnotify_uri(const char *api_root, const char *scs_as, int64_t id, char *out, size_t size)
{
	/* http -> ws, https -> wss (RFC 6455 3): the same host and port. */
	const char *rest = strncmp(api_root, "http", 4) == 0 ? api_root + 4 : api_root;
	snprintf(out, size, "ws%s/3gpp-nidd/v1/%s/configurations/%" PRId64 "/websocket", rest,
		 scs_as, id);
}

void wsnotify_get_stats(const struct wsnotify *w, struct wsnotify_stats *out)
{
	*out = w->st;
}
