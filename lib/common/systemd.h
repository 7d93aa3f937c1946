/*
 * systemd — the two datagram protocols a daemon speaks to systemd: service
 * state to $NOTIFY_SOCKET (sd_notify(3): "READY=1", "WATCHDOG=1", ...) and
 * log records to journald's native socket (systemd.io/JOURNAL_NATIVE_PROTOCOL).
 *
 * Both are stable, documented interfaces that systemd invites programs to
 * speak without libsystemd.  We do: on Debian 12 libsystemd maps libgcrypt,
 * libgpg-error, liblzma, libzstd, liblz4 and libcap into every process that
 * links it, about 1 MB of resident memory per daemon for two sendmsg()
 * calls.  (lwgatectl still uses libsystemd's D-Bus client.)
 */
#ifndef LWGATE_COMMON_SYSTEMD_H
#define LWGATE_COMMON_SYSTEMD_H

#include <stddef.h>
#include <stdint.h>

/* Where journald listens for native records. */
#define SYSTEMD_JOURNAL_SOCKET "/run/systemd/journal/socket"

/* One journal field: an upper-case @name ("MESSAGE") and its value. */
struct systemd_field {
	const char *name;
	const char *value;
};

/*
 * Send @state (newline-separated assignments, "READY=1\nSTATUS=...") to the
 * socket named by $NOTIFY_SOCKET: a path, or an abstract name when it starts
 * with '@'.  Returns 0 when sent or when $NOTIFY_SOCKET is not set (not
 * started by systemd), -EINVAL for an unusable address, or -errno.
 */
int systemd_notify(const char *state);

/*
 * The watchdog interval systemd expects WATCHDOG=1 within, in microseconds,
 * from $WATCHDOG_USEC when $WATCHDOG_PID is unset or names this process;
 * 0 when there is no watchdog.
 */
uint64_t systemd_watchdog_usec(void);

/*
 * Send one journal record of @n fields to the datagram socket at @path
 * (SYSTEMD_JOURNAL_SOCKET): "NAME=value\n" per field, or NAME, a newline, the
 * value's length as 64-bit little-endian and the value when it holds a
 * newline.  Returns 0, -EINVAL for a name that is not a journal field name,
 * or -errno (journald not running: -ENOENT, -ECONNREFUSED).
 */
int systemd_journal_send(const char *path, const struct systemd_field *fields, size_t n);

#endif
