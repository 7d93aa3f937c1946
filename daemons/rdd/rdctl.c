/*
 * Control commands, status and events of rdd (see rdctl.h).
 */
#include "rdctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "coap/credctl.h"
#include "coap/rdquery.h"
#include "common/log.h"
#include "rdlookup.h"
#include "rdreq.h"

static json_t *reg_json(const struct rdreg *r, int64_t now)
{
	const struct linkformat_attr *et =
		r->attrs.count ? linkformat_find(&r->attrs.links[0], "et") : NULL;
	char loc[RDSTORE_LOC_MAX + 1];

	snprintf(loc, sizeof(loc), "/%s", r->loc);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s?, s:I}", "ep", r->ep, "d", r->d,
			 "location", loc, "base", r->base, "lt", (json_int_t)r->lt, "expires_in",
			 (json_int_t)((r->expires_ms - now + 999) / 1000), "et",
			 et ? et->value : NULL, "links", (json_int_t)r->links.count);
}

/*
 * The filters of a command: its named arguments (but @skip) as items, and
 * "q" parsed as a whole query.  Returns false after failing @call.
 */
static bool args_query(struct ipc_call *call, json_t *args, struct rdquery *q)
{
	const char *name;
	json_t *v;
	int rc = 0;

	rdquery_init(q);
	if (json_is_string(json_object_get(args, "q"))) {
		const char *text = json_string_value(json_object_get(args, "q"));

		rc = rdquery_parse((const uint8_t *)text, strlen(text), q);
	}
	json_object_foreach (args, name, v) {
		char *item;

		if (rc < 0 || strcmp(name, "q") == 0 || !json_is_string(v))
			continue;
		if (asprintf(&item, "%s=%s", name, json_string_value(v)) < 0)
			abort();
		rc = rdquery_add(q, (const uint8_t *)item, strlen(item));
		free(item);
	}
	if (rc < 0) {
		rdquery_fini(q);
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "bad filter: %s", rdquery_strerror(rc));
		return false;
	}
	return true;
}

struct list_ctx {
	struct ipc_call *call;
	enum rdlookup_kind kind;
	int64_t now;
};

static void list_one(const struct rdreg *r, size_t link, void *arg)
{
	struct list_ctx *l = arg;
	json_t *rec;

	if (l->kind == RDLOOKUP_EP) {
		rec = reg_json(r, l->now);
	} else {
		char *text = NULL, *href = rdstore_resolve(r, link);
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		if (!f)
			abort();
		rdlookup_write(r, RDLOOKUP_RES, link, f);
		fclose(f);
		rec = json_pack("{s:s, s:s, s:s, s:s}", "ep", r->ep, "d", r->d, "href", href,
				"link", text);
		free(text);
		free(href);
	}
	ipc_call_record(l->call, rec);
}

static void list(struct ipc_call *call, json_t *args, struct rdd *rdd, enum rdlookup_kind kind)
{
	struct list_ctx l = { call, kind, rdstore_now(rdd->store) };
	struct rdquery q;
	char why[128];
	long n;

	if (!args_query(call, args, &q))
		return;
	/*
	 * A reply is produced in one go and queued for the client, which is
	 * dropped past IPC_SERVER_MAX_QUEUE bytes: without count, a page of
	 * RDCTL_MAX_LIST items (more with page/count in q).
	 */
	if (!rdquery_find(&q, "count")) {
		char item[32];

		snprintf(item, sizeof(item), "count=%d", RDCTL_MAX_LIST);
		if (rdquery_add(&q, (const uint8_t *)item, strlen(item)) < 0) {
			rdquery_fini(&q);
			ipc_call_fail(call, IPC_ERR_BAD_ARGS, "too many filters");
			return;
		}
	}
	n = rdlookup_each(rdd->store, kind, &q, NULL, list_one, &l, why, sizeof(why));
	rdquery_fini(&q);
	if (n < 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "%s", why);
		return;
	}
	/* records already carry the list; an empty one is an empty array */
	ipc_call_reply(call, n ? json_pack("{s:I}", "count", (json_int_t)n) : json_array());
}

static void cmd_endpoints(struct ipc_call *call, json_t *args, void *ctx)
{
	list(call, args, ctx, RDLOOKUP_EP);
}

