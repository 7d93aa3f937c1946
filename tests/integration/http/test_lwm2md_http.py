#!/usr/bin/python3
"""lwm2md's northbound HTTP API (daemons/lwm2md/httpapi.c) against curl and
a raw UDP LwM2M client (the lwm2md tests' coapmsg.py): Leshan-shaped routes
over HTTP/1.1 and HTTP/2 answering what `lwgatectl --json` answers, bearer
token scopes and refusals, problem documents for bad requests, and
server-sent events for a registration.

Usage: test_lwm2md_http.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lwm2md"))
sys.path.insert(0, os.path.join(HERE, ".."))
import coapmsg as cm  # noqa: E402
import lwgtest  # noqa: E402
import openapi_check  # noqa: E402
import test_lwm2md as tl  # noqa: E402
from test_lwm2md import Udp, ctl_json  # noqa: E402

EP = "dev7"
RO, RW = "ro-token-1", "rw-token-1"


def curl(*args):
    """(status, content type, body) of curl ARGS; raises when curl itself fails."""
    out = subprocess.run(["curl", "-sS", "--max-time", "30", "-w", "\n%{http_code} %{content_type}"]
                         + list(args), capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError("curl %s: %s" % (args, out.stderr))
    body, _, tail = out.stdout.rpartition("\n")
    code, _, ctype = tail.partition(" ")
    return int(code), ctype, body


class Lwm2mHttpTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lwm2md-http-")
        self.port = lwgtest.free_port(socket.SOCK_STREAM)
        self.d = tl.Lwm2md(self.tmp, f"[http]\nenabled = yes\nport = {self.port}\n"
                                     f"tokens_ro = {RO}\ntokens_rw = other, {RW}\n").start()
        self.u = Udp()

    def tearDown(self):
        self.u.close()
        if self.d.alive():
            self.d.kill9()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def api(self, method, path, token=RW, body=None, ctype="application/json", h2=False):
        args = ["-X", method, "-H", f"Authorization: Bearer {token}"] if token else ["-X", method]
        if body is not None:
            args += ["-H", f"Content-Type: {ctype}", "--data-binary", body]
        args.append("--http2-prior-knowledge" if h2 else "--http1.1")
        code, ctype, text = curl(*args, self.url(path))
        # every answer must be one doc/openapi/lwm2md.yaml describes
        openapi_check.spec("lwm2md").check(method, path, code, ctype, text)
        return code, (json.loads(text) if text else None)

    def register(self):
        reply = cm.decode(self.u.ask(cm.register(1, f"ep={EP}", "</1/0>,</3/0>,</3303/0>")))
        self.assertEqual(cm.code_str(reply["code"]), "2.01")

    def device_answers(self, code, payload=b"", opts=()):
        """A thread in which the client answers lwm2md's next request; .req after join()."""
        t = threading.Thread(target=self._answer, args=(code, payload, opts))
        t.start()
        return t

    def _answer(self, code, payload, opts):
        req = cm.decode(self.u.recv())
        self.req = req
        self.u.send(cm.encode(cm.ACK, cm.code(code), req["mid"], req["token"], list(opts),
                              payload))

    def test_clients_match_lwgatectl(self):
        # no client yet: a JSON array all the same, not the list's closing reply
        for path in ("/api/clients", f"/api/clients/{EP}/observations", "/api/credentials"):
            self.assertEqual(self.api("GET", path, token=RO), (200, []), path)
        self.register()
        for h2 in (False, True):
            with self.subTest(h2=h2):
                code, got = self.api("GET", "/api/clients", token=RO, h2=h2)
                self.assertEqual(code, 200)
                self.assertEqual([c["endpoint"] for c in got],
                                 [c["endpoint"] for c in ctl_json(self.tmp, "clients")])
                code, one = self.api("GET", f"/api/clients/{EP}", token=RO, h2=h2)
                self.assertEqual(code, 200)
                self.assertEqual(one["endpoint"], EP)
        code, st = self.api("GET", "/api/status", token=RO)
        self.assertEqual(code, 200)

    def test_same_json_as_lwgatectl(self):
        """The bridge calls the daemon's handlers in-process: the very document
        `lwgatectl --json` prints, over both versions, lists and refusals alike."""
        self.register()
        for h2 in (False, True):
            for path, args in ((f"/api/clients/{EP}", ["show", EP]),
                               (f"/api/clients/{EP}/observations", ["observations", EP]),
                               ("/api/credentials", ["cred-list"])):
                with self.subTest(path=path, h2=h2):
                    want = ctl_json(self.tmp, *args)
                    self.assertEqual(self.api("GET", path, token=RO, h2=h2), (200, want))
        # a refusal: the error object lwgatectl prints, as the problem's code and detail
        r = tl.ctl(self.tmp, "--json", "lwm2md", "show", "nobody")
        self.assertNotEqual(r.returncode, 0)
        err = json.loads(r.stdout)["error"]
        code, got = self.api("GET", "/api/clients/nobody", token=RO, h2=True)
        self.assertEqual((code, got["code"], got["detail"]), (404, err["code"], err["message"]))

    def test_read_and_write_reach_the_device(self):
        self.register()
        t = self.device_answers("2.05", b"Open Mobile Alliance", [(12, b"")])
        code, got = self.api("GET", f"/api/clients/{EP}/3/0/0?format=text", token=RO, h2=True)
        t.join()
        self.assertEqual(code, 200, got)
        self.assertEqual(cm.code_str(self.req["code"]), "0.01")  # GET
        self.assertIn("Open Mobile Alliance", json.dumps(got))
        t = self.device_answers("2.04")
        code, got = self.api("PUT", f"/api/clients/{EP}/3/0/14", body='{"value": "+02"}')
        t.join()
        self.assertEqual(code, 200, got)
        self.assertEqual(cm.code_str(self.req["code"]), "0.03")  # PUT
        self.assertIn(b"+02", self.req["payload"])
        # the device's own error comes back as a 502 carrying its CoAP code
        t = self.device_answers("4.04")
        code, got = self.api("GET", f"/api/clients/{EP}/3/0/99", token=RO)
        t.join()
        self.assertEqual(code, 502, got)
        self.assertEqual(got["code"], "coap")
        self.assertEqual(got["coap_code"], "4.04")  # the error's detail, as lwgatectl gets it

    def test_tokens_and_refusals(self):
        self.register()
        cases = [("GET", "/api/clients", None, None, 401),
                 ("GET", "/api/clients", "wrong", None, 401),
                 ("PUT", f"/api/clients/{EP}/3/0/14", RO, '{"value": "x"}', 403),
                 ("DELETE", f"/api/clients/{EP}", RO, None, 403),
                 ("PUT", f"/api/clients/{EP}/3/0/14", RW, '{"value": ', 400),
                 ("PUT", f"/api/clients/{EP}/3/0/14", RW, '[1]', 400),
                 ("GET", "/api/clients/nobody", RO, None, 404),
                 ("GET", f"/api/clients/{EP}/x/y", RO, None, 400),
                 ("GET", f"/api/clients/{EP}/3?timeout=0", RO, None, 400),
                 ("GET", "/api/nothing", RO, None, 404),
                 ("PATCH", "/api/clients", RW, None, 405)]
        for method, path, token, body, status in cases:
            with self.subTest(method=method, path=path, token=token):
                code, doc = self.api(method, path, token=token, body=body)
                self.assertEqual(code, status, doc)
                self.assertEqual(doc["status"], status)
        code, doc = self.api("PUT", f"/api/clients/{EP}/3/0/14", body='{"value": 1}',
                             ctype="text/plain")
        self.assertEqual(code, 415)
        self.assertTrue(self.d.alive())
        code, _ = self.api("DELETE", f"/api/clients/{EP}")
        self.assertEqual(code, 200)
        self.assertEqual(ctl_json(self.tmp, "clients"), [])

    def test_events_for_a_registration(self):
        ev = subprocess.Popen(["curl", "-sSN", "--http2-prior-knowledge", "-H",
                               f"Authorization: Bearer {RO}", self.url(f"/api/event?ep={EP}")],
                              stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(ev.stdout.readline(), ": subscribed\n")
            self.assertEqual(ev.stdout.readline(), "\n")
            # another endpoint's registration is filtered out; ours arrives
            other = cm.decode(self.u.ask(cm.register(2, "ep=other", "</3/0>")))
            self.assertEqual(cm.code_str(other["code"]), "2.01")
            self.register()
            self.assertEqual(ev.stdout.readline(), "event: registration.new\n")
            data = ev.stdout.readline()
            self.assertTrue(data.startswith("data: "))
            self.assertEqual(json.loads(data[6:])["endpoint"], EP)
        finally:
            ev.kill()
            ev.wait()
            ev.stdout.close()


    def test_events_for_a_notification(self):
        """POST …/observe, then the device's notification arrives as observe.notify."""
        self.register()
        ev = subprocess.Popen(["curl", "-sSN", "--http1.1", "-H", f"Authorization: Bearer {RO}",
                               self.url(f"/api/event?ep={EP}")], stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(ev.stdout.readline(), ": subscribed\n")
            t = self.device_answers("2.05", b"42", [(6, b"\x01"), (12, b"")])
            code, got = self.api("POST", f"/api/clients/{EP}/3/0/9/observe?format=text")
            t.join()
            self.assertEqual(code, 200, got)
            self.assertTrue(cm.options(self.req, 6), "the GET carries Observe")
            note = cm.encode(cm.NON, cm.code("2.05"), 0x7777, self.req["token"],
                             [(6, b"\x02"), (12, b"")], b"43")
            self.u.send(note)
            # the observe's own response is a notification too (42); then the device's (43)
            seen = []
            while not any("43" in json.dumps(d["values"]) for d in seen):
                line = ev.stdout.readline()
                self.assertTrue(line, "the event stream ended early")
                if line == "event: observe.notify\n":
                    seen.append(json.loads(ev.stdout.readline()[6:]))
            self.assertEqual([(d["endpoint"], d["path"]) for d in seen], [(EP, "/3/0/9")] * len(seen))
            code, obs = self.api("GET", f"/api/clients/{EP}/observations", token=RO)
            self.assertEqual(code, 200, obs)
            code, vals = self.api("GET", f"/api/clients/{EP}/values", token=RO)
            self.assertEqual(code, 200, vals)
            self.assertIn("/3/0/9", json.dumps(vals))
        finally:
            ev.kill()
            ev.wait()
            ev.stdout.close()


class ConfigTests(unittest.TestCase):
    def test_no_token_means_loopback_only(self):
        tmp = tempfile.mkdtemp(prefix="lwm2md-http-")
        try:
            d = tl.Lwm2md(tmp, "[http]\nenabled = yes\naddress = ::\nport = 0\n")
            out = subprocess.run([os.path.join(tl.BUILD, "daemons", "lwm2md", "lwm2md"), "-f",
                                  "-c", d.ini], capture_output=True, text=True, timeout=60)
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("loopback", out.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], tl])
