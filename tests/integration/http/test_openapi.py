#!/usr/bin/python3
"""The HTTP API against its OpenAPI documents (doc/openapi/*.yaml): real
lwm2md and rdd daemons, driven by curl (HTTP/1.1 and HTTP/2) with the
libcoap-based LwM2M test client and libcoap's coap-client as devices,
answer every documented route, and every answer -- status, media type,
JSON body, event stream -- must be one the document describes
(openapi_check.py).  At the end each document's every operation must have
been answered.  The new routes are checked for what they do, too: the
composite routes reach the device as Read-/Write-/Observe-Composite, the
queued-operation routes show an operation queued for a sleeping client,
and a topic's last value is answered (whole for one topic, short texts in the
list) and its server-sent event stream begins with it, then each publication;
a method a sub-resource route has not is a 405 with that route's Allow.
test_lowpand_http covers lowpand's document (it needs root and a mesh).

Usage: test_openapi.py BUILD_DIR SOURCE_DIR
"""
import base64
import copy
import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lwm2md"))
sys.path.insert(0, os.path.join(HERE, "..", "rdd"))
sys.path.insert(0, os.path.join(HERE, ".."))
import lwgtest  # noqa: E402
import openapi_check  # noqa: E402
import test_lwm2md as tl  # noqa: E402
import test_lwm2md_observe as to  # noqa: E402
import test_lwm2md_transports as tt  # noqa: E402
import test_pubsub as tp  # noqa: E402
import test_rdd as tr  # noqa: E402
from lwgtest import wait_for  # noqa: E402

RO, RW = "ro-openapi", "rw-openapi"
EP, SLEEPY = to.EP, "sleepy-1"


