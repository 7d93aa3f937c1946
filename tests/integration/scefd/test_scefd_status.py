#!/usr/bin/python3
"""Every DeliveryStatus of TS 29.122 (the enum read from TS29122_NIDD.yaml)
reached through scefd's T8 API as an SCS/AS sees it: in downlink answers,
NiddDownlinkDataDeliveryStatusNotification and gmdResults.  The devices:
DEV1 reachable with RDS and an acknowledging next hop, DEV2 asleep in a
PSM cycle, DEV3 without a PDN connection; groups of one."""
import os
import queue
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgtest  # noqa: E402
import test_scefd  # noqa: E402
from test_scefd import DEV1, DEV2, DEV3  # noqa: E402

BUILD = None
SOURCE = None
SOLO, SLEEPERS = "solo@nidd.test", "sleepers@nidd.test"


class StatusTest(test_scefd.ScefdCase):
    def setUp(self):
        super().setUp()
        self.rx = self.restart_with_groups({SOLO: [DEV1], SLEEPERS: [DEV2]},
                                           {DEV1: ",rds,ack", DEV2: ",psm,psm=3600/5"})
        self.seen = {}  # status -> where it was seen

    def note(self, status, where):
        self.seen.setdefault(status, where)

    def configure_as(self, member, target):
        return self.configure(target, target_member=member)

    def send(self, conf, member, target, data, **extra):
        status, _, doc = self.deliver(conf, target, data, target_member=member, **extra)
        if status in (200, 201):
            self.note(doc["deliveryStatus"], "answer")
        return status, doc

    def drain(self, want):
        """Read notifications until @want statuses were all seen (or 30 s of silence)."""
        while not want <= set(self.seen):
            try:
                n = self.rx.next()
            except queue.Empty:
                break
            if "gmdResults" in n:
                self.schemas.check("GmdNiddDownlinkDataDeliveryNotification", n)
                for r in n["gmdResults"]:
                    self.note(r["deliveryStatus"], "gmdResults")
            else:
                self.schemas.check("NiddDownlinkDataDeliveryStatusNotification", n)
                self.note(n["deliveryStatus"], "status notification")

    def test_every_delivery_status(self):
        spec = self.schemas.store[self.schemas.base]["components"]["schemas"]
        every = set(spec["DeliveryStatus"]["anyOf"][0]["enum"])
        self.assertEqual(len(every), 14)
        c1 = self.configure_as("externalId", DEV1)
        c2 = self.configure_as("externalId", DEV2)
        c3 = self.configure_as("externalId", DEV3)
        solo = self.configure_as("externalGroupId", SOLO)
        sleepers = self.configure_as("externalGroupId", SLEEPERS)
        # DEV1: the next hop acknowledges; RDS acknowledged after a 201 SENDING.
        self.assertEqual(self.send(c1, "externalId", DEV1, b"a")[0], 200)
        self.assertEqual(self.send(c1, "externalId", DEV1, b"r", reliableDataService=True)[0],
                         201)
        # Groups: all parts well (SUCCESS), a part lost by the radio that the
        # acknowledging next hop reports (FAILURE_NEXT_HOP, so FAILURE).
        self.send(solo, "externalGroupId", SOLO, b"g")
        self.ctl("loss", DEV1, "100")
        self.send(solo, "externalGroupId", SOLO, b"lost")
        # Reliable data never acknowledged: every RDS frame lost.
        self.send(c1, "externalId", DEV1, b"r2", reliableDataService=True)
        self.ctl("loss", DEV1, "0")
        # DEV3 without PDN connection: held, or triggered; one expires.
        self.send(c3, "externalId", DEV3, b"w", pdnEstablishmentOption="WAIT_FOR_UE")
        self.send(c3, "externalId", DEV3, b"t", pdnEstablishmentOption="SEND_TRIGGER")
        self.send(c3, "externalId", DEV3, b"x", pdnEstablishmentOption="WAIT_FOR_UE",
                  maximumLatency=1)
        # DEV2 asleep: held; as a group part that cannot wait, not reachable.
        self.send(c2, "externalId", DEV2, b"h", maximumLatency=7200)
        self.send(sleepers, "externalGroupId", SLEEPERS, b"now", maximumLatency=0)
        self.ctl("wake", DEV2)
        # Awake, but reliable data to a UE without RDS.
        self.send(c2, "externalId", DEV2, b"r3", reliableDataService=True)
        self.drain(every)
        self.assertEqual(set(self.seen), every, self.seen)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_scefd])
