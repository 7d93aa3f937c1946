#!/usr/bin/python3
"""scefd's T8 NIDD API driven like an SCS/AS would drive an operator's SCEF:
curl over HTTP/1.1 and HTTP/2 (prior knowledge) for every path and method,
emulated devices as plain UDP sockets, a callback receiver (http.server)
that is down at first for the retry test, and lwgatectl to wake and put
devices to sleep.  Every body sent and received is validated against
3GPP's own OpenAPI files (TS29122_NIDD.yaml and the common data it
references) with python3-jsonschema; without those files every test is
skipped."""
import base64
import http.server
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgtest  # noqa: E402
import t8schema  # noqa: E402

BUILD = None
SOURCE = None
SCS = "as1"
DEV1, DEV2, DEV3 = "dev1@nidd.test", "dev2@nidd.test", "dev3@nidd.test"


class Receiver:
    """The SCS/AS's notification endpoint: POSTed bodies land in .bodies."""

    def __init__(self, port):
        self.bodies = queue.Queue()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                outer.bodies.put((self.headers.get("Content-Type"), self.rfile.read(n)))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def next(self, seconds=30):
        ctype, body = self.bodies.get(timeout=seconds)
        assert ctype == "application/json", ctype
        return json.loads(body)

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


class ScefdCase(unittest.TestCase):
    """The harness: scefd with three devices (DEV1 reachable, DEV2 in PSM,
    DEV3 without a PDN connection; self.items[ext] adds options to an
    item before start()), curl, the callback receiver, lwgatectl.  The
    other scefd scripts borrow it."""
    ITEMS = {DEV1: "", DEV2: ",psm", DEV3: ",no-pdn"}

    @classmethod
    def setUpClass(cls):
        folder = t8schema.spec_dir(SOURCE)
        if not folder:
            raise unittest.SkipTest("no 3GPP OpenAPI files (SOURCE/../shared/spec/3gpp/rel-17)")
        cls.schemas = t8schema.Schemas(folder)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="scefd-")
        self.port = lwgtest.free_port(socket.SOCK_STREAM)
        self.cb_port = lwgtest.free_port(socket.SOCK_STREAM)
        self.devs = {}
        for ext in (DEV1, DEV2, DEV3):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            s.settimeout(30)
            self.devs[ext] = s
        self.dev_port = lwgtest.free_port()
        self.items = dict(self.ITEMS)
        self.proc = None
        self.receiver = None
        self.start()

    def start(self, *extra):
        p = lambda e: self.devs[e].getsockname()[1]  # noqa: E731
        devices = " ".join("%s,49170000000%d,%d%s" % (ext, i + 1, p(ext), self.items[ext])
                           for i, ext in enumerate((DEV1, DEV2, DEV3)))
        self.log = os.path.join(self.tmp, "scefd.log")
        self.proc = lwgtest.start_daemon(
            [os.path.join(BUILD, "daemons", "scefd", "scefd"), "-f", "-c", "/dev/null",
             "-o", "daemon.socket=" + os.path.join(self.tmp, "scefd.sock"),
             "-o", "daemon.database=" + os.path.join(self.tmp, "scefd.db"), "-o", "daemon.user=",
             "-o", "t8.port=%d" % self.port, "-o", "devices.port=%d" % self.dev_port,
             "-o", "nidd.max_packet_size=100", "-o", "devices.list=" + devices] + list(extra),
            self.log)

    def stop(self):
        self.proc.terminate()
        self.assertEqual(self.proc.wait(), 0, lwgtest.log_tail(self.log))

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.stop()
        if self.receiver:
            self.receiver.stop()
        for s in self.devs.values():
            s.close()

    def listen(self):
        self.receiver = Receiver(self.cb_port)
        return self.receiver

    def ctl(self, *args):
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--socket-dir", self.tmp,
                            "--json", "scefd"] + list(args), capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def url(self, path=""):
        return "http://127.0.0.1:%d/3gpp-nidd/v1/%s/configurations%s" % (self.port, SCS, path)

    def http(self, method, url, body=None, *, h2=False, ctype="application/json"):
        """curl's status, headers (lower-case names) and JSON body (or None)."""
        args = ["curl", "-sS", "--max-time", "30", "-X", method, "-D", "-", url]
        args.append("--http2-prior-knowledge" if h2 else "--http1.1")
        if body is not None:
            data = body if isinstance(body, str) else json.dumps(body)
            args += ["-H", "Content-Type: " + ctype, "--data-binary", data]
        out = subprocess.run(args, capture_output=True)  # bytes: CRLF kept
        self.assertEqual(out.returncode, 0, out.stderr)
        head, _, payload = out.stdout.decode().partition("\r\n\r\n")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        self.assertEqual(lines[0].split()[0], "HTTP/2" if h2 else "HTTP/1.1")
        headers = {k.strip().lower(): v.strip() for k, _, v in
                   (line.partition(":") for line in lines[1:])}
        doc = json.loads(payload) if payload else None
        if status >= 400 and not (status == 500 and "problemDetail" in (doc or {})):
            self.assertEqual(headers.get("content-type"), "application/problem+json")
            self.schemas.check("TS29122_CommonData.yaml#/components/schemas/ProblemDetails", doc)
        return status, headers, doc

    def restart_with_groups(self, groups, items):
        """scefd again with @items' options added to the devices' and the
        [devices] groups @groups ({group: [member, …]}); the receiver."""
        self.stop()
        self.items.update(items)
        self.start("-o", "devices.groups=" + " ".join(
            "%s=%s" % (g, ",".join(members)) for g, members in groups.items()))
        return self.listen()

    def configure(self, ext, h2=False, target_member="externalId", **extra):
        """POST a NiddConfiguration for @ext (by @target_member), checked; its link."""
        body = dict({target_member: ext, "notificationDestination":
                     "http://127.0.0.1:%d/cb" % self.cb_port}, **extra)
        self.schemas.check("NiddConfiguration", body)
        status, headers, doc = self.http("POST", self.url(), body, h2=h2)
        self.assertEqual(status, 201, doc)
        self.schemas.check("NiddConfiguration", doc)
        self.assertEqual(headers["location"], doc["self"])
        self.assertEqual(doc["maximumPacketSize"], 800)  # 100 bytes, in bits
        self.assertEqual(doc[target_member], ext)
        return doc["self"]

    def deliver(self, conf, ext, data, h2=False, target_member="externalId", **extra):
        """POST a NiddDownlinkDataTransfer of @data to @ext (by @target_member), the answer checked."""
        body = dict({target_member: ext, "data": base64.b64encode(data).decode()}, **extra)
        self.schemas.check("NiddDownlinkDataTransfer", body)
        status, headers, doc = self.http("POST", conf + "/downlink-data-deliveries", body, h2=h2)
        if status == 500:
            self.schemas.check("NiddDownlinkDataDeliveryFailure", doc)
        elif status in (200, 201):
            self.schemas.check("NiddDownlinkDataTransfer", doc)
        return status, headers, doc


