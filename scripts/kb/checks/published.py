"""Every file the site publishes from docs/: only what the project means to publish.

MkDocs copies every file under docs/ into the site (and follows symlinks). Allowed:

- pages: ``*.md`` (other page extensions such as ``.markdown`` are refused: the checks read ``*.md``);
- images: PNG, JPEG, GIF, WebP, AVIF, ICO;
- SVG, parsed (expat) and held to ``SVG_ELEMENTS``: no ``<script>``, no ``on*`` handlers, no
  ``<foreignObject>``, no DOCTYPE or entities, no reference outside the file (``href``/``xlink:href``
  only ``#id``, ``url(#id)`` only, no ``@import``, no ``<?xml-stylesheet?>``);
- the project's CSS (``*.css``), which may not load anything from another host;
- files listed one by one in data/published-files.yml (schema: published-files.schema.json),
  each reviewed in an issue: e.g. the diagnostic script docs/assets/diagnose-local-dns.sh.

Refused: symlinks (named with their target: one could publish /etc/passwd or .git/config), raw
``.html``, scripts and any other extension not listed. Each problem at ``PATH:LINE:COL``.
"""
from __future__ import annotations

import argparse
import os
import re
import xml.parsers.expat
from pathlib import Path

from kb.checks.rendered import css_loads, foreign
from kb.core import datafile
from kb.core.problems import Problem, relpath, report
from kb.core.settings import DATA, DOCS

LISTED = DATA / "published-files.yml"
SCHEMA = "published-files.schema.json"
IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico"}
SVG_ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "metadata", "symbol", "use", "path", "rect", "circle", "ellipse",
    "line", "polyline", "polygon", "text", "tspan", "textPath", "marker", "linearGradient", "radialGradient",
    "stop", "clipPath", "mask", "pattern", "filter", "feGaussianBlur", "feOffset", "feBlend", "feFlood",
    "feComposite", "feMerge", "feMergeNode", "feColorMatrix", "feDropShadow", "style", "switch",
}
_XLINK = "http://www.w3.org/1999/xlink"
_URL = re.compile(r"url\(\s*['\"]?\s*(?P<url>[^'\")]*)", re.I)


def listed(path: Path = LISTED) -> tuple[set[str], list[Problem]]:
    """(repository paths listed in data/published-files.yml, problems of that file)."""
    if not path.is_file():
        return set(), []
    data, _, problems = datafile.load(path, SCHEMA)
    if problems or not data:
        return set(), problems
    return {entry["path"] for entry in data.get("files") or []}, []


def svg_problems(path: Path, rel: str) -> list[Problem]:
    data = path.read_bytes()
    problems: list[Problem] = []
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")

    def at(message: str, line: int | None = None, col: int | None = None):
        problems.append(Problem(rel, line or parser.CurrentLineNumber, (col if col is not None else parser.CurrentColumnNumber) + 1,
                                message))

    def check_url_text(text: str, where: str):
        for m in _URL.finditer(text):
            if not m.group("url").strip().startswith("#"):
                at(f"{where} refers to {m.group('url')[:60]!r} outside the file: only url(#id)")
        if re.search(r"@import|expression\s*\(|javascript:", text, re.I):
            at(f"{where}: @import, expression() and javascript: are not allowed")

    style = []

    def start(name, attrs):
        ns, _, local = name.rpartition(" ")
        if ns not in ("", "http://www.w3.org/2000/svg"):
            at(f"<{local}> in namespace {ns}: only SVG elements")
        elif local not in SVG_ELEMENTS:
            why = {"script": "runs code when the file is opened", "foreignObject": "embeds HTML",
                   "image": "loads another file", "a": "links out of the diagram",
                   "iframe": "embeds another document"}.get(local, "is not in the SVG allowlist")
            at(f"<{local}> {why}: not allowed in SVG files")
        if local == "style":
            style.append(parser.CurrentLineNumber)
        for key, value in attrs.items():
            ans, _, attr = key.rpartition(" ")
            if attr.lower().startswith("on"):
                at(f"event handler {attr}= on <{local}> runs code: not allowed in SVG files")
            elif attr == "href" and ans in ("", _XLINK) and not value.strip().startswith("#"):
                at(f"{'xlink:' if ans else ''}href={value[:60]!r} on <{local}> refers outside the file: only #id")
            elif "url(" in value.lower() or "javascript:" in value.lower() or attr == "style":
                check_url_text(value, f"{attr}= on <{local}>")

    def chars(text):
        if style:
            check_url_text(text, "<style>")

    def end(name):
        if name.rpartition(" ")[2] == "style" and style:
            style.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = lambda *a: at("DOCTYPE: not allowed in SVG files (entities can pull in other files)")
    parser.EntityDeclHandler = lambda *a: at("entity declaration: not allowed in SVG files")
    parser.ProcessingInstructionHandler = lambda target, d: at(f"<?{target}?> processing instruction: not allowed "
                                                                "(it can load a stylesheet)")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        problems.append(Problem(rel, exc.lineno, exc.offset + 1, f"not well-formed SVG: {xml.parsers.expat.errors.messages[exc.code]}"))
    return problems


def css_problems(path: Path, rel: str) -> list[Problem]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [Problem(rel, line, col, f"stylesheet loads {url[:60]} from another host: readers' browsers would "
                                    f"contact it (copy the file into docs/assets/)")
            for line, col, url in css_loads(text) if foreign(url)]


def check(docs: Path = DOCS, listed_file: Path = LISTED) -> list[Problem]:
    allowed, problems = listed(listed_file)
    for folder, dirs, files in os.walk(docs, followlinks=False):
        base = Path(folder)
        for name in sorted(dirs + files):
            path = base / name
            rel = f"{relpath(base)}/{name}"  # not resolved: a symlink is named by itself
            if name.startswith("."):
                continue  # MkDocs leaves dotfiles out of the site
            if path.is_symlink():
                problems.append(Problem(rel, 1, 1, f"symlink to {os.readlink(path)}: not published (it could publish "
                                                   f"a file from outside the repository); copy the file instead"))
                continue
            if name in dirs:
                continue
            suffix = path.suffix.lower()
            if rel in allowed:
                continue
            if suffix == ".md":
                continue
            if suffix in IMAGES:
                continue
            if suffix == ".svg":
                problems += svg_problems(path, rel)
            elif suffix == ".css":
                problems += css_problems(path, rel)
            else:
                kind = "raw HTML page (it skips every page check)" if suffix in (".html", ".htm", ".xhtml") else \
                    "page extension the checks do not read (write *.md)" if suffix in (".markdown", ".mdown", ".mkd", ".mkdn") else \
                    f"'{suffix or name}' file"
                problems.append(Problem(rel, 1, 1, f"{kind}: not published unless listed, with a reason, in "
                                                   f"{relpath(listed_file)}"))
        dirs[:] = [d for d in dirs if not (base / d).is_symlink()]
    return sorted(problems)


def cli(argv: list[str]) -> int:
    """`kb check-published`: every file under docs/ is a page, an image, the project's CSS/SVG or listed."""
    ap = argparse.ArgumentParser(prog="kb check-published", description=cli.__doc__)
    ap.add_argument("--docs", type=Path, default=DOCS, help="docs folder (default: docs/)")
    args = ap.parse_args(argv)
    problems = check(args.docs)
    report(problems)
    return 1 if problems else 0
