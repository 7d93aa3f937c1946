#!/usr/bin/python3
"""A fleet in one real lwm2md process: N registered clients, each with two
observations, loaded by a restart — what lwm2md holds for them (its tables,
its SQLite cache, and libcoap's /rd/{location} resource per client) — and
how soon it serves again.

One client, the probe, registers over UDP for real; its rows are the
template for N-1 more written into lwm2md.db the way lwm2md writes them
(each its own address and port, location and 8-byte tokens).  Then
lwm2md starts on that database with NOTIFY_SOCKET set, and the bench
prints:
  - the time from exec to READY=1 (registrations and observations loaded,
    every listener bound), and to the answer of a Read of the probe
    (lwm2md asks the probe over UDP and relays its 2.05);
  - lwm2md's RSS then (VmRSS, and VmHWM: the peak while loading), and
    per client.
Not included: libcoap server sessions, which exist only for clients that
spoke since the start and are bounded by [coap] max_idle_sessions.

Usage: bench_fleet.py LWM2MD_BINARY [CLIENTS]   (default 100000: about 7 s
on a 2-core machine).  Prints figures; never fails on time.
"""
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "lwm2md"))
import coapmsg as cm  # noqa: E402
from benchctl import Ctl  # noqa: E402  (it puts tests/integration on the path)
from lwgtest import free_port  # noqa: E402

PROBE = "fleet-probe"


def start(exe, ini, notify_path):
    """lwm2md in the foreground; (process, seconds to READY=1)."""
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if os.path.exists(notify_path):
        os.unlink(notify_path)
    ns.bind(notify_path)
    ns.settimeout(120)
    env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    log = open(os.environ.get("BENCH_LOG", os.devnull), "a")
    t0 = time.monotonic()
    proc = subprocess.Popen([exe, "-f", "-c", ini], stdout=log, stderr=log, env=env)
    while b"READY=1" not in ns.recv(4096):
        pass
    ready = time.monotonic() - t0
    ns.close()
    return proc, t0, ready


def answer_reads(sock, stop):
    """The probe: every request gets 2.05 "87" (text), piggybacked."""
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            data, peer = sock.recvfrom(2048)
        except socket.timeout:
            continue
        msg = cm.decode(data)
        if msg["type"] == cm.CON and msg["code"] >> 5 == 0:
            sock.sendto(cm.encode(cm.ACK, cm.code("2.05"), msg["mid"], msg["token"],
                                  [(cm.CONTENT_FORMAT, b"")], b"87"), peer)


def fill(db, clients):
    """N-1 clients like the probe, and two observations for each of the N."""
    con = sqlite3.connect(db)
    cols = [r[1] for r in con.execute("PRAGMA table_info(clients)")]
    row = dict(zip(cols, con.execute("SELECT * FROM clients WHERE ep = ?",
                                     (PROBE,)).fetchone()))
    rows = []
    for i in range(1, clients):
        r = dict(row, ep=f"fleet-{i}", location=f"{i:020x}",
                 address=f"2001:db8::{i >> 16:x}:{i & 0xffff:x}", port=5683 + i % 50000)
        rows.append(tuple(r[c] for c in cols))
    con.executemany(f"INSERT INTO clients VALUES ({', '.join('?' * len(cols))})", rows)
    obs = []
    for i in range(clients):
        ep = PROBE if i == 0 else f"fleet-{i}"
        for k, path in enumerate(("/3/0/9", "/3303/0/5700")):
            token = b"flt" + bytes([k]) + i.to_bytes(4, "big")
            obs.append((token, ep, path, -1, 0))
    con.executemany("INSERT INTO observations (token, ep, path, accept, created) "
                    "VALUES (?, ?, ?, ?, ?)", obs)
    con.commit()
    con.close()


def rss_kib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def main():
    exe = sys.argv[1]
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    tmp = tempfile.mkdtemp(prefix="bench-fleet-")
    port = free_port()
    ini = os.path.join(tmp, "lwm2md.ini")
    with open(ini, "w") as f:
        f.write(f"[daemon]\nsocket = {tmp}/lwm2md.sock\ndatabase = {tmp}/lwm2md.db\nuser =\n"
                f"[coap]\naddress = ::1\nport = {port}\n[coaps]\nenabled = no\n"
                "[coap+tcp]\nenabled = no\n[coaps+tcp]\nenabled = no\n[rd]\nmirror = no\n"
                f"[lwm2m]\nmax_clients = {clients + 10}\n"
                f"max_observations = {2 * clients + 10}\n")
    notify = os.path.join(tmp, "notify")
    probe = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    probe.bind(("::1", 0))
    probe.settimeout(5)
    proc = None
    try:
        proc, _, _ = start(exe, ini, notify)
        probe.sendto(cm.register(1, f"ep={PROBE}&lt=86400", "</1/0>,</3/0>,</3303/0>"),
                     ("::1", port))
        assert cm.code_str(cm.decode(probe.recv(2048))["code"]) == "2.01"
        idle = rss_kib(proc.pid)["VmRSS"]
        proc.terminate()
        proc.wait()
        t = time.monotonic()
        fill(f"{tmp}/lwm2md.db", clients)
        print(f"bench_fleet: {clients} clients and {2 * clients} observations written to "
              f"lwm2md.db in {time.monotonic() - t:.1f} s")
        stop = threading.Event()
        th = threading.Thread(target=answer_reads, args=(probe, stop), daemon=True)
        th.start()
        proc, t0, ready = start(exe, ini, notify)
        ctl = Ctl(f"{tmp}/lwm2md.sock")
        r = ctl.call("read", ep=PROBE, path="/3/0/9")
        served = time.monotonic() - t0
        assert r["ok"] and r["result"]["values"]["/3/0/9"] == 87, r
        mem = rss_kib(proc.pid)
        st = ctl.call("status")["result"]
        n, o = st["clients"], st["counters"]["observations"]
        stop.set()
        print(f"restart: {n} registrations and {o} observations loaded, READY=1 after "
              f"{ready:.2f} s, a Read answered after {served:.2f} s (goal < 2 s)")
        print(f"memory: VmRSS {mem['VmRSS'] / 1024:.1f} MiB, peak VmHWM "
              f"{mem['VmHWM'] / 1024:.1f} MiB (goal < 300 MB), "
              f"{(mem['VmRSS'] - idle) * 1024 / max(n, 1):.0f} bytes per client "
              f"over an idle lwm2md ({idle / 1024:.1f} MiB)")
    finally:
        if proc and proc.poll() is None:
            proc.terminate()
            proc.wait()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