static void cmd_resources(struct ipc_call *call, json_t *args, void *ctx)
{
	list(call, args, ctx, RDLOOKUP_RES);
}

static void cmd_remove(struct ipc_call *call, json_t *args, void *ctx)
{
	struct rdd *rdd = ctx;
	const char *ep = json_string_value(json_object_get(args, "ep"));
	const char *d = json_string_value(json_object_get(args, "d"));
	struct rdreg *r = rdstore_find_ep(rdd->store, d ? d : "", ep);
	json_t *gone;

	const char *et = json_string_value(json_object_get(args, "et"));
	const struct linkformat_attr *has_et;

	if (!r) {
		ipc_call_fail(call, IPC_ERR_NOT_FOUND,
			      "no registration of ep \"%s\" in sector \"%s\"", ep, d ? d : "");
		return;
	}
	/* et guards a daemon's removal of its own registrations from another's of the same name */
	has_et = r->attrs.count ? linkformat_find(&r->attrs.links[0], "et") : NULL;
	if (et && (!has_et || !has_et->value || strcmp(has_et->value, et) != 0)) {
		ipc_call_fail(call, IPC_ERR_NOT_FOUND,
			      "the registration of ep \"%s\" in sector \"%s\" is not of et=%s", ep,
			      d ? d : "", et);
		return;
	}
	gone = reg_json(r, rdstore_now(rdd->store));
	if (rdstore_remove(rdd->store, r) < 0) {
		json_decref(gone);
		ipc_call_fail(call, IPC_ERR_INTERNAL, "the database refused the removal");
		return;
	}
	log_info("registration removed by %u ep=%s", (unsigned)ipc_call_uid(call), ep);
	ipc_call_reply(call, gone);
}

static json_t *topic_json(const struct pubsub_topic_info *t)
{
	char path[40], data[48];

	snprintf(path, sizeof(path), "/%s", t->path);
	snprintf(data, sizeof(data), "/%s", t->data_path);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:I, s:o}", "name", t->name, "path",
			 path, "data_path", data, "state",
			 t->full ? "fully-created" : "half-created", "content_format",
			 t->content_format >= 0 ? json_integer(t->content_format) : json_null(),
			 "subscribers", (json_int_t)t->subscribers, "published",
			 t->published_ms ? json_integer(t->published_ms / 1000) : json_null(),
			 "value_size", (json_int_t)t->value_len, "expires",
			 t->expires ? json_integer(t->expires) : json_null());
}

/*
 * The list's bound on a value it shows as text: the console shows each
 * topic's last value from one `topics` call, and a list of max_topics
 * values of up to 1 KiB each would be most of a megabyte.
 */
#define RDCTL_TOPIC_TEXT_MAX 256

/*
 * A value as "text" when it is text/plain (0) or application/json (50) and
 * UTF-8, so a browser needs no decoder.
 */
static void add_text(json_t *o, const struct pubsub_topic_info *t)
{
	if (t->value_cf == 0 || t->value_cf == 50) {
		json_t *text =
			json_stringn((const char *)t->value, t->value_len); /* NULL: not UTF-8 */

		if (text)
			json_object_set_new(o, "text", text);
	}
}

/*
 * A topic's last value, for the HTTP API (one topic, the topic-data stream,
 * the ps.published event): always as base64 (any Content-Format), its
 * format, and the text when it is text.  Nothing when none was published.
 */
static void add_value(json_t *o, const struct pubsub_topic_info *t)
{
	if (!t->value)
		return;
	char *b64 = malloc(4 * ((t->value_len + 2) / 3) + 1);

	if (!b64)
		abort();
	EVP_EncodeBlock((unsigned char *)b64, t->value, (int)t->value_len); /* <= max_value_size */
	json_object_set_new(o, "value_format",
			    t->value_cf >= 0 ? json_integer(t->value_cf) : json_null());
	json_object_set_new(o, "value", json_string(b64));
	free(b64);
	add_text(o, t);
}

struct topics_ctx {
	struct ipc_call *call;
	const char *name;
	size_t n;
};

static void topic_one(const struct pubsub_topic_info *t, void *arg)
{
	struct topics_ctx *c = arg;

	if (c->name && strcmp(c->name, t->name) != 0)
		return;
	if (c->n++ >= RDCTL_MAX_LIST)
		return;
	json_t *o = topic_json(t);

	/* one topic: its whole value; the list: small text values only */
	if (c->name)
		add_value(o, t);
	else if (t->value && t->value_len <= RDCTL_TOPIC_TEXT_MAX)
		add_text(o, t);
	ipc_call_record(c->call, o);
}

