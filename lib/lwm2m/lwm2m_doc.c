#include "lwm2m/lwm2m_doc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Storage for value bytes: a list of chunks, each filled front to back.
 * Pointers handed out stay valid until reset/fini because a chunk never
 * moves; reset keeps only the largest chunk so steady-state decoding reuses it.
 */
struct lwm2m_doc_chunk {
	struct lwm2m_doc_chunk *next;
	size_t used;
	size_t size;
	uint8_t data[];
};

#define CHUNK_MIN 1024

void lwm2m_doc_init(struct lwm2m_doc *doc)
{
	memset(doc, 0, sizeof(*doc));
}

void lwm2m_doc_fini(struct lwm2m_doc *doc)
{
	struct lwm2m_doc_chunk *c = doc->chunks;

	while (c) {
		struct lwm2m_doc_chunk *next = c->next;

		free(c);
		c = next;
	}
	free(doc->entries);
	lwm2m_doc_init(doc);
}

void lwm2m_doc_reset(struct lwm2m_doc *doc)
{
	struct lwm2m_doc_chunk *keep = NULL, *c = doc->chunks;

	while (c) {
		struct lwm2m_doc_chunk *next = c->next;

		if (!keep || c->size > keep->size) {
			free(keep);
			keep = c;
		} else {
			free(c);
		}
		c = next;
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	doc->chunks = keep;
	doc->count = 0;
	doc->base.len = 0;
}

void *lwm2m_doc_alloc(struct lwm2m_doc *doc, size_t n)
{
	struct lwm2m_doc_chunk *c = doc->chunks;
	size_t size;

	if (n == 0)
		n = 1;
	if (c && c->size - c->used >= n) {
		void *p = c->data + c->used;

		c->used += n;
		return p;
	}
	if (n > SIZE_MAX - sizeof(*c) - CHUNK_MIN)
		return NULL;
	size = n > CHUNK_MIN ? n : CHUNK_MIN;
	if (c && c->size * 2 > size && c->size < SIZE_MAX / 4)
		size = c->size * 2;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->size = size;
	c->used = n;
	c->next = doc->chunks;
	doc->chunks = c;
	return c->data;
}

static int grow(struct lwm2m_doc *doc)
{
	size_t cap = doc->cap ? doc->cap * 2 : 16;
	struct lwm2m_entry *e;

	if (cap > SIZE_MAX / sizeof(*e))
		return -ENOMEM;
	e = realloc(doc->entries, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	doc->entries = e;
	doc->cap = cap;
	return 0;
}

int lwm2m_doc_add_owned(struct lwm2m_doc *doc, const struct lwm2m_entry *entry)
{
	if (doc->count == doc->cap) {
		int rc = grow(doc);

		if (rc < 0)
			return rc;
	}
	doc->entries[doc->count++] = *entry;
	return 0;
}

int lwm2m_doc_add_timed(struct lwm2m_doc *doc, const struct lwm2m_path *path,
			const struct lwm2m_value *value, double time)
{
	struct lwm2m_entry e = { .path = *path, .value = *value, .has_time = true, .time = time };
	int rc;

	rc = lwm2m_doc_add(doc, path, value);
	if (rc < 0)
		return rc;
	e.value = doc->entries[doc->count - 1].value;
	doc->entries[doc->count - 1] = e;
	return 0;
}

int lwm2m_doc_add(struct lwm2m_doc *doc, const struct lwm2m_path *path,
		  const struct lwm2m_value *value)
{
	struct lwm2m_entry e = { .path = *path, .value = *value };

	if (value->type == LWM2M_TYPE_STRING || value->type == LWM2M_TYPE_OPAQUE ||
	    value->type == LWM2M_TYPE_CORELNK) {
		size_t n = value->v.bytes.len;
		uint8_t *p;

		if (n == SIZE_MAX)
			return -ENOMEM;
		p = lwm2m_doc_alloc(doc, n + 1);
		if (!p)
			return -ENOMEM;
		if (n)
			memcpy(p, value->v.bytes.data, n);
		p[n] = '\0';
		e.value.v.bytes.data = p;
	}
	return lwm2m_doc_add_owned(doc, &e);
}

static bool is_sorted(const struct lwm2m_doc *doc)
{
	for (size_t i = 1; i < doc->count; i++) {
		if (lwm2m_path_cmp(&doc->entries[i - 1].path, &doc->entries[i].path) > 0)
			return false;
	}
	return true;
}

static void merge(struct lwm2m_entry *a, size_t mid, size_t n, struct lwm2m_entry *tmp)
{
	size_t i = 0, j = mid, k = 0;

	while (i < mid && j < n) {
		/* "<=" takes from the left run on ties: the sort is stable */
		if (lwm2m_path_cmp(&a[i].path, &a[j].path) <= 0)
			tmp[k++] = a[i++];
		else
			tmp[k++] = a[j++];
	}
	while (i < mid)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof(*a));
}

static void insertion_sort(struct lwm2m_entry *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct lwm2m_entry t = a[i];
		size_t j = i;

		while (j > 0 && lwm2m_path_cmp(&a[j - 1].path, &t.path) > 0) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = t;
	}
}

void lwm2m_doc_sort(struct lwm2m_doc *doc)
{
	struct lwm2m_entry *tmp;
	size_t n = doc->count;

	if (is_sorted(doc))
		return;
	tmp = n > 32 ? malloc(n * sizeof(*tmp)) : NULL;
	if (!tmp) {
		/* small documents, or no memory for the merge buffer */
		insertion_sort(doc->entries, n);
		return;
	}
	/* bottom-up merge sort: stable and O(n log n) */
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo + w < n; lo += 2 * w) {
			size_t len = n - lo < 2 * w ? n - lo : 2 * w;

			merge(doc->entries + lo, w, len, tmp);
		}
	}
	free(tmp);
}

int lwm2m_doc_check_tree(const struct lwm2m_doc *doc, size_t *bad)
{
	for (size_t i = 0; i < doc->count; i++) {
		if (!lwm2m_path_is_prefix(&doc->base, &doc->entries[i].path)) {
			*bad = i;
			return -EINVAL;
		}
		if (i == 0)
			continue;
		if (lwm2m_path_cmp(&doc->entries[i - 1].path, &doc->entries[i].path) >= 0 ||
		    lwm2m_path_is_prefix(&doc->entries[i - 1].path, &doc->entries[i].path)) {
			*bad = i;
			return -EINVAL;
		}
	}
	return 0;
}

const struct lwm2m_entry *lwm2m_doc_find(const struct lwm2m_doc *doc, const struct lwm2m_path *path)
{
	for (size_t i = 0; i < doc->count; i++) {
		if (lwm2m_path_equal(&doc->entries[i].path, path))
			return &doc->entries[i];
	}
	return NULL;
}
