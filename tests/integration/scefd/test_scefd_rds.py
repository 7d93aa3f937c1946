#!/usr/bin/python3
"""scefd's RDS port management (TS 29.122 ManagePort, the Rel-17 paths
/configurations/{id}/rds-ports[/{portId}]): reserve (PUT), read (GET),
release (DELETE), 409 for a port another application holds, a 500
RdsDownlinkDataDeliveryFailure for a UE without RDS, and rdsPort in
deliveries checked against the reservations (403 RDS_PORT_UNKNOWN).
curl over HTTP/1.1 and HTTP/2; every body validated against the yaml."""
import base64
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgtest  # noqa: E402
import test_scefd  # noqa: E402
from test_scefd import DEV1, DEV2  # noqa: E402

BUILD = None
SOURCE = None


class RdsTest(test_scefd.ScefdCase):
    def setUp(self):
        super().setUp()
        self.stop()
        self.items[DEV1] = ",rds"
        self.start()

    def put_port(self, conf, port, body, h2=False):
        self.schemas.check("ManagePort", body)
        return self.http("PUT", conf + "/rds-ports/" + port, body, h2=h2)

    def test_reserve_read_release(self):
        conf = self.configure(DEV1)
        for h2 in (False, True):
            status, headers, doc = self.put_port(conf, "ue1-ef12", {
                "appId": "lwm2m", "supportedFormats": ["CBOR", "JSON"]}, h2=h2)
            self.assertEqual(status, 201, doc)
            self.schemas.check("ManagePort", doc)
            self.assertEqual(headers["location"], doc["self"])
            self.assertTrue(doc["self"].endswith(conf[len("http://"):].split("/", 1)[1] +
                                                 "/rds-ports/ue1-ef12"))
            self.assertEqual(doc["configuredFormat"], "CBOR")
            status, _, got = self.http("GET", doc["self"], h2=h2)
            self.assertEqual((status, self.schemas.check("ManagePort", got)), (200, doc))
            status, _, docs = self.http("GET", conf + "/rds-ports", h2=h2)
            self.assertEqual([self.schemas.check("ManagePort", d) for d in docs], [doc])
        status, _, doc = self.put_port(conf, "ue1-ef12", {"appId": "other"})
        self.assertEqual(status, 409)
        status, _, doc = self.http("PUT", conf + "/rds-ports/ue2-ef2", {"skipUeInquiry": True})
        self.assertEqual((status, doc["cause"]), (400, "MANDATORY_IE_MISSING"))
        for bad in ("ue16-ef1", "ue1-ef02", "ue01-ef1", "ue1ef1", "ue-ef"):
            self.assertEqual(self.http("GET", conf + "/rds-ports/" + bad)[0], 404, bad)
        status, headers, _ = self.http("POST", conf + "/rds-ports", {"appId": "x"})
        self.assertEqual((status, headers["allow"]), (405, "GET"))
        self.assertEqual(self.http("DELETE", conf + "/rds-ports/ue1-ef12", h2=True)[0], 204)
        self.assertEqual(self.http("GET", conf + "/rds-ports/ue1-ef12")[0], 404)
        self.assertEqual(self.http("DELETE", conf + "/rds-ports/ue1-ef12")[0], 404)
        self.assertEqual(self.http("GET", conf + "/rds-ports")[2], [])

    def test_ue_without_rds(self):
        conf = self.configure(DEV2)
        status, headers, doc = self.put_port(conf, "ue0-ef0", {"appId": "lwm2m"})
        self.assertEqual(status, 500)
        self.assertEqual(headers["content-type"], "application/problem+json")
        self.schemas.check("RdsDownlinkDataDeliveryFailure", doc)

    def test_rds_port_of_deliveries_verified(self):
        conf = self.configure(DEV1)
        self.assertEqual(self.put_port(conf, "ue3-ef4", {"appId": "lwm2m"})[0], 201)
        status, _, doc = self.deliver(conf, DEV1, b"ok", rdsPort={"portUE": 3, "portSCEF": 4})
        self.assertEqual((status, doc["rdsPort"]), (200, {"portUE": 3, "portSCEF": 4}))
        status, _, doc = self.deliver(conf, DEV1, b"no", rdsPort={"portUE": 4, "portSCEF": 3},
                                      h2=True)
        self.assertEqual((status, doc["cause"]), (403, "RDS_PORT_UNKNOWN"))
        status, _, doc = self.http("POST", conf + "/downlink-data-deliveries", {
            "externalId": DEV1, "data": "eA==", "rdsPort": {"portUE": 3}})
        self.assertEqual((status, doc["cause"]), (400, "OPTIONAL_IE_INCORRECT"))
        self.assertEqual(self.http("DELETE", conf + "/rds-ports/ue3-ef4")[0], 204)
        # No reservation left: nothing to verify against.
        self.assertEqual(self.deliver(conf, DEV1, b"any", rdsPort={
            "portUE": 4, "portSCEF": 3})[0], 200)
        # A held delivery takes rdsPort by PATCH, and keeps it over a restart.
        conf2 = self.configure(DEV2)
        status, headers, _ = self.deliver(conf2, DEV2, b"held")
        patch = {"rdsPort": {"portUE": 5, "portSCEF": 6}}
        self.schemas.check("NiddDownlinkDataTransferPatch", patch)
        status, _, doc = self.http("PATCH", headers["location"], patch,
                                   ctype="application/merge-patch+json")
        self.assertEqual((status, doc["rdsPort"]), (200, patch["rdsPort"]))
        self.stop()
        self.start()
        status, _, doc = self.http("GET", headers["location"])
        self.assertEqual(self.schemas.check("NiddDownlinkDataTransfer", doc)["rdsPort"],
                         patch["rdsPort"])
        # Deleting the configuration releases its ports.
        self.assertEqual(self.put_port(conf, "ue9-ef9", {"appId": "lwm2m"})[0], 201)
        self.assertEqual(self.http("DELETE", conf)[0], 204)
        self.assertEqual(self.http("GET", conf + "/rds-ports")[0], 404)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_scefd])
