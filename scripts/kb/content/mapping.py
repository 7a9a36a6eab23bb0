"""The vSphere-to-Kubernetes map: one data file, a table per language, two downloads.

``data/vsphere-to-kubernetes.yml`` pairs each vSphere concept with its closest Kubernetes
counterpart, rates the fit (direct, partial, analogy, none) and says, in English and
Spanish, where the comparison holds and where it breaks. From it come
- the table on any page holding ``<!-- vsphere-kubernetes-table -->``, in the page's
  language, each Kubernetes concept linked to its glossary entry (``[[id|label]]``, so the
  glossary hook must run after this one);
- CSV and JSON downloads per language (``downloads/vsphere-to-kubernetes.<lang>.csv|json``).
Every problem in the data (or a placeholder with no data file) is reported at its line.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kb.content import glossary as kbglossary
from kb.content import templating
from kb.content.templating import Markup
from kb.core import datafile, source
from kb.core.problems import Problem, ProblemsError, relpath
from kb.core.settings import DATA, DOCS, LANGUAGES
from kb.views import mdscan

DATA_FILE = DATA / "vsphere-to-kubernetes.yml"
SCHEMA = "vsphere-to-kubernetes.schema.json"
PLACEHOLDER = "<!-- vsphere-kubernetes-table -->"
FIT_LEVELS = ("direct", "partial", "analogy", "none")
DOWNLOAD_DIR = "downloads"  # relative to each language's root in the built site
DOWNLOAD_FORMATS = ("csv", "json")
CSV_FIELDS = ("id", "vsphere", "kubernetes", "fit", "fit_label", "explanation", "glossary", "sources")

LABELS = {
    "en": {
        "vsphere": "vSphere",
        "kubernetes": "Kubernetes",
        "fit": "Fit",
        "explanation": "Where it matches, where it breaks",
        "fit_levels": {"direct": "Direct", "partial": "Partial", "analogy": "Analogy", "none": "No equivalent"},
        "sources": "Sources",
        "see_also": "See also",
    },
    "es": {
        "vsphere": "vSphere",
        "kubernetes": "Kubernetes",
        "fit": "Equivalencia",
        "explanation": "Dónde coincide y dónde no",
        "fit_levels": {"direct": "Directa", "partial": "Parcial", "analogy": "Analogía", "none": "Sin equivalente"},
        "sources": "Fuentes",
        "see_also": "Ver también",
    },
}


@dataclass
class Entry:
    id: str
    vsphere: dict
    kubernetes: dict
    fit: str
    explanation: dict
    glossary: list
    sources: list
    line: int  # 1-based line of the entry in the data file


# ---------------------------------------------------------------- loading and checks

def _entry_spans(doc) -> list[tuple[int, int, str]]:
    """(first line, last line, id) of every entry, 1-based, for naming entries in messages."""
    import yaml

    spans = []
    root = doc.node
    if not isinstance(root, yaml.MappingNode):
        return spans
    for k, v in root.value:
        if k.value == "entries" and isinstance(v, yaml.SequenceNode):
            for item in v.value:
                eid = "?"
                if isinstance(item, yaml.MappingNode):
                    for ik, iv in item.value:
                        if ik.value == "id" and isinstance(iv, yaml.ScalarNode):
                            eid = iv.value
                end = item.end_mark.line + (1 if item.end_mark.column else 0)
                spans.append((item.start_mark.line + 1, end, eid))
    return spans


def _name_entry(problems: list[Problem], spans) -> list[Problem]:
    """Prefix each problem inside an entry with the entry's id and first line."""
    out = []
    for p in problems:
        # Entries are in order: the problem belongs to the last one starting at or before it.
        owner = [(first, eid) for first, last, eid in spans if first <= p.line <= last]
        if owner:
            first, eid = owner[-1]
            p = Problem(p.path, p.line, p.col, f"entry '{eid}' (line {first}): {p.message}")
        out.append(p)
    return out


