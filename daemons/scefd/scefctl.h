/*
 * scefctl — scefd's control commands (`lwgatectl scefd …`): devices,
 * wake, sleep, configurations, deliveries.
 */
#ifndef LWGATE_SCEFD_SCEFCTL_H
#define LWGATE_SCEFD_SCEFCTL_H

#include "common/ipc_server.h"

/* The command table; the handlers' context is the struct scefd. */
extern const struct ipc_command scefctl_commands[];

#endif
