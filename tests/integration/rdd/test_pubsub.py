#!/usr/bin/python3
"""rdd's publish-subscribe broker (draft-ietf-core-coap-pubsub), driven by
libcoap's coap-client-openssl as topic creator, publisher and subscriber,
and by lwgatectl.  Topic configurations are written and read with Python's
cbor2, not with rdd's codec.

Usage: test_pubsub.py BUILD_DIR SOURCE_DIR (runs in its own network
namespace through lwgtest, with test_rdd.py's Rdd harness).
"""
import datetime
import json
import os
import re
import socket
import struct
import sqlite3
import subprocess
import sys
import time

import cbor2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import lwgtest  # noqa: E402
import test_rdd  # noqa: E402
from test_rdd import CLIENT, RddCase, links, wait_for  # noqa: E402

CF = 606  # application/core-pubsub+cbor as rdd numbers it by default
# not anchored: coap-client prints a notification's payload just before its debug line
PDU = re.compile(r"v:1 t:(\w+) c:(\d\.\d\d) i:\w+ \{([0-9a-f]*)\} \[([^\]]*)\]")


class Answer:
    def __init__(self, code, options, body, diag):
        self.code, self.options, self.body, self.diag = code, options, body, diag

    def option(self, name):
        m = re.search(name + r":([^,\] ]+)", self.options)
        return m.group(1) if m else None

    def cbor(self):
        return cbor2.loads(self.body)

    def __repr__(self):
        return f"<{self.code} [{self.options}] {self.body!r} {self.diag}>"


class Broker:
    """coap-client requests with binary payloads (the harness' coap() sends text)."""

    def __init__(self, rdd):
        self.rdd = rdd
        self.n = 0

    def url(self, path, coaps_port=None):
        if coaps_port:
            return f"coaps://[::1]:{coaps_port}/{path.lstrip('/')}"
        return f"coap://[::1]:{self.rdd.port}/{path.lstrip('/')}"

    def req(self, method, path, body=None, cf=None, psk=None, coaps_port=None):
        """psk=(identity, key) with coaps_port: over DTLS."""
        self.n += 1
        out = os.path.join(self.rdd.tmp, f"out{self.n}")
        cmd = [CLIENT, "-v", "6", "-B", "5", "-m", method, "-o", out]
        if psk:
            cmd += ["-u", psk[0], "-k", psk[1]]
        if body is not None:
            pf = os.path.join(self.rdd.tmp, f"in{self.n}")
            with open(pf, "wb") as f:
                f.write(body if isinstance(body, bytes) else cbor2.dumps(body))
            cmd += ["-f", pf]
        if cf is not None:
            cmd += ["-t", str(cf)]
        r = subprocess.run(cmd + [self.url(path, coaps_port if psk else None)],
                           capture_output=True, timeout=30)
        text = (r.stdout + r.stderr).decode(errors="replace")
        pdus = [p for p in PDU.findall(text) if not p[1].startswith("0.")]
        if not pdus:
            raise AssertionError(f"no answer to {method} {path}: {text}")
        _, code, _, options = pdus[-1]
        body = b""
        if os.path.exists(out):
            with open(out, "rb") as f:
                body = f.read()
        m = re.search(r"^\d\.\d\d (.*)$", r.stderr.decode(errors="replace"), re.M)
        return Answer(code, options, body, m.group(1) if m else "")

    def create(self, conf):
        r = self.req("post", "ps", conf, cf=CF)
        assert r.code == "2.01", r
        return r

    def subscribe(self, path, seconds):
        """An observer for @seconds; .done() gives its notifications as (type, code, options)."""
        return Subscriber(self.url(path), seconds)


class Subscriber:
    def __init__(self, url, seconds):
        self.proc = subprocess.Popen([CLIENT, "-v", "6", "-B", str(seconds), "-s", str(seconds),
                                      "-m", "get", url], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)

    def done(self, timeout=30):
        out, _ = self.proc.communicate(timeout=timeout)
        text = out.decode(errors="replace")
        return [(t, c, o) for t, c, _, o in PDU.findall(text) if not c.startswith("0.")]


def observe_values(notes):
    return [int(m.group(1)) for _, _, o in notes for m in [re.search(r"Observe:(\d+)", o)] if m]


