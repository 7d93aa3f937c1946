/*
 * h2map — binding H's messages to CoAP and back.
 */
#include "h2map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Content-Format (and Accept, as @opt) from media type @type; NULL or "*" adds none. */
static int add_format(struct httpcoap_msg *m, uint16_t opt, const char *type)
{
	int cf;

	if (!type || !*type || strncmp(type, "*/*", 3) == 0)
		return 0;
	cf = httpcoap_content_format(type);
	if (cf < 0)
		return -EPROTO;
	return httpcoap_add_uint(m, opt, (uint32_t)cf) < 0 ? -EMSGSIZE : 0;
}

int h2map_request(const struct http_request *req, const uint8_t *token, size_t tlen, uint16_t mid,
		  struct httpcoap_msg *out)
{
	int method = httpcoap_method_code(req->method), rc;

	httpcoap_msg_init(out);
	if (method < 0)
		return -ENOTSUP;
	if (tlen > HTTPCOAP_TOKEN_MAX)
		return -EBADMSG;
	if (req->body_len > H2MAP_MAX_PAYLOAD)
		return -EMSGSIZE;
	out->type = HTTPCOAP_CON;
	out->code = (uint8_t)method;
	out->mid = mid;
	if (tlen)
		memcpy(out->token, token, tlen);
	out->token_len = tlen;
	rc = httpcoap_add_target(out, req->path, req->query);
	if (rc < 0)
		return rc == -EBADMSG ? -EBADMSG : -EMSGSIZE;
	if (req->body_len && (rc = add_format(out, HTTPCOAP_OPT_CONTENT_FORMAT,
					      http_request_header(req, "content-type"))) < 0)
		return rc;
	/* an Accept the server cannot honour is left to it: a CoAP Accept it does not know */
	if ((rc = add_format(out, HTTPCOAP_OPT_ACCEPT, http_request_header(req, "accept"))) < 0)
		return rc;
	out->payload = req->body;
	out->payload_len = req->body_len;
	return 0;
}

int h2map_response(const struct httpcoap_msg *resp, struct h2map_answer *a)
{
	long cf = httpcoap_uint(resp, HTTPCOAP_OPT_CONTENT_FORMAT);

	memset(a, 0, sizeof(*a));
	if (!httpcoap_is_response(resp))
		return -EINVAL;
	a->status = httpcoap_http_status(resp->code, resp->payload_len > 0);
	a->body = resp->payload;
	a->body_len = resp->payload_len;
	if (resp->payload_len) {
		/* a CoAP error's diagnostic payload is text (RFC 7252 §5.5.2) */
		a->content_type = cf >= 0 ? httpcoap_media_type((int)cf) : NULL;
		if (!a->content_type)
			a->content_type =
				cf >= 0 ? "application/octet-stream" : "text/plain; charset=utf-8";
	}
	if ((httpcoap_find(resp, HTTPCOAP_OPT_LOCATION_PATH) ||
	     httpcoap_find(resp, HTTPCOAP_OPT_LOCATION_QUERY)) &&
	    httpcoap_target(resp, HTTPCOAP_OPT_LOCATION_PATH, HTTPCOAP_OPT_LOCATION_QUERY,
			    a->location, sizeof(a->location)) < 0)
		a->location[0] = '\0';
	return 0;
}

/* Add a field to @f (at most @max) unless full; values are short here. */
static void field(struct httppipe_field *f, size_t *n, size_t max, const char *name,
		  const char *value)
{
	if (*n == max)
		return;
	snprintf(f[*n].name, sizeof(f[*n].name), "%s", name);
	snprintf(f[*n].value, sizeof(f[*n].value), "%s", value);
	(*n)++;
}

/*
 * The media type of format option @opt of @m, or NULL when absent or not
 * in httpcoap's table (every LwM2M format is; another has no HTTP name).
 */
static const char *format_of(const struct httpcoap_msg *m, uint16_t opt)
{
	long cf = httpcoap_uint(m, opt);

	return cf < 0 ? NULL : httpcoap_media_type((int)cf);
}

