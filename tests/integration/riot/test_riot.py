#!/usr/bin/python3
"""lowpand with real RIOT OS nodes: RIOT native64 programs (6LoWPAN, RPL,
6LoWPAN-ND, CoAP) whose radio is ZEP over UDP share lwgate-radiosim's
simulated air with its dongle, so that a 6LoWPAN stack nobody here wrote
joins the border router.

Usage: test_riot.py BUILD_DIR SOURCE_DIR
The nodes come from SOURCE_DIR/../shared/peers/riot (where CI puts them),
else /work/shared/peers/riot; without either, every test is skipped.
Runs as root in a private network namespace, like test_mesh.py, whose
harness (radiosim, lowpand, lwgatectl, tshark) it borrows.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "mesh"))
import lwgtest  # noqa: E402
import test_mesh  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "rdd"))
import test_rdd  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "lwm2md"))
import test_lwm2md  # noqa: E402
from lwgtest import wait_for  # noqa: E402

BUILD = SOURCE = None
# RIOT's defaults (CONFIG_IEEE802154_DEFAULT_CHANNEL / _PANID)
RIOT_CHANNEL, RIOT_PANID = 26, 0x0023
BR_EUI = test_mesh.BR_EUI
ROOT_LL = "fe80::212:4b00:102:304"  # the dongle's EUI-64, U/L bit inverted


def peers_dir():
    """Where the RIOT peers are: beside the project (CI), else the shared folder here."""
    for d in (os.path.join(SOURCE, "..", "shared", "peers", "riot"), "/work/shared/peers/riot"):
        if os.path.isfile(os.path.join(d, "riot-node.elf")):
            return os.path.abspath(d)
    return None


def eui64_of(last):
    """The EUI-64 02:00:…:LAST of a test node; its IID gives fe80::LAST / fd00::LAST."""
    return f"0200000000000{last:03x}"


class Riot:
    """One RIOT native node: its shell on a pipe, read by a thread.

    RIOT native forks a helper that outlives the main process and keeps
    the pipe open, so the node runs in its own session and is stopped by
    killing its process group."""

    def __init__(self, elf, zep_port, last, log_path):
        self.name = f"riot{last:x}"
        self.eui64 = eui64_of(last)
        colons = ":".join(self.eui64[i:i + 2] for i in range(0, 16, 2))
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen([elf, "-z", f"[::1]:0,[::1]:{zep_port}", f"--eui64={colons}",
                                      "-s", str(last)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.lines = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.log.write(line + "\n")
            self.log.flush()
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.lines)

    def cmd(self, line):
        """Type @line into the shell; returns the mark of its output."""
        m = self.mark()
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        return m

    def expect(self, pattern, since=0, seconds=20):
        """The first match of @pattern in a line printed after mark @since."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + seconds
        with self.cond:
            while True:
                for line in self.lines[since:]:
                    m = rx.search(line)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.name}: no line matching {pattern!r}; "
                                         f"last lines: {self.lines[-15:]}")
                self.cond.wait(left)

    def in_dodag(self, dodag, seconds=60):
        """Ask `rpl` every 2 s until the node is in DODAG @dodag."""
        deadline = time.monotonic() + seconds
        while True:
            m = self.cmd("rpl")
            try:
                return self.expect(r"dodag \[" + re.escape(dodag) + " ", m, seconds=2)
            except AssertionError:
                if time.monotonic() > deadline:
                    raise

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.reader.join(10)  # the whole group is gone: the pipe ends
        self.proc.stdout.close()
        self.proc.stdin.close()
        self.log.close()


def node_ping(node, dst, count, size, seconds=60):
    """`ping` in the node's shell: (sent, received, average round trip in ms or None)."""
    m = node.cmd(f"ping -c {count} -s {size} -i 200 {dst}")
    stats = node.expect(r"(\d+) packets transmitted, (\d+) packets received", m, seconds)
    rtt = [line for line in node.lines[m:] if "round-trip" in line]
    avg = float(re.search(r"= [\d.]+/([\d.]+)/", rtt[0]).group(1)) if rtt else None
    return int(stats.group(1)), int(stats.group(2)), avg


def topology(*links, riot=(), sim=()):
    """A radiosim topology: the root, [zep] stations riotN for the numbers
    in @riot and [node] stations for those in @sim, and @links as
    (name, name) pairs ("root", "riotb", "c", …)."""
    hears = {}
    for a, b in links:
        hears.setdefault(a, []).append(b)
    text = f"[root]\neui64 = {BR_EUI}\nhears = {' '.join(hears.get('root', []))}\n"
    for kind, nums in (("zep", riot), ("node", sim)):
        for n in nums:
            name = f"riot{n:x}" if kind == "zep" else f"{n:x}"
            text += f"[{kind} {name}]\neui64 = {eui64_of(n)}\n"
            if hears.get(name):
                text += f"hears = {' '.join(hears[name])}\n"
    return text


