/*
 * scefd — the daemon's modules together, for main.c and the control
 * commands (scefctl.c).
 */
#ifndef LWGATE_SCEFD_SCEFD_H
#define LWGATE_SCEFD_SCEFD_H

#include <stdint.h>

#include "common/daemon.h"
#include "devices.h"
#include "http/httpsrv.h"
#include "nidd.h"
#include "notify.h"
#include "t8api.h"
#include "wsnotify.h"

struct scefd {
	struct daemon *d;
	struct devices *devs;
	struct nidd *nidd;
	struct t8api *api;
	struct http_server *srv;
	struct notify *notify;
	struct wsnotify *ws;
	uint64_t uplinks;
};

#endif
