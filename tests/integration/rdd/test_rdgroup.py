#!/usr/bin/python3
"""rdd's extensions and groups, driven by coap-client-openssl and lwgatectl:
PATCH/iPATCH with a merge patch (application/merge-patch+json, 52) on a
registration, answers and payloads in application/link-format+json (504)
and +cbor (64), RFC 9176 Appendix A groups (et=core.rd-group) and the
group interface of the RD drafts up to -16 (/rd-group, /rd-lookup/gp).

Usage: test_rdgroup.py BUILD_DIR SOURCE_DIR
The harness (network namespace, rdd process, coap-client) is test_rdd.py's.
JSON and CBOR payloads are checked with Python's json and cbor2, not with
rdd's code.  Every malformed request is checked to leave the database rows
exactly as they were.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import cbor2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_rdd  # noqa: E402
from test_rdd import Rdd, links  # noqa: E402

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


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lwgate-rdgroup-")
        os.chmod(self.tmp, 0o755)
        self.rdd = Rdd(self.tmp).start()

    def tearDown(self):
        if self.rdd.proc.poll() is None:
            self.rdd.proc.kill()
            self.rdd.proc.wait()
            self.rdd.proc.stderr.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

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
        self.assertEqual(got, [f'<{loc}>;ep=grp_R2-4-015;base="{mbase}";lt=90000;'
                               'et=core.rd-group'])
        got = links(self.rdd.coap("get", "/rd-lookup/res?et=core.rd-group").payload)
        self.assertEqual(got, [f'<{mbase}/light/left>;rt="light";if="core.a";anchor="{mbase}"'])
        # it survives a restart like any registration
        self.rdd.kill9()
        self.rdd.start()
        self.assertEqual(len(links(self.rdd.coap("get", "/rd-lookup/ep?et=core.rd-group")
                                   .payload)), 1)


if __name__ == "__main__":
    test_rdd.main()
