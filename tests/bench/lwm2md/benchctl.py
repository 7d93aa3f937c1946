"""lwm2md's control socket for the benchmarks (bench_http2.py, bench_queue.py):
one JSON object per SOCK_SEQPACKET message, answered by id."""
import json
import socket


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
