/*
 * creds — where lwm2md keeps its clients' DTLS pre-shared keys (table
 * credentials, migration 3, through lib/coap/pskstore): each PSK identity
 * is bound to the one endpoint name it may register, and an endpoint has at
 * most one key, so that Register can tell whether a plain-CoAP client
 * should have come over DTLS.
 */
#ifndef LWM2MD_CREDS_H
#define LWM2MD_CREDS_H

#include "coap/pskstore.h"

#define CREDS_SCHEMA_3                                                             \
	"CREATE TABLE credentials (identity TEXT PRIMARY KEY, key BLOB NOT NULL, " \
	"ep TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);"

#define CREDS_EP_MAX 255 /* bytes of an endpoint name */

extern const struct pskstore_schema creds_schema;

#endif
