#!/usr/bin/python3
"""lib/http's figures, printed, never judged (tests/bench rules):

  1. HTTP/2 requests/s, h2load against lwgate-http-testd's /hello (the
     layer alone, one event loop, so one core);
  2. HTTP/2 API reads/s of a value lwm2md holds (GET /api/clients/{ep},
     which goes through the bridge and the daemon's control socket);
  3. server-sent events/s fanned out to 100 subscribers (testd's
     /subscribe + /publish, 100 curl processes reading);
  4. memory (VmRSS) of 10,000 idle HTTP/2 connections, each past its
     SETTINGS exchange, then of 10,000 that have each had one request answered.

Usage: bench_http.py BUILD_DIR SOURCE_DIR   (run by `meson test --benchmark`)
"""
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

BUILD, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration", "lwm2md"))
import lwgtest  # noqa: E402

TESTD = os.path.join(BUILD, "tests", "tools", "lwgate-http-testd")
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def testd(tmp, *args):
    port = lwgtest.free_port(socket.SOCK_STREAM)
    log = os.path.join(tmp, f"testd-{port}.log")
    proc = lwgtest.start_daemon([TESTD, "-l", "127.0.0.1", "-p", str(port)] + list(args), log)
    return proc, port


def h2load(url, n, *extra):
    out = subprocess.run(["h2load", "-n", str(n), "-c", "10", "-m", "20", *extra, url],
                         capture_output=True, text=True, timeout=600).stdout
    rate = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out)
    ok = re.search(r"(\d+) succeeded", out)
    return float(rate.group(1)) if rate else 0.0, int(ok.group(1)) if ok else 0


