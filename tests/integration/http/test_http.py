#!/usr/bin/python3
"""lib/http through lwgate-http-testd, against independent clients.

Every route over HTTP/1.1, HTTP/2 with prior knowledge, HTTP/2 by h2c
Upgrade and HTTP/2 and HTTP/1.1 over TLS (ALPN) with curl and nghttp
(Debian nghttp2-client); server-sent events over both versions; a problem
document for every request the layer refuses (malformed, oversize, bad
target, unknown method), HTTP/2 protocol errors from python3-h2 and raw
frames, the connection limit, the slow-reader bound and an idle session
trimmed then serving again, each time with the
server still serving afterwards."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import lwgtest  # noqa: E402

import h2.config  # noqa: E402
import h2.connection  # noqa: E402
import h2.events  # noqa: E402

BUILD = None
SOURCE = None


class Server:
    """lwgate-http-testd on a free port with extra @args; .url(path, tls)."""

    def __init__(self, tmp, *args):
        self.port = lwgtest.free_port(socket.SOCK_STREAM)
        self.log = os.path.join(tmp, "testd-%d.log" % self.port)
        exe = os.path.join(BUILD, "tests", "tools", "lwgate-http-testd")
        self.proc = lwgtest.start_daemon([exe, "-l", "127.0.0.1", "-p", str(self.port)] +
                                         list(args), self.log)

    def url(self, path, tls=False):
        return "%s://127.0.0.1:%d%s" % ("https" if tls else "http", self.port, path)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        with open(self.log) as f:
            return f.read()


def curl(*args):
    """curl's body and, after its -w, the status and HTTP version; raises on failure."""
    out = subprocess.run(["curl", "-sS", "-k", "--max-time", "30", "-w", "\n%{http_code} %{http_version}"] +
                         list(args), capture_output=True, text=True)
    if out.returncode != 0:
        raise AssertionError("curl %s failed %d: %s" % (args, out.returncode, out.stderr))
    body, _, tail = out.stdout.rpartition("\n")
    code, version = tail.split()
    return body, int(code), version