static void cmd_topics(struct ipc_call *call, json_t *args, void *ctx)
{
	struct rdd *rdd = ctx;
	struct topics_ctx c = { call, json_string_value(json_object_get(args, "name")), 0 };

	pubsub_each(rdd->pubsub, topic_one, &c);
	if (c.name && c.n == 0) {
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no topic named \"%s\"", c.name);
		return;
	}
	ipc_call_reply(call, c.n ? json_pack("{s:I}", "count", (json_int_t)c.n) : json_array());
}

static json_t *group_json(const struct rdgroup *g)
{
	json_t *members = json_array();
	char loc[RDGROUP_LOC_MAX + 1];

	for (size_t i = 0; i < g->members.count; i++) {
		const struct linkformat_attr *ep = linkformat_find(&g->members.links[i], "ep");
		const struct linkformat_attr *d = linkformat_find(&g->members.links[i], "d");

		json_array_append_new(members, json_pack("{s:s, s:s}", "ep", ep ? ep->value : "",
							 "d", d ? d->value : g->d));
	}
	snprintf(loc, sizeof(loc), "/%s", g->loc);
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "gp", g->gp, "d", g->d, "location", loc,
			 "base", g->base, "members", members);
}

/* Does @g pass the optional gp, d and ep (a member) arguments? (gp and ep: "*" suffix is a prefix)
 */
static bool group_wanted(const struct rdgroup *g, json_t *args)
{
	const char *gp = json_string_value(json_object_get(args, "gp"));
	const char *d = json_string_value(json_object_get(args, "d"));
	const char *ep = json_string_value(json_object_get(args, "ep"));
	bool found;

	if (gp && strcmp(gp, g->gp) != 0 &&
	    !(gp[0] && gp[strlen(gp) - 1] == '*' && strncmp(gp, g->gp, strlen(gp) - 1) == 0))
		return false;
	if (d && strcmp(d, g->d) != 0)
		return false;
	if (!ep)
		return true;
	found = false;
	for (size_t i = 0; i < g->members.count && !found; i++) {
		const struct linkformat_attr *m = linkformat_find(&g->members.links[i], "ep");

		found = m && m->value && strcmp(m->value, ep) == 0;
	}
	return found;
}

static void cmd_groups(struct ipc_call *call, json_t *args, void *ctx)
{
	struct rdd *rdd = ctx;
	const struct rdgroup *g;
	json_int_t n = 0;

	TAILQ_FOREACH(g, rdgroup_list(rdd->groups), order)
	{
		if (!group_wanted(g, args))
			continue;
		ipc_call_record(call, group_json(g));
		n++;
	}
	ipc_call_reply(call, n ? json_pack("{s:I}", "count", n) : json_array());
}

static void cmd_remove_group(struct ipc_call *call, json_t *args, void *ctx)
{
	struct rdd *rdd = ctx;
	const char *gp = json_string_value(json_object_get(args, "gp"));
	const char *d = json_string_value(json_object_get(args, "d"));
	struct rdgroup *g = rdgroup_find(rdd->groups, d, gp);
	json_t *gone;

	if (!g) {
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no group \"%s\" in sector \"%s\"", gp,
			      d ? d : "");
		return;
	}
	gone = group_json(g);
	if (rdgroup_remove(rdd->groups, g) < 0) {
		json_decref(gone);
		ipc_call_fail(call, IPC_ERR_INTERNAL, "the database refused the removal");
		return;
	}
	log_info("group removed by %u gp=%s", (unsigned)ipc_call_uid(call), gp);
	ipc_call_reply(call, gone);
}

static const struct ipc_arg group_args[] = {
	{ "gp", IPC_ARG_STRING, false, "group name (a trailing * is a prefix)" },
	{ "d", IPC_ARG_STRING, false, "sector" },
	{ "ep", IPC_ARG_STRING, false, "groups that have this member endpoint" },
	{ NULL },
};

static const struct ipc_arg remove_group_args[] = {
	{ "gp", IPC_ARG_STRING, true, "group name" },
	{ "d", IPC_ARG_STRING, false, "sector (default: none)" },
	{ NULL },
};

