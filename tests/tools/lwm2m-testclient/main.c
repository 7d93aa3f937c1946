/*
 * lwgate-lwm2m-testclient — a small LwM2M 1.1 client on libcoap, for the
 * lwm2md integration tests: it drives what lwm2m-node-lib cannot.
 *
 *   lwgate-lwm2m-testclient [options] URI
 *
 * URI is coap://, coaps://, coap+tcp:// or coaps+tcp://HOST:PORT.  Modes:
 *   (default)        register, then serve /3/0 and /1/0 (Read in every
 *                    content format, Observe, Write, Execute) and take
 *                    commands on stdin: "update [lt]", "deregister",
 *                    "set PATH VALUE" (a new value, notified to its
 *                    observers and those of its object and instance),
 *                    "notify con|non" (the notifications' type),
 *                    "send FORMAT PATH…" (Send of those paths' values),
 *                    "send-raw CF HEX" (a Send of those bytes),
 *                    "rebind" (a new socket: a new source port, or a
 *                    new TCP connection; over DTLS/TLS a new handshake
 *                    with the same credentials), "quit";
 *   --malformed      send one malformed Register of each kind, print each
 *                    answer, then a good Register (the server still serves);
 *   --no-answer PATH take Reads of PATH and never answer them;
 *   --no-composite   answer Read- and Write-Composite with 4.05, as a
 *                    client without them (LwM2M 1.0) does;
 *   --retransmit N   (coap:// only) send the same confirmable Register N
 *                    times — same Message ID, same token, raw UDP — and
 *                    print every response in hex.
 *   --local-port P   (coap:// only) send from UDP port P: a NIDD device,
 *                    which scefd knows by its port ([devices] list).
 *   --mtu BYTES      the session's MTU: libcoap cuts what does not fit
 *                    (responses and notifications) into Block2 blocks of
 *                    the largest size that fits (16 to 1024 bytes).
 * Security: --psk-id ID --psk-key KEY (ASCII), or --cert F --key F --ca F.
 *
 * Everything that happens is one line on stdout ("registered …",
 * "read …", …) for the test to wait on.  Exit status 0, or 1 when the
 * registration failed (a line "failed …" says why).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <coap3/coap.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_format.h"
#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_registry.h"
#include "lwm2m/lwm2m_value.h"

#define VALUE_MAX 1500  /* a value this long needs Block2 */
#define WAIT_MS   10000 /* for one response */

/* One resource (instance) the client holds. */
struct res {
	const char *path;
	struct lwm2m_value v;
	uint8_t bytes[VALUE_MAX]; /* string storage of v */
	struct lwm2m_path p;
};

static struct res store[] = {
	{ "/1/0/0", { LWM2M_TYPE_INTEGER, { .i = 1 } } },
	{ "/1/0/1", { LWM2M_TYPE_INTEGER, { .i = 300 } } },
	{ "/1/0/6", { LWM2M_TYPE_BOOLEAN, { .b = false } } },
	{ "/1/0/7", { LWM2M_TYPE_STRING } },
	{ "/3/0/0", { LWM2M_TYPE_STRING } },
	{ "/3/0/1", { LWM2M_TYPE_STRING } },
	{ "/3/0/2", { LWM2M_TYPE_STRING } },
	{ "/3/0/9", { LWM2M_TYPE_INTEGER, { .i = 87 } } },
	{ "/3/0/11/0", { LWM2M_TYPE_INTEGER, { .i = 0 } } },
	{ "/3/0/13", { LWM2M_TYPE_TIME, { .i = 1700000000 } } },
	{ "/3/0/14", { LWM2M_TYPE_STRING } },
	{ "/3/0/16", { LWM2M_TYPE_STRING } },
	{ "/5/0/0", { LWM2M_TYPE_OPAQUE } },
	{ "/5/0/3", { LWM2M_TYPE_INTEGER, { .i = 0 } } },
};
#define NSTORE (sizeof(store) / sizeof(store[0]))

/* --no-answer: Reads of this path are taken and never answered. */
static const char *no_answer;
static const char *const initial_text[NSTORE] = {
	[3] = "U",
	[4] = "Acme",
	[5] = "Model 500",
	[6] = "SN-0001",
	[10] = "+01",
	[11] = "U",
	[12] = "\x01\x02\x03"
	       "firmware",
};

struct client {
	coap_context_t *ctx;
	coap_session_t *session;
	coap_proto_t proto;
	coap_address_t dst;    /* the server */
	coap_address_t local;  /* --local-port: where it sends from (size 0: any) */
	coap_dtls_cpsk_t *psk; /* the session's security, if any: rebind uses it again */
	coap_dtls_pki_t *pki;
	coap_resource_t *root; /* Observe-Composite's resource */
	struct lwm2m_registry *reg;
	const char *ep, *binding, *version;
	int lifetime;
	char location[64];
	/* the response awaited: 0 none; set by on_response */
	bool waiting;
	coap_pdu_code_t code;
	char text[256];
	char locpath[64];
};

static void set_string(struct res *r, const void *p, size_t n)
{
	if (n > sizeof(r->bytes))
		n = sizeof(r->bytes);
	memcpy(r->bytes, p, n);
	r->v.v.bytes.data = r->bytes;
	r->v.v.bytes.len = n;
}

