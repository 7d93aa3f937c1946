/*
 * MID store speed and memory: checks per second and bytes per stored MID
 * for gateway-like loads (many sequential peers; random peers), with the
 * default EXCHANGE_LIFETIME.  Prints figures; never fails on time.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "coap/midstore.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(const char *what, unsigned peers, int sequential)
{
	struct midstore *ms = midstore_new(NULL);
	struct midstore_stats st;
	uint32_t rng = 1;
	const unsigned per_peer = 240; /* one message a second for EXCHANGE_LIFETIME */
	double t0 = now_s(), t1;
	uint64_t ops = 0;

	for (unsigned i = 0; i < per_peer; i++) {
		for (unsigned p = 0; p < peers; p++) {
			uint16_t mid;

			rng = rng * 1103515245u + 12345u;
			mid = sequential ? (uint16_t)(p * 977 + i) : (uint16_t)(rng >> 16);
			midstore_check(ms, &p, sizeof(p), mid, (uint64_t)i * 1000);
			ops++;
		}
	}
	t1 = now_s();
	midstore_get_stats(ms, &st);
	printf("midstore %-10s %5u peers: %.2f M checks/s, %llu MIDs held in %zu bytes = %.2f "
	       "bytes/MID (%u rows, %u list entries)\n",
	       what, peers, (double)ops / (t1 - t0) / 1e6, (unsigned long long)st.mids_stored,
	       st.bytes, (double)st.bytes / (double)st.mids_stored, st.rows, st.entries);
	midstore_free(ms);
}

int main(void)
{
	run("sequential", 1000, 1);
	run("random", 1000, 0);
	run("sequential", 10, 1);
	return 0;
}
