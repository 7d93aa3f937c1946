#!/usr/bin/python3
"""Figures of the 6LBR's registration table: memory and database octets per
registration, from N NS+ARO registrations of distinct nodes injected through
a simulated dongle (tests/integration/lowpand's harness).  Prints figures,
asserts only that every registration was taken.

Usage: bench_registrations.py BUILD_DIR  (as root, like the integration tests)
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "lowpand"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
import lwgtest  # noqa: E402
import test_lowpand as tl  # noqa: E402
from lwgtest import wait_for  # noqa: E402

N = 5000


def rss_anon_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


class RegistrationFigures(tl.Harness):
    def test_registrations_per_mb(self):
        from scapy.layers.inet6 import ICMPv6ND_NS, IPv6
        from scapy.packet import Raw
        self.start(nd=f"registrations_max = {N}\n")
        before = rss_anon_kb(self.lowpand.pid)
        db = os.path.join(self.tmp, "l.db")
        db_before = os.path.getsize(db) + os.path.getsize(db + "-wal")
        for i in range(N):
            eui = f"02000000{i:08x}"
            addr = f"fd00::a:{i >> 16:x}:{i & 0xffff:x}"
            aro = bytes([33, 2, 0, 0, 0, 0, 0, 30]) + bytes.fromhex(eui)
            sllao = bytes([1, 2]) + bytes.fromhex(eui) + bytes(6)
            ns = IPv6(src=addr, dst=tl.ROOT_LL, hlim=255) / ICMPv6ND_NS(tgt=tl.ROOT_LL)
            self.sim.send(cmd="inject", hex=tl.uncompressed_frame(eui, tl.BR_EUI,
                                                                  ns / Raw(sllao + aro)).hex())
        wait_for(lambda: self.status()["counters"]["nd_registrations"] == N,
                 f"{N} registrations", seconds=300)
        after = rss_anon_kb(self.lowpand.pid)
        db_after = os.path.getsize(db) + os.path.getsize(db + "-wal")
        print(f"{N} registrations: lowpand RssAnon {before} -> {after} KiB "
              f"({(after - before) * 1024 / N:.0f} B each, the table preallocated at start "
              f"included in 'before'); lowpand.db + WAL {db_before} -> {db_after} B "
              f"({(db_after - db_before) / N:.0f} B each)", flush=True)
        self.stop()


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], tl], with_source=False,
                need_root="registration figures need root (TUN interface in a network namespace)")
