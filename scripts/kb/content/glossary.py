"""The glossary: one data file, three outputs.

``data/glossary.yml`` holds every term in English and Spanish. From it come
- the glossary page (placeholder ``<!-- glossary -->``), one entry per term with an
  anchor equal to the term id in both languages;
- the hover tooltips on every page: the first mention of each term, in the page's language
  (see tooltips() and scripts/kb/content/glossary_markdown.py);
- term links: ``[[pod]]`` or ``[[pod|pods]]`` in any page becomes a link to the entry
  (made while the page is rendered: scripts/kb/content/glossary_markdown.py).
A reference to an unknown term is an error at its file, line and column.
"""
from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.core import datafile, source
from kb.core.problems import Problem, ProblemsError, relpath
from kb.core.settings import DATA, DOCS, LANGUAGES
from kb.views import mdscan

GLOSSARY_FILE = DATA / "glossary.yml"
GLOSSARY_PAGE = "reference/glossary.md"  # relative to docs/<lang>/
PLACEHOLDER = "<!-- glossary -->"
NO_TOOLTIPS = "<!-- glossary: no-tooltips -->"
REF = re.compile(r"\[\[(?P<id>[^\]|\n]*)(?:\|(?P<label>[^\]\n]+))?\]\]")

LABELS = {
    "en": {"aka": "Also known as", "related": "Related", "more": "Reference"},
    "es": {"aka": "También conocido como", "related": "Términos relacionados", "more": "Referencia"},
}


@dataclass
class Term:
    id: str
    term: dict
    short: dict
    definition: dict
    aka: dict
    related: list
    link: str | None
    line: int


class Glossary(dict):
    """Terms by id."""

    def anchor_href(self, term_id: str, from_page: str) -> str:
        return _glossary_from(posixpath.dirname(from_page) or ".") + f"#{term_id}"


@lru_cache(maxsize=1024)  # one per folder of pages; a page links to several terms
def _glossary_from(folder: str) -> str:
    return posixpath.relpath(GLOSSARY_PAGE, folder)


def load(path: Path = GLOSSARY_FILE) -> Glossary:
    """Load and validate the glossary; raise ProblemsError with every problem found."""
    data, doc, problems = datafile.load(path, "glossary.schema.json")
    if problems:
        raise ProblemsError(problems)
    terms = Glossary()
    surface: dict = {lang: {} for lang in LANGUAGES}
    for i, entry in enumerate(data["terms"]):
        line = doc.mark(("terms", i))[0] + 1
        tid = entry["id"]
        if tid in terms:
            problems.append(datafile.entry_problem(path, doc, ("terms", i, "id"), f"duplicate term id '{tid}' (first on line {terms[tid].line})"))
            continue
        aka = entry.get("aka", {})
        for lang in LANGUAGES:
            for form in [entry["term"][lang], *aka.get(lang, [])]:
                if form in surface[lang] and surface[lang][form] != tid:
                    problems.append(datafile.entry_problem(path, doc, ("terms", i, "term"),
                                    f"{lang} name '{form}' is already used by term '{surface[lang][form]}'"))
                surface[lang][form] = tid
            if "\n" in entry["short"][lang].strip() or "[[" in entry["short"][lang]:
                problems.append(datafile.entry_problem(path, doc, ("terms", i, "short", lang),
                                f"short.{lang} must be one line of plain text (it becomes a tooltip)"))
        terms[tid] = Term(tid, entry["term"], entry["short"], entry["definition"], aka,
                          entry.get("related", []), entry.get("link"), line)
    for i, entry in enumerate(data["terms"]):
        for j, rel in enumerate(entry.get("related", [])):
            if rel not in terms:
                problems.append(datafile.entry_problem(path, doc, ("terms", i, "related", j), f"related term '{rel}' is not in the glossary"))
        for lang in LANGUAGES:
            for m in REF.finditer(entry["definition"][lang]):
                if m.group("id").strip() not in terms:
                    problems.append(datafile.entry_problem(path, doc, ("terms", i, "definition", lang),
                                    f"definition.{lang} references unknown glossary term '{m.group('id')}'"))
    if problems:
        raise ProblemsError(problems)
    return terms


