"""MkDocs adapter for kb.content.mapping: load the map once per build, render the table, add the downloads.

A data problem stops the build at once; the pages' placeholders are checked with the other
source checks (scripts/hooks/checks.py). Listed before the glossary hook in mkdocs.yml: the
table carries [[term]] references.
"""
from __future__ import annotations

from dataclasses import dataclass

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from kb.content import glossary, mapping
from kb.engine import mkdocs_adapter as kb


@dataclass
class MapState:
    loaded: bool = False
    terms: glossary.Glossary | None = None  # None when the project has no map data file
    entries: list | None = None


state = MapState()


def on_pre_build(config: MkDocsConfig) -> None:
    if kb.first_language_pass(config) or not state.loaded:
        present = mapping.DATA_FILE.is_file()
        what = "vSphere-to-Kubernetes map problem"
        state.terms = kb.load_or_fail(glossary.load, what) if present else None
        state.entries = kb.load_or_fail(lambda: mapping.load(mapping.DATA_FILE, state.terms), what) \
            if present else None
        state.loaded = True


@event_priority(-200)  # after static-i18n (-100) has laid out this language's files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    if state.entries is None:
        return files
    lang = kb.language(config)
    prefix = "" if lang == kb.DEFAULT_LANGUAGE else f"{lang}/"
    for rel, content in mapping.downloads(state.entries, lang, state.terms).items():
        # Source path inside the language folder, so pages link to it like any other file there.
        f = File.generated(config, f"{lang}/{rel}", content=content.encode("utf-8"))
        f.dest_uri = prefix + rel
        files.append(f)
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    return mapping.render_page(markdown, kb.language(config), state.entries, state.terms)