static void store_init(void)
{
	for (size_t i = 0; i < NSTORE; i++) {
		if (lwm2m_path_parse(store[i].path, strlen(store[i].path), &store[i].p) < 0)
			abort();
		if (store[i].v.type == LWM2M_TYPE_STRING || store[i].v.type == LWM2M_TYPE_OPAQUE)
			set_string(&store[i], initial_text[i], strlen(initial_text[i]));
	}
}

static bool under(const struct lwm2m_path *p, const struct lwm2m_path *base)
{
	if (p->len < base->len)
		return false;
	for (unsigned i = 0; i < base->len; i++)
		if (p->id[i] != base->id[i])
			return false;
	return true;
}

static void code_text(coap_pdu_code_t code, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%02u", COAP_RESPONSE_CLASS(code), code & 0x1f);
}

static int option_uint(const coap_pdu_t *pdu, coap_option_num_t num, int def)
{
	coap_opt_iterator_t it;
	coap_opt_t *opt = coap_check_option(pdu, num, &it);

	return opt ? (int)coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt)) : def;
}

/* The LwM2M path of the resource @res serves. */
static void path_of(coap_resource_t *res, struct lwm2m_path *p, char *text, size_t size)
{
	coap_str_const_t *uri = coap_resource_get_uri_path(res);

	snprintf(text, size, "/%.*s", (int)uri->length, (const char *)uri->s);
	if (lwm2m_path_parse(text, strlen(text), p) < 0)
		abort();
}

static void release_copy(coap_session_t *s, void *data)
{
	free(data);
}

/* Room left in a PDU for options and the header, with a margin. */
#define PDU_HEADROOM 128

/*
 * A 2.05 with @buf in @format.  A body that fits one PDU (and was not asked
 * for by block) goes in that PDU; a larger one through libcoap's large-body
 * API, which sends it in Block2 blocks.  Only the large path keeps a copy:
 * libcoap 4.3.1 does not always hand a one-PDU copy back to release_copy,
 * which LeakSanitizer reports when the client exits.
 */
static void content(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		    coap_pdu_t *resp, const coap_string_t *query, int format,
		    const struct lwm2m_buf *buf)
{
	coap_opt_iterator_t it;
	uint8_t *copy;

	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(205));
	if (!coap_check_option(req, COAP_OPTION_BLOCK2, &it) &&
	    buf->len + PDU_HEADROOM <= coap_session_max_pdu_size(s)) {
		uint8_t ct[4];

		coap_add_option(resp, COAP_OPTION_CONTENT_FORMAT,
				coap_encode_var_safe(ct, sizeof(ct), (unsigned)format), ct);
		coap_add_data(resp, buf->len, buf->data);
		return;
	}
	copy = malloc(buf->len ? buf->len : 1);
	if (!copy)
		abort();
	memcpy(copy, buf->data, buf->len);
	coap_add_data_large_response(res, s, req, resp, query, (uint16_t)format, -1, 0, buf->len,
				     copy, release_copy, NULL);
}

static void hnd_get(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		    const coap_string_t *query, coap_pdu_t *resp)
{
	struct lwm2m_path base;
	char path[32], code[8];
	int accept = option_uint(req, COAP_OPTION_ACCEPT, -1), format = accept, observe;
	struct lwm2m_doc doc;
	struct lwm2m_buf buf;
	struct lwm2m_error err = { 0 };
	int rc = 0;

	path_of(res, &base, path, sizeof(path));
	observe = option_uint(req, COAP_OPTION_OBSERVE, -1);
	if (no_answer && strcmp(path, no_answer) == 0) {
		/* a separate response that never comes (over UDP: an empty ACK) */
		coap_register_async(s, req, 0);
		printf("read path=%s not answered\n", path);
		fflush(stdout);
		return;
	}
	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&buf);
	doc.base = base;
	for (size_t i = 0; i < NSTORE && rc == 0; i++)
		if (under(&store[i].p, &base))
			rc = lwm2m_doc_add(&doc, &store[i].p, &store[i].v);
	if (format < 0)
		format = base.len == LWM2M_PATH_RESOURCE && doc.count == 1 ? LWM2M_FORMAT_TEXT
									   : LWM2M_FORMAT_TLV;
	if (rc == 0)
		rc = lwm2m_format_encode((enum lwm2m_format)format, &doc, &buf, &err);
	if (rc < 0)
		coap_pdu_set_code(resp, COAP_RESPONSE_CODE(406));
	else
		content(res, s, req, resp, query, format, &buf);
	code_text(coap_pdu_get_code(resp), code, sizeof(code));
	printf("read path=%s accept=%d format=%d code=%s observe=%d\n", path, accept, format, code,
	       observe);
	fflush(stdout);
	lwm2m_buf_fini(&buf);
	lwm2m_doc_fini(&doc);
}

/* The values of @doc into the store; the number of resources changed. */
static int apply_doc(const struct lwm2m_doc *doc)
{
	int changed = 0;

	for (size_t k = 0; k < doc->count; k++) {
		const struct lwm2m_entry *e = &doc->entries[k];

		for (size_t i = 0; i < NSTORE; i++) {
			struct lwm2m_path *p = &store[i].p;
			struct lwm2m_value v = e->value;

			if (p->len != e->path.len ||
			    memcmp(p->id, e->path.id, p->len * sizeof(p->id[0])))
				continue;
			/* untyped (no --objects): bytes become the stored string */
			if (lwm2m_value_coerce(&v, store[i].v.type) < 0 &&
			    !(v.type == LWM2M_TYPE_OPAQUE && store[i].v.type == LWM2M_TYPE_STRING))
				continue;
			if (v.type == LWM2M_TYPE_STRING || v.type == LWM2M_TYPE_OPAQUE)
				set_string(&store[i], v.v.bytes.data, v.v.bytes.len);
			else
				store[i].v = v;
			changed++;
		}
	}
	return changed;
}

