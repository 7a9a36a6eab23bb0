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


def _page_of(request):
    """The page a request belongs to (None for a service worker's, which has no frame)."""
    try:
        return request.frame.page
    except Exception:  # noqa: BLE001 - Playwright raises for requests without a frame
        return None


@dataclass
class Recorder:
    """Requests that leave the site (aborted), failed requests, console and page errors, and
    Content-Security-Policy violations (the securitypolicyviolation event), for every page of the
    context; `take(page)` hands over what one page reported (several tabs may load at once)."""

    site: str  # URL prefix of the site
    outside: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    by_page: dict = field(default_factory=dict)  # id(page) -> [problem text] (None: no page known)

    def _note(self, page, text: str) -> None:
        self.by_page.setdefault(None if page is None else id(page), []).append(text)

    def route(self, route):
        url = route.request.url
        if url.startswith(self.site):
            route.continue_()
        else:
            self.outside.append(url)
            self._note(_page_of(route.request), f"outside request: {url}")
            route.abort()

    def _failed(self, request):
        self.failed.append(f"{request.url} ({request.failure})")
        self._note(_page_of(request), f"failed request: {self.failed[-1]}")

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text}")
            self._note(message.page, self.errors[-1])

    def _weberror(self, error):
        self.errors.append(f"page error: {error.error}")
        self._note(error.page, self.errors[-1])

    def _violation(self, source, text: str):
        self.violations.append(text)
        self._note(source.get("page"), f"CSP violation: {text}")

    def attach(self, context):
        context.route("**/*", self.route)
        context.on("requestfailed", self._failed)
        context.on("console", self._console)
        context.on("weberror", self._weberror)
        context.expose_binding("kbViolation", self._violation)  # survives navigations
        context.add_init_script(LISTEN)

    def clear(self):
        self.outside.clear(), self.failed.clear(), self.errors.clear(), self.violations.clear()
        self.by_page.clear()

    def take(self, page) -> list[str]:
        """What `page` reported since the last take (or clear), removed from what it will report next."""
        return self.by_page.pop(id(page), [])

    def problems(self) -> list[str]:
        return ([f"outside request: {u}" for u in self.outside] + [f"failed request: {u}" for u in self.failed]
                + self.errors + [f"CSP violation: {v}" for v in self.violations])


def settle(tab) -> None:
    """Wait as a reader's tab settles: the load event, then no network for 500 ms."""
    tab.wait_for_load_state("load")
    tab.wait_for_load_state("networkidle")


def visit(tab, url: str) -> None:
    tab.goto(url, wait_until="load")
    settle(tab)


def visit_pipelined(context, urls: list[str], depth: int = 3):
    """Yield (url, tab) for each URL in order, the tab loaded as visit() loads it (settle()); the
    next depth-1 URLs already load in tabs of their own meanwhile, so their waits overlap whatever
    the caller does with this one. A tab is navigated again only
    after the caller is done with it; the tabs are closed at the end."""
    tabs = [context.new_page() for _ in range(min(depth, len(urls)))]
    try:
        for i in range(len(tabs)):
            tabs[i].goto(urls[i], wait_until="commit")
        for i, url in enumerate(urls):
            tab = tabs[i % len(tabs)]
            settle(tab)
            yield url, tab
            if i + len(tabs) < len(urls):
                tab.goto(urls[i + len(tabs)], wait_until="commit")
    finally:
        for tab in tabs:
            tab.close()


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


