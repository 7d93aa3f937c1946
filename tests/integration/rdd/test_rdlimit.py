#!/usr/bin/python3
"""rdd's bounds under open registration: [limits] max_registrations,
max_links_total, and the per-source token bucket (source_rate,
source_burst, sources).  A refusal is 5.03 with Max-Age (RFC 7252
§5.9.3.4), counted in status and logged once per source or cap and
interval.  Registrants are coap-client-openssl, and for bursts a raw UDP
socket that sends its requests back to back (coap-client is one request a
process, too slow to be a burst on a loaded machine).

Usage: test_rdlimit.py BUILD_DIR SOURCE_DIR
"""
import os
import re
import socket
import struct
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_rdd  # noqa: E402
from test_rdd import RddCase  # noqa: E402

MAX_AGE = 14


def coap_option(number, prev, value):
    """One option after option number prev (RFC 7252 §3.1), values shorter than 269 bytes."""
    delta, length = number - prev, len(value)
    head, ext = 0, b""
    for shift, n in ((4, delta), (0, length)):
        if n < 13:
            head |= n << shift
        else:
            head |= 13 << shift
            ext += bytes([n - 13])
    return bytes([head]) + ext + value


def coap_post_rd(mid, query, payload=b"</a>"):
    """A confirmable POST /rd?QUERY with a link-format payload."""
    opts = coap_option(11, 0, b"rd") + coap_option(12, 11, b"\x28")
    prev = 12
    for item in query.split("&"):
        opts += coap_option(15, prev, item.encode())
        prev = 15
    return struct.pack("!BBH", 0x41, 2, mid) + b"\x07" + opts + b"\xff" + payload


def coap_reply(data):
    """(message id, code "c.dd", {option number: value}) of a response."""
    mid = struct.unpack("!H", data[2:4])[0]
    code = f"{data[1] >> 5}.{data[1] & 31:02d}"
    pos, number, options = 4 + (data[0] & 15), 0, {}
    while pos < len(data) and data[pos] != 0xff:
        delta, length = data[pos] >> 4, data[pos] & 15
        pos += 1
        if delta == 13:
            delta, pos = data[pos] + 13, pos + 1
        if length == 13:
            length, pos = data[pos] + 13, pos + 1
        number += delta
        options[number] = data[pos:pos + length]
        pos += length
    return mid, code, options


def burst(port, queries, host="::1", source=None):
    """Send one POST /rd a query, back to back from one socket; the replies by message id."""
    family = socket.AF_INET if "." in host else socket.AF_INET6
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.settimeout(10)
    if source:
        sock.bind((source, 0))
    try:
        for i, q in enumerate(queries):
            sock.sendto(coap_post_rd(0x100 + i, q), (host, port))
        replies = {}
        while len(replies) < len(queries):
            mid, code, options = coap_reply(sock.recv(2048))
            replies[mid - 0x100] = (code, options)
        return [replies[i] for i in range(len(queries))]
    finally:
        sock.close()


