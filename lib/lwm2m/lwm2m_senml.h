#ifndef LWM2M_SENML_H
#define LWM2M_SENML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * What SenML JSON (RFC 8428, content format 110) and SenML CBOR (112) share
 * in LwM2M (TS Core 7.4.4/7.4.5): resolving base name, base time and base
 * value into absolute paths, typing values through the registry, and the
 * LwM2M "vlo" object-link field.  The two codecs parse their syntax into a
 * struct lwm2m_senml_rec per record and hand it to lwm2m_senml_resolve();
 * so does LwM2M JSON (11543), whose entries are SenML records by other
 * names.  The JSON value readers and the JSON record writer serve both
 * JSON formats.
 */

/* Which value field a record carries. */
enum lwm2m_senml_kind {
	LWM2M_SENML_NONE = 0,
	LWM2M_SENML_INT,    /* "v" as an integer (i) */
	LWM2M_SENML_UINT,   /* "v" as an unsigned integer beyond INT64_MAX (u) */
	LWM2M_SENML_FLOAT,  /* "v" as a float (f) */
	LWM2M_SENML_STRING, /* "vs" (bytes) */
	LWM2M_SENML_BOOL,   /* "vb" (b) */
	LWM2M_SENML_DATA,   /* "vd", already decoded (bytes) */
	LWM2M_SENML_OBJLNK, /* "vlo" (bytes, "O:I") */
};

/* One record as parsed; strings point into the input or into the document. */
struct lwm2m_senml_rec {
	const char *bn;
	size_t bn_len;
	bool has_bn;
	double bt;
	bool has_bt;
	double bv;
	bool has_bv;
	const char *n;
	size_t n_len;
	bool has_n;
	double t;
	bool has_t;
	enum lwm2m_senml_kind kind;
	int64_t i;
	uint64_t u;
	double f;
	bool b;
	const uint8_t *bytes;
	size_t len;
};

/* Base fields carried from record to record (RFC 8428 section 4.5). */
struct lwm2m_senml_base {
	char bn[64];
	size_t bn_len;
	struct lwm2m_path bn_path; /* bn parsed, when bn_dir */
	bool bn_dir;               /* bn is a path ending in '/': names append to bn_path */
	/* the last resource looked up in the registry: records mostly repeat objects */
	const struct lwm2m_obj_def *obj;
	double bt;
	double bv;
};

/* lwm2m_senml_base_init - no base name, base time 0, base value 0. */
void lwm2m_senml_base_init(struct lwm2m_senml_base *b);

/*
 * lwm2m_senml_set_kind - record @index carries a value of kind @kind.
 * @offset: where in the input the value field is, SIZE_MAX if unknown.
 * Returns 0, or -EBADMSG when it already carries one ("record N: more
 * than one value field").
 */
int lwm2m_senml_set_kind(struct lwm2m_senml_rec *r, enum lwm2m_senml_kind kind, size_t index,
			 size_t offset, struct lwm2m_error *err);

/*
 * Readers of the value members that SenML JSON and LwM2M JSON share (the
 * counterpart of lwm2m_senml_put_records): each codec checks the token's JSON
 * type against its own field names, with its own wording, and then hands
 * the token over.
 */
struct lwm2m_jsonr_token;

/*
 * lwm2m_senml_take_number - NUMBER token @v ("v") becomes the value of
 * record @index: an integer, an unsigned integer above INT64_MAX, or a
 * float.  Returns 0 or -EBADMSG (the record already has a value).
 */
int lwm2m_senml_take_number(struct lwm2m_senml_rec *r, const struct lwm2m_jsonr_token *v,
			    size_t index, struct lwm2m_error *err);

/*
 * lwm2m_senml_take_bool - TRUE or FALSE token @v becomes the value of
 * record @index.  Returns 0 or -EBADMSG (the record already has a value).
 */
int lwm2m_senml_take_bool(struct lwm2m_senml_rec *r, const struct lwm2m_jsonr_token *v,
			  size_t index, struct lwm2m_error *err);

