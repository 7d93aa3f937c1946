/*
 * rdauth: the authorization decisions of rdd (4.01 / 4.03 / allowed) for
 * anonymous, token and PSK requesters over a real SQLite file; the token
 * configuration syntax; the removal of auth= from queries.  The requester
 * (struct rdauth_who) is filled here as rdauth_identify() fills it from a
 * DTLS session and a query, which the integration test test_rdsec.py
 * drives through real coaps sessions.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../tmpdb.h"

#include "common/daemon.h"
#include "rdauth.h"

static const struct db_migration migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
	{ 2, RDCREDS_SCHEMA RDPOLICY_SCHEMA RDPOLICY_GROUP_SCHEMA },
};

struct fixture {
	struct tmpdb tmp;
	struct db *db;
	struct rdauth *a;
	char why[192];
};

static void start(struct fixture *f, const struct rdauth_config *cfg)
{
	f->db = tmpdb_open(&f->tmp, migrations, 2);
	assert_int_equal(rdauth_new(f->db, cfg, &f->a), 0);
	assert_int_equal(pskstore_add_hex(rdauth_creds(f->a), "node-a", "6b", "farm,-"), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	tmpdb_make(&f->tmp, "rdauth", "rdd.db");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rdauth_free(f->a);
	db_close(f->db);
	tmpdb_remove(&f->tmp);
	free(f);
	return 0;
}

static struct rdauth_who anonymous(void)
{
	struct rdauth_who w = { .token = -1 };

	return w;
}

static struct rdauth_who token(int i, const char *identity)
{
	struct rdauth_who w = { .token = i };

	snprintf(w.identity, sizeof(w.identity), "%s", identity);
	return w;
}

static struct rdauth_who psk(struct fixture *f, const char *id)
{
	struct rdauth_who w = { .token = -1 };

	snprintf(w.psk, sizeof(w.psk), "%s", id);
	w.cred = pskstore_find(rdauth_creds(f->a), (const uint8_t *)id, strlen(id));
	w.sectors = w.cred ? w.cred->bound : NULL;
	snprintf(w.identity, sizeof(w.identity), "psk:%s", id);
	return w;
}

#define CHECK(f, who, op, d, ep) \
	rdauth_check((f)->a, &(who), (op), (d), (ep), (f)->why, sizeof((f)->why))

static void open_directory(void **state)
{
	struct fixture *f = *state;
	struct rdauth_config cfg = { .lookup_open = true, .tokens = "", .bind_psk_identity = true };
	struct rdauth_who anon = anonymous(), a;

	start(f, &cfg);
	a = psk(f, "node-a");
	assert_int_equal(CHECK(f, anon, RDAUTH_REGISTER, "", "n1"), 0);
	assert_int_equal(CHECK(f, anon, RDAUTH_LOOKUP, NULL, NULL), 0);
	/* a PSK identity's name is for DTLS only, and the identity only for its name */
	assert_int_equal(CHECK(f, anon, RDAUTH_REGISTER, "", "node-a"), 403);
	assert_non_null(strstr(f->why, "coaps"));
	assert_int_equal(CHECK(f, a, RDAUTH_REGISTER, "", "other"), 403);
	assert_int_equal(CHECK(f, a, RDAUTH_REGISTER, "", "node-a"), 0);
	/* its sectors */
	assert_int_equal(CHECK(f, a, RDAUTH_REGISTER, "farm", "node-a"), 0);
	assert_int_equal(CHECK(f, a, RDAUTH_REGISTER, "barn", "node-a"), 403);
	assert_non_null(strstr(f->why, "barn"));
	/* first come, first remembered: the anonymous one may not update it */
	assert_int_equal(rdauth_registered(f->a, &a, "", "node-a"), 0);
	assert_int_equal(CHECK(f, anon, RDAUTH_UPDATE, "", "node-a"), 403);
	assert_int_equal(CHECK(f, anon, RDAUTH_REMOVE, "", "node-a"), 403);
	assert_int_equal(CHECK(f, a, RDAUTH_PATCH, "", "node-a"), 0);
	rdauth_released(f->a, "", "node-a");
	assert_int_equal(CHECK(f, anon, RDAUTH_UPDATE, "", "node-a"), 0);
}

