"""`kb COMMAND` for the tests, in a forked child of a warm process instead of a new interpreter.

About 70 tests of `make test-fast` run a `kb` command in a project copy. A new `python -m kb`
spends 0.25-0.4 s of CPU before the command starts: the interpreter, then the third-party
libraries every command imports (jsonschema and its registry, PyYAML, Python-Markdown and the
pymdownx extensions, Jinja, lexbor...). Here one server process per pytest worker imports those
libraries once; for each command it forks, and the child does what `python -m kb` does: it moves
to the project's folder, takes the command's environment, imports `kb` (never imported in the
server: kb.core.settings finds the project from the working directory at import time) and runs
its `__main__`, with stdout and stderr in one stream as `stderr=STDOUT` gives, stdin from
/dev/null. The exit code and the output are the command's own.

What still needs a new interpreter uses subprocess directly: the interrupt tests (signals to a
process group), the builds (`python -m mkdocs`), the console script itself (tests/test_cli.py).
If the server cannot start, or a command's environment differs from the server's in what an
interpreter reads when it starts (PYTHON*, LC_*, LANG), `run()` uses a new interpreter. What the
children share, unlike new interpreters: one hash seed per server, and warnings the preloaded
libraries print when imported (shown once, by the server).
"""
from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading

# The libraries every kb command (or most) imports; loaded once in the server.
PRELOAD = [
    "yaml", "jsonschema", "jsonschema.validators", "jsonschema_specifications", "referencing",
    "markdown", "markdown.extensions.toc", "markdown.extensions.attr_list", "markdown.extensions.md_in_html",
    "markdown.extensions.tables", "markdown.extensions.footnotes", "markdown.extensions.abbr",
    "markdown.extensions.admonition", "markdown.extensions.def_list", "markdown.extensions.codehilite",
    "markdown.extensions.fenced_code", "importlib.metadata", "csv", "difflib",
    "pymdownx.superfences", "pymdownx.highlight", "pymdownx.tabbed", "pymdownx.details", "pymdownx.emoji",
    "pymdownx.inlinehilite", "pymdownx.snippets", "pymdownx.keys", "pymdownx.util",
    "pygments", "pygments.lexers", "pygments.formatters.html",
    "jinja2", "selectolax.lexbor", "bs4", "urllib.request", "http.client", "email.parser",
    "pymarkdown.api", "yamllint.linter", "yamllint.config", "material.extensions.emoji",
]

_SERVER = r"""
import atexit, importlib, json, os, runpy, signal, sys, traceback

for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a library that is not installed: the child imports what it needs
        pass
print(json.dumps({"ready": True}), flush=True)

for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:  # the child: what `python -m kb ARGS` does, in the project's folder
        code = 1
        atexit._clear()  # the server's exit handlers are the server's; the command's own run at its exit
        try:
            out = os.open(req["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            err = os.open(req["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600) if req["err"] else out
            os.dup2(out, 1)
            os.dup2(err, 2)
            os.close(out)
            if err != out:
                os.close(err)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.close(null)
            os.chdir(req["cwd"])
            os.environ.clear()
            os.environ.update(req["env"])
            sys.dont_write_bytecode = bool(req["env"].get("PYTHONDONTWRITEBYTECODE"))
            sys.argv = ["kb", *req["args"]]
            try:
                runpy.run_module("kb", run_name="__main__", alter_sys=True)
                code = 0
            except SystemExit as exc:  # sys.exit(): the code, or a message and 1, as the interpreter does
                if exc.code is None:
                    code = 0
                elif isinstance(exc.code, int):
                    code = exc.code
                else:
                    print(exc.code, file=sys.stderr)
                    code = 1
            except KeyboardInterrupt:  # as the interpreter does: the traceback, then death by SIGINT
                traceback.print_exc()
                sys.stderr.flush()
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGINT)
            except BaseException:  # noqa: BLE001 - an uncaught exception: its traceback, exit 1
                traceback.print_exc()
                code = 1
        finally:
            try:
                atexit._run_exitfuncs()  # as the interpreter does when `python -m kb` ends (kb saves its caches)
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"id": req["id"], "returncode": os.waitstatus_to_exitcode(status)}), flush=True)
"""


def _startup(env: dict) -> dict:
    """What an interpreter reads from the environment when it starts (flags, hash seed, locale,
    warnings): a command whose environment differs there gets a new interpreter."""
    return {k: v for k, v in env.items() if k.startswith(("PYTHON", "LC_")) or k in ("LANG", "LANGUAGE")}


class _Server:
    def __init__(self, env: dict) -> None:
        self.lock = threading.Lock()
        self.startup = _startup(env)
        self.calls = 0
        self.proc = subprocess.Popen([sys.executable, "-c", _SERVER, json.dumps(PRELOAD)], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if json.loads(self.proc.stdout.readline() or "{}").get("ready") is not True:
            self.kill()
            raise OSError("the kb fork server did not start")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def run(self, cwd, args, env, merge: bool) -> subprocess.CompletedProcess:
        with self.lock, tempfile.TemporaryDirectory(prefix="kbfork-") as tmp:
            out, err = os.path.join(tmp, "out"), "" if merge else os.path.join(tmp, "err")
            self.calls += 1
            self.proc.stdin.write(json.dumps({"id": self.calls, "cwd": str(cwd), "args": list(args), "env": env,
                                              "out": out, "err": err}) + "\n")
            self.proc.stdin.flush()
            reply = self.proc.stdout.readline()
            if not reply or json.loads(reply).get("id") != self.calls:
                raise OSError("the kb fork server died or answered another call")
            streams = []
            for path in (out, err) if err else (out,):
                with open(path, encoding="utf-8", errors="replace") as f:
                    streams.append(f.read())
            return subprocess.CompletedProcess([sys.executable, "-m", "kb", *args], json.loads(reply)["returncode"],
                                               streams[0], streams[1] if err else None)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


_server: _Server | None = None
_unavailable = False


def run(cwd, args, env: dict, merge: bool = True) -> subprocess.CompletedProcess:
    """`python -m kb ARGS` in `cwd` with `env`, as text: stdout and stderr together (`merge`), or apart.

    A new interpreter when the server cannot start, or when `env` differs from the server's in
    what an interpreter reads at start. A server that dies during a call is an error of that call
    (the command may have written files: it is not run a second time)."""
    global _server, _unavailable
    if _server is None and not _unavailable:
        try:
            _server = _Server(env)
            atexit.register(_server.close)
        except (OSError, ValueError):
            _unavailable = True
    if _server is None or _startup(env) != _server.startup:
        return subprocess.run([sys.executable, "-m", "kb", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if merge else subprocess.PIPE, text=True)
    try:
        return _server.run(cwd, args, env, merge)
    except BaseException:  # a dead server, a stale reply, an interrupt half-way: never reuse this one
        server, _server = _server, None
        server.kill()
        raise
