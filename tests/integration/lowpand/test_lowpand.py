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

BUILD = None
HERE = os.path.dirname(os.path.abspath(__file__))
BR_EUI = "00124b0001020304"
NODE_EUI = "020000000000000b"  # its IID has the U/L bit flipped: fd00::b
PANID = 0xABCD


def wait_for(predicate, what, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


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
    args = ["tshark", "-r", path, "-T", "fields", "-E", "separator=|"]
    for fl in fields:
        args += ["-e", fl]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return [line.split("|") for line in out.splitlines()]


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


class LowpandTests(unittest.TestCase):
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

    def start(self, dialect="contiki-ng", extra=""):
        self.sim = Sim(self.link, dialect)
        ini = os.path.join(self.tmp, "lowpand.ini")
        with open(ini, "w") as f:
            f.write(f"[daemon]\nsocket = {self.tmp}/lowpand.sock\ndatabase = {self.tmp}/l.db\n"
                    f"user =\n[radio]\ndevice = {self.link}\npanid = 0x{PANID:04x}\n"
                    f"channel = 15\n{extra}[tun]\nname = lwgt0\naddress = fd00::1/64\n")
        self.lowpand = subprocess.Popen([os.path.join(BUILD, "daemons", "lowpand", "lowpand"),
                                         "-f", "-c", ini], stderr=subprocess.PIPE, text=True)
        self.procs.append(self.lowpand)
        wait_for(lambda: os.path.exists(f"{self.tmp}/lowpand.sock"), "control socket")
        return wait_for(lambda: self.status()["radio"]["state"] == "ready" and self.status(),
                        "radio ready")

    def status(self):
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--json", "--socket-dir",
                            self.tmp, "lowpand", "status"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def stop(self):
        self.lowpand.send_signal(signal.SIGTERM)
        self.assertEqual(self.lowpand.wait(timeout=10), 0)
        self.lowpand.stderr.close()
        self.sim.stop()

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
        self.assertLess(took, 3.0, "the issue asks for a reconnect within 3 s")
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
        # the stats command reports the same counters as status
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--json", "--socket-dir",
                            self.tmp, "lowpand", "stats"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["radio_log_lines"], c["radio_log_lines"])
        # still working
        self.sim.send(cmd="inject", hex=echo_request_frame(4).hex())
        self.sim.expect("sent")
        self.stop()


def main():
    global BUILD
    BUILD = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        print("lowpand tests need root (TUN interface in a network namespace): skipped")
        sys.exit(77)
    if os.environ.get("LWGATE_IN_NETNS") != "1":
        os.environ["LWGATE_IN_NETNS"] = "1"
        os.execvp("unshare", ["unshare", "-n", sys.executable] + sys.argv)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    unittest.main(argv=[sys.argv[0], "-v"])


if __name__ == "__main__":
    main()
