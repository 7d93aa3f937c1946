#!/usr/bin/python3
"""lwm2md's observations and Send with the libcoap test client
(tests/tools/lwm2m-testclient): notifications CON and NON become last known
values and events, the active and the passive cancel, observations that
survive a kill -9 of lwm2md, and re-observation when the endpoint
registers anew; Send in SenML JSON, SenML CBOR and LwM2M CBOR (encoded by
lib/lwm2m in the client, decoded by lwm2md), and each of its refusals;
Read-Composite and Write-Composite in SenML JSON, SenML CBOR and LwM2M
CBOR, and a client without them.

Usage: test_lwm2md_observe.py BUILD_DIR SOURCE_DIR
The harness is test_lwm2md.py's, the client test_lwm2md_transports.py's.
"""
import json
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import lwgtest  # noqa: E402
import test_lwm2md as tl  # noqa: E402
import test_lwm2md_transports as tt  # noqa: E402
from lwgtest import wait_for  # noqa: E402
from test_lwm2md import Lwm2md, ctl, ctl_json  # noqa: E402

EP = "observed-1"


class Watch:
    """`lwgatectl [--json] lwm2md watch TOPIC`: its lines, one at a time."""

    def __init__(self, d, topic, as_json=True, *more):
        before = d.status()["counters"]["ipc_clients"]
        self.proc = subprocess.Popen(
            [os.path.join(tl.BUILD, "cli", "lwgatectl"), "--socket-dir", d.tmp]
            + (["--json"] if as_json else []) + ["lwm2md", "watch", topic, *more],
            stdout=subprocess.PIPE, text=True)
        self.as_json = as_json
        wait_for(lambda: d.status()["counters"]["ipc_clients"] > before, "watch to subscribe")

    def next(self):
        line = self.proc.stdout.readline()
        return json.loads(line) if self.as_json else line.rstrip("\n")

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        self.proc.stdout.close()


class Harness(unittest.TestCase):
    """lwm2md, test clients and watches, all ended after each test."""

    def setUp(self):
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix="lwm2md-obs-")
        self.d = None
        self.clients = []
        self.watches = []

    def tearDown(self):
        import shutil
        for w in self.watches:
            w.close()
        for c in self.clients:
            c.kill()
        if self.d and self.d.proc and self.d.alive():
            self.d.kill9()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, extra="", objects=None):
        self.d = Lwm2md(self.tmp, extra)
        if objects is not None:
            # the harness names conf/objects; a key may be given once
            with open(self.d.ini) as f:
                text = f.read()
            with open(self.d.ini, "w") as f:
                f.write(re.sub(r"(?m)^objects = .*$", f"objects = {objects}", text))
        self.d.start()
        return self.d

    def client(self, *args):
        c = tt.Client(f"coap://[::1]:{tl.PORT}", "--ep", EP, *args)
        self.clients.append(c)
        c.expect("registered")
        return c

    def watch(self, topic, as_json=True, *more):
        w = Watch(self.d, topic, as_json, *more)
        self.watches.append(w)
        return w

    def counters(self):
        return self.d.status()["counters"]

    def values(self):
        return {v["path"]: v for v in ctl_json(self.tmp, "values", EP)}

    def observe(self, path, *more):
        r = ctl_json(self.tmp, "observe", EP, path, *more)
        self.assertEqual(r["code"], "2.05 Content")
        return r



