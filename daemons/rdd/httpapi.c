#include "httpapi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/httpneg.h"

enum { AS_LINK, AS_JSON, AS_HTML, AS_ATOM };

static const char *const ep_types[] = { "application/link-format", "application/json", "text/html",
					"application/atom+xml", NULL };
static const char *const res_types[] = { "application/link-format", "application/json", "text/html",
					 NULL };

/*
 * The query's items, percent-decoded as RFC 8075 §5.4 maps an HTTP query to
 * Uri-Query options: the first of each filter rdd's command names goes as
 * that argument (any byte allowed), the others in its "q" text, joined by
 * '&' (so there a decoded '&' cannot be told apart and is refused).
 */
static int build_lookup(const char *cmd, const char *const *named, const struct http_request *req,
			struct httpbridge_call *call, char *why, size_t size)
{
	char name[64], value[HTTPROUTE_MAX_VALUE], *q = NULL;
	size_t qlen = 0;
	bool has_value;
	const char *cur = req->query;
	int rc;
	call->cmd = cmd;
	call->args = json_object();
	FILE *f = open_memstream(&q, &qlen);
	if (!f)
		abort();
	while ((rc = http_query_next(&cur, name, sizeof(name), value, sizeof(value), &has_value)) >
	       0) {
		bool is_named = false;
		for (const char *const *k = named; *k; k++)
			is_named |= strcmp(*k, name) == 0;
		json_t *v = json_string(value), *n = json_string(name); /* NULL: not UTF-8 */
		json_decref(n);
		if (!v || !n) {
			rc = -EBADMSG;
			json_decref(v);
			break;
		}
		if (is_named && has_value && !json_object_get(call->args, name)) {
			json_object_set_new(call->args, name, v);
			continue;
		}
		json_decref(v);
		if (strchr(name, '&') || strchr(value, '&')) {
			rc = -EBADMSG;
			break;
		}
		fprintf(f, "%s%s%s%s", ftell(f) > 0 ? "&" : "", name, has_value ? "=" : "", value);
	}
	fclose(f);
	if (rc == 0 && qlen)
		json_object_set_new(call->args, "q", json_string(q));
	free(q);
	if (rc < 0) {
		snprintf(why, size,
			 "bad lookup query: not UTF-8, a bad %%-escape, a decoded '&' "
			 "or a filter too long");
		return 400;
	}
	return 0;
}

static int build_ep(const struct httproute_match *m, const struct http_request *req,
		    struct httpbridge_call *call, char *why, size_t size)
{
	static const char *const named[] = { "ep", "d", "et", "rt", NULL };
	return build_lookup("endpoints", named, req, call, why, size);
}

static int build_res(const struct httproute_match *m, const struct http_request *req,
		     struct httpbridge_call *call, char *why, size_t size)
{
	static const char *const named[] = { "ep", "d", "et", "rt", "if", "href", NULL };
	return build_lookup("resources", named, req, call, why, size);
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void rfc3339(FILE *f, time_t t)
{
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs(buf, f);
}

/* When the registration was last refreshed: its lifetime restarts then. */
static time_t refreshed(json_t *rec, time_t now)
{
	json_int_t lt = json_integer_value(json_object_get(rec, "lt"));
	json_int_t left = json_integer_value(json_object_get(rec, "expires_in"));
	return now - (time_t)(lt - left);
}

static void ep_link(FILE *f, json_t *rec)
{
	fprintf(f, "<%s>;ep=\"", str(rec, "location"));
	httpneg_quoted(f, str(rec, "ep"));
	if (*str(rec, "d")) {
		fputs("\";d=\"", f);
		httpneg_quoted(f, str(rec, "d"));
	}
	fputs("\";base=\"", f);
	httpneg_quoted(f, str(rec, "base"));
	fputc('"', f);
	if (*str(rec, "et")) {
		fputs(";et=\"", f);
		httpneg_quoted(f, str(rec, "et"));
		fputc('"', f);
	}
	fprintf(f, ";lt=%lld", (long long)json_integer_value(json_object_get(rec, "lt")));
}

/* @prefix then @value percent-encoded as a query value (RFC 3986 unreserved kept). */
static void pct_query(char *out, size_t size, const char *prefix, const char *value)
{
	size_t n = (size_t)snprintf(out, size, "%s", prefix);
	for (const unsigned char *p = (const unsigned char *)value; *p && n + 4 < size; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			out[n++] = (char)*p;
		else
			n += (size_t)snprintf(out + n, size - n, "%%%02X", *p);
	}
	out[n < size ? n : size - 1] = '\0';
}

static void html_head(FILE *f, const char *title, const char *const *cols)
{
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>%s</title></head>\n<body><h1>%s</h1>\n<table>\n<tr>",
		title, title);
	for (; *cols; cols++)
		fprintf(f, "<th>%s</th>", *cols);
	fputs("</tr>\n", f);
}