class PubsubTests(RddCase):
    PREFIX = "lwgate-pubsub-"
    START = False  # with the broker's own registration, which the other rdd tests leave out
    CLEAN_STOP = True
    extra = ""

    def setUp(self):
        super().setUp()
        self.start_rdd(self.extra, broker_ep="lwgate-broker")
        self.ps = Broker(self.rdd)

    def topic(self, name, more=None):
        conf = {0: name, 2: "core.ps.data"}
        conf.update(more or {})
        r = self.ps.create(conf)
        path = "/".join(re.findall(r"Location-Path:([^,\] ]+)", r.options))
        return path, r.cbor()[1]

    def test_discovery_and_rd_registration(self):
        wkc = self.rdd.coap("get", "/.well-known/core?rt=core.ps").payload
        self.assertEqual(links(wkc), ['</ps>;rt="core.ps core.ps.coll";ct=40'])
        self.assertEqual(links(self.rdd.coap("get", "/.well-known/core?rt=core.ps.coll").payload),
                         ['</ps>;rt="core.ps core.ps.coll";ct=40'])
        # the broker is registered in the RD itself
        res = self.rdd.coap("get", "/rd-lookup/res?rt=core.ps").payload
        self.assertEqual(len(links(res)), 1)
        self.assertTrue(links(res)[0].startswith(f"<coap://[::1]:{self.rdd.port}/ps>"), res)
        ep = self.rdd.coap("get", "/rd-lookup/ep?ep=lwgate-broker").payload
        self.assertIn("ep=lwgate-broker;", ep)
        # and once only, after a restart too
        self.assertEqual(self.rdd.stop(), 0)
        self.rdd.start()
        self.assertEqual(len(self.rdd.endpoints("ep=lwgate-broker")), 1)

    def test_create_read_update_fetch(self):
        r = self.ps.create({0: "living-room-sensor", 2: "core.ps.data"})
        self.assertEqual(r.option("Content-Format"), str(CF))
        conf = r.cbor()
        loc = "/".join(re.findall(r"Location-Path:([^,\] ]+)", r.options))
        self.assertRegex(loc, r"^ps/[0-9a-f]{8}$")
        self.assertEqual(conf[0], "living-room-sensor")
        self.assertEqual(conf[2], "core.ps.data")
        # a path-absolute reference (-19 §2.4.3): "ps/data/…" would resolve against the
        # topic's URI /ps/<id> to /ps/ps/data/…
        self.assertRegex(conf[1], r"^/ps/data/[0-9a-f]{8}$")
        data = conf[1]
        # errors: name in use, required parameter missing, not CBOR, unknown key, wrong format
        self.assertEqual(self.ps.req("post", "ps", {0: "living-room-sensor", 2: "x"}, CF).code,
                         "4.00")
        self.assertEqual(self.ps.req("post", "ps", {0: "other"}, CF).code, "4.00")
        bad = self.ps.req("post", "ps", b"\xa1\x00", CF)
        self.assertEqual(bad.code, "4.00")
        self.assertIn("byte", bad.diag)
        self.assertEqual(self.ps.req("post", "ps", {0: "o", 2: "x", 42: 1}, CF).code, "4.00")
        self.assertEqual(self.ps.req("post", "ps", {0: "o", 2: "x"}, 60).code, "4.15")
        past = {0: "o", 2: "x", 5: "2001-01-01T00:00:00Z"}
        self.assertEqual(self.ps.req("post", "ps", past, CF).code, "4.00")
        # GET the topic
        r = self.ps.req("get", loc)
        self.assertEqual((r.code, r.cbor()), ("2.05", conf))
        # iPATCH changes what it names only
        r = self.ps.req("ipatch", loc, {5: "2099-02-28T23:59:59Z", 6: 5, 4: "temperature"}, CF)
        self.assertEqual(r.code, "2.04", r)
        # expiration-date comes back as the editor's copy has it: 1(epoch seconds), a datetime
        when = datetime.datetime(2099, 2, 28, 23, 59, 59, tzinfo=datetime.timezone.utc)
        self.assertEqual(r.cbor(), {**conf, 4: "temperature", 5: when, 6: 5})
        self.assertIn(b"\x05\xc1\x1a", r.body)
        # immutable parameters
        self.assertEqual(self.ps.req("ipatch", loc, {0: "renamed"}, CF).code, "4.00")
        self.assertEqual(self.ps.req("ipatch", loc, {1: "ps/data/other"}, CF).code, "4.00")
        # repeating topic-data in the relative form rdd gave before is no change
        r = self.ps.req("ipatch", loc, {1: data.lstrip("/")}, CF)
        self.assertEqual((r.code, r.cbor()[1]), ("2.04", data))
        # FETCH with a conf-filter, by keys and by names
        r = self.ps.req("fetch", loc, {9: [1, 6]}, CF)
        self.assertEqual((r.code, r.cbor()), ("2.05", {1: data, 6: 5}))
        r = self.ps.req("fetch", loc, {9: ["topic-type"]}, CF)
        self.assertEqual(r.cbor(), {4: "temperature"})
        # conf-filter under -18's key, 10
        r = self.ps.req("fetch", loc, {10: [1, 6]}, CF)
        self.assertEqual((r.code, r.cbor()), ("2.05", {1: data, 6: 5}))
        # PUT replaces: the optional parameters not given go back to their defaults
        r = self.ps.req("put", loc, {0: "living-room-sensor", 2: "core.ps.data", 3: 60, 7: 600},
                        CF)
        self.assertEqual(r.code, "2.04", r)
        self.assertEqual(r.cbor(), {0: "living-room-sensor", 1: data, 2: "core.ps.data", 3: 60,
                                    7: 600})
        # the collection: GET (all, or topic-data links), FETCH with a filter
        second, _ = self.topic("kitchen", {4: "humidity"})
        r = self.ps.req("get", "ps")
        self.assertEqual(r.option("Content-Format"), "application/link-format")
        self.assertEqual(links(r.body.decode()),
                         [f'</{loc}>;rt="core.ps.conf";ct={CF}',
                          f'</{second}>;rt="core.ps.conf";ct={CF}'])
        r = self.ps.req("get", "ps?rt=core.ps.data")
        self.assertEqual(links(r.body.decode())[0], f'<{data}>;rt="core.ps.data";obs')
        self.assertEqual(len(links(r.body.decode())), 2)
        r = self.ps.req("fetch", "ps", {2: "core.ps.data", 4: "humidity"}, CF)
        self.assertEqual(links(r.body.decode()), [f'</{second}>;rt="core.ps.conf";ct={CF}'])
        r = self.ps.req("fetch", "ps", {3: 60}, CF)
        self.assertEqual(links(r.body.decode()), [f'</{loc}>;rt="core.ps.conf";ct={CF}'])
        self.assertEqual(self.ps.req("fetch", "ps", {4: "none"}, CF).body, b"")
        # lwgatectl lists them
        topics = self.rdd.ctl_json("topics")
        self.assertEqual([(t["name"], t["path"], t["content_format"], t["state"])
                          for t in topics],
                         [("living-room-sensor", "/" + loc, 60, "half-created"),
                          ("kitchen", "/" + second, None, "half-created")])
        self.assertEqual(self.rdd.status()["counters"]["ps_created"], 2)

    def test_publish_lifecycle_and_subscribe(self):
        loc, data = self.topic("temp", {3: 0})
        # half created: no data to read or observe yet
        self.assertEqual(self.ps.req("get", data).code, "4.04")
        # the first publication creates (2.01), the next ones change (2.04)
        self.assertEqual(self.ps.req("put", data, b"21.5", 0).code, "2.01")
        self.assertEqual(self.ps.req("put", data, b"22.0", 50).code, "4.15")
        r = self.ps.req("get", data)
        self.assertEqual((r.code, r.body, r.option("Content-Format")), ("2.05", b"21.5",
                                                                       "text/plain"))
        sub = self.ps.subscribe(data, 6)
        wait_for(lambda: self.rdd.status()["subscribers"] == 1, "the subscription")
        for v in (b"22.0", b"22.5", b"23.0"):
            time.sleep(0.05)
            self.assertEqual(self.ps.req("put", data, v, 0).code, "2.04")
        self.assertEqual(self.rdd.ctl_json("topics")[0]["subscribers"], 1)
        # DELETE the topic-data: the subscriber gets a 4.04, the topic is half created
        self.assertEqual(self.ps.req("delete", data).code, "2.02")
        notes = sub.done()
        self.assertEqual([c for _, c, _ in notes], ["2.05", "2.05", "2.05", "2.05", "4.04"])
        obs = observe_values(notes)
        self.assertEqual(len(obs), 4)
        self.assertEqual(obs, sorted(obs))
        self.assertEqual(self.ps.req("get", data).code, "4.04")
        self.assertEqual(self.rdd.status()["subscribers"], 0)
        self.assertEqual(self.rdd.ctl_json("topics")[0]["state"], "half-created")
        self.assertEqual(self.ps.req("put", data, b"19", 0).code, "2.01")
        st = self.rdd.status()["counters"]
        self.assertEqual(st["ps_publications"], 5)
        self.assertEqual(st["ps_notifications"], 3)  # the 2.05s; the 4.04 ends are not counted

    def test_editors_copy_forms(self):
        """-19 (§2.5.3, §2.2.1): POST updates a topic, expiration-date is tag 1,
        initialize carries the initial topic-data."""
        when = datetime.datetime(2099, 1, 1, tzinfo=datetime.timezone.utc)
        r = self.ps.create({0: "valve", 2: "core.ps.data", 3: 0, 5: cbor2.CBORTag(1, 4070908800),
                            8: b"closed"})
        conf = r.cbor()
        self.assertEqual(conf[5], when)
        self.assertNotIn(8, conf)  # the value went to topic-data; it is no configuration
        loc = "/".join(re.findall(r"Location-Path:([^,\] ]+)", r.options))
        data = conf[1]
        # fully created at once: the initial value, in the topic's content format
        r = self.ps.req("get", data)
        self.assertEqual((r.code, r.body, r.option("Content-Format")),
                         ("2.05", b"closed", "text/plain"))
        self.assertEqual(self.ps.req("put", data, b"open", 0).code, "2.04")
        # POST replaces the configuration, as PUT does
        r = self.ps.req("post", loc, {0: "valve", 2: "core.ps.data", 6: 3}, CF)
        self.assertEqual(r.code, "2.04", r)
        self.assertEqual(r.cbor(), {0: "valve", 1: data, 2: "core.ps.data", 6: 3})
        self.assertEqual(self.ps.req("get", loc).cbor(), r.cbor())
        self.assertEqual(self.ps.req("post", loc, {0: "renamed", 2: "core.ps.data"}, CF).code,
                         "4.00")
        # a value is for creation only
        r = self.ps.req("ipatch", loc, {8: b"x"}, CF)
        self.assertEqual(r.code, "4.00", r)
        self.assertIn("initialize", r.diag)
        # -19 §2.2.1: with initialize, topic-content-format MUST be given
        r = self.ps.req("post", "ps", {0: "no-cf", 2: "core.ps.data", 8: b"x"}, CF)
        self.assertEqual(r.code, "4.00", r)
        self.assertIn("topic-content-format", r.diag)
        # -18's forms: initialize as a bool at 9 (the topic starts with an empty value);
        # no bool goes back, -19 has none
        r = self.ps.create({0: "older", 2: "core.ps.data", 9: True})
        self.assertEqual(sorted(r.cbor()), [0, 1, 2])
        self.assertEqual(self.ps.req("get", r.cbor()[1]).code, "2.05")
        # -18's topic-history (8, a number) is gone from -19: refused, not ignored
        r = self.ps.req("post", "ps", {0: "history", 2: "core.ps.data", 8: 10}, CF)
        self.assertEqual(r.code, "4.00", r)
        self.assertIn("topic-history", r.diag)
        # tag 1 over a float is a tag 1 too (RFC 8949 §3.4.2)
        r = self.ps.create({0: "float", 2: "core.ps.data", 5: cbor2.CBORTag(1, 4070908799.5)})
        self.assertEqual(r.cbor()[5], when)
        # an initial value is a publication's size at most, and tag 1 only
        big = self.ps.req("post", "ps", {0: "big", 2: "core.ps.data", 3: 0, 8: bytes(1025)}, CF)
        self.assertEqual(big.code, "4.13")
        bad = {0: "t0", 2: "core.ps.data", 5: cbor2.CBORTag(0, "2099-01-01T00:00:00Z")}
        self.assertEqual(self.ps.req("post", "ps", bad, CF).code, "4.00")
        past = {0: "past", 2: "core.ps.data", 5: cbor2.CBORTag(1, 1000)}
        self.assertEqual(self.ps.req("post", "ps", past, CF).code, "4.00")

    def test_delete_topic_ends_subscriptions(self):
        loc, data = self.topic("door", {9: True})
        # initialize: subscribers can come before the first publication
        r = self.ps.req("get", data)
        self.assertEqual((r.code, r.body), ("2.05", b""))
        self.assertEqual(self.ps.req("put", data, b"open").code, "2.04")
        subs = [self.ps.subscribe(data, 8) for _ in range(3)]
        wait_for(lambda: self.rdd.status()["subscribers"] == 3, "three subscriptions")
        watch = subprocess.Popen([os.path.join(test_rdd.BUILD, "cli", "lwgatectl"), "--json",
                                  "--socket-dir", self.tmp, "rdd", "watch", "ps.*"],
                                 stdout=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: self.rdd.status()["counters"]["ipc_clients"] >= 2, "watch")
            self.assertEqual(self.ps.req("delete", loc).code, "2.02")
            ev = json.loads(watch.stdout.readline())
            self.assertEqual((ev["event"], ev["data"]["name"], ev["data"]["subscribers"]),
                             ("ps.topic_deleted", "door", 3))
        finally:
            watch.terminate()
            watch.wait()
            watch.stdout.close()
        for s in subs:
            notes = s.done()
            self.assertEqual([c for _, c, _ in notes], ["2.05", "4.04"])
        self.assertEqual(self.ps.req("get", loc).code, "4.04")
        self.assertEqual(self.ps.req("get", data).code, "4.04")
        self.assertEqual(self.ps.req("put", data, b"x").code, "4.04")
        self.assertEqual(self.ps.req("get", "ps").body, b"")
        self.assertEqual(self.rdd.ctl_json("topics"), [])

    def test_max_subscribers(self):
        loc, data = self.topic("limited", {6: 1, 9: True})
        first = self.ps.subscribe(data, 8)
        wait_for(lambda: self.rdd.status()["subscribers"] == 1, "the first subscription")
        # past max-subscribers: a plain 2.05, without Observe (RFC 7641 §4.1)
        second = self.ps.subscribe(data, 2)
        notes = second.done()
        self.assertEqual(len(notes), 1)
        self.assertEqual(notes[0][1], "2.05")
        self.assertNotIn("Observe", notes[0][2])
        self.assertEqual(self.rdd.status()["counters"]["ps_refused_subscriptions"], 1)
        # lowering max-subscribers ends subscriptions with a 4.04
        self.assertEqual(self.ps.req("ipatch", loc, {6: 0}, CF).code, "2.04")
        notes = first.done()
        self.assertEqual([c for _, c, _ in notes], ["2.05", "4.04"])
        self.assertEqual(self.rdd.status()["subscribers"], 0)

    def test_observer_check(self):
        # observer-check 1: a notification goes confirmable once a second has passed
        loc, data = self.topic("checked", {7: 1, 9: True})
        sub = self.ps.subscribe(data, 5)
        wait_for(lambda: self.rdd.status()["subscribers"] == 1, "the subscription")
        self.assertEqual(self.ps.req("put", data, b"a").code, "2.04")
        time.sleep(1.3)
        self.assertEqual(self.ps.req("put", data, b"b").code, "2.04")
        time.sleep(0.05)
        self.assertEqual(self.ps.req("put", data, b"c").code, "2.04")
        notes = sub.done()
        self.assertEqual([(t, c) for t, c, _ in notes],
                         [("ACK", "2.05"), ("NON", "2.05"), ("CON", "2.05"), ("NON", "2.05")])
        # the subscriber acknowledged the confirmable one: still subscribed until it left
        self.assertEqual(self.rdd.status()["counters"]["ps_notifications"], 3)

    def test_rst_ends_subscription(self):
        """A subscriber that answers a confirmable notification with RST is dropped
        (a raw socket, since coap-client never sends RST to a notification it expects)."""
        loc, data = self.topic("reset", {7: 1, 9: True})
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        sock.settimeout(5)
        try:
            opts, last = b"\x60", 6  # Observe: 0 (delta 6, empty)
            for seg in data.strip("/").split("/"):
                opts += bytes([((11 - last) << 4) | len(seg)]) + seg.encode()
                last = 11
            sock.sendto(struct.pack("!BBH", 0x41, 1, 0x1234) + b"\x07" + opts,
                        ("::1", self.rdd.port))
            answer = sock.recv(1500)
            self.assertEqual(answer[:4], bytes([0x61, 0x45, 0x12, 0x34]))  # ACK 2.05
            self.assertEqual(self.rdd.status()["subscribers"], 1)
            time.sleep(1.2)  # observer-check 1: the next notification is confirmable
            self.assertEqual(self.ps.req("put", data, b"x").code, "2.04")
            note = sock.recv(1500)
            self.assertEqual((note[0] >> 4 & 3, note[1]), (0, 0x45))  # CON 2.05
            sock.sendto(bytes([0x70, 0]) + note[2:4], ("::1", self.rdd.port))  # RST
            wait_for(lambda: self.rdd.status()["subscribers"] == 0, "the subscriber dropped")
        finally:
            sock.close()

    def test_persistence_across_kill9(self):
        loc, data = self.topic("sleepy", {3: 0, 6: 10})
        self.assertEqual(self.ps.req("put", data, b"last known", 0).code, "2.01")
        other, other_data = self.topic("never-published")
        self.rdd.kill9()
        # a row as rdd stored it before it followed -19: a relative topic-data, a bool
        # initialize; read back as "/ps/data/…" and without the bool
        con = sqlite3.connect(self.rdd.db)
        with con:
            con.execute("UPDATE topic SET conf = ? WHERE data_id = ?",
                        (cbor2.dumps({0: "sleepy", 1: data.lstrip("/"), 2: "core.ps.data",
                                      3: 0, 6: 10, 8: True}), data.rsplit("/", 1)[1]))
        con.close()
        self.rdd.start()
        # the subscriber gets the last value at once, though the publisher sleeps
        r = self.ps.req("get", data)
        self.assertEqual((r.code, r.body, r.option("Content-Format")),
                         ("2.05", b"last known", "text/plain"))
        self.assertEqual(self.ps.req("get", loc).cbor(),
                         {0: "sleepy", 1: data, 2: "core.ps.data", 3: 0, 6: 10})
        self.assertEqual(self.ps.req("get", other_data).code, "4.04")
        self.assertEqual(self.ps.req("put", other_data, b"1").code, "2.01")
        self.assertEqual(self.ps.req("put", data, b"next", 0).code, "2.04")
        t = {x["name"]: x for x in self.rdd.ctl_json("topics")}
        self.assertEqual(t["sleepy"]["value_size"], 4)
        self.assertEqual(t["never-published"]["state"], "fully-created")
        self.assertAlmostEqual(t["sleepy"]["published"], time.time(), delta=30)
        # a deletion survives too
        self.assertEqual(self.ps.req("delete", other).code, "2.02")
        self.rdd.kill9()
        self.rdd.start()
        self.assertEqual([x["name"] for x in self.rdd.ctl_json("topics")], ["sleepy"])
        self.assertEqual(self.ps.req("get", data).body, b"next")

    def test_expiration(self):
        # whole seconds: 4 s ahead is at least 3 s once rounded down, time enough to
        # subscribe on a loaded machine, and the observation (8 s) outlasts it
        when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=4)
        loc, data = self.topic("brief", {5: when.strftime("%Y-%m-%dT%H:%M:%SZ"), 9: True})
        sub = self.ps.subscribe(data, 8)
        notes = sub.done()
        self.assertEqual([c for _, c, _ in notes], ["2.05", "4.04"])
        self.assertEqual(self.ps.req("get", loc).code, "4.04")
        self.assertEqual(self.rdd.status()["counters"]["ps_expired"], 1)