def raw(port, data, read_all=True):
    """Send @data on a fresh TCP connection; everything the server sends until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(data)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)


def split_response(resp):
    head, _, body = resp.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    return status, headers, body


def sse_events(text):
    """The events of a text/event-stream body, as dicts of their fields."""
    events = []
    for block in text.strip().split("\n\n"):
        ev = {}
        for line in block.split("\n"):
            k, _, v = line.partition(": ")
            ev[k] = v
        events.append(ev)
    return events


class H2Client:
    """python3-h2 as a client that may send what curl never would."""

    def __init__(self, port, validate=True):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        cfg = h2.config.H2Configuration(client_side=True, validate_outbound_headers=validate,
                                        normalize_outbound_headers=validate)
        self.conn = h2.connection.H2Connection(config=cfg)
        self.conn.initiate_connection()
        self.flush()

    def flush(self):
        self.sock.sendall(self.conn.data_to_send())

    def events_until(self, want):
        """Read until an event of class @want arrives (or the server closes); all events."""
        seen = []
        while True:
            data = self.sock.recv(65536)
            if not data:
                return seen
            for ev in self.conn.receive_data(data):
                seen.append(ev)
                if isinstance(ev, want):
                    self.flush()
                    return seen
            self.flush()

    def close(self):
        self.sock.close()


class HttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lwgt-http-")
        lwgtest.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-subj",
                        "/CN=localhost", "-days", "2", cwd=cls.tmp)
        cls.srv = Server(cls.tmp, "-c", os.path.join(cls.tmp, "cert.pem"), "-k",
                         os.path.join(cls.tmp, "key.pem"), "-b", "4096", "-H", "2048")

    @classmethod
    def tearDownClass(cls):
        print(cls.srv.stop().strip().split("\n")[-1])

    def assert_serving(self):
        self.assertEqual(curl(self.srv.url("/hello"))[:2], ("hello\n", 200))

    def test_versions(self):
        """One route, five ways in, each answered in the protocol it asked for."""
        ways = [(["--http1.1"], False, "1.1", "HTTP/1.1"),
                (["--http2-prior-knowledge"], False, "2", "HTTP/2"),
                (["--http2"], False, "2", "HTTP/2"),  # h2c Upgrade
                (["--http2"], True, "2", "HTTP/2"),  # TLS, ALPN h2
                (["--http1.1"], True, "1.1", "HTTP/1.1")]  # TLS, ALPN http/1.1
        for opts, tls, version, proto in ways:
            with self.subTest(opts=opts, tls=tls):
                body, code, v = curl(*opts, "-d", "x=1", self.srv.url("/echo?a=%20b", tls))
                self.assertEqual((code, v), (200, version))
                got = json.loads(body)
                self.assertEqual(got["protocol"], proto)
                self.assertEqual(got["tls"], tls)
                self.assertEqual((got["method"], got["path"], got["query"], got["body"]),
                                 ("POST", "/echo", "a=%20b", "x=1"))
                self.assertEqual(got["headers"]["content-length"], "3")

    def test_nghttp(self):
        """nghttp: prior knowledge, Upgrade (-u) and TLS, with its own HPACK and framing."""
        for args in (["-v", self.srv.url("/hello")], ["-uv", self.srv.url("/hello")],
                     ["-v", self.srv.url("/hello", tls=True)]):
            out = subprocess.run(["nghttp"] + args, capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr + out.stdout)
            self.assertIn(":status: 200", out.stdout)
            self.assertIn("hello", out.stdout)

    def test_async_and_pipelining(self):
        """An answer from a later loop iteration, and two pipelined HTTP/1.1 requests."""
        self.assertEqual(curl("--http2-prior-knowledge", self.srv.url("/later"))[:2], ("later\n", 200))
        resp = raw(self.srv.port, b"GET /later HTTP/1.1\r\nHost: h\r\n\r\n"
                   b"GET /hello HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        self.assertEqual(resp.count(b"HTTP/1.1 200 OK"), 2)
        self.assertLess(resp.index(b"later"), resp.index(b"hello\n"))

    def test_sse(self):
        """Server-sent events, chunked over HTTP/1.1, DATA frames over HTTP/2."""
        for opts in (["--http1.1"], ["--http2-prior-knowledge"], ["--http2"]):
            with self.subTest(opts=opts):
                body, code, _ = curl("-N", *opts, self.srv.url("/events?n=5"))
                self.assertEqual(code, 200)
                events = sse_events(body)
                self.assertEqual([e["event"] for e in events], ["tick"] * 5)
                self.assertEqual([json.loads(e["data"])["n"] for e in events], list(range(5)))
        _, code, _ = curl("-N", "--http1.1", "-D", os.path.join(self.tmp, "sse.h"),
                          self.srv.url("/events?n=1"))
        with open(os.path.join(self.tmp, "sse.h")) as f:
            head = f.read().lower()
        self.assertIn("content-type: text/event-stream", head)
        self.assertIn("transfer-encoding: chunked", head)
        self.assertIn("cache-control: no-store", head)

    def check_problem(self, resp, status):
        code, headers, body = split_response(resp)
        self.assertEqual(code, status, resp)
        self.assertEqual(headers["content-type"], "application/problem+json")
        self.assertEqual(int(headers["content-length"]), len(body))
        doc = json.loads(body)
        self.assertEqual(doc["status"], status)
        self.assertIn("title", doc)

    def test_refusals_http1(self):
        """Each bad HTTP/1.1 request gets its 4xx/5xx problem document; the server goes on."""
        cases = [(b"GET /hello HTTP/1.1\r\nHost x\r\n\r\n", 400),
                 (b"GET hello HTTP/1.1\r\n\r\n", 400),
                 (b"\x00\x01garbage\r\n\r\n", 400),
                 (b"GET /a%20b c HTTP/1.1\r\n\r\n", 400),
                 (b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                 (b"POST /echo HTTP/1.1\r\nContent-Length: 5000\r\n\r\n", 413),
                 (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2000\r\n", 413),
                 (b"GET /hello HTTP/1.1\r\nX-Big: " + b"a" * 3000 + b"\r\n\r\n", 431),
                 (b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\n\r\n", 414),
                 (b"BREW /pot HTTP/1.1\r\n\r\n", 501),
                 (b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n", 404)]
        for req, status in cases:
            with self.subTest(req=req[:40], status=status):
                self.check_problem(raw(self.srv.port, req), status)
                self.assert_serving()

    def test_refusals_http2(self):
        """Over HTTP/2: oversize body and headers answered with problem documents,
        a request without :path reset, a malformed frame ends the session with GOAWAY."""
        c = H2Client(self.srv.port)
        c.conn.send_headers(1, [(":method", "POST"), (":path", "/echo"), (":scheme", "http"),
                                (":authority", "h")])
        c.conn.send_data(1, b"x" * 5000, end_stream=True)
        c.flush()
        evs = c.events_until(h2.events.StreamEnded)
        resp = [e for e in evs if isinstance(e, h2.events.ResponseReceived)][0]
        self.assertEqual(dict(resp.headers)[b":status"], b"413")
        self.assertEqual(dict(resp.headers)[b"content-type"], b"application/problem+json")
        body = b"".join(e.data for e in evs if isinstance(e, h2.events.DataReceived))
        self.assertEqual(json.loads(body)["status"], 413)
        c.conn.send_headers(3, [(":method", "GET"), (":path", "/hello"), (":scheme", "http"),
                                (":authority", "h"), ("x-big", "a" * 3000)], end_stream=True)
        c.flush()
        evs = c.events_until(h2.events.StreamEnded)
        resp = [e for e in evs if isinstance(e, (h2.events.ResponseReceived, h2.events.StreamReset))]
        self.assertTrue(resp, evs)
        if isinstance(resp[0], h2.events.ResponseReceived):
            self.assertEqual(dict(resp[0].headers)[b":status"], b"431")
        c.close()

        c = H2Client(self.srv.port, validate=False)
        c.conn.send_headers(1, [(":method", "GET"), (":scheme", "http"), (":authority", "h")],
                            end_stream=True)
        c.flush()
        evs = c.events_until(h2.events.StreamReset)
        self.assertTrue(any(isinstance(e, h2.events.StreamReset) for e in evs), evs)
        c.close()
        self.assert_serving()

        # a SETTINGS frame of 5 bytes (not a multiple of 6): FRAME_SIZE_ERROR (RFC 9113 §6.5)
        preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
        bad = b"\x00\x00\x05\x04\x00\x00\x00\x00\x00" + b"\x00" * 5
        resp = raw(self.srv.port, preface + bad)
        goaway = resp.rfind(b"\x07\x00\x00\x00\x00\x00")  # type GOAWAY, flags 0, stream 0
        self.assertGreater(goaway, 0, resp)
        code = int.from_bytes(resp[goaway + 10:goaway + 14], "big")
        self.assertEqual(code, 0x6)  # FRAME_SIZE_ERROR
        self.assert_serving()

    def test_slow_reader_bound(self):
        """A stream that would queue more than -o bytes is cut, visibly, on both versions."""
        srv = Server(self.tmp, "-o", "65536")
        try:
            for opts in (["--http1.1"], ["--http2-prior-knowledge"]):
                with self.subTest(opts=opts):
                    out = subprocess.run(["curl", "-sS", *opts, srv.url("/flood?n=64&size=4096")],
                                         capture_output=True, timeout=60)
                    self.assertNotEqual(out.returncode, 0)
                    self.assertLessEqual(len(out.stdout), 65536)
            body, code, _ = curl(srv.url("/flood?n=8&size=4096"))
            self.assertEqual((code, len(body)), (200, 8 * 4096))
        finally:
            srv.stop()

    def test_idle_session_trimmed(self):
        """An idle HTTP/2 session gives its frame buffer's pages back (h2mem) and
        serves on afterwards, HPACK state and all; closed sessions leave no heap."""
        srv = Server(self.tmp)

        def stats():
            text = curl(srv.url("/stats"))[0].split()
            return {k: int(v) for k, v in zip(text[::2], text[1::2])}

        def get(c, sid, path):
            c.conn.send_headers(sid, [(":method", "GET"), (":path", path), (":scheme", "http"),
                                      (":authority", "h"), ("x-same", "v" * 40)],
                                end_stream=True)
            c.flush()
            evs = c.events_until(h2.events.StreamEnded)
            resp = [e for e in evs if isinstance(e, h2.events.ResponseReceived)][0]
            body = b"".join(e.data for e in evs if isinstance(e, h2.events.DataReceived))
            return int(dict(resp.headers)[b":status"]), body

        try:
            c = H2Client(srv.port)
            # frames that fill the frame buffer, so that its pages are all written
            self.assertEqual(get(c, 1, "/flood?n=3&size=16384"), (200, bytes(3 * 16384)))
            lwgtest.wait_for(lambda: stats()["h2_untrimmed"] == 0, "the idle session trimmed")
            self.assertEqual(stats()["h2_open"], 1)
            for sid in (3, 5):  # the encoder's table still names what it indexed
                self.assertEqual(get(c, sid, "/hello"), (200, b"hello\n"))
            self.assertEqual(get(c, 7, "/flood?n=2&size=5000"), (200, bytes(10000)))
            c.close()
            lwgtest.wait_for(lambda: stats()["h2_open"] == 0, "the session closed")
            self.assertEqual(stats()["h2_heap"], 0)  # nghttp2's heap, counted to the byte
        finally:
            srv.stop()

    def test_connection_limit(self):
        """Past -n connections a new one is closed at once; a freed slot serves again."""
        srv = Server(self.tmp, "-n", "2")
        try:
            a = socket.create_connection(("127.0.0.1", srv.port))
            b = socket.create_connection(("127.0.0.1", srv.port))
            # both held: a request on each proves the server took them
            for s in (a, b):
                s.sendall(b"GET /hello HTTP/1.1\r\nHost: h\r\n\r\n")
                self.assertIn(b"200 OK", s.recv(4096))
            with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as c:
                self.assertEqual(c.recv(4096), b"")
            a.close()
            b.sendall(b"GET /hello HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            self.assertIn(b"200 OK", b.recv(4096))
            b.close()
            # the slots free once the server has seen both closes; curl retries none
            lwgtest.wait_for(lambda: subprocess.run(["curl", "-sf", srv.url("/hello")],
                                                    capture_output=True).returncode == 0,
                             "a free connection slot")
            log = srv.stop()
            self.assertRegex(log, r"refused=[1-9]")
        finally:
            if srv.proc.poll() is None:
                srv.stop()


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], lwgtest])
