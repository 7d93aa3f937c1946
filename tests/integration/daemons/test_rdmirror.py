#!/usr/bin/python3
"""lwm2md mirroring its LwM2M clients into rdd (seed CRD-001 / CoP-001):
both daemons as processes, a client registered with libcoap's
coap-client-openssl, the mirror checked through rdd's CoAP lookup interface
and lwgatectl.

Usage: test_rdmirror.py BUILD_DIR SOURCE_DIR
Runs inside a private network namespace (re-executes itself under
`unshare -n` when root).  The harnesses are the lwm2md and rdd tests'.
"""
import os
import shutil
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lwm2md"))
sys.path.insert(0, os.path.join(HERE, "..", "rdd"))
sys.path.insert(0, os.path.join(HERE, ".."))
import lwgtest  # noqa: E402
import test_lwm2md as lw  # noqa: E402
import test_rdd as rd  # noqa: E402

# urllib resolves only schemes it knows as hierarchical
for scheme in ("coap", "coaps", "coap+tcp", "coaps+tcp"):
    for table in (urllib.parse.uses_relative, urllib.parse.uses_netloc):
        if scheme not in table:
            table.append(scheme)
LINKS = "</1/0>,</3>;ver=1.1,</3/0>,</3303/0>"


class MirrorTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="rdmirror-it-")
        self.rdd = rd.Rdd(self.tmp).start()
        self.lwm2md = None

    def tearDown(self):
        for d in (self.lwm2md, self.rdd):
            if d and d.proc and d.proc.poll() is None:
                d.proc.kill()
                d.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_lwm2md(self, sector=""):
        self.lwm2md = lw.Lwm2md(self.tmp, f"[rd]\nsocket = {self.rdd.sock}\nsector = {sector}\n")
        return self.lwm2md.start()

    def register(self, ep, links=LINKS, lt=300):
        rc, out = lw.coap_client("-m", "post", "-t", "40", "-e", links,
                                 f"coap://[::1]:{lw.PORT}/rd?ep={ep}&lt={lt}&lwm2m=1.1&b=U")
        self.assertEqual(rc, 0, out)
        found = [c for c in self.lwm2md.clients() if c["endpoint"] == ep]
        self.assertEqual(len(found), 1, out + self.lwm2md.logtext())
        c = found[0]
        return c

    def mirrored(self, ep):
        return [e for e in self.rdd.endpoints() if e["ep"] == ep]

    def test_register_update_deregister_follow_in_rdd(self):
        self.start_lwm2md()
        # a plain CoRE device, registered with rdd directly
        r = self.rdd.coap("post", "/rd?ep=thermo&et=core.x", '</t>;rt="temperature"', cf=40)
        self.assertEqual(r.code, "2.01")

        c = self.register("lw-1")
        rd.wait_for(lambda: self.mirrored("lw-1"), "lw-1 in rdd")
        [e] = self.mirrored("lw-1")
        self.assertEqual(e["et"], "oma.lwm2m")
        self.assertEqual(e["base"], "coap://" + c["address"])
        self.assertEqual(e["links"], 4)
        self.assertGreater(e["lt"], 290)
        self.assertLessEqual(e["lt"], 300)
        location = e["location"]

        # one lookup finds LwM2M devices and CoRE devices alike
        eps = self.rdd.coap("get", "/rd-lookup/ep").payload
        self.assertIn("ep=lw-1", eps)
        self.assertIn("ep=thermo", eps)
        self.assertRegex(self.rdd.coap("get", "/rd-lookup/ep?ep=lw-1").payload,
                         r'et="?oma\.lwm2m"?')
        self.assertNotIn("thermo", self.rdd.coap("get", "/rd-lookup/ep?et=oma.lwm2m").payload)
        # its object links, resolved against the client's address (RFC 3986, urllib)
        res = self.rdd.coap("get", "/rd-lookup/res?ep=lw-1").payload
        want = urllib.parse.urljoin("coap://" + c["address"] + "/", "/3/0")
        self.assertIn(f"<{want}>", res)
        self.assertIn("ver=1.1", res)

        # an Update with new objects changes the links in place: same location
        rc, out = lw.coap_client("-m", "post", "-t", "40", "-e", "</1/0>,</3/0>,</5/0>,</6/0>,</6/1>",
                                 f"coap://[::1]:{lw.PORT}/rd/{c['location']}?lt=120")
        self.assertEqual(rc, 0, out)
        rd.wait_for(lambda: self.mirrored("lw-1")[0]["links"] == 5, "the update in rdd")
        [e] = self.mirrored("lw-1")
        self.assertEqual(e["location"], location)
        self.assertLessEqual(e["lt"], 120)
        self.assertIn("/6/0>", self.rdd.coap("get", "/rd-lookup/res?ep=lw-1&href=/6/0").payload)

        # De-register: gone from rdd too; the CoRE device stays
        rc, out = lw.coap_client("-m", "delete", f"coap://[::1]:{lw.PORT}/rd/{c['location']}")
        self.assertEqual(rc, 0, out)
        rd.wait_for(lambda: not self.mirrored("lw-1"), "lw-1 removed from rdd")
        self.assertEqual([e["ep"] for e in self.rdd.endpoints()], ["thermo"])
        st = self.lwm2md.status()["rd_mirror"]
        self.assertTrue(st["connected"])
        self.assertEqual((st["pending"], st["failed"]), (0, 0))
        self.assertGreaterEqual(st["sent"], 3)

    def test_removal_spares_a_core_endpoint_of_the_same_name(self):
        self.start_lwm2md(sector="lwm2m")
        r = self.rdd.coap("post", "/rd?ep=same&et=core.x", "</a>", cf=40)
        self.assertEqual(r.code, "2.01")
        self.register("same")
        # the mirror lives in its own sector: the CoRE endpoint is untouched
        rd.wait_for(lambda: len(self.mirrored("same")) == 2, "the mirror in sector lwm2m")
        by_d = {e["d"]: e for e in self.mirrored("same")}
        self.assertEqual(by_d["lwm2m"]["et"], "oma.lwm2m")
        self.assertEqual(by_d[""]["et"], "core.x")
        r = lw.ctl(self.tmp, "lwm2md", "remove", "ep=same")
        self.assertEqual(r.returncode, 0, r.stderr)
        rd.wait_for(lambda: len(self.mirrored("same")) == 1, "the mirror removed")
        self.assertEqual(self.mirrored("same")[0]["et"], "core.x")
        # rdd's remove with et= does not remove another type's registration
        r = self.rdd.ctl("rdd", "remove", "ep=same", "et=oma.lwm2m")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not of et=oma.lwm2m", r.stderr)

    def test_changes_wait_while_rdd_is_down(self):
        self.start_lwm2md()
        self.register("early")
        rd.wait_for(lambda: self.mirrored("early"), "early in rdd")
        self.assertEqual(self.rdd.stop(), 0)
        self.register("late")
        r = lw.ctl(self.tmp, "lwm2md", "remove", "ep=early")
        self.assertEqual(r.returncode, 0, r.stderr)
        rd.wait_for(lambda: self.lwm2md.status()["rd_mirror"]["pending"] == 2,
                    "two changes waiting")
        self.assertFalse(self.lwm2md.status()["rd_mirror"]["connected"])
        self.assertIn("rdd not reachable", self.lwm2md.logtext())
        # rdd comes back with what it had stored; the waiting changes follow
        self.rdd.start()
        rd.wait_for(lambda: [e["ep"] for e in self.rdd.endpoints()] == ["late"],
                    "rdd in step again", seconds=15)
        st = self.lwm2md.status()["rd_mirror"]
        self.assertEqual(st["pending"], 0)
        self.assertTrue(st["connected"])
        self.assertIn("mirroring resumed", self.lwm2md.logtext())

    def test_clients_loaded_at_start_are_mirrored(self):
        self.start_lwm2md()
        self.register("kept")
        rd.wait_for(lambda: self.mirrored("kept"), "kept in rdd")
        self.lwm2md.kill9()
        self.rdd.ctl("rdd", "remove", "ep=kept")
        self.assertEqual(self.mirrored("kept"), [])
        self.lwm2md.start()
        rd.wait_for(lambda: self.mirrored("kept"), "kept mirrored again after the restart")

    def test_mirror_off(self):
        self.start_lwm2md()
        self.lwm2md.stop()
        with open(self.lwm2md.ini, "a") as f:
            f.write("mirror = no\n")
        self.lwm2md.start()
        self.register("quiet")
        time.sleep(0.5)  # what a mirror would have sent by now
        self.assertNotIn("rd_mirror", self.lwm2md.status())
        self.assertEqual(self.mirrored("quiet"), [])



if __name__ == "__main__":
    lwgtest.run([lw, rd])
