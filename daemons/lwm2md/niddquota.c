/*
 * niddquota — per-device downlink limits in fixed windows (see niddquota.h).
 */
#include "niddquota.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int niddquota_parse(const char *s, struct niddquota_limit *out)
{
	static const struct {
		const char *name;
		unsigned s;
	} units[] = { { "minute", 60 }, { "hour", 3600 }, { "day", 86400 } };
	char *end;
	unsigned long long n;

	memset(out, 0, sizeof(*out));
	if (!s || !*s || strcmp(s, "0") == 0)
		return 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || n == 0 || *end != '/')
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end + 1, units[i].name) == 0) {
			out->max = n;
			out->window_s = units[i].s;
			return 0;
		}
	return -EINVAL;
}

/* The count of @l's window at @now, started anew when its window changed. */
static uint64_t *current(const struct niddquota_limit *l, time_t *since, uint64_t *used, time_t now)
{
	time_t start = now - now % (time_t)l->window_s;

	if (*since != start) {
		*since = start;
		*used = 0;
	}
	return used;
}

bool niddquota_take(struct niddquota *q, size_t len, time_t now)
{
	uint64_t *m = NULL, *b = NULL;

	if (q->messages.max) {
		m = current(&q->messages, &q->messages_since, &q->messages_used, now);
		if (*m + 1 > q->messages.max)
			return false;
	}
	if (q->bytes.max) {
		b = current(&q->bytes, &q->bytes_since, &q->bytes_used, now);
		if (*b + len > q->bytes.max)
			return false;
	}
	if (m)
		++*m;
	if (b)
		*b += len;
	return true;
}

static json_t *limit_json(const struct niddquota_limit *l, time_t since, uint64_t used, time_t now)
{
	time_t start = now - now % (time_t)l->window_s;

	if (since != start) /* that window is over: nothing used in this one */
		used = 0;
	return json_pack("{s:I, s:s, s:I, s:I}", "limit", (json_int_t)l->max, "per",
			 l->window_s == 60     ? "minute"
			 : l->window_s == 3600 ? "hour"
					       : "day",
			 "used", (json_int_t)used, "resets_in",
			 (json_int_t)(start + l->window_s - now));
}

json_t *niddquota_json(const struct niddquota *q, time_t now)
{
	json_t *o;

	if (!q->messages.max && !q->bytes.max)
		return NULL;
	o = json_object();
	if (q->messages.max)
		json_object_set_new(
			o, "downlink_messages",
			limit_json(&q->messages, q->messages_since, q->messages_used, now));
	if (q->bytes.max)
		json_object_set_new(o, "downlink_bytes",
				    limit_json(&q->bytes, q->bytes_since, q->bytes_used, now));
	return o;
}
