#!/usr/bin/python3
"""lwm2md as a process, driven like a user: libcoap's coap-client-openssl
and raw UDP (tests/integration/lwm2md/coapmsg.py) on the CoAP side,
lwgatectl on the control side.

Usage: test_lwm2md.py BUILD_DIR SOURCE_DIR
Runs inside a private network namespace (re-executes itself under
`unshare -n` when root), the daemon with a config in a temporary folder.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import lwgtest  # noqa: E402
from lwgtest import wait_for  # noqa: E402,F401

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coapmsg as cm  # noqa: E402

BUILD = SOURCE = None
PORT = 56830
DTLS_PORT = 56840
COAP_CLIENT = shutil.which("coap-client-openssl") or "/usr/bin/coap-client-openssl"
PAYLOAD = "</1/0>,</3/0>,</3303>;ver=1.1,</3303/0>,</3303/1>"


def ctl(sockdir, *args, timeout=15):
    cmd = [os.path.join(BUILD, "cli", "lwgatectl"), "--socket-dir", sockdir]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout)


def ctl_json(sockdir, *args):
    r = ctl(sockdir, "--json", "lwm2md", *args)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def coap_client(*args):
    """coap-client-openssl; returns (exit code, stdout + stderr)."""
    r = subprocess.run([COAP_CLIENT, "-B", "5"] + list(args), capture_output=True, text=True,
                       timeout=20)
    return r.returncode, r.stdout + r.stderr


class Lwm2md:
    def __init__(self, tmp, extra=""):
        self.tmp = tmp
        self.sock = os.path.join(tmp, "lwm2md.sock")
        self.db = os.path.join(tmp, "lwm2md.db")
        self.ini = os.path.join(tmp, "lwm2md.ini")
        self.log = os.path.join(tmp, "lwm2md.log")
        with open(self.ini, "w") as f:
            f.write(f"[daemon]\nsocket = {self.sock}\ndatabase = {self.db}\nuser =\n"
                    f"[lwm2m]\nobjects = {os.path.join(SOURCE, 'conf', 'objects')}\n"
                    f"[coaps]\nport = {DTLS_PORT}\nhandshake_timeout = 1\n"
                    f"[coap]\naddress = ::\nport = {PORT}\n{extra}")
        self.proc = None

    def start(self):
        self.proc = lwgtest.start_daemon([os.path.join(BUILD, "daemons", "lwm2md", "lwm2md"),
                                          "-f", "-c", self.ini], self.log)
        return self

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=10)

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def alive(self):
        return self.proc.poll() is None

    def status(self):
        return ctl_json(self.tmp, "status")

    def clients(self):
        return ctl_json(self.tmp, "clients")

    def logtext(self):
        with open(self.log) as f:
            return f.read()


class Udp:
    """A raw CoAP peer on one UDP socket."""

    def __init__(self):
        self.s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.s.bind(("::1", 0))
        self.s.settimeout(5)

    def send(self, data):
        self.s.sendto(data, ("::1", PORT))

    def recv(self):
        return self.s.recvfrom(2048)[0]

    def ask(self, data):
        self.send(data)
        return self.recv()

    def close(self):
        self.s.close()


class Lwm2mdTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lwm2md-it-")
        self.d = None

    def tearDown(self):
        if self.d and self.d.proc and self.d.alive():
            self.d.kill9()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, extra=""):
        self.d = Lwm2md(self.tmp, extra).start()
        return self.d

    def test_register_update_deregister_with_coap_client(self):
        d = self.start()
        watch = subprocess.Popen([os.path.join(BUILD, "cli", "lwgatectl"), "--json",
                                  "--socket-dir", self.tmp, "lwm2md", "watch", "registration.*"],
                                 stdout=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: d.status()["counters"]["ipc_clients"] >= 2, "watch to subscribe")
            rc, out = coap_client("-m", "post", "-t", "40", "-e", PAYLOAD,
                                  f"coap://[::1]:{PORT}/rd?ep=node-1&lt=300&lwm2m=1.1&b=U")
            self.assertEqual(rc, 0, out)
            ev = json.loads(watch.stdout.readline())
            self.assertEqual(ev["event"], "registration.new")
            self.assertEqual(ev["data"]["endpoint"], "node-1")
            [c] = d.clients()
            self.assertEqual(c["endpoint"], "node-1")
            self.assertEqual(c["transport"], "udp")
            self.assertEqual(c["binding"], "U")
            self.assertEqual(c["lwm2m"], "1.1")
            self.assertEqual(c["objects"], ["/1/0", "/3/0", "/3303 (1.1)", "/3303/0", "/3303/1"])
            self.assertGreater(c["lifetime_left"], 290)
            self.assertRegex(c["address"], r"^\[::1\]:\d+$")
            loc = c["location"]
            self.assertRegex(loc, r"^[0-9a-f]{20}$")

            # the table output has the columns the issue lists
            r = ctl(self.tmp, "lwm2md", "clients")
            self.assertEqual(r.returncode, 0, r.stderr)
            for col in ("ENDPOINT", "ADDRESS", "TRANSPORT", "BINDING", "LIFETIME_LEFT", "OBJECTS"):
                self.assertIn(col, r.stdout)

            rc, out = coap_client("-m", "post", "-t", "40", "-e", "</1/0>,</3/0>,</5/0>",
                                  f"coap://[::1]:{PORT}/rd/{loc}?lt=120&b=UQ")
            self.assertEqual(rc, 0, out)
            ev = json.loads(watch.stdout.readline())
            self.assertEqual(ev["event"], "registration.update")
            s = ctl_json(self.tmp, "show", "ep=node-1")
            self.assertEqual(s["lifetime"], 120)
            self.assertEqual(s["binding"], "UQ")
            self.assertTrue(s["queue"])
            self.assertEqual(s["objects"], ["/1/0", "/3/0", "/5/0"])
            self.assertEqual(s["location"], loc, "an Update keeps the location")

            # an Update with no parameter at all is a valid "I am here"
            rc, out = coap_client("-m", "post", f"coap://[::1]:{PORT}/rd/{loc}")
            self.assertEqual(rc, 0, out)
            self.assertEqual(json.loads(watch.stdout.readline())["event"], "registration.update")

            rc, out = coap_client("-m", "delete", f"coap://[::1]:{PORT}/rd/{loc}")
            self.assertEqual(rc, 0, out)
            ev = json.loads(watch.stdout.readline())
            self.assertEqual(ev["event"], "registration.removed")
            self.assertEqual(ev["data"]["reason"], "deregistered")
            self.assertEqual(d.clients(), [])
            # the location is gone: 4.04 (coap-client prints the code)
            rc, out = coap_client("-m", "post", f"coap://[::1]:{PORT}/rd/{loc}?lt=60")
            self.assertIn("4.04", out)
            st = d.status()
            self.assertEqual(st["counters"]["registrations"], 1)
            self.assertEqual(st["counters"]["updates"], 2)
            self.assertEqual(st["counters"]["deregistrations"], 1)
            self.assertEqual(d.stop(), 0)
        finally:
            watch.terminate()
            watch.wait()
            watch.stdout.close()

    def test_blockwise_register(self):
        """A Register whose object links need several blocks (RFC 7959 Block1)."""
        d = self.start()
        links = ",".join(f"</{o}/0>" for o in range(3300, 3360))
        rc, out = coap_client("-b", "64", "-m", "post", "-t", "40", "-e", links,
                              f"coap://[::1]:{PORT}/rd?ep=big&lt=60")
        self.assertEqual(rc, 0, out)
        [c] = d.clients()
        self.assertEqual(len(c["objects"]), 60)
        self.assertEqual(c["objects"][-1], "/3359/0")
        self.assertEqual(d.stop(), 0)

    def test_malformed_registrations(self):
        d = self.start()
        cases = [
            ("lt=60", PAYLOAD, "4.00", "ep: missing"),
            ("ep=a&lt=zero", PAYLOAD, "4.00", "lt: 'zero' is not a lifetime"),
            ("ep=a&lt=0", PAYLOAD, "4.00", "lt: '0' is not a lifetime"),
            ("ep=a&ep=b", PAYLOAD, "4.00", "ep: given twice"),
            ("ep=a&b=X", PAYLOAD, "4.00", "b: 'X' is not a binding"),
            ("ep=a&lwm2m=1.2", PAYLOAD, "4.12", "lwm2m: version 1.2 is not supported"),
            ("ep=a&lwm2m=x", PAYLOAD, "4.00", "lwm2m: 'x' is not a version"),
            ("ep=a", "", "4.00", "payload: missing"),
            ("ep=a", "</3/0/1>", "4.00", "payload: link 1 </3/0/1> is not an object"),
            ("ep=a", "</3/0", "4.00", "payload: not link format"),
            ("ep=a", "</3/0>;ver=1.1", "4.00", "ver belongs on an object link"),
        ]
        u = Udp()
        try:
            for i, (q, payload, want, text) in enumerate(cases):
                with self.subTest(query=q, payload=payload):
                    resp = cm.decode(u.ask(cm.register(1000 + i, q, payload)))
                    self.assertEqual(resp["type"], cm.ACK)
                    self.assertEqual(resp["mid"], 1000 + i)
                    self.assertEqual(cm.code_str(resp["code"]), want)
                    self.assertIn(text, resp["payload"].decode())
                    self.assertEqual(cm.options(resp, cm.CONTENT_FORMAT), [b""])  # text/plain
            # a payload that says it is not link format: 4.15
            bad = cm.encode(cm.CON, 2, 1100, b"\x09",
                            [(cm.URI_PATH, b"rd"), (cm.CONTENT_FORMAT, cm.uint_opt(11542)),
                             (cm.URI_QUERY, b"ep=a")], b"\x00")
            self.assertEqual(cm.code_str(cm.decode(u.ask(bad))["code"]), "4.15")
            # still serving, nothing registered, every rejection counted
            self.assertTrue(d.alive())
            self.assertEqual(d.clients(), [])
            st = d.status()
            self.assertEqual(st["counters"]["rejected"], len(cases) + 1)
            self.assertEqual(st["counters"]["rejected_version"], 1)
            resp = cm.decode(u.ask(cm.register(1200, "ep=fine", PAYLOAD)))
            self.assertEqual(cm.code_str(resp["code"]), "2.01")
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)

    def test_duplicate_register_answered_identically(self):
        d = self.start()
        u = Udp()
        try:
            msg = cm.register(0x4242, "ep=dup&lt=300", PAYLOAD, token=b"\xaa\xbb\xcc")
            first = u.ask(msg)
            second = u.ask(msg)
            self.assertEqual(first, second, "the retransmission gets the same bytes")
            r = cm.decode(first)
            self.assertEqual(cm.code_str(r["code"]), "2.01")
            self.assertEqual(r["mid"], 0x4242)
            self.assertEqual(r["token"], b"\xaa\xbb\xcc")
            self.assertEqual(cm.options(r, cm.LOCATION_PATH)[0], b"rd")
            self.assertEqual(len(d.clients()), 1)
            st = d.status()["counters"]
            self.assertEqual(st["registrations"], 1, "processed once")
            self.assertEqual(st["duplicates"], 1)
            loc = cm.options(r, cm.LOCATION_PATH)[1].decode()
            self.assertEqual(d.clients()[0]["location"], loc)

            # the same for an Update and a De-register
            upd = cm.encode(cm.CON, 2, 0x4243, b"\x01",
                            [(cm.URI_PATH, b"rd"), (cm.URI_PATH, loc.encode()),
                             (cm.URI_QUERY, b"lt=77")])
            self.assertEqual(u.ask(upd), u.ask(upd))
            self.assertEqual(d.status()["counters"]["updates"], 1)
            dereg = cm.encode(cm.CON, 4, 0x4244, b"\x02",
                              [(cm.URI_PATH, b"rd"), (cm.URI_PATH, loc.encode())])
            a, b = u.ask(dereg), u.ask(dereg)
            self.assertEqual(a, b)
            self.assertEqual(cm.code_str(cm.decode(a)["code"]), "2.02")
            st = d.status()["counters"]
            self.assertEqual(st["deregistrations"], 1)
            self.assertEqual(st["duplicates"], 3)
            # a new MID from the same peer is a new request
            again = cm.decode(u.ask(cm.register(0x4245, "ep=dup", PAYLOAD)))
            self.assertEqual(cm.code_str(again["code"]), "2.01")
            self.assertNotEqual(cm.options(again, cm.LOCATION_PATH)[1].decode(), loc)
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)

    def test_second_registration_replaces_first(self):
        d = self.start()
        u = Udp()
        try:
            r1 = cm.decode(u.ask(cm.register(1, "ep=same", "</1/0>")))
            r2 = cm.decode(u.ask(cm.register(2, "ep=same&lt=60", "</1/0>,</3/0>")))
            loc1 = cm.options(r1, cm.LOCATION_PATH)[1]
            loc2 = cm.options(r2, cm.LOCATION_PATH)[1]
            self.assertNotEqual(loc1, loc2)
            [c] = d.clients()
            self.assertEqual(c["location"], loc2.decode())
            self.assertEqual(c["objects"], ["/1/0", "/3/0"])
            self.assertEqual(d.status()["counters"]["replaced"], 1)
            # the first location no longer answers
            old = cm.encode(cm.CON, 2, 3, b"", [(cm.URI_PATH, b"rd"), (cm.URI_PATH, loc1)])
            wait_for(lambda: cm.code_str(cm.decode(u.ask(old))["code"]) == "4.04",
                     "the old location to go")
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)

    def test_persistence_across_kill9_with_100_clients(self):
        d = self.start()
        u = Udp()
        locs = {}
        try:
            for i in range(100):
                r = cm.decode(u.ask(cm.register(i, f"ep=dev{i:03d}&lt=600&b=U", PAYLOAD)))
                self.assertEqual(cm.code_str(r["code"]), "2.01")
                locs[f"dev{i:03d}"] = cm.options(r, cm.LOCATION_PATH)[1]
            d.kill9()
            d.start()
            clients = d.clients()
            self.assertEqual(len(clients), 100)
            self.assertEqual({c["endpoint"]: c["location"].encode() for c in clients}, locs)
            self.assertEqual(clients[5]["objects"], ["/1/0", "/3/0", "/3303 (1.1)", "/3303/0",
                                                     "/3303/1"])
            # their Updates succeed without a new Register
            for i, (ep, loc) in enumerate(sorted(locs.items())):
                upd = cm.encode(cm.CON, 2, 500 + i, b"\x07",
                                [(cm.URI_PATH, b"rd"), (cm.URI_PATH, loc), (cm.URI_QUERY, b"lt=900")])
                self.assertEqual(cm.code_str(cm.decode(u.ask(upd))["code"]), "2.04", ep)
            self.assertEqual(ctl_json(self.tmp, "show", "ep=dev042")["lifetime"], 900)
            self.assertEqual(d.status()["counters"]["updates"], 100)
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)

    def test_lifetime_expiry(self):
        d = self.start()
        u = Udp()
        try:
            cm.decode(u.ask(cm.register(1, "ep=short&lt=1", "</1/0>")))
            cm.decode(u.ask(cm.register(2, "ep=long&lt=600", "</1/0>")))
            wait_for(lambda: [c["endpoint"] for c in d.clients()] == ["long"], "expiry", 5)
            self.assertEqual(d.status()["counters"]["expired"], 1)
            self.assertIn("lifetime over ep=short", d.logtext())
            # an expiry that happened while the daemon was down is applied at start
            cm.decode(u.ask(cm.register(3, "ep=gone&lt=1", "</1/0>")))
            self.assertEqual(d.stop(), 0)
            time.sleep(1.2)
            d.start()
            wait_for(lambda: [c["endpoint"] for c in d.clients()] == ["long"], "late expiry", 5)
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)

    def test_remove_and_unknown_client(self):
        d = self.start()
        u = Udp()
        try:
            r = cm.decode(u.ask(cm.register(1, "ep=victim", "</1/0>")))
            loc = cm.options(r, cm.LOCATION_PATH)[1]
            out = ctl_json(self.tmp, "remove", "ep=victim")
            self.assertEqual(out["endpoint"], "victim")
            self.assertEqual(d.clients(), [])
            upd = cm.encode(cm.CON, 2, 2, b"", [(cm.URI_PATH, b"rd"), (cm.URI_PATH, loc)])
            wait_for(lambda: cm.code_str(cm.decode(u.ask(upd))["code"]) == "4.04", "4.04")
            for cmd in ("show", "remove"):
                r = ctl(self.tmp, "lwm2md", cmd, "ep=nobody")
                self.assertEqual(r.returncode, 1)
                self.assertIn("no registered client 'nobody'", r.stderr)
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)

    def test_read_from_a_client(self):
        d = self.start("ack_timeout_ms = 1000\nmax_retransmit = 1\n")
        u = Udp()
        try:
            cm.decode(u.ask(cm.register(1, "ep=reader", "</3/0>")))

            def client_answers(answer):
                req = cm.decode(u.recv())
                answer(req)

            def manufacturer(req):
                self.assertEqual(req["code"], 1)  # GET
                self.assertEqual(cm.options(req, cm.URI_PATH), [b"3", b"0", b"0"])
                u.send(cm.encode(cm.ACK, cm.code("2.05"), req["mid"], req["token"],
                                 [(cm.CONTENT_FORMAT, cm.uint_opt(0))], b"Acme"))

            t = threading.Thread(target=client_answers, args=(manufacturer,))
            t.start()
            out = ctl_json(self.tmp, "read", "ep=reader", "path=/3/0/0")
            t.join()
            self.assertEqual(out["values"]["/3/0/0"], "Acme")
            self.assertEqual(out["format"], "text")

            def not_found(req):
                self.assertEqual(cm.options(req, cm.ACCEPT), [cm.uint_opt(11542)])
                u.send(cm.encode(cm.ACK, cm.code("4.04"), req["mid"], req["token"]))

            t = threading.Thread(target=client_answers, args=(not_found,))
            t.start()
            r = ctl(self.tmp, "lwm2md", "read", "ep=reader", "path=/9/0", "format=tlv")
            t.join()
            self.assertEqual(r.returncode, 1)
            self.assertIn("reader: 4.04 Not Found", r.stderr)

            # nobody answers: a timeout error, after 3-4.5 s (ACK_TIMEOUT, one retransmission)
            t0 = time.monotonic()
            r = ctl(self.tmp, "--timeout", "20000", "lwm2md", "read", "ep=reader", "path=/3/0/1")
            self.assertEqual(r.returncode, 1)
            self.assertIn("no answer from the client (timeout)", r.stderr)
            self.assertLess(time.monotonic() - t0, 10)
            self.assertEqual(d.status()["counters"]["dm_failed"], 2)

            # after a restart lwm2md has no CoAP session with the client: it opens
            # one, from its own port, as the client registered to
            self.assertEqual(d.stop(), 0)
            d.start()
            seen = {}
            u.s.settimeout(0.2)
            try:  # the unanswered GETs of the timeout case
                while True:
                    u.recv()
            except socket.timeout:
                pass
            u.s.settimeout(5)

            def answer_and_note():
                data, frm = u.s.recvfrom(2048)
                seen["from"] = frm[1]
                manufacturer(cm.decode(data))

            t = threading.Thread(target=answer_and_note)
            t.start()
            out = ctl_json(self.tmp, "read", "ep=reader", "path=/3/0/0")
            t.join()
            self.assertEqual(out["values"]["/3/0/0"], "Acme")
            self.assertEqual(seen["from"], PORT)
            self.assertEqual(d.status()["counters"]["sessions_opened"], 1)
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)

    def test_device_management(self):
        d = self.start()
        u = Udp()
        try:
            cm.decode(u.ask(cm.register(1, "ep=dm", "</3/0>,</3303>")))

            def exchange(args, code, reply_opts=(), reply_payload=b"", expect=None):
                """Run `lwgatectl lwm2md ARGS` while answering its request; -> (result, request)"""
                got = {}

                def client():
                    req = cm.decode(u.recv())
                    got["req"] = req
                    u.send(cm.encode(cm.ACK, cm.code(code), req["mid"], req["token"],
                                     list(reply_opts), reply_payload))

                t = threading.Thread(target=client)
                t.start()
                r = ctl(self.tmp, "--json", "lwm2md", *args)
                t.join()
                return r, got["req"]

            r, req = exchange(["discover", "ep=dm", "path=/3/0"], "2.05",
                              [(cm.CONTENT_FORMAT, cm.uint_opt(40))],
                              b"</3/0>,</3/0/0>,</3/0/9>;pmax=60")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(req["code"], 1)
            self.assertEqual(cm.options(req, cm.ACCEPT), [cm.uint_opt(40)])
            links = json.loads(r.stdout)["links"]
            self.assertEqual(links[2]["link"], "/3/0/9")
            self.assertEqual(links[2]["pmax"], 60)

            r, req = exchange(["write", "ep=dm", "path=/3/0/14", "value=+02"], "2.04")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(req["code"], 3)  # PUT
            self.assertEqual(cm.options(req, cm.URI_PATH), [b"3", b"0", b"14"])
            self.assertEqual(cm.options(req, cm.CONTENT_FORMAT), [b""])  # text/plain
            self.assertEqual(req["payload"], b"+02")
            self.assertEqual(json.loads(r.stdout)["code"], "2.04 Changed")

            r, req = exchange(["write", "ep=dm", "path=/3/0", "mode=update",
                               'values:={"/3/0/14": "+02", "/3/0/15": "Europe/Paris"}'], "2.04")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(req["code"], 2)  # POST: partial update
            self.assertEqual(cm.options(req, cm.CONTENT_FORMAT), [cm.uint_opt(11542)])
            # TLV resources 14 and 15 (OMA TS Core §7.4.3: type, id, length, value)
            self.assertIn(b"\xc3\x0e+02", req["payload"])
            self.assertIn(b"\xc8\x0f\x0cEurope/Paris", req["payload"])

            r, req = exchange(["exec", "ep=dm", "path=/3/0/4"], "2.04")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual((req["code"], req["payload"]), (2, b""))

            r, req = exchange(["write-attr", "ep=dm", "path=/3/0/9", "pmin=10", "pmax=60"],
                              "2.04")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(req["code"], 3)
            self.assertEqual(cm.options(req, cm.URI_QUERY), [b"pmin=10", b"pmax=60"])
            self.assertEqual(req["payload"], b"")

            r, req = exchange(["create", "ep=dm", "path=/3303",
                               'values:={"/3303/1/5700": 21.5}'], "2.01",
                              [(cm.LOCATION_PATH, b"3303"), (cm.LOCATION_PATH, b"1")])
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(req["code"], 2)
            self.assertEqual(cm.options(req, cm.URI_PATH), [b"3303"])
            self.assertEqual(json.loads(r.stdout)["location"], "/3303/1")

            r, req = exchange(["delete", "ep=dm", "path=/3303/1"], "2.02")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(req["code"], 4)

            r, req = exchange(["delete", "ep=dm", "path=/3303/7"], "4.04")
            self.assertEqual(r.returncode, 1)
            self.assertIn("4.04 Not Found", r.stdout)

            # refused before anything is sent
            for args, text in ((["exec", "ep=dm", "path=/3/0"], "Execute applies to a resource"),
                               (["write", "ep=dm", "path=/3/0/14"], "give either value"),
                               (["read", "ep=dm", "path=3/0"], "not an LwM2M path"),
                               (["read", "ep=dm", "path=/3/0", "format=xml"], "format: 'xml'"),
                               (["write-attr", "ep=dm", "path=/3/0/9", "pmin=soon"],
                                "pmin: 'soon' is not a valid value")):
                r = ctl(self.tmp, "lwm2md", *args)
                self.assertEqual(r.returncode, 1, args)
                self.assertIn(text, r.stderr)
            self.assertEqual(d.status()["counters"]["dm_requests"], 8)
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)

    def test_dtls_psk(self):
        d = self.start()
        key = b"secretkey123".hex()
        r = ctl(self.tmp, "lwm2md", "cred-add", "ep=sec-1", "identity=id-1", f"key={key}")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = ctl(self.tmp, "lwm2md", "cred-add", "ep=sec-2", f"key={key}")  # identity = ep
        self.assertEqual(r.returncode, 0, r.stderr)
        r = ctl(self.tmp, "lwm2md", "cred-add", "ep=sec-1", "identity=other", f"key={key}")
        self.assertEqual(r.returncode, 1)
        self.assertIn("already has a key", r.stderr)
        r = ctl(self.tmp, "lwm2md", "cred-add", "ep=x", "key=abc")
        self.assertEqual(r.returncode, 1)
        creds = ctl_json(self.tmp, "cred-list")
        self.assertEqual(sorted(c["identity"] for c in creds), ["id-1", "sec-2"])
        self.assertNotIn(key, json.dumps(creds), "keys are never shown")

        url = f"coaps://[::1]:{DTLS_PORT}/rd?ep="
        rc, out = coap_client("-u", "id-1", "-k", "secretkey123", "-m", "post", "-t", "40",
                              "-e", PAYLOAD, url + "sec-1")
        self.assertEqual(rc, 0, out)
        [c] = d.clients()
        self.assertEqual((c["endpoint"], c["transport"]), ("sec-1", "dtls"))

        # a wrong key: the handshake fails, is logged with the peer and counted
        rc, out = coap_client("-u", "id-1", "-k", "wrongkey", "-m", "post", "-t", "40", "-e",
                              PAYLOAD, url + "sec-1")
        wait_for(lambda: d.status()["counters"]["dtls_failures"] == 1, "the failure counted")
        self.assertRegex(d.logtext(), r"DTLS handshake with \[::1\]:\d+ did not complete")
        # an unknown identity
        coap_client("-u", "stranger", "-k", "secretkey123", "-m", "post", "-t", "40", "-e",
                    PAYLOAD, url + "sec-1")
        self.assertIn("unknown PSK identity 'stranger' from [::1]:", d.logtext())
        self.assertEqual(d.status()["counters"]["dtls_unknown_identity"], 1)
        # the right key for another endpoint's name: 4.03
        rc, out = coap_client("-u", "sec-2", "-k", "secretkey123", "-m", "post", "-t", "40",
                              "-e", PAYLOAD, url + "sec-1")
        self.assertIn("4.03", out)
        self.assertIn("may not act for 'sec-1'", out)
        # an endpoint with a key may not use plain CoAP
        u = Udp()
        try:
            r = cm.decode(u.ask(cm.register(1, "ep=sec-2", PAYLOAD)))
            self.assertEqual(cm.code_str(r["code"]), "4.03")
            self.assertIn(b"use coaps", r["payload"])
        finally:
            u.close()
        self.assertEqual([c["endpoint"] for c in d.clients()], ["sec-1"])
        self.assertEqual(d.status()["counters"]["forbidden"], 2)

        # keys survive a restart; a deleted one no longer opens a session
        self.assertEqual(d.stop(), 0)
        d.start()
        self.assertEqual(len(ctl_json(self.tmp, "cred-list")), 2)
        self.assertEqual(d.clients()[0]["transport"], "dtls")
        self.assertEqual(ctl(self.tmp, "lwm2md", "cred-del", "identity=id-1").returncode, 0)
        coap_client("-u", "id-1", "-k", "secretkey123", "-m", "post", "-t", "40", "-e", PAYLOAD,
                    url + "sec-1")
        self.assertEqual(d.status()["counters"]["dtls_unknown_identity"], 1)
        self.assertEqual(ctl(self.tmp, "lwm2md", "cred-del", "ep=nobody").returncode, 1)
        self.assertEqual(d.stop(), 0)

    def test_read_retried_without_accept_for_a_10_client(self):
        """lwm2m-node-lib's behaviour: a 1.0 client ignores a Read whose Accept it lacks."""
        d = self.start("ack_timeout_ms = 1000\nmax_retransmit = 1\n")
        u = Udp()
        try:
            cm.decode(u.ask(cm.register(1, "ep=old&lwm2m=1.0", "</3/0>")))
            seen = []

            def client(until):
                while len(seen) < until:
                    req = cm.decode(u.recv())
                    seen.append(req)
                    if cm.options(req, cm.ACCEPT):
                        continue  # ignored, as the 1.0 client does
                    u.send(cm.encode(cm.ACK, cm.code("2.05"), req["mid"], req["token"],
                                     [(cm.CONTENT_FORMAT, cm.uint_opt(0))], b"Acme"))

            # the first Read: with Accept (sent twice: one retransmission), then without
            t = threading.Thread(target=client, args=(3,))
            t.start()
            r = ctl(self.tmp, "--json", "--timeout", "20000", "lwm2md", "read", "ep=old",
                    "path=/3/0/0", "format=tlv")
            t.join()
            self.assertEqual(r.returncode, 0, r.stderr)
            out = json.loads(r.stdout)
            self.assertEqual(out["values"]["/3/0/0"], "Acme")
            self.assertIn("ignored the Accept option", out["note"])
            self.assertEqual([bool(cm.options(q, cm.ACCEPT)) for q in seen], [True, True, False])
            self.assertIn("ep=old ignored a Read with Accept 11542", d.logtext())
            # remembered: the next Read goes without Accept at once
            t = threading.Thread(target=client, args=(4,))
            t.start()
            out = ctl_json(self.tmp, "read", "ep=old", "path=/3/0/0", "format=tlv")
            t.join()
            self.assertEqual(cm.options(seen[3], cm.ACCEPT), [])
            self.assertNotIn("note", out)
            self.assertEqual(d.status()["counters"]["dm_accept_retries"], 1)
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)

    def test_app_id_and_external_id(self):
        """OSR-001 / LPW-001: other names of an endpoint, shown and usable in commands."""
        d = self.start()
        u = Udp()
        try:
            cm.decode(u.ask(cm.register(1, "ep=meter-1", "</3/0>")))
            cm.decode(u.ask(cm.register(2, "ep=meter-2", "</3/0>")))
            out = ctl_json(self.tmp, "set-ids", "ep=meter-1", "app_id=metering",
                           "external_id=ext-0001@nidd.example")
            self.assertEqual(out["external_id"], "ext-0001@nidd.example")
            r = ctl(self.tmp, "lwm2md", "cred-add", "ep=meter-2", "key=00112233",
                    "app_id=metering", "external_id=ext-0002@nidd.example")
            self.assertEqual(r.returncode, 0, r.stderr)
            by_ep = {c["endpoint"]: c for c in d.clients()}
            self.assertEqual(by_ep["meter-1"]["app_id"], "metering")
            self.assertEqual(by_ep["meter-2"]["external_id"], "ext-0002@nidd.example")
            s = ctl_json(self.tmp, "show", "external_id=ext-0001@nidd.example")
            self.assertEqual(s["endpoint"], "meter-1")
            r = ctl(self.tmp, "lwm2md", "show", "app_id=metering")
            self.assertEqual(r.returncode, 1)
            self.assertIn("several clients have app_id 'metering'", r.stderr)
            r = ctl(self.tmp, "lwm2md", "set-ids", "ep=meter-2",
                    "external_id=ext-0001@nidd.example")
            self.assertEqual(r.returncode, 1)
            self.assertIn("another endpoint has external_id", r.stderr)
            r = ctl(self.tmp, "lwm2md", "show", "ep=meter-1", "app_id=metering")
            self.assertIn("one of ep=, external_id=, app_id=", r.stderr)

            # a Read addressed by external identifier
            def client():
                req = cm.decode(u.recv())
                u.send(cm.encode(cm.ACK, cm.code("2.05"), req["mid"], req["token"],
                                 [(cm.CONTENT_FORMAT, cm.uint_opt(0))], b"Acme"))

            t = threading.Thread(target=client)
            t.start()
            out = ctl_json(self.tmp, "read", "external_id=ext-0001@nidd.example", "path=/3/0/0")
            t.join()
            self.assertEqual(out["endpoint"], "meter-1")
            # the names are stored, and outlive the registration
            self.assertEqual(d.stop(), 0)
            d.start()
            ctl_json(self.tmp, "remove", "ep=meter-2")
            self.assertEqual(ctl_json(self.tmp, "show", "app_id=metering")["endpoint"], "meter-1")
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)

    def test_plain_coap_disabled(self):
        d = self.start("enabled = no\n[coaps]\nenabled = no\n")
        self.assertFalse(d.status()["coap"]["enabled"])
        self.assertFalse(d.status()["coaps"]["enabled"])
        u = Udp()
        u.s.settimeout(0.5)
        try:
            with self.assertRaises((socket.timeout, ConnectionRefusedError)):
                u.ask(cm.register(1, "ep=x", "</1/0>"))
        finally:
            u.close()
        self.assertEqual(d.stop(), 0)


def main():
    """Run the tests of the __main__ script (this one, or one borrowing this harness)."""
    lwgtest.run([sys.modules[__name__]])


if __name__ == "__main__":
    main()
