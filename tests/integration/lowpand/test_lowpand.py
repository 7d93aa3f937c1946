#!/usr/bin/python3
"""lowpand against a simulated slip-radio dongle (radiosim.py), in a network namespace.

Usage: test_lowpand.py BUILD_DIR
Frames into lowpand are built with scapy; frames out of it are judged by
tshark, so that a bug shared by our encoder and decoder cannot hide.
"""
import json
import os
import queue
import shutil
import signal
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
HERE = os.path.dirname(os.path.abspath(__file__))
BR_EUI = "00124b0001020304"
NODE_EUI = "020000000000000b"  # its IID has the U/L bit flipped: fd00::b
PANID = 0xABCD


class Sim:
    """radiosim.py as a child process; its JSON events are read by a thread."""

    def __init__(self, link, dialect):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "radiosim.py"), link,
                                      "--dialect", dialect, "--eui64", BR_EUI],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
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

    def sent_frames(self):
        return [bytes.fromhex(e["frame"]) for e in self.log if e["event"] == "sent"]

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def tshark_fields(frames, tmp, *fields):
    """Write frames as a pcap of link type 230 (802.15.4 without FCS) and dissect it."""
    path = os.path.join(tmp, "out.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 230))
        for fr in frames:
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)) + fr)
    # lowpand compresses with IPHC context 0 = fd00::/64 (its default, Contiki-NG's too)
    args = ["tshark", "-o", "6lowpan.context0:fd00::/64", "-r", path, "-T", "fields",
            "-E", "separator=|"]
    for fl in fields:
        args += ["-e", fl]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [line.split("|") for line in out.splitlines()]


def mac_header(src_eui, dst, seq=1):
    """An 802.15.4-2006 data frame header; dst is an EUI-64 in hex or 0xffff (broadcast)."""
    from scapy.compat import raw
    from scapy.layers.dot15d4 import Dot15d4, Dot15d4Data
    short = isinstance(dst, int)
    return raw(Dot15d4(fcf_frametype=1, fcf_panidcompress=1, fcf_ackreq=0 if short else 1,
                       fcf_destaddrmode=2 if short else 3, fcf_srcaddrmode=3, fcf_framever=1,
                       seqnum=seq)
               / Dot15d4Data(dest_panid=PANID, dest_addr=dst if short else int(dst, 16),
                             src_addr=int(src_eui, 16)))


def uncompressed_frame(src_eui, dst, ipv6):
    """RFC 4944's uncompressed IPv6 dispatch (0x41): scapy's IPv6 bytes as they are."""
    from scapy.compat import raw
    return mac_header(src_eui, dst) + b"\x41" + raw(ipv6)


def echo_request_frame(seq):
    """An IPHC frame (addresses inline) carrying an ICMPv6 echo request fd00::b -> fd00::1."""
    from scapy.compat import raw
    from scapy.layers.dot15d4 import Dot15d4, Dot15d4Data
    from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
    ip = IPv6(src="fd00::b", dst="fd00::1", hlim=64) / ICMPv6EchoRequest(id=0x1234, seq=seq,
                                                                         data=b"lwgate" * 3)
    ipb = raw(ip)
    # RFC 6282: TF=11 (elided), NH inline, HLIM=10 (64); SAM=DAM=00 (inline)
    iphc = bytes([0x7A, 0x00, ipb[6]]) + ipb[8:24] + ipb[24:40] + ipb[40:]
    mac = raw(Dot15d4(fcf_frametype=1, fcf_panidcompress=1, fcf_destaddrmode=3,
                      fcf_srcaddrmode=3, fcf_framever=1, seqnum=seq)
              / Dot15d4Data(dest_panid=PANID, dest_addr=int(BR_EUI, 16),
                            src_addr=int(NODE_EUI, 16)))
    return mac + iphc