def references(text: str):
    """Yield (line, col, id, label) for every [[term]] outside code (0-based line and col)."""
    text = source.normalize(text)
    mask = mdscan.line_mask(text)
    for n, line in enumerate(text.split("\n")):
        if mask[n] if n < len(mask) else False:
            continue
        if "[[" not in line:
            continue
        spans = mdscan.inline_code_spans(line)
        for m in REF.finditer(line):
            if any(a <= m.start() < b for a, b in spans):
                continue
            yield n, m.start(), m.group("id").strip(), m.group("label")


def check_files(paths, glossary: Glossary) -> list[Problem]:
    problems = []
    for path in paths:
        text = source.read_text(Path(path))  # unreadable files are reported by check-snippets
        for line, col, tid, _ in references(text):
            if tid not in glossary:
                problems.append(Problem(relpath(path), line + 1, col + 1, f"unknown glossary term '{tid}'"
                                        + _did_you_mean(tid, glossary)))
    return problems


def _did_you_mean(tid: str, glossary: Glossary) -> str:
    import difflib

    close = difflib.get_close_matches(tid, list(glossary), n=1)
    return f" (did you mean '{close[0]}'?)" if close else " (add it to data/glossary.yml)"


def docs_files(docs: Path = DOCS) -> list[Path]:
    return source.markdown_files(docs)[0]


def tooltips(lang: str, glossary: Glossary) -> dict[str, tuple[str, str]]:
    """Every name of every term -> (term id, its one-line definition in `lang`).

    What scripts/kb/content/glossary_markdown.py needs to put a hover tooltip on the first mention of each term.
    Built once per glossary and language (the same for every page).
    """
    cache = glossary.__dict__.setdefault("_tooltips", {})
    if lang not in cache:
        tips = {}
        for term in glossary.values():
            tip = " ".join(term.short[lang].split())
            for form in [term.term[lang], *term.aka.get(lang, [])]:
                tips[form] = (term.id, tip)
        cache[lang] = tips
    return cache[lang]


def wants_tooltips(markdown: str) -> bool:
    """The glossary page (every heading is a term) and opted-out pages get no tooltips."""
    return PLACEHOLDER not in markdown and NO_TOOLTIPS not in markdown


def _sort_key(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def render_glossary(lang: str, page: str, glossary: Glossary) -> str:
    """The glossary entries in `lang`, sorted alphabetically, as Markdown."""
    labels = LABELS[lang]
    parts = []
    for term in sorted(glossary.values(), key=lambda t: _sort_key(t.term[lang])):
        block = [f"### {term.term[lang]} {{ #{term.id} }}", "", term.definition[lang].strip(), ""]
        # Forms that differ from the term only by case exist for the tooltips, not for readers.
        aka = [a for a in term.aka.get(lang, []) if a.casefold() != term.term[lang].casefold()]
        if aka:
            block += [f"*{labels['aka']}:* " + ", ".join(aka), ""]
        if term.related:
            block += [f"*{labels['related']}:* " + ", ".join(f"[[{r}]]" for r in term.related), ""]
        if term.link:
            block += [f"*{labels['more']}:* <{term.link}>", ""]
        parts.append("\n".join(block))
    return "\n".join(parts)  # [[related]] references become links when the page is rendered


def render_page(markdown: str, lang: str, page: str, glossary: Glossary) -> str:
    """The glossary's changes to one page's Markdown: the glossary itself, where the page asks.

    Term links and tooltips are made while the page is rendered (scripts/kb/content/glossary_markdown.py).
    """
    if PLACEHOLDER in markdown:
        return markdown.replace(PLACEHOLDER, render_glossary(lang, page, glossary))
    return markdown


def check(paths=None) -> list[Problem]:
    """Glossary data plus every reference in the docs: all problems at once."""
    try:
        glossary = load()
    except ProblemsError as exc:
        return exc.problems
    return check_files(paths or docs_files(), glossary)


def cli(argv: list[str]) -> int:
    """`kb check-glossary [PATH ...]`: the glossary data and every [[term]] reference."""
    import argparse

    from kb.core.problems import report

    ap = argparse.ArgumentParser(prog="kb check-glossary", description=cli.__doc__)
    ap.add_argument("paths", nargs="*", help="Markdown files or folders (default: docs/)")
    args = ap.parse_args(argv)
    files = []
    for p in args.paths:
        path = Path(p)
        if not path.exists():
            print(f"kb check-glossary: no such file or folder: {p}")
            return 2
        files += sorted(path.rglob("*.md")) if path.is_dir() else [path]
    problems = check(files or None)
    report(problems)
    return 1 if problems else 0
