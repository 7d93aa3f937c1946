/*
 * paactl — paad's commands, status and events (see paactl.h).
 */
#define LOG_COMPONENT "ctl"
#include "paactl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "paastore.h"

static json_t *session_json(const struct paaserver_info *s)
{
	char addr[INET6_ADDRSTRLEN], relay[INET6_ADDRSTRLEN];
	int64_t left = s->expires ? s->expires - (int64_t)time(NULL) : 0;

	paapeer_addr_text(&s->peer->pac, addr, sizeof(addr));
	paapeer_addr_text(&s->peer->relay, relay, sizeof(relay));
	return json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:I}", "id", (json_int_t)s->id,
			 "device", s->device, "phase", s->phase, "address", addr, "port",
			 ntohs(s->peer->pac.sin6_port), "relay", relay, "key_id",
			 (json_int_t)s->key_id, "lifetime", (json_int_t)s->lifetime, "expires_in",
			 (json_int_t)(left > 0 ? left : 0));
}

static void publish(struct paad *p, const struct paaserver_info *s, const char *ev,
		    const char *reason)
{
	json_t *data = session_json(s);

	json_object_set_new(data, "event", json_string(ev));
	if (reason)
		json_object_set_new(data, "reason", json_string(reason));
	ipc_server_publish(daemon_ipc(p->daemon), "session", data);
}

void paactl_session_up(const struct paaserver_info *s, bool reauth, void *arg)
{
	struct paad *p = arg;

	if (p->admit)
		paaadmit_up(p->admit, s);
	publish(p, s, reauth ? "reauth" : "up", NULL);
}

void paactl_session_down(const struct paaserver_info *s, enum paaserver_end why, void *arg)
{
	struct paad *p = arg;

	if (p->admit)
		paaadmit_down(p->admit, s);
	publish(p, s, "down", paaserver_end_name(why));
}

static int unhex16(const char *s, uint8_t out[16])
{
	if (strlen(s) != 32)
		return -EINVAL;
	for (int i = 0; i < 16; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
			return -EINVAL;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void cmd_device_add(struct ipc_call *call, json_t *args, void *ctx)
{
	struct paad *p = ctx;
	const char *id = json_string_value(json_object_get(args, "identity"));
	uint8_t psk[EAP_PSK_PSK_LEN];
	int rc;

	if (!*id || strlen(id) > EAP_PSK_MAX_ID) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "identity must be 1 to %d bytes",
			      EAP_PSK_MAX_ID);
		return;
	}
	if (unhex16(json_string_value(json_object_get(args, "psk")), psk) < 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "psk must be 16 bytes in hex (32 digits)");
		return;
	}
	rc = paastore_device_put(daemon_db(p->daemon), id, psk);
	OPENSSL_cleanse(psk, sizeof(psk));
	if (rc == 0)
		rc = db_commit(daemon_db(p->daemon));
	if (rc < 0) {
		ipc_call_fail(call, IPC_ERR_INTERNAL, "database: %s", strerror(-rc));
		return;
	}
	log_info("device added identity=%s", id);
	ipc_call_reply(call, json_pack("{s:s}", "identity", id));
}

static void cmd_device_del(struct ipc_call *call, json_t *args, void *ctx)
{
	struct paad *p = ctx;
	const char *id = json_string_value(json_object_get(args, "identity"));
	int rc = paastore_device_del(daemon_db(p->daemon), id);
	unsigned ended;

	if (rc == -ENOENT) {
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no device %s", id);
		return;
	}
	if (rc == 0)
		rc = db_commit(daemon_db(p->daemon));
	if (rc < 0) {
		ipc_call_fail(call, IPC_ERR_INTERNAL, "database: %s", strerror(-rc));
		return;
	}
	ended = paaserver_terminate(p->server, 0, id);
	log_info("device deleted identity=%s sessions_ended=%u", id, ended);
	ipc_call_reply(
		call, json_pack("{s:s, s:I}", "identity", id, "sessions_ended", (json_int_t)ended));
}

struct list {
	struct ipc_call *call;
	size_t n;
};

static void device_one(const char *identity, int64_t created, void *arg)
{
	struct list *l = arg;

	l->n++;
	ipc_call_record(l->call, json_pack("{s:s, s:I}", "identity", identity, "created",
					   (json_int_t)created));
}

static void cmd_device_list(struct ipc_call *call, json_t *args, void *ctx)
{
	struct paad *p = ctx;
	struct list l = { call, 0 };

	if (paastore_device_each(daemon_db(p->daemon), device_one, &l) < 0) {
		ipc_call_fail(call, IPC_ERR_INTERNAL, "database error");
		return;
	}
	ipc_call_reply(call, json_pack("{s:I}", "count", (json_int_t)l.n));
}

