"""The content-safety gate on what readers get: every rendered page, parsed as a browser parses it.

The source-level checks (kb.checks.safety) read Markdown with their own idea of what is code and
what is HTML; this module reads the HTML that the build writes, with lexbor (selectolax), a
WHATWG-conformant HTML5 parser run with scripting on, as Chromium parses (``<!-->``, ``--!>``,
``<![CDATA[``, ``<noscript>`` as raw text...). It is the authority; the source checks stay for
early, line-exact feedback.

A page is judged in two parts:

- **the content** (``page.content``: the page's Markdown, generated pages and data-file text
  included), parsed as a fragment in the context of Material's ``<article>``, then followed by a
  per-process sentinel element: unless the sentinel comes out as a top-level element, the content
  left the parser inside a comment, an attribute, a raw-text element or an unclosed element, and
  would swallow or re-shape the theme's markup after it. Every element, attribute and URL scheme
  must be in ``CONTENT`` (what Python-Markdown, the enabled extensions and the project's hooks
  produce); ``style`` may not load anything; nothing may be loaded from another host;
- **the theme's chrome** (the page with the content cut out): elements must be in ``CHROME``, no
  inline event handlers, scripts only the theme's own files and inline scripts (``THEME_SCRIPTS``),
  no load from another host.

In the build (``check_page``) the whole page is parsed once, with sentinels around the content,
and walked once: content and chrome rules by position; the common elements leave after one look-up
of their name and attribute names (its cost is in ``make bench``: the gate's share). A page
without content (``check_chrome``) is checked with CSS selectors inside lexbor.

Each problem is reported at the Markdown line that produced it (``Locator``): the offending
attribute value, attribute or tag is searched for in the page's source (front matter included),
then in the data files whose text pages carry (glossary definitions, map notes); when the text
cannot be found (an entity-encoded value, markup made by an extension), at the source line of the
nearest heading before it, said so in the message; in the chrome, at the front-matter key that
carries the text (``title``, ``description``), else line 1.

The same tables answer which URLs load something (``loads()``): the offline bundle's check
(kb.deliver.offline.outside_loads) uses them on the built files, read with the same parser
(``page_loads()``).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import html as htmllib
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from selectolax.lexbor import LexborHTMLParser

from kb.core import cache as jsoncache
from kb.core.memory import keep_freed_memory
from kb.core.problems import Problem

keep_freed_memory()  # each page's parse frees ~0.8 MB that the next one asks for again (kb.core.memory)


def parse_html(text: str, **options) -> LexborHTMLParser:
    """`text` as lexbor reads it, given as UTF-8 bytes. A lone surrogate (a character no file can
    hold) becomes bytes that are not UTF-8, which lexbor reads as U+FFFD, as a browser reads the
    character reference MkDocs writes for it; selectolax's own encoding of a str would drop it and
    join what stood around it (`<!-\udc80-` would open a comment)."""
    return LexborHTMLParser(text.encode("utf-8", "surrogatepass"), **options)

# --------------------------------------------------------------------------- the allowlists

GLOBAL_ATTRS = {"id", "class", "title", "lang", "dir", "role", "hidden", "tabindex", "style"}
# Attributes by element, in the page content: what Python-Markdown, its extensions (attr_list,
# footnotes, tables, toc, abbr, md_in_html, admonition, def_list), pymdownx (highlight, superfences,
# tabbed, details, keys, emoji, inlinehilite) and the project's hooks (glossary, map, translations) write.
CONTENT = {
    **{t: set() for t in (
        "p", "div", "span", "br", "hr", "em", "strong", "b", "i", "u", "s", "small", "sub", "sup", "mark",
        "del", "ins", "code", "kbd", "samp", "var", "pre", "blockquote", "ul", "li", "dl", "dt", "dd",
        "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "caption", "thead", "tbody", "tfoot",
        "tr", "summary", "cite", "dfn", "wbr", "section", "aside", "article", "header", "footer", "nav")},
    "a": {"href", "name", "rel", "hreflang"},
    "abbr": set(),
    "q": {"cite"},
    "ol": {"start", "reversed", "type"},
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "table": set(),
    "th": {"scope", "colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "col": {"span"}, "colgroup": {"span"},
    "details": {"open"},
    "time": {"datetime"},
    "label": {"for"},  # content tabs (pymdownx.tabbed)
    "input": {"type", "name", "checked"},  # content tabs: radio buttons only (checked below)
    # inline SVG: emoji and Material icons (pymdownx.emoji to_svg)
    "svg": {"xmlns", "viewbox", "width", "height", "fill", "aria-hidden", "focusable"},
    "path": {"d", "fill", "fill-rule", "clip-rule"},
    "g": {"fill"}, "circle": {"cx", "cy", "r", "fill"}, "rect": {"x", "y", "width", "height", "rx", "fill"},
}
CONTENT_DATA_ATTRS = True  # data-* attributes (data-md-*, data-label, data-translation-status...) are inert
# Elements the theme writes around the content (Material base.html and partials, the overrides).
CHROME = set(CONTENT) | {
    "html", "head", "body", "meta", "title", "link", "script", "main", "form", "button", "input", "label",
    "template", "noscript",
}
URL_ATTRS = {"href", "src", "cite", "action", "formaction", "poster", "background", "data", "ping",
             "xlink:href", "longdesc", "usemap", "srcset", "imagesrcset"}
LINK_SCHEMES = {"http", "https", "mailto"}  # an ordinary link may point at another site
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_STYLE_OK = re.compile(r"^[\sa-zA-Z0-9#%.,:;()\-]*$")  # no url(), @import, quotes, escapes, comments
_STYLE_LOAD = re.compile(r"url\s*\(|@import|image-set|expression\s*\(|\\|/\*", re.I)

# The theme's inline scripts (Material 9.8 base.html and its partials); matched on their start,
# the rest is the theme's own code. The CSP hook allows exactly these, by hash, page by page.
THEME_SCRIPTS = [
    re.compile(r'^__md_scope=new URL\("[./]*",location\),__md_hash='),
    re.compile(r'^var palette=__md_get\("__palette"\);'),
    re.compile(r'^var tabs=__md_get\("__tabs"\);'),
    re.compile(r"^var target=document\.getElementById\(location\.hash\.slice\(1\)\);"),
]
# relative to the page, or from the site's root (the 404 pages: their links are absolute paths)
THEME_SCRIPT_SRC = re.compile(r"^(?:/(?:[\w.-]+/)*|(?:\.\./|\./)*(?:[a-z]{2}/)?(?:\.\./)*)assets/javascripts/[\w./-]+\.js$")
JSON_SCRIPT_IDS = {"__config"}  # <script type="application/json">: data, never run

# Attributes through which a page makes the browser load something by itself (also the offline check).
LOADS = {
    "script": ("src",), "img": ("src", "srcset"), "iframe": ("src",), "frame": ("src",),
    "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
    "embed": ("src",), "object": ("data",), "image": ("href", "xlink:href"), "use": ("href", "xlink:href"),
    "input": ("src",), "feimage": ("href", "xlink:href"),
}
ANY_LOADS = ("background", "ping")  # on any element
LINK_LOADS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "manifest", "preload", "modulepreload",
              "prefetch", "preconnect", "dns-prefetch", "mask-icon"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+(?:url\(\s*)?['"]?([^'")\s;]+)""", re.I)
