/* simev — the simulator's events: one JSON object per line on stdout. */
#ifndef LWGATE_RADIOSIM_SIMEV_H
#define LWGATE_RADIOSIM_SIMEV_H

#include <jansson.h>
#include <stdint.h>

/* Print @ev (a JSON object, reference stolen) as one compact line on
 * stdout and flush, so that a test reading the pipe sees it at once. */
void simev_emit(json_t *ev);

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t simev_now_ms(void);

/* Text form of an IPv6 address in a static buffer of 4 (rotating), for
 * logs and events. */
const char *simev_ntop(const uint8_t a[16]);

#endif