class ScefdTest(ScefdCase):
    def test_configuration_lifecycle(self):
        for h2 in (False, True):
            conf = self.configure(DEV1, h2=h2, mtcProviderId="lwgate")
            status, _, doc = self.http("GET", conf, h2=h2)
            self.assertEqual(status, 200)
            self.schemas.check("NiddConfiguration", doc)
            self.assertEqual(doc["status"], "ACTIVE")
            status, _, docs = self.http("GET", self.url(), h2=h2)
            self.assertEqual(status, 200)
            self.assertIn(conf, [self.schemas.check("NiddConfiguration", d)["self"] for d in docs])
            patch = {"notificationDestination": "http://127.0.0.1:1/other",
                     "pdnEstablishmentOption": "SEND_TRIGGER"}
            self.schemas.check("NiddConfigurationPatch", patch)
            status, _, doc = self.http("PATCH", conf, patch, h2=h2,
                                       ctype="application/merge-patch+json")
            self.assertEqual(status, 200, doc)
            self.assertEqual(doc["notificationDestination"], "http://127.0.0.1:1/other")
            self.assertEqual(doc["pdnEstablishmentOption"], "SEND_TRIGGER")
            status, _, doc = self.http("PATCH", conf, {"pdnEstablishmentOption": None}, h2=h2,
                                       ctype="application/merge-patch+json")
            self.assertNotIn("pdnEstablishmentOption", doc)
            status, headers, _ = self.http("PUT", conf, {}, h2=h2)
            self.assertEqual(status, 405)  # Rel-17 has no PUT on a configuration
            self.assertEqual(headers["allow"], "GET, PATCH, DELETE")
            self.assertEqual(self.http("DELETE", conf, h2=h2)[0], 204)
            self.assertEqual(self.http("GET", conf, h2=h2)[0], 404)
        self.assertEqual(self.ctl("configurations")["configurations"], [])

    def test_refusals(self):
        cb = "http://127.0.0.1:%d/cb" % self.cb_port
        cases = [
            ('{"externalId":', 400, "INVALID_MSG_FORMAT"),
            ({"externalId": DEV1}, 400, "MANDATORY_IE_MISSING"),
            ({"notificationDestination": cb}, 400, "MANDATORY_IE_MISSING"),
            ({"externalId": DEV1, "msisdn": "491700000001", "notificationDestination": cb}, 400,
             "MANDATORY_IE_INCORRECT"),
            ({"externalId": "no-at-sign", "notificationDestination": cb}, 400,
             "MANDATORY_IE_INCORRECT"),
            ({"externalId": "nobody@nidd.test", "notificationDestination": cb}, 403,
             "REQUEST_NOT_AUTHORIZED"),
        ]
        for body, code, cause in cases:
            status, _, doc = self.http("POST", self.url(), body)
            self.assertEqual((status, doc.get("cause")), (code, cause), body)
        status, _, doc = self.http("POST", self.url(), {"externalId": DEV1}, ctype="text/plain")
        self.assertEqual(status, 415)
        self.assertEqual(self.http("GET", self.url("/999"))[0], 404)
        self.assertEqual(self.http("GET", self.url("/abc"))[0], 404)
        status, _, doc = self.http("GET", "http://127.0.0.1:%d/nothing" % self.port)
        self.assertEqual((status, doc["cause"]), (404, "RESOURCE_URI_STRUCTURE_NOT_FOUND"))
        conf = self.configure(DEV1)
        # By MSISDN too, and another device's identity refused in a delivery.
        self.configure_msisdn = self.http("POST", self.url(), {
            "msisdn": "491700000001", "notificationDestination": cb})[0]
        self.assertEqual(self.configure_msisdn, 201)
        status, _, doc = self.deliver(conf, DEV2, b"x")
        self.assertEqual((status, doc["cause"]), (400, "MANDATORY_IE_INCORRECT"))
        status, _, doc = self.http("POST", conf + "/downlink-data-deliveries",
                                   {"externalId": DEV1, "data": "not base64!"})
        self.assertEqual(status, 400)

    def test_delivery_to_reachable_device(self):
        conf = self.configure(DEV1)
        for h2 in (False, True):
            status, headers, doc = self.deliver(conf, DEV1, b"\x40\x01\x12\x34", h2=h2)
            self.assertEqual(status, 200, doc)
            self.assertEqual(doc["deliveryStatus"], "SUCCESS_NEXT_HOP_UNACKNOWLEDGED")
            data, addr = self.devs[DEV1].recvfrom(2000)
            self.assertEqual(data, b"\x40\x01\x12\x34")
            self.assertEqual(addr[1], self.dev_port)

    def test_oversize_packet(self):
        conf = self.configure(DEV1)
        status, _, doc = self.deliver(conf, DEV1, b"x" * 101)
        self.assertEqual((status, doc["cause"]), (403, "DATA_TOO_LARGE"))
        self.assertEqual(self.deliver(conf, DEV1, b"x" * 100)[0], 200)

    def test_buffered_delivery_changed_then_delivered_on_wake(self):
        rx = self.listen()
        conf = self.configure(DEV2)
        status, headers, doc = self.deliver(conf, DEV2, b"first", maximumLatency=3600, h2=True)
        self.assertEqual(status, 201, doc)
        self.assertEqual(doc["deliveryStatus"], "BUFFERING_TEMPORARILY_NOT_REACHABLE")
        link = headers["location"]
        self.assertEqual(link, doc["self"])
        status, _, docs = self.http("GET", conf + "/downlink-data-deliveries")
        self.assertEqual([self.schemas.check("NiddDownlinkDataTransfer", d)["self"]
                          for d in docs], [link])
        patch = {"data": base64.b64encode(b"patched").decode(), "priority": 3}
        self.schemas.check("NiddDownlinkDataTransferPatch", patch)
        status, _, doc = self.http("PATCH", link, patch, ctype="application/merge-patch+json")
        self.assertEqual((status, doc["priority"]), (200, 3))
        self.schemas.check("NiddDownlinkDataTransfer", doc)
        put = {"externalId": DEV2, "data": base64.b64encode(b"replaced").decode(),
               "maximumLatency": 3600}
        status, _, doc = self.http("PUT", link, put, h2=True)
        self.assertEqual(status, 200, doc)
        self.assertEqual(base64.b64decode(doc["data"]), b"replaced")
        self.assertEqual(len(self.ctl("deliveries")["deliveries"]), 1)
        self.assertEqual(self.ctl("wake", DEV2)["state"], "reachable")
        self.assertEqual(self.devs[DEV2].recvfrom(2000)[0], b"replaced")
        note = self.schemas.check("NiddDownlinkDataDeliveryStatusNotification", rx.next())
        self.assertEqual(note, {"niddDownlinkDataTransfer": link,
                                "deliveryStatus": "SUCCESS_NEXT_HOP_UNACKNOWLEDGED"})
        # Gone from the SCEF: too late to change or withdraw.
        self.assertEqual(self.http("PUT", link, put)[0], 409)
        self.assertEqual(self.http("PATCH", link, patch, ctype="application/merge-patch+json")[0],
                         409)
        self.assertEqual(self.http("DELETE", link)[0], 409)
        status, _, doc = self.http("GET", link)
        self.assertEqual(doc["deliveryStatus"], "SUCCESS_NEXT_HOP_UNACKNOWLEDGED")

    def test_buffered_delivery_withdrawn(self):
        conf = self.configure(DEV2)
        status, headers, _ = self.deliver(conf, DEV2, b"never")
        self.assertEqual(status, 201)
        self.assertEqual(self.http("DELETE", headers["location"], h2=True)[0], 204)
        self.assertEqual(self.http("GET", headers["location"])[0], 404)
        self.ctl("wake", DEV2)
        self.devs[DEV2].settimeout(0.5)
        # Nothing was left to deliver: the socket stays empty (the wake reply came after the flush).
        with self.assertRaises(socket.timeout):
            self.devs[DEV2].recvfrom(2000)

    def test_ttl_expiry_on_sleeping_device(self):
        rx = self.listen()
        conf = self.configure(DEV2)
        status, headers, _ = self.deliver(conf, DEV2, b"stale", maximumLatency=1)
        self.assertEqual(status, 201)
        note = self.schemas.check("NiddDownlinkDataDeliveryStatusNotification", rx.next())
        self.assertEqual(note, {"niddDownlinkDataTransfer": headers["location"],
                                "deliveryStatus": "FAILURE_TIMEOUT"})
        self.assertEqual(self.http("GET", headers["location"])[2]["deliveryStatus"],
                         "FAILURE_TIMEOUT")
        self.ctl("wake", DEV2)
        self.devs[DEV2].settimeout(0.5)
        with self.assertRaises(socket.timeout):
            self.devs[DEV2].recvfrom(2000)

    def test_not_reachable_without_buffering(self):
        conf = self.configure(DEV2)
        status, _, doc = self.deliver(conf, DEV2, b"now or never", maximumLatency=0)
        self.assertEqual(status, 500)
        self.assertEqual(doc["problemDetail"]["status"], 500)

    def test_no_pdn_connection_options(self):
        conf = self.configure(DEV3)
        status, _, doc = self.deliver(conf, DEV3, b"a", pdnEstablishmentOption="INDICATE_ERROR")
        self.assertEqual(status, 500)
        status, _, doc = self.deliver(conf, DEV3, b"b", pdnEstablishmentOption="WAIT_FOR_UE")
        self.assertEqual((status, doc["deliveryStatus"]), (201, "BUFFERING"))
        status, _, doc = self.deliver(conf, DEV3, b"c", pdnEstablishmentOption="SEND_TRIGGER")
        self.assertEqual((status, doc["deliveryStatus"]), (201, "TRIGGERED"))
        self.ctl("sleep", DEV1, "no-pdn")
        conf1 = self.configure(DEV1, pdnEstablishmentOption="INDICATE_ERROR")
        self.assertEqual(self.deliver(conf1, DEV1, b"d")[0], 500)  # the configuration's option
        self.ctl("wake", DEV3)
        self.assertEqual(self.devs[DEV3].recvfrom(2000)[0], b"b")
        self.assertEqual(self.devs[DEV3].recvfrom(2000)[0], b"c")

    def test_uplink_notification_retried_until_receiver_is_up(self):
        conf = self.configure(DEV1)
        self.devs[DEV1].sendto(b"\x40\x02\xab\xcd", ("127.0.0.1", self.dev_port))
        lwgtest.wait_for(lambda: self.ctl("status")["notifications"]["retried"] >= 1,
                         "a failed first attempt")
        rx = self.listen()
        note = self.schemas.check("NiddUplinkDataNotification", rx.next())
        self.assertEqual(note["niddConfiguration"], conf)
        self.assertEqual(note["externalId"], DEV1)
        self.assertEqual(base64.b64decode(note["data"]), b"\x40\x02\xab\xcd")
        st = self.ctl("status")["notifications"]
        self.assertEqual((st["sent"], st["waiting"]), (1, 0))

    def test_uplink_wakes_sleeping_device(self):
        rx = self.listen()
        conf = self.configure(DEV2)
        status, headers, _ = self.deliver(conf, DEV2, b"queued")
        self.assertEqual(status, 201)
        self.devs[DEV2].sendto(b"hello", ("127.0.0.1", self.dev_port))
        self.assertEqual(self.devs[DEV2].recvfrom(2000)[0], b"queued")
        got = {}
        for n in (rx.next(), rx.next()):
            kind = ("NiddUplinkDataNotification" if "data" in n
                    else "NiddDownlinkDataDeliveryStatusNotification")
            got[kind] = self.schemas.check(kind, n)
        self.assertEqual(base64.b64decode(got["NiddUplinkDataNotification"]["data"]), b"hello")
        self.assertEqual(got["NiddDownlinkDataDeliveryStatusNotification"],
                         {"niddDownlinkDataTransfer": headers["location"],
                          "deliveryStatus": "SUCCESS_NEXT_HOP_UNACKNOWLEDGED"})

    def test_restart_keeps_buffered_deliveries_and_notifications(self):
        conf = self.configure(DEV2)
        status, headers, _ = self.deliver(conf, DEV2, b"survivor")
        self.assertEqual(status, 201)
        self.devs[DEV1].sendto(b"up", ("127.0.0.1", self.dev_port))  # DEV1 has no configuration
        conf1 = self.configure(DEV1)
        self.devs[DEV1].sendto(b"kept", ("127.0.0.1", self.dev_port))
        lwgtest.wait_for(lambda: self.ctl("status")["notifications"]["retried"] >= 1,
                         "the uplink notification waiting in the outbox")
        self.stop()
        self.start()
        status, _, doc = self.http("GET", headers["location"], h2=True)
        self.assertEqual((status, doc["deliveryStatus"]),
                         (200, "BUFFERING_TEMPORARILY_NOT_REACHABLE"))
        rx = self.listen()
        note = self.schemas.check("NiddUplinkDataNotification", rx.next())
        self.assertEqual((note["niddConfiguration"], base64.b64decode(note["data"])),
                         (conf1, b"kept"))
        self.ctl("wake", DEV2)
        self.assertEqual(self.devs[DEV2].recvfrom(2000)[0], b"survivor")
        self.assertEqual(rx.next()["deliveryStatus"], "SUCCESS_NEXT_HOP_UNACKNOWLEDGED")

    def test_configuration_ends_with_its_duration(self):
        rx = self.listen()
        end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
        conf = self.configure(DEV2, duration=end)
        status, headers, _ = self.deliver(conf, DEV2, b"held")
        self.assertEqual(status, 201)
        note = self.schemas.check("NiddConfigurationStatusNotification", rx.next())
        self.assertEqual(note, {"niddConfiguration": conf, "externalId": DEV2,
                                "status": "TERMINATED"})
        self.assertEqual(self.http("GET", conf)[0], 404)
        self.assertEqual(self.http("GET", headers["location"])[0], 404)
        status, _, doc = self.http("POST", self.url(), {
            "externalId": DEV1, "notificationDestination": "http://127.0.0.1:1/cb",
            "duration": "tomorrow"})
        self.assertEqual((status, doc["cause"]), (400, "OPTIONAL_IE_INCORRECT"))

    def test_tls_alpn_and_h2c_upgrade(self):
        self.stop()
        ca = lwgtest.make_ca(self.tmp, "ca")
        cert = lwgtest.make_cert(self.tmp, "scef", "localhost", ca, "DNS:localhost")
        self.start("-o", "t8.cert_file=" + cert + ".pem", "-o", "t8.key_file=" + cert + ".key")
        body = json.dumps({"externalId": DEV1, "notificationDestination": "http://127.0.0.1:1/"})
        for flags, version in ((["--http2"], "2"), (["--http1.1"], "1.1")):
            out = subprocess.run(
                ["curl", "-sS", "--max-time", "30", "--cacert", ca + ".pem", "--resolve",
                 "localhost:%d:127.0.0.1" % self.port, "-H", "Content-Type: application/json",
                 "--data-binary", body, "-w", "\n%{http_code} %{http_version}"] + flags +
                ["https://localhost:%d/3gpp-nidd/v1/%s/configurations" % (self.port, SCS)],
                capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            doc, _, tail = out.stdout.rpartition("\n")
            self.assertEqual(tail, "201 " + version)
            doc = self.schemas.check("NiddConfiguration", json.loads(doc))
            self.assertTrue(doc["self"].startswith("https://127.0.0.1:%d/" % self.port))
        # Cleartext HTTP/2 by Upgrade: h2c still served beside TLS.
        out = subprocess.run(["curl", "-sS", "--http2", "-w", "\n%{http_version}",
                              self.url()], capture_output=True, text=True)
        self.assertEqual(out.stdout.rpartition("\n")[2], "2")
        self.assertEqual(len(json.loads(out.stdout.rpartition("\n")[0])), 2)

    def test_buffer_bound(self):
        conf = self.configure(DEV2)
        for i in range(16):
            self.assertEqual(self.deliver(conf, DEV2, b"%d" % i)[0], 201)
        status, _, doc = self.deliver(conf, DEV2, b"one too many")
        self.assertEqual(status, 500)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__]])
