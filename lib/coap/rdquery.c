/*
 * Resource Directory query items and filter matching.
 */
#include "coap/rdquery.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void rdquery_init(struct rdquery *q)
{
	q->count = 0;
}

static bool is_name_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$+-.^_`|~*", c));
}

int rdquery_add(struct rdquery *q, const uint8_t *item, size_t len)
{
	struct rdquery_param *p;
	size_t name_len = 0, value_len;
	bool has_value, prefix = false;

	if (q->count >= RDQUERY_MAX_PARAMS)
		return RDQUERY_E_TOO_MANY;
	if (len > RDQUERY_MAX_ITEM)
		return RDQUERY_E_TOO_LONG;
	while (name_len < len && item[name_len] != '=') {
		if (!is_name_char(item[name_len]))
			return RDQUERY_E_NAME;
		name_len++;
	}
	if (name_len == 0)
		return RDQUERY_E_NAME;
	has_value = name_len < len;
	value_len = has_value ? len - name_len - 1 : 0;
	for (size_t i = name_len + 1; i < len; i++)
		if (item[i] < 0x20 || item[i] == 0x7f)
			return RDQUERY_E_VALUE;
	if (value_len > 0 && item[len - 1] == '*') {
		prefix = true;
		value_len--;
	}
	p = &q->params[q->count];
	p->name = strndup((const char *)item, name_len);
	p->value = has_value ? strndup((const char *)item + name_len + 1, value_len) : NULL;
	if (!p->name || (has_value && !p->value)) {
		free(p->name);
		free(p->value);
		return -ENOMEM;
	}
	p->prefix = prefix;
	p->value_len = has_value ? value_len : 0;
	q->count++;
	return 0;
}

int rdquery_parse(const uint8_t *buf, size_t len, struct rdquery *q)
{
	size_t start = 0;

	rdquery_init(q);
	while (start <= len) {
		size_t end = start;
		int rc;

		while (end < len && buf[end] != '&')
			end++;
		if (end > start) {
			rc = rdquery_add(q, buf + start, end - start);
			if (rc < 0) {
				rdquery_fini(q);
				return rc;
			}
		}
		start = end + 1;
	}
	return 0;
}

void rdquery_fini(struct rdquery *q)
{
	for (size_t i = 0; i < q->count; i++) {
		free(q->params[i].name);
		free(q->params[i].value);
	}
	q->count = 0;
}

const struct rdquery_param *rdquery_find(const struct rdquery *q, const char *name)
{
	for (size_t i = 0; i < q->count; i++)
		if (strcmp(q->params[i].name, name) == 0)
			return &q->params[i];
	return NULL;
}

size_t rdquery_count(const struct rdquery *q, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < q->count; i++)
		n += strcmp(q->params[i].name, name) == 0;
	return n;
}

int rdquery_uint(const struct rdquery_param *p, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s;

	if (!p->value || p->prefix || !*p->value)
		return RDQUERY_E_NUMBER;
	for (s = p->value; *s; s++) {
		if (*s < '0' || *s > '9')
			return RDQUERY_E_NUMBER;
		if (v > (UINT64_MAX - 9) / 10)
			return RDQUERY_E_NUMBER;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return RDQUERY_E_NUMBER;
	*out = v;
	return 0;
}

bool rdquery_is_multivalue(const char *name)
{
	return strcmp(name, "rt") == 0 || strcmp(name, "if") == 0 || strcmp(name, "rel") == 0;
}

bool rdquery_match(const struct rdquery_param *p, const char *value, bool multi)
{
	if (!p->value)
		return true; /* presence: the caller found the attribute */
	if (!value)
		return p->prefix && !*p->value; /* "name=*" matches a bare attribute too */
	if (!multi)
		return p->prefix ? strncmp(value, p->value, p->value_len) == 0
				 : strcmp(value, p->value) == 0;
	/* token by token, in one pass (lookups call this for every link they scan) */
	for (const char *s = value;;) {
		size_t i = 0;

		while (i < p->value_len && s[i] == p->value[i] && s[i] != ' ' && s[i] != '\0')
			i++;
		if (i == p->value_len && (p->prefix || s[i] == ' ' || s[i] == '\0'))
			return true;
		s += i;
		while (*s != ' ' && *s != '\0')
			s++;
		if (*s == '\0')
			return false;
		s++;
	}
}

int rdquery_page(const struct rdquery *q, uint64_t *skip, uint64_t *count)
{
	const struct rdquery_param *page = rdquery_find(q, "page");
	const struct rdquery_param *cnt = rdquery_find(q, "count");
	uint64_t pg = 0;

	*skip = 0;
	*count = UINT64_MAX;
	if ((page && rdquery_uint(page, 0, UINT32_MAX, &pg) < 0) ||
	    (cnt && rdquery_uint(cnt, 0, UINT32_MAX, count) < 0))
		return RDQUERY_E_NUMBER;
	if (page && !cnt)
		return RDQUERY_E_PAGE;
	*skip = pg * (cnt ? *count : 0); /* at most 2^64 - 2^33 + 1: no overflow */
	return 0;
}

const char *rdquery_strerror(int err)
{
	switch (err) {
	case 0:
		return "no error";
	case RDQUERY_E_NAME:
		return "bad or empty query parameter name";
	case RDQUERY_E_VALUE:
		return "control character in a query value";
	case RDQUERY_E_TOO_MANY:
		return "too many query parameters";
	case RDQUERY_E_TOO_LONG:
		return "query parameter too long";
	case RDQUERY_E_NUMBER:
		return "query value is not a number in range";
	case RDQUERY_E_PAGE:
		return "page needs count (the number of results on a page)";
	default:
		return err < 0 ? strerror(-err) : "unknown error";
	}
}