class ObserveTests(Harness):
    def test_notifications_con_and_non(self):
        self.start()
        c = self.client()
        r = self.observe("/3/0/9")
        self.assertEqual(r["values"]["/3/0/9"], 87)
        c.expect("read path=/3/0/9 accept=-1")
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual((o["endpoint"], o["path"], o["state"]), (EP, "/3/0/9", "active"))
        # 8 bytes: 4 of this lwm2md process, 4 counting
        self.assertRegex(o["token"], r"^[0-9a-f]{16}$")
        # the first value is already a last known value
        self.assertEqual(self.values()["/3/0/9"]["value"], 87)
        w = self.watch("observe.notify")
        c.say("set /3/0/9 50")
        ev = w.next()
        self.assertEqual(ev["event"], "observe.notify")
        self.assertEqual(ev["data"]["endpoint"], EP)
        self.assertEqual(ev["data"]["values"], {"/3/0/9": 50})
        self.assertGreaterEqual(self.counters()["notifications_non"], 1)
        c.say("notify con")
        c.expect("notify mode=con")
        c.say("set /3/0/9 40")
        self.assertEqual(w.next()["data"]["values"], {"/3/0/9": 40})
        self.assertGreaterEqual(self.counters()["notifications_con"], 1)
        v = self.values()["/3/0/9"]
        self.assertEqual((v["value"], v["source"]), (40, "notify"))
        [o] = ctl_json(self.tmp, "observations", EP)
        self.assertGreaterEqual(o["notifications"], 2)
        # an instance in TLV: each resource of the notification is a value
        r = self.observe("/3/0", "tlv")
        self.assertEqual(r["format"], "tlv")
        c.say("set /3/0/9 33")
        while True:
            ev = w.next()["data"]
            if ev["path"] == "/3/0" and ev["values"]["/3/0/9"] == 33:
                break
        self.assertEqual(ev["values"]["/3/0/1"], "Model 500")
        self.assertEqual(self.values()["/3/0/1"]["value"], "Model 500")

    def test_attributes_beside_the_observation(self):
        d = self.start()
        c = self.client()
        r = ctl_json(self.tmp, "write-attr", EP, "/3/0/9", "pmin=10", "pmax=60")
        self.assertEqual(r["code"], "2.04 Changed")
        self.observe("/3/0/9")
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual(o["attributes"], {"pmin": 10, "pmax": 60})
        # they add up; a name given again takes its new value
        ctl_json(self.tmp, "write-attr", EP, "/3/0/9", "pmax=120", "gt=20.5")
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual(o["attributes"], {"pmin": 10, "pmax": 120, "gt": 20.5})
        d.kill9()
        d.start()
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual(o["attributes"], {"pmin": 10, "pmax": 120, "gt": 20.5})
        c.kill()

    def test_watch_prints_one_line_per_value(self):
        self.start()
        c = self.client()
        self.observe("/3/0")
        w = self.watch("observe.notify", as_json=False)
        c.say("set /3/0/9 21")
        lines = {}
        while "/3/0/9" not in lines:
            parts = w.next().split(" ", 5)
            self.assertEqual(parts[:2], ["lwm2md", "observe.notify"])
            self.assertEqual(parts[3], EP)
            lines[parts[4]] = parts[5]
        self.assertEqual(lines["/3/0/9"], "21")
        self.assertEqual(lines["/3/0/0"], '"Acme"')

    def test_watch_one_endpoint(self):
        self.start()
        c = self.client()
        other = tt.Client(f"coap://[::1]:{tl.PORT}", "--ep", "other-1")
        self.clients.append(other)
        other.expect("registered")
        self.observe("/3/0/9")
        r = ctl_json(self.tmp, "observe", "other-1", "/3/0/9")
        self.assertEqual(r["code"], "2.05 Content")
        # `watch EP`: the endpoint's events only, in either order of words
        w = self.watch(EP, True, "observe.notify")
        t = self.watch("observe.notify", False, EP)
        other.say("set /3/0/9 11")
        wait_for(lambda: ctl_json(self.tmp, "values", "other-1")[0]["value"] == 11,
                 "the other endpoint's notification")
        c.say("set /3/0/9 22")
        ev = w.next()
        self.assertEqual((ev["event"], ev["data"]["endpoint"]), ("observe.notify", EP))
        self.assertEqual(ev["data"]["values"], {"/3/0/9": 22})
        self.assertEqual(t.next().split(" ")[3:], [EP, "/3/0/9", "22"])
        # two endpoints are a usage error
        r = ctl(self.tmp, "lwm2md", "watch", EP, "ep=other-1")
        self.assertEqual(r.returncode, 2)
        self.assertIn("one endpoint at most", r.stderr)

    def test_active_and_passive_cancel(self):
        self.start()
        c = self.client()
        self.observe("/3/0/9")
        self.observe("/1/0/1")
        self.assertEqual(len(ctl_json(self.tmp, "observations")), 2)
        # active: a GET with Observe 1 on the observation's token
        r = ctl_json(self.tmp, "cancel", EP, "/3/0/9")
        self.assertEqual(r["code"], "2.05 Content")
        c.expect("read path=/3/0/9 accept=-1 format=0 code=2.05 observe=1")
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual(o["path"], "/1/0/1")
        self.assertEqual(self.counters()["observe_cancels_active"], 1)
        # passive: the next notification gets RST
        r = ctl_json(self.tmp, "cancel", EP, "/1/0/1", "mode=passive")
        self.assertEqual(r["state"], "cancelling")
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual(o["state"], "cancelling")
        w = self.watch("observe.ended")
        c.say("set /1/0/1 600")
        ev = w.next()
        self.assertEqual(ev["data"], {"endpoint": EP, "path": "/1/0/1", "reason": "cancelled"})
        self.assertEqual(ctl_json(self.tmp, "observations"), [])
        self.assertEqual(self.counters()["observe_cancels_passive"], 1)
        # the value of the notification answered with RST is not taken
        self.assertNotEqual(self.values().get("/1/0/1", {}).get("value"), 600)
        # nothing left to cancel
        r = ctl(self.tmp, "lwm2md", "cancel", EP, "/1/0/1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("does not observe /1/0/1", r.stderr)

    def test_passive_cancel_survives_a_restart(self):
        d = self.start()
        c = self.client()
        self.observe("/3/0/9")
        r = ctl_json(self.tmp, "cancel", EP, "/3/0/9", "mode=passive")
        self.assertEqual(r["state"], "cancelling")
        d.kill9()
        d.start()
        # still cancelled: not turned back into a live observation
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual(o["state"], "cancelling")
        w = self.watch("observe.ended")
        c.say("set /3/0/9 44")
        self.assertEqual(w.next()["data"],
                         {"endpoint": EP, "path": "/3/0/9", "reason": "cancelled"})
        self.assertEqual(self.counters()["observe_cancels_passive"], 1)
        self.assertEqual(ctl_json(self.tmp, "observations"), [])
        self.assertNotEqual(self.values()["/3/0/9"]["value"], 44)
        # and gone from the database: the next start has nothing to match
        self.assertEqual(d.stop(), 0)
        d.start()
        self.assertEqual(ctl_json(self.tmp, "observations"), [])

    def test_observations_survive_kill9(self):
        d = self.start()
        c = self.client()
        self.observe("/3/0/9")
        [before] = ctl_json(self.tmp, "observations")
        d.kill9()
        d.start()
        [after] = ctl_json(self.tmp, "observations")
        self.assertEqual((after["token"], after["state"]), (before["token"], "active"))
        # a notification on the old token is matched by the new process
        c.say("set /3/0/9 12")
        wait_for(lambda: self.values()["/3/0/9"]["value"] == 12, "the notification to be stored")
        self.assertEqual(self.counters()["notifications_unknown_token"], 0)
        # last known values survive a restart too
        self.assertEqual(d.stop(), 0)
        d.start()
        self.assertEqual(self.values()["/3/0/9"]["value"], 12)

    def test_reobserved_after_a_new_register(self):
        self.start()
        c = self.client()
        self.observe("/3/0/9")
        # the device reboots: a new Register from a new port, without its observers
        c.kill()
        c2 = self.client()
        c2.expect("read path=/3/0/9 accept=-1 format=0 code=2.05 observe=0")
        wait_for(lambda: self.counters()["reobserved"] == 1, "the re-observation")
        c2.say("set /3/0/9 77")
        wait_for(lambda: self.values()["/3/0/9"]["value"] == 77, "the notification to be stored")
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual(o["state"], "active")
        # a De-register ends them
        c2.say("deregister")
        c2.expect("deregistered")
        self.assertEqual(ctl_json(self.tmp, "observations"), [])

    def test_reobserve_off(self):
        self.start("[lwm2m]\nreobserve = no\n")
        c = self.client()
        self.observe("/3/0/9")
        c.kill()
        c2 = self.client()
        c2.say("update")
        c2.expect("updated")
        self.assertEqual(self.counters()["reobserved"], 0)
        self.assertFalse(any("observe=0" in line for line in c2.seen))

    def test_typed_without_installed_definitions(self):
        # no objects folder: the definitions compiled into lwm2md type and name
        d = self.start(objects="/nonexistent/objects")
        self.assertIn("built_in=11", d.logtext())
        c = self.client()
        r = self.observe("/3/0", "tlv")
        self.assertEqual(r["values"]["/3/0/9"], 87)
        self.assertEqual(r["values"]["/3/0/0"], "Acme")
        self.assertEqual(r["values"]["names"]["/3/x/9"], "Battery Level")
        c.say("set /3/0/9 64")
        wait_for(lambda: self.values()["/3/0/9"]["value"] == 64, "the notification, typed")

    def test_not_observable_and_unknown(self):
        self.start()
        self.client()
        r = ctl(self.tmp, "lwm2md", "observe", "nobody", "/3/0/9")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no registered client 'nobody'", r.stderr)
        r = ctl(self.tmp, "lwm2md", "observe", EP, "/3/0/99")
        self.assertEqual(r.returncode, 1)
        self.assertIn("4.04", r.stderr)
        self.assertEqual(ctl_json(self.tmp, "observations"), [])



class SendTests(Harness):
    def test_send_in_each_format(self):
        self.start()
        c = self.client()
        w = self.watch("send")
        for value, fmt in ((61, "senml-json"), (62, "senml-cbor"), (63, "cbor")):
            c.say(f"set /3/0/9 {value}")
            c.say(f"send {fmt} /3/0/9 /3/0/1")
            self.assertEqual(tt.field(c.expect("sent"), "code"), "2.04", fmt)
            ev = w.next()
            self.assertEqual(ev["data"]["endpoint"], EP)
            self.assertEqual(ev["data"]["values"], {"/3/0/9": value, "/3/0/1": "Model 500"})
            v = self.values()["/3/0/9"]
            self.assertEqual((v["value"], v["source"]), (value, "send"))
        self.assertEqual(self.counters()["sends"], 3)
        self.assertEqual(self.counters()["send_values"], 6)

    def test_send_refusals_are_answered_and_counted(self):
        self.start()
        c = self.client()
        c.say("send-raw 110 5b7b226e223a")  # [{"n":  cut short
        line = c.expect("sent")
        self.assertEqual(tt.field(line, "code"), "4.00")
        self.assertIn("senml-json", line)
        c.say("send-raw 11542 c10957")  # TLV: not a format of Send
        self.assertEqual(tt.field(c.expect("sent"), "code"), "4.15")
        c.say("send-raw 112 80")  # an empty SenML CBOR array: nothing to store
        self.assertEqual(tt.field(c.expect("sent"), "code"), "4.00")
        n = self.counters()
        self.assertEqual((n["send_malformed"], n["send_unsupported_format"], n["sends"]),
                         (2, 1, 0))
        self.assertIn("Send not decoded", self.d.logtext())
        # from a peer that is not registered (any more)
        c.say("deregister")
        c.expect("deregistered")
        c.say("send senml-cbor /3/0/9")
        line = c.expect("sent")
        self.assertEqual(tt.field(line, "code"), "4.04")
        self.assertIn("not registered", line)
        self.assertEqual(self.counters()["send_unregistered"], 1)
        self.assertEqual(ctl_json(self.tmp, "values", EP), [])

    def test_send_disabled(self):
        self.start("[lwm2m]\nsend = no\n")
        c = self.client()
        c.say("send senml-json /3/0/9")
        self.assertEqual(tt.field(c.expect("sent"), "code"), "4.05")
        self.assertEqual(self.counters()["send_refused"], 1)



class RebindTests(Harness):
    def test_update_from_a_new_port_moves_the_registration(self):
        self.start()
        c = self.client()
        self.observe("/3/0/9")
        [before] = ctl_json(self.tmp, "clients")
        w = self.watch("registration.update")
        c.say("rebind")
        c.expect("rebound")
        c.say("update")
        self.assertEqual(tt.field(c.expect("updated"), "code"), "2.04")
        ev = w.next()["data"]
        self.assertEqual((ev["endpoint"], ev["moved_from"]), (EP, before["address"]))
        [after] = ctl_json(self.tmp, "clients")
        self.assertNotEqual(after["address"], before["address"])
        self.assertEqual(ev["address"], after["address"])
        self.assertEqual(self.counters()["nat_rebinds"], 1)
        self.assertIn(f"moved ep={EP} from={before['address']}", self.d.logtext())
        # requests follow it to the new port; its observation stays
        self.assertEqual(ctl_json(self.tmp, "read", EP, "/3/0/1")["values"]["/3/0/1"],
                         "Model 500")
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual((o["path"], o["state"]), ("/3/0/9", "active"))
        # and it is found there, by address, for a Send
        c.say("send senml-json /3/0/9")
        self.assertEqual(tt.field(c.expect("sent"), "code"), "2.04")


class CompositeTests(Harness):
    def test_read_and_write_composite_in_each_format(self):
        self.start()
        c = self.client()
        for fmt, cf in (("senml-json", 110), ("senml-cbor", 112), ("cbor", 11544)):
            r = ctl_json(self.tmp, "read-composite", EP, "/3/0/9,/1/0/1,/3/0/0", fmt)
            self.assertEqual(r["code"], "2.05 Content", fmt)
            self.assertEqual(r["format"], fmt)
            line = c.expect("read-composite")
            self.assertIn(f"paths=3 format={112 if cf != 110 else 110} accept={cf} code=2.05",
                          line)
            vals = {k: v for k, v in r["values"].items() if k.startswith("/")}
            self.assertEqual(vals, {"/3/0/9": 87, "/1/0/1": 300, "/3/0/0": "Acme"}, fmt)
        for n, fmt in enumerate(("senml-json", "senml-cbor", "cbor")):
            values = json.dumps({"/3/0/14": f"+0{n}", "/1/0/1": 120 + n})
            r = ctl_json(self.tmp, "write-composite", EP, f"values:={values}", f"format={fmt}")
            self.assertEqual(r["code"], "2.04 Changed", fmt)
            self.assertIn("entries=2 changed=2 code=2.04", c.expect("write-composite"))
            r = ctl_json(self.tmp, "read-composite", EP, "/3/0/14 /1/0/1")
            self.assertEqual((r["values"]["/3/0/14"], r["values"]["/1/0/1"]),
                             (f"+0{n}", 120 + n))

    def test_observe_composite(self):
        d = self.start()
        c = self.client()
        r = ctl_json(self.tmp, "observe-composite", EP, "/3/0/9,/1/0/1", "senml-cbor")
        self.assertEqual((r["code"], r["format"]), ("2.05 Content", "senml-cbor"))
        self.assertEqual((r["values"]["/3/0/9"], r["values"]["/1/0/1"]), (87, 300))
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual((o["path"], o["state"]), ("/3/0/9,/1/0/1", "active"))
        w = self.watch("observe.notify")
        c.say("set /1/0/1 301")
        while True:
            ev = w.next()["data"]
            if ev["path"] == "/3/0/9,/1/0/1":
                break
        self.assertEqual(ev["values"], {"/3/0/9": 87, "/1/0/1": 301})
        # kept across a kill -9, as a single path is
        d.kill9()
        d.start()
        [o2] = ctl_json(self.tmp, "observations")
        self.assertEqual((o2["path"], o2["token"]), (o["path"], o["token"]))
        c.say("set /3/0/9 12")
        wait_for(lambda: self.values()["/3/0/9"]["value"] == 12, "the composite notification")
        # the active cancel: FETCH with Observe 1
        r = ctl_json(self.tmp, "cancel", EP, "/3/0/9,/1/0/1")
        self.assertEqual(r["code"], "2.05 Content")
        self.assertEqual(ctl_json(self.tmp, "observations"), [])

    def test_a_client_without_composite(self):
        self.start()
        tt_client = tt.Client(f"coap://[::1]:{tl.PORT}", "--ep", EP, "--no-composite")
        self.clients.append(tt_client)
        tt_client.expect("registered")
        for args in (("read-composite", EP, "/3/0/9"),
                     ("write-composite", EP, 'values:={"/3/0/14": "+01"}')):
            r = ctl(self.tmp, "--json", "lwm2md", *args)
            self.assertEqual(r.returncode, 1)
            err = json.loads(r.stdout)["error"]
            self.assertEqual((err["code"], err["coap_code"]), ("coap", "4.05"))
            self.assertEqual(err["message"], f"{EP}: the client does not support composite "
                             "operations (4.05 Method Not Allowed)")
        r = ctl(self.tmp, "lwm2md", "read-composite", EP, "/3/x")
        self.assertEqual(r.returncode, 1)
        self.assertIn("paths: '/3/x' is not an LwM2M path", r.stderr)


class BlockNotifyTests(Harness):
    # the test client's MTU for each Block2 size libcoap picks (RFC 7959 szx 0, 2, 6)
    SIZES = ((16, 90), (64, 140), (1024, 1280))

    def test_blockwise_notifications(self):
        """The first answer and later notifications of 1400 bytes, in 16-,
        64- and 1024-byte blocks: put together, decoded, stored, published."""
        self.start()
        for size, mtu in self.SIZES:
            with self.subTest(size=size):
                ep = f"blocks-{size}"
                c = tt.Client(f"coap://[::1]:{tl.PORT}", "--ep", ep, "--mtu", str(mtu))
                self.clients.append(c)
                c.expect("registered")
                first = "F" * 1400
                c.say(f"set /3/0/1 {first}")
                c.expect("set path=/3/0/1")
                r = ctl_json(self.tmp, "observe", ep, "/3/0/1")
                self.assertEqual(r["values"]["/3/0/1"], first)
                w = self.watch(ep, True, "observe.notify")
                before = self.counters()
                value = "".join(chr(ord("a") + i % 26) for i in range(1400))
                c.say(f"set /3/0/1 {value}")
                ev = w.next()["data"]
                self.assertEqual((ev["endpoint"], ev["values"]), (ep, {"/3/0/1": value}))
                stored = {v["path"]: v for v in ctl_json(self.tmp, "values", ep)}
                self.assertEqual(stored["/3/0/1"]["value"], value)
                after = self.counters()
                # one notification of ceil(1400 / size) blocks, none dropped, none left
                self.assertEqual(after["notifications"] - before["notifications"], 1)
                self.assertEqual(after["notification_blocks"] - before["notification_blocks"],
                                 -(-1400 // size))
                self.assertEqual(after["notification_blocks_dropped"], 0)
                self.assertEqual(after["notification_bodies"], 0)
                [o] = [o for o in ctl_json(self.tmp, "observations", ep)]
                self.assertEqual(o["state"], "active")


if __name__ == "__main__":
    lwgtest.run([tl, tt, sys.modules[__name__]])