/* Write (PUT, POST on an instance or resource): typed from the registry. */
static void hnd_write(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		      const coap_string_t *query, coap_pdu_t *resp)
{
	struct client *c = coap_get_app_data(coap_session_get_context(s));
	struct lwm2m_path base;
	char path[32], code[8];
	int format = option_uint(req, COAP_OPTION_CONTENT_FORMAT, LWM2M_FORMAT_TEXT);
	const uint8_t *data;
	size_t len, offset, total;
	struct lwm2m_doc doc;
	struct lwm2m_error err = { 0 };
	int rc, changed = 0;

	path_of(res, &base, path, sizeof(path));
	if (!coap_get_data_large(req, &len, &data, &offset, &total))
		len = 0;
	if (len == 0 && query && query->length) {
		/* Write-Attributes: a PUT with the attributes in the query, no payload */
		coap_pdu_set_code(resp, COAP_RESPONSE_CODE(204));
		printf("write-attr path=%s query=%.*s code=2.04\n", path, (int)query->length,
		       (const char *)query->s);
		fflush(stdout);
		return;
	}
	lwm2m_doc_init(&doc);
	rc = lwm2m_format_decode((enum lwm2m_format)format, data, len, &base, c->reg, &doc, &err);
	if (rc == 0)
		changed = apply_doc(&doc);
	coap_pdu_set_code(resp, rc < 0    ? COAP_RESPONSE_CODE(400)
				: changed ? COAP_RESPONSE_CODE(204)
					  : COAP_RESPONSE_CODE(404));
	code_text(coap_pdu_get_code(resp), code, sizeof(code));
	printf("write path=%s format=%d entries=%zu code=%s%s%s\n", path, format, doc.count, code,
	       rc < 0 ? " error=" : "", rc < 0 ? err.msg : "");
	fflush(stdout);
	lwm2m_doc_fini(&doc);
}

/* Read-Composite (FETCH /): the values under each name, in Accept (or the request's format). */
static void hnd_fetch(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		      const coap_string_t *query, coap_pdu_t *resp)
{
	struct client *c = coap_get_app_data(coap_session_get_context(s));
	int cf = option_uint(req, COAP_OPTION_CONTENT_FORMAT, LWM2M_FORMAT_SENML_JSON);
	int accept = option_uint(req, COAP_OPTION_ACCEPT, cf);
	struct lwm2m_path root = { .len = 0 };
	struct lwm2m_doc names, doc;
	struct lwm2m_error err = { 0 };
	struct lwm2m_buf buf;
	const uint8_t *data;
	size_t len, offset, total;
	char code[8];
	int rc;

	if (!coap_get_data_large(req, &len, &data, &offset, &total))
		len = 0;
	lwm2m_doc_init(&names);
	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&buf);
	rc = lwm2m_format_decode((enum lwm2m_format)cf, data, len, &root, c->reg, &names, &err);
	for (size_t k = 0; rc == 0 && k < names.count; k++)
		for (size_t i = 0; i < NSTORE && rc == 0; i++)
			if (under(&store[i].p, &names.entries[k].path))
				rc = lwm2m_doc_add(&doc, &store[i].p, &store[i].v);
	if (rc == 0)
		rc = lwm2m_format_encode((enum lwm2m_format)accept, &doc, &buf, &err);
	if (rc < 0)
		coap_pdu_set_code(resp, COAP_RESPONSE_CODE(400));
	else
		content(res, s, req, resp, query, accept, &buf);
	code_text(coap_pdu_get_code(resp), code, sizeof(code));
	printf("read-composite paths=%zu format=%d accept=%d code=%s%s%s\n", names.count, cf,
	       accept, code, rc < 0 ? " error=" : "", rc < 0 ? err.msg : "");
	fflush(stdout);
	lwm2m_buf_fini(&buf);
	lwm2m_doc_fini(&doc);
	lwm2m_doc_fini(&names);
}

/* Write-Composite (iPATCH /): absolute paths, typed from the registry. */
static void hnd_ipatch(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		       const coap_string_t *query, coap_pdu_t *resp)
{
	struct client *c = coap_get_app_data(coap_session_get_context(s));
	int cf = option_uint(req, COAP_OPTION_CONTENT_FORMAT, LWM2M_FORMAT_SENML_JSON);
	struct lwm2m_path root = { .len = 0 };
	struct lwm2m_error err = { 0 };
	struct lwm2m_doc doc;
	const uint8_t *data;
	size_t len, offset, total;
	char code[8];
	int rc, changed = 0;

	if (!coap_get_data_large(req, &len, &data, &offset, &total))
		len = 0;
	lwm2m_doc_init(&doc);
	rc = lwm2m_format_decode((enum lwm2m_format)cf, data, len, &root, c->reg, &doc, &err);
	if (rc == 0)
		changed = apply_doc(&doc);
	coap_pdu_set_code(resp, rc < 0 ? COAP_RESPONSE_CODE(400) : COAP_RESPONSE_CODE(204));
	code_text(coap_pdu_get_code(resp), code, sizeof(code));
	printf("write-composite format=%d entries=%zu changed=%d code=%s\n", cf, doc.count, changed,
	       code);
	fflush(stdout);
	lwm2m_doc_fini(&doc);
}

