"""Headless Firefox (Debian's firefox-esr) driven over Marionette, its own
remote protocol, with no geckodriver: Debian has no geckodriver package and
npm's download theirs from GitHub.  Marionette is the protocol geckodriver
itself speaks to Firefox, and Firefox serves it with --marionette on
127.0.0.1:<marionette.port>: each message is "<length>:<JSON>", a command
[0, id, "WebDriver:Name", params] and its answer [1, id, error, result];
the commands are those of W3C WebDriver, under the same names.

The class offers the small part of Selenium's WebDriver that the console
test uses (find_element(s) by CSS selector or id, element text, attributes,
click, clear, send_keys, is_displayed; get, refresh, execute_script,
set_window_size, save_screenshot, quit), so that one test body drives
Chromium through Selenium and Firefox through this, and Selenium's
WebDriverWait waits on either.
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import time

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # W3C WebDriver's element reference key
FIREFOX = "/usr/bin/firefox-esr"
MIN_WIDTH = 500  # CSS px: Firefox makes a narrower window this wide
# What a test profile needs: no first-run pages, no updates, nothing fetched
# from Mozilla's servers (there is no network in the test's namespace anyway)
PREFS = {
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "extensions.update.enabled": False,
    "browser.newtabpage.enabled": False,
}


class WebDriverException(Exception):
    """An error answer: its WebDriver error name and message."""

    def __init__(self, error, message):
        super().__init__(f"{error}: {message}")
        self.error = error


class NoSuchElementException(WebDriverException):
    pass


class StaleElementReferenceException(WebDriverException):
    pass


ERRORS = {"no such element": NoSuchElementException,
          "stale element reference": StaleElementReferenceException}


class Element:
    def __init__(self, driver, ref):
        self.driver, self.id = driver, ref

    def _call(self, cmd, **params):
        return self.driver.command(cmd, id=self.id, **params)

    @property
    def text(self):
        return self._call("WebDriver:GetElementText")

    def get_attribute(self, name):
        return self._call("WebDriver:GetElementAttribute", name=name)

    def is_displayed(self):
        return self._call("WebDriver:IsElementDisplayed")

    def click(self):
        self._call("WebDriver:ElementClick")

    def clear(self):
        self._call("WebDriver:ElementClear")

    def send_keys(self, text):
        self._call("WebDriver:ElementSendKeys", text=text)

    def find_element(self, by, value):
        return self.driver._find("WebDriver:FindElement", by, value, self.id)

    def find_elements(self, by, value):
        return self.driver._find("WebDriver:FindElements", by, value, self.id)


class Firefox:
    """Start headless Firefox with a fresh profile in @profile (a folder it
    may fill) and open a Marionette session on it."""

    name = "firefox"

    def __init__(self, profile, width=1200, height=900, seconds=60.0):
        os.makedirs(profile, exist_ok=True)
        with socket.socket() as s:  # a free port for Marionette (Firefox binds it itself)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with open(os.path.join(profile, "user.js"), "w") as f:
            for k, v in dict(PREFS, **{"marionette.port": port}).items():
                f.write(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n")
        env = dict(os.environ, MOZ_HEADLESS="1", MOZ_HEADLESS_WIDTH=str(width),
                   MOZ_HEADLESS_HEIGHT=str(height), HOME=profile)
        self.log = open(os.path.join(profile, "firefox.log"), "w")
        self.proc = subprocess.Popen([FIREFOX, "--headless", "--marionette", "--no-remote",
                                      "-remote-allow-system-access",
                                      "--profile", profile, "about:blank"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        self.profile, self.sock, self.next_id, self.buf = profile, None, 1, b""
        # Firefox opens the port once it has started: a bounded wait for it, not a timing
        # expectation (no message can be sent before)
        deadline = time.monotonic() + seconds
        while self.sock is None:
            if self.proc.poll() is not None:
                raise RuntimeError(f"firefox exited with {self.proc.returncode}: {self._log()}")
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=1)
            except OSError:
                if time.monotonic() > deadline:
                    self.quit()
                    raise RuntimeError(f"firefox: no Marionette on port {port}: {self._log()}")
                time.sleep(0.1)
        self.sock.settimeout(seconds)
        hello = self._read()
        if hello.get("marionetteProtocol") != 3:
            raise RuntimeError(f"Marionette protocol {hello}")
        self.command("WebDriver:NewSession", capabilities={"alwaysMatch": {"pageLoadStrategy":
                                                                            "normal"}})
        self.set_window_size(width, height)

    def _log(self):
        try:
            with open(os.path.join(self.profile, "firefox.log")) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def _read(self):
        while b":" not in self.buf:
            self._recv()
        head, self.buf = self.buf.split(b":", 1)
        n = int(head)
        while len(self.buf) < n:
            self._recv()
        msg, self.buf = self.buf[:n], self.buf[n:]
        return json.loads(msg)

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise RuntimeError("Marionette closed the connection: " + self._log())
        self.buf += data

    def command(self, cmd, **params):
        """Send one command, return its result's "value" (or the result)."""
        mid = self.next_id
        self.next_id += 1
        body = json.dumps([0, mid, cmd, params]).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body)
        # answers come in order; an id of another is an answer to a command given up on
        while True:
            kind, rid, error, result = self._read()
            if kind == 1 and rid == mid:
                break
        if error:
            raise ERRORS.get(error.get("error"), WebDriverException)(error.get("error"),
                                                                     error.get("message"))
        return self._wrap(result.get("value") if isinstance(result, dict) and "value" in result
                          else result)

    def _wrap(self, v):
        if isinstance(v, dict) and ELEMENT in v:
            return Element(self, v[ELEMENT])
        if isinstance(v, list):
            return [self._wrap(x) for x in v]
        return v

    def _find(self, cmd, by, value, within=None):
        using, value = ("css selector", f"[id=\"{value}\"]") if by == "id" else (by, value)
        params = {"using": using, "value": value}
        if within:
            params["element"] = within
        return self.command(cmd, **params)

    def find_element(self, by, value):
        return self._find("WebDriver:FindElement", by, value)

    def find_elements(self, by, value):
        return self._find("WebDriver:FindElements", by, value)

    def get(self, url):
        self.command("WebDriver:Navigate", url=url)

    def refresh(self):
        self.command("WebDriver:Refresh")

    def execute_script(self, script, *args):
        return self.command("WebDriver:ExecuteScript", script=script, args=list(args))

    def set_window_size(self, width, height):
        """The window's size in CSS pixels.  Firefox keeps a window at least
        MIN_WIDTH wide, so a narrower one (a phone's 390 px) is that window
        with the page zoomed in until its layout viewport is @width wide, as
        a phone's browser lays a page out: media queries and scrollWidth
        then see @width."""
        zoom = 1.0 if width >= MIN_WIDTH else MIN_WIDTH / width
        self.command("WebDriver:SetWindowRect", width=max(width, MIN_WIDTH),
                     height=round(height * zoom))
        # Firefox rounds the zoom to its own steps: zoom in a little more until it fits
        for _ in range(20):
            self._zoom(zoom)
            if zoom == 1.0 or self.execute_script("return window.innerWidth") <= width:
                break
            zoom *= 1.01

    def _zoom(self, zoom):
        self.command("Marionette:SetContext", value="chrome")
        try:
            self.command("WebDriver:ExecuteScript", args=[zoom],
                         script="gBrowser.selectedBrowser.fullZoom = arguments[0];")
        finally:
            self.command("Marionette:SetContext", value="content")

    def save_screenshot(self, path):
        png = self.command("WebDriver:TakeScreenshot", full=False, hash=False)
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def quit(self):
        if self.sock:
            try:  # Quit needs the session: it ends it too
                self.command("Marionette:Quit", flags=["eForceQuit"])
            except (OSError, RuntimeError, WebDriverException):
                pass
            self.sock.close()
            self.sock = None
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: the content processes too
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)
