/* topo — the simulated mesh from an INI file:
 *
 *   [root]                       the dongle (lowpand's radio)
 *   eui64 = 00124b0001020304
 *   [node b]                     one simulated node per section
 *   eui64 = 020000000000000b
 *   hears = root c               stations in range (made symmetric)
 *   [zep r]                      a real node (RIOT) reaching the air over
 *   eui64 = 020000000000000e     ZEP, known by the source address of its
 *   hears = root b               frames
 *
 * Station 0 is the root; nodes are numbered from 1 in file order. */
#ifndef LWGATE_RADIOSIM_TOPO_H
#define LWGATE_RADIOSIM_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOPO_MAX_STATIONS 64
#define TOPO_NAME_MAX     32

struct topo_station {
	char name[TOPO_NAME_MAX];
	uint8_t eui64[8];
	bool has_eui64;
	bool zep;             /* a [zep NAME] station: a real node behind UDP, not simulated */
	int line;             /* where the section starts */
	char hears_text[512]; /* as written, resolved by topo_load() */
	int hears_line;
};

struct topo {
	size_t n; /* stations, root included */
	struct topo_station st[TOPO_MAX_STATIONS];
	/* hears[a][b]: b receives what a sends (symmetric) */
	bool hears[TOPO_MAX_STATIONS][TOPO_MAX_STATIONS];
};

/* A topology of the root alone, with the EUI-64 00124b0001020304. */
void topo_default(struct topo *t);

/* Read @path into @t.  On error returns -1 and writes "FILE:LINE: what" (or
 * "FILE: what") into @err (@errlen bytes). */
int topo_load(const char *path, struct topo *t, char *err, size_t errlen);

/* Index of the station called @name, or -1. */
int topo_find(const struct topo *t, const char *name);

#endif
