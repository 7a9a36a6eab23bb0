"""Style linters with the project's settings: yamllint for YAML, PyMarkdown for Markdown.

Both report ``PATH:LINE:COL: MESSAGE`` like every other check, and both fail on any finding.

- ``kb lint-yaml``: the data files, the workflows and the pre-commit configuration, with
  ``.yamllint.yml``.
- ``kb lint-markdown``: the pages and the contributor guides, with ``.pymarkdown.json``.
  The settings are tuned for Material for MkDocs: rules that misread its syntax are off —
  MD046 (admonition and tab bodies are indented, so they look like indented code), MD030
  (``-   `` list markers keep Python-Markdown's 4-space nesting), MD033 (raw HTML is the content
  safety check's business, with an allowlist), MD051 (anchors come from ``{ #id }``, which only
  ``kb check-links`` understands), MD060 (compact table delimiter rows), MD013 (prose is
  wrapped by hand; tables and URLs run long) and MD036 (bold lead-ins in step lists). Glossary
  references ``[[id|label]]`` are read as ``[[id/label]]`` so the ``|`` does not split a table cell
  (the glossary hook turns them into links before Markdown sees them). Front matter is allowed.
  Findings are cached per page content in ``.cache/lint-markdown.json``.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from kb.content.glossary import REF
from kb.core import cache as jsoncache
from kb.core import source
from kb.core.problems import Problem, relpath, report
from kb.core.settings import ROOT

YAMLLINT_CONFIG = ROOT / ".yamllint.yml"
PYMARKDOWN_CONFIG = ROOT / ".pymarkdown.json"
MARKDOWN_CACHE = ROOT / ".cache" / "lint-markdown.json"  # .cache/ is git-ignored


def yaml_files(root: Path = ROOT) -> list[Path]:
    files = sorted((root / "data").glob("*.yml")) + sorted((root / "data").glob("*.yaml"))
    files += sorted((root / ".github" / "workflows").glob("*.yml"))
    files += [p for p in (root / ".pre-commit-config.yaml", root / ".yamllint.yml") if p.is_file()]
    return files


def markdown_files(root: Path = ROOT) -> list[Path]:
    return source.markdown_files(root / "docs")[0] + sorted(p for p in root.glob("CONTRIBUTING*.md") if p.is_file())


def _expand(paths: list[str], default, suffixes) -> list[Path] | None:
    if not paths:
        return default()
    out = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            return None
        out += sorted(f for f in path.rglob("*") if f.suffix in suffixes) if path.is_dir() else [path]
    return out


def lint_yaml(files: list[Path]) -> list[Problem]:
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    conf = YamlLintConfig(file=str(YAMLLINT_CONFIG))
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for p in linter.run(text, conf, str(path)):
            rule = f" ({p.rule})" if p.rule else ""
            problems.append(Problem(relpath(path), p.line, p.column, f"{p.desc}{rule}"))
    return problems


def _readable(text: str) -> str:
    """Glossary references with a label: keep positions, hide the '|' from the table parser."""
    return REF.sub(lambda m: m.group(0).replace("|", "/"), text)


_DIRECTIVE = re.compile(r"^[ \t]*<!--[ \t]*snippet:.*-->[ \t]*$")


def _after_snippet_directive(lines: list[str], line: int) -> bool:
    """Line `line` (1-based) opens a fence right below a `<!-- snippet: ... -->` directive. The snippet
    checker reads the directive only on the line before the fence, so MD031's blank line cannot be there."""
    return 2 <= line <= len(lines) and bool(_DIRECTIVE.match(lines[line - 2])) \
        and lines[line - 1].lstrip().startswith(("```", "~~~"))


@functools.cache
def _cache_inputs() -> bytes:
    """What every page's findings depend on besides its text: PyMarkdown's version, its settings, and
    the source of this module and of the glossary reference pattern _readable() uses (how the text is
    prepared and findings filtered and worded: a change there is never served stale findings from an
    old cache, with no version number to remember to bump)."""
    from importlib.metadata import version

    h = hashlib.sha256()
    for part in (version("pymarkdownlnt").encode(), PYMARKDOWN_CONFIG.read_bytes(), Path(__file__).read_bytes(),
                 REF.pattern.encode(), str(REF.flags).encode()):
        h.update(part + b"\0")
    return h.digest()


def _cache_key(text: str) -> str:
    """Same page text, same settings, same PyMarkdown, same kb code: same findings."""
    return hashlib.sha256(_cache_inputs() + text.encode("utf-8")).hexdigest()


MAX_LINES = 25_000  # PyMarkdown reads ~1,500 lines a second at best: longer pages are refused, by name


class _QuietList(list):
    """A list whose text form is short. PyMarkdown (0.9.41) logs its whole token document at debug
    level on every line it parses (``f"self.token_document = {...}"`` in
    ParserState.mark_start_information: the f-string is formatted even with logging off), which makes
    every page quadratic: 2,000 fences took minutes. The findings do not change (tested)."""

    def __repr__(self) -> str:
        return f"[{len(self)} tokens]"

    __str__ = __repr__


