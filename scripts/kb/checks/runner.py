"""`kb check`: every check a pull request must pass, in one command, in seconds.

The one local gate: `make check`, the pre-commit hook and the pull-request workflow all run
this. Each check is an ordinary kb subcommand (looked up in kb.cli.COMMANDS) run in its own
process (forked from `kb check`, which has imported the checks' modules first: run_all), as many
at once as there are cores, the slow ones first; each prints its own
``PATH:LINE:COL: MESSAGE`` lines, shown in a fixed order. All of them run even when one fails,
and the exit code is 1 when any failed. No site build: the build-only checks (MkDocs' own link
validation on generated pages) run in `make test` and in the publishing workflow.

The site build enforces the whole-tree source checks too (snippets, glossary references, map,
safety, links: BUILD_CHECKS). They read the Markdown sources, not the rendered pages, so the
build runs them in a second process while it renders (scripts/kb/core/background.py, started and
collected by scripts/hooks/checks.py): on two cores they cost the build almost no wall time, and a problem
still fails it with every PATH:LINE:COL: MESSAGE. `kb check-build` runs the same set.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from kb.core.problems import Problem

# (subcommand, arguments) in the order they run.
CHECKS = [
    ("check-snippets", []),      # YAML snippets: syntax, Kubernetes schemas
    ("check-glossary", []),      # data/glossary.yml and [[term]] references
    ("check-mapping", []),       # data/vsphere-to-kubernetes.yml and the map page
    ("check-translations", []),  # twins, drift (outdated pages are warnings: --strict to fail)
    ("check-terms", []),         # one Spanish voice: data/terminology.yml in pages and data files
    ("check-safety", []),        # raw HTML, script URLs, secrets
    ("check-rendered", []),      # pages rendered with the site's Markdown settings, held to the safety gate; files under docs/
    ("check-links", []),         # internal links and anchors
    ("lint-yaml", []),           # yamllint on data files and workflows
    ("lint-markdown", []),       # PyMarkdown on the pages
    ("lint-python", []),         # ruff on scripts/ and tests/
]


SLOW_FIRST = ("lint-markdown", "check-snippets")  # started first, so they overlap the quick ones


_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
GRACE_S = 5.0  # after an interrupt, how long a check may take to stop its own children before SIGKILL


class _Check:
    """One check running in a child process forked from `kb check` (kb.core.interrupts tracks it)."""

    def __init__(self, name: str, args: list[str], out: Path, mask) -> None:
        """Fork the check; called with SIGINT and SIGTERM blocked (`mask`: the mask to restore in
        the child), so that no interrupt comes between the fork and the child being tracked."""
        self.name, self.out, self.t0, self.asked = name, out, time.monotonic(), False
        sys.stdout.flush()  # nothing buffered here may be written again by the child
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:
            _child(name, args, out, mask)  # never returns

    def kill(self) -> None:
        """Ask the check to stop, once (SIGTERM: its kb unwinds and stops its own children); run_all
        sends SIGKILL to a check still running GRACE_S later."""
        if not self.asked:
            self.asked = True
            self.signal(signal.SIGTERM)

    def signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass


def _child(name: str, args: list[str], out: Path, mask) -> None:
    """In the forked child: `kb NAME ARGS`, everything it prints into `out`, then exit with its code,
    as the interpreter would (atexit handlers run, non-daemon threads are waited for)."""
    import atexit
    import threading

    code = 70
    try:
        from kb.core import interrupts

        atexit._clear()  # the parent's exit handlers are the parent's, as in a new interpreter
        interrupts.forget_children()  # the siblings are the parent's to stop, not this check's
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        # fds 1 and 2, whatever the caller had put in sys.stdout (a redirect_stdout, say)
        sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)
        from kb import cli as kb

        code = kb.main([name, *args])
    except SystemExit as exc:  # as the interpreter: an int is the code; anything else is printed, code 1
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException as exc:  # noqa: BLE001 - kb.main reports its own errors; this is a last resort
        interrupts = sys.modules.get("kb.core.interrupts")
        if isinstance(exc, KeyboardInterrupt) or (interrupts is not None and interrupts.is_interrupt(exc)):
            # Ctrl-C or SIGTERM before kb.main took over the signals: kb check says what stopped
            code = interrupts.exit_code(exc) if interrupts is not None else 130
        else:
            import traceback

            traceback.print_exc()
    finally:
        try:
            for thread in threading.enumerate():
                if thread is not threading.current_thread() and not thread.daemon:
                    thread.join()
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def run_all(selected: list[tuple[str, list[str]]], workers: int):
    """Run the checks, `workers` at a time, the slow ones first; yield (name, exit code, output,
    seconds) in the order of `selected` as soon as each one and those before it are done.

    Each check is a child process forked from this one after it has imported every selected
    check's module: a check starts without a new interpreter and without importing its libraries
    again (about 0.3 s of CPU each), isolated as before, one process per check. One thread: the
    children are forked and waited for here (kb check has no other children while it runs)."""
    from kb import cli as kb
    from kb.core import interrupts

    for name, _ in selected:
        if name in kb.COMMANDS:
            try:
                importlib.import_module(kb.COMMANDS[name][0])
            except Exception:  # noqa: BLE001 - the check's child imports it again and fails alone, with its traceback
                pass
    order = sorted(selected, key=lambda item: item[0] not in SLOW_FIRST)
    done: dict[str, tuple[int, str, float]] = {}
    running: dict[int, _Check] = {}
    tmp = Path(tempfile.mkdtemp(prefix="kb-check-"))
    sigchld = signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # ignored, it would make the children vanish unwaited
    try:
        for name, _ in selected:
            if name not in kb.COMMANDS:
                done[name] = (1, f"kb check: '{name}' is not a kb command yet (see COMMANDS in scripts/kb/cli.py)\n", 0.0)
        order = [item for item in order if item[0] not in done]
        reported = 0
        while reported < len(selected):
            while order and len(running) < workers and not interrupts.stopping():
                name, args = order.pop(0)
                # No interrupt until the child is tracked (an untracked child would run on, orphaned)
                # and, in the child, until it has forgotten the parent's list of checks (its handler
                # would stop its siblings).
                mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
                try:
                    check = interrupts.track(_Check(name, args, tmp / f"{name}.out", mask))
                    running[check.pid] = check
                finally:
                    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            if not running:  # an interrupt stopped the start of the rest
                raise KeyboardInterrupt
            pid, status = os.waitpid(-1, 0)
            check = running.pop(pid, None)
            if check is not None:
                interrupts.untrack(check)
                output = check.out.read_text(encoding="utf-8", errors="replace") if check.out.exists() else ""
                code = os.waitstatus_to_exitcode(status)
                if code < 0:
                    output += f"kb check: {check.name} was killed by signal {-code}\n"
                done[check.name] = (code, output, time.monotonic() - check.t0)
            while reported < len(selected) and selected[reported][0] in done:
                name = selected[reported][0]
                yield (name, *done[name])
                reported += 1
    finally:  # a second Ctrl-C or SIGTERM waits until this is done (then it is handled as usual)
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            _stop(running)
            signal.signal(signal.SIGCHLD, sigchld)
            shutil.rmtree(tmp, ignore_errors=True)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _stop(running: dict[int, _Check]) -> None:
    """An interrupt: SIGTERM to what still runs, SIGKILL to what still runs GRACE_S later; no zombie."""
    for check in running.values():
        check.kill()
    deadline = time.monotonic() + GRACE_S
    while running and time.monotonic() < deadline:
        for pid in list(running):
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    running.pop(pid)
            except ChildProcessError:
                running.pop(pid)
        time.sleep(0.02)
    for pid, check in list(running.items()):
        check.signal(signal.SIGKILL)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def cli(argv: list[str]) -> int:
    """`kb check [--only NAME ...]`: every check (snippets, glossary, map, translations, safety, links, lints)."""
    ap = argparse.ArgumentParser(prog="kb check", description=cli.__doc__)
    ap.add_argument("--only", nargs="+", metavar="NAME", help="run only these checks")
    ap.add_argument("--quiet", "-q", action="store_true", help="print only problems, no per-check lines")
    args = ap.parse_args(argv)
    selected = [(n, a) for n, a in CHECKS if not args.only or n in args.only]
    if args.only and len(selected) != len(args.only):
        print(f"kb check: unknown check in {args.only}; known: {', '.join(n for n, _ in CHECKS)}")
        return 2
    failed = []
    start = time.monotonic()
    for name, code, output, seconds in run_all(selected, max(2, os.cpu_count() or 2)):
        sys.stdout.write(output)  # in the fixed order, whatever finished first
        if code != 0:
            failed.append(name)
        if not args.quiet:
            print(f"{'FAIL' if code else 'ok  '} {name} ({seconds:.1f} s)")
        sys.stdout.flush()
    total = time.monotonic() - start
    if failed:
        print(f"kb check: {len(failed)} of {len(selected)} checks failed ({', '.join(failed)}) in {total:.1f} s")
        return 1
    print(f"kb check: all {len(selected)} checks passed in {total:.1f} s")
    return 0


# --------------------------------------------------------------------------- the build's checks

def _snippets(docs: Path, data: Path):
    from kb.checks import snippets

    snippets.STATS.reset()
    problems = snippets.check_tree(docs)
    if os.environ.get("KB_SNIPPETS_TIMING"):
        print(snippets.STATS.line(), file=sys.stderr)
    return problems


def _glossary(docs: Path, data: Path):
    from kb.content import glossary

    return glossary.check(glossary.docs_files(docs))


def _mapping(docs: Path, data: Path):
    from kb.content import mapping

    return mapping.check(docs=docs)


def _safety(docs: Path, data: Path):
    from kb.checks import safety

    return safety.check(docs, data)


def _terms(docs: Path, data: Path):
    from kb.checks import terms

    return terms.check(docs, data)


def _links(docs: Path, data: Path):
    from kb.checks import links

    return links.check(docs)


# Whole-tree checks every build enforces (the same functions as check-snippets, check-glossary, ...):
# name -> (function, what one problem is called in the build's error).
BUILD_CHECKS = {
    "snippets": (_snippets, "snippet problem"),
    "glossary": (_glossary, "glossary problem"),
    "mapping": (_mapping, "vSphere-to-Kubernetes map problem"),
    "safety": (_safety, "content safety problem"),
    "terms": (_terms, "terminology problem"),
    "links": (_links, "broken link"),
}


def build_problems(docs: Path, data: Path) -> dict[str, list[Problem]]:
    """{what a problem is called: its problems, sorted} for every build check that found some."""
    found = {}
    for check, what in BUILD_CHECKS.values():
        problems = sorted(set(check(docs, data)))
        if problems:
            found[what] = problems
    return found


def cli_build(argv: list[str]) -> int:
    """`kb check-build [--json]`: the source checks every site build enforces, without building."""
    from kb.core.problems import report
    from kb.core.settings import DATA, DOCS

    ap = argparse.ArgumentParser(prog="kb check-build", description=cli_build.__doc__)
    ap.add_argument("--docs", type=Path, default=DOCS, help="docs folder (default: docs/)")
    ap.add_argument("--data", type=Path, default=DATA, help="data folder (default: data/)")
    ap.add_argument("--json", action="store_true", help="print the problems as JSON (what the build reads)")
    args = ap.parse_args(argv)
    found = build_problems(args.docs, args.data)
    if args.json:
        print(json.dumps({what: [dataclasses.asdict(p) for p in ps] for what, ps in found.items()}))
    else:
        report(sorted(p for ps in found.values() for p in ps))
    return 1 if found else 0


def collect(worker) -> dict[str, list[Problem]]:
    """The problems of a `check-build --json` run in a background.Background; its failure is one too."""
    from kb.core.background import BackgroundFailed

    try:
        found = worker.result()
        return {what: [Problem(**p) for p in ps] for what, ps in found.items()}
    except BackgroundFailed as exc:
        return {"problem": [Problem("scripts/kb/checks/runner.py", 1, 1, f"the build's source checks: {exc}")]}
    finally:
        worker.stop()
