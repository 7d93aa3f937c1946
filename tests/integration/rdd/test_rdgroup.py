#!/usr/bin/python3
"""rdd's extensions and groups, driven by coap-client-openssl and lwgatectl:
PATCH/iPATCH with a merge patch (application/merge-patch+json, 52) on a
registration, answers and payloads in application/link-format+json (504)
and +cbor (64), RFC 9176 Appendix A groups (et=core.rd-group) and the
group interface of the RD drafts up to -16 (/rd-group, /rd-lookup/gp).

Usage: test_rdgroup.py BUILD_DIR SOURCE_DIR
The harness is lwgtest.py (network namespace) and test_rdd.py (rdd, coap-client).
JSON and CBOR payloads are checked with Python's json and cbor2, not with
rdd's code.  Every malformed request is checked to leave the database rows
exactly as they were.
"""
import json
import os
import queue
import re
import subprocess
import sys

import cbor2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import lwgtest  # noqa: E402
import test_rdd  # noqa: E402
from test_rdd import Observer, Rdd, RddCase, links  # noqa: E402

CF_LINK, CF_JSON, CF_CBOR, CF_MERGE = 40, 504, 64, 52
CBOR_KEYS = {1: "href", 2: "rel", 3: "anchor", 4: "rev", 5: "hreflang", 6: "media", 7: "title",
             8: "type", 9: "rt", 10: "if", 11: "sz", 12: "ct", 13: "obs"}


def coap_bytes(rdd, method, path, payload=None, cf=None, accept=None):
    """Like Rdd.coap, with a binary payload and the answer as bytes."""
    out = os.path.join(rdd.tmp, "payload.bin")
    if os.path.exists(out):
        os.unlink(out)
    cmd = [test_rdd.CLIENT, "-v", "6", "-B", "10", "-m", method, "-o", out]
    if payload is not None:
        pf = os.path.join(rdd.tmp, "payload.bin.in")
        with open(pf, "wb") as f:
            f.write(payload)
        cmd += ["-f", pf]
    if cf is not None:
        cmd += ["-t", str(cf)]
    if accept is not None:
        cmd += ["-A", str(accept)]
    r = subprocess.run(cmd + [f"coap://[::1]:{rdd.port}{path}"], capture_output=True,
                       timeout=30)
    text = (r.stdout + r.stderr).decode("utf-8", "replace")
    codes = re.findall(r"^v:1 t:\w+ c:(\d\.\d\d) i:\w+ \{[0-9a-f]*\} \[([^\]]*)\]", text, re.M)
    if not codes:
        raise AssertionError(f"no response to {method} {path}: {text}")
    body = b""
    if os.path.exists(out):
        with open(out, "rb") as f:
            body = f.read()
    return codes[-1][0], codes[-1][1], body


def cbor_links(data):
    """A links-json CBOR document as JSON-like dicts, keys named by the draft's table."""
    doc = cbor2.loads(data)
    return [{CBOR_KEYS.get(k, k): v for k, v in link.items()} for link in doc]


class Base(RddCase):
    PREFIX = "lwgate-rdgroup-"

    def register(self, query, payload, cf=CF_LINK, expect="2.01"):
        r = self.rdd.coap("post", "/rd?" + query, payload, cf=cf)
        self.assertEqual(r.code, expect, r)
        return r.location()

    def unchanged(self, before, r, code):
        self.assertEqual(r.code if hasattr(r, "code") else r[0], code, r)
        self.assertEqual(self.rdd.rows(), before)


