"""Link integrity: internal links and anchors without a build, external links on request.

Internal links are verified twice. The strict build does it with MkDocs' own ``validation``
settings (mkdocs.yml), which also covers generated content (glossary, map, status page) but
names no line. ``kb check-links`` reads the Markdown sources instead and names file, line
and column, in well under a second:

- a relative link must lead to a page (``.md``) or file of the docs: in the page's language,
  or in English (pages that are not translated yet fall back to the English original);
- its anchor must exist on the target page: an explicit id (``{ #id }``), the slug of a heading
  without one, an ``id=`` in raw HTML, or an anchor a generator adds (glossary term ids);
- absolute links (``/path``) and links to folders or ``.html`` files break in the offline copy or
  under a sub-path, and are errors.
Anchors on pages filled by a generator this module does not know are left to the build.

``kb check-links --external`` checks every http(s) URL of the docs and data files (one request
per distinct URL, in parallel) and reports dead ones at each place they appear. It needs the
network, so it is not part of ``make check``/``make test``; run it before a release.
"""
from __future__ import annotations

import argparse
import posixpath
import re
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urldefrag

from kb.checks.safety import prose_view
from kb.content import translations
from kb.core import source
from kb.core.problems import Problem, relpath, report
from kb.core.settings import DATA, DEFAULT_LANGUAGE, DOCS, LANGUAGES

