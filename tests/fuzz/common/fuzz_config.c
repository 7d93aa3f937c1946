/*
 * The INI loader on arbitrary files: it must never crash or leak, and
 * whatever it accepts must print (--print-config) to a file that loads
 * back to the same configuration.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/config.h"

struct fuzz_config {
	char *name;
	int port;
	bool flag;
	int mode;
	char *other;
	char *listen;
	char *peer;
};

static const char *const modes[] = { "a", "b", "c", NULL };

static const struct config_key keys[] = {
	{ "daemon", "name", CONFIG_STRING, offsetof(struct fuzz_config, name), "x", 0, 0, NULL,
	  false, "string" },
	{ "daemon", "port", CONFIG_INT, offsetof(struct fuzz_config, port), "1", -5, 70000, NULL,
	  true, "int" },
	{ "daemon", "flag", CONFIG_BOOL, offsetof(struct fuzz_config, flag), "no", 0, 0, NULL, true,
	  "bool" },
	{ "other", "mode", CONFIG_ENUM, offsetof(struct fuzz_config, mode), "b", 0, 0, modes, false,
	  "enum" },
	{ "other", "path", CONFIG_STRING, offsetof(struct fuzz_config, other), "", 0, 0, NULL,
	  false, "string" },
	{ "daemon", "listen", CONFIG_ADDRESS, offsetof(struct fuzz_config, listen), "::", 0, 0,
	  NULL, false, "address", CONFIG_ADDR_ZONE },
	{ "other", "peer", CONFIG_ADDRESS, offsetof(struct fuzz_config, peer), "", 0, 0, NULL,
	  false, "address:port", CONFIG_ADDR_PORT | CONFIG_ADDR_EMPTY | CONFIG_ADDR_ZONE },
	CONFIG_KEY_END,
};

static int memfile(const void *data, size_t len, char *path, size_t path_len)
{
	int fd = memfd_create("fuzz.ini", 0);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	snprintf(path, path_len, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_config a = { 0 }, b = { 0 };
	struct config_error err;
	char path[64], *text = NULL;
	size_t len = 0;
	int fd = memfile(data, size, path, sizeof(path));
	FILE *out;

	if (config_load(keys, &a, path, NULL, &err) < 0) {
		close(fd);
		return 0;
	}
	close(fd);
	out = open_memstream(&text, &len);
	config_print(keys, &a, "fuzz", out);
	fclose(out);
	fd = memfile(text, len, path, sizeof(path));
	if (config_load(keys, &b, path, NULL, &err) < 0)
		abort(); /* printed config does not load */
	for (const struct config_key *k = keys; k->section; k++)
		if (!config_key_equal(k, &a, &b))
			abort(); /* printed config loads to something else */
	close(fd);
	free(text);
	config_clear(keys, &a);
	config_clear(keys, &b);
	return 0;
}
