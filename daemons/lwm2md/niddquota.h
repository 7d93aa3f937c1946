/*
 * niddquota — lwm2md's own rate and byte quota per NIDD device
 * (LPW-008): at most N downlink messages and N downlink bytes per fixed
 * window (minute, hour or day since the epoch, as an operator's counters
 * run).  Pure: the time is passed in.
 */
#ifndef LWM2MD_NIDDQUOTA_H
#define LWM2MD_NIDDQUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

struct niddquota_limit {
	uint64_t max;      /* 0: no limit */
	unsigned window_s; /* 60, 3600 or 86400 */
};

/*
 * "N/minute", "N/hour" or "N/day" into *@out; "" or "0" is no limit.
 * Returns 0 or -EINVAL.
 */
int niddquota_parse(const char *s, struct niddquota_limit *out);

struct niddquota {
	struct niddquota_limit messages, bytes;
	time_t messages_since, bytes_since; /* the windows the counts are of */
	uint64_t messages_used, bytes_used;
};

/*
 * May a downlink of @len bytes go at @now?  If so it is counted and true
 * comes back; if a limit would be passed, nothing is counted.
 */
bool niddquota_take(struct niddquota *q, size_t len, time_t now);

/*
 * {"downlink_messages": {limit, per, used, resets_in}, "downlink_bytes":
 * …} for the limits that are set; NULL when none is.
 */
json_t *niddquota_json(const struct niddquota *q, time_t now);

#endif
