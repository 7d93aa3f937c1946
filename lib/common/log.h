/*
 * log — one line per event: "level component: message key=value…".
 *
 * In the foreground (-f) lines go to stderr; under systemd they go to the
 * journal with PRIORITY and SYSLOG_IDENTIFIER set, so `journalctl -u lwm2md
 * -p warning` works.  The process-wide state (destination, level, daemon
 * name) is set once by log_init(); it is the one global of lib/common, as in
 * OpenBSD's log.c, because every module logs.
 *
 * Each .c file may #define LOG_COMPONENT "ipc" before including this header;
 * otherwise lines carry the daemon's name.
 */
#ifndef LWGATE_COMMON_LOG_H
#define LWGATE_COMMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR = 3, /* values are syslog priorities */
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_JOURNAL,
	LOG_TARGET_AUTO, /* journal if started by systemd, stderr otherwise */
};

/* The level names accepted in config files, in enum order from "error". */
extern const char *const log_level_names[];

/*
 * Set the daemon name (used as SYSLOG_IDENTIFIER and as the component of
 * lines without one), the destination and the threshold.  May be called
 * again (e.g. after a reload); @name must outlive all logging.
 */
void log_init(const char *name, enum log_target target, enum log_level level);

/* Change the threshold; lines above it are dropped. */
void log_set_level(enum log_level level);

/* True when a line at @level would be written (to skip costly formatting). */
bool log_enabled(enum log_level level);

/* Parse "error|warning|notice|info|debug"; returns 0 or -EINVAL. */
int log_level_parse(const char *s, enum log_level *out);

/*
 * Write one line.  @component may be NULL (the daemon name is used).
 * @with_errno appends ": strerror(errno)" to the message, read on entry.
 */
void log_emit(enum log_level level, const char *component, bool with_errno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void log_vemit(enum log_level level, const char *component, bool with_errno, const char *fmt,
	       va_list ap) __attribute__((format(printf, 4, 0)));

/* Write an error line and exit(1); for startup failures only. */
_Noreturn void log_fatal(const char *component, bool with_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifndef LOG_COMPONENT
#define LOG_COMPONENT NULL
#endif

#define log_warn(...)   log_emit(LOG_LEVEL_WARNING, LOG_COMPONENT, true, __VA_ARGS__)
#define log_warnx(...)  log_emit(LOG_LEVEL_WARNING, LOG_COMPONENT, false, __VA_ARGS__)
#define log_error(...)  log_emit(LOG_LEVEL_ERROR, LOG_COMPONENT, false, __VA_ARGS__)
#define log_notice(...) log_emit(LOG_LEVEL_NOTICE, LOG_COMPONENT, false, __VA_ARGS__)
#define log_info(...)   log_emit(LOG_LEVEL_INFO, LOG_COMPONENT, false, __VA_ARGS__)
#define log_debug(...)  log_emit(LOG_LEVEL_DEBUG, LOG_COMPONENT, false, __VA_ARGS__)
#define fatal(...)      log_fatal(LOG_COMPONENT, true, __VA_ARGS__)
#define fatalx(...)     log_fatal(LOG_COMPONENT, false, __VA_ARGS__)

#endif
