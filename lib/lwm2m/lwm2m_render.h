#ifndef LWM2M_RENDER_H
#define LWM2M_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_link.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * The JSON rendering for people (and for `lwgatectl lwm2m`): one member per
 * value, keyed by path, in document order:
 *
 *   {
 *     "base": "/3/0",
 *     "/3/0/0": "Open Mobile Alliance",
 *     "/3/0/9": 100,
 *     "/3/0/13": 1367491215,
 *     "/0/0/3": {"hex": "010203"},
 *     "/3/0/22/0": {"objlnk": "3:1"},
 *     "/3303/0/5700": [{"t": 1000, "v": 21.5}, {"t": 1010, "v": 22.0}],
 *     "names": {"/3": "Device", "/3/0/0": "Manufacturer", ...}
 *   }
 *
 * Strings, numbers and booleans are plain JSON (floats keep a ".0"), Opaque
 * is {"hex": ...}, Objlnk {"objlnk": "O:I"}, no value null, a timed value
 * {"t": T, "v": V}, several values of one path an array.  Members whose key
 * does not start with '/' are metadata: "base" (the document's base path)
 * and "names" (object and resource names from the registry).
 * lwm2m_render_parse reads this back, so the rendering is also the input of
 * `lwgatectl lwm2m encode`.
 */

enum lwm2m_render_flags {
	LWM2M_RENDER_NAMES = 1, /* add the "names" member */
};

/*
 * lwm2m_render_doc - append the rendering of @doc.
 * @reg: for names (may be NULL: no names).
 * @flags: enum lwm2m_render_flags.
 * Returns 0, -EINVAL (a NaN/infinite float), -ENOMEM.
 */
int lwm2m_render_doc(const struct lwm2m_doc *doc, const struct lwm2m_registry *reg, unsigned flags,
		     struct lwm2m_buf *out);

/*
 * lwm2m_render_parse - read a rendering back into @doc.
 * @base: the base path to use, or NULL to take the "base" member (the root
 *        if there is none).
 * @reg: types: a JSON number for a Time or Float resource becomes that type,
 *       a string for an Objlnk resource is parsed as "O:I".
 * Returns 0, -EBADMSG (@err names the member), -ENOMEM.
 */
int lwm2m_render_parse(const char *json, size_t len, const struct lwm2m_path *base,
		       const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		       struct lwm2m_error *err);

/*
 * lwm2m_render_links - append a link list as a JSON array, one object per
 * link: {"link": "/3/0/7", "dim": 2, "pmin": 10, "rt": "oma.lwm2m", "obs": true}
 * (LwM2M attributes as numbers, "ver" as a string, other parameters as
 * strings, bare parameters as true).  @reg adds "name" for paths it knows.
 * Returns 0 or -ENOMEM.
 */
int lwm2m_render_links(const struct lwm2m_link_list *l, const struct lwm2m_registry *reg,
		       struct lwm2m_buf *out);

/*
 * lwm2m_render_parse_links - read such an array back into @l (empty);
 * "name" members are ignored.
 * Returns 0, -EBADMSG (@err names the element), -ENOMEM.
 */
int lwm2m_render_parse_links(const char *json, size_t len, struct lwm2m_link_list *l,
			     struct lwm2m_error *err);

#endif
