/*
 * The MID store against a naive model, on arbitrary sequences of (peer,
 * MID, time step): whatever the order, gaps, wrap-arounds and mode switches,
 * a MID seen from the same peer within the lifetime must be reported as a
 * duplicate (the store may remember longer, never shorter).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coap/midstore.h"

#define LIFETIME 1000
#define PEERS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t last_seen[PEERS][65536]; /* model: time + 1 of the last arrival, 0: never */
	struct midstore_config cfg = { .lifetime_ms = LIFETIME };
	struct midstore *ms = midstore_new(&cfg);
	struct midstore_stats st;
	uint64_t now = 1;

	memset(last_seen, 0, sizeof(last_seen));
	for (size_t i = 0; i + 4 <= size; i += 4) {
		unsigned peer = data[i] % PEERS;
		/* mostly sequential-looking MIDs with jumps, as real peers send */
		uint16_t mid = (uint16_t)(data[i + 1] << 8 | data[i + 2]);
		char key[2] = { 'p', (char)peer };
		int rc;

		now += data[i + 3] * 4u;
		rc = midstore_check(ms, key, sizeof(key), mid, now);
		if (rc < 0)
			abort();
		midstore_get_stats(ms, &st);
		if (st.evictions == 0 && last_seen[peer][mid] &&
		    now - (last_seen[peer][mid] - 1) <= LIFETIME && rc != 1)
			abort(); /* a duplicate within the lifetime went undetected */
		if (rc == 0)
			last_seen[peer][mid] = now + 1;
		if (data[i + 3] == 0xff)
			midstore_expire(ms, now);
	}
	midstore_free(ms);
	return 0;
}
