"""`kb check-terms`: one word for one thing in each language, from data/terminology.yml.

Each entry of the terminology file names a preferred term, the variants that must not be used
instead, and the language it applies to. The check reads the *prose* of that language:

- the pages under ``docs/<language>/``, as MkDocs renders them: front matter, fenced code blocks
  (found by kb.views.mdscan, exactly as superfences renders them), inline code, HTML comments and
  tags, URLs, link targets, attribute lists and the ids of ``[[term|label]]`` references are left
  out; link texts, headings, tab titles, admonition titles and footnotes are prose;
- the ``<language>`` fields of the data files (``data/*.yml``: the glossary's short texts and
  definitions, the map's names and explanations…), except ``aka`` lists, which exist to hold the
  other names a term goes by.

A variant matches as a whole word, in any case unless the entry says ``match_case``; a space in a
variant also matches a line break, so a variant split across two lines of a paragraph is found.
A variant inside one of the entry's ``allow`` phrases (a product name, a quoted English name) is
accepted. Every hit is reported at once as ``PATH:LINE:COL: use "preferred" instead of "variant"``
and the command exits 1; a broken terminology file is reported the same way, at its line.
"""
from __future__ import annotations

import argparse
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.core import datafile, source, yamldoc
from kb.core.problems import Problem, relpath, report
from kb.core.settings import DATA, DOCS
from kb.views import mdscan

TERMS_FILE = "terminology.yml"
SCHEMA = "terminology.schema.json"
SKIP_KEYS = frozenset({"aka"})  # alternative names kept on purpose (tooltips match them)
# Characters that continue a word or an identifier: a variant next to one of them is part of
# something longer (cluster-api, cluster.local, plugins/, runtime_x) and does not match.
_WORD_EDGE_BEFORE = r"(?<![\w\-./])"
_WORD_EDGE_AFTER = r"(?![\w\-]|\.\w|/)"


@dataclass(frozen=True)
class Rule:
    language: str
    preferred: str
    variant: str
    pattern: re.Pattern
    allow: tuple[re.Pattern, ...]
    note: str | None
    line: int  # 1-based line of the entry in the terminology file


def _phrase(text: str) -> str:
    """A phrase as a regular expression: words literal, any run of spaces as any whitespace."""
    return r"\s+".join(re.escape(word) for word in text.split())


def _compile(variant: str, match_case: bool) -> re.Pattern:
    flags = 0 if match_case else re.IGNORECASE
    return re.compile(_WORD_EDGE_BEFORE + _phrase(variant) + _WORD_EDGE_AFTER, flags)


def load(path: Path | None = None) -> tuple[list[Rule], list[Problem]]:
    """(rules, problems) from the terminology file; no rules when it has problems."""
    path = path or DATA / TERMS_FILE
    data, doc, problems = datafile.load(path, SCHEMA)
    if problems:
        return [], problems
    rules: list[Rule] = []
    seen: dict[tuple[str, str], str] = {}
    for i, entry in enumerate(data["terms"]):
        line = doc.mark(("terms", i))[0] + 1
        match_case = entry.get("match_case", False)
        allow = tuple(re.compile(_phrase(a), 0 if match_case else re.IGNORECASE) for a in entry.get("allow", []))
        for j, variant in enumerate(entry["reject"]):
            where = ("terms", i, "reject", j)
            key = (entry["language"], variant if match_case else variant.casefold())
            if key in seen:
                problems.append(datafile.entry_problem(
                    path, doc, where, f'"{variant}" is already rejected in favour of "{seen[key]}"'))
                continue
            seen[key] = entry["preferred"]
            pattern = _compile(variant, match_case)
            preferred_hits = [m for m in pattern.finditer(entry["preferred"])
                              if not _allowed(entry["preferred"], m, allow)]
            if preferred_hits:
                problems.append(datafile.entry_problem(
                    path, doc, where, f'the preferred term "{entry["preferred"]}" contains its own rejected variant "{variant}"'))
                continue
            rules.append(Rule(entry["language"], entry["preferred"], variant, pattern, allow,
                              entry.get("note"), line))
    return ([] if problems else rules), problems


def _allowed(text: str, m: re.Match, allow: tuple[re.Pattern, ...]) -> bool:
    for phrase in allow:
        for a in phrase.finditer(text, max(0, m.start() - 200), min(len(text), m.end() + 200)):
            if a.start() <= m.start() and m.end() <= a.end():
                return True
    return False


def _message(rule: Rule, found: str) -> str:
    preferred = rule.preferred
    if found[:1].isupper() and preferred[:1].islower():
        preferred = preferred[:1].upper() + preferred[1:]
    text = f'use "{preferred}" instead of "{" ".join(found.split())}"'
    return f"{text}; {rule.note}" if rule.note else text