static void hnd_exec(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		     const coap_string_t *query, coap_pdu_t *resp)
{
	struct lwm2m_path base;
	char path[32];
	const uint8_t *data;
	size_t len, offset, total;

	path_of(res, &base, path, sizeof(path));
	if (base.len != LWM2M_PATH_RESOURCE) {
		hnd_write(res, s, req, query, resp);
		return;
	}
	if (!coap_get_data_large(req, &len, &data, &offset, &total))
		len = 0;
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(204));
	printf("exec path=%s args=%.*s code=2.04\n", path, (int)len, (const char *)data);
	fflush(stdout);
}

static void add_resource(coap_context_t *ctx, const char *path)
{
	const char *uri = path + 1;
	coap_resource_t *r;

	if (coap_get_resource_from_uri_path(ctx, coap_make_str_const(uri)))
		return;
	r = coap_resource_init(coap_new_str_const((const uint8_t *)uri, strlen(uri)),
			       COAP_RESOURCE_FLAGS_RELEASE_URI);
	coap_register_handler(r, COAP_REQUEST_GET, hnd_get);
	coap_resource_set_get_observable(r, 1);
	coap_register_handler(r, COAP_REQUEST_PUT, hnd_write);
	coap_register_handler(r, COAP_REQUEST_POST, hnd_exec);
	coap_add_resource(ctx, r);
}

/* /1, /1/0, /1/0/0 … and /3/0/4 (Reboot) to execute. */
static void add_resources(coap_context_t *ctx)
{
	char prefix[32];

	for (size_t i = 0; i < NSTORE; i++)
		for (const char *p = store[i].path + 1;; p++) {
			if (*p == '/' || *p == '\0') {
				snprintf(prefix, sizeof(prefix), "%.*s", (int)(p - store[i].path),
					 store[i].path);
				add_resource(ctx, prefix);
			}
			if (!*p)
				break;
		}
	add_resource(ctx, "/3/0/4");
}

/*
 * The root, where composite requests go (without them, libcoap answers
 * 4.05); observable with FETCH (Observe-Composite), notified on every set.
 */
static coap_resource_t *add_root(coap_context_t *ctx, bool composite)
{
	coap_resource_t *r = coap_resource_init(NULL, 0);

	if (composite) {
		coap_register_handler(r, COAP_REQUEST_FETCH, hnd_fetch);
		coap_register_handler(r, COAP_REQUEST_IPATCH, hnd_ipatch);
		coap_resource_set_get_observable(r, 1);
	}
	coap_add_resource(ctx, r);
	return r;
}

static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent,
				   const coap_pdu_t *received, const coap_mid_t mid)
{
	struct client *c = coap_get_app_data(coap_session_get_context(s));
	coap_opt_iterator_t it;
	coap_opt_filter_t f;
	coap_opt_t *opt;
	const uint8_t *data;
	size_t len, offset, total, o = 0;

	c->code = coap_pdu_get_code(received);
	c->waiting = false;
	if (!coap_get_data_large(received, &len, &data, &offset, &total))
		len = 0;
	snprintf(c->text, sizeof(c->text), "%.*s", (int)len, (const char *)data);
	for (char *p = c->text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	c->locpath[0] = '\0';
	coap_option_filter_clear(&f);
	coap_option_filter_set(&f, COAP_OPTION_LOCATION_PATH);
	coap_option_iterator_init(received, &it, &f);
	while ((opt = coap_option_next(&it)) && o + coap_opt_length(opt) + 2 < sizeof(c->locpath))
		o += (size_t)snprintf(c->locpath + o, sizeof(c->locpath) - o, "%s%.*s",
				      o ? "/" : "", (int)coap_opt_length(opt),
				      (const char *)coap_opt_value(opt));
	return COAP_RESPONSE_OK;
}

static void on_nack(coap_session_t *s, const coap_pdu_t *sent, const coap_nack_reason_t reason,
		    const coap_mid_t mid)
{
	struct client *c = coap_get_app_data(coap_session_get_context(s));

	if (c->waiting) {
		c->waiting = false;
		c->code = 0;
		snprintf(c->text, sizeof(c->text), "no response (nack %d)", (int)reason);
	}
}

static int on_event(coap_session_t *s, const coap_event_t event)
{
	if (event == COAP_EVENT_DTLS_ERROR || event == COAP_EVENT_SESSION_FAILED ||
	    event == COAP_EVENT_TCP_FAILED) {
		printf("session-failed event=0x%x\n", (unsigned)event);
		fflush(stdout);
	}
	return 0;
}

/* Send @pdu and wait for its response: the code, or 0 (c->text says why). */
static coap_pdu_code_t ask(struct client *c, coap_pdu_t *pdu)
{
	struct timespec start, now;

	c->waiting = true;
	c->code = 0;
	snprintf(c->text, sizeof(c->text), "no response");
	if (coap_send(c->session, pdu) == COAP_INVALID_MID) {
		snprintf(c->text, sizeof(c->text), "cannot send");
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (c->waiting) {
		coap_io_process(c->ctx, 100);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >
		    WAIT_MS)
			break;
	}
	return c->code;
}

static coap_pdu_t *request(struct client *c, coap_pdu_code_t method)
{
	coap_pdu_t *pdu = coap_new_pdu(COAP_MESSAGE_CON, method, c->session);
	uint8_t token[8];
	size_t tlen;

	if (!pdu)
		abort();
	coap_session_new_token(c->session, &tlen, token);
	coap_add_token(pdu, tlen, token);
	return pdu;
}

static void add_query(coap_pdu_t *pdu, const char *q)
{
	coap_add_option(pdu, COAP_OPTION_URI_QUERY, strlen(q), (const uint8_t *)q);
}

/*
 * A Register: @queries NULL-terminated, @cf the Content-Format (-1 none),
 * @payload the links.  Returns the response code.
 */
static coap_pdu_code_t send_register(struct client *c, const char *const *queries, int cf,
				     const char *payload)
{
	coap_pdu_t *pdu = request(c, COAP_REQUEST_CODE_POST);
	uint8_t buf[4];

	coap_add_option(pdu, COAP_OPTION_URI_PATH, 2, (const uint8_t *)"rd");
	if (cf >= 0)
		coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
				coap_encode_var_safe(buf, sizeof(buf), (unsigned)cf), buf);
	for (; *queries; queries++)
		add_query(pdu, *queries);
	if (payload && *payload)
		coap_add_data(pdu, strlen(payload), (const uint8_t *)payload);
	return ask(c, pdu);
}

