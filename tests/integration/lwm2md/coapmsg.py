"""A few lines of RFC 7252 message encoding and decoding for the lwm2md tests.

Independent of libcoap on purpose: the tests check lwm2md's bytes with a
second implementation, and send what coap-client cannot (the same MID twice).
"""
import struct

CON, NON, ACK, RST = 0, 1, 2, 3
URI_PATH, CONTENT_FORMAT, URI_QUERY, ACCEPT, LOCATION_PATH = 11, 12, 15, 17, 8


def code(c):
    """'2.01' -> 0x41"""
    major, minor = c.split(".")
    return int(major) << 5 | int(minor)


def code_str(v):
    return f"{v >> 5}.{v & 31:02d}"


def _ext(n):
    if n < 13:
        return n, b""
    if n < 269:
        return 13, bytes([n - 13])
    return 14, struct.pack("!H", n - 269)


def uint_opt(v):
    if v == 0:
        return b""
    return v.to_bytes((v.bit_length() + 7) // 8, "big")


def encode(mtype, mcode, mid, token=b"", options=(), payload=b""):
    """options: (number, bytes) pairs in any order (sorted here, stably)."""
    out = bytearray([0x40 | mtype << 4 | len(token), mcode])
    out += struct.pack("!H", mid) + token
    last = 0
    for num, val in sorted(options, key=lambda o: o[0]):
        d, dx = _ext(num - last)
        ln, lx = _ext(len(val))
        out += bytes([d << 4 | ln]) + dx + lx + val
        last = num
    if payload:
        out += b"\xff" + payload
    return bytes(out)


def decode(data):
    """-> dict(type, code, mid, token, options [(num, bytes)], payload)"""
    if len(data) < 4 or data[0] >> 6 != 1:
        raise ValueError("not a CoAP message")
    tkl = data[0] & 15
    msg = {"type": data[0] >> 4 & 3, "code": data[1], "mid": struct.unpack("!H", data[2:4])[0],
           "token": data[4:4 + tkl], "options": [], "payload": b""}
    i, num = 4 + tkl, 0
    while i < len(data):
        if data[i] == 0xFF:
            msg["payload"] = data[i + 1:]
            break
        d, ln = data[i] >> 4, data[i] & 15
        i += 1
        vals = []
        for nib in (d, ln):
            if nib == 13:
                vals.append(data[i] + 13)
                i += 1
            elif nib == 14:
                vals.append(struct.unpack("!H", data[i:i + 2])[0] + 269)
                i += 2
            else:
                vals.append(nib)
        num += vals[0]
        msg["options"].append((num, data[i:i + vals[1]]))
        i += vals[1]
    return msg


def options(msg, num):
    return [v for n, v in msg["options"] if n == num]


def register(mid, query, payload, token=b"\x01\x02", path=("rd",)):
    """A CON POST /rd?query with a link-format payload."""
    opts = [(URI_PATH, p.encode()) for p in path]
    opts += [(CONTENT_FORMAT, uint_opt(40))]
    opts += [(URI_QUERY, q.encode()) for q in query.split("&") if q]
    return encode(CON, 2, mid, token, opts, payload.encode())
