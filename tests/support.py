"""Helpers every test module shares: the project root, parsing, project copies, running `kb` in them."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

import kbfork
from kb.bench import site as bench
from kb.deliver import build as kbbuild

ROOT = Path(__file__).resolve().parent.parent

# A copy holds what the project's commands read there: the site's sources, its settings and the hooks
# mkdocs.yml names, with the `python scripts/kb.py` shim. Not the kb package: a command in a copy runs
# the installed one (the working tree's, editable), as it does in the real tree; that halves each copy.
PROJECT_PARTS = ["mkdocs.yml", "docs", "data", "overrides", "scripts/hooks", "scripts/kb.py", "pyproject.toml",
                 ".yamllint.yml", ".pymarkdown.json"]


def load_yaml(text: str):
    """YAML as PyYAML's safe loader reads it, through libyaml when PyYAML has it, as kb does (the data
    files and the generated manifests: 10 times faster than the pure-Python loader)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def copy_project(dest: Path) -> Path:
    """A copy of the project's sources, with the real tree's views cache (`.cache/views.json`): a page
    the test leaves alone is not parsed again by every `kb` command it runs, one it changes is (its
    text, mkdocs.yml and the kb code are in the key: kb.views.mdscan._Disk). The findings caches stay
    behind (seed_caches)."""
    copy = bench.copy_project(dest, ROOT, PROJECT_PARTS)
    views = ROOT / ".cache" / "views.json"
    if views.is_file():
        (copy / ".cache").mkdir(exist_ok=True)
        shutil.copyfile(views, copy / ".cache" / "views.json")
    return copy


def seed_caches(project: Path) -> None:
    """Give a project copy the real tree's findings caches (`.cache/`, git-ignored) as a contributor's
    checkout holds them after `make check`. The pages a test leaves alone are then served from the
    cache and the ones it changes are checked afresh: a page's text, the settings and the checking
    code are all in a cache key (kb.checks.lint, kb.checks.rendered), and tests/checks/test_runner.py
    shows that a cache never hides a new problem. Without caches in the real tree (a fresh clone) the
    copy starts cold: slower, the same findings."""
    for name in ("lint-markdown.json", "check-rendered.json"):
        found = ROOT / ".cache" / name
        if found.is_file():
            (project / ".cache").mkdir(exist_ok=True)
            shutil.copyfile(found, project / ".cache" / name)


def build_copy(project: Path, **kw) -> subprocess.CompletedProcess:
    """Strict build of a project copy; returns the completed process (never raises)."""
    return subprocess.run(
        [sys.executable, "-m", "kb", "build", "--site-dir", str(project / "site"), *kw.get("args", [])],
        cwd=project, env=kbbuild.mkdocs_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def kb(project: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `kb ARGS` inside a project copy (or the real project): the project is the working directory.

    In a forked child of a process that has the libraries loaded (tests/kbfork.py): the same
    command, exit code and output as `python -m kb ARGS`, without a new interpreter's start."""
    return kbfork.run(project, args, kbbuild.mkdocs_env())
