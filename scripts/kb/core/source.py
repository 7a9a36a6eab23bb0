"""Reading source files, and the one rule for lines and columns.

Every check reads pages and data files through this module, so that every check agrees on
what a line is and says the same thing about a file it cannot read:

- **Lines**: ``\\r\\n`` and a lone ``\\r`` are normalised to ``\\n`` first; then a line ends at
  ``\\n`` and nowhere else (not at ``\\x85``, U+2028, U+2029, ``\\f`` or ``\\v``, which Python's
  ``str.splitlines()`` and PyYAML's marks count as breaks, but editors, Git and
  Python-Markdown do not). A final newline does not start another line.
- **Columns** count characters (not bytes), 1-based in messages.
- **Encodings**: UTF-8. A UTF-8 byte order mark is accepted (and removed); other bytes that are
  not UTF-8 are reported at the first bad line and column, naming the byte.
- **Files**: a page that is a folder, a dangling symlink or a symlink to a folder is reported
  by name (``*.md`` folders under docs/ confuse MkDocs and every tool that globs for pages).
"""
from __future__ import annotations

import bisect
import os
from dataclasses import dataclass, field
from pathlib import Path

from kb.core.problems import Problem, relpath

BOM = "\ufeff"


def normalize(text: str) -> str:
    """``\\r\\n`` and ``\\r`` become ``\\n``; a leading BOM is removed."""
    if text.startswith(BOM):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_lines(text: str) -> list[str]:
    """The lines of a (normalised) text: split on ``\\n`` only. ``"a\\n"`` is one line, ``""`` none."""
    text = normalize(text)
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


class LineIndex:
    """Offsets to 1-based (line, column) in a normalised text, in O(log n) per lookup."""

    def __init__(self, text: str):
        self.starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            self.starts.append(i + 1)
            i = find("\n", i + 1)

    def line_col(self, offset: int) -> tuple[int, int]:
        n = bisect.bisect_right(self.starts, offset) - 1
        return n + 1, offset - self.starts[n] + 1


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset in a normalised text."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@dataclass
class FrontMatter:
    """A page's YAML front matter: the lines between a first line ``---`` and the next ``---`` or
    ``...`` (the one front-matter reader: kb.content.translations, kb.checks.frontmatter)."""
    lines: list = field(default_factory=list)     # the YAML lines; lines[0] is the page's line 2
    end: int = -1                                   # 0-based line of the closing fence (-1: none)
    data: dict = field(default_factory=dict)        # the mapping ({} when none, or not a mapping)
    node: object = None                             # its YAML node (for positions)
    problems: list = field(default_factory=list)    # (0-based line, 0-based col, message)

    def key_line(self, key: str) -> int:
        """0-based page line of the top-level key `key`, 0 when it is absent."""
        from kb.core import yamldoc

        mark = yamldoc.key_mark(self.node, (), key) if self.node is not None else None
        return mark[0] + 1 if mark else 0


def front_matter(text: str) -> FrontMatter:
    """The front matter of a page's text (any line endings, a BOM allowed), parsed by kb.core.yamldoc.
    An opening ``---`` that is never closed is a problem at line 1; no front matter is no problem."""
    from kb.core import yamldoc

    lines = split_lines(text)
    if not lines or lines[0].rstrip() != "---":
        return FrontMatter()
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
    else:
        return FrontMatter(problems=[(0, 0, "front matter is not closed with '---'")])
    fm = FrontMatter(lines[1:end], end)
    docs, issues = yamldoc.parse("\n".join(fm.lines) + "\n")
    fm.problems = [(i.line + 1, i.col, f"front matter: {i.message}") for i in issues]
    if docs and isinstance(docs[0].data, dict):
        fm.data, fm.node = docs[0].data, docs[0].node
    elif docs and docs[0].data is not None:
        fm.problems.append((1, 0, "front matter must be a mapping of keys to values"))
    return fm


@dataclass
class Source:
    path: Path
    text: str | None          # normalised text; None when the file cannot be read at all
    problems: list[Problem]   # why it cannot be read, or what is wrong with its bytes
    had_bom: bool = False


def _rel(path: Path) -> str:
    """relpath() of the entry itself, not of what a symlink points to."""
    return f"{relpath(path.parent)}/{path.name}"


def _kind_problem(path: Path) -> str | None:
    """Why `path` is not a readable regular file, or None."""
    if path.is_symlink():
        target = os.readlink(path)
        if not path.exists():
            return f"dangling symlink (to '{target}'): remove it or point it at a file"
        if path.is_dir():
            return f"symlink to a folder ('{target}'): pages must be files"
    if path.is_dir():
        return "a folder named like a page: rename it (folders under docs/ must not end in .md)"
    if not path.exists():
        return "file is missing"
    if not path.is_file():
        return "not a regular file"
    return None


