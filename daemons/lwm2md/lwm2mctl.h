/*
 * lwm2mctl — lwm2md's control-socket commands and status.
 *
 *   clients                              registered clients, one record each
 *   show|remove ep=|external_id=|app_id= one client in full; forget it
 *   read ep= path= [format=]             device management (TS Core §6.3),
 *   discover|delete ep= path=            sent to the client, answered with
 *   write ep= path= value=|values:= …    its response (see dm.h)
 *   write-attr ep= path= pmin= …
 *   exec ep= path= [args=]
 *   create ep= path= values:=
 *   observe ep= path= [format=]          observations (observe.h)
 *   cancel ep= path= [mode=passive]
 *   observations [ep=]
 *   values ep= [path=]                   last known values
 *   op id= | ops [ep=]                   queued operations (queue.h)
 *   read-composite ep= paths= [format=]  composite operations (FETCH, iPATCH)
 *   write-composite ep= values:= [format=]
 *   set-ids ep= [app_id=] [external_id=] an endpoint's other names (idmap)
 *   cred-add ep= key=HEX [identity=]     DTLS pre-shared keys (coap/credctl)
 *   cred-del ep=|identity=
 *   cred-list
 *
 * Each client command names its client by one of ep=, external_id= or
 * app_id= (OSR-001, LPW-001).
 */
#ifndef LWM2MD_LWM2MCTL_H
#define LWM2MD_LWM2MCTL_H

#include <jansson.h>

#include "common/daemon.h"
#include "common/ipc_server.h"
#include "http/httpbridge.h"
#include "idmap.h"
#include "nidd.h"
#include "lwm2m/lwm2m_registry.h"
#include "rdmirror.h"
#include "server.h"

/* The daemon's state, the start() state the commands get. */
struct lwm2md {
	struct daemon *d;
	struct server *srv;
	struct lwm2m_registry *registry;
	struct idmap *ids;
	struct rdmirror *mirror; /* NULL when [rd] mirror = no */
	struct httpbridge *http; /* NULL when [http] enabled = no */
	struct h2dev *h2;        /* NULL when [http2] enabled = no */
	struct nidd *nidd;       /* NULL when [nidd] enabled = no */
};

extern const struct ipc_command lwm2mctl_commands[];

/* Add lwm2md's fields and counters to a status reply. */
void lwm2mctl_status(void *state, json_t *status);

#endif
