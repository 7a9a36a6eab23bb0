"""Search in the reader's language: one search index per language.

mkdocs-static-i18n merges every language into one search index, so a Spanish reader
gets English pages mixed into the results (and English readers Spanish ones). Here each
language gets its own index, written at its language root:

- ``search/search_index.json``    default language (English): its own pages, plus pages
                                    that exist only in another language;
- ``es/search/search_index.json`` Spanish: the pages of the Spanish build (translated pages,
                                    and English originals shown where no translation exists).

Locations in an index are relative to its language root, and each index declares the
languages of the pages it holds (``lang``), so lunr applies Spanish stop words and word
characters to a Spanish index.

Stemming. Material's search turns every query word into a prefix query (``nodos`` ->
``nodos*``), and lunr does not stem prefix queries, so switching on lunr's stemmer makes
words longer than their stem unfindable (``configuración`` would miss pages indexed under
``configur``). Stemming is therefore done here, on the index side: every entry gets a hidden
field ``forms`` listing the other words of the site that share a Snowball stem (Spanish or
English, after the page's language) with its own words. A Spanish reader searching
``configurar`` then finds the sections that say ``configuración``, ranked below the ones that
use the word itself (the field has a low boost). The theme side is one line: pages of a
non-default language tell Material's JavaScript that their search root is their language
folder (``overrides/main.html``, block ``config``). For the offline bundle each index is
also written as ``search_index.js`` (``var __index = …``), which file:// pages load with a
<script> tag instead of a request.

Plain Python, no MkDocs: the hook (scripts/hooks/search.py) feeds it the index the engine
wrote after each language's build and the language of every page's source.
"""
from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import snowballstemmer

from kb.core.settings import DEFAULT_LANGUAGE

INDEX = Path("search") / "search_index.json"
SCRIPT = Path("search") / "search_index.js"
STEMMERS = {"en": "english", "es": "spanish"}
FORMS = "forms"  # hidden index field: words of the site sharing a stem with the entry's words
FORMS_BOOST = 0.5  # below the text (1.0): a section using the word itself ranks first
TAG = re.compile(r"<[^>]*>")
EDGE = re.compile(r"^\W+|\W+$")


def root(lang: str, default: str = DEFAULT_LANGUAGE) -> str:
    """Folder of a language's pages, relative to the site root: '' or 'es/'."""
    return "" if lang == default else f"{lang}/"


def page_of(location: str) -> str:
    """'es/kubernetes/architecture/#pods' -> 'es/kubernetes/architecture/'."""
    return location.split("#", 1)[0]


def relocate(location: str, lang_root: str) -> str:
    """A site-root-relative location, made relative to a language root."""
    if location.startswith(lang_root):
        return location[len(lang_root):]
    return "../" * lang_root.count("/") + location


def split(passes: dict[str, dict], sources: dict[str, str], default: str = DEFAULT_LANGUAGE) -> dict[str, dict]:
    """One index per language.

    passes:  {lang: index written by the search plugin after that language's build};
             locations relative to the site root ('kubernetes/', 'es/kubernetes/').
    sources: {page url: language of its source file} for every page of every build.
    Returns {lang: index} with locations relative to the language's root.
    """
    own_pages = {lang: {page_of(d["location"]) for d in index["docs"]} for lang, index in passes.items()}
    out = {}
    for lang, index in passes.items():
        base = root(lang, default)
        docs = list(index["docs"])
        # Pages this build does not have at all (a page that exists only in another language).
        for other, other_index in passes.items():
            if other == lang:
                continue
            other_base = root(other, default)
            for doc in other_index["docs"]:
                page = page_of(doc["location"])
                if sources.get(page, other) != other:
                    continue  # a fallback copy in the other build, not that language's own page
                twin = base + page[len(other_base):]
                if twin not in own_pages[lang]:
                    docs.append(doc)
        doc_langs = [sources.get(page_of(d["location"]), lang) for d in docs]
        config = dict(index["config"], lang=[lang] + sorted(set(doc_langs) - {lang}))
        docs = with_forms(docs, doc_langs, config.get("separator") or r"[\s\-]+")
        if any(FORMS in d for d in docs):
            config["fields"] = dict(config.get("fields") or {}, **{FORMS: {"boost": FORMS_BOOST}})
        out[lang] = {
            "config": config,
            "docs": [dict(d, location=relocate(d["location"], base)) for d in docs],
        }
    return out