class RiotHarness(test_mesh.Harness):
    def setUp(self):
        self.peers = peers_dir()
        if not self.peers:
            self.skipTest("no RIOT peers (SOURCE/../shared/peers/riot nor "
                          "/work/shared/peers/riot)")
        super().setUp()
        self.riots = []

    def tearDown(self):
        for r in self.riots:
            r.stop()
        if os.environ.get("LWGATE_KEEP"):  # for a look at the logs and air.pcap
            keep = self.tmp + "-kept"
            subprocess.run(["cp", "-a", self.tmp, keep], check=False)
            print(f"kept {keep}")
        super().tearDown()

    def start_riot(self, topo, sim_args=(), lifetime=60, mode="storing"):
        """radiosim with a ZEP side on @topo, and lowpand on RIOT's channel and PAN,
        a storing DODAG unless @mode says otherwise (RIOT's routers pass their
        children's DAOs on only in storing mode)."""
        st = self.start(topo, sim_args=("--zep", "0", *sim_args), lifetime=lifetime,
                        panid=RIOT_PANID, channel=RIOT_CHANNEL, rpl=f"mode = {mode}\n")
        self.zep_port = next(e["port"] for e in self.sim.log if e["event"] == "zep")
        return st

    def riot(self, last, elf="riot-node.elf"):
        r = Riot(os.path.join(self.peers, elf), self.zep_port, last,
                 os.path.join(self.tmp, f"riot{last:x}.log"))
        self.riots.append(r)
        return r

    def route_of(self, addr, seconds=60):
        """lowpand's route to @addr once it has one."""
        return wait_for(lambda: self.routes().get(addr), f"a route to {addr}", seconds)


class JoinTests(RiotHarness):
    def test_node_joins_and_gets_a_route(self):
        """A RIOT node one hop away joins the DODAG, registers with a DAO
        and lowpand installs its route (the DAO has no parent address and
        goes to the root's link-local address)."""
        self.start_riot(topology(("root", "riote"), riot=[0xe]), mode="non-storing")
        t0 = time.monotonic()
        node = self.riot(0xe)
        self.sim.expect("zep-attached", node="riote")
        route = self.route_of("fd00::e")
        took = time.monotonic() - t0
        print(f"RIOT node start to a route at the root: {took * 1000:.0f} ms")
        self.assertEqual(route["parent"], "fd00::1")
        self.assertEqual(route["depth"], 1)
        m = node.cmd("rpl")
        self.assertEqual(node.expect(r"dodag \[(\S+) \| R: (\d+)", m).groups(), ("fd00::1", "512"))
        self.assertEqual(node.expect(r"parent \[addr: (\S+) \|", m).group(1), ROOT_LL)
        # the node reaches the root: its router is reachable to it
        sent, got, _ = node_ping(node, "fd00::1", 3, 8)
        self.assertGreater(got, 0)
        # RIOT registers its address (NS with ARO, the router as target) or
        # probes its router (NUD: an NS for the root's link-local address,
        # which the kernel behind lwg0 does not have): each is answered
        solicited = self.tshark("ipv6.src", extra=("-Y", "icmpv6.type == 135 and "
                                                   "wpan.src64 == 02:00:00:00:00:00:00:0e"))
        answers = self.tshark("ipv6.dst", "icmpv6.nd.na.target_address", "icmpv6.opt.aro.status",
                              extra=("-Y", "icmpv6.type == 136"))
        if solicited:
            self.assertIn(answers[0], (["fe80::e", ROOT_LL, ""], ["fd00::e", ROOT_LL, "0"]))
        # what RIOT registered (RFC 6775 ARO: the NS's source), the 6LBR holds
        registered = {r[0] for r in self.tshark("ipv6.src", extra=(
            "-Y", "icmpv6.opt.type == 33 and wpan.src64 == 02:00:00:00:00:00:00:0e"))}
        table = {e["address"]: e for e in self.ctl("registrations")}
        for addr in registered:
            self.assertEqual(table[addr]["owner"], eui64_of(0xe), table)
        # the host's own Router Solicitations never reach the node, so it
        # never answers one with a Router Advertisement
        ras = self.tshark("ipv6.src", extra=("-Y", "icmpv6.type == 134"))
        self.assertNotIn(["fe80::e"], ras)
        self.stop()


