"""Find fenced code blocks in Markdown exactly as Python-Markdown + pymdownx.superfences render them.

Shared by the snippet checker (which YAML blocks to validate), the glossary (where term
references must not be replaced) and the translation checker (comparing code blocks).

How "exactly" is achieved
-------------------------
A page goes through the same steps MkDocs takes: front matter / MultiMarkdown meta-data
is removed (``mkdocs.utils.meta.get_data``), whitespace is normalised (tabs expanded),
then superfences' line scanner decides which fences open and close. That scanner is
ported line for line below (fast path), reusing superfences' own regular expressions.

A fence the scanner accepted can still be turned back into text by the block parser:
when its placeholder lands in an indented code block (superfences "reverts greedy
fences"), when a reference or abbreviation definition swallows it, or when it sits in
an HTML comment. That can only happen to a fence that is indented by 4+ columns, or
shares a block with such a line, or follows a definition with an empty value, or
follows an unclosed ``<!--``. For those fences only (slow path), the region of the page
around them is run through the real Python-Markdown preprocessors and block parser,
configured like the site (``markdown_extensions`` in mkdocs.yml), and the fences whose
placeholders survive are the rendered ones. tests/test_mdscan.py compares the result with
full renders of the corpus and of generated pages.

Lines are numbered as editors count them: ``\\r\\n``, ``\\r`` and ``\\n`` end a line (the one rule of
kb.core.source; ``\\x85``, U+2028, U+2029, ``\\f`` and ``\\v`` do not).
"""
from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from kb.core.settings import ROOT

# superfences' own regular expressions (pymdown-extensions 13), copied so that scanning a page does
# not import Python-Markdown (a second in a fresh process); tests/test_mdscan.py checks that they
# are still those of the installed superfences.
RE_NESTED_FENCE_START = re.compile(
    r'''(?x)
    (?P<fence>~{3,}|`{3,})
    (?:[ \t]*\.?(?P<lang>[\w#.+-]+)(?=[\t ]|$))?                                           # Language
    (?:
        [ \t]*(\{(?P<attrs>[^\n]*)\}) |                                                    # Optional attributes or
        (?P<options>
            (?:
                (?:[ \t]*[a-zA-Z][a-zA-Z0-9_]*(?:=(?P<quot>"|').*?(?P=quot))?)(?=[\t ]|$)  # Options
            )+
        ) |
        (?P<unrecognized>
            (?:([ \t]*[^\s]+)(?=[\t ]|$))+
        )
    )?[ \t]*$
    '''
)
RE_HL_LINES = re.compile(r'^(?P<hl_lines>\d+(?:-\d+)?(?:[ \t]+\d+(?:-\d+)?)*)$')
RE_LINENUMS = re.compile(r'(?P<linestart>[\d]+)(?:[ \t]+(?P<linestep>[\d]+))?(?:[ \t]+(?P<linespecial>[\d]+))?')
RE_OPTIONS = re.compile(
    r'''(?x)
    (?:
        (?P<key>[a-zA-Z][a-zA-Z0-9_]*)(?:=(?P<quot>"|')(?P<value>.*?)(?P=quot))?
    )
    '''
)


def _get_attrs(text: str):
    """attr_list's parser, as superfences uses it for ``` {.yaml title="x"} (imported on first use)."""
    try:
        from markdown.extensions.attr_list import get_attrs_and_remainder
    except ImportError:  # pragma: no cover - older Python-Markdown
        from markdown.extensions.attr_list import get_attrs
        return get_attrs(text)
    return get_attrs_and_remainder(text)[0]




@dataclass
class Fence:
    start: int          # 0-based line of the opening fence
    end: int            # 0-based line of the closing fence
    indent: str         # text before the fence characters on the opening line (spaces, tabs, '>')
    fence: str          # the fence characters (``` or ~~~~ …)
    lang: str           # language, lower-cased ("" when none)
    options: str        # the rest of the info string (title="…" …, or the {…} attributes)
    closed: bool = True  # always True: an unclosed fence is not rendered, so it is not returned
    lines: list[str] = field(default_factory=list)  # content lines, container indentation removed
    cols: list[int] = field(default_factory=list)   # characters removed from each content line

    @property
    def body_start(self) -> int:
        """0-based line of the first content line."""
        return self.start + 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + ("\n" if self.lines else "")


# --------------------------------------------------------------------------- lines

_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as editors, Git and Python-Markdown count them (a final newline adds an empty line)."""
    if "\r" not in text:
        return text.split("\n")
    return _BREAK.split(text)


# MkDocs' own front matter / meta-data rules (mkdocs/utils/meta.py, 1.6).
_YAML_RE = re.compile(r'^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n', re.UNICODE | re.DOTALL)
_META_RE = re.compile(r'^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)')
_META_MORE_RE = re.compile(r'^([ ]{4}|\t)(\s*)(?P<value>.*)')
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def page_body(text: str) -> tuple[str, int]:
    """(Markdown MkDocs renders, number of lines removed from the top): front matter and meta-data."""
    if text.startswith("\ufeff"):
        text = text[1:]
    doc = text.replace("\r\n", "\n").replace("\r", "\n")
    m = _YAML_RE.match(doc)
    if m:
        if "&" in m.group(1) or m.group(1).count("[") + m.group(1).count("{") > 50:
            from kb.core import yamldoc  # bounded first: aliases and nesting (MkDocs itself would hang)

            if any(not i.message.startswith(("duplicate key", "YAML syntax")) for i in yamldoc.parse(m.group(1))[1]):
                return doc, 0
        try:
            data = yaml.load(m.group(1), _YAML_LOADER)  # what MkDocs does (mkdocs.utils.meta.get_data)
        except Exception:  # MkDocs keeps the text as it is
            return doc, 0
        if isinstance(data, dict):
            rest = doc[m.end():].lstrip("\n")
            return rest, doc[: len(doc) - len(rest)].count("\n")
        return doc, 0
    lines = doc.split("\n")
    key = None
    eaten = 0
    while eaten < len(lines):
        line = lines[eaten]
        if line.strip() == "":
            eaten += 1
            break
        m1 = _META_RE.match(line)
        if m1:
            key = True
        elif not (_META_MORE_RE.match(line) and key):
            break
        eaten += 1
    rest = "\n".join(lines[eaten:])
    stripped = rest.lstrip("\n")
    return stripped, eaten + rest[: len(rest) - len(stripped)].count("\n")


_SPACES_ONLY = re.compile(r"(?<=\n) +\n")


def _normalize(body: str, tab: int) -> list[str]:
    """Python-Markdown's NormalizeWhitespace, keeping one entry per line (no trailing padding)."""
    if "\x02" in body or "\x03" in body:
        body = body.replace("\x02", "").replace("\x03", "")
    if "\t" in body:
        body = body.expandtabs(tab)
    if "  \n" in body or body.endswith(" ") or " \n" in body:
        body = _SPACES_ONLY.sub("\n", body + "\n")[:-1]
    return body.split("\n")