static void tokens_and_closed_lookups(void **state)
{
	struct fixture *f = *state;
	struct rdauth_config cfg = { .registration_required = true,
				     .lookup_open = false,
				     .tokens = "t-farm:farm t-any",
				     .bind_psk_identity = false,
				     .remember_s = -1 };
	struct rdauth_who anon = anonymous(), t0 = token(0, "token:0"), t1 = token(1, "token:1"),
			  bad = anonymous(), a;
	struct rdauth_stats st;

	start(f, &cfg);
	a = psk(f, "node-a");
	bad.bad = "the bearer token (auth=) is not known";
	assert_int_equal(CHECK(f, anon, RDAUTH_REGISTER, "", "n"), 401);
	assert_int_equal(CHECK(f, anon, RDAUTH_LOOKUP, NULL, NULL), 401);
	assert_int_equal(CHECK(f, bad, RDAUTH_LOOKUP, NULL, NULL), 401);
	assert_int_equal(CHECK(f, bad, RDAUTH_REGISTER, "farm", "n"), 401);
	assert_int_equal(CHECK(f, t0, RDAUTH_LOOKUP, NULL, NULL), 0);
	assert_int_equal(CHECK(f, a, RDAUTH_LOOKUP, NULL, NULL), 0);
	assert_int_equal(CHECK(f, t0, RDAUTH_REGISTER, "farm", "n"), 0);
	assert_int_equal(CHECK(f, t0, RDAUTH_REGISTER, "barn", "n"), 403);
	assert_int_equal(CHECK(f, t0, RDAUTH_GROUP, "barn", NULL), 403);
	assert_int_equal(CHECK(f, t1, RDAUTH_GROUP, "barn", NULL), 0);
	assert_int_equal(CHECK(f, t0, RDAUTH_REGISTER, "", "n"), 403);
	assert_int_equal(CHECK(f, t1, RDAUTH_REGISTER, "barn", "n"), 0);
	/* binding off: a PSK identity may take any name in its sectors */
	assert_int_equal(CHECK(f, a, RDAUTH_REGISTER, "farm", "whatever"), 0);
	/* remembered forever, across identities of both kinds */
	assert_int_equal(rdauth_registered(f->a, &t1, "farm", "n"), 0);
	rdauth_released(f->a, "farm", "n");
	assert_int_equal(CHECK(f, t0, RDAUTH_REGISTER, "farm", "n"), 403);
	assert_int_equal(CHECK(f, a, RDAUTH_REGISTER, "farm", "n"), 403);
	assert_int_equal(CHECK(f, t1, RDAUTH_REGISTER, "farm", "n"), 0);
	rdauth_get_stats(f->a, &st);
	assert_int_equal(st.unauthorized, 4);
	assert_int_equal(st.forbidden, 5);
	assert_int_equal(st.remembered_refused, 2);
	assert_int_equal(st.credentials, 1);
	assert_int_equal(st.claims, 1);
	/* a reload with bad tokens keeps the old ones */
	cfg.tokens = "x:a,,b";
	assert_int_equal(rdauth_reload(f->a, &cfg), -EINVAL);
	cfg.tokens = "";
	cfg.registration_required = false;
	assert_int_equal(rdauth_reload(f->a, &cfg), 0);
	assert_int_equal(CHECK(f, anon, RDAUTH_REGISTER, "", "m"), 0);
}

static void token_syntax(void **state)
{
	char why[128];

	assert_true(rdauth_tokens_valid("", why, sizeof(why)));
	assert_true(rdauth_tokens_valid("  a  b:farm c:-,x d:*", why, sizeof(why)));
	assert_false(rdauth_tokens_valid("a a", why, sizeof(why)));
	assert_non_null(strstr(why, "twice"));
	assert_false(rdauth_tokens_valid("a:", why, sizeof(why)));
	assert_false(rdauth_tokens_valid(":farm", why, sizeof(why)));
	assert_false(rdauth_tokens_valid("a:farm,", why, sizeof(why)));
	assert_false(rdauth_tokens_valid("a:fa*rm", why, sizeof(why)));
}

/* The broker's changes need what a registration needs in the broker's sector; reading is a lookup.
 */
