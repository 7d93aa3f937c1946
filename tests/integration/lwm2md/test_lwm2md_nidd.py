#!/usr/bin/python3
"""LwM2M over NIDD (binding N, LPW-001…009): real scefd (the SCEF and its
emulated NB-IoT radio), real lwm2md as the SCS/AS on scefd's T8 API, and
the libcoap test client (tests/tools/lwm2m-testclient) as the device, bound
to the UDP port scefd knows it by.  Every CoAP message between them goes
device → scefd → NiddUplinkDataNotification → lwm2md, and lwm2md →
downlink-data-deliveries → scefd → device.

Covered: the configuration lwm2md creates at start (its callback as
notificationDestination); register, read, write, observe with
notifications; the endpoint bound to the externalId; a queued write
delivered when the sleeping (PSM) device wakes, and a downlink buffered at
the SCEF (201) delivered on the wake, its retransmissions not sent again;
a restart of lwm2md with the device staying reachable (same vpeer port,
same configuration); 10 % loss each way and 30 s PSM sleeps (scefd's
emulated radio); a downlink rate control reached at the SCEF shown on the
client (LPW-008/009).  Every wait is for an answer (a client line, a
status), never for time.

Usage: test_lwm2md_nidd.py BUILD_DIR SOURCE_DIR
"""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import coapmsg as cm  # noqa: E402
import lwgtest  # noqa: E402
import test_lwm2md as tl  # noqa: E402
import test_lwm2md_transports as tt  # noqa: E402
from lwgtest import wait_for  # noqa: E402
from test_lwm2md import Lwm2md, ctl_json  # noqa: E402

EXT = "node1@nidd.test"
EXT2 = "node2@nidd.test"
SCS = "lwm2md-it"


