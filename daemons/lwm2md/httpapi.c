#include "httpapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "/3/0/1" from the captured "3/0/1"; the command checks it is a LwM2M path. */
static json_t *ep_path_args(const struct httproute_match *m)
{
	char path[HTTPROUTE_MAX_VALUE + 1];
	snprintf(path, sizeof(path), "/%s", httproute_get(m, "path"));
	return json_pack("{s:s, s:s}", "ep", httproute_get(m, "ep"), "path", path);
}

static size_t path_depth(const struct httproute_match *m)
{
	size_t n = 1;
	for (const char *p = httproute_get(m, "path"); *p; p++)
		n += *p == '/';
	return n;
}

static const char *const q_format[] = { "format", NULL };
static const char *const q_mode[] = { "mode", NULL };

/* Command @cmd on the route's ep and path, with the query parameters @q as arguments. */
static int path_query(const char *cmd, const char *const *q, const struct httproute_match *m,
		      const struct http_request *req, struct httpbridge_call *call, char *why,
		      size_t size)
{
	call->cmd = cmd;
	call->args = ep_path_args(m);
	return httpbridge_query_args(req, q, call->args, why, size);
}

/* The body {"values": {path: value, …}} into @args' "values", then ?format=. */
static int values_args(const struct http_request *req, json_t *args, char *why, size_t size)
{
	json_t *body;
	int rc = httpbridge_body_json(req, &body, why, size);
	if (rc)
		return rc;
	json_t *values = json_object_get(body, "values");
	if (!json_is_object(values)) {
		json_decref(body);
		snprintf(why, size, "the body is {\"values\": {path: value, …}}");
		return 400;
	}
	json_object_set(args, "values", values);
	json_decref(body);
	return httpbridge_query_args(req, q_format, args, why, size);
}

static int build_read(const struct httproute_match *m, const struct http_request *req,
		      struct httpbridge_call *call, char *why, size_t size)
{
	return path_query("read", q_format, m, req, call, why, size);
}

static int build_simple(const char *cmd, const struct httproute_match *m,
			struct httpbridge_call *call)
{
	call->cmd = cmd;
	call->args = ep_path_args(m);
	return 0;
}

static int build_discover(const struct httproute_match *m, const struct http_request *req,
			  struct httpbridge_call *call, char *why, size_t size)
{
	return build_simple("discover", m, call);
}

static int build_delete(const struct httproute_match *m, const struct http_request *req,
			struct httpbridge_call *call, char *why, size_t size)
{
	return build_simple("delete", m, call);
}

/* PUT …/attributes?pmin=10&pmax=60: Write-Attributes from the query. */
static int build_attributes(const struct httproute_match *m, const struct http_request *req,
			    struct httpbridge_call *call, char *why, size_t size)
{
	static const char *const q[] = { "pmin", "pmax", "gt", "lt", "st", "epmin", "epmax", NULL };
	return path_query("write-attr", q, m, req, call, why, size);
}

/*
 * PUT {"value": v} writes one resource, {"values": {"/3/0/14": v, …}}
 * several; ?replace=false makes it a partial update (POST on the wire).
 */
static int build_write(const struct httproute_match *m, const struct http_request *req,
		       struct httpbridge_call *call, char *why, size_t size)
{
	json_t *body;
	int rc = httpbridge_body_json(req, &body, why, size);
	if (rc)
		return rc;
	call->cmd = "write";
	call->args = ep_path_args(m);
	json_t *value = json_object_get(body, "value"), *values = json_object_get(body, "values");
	if (!json_is_object(body) || !value == !values) {
		json_decref(body);
		snprintf(why, size, "the body is {\"value\": …} or {\"values\": {path: value, …}}");
		return 400;
	}
	json_object_set(call->args, value ? "value" : "values", value ? value : values);
	json_decref(body);
	char replace[8];
	if (http_query_param(req->query, "replace", replace, sizeof(replace)) == 0) {
		if (strcmp(replace, "true") && strcmp(replace, "false")) {
			snprintf(why, size, "replace= is true or false");
			return 400;
		}
		json_object_set_new(
			call->args, "mode",
			json_string(strcmp(replace, "true") == 0 ? "replace" : "update"));
	}
	return httpbridge_query_args(req, q_format, call->args, why, size);
}

