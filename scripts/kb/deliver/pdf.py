"""`kb pdf`: one PDF per language, the document consultants hand to clients.

    dist/<project>-<lang>-<version>.pdf      (project: extra.kb.project; version: `git describe`)

- Made from the built site (strict build into a temporary folder, or `--site DIR`): the reader pages
  of the navigation, in its order (the sections listed in extra.kb.pdf.leave_out, the contributor
  pages, are left out), are taken from the built HTML and put into one print document with a cover
  and a table of contents, which Debian's Chromium prints through Playwright's `page.pdf`
  (`outline=True`: bookmarks from the headings, `tagged=True`: a tagged, accessible PDF).
- The print document is rewritten for paper: content tabs become titled blocks one after the
  other, collapsible blocks are opened, glossary tooltips become plain text, links between pages
  become links inside the PDF (other site pages and files: absolute links to the published site),
  heading ids are prefixed per page so they stay unique. Its look is docs/assets/print.css (loaded
  only here, never by the site) and the page box (paper, margins, running footer) set below.
- Page numbers in the table of contents: printed once, the page of every entry is read back from
  the PDF's named destinations (pypdf), the numbers are filled in and the document printed again
  (until the pages stop moving).
- Reproducible: dates come from SOURCE_DATE_EPOCH (default: the commit's time), the metadata and
  the trailer /ID are set by pypdf from the document's identity; the same commit gives the same
  bytes on the same toolchain.
- All or nothing: a PDF lands in dist/ only when complete; older versions of it are removed.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from kb.core.problems import ProblemsError, relpath, report
from kb.core.settings import DEFAULT_LANGUAGE, ROOT, kb_setting, mkdocs_config

CHROMIUM = os.environ.get("KB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--font-render-hinting=none"]
PAPERS = {"a4": ("A4", "210mm", "297mm"), "letter": ("Letter", "8.5in", "11in")}
PRINT_CSS = "assets/print.css"  # in the built site, from docs/assets/print.css
MAX_PASSES = 4
BASE = "http://kb.invalid/"  # stands for the site root while links are resolved

LABELS = {
    "en": {"language": "Language", "version": "Version", "date": "Date", "contents": "Contents",
           "page": "Page", "of": "of", "source": "Online edition"},
    "es": {"language": "Idioma", "version": "Versión", "date": "Fecha", "contents": "Contenido",
           "page": "Página", "of": "de", "source": "Edición en línea"},
}


# --------------------------------------------------------------------------- navigation

@dataclass
class Entry:
    """One line of the table of contents: a page, or a section without a page of its own."""

    title: str
    level: int  # 1 top level, 2 inside a section
    src: str | None = None  # docs-relative source of a page ("kubernetes/architecture.md")
    anchor: str = ""

    @property
    def is_page(self) -> bool:
        return self.src is not None


def i18n_languages(config: dict | None = None) -> list[dict]:
    config = config or mkdocs_config()
    for plugin in config.get("plugins", []):
        if isinstance(plugin, dict) and "i18n" in plugin:
            return list((plugin["i18n"] or {}).get("languages", []))
    return [{"locale": DEFAULT_LANGUAGE, "default": True, "name": DEFAULT_LANGUAGE}]


def language_settings(lang: str, config: dict | None = None) -> dict:
    config = config or mkdocs_config()
    settings = {"site_name": config.get("site_name", ""), "site_description": config.get("site_description", ""),
                "copyright": config.get("copyright", ""), "name": lang, "nav_translations": {}, "default": False}
    for spec in i18n_languages(config):
        if spec.get("locale") == lang:
            settings.update({k: v for k, v in spec.items() if v is not None})
    return settings


def leave_out() -> list[str]:
    return list((kb_setting("pdf") or {}).get("leave_out", ["contribute/"]))


def slug(src: str) -> str:
    return "p-" + re.sub(r"[^a-z0-9]+", "-", src.removesuffix(".md").lower()).strip("-")


def entries(lang: str, config: dict | None = None) -> list[Entry]:
    """The reader pages and sections of the navigation, in order, titles in `lang`."""
    config = config or mkdocs_config()
    translate = language_settings(lang, config).get("nav_translations") or {}
    skip = leave_out()
    out: list[Entry] = []

    def left_out(src: str) -> bool:
        return any(src == s or (s.endswith("/") and src.startswith(s)) for s in skip)

    def walk(items, level):
        for item in items:
            title, value = (None, item) if isinstance(item, str) else next(iter(item.items()))
            if isinstance(value, list):
                pages = []
                walk_section(value, pages)
                pages = [p for p in pages if not left_out(p[1])]
                if not pages:
                    continue
                name = translate.get(title, title)
                first_title, first_src = pages[0]
                if first_title is None and first_src.endswith("index.md"):  # the section's own page
                    out.append(Entry(name, level, first_src, slug(first_src)))
                    pages = pages[1:]
                else:
                    out.append(Entry(name, level, None, slug("section-" + name)))
                out.extend(Entry(translate.get(t, t) if t else "", level + 1, s, slug(s)) for t, s in pages)
            elif isinstance(value, str) and value.endswith(".md") and not left_out(value):
                out.append(Entry(translate.get(title, title) if title else "", level, value, slug(value)))

    def walk_section(items, pages):
        for item in items:
            title, value = (None, item) if isinstance(item, str) else next(iter(item.items()))
            if isinstance(value, list):
                walk_section(value, pages)
            elif isinstance(value, str) and value.endswith(".md"):
                pages.append((title, value))

    walk(config.get("nav") or [], 1)
    return out


# --------------------------------------------------------------------------- the print document

def built_path(site: Path, lang: str, src: str) -> Path:
    """The built HTML of a page: directory URLs (site) or .html files (offline build)."""
    prefix = "" if lang == DEFAULT_LANGUAGE else f"{lang}/"
    stem = src.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return site / f"{prefix}{stem}.html"
    pretty = site / f"{prefix}{stem}/index.html"
    return pretty if pretty.is_file() else site / f"{prefix}{stem}.html"


def site_url_path(path: str) -> str:
    """A site-relative file path in its published (directory URL) form."""
    if path.endswith("index.html"):
        return path[: -len("index.html")]
    if path.endswith(".html"):
        return path[: -len(".html")] + "/"
    return path


@dataclass
class Document:
    lang: str
    html: str
    entries: list[Entry]
    headings: list = field(default_factory=list)  # text of every heading, for the bookmarks


def _text(node) -> str:
    for link in node.select("a.headerlink"):
        link.decompose()
    return " ".join(node.get_text(" ", strip=True).split())


def assemble(site: Path, lang: str, version: str, epoch: int, paper: str) -> Document:
    """The whole language as one HTML document (cover, contents, pages), file:// paths into `site`."""
    from bs4 import BeautifulSoup

    site = Path(site).resolve()
    config = mkdocs_config()
    settings = language_settings(lang, config)
    labels = LABELS.get(lang, LABELS["en"])
    site_url = (config.get("site_url") or "").rstrip("/") + "/"
    nav = entries(lang, config)
    pages = {}  # site path (published form) -> anchor
    for e in nav:
        if e.is_page:
            rel = built_path(site, lang, e.src).relative_to(site).as_posix()
            pages[site_url_path(rel)] = e.anchor

    problems, stylesheets, bodies, headings = [], [], [], []
    for e in nav:
        if not e.is_page:
            headings.append(e.title)
            bodies.append(f'<section class="kb-part" id="{e.anchor}"><h{e.level} class="kb-part__title">'
                          f'{_escape(e.title)}</h{e.level}></section>')
            continue
        path = built_path(site, lang, e.src)
        if not path.is_file():
            problems.append(f"{e.src}: no built page for '{lang}' at {path}")
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        rel = path.relative_to(site).as_posix()
        page_url = urljoin(BASE, rel)
        if not stylesheets:
            for link in soup.select('link[rel~="stylesheet"]'):
                target = urlsplit(urljoin(page_url, link.get("href", "")))
                if target.netloc == urlsplit(BASE).netloc:
                    stylesheets.append((site / unquote(target.path.lstrip("/"))).as_uri())
        article = soup.select_one("article.md-content__inner")
        if article is None:
            problems.append(f"{rel}: no <article class=\"md-content__inner\">")
            continue
        _rewrite(article, soup, e, page_url, pages, site, site_url)
        h1 = article.find("h1")
        if h1 is not None:
            h1["id"] = e.anchor
            if not e.title or e.src.endswith("index.md"):
                e.title = _text(h1.__copy__()) or e.title
        else:
            article.insert(0, BeautifulSoup(f'<h1 id="{e.anchor}">{_escape(e.title)}</h1>', "lxml").h1)
        if e.level > 1:
            _demote(article, e.level - 1)
        headings += [" ".join(h.get_text(" ", strip=True).split()) for h in article.find_all(re.compile(r"^h[1-6]$"))]
        follows_part = bodies and bodies[-1].startswith('<section class="kb-part"')
        cls = "kb-page kb-page--after-part" if follows_part else "kb-page"
        bodies.append(f'<section class="{cls}" data-src="{e.src}">{article.decode_contents()}</section>')
    if problems:
        raise ProblemsError([_problem(p) for p in problems])

    name, width, height = PAPERS[paper]
    date = time.strftime("%Y-%m-%d", time.gmtime(epoch))
    project = kb_setting("project") or ROOT.name
    footer = f"{settings['site_name']} · {version}"
    toc = "\n".join(
        f'<li class="kb-toc__item kb-toc__item--{e.level}"><a href="#{e.anchor}">'
        f'<span class="kb-toc__title">{_escape(e.title)}</span><span class="kb-toc__dots"></span>'
        f'<span class="kb-toc__page" data-target="{e.anchor}">0</span></a></li>'
        for e in nav)
    home = site_url if lang == DEFAULT_LANGUAGE else f"{site_url}{lang}/"
    page_box = f"""
@page {{ size: {width} {height}; margin: 18mm 16mm 20mm 16mm;
  @bottom-left {{ content: "{_css(footer)}"; font: 8pt/1.2 sans-serif; color: #555; }}
  @bottom-right {{ content: "{_css(labels['page'])} " counter(page) " {_css(labels['of'])} " counter(pages);
                   font: 8pt/1.2 sans-serif; color: #555; }} }}
@page :first {{ @bottom-left {{ content: none; }} @bottom-right {{ content: none; }} }}
"""
    links = "\n".join(f'<link rel="stylesheet" href="{_escape(h)}">' for h in stylesheets)
    print_css = site / PRINT_CSS
    if print_css.is_file():
        links += f'\n<link rel="stylesheet" href="{print_css.as_uri()}">'
    html = f"""<!doctype html>
<html lang="{lang}" class="kb-print kb-paper--{paper}">
<head>
<meta charset="utf-8">
<title>{_escape(settings['site_name'])}</title>
<meta name="author" content="{_escape(project)}">
{links}
<style>{page_box}</style>
</head>
<body dir="ltr">
<div class="md-container"><main class="md-main"><div class="md-content"><div class="md-content__inner md-typeset kb-print__doc">
<section class="kb-cover">
<p class="kb-cover__project">{_escape(project)}</p>
<p class="kb-cover__title">{_escape(settings['site_name'])}</p>
<p class="kb-cover__description">{_escape(settings['site_description'])}</p>
<dl class="kb-cover__facts">
<dt>{labels['language']}</dt><dd>{_escape(str(settings.get('name', lang)))}</dd>
<dt>{labels['version']}</dt><dd>{_escape(version)}</dd>
<dt>{labels['date']}</dt><dd><time datetime="{date}">{date}</time></dd>
<dt>{labels['source']}</dt><dd><a href="{_escape(home)}">{_escape(home)}</a></dd>
</dl>
<p class="kb-cover__copyright">{_escape(settings.get('copyright', ''))}</p>
</section>
<nav class="kb-toc" aria-labelledby="kb-toc-title">
<p class="kb-toc__heading" id="kb-toc-title">{labels['contents']}</p>
<ol class="kb-toc__list">
{toc}
</ol>
</nav>
{chr(10).join(bodies)}
</div></div></main></div>
</body>
</html>
"""
    return Document(lang, html, nav, headings)