class Scefd:
    """scefd with two devices whose clients will send from @ports."""

    def __init__(self, tmp, ports, extra=(), items=None):
        self.tmp = tmp
        self.items = items or {}
        self.t8 = lwgtest.free_port(socket.SOCK_STREAM)
        self.dev_port = lwgtest.free_port()
        self.ports = ports
        self.extra = list(extra)
        self.log = os.path.join(tmp, "scefd.log")
        self.proc = None

    def start(self):
        devices = " ".join(f"{e},4917000000{i:02d},{p}{self.items.get(e, '')}"
                           for i, (e, p) in enumerate(self.ports.items()))
        self.proc = lwgtest.start_daemon(
            [os.path.join(tl.BUILD, "daemons", "scefd", "scefd"), "-f", "-c", "/dev/null",
             "-o", "daemon.socket=" + os.path.join(self.tmp, "scefd.sock"),
             "-o", "daemon.database=" + os.path.join(self.tmp, "scefd.db"), "-o", "daemon.user=",
             "-o", f"t8.port={self.t8}", "-o", f"devices.port={self.dev_port}",
             "-o", "devices.list=" + devices] + self.extra, self.log)

    def ctl(self, *args):
        r = subprocess.run([os.path.join(tl.BUILD, "cli", "lwgatectl"), "--socket-dir",
                            self.tmp, "--json", "scefd"] + list(args), capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 0, r.stdout + r.stderr
        return json.loads(r.stdout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)


class NiddTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lwm2md-nidd-")
        self.ports = {EXT: lwgtest.free_port(), EXT2: lwgtest.free_port()}
        self.scef = None
        self.d = None
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.kill()
        rc = None
        if self.d and self.d.proc and self.d.alive():
            # a clean stop, so that LeakSanitizer checks lwm2md's NIDD side under ASan
            rc = self.d.stop()
        if self.scef:
            self.scef.stop()
        if self._outcome and not all(e is None for _, e in getattr(
                self._outcome, "errors", [])):
            for name in ("lwm2md.log", "scefd.log"):
                print(f"--- {name}\n" + lwgtest.log_tail(os.path.join(self.tmp, name), 60))
        log = lwgtest.log_tail(os.path.join(self.tmp, "lwm2md.log"), 60)
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.assertIn(rc, (None, 0), "lwm2md did not stop cleanly:\n" + log)

    def start(self, lwm2md_extra="", scef_extra=(), items=None, scef_first=True, ack_ms=3000):
        self.scef = Scefd(self.tmp, self.ports, scef_extra, items)
        if not scef_first:
            self.start_lwm2md(lwm2md_extra, ack_ms)
            return
        self.scef.start()
        self.start_lwm2md(lwm2md_extra, ack_ms)
        self.wait_active()

    def start_lwm2md(self, lwm2md_extra, ack_ms):
        cb = lwgtest.free_port(socket.SOCK_STREAM)
        self.d = Lwm2md(self.tmp, lwm2md_extra + (
            f"[nidd]\nenabled = yes\napi_root = http://127.0.0.1:{self.scef.t8}\n"
            f"scs_as_id = {SCS}\ncallback_port = {cb}\ndevices = {EXT} {EXT2}\n"
            f"ack_timeout_ms = {ack_ms}\n"))
        self.d.start()

    def nidd_status(self):
        return self.d.status()["nidd"]

    def wait_active(self):
        wait_for(lambda: all(x["state"] == "active" for x in self.nidd_status()["devices"]),
                 "lwm2md's NIDD configurations to be active", 30)

    def device(self, ext=EXT, *args):
        c = tt.Client(f"coap://127.0.0.1:{self.scef.dev_port}", "--local-port",
                      str(self.ports[ext]), "--ep", ext, *args)
        self.clients.append(c)
        return c

    def registered(self, ext=EXT, *args):
        c = self.device(ext, *args)
        c.expect("registered")
        return c

    def client_record(self, ep=EXT):
        return ctl_json(self.tmp, "show", ep)

    def ask(self, *args):
        """A device-management command that may wait long (a device asleep for 30 s)."""
        return subprocess.Popen(
            [os.path.join(tl.BUILD, "cli", "lwgatectl"), "--socket-dir", self.tmp, "--timeout",
             "400000", "--json", "lwm2md"] + list(args), stdout=subprocess.PIPE, text=True)

    def answer(self, proc):
        out, _ = proc.communicate(timeout=420)
        self.assertEqual(proc.returncode, 0, out)
        return json.loads(out)

    def test_configurations_at_start(self):
        self.start()
        confs = self.scef.ctl("configurations")["configurations"]
        mine = [c for c in confs if c.get("externalId") in (EXT, EXT2)]
        self.assertEqual(len(mine), 2, confs)
        cb = self.nidd_status()["callback"]
        dests = {c["notificationDestination"] for c in mine}
        # one URL, the status's with a secret last segment (not shown in status)
        self.assertEqual(len(dests), 1, dests)
        [dest] = dests
        self.assertTrue(dest.startswith(cb) and re.fullmatch(r"[0-9a-f]{32}", dest[len(cb):]),
                        (cb, dest))
        self.assertTrue(all(c["status"] == "ACTIVE" for c in mine))

    def test_scef_down_at_start(self):
        """lwm2md starts before the SCEF: its configuration attempts fail and are tried again
        (1, 2, 4 … s) until the SCEF answers."""
        self.start(scef_first=False)
        wait_for(lambda: all(x["state"] == "failed" for x in self.nidd_status()["devices"]),
                 "the first attempts to fail", 30)
        self.scef.start()
        self.wait_active()
        self.registered(EXT, "--binding", "N")
        self.assertEqual(ctl_json(self.tmp, "read", EXT, "/3/0/9")["values"]["/3/0/9"], 87)

    def test_forged_callback_refused(self):
        """Only the SCEF knows the callback path: a forged uplink is refused unseen."""
        self.start()
        cb = self.nidd_status()["callback"]
        reg = base64.b64encode(cm.register(1, f"ep={EXT}&b=N", "</1/0>")).decode()
        for url in (cb.rstrip("/"), cb + "0" * 32):
            req = urllib.request.Request(url, method="POST", data=json.dumps(
                {"externalId": EXT, "data": reg}).encode(),
                headers={"Content-Type": "application/json"})
            with self.assertRaises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(req, timeout=10)
            self.assertEqual(e.exception.code, 404)
        st = self.nidd_status()
        self.assertEqual((st["unauthorized"], st["uplinks"]), (2, 0))
        self.assertEqual(self.d.clients(), [])

    def test_new_callback_port_replaces_the_configuration(self):
        self.start()
        old = {c["id"] for c in self.scef.ctl("configurations")["configurations"]}
        self.assertEqual(self.d.stop(), 0)
        with open(self.d.ini) as f:
            text = f.read()
        with open(self.d.ini, "w") as f:
            f.write(re.sub(r"(?m)^callback_port = .*$",
                           f"callback_port = {lwgtest.free_port(socket.SOCK_STREAM)}", text))
        self.d.start()
        self.wait_active()
        confs = self.scef.ctl("configurations")["configurations"]
        self.assertEqual(len(confs), 2, confs)
        self.assertFalse(old & {c["id"] for c in confs})
        # and the device is served through the new one
        self.registered(EXT, "--binding", "N")

    def test_register_read_write_observe(self):
        self.start()
        c = self.registered(EXT, "--binding", "N")
        [rec] = self.d.clients()
        self.assertEqual((rec["endpoint"], rec["transport"], rec["binding"]), (EXT, "nidd", "N"))
        self.assertEqual(rec["external_id"], EXT)
        self.assertNotIn("nidd", rec)  # the list stays short; show has it all
        table = subprocess.run([os.path.join(tl.BUILD, "cli", "lwgatectl"), "--socket-dir",
                                self.tmp, "lwm2md", "clients"], capture_output=True, text=True,
                               timeout=30).stdout
        self.assertRegex(table, r"(?m)^" + re.escape(EXT) + r"\s.*\bnidd\b.*" + re.escape(EXT))
        # read, by external_id too (LPW-001)
        r = ctl_json(self.tmp, "read", "external_id=" + EXT, "path=/3/0/9")
        self.assertEqual(r["values"]["/3/0/9"], 87)
        w = ctl_json(self.tmp, "write", EXT, "/3/0/14", "+05")
        self.assertEqual(w["code"], "2.04 Changed")
        c.expect("write path=/3/0/14")
        o = ctl_json(self.tmp, "observe", EXT, "/3/0/9")
        self.assertEqual(o["code"], "2.05 Content")
        for v in (50, 49):
            c.say(f"set /3/0/9 {v}")
            wait_for(lambda: any(x["path"] == "/3/0/9" and x["value"] == v
                                 for x in ctl_json(self.tmp, "values", EXT)),
                     f"the notification with {v}", 30)
        nidd = self.client_record()["nidd"]
        self.assertEqual(nidd["external_id"], EXT)
        self.assertGreaterEqual(nidd["uplinks"], 5)
        self.assertGreaterEqual(nidd["downlinks"], 4)
        # message identity kept (LPW-003/004): each downlink's MID and token with its status
        self.assertTrue(nidd["deliveries"])
        self.assertTrue(all(x["status"].startswith("SUCCESS") for x in nidd["deliveries"]),
                        nidd["deliveries"])
        self.assertTrue(any(x["token"] for x in nidd["deliveries"]))

    def test_endpoint_is_bound_to_the_external_id(self):
        self.start()
        c = self.device(EXT, "--ep", "someone-else")
        line = c.expect("failed")
        self.assertIn("4.03", line)
        self.assertEqual(self.d.clients(), [])
        self.assertGreaterEqual(self.d.status()["counters"]["forbidden"], 1)

    def test_binding_must_name_n(self):
        self.start()
        c = self.device(EXT, "--binding", "U")
        self.assertIn("4.00", c.expect("failed"))

    def test_queued_write_delivered_when_the_device_wakes(self):
        self.start("[lwm2m]\nawake_time = 1\n")
        c = self.registered(EXT, "--binding", "NQ")
        self.scef.ctl("sleep", EXT, "psm")
        wait_for(lambda: self.client_record().get("queue_state") == "asleep",
                 "the awake window to end")
        op = ctl_json(self.tmp, "write", EXT, "/3/0/14", "+03")
        self.assertEqual(op["state"], "queued")
        # the device wakes and speaks: scefd makes it reachable, lwm2md sends the write
        c.say("update")
        c.expect("write path=/3/0/14")
        wait_for(lambda: ctl_json(self.tmp, "op", str(op["id"]))["state"] == "done",
                 "the queued write to be done", 30)

    def test_downlink_buffered_at_the_scef_is_delivered_on_wake(self):
        self.start()
        c = self.registered(EXT, "--binding", "N")
        self.scef.ctl("sleep", EXT, "psm")
        # lwm2md sees no queue mode: it sends now, the SCEF holds it (201)
        reader = subprocess.Popen(
            [os.path.join(tl.BUILD, "cli", "lwgatectl"), "--socket-dir", self.tmp, "--json",
             "lwm2md", "read", EXT, "/3/0/9"], stdout=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: self.client_record()["nidd"]["buffered"] >= 1,
                     "the SCEF to buffer the downlink", 30)
            # libcoap retransmits the request (no ACK came): the SCEF holds it already, so
            # lwm2md does not deliver it again (a 201 is not loss, LPW-002)
            wait_for(lambda: self.client_record()["nidd"]["held_retransmissions"] >= 1,
                     "a retransmission of the held request", 60)
            held = [x for x in self.scef.ctl("deliveries")["deliveries"] if x["target"] == EXT]
            self.assertEqual(len(held), 1, held)
            self.assertTrue(held[0]["deliveryStatus"].startswith("BUFFERING"), held)
            self.scef.ctl("wake", EXT)
            c.expect("read path=/3/0/9")
            out, _ = reader.communicate(timeout=60)
        finally:
            if reader.poll() is None:
                reader.kill()
                reader.communicate()
        self.assertEqual(reader.returncode, 0, out)
        self.assertEqual(json.loads(out)["values"]["/3/0/9"], 87)
        nidd = self.client_record()["nidd"]
        # the SCEF's status notification reached lwm2md, keyed by the delivery's link
        wait_for(lambda: any(x["status"] == "SUCCESS_NEXT_HOP_UNACKNOWLEDGED" and x["delivery"]
                             for x in self.client_record()["nidd"]["deliveries"]),
                 "the delivery's status notification")
        self.assertEqual(nidd["failed"], 0)

    def test_restart_keeps_the_device_reachable(self):
        self.start()
        self.registered(EXT, "--binding", "N")
        port = [x["port"] for x in self.nidd_status()["devices"] if x["external_id"] == EXT]
        confs = len(self.scef.ctl("configurations")["configurations"])
        self.assertEqual(self.d.stop(), 0)
        self.d.start()
        self.wait_active()
        self.assertEqual(
            [x["port"] for x in self.nidd_status()["devices"] if x["external_id"] == EXT], port)
        [rec] = self.d.clients()
        self.assertEqual(rec["transport"], "nidd")
        # no Update since: the stored registration reaches the device through the same vpeer
        r = ctl_json(self.tmp, "read", EXT, "/3/0/9")
        self.assertEqual(r["values"]["/3/0/9"], 87)
        # the configuration was found again, not made anew
        self.assertEqual(len(self.scef.ctl("configurations")["configurations"]), confs)

    def test_lossy_radio_and_psm(self):
        """10 % loss each way and 30 s PSM sleeps (scefd's emulated radio, seeded): CoAP's
        retransmissions on both sides and the SCEF's buffering get every operation through."""
        radio = ",psm=30/5,loss=10"
        # the default ACK_TIMEOUT (10 s): a request lost on the radio is sent again, and held
        # by the SCEF if the device sleeps by then, within its exchange lifetime
        self.start("[lwm2m]\nawake_time = 5\n", ["-o", "devices.seed=42"],
                   {EXT: radio, EXT2: radio}, ack_ms=10000)
        # a queue-mode device: what lwm2md has for it while it sleeps waits for its next uplink
        c = self.device(EXT, "--binding", "NQ")
        c.expect("registered", 120)
        wait_for(lambda: self.client_record().get("queue_state") == "asleep",
                 "the awake window to end", 60)
        read = ctl_json(self.tmp, "read", EXT, "/3/0/9")
        write = ctl_json(self.tmp, "write", EXT, "/3/0/14", "+07")
        self.assertEqual((read["state"], write["state"]), ("queued", "queued"))
        c.say("update")
        c.expect("write path=/3/0/14", 180)
        for op in (read, write):
            wait_for(lambda: ctl_json(self.tmp, "op", str(op["id"]))["state"] == "done",
                     "the queued operations to be done", 180)
        self.assertEqual(
            ctl_json(self.tmp, "op", str(read["id"]))["result"]["values"]["/3/0/9"], 87)
        # not in queue mode: lwm2md sends at once, the SCEF holds the request while the device
        # sleeps (up to 30 s) and delivers it at its periodic wake
        c2 = self.device(EXT2, "--binding", "N")
        c2.expect("registered", 120)
        self.scef.ctl("sleep", EXT2, "psm")
        proc = self.ask("read", EXT2, "/3/0/9")
        self.assertEqual(self.answer(proc)["values"]["/3/0/9"], 87)
        c2.expect("read path=/3/0/9", 60)
        # observe it; a notification after the device's own uplink
        obs = self.answer(self.ask("observe", EXT2, "/3/0/9"))
        self.assertEqual(obs["code"], "2.05 Content")
        c2.say("notify con")
        c2.say("set /3/0/9 42")
        wait_for(lambda: any(x["path"] == "/3/0/9" and x["value"] == 42
                             for x in ctl_json(self.tmp, "values", EXT2)),
                 "the notification through the lossy radio", 180)
        rec = self.client_record(EXT2)["nidd"]
        self.assertGreaterEqual(rec["buffered"], 1, rec)
        # what the radio lost (the seed is fixed, the traffic's timing is not: shown, not asserted)
        for d in self.scef.ctl("devices")["devices"]:
            print(f"radio {d['externalId']}: uplinks {d.get('uplinks')} lost "
                  f"{d.get('uplinks_lost')}, downlinks {d.get('downlinks')} lost "
                  f"{d.get('downlinks_lost')}", file=sys.stderr)

    def test_quota_reported_per_device(self):
        """A downlink rate control reached at the SCEF (403 QUOTA_EXCEEDED): shown on the
        client, and libcoap's retransmissions held back until the window ends (LPW-008/009)."""
        self.start(items={EXT: ",plmn_dl=3"})
        self.registered(EXT, "--binding", "N")  # its 2.01: one downlink
        for _ in range(2):
            self.assertEqual(ctl_json(self.tmp, "read", EXT, "/3/0/9")["values"]["/3/0/9"], 87)
        proc = self.ask("read", EXT, "/3/0/9")
        try:
            wait_for(lambda: (self.client_record()["nidd"]["refusal"] or {}).get("cause")
                     == "QUOTA_EXCEEDED", "the SCEF's refusal", 30)
            rec = self.client_record()["nidd"]
            self.assertEqual(rec["refusal"]["status"], 403)
            q = rec["quota"]["plmn_dl"]
            self.assertEqual((q["limit"], q["used"]), (3, 3))
            self.assertIn("resetTime", q)
            wait_for(lambda: self.client_record()["nidd"]["quota_held"] >= 1,
                     "a retransmission held back by lwm2md", 30)
            self.assertEqual(self.client_record()["nidd"]["refused"], 1)
            # the list shows it too
            [rec] = self.d.clients()
            self.assertEqual(rec["quota"]["plmn_dl"]["limit"], 3)
        finally:
            proc.kill()
            proc.communicate()

    def test_own_rate_limit_per_device(self):
        """lwm2md's own downlink limit per device (LPW-008): past it a message is not sent."""
        self.start("[nidd]\ndownlink_messages = 3/hour\n")
        self.registered(EXT, "--binding", "N")  # its 2.01: the first of three
        for _ in range(2):
            self.assertEqual(ctl_json(self.tmp, "read", EXT, "/3/0/9")["values"]["/3/0/9"], 87)
        proc = self.ask("read", EXT, "/3/0/9")
        try:
            wait_for(lambda: self.client_record()["nidd"]["limited"] >= 1,
                     "the fourth downlink to be held back", 30)
            rec = self.client_record()["nidd"]
            lim = rec["limits"]["downlink_messages"]
            self.assertEqual((lim["limit"], lim["per"], lim["used"]), (3, "hour", 3))
            self.assertEqual(rec["deliveries"][0]["status"], "LIMITED")
            self.assertEqual(rec["downlinks"], 3)
            # the radio carried three downlinks to the device, no more
            [dev] = [x for x in self.scef.ctl("devices")["devices"] if x["externalId"] == EXT]
            self.assertEqual(dev["downlinks"], 3, dev)
        finally:
            proc.kill()
            proc.communicate()


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], tl, tt])
