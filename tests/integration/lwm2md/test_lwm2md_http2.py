#!/usr/bin/python3
"""LwM2M over HTTP/2 (binding H, README "LwM2M over HTTP/2") with a device
written on Debian's python3-h2 (h2device.py): it registers, is read,
written, discovered, given attributes, executed, created in and deleted
from, observed (its notifications reach `lwgatectl lwm2md watch`), sends
/dp, updates and deregisters over one HTTP/2 connection, h2c and TLS with
ALPN h2; answers several requests and notifications in one POST; its
Lwm2m-Token is echoed; bad tokens, another's endpoint and malformed
answers are refused.

Usage: test_lwm2md_http2.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import queue
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import lwgtest  # noqa: E402
import test_lwm2md as tl  # noqa: E402
from h2device import H2Device  # noqa: E402
from lwgtest import wait_for  # noqa: E402
from test_lwm2md import Lwm2md, ctl_json  # noqa: E402

EP = "h2dev-1"
LINKS = b"</1/0>,</3/0>,</3303/0>"


class Watch:
    """`lwgatectl --json lwm2md watch TOPIC…`: one event at a time."""

    def __init__(self, d, *topics):
        before = d.status()["counters"]["ipc_clients"]
        self.proc = subprocess.Popen(
            [os.path.join(tl.BUILD, "cli", "lwgatectl"), "--socket-dir", d.tmp, "--json",
             "lwm2md", "watch", *topics], stdout=subprocess.PIPE, text=True)
        wait_for(lambda: d.status()["counters"]["ipc_clients"] > before, "watch to subscribe")
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def next(self):
        """The next event; AssertionError when none comes (a generous bound, not a timing)."""
        try:
            return json.loads(self.lines.get(timeout=60))
        except queue.Empty:
            raise AssertionError("no event from lwgatectl lwm2md watch") from None

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        self.proc.stdout.close()


class Sse:
    """curl on the HTTP API's GET /api/event?ep=EP: its (event, data) pairs."""

    def __init__(self, port, ep):
        self.proc = subprocess.Popen(
            ["curl", "-sSN", "--http2-prior-knowledge", "-H", "Authorization: Bearer ro-token",
             f"http://127.0.0.1:{port}/api/event?ep={ep}"], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline() == ": subscribed\n"
        self.events = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event = None
        for line in self.proc.stdout:
            if line.startswith("event: "):
                event = line[7:].strip()
            elif line.startswith("data: "):
                self.events.put((event, json.loads(line[6:])))

    def next(self, name):
        """The next event called @name (others skipped); bounded, not a timing."""
        while True:
            try:
                event, data = self.events.get(timeout=60)
            except queue.Empty:
                raise AssertionError(f"no {name} on /api/event") from None
            if event == name:
                return data

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


class Http2Tests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lwm2md-h2-")
        self.d = None
        self.closers = []

    def tearDown(self):
        for c in reversed(self.closers):
            c()
        if self.d and self.d.proc and self.d.alive():
            self.d.kill9()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, extra=""):
        self.port = lwgtest.free_port(lwgtest.socket.SOCK_STREAM)
        self.d = Lwm2md(self.tmp, f"[http2]\nenabled = yes\naddress = ::1\nport = {self.port}\n"
                        f"tokens = {EP}=secret-1, other=secret-2 third=secret-3\n{extra}").start()
        return self.d

    def device(self, token="secret-1", **kw):
        dev = H2Device("::1", self.port, token, **kw)
        self.closers.append(dev.close)
        return dev

    def watch(self, *topics):
        w = Watch(self.d, *topics)
        self.closers.append(w.close)
        return w

    def ctl(self, *args):
        """lwgatectl --json lwm2md ARGS in the background: its Popen."""
        return subprocess.Popen([os.path.join(tl.BUILD, "cli", "lwgatectl"), "--socket-dir",
                                 self.tmp, "--json", "lwm2md", *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def done(self, p):
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 0, out + err)
        return json.loads(out)

    def register(self, dev, ep=EP, token_hex="0102"):
        st, h, body = dev.request("POST", f"/rd?ep={ep}&lt=300&lwm2m=1.1&b=H", body=LINKS,
                                  ctype="application/link-format",
                                  headers={"lwm2m-token": token_hex})
        return st, h, body

    def test_device_lifecycle(self):
        api = lwgtest.free_port(lwgtest.socket.SOCK_STREAM)
        d = self.start(f"[http]\nenabled = yes\nport = {api}\ntokens_ro = ro-token\n")
        reg = self.watch("registration.*")
        sse = Sse(api, EP)
        self.closers.append(sse.close)
        dev = self.device()
        st, h = dev.open_downlink()
        self.assertEqual(st, 200)
        self.assertTrue(h["content-type"].startswith("application/http"), h)

        st, h, _ = self.register(dev)
        self.assertEqual(st, 201)
        self.assertRegex(h["location"], r"^/rd/[0-9a-f]+$")
        self.assertEqual(h["lwm2m-token"], "0102", "HTT-004: the token is echoed")
        loc = h["location"]
        ev = reg.next()
        self.assertEqual((ev["event"], ev["data"]["endpoint"]), ("registration.new", EP))
        [c] = d.clients()
        self.assertEqual((c["endpoint"], c["transport"], c["binding"]), (EP, "http2", "H"))
        self.assertEqual(c["objects"], ["/1/0", "/3/0", "/3303/0"])

        # Read: a GET on the downlink, its token answered
        p = self.ctl("read", EP, "/3/0/0", "text")
        req = dev.next_request()
        self.assertEqual((req.method, req.target), ("GET", "/3/0/0"))
        self.assertEqual(req.headers["accept"], "text/plain; charset=utf-8")
        self.assertRegex(req.token, r"^[0-9a-f]{2,16}$")
        self.assertEqual(dev.answer([(200, {"lwm2m-token": req.token,
                                            "content-type": "text/plain"}, b"ACME")])[0], 204)
        self.assertEqual(self.done(p)["values"]["/3/0/0"], "ACME")

        # Write: a PUT with the value as text
        p = self.ctl("write", EP, "/1/0/1", "120", "format=text")
        req = dev.next_request()
        self.assertEqual((req.method, req.path, req.body), ("PUT", "/1/0/1", b"120"))
        self.assertTrue(req.headers["content-type"].startswith("text/plain"))
        dev.answer([(204, {"lwm2m-token": req.token}, b"")])
        self.assertEqual(self.done(p)["code"], "2.04 Changed")

        # Execute
        p = self.ctl("exec", EP, "/3/0/4")
        req = dev.next_request()
        self.assertEqual((req.method, req.path), ("POST", "/3/0/4"))
        dev.answer([(204, {"lwm2m-token": req.token}, b"")])
        self.assertEqual(self.done(p)["code"], "2.04 Changed")

        # Discover, in link format
        p = self.ctl("discover", EP, "/3")
        req = dev.next_request()
        self.assertEqual((req.method, req.path), ("GET", "/3"))
        self.assertEqual(req.headers["accept"], "application/link-format")
        dev.answer([(200, {"lwm2m-token": req.token, "content-type": "application/link-format"},
                     b"</3>,</3/0>,</3/0/0>,</3/0/9>")])
        self.assertIn("/3/0/9", json.dumps(self.done(p)))

        # Write-Attributes: the query rides on the target
        p = self.ctl("write-attr", EP, "/3/0/9", "pmin=1", "pmax=60")
        req = dev.next_request()
        self.assertEqual(req.method, "PUT")
        self.assertEqual(req.path, "/3/0/9")
        self.assertEqual(sorted(req.query.split("&")), ["pmax=60", "pmin=1"])
        dev.answer([(204, {"lwm2m-token": req.token}, b"")])
        self.assertEqual(self.done(p)["code"], "2.04 Changed")

        # Create (its Location becomes Location-Path) and Delete
        p = self.ctl("create", EP, "path=/3303", 'values:={"/3303/1/5700": 21.5}')
        req = dev.next_request()
        self.assertEqual((req.method, req.path), ("POST", "/3303"))
        self.assertEqual(req.headers["content-type"], "application/vnd.oma.lwm2m+tlv")
        self.assertTrue(req.body)
        dev.answer([(201, {"lwm2m-token": req.token, "location": "/3303/1"}, b"")])
        self.assertEqual(self.done(p)["code"], "2.01 Created")
        p = self.ctl("delete", EP, "/3303/1")
        req = dev.next_request()
        self.assertEqual((req.method, req.path), ("DELETE", "/3303/1"))
        dev.answer([(204, {"lwm2m-token": req.token}, b"")])
        self.assertEqual(self.done(p)["code"], "2.02 Deleted")

        # Observe, then two notifications in one POST reach `watch observe.notify`
        notes = self.watch("observe.notify")
        p = self.ctl("observe", EP, "/3/0/9", "text")
        req = dev.next_request()
        self.assertEqual((req.method, req.path), ("GET", "/3/0/9"))
        self.assertEqual(req.headers["lwm2m-observe"], "0")
        dev.answer([(200, {"lwm2m-token": req.token, "lwm2m-observe": "1",
                           "content-type": "text/plain"}, b"87")])
        self.assertEqual(self.done(p)["values"]["/3/0/9"], 87)
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual((o["endpoint"], o["path"], o["state"]), (EP, "/3/0/9", "active"))
        self.assertEqual(o["token"], req.token)
        self.assertEqual(notes.next()["data"]["values"]["/3/0/9"], 87)
        st, _ = dev.answer([
            (200, {"lwm2m-token": req.token, "lwm2m-observe": "2", "content-type": "text/plain"},
             b"55"),
            (200, {"lwm2m-token": req.token, "lwm2m-observe": "3", "content-type": "text/plain"},
             b"54")])
        self.assertEqual(st, 204)
        self.assertEqual(notes.next()["data"]["values"]["/3/0/9"], 55)
        self.assertEqual(notes.next()["data"]["values"]["/3/0/9"], 54)
        # the HTTP API's server-sent events carry them too
        self.assertEqual(sse.next("observe.notify")["values"]["/3/0/9"], 87)
        self.assertEqual(sse.next("observe.notify")["values"]["/3/0/9"], 55)
        self.assertEqual(sse.next("observe.notify")["values"]["/3/0/9"], 54)
        wait_for(lambda: {v["path"]: v for v in ctl_json(self.tmp, "values", EP)}
                 .get("/3/0/9", {}).get("value") == 54, "the last value")

        # a read's answer and a notification in one POST (HTT-002); the server
        # has one request at a time in flight per device (CoAP NSTART 1)
        p = self.ctl("read", EP, "/3/0/1", "text")
        r1 = dev.next_request()
        self.assertNotEqual(r1.token, req.token)
        st, _ = dev.answer([
            (200, {"lwm2m-token": req.token, "lwm2m-observe": "4", "content-type": "text/plain"},
             b"53"),
            (200, {"lwm2m-token": r1.token, "content-type": "text/plain"}, b"model-1")])
        self.assertEqual(st, 204)
        self.assertEqual(self.done(p)["values"]["/3/0/1"], "model-1")
        self.assertEqual(notes.next()["data"]["values"]["/3/0/9"], 53)

        # the active cancel: a GET with Observe 1 on the downlink
        p = self.ctl("cancel", EP, "/3/0/9")
        c = dev.next_request()
        self.assertEqual((c.method, c.path, c.headers["lwm2m-observe"]), ("GET", "/3/0/9", "1"))
        dev.answer([(200, {"lwm2m-token": c.token, "content-type": "text/plain"}, b"53")])
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 0, out + err)
        wait_for(lambda: ctl_json(self.tmp, "observations") == [], "the observation to end")

        # Send (/dp) in SenML JSON
        sends = self.watch("send")
        st, h, _ = dev.request("POST", "/dp", ctype="application/senml+json",
                               body=b'[{"bn":"/3303/0/","n":"5700","v":22.5}]',
                               headers={"lwm2m-token": "aabbccdd"})
        self.assertEqual(st, 204)
        self.assertEqual(h["lwm2m-token"], "aabbccdd")
        self.assertEqual(sends.next()["data"]["values"]["/3303/0/5700"], 22.5)

        # Update, then De-register
        st, h, _ = dev.request("POST", f"{loc}?lt=120")
        self.assertEqual(st, 204)
        self.assertRegex(h["lwm2m-token"], r"^[0-9a-f]{8}$", "a token is chosen and echoed")
        self.assertEqual(reg.next()["event"], "registration.update")
        self.assertEqual(ctl_json(self.tmp, "show", f"ep={EP}")["lifetime"], 120)
        st, _, _ = dev.request("DELETE", loc)
        self.assertEqual(st, 204)
        ev = reg.next()
        self.assertEqual((ev["event"], ev["data"]["reason"]), ("registration.removed",
                                                                "deregistered"))
        self.assertEqual(d.clients(), [])
        h2 = d.status()["http2"]
        self.assertEqual((h2["port"], h2["devices"], h2["downlinks"]), (self.port, 1, 1))
        # Register, Send, Update, De-register sent up; 10 answers (the first value of
        # the Observe and the cancel's among them) and 3 notifications taken; nothing refused
        self.assertEqual((h2["requests"], h2["answers"], h2["notifications"]), (4, 10, 3))
        self.assertEqual((h2["unauthorized"], h2["refused"], h2["dropped"]), (0, 0, 0))
        self.stop_cleanly()

    def stop_cleanly(self):
        """SIGTERM with devices connected: exit 0 (under ASan: nothing leaked)."""
        rc = self.d.stop()
        self.assertEqual(rc, 0, lwgtest.log_tail(self.d.log))

    def test_refusals(self):
        d = self.start("max_devices = 2\n")
        # no token, a wrong one: 401 with a challenge, nothing registered
        for token in (None, "nope"):
            dev = self.device(token)
            st, h, body = self.register(dev)
            self.assertEqual(st, 401)
            self.assertIn("bearer", h["www-authenticate"].lower())
            self.assertEqual(json.loads(body)["status"], 401)
        # another device's token cannot register this endpoint (the server's ep binding)
        other = self.device("secret-2")
        st, _, body = self.register(other, ep=EP)
        self.assertEqual(st, 403, body)
        self.assertEqual(d.clients(), [])
        st, _, _ = self.register(other, ep="other")
        self.assertEqual(st, 201)
        dev = self.device()
        # a token that is not 1–8 bytes of hex
        st, _, _ = self.register(dev, token_hex="xyz")
        self.assertEqual(st, 400)
        st, _, _ = self.register(dev, token_hex="00" * 9)
        self.assertEqual(st, 400)
        # a media type CoAP has no Content-Format for; a method it lacks
        st, _, _ = dev.request("POST", "/dp", ctype="application/xml", body=b"<a/>")
        self.assertEqual(st, 415)
        st, _, _ = dev.request("OPTIONS", "/rd")
        self.assertEqual(st, 405)
        # answers: an unknown token, not application/http, not a pipeline
        st, body = dev.answer([(200, {"lwm2m-token": "0badcafe"}, b"")])
        self.assertEqual(st, 404, body)
        st, _, _ = dev.request("POST", "/lwm2m/responses", ctype="text/plain", body=b"x")
        self.assertEqual(st, 415)
        st, _, _ = dev.request("POST", "/lwm2m/responses", ctype="application/http",
                               body=b"HTTP/1.1 200 OK\r\n\r\nno length")
        self.assertEqual(st, 400)
        st, _, _ = dev.request("GET", "/lwm2m/other")
        self.assertEqual(st, 404)
        # the server's own refusal comes back mapped: an Update of nothing is 4.04
        st, _, _ = dev.request("POST", "/rd/0000")
        self.assertEqual(st, 404)
        # one bad answer in a POST forwards none of it
        st, h, _ = self.register(dev)
        self.assertEqual(st, 201)
        dev.open_downlink()
        p = self.ctl("read", EP, "/3/0/0", "text")
        req = dev.next_request()
        st, _ = dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"A"),
                            (200, {"lwm2m-token": "77"}, b"")])
        self.assertEqual(st, 404)
        st, _ = dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"B")])
        self.assertEqual(st, 204)
        self.assertEqual(self.done(p)["values"]["/3/0/0"], "B")
        self.assertIn("transport", d.clients()[0])
        # two devices known (max_devices 2): a third is refused, not swapped in
        st, _, _ = self.register(self.device("secret-3"), ep="third")
        self.assertEqual(st, 503)
        h2 = d.status()["http2"]
        self.assertEqual((h2["devices"], h2["unauthorized"]), (2, 2))
        self.assertGreaterEqual(h2["refused"], 10)
        self.stop_cleanly()

    def test_composite_and_queue_mode(self):
        self.start("[lwm2m]\nawake_time = 1\n")
        dev = self.device()
        dev.open_downlink()
        st, h, _ = dev.request("POST", f"/rd?ep={EP}&lt=300&lwm2m=1.1&b=HQ", body=LINKS,
                               ctype="application/link-format")
        self.assertEqual(st, 201)
        loc = h["location"]
        # Read-Composite: a FETCH of / with the paths in SenML JSON
        p = self.ctl("read-composite", EP, "/3/0/9,/1/0/1")
        req = dev.next_request()
        self.assertEqual((req.method, req.path), ("FETCH", "/"))
        self.assertEqual(req.headers["content-type"], "application/senml+json")
        self.assertEqual(sorted(e["n"] for e in json.loads(req.body)), ["/1/0/1", "/3/0/9"])
        dev.answer([(200, {"lwm2m-token": req.token, "content-type": "application/senml+json"},
                     b'[{"n":"/3/0/9","v":77},{"n":"/1/0/1","v":300}]')])
        r = self.done(p)
        self.assertEqual((r["values"]["/3/0/9"], r["values"]["/1/0/1"]), (77, 300))
        # Write-Composite: an iPATCH of /
        p = self.ctl("write-composite", EP, 'values:={"/1/0/1":120}', "format=senml-json")
        req = dev.next_request()
        self.assertEqual((req.method, req.path), ("iPATCH", "/"))
        self.assertEqual(json.loads(req.body)[0]["n"], "/1/0/1")
        dev.answer([(204, {"lwm2m-token": req.token}, b"")])
        self.assertEqual(self.done(p)["code"], "2.04 Changed")
        # asleep: a read is queued, not carried; the device's Update wakes it up
        wait_for(lambda: self.d.clients()[0].get("queue_state") == "asleep",
                 "the device's awake window to end")
        done = self.watch("op.done")
        q = ctl_json(self.tmp, "read", EP, "/3/0/9")
        self.assertEqual(q["state"], "queued")
        st, _, _ = dev.request("POST", loc)
        self.assertEqual(st, 204)
        req = dev.next_request()
        self.assertEqual((req.method, req.path), ("GET", "/3/0/9"))
        dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"66")])
        ev = done.next()["data"]
        self.assertEqual((ev["id"], ev["state"]), (q["id"], "done"))
        self.assertEqual(ev["result"]["values"]["/3/0/9"], 66)

    def test_large_answer_goes_blockwise(self):
        self.start()
        dev = self.device()
        dev.open_downlink()
        self.assertEqual(self.register(dev)[0], 201)
        text = "".join(chr(ord("a") + i % 26) for i in range(3000))
        p = self.ctl("read", EP, "/3/0/0", "text")
        req = dev.next_request()
        # 3000 bytes: lwm2md gets them in 1024-byte Block2 blocks, the later ones
        # asked for and served without the device
        st, _ = dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"},
                             text.encode())])
        self.assertEqual(st, 204)
        self.assertEqual(self.done(p)["values"]["/3/0/0"], text)
        # and the next read is the device's again
        p = self.ctl("read", EP, "/3/0/0", "text")
        req = dev.next_request()
        dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"short")])
        self.assertEqual(self.done(p)["values"]["/3/0/0"], "short")
        self.assertEqual(self.d.status()["http2"]["answers"], 2)
        # a Send of 40 values, over 1 KiB: up in Block1 blocks, one HTTP answer
        sends = self.watch("send")
        values = [{"n": f"/3303/{i}/5700", "v": 20 + i / 10} for i in range(40)]
        body = json.dumps(values).encode()
        self.assertGreater(len(body), 1024)
        st, h, _ = dev.request("POST", "/dp", ctype="application/senml+json", body=body,
                               headers={"lwm2m-token": "b10c"})
        self.assertEqual((st, h["lwm2m-token"]), (204, "b10c"))
        got = sends.next()["data"]["values"]
        self.assertEqual(len(got), 40)
        self.assertEqual(got["/3303/39/5700"], 23.9)

    def test_reconnected_device_gets_the_retransmission(self):
        self.start()
        dev = self.device()
        dev.open_downlink()
        self.assertEqual(self.register(dev)[0], 201)
        p = self.ctl("read", EP, "/3/0/0", "text")
        lost = dev.next_request()
        dev.close()  # the connection goes with the request unanswered
        dev = self.device()
        dev.open_downlink()
        # libcoap's retransmission of the same CON request reaches the new stream
        req = dev.next_request()
        self.assertEqual((req.method, req.target, req.token), ("GET", "/3/0/0", lost.token))
        dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"again")])
        self.assertEqual(self.done(p)["values"]["/3/0/0"], "again")

    def test_passive_cancel_reaches_the_device(self):
        """lwm2md's RST to a notification (cancel mode=passive) comes down as
        DELETE /lwm2m/observations/TOKEN, not answered; the observation is gone."""
        self.start()
        dev = self.device()
        dev.open_downlink()
        self.assertEqual(self.register(dev)[0], 201)
        p = self.ctl("observe", EP, "/3/0/9", "text")
        req = dev.next_request()
        self.assertEqual(req.headers["lwm2m-observe"], "0")
        dev.answer([(200, {"lwm2m-token": req.token, "lwm2m-observe": "1",
                           "content-type": "text/plain"}, b"87")])
        self.assertEqual(self.done(p)["values"]["/3/0/9"], 87)
        self.done(self.ctl("cancel", EP, "/3/0/9", "mode=passive"))

        def notify(seq):
            return dev.answer([(200, {"lwm2m-token": req.token, "lwm2m-observe": str(seq),
                                      "content-type": "text/plain"}, b"55")])[0]
        self.assertEqual(notify(2), 204)
        reset = dev.next_request()
        self.assertEqual((reset.method, reset.path), ("DELETE",
                                                      f"/lwm2m/observations/{req.token}"))
        self.assertEqual((reset.headers["lwm2m-token"], reset.body), (req.token, b""))
        wait_for(lambda: ctl_json(self.tmp, "observations") == [], "the observation to end")
        # a device that did not listen is reset again on its next notification
        self.assertEqual(notify(3), 204)
        self.assertEqual(dev.next_request().path, f"/lwm2m/observations/{req.token}")
        h2 = self.d.status()["http2"]
        self.assertEqual((h2["notifications"], h2["resets"], h2["dropped"]), (2, 2, 0))
        self.stop_cleanly()

    def read_reaches(self, dev, ep, value):
        """A Read of @ep's stored registration: @dev gets it and answers @value."""
        p = self.ctl("read", ep, "/3/0/0", "text")
        req = dev.next_request()
        self.assertEqual((req.method, req.path), ("GET", "/3/0/0"))
        dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"},
                     value.encode())])
        self.assertEqual(self.done(p)["values"]["/3/0/0"], value)

    def test_restart_keeps_each_device_its_port(self):
        """After a restart each device's vpeer takes its old port again, whichever comes back
        first, so that the stored registrations (no Update since) reach the right device."""
        self.start()
        one, two = self.device(), self.device("secret-2")
        for dev, ep in ((one, EP), (two, "other")):
            dev.open_downlink()
            self.assertEqual(self.register(dev, ep=ep)[0], 201)
        before = {c["endpoint"]: c["address"] for c in self.d.clients()}
        self.assertEqual(len(set(before.values())), 2, before)
        one.close()
        two.close()
        self.assertEqual(self.d.stop(), 0)
        # "other" as stored before http2_devices existed: its registration alone names its port
        with sqlite3.connect(self.d.db) as db:
            self.assertEqual(db.execute("DELETE FROM http2_devices WHERE ep = 'other'").rowcount,
                             1)
        self.d.start()
        self.assertEqual({c["endpoint"]: c["address"] for c in self.d.clients()}, before)
        # the second device first this time; a third one, never registered, in between
        two, one = self.device("secret-2"), self.device()
        two.open_downlink()
        third = self.device("secret-3")
        third.open_downlink()
        one.open_downlink()
        self.assertEqual(self.d.status()["http2"]["devices"], 3)
        self.read_reaches(one, EP, "first")
        self.read_reaches(two, "other", "second")
        # nothing reached the third device, nor was dropped for want of a stream
        self.assertTrue(third.downlink_empty())
        self.assertEqual(self.d.status()["http2"]["dropped"], 0)
        self.assertEqual({c["endpoint"]: c["address"] for c in self.d.clients()}, before)
        self.stop_cleanly()

    def test_tls_alpn_h2_with_psk_credential_token(self):
        ca = lwgtest.make_ca(self.tmp, "ca")
        srv = lwgtest.make_cert(self.tmp, "srv", "localhost", ca, san="IP:::1")
        d = self.start(f"cert_file = {srv}.pem\nkey_file = {srv}.key\n")
        r = tl.ctl(self.tmp, "lwm2md", "cred-add", "ep=h2dev-2", "key=00112233445566778899",
                   "identity=dev2-id")
        self.assertEqual(r.returncode, 0, r.stderr)
        dev = self.device("dev2-id:00112233445566778899", tls_ca=ca + ".pem")
        st, h = dev.open_downlink()
        self.assertEqual(st, 200)
        st, h, _ = self.register(dev, ep="h2dev-2")
        self.assertEqual(st, 201)
        [c] = d.clients()
        self.assertEqual((c["endpoint"], c["transport"]), ("h2dev-2", "http2"))
        p = self.ctl("read", "h2dev-2", "/3/0/0", "text")
        req = dev.next_request()
        dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"tls")])
        self.assertEqual(self.done(p)["values"]["/3/0/0"], "tls")
        # a wrong key of that identity is no token
        bad = self.device("dev2-id:00112233445566778800", tls_ca=ca + ".pem")
        self.assertEqual(bad.request("POST", "/rd/x")[0], 401)
        self.stop_cleanly()

    def test_tls_client_certificate(self):
        ca = lwgtest.make_ca(self.tmp, "ca")
        srv = lwgtest.make_cert(self.tmp, "srv", "localhost", ca, san="IP:::1")
        mine = lwgtest.make_cert(self.tmp, "dev3", "h2dev-3", ca)
        rogue_ca = lwgtest.make_ca(self.tmp, "rogue")
        rogue = lwgtest.make_cert(self.tmp, "rogue-dev", "h2dev-3", rogue_ca)
        d = self.start(f"cert_file = {srv}.pem\nkey_file = {srv}.key\nca_file = {ca}.pem\n")
        # no token: the certificate's CN is the endpoint, bound like a token's
        dev = self.device(None, tls_ca=ca + ".pem", cert=mine)
        dev.open_downlink()
        self.assertEqual(self.register(dev, ep="other")[0], 403)
        st, _, _ = self.register(dev, ep="h2dev-3")
        self.assertEqual(st, 201)
        [c] = d.clients()
        self.assertEqual((c["endpoint"], c["transport"]), ("h2dev-3", "http2"))
        p = self.ctl("read", "h2dev-3", "/3/0/0", "text")
        req = dev.next_request()
        dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"cert")])
        self.assertEqual(self.done(p)["values"]["/3/0/0"], "cert")
        # a certificate of another CA fails the handshake; none at all (and no token) is 401
        with self.assertRaises((lwgtest.socket.error, AssertionError)):
            self.device(None, tls_ca=ca + ".pem", cert=rogue).request("POST", "/rd/x")
        self.assertEqual(self.device(None, tls_ca=ca + ".pem").request("POST", "/rd/x")[0], 401)
        self.stop_cleanly()

    def test_tls_client_certificate_subject_alt_names(self):
        """A certificate's DNS and URI subjectAltNames name endpoints too (as lwm2md's CoAP
        certificate mode takes them): the Register's ep picks one, the downlink says which
        with ?ep=, and a request naming none is the device's that is known."""
        ca = lwgtest.make_ca(self.tmp, "ca")
        srv = lwgtest.make_cert(self.tmp, "srv", "localhost", ca, san="IP:::1")
        mine = lwgtest.make_cert(self.tmp, "dev4", "h2dev-4", ca,
                                 san="DNS:h2dev-5,URI:urn:dev:h2dev-6")
        d = self.start(f"cert_file = {srv}.pem\nkey_file = {srv}.key\nca_file = {ca}.pem\n")
        dev = self.device(None, tls_ca=ca + ".pem", cert=mine)
        self.assertEqual(dev.open_downlink("ep=h2dev-5")[0], 200)
        st, h, _ = self.register(dev, ep="h2dev-5")
        self.assertEqual(st, 201)
        p = self.ctl("read", "h2dev-5", "/3/0/0", "text")
        req = dev.next_request()
        dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"dns")])
        self.assertEqual(self.done(p)["values"]["/3/0/0"], "dns")
        # an Update names no endpoint: the certificate's known one
        self.assertEqual(dev.request("POST", h["location"])[0], 204)
        # the URI name, with a second connection; its answers say which (two are known now)
        urn = "urn:dev:h2dev-6"
        dev = self.device(None, tls_ca=ca + ".pem", cert=mine)
        self.assertEqual(dev.open_downlink(f"ep={urn}")[0], 200)
        self.assertEqual(self.register(dev, ep=urn)[0], 201)
        p = self.ctl("read", urn, "/3/0/0", "text")
        req = dev.next_request()
        dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"uri")],
                   query=f"ep={urn}")
        self.assertEqual(self.done(p)["values"]["/3/0/0"], "uri")
        self.assertEqual(sorted(c["endpoint"] for c in d.clients()), ["h2dev-5", urn])
        # a name the certificate does not carry is still refused
        self.assertEqual(self.register(self.device(None, tls_ca=ca + ".pem", cert=mine),
                                       ep="h2dev-7")[0], 403)
        self.stop_cleanly()


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], tl])
