"""A LwM2M device over HTTP/2 (lwm2md's binding H, README "LwM2M over
HTTP/2") on Debian's python3-h2: one connection (h2c with prior knowledge,
or TLS with ALPN h2), requests to the server, the downlink stream of the
server's requests (application/http), and answers posted several at once.

    dev = H2Device("::1", port, token="secret")
    st, hdrs, body = dev.request("POST", "/rd?ep=dev-1&lt=300&b=H", body=b"</3/0>",
                                 ctype="application/link-format")
    dev.open_downlink()
    req = dev.next_request()            # Request(method, target, headers, body)
    dev.answer([(200, {"lwm2m-token": req.token, "content-type": "text/plain"}, b"42")])

A thread reads the socket; every h2 call is made under one lock.
"""
import select
import socket
import ssl
import threading
import time

import h2.config
import h2.connection
import h2.events


class Request:
    """One of the server's requests from the downlink stream."""

    def __init__(self, method, target, headers, body):
        self.method, self.target, self.headers, self.body = method, target, headers, body
        self.token = headers.get("lwm2m-token")
        self.path, _, self.query = target.partition("?")

    def __repr__(self):
        return f"Request({self.method} {self.target} {self.headers} {self.body!r})"


def parse_requests(buf):
    """Complete application/http request messages at the start of @buf:
    (list of Request, the bytes left over)."""
    out = []
    while True:
        head_end = buf.find(b"\r\n\r\n")
        if head_end < 0:
            return out, buf
        lines = buf[:head_end].decode().split("\r\n")
        method, target, version = lines[0].split(" ")
        assert version == "HTTP/1.1", lines[0]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers["content-length"])
        if len(buf) < head_end + 4 + length:
            return out, buf
        body = buf[head_end + 4:head_end + 4 + length]
        out.append(Request(method, target, headers, body))
        buf = buf[head_end + 4 + length:]


