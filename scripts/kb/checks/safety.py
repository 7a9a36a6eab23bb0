"""Content safety: nothing in a page may run code in a reader's browser or leak a credential.

Readers open the offline copy of the site on their own machines, so a pull request must not
be able to slip script into a page. Checked in every Markdown page (and in the Markdown
strings of the data files, which become pages):

- raw HTML, read with a real tokenizer (``html.parser``) outside fenced code and inline code:
  only harmless elements are allowed (``ALLOWED_TAGS``: ``<abbr>``, ``<kbd>``, ``<figure>``,
  ``<div class="grid cards" markdown>``, ``<span>``, ``<br>``…); ``<script>``, ``<iframe>``,
  ``<object>``, ``<embed>`` and anything else are errors, and so are inline event handlers
  (``onclick=``…) and ``javascript:``/``data:``/``vbscript:`` URLs;
- the same URLs in Markdown links, images, reference definitions and attribute lists
  (``{ onclick="…" }`` would become an attribute too);
- secrets anywhere in a page, code blocks included: private keys, bearer tokens and JWTs,
  kubeconfig ``client-key-data``/``token`` values, well-known API token formats, and values
  of password-like keys in Secret manifests (``data`` is base64-decoded first) unless they are
  obvious placeholders (``<password>``, ``changeme``, ``${TOKEN}``, ``xxxx``…);
- front-matter values the theme prints (``title``, ``description``…): plain text on one line
  (kb.checks.frontmatter).

Every problem is reported at its file, line and column; the strict build fails on any.
"""
from __future__ import annotations

import argparse
import base64
import binascii
import html
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import yaml

from kb.checks import frontmatter, secrets
from kb.core import source, yamldoc
from kb.core.problems import Problem, relpath, report
from kb.core.settings import DATA, DOCS
from kb.views import mdscan

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "u", "ul", "var", "wbr",
}
BLOCKED = {
    "script": "raw <script> runs code in the reader's browser",
    "iframe": "<iframe> embeds another site into the page",
    "object": "<object> embeds active content",
    "embed": "<embed> embeds active content",
}
URL_ATTRS = {"href", "src", "srcset", "action", "formaction", "poster", "data", "cite", "background",
             "xlink:href", "longdesc", "usemap"}
_BAD_SCHEME = re.compile(r"^(javascript|data|vbscript):", re.I)

# Markdown constructs that carry URLs or attributes.
_INLINE_URL = re.compile(r"\]\(\s*<?(?P<url>[^\s)>]*)")
_REF_DEF = re.compile(r"^[ \t>]{0,3}\[[^\]\n]+\]:[ \t]*<?(?P<url>\S+?)>?(?:[ \t]|$)", re.M)
_ATTR_LIST = re.compile(r"\{:?(?P<body>[^{}\n]*)\}")
_ATTR_HANDLER = re.compile(r"(?:^|\s)(?P<name>on[a-z]+)\s*=", re.I)
_ATTR_URL = re.compile(r"(?:^|\s)(?P<name>href|src)\s*=\s*['\"]?\s*(?P<url>[^'\"\s}]+)", re.I)
_AUTOLINK = re.compile(r"<(?:(?:https?|ftp|mailto):[^<>\s]*|[^<>\s@]+@[^<>\s@]+\.[a-z]{2,})>", re.I)

# Secrets.
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_KEY_BODY = re.compile(r"^[ \t>]*[A-Za-z0-9+/=]{24,}[ \t]*$")
_BEARER = re.compile(r"\b[Bb]earer[ \t]+(?P<value>[A-Za-z0-9\-._~+/]{16,}=*)")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_KUBECONFIG = re.compile(r"^[ \t>-]*(?P<key>client-key-data|token|id-token|refresh-token)[ \t]*:[ \t]*"
                         r"(?P<value>[^\s#]+)", re.M)
_TOKENS = [
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b"), "a GitLab token"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"), "a Slack token"),
]
_SECRET_KEY_NAME = re.compile(r"pass|pwd|token|secret|key|cred|auth", re.I)
_PLACEHOLDER_WORDS = (
    "changeme", "change-me", "change_me", "replace", "example", "placeholder", "redacted", "dummy",
    "sample", "fake", "your", "password", "passw0rd", "p@ssw0rd", "secret", "s3cr3t", "todo", "test",
    "demo", "admin", "not-a-real", "notreal", "xxx",
)


def is_placeholder(value: str) -> bool:
    """True for values nobody would mistake for a real secret."""
    v = value.strip().strip("'\"")
    if len(v) < 6:
        return True
    if re.search(r"[<>{}$%]|\.\.\.|…|\*\*\*", v):
        return True  # <password>, ${TOKEN}, $(cat …), {{ .Values.x }}, %PASS%, ..., ***
    low = v.lower()
    if any(word in low for word in _PLACEHOLDER_WORDS):
        return True
    return len(set(low)) <= 3  # xxxxxx, 000000, abab…


# --- raw HTML and URLs ---------------------------------------------------------------------------