@lru_cache(maxsize=None)
def _stemmer(lang: str):
    """A caching stem function for a language, or None (pure-Python Snowball is slow; words repeat)."""
    name = STEMMERS.get(lang)
    return lru_cache(maxsize=None)(snowballstemmer.stemmer(name).stemWord) if name else None


def words(markup: str, separator: str) -> set[str]:
    """The words lunr indexes in an entry's HTML (lower case, split like Material's tokenizer)."""
    text = markup or ""
    if "<" in text:
        text = TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    found = {_word(token) for token in set(re.split(separator, text.lower()))}  # each distinct token once
    found.discard(None)
    return found


@lru_cache(maxsize=65536)  # a site's tokens repeat from page to page
def _word(token: str) -> str | None:
    """The indexed word of a token (punctuation at its edges removed), or None when lunr skips it."""
    w = EDGE.sub("", token)
    return w if len(w) > 2 and not w.isdigit() else None


def with_forms(docs: list[dict], doc_langs: list[str], separator: str) -> list[dict]:
    """Entries with a ``forms`` field: the site's other words that share a stem with theirs."""
    own = [words(f"{d.get('title', '')} {d.get('text', '')}", separator) for d in docs]
    family = defaultdict(set)  # (language, stem) -> words of the index
    for lang in set(doc_langs):
        stem = _stemmer(lang)
        if stem:
            for w in set().union(*(ws for wl, ws in zip(doc_langs, own) if wl == lang)):
                family[lang, stem(w)].add(w)
    # Per language: the words that share their stem with another word, and that family.
    shared = {lang: {} for lang in set(doc_langs)}
    for (lang, _), ws in family.items():
        if len(ws) > 1:
            for w in ws:
                shared[lang][w] = ws
    out = []
    for doc, lang, ws in zip(docs, doc_langs, own):
        table = shared[lang]
        hits = ws & table.keys()
        forms = set().union(*(table[w] for w in hits)) - ws if hits else set()
        out.append(dict(doc, **{FORMS: " ".join(sorted(forms))}) if forms else doc)
    return out


# --- indexing speed ------------------------------------------------------------------------------

_PRE = re.compile(r"(<pre\b[^>]*>)(.*?)(</pre>)", re.S)
_DROPPED_IN_PRE = re.compile(r"</?span\b[^>]*>|<a\b[^>]*></a>")


def light_for_index(content: str) -> str:
    """A page's HTML with what Material's search indexer drops anyway taken out of code blocks.

    Inside ``<pre>``, Material's indexer keeps the text and the ``pre``/``code`` tags and drops
    every other tag, and it keeps every piece of text as it comes (no whitespace folding): the
    highlighter's ``<span>`` tags and the empty line anchors (``<a id="__codelineno-…"></a>``)
    are three quarters of a page's tags and cost the indexer's HTML parser time for nothing.
    Without them the index is the same, byte for byte (tests/test_search.py compares).
    """
    if "<pre" not in content:
        return content
    return _PRE.sub(lambda m: m.group(1) + _DROPPED_IN_PRE.sub("", m.group(2)) + m.group(3), content)


def read(site_dir: Path) -> dict | None:
    """The search index the engine wrote at the site root, if any."""
    path = Path(site_dir) / INDEX
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def only_pages(index: dict, pages: set[str]) -> dict:
    """The part of an index whose entries belong to the given pages."""
    return dict(index, docs=[d for d in index["docs"] if page_of(d["location"]) in pages])


def write(site_dir: Path, indexes: dict[str, dict], default: str = DEFAULT_LANGUAGE,
          script: bool = False) -> list[Path]:
    """Write each language's index at its root; also as a script for file:// when `script`."""
    written = []
    for lang in sorted(indexes):
        data = json.dumps(indexes[lang], separators=(",", ":"), ensure_ascii=False, sort_keys=False)
        folder = Path(site_dir) / root(lang, default)
        targets = [(folder / INDEX, data)]
        if script:
            targets.append((folder / SCRIPT, f"var __index = {data}"))
        for path, text in targets:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written

