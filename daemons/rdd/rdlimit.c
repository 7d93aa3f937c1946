/*
 * Registration caps and per-source token buckets (see rdlimit.h).
 */
#define LOG_COMPONENT "limit"

#include "rdlimit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/log.h"

#define MILLI 1000u /* a token in thousandths, so that refills need no floating point */

struct bucket {
	uint8_t addr[16]; /* IPv6, or IPv4-mapped */
	bool used;
	uint32_t tokens;        /* thousandths of a token */
	int64_t last_ms;        /* when tokens was right */
	int64_t quiet_until_ms; /* refusals of this source are not logged before */
};

struct rdlimit {
	struct rdlimit_config cfg;
	struct bucket *table;
	size_t sets;                           /* a power of 2; RDLIMIT_WAYS buckets each */
	uint64_t key;                          /* of the hash, drawn at start */
	int64_t quiet_regs_ms, quiet_links_ms; /* the caps' log intervals */
	struct rdlimit_stats stats;
};

int rdlimit_new(const struct rdlimit_config *cfg, struct rdlimit **out)
{
	struct rdlimit *l = calloc(1, sizeof(*l));
	size_t want = cfg->sources ? cfg->sources : 1;

	if (!l)
		return -ENOMEM;
	l->cfg = *cfg;
	for (l->sets = 1; l->sets * RDLIMIT_WAYS < want; l->sets *= 2)
		;
	l->table = calloc(l->sets * RDLIMIT_WAYS, sizeof(*l->table));
	if (!l->table) {
		free(l);
		return -ENOMEM;
	}
	if (getrandom(&l->key, sizeof(l->key), 0) != (ssize_t)sizeof(l->key))
		abort(); /* the kernel's random source never fails once booted */
	*out = l;
	return 0;
}

void rdlimit_free(struct rdlimit *l)
{
	if (!l)
		return;
	free(l->table);
	free(l);
}

void rdlimit_set_config(struct rdlimit *l, const struct rdlimit_config *cfg)
{
	unsigned sources = l->cfg.sources;

	l->cfg = *cfg;
	l->cfg.sources = sources;
}

/* The address of @sa as 16 bytes; false for a family that has none. */
static bool address_of(const struct sockaddr *sa, uint8_t out[16])
{
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return true;
	}
	if (sa->sa_family == AF_INET) {
		static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

		memcpy(out, mapped, 12);
		memcpy(out + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	return false;
}

/* FNV-1a over the key and the address: the set, unpredictable from outside. */
static size_t set_of(const struct rdlimit *l, const uint8_t addr[16])
{
	uint64_t h = 14695981039346656037ull ^ l->key;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 32)) & (l->sets - 1);
}

/* The bucket of @addr, made (full) when new, in place of its set's least recently seen. */
static struct bucket *bucket_of(struct rdlimit *l, const uint8_t addr[16], int64_t now_ms)
{
	struct bucket *set = &l->table[set_of(l, addr) * RDLIMIT_WAYS], *b = NULL;

	for (int i = 0; i < RDLIMIT_WAYS; i++)
		if (set[i].used && memcmp(set[i].addr, addr, 16) == 0)
			return &set[i];
	for (int i = 0; i < RDLIMIT_WAYS && !b; i++)
		if (!set[i].used)
			b = &set[i];
	if (b) {
		l->stats.sources++;
	} else {
		b = &set[0];
		for (int i = 1; i < RDLIMIT_WAYS; i++)
			if (set[i].last_ms < b->last_ms)
				b = &set[i];
		l->stats.evictions++;
	}
	*b = (struct bucket){ .used = true, .last_ms = now_ms };
	memcpy(b->addr, addr, 16);
	b->tokens = l->cfg.burst * MILLI;
	return b;
}

static void log_refused(const uint8_t addr[16], unsigned rate, uint32_t wait)
{
	char text[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, addr, text, sizeof(text)))
		text[0] = '\0';
	log_notice("registrations and updates from %s refused for now (more than %u/s; retry "
		   "in %" PRIu32 " s); its further refusals for %d s are counted, not logged",
		   text, rate, wait, RDLIMIT_LOG_INTERVAL_S);
}

uint32_t rdlimit_take(struct rdlimit *l, const struct sockaddr *sa, int64_t now_ms)
{
	uint8_t addr[16];
	struct bucket *b;
	uint64_t elapsed, tokens, cap = (uint64_t)(l->cfg.burst ? l->cfg.burst : 1) * MILLI;
	uint32_t wait;

	if (!l->cfg.rate || !address_of(sa, addr))
		return 0;
	b = bucket_of(l, addr, now_ms);
	/* a clock set back refills nothing rather than a lot */
	elapsed = now_ms > b->last_ms ? (uint64_t)(now_ms - b->last_ms) : 0;
	tokens = b->tokens + elapsed * l->cfg.rate; /* rate tokens/s = rate thousandths/ms */
	b->tokens = (uint32_t)(tokens < cap ? tokens : cap);
	b->last_ms = now_ms > b->last_ms ? now_ms : b->last_ms;
	if (b->tokens >= MILLI) {
		b->tokens -= MILLI;
		return 0;
	}
	/* whole seconds until the missing part has flowed in, at least one */
	wait = (uint32_t)(((MILLI - b->tokens) + (uint64_t)l->cfg.rate * 1000 - 1) /
			  ((uint64_t)l->cfg.rate * 1000));
	if (wait == 0)
		wait = 1;
	l->stats.rate_limited++;
	if (now_ms >= b->quiet_until_ms) {
		log_refused(addr, l->cfg.rate, wait);
		b->quiet_until_ms = now_ms + RDLIMIT_LOG_INTERVAL_S * 1000;
	}
	return wait;
}

/* Would @now plus @add pass @cap (0: none)? */
static bool passes(size_t now, long add, size_t cap)
{
	return cap && add > 0 && now + (size_t)add > cap;
}

uint32_t rdlimit_room(struct rdlimit *l, size_t regs, size_t links, long add_regs, long add_links,
		      int64_t now_ms)
{
	if (passes(regs, add_regs, l->cfg.max_registrations)) {
		l->stats.full_registrations++;
		if (now_ms >= l->quiet_regs_ms) {
			log_notice("registration refused: the directory holds %zu registrations "
				   "([limits] max_registrations); further refusals for %d s are "
				   "counted, not logged",
				   regs, RDLIMIT_LOG_INTERVAL_S);
			l->quiet_regs_ms = now_ms + RDLIMIT_LOG_INTERVAL_S * 1000;
		}
		return RDLIMIT_FULL_RETRY_S;
	}
	if (passes(links, add_links, l->cfg.max_links)) {
		l->stats.full_links++;
		if (now_ms >= l->quiet_links_ms) {
			log_notice("registration or update refused: the directory holds %zu links, "
				   "%ld more would pass [limits] max_links_total; further refusals "
				   "for %d s are counted, not logged",
				   links, add_links, RDLIMIT_LOG_INTERVAL_S);
			l->quiet_links_ms = now_ms + RDLIMIT_LOG_INTERVAL_S * 1000;
		}
		return RDLIMIT_FULL_RETRY_S;
	}
	return 0;
}

void rdlimit_get_stats(const struct rdlimit *l, struct rdlimit_stats *out)
{
	*out = l->stats;
}
