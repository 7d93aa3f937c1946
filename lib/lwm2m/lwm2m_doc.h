#ifndef LWM2M_DOC_H
#define LWM2M_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_value.h"

/*
 * The one in-memory representation every content format decodes to and
 * encodes from: a base path (the request's path) and a list of
 * (path, typed value) entries with absolute paths under it.  Entries carry
 * an optional time (SenML / LwM2M JSON timestamps) so that Send and
 * Notify payloads with several timestamped values survive a conversion.
 *
 * Plain data, embedded by its user: lwm2m_doc_init() / lwm2m_doc_fini().
 * String and opaque bytes of added entries are copied into storage owned by
 * the document and freed with it; lwm2m_doc_reset() keeps that storage for
 * reuse, so decoding in a loop does not touch malloc once warmed up.
 */
struct lwm2m_entry {
	struct lwm2m_path path;
	struct lwm2m_value value;
	bool has_time;
	double time; /* seconds; absolute, or relative (negative) as SenML allows */
};

struct lwm2m_doc_chunk;

struct lwm2m_doc {
	struct lwm2m_path base;
	struct lwm2m_entry *entries;
	size_t count;
	size_t cap;
	struct lwm2m_doc_chunk *chunks; /* byte storage, newest first */
};

/* lwm2m_doc_init - make an empty document with the root as base. */
void lwm2m_doc_init(struct lwm2m_doc *doc);

/* lwm2m_doc_fini - free everything @doc owns; it is then empty (re-init not needed). */
void lwm2m_doc_fini(struct lwm2m_doc *doc);

/*
 * lwm2m_doc_reset - remove all entries and set the base to the root; keeps
 * the memory for reuse.  Pointers into the old entries become invalid.
 */
void lwm2m_doc_reset(struct lwm2m_doc *doc);

/*
 * lwm2m_doc_add - append an entry, copying the bytes of string/opaque/
 * corelnk values into the document (strings get a NUL after them).
 * @path: absolute path of the value.
 * @value: the value; its bytes may point anywhere and are not kept.
 * Returns 0 or -ENOMEM.
 */
int lwm2m_doc_add(struct lwm2m_doc *doc, const struct lwm2m_path *path,
		  const struct lwm2m_value *value);

/*
 * lwm2m_doc_add_timed - like lwm2m_doc_add, with a time stamp.
 * Returns 0 or -ENOMEM.
 */
int lwm2m_doc_add_timed(struct lwm2m_doc *doc, const struct lwm2m_path *path,
			const struct lwm2m_value *value, double time);

/*
 * lwm2m_doc_alloc - reserve @n bytes of storage owned by @doc (freed with
 * it), for decoders that build a value's bytes in place (base64, escapes).
 * Returns the pointer or NULL when out of memory.
 */
void *lwm2m_doc_alloc(struct lwm2m_doc *doc, size_t n);

/*
 * lwm2m_doc_add_owned - append an entry whose bytes were obtained from
 * lwm2m_doc_alloc (not copied again).  Returns 0 or -ENOMEM.
 */
int lwm2m_doc_add_owned(struct lwm2m_doc *doc, const struct lwm2m_entry *entry);

/*
 * lwm2m_doc_sort - sort entries by path (lwm2m_path_cmp); entries with equal
 * paths keep their order (several timestamped values of one resource).
 */
void lwm2m_doc_sort(struct lwm2m_doc *doc);

/*
 * lwm2m_doc_check_tree - verify that @doc can be written as a tree (TLV,
 * LwM2M CBOR): entries sorted, no duplicate path, no entry that is an
 * ancestor of another, and every path under the base.
 * @bad: on failure, the index of the offending entry.
 * Returns 0, or -EINVAL.
 */
int lwm2m_doc_check_tree(const struct lwm2m_doc *doc, size_t *bad);

/*
 * lwm2m_doc_find - the first entry whose path equals @path, or NULL.
 */
const struct lwm2m_entry *lwm2m_doc_find(const struct lwm2m_doc *doc,
					 const struct lwm2m_path *path);

#endif