# --------------------------------------------------------------------------- settings

BUILTIN_EXTENSIONS = ["toc", "tables", "fenced_code"]  # MkDocs always adds these
# Extensions that only add inline patterns: left out of the parser used to settle fences
# (pymdownx.emoji alone takes most of a second to load its index).
INLINE_ONLY = {"pymdownx.emoji", "pymdownx.keys", "pymdownx.inlinehilite", "pymdownx.magiclink",
               "pymdownx.smartsymbols", "pymdownx.betterem", "pymdownx.caret", "pymdownx.mark",
               "pymdownx.tilde", "pymdownx.escapeall"}


def _resolve(value):
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "python-name":
        import importlib

        module, _, name = value[1].rpartition(".")
        try:
            return getattr(importlib.import_module(module), name)
        except Exception:
            return None
    if isinstance(value, dict):
        return {k: _resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    return value


_configured: dict = {}


def configure(extensions: list, configs: dict) -> None:
    """Use this Markdown configuration (the hook passes MkDocs' own) instead of reading mkdocs.yml."""
    value = (list(extensions), dict(configs))
    if _configured.get("value") == value:
        return
    _configured["value"] = value
    _settings.cache_clear()
    _engine.cache_clear()
    _scan_cached.cache_clear()
    _structure.cache_clear()


def markdown_config(config_file: Path = ROOT / "mkdocs.yml") -> tuple[list, dict]:
    """(extension names, their configs) as MkDocs passes them to Python-Markdown."""
    if "value" in _configured:
        return _configured["value"]
    from kb.core.settings import SettingsError, mkdocs_config

    try:  # the one settings reader (kb.core.settings); its problems are reported by kb.cli
        data = mkdocs_config(config_file)
    except SettingsError:
        data = {}
    names = list(BUILTIN_EXTENSIONS)
    configs: dict = {}
    for item in data.get("markdown_extensions") or []:
        if isinstance(item, dict):
            for name, cfg in item.items():
                if name not in names:
                    names.append(name)
                if isinstance(cfg, dict):
                    configs[name] = _resolve(cfg)
        elif isinstance(item, str) and item not in names:
            names.append(item)
    return names, configs


@dataclass(frozen=True)
class _Settings:
    tab: int
    use_pygments: bool
    fast: bool  # the ported scanner is exact for this configuration


@lru_cache(maxsize=1)
def _settings() -> _Settings:
    names, configs = markdown_config()
    sf = configs.get("pymdownx.superfences", {}) or {}
    hl = configs.get("pymdownx.highlight", {}) or {}
    fast = (
        "pymdownx.superfences" in names
        and not sf.get("custom_fences")
        and not sf.get("relaxed_headers")
        and not sf.get("preserve_tabs")
        and not sf.get("disable_indented_code_blocks")
        and "attr_list" in names
        and not any(n in names for n in ("pymdownx.quotes", "pymdownx.snippets", "pymdownx.critic"))
    )
    return _Settings(tab=4, use_pygments=bool(hl.get("use_pygments", True)), fast=fast)


# --------------------------------------------------------------------------- the superfences scanner (port)

_OPTS = (("hl_lines", RE_HL_LINES), ("linenums", RE_LINENUMS), ("title", None), ("title_mode", None))


def _highlight_attrs(inputs: dict, use_pygments: bool) -> dict:
    """superfences.highlight_validator: the inputs it cannot use (they make an options fence invalid)."""
    attrs = {}
    for k, v in inputs.items():
        matched = False
        if use_pygments:
            if k.startswith("data-"):
                attrs[k] = v
                continue
            for opt, validator in _OPTS:
                if k == opt and v is not True and (validator is None or validator.match(v) is not None):
                    matched = True
                    break
        if not matched:
            attrs[k] = v
    return attrs


def _header(m: re.Match, st: _Settings) -> tuple[bool, str]:
    """(accepted, language) for an opening line, like parse_options / handle_attrs."""
    if m.group("unrecognized"):
        return False, ""
    if m.group("attrs"):
        classes, values = [], {}
        for k, v in _get_attrs(m.group("attrs").replace("\t", " " * st.tab)):
            if k == "id":
                continue
            if k == ".":
                classes.append(v)
            else:
                values[k] = v
        lang = m.group("lang") or (classes.pop(0) if classes else "")
        try:
            _highlight_attrs(values, st.use_pygments)
        except Exception:  # the validator raised: superfences gives up on the fence
            return False, lang
        return True, lang
    values = {}
    if m.group("options"):
        for m2 in RE_OPTIONS.finditer(m.group("options")):
            values[m2.group("key")] = m2.group("value") if m2.group("value") is not None else m2.group("key")
    try:
        bad = _highlight_attrs(values, st.use_pygments)
    except Exception:
        return False, m.group("lang") or ""
    return (not bad), (m.group("lang") or "")


@dataclass
class _Cand:
    start: int
    end: int
    ws: str           # normalised prefix of the opening line
    lang: str
    fence: str
    info: str


def _scan(lines: list[str], st: _Settings) -> tuple[list[_Cand], list[bool], list[_Cand]]:
    """superfences' search_nested: the fences it stores, which lines it saw outside any fence,
    and the openings it gave up on (never closed, or a line less indented than the fence).

    Outside a fence only lines holding ``` or ~~~ can matter, so the scan jumps between them."""
    out: list[_Cand] = []
    broken: list[_Cand] = []
    n_lines = len(lines)
    spans = []
    resume = 0
    for count in [i for i, ln in enumerate(lines) if "```" in ln or "~~~" in ln]:
        if count < resume:
            continue
        line = lines[count]
        i = 0
        n = len(line)
        while i < n and line[i] in "> \t":
            i += 1
        if i >= n or line[i] not in "`~":
            continue
        m = RE_NESTED_FENCE_START.match(line, i)
        if m is None:
            continue
        ok, lang = _header(m, st)
        if not ok:
            continue
        fence = m.group("fence")
        ws = line[:i]
        vlen = len(ws)
        quote_level = ws.count(">")
        empty = 0
        info = (m.group("attrs") if m.group("attrs") else m.group("options") or "").strip()
        cand = _Cand(count, -1, ws, lang, fence, info)
        flen = len(fence)
        end = n_lines - 1
        closed = False
        for j in range(count + 1, n_lines):
            line = lines[j]
            if vlen == 0:  # parse_fence_line takes nothing when the fence is not indented
                pws, content = "", line
            elif line.startswith(ws):  # the usual case: it takes exactly the opening line's prefix
                pws, content = ws, line[vlen:]
            else:
                k = 0
                n = len(line)
                while k < n and k < vlen and line[k] in "> \t":
                    k += 1
                pws, content = line[:k], line[k:]
            q = pws.count(">") if pws else 0
            if quote_level:
                if q > quote_level:
                    end = j
                    break
                if content == "":
                    empty += 1
                elif len(pws) < vlen or (empty and q < quote_level):
                    end = j
                    break
                elif content.startswith(fence) and not content[flen:].strip(" \t"):
                    end, closed = j, True
                    break
                else:
                    empty = 0
            elif q == 0:
                if not (pws + content).strip():
                    empty += 1
                elif len(pws) != vlen and content != "":
                    end = j
                    break
                elif content.startswith(fence) and not content[flen:].strip(" \t"):
                    end, closed = j, True
                    break
                else:
                    empty = 0
            else:
                end = j
                break
        spans.append((count + 1, end))
        resume = end + 1
        if closed:
            cand.end = end
            out.append(cand)
        else:
            _give_up(cand, end, broken)
    idle = [True] * n_lines
    for a, b in spans:
        if b >= a:
            idle[a:b + 1] = [False] * (b - a + 1)
    for c in out:
        idle[c.start] = False
    return out, idle, broken


def _give_up(cand: _Cand, line: int, broken: list[_Cand]) -> None:
    broken.append(_Cand(cand.start, line, cand.ws, cand.lang, cand.fence, cand.info))
    return None


# --------------------------------------------------------------------------- when the block parser may undo a fence

# A reference / abbreviation definition without a value takes the next line as its value: at any
# indentation and quote depth (inside an admonition, list item or tab its line is indented).
_DEF_EMPTY = re.compile(r"^[ >]*(?:\[[^\[\]]*\]|\*\[[^\\]*?\][ ]?):[ ]*$")
_LEAD = re.compile(r"^[ >]*")
_HTML_START = re.compile(r"^[ ]{0,3}<(?:[A-Za-z!?/])")
_SINGLE_COMMENT = re.compile(r"^[ ]{0,3}<!--.*?-->[ ]*$")


# Container openers whose body (indented by 4) the block parser always takes in: the same
# expressions as the admonition, pymdownx.details and pymdownx.tabbed processors, on one line.
_ADMONITION = re.compile(r'!!! ?[\w\-]+(?: +[\w\-]+)*(?: +"(.*?)")? *$')
_DETAILS = re.compile(r'\?{3}(\+)? ?(?:(?:[\w\-]+(?: +[\w\-]+)*?)?(?: +"(.*?)")|(?:[\w\-]+(?: +[\w\-]+)*?)) *$')
_TAB = re.compile(r'={3}(\+|\+!|!\+|!)? +"(.*?)" *$')
_ITEM = re.compile(r'(?:[*+-]|\d+\.)[ ]+\S')
_OPENER = re.compile(r'(?:[*+-]|\d+\.)[ ]+\S|!!!|\?\?\?|===')
# A line that continues a list item's paragraph without starting any other block: text that
# begins with a letter, a digit not followed by ". ", bold, code, a link or a quote.
_CONTINUATION = re.compile(r'^[ ]*(?:[^\W\d_]|\d+(?![\d.]*\.[ ])|\*\*\S|_\S|`|\[|\(|"|\')')


def _risky(lines: list[str], cands: list[_Cand], html) -> list[int]:
    """Indexes of the fences whose fate the ported scanner alone cannot settle.

    A fence is settled without the parser when nothing can turn its placeholder into part of
    an indented code block: it is indented less than 4 columns and no line of its block is
    indented 4+; or it is indented 4 per level under a chain of container openers (admonition,
    details, tab, or a list item that starts a block), each one level up, with nothing but
    blank lines and deeper lines in between. Everything else goes to the real parser.
    """
    by_end = {c.end: c for c in cands}
    unknown_html = html is _UNKNOWN
    in_html = html if isinstance(html, list) else None

    def lead(j: int) -> tuple[str, int]:
        prev = by_end.get(j)
        if prev is not None:
            return prev.ws, prev.start
        line = lines[j]
        return line[: len(line) - len(line.lstrip(" >"))], j

    def raw_html_above(start: int) -> bool:
        """Raw HTML inside the blocks this fence's fate depends on (or around the fence)."""
        j = start
        blanks = 0
        while j >= 0:
            if in_html[j]:
                return True
            if lines[j] == "":
                blanks += 1
            elif lines[j][:1] not in (" ", ">", "") and blanks and not _OPENER.match(lines[j]):
                return False  # a top-level paragraph or heading after a blank line: nothing above counts
            j -= 1
        return False

    def item_at(j: int, width: int) -> bool:
        """Line j is a list item whose marker is at column `width`."""
        line = lines[j]
        return (j not in by_end and line.startswith(" " * width) and line[width:width + 1] != " "
                and _ITEM.match(line, width) is not None)

    def continuation(j: int, width: int) -> bool:
        """Line j is plain text inside the container (lazily continuing a paragraph)."""
        line = lines[j]
        return j not in by_end and line.startswith(" " * width) and _CONTINUATION.match(line) is not None

    def unsettled(c: _Cand) -> bool:
        r = len(c.ws)
        if ">" in c.ws or (r >= 4 and (r % 4 or unknown_html)):
            return True
        if in_html is not None and (r >= 4 or in_html[c.start]) and raw_html_above(c.start):
            return True
        if c.start > 0 and _DEF_EMPTY.match(lines[c.start - 1]):
            return True  # a reference / abbreviation definition would take it as its value
        limit = r + 4 if r >= 4 else 4
        j = c.start - 1
        while j >= 0 and lines[j] != "":  # the block that holds the placeholder
            ws, first = lead(j)
            if ">" in ws or len(ws) >= limit:
                return True
            if r >= 4 and len(ws) < r:
                break
            j = first - 1
        k = j
        inner = c.start  # the line the current opener has to take in
        while r > 0:  # the chain of openers
            while k >= 0:
                if lines[k] == "":
                    k -= 1
                    continue
                ws, first = lead(k)
                if ">" in ws:
                    return True
                if len(ws) < r:
                    break
                k = first - 1
            if k < 0:
                return True
            ws, first = lead(k)
            if first != k:
                return True
            if not (len(ws) == r - 4 and _OPENER.match(lines[k], len(ws))):
                # a lazy continuation line of a list item's first paragraph ("1. Do this\n   and that")
                j = k
                while j >= 0 and lines[j] != "" and not item_at(j, r - 4):
                    if not continuation(j, r - 4):
                        return True
                    j -= 1
                if j < 0 or lines[j] == "":
                    return True
                k = j
                ws, first = lead(k)
                if first != k or len(ws) != r - 4:
                    return True
            rest = lines[k][len(ws):]
            if _ITEM.match(rest):
                # only a list item in a block that starts with a list item is surely a list
                j = k - 1
                while j >= 0 and lines[j] != "":
                    if not (item_at(j, r - 4) or continuation(j, r - 4)):
                        return True
                    j -= 1
                if not item_at(j + 1, r - 4):
                    return True
                if inner != c.start and "" not in lines[k + 1:inner]:
                    return True  # an opener in the item's first paragraph is just text
            elif not (_ADMONITION.match(rest) or _DETAILS.match(rest) or _TAB.match(rest)):
                return True
            r -= 4
            inner = k
            k -= 1
        return False

    return [i for i, c in enumerate(cands) if unsettled(c)]


_UNKNOWN = object()
_TAG_START = re.compile(r"^[ ]*<(?P<close>/)?(?P<tag>[A-Za-z][A-Za-z0-9-]*)")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _html_blocks(lines: list[str], in_cand: list[bool]):
    """Lines that raw HTML may take (a line starting with a tag, through its closing tag), as a
    list of flags; None without HTML; _UNKNOWN when a tag or comment is not closed. It may mark
    too much (inline tags, tags inside containers): that only sends a fence to the real parser."""
    flags = [False] * len(lines)
    found = False
    for i in _lines_with(lines, "<"):
        if in_cand[i] or flags[i]:
            continue
        line = lines[i]
        stripped = line.lstrip(" ")
        if stripped.startswith("<!--"):
            if _SINGLE_COMMENT.match(line) or "-->" in stripped:
                continue  # a comment on one line (such as a snippet directive) is not a block of HTML
            return _UNKNOWN
        if not stripped.startswith("<") or stripped[1:2] in ("!", "?"):
            if stripped.startswith("<"):
                return _UNKNOWN
            continue
        m = _TAG_START.match(line)
        if m is None:
            continue
        tag = m.group("tag").lower()
        end = i
        if not (m.group("close") or tag in _VOID or line.rstrip().endswith("/>")):
            opener = re.compile(rf"<{tag}(?=[\s>/])", re.I)
            closer = re.compile(rf"</{tag}\s*>", re.I)
            depth = 0
            for end in range(i, len(lines)):
                depth += len(opener.findall(lines[end])) - len(closer.findall(lines[end]))
                if depth <= 0:
                    break
            else:
                return _UNKNOWN
        flags[i:end + 1] = [True] * (end + 1 - i)
        found = True
    return flags if found else None


def _lines_with(lines: list[str], needle: str) -> list[int]:
    return [i for i, line in enumerate(lines) if needle in line]


def _open_comment(lines: list[str], in_cand: list[bool]) -> bool:
    """True when an HTML comment spans lines outside fences (it may hide a fence)."""
    for j in _lines_with(lines, "<!--"):
        line = lines[j]
        if not in_cand[j] and "-->" not in line[line.rindex("<!--"):]:
            return True
    return False


_RESET_START = re.compile(r"^(?:[^\W\d_]|#|!|\?{3}|\[|\||`|\(|\"|')")


def _regions(lines: list[str], idle: list[bool], in_cand: list[bool], cands: list[_Cand],
             risky: list[int], html) -> list[tuple[int, int]]:
    """Line ranges to run through the real parser, each starting where no earlier block matters.

    A block that starts after a blank line with a letter, '#', '!!!', '???', '[', '|'… does not
    depend on the blocks before it; raw HTML (which may span blank lines) disables the cut.
    """
    n = len(lines)
    if html is not None:  # raw HTML may span blank lines and the cuts between regions: the whole page
        return [(0, n)]
    in_html = html if isinstance(html, list) else [False] * n
    spans = []
    for idx in risky:
        c = cands[idx]
        a = c.start - 1
        while a > 0:
            if (idle[a] and not in_cand[a] and not in_html[a] and lines[a - 1] == "" and _RESET_START.match(lines[a])
                    and a < c.start):
                break
            a -= 1
        a = max(a, 0)
        b = c.end + 1
        while b < n and (lines[b] != "" or in_cand[b] or not idle[b]):
            b += 1  # end on a blank line where superfences is not inside an (unclosed) fence
        spans.append((a, b))
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


@lru_cache(maxsize=1)
def _engine():
    """A Python-Markdown instance configured like the site, whose fences only record where they are."""
    import markdown

    names, configs = markdown_config()
    names = [n for n in names if n not in INLINE_ONLY]  # they cannot change which blocks are code
    md = markdown.Markdown(extensions=names, extension_configs={k: v for k, v in configs.items() if k in names})
    pre = md.preprocessors["fenced_code_block"]
    ext = pre.extension
    records: list = []

    def stub(*args, **kwargs):
        return ""

    for entry in ext.superfences:
        if entry.get("name") == "superfences":
            entry["formatter"] = stub
    original_store = pre._store

    def _store(source, code, start, end):
        original_store(source, code, start, end)
        key = md.htmlStash.get_placeholder(md.htmlStash.html_counter - 1)[1:-1]
        records.append((key, start, end - 1))

    pre._store = _store
    linear_reassemble(md)  # this engine only (kb.views); the site's own renderer is untouched
    return md, pre, ext, records


def linear_reassemble(md) -> None:
    """Give this Markdown instance's superfences preprocessor a reassemble in one pass.

    superfences' own reassemble (replace each stored fence's lines with its placeholder) rebuilds
    the whole line list once per fence: quadratic on a long page (a 5 MB page with 4,851 fences:
    6 s of check-rendered). The spans are disjoint, so replacing them in order of position gives
    the same list (tests/checks/test_rendered.py compares the HTML with the original's)."""
    pre = md.preprocessors["fenced_code_block"] if "fenced_code_block" in md.preprocessors else None
    if pre is None or not hasattr(pre, "reassemble"):
        return

    def reassemble(lines):
        out, pos = [], 0
        for fenced, start, end in sorted(pre.stack, key=lambda s: s[1]):
            out.extend(lines[pos:start])
            out.append(fenced)
            pos = end
        out.extend(lines[pos:])
        pre.stack.clear()
        return out

    pre.reassemble = reassemble


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
# Python-Markdown's inline HTML comment (HtmlInlineProcessor): closed, on one or more lines
_INLINE_COMMENT = re.compile(r"<!--(?:(?!<!--|-->).)*-->", re.DOTALL)
_PLACEHOLDER = re.compile("\x02(wzxhzdk:[0-9]+)\x03")


_PROSE = re.compile(r"^([ >]*(?:(?:[*+-]|\d+[.])[ ]+)*[^\W\d_])[^|<]*$")
# with raw HTML on the page, a line may also hold the '>' that ends a start tag begun on an earlier
# line (<div\n  class="x">), or quotes around it: such lines are kept whole
_PROSE_HTML = re.compile(r"^([ >]*(?:(?:[*+-]|\d+[.])[ ]+)*[^\W\d_])[^|<>\"']*$")


def _shorten(line: str, html: bool = True) -> str:
    """A prose line cut to its first letter: block parsing only looks at how lines start
    (and at '|' for tables, '<' for HTML, and, when the page has HTML (`html`), '>' and quotes,
    which may close a tag opened on an earlier line), and this makes the parse several times faster."""
    m = (_PROSE_HTML if html else _PROSE).match(line)
    return m.group(1) if m else line


def _rendered(region: list[str]) -> set[tuple[int, int]]:
    """(start, end) of the fences the real preprocessors + block parser keep, within `region`."""
    md, pre, ext, records = _engine()
    md.reset()
    records.clear()
    html = any("<" in line for line in region)
    lines = [_shorten(line, html) for line in region]
    if not any(lines):
        return set()
    for prep in md.preprocessors:
        lines = prep.run(lines)
    root = md.parser.parseDocument(lines).getroot()
    if "footnote" in md.treeprocessors:  # footnote bodies are parsed by a tree processor
        try:
            md.treeprocessors["footnote"].run(root)
        except Exception:  # pragma: no cover - defensive: never fail a scan on an exotic page
            pass
    # a placeholder is rendered when it is still in the tree (not reverted into an indented code
    # block, not swallowed by a reference or abbreviation definition) and not inside a comment
    present: set = set()
    hidden: set = set()
    elements = [root]
    for raw in md.htmlStash.rawHtmlBlocks:
        if isinstance(raw, str):
            if "\x02" in raw:
                present.update(_PLACEHOLDER.findall(raw))
                if "<!--" in raw:
                    for cm in _COMMENT.finditer(raw):
                        hidden.update(_PLACEHOLDER.findall(cm.group(0)))
        elif hasattr(raw, "iter"):  # md_in_html keeps `<div markdown>` as elements
            elements.append(raw)
    for el in (e for top in elements for e in top.iter()):
        for chunk in (el.text, el.tail):
            if chunk and "\x02" in chunk:
                present.update(_PLACEHOLDER.findall(chunk))
                if "<!--" in chunk and el.tag not in ("pre", "code"):  # inline HTML comments
                    for cm in _INLINE_COMMENT.finditer(chunk):
                        hidden.update(_PLACEHOLDER.findall(cm.group(0)))
    alive = {(s, e) for key, s, e in records
             if key in ext.stash.stash and key in present and key not in hidden}
    md.reset()
    return alive


# --------------------------------------------------------------------------- public API

def _body(text: str, front_matter: bool) -> tuple[str, int]:
    """(the Markdown the views read, lines removed from its top): page_body() for a page, else the
    text with line ends normalised and without a BOM."""
    if front_matter:
        return page_body(text)
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    return (body[1:] if body.startswith("\ufeff") else body), 0


@lru_cache(maxsize=4096)  # above the page count of a large site: the checks scan each page several times
def _scan_cached(text: str, front_matter: bool) -> tuple[tuple, tuple]:
    """((rendered fence, line offset)…), ((unclosed opening, line offset)…)"""
    st = _settings()
    body, offset = _body(text, front_matter)
    if not body.strip() or ("```" not in body and "~~~" not in body) or too_deep(body):
        return (), ()
    lines = _normalize(body, st.tab)
    cands, idle, broken = _scan(lines, st)
    gave_up = tuple((c, offset) for c in broken)
    if not cands:
        return (), gave_up
    if not st.fast:
        keep = _rendered(lines)
        return (tuple((c, offset) for c in cands if (c.start, c.end) in keep)
                + _extra(keep, cands, lines, offset)), gave_up
    in_cand = [False] * len(lines)
    for c in cands:
        in_cand[c.start:c.end + 1] = [True] * (c.end + 1 - c.start)
    html = _html_blocks(lines, in_cand) if "<" in body else None
    risky = _risky(lines, cands, html)
    if "<!--" in body and _open_comment(lines, in_cand):
        risky = list(range(len(cands)))
        regions = [(0, len(lines))]
    elif risky:
        regions = _regions(lines, idle, in_cand, cands, risky, html)
    if risky:
        # all regions in one parse: each starts after a blank line with a block that does not
        # depend on what precedes it, so they can follow each other
        joined: list[str] = []
        starts = []
        for a, b in regions:
            starts.append((len(joined), a))
            joined.extend(lines[a:b])
            joined.append("")
        keep_all: set = set()
        for s, e in _rendered(joined):
            base, a = starts[bisect.bisect_right(starts, (s, len(lines) + 1)) - 1]
            keep_all.add((s - base + a, e - base + a))
        risky_set = set(risky)
        cands = [c for i, c in enumerate(cands) if i not in risky_set or (c.start, c.end) in keep_all]
    return tuple((c, offset) for c in cands), gave_up


def _extra(keep, cands, lines, offset) -> tuple:  # pragma: no cover - only with exotic configurations
    """Fences the real parser found that the port did not (possible with custom fences)."""
    known = {(c.start, c.end) for c in cands}
    extra = []
    for s, e in sorted(keep - known):
        line = lines[s]
        i = len(line) - len(line.lstrip("> "))
        m = RE_NESTED_FENCE_START.match(line, i)
        lang = (m.group("lang") or "") if m else ""
        extra.append((_Cand(s, e, line[:i], lang, m.group("fence") if m else "```", ""), offset))
    return tuple(extra)


def _strip_prefix(raw: str, width: int, tab: int) -> tuple[str, int]:
    """Remove the container prefix (spaces, tabs, '>') worth `width` columns; (rest, chars removed)."""
    col = 0
    i = 0
    while i < len(raw) and col < width and raw[i] in " \t>":
        col = (col // tab + 1) * tab if raw[i] == "\t" else col + 1
        i += 1
    return raw[i:], i


def fences(text: str, *, front_matter: bool = True) -> list[Fence]:
    """Every fenced block the site renders, in order.

    `text` is a page's source as stored (front matter and meta-data are removed the way MkDocs
    does; pass front_matter=False for Markdown that has already lost them). A fence shown
    inside a longer fence is content; an unclosed or invalid fence is not a block.
    """
    found = _scan_cached(text, front_matter)[0]
    if not found:
        return []
    raw = split_lines(text[1:] if text.startswith("\ufeff") else text)
    tab = _settings().tab
    out = []
    for c, offset in found:
        s, e = c.start + offset, c.end + offset
        opening = raw[s]
        j = 0
        while j < len(opening) and opening[j] in " \t>":
            j += 1
        body, cols = [], []
        width = len(c.ws)
        for k in range(s + 1, e):
            line = raw[k]
            if line.startswith(c.ws):  # the usual case: the same spaces as the opening line
                body.append(line[width:])
                cols.append(width)
            else:
                rest, removed = _strip_prefix(line, width, tab)
                body.append(rest)
                cols.append(removed)
        out.append(Fence(s, e, opening[:j], c.fence, c.lang.lower(), c.info, True, body, cols))
    return out


def unclosed(text: str, *, front_matter: bool = True) -> list[Fence]:
    """Opening fences superfences gave up on: never closed, or a content line indented less than
    the fence. What follows them renders as plain text. `end` is the line where it gave up."""
    out = []
    for c, offset in _scan_cached(text, front_matter)[1]:
        out.append(Fence(c.start + offset, c.end + offset, c.ws, c.fence, c.lang.lower(), c.info, False))
    return out


def line_mask(text: str, *, front_matter: bool = True) -> list[bool]:
    """For each line of the text by the project's one line rule (kb.core.source: lines end at
    ``\\n`` after ``\\r\\n``/``\\r`` are normalised, nowhere else), a BOM not counted: True inside
    a rendered fenced block or an indented code block (as the renderer decides: indented_code()).
    Every check and the map's placeholder replacement use this."""
    from kb.core import source

    n = len(source.split_lines(text))
    mask = [False] * n
    for f in fences(text, front_matter=front_matter):
        mask[f.start:min(f.end, n - 1) + 1] = [True] * (min(f.end, n - 1) + 1 - f.start)
    for k in indented_code(text, front_matter=front_matter):
        if k < n:
            mask[k] = True
    return mask


_DEEP_LEAD = re.compile(r"^[ \t>]{101}", re.M)
MAX_NESTING = 100  # container levels (_DEEP_LEAD: more leading characters than this); Python-Markdown's recursive block parser fails at about 250 under MkDocs


def too_deep(text: str) -> tuple[int, int] | None:
    """(depth, 0-based line) when the page nests containers (lists, quotes, admonitions…) deeper than
    MAX_NESTING, else None. Such a page has no views (no fences, no code lines): check-snippets
    reports it, and the build names it instead of crashing with a RecursionError."""
    if _DEEP_LEAD.search(text) is None:
        return None  # provably shallow: a level takes at least one character of a line's lead
    depth, line = nesting(text)
    return (depth, line) if depth > MAX_NESTING else None


def nesting(text: str) -> tuple[int, int]:
    """(deepest container level, 0-based line): a level per 4 columns of indentation or '>'."""
    best, where = 0, 0
    for n, line in enumerate(split_lines(text)):
        lead = line[: len(line) - len(line.lstrip(" \t>"))]
        if not lead:
            continue
        level = lead.count(">") + len(lead.replace(">", "").expandtabs(4)) // 4
        if level > best:
            best, where = level, n
    return best, where


_CODE_TOKEN = re.compile(" kbzq([0-9]+)qzbk")
_NOT_TOKENIZED = re.compile(r"^(?:[*+-]|\d+[.)]|#|!!!|\?\?\?|===|\||<|\[[^\]]*\]:|\*\[|[-*_=~`]{3})")


# an ATX heading candidate: container prefix (quotes, list markers, indentation), then 1-6 '#'
_HEADING_CAND = re.compile(r"^(?P<prefix>(?:[ >]|[*+-] |\d+[.)] )*+)(?P<hashes>#{1,6})(?=[ \t]|$)")
_HEADING_TOKEN = re.compile("kbzh([0-9]+)hzbk")
# a setext underline: '=' or '-' only, after the container prefix (the renderer decides the rest)
_SETEXT_UNDERLINE = re.compile(r"^[ >]*[=-]+ *$")
_SETEXT_UNDERLINE_ANY = re.compile(r"^[ >]*[=-]+ *$", re.M)
_SETEXT_PREFIX = re.compile(r"^(?:[ >]|[*+-] |\d+[.)] )*+")


SETTLE = True  # _settled() + _open_regions(); False parses every page whole (tests compare the two)


# --------------------------------------------------------------------------- the views cache on disk

class _Disk:
    """_structure's results kept between runs in `.cache/views.json` (git-ignored) by the `kb` commands
    (kb.cli enables it; the library, the build and the tests' own calls never use it). Each of the
    checks of `kb check` and pre-commit reads every page's structure, and parsing it costs 10-20 ms a
    page; a page read before is a lookup.

    The key is the page's text and the front-matter flag, with everything the result depends on:
    mkdocs.yml (the Markdown settings), the renderer's packages, Python's version, SETTLE and every kb
    module's source.
    Any change to one of them parses every page again. Damaged or unwritable: no cache (kb.core.cache)."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.entries: dict | None = None
        self.new: dict = {}
        self.inputs = b""
        self.saver = 0  # the process whose exit saves the new entries (a forked check is another)

    def enable(self, path: Path) -> None:
        self.path, self.entries, self.new = path, None, {}

    def _load(self) -> dict:
        if self.entries is None:
            import hashlib
            import sys

            from kb.core import cache as jsoncache

            h = hashlib.sha256(f"kb views 1\0{sys.version_info[:2]}\0".encode())
            jsoncache.code_inputs(h, ("markdown", "pymdown-extensions", "mkdocs", "pyyaml"), ROOT / "mkdocs.yml")
            self.inputs = h.digest()
            self.entries = jsoncache.load(self.path, _stored_structure)
        return self.entries

    def get(self, text: str, front_matter: bool, parse):
        if self.path is None or _configured:  # off, or a configuration that is not mkdocs.yml's
            return parse(text, front_matter)
        import hashlib

        entries = self._load()
        key = hashlib.sha256(self.inputs + bytes([front_matter, SETTLE])
                             + text.encode("utf-8", "surrogatepass")).hexdigest()
        found = entries.get(key)
        if found is None:
            found = entries[key] = self.new[key] = parse(text, front_matter)
            if self.saver != os.getpid():
                import atexit

                atexit.register(self.save)
                self.saver = os.getpid()
        return found

    def save(self) -> None:
        """Add this process's new entries to the file as it is now (two checks save in turn); a file
        that is damaged by then is replaced, not carried on."""
        if self.path is None or not self.new:
            return
        from kb.core import cache as jsoncache

        current = jsoncache.load(self.path, _stored_structure)
        current.update(self.new)
        jsoncache.save(self.path, current)
        self.new = {}


def _stored_structure(value: list) -> tuple:
    """A stored entry back as _parse_structure returns it; TypeError (the whole file is then no cache)
    for anything else, so a damaged file never hands a check a line number that is not one."""
    codes, heads = value
    codes, heads = tuple(codes), tuple((line, level) for line, level in heads)
    if not all(type(n) is int for n in codes) or not all(type(a) is int and type(b) is int for a, b in heads):
        raise TypeError("not a page structure")
    return codes, heads


_disk = _Disk()


def use_disk_cache(path: Path) -> None:
    """Keep the page structures between runs in `path` (the `kb` commands: `.cache/views.json`)."""
    _disk.enable(path)


@lru_cache(maxsize=4096)
def _structure(text: str, front_matter: bool) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """(indented code lines, ((heading line, level)…)), 0-based lines of `text`, as the renderer
    decides them (_parse_structure), from the views cache on disk when the `kb` command enabled it."""
    return _disk.get(text, front_matter, _parse_structure)


def _parse_structure(text: str, front_matter: bool) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """(indented code lines, ((heading line, level)…)), 0-based lines of `text`, as the renderer
    decides them: one run of the real preprocessors and block parser over the page with markers."""
    body, offset = _body(text, front_matter)
    if ("    " not in body and "\t" not in body and "#" not in body and not _SETEXT_UNDERLINE_ANY.search(body)) \
            or too_deep(body):
        return (), ()  # no line indented 4 columns, no '#', no underline: nothing to find (conservative prefilter)
    st = _settings()
    lines = _normalize(body, st.tab)
    cands, idle, _ = _scan(lines, st)
    in_fence = [False] * len(lines)
    for c in cands:
        in_fence[c.start:c.end + 1] = [True] * (c.end + 1 - c.start)
    out = list(lines)
    marked: list[int] = []
    heading_lines: dict = {}
    setext_lines: set = set()
    html = "<" in body
    n_lines = len(lines)
    for i, line in enumerate(lines):
        if in_fence[i]:
            continue
        h = _HEADING_CAND.match(line) if "#" in line else None
        if h:
            out[i] = line[:h.end()] + f" kbzh{i}hzbk" + line[h.end():]
            marked.append(i)
            heading_lines[i] = h
            continue
        rest = line.lstrip(" >")
        if len(line) - len(rest) >= 4 and rest and not _NOT_TOKENIZED.match(rest):
            out[i] = line + f" kbzq{i}qzbk"
            marked.append(i)
        else:
            out[i] = _shorten(line, html)  # block parsing only looks at how a prose line starts
        if rest and i + 1 < n_lines and not in_fence[i + 1] and _setext_underline(lines[i + 1]) \
                and _setext_title(line):
            out[i] += f" kbzh{i}hzbk"  # a setext title: the token ends up in <h1>/<h2> if it is one
            setext_lines.add(i)
            if not marked or marked[-1] != i:
                marked.append(i)
    if not marked:
        return (), ()
    sure_heads: dict = {}
    if SETTLE and not html and st.fast:  # settle the plain cases without the parser; parse only the regions left
        sure_heads, sure_text = _settled(lines, in_fence, heading_lines, setext_lines)
        regions = _open_regions(lines, idle, in_fence, [i for i in marked if i not in sure_heads and i not in sure_text])
        work = []
        for a, b in regions:
            work.extend(out[a:b])
            work.append("")
        if not regions:
            return (), tuple((i + offset, level) for i, level in sorted(sure_heads.items()))
    else:
        work = out
    md, pre, ext, records = _engine()
    md.reset()
    try:
        work = list(work)
        for prep in md.preprocessors:
            work = prep.run(work)
        root = md.parser.parseDocument(work).getroot()
    except RecursionError:  # too_deep() keeps such pages away; never crash a check on one anyway
        md.reset()
        return (), ()
    elements = [root] + [raw for raw in md.htmlStash.rawHtmlBlocks if hasattr(raw, "iter")]
    code: set = set()
    heads: dict = {}
    for top in elements:
        for el in top.iter():
            tag = el.tag if isinstance(el.tag, str) else ""
            if tag == "pre":
                for chunk in el.itertext():
                    code.update(int(m.group(1)) for m in _CODE_TOKEN.finditer(chunk))
            elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
                for chunk in el.itertext():
                    for m in _HEADING_TOKEN.finditer(chunk):
                        heads[int(m.group(1))] = int(tag[1])
    md.reset()
    heads.update(sure_heads)
    return (tuple(sorted(i + offset for i in code)),
            tuple((i + offset, level) for i, level in sorted(heads.items())))


def _setext_title(line: str) -> bool:
    """A line that may be a setext title and takes a marker at its end without changing what it is:
    not a list marker alone, '#', an opener, a table row, HTML, a definition, or an underline itself."""
    content = line[_SETEXT_PREFIX.match(line).end():]
    return bool(content) and "|" not in line and not _NOT_TOKENIZED.match(content) \
        and not _SETEXT_UNDERLINE.match(line)


def _setext_underline(line: str) -> bool:
    """A line that may underline a setext heading, and that carries no code marker (which would hide
    the underline from the parser): '---'/'===' and longer never do, nor any line indented less than 4."""
    if not _SETEXT_UNDERLINE.match(line):
        return False
    rest = line.lstrip(" >")
    return len(line) - len(rest) < 4 or bool(_NOT_TOKENIZED.match(rest))


def _settled(lines: list[str], in_fence: list[bool], heading_lines: dict, setext_lines: set = frozenset()) -> tuple[dict, set]:
    """The candidates of a page without raw HTML whose fate is certain without the parser:
    ({line: level} of ATX headings at column 0 alone between blank lines, {lines that are text, not
    indented code}: every line of a block indented 4 to 7 spaces that follows, after blank lines,
    a one-line admonition, details or tab opener at column 0, or another such block (the container
    takes them in, one level deep: not code)."""
    n = len(lines)
    heads = {}
    for i, h in heading_lines.items():
        if not h.group("prefix") and (i == 0 or lines[i - 1] == "") and (i == n - 1 or lines[i + 1] == ""):
            heads[i] = len(h.group("hashes"))
    text: set = set()
    container = False
    i = 0
    while i < n:
        if lines[i] == "":
            i += 1
            continue
        j = i
        while j < n and lines[j] != "":
            j += 1
        block = lines[i:j]  # one block: lines i..j-1, blank lines (or the page's ends) around it
        if len(block) == 1 and not in_fence[i] and (_ADMONITION.match(block[0]) or _DETAILS.match(block[0]) or _TAB.match(block[0])):
            container = True
        elif container and not any(in_fence[i:j]) and all(4 <= len(ln) - len(ln.lstrip(" ")) <= 7 for ln in block):
            text.update(k for k in range(i, j) if k not in heading_lines and k not in setext_lines)
        else:
            container = False
        i = j
    return heads, text


def _open_regions(lines: list[str], idle: list[bool], in_fence: list[bool], open_lines: list[int]) -> list[tuple[int, int]]:
    """Line ranges holding the unsettled candidates, each from a line where no earlier block matters (as
    in _regions: after a blank line, a block starting at column 0 with a letter, '#', '!', '['...)
    to the next such line."""
    if not open_lines:
        return []
    n = len(lines)
    starts = [0] + [a for a in range(1, n) if lines[a - 1] == "" and idle[a] and not in_fence[a]
                    and _RESET_START.match(lines[a])]
    out: list[list[int]] = []
    for i in open_lines:
        k = bisect.bisect_right(starts, i) - 1
        a, b = starts[k], starts[k + 1] if k + 1 < len(starts) else n
        if out and out[-1][1] >= a:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def indented_code(text: str, *, front_matter: bool = True) -> list[int]:
    """0-based lines of the text that the renderer puts in an indented code block.

    Decided by Python-Markdown itself (the site's configuration): every line indented 4+ columns
    outside fences that does not open a block gets a marker at its end, the page goes through the
    real preprocessors and block parser, and the markers found inside ``<pre>`` are code lines.
    Nothing for a page nested deeper than MAX_NESTING (too_deep())."""
    return list(_structure(text, front_matter)[0])


@dataclass(frozen=True)
class Heading:
    line: int     # 0-based
    col: int      # 0-based, of the first '#' (setext: of the title's first character)
    level: int
    text: str     # everything after the hashes (setext: the title line), attributes included, stripped
    setext: bool = False  # underlined with '=' or '-' on the next line


def headings(text: str, *, front_matter: bool = True) -> list[Heading]:
    """The ATX and setext headings the renderer makes (in lists, quotes, admonitions, tabs, md_in_html
    too; not in code or raw HTML), found the same way as indented_code(): a marker after the hashes of
    each candidate line (at the end of a line above a '='/'-' underline), kept by the real block parser
    inside an <h1>-<h6> element."""
    raw = split_lines(text[1:] if text.startswith("\ufeff") else text)
    out = []
    for n, level in _structure(text, front_matter)[1]:
        line = raw[n].expandtabs(_settings().tab) if "\t" in raw[n] else raw[n]
        m = _HEADING_CAND.match(line)
        if m is not None:
            out.append(Heading(n, len(m.group("prefix")), level, line[m.end():].strip()))
            continue
        p = _SETEXT_PREFIX.match(line)  # always matches (possibly empty)
        out.append(Heading(n, p.end(), level, line[p.end():].strip(), setext=True))
    return out


# Python-Markdown's BACKTICK_RE: a run of backticks, then the shortest text up to the same run.
_INLINE_CODE = re.compile(r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)(`+)(.+?)(?<!`)\2(?!`))")


def inline_code_spans(line: str) -> list[tuple[int, int]]:
    """Column ranges [start, end) of inline code spans on one line. (A span never crosses a line,
    so on a text of several lines these are the offsets of every line's spans.)"""
    return [(m.start(2), m.end()) for m in _INLINE_CODE.finditer(line) if m.group(2)]
