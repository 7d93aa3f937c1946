#!/usr/bin/python3
"""scefd's figures, printed, never judged (tests/bench rules):

  1. mobile-terminated deliveries/s to a reachable device: h2load POSTs
     NiddDownlinkDataTransfer over HTTP/2 (10 connections, 10 streams
     each), each answered 200 after its datagram left; the device's socket
     counts what arrived;
  2. MT deliveries/s with callbacks: 1000 deliveries buffered for a PSM
     device, then one wake: from the wake to the 2000th
     NiddDownlinkDataDeliveryStatusNotification received by the SCS/AS
     (an http.server in this process, so its own speed bounds the figure);
  3. uplink-to-SCS/AS latency: a device's datagram to the
     NiddUplinkDataNotification's arrival, median and 99th percentile of
     500, one at a time, on loopback;
  4. sustained MT deliveries with callbacks: h2load POSTs reliable data
     (reliableDataService, a device with RDS) as fast as scefd takes it,
     each answered 201 and acknowledged in a status notification: from the
     first request to the last notification received;
  5. the uplink latency of 3 with the notification on the configuration's
     WebSocket (websockNotifConfig; websocket-client reading it) instead of
     a POST;
  6. the uplink latency of 3 to an https:// receiver (a CA made here, the
     certificate verified): each notification a new TLS connection.

Usage: bench_scefd.py BUILD_DIR SOURCE_DIR   (run by `meson test --benchmark`)
"""
import http.server
import json
import os
import re
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import websocket

BUILD, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
import lwgtest  # noqa: E402

SCS = "bench"


class Receiver:
    """The SCS/AS: counts notifications, stamps the arrival of each."""

    def __init__(self, tls_cert=None):
        self.arrivals = []
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer.cond:
                    outer.arrivals.append((time.monotonic(), body))
                    outer.cond.notify_all()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.srv.server_address[1]
        if tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls_cert + ".pem", tls_cert + ".key")
            self.srv.socket = ctx.wrap_socket(self.srv.socket, server_side=True)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def wait(self, n, seconds=300):
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.arrivals) >= n, seconds):
                raise AssertionError(f"{len(self.arrivals)} of {n} notifications")