static const char *links = "</1/0>,</3/0>,</5/0>";

static int do_register(struct client *c)
{
	char ep[160], lt[32], lwm2m[16], b[16];
	const char *q[] = { ep, lt, lwm2m, b, NULL };
	char code[8];

	snprintf(ep, sizeof(ep), "ep=%s", c->ep);
	snprintf(lt, sizeof(lt), "lt=%d", c->lifetime);
	snprintf(lwm2m, sizeof(lwm2m), "lwm2m=%s", c->version);
	snprintf(b, sizeof(b), "b=%s", c->binding);
	if (!c->binding[0])
		q[3] = NULL;
	send_register(c, q, LWM2M_FORMAT_LINK, links);
	code_text(c->code, code, sizeof(code));
	if (c->code != COAP_RESPONSE_CODE(201)) {
		printf("failed register code=%s text=%s\n", c->code ? code : "none", c->text);
		fflush(stdout);
		return -1;
	}
	snprintf(c->location, sizeof(c->location), "%s", c->locpath);
	printf("registered location=%s code=%s\n", c->location, code);
	fflush(stdout);
	return 0;
}

static void add_location(struct client *c, coap_pdu_t *pdu)
{
	char *save = NULL, loc[64];

	snprintf(loc, sizeof(loc), "%s", c->location);
	for (char *seg = strtok_r(loc, "/", &save); seg; seg = strtok_r(NULL, "/", &save))
		coap_add_option(pdu, COAP_OPTION_URI_PATH, strlen(seg), (const uint8_t *)seg);
}

static void do_update(struct client *c, const char *lt)
{
	coap_pdu_t *pdu = request(c, COAP_REQUEST_CODE_POST);
	char q[32], code[8];

	add_location(c, pdu);
	if (lt && *lt) {
		snprintf(q, sizeof(q), "lt=%s", lt);
		add_query(pdu, q);
	}
	code_text(ask(c, pdu), code, sizeof(code));
	printf("updated code=%s text=%s\n", code, c->text);
	fflush(stdout);
}

static void do_deregister(struct client *c)
{
	coap_pdu_t *pdu = request(c, COAP_REQUEST_CODE_DELETE);
	char code[8];

	add_location(c, pdu);
	code_text(ask(c, pdu), code, sizeof(code));
	printf("deregistered code=%s\n", code);
	fflush(stdout);
}

/* Call @fn on the resource of @path and on those of its prefixes (/3/0/9, /3/0, /3). */
static void for_each_prefix(struct client *c, const char *path,
			    void (*fn)(coap_resource_t *, void *), void *arg)
{
	char p[32];

	snprintf(p, sizeof(p), "%s", path);
	for (;;) {
		coap_resource_t *res =
			coap_get_resource_from_uri_path(c->ctx, coap_make_str_const(p + 1));
		char *slash = strrchr(p, '/');

		if (res)
			fn(res, arg);
		if (!slash || slash == p)
			break;
		*slash = '\0';
	}
}

static void notify(coap_resource_t *res, void *arg)
{
	coap_resource_notify_observers(res, NULL);
}

static void set_mode(coap_resource_t *res, void *arg)
{
	coap_resource_set_mode(res, *(int *)arg);
}

/* A resource of the store gets @text (typed as it is); its observers, and its parents', hear. */
static void do_set(struct client *c, const char *line)
{
	char path[32], text[VALUE_MAX];
	struct res *r = NULL;

	if (sscanf(line, "%31s %1499[^\n]", path, text) != 2) {
		printf("set: PATH VALUE\n");
		return;
	}
	for (size_t i = 0; i < NSTORE; i++)
		if (strcmp(store[i].path, path) == 0)
			r = &store[i];
	if (!r) {
		printf("set: no %s\n", path);
		return;
	}
	if (r->v.type == LWM2M_TYPE_STRING || r->v.type == LWM2M_TYPE_OPAQUE)
		set_string(r, text, strlen(text));
	else if (r->v.type == LWM2M_TYPE_BOOLEAN)
		r->v.v.b = strcmp(text, "true") == 0;
	else
		r->v.v.i = strtoll(text, NULL, 10);
	/* /3/0/9, then /3/0 and /3: each observed path hears of the change */
	for_each_prefix(c, r->path, notify, NULL);
	coap_resource_notify_observers(c->root, NULL);
	printf("set path=%s value=%s\n", r->path, text);
}

