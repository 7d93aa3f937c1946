/*
 * cmdvalue — one resource's value as an operator types it on the command
 * line (`lwgatectl lwm2md write dev7 /1/0/1 120`), typed by the object
 * definitions: the text/plain forms of LwM2M TS Core §7.4.1 (lib/lwm2m's
 * text decoder: decimal numbers, Boolean 0/1, Objlnk O:I, Opaque in
 * base64), and what people also write: Boolean true/false, Opaque in hex
 * after "0x", Time as an ISO 8601 UTC date (2026-12-06T21:00:00Z).
 * Pure: no I/O, for lwm2md's write command, its unit test and fuzz target.
 */
#ifndef LWM2MD_CMDVALUE_H
#define LWM2MD_CMDVALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * Does @reg give the resource at @path a type that a string does not
 * already carry (a value, but not String or Corelnk)?  Then a string argument
 * is a cmdvalue_parse() text; otherwise it stays a string.
 */
bool cmdvalue_typed(const struct lwm2m_registry *reg, const struct lwm2m_path *path);

/*
 * Parse @text (@len bytes) as the value of the resource (or resource
 * instance) @path, of the type @reg gives it, and add it to @doc.  Returns
 * 0; -EBADMSG with @err naming the resource, its type and the forms it
 * takes; -EINVAL when @path is not a resource of a known, writable type;
 * -ENOMEM.
 */
int cmdvalue_parse(const char *text, size_t len, const struct lwm2m_path *path,
		   const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		   struct lwm2m_error *err);

#endif
