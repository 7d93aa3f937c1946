#ifndef LWM2M_PATH_H
#define LWM2M_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An LwM2M path: "/" (root), /O, /O/I, /O/I/R or /O/I/R/RI.  Each ID is
 * 0..65534; 65535 is reserved by the LwM2M TS (it means "no ID" on the wire).
 */
#define LWM2M_PATH_MAX_DEPTH 4
#define LWM2M_ID_MAX         65534
/* "/65534/65534/65534/65534" plus the NUL */
#define LWM2M_PATH_STR_MAX 25

enum lwm2m_path_level {
	LWM2M_PATH_ROOT = 0,
	LWM2M_PATH_OBJECT = 1,
	LWM2M_PATH_INSTANCE = 2,
	LWM2M_PATH_RESOURCE = 3,
	LWM2M_PATH_RESOURCE_INSTANCE = 4,
};

struct lwm2m_path {
	uint16_t id[LWM2M_PATH_MAX_DEPTH]; /* only the first len are meaningful */
	uint8_t len;                       /* an enum lwm2m_path_level */
};

/*
 * lwm2m_path_parse - parse a path string such as "/3/0/7/1".
 * @s, @n: the text (need not be NUL-terminated).  "/" and "" are the root;
 *         one trailing '/' is accepted ("/3/0/" is /3/0) because SenML base
 *         names end with one.
 * @out: the parsed path (untouched on error).
 * Returns 0, or -EINVAL for anything else: missing leading '/', empty
 * segment, non-digit, leading zero ("/03"), ID above 65534, more than four
 * segments.
 */
int lwm2m_path_parse(const char *s, size_t n, struct lwm2m_path *out);

/*
 * lwm2m_path_format - print @p as "/O/I/R/RI" ("/" for the root).
 * @buf, @size: destination; LWM2M_PATH_STR_MAX bytes always suffice.
 * Returns the string length (without NUL), or -ENOSPC if @size is too small.
 */
int lwm2m_path_format(const struct lwm2m_path *p, char *buf, size_t size);

/*
 * lwm2m_path_cmp - total order: by IDs level by level, a prefix sorting
 * before its extensions (/3 < /3/0 < /3/0/0 < /3/1).
 * Returns <0, 0 or >0.
 */
int lwm2m_path_cmp(const struct lwm2m_path *a, const struct lwm2m_path *b);

/* lwm2m_path_is_prefix - true if @prefix equals @p or is an ancestor of it. */
bool lwm2m_path_is_prefix(const struct lwm2m_path *prefix, const struct lwm2m_path *p);

/* lwm2m_path_equal - true if @a and @b name the same node. */
bool lwm2m_path_equal(const struct lwm2m_path *a, const struct lwm2m_path *b);

/*
 * lwm2m_path_make - build a path from @len IDs (0..4), e.g.
 * lwm2m_path_make(3, (uint16_t[]){3, 0, 7}).  IDs beyond @len are zeroed.
 * Returns the path; @len above 4 is clamped to 4.
 */
struct lwm2m_path lwm2m_path_make(unsigned len, const uint16_t *ids);

/*
 * lwm2m_path_append - extend @p by one level with @id.
 * Returns 0, -ENOSPC if @p is already four levels deep, or -EINVAL if @id
 * is above LWM2M_ID_MAX.
 */
int lwm2m_path_append(struct lwm2m_path *p, uint32_t id);

#endif
