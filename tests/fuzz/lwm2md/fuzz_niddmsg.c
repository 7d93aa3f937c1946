/*
 * niddmsg_parse on any bytes: the T8 callback bodies lwm2md takes.
 *
 * Properties: no crash or leak; a body taken is of one kind with what that
 * kind needs (an uplink: 1 to NIDDMSG_DATA_MAX bytes and an identity; a
 * delivery status: a known DeliveryStatus and a link; a configuration
 * status: a status and a link); every string ends within its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "niddlog.h"
#include "niddmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct niddmsg m;

	if (niddmsg_parse(data, size, &m) < 0)
		return 0;
	if (!memchr(m.external_id, 0, sizeof(m.external_id)) ||
	    !memchr(m.link, 0, sizeof(m.link)) ||
	    !memchr(m.config_status, 0, sizeof(m.config_status)))
		abort();
	switch (m.kind) {
	case NIDDMSG_UPLINK:
		if (m.data_len < 1 || m.data_len > NIDDMSG_DATA_MAX ||
		    (!m.external_id[0] && !m.link[0]))
			abort();
		break;
	case NIDDMSG_DELIVERY_STATUS:
		if (!m.delivery_status ||
		    niddlog_status_name(m.delivery_status) != m.delivery_status || !m.link[0])
			abort();
		break;
	case NIDDMSG_CONFIG_STATUS:
		if (!m.config_status[0] || !m.link[0])
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
