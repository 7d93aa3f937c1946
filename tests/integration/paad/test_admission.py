#!/usr/bin/python3
"""Admission on the border router: lowpand with [admission] enabled forwards
between the mesh (lwgate-radiosim) and the host only the traffic of nodes
that paad has authenticated, plus what joining needs.

Node c of the simulated mesh authenticates itself: its PANA client (the
protocol of lwgate-pac, in lwgate-radiosim) talks to paad on the host
through the mesh and lowpand's gate, which lets PANA through; paad then
tells lowpand to admit c, and to revoke it when the session ends."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mesh"))
import lwgtest  # noqa: E402
import test_mesh  # noqa: E402
import test_paad  # noqa: E402
from lwgtest import wait_for  # noqa: E402

BUILD = SOURCE = None
NODE_C = "fd00::c"
# lowpand.ini lines the harness places after [radio]: a section of their own
ADMISSION = "[admission]\nenabled = yes\n"


class AdmissionTests(test_mesh.Harness):
    def setUp(self):
        super().setUp()
        self.paad = None

    def tearDown(self):
        if self.paad and self.paad.proc.poll() is None:
            self.paad.stop()
        super().tearDown()

    def start_all(self):
        self.start(radio=ADMISSION, lifetime=30)
        self.joined("b", "c")
        self.paad = test_paad.Paad(self.tmp, f"[admission]\nlowpand_socket = {self.tmp}/lowpand.sock\n"
                                             "resync = 1\n").start()
        self.paad.ok("device-add", "identity=node-c", "psk=" + test_paad.PSK)

    def admission(self):
        return self.ctl("status")["admission"]

    def authenticate_c(self):
        self.sim.send(cmd="pana", node="c", paa="fd00::1", identity="node-c",
                      psk=test_paad.PSK)
        self.sim.expect("pana", node="c", state="authenticated", seconds=20)

    def admitted(self):
        out = self.ctl("admitted")
        return out if isinstance(out, list) else []

    def test_only_authenticated_nodes_reach_the_host(self):
        self.start_all()
        # not authenticated: the host's ping is dropped on its way down, c's on its way up
        self.assertIsNone(self.ping(NODE_C, b"knock", 0xAD, 1, timeout=1.0))
        wait_for(lambda: self.admission()["dropped_down"] > 0, "the ping dropped")
        self.sim.send(cmd="ping", **{"from": "c"}, to="fd00::1", size=16, seq=1)
        wait_for(lambda: self.admission()["dropped_up"] > 0, "c's ping dropped")
        # the control plane is lowpand's own and never meets the gate: the mesh stays joined
        self.assertLessEqual({"fd00::b", "fd00::c"}, set(self.routes()))

        # c authenticates through the mesh: PANA passes the gate, paad admits c at lowpand
        self.authenticate_c()
        [s] = self.paad.sessions()
        self.assertEqual((s["device"], s["address"]), ("node-c", NODE_C))
        self.assertGreater(self.admission()["passed_pana"], 0)
        wait_for(lambda: [n["iid"] for n in self.admitted()] == ["0000:0000:0000:000c"],
                 "lowpand to admit c")
        self.assertEqual(self.ping_until(NODE_C, b"welcome", 0xAD, 10), b"welcome")
        self.sim.send(cmd="ping", **{"from": "c"}, to="fd00::1", size=16, seq=2)
        self.sim.expect("echo-reply", node="c", seq=2)
        # b is still out
        self.assertIsNone(self.ping("fd00::b", b"knock", 0xAD, 30, timeout=1.0))

        # the operator ends c's session: the door closes
        sid = self.paad.sessions()[0]["id"]
        self.paad.ok("terminate", "id:=%d" % sid)
        self.sim.expect("pana", node="c", state="terminated_by_paa")
        wait_for(lambda: self.admitted() == [], "lowpand to revoke c")
        dropped = self.admission()["dropped_down"]
        self.assertIsNone(self.ping(NODE_C, b"gone", 0xAD, 40, timeout=1.0))
        wait_for(lambda: self.admission()["dropped_down"] > dropped, "the ping dropped again")
        self.assertEqual(self.paad.ok("status")["admission"]["failures"], 0)
        self.stop()

    def test_lowpand_restart_learns_the_admissions_back(self):
        self.start_all()
        self.authenticate_c()
        wait_for(lambda: len(self.admitted()) == 1, "lowpand to admit c")
        # a new lowpand knows nothing; paad's resync (every second here) tells it again
        self.lowpand.terminate()
        self.lowpand.wait(timeout=20)
        self.sim.stop()
        self.start(radio=ADMISSION, lifetime=30)
        wait_for(lambda: len(self.admitted()) == 1, "the resync to admit c again")
        self.joined("c")
        self.assertEqual(self.ping_until(NODE_C, b"still in", 0xAE, 1), b"still in")
        self.assertGreater(self.paad.ok("status")["admission"]["resyncs"], 1)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_mesh, test_paad],
                need_root="lowpand needs a TUN device and paad port 716 in their own namespace")