def load(path: Path = DATA_FILE, glossary: kbglossary.Glossary | None = None) -> list[Entry]:
    """Load and validate the map; raise ProblemsError with every problem found.

    With a glossary, every `glossary:` id must be one of its terms.
    """
    data, doc, problems = datafile.load(path, SCHEMA)
    if doc is None:
        raise ProblemsError(problems)
    raw = doc.data.get("entries") if isinstance(doc.data, dict) else None
    raw = raw if isinstance(raw, list) else []
    seen: dict = {}
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            continue
        eid = entry.get("id")
        if isinstance(eid, str):
            if eid in seen:
                problems.append(datafile.entry_problem(path, doc, ("entries", i, "id"),
                                f"duplicate id '{eid}' (first on line {seen[eid]})"))
            else:
                seen[eid] = doc.mark(("entries", i))[0] + 1
        terms = entry.get("glossary")
        if glossary is not None and isinstance(terms, list):
            for j, tid in enumerate(terms):
                if isinstance(tid, str) and tid not in glossary:
                    problems.append(datafile.entry_problem(path, doc, ("entries", i, "glossary", j),
                                    f"unknown glossary term '{tid}'{kbglossary._did_you_mean(tid, glossary)}"))
            dups = {t for t in terms if isinstance(t, str) and terms.count(t) > 1}
            for tid in sorted(dups):
                problems.append(datafile.entry_problem(path, doc, ("entries", i, "glossary"),
                                f"glossary term '{tid}' is listed twice"))
        for field in ("vsphere", "kubernetes", "explanation"):
            texts = entry.get(field)
            for lang in LANGUAGES:
                text = texts.get(lang) if isinstance(texts, dict) else None
                if isinstance(text, str) and "[[" in text:
                    problems.append(datafile.entry_problem(path, doc, ("entries", i, field, lang),
                                    f"{field}.{lang}: [[term]] links are not allowed here; "
                                    "list the term under 'glossary:' instead"))
    if problems:
        raise ProblemsError(_name_entry(problems, _entry_spans(doc)))
    return [Entry(e["id"], e["vsphere"], e["kubernetes"], e["fit"], e["explanation"], list(e["glossary"]),
                  list(e.get("sources", [])), doc.mark(("entries", i))[0] + 1)
            for i, e in enumerate(data["entries"])]


def placeholders(paths) -> list[tuple[Path, int, int]]:
    """(file, line, col) of every table placeholder outside code, 1-based."""
    found = []
    for path in paths:
        text = source.read_text(Path(path))  # unreadable files are reported by check-snippets
        if PLACEHOLDER not in text:
            continue
        mask = mdscan.line_mask(text)
        for n, line in enumerate(text.split("\n")):
            if n < len(mask) and mask[n]:
                continue
            spans = mdscan.inline_code_spans(line)
            start = line.find(PLACEHOLDER)
            while start != -1:
                if not any(a <= start < b for a, b in spans):
                    found.append((Path(path), n + 1, start + 1))
                start = line.find(PLACEHOLDER, start + 1)
    return found


def check(paths=None, path: Path = DATA_FILE, docs: Path = DOCS) -> list[Problem]:
    """The map data plus the pages that show it: every problem at once."""
    paths = list(paths) if paths is not None else source.markdown_files(docs)[0]
    if not path.is_file():
        return [Problem(relpath(p), line, col, f"{PLACEHOLDER} needs the data file {relpath(path)}, "
                        "which is missing") for p, line, col in placeholders(paths)]
    problems: list[Problem] = []
    try:
        terms = kbglossary.load()
    except ProblemsError as exc:
        problems += exc.problems
        terms = None
    try:
        load(path, terms)
    except ProblemsError as exc:
        problems += exc.problems
    return problems


# ---------------------------------------------------------------- rendering

_CODE = re.compile(r"(`+)(.+?)\1")


