#!/usr/bin/python3
"""lwm2md's endpoint ID mapping file ([lwm2m] ids_file): names shown in
`clients`, used to pick a client in commands, winning over set-ids,
reloaded with SIGHUP and `lwgatectl lwm2md reload`, a bad file refused at
start and kept out on reload.  Raw UDP clients (coapmsg.py), the harness of
test_lwm2md.py.

Usage: test_ids.py BUILD_DIR SOURCE_DIR
"""
import os
import shutil
import signal
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coapmsg as cm  # noqa: E402
import test_lwm2md as tl  # noqa: E402
import lwgtest  # noqa: E402  (test_lwm2md put it on the path)
from test_lwm2md import Udp, ctl, ctl_json, wait_for  # noqa: E402


class IdsFileTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lwm2md-ids-")
        self.ids = os.path.join(self.tmp, "ids")
        self.d = None

    def tearDown(self):
        if self.d and self.d.proc and self.d.alive():
            self.d.kill9()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_ids(self, text):
        with open(self.ids + ".new", "w") as f:
            f.write(text)
        os.rename(self.ids + ".new", self.ids)

    def daemon(self):
        return tl.Lwm2md(self.tmp, f"[lwm2m]\nids_file = {self.ids}\n")

    def names(self):
        return {c["endpoint"]: (c.get("app_id"), c.get("external_id"))
                for c in self.d.clients()}

    def test_ids_file(self):
        self.write_ids("# test\n"
                       "urn:dev:1 = app_id=metering, external_id=ext-1@nidd.example\n"
                       "urn:dev:2 = app_id=lighting\n")
        d = self.d = self.daemon().start()
        self.assertIn("endpoint IDs loaded file=" + self.ids + " count=2", d.logtext())
        u1, u2 = Udp(), Udp()
        try:
            cm.decode(u1.ask(cm.register(1, "ep=urn:dev:1", "</3/0>")))
            cm.decode(u2.ask(cm.register(1, "ep=urn:dev:2", "</3/0>")))
            self.assertEqual(self.names(), {"urn:dev:1": ("metering", "ext-1@nidd.example"),
                                            "urn:dev:2": ("lighting", None)})
            r = ctl(self.tmp, "lwm2md", "clients")
            self.assertIn("ext-1@nidd.example", r.stdout)

            # the file's names pick a client in commands
            self.assertEqual(ctl_json(self.tmp, "show", "app_id=lighting")["endpoint"],
                             "urn:dev:2")

            def answer():
                req = cm.decode(u1.recv())
                u1.send(cm.encode(cm.ACK, cm.code("2.05"), req["mid"], req["token"],
                                  [(cm.CONTENT_FORMAT, cm.uint_opt(0))], b"Acme"))

            t = threading.Thread(target=answer)
            t.start()
            out = ctl_json(self.tmp, "read", "external_id=ext-1@nidd.example", "path=/3/0/0")
            t.join()
            self.assertEqual(out["endpoint"], "urn:dev:1")
            self.assertEqual(out["values"]["/3/0/0"], "Acme")

            # the file wins: set-ids cannot change what it sets, only the rest
            r = ctl(self.tmp, "lwm2md", "set-ids", "ep=urn:dev:2", "app_id=other")
            self.assertEqual(r.returncode, 1)
            self.assertIn(f"urn:dev:2's IDs are set in {self.ids} line 3", r.stderr)
            ctl_json(self.tmp, "set-ids", "ep=urn:dev:2", "external_id=cli-2")
            # an external_id the file gives is taken
            r = ctl(self.tmp, "lwm2md", "set-ids", "ep=urn:dev:3",
                    "external_id=ext-1@nidd.example")
            self.assertIn("another endpoint has external_id", r.stderr)
            self.assertEqual(self.names()["urn:dev:2"], ("lighting", "cli-2"))

            # SIGHUP: urn:dev:2 leaves the file, urn:dev:1 changes
            self.write_ids("urn:dev:1 = app_id=metering-b\n")
            d.proc.send_signal(signal.SIGHUP)
            wait_for(lambda: self.names()["urn:dev:1"] == ("metering-b", None), "the reload")
            self.assertEqual(self.names()["urn:dev:2"], (None, "cli-2"),
                             "the CLI's name stays, the file's is gone")
            r = ctl(self.tmp, "lwm2md", "show", "external_id=ext-1@nidd.example")
            self.assertIn("no endpoint has external_id", r.stderr)

            # a bad file on reload: logged, the names in force stay
            self.write_ids("urn:dev:1 = app_id=x\nurn:dev:2 = imsi=1\n")
            r = ctl(self.tmp, "lwm2md", "reload")
            self.assertEqual(r.returncode, 0, r.stderr)
            wait_for(lambda: "ids_file not applied" in d.logtext(), "the error in the log")
            self.assertIn(f"{self.ids}:2: 'imsi' is not app_id or external_id", d.logtext())
            self.assertEqual(self.names()["urn:dev:1"], ("metering-b", None))

            # and a good one through lwgatectl
            self.write_ids("urn:dev:2 = external_id=file-2\n")
            ctl(self.tmp, "lwm2md", "reload")
            wait_for(lambda: self.names()["urn:dev:2"] == (None, "file-2"), "the reload")
            self.assertEqual(self.names()["urn:dev:1"], (None, None))
        finally:
            u1.close()
            u2.close()
        self.assertEqual(d.stop(), 0)

        # a bad file at start: lwm2md does not start, and says why
        self.write_ids("urn:dev:1 = app_id=a\nurn:dev:1 = app_id=b\n")
        with self.assertRaises(AssertionError) as cm_:
            self.d = self.daemon().start()
        self.assertIn(f"{self.ids}:2: this endpoint has a line already", str(cm_.exception))
        os.unlink(self.ids)
        with self.assertRaises(AssertionError) as cm_:
            self.d = self.daemon().start()
        self.assertIn(f"ids_file not applied: {self.ids}: No such file or directory",
                      str(cm_.exception))



if __name__ == "__main__":
    lwgtest.run([tl])
