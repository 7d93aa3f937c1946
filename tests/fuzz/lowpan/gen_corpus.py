#!/usr/bin/python3
"""Regenerate the seed corpora in corpus/ from the unit-test vectors
(scapy- and oracle-built frames) and a few hand-made sequences.
Run from this folder: /usr/bin/python3 gen_corpus.py"""
import os
import re


def load(p):
    # clang-format splits long string literals; C concatenates them
    return re.sub(r'"\s*\n\s*"', '', open(p).read())


unit = os.path.join("..", "..", "unit", "lowpan")
frames = [bytes.fromhex(h) for h in re.findall(r'"([0-9a-f]{20,})"',
                                                load(os.path.join(unit, "rx_vectors.h")))]
frames = [f for f in frames if f[0] in (0x41, 0x61)]
ifr = [bytes.fromhex(h) for h in re.findall(r'"(41[0-9a-f]+)"',
                                             load(os.path.join(unit, "iphc_vectors.h")))]
for d in ("frame", "rx", "iphc", "reasm", "vreasm"):
    os.makedirs(os.path.join("corpus", d), exist_ok=True)
for i, f in enumerate(frames[:6]):
    open("corpus/frame/oracle%d" % i, "wb").write(f)
open("corpus/frame/v2015_ies", "wb").write(bytes.fromhex("41abcdab34127856820eaabb003f0188cc00f85a"))
open("corpus/frame/secured", "wb").write(bytes.fromhex("499803cdab020001000d0403020107deadbeef11223344"))
open("corpus/frame/beacon", "wb").write(bytes.fromhex("00800934120100ffcf80004250cdba"))
open("corpus/rx/oracle_all", "wb").write(b"".join(bytes([len(f) - 2]) + f[:-2] for f in frames))
for i, f in enumerate(ifr):
    open("corpus/rx/iphc%d" % i, "wb").write(bytes([len(f)]) + f)
    hl = 9 if f[1] == 0x98 else (21 if f[1] == 0xdc else 15)
    open("corpus/iphc/v%d" % i, "wb").write(bytes([3]) + f[hl:])
open("corpus/iphc/eh_chain", "wb").write(bytes.fromhex(
    "03" "7e33" "e1" "04" "631e0801" "e3" "00" "e2" "0e" "030180000000000102030405060708"
    "f3" "12" "0000" "6869"))
open("corpus/iphc/ipv6_in_ipv6", "wb").write(bytes.fromhex("03" "7ef7" "ee" "7a33" "11" "f3120000" "6869"))
recs = []
for o in range(0, 1280, 96):
    ln = min(96, 1280 - o)
    recs.append(bytes([1, 1, (1279 >> 8) | (0x80 if ln > 255 else 0), 1279 & 0xFF, o // 8,
                       ln & 0xFF, 1, 0x55]))
open("corpus/reasm/inorder", "wb").write(b"".join(recs))
open("corpus/reasm/shuffled_dup", "wb").write(b"".join(recs[::-1] + recs[3:5]))
v = [bytes([0, 1, 24, 96, 1, 9]), bytes([1, 1, 0, 12, 1, 9])] + \
    [bytes([0, 1, o // 8, 96, 1, 9]) for o in range(96, 640, 96)]
open("corpus/vreasm/early_then_first", "wb").write(b"".join(v))