/*
 * Register, or update in place when (d, ep) is already registered: the
 * control socket's registration, for daemons that know endpoints the RD
 * should list (lwm2md mirrors its LwM2M clients this way, CRD-001).  In
 * place, so the location and the observers of lookups see an update, not
 * a removal and a new endpoint.
 */
static void cmd_register(struct ipc_call *call, json_t *args, void *ctx)
{
	struct rdd *rdd = ctx;
	const char *ep = json_string_value(json_object_get(args, "ep"));
	const char *d = json_string_value(json_object_get(args, "d"));
	const char *et = json_string_value(json_object_get(args, "et"));
	const char *text = json_string_value(json_object_get(args, "links"));
	json_t *lt_arg = json_object_get(args, "lt");
	struct linkformat_attr et_attr = { "et", et, false };
	struct rdreg_input in = { .ep = ep, .d = d ? d : "" };
	struct linkformat links;
	struct rdreg *r;
	bool created;
	int rc;

	in.base = json_string_value(json_object_get(args, "base"));
	if (lt_arg && (!json_is_integer(lt_arg) || json_integer_value(lt_arg) < 1 ||
		       json_integer_value(lt_arg) > UINT32_MAX)) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "lt must be 1…4294967295 seconds");
		return;
	}
	in.lt = lt_arg ? (uint32_t)json_integer_value(lt_arg) : 0;
	if (strlen(ep) > RDREQ_MAX_NAME || strlen(in.d) > RDREQ_MAX_NAME || !rdreq_valid_name(ep) ||
	    !rdreq_valid_name(in.d)) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "ep and d are at most %d bytes of UTF-8 without control characters",
			      RDREQ_MAX_NAME);
		return;
	}
	if (!rdreq_valid_base(in.base)) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "base \"%s\" is not an absolute URI without query or fragment",
			      in.base);
		return;
	}
	if (et) {
		in.attrs = &et_attr;
		in.attr_count = 1;
	}
	rc = linkformat_parse((const uint8_t *)(text ? text : ""), text ? strlen(text) : 0, &links);
	if (rc < 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "links, byte %zu: %s", links.error_offset,
			      linkformat_strerror(rc));
		return;
	}
	in.links = &links;
	r = rdstore_find_ep(rdd->store, in.d, ep);
	created = r == NULL;
	rc = created ? rdstore_register(rdd->store, &in, &r) : rdstore_update(rdd->store, r, &in);
	linkformat_fini(&links);
	if (rc < 0) {
		ipc_call_fail(call, IPC_ERR_INTERNAL, "the database refused the registration");
		return;
	}
	ipc_call_reply(call, json_pack("{s:s, s:b}", "location", r->loc, "created", created));
}

static const struct ipc_arg ep_args[] = {
	{ "ep", IPC_ARG_STRING, false, "endpoint name (a trailing * is a prefix)" },
	{ "d", IPC_ARG_STRING, false, "sector" },
	{ "et", IPC_ARG_STRING, false, "endpoint type" },
	{ "rt", IPC_ARG_STRING, false, "resource type of one of its links" },
	{ "q", IPC_ARG_STRING, false, "a whole lookup query, e.g. \"rt=temp*&page=0&count=10\"" },
	{ NULL },
};

static const struct ipc_arg res_args[] = {
	{ "ep", IPC_ARG_STRING, false, "endpoint name (a trailing * is a prefix)" },
	{ "d", IPC_ARG_STRING, false, "sector" },
	{ "et", IPC_ARG_STRING, false, "endpoint type" },
	{ "rt", IPC_ARG_STRING, false, "resource type" },
	{ "if", IPC_ARG_STRING, false, "interface description" },
	{ "href", IPC_ARG_STRING, false, "link target, as registered or resolved" },
	{ "q", IPC_ARG_STRING, false, "a whole lookup query, e.g. \"ct=40&page=1&count=50\"" },
	{ NULL },
};

static const struct ipc_arg topic_args[] = {
	{ "name", IPC_ARG_STRING, false, "topic-name" },
	{ NULL },
};