static void topics_as_registrations(void **state)
{
	struct fixture *f = *state;
	struct rdauth_config cfg = { .registration_required = true,
				     .lookup_open = false,
				     .tokens = "tok-farm:farm tok-any",
				     .bind_psk_identity = true };
	struct rdauth_who anon = anonymous(), farm = token(0, "token:f"), any = token(1, "token:a"),
			  a;
	struct rdauth_stats st;

	start(f, &cfg);
	a = psk(f, "node-a"); /* farm and the empty sector */
	assert_int_equal(CHECK(f, anon, RDAUTH_TOPIC, "", NULL), 401);
	assert_non_null(strstr(f->why, "topics"));
	assert_non_null(strstr(f->why, "auth=TOKEN"));
	assert_int_equal(CHECK(f, anon, RDAUTH_LOOKUP, NULL, NULL), 401);
	/* the sector of the broker decides, as a registration's would */
	assert_int_equal(CHECK(f, farm, RDAUTH_TOPIC, "", NULL), 403);
	assert_int_equal(CHECK(f, farm, RDAUTH_TOPIC, "farm", NULL), 0);
	assert_int_equal(CHECK(f, any, RDAUTH_TOPIC, "", NULL), 0);
	assert_int_equal(CHECK(f, a, RDAUTH_TOPIC, "", NULL), 0);
	assert_int_equal(CHECK(f, a, RDAUTH_TOPIC, "barn", NULL), 403);
	/* no name is bound (node-a is no topic) and none remembered */
	assert_int_equal(CHECK(f, farm, RDAUTH_LOOKUP, NULL, NULL), 0);
	rdauth_get_stats(f->a, &st);
	assert_int_equal(st.unauthorized, 2);
	assert_int_equal(st.forbidden, 2);
	assert_int_equal(st.claims, 0);
}

/* Closed lookups: what a credential limited to sectors sees, and reading one thing of a sector. */
static void lookup_scopes(void **state)
{
	struct fixture *f = *state;
	struct rdauth_config cfg = { .lookup_open = false,
				     .tokens = "tok-farm:farm tok-any tok-two:barn,-",
				     .bind_psk_identity = true };
	struct rdauth_who farm = token(0, "token:f"), any = token(1, "token:a"),
			  two = token(2, "token:t"), a, both;
	char buf[RDAUTH_SCOPE_MAX];

	start(f, &cfg);
	a = psk(f, "node-a"); /* farm,- */
	assert_null(rdauth_lookup_scope(f->a, &any, buf, sizeof(buf)));
	assert_string_equal(rdauth_lookup_scope(f->a, &farm, buf, sizeof(buf)), "farm");
	assert_string_equal(rdauth_lookup_scope(f->a, &a, buf, sizeof(buf)), "farm,-");
	/* a PSK identity that also sends a token sees the sectors of both */
	both = a;
	both.token = 2;
	assert_string_equal(rdauth_lookup_scope(f->a, &both, buf, sizeof(buf)), "farm,-,barn,-");
	assert_true(rdcreds_sector_in(buf, "barn"));
	assert_true(rdcreds_sector_in(buf, ""));
	assert_false(rdcreds_sector_in(buf, "other"));
	/* the lookup interfaces (d NULL) are open to any credential */
	assert_int_equal(CHECK(f, farm, RDAUTH_LOOKUP, NULL, NULL), 0);
	/* one thing of a sector: only within the scope */
	assert_int_equal(CHECK(f, farm, RDAUTH_LOOKUP, "farm", NULL), 0);
	assert_int_equal(CHECK(f, farm, RDAUTH_LOOKUP, "barn", NULL), 403);
	assert_non_null(strstr(f->why, "barn"));
	assert_int_equal(CHECK(f, farm, RDAUTH_LOOKUP, "", NULL), 403);
	assert_int_equal(CHECK(f, two, RDAUTH_LOOKUP, "", NULL), 0);
	assert_int_equal(CHECK(f, any, RDAUTH_LOOKUP, "anything", NULL), 0);
	assert_int_equal(CHECK(f, a, RDAUTH_LOOKUP, "barn", NULL), 403);
	/* open lookups: everybody sees all */
	cfg.lookup_open = true;
	assert_int_equal(rdauth_reload(f->a, &cfg), 0);
	assert_null(rdauth_lookup_scope(f->a, &farm, buf, sizeof(buf)));
	assert_int_equal(CHECK(f, farm, RDAUTH_LOOKUP, "barn", NULL), 0);
}