class PatchTests(Base):
    def test_patch_adds_removes_changes(self):
        loc = self.register("ep=p1&lt=600", '</a>;rt=x;ct=0,</b>;rt=y,</c>')
        patch = json.dumps({"/b": None, "/a": {"ct": None, "if": "s"},
                            "/d": {"rt": ["n", "m"], "obs": True}})
        r = self.rdd.coap("patch", loc, patch, cf=CF_MERGE)
        self.assertEqual(r.code, "2.04", r)
        self.assertEqual(self.rdd.coap("get", loc).payload, "</a>;rt=x;if=s,</c>,</d>;rt=n;rt=m;obs")
        # the database has it, and the lookup sees it
        self.assertEqual(self.rdd.rows()[0][6], "</a>;rt=x;if=s,</c>,</d>;rt=n;rt=m;obs")
        got = links(self.rdd.coap("get", "/rd-lookup/res?ep=p1&rt=m").payload)
        self.assertEqual(len(got), 1)
        self.assertTrue(got[0].startswith("<coap://[::1]:") and "/d>" in got[0], got)
        # iPATCH: the same patch twice gives the same links (idempotent)
        ip = json.dumps({"/c": {"rt": "z"}})
        for _ in range(2):
            self.assertEqual(self.rdd.coap("ipatch", loc, ip, cf=CF_MERGE).code, "2.04")
        self.assertEqual(self.rdd.coap("get", loc).payload,
                         "</a>;rt=x;if=s,</c>;rt=z,</d>;rt=n;rt=m;obs")
        self.assertEqual(self.rdd.status()["counters"]["rd_updated"], 3)

    def test_patch_errors_change_nothing(self):
        loc = self.register("ep=p2", '</a>;rt=x,</a>;rt=y,</b>')
        before = self.rdd.rows()
        bad = [
            ("{", CF_MERGE, "4.00"),                        # not JSON
            ("[]", CF_MERGE, "4.00"),                       # not an object
            ('{"/b": 1}', CF_MERGE, "4.00"),                # neither object nor null
            ('{"/b": {"rt": 5}}', CF_MERGE, "4.00"),        # a number as value
            ('{"/b": {"href": "/z"}}', CF_MERGE, "4.00"),   # the key cannot change
            ('{"a b": {}}', CF_MERGE, "4.00"),              # not a URI-Reference
            ('{"/b": {"r t": "x"}}', CF_MERGE, "4.00"),     # not a parmname
            ('{"/b": {"rt": "a\\u0001"}}', CF_MERGE, "4.00"),  # a control character
            ('{"/a": null}', CF_MERGE, "4.09"),             # two links have /a
            ('{"/b": null}', CF_JSON, "4.15"),              # not a merge patch
            ('{"/b": null}', None, "4.15"),
        ]
        for payload, cf, code in bad:
            for method in ("patch", "ipatch"):
                r = self.rdd.coap(method, loc, payload, cf=cf)
                self.unchanged(before, r, code)
        self.unchanged(before, self.rdd.coap("patch", loc), "4.00")          # no payload
        self.unchanged(before, self.rdd.coap("patch", loc + "?lt=5", '{}', cf=CF_MERGE), "4.00")
        self.unchanged(before, self.rdd.coap("patch", "/reg/0000000000000000", '{}',
                                             cf=CF_MERGE), "4.04")
        self.assertEqual(self.rdd.coap("get", loc).payload, '</a>;rt=x,</a>;rt=y,</b>')

    def test_patch_over_max_links(self):
        self.rdd.stop()
        self.rdd = Rdd(self.tmp, "[rd]\nmax_links = 2\n")
        self.rdd.start()
        loc = self.register("ep=p3", '</a>,</b>')
        before = self.rdd.rows()
        self.unchanged(before, self.rdd.coap("patch", loc, '{"/c": {}}', cf=CF_MERGE), "4.13")
        self.assertEqual(self.rdd.coap("patch", loc, '{"/a": null, "/c": {}}', cf=CF_MERGE).code,
                         "2.04")
        self.assertEqual(self.rdd.coap("get", loc).payload, "</b>,</c>")

    def test_patch_survives_kill9(self):
        loc = self.register("ep=p4", '</a>;rt=x')
        self.assertEqual(self.rdd.coap("patch", loc, '{"/b": {"rt": "y"}}', cf=CF_MERGE).code,
                         "2.04")
        self.rdd.kill9()
        self.rdd.start()
        self.assertEqual(self.rdd.coap("get", loc).payload, "</a>;rt=x,</b>;rt=y")


