/*
 * The endpoint ID mapping file parser of lwm2md (idsfile), fed the whole
 * input as file text.  Properties: no crash; every entry it gives has an
 * endpoint name and at least one name, each 1 to 255 bytes, inside the
 * input, without blanks at either end; its lines rise; on an error the
 * reason is set and the line number is within the input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idsfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	const char *text;
	size_t len;
	unsigned last_line;
};

static void check_name(const struct ctx *c, const char *s, size_t n)
{
	if (!n || n > IDSFILE_NAME_MAX || s < c->text || s + n > c->text + c->len)
		abort();
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    memchr(s, '\n', n))
		abort();
}

static int entry(void *arg, const struct idsfile_entry *e)
{
	struct ctx *c = arg;

	check_name(c, e->ep, e->ep_len);
	if (!e->app_id && !e->external_id)
		abort();
	if (e->app_id)
		check_name(c, e->app_id, e->app_len);
	if (e->external_id)
		check_name(c, e->external_id, e->ext_len);
	if (e->line <= c->last_line)
		abort();
	c->last_line = e->line;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = { (const char *)data, size, 0 };
	char why[128];
	unsigned line;
	int rc = idsfile_parse((const char *)data, size, entry, &c, why, sizeof(why), &line);

	if (rc < 0 && (rc != -EINVAL || !why[0] || line == 0 || line > size + 1))
		abort();
	return 0;
}