def _inline(text: str) -> str:
    """Plain text (inline code allowed) made safe for a Markdown span inside HTML."""
    text = re.sub(r"\s+", " ", text)  # keep edge spaces: callers join segments
    out, last = [], 0
    for m in _CODE.finditer(text):
        out.append(_escape(text[last:m.start()]))
        out.append(f"<code>{html.escape(m.group(2).strip())}</code>")
        last = m.end()
    out.append(_escape(text[last:]))
    return "".join(out)


def _escape(text: str) -> str:
    # HTML-escape, then neutralise Markdown emphasis/link characters so data text stays literal.
    text = html.escape(text, quote=False)
    return re.sub(r"([\\*_\[\]`])", r"\\\1", text)


def _kubernetes_cell(entry: Entry, lang: str, terms: kbglossary.Glossary) -> str:
    """The Kubernetes name, with each glossary term linked where the name mentions it.

    Terms the name does not mention (by the term's name or an alias, in this language or
    in English) follow on a "See also" line, so every listed term gets its link.
    """
    name = " ".join(entry.kubernetes[lang].split())
    code = [(m.start(), m.end()) for m in _CODE.finditer(name)]
    taken: list[tuple[int, int, str]] = []
    extra = []
    for tid in entry.glossary:
        term = terms[tid]
        forms = {f for lg in (lang, "en") for f in [term.term[lg], *term.aka.get(lg, [])]}
        found = None
        for form in sorted(forms, key=len, reverse=True):
            for m in re.finditer(r"(?<![\w-])" + re.escape(form) + r"(?![\w-])", name, re.IGNORECASE):
                a, b = m.span()
                if not any(a < y and x < b for x, y in code) and not any(a < y and x < b for x, y, _ in taken):
                    found = (a, b, tid)
                    break
            if found:
                break
        if found:
            taken.append(found)
        else:
            extra.append(tid)
    out, last = [], 0
    for a, b, tid in sorted(taken):
        out.append(_inline(name[last:a]) if last < a else "")
        out.append(f"[[{tid}|{html.escape(name[a:b], quote=False)}]]")
        last = b
    out.append(_inline(name[last:]) if last < len(name) else "")
    cell = f'<span class="kb-map__name">{"".join(out)}</span>'
    if extra:
        links = ", ".join(f"[[{tid}]]" for tid in extra)
        cell += f' <span class="kb-map__terms">{LABELS[lang]["see_also"]}: {links}</span>'
    return cell


def render_table(entries: list[Entry], lang: str, terms: kbglossary.Glossary) -> str:
    """The map as an HTML table whose cells are Markdown spans (md_in_html): templates/map-table.html.

    Kubernetes concepts come out as ``[[id]]`` glossary references, which the glossary
    hook turns into links relative to the page, in the same language.
    """
    rows = [{"id": e.id, "fit": e.fit,
             "vsphere": Markup(_inline(e.vsphere[lang].strip())),
             "kubernetes": Markup(_kubernetes_cell(e, lang, terms)),
             "explanation": Markup(_inline(e.explanation[lang].strip()))} for e in entries]
    return templating.render("map-table.html", labels=LABELS[lang], rows=rows)


def render_page(markdown: str, lang: str, entries: list[Entry] | None, terms: kbglossary.Glossary | None) -> str:
    """Replace every placeholder outside code with the table in `lang`."""
    if PLACEHOLDER not in markdown or entries is None or terms is None:
        return markdown
    mask = mdscan.line_mask(markdown, front_matter=False)  # page.markdown: front matter already gone
    table = render_table(entries, lang, terms)
    out = []
    for n, line in enumerate(source.normalize(markdown).split("\n")):  # the one line rule, as placeholders()
        if PLACEHOLDER in line and not (n < len(mask) and mask[n]):
            spans = mdscan.inline_code_spans(line)
            if not any(a <= line.find(PLACEHOLDER) < b for a, b in spans):
                before, _, after = line.partition(PLACEHOLDER)
                line = "\n\n".join(p for p in (before.rstrip(), table, after.strip()) if p)
                line = "\n" + line + "\n"  # a raw HTML block needs blank lines around it
        out.append(line)
    return "\n".join(out)