class FormatTests(Base):
    LF = ('</sensors/temp>;rt="temperature-c";if="sensor";obs,'
          '</sensors/light>;rt="light-lux light";if="sensor";title="A light"')

    def test_read_and_lookup_as_json_and_cbor(self):
        loc = self.register("ep=f1&base=coap://[2001:db8::1]", self.LF)
        want = [{"href": "/sensors/temp", "rt": "temperature-c", "if": "sensor", "obs": True},
                {"href": "/sensors/light", "rt": "light-lux light", "if": "sensor",
                 "title": "A light"}]
        code, opts, body = coap_bytes(self.rdd, "get", loc, accept=CF_JSON)
        self.assertEqual(code, "2.05")
        self.assertIn("Content-Format:504", opts.replace(" ", ""))
        self.assertEqual(json.loads(body), want)
        code, opts, body = coap_bytes(self.rdd, "get", loc, accept=CF_CBOR)
        self.assertEqual(code, "2.05")
        self.assertIn("Content-Format:64", opts.replace(" ", ""))
        self.assertEqual(cbor_links(body), want)
        self.assertEqual(cbor2.loads(body)[0][1], "/sensors/temp")  # href is key 1
        # a resource lookup, resolved, in JSON
        code, _, body = coap_bytes(self.rdd, "get", "/rd-lookup/res?rt=light-lux", accept=CF_JSON)
        self.assertEqual(json.loads(body), [{"href": "coap://[2001:db8::1]/sensors/light",
                                             "rt": "light-lux light", "if": "sensor",
                                             "title": "A light",
                                             "anchor": "coap://[2001:db8::1]"}])
        # an endpoint lookup in CBOR
        code, _, body = coap_bytes(self.rdd, "get", "/rd-lookup/ep?ep=f1", accept=CF_CBOR)
        got = cbor_links(body)
        self.assertEqual([(l["href"], l["ep"], l["base"]) for l in got],
                         [(loc, "f1", "coap://[2001:db8::1]")])
        # no match: an empty array, not an empty body
        code, opts, body = coap_bytes(self.rdd, "get", "/rd-lookup/ep?ep=none", accept=CF_JSON)
        self.assertEqual(json.loads(body), [])
        code, _, body = coap_bytes(self.rdd, "get", "/rd-lookup/ep?ep=none", accept=CF_CBOR)
        self.assertEqual(cbor2.loads(body), [])
        self.assertEqual(self.rdd.coap("get", loc, accept=50).code, "4.06")

    def test_not_utf8_only_as_link_format(self):
        # link-format takes any octet; JSON and CBOR text must be UTF-8
        pf = os.path.join(self.tmp, "latin1.in")
        with open(pf, "wb") as f:
            f.write(b'</caf\xe9>;title="\xe9t\xe9"')
        out = subprocess.run([test_rdd.CLIENT, "-m", "post", "-t", "40", "-f", pf,
                              f"coap://[::1]:{self.rdd.port}/rd?ep=l1"], capture_output=True,
                             timeout=30)
        self.assertEqual(out.returncode, 0)
        loc = self.rdd.ctl_json("endpoints", "ep=l1")[0]["location"]
        code, _, body = coap_bytes(self.rdd, "get", loc)
        self.assertEqual((code, body), ("2.05", b'</caf\xe9>;title="\xe9t\xe9"'))
        for cf in (CF_JSON, CF_CBOR):
            code, _, body = coap_bytes(self.rdd, "get", loc, accept=cf)
            self.assertEqual(code, "4.06", body)
            code, _, body = coap_bytes(self.rdd, "get", "/rd-lookup/res?ep=l1", accept=cf)
            self.assertEqual(code, "4.06", body)

    def test_register_in_json_and_cbor(self):
        doc = [{"href": "/t", "rt": "temp", "ct": "0"}, {"href": "/l", "obs": True,
                                                         "rt": ["a", "b"]}]
        loc = self.register("ep=j1", json.dumps(doc), cf=CF_JSON)
        self.assertEqual(self.rdd.coap("get", loc).payload, "</t>;rt=temp;ct=0,</l>;obs;rt=a;rt=b")
        cdoc = cbor2.dumps([{1: "/c", 9: "temp", "u": "x y"}])
        code, opts, _ = coap_bytes(self.rdd, "post", "/rd?ep=c1", cdoc, cf=CF_CBOR)
        self.assertEqual(code, "2.01")
        loc2 = "/" + "/".join(re.findall(r"Location-Path:([^,\] ]+)", opts))
        self.assertEqual(self.rdd.coap("get", loc2).payload, '</c>;rt=temp;u="x y"')
        # an update with a JSON payload replaces the links
        code, _, _ = coap_bytes(self.rdd, "post", loc2, b'[{"href":"/d"}]', cf=CF_JSON)
        self.assertEqual(code, "2.04")
        self.assertEqual(self.rdd.coap("get", loc2).payload, "</d>")

    def test_malformed_json_and_cbor_change_nothing(self):
        loc = self.register("ep=m1", "</a>")
        before = self.rdd.rows()
        bad_json = ['{"href": "/x"}', '[{"rt": "x"}]', '[{"href": "/x", "rt": 1}]',
                    '[{"href": "/x>;a=b,</y"}]', '[', '[{"href":"/x","href":"/y"}]']
        for p in bad_json:
            self.unchanged(before, self.rdd.coap("post", "/rd?ep=m1", p, cf=CF_JSON), "4.00")
            self.unchanged(before, self.rdd.coap("post", loc, p, cf=CF_JSON), "4.00")
        bad_cbor = [b"\x81\xa1\x09\x61x", b"\x80\x00", b"\x81\xa1\x01", cbor2.dumps({1: "/x"}),
                    cbor2.dumps([{1: "/x", 99: "y"}]), cbor2.dumps([{1: "/x", 9: b"bytes"}]),
                    b"\x9b\xff\xff\xff\xff\xff\xff\xff\xff"]
        for p in bad_cbor:
            code, _, _ = coap_bytes(self.rdd, "post", "/rd?ep=m1", p, cf=CF_CBOR)
            self.unchanged(before, (code,), "4.00")
        self.unchanged(before, self.rdd.coap("post", "/rd?ep=m1", "[]", cf=50), "4.15")
        self.assertEqual(self.rdd.coap("get", loc).payload, "</a>")


