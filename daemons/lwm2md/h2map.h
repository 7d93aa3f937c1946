/*
 * h2map — the messages of binding H (LwM2M over HTTP/2, h2dev.h) turned
 * into CoAP and back, per RFC 8075 (lib/http/httpcoap): a device's HTTP
 * request into the CoAP request its vpeer sends, the server's CoAP answer
 * into the HTTP response, a server request into the application/http
 * message on the device's downlink stream, and each of the device's
 * application/http answers into a CoAP response or notification.  Pure:
 * no I/O, no state; h2dev.c keeps the tokens and message IDs.
 */
#ifndef LWM2MD_H2MAP_H
#define LWM2MD_H2MAP_H

#include <stddef.h>
#include <stdint.h>

#include "http/httpcoap.h"
#include "http/httpmsg.h"
#include "http/httppipe.h"

#define H2MAP_TOKEN_FIELD   "lwm2m-token"   /* the message's CoAP token, hex (HTT-004) */
#define H2MAP_OBSERVE_FIELD "lwm2m-observe" /* the CoAP Observe option's value */
#define H2MAP_MAX_PAYLOAD   1024 /* a payload fits one CoAP datagram (no Block1/2 here) */
#define H2MAP_LOCATION_MAX  256

/* What the device's request is answered with; body points into the CoAP message. */
struct h2map_answer {
	int status;
	const char *content_type;          /* NULL: no body or a format without a media type */
	char location[H2MAP_LOCATION_MAX]; /* "" when the answer has no Location-* */
	const uint8_t *body;
	size_t body_len;
};

/*
 * Build into @out the CoAP CON request for device request @req with token
 * @token (@tlen bytes) and message ID @mid: method, Uri-Path/Uri-Query
 * from the target, Content-Format from Content-Type, Accept from Accept,
 * the body as payload.  Returns 0, or -ENOTSUP (a method CoAP lacks: 405),
 * -EBADMSG (a bad target: 400), -EPROTO (a media type without a CoAP
 * Content-Format: 415), -EMSGSIZE (a body over H2MAP_MAX_PAYLOAD: 413).
 */
int h2map_request(const struct http_request *req, const uint8_t *token, size_t tlen, uint16_t mid,
		  struct httpcoap_msg *out);

/*
 * The HTTP answer to a device request from the server's CoAP response
 * @resp.  Returns 0 or -EINVAL (not a response).
 */
int h2map_response(const struct httpcoap_msg *resp, struct h2map_answer *a);

/*
 * Write the server's CoAP request @req as one application/http request
 * message into @out (@size bytes): "METHOD /path?query HTTP/1.1", the
 * token, Observe, Accept and Content-Type fields, the payload.  Returns
 * the length, -ENOTSUP (not a request), -EMSGSIZE.
 */
int h2map_downlink(const struct httpcoap_msg *req, uint8_t *out, size_t size);

/*
 * Build into @out (token, type and message ID left to the caller) the
 * CoAP response for the device's answer @r to a request of CoAP method
 * @method (GET for a notification): code, Content-Format, Observe,
 * Location-Path/-Query from a Location field, payload (pointing into
 * @r's body).  Returns 0, or -EBADMSG (status without a CoAP code, a bad
 * Observe or Location), -EPROTO (a media type without a Content-Format),
 * -EMSGSIZE (body over H2MAP_MAX_PAYLOAD).
 */
int h2map_answer(const struct httppipe_response *r, uint8_t method, struct httpcoap_msg *out);

#endif