/* Group names: first come, first remembered, apart from endpoint names. */
static void group_names_remembered(void **state)
{
	struct fixture *f = *state;
	struct rdauth_config cfg = { .lookup_open = true, .tokens = "tok-1 tok-2" };
	struct rdauth_who one = token(0, "token:1"), two = token(1, "token:2"), anon = anonymous();
	struct rdauth_stats st;

	start(f, &cfg);
	assert_int_equal(CHECK(f, one, RDAUTH_GROUP, "farm", "lights"), 0);
	assert_int_equal(rdauth_group_registered(f->a, &one, "farm", "lights"), 0);
	assert_int_equal(CHECK(f, two, RDAUTH_GROUP, "farm", "lights"), 403);
	assert_non_null(strstr(f->why, "group 'lights'"));
	assert_int_equal(CHECK(f, anon, RDAUTH_GROUP, "farm", "lights"), 403);
	assert_int_equal(CHECK(f, one, RDAUTH_GROUP, "farm", "lights"), 0);
	/* another sector, or an endpoint of that name: free */
	assert_int_equal(CHECK(f, two, RDAUTH_GROUP, "barn", "lights"), 0);
	assert_int_equal(CHECK(f, two, RDAUTH_REGISTER, "farm", "lights"), 0);
	rdauth_get_stats(f->a, &st);
	assert_int_equal(st.group_claims, 1);
	assert_int_equal(st.claims, 0);
	assert_int_equal(st.remembered_refused, 2);
	/* removed: the name is free again (remember 0) */
	rdauth_group_released(f->a, "farm", "lights");
	assert_int_equal(CHECK(f, two, RDAUTH_GROUP, "farm", "lights"), 0);
	/* an anonymous group claims nothing */
	assert_int_equal(rdauth_group_registered(f->a, &anon, "farm", "open"), 0);
	assert_int_equal(CHECK(f, two, RDAUTH_GROUP, "farm", "open"), 0);
}

static void strip_removes_only_auth(void **state)
{
	static const char text[] = "ep=n&auth=secret&lt=60&authx=1&auth";
	struct rdquery q;

	assert_int_equal(rdquery_parse((const uint8_t *)text, sizeof(text) - 1, &q), 0);
	rdauth_strip(&q);
	assert_int_equal(q.count, 3);
	assert_string_equal(q.params[0].name, "ep");
	assert_string_equal(q.params[1].name, "lt");
	assert_string_equal(q.params[2].name, "authx");
	rdquery_fini(&q);
}

/*
 * A certificate holder acts in [auth] certificate_sectors (rdauth_identify
 * points who->sectors there; the handshake and the CN are the integration
 * test's, test_rdcert.py); a bad list is refused at start and on reload.
 */
static void certificate_sectors(void **state)
{
	struct fixture *f = *state;
	struct rdauth_config cfg = { .registration_required = true,
				     .lookup_open = false,
				     .tokens = "",
				     .certificate_sectors = "farm,-",
				     .bind_certificate = false };
	struct rdauth_who cert = { .token = -1, .certificate = true, .sectors = "farm,-" };
	struct rdauth *other;
	char scope[RDAUTH_SCOPE_MAX];

	start(f, &cfg);
	snprintf(cert.identity, sizeof(cert.identity), "x509:device-1");
	assert_int_equal(CHECK(f, cert, RDAUTH_REGISTER, "farm", "any-name"), 0);
	assert_int_equal(CHECK(f, cert, RDAUTH_REGISTER, "", "any-name"), 0);
	assert_int_equal(CHECK(f, cert, RDAUTH_REGISTER, "barn", "any-name"), 403);
	assert_int_equal(CHECK(f, cert, RDAUTH_LOOKUP, NULL, NULL), 0);
	assert_string_equal(rdauth_lookup_scope(f->a, &cert, scope, sizeof(scope)), "farm,-");
	/* bound: without a session there is no certificate to name the endpoint */
	cfg.bind_certificate = true;
	assert_int_equal(rdauth_reload(f->a, &cfg), 0);
	assert_int_equal(CHECK(f, cert, RDAUTH_REGISTER, "farm", "any-name"), 403);
	assert_non_null(strstr(f->why, "device-1"));
	cfg.certificate_sectors = "farm,,barn";
	assert_int_equal(rdauth_reload(f->a, &cfg), -EINVAL);
	assert_int_equal(rdauth_new(f->db, &cfg, &other), -EINVAL);
	cfg.certificate_sectors = NULL; /* any */
	assert_int_equal(rdauth_reload(f->a, &cfg), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(open_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(tokens_and_closed_lookups, setup, teardown),
		cmocka_unit_test_setup_teardown(topics_as_registrations, setup, teardown),
		cmocka_unit_test_setup_teardown(lookup_scopes, setup, teardown),
		cmocka_unit_test_setup_teardown(certificate_sectors, setup, teardown),
		cmocka_unit_test_setup_teardown(group_names_remembered, setup, teardown),
		cmocka_unit_test(token_syntax),
		cmocka_unit_test(strip_removes_only_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
