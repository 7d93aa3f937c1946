/*
 * observeint — observe's state, shared with the observation table beside
 * it (obstab).  Internal to observe; everything else uses observe.h.
 */
#ifndef LWGATE_LWM2MD_OBSERVEINT_H
#define LWGATE_LWM2MD_OBSERVEINT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/keyidx.h"
#include "notifyblk.h"
#include "observe.h"

struct obs {
	uint8_t token[OBSERVE_TOKEN_LEN];
	char *ep;
	struct lwm2m_path path;          /* decoding base: the root for a composite one */
	char path_s[LWM2M_PATH_STR_MAX]; /* "/3/0/9"; "" for a composite one */
	struct lwm2m_path *cpaths;       /* Observe-Composite: its paths, and */
	unsigned ncpaths;
	char *cname;           /* "/3/0/9,/1/0/1", the name it goes by (table observations too) */
	int accept;            /* format asked for, -1: the client's choice */
	int64_t created, last; /* wall-clock ms; last 0: no notification yet */
	uint64_t notifications;
	uint32_t seq;            /* Observe option of the last notification */
	bool stored;             /* the client accepted it: in the database */
	char *attrs;             /* Write-Attributes of its path ("pmin=10&pmax=60"), or NULL */
	bool cancelling;         /* passive cancel: RST on the next notification */
	struct obs *prev, *next; /* creation order */
};

struct observe {
	struct observe_config cfg;
	struct keyidx *by_token, *by_ep;
	struct obs *head, *tail;
	uint32_t prefix, counter;        /* the token's two halves */
	char last_ep[REGREQ_EP_MAX + 1]; /* observe_pdu()'s answer */
	struct observe_stats st;
	struct notifyblk *blocks; /* Block2 notifications being put together */
};

#endif