EVENT_HANDLERS = (  # the HTML and SVG event handler attributes, for the chrome's CSS query
    "abort afterprint animationend animationiteration animationstart auxclick beforeinput beforematch "
    "beforeprint beforetoggle beforeunload blur cancel canplay canplaythrough change click close "
    "contextlost contextmenu contextrestored copy cuechange cut dblclick drag dragend dragenter "
    "dragleave dragover dragstart drop durationchange emptied ended error focus focusin focusout "
    "formdata fullscreenchange gotpointercapture hashchange input invalid keydown keypress keyup "
    "languagechange load loadeddata loadedmetadata loadstart lostpointercapture message messageerror "
    "mousedown mouseenter mouseleave mousemove mouseout mouseover mouseup offline online pagehide "
    "pagereveal pageshow paste pause play playing pointercancel pointerdown pointerenter pointerleave "
    "pointermove pointerout pointerover pointerrawupdate pointerup popstate progress ratechange reset "
    "resize scroll scrollend securitypolicyviolation seeked seeking select selectionchange selectstart "
    "slotchange stalled storage submit suspend timeupdate toggle touchcancel touchend touchmove "
    "touchstart transitioncancel transitionend transitionrun transitionstart unhandledrejection unload "
    "volumechange waiting wheel begin end repeat focusin activate"
).split()


def foreign(url: str, offline: bool = False) -> bool:
    """True when loading `url` leaves the site: another host, or the server root (file:// has none)."""
    url = re.sub(r"[\x00-\x20]", "", htmllib.unescape(url or ""))
    if _SCHEME.match(url):
        return not url.lower().startswith(("data:", "blob:", "about:"))
    return url.startswith(("//", "\\\\", "/\\", "\\/")) or (offline and url.startswith("/"))


def loads(tag: str, attrs: dict) -> list[tuple[str, str]]:
    """[(attribute, url)] that element `tag` with `attrs` makes the browser load by itself."""
    names = list(LOADS.get(tag, ())) + [a for a in ANY_LOADS if a in attrs]
    if tag == "link" and LINK_LOADS & set((attrs.get("rel") or "").lower().split()):
        names += ["href", "imagesrcset"]
    found = []
    for name in names:
        value = attrs.get(name)
        if not value:
            continue
        if "srcset" in name:
            found += [(name, part.split()[0]) for part in value.split(",") if part.strip()]
        elif name == "ping":
            found += [(name, u) for u in value.split()]
        else:
            found.append((name, value))
    if attrs.get("style"):
        found += [("style", m.group(1) or m.group(2)) for m in CSS_URL.finditer(attrs["style"])]
    return found


