#!/usr/bin/python3
"""scefd's emulated radio: datagram loss drawn from a seeded PRNG (per
device, [devices] loss, `lwgatectl scefd loss`), and PSM/eDRX cycles from
the INI (reachable for the active time after each activity, asleep for the
period, awake again by itself, held data delivered then).  The harness is
test_scefd's; every T8 body is validated against TS29122_NIDD.yaml."""
import base64
import os
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgtest  # noqa: E402
import test_scefd  # noqa: E402
from test_scefd import DEV1, DEV2, DEV3  # noqa: E402

BUILD = None
SOURCE = None


class RadioTest(test_scefd.ScefdCase):
    def device(self, ext):
        return next(d for d in self.ctl("devices")["devices"] if d["externalId"] == ext)

    def uplink(self, ext, data):
        self.devs[ext].sendto(data, ("127.0.0.1", self.dev_port))

    def restart(self, *extra, **items):
        self.stop()
        for ext, opts in items.items():
            self.items[{"DEV1": DEV1, "DEV2": DEV2, "DEV3": DEV3}[ext]] = opts
        self.start(*extra)

    def test_total_loss_then_none(self):
        rx = self.listen()
        conf = self.configure(DEV1)
        self.assertEqual(self.ctl("loss", DEV1, "100")["loss"], 100)
        status, _, doc = self.deliver(conf, DEV1, b"lost")
        # The SCEF cannot know the radio lost it: handed to the next hop.
        self.assertEqual((status, doc["deliveryStatus"]), (200, "SUCCESS_NEXT_HOP_UNACKNOWLEDGED"))
        self.uplink(DEV1, b"lost too")
        lwgtest.wait_for(lambda: self.device(DEV1)["uplinks_lost"] == 1, "the lost uplink")
        radio = self.ctl("status")["radio"]
        self.assertEqual((radio["downlinks"], radio["downlinks_lost"]), (1, 1))
        self.assertEqual((radio["uplinks"], radio["uplinks_lost"]), (1, 1))
        self.ctl("loss", DEV1, "0")
        self.assertEqual(self.deliver(conf, DEV1, b"after")[0], 200)
        self.assertEqual(self.devs[DEV1].recvfrom(2000)[0], b"after")  # "lost" never came
        self.uplink(DEV1, b"up after")
        note = self.schemas.check("NiddUplinkDataNotification", rx.next())
        self.assertEqual(base64.b64decode(note["data"]), b"up after")
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--socket-dir", self.tmp,
                            "scefd", "loss", DEV1, "101"], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)

    def lost_of(self, n):
        for i in range(n):
            self.uplink(DEV1, b"%d" % i)
        lwgtest.wait_for(lambda: self.device(DEV1)["uplinks"] == n, "%d uplinks" % n, 30)
        return self.device(DEV1)["uplinks_lost"]

    def test_partial_loss_is_random_and_replayable(self):
        self.restart("-o", "devices.seed=12345", "-o", "devices.loss=100", DEV1=",loss=50")
        self.assertEqual(self.ctl("status")["radio"]["seed"], "12345")
        self.assertEqual(self.device(DEV2)["loss"], 100)  # the [devices] default
        self.assertEqual(self.device(DEV1)["loss"], 50)  # the item's own
        first = self.lost_of(200)
        # 50 % of 200 draws: all or none would take a broken PRNG (2^-200).
        self.assertTrue(0 < first < 200, first)
        self.restart("-o", "devices.seed=12345", "-o", "devices.loss=100")
        self.assertEqual(self.lost_of(200), first)  # the same seed, the same losses

    def test_active_time_then_psm_then_uplink_wakes(self):
        rx = self.listen()
        self.restart(DEV1=",psm=3600/1")
        dev = self.device(DEV1)
        self.assertEqual((dev["state"], dev["cycle"]), ("reachable", "psm=3600/1"))
        lwgtest.wait_for(lambda: self.device(DEV1)["state"] == "psm", "the end of T3324")
        self.assertGreater(self.device(DEV1)["next_change"], 3000)  # the periodic TAU
        conf = self.configure(DEV1)
        status, headers, doc = self.deliver(conf, DEV1, b"held")
        self.assertEqual((status, doc["deliveryStatus"]),
                         (201, "BUFFERING_TEMPORARILY_NOT_REACHABLE"))
        self.uplink(DEV1, b"hi")
        self.assertEqual(self.devs[DEV1].recvfrom(2000)[0], b"held")
        kinds = set()
        for n in (rx.next(), rx.next()):
            kind = ("NiddUplinkDataNotification" if "data" in n
                    else "NiddDownlinkDataDeliveryStatusNotification")
            kinds.add(kind)
            self.schemas.check(kind, n)
            if "deliveryStatus" in n:
                self.assertEqual(n["deliveryStatus"], "SUCCESS_NEXT_HOP_UNACKNOWLEDGED")
        self.assertEqual(len(kinds), 2)
        self.assertEqual(self.device(DEV1)["state"], "reachable")

    def test_periodic_wake_delivers_held_data(self):
        rx = self.listen()
        self.restart(DEV2=",psm,psm=3/3600")
        conf = self.configure(DEV2)
        self.ctl("sleep", DEV2)  # asleep now: the 3 s period starts again
        status, headers, doc = self.deliver(conf, DEV2, b"at the TAU")
        self.assertEqual((status, doc["deliveryStatus"]),
                         (201, "BUFFERING_TEMPORARILY_NOT_REACHABLE"))
        # Neither wake nor uplink: the device's own cycle brings it.
        self.assertEqual(self.devs[DEV2].recvfrom(2000)[0], b"at the TAU")
        note = self.schemas.check("NiddDownlinkDataDeliveryStatusNotification", rx.next())
        self.assertEqual(note, {"niddDownlinkDataTransfer": headers["location"],
                                "deliveryStatus": "SUCCESS_NEXT_HOP_UNACKNOWLEDGED"})
        dev = self.device(DEV2)
        self.assertEqual(dev["state"], "reachable")
        self.assertGreater(dev["next_change"], 3000)  # the active time
        self.assertEqual(self.ctl("sleep", DEV2, "edrx")["state"], "edrx")
        self.assertEqual(self.ctl("wake", DEV2)["state"], "reachable")

    def test_edrx_default_and_no_pdn(self):
        self.restart("-o", "devices.edrx=3600/1")
        self.assertEqual(self.device(DEV1)["cycle"], "edrx=3600/1")
        lwgtest.wait_for(lambda: self.device(DEV1)["state"] == "edrx", "the paging window's end")
        dev3 = self.device(DEV3)
        self.assertEqual(dev3["state"], "no-pdn")
        self.assertNotIn("next_change", dev3)  # no PDN: no cycle runs

    def test_bad_radio_options_refused(self):
        scefd = os.path.join(BUILD, "daemons", "scefd", "scefd")
        for opts in (["-o", "devices.psm=10/1", "-o", "devices.edrx=10/1"],
                     ["-o", "devices.psm=10"], ["-o", "devices.list=a@b,49170000001,9,loss=101"],
                     ["-o", "devices.list=a@b,49170000001,9,psm=0/5"],
                     ["-o", "devices.list=a@b,49170000001,9,sleepy"]):
            r = subprocess.run([scefd, "-t", "-c", "/dev/null"] + opts, capture_output=True,
                               text=True)
            self.assertNotEqual(r.returncode, 0, opts)
        r = subprocess.run([scefd, "-t", "-c", "/dev/null", "-o",
                            "devices.list=a@b,49170000001,9,psm,loss=5,edrx=20/2"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_scefd])
