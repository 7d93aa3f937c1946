#!/usr/bin/python3
"""LwM2M over HTTP/2 (binding H) against a real lwm2md: one device
registers (tests/integration/lwm2md/h2device.py), then h2load (Debian
nghttp2-client) sends N Sends (POST /dp, SenML JSON) on one connection
with M streams at once, each mapped to CoAP, sent through the device's
virtual peer, decoded and stored by lwm2md and answered back; then R
Reads go from the control socket to the device over its downlink stream
and come back answered.  Prints requests per second, the status codes
h2load saw and the Read round trip.  Never fails on time.

Usage: bench_http2.py LWM2MD_BINARY [SENDS [STREAMS [READS]]]  (20000, 16, 500)
"""
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "lwm2md"))
import lwgtest  # noqa: E402
from h2device import H2Device  # noqa: E402
from benchctl import Ctl, start_lwm2md  # noqa: E402


def answer_forever(dev, stop):
    """The device side of the Reads: every request answered with a value."""
    while not stop.is_set():
        try:
            req = dev.next_request()
            dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"42")])
        except (AssertionError, OSError):
            return  # the device closed at the end


def main():
    exe = sys.argv[1]
    sends = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    streams = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    reads = int(sys.argv[4]) if len(sys.argv) > 4 else 500
    tmp = tempfile.mkdtemp(prefix="bench-h2-")
    coap = lwgtest.free_port()
    h2 = lwgtest.free_port(socket.SOCK_STREAM)
    proc = start_lwm2md(exe, tmp, coap, f"[http2]\nenabled = yes\naddress = ::1\nport = {h2}\n"
                        "tokens = bench=t0k\n")
    dev = None
    try:
        dev = H2Device("::1", h2, "t0k", timeout=30)
        dev.open_downlink()
        st, _, _ = dev.request("POST", "/rd?ep=bench&lt=3600&lwm2m=1.1&b=H",
                               body=b"</3/0>,</3303/0>", ctype="application/link-format")
        assert st == 201, st
        body = os.path.join(tmp, "send.json")
        with open(body, "w") as f:
            f.write('[{"bn":"/3303/0/","n":"5700","v":21.5}]')
        r = subprocess.run(["h2load", "-n", str(sends), "-c", "1", "-m", str(streams),
                            "-d", body, "-H", "content-type: application/senml+json",
                            "-H", "authorization: Bearer t0k", f"http://[::1]:{h2}/dp"],
                           capture_output=True, text=True, timeout=600)
        rate = re.search(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s", r.stdout)
        codes = re.search(r"status codes: (.*)", r.stdout)
        done = re.search(r"requests: .*", r.stdout)
        print(f"Send (POST /dp) through binding H, 1 connection, {streams} streams: "
              f"{rate.group(3) if rate else '?'} req/s ({done.group(0) if done else r.stdout})")
        print(f"  h2load status codes: {codes.group(1) if codes else '?'}")
        ctl = Ctl(f"{tmp}/lwm2md.sock")
        st = ctl.call("status")["result"]["counters"]
        print(f"  lwm2md counted sends: {st.get('sends', st.get('send_ok', '?'))}")
        stop = threading.Event()
        t = threading.Thread(target=answer_forever, args=(dev, stop), daemon=True)
        t.start()
        lat = []
        for _ in range(reads):
            t0 = time.perf_counter()
            m = ctl.call("read", ep="bench", path="/3/0/9")
            lat.append((time.perf_counter() - t0) * 1000)
            assert m["ok"], m
        stop.set()
        lat.sort()
        print(f"Read round trip, control socket → downlink stream → python3-h2 device → "
              f"lwm2md ({reads} reads): median {statistics.median(lat):.2f} ms, "
              f"p99 {lat[int(len(lat) * 0.99) - 1]:.2f} ms")
    finally:
        if dev:
            dev.close()
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
