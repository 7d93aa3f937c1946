#!/usr/bin/python3
"""Binding N latency on loopback: a NIDD device (a raw UDP socket scefd
knows by its port) registers through scefd with lwm2md, then sends N
confirmable Updates one after another; each is timed from the device's
datagram into scefd to the 2.04 back at the device:

  device → scefd → NiddUplinkDataNotification (HTTP) → lwm2md's callback
  → vpeer → libcoap (the Update handled, committed) → vpeer → downlink
  POST (HTTP) → scefd → device

The uplink to lwm2md having processed it (the goal: under 5 ms) is part
of that round trip, which is printed (median, p99) as its upper bound.
Never fails on time.

Usage: bench_nidd.py BUILD_DIR SOURCE_DIR [N]  (N: 500)
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "lwm2md"))
import coapmsg as cm  # noqa: E402
import lwgtest  # noqa: E402

EXT = "bench1@nidd.test"


def ctl(build, tmp, daemon, *args):
    r = subprocess.run([os.path.join(build, "cli", "lwgatectl"), "--socket-dir", tmp, "--json",
                        daemon] + list(args), capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout)


def main():
    build, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    tmp = tempfile.mkdtemp(prefix="bench-nidd-")
    dev = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dev.bind(("127.0.0.1", 0))
    dev.settimeout(10)
    t8, dport = lwgtest.free_port(socket.SOCK_STREAM), lwgtest.free_port()
    coap, cb = lwgtest.free_port(), lwgtest.free_port(socket.SOCK_STREAM)
    log = os.path.join(tmp, "daemons.log")
    procs = []
    try:
        procs.append(lwgtest.start_daemon(
            [os.path.join(build, "daemons", "scefd", "scefd"), "-f", "-c", "/dev/null",
             "-o", f"daemon.socket={tmp}/scefd.sock", "-o", f"daemon.database={tmp}/scefd.db",
             "-o", "daemon.user=", "-o", f"t8.port={t8}", "-o", f"devices.port={dport}",
             "-o", f"devices.list={EXT},491700000001,{dev.getsockname()[1]}",
             "-o", "daemon.log_level=" + os.environ.get("BENCH_LOG_LEVEL", "warning")], log))
        ini = os.path.join(tmp, "lwm2md.ini")
        with open(ini, "w") as f:
            f.write(f"[daemon]\nsocket = {tmp}/lwm2md.sock\ndatabase = {tmp}/lwm2md.db\n"
                    f"user =\nlog_level = {os.environ.get('BENCH_LOG_LEVEL', 'warning')}\n"
                    f"[coap]\naddress = 127.0.0.1\nport = {coap}\n[coaps]\nenabled = no\n"
                    "[coap+tcp]\nenabled = no\n[coaps+tcp]\nenabled = no\n[rd]\nmirror = no\n"
                    f"[http]\nenabled = no\n[lwm2m]\nobjects = {source}/conf/objects\n"
                    f"[nidd]\nenabled = yes\napi_root = http://127.0.0.1:{t8}\n"
                    f"callback_port = {cb}\ndevices = {EXT}\n")
        procs.append(lwgtest.start_daemon(
            [os.path.join(build, "daemons", "lwm2md", "lwm2md"), "-f", "-c", ini], log))
        lwgtest.wait_for(lambda: all(d["state"] == "active" for d in
                                     ctl(build, tmp, "lwm2md", "status")["nidd"]["devices"]),
                         "the NIDD configuration", 30)
        scef = ("127.0.0.1", dport)
        dev.sendto(cm.register(1, f"ep={EXT}&lt=86400&b=N", "</1/0>,</3/0>"), scef)
        r = cm.decode(dev.recv(2048))
        assert cm.code_str(r["code"]) == "2.01", r
        loc = [v for v in cm.options(r, cm.LOCATION_PATH)]
        # lwm2md publishes registration.update once it has handled (and committed) an Update:
        # its arrival on the control socket marks the end of the uplink
        events = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        events.connect(f"{tmp}/lwm2md.sock")
        events.settimeout(10)
        events.send(json.dumps({"id": 1, "cmd": "subscribe",
                                "args": {"topics": ["registration.update"]}}).encode())
        while "ok" not in json.loads(events.recv(1 << 16)):
            pass
        lat, up = [], []
        t0 = time.monotonic()
        for i in range(n):
            mid = 2 + i % 60000
            msg = cm.encode(cm.CON, cm.code("0.02"), mid, b"\x07" + i.to_bytes(2, "big"),
                            [(cm.URI_PATH, p) for p in loc])
            start = time.perf_counter()
            dev.sendto(msg, scef)
            while json.loads(events.recv(1 << 16)).get("event") != "registration.update":
                pass
            up.append((time.perf_counter() - start) * 1000)
            while True:
                a = cm.decode(dev.recv(2048))
                if a["mid"] == mid:
                    break
            lat.append((time.perf_counter() - start) * 1000)
            assert cm.code_str(a["code"]) == "2.04", a
        total = time.monotonic() - t0
        events.close()
        lat.sort()
        up.sort()
        # a GET of a resource lwm2md does not have (libcoap answers 4.04): the path alone,
        # without the database commit an Update makes
        ping = []
        for i in range(n):
            mid = 1000 + i
            start = time.perf_counter()
            dev.sendto(cm.encode(cm.CON, cm.code("0.01"), mid, b"\x08",
                                 [(cm.URI_PATH, b"bench")]), scef)
            while cm.decode(dev.recv(2048))["mid"] != mid:
                pass
            ping.append((time.perf_counter() - start) * 1000)
        ping.sort()
        print(f"bench_nidd: {n} Updates over NIDD (scefd T8, loopback), one at a time: "
              f"{n / total:.0f}/s")
        print(f"nidd_uplink_to_lwm2md_ms median {statistics.median(up):.2f} "
              f"p99 {up[int(len(up) * 0.99) - 1]:.2f} max {up[-1]:.2f} (device datagram into "
              "scefd -> lwm2md has handled and committed the Update: its registration.update "
              "event; goal < 5 ms)")
        print(f"nidd_update_round_trip_ms median {statistics.median(lat):.2f} "
              f"p99 {lat[int(len(lat) * 0.99) - 1]:.2f} max {lat[-1]:.2f} "
              "(device datagram in -> Update answered at the device; uplink to lwm2md is "
              "part of it)")
        print(f"nidd_get_404_round_trip_ms median {statistics.median(ping):.2f} "
              f"p99 {ping[int(len(ping) * 0.99) - 1]:.2f} max {ping[-1]:.2f} "
              "(GET answered 4.04 by libcoap: through scefd and lwm2md's callback, vpeer and "
              "libcoap, and back)")
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait()
        dev.close()
        if os.environ.get("BENCH_KEEP"):
            print("kept", tmp)
        else:
            subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
