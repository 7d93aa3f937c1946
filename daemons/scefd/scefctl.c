/*
 * scefctl — `lwgatectl scefd devices|wake|sleep|configurations|deliveries`
 * (see scefctl.h).
 */
#include "scefctl.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "scefd.h"
#include "store.h"

static json_t *device_json(const struct device *dev)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:i, s:I, s:I, s:I, s:I}", "externalId",
			      dev->external_id, "msisdn", dev->msisdn, "port", dev->port, "state",
			      device_state_name(dev->state), "loss", (int)dev->loss, "uplinks",
			      (json_int_t)dev->uplinks, "uplinks_lost",
			      (json_int_t)dev->uplinks_lost, "downlinks",
			      (json_int_t)dev->downlinks, "downlinks_lost",
			      (json_int_t)dev->downlinks_lost);
	if (o && dev->sleep) {
		char cycle[48];
		snprintf(cycle, sizeof(cycle), "%s=%u/%u", device_state_name(dev->sleeps),
			 dev->sleep, dev->active);
		json_object_set_new(o, "cycle", json_string(cycle));
		/* Seconds to the cycle's next change of state (none while no-pdn). */
		if (dev->next_change)
			json_object_set_new(o, "next_change",
					    json_integer((json_int_t)(dev->next_change -
								      time(NULL))));
	}
	return o;
}

static void cmd_devices(struct ipc_call *call, json_t *args, void *ctx)
{
	struct scefd *s = ctx;
	json_t *arr = json_array();
	for (size_t i = 0; i < devices_count(s->devs); i++)
		json_array_append_new(arr, device_json(devices_at(s->devs, i)));
	ipc_call_reply(call, json_pack("{s:o}", "devices", arr));
}

/* The device named by "device" (externalId or MSISDN), or a failed call. */
static struct device *named_device(struct ipc_call *call, json_t *args, struct scefd *s)
{
	const char *id = json_string_value(json_object_get(args, "device"));
	struct device *dev =
		devices_find(s->devs, strchr(id, '@') ? T8_EXTERNAL_ID : T8_MSISDN, id);
	if (!dev)
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no device %s", id);
	return dev;
}

static void cmd_wake(struct ipc_call *call, json_t *args, void *ctx)
{
	struct scefd *s = ctx;
	struct device *dev = named_device(call, args, s);
	if (!dev)
		return;
	nidd_set_state(s->nidd, dev, DEVICE_REACHABLE);
	ipc_call_reply(call, device_json(dev));
}

static void cmd_sleep(struct ipc_call *call, json_t *args, void *ctx)
{
	struct scefd *s = ctx;
	struct device *dev = named_device(call, args, s);
	if (!dev)
		return;
	const char *name = json_string_value(json_object_get(args, "state"));
	enum device_state st = DEVICE_PSM;
	if (name && (device_state_parse(name, &st) < 0 || st == DEVICE_REACHABLE)) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "state must be psm, edrx or no-pdn");
		return;
	}
	nidd_set_state(s->nidd, dev, st);
	ipc_call_reply(call, device_json(dev));
}

static void cmd_loss(struct ipc_call *call, json_t *args, void *ctx)
{
	struct scefd *s = ctx;
	struct device *dev = named_device(call, args, s);
	if (!dev)
		return;
	json_int_t pct = json_integer_value(json_object_get(args, "percent"));
	if (pct < 0 || pct > 100) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "percent must be 0..100");
		return;
	}
	devices_set_loss(dev, (unsigned)pct);
	ipc_call_reply(call, device_json(dev));
}

static json_t *quota_doc(const struct device *dev)
{
	return json_pack("{s:s, s:s, s:o}", "externalId", dev->external_id, "msisdn", dev->msisdn,
			 "quota", quota_json(&dev->quota, time(NULL)));
}

/* Set the limits given by name (plmn_ul=…) on @dev; false (call failed) on a bad one. */
static bool set_limits(struct ipc_call *call, json_t *args, struct device *dev)
{
	struct quota_limit lim[QUOTA_COUNT];
	memcpy(lim, dev->quota.lim, sizeof(lim));
	for (int k = 0; k < QUOTA_COUNT; k++) {
		json_t *v = json_object_get(args, quota_key(k));
		char num[24];
		const char *text = json_string_value(v);
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			text = num;
		}
		if (v && (!text || quota_set(lim, quota_key(k), text) < 0)) {
			ipc_call_fail(call, IPC_ERR_BAD_ARGS,
				      "%s: N (plmn_*) or N/minute|hour|day (apn_*, bytes_*); "
				      "\"\" removes it",
				      quota_key(k));
			return false;
		}
	}
	memcpy(dev->quota.lim, lim, sizeof(lim));
	return true;
}