class LimitTests(RddCase):
    START = False

    def register(self, query, payload="</a>", expect="2.01"):
        r = self.rdd.coap("post", "/rd?" + query, payload, cf=40 if payload else None)
        self.assertEqual(r.code, expect, r)
        return r

    def counters(self):
        return self.rdd.status()["counters"]

    def log(self):
        """rdd's log, once it has stopped."""
        self.assertEqual(self.rdd.stop(), 0)
        return self.rdd.logged()

    def start_with_log(self, limits):
        self.start_rdd("[limits]\n" + limits)

    def test_max_registrations(self):
        self.start_with_log("max_registrations = 2\n")
        loc = self.register("ep=a").location()
        self.register("ep=b")
        for _ in range(3):
            r = self.register("ep=c", expect="5.03")
            self.assertIn("Max-Age:60", r.options.replace(" ", ""), r)
        # replacing a registration adds none, and a removal makes room
        self.register("ep=a", "</new>")
        self.assertEqual(self.rdd.coap("delete", loc).code, "2.02")
        self.register("ep=c")
        self.register("ep=d", expect="5.03")
        self.assertEqual(self.counters()["limit_full_registrations"], 4)
        self.assertEqual([e["ep"] for e in self.rdd.endpoints()], ["b", "c"])
        # the groups of /rd-group have a cap of their own at the same number
        for gp, code in (("g1", "2.01"), ("g2", "2.01"), ("g3", "5.03"), ("g1", "2.01")):
            r = self.rdd.coap("post", "/rd-group?gp=" + gp, "<>;ep=b", cf=40)
            self.assertEqual(r.code, code, (gp, r))
        self.assertEqual(len(self.rdd.ctl_json("groups")), 2)
        self.assertEqual(self.counters()["limit_full_registrations"], 5)
        self.assertEqual(self.log().count("[limits] max_registrations"), 1)

    def test_max_links_total(self):
        self.start_with_log("max_links_total = 5\n")
        loc = self.register("ep=a", "</1>,</2>,</3>").location()
        self.register("ep=b", "</1>,</2>,</3>", expect="5.03")
        self.register("ep=b", "</1>,</2>")
        # an update with more links is refused whole; one with fewer goes
        r = self.rdd.coap("post", loc, "</1>,</2>,</3>,</4>", cf=40)
        self.assertEqual(r.code, "5.03", r)
        self.assertEqual(self.rdd.coap("get", loc).payload, "</1>,</2>,</3>")
        self.assertEqual(self.rdd.coap("post", loc, "</1>", cf=40).code, "2.04")
        # so does a merge patch that adds more than there is room for
        r = self.rdd.coap("ipatch", loc, '{"/x":{},"/y":{},"/z":{}}', cf=52)
        self.assertEqual(r.code, "5.03", r)
        self.assertEqual(self.rdd.coap("ipatch", loc, '{"/x":{},"/y":{}}', cf=52).code, "2.04")
        self.assertEqual(self.rdd.status()["links"], 5)
        self.assertEqual(self.counters()["limit_full_links"], 3)
        self.assertEqual(self.log().count("[limits] max_links_total"), 1)

    def test_source_rate(self):
        """A burst past source_burst gets 5.03 with Max-Age; another address does not."""
        self.start_with_log("source_rate = 1\nsource_burst = 3\n")
        got = burst(self.rdd.port, [f"ep=r{i}" for i in range(12)])
        codes = [code for code, _ in got]
        # the first source_burst go through at once; what follows waits for tokens at 1/s
        self.assertEqual(codes[:3], ["2.01"] * 3, codes)
        refused = [opts for code, opts in got if code == "5.03"]
        self.assertGreaterEqual(len(refused), 1, codes)
        self.assertEqual(set(codes), {"2.01", "5.03"})
        for opts in refused:
            self.assertGreaterEqual(int.from_bytes(opts[MAX_AGE], "big"), 1)
        created = codes.count("2.01")
        self.assertEqual(len(self.rdd.endpoints()), created)
        # the bucket is the address's: IPv4 loopback has its own
        self.assertEqual(burst(self.rdd.port, ["ep=v4"], host="127.0.0.1")[0][0], "2.01")
        self.assertEqual(self.counters()["limit_rate_refused"], len(refused))
        self.assertEqual(self.rdd.status()["limit_sources"], 2)
        log = self.log()
        self.assertEqual(len(re.findall(r"from ::1 refused for now", log)), 1, log)

    @unittest.skipUnless(os.environ.get("LWGATE_IN_NETNS") == "1",
                         "needs root for addresses of its own in a private network namespace")
    def test_sources_table_is_bounded(self):
        addrs = [f"2001:db8::{i + 1:x}" for i in range(24)]
        for a in addrs:
            subprocess.run(["ip", "-6", "addr", "add", a + "/128", "dev", "lo", "nodad"],
                           check=True)
        self.start_with_log("source_rate = 1\nsource_burst = 1\nsources = 4\n")
        for i, a in enumerate(addrs):
            self.assertEqual(burst(self.rdd.port, [f"ep=s{i}"], source=a)[0][0], "2.01", a)
        st = self.rdd.status()
        self.assertEqual(st["limit_sources"], 4)
        self.assertEqual(st["counters"]["limit_evictions"], len(addrs) - 4)
        # a source still in the table is still limited
        self.assertEqual(burst(self.rdd.port, ["ep=again"], source=addrs[-1])[0][0], "5.03")


if __name__ == "__main__":
    test_rdd.main()