_INLINE = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]"                         # [text] (one level of nested [])
    r"\(\s*(?P<url><[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)"  # (url
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)"          #  "title")
)
_REF_DEF = re.compile(r"^[ \t]{0,3}\[(?!\^)[^\]\n]+\]:[ \t]*(?P<url><[^>\n]*>|\S+)", re.M)
_AUTOLINK = re.compile(r"<(?P<url>https?://[^<>\s]+)>")
_HTML_URL = re.compile(r"<[a-zA-Z][^<>]*?\s(?:href|src)\s*=\s*(?P<q>[\"'])(?P<url>[^\"'\n]*)(?P=q)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_EXPLICIT_ID = re.compile(r"\{:?[^{}\n]*?(?:^|\s|\{:?)#(?P<id>[^\s}#]+)[^{}\n]*\}")
_HTML_ID = re.compile(r"<[a-zA-Z][^<>]*?\s(?:id|name)\s*=\s*[\"'](?P<id>[^\"']+)[\"']")
_PLACEHOLDER = re.compile(r"^[ \t]*<!--[ \t]*(?P<name>[\w-]+)[ \t]*-->[ \t]*$", re.M)
_DATA_URL = re.compile(r"https?://[^\s'\"<>()\[\]{}`]+")


def links(text: str):
    """Yield (line, col, url) for every link and image of a Markdown text (1-based), code excluded."""
    view = prose_view(source.normalize(text))
    index = source.LineIndex(view)
    for rx in (_INLINE, _REF_DEF, _AUTOLINK, _HTML_URL):
        for m in rx.finditer(view):
            url = m.group("url")
            start = m.start("url")
            if url.startswith("<") and url.endswith(">"):
                url, start = url[1:-1], start + 1
            line, col = index.line_col(start)
            yield line, col, url


# --- anchors -------------------------------------------------------------------------------------

def _slugify(title: str) -> str:
    from markdown.extensions.toc import slugify

    return slugify(title, "-")


@lru_cache(maxsize=None)
def _glossary_ids() -> frozenset:
    try:
        from kb.content import glossary

        return frozenset(glossary.load())
    except Exception:  # a broken glossary is check-glossary's to report
        return frozenset()


@lru_cache(maxsize=None)
def _map_row_ids() -> frozenset:
    try:
        from kb.content import mapping
        from kb.core import yamldoc

        entries = yamldoc.parse(source.read_text(mapping.DATA_FILE))[0][0].data["entries"]  # the one YAML loader
        return frozenset(f"map-{e['id']}" for e in entries)
    except Exception:  # a broken map is check-mapping's to report
        return frozenset()


KNOWN_GENERATORS = {
    "glossary": _glossary_ids,                    # <!-- glossary -->: one entry per term, id = term id
    "translation-status": frozenset,               # <!-- translation-status -->: a table, no anchors
    "vsphere-kubernetes-table": _map_row_ids,      # the map: one row per entry, id = map-<entry id>
}


def anchors(path: Path) -> frozenset | None:
    """Every anchor of a page, or None when a generator we do not know may add more."""
    return _anchors(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=None)
def _anchors(path: Path, _mtime: int) -> frozenset | None:
    text = source.read_text(path)
    view = prose_view(text)
    ids = set(m.group("id") for m in _EXPLICIT_ID.finditer(view))
    ids |= set(m.group("id") for m in _HTML_ID.finditer(view))
    for h in translations.headings(text):
        if h.id is None:  # toc's slug of the title, glossary references read as their label
            ids.add(_slugify(re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", h.title)))
    for m in _PLACEHOLDER.finditer(text):
        generator = KNOWN_GENERATORS.get(m.group("name"))
        if generator is None:
            if m.group("name").startswith(("markdownlint", "snippet", "translation", "safety")):
                continue  # switches, not generators
            return None
        ids |= set(generator())
    return frozenset(ids)


# --- internal links ------------------------------------------------------------------------------

def _language_of(path: Path, docs: Path) -> tuple[str | None, str]:
    rel = path.relative_to(docs).as_posix()
    head, _, rest = rel.partition("/")
    return (head, rest) if head in LANGUAGES and rest else (None, rel)


def generated_files(lang: str) -> frozenset:
    """Files the build adds to a language's folder that are not under docs/ (the map's downloads)."""
    try:
        from kb.content import mapping
    except ImportError:
        return frozenset()
    if not mapping.DATA_FILE.is_file():
        return frozenset()
    return frozenset(mapping.download_uri(lang, fmt) for fmt in mapping.DOWNLOAD_FORMATS)


def _resolve(target_rel: str, lang: str | None, docs: Path) -> Path | None:
    """The file a link inside docs/<lang>/ leads to, following the fallback to English."""
    if lang and target_rel in generated_files(lang):
        return docs / lang / target_rel
    roots = [docs / lang, docs / DEFAULT_LANGUAGE] if lang else []
    roots.append(docs)
    for root in roots:
        candidate = root / target_rel
        if candidate.is_file():
            return candidate
    return None


def check_file(path: Path, docs: Path = DOCS) -> list[Problem]:
    rel = relpath(path)
    if _override is not None and _override[0] == path:
        text = _override[1]
    else:
        text = source.read_text(path)  # unreadable files are reported by check-snippets
    lang, page_rel = _language_of(path, docs)
    here = posixpath.dirname(page_rel)
    problems = []
    for line, col, url in links(text):
        if not url or _SCHEME.match(url) or url.startswith("//"):
            continue
        target, frag = urldefrag(url)
        target = unquote(target)
        if target.startswith("/"):
            problems.append(Problem(rel, line, col, f"absolute link '{url}': link the .md file with a relative "
                                    "path (absolute links break in the offline copy and under a sub-path)"))
            continue
        if not target:
            dest = path
        else:
            joined = posixpath.normpath(posixpath.join(here, target))
            if joined.startswith("../") or joined == "..":
                # leaves the language folder: shared files under docs/ (assets)
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(path.relative_to(docs).as_posix()), target))
                other = joined.partition("/")[0]
                if lang and other in LANGUAGES:
                    # each language is built on its own: the other language's pages are not part of it
                    problems.append(Problem(rel, line, col, f"link '{url}' leads into the {other}/ pages, which "
                                            f"the {lang} build does not have (the build fails on it): link this "
                                            "language's page, the language switcher leads to the other"))
                    continue
                dest = docs / joined if not joined.startswith("..") and (docs / joined).is_file() else None
            else:
                dest = _resolve(joined, lang, docs)
            if target.endswith("/") or (dest is None and (docs / (lang or "") / joined).is_dir()):
                problems.append(Problem(rel, line, col, f"link to a folder '{url}': link the page itself "
                                        f"(e.g. '{target.rstrip('/')}/index.md')"))
                continue
            if dest is None:
                problems.append(Problem(rel, line, col, f"broken link '{url}': no page or file "
                                        f"{relpath(docs / (lang or '') / joined if not joined.startswith('..') else docs / joined)}"))
                continue
            if dest.suffix in (".html", ".htm"):
                problems.append(Problem(rel, line, col, f"link to '{url}': link the .md page, not built HTML"))
                continue
        if frag and dest.suffix == ".md":
            ids = anchors(dest)
            if ids is not None and unquote(frag) not in ids:
                where = "this page" if dest == path else relpath(dest)
                problems.append(Problem(rel, line, col, f"broken anchor '#{frag}': {where} has no heading or "
                                        f"element with id '{frag}'"))
    return problems


def check(docs: Path = DOCS) -> list[Problem]:
    problems = []
    for path in source.markdown_files(docs)[0]:
        problems += check_file(path, docs)
    return problems + glossary_problems(docs)


def glossary_problems(docs: Path = DOCS) -> list[Problem]:
    """Links in glossary definitions (data/glossary.yml), which the glossary page shows: checked as
    links of docs/<lang>/reference/glossary.md, reported at the definition's line in the data file."""
    from kb.content import glossary
    from kb.core import yamldoc

    src = source.read(glossary.GLOSSARY_FILE)
    if not src.text or src.problems:
        return []  # check-glossary reports an unreadable glossary
    docs_, issues = yamldoc.parse(src.text)
    if not docs_ or not isinstance(docs_[0].data, dict) or not isinstance(docs_[0].data.get("terms"), list):
        return []
    doc = docs_[0]
    rel = relpath(glossary.GLOSSARY_FILE)
    problems = []
    for i, entry in enumerate(doc.data["terms"]):
        definition = entry.get("definition") if isinstance(entry, dict) else None
        if not isinstance(definition, dict):
            continue
        for lang in LANGUAGES:
            text = definition.get(lang)
            if not isinstance(text, str) or "](" not in text and "]:" not in text and "href" not in text:
                continue
            page = docs / lang / glossary.GLOSSARY_PAGE
            line0, col0 = doc.mark(("terms", i, "definition", lang))
            for p in _page_links(page, text, docs):
                where = "" if p.line == 1 else f" (line {p.line} of the definition)"
                problems.append(Problem(rel, line0 + 1, col0 + 1, f"definition.{lang} of '{entry.get('id')}': "
                                        f"{p.message}{where}"))
    return problems


def _page_links(page: Path, text: str, docs: Path) -> list[Problem]:
    """Problems of the links in Markdown `text` as if written on `page`."""
    global _override
    _override = (page, text)
    try:
        return check_file(page, docs)
    finally:
        _override = None


_override = None  # (page, text): check_file reads this text for that page (glossary definitions)


# --- external links ------------------------------------------------------------------------------

def external_links(files: list[Path] | None = None) -> dict[str, list[tuple[str, int, int]]]:
    """{url: [(path, line, col), ...]} for every http(s) link of the given Markdown and YAML files
    (default: the docs and the data files)."""
    if files is None:
        files = source.markdown_files(DOCS)[0] + sorted(DATA.glob("*.yml"))
    found: dict = {}
    for path in [f for f in files if f.suffix == ".md"]:
        text = source.read_text(path)
        for line, col, url in links(text):
            if url.startswith(("http://", "https://")):
                found.setdefault(urldefrag(url)[0], []).append((relpath(path), line, col))
    for path in [f for f in files if f.suffix in (".yml", ".yaml")]:
        text = source.read_text(path)
        index = source.LineIndex(text)
        for m in _DATA_URL.finditer(text):
            url = m.group(0).rstrip(".,;:")
            line, col = index.line_col(m.start())
            found.setdefault(urldefrag(url)[0], []).append((relpath(path), line, col))
    return found


def probe(url: str, session, timeout: float = 15.0) -> tuple[str, str] | None:
    """None when the URL answers; else (severity, reason)."""
    import requests

    try:
        r = session.head(url, allow_redirects=True, timeout=timeout)
        if r.status_code in (400, 403, 405, 406, 429, 501) or r.status_code >= 500:
            r = session.get(url, allow_redirects=True, timeout=timeout, stream=True)
            r.close()
    except requests.exceptions.SSLError as exc:
        return "error", f"TLS error: {_short(exc)}"
    except requests.exceptions.Timeout:
        return "error", f"no answer within {timeout:.0f} s"
    except requests.exceptions.RequestException as exc:
        return "error", f"cannot connect: {_short(exc)}"
    if r.status_code == 429:
        return "warning", "HTTP 429 (rate limited): not verified"
    if r.status_code in (401, 403):
        return "warning", f"HTTP {r.status_code}: the site refuses automated checks, verify by hand"
    if r.status_code >= 400:
        return "error", f"HTTP {r.status_code}"
    return None


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def check_external(files: list[Path] | None = None, workers: int = 8, timeout: float = 15.0) -> list[Problem]:
    import requests

    found = external_links(files)
    session = requests.Session()
    session.headers["User-Agent"] = "vsphere-k8s-kb link checker (python-requests)"
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(found, pool.map(lambda u: probe(u, session, timeout), found)))
    problems = []
    for url, result in results.items():
        if result is None:
            continue
        severity, reason = result
        for path, line, col in found[url]:
            problems.append(Problem(path, line, col, f"dead link {url}: {reason}" if severity == "error"
                                    else f"link {url}: {reason}", severity))
    return problems


def cli(argv: list[str]) -> int:
    """`kb check-links [--external]`: internal links and anchors; with --external, also web links."""
    ap = argparse.ArgumentParser(prog="kb check-links", description=cli.__doc__)
    ap.add_argument("--external", action="store_true",
                    help="also request every http(s) link (needs the network; not part of make check)")
    ap.add_argument("--timeout", type=float, default=15.0, help="seconds per request (default 15)")
    ap.add_argument("paths", nargs="*", help="with --external: only these Markdown/YAML files or folders")
    args = ap.parse_args(argv)
    files = None
    if args.paths:
        if not args.external:
            ap.error("paths are only for --external (internal links are always checked across docs/)")
        files = []
        for p in args.paths:
            path = Path(p).resolve()
            if not path.exists():
                print(f"kb check-links: no such file or folder: {p}")
                return 2
            files += sorted(f for f in path.rglob("*") if f.suffix in (".md", ".yml", ".yaml")) if path.is_dir() else [path]
    problems = check()
    if args.external:
        problems += check_external(files, timeout=args.timeout)
    report(problems)
    return 1 if any(p.severity == "error" for p in problems) else 0