/* "notify con" or "notify non": the type of the notifications from now on. */
static void do_notify_mode(struct client *c, const char *mode)
{
	int flags = strcmp(mode, "con") == 0 ? COAP_RESOURCE_FLAGS_NOTIFY_CON
					     : COAP_RESOURCE_FLAGS_NOTIFY_NON;

	for (size_t i = 0; i < NSTORE; i++)
		for_each_prefix(c, store[i].path, set_mode, &flags);
	set_mode(c->root, &flags);
	printf("notify mode=%s\n", flags == COAP_RESOURCE_FLAGS_NOTIFY_CON ? "con" : "non");
}

/* POST /dp with @len bytes in content format @cf; prints "sent code=… text=…". */
static void post_dp(struct client *c, int cf, const uint8_t *data, size_t len)
{
	coap_pdu_t *pdu = request(c, COAP_REQUEST_CODE_POST);
	uint8_t buf[4];
	char code[8];

	coap_add_option(pdu, COAP_OPTION_URI_PATH, 2, (const uint8_t *)"dp");
	coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
			coap_encode_var_safe(buf, sizeof(buf), (unsigned)cf), buf);
	if (len)
		coap_add_data_large_request(c->session, pdu, len, data, NULL, NULL);
	code_text(ask(c, pdu), code, sizeof(code));
	printf("sent code=%s text=%s\n", code, c->text);
}

/* "send FORMAT PATH…": the values under those paths, encoded by lib/lwm2m. */
static void do_send(struct client *c, const char *args)
{
	char copy[256], *save = NULL, *word;
	enum lwm2m_format f = LWM2M_FORMAT_SENML_CBOR;
	struct lwm2m_error err = { 0 };
	struct lwm2m_doc doc;
	struct lwm2m_buf buf;
	int rc = 0;

	snprintf(copy, sizeof(copy), "%s", args);
	word = strtok_r(copy, " ", &save);
	if (!word || lwm2m_format_parse(word, &f) < 0) {
		printf("send: FORMAT PATH...\n");
		return;
	}
	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&buf);
	while (rc == 0 && (word = strtok_r(NULL, " ", &save))) {
		struct lwm2m_path p;

		if (lwm2m_path_parse(word, strlen(word), &p) < 0)
			break;
		for (size_t i = 0; i < NSTORE && rc == 0; i++)
			if (under(&store[i].p, &p))
				rc = lwm2m_doc_add(&doc, &store[i].p, &store[i].v);
	}
	if (rc == 0)
		rc = lwm2m_format_encode(f, &doc, &buf, &err);
	if (rc < 0)
		printf("send: cannot encode: %s\n", err.msg);
	else
		post_dp(c, (int)f, buf.data, buf.len);
	lwm2m_buf_fini(&buf);
	lwm2m_doc_fini(&doc);
}

/* "send-raw CF HEX": those bytes as a Send, for the malformed cases. */
static void do_send_raw(struct client *c, const char *args)
{
	uint8_t data[512];
	size_t n = 0;
	int cf, used = 0;
	unsigned byte;

	if (sscanf(args, "%d %n", &cf, &used) < 1) {
		printf("send-raw: CF HEX\n");
		return;
	}
	for (const char *p = args + used; n < sizeof(data) && sscanf(p, "%2x", &byte) == 1; p += 2)
		data[n++] = (uint8_t)byte;
	post_dp(c, cf, data, n);
}

/* A new session to the server, with the security given on the command line. */
static coap_session_t *open_session(struct client *c)
{
	if (c->psk)
		return coap_new_client_session_psk2(c->ctx, NULL, &c->dst, c->proto, c->psk);
	if (c->pki)
		return coap_new_client_session_pki(c->ctx, NULL, &c->dst, c->proto, c->pki);
	return coap_new_client_session(c->ctx, c->local.size ? &c->local : NULL, &c->dst, c->proto);
}

/*
 * "rebind": go on from a new socket, as after a NAT rebinding (a new
 * source port, and over DTLS a new handshake with the same credentials)
 * or to connect again over TCP.  The old socket closes, and the observers
 * with it.
 */
static void do_rebind(struct client *c)
{
	coap_session_t *old = c->session;

	c->session = open_session(c);
	if (!c->session) {
		c->session = old;
		printf("rebind failed\n");
		return;
	}
	coap_session_release(old);
	printf("rebound\n");
	fflush(stdout);
}

static void command(struct client *c, const char *line)
{
	if (strcmp(line, "rebind") == 0) {
		do_rebind(c);
		return;
	}
	if (strncmp(line, "send ", 5) == 0)
		do_send(c, line + 5);
	else if (strncmp(line, "send-raw ", 9) == 0)
		do_send_raw(c, line + 9);
	else if (strncmp(line, "set ", 4) == 0)
		do_set(c, line + 4);
	else if (strncmp(line, "notify ", 7) == 0)
		do_notify_mode(c, line + 7);
	else if (strncmp(line, "update", 6) == 0)
		do_update(c, line[6] ? line + 7 : NULL);
	else if (strcmp(line, "deregister") == 0)
		do_deregister(c);
	else
		printf("unknown command %s\n", line);
	fflush(stdout);
}

/*
 * Serve requests and stdin commands until "quit" or end of input (stdin
 * is read with read(2): stdio would keep lines poll(2) cannot see).
 */
