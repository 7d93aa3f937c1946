/*
 * psconf — the topic configuration of a CoAP publish-subscribe broker
 * (draft-ietf-core-coap-pubsub), application/core-pubsub+cbor: a CBOR map
 * with unsigned integer keys, numbered as in -19 §4 (Table 1)
 *
 *   0 topic-name            tstr      5 expiration-date  1(seconds since 1970)
 *   1 topic-data            tstr      6 max-subscribers  uint
 *   2 resource-type         tstr      7 observer-check   uint > 0 (seconds)
 *   3 topic-content-format  uint      8 initialize       bstr: initial topic-data
 *   4 topic-type            tstr      9 conf-filter      array of keys
 *
 * conf-filter, which a FETCH on a topic carries, lists wanted parameters by
 * key number (or by name, as -17's example did).  The forms of -17/-18 are
 * read too where the value's type tells them apart: expiration-date as an
 * RFC 3339 text string, initialize as a bool at key 9, conf-filter at key
 * 10; their topic-history (a uint at key 8) is refused.  Tag 1 may carry a
 * float, counted up to the next whole second.  Encoding writes the -19
 * forms only (an initialize without a value is not written).  A pure
 * codec: bytes in, struct out, and back.  Every head, length and type is
 * checked; a parameter twice (under either number), an unknown key, a tag
 * other than 1 before an expiration-date, a nested item other than the
 * conf-filter array, text with a control character, or bytes after the map
 * are errors.
 */
#ifndef LWGATE_COAP_PSCONF_H
#define LWGATE_COAP_PSCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum psconf_key {
	PSCONF_TOPIC_NAME = 0,
	PSCONF_TOPIC_DATA = 1,
	PSCONF_RESOURCE_TYPE = 2,
	PSCONF_CONTENT_FORMAT = 3,
	PSCONF_TOPIC_TYPE = 4,
	PSCONF_EXPIRATION_DATE = 5,
	PSCONF_MAX_SUBSCRIBERS = 6,
	PSCONF_OBSERVER_CHECK = 7,
	PSCONF_INITIALIZE = 8,
	PSCONF_CONF_FILTER = 9,
	PSCONF_KEY_COUNT
};

#define PSCONF_BIT(k)   (1u << (k))
#define PSCONF_ALL      (PSCONF_BIT(PSCONF_CONF_FILTER) - 1) /* keys 0-8 */
#define PSCONF_TEXT_MAX 255                                  /* bytes in one text value */
#define PSCONF_MAX_LEN  2048 /* bytes of one encoded configuration accepted */

/* A decoded configuration (or a FETCH filter); each field counts when its bit is in present. */
struct psconf {
	uint32_t present; /* PSCONF_BIT(key) for each key given */
	char topic_name[PSCONF_TEXT_MAX + 1];
	char topic_data[PSCONF_TEXT_MAX + 1];
	char resource_type[PSCONF_TEXT_MAX + 1];
	char topic_type[PSCONF_TEXT_MAX + 1];
	char expiration_date[PSCONF_TEXT_MAX + 1];
	int64_t expires; /* expiration-date as seconds since the epoch (UTC) */
	uint16_t content_format;
	uint32_t max_subscribers;
	uint32_t observer_check;
	bool initialize; /* true also when initialize is a byte string; a bool: the -18 form */
	/*
	 * initialize as a byte string (initial_len bytes): the topic-data a
	 * topic starts with.  It points
	 * into the buffer given to psconf_parse() (NULL: none or a bool), so it
	 * is for the request being handled, not to be kept.
	 */
	const uint8_t *initial;
	size_t initial_len;
	uint32_t filter; /* conf-filter: PSCONF_BIT of each parameter asked for */
};

/*
 * Decode @buf[0..len).  Returns 0 and fills *@out, or a negative errno with
 * a sentence in *@why (a string literal) and the byte offset in *@where:
 * -EBADMSG malformed CBOR or not one map, -EINVAL a value of the wrong type
 * or range, -ENOENT an unknown key, -EEXIST a key twice, -EMSGSIZE input
 * longer than PSCONF_MAX_LEN or a text longer than PSCONF_TEXT_MAX.
 */
int psconf_parse(const uint8_t *buf, size_t len, struct psconf *out, const char **why,
		 size_t *where);

/*
 * Encode the parameters of @c that are present and in @mask (PSCONF_BIT of
 * keys 0-8; conf-filter is never encoded), in key order, into @buf of
 * @size bytes.  Returns the length, or -EMSGSIZE when @buf is too small.
 */
long psconf_encode(const struct psconf *c, uint32_t mask, uint8_t *buf, size_t size);

/*
 * Whether @topic matches @filter (FETCH on a topic collection): every
 * parameter present in @filter is present in @topic with the same value.
 */
bool psconf_match(const struct psconf *filter, const struct psconf *topic);

/*
 * The configuration that an update @in makes of @cur: PUT (@replace) sets
 * the optional parameters to those of @in (the ones not given return to
 * their defaults, i.e. absent); iPATCH changes only those @in gives.
 * topic-name, topic-data and resource-type are kept; @in may repeat them
 * but not change them.  Returns 0 and *@out, or -EPERM (an immutable
 * parameter changed) or -EINVAL (a conf-filter, or an initialize in
 * either form, which only a creation takes) with the reason in *@why.
 */
int psconf_merge(const struct psconf *cur, const struct psconf *in, bool replace,
		 struct psconf *out, const char **why);

/*
 * Parse an RFC 3339 UTC date-time ("2026-12-31T23:59:59Z", fractions and
 * numeric offsets accepted) into seconds since the epoch.  0 or -EINVAL.
 */
int psconf_parse_date(const char *s, int64_t *out);

/* The draft's name of key @k ("topic-name"), or NULL. */
const char *psconf_key_name(unsigned k);

#endif
