#!/usr/bin/python3
"""paad, the PANA Authentication Agent, driven like a user: lwgatectl for
devices and sessions, lwgate-pac (tests/tools/pac) as the PANA client, in a
private network namespace so that paad serves the real port 716.  tshark
dissects every message both sides send; a UDP relay in this script loses
30 % of the datagrams in each direction."""
import json
import os
import queue
import random
import re
import select
import signal
import struct
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import lwgtest  # noqa: E402
from lwgtest import wait_for  # noqa: E402

BUILD = SOURCE = None
PSK = "000102030405060708090a0b0c0d0e0f"
PORT = 716


class Paad:
    """paad with its own INI, socket and database in @tmp."""

    def __init__(self, tmp, extra=""):
        self.tmp = tmp
        self.sock = os.path.join(tmp, "paad.sock")
        self.ini = os.path.join(tmp, "paad.ini")
        with open(self.ini, "w") as f:
            f.write(f"[daemon]\nsocket = {self.sock}\ndatabase = {tmp}/paad.db\nuser =\n"
                    f"log_level = debug\n[pana]\nport = {PORT}\n"
                    f"[retransmission]\ninitial_ms = 100\nmax_ms = 800\nmax_count = 12\n{extra}"
                    # no lowpand here (and never the host's, whose socket the namespace shares)
                    + ("" if "[admission]" in extra else "[admission]\nlowpand_socket =\n"))
        self.proc = None

    def start(self):
        with open(os.path.join(self.tmp, "paad.log"), "a") as log:
            self.proc = subprocess.Popen([os.path.join(BUILD, "daemons", "paad", "paad"), "-f",
                                          "-c", self.ini], stdout=subprocess.DEVNULL, stderr=log)
        wait_for(lambda: self.answers() or self.proc.poll() is not None, "paad control socket")
        if self.proc.poll() is not None:
            raise AssertionError("paad exited " + str(self.proc.returncode))
        return self

    def answers(self):
        return os.path.exists(self.sock) and self.ctl("status").returncode == 0

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=10)

    def ctl(self, *args):
        return subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--socket-dir", self.tmp,
                               "--json", "paad"] + list(args),
                              capture_output=True, text=True, timeout=10)

    def ok(self, *args):
        r = self.ctl(*args)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def sessions(self):
        out = self.ok("sessions")
        return out if isinstance(out, list) else []

    def pana(self):
        return self.ok("status")["pana"]


