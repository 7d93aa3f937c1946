/*
 * rdctl — rdd's control-socket commands, status counters and events.
 *
 *   endpoints [ep= d= et= rt= q=]          registrations, filtered like
 *                                          /rd-lookup/ep (q: a whole query)
 *   resources [ep= d= et= rt= if= href= q=] links, filtered like /rd-lookup/res
 *   register ep= base= [d= lt= et= links=] register, or update in place (for
 *                                          daemons that mirror their endpoints)
 *   remove ep= [d= et=]                    remove a registration (of that et only)
 *   groups [gp= d= ep=]                    groups of the RD drafts (rdgroup), with
 *                                          their members; ep: groups that have it
 *   remove-group gp= [d=]                  remove a group
 *   topics [name=]                         the broker's topics: name, paths,
 *                                          content format, subscribers, last
 *                                          publication and the size of its value;
 *                                          its text when short; with name= the
 *                                          value whole (value, value_format, text)
 *   cred-add identity= key=HEX [sectors=a,b] a DTLS PSK and the sectors it may register in
 *   cred-del identity=                     delete it
 *   cred-list                              credentials, keys never shown
 *   forget ep= [d=]                        drop the remembered registrant of a name
 *
 * Lists are streamed as one record per item, RDCTL_MAX_LIST at most unless
 * q sets count (page through longer ones with q="page=N&count=M").  Events, published to
 * subscribers of the control socket: rd.registered, rd.updated,
 * rd.removed, rd.expired, rd.replaced, each with the registration's ep, d,
 * location, base, lt and link count; rd.group.created, rd.group.removed,
 * rd.group.replaced with the group's gp, d, location, base and members;
 * ps.topic_created, ps.topic_deleted and ps.topic_expired with the topic as
 * `topics` lists it.
 */
#ifndef LWGATE_RDD_RDCTL_H
#define LWGATE_RDD_RDCTL_H

#include <jansson.h>

#include "common/daemon.h"
#include "common/ipc_server.h"
#include "http/httpbridge.h"
#include "rdgroup.h"
#include "rdauth.h"
#include "pubsub.h"
#include "rdserver.h"
#include "rdstore.h"

#define RDCTL_MAX_LIST 10000

/* The daemon's state, the start() state the commands get. */
struct rdd {
	struct daemon *daemon;
	struct rdstore *store;
	struct rdserver *server;
	struct rdgroups *groups;
	struct rdauth *auth;
	struct pubsub *pubsub;
	struct rdlimit *limit;
	struct httpbridge *http; /* NULL when [http] enabled = no */
};

extern const struct ipc_command rdctl_commands[];

/* Add rdd's fields and counters to a status reply. */
void rdctl_status(void *state, json_t *status);

/* Publish the event for a committed change. */
void rdctl_changed(struct rdd *rdd, const struct rdreg *reg, enum rdstore_change change);

/* Publish the event for a committed group change. */
void rdctl_group_changed(struct rdd *rdd, const struct rdgroup *g, enum rdgroup_change change);

/* Publish the event of a topic created, deleted or expired. */
void rdctl_topic_changed(struct rdd *rdd, const struct pubsub_topic_info *t, enum pubsub_event ev);

#endif
