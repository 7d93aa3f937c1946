/*
 * idsfile — the endpoint ID mapping file that `[lwm2m] ids_file` names:
 * one endpoint per line,
 *
 *     # EP = app_id=ID, external_id=ID
 *     meter-1 = app_id=metering, external_id=ext-0001@nidd.example
 *     urn:imei:490154203237518 = external_id=490154203237518@nidd.example
 *
 * The endpoint name runs to the first '=' (so it may hold ':', as URNs
 * do); then comes at least one of app_id= and external_id=, separated by
 * commas.  Blank lines and lines starting with '#' or ';' are skipped.
 * Spaces and tabs around names and values are dropped.  Names and values
 * are 1 to IDSFILE_NAME_MAX bytes.  A pure parser: the text in, one
 * callback per entry out.
 */
#ifndef LWM2MD_IDSFILE_H
#define LWM2MD_IDSFILE_H

#include <stddef.h>

#define IDSFILE_NAME_MAX 255

/* One line; the strings point into the parsed text (not NUL-terminated). */
struct idsfile_entry {
	const char *ep;
	size_t ep_len;
	const char *app_id; /* NULL when the line has none */
	size_t app_len;
	const char *external_id; /* NULL when the line has none */
	size_t ext_len;
	unsigned line; /* 1-based */
};

/* Called for each entry; a negative return stops the parse and is returned. */
typedef int (*idsfile_cb)(void *arg, const struct idsfile_entry *e);

/*
 * idsfile_parse - parse @len bytes of @text, calling @cb for each entry in
 * order.  Returns 0; -EINVAL for a malformed line, with the reason in @why
 * (@size bytes) and its number in *@line; or what @cb returned (*@line is
 * then the entry's line).
 */
int idsfile_parse(const char *text, size_t len, idsfile_cb cb, void *arg, char *why, size_t size,
		  unsigned *line);

#endif
