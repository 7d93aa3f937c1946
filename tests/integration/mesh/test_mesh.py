#!/usr/bin/python3
"""lowpand on lwgate-radiosim: a real (simulated) RPL mesh behind a slip-radio dongle.

Usage: test_mesh.py BUILD_DIR
Runs as root in a private network namespace (re-executes itself under
`unshare -n`).  The simulator's pcap of everything on the air is judged by
tshark, so that a bug shared by lowpand, the simulator and lib/lowpan
cannot hide; the ping and UDP echo payloads are checked byte for byte.
When BUILD_DIR is an ASan/UBSan build, every process must also end without
a sanitizer report.
"""
import json
import os
import queue
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import lwgtest  # noqa: E402
from lwgtest import wait_for  # noqa: E402,F401

BUILD = None
BR_EUI = "00124b0001020304"
PANID = 0xABCD
TWO_HOPS = f"""
[root]
eui64 = {BR_EUI}

[node b]
eui64 = 020000000000000b
hears = root c

[node c]
eui64 = 020000000000000c
hears = b
"""
ONE_HOP = f"""
[root]
eui64 = {BR_EUI}
[node b]
eui64 = 020000000000000b
hears = root
"""
# c hangs off b, d off the root: c -> d crosses the root both ways
FOUR_NODES = TWO_HOPS + """
[node d]
eui64 = 020000000000000d
hears = root
"""
# c hears b and d, both one hop from the root: two possible parents
DIAMOND = f"""
[root]
eui64 = {BR_EUI}
[node b]
eui64 = 020000000000000b
hears = root c
[node d]
eui64 = 020000000000000d
hears = root c
[node c]
eui64 = 020000000000000c
"""
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
# Sizes of the ICMPv6 echo payload: one frame, two, and up to the IPv6 minimum MTU
PING_SIZES = (8, 40, 64, 90, 100, 200, 400, 640, 1000, 1232)


# where the kernel counts a packet it refuses (the *InErrors totals would
# count a checksum error twice)
KERNEL_INPUT_ERRORS = ("Ip6InHdrErrors", "Ip6InAddrErrors", "Ip6InTruncatedPkts", "Icmp6InCsumErrors",
                       "Udp6InCsumErrors")


def kernel_input_errors():
    """This network namespace's IPv6 input error counters (/proc/net/snmp6)."""
    counters = {}
    with open("/proc/net/snmp6") as f:
        for line in f:
            fields = line.split()
            if len(fields) == 2 and fields[0] in KERNEL_INPUT_ERRORS:
                counters[fields[0]] = int(fields[1])
    return counters


class Sim:
    """lwgate-radiosim as a child process; its JSON events are read by a thread."""

    def __init__(self, tmp, link, topology, *args):
        self.topo = os.path.join(tmp, "topology.ini")
        with open(self.topo, "w") as f:
            f.write(topology)
        self.pcap = os.path.join(tmp, "air.pcap")
        self.stderr_path = os.path.join(tmp, "radiosim.err")
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([os.path.join(BUILD, "tests", "tools", "lwgate-radiosim"),
                                      "--topology", self.topo, "--pcap", self.pcap, *args, link],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True)
        self.events = queue.Queue()
        self.log = []
        threading.Thread(target=self._read, daemon=True).start()
        self.expect("ready")

    def _read(self):
        for line in self.proc.stdout:
            ev = json.loads(line)
            self.log.append(ev)
            self.events.put(ev)

    def send(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()

    def expect(self, event, seconds=10, **match):
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {event} {match} from the simulator")
            try:
                ev = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if ev["event"] == event and all(ev.get(k) == v for k, v in match.items()):
                return ev

    def status(self):
        self.send(cmd="status")
        return self.expect("status")

    def stop(self):
        """Close its stdin (it exits at end of input) and return its stderr."""
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=20)
        self.proc.stdout.close()
        self.stderr.close()
        with open(self.stderr_path) as f:
            err = f.read()
        return rc, err


def echo_request(ident, seq, payload):
    return struct.pack("!BBHHH", 128, 0, 0, ident, seq) + payload


