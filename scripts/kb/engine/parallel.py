"""Both cores for a full build: static-i18n's other languages rendered in a forked process.

mkdocs-static-i18n builds the default language, then, from its ``on_post_build``, every other
language one after the other, on the same config object (``mkdocs_static_i18n.plugin``: a loop
that sets ``current_language`` and calls ``mkdocs.commands.build.build(config)``). Here, as soon
as the default language's files and navigation are known (its ``on_nav``, after static-i18n's),
the build process forks:

- the child builds the other languages exactly as static-i18n's loop would (``building`` set,
  ``mkdocs.utils.clean_directory`` disabled, the same log filter), then sends the parent what
  the later steps read: static-i18n's search entries and what the hooks registered with
  ``share()`` (the search hook's per-language state), or the exception that stopped it;
- the parent renders the default language meanwhile, waits for the child at the very start of
  its own post-build (before any post-build writes a file), and static-i18n's loop then takes
  the child's results instead of building the language again.

The site is the same, byte for byte (tests/deliver/test_parallel_build.py compares whole trees):
every file the two passes both write is written last by the same pass as in the sequential build,
except ``sitemap.xml``, which the default pass would write first with its own pages only; with a
child building the other languages, the default pass leaves it to the child (``on_post_template``).

Everything this module knows about MkDocs' and static-i18n's internals is checked by
``check_shape()`` (tests/engine/test_parallel.py), so an upgrade that changes them fails a test
instead of producing a wrong site. Only used when ``KB_PARALLEL=1`` (``kb build`` sets it); never
under ``mkdocs serve``.
"""
from __future__ import annotations

import inspect
import logging
import os
import pickle
import signal
import sys
import traceback

ENV = "KB_PARALLEL"
log = logging.getLogger("mkdocs.hooks.parallel")

_shared: dict[str, tuple] = {}   # name -> (export, merge): hook state the other languages' pass leaves
_before_fork: list = []          # callables run in the parent just before it forks


def share(name: str, export, merge) -> None:
    """Register hook state made while other languages build: export() in the child, merge(data) in the parent."""
    _shared[name] = (export, merge)


def before_fork(fn) -> None:
    """fn() runs in the parent right before the fork (finish reading a second process's pipe, say)."""
    if fn not in _before_fork:
        _before_fork.append(fn)


def enabled() -> bool:
    return os.environ.get(ENV) == "1" and hasattr(os, "fork")


class _Child:
    def __init__(self, pid: int, fd: int, languages: list[str]):
        self.pid, self.fd, self.languages = pid, fd, languages
        self.payload: dict | None = None

    def wait(self) -> dict:
        if self.payload is None:
            chunks = []
            with os.fdopen(self.fd, "rb") as pipe:
                while chunk := pipe.read(1 << 20):
                    chunks.append(chunk)
            _, status = os.waitpid(self.pid, 0)
            data = b"".join(chunks)
            if not data:
                self.payload = {"error": ("RuntimeError", f"the process building {', '.join(self.languages)} "
                                          f"died (wait status {status})", "")}
            else:
                self.payload = pickle.loads(data)
        return self.payload

    def kill(self) -> None:
        if self.payload is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.payload = {"error": ("RuntimeError", "stopped", "")}


_child: _Child | None = None


def _i18n(config):
    try:
        return config.plugins["i18n"]
    except KeyError:
        return None


def _die_with_parent() -> None:
    """The child is killed when the build process goes (Ctrl-C, SIGTERM): Linux prctl(PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _build_other_languages(config, i18n, others: list[str]) -> dict:
    """In the child: what static-i18n's on_post_build loop does for the other languages."""
    from mkdocs import utils
    from mkdocs.commands import build as mkbuild
    from mkdocs_static_i18n.utils import I18nLoggingFilter

    i18n.building = True
    build_logger = logging.getLogger("mkdocs.commands.build")
    quiet = I18nLoggingFilter()
    quiet.filtered_prefixes.add("Documentation built in")
    quiet.filtered_prefixes.add("Building documentation to directory")
    build_logger.addFilter(quiet)
    utils.clean_directory = lambda x: x
    start = len(i18n.search_entries)
    for locale in others:
        i18n.current_language = locale
        mkbuild.build(config, dirty=False)
    return {"search_entries": i18n.search_entries[start:],
            "shared": {name: export() for name, (export, _) in _shared.items()}}