# ICMPv6 echo payloads: one frame, and fragmented (two to ten frames)
SMALL, FRAGMENTED = (8, 40), (200, 500, 1000)


class PingTests(RiotHarness):
    def ping_both_ways(self, node, addr, label, sizes=SMALL + FRAGMENTED):
        for size in sizes:
            payload = bytes(self.rng.randrange(256) for _ in range(size))
            got = self.ping_until(addr, payload, 0x7107, size * 10, seconds=30)
            self.assertEqual(got, payload, f"{label}: host pings {addr} with {size} bytes")
        for size in sizes:
            sent, got, avg = node_ping(node, "fd00::1", 3, size)
            self.assertGreater(got, 0, f"{label}: the node pings the host with {size} bytes")
            print(f"{label}: node -> host {size} B: {got}/{sent}, avg {avg} ms")

    def test_one_hop_small_and_fragmented(self):
        self.start_riot(topology(("root", "riote"), riot=[0xe]))
        node = self.riot(0xe)
        self.route_of("fd00::e")
        self.ping_both_ways(node, "fd00::e", "1 hop")
        self.stop()
        # both directions of the fragmented echoes, as tshark reassembles them
        rows = self.tshark("wpan.src64", "icmpv6.type", "6lowpan.frag.size", "_ws.malformed",
                           extra=("-Y", "6lowpan.frag.size and icmpv6"))
        senders = {(r[0], r[1]) for r in rows if r[3] == ""}
        self.assertIn((test_mesh.BR_EUI_COLONS, "128"), senders)
        self.assertIn(("02:00:00:00:00:00:00:0e", "129"), senders)
        self.assertIn(("02:00:00:00:00:00:00:0e", "128"), senders)
        self.assertIn((test_mesh.BR_EUI_COLONS, "129"), senders)

    def test_two_hop_line(self):
        """root — riota — riotb: b hears only a, so everything to and from
        b crosses a, a RIOT router (its DAO goes to a, a passes it on)."""
        self.start_riot(topology(("root", "riota"), ("riota", "riotb"), riot=[0xa, 0xb]))
        self.riot(0xa)
        b = self.riot(0xb)
        t0 = time.monotonic()
        route = self.route_of("fd00::b", seconds=120)
        print(f"2-hop line: b's route at the root after {time.monotonic() - t0:.1f} s")
        self.assertEqual((route["parent"], route["depth"]), ("fd00::a", 2))
        # up to three fragments: a RIOT native router forwarding longer
        # bursts both ways at once sooner or later hits its sub-MAC's
        # assertion (a frame arriving before its last transmission was
        # dispatched, netdev_ieee802154_submac.c), which no spacing on
        # our side can rule out
        self.ping_both_ways(b, "fd00::b", "2 hops", sizes=SMALL + (200,))
        self.stop()


class VirtualReassemblyTests(RiotHarness):
    def test_simulated_6lr_forwards_fragments_as_they_come(self):
        """root — b (a simulated 6LR) — riotc: RIOT's MAC sends c's fragments
        one at a time, and b puts each on its way up before the next has
        come (virtual reassembly, seed 002 §3.1.1): in the capture, b's
        first fragment of the datagram goes out before c's last one."""
        self.start_riot(topology(("root", "b"), ("b", "riotc"), riot=[0xc], sim=[0xb]),
                        mode="non-storing")
        c = self.riot(0xc)
        c.in_dodag("fd00::1")
        before = self.ctl("stats")["lowpanInReasmOKs"]
        c.cmd("ping -c 1 -s 300 fd00::1")
        wait_for(lambda: self.ctl("stats")["lowpanInReasmOKs"] > before,
                 "the root to reassemble c's echo request", seconds=30)
        self.stop()
        rows = self.tshark("frame.time_epoch", "wpan.src64", "wpan.dst64", "6lowpan.frag.offset",
                           extra=("-Y", "6lowpan.frag.size == 348"))
        c_up = [r for r in rows if r[1].endswith(":0c") and r[2].endswith(":0b")]
        b_up = [r for r in rows if r[1].endswith(":0b") and r[2] == test_mesh.BR_EUI_COLONS]
        # every fragment c sent (some twice: MAC retries) went on, b's first
        # one before c's last
        self.assertGreaterEqual(len({r[3] for r in c_up}), 3, rows)
        self.assertLessEqual({r[3] for r in c_up}, {r[3] for r in b_up}, rows)
        self.assertLess(min(float(r[0]) for r in b_up), max(float(r[0]) for r in c_up),
                        "b waited for the whole datagram")
        whole = self.tshark("wpan.src64", "icmpv6.type", "icmpv6.checksum.status",
                            "_ws.malformed", extra=("-Y", "icmpv6.type == 128"))
        self.assertIn(["02:00:00:00:00:00:00:0b", "128", "1", ""], whole)


