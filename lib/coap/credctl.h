/*
 * credctl — the credential commands that lwm2md and rdd both serve on their
 * control sockets, over a daemon's pskstore:
 *
 *   cred-add identity= key=HEX <binding>=   a DTLS pre-shared key
 *   cred-del identity= | <binding>=         delete it (by binding when each
 *                                           binding has one key)
 *   cred-list                               the keys, never their bytes
 *
 * A daemon describes what its keys are bound to (lwm2md: the endpoint
 * name "ep"; rdd: the "sectors" list) in a struct credctl_binding; its
 * handlers are one call each into this module, so both daemons check the
 * same arguments and answer with the same errors.
 */
#ifndef LWGATE_COAP_CREDCTL_H
#define LWGATE_COAP_CREDCTL_H

#include <stdbool.h>

#include <jansson.h>

#include "coap/pskstore.h"
#include "common/ipc_server.h"

/* What a daemon binds its keys to, and how cred-add and cred-del name it. */
struct credctl_binding {
	const char *arg;                  /* the argument that carries it: "ep", "sectors" */
	const char *what;                 /* in messages: "endpoint", "sector list" */
	const char *rule;                 /* a valid one, for the error message */
	const char *fallback;             /* when the argument is absent (NULL: it is required) */
	bool identity_is_binding;         /* identity= may be left out: it is the binding */
	bool (*valid)(const char *bound); /* a stricter check than pskstore's; may be NULL */
};

/* key=, the second positional argument of cred-add, after the identity or binding */
#define CREDCTL_KEY_ARG                                                                  \
	{                                                                                \
		"key", IPC_ARG_STRING, true, "pre-shared key in hex", .positional = true \
	}

/*
 * cred-add: store the key= of @args for its identity= bound to the
 * binding's argument.  Returns 0 when stored, with the identity and
 * binding used in @identity and @bound (borrowed from @args or @b): the
 * caller then replies.  Otherwise fails @call with the reason and returns
 * a negative errno.
 */
int credctl_add(struct ipc_call *call, struct pskstore *ps, json_t *args,
		const struct credctl_binding *b, const char **identity, const char **bound);

/*
 * cred-del: delete the key named by identity=, or by the binding's
 * argument when @b's bindings are unique.  Answers @call.
 */
void credctl_del(struct ipc_call *call, struct pskstore *ps, json_t *args,
		 const struct credctl_binding *b);

/* cred-list: answer @call with pskstore_json(). */
void credctl_list(struct ipc_call *call, const struct pskstore *ps);

#endif
