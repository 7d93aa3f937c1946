#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common/systemd.h"

const char *const log_level_names[] = { "error", "warning", "notice", "info", "debug", NULL };

static const char *log_name = "lwgate";
static enum log_level log_threshold = LOG_LEVEL_INFO;
static bool log_to_journal;

/* systemd sets JOURNAL_STREAM for a service whose stderr is the journal. */
static bool started_by_systemd(void)
{
	return getenv("JOURNAL_STREAM") != NULL || getenv("INVOCATION_ID") != NULL;
}

void log_init(const char *name, enum log_target target, enum log_level level)
{
	log_name = name;
	log_threshold = level;
	if (target == LOG_TARGET_AUTO)
		log_to_journal = started_by_systemd();
	else
		log_to_journal = target == LOG_TARGET_JOURNAL;
}

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

bool log_enabled(enum log_level level)
{
	return level <= log_threshold;
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; log_level_names[i]; i++) {
		if (strcmp(s, log_level_names[i]) == 0) {
			*out = (enum log_level)(LOG_LEVEL_ERROR + i);
			return 0;
		}
	}
	return -EINVAL;
}

static const char *level_name(enum log_level level)
{
	if (level < LOG_LEVEL_ERROR)
		return "error";
	if (level > LOG_LEVEL_DEBUG)
		return "debug";
	return log_level_names[level - LOG_LEVEL_ERROR];
}

/* The record journald gets: the line as on stderr, its priority, who said it. */
static int journal(enum log_level level, const char *component, const char *msg)
{
	char message[1200], priority[12];
	const struct systemd_field fields[] = {
		{ "MESSAGE", message },
		{ "PRIORITY", priority },
		{ "SYSLOG_IDENTIFIER", log_name },
		{ "LWGATE_COMPONENT", component },
	};

	snprintf(message, sizeof(message), "%s: %s", component, msg);
	snprintf(priority, sizeof(priority), "%d", (int)level);
	return systemd_journal_send(SYSTEMD_JOURNAL_SOCKET, fields,
				    sizeof(fields) / sizeof(fields[0]));
}

void log_vemit(enum log_level level, const char *component, bool with_errno, const char *fmt,
	       va_list ap)
{
	int saved_errno = errno;
	char msg[1024];
	int n;

	if (!log_enabled(level))
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(saved_errno));
	if (!component)
		component = log_name;

	if (log_to_journal && journal(level, component, msg) == 0) {
		errno = saved_errno;
		return;
	}
	fprintf(stderr, "%s %s: %s\n", level_name(level), component, msg);
	errno = saved_errno;
}

void log_emit(enum log_level level, const char *component, bool with_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(level, component, with_errno, fmt, ap);
	va_end(ap);
}

_Noreturn void log_fatal(const char *component, bool with_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_LEVEL_ERROR, component, with_errno, fmt, ap);
	va_end(ap);
	exit(1);
}
