"""The glossary in Python-Markdown: term links and first-mention tooltips.

Term links. ``[[pod]]`` or ``[[pod|Pods]]`` in a page's text becomes a link to the term's entry
on the glossary page, in the page's language, with the one-line definition as its title and the
class ``kb-term``. An inline pattern does it while the page is parsed, so references inside code
(spans, fenced or indented blocks) stay as written without scanning the page for code first. An
unknown id stays as written; the build's source checks report it at its file and line.

Tooltips. Material shows an ``abbr`` element's title as a tooltip (``content.tooltips``). Which
words get one is a reading decision, made here:

- the **first mention** of each glossary term in the page's running text (every name of the
  term counts: "PVC" after "PersistentVolumeClaim" gets no second tooltip). A page that says
  "Pod" forty times underlines it once, where the reader meets it first;
- **not** in headings, links, code, keyboard keys or tab labels (a tooltip there fights with
  what the element already does), nor inside an existing ``abbr``;
- a term already linked with ``[[term]]`` (an ``a.kb-term``, whose title is the definition)
  counts as mentioned: the link explains it.

Matching is Python-Markdown's ``abbr`` rule: the exact name, between word boundaries.

``first_mentions()`` is plain Python over strings (what an engine other than Python-Markdown
would call); ``GlossaryExtension`` applies both features to a Python-Markdown page. The
glossary hook registers one extension instance and tells it, before each page is rendered,
the glossary, the language, the page's path and whether the page wants tooltips (``page()``).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import lru_cache

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import HTML_PLACEHOLDER_RE, AtomicString

from kb.content.glossary import tooltips as glossary_tooltips
from kb.views import mdscan

# Elements whose text never gets a tooltip (their children neither).
SKIP = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "a", "abbr", "code", "pre", "kbd", "label",
                  "script", "style", "svg", "math"})
TERM_LINK_CLASS = "kb-term"
# A reference, its id/label separator written '|' or, in table rows, '&#124;' (see TableRowRefs).
TERM_REF = r"\[\[(?P<id>[^\]|&\n]*)(?:(?:\||&#124;)(?P<label>[^\]\n]+))?\]\]"
LABELLED_REF = re.compile(r"\[\[[^\]|\n]*\|[^\]\n]+\]\]")
PIPE_ENTITY = "&#124;"
RAW_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[\s>/]")


def names_pattern(terms: dict) -> re.Pattern:
    """One regex for every name, the longest name winning where several start at one place.

    Written as a trie ("Pod", "Pods", "PodSecurity" -> ``Pod(?:S(?:ecurity)|s|)``): the regex
    engine then follows one branch per character instead of trying every name at every
    position (3x faster on a page of text than a plain list of alternatives).
    """
    return _pattern(frozenset(terms))


@lru_cache(maxsize=8)
def _pattern(forms: frozenset[str]) -> re.Pattern:
    trie: dict = {}
    for form in forms:
        node = trie
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}  # a name ends here
    return re.compile(r"\b(?:%s)\b" % _trie_regex(trie))


def _trie_regex(node: dict) -> str:
    # Longer continuations first, the end of a name last: with the \b after the name, the regex
    # backtracks to a shorter name only when the longer one does not end at a word boundary.
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if "" in node:
        branches.append("")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def first_mentions(text: str, terms: dict[str, tuple[str, str]], seen: set[str],
                   skip: list[tuple[int, int]] = (), pattern: re.Pattern | None = None) -> list[tuple[int, int, str]]:
    """(start, end, tooltip) for each term of `terms` that `text` mentions and `seen` lacks.

    terms: name -> (term id, tooltip). `seen` holds the ids already mentioned on the page; it is
    updated, so calling this over a page's texts in reading order marks each term once.
    skip: (start, end) ranges of `text` where no tooltip goes (inline HTML such as <kbd>…</kbd>).
    pattern: names_pattern(terms), when the caller keeps it (one per page, not one per text).
    """
    if not terms or not text:
        return []
    found = []
    for m in (pattern or names_pattern(terms)).finditer(text):
        tid, tip = terms[m.group(0)]
        if tid not in seen and tip and not any(a <= m.start() < b for a, b in skip):
            seen.add(tid)
            found.append((m.start(), m.end(), tip))
    return found


def _term_link_id(el: etree.Element) -> str | None:
    if TERM_LINK_CLASS not in (el.get("class") or "").split():
        return None
    return (el.get("href") or "").rpartition("#")[2] or None


class TableRowRefs(Preprocessor):
    """`[[id|label]]` in a table row: its '|' must not split the row into columns.

    Runs after fenced code is set aside; rewrites the separator to '&#124;' (which the term
    link pattern also accepts) on table rows only, outside code. Pages without such rows pay
    one string test per line.
    """

    def run(self, lines: list[str]) -> list[str]:
        rows = [n for n, line in enumerate(lines)
                if "[[" in line and "|" in LABELLED_REF.sub("", line) and LABELLED_REF.search(line)]
        if not rows:
            return lines
        mask = mdscan.line_mask("\n".join(lines), front_matter=False)
        out = list(lines)
        for n in rows:
            if n < len(mask) and mask[n]:
                continue
            spans = mdscan.inline_code_spans(out[n])

            def guard(m, spans=spans):
                if any(a <= m.start() < b for a, b in spans):
                    return m.group(0)
                return m.group(0).replace("|", PIPE_ENTITY, 1)

            out[n] = LABELLED_REF.sub(guard, out[n])
        return out


class TermLinkProcessor(InlineProcessor):
    """[[id]] / [[id|label]] -> <a class="kb-term" href="…glossary.md#id" title="definition">label</a>."""

    def __init__(self, pattern: str, md, ext: "GlossaryExtension"):
        super().__init__(pattern, md)
        self.ext = ext

    def handleMatch(self, m, data):
        link = self.ext.term_link(m.group("id").strip(), m.group("label"))
        if link is None:
            return None, None, None  # unknown term: left as written, reported by the source checks
        label, href, title = link
        el = etree.Element("a", {"class": TERM_LINK_CLASS, "href": href, "title": title})
        el.text = label  # inline Markdown in the label still applies, as in a link's text
        return el, m.start(0), m.end(0)


class TooltipsTreeprocessor(Treeprocessor):
    def __init__(self, md, ext: "GlossaryExtension"):
        super().__init__(md)
        self.ext = ext

    def run(self, root: etree.Element) -> None:
        terms = self.ext.tips
        if terms:
            self.pattern = names_pattern(terms)
            self._walk(root, terms, set())

    def _split(self, text: str, terms, seen) -> tuple[str, list[etree.Element]]:
        """Text before the first tooltip, and the abbr elements (each carrying the text after it)."""
        if isinstance(text, AtomicString):
            return text, []
        spans = first_mentions(text, terms, seen, self._raw_html_skips(text), self.pattern)
        if not spans:
            return text, []
        abbrs = []
        for i, (start, end, tip) in enumerate(spans):
            abbr = etree.Element("abbr", {"title": tip})
            abbr.text = AtomicString(text[start:end])
            abbr.tail = text[end:spans[i + 1][0] if i + 1 < len(spans) else len(text)]
            abbrs.append(abbr)
        return text[:spans[0][0]], abbrs

    def _raw_html_skips(self, text: str) -> list[tuple[int, int]]:
        """Ranges between inline raw HTML tags of skipped elements: `<kbd>PVC</kbd>` in Markdown.

        Python-Markdown keeps inline HTML tags as placeholders in the text around the words.
        """
        if "\x02" not in text:
            return []
        raw = self.md.htmlStash.rawHtmlBlocks
        ranges, opened = [], None
        for m in HTML_PLACEHOLDER_RE.finditer(text):
            n = int(m.group(1))
            tag = RAW_TAG.match(raw[n] if n < len(raw) and isinstance(raw[n], str) else "")
            if not tag or tag.group(2).lower() not in SKIP:
                continue
            if not tag.group(1) and opened is None:
                opened = m.end()
            elif tag.group(1) and opened is not None:
                ranges.append((opened, m.start()))
                opened = None
        if opened is not None:
            ranges.append((opened, len(text)))
        return ranges

    def _walk(self, el: etree.Element, terms, seen: set[str]) -> None:
        """Reading order: the element's text, then each child's subtree and the text after it."""
        if el.tag in SKIP:
            if el.tag == "a" and (tid := _term_link_id(el)):
                seen.add(tid)
            return
        i = 0
        if el.text:
            el.text, abbrs = self._split(el.text, terms, seen)
            for abbr in abbrs:
                el.insert(i, abbr)
                i += 1
        while i < len(el):  # the abbr elements inserted here are stepped over, not walked
            child = el[i]
            i += 1
            self._walk(child, terms, seen)
            if child.tail:
                child.tail, abbrs = self._split(child.tail, terms, seen)
                for abbr in abbrs:
                    el.insert(i, abbr)
                    i += 1


class GlossaryExtension(Extension):
    """Python-Markdown extension: term links and tooltips for the page set with page()."""

    def __init__(self, **kwargs):
        self.glossary = None
        self.lang = ""
        self.path = ""
        self.tips: dict[str, tuple[str, str]] = {}
        self.references = True
        super().__init__(**kwargs)

    def page(self, glossary, lang: str, path: str, tooltips: bool = True, references: bool = True) -> None:
        """The next page to render: its glossary, language, path (relative to docs/<lang>/).

        references=False: the page has no [[term]] (the term link pattern is left out).
        """
        self.glossary, self.lang, self.path, self.references = glossary, lang, path, references
        self.tips = glossary_tooltips(lang, glossary) if tooltips and glossary is not None else {}

    def term_link(self, tid: str, label: str | None) -> tuple[str, str, str] | None:
        """(label, href, title) of a reference to term `tid` from the current page, or None if unknown."""
        if self.glossary is None or tid not in self.glossary:
            return None
        term = self.glossary[tid]
        return label or term.term[self.lang], self.glossary.anchor_href(tid, self.path), term.short[self.lang]

    def extendMarkdown(self, md) -> None:
        """Called for each page (MkDocs makes a Markdown instance per page): only what it needs."""
        if self.tips:
            # After inline parsing (20) and attr_list (8), before the table of contents (5).
            md.treeprocessors.register(TooltipsTreeprocessor(md, self), "kb_tooltips", 7)
        if not self.references:
            return
        # Before the backtick-free link patterns ('reference' 170, 'link' 160), after escapes (180)
        # and code spans (190), so a reference in `code` stays as written.
        md.inlinePatterns.register(TermLinkProcessor(TERM_REF, md, self), "kb_term_link", 175)
        # After raw HTML (20) and fenced code (25) are set aside.
        md.preprocessors.register(TableRowRefs(md), "kb_table_row_refs", 15)
