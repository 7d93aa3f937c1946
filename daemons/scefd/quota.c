/*
 * quota — per-device rate control and byte quotas (see quota.h).
 */
#include "quota.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TS 23.401 4.7.7.2: serving PLMN rate control counts per 6 minutes. */
#define PLMN_PERIOD 360

static const char *const keys[QUOTA_COUNT] = { "plmn_ul", "plmn_dl", "apn_ul",
					       "apn_dl",  "bytes_ul", "bytes_dl" };

static const char *const descriptions[QUOTA_COUNT] = {
	"serving PLMN rate control (uplink)", "serving PLMN rate control (downlink)",
	"APN rate control (uplink)",          "APN rate control (downlink)",
	"byte quota (uplink)",                "byte quota (downlink)",
};

const char *quota_key(enum quota_kind k)
{
	return (unsigned)k < QUOTA_COUNT ? keys[k] : "?";
}

const char *quota_describe(enum quota_kind k)
{
	return (unsigned)k < QUOTA_COUNT ? descriptions[k] : "?";
}

static int unit_seconds(const char *unit, unsigned *out)
{
	static const struct {
		const char *name;
		unsigned s;
	} units[] = { { "minute", 60 }, { "hour", 3600 }, { "day", 86400 } };
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].name) == 0) {
			*out = units[i].s;
			return 0;
		}
	return -EINVAL;
}

int quota_set(struct quota_limit *lims, const char *key, const char *value)
{
	int k = 0;
	while (k < QUOTA_COUNT && strcmp(key, keys[k]) != 0)
		k++;
	if (k == QUOTA_COUNT)
		return -ENOENT;
	struct quota_limit l = { 0, k <= QUOTA_PLMN_DL ? PLMN_PERIOD : 0 };
	if (!*value) {
		lims[k] = l;
		return 0;
	}
	char *end;
	if (*value < '0' || *value > '9')
		return -EINVAL;
	unsigned long long n = strtoull(value, &end, 10);
	/* 2^40: beyond any quota, and far from overflowing a counter. */
	if (n > (1ULL << 40))
		return -EINVAL;
	l.n = n;
	if (k <= QUOTA_PLMN_DL) {
		if (*end)
			return -EINVAL;
	} else if (n == 0 && !*end) {
		l.period = 0;
	} else if (*end != '/' || unit_seconds(end + 1, &l.period) < 0) {
		return -EINVAL;
	}
	if (n == 0)
		l.period = k <= QUOTA_PLMN_DL ? PLMN_PERIOD : 0;
	lims[k] = l;
	return 0;
}

int quota_option(struct quota_limit *lims, const char *opt)
{
	const char *eq = strchr(opt, '=');
	char key[16];
	if (!eq || (size_t)(eq - opt) >= sizeof(key))
		return -ENOENT;
	memcpy(key, opt, (size_t)(eq - opt));
	key[eq - opt] = '\0';
	return quota_set(lims, key, eq + 1);
}

/* The count of @k in the window of @now (a past window counts nothing). */
static uint64_t used_now(const struct device_quota *q, int k, time_t now, time_t *window)
{
	unsigned p = q->lim[k].period ? q->lim[k].period : 1;
	*window = now - now % p;
	return q->cnt[k].window == *window ? q->cnt[k].used : 0;
}

bool quota_take(struct device_quota *q, bool uplink, size_t bytes, time_t now,
		struct quota_hit *hit)
{
	const int dir = uplink ? 0 : 1;
	time_t window[QUOTA_COUNT];
	uint64_t used[QUOTA_COUNT];
	/* Every limit of the direction is checked before any is counted. */
	for (int k = dir; k < QUOTA_COUNT; k += 2) {
		used[k] = used_now(q, k, now, &window[k]);
		uint64_t add = k >= QUOTA_BYTES_UL ? bytes : 1;
		if (q->lim[k].n && used[k] + add > q->lim[k].n) {
			*hit = (struct quota_hit){ (enum quota_kind)k, q->lim[k].n, used[k],
						   window[k] + q->lim[k].period };
			if (uplink)
				q->refused_ul++;
			else
				q->refused_dl++;
			return false;
		}
	}
	for (int k = dir; k < QUOTA_COUNT; k += 2) {
		q->cnt[k].window = window[k];
		q->cnt[k].used = used[k] + (k >= QUOTA_BYTES_UL ? bytes : 1);
	}
	return true;
}

static const char *unit_name(unsigned period)
{
	switch (period) {
	case 60:
		return "minute";
	case 3600:
		return "hour";
	case 86400:
		return "day";
	default:
		return "6 minutes";
	}
}

json_t *quota_json(const struct device_quota *q, time_t now)
{
	json_t *o = json_object();
	for (int k = 0; k < QUOTA_COUNT; k++) {
		time_t window;
		uint64_t used = used_now(q, k, now, &window);
		json_t *l = q->lim[k].n ? json_pack("{s:I, s:s, s:I, s:I}", "limit",
						    (json_int_t)q->lim[k].n, "per",
						    unit_name(q->lim[k].period), "used",
						    (json_int_t)used, "resets_in",
						    (json_int_t)(window + q->lim[k].period - now))
					: json_pack("{s:n}", "limit");
		json_object_set_new(o, keys[k], l);
	}
	json_object_set_new(o, "refused_uplinks", json_integer((json_int_t)q->refused_ul));
	json_object_set_new(o, "refused_downlinks", json_integer((json_int_t)q->refused_dl));
	return o;
}