class ResourceDirectoryTests(RiotHarness):
    def test_rd_endpoint_registers_through_lowpand(self):
        """RIOT's CoRE RD endpoint (cord_ep) discovers rdd, registers with it
        across the border router and is found by a lookup from the host."""
        self.start_riot(topology(("root", "riotd"), riot=[0xd]))
        rdd = test_rdd.Rdd(self.tmp).start()
        self.addCleanup(lambda: rdd.proc.poll() is None and rdd.stop())
        ep = self.riot(0xd, "riot-rd-ep.elf")
        self.route_of("fd00::d")
        m = ep.cmd(f"cord_ep register coap://[fd00::1]:{rdd.port}")
        ep.expect(r"RD endpoint event: now registered with a RD", m, seconds=60)
        name = "riot-" + eui64_of(0xd)
        found = test_rdd.links(rdd.coap("get", f"/rd-lookup/ep?ep={name}").payload)
        self.assertEqual(len(found), 1, found)
        self.assertIn(f';ep={name};', found[0])
        self.assertIn('base="coap://[fd00::d]', found[0])
        res = test_rdd.links(rdd.coap("get", f"/rd-lookup/res?ep={name}").payload)
        self.assertIn("<coap://[fd00::d]:5683/sense/temp>", [r.split(";")[0] for r in res])
        # the resource it registered answers from the node, through lowpand
        temp = rdd.coap("get", "/sense/temp", host="fd00::d", port=5683)
        self.assertEqual(temp.payload.strip(), "23")
        self.assertEqual(rdd.stop(), 0)
        self.stop()


# The DTLS build's credentials (RIOT's lwm2m example, README of the peers)
RIOT_PSK_ID, RIOT_PSK_KEY = "Client_Identity", "ThisIsRIOT!"


class Lwm2mTests(RiotHarness):
    def register(self, elf, url, last):
        """lwm2md and a RIOT LwM2M client (Wakaama) on node @last, registered at @url."""
        self.start_riot(topology(("root", f"riot{last:x}"), riot=[last]))
        d = test_lwm2md.Lwm2md(self.tmp).start()
        self.addCleanup(lambda: d.alive() and d.stop())
        name = "riot-" + eui64_of(last)
        if url.startswith("coaps"):
            r = test_lwm2md.ctl(self.tmp, "lwm2md", "cred-add", f"ep={name}",
                                f"key={RIOT_PSK_KEY.encode().hex()}", f"identity={RIOT_PSK_ID}")
            self.assertEqual(r.returncode, 0, r.stderr)
        node = self.riot(last, elf)
        self.route_of(f"fd00::{last:x}")
        node.cmd(f"lwm2m start {url}")
        row = wait_for(lambda: [c for c in d.clients() if c["endpoint"] == name],
                       f"{name} registered", seconds=90)[0]
        return d, node, name, row

    def read_and_write(self, name, node):
        read = test_lwm2md.ctl_json(self.tmp, "read", f"ep={name}", "path=/3/0")
        self.assertEqual(read["values"]["/3/0/0"], "A RIOT maker")  # the manufacturer
        # switch the light (3311/0/5850, On/Off) on: a Read gives it back
        r = test_lwm2md.ctl(self.tmp, "lwm2md", "write", f"ep={name}", "path=/3311/0",
                            "mode=update", 'values:={"/3311/0/5850": true}')
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        back = test_lwm2md.ctl_json(self.tmp, "read", f"ep={name}", "path=/3311/0/5850")
        self.assertIs(back["values"]["/3311/0/5850"], True)

    def test_plain_coap(self):
        d, node, name, row = self.register("riot-lwm2m-client.elf",
                                           f"coap://[fd00::1]:{test_lwm2md.PORT}", 0x1c)
        self.assertEqual((row["transport"], row["binding"]), ("udp", "U"))
        self.assertTrue(row["address"].startswith("[fd00::1c]:"), row)
        self.read_and_write(name, node)
        self.assertEqual(d.stop(), 0)
        self.stop()

    def test_dtls_psk(self):
        d, node, name, row = self.register("riot-lwm2m-client-dtls.elf",
                                           f"coaps://[fd00::1]:{test_lwm2md.DTLS_PORT}", 0x1d)
        self.assertEqual((row["transport"], row["binding"]), ("dtls", "U"))
        self.read_and_write(name, node)
        self.assertEqual(d.stop(), 0)
        self.stop()


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_mesh, test_rdd, test_lwm2md],
                need_root="RIOT tests need root (TUN interface in a network namespace)")