static void serve(struct client *c)
{
	char buf[4096];
	size_t have = 0;
	struct pollfd pfd = { .fd = 0, .events = POLLIN };

	for (;;) {
		char *nl;
		ssize_t n;

		coap_io_process(c->ctx, 50);
		if (poll(&pfd, 1, 0) <= 0)
			continue;
		n = read(0, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return;
		have += (size_t)n;
		buf[have] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			if (nl > buf && nl[-1] == '\r')
				nl[-1] = '\0';
			if (strcmp(buf, "quit") == 0)
				return;
			command(c, buf);
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1)
			have = 0; /* a line too long: dropped */
	}
}

/* Each malformed Register, its answer; then a good one. */
static int malformed(struct client *c)
{
	static const struct {
		const char *name;
		const char *q[5];
		int cf;
		const char *payload;
	} cases[] = {
		{ "no-ep", { "lt=60", "lwm2m=1.1", NULL }, 40, "</1/0>" },
		{ "bad-lt", { "ep=bad-1", "lt=soon", "lwm2m=1.1", NULL }, 40, "</1/0>" },
		{ "bad-version", { "ep=bad-2", "lwm2m=7.3", NULL }, 40, "</1/0>" },
		{ "bad-binding", { "ep=bad-3", "lwm2m=1.1", "b=XYZ", NULL }, 40, "</1/0>" },
		{ "not-link-format", { "ep=bad-4", "lwm2m=1.1", NULL }, 0, "</1/0>" },
		{ "bad-links", { "ep=bad-5", "lwm2m=1.1", NULL }, 40, "</1/x>,garbage" },
		{ "no-payload", { "ep=bad-6", "lwm2m=1.1", NULL }, 40, "" },
	};
	char code[8];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		send_register(c, cases[i].q, cases[i].cf, cases[i].payload);
		code_text(c->code, code, sizeof(code));
		printf("malformed %s code=%s text=%s\n", cases[i].name, c->code ? code : "none",
		       c->text);
		fflush(stdout);
	}
	return do_register(c);
}

/* The same CON Register @n times, as raw UDP: one MID, one token. */
static int retransmit(const coap_address_t *dst, const char *ep, int n)
{
	uint8_t msg[512], resp[1024];
	size_t o = 0, len;
	unsigned prev = 0;
	const char *opts[] = { "rd", NULL, "lt=300", "lwm2m=1.1", "b=U" };
	const unsigned nums[] = { 11, 15, 15, 15, 15 };
	char epq[160];
	uint16_t mid = (uint16_t)(getpid() & 0xffff);
	int fd = socket(dst->addr.sa.sa_family, SOCK_DGRAM, 0), got = 0;
	struct timeval tv = { 3, 0 };

	snprintf(epq, sizeof(epq), "ep=%s", ep);
	opts[1] = epq;
	msg[o++] = 0x40 | 4; /* version 1, CON, token length 4 */
	msg[o++] = 0x02;     /* POST */
	msg[o++] = (uint8_t)(mid >> 8);
	msg[o++] = (uint8_t)mid;
	memcpy(msg + o, "\x5a\xa5\x01\x02", 4);
	o += 4;
	for (size_t i = 0; i < 5; i++) {
		size_t l = strlen(opts[i]);
		unsigned delta = nums[i] - prev;

		prev = nums[i];
		/* deltas and lengths here stay below 13, except ep= (13..268) */
		if (l < 13) {
			msg[o++] = (uint8_t)(delta << 4 | l);
		} else {
			msg[o++] = (uint8_t)(delta << 4 | 13);
			msg[o++] = (uint8_t)(l - 13);
		}
		memcpy(msg + o, opts[i], l);
		o += l;
	}
	msg[o++] = 0xff;
	len = strlen("</1/0>,</3/0>");
	memcpy(msg + o, "</1/0>,</3/0>", len);
	o += len;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, &dst->addr.sa, dst->size) < 0) {
		perror("connect");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		ssize_t r;

		if (send(fd, msg, o, 0) < 0)
			perror("send");
		r = recv(fd, resp, sizeof(resp), 0);
		if (r <= 0)
			continue;
		got++;
		printf("response %d bytes=", i);
		for (ssize_t k = 0; k < r; k++)
			printf("%02x", resp[k]);
		printf("\n");
		fflush(stdout);
	}
	close(fd);
	return got == n ? 0 : 1;
}

