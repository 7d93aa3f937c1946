/*
 * lwgatectl's command-line words (cliargs) for lwm2md's write command as
 * its "help" describes it: the input, split at NUL bytes, is the words.
 * Properties: no crash; a parse gives an object whose every member is a
 * declared argument; a refusal is -EINVAL with a reason.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cliargs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 16

static const char help[] =
	"[{\"command\":\"write\",\"args\":["
	"{\"name\":\"ep\",\"type\":\"string\",\"required\":false,\"positional\":true},"
	"{\"name\":\"external_id\",\"type\":\"string\",\"required\":false,\"positional\":false},"
	"{\"name\":\"path\",\"type\":\"string\",\"required\":true,\"positional\":true},"
	"{\"name\":\"value\",\"type\":\"any\",\"required\":false,\"positional\":true},"
	"{\"name\":\"values\",\"type\":\"object\",\"required\":false,\"positional\":false},"
	"{\"name\":\"format\",\"type\":\"string\",\"required\":false,\"positional\":false}]}]";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *root, *spec; /* kept for the whole run */
	char *copy = malloc(size + 1), *words[MAX_WORDS];
	int argc = 0;
	json_t *args;
	char why[256] = "";
	const char *key;
	json_t *v;

	if (!root) {
		root = json_loads(help, 0, NULL);
		spec = json_object_get(cliargs_command(root, "write"), "args");
	}
	if (!copy || !spec)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *p = copy; argc < MAX_WORDS && p <= copy + size; p += strlen(p) + 1)
		words[argc++] = p;
	if (cliargs_parse(spec, argc, words, &args, why, sizeof(why)) < 0) {
		if (!why[0])
			abort();
	} else {
		json_object_foreach (args, key, v)
			if (!cliargs_declares(spec, key))
				abort();
		json_decref(args);
	}
	free(copy);
	return 0;
}