class Harness(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mesh-it-")
        self.link = os.path.join(self.tmp, "radio")
        self.lowpand = self.sim = None
        self.rng = random.Random(5)

    def tearDown(self):
        for p in (self.lowpand, self.sim and self.sim.proc):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, topology=TWO_HOPS, dialect="contiki-ng", sim_args=(), lifetime=30,
              radio="", panid=PANID, channel=15, rpl=""):
        self.sim = Sim(self.tmp, self.link, topology, "--dialect", dialect, *sim_args)
        ini = os.path.join(self.tmp, "lowpand.ini")
        with open(ini, "w") as f:
            f.write(f"[daemon]\nsocket = {self.tmp}/lowpand.sock\ndatabase = {self.tmp}/l.db\n"
                    f"user =\n[radio]\ndevice = {self.link}\npanid = 0x{panid:04x}\n"
                    f"channel = {channel}\nretries = 3\n{radio}[tun]\nname = lwgm0\naddress = fd00::1/64\n"
                    f"[rpl]\nenabled = yes\ndio_interval_min = 7\nlifetime_unit = 1\n"
                    f"default_lifetime = {lifetime}\n{rpl}")
        self.lowpand_err = os.path.join(self.tmp, "lowpand.err")
        self.lowpand = lwgtest.start_daemon([os.path.join(BUILD, "daemons", "lowpand", "lowpand"),
                                             "-f", "-c", ini], self.lowpand_err)
        return wait_for(lambda: (lambda s: s and s["radio"]["state"] == "ready" and s)(
            self.ctl("status", check=False)), "radio ready")

    def ctl(self, *args, check=True):
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--json", "--socket-dir",
                            self.tmp, "lowpand", *args], capture_output=True, text=True)
        if not check and r.returncode != 0:
            return None
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def joined(self, *names, seconds=30):
        for name in names:
            if not any(e["event"] == "joined" and e["node"] == name for e in self.sim.log):
                self.sim.expect("joined", seconds=seconds, node=name)

    def routes(self):
        return {e["node"]: e for e in self.ctl("routes")}

    def stop(self):
        """Stop both; neither may fail nor report a sanitizer error."""
        self.lowpand.send_signal(signal.SIGTERM)
        rc = self.lowpand.wait(timeout=20)
        with open(self.lowpand_err) as f:
            lerr = f.read()
        src, serr = self.sim.stop()
        for who, code, err in (("lowpand", rc, lerr), ("lwgate-radiosim", src, serr)):
            for mark in SANITIZER_MARKS:
                self.assertNotIn(mark, err, f"{who}: sanitizer report:\n{err[-4000:]}")
            self.assertEqual(code, 0, f"{who} exited with {code}:\n{err[-2000:]}")

    def ping(self, dst, payload, ident, seq, timeout=3.0):
        """One echo request over a raw ICMPv6 socket; the reply's payload, or None."""
        with socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6) as s:
            s.sendto(echo_request(ident, seq, payload), (dst, 0))
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                if not select.select([s], [], [], left)[0]:
                    return None
                data, peer = s.recvfrom(4096)
                if len(data) >= 8 and data[0] == 129 and peer[0] == dst and \
                        struct.unpack("!HH", data[4:8]) == (ident, seq):
                    return data[8:]

    def ping_until(self, dst, payload, ident, seq, seconds=10.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            got = self.ping(dst, payload, ident, seq, timeout=1.5)
            if got is not None:
                return got
            seq += 1
        return None

    def udp_echo(self, dst, payload, timeout=3.0):
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.sendto(payload, (dst, 7))
            try:
                data, peer = s.recvfrom(4096)
            except socket.timeout:
                return None
            self.assertEqual(peer[0], dst)
            return data

    def tshark(self, *fields, extra=()):
        args = ["tshark", "-o", "6lowpan.context0:fd00::/64", "-r", self.sim.pcap, "-T",
                "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
                *extra]
        for fl in fields:
            args += ["-e", fl]
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        return [line.split("|") for line in out.splitlines()]


class MeshTests(Harness):
    def test_two_hops_ping_udp_and_pcap(self):
        self.start()
        self.joined("b", "c")
        routes = wait_for(lambda: (lambda r: "fd00::c" in r and r)(self.routes()), "c's route")
        self.assertEqual(routes["fd00::b"]["parent"], "fd00::1")
        self.assertEqual(routes["fd00::c"]["parent"], "fd00::b")
        self.assertEqual(routes["fd00::c"]["depth"], 2)
        self.assertEqual([e["tree"] for e in self.ctl("routes")],
                         ["fd00::1", "└─ fd00::b", "   └─ fd00::c"])
        st = {n["name"]: n for n in self.sim.status()["nodes"]}
        self.assertEqual((st["b"]["address"], st["b"]["parent"], st["b"]["rank"]),
                         ("fd00::b", "fd00::1", 512))
        self.assertEqual((st["c"]["address"], st["c"]["parent"], st["c"]["rank"]),
                         ("fd00::c", "fd00::b", 768))

        t0 = time.monotonic()
        for node in ("fd00::b", "fd00::c"):
            for i, size in enumerate(PING_SIZES):
                payload = bytes(self.rng.randrange(256) for _ in range(size))
                got = self.ping(node, payload, 0x4C57, i)
                self.assertEqual(got, payload, f"echo of {size} bytes from {node}")
        took = time.monotonic() - t0
        print(f"{2 * len(PING_SIZES)} pings (8..1232 bytes) answered in {took * 1000:.1f} ms")
        for size in (1, 100, 1000):
            payload = os.urandom(size)
            self.assertEqual(self.udp_echo("fd00::c", payload), payload, f"UDP echo {size}")
        # from an address of the host that is not the root's: the root wraps the
        # packet IPv6-in-IPv6 (RFC 9008), c unwraps it and answers that address
        # nodad: usable at once, not tentative while a loaded machine gets round to it
        subprocess.run(["ip", "addr", "add", "2001:db8::5/128", "dev", "lo", "nodad"],
                       check=True)
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("2001:db8::5", 0))
            s.settimeout(3)
            s.sendto(b"from outside the mesh", ("fd00::c", 7))
            data, peer = s.recvfrom(100)
        self.assertEqual((data, peer[0]), (b"from outside the mesh", "fd00::c"))
        c = {n["name"]: n for n in self.sim.status()["nodes"]}["c"]["counters"]
        self.assertEqual(c["udp_echoes"], 4)
        self.assertEqual(c["decapsulated"], 1)
        self.assertGreaterEqual(c["echo_replies"], len(PING_SIZES))
        # c's own DIOs (for nodes further away) are on the air before we look
        wait_for(lambda: {n["name"]: n for n in self.sim.status()["nodes"]}["c"]["counters"]
                 ["dio_sent"] >= 1, "a DIO from c")
        self.stop()

        # tshark's view of the air: every RPL message well formed, from the right places
        rows = self.tshark("wpan.src64", "ipv6.src", "ipv6.dst", "icmpv6.code",
                           "icmpv6.checksum.status", "icmpv6.rpl.dio.rank",
                           "icmpv6.rpl.dio.dagid", "icmpv6.rpl.opt.prefix",
                           "icmpv6.rpl.dao.flag.k", "icmpv6.rpl.opt.target.prefix",
                           "icmpv6.rpl.opt.transit.parent",
                           "icmpv6.rpl.opt.transit.pathlifetime",
                           "icmpv6.rpl.daoack.status", "ipv6.routing.type",
                           "ipv6.routing.segleft", "_ws.malformed", "_ws.expert.severity",
                           extra=("-Y", "icmpv6.type == 155"))
        self.assertTrue(rows)
        for r in rows:
            self.assertEqual(r[15], "", f"malformed: {r}")
            self.assertIn(r[4], ("1", "Good", "2"), f"ICMPv6 checksum: {r}")
        dios = [r for r in rows if r[3] == "1"]
        ranks = {(r[1], r[5]) for r in dios}
        self.assertIn(("fe80::b", "512"), ranks)
        self.assertIn(("fe80::c", "768"), ranks)
        for r in dios:
            self.assertEqual((r[6], r[7]), ("fd00::1", "fd00::"), r)
        daos = [r for r in rows if r[3] == "2"]
        self.assertIn(["fd00::b", "fd00::1", "1", "fd00::b", "fd00::1", "30"],
                      [[r[1], r[2], r[8], r[9], r[10], r[11]] for r in daos])
        # c's DAO: sent by c to b, and again (forwarded up) by b to the root
        c_dao = [r for r in daos if r[1] == "fd00::c"]
        self.assertEqual({r[0] for r in c_dao},
                         {"02:00:00:00:00:00:00:0c", "02:00:00:00:00:00:00:0b"})
        self.assertTrue(all((r[9], r[10]) == ("fd00::c", "fd00::b") for r in c_dao))
        acks = [r for r in rows if r[3] == "3"]
        self.assertTrue(any(r[2] == "fd00::b" and r[12] == "0" and r[13] == "" for r in acks))
        # the ACK to c: source-routed by the root through b (segments left 1),
        # then forwarded by b (segments left 0)
        to_c = [(r[0], r[13], r[14]) for r in acks if r[2] in ("fd00::c",) or r[13] == "3"]
        self.assertIn((BR_EUI_COLONS, "3", "1"), to_c)
        self.assertIn(("02:00:00:00:00:00:00:0b", "3", "0"), to_c)

        # the tunnelled datagram: outer header root -> b with the SRH to c, inner intact
        rows = self.tshark("wpan.src64", "ipv6.src", "ipv6.dst", "ipv6.routing.segleft",
                           "udp.srcport", "udp.dstport", "_ws.malformed",
                           extra=("-Y", "udp.dstport == 7 and ipv6.src == 2001:db8::5"))
        self.assertEqual([r[:4] + r[5:] for r in rows],
                         [[BR_EUI_COLONS, "fd00::1,2001:db8::5", "fd00::b,fd00::c", "1", "7", ""],
                          ["02:00:00:00:00:00:00:0b", "fd00::1,2001:db8::5", "fd00::c,fd00::c",
                           "0", "7", ""]])

        # the large pings: fragments, reassembled by tshark into well-formed echoes
        frags = self.tshark("wpan.src64", "6lowpan.frag.size", "6lowpan.frag.offset",
                            "icmpv6.type", "icmpv6.echo.sequence_number", "ipv6.dst",
                            "_ws.malformed", "6lowpan.fragment.error",
                            extra=("-Y", "6lowpan.frag.size"))
        self.assertTrue(frags)
        for r in frags:
            self.assertEqual((r[6], r[7]), ("", ""), f"bad fragment: {r}")
        whole = [r for r in frags if r[3] in ("128", "129")]
        # both directions of the 1232-byte echo to c, on both hops, reassembled
        big = [r for r in whole if r[4] == str(len(PING_SIZES) - 1)]
        senders = {(r[0], r[3]) for r in big if int(r[1]) >= 1280}
        self.assertIn(("02:00:00:00:00:00:00:0c", "129"), senders)
        self.assertIn(("02:00:00:00:00:00:00:0b", "129"), senders)
        self.assertIn(("02:00:00:00:00:00:00:0b", "128"), senders)
        self.assertIn((BR_EUI_COLONS, "128"), senders)

    def test_fragments_forwarded_without_reassembly(self):
        """b forwards c's fragmented echo replies up to the root fragment by
        fragment (virtual reassembly, seed 002 §3.1.1), under a tag of its
        own, and the root still gets the whole echo, byte for byte.  (That
        b sends each one as it comes shows with a RIOT node, whose MAC sends
        one frame at a time: tests/integration/riot.)"""
        self.start()
        self.joined("b", "c")
        wait_for(lambda: "fd00::c" in self.routes(), "c's route")
        payload = bytes(self.rng.randrange(256) for _ in range(1000))
        self.assertEqual(self.ping_until("fd00::c", payload, 0x7A5, 1), payload)
        b = {n["name"]: n for n in self.sim.status()["nodes"]}["b"]["counters"]
        self.stop()
        rows = self.tshark("wpan.src64", "wpan.dst64", "6lowpan.frag.tag",
                           extra=("-Y", "6lowpan.frag.size == 1048"))
        c_up = [r for r in rows if r[0].endswith(":0c") and r[1].endswith(":0b")]
        b_up = [r for r in rows if r[0].endswith(":0b") and r[1] == BR_EUI_COLONS]
        # 1048 octets in c's fragments; b's FRAG1 grows by c's IID (c's MAC
        # address no longer stands for it), so b sends one fragment more
        self.assertGreaterEqual(len(c_up), 10, rows)
        self.assertEqual(len(b_up), len(c_up) + 1, rows)
        self.assertEqual(b["vreasm_forwarded"], len(c_up))
        self.assertEqual(b["vreasm_frames_sent"], len(b_up))
        self.assertEqual(len({r[2] for r in b_up}), 1)
        # what b sent is one datagram to tshark too: a well-formed echo reply
        whole = self.tshark("wpan.src64", "icmpv6.type", "icmpv6.checksum.status",
                            "_ws.malformed",
                            extra=("-Y", "icmpv6.type == 129 and 6lowpan.frag.size == 1048"))
        self.assertIn(["02:00:00:00:00:00:00:0b", "129", "1", ""], whole)

    def test_lossy_air_delivers_exactly_or_not_at_all(self):
        self.start(sim_args=("--loss", "0.1", "--reorder", "0.1", "--duplicate", "0.1",
                             "--corrupt", "0.02", "--seed", "7"))
        self.joined("b", "c", seconds=60)
        sent = answered = 0
        for rnd in range(2):
            for node in ("fd00::b", "fd00::c"):
                for i, size in enumerate(PING_SIZES):
                    payload = bytes(self.rng.randrange(256) for _ in range(size))
                    seq = rnd * 100 + i
                    got = self.ping(node, payload, 0x1055, seq, timeout=2.0)
                    sent += 1
                    if got is not None:
                        answered += 1
                        self.assertEqual(got, payload, f"echo {size} from {node} differs")
        udp_ok = 0
        for i in range(10):
            payload = os.urandom(50 + 100 * i)
            got = self.udp_echo("fd00::c", payload, timeout=2.0)
            if got is not None:
                udp_ok += 1
                self.assertEqual(got, payload, "a UDP echo came back altered")
        air = self.sim.status()["air"]
        stats = self.ctl("stats")
        print(f"lossy air: {answered}/{sent} pings and {udp_ok}/10 UDP echoes came back whole; "
              f"air {air}; lowpand reassembly fails {stats['lowpanInReasmFails']}, "
              f"discards {stats['lowpanInDiscards']}")
        self.assertGreater(air["lost"], 0)
        self.assertGreater(air["duplicated"], 0)
        self.assertGreater(air["reordered"], 0)
        self.assertGreater(air["corrupted"], 0)
        # a single frame crosses two hops with ~80 % success per try and the
        # MACs retry: most small pings must come through
        self.assertGreater(answered, sent // 3)
        self.stop()

    def test_noisy_serial_line(self):
        """Bytes from the dongle corrupted at 1e-3: no crash, drops counted, echoes exact."""
        self.start(sim_args=("--serial-errors", "0.001", "--seed", "3"))
        self.joined("b", "c", seconds=60)
        before = self.ctl("stats")
        kernel_before = kernel_input_errors()
        flipped_before = self.sim.status()["dongle"]["serial_errors"]
        sent = answered = short_sent = short_answered = 0
        for rnd in range(2):
            for node in ("fd00::b", "fd00::c"):
                for i, size in enumerate(PING_SIZES):
                    payload = bytes(self.rng.randrange(256) for _ in range(size))
                    got = self.ping(node, payload, 0x5E1, rnd * 100 + i, timeout=1.5)
                    sent += 1
                    short_sent += size <= 100
                    if got is not None:
                        answered += 1
                        short_answered += size <= 100
                        self.assertEqual(got, payload, f"echo {size} from {node} differs")
        flipped = self.sim.status()["dongle"]["serial_errors"] - flipped_before
        after = self.ctl("stats")
        keys = ("radio_slip_errors", "radio_malformed", "lowpanInHdrErrors", "lowpanInDiscards",
                "lowpanInReasmFails", "radio_log_lines")
        drops = {k: after[k] - before[k] for k in keys}
        kernel = {k: v - kernel_before[k] for k, v in kernel_input_errors().items() if v != kernel_before[k]}
        print(f"noisy serial line: {flipped} bytes corrupted, {answered}/{sent} pings whole "
              f"({short_answered}/{short_sent} of those up to 100 bytes), "
              f"lowpand drops {drops}, kernel input errors {kernel}")
        self.assertGreater(flipped, 0)
        # slip-radio has no CRC on the serial line: a flipped byte that
        # leaves the 6LoWPAN headers parseable reaches the kernel, which
        # drops the packet on its checksum.  Every lost echo was dropped by
        # one of the two; a ping answered whole proves nothing was passed on
        # altered (checked above).
        self.assertGreater(sum(drops.values()) + sum(kernel.values()), 0)
        # At 1e-3 per byte a reply of n bytes on the line comes through whole
        # with probability ~0.999^n, and the air loses some more: 75-80 % of
        # the short pings (at most two frames) come back, ~25 % of the
        # 1232-byte ones, so a bound on all pings together would be a coin
        # toss.  A third of the short ones is far below what a line that
        # resynchronises after each error gives (P < 1e-4 at 75 %), and far
        # above what one that loses its framing would.
        self.assertGreater(short_answered, short_sent // 3)
        self.stop()

    def test_unplug_replug_and_junk(self):
        self.start()
        self.joined("b", "c")
        payload = b"before unplug"
        self.assertEqual(self.ping_until("fd00::c", payload, 7, 1), payload)
        self.sim.send(cmd="unplug", seconds=0.5)
        self.sim.expect("unplugged")
        self.sim.expect("ready")
        replugged = time.monotonic()
        wait_for(lambda: (lambda s: s and s["counters"]["radio_reconnects"] == 1
                          and s["radio"]["state"] == "ready")(self.ctl("status", check=False)),
                 "reconnect")
        took = time.monotonic() - replugged
        print(f"lowpand back {took:.2f} s after the dongle returned")
        self.assertLess(took, 3.0)
        payload = b"after replug"
        self.assertEqual(self.ping_until("fd00::c", payload, 7, 10), payload)

        before = self.ctl("stats")
        self.sim.send(cmd="junk", bytes=20000)
        self.sim.expect("done", cmd="junk")
        time.sleep(0.5)
        after = self.ctl("stats")
        drops = sum(after[k] - before[k] for k in ("radio_slip_errors", "radio_malformed",
                                                   "lowpanInHdrErrors", "lowpanInDiscards",
                                                   "radio_log_lines"))
        print(f"20000 junk bytes: {drops} drops counted "
              f"(SLIP errors +{after['radio_slip_errors'] - before['radio_slip_errors']})")
        self.assertGreater(drops, 0)
        self.assertGreater(after["radio_slip_errors"], before["radio_slip_errors"])
        payload = b"after junk"
        self.assertEqual(self.ping_until("fd00::c", payload, 7, 20), payload)
        self.stop()

    def test_long_unplug_detaches_and_the_mesh_rejoins(self):
        """Unplugged for 4 s with 2 s DAO lifetimes: b's refresh finds no root (no ACK),
        b detaches and poisons, c follows; after the replug both rejoin through DIS."""
        self.start(lifetime=2)
        self.joined("b", "c")
        self.sim.send(cmd="unplug", seconds=4)
        self.sim.expect("unplugged")
        self.sim.expect("parent-lost", seconds=5, node="b")
        self.sim.expect("ready")
        back = time.monotonic()
        self.sim.expect("parent", seconds=15, node="b")
        self.sim.expect("parent", seconds=15, node="c")
        payload = b"rejoined"
        self.assertEqual(self.ping_until("fd00::c", payload, 0xE1, 1, seconds=15), payload)
        print(f"mesh usable again {time.monotonic() - back:.1f} s after the replug")
        routes = self.routes()
        self.assertEqual((routes["fd00::b"]["parent"], routes["fd00::c"]["parent"]),
                         ("fd00::1", "fd00::b"))
        self.stop()

    def test_node_to_node_through_the_root_and_dao_refresh(self):
        """c pings d: up through b to the root, down to d, and the reply back down
        through b with IPv6-in-IPv6 (RFC 9008); 2 s DAO lifetimes are refreshed every
        second, the path sequence running from 240 through the lollipop wrap to 0."""
        self.start(FOUR_NODES, lifetime=2)
        self.joined("b", "c", "d")
        for seq, size in enumerate((10, 300, 1232)):
            self.sim.send(cmd="ping", **{"from": "c"}, to="fd00::d", size=size, seq=seq)
            ev = self.sim.expect("echo-reply", node="c", seq=seq)
            self.assertEqual((ev["from"], ev["size"], ev["intact"]), ("fd00::d", size, True))
        self.sim.send(cmd="ping", **{"from": "d"}, to="fd00::c", size=100, seq=7)
        ev = self.sim.expect("echo-reply", node="d", seq=7)
        self.assertEqual((ev["from"], ev["intact"]), ("fd00::c", True))
        self.assertGreaterEqual(self.ctl("stats")["forwarded"], 8)
        # ~20 refreshes later every route is still there: the path sequence (RFC 6550
        # lollipop, from 240) has wrapped into the circular region on the way
        time.sleep(20)
        routes = self.routes()
        self.assertLess(routes["fd00::c"]["path_sequence"], 128, routes["fd00::c"])
        self.assertEqual({k: routes[k]["parent"] for k in ("fd00::b", "fd00::c", "fd00::d")},
                         {"fd00::b": "fd00::1", "fd00::c": "fd00::b", "fd00::d": "fd00::1"})
        self.assertEqual(self.ctl("stats")["rpl_expired"], 0)
        payload = b"still reachable"
        self.assertEqual(self.ping_until("fd00::c", payload, 11, 1), payload)
        self.stop()
        rows = self.tshark("wpan.src64", "ipv6.src", "ipv6.dst", "icmpv6.type",
                           "icmpv6.echo.sequence_number", "_ws.malformed",
                           extra=("-Y", "icmpv6.echo.sequence_number == 0"))
        path = [(r[0][-2:], r[1], r[2], r[3]) for r in rows]
        self.assertEqual(path, [
            ("0c", "fd00::c", "fd00::d", "128"),                 # c -> b
            ("0b", "fd00::c", "fd00::d", "128"),                 # b -> root
            ("04", "fd00::c", "fd00::d", "128"),                 # root -> d
            ("0d", "fd00::d", "fd00::c", "129"),                 # d -> root
            ("04", "fd00::1,fd00::d", "fd00::b,fd00::c", "129"),  # tunnelled to b
            ("0b", "fd00::1,fd00::d", "fd00::c,fd00::c", "129"),  # b -> c
        ])

    def test_airtime_and_a_full_queue(self):
        """At 250 kbit/s on one channel a 1280-octet datagram takes ~50 ms a hop; a burst
        of them overflows lowpand's TX queue: drops counted, the rest delivered exactly."""
        self.start(sim_args=("--airtime",), radio="tx_queue = 24\n")
        self.joined("b", "c")
        payload = bytes(range(256)) * 4 + bytes(208)
        t0 = time.monotonic()
        self.assertEqual(self.ping("fd00::c", payload, 0xA1, 1), payload)
        rtt = time.monotonic() - t0
        print(f"1232-byte echo to c (2 hops) with airtime: {rtt * 1000:.0f} ms")
        self.assertGreater(rtt, 0.1)
        with socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6) as s:
            for seq in range(30):
                s.sendto(echo_request(0xA2, seq, payload[:1000] + bytes([seq])), ("fd00::c", 0))
            got = set()
            deadline = time.monotonic() + 8  # then 3 s after the last echo
            while time.monotonic() < deadline and len(got) < 30:
                if not select.select([s], [], [], 0.5)[0]:
                    continue
                data, peer = s.recvfrom(4096)
                if data[0] != 129 or struct.unpack("!H", data[4:6])[0] != 0xA2:
                    continue
                seq = struct.unpack("!H", data[6:8])[0]
                self.assertEqual(data[8:], payload[:1000] + bytes([seq]), f"echo {seq} differs")
                got.add(seq)
                deadline = time.monotonic() + 3
        stats = self.ctl("stats")
        print(f"burst of 30 x 1000 bytes: {len(got)} echoes back, "
              f"queue drops {stats['radio_queue_drops']}")
        self.assertGreater(stats["radio_queue_drops"], 0)
        self.assertGreater(len(got), 0)
        self.assertEqual(self.ping_until("fd00::c", b"after the burst", 0xA3, 1),
                         b"after the burst")
        self.stop()

    def test_parent_change(self):
        """c's link to its parent breaks: c's MAC gives the parent up, c takes the other
        one, its new DAO moves the route in lowpand, pings reach c again."""
        self.start(DIAMOND, lifetime=4)
        self.joined("b", "d", "c")
        c = {n["name"]: n for n in self.sim.status()["nodes"]}["c"]
        old, other = c["parent"], {"fd00::b": "fd00::d", "fd00::d": "fd00::b"}[c["parent"]]
        wait_for(lambda: self.routes().get("fd00::c", {}).get("parent") == old, "c's route")
        self.assertEqual(self.ping_until("fd00::c", b"before", 0xD1, 1), b"before")
        self.sim.send(cmd="link", a="c", b=old[-1], up=False)
        self.sim.expect("done", cmd="link")
        ev = self.sim.expect("parent-lost", seconds=10, node="c")
        self.assertEqual(ev["parent"], "fe80::" + old[-1])
        ev = self.sim.expect("parent", node="c")
        self.assertEqual(ev["parent"], "fe80::" + other[-1])
        wait_for(lambda: self.routes().get("fd00::c", {}).get("parent") == other,
                 "c's route through its new parent")
        nodes = [e["node"] for e in self.ctl("routes")]
        trees = [e["tree"] for e in self.ctl("routes")]
        self.assertEqual(trees[nodes.index(other) + 1], "   └─ fd00::c", trees)
        self.assertEqual(self.ping_until("fd00::c", b"after", 0xD1, 10), b"after")
        self.stop()

    # This test found that lowpand ignored DAOs carrying the RFC 6553 option in a
    # hop-by-hop header, as every Contiki-NG RPL Lite node sends them; lowpand now
    # strips the option before it looks for RPL control messages.
    def test_contiki_rpl_option_in_hop_by_hop(self):
        """Nodes that insert the RPL option like Contiki-NG: they join, pings go through."""
        self.start(sim_args=("--rpl-option",))
        try:
            self.joined("b", "c", seconds=15)
            payload = b"with the RPL option"
            self.assertEqual(self.ping_until("fd00::c", payload, 0x63, 1), payload)
        finally:
            dao = self.tshark("ipv6.hopopts.nxt", "icmpv6.rpl.opt.target.prefix",
                              "ipv6.opt.rpl.sender_rank", "_ws.malformed",
                              extra=("-Y", "icmpv6.code == 2"))
            # the simulator's DAOs are well formed and do carry the option
            self.assertTrue(dao)
            for r in dao:
                self.assertEqual((r[0], r[3]), ("58", ""), r)
            self.stop()

    def test_dialects(self):
        for dialect, expected in (("contiki-ng", "contiki-ng"), ("6lbr", "6lbr"),
                                  ("zephyr", "6lbr")):
            with self.subTest(dialect=dialect):
                st = self.start(ONE_HOP, dialect=dialect)
                try:
                    self.assertEqual(st["radio"]["dialect"], expected)
                    self.assertEqual(st["radio"]["eui64"], "00:12:4b:00:01:02:03:04")
                    # the simulator reports its configuration after each command
                    # (channel, then PAN ID), possibly after lowpand says "ready"
                    wait_for(lambda: any(e["event"] == "config" and
                                         (e["channel"], e["panid"]) == (15, PANID)
                                         for e in self.sim.log),
                             f"the dongle set to channel 15, PAN ID 0x{PANID:04x}")
                    self.joined("b")
                    payload = dialect.encode()
                    self.assertEqual(self.ping_until("fd00::b", payload, 9, 1), payload)
                finally:
                    # stopped even when a check failed, so the next dialect gets the TUN
                    self.stop()
                    os.unlink(os.path.join(self.tmp, "l.db"))


class CommandLineTests(unittest.TestCase):
    def run_sim(self, *args):
        return subprocess.run([os.path.join(BUILD, "tests", "tools", "lwgate-radiosim"), *args],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)

    def test_help_and_usage(self):
        r = self.run_sim("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--topology", r.stdout)
        self.assertEqual(self.run_sim().returncode, 2)
        self.assertEqual(self.run_sim("--loss", "2", "x").returncode, 2)
        self.assertEqual(self.run_sim("--dialect", "nope", "x").returncode, 2)

    def test_bad_topology_names_the_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.ini")
            for text, line, what in (
                    ("[root]\neui64 = 00124b0001020304\n[node b]\neui64 = 12\n", 4, "eui64"),
                    ("[root]\neui64 = 00124b0001020304\n[node b]\neui64 = 020000000000000b\n"
                     "hears = root zz\n", 5, "unknown station"),
                    ("[root]\neui64 = 00124b0001020304\n\n[mote b]\nx = 1\n", 5,
                     "unknown section"),
                    ("[root]\neui64 = 00124b0001020304\n[node b]\ncolour = red\n", 4,
                     "unknown key")):
                with open(path, "w") as f:
                    f.write(text)
                r = self.run_sim("--topology", path, os.path.join(tmp, "link"))
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(f"{path}:{line}:", r.stderr)
                self.assertIn(what, r.stderr)


BR_EUI_COLONS = ":".join(BR_EUI[i:i + 2] for i in range(0, 16, 2))


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__]], with_source=False,
                need_root="mesh tests need root (TUN interface in a network namespace)")
