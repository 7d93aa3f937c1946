#!/usr/bin/python3
"""Cross-check our TLV encoder and decoder against Wireshark's LwM2M TLV dissector.

For every document in docs/: `lwgatectl lwm2m encode -f tlv` writes the TLV,
scapy wraps it in a CoAP PUT to the document's path with Content-Format 11542,
and tshark (-d udp.port==5683,coap) dissects it.  Every resource tshark shows
must have the ID, name and value of the input document, and our own decoder
(`lwgatectl lwm2m decode -f tlv`) must print the same values back.

usage: tshark_tlv.py LWGATECTL OBJECTS_DIR DOCS_DIR    (exit 77 = skipped)
"""
import datetime
import glob
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

if not shutil.which("tshark"):
    print("tshark not installed: apt-get install tshark")
    sys.exit(77)
try:
    from scapy.all import IP, UDP, Ether, Raw, wrpcap
except ImportError:
    print("scapy not installed: apt-get install python3-scapy")
    sys.exit(77)

ctl, objects, docs = sys.argv[1:4]


def run(args, stdin=None):
    p = subprocess.run(args, input=stdin, capture_output=True)
    if p.returncode != 0:
        sys.exit("FAIL: %s: %s" % (" ".join(args), p.stderr.decode()))
    return p.stdout


def coap_put(path, payload):
    """A confirmable CoAP PUT with Uri-Path options and Content-Format 11542."""
    opts = b""
    last = 0
    for seg in path.strip("/").split("/"):
        s = seg.encode()
        opts += bytes([((11 - last) << 4) | len(s)]) + s
        last = 11
    opts += bytes([((12 - last) << 4) | 2]) + (11542).to_bytes(2, "big")
    return bytes([0x40, 0x03, 0x12, 0x34]) + opts + b"\xff" + payload


def tshark_resources(pcap, start):
    """path -> (resource name, shown value) for every TLV value tshark dissects."""
    xml = run(["tshark", "-r", pcap, "-d", "udp.port==5683,coap", "-T", "pdml"])
    proto = ET.fromstring(xml).find(".//proto[@name='lwm2mtlv']")
    if proto is None:
        sys.exit("FAIL: tshark found no LwM2M TLV")
    found = {}

    def ident(node):
        return int(node.find(".//field[@name='lwm2mtlv.identifier']").get("show"))

    def name_of(node, default):
        n = node.find("field[@name='lwm2mtlv.resource_name']")
        return n.get("show") if n is not None else default

    def walk(node, path, name):
        for f in node.findall("field"):
            kind = f.get("name")
            if kind in ("lwm2mtlv.object_instance", "lwm2mtlv.resource_array"):
                walk(f, path + [ident(f)], name_of(f, name))
            elif kind in ("lwm2mtlv.resource", "lwm2mtlv.resource_instance"):
                typed = [v for v in f.findall("field")
                         if v.get("name", "").startswith("lwm2mtlv.resource.")]
                raw = f.find("field[@name='lwm2mtlv.value']")
                shown = typed[0].get("show") if typed else (raw.get("value") if raw is not None else "")
                found["/" + "/".join(str(x) for x in path + [ident(f)])] = (name_of(f, name), shown or "")

    walk(proto, start, None)
    return found


def raw_bytes(shown):
    """tshark prints values of resources it has no definition for as hex."""
    h = shown.replace(":", "")
    try:
        return bytes.fromhex(h)
    except ValueError:
        return None


def same(ours, shown):
    raw = raw_bytes(shown)
    if isinstance(ours, bool):
        return shown in (("True", "1") if ours else ("False", "0"))
    if isinstance(ours, int):
        if shown.lstrip("-").isdigit():
            return int(shown) == ours
        if raw is not None and len(raw) in (1, 2, 4, 8) and not shown.isdigit():
            return int.from_bytes(raw, "big", signed=True) == ours
        # a Time resource: tshark prints a UTC date
        t = datetime.datetime.strptime(" ".join(shown.split())[:-14], "%b %d, %Y %H:%M:%S")
        return int(t.replace(tzinfo=datetime.timezone.utc).timestamp()) == ours
    if isinstance(ours, float):
        if raw is not None and len(raw) in (4, 8) and "." not in shown:
            return math.isclose(struct.unpack(">f" if len(raw) == 4 else ">d", raw)[0], ours,
                                rel_tol=1e-6)
        return math.isclose(float(shown), ours, rel_tol=1e-6)
    if isinstance(ours, dict) and "hex" in ours:
        return shown.replace(":", "") == ours["hex"]
    if isinstance(ours, dict) and "objlnk" in ours:
        # Wireshark 4.0 shows an Objlnk as its 4 bytes: object ID, instance ID
        o, i = (int(x) for x in ours["objlnk"].split(":"))
        return raw == o.to_bytes(2, "big") + i.to_bytes(2, "big") or shown == ours["objlnk"]
    return shown == ours or (raw is not None and raw == ours.encode())


def plain(name):
    """Names compared without case and punctuation ("TLS-DTLS" vs "TLS DTLS")."""
    return "".join(c for c in name.lower() if c.isalnum())


failures = 0
checked = 0
for doc in sorted(glob.glob(os.path.join(docs, "*.json"))):
    want = json.load(open(doc))
    base = want["base"]
    tlv = bytes.fromhex(run([ctl, "lwm2m", "encode", "-f", "tlv", "-o", objects, doc]).decode())
    rendered = json.loads(run([ctl, "lwm2m", "decode", "-f", "tlv", "-p", base, "-o", objects, "-b"], tlv))
    names = rendered.get("names", {})
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "tlv.pcap")
        wrpcap(pcap, [Ether() / IP(src="10.0.0.1", dst="10.0.0.2") /
                      UDP(sport=40000, dport=5683) / Raw(coap_put(base, tlv))])
        # the top-level TLVs hang below the request path's object or instance
        found = tshark_resources(pcap, [int(x) for x in base.strip("/").split("/")][:2])
    values = {k: v for k, v in want.items() if k.startswith("/")}
    for path, value in values.items():
        if path not in found:
            print("FAIL %s: %s missing in tshark's dissection" % (os.path.basename(doc), path))
            failures += 1
            continue
        tname, shown = found[path]
        parts = path.strip("/").split("/")
        ours = names.get("/%s/x/%s" % (parts[0], parts[2]))
        if not same(value, shown):
            print("FAIL %s: %s: tshark shows %r, document has %r" % (os.path.basename(doc), path, shown, value))
            failures += 1
        if tname and ours and plain(tname) != plain(ours):
            print("FAIL %s: %s: tshark names it %r, our registry %r" % (os.path.basename(doc), path, tname, ours))
            failures += 1
        if rendered.get(path) != value:
            print("FAIL %s: %s: our decoder printed %r" % (os.path.basename(doc), path, rendered.get(path)))
            failures += 1
        checked += 1
    extra = set(found) - set(values)
    if extra:
        print("FAIL %s: tshark shows unexpected %s" % (os.path.basename(doc), sorted(extra)))
        failures += 1
print("%d resources checked against tshark, %d failures" % (checked, failures))
sys.exit(1 if failures or not checked else 0)
