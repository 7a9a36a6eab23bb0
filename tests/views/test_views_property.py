"""Property-based tests: generated pages, the Markdown views against the renderer (issue 12).

Pages come from a grammar covering every container the site uses (admonitions, details, tabs,
lists, blockquotes, md_in_html), reference and abbreviation definitions (with and without a
value), raw HTML blocks, fences of every shape (backticks, tildes, longer fences, languages,
attributes, options, unclosed, indented), indented code, form feeds and Unicode line separators,
a BOM and CRLF line ends. For each page:

- the views agree with the renderer (Python-Markdown with mkdocs.yml's extensions, run on the
  page as MkDocs reads it) on every fence and every heading;
- every source check reads it without an exception, every problem has a line and column inside
  the page, within a time bound.

`make test` runs a fixed, derandomized set (KB_FUZZ_EXAMPLES, default 250 examples per property);
`kb fuzz` runs more, with a random or given seed (KB_FUZZ_SEED), for contributors.
"""
from __future__ import annotations

import os
import re

import markdown
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from kb.checks import links, safety, snippets
from kb.content import glossary, translations
from kb.core import source
from kb.views import mdscan

EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "250"))
SEED = os.environ.get("KB_FUZZ_SEED")


def _settings(f):
    f = settings(max_examples=EXAMPLES, derandomize=SEED is None, deadline=None, database=None,
                 suppress_health_check=list(HealthCheck))(f)
    return seed(int(SEED))(f) if SEED is not None else f


# --------------------------------------------------------------------------- the grammar

WORDS = st.sampled_from(["pod", "node", "vSphere", "datastore", "text", "[[pod]]", "`code`", "**bold**",
                         "[a link](other.md)", "<b>b</b>", "x\x0cy", "a\u2028b", "c\u2029d", "e\x85f",
                         "[ref][r]", "HTML", "tab\there"])


# The grammar's fixed strategies are built once: Hypothesis validates every strategy object it is
# handed, and building them inside each draw cost about a third of the properties' time. Same choices.
PROSE_WORDS = st.lists(WORDS, min_size=1, max_size=6)
FENCE_CHAR = st.sampled_from(["`", "~"])
FENCE_LENGTH = st.integers(3, 5)
FENCE_INFO = st.sampled_from(["", "yaml", " yaml", "yml", "{.yaml}", '{.yaml title="t"}', 'yaml title="x"',
                              "python", "yaml nonsense words", "text hl_lines=\"1\"", "{ .text #id }"])
FENCE_BODY = st.sampled_from(["a: 1", "key: value\nother: 2", "- x\n- y", "plain", "a: [1, 2"])
FENCE_CLOSE = st.sampled_from(["same", "same", "same", "longer", "shorter", "none"])
LEAF_KINDS = ["para", "heading", "fence", "fence", "refdef", "abbr", "html", "indented", "setext"]
KIND = {True: st.sampled_from(LEAF_KINDS + ["list", "quote", "admonition", "details", "tab", "md_in_html"]),
        False: st.sampled_from(LEAF_KINDS)}
HEADING_LEVEL = st.integers(1, 4)
SETEXT_LINE = st.sampled_from(["===", "---"])
REFDEF = st.sampled_from(["[r]: https://example.org", "[r]:", "[x]: <other.md>", "[^1]: note"])
ABBR = st.sampled_from(["*[HTML]: Hyper Text", "*[HTML]:"])
HTML_INNER = st.sampled_from(["<p>raw</p>", "text", "", "<!-- c -->"])
LIST_MARKER = st.sampled_from(["- ", "* ", "1. "])
ADMONITION = st.sampled_from(["!!! note", '!!! warning "Title"'])
DETAILS = st.sampled_from(["??? note", '???+ tip "Open"'])


@st.composite
def prose(draw):
    return " ".join(draw(PROSE_WORDS))


PROSE = prose()


@st.composite
def fence(draw, token: int):
    char = draw(FENCE_CHAR)
    n = draw(FENCE_LENGTH)
    info = draw(FENCE_INFO)
    body = draw(FENCE_BODY)
    close = draw(FENCE_CLOSE)
    closing = {"same": char * n, "longer": char * (n + 1), "shorter": char * (n - 1) if n > 3 else "", "none": ""}[close]
    lines = [char * n + info, f"# FENCEBODY{token}", *body.split("\n")]
    if closing:
        lines.append(closing)
    return lines


def indent(lines: list[str], prefix: str) -> list[str]:
    return [(prefix + ln) if ln else ln for ln in lines]