def cpu_s(pid):
    """CPU seconds @pid has used (user + system): a per-request cost that the
    machine's other load does not change much, unlike a rate."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def bench_requests(tmp):
    proc, port = testd(tmp)
    rate, ok = h2load(f"http://127.0.0.1:{port}/hello", 200000)
    print(f"http2_requests_per_s {rate:.0f} (testd /hello, {ok} of 200000 ok)")
    proc.terminate()
    proc.wait()


def bench_api_reads(tmp):
    import coapmsg as cm
    import test_lwm2md as tl
    tl.BUILD, tl.SOURCE = BUILD, SOURCE
    port = lwgtest.free_port(socket.SOCK_STREAM)
    d = tl.Lwm2md(tmp, f"[http]\nenabled = yes\nport = {port}\ntokens_ro = bench\n").start()
    u = tl.Udp()
    u.ask(cm.register(1, "ep=bench1", "</3/0>"))
    # a Send (POST /dp, SenML JSON) leaves /3/0/9 in lwm2md's last-values cache
    ack = cm.decode(u.ask(cm.encode(cm.CON, 2, 2, b"\x03", [
        (cm.URI_PATH, b"dp"), (cm.CONTENT_FORMAT, cm.uint_opt(110))],
        b'[{"n":"/3/0/9","v":87}]')))
    print(f"# Send answered {ack['code'] >> 5}.{ack['code'] & 31:02d}")
    auth = ("-H", "authorization: Bearer bench")
    for what, path in (("api_reads_per_s", "/api/clients/bench1"),
                       ("api_value_reads_per_s", "/api/clients/bench1/values")):
        body = urllib.request.urlopen(urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"authorization": "Bearer bench"})).read()
        cpu0 = cpu_s(d.proc.pid)
        rate, ok = h2load(f"http://127.0.0.1:{port}{path}", 100000, *auth)
        cpu = cpu_s(d.proc.pid) - cpu0
        print(f"{what} {rate:.0f} (lwm2md GET {path} over HTTP/2, {ok} of 100000 ok, "
              f"{len(body)}-byte answer, {cpu * 1e6 / 100000:.1f} us of lwm2md's CPU each, "
              f"so {100000 / cpu if cpu else 0:.0f}/s on a core of its own; goal 20000)")
    u.close()
    d.stop()


def bench_fanout(tmp, subscribers=100, events=20000):
    proc, port = testd(tmp, "-o", str(64 << 20))
    base = f"http://127.0.0.1:{port}"
    curls = [subprocess.Popen(["curl", "-sN", "--http2-prior-knowledge", "-o", "/dev/null",
                               "-w", "%{size_download}", base + "/subscribe"],
                              stdout=subprocess.PIPE, text=True) for _ in range(subscribers)]
    lwgtest.wait_for(lambda: int(urllib.request.urlopen(base + "/subscribers").read())
                     == subscribers, "every subscriber connected", seconds=60)
    t0, cpu0 = time.monotonic(), cpu_s(proc.pid)
    urllib.request.urlopen(urllib.request.Request(base + f"/publish?n={events}", method="POST"))
    sizes = [int(c.communicate(timeout=600)[0] or 0) for c in curls]
    dt, cpu = time.monotonic() - t0, cpu_s(proc.pid) - cpu0
    expect = len(": subscribed\n\n") + sum(len(f"event: tick\ndata: {{\"n\":{i}}}\n\n")
                                           for i in range(events))
    complete = sum(1 for s in sizes if s == expect)
    print(f"sse_events_per_s {events / dt:.0f} to {subscribers} subscribers "
          f"({events * subscribers / dt:.0f} deliveries/s, {complete}/{subscribers} streams "
          f"complete; {cpu * 1e6 / events:.1f} us of the server's CPU per event; goal 20000)")
    proc.terminate()
    proc.wait()


# GET /hello on stream 1, END_STREAM: HPACK static-table :method GET, :scheme http, and
# :path and :authority as literals without indexing
HELLO_HPACK = bytes([0x82, 0x86, 0x04, 6]) + b"/hello" + bytes([0x01, 1]) + b"h"
HELLO = len(HELLO_HPACK).to_bytes(3, "big") + b"\x01\x05\x00\x00\x00\x01" + HELLO_HPACK


def bench_idle(tmp, n=10000, request=False):
    """@n HTTP/2 connections past their SETTINGS (and, with @request, one GET
    answered on each), then idle: the server's resident memory."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, n + 1000)), hard))
    proc, port = testd(tmp, "-n", str(n + 100))
    before = rss_kib(proc.pid)
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(PREFACE + (HELLO if request else b""))
        socks.append(s)
    for s in socks:  # the server's SETTINGS, and the answer: every session is set up
        s.settimeout(60)
        got = s.recv(4096)
        while request and b"hello\n" not in got:
            got += s.recv(4096)
    fresh = rss_kib(proc.pid)

    def stats():
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/stats").read().decode()
        it = iter(text.split())
        return {k: int(v) for k, v in zip(it, it)}
    # an idle session gives its frame buffer's pages back after a second or two: the
    # steady state of a connection that stays idle, which is what is measured
    lwgtest.wait_for(lambda: stats()["h2_untrimmed"] == 0, "every idle session trimmed",
                     seconds=60)
    after = rss_kib(proc.pid)
    st = stats()
    what = "idle_h2_connections_after_a_request" if request else "idle_h2_connections"
    print(f"{what} {n} rss_mib {after / 1024:.1f} (before {before / 1024:.1f}; "
          f"{(after - before) * 1024 / n:.0f} bytes each; {fresh / 1024:.1f} MiB as soon as "
          f"all were set up, some not trimmed yet; nghttp2 heap "
          f"{st['h2_heap'] / st['h2_open']:.0f} bytes a session (h2mem, slots counted "
          f"whole); goal < 100 MiB)")
    for s in socks:
        s.close()
    proc.terminate()
    proc.wait()


def main():
    tmp = tempfile.mkdtemp(prefix="bench-http-")
    bench_requests(tmp)
    bench_api_reads(tmp)
    bench_fanout(tmp)
    bench_idle(tmp)
    bench_idle(tmp, request=True)


if __name__ == "__main__":
    main()
