#!/usr/bin/python3
"""lwgatectl lwm2md as people type it: a client's CoAP errors shown as
the CoAP code and its name, positional arguments in the order of the
daemon's own command table, values typed from the object definitions,
and the bash completion generated from the same tables.  A raw UDP
LwM2M client (coapmsg.py) answers lwm2md's requests; the harness is
test_lwm2md.py's.

Usage: test_lwm2md_cli.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import shutil
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coapmsg as cm  # noqa: E402
import test_lwm2md as tl  # noqa: E402
import lwgtest  # noqa: E402  (test_lwm2md put it on the path)
from test_lwm2md import Udp, ctl  # noqa: E402

EP = "dev7"


class CliTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lwm2md-cli-")
        self.d = tl.Lwm2md(self.tmp).start()
        self.u = Udp()
        reply = cm.decode(self.u.ask(cm.register(1, f"ep={EP}", "</1/0>,</3/0>,</3303/0>")))
        self.assertEqual(cm.code_str(reply["code"]), "2.01")

    def tearDown(self):
        self.u.close()
        if self.d.alive():
            self.d.kill9()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def exchange(self, args, code, payload=b"", opts=()):
        """Run `lwgatectl ARGS` while the client answers its one request with
        @code; -> (lwgatectl's result, the request the client got)."""
        got = {}

        def client():
            req = cm.decode(self.u.recv())
            got["req"] = req
            self.u.send(cm.encode(cm.ACK, cm.code(code), req["mid"], req["token"],
                                  list(opts), payload))

        t = threading.Thread(target=client)
        t.start()
        r = ctl(self.tmp, *args)
        t.join()
        return r, got.get("req")

    def test_coap_errors_reach_the_user(self):
        for code, name in (("4.06", "Not Acceptable"), ("5.01", "Not Implemented"),
                           ("4.04", "Not Found"), ("4.29", "Too Many Requests")):
            r, _ = self.exchange(["--json", "lwm2md", "read", f"ep={EP}", "path=/3/0/0"], code,
                                 payload=b"why not")
            self.assertEqual(r.returncode, 1, r.stderr)
            err = json.loads(r.stdout)["error"]
            self.assertEqual(err["code"], "coap")
            self.assertEqual(err["coap_code"], code)
            self.assertEqual(err["message"], f"{EP}: {code} {name}: why not")
            # people read the same: the code and its name, not bad_args or conflict
            self.assertIn(f"lwgatectl: lwm2md read: {EP}: {code} {name}: why not (coap)",
                          r.stderr)
        r, _ = self.exchange(["lwm2md", "exec", f"ep={EP}", "path=/3/0/4"], "4.05")
        self.assertEqual(r.returncode, 1)
        self.assertIn("4.05 Method Not Allowed (coap)", r.stderr)
        # a refusal of lwm2md's own is still its own code
        r = ctl(self.tmp, "--json", "lwm2md", "read", "ep=nobody", "path=/3/0/0")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "not_found")
        self.assertNotIn("coap_code", json.loads(r.stdout)["error"])


def main():
    lwgtest.run([sys.modules[__name__], tl])


if __name__ == "__main__":
    main()
