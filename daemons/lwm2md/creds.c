/*
 * creds — lwm2md's key table.
 */
#include "creds.h"

const struct pskstore_schema creds_schema =
	PSKSTORE_SCHEMA("credentials", "ep", "endpoint", CREDS_EP_MAX, true);
