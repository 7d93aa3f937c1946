#!/usr/bin/python3
"""lowpand's HTTP API (daemons/lowpand/httpapi.c) on a simulated two-hop
mesh (the mesh tests' harness and lwgate-radiosim): status, neighbours and
the DODAG as the JSON `lwgatectl --json lowpand` prints, and the DODAG as
an SVG document read back by lxml's XML parser: one circle per node, one
line per parent link, each node's full address in its title.

Usage: test_lowpand_http.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import socket
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "mesh"))
sys.path.insert(0, os.path.join(HERE, ".."))
import lwgtest  # noqa: E402
import openapi_check  # noqa: E402
import test_mesh as tm  # noqa: E402
from test_openapi import Stream  # noqa: E402
from lxml import etree  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


class LowpandHttpTests(tm.Harness):
    def get(self, path, accept=None):
        args = ["curl", "-sS", "--max-time", "30", "-w", "\n%{http_code} %{content_type}"]
        if accept:
            args += ["-H", "Accept: " + accept]
        out = subprocess.run(args + [f"http://127.0.0.1:{self.port}{path}"], capture_output=True,
                             text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        body, _, tail = out.stdout.rpartition("\n")
        code, _, ctype = tail.partition(" ")
        # every answer must be one doc/openapi/lowpand.yaml describes
        openapi_check.spec("lowpand").check("GET", path, int(code), ctype, body, f"Accept: {accept}")
        return int(code), ctype, body

    def test_dodag_json_and_svg(self):
        self.port = lwgtest.free_port(socket.SOCK_STREAM)
        # d hears nobody until the test links it to the root (the event stream's check)
        self.start(tm.TWO_HOPS + "\n[node d]\neui64 = 020000000000000d\n",
                   radio=f"[http]\nenabled = yes\nport = {self.port}\n")
        self.joined("b", "c")
        lwgtest.wait_for(lambda: len(self.ctl("routes")) == 3, "both nodes in the DODAG")
        code, ctype, body = self.get("/api/dodag")
        self.assertEqual((code, ctype), (200, "application/json"))
        routes = json.loads(body)
        self.assertEqual(sorted(r["node"] for r in routes),
                         sorted(r["node"] for r in self.ctl("routes")))
        code, ctype, body = self.get("/api/neighbors")
        self.assertEqual(code, 200)
        self.assertEqual([n["address"] for n in json.loads(body)],
                         [n["address"] for n in self.ctl("neighbors")])
        self.assertEqual(self.get("/api/status")[0], 200)
        for path, accept in (("/api/dodag", "image/svg+xml"), ("/api/dodag.svg", None)):
            code, ctype, body = self.get(path, accept)
            self.assertEqual((code, ctype), (200, "image/svg+xml"))
            svg = etree.fromstring(body.encode())
            self.assertEqual(svg.tag, SVG + "svg")
            titles = sorted(t.text for t in svg.iter(SVG + "title") if t.getparent().tag == SVG + "g")
            self.assertEqual(titles, sorted(r["node"] for r in routes))
            self.assertEqual(len(list(svg.iter(SVG + "circle"))), 3)
            # b under the root, c under b: two links
            self.assertEqual(len(list(svg.iter(SVG + "line"))), 2)
        self.assertEqual(self.get("/api/dodag", "text/csv")[0], 406)
        for path in ("/api/stats", "/api/admitted"):
            self.assertEqual(self.get(path)[0], 200, path)
        # the event stream: d's route.added, its data as the document describes
        spec = openapi_check.spec("lowpand")
        ev = Stream(spec, self.port, "/api/event", token="")
        try:
            self.assertTrue(ev.opened())
            self.sim.send(cmd="link", a="d", b="root", up=True)
            self.sim.expect("done", cmd="link")
            while (data := ev.event("route.added"))["node"] != "fd00::d":
                pass
            self.assertEqual((data["parent"], data["reason"]), ("fd00::1", "joined"))
        finally:
            ev.close()
        # every route of the document was answered, and as it describes
        self.assertEqual(spec.seen, {(m, p) for p, m, _ in spec.operations()})
        self.stop()


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], tm], with_source=False,
                need_root="lowpand needs root (TUN interface in a network namespace)")
