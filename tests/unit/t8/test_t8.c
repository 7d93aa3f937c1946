/*
 * lib/t8: the T8 NIDD bodies.  Base64 against the RFC 4648 section 10
 * vectors; identities, oneOf, patches with null and the refusals with the
 * HTTP status and TS 29.122 cause each one must carry.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "t8/t8.h"

static struct t8_downlink dl;

static void parse_dl(const char *json, int want_rc, int want_status, const char *want_cause)
{
	struct t8_error err = { 0 };
	assert_int_equal(t8_downlink_parse(json, strlen(json), &dl, &err), want_rc);
	if (want_rc < 0) {
		assert_int_equal(err.status, want_status);
		assert_string_equal(err.cause, want_cause);
	}
}

static void test_base64_rfc4648(void **state)
{
	static const struct {
		const char *b64, *raw;
	} v[] = { { "Zg==", "f" },        { "Zm8=", "fo" },        { "Zm9v", "foo" },
		  { "Zm9vYg==", "foob" }, { "Zm9vYmE=", "fooba" }, { "Zm9vYmFy", "foobar" } };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char json[128];
		snprintf(json, sizeof(json), "{\"externalId\":\"a@b\",\"data\":\"%s\"}", v[i].b64);
		parse_dl(json, 0, 0, NULL);
		assert_int_equal(dl.data_len, strlen(v[i].raw));
		assert_memory_equal(dl.data, v[i].raw, dl.data_len);
		char *out = t8_downlink_json(&dl, NULL, T8_SUCCESS, NULL);
		json_t *o = json_loads(out, 0, NULL);
		assert_string_equal(json_string_value(json_object_get(o, "data")), v[i].b64);
		json_decref(o);
		free(out);
	}
}

static void test_downlink_refusals(void **state)
{
	parse_dl("{\"externalId\":\"a@b\",\"data\":\"Zg=\"}", -EINVAL, 400,
		 "MANDATORY_IE_INCORRECT");
	parse_dl("{\"externalId\":\"a@b\",\"data\":\"Z g==\"}", -EINVAL, 400,
		 "MANDATORY_IE_INCORRECT");
	parse_dl("{\"externalId\":\"a@b\"}", -EINVAL, 400, "MANDATORY_IE_MISSING");
	parse_dl("{\"data\":\"Zg==\"}", -EINVAL, 400, "MANDATORY_IE_MISSING");
	parse_dl("{\"externalId\":\"a@b\",\"msisdn\":\"4917000\",\"data\":\"Zg==\"}", -EINVAL, 400,
		 "MANDATORY_IE_INCORRECT");
	parse_dl("{\"msisdn\":\"12ab5\",\"data\":\"Zg==\"}", -EINVAL, 400,
		 "MANDATORY_IE_INCORRECT");
	parse_dl("{\"externalId\":\"a@b@c\",\"data\":\"Zg==\"}", -EINVAL, 400,
		 "MANDATORY_IE_INCORRECT");
	parse_dl("{\"externalId\":\"a@b\",\"data\":\"Zg==\",\"maximumLatency\":-1}", -EINVAL, 400,
		 "OPTIONAL_IE_INCORRECT");
	parse_dl("{\"externalId\":\"a@b\",\"data\":\"Zg==\",\"pdnEstablishmentOption\":\"X\"}",
		 -EINVAL, 400, "OPTIONAL_IE_INCORRECT");
	parse_dl("[1]", -EINVAL, 400, "INVALID_MSG_FORMAT");
	parse_dl("{\"externalId\":\"a@b\",\"externalId\":\"c@d\",\"data\":\"Zg==\"}", -EINVAL, 400,
		 "INVALID_MSG_FORMAT");
	/* 1601 bytes: more than any NB-IoT packet the SCEF holds. */
	size_t n = (T8_MAX_DATA + 3) / 3 * 4;
	char *big = malloc(n + 64);
	strcpy(big, "{\"externalId\":\"a@b\",\"data\":\"");
	memset(big + strlen(big), 'A', n);
	strcpy(big + 28 + n, "\"}");
	parse_dl(big, -EINVAL, 403, "DATA_TOO_LARGE");
	free(big);
}

