#!/usr/bin/python3
"""scefd's rate control and quotas (LwM2M LPW-008/009): serving PLMN rate
control (messages per 6 minutes), APN rate control (per minute/hour/day)
and byte quotas, per device from the INI and set with `lwgatectl scefd
quota`; a downlink past one is a 403 QUOTA_EXCEEDED ProblemDetails that
says which limit, an uplink past one is discarded and counted.  Every T8
body is validated against TS29122_NIDD.yaml (test_scefd's harness)."""
import base64
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgtest  # noqa: E402
import test_scefd  # noqa: E402
from test_scefd import DEV1, DEV2  # noqa: E402

BUILD = None
SOURCE = None


class QuotaTest(test_scefd.ScefdCase):
    def restart(self, *extra, items=None):
        self.stop()
        self.items.update(items or {})
        self.start(*extra)

    def quota(self, ext, *sets):
        return self.ctl("quota", ext, *sets)["quota"]

    def refused(self, conf, ext, data, name, limit, h2=False):
        status, headers, doc = self.deliver(conf, ext, data, h2=h2)
        self.assertEqual((status, doc["cause"]), (403, "QUOTA_EXCEEDED"), doc)
        self.assertEqual((doc["quota"]["name"], doc["quota"]["limit"]), (name, limit))
        self.assertGreaterEqual(int(headers["retry-after"]), 0)
        return doc

    def test_serving_plmn_downlink_rate(self):
        self.restart(items={DEV1: ",plmn_dl=2"})
        conf = self.configure(DEV1)
        for i, h2 in enumerate((False, True)):
            self.assertEqual(self.deliver(conf, DEV1, b"%d" % i, h2=h2)[0], 200)
        for h2 in (False, True):
            doc = self.refused(conf, DEV1, b"third", "plmn_dl", 2, h2=h2)
            self.assertEqual(doc["quota"]["used"], 2)
            self.assertIn("serving PLMN rate control (downlink)", doc["detail"])
        q = self.quota(DEV1)
        self.assertEqual((q["plmn_dl"]["limit"], q["plmn_dl"]["per"], q["plmn_dl"]["used"]),
                         (2, "6 minutes", 2))
        self.assertEqual(q["refused_downlinks"], 2)
        self.assertLessEqual(q["plmn_dl"]["resets_in"], 360)
        self.assertIsNone(q["plmn_ul"]["limit"])
        # Only the two admitted ones reached the device.
        got = {self.devs[DEV1].recvfrom(2000)[0] for _ in range(2)}
        self.assertEqual(got, {b"0", b"1"})

    def test_byte_quota_set_and_removed_with_lwgatectl(self):
        conf = self.configure(DEV1)
        self.assertEqual(self.quota(DEV1, "bytes_dl=10/day")["bytes_dl"]["limit"], 10)
        self.assertEqual(self.deliver(conf, DEV1, b"123456")[0], 200)
        doc = self.refused(conf, DEV1, b"123456", "bytes_dl", 10)
        self.assertEqual(doc["quota"]["used"], 6)
        self.assertEqual(self.deliver(conf, DEV1, b"1234")[0], 200)  # exactly the 10
        self.assertIsNone(self.quota(DEV1, "bytes_dl=")["bytes_dl"]["limit"])
        self.assertEqual(self.deliver(conf, DEV1, b"123456")[0], 200)
        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--socket-dir", self.tmp,
                            "scefd", "quota", DEV1, "apn_dl=5"], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)  # an APN rate needs its unit
        self.assertIn("apn_dl", r.stderr)

    def test_buffered_data_counts_against_the_rate(self):
        self.restart(items={DEV2: ",psm,plmn_dl=1"})
        conf = self.configure(DEV2)
        status, _, doc = self.deliver(conf, DEV2, b"held")
        self.assertEqual((status, doc["deliveryStatus"]),
                         (201, "BUFFERING_TEMPORARILY_NOT_REACHABLE"))
        self.refused(conf, DEV2, b"more", "plmn_dl", 1)

    def test_uplink_apn_rate_from_the_ini_default(self):
        self.restart("-o", "devices.apn_ul=1/hour")
        rx = self.listen()
        self.configure(DEV1)
        self.assertEqual(self.quota(DEV2)["apn_ul"]["per"], "hour")  # every device's
        for data in (b"first", b"second"):
            self.devs[DEV1].sendto(data, ("127.0.0.1", self.dev_port))
        note = self.schemas.check("NiddUplinkDataNotification", rx.next())
        self.assertEqual(base64.b64decode(note["data"]), b"first")
        lwgtest.wait_for(lambda: self.quota(DEV1)["refused_uplinks"] == 1, "a discarded uplink")
        self.assertEqual(self.quota(DEV1)["apn_ul"]["used"], 1)
        self.assertEqual(self.ctl("status")["notifications"]["queued"], 1)
        devices = self.ctl("quota")["devices"]
        self.assertEqual(len(devices), 3)

    def test_bad_limits_refused(self):
        scefd = os.path.join(BUILD, "daemons", "scefd", "scefd")
        for opt in ("devices.apn_dl=5", "devices.plmn_ul=3/day", "devices.bytes_ul=x/day",
                    "devices.bytes_dl=5/week",
                    "devices.list=a@b,49170000001,9,plmn_dl=1/hour"):
            r = subprocess.run([scefd, "-t", "-c", "/dev/null", "-o", opt], capture_output=True,
                               text=True)
            self.assertNotEqual(r.returncode, 0, opt)
        r = subprocess.run([scefd, "-t", "-c", "/dev/null", "-o",
                            "devices.list=a@b,49170000001,9,plmn_ul=3,apn_dl=5/minute,"
                            "bytes_ul=1000/day", "-o", "devices.bytes_dl=100/hour"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_scefd])
