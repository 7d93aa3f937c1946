#!/usr/bin/python3
"""The web console (ui/) in real browsers: Debian's headless Chromium,
driven through chromedriver by python3-selenium, and Debian's headless
firefox-esr, driven over Marionette by marionette.py here (Debian has no
geckodriver) — the same checks in each — against real daemons in
the demo's set-up — lowpand as the root of a simulated two-hop mesh
(lwgate-radiosim: b hears the root, c only b) with admission on and paad
(b authenticates with PANA, c does not), lwm2md with
lwgate-lwm2m-testclient registered, rdd with a registered endpoint — each
with its HTTP API on and a bearer token.  The console is loaded from
lwm2md's /ui/ and calls rdd's and lowpand's APIs across origins (CORS).

Checked in the DOM: the device list shows the client, a Read shows its
value, a notification of an observation updates the value on the page
(the SSE stream), the mesh picture has the DODAG's nodes and edges and
marks the PANA-authenticated one, and follows a node joining and leaving
through lowpand's events (redrawn on route.added / route.removed, not by
polling), the directory page lists the registered endpoints and a pub/sub
topic with its last value (text, or the size of a binary one), every page
fits a phone's width with its navigation reachable, and
a stopped daemon reads as down on the status page and on its own page.
Every wait is for an element or a text; a screenshot of each page goes to
BUILD/meson-logs/console/<browser>/.

Usage: test_console.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
for sub in ("mesh", "lwm2md", "rdd"):
    sys.path.insert(0, os.path.join(HERE, "..", sub))
sys.path.insert(0, os.path.join(HERE, ".."))
import lwgtest  # noqa: E402
import test_lwm2md as tl  # noqa: E402
import test_lwm2md_transports as tt  # noqa: E402
import test_mesh as tm  # noqa: E402
import test_rdd as tr  # noqa: E402
import test_pubsub as tp  # noqa: E402
import marionette  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import (NoSuchElementException,  # noqa: E402
                                        StaleElementReferenceException)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

TOKEN = "console-rw-1"
EP = "console-dev"
WAIT = 60  # seconds an element may take: a bound on a hang, not a timing assertion
# the demo's two hops, and d, which hears nobody until the test links it to the root
TOPOLOGY = tm.TWO_HOPS + "\n[node d]\neui64 = 020000000000000d\n"
IGNORED = (NoSuchElementException, StaleElementReferenceException,
           marionette.NoSuchElementException, marionette.StaleElementReferenceException)


def http_section(port, ui=""):
    return (f"[http]\nenabled = yes\nport = {port}\ntokens_rw = {TOKEN}\n"
            + (f"ui = {ui}\n" if ui else "ui =\n"))


class ConsoleTests(tm.Harness):
    def setUp(self):
        super().setUp()
        self.ui = os.path.join(SOURCE, "ui")
        self.ports = {d: lwgtest.free_port(socket.SOCK_STREAM) for d in ("lwm2md", "rdd", "lowpand")}
        self.client = self.lwm2md = self.rdd = self.browser = self.paad = None
        self.rdtmp = tempfile.mkdtemp(prefix="console-rdd-")
        os.chmod(self.rdtmp, 0o755)

    def tearDown(self):
        if self.browser:
            self.browser.quit()
        if self.client:
            self.client.proc.kill()
            self.client.proc.wait()
        for d in (self.lwm2md, self.rdd):
            if d and d.proc and d.proc.poll() is None:
                d.kill9()
        if self.paad and self.paad.poll() is None:
            self.paad.kill()
            self.paad.wait()
        super().tearDown()

    def start_all(self):
        # as in scripts/demo: admission on, paad telling lowpand whom it authenticated;
        # routes live 10 s, so that a node that leaves is gone from the DODAG soon
        self.start(TOPOLOGY, lifetime=10,
                   radio=http_section(self.ports["lowpand"], self.ui) + "[admission]\nenabled = yes\n")
        with open(os.path.join(self.tmp, "paad.ini"), "w") as f:
            f.write(f"[daemon]\nsocket = {self.tmp}/paad.sock\ndatabase = {self.tmp}/paad.db\n"
                    f"user =\n[admission]\nlowpand_socket = {self.tmp}/lowpand.sock\n")
        self.paad = lwgtest.start_daemon([os.path.join(BUILD, "daemons", "paad", "paad"), "-f", "-c",
                                          os.path.join(self.tmp, "paad.ini")],
                                         os.path.join(self.tmp, "paad.err"))
        self.lwm2md = tl.Lwm2md(self.tmp, http_section(self.ports["lwm2md"], self.ui)).start()
        self.rdd = tr.Rdd(self.rdtmp, http_section(self.ports["rdd"])).start()
        for ep in ("node1", "node2"):
            r = self.rdd.coap("post", f"/rd?ep={ep}&lt=300", tr.RFC9176_LINKS, cf=40)
            self.assertEqual(r.code, "2.01", r)
        # a pub/sub topic with a value, created and published by libcoap's coap-client
        self.ps = ps = tp.Broker(self.rdd)
        conf = ps.create({0: "console-temp", 2: "core.ps.data"}).cbor()
        self.temp_data = conf[1]
        self.assertEqual(ps.req("put", conf[1], b"21.5", 0).code, "2.01")
        # and one whose value is binary (application/octet-stream)
        raw = ps.create({0: "console-raw", 2: "core.ps.data"}).cbor()
        self.assertEqual(ps.req("put", raw[1], b"\x00\x01\xfe", 42).code, "2.01")
        self.client = tt.Client(f"coap://[::1]:{tl.PORT}", "--ep", EP)
        self.client.expect("registered")
        self.joined("b", "c")
        lwgtest.wait_for(lambda: len(self.ctl("routes")) == 3, "both nodes in the DODAG", 30)
        # b authenticates with PANA and EAP-PSK, c does not
        key = "%032x" % 0xbb
        self.paadctl("device-add", "node-b", key)
        self.sim.send(cmd="pana", node="b", paa="fd00::1", identity="node-b", psk=key)
        lwgtest.wait_for(lambda: len(self.ctl("admitted")) == 1, "b admitted", 30)

    def paadctl(self, *args):
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--socket-dir", self.tmp,
                            "paad", *args], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def open_browser(self, name):
        self.artifacts = os.path.join(BUILD, "meson-logs", "console", name)
        os.makedirs(self.artifacts, exist_ok=True)
        if name == "firefox":
            self.browser = marionette.Firefox(os.path.join(self.tmp, "firefox"))
        else:
            opts = webdriver.ChromeOptions()
            opts.binary_location = "/usr/bin/chromium"
            for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                      "--window-size=1200,900", f"--user-data-dir={self.tmp}/chromium"):
                opts.add_argument(a)
            self.browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        q = "&".join([f"token={TOKEN}"] + [f"{d}=http://127.0.0.1:{p}" for d, p in self.ports.items()])
        self.browser.get(f"http://127.0.0.1:{self.ports['lwm2md']}/ui/#devices?{q}")

    def wait(self, what, predicate):
        try:
            # the page redraws rows as data comes: an element may go between two looks
            return WebDriverWait(self.browser, WAIT, ignored_exceptions=IGNORED).until(predicate)
        except Exception:
            self.shot("failed")
            logs = self.browser.get_log("browser") if hasattr(self.browser, "get_log") else []
            raise AssertionError(f"the page never showed {what}; console: {logs}")

    def texts(self, css):
        return [e.text for e in self.browser.find_elements(By.CSS_SELECTOR, css)]

    def shot(self, name):
        self.browser.save_screenshot(os.path.join(self.artifacts, name + ".png"))

    def page(self, name):
        self.browser.find_element(By.CSS_SELECTOR, f'nav a[data-page="{name}"]').click()

    def dodag_nodes(self):
        return sorted(e.get_attribute("data-node")
                      for e in self.browser.find_elements(By.CSS_SELECTOR, "#dodag g.node"))

    def drawn_on(self):
        return self.browser.find_element(By.ID, "dodag").get_attribute("data-event")

    def test_chromium(self):
        self.check_console("chromium")

    def test_firefox(self):
        self.check_console("firefox")

    def check_console(self, browser):
        self.start_all()
        self.open_browser(browser)
        b = self.browser

        # devices: the demo's client, a Read, then an observation's notifications
        self.wait("the client in the device list",
                  lambda b: EP in self.texts("#clients tbody td:first-child"))
        # a row's cell, where a user clicks (Firefox's WebDriver cannot scroll to a <tr> itself)
        b.find_element(By.CSS_SELECTOR, f'#clients tbody tr[data-ep="{EP}"] td').click()
        path = b.find_element(By.ID, "op-path")
        path.clear()
        path.send_keys("/3/0/9")
        b.find_element(By.ID, "op-read").click()
        self.client.expect("read path=/3/0/9")
        self.wait("the read value 87", lambda b: self.texts('#values tr[data-path="/3/0/9"] .value')
                  == ["87"])
        b.find_element(By.ID, "op-observe").click()
        self.wait("the observation listed", lambda b: self.texts("#observations li[data-path]")
                  and self.texts("#observations li")[0].startswith("/3/0/9 active"))
        [o] = json.loads(subprocess.run(
            [os.path.join(BUILD, "cli", "lwgatectl"), "--json", "--socket-dir", self.tmp, "lwm2md",
             "observations", EP], capture_output=True, text=True, check=True).stdout)
        self.assertEqual((o["path"], o["state"]), ("/3/0/9", "active"))
        for value in ("50", "42"):
            self.client.say(f"set /3/0/9 {value}")
            self.wait(f"the notified value {value}",
                      lambda b: self.texts('#values tr[data-path="/3/0/9"] .value') == [value])
        self.wait("the plot of /3/0/9", lambda b: b.find_element(By.ID, "plot").is_displayed())
        self.assertTrue(any("observe.notify" in t for t in self.texts("#events li")))
        b.find_element(By.ID, "op-cancel").click()
        self.wait("the observation gone", lambda b: self.texts("#observations li") == [])
        self.shot("devices")

        # the mesh: one circle per DODAG node, one edge per parent link, as lowpand says
        routes = self.ctl("routes")
        self.page("mesh")
        self.wait("the DODAG's nodes", lambda b: len(self.texts("#dodag g.node")) == len(routes))
        nodes = [e.get_attribute("data-node") for e in b.find_elements(By.CSS_SELECTOR, "#dodag g.node")]
        self.assertEqual(sorted(nodes), sorted(r["node"] for r in routes))
        edges = sorted((e.get_attribute("data-parent"), e.get_attribute("data-child"))
                       for e in b.find_elements(By.CSS_SELECTOR, "#dodag line.edge"))
        self.assertEqual(edges, sorted((r["parent"], r["node"]) for r in routes if r["depth"] > 0))
        self.assertEqual(len(edges), 2)  # b under the root, c under b
        # PANA: b authenticated (ringed), c not
        self.wait("b as PANA-authenticated", lambda b: [e.get_attribute("data-node") for e in
                  b.find_elements(By.CSS_SELECTOR, "#dodag g.node.admitted")] == ["fd00::b"])
        self.wait("the neighbours", lambda b: len(self.texts("#neighbors tbody tr")) >= 1)
        b.find_element(By.CSS_SELECTOR, "#dodag g.node:not(.root) circle").click()
        self.wait("a node's details", lambda b: "parent " in b.find_element(By.ID, "node").text)
        self.shot("mesh")
        # d joins: lowpand's route.added event redraws the picture with it, and its route
        # lifetime running out (d hears nobody again) is a route.removed that takes it away
        self.sim.send(cmd="link", a="d", b="root", up=True)
        self.sim.expect("done", cmd="link")
        self.wait("d drawn on its route.added", lambda b: "fd00::d" in self.dodag_nodes()
                  and self.drawn_on() == "route.added")
        self.assertIn(("fd00::1", "fd00::d"), [(e.get_attribute("data-parent"), e.get_attribute(
            "data-child")) for e in b.find_elements(By.CSS_SELECTOR, "#dodag line.edge")])
        self.shot("mesh-d-joined")
        # d authenticates with PANA: paad admits it, lowpand's admission.admitted rings it
        key = "%032x" % 0xdd
        self.paadctl("device-add", "node-d", key)
        self.sim.send(cmd="pana", node="d", paa="fd00::1", identity="node-d", psk=key)
        self.wait("d ringed on its admission.admitted", lambda b: sorted(e.get_attribute("data-node") for e in
                  b.find_elements(By.CSS_SELECTOR, "#dodag g.node.admitted")) == ["fd00::b", "fd00::d"]
                  and self.drawn_on() == "admission.admitted")
        # link quality: frames to b were acknowledged at once, ETX 1 as lowpand says; then d
        # stops hearing, and a ping to d (its route still there, its traffic admitted) is
        # never acknowledged: its ETX shows the no-ACK penalty once a redraw (d's
        # route.removed) reads it
        etx = {n["link_local"]: n["etx"] for n in self.ctl("neighbors")}
        self.assertEqual(etx["fe80::b"], 1.0)
        self.wait("b's ETX", lambda b: self.texts('#neighbors tr[data-ll="fe80::b"] .etx') == ["1.00"])
        self.sim.send(cmd="link", a="d", b="root", up=False)
        self.sim.expect("done", cmd="link")  # the link is down before the ping's frames come
        self.ping("fd00::d", b"unheard", 0xC0, 1, timeout=0.5)
        self.wait("d gone on its route.removed", lambda b: "fd00::d" not in self.dodag_nodes()
                  and self.drawn_on() == "route.removed")
        [d_etx] = self.texts('#neighbors tr[data-ll="fe80::d"] .etx')
        self.assertGreater(float(d_etx), 1.0)
        self.assertEqual(float(d_etx), {n["link_local"]: n["etx"] for n in self.ctl("neighbors")}["fe80::d"])
        self.assertEqual(self.dodag_nodes(), sorted(r["node"] for r in self.ctl("routes")))

        # the Resource Directory, read across origins from rdd's API
        self.page("rd")
        self.wait("the registered endpoints",
                  lambda b: sorted(self.texts("#rd-eps tbody tr td:first-child")) == ["node1", "node2"])
        self.assertGreater(len(self.texts("#rd-res tbody tr")), 0)
        filt = b.find_element(By.ID, "rd-filter")
        filt.send_keys("ep=node2")
        b.find_element(By.CSS_SELECTOR, "#rd-form button").click()
        self.wait("the filtered lookup",
                  lambda b: self.texts("#rd-eps tbody tr td:first-child") == ["node2"])
        # the topic, fully created by its first value, shown as its text ("21.5"); the
        # binary one by its size
        self.wait("the topic and its last value", lambda b: (lambda t: len(t) == 6 and t[0] == "console-temp"
                  and t[2] == "fully-created" and t[4].startswith("21.5 (") and t[4].endswith(" ago)"))(
                      self.texts('#rd-topics tr[data-topic="console-temp"] td')))
        self.assertEqual(self.texts('#rd-topics tr[data-topic="console-temp"] td .value'), ["21.5"])
        self.assertEqual(self.texts('#rd-topics tr[data-topic="console-raw"] td .value'),
                         ["3 bytes"])
        # a new publication shows without a reload: the page follows rdd's ps.published
        self.assertEqual(self.ps.req("put", self.temp_data, b"22.25", 0).code, "2.04")
        self.wait("the topic's new value", lambda b: self.texts(
            '#rd-topics tr[data-topic="console-temp"] td .value') == ["22.25"])
        self.shot("rd")

        # a phone's screen: every page fits its width (no sideways scrolling), every
        # link of the navigation is on the screen
        b.set_window_size(390, 844)
        self.assertLessEqual(b.execute_script("return window.innerWidth"), 390)
        for name in ("devices", "mesh", "rd", "status", "settings"):
            self.page(name)
            self.wait(f"the {name} page within 390 px", lambda b: b.execute_script(
                "return document.documentElement.scrollWidth <= window.innerWidth"))
            self.assertTrue(b.execute_script(
                "return [...document.querySelectorAll('nav a')].every((a) => {"
                " const r = a.getBoundingClientRect();"
                " return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; })"),
                f"navigation off the screen on {name}")
            self.shot("phone-" + name)
        b.set_window_size(1200, 900)

        # status: all up, then rdd stopped reads as down while the others stay readable
        self.page("status")
        self.wait("three daemons up", lambda b: len(self.texts("#status-cards .up")) == 3)
        self.shot("status")
        self.rdd.kill9()
        b.refresh()
        self.wait("rdd down", lambda b: "down" in b.find_element(
            By.CSS_SELECTOR, '#status-cards [data-daemon="rdd"]').text)
        self.assertEqual(len(self.texts("#status-cards .up")), 2)
        self.shot("status-rdd-down")
        self.page("rd")
        self.wait("the directory page saying rdd is down",
                  lambda b: "rdd unreachable" in b.find_element(By.ID, "rd-note").text)
        self.shot("rd-rdd-down")
        self.page("mesh")  # the others go on working
        self.wait("the mesh with rdd down", lambda b: len(self.dodag_nodes()) == len(routes))

        # the files: only plain names, no token needed, nothing outside ui/
        for target, code in (("/ui/", 200), ("/ui/app.js", 200), ("/ui/../main.c", 404),
                             ("/ui/.hidden", 404), ("/ui/%2e%2e%2fmeson.build", 404)):
            out = subprocess.run(["curl", "-sS", "--path-as-is", "-o", "/dev/null", "-w",
                                  "%{http_code}", f"http://127.0.0.1:{self.ports['lwm2md']}{target}"],
                                 capture_output=True, text=True)
            self.assertEqual(out.stdout, str(code), target)
        # over HTTP/2 too, with its type; and the CORS preflight the page's calls needed
        out = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null", "-w",
                              "%{http_version} %{content_type}",
                              f"http://127.0.0.1:{self.ports['lowpand']}/ui/app.js"],
                             capture_output=True, text=True)
        self.assertEqual(out.stdout, "2 text/javascript; charset=utf-8", out.stderr)
        out = subprocess.run(["curl", "-sS", "-i", "-X", "OPTIONS", "-H", "Origin: http://x",
                              "-H", "Access-Control-Request-Method: PUT",
                              f"http://127.0.0.1:{self.ports['lwm2md']}/api/clients/{EP}/3/0/14"],
                             capture_output=True, text=True)
        head = out.stdout.lower()
        self.assertIn(" 204", head.splitlines()[0])
        self.assertIn("access-control-allow-origin: *", head)
        self.assertIn("access-control-allow-headers: authorization, content-type", head)
        # lowpand (and the simulator) stop cleanly: no sanitizer report under ASan
        self.stop()


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], tm, tl, tt, tr],
                need_root="lowpand needs root (TUN interface in a network namespace)")
