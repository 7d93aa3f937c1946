#!/usr/bin/python3
"""Cross-check our SenML CBOR, LwM2M CBOR and SenML JSON codecs against
Python's cbor2 and json modules (decoders and encoders we did not write).

For every document in docs/:
  1. `lwgatectl lwm2m encode` writes it as senml-cbor, cbor and senml-json;
     cbor2/json decode those bytes and the values must be the document's.
  2. cbor2/json encode the document themselves (SenML records, nested
     LwM2M CBOR maps); `lwgatectl lwm2m decode` must print the document back.

usage: cbor_check.py LWGATECTL OBJECTS_DIR DOCS_DIR    (exit 77 = skipped)
"""
import base64
import datetime
import glob
import json
import math
import os
import subprocess
import sys

try:
    import cbor2
except ImportError:
    print("python3-cbor2 not installed: apt-get install python3-cbor2")
    sys.exit(77)

ctl, objects, docs = sys.argv[1:4]
failures = 0
checked = 0


def run(args, stdin=None):
    p = subprocess.run(args, input=stdin, capture_output=True)
    if p.returncode != 0:
        sys.exit("FAIL: %s: %s" % (" ".join(args), p.stderr.decode()))
    return p.stdout


def to_python(v):
    """A document value as the plain Python value a CBOR/JSON decoder yields."""
    if isinstance(v, dict) and "hex" in v:
        return bytes.fromhex(v["hex"])
    if isinstance(v, dict) and "objlnk" in v:
        return v["objlnk"]
    return v


def equal(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return not isinstance(a, bool) and not isinstance(b, bool) and math.isclose(a, b, rel_tol=1e-12)
    return a == b and type(a) is type(b)


def check(doc, what, got, want):
    global failures, checked
    for path, value in want.items():
        if path not in got:
            print("FAIL %s %s: %s missing" % (doc, what, path))
            failures += 1
        elif not equal(got[path], value):
            print("FAIL %s %s: %s is %r, want %r" % (doc, what, path, got[path], value))
            failures += 1
        checked += 1
    for path in set(got) - set(want):
        print("FAIL %s %s: unexpected %s" % (doc, what, path))
        failures += 1


def senml_values(records, labels):
    """Resolve a SenML pack (RFC 8428 4.5) into path -> value."""
    out = {}
    bn = ""
    for r in records:
        bn = r.get(labels["bn"], bn)
        name = bn + r.get(labels["n"], "")
        for key in ("v", "vs", "vb", "vd", "vlo"):
            if labels[key] in r:
                out[name] = r[labels[key]]
    return out


def lwm2m_cbor_values(node, path, out):
    for k, v in node.items():
        ids = list(k) if isinstance(k, (tuple, list)) else [k]
        p = path + ids
        if isinstance(v, dict):
            lwm2m_cbor_values(v, p, out)
        else:
            # cbor2 turns tag 1 (epoch time, how Time travels) into a datetime
            if isinstance(v, datetime.datetime):
                v = int(v.timestamp())
            out["/" + "/".join(map(str, p))] = v
    return out


CBOR_LABELS = {"bn": -2, "n": 0, "v": 2, "vs": 3, "vb": 4, "vd": 8, "vlo": "vlo"}
JSON_LABELS = {k: k for k in CBOR_LABELS}


def senml_records(base, values, data_label, data):
    recs = []
    for i, (path, v) in enumerate(values.items()):
        r = {}
        if i == 0:
            r[CBOR_LABELS["bn"] if data_label == 8 else "bn"] = base + "/"
        r[0 if data_label == 8 else "n"] = path[len(base) + 1:]
        if isinstance(v, dict) and "objlnk" in v:
            r["vlo"] = v["objlnk"]
        elif isinstance(v, dict):
            r[data_label] = data(bytes.fromhex(v["hex"]))
        elif isinstance(v, bool):
            r[4 if data_label == 8 else "vb"] = v
        elif isinstance(v, str):
            r[3 if data_label == 8 else "vs"] = v
        else:
            r[2 if data_label == 8 else "v"] = v
        recs.append(r)
    return recs


def nested(values):
    root = {}
    for path, v in values.items():
        ids = [int(x) for x in path.strip("/").split("/")]
        node = root
        for i in ids[:-1]:
            node = node.setdefault(i, {})
        if isinstance(v, dict) and "hex" in v:
            v = bytes.fromhex(v["hex"])
        elif isinstance(v, dict):
            v = v["objlnk"]
        node[ids[-1]] = v
    return root


def decoded(fmt, base, payload):
    r = json.loads(run([ctl, "lwm2m", "decode", "-f", fmt, "-p", base, "-o", objects, "-b", "-n"], payload))
    return {k: to_python(v) for k, v in r.items() if k.startswith("/")}


for path in sorted(glob.glob(os.path.join(docs, "*.json"))):
    doc = os.path.basename(path)
    want = json.load(open(path))
    base = want["base"]
    values = {k: v for k, v in want.items() if k.startswith("/")}
    plain = {k: to_python(v) for k, v in values.items()}

    # 1. our encoders, their decoders
    raw = bytes.fromhex(run([ctl, "lwm2m", "encode", "-f", "senml-cbor", "-o", objects, path]).decode())
    check(doc, "senml-cbor -> cbor2", senml_values(cbor2.loads(raw), CBOR_LABELS), plain)
    raw = bytes.fromhex(run([ctl, "lwm2m", "encode", "-f", "cbor", "-o", objects, path]).decode())
    check(doc, "lwm2m-cbor -> cbor2", lwm2m_cbor_values(cbor2.loads(raw), [], {}), plain)
    txt = run([ctl, "lwm2m", "encode", "-f", "senml-json", "-o", objects, path])
    got = senml_values(json.loads(txt), JSON_LABELS)
    for k, v in list(got.items()):
        if isinstance(plain.get(k), bytes):  # "vd" is base64url
            got[k] = base64.urlsafe_b64decode(v + "=" * (-len(v) % 4))
    check(doc, "senml-json -> json", got, plain)

    # 2. their encoders, our decoders
    check(doc, "cbor2 -> senml-cbor", decoded("senml-cbor", base,
          cbor2.dumps(senml_records(base, values, 8, lambda b: b))), plain)
    check(doc, "cbor2 canonical -> senml-cbor", decoded("senml-cbor", base,
          cbor2.dumps(senml_records(base, values, 8, lambda b: b), canonical=True)), plain)
    check(doc, "cbor2 -> lwm2m-cbor", decoded("cbor", base, cbor2.dumps(nested(values))), plain)

print("%d values cross-checked with cbor2/json, %d failures" % (checked, failures))
sys.exit(1 if failures or not checked else 0)