# ---------------------------------------------------------------- downloads

def download_name(lang: str, fmt: str) -> str:
    return f"vsphere-to-kubernetes.{lang}.{fmt}"


def download_uri(lang: str, fmt: str) -> str:
    """Path of a download relative to the language's root of the built site."""
    return f"{DOWNLOAD_DIR}/{download_name(lang, fmt)}"


def records(entries: list[Entry], lang: str, terms: kbglossary.Glossary) -> list[dict]:
    """One flat record per entry, in `lang`: what both downloads contain."""
    fits = LABELS[lang]["fit_levels"]
    return [{
        "id": e.id,
        "vsphere": " ".join(e.vsphere[lang].split()),
        "kubernetes": " ".join(e.kubernetes[lang].split()),
        "fit": e.fit,
        "fit_label": fits[e.fit],
        "explanation": " ".join(e.explanation[lang].split()),
        "glossary": [{"id": t, "term": terms[t].term[lang]} for t in e.glossary],
        "sources": [{"title": s["title"], "url": s["url"]} for s in e.sources],
    } for e in entries]


def to_csv(entries: list[Entry], lang: str, terms: kbglossary.Glossary) -> str:
    """CSV (UTF-8 with BOM, so spreadsheet tools read the accents right); lists joined with ' | '."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for r in records(entries, lang, terms):
        writer.writerow({**r,
                         "glossary": " | ".join(g["id"] for g in r["glossary"]),
                         "sources": " | ".join(s["url"] for s in r["sources"])})
    return "\ufeff" + buf.getvalue()


def to_json(entries: list[Entry], lang: str, terms: kbglossary.Glossary) -> str:
    doc = {
        "title": {"en": "vSphere to Kubernetes map", "es": "Mapa de vSphere a Kubernetes"}[lang],
        "language": lang,
        "source": relpath(DATA_FILE),
        "fit_levels": LABELS[lang]["fit_levels"],
        "entries": records(entries, lang, terms),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def downloads(entries: list[Entry], lang: str, terms: kbglossary.Glossary) -> dict[str, str]:
    """{path relative to the language root: content} for both formats."""
    return {download_uri(lang, "csv"): to_csv(entries, lang, terms),
            download_uri(lang, "json"): to_json(entries, lang, terms)}


def write_downloads(out_dir: Path, entries: list[Entry], terms: kbglossary.Glossary) -> list[Path]:
    """Write every language's downloads under out_dir/<lang>/downloads/."""
    written = []
    for lang in LANGUAGES:
        for rel, content in downloads(entries, lang, terms).items():
            target = Path(out_dir) / lang / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8", newline="")
            written.append(target)
    return written


# ---------------------------------------------------------------- command line

def cli(argv: list[str]) -> int:
    """`kb check-mapping`: validate the map and the pages showing it; optionally write the downloads."""
    import argparse

    from kb.core.problems import report

    ap = argparse.ArgumentParser(prog="kb check-mapping", description=cli.__doc__)
    ap.add_argument("--downloads", metavar="DIR", help="also write the CSV and JSON downloads under DIR/<lang>/")
    ap.add_argument("--render", metavar="LANG", choices=LANGUAGES, help="print the table's Markdown for LANG")
    args = ap.parse_args(argv)
    problems = check()
    report(problems)
    if problems:
        return 1
    if not DATA_FILE.is_file():
        print(f"{relpath(DATA_FILE)} is missing and no page shows the map: nothing to check")
        return 0
    terms = kbglossary.load()
    entries = load(DATA_FILE, terms)
    if args.render:
        print(render_table(entries, args.render, terms))
    if args.downloads:
        for p in write_downloads(Path(args.downloads), entries, terms):
            print(f"wrote {p}")
    return 0
