"""Problems found by the checks, and how they are printed.

Every check in this project reports `Problem`s. One format everywhere:
``PATH:LINE:COL: MESSAGE`` (PATH relative to the repository), which editors,
compilers' users and CI annotators all understand. Under GitHub Actions the
same problems are also emitted as ``::error`` workflow commands.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.core.settings import ROOT


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    col: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"

    def github(self) -> str:
        level = "error" if self.severity == "error" else "warning"
        msg = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{level} file={self.path},line={self.line},col={self.col}::{msg}"


class ProblemsError(Exception):
    """Raised with every problem found, so callers can report them all at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def relpath(path: str | os.PathLike, root: Path = ROOT) -> str:
    """Path relative to the repository root when inside it, with forward slashes."""
    return _relpath(os.fspath(path), root, os.getcwd())


@lru_cache(maxsize=8192)  # checks name the same files again and again; resolving costs system calls
def _relpath(path: str, root: Path, cwd: str) -> str:
    p = Path(cwd, path).resolve()
    try:
        return p.relative_to(root).as_posix()
    except ValueError:
        return p.as_posix()


def report(problems: list[Problem], stream=None) -> None:
    """Print problems one per line; add GitHub annotations when running in Actions."""
    import sys

    stream = stream or sys.stdout
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    for p in sorted(problems):
        print(p, file=stream)
        if in_actions:
            print(p.github(), file=stream)