def decode(data: bytes, path: Path | str) -> tuple[str, list[Problem], bool]:
    """(normalised text, problems, had BOM). Bytes that are not UTF-8 are reported at their line
    and column and replaced by U+FFFD, so the rest of the file can still be checked."""
    rel = relpath(path) if isinstance(path, Path) else path
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    try:
        text = data.decode("utf-8")
        problems: list[Problem] = []
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8")
        line = good.count("\n") + 1
        col = len(good) - (good.rfind("\n") + 1) + 1
        bad = data[exc.start:exc.end].hex(" ")
        hint = ""
        if all(b < 0x80 or 0xa0 <= b for b in data[exc.start:exc.start + 64]):
            hint = " (it looks like Latin-1 or Windows-1252)"
        problems = [Problem(rel, line, col, f"not valid UTF-8 (byte {bad}): save the file as UTF-8{hint}")]
        text = data.decode("utf-8", errors="replace")
    return normalize(text), problems, bom


def read(path: Path) -> Source:
    """A source file's normalised text and what stands in the way of reading it. Never raises."""
    path = Path(path)
    why = _kind_problem(path)
    if why:
        return Source(path, None, [Problem(_rel(path), 1, 1, why)])
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Source(path, None, [Problem(relpath(path), 1, 1, f"cannot read the file: {exc.strerror or exc}")])
    text, problems, bom = decode(data, path)
    return Source(path, text, problems, bom)


def read_text(path: Path) -> str:
    """Normalised text of a file, '' when it cannot be read (the problem is reported by read())."""
    src = read(path)
    return src.text or ""


def markdown_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """(readable ``*.md`` files under `folder`, sorted; problems with entries named ``*.md`` that are
    not files (folders, dangling symlinks, symlinks to folders) and with symlinked folders, which
    are not entered)."""
    files: list[Path] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return files, problems
    for dirpath, dirnames, filenames in os.walk(folder):  # os.walk does not follow folder symlinks
        base = Path(dirpath)
        for name in dirnames:
            if name.endswith(".md"):
                problems.append(Problem(_rel(base / name), 1, 1, _kind_problem(base / name) or "not a file"))
            elif (base / name).is_symlink():
                problems.append(Problem(_rel(base / name), 1, 1, f"symlink to a folder ('{os.readlink(base / name)}'): "
                                        "copy the pages instead (folder symlinks are not followed by the checks)"))
        for name in filenames:
            if not name.endswith(".md"):
                continue
            path = base / name
            why = _kind_problem(path)
            if why:
                problems.append(Problem(_rel(path), 1, 1, why))
            else:
                files.append(path)
        dirnames[:] = [d for d in dirnames if not d.endswith(".md") and not (base / d).is_symlink()]
    return sorted(files), sorted(problems)


def explain_crash(log: str, root: Path) -> str:
    """A build log whose traceback comes from bad input (a page that is not UTF-8, or nested too
    deeply for the Markdown parser), with the traceback replaced by PATH:LINE:COL lines naming it.
    Other logs come back unchanged (a genuine bug keeps its traceback)."""
    if "Traceback (most recent call last)" not in log:
        return log
    last = [ln for ln in log.splitlines() if ln and not ln.startswith(" ")]
    crash = next((ln for ln in reversed(last)
                  if ln.startswith(("UnicodeDecodeError", "RecursionError", "FileNotFoundError"))), None)
    if crash is None:
        return log
    if crash.startswith("FileNotFoundError"):
        # MkDocs copying a file under docs/ that is a dangling symlink (check-published names it too)
        problems = [Problem(_rel(path), 1, 1, f"dangling symlink to {os.readlink(path)}: the build cannot copy it "
                                              "(remove it, or copy the file instead)")
                    for path in _dangling(root / "docs") if f"'{path}'" in crash]
        return _replace_traceback(log, crash, problems)
    from kb.views import mdscan

    files, problems = markdown_files(root / "docs")
    for path in files:
        src = read(path)
        problems += src.problems
        deep = mdscan.too_deep(src.text or "")
        if deep:
            problems.append(Problem(relpath(path), deep[1] + 1, 1, f"nested {deep[0]} levels deep (lists, quotes or "
                                    f"containers): more than the Markdown renderer can read ({mdscan.MAX_NESTING})"))
    return _replace_traceback(log, crash, problems)


def _dangling(folder: Path) -> list[Path]:
    """Symlinks under `folder` whose target does not exist (folder symlinks are not entered)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        found += [Path(dirpath) / n for n in dirnames + filenames
                  if (Path(dirpath) / n).is_symlink() and not (Path(dirpath) / n).exists()]
    return sorted(found)


def _replace_traceback(log: str, crash: str, problems: list[Problem]) -> str:
    """The log with its traceback (through the `crash` line) replaced by the problems; unchanged without any."""
    if not problems:
        return log
    lines = log.splitlines()
    start = next(i for i, ln in enumerate(lines) if "Traceback (most recent call last)" in ln)
    end = next((i for i, ln in enumerate(lines) if ln == crash and i > start), len(lines) - 1)
    named = [str(p) for p in sorted(problems)]
    return "\n".join(lines[:start] + [f"ERROR   -  the build stopped on bad input ({crash.split(':')[0]}):"]
                     + named + lines[end + 1:]) + "\n"