@st.composite
def block(draw, depth: int, counter: list):
    counter[0] += 1
    n = counter[0]
    kind = draw(KIND[depth < 3])
    if kind == "para":
        return [draw(PROSE)]
    if kind == "heading":
        level = draw(HEADING_LEVEL)
        return ["#" * level + f" Title {n} {{ #h{n} }}"]
    if kind == "setext":
        return [f"Setext {n} {{ #h{n} }}", draw(SETEXT_LINE)]
    if kind == "fence":
        return draw(fence(n))
    if kind == "refdef":
        return [draw(REFDEF)]
    if kind == "abbr":
        return [draw(ABBR)]
    if kind == "html":
        inner = draw(HTML_INNER)
        return draw(st.sampled_from([["<div>", inner, "</div>"], ["<div>", "", inner, "", "</div>"],
                                     ["<!--", inner, "-->"], ["<details><summary>s</summary>", inner, "</details>"]]))
    if kind == "indented":
        return ["    " + draw(PROSE), "    [x](nowhere.md)"]
    children = draw(st.lists(block(depth + 1, counter), min_size=1, max_size=3))
    body: list[str] = []
    for child in children:
        body += child + [""]
    body = body[:-1]
    if kind == "list":
        marker = draw(LIST_MARKER)
        first, rest = body[0], body[1:]
        return [marker + first if first else marker.rstrip()] + indent(rest, "    ")
    if kind == "quote":
        return [("> " + ln) if ln else ">" for ln in body]
    if kind == "admonition":
        return [draw(ADMONITION)] + [""] + indent(body, "    ")
    if kind == "details":
        return [draw(DETAILS)] + [""] + indent(body, "    ")
    if kind == "tab":
        return ['=== "One"', ""] + indent(body, "    ")
    return ["<div markdown>", ""] + body + ["", "</div>"]


@st.composite
def pages(draw):
    counter = [0]
    blocks = draw(st.lists(block(0, counter), min_size=1, max_size=8))
    lines: list[str] = []
    for b in blocks:
        lines += b + [""]
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = "# Page { #page }\n\n" + text
    end = draw(st.sampled_from(["\n", "\r\n", "\n", "\r"]))
    if end != "\n":
        text = text.replace("\n", end)
    if draw(st.integers(0, 5)) == 0:
        text = "\ufeff" + text
    return text


# --------------------------------------------------------------------------- the renderer

_MD = None


def render(text: str) -> BeautifulSoup:
    """The page as MkDocs renders it: read with utf-8-sig and universal newlines, front matter /
    meta-data removed (mkdocs.utils.meta.get_data), then Python-Markdown with mkdocs.yml's extensions."""
    global _MD
    if _MD is None:
        names, configs = mdscan.markdown_config()
        _MD = markdown.Markdown(extensions=names, extension_configs=configs)
    from mkdocs.utils.meta import get_data

    body, _ = get_data(source.normalize(text))
    _MD.reset()
    return BeautifulSoup(_MD.convert(body), "html.parser")


_TOKEN = re.compile(r"FENCEBODY(\d+)")


def rendered_fences(soup: BeautifulSoup) -> list[int]:
    """Tokens of the fenced blocks the renderer made: a <pre> with line anchors (mkdocs.yml's
    anchor_linenums; indented code blocks have none)."""
    found = []
    for pre in soup.find_all("pre"):
        if pre.find("a", id=re.compile("^__codelineno-")) is None:
            continue  # an indented code block (a fence may have been turned into one)
        found += [int(t) for t in _TOKEN.findall(pre.get_text())]
    return sorted(found)


def view_fences(text: str) -> list[int]:
    return sorted(int(t) for f in mdscan.fences(text) for t in _TOKEN.findall(f.text))


# --------------------------------------------------------------------------- properties

@_settings
@given(pages())
def test_views_agree_with_the_renderer_on_every_fence_and_heading(text):
    soup = render(text)
    assert view_fences(text) == rendered_fences(soup), text
    rendered = [h.get("id") for h in soup.find_all(re.compile("^h[1-6]$")) if re.fullmatch(r"h\d+|page", h.get("id") or "")]
    viewed = [h.id for h in translations.headings(text) if h.id and re.fullmatch(r"h\d+|page", h.id)]
    assert viewed == rendered, text  # ATX and setext headings


@_settings
@given(pages())
def test_every_check_reads_any_page_and_places_every_problem_inside_it(text):
    import time

    lines = source.split_lines(text)
    rel = "docs/en/generated.md"
    t0 = time.perf_counter()
    problems = snippets.check_text(source.normalize(text), rel)
    problems += safety.markup_problems(text, rel) + safety.secret_problems(text, rel)
    problems += translations.page_problems(source.Path("generated.md"), text)
    found = list(links.links(text)) + list(glossary.references(text))
    assert time.perf_counter() - t0 < 5
    for p in problems:
        assert 1 <= p.line <= max(len(lines), 1) + 1 and p.col >= 1, (p, text)
    for item in found:
        line = item[0]
        assert 0 <= line <= len(lines), (item, text)
