"""A Content-Security-Policy on every page: the second wall behind the content-safety gate.

``<meta http-equiv="Content-Security-Policy">`` is put first in each page's ``<head>`` (a meta
policy applies to what comes after it). Scripts run only from the site itself and, inline, only
the theme's own scripts (kb.checks.rendered.THEME_SCRIPTS, outside the page content), each
allowed by its SHA-256, computed here for this page at build time: a script or an inline event
handler that got into the content is refused by the browser. Also: no plugins (``object-src
'none'``), no ``<base>``, no form submissions, styles and images from the site only (``data:``
images: the theme's icons are CSS masks with data: URLs; style attributes only by hash, the
tables' ``text-align``), connections, workers and frames from the site only.

Offline (``file://``) the search worker runs in an iframe (the pinned iframe-worker shim, see
kb.deliver.offline) that writes one inline script of its own into that frame; its text names
the worker's absolute file:// URL, so its hash cannot be known at build time: the offline
bundle installs the shim with that one name replaced by a constant (``shim_for_csp()``), and its
hash (``SHIM_SCRIPT``) is allowed on every offline page.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import re

from kb.checks import rendered

_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
_STYLE_ATTR = re.compile(r"""\sstyle=(?:"(?P<d>[^"]*)"|'(?P<s>[^']*)')""", re.I)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.I)
_CHARSET = re.compile(r"<meta\s+charset=[\"']?utf-8[\"']?\s*/?>", re.I)


@functools.lru_cache(maxsize=4096)  # the theme's scripts repeat from page to page (one per depth)
def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def theme_scripts(chrome: str) -> list[str]:
    """Text of the theme's inline scripts that run, in the theme's part of a page."""
    out = []
    at = chrome.find("<script")
    while at >= 0:  # str.find from one <script to the next: a regular expression over the page costs more
        m = _SCRIPT.match(chrome, at)
        at = chrome.find("<script", at + 7)
        if not m:
            continue
        attrs = m.group("attrs") or ""
        if re.search(r"\ssrc\s*=", attrs, re.I) or re.search(r"type=[\"']?application/json", attrs, re.I):
            continue
        if any(p.match(m.group("body")) for p in rendered.THEME_SCRIPTS):
            out.append(m.group("body"))
    return out


def style_attributes(html: str) -> list[str]:
    return sorted({(m.group("d") if m.group("d") is not None else m.group("s")) for m in _STYLE_ATTR.finditer(html)})


def policy(scripts: list[str], styles: list[str], offline: bool = False) -> str:
    return _policy(tuple(scripts), tuple(styles), offline, SHIM_SCRIPT_HASH)


@functools.lru_cache(maxsize=1024)
def _policy(scripts: tuple[str, ...], styles: tuple[str, ...], offline: bool, shim_hash: str) -> str:
    script_src = ["'self'", *sorted({sha256(s) for s in scripts})]
    if offline:
        script_src.append(shim_hash)
    style_src = ["'self'"] + (["'unsafe-hashes'", *sorted({sha256(s) for s in styles})] if styles else [])
    frames = "'self'"
    return "; ".join([
        "default-src 'none'",
        "script-src " + " ".join(script_src),
        "style-src " + " ".join(style_src),
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        f"frame-src {frames}",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ])


MARK = '<meta http-equiv="Content-Security-Policy"'


_seen: list = [None, None]  # [the page text the gate last read, the theme scripts it found there]


def remember(output: str, scripts: list[str]) -> None:
    """The gate (scripts/hooks/safety.py) read `output` with the browser's parser and found `scripts`,
    the theme's inline scripts that run: apply() on the very same text uses them instead of reading it again."""
    _seen[0], _seen[1] = output, list(scripts)


def remembered(output: str) -> list[str] | None:
    """The theme scripts the gate found in this very page text (the same object: no hook changed it since), else None."""
    return _seen[1] if _seen[0] is output else None


def apply(output: str, content: str, offline: bool = False, scripts: list[str] | None = None) -> str:
    """The page with its policy as the first element of <head> (once).

    `scripts`: the theme's inline scripts of this page when the gate has found them (remembered());
    else they are read here from the theme's part of the page."""
    if MARK in output[:4096]:
        return output
    if scripts is None:
        chrome, _ = rendered.split(output, content)
        scripts = theme_scripts(chrome)
    # Style attributes: the content's (the theme writes none; one that got into its part is refused).
    meta = f'{MARK} content="{policy(scripts, style_attributes(content) if "style=" in content else [], offline)}">'
    m = _CHARSET.search(output, 0, 4096) or _HEAD.search(output)
    if not m:
        return output
    return output[:m.end()] + meta + output[m.end():]


# --------------------------------------------------------------------------- the offline worker shim

SHIM_FILENAME = 'filename:"${e}"'  # in iframe-worker 1.0.4's written script: the worker's URL
SHIM_CONSTANT = 'filename:"search-worker"'


def shim_for_csp(js: str) -> str:
    """iframe-worker's shim with the one page-dependent part of its inline script made constant."""
    if SHIM_FILENAME not in js:
        raise ValueError("iframe-worker shim: the written script changed shape; update kb.deliver.csp")
    return js.replace(SHIM_FILENAME, SHIM_CONSTANT).replace(
        "if(r===`${this.url}`)", "if(r===\"search-worker\")")


def shim_inline_script(js: str) -> str:
    """The inline script the (adjusted) shim writes into its iframe, as the browser will hash it."""
    fn = {}
    for name in ("c", "d"):
        m = re.search(r"function %s\(" % name, js)
        if not m:
            raise ValueError(f"iframe-worker shim: function {name} not found")
        depth, i = 0, js.index("{", m.start())
        while True:
            depth += {"{": 1, "}": -1}.get(js[i], 0)
            i += 1
            if depth == 0:
                break
        fn[name] = js[m.start():i]
    tmpl = re.search(r"<script>(postMessage=\$\{c\};importScripts=\$\{d\};.*?)<\\/script>", js)
    if not tmpl:
        raise ValueError("iframe-worker shim: the written script changed shape; update kb.deliver.csp")
    return tmpl.group(1).replace("${c}", fn["c"]).replace("${d}", fn["d"])


SHIM_SCRIPT_HASH = ""  # set by set_shim() when the offline build installs the shim


def set_shim(js: str) -> None:
    global SHIM_SCRIPT_HASH
    SHIM_SCRIPT_HASH = sha256(shim_inline_script(js))
