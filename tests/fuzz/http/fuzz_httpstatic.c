/*
 * fuzz_httpstatic: any request path through httpstatic_name; a name it
 * accepts must be a plain file name in the folder (no '/', no leading
 * dot, no "..", only the allowed bytes) that fits the buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/httpstatic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = malloc(size + 1), name[128];
	if (!path)
		abort();
	memcpy(path, data, size);
	path[size] = '\0';
	if (httpstatic_name("/ui/", path, name, sizeof(name)) == 0) {
		size_t n = strnlen(name, sizeof(name));
		if (n == 0 || n == sizeof(name) || name[0] == '.' || strchr(name, '/') ||
		    strspn(name,
			   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
			    n)
			abort();
	}
	free(path);
	return 0;
}
