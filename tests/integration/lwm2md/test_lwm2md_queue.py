#!/usr/bin/python3
"""Queue mode (LwM2M 1.1 TS Transport §6.5) with the libcoap test client
registered with b=UQ: requests while it sleeps (longer than the awake
window) are queued in SQLite and answered with an id at once, sent in
order when it next speaks (an Update, a Send), their results stored and
published (op.done); a kill -9 of lwm2md with operations queued loses
none; a deadline that passes ends one as expired; a TCP client whose
connection died with lwm2md is awaiting reconnect, its requests queued
until its next Update.

Usage: test_lwm2md_queue.py BUILD_DIR SOURCE_DIR
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import lwgtest  # noqa: E402
import test_lwm2md as tl  # noqa: E402
import test_lwm2md_observe as to  # noqa: E402
import test_lwm2md_transports as tt  # noqa: E402
from lwgtest import wait_for  # noqa: E402
from test_lwm2md import ctl_json  # noqa: E402

EP = "sleepy"


class QueueTests(to.Harness):
    def sleeper(self):
        c = tt.Client(f"coap://[::1]:{tl.PORT}", "--ep", EP, "--binding", "UQ")
        self.clients.append(c)
        c.expect("registered")
        return c

    def state(self):
        [c] = ctl_json(self.tmp, "clients")
        return c.get("queue_state")

    def asleep(self):
        wait_for(lambda: self.state() == "asleep", "the client's awake window to end")

    def test_requests_wait_for_the_client_to_wake(self):
        self.start("[lwm2m]\nawake_time = 1\n")
        c = self.sleeper()
        # awake right after its Register: sent at once
        self.assertEqual(self.state(), "awake")
        r = ctl_json(self.tmp, "read", EP, "/3/0/9")
        self.assertEqual(r["values"]["/3/0/9"], 87)
        self.asleep()
        w = self.watch("op.done")
        first = ctl_json(self.tmp, "read", EP, "/3/0/9")
        second = ctl_json(self.tmp, "write", EP, "/3/0/14", "+05")
        self.assertEqual((first["state"], second["state"]), ("queued", "queued"))
        self.assertLess(first["id"], second["id"])
        ops = ctl_json(self.tmp, "ops", EP)
        self.assertEqual([(o["id"], o["operation"], o["state"]) for o in ops],
                         [(first["id"], "read", "queued"), (second["id"], "write", "queued")])
        self.assertEqual(ctl_json(self.tmp, "op", str(first["id"]))["state"], "queued")
        self.assertFalse(any(line.startswith("read path=/3/0/9") for line in c.seen[1:]))
        # it wakes up: both go, in order
        c.say("update")
        c.expect("read path=/3/0/9")
        c.expect("write path=/3/0/14")
        ev = w.next()["data"]
        self.assertEqual((ev["id"], ev["state"]), (first["id"], "done"))
        self.assertEqual(ev["result"]["values"]["/3/0/9"], 87)
        ev = w.next()["data"]
        self.assertEqual((ev["id"], ev["state"]), (second["id"], "done"))
        op = ctl_json(self.tmp, "op", str(second["id"]))
        self.assertEqual((op["state"], op["result"]["code"]), ("done", "2.04 Changed"))
        self.assertEqual(ctl_json(self.tmp, "ops"), [])
        n = self.counters()
        self.assertEqual((n["ops_queued"], n["ops_done"], n["ops_waiting"]), (2, 2, 0))

    def test_queued_operations_survive_kill9(self):
        d = self.start("[lwm2m]\nawake_time = 1\n")
        c = self.sleeper()
        self.asleep()
        op = ctl_json(self.tmp, "exec", EP, "/3/0/4")
        self.assertEqual(op["state"], "queued")
        d.kill9()
        d.start()
        [o] = ctl_json(self.tmp, "ops")
        self.assertEqual((o["id"], o["state"]), (op["id"], "queued"))
        c.say("update")
        c.expect("exec path=/3/0/4")
        wait_for(lambda: ctl_json(self.tmp, "op", str(op["id"]))["state"] == "done",
                 "the operation to be done")

    def test_deadline(self):
        self.start("[lwm2m]\nawake_time = 1\nqueue_deadline = 1\n")
        self.sleeper()
        self.asleep()
        op = ctl_json(self.tmp, "read", EP, "/3/0/0")
        wait_for(lambda: ctl_json(self.tmp, "op", str(op["id"]))["state"] == "expired",
                 "the deadline to pass")
        r = ctl_json(self.tmp, "op", str(op["id"]))
        self.assertEqual(r["result"]["code"], "timeout")
        self.assertEqual(self.counters()["ops_expired"], 1)

    def test_a_send_wakes_it(self):
        self.start("[lwm2m]\nawake_time = 1\n")
        c = self.sleeper()
        self.asleep()
        op = ctl_json(self.tmp, "read", EP, "/3/0/1")
        c.say("send senml-cbor /3/0/9")
        c.expect("read path=/3/0/1")
        wait_for(lambda: ctl_json(self.tmp, "op", str(op["id"]))["state"] == "done",
                 "the operation to be done")


class ReconnectTests(to.Harness):
    def test_tcp_client_after_a_restart(self):
        d = self.start(f"[coap+tcp]\nport = {tl.PORT}\n")
        c = tt.Client(f"coap+tcp://[::1]:{tl.PORT}", "--ep", "wired")
        self.clients.append(c)
        c.expect("registered")
        [cl] = ctl_json(self.tmp, "clients")
        self.assertEqual((cl["transport"], cl["connection"]), ("tcp", "connected"))
        d.kill9()
        d.start()
        # the connection died with the old process: lwm2md cannot dial it
        [cl] = ctl_json(self.tmp, "clients")
        self.assertEqual(cl["connection"], "awaiting reconnect")
        op = ctl_json(self.tmp, "read", "wired", "/3/0/9")
        self.assertEqual(op["state"], "queued")
        # it connects again (a new socket) and updates: accepted, and the read goes
        c.say("rebind")
        c.expect("rebound")
        c.say("update")
        self.assertEqual(tt.field(c.expect("updated"), "code"), "2.04")
        wait_for(lambda: ctl_json(self.tmp, "op", str(op["id"]))["state"] == "done",
                 "the queued read to be answered")
        # the client printed the read before or after its Update's answer
        if not any(line.startswith("read path=/3/0/9") for line in c.seen):
            c.expect("read path=/3/0/9")
        [cl] = ctl_json(self.tmp, "clients")
        self.assertEqual(cl["connection"], "connected")


if __name__ == "__main__":
    lwgtest.run([tl, tt, to, sys.modules[__name__]])
