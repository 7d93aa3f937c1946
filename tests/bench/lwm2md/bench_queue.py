#!/usr/bin/python3
"""Queue mode at scale against a real lwm2md: C clients registered with
b=UQ fall asleep (awake_time 1 s), N operations are queued for each over
the control socket (answered with ids at once), then every client wakes
up with an Update and answers the requests that come, one at a time, in
order.  Prints how fast operations are queued and delivered, and checks
that none is lost (every operation done, each client saw its own in
order).  Never fails on time.

Usage: bench_queue.py LWM2MD_BINARY [CLIENTS [OPS_PER_CLIENT]]  (1000, 10)
The CoAP side is raw UDP (tests/integration/lwm2md/coapmsg.py).
"""
import os
import select
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "lwm2md"))
import coapmsg as cm  # noqa: E402
import lwgtest  # noqa: E402
from benchctl import Ctl, start_lwm2md  # noqa: E402


def main():
    exe = sys.argv[1]
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    tmp = tempfile.mkdtemp(prefix="bench-queue-")
    port = lwgtest.free_port()
    proc = start_lwm2md(exe, tmp, port, "[lwm2m]\nawake_time = 1\nqueue_deadline = 3600\n"
                        f"max_queued = {clients * per}\n")
    try:
        ctl = Ctl(f"{tmp}/lwm2md.sock")
        run(ctl, port, clients, per)
    finally:
        proc.terminate()
        proc.wait()
        subprocess.run(["rm", "-rf", tmp])


def run(ctl, port, clients, per):
    socks, locs = [], []
    for i in range(clients):
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.settimeout(5)
        s.sendto(cm.register(1, f"ep=q{i}&lt=86400&b=UQ", "</1/0>,</3/0>"), ("::1", port))
        r = cm.decode(s.recv(2048))
        assert cm.code_str(r["code"]) == "2.01", r
        locs.append([v for v in cm.options(r, cm.LOCATION_PATH)])
        socks.append(s)
    time.sleep(1.5)  # the awake window (1 s) ends
    t0 = time.monotonic()
    ids = {}
    for k in range(per):
        for i in range(clients):
            r = ctl.call("read", ep=f"q{i}", path=f"/3/0/{k % 20}")
            assert r["ok"] and r["result"]["state"] == "queued", r
            ids.setdefault(i, []).append(r["result"]["id"])
    t1 = time.monotonic()
    print(f"bench_queue: {clients} clients, {clients * per} operations queued in "
          f"{t1 - t0:.2f} s ({clients * per / (t1 - t0):.0f}/s, each committed)")
    by_fd = {s.fileno(): i for i, s in enumerate(socks)}
    seen = {i: [] for i in range(clients)}
    mids = {i: set() for i in range(clients)}
    retransmitted = 0
    t2 = time.monotonic()
    # every client wakes up with an Update, sent again (same message ID)
    # until its 2.04 comes, as a CON is: 1,000 at once overflow a socket
    updates = {i: cm.encode(cm.CON, 2, 2, b"\x09", [(cm.URI_PATH, p) for p in locs[i]])
               for i in range(clients)}
    resend = 0.0
    answered, deadline = 0, time.monotonic() + 300
    while answered < clients * per and time.monotonic() < deadline:
        if updates and time.monotonic() - resend > 2.0:
            for i, m in updates.items():
                socks[i].sendto(m, ("::1", port))
            resend = time.monotonic()
        ready, _, _ = select.select(socks, [], [], 1.0)
        for s in ready:
            msg = cm.decode(s.recv(2048))
            if msg["code"] >> 5 != 0:  # a response: the Update's 2.04
                updates.pop(by_fd[s.fileno()], None)
                continue
            i = by_fd[s.fileno()]
            path = "/" + "/".join(v.decode() for v in cm.options(msg, cm.URI_PATH))
            if msg["mid"] in mids[i]:
                retransmitted += 1  # our answer was late or lost: the same again
            else:
                mids[i].add(msg["mid"])
                seen[i].append(path)
                answered += 1
            s.sendto(cm.encode(cm.ACK, cm.code("2.05"), msg["mid"], msg["token"],
                               [(cm.CONTENT_FORMAT, b"")], b"87"), ("::1", port))
    # the last answers reach lwm2md before its counters are read
    for _ in range(100):
        st = ctl.call("status")["result"]["counters"]
        if st["ops_done"] + st["ops_failed"] >= answered:
            break
        time.sleep(0.05)
    t3 = time.monotonic()
    in_order = all(seen[i] == [f"/3/0/{k % 20}" for k in range(per)] for i in range(clients))
    print(f"delivered: {answered} of {clients * per} requests reached their clients in "
          f"{t3 - t2:.2f} s ({answered / (t3 - t2):.0f}/s), in queued order: {in_order}, "
          f"{retransmitted} retransmitted by lwm2md")
    print(f"lwm2md: ops_done={st['ops_done']} ops_failed={st['ops_failed']} "
          f"ops_expired={st['ops_expired']} ops_waiting={st['ops_waiting']} "
          f"(goal: {clients * per} done, none lost)")


if __name__ == "__main__":
    main()