def fork_other_languages(config) -> None:
    """Called from on_nav of the default language's pass: fork; the child builds the other languages."""
    global _child
    i18n = _i18n(config)
    if not enabled() or i18n is None or i18n.building or _child is not None:
        return
    others = [lang for lang in i18n.build_languages if lang != i18n.current_language]
    if not others:
        return
    for fn in _before_fork:
        fn()
    sys.stdout.flush(), sys.stderr.flush()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: build, send, leave without running the parent's exit handlers
        os.close(read)
        _die_with_parent()
        code = 0
        try:
            payload = _build_other_languages(config, i18n, others)
        except BaseException as exc:  # noqa: BLE001 - every failure goes to the parent, which raises it
            payload = {"error": (type(exc).__name__, str(exc), traceback.format_exc())}
            code = 1
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001
            data = pickle.dumps({"error": ("RuntimeError", f"result not transferable: {exc}", "")})
            code = 1
        with os.fdopen(write, "wb") as pipe:
            pipe.write(data)
        sys.stdout.flush(), sys.stderr.flush()
        os._exit(code)
    os.close(write)
    _child = _Child(pid, read, others)


def wait_for_other_languages(config) -> None:
    """Called at the start of the default pass's post-build: the child must be done before anything is written."""
    if _child is not None and not _i18n(config).building:
        _child.wait()


def _raise(error: tuple) -> None:
    from mkdocs.exceptions import Abort, PluginError

    kind, message, trace = error
    if kind == "Abort":
        raise Abort(message)
    if kind == "PluginError":
        raise PluginError(message)
    if trace:
        log.error(trace.rstrip())
    raise PluginError(f"{kind}: {message}")


def _taken_build(real):
    """static-i18n's `build` for its loop: a language the child built is merged, not built again."""
    def build(config, *args, **kwargs):
        global _child
        i18n = _i18n(config)
        child = _child
        if child is None or i18n is None or i18n.current_language not in child.languages:
            return real(config, *args, **kwargs)
        payload = child.wait()
        if i18n.current_language != child.languages[-1]:
            return None  # merged once, with the last language the child built
        _child = None
        if "error" in payload:
            _raise(payload["error"])
        i18n.search_entries.extend(payload["search_entries"])
        for name, data in payload["shared"].items():
            _shared[name][1](data)
        return None
    build.kb_parallel = True
    return build


def install() -> None:
    """Route static-i18n's per-language builds through _taken_build (once per process)."""
    from mkdocs_static_i18n import plugin

    if not getattr(plugin.build, "kb_parallel", False):
        plugin.build = _taken_build(plugin.build)


def skip_template(template_name: str, config) -> bool:
    """True for the default pass's sitemap.xml when a child writes the full one (both languages)."""
    return template_name == "sitemap.xml" and _child is not None and not _i18n(config).building


def stop() -> None:
    """The build failed: stop the child."""
    global _child
    if _child is not None:
        _child.kill()
        _child = None


def check_shape() -> list[str]:
    """What this module relies on in MkDocs and static-i18n, as a list of what no longer holds."""
    from mkdocs import utils
    from mkdocs.commands import build as mkbuild
    from mkdocs_static_i18n import plugin, reconfigure
    from mkdocs_static_i18n import utils as i18n_utils

    wrong = []
    loop = inspect.getsource(plugin.I18n.on_post_build)
    for needle in ("self.extend_search_entries(config)", "if self.building:", "self.building = True",
                   "utils.clean_directory = lambda x: x", "for locale in self.build_languages:",
                   "self.current_language = locale", "build(config, dirty=dirty)",
                   "self.reconfigure_search_index(config)", "self.building = False",
                   'i18n_filter.filtered_prefixes.add("Documentation built in")',
                   'i18n_filter.filtered_prefixes.add("Building documentation to directory")'):
        if needle not in loop:
            wrong.append(f"mkdocs_static_i18n.plugin.I18n.on_post_build no longer has: {needle}")
    if "from mkdocs.commands.build import build" not in inspect.getsource(plugin):
        wrong.append("mkdocs_static_i18n.plugin no longer imports build from mkdocs.commands.build")
    init = inspect.getsource(reconfigure.ExtendedPlugin.__init__)
    for attr in ("self.building", "self.current_language", "self.search_entries"):
        if attr not in init:
            wrong.append(f"static-i18n's plugin no longer sets {attr}")
    if not hasattr(i18n_utils, "I18nLoggingFilter"):
        wrong.append("mkdocs_static_i18n.utils.I18nLoggingFilter is gone")
    if not callable(getattr(utils, "clean_directory", None)):
        wrong.append("mkdocs.utils.clean_directory is gone")
    source = inspect.getsource(mkbuild.build)
    order = ["config.plugins.on_nav(", "_populate_page(", "files.copy_static_files(",
             "_build_theme_template(", "_build_page(", "config.plugins.on_post_build("]
    at = [source.find(s) for s in order]
    if -1 in at or at != sorted(at):
        wrong.append("mkdocs.commands.build.build: on_nav, Markdown, static files, theme templates, pages, "
                     "post_build no longer come in this order")
    return wrong