static const struct ipc_arg register_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint name" },
	{ "d", IPC_ARG_STRING, false, "sector (default: none)" },
	{ "base", IPC_ARG_STRING, true, "base URI of the links, e.g. coap://[2001:db8::1]:5683" },
	{ "lt", IPC_ARG_INT, false, "lifetime, seconds (default: [rd] default_lifetime)" },
	{ "et", IPC_ARG_STRING, false, "endpoint type, e.g. oma.lwm2m" },
	{ "links", IPC_ARG_STRING, false, "the links, in link format (default: none)" },
	{ NULL },
};

static const struct ipc_arg forget_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint name" },
	{ "d", IPC_ARG_STRING, false, "sector (default: none)" },
	{ NULL },
};

static const struct ipc_arg remove_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint name" },
	{ "d", IPC_ARG_STRING, false, "sector (default: none)" },
	{ "et", IPC_ARG_STRING, false, "remove only a registration of this endpoint type" },
	{ NULL },
};

static const struct credctl_binding sectors_binding = {
	.arg = "sectors",
	.what = "sector list",
	.rule = "\"*\" or names joined by commas (\"-\": no sector)",
	.fallback = "*",
	.valid = rdcreds_sectors_valid,
};

static void cmd_cred_add(struct ipc_call *call, json_t *args, void *ctx)
{
	struct rdd *rdd = ctx;
	const char *id, *sectors;

	if (credctl_add(call, rdauth_creds(rdd->auth), args, &sectors_binding, &id, &sectors) == 0)
		ipc_call_reply(call, json_pack("{s:s, s:s}", "identity", id, "sectors", sectors));
}

static void cmd_cred_del(struct ipc_call *call, json_t *args, void *ctx)
{
	struct rdd *rdd = ctx;

	credctl_del(call, rdauth_creds(rdd->auth), args, &sectors_binding);
}

static void cmd_cred_list(struct ipc_call *call, json_t *args, void *ctx)
{
	struct rdd *rdd = ctx;

	credctl_list(call, rdauth_creds(rdd->auth));
}

static void cmd_forget(struct ipc_call *call, json_t *args, void *ctx)
{
	struct rdd *rdd = ctx;
	const char *ep = json_string_value(json_object_get(args, "ep"));
	const char *d = json_string_value(json_object_get(args, "d"));
	int rc;

	if (rdstore_find_ep(rdd->store, d ? d : "", ep)) {
		ipc_call_fail(call, IPC_ERR_CONFLICT,
			      "the endpoint is registered: remove it first (remove ep=…)");
		return;
	}
	rc = rdpolicy_forget(rdauth_policy(rdd->auth), d ? d : "", ep);
	if (rc == -ENOENT)
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no registrant is remembered for that name");
	else if (rc < 0)
		ipc_call_fail(call, IPC_ERR_INTERNAL, "not forgotten");
	else
		ipc_call_reply(call, NULL);
}

static const struct ipc_arg forget_group_args[] = {
	{ "gp", IPC_ARG_STRING, true, "group name" },
	{ "d", IPC_ARG_STRING, false, "sector (default: none)" },
	{ NULL },
};

static void cmd_forget_group(struct ipc_call *call, json_t *args, void *ctx)
{
	struct rdd *rdd = ctx;
	const char *gp = json_string_value(json_object_get(args, "gp"));
	const char *d = json_string_value(json_object_get(args, "d"));
	int rc;

	if (rdgroup_find(rdd->groups, d ? d : "", gp)) {
		ipc_call_fail(call, IPC_ERR_CONFLICT,
			      "the group exists: remove it first (remove-group gp=…)");
		return;
	}
	rc = rdpolicy_forget(rdauth_group_policy(rdd->auth), d ? d : "", gp);
	if (rc == -ENOENT)
		ipc_call_fail(call, IPC_ERR_NOT_FOUND,
			      "no registrant is remembered for that group");
	else if (rc < 0)
		ipc_call_fail(call, IPC_ERR_INTERNAL, "not forgotten");
	else
		ipc_call_reply(call, NULL);
}

static const struct ipc_arg cred_add_args[] = {
	{ "identity", IPC_ARG_STRING, true, "PSK identity (with bind_psk_identity: the ep name)",
	  .positional = true },
	CREDCTL_KEY_ARG,
	{ "sectors", IPC_ARG_STRING, false,
	  "sectors it may register in, joined by commas; \"-\": no sector (default: any)",
	  .positional = true },
	{ NULL },
};

