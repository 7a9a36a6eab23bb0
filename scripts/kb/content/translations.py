"""Translation status: is every page translated, and does the translation still match?

Checks, for every page under ``docs/en/`` and its twin under ``docs/es/`` (same relative path):

- **twins**: each page exists in both languages, unless its path is listed in
  ``data/translation-exemptions.yml`` (pages meant to exist in one language only);
- **outdated**: a Spanish page records which version of the English page it translates, as
  ``source_hash: sha256:…`` in its front matter, written by ``kb mark-translated``. When the
  English page changes afterwards (more than whitespace), the translation is outdated;
- **structural drift**: the two pages must have the same heading ids (and levels), the same
  code blocks in the same order and language, and YAML snippets with the same data. Comments
  inside snippets and the prose around them are translated freely. In Kubernetes objects
  (documents with ``apiVersion`` and ``kind``) only ``metadata.annotations`` values may differ;
  in other YAML, strings containing spaces (prose) may differ;
- every heading carries an explicit id (``## Title { #title }``), so anchors are the same in
  both languages.

The same scan drives the translation status page (placeholder ``<!-- translation-status -->``)
and the notice on outdated Spanish pages (page meta ``kb_translation_status: outdated``).
Missing twins and drift on a page marked as up to date are errors; outdated pages (and the
drift that comes with them) are warnings that fail only with ``--strict``.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kb.content import templating
from kb.content.templating import Markup
from kb.core import datafile, source, yamldoc
from kb.core.problems import Problem, relpath, report
from kb.core.settings import DATA, DEFAULT_LANGUAGE, DOCS, LANGUAGES
from kb.views import mdscan

EXEMPTIONS_FILE = DATA / "translation-exemptions.yml"
STATUS_PAGE = "contribute/translation-status.md"  # relative to docs/<lang>/
PLACEHOLDER = "<!-- translation-status -->"
SOURCE_KEY = "source_hash"
TRANSLATIONS = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}

# States of a translated page, as the status page and the notices show them.
CURRENT, OUTDATED, MISSING, EXEMPT, ORPHAN = "current", "outdated", "missing", "exempt", "orphan"

LABELS = {
    "en": {
        "page": "Page", "state": "Spanish translation", "notes": "Notes",
        CURRENT: "Up to date", OUTDATED: "Outdated", MISSING: "Missing", EXEMPT: "Not translated (on purpose)",
        ORPHAN: "Only in Spanish",
        "changed": "the English page changed after it was translated",
        "unmarked": "not yet marked as translated",
        "drift": "the structure differs from the English page",
        "summary": "{current} of {total} pages are up to date in Spanish.",
    },
    "es": {
        "page": "Página", "state": "Traducción al español", "notes": "Notas",
        CURRENT: "Al día", OUTDATED: "Desactualizada", MISSING: "Falta", EXEMPT: "Sin traducir (a propósito)",
        ORPHAN: "Solo en español",
        "changed": "la página en inglés cambió después de traducirse",
        "unmarked": "todavía no se marcó como traducida",
        "drift": "la estructura no coincide con la de la página en inglés",
        "summary": "{current} de {total} páginas están al día en español.",
    },
}

_ATTRS = re.compile(r"[ \t]*\{:?(?P<attrs>[^{}]*)\}[ \t]*$")
_ID = re.compile(r"(?:^|\s)#(?P<id>[^\s}#]+)")
_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


# --- reading pages -------------------------------------------------------------------------------

def source_hash(text: str) -> str:
    """Hash of an English page; edits that change only whitespace keep it."""
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    while out and not out[-1]:
        out.pop()
    return "sha256:" + hashlib.sha256("\n".join(out).encode("utf-8")).hexdigest()


front_matter = source.front_matter  # the one front-matter reader (kb.core.source)


@dataclass
class Heading:
    line: int     # 0-based
    col: int      # 0-based, of the '#'
    level: int
    id: str | None
    title: str


def headings(text: str) -> list[Heading]:
    """The page's ATX headings outside code, with their explicit ids."""
    return list(_headings(text))