/*
 * lwm2m_senml_take_text - STRING token @v becomes the value of record
 * @index, of kind @kind (LWM2M_SENML_STRING or LWM2M_SENML_OBJLNK), its
 * text in the input or, unescaped, in @doc (lwm2m_jsonr_text).
 * Returns 0, -EBADMSG (a second value, a lone surrogate) or -ENOMEM.
 */
int lwm2m_senml_take_text(struct lwm2m_senml_rec *r, enum lwm2m_senml_kind kind,
			  const struct lwm2m_jsonr_token *v, struct lwm2m_doc *doc, size_t index,
			  struct lwm2m_error *err);

/*
 * lwm2m_senml_resolve - turn record @index into a document entry.
 * @b: base state, updated by the record's own base fields.
 * @r: the record.
 * @base: the request path; the resolved name must lie under it.
 * @reg: types for the values (may be NULL).
 * Returns 0, -EBADMSG (bad name, value that does not fit the resource type,
 * ...; @err names the record), or -ENOMEM.
 */
int lwm2m_senml_resolve(struct lwm2m_senml_base *b, const struct lwm2m_senml_rec *r, size_t index,
			const struct lwm2m_path *base, const struct lwm2m_registry *reg,
			struct lwm2m_doc *doc, struct lwm2m_error *err);

/* What an encoder needs to name the records of one document. */
struct lwm2m_senml_namer {
	bool all_base; /* every entry is the base path itself */
	char base[LWM2M_PATH_STR_MAX + 1];
	size_t blen;
};

/* lwm2m_senml_namer_init - prepare naming the entries of @doc. */
void lwm2m_senml_namer_init(struct lwm2m_senml_namer *nm, const struct lwm2m_doc *doc);

/*
 * lwm2m_senml_names - the SenML names an encoder writes for entry @i of @doc:
 * the base name goes in the first record only (the request path plus "/",
 * nothing for the root, the path itself when every entry is the base), the
 * name is the rest of the path.
 * @bn, @n: buffers of LWM2M_PATH_STR_MAX + 1 bytes; set to "" when absent.
 * Returns 0, or -EINVAL when the entry does not lie under the base ("entry
 * N: path is outside the base path"; @bn and @n are then "").
 */
int lwm2m_senml_names(const struct lwm2m_senml_namer *nm, const struct lwm2m_doc *doc, size_t i,
		      char *bn, char *n, struct lwm2m_error *err);

/*
 * How a JSON format writes its records: SenML JSON (RFC 8428: "vs", "vd"
 * in base64url, "vb", "vlo"; "bn" in the first record; "t" before the
 * value) and LwM2M JSON (TS 1.1: "sv" with Opaque in base64, "bv", "ov";
 * "bn" outside the records; "t" after the value) name and order the same
 * fields differently.
 */
struct lwm2m_senml_labels {
	const char *string, *opaque, *boolean, *objlnk;
	bool opaque_url_safe;
	bool record_bn;  /* the first record carries the base name */
	bool time_first; /* "t" comes before the value */
};

extern const struct lwm2m_senml_labels lwm2m_senml_json_labels;  /* RFC 8428 */
extern const struct lwm2m_senml_labels lwm2m_senml_lwm2m_labels; /* LwM2M JSON */

/*
 * lwm2m_senml_put_records - append the entries of @doc as the JSON records
 * {...},{...} of the format @labels describes, named by @nm
 * (lwm2m_senml_namer_init on @doc), then @close (what ends the payload the
 * caller opened: "]" or "]}"); numbers are "v".
 * @start: where the caller's payload begins in @out; on error @out is cut
 * back to it.
 * Returns 0, -EINVAL (an entry outside the base path, a NaN or infinite
 * float: @err says which entry), or -ENOMEM; @err is set on every error.
 */
int lwm2m_senml_put_records(struct lwm2m_buf *out, size_t start, const struct lwm2m_doc *doc,
			    const struct lwm2m_senml_namer *nm,
			    const struct lwm2m_senml_labels *labels, const char *close,
			    struct lwm2m_error *err);

#endif
