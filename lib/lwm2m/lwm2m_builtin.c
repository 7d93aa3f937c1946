/*
 * lwm2m_builtin — the compiled-in object definitions (see lwm2m_builtin.h).
 */
#include "lwm2m/lwm2m_builtin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int lwm2m_builtin_load(struct lwm2m_registry *r, lwm2m_registry_error_fn *on_error, void *arg)
{
	int n = 0;

	for (size_t i = 0; i < lwm2m_builtin_count; i++) {
		const struct lwm2m_builtin_ddf *d = &lwm2m_builtin_ddfs[i];
		struct lwm2m_error err = { 0 };
		char name[64];
		int rc;

		snprintf(name, sizeof(name), "%s%s", LWM2M_BUILTIN_PREFIX, d->name);
		rc = lwm2m_registry_load_buffer(r, name, d->data, d->len, &err);
		if (rc == 0)
			n++;
		else if (rc != -EEXIST && on_error)
			on_error(arg, name, &err);
		/* -EEXIST: the folder defines that object, and wins */
	}
	return n;
}

bool lwm2m_builtin_is(const struct lwm2m_obj_def *def)
{
	return def->file &&
	       strncmp(def->file, LWM2M_BUILTIN_PREFIX, strlen(LWM2M_BUILTIN_PREFIX)) == 0;
}
