"""mdscan finds exactly the fenced blocks that Python-Markdown + superfences render, configured like the site.

The strongest proof is a comparison with the real renderer: every corpus page, every docs page and a
few hundred generated pages (lists, admonitions, details, tabs, blockquotes, comments, HTML, front
matter, CRLF, tabs, broken and nested fences…) are rendered with the project's Markdown
configuration, and the blocks that come out must be the blocks mdscan returns.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from kb.views import mdscan
from support import ROOT

CORPUS = ROOT / "tests" / "corpus" / "snippets"


# --------------------------------------------------------------------------- the real renderer

@pytest.fixture(scope="module")
def render():
    """render(text) -> [(language, code)] of the fences the site's Markdown renders, in output order."""
    import markdown
    from mkdocs.config import load_config
    from mkdocs.utils import meta
    from pymdownx import superfences

    cfg = load_config(str(ROOT / "mkdocs.yml"))
    calls: list = []
    original = superfences.SuperFencesBlockPreprocessor.highlight

    def highlight(self, src="", language="", options=None, md=None, **kwargs):
        calls.append(((language or "").lower(), src))
        return f"<pre>KBFENCE{len(calls) - 1}X</pre>"

    superfences.SuperFencesBlockPreprocessor.highlight = highlight
    comment = re.compile(r"<!--.*?-->", re.S)

    def run(text: str) -> list:
        calls.clear()
        body, _ = meta.get_data(text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
        html = markdown.Markdown(extensions=cfg["markdown_extensions"],
                                 extension_configs=cfg["mdx_configs"]).convert(body)
        html = comment.sub("", html)  # a fence inside an HTML comment is not shown
        return [calls[int(n)] for n in re.findall(r"KBFENCE(\d+)X", html)]

    yield run
    superfences.SuperFencesBlockPreprocessor.highlight = original


def found(text: str) -> list:
    """mdscan's blocks as (language, code) with the renderer's tab expansion."""
    raw = mdscan.split_lines(text.lstrip("\ufeff"))
    out = []
    for f in mdscan.fences(text):
        width = len(f.indent.expandtabs(4))
        out.append((f.lang, "\n".join(raw[k].expandtabs(4)[width:] for k in range(f.start + 1, f.end))))
    return out


def same_blocks(render, text: str) -> tuple[bool, list, list]:
    expected = sorted((lang, code.rstrip("\n")) for lang, code in render(text))
    actual = sorted((lang, code.rstrip("\n")) for lang, code in found(text))
    return expected == actual, expected, actual


PAGES = sorted(CORPUS.rglob("*.md")) + sorted((ROOT / "docs").rglob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_superfences_renders_exactly_the_blocks_mdscan_finds(render, page):
    text = page.read_text(encoding="utf-8", errors="replace")
    ok, expected, actual = same_blocks(render, text)
    assert ok, f"rendered: {expected}\nmdscan:   {actual}"


def test_the_corpus_renders_its_yaml_blocks_as_yaml(render):
    """The YAML blocks validated are the `language-yaml` blocks readers see, no more, no less."""
    for page in sorted(CORPUS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        rendered = sorted(code.rstrip("\n") for lang, code in render(text) if lang in ("yaml", "yml"))
        scanned = sorted(code.rstrip("\n") for lang, code in found(text) if lang in ("yaml", "yml"))
        assert rendered == scanned, page


# --------------------------------------------------------------------------- generated pages

INFO = ["yaml", "yml", " yaml", 'yaml title="a b"', '{.yaml title="x"}', 'yaml {title="y"}', "text", "", "bash",
        'yaml linenums="1"', 'yaml hl_lines="1 2"', "yaml foo", "YAML", ".yaml", 'yaml hl_lines="x"',
        "{.yaml hl_lines}", "{ }"]
HTML = [["<figure markdown=\"span\">", "  ![x](y.svg)", "  <figcaption>cap</figcaption>", "</figure>"],
        ["<div class=\"grid\" markdown>", "", "- item", "", "    ```yaml", "    g: 1", "    ```", "", "</div>"],
        ["<div>", "", "!!! note", "", "    ```yaml", "    h: 1", "    ```"],
        ["<details>", "<summary>S</summary>", "", "    ```yaml", "    i: 1", "    ```", "", "</details>"],
        ["<br>", "<img src=\"x\">"], ["<span>inline</span> text"]]
LAZY = ["lazy text", "**bold** more", "# heading?", "2024 was a year", "2. not lazy", "---", "`code` text", "> quote",
        "!!! note", "- sub item", ": def", "[link](x)"]
HEADS = ["- item", "* item", "1. item", "!!! note", '??? note "T"', "???+ tip", '=== "Tab"', "> quote", "Term",
         "-   wide item", '!!! warning "Title"', '===+ "B"', "10. ten"]


def _fence(r: random.Random, n: int) -> list[str]:
    ch = r.choice("``~")
    fence = ch * r.choice([3, 3, 4, 5])
    body = []
    for i in range(r.randint(0, 4)):
        k = r.random()
        body.append("" if k < 0.1 else ch * 3 + "yaml" if k < 0.2 else ch * 3 if k < 0.25 else fence if k < 0.3
                    else f"key{n}_{i}: v{r.randint(0, 99)}" if r.random() < 0.8 else f"  nested{i}: x")
    return [fence + r.choice(INFO)] + body + ([fence] if r.random() < 0.93 else [])


def _block(r: random.Random, depth: int, n: int) -> list[str]:
    k = r.random()
    if k < 0.32 or depth > 2:
        return _fence(r, n)
    simple = [
        (0.42, lambda: ["Some paragraph text " + str(n)] + (["more text"] if r.random() < 0.3 else [])),
        (0.47, lambda: ["## Heading " + str(n)]),
        (0.52, lambda: ["    indented code " + str(n)]),
        (0.55, lambda: ["<!-- snippet: skip -->"] + _fence(r, n)),
        (0.57, lambda: [r.choice(["[ref]:", "*[ABBR]:", "[ref]: http://x", "[^1]: note"])]),
        (0.59, lambda: ["<!--"] + _fence(r, n) + ["-->"]),
        (0.62, lambda: ["| a | b |", "|---|---|", "| 1 | 2 |"]),
        (0.64, lambda: ["Para line", "    " + r.choice(["```yaml", "~~~yaml"]), "    a: 1", "    " + r.choice(["```", "~~~"])]),
        (0.66, lambda: ["# Head", "    ```yaml", "    a: 2", "    ```"]),
        (0.68, lambda: ["\t```yaml", "\ta: 3", "\t```"]),
        (0.70, lambda: ["```yaml", "a:\t4", "\tb: 5", "```"]),
        (0.705, lambda: ["<div markdown>", "", "```yaml", "c: 6", "```", "", "</div>"]),
        (0.71, lambda: r.choice(HTML)),
        (0.72, lambda: ["<div>", "```yaml", "d: 7", "```", "</div>"]),
    ]
    for limit, make in simple:
        if k < limit:
            return make()
    if k < 0.78:  # a run of list items with lazy continuation lines, then content for the last item
        marker = r.choice(["1.", "2.", "-", "*", "10."])
        run = []
        for _ in range(r.randint(1, 3)):
            run.append(f"{marker} item text {n}")
            run += [" " * r.choice([0, 2, 3, 4, 5]) + r.choice(LAZY) for _ in range(r.randint(0, 2))]
        indent = r.choice([4, 4, 4, 3, 8])
        return run + [""] + [(" " * indent + ln if ln else "") for ln in _blocks(r, depth + 1, n * 10)]
    head = r.choice(HEADS)
    indent = r.choice([4, 4, 4, 2, 3, 8, 0, 5, 1, 12])
    inner = _blocks(r, depth + 1, n * 10)
    if head.startswith(">"):
        return [head] + [">" + (" " + ln if ln else "") for ln in inner]
    if head == "Term":
        return [head, ": definition"] + [(" " * indent + ln if ln else "") for ln in inner]
    return [head] + ([""] if r.random() < 0.6 else []) + [(" " * indent + ln if ln else "") for ln in inner]


def _blocks(r: random.Random, depth: int, n: int) -> list[str]:
    out: list[str] = []
    for i in range(r.randint(1, 3)):
        if out:
            out += [""] * r.choice([0, 1, 1, 1, 2])
        out += _block(r, depth, n + i)
    return out


def generated_page(seed: int) -> str:
    r = random.Random(seed)
    text = "\n".join(_blocks(r, 0, 1)) + "\n"
    v = r.random()
    if v < 0.1:
        text = "---\ntitle: x\n---\n" + text
    elif v < 0.15:
        text = "title: x\nother: y\n\n" + text
    elif v < 0.2:
        text = text.replace("\n", "\r\n")
    elif v < 0.23:
        text = "---\n- not a dict\n---\n" + text
    return text


def test_generated_pages_render_exactly_the_blocks_mdscan_finds(render):
    """500 random pages mixing every container; thousands more ran while the scanner was written."""
    failures = []
    for seed in range(500):
        text = generated_page(seed)
        ok, expected, actual = same_blocks(render, text)
        if not ok:
            failures.append(f"seed {seed}:\n{text}\nrendered: {expected}\nmdscan:   {actual}")
    assert not failures, "\n\n".join(failures[:3])


# --------------------------------------------------------------------------- behaviour the others rely on

def test_positions_options_and_content():
    text = ("---\ntitle: t\n---\n\n# T\n\n- item\n\n    ~~~~yml title=\"a.yaml\"\n    a: 1\n\n"
            "    ```yaml\n    not: closed here\n    ~~~~\n")
    (f,) = mdscan.fences(text)
    assert (f.start, f.end, f.indent, f.fence, f.lang, f.options) == (8, 13, "    ", "~~~~", "yml", 'title="a.yaml"')
    assert f.lines == ["a: 1", "", "```yaml", "not: closed here"] and f.cols == [4, 0, 4, 4]
    assert f.body_start == 9 and f.text == "a: 1\n\n```yaml\nnot: closed here\n"


def test_attribute_list_form_and_invalid_headers():
    text = "``` { .yaml title=\"x\" }\na: 1\n```\n\n```yaml nonsense\nb: 2\n```\n"
    langs = [(f.lang, f.start) for f in mdscan.fences(text)]
    # `yaml nonsense` is not a valid header: superfences leaves it as text, and its closing
    # line then opens a fence of its own that runs to the end (unclosed, so not a block)
    assert langs == [("yaml", 0)]
    assert [(u.start, u.lang) for u in mdscan.unclosed(text)] == [(6, "")]


def test_indented_fence_outside_a_container_is_an_indented_code_block():
    text = "Para.\n\n    ```yaml\n    a: 1\n    ```\n\n!!! note\n\n    ```yaml\n    b: 2\n    ```\n"
    assert [f.lines for f in mdscan.fences(text)] == [["b: 2"]]


def test_line_mask_keeps_an_unusual_line_break_inside_its_line():
    """Was code_mask's test (code_mask followed str.splitlines() and is gone): the same page through
    line_mask, the one line rule, where the form feed does not end a line."""
    from kb.core import source

    text = "page\x0cbreak\n```yaml\na: 1\n```\nafter [[pod]]\n"
    mask = mdscan.line_mask(text)
    assert len(mask) == len(source.split_lines(text))
    assert mask == [False, True, True, True, False]


def test_inline_code_spans_like_python_markdown():
    line = "a `x` b ``y ` z`` c \\`not` d"
    spans = [line[a:b] for a, b in mdscan.inline_code_spans(line)]
    assert spans == ["`x`", "``y ` z``"]


def test_superfences_regular_expressions_are_those_of_the_installed_version():
    from pymdownx import superfences

    for name in ("RE_NESTED_FENCE_START", "RE_HL_LINES", "RE_LINENUMS", "RE_OPTIONS"):
        mine, theirs = getattr(mdscan, name), getattr(superfences, name)
        assert (mine.pattern, mine.flags) == (theirs.pattern, theirs.flags), name


def test_usual_material_pages_need_no_markdown_parser(monkeypatch):
    """Fences in admonitions, tabs and list items are settled by the scanner alone (fast path)."""
    def fail(region):
        raise AssertionError("the real parser was used")

    monkeypatch.setattr(mdscan, "_rendered", fail)
    mdscan._scan_cached.cache_clear()
    text = ("# T\n\n!!! note\n\n    ```yaml\n    a: 1\n    ```\n\n=== \"A\"\n\n    ```yaml\n    b: 2\n    ```\n\n"
            "1. Step\n\n    ```bash\n    ls\n    ```\n\n    - Sub\n\n        ```yaml\n        c: 3\n        ```\n\n"
            "2. **Check** the result, a step whose text\n   goes on a second line:\n\n    ```yaml\n    d: 4\n    ```\n\n"
            "=== \"Tab\"\n\n    1. First step\n       continued.\n    2. Second step:\n\n        ```yaml\n        e: 5\n"
            "        ```\n")
    assert [f.lines for f in mdscan.fences(text)] == [["a: 1"], ["b: 2"], ["ls"], ["c: 3"], ["d: 4"], ["e: 5"]]


# --- issue 12: seams between the port and the renderer --------------------------------------------

def _rendered_fences(text: str) -> int:
    import markdown

    names, configs = mdscan.markdown_config()
    return markdown.Markdown(extensions=names, extension_configs=configs).convert(text).count("<pre")


@pytest.mark.parametrize("text", [
    "!!! note\n\n    [x]:\n    ```yaml\n    a: 1\n    ```\n",
    "- item\n\n    [x]:\n    ```yaml\n    a: 1\n    ```\n",
    '=== "A"\n\n    [x]:\n    ```yaml\n    a: 1\n    ```\n',
    "> [x]:\n> ```yaml\n> a: 1\n> ```\n",
])
def test_an_empty_reference_definition_in_a_container_swallows_the_fence_as_rendered(text):
    assert _rendered_fences(text) == 0
    assert mdscan.fences(text) == []


def test_indented_code_blocks_come_from_the_renderer():
    text = ("Some text.\n\n    [x](nowhere.md)\n\nMore.\n\n!!! note\n\n    [y](a.md)\n\n"
            "        [z](b.md)\n\n- item\n\n    [w](c.md)\n")
    assert mdscan.indented_code(text) == [2, 10]
    mask = mdscan.line_mask(text)
    assert [n for n, m in enumerate(mask) if m] == [2, 10]


def test_line_mask_follows_the_one_line_rule():
    text = "page\x0cbreak\u2028more\n```yaml\na: 1\n```\nafter\n"
    assert mdscan.line_mask(text) == [False, True, True, True, False]


def test_a_page_nested_too_deeply_has_no_views_and_is_named():
    deep = "".join("    " * i + "- x\n" for i in range(300)) + "    " * 300 + "```yaml\n" + "    " * 300 + "a: 1\n"
    assert mdscan.too_deep(deep)[0] > mdscan.MAX_NESTING
    assert mdscan.fences(deep) == [] and mdscan.indented_code(deep) == []
    assert mdscan.too_deep("- a\n    - b\n") is None


@pytest.mark.parametrize("text,level", [("\ufeff- > # Title 3 { #h3 }\n", 1), ("> - # A\n", 1), ("1. > > ## B\n", 2)])
def test_headings_behind_any_mix_of_list_markers_and_quotes(text, level):
    """Found by kb fuzz (seed 2123002082): '- > # Title' was missed."""
    assert [h.level for h in mdscan.headings(text)] == [level]


_RISKY = "Para.\n\n    ```yaml\n    risky: indented\n    ```\n\n- item\n\n    ```yaml\n    in: item\n    ```\n"
RAW_DIV_PAGES = [
    # a <div> whose blank line and letter-start paragraph are where the scanner would cut two regions
    "Intro.\n\n<div class=\"x\">\n\nInside the div, a paragraph.\n\n```yaml\nin: div\n```\n\n</div>\n\n" + _RISKY,
    # the opening tag's attributes on the next line (the tag scanner cannot see where it ends)
    "Intro.\n\n<div\n  class=\"x\">\n\nText.\n\n```yaml\na: 1\n```\n\n    ```yaml\n    b: 2\n    ```\n\n</div>\n\n" + _RISKY,
    # md_in_html, a fence at column 0 and an indented one inside
    "<div markdown>\n\nText.\n\n```yaml\nc: 3\n```\n\n    ```yaml\n    d: 4\n    ```\n\n</div>\n\n" + _RISKY,
    # never closed: it runs to the end of the page
    _RISKY + "\n<div>\n\nText.\n\n```yaml\ne: 5\n```\n\nMore.\n\n    ```yaml\n    f: 6\n    ```\n",
    # nested, closed on a content line, then a region start right after it
    "<div><div>\n\nText.\n\n```yaml\ng: 7\n```\n</div></div>\nAfter.\n\n" + _RISKY,
    # a comment spanning two regions, a fence in it
    "Intro.\n\n<!-- a comment\n\nParagraph.\n\n```yaml\nhidden: yes\n```\n\n-->\n\n" + _RISKY,
]


@pytest.mark.parametrize("text", RAW_DIV_PAGES, ids=range(len(RAW_DIV_PAGES)))
def test_raw_html_spanning_two_scan_regions_agrees_with_the_renderer(render, text):
    """A raw HTML block that spans what the scanner would cut into two regions: the scanner sees the
    HTML and hands the whole page to the real parser (a fence at column 0 inside it goes to the parser
    too), so its fences are exactly the rendered ones."""
    same, expected, actual = same_blocks(render, text)
    assert same, (expected, actual)
    assert any(lang == "yaml" for lang, _ in expected)  # the case renders fences: the test compares something


def test_a_start_tag_closed_on_a_later_prose_line_keeps_the_views_of_what_follows():
    """Found with RAW_DIV_PAGES[1]: the views' parser cut prose lines to their first letter, which cut
    the '>' that closes '<div' on its next line; the tag then swallowed the rest of the page (no
    heading, no indented code, and an indented fence after it taken for a rendered one)."""
    text = "Intro.\n\n<div\n  class=\"x\">\n\nText.\n\n</div>\n\nPara.\n\n    indented code line\n\n## Heading {#h}\n"
    assert mdscan.indented_code(text) == [11]
    assert [(h.line, h.level, h.text) for h in mdscan.headings(text)] == [(13, 2, "Heading {#h}")]


SETTLE_CASES = [
    # admonition / details / tab bodies indented 4-7, then code indented 8 inside and after them
    "!!! note\n\n    Body.\n\n    More body.\n\n        code in the note\n\nPara.\n\n    code after a paragraph\n",
    "??? tip \"T\"\n\n     Five spaces.\n\n=== \"A\"\n\n    Tab body.\n\n    ## In a tab\n\n# Top { #top }\n\n    code\n",
    # an opener inside a fence, a heading right after a fence, headings not alone in their block
    "```text\n\n!!! note\n\n```\n\n    code, not a note body\n\n## H\ntext\n\n## Alone\n\n```\na\n```\n## After\n",
    # list items and quotes around a would-be body; lazy lines; a 2-line opener block
    "- item\n\n!!! note\n    lazy\n\n    body\n\n> quote\n\n    code\n\n1. one\n\n    continuation\n",
    "!!! note\n\n    - list in the note\n\n        deeper, in the item\n\n    back\n\n#no-space\n\n###### Six\n\n####### Seven\n",
]


def test_settled_candidates_and_open_regions_give_the_views_of_the_whole_parse():
    """_structure settles plain headings and container bodies without the parser and parses only the
    regions left (a 5 MB page: 3.2 -> 0.5 s CPU): the same views as one parse of the whole page, on the
    real pages, the corpus, 500 generated pages, the bench pages and planted edge cases."""
    from kb.bench import checks as bench_checks

    texts = [p.read_text(encoding="utf-8", errors="replace") for p in PAGES]
    texts += [generated_page(seed) for seed in range(500)]
    texts += [bench_checks.big_page(300_000), bench_checks.fences_page(200)] + SETTLE_CASES
    try:
        views = {}
        for flag in (True, False):
            mdscan.SETTLE = flag
            mdscan._structure.cache_clear()
            views[flag] = [mdscan._structure(t, True) for t in texts]
    finally:
        mdscan.SETTLE = True
        mdscan._structure.cache_clear()
    differ = [t for t, a, b in zip(texts, views[True], views[False]) if a != b]
    assert not differ, differ[0][:500]
    assert any(code for code, _ in views[True][-len(SETTLE_CASES):])  # the cases do have code and headings


@pytest.mark.parametrize("text, expected", [
    ("Title { #t }\n=====\n\ntext\n", [(0, 0, 1, "Title { #t }")]),
    ("Para\n---\n---\n", [(0, 0, 2, "Para")]),                        # then a rule
    ("> Quote title\n> ===\n", [(0, 2, 1, "Quote title")]),
    ("!!! note\n\n    In note\n    ---\n\n    text\n", [(2, 4, 2, "In note")]),
    ("1. Item\n\n    Sub title\n    ---\n", [(2, 4, 2, "Sub title")]),
    ("a\nb\n---\n", []),                                               # not the block's first line: a rule
    ("    code\n    ---\n", []),                                         # indented code
    ("```text\nFenced\n---\n```\n", []),
])
def test_setext_headings_come_from_the_renderer(text, expected):
    """(line, col, level, text) of setext headings, as Python-Markdown makes them (checked by hand against
    its HTML; the property tests compare every generated heading, ATX and setext, with the renderer)."""
    found = mdscan.headings(text)
    assert [(h.line, h.col, h.level, h.text) for h in found] == expected
    assert all(h.setext for h in found)


def test_the_views_cache_on_disk_gives_what_a_fresh_parse_gives(tmp_path, monkeypatch):
    """kb's commands keep page structures in .cache/views.json: a stored page is served without the
    parser, a changed page, flag, SETTLE or kb module is parsed again, and a damaged file is no cache."""
    pages = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))[:6]]
    pages.append("# Title { #t }\n\n    indented code\n\nSetext\n------\n")
    path = tmp_path / ".cache" / "views.json"
    parsed: list = []

    def parse(text, front_matter):
        parsed.append(text)
        return mdscan._parse_structure(text, front_matter)

    def fresh() -> mdscan._Disk:
        disk = mdscan._Disk()
        disk.enable(path)
        return disk

    disk = fresh()
    first = [disk.get(t, True, parse) for t in pages]
    assert first == [mdscan._parse_structure(t, True) for t in pages] and len(parsed) == len(pages)
    assert any(heads for _, heads in first) and any(code for code, _ in first)
    disk.save()
    parsed.clear()
    disk = fresh()
    assert [disk.get(t, True, parse) for t in pages] == first and parsed == []  # from the file
    changed = pages[-1].replace("Setext\n------", "Setext\n\n------")
    assert disk.get(changed, True, parse) == mdscan._parse_structure(changed, True) and parsed == [changed]
    disk.get(pages[0], False, parse)
    monkeypatch.setattr(mdscan, "SETTLE", False)
    disk.get(pages[1], True, parse)
    assert parsed == [changed, pages[0], pages[1]]
    monkeypatch.setattr(mdscan, "SETTLE", True)
    from kb.core import cache as jsoncache

    module = tmp_path / "scripts" / "kb" / "core" / "cache.py"  # another kb source tree: another key
    module.parent.mkdir(parents=True)
    module.write_text(Path(jsoncache.__file__).read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    for rel in ("__init__.py", "core/__init__.py"):
        (module.parents[1] / rel).write_text("", encoding="utf-8")
    monkeypatch.setattr(jsoncache, "__file__", str(module))
    parsed.clear()
    assert fresh().get(pages[2], True, parse) == first[2] and parsed == [pages[2]]
    monkeypatch.undo()
    for damaged in ("{damaged", json.dumps({k: [["7"], []] for k in json.loads(path.read_text(encoding="utf-8"))})):
        path.write_text(damaged, encoding="utf-8")  # not JSON; JSON whose line numbers are not numbers
        parsed.clear()
        disk = fresh()
        assert disk.get(pages[3], True, parse) == first[3] and parsed == [pages[3]]
        disk.save()  # the damaged file is replaced by this run's entries, not carried on
        parsed.clear()
        assert fresh().get(pages[3], True, parse) == first[3] and parsed == []


def test_a_kb_command_writes_the_views_cache_and_reads_it_back(project):
    """Two runs of a check in a copy: the second reads the structures the first stored, and both
    give the findings; a page changed since is parsed again, so its new problem is found."""
    from support import kb

    views = project / ".cache" / "views.json"
    views.unlink(missing_ok=True)
    assert kb(project, "check-translations").returncode == 0
    stored = json.loads(views.read_text(encoding="utf-8"))
    assert len(stored) >= 20
    page = project / "docs" / "es" / "kubernetes" / "index.md"
    text = page.read_text(encoding="utf-8")
    heading = next(ln for ln in text.splitlines() if ln.startswith("## ") and "{ #" in ln)
    page.write_text(text.replace(heading, heading.split("{ #")[0] + "{ #otro-id }"), encoding="utf-8")
    proc = kb(project, "check-translations")
    assert proc.returncode == 1 and "docs/es/kubernetes/index.md:" in proc.stdout, proc.stdout
    assert len(json.loads(views.read_text(encoding="utf-8"))) > len(stored)
