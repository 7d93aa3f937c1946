#include "lwm2m/lwm2m_value.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[] = {
	[LWM2M_TYPE_NONE] = "none",       [LWM2M_TYPE_STRING] = "String",
	[LWM2M_TYPE_INTEGER] = "Integer", [LWM2M_TYPE_UNSIGNED] = "Unsigned Integer",
	[LWM2M_TYPE_FLOAT] = "Float",     [LWM2M_TYPE_BOOLEAN] = "Boolean",
	[LWM2M_TYPE_OPAQUE] = "Opaque",   [LWM2M_TYPE_TIME] = "Time",
	[LWM2M_TYPE_OBJLNK] = "Objlnk",   [LWM2M_TYPE_CORELNK] = "Corelnk",
};

const char *lwm2m_type_name(enum lwm2m_type t)
{
	if ((unsigned)t >= sizeof(type_names) / sizeof(type_names[0]))
		return "?";
	return type_names[t];
}

int lwm2m_type_parse(const char *s, enum lwm2m_type *out)
{
	if (s[0] == '\0') {
		*out = LWM2M_TYPE_NONE;
		return 0;
	}
	for (unsigned t = 0; t < sizeof(type_names) / sizeof(type_names[0]); t++) {
		if (strcasecmp(s, type_names[t]) == 0) {
			*out = (enum lwm2m_type)t;
			return 0;
		}
	}
	/* Some published DDF files spell it without the space */
	if (strcasecmp(s, "UnsignedInteger") == 0) {
		*out = LWM2M_TYPE_UNSIGNED;
		return 0;
	}
	return -EINVAL;
}

static bool is_numeric(enum lwm2m_type t)
{
	return t == LWM2M_TYPE_INTEGER || t == LWM2M_TYPE_UNSIGNED || t == LWM2M_TYPE_FLOAT ||
	       t == LWM2M_TYPE_TIME;
}

static bool is_signed_int(enum lwm2m_type t)
{
	return t == LWM2M_TYPE_INTEGER || t == LWM2M_TYPE_TIME;
}

int lwm2m_value_coerce(struct lwm2m_value *v, enum lwm2m_type want)
{
	if (want == LWM2M_TYPE_NONE || v->type == want)
		return 0;
	if ((v->type == LWM2M_TYPE_STRING && want == LWM2M_TYPE_CORELNK) ||
	    (v->type == LWM2M_TYPE_CORELNK && want == LWM2M_TYPE_STRING)) {
		v->type = want;
		return 0;
	}
	if (!is_numeric(v->type) || !is_numeric(want))
		return -EINVAL;
	if (want == LWM2M_TYPE_FLOAT) {
		v->v.f = v->type == LWM2M_TYPE_UNSIGNED ? (double)v->v.u : (double)v->v.i;
		v->type = want;
		return 0;
	}
	if (v->type == LWM2M_TYPE_FLOAT) {
		double f = v->v.f;

		if (!isfinite(f) || f != floor(f))
			return -ERANGE;
		if (want == LWM2M_TYPE_UNSIGNED) {
			if (f < 0 || f >= 18446744073709551616.0)
				return -ERANGE;
			v->v.u = (uint64_t)f;
		} else {
			if (f < -9223372036854775808.0 || f >= 9223372036854775808.0)
				return -ERANGE;
			v->v.i = (int64_t)f;
		}
		v->type = want;
		return 0;
	}
	if (is_signed_int(v->type) && is_signed_int(want)) {
		v->type = want;
		return 0;
	}
	if (want == LWM2M_TYPE_UNSIGNED) {
		if (v->v.i < 0)
			return -ERANGE;
		v->v.u = (uint64_t)v->v.i;
	} else {
		if (v->v.u > INT64_MAX)
			return -ERANGE;
		v->v.i = (int64_t)v->v.u;
	}
	v->type = want;
	return 0;
}

int lwm2m_objlnk_parse(const char *s, size_t n, struct lwm2m_objlnk *out)
{
	uint32_t part[2] = { 0, 0 };
	unsigned k = 0;
	size_t digits = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ':' && k == 0 && digits > 0) {
			k = 1;
			digits = 0;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || digits >= 5)
			return -EINVAL;
		part[k] = part[k] * 10 + (uint32_t)(s[i] - '0');
		digits++;
	}
	if (k != 1 || digits == 0 || part[0] > 65535 || part[1] > 65535)
		return -EINVAL;
	out->obj = (uint16_t)part[0];
	out->inst = (uint16_t)part[1];
	return 0;
}

int lwm2m_objlnk_format(struct lwm2m_objlnk l, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%u:%u", (unsigned)l.obj, (unsigned)l.inst);

	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

bool lwm2m_utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i];
		size_t need;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* overlong forms, surrogates and code points past U+10FFFF */
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

bool lwm2m_value_equal(const struct lwm2m_value *a, const struct lwm2m_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case LWM2M_TYPE_NONE:
		return true;
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		return a->v.i == b->v.i;
	case LWM2M_TYPE_UNSIGNED:
		return a->v.u == b->v.u;
	case LWM2M_TYPE_FLOAT:
		return memcmp(&a->v.f, &b->v.f, sizeof(double)) == 0;
	case LWM2M_TYPE_BOOLEAN:
		return a->v.b == b->v.b;
	case LWM2M_TYPE_OBJLNK:
		return a->v.lnk.obj == b->v.lnk.obj && a->v.lnk.inst == b->v.lnk.inst;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		return a->v.bytes.len == b->v.bytes.len &&
		       (a->v.bytes.len == 0 ||
			memcmp(a->v.bytes.data, b->v.bytes.data, a->v.bytes.len) == 0);
	}
	return false;
}