# Prefilter: every word of a variant (each run of \w characters in it) stands in a matching text
# as a whole word, since the variant's word edges and the characters between its words are not
# word characters. So the distinct words of a text tell which rules can match it at all, and only
# those run their own expression over it. ASCII words are looked up by lower case, which is how
# the engine compares ASCII letters; any other word goes through the engine itself (one
# case-insensitive alternation of the rules' words, fullmatch). Rules with a word holding one of
# the four non-ASCII letters the engine folds onto ASCII ones (re's documentation: U+0130, U+0131,
# U+017F, U+212A), or with no word at all, always run.
# tests/checks/test_terms.py compares it with running every rule, on the docs and generated texts.
_WORD = re.compile(r"\w+")
_FOLDS_ONTO_ASCII = frozenset("\u0130\u0131\u017f\u212a")


@dataclass(frozen=True)
class _Prefilter:
    ascii_words: dict[str, int]          # lower-case word -> word id
    pattern: re.Pattern | None           # (?:(?P<w0>...)|(?P<w1>...)|...), case-insensitive
    lengths: frozenset[int]              # lengths of the words (the engine folds char by char)
    needs: tuple[frozenset[int], ...]    # per rule: the word ids it needs (empty: always runs)


@functools.lru_cache(maxsize=16)
def _prefilter(rules: tuple[Rule, ...]) -> _Prefilter:
    words: list[str] = []
    needs = []
    for rule in rules:
        runs = _WORD.findall(rule.variant)
        if not runs or any(not _FOLDS_ONTO_ASCII.isdisjoint(w) for w in runs):
            needs.append(frozenset())
            continue
        ids = set()
        for word in runs:
            for i, known in enumerate(words):  # words the engine takes for one another: one id
                if re.fullmatch(re.escape(known), word, re.IGNORECASE):
                    ids.add(i)
                    break
            else:
                ids.add(len(words))
                words.append(word)
        needs.append(frozenset(ids))
    ascii_words = {w.lower(): i for i, w in enumerate(words) if w.isascii()}
    pattern = None
    if words:
        pattern = re.compile("|".join(f"(?P<w{i}>{re.escape(w)})" for i, w in enumerate(words)), re.IGNORECASE)
    return _Prefilter(ascii_words, pattern, frozenset(len(w) for w in words), tuple(needs))


def _candidates(text: str, rules: list[Rule]) -> list[int]:
    """Indexes of the rules that can match somewhere in `text`, in rule order."""
    pre = _prefilter(tuple(rules))
    present = set()
    for token in set(_WORD.findall(text)):
        if token.isascii():
            word = pre.ascii_words.get(token.lower())
            if word is not None:
                present.add(word)
        elif len(token) in pre.lengths and pre.pattern is not None:
            m = pre.pattern.fullmatch(token)
            if m:
                present.add(int(m.lastgroup[1:]))
    return [n for n, need in enumerate(pre.needs) if need <= present]


def scan(text: str, rules: list[Rule], prefilter: bool = True) -> list[tuple[int, int, str]]:
    """(offset, rule index, message) for every variant in `text` (prose already masked).
    `prefilter=False` runs every rule's expression (the reference the prefilter is tested against)."""
    found = []
    for n in (_candidates(text, rules) if prefilter else range(len(rules))):
        rule = rules[n]
        for m in rule.pattern.finditer(text):
            if not _allowed(text, m, rule.allow):
                found.append((m.start(), m.end(), n, m.group(0)))
    # One report per place: a longer variant ("runtime de contenedores") hides a shorter one
    # inside it ("runtime").
    found.sort(key=lambda h: (h[0], -h[1]))
    hits, covered_to = [], -1
    for start, end, n, text_found in found:
        if end <= covered_to:
            continue
        covered_to = max(covered_to, end)
        hits.append((start, n, _message(rules[n], text_found)))
    return hits


# --------------------------------------------------------------------------- Markdown prose

# What is not prose on a line that is outside fenced code: each match becomes spaces.
_NOT_PROSE = re.compile(
    r"""
      <!--.*?-->                              # an HTML comment on one line
    | <(?:https?|ftp|mailto):[^>\s]*>          # an autolink
    | </?[A-Za-z][^>]*>                        # an HTML tag (its attributes are not prose)
    | \]\([^)\s]*(?:\s+"[^"]*")?\)             # a link or image target ](url "title")
    | ^\s{0,3}\[[^\]]+\]:\s*\S+.*$             # a reference definition [id]: url "title"
    | \b(?:https?|ftp)://[^\s)>\]]+            # a bare URL
    | \{\s*[:#.][^}]*\}                        # an attribute list { #id .class key=value }
    | \[\[[^\]|]+(?=\||\]\])                   # the id of a [[term]] or [[term|label]] reference
    | ^\s*(?:!!!|\?\?\?\+?)\s+[\w-]+           # an admonition's type (its title stays prose)
    """,
    re.VERBOSE | re.MULTILINE,
)


def _blank(s: str) -> str:
    return re.sub(r"[^\n]", " ", s)


