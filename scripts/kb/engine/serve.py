"""`kb serve` (make serve): live preview that re-renders what a save affects.

`mkdocs serve` rebuilds the whole site, both languages, on every save (16-17 s at 2 x 500 pages).
Here the first build is a full one, and it remembers, for each language pass, the files, the
navigation and the Jinja environment MkDocs made. A later save of pages that already exist is then
re-rendered in place:

- the saved page in its language pass, and in every pass that shows it (a Spanish page falls back
  to the English source when it has no translation);
- when an English page changes, its Spanish twin too (its translation notice depends on it), and
  the translation status pages of both languages when a translation's state changed. Those two
  pages list every page of the site (1,000 rows at 2 x 500 pages, most of a save's time), so they
  are re-rendered right after the save's reload, in the background, and the next save waits
  for them: the edited page shows first, the status pages a moment later (`last["deferred"]`);
- everything else (a new, removed or renamed page, a page whose title changed, which the
  navigation of other pages shows, mkdocs.yml, data files, theme overrides, scripts) runs the
  full build, as `mkdocs serve` does.

A re-rendered page goes through the same MkDocs functions (`_populate_page`, `_build_page`)
with the same plugins, hooks, files, navigation and environment as in the full build, so its
HTML is the full build's (tests/engine/test_serve.py compares them byte for byte). After every
save the whole-tree source checks (`kb check-build`) run in a second process; their problems go
to the terminal and to a banner on the served page (a script from the preview server itself,
so the pages' Content-Security-Policy allows it; it may show up after the reload).
`make build` and CI are untouched: they build everything, strictly.

Everything this module knows about MkDocs' and static-i18n's internals is here; `check_shape()`
lists what no longer holds (tests/engine/test_serve.py), so an upgrade fails a test first.
"""
from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger("mkdocs.kb.serve")

WATCHED = ("docs", "data", "overrides", "scripts", "mkdocs.yml")
BANNER_PATH = "__kb_serve/"
BANNER_JS = r"""(() => {
  const me = document.currentScript, url = me.src.replace(/banner\.js.*$/, "problems.json");
  const show = (data) => {
    let box = document.getElementById("kb-serve-problems");
    if (!data.problems.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "kb-serve-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:1000;max-height:40vh;overflow:auto;"
        + "background:#b71c1c;color:#fff;font:13px/1.4 monospace;padding:.6em 1em;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = `kb serve: ${data.problems.length} problem(s) in the sources\n` + data.problems.join("\n");
  };
  const poll = () => fetch(url, {cache: "no-store"}).then(r => r.json()).then(data => {
    show(data);
    if (data.running) setTimeout(poll, 700);
  }).catch(() => {});
  poll();
})();
"""


def _mkdocs():
    """The MkDocs internals used here, imported in one place."""
    from mkdocs.commands import build as mkbuild
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer, _serve_url
    return mkbuild, load_config, LiveReloadServer, _serve_url


class Recorder:
    """An object registered in config.plugins: remembers each language pass's files, nav and env."""

    def __init__(self, session: Session):
        self.session = session

    def _lang(self, config) -> str:
        i18n = config.plugins.get("i18n")
        return getattr(i18n, "current_language", None) or "en"

    def on_nav(self, nav, config, files):
        self.session.passes[self._lang(config)] = {"files": files, "nav": nav, "config": _config_state(config)}
        return nav

    def on_env(self, env, config, files):
        self.session.passes[self._lang(config)]["env"] = env
        return env


for _event in ("on_nav", "on_env"):
    getattr(Recorder, _event).mkdocs_priority = -1000  # after every other plugin and hook (event_priority)


