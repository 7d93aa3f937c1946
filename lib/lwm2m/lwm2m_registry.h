#ifndef LWM2M_REGISTRY_H
#define LWM2M_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_value.h"

/*
 * Object definitions loaded from OMA DDF XML files (the format of the OMA
 * LwM2M object registry), parsed with expat (lwm2m_xml.h).  Lookups are binary searches
 * over sorted arrays; the registry is read-only once loaded and can be shared.
 */

/* Operations a resource allows (DDF <Operations>: R, W, RW, E or empty). */
enum lwm2m_ops {
	LWM2M_OP_READ = 1,
	LWM2M_OP_WRITE = 2,
	LWM2M_OP_EXECUTE = 4,
};

struct lwm2m_res_def {
	uint16_t id;
	char *name;
	unsigned ops; /* enum lwm2m_ops bits */
	bool multiple;
	bool mandatory;
	enum lwm2m_type type; /* NONE for executable resources */
	char *range;          /* <RangeEnumeration>, "" if none */
	char *units;          /* <Units>, "" if none */
};

struct lwm2m_obj_def {
	uint16_t id;
	char *name;
	char *urn;           /* <ObjectURN>, "" if absent */
	char *version;       /* <ObjectVersion>, "1.0" if absent (the DDF default) */
	char *lwm2m_version; /* <LWM2MVersion>, "1.0" if absent */
	bool multiple;
	bool mandatory;
	struct lwm2m_res_def *res; /* sorted by id */
	size_t nres;
	char *file; /* the file it came from */
};

struct lwm2m_registry;

/* lwm2m_registry_new - an empty registry.  Returns NULL when out of memory. */
struct lwm2m_registry *lwm2m_registry_new(void);

/* lwm2m_registry_free - free @r and all definitions (NULL is fine). */
void lwm2m_registry_free(struct lwm2m_registry *r);

/*
 * lwm2m_registry_load_file - parse one DDF file and add its objects.
 * On any error nothing from the file is added and @err names the file, the
 * line and the element ("conf/objects/3.xml:42: <Type>: unknown type 'Strng'").
 * Returns 0, -ENOENT/-EACCES (cannot read), -EBADMSG (malformed XML or DDF),
 * -EEXIST (an object ID already loaded) or -ENOMEM.
 */
int lwm2m_registry_load_file(struct lwm2m_registry *r, const char *path, struct lwm2m_error *err);

/*
 * lwm2m_registry_load_buffer - like load_file, from memory; @name is used in
 * messages.  Returns the same codes.
 */
int lwm2m_registry_load_buffer(struct lwm2m_registry *r, const char *name, const uint8_t *buf,
			       size_t len, struct lwm2m_error *err);

/*
 * Called by lwm2m_registry_load_dir for each file it could not load; the
 * file is skipped and loading goes on.
 */
typedef void lwm2m_registry_error_fn(void *arg, const char *path, const struct lwm2m_error *err);

/*
 * lwm2m_registry_load_dir - load every "*.xml" in @dir (in name order).
 * @on_error: told about each bad file (may be NULL); a bad file never stops
 *            the others from loading, so a daemon starts without it.
 * @arg: passed to @on_error.
 * Returns the number of files loaded, or -errno if @dir cannot be read.
 */
int lwm2m_registry_load_dir(struct lwm2m_registry *r, const char *dir,
			    lwm2m_registry_error_fn *on_error, void *arg);

/* lwm2m_registry_object - the definition of object @id, or NULL.  @r may be NULL. */
const struct lwm2m_obj_def *lwm2m_registry_object(const struct lwm2m_registry *r, uint16_t id);

/* lwm2m_registry_resource - the definition of /obj/x/res, or NULL.  @r may be NULL. */
const struct lwm2m_res_def *lwm2m_registry_resource(const struct lwm2m_registry *r, uint16_t obj,
						    uint16_t res);

/*
 * lwm2m_registry_type_of - the data type of the resource (or resource
 * instance) @p names.
 * Returns true and sets @out if the resource is known (its type may be NONE
 * for an executable resource); false if @p is shorter than a resource path
 * or the object or resource is unknown.
 */
bool lwm2m_registry_type_of(const struct lwm2m_registry *r, const struct lwm2m_path *p,
			    enum lwm2m_type *out);

/* lwm2m_registry_count - the number of objects loaded. */
size_t lwm2m_registry_count(const struct lwm2m_registry *r);

/* lwm2m_registry_at - the @i-th object in ID order (i < count), for listing. */
const struct lwm2m_obj_def *lwm2m_registry_at(const struct lwm2m_registry *r, size_t i);

#endif