def markdown_prose(text: str) -> str:
    """The page with everything that is not prose replaced by spaces (same lines, same columns)."""
    raw = text[1:] if text.startswith("\ufeff") else text
    lines = mdscan.split_lines(raw)
    code = mdscan.line_mask(text)
    _, skipped = mdscan.page_body(text)  # front matter / meta-data lines at the top
    out = []
    for n, line in enumerate(lines):
        if n < skipped or (n < len(code) and code[n]):
            out.append(" " * len(line))
            continue
        out.append(line)
    masked = "\n".join(out)
    masked = re.sub(r"<!--.*?-->", lambda m: _blank(m.group(0)), masked, flags=re.DOTALL)  # multi-line comments
    # Inline code and quotations, per block (Python-Markdown pairs backticks within a paragraph,
    # across its line breaks): blocks end at blank lines.
    blocks = re.split(r"(\n[ \t]*\n)", masked)
    masked = "".join(_QUOTED.sub(lambda m: _blank(m.group(0)), _inline_code(b)) for b in blocks)
    return _NOT_PROSE.sub(lambda m: _blank(m.group(0)), masked)


# Python-Markdown's BACKTICK_RE (kb.views.mdscan), applied to a whole block.
_CODE_SPAN = re.compile(r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)(`+)(.+?)(?<!`)\2(?!`))", re.DOTALL)
# Quotations are the source's words, not ours: "…", “…”, «…», and an English term given once
# in parentheses and italics, (*container runtime*).
_QUOTED = re.compile(r'"[^"\n]*(?:\n[^"\n]*){0,3}"|“[^”]*”|«[^»]*»|\(\*[^*()]+\*\)')


def _inline_code(block: str) -> str:
    return _CODE_SPAN.sub(lambda m: _blank(m.group(0)) if m.group(2) else m.group(0), block)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    import bisect

    n = bisect.bisect_right(starts, offset) - 1
    return n + 1, offset - starts[n] + 1


def check_markdown(path: Path, rules: list[Rule]) -> list[Problem]:
    text = source.read_text(path)  # kb.core.source: unreadable files are reported by check-snippets
    prose = markdown_prose(text)
    starts = _line_starts(prose)
    rel = relpath(path)
    return [Problem(rel, *_position(starts, offset), message) for offset, _, message in scan(prose, rules)]


# --------------------------------------------------------------------------- data files

def _scalars(node: yaml.Node, language: str, inside: bool = False):
    """Scalar nodes holding text of `language`: values of `language:` keys, outside SKIP_KEYS."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name in SKIP_KEYS:
                continue
            yield from _scalars(value, language, inside or name == language)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item, language, inside)
    elif isinstance(node, yaml.ScalarNode) and inside and node.tag.endswith(":str"):
        yield node


def _source_prose(segment: str) -> str:
    """A scalar's source text with inline code, quotations, URLs and [[term]] ids blanked."""
    return _NOT_PROSE.sub(lambda m: _blank(m.group(0)), _QUOTED.sub(lambda m: _blank(m.group(0)), _inline_code(segment)))


def check_data(path: Path, rules_by_language: dict[str, list[Rule]]) -> list[Problem]:
    text = source.read_text(path)
    docs, issues = yamldoc.parse(text)
    if issues:  # the data file's own check reports it
        return []
    starts = _line_starts(text)
    rel = relpath(path)
    problems = []
    for doc in docs:
        for language, rules in rules_by_language.items():
            for node in _scalars(doc.node, language):
                begin = starts[node.start_mark.line] + node.start_mark.column
                end = starts[node.end_mark.line] + node.end_mark.column if node.end_mark.line < len(starts) else len(text)
                segment = _source_prose(text[begin:end])
                for offset, _, message in scan(segment, rules):
                    problems.append(Problem(rel, *_position(starts, begin + offset), message))
    return problems


# --------------------------------------------------------------------------- the whole tree

def data_files(data: Path) -> list[Path]:
    return sorted(p for p in data.glob("*.yml") if p.name != TERMS_FILE)


def check(docs: Path = DOCS, data: Path = DATA) -> list[Problem]:
    """Every problem: the terminology file's, then every variant in the pages and data files."""
    rules, problems = load(data / TERMS_FILE)
    if problems:
        return problems
    by_language: dict[str, list[Rule]] = {}
    for rule in rules:
        by_language.setdefault(rule.language, []).append(rule)
    for language, language_rules in by_language.items():
        for page in source.markdown_files(docs / language)[0]:
            problems += check_markdown(page, language_rules)
    for path in data_files(data):
        problems += check_data(path, by_language)
    return sorted(set(problems))


def cli(argv: list[str]) -> int:
    """`kb check-terms`: rejected variants of data/terminology.yml in the pages and data files."""
    ap = argparse.ArgumentParser(prog="kb check-terms", description=cli.__doc__)
    ap.add_argument("--docs", type=Path, default=DOCS, help="docs folder (default: docs/)")
    ap.add_argument("--data", type=Path, default=DATA, help="data folder (default: data/)")
    args = ap.parse_args(argv)
    problems = check(args.docs, args.data)
    report(problems)
    return 1 if problems else 0


