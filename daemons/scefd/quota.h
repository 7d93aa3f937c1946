/*
 * quota — the limits an operator puts on a device's non-IP data, counted
 * per device and direction (LwM2M LPW-008/009 ask a server to know them):
 *
 *   - serving PLMN rate control (TS 23.401 4.7.7.2): at most N messages
 *     per 6-minute interval, uplink and downlink;
 *   - APN rate control (TS 23.401 4.7.7.3): at most N messages per
 *     minute, hour or day, uplink and downlink;
 *   - byte quotas: at most N bytes per minute, hour or day each way.
 *
 * Each is counted in fixed windows (the 6-minute interval, the minute,
 * the hour or the day since the epoch), as a network's counters are.
 * Pure: the caller gives the time.
 */
#ifndef LWGATE_SCEFD_QUOTA_H
#define LWGATE_SCEFD_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

/* The limits, in the order of their INI keys. */
enum quota_kind {
	QUOTA_PLMN_UL,
	QUOTA_PLMN_DL,
	QUOTA_APN_UL,
	QUOTA_APN_DL,
	QUOTA_BYTES_UL,
	QUOTA_BYTES_DL,
	QUOTA_COUNT,
};

/* N per @period seconds; n 0: no limit. */
struct quota_limit {
	uint64_t n;
	unsigned period;
};

struct quota_counter {
	time_t window; /* start of the window the count is of */
	uint64_t used;
};

struct device_quota {
	struct quota_limit lim[QUOTA_COUNT];
	struct quota_counter cnt[QUOTA_COUNT];
	uint64_t refused_ul, refused_dl;
};

/* The INI/command key of @k: "plmn_ul", "apn_dl", "bytes_ul", … */
const char *quota_key(enum quota_kind k);

/*
 * Parse @value for limit @key into @lims: "N" for plmn_* (per 6 minutes),
 * "N/minute|hour|day" for apn_* and bytes_*; "" or "0" is no limit.
 * Returns 0, -ENOENT when @key is no quota key, or -EINVAL.
 */
int quota_set(struct quota_limit *lims, const char *key, const char *value);

/* "KEY=VALUE" (a device item option) into @lims; as quota_set(). */
int quota_option(struct quota_limit *lims, const char *opt);

/* What a refusal says: the limit reached, its use and when it resets. */
struct quota_hit {
	enum quota_kind kind;
	uint64_t limit, used;
	time_t resets;
};

/*
 * May one message of @bytes go @uplink (else downlink) at @now?  Yes:
 * counted, returns true.  No: *@hit says which limit, nothing is counted
 * but the refusal, returns false.
 */
bool quota_take(struct device_quota *q, bool uplink, size_t bytes, time_t now,
		struct quota_hit *hit);

/* "serving PLMN rate control (uplink)", … for a problem's detail. */
const char *quota_describe(enum quota_kind k);

/* The limits and their use at @now, for `lwgatectl scefd quota`. */
json_t *quota_json(const struct device_quota *q, time_t now);

#endif
