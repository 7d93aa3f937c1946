/*
 * httpstatic — a folder of static files (the web console) served under
 * one URL prefix.  Only plain names ([A-Za-z0-9._-], not starting with a
 * dot) directly in the folder are served, so no request can climb out of
 * it or reach a hidden file; the type comes from the extension; files are
 * read whole, at most HTTPSTATIC_MAX_FILE bytes.  No authentication: the
 * files hold no data, the pages ask for the API's token themselves.
 */
#ifndef LWGATE_HTTP_HTTPSTATIC_H
#define LWGATE_HTTP_HTTPSTATIC_H

#include <stdbool.h>
#include <stddef.h>

#include "http/httpsrv.h"

#define HTTPSTATIC_MAX_FILE (1024 * 1024)

/*
 * The file name @path asks for under @prefix ("/ui/"): "index.html" for
 * the prefix itself (or the prefix without its last '/'), else the rest
 * of the path.  Returns 0 and @name, -ENOENT when @path is not under
 * @prefix, -EINVAL when the name is not a plain one (see above).  Pure.
 */
int httpstatic_name(const char *prefix, const char *path, char *name, size_t size);

/* The media type for file name @name by its extension (octet-stream if unknown). Pure. */
const char *httpstatic_type(const char *name);

/*
 * Answer @ex, whose path is under @prefix, with the file from folder @dir:
 * 200 (GET), 404 (no such plain file), 405 (other methods).
 */
void httpstatic_serve(struct http_exchange *ex, const char *dir, const char *prefix);

#endif