class AppendixAGroupTests(Base):
    def test_group_as_registration(self):
        # RFC 9176 Appendix A: a group is a registration of et=core.rd-group
        # whose base is the multicast address its members listen on
        mbase = "coap://[ff35:30:2001:db8:f1::8000:1]"
        self.register("ep=node1", '</light/left>;rt="light"')
        loc = self.register("ep=grp_R2-4-015&et=core.rd-group&base=" + mbase,
                            '</light/left>;rt="light";if="core.a"')
        got = links(self.rdd.coap("get", "/rd-lookup/ep?et=core.rd-group").payload)
        self.assertEqual(got, [f'<{loc}>;ep=grp_R2-4-015;base="{mbase}";rt="core.rd-ep";'
                               'et=core.rd-group'])
        got = links(self.rdd.coap("get", "/rd-lookup/res?et=core.rd-group").payload)
        self.assertEqual(got, [f'<{mbase}/light/left>;rt="light";if="core.a";anchor="{mbase}"'])
        # it survives a restart like any registration
        self.rdd.kill9()
        self.rdd.start()
        self.assertEqual(len(links(self.rdd.coap("get", "/rd-lookup/ep?et=core.rd-group")
                                   .payload)), 1)


class DraftGroupTests(Base):
    MCAST = "coap://[ff35:30:2001:db8::1]"

    def group_rows(self):
        import sqlite3
        con = sqlite3.connect(self.rdd.db)
        try:
            return con.execute("SELECT loc, gp, d, base, members FROM rdgroup"
                               " ORDER BY rowid").fetchall()
        finally:
            con.close()

    def post_group(self, query, payload, cf=CF_LINK, expect="2.01"):
        r = self.rdd.coap("post", "/rd-group?" + query, payload, cf=cf)
        self.assertEqual(r.code, expect, r)
        return r.location()

    def test_group_register_lookup_remove(self):
        n1 = self.register("ep=node1", '</light>;rt="light"')
        n2 = self.register("ep=node2", '</light>;rt="light",</temp>;rt="temp"')
        self.register("ep=node3&d=other", '</light>;rt="light"')
        g = self.post_group("gp=lights&con=" + self.MCAST, "<>;ep=node1,<>;ep=node2")
        self.assertRegex(g, r"^/rd-group/[0-9a-f]{16}$")
        want = f'<{g}>;gp=lights;base="{self.MCAST}"'
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/gp").payload, want)
        for q in ("gp=lights", "gp=li*", "ep=node2", "base=" + self.MCAST, "href=" + g):
            self.assertEqual(self.rdd.coap("get", "/rd-lookup/gp?" + q).payload, want, q)
        for q in ("gp=x", "ep=node3", "d=other", "rt=light"):
            r = self.rdd.coap("get", "/rd-lookup/gp?" + q)
            self.assertEqual((r.code, r.payload), ("2.05", ""), q)
        # the members' registrations and links, found by gp=
        got = links(self.rdd.coap("get", "/rd-lookup/ep?gp=lights").payload)
        self.assertEqual([l.split(";")[0] for l in got], [f"<{n1}>", f"<{n2}>"])
        got = links(self.rdd.coap("get", "/rd-lookup/res?gp=lights&rt=light").payload)
        self.assertEqual(len(got), 2)
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/res?gp=lights&rt=temp&ep=node2")
                         .payload.count("<"), 1)
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/ep?gp=nosuch").payload, "")
        # the group resource, in link-format and JSON
        self.assertEqual(self.rdd.coap("get", g).payload, "<>;ep=node1,<>;ep=node2")
        code, _, body = coap_bytes(self.rdd, "get", g, accept=CF_JSON)
        self.assertEqual(json.loads(body), [{"href": "", "ep": "node1"},
                                            {"href": "", "ep": "node2"}])
        code, _, body = coap_bytes(self.rdd, "get", "/rd-lookup/gp", accept=CF_CBOR)
        self.assertEqual(cbor_links(body), [{"href": g, "gp": "lights", "base": self.MCAST}])
        # discovery
        self.assertEqual(self.rdd.coap("get", "/.well-known/core?rt=core.rd-group").payload,
                         '</rd-group>;rt=core.rd-group;ct="40 504 64"')
        self.assertEqual(self.rdd.coap("get", "/.well-known/core?rt=core.rd-lookup-gp").payload,
                         '</rd-lookup/gp>;rt=core.rd-lookup-gp;ct="40 504 64";obs')
        # lwgatectl
        got = self.rdd.ctl_json("groups")
        self.assertEqual(got, [{"gp": "lights", "d": "", "location": g, "base": self.MCAST,
                                "members": [{"ep": "node1", "d": ""}, {"ep": "node2", "d": ""}]}])
        self.assertEqual(len(self.rdd.ctl_json("groups", "ep=node2")), 1)
        self.assertEqual(self.rdd.ctl_json("groups", "ep=node3"), [])
        self.assertEqual(self.rdd.status()["groups"], 1)
        # persisted: kill -9 and start again
        self.rdd.kill9()
        self.rdd.start()
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/gp").payload, want)
        self.assertEqual(len(links(self.rdd.coap("get", "/rd-lookup/ep?gp=lights").payload)), 2)
        # removal
        self.assertEqual(self.rdd.coap("delete", g).code, "2.02")
        self.assertEqual(self.rdd.coap("get", g).code, "4.04")
        self.assertEqual(self.rdd.coap("delete", g).code, "4.04")
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/gp").payload, "")
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/ep?gp=lights").payload, "")
        self.assertEqual(self.group_rows(), [])
        # the registrations are not touched
        self.assertEqual(len(self.rdd.rows()), 3)

    def test_sectors_members_and_replacement(self):
        self.register("ep=a&d=s1", "</x>")
        self.register("ep=a&d=s2", "</x>")
        g = self.post_group("gp=g&d=s1&base=coap://[ff35::2]", "<>;ep=a,<>;ep=b;d=s2")
        # a is a member in s1 (the group's sector); b in s2 is not registered yet
        self.assertEqual(len(links(self.rdd.coap("get", "/rd-lookup/ep?gp=g").payload)), 1)
        self.register("ep=b&d=s2", "</y>")
        self.assertEqual(len(links(self.rdd.coap("get", "/rd-lookup/ep?gp=g").payload)), 2)
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/gp?d=s1").payload,
                         f'<{g}>;gp=g;d=s1;base="coap://[ff35::2]"')
        # the same name in the same sector replaces the group; another sector is another group
        g2 = self.post_group("gp=g&d=s1", "<>;ep=a")
        self.assertNotEqual(g, g2)
        self.assertEqual(self.rdd.coap("get", g).code, "4.04")
        self.post_group("gp=g&d=s2", "<>;ep=a")
        self.assertEqual(len(self.group_rows()), 2)
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/gp?gp=g&d=s1").payload, f"<{g2}>;gp=g;d=s1")
        # a group given as link-format+json
        self.post_group("gp=j", json.dumps([{"href": "", "ep": "a", "d": "s2"}]), cf=CF_JSON)
        self.assertEqual(len(self.rdd.ctl_json("groups", "gp=j")[0]["members"]), 1)
        r = self.rdd.ctl("rdd", "remove-group", "gp=j")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.rdd.ctl_json("groups", "gp=j"), [])

    def test_events(self):
        watch = subprocess.Popen([os.path.join(test_rdd.BUILD, "cli", "lwgatectl"), "--json",
                                  "--socket-dir", self.tmp, "rdd", "watch", "rd.*"],
                                 stdout=subprocess.PIPE, text=True)
        try:
            lwgtest.wait_for(lambda: self.rdd.status()["counters"]["ipc_clients"] >= 2,
                              "watch")
            loc = self.register("ep=e1", "</a>")
            self.assertEqual(self.rdd.coap("patch", loc, '{"/b": {}}', cf=CF_MERGE).code, "2.04")
            g = self.post_group("gp=ev&con=coap://[ff35::9]", "<>;ep=e1")
            g2 = self.post_group("gp=ev", "<>;ep=e1")
            self.assertEqual(self.rdd.coap("delete", g2).code, "2.02")
            got = [json.loads(watch.stdout.readline()) for _ in range(6)]
            self.assertEqual([e["event"] for e in got],
                             ["rd.registered", "rd.updated", "rd.group.created",
                              "rd.group.replaced", "rd.group.created", "rd.group.removed"])
            self.assertEqual(got[1]["data"]["links"], 2)
            self.assertEqual(got[2]["data"], {"gp": "ev", "d": "", "location": g,
                                              "base": "coap://[ff35::9]",
                                              "members": [{"ep": "e1", "d": ""}]})
            self.assertEqual(got[3]["data"]["location"], g)
            self.assertEqual(got[5]["data"]["location"], g2)
        finally:
            watch.terminate()
            watch.wait()
            watch.stdout.close()

    def test_observed_gp_lookup(self):
        """An observed /rd-lookup/ep?gp=… is notified when the group changes."""
        n1 = self.register("ep=o1", "</x>")
        with Observer(self.rdd, "/rd-lookup/ep?gp=og", seconds=9) as obs:
            self.assertNotIn("/reg/", obs.next(5), "no group yet: an empty body")
            g = self.post_group("gp=og", "<>;ep=o1")
            self.assertIn(f"<{n1}>;ep=o1", obs.next(3))
            self.assertEqual(self.rdd.coap("delete", g).code, "2.02")
            self.assertNotIn("/reg/", obs.next(3))

    def test_observed_group_lookup(self):
        """RFC 7641 on /rd-lookup/gp: notified when a matching group is created, replaced
        (its members change) or removed, and not otherwise."""
        with Observer(self.rdd, "/rd-lookup/gp?gp=ob*") as obs:
            self.assertNotIn("/rd-group/", obs.next(5), "no group yet: an empty body")
            g = self.post_group("gp=obs1&base=coap://[ff35::1]", "<>;ep=m1")
            note = obs.next(3)
            self.assertIn(f"<{g}>;gp=obs1;base=", note)
            # another group outside the query, a registration: nothing for this observer
            self.post_group("gp=other", "<>;ep=m1")
            self.register("ep=m1", "</x>")
            with self.assertRaises(queue.Empty):
                obs.next(0.7)
            # the same name again with other members: replaced at a new location
            g2 = self.post_group("gp=obs1&base=coap://[ff35::1]", "<>;ep=m1,<>;ep=m2")
            note = obs.next(3)
            self.assertIn(f"<{g2}>;gp=obs1", note)
            self.assertNotIn(g, note)
            self.assertEqual(self.rdd.coap("delete", g2).code, "2.02")
            self.assertNotIn("/rd-group/", obs.next(3))
            with self.assertRaises(queue.Empty):
                obs.next(0.7)
            self.assertGreaterEqual(self.rdd.status()["counters"]["coap_notifications"], 3)

    def test_observed_group_lookup_by_member(self):
        """?ep=… of /rd-lookup/gp: a group that gains or loses that member notifies."""
        self.post_group("gp=fam", "<>;ep=a1")
        with Observer(self.rdd, "/rd-lookup/gp?ep=b1") as obs:
            self.assertNotIn("/rd-group/", obs.next(5))
            g = self.post_group("gp=fam", "<>;ep=a1,<>;ep=b1")   # gains b1
            self.assertIn(f"<{g}>;gp=fam", obs.next(3))
            self.post_group("gp=fam", "<>;ep=b1,<>;ep=c1")       # still b1: new location
            self.assertIn(";gp=fam", obs.next(3))
            self.post_group("gp=fam", "<>;ep=c1")                # loses b1
            self.assertNotIn("/rd-group/", obs.next(3))
            self.post_group("gp=fam", "<>;ep=d1")                # still without b1
            with self.assertRaises(queue.Empty):
                obs.next(0.7)

    def test_malformed_groups_change_nothing(self):
        self.register("ep=a", "</x>")
        g = self.post_group("gp=keep", "<>;ep=a")
        before, regs = self.group_rows(), self.rdd.rows()
        bad = [
            ("d=x", "<>;ep=a", CF_LINK, "4.00"),               # no gp
            ("gp=" + "g" * 64, "<>;ep=a", CF_LINK, "4.00"),    # gp too long
            ("gp=g*", "<>;ep=a", CF_LINK, "4.00"),             # a wildcard is no name
            ("gp=g&gp=h", "<>;ep=a", CF_LINK, "4.00"),         # twice
            ("gp=g&lt=60", "<>;ep=a", CF_LINK, "4.00"),        # not a group parameter
            ("gp=g&base=coap://[ff35::1]&con=coap://[ff35::1]", "<>;ep=a", CF_LINK, "4.00"),
            ("gp=g&con=not-a-uri", "<>;ep=a", CF_LINK, "4.00"),
            ("gp=g&d=" + "s" * 64, "<>;ep=a", CF_LINK, "4.00"),
            ("gp=g", "</x>;ep=a", CF_LINK, "4.00"),            # member target not <>
            ("gp=g", "<>;d=x", CF_LINK, "4.00"),               # no ep
            ("gp=g", "<>;ep=a;ep=b", CF_LINK, "4.00"),         # two ep
            ("gp=g", "<>;ep=a;rt=x", CF_LINK, "4.00"),         # other attributes
            ("gp=g", "<>;ep", CF_LINK, "4.00"),                # ep without value
            ("gp=g", "<>;ep=" + "e" * 64, CF_LINK, "4.00"),
            ("gp=g", "<>;ep=a,,", CF_LINK, "4.00"),            # link-format syntax
            ("gp=g", "<>;ep=a", 50, "4.15"),
            ("gp=g", '[{"ep": "a"}]', CF_JSON, "4.00"),        # JSON without href
            ("gp=keep", "<>;ep=a;x=1", CF_LINK, "4.00"),       # a bad replacement
        ]
        for query, payload, cf, code in bad:
            r = self.rdd.coap("post", "/rd-group?" + query, payload, cf=cf)
            self.assertEqual(r.code, code, (query, payload, r))
            self.assertEqual(self.group_rows(), before, query)
        for q in ("page=x", "count=-1"):
            self.assertEqual(self.rdd.coap("get", "/rd-lookup/gp?" + q).code, "4.00")
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/gp", accept=50).code, "4.06")
        self.assertEqual(self.rdd.coap("put", g, "x", cf=0).code, "4.05")
        self.assertEqual(self.rdd.coap("post", g, "<>;ep=b", cf=CF_LINK).code, "4.05")
        self.assertEqual(self.rdd.coap("delete", g + "?x=1").code, "4.00")
        self.assertEqual(self.rdd.coap("get", "/rd-group/0000000000000000").code, "4.04")
        self.assertEqual(self.group_rows(), before)
        self.assertEqual(self.rdd.rows(), regs)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_rdd])
