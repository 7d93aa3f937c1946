#!/usr/bin/python3
"""scefd's notifications over a WebSocket (TS 29.122 websockNotifConfig,
RFC 6455 on lib/http's HTTP/1.1 Upgrade path), with websocket-client
(Debian python3-websocket) as the SCS/AS: a configuration asking for
requestWebsocketUri gets a websocketUri, the SCS/AS opens it and the
configuration's notifications arrive on it instead of by POST; closed,
they go to notificationDestination again.  Also wss:// on the TLS API, a
second WebSocket replacing the first, pings, and the handshakes scefd
refuses.  Every body is validated against TS29122_NIDD.yaml."""
import base64
import json
import os
import socket
import ssl
import subprocess
import sys

import websocket

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgtest  # noqa: E402
import test_scefd  # noqa: E402
from test_scefd import DEV1, DEV2, SCS  # noqa: E402

BUILD = None
SOURCE = None


class WsTest(test_scefd.ScefdCase):
    def configure_ws(self, ext=DEV1, url=None, **curl):
        body = {"externalId": ext, "websockNotifConfig": {"requestWebsocketUri": True},
                "notificationDestination": "http://127.0.0.1:%d/cb" % self.cb_port}
        self.schemas.check("NiddConfiguration", body)
        status, headers, doc = self.http("POST", url or self.url(), body)
        self.assertEqual(status, 201, doc)
        self.schemas.check("NiddConfiguration", doc)
        return doc

    def status(self):
        return self.ctl("status")

    def wait_open(self, n):
        lwgtest.wait_for(lambda: self.status()["websockets"]["open"] == n,
                         "%d websocket(s) open" % n)

    def uplink(self, ext, data):
        self.devs[ext].sendto(data, ("127.0.0.1", self.dev_port))

    def next_uplink(self, ws, conf, data):
        note = self.schemas.check("NiddUplinkDataNotification", json.loads(ws.recv()))
        self.assertEqual(note["niddConfiguration"], conf)
        self.assertEqual(base64.b64decode(note["data"]), data)

    def test_notifications_over_websocket_then_back_to_post(self):
        rx = self.listen()
        doc = self.configure_ws()
        uri = doc["websockNotifConfig"]["websocketUri"]
        self.assertEqual(uri, "ws://127.0.0.1:%d/3gpp-nidd/v1/%s/configurations/%s/websocket"
                         % (self.port, SCS, doc["self"].rsplit("/", 1)[1]))
        self.assertTrue(doc["websockNotifConfig"]["requestWebsocketUri"])
        ws = websocket.create_connection(uri, timeout=30)
        self.wait_open(1)
        self.uplink(DEV1, b"over ws")
        self.next_uplink(ws, doc["self"], b"over ws")
        # A delivery's status notification takes the same way.
        self.ctl("sleep", DEV1, "psm")
        status, headers, _ = self.deliver(doc["self"], DEV1, b"held")
        self.assertEqual(status, 201)
        self.ctl("wake", DEV1)
        self.assertEqual(self.devs[DEV1].recvfrom(100)[0], b"held")
        note = self.schemas.check("NiddDownlinkDataDeliveryStatusNotification",
                                  json.loads(ws.recv()))
        self.assertEqual(note["niddDownlinkDataTransfer"], headers["location"])
        # A ping is answered with the same payload.
        ws.ping("are you there")
        opcode, frame = ws.recv_data_frame(control_frame=True)
        self.assertEqual((opcode, frame.data), (websocket.ABNF.OPCODE_PONG, b"are you there"))
        st = self.status()
        self.assertEqual((st["websockets"]["sent"], st["notifications"]["queued"]), (2, 0))
        ws.close()
        self.wait_open(0)
        # Closed: back to notificationDestination.
        self.uplink(DEV1, b"by post")
        note = self.schemas.check("NiddUplinkDataNotification", rx.next())
        self.assertEqual(base64.b64decode(note["data"]), b"by post")
        # GET shows the same websocketUri.
        self.assertEqual(self.http("GET", doc["self"])[2]["websockNotifConfig"]["websocketUri"],
                         uri)

    def test_newer_websocket_replaces_older(self):
        doc = self.configure_ws()
        uri = doc["websockNotifConfig"]["websocketUri"]
        first = websocket.create_connection(uri, timeout=30)
        self.wait_open(1)
        second = websocket.create_connection(uri, timeout=30)
        lwgtest.wait_for(lambda: self.status()["websockets"]["opened"] == 2, "a second one")
        # The first is closed by scefd with 1001 (going away).
        opcode, frame = first.recv_data_frame(control_frame=True)
        self.assertEqual(opcode, websocket.ABNF.OPCODE_CLOSE)
        self.assertEqual(frame.data[:2], (1001).to_bytes(2, "big"))
        self.assertEqual(self.status()["websockets"]["open"], 1)
        self.uplink(DEV1, b"to the newest")
        self.next_uplink(second, doc["self"], b"to the newest")
        second.close()

    def test_deleted_configuration_closes_its_websocket(self):
        doc = self.configure_ws()
        ws = websocket.create_connection(doc["websockNotifConfig"]["websocketUri"], timeout=30)
        self.wait_open(1)
        self.assertEqual(self.http("DELETE", doc["self"])[0], 204)
        opcode, frame = ws.recv_data_frame(control_frame=True)
        self.assertEqual((opcode, frame.data[:2]),
                         (websocket.ABNF.OPCODE_CLOSE, (1000).to_bytes(2, "big")))
        self.wait_open(0)

    def test_refused_handshakes(self):
        plain = self.configure(DEV2)  # no websocket asked for
        ws_doc = self.configure_ws()
        uri = ws_doc["websockNotifConfig"]["websocketUri"]
        for bad in (plain.replace("http://", "ws://") + "/websocket",
                    uri.replace("/%s/" % SCS, "/other-as/"),
                    uri.replace("/websocket", "/websockets")):
            with self.assertRaises(websocket.WebSocketBadStatusException) as e:
                websocket.create_connection(bad, timeout=30)
            self.assertEqual(e.exception.status_code, 404, bad)
        # A malformed opening handshake (a key that is not 16 bytes of base64).
        out = subprocess.run(
            ["curl", "-sS", "--http1.1", "-o", "/dev/null", "-w", "%{http_code}",
             "-H", "Connection: Upgrade", "-H", "Upgrade: websocket",
             "-H", "Sec-WebSocket-Version: 13", "-H", "Sec-WebSocket-Key: c2hvcnQ=",
             uri.replace("ws://", "http://")], capture_output=True, text=True)
        self.assertEqual(out.stdout, "400", out.stderr)
        self.assertEqual(self.status()["websockets"]["opened"], 0)

    def test_unmasked_client_frame_is_refused(self):
        uri = self.configure_ws()["websockNotifConfig"]["websocketUri"]
        path = uri.split(str(self.port), 1)[1]
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n" % path).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(1)
        self.assertIn(b"101 Switching Protocols", head)
        self.assertIn(b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head)
        s.sendall(b"\x81\x05Hello")  # RFC 6455 5.7's text, unmasked: a client must mask
        closing = b""
        while len(closing) < 4:
            chunk = s.recv(4 - len(closing))
            self.assertTrue(chunk, "the connection ended before the close frame")
            closing += chunk
        self.assertEqual(closing, b"\x88\x02" + (1002).to_bytes(2, "big"))
        self.assertEqual(s.recv(1), b"")  # and the connection ends
        s.close()

    def test_wss_on_the_tls_api(self):
        self.stop()
        ca = lwgtest.make_ca(self.tmp, "ca")
        cert = lwgtest.make_cert(self.tmp, "scef", "localhost", ca, "DNS:localhost,IP:127.0.0.1")
        self.start("-o", "t8.cert_file=" + cert + ".pem", "-o", "t8.key_file=" + cert + ".key")
        doc = self.configure_ws()  # over cleartext: the port serves both
        uri = doc["websockNotifConfig"]["websocketUri"]
        self.assertTrue(uri.startswith("wss://127.0.0.1:%d/" % self.port), uri)
        ws = websocket.create_connection(uri, timeout=30,
                                         sslopt={"cert_reqs": ssl.CERT_REQUIRED,
                                                 "ca_certs": ca + ".pem"})
        self.wait_open(1)
        self.uplink(DEV1, b"over wss")
        self.next_uplink(ws, doc["self"], b"over wss")
        ws.close()


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_scefd])
