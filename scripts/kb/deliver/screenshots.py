"""`kb screenshots`: look at the built site as readers do.

Serves a built site on 127.0.0.1 and takes full-page screenshots of every page (or the
ones given) in light and dark mode, at desktop and phone widths, with Debian's Chromium
driven by Playwright. PNGs go to .screens/ (gitignored) for review.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import threading
from pathlib import Path

from kb.core.settings import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


@contextlib.contextmanager
def serve(directory: Path):
    """Serve `directory` on an ephemeral 127.0.0.1 port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def pages_of(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html")
                  if "assets" not in p.parts and "downloads" not in p.parts)


def cli(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(prog="kb screenshots", description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", help="site-relative pages, e.g. es/kubernetes/architecture/ (default: all)")
    ap.add_argument("--site-dir", default=str(ROOT / "site"), help="built site to serve (default: site/)")
    ap.add_argument("--out", default=str(ROOT / ".screens"), help="output folder (default: .screens/)")
    ap.add_argument("--full", action="store_true", help="full-page screenshots (default: first screen)")
    args = ap.parse_args(argv)
    site, out = Path(args.site_dir), Path(args.out)
    if not (site / "index.html").is_file():
        print(f"kb screenshots: no built site in {site} (run `make build` first)")
        return 2
    out.mkdir(parents=True, exist_ok=True)
    targets = args.pages or pages_of(site)
    with serve(site) as base, sync_playwright() as pw:
        browser = launch(pw)
        for scheme in ("light", "dark"):
            for name, (w, h) in VIEWPORTS.items():
                ctx = browser.new_context(viewport={"width": w, "height": h}, color_scheme=scheme)
                page = ctx.new_page()
                for rel in targets:
                    page.goto(base + rel.removesuffix("index.html"))
                    slug = rel.removesuffix("index.html").strip("/").replace("/", "_") or "home"
                    path = out / f"{slug}.{scheme}.{name}.png"
                    page.screenshot(path=str(path), full_page=args.full)
                    print(path)
                ctx.close()
        browser.close()
    return 0