int h2map_downlink(const struct httpcoap_msg *req, uint8_t *out, size_t size)
{
	struct httppipe_field f[5];
	char target[1024], hex[2 * HTTPCOAP_TOKEN_MAX + 1], num[16];
	const char *method = httpcoap_method_name(req->code), *t;
	size_t n = 0;
	long obs = httpcoap_uint(req, HTTPCOAP_OPT_OBSERVE);

	if (!method || req->type > HTTPCOAP_NON)
		return -ENOTSUP;
	if (httpcoap_target(req, HTTPCOAP_OPT_URI_PATH, HTTPCOAP_OPT_URI_QUERY, target,
			    sizeof(target)) < 0)
		return -EMSGSIZE;
	httpcoap_token_hex(req->token, req->token_len, hex);
	if (req->token_len)
		field(f, &n, 5, "Lwm2m-Token", hex);
	if (obs >= 0) {
		snprintf(num, sizeof(num), "%ld", obs);
		field(f, &n, 5, "Lwm2m-Observe", num);
	}
	if ((t = format_of(req, HTTPCOAP_OPT_ACCEPT)))
		field(f, &n, 5, "Accept", t);
	if (req->payload_len && (t = format_of(req, HTTPCOAP_OPT_CONTENT_FORMAT)))
		field(f, &n, 5, "Content-Type", t);
	return httppipe_write_request(method, target, f, n, req->payload, req->payload_len, out,
				      size);
}

/* The Location field of an answer as Location-Path and Location-Query options. */
static int add_location(struct httpcoap_msg *out, const char *loc)
{
	struct httpcoap_msg tmp;
	char path[H2MAP_LOCATION_MAX];
	const char *q = strchr(loc, '?');
	size_t plen = q ? (size_t)(q - loc) : strlen(loc);

	if (plen >= sizeof(path))
		return -EBADMSG;
	memcpy(path, loc, plen);
	path[plen] = '\0';
	httpcoap_msg_init(&tmp);
	if (httpcoap_add_target(&tmp, path, q ? q + 1 : NULL) < 0)
		return -EBADMSG;
	for (size_t i = 0; i < tmp.n_opt; i++) {
		uint16_t num = tmp.opt[i].number == HTTPCOAP_OPT_URI_PATH
				       ? HTTPCOAP_OPT_LOCATION_PATH
				       : HTTPCOAP_OPT_LOCATION_QUERY;
		if (httpcoap_add_option(out, num, tmp.opt[i].value, tmp.opt[i].len) < 0)
			return -EBADMSG;
	}
	return 0;
}

int h2map_answer(const struct httppipe_response *r, uint8_t method, struct httpcoap_msg *out)
{
	const char *obs = httppipe_field(r, H2MAP_OBSERVE_FIELD);
	const char *loc = httppipe_field(r, "location");
	int code = httpcoap_coap_code(r->status, method), rc;

	httpcoap_msg_init(out);
	if (code < 0)
		return -EBADMSG;
	if (r->body_len > H2MAP_MAX_PAYLOAD)
		return -EMSGSIZE;
	out->code = (uint8_t)code;
	if (obs) {
		char *end;
		unsigned long v = strtoul(obs, &end, 10);
		if (!*obs || *end || obs[0] == '-' || v > 0xffffff) /* RFC 7641: 24 bits */
			return -EBADMSG;
		if (httpcoap_add_uint(out, HTTPCOAP_OPT_OBSERVE, (uint32_t)v) < 0)
			return -EBADMSG;
	}
	if (loc && add_location(out, loc) < 0)
		return -EBADMSG;
	if (r->body_len && (rc = add_format(out, HTTPCOAP_OPT_CONTENT_FORMAT,
					    httppipe_field(r, "content-type"))) < 0)
		return rc;
	out->payload = r->body;
	out->payload_len = r->body_len;
	return 0;
}
