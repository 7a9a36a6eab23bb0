"""First-search latency: how long a reader waits for the first result on a fresh page, per language.

For each language and each run: a cold Chromium (Debian's /usr/bin/chromium through Playwright,
new browser process, empty cache) opens the language's home page of a built site served from
127.0.0.1; once the page has loaded, the first query of that language's fixed set is typed and
the time until the first result shows is taken. Material's search worker starts fetching the
index when the page loads and builds its Lunr index before it can answer, so the figure holds
the index transfer, its JSON parse and the index construction. The same run also measures,
separately on the page's main thread, how long the index takes to download and to parse, so the
rest (first result minus download and parse) is what the worker spends building the index.

`kb bench` calls `measure()` on its 2N site; `python -m kb.bench.search SITE` measures any built site.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
QUERIES = {"en": ["deployment", "rolling update", "namespace quota"],
           "es": ["despliegue", "actualización gradual", "cuota espacio de nombres"]}
RESULT = ".md-search-result__item"
TIMEOUT_MS = 60_000


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path):
    """A local web server for `site` on a free 127.0.0.1 port, in a thread: (server, base URL)."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def available() -> str | None:
    """None when the measurement can run, else why not."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (Debian package chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


# Message types of Material's search worker (src/templates/assets/javascripts/integrations/search/
# worker/message): SETUP 0, READY 1, QUERY 2, RESULT 3. Options as the theme sends them.
WORKER_PHASES = """async ({index, query}) => {
    const config = JSON.parse(document.getElementById("__config").textContent);
    const data = await (await fetch(index, {cache: "no-store"})).json();
    data.options = {suggest: (config.features || []).includes("search.suggest")};
    const worker = new Worker(new URL(config.search, location.href));
    const ask = (message, answer) => new Promise(done => {
        worker.onmessage = ev => { if (ev.data.type === answer) done(ev.data.data); };
        worker.postMessage(message);
    });
    const t0 = performance.now();
    await ask({type: 0, data}, 1);
    const t1 = performance.now();
    const result = await ask({type: 2, data: query}, 3);
    const t2 = performance.now();
    worker.terminate();
    return {worker_index_ms: t1 - t0, worker_query_ms: t2 - t1,
            worker_sections: result.items.reduce((n, group) => n + group.length, 0)};
}"""


def _one(pw, base: str, lang: str, query: str) -> dict:
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = browser.new_context().new_page()
        home = base + ("" if lang == "en" else f"{lang}/")
        page.goto(home, wait_until="load")
        page.click("input.md-search__input")
        t0 = time.perf_counter()
        page.keyboard.type(query)
        page.wait_for_selector(RESULT, timeout=TIMEOUT_MS)
        first = time.perf_counter() - t0
        page.wait_for_timeout(500)  # results arrive in batches: the top 10 once they settled
        top = [href[len(base):] for href in page.eval_on_selector_all(
            f"{RESULT} > a", "els => els.slice(0, 10).map(e => e.href.split('?')[0] + (e.hash || ''))")]
        # Download and parse of the same index on the main thread (cached now: fetch a fresh copy).
        timing = page.evaluate("""async (url) => {
            const t0 = performance.now();
            const text = await (await fetch(url, {cache: 'no-store'})).text();
            const t1 = performance.now();
            JSON.parse(text);
            return {download_ms: t1 - t0, parse_ms: performance.now() - t1, bytes: text.length};
        }""", home + "search/search_index.json")
        # Material's own worker, driven alone from the page: its Lunr index construction (SETUP until
        # READY) and one query of the same text (QUERY until RESULT: Lunr's search plus the highlighting
        # of every matching section), the two parts of the wait after download and parse.
        timing.update(page.evaluate(WORKER_PHASES, {"index": home + "search/search_index.json", "query": query}))
        return {"first_result_s": round(first, 3), "top10": top, **{k: round(v, 1) for k, v in timing.items()}}
    finally:
        browser.close()


def measure(site: Path, repeat: int = 3, languages=("en", "es"), queries: dict = QUERIES) -> dict:
    """{lang: {first_result_s (median), runs_s, download_ms, parse_ms, index_kib, top10 for each query}}."""
    from playwright.sync_api import sync_playwright

    server, base = serve(Path(site))
    out: dict = {}
    try:
        with sync_playwright() as pw:
            for lang in languages:
                runs = [_one(pw, base, lang, queries[lang][0]) for _ in range(repeat)]
                tops = {q: _one(pw, base, lang, q)["top10"] for q in queries[lang][1:]}
                tops[queries[lang][0]] = runs[0]["top10"]
                med = lambda k: round(statistics.median(r[k] for r in runs), 3 if k.endswith("_s") else 1)  # noqa: E731
                out[lang] = {"query": queries[lang][0], "first_result_s": med("first_result_s"),
                             "runs_s": [r["first_result_s"] for r in runs], "download_ms": med("download_ms"),
                             "parse_ms": med("parse_ms"), "index_kib": round(runs[0]["bytes"] / 1024, 1),
                             "worker_index_ms": med("worker_index_ms"), "worker_query_ms": med("worker_query_ms"),
                             "worker_sections": runs[0]["worker_sections"],
                             "top10": tops}
    finally:
        server.shutdown()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kb.bench.search", description=__doc__.splitlines()[0])
    ap.add_argument("site", help="a built site folder")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    why = available()
    if why:
        print(f"kb.bench.search: {why}", file=sys.stderr)
        return 1
    print(json.dumps(measure(Path(args.site), args.repeat), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