/*
 * POST on a resource executes it (a text/plain body is its arguments); on
 * an object it creates an instance from {"values": {…}}.
 */
static int build_post(const struct httproute_match *m, const struct http_request *req,
		      struct httpbridge_call *call, char *why, size_t size)
{
	call->args = ep_path_args(m);
	if (path_depth(m) == 3) {
		call->cmd = "exec";
		if (!req->body_len)
			return 0;
		json_t *args = json_stringn((const char *)req->body, req->body_len);
		if (!args) {
			snprintf(why, size, "Execute arguments are text (UTF-8)");
			return 400;
		}
		json_object_set_new(call->args, "args", args);
		return 0;
	}
	call->cmd = "create";
	return values_args(req, call->args, why, size);
}

/* POST …/observe starts an observation (?format=), DELETE …/observe cancels it (?mode=). */
static int build_observe(const struct httproute_match *m, const struct http_request *req,
			 struct httpbridge_call *call, char *why, size_t size)
{
	return path_query("observe", q_format, m, req, call, why, size);
}

static int build_cancel(const struct httproute_match *m, const struct http_request *req,
			struct httpbridge_call *call, char *why, size_t size)
{
	return path_query("cancel", q_mode, m, req, call, why, size);
}

/*
 * The composite routes (Leshan's shape): ?paths=/3/0/9,/1/0/1 names the
 * paths of a Read- or Observe-Composite, or of the composite observation
 * a DELETE cancels; the command checks each path.
 */
static int composite_args(const struct httproute_match *m, const struct http_request *req,
			  const char *const *q, struct httpbridge_call *call, char *why,
			  size_t size)
{
	char paths[HTTPROUTE_MAX_VALUE];
	int rc = http_query_param(req->query, "paths", paths, sizeof(paths));
	json_t *p = rc == 0 ? json_string(paths) : NULL; /* NULL too when not UTF-8 */
	if (!p) {
		snprintf(why, size, "?paths=/O/I/R,… names the paths (UTF-8, comma-separated)");
		return 400;
	}
	call->args = json_pack("{s:s, s:o}", "ep", httproute_get(m, "ep"),
			       strcmp(call->cmd, "cancel") == 0 ? "path" : "paths", p);
	return httpbridge_query_args(req, q, call->args, why, size);
}

static int build_read_composite(const struct httproute_match *m, const struct http_request *req,
				struct httpbridge_call *call, char *why, size_t size)
{
	call->cmd = "read-composite";
	return composite_args(m, req, q_format, call, why, size);
}

static int build_observe_composite(const struct httproute_match *m, const struct http_request *req,
				   struct httpbridge_call *call, char *why, size_t size)
{
	call->cmd = "observe-composite";
	return composite_args(m, req, q_format, call, why, size);
}

static int build_cancel_composite(const struct httproute_match *m, const struct http_request *req,
				  struct httpbridge_call *call, char *why, size_t size)
{
	call->cmd = "cancel";
	return composite_args(m, req, q_mode, call, why, size);
}

/* PUT …/composite {"values": {"/3/0/14": v, "/1/0/1": 120}}: Write-Composite (iPATCH). */
static int build_write_composite(const struct httproute_match *m, const struct http_request *req,
				 struct httpbridge_call *call, char *why, size_t size)
{
	call->cmd = "write-composite";
	call->args = json_pack("{s:s}", "ep", httproute_get(m, "ep"));
	return values_args(req, call->args, why, size);
}

/* GET …/values[?path=/3/0]: the last known values, all or under one path. */
static int build_values(const struct httproute_match *m, const struct http_request *req,
			struct httpbridge_call *call, char *why, size_t size)
{
	static const char *const q[] = { "path", NULL };
	call->cmd = "values";
	call->args = json_pack("{s:s}", "ep", httproute_get(m, "ep"));
	return httpbridge_query_args(req, q, call->args, why, size);
}

