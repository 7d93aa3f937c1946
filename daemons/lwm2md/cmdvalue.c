/*
 * cmdvalue — command-line values typed by the object definitions (see
 * cmdvalue.h).
 */
#include "cmdvalue.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lwm2m/lwm2m_text.h"

/* What a type takes, for the error that names it. */
static const char *forms(enum lwm2m_type t)
{
	switch (t) {
	case LWM2M_TYPE_INTEGER:
		return "a whole number, e.g. -5 or 120";
	case LWM2M_TYPE_UNSIGNED:
		return "a whole number from 0, e.g. 120";
	case LWM2M_TYPE_FLOAT:
		return "a decimal number, e.g. 21.5 or 2.15e1";
	case LWM2M_TYPE_BOOLEAN:
		return "true, false, 1 or 0";
	case LWM2M_TYPE_TIME:
		return "seconds since 1970, or a UTC date such as 2026-12-06T21:00:00Z";
	case LWM2M_TYPE_OBJLNK:
		return "an object link O:I, e.g. 3:0";
	case LWM2M_TYPE_OPAQUE:
		return "base64, or hex after 0x (0x0a0b)";
	default:
		return "text";
	}
}

bool cmdvalue_typed(const struct lwm2m_registry *reg, const struct lwm2m_path *path)
{
	enum lwm2m_type t;

	return path->len >= LWM2M_PATH_RESOURCE && lwm2m_registry_type_of(reg, path, &t) &&
	       t != LWM2M_TYPE_STRING && t != LWM2M_TYPE_CORELNK && t != LWM2M_TYPE_NONE;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "0x0a0b" into @doc's storage; false when it is not whole bytes of hex. */
static bool hex_value(const char *s, size_t len, struct lwm2m_doc *doc, struct lwm2m_value *v)
{
	uint8_t *p;

	if ((len - 2) % 2)
		return false;
	p = lwm2m_doc_alloc(doc, (len - 2) / 2 + 1);
	if (!p)
		return false;
	for (size_t i = 2; i < len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		p[(i - 2) / 2] = (uint8_t)(hi << 4 | lo);
	}
	*v = lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, p, (len - 2) / 2);
	return true;
}

/* "2026-12-06T21:00:00Z": seconds since the epoch; false for anything else. */
static bool iso_time(const char *s, size_t len, int64_t *out)
{
	char tmp[32], *end;
	struct tm tm = { 0 };

	if (len != 20 || s[len - 1] != 'Z')
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	end = strptime(tmp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

/*
 * The forms that text/plain does not have: 1 when @s is one (@v is set),
 * 0 when it is not, -1 when it claims to be one and is not (hex after 0x
 * that is not hex: it would otherwise pass as base64).
 */
static int friendly(const char *s, size_t len, enum lwm2m_type t, struct lwm2m_doc *doc,
		    struct lwm2m_value *v)
{
	int64_t secs;

	switch (t) {
	case LWM2M_TYPE_BOOLEAN:
		if ((len == 4 && memcmp(s, "true", 4) == 0) ||
		    (len == 5 && memcmp(s, "false", 5) == 0)) {
			*v = lwm2m_value_bool(len == 4);
			return 1;
		}
		return 0;
	case LWM2M_TYPE_OPAQUE:
		if (len < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
			return 0;
		return hex_value(s, len, doc, v) ? 1 : -1;
	case LWM2M_TYPE_TIME:
		if (!iso_time(s, len, &secs))
			return 0;
		*v = lwm2m_value_int(secs);
		v->type = LWM2M_TYPE_TIME;
		return 1;
	default:
		return 0;
	}
}

int cmdvalue_parse(const char *text, size_t len, const struct lwm2m_path *path,
		   const struct lwm2m_registry *reg, struct lwm2m_doc *doc, struct lwm2m_error *err)
{
	const struct lwm2m_res_def *def;
	struct lwm2m_error why = { 0 };
	struct lwm2m_value v;
	enum lwm2m_type t;
	char ps[LWM2M_PATH_STR_MAX];
	int rc;

	if (!cmdvalue_typed(reg, path) || !lwm2m_registry_type_of(reg, path, &t))
		return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
				       "not a resource with a value of a known type");
	rc = friendly(text, len, t, doc, &v);
	if (rc > 0)
		return lwm2m_doc_add(doc, path, &v) < 0
			       ? lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory")
			       : 0;
	if (rc == 0 && lwm2m_text_decode((const uint8_t *)text, len, path, reg, doc, &why) == 0)
		return 0;
	if (why.code == -ENOMEM)
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
	def = lwm2m_registry_resource(reg, path->id[0], path->id[2]);
	lwm2m_path_format(path, ps, sizeof(ps));
	return lwm2m_error_set(
		err, -EBADMSG, SIZE_MAX, "\"%.*s\": %s%s%s is %s %s%s: %s",
		(int)(len < 40 ? len : 40), text, ps, def ? " " : "", def ? def->name : "",
		strchr("AEIOU", lwm2m_type_name(t)[0]) ? "an" : "a", lwm2m_type_name(t),
		strstr(why.msg, "out of range") ? " (out of range)" : "", forms(t));
}
