#!/usr/bin/python3
"""scefd's notifications to https:// notificationDestinations, and the
TestNotification of TS 29.122 5.2.5.3.

The SCS/AS is a Python https receiver (http.server over the ssl module) with
a certificate from a CA the test makes (lwgtest.make_ca/make_cert); scefd
trusts that CA through [t8] callback_ca_file, or only the system store.  A
receiver whose certificate names another host, or comes from a CA scefd does
not trust, must get nothing: the handshake fails, the notification stays in
the outbox and is retried, and reaches a receiver with a good certificate
later.  Every body is validated against TS29122_NIDD.yaml and
TS29122_CommonData.yaml (TestNotification) with python3-jsonschema."""
import base64
import http.server
import json
import os
import queue
import socket
import ssl
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgtest  # noqa: E402
import test_scefd  # noqa: E402
from test_scefd import DEV1, DEV2  # noqa: E402

BUILD = None
SOURCE = None
TEST_NOTIFICATION = "TS29122_CommonData.yaml#/components/schemas/TestNotification"


class TlsReceiver:
    """An https SCS/AS on every address (IPv4 and IPv6: "localhost" may
    resolve to either) with certificate @cert (d/NAME from make_cert).
    .bodies gets each POST, .names the SNI host name of each handshake."""

    def __init__(self, port, cert):
        self.bodies, self.names = queue.Queue(), queue.Queue()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                outer.bodies.put((self.headers.get("Content-Type"), self.path,
                                  self.rfile.read(n)))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            address_family = socket.AF_INET6

            def server_bind(self):
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                super().server_bind()

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert + ".pem", cert + ".key")
        ctx.sni_callback = lambda sock, name, c: self.names.put(name)
        self.srv = Server(("::", port), Handler)
        # The handshake happens in accept(): one that fails is an OSError there,
        # which socketserver drops; the next connection is served.
        self.srv.socket = ctx.wrap_socket(self.srv.socket, server_side=True)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def next(self, seconds=30):
        ctype, path, body = self.bodies.get(timeout=seconds)
        assert ctype == "application/json", ctype
        assert path == "/cb", path
        return json.loads(body)

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


class TlsTest(test_scefd.ScefdCase):
    def setUp(self):
        super().setUp()
        self.stop()
        self.ca = lwgtest.make_ca(self.tmp, "ca")
        self.tls_rx = None

    def tearDown(self):
        super().tearDown()
        if self.tls_rx:
            self.tls_rx.stop()

    def serve(self, cn, san):
        if self.tls_rx:
            self.tls_rx.stop()
        cert = lwgtest.make_cert(self.tmp, "rx-" + cn, cn, self.ca, san)
        self.tls_rx = TlsReceiver(self.cb_port, cert)
        return self.tls_rx

    def start_trusting(self):
        self.start("-o", "t8.callback_ca_file=" + self.ca + ".pem")

    def configure_at(self, host, **extra):
        body = dict({"externalId": DEV1, "notificationDestination":
                     "https://%s:%d/cb" % (host, self.cb_port)}, **extra)
        self.schemas.check("NiddConfiguration", body)
        status, headers, doc = self.http("POST", self.url(), body)
        self.assertEqual(status, 201, doc)
        self.schemas.check("NiddConfiguration", doc)
        return doc["self"]

    def uplink(self, data):
        self.devs[DEV1].sendto(data, ("127.0.0.1", self.dev_port))

    def check_uplink(self, note, conf, data):
        self.schemas.check("NiddUplinkDataNotification", note)
        self.assertEqual((note["niddConfiguration"], note["externalId"]), (conf, DEV1))
        self.assertEqual(base64.b64decode(note["data"]), data)

    def refused(self, rx, why):
        """The first attempt failed on the certificate and the receiver got nothing."""
        lwgtest.wait_for(lambda: self.ctl("status")["notifications"]["retried"] >= 1,
                         "a refused first attempt")
        self.assertTrue(rx.bodies.empty())
        st = self.ctl("status")["notifications"]
        self.assertEqual((st["sent"], st["waiting"]), (0, 1))
        with open(self.log) as f:
            self.assertIn("certificate " + why, f.read())

    def test_https_by_name_with_test_notification(self):
        rx = self.serve("localhost", "DNS:localhost")
        self.start_trusting()
        conf = self.configure_at("localhost", requestTestNotification=True)
        # The test notification comes first, naming the configuration.
        self.assertEqual(self.schemas.check(TEST_NOTIFICATION, rx.next()),
                         {"subscription": conf})
        self.assertEqual(rx.names.get(timeout=5), "localhost")  # SNI
        self.uplink(b"over tls")
        self.check_uplink(rx.next(), conf, b"over tls")
        st = self.ctl("status")["notifications"]
        self.assertEqual((st["sent"], st["waiting"], st["retried"]), (2, 0, 0))

    def test_https_by_address(self):
        # An IP literal is checked against the certificate's IP addresses; no SNI.
        rx = self.serve("scs-as", "IP:127.0.0.1")
        self.start_trusting()
        conf = self.configure_at("127.0.0.1")
        self.uplink(b"by address")
        self.check_uplink(rx.next(), conf, b"by address")
        self.assertEqual(rx.names.get(timeout=5), None)

    def test_wrong_name_refused_then_retried(self):
        rx = self.serve("other", "DNS:other.test")
        self.start_trusting()
        conf = self.configure_at("localhost")
        self.uplink(b"kept")
        self.refused(rx, "hostname mismatch")
        # The same notification reaches a receiver whose certificate fits.
        rx = self.serve("localhost", "DNS:localhost")
        self.check_uplink(rx.next(), conf, b"kept")

    def test_unknown_ca_refused(self):
        # Without callback_ca_file only the system store is trusted: not the test's CA.
        rx = self.serve("localhost", "DNS:localhost")
        self.start()
        self.configure_at("localhost")
        self.uplink(b"untrusted")
        self.refused(rx, "unable to get local issuer certificate")

    def test_test_notification_over_http_and_websocket_request(self):
        self.start()
        rx = self.listen()
        conf = self.configure(DEV2, requestTestNotification=True,
                              websockNotifConfig={"requestWebsocketUri": True})
        # The test notification goes by POST: no websocket is open yet
        # (scefd_ws tests the websocket itself).
        self.assertEqual(self.schemas.check(TEST_NOTIFICATION, rx.next()),
                         {"subscription": conf})
        status, _, doc = self.http("GET", conf)
        self.assertEqual(status, 200)
        self.assertTrue(doc["websockNotifConfig"]["websocketUri"].startswith("ws://"))
        # Without requestTestNotification there is none: the next one is the uplink.
        conf2 = self.configure(DEV1)
        self.uplink(b"first")
        self.assertEqual(rx.next()["niddConfiguration"], conf2)
        status, _, doc = self.http("POST", self.url(), {
            "externalId": DEV1, "notificationDestination": "http://127.0.0.1:1/",
            "websockNotifConfig": {"requestWebsocketUri": "yes"}})
        self.assertEqual((status, doc["cause"]), (400, "OPTIONAL_IE_INCORRECT"))

    def test_bad_ca_file_stops_start(self):
        bad = os.path.join(self.tmp, "missing.pem")
        with self.assertRaisesRegex(AssertionError, "exited"):
            self.start("-o", "t8.callback_ca_file=" + bad)
        with open(self.log) as f:
            self.assertIn("cannot load the callback CAs " + bad, f.read())


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_scefd])
