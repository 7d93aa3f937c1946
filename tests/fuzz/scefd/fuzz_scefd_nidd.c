/*
 * scefd's downlink handling below the HTTP layer, end to end on a real
 * SQLite database and UDP socket: the input is a run of records
 * (OP, LEN, LEN bytes) that submit single and group deliveries (bodies
 * parsed by lib/t8 as the handlers do), change device states, sweep,
 * reserve and release RDS ports (ManagePort bodies) and set quotas; every
 * answer and notification must be one the T8 API can send.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "devices.h"
#include "nidd.h"
#include "quota.h"
#include "store.h"
#include "t8/t8.h"

static struct db *db;
static struct devices *devs;
static struct nidd *nidd;
static struct store_config single, group;

static void on_status(const struct store_delivery *d, void *arg)
{
	char when[32] = "";
	if (d->retransmit)
		t8_time_format(d->retransmit, when, sizeof(when));
	char *s = t8_delivery_status_json_rt("http://scef/d/1", d->status, when);
	if (!s || d->group)
		__builtin_trap(); /* a group's part is reported in gmdResults only */
	free(s);
}

static void on_gmd(const struct store_delivery *p, const struct t8_gmd_result *r, size_t n,
		   void *arg)
{
	char *s = t8_gmd_json("http://scef/d/1", r, n);
	if (!s || n == 0 || (p->status != T8_SUCCESS && p->status != T8_FAILURE))
		__builtin_trap();
	free(s);
}

static void setup(void)
{
	static const struct db_migration m[] = {
		{ 1, DAEMON_SCHEMA_1 },
		{ 2, store_schema_2 },
		{ 3, store_schema_4 },
		{ 4, store_schema_5 },
		{ 5, store_schema_6 },
	};
	char dir[] = "/tmp/fuzz-scefd-XXXXXX", file[64], why[256];
	struct device_defaults def = { .sleeps = DEVICE_PSM };
	struct nidd_config nc = { .max_packet_bytes = 64, .buffer_max = 4, .buffer_time = 60 };
	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof(file), "%s/scefd.db", dir);
	if (db_open(file, m, sizeof(m) / sizeof(m[0]), &db, why, sizeof(why)) < 0 ||
	    devices_new(event_base_new(),
			"a@x,49170000001,9,rds,ack b@x,49170000002,13,psm,psm=60/5 "
			"c@x,49170000003,19,no-pdn",
			&def, 1, "127.0.0.1", 0, NULL, NULL, &devs) < 0 ||
	    devices_set_groups(devs, "g@x=a@x,b@x,c@x") < 0 ||
	    nidd_new(event_base_new(), db, devs, &nc, on_status, NULL, NULL, &nidd) < 0)
		abort();
	nidd_set_gmd(nidd, on_gmd);
	/* The cycle's timers never run here: a wake-up an hour away, fixed. */
	devices_at(devs, 1)->next_change = time(NULL) + 3600;
	single = (struct store_config){ .scs_as = "as",
					.cfg = { .target = { T8_EXTERNAL_ID, "a@x" } } };
	group = (struct store_config){ .scs_as = "as",
				       .cfg = { .target = { T8_EXTERNAL_GROUP_ID, "g@x" } } };
	if (store_config_add(db, &single) < 0 || store_config_add(db, &group) < 0)
		abort();
}

static void check(const struct nidd_result *r)
{
	int s = r->http_status;
	if (s != 200 && s != 201 && s != 403 && s != 404 && s != 500)
		__builtin_trap();
	if (s == 403 && !r->err.cause)
		__builtin_trap();
}

/* One record: @op on the @len bytes at @p. */
static void run(uint8_t op, const uint8_t *p, size_t len)
{
	static struct store_delivery d;
	struct t8_error err;
	struct nidd_result res;
	char text[64];
	switch (op % 6) {
	case 0: /* a single-UE delivery to device @p[0] */
	case 1: /* a group delivery */
		memset(&d, 0, sizeof(d));
		if (t8_downlink_parse((const char *)p, len, &d.dl, &err) < 0)
			return;
		d.config = op % 6 ? group.id : single.id;
		d.dl.target = op % 6 ? group.cfg.target : single.cfg.target;
		if (op % 6)
			nidd_submit_group(nidd, &group.cfg, devices_group(devs, "g@x"), &d, &res);
		else
			nidd_submit(nidd, &single.cfg, &d, &res);
		check(&res);
		return;
	case 2: /* device p[0] to state p[1] */
		if (len >= 2)
			nidd_set_state(nidd, devices_at(devs, p[0] % 3),
				       (enum device_state)(p[1] % DEVICE_STATE_COUNT));
		return;
	case 3:
		nidd_sweep(nidd);
		return;
	case 4: { /* port p[0] reserved with the ManagePort after it, or released */
		struct t8_manage_port mp, got;
		int ue = len ? p[0] % 16 : 0, ef = len ? (p[0] >> 4) : 0;
		if (len && t8_manage_port_parse((const char *)p + 1, len - 1, &mp, &err) == 0) {
			if (store_port_put(db, single.id, ue, ef, &mp) < 0 ||
			    store_port_get(db, single.id, ue, ef, &got) < 0 ||
			    strcmp(got.app_id, mp.app_id) != 0)
				__builtin_trap();
			char *s = t8_manage_port_json(&got, "http://scef/p", "AS");
			free(s);
		} else {
			store_port_delete(db, single.id, ue, ef);
		}
		return;
	}
	default: /* a quota option of device a@x */
		snprintf(text, sizeof(text), "%.*s", (int)(len < 63 ? len : 63), (const char *)p);
		quota_option(devices_at(devs, 0)->quota.lim, text);
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!db)
		setup();
	/* Each input from the same start: no deliveries, ports or use, all awake. */
	db_exec(db, "DELETE FROM nidd_delivery", "");
	db_exec(db, "DELETE FROM rds_port", "");
	db_commit(db);
	for (size_t i = 0; i < devices_count(devs); i++) {
		struct device *dev = devices_at(devs, i);
		memset(&dev->quota, 0, sizeof(dev->quota));
		dev->state = i == 2 ? DEVICE_NO_PDN : i == 1 ? DEVICE_PSM : DEVICE_REACHABLE;
		dev->loss = 0;
	}
	while (size >= 2) {
		size_t len = data[1] < size - 2 ? data[1] : size - 2;
		run(data[0], data + 2, len);
		data += 2 + len;
		size -= 2 + len;
	}
	return 0;
}