def response_message(status, headers, body=b""):
    """One HTTP/1.1 response message for an application/http body."""
    lines = [f"HTTP/1.1 {status} X"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if status not in (204, 304):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class H2Device:
    def __init__(self, host, port, token, *, tls_ca=None, cert=None, timeout=10.0):
        raw = socket.create_connection((host, port), timeout=timeout)
        # each message is flushed whole: Nagle would hold the next one for an ACK
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls_ca:
            ctx = ssl.create_default_context(cafile=tls_ca)
            ctx.check_hostname = False
            ctx.set_alpn_protocols(["h2"])
            if cert:  # a client certificate: CERT.pem and CERT.key
                ctx.load_cert_chain(cert + ".pem", cert + ".key")
            raw = ctx.wrap_socket(raw)
            assert raw.selected_alpn_protocol() == "h2", raw.selected_alpn_protocol()
        # recv happens under the lock, after select: an SSL object must not be
        # read in one thread while another writes to it (OpenSSL is not safe so)
        raw.settimeout(5.0)
        self.sock = raw
        self.stopping = False
        self.token = token
        self.timeout = timeout
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.cv = threading.Condition()
        self.streams = {}  # id -> {"headers":…, "data": bytearray, "ended": bool}
        self.closed = False
        self.down_id = None
        self.down_buf = b""
        with self.cv:
            self.conn.initiate_connection()
            self._flush()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def _recv(self):
        """Bytes from the socket (b"" at its end), or None for nothing yet."""
        if self.stopping:
            return b""
        if not (isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()):
            try:
                readable, _, _ = select.select([self.sock], [], [], 0.2)
            except (OSError, ValueError):
                return b""
            if not readable:
                return None
        with self.cv:
            try:
                return self.sock.recv(65536)
            except (ssl.SSLWantReadError, socket.timeout):
                return None
            except OSError:
                return b""

    def _read(self):
        while True:
            data = self._recv()
            if data is None:
                continue
            with self.cv:
                if not data:
                    self.closed = True
                    self.cv.notify_all()
                    return
                for ev in self.conn.receive_data(data):
                    self._event(ev)
                self._flush()
                self.cv.notify_all()

    def _event(self, ev):
        s = self.streams.get(getattr(ev, "stream_id", None))
        if isinstance(ev, h2.events.ResponseReceived) and s is not None:
            s["headers"] = {k.decode(): v.decode() for k, v in ev.headers}
        elif isinstance(ev, h2.events.DataReceived) and s is not None:
            s["data"] += ev.data
            self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, (h2.events.StreamEnded, h2.events.StreamReset)) and s is not None:
            s["ended"] = True

    def _start(self, method, path, headers, body, auth=True):
        hdrs = [(":method", method), (":scheme", "https" if isinstance(self.sock, ssl.SSLSocket)
                                      else "http"),
                (":authority", "lwm2m"), (":path", path)]
        if auth and self.token is not None:
            hdrs.append(("authorization", f"Bearer {self.token}"))
        hdrs += list(headers.items())
        with self.cv:
            sid = self.conn.get_next_available_stream_id()
            self.streams[sid] = {"headers": None, "data": bytearray(), "ended": False}
            self.conn.send_headers(sid, hdrs, end_stream=not body)
            if body:
                self.conn.send_data(sid, body, end_stream=True)
            self._flush()
        return sid

    def _wait(self, pred, what):
        deadline = time.monotonic() + self.timeout
        with self.cv:
            while not pred():
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    raise AssertionError(f"h2 device: no {what} "
                                         f"({'closed' if self.closed else 'timed out'})")
                self.cv.wait(left)

    def request(self, method, path, *, body=b"", ctype=None, headers=None, auth=True):
        """One request; returns (status, headers, body) once its stream ends."""
        h = dict(headers or {})
        if ctype:
            h["content-type"] = ctype
        sid = self._start(method, path, h, body, auth)
        s = self.streams[sid]
        self._wait(lambda: s["ended"], f"answer to {method} {path}")
        del self.streams[sid]
        hd = s["headers"] or {}
        return int(hd.get(":status", 0)), hd, bytes(s["data"])

    def open_downlink(self, query=""):
        """GET /lwm2m/downlink[?QUERY]; returns its status once the headers came."""
        path = "/lwm2m/downlink" + (f"?{query}" if query else "")
        self.down_id = self._start("GET", path, {"accept": "application/http"}, b"")
        s = self.streams[self.down_id]
        self._wait(lambda: s["headers"] is not None or s["ended"], "downlink headers")
        return int(s["headers"][":status"]), s["headers"]

    def downlink_ended(self):
        with self.cv:
            return self.streams[self.down_id]["ended"]

    def downlink_empty(self):
        """Whether nothing came on the downlink stream (or is left of it)."""
        with self.cv:
            return not self.down_buf and not self.streams[self.down_id]["data"]

    def next_requests(self, count=1):
        """The next @count requests of the downlink stream."""
        got = []

        def ready():
            reqs, self.down_buf = parse_requests(self.down_buf + bytes(s["data"]))
            s["data"].clear()
            got.extend(reqs)
            return len(got) >= count

        s = self.streams[self.down_id]
        self._wait(ready, f"{count} request(s) on the downlink")
        assert len(got) == count, f"more requests than expected: {got}"
        return got

    def next_request(self):
        return self.next_requests(1)[0]

    def answer(self, answers, query=""):
        """POST /lwm2m/responses[?QUERY] with [(status, headers, body), …]; returns
        (status, body)."""
        body = b"".join(response_message(st, h, b) for st, h, b in answers)
        path = "/lwm2m/responses" + (f"?{query}" if query else "")
        st, _, rbody = self.request("POST", path, body=body,
                                    ctype="application/http; msgtype=response")
        return st, rbody

    def close(self):
        if self.reader is None:
            return
        self.stopping = True
        self.reader.join(5)
        with self.cv:
            try:
                self.conn.close_connection()
                self._flush()
            except OSError:
                pass
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.reader = None