static void test_config_parse_and_patch(void **state)
{
	struct t8_config c;
	struct t8_error err;
	const char *j =
		"{\"msisdn\":\"491700000001\",\"notificationDestination\":\"http://as/cb\","
		"\"duration\":\"2030-01-01T00:00:00Z\",\"pdnEstablishmentOption\":\"SEND_TRIGGER\","
		"\"self\":\"ignored\",\"maximumPacketSize\":1,\"status\":\"TERMINATED\"}";
	assert_int_equal(t8_config_parse(j, strlen(j), &c, &err), 0);
	assert_int_equal(c.target.kind, T8_MSISDN);
	assert_int_equal(c.pdn_option, T8_PDN_SEND_TRIGGER);
	const char *p = "{\"duration\":null,\"pdnEstablishmentOption\":null,"
			"\"reliableDataService\":true}";
	assert_int_equal(t8_config_patch(p, strlen(p), &c, &err), 0);
	assert_string_equal(c.duration, "");
	assert_int_equal(c.pdn_option, T8_PDN_UNSET);
	assert_true(c.reliable_data_service);
	/* A refused patch changes nothing. */
	const char *bad = "{\"reliableDataService\":false,\"notificationDestination\":7}";
	assert_int_equal(t8_config_patch(bad, strlen(bad), &c, &err), -EINVAL);
	assert_true(c.reliable_data_service);
	const char *ftp = "{\"externalId\":\"a@b\",\"notificationDestination\":\"ftp://x\"}";
	assert_int_equal(t8_config_parse(ftp, strlen(ftp), &c, &err), -EINVAL);
	assert_string_equal(err.cause, "MANDATORY_IE_INCORRECT");
	/* A patch is held to the same rule (found by fuzz_t8: "http:/,b/c" got through). */
	const char *bad_dest = "{\"notificationDestination\":\"http:/,b/c\"}";
	assert_int_equal(t8_config_patch(bad_dest, strlen(bad_dest), &c, &err), -EINVAL);
	/* requestTestNotification and websockNotifConfig (CommonData WebsockNotifConfig). */
	const char *ws = "{\"externalId\":\"a@b\",\"notificationDestination\":\"https://as/cb\","
			 "\"requestTestNotification\":true,"
			 "\"websockNotifConfig\":{\"requestWebsocketUri\":true}}";
	assert_int_equal(t8_config_parse(ws, strlen(ws), &c, &err), 0);
	assert_true(c.request_test_notification);
	assert_true(c.request_websocket_uri);
	char *doc =
		t8_config_json_ws(&c, "http://scef/c/1", "ACTIVE", 8, "ws://scef/c/1/websocket");
	json_t *o = json_loads(doc, 0, NULL);
	json_t *w = json_object_get(o, "websockNotifConfig");
	assert_string_equal(json_string_value(json_object_get(w, "websocketUri")),
			    "ws://scef/c/1/websocket");
	assert_true(json_is_true(json_object_get(w, "requestWebsocketUri")));
	json_decref(o);
	free(doc);
	const char *ws_bad[] = {
		"{\"externalId\":\"a@b\",\"notificationDestination\":\"http://as/\","
		"\"websockNotifConfig\":true}",
		"{\"externalId\":\"a@b\",\"notificationDestination\":\"http://as/\","
		"\"websockNotifConfig\":{\"requestWebsocketUri\":\"yes\"}}",
	};
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(t8_config_parse(ws_bad[i], strlen(ws_bad[i]), &c, &err), -EINVAL);
		assert_int_equal(err.status, 400);
		assert_string_equal(err.cause, "OPTIONAL_IE_INCORRECT");
	}
}

