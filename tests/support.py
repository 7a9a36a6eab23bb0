"""Helpers every test module shares: the project root, parsing, project copies, running `kb` in them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

import kbfork
from kb.bench import site as bench
from kb.deliver import build as kbbuild

ROOT = Path(__file__).resolve().parent.parent

PROJECT_PARTS = ["mkdocs.yml", "docs", "data", "overrides", "scripts", "pyproject.toml", ".yamllint.yml", ".pymarkdown.json"]


def parse(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def copy_project(dest: Path) -> Path:
    return bench.copy_project(dest, ROOT, PROJECT_PARTS)


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
