/*
 * clock — the one place daemons read time from.
 *
 * Monotonic milliseconds for timeouts and lifetimes (never steps with the
 * wall clock), so that every timer in lwgate agrees and a test can find
 * them all in one place.
 */
#ifndef LWGATE_COMMON_CLOCK_H
#define LWGATE_COMMON_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC (since an arbitrary point, typically boot). */
uint64_t clock_ms(void);

#endif