class _Tokenizer(HTMLParser):
    def __init__(self, emit):
        super().__init__(convert_charrefs=True)
        self.emit = emit  # emit(line (1-based), col (0-based), message)

    def handle_starttag(self, tag, attrs):
        line, col = self.getpos()
        if tag in BLOCKED:
            self.emit(line, col, f"{BLOCKED[tag]}: not allowed in pages")
        elif tag not in ALLOWED_TAGS:
            self.emit(line, col, f"HTML element <{tag}> is not allowed in pages "
                      f"(if it is meant as text, put it in `code` or write &lt;{tag}&gt;)")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.emit(line, col, f"inline event handler {name}= on <{tag}> runs code: not allowed")
            elif value and (name in URL_ATTRS or name == "style") and _bad_url(value, anywhere=name == "style"):
                self.emit(line, col, f"{_scheme(value)} URL in {name}= of <{tag}>: not allowed")

    handle_startendtag = handle_starttag


def _bad_url(url: str, anywhere: bool = False) -> bool:
    clean = re.sub(r"[\x00-\x20]", "", html.unescape(url))
    if anywhere:
        return bool(re.search(r"(javascript|vbscript):|url\(['\"]?data:", clean, re.I))
    return bool(_BAD_SCHEME.match(clean))


def _scheme(url: str) -> str:
    clean = re.sub(r"[\x00-\x20]", "", html.unescape(url)).lower()
    for s in ("javascript:", "data:", "vbscript:"):
        if s in clean:
            return s
    return "unsafe"


@lru_cache(maxsize=16)  # check-links reads a page's view for its links and again for its anchors
def prose_view(text: str, *, page: bool = True) -> str:
    """The text with fenced code, inline code and, for a page, its front matter or meta-data
    blanked: what is left is prose, links and raw HTML, at their own lines and columns.
    (Also what scripts/kb/checks/links.py reads links from.)"""
    lines = source.normalize(text).split("\n")  # the one line rule (kb.core.source)
    mask = mdscan.line_mask(text, front_matter=page)  # fenced and indented code, from the renderer
    skip = mdscan.page_body(text)[1] if page else 0
    view = "\n".join(" " * len(line) if n < skip or (n < len(mask) and mask[n]) else line
                     for n, line in enumerate(lines))
    if "`" not in view:
        return view
    # inline code spans never cross a line, so one search over the whole view finds the spans of
    # every line (a blanked line has none): one regex pass instead of one per line
    parts, pos = [], 0
    for a, b in mdscan.inline_code_spans(view):
        parts += [view[pos:a], " " * (b - a)]
        pos = b
    parts.append(view[pos:])
    return "".join(parts)


def markup_view(text: str, *, page: bool = True) -> str:
    """The text as the HTML tokenizer should see it: prose_view() with autolinks blanked too,
    so that only raw HTML written in the page is read as HTML."""
    return _AUTOLINK.sub(lambda m: " " * len(m.group(0)), prose_view(text, page=page))


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return line, col


def markup_problems(text: str, rel: str, *, page: bool = True, line0: int = 0) -> list[Problem]:
    """Unsafe HTML and URLs in Markdown text (a whole page, or a Markdown string of a data file
    with page=False); `line0` is added to every line (0-based offset)."""
    view = markup_view(text, page=page)
    problems: list[Problem] = []

    def emit(line, col, message):
        problems.append(Problem(rel, line0 + line, col + 1, message))

    parser = _Tokenizer(emit)
    try:
        parser.feed(view)
        parser.close()
    except Exception as exc:  # html.parser is lenient; never let odd input crash the check
        emit(1, 0, f"cannot read the HTML in this text: {exc}")
    for rx in (_INLINE_URL, _REF_DEF):
        for m in rx.finditer(view):
            if _bad_url(m.group("url")):
                line, col = _line_col(view, m.start("url"))
                emit(line + 1, col, f"{_scheme(m.group('url'))} URL in a Markdown link or image: not allowed")
    for m in _ATTR_LIST.finditer(view):
        body = m.group("body")
        for h in _ATTR_HANDLER.finditer(body):
            line, col = _line_col(view, m.start("body") + h.start("name"))
            emit(line + 1, col, f"inline event handler {h.group('name')}= in an attribute list runs code: not allowed")
        for u in _ATTR_URL.finditer(body):
            if _bad_url(u.group("url")):
                line, col = _line_col(view, m.start("body") + u.start("name"))
                emit(line + 1, col, f"{_scheme(u.group('url'))} URL in an attribute list: not allowed")
    return problems


# --- secrets -------------------------------------------------------------------------------------

