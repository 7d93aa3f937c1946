#!/usr/bin/python3
"""Figures of lowpand with real RIOT OS nodes (tests/integration/riot's
harness): the time from a node's start to its route at the root, and ping
loss and round trip from the host over one and two RIOT hops with 0 % and
10 % of receptions lost in the simulated air.  Prints, asserts nothing about
time.

Usage: bench_riot.py BUILD_DIR SOURCE_DIR  (as root, like the integration tests)
"""
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "riot"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
import lwgtest  # noqa: E402
import test_riot as tr  # noqa: E402

PINGS = 30


class RiotFigures(tr.RiotHarness):
    def pings(self, addr, size, label):
        rtts, lost = [], 0
        for seq in range(PINGS):
            payload = bytes(self.rng.randrange(256) for _ in range(size))
            t0 = time.monotonic()
            got = self.ping(addr, payload, 0xB1, seq, timeout=3.0)
            if got == payload:
                rtts.append((time.monotonic() - t0) * 1000)
            else:
                lost += 1
        med = f"{statistics.median(rtts):.1f}" if rtts else "-"
        p90 = f"{sorted(rtts)[int(len(rtts) * 0.9) - 1]:.1f}" if len(rtts) >= 10 else "-"
        print(f"{label}, {size} B: {lost}/{PINGS} lost, round trip median {med} ms, "
              f"p90 {p90} ms", flush=True)

    def run_line(self, loss, hops):
        args = ("--loss", str(loss), "--seed", "11") if loss else ()
        if hops == 1:
            self.start_riot(tr.topology(("root", "riota"), riot=[0xa]), sim_args=args)
            self.riot(0xa)
        else:
            self.start_riot(tr.topology(("root", "riota"), ("riota", "riotb"), riot=[0xa, 0xb]),
                            sim_args=args)
            self.riot(0xa)
            self.riot(0xb)
        addr = "fd00::a" if hops == 1 else "fd00::b"
        self.route_of(addr, seconds=180)
        self.ping_until(addr, b"warm", 0xB0, 0, seconds=60)
        for size in (8, 200):
            self.pings(addr, size, f"{hops} RIOT hop(s), {int(loss * 100)} % loss")
        self.stop()

    def test_a_start_to_route(self):
        took = []
        for i in range(3):
            if i:  # a new folder each time: no route restored from lowpand.db
                self.tmp = tempfile.mkdtemp(prefix="riot-bench-")
                self.link = os.path.join(self.tmp, "radio")
                self.addCleanup(shutil.rmtree, self.tmp, True)
            self.start_riot(tr.topology(("root", "riote"), riot=[0xe]))
            t0 = time.monotonic()
            node = self.riot(0xe)
            self.route_of("fd00::e")
            took.append(time.monotonic() - t0)
            self.stop()
            node.stop()
            self.riots.remove(node)
        print(f"RIOT node start to its route at the root: "
              f"{', '.join(f'{t:.2f}' for t in took)} s", flush=True)

    def test_b_one_hop_clean(self):
        self.run_line(0, 1)

    def test_c_one_hop_lossy(self):
        self.run_line(0.1, 1)

    def test_d_two_hops_clean(self):
        self.run_line(0, 2)

    def test_e_two_hops_lossy(self):
        self.run_line(0.1, 2)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], tr, tr.test_mesh, tr.test_rdd, tr.test_lwm2md],
                need_root="RIOT figures need root (TUN interface in a network namespace)")