static int resolve(const coap_uri_t *uri, coap_address_t *dst)
{
	char host[128];
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM }, *ai;

	snprintf(host, sizeof(host), "%.*s", (int)uri->host.length, (const char *)uri->host.s);
	if (getaddrinfo(host, NULL, &hints, &ai) != 0)
		return -1;
	coap_address_init(dst);
	memcpy(&dst->addr, ai->ai_addr, ai->ai_addrlen);
	dst->size = ai->ai_addrlen;
	coap_address_set_port(dst, uri->port);
	freeaddrinfo(ai);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: lwgate-lwm2m-testclient [--ep NAME] [--lifetime S] [--binding B]\n"
			"  [--lwm2m 1.1] [--objects DIR] [--psk-id ID --psk-key KEY]\n"
			"  [--cert PEM --key PEM --ca PEM] [--no-answer PATH] [--no-composite]\n"
			"  [--mtu BYTES] [--local-port P]\n"
			"  [--malformed | --retransmit N] URI\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ep", required_argument, NULL, 'e' },
		{ "lifetime", required_argument, NULL, 'l' },
		{ "binding", required_argument, NULL, 'b' },
		{ "lwm2m", required_argument, NULL, 'v' },
		{ "objects", required_argument, NULL, 'o' },
		{ "psk-id", required_argument, NULL, 'u' },
		{ "psk-key", required_argument, NULL, 'k' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "ca", required_argument, NULL, 'A' },
		{ "malformed", no_argument, NULL, 'm' },
		{ "retransmit", required_argument, NULL, 'r' },
		{ "no-answer", required_argument, NULL, 'n' },
		{ "no-composite", no_argument, NULL, 'N' },
		{ "mtu", required_argument, NULL, 'M' },
		{ "local-port", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct client c = { .ep = "testclient", .binding = "", .version = "1.1", .lifetime = 300 };
	const char *psk_id = NULL, *psk_key = NULL, *cert = NULL, *key = NULL, *ca = NULL;
	const char *objects = NULL;
	bool bad = false, composite = true;
	coap_dtls_cpsk_t psk = { .version = COAP_DTLS_CPSK_SETUP_VERSION };
	coap_dtls_pki_t pki = { .version = COAP_DTLS_PKI_SETUP_VERSION };
	int retrans = 0, mtu = 0, local_port = 0, opt, rc;
	coap_uri_t uri;
	coap_address_t dst;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			c.ep = optarg;
			break;
		case 'l':
			c.lifetime = atoi(optarg);
			break;
		case 'b':
			c.binding = optarg;
			break;
		case 'v':
			c.version = optarg;
			break;
		case 'o':
			objects = optarg;
			break;
		case 'u':
			psk_id = optarg;
			break;
		case 'k':
			psk_key = optarg;
			break;
		case 'C':
			cert = optarg;
			break;
		case 'K':
			key = optarg;
			break;
		case 'A':
			ca = optarg;
			break;
		case 'm':
			bad = true;
			break;
		case 'r':
			retrans = atoi(optarg);
			break;
		case 'n':
			no_answer = optarg;
			break;
		case 'N':
			composite = false;
			break;
		case 'M':
			mtu = atoi(optarg);
			break;
		case 'L':
			local_port = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	coap_startup();
	coap_set_log_level(LOG_WARNING);
	if (coap_split_uri((const uint8_t *)argv[optind], strlen(argv[optind]), &uri) < 0 ||
	    resolve(&uri, &dst) < 0) {
		fprintf(stderr, "%s: not a CoAP URI with a numeric host\n", argv[optind]);
		return 2;
	}
	if (retrans)
		return retransmit(&dst, c.ep, retrans);
	c.dst = dst;
	coap_address_init(&c.local);
	if (local_port > 0 && local_port < 65536) {
		/* the server's family, any address: the kernel picks the one towards it */
		c.local.addr.sa.sa_family = dst.addr.sa.sa_family;
		c.local.size = dst.size;
		if (dst.addr.sa.sa_family == AF_INET6)
			c.local.addr.sin6.sin6_port = htons((uint16_t)local_port);
		else
			c.local.addr.sin.sin_port = htons((uint16_t)local_port);
	}
	c.proto = uri.scheme == COAP_URI_SCHEME_COAPS       ? COAP_PROTO_DTLS
		  : uri.scheme == COAP_URI_SCHEME_COAP_TCP  ? COAP_PROTO_TCP
		  : uri.scheme == COAP_URI_SCHEME_COAPS_TCP ? COAP_PROTO_TLS
							    : COAP_PROTO_UDP;
	store_init();
	c.reg = lwm2m_registry_new();
	if (objects && lwm2m_registry_load_dir(c.reg, objects, NULL, NULL) < 0)
		fprintf(stderr, "warning: no object definitions from %s\n", objects);
	c.ctx = coap_new_context(NULL);
	coap_set_app_data(c.ctx, &c);
	coap_context_set_block_mode(c.ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
	coap_register_response_handler(c.ctx, on_response);
	coap_register_nack_handler(c.ctx, on_nack);
	coap_register_event_handler(c.ctx, on_event);
	add_resources(c.ctx);
	c.root = add_root(c.ctx, composite);
	if (psk_id) {
		psk.psk_info.identity.s = (const uint8_t *)psk_id;
		psk.psk_info.identity.length = strlen(psk_id);
		psk.psk_info.key.s = (const uint8_t *)(psk_key ? psk_key : "");
		psk.psk_info.key.length = psk_key ? strlen(psk_key) : 0;
		c.psk = &psk;
	} else if (cert) {
		pki.version = COAP_DTLS_PKI_SETUP_VERSION;
		pki.verify_peer_cert = ca != NULL;
		pki.check_common_ca = ca != NULL;
		pki.pki_key.key_type = COAP_PKI_KEY_PEM;
		pki.pki_key.key.pem.ca_file = ca;
		pki.pki_key.key.pem.public_cert = cert;
		pki.pki_key.key.pem.private_key = key ? key : cert;
		c.pki = &pki;
	}
	c.session = open_session(&c);
	if (!c.session) {
		printf("failed session\n");
		return 1;
	}
	if (mtu)
		coap_session_set_mtu(c.session, (unsigned)mtu);
	rc = bad ? malformed(&c) : do_register(&c);
	if (rc == 0 && !bad)
		serve(&c);
	coap_session_release(c.session);
	coap_free_context(c.ctx);
	lwm2m_registry_free(c.reg);
	coap_cleanup();
	return rc == 0 ? 0 : 1;
}