static void cmd_quota(struct ipc_call *call, json_t *args, void *ctx)
{
	struct scefd *s = ctx;
	if (!json_object_get(args, "device")) {
		for (int k = 0; k < QUOTA_COUNT; k++)
			if (json_object_get(args, quota_key(k))) {
				ipc_call_fail(call, IPC_ERR_BAD_ARGS, "setting a limit needs a device");
				return;
			}
		json_t *arr = json_array();
		for (size_t i = 0; i < devices_count(s->devs); i++)
			json_array_append_new(arr, quota_doc(devices_at(s->devs, i)));
		ipc_call_reply(call, json_pack("{s:o}", "devices", arr));
		return;
	}
	struct device *dev = named_device(call, args, s);
	if (dev && set_limits(call, args, dev))
		ipc_call_reply(call, quota_doc(dev));
}

static int add_config(const struct store_config *c, void *arg)
{
	json_array_append_new(arg,
			      json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)c->id,
					"scsAsId", c->scs_as, t8_target_member(c->cfg.target.kind),
					c->cfg.target.id, "notificationDestination",
					c->cfg.notification_destination, "status", "ACTIVE"));
	return 0;
}

static void cmd_configurations(struct ipc_call *call, json_t *args, void *ctx)
{
	struct scefd *s = ctx;
	json_t *arr = json_array();
	store_config_each(daemon_db(s->d), NULL, add_config, arr);
	ipc_call_reply(call, json_pack("{s:o}", "configurations", arr));
}

static int add_delivery(const struct store_delivery *d, void *arg)
{
	json_array_append_new(arg,
			      json_pack("{s:I, s:I, s:s, s:i, s:s, s:I}", "id", (json_int_t)d->id,
					"configuration", (json_int_t)d->config, "target",
					d->dl.target.id, "bytes", (int)d->dl.data_len,
					"deliveryStatus", t8_delivery_status_name(d->status),
					"expires", (json_int_t)d->expires));
	return 0;
}

static void cmd_deliveries(struct ipc_call *call, json_t *args, void *ctx)
{
	struct scefd *s = ctx;
	json_t *arr = json_array();
	bool all = json_is_true(json_object_get(args, "all"));
	store_delivery_each(daemon_db(s->d), 0, !all, add_delivery, arr);
	ipc_call_reply(call, json_pack("{s:o}", "deliveries", arr));
}

static const struct ipc_arg device_arg[] = {
	{ "device", IPC_ARG_STRING, true, "externalId or MSISDN", .positional = true },
	{ .name = NULL },
};

static const struct ipc_arg sleep_args[] = {
	{ "device", IPC_ARG_STRING, true, "externalId or MSISDN", .positional = true },
	{ "state", IPC_ARG_STRING, false, "psm (default), edrx or no-pdn", .positional = true },
	{ .name = NULL },
};

static const struct ipc_arg loss_args[] = {
	{ "device", IPC_ARG_STRING, true, "externalId or MSISDN", .positional = true },
	{ "percent", IPC_ARG_INT, true, "datagrams lost each way, 0..100", .positional = true },
	{ .name = NULL },
};

#define LIMIT_ARG(key, help) { key, IPC_ARG_ANY, false, help }
static const struct ipc_arg quota_args[] = {
	{ "device", IPC_ARG_STRING, false, "externalId or MSISDN (none: every device)",
	  .positional = true },
	LIMIT_ARG("plmn_ul", "set: uplink messages per 6 minutes (serving PLMN rate control)"),
	LIMIT_ARG("plmn_dl", "set: downlink messages per 6 minutes"),
	LIMIT_ARG("apn_ul", "set: uplink messages N/minute|hour|day (APN rate control)"),
	LIMIT_ARG("apn_dl", "set: downlink messages N/minute|hour|day"),
	LIMIT_ARG("bytes_ul", "set: uplink bytes N/minute|hour|day"),
	LIMIT_ARG("bytes_dl", "set: downlink bytes N/minute|hour|day"),
	{ .name = NULL },
};

static const struct ipc_arg deliveries_args[] = {
	{ "all", IPC_ARG_BOOL, false, "finished deliveries too, not only the buffered ones" },
	{ .name = NULL },
};

const struct ipc_command scefctl_commands[] = {
	{ "devices", "the emulated devices and their states", NULL, cmd_devices, false },
	{ "wake", "make a device reachable and deliver what is buffered for it", device_arg,
	  cmd_wake, true },
	{ "sleep", "put a device to sleep (psm, edrx) or drop its PDN connection (no-pdn)",
	  sleep_args, cmd_sleep, true },
	{ "loss", "set the percentage of a device's datagrams the radio loses (each way)",
	  loss_args, cmd_loss, true },
	{ "quota", "a device's (or every device's) rate control and byte quotas; set them by name",
	  quota_args, cmd_quota, true },
	{ "configurations", "the NIDD configurations of every SCS/AS", NULL, cmd_configurations,
	  false },
	{ "deliveries", "buffered downlink data deliveries", deliveries_args, cmd_deliveries,
	  false },
	{ .name = NULL },
};
