#ifndef LWM2M_VALUE_H
#define LWM2M_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The LwM2M data types (TS Core, Appendix C), plus NONE for "no value". */
enum lwm2m_type {
	LWM2M_TYPE_NONE = 0, /* no value: an Execute resource, a Read-Composite name */
	LWM2M_TYPE_STRING,
	LWM2M_TYPE_INTEGER,
	LWM2M_TYPE_UNSIGNED,
	LWM2M_TYPE_FLOAT,
	LWM2M_TYPE_BOOLEAN,
	LWM2M_TYPE_OPAQUE,
	LWM2M_TYPE_TIME, /* seconds since the Unix epoch, signed */
	LWM2M_TYPE_OBJLNK,
	LWM2M_TYPE_CORELNK, /* a CoRE link-format string */
};

struct lwm2m_objlnk {
	uint16_t obj;
	uint16_t inst;
};

/*
 * A typed value.  For STRING, OPAQUE and CORELNK the bytes are borrowed:
 * values inside a struct lwm2m_doc point into the document's own storage;
 * a value built by a caller points wherever the caller says.  STRING and
 * CORELNK bytes stored in a document are also NUL-terminated.
 */
struct lwm2m_value {
	enum lwm2m_type type;
	union {
		int64_t i; /* INTEGER, TIME */
		uint64_t u;
		double f;
		bool b;
		struct lwm2m_objlnk lnk;
		struct {
			const uint8_t *data;
			size_t len;
		} bytes; /* STRING, OPAQUE, CORELNK */
	} v;
};

/*
 * lwm2m_type_name - the DDF spelling of @t ("String", "Integer",
 * "Unsigned Integer", "Float", "Boolean", "Opaque", "Time", "Objlnk",
 * "Corelnk"; "none" for NONE).  Returns a static string.
 */
const char *lwm2m_type_name(enum lwm2m_type t);

/*
 * lwm2m_type_parse - the inverse of lwm2m_type_name, case-insensitive; the
 * empty string is NONE (what DDF files say for executable resources).
 * Returns 0 or -EINVAL.
 */
int lwm2m_type_parse(const char *s, enum lwm2m_type *out);

/*
 * lwm2m_value_coerce - convert a value decoded from a self-describing format
 * to the type the object definition gives, when that is lossless:
 * integer/unsigned/time/float among themselves (a float only if it is
 * integral and in range), STRING to CORELNK and back, anything to itself.
 * @v: the value, changed in place.
 * @want: the target type; NONE leaves @v as it is.
 * Returns 0, -ERANGE (number out of the target's range or not integral), or
 * -EINVAL (types that do not convert, e.g. a string to an integer).
 */
int lwm2m_value_coerce(struct lwm2m_value *v, enum lwm2m_type want);

/*
 * lwm2m_objlnk_parse - parse "O:I" (two decimal IDs 0..65535).
 * Returns 0 or -EINVAL.
 */
int lwm2m_objlnk_parse(const char *s, size_t n, struct lwm2m_objlnk *out);

/*
 * lwm2m_objlnk_format - print "O:I" into @buf (12 bytes suffice).
 * Returns the length, or -ENOSPC.
 */
int lwm2m_objlnk_format(struct lwm2m_objlnk l, char *buf, size_t size);

/* lwm2m_utf8_valid - true if @s[0..n) is well-formed UTF-8 (RFC 3629). */
bool lwm2m_utf8_valid(const uint8_t *s, size_t n);

/*
 * lwm2m_value_equal - true if @a and @b have the same type and the same
 * value (floats compared bit for bit except that 0.0 == -0.0 is false).
 */
bool lwm2m_value_equal(const struct lwm2m_value *a, const struct lwm2m_value *b);

/* Convenience constructors; string/opaque ones borrow @s. */
static inline struct lwm2m_value lwm2m_value_int(int64_t i)
{
	return (struct lwm2m_value){ .type = LWM2M_TYPE_INTEGER, .v.i = i };
}
static inline struct lwm2m_value lwm2m_value_uint(uint64_t u)
{
	return (struct lwm2m_value){ .type = LWM2M_TYPE_UNSIGNED, .v.u = u };
}
static inline struct lwm2m_value lwm2m_value_float(double f)
{
	return (struct lwm2m_value){ .type = LWM2M_TYPE_FLOAT, .v.f = f };
}
static inline struct lwm2m_value lwm2m_value_bool(bool b)
{
	return (struct lwm2m_value){ .type = LWM2M_TYPE_BOOLEAN, .v.b = b };
}
static inline struct lwm2m_value lwm2m_value_time(int64_t t)
{
	return (struct lwm2m_value){ .type = LWM2M_TYPE_TIME, .v.i = t };
}
static inline struct lwm2m_value lwm2m_value_objlnk(uint16_t obj, uint16_t inst)
{
	return (struct lwm2m_value){ .type = LWM2M_TYPE_OBJLNK, .v.lnk = { obj, inst } };
}
static inline struct lwm2m_value lwm2m_value_bytes(enum lwm2m_type t, const void *p, size_t n)
{
	return (struct lwm2m_value){ .type = t, .v.bytes = { (const uint8_t *)p, n } };
}
static inline struct lwm2m_value lwm2m_value_none(void)
{
	return (struct lwm2m_value){ .type = LWM2M_TYPE_NONE };
}

#endif