static void session_one(const struct paaserver_info *s, void *arg)
{
	struct list *l = arg;

	l->n++;
	ipc_call_record(l->call, session_json(s));
}

static void cmd_sessions(struct ipc_call *call, json_t *args, void *ctx)
{
	struct paad *p = ctx;
	struct list l = { call, 0 };

	paaserver_each(p->server, session_one, &l);
	ipc_call_reply(call, json_pack("{s:I}", "count", (json_int_t)l.n));
}

static void cmd_terminate(struct ipc_call *call, json_t *args, void *ctx)
{
	struct paad *p = ctx;
	json_t *id = json_object_get(args, "id");
	const char *device = json_string_value(json_object_get(args, "device"));
	unsigned n;

	if (!id == !device) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "give id or device");
		return;
	}
	if (id && (json_integer_value(id) <= 0 || json_integer_value(id) > UINT32_MAX)) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "id is a session id, 1 to 4294967295");
		return;
	}
	n = paaserver_terminate(p->server, id ? (uint32_t)json_integer_value(id) : 0, device);
	if (n == 0) {
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no such session");
		return;
	}
	ipc_call_reply(call, json_pack("{s:I}", "terminated", (json_int_t)n));
}

static const struct ipc_arg device_add_args[] = {
	{ "identity", IPC_ARG_STRING, true, "the device's EAP-PSK identity (ID_P)",
	  .positional = true },
	{ "psk", IPC_ARG_STRING, true, "its 16-byte pre-shared key, 32 hex digits",
	  .positional = true },
	{ NULL },
};

static const struct ipc_arg device_del_args[] = {
	{ "identity", IPC_ARG_STRING, true, "the device's EAP-PSK identity", .positional = true },
	{ NULL },
};

static const struct ipc_arg terminate_args[] = {
	{ "id", IPC_ARG_INT, false, "session id (see sessions)", .positional = true },
	{ "device", IPC_ARG_STRING, false, "every session of this device" },
	{ NULL },
};

const struct ipc_command paactl_commands[] = {
	{ "device-add", "add a device or replace its key", device_add_args, cmd_device_add, true },
	{ "device-del", "remove a device and end its sessions", device_del_args, cmd_device_del,
	  true },
	{ "device-list", "list the devices (not their keys)", NULL, cmd_device_list, false },
	{ "sessions", "list the PANA sessions", NULL, cmd_sessions, false },
	{ "terminate", "end a session with a PTR (ADMINISTRATIVE)", terminate_args, cmd_terminate,
	  true },
	{ NULL },
};

void paactl_status(void *state, json_t *status)
{
	struct paad *p = state;
	struct paaserver_stats st;
	json_t *drop;

	paaserver_get_stats(p->server, &st);
	drop = json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "malformed", (json_int_t)st.drop_malformed,
		"no_session", (json_int_t)st.drop_no_session, "sequence", (json_int_t)st.drop_seq,
		"auth", (json_int_t)st.drop_auth, "unexpected", (json_int_t)st.drop_unexpected,
		"full", (json_int_t)st.drop_full, "relay", (json_int_t)st.drop_relay);
	json_object_set_new(
		status, "pana",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, "
			  "s:I}",
			  "sessions", (json_int_t)st.sessions, "relayed", (json_int_t)st.relayed,
			  "established", (json_int_t)st.established, "rx", (json_int_t)st.rx, "tx",
			  (json_int_t)st.tx, "retransmits", (json_int_t)st.retransmits,
			  "duplicates", (json_int_t)st.duplicates, "auth_ok",
			  (json_int_t)st.auth_ok, "reauth_ok", (json_int_t)st.reauth_ok, "rejected",
			  (json_int_t)st.rejected, "expired", (json_int_t)st.expired, "terminated",
			  (json_int_t)st.terminated, "timeouts", (json_int_t)st.timeouts, "dropped",
			  drop, "session_bytes", (json_int_t)paaserver_session_bytes(p->server)));
	if (p->admit) {
		struct paaadmit_stats as;

		paaadmit_get_stats(p->admit, &as);
		json_object_set_new(
			status, "admission",
			json_pack("{s:I, s:I, s:I, s:I}", "admits", (json_int_t)as.admits,
				  "revokes", (json_int_t)as.revokes, "resyncs",
				  (json_int_t)as.resyncs, "failures", (json_int_t)as.failures));
	}
	if (p->radius) {
		struct paaradius_stats rs;

		paaradius_get_stats(p->radius, &rs);
		json_object_set_new(
			status, "radius",
			json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "requests",
				  (json_int_t)rs.requests, "retransmits",
				  (json_int_t)rs.retransmits, "timeouts", (json_int_t)rs.timeouts,
				  "challenges", (json_int_t)rs.challenges, "accepts",
				  (json_int_t)rs.accepts, "rejects", (json_int_t)rs.rejects,
				  "dropped", (json_int_t)rs.dropped));
	}
}
