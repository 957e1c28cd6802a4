"""A real headless Chromium for the HTML report tests, driven over the DevTools protocol.

Set-up: Debian's ``chromium`` package, installed with apt-get when missing
(idempotent: when ``chromium`` is on PATH nothing runs). If it cannot be
installed the tests fail with the reason; they are never skipped.

The protocol runs over ``--remote-debugging-pipe`` (file descriptors 3 and 4,
NUL-separated JSON messages: https://chromedevtools.github.io/devtools-protocol/),
so no port, no websocket and no extra package are needed.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

PACKAGE = "chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)
INSTALL_LOCK = Path(tempfile.gettempdir()) / "sovscan-chromium-install.lock"
TIMEOUT = 30.0


def chromium_binary() -> str:
    """The chromium executable, installing Debian's package first if it is missing."""
    found = shutil.which("chromium")
    if found:
        return found
    with open(INSTALL_LOCK, "w") as lock:  # one installer at a time (pytest-xdist workers)
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = shutil.which("chromium") or _install()
    return found


def _install() -> str:
    if shutil.which("apt-get") is None:
        pytest.fail("the HTML report tests need Chromium: install Debian's 'chromium' package (apt-get is not available here)", pytrace=False)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", PACKAGE]
    result = subprocess.run(install, capture_output=True, text=True, env=env)
    if result.returncode != 0:  # the package lists may be missing or stale: refresh them once
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, text=True, env=env)
        result = subprocess.run(install, capture_output=True, text=True, env=env)
    found = shutil.which("chromium")
    if found is None:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        pytest.fail(
            f"the HTML report tests need Chromium and `apt-get install -y {PACKAGE}` failed (exit {result.returncode}): "
            + " | ".join(tail),
            pytrace=False,
        )
    return found


class DevToolsError(Exception):
    pass


class Browser:
    """One headless Chromium process and its DevTools pipe."""

    def __init__(self, binary: str, profile: Path):
        commands_read, self._commands = os.pipe()
        self._events, events_write = os.pipe()

        def wire_pipes() -> None:  # Chromium reads commands on fd 3 and writes replies on fd 4
            os.dup2(commands_read, 3)
            os.dup2(events_write, 4)

        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=wire_pipes,
        )
        os.close(commands_read)
        os.close(events_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (DevToolsError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._commands, self._events):
            try:
                os.close(fd)
            except OSError:
                pass

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str | None = None) -> dict[str, Any]:
        for i, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            event = self._read()
            if event.get("method") == method and event.get("sessionId") == session:
                return event
            self.events.append(event)

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._events], [], [], max(left, 0))
            if not ready:
                raise DevToolsError(f"Chromium did not answer within {TIMEOUT:.0f} s")
            chunk = os.read(self._events, 1 << 20)
            if not chunk:
                raise DevToolsError(f"Chromium closed the DevTools pipe (exit code {self.process.poll()})")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)


class Loaded:
    """A page loaded in its own tab, with everything the tab reported while loading."""

    def __init__(self, browser: Browser, url: str, width: int = 1024, height: int = 900):
        self.browser = browser
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", self.session)
        browser.send("Emulation.setDeviceMetricsOverride", self.session, width=width, height=height, deviceScaleFactor=1, mobile=False)
        browser.send("Emulation.setScrollbarsHidden", self.session, hidden=True)  # the page is exactly ``width`` wide
        browser.send("Page.navigate", self.session, url=url)
        browser.wait_for("Page.loadEventFired", self.session)
        self.evaluate("1")  # flush the events sent before the load event
        mine = [e for e in browser.events if e.get("sessionId") == self.session]
        browser.events = [e for e in browser.events if e.get("sessionId") != self.session]
        self.console_errors = [_describe(e) for e in mine if _is_error(e)]
        sent = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in mine if e.get("method") == "Network.requestWillBeSent"}
        self.requests = list(sent.values())  # every request the page started, blocked or not
        self.blocked = {
            sent.get(e["params"]["requestId"]): e["params"]["blockedReason"]
            for e in mine
            if e.get("method") == "Network.loadingFailed" and e["params"].get("blockedReason")
        }

    def evaluate(self, expression: str) -> Any:
        result = self.browser.send("Runtime.evaluate", self.session, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression[:60]}…: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        self.browser.send("Page.bringToFront", self.session)  # a background tab paints no frame to capture
        data = self.browser.send("Page.captureScreenshot", self.session, format="png", captureBeyondViewport=True)["data"]
        return base64.b64decode(data)

    def pdf(self) -> bytes:
        data = self.browser.send("Page.printToPDF", self.session, printBackground=True, preferCSSPageSize=True)["data"]
        return base64.b64decode(data)

    def emulate_print(self) -> None:
        self.browser.send("Emulation.setEmulatedMedia", self.session, media="print")


def _is_error(event: dict[str, Any]) -> bool:
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        return True
    if method == "Runtime.consoleAPICalled":
        return params.get("type") in ("error", "assert", "warning")
    if method == "Log.entryAdded":
        return params.get("entry", {}).get("level") in ("error", "warning")
    return False


def _describe(event: dict[str, Any]) -> str:
    params = event.get("params", {})
    entry = params.get("entry") or params.get("exceptionDetails") or params
    return f"{event.get('method')}: {entry.get('text') or entry}"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A headless Chromium shared by one test module's tests."""
    instance = Browser(chromium_binary(), tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield instance
    finally:
        instance.close()
