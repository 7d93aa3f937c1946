#!/usr/bin/python3
"""Block-wise requests to lwm2md (RFC 7959 Block1) and the deadline of a
separate response, over raw UDP (coapmsg.py: an implementation
independent of libcoap, which sends what libcoap clients do not: a block
retransmitted under its message ID, a block skipped, a new token per
block).

- Register at 16, 64, 128 and 1024-byte blocks, one token for the body or
  a new token per block: 2.31 Continue with Block1 for each block but the
  last, 2.01 with Block1 for the last, every object registered;
- a lost 2.31 (the block retransmitted with its message ID: the same
  answer, the body intact) and a lost block (the next one leaves a gap:
  4.08; the body sent again from block 0 registers);
- a body past [lwm2m] max_body: 4.13 with Size1, announced (Size1) or not;
- a block-wise Update and a block-wise Send;
- a Read the test client acknowledges and never answers (a separate
  response that never comes): the timeout error after [coap]
  response_timeout, and nothing left pending.

Usage: test_lwm2md_block.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import socket
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import coapmsg as cm  # noqa: E402
import lwgtest  # noqa: E402
import test_lwm2md as tl  # noqa: E402
import test_lwm2md_transports as tt  # noqa: E402
from lwgtest import wait_for  # noqa: E402
from test_lwm2md import Lwm2md, ctl, ctl_json  # noqa: E402

BLOCK1, SIZE1 = 27, 60
LINKS = ",".join(f"</{3300 + i}/0>" for i in range(40)).encode()  # 399 bytes


def block_value(num, more, size):
    return num << 4 | (8 if more else 0) | (size.bit_length() - 5)


def block_of(msg):
    [v] = cm.options(msg, BLOCK1)
    n = int.from_bytes(v, "big")
    return n >> 4, bool(n & 8), 16 << (n & 7)


class Peer:
    """One UDP socket of a block-wise client."""

    def __init__(self):
        self.s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        self.s.bind(("::1", 0))
        self.s.settimeout(5)
        self.mid = 0x2000

    def ask(self, msg):
        self.s.sendto(msg, ("::1", tl.PORT))
        return cm.decode(self.s.recv(4096))

    def request(self, path, query, num, more, size, chunk, token, cf=40, size1=None, mid=None):
        if mid is None:
            self.mid += 1
            mid = self.mid
        opts = [(cm.URI_PATH, p.encode()) for p in path]
        opts += [(cm.CONTENT_FORMAT, cm.uint_opt(cf))]
        opts += [(cm.URI_QUERY, q.encode()) for q in query]
        opts += [(BLOCK1, cm.uint_opt(block_value(num, more, size)))]
        if size1 is not None:
            opts += [(SIZE1, cm.uint_opt(size1))]
        return mid, self.ask(cm.encode(cm.CON, 2, mid, token, opts, chunk))

    def post(self, path, query, body, size, new_token=False, cf=40, size1=None):
        """The whole body in blocks of @size: the answers, in order."""
        blocks = [body[i:i + size] for i in range(0, len(body), size)]
        answers = []
        for n, chunk in enumerate(blocks):
            token = bytes([0x40, n]) if new_token else b"\x42"
            _, r = self.request(path, query, n, n < len(blocks) - 1, size, chunk, token, cf,
                                size1 if n == 0 else None)
            answers.append(r)
        return answers

    def close(self):
        self.s.close()


class BlockTests(unittest.TestCase):
    def setUp(self):
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix="lwm2md-blk-")
        self.d = None
        self.peers = []
        self.clients = []

    def tearDown(self):
        import shutil
        for p in self.peers:
            p.close()
        for c in self.clients:
            c.kill()
        if self.d and self.d.proc and self.d.alive():
            self.d.kill9()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, extra=""):
        self.d = Lwm2md(self.tmp, "[rd]\nmirror = no\n" + extra).start()
        return self.d

    def peer(self):
        p = Peer()
        self.peers.append(p)
        return p

    def counters(self):
        return self.d.status()["counters"]

    def objects(self, ep):
        return ctl_json(self.tmp, "show", ep)["objects"]

    def test_register_in_every_block_size(self):
        self.start()
        for size in (16, 64, 128, 1024):
            for new_token in (False, True):
                ep = f"blk-{size}-{int(new_token)}"
                answers = self.peer().post(["rd"], [f"ep={ep}", "lt=300"], LINKS, size,
                                           new_token)
                for n, r in enumerate(answers[:-1]):
                    self.assertEqual(cm.code_str(r["code"]), "2.31", (ep, n))
                    self.assertEqual(block_of(r), (n, True, size))
                last = answers[-1]
                self.assertEqual(cm.code_str(last["code"]), "2.01", ep)
                self.assertEqual(block_of(last), (len(answers) - 1, False, size))
                objs = self.objects(ep)
                self.assertEqual(len(objs), 40, ep)
                self.assertEqual(objs[-1], "/3339/0")
        self.assertEqual(self.counters()["block1_bodies"], 0)

    def test_bodies_one_after_another_from_one_peer(self):
        # libcoap 4.3.1 put together bodies itself and crashed on the second
        # one from a session: each must register, and lwm2md live on
        d = self.start()
        p = self.peer()
        for n in (20, 10, 40):
            body = b",".join(LINKS.split(b",")[:n])
            answers = p.post(["rd"], ["ep=again", "lt=300"], body, 64)
            self.assertEqual(cm.code_str(answers[-1]["code"]), "2.01", n)
            self.assertEqual(len(self.objects("again")), n)
        self.assertTrue(d.alive())

    def test_a_lost_answer_and_a_lost_block(self):
        self.start()
        p = self.peer()
        q = ["ep=lossy", "lt=300"]
        blocks = [LINKS[i:i + 64] for i in range(0, len(LINKS), 64)]
        p.request(["rd"], q, 0, True, 64, blocks[0], b"\x01")
        mid, first = p.request(["rd"], q, 1, True, 64, blocks[1], b"\x01")
        # the 2.31 was lost: the client sends block 1 again, same message ID
        _, again = p.request(["rd"], q, 1, True, 64, blocks[1], b"\x01", mid=mid)
        self.assertEqual(cm.code_str(again["code"]), "2.31")
        self.assertEqual(again["mid"], first["mid"])
        for n in range(2, len(blocks)):
            _, r = p.request(["rd"], q, n, n < len(blocks) - 1, 64, blocks[n], b"\x01")
        self.assertEqual(cm.code_str(r["code"]), "2.01")
        self.assertEqual(len(self.objects("lossy")), 40)
        # a block lost for good: the next one leaves a gap
        q = ["ep=gap", "lt=300"]
        p.request(["rd"], q, 0, True, 64, blocks[0], b"\x02")
        _, r = p.request(["rd"], q, 2, True, 64, blocks[2], b"\x02")
        self.assertEqual(cm.code_str(r["code"]), "4.08")
        self.assertIn(b"block 0", r["payload"])
        self.assertEqual(self.counters()["block1_incomplete"], 1)
        r = ctl(self.tmp, "lwm2md", "show", "gap")
        self.assertEqual(r.returncode, 1)
        # sent again from the start, it registers
        answers = p.post(["rd"], q, LINKS, 64)
        self.assertEqual(cm.code_str(answers[-1]["code"]), "2.01")
        self.assertEqual(len(self.objects("gap")), 40)

    def test_too_large(self):
        self.start("[lwm2m]\nmax_body = 1024\n")
        p = self.peer()
        # announced with Size1: refused at the first block
        _, r = p.request(["rd"], ["ep=big"], 0, True, 64, LINKS[:64], b"\x03", size1=5000)
        self.assertEqual(cm.code_str(r["code"]), "4.13")
        [size1] = cm.options(r, SIZE1)
        self.assertEqual(int.from_bytes(size1, "big"), 1024)
        # not announced: refused at the block that goes past the limit
        big = (LINKS + b",") * 3
        answers = p.post(["rd"], ["ep=big"], big[:-1], 128)
        codes = [cm.code_str(a["code"]) for a in answers]
        self.assertEqual(codes[:8], ["2.31"] * 8)
        self.assertEqual(codes[8:], ["4.13", "4.13"])  # blocks 8 and 9 lie past 1024
        self.assertEqual(self.counters()["block1_too_large"], 3)
        self.assertEqual(ctl(self.tmp, "lwm2md", "show", "big").returncode, 1)

    def test_blockwise_update_and_send(self):
        self.start()
        c = tt.Client(f"coap://[::1]:{tl.PORT}", "--ep", "small")
        self.clients.append(c)
        c.expect("registered")
        p = self.peer()
        answers = p.post(["rd"], ["ep=upd", "lt=300"], b"</1/0>", 16)
        loc = [v.decode() for v in cm.options(answers[-1], cm.LOCATION_PATH)]
        answers = p.post(loc, [], LINKS, 32)
        self.assertEqual(cm.code_str(answers[-1]["code"]), "2.04")
        self.assertEqual(len(self.objects("upd")), 40)
        # Send from the registered peer, in 32-byte blocks of SenML JSON
        body = json.dumps([{"bn": "/3/0/", "n": "9", "v": 71},
                           {"n": "1", "vs": "a model name long enough for blocks"}]).encode()
        answers = p.post(["dp"], [], body, 32, cf=110)
        self.assertEqual(cm.code_str(answers[-1]["code"]), "2.04")
        values = {v["path"]: v["value"] for v in ctl_json(self.tmp, "values", "upd")}
        self.assertEqual(values, {"/3/0/9": 71, "/3/0/1": "a model name long enough for blocks"})

    def test_block2_read_and_observe(self):
        # the client's answers in Block2 blocks, put together before decoding
        self.start()
        c = tt.Client(f"coap://[::1]:{tl.PORT}", "--ep", "wordy")
        self.clients.append(c)
        c.expect("registered")
        c.say("set /3/0/1 " + "M" * 1300)
        c.expect("set path=/3/0/1")
        r = ctl_json(self.tmp, "read", "wordy", "/3/0/1")
        self.assertEqual(r["values"]["/3/0/1"], "M" * 1300)
        for fmt in ("tlv", "senml-cbor"):
            r = ctl_json(self.tmp, "read", "wordy", "/3/0", fmt)
            self.assertEqual(r["values"]["/3/0/1"], "M" * 1300, fmt)
            self.assertEqual(r["values"]["/3/0/9"], 87, fmt)
        r = ctl_json(self.tmp, "observe", "wordy", "/3/0", "senml-json")
        self.assertEqual(r["values"]["/3/0/1"], "M" * 1300)
        self.assertNotIn("note", r)
        [o] = ctl_json(self.tmp, "observations")
        self.assertEqual(o["state"], "active")
        values = {v["path"]: v["value"] for v in ctl_json(self.tmp, "values", "wordy")}
        self.assertEqual(values["/3/0/1"], "M" * 1300)
        self.assertEqual(self.counters()["dm_pending"], 0)

    def test_a_notification_from_a_new_port_moves_the_registration(self):
        # raw UDP: the NAT gives the device's socket a new port between two
        # notifications; the token says who it is
        import threading
        self.start()
        a, b = self.peer(), self.peer()
        r = a.ask(cm.register(1, "ep=natted&lt=300", "</3/0>"))
        self.assertEqual(cm.code_str(r["code"]), "2.01")
        got = {}

        def answer_observe():
            req = cm.decode(a.s.recv(2048))
            got["token"] = req["token"]
            a.s.sendto(cm.encode(cm.ACK, cm.code("2.05"), req["mid"], req["token"],
                                 [(6, b"\x01"), (cm.CONTENT_FORMAT, b"")], b"87"),
                       ("::1", tl.PORT))

        w = subprocess.Popen([os.path.join(tl.BUILD, "cli", "lwgatectl"), "--json",
                              "--socket-dir", self.tmp, "lwm2md", "watch",
                              "registration.moved"], stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (w.terminate(), w.wait(), w.stdout.close()))
        wait_for(lambda: self.d.status()["counters"]["ipc_clients"] >= 2, "watch to subscribe")
        t = threading.Thread(target=answer_observe)
        t.start()
        self.assertEqual(ctl_json(self.tmp, "observe", "natted", "/3/0/9")["values"]["/3/0/9"], 87)
        t.join()
        self.assertEqual(len(got["token"]), 8)
        # the next notification, CON, from the new port
        r = b.ask(cm.encode(cm.CON, cm.code("2.05"), 0x777, got["token"],
                            [(6, b"\x02"), (cm.CONTENT_FORMAT, b"")], b"55"))
        self.assertEqual(r["type"], cm.ACK)
        values = {v["path"]: v["value"] for v in ctl_json(self.tmp, "values", "natted")}
        self.assertEqual(values["/3/0/9"], 55)
        [c] = ctl_json(self.tmp, "clients")
        self.assertEqual(c["address"], f"[::1]:{b.s.getsockname()[1]}")
        self.assertEqual(self.counters()["nat_rebinds"], 1)
        self.assertIn("by=notification (NAT rebinding)", self.d.logtext())
        ev = json.loads(w.stdout.readline())["data"]
        self.assertEqual((ev["endpoint"], ev["by"], ev["address"]),
                         ("natted", "notification", c["address"]))
        self.assertEqual(ev["moved_from"], f"[::1]:{a.s.getsockname()[1]}")

    def test_separate_response_that_never_comes(self):
        d = self.start("[coap]\nresponse_timeout = 2\n")
        c = tt.Client(f"coap://[::1]:{tl.PORT}", "--ep", "silent", "--no-answer", "/3/0/9")
        self.clients.append(c)
        c.expect("registered")
        r = ctl(self.tmp, "lwm2md", "read", "silent", "/3/0/9")
        c.expect("read path=/3/0/9 not answered")
        self.assertEqual(r.returncode, 1)
        self.assertIn("silent: no answer from the client in 2 s (timeout)", r.stderr)
        n = self.counters()
        self.assertEqual((n["dm_timeouts"], n["dm_pending"]), (1, 0))
        # the client still serves
        self.assertEqual(ctl_json(self.tmp, "read", "silent", "/3/0/0")["values"]["/3/0/0"],
                         "Acme")
        d.stop()


if __name__ == "__main__":
    lwgtest.run([tl, tt, sys.modules[__name__]])