static const struct ipc_arg cred_del_args[] = {
	{ "identity", IPC_ARG_STRING, true, "PSK identity", .positional = true },
	{ NULL },
};

const struct ipc_command rdctl_commands[] = {
	{ "endpoints", "list registrations (filters as /rd-lookup/ep)", ep_args, cmd_endpoints,
	  false },
	{ "resources", "list registered links, resolved (filters as /rd-lookup/res)", res_args,
	  cmd_resources, false },
	{ "register", "register an endpoint, or update it in place when registered", register_args,
	  cmd_register, true },
	{ "remove", "remove the registration of an endpoint", remove_args, cmd_remove, true },
	{ "topics", "list the topics of the publish-subscribe broker", topic_args, cmd_topics,
	  false },
	{ "groups", "list the groups of /rd-group, with their members", group_args, cmd_groups,
	  false },
	{ "remove-group", "remove a group of /rd-group", remove_group_args, cmd_remove_group,
	  true },
	{ "cred-add", "add a DTLS pre-shared key and the sectors it may register in", cred_add_args,
	  cmd_cred_add, true },
	{ "cred-del", "delete a DTLS pre-shared key", cred_del_args, cmd_cred_del, true },
	{ "cred-list", "DTLS credentials (keys not shown)", NULL, cmd_cred_list, false },
	{ "forget", "forget the remembered first registrant of an endpoint name", forget_args,
	  cmd_forget, true },
	{ "forget-group", "forget the remembered first registrant of a group name",
	  forget_group_args, cmd_forget_group, true },
	{ NULL },
};

void rdctl_status(void *state, json_t *status)
{
	struct rdd *rdd = state;
	json_t *counters = json_object_get(status, "counters");
	struct rdstore_stats st;
	struct rdserver_stats sv;
	struct rdauth_stats au;
	struct pubsub_stats ps;
	struct rdlimit_stats li;

	rdlimit_get_stats(rdd->limit, &li);
	pubsub_get_stats(rdd->pubsub, &ps);
	rdstore_get_stats(rdd->store, &st);
	rdserver_get_stats(rdd->server, &sv);
	rdauth_get_stats(rdd->auth, &au);
	json_object_set_new(status, "coap_port", json_integer(rdserver_port(rdd->server)));
	json_object_set_new(status, "coaps_port", json_integer(rdserver_coaps_port(rdd->server)));
	json_object_set_new(status, "coaps_certificates",
			    json_boolean(rdserver_certificates(rdd->server)));
	json_object_set_new(status, "credentials", json_integer((json_int_t)au.credentials));
	json_object_set_new(status, "remembered_names", json_integer((json_int_t)au.claims));
	json_object_set_new(status, "remembered_groups", json_integer((json_int_t)au.group_claims));
	json_object_set_new(status, "registrations", json_integer((json_int_t)st.registrations));
	json_object_set_new(status, "links", json_integer((json_int_t)st.links));
	json_object_set_new(status, "multicast_groups", json_integer(sv.multicast_groups));
	json_object_set_new(status, "topics", json_integer((json_int_t)ps.topics));
	json_object_set_new(status, "subscribers", json_integer((json_int_t)ps.subscribers));
	json_object_set_new(status, "groups", json_integer((json_int_t)rdgroup_count(rdd->groups)));
	json_object_set_new(status, "limit_sources", json_integer((json_int_t)li.sources));
	if (!json_is_object(counters))
		return;
	json_object_set_new(counters, "limit_rate_refused",
			    json_integer((json_int_t)li.rate_limited));
	json_object_set_new(counters, "limit_full_registrations",
			    json_integer((json_int_t)li.full_registrations));
	json_object_set_new(counters, "limit_full_links", json_integer((json_int_t)li.full_links));
	json_object_set_new(counters, "limit_evictions", json_integer((json_int_t)li.evictions));
	json_object_set_new(counters, "rd_registered", json_integer((json_int_t)st.created));
	json_object_set_new(counters, "rd_updated", json_integer((json_int_t)st.updated));
	json_object_set_new(counters, "rd_removed", json_integer((json_int_t)st.removed));
	json_object_set_new(counters, "rd_expired", json_integer((json_int_t)st.expired));
	json_object_set_new(counters, "rd_replaced", json_integer((json_int_t)st.replaced));
	json_object_set_new(counters, "rd_lapsed", json_integer((json_int_t)st.lapsed));
	json_object_set_new(counters, "rd_revived", json_integer((json_int_t)st.revived));
	json_object_set_new(counters, "rd_db_errors", json_integer((json_int_t)st.db_errors));
	json_object_set_new(counters, "coap_requests", json_integer((json_int_t)sv.requests));
	json_object_set_new(counters, "coap_bad_requests",
			    json_integer((json_int_t)sv.bad_requests));
	json_object_set_new(counters, "coap_lookups", json_integer((json_int_t)sv.lookups));
	json_object_set_new(counters, "coap_notifications",
			    json_integer((json_int_t)sv.notifications));
	json_object_set_new(counters, "auth_unauthorized",
			    json_integer((json_int_t)au.unauthorized));
	json_object_set_new(counters, "auth_forbidden", json_integer((json_int_t)au.forbidden));
	json_object_set_new(counters, "auth_remembered_refused",
			    json_integer((json_int_t)au.remembered_refused));
	json_object_set_new(counters, "dtls_connected",
			    json_integer((json_int_t)sv.dtls.connected));
	json_object_set_new(counters, "dtls_failures", json_integer((json_int_t)sv.dtls.failures));
	json_object_set_new(counters, "dtls_unknown_identity",
			    json_integer((json_int_t)sv.dtls.unknown_identity));
	json_object_set_new(counters, "ps_created", json_integer((json_int_t)ps.created));
	json_object_set_new(counters, "ps_deleted", json_integer((json_int_t)ps.deleted));
	json_object_set_new(counters, "ps_expired", json_integer((json_int_t)ps.expired));
	json_object_set_new(counters, "ps_publications", json_integer((json_int_t)ps.publications));
	json_object_set_new(counters, "ps_notifications",
			    json_integer((json_int_t)ps.notifications));
	json_object_set_new(counters, "ps_rate_limited", json_integer((json_int_t)ps.rate_limited));
	json_object_set_new(counters, "ps_refused_subscriptions",
			    json_integer((json_int_t)ps.refused_subscriptions));
	json_object_set_new(counters, "ps_db_errors", json_integer((json_int_t)ps.db_errors));
}