def page_loads(text: str) -> list[tuple[int, int, str, str]]:
    """[(line, col, tag, url)] of everything a built HTML page makes the browser load by itself, read
    with the gate's parser (lexbor, as Chromium parses: ``<!-->``, ``--!>``, raw text...) and the
    tables of loads(). A page holding <noscript> is also read with scripting off (a reader without
    JavaScript gets its content as markup): what only that reading finds is added. The position is
    that of the element's tag in `text`, found from the URL as written (else the tag name), in
    document order."""
    from collections import Counter

    found: list[tuple[str, str]] = []
    for scripting in (True, False) if _NOSCRIPT.search(text) else (True,):
        seen: list[tuple[str, str]] = []
        tree = parse_html(text, scripting=scripting)
        for node in tree.root.traverse(include_text=False) if tree.root is not None else []:
            tag = node.tag
            if not tag or tag[0] in "-_":  # comments; processing instructions (`<?php ?>`) have no tag
                continue
            tag = tag.lower()
            attrs = node.attributes
            if attrs and (tag in LOADS or tag == "link" or "style" in attrs or "background" in attrs or "ping" in attrs):
                seen += [(tag, url) for _, url in loads(tag, {k: v or "" for k, v in attrs.items()})]
        if not found:
            found = seen
        else:  # the scripting-off reading: only what the first one did not find
            extra = Counter(seen) - Counter(found)
            for item in seen:
                if extra[item] > 0:
                    extra[item] -= 1
                    found.append(item)
    out, lower, cursor = [], text.lower(), 0
    for tag, url in found:
        at = text.find(url, cursor) if url else -1
        if at < 0:
            at = text.find(url) if url else -1
        start = lower.rfind("<" + tag, 0, at) if at >= 0 else lower.find("<" + tag, cursor)
        start = max(start if start >= 0 else lower.find("<" + tag), 0)
        if at >= 0:
            cursor = max(cursor, at + len(url))
        line = text.count("\n", 0, start) + 1
        out.append((line, start - (text.rfind("\n", 0, start) + 1) + 1, tag, url))
    return sorted(out)


_NOSCRIPT = re.compile(r"<noscript", re.I)


def css_loads(text: str) -> list[tuple[int, int, str]]:
    """[(line, col, url)] of every url() and @import in a stylesheet."""
    out = []
    for m in CSS_URL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        out.append((line, m.start() - text.rfind("\n", 0, m.start()), m.group(1) or m.group(2)))
    return out


def scheme(url: str) -> str | None:
    m = _SCHEME.match(re.sub(r"[\x00-\x20]", "", htmllib.unescape(url or "")))
    return m.group(1).lower() if m else None


# --------------------------------------------------------------------------- mapping back to the source

@dataclass
class Source:
    """A text a page is made from: its Markdown file or a data file, with its repository path."""
    rel: str
    text: str
    line0: int = 0  # lines before `text` in the file (0: the whole file)

    def __post_init__(self):
        self.lower = self.text.lower()


class PageSource(Source):
    """A page's Markdown source, read only when a problem is to be located: a clean page (nearly
    every page of every build) never reads its file a second time (the build already read it once)."""

    def __init__(self, rel: str, read: Callable[[], str]) -> None:
        self.rel = rel
        self.line0 = 0
        self._read = read

    @functools.cached_property
    def text(self) -> str:
        return self._read()

    @functools.cached_property
    def lower(self) -> str:
        return self.text.lower()


@dataclass
class Locator:
    """Finds the source line of a fragment of a rendered page (see the module docstring)."""
    page: Source
    data: list[Source] = field(default_factory=list)
    used: dict = field(default_factory=dict)  # (source, needle) -> offset of the last match used
    templates: bool = False  # the sources are theme templates (the 404 pages): the theme's part is located by text too

    def find(self, needles: list[str], heading: str | None = None) -> tuple[str, int, int, str]:
        """(path, line, col, note): note is '' when a needle was found, else how the line was chosen.

        First a needle, or a word of one (4+ letters or digits), found exactly once in one source;
        then the needles in order, the k-th report of the same needle at its k-th occurrence."""
        words = [w for n in needles for w in re.findall(r"[\w.-]{4,}", n or "")]
        for needle in [*needles, *words]:
            needle = (needle or "").strip().lower()
            if len(needle) < 4:
                continue
            hits = [(src, src.lower.find(needle)) for src in [self.page, *self.data] if needle in src.lower]
            if len(hits) == 1 and hits[0][0].lower.count(needle) == 1:
                src, at = hits[0]
                line = src.text.count("\n", 0, at)
                return src.rel, src.line0 + line + 1, at - (src.text.rfind("\n", 0, at) + 1) + 1, ""
        for needle in needles:
            needle = (needle or "").strip().lower()
            if len(needle) < 2:
                continue
            for src in [self.page, *self.data]:
                start = self.used.get((src.rel, needle), -1) + 1
                at = src.lower.find(needle, start)
                if at < 0 and start:
                    at = src.lower.find(needle)  # the same text reported twice: the first one again
                if at >= 0:
                    self.used[(src.rel, needle)] = at
                    line = src.text.count("\n", 0, at)
                    return src.rel, src.line0 + line + 1, at - (src.text.rfind("\n", 0, at) + 1) + 1, ""
        if heading:
            for pat in (r"\{[^}\n]*#" + re.escape(heading) + r"\b", r"(?i)^#+[ \t].*" + re.escape(heading.replace("-", " "))):
                m = re.search(pat, self.page.text, re.M)
                if m:
                    line = self.page.text.count("\n", 0, m.start())
                    return self.page.rel, self.page.line0 + line + 1, 1, f" (in the block under heading #{heading})"
        return self.page.rel, 1, 1, " (exact line not found: somewhere in this page)"

    def key(self, key: str) -> tuple[str, int, int]:
        """Line of a front-matter key in the page source, else 1."""
        m = re.search(rf"^{re.escape(key)}[ \t]*:", self.page.text, re.M)
        if not m:
            return self.page.rel, 1, 1
        return self.page.rel, self.page.text.count("\n", 0, m.start()) + 1, 1


# --------------------------------------------------------------------------- the gate

_SENTINEL_ID = "kb-gate-end-" + secrets.token_hex(8)
SENTINEL = f'<b id="{_SENTINEL_ID}"></b>'
CONTENT_CUT = "<!--kb-gate-content-->"