@lru_cache(maxsize=4096)  # the checks ask for the same page's headings several times
def _headings(text: str) -> tuple[Heading, ...]:
    out = []
    for h in mdscan.headings(text):  # the headings the renderer makes (kb.views.mdscan)
        title = re.sub(r"[ \t]#+$", "", h.text) if h.text.endswith("#") and not h.setext else h.text
        hid = None
        a = _ATTRS.search(title)
        if a:
            idm = _ID.search(a.group("attrs"))
            hid = idm.group("id") if idm else None
            title = title[: a.start()].rstrip(" \t#")
        out.append(Heading(h.line, h.col, h.level, hid, title.strip()))
    return tuple(out)


def page_title(path: Path) -> str:
    try:
        hs = headings(source.read(path).text or "")
    except OSError:
        hs = []
    first = next((h for h in hs if h.level == 1), None)
    return first.title if first else path.stem.replace("-", " ").capitalize()


# --- structure -----------------------------------------------------------------------------------

def page_problems(path: Path, text: str) -> list[Problem]:
    """Per page: headings without an explicit id, and leading lines MkDocs would eat as meta-data."""
    rel = relpath(path)
    problems = [Problem(rel, h.line + 1, h.col + 1,
                        f"heading '{h.title}' has no explicit id: add {{ #some-id }} (the same id in every language)")
                for h in headings(text) if h.id is None]
    lines = source.split_lines(text)
    if lines and not lines[0].startswith("---"):
        _, eaten = mdscan.page_body(text)
        if eaten and lines[0].strip():
            problems.append(Problem(rel, 1, 1, "the first lines look like 'key: value' meta-data, which MkDocs "
                                    "removes from the page: start the page with its '# Title { #id }' heading"))
    return problems


def _heading_problems(en_rel, es_rel, en_h, es_h, severity) -> list[Problem]:
    problems = []
    a = [h.id or "(no id)" for h in en_h]
    b = [h.id or "(no id)" for h in es_h]
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                if en_h[i].level != es_h[j].level:
                    problems.append(Problem(es_rel, es_h[j].line + 1, es_h[j].col + 1,
                                            f"heading #{b[j]} is level {es_h[j].level} here but level "
                                            f"{en_h[i].level} in {en_rel}:{en_h[i].line + 1}", severity))
            continue
        if op == "replace":
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                if i < i2 and j < j2:
                    problems.append(Problem(es_rel, es_h[j].line + 1, es_h[j].col + 1,
                                            f"heading id #{b[j]} here, #{a[i]} in {en_rel}:{en_h[i].line + 1}",
                                            severity))
                elif i < i2:
                    problems.append(_missing_here(es_rel, es_h, j2, f"heading #{a[i]} of {en_rel}:{en_h[i].line + 1}", severity))
                else:
                    problems.append(Problem(es_rel, es_h[j].line + 1, es_h[j].col + 1,
                                            f"heading #{b[j]} is not in {en_rel}", severity))
        elif op == "delete":
            for i in range(i1, i2):
                problems.append(_missing_here(es_rel, es_h, j1, f"heading #{a[i]} of {en_rel}:{en_h[i].line + 1}", severity))
        elif op == "insert":
            for j in range(j1, j2):
                problems.append(Problem(es_rel, es_h[j].line + 1, es_h[j].col + 1,
                                        f"heading #{b[j]} is not in {en_rel}", severity))
    return problems


def _missing_here(es_rel, items, index, what, severity) -> Problem:
    """A counterpart missing in the translation: reported where it should be (next item's line)."""
    line = items[index].line + 1 if index < len(items) else (items[-1].line + 1 if items else 1)
    return Problem(es_rel, line, 1, f"{what} has no counterpart here", severity)


def _fence_label(f: mdscan.Fence) -> str:
    return f"`{f.lang}`" if f.lang else "without language"


