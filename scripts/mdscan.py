"""Find fenced code blocks in Markdown the way pymdownx.superfences renders them.

Shared by the snippet checker (which YAML blocks to validate), the glossary
(where term references must not be replaced) and the translation checker
(comparing code blocks between languages).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# Opening fence: optional indentation / blockquote markers, 3+ backticks or tildes,
# then either {attrs} or an optional language followed by options (title="…").
_OPEN = re.compile(
    r"^(?P<ws>[> ]*)(?P<fence>~{3,}|`{3,})[ \t]*"
    r"(?:\{(?P<attrs>[^\n]*)\}|(?:\.?(?P<lang>[\w#.+-]*)[ \t]*)?(?P<options>.*?))[ \t]*$"
)
_CLOSE = re.compile(r"^(?P<ws>[> ]*)(?P<fence>~{3,}|`{3,})[ \t]*$")
_ATTR_LANG = re.compile(r"(?:^|\s)\.(?P<lang>[\w#.+-]+)")


@dataclass
class Fence:
    start: int          # 0-based line of the opening fence
    end: int            # 0-based line of the closing fence (last line of text when unclosed)
    indent: str         # text before the fence characters on the opening line
    fence: str          # the fence characters (``` or ~~~~ …)
    lang: str           # language, lower-cased ("" when none)
    options: str        # the rest of the info string (title="…" …)
    closed: bool = True
    lines: list[str] = field(default_factory=list)  # content lines, indentation removed

    @property
    def body_start(self) -> int:
        """0-based line of the first content line."""
        return self.start + 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + ("\n" if self.lines else "")


def fences(text: str) -> list[Fence]:
    """Every fenced block, in order. A fence shown inside a longer fence is content, not a block."""
    lines = text.splitlines()
    out: list[Fence] = []
    i = 0
    n = len(lines)
    while i < n:
        m = _OPEN.match(lines[i])
        if not m or (m.group("fence")[0] == "`" and "`" in (m.group("options") or "")):
            i += 1
            continue
        ws, fence = m.group("ws"), m.group("fence")
        lang = m.group("lang") or ""
        if m.group("attrs") is not None:
            am = _ATTR_LANG.search(m.group("attrs"))
            lang = am.group("lang") if am else ""
        body: list[str] = []
        j = i + 1
        closed = False
        while j < n:
            c = _CLOSE.match(lines[j])
            if c and c.group("fence")[0] == fence[0] and len(c.group("fence")) >= len(fence) \
                    and len(c.group("ws")) <= len(ws) + 3:
                closed = True
                break
            line = lines[j]
            body.append(line[len(ws):] if line.startswith(ws) else line.lstrip(" "))
            j += 1
        out.append(Fence(i, j if closed else n - 1, ws, fence, lang.lower(),
                         (m.group("options") or m.group("attrs") or "").strip(), closed, body))
        i = j + 1
    return out


def code_mask(text: str) -> list[bool]:
    """For each line: True when it belongs to a fenced block (fence lines included)."""
    mask = [False] * len(text.splitlines())
    for f in fences(text):
        for k in range(f.start, min(f.end, len(mask) - 1) + 1):
            mask[k] = True
    return mask


_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")


def inline_code_spans(line: str) -> list[tuple[int, int]]:
    """Column ranges [start, end) of inline code spans on one line."""
    return [(m.start(), m.end()) for m in _INLINE_CODE.finditer(line)]
