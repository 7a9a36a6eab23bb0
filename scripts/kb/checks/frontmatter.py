"""Front-matter values the theme prints: plain text only, and escaped whatever they hold.

Material's templates print ``title``, ``description``, ``author`` and the navigation's
``subtitle``/``status`` without escaping (MkDocs' Jinja environment has no autoescape): a
``title: </title><script>…`` would land in ``<head>`` as markup. Two walls:

- ``problems()``: in the Markdown source, each printed key must be one line of plain text (no
  ``<``, ``>``, control characters), reported at the key's ``PATH:LINE:COL`` by ``kb check-safety``
  (kb.checks.safety), in ``make check`` and in every build's source checks;
- ``escape()``: during the build (scripts/hooks/frontmatter.py), every printed value is HTML-escaped
  before the theme sees it, so even a value that got past the check reaches the page as text.
"""
from __future__ import annotations

import re

from markupsafe import Markup
from markupsafe import escape as _escape

from kb.core import source
from kb.core.problems import Problem

PRINTED = ("title", "description", "author", "subtitle", "status")
_BAD = re.compile(r"[<>\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*:[ \t]*(?P<value>.*)$")


def problems(text: str, rel: str) -> list[Problem]:
    found = []
    lines, first = source.front_matter(text).lines, 1  # the one reader (kb.core.source); YAML from line 2
    i = 0
    while i < len(lines):
        m = _KEY.match(lines[i])
        i += 1
        if not m or m.group("key") not in PRINTED:
            continue
        value, start = m.group("value"), i  # 1-based line of the key is first + start
        while i < len(lines) and (lines[i].startswith((" ", "\t")) or not lines[i].strip()):
            value += "\n" + lines[i]
            i += 1
        bad = _BAD.search(value)
        if bad:
            ch = bad.group(0)
            what = f"'{ch}'" if ch in "<>" else f"control character U+{ord(ch):04X}"
            found.append(Problem(rel, first + start, 1,
                                 f"front matter {m.group('key')}: {what} is not allowed: the theme prints this value "
                                 f"in the page's <head> and header, so it must be plain text"))
    return found


def escape(meta: dict) -> dict:
    """`meta` with every printed string value HTML-escaped (idempotent)."""
    for key in PRINTED:
        value = meta.get(key)
        if isinstance(value, str) and not isinstance(value, Markup) and re.search(r"[<>\"&']", value):
            meta[key] = _escape(value)
        elif value is not None and not isinstance(value, (str, int, float)):
            meta[key] = _escape(str(value))
    return meta