def _fence_problems(en_rel, es_rel, en_f, es_f, severity) -> list[Problem]:
    problems = []
    sm = difflib.SequenceMatcher(a=[f.lang for f in en_f], b=[f.lang for f in es_f], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                if en_f[i].lang in ("yaml", "yml"):
                    problems += _yaml_problems(en_rel, es_rel, en_f[i], es_f[j], severity)
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            i, j = i1 + k, j1 + k
            if i < i2 and j < j2:
                problems.append(Problem(es_rel, es_f[j].start + 1, len(es_f[j].indent) + 1,
                                        f"code block {_fence_label(es_f[j])} here, {_fence_label(en_f[i])} in "
                                        f"{en_rel}:{en_f[i].start + 1}", severity))
            elif i < i2:
                problems.append(_missing_here(es_rel, [_at(f) for f in es_f], j2,
                                              f"code block {_fence_label(en_f[i])} of {en_rel}:{en_f[i].start + 1}", severity))
            else:
                problems.append(Problem(es_rel, es_f[j].start + 1, len(es_f[j].indent) + 1,
                                        f"code block {_fence_label(es_f[j])} is not in {en_rel} "
                                        f"({len(es_f)} code blocks here, {len(en_f)} there)", severity))
    return problems


def _at(f: mdscan.Fence) -> Heading:
    return Heading(f.start, len(f.indent), 0, None, "")


def _is_kubernetes(data) -> bool:
    return isinstance(data, dict) and "apiVersion" in data and "kind" in data


def _first_difference(en, es, path=(), kubernetes=False):
    """(path, message) of the first difference between two YAML values, or None."""
    if kubernetes and path[:2] == ("metadata", "annotations") and len(path) == 3:
        return None  # annotation values are often prose
    if isinstance(en, dict) and isinstance(es, dict):
        for k in es:
            if k not in en:
                return path + (k,), "is not in the English snippet"
        for k in en:
            if k not in es:
                return path, f"has no key '{k}' (the English snippet has it)"
            d = _first_difference(en[k], es[k], path + (k,), kubernetes)
            if d:
                return d
        return None
    if isinstance(en, list) and isinstance(es, list):
        for i, (a, b) in enumerate(zip(en, es)):
            d = _first_difference(a, b, path + (i,), kubernetes)
            if d:
                return d
        if len(en) != len(es):
            return path, f"has {len(es)} items here, {len(en)} in the English snippet"
        return None
    if not kubernetes and isinstance(en, str) and isinstance(es, str) and (" " in en.strip() and " " in es.strip()):
        return None  # prose inside non-Kubernetes YAML may be translated
    if type(en) is not type(es) or en != es:
        return path, f"is {_short(es)} here, {_short(en)} in the English snippet"
    return None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


def _yaml_problems(en_rel, es_rel, en_f, es_f, severity) -> list[Problem]:
    if en_f.text == es_f.text:
        return []  # the same text is the same YAML
    en_docs, en_issues = yamldoc.parse(en_f.text)
    es_docs, es_issues = yamldoc.parse(es_f.text)
    if en_issues or es_issues:
        return []  # invalid YAML is the snippet checker's to report
    col0 = len(es_f.indent)
    where = f"{en_rel}:{en_f.start + 1}"
    if len(en_docs) != len(es_docs):
        return [Problem(es_rel, es_f.start + 1, col0 + 1,
                        f"YAML snippet has {len(es_docs)} documents here, {len(en_docs)} in {where}", severity)]
    for a, b in zip(en_docs, es_docs):
        d = _first_difference(a.data, b.data, (), _is_kubernetes(a.data))
        if d:
            path, message = d
            line, col = b.mark(path, key=bool(path))
            return [Problem(es_rel, es_f.body_start + line + 1, col0 + col + 1,
                            f"YAML differs from the snippet at {where}: {yamldoc.dotted(path)} {message}", severity)]
    return []


def structure_problems(en_path: Path, es_path: Path, severity: str = "error",
                       en_text: str | None = None, es_text: str | None = None) -> list[Problem]:
    """Drift between a page and its translation, reported in the translation."""
    en_text = source.read_text(en_path) if en_text is None else en_text
    es_text = source.read_text(es_path) if es_text is None else es_text
    en_rel, es_rel = relpath(en_path), relpath(es_path)
    if mdscan.too_deep(en_text) or mdscan.too_deep(es_text):
        return []  # no views of a page nested too deeply to render: check-snippets names it
    problems = _heading_problems(en_rel, es_rel, headings(en_text), headings(es_text), severity)
    problems += _fence_problems(en_rel, es_rel, mdscan.fences(en_text), mdscan.fences(es_text), severity)
    return problems


# --- the whole tree ------------------------------------------------------------------------------

@dataclass
class PageStatus:
    rel: str                  # path relative to docs/<lang>/
    lang: str                 # the translation's language
    state: str                # CURRENT, OUTDATED, MISSING, EXEMPT, ORPHAN
    reasons: list = field(default_factory=list)  # 'changed', 'unmarked', 'drift'


def load_exemptions(path: Path = EXEMPTIONS_FILE) -> tuple[dict, list[Problem]]:
    """{relative path: line} of the pages that exist in one language on purpose."""
    if not path.exists():
        return {}, []
    data, doc, problems = datafile.load(path, "translation-exemptions.schema.json")
    if problems:
        return {}, problems
    out = {}
    for i, entry in enumerate(data.get("exemptions") or []):
        line = doc.mark(("exemptions", i))[0] + 1
        if entry["path"] in out:
            problems.append(datafile.entry_problem(path, doc, ("exemptions", i, "path"),
                                                   f"'{entry['path']}' is listed twice (first on line {out[entry['path']]})"))
        out[entry["path"]] = line
    return out, problems


def _pages(docs: Path, lang: str) -> set[str]:
    root = docs / lang
    return {p.relative_to(root).as_posix() for p in source.markdown_files(root)[0]}


def scan(docs: Path = DOCS, exemptions_file: Path = EXEMPTIONS_FILE,
         page_checks: bool = True) -> tuple[dict, list[Problem]]:
    """({(lang, rel): PageStatus}, problems) for the whole docs tree.

    page_checks=False leaves out the per-page problems that do not change a status (headings
    without ids, meta-data lines): what the build needs, sooner.
    """
    statuses: dict = {}
    exemptions, problems = load_exemptions(exemptions_file)
    en_pages = _pages(docs, DEFAULT_LANGUAGE)
    texts: dict = {}

    def text(path: Path) -> str:
        if path not in texts:
            src = source.read(path)
            problems.extend(src.problems)
            texts[path] = src.text or ""
        return texts[path]

    for lang in LANGUAGES if page_checks else ():
        for rel in sorted(_pages(docs, lang)):
            problems += page_problems(docs / lang / rel, text(docs / lang / rel))

    for lang in TRANSLATIONS:
        tr_pages = _pages(docs, lang)
        for rel in sorted(en_pages | tr_pages):
            en_path, tr_path = docs / DEFAULT_LANGUAGE / rel, docs / lang / rel
            en_rel, tr_rel = relpath(en_path), relpath(tr_path)
            if rel in exemptions:
                statuses[(lang, rel)] = PageStatus(rel, lang, EXEMPT if rel in en_pages else ORPHAN)
                if rel in en_pages and rel in tr_pages:
                    problems.append(Problem(relpath(exemptions_file), exemptions[rel], 1,
                                            f"'{rel}' exists in both languages: remove it from the exemptions",
                                            "warning"))
                continue
            if rel not in tr_pages:
                statuses[(lang, rel)] = PageStatus(rel, lang, MISSING)
                problems.append(Problem(en_rel, 1, 1, f"no {LANGUAGE_NAMES.get(lang, lang)} twin: create {tr_rel} "
                                        f"(or list '{rel}' in {relpath(exemptions_file)})"))
                continue
            if rel not in en_pages:
                statuses[(lang, rel)] = PageStatus(rel, lang, ORPHAN)
                problems.append(Problem(tr_rel, 1, 1, f"no English original: {en_rel} does not exist "
                                        f"(add it, or list '{rel}' in {relpath(exemptions_file)})"))
                continue
            status, pair_problems = _compare(en_path, tr_path, text(en_path), text(tr_path), rel, lang)
            statuses[(lang, rel)] = status
            problems += pair_problems
    for rel, line in exemptions.items():
        if rel not in en_pages and not any(rel in _pages(docs, lang) for lang in TRANSLATIONS):
            problems.append(Problem(relpath(exemptions_file), line, 1,
                                    f"'{rel}' is not a page in any language: remove it from the exemptions", "warning"))
    return statuses, problems


def _compare(en_path, tr_path, en_text, tr_text, rel, lang) -> tuple[PageStatus, list[Problem]]:
    en_rel, tr_rel = relpath(en_path), relpath(tr_path)
    fm = front_matter(tr_text)
    problems = [Problem(tr_rel, line + 1, col + 1, msg) for line, col, msg in fm.problems]
    recorded = fm.data.get(SOURCE_KEY)
    status = PageStatus(rel, lang, CURRENT)
    mark_cmd = f"kb mark-translated {tr_rel}"
    if recorded is None:
        status.state, status.reasons = OUTDATED, ["unmarked"]
        problems.append(Problem(tr_rel, 1, 1, f"outdated: not marked as a translation of {en_rel} yet "
                                f"(once it says what the English page says: {mark_cmd})", "warning"))
    elif not isinstance(recorded, str) or not _HASH.match(recorded):
        problems.append(Problem(tr_rel, fm.key_line(SOURCE_KEY) + 1, 1,
                                f"{SOURCE_KEY} must look like 'sha256:<64 hex digits>' (written by {mark_cmd})"))
        status.state, status.reasons = OUTDATED, ["unmarked"]
    elif recorded != source_hash(en_text):
        status.state, status.reasons = OUTDATED, ["changed"]
        problems.append(Problem(tr_rel, fm.key_line(SOURCE_KEY) + 1, 1, f"outdated: {en_rel} changed after this translation "
                                f"was marked (update it, then: {mark_cmd}; see what changed: git log -p {en_rel})",
                                "warning"))
    drift = structure_problems(en_path, tr_path, "error" if status.state == CURRENT else "warning", en_text, tr_text)
    if drift:
        status.reasons.append("drift")
        status.state = OUTDATED
    return status, problems + drift


def check(strict: bool = False, docs: Path = DOCS) -> tuple[list[Problem], bool]:
    """(problems, failed)."""
    _, problems = scan(docs)
    failed = any(p.severity == "error" for p in problems) or (strict and bool(problems))
    return problems, failed


def statuses_to_json(statuses: dict) -> list[dict]:
    return [dataclasses.asdict(s) for s in statuses.values()]


def statuses_from_json(items: list[dict]) -> dict:
    return {(s["lang"], s["rel"]): PageStatus(**s) for s in items}


def cli_check(argv: list[str]) -> int:
    """`kb check-translations [--strict]`: twins, outdated translations and structural drift."""
    ap = argparse.ArgumentParser(prog="kb check-translations", description=cli_check.__doc__)
    ap.add_argument("--strict", action="store_true", help="fail on outdated translations too")
    ap.add_argument("--statuses-json", action="store_true",
                    help="print only the state of every translation, as JSON (what the site build reads)")
    ap.add_argument("--docs", type=Path, default=DOCS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.statuses_json:
        print(json.dumps(statuses_to_json(scan(args.docs, page_checks=False)[0])))
        return 0
    problems, failed = check(args.strict)
    report(problems)
    if problems:
        errors = sum(p.severity == "error" for p in problems)
        print(f"check-translations: {errors} error(s), {len(problems) - errors} warning(s)")
    return 1 if failed else 0


# --- marking translations ------------------------------------------------------------------------

def _translation_paths(arg: str, docs: Path = DOCS) -> list[Path] | None:
    path = Path(arg).resolve()
    if path.is_dir():
        files = sorted(path.rglob("*.md"))
    elif path.is_file():
        files = [path]
    else:
        return None
    out = []
    for f in files:
        try:
            lang, _, rel = f.relative_to(docs.resolve()).as_posix().partition("/")
        except ValueError:
            return None
        if lang == DEFAULT_LANGUAGE:
            out += [docs / t / rel for t in TRANSLATIONS if (docs / t / rel).exists()]
        elif lang in TRANSLATIONS:
            out.append(docs / lang / rel)
        else:
            return None
    return out


def write_source_hash(path: Path, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    fm = front_matter(text)
    entry = f"{SOURCE_KEY}: {value}"
    if fm.end < 0:
        lines[0:0] = ["---", entry, "---"]
    elif fm.key_line(SOURCE_KEY):
        lines[fm.key_line(SOURCE_KEY)] = entry
    else:
        lines.insert(fm.end, entry)
    path.write_text("\n".join(lines), encoding="utf-8")


def mark(paths: list[Path], force: bool = False, docs: Path = DOCS) -> tuple[list[Problem], list[str]]:
    problems, done = [], []
    for tr_path in paths:
        lang, _, rel = tr_path.relative_to(docs).as_posix().partition("/")
        en_path = docs / DEFAULT_LANGUAGE / rel
        if not en_path.exists():
            problems.append(Problem(relpath(tr_path), 1, 1, f"no English original {relpath(en_path)} to mark it against"))
            continue
        try:
            fm = front_matter(tr_path.read_text(encoding="utf-8"))
            en_path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(relpath(tr_path), 1, 1, f"not valid UTF-8 (or its English original is not): {exc.reason}"))
            continue
        if fm.problems:
            problems += [Problem(relpath(tr_path), ln + 1, c + 1, m) for ln, c, m in fm.problems]
            continue
        drift = structure_problems(en_path, tr_path)
        if drift and not force:
            problems += drift
            continue
        value = source_hash(en_path.read_text(encoding="utf-8"))
        if fm.data.get(SOURCE_KEY) != value:
            write_source_hash(tr_path, value)
        done.append(f"{relpath(tr_path)}: marked as a translation of {relpath(en_path)} ({value[:19]}…)")
    return problems, done


def cli_mark(argv: list[str]) -> int:
    """`kb mark-translated PATH...`: record that Spanish pages match their English originals now."""
    ap = argparse.ArgumentParser(prog="kb mark-translated", description=cli_mark.__doc__)
    ap.add_argument("paths", nargs="+", help="pages or folders under docs/es/ (or their English twins)")
    ap.add_argument("--force", action="store_true", help="mark even when the structure still differs")
    args = ap.parse_args(argv)
    targets = []
    for arg in args.paths:
        found = _translation_paths(arg)
        if found is None:
            print(f"kb mark-translated: not a page or folder under docs/: {arg}")
            return 2
        targets += found
    problems, done = mark(targets, args.force)
    for line in done:
        print(line)
    if problems:
        report(problems)
        print("mark-translated: the pages above were not marked: fix what is reported "
              "(--force marks them despite structural differences)")
    return 1 if problems else 0


# --- the status page and the notices -------------------------------------------------------------

def state_of(statuses: dict, lang: str, rel: str) -> str | None:
    status = statuses.get((lang, rel))
    return status.state if status else None


def render_status(lang: str, page: str, statuses: dict, docs: Path = DOCS) -> str:
    """The status table, in `lang`, as Markdown for the page at `page` (relative to docs/<lang>/):
    templates/translation-status.md."""
    labels = LABELS.get(lang, LABELS[DEFAULT_LANGUAGE])
    here = posixpath.dirname(page) or "."
    rows = []
    items = sorted(statuses.values(), key=lambda s: (posixpath.dirname(s.rel), posixpath.basename(s.rel) != "index.md", s.rel))
    for s in items:
        source = docs / lang / s.rel
        if not source.exists():
            source = docs / DEFAULT_LANGUAGE / s.rel
        linkable = (docs / lang / s.rel).exists() or (docs / DEFAULT_LANGUAGE / s.rel).exists()
        if s.state == ORPHAN and lang == DEFAULT_LANGUAGE:
            linkable = False
        rows.append({"title": Markup(page_title(source).replace("|", "\\|")),
                     "href": posixpath.relpath(s.rel, here) if linkable else None,
                     "state": s.state, "notes": [labels[r] for r in s.reasons]})
    current = sum(s.state == CURRENT for s in items)
    # Markdown, not HTML: the page's Markdown renderer escapes the titles (as it did the strings before).
    return templating.render("translation-status.md", labels=labels, rows=rows, current=current)


def render_page(markdown: str, lang: str, page: str, statuses) -> str:
    """The status table where the page asks for it. `statuses`: the dict, or a function returning it."""
    if PLACEHOLDER not in markdown:
        return markdown
    statuses = statuses() if callable(statuses) else statuses
    return markdown.replace(PLACEHOLDER, render_status(lang, page, statuses))
