#!/usr/bin/python3
"""lwgatectl lwm2md as people type it: a client's CoAP errors shown as
the CoAP code and its name, positional arguments in the order of the
daemon's own command table, values typed from the object definitions,
and the bash completion generated from the same tables.  A raw UDP
LwM2M client (coapmsg.py) answers lwm2md's requests; the harness is
test_lwm2md.py's.

Usage: test_lwm2md_cli.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coapmsg as cm  # noqa: E402
import test_lwm2md as tl  # noqa: E402
import lwgtest  # noqa: E402  (test_lwm2md put it on the path)
from test_lwm2md import Udp, ctl  # noqa: E402

EP = "dev7"


class CliTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lwm2md-cli-")
        self.d = tl.Lwm2md(self.tmp).start()
        self.u = Udp()
        reply = cm.decode(self.u.ask(cm.register(1, f"ep={EP}", "</1/0>,</3/0>,</3303/0>")))
        self.assertEqual(cm.code_str(reply["code"]), "2.01")

    def tearDown(self):
        self.u.close()
        if self.d.alive():
            self.d.kill9()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def exchange(self, args, code, payload=b"", opts=()):
        """Run `lwgatectl ARGS` while the client answers its one request with
        @code; -> (lwgatectl's result, the request the client got)."""
        got = {}

        def client():
            req = cm.decode(self.u.recv())
            got["req"] = req
            self.u.send(cm.encode(cm.ACK, cm.code(code), req["mid"], req["token"],
                                  list(opts), payload))

        t = threading.Thread(target=client)
        t.start()
        r = ctl(self.tmp, *args)
        t.join()
        return r, got.get("req")

    def test_coap_errors_reach_the_user(self):
        for code, name in (("4.06", "Not Acceptable"), ("5.01", "Not Implemented"),
                           ("4.04", "Not Found"), ("4.29", "Too Many Requests")):
            r, _ = self.exchange(["--json", "lwm2md", "read", f"ep={EP}", "path=/3/0/0"], code,
                                 payload=b"why not")
            self.assertEqual(r.returncode, 1, r.stderr)
            err = json.loads(r.stdout)["error"]
            self.assertEqual(err["code"], "coap")
            self.assertEqual(err["coap_code"], code)
            self.assertEqual(err["message"], f"{EP}: {code} {name}: why not")
            # people read the same: the code and its name, not bad_args or conflict
            self.assertIn(f"lwgatectl: lwm2md read: {EP}: {code} {name}: why not (coap)",
                          r.stderr)
        r, _ = self.exchange(["lwm2md", "exec", f"ep={EP}", "path=/3/0/4"], "4.05")
        self.assertEqual(r.returncode, 1)
        self.assertIn("4.05 Method Not Allowed (coap)", r.stderr)
        # a refusal of lwm2md's own is still its own code
        r = ctl(self.tmp, "--json", "lwm2md", "read", "ep=nobody", "path=/3/0/0")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "not_found")
        self.assertNotIn("coap_code", json.loads(r.stdout)["error"])

    def test_positional_arguments(self):
        r, req = self.exchange(["--json", "lwm2md", "read", EP, "/3/0/0", "--format", "senml-json"],
                               "2.05", b'[{"bn":"/3/0/","n":"0","vs":"Acme"}]',
                               [(cm.CONTENT_FORMAT, cm.uint_opt(110))])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(cm.options(req, cm.URI_PATH), [b"3", b"0", b"0"])
        self.assertEqual(cm.options(req, cm.ACCEPT), [cm.uint_opt(110)])
        self.assertEqual(json.loads(r.stdout)["values"]["/3/0/0"], "Acme")
        # --json at the end of the line, as people type it, is the global option
        r, req = self.exchange(["lwm2md", "read", EP, "/3/0/0", "--json"], "2.05", b"Acme",
                               [(cm.CONTENT_FORMAT, cm.uint_opt(0))])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["values"]["/3/0/0"], "Acme")
        # a word with "=" whose key is no argument is a value: Execute's arguments
        r, req = self.exchange(["lwm2md", "exec", EP, "/3/0/4", "0='x',1"], "2.04")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(req["payload"], b"0='x',1")
        # credentials by position: ep, then key
        r = ctl(self.tmp, "--json", "lwm2md", "cred-add", "sec-1", "00112233", "--identity",
                "id-1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), {"identity": "id-1", "endpoint": "sec-1"})
        r = ctl(self.tmp, "lwm2md", "cred-del", "sec-1")
        self.assertEqual(r.returncode, 0, r.stderr)
        # refused before anything is sent: exit 2, nothing reaches the client
        r = ctl(self.tmp, "lwm2md", "read", EP, "/3/0", "tlv", "more")
        self.assertEqual(r.returncode, 2)
        self.assertIn('"more": one word too many (by position: [EP] PATH [FORMAT]', r.stderr)
        r = ctl(self.tmp, "lwm2md", "read", EP, "--fromat", "tlv")
        self.assertEqual(r.returncode, 2)
        self.assertIn("no argument --fromat", r.stderr)
        self.assertEqual(self.d.status()["counters"]["dm_requests"], 3)

    def test_order_comes_from_help(self):
        help_ = json.loads(ctl(self.tmp, "--json", "lwm2md", "help").stdout)
        read = next(c for c in help_ if c["command"] == "read")
        self.assertEqual([a["name"] for a in read["args"] if a["positional"]],
                         ["ep", "path", "format"])
        r = ctl(self.tmp, "lwm2md", "read", "--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("read [EP] PATH [FORMAT]", r.stdout)
        self.assertIn("[format=<string>]", r.stdout)
        r = ctl(self.tmp, "lwm2md", "help")
        self.assertIn("write [EP] PATH [VALUE]", r.stdout)

    def test_values_typed_by_the_object_definitions(self):
        # the brief's own line: an Integer resource written by position, as text/plain
        r, req = self.exchange(["lwm2md", "write", EP, "/1/0/1", "120"], "2.04")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(req["code"], 3)  # PUT
        self.assertEqual(cm.options(req, cm.URI_PATH), [b"1", b"0", b"1"])
        self.assertEqual(cm.options(req, cm.CONTENT_FORMAT), [b""])  # text/plain
        self.assertEqual(req["payload"], b"120")
        # as TLV the type shows in the bytes: an Integer is one byte 0x78, not the
        # three characters "120" (OMA TS Core §7.4.3: 0xc1 = resource, 1-byte value)
        r, req = self.exchange(["lwm2md", "write", f"ep={EP}", "path=/1/0/1", "value=120",
                                "format=tlv"], "2.04")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(req["payload"], b"\xc1\x01\x78")
        # Boolean, Time, Float and Opaque forms people type, as SenML JSON (RFC 8428)
        for path, word, field, want in (("/1/0/6", "true", "vb", True),
                                        ("/3/0/13", "2013-05-02T10:40:15Z", "v", 1367491215),
                                        ("/3303/0/5700", "21.5", "v", 21.5),
                                        ("/0/0/3", "0x00ff10", "vd", "AP8Q")):
            r, req = self.exchange(["lwm2md", "write", EP, path, word, "--format",
                                    "senml-json"], "2.04")
            self.assertEqual(r.returncode, 0, r.stderr)
            [rec] = json.loads(req["payload"])
            self.assertEqual(rec.get("bn", "") + rec.get("n", ""), path)
            self.assertEqual(rec[field], want, path)
        # a String resource keeps the text as it is
        r, req = self.exchange(["lwm2md", "write", EP, "/3/0/14", "+02"], "2.04")
        self.assertEqual(req["payload"], b"+02")
        # refused before anything is sent, naming the type the resource wants
        r = ctl(self.tmp, "lwm2md", "write", EP, "/1/0/1", "12x")
        self.assertEqual(r.returncode, 1)
        self.assertIn('value "12x": /1/0/1 Lifetime is an Integer: a whole number', r.stderr)
        self.assertIn("(bad_args)", r.stderr)
        r = ctl(self.tmp, "lwm2md", "write", EP, "/1/0/6", "yes")
        self.assertIn("is a Boolean: true, false, 1 or 0", r.stderr)
        self.assertEqual(self.d.status()["counters"]["dm_requests"], 7)

    def complete(self, script, *words):
        """What bash offers for the words typed so far (the last one is the cursor's)."""
        prog = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
                '_lwgatectl; printf "%s\\n" "${COMPREPLY[@]}"')
        r = subprocess.run(["bash", "-c", prog, "complete", script, "lwgatectl", *words],
                           capture_output=True, text=True, timeout=10, check=True)
        return sorted(w for w in r.stdout.split("\n") if w)

    def test_bash_completion_from_the_command_tables(self):
        lwm2md = os.path.join(tl.BUILD, "daemons", "lwm2md", "lwm2md")
        # the daemon's --commands is its help, so the built-in list is the daemon's table
        tables = json.loads(subprocess.run([lwm2md, "--commands"], capture_output=True,
                                           text=True, check=True).stdout)
        self.assertEqual(tables, json.loads(ctl(self.tmp, "--json", "lwm2md", "help").stdout))
        up = ctl(self.tmp, "completion", "bash")
        self.assertEqual(up.returncode, 0, up.stderr)
        # with every daemon down (no sockets at all) the script is the same
        empty = os.path.join(self.tmp, "nothing-here")
        os.mkdir(empty)
        down = ctl(empty, "completion", "bash")
        self.assertEqual(down.returncode, 0, down.stderr)
        self.assertEqual(down.stdout, up.stdout)
        # and it is the one meson installs
        with open(os.path.join(tl.BUILD, "cli", "completion", "lwgatectl")) as f:
            self.assertEqual(f.read(), up.stdout)
        script = os.path.join(self.tmp, "lwgatectl.bash")
        with open(script, "w") as f:
            f.write(down.stdout)
        self.assertEqual(self.complete(script, "lw"), ["lwm2m", "lwm2md"])
        self.assertEqual(self.complete(script, "--json", "lwm2md", "cred-"),
                         ["cred-add", "cred-del", "cred-list"])
        self.assertIn("write-attr", self.complete(script, "lwm2md", ""))
        self.assertIn("watch", self.complete(script, "lwm2md", ""))
        self.assertEqual(self.complete(script, "rdd", "forget"), ["forget", "forget-group"])
        # argument names in the table's order, those given left out
        self.assertEqual(self.complete(script, "-s", "/x", "lwm2md", "read", "ep=dev7", ""),
                         sorted(["external_id=", "app_id=", "path=", "format="]))
        self.assertEqual(self.complete(script, "lwm2md", "read", "dev7", "/3/0", "--f"),
                         ["--format"])
        self.assertEqual(self.complete(script, "lwm2md", "write-attr", "dev7", "/3/0/9", "pm"),
                         ["pmax=", "pmin="])
        self.assertEqual(self.complete(script, "rdd", "cred-add", "--identity", "x", "--"),
                         ["--key", "--sectors"])
        # a value after key= is not a name
        self.assertEqual(self.complete(script, "lwm2md", "read", "ep", "=", "d"), [])
        self.assertEqual(self.complete(script, "completion", ""), ["bash"])
        r = ctl(self.tmp, "completion", "zsh")
        self.assertEqual(r.returncode, 2)


def main():
    lwgtest.run([sys.modules[__name__], tl])


if __name__ == "__main__":
    main()
