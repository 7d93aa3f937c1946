#!/usr/bin/python3
"""`lwgatectl lwm2m` as a user runs it: exit codes, messages, hex/binary input,
decode -> encode round trips through files and pipes, the object listing.

usage: cli_check.py LWGATECTL OBJECTS_DIR DOCS_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

ctl, objects, docs = sys.argv[1:4]
failures = 0


def run(args, stdin=b""):
    p = subprocess.run([ctl, "lwm2m"] + args, input=stdin, capture_output=True)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def expect(what, got, want):
    global failures
    if got != want:
        print("FAIL %s: got %r, want %r" % (what, got, want))
        failures += 1


def expect_in(what, text, part):
    global failures
    if part not in text:
        print("FAIL %s: %r not in %r" % (what, part, text))
        failures += 1


O = ["-o", objects]
TLV = "c800144f70656e204d6f62696c6520416c6c69616e6365c10964"

rc, out, err = run(["decode", "-f", "tlv", "-p", "/3/0"] + O, TLV.encode())
expect("decode hex tlv", rc, 0)
r = json.loads(out)
expect("decoded value", r.get("/3/0/0"), "Open Mobile Alliance")
expect("decoded name", r.get("names", {}).get("/3/x/9"), "Battery Level")

rc, out, err = run(["decode", "-f", "11542", "-p", "/3/0", "--binary", "--no-names"] + O, bytes.fromhex(TLV))
expect("decode binary tlv by number", rc, 0)
expect("no names", "names" in json.loads(out), False)

rc, out, err = run(["decode", "-f", "tlv", "-p", "/3/0"] + O, b"c8 00 14 4f")
expect("truncated tlv exit", rc, 1)
expect_in("truncated tlv message", err, "offset 0: TLV value length 20 runs past the end")

rc, out, err = run(["decode", "-f", "senml-json"] + O, b'[{"n":"/3/0/9","vs":"x"}]')
expect("type mismatch exit", rc, 1)
expect_in("type mismatch message", err, "record 0: /3/0/9 is Integer but the record carries String")

rc, out, err = run(["decode", "-f", "application/senml+cbor"] + O, b"zz")
expect("bad hex falls back to binary, bad CBOR", rc, 1)

rc, out, err = run(["decode", "-f", "xml"] + O)
expect("unknown format exit", rc, 2)
expect_in("unknown format message", err, "unknown format 'xml'")
rc, out, err = run(["decode", "-p", "/3/0"] + O)
expect("missing format exit", rc, 2)
rc, out, err = run(["decode", "-f", "tlv", "-p", "/3/x"] + O)
expect("bad path exit", rc, 2)
rc, out, err = run(["frobnicate"])
expect("unknown command exit", rc, 2)
rc, out, err = run(["--help"])
expect("help exit", rc, 0)
expect_in("help text", out, "lwgatectl lwm2m decode --format F")

rc, out, err = run(["objects"] + O)
expect("objects exit", rc, 0)
expect_in("objects listing", out, "3303   1.0      yes   Temperature")
rc, out, err = run(["objects", "3311"] + O)
expect_in("object detail", out, "5850   RW  no    yes  Boolean")

# the definitions compiled in: typed and named without any folder, and a
# folder's definition of an object overrides the built-in one
with tempfile.TemporaryDirectory() as tmp:
    rc, out, err = run(["objects", "-o", os.path.join(tmp, "none")])
    expect("built-in objects exit", rc, 0)
    expect_in("built-in core object", out, "built-in:3.xml")
    expect("all eleven built in", out.count("built-in:"), 11)
    rc, out, err = run(["decode", "-f", "text", "-p", "/3/0/9", "-o", tmp], b"87")
    expect_in("typed without a folder", out, '"/3/0/9": 87')
    ddf = open(os.path.join(objects, "3.xml")).read()
    open(os.path.join(tmp, "3.xml"), "w").write(
        ddf.replace("<Name>Device</Name>", "<Name>Our Device</Name>", 1))
    rc, out, err = run(["objects", "-o", tmp])
    expect_in("override named", out, "Our Device")
    expect_in("override's file", out, os.path.join(tmp, "3.xml"))
    expect("the others still built in", out.count("built-in:"), 10)

with tempfile.TemporaryDirectory() as tmp:
    bad = os.path.join(tmp, "bad.xml")
    open(bad, "w").write("<LWM2M><Object>")
    rc, out, err = run(["decode", "-f", "text", "-p", "/3/0/0", "-o", tmp], b"ACME")
    expect("bad DDF still decodes", rc, 0)
    expect_in("bad DDF warning", err, "warning: skipped %s: %s:1: XML:" % (bad, bad))

# every format: decode(encode(doc)) renders the document again
for fmt in ["tlv", "senml-json", "senml-cbor", "json", "cbor"]:
    doc = os.path.join(docs, "device.json")
    want = {k: v for k, v in json.load(open(doc)).items() if k.startswith("/")}
    rc, payload, err = run(["encode", "-f", fmt] + O + [doc])
    expect("encode %s" % fmt, rc, 0)
    rc, out, err = run(["decode", "-f", fmt, "-p", "/3/0"] + O, payload.encode())
    expect("decode %s" % fmt, rc, 0)
    got = {k: v for k, v in json.loads(out).items() if k.startswith("/")}
    expect("round trip %s" % fmt, got, want)

rc, out, err = run(["encode", "-f", "tlv"] + O, b'{"/3/0/9": 100}')
expect("tlv without a base", rc, 1)
expect_in("tlv without a base message", err, "TLV needs a base path of at least an object")
rc, out, err = run(["encode", "-f", "text", "-p", "/3/0/9"] + O, b'{"/3/0/9": 100}')
expect("encode text", (rc, out), (0, "100"))
rc, out, err = run(["encode", "-f", "link"] + O, b'[{"link": "/3/0", "pmin": 10, "rt": "x y"}]')
expect("encode link", (rc, out), (0, '</3/0>;pmin=10;rt="x y"'))

print("cli checks: %d failures" % failures)
sys.exit(1 if failures else 0)
