#!/usr/bin/python3
"""rdd's certificate mode: registrants on coaps authenticated by an X.509
certificate that chains to a CA of [coaps] ca_file, bound to the names their
certificate gives (subject CN, DNS and URI subjectAltNames), limited to
[auth] certificate_sectors, remembered First-Come-First-Remembered like PSK
identities, beside PSK clients on the same port; and a simple registration
whose links rdd fetches over coaps with its own certificate.

Usage: test_rdcert.py BUILD_DIR SOURCE_DIR
The harness is test_rdd.py's; the registrants are coap-client-openssl with
-c/-j/-R, the device of the simple registration is coap-server-openssl with
a certificate.  The certificates are made with the openssl CLI.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import lwgtest  # noqa: E402
import test_rdd  # noqa: E402
from test_rdd import RddCase, free_port, wait_for, links, resolve, RFC9176_LINKS  # noqa: E402

KEY_A = "secret-of-a"


def make_nul_cn_cert(d, name, cn, signer):
    """A certificate whose subject CN has a NUL in it, signed by CA @signer of @d."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    with open(os.path.join(d, signer + ".key"), "rb") as f:
        ca_key = serialization.load_pem_private_key(f.read(), None)
    with open(os.path.join(d, signer + ".pem"), "rb") as f:
        ca = x509.load_pem_x509_certificate(f.read())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .sign(ca_key, hashes.SHA256()))
    with open(os.path.join(d, name + ".pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(d, name + ".key"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


class RdcertTests(RddCase):
    PREFIX = "lwgate-rdcert-"
    START = False      # each test starts rdd with its own [auth] and [policy]
    CLEAN_STOP = True  # a sanitizer report or a leak fails the test

    @classmethod
    def setUpClass(cls):
        d = cls.pki = tempfile.mkdtemp(prefix="lwgate-rdcert-pki-")
        os.chmod(d, 0o755)
        lwgtest.make_ca(d, "ca")
        lwgtest.make_ca(d, "rogue")
        lwgtest.make_cert(d, "rd", "localhost", "ca", "DNS:localhost")
        lwgtest.make_cert(d, "node-1", "node-1", "ca")
        lwgtest.make_cert(d, "san", "some-device", "ca", "URI:urn:dev:san-1,DNS:san.example")
        lwgtest.make_cert(d, "intruder", "node-1", "rogue")  # node-1's name, the wrong CA
        lwgtest.make_cert(d, "device", "dev-1", "ca")        # the simple registration's server
        make_nul_cn_cert(d, "nul", "node-1\x00evil", "ca")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.pki, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.pki, name)

    def cert(self, name):
        """coap-client's -c/-j/-R for certificate NAME, trusting our CA for the server."""
        return (self.path(name + ".pem"), self.path(name + ".key"), self.path("ca.pem"))

    def start(self, extra=""):
        self.dtls_port = free_port()
        return self.start_rdd(
            f"[coaps]\nport = {self.dtls_port}\nhandshake_timeout = 2\n"
            f"ca_file = {self.path('ca.pem')}\ncert_file = {self.path('rd.pem')}\n"
            f"key_file = {self.path('rd.key')}\n"
            # the endpoint's coaps port is given in base (coap-client cannot serve where it sends from)
            "[rd]\nsimple_registration_base = yes\n" + extra)

    def req(self, method, path, cert=None, psk=None, payload=None, wait=10):
        port = self.dtls_port if cert or psk else None
        return self.rdd.coap(method, path, payload, cf=40 if payload else None, port=port,
                             cert=self.cert(cert) if cert else None, psk=psk, wait=wait)

    def reg(self, query, cert=None, psk=None, expect="2.01"):
        r = self.req("post", "/rd?" + query, cert, psk, RFC9176_LINKS)
        self.assertEqual(r.code, expect, r)
        return r

    def counters(self):
        return self.rdd.status()["counters"]

    def test_certificate_names_the_endpoint(self):
        self.start()
        self.assertTrue(self.rdd.status()["coaps_certificates"])
        loc = self.reg("ep=node-1&lt=600", "node-1").location()
        eps = self.rdd.endpoints()
        self.assertEqual([e["ep"] for e in eps], ["node-1"])
        self.assertTrue(eps[0]["base"].startswith("coaps://[::1]:"), eps[0])
        self.assertGreaterEqual(self.counters()["dtls_connected"], 1)
        # a name the certificate does not give is refused, and says which it would take
        r = self.reg("ep=node-2", "node-1", expect="4.03")
        self.assertIn("node-1", r.payload)
        # subjectAltNames count, DNS and URI alike, and so does the CN beside them
        for ep in ("urn:dev:san-1", "san.example", "some-device"):
            self.reg(f"ep={ep}&d=s-{ep[:3]}", "san")
        self.reg("ep=urn:dev:san-2", "san", expect="4.03")
        # the same certificate updates, reads and removes its registration
        self.assertEqual(self.req("post", loc + "?lt=700", "node-1").code, "2.04")
        self.assertEqual(self.req("get", loc, "node-1").code, "2.05")
        self.assertIn("ep=node-1", self.req("get", "/rd-lookup/ep?ep=node-1", "node-1").payload)
        self.assertEqual(self.req("delete", loc, "node-1").code, "2.02")
        self.assertEqual(sorted(e["ep"] for e in self.rdd.endpoints()),
                         ["san.example", "some-device", "urn:dev:san-1"])
        self.assertGreaterEqual(self.counters()["auth_forbidden"], 2)

    def test_cn_with_a_nul_refused(self):
        """CN "node-1\\0evil": read as a C string it would be node-1's identity."""
        self.start("[policy]\nbind_certificate = no\n")
        self.reg("ep=taken", "node-1")
        r = self.reg("ep=taken", "nul", expect="4.01")
        self.assertIn("no usable subject CN", r.payload)
        self.reg("ep=other", "nul", expect="4.01")
        self.assertEqual([e["ep"] for e in self.rdd.endpoints()], ["taken"])

    def test_certificate_of_another_ca_fails_the_handshake(self):
        self.start()
        with self.assertRaises(AssertionError):  # no response: the handshake failed
            self.req("post", "/rd?ep=node-1", "intruder", payload=RFC9176_LINKS, wait=4)
        wait_for(lambda: self.counters()["dtls_failures"] >= 1, "a counted handshake failure")
        self.assertEqual(self.rdd.endpoints(), [])
        self.assertEqual(self.counters()["dtls_connected"], 0)
        self.reg("ep=node-1", "node-1")  # the real node-1 still gets in

    def test_psk_clients_beside_certificates(self):
        self.start()
        r = self.rdd.ctl("rdd", "cred-add", "identity=node-a", f"key={KEY_A.encode().hex()}")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.reg("ep=node-a", psk=("node-a", KEY_A))
        self.reg("ep=node-1", "node-1")
        self.assertEqual(sorted(e["ep"] for e in self.rdd.endpoints()), ["node-1", "node-a"])
        # a PSK name stays the PSK's: a certificate that does not name it cannot take it
        self.reg("ep=node-a", "node-1", expect="4.03")

    def test_sectors_and_required_authorization(self):
        self.start("[auth]\nregistration_required = yes\nlookup_open = no\n"
                   "certificate_sectors = farm,-\n")
        self.reg("ep=node-1&d=farm", "node-1")
        self.reg("ep=node-1&lt=60", "node-1")  # "-": the empty sector
        r = self.reg("ep=node-1&d=barn", "node-1", expect="4.03")
        self.assertIn("barn", r.payload)
        r = self.reg("ep=node-1&d=farm", expect="4.01")  # plain CoAP, anonymous
        self.assertIn("certificate", r.payload)
        # lookups need credentials now, and show what the certificate's sectors hold
        self.assertEqual(self.req("get", "/rd-lookup/ep").code, "4.01")
        got = links(self.req("get", "/rd-lookup/ep", "node-1").payload)
        self.assertEqual(len(got), 2, got)
        # a reload with a bad sector list is refused, and the old list stays
        with open(self.rdd.ini) as f:
            ini = f.read()
        with open(self.rdd.ini, "w") as f:
            f.write(ini.replace("certificate_sectors = farm,-", "certificate_sectors = farm,,barn"))
        r = self.rdd.ctl("rdd", "reload")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("certificate_sectors", r.stderr)
        self.reg("ep=node-1&d=farm", "node-1", expect="2.01")
        self.reg("ep=node-1&d=barn", "node-1", expect="4.03")
        # a good one applies at once
        with open(self.rdd.ini, "w") as f:
            f.write(ini.replace("certificate_sectors = farm,-", "certificate_sectors = barn"))
        self.assertEqual(self.rdd.ctl("rdd", "reload").returncode, 0)
        self.reg("ep=node-1&d=barn", "node-1", expect="2.01")
        self.reg("ep=node-1&d=farm", "node-1", expect="4.03")

    def test_binding_off_and_names_remembered_across_kinds(self):
        self.start("[policy]\nbind_certificate = no\nbind_psk_identity = no\n")
        r = self.rdd.ctl("rdd", "cred-add", "identity=node-a", f"key={KEY_A.encode().hex()}")
        self.assertEqual(r.returncode, 0, r.stderr)
        loc = self.reg("ep=shared", "node-1").location()  # any name, without the binding
        # First-Come-First-Remembered: the name is the certificate's while it is registered
        r = self.reg("ep=shared", psk=("node-a", KEY_A), expect="4.03")
        self.assertIn("remembered", r.payload)
        self.reg("ep=shared", expect="4.03")
        # the same certificate is the same registrant: its registration replaces the first
        loc = self.reg("ep=shared", "node-1", expect="2.01").location()
        self.assertEqual(self.req("delete", loc, "node-1").code, "2.02")
        self.reg("ep=shared", psk=("node-a", KEY_A))

    def test_bad_configurations_refused(self):
        """`rdd -t` (and a start, and a reload) refuse what the key table cannot check."""
        rdd = os.path.join(test_rdd.BUILD, "daemons", "rdd", "rdd")
        for extra, why in ((f"[coaps]\nca_file = {self.path('ca.pem')}\n", "go together"),
                           ("[auth]\ncertificate_sectors = farm,,barn\n", "certificate_sectors"),
                           ("[auth]\ntokens = a:b* \n", "tokens")):
            ini = os.path.join(self.tmp, "bad.ini")
            with open(ini, "w") as f:
                f.write(f"[daemon]\nuser =\n{extra}")
            r = subprocess.run([rdd, "-t", "-c", ini], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, (extra, r.stderr))
            self.assertIn(why, r.stderr)

    def test_simple_registration_fetched_with_rdd_certificate(self):
        """RFC 9176 §5.1 over coaps: rdd fetches the device's /.well-known/core as a DTLS
        client with its own certificate; the device (coap-server-openssl) verifies it."""
        self.start()
        port = free_port()
        while port + 1 in (self.rdd.port, self.dtls_port):
            port = free_port()
        dev = subprocess.Popen(["coap-server-openssl", "-A", "::1", "-p", str(port),
                                "-c", self.path("device.pem"), "-j", self.path("device.key"),
                                "-R", self.path("ca.pem")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (dev.terminate(), dev.wait()))
        dport = port + 1

        def up():
            try:
                return self.rdd.coap("get", "/.well-known/core", port=dport,
                                     cert=self.cert("node-1"), wait=2).code == "2.05"
            except AssertionError:  # not listening yet
                return False
        wait_for(up, "coap-server-openssl over coaps with certificates")
        direct = links(self.rdd.coap("get", "/.well-known/core", port=dport,
                                     cert=self.cert("node-1")).payload)
        self.assertTrue(direct)
        base = f"coaps://[::1]:{dport}"
        r = self.req("post", f"/.well-known/rd?ep=node-1&lt=600&base={base}", "node-1")
        self.assertEqual((r.code, r.payload), ("2.04", ""), r)
        got = self.rdd.ctl_json("resources", "ep=node-1")
        self.assertEqual(len(got), len(direct), got)
        for mine, theirs in zip(got, direct):
            target = re.match(r"<([^>]*)>", theirs).group(1)
            self.assertEqual(mine["href"], resolve(base, target), (mine, theirs))
        # a device whose certificate rdd's CA did not sign: rdd refuses the handshake
        dev.terminate()
        dev.wait()
        rogue = subprocess.Popen(["coap-server-openssl", "-A", "::1", "-p", str(port),
                                  "-c", self.path("intruder.pem"),
                                  "-j", self.path("intruder.key"), "-R", self.path("ca.pem")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (rogue.terminate(), rogue.wait()))
        before = self.rdd.rows()

        def refused():
            r = self.req("post", f"/.well-known/rd?ep=node-1&lt=900&base={base}", "node-1",
                         wait=20)
            return r if r.code.startswith("5.") else None
        r = wait_for(refused, "a refused fetch from the rogue device", seconds=30)
        self.assertIn("DTLS handshake", r.payload)
        self.assertEqual(self.rdd.rows(), before)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__], test_rdd])