def secret_problems(text: str, rel: str) -> list[Problem]:
    """Secrets anywhere in a file, front matter and code included: the repository is public too."""
    problems: list[Problem] = []
    lines = text.split("\n")

    def at(offset: int, message: str):
        line, col = _line_col(text, offset)
        problems.append(Problem(rel, line + 1, col + 1, message))

    for m in _PRIVATE_KEY.finditer(text) if "PRIVATE KEY" in text else ():  # `in` first: linear, and fast on 5 MB
        first = text.count("\n", 0, m.start()) + 1
        body = []
        for ln in lines[first:first + 60]:
            if "-----END" in ln:
                break
            body.append(ln)
        if any(_KEY_BODY.match(b) and not is_placeholder(b) for b in body):
            at(m.start(), "private key in the page: replace its body with a placeholder such as '...'")
    for m in _BEARER.finditer(text) if "earer" in text else ():
        # a token has digits and letters ("Bearer service-account-credentials" is prose)
        if not is_placeholder(m.group("value")) and re.search(r"\d", m.group("value")) and re.search(r"[A-Za-z]", m.group("value")):
            at(m.start("value"), "bearer token in the page: use a placeholder such as <token> or $TOKEN")
    for m in _JWT.finditer(text) if "eyJ" in text else ():
        at(m.start(), "JSON Web Token in the page: use a placeholder such as <token>")
    for m in _KUBECONFIG.finditer(text):
        value = m.group("value")
        if _JWT.match(value):
            continue  # reported above
        if len(value) >= 16 and not is_placeholder(value):
            at(m.start("value"), f"{m.group('key')} value looks real: use a placeholder such as <{m.group('key')}>")
    for (rx, what), needles in zip(_TOKENS, (("AKIA",), ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), ("glpat-",),
                                              ("xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"))):
        for m in rx.finditer(text) if any(n in text for n in needles) else ():
            if not is_placeholder(m.group(0)):
                at(m.start(), f"{what} in the page: use a placeholder")
    manifests = []
    for f in mdscan.fences(text):
        if f.lang in ("yaml", "yml"):
            manifests += _secret_manifest_problems(f, rel)
    seen = {p.line for p in manifests}  # one report per line: the Secret's is the more precise
    problems = [p for p in problems if p.line not in seen] + manifests
    seen |= {p.line for p in problems}
    return problems + [p for p in secrets.scan(text, rel) if p.line not in seen]  # the other shapes (issue 11)


def _decoded(value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return value


def _secret_manifest_problems(fence: mdscan.Fence, rel: str) -> list[Problem]:
    docs, _ = yamldoc.parse(fence.text)
    problems = []
    for doc in docs:
        data = doc.data
        if not isinstance(data, dict) or data.get("kind") != "Secret":
            continue
        name = (data.get("metadata") or {}).get("name", "?") if isinstance(data.get("metadata"), dict) else "?"
        for section in ("data", "stringData"):
            entries = data.get(section)
            if not isinstance(entries, dict):
                continue
            for key, value in entries.items():
                if not isinstance(value, str) or not _SECRET_KEY_NAME.search(str(key)):
                    continue
                plain = _decoded(value) if section == "data" else value
                if is_placeholder(plain):
                    continue
                line, col = doc.mark((section, key))
                problems.append(Problem(rel, fence.body_start + line + 1, len(fence.indent) + col + 1,
                                        f"{section}.{key} of Secret '{name}' looks like a real value: use an "
                                        f"obvious placeholder such as <password> or changeme"))
    return problems


# --- files ---------------------------------------------------------------------------------------

def check_markdown_file(path: Path) -> list[Problem]:
    rel = relpath(path)
    src = source.read(path)
    if src.problems:
        return src.problems
    text = src.text
    return markup_problems(text, rel) + secret_problems(text, rel) + frontmatter.problems(text, rel)


def check_data_file(path: Path) -> list[Problem]:
    """Markdown strings in a data file (glossary definitions, mapping notes) become pages too."""
    rel = relpath(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    docs, _ = yamldoc.parse(text)  # syntax problems are the data checks' to report
    problems: list[Problem] = []
    stack = [d.node for d in docs]
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and any(c in node.value for c in "<]{:"):
            raw = " " * node.start_mark.column + text[node.start_mark.index:node.end_mark.index]
            problems += markup_problems(raw, rel, page=False, line0=node.start_mark.line)
    problems += secret_problems(text, rel)
    return problems


def check(docs: Path = DOCS, data: Path = DATA) -> list[Problem]:
    problems = []
    for path in source.markdown_files(docs)[0]:  # kb.core.source: folders and dangling symlinks are skipped
        problems += check_markdown_file(path)
    for path in sorted(data.glob("*.yml")) + sorted(data.glob("*.yaml")):
        problems += check_data_file(path)
    return sorted(set(problems))


def cli(argv: list[str]) -> int:
    """`kb check-safety [PATH ...]`: raw HTML, script URLs and secrets in pages and data files."""
    ap = argparse.ArgumentParser(prog="kb check-safety", description=cli.__doc__)
    ap.add_argument("paths", nargs="*", help="Markdown or YAML files or folders (default: docs/ and data/)")
    args = ap.parse_args(argv)
    if not args.paths:
        problems = check()
    else:
        problems = []
        for p in args.paths:
            path = Path(p)
            if not path.exists():
                print(f"kb check-safety: no such file or folder: {p}")
                return 2
            files = sorted(f for f in path.rglob("*") if f.suffix in (".md", ".yml", ".yaml")) if path.is_dir() else [path]
            for f in files:
                problems += check_markdown_file(f) if f.suffix == ".md" else check_data_file(f)
    report(problems)
    return 1 if problems else 0