class Pac:
    """lwgate-pac; its JSON events are read one at a time."""

    def __init__(self, identity, psk=PSK, port=PORT, addr="::1", irt=100, log=None, src=None,
                 retries=12):
        self.log = log
        self.proc = subprocess.Popen(
            [os.path.join(BUILD, "tests", "tools", "lwgate-pac"), "-a", addr, "-p", str(port),
             "-r", str(irt), "-c", str(retries), "-i", identity, "-k", psk]
            + (["-s", src] if src else []),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        # a thread reads the lines: select() on a buffered pipe misses a second line that
        # arrived with the first
        self.lines = queue.Queue()
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in iter(self.proc.stdout.readline, ""):
            self.lines.put(line)
        self.lines.put("")

    def event(self, seconds=20):
        try:
            line = self.lines.get(timeout=seconds)
        except queue.Empty:
            tail = ""
            if self.log:
                with open(self.log) as f:
                    tail = "".join(f.readlines()[-30:])
            raise AssertionError("lwgate-pac said nothing; paad's log ends with:\n" + tail)
        if not line:
            raise AssertionError("lwgate-pac ended, status %s" % self.proc.wait())
        return json.loads(line)

    def expect(self, name):
        ev = self.event()
        assert ev["event"] == name, ev
        return ev

    def reauth(self):
        """A re-authentication; its reauthenticated event."""
        self.send("reauth")
        self.expect("reauth_acked")
        return self.expect("reauthenticated")

    def terminate(self):
        self.send("terminate")
        self.expect("terminated")

    def send(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=10)
        self.proc.stdout.close()
        return self.proc.returncode


class LossyRelay(threading.Thread):
    """A UDP relay between one PaC and paad that drops @loss of the datagrams each way,
    with a fixed seed so that a failure reproduces."""

    def __init__(self, loss, seed=7):
        super().__init__(daemon=True)
        self.loss, self.rng = loss, random.Random(seed)
        self.front = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.front.bind(("::1", 0))
        self.back = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.back.connect(("::1", PORT))
        self.port = self.front.getsockname()[1]
        self.client = None
        self.dropped = self.passed = 0
        self.running = True

    def run(self):
        while self.running:
            ready, _, _ = select.select([self.front, self.back], [], [], 0.2)
            for s in ready:
                data, src = s.recvfrom(2048)
                if s is self.front:
                    self.client = src
                if self.rng.random() < self.loss:
                    self.dropped += 1
                    continue
                self.passed += 1
                if s is self.front:
                    self.back.send(data)
                elif self.client:
                    self.front.sendto(data, self.client)

    def stop(self):
        self.running = False
        self.join()
        self.front.close()
        self.back.close()


class Relay(threading.Thread):
    """An RFC 6345 PANA relay (PRE) written here from the RFC, not from paad: PaCs talk to
    its front port; it wraps what they send in PRY[PaC-Information, Relayed-Message] to paad
    from @address, and unwraps paad's PRYs to the PaC that PaC-Information names."""

    def __init__(self, address):
        super().__init__(daemon=True)
        self.front = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.front.bind(("::1", 0))
        self.back = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.back.bind((address, 0))  # not connected: paad answers from whichever address
        self.port = self.front.getsockname()[1]
        self.wrapped = self.unwrapped = 0
        self.running = True

    @staticmethod
    def avp(code, value):
        return struct.pack(">HHHH", code, 0, len(value), 0) + value + bytes((-len(value)) % 4)

    def run(self):
        while self.running:
            ready, _, _ = select.select([self.front, self.back], [], [], 0.2)
            for s in ready:
                data, src = s.recvfrom(2048)
                if s is self.front:
                    info = socket.inet_pton(socket.AF_INET6, src[0]) + struct.pack(">H", src[1])
                    body = self.avp(10, info) + self.avp(11, data)
                    self.back.sendto(struct.pack(">HHHHII", 0, 16 + len(body), 0, 5, 0, 0) + body,
                                     ("::1", PORT))
                    self.wrapped += 1
                    continue
                avps, off = {}, 16
                while off + 8 <= len(data):
                    code, _, length, _ = struct.unpack(">HHHH", data[off:off + 8])
                    avps[code] = data[off + 8:off + 8 + length]
                    off += 8 + length + (-length) % 4
                addr = socket.inet_ntop(socket.AF_INET6, avps[10][:16])
                port = struct.unpack(">H", avps[10][16:18])[0]
                self.front.sendto(avps[11], (addr, port))
                self.unwrapped += 1

    def stop(self):
        self.running = False
        self.join()
        self.front.close()
        self.back.close()


class PaadTests(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.pacs = []

    def tearDown(self):
        for p in self.pacs:
            p.close()
        if getattr(self, "paad", None) and self.paad.proc.poll() is None:
            self.paad.stop()
        self._tmp.cleanup()

    def start(self, extra="", devices=("node-1",)):
        self.paad = Paad(self.tmp, extra).start()
        for d in devices:
            self.paad.ok("device-add", "identity=" + d, "psk=" + PSK)
        return self.paad

    def pac(self, identity="node-1", **kw):
        p = Pac(identity, log=os.path.join(self.tmp, "paad.log"), **kw)
        self.pacs.append(p)
        return p

    @staticmethod
    def add_address(address):
        subprocess.run(["ip", "-6", "addr", "replace", address + "/128", "dev", "lo", "nodad"],
                       check=True)

    def relay(self, address):
        """A relay whose paad-facing side is @address (added to lo for the test)."""
        self.add_address(address)
        relay = Relay(address)
        relay.start()
        self.addCleanup(relay.stop)
        return relay

    def test_relay_on_the_allow_list(self):
        paad = self.start("[relay]\nallow = 2001:db8::99\n")
        relay = self.relay("2001:db8::99")
        pac = self.pac(port=relay.port)
        pac.expect("authenticated")
        [s] = paad.sessions()
        self.assertEqual((s["address"], s["relay"]), ("::1", "2001:db8::99"))
        self.assertEqual(pac.reauth()["key_id"], 2)
        pac.terminate()
        self.assertGreater(relay.unwrapped, 0)
        st = paad.pana()
        self.assertEqual(st["relayed"], relay.wrapped)
        self.assertEqual(st["dropped"]["relay"], 0)

    def test_relay_not_allowed(self):
        paad = self.start("[relay]\nallow = 2001:db8::99\n")
        relay = self.relay("2001:db8::98")
        pac = Pac("node-1", port=relay.port, retries=2)
        self.pacs.append(pac)
        self.assertEqual(pac.expect("timeout"), {"event": "timeout"})
        self.assertEqual(paad.pana()["dropped"]["relay"], relay.wrapped)
        self.assertEqual(relay.unwrapped, 0)
        self.assertEqual(paad.sessions(), [])

    def test_relay_that_is_an_authenticated_router(self):
        paad = self.start(devices=("router", "node-1"))
        self.add_address("2001:db8::98")
        # from an address of its own, to ::1: paad must answer from ::1 (IPV6_PKTINFO)
        router = self.pac("router", src="2001:db8::98")
        router.expect("authenticated")
        relay = self.relay("2001:db8::98")
        pac = self.pac(port=relay.port)
        pac.expect("authenticated")
        relayed = [s for s in paad.sessions() if s["device"] == "node-1"]
        self.assertEqual(relayed[0]["relay"], "2001:db8::98")
        # once the router's own session ends, its PRYs are refused
        router.terminate()
        pac.send("reauth")
        wait_for(lambda: paad.pana()["dropped"]["relay"] > 0, "the PRY refused")

    def test_full_authentication(self):
        paad = self.start()
        ev = self.pac().expect("authenticated")
        self.assertEqual(ev["key_id"], 1)
        self.assertEqual(len(ev["msk"]), 128)
        [s] = paad.sessions()
        self.assertEqual((s["id"], s["device"], s["phase"], s["address"]),
                         (ev["session"], "node-1", "access", "::1"))
        self.assertEqual(s["lifetime"], 3600)
        self.assertEqual(paad.pana()["auth_ok"], 1)
        devices = paad.ok("device-list")
        self.assertEqual([d["identity"] for d in devices], ["node-1"])
        self.assertNotIn("psk", devices[0])

    def test_wrong_key_is_rejected(self):
        paad = self.start()
        pac = self.pac(psk="00" * 15 + "01")
        ev = pac.expect("rejected")
        self.assertEqual(ev["result"], 1)  # PANA_AUTHENTICATION_REJECTED
        self.assertEqual(pac.close(), 1)
        wait_for(lambda: paad.pana()["rejected"] == 1 and not paad.sessions(), "rejection")
        self.assertEqual(paad.pana()["established"], 0)

    def test_unknown_device_is_rejected(self):
        paad = self.start()
        self.assertEqual(self.pac("stranger").expect("rejected")["result"], 1)
        wait_for(lambda: not paad.sessions(), "no session left")

    def test_reauthentication_rolls_the_key_id(self):
        paad = self.start()
        pac = self.pac()
        first = pac.expect("authenticated")
        for key_id in (2, 3):
            ev = pac.reauth()
            self.assertEqual((ev["session"], ev["key_id"]), (first["session"], key_id))
            self.assertNotEqual(ev["msk"], first["msk"])
        [s] = paad.sessions()
        self.assertEqual((s["key_id"], s["phase"]), (3, "access"))
        self.assertEqual(paad.pana()["reauth_ok"], 2)

    def test_termination_by_the_pac(self):
        paad = self.start()
        pac = self.pac()
        pac.expect("authenticated")
        pac.terminate()
        self.assertEqual(pac.close(), 0)
        self.assertEqual(paad.sessions(), [])
        self.assertEqual(paad.pana()["terminated"], 1)

    def test_termination_by_the_operator(self):
        paad = self.start(devices=("node-1", "node-2"))
        pac1, pac2 = self.pac(), self.pac("node-2")
        sid = pac1.expect("authenticated")["session"]
        pac2.expect("authenticated")
        self.assertEqual(paad.ok("terminate", "id:=%d" % sid)["terminated"], 1)
        pac1.expect("terminated_by_paa")
        self.assertEqual([s["device"] for s in paad.sessions()], ["node-2"])
        # deleting a device ends its sessions too
        self.assertEqual(paad.ok("device-del", "identity=node-2")["sessions_ended"], 1)
        pac2.expect("terminated_by_paa")
        wait_for(lambda: not paad.sessions(), "sessions gone")
        self.assertEqual(paad.ctl("terminate", "id:=%d" % sid).returncode, 1)

    def test_lifetime_expiry(self):
        paad = self.start("[pana]\nsession_lifetime = 1\n")
        self.pac().expect("authenticated")
        wait_for(lambda: not paad.sessions(), "the session to expire")
        self.assertEqual(paad.pana()["expired"], 1)

    def test_tampered_and_replayed_messages_are_dropped(self):
        paad = self.start()
        pac = self.pac()
        pac.expect("authenticated")
        pac.send("tamper")
        pac.expect("tampered_sent")
        wait_for(lambda: paad.pana()["dropped"]["auth"] == 1, "the tampered PNR dropped")
        for _ in range(2):
            pac.reauth()
        before = paad.pana()
        pac.send("replay")  # the first PNR again: signed with a key that is gone
        pac.expect("replayed_sent")
        wait_for(lambda: paad.pana()["dropped"]["auth"] == before["dropped"]["auth"] + 1,
                 "the replayed PNR dropped")
        after = paad.pana()
        self.assertEqual(after["tx"], before["tx"])  # nothing answered
        [s] = paad.sessions()
        self.assertEqual((s["phase"], s["key_id"]), ("access", 3))

    def test_thirty_percent_loss(self):
        paad = self.start(devices=["node-%d" % i for i in range(5)])
        relay = LossyRelay(0.3)
        relay.start()
        try:
            for i in range(5):
                pac = self.pac("node-%d" % i, port=relay.port)
                pac.expect("authenticated")
                pac.reauth()
                pac.terminate()
        finally:
            relay.stop()
        self.assertGreater(relay.dropped, 0)
        st = paad.pana()
        self.assertEqual((st["auth_ok"], st["reauth_ok"], st["terminated"]), (5, 5, 5))
        self.assertGreater(st["retransmits"] + st["duplicates"], 0)

    def test_restart_in_the_middle_of_a_session(self):
        paad = self.start()
        pac = self.pac()
        first = pac.expect("authenticated")
        [before] = paad.sessions()
        self.assertEqual(paad.stop(), 0)
        paad.start()
        [after] = paad.sessions()
        self.assertEqual((after["id"], after["key_id"], after["phase"]),
                         (before["id"], 1, "access"))
        self.assertEqual(pac.reauth()["session"], first["session"])
        pac.terminate()
        self.assertEqual(paad.sessions(), [])

    def test_tshark_dissects_every_message(self):
        pcap = os.path.join(self.tmp, "pana.pcapng")
        # -P -l: a summary line per packet as soon as it is in the file, so we know when all are
        cap = subprocess.Popen(["tshark", "-i", "lo", "-f", "udp port %d" % PORT, "-w", pcap,
                                "-P", "-l"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(iter(cap.stdout.readline, "")),
                                  daemon=True)
        try:
            wait_for(lambda: "Capturing on" in cap.stderr.readline(), "tshark to capture")
            reader.start()
            paad = self.start("[relay]\nallow = 2001:db8::99\n")
            relay = self.relay("2001:db8::99")
            relayed = self.pac(port=relay.port)
            relayed.expect("authenticated")
            relayed.terminate()
            pac = self.pac()
            pac.expect("authenticated")
            pac.reauth()
            pac.terminate()
            self.assertEqual(self.pac(psk="11" * 16).expect("rejected")["result"], 1)
            st = paad.pana()
            try:
                # tshark writes and prints each packet after dumpcap hands it over,
                # which on a loaded machine lags well behind paad: a generous bound
                wait_for(lambda: len(lines) >= st["rx"] + st["tx"], "tshark", seconds=120)
            except AssertionError:
                raise AssertionError("tshark saw %d packets of %d: %s" % (
                    len(lines), st["rx"] + st["tx"], "".join(lines[-5:])))
        finally:
            cap.send_signal(signal.SIGINT)
            cap.wait(timeout=20)
            cap.stderr.close()
            reader.join(timeout=10)
            cap.stdout.close()
        types = subprocess.run(["tshark", "-r", pcap, "-Y", "pana", "-T", "fields", "-e",
                                "pana.type"], capture_output=True, text=True, check=True).stdout
        # PCI, PAR/PAN, PTR/PTA, PNR/PNA, and PRY with the relayed message inside ("5,2")
        self.assertEqual(set(types.replace(",", " ").split()), {"1", "2", "3", "4", "5"})
        self.assertIn("5,1", types.split())
        bad = subprocess.run(["tshark", "-r", pcap, "-Y",
                              "_ws.malformed || _ws.expert.severity >= 6291456"],
                             capture_output=True, text=True, check=True).stdout
        self.assertEqual(bad, "", "tshark found malformed packets or expert warnings")
        eap = subprocess.run(["tshark", "-r", pcap, "-Y", "eap.type == 47", "-T", "fields", "-e",
                              "frame.number"], capture_output=True, text=True, check=True).stdout
        self.assertGreaterEqual(eap.count("\n"), 8)  # four EAP-PSK messages per run, two runs


class RadiusTests(unittest.TestCase):
    """[eap] mode = radius: paad relays EAP to Debian's hostapd, running as a RADIUS server
    with EAP-PSK; the PaC's EAP-PSK peer is checked by hostapd, and the MSK that hostapd
    logs (-K) must be the PaC's, which paad's AUTH proves it has too."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.pacs = []
        self.hlog = os.path.join(self.tmp, "hostapd.log")
        with open(os.path.join(self.tmp, "clients"), "w") as f:
            f.write("::1/128 s3cret\n")
        with open(os.path.join(self.tmp, "users"), "w") as f:
            f.write('"node-1" PSK %s\n' % PSK)
        conf = os.path.join(self.tmp, "hostapd.conf")
        with open(conf, "w") as f:
            f.write(f"driver=none\nlogger_stdout=-1\nlogger_stdout_level=0\n"
                    f"radius_server_clients={self.tmp}/clients\nradius_server_auth_port=1812\n"
                    f"radius_server_ipv6=1\neap_server=1\neap_user_file={self.tmp}/users\n")
        with open(self.hlog, "w") as log:
            self.hostapd = subprocess.Popen(["hostapd", "-dd", "-K", conf], stdout=log,
                                            stderr=subprocess.STDOUT)
        wait_for(lambda: "Setup of interface done" in self.hostapd_log()
                 or self.hostapd.poll() is not None, "hostapd to start")
        self.assertIsNone(self.hostapd.poll(), self.hostapd_log())
        self.paad = Paad(self.tmp, "[eap]\nmode = radius\n[radius]\nserver = ::1\n"
                                   "secret = s3cret\n").start()

    def tearDown(self):
        for p in self.pacs:
            p.close()
        if self.paad.proc.poll() is None:
            self.paad.stop()
        self.hostapd.terminate()
        self.hostapd.wait(timeout=10)
        self._tmp.cleanup()

    def pac(self, identity="node-1", **kw):
        p = Pac(identity, log=os.path.join(self.tmp, "paad.log"), **kw)
        self.pacs.append(p)
        return p

    def hostapd_log(self):
        with open(self.hlog) as f:
            return f.read()

    def hostapd_msks(self):
        return ["".join(m.split()) for m in
                re.findall(r"EAP-PSK: MSK - hexdump\(len=64\):([0-9a-f ]+)", self.hostapd_log())]

    def test_authentication_through_hostapd(self):
        pac = self.pac()
        first = pac.expect("authenticated")
        self.assertEqual(self.hostapd_msks(), [first["msk"]])
        second = pac.reauth()
        self.assertEqual(self.hostapd_msks(), [first["msk"], second["msk"]])
        self.assertEqual(second["key_id"], 2)
        [s] = self.paad.sessions()
        self.assertEqual((s["device"], s["phase"], s["key_id"]), ("node-1", "access", 2))
        pac.terminate()
        st = self.paad.ok("status")
        self.assertEqual((st["pana"]["auth_ok"], st["pana"]["reauth_ok"]), (1, 1))
        self.assertEqual(st["radius"]["accepts"], 2)
        self.assertEqual(st["radius"]["dropped"], 0)

    def test_wrong_key_is_rejected_by_hostapd(self):
        pac = self.pac(psk="ff" * 16)
        self.assertEqual(pac.expect("rejected")["result"], 1)
        wait_for(lambda: self.paad.pana()["rejected"] == 1, "the rejection counted")
        self.assertEqual(self.paad.ok("status")["radius"]["rejects"], 1)
        self.assertEqual(self.paad.sessions(), [])
        self.assertEqual(self.hostapd_msks(), [])

    def test_unknown_user_is_rejected_by_hostapd(self):
        self.assertEqual(self.pac("stranger").expect("rejected")["result"], 1)
        self.assertEqual(self.paad.sessions(), [])


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__]], need_root="paad serves port 716 in its own namespace")
