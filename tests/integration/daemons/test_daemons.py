#!/usr/bin/python3
"""The five daemons as real processes, driven through lwgatectl like a user.

Usage: test_daemons.py BUILD_DIR SOURCE_DIR
Runs inside a private network namespace (re-executes itself under
`unshare -n` when root), each daemon with a config in a temporary folder.
"""
import json
import os
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import lwgtest  # noqa: E402
from lwgtest import wait_for  # noqa: E402,F401

BUILD = SOURCE = None
DAEMONS = ["lowpand", "lwm2md", "rdd", "paad", "scefd"]
CAP_NET_ADMIN = 12


def daemon_bin(name):
    return os.path.join(BUILD, "daemons", name, name)


def ctl(*args, sockdir=None, timeout=10):
    cmd = [os.path.join(BUILD, "cli", "lwgatectl")]
    if sockdir:
        cmd += ["--socket-dir", sockdir]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout)


class Daemon:
    """One daemon with its own INI, socket and database in a temporary folder."""

    def __init__(self, name, tmp, extra="", user=""):
        self.name, self.tmp = name, tmp
        self.sock = os.path.join(tmp, name + ".sock")
        self.db = os.path.join(tmp, name + ".db")
        self.ini = os.path.join(tmp, name + ".ini")
        self.write_config(extra=extra, user=user)
        self.proc = None

    def write_config(self, extra="", user="", log_level="info"):
        with open(self.ini, "w") as f:
            f.write(f"[daemon]\nsocket = {self.sock}\ndatabase = {self.db}\n"
                    f"user = {user}\nlog_level = {log_level}\n{extra}")

    def start(self, wait=True):
        """Start it and, with @wait, return once it has said READY=1; without, at once
        (for a start that is meant to fail: see logged())."""
        self.log = os.path.join(self.tmp, self.name + ".log")
        argv = [daemon_bin(self.name), "-f", "-c", self.ini]
        if wait:
            self.proc = lwgtest.start_daemon(argv, self.log)
        else:
            with open(self.log, "a") as out:
                self.proc = subprocess.Popen(argv, stdout=out, stderr=out)
        return self

    def logged(self):
        """What it has written to stdout and stderr so far."""
        with open(self.log, errors="replace") as f:
            return f.read()

    def stop(self):
        """SIGTERM; returns (exit code, seconds it took)."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=10)
        return rc, time.monotonic() - t0

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def status(self):
        r = ctl("--json", self.name, "status", sockdir=self.tmp)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)


class DaemonTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lwgate-it-")
        os.chmod(self.tmp, 0o755)
        self.running = []

    def tearDown(self):
        for d in self.running:
            d.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def daemon(self, name, **kw):
        d = Daemon(name, self.tmp, **kw)
        self.running.append(d)
        return d

    def test_status_and_sigterm(self):
        for name in DAEMONS:
            with self.subTest(daemon=name):
                d = self.daemon(name).start()
                r = ctl(name, "status", sockdir=self.tmp)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("version", r.stdout)
                st = d.status()
                self.assertEqual(st["daemon"], name)
                self.assertEqual(st["pid"], d.proc.pid)
                self.assertGreaterEqual(st["schema_version"], 1)  # each daemon migrates further
                self.assertEqual(st["protocol"], 1)
                self.assertEqual(st["database"], d.db)
                self.assertIn("ipc_requests", st["counters"])
                rc, took = d.stop()
                print(f"{name}: SIGTERM to exit took {took * 1000:.1f} ms")
                # the issue asks for a stop within a second: the figure is
                # printed, not asserted (CI machines are shared and noisy)
                self.assertEqual(rc, 0)
                self.assertFalse(os.path.exists(d.sock), "socket file left behind")

    def test_lwgatectl_status_all(self):
        for name in DAEMONS:
            self.daemon(name).start()
        r = ctl("status", sockdir=self.tmp)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for name in DAEMONS:
            self.assertRegex(r.stdout, rf"(?m)^{name}\s+up\s+\d+\.\d+\.\d+")
        j = json.loads(ctl("--json", "status", sockdir=self.tmp).stdout)
        self.assertEqual(sorted(j), sorted(DAEMONS))
        self.assertTrue(all(v["up"] for v in j.values()))
        self.running[1].stop()
        r = ctl("status", sockdir=self.tmp)
        self.assertEqual(r.returncode, 3)
        self.assertRegex(r.stdout, r"(?m)^lwm2md\s+down")

    def test_commands_option_is_help(self):
        """--commands prints what `help` answers (the source of lwgatectl's built-in
        list and completion); every command the completion offers is the daemon's."""
        for name in DAEMONS:
            with self.subTest(daemon=name):
                offline = subprocess.run([daemon_bin(name), "--commands"], capture_output=True,
                                         text=True, timeout=10)
                self.assertEqual(offline.returncode, 0, offline.stderr)
                self.daemon(name).start()
                live = ctl("--json", name, "help", sockdir=self.tmp)
                self.assertEqual(live.returncode, 0, live.stderr)
                self.assertEqual(json.loads(offline.stdout), json.loads(live.stdout))
                commands = [c["command"] for c in json.loads(live.stdout)]
                script = ctl("completion", "bash", sockdir=self.tmp).stdout
                self.assertIn(f"\t{name}) echo \"{' '.join(commands)} watch\" ;;", script)

    def test_bad_config_exits_2_with_file_line_key(self):
        for name in DAEMONS:
            with self.subTest(daemon=name):
                d = self.daemon(name, extra="bogus = 1\n")
                d.start(wait=False)
                rc = d.proc.wait(timeout=10)
                err = d.logged()
                self.assertEqual(rc, 2)
                self.assertIn(f"{d.ini}:6: [daemon] bogus: unknown key", err)
                self.assertFalse(os.path.exists(d.sock))

    def test_config_check_and_print(self):
        for name in DAEMONS:
            with self.subTest(daemon=name):
                d = Daemon(name, self.tmp)
                r = subprocess.run([daemon_bin(name), "-t", "-c", d.ini], capture_output=True,
                                   text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                d.write_config(extra="[nosuch]\n")
                r = subprocess.run([daemon_bin(name), "-t", "-c", d.ini], capture_output=True,
                                   text=True)
                self.assertEqual(r.returncode, 2)
                self.assertIn(f"{d.ini}:6: [nosuch]: unknown section", r.stderr)
                d.write_config(log_level="chatty")
                r = subprocess.run([daemon_bin(name), "-t", "-c", d.ini], capture_output=True,
                                   text=True)
                self.assertEqual(r.returncode, 2)
                self.assertIn(f"{d.ini}:5: [daemon] log_level: \"chatty\" is not one of",
                              r.stderr)
                r = subprocess.run([daemon_bin(name), "-t", "-c", os.path.join(self.tmp, "none")],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 2)
                self.assertIn("cannot open: No such file or directory", r.stderr)

    def test_config_read_errors_and_addresses(self):
        """-t reports what would only fail at start: a folder given as the file, an
        unclosed section header, an address that does not parse."""
        bad_address = {"lowpand": ("tun", "address", "fd00::1", "IPv6 address/prefix length"),
                       "lwm2md": ("coap+tcp", "address", "localhost", "IPv4 or IPv6 address"),
                       "rdd": ("coaps", "address", "::1:5684:", "IPv4 or IPv6 address")}
        for name in DAEMONS:
            with self.subTest(daemon=name):
                check = lambda *args: subprocess.run([daemon_bin(name), "-t"] + list(args),
                                                     capture_output=True, text=True)
                r = check("-c", self.tmp)
                self.assertEqual(r.returncode, 2, r.stdout)
                self.assertIn(f"{self.tmp}: cannot read: Is a directory", r.stderr)
                d = Daemon(name, self.tmp, extra="[daemon\n")
                r = check("-c", d.ini)
                self.assertEqual(r.returncode, 2, r.stdout)
                self.assertIn(f"{d.ini}:6: section header \"[daemon\" lacks its closing ']'",
                              r.stderr)
                if name not in bad_address:
                    continue
                section, key, value, what = bad_address[name]
                d.write_config(extra=f"[{section}]\n{key} = {value}\n")
                r = check("-c", d.ini)
                self.assertEqual(r.returncode, 2, r.stdout)
                self.assertIn(f"{d.ini}:7: [{section}] {key}: \"{value}\" is not a numeric "
                              f"{what}", r.stderr)
                r = check("-c", d.ini, "-o", f"{section}.{key}=" + ("fd00::1/64" if name ==
                                                                   "lowpand" else "::1"))
                self.assertEqual(r.returncode, 2)  # -o comes after the file: still refused
                d.write_config(extra=f"[{section}]\n{key} = "
                                     + ("fd00::1/64" if name == "lowpand" else "192.0.2.1")
                                     + "\n")
                r = check("-c", d.ini)
                self.assertEqual(r.returncode, 0, r.stderr)

    def test_shipped_configs(self):
        """conf/*.ini load, list every key, and --print-config output re-loads to itself."""
        for name in DAEMONS:
            with self.subTest(daemon=name):
                shipped = os.path.join(SOURCE, "conf", name + ".ini")
                r = subprocess.run([daemon_bin(name), "-t", "-c", shipped], capture_output=True,
                                   text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                printed = subprocess.run([daemon_bin(name), "--print-config", "-c", shipped],
                                         capture_output=True, text=True, check=True).stdout
                keys = lambda text: sorted(l.split("=")[0].strip() for l in text.splitlines()
                                           if "=" in l and not l.startswith("#"))
                with open(shipped) as f:
                    self.assertEqual(keys(f.read()), keys(printed))
                again_path = os.path.join(self.tmp, name + "-printed.ini")
                with open(again_path, "w") as f:
                    f.write(printed)
                again = subprocess.run([daemon_bin(name), "--print-config", "-c", again_path],
                                       capture_output=True, text=True, check=True).stdout
                self.assertEqual(printed, again)

    def test_unreachable_daemon_exit_3(self):
        r = ctl("rdd", "status", sockdir=self.tmp)
        self.assertEqual(r.returncode, 3)
        self.assertIn(f"cannot reach rdd at {self.tmp}/rdd.sock", r.stderr)
        # whether an rdd runs elsewhere on this machine (another test, a real one) is not
        # ours to decide; either way the message must say it
        self.assertRegex(r.stderr, r"no rdd process is running|rdd is running \(pid \d+\) "
                                   r"but not on this socket")

    @unittest.skipUnless(os.geteuid() == 0, "needs root to run lwgatectl as another user")
    def test_lwgatectl_permission_denied(self):
        d = self.daemon("rdd").start()
        nobody = pwd.getpwnam("nobody")

        def become_nobody():
            os.setgid(nobody.pw_gid)
            os.setgroups([])
            os.setuid(nobody.pw_uid)

        r = subprocess.run([os.path.join(BUILD, "cli", "lwgatectl"), "--socket-dir", self.tmp,
                            "rdd", "status"], capture_output=True, text=True, timeout=10,
                           preexec_fn=become_nobody)
        self.assertEqual(r.returncode, 3)
        group = __import__("grp").getgrgid(os.stat(d.sock).st_gid).gr_name
        self.assertIn(f"lwgatectl: permission denied: add yourself to group {group} to use "
                      f"{d.sock}", r.stderr)

    def test_lwgatectl_protocol_mismatch(self):
        """A daemon of another protocol version, or one before "hello", is named as such
        rather than misread."""
        path = os.path.join(self.tmp, "rdd.sock")
        for hello, said in (({"ok": True, "result": {"protocol": 99}}, "version 99"),
                            ({"ok": False, "error": {"code": "unknown_command",
                                                     "message": "unknown command"}},
                             "version older than 1")):
            with self.subTest(said=said):
                srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                srv.bind(path)
                srv.listen(1)

                def answer_hello():
                    conn, _ = srv.accept()
                    req = json.loads(conn.recv(65536))
                    conn.send(json.dumps(dict(hello, id=req["id"])).encode())
                    conn.recv(65536)  # lwgatectl hangs up
                    conn.close()

                t = threading.Thread(target=answer_hello)
                t.start()
                r = ctl("rdd", "status", sockdir=self.tmp)
                t.join(timeout=10)
                srv.close()
                os.unlink(path)
                self.assertEqual(r.returncode, 3)
                self.assertIn(f"lwgatectl: rdd speaks control protocol {said}, this "
                              "lwgatectl speaks version 1: use the lwgatectl installed with "
                              "the daemon", r.stderr)

    def test_cli_usage_and_errors(self):
        self.daemon("paad").start()
        r = ctl("paad", "help", sockdir=self.tmp)
        self.assertEqual(r.returncode, 0)
        for cmd in ("status", "reload", "subscribe", "help"):
            self.assertRegex(r.stdout, rf"(?m)^  {cmd}\b")
        r = ctl("paad", "frobnicate", sockdir=self.tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown_command", r.stderr)
        r = ctl("paad", "subscribe", "topics=notalist", sockdir=self.tmp)
        self.assertEqual(r.returncode, 1)
        self.assertIn("must be an array", r.stderr)
        r = ctl("--json", "paad", "subscribe", 'topics:=["a.*"]', sockdir=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), {"count": 1, "topics": ["a.*"]})
        self.assertEqual(ctl("paad", "subscribe", "novalue", sockdir=self.tmp).returncode, 2)
        self.assertEqual(ctl("paad", "subscribe", "t:=[", sockdir=self.tmp).returncode, 2)
        self.assertEqual(ctl("nosuchdaemon", sockdir=self.tmp).returncode, 2)
        self.assertEqual(ctl(sockdir=self.tmp).returncode, 2)

    def test_reload_and_events(self):
        d = self.daemon("rdd").start()
        watch = subprocess.Popen([os.path.join(BUILD, "cli", "lwgatectl"), "--json",
                                  "--socket-dir", self.tmp, "rdd", "watch", "config.*"],
                                 stdout=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: d.status()["counters"]["ipc_clients"] >= 2, "watch to subscribe")
            d.write_config(log_level="debug")
            d.proc.send_signal(signal.SIGHUP)
            ev = json.loads(watch.stdout.readline())
            self.assertEqual(ev["event"], "config.reloaded")
            self.assertEqual(ev["data"]["restart_needed"], 0)
            self.assertEqual(d.status()["log_level"], "debug")

            # a bad file is refused and the daemon keeps going with the old values
            with open(d.ini, "a") as f:
                f.write("log_level = info\n")
            d.proc.send_signal(signal.SIGHUP)
            ev = json.loads(watch.stdout.readline())
            self.assertEqual(ev["event"], "config.rejected")
            self.assertIn("given twice", ev["data"]["error"])
            self.assertEqual(d.status()["log_level"], "debug")

            # a key that needs a restart keeps its running value
            d.write_config(extra="", log_level="warning")
            with open(d.ini) as f:
                text = f.read().replace(d.db, d.db + ".new")
            with open(d.ini, "w") as f:
                f.write(text)
            r = ctl("--json", "rdd", "reload", sockdir=self.tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["restart_needed"], 1)
            st = d.status()
            self.assertEqual(st["database"], d.db)
            self.assertEqual(st["log_level"], "warning")
            self.assertEqual(st["counters"]["reloads"], 2)
        finally:
            watch.terminate()
            watch.wait()
            watch.stdout.close()

    def test_state_survives_restart(self):
        d = self.daemon("lwm2md").start()
        first = d.status()
        self.assertEqual(first["starts"], "1")
        d.stop()
        d.start()
        st = d.status()
        self.assertEqual(st["starts"], "2")
        self.assertEqual(st["first_start"], first["first_start"])
        self.assertEqual(st["schema_version"], first["schema_version"])

    def test_refuses_newer_database(self):
        d = Daemon("scefd", self.tmp)
        con = sqlite3.connect(d.db)
        con.execute("PRAGMA user_version = 99")
        con.close()
        d.start(wait=False)
        self.running.append(d)
        self.assertEqual(d.proc.wait(timeout=10), 1)
        self.assertRegex(d.logged(),
                         r"schema version 99 is newer than this lwgate knows \(\d+\)")

    def test_second_instance_refused(self):
        self.daemon("lwm2md").start()
        second = Daemon("lwm2md", self.tmp)
        second.start(wait=False)
        self.running.append(second)
        self.assertEqual(second.proc.wait(timeout=10), 1)
        self.assertIn("another lwm2md is already serving", second.logged())
        self.assertEqual(ctl("lwm2md", "status", sockdir=self.tmp).returncode, 0)

    def test_systemd_notify_and_watchdog(self):
        """READY=1 once serving, WATCHDOG=1 from the loop, STOPPING=1 on SIGTERM."""
        import socket
        path = os.path.join(self.tmp, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(10)
        d = self.daemon("lwm2md")
        env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="100000")
        d.log = os.path.join(self.tmp, "lwm2md.log")
        with open(d.log, "w") as out:
            d.proc = subprocess.Popen([daemon_bin("lwm2md"), "-f", "-c", d.ini], env=env,
                                      stdout=out, stderr=out)
        try:
            msgs = [sock.recv(4096).decode()]
            self.assertTrue(msgs[0].startswith("READY=1"), msgs)
            self.assertTrue(os.path.exists(d.sock), "READY=1 before the socket was there")
            for _ in range(3):
                self.assertEqual(sock.recv(4096).decode(), "WATCHDOG=1")
            d.proc.send_signal(signal.SIGTERM)
            while "STOPPING=1" not in msgs[-1]:
                msgs.append(sock.recv(4096).decode())
            self.assertEqual(d.proc.wait(timeout=10), 0)
        finally:
            sock.close()

    @unittest.skipUnless(os.geteuid() == 0, "needs root for a mount namespace")
    def test_logs_go_to_the_journal(self):
        """Started by systemd (INVOCATION_ID, no -f): each line is one record on journald's
        native socket, here ours, put where journald's is in a /run of the daemon's own."""
        import socket
        path = os.path.join(self.tmp, "journal.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(10)
        d = self.daemon("paad")
        d.log = os.path.join(self.tmp, "paad.log")
        run_own_journal = ("mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal && "
                           f"ln -s {path} /run/systemd/journal/socket && exec \"$@\"")
        env = dict(os.environ, INVOCATION_ID="4f2d3c9e0a6b4e1f9d8c7b6a5e4d3c2b")
        env.pop("JOURNAL_STREAM", None)
        with open(d.log, "w") as out:
            d.proc = subprocess.Popen(["unshare", "-m", "sh", "-c", run_own_journal, "sh",
                                       daemon_bin("paad"), "-c", d.ini],
                                      env=env, stdout=out, stderr=out)

        def record():
            fields = {}
            for line in sock.recv(65536).split(b"\n"):
                if line:
                    key, value = line.split(b"=", 1)
                    fields[key.decode()] = value.decode()
            return fields

        try:
            records = [record()]
            while "started version=" not in records[-1]["MESSAGE"]:
                records.append(record())
            started = records[-1]
            self.assertEqual(started["PRIORITY"], "6")  # info
            self.assertEqual(started["SYSLOG_IDENTIFIER"], "paad")
            self.assertEqual(started["MESSAGE"].split(": ", 1)[0],
                             started["LWGATE_COMPONENT"])
            self.assertEqual(set(started), {"MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER",
                                            "LWGATE_COMPONENT"})
            d.proc.send_signal(signal.SIGTERM)
            while not records[-1]["MESSAGE"].endswith("stopped"):
                records.append(record())
            self.assertEqual(d.proc.wait(timeout=10), 0)
            self.assertNotIn("started version=", d.logged())  # not on stderr as well
        finally:
            sock.close()

    @unittest.skipUnless(os.geteuid() == 0, "needs root to drop privileges")
    def test_drops_root_keeps_net_admin_only_for_lowpand(self):
        nobody = pwd.getpwnam("nobody")
        run = os.path.join(self.tmp, "run")
        os.mkdir(run)
        os.chown(run, nobody.pw_uid, nobody.pw_gid)
        for name, net_admin in (("lowpand", True), ("lwm2md", False)):
            with self.subTest(daemon=name):
                d = self.daemon(name, user="nobody")
                d.sock = os.path.join(run, name + ".sock")
                d.db = os.path.join(run, name + ".db")
                d.write_config(user="nobody")
                d.start()
                with open(f"/proc/{d.proc.pid}/status") as f:
                    fields = dict(l.split(":", 1) for l in f.read().splitlines())
                self.assertEqual(fields["Uid"].split()[0], str(nobody.pw_uid))
                self.assertEqual(fields["Uid"].split()[2], str(nobody.pw_uid))
                cap_eff = int(fields["CapEff"].strip(), 16)
                self.assertEqual(cap_eff, (1 << CAP_NET_ADMIN) if net_admin else 0)
                self.assertEqual(os.stat(d.db).st_uid, nobody.pw_uid)
                r = ctl(name, "status", sockdir=run)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(d.stop()[0], 0)


if __name__ == "__main__":
    lwgtest.run([sys.modules[__name__]])
