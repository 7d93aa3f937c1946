#include "common/systemd.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* Records carry a handful of fields; five iovecs each at most. */
#define JOURNAL_MAX_FIELDS 16

/* A path or '@' + abstract name into @sun; its address length, or -EINVAL. */
static int unix_address(const char *name, struct sockaddr_un *sun)
{
	size_t len = strlen(name);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if ((name[0] != '/' && name[0] != '@') || len < 2 || len > sizeof(sun->sun_path))
		return -EINVAL;
	if (name[0] == '/' && len == sizeof(sun->sun_path))
		return -EINVAL; /* no room for the terminating NUL */
	memcpy(sun->sun_path, name, len);
	if (name[0] == '@')
		sun->sun_path[0] = '\0';
	return (int)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '/'));
}

/* One datagram of @iov to the socket named @name; 0 or -errno. */
static int send_datagram(const char *name, struct iovec *iov, size_t iovlen)
{
	struct sockaddr_un sun;
	struct msghdr mh = { .msg_name = &sun, .msg_iov = iov, .msg_iovlen = iovlen };
	int len = unix_address(name, &sun), fd, rc = 0;

	if (len < 0)
		return len;
	mh.msg_namelen = (socklen_t)len;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int systemd_notify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct iovec iov = { .iov_base = (void *)state, .iov_len = strlen(state) };

	if (!name || !name[0])
		return 0;
	return send_datagram(name, &iov, 1);
}

uint64_t systemd_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	if (!usec)
		return 0;
	/* set for the main process only; a child that inherited it must not answer */
	if (pid && strtol(pid, &end, 10) != (long)getpid())
		return 0;
	errno = 0;
	v = strtoull(usec, &end, 10);
	if (errno || end == usec || *end || usec[0] == '-')
		return 0;
	return (uint64_t)v;
}

/* journald's rule: upper-case letters, digits and '_', not first a digit; '_' fields are its own.
 */
static bool field_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 64 || s[0] == '_' || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	}
	return true;
}

int systemd_journal_send(const char *path, const struct systemd_field *fields, size_t n)
{
	struct iovec iov[5 * JOURNAL_MAX_FIELDS];
	uint8_t sizes[JOURNAL_MAX_FIELDS][8];
	size_t k = 0;

	if (n == 0 || n > JOURNAL_MAX_FIELDS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const char *v = fields[i].value;
		size_t len = strlen(v);

		if (!field_name_ok(fields[i].name))
			return -EINVAL;
		iov[k++] = (struct iovec){ (void *)fields[i].name, strlen(fields[i].name) };
		if (memchr(v, '\n', len)) {
			/* the binary form: the value's size as 64-bit little-endian, then the value
			 */
			for (int b = 0; b < 8; b++)
				sizes[i][b] = (uint8_t)((uint64_t)len >> (8 * b));
			iov[k++] = (struct iovec){ "\n", 1 };
			iov[k++] = (struct iovec){ sizes[i], 8 };
		} else {
			iov[k++] = (struct iovec){ "=", 1 };
		}
		iov[k++] = (struct iovec){ (void *)v, len };
		iov[k++] = (struct iovec){ "\n", 1 };
	}
	return send_datagram(path, iov, k);
}
