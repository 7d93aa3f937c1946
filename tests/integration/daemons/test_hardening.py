#!/usr/bin/python3
"""What a control-socket client or a power cut could do to a daemon, tried on
a real rdd: a flood of subscriptions (memory stays bounded, the loop keeps
answering), and an acknowledged registration that must be on stable storage
before its 2.01 leaves (strace shows the write-ahead log's fdatasync before
the reply's send; a copy of the files taken after the reply holds the row).

Usage: test_hardening.py BUILD_DIR SOURCE_DIR
Runs inside a private network namespace (re-executes itself under `unshare
-n` when root).  The rdd harness is the rdd tests'.
"""
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "rdd"))
sys.path.insert(0, os.path.join(HERE, ".."))
import lwgtest  # noqa: E402
import test_rdd as rd  # noqa: E402

BUILD = SOURCE = None
MAX_TOPICS = 64  # IPC_SERVER_MAX_TOPICS in lib/common/ipc_server.h


class Control:
    """A raw control-socket connection: one JSON object per SEQPACKET record."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.next_id = 1

    def call(self, cmd, args=None):
        rid = self.next_id
        self.next_id += 1
        self.sock.send(json.dumps({"id": rid, "cmd": cmd, "args": args or {}}).encode())
        while True:
            msg = json.loads(self.sock.recv(65536))
            if msg.get("id") == rid and "ok" in msg:
                return msg

    def close(self):
        self.sock.close()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+) kB", f.read(), re.M).group(1))


def with_asan_options(extra):
    """The environment with @extra added to ASAN_OPTIONS, for a sanitizer build."""
    opts = os.environ.get("ASAN_OPTIONS", "")
    return dict(os.environ, ASAN_OPTIONS=(opts + ":" if opts else "") + extra)


class SubscribeFloodTests(rd.RddCase):
    PREFIX = "lwgate-hardening-"
    START = False

    def test_subscribe_flood_is_bounded(self):
        """The issue's attack: 200 requests of 6,000 topics took rdd from 11 MB to
        114 MB and kept its loop busy for 37 s."""
        # under ASan, freed memory waits in a quarantine and would count as grown
        saved = os.environ.copy()
        os.environ.update(with_asan_options("quarantine_size_mb=0:thread_local_quarantine_size_kb=0"))
        try:
            self.start_rdd()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        pid = self.rdd.proc.pid
        ctl = Control(self.rdd.sock)
        self.assertEqual(ctl.call("hello")["result"], {"protocol": 1})
        before = rss_kib(pid)
        flood = Control(self.rdd.sock)
        topics = [f"t{i}" for i in range(6000)]
        for i in range(200):
            r = flood.call("subscribe", {"topics": topics})
            self.assertFalse(r["ok"])
            self.assertEqual(r["error"]["code"], "bad_args")
            self.assertIn(f"at most {MAX_TOPICS} topics per connection", r["error"]["message"])
            if i % 50 == 0:  # the loop still answers others
                self.assertTrue(ctl.call("status")["ok"])
        # the most a connection may hold, on as many connections as rdd takes
        full = []
        for i in range(200):
            c = Control(self.rdd.sock)
            names = [f"{i}.{k}.{'x' * 100}" for k in range(MAX_TOPICS)]
            r = c.call("subscribe", {"topics": names + names})
            self.assertTrue(r["ok"], r)
            self.assertEqual(r["result"]["count"], MAX_TOPICS)  # duplicates cost nothing
            full.append(c)
        self.assertTrue(ctl.call("status")["ok"])
        grown = rss_kib(pid) - before
        print(f"rdd: RSS grew by {grown} KiB after the flood and 200 full connections")
        # 200 x 64 topics of 110 bytes is 1.4 MB of strings; 16 MiB leaves room for
        # jansson's and the allocator's overhead and none for the 100 MB
        self.assertLess(grown, 16 * 1024)
        # a publish to all those connections still reaches a subscriber
        self.rdd.coap("post", "/rd?ep=flood-check", rd.RFC9176_LINKS, cf=40)
        for c in full:
            c.close()
        flood.close()
        ctl.close()


class TracedRdd(rd.Rdd):
    """rdd under strace, recording its syncs and sends with the files' names."""

    def start(self):
        self.trace = os.path.join(self.tmp, "strace.txt")
        self.log = os.path.join(self.tmp, "rdd.log")
        self.proc = lwgtest.start_daemon(
            ["strace", "-f", "-y", "-qq", "-o", self.trace, "-e",
             "trace=fsync,fdatasync,sendmsg,sendto,sendmmsg,recvmsg,recvfrom",
             os.path.join(rd.BUILD, "daemons", "rdd", "rdd"), "-f", "-c", self.ini], self.log,
            # LeakSanitizer stops the world with ptrace, which strace holds already
            env=with_asan_options("detect_leaks=0"))
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
            self.pid = int(f.read().split()[0])
        return self

    def stop(self):
        """SIGTERM to rdd itself (strace would only detach); strace then exits with
        rdd's status."""
        os.kill(self.pid, signal.SIGTERM)
        return self.proc.wait(timeout=10)


class DurabilityTests(rd.RddCase):
    PREFIX = "lwgate-durable-"
    START = False
    CLEAN_STOP = True

    def test_acknowledged_registration_synced_before_reply(self):
        self.rdd = TracedRdd(self.tmp).start()
        r = self.rdd.coap("post", "/rd?ep=durable&lt=600", rd.RFC9176_LINKS, cf=40)
        self.assertEqual(r.code, "2.01", r)
        # the files as a power cut right after the reply would find them, if the
        # page cache were written out: the row is in them
        copy = os.path.join(self.tmp, "copy")
        os.mkdir(copy)
        for suffix in ("", "-wal"):
            if os.path.exists(self.rdd.db + suffix):
                shutil.copy(self.rdd.db + suffix, os.path.join(copy, "rdd.db" + suffix))
        con = sqlite3.connect(os.path.join(copy, "rdd.db"))
        try:
            eps = [row[0] for row in con.execute("SELECT ep FROM registration")]
        finally:
            con.close()
        self.assertEqual(eps, ["durable"])
        self.assertEqual(self.rdd.stop(), 0)
        self.rdd = None
        # a copy cannot tell synchronous=NORMAL from FULL (both are in the page
        # cache); the order of the system calls can: the log is synced between
        # receiving the registration and sending its 2.01
        with open(os.path.join(self.tmp, "strace.txt")) as f:
            calls = f.read().splitlines()
        coap = [i for i, c in enumerate(calls) if "sa_family=AF_INET6" in c]
        recv = [i for i in coap if re.search(r"\brecv(msg|from)\(", calls[i])]
        self.assertTrue(recv, "\n".join(calls[-40:]))
        udp = [i for i in coap if re.search(r"\bsend(msg|to)\(", calls[i]) and i > recv[0]]
        self.assertTrue(udp, "\n".join(calls[-40:]))
        synced = [i for i, c in enumerate(calls)
                  if re.search(r"\bf(data)?sync\(\d+<[^>]*rdd\.db-wal>\) = 0", c)]
        self.assertTrue(any(recv[0] < i < udp[0] for i in synced),
                        "no sync of rdd.db-wal between the request and the reply:\n"
                        + "\n".join(calls[recv[0]:udp[0] + 1]))


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], rd])
