/*
 * reach — explain why a daemon's control socket does not answer: is a
 * process of that name running, and what does systemd say of its unit?
 */
#ifndef LWGATE_CLI_REACH_H
#define LWGATE_CLI_REACH_H

#include <stddef.h>

/*
 * Write into @buf a sentence about @daemon whose socket @path failed with
 * @err (a positive errno), e.g. "cannot reach lwm2md at /run/lwgate/lwm2md.sock:
 * No such file or directory; no lwm2md process is running; lwm2md.service
 * is inactive".  EACCES gets "permission denied: add yourself to group
 * lwgate to use /run/lwgate/lwm2md.sock …", naming the socket's group.
 */
void reach_explain(const char *daemon, const char *path, int err, char *buf, size_t len);

#endif