/* GET /api/ops/{id}: the control command takes the id as a number. */
static int build_op(const struct httproute_match *m, const struct http_request *req,
		    struct httpbridge_call *call, char *why, size_t size)
{
	char *end;
	long long id = strtoll(httproute_get(m, "id"), &end, 10);
	if (*end || id < 0) {
		snprintf(why, size, "an operation id is a number");
		return 400;
	}
	call->cmd = "op";
	call->args = json_pack("{s:I}", "id", (json_int_t)id);
	return 0;
}

/* PUT /api/credentials/{ep} {"key": "HEX", "identity": "…"}: a DTLS PSK. */
static int build_cred_add(const struct httproute_match *m, const struct http_request *req,
			  struct httpbridge_call *call, char *why, size_t size)
{
	json_t *body;
	int rc = httpbridge_body_json(req, &body, why, size);
	if (rc)
		return rc;
	if (!json_is_object(body)) {
		json_decref(body);
		snprintf(why, size, "the body is {\"key\": \"HEX\", \"identity\": …}");
		return 400;
	}
	/* the command checks every member: unknown ones are refused there */
	json_object_set_new(body, "ep", json_string(httproute_get(m, "ep")));
	call->cmd = "cred-add";
	call->args = body;
	return 0;
}

const struct httpbridge_route httpapi_routes[] = {
	{ "GET", "/api/status", false, "status", NULL },
	{ "GET", "/api/clients", false, "clients", NULL, .list = true },
	{ "GET", "/api/clients/{ep}", false, "show", NULL },
	{ "DELETE", "/api/clients/{ep}", true, "remove", NULL },
	{ "GET", "/api/clients/{ep}/observations", false, "observations", NULL, .list = true },
	{ "GET", "/api/clients/{ep}/values", false, NULL, build_values, .list = true },
	{ "GET", "/api/clients/{ep}/ops", false, "ops", NULL, .list = true },
	{ "GET", "/api/ops/{id}", false, NULL, build_op },
	/* before the {path*} routes: "composite" is no LwM2M path, but {path*} would take it */
	{ "GET", "/api/clients/{ep}/composite", false, NULL, build_read_composite },
	{ "PUT", "/api/clients/{ep}/composite", true, NULL, build_write_composite },
	{ "POST", "/api/clients/{ep}/composite/observe", true, NULL, build_observe_composite },
	{ "DELETE", "/api/clients/{ep}/composite/observe", true, NULL, build_cancel_composite },
	{ "POST", "/api/clients/{ep}/{path*}/observe", true, NULL, build_observe },
	{ "DELETE", "/api/clients/{ep}/{path*}/observe", true, NULL, build_cancel },
	{ "GET", "/api/clients/{ep}/{path*}/discover", false, NULL, build_discover },
	{ "PUT", "/api/clients/{ep}/{path*}/attributes", true, NULL, build_attributes },
	{ "GET", "/api/clients/{ep}/{path*}", false, NULL, build_read },
	{ "PUT", "/api/clients/{ep}/{path*}", true, NULL, build_write },
	{ "POST", "/api/clients/{ep}/{path*}", true, NULL, build_post },
	{ "DELETE", "/api/clients/{ep}/{path*}", true, NULL, build_delete },
	{ "GET", "/api/credentials", false, "cred-list", NULL, .list = true },
	{ "PUT", "/api/credentials/{ep}", true, NULL, build_cred_add },
	{ "DELETE", "/api/credentials/{ep}", true, "cred-del", NULL },
	{ NULL },
};

int httpapi_new(struct event_base *base, const struct httpconf *conf, const char *socket,
		struct httpbridge **out)
{
	*out = NULL;
	if (!conf->enabled)
		return 0;
	struct httpbridge_config cfg;
	httpconf_bridge(conf, socket, &cfg);
	cfg.events_path = "/api/event";
	cfg.events_filter = "ep";
	cfg.events_field = "endpoint";
	return httpbridge_new(base, &cfg, httpapi_routes, out);
}