@dataclass
class Result:
    problems: list[Problem]
    theme_scripts: list[str]  # text of the theme's inline scripts that run (for the CSP hashes)


def _short(value: str, n: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= n else value[: n - 1] + "…"


def _url_problem(tag: str, name: str, value: str, *, content: bool) -> str | None:
    if ":" not in value and "&" not in value and not value.lstrip().startswith(("//", "\\", "/\\")):
        return None  # a link inside the site (the common case, decided without regular expressions)
    clean = re.sub(r"[\x00-\x20]", "", htmllib.unescape(value))
    s = scheme(clean)
    if name in ("href",) and tag in ("a", "area"):
        if s and s not in LINK_SCHEMES:
            return f"{s}: URL in <{tag} href>: only http, https and mailto links (or links inside the site)"
        return None
    if name == "cite":
        return f"{s}: URL in <{tag} cite>: not allowed" if s and s not in LINK_SCHEMES else None
    if foreign(clean):
        return f"<{tag} {name}> loads {_short(value)} from another host: readers' browsers would contact it " \
               f"(copy the file into docs/assets/ and link it from there)"
    if s:
        return f"{s}: URL in <{tag} {name}>: not allowed"
    return None


def _nearest_heading(node) -> str | None:
    """id of the nearest heading before `node` in document order, in the content fragment."""
    cur = node
    while cur is not None:
        prev = cur.prev
        while prev is not None:
            if prev.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and prev.attributes.get("id"):
                return prev.attributes["id"]
            found = None
            for h in prev.css("h1[id],h2[id],h3[id],h4[id],h5[id],h6[id]") if prev.tag and not prev.tag.startswith("-") else []:
                found = h.attributes["id"]
            if found:
                return found
            prev = prev.prev
        cur = cur.parent
    return None


def check_content(content: str, where: Locator) -> list[Problem]:
    """Problems in the content of a page (see the module docstring)."""
    problems: list[Problem] = []

    def report(node, message: str, needles: list[str]):
        path, line, col, note = where.find(needles, _nearest_heading(node) if node is not None else None)
        problems.append(Problem(path, line, col, message + note))

    if not content.strip():
        return problems
    tree = parse_html(content + SENTINEL, is_fragment=True, fragment_tag="article", scripting=True)
    sentinel = tree.css_first(f"b#{_SENTINEL_ID}")
    if sentinel is None or sentinel.parent is not None:
        inside = "an unclosed comment, attribute or raw-text element" if sentinel is None \
            else f"an unclosed <{sentinel.parent.tag}>"
        # Whatever is open last: the last raw '<' construct in the content is the likeliest source.
        last = max((content.rfind(s) for s in ("<!--", "<![CDATA[", "<textarea", "<title", "<style", "<xmp",
                                                  "<noembed", "<noframes", "<plaintext", "<iframe", "<script")))
        needles = [content[last:last + 30]] if last >= 0 else []
        report(None, f"the page's HTML ends inside {inside}: it would swallow or re-shape the theme's markup "
                     f"after it (close it, or write the text as `code` or with &lt;)", needles)
    root = tree.root
    nodes = [] if root is None else root.traverse(include_text=False)
    for node in nodes:
        tag = node.tag
        if not tag or tag[0] in "-_" or node is sentinel:  # comments, processing instructions
            continue
        _content_node(node, tag, node.attributes, report)
    return problems


def _content_node(node, tag: str, attrs: dict, report) -> None:
    """The content rules for one element (report(node, message, needles))."""
    if True:
        tag_l = tag.lower()
        allowed = CONTENT.get(tag_l)
        needles_tag = [f"<{tag}"]
        if allowed is None:
            what = "runs code in the reader's browser" if tag_l == "script" else \
                "embeds another document or active content" if tag_l in ("iframe", "frame", "object", "embed", "portal") else \
                "is not something pages may contain"
            val = next((v for v in attrs.values() if v and len(v) > 3), None)
            report(node, f"<{tag}> {what}: not allowed in pages (if it is meant as text, put it in `code` or "
                         f"write &lt;{tag}&gt;)", needles_tag + ([val] if val else []))
        for name, value in attrs.items():
            name_l = name.lower()
            value = value or ""
            if name_l.startswith("on"):
                report(node, f"inline event handler {name}= on <{tag}> runs code: not allowed",
                       [value, f"{name}=", name] + needles_tag)
                continue
            if allowed is not None and name_l not in GLOBAL_ATTRS and name_l not in allowed \
                    and not (CONTENT_DATA_ATTRS and name_l.startswith(("data-", "aria-"))):
                report(node, f"attribute {name}= on <{tag}> is not allowed in pages", [value, f"{name}=", name] + needles_tag)
                continue
            if name_l in URL_ATTRS:
                why = _url_problem(tag_l, name_l, value, content=True)
                if why:
                    report(node, why, [value, f"{name}="] + needles_tag)
            elif name_l == "style" and value:
                if _STYLE_LOAD.search(value) or not _STYLE_OK.match(value):
                    urls = [m.group(1) or m.group(2) for m in CSS_URL.finditer(value)]
                    off = [u for u in urls if foreign(u)]
                    msg = (f"style= on <{tag}> loads {_short(off[0])} from another host" if off else
                           f"style= on <{tag}> may only set plain properties (no url(), @import, quotes or escapes)")
                    report(node, msg, (off or urls) + [value, "style="] + needles_tag)
        if tag_l == "input" and attrs.get("type") != "radio":
            report(node, "<input> is allowed only as the radio buttons of content tabs", needles_tag)
        if tag_l == "svg" and node.css_first("foreignObject, script, use, image, a, animate, set, style"):
            bad = node.css_first("foreignObject, script, use, image, a, animate, set, style").tag
            report(node, f"inline <svg> with <{bad}>: only shapes (path, g, circle, rect) are allowed in pages",
                   [f"<{bad}", "<svg"])


_CHROME_BAD = None


def _chrome_selectors():
    global _CHROME_BAD
    if _CHROME_BAD is None:
        known = ",".join(sorted(CHROME)) + ",svg *"  # inside the theme's icons: SVG shapes only, checked below
        _CHROME_BAD = {
            "elements": f":not({known})",
            "handlers": ",".join(f"[on{e}]" for e in EVENT_HANDLERS),
            "loads": "[src],[srcset],[background],[ping],[poster],[data],[action],[formaction],[style],"
                     "link[href],[imagesrcset]",
            "urls": "a[href]",
            "svg": "svg :not(path,g,circle,rect,title)",
        }
    return _CHROME_BAD


def _chrome_problem(node, message: str, where: Locator, keys: dict | None) -> Problem:
    """A problem in the theme's part of a page: at the front-matter key whose value it shows, else at the title."""
    around = (node.html or "")[:2000] + ((node.parent.html or "")[:2000] if node.parent is not None else "")
    for key, value in (keys or {}).items():
        if value and _overlaps(str(value), around):
            path, line, col = where.key(key)
            return Problem(path, line, col, f"front matter {key}: {message}")
    if where.templates:  # a page made from templates only (404): the line in the override that holds it
        needles = [v for v in node.attributes.values() if v and len(v) > 3]
        if node.tag in ("script", "style", "title"):
            needles.append((node.text(deep=True) or "").strip()[:60])
        path, line, col, note = where.find(needles + [f"<{node.tag}"])
        return Problem(path, line, col, f"in the theme's part of the page: {message}{note}")
    path, line, col = where.key("title")
    return Problem(path, line, col, f"in the theme's part of the page: {message}")


def check_chrome(chrome: str, where: Locator, keys: dict[str, str] | None = None) -> tuple[list[Problem], list[str]]:
    """Problems in the theme's part of a page, and the text of the theme's inline scripts that run.

    `keys`: front-matter key -> value printed by the theme, to name the key a problem comes from."""
    problems: list[Problem] = []
    scripts: list[str] = []
    sel = _chrome_selectors()
    tree = parse_html(chrome, scripting=True)

    def report(node, message):
        problems.append(_chrome_problem(node, message, where, keys))

    for node in tree.css(sel["elements"]):
        report(node, f"<{node.tag}> is not an element the theme writes")
    for node in tree.css(sel["svg"]):
        report(node, f"<{node.tag}> inside the theme's icons")
    for node in tree.css(sel["handlers"]):
        name = next(a for a in node.attributes if a.lower().startswith("on"))
        report(node, f"inline event handler {name}= on <{node.tag}> runs code")
    for node in tree.css(sel["loads"]):
        attrs = node.attributes
        for name, url in loads(node.tag, attrs):
            if foreign(url):
                report(node, f"<{node.tag} {name}> loads {_short(url)} from another host")
        for name in ("action", "formaction", "data"):
            if attrs.get(name) and scheme(attrs[name]):
                report(node, f"{scheme(attrs[name])}: URL in <{node.tag} {name}>")
        if node.tag == "script" and attrs.get("src") is not None and not THEME_SCRIPT_SRC.match(attrs["src"] or ""):
            report(node, f"<script src={_short(attrs['src'] or '')}> is not one of the theme's scripts")
    for node in tree.css("a[href]"):
        s = scheme(node.attributes.get("href") or "")
        if s and s not in LINK_SCHEMES:
            report(node, f"{s}: URL in <a href>")
    for node in tree.css("script:not([src])"):
        text = node.text(deep=True) or ""
        typ = (node.attributes.get("type") or "").lower()
        if typ == "application/json" and node.attributes.get("id") in JSON_SCRIPT_IDS:
            continue
        if typ in ("", "text/javascript", "module") and any(p.match(text) for p in THEME_SCRIPTS):
            scripts.append(text)
            continue
        report(node, f"inline <script> that is not one of the theme's: {_short(text, 40)!r}")
    return problems, scripts


def _overlaps(value: str, text: str) -> bool:
    """True when a distinctive piece of a front-matter value shows in `text`."""
    for piece in re.split(r"[<>\"'=\s/]+", value):
        if len(piece) >= 4 and piece in text:
            return True
    return False


def find(output: str, content: str) -> int:
    """Where `content` starts in `output` (-1: nowhere, or empty). str.find with the whole content as
    the needle spends its time on the needle (0.23 ms on a 75 kB page); its first 64 characters, each
    hit confirmed in place, find the same place in 0.015 ms."""
    if not content:
        return -1
    head = content[:64]
    at = output.find(head)
    while at >= 0 and not output.startswith(content, at):
        at = output.find(head, at + 1)
    return at


def split(output: str, content: str) -> tuple[str, str]:
    """(chrome, content) of a final page: the theme's markup with the content cut out, and the content."""
    at = find(output, content)
    if at >= 0:
        return output[:at] + CONTENT_CUT + output[at + len(content):], content
    return output, ""


_START_ID = "kb-gate-start-" + secrets.token_hex(8)
_THEME_SCRIPT_START = re.compile("|".join(p.pattern for p in THEME_SCRIPTS))


def check_page(output: str, content: str, where: Locator, keys: dict | None = None) -> Result:
    """The final page, parsed once as a browser parses it, with two sentinels around the content:
    the elements between them are held to the content rules, the others to the theme's."""
    at = find(output, content)
    if at < 0:
        chrome_problems, scripts = check_chrome(output, where, keys)
        return Result(sorted(set(chrome_problems)), scripts)
    page = f'{output[:at]}<b id="{_START_ID}"></b>{content}{SENTINEL}{output[at + len(content):]}'
    tree = parse_html(page, scripting=True)
    problems: list[Problem] = []
    scripts: list[str] = []

    def report(node, message: str, needles: list[str]):
        path, line, col, note = where.find(needles, _nearest_heading(node) if node is not None else None)
        problems.append(Problem(path, line, col, message + note))

    def report_chrome(node, message: str):
        problems.append(_chrome_problem(node, message, where, keys))

    # Every element's attributes are read (lexbor lowercases HTML attribute names, as browsers do).
    # One walk in document order: the theme's part, the content between the sentinels, the theme's
    # part again. The common cases leave at the first test, one dict look-up and one set test (at
    # 2 x 500 pages a page has about 1,050 elements): content elements with only plain attributes
    # (_CONTENT_FAST: the sentinels' <b id> is not one), theme elements outside _CHROME_ATTRS whose
    # attributes carry no URL, style or code (_CHROME_FAST), and theme links whose href has no scheme
    # (_CHROME_A_PLAIN). Their attributes come as one dict built inside lexbor, which costs less than
    # reading the names one at a time through node.attrs. The rest takes the full rules below.
    start = end = None
    content_fast = _CONTENT_FAST
    chrome_fast = _CHROME_FAST
    nodes = tree.root.traverse(include_text=False)
    for node in nodes:
        tag = node.tag
        plain = chrome_fast.get(tag)
        if plain is not None:
            attrs = node.attributes  # one dict built in lexbor: cheaper than reading the names one by one
            if plain.issuperset(attrs):
                continue
        elif tag == "a":  # the navigation's links: only an href with a scheme needs the rules
            attrs = node.attributes
            if _CHROME_A_PLAIN.issuperset(attrs) and ":" not in (attrs.get("href") or ""):
                continue
        elif not tag or tag[0] in "-_":  # comments; processing instructions (`<?php ?>`) have no tag
            continue
        else:
            attrs = node.attributes
        if tag == "b" and attrs.get("id") in (_START_ID, _SENTINEL_ID):
            if attrs["id"] == _SENTINEL_ID:
                end = end or node
                continue
            start = start or node
            for node in nodes:  # the content, up to the end sentinel
                tag = node.tag
                plain = content_fast.get(tag)
                if plain is not None:
                    attrs = node.attributes
                    if plain.issuperset(attrs):
                        continue
                elif not tag or tag[0] in "-_":
                    continue
                else:
                    attrs = node.attributes
                if tag == "b" and attrs.get("id") == _SENTINEL_ID:
                    end = end or node
                    break
                if tag == "a" and _A_PLAIN.issuperset(attrs):  # a link inside the site: _url_problem's first exit
                    href = attrs.get("href") or ""
                    if ":" not in href and "&" not in href and not href.lstrip().startswith(("//", "\\", "/\\")):
                        continue
                _content_node(node, tag, attrs, report)
            continue
        if tag not in CHROME and tag not in _SVG_SHAPES:
            report_chrome(node, f"<{tag}> is not an element the theme writes")
        if tag not in _CHROME_ATTRS and _CHROME_PLAIN.issuperset(attrs):
            continue
        for name, value in attrs.items():
            if name[:2].lower() == "on":
                report_chrome(node, f"inline event handler {name}= on <{tag}> runs code")
        if tag in LOADS or "style" in attrs or "background" in attrs or "ping" in attrs or tag == "link":
            for name, url in loads(tag, attrs):
                if foreign(url):
                    report_chrome(node, f"<{tag} {name}> loads {_short(url)} from another host")
        if tag == "a" and ":" in (attrs.get("href") or ""):
            s_ = scheme(attrs["href"])
            if s_ and s_ not in LINK_SCHEMES:
                report_chrome(node, f"{s_}: URL in <a href>")
        elif tag == "script":
            if "src" in attrs:
                if not THEME_SCRIPT_SRC.match(attrs["src"] or ""):
                    report_chrome(node, f"<script src={_short(attrs['src'] or '')}> is not one of the theme's scripts")
                continue
            text = node.text(deep=True) or ""
            typ = (attrs.get("type") or "").lower()
            if typ == "application/json" and attrs.get("id") in JSON_SCRIPT_IDS:
                continue
            if typ in ("", "text/javascript", "module") and _THEME_SCRIPT_START.match(text):
                scripts.append(text)
                continue
            report_chrome(node, f"inline <script> that is not one of the theme's: {_short(text, 40)!r}")
        elif tag in ("form", "button") and attrs.get("action") or attrs.get("formaction"):
            report_chrome(node, f"<{tag}> submits somewhere")
    # The sentinels as the walk met them (the first of each in document order).
    if end is None or start is None or end.parent is None or start.parent is None \
            or end.parent.mem_id != start.parent.mem_id:
        inside = "an unclosed comment, attribute or raw-text element" if end is None \
            else f"an unclosed <{end.parent.tag}>" if end.parent is not None else "unbalanced markup"
        last = max((content.rfind(s) for s in ("<!--", "<![CDATA[", "<textarea", "<title", "<style", "<xmp",
                                                  "<noembed", "<noframes", "<plaintext", "<iframe", "<script")))
        report(None, f"the page's HTML ends inside {inside}: it would swallow or re-shape the theme's markup "
                     f"after it (close it, or write the text as `code` or with &lt;)",
               [content[last:last + 30]] if last >= 0 else [])
    return Result(sorted(set(problems)), scripts)


_SVG_SHAPES = {"path", "g", "circle", "rect", "title", "ellipse", "line", "polyline", "polygon"}
# Elements of the theme's part whose attributes are read on every page (loads, links, scripts, the sentinels).
_CHROME_ATTRS = set(LOADS) | {"a", "b", "link", "script", "form", "button", "meta", "base", "object", "embed"}
# Attribute names that need no look at their value: in the content, per element (the global ones
# and the element's own non-URL attributes; not style, not URLs; <input> and <svg> have rules of
# their own); in the theme's part, on elements outside _CHROME_ATTRS.
_PLAIN = {tag: frozenset((GLOBAL_ATTRS - {"style"}) | (names - URL_ATTRS))
          for tag, names in CONTENT.items() if tag not in ("input", "svg")}
_A_PLAIN = _PLAIN["a"] | {"href"}
_CHROME_PLAIN = frozenset({
    "id", "class", "title", "lang", "dir", "role", "hidden", "tabindex", "type", "name", "for", "value",
    "placeholder", "autocomplete", "autocorrect", "autocapitalize", "spellcheck", "required", "checked",
    "aria-label", "aria-hidden", "aria-expanded", "aria-labelledby", "aria-describedby", "aria-current",
    "viewBox", "xmlns", "d", "fill", "width", "height",
    "data-md-component", "data-md-toggle", "data-md-state", "data-md-scrollfix", "data-md-type",
    "data-md-color-scheme", "data-md-color-primary", "data-md-color-accent", "data-md-color-media",
    "data-md-level", "data-md-ref", "data-md-source", "data-md-select", "data-clipboard-target",
})
# A theme link whose attributes are all in _CHROME_PLAIN besides href: the rules can only object to
# its href's scheme, so one without ":" leaves at once.
_CHROME_A_PLAIN = _CHROME_PLAIN | {"href"}
# The first test of the walk: element -> the attributes that let it leave at once. Content: _PLAIN,
# except the id of <b> (the sentinels are <b id>: a <b id> of the page takes the full rules and
# passes them). Theme: the elements outside _CHROME_ATTRS (the SVG shapes of its icons included)
# with _CHROME_PLAIN.
_CONTENT_FAST = {**_PLAIN, "b": _PLAIN["b"] - {"id"}}
_CHROME_FAST = {tag: _CHROME_PLAIN for tag in (CHROME | _SVG_SHAPES) - _CHROME_ATTRS}


ARTICLE = '<article class="md-content__inner md-typeset">'


def article(output: str) -> str:
    """What the theme's <article> holds in a page made from templates only (the 404 pages): held to
    the content rules like a page's Markdown; "" when there is none (the whole page is then the theme's)."""
    start = output.find(ARTICLE)
    end = output.rfind("</article>")
    return output[start + len(ARTICLE):end] if 0 <= start < end else ""


def template_sources(custom_dir: Path | None, root: Path, name: str = "404.html") -> Locator:
    """A Locator over the theme overrides a template-only page is made from, `name` first."""
    files = sorted(Path(custom_dir).rglob("*.html")) if custom_dir and Path(custom_dir).is_dir() else []
    files.sort(key=lambda p: p.name != name)
    sources = []
    for path in files:
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        sources.append(Source(rel, path.read_text(encoding="utf-8", errors="replace")))
    if not sources:  # no overrides: what the theme prints comes from mkdocs.yml
        sources.append(Source("mkdocs.yml", (root / "mkdocs.yml").read_text(encoding="utf-8", errors="replace")
                              if (root / "mkdocs.yml").is_file() else ""))
    return Locator(sources[0], sources[1:], templates=True)


def script_hash(text: str) -> str:
    import base64

    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def data_sources(data_dir: Path, root: Path) -> list[Source]:
    """The data files whose Markdown strings pages carry (glossary definitions, map notes)."""
    out = []
    for path in sorted(Path(data_dir).glob("*.yml")):
        try:
            rel = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        out.append(Source(rel, path.read_text(encoding="utf-8", errors="replace")))
    return out


# --------------------------------------------------------------------------- without a build

def _markdown(fast: bool = True):
    """Python-Markdown configured like the site. `fast`: the same HTML without the repeated work
    that makes a long page slow (superfences' quadratic reassemble, Pygments' per-fence lexer
    lookup and style table): see linear_reassemble() and _fast_pygments()."""
    import markdown

    from kb.views import mdscan

    names, configs = mdscan.markdown_config()
    md = markdown.Markdown(extensions=names, extension_configs=configs)
    if fast:
        mdscan.linear_reassemble(md)
        _fast_pygments()
    return md


_PYGMENTS_PATCHED: list = []


def _fast_pygments() -> None:
    """Memoize two pure lookups Pygments repeats for every highlighted fence (in this process).

    - ``get_lexer_by_name`` walks the table of every lexer (~600) to find an alias: the class found
      for an alias is kept, and each call still makes a new lexer with the caller's options;
    - ``HtmlFormatter._create_stylesheet`` rebuilds the token -> class and class -> style tables,
      which depend only on the formatter's style and class prefix: built once per (style, prefix).
    On a 5 MB page with 4,851 fences they took 7 of check-rendered's 35 CPU seconds."""
    if _PYGMENTS_PATCHED:
        return
    _PYGMENTS_PATCHED.append(True)
    try:
        from pygments.formatters.html import HtmlFormatter
        from pygments.lexers import find_lexer_class_by_name
        from pymdownx import highlight
    except ImportError:  # pragma: no cover - no Pygments: nothing to speed up
        return
    classes: dict = {}
    original_lookup = highlight.get_lexer_by_name

    def get_lexer_by_name(_alias, **options):
        cls = classes.get(_alias)
        if cls is None:
            lexer = original_lookup(_alias, **options)  # raises ClassNotFound as before
            classes[_alias] = type(lexer) if type(lexer) is find_lexer_class_by_name(_alias) else None
            return lexer
        return cls(**options)

    highlight.get_lexer_by_name = get_lexer_by_name
    tables: dict = {}
    original_sheet = HtmlFormatter._create_stylesheet

    def _create_stylesheet(self):
        key = (self.style, self.classprefix)
        hit = tables.get(key)
        if hit is None:
            original_sheet(self)
            tables[key] = (dict(self.ttype2class), dict(self.class2style))
        else:
            self.ttype2class, self.class2style = dict(hit[0]), dict(hit[1])

    HtmlFormatter._create_stylesheet = _create_stylesheet


_CACHE_VERSION = "1"


def _inputs_digest(root: Path, datas: list) -> str:
    """Everything a page's findings depend on besides its path and text: the data files' text (the
    Locator searches them), mkdocs.yml (the Markdown settings), the renderer's and the gate's packages
    and every kb module's source. Any change to one of them re-renders every page."""
    h = hashlib.sha256(_CACHE_VERSION.encode())
    for src in datas:
        h.update(f"{src.rel}\0{src.text}\0".encode("utf-8", "surrogatepass"))
    jsoncache.code_inputs(h, ("markdown", "pymdown-extensions", "pygments", "selectolax", "mkdocs-material", "mkdocs"),
                          root / "mkdocs.yml")
    return h.hexdigest()


def _load_cache(cache: Path | None) -> dict:
    return jsoncache.load(cache, lambda found: [dict(p) for p in found])


def _save_cache(cache: Path | None, entries: dict) -> None:
    jsoncache.save(cache, entries)


def check_sources(docs: Path, data: Path, root: Path, cache: bool = True) -> list[Problem]:
    """The content gate on every page and data-file Markdown string, rendered with the project's real
    Markdown configuration but without the theme and the hooks (`kb check-rendered`: no build).
    The build's gate (scripts/hooks/safety.py) sees the generated pages and the theme too.

    A page's findings are kept in .cache/check-rendered.json (git-ignored), keyed by its path and
    text and by _inputs_digest(): the next run renders only the pages that changed (a 5 MB page:
    17 s of Python-Markdown). `cache=False` renders every page."""
    import yaml

    from kb.core import yamldoc
    from kb.core.problems import relpath
    from kb.views import mdscan

    md = None
    problems: list[Problem] = []
    datas = data_sources(data, root)
    cache_file = root / ".cache" / "check-rendered.json" if cache else None
    known, fresh = _load_cache(cache_file), {}
    inputs = _inputs_digest(root, datas)
    for path in sorted(Path(docs).rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = relpath(path)
        key = hashlib.sha256(f"{inputs}\0{rel}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
        if key in known:
            found = [Problem(**p) for p in known[key]]
        else:
            body, _ = mdscan.page_body(text)
            md = md or _markdown()
            md.reset()
            found = check_content(md.convert(body), Locator(Source(rel, text), datas))
        fresh[key] = [dataclasses.asdict(p) for p in found]
        problems += found
    _save_cache(cache_file, {**known, **fresh})
    md = md or _markdown()
    for src in datas:
        docs_, _ = yamldoc.parse(src.text)
        stack = [d.node for d in docs_]
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                stack += [v for _, v in node.value]
            elif isinstance(node, yaml.SequenceNode):
                stack += node.value
            elif isinstance(node, yaml.ScalarNode) and any(c in node.value for c in "<[{&`"):
                raw = src.text[node.start_mark.index:node.end_mark.index]
                md.reset()
                where = Locator(Source(src.rel, raw, node.start_mark.line))
                problems += check_content(md.convert(node.value), where)
    return sorted(set(problems))


def cli(argv: list[str]) -> int:
    """`kb check-rendered`: pages and data-file Markdown rendered with the site's Markdown settings, held to the gate."""
    import argparse

    from kb.checks import published
    from kb.core.problems import report
    from kb.core.settings import DATA, DOCS, ROOT

    ap = argparse.ArgumentParser(prog="kb check-rendered", description=cli.__doc__)
    ap.add_argument("--docs", type=Path, default=DOCS)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--no-cache", action="store_true", help="render every page (ignore .cache/check-rendered.json)")
    args = ap.parse_args(argv)
    problems = check_sources(args.docs, args.data, ROOT, cache=not args.no_cache) + published.check(args.docs)
    report(sorted(set(problems)))
    return 1 if problems else 0
