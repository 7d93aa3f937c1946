#include "http/httpstatic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int httpstatic_name(const char *prefix, const char *path, char *name, size_t size)
{
	size_t pl = strlen(prefix);
	const char *rest;
	if (strncmp(path, prefix, pl) == 0)
		rest = path + pl;
	else if (pl > 1 && strncmp(path, prefix, pl - 1) == 0 && path[pl - 1] == '\0')
		rest = "";
	else
		return -ENOENT;
	if (*rest == '\0')
		rest = "index.html";
	size_t n = strlen(rest);
	/* a plain name only: no '/', no '%' escapes, no "..", no dot files */
	if (n >= size || rest[0] == '.')
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = rest[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return -EINVAL;
	}
	memcpy(name, rest, n + 1);
	return 0;
}

const char *httpstatic_type(const char *name)
{
	static const char *const types[][2] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".json", "application/json" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i][0]) == 0)
			return types[i][1];
	return "application/octet-stream";
}

/* Read regular file @dir/@name whole: 0 with a malloc'd @buf, or -errno. */
static int read_file(const char *dir, const char *name, char **buf, size_t *len)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = -ENOENT;
	else if (st.st_size > HTTPSTATIC_MAX_FILE)
		rc = -EFBIG;
	char *b = NULL;
	size_t got = 0;
	if (rc == 0) {
		b = malloc((size_t)st.st_size + 1);
		if (!b)
			abort();
		while (got < (size_t)st.st_size) {
			ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				rc = r < 0 ? -errno : -EIO;
				break;
			}
			got += (size_t)r;
		}
	}
	close(fd);
	if (rc < 0) {
		free(b);
		return rc;
	}
	*buf = b;
	*len = got;
	return 0;
}

void httpstatic_serve(struct http_exchange *ex, const char *dir, const char *prefix)
{
	const struct http_request *req = http_exchange_request(ex);
	if (strcmp(req->method, "GET") != 0) {
		http_exchange_add_header(ex, "allow", "GET");
		http_exchange_problem(ex, 405, NULL, NULL);
		return;
	}
	char name[128], *body = NULL;
	size_t len = 0;
	if (httpstatic_name(prefix, req->path, name, sizeof(name)) < 0 ||
	    read_file(dir, name, &body, &len) < 0) {
		http_exchange_problem(ex, 404, NULL, "no such file of the console");
		return;
	}
	/* the files change with the package: always revalidate, never stale */
	http_exchange_add_header(ex, "cache-control", "no-cache");
	http_exchange_add_header(ex, "x-content-type-options", "nosniff");
	http_exchange_respond(ex, 200, httpstatic_type(name), body, len);
	free(body);
}
