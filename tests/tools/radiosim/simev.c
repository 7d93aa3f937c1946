/* Events on stdout and small helpers shared by the simulator's modules. */
#include "simev.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <time.h>

void simev_emit(json_t *ev)
{
	char *s = json_dumps(ev, JSON_COMPACT);

	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		free(s);
	}
	json_decref(ev);
}

uint64_t simev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *simev_ntop(const uint8_t a[16])
{
	static char buf[4][INET6_ADDRSTRLEN];
	static unsigned next;
	char *out = buf[next++ % 4];

	inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
	return out;
}
