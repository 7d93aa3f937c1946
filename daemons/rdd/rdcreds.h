/*
 * rdcreds — rdd's DTLS pre-shared keys: where they are kept (table
 * rd_credentials, through lib/coap/pskstore) and what they are bound to,
 * a list of the sectors (d) the identity may register in.  The sector-list
 * syntax is shared with the bearer tokens of [auth].
 */
#ifndef LWGATE_RDD_RDCREDS_H
#define LWGATE_RDD_RDCREDS_H

#include <stdbool.h>

#include "coap/pskstore.h"

#define RDCREDS_SCHEMA                                                                \
	"CREATE TABLE rd_credentials (identity TEXT PRIMARY KEY, key BLOB NOT NULL, " \
	"sectors TEXT NOT NULL, created INTEGER NOT NULL);"

#define RDCREDS_SECTORS_MAX 1024 /* bytes of a sector list */

/*
 * The store's layout: a key's binding is its sector list, comma-separated;
 * "*" any sector; "-" in the list stands for the empty sector (no d).
 */
extern const struct pskstore_schema rdcreds_schema;

/*
 * True when the comma-separated @list ("*": all; "-": the empty sector)
 * names sector @d ("" for none).
 */
bool rdcreds_sector_in(const char *list, const char *d);

/* A valid sector list: "*", or names (1 to 63 bytes, no spaces, commas or "*") joined by commas. */
bool rdcreds_sectors_valid(const char *list);

#endif