class Harness(unittest.TestCase):
    """lowpand on a simulated dongle, one per test."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lowpand-it-")
        self.link = os.path.join(self.tmp, "radio")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, dialect="contiki-ng", extra="", rpl=False, nd=""):
        self.sim = Sim(self.link, dialect)
        ini = os.path.join(self.tmp, "lowpand.ini")
        with open(ini, "w") as f:
            f.write(f"[daemon]\nsocket = {self.tmp}/lowpand.sock\ndatabase = {self.tmp}/l.db\n"
                    f"user =\n[radio]\ndevice = {self.link}\npanid = 0x{PANID:04x}\n"
                    f"channel = 15\n{extra}[tun]\nname = lwgt0\naddress = fd00::1/64\n"
                    f"[rpl]\nenabled = {'yes' if rpl else 'no'}\ndio_interval_min = 7\n"
                    f"lifetime_unit = 1\n" + (f"[nd]\n{nd}" if nd else ""))
        self.lowpand = lwgtest.start_daemon([os.path.join(BUILD, "daemons", "lowpand", "lowpand"),
                                             "-f", "-c", ini], os.path.join(self.tmp, "lowpand.log"))
        self.procs.append(self.lowpand)
        return wait_for(lambda: self.status()["radio"]["state"] == "ready" and self.status(),
                        "radio ready")

    def status(self):
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--json", "--socket-dir",
                            self.tmp, "lowpand", "status"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def expect_frame(self, fields, predicate, seconds=10):
        """The first packet sent from now on whose tshark fields satisfy predicate.

        The frames are dissected together, so that tshark reassembles fragments."""
        deadline = time.monotonic() + seconds
        frames = []
        while time.monotonic() < deadline:
            ev = self.sim.expect("sent", seconds=deadline - time.monotonic())
            frames.append(bytes.fromhex(ev["frame"]))
            for row in tshark_fields(frames, self.tmp, *fields):
                if predicate(row):
                    return row
        raise AssertionError("no matching frame")

    def stop(self):
        self.lowpand.send_signal(signal.SIGTERM)
        self.assertEqual(self.lowpand.wait(timeout=10), 0,
                         lwgtest.log_tail(os.path.join(self.tmp, "lowpand.log")))
        self.sim.stop()


class LowpandTests(Harness):
    """The radio and 6LoWPAN side, with RPL off so that no DIO interleaves."""

    def test_dialects(self):
        for dialect, expected in (("contiki-ng", "contiki-ng"), ("6lbr", "6lbr"),
                                  ("zephyr", "6lbr")):
            with self.subTest(dialect=dialect):
                st = self.start(dialect)
                self.assertEqual(st["radio"]["dialect"], expected)
                self.assertEqual(st["radio"]["eui64"], "00:12:4b:00:01:02:03:04")
                cfg = [e for e in self.sim.log if e["event"] == "config"][-1]
                self.assertEqual((cfg["channel"], cfg["panid"]), (15, PANID))
                self.stop()

    def test_echo_through_the_border_router(self):
        self.start()
        self.sim.send(cmd="inject", hex=echo_request_frame(1).hex())
        ev = self.sim.expect("sent")
        rows = tshark_fields([bytes.fromhex(ev["frame"])], self.tmp, "icmpv6.type", "ipv6.src",
                             "ipv6.dst", "icmpv6.echo.sequence_number", "wpan.dst64", "wpan.dst_pan",
                             "wpan.ack_request")
        self.assertEqual(rows, [["129", "fd00::1", "fd00::b", "1", "02:00:00:00:00:00:00:0b",
                                 "0xabcd", "1"]])
        counters = self.status()["counters"]
        self.assertEqual(counters["radio_rx_frames"], 1)
        self.assertEqual(counters["tun_out"], 1)
        self.assertGreaterEqual(counters["radio_tx_ok"], 1)
        self.stop()

    def test_retries_after_no_ack(self):
        self.start(extra="retries = 2\n")
        self.sim.send(cmd="status", codes=[2, 1, 0])  # no-ACK, collision, then OK
        self.sim.expect("done", cmd="status")
        self.sim.send(cmd="inject", hex=echo_request_frame(2).hex())
        for _ in range(3):
            self.sim.expect("sent")
        c = wait_for(lambda: (lambda c: c["radio_tx_ok"] >= 1 and c)(self.status()["counters"]),
                     "the third transmission to succeed")
        self.assertEqual(c["radio_tx_retries"], 2)
        self.assertEqual(c["radio_tx_noack"], 0)
        frames = self.sim.sent_frames()
        self.assertEqual(len(set(frames)), 1, "a retry must resend the same frame")
        self.stop()

    def test_multicast_goes_to_broadcast(self):
        import socket
        self.start()
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.sendto(b"hello mesh", ("ff02::1", 40000, 0, socket.if_nametoindex("lwgt0")))
        ev = self.sim.expect("sent")
        rows = tshark_fields([bytes.fromhex(ev["frame"])], self.tmp, "udp.dstport", "ipv6.dst",
                             "wpan.dst16", "wpan.ack_request", "data.data")
        self.assertEqual(rows[0][:3], ["40000", "ff02::1", "0xffff"])
        self.assertIn(rows[0][3], ("0", "False"))
        self.assertEqual(bytes.fromhex(rows[0][4]), b"hello mesh")
        self.stop()

    def test_unplug_and_replug(self):
        self.start()
        t0 = time.monotonic()
        self.sim.send(cmd="unplug", seconds=0.5)
        self.sim.expect("ready")
        replugged = time.monotonic()
        wait_for(lambda: self.status()["counters"]["radio_reconnects"] == 1
                 and self.status()["radio"]["state"] == "ready", "reconnect")
        took = time.monotonic() - replugged
        print(f"lowpand back in service {took:.2f} s after the dongle returned "
              f"({time.monotonic() - t0:.2f} s after it vanished)")
        # the issue asks for a reconnect within 3 s: printed above, not
        # asserted (CI machines are shared and noisy); wait_for bounds it
        # and traffic flows again
        self.sim.send(cmd="inject", hex=echo_request_frame(3).hex())
        self.sim.expect("sent")
        self.stop()

    def test_junk_on_the_serial_line(self):
        self.start()
        junk = bytes(range(256)) * 4 + b"\xdb\x01\xc0" + os.urandom(2000) + b"\xc0"
        self.sim.send(cmd="raw", hex=junk.hex())
        self.sim.send(cmd="raw", hex=(b"\xc0\rslip-radio: hello\n\xc0").hex())
        self.sim.send(cmd="inject", hex="41cc")  # a truncated frame
        self.sim.expect("done", cmd="inject")
        c = wait_for(lambda: (lambda c: c["radio_log_lines"] >= 1 and c)(self.status()["counters"]),
                     "the log line")
        self.assertGreaterEqual(c["radio_slip_errors"], 1)
        # frames for someone else, and a secured one: counted, never delivered (the random
        # junk above may itself have parsed as such a frame: compare against now)
        before = self.status()["counters"]
        other = bytearray(echo_request_frame(5))
        other[5:13] = bytes.fromhex("0d000000000000ff")  # destination: another node
        self.sim.send(cmd="inject", hex=bytes(other).hex())
        other_pan = bytearray(echo_request_frame(6))
        other_pan[3:5] = b"\x34\x12"                  # destination PAN 0x1234
        self.sim.send(cmd="inject", hex=bytes(other_pan).hex())
        plain = echo_request_frame(7)
        # security enabled, and an auxiliary security header after the 21-byte MAC header:
        # level 5 (ENC-MIC-32), key identifier mode 0, frame counter 1; a 4-byte MIC at the end
        secured = bytearray(plain[:21] + b"\x05\x01\x00\x00\x00" + plain[21:] + b"MIC!")
        secured[0] |= 0x08
        self.sim.send(cmd="inject", hex=bytes(secured).hex())
        c = wait_for(lambda: (lambda c: c["rx_secured"] > before["rx_secured"] and c)(
            self.status()["counters"]), "the secured frame to be counted")
        self.assertEqual((c["rx_not_for_us"] - before["rx_not_for_us"],
                          c["rx_secured"] - before["rx_secured"]), (2, 1))
        self.assertEqual(c["tun_out"], before["tun_out"])
        # the stats command reports the same counters as status
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--json", "--socket-dir",
                            self.tmp, "lowpand", "stats"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["radio_log_lines"], c["radio_log_lines"])
        # still working
        self.sim.send(cmd="inject", hex=echo_request_frame(4).hex())
        self.sim.expect("sent")
        self.stop()

ROOT_LL = "fe80::212:4b00:102:304"  # from BR_EUI, U/L bit inverted
B_EUI, C_EUI = "020000000000000b", "020000000000000c"  # fd00::b hears the root, fd00::c only b


def dao(src, target, parent, seq, lifetime=30, ack=True, pathseq=0):
    from scapy.contrib.rpl import ICMPv6RPL, RPLDAO, RPLOptTgt, RPLOptTIO
    from scapy.layers.inet6 import IPv6
    return (IPv6(src=src, dst="fd00::1", hlim=64) / ICMPv6RPL(code=2)
            / RPLDAO(RPLInstanceID=30, K=1 if ack else 0, daoseq=seq)
            / RPLOptTgt(plen=128, prefix=target)
            / RPLOptTIO(pathseq=pathseq, pathlifetime=lifetime, parentaddr=parent))


class RplRootTests(Harness):
    """The DODAG root: DIO, DAO/DAO-ACK, routes, source routing, upward strip."""

    def routes(self):
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--json", "--socket-dir",
                            self.tmp, "lowpand", "routes"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return {e["node"]: e for e in json.loads(r.stdout)}

    def join_b_and_c(self):
        from scapy.layers.inet6 import IPv6
        self.sim.send(cmd="inject", hex=uncompressed_frame(
            B_EUI, BR_EUI, dao("fd00::b", "fd00::b", "fd00::1", seq=1)).hex())
        self.sim.send(cmd="inject", hex=uncompressed_frame(
            B_EUI, BR_EUI, dao("fd00::c", "fd00::c", "fd00::b", seq=1)).hex())
        return IPv6

    def test_dio_answers_dis(self):
        from scapy.contrib.rpl import ICMPv6RPL, RPLDIS
        from scapy.layers.inet6 import IPv6
        self.start(rpl=True, extra="")
        self.sim.send(cmd="inject", hex=uncompressed_frame(
            B_EUI, 0xFFFF, IPv6(src="fe80::b", dst="ff02::1a") / ICMPv6RPL(code=0) / RPLDIS()).hex())
        fields = ("icmpv6.code", "ipv6.src", "ipv6.dst", "icmpv6.rpl.dio.instance",
                  "icmpv6.rpl.dio.rank", "icmpv6.rpl.dio.flag.mop", "icmpv6.rpl.dio.dagid",
                  "icmpv6.rpl.opt.prefix", "icmpv6.rpl.opt.prefix.length", "wpan.dst16",
                  "icmpv6.rpl.opt.config.ocp", "icmpv6.rpl.opt.config.interval_min",
                  "icmpv6.rpl.opt.config.interval_double", "icmpv6.rpl.opt.config.redundancy")
        row = self.expect_frame(fields, lambda r: r[0] == "1")
        self.assertEqual(row[1:], [ROOT_LL, "ff02::1a", "30", "256", "0x01", "fd00::1", "fd00::",
                                   "64", "0xffff", "1", "7", "20", "10"])
        self.stop()

    def test_dao_ack_routes_and_source_routes(self):
        self.start(rpl=True)
        self.join_b_and_c()
        ack_fields = ("icmpv6.rpl.daoack.sequence", "icmpv6.rpl.daoack.status", "ipv6.dst",
                      "ipv6.routing.type", "ipv6.routing.rpl.full_address", "wpan.dst64")
        acks = [self.expect_frame(ack_fields, lambda r: r[0] != "") for _ in range(2)]
        self.assertEqual(acks[0], ["1", "0", "fd00::b", "", "", "02:00:00:00:00:00:00:0b"])
        # the ACK to c goes through b with a source route in the packet itself (root-originated)
        self.assertEqual(acks[1], ["1", "0", "fd00::b", "3", "fd00::c", "02:00:00:00:00:00:00:0b"])
        routes = self.routes()
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--json", "--socket-dir",
                            self.tmp, "lowpand", "neighbors"], capture_output=True, text=True)
        neighbors = json.loads(r.stdout)
        self.assertEqual([(n["address"], n["link_local"], n["frames"]) for n in neighbors],
                         [("02:00:00:00:00:00:00:0b", "fe80::b", 2)])
        self.assertEqual(routes["fd00::b"]["parent"], "fd00::1")
        self.assertEqual(routes["fd00::c"]["parent"], "fd00::b")
        self.assertEqual(routes["fd00::c"]["depth"], 2)
        self.assertEqual(routes["fd00::c"]["tree"], "   └─ fd00::c")

        # the host (the root's own address) pings c: SRH inserted, sent to b
        import socket
        with socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6) as s:
            s.sendto(bytes([128, 0, 0, 0, 0x12, 0x34, 0, 1]) + b"ping", ("fd00::c", 0))
        row = self.expect_frame(("icmpv6.type", "ipv6.src", "ipv6.dst", "ipv6.routing.type",
                                 "ipv6.routing.rpl.full_address", "ipv6.routing.segleft"),
                                lambda r: r[0] == "128")
        self.assertEqual(row, ["128", "fd00::1", "fd00::b", "3", "fd00::c", "1"])

        # from another address of the host (not the root): IPv6-in-IPv6 (RFC 9008)
        subprocess.run(["ip", "addr", "add", "2001:db8::5/128", "dev", "lo", "nodad"], check=True)
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("2001:db8::5", 0))
            s.sendto(b"from outside", ("fd00::c", 40001))
        row = self.expect_frame(("ipv6.src", "ipv6.dst", "ipv6.routing.rpl.full_address",
                                 "udp.dstport"), lambda r: r[3] == "40001")
        self.assertEqual(row, ["fd00::1,2001:db8::5", "fd00::b,fd00::c", "fd00::c", "40001"])
        self.stop()

    def riot_dao(self, src, target, seq):
        """A DAO as RIOT sends it: to the root's link-local address, its
        Transit Information without a Parent Address."""
        from scapy.contrib.rpl import ICMPv6RPL, RPLDAO, RPLOptTgt, RPLOptTIO
        from scapy.layers.inet6 import IPv6
        pkt = (IPv6(src=src, dst=ROOT_LL, hlim=64) / ICMPv6RPL(code=2)
               / RPLDAO(RPLInstanceID=30, K=1, daoseq=seq) / RPLOptTgt(plen=128, prefix=target)
               / RPLOptTIO(pathseq=0, pathlifetime=30))
        self.sim.send(cmd="inject", hex=uncompressed_frame(B_EUI, BR_EUI, pkt).hex())

    def test_dao_without_parent_address(self):
        """No DAO is acknowledged with success unless its route is installed:
        a node's own target from its link-local address hangs off the root,
        a target it forwards (RIOT's storing style) off the node, and one
        whose parent cannot be known is refused (status 128)."""
        self.start(rpl=True)
        ack_fields = ("icmpv6.rpl.daoack.sequence", "icmpv6.rpl.daoack.status", "ipv6.src",
                      "ipv6.dst")
        self.riot_dao("fe80::b", "fd00::b", seq=7)
        self.assertEqual(self.expect_frame(ack_fields, lambda r: r[0] == "7"),
                         ["7", "0", ROOT_LL, "fe80::b"])
        self.riot_dao("fe80::b", "fd00::c", seq=8)
        self.assertEqual(self.expect_frame(ack_fields, lambda r: r[0] == "8"),
                         ["8", "0", ROOT_LL, "fe80::b"])
        routes = self.routes()
        self.assertEqual((routes["fd00::b"]["parent"], routes["fd00::b"]["depth"]),
                         ("fd00::1", 1))
        self.assertEqual((routes["fd00::c"]["parent"], routes["fd00::c"]["depth"]),
                         ("fd00::b", 2))
        # from a global address, forwarded who knows how far: no parent to take
        self.riot_dao("fd00::d", "fd00::d", seq=9)
        row = self.expect_frame(ack_fields, lambda r: r[0] == "9")
        self.assertGreaterEqual(int(row[1]), 128)
        self.assertNotIn("fd00::d", self.routes())
        self.stop()

    def test_upward_rpl_option_is_removed(self):
        import socket
        from scapy.layers.inet import UDP
        from scapy.layers.inet6 import HBHOptUnknown, IPv6, IPv6ExtHdrHopByHop
        self.start(rpl=True)
        self.join_b_and_c()
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("fd00::1", 40002))
            s.settimeout(5)
            # RFC 6553 option 0x63: the kernel would drop the packet if it saw it
            pkt = (IPv6(src="fd00::c", dst="fd00::1")
                   / IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x63,
                                                               optdata=b"\x00\x1e\x01\x00")])
                   / UDP(sport=5683, dport=40002) / b"sensor reading")
            self.sim.send(cmd="inject", hex=uncompressed_frame(B_EUI, BR_EUI, pkt).hex())
            data, peer = s.recvfrom(100)
        self.assertEqual(data, b"sensor reading")
        self.assertEqual(peer[0], "fd00::c")
        self.stop()

    def test_dao_with_rpl_option(self):
        """Contiki-NG puts the RFC 6553 option in a hop-by-hop header on its DAOs too."""
        from scapy.contrib.rpl import ICMPv6RPL, RPLDAO, RPLOptTgt, RPLOptTIO
        from scapy.layers.inet6 import HBHOptUnknown, IPv6, IPv6ExtHdrHopByHop
        self.start(rpl=True)
        pkt = (IPv6(src="fd00::b", dst="fd00::1")
               / IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=0x63,
                                                           optdata=b"\x00\x1e\x02\x00")])
               / ICMPv6RPL(code=2) / RPLDAO(RPLInstanceID=30, K=1, daoseq=1)
               / RPLOptTgt(plen=128, prefix="fd00::b")
               / RPLOptTIO(pathseq=0, pathlifetime=30, parentaddr="fd00::1"))
        self.sim.send(cmd="inject", hex=uncompressed_frame(B_EUI, BR_EUI, pkt).hex())
        row = self.expect_frame(("icmpv6.rpl.daoack.sequence", "icmpv6.rpl.daoack.status"),
                                lambda r: r[0] != "")
        self.assertEqual(row, ["1", "0"])
        self.assertEqual(self.routes()["fd00::b"]["parent"], "fd00::1")
        self.stop()

    def test_no_path_loop_and_expiry(self):
        self.start(rpl=True)
        self.join_b_and_c()
        wait_for(lambda: "fd00::c" in self.routes(), "c's route")
        # b claiming c as its parent would close a loop: refused, status 128
        self.sim.send(cmd="inject", hex=uncompressed_frame(
            B_EUI, BR_EUI, dao("fd00::b", "fd00::b", "fd00::c", seq=2, pathseq=1)).hex())
        row = self.expect_frame(("icmpv6.rpl.daoack.sequence", "icmpv6.rpl.daoack.status"),
                                lambda r: r[0] == "2")
        self.assertEqual(row, ["2", "128"])
        self.assertEqual(self.routes()["fd00::b"]["parent"], "fd00::1")
        # a No-Path DAO removes c
        self.sim.send(cmd="inject", hex=uncompressed_frame(
            B_EUI, BR_EUI, dao("fd00::c", "fd00::c", "fd00::b", seq=3, lifetime=0,
                               ack=False, pathseq=1)).hex())
        wait_for(lambda: "fd00::c" not in self.routes(), "c's route to go")
        # a 1-unit (here 1 s) lifetime runs out by itself
        self.sim.send(cmd="inject", hex=uncompressed_frame(
            B_EUI, BR_EUI, dao("fd00::b", "fd00::b", "fd00::1", seq=4, lifetime=1,
                               ack=False, pathseq=2)).hex())
        wait_for(lambda: "fd00::b" not in self.routes(), "b's route to expire")
        self.assertEqual(self.status()["counters"]["rpl_expired"], 1)
        self.stop()

    def test_routes_survive_restart(self):
        self.start(rpl=True)
        self.join_b_and_c()
        wait_for(lambda: "fd00::c" in self.routes(), "c's route")
        self.stop()
        self.start(rpl=True)
        routes = wait_for(lambda: (lambda r: "fd00::c" in r and r)(self.routes()),
                          "restored routes")
        self.assertEqual(routes["fd00::c"]["parent"], "fd00::b")
        self.stop()


def solicitation_frame(ipv6):
    return uncompressed_frame(B_EUI, 0xFFFF, ipv6)


class NeighborDiscoveryTests(Harness):
    """6LoWPAN-ND (RFC 6775): RS answered with an RA carrying the prefix, the
    context, the ABRO and the RD's address (RFC 9176 RDAO); NS+ARO with an NA.
    Wireshark decodes everything but the RDAO, whose bytes it shows raw."""

    RA_FIELDS = ("icmpv6.type", "ipv6.src", "ipv6.dst", "ipv6.hlim", "icmpv6.checksum.status",
                 "icmpv6.nd.ra.router_lifetime", "icmpv6.opt.linkaddr", "icmpv6.opt.prefix",
                 "icmpv6.opt.prefix.flag.l", "icmpv6.opt.prefix.flag.a",
                 "icmpv6.opt.6co.context_prefix", "icmpv6.opt.6co.context_length",
                 "icmpv6.opt.6co.flag.c", "icmpv6.opt.6co.valid_lifetime",
                 "icmpv6.opt.abro.6lbr_address", "icmpv6.opt.type", "icmpv6.data")

    def rs(self):
        from scapy.layers.inet6 import ICMPv6ND_RS, IPv6
        from scapy.packet import Raw
        sllao = bytes([1, 2]) + bytes.fromhex(B_EUI) + bytes(6)
        self.sim.send(cmd="inject", hex=solicitation_frame(
            IPv6(src="fe80::b", dst="ff02::2", hlim=255) / ICMPv6ND_RS() / Raw(sllao)).hex())

    def test_rs_gets_ra_with_rdao(self):
        self.start(extra="[nd]\nrd_address = fd00::5783\nrd_lifetime = 7200\n"
                         "router_lifetime = 900\n")
        self.rs()
        row = dict(zip(self.RA_FIELDS, self.expect_frame(self.RA_FIELDS, lambda r: r[0] == "134")))
        self.assertEqual((row["ipv6.src"], row["ipv6.dst"], row["ipv6.hlim"]),
                         (ROOT_LL, "fe80::b", "255"))
        self.assertEqual(row["icmpv6.checksum.status"], "1")
        self.assertEqual(row["icmpv6.nd.ra.router_lifetime"], "900")
        self.assertEqual(row["icmpv6.opt.linkaddr"].replace(":", ""), BR_EUI)
        self.assertEqual((row["icmpv6.opt.prefix"], row["icmpv6.opt.prefix.flag.l"],
                          row["icmpv6.opt.prefix.flag.a"]), ("fd00::", "0", "1"))
        self.assertEqual((row["icmpv6.opt.6co.context_prefix"],
                          row["icmpv6.opt.6co.context_length"], row["icmpv6.opt.6co.flag.c"],
                          row["icmpv6.opt.6co.valid_lifetime"]), ("fd00::", "64", "1", "1440"))
        self.assertEqual(row["icmpv6.opt.abro.6lbr_address"], "fd00::1")
        # RDAO (type 41): reserved, lifetime 7200 s, the address
        self.assertEqual(row["icmpv6.opt.type"].split(","), ["1", "3", "34", "35", "41"])
        self.assertEqual(row["icmpv6.data"].replace(":", ""),
                         "0000" + "00001c20" + "fd00" + "00" * 12 + "5783")
        counters = self.status()["counters"]
        self.assertEqual((counters["nd_rs_received"], counters["nd_ra_sent"]), (1, 1))
        self.stop()

    def test_no_rdao_unless_configured(self):
        self.start()
        self.rs()
        row = dict(zip(self.RA_FIELDS, self.expect_frame(self.RA_FIELDS, lambda r: r[0] == "134")))
        self.assertEqual(row["icmpv6.opt.type"].split(","), ["1", "3", "34", "35"])
        self.stop()

    def test_ns_with_aro_gets_na(self):
        from scapy.layers.inet6 import ICMPv6ND_NS, IPv6
        from scapy.packet import Raw
        self.start()
        aro = bytes([33, 2, 0, 0, 0, 0, 0, 30]) + bytes.fromhex(B_EUI)
        self.sim.send(cmd="inject", hex=uncompressed_frame(B_EUI, BR_EUI, (
            IPv6(src="fd00::b", dst="fd00::1", hlim=255) / ICMPv6ND_NS(tgt="fd00::b")
            / Raw(aro))).hex())
        fields = ("icmpv6.type", "ipv6.src", "ipv6.dst", "icmpv6.nd.na.target_address",
                  "icmpv6.nd.na.flag.s", "icmpv6.opt.aro.status",
                  "icmpv6.opt.aro.registration_lifetime", "icmpv6.opt.aro.eui64")
        row = self.expect_frame(fields, lambda r: r[0] == "136")
        self.assertEqual(row[1:7], ["fd00::1", "fd00::b", "fd00::b", "1", "0", "30"])
        self.assertEqual(row[7].replace(":", ""), B_EUI)
        # a solicitation with a wrong hop limit is dropped and counted, not answered
        self.sim.send(cmd="inject", hex=uncompressed_frame(B_EUI, BR_EUI, (
            IPv6(src="fd00::b", dst="fd00::1", hlim=64) / ICMPv6ND_NS(tgt="fd00::b")
            / Raw(aro))).hex())
        wait_for(lambda: self.status()["counters"]["nd_invalid"] == 1, "the invalid NS counted")
        self.assertEqual(self.status()["counters"]["nd_na_sent"], 1)
        self.stop()

    def test_ns_for_the_routers_own_addresses(self):
        """RIOT checks that its router is reachable (RFC 4861 NUD) with an NS
        for the root's link-local address, an address the kernel does not
        have on the TUN interface: lowpand answers for its addresses."""
        from scapy.layers.inet6 import ICMPv6ND_NS, IPv6
        from scapy.packet import Raw
        self.start()
        fields = ("icmpv6.type", "ipv6.src", "ipv6.dst", "icmpv6.nd.na.target_address",
                  "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o", "icmpv6.opt.target_linkaddr_eui64",
                  "icmpv6.checksum.status", "wpan.dst64")
        # an 8-byte SLLAO (RFC 4944 §8): type 1, length 2, the EUI-64, padding
        sllao = Raw(bytes([1, 2]) + bytes.fromhex(B_EUI) + bytes(6))
        for dst, tgt in ((ROOT_LL, ROOT_LL), ("ff02::1:ff02:304", ROOT_LL),
                         ("fd00::1", "fd00::1")):
            with self.subTest(dst=dst, target=tgt):
                ns = IPv6(src="fe80::b", dst=dst, hlim=255) / ICMPv6ND_NS(tgt=tgt) / sllao
                self.sim.send(cmd="inject", hex=uncompressed_frame(
                    B_EUI, BR_EUI if dst[:4] != "ff02" else 0xFFFF, ns).hex())
                row = self.expect_frame(fields, lambda r: r[0] == "136")
                self.assertEqual(row, ["136", ROOT_LL if tgt == ROOT_LL else "fd00::1", "fe80::b",
                                       tgt, "1", "1",
                                       ":".join(BR_EUI[i:i + 2] for i in range(0, 16, 2)), "1",
                                       "02:00:00:00:00:00:00:0b"])
        # registering the router's own address is registering a duplicate (status
        # 1): an EARO (T flag, RFC 8505) registers the NS's target
        earo = bytes([33, 2, 0, 0, 1, 5, 0, 30]) + bytes.fromhex(B_EUI)
        self.sim.send(cmd="inject", hex=uncompressed_frame(B_EUI, BR_EUI, (
            IPv6(src="fe80::b", dst=ROOT_LL, hlim=255) / ICMPv6ND_NS(tgt="fd00::1") / sllao
            / Raw(earo))).hex())
        row = self.expect_frame(("icmpv6.type", "icmpv6.nd.na.target_address",
                                 "icmpv6.opt.aro.status"), lambda r: r[0] == "136")
        self.assertEqual(row, ["136", "fd00::1", "1"])
        # RIOT's RFC 6775 ARO registers the NS's source; its target is the router
        aro = bytes([33, 2, 0, 0, 0, 0, 0, 30]) + bytes.fromhex(B_EUI)
        self.sim.send(cmd="inject", hex=uncompressed_frame(B_EUI, BR_EUI, (
            IPv6(src="fd00::b", dst=ROOT_LL, hlim=255) / ICMPv6ND_NS(tgt=ROOT_LL) / sllao
            / Raw(aro))).hex())
        row = self.expect_frame(("icmpv6.type", "ipv6.dst", "icmpv6.opt.aro.status"),
                                lambda r: r[0] == "136")
        self.assertEqual(row, ["136", "fd00::b", "0"])
        # an NS without ARO for somebody else's address is not the router's to answer
        self.sim.send(cmd="inject", hex=uncompressed_frame(B_EUI, BR_EUI, (
            IPv6(src="fe80::b", dst=ROOT_LL, hlim=255) / ICMPv6ND_NS(tgt="fd00::c") / sllao)).hex())
        self.sim.send(cmd="inject", hex=uncompressed_frame(B_EUI, BR_EUI, (
            IPv6(src="fe80::b", dst=ROOT_LL, hlim=255) / ICMPv6ND_NS(tgt=ROOT_LL) / sllao)).hex())
        row = self.expect_frame(("icmpv6.type", "icmpv6.nd.na.target_address"),
                                lambda r: r[0] == "136")
        self.assertEqual(row, ["136", ROOT_LL])
        c = self.status()["counters"]
        self.assertEqual((c["nd_na_sent"], c["nd_ns_own_received"]), (6, 5))
        self.stop()

    def register_b(self):
        """fd00::b registers itself with an RFC 6775 ARO, and is confirmed."""
        from scapy.layers.inet6 import ICMPv6ND_NS, IPv6
        from scapy.packet import Raw
        aro = bytes([33, 2, 0, 0, 0, 0, 0, 30]) + bytes.fromhex(B_EUI)
        self.sim.send(cmd="inject", hex=uncompressed_frame(B_EUI, BR_EUI, (
            IPv6(src="fd00::b", dst="fd00::1", hlim=255) / ICMPv6ND_NS(tgt="fd00::b")
            / Raw(aro))).hex())
        row = self.expect_frame(("icmpv6.type", "icmpv6.opt.aro.status"),
                                lambda r: r[0] == "136")
        self.assertEqual(row, ["136", "0"])

    def host_ns(self, sock, target, option=b""):
        """The host's NS for @target, as the kernel would send it on the TUN
        interface: to the solicited-node group, hop limit 255 (the kernel
        computes the checksum of a raw ICMPv6 socket)."""
        import ipaddress
        import socket
        from scapy.layers.inet6 import ICMPv6ND_NS
        packed = ipaddress.IPv6Address(target).packed
        group = "ff02::1:ff" + packed[13:].hex()[:2] + ":" + packed[14:].hex()
        ns = bytes(ICMPv6ND_NS(tgt=target, cksum=0)) + option
        sock.sendto(ns, (group, 0, 0, socket.if_nametoindex("lwgt0")))

    def host_na(self, sock):
        """The first NA the host receives, dissected by scapy, with its source."""
        from scapy.layers.inet6 import ICMPv6ND_NA
        while True:
            data, addr = sock.recvfrom(2048)
            if data[0] == 136:
                return ICMPv6ND_NA(data), addr[0].split("%")[0]

    def test_host_ns_for_a_registered_node_is_proxied(self):
        """The host resolving a registered node's address (or probing it,
        with an EARO) gets the NA from lowpand on the node's behalf (RFC 8929
        proxy: Override clear), and nothing goes on the air; an address
        nobody registered gets no answer."""
        import socket
        self.start()
        self.register_b()
        idx = socket.if_nametoindex("lwgt0")
        with socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6) as s:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
            s.settimeout(10)
            self.host_ns(s, "fd00::c")  # not registered: dropped, no answer
            self.host_ns(s, "fd00::b")
            na, src = self.host_na(s)
            self.assertEqual((src, na.tgt, na.R, na.S, na.O), (ROOT_LL, "fd00::b", 0, 1, 0))
            # an EARO (T flag) for the node's address from the host: duplicate
            earo = bytes([33, 2, 0, 0, 1, 7, 0, 30]) + bytes(range(1, 9))
            self.host_ns(s, "fd00::b", earo)
            na, _ = self.host_na(s)
            aro = bytes(na.payload)
            self.assertEqual((na.tgt, aro[0], aro[2], aro[5], aro[8:16]),
                             ("fd00::b", 33, 1, 7, bytes(range(1, 9))))
        # what the host sends next is the first thing on the air: no NS went there
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.sendto(b"after the NS", ("ff02::1", 40000, 0, idx))
        row = self.expect_frame(("icmpv6.type", "udp.dstport"), lambda r: True)
        self.assertEqual(row, ["", "40000"])
        c = self.status()["counters"]
        self.assertEqual((c["host_nd_answered"], c["nd_host_ns_proxied"]), (2, 2))
        self.assertGreaterEqual(c["host_nd_dropped"], 3)
        self.stop()

    def abro_version(self):
        fields = ("icmpv6.type", "icmpv6.opt.abro.version_high", "icmpv6.opt.abro.version_low",
                  "icmpv6.opt.type")
        self.rs()
        row = self.expect_frame(fields, lambda r: r[0] == "134")
        return (int(row[1]) << 16) | int(row[2]), row[3].split(",")

    def reload(self, nd):
        """The [nd] section (the last one) replaced by @nd, then a reload."""
        ini = os.path.join(self.tmp, "lowpand.ini")
        with open(ini) as f:
            text = f.read()
        with open(ini, "w") as f:
            f.write(text[:text.index("[nd]\n")] + "[nd]\n" + nd)
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--json", "--socket-dir",
                            self.tmp, "lowpand", "reload"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_reload_changes_the_ra_and_its_abro_version(self):
        """RFC 6775 §4.3: nodes keep the prefix and context information of
        the highest ABRO version they heard, so what the RAs announce changes
        only with a new version — on a reload too, not only at start."""
        self.start(nd="context_lifetime = 1440\n")
        v0, opts = self.abro_version()
        self.assertEqual(opts, ["1", "3", "34", "35"])
        self.assertEqual(self.status()["counters"]["nd_abro_version"], v0)
        self.reload("context_lifetime = 1440\nrd_address = fd00::5783\n")
        v1, opts = self.abro_version()
        self.assertEqual((v1, opts), (v0 + 1, ["1", "3", "34", "35", "41"]))
        self.reload("context_lifetime = 60\nrd_address = fd00::5783\n")
        self.rs()
        row = self.expect_frame(("icmpv6.type", "icmpv6.opt.6co.valid_lifetime",
                                 "icmpv6.opt.abro.version_low"), lambda r: r[0] == "134")
        self.assertEqual((row[1], int(row[2])), ("60", (v0 + 2) & 0xffff))
        # a reload that changes nothing the RA says keeps the version
        self.reload("context_lifetime = 60\nrd_address = fd00::5783\n")
        v3, _ = self.abro_version()
        self.assertEqual(v3, v0 + 2)
        self.assertEqual(self.status()["counters"]["nd_abro_version"], v0 + 2)
        self.stop()

    def test_host_router_solicitations_stay_home(self):
        """The kernel's own RS from the TUN interface never reaches the mesh
        (nodes would answer it with RAs): what the host sends next does."""
        import socket
        self.start()
        idx = socket.if_nametoindex("lwgt0")
        with socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6) as s:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
            s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]), ("ff02::2", 0, 0, idx))
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.sendto(b"after the RS", ("ff02::1", 40000, 0, idx))
        ev = self.sim.expect("sent")
        rows = tshark_fields([bytes.fromhex(ev["frame"])], self.tmp, "icmpv6.type",
                             "udp.dstport")
        self.assertEqual(rows, [["", "40000"]])
        wait_for(lambda: self.status()["counters"]["host_nd_dropped"] >= 1,
                 "the host's RS counted")
        self.stop()


class RegistrationTests(Harness):
    """The 6LBR's registration table (RFC 6775 §6.5, RFC 8505 §5): duplicate
    address detection for the whole mesh, TID freshness, a bounded table,
    deregistration, and persistence across a restart."""

    NA = ("icmpv6.type", "ipv6.dst", "icmpv6.nd.na.target_address", "icmpv6.opt.aro.status",
          "icmpv6.opt.aro.registration_lifetime")

    def register(self, eui, address, lifetime=30, tid=None, rovr=None):
        """An NS registering @address for the node @eui: an RFC 6775 ARO
        (source = the address) or, with @tid, an RFC 8505 EARO (target = the
        address, ROVR @rovr or the EUI-64); returns the NA's ARO status."""
        from scapy.layers.inet6 import ICMPv6ND_NS, IPv6
        from scapy.packet import Raw
        owner = bytes.fromhex(rovr or eui)
        if tid is None:
            opt = bytes([33, 2, 0, 0, 0, 0]) + lifetime.to_bytes(2, "big") + owner
            ns = IPv6(src=address, dst=ROOT_LL, hlim=255) / ICMPv6ND_NS(tgt=ROOT_LL)
        else:
            opt = (bytes([33, 1 + len(owner) // 8, 0, 0, 1, tid]) + lifetime.to_bytes(2, "big")
                   + owner)
            ns = IPv6(src="fe80::" + eui[-4:].lstrip("0"), dst=ROOT_LL, hlim=255) / \
                ICMPv6ND_NS(tgt=address)
        sllao = bytes([1, 2]) + bytes.fromhex(eui) + bytes(6)
        self.sim.send(cmd="inject", hex=uncompressed_frame(eui, BR_EUI,
                                                           ns / Raw(sllao + opt)).hex())
        row = self.expect_frame(self.NA, lambda r: r[0] == "136")
        return int(row[3])

    def registrations(self):
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--json", "--socket-dir",
                            self.tmp, "lowpand", "registrations"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return {e["address"]: e for e in json.loads(r.stdout)}

    def test_duplicates_tid_and_persistence(self):
        self.start()
        self.assertEqual(self.register(B_EUI, "fd00::b"), 0)
        # another node claims b's address: a duplicate, b keeps it
        self.assertEqual(self.register(C_EUI, "fd00::b"), 1)
        self.assertEqual(self.register(B_EUI, "fd00::b", lifetime=20), 0)  # b refreshes
        reg = self.registrations()["fd00::b"]
        self.assertEqual((reg["owner"], reg["kind"], reg["tid"], reg["link"]),
                         (B_EUI, "aro", None, B_EUI))
        self.assertTrue(1140 < reg["lifetime_s"] <= 1200, reg)
        # EARO with a 128-bit ROVR: TIDs in RFC 6550 lollipop order
        rovr = "c0ffee" + "00" * 12 + "0c"
        self.assertEqual(self.register(C_EUI, "fd00::c", tid=250, rovr=rovr), 0)
        self.assertEqual(self.register(C_EUI, "fd00::c", tid=3, rovr=rovr), 0)  # rolled over
        self.assertEqual(self.register(C_EUI, "fd00::c", tid=250, rovr=rovr), 3)  # stale: moved
        self.assertEqual(self.register(C_EUI, "fd00::c", tid=3, rovr=rovr), 0)  # a retry
        self.assertEqual(self.register(B_EUI, "fd00::c", tid=4), 1)  # another ROVR
        reg = self.registrations()["fd00::c"]
        self.assertEqual((reg["owner"], reg["kind"], reg["tid"]), (rovr, "earo", 3))
        c = self.status()["counters"]
        self.assertEqual((c["nd_registrations"], c["nd_registered"], c["nd_duplicates"],
                          c["nd_moved"]), (2, 2, 2, 1))
        # a restart keeps the table (SQLite), lifetimes counting on
        self.stop()
        self.start()
        self.assertEqual(sorted(self.registrations()), ["fd00::b", "fd00::c"])
        self.assertEqual(self.register(C_EUI, "fd00::b"), 1)
        # deregistration (lifetime 0) frees the address for another node
        self.assertEqual(self.register(B_EUI, "fd00::b", lifetime=0), 0)
        self.assertNotIn("fd00::b", self.registrations())
        self.assertEqual(self.register(C_EUI, "fd00::b"), 0)
        self.stop()

    def dar(self, address, eui, lifetime=10, code=0, tid=0):
        """A 6LR (fd00::a) asks the 6LBR about @address for the node @eui: its
        (E)DAR; returns the DAC as tshark reads it."""
        from scapy.layers.inet6 import ICMPv6Unknown, IPv6
        import ipaddress
        body = (bytes([0, tid]) + lifetime.to_bytes(2, "big") + bytes.fromhex(eui)
                + ipaddress.IPv6Address(address).packed)
        pkt = IPv6(src="fd00::a", dst="fd00::1", hlim=64) / ICMPv6Unknown(type=157, code=code,
                                                                          msgbody=body)
        self.sim.send(cmd="inject", hex=uncompressed_frame("020000000000000a", BR_EUI,
                                                           pkt).hex())
        return self.expect_frame(("icmpv6.type", "ipv6.src", "ipv6.dst", "ipv6.hlim",
                                  "icmpv6.checksum.status", "icmpv6.6lowpannd.da.status",
                                  "icmpv6.6lowpannd.da.eui64", "icmpv6.6lowpannd.da.reg_addr",
                                  "icmpv6.6lowpannd.da.lifetime"),
                                 lambda r: r[0] == "158")

    def test_dar_from_a_6lr(self):
        """DAD for the whole mesh at the 6LBR: a 6LR's DAR is decided by the same
        table as the NSs the 6LBR hears itself (RFC 6775 §8.2)."""
        colons = lambda e: ":".join(e[i:i + 2] for i in range(0, 16, 2))  # noqa: E731
        self.start()
        self.assertEqual(self.register(B_EUI, "fd00::b"), 0)
        dac = self.dar("fd00::b", C_EUI)
        self.assertEqual(dac[1:], ["fd00::1", "fd00::a", "64", "1", "1", colons(C_EUI),
                                   "fd00::b", "10"])
        dac = self.dar("fd00::d", "020000000000000d")
        self.assertEqual(dac[5], "0")
        reg = self.registrations()["fd00::d"]
        self.assertEqual((reg["owner"], reg["link"]), ("020000000000000d", ""))
        # the node behind the 6LR cannot take the border router's own address
        self.assertEqual(self.dar("fd00::1", "020000000000000d")[5], "1")
        c = self.status()["counters"]
        self.assertEqual((c["nd_dar_received"], c["nd_dac_sent"]), (3, 3))
        self.stop()

    def test_table_full(self):
        self.start(nd="registrations_max = 2\n")
        self.assertEqual(self.register(B_EUI, "fd00::b"), 0)
        self.assertEqual(self.register(B_EUI, "fd00::b1"), 0)
        self.assertEqual(self.register(C_EUI, "fd00::c"), 2)
        self.assertEqual(self.register(B_EUI, "fd00::b"), 0)  # a refresh still fits
        self.assertEqual(self.status()["counters"]["nd_table_full"], 1)
        self.assertEqual(len(self.registrations()), 2)
        self.stop()



LOWPAN_STATS = "1.3.6.1.2.1.226.1.1"  # RFC 7388: mib-2.lowpanMIB(226).lowpanObjects(1).lowpanStats(1)
# lowpanStatsGroup: the objects lowpand serves, by sub-identifier (RFC 7388 §6)
LOWPAN_STATS_OBJECTS = {
    1: "lowpanReasmTimeout", 2: "lowpanInReceives", 3: "lowpanInHdrErrors",
    4: "lowpanInMeshReceives", 7: "lowpanInReasmReqds", 8: "lowpanInReasmFails",
    9: "lowpanInReasmOKs", 10: "lowpanInCompReqds", 11: "lowpanInCompFails",
    12: "lowpanInCompOKs", 13: "lowpanInDiscards", 14: "lowpanInDelivers",
    15: "lowpanOutRequests", 16: "lowpanOutCompReqds", 17: "lowpanOutCompFails",
    18: "lowpanOutCompOKs", 19: "lowpanOutFragReqds", 20: "lowpanOutFragFails",
    21: "lowpanOutFragOKs", 22: "lowpanOutFragCreates", 28: "lowpanOutDiscards",
    29: "lowpanOutTransmits"}


@unittest.skipUnless(shutil.which("snmpd") and shutil.which("snmpwalk"),
                     "needs snmpd and snmpwalk (Debian snmpd, snmp)")
class SnmpTests(Harness):
    """LOWPAN-MIB over SNMP: lowpand as an AgentX subagent (RFC 2741) of
    Debian's net-snmp snmpd, which runs with a private configuration (its
    AgentX socket in the test's folder, SNMP on 127.0.0.1 and ::1 of the
    test's namespace); net-snmp's snmpwalk/snmpget read the counters."""

    PORT = 16161

    def start_snmpd(self, extra="", socket=None):
        conf = os.path.join(self.tmp, "snmpd.conf")
        with open(conf, "w") as f:
            f.write(f"master agentx\nagentXSocket {socket or self.tmp + '/agentx'}\n"
                    f"agentaddress udp:127.0.0.1:{self.PORT},udp6:[::1]:{self.PORT}\n"
                    f"rocommunity public 127.0.0.1\nrocommunity6 public ::1\n{extra}")
        env = dict(self.snmp_env(), SNMP_PERSISTENT_DIR=os.path.join(self.tmp, "snmp-state"))
        with open(os.path.join(self.tmp, "snmpd.log"), "w") as log:
            self.procs.append(subprocess.Popen(
                ["snmpd", "-f", "-C", "-c", conf, "-Lf", os.path.join(self.tmp, "snmpd.log"),
                 "-p", os.path.join(self.tmp, "snmpd.pid")], env=env, stdout=log, stderr=log))
        return self.procs[-1]

    def snmp_env(self):
        """net-snmp with no MIB files: numeric OIDs throughout (Debian's main
        archive has no SNMPv2-SMI, which any MIB module imports from)."""
        empty = os.path.join(self.tmp, "no-mibs")
        os.makedirs(empty, exist_ok=True)
        return dict(os.environ, MIBS="", MIBDIRS=empty)

    def get(self, oid):
        """snmpget's answer, or "" while snmpd does not answer."""
        return subprocess.run(["snmpget", "-v2c", "-c", "public", "-On", "-r", "0",
                               f"udp:127.0.0.1:{self.PORT}", oid], capture_output=True,
                              text=True, env=self.snmp_env()).stdout

    def snmp(self, tool, *oids, agent="udp:127.0.0.1"):
        r = subprocess.run([tool, "-v2c", "-c", "public", "-On", "-Oe", "-r", "0", "-t", "5",
                            f"{agent}:{self.PORT}", *oids], capture_output=True, text=True,
                           env=self.snmp_env())
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def walk(self, agent="udp:127.0.0.1"):
        """{sub-identifier: (type, value)} of lowpanStats."""
        out = {}
        for line in self.snmp("snmpwalk", LOWPAN_STATS, agent=agent).splitlines():
            name, _, value = line.partition(" = ")
            kind, _, number = value.partition(": ")
            out[int(name.rsplit(".", 2)[-2])] = (kind, int(number))
        return out

    def test_lowpan_mib_walk_and_counters_move(self):
        self.start_snmpd()
        self.start(extra=f"[snmp]\nagentx = yes\nagentx_socket = {self.tmp}/agentx\n"
                         "agentx_ping = 1\n[6lowpan]\nreassembly_timeout = 42\n")
        # snmpd answering with lowpand registered: the subagent's object, not noSuchObject
        wait_for(lambda: "Gauge32: 42" in self.get(LOWPAN_STATS + ".1.0"),
                 "lowpanReasmTimeout via snmpd")
        before = self.walk()
        self.assertEqual(sorted(before), sorted(LOWPAN_STATS_OBJECTS))
        self.assertEqual(before[1], ("Gauge32", 42))  # Unsigned32 shows as Gauge32
        self.assertTrue(all(kind == "Counter32" for sub, (kind, _) in before.items() if sub != 1))
        self.assertEqual(before[2][1], 0)
        # traffic: an echo request from the mesh, its reply from the host back down
        self.sim.send(cmd="inject", hex=echo_request_frame(1).hex())
        self.sim.expect("sent")
        after = self.walk(agent="udp6:[::1]")
        stats = self.status()["counters"]
        for sub, name in LOWPAN_STATS_OBJECTS.items():
            if sub != 1:
                self.assertEqual(after[sub][1], stats[name] % 2**32, name)
        self.assertEqual((after[2][1], after[10][1], after[12][1], after[14][1]), (1, 1, 1, 1))
        self.assertGreaterEqual(after[15][1], 1)  # lowpanOutRequests: the reply
        self.assertGreaterEqual(after[29][1], 1)  # lowpanOutTransmits
        # one object by GET too, and nothing past lowpanStats is ours
        self.assertIn("Counter32: 1", self.snmp("snmpget", LOWPAN_STATS + ".2.0"))
        self.assertIn("No Such Object", self.snmp("snmpget", LOWPAN_STATS + ".5.0"))
        self.stop()

    def test_the_installed_mib_names_what_is_served(self):
        """mibs/LOWPAN-MIB.txt (installed in /usr/share/snmp/mibs) defines each
        object lowpand serves at the sub-identifier it is served at, and
        lowpanStatsGroup is exactly what is served."""
        import re
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
        with open(os.path.join(src, "mibs", "LOWPAN-MIB.txt")) as f:
            text = f.read()
        self.assertIn("::= { mib-2 226 }", text)
        self.assertIn("lowpanStats             OBJECT IDENTIFIER ::= { lowpanObjects 1 }", text)
        defined = {int(sub): name for name, sub in re.findall(
            r"^(lowpan\w+) OBJECT-TYPE\n(?:.*\n)*?    ::= \{ lowpanStats (\d+) \}", text, re.M)}
        self.assertEqual(sorted(defined), list(range(1, 30)))
        for sub, name in LOWPAN_STATS_OBJECTS.items():
            self.assertEqual(defined[sub], name)
        group = re.search(r"lowpanStatsGroup OBJECT-GROUP\n    OBJECTS \{([^}]*)\}", text)
        self.assertEqual(sorted(n.strip() for n in group.group(1).split(",")),
                         sorted(LOWPAN_STATS_OBJECTS.values()))

    def test_subagent_waits_for_snmpd(self):
        """lowpand started before snmpd (or snmpd restarted) connects when it comes."""
        self.start(extra=f"[snmp]\nagentx = yes\nagentx_socket = {self.tmp}/agentx\n"
                         "agentx_ping = 1\n")
        self.start_snmpd()
        wait_for(lambda: "Counter32" in self.get(LOWPAN_STATS + ".2.0"),
                 "lowpand registered with the late snmpd")
        self.stop()

    def test_agentx_over_tcp(self):
        """agentx_socket = tcp:host:port, as snmpd's agentXSocket has it."""
        self.start_snmpd(socket="tcp:127.0.0.1:17050")
        self.start(extra="[snmp]\nagentx = yes\nagentx_socket = tcp:localhost:17050\n"
                         "agentx_ping = 1\n")
        wait_for(lambda: "Counter32" in self.get(LOWPAN_STATS + ".2.0"), "registered over TCP")
        self.stop()

    def test_getbulk_set_and_snmpd_restart(self):
        """GETBULK through snmpd (which asks the subagent GetNexts), a SET
        refused as notWritable by the subagent, and the subagent back
        with a restarted snmpd."""
        snmpd = self.start_snmpd("rwcommunity private 127.0.0.1\n")
        self.start(extra=f"[snmp]\nagentx = yes\nagentx_socket = {self.tmp}/agentx\n"
                         "agentx_ping = 1\n")
        wait_for(lambda: "Counter32" in self.get(LOWPAN_STATS + ".2.0"), "registered")
        out = self.snmp("snmpbulkget", "-Cn1", "-Cr3", LOWPAN_STATS + ".1", LOWPAN_STATS + ".3")
        names = [line.split(" = ")[0].lstrip(".") for line in out.splitlines()]
        self.assertEqual(names, [LOWPAN_STATS + ".1.0", LOWPAN_STATS + ".3.0",
                                 LOWPAN_STATS + ".4.0", LOWPAN_STATS + ".7.0"])
        r = subprocess.run(["snmpset", "-v2c", "-c", "private", "-On", "-r", "0", "-t", "5",
                            f"udp:127.0.0.1:{self.PORT}", LOWPAN_STATS + ".2.0", "u", "5"],
                           capture_output=True, text=True, env=self.snmp_env())
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("notWritable", r.stdout + r.stderr)
        snmpd.terminate()
        snmpd.wait()
        self.start_snmpd()
        wait_for(lambda: "Counter32" in self.get(LOWPAN_STATS + ".2.0"),
                 "lowpand registered again with the restarted snmpd")
        self.stop()


class AgentxMasterTests(Harness):
    """The subagent against a scripted AgentX master (RFC 2741 PDUs built
    here by hand): what snmpd never sends (GetBulk, little-endian
    requests, TestSet/CleanupSet), its pings, and Close on stop."""

    STATS_OID = struct.pack(">BBBB4I", 4, 2, 0, 0, 1, 226, 1, 1)  # 1.3.6.1.2.1.226.1.1

    def recv(self, conn):
        def exactly(n):
            b = b""
            while len(b) < n:
                chunk = conn.recv(n - len(b))
                self.assertTrue(chunk, "subagent closed the connection")
                b += chunk
            return b
        h = exactly(20)
        order = ">" if h[2] & 0x10 else "<"
        _, t, flags, _, sid, tid, pid, plen = struct.unpack(order + "BBBBIIII", h)
        return t, flags, sid, pid, exactly(plen)

    def send(self, conn, t, sid, pid, payload, order=">"):
        flags = 0x10 if order == ">" else 0
        conn.sendall(struct.pack(order + "BBBBIIII", 1, t, flags, 0, sid, 1, pid, len(payload))
                     + payload)

    def test_scripted_master(self):
        import socket
        path = os.path.join(self.tmp, "agentx-fake")
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(path)
        srv.listen(1)
        srv.settimeout(10)
        self.start(extra=f"[snmp]\nagentx = yes\nagentx_socket = {path}\nagentx_ping = 1\n"
                         "[6lowpan]\nreassembly_timeout = 42\n")
        conn, _ = srv.accept()
        conn.settimeout(10)
        t, flags, _, pid, _ = self.recv(conn)
        self.assertEqual(t, 1)  # Open
        self.send(conn, 18, 77, pid, struct.pack(">IHH", 0, 0, 0))
        t, _, sid, pid, payload = self.recv(conn)
        self.assertEqual((t, sid), (3, 77))  # Register, in our session
        self.assertEqual(payload, struct.pack(">BBBB", 0, 127, 0, 0) + self.STATS_OID)
        self.send(conn, 18, 77, pid, struct.pack(">IHH", 0, 0, 0))
        # GetBulk, little-endian: non_repeaters 0, max_repetitions 3, from lowpanStats on
        stats_le = struct.pack("<BBBB4I", 4, 2, 0, 0, 1, 226, 1, 1)
        self.send(conn, 7, 77, 100, struct.pack("<HH", 0, 3) + stats_le + b"\0" * 4, order="<")
        while True:  # a Ping may come first
            t, flags, _, pid, payload = self.recv(conn)
            if t != 13:
                break
            self.send(conn, 18, 77, pid, struct.pack(">IHH", 0, 0, 0))
        self.assertEqual((t, flags & 0x10, pid), (18, 0, 100))
        up, err, idx = struct.unpack("<IHH", payload[:8])
        self.assertEqual(err, 0)
        vbs, rest = [], payload[8:]
        while rest:
            vtype, _, n, prefix = struct.unpack("<HHBB", rest[:6])
            subs = struct.unpack(f"<{n}I", rest[8:8 + 4 * n])
            value, = struct.unpack("<I", rest[8 + 4 * n:12 + 4 * n])
            vbs.append((vtype, prefix, subs, value))
            rest = rest[12 + 4 * n:]
        self.assertEqual(vbs, [(66, 2, (1, 226, 1, 1, 1, 0), 42), (65, 2, (1, 226, 1, 1, 2, 0), 0),
                               (65, 2, (1, 226, 1, 1, 3, 0), 0)])
        # TestSet of lowpanInReceives.0: notWritable, index 1; CleanupSet: no answer
        name = struct.pack(">BBBB6I", 6, 2, 0, 0, 1, 226, 1, 1, 2, 0)
        self.send(conn, 8, 77, 101, struct.pack(">HH", 65, 0) + name + struct.pack(">I", 5))
        t, _, _, pid, payload = self.recv(conn)
        while t == 13:
            self.send(conn, 18, 77, pid, struct.pack(">IHH", 0, 0, 0))
            t, _, _, pid, payload = self.recv(conn)
        self.assertEqual((t, pid), (18, 101))
        self.assertEqual(struct.unpack(">IHH", payload[:8])[1:], (17, 1))
        self.send(conn, 11, 77, 102, b"")
        # pings every agentx_ping s, then Close (reason shutdown) when lowpand stops
        t, _, sid, pid, payload = self.recv(conn)
        self.assertEqual((t, sid, payload), (13, 77, b""))
        self.send(conn, 18, 77, pid, struct.pack(">IHH", 0, 0, 0))
        self.lowpand.send_signal(signal.SIGTERM)
        t, _, sid, pid, payload = self.recv(conn)
        self.assertEqual((t, sid, payload[0]), (2, 77, 5))
        self.assertEqual(self.lowpand.wait(timeout=10), 0)
        self.sim.stop()
        conn.close()
        srv.close()

if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__]], with_source=False,
                need_root="lowpand tests need root (TUN interface in a network namespace)")
