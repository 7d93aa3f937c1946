#!/usr/bin/python3
"""RFC 9176 conformance of rdd, each test a gap an independent wire test
found: locations kept on re-registration, endpoint lookup links, the anchor
filter, endpoint names, simple registration without base, page without
count, and what /.well-known/core advertises.  Driven by libcoap's
coap-client-openssl, with test_rdd.py's harness.

Usage: test_rdconform.py BUILD_DIR SOURCE_DIR
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_rdd  # noqa: E402
from test_rdd import RddCase, links  # noqa: E402


class ConformanceTests(RddCase):

    def register(self, query, payload="</a>", expect="2.01"):
        r = self.rdd.coap("post", "/rd?" + query, payload, cf=40 if payload else None)
        self.assertEqual(r.code, expect, r)
        return r

    def test_reregistration_keeps_its_location(self):
        """§5.3: the same endpoint and sector again get the same code and location."""
        loc = self.register("ep=dev&lt=100", "</old>").location()
        r = self.register("ep=dev&lt=200", "</new>")
        self.assertEqual(r.location(), loc)
        read = self.rdd.coap("get", loc)
        self.assertEqual((read.code, read.payload), ("2.05", "</new>"))
        self.assertEqual([(e["location"], e["lt"]) for e in self.rdd.endpoints()], [(loc, 200)])
        # the old content is gone from lookups, and so from the database
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/res?href=/old").payload, "")
        self.assertEqual([row[0] for row in self.rdd.rows()], [loc.lstrip("/")])
        # another sector is another registration, at another location
        self.assertNotEqual(self.register("ep=dev&d=s2").location(), loc)

    def test_broker_registration_survives_a_restart_in_place(self):
        self.assertEqual(self.rdd.stop(), 0)
        self.start_rdd(broker_ep="lwgate-broker")

        def broker():
            got = links(self.rdd.coap("get", "/rd-lookup/ep?ep=lwgate-broker").payload)
            self.assertEqual(len(got), 1, got)
            return got[0].split(";")[0]
        first = broker()
        self.assertEqual(self.rdd.stop(), 0)
        self.rdd.start()
        self.assertEqual(broker(), first)

    def test_endpoint_links_are_core_rd_ep_without_lt(self):
        """§6.3: endpoint lookup links carry rt="core.rd-ep" and do not report lt."""
        loc = self.register("ep=n1&d=s&lt=3600&base=coap://[2001:db8::1]").location()
        got = links(self.rdd.coap("get", "/rd-lookup/ep").payload)
        self.assertEqual(got, [f'<{loc}>;ep=n1;d=s;base="coap://[2001:db8::1]";rt="core.rd-ep"'])
        self.assertEqual(links(self.rdd.coap("get", "/rd-lookup/ep?rt=core.rd-ep").payload), got)
        self.assertEqual(links(self.rdd.coap("get", "/rd-lookup/ep?rt=core.rd*").payload), got)
        # a resource lookup is not about endpoints
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/res?rt=core.rd-ep").payload, "")
        js = self.rdd.coap("get", "/rd-lookup/ep", accept=504)
        self.assertIn('"rt":"core.rd-ep"', js.payload)
        self.assertNotIn('"lt"', js.payload)

    def test_anchor_filter_matches_the_anchor_shown(self):
        """§6.1, §6.2: anchor= matches the anchor a resource lookup shows."""
        base = "coap://[2001:db8::1]:61616"
        self.register(f"ep=n1&base={base}",
                      '</a>,</b>;anchor="/x/",</c>;anchor="coap://[2001:db8::9]/y"')
        got = links(self.rdd.coap("get", "/rd-lookup/res?ep=n1").payload)
        self.assertEqual(got, [f'<{base}/a>;anchor="{base}"',
                               f'<{base}/b>;anchor="{base}/x/"',
                               f'<{base}/c>;anchor="coap://[2001:db8::9]/y"'])

        def targets(query):
            return [l.split(";")[0] for l in
                    links(self.rdd.coap("get", "/rd-lookup/res?" + query).payload)]
        self.assertEqual(targets(f"anchor={base}"), [f"<{base}/a>"])
        self.assertEqual(targets(f"anchor={base}/x/"), [f"<{base}/b>"])
        self.assertEqual(targets("anchor=coap://[2001:db8::9]/y"), [f"<{base}/c>"])
        self.assertEqual(targets(f"anchor={base}*"), [f"<{base}/a>", f"<{base}/b>"])
        # the anchor as registered is not what the RD shows
        self.assertEqual(targets("anchor=/x/"), [])
        # an endpoint matches through the anchors of its links
        self.assertEqual(len(links(self.rdd.coap(
            "get", f"/rd-lookup/ep?anchor={base}/x/").payload)), 1)
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/ep?anchor=/x/").payload, "")

    def test_endpoint_and_sector_names(self):
        """§5.3: no characters 0-31 and 127-159, and UTF-8."""
        before = self.rdd.rows()
        for bad in ("ep=a%C2%85b", "ep=a%C2%9F", "ep=%FF", "ep=a%C3", "ep=%C0%AF",
                    "ep=%ED%A0%80", "ep=n&d=%C2%80", "ep=n&d=%FE"):
            r = self.register(bad, expect="4.00")
            self.assertIn("control characters", r.payload, bad)
        self.assertEqual(self.rdd.rows(), before)
        # the same for group names and sectors, and for lwgatectl rdd register
        for bad in ("gp=g%C2%85", "gp=g&d=%FF"):
            r = self.rdd.coap("post", "/rd-group?" + bad, "<>;ep=x", cf=40)
            self.assertEqual(r.code, "4.00", (bad, r))
        r = self.rdd.ctl("rdd", "register", "ep=a\u0085b", "base=coap://[2001:db8::1]")
        self.assertEqual(r.returncode, 1)
        self.assertIn("control characters", r.stderr)
        self.register("ep=caf%C3%A9&d=%C2%A0sector")  # U+00A0 is no control character
        self.assertEqual([(e["ep"], e["d"]) for e in self.rdd.endpoints()],
                         [("caf\u00e9", "\u00a0sector")])

    def test_lapsed_registration_takes_a_refresh(self):
        """§5.3: a registration whose lifetime just ended still takes an update, for
        [rd] lifetime_grace (60 s by default); lookups no longer list it meanwhile."""
        loc = self.register("ep=sleepy&lt=1", "</t>").location()
        self.register("ep=awake", "</t>")
        test_rdd.wait_for(lambda: self.rdd.coap("get", "/rd-lookup/ep?ep=sleepy").payload == "",
                          "the lifetime to end")
        counters = self.rdd.status()["counters"]
        self.assertEqual((counters["rd_lapsed"], counters["rd_expired"]), (1, 0))
        self.assertEqual(self.rdd.coap("get", "/rd-lookup/res?href=/t").payload.count("<"), 1)
        self.assertEqual(self.rdd.coap("post", loc + "?lt=600").code, "2.04")
        got = links(self.rdd.coap("get", "/rd-lookup/ep?ep=sleepy").payload)
        self.assertEqual([l.split(";")[0] for l in got], [f"<{loc}>"])
        self.assertEqual(self.rdd.status()["counters"]["rd_revived"], 1)

    def test_grace_period_ends(self):
        self.rdd.stop()
        self.rdd = test_rdd.Rdd(self.tmp, "[rd]\nlifetime_grace = 1\n").start()
        loc = self.register("ep=gone&lt=1", "</t>").location()
        test_rdd.wait_for(lambda: self.rdd.status()["counters"]["rd_expired"] == 1, "the expiry")
        self.assertEqual(self.rdd.status()["counters"]["rd_lapsed"], 1)
        self.assertEqual(self.rdd.coap("post", loc).code, "4.04")
        self.assertEqual(self.rdd.rows(), [])

    def test_simple_registration_has_no_base(self):
        """§5.1: the base of a simple registration is the request's source."""
        r = self.rdd.coap("post", "/.well-known/rd?ep=x&base=coap://[::1]:5683")
        self.assertEqual(r.code, "4.00", r)
        self.assertIn("no base", r.payload)
        self.assertEqual(self.rdd.rows(), [])

    def test_page_needs_count(self):
        """§6: page counts in pages of count links."""
        self.register("ep=a")
        for path in ("/rd-lookup/ep", "/rd-lookup/res", "/rd-lookup/gp"):
            r = self.rdd.coap("get", path + "?page=0")
            self.assertEqual(r.code, "4.00", (path, r))
            self.assertIn("count", r.payload)
            self.assertEqual(self.rdd.coap("get", path + "?page=0&count=5").code, "2.05")

    def test_discovery_advertises_what_is_served(self):
        wkc = links(self.rdd.coap("get", "/.well-known/core").payload)
        byhref = {l.split(";")[0]: l for l in wkc}
        for href in ("</rd-lookup/ep>", "</rd-lookup/res>", "</rd-lookup/gp>"):
            self.assertIn(';ct="40 504 64"', byhref[href])
            self.assertTrue(byhref[href].endswith(";obs"), byhref[href])
            # each advertised format is served
            for cf in (40, 504, 64):
                self.assertEqual(self.rdd.coap("get", href[1:-1], accept=cf).code, "2.05")
        for href in ("</rd>", "</rd-group>"):
            self.assertIn(';ct="40 504 64"', byhref[href])
            self.assertNotIn("obs", byhref[href])
        self.register("ep=j", None)
        r = self.rdd.coap("post", "/rd?ep=c", '[{"href":"/c"}]', cf=504)
        self.assertEqual(r.code, "2.01", r)
        # a filter on one format finds the resources that list it
        got = links(self.rdd.coap("get", "/.well-known/core?ct=504").payload)
        self.assertEqual(len(got), 5)
        got = links(self.rdd.coap("get", "/.well-known/core?obs").payload)
        self.assertEqual(len(got), 3)


if __name__ == "__main__":
    test_rdd.main()
