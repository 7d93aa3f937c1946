"""What the lwm2md benchmarks driving a real daemon share (bench_http2.py,
bench_queue.py): lwm2md started on a CoAP port with the other transports
and the RD mirror off, and its control socket."""
import json
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "integration"))
import lwgtest  # noqa: E402


def start_lwm2md(exe, tmp, coap_port, extra_ini=""):
    """lwm2md (binary @exe) in folder @tmp with plain CoAP on [::1]:@coap_port and
    the ini text @extra_ini added; its Popen once it has said READY=1.  The log is
    @tmp/lwm2md.log, the control socket @tmp/lwm2md.sock."""
    ini = os.path.join(tmp, "lwm2md.ini")
    with open(ini, "w") as f:
        f.write(f"[daemon]\nsocket = {tmp}/lwm2md.sock\ndatabase = {tmp}/lwm2md.db\nuser =\n"
                f"[coap]\naddress = ::1\nport = {coap_port}\n[coaps]\nenabled = no\n"
                "[coap+tcp]\nenabled = no\n[coaps+tcp]\nenabled = no\n[rd]\nmirror = no\n"
                + extra_ini)
    return lwgtest.start_daemon([exe, "-f", "-c", ini], os.path.join(tmp, "lwm2md.log"))


class Ctl:
    """The control socket: one JSON object per SOCK_SEQPACKET message."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.connect(path)
        self.n = 0

    def call(self, cmd, **args):
        """Send @cmd and return its reply (events and records in between are skipped)."""
        self.n += 1
        self.s.send(json.dumps({"id": self.n, "cmd": cmd, "args": args}).encode())
        while True:
            msg = json.loads(self.s.recv(1 << 20))
            if msg.get("id") == self.n and "ok" in msg:
                return msg
