"""The harness every integration script shares: waiting, free ports, and a
main() that runs the script's tests in a private network namespace.

A script imports it with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import lwgtest
and ends with
    if __name__ == "__main__":
        lwgtest.run([sys.modules[__name__]])
"""
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

NETNS = "LWGATE_IN_NETNS"


def wait_for(predicate, what, seconds=10.0):
    """Poll @predicate until it returns a true value, and return that;
    AssertionError naming @what after @seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def log_tail(path, lines=40):
    """The last @lines lines of file @path, for a failure message."""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"({path}: {e.strerror})"


def start_daemon(argv, log, *, env=None, seconds=60.0):
    """Start the daemon @argv and return its Popen once it has sent READY=1.

    Like systemd, the harness owns the NOTIFY_SOCKET: a daemon says READY=1 only
    once every listener is bound, so whatever the test sends next finds it
    serving (a socket file or an open port says less: a daemon creates its
    control socket before its CoAP listeners).  Its stdout and stderr are
    appended to file @log, never a pipe, which a chatty daemon could fill and
    block on.  AssertionError with the log's tail if it exits first or has not
    said READY=1 after @seconds (a generous bound for a loaded sanitizer run,
    not a timing expectation)."""
    folder = tempfile.mkdtemp(prefix="lwgt-notify-")
    path = os.path.join(folder, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        sock.bind(path)
        # a daemon that drops root to its user must still reach it, as systemd's does
        os.chmod(folder, 0o711)
        os.chmod(path, 0o666)
        env = dict(os.environ if env is None else env, NOTIFY_SOCKET=path)
        with open(log, "a") as out:
            proc = subprocess.Popen(argv, stdout=out, stderr=out, env=env)
        deadline = time.monotonic() + seconds
        while True:
            readable, _, _ = select.select([sock], [], [], 0.1)
            if readable and "READY=1" in sock.recv(4096).decode(errors="replace").split("\n"):
                return proc
            if proc.poll() is not None:
                raise AssertionError(f"{os.path.basename(argv[0])} exited {proc.returncode} "
                                     f"before READY=1:\n{log_tail(log)}")
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise AssertionError(f"{os.path.basename(argv[0])} sent no READY=1 in "
                                     f"{seconds:.0f} s:\n{log_tail(log)}")
    finally:
        sock.close()
        shutil.rmtree(folder, ignore_errors=True)


def free_port(kind=socket.SOCK_DGRAM):
    """A port nobody uses now, on every IPv6 address."""
    with socket.socket(socket.AF_INET6, kind) as s:
        s.bind(("::", 0))
        return s.getsockname()[1]


def openssl(*args, cwd):
    """The openssl CLI in @cwd; raises on failure."""
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    """A self-signed CA in folder @d: d/NAME.pem and d/NAME.key (P-256); returns d/NAME."""
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name + ".key", cwd=d)
    openssl("req", "-x509", "-new", "-key", name + ".key", "-subj", "/CN=" + name,
            "-days", "2", "-out", name + ".pem", cwd=d)
    return os.path.join(d, name)


def make_cert(d, name, cn, signer, san=None):
    """A certificate of subject CN @cn signed by CA @signer (made by make_ca in @d), with
    subjectAltName @san (e.g. "DNS:localhost", "URI:urn:dev:1") if given; returns d/NAME."""
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", name + ".key", cwd=d)
    openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + cn, "-out", name + ".csr",
            cwd=d)
    ext = []
    if san:
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=" + san + "\n")
        ext = ["-extfile", name + ".ext"]
    openssl("x509", "-req", "-in", name + ".csr", "-CA", signer + ".pem", "-CAkey",
            signer + ".key", "-CAcreateserial", "-days", "2", "-out", name + ".pem", *ext, cwd=d)
    return os.path.join(d, name)


def run(modules, *, with_source=True, need_root=None, before_netns=None):
    """The main() of an integration script, called as SCRIPT BUILD_DIR [SOURCE_DIR] [ARGS…].

    Sets BUILD (and SOURCE) in each of @modules, the script's own and the
    harnesses it borrows.  As root, re-executes the script under `unshare
    -n` and brings lo up there, so the daemons' ports and interfaces are
    the test's alone; without root, @need_root (a sentence) makes it exit
    77, meson's "skipped", else the tests run in the host's namespace.
    @before_netns runs once, before the namespace, for what needs the
    network (an npm install).  ARGS go to unittest (test names)."""
    build = os.path.abspath(sys.argv[1])
    source = os.path.abspath(sys.argv[2]) if with_source else None
    for m in modules:
        m.BUILD = build
        if with_source:
            m.SOURCE = source
    if need_root and os.geteuid() != 0:
        print(need_root + ": skipped")
        sys.exit(77)
    if os.environ.get(NETNS) != "1":
        if before_netns:
            before_netns()
        if os.geteuid() == 0:
            os.environ[NETNS] = "1"
            os.execvp("unshare", ["unshare", "-n", sys.executable] + sys.argv)
    if os.environ.get(NETNS) == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    unittest.main(module="__main__", argv=[sys.argv[0], "-v"] + sys.argv[3 if with_source else 2:])