def _problem(message: str):
    from kb.core.problems import Problem

    path, _, rest = message.partition(": ")
    return Problem(path, 1, 1, rest)


def _escape(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def _css(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


def _demote(article, by: int) -> None:
    for h in article.find_all(re.compile(r"^h[1-6]$")):
        h.name = f"h{min(6, int(h.name[1]) + by)}"


def _rewrite(article, soup, entry: Entry, page_url: str, pages: dict, site: Path, site_url: str) -> None:
    """Make one page's article fit for paper and for living inside the one document."""
    prefix = entry.anchor + "--"
    for sel in ("a.headerlink", "a.md-content__button", ".md-source-file", "form.md-feedback",
                "a[id^='__codelineno']", "nav.md-tags"):
        for node in article.select(sel):
            node.decompose()
    # Tabs: every block, one after the other, under its label.
    for tabs in article.select("div.tabbed-set"):
        labels = [_text(lb) for lb in tabs.select(":scope > .tabbed-labels > label")]
        blocks = tabs.select(":scope > .tabbed-content > .tabbed-block")
        new = soup.new_tag("div", attrs={"class": "kb-print-tabs"})
        for i, block in enumerate(blocks):
            tab = soup.new_tag("div", attrs={"class": "kb-print-tab"})
            title = soup.new_tag("p", attrs={"class": "kb-print-tab__title"})
            title.string = labels[i] if i < len(labels) else ""
            tab.append(title)
            body = soup.new_tag("div", attrs={"class": "kb-print-tab__body"})
            for child in list(block.children):
                body.append(child.extract())
            tab.append(body)
            new.append(tab)
        tabs.replace_with(new)
    for details in article.find_all("details"):
        details["open"] = ""
    # Tooltips: the words stay, the hover text goes (the glossary itself is in the document).
    for abbr in article.find_all("abbr"):
        abbr.unwrap()
    for term in article.select("a.kb-term"):
        term.attrs.pop("title", None)
    for img in article.find_all("img"):
        img.attrs.pop("loading", None)
        src = img.get("src", "")
        target = urlsplit(urljoin(page_url, src))
        if target.netloc == urlsplit(BASE).netloc:
            img["src"] = (site / unquote(target.path.lstrip("/"))).as_uri()
    # Ids unique in the whole document.
    for node in article.find_all(id=True):
        node["id"] = prefix + node["id"]
    for node in article.find_all(attrs={"name": True}):
        if node.name == "a":
            del node["name"]
    for a in article.find_all("a", href=True):
        a["href"] = _link(a["href"], page_url, prefix, pages, site_url)


def _link(href: str, page_url: str, prefix: str, pages: dict, site_url: str) -> str:
    if href.startswith("#"):
        return "#" + prefix + href[1:] if len(href) > 1 else "#" + prefix.removesuffix("--")
    target = urlsplit(urljoin(page_url, href))
    if target.netloc != urlsplit(BASE).netloc:
        return href  # outside the site, or mailto: and the like
    path = site_url_path(unquote(target.path.lstrip("/")))
    anchor = pages.get(path)
    if anchor is None:  # a page or file not in the PDF: the published site
        return site_url + path + (f"#{target.fragment}" if target.fragment else "")
    return f"#{anchor}--{target.fragment}" if target.fragment else f"#{anchor}"


# --------------------------------------------------------------------------- printing

def destinations(reader) -> dict[str, int]:
    """{name: page index (0-based)} of the named destinations (Chromium writes them in the catalog's /Dests)."""
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    found = {}
    dests = reader.trailer["/Root"].get("/Dests")
    for name, dest in (dests.get_object() if dests is not None else {}).items():
        dest = dest.get_object()
        if isinstance(dest, dict):
            dest = dest["/D"]
        ref = dest[0]
        if hasattr(ref, "idnum") and ref.idnum in pages:
            found[str(name).removeprefix("/")] = pages[ref.idnum]
    for name, dest in reader.named_destinations.items():  # the /Names tree, if any
        found.setdefault(str(name).removeprefix("/"), reader.get_destination_page_number(dest))
    return found


def page_numbers(data: bytes, anchors: list[str]) -> dict[str, int]:
    """Page (1-based) of each named destination in a PDF."""
    from pypdf import PdfReader

    dests = destinations(PdfReader(io.BytesIO(data)))
    return {name: dests[name] + 1 for name in anchors if name in dests}


def render(documents: list[Document], workdir: Path) -> dict[str, bytes]:
    """Print each document with Chromium, twice or more until the contents' page numbers hold."""
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for doc in documents:
                source = Path(workdir) / f"print-{doc.lang}.html"
                source.write_text(doc.html, encoding="utf-8")
                context = browser.new_context()
                context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                              else route.abort())
                page = context.new_page()
                page.goto(source.as_uri(), wait_until="load")
                page.evaluate("document.fonts.ready")
                anchors = [e.anchor for e in doc.entries]
                numbers: dict[str, int] = {}
                for _ in range(MAX_PASSES):
                    data = page.pdf(prefer_css_page_size=True, print_background=True, outline=True, tagged=True)
                    found = page_numbers(data, anchors)
                    missing = [a for a in anchors if a not in found]
                    if missing:
                        raise ProblemsError([_problem(f"print-{doc.lang}.html: no destination for {', '.join(missing)}")])
                    if found == numbers:
                        break
                    numbers = found
                    page.evaluate("""(numbers) => {
                        for (const el of document.querySelectorAll('.kb-toc__page'))
                            el.textContent = String(numbers[el.dataset.target]);
                    }""", numbers)
                else:
                    raise ProblemsError([_problem(f"print-{doc.lang}.html: page numbers still moving after "
                                                  f"{MAX_PASSES} passes")])
                out[doc.lang] = data
                context.close()
        finally:
            browser.close()
    return out


def pdf_date(epoch: int) -> str:
    return time.strftime("D:%Y%m%d%H%M%S+00'00'", time.gmtime(epoch))


def _renumber_structure_ids(writer) -> None:
    """Chromium names structure elements after its DOM node counter (node00000405), which shifts from
    run to run: number them in tree order instead and rebuild the /IDTree with the new names."""
    from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, IndirectObject, NameObject, NullObject

    tree = writer._root_object.get("/StructTreeRoot")
    if tree is None:
        return
    tree = tree.get_object()
    def raw(value) -> bytes:
        return getattr(value, "original_bytes", None) or str(value).encode("latin-1")

    names, renamed, elements = [], {}, []
    stack = [tree.get("/K")]
    while stack:
        node = stack.pop()
        ref = node if isinstance(node, IndirectObject) else None
        node = node.get_object() if node is not None and hasattr(node, "get_object") else node
        if isinstance(node, ArrayObject):
            stack.extend(reversed(node))
        elif isinstance(node, DictionaryObject) and "/S" in node:
            elements.append(node)
            if "/ID" in node:
                new = ByteStringObject(b"node%08d" % len(names))
                renamed[raw(node["/ID"])] = new
                node[NameObject("/ID")] = new
                names.append((new, ref))
            if "/K" in node:
                stack.append(node["/K"])
    # Table cells name their header cells by id (/A << /O /Table /Headers [...] >>).
    for node in elements:
        attrs = node.get("/A")
        attrs = attrs.get_object() if attrs is not None else None
        for attr in (attrs if isinstance(attrs, ArrayObject) else [attrs] if attrs is not None else []):
            attr = attr.get_object()
            if isinstance(attr, DictionaryObject) and "/Headers" in attr:
                attr[NameObject("/Headers")] = ArrayObject(renamed.get(raw(h), h) for h in attr["/Headers"])
    if "/IDTree" in tree:
        # The old tree's nodes become null objects (still numbered, so nothing else moves).
        old, nodes = [tree.raw_get("/IDTree")], []
        while old:
            ref = old.pop()
            if isinstance(ref, IndirectObject):
                nodes.append(ref.idnum)
            kids = ref.get_object().get("/Kids")
            old += list(kids.get_object()) if kids is not None else []
        for idnum in nodes:
            writer._objects[idnum - 1] = NullObject()
        flat = ArrayObject()
        for name, ref in names:
            if ref is not None:
                flat += [name, ref]
        tree[NameObject("/IDTree")] = writer._add_object(DictionaryObject({NameObject("/Names"): flat}))


def _fix_bookmarks(writer, headings: list[str]) -> None:
    """Chromium joins the lines of a wrapped heading without a space in its bookmark
    ("vSphere aKubernetes"): give each bookmark its heading's text."""
    from pypdf.generic import NameObject, TextStringObject

    texts = {re.sub(r"\s+", "", h): h for h in headings}
    outlines = writer._root_object.get("/Outlines")
    stack = [outlines.get_object().get("/First")] if outlines is not None else []
    while stack:
        item = stack.pop()
        if item is None:
            continue
        item = item.get_object()
        title = str(item.get("/Title", ""))
        text = texts.get(re.sub(r"\s+", "", title))
        if text and text != title:
            item[NameObject("/Title")] = TextStringObject(text)
        stack += [item.get("/Next"), item.get("/First")]


def finish(data: bytes, *, title: str, lang: str, version: str, epoch: int, project: str,
           headings: list[str] | None = None) -> bytes:
    """Fixed metadata, structure ids and /ID: the same input gives the same bytes."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    producer = str((reader.metadata or {}).get("/Producer", "Chromium"))
    writer.metadata = None
    writer.add_metadata({
        "/Title": title, "/Author": project, "/Subject": f"{title} ({lang}, {version})",
        "/Creator": "kb pdf", "/Producer": producer,
        "/CreationDate": pdf_date(epoch), "/ModDate": pdf_date(epoch),
    })
    writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    if "/Metadata" in writer._root_object:  # an XMP packet would carry its own dates
        del writer._root_object["/Metadata"]
    _renumber_structure_ids(writer)
    _fix_bookmarks(writer, headings or [])
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)

    def written(ident: bytes) -> bytes:
        writer._ID = ArrayObject([ByteStringObject(ident), ByteStringObject(ident)])
        buf = io.BytesIO()
        writer.write(buf)
        return buf.getvalue()

    # /ID: a digest of the finished file itself (written once with a zero /ID).
    return written(hashlib.md5(written(bytes(16))).digest())


def make(site: Path, dest: Path, *, langs: list[str] | None = None, paper: str | None = None,
         version: str | None = None, epoch: int | None = None, root: Path = ROOT) -> dict[str, Path]:
    """Both languages' PDFs from a built site into `dest` (a folder); {lang: path}. Raises ProblemsError."""
    from kb.deliver.offline import identity

    paper = (paper or (kb_setting("pdf") or {}).get("paper") or "a4").lower()
    if paper not in PAPERS:
        from kb.core.problems import Problem

        lines = (root / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
        line = next((i for i, text in enumerate(lines, 1) if re.match(r"\s+paper:", text)), 1)
        raise ProblemsError([Problem("mkdocs.yml", line, 1,
                                     f"extra.kb.pdf.paper: '{paper}' is not one of {', '.join(PAPERS)}")])
    if version is None or epoch is None:
        version, epoch = identity(root)
    if not Path(CHROMIUM).is_file():
        from kb.core.problems import Problem

        raise ProblemsError([Problem(CHROMIUM, 1, 1, "Chromium not found: install Debian's chromium "
                                     "(apt-get install chromium) or point KB_CHROMIUM at a Chromium binary")])
    project = kb_setting("project") or root.name
    langs = langs or [spec["locale"] for spec in i18n_languages() if spec.get("build", True)]
    docs = [assemble(site, lang, version, epoch, paper) for lang in langs]
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kb-pdf-") as tmp:
        printed = render(docs, Path(tmp))
    written = {}
    for doc in docs:
        title = language_settings(doc.lang)["site_name"]
        data = finish(printed[doc.lang], title=title, lang=doc.lang, version=version, epoch=epoch,
                      project=project, headings=doc.headings)
        target = dest / f"{project}-{doc.lang}-{version}.pdf"
        part = dest / f".{target.name}.{os.getpid()}.part"
        try:
            part.write_bytes(data)
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        for old in dest.glob(f"{project}-{doc.lang}-*.pdf"):
            if old != target:
                old.unlink()
        written[doc.lang] = target
    return written


HOME_LINKS = {"en": ("Download", "English", "Spanish"), "es": ("Descargar", "español", "inglés")}


def link_homes(site: Path, written: dict[str, Path], folder: str = "pdf") -> list[Path]:
    """In a site that carries the PDFs in `folder`/ (the offline copy), add direct links to them
    after the first paragraph of each home page's PDF section (#pdf); return the pages changed."""
    changed = []
    langs = list(written)
    for lang in langs:
        home = Path(site) / ("index.html" if lang == DEFAULT_LANGUAGE else f"{lang}/index.html")
        if not home.is_file():
            continue
        text = home.read_text(encoding="utf-8")
        at = text.find('<h2 id="pdf">')
        end = text.find("</p>", at) if at >= 0 else -1
        if end < 0:
            continue
        up = "" if lang == DEFAULT_LANGUAGE else "../"
        label, *names = HOME_LINKS.get(lang, HOME_LINKS["en"])
        order = [lang] + [other for other in langs if other != lang]
        items = " · ".join(
            f'<a href="{up}{folder}/{_escape(written[code].name)}">{label}: {_escape(names[i] if i < len(names) else code)} (PDF)</a>'
            for i, code in enumerate(order))
        end += len("</p>")
        home.write_text(text[:end] + f'\n<p class="kb-pdf-links">{items}</p>' + text[end:], encoding="utf-8")
        changed.append(home)
    return changed


def cli(argv: list[str]) -> int:
    from kb.deliver.build import BuildFailed, build
    from kb.deliver.offline import identity

    ap = argparse.ArgumentParser(prog="kb pdf", description=__doc__.splitlines()[0])
    ap.add_argument("--paper", choices=sorted(PAPERS), default=None,
                    help="paper size (default: extra.kb.pdf.paper in mkdocs.yml, else a4)")
    ap.add_argument("--dist", default=str(ROOT / "dist"), help="folder for the PDFs (default: dist/)")
    ap.add_argument("--site", default=None, help="use this built site instead of building one (strict)")
    ap.add_argument("--lang", action="append", default=None, help="only this language (repeatable)")
    args = ap.parse_args(argv)
    version, epoch = identity(ROOT)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="kb-pdf-site-") as tmp:
            site = Path(args.site) if args.site else Path(tmp) / "site"
            if not args.site:
                build(site, config=ROOT / "mkdocs.yml", env={"SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0"},
                      echo=False)
            written = make(site, Path(args.dist), langs=args.lang, paper=args.paper, version=version, epoch=epoch)
    except ProblemsError as exc:
        report(exc.problems, stream=sys.stderr)
        print("pdf failed: nothing written to", args.dist, file=sys.stderr)
        return 1
    except BuildFailed as exc:
        sys.stderr.write(str(exc))
        print("pdf failed: the build did not pass; nothing written to", args.dist, file=sys.stderr)
        return 1
    for lang, path in written.items():
        from pypdf import PdfReader

        pages = len(PdfReader(path).pages)
        print(f"{relpath(path, ROOT)}: {path.stat().st_size:,} bytes, {pages} pages ({lang})")
    print(f"{len(written)} PDF(s) in {time.monotonic() - started:.1f} s")
    return 0
