#!/usr/bin/python3
"""lwm2md against a client nobody here wrote: the LwM2M 1.0 client of
lwm2m-node-lib (npm), driven through a pipe into its REPL
(iotagent-lwm2m-client), and lwgatectl on the control side.

Usage: test_nodelib.py BUILD_DIR SOURCE_DIR
lwm2m-node-lib is installed with npm into BUILD_DIR/npm the first time
(before the test enters its private network namespace); later runs reuse it.
"""
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_lwm2md as tl  # noqa: E402
import lwgtest  # noqa: E402  (test_lwm2md put it on the path)
from test_lwm2md import ctl, ctl_json, wait_for  # noqa: E402

NODELIB = "lwm2m-node-lib@1.4.0"
# fast give-up for the requests the 1.0 client ignores (one retransmission, ~3 s)
FAST = "ack_timeout_ms = 1000\nmax_retransmit = 1\n"


def npm_dir():
    return os.path.join(tl.BUILD, "npm")


def client_bin():
    return os.path.join(npm_dir(), "node_modules", ".bin", "iotagent-lwm2m-client")


def install_nodelib():
    """npm install lwm2m-node-lib into BUILD/npm unless it is there already."""
    if os.path.exists(client_bin()):
        return
    npm = shutil.which("npm")
    if not npm:
        sys.exit("test_nodelib: npm not found: install Node.js with npm "
                 "(Debian: apt-get install nodejs npm)")
    os.makedirs(npm_dir(), exist_ok=True)
    r = subprocess.run([npm, "install", "--prefix", npm_dir(), "--no-audit", "--no-fund",
                        "--loglevel=error", NODELIB], capture_output=True, text=True,
                       timeout=600)
    if r.returncode != 0 or not os.path.exists(client_bin()):
        sys.exit(f"test_nodelib: 'npm install {NODELIB}' failed (exit {r.returncode}); "
                 f"is the npm registry reachable?\n{r.stdout}{r.stderr}")


class NodeClient:
    """The lwm2m-node-lib REPL, one command per line on its stdin."""

    def __init__(self):
        self.proc = subprocess.Popen([client_bin()], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        self.lines = queue.Queue()
        self.text = ""  # everything it printed
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def _drain(self, timeout):
        try:
            self.text += self.lines.get(timeout=timeout)
            while True:
                self.text += self.lines.get_nowait()
        except queue.Empty:
            pass

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, pattern, seconds=15.0, start=0):
        """Wait until the output after offset @start matches @pattern; the match."""
        deadline = time.monotonic() + seconds
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.text, start)
            if m:
                return m
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                self._drain(0.1)
                m = rx.search(self.text, start)
                if m:
                    return m
                raise AssertionError(f"lwm2m-node-lib client: no /{pattern}/ in:\n"
                                     + self.text[start:][-3000:])
            self._drain(min(left, 0.2))

    def do(self, line, pattern, seconds=15.0):
        mark = len(self.text)
        self.send(line)
        return self.expect(pattern, seconds, mark)

    def mark(self):
        self._drain(0.05)
        return len(self.text)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=5)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=5)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except BrokenPipeError:
                pass


class NodeLibTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lwm2md-nodelib-")
        self.d = None
        self.c = None

    def tearDown(self):
        if self.c:
            self.c.close()
        if self.d and self.d.proc and self.d.alive():
            self.d.kill9()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, extra=FAST):
        self.d = tl.Lwm2md(self.tmp, extra).start()
        return self.d

    def connect(self, ep):
        """A node-lib client with a Device object, registered as @ep."""
        c = self.c = NodeClient()
        c.do("create /3/0", r"ObjectUri: /3/0")
        c.do("set /3/0 0 Acme", r"-> 0: Acme")
        c.do("set /3/0 1 Lightbulb", r"-> 1: Lightbulb")
        c.do("set /3/0 14 +01", r"-> 14: \+01")
        c.do("create /3303/0", r"ObjectUri: /3303/0")
        c.do("set /3303/0 5700 21.5", r"-> 5700: 21.5")
        c.do(f"connect 127.0.0.1 {tl.PORT} {ep} /", r"Device location: (\S+)")
        return c

    def ctl_read(self, *args):
        r = ctl(self.tmp, "--json", "--timeout", "30000", "lwm2md", *args, timeout=40)
        return r

    def test_register_list_read_write_update_deregister(self):
        d = self.start()
        c = self.connect("node-1")
        [cl] = d.clients()
        self.assertEqual(cl["endpoint"], "node-1")
        self.assertEqual(cl["lwm2m"], "1.0")
        self.assertEqual(cl["binding"], "U")
        self.assertEqual(cl["transport"], "udp")
        self.assertEqual(cl["objects"], ["/3/0", "/3303/0"])
        self.assertEqual(cl["lifetime"], 85671)
        loc = cl["location"]
        self.assertIn(loc, c.text, "the client knows its location")
        r = ctl(self.tmp, "lwm2md", "clients")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("node-1", r.stdout)

        # Read of a resource: text, typed and named from the object definitions
        out = ctl_json(self.tmp, "read", "ep=node-1", "path=/3/0/0")
        self.assertEqual(out["values"]["/3/0/0"], "Acme")
        self.assertEqual(out["format"], "text")
        out = ctl_json(self.tmp, "read", "ep=node-1", "path=/3303/0/5700")
        self.assertEqual(out["values"]["/3303/0/5700"], 21.5)
        c.expect(r"Read Value: 21\.5")

        # a resource it lacks: its 4.04, by name
        r = ctl(self.tmp, "lwm2md", "read", "ep=node-1", "path=/3/0/9")
        self.assertEqual(r.returncode, 1)
        self.assertIn("node-1: 4.04 Not Found", r.stderr)

        # Read of an instance: the 1.0 client reads single resources only, and
        # says so with 4.04; lwm2md passes that on (and does not retry: no Accept)
        r = ctl(self.tmp, "lwm2md", "read", "ep=node-1", "path=/3/0")
        self.assertEqual(r.returncode, 1)
        self.assertIn("node-1: 4.04 Not Found", r.stderr)
        self.assertEqual(d.status()["counters"]["dm_accept_retries"], 0)

        # a resource the client removed
        c.do("unset /3/0 1", r"ObjectUri: /3/0")
        r = ctl(self.tmp, "lwm2md", "read", "ep=node-1", "path=/3/0/1")
        self.assertIn("node-1: 4.04 Not Found", r.stderr)

        # Discover: link format, which the client sends without a Content-Format
        out = ctl_json(self.tmp, "discover", "ep=node-1", "path=/3/0")
        self.assertEqual(out["format"], "link", out)
        self.assertEqual(sorted(k["link"] for k in out["links"]),
                         ["/3/0", "/3/0/0", "/3/0/14"], out)
        out = ctl_json(self.tmp, "discover", "ep=node-1", "path=/3303")
        self.assertEqual([k["link"] for k in out["links"]], ["/3303", "/3303/0"], out)

        # Write one resource (text), seen by the client and read back
        mark = c.mark()
        out = ctl_json(self.tmp, "write", "ep=node-1", "path=/3/0/14", "value=+02")
        self.assertEqual(out["code"], "2.04 Changed")
        c.expect(r"Written value: \+02", start=mark)
        self.assertEqual(ctl_json(self.tmp, "read", "ep=node-1",
                                  "path=/3/0/14")["values"]["/3/0/14"], "+02")
        c.do("get /3/0", r"-> 14: \+02")

        # Execute, with arguments
        mark = c.mark()
        out = ctl_json(self.tmp, "exec", "ep=node-1", "path=/3/0/4", "args=0='now'")
        self.assertEqual(out["code"], "2.04 Changed")
        c.expect(r"Command arguments: 0='now'", start=mark)

        # Write-Attributes, which the client shows in its next Discover
        out = ctl_json(self.tmp, "write-attr", "ep=node-1", "path=/3303/0/5700", "pmin=10",
                       "pmax=60")
        self.assertEqual(out["code"], "2.04 Changed")
        out = ctl_json(self.tmp, "discover", "ep=node-1", "path=/3303/0/5700")
        self.assertIn("pmax", str(out["links"]))

        # Update: a new object, sent from a new port; lwm2md follows the address
        c.do("create /5/0", r"ObjectUri: /5/0")
        before = d.clients()[0]["address"]
        c.do("updateConnection", r"Information updated")
        wait_for(lambda: d.clients()[0]["objects"] == ["/3/0", "/3303/0", "/5/0"], "the Update")
        [cl] = d.clients()
        self.assertEqual(cl["location"], loc, "an Update keeps the location")
        self.assertNotEqual(cl["address"], before)
        self.assertEqual(ctl_json(self.tmp, "read", "ep=node-1",
                                  "path=/3/0/0")["values"]["/3/0/0"], "Acme")

        # the client drops an instance: gone for reads and discovers
        c.do("remove /3303/0", r"ObjectUri: /3303/0")
        c.do("list", r"ObjURI: /5/0")
        r = ctl(self.tmp, "lwm2md", "read", "ep=node-1", "path=/3303/0/5700")
        self.assertIn("node-1: 4.04 Not Found", r.stderr)
        self.assertEqual([k["link"] for k in ctl_json(self.tmp, "discover", "ep=node-1",
                                                        "path=/3303")["links"]], ["/3303"])

        # De-register
        c.do("disconnect", r"Disconnected")
        wait_for(lambda: d.clients() == [], "the De-register")
        self.assertIn("ep=node-1", d.logtext())
        self.assertEqual(d.stop(), 0)

    def test_observe_and_notifications(self):
        """Observe a resource of a client nobody here wrote: each value it sets
        arrives as a notification (text/plain, its only format), is stored as the
        last known value and streamed by watch; a passive cancel ends it."""
        self.start()
        c = self.connect("node-obs")
        first = ctl_json(self.tmp, "observe", "node-obs", "/3303/0/5700")
        self.assertEqual(first["values"]["/3303/0/5700"], 21.5)
        [o] = ctl_json(self.tmp, "observations", "node-obs")
        self.assertEqual(o["path"], "/3303/0/5700")

        before = self.d.status()["counters"]["ipc_requests"]
        watch = subprocess.Popen([os.path.join(tl.BUILD, "cli", "lwgatectl"), "--json",
                                  "--socket-dir", self.tmp, "lwm2md", "watch", "node-obs"],
                                 stdout=subprocess.PIPE, text=True)
        try:
            # watch is subscribed once lwm2md has taken its two requests (hello,
            # subscribe): each status poll counts itself too
            polls = [0]

            def subscribed():
                polls[0] += 1
                return self.d.status()["counters"]["ipc_requests"] - before - polls[0] >= 2
            wait_for(subscribed, "watch to subscribe")
            events = queue.Queue()
            threading.Thread(target=lambda: [events.put(json.loads(line))
                                             for line in watch.stdout], daemon=True).start()
            for value in (22.5, 23.75):
                c.do(f"set /3303/0 5700 {value}", r"-> 5700: ")
                while True:
                    ev = events.get(timeout=15)
                    if ev.get("event") == "observe.notify":
                        break
                self.assertEqual(ev["data"]["values"], {"/3303/0/5700": value})
                wait_for(lambda: ctl_json(self.tmp, "values", "node-obs",
                                          "/3303/0/5700")[0]["value"] == value,
                         f"{value} stored as the last known value")
        finally:
            watch.terminate()
            watch.wait(timeout=10)
            watch.stdout.close()
        self.assertGreaterEqual(self.d.status()["counters"]["notifications"], 2)

        # the 1.0 client ignores a GET with Observe 1, so cancel passively: the next
        # notification gets a RST, which ends the observation on both sides
        ctl_json(self.tmp, "cancel", "node-obs", "/3303/0/5700", "mode=passive")
        c.do("set /3303/0 5700 19", r"-> 5700: ")
        wait_for(lambda: ctl_json(self.tmp, "observations", "node-obs") == [],
                 "the observation to end at the RST")

    def test_accept_it_ignores(self):
        """A Read with an Accept the 1.0 client lacks: retried without, remembered."""
        d = self.start()
        self.connect("node-2")
        r = self.ctl_read("read", "ep=node-2", "path=/3/0/0", "format=tlv")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["values"]["/3/0/0"], "Acme")
        self.assertIn("ignored the Accept option", out["note"])
        self.assertIn("ep=node-2 ignored a Read with Accept 11542", d.logtext())
        self.assertEqual(d.status()["counters"]["dm_accept_retries"], 1)
        # remembered for this endpoint: SenML JSON goes without Accept at once
        r = self.ctl_read("read", "ep=node-2", "path=/3303/0/5700", "format=senml-json")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["values"]["/3303/0/5700"], 21.5)
        self.assertNotIn("note", out)
        self.assertEqual(d.status()["counters"]["dm_accept_retries"], 1)
        # only single resources are retried: an instance asked as TLV, which the
        # client ignores, ends in lwm2md's timeout error
        r = self.ctl_read("read", "ep=node-2", "path=/3/0", "format=tlv")
        self.assertEqual(r.returncode, 1)
        self.assertIn("node-2: no answer from the client", r.stderr)
        self.assertEqual(d.status()["counters"]["dm_accept_retries"], 1)
        self.assertTrue(tl.ctl_json(self.tmp, "show", "ep=node-2")["reads_without_accept"])
        # remembered across a kill -9: the first TLV Read after it goes without Accept
        d.kill9()
        d.start()
        self.assertEqual([c["endpoint"] for c in d.clients()], ["node-2"])
        self.assertTrue(tl.ctl_json(self.tmp, "show", "ep=node-2")["reads_without_accept"])
        r = self.ctl_read("read", "ep=node-2", "path=/3/0/0", "format=tlv")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["values"]["/3/0/0"], "Acme")
        self.assertNotIn("note", out)
        self.assertEqual(d.status()["counters"]["dm_accept_retries"], 0)
        self.assertEqual(d.stop(), 0)


def install_and_check():
    """Before the namespace: npm needs the registry."""
    install_nodelib()
    if not os.path.exists(client_bin()):
        sys.exit("test_nodelib: lwm2m-node-lib is not installed in " + npm_dir())


if __name__ == "__main__":
    lwgtest.run([tl], before_netns=install_and_check)
