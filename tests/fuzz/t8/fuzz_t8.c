/*
 * The T8 NIDD request bodies as scefd's handlers read them: the first byte
 * picks NiddConfiguration (create or merge patch),
 * NiddDownlinkDataTransfer (create, PUT or patch), ManagePort (the
 * rds-ports PUT) or an rds-ports {portId}; whatever is accepted is
 * written back as the response document and must parse again to the same
 * values (what the SCEF answers, an SCS/AS can send back).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t8/t8.h"

static void config_round_trip(const struct t8_config *c)
{
	char *s = t8_config_json(c, "http://scef/3gpp-nidd/v1/as/configurations/1", "ACTIVE", 8);
	struct t8_config again;
	struct t8_error err;
	if (!s || t8_config_parse(s, strlen(s), &again, &err) < 0 ||
	    memcmp(&again.target, &c->target, sizeof(c->target)) != 0 ||
	    strcmp(again.notification_destination, c->notification_destination) != 0 ||
	    again.pdn_option != c->pdn_option)
		__builtin_trap();
	free(s);
}

static void downlink_round_trip(const struct t8_downlink *d)
{
	char *s = t8_downlink_json(d, NULL, T8_BUFFERING, NULL);
	static struct t8_downlink again;
	struct t8_error err;
	if (!s || t8_downlink_parse(s, strlen(s), &again, &err) < 0 ||
	    again.data_len != d->data_len || memcmp(again.data, d->data, d->data_len) != 0 ||
	    again.maximum_latency != d->maximum_latency || again.rds_port_ue != d->rds_port_ue ||
	    again.rds_port_scef != d->rds_port_scef)
		__builtin_trap();
	free(s);
}

static void manage_port(const char *json, size_t len)
{
	struct t8_manage_port p, again;
	struct t8_error err;
	if (t8_manage_port_parse(json, len, &p, &err) < 0) {
		if (err.status != 400 || !err.cause)
			__builtin_trap();
		return;
	}
	char *s = t8_manage_port_json(&p, "http://scef/p", "AS");
	if (!s || t8_manage_port_parse(s, strlen(s), &again, &err) < 0 ||
	    memcmp(&again, &p, sizeof(p)) != 0)
		__builtin_trap();
	free(s);
}

static void port_id(const char *text, size_t len)
{
	char s[32], back[32];
	int ue, ef;
	snprintf(s, sizeof(s), "%.*s", (int)(len < 31 ? len : 31), text);
	if (t8_port_id_parse(s, &ue, &ef) < 0)
		return;
	snprintf(back, sizeof(back), "ue%d-ef%d", ue, ef);
	if (ue < 0 || ue > 15 || ef < 0 || ef > 15 || strcmp(s, back) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *json = (const char *)data + 1;
	size_t len = size - 1;
	struct t8_error err;
	static struct t8_downlink dl;
	struct t8_config cfg = { .target = { T8_EXTERNAL_ID, "dev@nidd.test" },
				 .notification_destination = "http://as/cb" };
	switch (data[0] % 6) {
	case 0:
		if (t8_config_parse(json, len, &cfg, &err) == 0)
			config_round_trip(&cfg);
		else if (err.status < 400 || !err.cause)
			__builtin_trap();
		break;
	case 1:
		if (t8_config_patch(json, len, &cfg, &err) == 0 &&
		    strncmp(cfg.notification_destination, "http", 4) == 0)
			config_round_trip(&cfg);
		break;
	case 2:
		if (t8_downlink_parse(json, len, &dl, &err) == 0)
			downlink_round_trip(&dl);
		break;
	case 4:
		manage_port(json, len);
		break;
	case 5:
		port_id(json, len);
		break;
	default:
		memset(&dl, 0, sizeof(dl));
		dl.rds_port_ue = dl.rds_port_scef = -1;
		dl.target = cfg.target; /* a stored delivery: never without data */
		dl.data[0] = 0x40;
		dl.data_len = 1;
		dl.maximum_latency = -1;
		if (t8_downlink_patch(json, len, &dl, &err) == 0)
			downlink_round_trip(&dl);
		break;
	}
	return 0;
}
