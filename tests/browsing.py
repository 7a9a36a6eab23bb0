"""Browser-test helpers shared by tests/site/*: Debian's Chromium, a local web server, a request recorder."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SERVER_START = 15  # seconds the local web server may take to answer


def launch(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# Every page of a recorded context reports the Content-Security-Policy violations Chromium sees.
LISTEN = """
document.addEventListener('securitypolicyviolation', e =>
  window.kbViolation(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));
"""


@dataclass
class Recorder:
    """Requests that leave the site (aborted), failed requests, console and page errors, and
    Content-Security-Policy violations (the securitypolicyviolation event)."""

    site: str  # URL prefix of the site
    outside: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    violations: list = field(default_factory=list)

    def route(self, route):
        url = route.request.url
        if url.startswith(self.site):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def attach(self, context):
        context.route("**/*", self.route)
        context.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        context.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        context.on("weberror", lambda e: self.errors.append(f"page error: {e.error}"))
        context.expose_binding("kbViolation", lambda source, v: self.violations.append(v))  # survives navigations
        context.add_init_script(LISTEN)

    def clear(self):
        self.outside.clear(), self.failed.clear(), self.errors.clear(), self.violations.clear()

    def problems(self) -> list[str]:
        return ([f"outside request: {u}" for u in self.outside] + [f"failed request: {u}" for u in self.failed]
                + self.errors + [f"CSP violation: {v}" for v in self.violations])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(directory: Path):
    """`python -m http.server` on a free 127.0.0.1 port serving `directory`; yields the base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + SERVER_START
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"http.server did not start on port {port}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