class Checks:
    """The whole-tree source checks after each save, in a second process; their problems for the banner."""

    def __init__(self, root: Path, docs: Path):
        self.root, self.docs = root, docs
        self.lock = threading.Lock()
        self.problems: list[str] = []
        self.running = False
        self.generation = 0

    def start(self) -> None:
        with self.lock:
            self.generation += 1
            self.running = True
            gen = self.generation
        threading.Thread(target=self._run, args=(gen,), daemon=True).start()

    def _run(self, gen: int) -> None:
        import subprocess
        proc = subprocess.run([sys.executable, "-m", "kb", "check-build", "--json", "--docs", str(self.docs),
                               "--data", str(self.root / "data")], cwd=self.root, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        try:
            found = json.loads(proc.stdout)
            lines = [str(_problem(p)) for ps in found.values() for p in ps]
        except ValueError:
            lines = [f"kb check-build did not finish: {(proc.stderr or proc.stdout).strip()[-300:]}"]
        with self.lock:
            if gen != self.generation:
                return  # a newer save started its own run
            self.problems, self.running = sorted(lines), False
        for line in self.problems:
            log.warning(line)
        if not self.problems:
            log.info("kb serve: the source checks found no problems")

    def json(self) -> bytes:
        with self.lock:
            return json.dumps({"running": self.running, "problems": self.problems}).encode("utf-8")


def _config_state(config) -> dict:
    """What static-i18n changes in the shared config for a language's pass: the keys any language
    overrides, `extra` (the language switcher) and every theme setting; a deep copy."""
    from copy import deepcopy
    i18n = config.plugins.get("i18n")
    keys = {"extra"}
    for lang in getattr(getattr(i18n, "config", None), "languages", None) or []:
        keys |= {k for k in lang.keys() if k in config and k != "theme"}
    return {"config": {k: deepcopy(config[k]) for k in sorted(keys)},
            "theme": {k: deepcopy(config.theme[k]) for k in config.theme}}


def _problem(p: dict):
    from kb.core.problems import Problem
    return Problem(**p)


class Session:
    """The preview's state: the config of the last full build and what each language pass made."""

    def __init__(self, config_file: Path, site_dir: Path, serve_url: str):
        self.config_file, self.site_dir, self.serve_url = Path(config_file).resolve(), Path(site_dir), serve_url
        self.root = self.config_file.parent
        self.config = None
        self.passes: dict[str, dict] = {}
        self.stamps: dict[str, float] = {}
        self.last: dict = {}
        self.deferred: threading.Thread | None = None  # the status pages of the last save, rendering

    def wait(self) -> None:
        """Until the last save's deferred pages are written (every rebuild starts with it)."""
        if self.deferred is not None:
            self.deferred.join()
            self.deferred = None

    # --- full builds ------------------------------------------------------------------------------
    def load(self):
        _, load_config, _, _ = _mkdocs()
        config = load_config(config_file=str(self.config_file), site_dir=str(self.site_dir))
        config.site_url = self.serve_url
        config.plugins["kb/serve"] = Recorder(self)
        return config

    def full_build(self) -> None:
        mkbuild, *_ = _mkdocs()
        self.wait()
        t0 = time.perf_counter()
        self.passes = {}
        self.config = self.load()
        self.stamps = self.snapshot()
        try:
            mkbuild.build(self.config, serve_url=self.serve_url)
        except Exception as exc:  # noqa: BLE001 - a preview goes on after a failed build
            self.config = None  # the next save builds everything again
            log.error(f"kb serve: the build failed: {exc}")
        self.last = {"kind": "full", "seconds": round(time.perf_counter() - t0, 3), "pages": None}
        log.info(f"kb serve: full build in {self.last['seconds']:.2f} s")

    # --- what changed -----------------------------------------------------------------------------
    def snapshot(self) -> dict[str, float]:
        stamps = {}
        for part in WATCHED:
            path = self.root / part
            if path.is_file():
                stamps[str(path)] = path.stat().st_mtime_ns
            elif path.is_dir():
                for dirpath, dirnames, filenames in os.walk(path):
                    dirnames[:] = [d for d in dirnames if d != "__pycache__"]
                    for name in filenames:
                        full = os.path.join(dirpath, name)
                        try:
                            stamps[full] = os.stat(full).st_mtime_ns
                        except OSError:
                            pass
        return stamps

    def changes(self) -> tuple[set[str], dict[str, float]]:
        now = self.snapshot()
        changed = {p for p in now.keys() | self.stamps.keys() if now.get(p) != self.stamps.get(p)}
        return changed, now

    def pages_of(self, path: str) -> list[tuple[str, object]]:
        """(language pass, page) for every pass that renders the source file at `path`."""
        found = []
        for lang, p in self.passes.items():
            for f in p["files"].documentation_pages():
                if f.abs_src_path and os.path.abspath(f.abs_src_path) == path and f.page is not None:
                    found.append((lang, f.page))
        return found

    # --- a save -----------------------------------------------------------------------------------
    def rebuild(self) -> None:
        self.wait()
        changed, now = self.changes()
        docs = (self.root / "docs").resolve()
        incremental = self.config is not None and changed and all(
            p.endswith(".md") and Path(p).resolve().is_relative_to(docs) and p in self.stamps and p in now
            for p in changed)
        if incremental:
            t0 = time.perf_counter()
            self.stamps = now
            try:
                done, later = self.rerender(sorted(changed))
            except Exception as exc:  # noqa: BLE001 - the preview goes on; the next save builds everything
                log.error(f"kb serve: re-rendering failed: {exc}")
                self.config = None
                return
            if done is not None:
                self.last = {"kind": "pages", "seconds": round(time.perf_counter() - t0, 3), "pages": done}
                log.info(f"kb serve: {len(done)} page(s) re-rendered in {self.last['seconds']:.2f} s: "
                         + ", ".join(done))
                if later:
                    self.deferred = threading.Thread(target=self._render_later, args=(later, t0), daemon=True)
                    self.deferred.start()
                return
            log.info("kb serve: a page title changed (the navigation shows it): full build")
        self.full_build()

    def _render_later(self, todo: list[tuple[str, object]], t0: float) -> None:
        """The status pages of a save, after its reload (a thread; the next save waits for it)."""
        try:
            done = self.render(todo)
        except Exception as exc:  # noqa: BLE001 - the preview goes on; the next save builds everything
            log.error(f"kb serve: re-rendering the status pages failed: {exc}")
            self.config = None
            return
        if done is None:  # cannot happen for the status pages (their titles are fixed): be safe
            self.config = None
            return
        self.last["deferred"] = {"seconds": round(time.perf_counter() - t0, 3), "pages": done}
        log.info(f"kb serve: {len(done)} status page(s) re-rendered, {self.last['deferred']['seconds']:.2f} s "
                 "after the save")

    def rerender(self, paths: list[str]) -> tuple[list[str] | None, list[tuple[str, object]]]:
        """Re-render the pages these sources affect: (the pages done, the status pages to render after
        the reload); (None, []) when only a full build is right."""
        from kb.content import translations
        from kb.core.settings import DEFAULT_LANGUAGE

        docs = (self.root / "docs").resolve()
        todo: list[tuple[str, object]] = []
        status_changed = False
        hook = self.config.plugins.get("scripts/hooks/translations.py")
        statuses = hook.state.statuses() if hook is not None else None
        for path in paths:
            lang_dir, _, rel = Path(path).resolve().relative_to(docs).as_posix().partition("/")
            todo += self.pages_of(path)
            if lang_dir == DEFAULT_LANGUAGE:  # its twins: translation notice
                for lang in translations.TRANSLATIONS:
                    twin = docs / lang / rel
                    if twin.is_file():
                        todo += self.pages_of(str(twin))
            if statuses is not None:
                for lang in translations.TRANSLATIONS:
                    en, tr = docs / DEFAULT_LANGUAGE / rel, docs / lang / rel
                    if en.is_file() and tr.is_file() and (lang, rel) in statuses:
                        new, _ = translations._compare(en, tr, en.read_text(encoding="utf-8"),
                                                       tr.read_text(encoding="utf-8"), rel, lang)
                        if new != statuses[(lang, rel)]:
                            statuses[(lang, rel)] = new
                            status_changed = True
        later: list[tuple[str, object]] = []
        if status_changed:
            for lang in translations.LANGUAGES:
                status = docs / lang / translations.STATUS_PAGE
                if status.is_file():
                    later += self.pages_of(str(status))
        seen, order = set(), []
        for lang, page in todo + later:
            if (lang, id(page)) not in seen:
                seen.add((lang, id(page)))
                order.append((lang, page))
        status_pages = {id(page) for _, page in later}
        now = [lp for lp in order if id(lp[1]) not in status_pages]
        done = self.render(now)
        if done is None:
            return None, []
        return done, [lp for lp in order if id(lp[1]) in status_pages]

    def render(self, todo: list[tuple[str, object]]) -> list[str] | None:
        mkbuild, *_ = _mkdocs()
        config = self.config
        i18n = config.plugins.get("i18n")
        done = []
        # Markdown first for every page (as a full build does), then the templates.
        for lang, page in sorted(todo, key=lambda lp: list(self.passes).index(lp[0])):
            self.language(lang)
            p = self.passes[lang]
            title = page.title
            mkbuild._populate_page(page, config, p["files"])
            if page.title != title:
                return None
            mkbuild._build_page(page, config, p["files"].documentation_pages(), p["nav"], p["env"])
            done.append(f"{lang}:{page.file.src_uri}")
        if i18n is not None:
            i18n.building = False
        return done

    def language(self, lang: str) -> None:
        """Put the shared config back in the state it had during this language's pass (recorded at on_nav)."""
        i18n = self.config.plugins.get("i18n")
        if i18n is not None:
            i18n.current_language = lang
            i18n.building = lang != i18n.default_language
        state = self.passes[lang]["config"]
        for key, value in state["config"].items():
            self.config[key] = value
        for key, value in state["theme"].items():
            self.config.theme[key] = value


def make_server(session: Session, host: str, port: int, checks: Checks):
    _, _, LiveReloadServer, _ = _mkdocs()

    class Server(LiveReloadServer):
        """MkDocs' live-reload server, plus the problems banner (a script and a JSON from this server)."""

        def _inject_js_into_html(self, content, epoch):
            # MkDocs injects its reload script inline, which the pages' Content-Security-Policy blocks
            # (scripts from 'self' and hashed inline ones only): the same script, served from here.
            from mkdocs.livereload import _timestamp
            base = f"{self.mount_path}{BANNER_PATH}"
            tags = (f'<script src="{base}livereload/{epoch}/{_timestamp()}.js"></script>'
                    f'<script src="{base}banner.js?{epoch}" defer></script>').encode()
            at = content.rfind(b"</body>")
            return content[:at] + tags + content[at:] if at >= 0 else content + tags

        def _serve_request(self, environ, start_response):
            import re

            from mkdocs.livereload import _SCRIPT_TEMPLATE
            path = environ["PATH_INFO"]
            m = re.fullmatch(re.escape(f"{self.mount_path}{BANNER_PATH}") + r"livereload/([0-9]+)/([0-9]+)\.js", path)
            if m:
                start_response("200 OK", [("Content-Type", "text/javascript"), ("Cache-Control", "no-store")])
                return [_SCRIPT_TEMPLATE.substitute(epoch=m[1], request_id=m[2]).encode("utf-8")]
            if path == f"{self.mount_path}{BANNER_PATH}banner.js":
                start_response("200 OK", [("Content-Type", "text/javascript"), ("Cache-Control", "no-store")])
                return [BANNER_JS.encode("utf-8")]
            if path == f"{self.mount_path}{BANNER_PATH}problems.json":
                start_response("200 OK", [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
                return [checks.json()]
            return super()._serve_request(environ, start_response)

    mount = urlsplit(session.serve_url).path

    def builder():
        session.rebuild()
        checks.start()

    server = Server(builder=builder, host=host, port=port, root=str(session.site_dir), mount_path=mount)

    def error_handler(code):
        page = session.site_dir / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_handler
    for part in WATCHED:
        if (session.root / part).exists():
            server.watch(str(session.root / part))
    return server


def serve(config_file: Path, dev_addr: str = "127.0.0.1:8000") -> int:
    _, _, _, _serve_url = _mkdocs()
    os.environ.pop("KB_PARALLEL", None)  # the preview's passes must stay in this process (kb.engine.parallel)
    host, _, port = dev_addr.rpartition(":")
    site_dir = Path(tempfile.mkdtemp(prefix="kb-serve-"))
    try:
        session = Session(config_file, site_dir, _serve_url(host, int(port), "/"))
        checks = Checks(session.root, session.root / "docs")
        session.full_build()
        checks.start()
        server = make_server(session, host, int(port), checks)
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)
    return 0


def replay(site_dir: Path, edits: list[tuple[str, str, str]], serve_url: str = "http://127.0.0.1:8000/") -> list[dict]:
    """A preview session without the server, in the project's folder: a full build into `site_dir`,
    then each edit (path, old text, new text) saved and rebuilt; what each rebuild did and how long
    it took (the tests and `kb bench` use this), the status pages rendered after the reload included
    (`deferred`: their pages, and the seconds from the save until they were written)."""
    session = Session(Path("mkdocs.yml"), Path(site_dir), serve_url)
    session.full_build()
    if session.config is None:
        raise RuntimeError("the full build failed")
    out = []
    for path, old, new in edits:
        p = Path(path)
        text = p.read_text(encoding="utf-8")
        if old not in text:
            raise ValueError(f"{path}: {old!r} not found")
        p.write_text(text.replace(old, new, 1), encoding="utf-8")
        session.rebuild()
        session.wait()
        out.append(dict(session.last))
    return out


def check_shape() -> list[str]:
    """What this module relies on in MkDocs and static-i18n, as a list of what no longer holds."""
    wrong = []
    try:
        mkbuild, load_config, LiveReloadServer, _serve_url = _mkdocs()
    except ImportError as exc:
        return [f"MkDocs import: {exc}"]
    for name, params in (("_populate_page", ["page", "config", "files", "dirty"]),
                         ("_build_page", ["page", "config", "doc_files", "nav", "env", "dirty", "excluded"])):
        fn = getattr(mkbuild, name, None)
        if fn is None or list(inspect.signature(fn).parameters)[:len(params)] != params:
            wrong.append(f"mkdocs.commands.build.{name} no longer takes ({', '.join(params)})")
    source = inspect.getsource(mkbuild.build)
    order = ["config.plugins.on_nav(", "_populate_page(", "config.plugins.on_env(", "_build_page("]
    at = [source.find(s) for s in order]
    if -1 in at or at != sorted(at):
        wrong.append("mkdocs.commands.build.build: on_nav, Markdown, on_env, pages no longer come in this order")
    for name in ("_inject_js_into_html", "_serve_request", "watch", "serve", "shutdown"):
        if not callable(getattr(LiveReloadServer, name, None)):
            wrong.append(f"mkdocs.livereload.LiveReloadServer.{name} is gone")
    import mkdocs.livereload as lr
    template = getattr(lr, "_SCRIPT_TEMPLATE", None)
    if not callable(getattr(lr, "_timestamp", None)) or template is None \
            or set(template.get_identifiers() if hasattr(template, "get_identifiers") else []) != {"epoch", "request_id"}:
        wrong.append("mkdocs.livereload._SCRIPT_TEMPLATE (epoch, request_id) or _timestamp changed")
    if list(inspect.signature(LiveReloadServer._inject_js_into_html).parameters) != ["self", "content", "epoch"]:
        wrong.append("LiveReloadServer._inject_js_into_html no longer takes (content, epoch)")
    from mkdocs.plugins import PluginCollection
    if "_register_event" not in inspect.getsource(PluginCollection.__setitem__):
        wrong.append("mkdocs.plugins.PluginCollection.__setitem__ no longer registers an object's events")
    from mkdocs_static_i18n.reconfigure import ExtendedPlugin
    for name in ("default_language", "build_languages"):
        if not hasattr(ExtendedPlugin, name):
            wrong.append(f"static-i18n's plugin has no {name}")
    init = inspect.getsource(ExtendedPlugin.__init__)
    for attr in ("self.building", "self.current_language"):
        if attr not in init:
            wrong.append(f"static-i18n's plugin no longer sets {attr}")
    from kb.content import translations
    if list(inspect.signature(translations._compare).parameters) != ["en_path", "tr_path", "en_text", "tr_text",
                                                                      "rel", "lang"]:
        wrong.append("kb.content.translations._compare changed its parameters")
    return wrong


def cli(argv: list[str]) -> int:
    from kb.core.settings import ROOT
    ap = argparse.ArgumentParser(prog="kb serve", description=__doc__.splitlines()[0])
    ap.add_argument("--dev-addr", default="127.0.0.1:8000", help="host:port (default 127.0.0.1:8000)")
    ap.add_argument("--config-file", default=str(ROOT / "mkdocs.yml"))
    args = ap.parse_args(argv)
    from mkdocs.__main__ import ColorFormatter  # MkDocs' own terminal log format
    handler = logging.StreamHandler()
    handler.setFormatter(ColorFormatter())
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    return serve(Path(args.config_file), args.dev_addr)