static void test_problem_and_notifications(void **state)
{
	char *s = t8_problem_json(403, "Forbidden", "too big", "DATA_TOO_LARGE", false, NULL);
	assert_string_equal(s, "{\"title\":\"Forbidden\",\"status\":403,\"detail\":\"too big\","
			       "\"cause\":\"DATA_TOO_LARGE\"}");
	free(s);
	s = t8_problem_json(500, "Internal Server Error", NULL, NULL, true, "2030-01-01T00:00:00Z");
	assert_string_equal(
		s, "{\"problemDetail\":{\"title\":\"Internal Server Error\",\"status\":500},"
		   "\"requestedRetransmissionTime\":\"2030-01-01T00:00:00Z\"}");
	free(s);
	struct t8_target t = { T8_EXTERNAL_ID, "a@b" };
	s = t8_uplink_json("http://scef/c/1", &t, (const uint8_t *)"foobar", 6);
	assert_string_equal(s, "{\"niddConfiguration\":\"http://scef/c/1\",\"externalId\":\"a@b\","
			       "\"data\":\"Zm9vYmFy\"}");
	free(s);
	s = t8_test_notification_json("http://scef/c/1");
	assert_string_equal(s, "{\"subscription\":\"http://scef/c/1\"}");
	free(s);
	assert_string_equal(t8_delivery_status_name(T8_FAILURE_TEMPORARILY_NOT_REACHABLE),
			    "FAILURE_TEMPORARILY_NOT_REACHABLE");
	assert_false(t8_delivery_status_final(T8_TRIGGERED));
	assert_true(t8_delivery_status_final(T8_FAILURE_TIMEOUT));
}

static void test_time_rfc3339(void **state)
{
	time_t t;
	/* RFC 3339 section 5.8's examples. */
	assert_int_equal(t8_time_parse("1985-04-12T23:20:50.52Z", &t), 0);
	assert_int_equal(t, 482196050);
	assert_int_equal(t8_time_parse("1996-12-19T16:39:57-08:00", &t), 0);
	assert_int_equal(t, 851042397);
	assert_int_equal(t8_time_parse("1996-12-20T00:39:57Z", &t), 0);
	assert_int_equal(t, 851042397);
	assert_int_equal(t8_time_parse("1985-04-12 23:20:50Z", &t), -EINVAL);
	assert_int_equal(t8_time_parse("1985-04-12T23:20:50", &t), -EINVAL);
	assert_int_equal(t8_time_parse("1985-13-12T23:20:50Z", &t), -EINVAL);
	assert_int_equal(t8_time_parse("1985-04-12T23:20:50+0100", &t), -EINVAL);
	/* Formatting gives back what parsing reads. */
	char when[32];
	t8_time_format(851042397, when, sizeof(when));
	assert_string_equal(when, "1996-12-20T00:39:57Z");
	char *s = t8_delivery_status_json_rt("http://scef/d/1", T8_FAILURE_TIMEOUT, when);
	assert_string_equal(s, "{\"niddDownlinkDataTransfer\":\"http://scef/d/1\","
			       "\"deliveryStatus\":\"FAILURE_TIMEOUT\","
			       "\"requestedRetransmissionTime\":\"1996-12-20T00:39:57Z\"}");
	free(s);
	struct t8_config c;
	struct t8_error err;
	const char *j = "{\"externalId\":\"a@b\",\"notificationDestination\":\"http://a/b\","
			"\"duration\":\"tomorrow\"}";
	assert_int_equal(t8_config_parse(j, strlen(j), &c, &err), -EINVAL);
	assert_string_equal(err.cause, "OPTIONAL_IE_INCORRECT");
}

