/*
 * lwm2m_builtin — the object definitions compiled into the programs: the
 * OMA core objects 0-7 and the others shipped in conf/objects, embedded
 * from their DDF files at build time (embed_ddf.py), so that values are
 * typed and named without installed files.  A folder of DDF files loaded
 * first adds to them and overrides them object by object.
 */
#ifndef LWM2M_BUILTIN_H
#define LWM2M_BUILTIN_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_registry.h"

#define LWM2M_BUILTIN_PREFIX "built-in:" /* the "file" of a built-in definition */

/* One embedded DDF file. */
struct lwm2m_builtin_ddf {
	const char *name; /* "3.xml" */
	const uint8_t *data;
	size_t len;
};

extern const struct lwm2m_builtin_ddf lwm2m_builtin_ddfs[];
extern const size_t lwm2m_builtin_count;

/*
 * lwm2m_builtin_load - add the built-in definitions of the objects @r does
 * not define yet (so load a folder first to override them).  Each comes
 * from the "file" "built-in:3.xml".
 * @on_error: told about a built-in file that does not load (a build
 *            problem, not the user's); may be NULL.
 * Returns the number of files added.
 */
int lwm2m_builtin_load(struct lwm2m_registry *r, lwm2m_registry_error_fn *on_error, void *arg);

/* lwm2m_builtin_is - whether @def came from the built-in definitions. */
bool lwm2m_builtin_is(const struct lwm2m_obj_def *def);

#endif