class LimitTests(RddCase):
    PREFIX = "lwgate-pubsub-"
    EXTRA = "[pubsub]\npublish_interval_ms = 30000\nmax_value_size = 16\nmax_topics = 1\n"
    CLEAN_STOP = True

    def setUp(self):
        super().setUp()
        self.ps = Broker(self.rdd)

    def test_limits_and_too_fast_publisher(self):
        r = self.ps.create({0: "fast", 2: "core.ps.data"})
        data = r.cbor()[1]
        # one topic at most, 16 bytes a value
        self.assertEqual(self.ps.req("post", "ps", {0: "second", 2: "core.ps.data"}, CF).code,
                         "4.03")
        r = self.ps.req("put", data, b"x" * 17)
        self.assertEqual((r.code, r.option("Size1")), ("4.13", "16"))
        self.assertEqual(self.ps.req("put", data, b"1").code, "2.01")
        r = self.ps.req("put", data, b"2")
        self.assertEqual(r.code, "4.29")
        self.assertTrue(0 < int(r.option("Max-Age")) <= 30, r)
        # the value refused did not replace the stored one
        self.assertEqual(self.ps.req("get", data).body, b"1")
        self.assertEqual(self.rdd.status()["counters"]["ps_rate_limited"], 1)
        # reload to no limit: accepted again
        with open(self.rdd.ini) as f:
            ini = f.read()
        with open(self.rdd.ini, "w") as f:
            f.write(ini.replace("publish_interval_ms = 30000", "publish_interval_ms = 0"))
        self.assertEqual(self.rdd.ctl("rdd", "reload").returncode, 0)
        wait_for(lambda: self.ps.req("put", data, b"3").code == "2.04", "the reload")


