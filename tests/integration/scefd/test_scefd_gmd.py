#!/usr/bin/python3
"""scefd's group message delivery (TS 29.122 4.4.5.3.2, LwM2M LPW-006):
external groups from [devices] groups, NIDD configurations by
externalGroupId, a group downlink delivered (or held, or refused) per
member and reported once every member's part is final in a
GmdNiddDownlinkDataDeliveryNotification with gmdResults.  curl over
HTTP/1.1 and HTTP/2; every body validated against TS29122_NIDD.yaml."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgtest  # noqa: E402
import test_scefd  # noqa: E402
from test_scefd import DEV1, DEV2, DEV3  # noqa: E402

BUILD = None
SOURCE = None
FLEET, ONE = "fleet@nidd.test", "one@nidd.test"


class GmdTest(test_scefd.ScefdCase):
    def setUp(self):
        super().setUp()
        # DEV2 asleep; its cycle wakes it in an hour
        self.rx = self.restart_with_groups({FLEET: [DEV1, "491700000002", DEV3], ONE: [DEV1]},
                                           {DEV2: ",psm,psm=3600/5"})

    def configure_group(self, group, h2=False):
        return self.configure(group, h2, target_member="externalGroupId")

    def deliver_group(self, conf, group, data, h2=False, **extra):
        status, headers, doc = self.deliver(conf, group, data, h2,
                                            target_member="externalGroupId", **extra)
        self.assertEqual(status, 201, doc)
        self.assertEqual(headers["location"], doc["self"])
        return doc

    def gmd(self):
        note = self.schemas.check("GmdNiddDownlinkDataDeliveryNotification", self.rx.next())
        return note, {r["externalId"]: r for r in note["gmdResults"]}

    def test_unknown_group_refused(self):
        status, _, doc = self.http("POST", self.url(), {
            "externalGroupId": "nobody@nidd.test", "notificationDestination": "http://a/"})
        self.assertEqual((status, doc["cause"]), (403, "REQUEST_NOT_AUTHORIZED"))

    def test_parts_delivered_held_and_refused(self):
        conf = self.configure_group(FLEET)
        doc = self.deliver_group(conf, FLEET, b"to all", maximumLatency=7200,
                                 pdnEstablishmentOption="INDICATE_ERROR")
        self.assertEqual(doc["deliveryStatus"], "SENDING")  # DEV2's part is held
        self.assertEqual(self.devs[DEV1].recvfrom(2000)[0], b"to all")
        status, _, docs = self.http("GET", conf + "/downlink-data-deliveries", h2=True)
        self.assertEqual([self.schemas.check("NiddDownlinkDataTransfer", d)["self"]
                          for d in docs], [doc["self"]])  # the parts have no resource
        self.ctl("wake", DEV2)
        self.assertEqual(self.devs[DEV2].recvfrom(2000)[0], b"to all")
        note, results = self.gmd()
        self.assertEqual(note["niddDownlinkDataTransfer"], doc["self"])
        self.assertEqual({k: r["deliveryStatus"] for k, r in results.items()}, {
            DEV1: "SUCCESS_NEXT_HOP_UNACKNOWLEDGED", DEV2: "SUCCESS_NEXT_HOP_UNACKNOWLEDGED",
            DEV3: "FAILURE"})  # no PDN connection and INDICATE_ERROR
        status, _, now = self.http("GET", doc["self"])
        self.assertEqual(self.schemas.check("NiddDownlinkDataTransfer", now)["deliveryStatus"],
                         "FAILURE")
        self.assertEqual(self.http("DELETE", doc["self"])[0], 409)

    def test_all_parts_final_at_once(self):
        conf = self.configure_group(FLEET, h2=True)
        doc = self.deliver_group(conf, FLEET, b"now", h2=True, maximumLatency=0,
                                 pdnEstablishmentOption="INDICATE_ERROR")
        self.assertEqual(doc["deliveryStatus"], "FAILURE")
        note, results = self.gmd()
        self.assertEqual(results[DEV1]["deliveryStatus"], "SUCCESS_NEXT_HOP_UNACKNOWLEDGED")
        # Asleep until its cycle's next wake-up, which the result says.
        self.assertEqual(results[DEV2]["deliveryStatus"], "FAILURE_TEMPORARILY_NOT_REACHABLE")
        self.assertIn("requestedRetransmissionTime", results[DEV2])
        self.assertEqual(results[DEV3]["deliveryStatus"], "FAILURE")

    def test_whole_group_succeeds(self):
        conf = self.configure_group(ONE)
        for h2 in (False, True):
            doc = self.deliver_group(conf, ONE, b"one", h2=h2)
            self.assertEqual(doc["deliveryStatus"], "SUCCESS")
            note, results = self.gmd()
            self.assertEqual(note["gmdResults"], [
                {"externalId": DEV1, "deliveryStatus": "SUCCESS_NEXT_HOP_UNACKNOWLEDGED"}])
        # A group delivery for another target than the configuration's is refused.
        status, _, doc = self.http("POST", conf + "/downlink-data-deliveries", {
            "externalGroupId": FLEET, "data": "eA=="})
        self.assertEqual((status, doc["cause"]), (400, "MANDATORY_IE_INCORRECT"))

    def test_bad_groups_refused(self):
        scefd = os.path.join(BUILD, "daemons", "scefd", "scefd")
        lst = "devices.list=a@b,49170000001,9 c@d,49170000002,10"
        for groups in ("g@x=nobody@b", "g@x=a@b,a@b", "g@x=", "nogroup=a@b",
                       "g@x=a@b g@x=c@d"):
            r = subprocess.run([scefd, "-t", "-c", "/dev/null", "-o", lst, "-o",
                                "devices.groups=" + groups], capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0, groups)
        r = subprocess.run([scefd, "-t", "-c", "/dev/null", "-o", lst, "-o",
                            "devices.groups=g@x=a@b,49170000002 h@x=c@d"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_scefd])