def post(url, doc):
    req = urllib.request.Request(url, json.dumps(doc).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.status, json.loads(r.read())


def drain_socket(s):
    """Read a device's datagrams so that its socket never fills."""
    s.settimeout(None)
    while True:
        try:
            s.recv(2048)
        except OSError:
            return


def uplink_ms(s, dev_port, rx, n):
    """@n uplinks from the device socket @s to scefd, one at a time: the
    milliseconds until each one's notification reached @rx, sorted."""
    lat = []
    for _ in range(n):
        before = len(rx.arrivals)
        t0 = time.monotonic()
        s.sendto(b"\x40\x02\x00\x01", ("127.0.0.1", dev_port))
        rx.wait(before + 1)
        lat.append((rx.arrivals[before][0] - t0) * 1000)
    return sorted(lat)


def main():
    tmp = tempfile.mkdtemp(prefix="bench-scefd-")
    rx = Receiver()
    dev = {}
    for name in ("fast@bench", "sleepy@bench", "rds@bench"):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        dev[name] = s
    port = lwgtest.free_port(socket.SOCK_STREAM)
    dev_port = lwgtest.free_port()
    devices = ("fast@bench,491700000101,%d sleepy@bench,491700000102,%d,psm "
               "rds@bench,491700000103,%d,rds") % (
        dev["fast@bench"].getsockname()[1], dev["sleepy@bench"].getsockname()[1],
        dev["rds@bench"].getsockname()[1])
    log = os.path.join(tmp, "scefd.log")
    ca = lwgtest.make_ca(tmp, "ca")  # for 6: the https receiver's
    proc = lwgtest.start_daemon(
        [os.path.join(BUILD, "daemons", "scefd", "scefd"), "-f", "-c", "/dev/null",
         "-o", "daemon.socket=" + os.path.join(tmp, "scefd.sock"),
         "-o", "daemon.database=" + os.path.join(tmp, "scefd.db"), "-o", "daemon.user=",
         "-o", "daemon.log_level=warning", "-o", "t8.port=%d" % port,
         "-o", "t8.callback_ca_file=" + ca + ".pem",
         "-o", "devices.port=%d" % dev_port, "-o", "nidd.buffer_max=1024",
         "-o", "devices.list=" + devices], log)
    root = "http://127.0.0.1:%d/3gpp-nidd/v1/%s/configurations" % (port, SCS)
    cb = "http://127.0.0.1:%d/cb" % rx.port
    confs = {}
    for name in dev:
        status, doc = post(root, {"externalId": name, "notificationDestination": cb})
        confs[name] = doc["self"]

    # 1. MT deliveries to a reachable device.
    body = os.path.join(tmp, "dl.json")
    with open(body, "w") as f:
        json.dump({"externalId": "fast@bench", "data": "QAESNAA="}, f)
    got = [0]

    def drain():
        s = dev["fast@bench"]
        s.settimeout(2)
        try:
            while True:
                s.recv(2048)
                got[0] += 1
        except socket.timeout:
            pass

    t = threading.Thread(target=drain)
    t.start()
    n = 20000
    out = subprocess.run(["h2load", "-n", str(n), "-c", "10", "-m", "10", "-d", body,
                          "-H", "Content-Type: application/json",
                          confs["fast@bench"] + "/downlink-data-deliveries"],
                         capture_output=True, text=True, timeout=600).stdout
    t.join()
    rate = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out)
    ok = re.search(r"(\d+) succeeded", out)
    print(f"mt_deliveries_per_s {float(rate.group(1)) if rate else 0:.0f} "
          f"(HTTP/2, {ok.group(1) if ok else 0} of {n} answered 2xx, {got[0]} datagrams "
          f"received; goal 200/s)")

    # 2. Buffered deliveries, then one wake: deliveries with their callbacks.
    n = 1000
    for i in range(n):
        post(confs["sleepy@bench"] + "/downlink-data-deliveries",
             {"externalId": "sleepy@bench", "data": "QAE=", "maximumLatency": 3600})
    before = len(rx.arrivals)
    t0 = time.monotonic()
    subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--socket-dir", tmp, "scefd",
                    "wake", "sleepy@bench"], check=True, capture_output=True, timeout=300)
    rx.wait(before + n)
    took = rx.arrivals[-1][0] - t0
    print(f"mt_deliveries_with_callbacks_per_s {n / took:.0f} ({n} buffered, delivered on one "
          f"wake, last status notification after {took:.2f} s; goal 200/s)")

    # 3. Uplink to the SCS/AS.
    s = dev["fast@bench"]
    lat = uplink_ms(s, dev_port, rx, 500)
    print(f"uplink_to_scs_as_ms median {statistics.median(lat):.2f} p99 {lat[494]:.2f} "
          f"(500 NiddUplinkDataNotifications, one at a time; uplink to lwm2md, the "
          f"5 ms goal, is benchmark lwm2md_nidd)")

    # 4. Sustained: reliable deliveries, each with its status notification.
    with open(body, "w") as f:
        json.dump({"externalId": "rds@bench", "data": "QAESNAA=", "reliableDataService": True},
                  f)
    threading.Thread(target=lambda: drain_socket(dev["rds@bench"]), daemon=True).start()
    n = 5000
    before = len(rx.arrivals)
    t0 = time.monotonic()
    out = subprocess.run(["h2load", "-n", str(n), "-c", "4", "-m", "4", "-d", body,
                          "-H", "Content-Type: application/json",
                          confs["rds@bench"] + "/downlink-data-deliveries"],
                         capture_output=True, text=True, timeout=600).stdout
    ok = re.search(r"(\d+) succeeded", out)
    done = int(ok.group(1)) if ok else 0
    rx.wait(before + done)
    took = rx.arrivals[-1][0] - t0
    acked = sum(1 for _, b in rx.arrivals[before:] if b"SUCCESS_ACKNOWLEDGED" in b)
    print(f"mt_deliveries_with_callbacks_sustained_per_s {done / took:.0f} ({done} of {n} "
          f"reliable deliveries answered 2xx, {acked} SUCCESS_ACKNOWLEDGED notifications, "
          f"the last after {took:.2f} s; goal 200/s)")
    # 5 and 6: fast@bench's notifications over a WebSocket, then to an https receiver.
    urllib.request.urlopen(urllib.request.Request(confs["fast@bench"], method="DELETE"))
    status, doc = post(root, {"externalId": "fast@bench", "notificationDestination": cb,
                              "websockNotifConfig": {"requestWebsocketUri": True}})
    ws = websocket.create_connection(doc["websockNotifConfig"]["websocketUri"], timeout=30)
    lat = []
    for i in range(500):
        t0 = time.monotonic()
        s.sendto(b"\x40\x02\x00\x01", ("127.0.0.1", dev_port))
        ws.recv()
        lat.append((time.monotonic() - t0) * 1000)
    lat.sort()
    print(f"uplink_to_scs_as_websocket_ms median {statistics.median(lat):.2f} "
          f"p99 {lat[494]:.2f} (500 NiddUplinkDataNotifications on the configuration's "
          f"WebSocket, one at a time)")
    ws.close()
    urllib.request.urlopen(urllib.request.Request(doc["self"], method="DELETE"))
    cert = lwgtest.make_cert(tmp, "rx", "scs-as", ca, "IP:127.0.0.1")
    tls_rx = Receiver(tls_cert=cert)
    post(root, {"externalId": "fast@bench",
                "notificationDestination": "https://127.0.0.1:%d/cb" % tls_rx.port})
    lat = uplink_ms(s, dev_port, tls_rx, 200)
    print(f"uplink_to_scs_as_https_ms median {statistics.median(lat):.2f} p99 {lat[197]:.2f} "
          f"(200 NiddUplinkDataNotifications to an https:// receiver, one at a time, each "
          f"on a new verified TLS connection)")
    proc.terminate()
    proc.wait()
    rx.srv.shutdown()
    tls_rx.srv.shutdown()


main()