class PubsubAuthTests(RddCase):
    """The broker under the RD's [auth] rules: changes as registrations in [pubsub] sector,
    reads and subscriptions as lookups."""

    PREFIX = "lwgate-psauth-"
    START = False
    CLEAN_STOP = True

    def setUp(self):
        super().setUp()
        self.dtls = test_rdd.free_port()
        self.start_rdd(f"[coaps]\nport = {self.dtls}\n"
                       "[auth]\nregistration_required = yes\nlookup_open = no\n"
                       "tokens = tok-farm:farm tok-any tok-barn:barn\n"
                       "[pubsub]\nsector = farm\n", broker_ep="lwgate-broker")
        self.ps = Broker(self.rdd)
        for ident, sectors in (("node-a", "farm"), ("node-b", "barn")):
            r = self.rdd.ctl("rdd", "cred-add", f"identity={ident}",
                             f"key={('key-' + ident).encode().hex()}", f"sectors={sectors}")
            self.assertEqual(r.returncode, 0, r.stderr)

    def names(self):
        return [t["name"] for t in self.rdd.ctl_json("topics")]

    def test_changes_need_registration_credentials(self):
        conf = {0: "t1", 2: "core.ps.data"}
        r = self.ps.req("post", "ps", conf, cf=CF)
        self.assertEqual(r.code, "4.01", r)
        self.assertIn("auth=TOKEN", r.diag)
        r = self.ps.req("post", "ps?auth=wrong", conf, cf=CF)
        self.assertEqual(r.code, "4.01", r)
        r = self.ps.req("post", "ps?auth=tok-barn", conf, cf=CF)   # not the broker's sector
        self.assertEqual(r.code, "4.03", r)
        self.assertIn("farm", r.diag)
        self.assertEqual(self.ps.req("post", "ps?auth=a&auth=b", conf, cf=CF).code, "4.00")
        self.assertEqual(self.names(), [])
        r = self.ps.req("post", "ps?auth=tok-farm", conf, cf=CF)
        self.assertEqual(r.code, "2.01", r)
        topic = "/".join(re.findall(r"Location-Path:([^,\] ]+)", r.options))
        data = r.cbor()[1]
        # over coaps, a PSK identity allowed in farm may, one limited to barn may not
        b = ("node-b", "key-node-b")
        a = ("node-a", "key-node-a")
        r = self.ps.req("post", "ps", {0: "t2", 2: "core.ps.data"}, cf=CF, psk=b,
                        coaps_port=self.dtls)
        self.assertEqual(r.code, "4.03", r)
        r = self.ps.req("post", "ps", {0: "t2", 2: "core.ps.data"}, cf=CF, psk=a,
                        coaps_port=self.dtls)
        self.assertEqual(r.code, "2.01", r)
        self.assertEqual(self.names(), ["t1", "t2"])
        # publishing
        self.assertEqual(self.ps.req("put", data, b"1").code, "4.01")
        self.assertEqual(self.ps.req("put", data + "?auth=tok-barn", b"1").code, "4.03")
        self.assertEqual(self.ps.req("put", data, b"1", psk=b, coaps_port=self.dtls).code, "4.03")
        self.assertEqual(self.rdd.ctl_json("topics", "name=t1")[0]["state"], "half-created")
        self.assertEqual(self.ps.req("put", data + "?auth=tok-farm", b"1").code, "2.01")
        time.sleep(0.05)  # the publication interval
        self.assertEqual(self.ps.req("put", data, b"2", psk=a, coaps_port=self.dtls).code, "2.04")
        # configuring: iPATCH and PUT
        for method, body in (("ipatch", {4: "temperature"}),
                             ("put", {0: "t1", 2: "core.ps.data", 4: "humidity"})):
            self.assertEqual(self.ps.req(method, topic, body, cf=CF).code, "4.01", method)
            self.assertEqual(self.ps.req(method, topic + "?auth=tok-barn", body, cf=CF).code,
                             "4.03", method)
            r = self.ps.req(method, topic + "?auth=tok-any", body, cf=CF)
            self.assertEqual(r.code, "2.04", (method, r))
        # deleting the data, then the topic
        self.assertEqual(self.ps.req("delete", data).code, "4.01")
        self.assertEqual(self.ps.req("delete", data + "?auth=tok-farm").code, "2.02")
        self.assertEqual(self.ps.req("delete", topic).code, "4.01")
        self.assertEqual(self.ps.req("delete", topic + "?auth=tok-barn").code, "4.03")
        self.assertEqual(self.names(), ["t1", "t2"])
        self.assertEqual(self.ps.req("delete", topic + "?auth=tok-farm").code, "2.02")
        self.assertEqual(self.names(), ["t2"])
        self.assertGreaterEqual(self.rdd.status()["counters"]["auth_unauthorized"], 7)
        # the broker's own registration is in its sector
        self.assertEqual(self.rdd.endpoints("ep=lwgate-broker")[0]["d"], "farm")

    def test_reads_and_subscriptions_follow_the_lookup_rule(self):
        r = self.ps.req("post", "ps?auth=tok-farm", {0: "t1", 2: "core.ps.data", 9: True},
                        cf=CF)
        self.assertEqual(r.code, "2.01", r)
        topic = "/".join(re.findall(r"Location-Path:([^,\] ]+)", r.options))
        data = r.cbor()[1]
        self.assertEqual(self.ps.req("put", data + "?auth=tok-farm", b"42").code, "2.04")
        for method, path, body in (("get", "ps", None), ("fetch", "ps", {4: "x"}),
                                   ("get", topic, None), ("fetch", topic, {9: [0]}),
                                   ("get", data, None)):
            cf = CF if body is not None else None
            r = self.ps.req(method, path, body, cf=cf)
            self.assertEqual(r.code, "4.01", (method, path, r))
            self.assertIn("auth=TOKEN", r.diag)
            sep = "&" if "?" in path else "?"
            r = self.ps.req(method, path + sep + "auth=tok-any", body, cf=cf)
            self.assertEqual(r.code, "2.05", (method, path, r))
        # the auth= item is no filter of the collection
        r = self.ps.req("get", "ps?rt=core.ps.data&auth=tok-any")
        self.assertEqual(links(r.body.decode()), [f'<{data}>;rt="core.ps.data";obs'])
        # a PSK identity reads too
        r = self.ps.req("get", data, psk=("node-a", "key-node-a"), coaps_port=self.dtls)
        self.assertEqual((r.code, r.body), ("2.05", b"42"))
        # credentials limited to sectors read only when the broker's (farm) is one of them
        for path in ("ps", topic, data):
            r = self.ps.req("get", path + "?auth=tok-barn")
            self.assertEqual(r.code, "4.03", (path, r))
            self.assertIn("farm", r.diag)
        self.assertEqual(self.ps.req("get", data, psk=("node-b", "key-node-b"),
                                     coaps_port=self.dtls).code, "4.03")
        self.assertEqual(self.ps.req("get", data + "?auth=tok-farm").code, "2.05")
        # a subscription: refused without credentials, notified with them
        refused = self.ps.subscribe(data, 2)
        sub = self.ps.subscribe(data + "?auth=tok-any", 3)
        time.sleep(1)
        self.assertEqual(self.ps.req("put", data + "?auth=tok-farm", b"43").code, "2.04")
        notes = sub.done()
        self.assertEqual([c for _, c, _ in notes], ["2.05", "2.05"], notes)
        self.assertEqual([c for _, c, _ in refused.done()], ["4.01"])
        self.assertEqual(self.rdd.status()["counters"]["ps_publications"], 2)

    def test_bad_sector_stops_the_start(self):
        self.assertEqual(self.rdd.stop(), 0)
        with open(self.rdd.ini) as f:
            ini = f.read()
        for bad in ("a,b", "*", "-", "x" * 64, "a b"):
            with open(self.rdd.ini, "w") as f:
                f.write(re.sub(r"sector = .*", f"sector = {bad}", ini))
            r = subprocess.run([os.path.join(test_rdd.BUILD, "daemons", "rdd", "rdd"), "-f",
                                "-c", self.rdd.ini], capture_output=True, text=True, timeout=60)
            self.assertNotEqual(r.returncode, 0, bad)
            self.assertIn("[pubsub] sector", r.stderr, bad)

if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_rdd])
