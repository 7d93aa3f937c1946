#!/usr/bin/python3
"""rdd's security: CoAP over DTLS with pre-shared keys, PSK identities bound
to endpoint names, First-Come-First-Remembered names (RFC 9176 §7.5), and
authorization by PSK identity or bearer token (LwM2M CRD-004/005).

Usage: test_rdsec.py BUILD_DIR SOURCE_DIR
The harness (network namespace, daemon, coap-client-openssl) is
test_rdd.py's; the registrants here are coap-client-openssl over coaps
(-u IDENTITY -k KEY) and over plain CoAP, with and without auth=TOKEN.
"""
import os
import queue
import shutil
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import lwgtest  # noqa: E402
import test_rdd  # noqa: E402
from test_rdd import Observer, Rdd, RddCase, free_port, wait_for, links, resolve, RFC9176_LINKS  # noqa: E402

KEY_A, KEY_B = "secret-of-a", "secret-of-b"
A = ("node-a", KEY_A)
B = ("node-b", KEY_B)


class RdsecTests(RddCase):
    PREFIX = "lwgate-rdsec-"
    START = False  # each test starts rdd with its own [auth] and [policy]

    def start(self, extra=""):
        self.dtls_port = free_port()
        # simple registrations here name the endpoint's coaps port in base (the
        # extension): coap-client cannot serve on the port it sends from
        return self.start_rdd(f"[coaps]\nport = {self.dtls_port}\nhandshake_timeout = 1\n"
                              "[rd]\nsimple_registration_base = yes\n" + extra)

    def restart(self):
        """kill -9 and start again on the same files and ports."""
        self.rdd.kill9()
        self.rdd.start()

    def cred_add(self, identity, key, sectors=None):
        args = ["rdd", "cred-add", f"identity={identity}", f"key={key.encode().hex()}"]
        if sectors is not None:
            args.append(f"sectors={sectors}")
        r = self.rdd.ctl(*args)
        self.assertEqual(r.returncode, 0, r.stderr)

    def req(self, method, path, psk=None, payload=None, wait=10, cf=None):
        port = self.dtls_port if psk else None
        cf = cf or (40 if payload else None)
        return self.rdd.coap(method, path, payload, cf=cf, port=port, psk=psk, wait=wait)

    def reg(self, query, psk=None, expect="2.01"):
        r = self.req("post", "/rd?" + query, psk, RFC9176_LINKS)
        self.assertEqual(r.code, expect, r)
        return r

    def counters(self):
        return self.rdd.status()["counters"]

    def test_dtls_registration(self):
        self.start()
        self.cred_add("node-a", KEY_A)
        creds = self.rdd.ctl_json("cred-list")
        self.assertEqual([(c["identity"], c["sectors"], c["key_bytes"]) for c in creds],
                         [("node-a", "*", len(KEY_A))])
        self.assertNotIn(KEY_A.encode().hex(), self.rdd.ctl("--json", "rdd", "cred-list").stdout)
        loc = self.reg("ep=node-a&lt=600", A).location()
        eps = self.rdd.endpoints()
        self.assertEqual([e["ep"] for e in eps], ["node-a"])
        self.assertTrue(eps[0]["base"].startswith("coaps://[::1]:"), eps[0])
        self.assertEqual(self.rdd.status()["coaps_port"], self.dtls_port)
        self.assertGreaterEqual(self.counters()["dtls_connected"], 1)
        # update and read over DTLS, by the same identity
        self.assertEqual(self.req("post", loc + "?lt=700", A).code, "2.04")
        self.assertEqual(self.req("get", loc, A).code, "2.05")
        # a lookup over DTLS finds it too
        r = self.req("get", "/rd-lookup/ep?ep=node-a", A)
        self.assertIn("ep=node-a", r.payload)
        self.assertEqual(self.req("delete", loc, A).code, "2.02")
        self.assertEqual(self.rdd.endpoints(), [])
        # a deleted credential cannot handshake any more
        self.assertEqual(self.rdd.ctl("rdd", "cred-del", "identity=node-a").returncode, 0)
        self.assertEqual(self.rdd.ctl_json("cred-list"), [])
        self.assertNotEqual(self.rdd.ctl("rdd", "cred-del", "identity=node-a").returncode, 0)
        self.assertEqual(self.rdd.stop(), 0)  # a clean exit (no leak under ASan)

    def test_handshake_failures_counted(self):
        self.start()
        self.cred_add("node-a", KEY_A)
        with self.assertRaises(AssertionError):
            self.req("post", "/rd?ep=node-a", ("node-a", "not-the-key"), RFC9176_LINKS, wait=3)
        wait_for(lambda: self.counters()["dtls_failures"] >= 1, "a counted handshake failure")
        with self.assertRaises(AssertionError):
            self.req("post", "/rd?ep=stranger", ("stranger", KEY_A), RFC9176_LINKS, wait=3)
        wait_for(lambda: self.counters()["dtls_unknown_identity"] >= 1,
                 "a counted unknown identity")
        self.assertEqual(self.rdd.endpoints(), [])
        self.assertEqual(self.counters()["dtls_connected"], 0)
        # the right key still works
        self.reg("ep=node-a", A)
        self.assertEqual(self.rdd.stop(), 0)

    def test_identity_bound_to_endpoint_name(self):
        self.start()
        self.cred_add("node-a", KEY_A)
        r = self.reg("ep=node-b", A, expect="4.03")
        self.assertIn("node-a", r.payload)
        # the name of a PSK identity cannot be taken over plain CoAP
        r = self.reg("ep=node-a", expect="4.03")
        self.assertIn("coaps", r.payload)
        self.assertEqual(self.rdd.endpoints(), [])
        self.assertGreaterEqual(self.counters()["auth_forbidden"], 2)
        self.reg("ep=node-a", A)

    def test_binding_can_be_switched_off(self):
        self.start("[policy]\nbind_psk_identity = no\n")
        self.cred_add("node-a", KEY_A)
        self.reg("ep=any-name", A)
        self.reg("ep=node-a")  # plain CoAP may take the identity's name too

    def test_cred_commands_by_position(self):
        """cred-add ID HEX [SECTORS] and cred-del ID: the order of rdd's own table
        (lib/coap/credctl, shared with lwm2md)."""
        self.start()
        r = self.rdd.ctl("rdd", "cred-add", "node-c", "00112233", "farm,-")
        self.assertEqual(r.returncode, 0, r.stderr)
        [c] = self.rdd.ctl_json("cred-list")
        self.assertEqual((c["identity"], c["sectors"]), ("node-c", "farm,-"))
        r = self.rdd.ctl("rdd", "cred-add", "node-c", "00")
        self.assertEqual(r.returncode, 1)
        self.assertIn("identity 'node-c' already has a key (conflict)", r.stderr)
        r = self.rdd.ctl("rdd", "cred-add", "node-d", "00", "a b")
        self.assertEqual(r.returncode, 1)
        self.assertIn('sectors: "*" or names joined by commas', r.stderr)
        r = self.rdd.ctl("rdd", "cred-add", "node-d", "00", "farm", "extra")
        self.assertEqual(r.returncode, 2)
        self.assertIn("by position: IDENTITY KEY [SECTORS]", r.stderr)
        self.assertEqual(self.rdd.ctl("rdd", "cred-del", "node-c").returncode, 0)
        r = self.rdd.ctl("rdd", "cred-del", "node-c")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no such credential (not_found)", r.stderr)

    def test_first_come_first_remembered(self):
        self.start("[policy]\nbind_psk_identity = no\n[auth]\ntokens = tok-1 tok-2\n")
        self.cred_add("node-a", KEY_A)
        self.cred_add("node-b", KEY_B)
        loc = self.reg("ep=shared&lt=600", A).location()
        r = self.reg("ep=shared", B, expect="4.03")
        self.assertIn("remembered", r.payload)
        self.reg("ep=shared", expect="4.03")               # anonymous
        self.reg("ep=shared&auth=tok-1", expect="4.03")    # a token is another identity
        # the registration resource answers only its creator
        self.assertEqual(self.req("post", loc + "?lt=100", B).code, "4.03")
        self.assertEqual(self.req("delete", loc, B).code, "4.03")
        self.assertEqual(self.req("delete", loc).code, "4.03")
        self.assertEqual(self.req("delete", loc + "?auth=tok-2").code, "4.03")
        patch = '{"/extra":{"rt":"x"}}'
        self.assertEqual(self.req("patch", loc, B, patch, cf=52).code, "4.03")
        self.assertEqual(self.req("ipatch", loc + "?auth=tok-1", None, patch, cf=52).code,
                         "4.03")
        self.assertEqual(self.req("patch", loc, A, patch, cf=52).code, "2.04")
        self.assertEqual(self.rdd.endpoints()[0]["lt"], 600)
        # the creator can re-register (replace), update and remove
        loc = self.reg("ep=shared&lt=500", A).location()
        self.assertEqual(self.req("post", loc + "?lt=400", A).code, "2.04")
        self.assertEqual(self.req("delete", loc, A).code, "2.02")
        # remember = 0 (RFC 9176 §7.5): the name is free once the registration is gone
        self.reg("ep=shared", B)
        # sectors are separate name spaces
        self.reg("ep=shared&d=other", A)
        # token holders are remembered by their token
        loc = self.reg("ep=tokened&auth=tok-1").location()
        self.reg("ep=tokened&auth=tok-2", expect="4.03")
        self.assertEqual(self.req("post", loc + "?auth=tok-2").code, "4.03")
        self.assertEqual(self.req("post", loc + "?auth=tok-1").code, "2.04")
        # an anonymous registration claims nothing: anyone may replace it
        self.reg("ep=open")
        self.reg("ep=open", B)
        self.reg("ep=open", expect="4.03")
        self.assertGreaterEqual(self.counters()["auth_remembered_refused"], 5)

    def test_remembered_name_survives_expiry_and_kill9(self):
        self.start("[policy]\nbind_psk_identity = no\nremember = -1\n")
        self.cred_add("node-a", KEY_A)
        self.cred_add("node-b", KEY_B)
        loc = self.reg("ep=keep&lt=60", A).location()
        self.assertEqual(self.req("delete", loc, A).code, "2.02")
        self.reg("ep=keep", B, expect="4.03")
        self.assertEqual(self.rdd.status()["remembered_names"], 1)
        self.restart()
        self.reg("ep=keep", B, expect="4.03")
        # credentials survive too
        self.assertEqual(len(self.rdd.ctl_json("cred-list")), 2)
        self.reg("ep=keep", A)
        # and a remembered name outlives its registration's expiry (lt=60 is the minimum;
        # the row's deadline is moved into the past instead of waiting)
        self.rdd.kill9()
        con = sqlite3.connect(self.rdd.db)
        con.execute("UPDATE registration SET expires = 0")
        con.commit()
        con.close()
        self.rdd.start()
        wait_for(lambda: self.rdd.endpoints() == [], "the expiry")
        self.reg("ep=keep", B, expect="4.03")
        # the operator can free the name
        self.assertEqual(self.rdd.ctl("rdd", "forget", "ep=keep").returncode, 0)
        self.reg("ep=keep", B)

    def test_bearer_tokens(self):
        self.start("[auth]\nregistration_required = yes\ntokens = tok-farm:farm tok-any "
                   "tok-plain:-\n")
        self.cred_add("node-a", KEY_A, "farm,barn")
        r = self.reg("ep=n1", expect="4.01")
        self.assertIn("auth=TOKEN", r.payload)
        self.reg("ep=n1&auth=wrong", expect="4.01")
        self.reg("ep=n1&d=farm&auth=tok-farm")
        self.reg("ep=n2&d=other&auth=tok-farm", expect="4.03")
        self.reg("ep=n2&auth=tok-farm", expect="4.03")        # no sector: not farm
        self.reg("ep=n2&auth=tok-plain")                       # "-": the empty sector
        self.reg("ep=n3&d=other&auth=tok-any")
        self.reg("ep=n4&auth=tok-any&auth=tok-any", expect="4.00")
        self.reg("ep=n4&auth=", expect="4.00")
        # the token is never stored or shown as an attribute
        con = sqlite3.connect(self.rdd.db)
        stored = repr(con.execute("SELECT * FROM registration").fetchall())
        con.close()
        self.assertNotIn("tok-", stored)
        self.assertNotIn("auth", stored)
        self.assertNotIn("auth", self.req("get", "/rd-lookup/ep").payload)
        # updates and removals need it too
        loc = [e["location"] for e in self.rdd.endpoints("ep=n1")][0]
        self.assertEqual(self.req("post", loc + "?lt=120").code, "4.01")
        self.assertEqual(self.req("post", loc + "?lt=120&auth=tok-farm").code, "2.04")
        patch = '{"/extra":{"rt":"x"}}'
        self.assertEqual(self.req("patch", loc, None, patch, cf=52).code, "4.01")
        self.assertEqual(self.req("patch", loc + "?auth=tok-farm", None, patch, cf=52).code,
                         "2.04")
        self.assertEqual(self.req("delete", loc).code, "4.01")
        self.assertEqual(self.req("delete", loc + "?auth=tok-any").code, "4.03")  # not its own
        self.assertEqual(self.req("delete", loc + "?auth=tok-farm").code, "2.02")
        # group changes too (the drafts' /rd-group): the group's sector counts
        members = "<>;ep=n1"
        self.assertEqual(self.req("post", "/rd-group?gp=g1&d=farm", None, members).code, "4.01")
        self.assertEqual(self.req("post", "/rd-group?gp=g1&d=barn&auth=tok-farm", None,
                                  members).code, "4.03")
        r = self.req("post", "/rd-group?gp=g1&d=farm&auth=tok-farm", None, members)
        self.assertEqual(r.code, "2.01", r)
        self.assertEqual(self.req("delete", r.location()).code, "4.01")
        self.assertEqual(self.req("delete", r.location() + "?auth=tok-farm").code, "2.02")
        # simple registration as well
        r = self.req("post", "/.well-known/rd?ep=simple")
        self.assertEqual(r.code, "4.01", r)
        # a PSK identity is limited to its sectors
        self.reg("ep=node-a&d=barn", A)
        self.reg("ep=node-a&d=other", A, expect="4.03")
        self.reg("ep=node-a", A, expect="4.03")
        self.assertGreaterEqual(self.counters()["auth_unauthorized"], 5)
        # tokens are reloadable: a removed token no longer works
        with open(self.rdd.ini) as f:
            ini = f.read()
        with open(self.rdd.ini, "w") as f:
            f.write(ini.replace("tokens = tok-farm:farm tok-any tok-plain:-\n",
                                "tokens = tok-new\n"))
        self.assertEqual(self.rdd.ctl("rdd", "reload").returncode, 0)
        self.reg("ep=n5&auth=tok-any", expect="4.01")
        self.reg("ep=n5&auth=tok-new")
        self.assertEqual(self.rdd.stop(), 0)

    def test_lookups_open_or_closed(self):
        self.start("[auth]\ntokens = tok-look:farm\n")
        self.reg("ep=n1&d=farm")  # in the token's sector (lookups are limited to it)
        self.assertEqual(self.req("get", "/rd-lookup/res").code, "2.05")
        self.rdd.stop()
        with open(self.rdd.ini, "a") as f:
            f.write("lookup_open = no\n")
        self.rdd.start()
        self.cred_add("node-a", KEY_A)
        for path in ("/rd-lookup/ep", "/rd-lookup/res?rt=light-lux"):
            self.assertEqual(self.req("get", path).code, "4.01", path)
            self.assertEqual(self.req("get", path + ("&" if "?" in path else "?")
                                      + "auth=bad").code, "4.01")
        loc = [e["location"] for e in self.rdd.endpoints()][0]
        self.assertEqual(self.req("get", loc).code, "4.01")
        # a token (the auth= item is no filter) or a PSK identity opens them
        r = self.req("get", "/rd-lookup/res?rt=light-lux&auth=tok-look")
        self.assertEqual(r.code, "2.05")
        self.assertIn("light", r.payload)
        r = self.req("get", "/rd-lookup/ep", A)
        self.assertEqual(r.code, "2.05")
        self.assertIn("ep=n1", r.payload)
        self.assertEqual(self.req("get", loc + "?auth=tok-look").code, "2.05")
        # discovery stays open
        self.assertEqual(self.req("get", "/.well-known/core").code, "2.05")

    def test_lookups_limited_to_sectors(self):
        """lookup_open = no: a credential limited to sectors sees only their registrations,
        links and groups; an unlimited one sees all."""
        self.start("[auth]\nlookup_open = no\n"
                   "tokens = tok-farm:farm tok-all tok-none:- tok-two:farm,barn\n")
        self.cred_add("node-a", KEY_A, "farm,-")
        self.cred_add("node-b", KEY_B, "barn")
        self.cred_add("node-c", "secret-of-c")  # any sector
        C = ("node-c", "secret-of-c")
        f1 = self.reg("ep=f1&d=farm").location()
        b1 = self.reg("ep=b1&d=barn").location()
        n1 = self.reg("ep=n1").location()
        gf = self.req("post", "/rd-group?gp=gf&d=farm", None, "<>;ep=f1").location()
        gb = self.req("post", "/rd-group?gp=gb&d=barn", None, "<>;ep=b1").location()

        def eps(path, psk=None):
            r = self.req("get", path, psk)
            self.assertEqual(r.code, "2.05", (path, r))
            return sorted(re.findall(r";ep=(\w+)", r.payload))

        def gps(path, psk=None):
            r = self.req("get", path, psk)
            self.assertEqual(r.code, "2.05", (path, r))
            return sorted(re.findall(r";gp=(\w+)", r.payload))

        self.assertEqual(eps("/rd-lookup/ep?auth=tok-farm"), ["f1"])
        self.assertEqual(eps("/rd-lookup/ep?auth=tok-none"), ["n1"])
        self.assertEqual(eps("/rd-lookup/ep?auth=tok-two"), ["b1", "f1"])
        self.assertEqual(eps("/rd-lookup/ep?auth=tok-all"), ["b1", "f1", "n1"])
        self.assertEqual(eps("/rd-lookup/ep", A), ["f1", "n1"])
        self.assertEqual(eps("/rd-lookup/ep", B), ["b1"])
        self.assertEqual(eps("/rd-lookup/ep", C), ["b1", "f1", "n1"])
        # resource lookups: the links of the visible registrations only
        r = self.req("get", "/rd-lookup/res?auth=tok-farm")
        self.assertEqual(len(links(r.payload)), 2, r)
        self.assertEqual(len(links(self.req("get", "/rd-lookup/res?auth=tok-all").payload)), 6)
        self.assertEqual(self.req("get", "/rd-lookup/res?ep=b1", A).payload, "")
        # the others are left out before paging: page 0 of one is n1's
        self.assertEqual(eps("/rd-lookup/ep?page=0&count=1&auth=tok-none"), ["n1"])
        # groups: /rd-lookup/gp, and gp= on the other lookups
        self.assertEqual(gps("/rd-lookup/gp?auth=tok-farm"), ["gf"])
        self.assertEqual(gps("/rd-lookup/gp", B), ["gb"])
        self.assertEqual(gps("/rd-lookup/gp?auth=tok-all"), ["gb", "gf"])
        self.assertEqual(eps("/rd-lookup/ep?gp=gb&auth=tok-farm"), [])
        self.assertEqual(eps("/rd-lookup/ep?gp=gb", B), ["b1"])
        # a group out of sight is no group, even with a visible member (f1 in barn's gx)
        self.assertEqual(self.req("post", "/rd-group?gp=gx&d=barn", None,
                                  "<>;ep=f1;d=farm").code, "2.01")
        self.assertEqual(eps("/rd-lookup/ep?gp=gx&auth=tok-farm"), [])
        self.assertEqual(self.req("get", "/rd-lookup/res?gp=gx&auth=tok-farm").payload, "")
        self.assertEqual(eps("/rd-lookup/ep?gp=gx&auth=tok-two"), ["f1"])
        self.assertEqual(eps("/rd-lookup/ep?gp=gx&auth=tok-all"), ["f1"])
        # reading one registration or group of another sector: 4.03
        r = self.req("get", b1 + "?auth=tok-farm")
        self.assertEqual(r.code, "4.03", r)
        self.assertIn("barn", r.payload)
        self.assertEqual(self.req("get", b1, B).code, "2.05")
        self.assertEqual(self.req("get", n1, A).code, "2.05")
        self.assertEqual(self.req("get", f1, B).code, "4.03")
        self.assertEqual(self.req("get", gb + "?auth=tok-farm").code, "4.03")
        self.assertEqual(self.req("get", gb, B).code, "2.05")
        self.assertEqual(self.req("get", gf + "?auth=tok-all").code, "2.05")
        # without credentials: 4.01, groups included
        for path in ("/rd-lookup/gp", gf, "/rd-lookup/ep"):
            self.assertEqual(self.req("get", path).code, "4.01", path)
        # open lookups: everybody sees all, limited credentials too
        with open(self.rdd.ini) as f:
            ini = f.read()
        with open(self.rdd.ini, "w") as f:
            f.write(ini.replace("lookup_open = no", "lookup_open = yes"))
        self.assertEqual(self.rdd.ctl("rdd", "reload").returncode, 0)
        self.assertEqual(eps("/rd-lookup/ep?auth=tok-farm"), ["b1", "f1", "n1"])
        self.assertEqual(self.req("get", b1 + "?auth=tok-farm").code, "2.05")

    def test_observed_lookup_limited_to_sectors(self):
        """An observer limited to farm is notified of farm's changes, not of barn's."""
        self.start("[auth]\nlookup_open = no\ntokens = tok-farm:farm\n")
        with Observer(self.rdd, "/rd-lookup/ep?auth=tok-farm") as obs:
            self.assertNotIn("/reg/", obs.next(5), "nothing registered yet")
            self.reg("ep=b1&d=barn")
            self.reg("ep=n1")
            with self.assertRaises(queue.Empty):
                obs.next(0.7)
            self.reg("ep=f1&d=farm")
            note = obs.next(3)
            self.assertIn(";ep=f1;", note)
            self.assertNotIn(";ep=b1;", note)
            self.assertNotIn(";ep=n1;", note)

    def test_group_names_first_come_first_remembered(self):
        """/rd-group names are remembered for their first secured registrant, per sector,
        apart from endpoint names; removal ends the claim unless [policy] remember keeps it."""
        self.start("[auth]\ntokens = tok-1 tok-2\n[policy]\nremember = -1\n")
        self.cred_add("node-a", KEY_A)

        def post(query, expect, psk=None):
            r = self.req("post", "/rd-group?" + query, psk, "<>;ep=m1")
            self.assertEqual(r.code, expect, (query, r))
            return r

        def groups():
            return {(g["gp"], g["d"]): g["location"] for g in self.rdd.ctl_json("groups")}

        g = post("gp=g1&d=farm&auth=tok-1", "2.01").location()
        r = post("gp=g1&d=farm&auth=tok-2", "4.03")
        self.assertIn("remembered", r.payload)
        post("gp=g1&d=farm", "4.03")                        # anonymous: neither
        self.assertEqual(groups(), {("g1", "farm"): g})
        self.assertEqual(self.req("delete", g + "?auth=tok-2").code, "4.03")
        self.assertEqual(self.req("delete", g).code, "4.03")
        # another sector, or an endpoint called g1: other names
        post("gp=g1&d=barn&auth=tok-2", "2.01")
        self.reg("ep=g1&d=farm&auth=tok-2")
        # its registrant replaces it (a new location); the claim survives kill -9
        g = post("gp=g1&d=farm&auth=tok-1", "2.01").location()
        self.restart()
        post("gp=g1&d=farm&auth=tok-2", "4.03")
        self.assertEqual(self.rdd.status()["remembered_groups"], 2)
        # an anonymous group claims nothing: anybody replaces it, and the first secured one
        # holds it from then on
        post("gp=open", "2.01")
        post("gp=open&auth=tok-2", "2.01")
        post("gp=open", "4.03")
        # a PSK identity holds its group too
        ga = post("gp=ga", "2.01", A).location()
        post("gp=ga&auth=tok-1", "4.03")
        self.assertEqual(self.req("delete", ga, A).code, "2.02")
        # remember = -1: removed, still remembered; the operator can forget it
        post("gp=ga&auth=tok-1", "4.03")
        r = self.rdd.ctl("rdd", "forget-group", "gp=g1", "d=farm")
        self.assertNotEqual(r.returncode, 0)              # the group exists
        self.assertIn("remove it first", r.stderr)
        self.assertEqual(self.rdd.ctl("rdd", "remove-group", "gp=g1", "d=farm").returncode, 0)
        post("gp=g1&d=farm&auth=tok-2", "4.03")
        self.assertEqual(self.rdd.ctl("rdd", "forget-group", "gp=g1", "d=farm").returncode, 0)
        self.assertNotEqual(self.rdd.ctl("rdd", "forget-group", "gp=g1", "d=farm").returncode, 0)
        post("gp=g1&d=farm&auth=tok-2", "2.01")
        self.assertEqual(self.counters()["auth_remembered_refused"], 5)  # since the restart

    def test_plain_coap_can_be_switched_off(self):
        self.start("[coap]\nenabled = no\n")
        self.cred_add("node-a", KEY_A)
        self.assertEqual(self.rdd.status()["coap_port"], 0)
        with self.assertRaises(AssertionError):
            self.req("get", "/.well-known/core", wait=2)
        self.reg("ep=node-a", A)


    # --- simple registration over coaps (RFC 9176 §5.1): rdd fetches over DTLS ---

    def simple_start(self):
        """rdd whose DTLS fetches get 5 s for their handshake (a loaded machine)."""
        self.dtls_port = free_port()
        self.rdd = Rdd(self.tmp, f"[coaps]\nport = {self.dtls_port}\nhandshake_timeout = 5\n"
                       "[rd]\nsimple_registration_base = yes\n")
        return self.rdd.start()

    def simple_device(self, key, port=None):
        """libcoap's coap-server-openssl as a coaps-only device: PSK KEY with identity
        hint node-a; it serves DTLS on port+1 (and plain CoAP on port, unused here).
        Returns (process, DTLS port)."""
        port = port or free_port()
        while port + 1 in (self.rdd.port, self.dtls_port):
            port = free_port()
        dev = subprocess.Popen(["coap-server-openssl", "-A", "::1", "-p", str(port),
                                "-k", key, "-h", "node-a"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (dev.terminate(), dev.wait()))
        return dev, port + 1

    def simple_wait(self, dport, psk):
        """Wait until the device answers /.well-known/core over coaps (with @psk)."""
        def up():
            try:
                return self.rdd.coap("get", "/.well-known/core", port=dport, psk=psk,
                                     wait=2).code == "2.05"
            except AssertionError:  # not listening yet
                return False
        wait_for(up, "coap-server-openssl over coaps")

    def simple_rdd_log(self):
        """Stop rdd and return what it logged."""
        rc = self.rdd.stop()
        log = self.rdd.logged()
        self.assertEqual(rc, 0, log)
        return log

    def test_simple_registration_over_coaps(self):
        self.simple_start()
        self.cred_add("node-a", KEY_A)
        dev, dport = self.simple_device(KEY_A)
        # what the device serves, asked over DTLS by an independent client
        self.simple_wait(dport, A)
        direct = links(self.rdd.coap("get", "/.well-known/core", port=dport, psk=A).payload)
        self.assertTrue(direct)
        failures = self.counters()["dtls_failures"]
        base = f"coaps://[::1]:{dport}"
        r = self.req("post", f"/.well-known/rd?ep=node-a&lt=600&base={base}", A)
        self.assertEqual((r.code, r.options.strip(), r.payload), ("2.04", "", ""), r)
        eps = self.rdd.endpoints()
        self.assertEqual([(e["ep"], e["base"], e["lt"]) for e in eps], [("node-a", base, 600)])
        got = self.rdd.ctl_json("resources", "ep=node-a")
        self.assertEqual(len(got), len(direct), got)
        for mine, theirs in zip(got, direct):
            target = re.match(r"<([^>]*)>", theirs).group(1)
            self.assertEqual(mine["href"], resolve(base, target), (mine, theirs))
            self.assertTrue(mine["link"].startswith(f"<{mine['href']}>"), mine)
        # the same links as a lookup sees them, over coaps
        res = links(self.req("get", "/rd-lookup/res?ep=node-a", A).payload)
        self.assertEqual(len(res), len(direct))
        self.assertTrue(all(l.startswith(f"<{base}/") for l in res), res)
        # rdd's own client handshake is not one of the server's to watch
        self.assertEqual(self.counters()["dtls_failures"], failures)
        # a second simple registration over coaps replaces the first (same identity)
        r = self.req("post", f"/.well-known/rd?ep=node-a&lt=700&base={base}", A)
        self.assertEqual(r.code, "2.04", r)
        self.assertEqual([(e["ep"], e["lt"]) for e in self.rdd.endpoints()], [("node-a", 700)])
        # a coaps:// base needs the registrant's PSK, so plain CoAP cannot ask for it
        r = self.req("post", f"/.well-known/rd?ep=other&base={base}")
        self.assertEqual(r.code, "4.00", r)
        self.assertIn("coaps", r.payload)
        self.assertEqual(self.simple_rdd_log().count("simple registration of"), 0)

    def test_simple_registration_over_coaps_wrong_key(self):
        self.simple_start()
        self.cred_add("node-a", KEY_A)
        dev, dport = self.simple_device("not-the-key-of-a")
        self.simple_wait(dport, ("node-a", "not-the-key-of-a"))
        before = self.rdd.rows()
        base = f"coaps://[::1]:{dport}"
        # DTLS drops the Finished it cannot verify: the handshake never completes
        r = self.req("post", f"/.well-known/rd?ep=node-a&base={base}", A, wait=20)
        self.assertEqual(r.code, "5.04", r)
        self.assertIn("DTLS handshake with the endpoint did not complete in 5 s", r.payload)
        self.assertEqual(self.rdd.endpoints(), [])
        self.assertEqual(self.rdd.rows(), before)
        # nothing listening on coaps there: the handshake gets an ICMP error
        r = self.req("post", f"/.well-known/rd?ep=node-a&base=coaps://[::1]:{free_port()}", A,
                     wait=20)
        self.assertEqual(r.code, "5.04", r)
        self.assertIn("DTLS handshake with the endpoint got an ICMP error", r.payload)
        self.assertEqual(self.rdd.rows(), before)
        # the device is fine with the right key: rdd still works afterwards
        dev2, dport2 = self.simple_device(KEY_A)
        self.simple_wait(dport2, A)
        r = self.req("post", f"/.well-known/rd?ep=node-a&base=coaps://[::1]:{dport2}", A)
        self.assertEqual(r.code, "2.04", r)
        # an endpoint that refuses the identity (another rdd, which does not know node-a)
        # ends the handshake with an alert
        tmp2 = tempfile.mkdtemp(prefix="lwgate-rdsec-peer-")
        self.addCleanup(shutil.rmtree, tmp2, True)
        peer_port = free_port()
        peer = Rdd(tmp2, f"[coaps]\nport = {peer_port}\nhandshake_timeout = 5\n").start()
        self.addCleanup(lambda: peer.proc.poll() is None and peer.stop())
        r = self.req("post", f"/.well-known/rd?ep=node-a&base=coaps://[::1]:{peer_port}", A,
                     wait=20)
        self.assertEqual(r.code, "5.02", r)
        self.assertIn("DTLS handshake with the endpoint failed (an alert", r.payload)
        self.assertEqual(peer.status()["counters"]["dtls_unknown_identity"], 1)
        log = self.simple_rdd_log()
        failed = re.findall(r"simple registration of ep=node-a failed .*DTLS handshake", log)
        self.assertEqual(len(failed), 3, log)

    @unittest.skipUnless(os.environ.get("LWGATE_IN_NETNS") == "1",
                         "needs its own network namespace for port 5684")
    def test_simple_registration_coaps_default_port(self):
        """A coaps:// base without a port is fetched on 5684 (RFC 7252 §6.2)."""
        self.simple_start()
        self.cred_add("node-a", KEY_A)
        dev, dport = self.simple_device(KEY_A, port=5683)
        self.assertEqual(dport, 5684)
        self.simple_wait(dport, A)
        r = self.req("post", "/.well-known/rd?ep=node-a&base=coaps://[::1]", A)
        self.assertEqual(r.code, "2.04", r)
        self.assertEqual([e["base"] for e in self.rdd.endpoints()], ["coaps://[::1]"])
        res = links(self.req("get", "/rd-lookup/res?ep=node-a", A).payload)
        self.assertTrue(res and all(l.startswith("<coaps://[::1]/") for l in res), res)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_rdd])
