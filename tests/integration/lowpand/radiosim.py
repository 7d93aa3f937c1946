#!/usr/bin/python3
"""A slip-radio dongle on a pseudo-terminal, for testing lowpand without hardware.

Usage: radiosim.py LINK --dialect contiki-ng|6lbr|zephyr [--eui64 HEX]

Creates a pty, points the symlink LINK at its slave side, and answers on the
master side the way the firmware of that dialect does:
  contiki-ng  ?M -> !M+EUI-64; !V sets channel/PAN; ?V answered with !V;
              !C and !P are unknown ("EUnknown command")
  6lbr/zephyr ?M -> !M; !C / !P set channel/PAN; !V and ?V are unknown
  all         !S sid natt atts frame -> the frame is "sent"; !R sid status count
It prints one JSON object per line on stdout for each event:
  {"event":"ready","link":LINK}            the pty is there
  {"event":"command","cmd":"?M"}           a command from the host
  {"event":"sent","frame":HEX,"sid":N}     a frame the host asked to send
and reads commands, one JSON object per line, on stdin:
  {"cmd":"inject","hex":HEX}               deliver a received 802.15.4 frame
  {"cmd":"raw","hex":HEX}                  write bytes as they are (junk, logs)
  {"cmd":"status","codes":[2,0]}           statuses for the next !R replies
  {"cmd":"unplug","seconds":S}             close the pty, reopen a new one after S
"""
import argparse
import json
import os
import select
import sys
import time

END, ESC, ESC_END, ESC_ESC = 0xC0, 0xDB, 0xDC, 0xDD


def slip(data):
    out = bytearray([END])
    for b in data:
        if b == END:
            out += bytes([ESC, ESC_END])
        elif b == ESC:
            out += bytes([ESC, ESC_ESC])
        else:
            out.append(b)
    out.append(END)
    return bytes(out)


class Unslip:
    def __init__(self):
        self.buf, self.esc = bytearray(), False

    def feed(self, data):
        frames = []
        for b in data:
            if b == END:
                if self.buf:
                    frames.append(bytes(self.buf))
                self.buf, self.esc = bytearray(), False
            elif self.esc:
                self.buf.append(END if b == ESC_END else ESC if b == ESC_ESC else b)
                self.esc = False
            elif b == ESC:
                self.esc = True
            else:
                self.buf.append(b)
        return frames


def emit(**event):
    print(json.dumps(event), flush=True)


class Dongle:
    def __init__(self, link, dialect, eui64):
        self.link, self.dialect, self.eui64 = link, dialect, eui64
        self.channel, self.panid = 26, 0xFFFF
        self.statuses = []
        self.master = None
        self.unslip = Unslip()
        self.plug()

    def plug(self):
        master, slave = os.openpty()
        # raw mode on the slave so that no byte is translated
        import tty
        tty.setraw(slave)
        name = os.ttyname(slave)
        os.close(slave)
        if os.path.lexists(self.link):
            os.unlink(self.link)
        os.symlink(name, self.link)
        self.master = master
        self.unslip = Unslip()
        emit(event="ready", link=self.link, pty=name)

    def unplug(self, seconds):
        os.close(self.master)
        self.master = None
        os.unlink(self.link)
        emit(event="unplugged")
        time.sleep(seconds)
        self.plug()

    def write(self, data):
        if self.master is not None:
            os.write(self.master, data)

    def reply(self, payload):
        self.write(slip(payload))

    def command(self, f):
        if f[:1] in (b"!", b"?"):
            emit(event="command", cmd=f[:2].decode("latin-1"), hex=f.hex())
        if f[:2] == b"?M":
            self.reply(b"!M" + self.eui64)
        elif f[:2] == b"!S" and len(f) >= 4:
            sid, natt = f[2], f[3]
            frame = f[4 + 3 * natt:]
            emit(event="sent", sid=sid, frame=frame.hex())
            status = self.statuses.pop(0) if self.statuses else 0
            self.reply(b"!R" + bytes([sid, status, 1]))
        elif self.dialect == "contiki-ng" and f[:2] == b"!V" and len(f) >= 6:
            param, value = f[2] << 8 | f[3], f[4] << 8 | f[5]
            if param == 1:
                self.channel = value
            elif param == 2:
                self.panid = value
        elif self.dialect == "contiki-ng" and f[:2] == b"?V" and len(f) >= 4:
            param = f[2] << 8 | f[3]
            value = {1: self.channel, 2: self.panid}.get(param, 0)
            self.reply(b"!V" + bytes([param >> 8, param & 255, value >> 8, value & 255]))
        elif self.dialect != "contiki-ng" and f[:2] == b"!C" and len(f) >= 3:
            self.channel = f[2]
        elif self.dialect != "contiki-ng" and f[:2] == b"!P" and len(f) >= 4:
            self.panid = f[2] | f[3] << 8
        else:
            self.reply(b"EUnknown command")
            return
        if f[:2] in (b"!V", b"!C", b"!P"):
            emit(event="config", channel=self.channel, panid=self.panid)

    def control(self, line):
        c = json.loads(line)
        if c["cmd"] == "inject":
            self.reply(bytes.fromhex(c["hex"]))
        elif c["cmd"] == "raw":
            self.write(bytes.fromhex(c["hex"]))
        elif c["cmd"] == "status":
            self.statuses += c["codes"]
        elif c["cmd"] == "unplug":
            self.unplug(c["seconds"])
        emit(event="done", cmd=c["cmd"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("link")
    ap.add_argument("--dialect", choices=["contiki-ng", "6lbr", "zephyr"], default="contiki-ng")
    ap.add_argument("--eui64", default="00124b0001020304")
    a = ap.parse_args()
    d = Dongle(a.link, a.dialect, bytes.fromhex(a.eui64))
    stdin = sys.stdin.fileno()
    pending = b""  # read with os.read: a buffered readline() would hide lines from select()
    while True:
        fds = [stdin] + ([d.master] if d.master is not None else [])
        ready, _, _ = select.select(fds, [], [], 0.5)
        if stdin in ready:
            chunk = os.read(stdin, 65536)
            if not chunk:
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                d.control(line.decode())
        if d.master is not None and d.master in ready:
            try:
                data = os.read(d.master, 4096)
            except OSError:
                # EIO: no process has the slave side open (lowpand not started
                # yet, or reopening): wait for it without spinning
                time.sleep(0.05)
                data = b""
            for f in d.unslip.feed(data):
                d.command(f)


if __name__ == "__main__":
    main()