static void test_rds_ports(void **state)
{
	int ue, ef;
	assert_int_equal(t8_port_id_parse("ue0-ef15", &ue, &ef), 0);
	assert_int_equal(ue, 0);
	assert_int_equal(ef, 15);
	assert_int_equal(t8_port_id_parse("ue12-ef3", &ue, &ef), 0);
	assert_int_equal(ue, 12);
	const char *bad[] = {
		"ue16-ef0", "ue01-ef1", "ue1-ef", "ue1-ef1x", "UE1-EF1", "ue-ef1", ""
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(t8_port_id_parse(bad[i], &ue, &ef), -EINVAL);
	struct t8_manage_port p;
	struct t8_error err;
	const char *j = "{\"appId\":\"a\",\"supportedFormats\":[\"JSON\",\"XML\"],"
			"\"configuredFormat\":\"XML\",\"manageEntity\":\"UE\"}";
	assert_int_equal(t8_manage_port_parse(j, strlen(j), &p, &err), 0);
	assert_int_equal(p.formats, T8_FORMAT_JSON | T8_FORMAT_XML);
	assert_int_equal(p.configured, T8_FORMAT_XML);
	char *s = t8_manage_port_json(&p, "http://x/p", "AS");
	assert_string_equal(s, "{\"self\":\"http://x/p\",\"appId\":\"a\",\"manageEntity\":\"AS\","
			       "\"skipUeInquiry\":false,\"supportedFormats\":[\"JSON\",\"XML\"],"
			       "\"configuredFormat\":\"XML\"}");
	free(s);
	const char *refused[] = { "{}", "{\"appId\":1}",
				  "{\"appId\":\"a\",\"supportedFormats\":[]}",
				  "{\"appId\":\"a\",\"supportedFormats\":[\"YAML\"]}",
				  "{\"appId\":\"a\",\"skipUeInquiry\":\"yes\"}" };
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(t8_manage_port_parse(refused[i], strlen(refused[i]), &p, &err),
				 -EINVAL);
	j = "{\"msisdn\":\"491700000001\",\"data\":\"eA==\",\"rdsPort\":{\"portUE\":1,"
	    "\"portSCEF\":65535}}";
	assert_int_equal(t8_downlink_parse(j, strlen(j), &dl, &err), 0);
	assert_int_equal(dl.rds_port_ue, 1);
	assert_int_equal(dl.rds_port_scef, 65535);
	j = "{\"msisdn\":\"491700000001\",\"data\":\"eA==\",\"rdsPort\":{\"portUE\":1,"
	    "\"portSCEF\":65536}}";
	assert_int_equal(t8_downlink_parse(j, strlen(j), &dl, &err), -EINVAL);
	assert_string_equal(err.cause, "OPTIONAL_IE_INCORRECT");
}

/* Names both ways; unknown names and NULL refused. */
static void test_status_parse(void **state)
{
	enum t8_delivery_status st = T8_SUCCESS;
	(void)state;
	for (int i = 0; i < T8_DELIVERY_STATUS_COUNT; i++) {
		assert_int_equal(t8_delivery_status_parse(t8_delivery_status_name(i), &st), 0);
		assert_int_equal(st, i);
	}
	assert_int_equal(t8_delivery_status_parse("success", &st), -EINVAL);
	assert_int_equal(t8_delivery_status_parse("FAILED", &st), -EINVAL);
	assert_int_equal(t8_delivery_status_parse(NULL, &st), -EINVAL);
}

/* Padded base64 only, and never a byte written past @max. */
static void test_base64(void **state)
{
	uint8_t out[8];
	(void)state;
	memset(out, 0xee, sizeof(out));
	assert_int_equal(t8_base64_decode("aGk=", 4, out, 2), 2);
	assert_memory_equal(out, "hi", 2);
	assert_int_equal(out[2], 0xee); /* the padded group's third byte is not written */
	assert_int_equal(t8_base64_decode("aGVsbG8h", 8, out, 6), 6);
	assert_memory_equal(out, "hello!", 6);
	assert_int_equal(t8_base64_decode("aGVsbA==", 8, out, 4), 4);
	assert_memory_equal(out, "hell", 4);
	assert_int_equal(out[4], 'o'); /* "hello!"'s, left: nothing written past 4 */
	assert_int_equal(t8_base64_decode("aGVsbG8h", 8, out, 5), -EMSGSIZE);
	assert_int_equal(t8_base64_decode("", 0, out, 8), -EINVAL);
	assert_int_equal(t8_base64_decode("aGk", 3, out, 8), -EINVAL);
	assert_int_equal(t8_base64_decode("a===", 4, out, 8), -EINVAL);
	assert_int_equal(t8_base64_decode("aG=k", 4, out, 8), -EINVAL);
	assert_int_equal(t8_base64_decode("aG k", 4, out, 8), -EINVAL);
	assert_int_equal(t8_base64_decode("aG\0k", 4, out, 8), -EINVAL);
	assert_int_equal(t8_base64_decode("aGk=aGk=", 8, out, 8), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_rfc4648),
		cmocka_unit_test(test_downlink_refusals),
		cmocka_unit_test(test_config_parse_and_patch),
		cmocka_unit_test(test_problem_and_notifications),
		cmocka_unit_test(test_time_rfc3339),
		cmocka_unit_test(test_rds_ports),
		cmocka_unit_test(test_status_parse),
		cmocka_unit_test(test_base64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