static void html_cell(FILE *f, const char *text, const char *href)
{
	fputs("<td>", f);
	if (href) {
		fputs("<a href=\"", f);
		httpneg_xml_escape(f, href);
		fputs("\">", f);
	}
	httpneg_xml_escape(f, text);
	fputs(href ? "</a></td>" : "</td>", f);
}

static void ep_html(FILE *f, json_t *list)
{
	static const char *const cols[] = { "endpoint",     "sector",         "base",  "type",
					    "lifetime (s)", "expires in (s)", "links", NULL };
	size_t i;
	json_t *rec;
	html_head(f, "Registered endpoints", cols);
	json_array_foreach (list, i, rec) {
		char res[1024], n[3][24];
		pct_query(res, sizeof(res), "/rd-lookup/res?ep=", str(rec, "ep"));
		snprintf(n[0], sizeof(n[0]), "%lld",
			 (long long)json_integer_value(json_object_get(rec, "lt")));
		snprintf(n[1], sizeof(n[1]), "%lld",
			 (long long)json_integer_value(json_object_get(rec, "expires_in")));
		snprintf(n[2], sizeof(n[2]), "%lld",
			 (long long)json_integer_value(json_object_get(rec, "links")));
		fputs("<tr>", f);
		html_cell(f, str(rec, "ep"), res);
		html_cell(f, str(rec, "d"), NULL);
		html_cell(f, str(rec, "base"), str(rec, "base"));
		html_cell(f, str(rec, "et"), NULL);
		html_cell(f, n[0], NULL);
		html_cell(f, n[1], NULL);
		html_cell(f, n[2], NULL);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n</body></html>\n", f);
}

static void res_html(FILE *f, json_t *list)
{
	static const char *const cols[] = { "endpoint", "sector", "resource", "link", NULL };
	size_t i;
	json_t *rec;
	html_head(f, "Registered resources", cols);
	json_array_foreach (list, i, rec) {
		char ep[1024];
		pct_query(ep, sizeof(ep), "/rd-lookup/ep?ep=", str(rec, "ep"));
		fputs("<tr>", f);
		html_cell(f, str(rec, "ep"), ep);
		html_cell(f, str(rec, "d"), NULL);
		html_cell(f, str(rec, "href"), str(rec, "href"));
		html_cell(f, str(rec, "link"), NULL);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n</body></html>\n", f);
}

/* RFC 4287: one entry per registration, updated when it was last refreshed. */
static void ep_atom(FILE *f, json_t *list)
{
	time_t now = time(NULL), newest = 0;
	size_t i;
	json_t *rec;
	json_array_foreach (list, i, rec)
		if (refreshed(rec, now) > newest)
			newest = refreshed(rec, now);
	fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	      "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	      "<id>tag:lwgate,2026:rd-lookup/ep</id>\n<title>Registered endpoints</title>\n"
	      "<author><name>lwgate rdd</name></author>\n<updated>",
	      f);
	rfc3339(f, newest ? newest : now);
	fputs("</updated>\n<link rel=\"self\" href=\"/rd-lookup/ep\"/>\n", f);
	json_array_foreach (list, i, rec) {
		fputs("<entry>\n<id>tag:lwgate,2026:rd", f);
		httpneg_xml_escape(f, str(rec, "location"));
		fputs("</id>\n<title>", f);
		httpneg_xml_escape(f, str(rec, "ep"));
		fputs("</title>\n<updated>", f);
		rfc3339(f, refreshed(rec, now));
		fputs("</updated>\n<link href=\"", f);
		httpneg_xml_escape(f, str(rec, "base"));
		fputs("\"/>\n<content type=\"text\">", f);
		fputs("d=", f);
		httpneg_xml_escape(f, str(rec, "d"));
		fputs(" et=", f);
		httpneg_xml_escape(f, str(rec, "et"));
		fprintf(f, " lt=%lld links=%lld",
			(long long)json_integer_value(json_object_get(rec, "lt")),
			(long long)json_integer_value(json_object_get(rec, "links")));
		fputs("</content>\n</entry>\n", f);
	}
	fputs("</feed>\n", f);
}

static int render(const struct http_request *req, json_t *result, bool ep, char **body, size_t *len,
		  const char **ctype)
{
	const char *const *types = ep ? ep_types : res_types;
	int as = httpneg_choose(http_request_header(req, "accept"), types);
	if (as < 0)
		return 406;
	if (!json_is_array(result))
		return 500;
	*ctype = as == AS_HTML ? "text/html; charset=utf-8" : types[as];
	FILE *f = open_memstream(body, len);
	if (!f)
		abort();
	size_t i;
	json_t *rec;
	switch (as) {
	case AS_LINK:
		json_array_foreach (result, i, rec) {
			if (i)
				fputc(',', f);
			if (ep)
				ep_link(f, rec);
			else
				fputs(str(rec, "link"), f);
		}
		break;
	case AS_JSON: {
		char *s = json_dumps(result, JSON_COMPACT);
		fputs(s, f);
		free(s);
		break;
	}
	case AS_HTML:
		(ep ? ep_html : res_html)(f, result);
		break;
	default:
		ep_atom(f, result);
	}
	fclose(f);
	return 0;
}

static int render_ep(const struct http_request *req, json_t *result, char **body, size_t *len,
		     const char **ctype)
{
	return render(req, result, true, body, len, ctype);
}

static int render_res(const struct http_request *req, json_t *result, char **body, size_t *len,
		      const char **ctype)
{
	return render(req, result, false, body, len, ctype);
}

/* GET /api/topics/{name}: the one topic the list command finds, as an object. */
static int render_topic(const struct http_request *req, json_t *result, char **body, size_t *len,
			const char **ctype)
{
	json_t *one = json_is_array(result) ? json_array_get(result, 0) : result;
	if (!json_is_object(one))
		return 500;
	*body = json_dumps(one, JSON_COMPACT);
	*len = strlen(*body);
	*ctype = "application/json";
	return 0;
}

const struct httpbridge_route rdd_httpapi_routes[] = {
	{ "GET", "/rd-lookup/ep", false, NULL, build_ep, render_ep, .list = true },
	{ "GET", "/rd-lookup/res", false, NULL, build_res, render_res, .list = true },
	{ "GET", "/api/topics", false, "topics", NULL, NULL, .list = true },
	{ "GET", "/api/topics/{name}", false, "topics", NULL, render_topic, .list = true },
	/* the current value (when the topic has one), then each publication on the topic */
	{ "GET", "/api/topics/{name}/data", false, "topics", NULL, NULL, .list = true,
	  .stream_event = "ps.published", .stream_field = "name", .stream_first = "value" },
	{ "GET", "/api/status", false, "status", NULL, NULL },
	{ NULL },
};

int rdd_httpapi_new(struct event_base *base, const struct httpconf *conf, const char *socket,
		    struct httpbridge **out)
{
	*out = NULL;
	if (!conf->enabled)
		return 0;
	struct httpbridge_config cfg;
	httpconf_bridge(conf, socket, &cfg);
	cfg.events_path = "/api/event";
	cfg.events_filter = "ep";
	cfg.events_field = "ep";
	return httpbridge_new(base, &cfg, rdd_httpapi_routes, out);
}