def curl(spec, port, method, target, token=RW, body=None, ctype="application/json",
         accept=None, h2=False, headers=None):
    """One request; its answer checked against @spec.  (status, content type, text);
    the answer's header fields go into the dict @headers (lower-case names) if given."""
    args = ["curl", "-sS", "--max-time", "30", "-X", method,
            "-D", "/dev/stderr" if headers is not None else "/dev/null",
            "-w", "\n%{http_code} %{content_type}",
            "--http2-prior-knowledge" if h2 else "--http1.1"]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    if accept:
        args += ["-H", f"Accept: {accept}"]
    if body is not None:
        args += ["-H", f"Content-Type: {ctype}", "--data-binary", body]
    out = subprocess.run(args + [f"http://127.0.0.1:{port}{target}"], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    text, _, tail = out.stdout.rpartition("\n")
    code, _, got_type = tail.partition(" ")
    spec.check(method, target, int(code), got_type, text)
    if headers is not None:
        for line in out.stderr.splitlines()[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
    return int(code), got_type, text


class Stream:
    """An event stream read by curl -N, its status line and headers parsed."""

    def __init__(self, spec, port, target, token=RO, h2=False):
        self.spec, self.target = spec, target
        self.proc = subprocess.Popen(
            ["curl", "-sSNi", "--http2-prior-knowledge" if h2 else "--http1.1"]
            + (["-H", f"Authorization: Bearer {token}"] if token else [])
            + [f"http://127.0.0.1:{port}{target}"],
            stdout=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.status = int(self.line().split()[1])
        self.ctype = ""
        while True:
            h = self.line().rstrip("\r\n")
            if not h:
                break
            name, _, value = h.partition(":")
            if name.lower() == "content-type":
                self.ctype = value.strip()
        self.text = ""

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def line(self, seconds=15):
        line = self.lines.get(timeout=seconds)
        assert line is not None, f"{self.target}: the stream ended"
        return line

    def rest(self):
        """The body of an answer that is no stream (a refusal)."""
        text = ""
        while (line := self.lines.get(timeout=30)) is not None:  # None: curl's stdout ended
            text += line
        return text

    def opened(self):
        for _ in range(2):
            self.text += self.line()
        self.spec.check("GET", self.target, self.status, self.ctype, self.text)
        return self.text == ": subscribed\n\n"

    def event(self, name):
        """The data of the next event called @name (others are skipped)."""
        while True:
            block = ""
            while not block.endswith("\n\n"):
                block += self.line()
            self.text += block
            self.spec.check("GET", self.target, self.status, self.ctype, self.text)
            lines = block.split("\n")
            if lines[0] == f"event: {name}":
                return json.loads(lines[1][len("data: "):])

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()


class Lwm2mApiTests(to.Harness):
    def setUp(self):
        super().setUp()
        self.spec = openapi_check.spec("lwm2md")
        self.port = lwgtest.free_port(socket.SOCK_STREAM)
        self.start(f"[lwm2m]\nawake_time = 1\n[http]\nenabled = yes\nport = {self.port}\n"
                   f"tokens_ro = {RO}\ntokens_rw = {RW}\n")
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            s.close()
        # a clean stop: under ASan a leak or an error shows as the exit status
        rc = self.d.stop() if self.d and self.d.alive() else 0
        super().tearDown()
        self.assertEqual(rc, 0, "lwm2md's exit status")

    def api(self, method, target, **kw):
        return curl(self.spec, self.port, method, target, **kw)

    def json(self, method, target, status=200, **kw):
        code, _, text = self.api(method, target, **kw)
        self.assertEqual(code, status, text)
        return json.loads(text)

    def stream(self, target, **kw):
        s = Stream(self.spec, self.port, target, **kw)
        self.streams.append(s)
        return s

    def test_composite_routes_reach_the_device(self):
        c = self.client()
        got = self.json("GET", f"/api/clients/{EP}/composite?paths=/3/0/9,/1/0/1", token=RO)
        c.expect("read-composite paths=2")
        self.assertEqual(got["code"], "2.05 Content")
        self.assertEqual(got["values"]["/3/0/9"], 87)
        self.assertIn("/1/0/1", got["values"])
        got = self.json("PUT", f"/api/clients/{EP}/composite?format=senml-cbor", h2=True,
                        body='{"values": {"/3/0/14": "+03", "/1/0/1": 90}}')
        self.assertIn("changed=2", c.expect("write-composite"))
        self.assertEqual(got["code"], "2.04 Changed")
        self.assertEqual(self.json("GET", f"/api/clients/{EP}/3/0/14?format=text")["values"]
                         ["/3/0/14"], "+03")
        ev = self.stream(f"/api/event?ep={EP}")
        self.assertTrue(ev.opened())
        got = self.json("POST", f"/api/clients/{EP}/composite/observe?paths=/3/0/9,/3/0/14")
        c.expect("read-composite")
        obs = self.json("GET", f"/api/clients/{EP}/observations", token=RO)
        self.assertEqual([o["path"] for o in obs], ["/3/0/9,/3/0/14"])
        c.say("set /3/0/9 55")
        while ev.event("observe.notify")["values"].get("/3/0/9") != 55:
            pass
        self.json("DELETE", f"/api/clients/{EP}/composite/observe?paths=/3/0/9,/3/0/14&mode=active")
        c.expect("read-composite")  # active: a FETCH with Observe 1 ends it on the device too
        self.assertEqual(self.json("GET", f"/api/clients/{EP}/observations", token=RO), [])
        # refusals, each as the document says
        self.assertEqual(self.api("GET", f"/api/clients/{EP}/composite", token=RO)[0], 400)
        self.assertEqual(self.api("PUT", f"/api/clients/{EP}/composite", body='{"/3/0/14": 1}')[0],
                         400)
        self.assertEqual(self.api("POST", f"/api/clients/{EP}/composite/observe?paths=/3/0/9",
                                  token=RO)[0], 403)
        self.assertEqual(self.api("GET", "/api/clients/nobody/composite?paths=/3/0/9",
                                  token=RO)[0], 404)

    def test_queued_operations(self):
        c = tt.Client(f"coap://[::1]:{tl.PORT}", "--ep", SLEEPY, "--binding", "UQ")
        self.clients.append(c)
        c.expect("registered")
        wait_for(lambda: self.json("GET", f"/api/clients/{SLEEPY}",
                                   token=RO).get("queue_state") == "asleep",
                 "the client's awake window to end")
        op = self.json("PUT", f"/api/clients/{SLEEPY}/3/0/14", body='{"value": "+05"}')
        self.assertEqual((op["state"], op["operation"]), ("queued", "write"))
        ops = self.json("GET", f"/api/clients/{SLEEPY}/ops", token=RO)
        self.assertEqual([(o["id"], o["state"]) for o in ops], [(op["id"], "queued")])
        self.assertEqual(self.json("GET", f"/api/ops/{op['id']}", token=RO)["state"], "queued")
        ev = self.stream(f"/api/event?ep={SLEEPY}")
        self.assertTrue(ev.opened())
        c.say("update")
        c.expect("write path=/3/0/14")
        done = ev.event("op.done")
        self.assertEqual((done["id"], done["state"]), (op["id"], "done"))
        got = self.json("GET", f"/api/ops/{op['id']}", token=RO)
        self.assertEqual((got["state"], got["result"]["code"]), ("done", "2.04 Changed"))
        self.assertEqual(self.api("GET", "/api/ops/99999", token=RO)[0], 404)
        self.assertEqual(self.api("GET", "/api/ops/x", token=RO)[0], 400)

    def test_every_route_answers_as_documented(self):
        c = self.client()
        for target in ("/api/status", "/api/clients", "/api/credentials",
                       f"/api/clients/{EP}", f"/api/clients/{EP}/observations",
                       f"/api/clients/{EP}/ops", f"/api/clients/{EP}/values?path=/3/0"):
            for h2 in (False, True):
                self.assertEqual(self.api("GET", target, token=RO, h2=h2)[0], 200, target)
        # every depth of every device operation; what the test client does not
        # implement it refuses with a CoAP error, answered 502 as documented
        paths = ("3", "3/0", "3/0/14", "3/0/7/0")
        for p in paths:
            target = f"/api/clients/{EP}/{p}"
            self.api("GET", target, token=RO)
            self.api("PUT", target, body='{"value": "+01"}' if p.count("/") > 1
                     else '{"values": {"/3/0/14": "+01"}}')
            self.api("PUT", f"{target}/attributes?pmin=1&pmax=60")
            self.api("POST", f"{target}/observe")
            self.api("DELETE", f"{target}/observe")
            if p.count("/") < 3:
                self.api("GET", f"{target}/discover", token=RO)
            if p.count("/") < 2:
                self.api("POST", target, body='{"values": {"/3/0/14": "+01"}}')
        code, _, text = self.api("POST", f"/api/clients/{EP}/3/0/4", body="0='x'",
                                 ctype="text/plain")
        self.assertEqual(code, 200, text)
        c.expect("exec path=/3/0/4")
        for p in paths:
            self.api("DELETE", f"/api/clients/{EP}/{p}")
        # a method a sub-resource route has not, on a deeper path: the sub-resource owns
        # the path (405 with its Allow), GET {path*} does not read "3/0/9/attributes"
        for method, sub, allow in (("GET", "3/0/9/attributes", "PUT"),
                                   ("PUT", "3/0/observe", "POST, DELETE"),
                                   ("GET", "3/observe", "POST, DELETE"),
                                   ("POST", "3/0/discover", "GET"),
                                   ("DELETE", "composite", "GET, PUT"),
                                   ("GET", "composite/observe", "POST, DELETE")):
            with self.subTest(method=method, sub=sub):
                headers = {}
                code, _, text = self.api(method, f"/api/clients/{EP}/{sub}", body=None,
                                         headers=headers)
                self.assertEqual((code, headers.get("allow")), (405, allow), text)
        # credentials
        self.json("PUT", "/api/credentials/psk-ep", body='{"key": "00112233", "identity": "id-1"}')
        self.assertIn("id-1", [r["identity"] for r in self.json("GET", "/api/credentials",
                                                               token=RO)])
        self.json("DELETE", "/api/credentials/psk-ep")
        self.assertEqual(self.api("DELETE", "/api/credentials/psk-ep")[0], 404)
        self.assertEqual(self.api("PUT", "/api/credentials/psk-ep", body="{}",
                                  ctype="text/plain")[0], 415)
        # refusals the HTTP layer makes
        self.assertEqual(self.api("GET", "/api/clients", token=None)[0], 401)
        self.assertEqual(self.api("DELETE", f"/api/clients/{EP}", token=RO)[0], 403)
        self.assertEqual(self.api("GET", "/api/nothing", token=RO)[0], 404)
        self.assertEqual(self.api("PATCH", "/api/status")[0], 405)
        self.assertEqual(self.api("OPTIONS", "/api/clients", token=None)[0], 204)
        self.assertEqual(self.api("GET", f"/api/clients/{EP}/x/y", token=RO)[0], 400)
        self.assertEqual(self.api("GET", f"/api/clients/{EP}?timeout=0", token=RO)[0], 400)
        ev = self.stream("/api/event", h2=True)
        self.assertTrue(ev.opened())
        self.json("DELETE", f"/api/clients/{EP}")
        self.assertEqual(ev.event("registration.removed")["endpoint"], EP)

    def test_checker_refuses_what_the_document_does_not_say(self):
        """A real answer the document does not describe fails the check: 200 taken out
        of GET /api/status, a member the schema does not allow, a route left out."""
        code, ctype, text = self.api("GET", "/api/status", token=RO)
        self.assertEqual(code, 200)
        for mutate in (lambda d: d["paths"]["/api/status"]["get"]["responses"].pop("200"),
                       lambda d: d["components"]["schemas"]["Status"].update(
                           additionalProperties=False),
                       lambda d: d["paths"].pop("/api/status")):
            doc = copy.deepcopy(openapi_check.spec("lwm2md").doc)
            mutate(doc)
            spec = openapi_check.Spec("lwm2md", doc)
            with self.assertRaises(AssertionError):
                spec.check("GET", "/api/status", code, ctype, text)


class RddApiTests(tr.RddCase):
    START = False
    CLEAN_STOP = True  # under ASan a leak or an error shows as rdd's exit status

    def setUp(self):
        super().setUp()
        self.spec = openapi_check.spec("rdd")
        self.port = lwgtest.free_port(socket.SOCK_STREAM)
        # publications follow each other as fast as the test makes them
        self.start_rdd(f"[http]\nenabled = yes\nport = {self.port}\ntokens_ro = {RO}\n"
                       "[pubsub]\npublish_interval_ms = 0\n", broker_ep="lwgate-broker")
        self.ps = tp.Broker(self.rdd)
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            s.close()
        super().tearDown()

    def api(self, method, target, **kw):
        kw.setdefault("token", RO)
        return curl(self.spec, self.port, method, target, **kw)

    def stream(self, target):
        s = Stream(self.spec, self.port, target)
        self.streams.append(s)
        return s

    def test_topics_and_their_data_stream(self):
        self.assertEqual(json.loads(self.api("GET", "/api/topics")[2]), [])
        self.ps.create({0: "temp room", 2: "core.ps.data"})
        topics = json.loads(self.api("GET", "/api/topics", h2=True)[2])
        self.assertEqual([t["name"] for t in topics], ["temp room"])
        code, _, text = self.api("GET", "/api/topics/temp%20room")
        self.assertEqual(code, 200)
        one = json.loads(text)
        self.assertEqual((one["name"], one["state"]), ("temp room", "half-created"))
        self.assertFalse({"value", "value_format", "text"} & set(one), "nothing published yet")
        self.assertEqual(self.api("GET", "/api/topics/nothing")[0], 404)
        missing = self.stream("/api/topics/nothing/data")
        self.assertEqual(missing.status, 404)
        self.spec.check("GET", "/api/topics/nothing/data", 404, missing.ctype, missing.rest())
        # no value yet: the stream opens with no event
        s = self.stream("/api/topics/temp%20room/data")
        self.assertTrue(s.opened())
        everything = self.stream("/api/event")
        self.assertTrue(everything.opened())
        pub = self.ps.req("put", one["data_path"], b"21.5", cf=0)
        self.assertEqual(pub.code, "2.01", pub)
        ev = s.event("ps.published")
        self.assertEqual((ev["name"], ev["text"], ev["value_format"]), ("temp room", "21.5", 0))
        self.assertEqual(base64.b64decode(ev["value"]), b"21.5")
        self.assertEqual(everything.event("ps.published")["name"], "temp room")
        # the last value, through the API: one topic has it whole, the list its text
        one = json.loads(self.api("GET", "/api/topics/temp%20room")[2])
        self.assertEqual((one["text"], one["value_format"], base64.b64decode(one["value"])),
                         ("21.5", 0, b"21.5"))
        listed = json.loads(self.api("GET", "/api/topics")[2])[0]
        self.assertEqual((listed["text"], listed["value_size"]), ("21.5", 4))
        self.assertNotIn("value", listed)
        # a stream opened now begins with the current value, as an Observe's first
        # notification; the next event is the next publication, not the same one again
        late = self.stream("/api/topics/temp%20room/data")
        self.assertTrue(late.opened())
        ev = late.event("ps.published")
        self.assertEqual((ev["text"], base64.b64decode(ev["value"])), ("21.5", b"21.5"))
        # another topic's publication is not on this stream: the next one here is ours
        self.ps.create({0: "other", 2: "core.ps.data"})
        od = json.loads(self.api("GET", "/api/topics/other")[2])["data_path"]
        self.assertEqual(self.ps.req("put", od, b"\x00\xff", cf=42).code, "2.01")
        self.assertEqual(self.ps.req("put", one["data_path"], b"22", cf=0).code, "2.04")
        for stream in (s, late):
            ev = stream.event("ps.published")
            self.assertEqual((ev["name"], ev["text"]), ("temp room", "22"))
        ev = everything.event("ps.published")
        self.assertEqual((ev["name"], ev["value"], ev["value_format"]),
                         ("other", base64.b64encode(b"\x00\xff").decode(), 42))
        self.assertNotIn("text", ev)
        # binary: no text anywhere, the value in base64
        other = json.loads(self.api("GET", "/api/topics/other")[2])
        self.assertEqual((other["value"], other["value_format"]),
                         (base64.b64encode(b"\x00\xff").decode(), 42))
        self.assertNotIn("text", other)
        # a text over the list's 256-byte bound: the list leaves it out, one topic has it
        big = "x" * 257
        self.assertEqual(self.ps.req("put", one["data_path"], big.encode(), cf=0).code, "2.04")
        self.assertEqual(s.event("ps.published")["text"], big)
        listed = {t["name"]: t for t in json.loads(self.api("GET", "/api/topics")[2])}
        self.assertEqual(listed["temp room"]["value_size"], 257)
        self.assertNotIn("text", listed["temp room"])
        self.assertNotIn("text", listed["other"])
        self.assertEqual(json.loads(self.api("GET", "/api/topics/temp%20room")[2])["text"], big)
        fits = "y" * 256
        self.assertEqual(self.ps.req("put", one["data_path"], fits.encode(), cf=0).code, "2.04")
        self.assertEqual(s.event("ps.published")["text"], fits)
        listed = {t["name"]: t for t in json.loads(self.api("GET", "/api/topics")[2])}
        self.assertEqual(listed["temp room"]["text"], fits)

    def test_lookups_and_the_rest(self):
        r = self.rdd.coap("post", "/rd?ep=node1&lt=300&et=oic.d.sensor", tr.RFC9176_LINKS, cf=40)
        self.assertEqual(r.code, "2.01", r)
        for accept in (None, "application/json", "text/html", "application/atom+xml"):
            self.assertEqual(self.api("GET", "/rd-lookup/ep?et=oic.d.sensor", accept=accept)[0],
                             200)
        for accept in (None, "application/json", "text/html"):
            self.assertEqual(self.api("GET", "/rd-lookup/res?ep=node1", accept=accept)[0], 200)
        self.assertEqual(self.api("GET", "/rd-lookup/res", accept="application/atom+xml")[0], 406)
        self.assertEqual(self.api("GET", "/rd-lookup/ep?page=x")[0], 400)
        self.assertEqual(self.api("GET", "/api/status")[0], 200)
        self.assertEqual(self.api("GET", "/api/status", token="nope")[0], 401)
        self.assertEqual(self.api("POST", "/api/topics")[0], 405)
        ev = self.stream("/api/event?ep=node1")
        self.assertTrue(ev.opened())
        self.assertEqual(self.rdd.coap("delete", r.location()).code, "2.02")
        self.assertEqual(ev.event("rd.removed")["ep"], "node1")


class RouteTableTests(unittest.TestCase):
    """The daemons' route tables (daemons/*/httpapi.c) and the documents name the
    same routes with the same scopes: a route added to a table and not to its document fails here, and
    so does a documented route no table has.  lwm2md's {path*} stands for the
    documented depths: {object}[/{instance}[/{resource}[/{riid}]]]."""

    def routes(self, daemon):
        with open(os.path.join(tl.SOURCE, "daemons", daemon, "httpapi.c")) as f:
            text = f.read()
        found = re.findall(r'\{ "(GET|PUT|POST|DELETE)", "(/[^"]*)", (true|false)', text)
        found += [("GET", p, "false") for p in re.findall(r'cfg\.events_path = "([^"]+)"', text)]
        self.assertTrue(found, daemon)
        return found

    @staticmethod
    def regex(pattern):
        out = ""
        for part in re.split(r"({[^}]+})", pattern):
            if part == "{path*}":
                out += r"\{object\}(/\{instance\}(/\{resource\}(/\{riid\})?)?)?"
            elif part.startswith("{"):
                out += r"\{[^}]+\}"
            else:
                out += re.escape(part)
        return re.compile(out)

    def test_tables_and_documents_agree(self):
        for daemon in ("lwm2md", "rdd", "lowpand"):
            spec = openapi_check.spec(daemon)
            routes = [(m.lower(), self.regex(p), p, w == "true") for m, p, w in self.routes(daemon)]
            ops = [(m, p) for p, m, _ in spec.operations()]
            scope = {(m, p): op.get("security", spec.doc["security"])
                     for p, m, op in spec.operations()}
            for m, rx, p, write in routes:
                mine = [(om, op) for om, op in ops if m == om and rx.fullmatch(op)]
                self.assertTrue(mine, f"{daemon}: {m.upper()} {p} is not in doc/openapi/{daemon}.yaml")
                # the scope the document names is the one the table asks for
                for o in mine:
                    self.assertEqual(scope[o], [{"bearer": ["rw" if write else "ro"]}], o)
            for om, op in ops:
                self.assertTrue(any(m == om and rx.fullmatch(op) for m, rx, _, _ in routes),
                                f"{daemon}: {om.upper()} {op} is documented, but no route has it")


class WholeDocumentTests(unittest.TestCase):
    """Last: unittest runs the classes in name order, and this one needs the others'
    answers (run alone, it fails: nothing was answered)."""

    def test_every_operation_was_answered(self):
        for name in ("lwm2md", "rdd"):
            spec = openapi_check.spec(name)
            missing = {(m, p) for p, m, _ in spec.operations()} - spec.seen
            self.assertEqual(missing, set(), f"{name}: operations no test answered")
            print(f"{name}: {spec.checked} answers checked, {len(spec.seen)} operations",
                  file=sys.stderr)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], tl, tr, lwgtest])