void rdctl_topic_changed(struct rdd *rdd, const struct pubsub_topic_info *t, enum pubsub_event ev)
{
	static const char *const topics[] = {
		[PUBSUB_CREATED] = "ps.topic_created",
		[PUBSUB_DELETED] = "ps.topic_deleted",
		[PUBSUB_EXPIRED] = "ps.topic_expired",
		[PUBSUB_PUBLISHED] = "ps.published",
	};
	json_t *o = topic_json(t);

	if (ev == PUBSUB_PUBLISHED)
		add_value(o, t);
	ipc_server_publish(daemon_ipc(rdd->daemon), topics[ev], o);
}

void rdctl_changed(struct rdd *rdd, const struct rdreg *reg, enum rdstore_change change)
{
	static const char *const topics[] = {
		[RDSTORE_CREATED] = "rd.registered", [RDSTORE_UPDATED] = "rd.updated",
		[RDSTORE_REMOVED] = "rd.removed",    [RDSTORE_EXPIRED] = "rd.expired",
		[RDSTORE_REPLACED] = "rd.replaced",  [RDSTORE_LAPSED] = "rd.lapsed",
	};

	if (change == RDSTORE_CREATED)
		log_info("registered ep=%s d=%s loc=/%s links=%zu", reg->ep, reg->d, reg->loc,
			 reg->links.count);
	ipc_server_publish(daemon_ipc(rdd->daemon), topics[change],
			   reg_json(reg, rdstore_now(rdd->store)));
}

void rdctl_group_changed(struct rdd *rdd, const struct rdgroup *g, enum rdgroup_change change)
{
	static const char *const topics[] = {
		[RDGROUP_CREATED] = "rd.group.created",
		[RDGROUP_REMOVED] = "rd.group.removed",
		[RDGROUP_REPLACED] = "rd.group.replaced",
	};

	if (change == RDGROUP_CREATED)
		log_info("group registered gp=%s d=%s loc=/%s members=%zu", g->gp, g->d, g->loc,
			 g->members.count);
	ipc_server_publish(daemon_ipc(rdd->daemon), topics[change], group_json(g));
}
