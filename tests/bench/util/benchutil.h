/*
 * benchutil — what the daemon benchmarks share: a monotonic clock in
 * seconds, a free UDP port, a daemon started and stopped as a child
 * process, its resident memory, and sorting measured latencies.
 */
#ifndef LWGATE_BENCH_BENCHUTIL_H
#define LWGATE_BENCH_BENCHUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Seconds of CLOCK_MONOTONIC. */
double bench_now_s(void);

/* A UDP port free on every IPv6 address right now. */
int bench_free_udp_port(void);

/* Start @argv[0] with @argv as a child process, its output to /dev/null when @quiet; its pid. */
pid_t bench_spawn(char *const argv[], bool quiet);

/* SIGTERM @pid and wait for it; its exit status as waitpid() gives it. */
int bench_stop(pid_t pid);

/* VmRSS of @pid in KiB, or -1. */
long bench_rss_kib(pid_t pid);

/* qsort() comparator of doubles, ascending (latencies, before taking percentiles). */
int bench_cmp_double(const void *a, const void *b);

#endif