class _QuietDocument:
    """Data descriptor for TokenizedMarkdown's private token list: every list assigned becomes a _QuietList."""

    name = "_TokenizedMarkdown__tokenized_document"

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        try:
            return obj.__dict__["_kb_quiet_document"]
        except KeyError:
            raise AttributeError(self.name) from None

    def __set__(self, obj, value) -> None:
        obj.__dict__["_kb_quiet_document"] = value if isinstance(value, _QuietList) else _QuietList(value)


def quiet_pymarkdown() -> None:
    """Install _QuietDocument on PyMarkdown's TokenizedMarkdown (idempotent)."""
    from pymarkdown.general.tokenized_markdown import TokenizedMarkdown

    if not isinstance(TokenizedMarkdown.__dict__.get(_QuietDocument.name), _QuietDocument):
        setattr(TokenizedMarkdown, _QuietDocument.name, _QuietDocument())


def lint_markdown(files: list[Path], cache: Path | None = MARKDOWN_CACHE) -> list[Problem]:
    """PyMarkdown on each file. Findings are cached per file content (PyMarkdown costs ~1.5 ms a line):
    `make check` and pre-commit only re-read the pages that changed. Pages longer than MAX_LINES
    are one problem each instead of minutes of work."""
    from pymarkdown.api import PyMarkdownApi, PyMarkdownApiException

    quiet_pymarkdown()
    api = None
    known = _load_cache(cache)
    fresh = {}
    problems = []
    for path in files:
        text = source.read_text(path)  # unreadable files are reported by check-snippets
        if not text.strip():
            continue  # nothing to lint (PyMarkdown refuses an empty string)
        lines = text.count("\n") + 1
        if lines > MAX_LINES:
            problems.append(Problem(relpath(path), 1, 1, f"{lines:,} lines: longer than the Markdown style linter "
                                    f"reads in reasonable time ({MAX_LINES:,}); split the page"))
            continue
        key = _cache_key(text)
        if key in known:
            findings = known[key]
        else:
            api = api or PyMarkdownApi().configuration_file_path(str(PYMARKDOWN_CONFIG))
            try:
                result = api.scan_string(_readable(text))
            except PyMarkdownApiException as exc:
                problems.append(Problem(relpath(path), 1, 1, f"PyMarkdown could not read the page: {exc}"))
                continue
            findings = []
            page_lines = text.split("\n")
            for f in result.scan_failures:
                if f.rule_id == "MD031" and _after_snippet_directive(page_lines, f.line_number):
                    continue  # the directive must sit right above its fence (kb.checks.snippets)
                extra = (f.extra_error_information or "").strip()
                findings.append((f.line_number, f.column_number, f"{f.rule_id} {f.rule_name.split(',')[0]}: "
                                 f"{f.rule_description}" + (f" {extra}" if extra else "")))
            for e in result.pragma_errors:
                findings.append((e.line_number, 1, f"lint pragma: {e.pragma_error}"))
        fresh[key] = findings
        problems += [Problem(relpath(path), line, col, msg) for line, col, msg in findings]
    merged = {**known, **fresh}  # newest last; keep the cache small
    _save_cache(cache, merged)
    return problems


def _load_cache(cache: Path | None) -> dict:
    return jsoncache.load(cache, lambda found: [tuple(f) for f in found])


def _save_cache(cache: Path | None, entries: dict) -> None:
    jsoncache.save(cache, entries)


def cli_yaml(argv: list[str]) -> int:
    """`kb lint-yaml [PATH ...]`: yamllint with .yamllint.yml (default: data files, workflows, pre-commit)."""
    ap = argparse.ArgumentParser(prog="kb lint-yaml", description=cli_yaml.__doc__)
    ap.add_argument("paths", nargs="*")
    files = _expand(ap.parse_args(argv).paths, yaml_files, (".yml", ".yaml"))
    if files is None:
        print("kb lint-yaml: no such file or folder")
        return 2
    problems = lint_yaml(files)
    report(problems)
    return 1 if problems else 0


def cli_markdown(argv: list[str]) -> int:
    """`kb lint-markdown [PATH ...]`: PyMarkdown with .pymarkdown.json (default: docs/ and CONTRIBUTING*.md)."""
    ap = argparse.ArgumentParser(prog="kb lint-markdown", description=cli_markdown.__doc__)
    ap.add_argument("paths", nargs="*")
    files = _expand(ap.parse_args(argv).paths, markdown_files, (".md",))
    if files is None:
        print("kb lint-markdown: no such file or folder")
        return 2
    problems = lint_markdown(files)
    report(problems)
    return 1 if problems else 0


def cli_python(argv: list[str]) -> int:
    """`kb lint-python [PATH ...]`: ruff with pyproject.toml's rule set (default: scripts/ and tests/)."""
    ap = argparse.ArgumentParser(prog="kb lint-python", description=cli_python.__doc__)
    ap.add_argument("paths", nargs="*")
    paths = ap.parse_args(argv).paths or [str(ROOT / d) for d in ("scripts", "tests") if (ROOT / d).is_dir()]
    if not paths:
        return 0
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"kb lint-python: no such file or folder: {', '.join(missing)}")
        return 2
    # ruff prints PATH:LINE:COL: CODE message, the project's own format (`concise`).
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "--output-format", "concise",
                           "--no-cache", *paths], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.replace(f"{ROOT}{os.sep}", "")
    if out.strip():
        print(out.rstrip())
    return 0 if proc.returncode == 0 else 1
