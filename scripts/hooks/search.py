"""MkDocs adapter for kb.content.search: one search index per language, searched from that language's pages."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from kb.content import search
from kb.engine import mkdocs_adapter as kb
from kb.engine import parallel


@dataclass
class SearchState:
    built: defaultdict[str, set] = field(default_factory=lambda: defaultdict(set))  # language -> page urls
    sources: dict[str, str] = field(default_factory=dict)  # page url -> language of its source file
    passes: dict[str, dict] = field(default_factory=dict)  # language -> search index written after it

    def reset(self) -> None:
        self.built.clear(), self.sources.clear(), self.passes.clear()


state = SearchState()


def _export() -> dict:
    """What the other languages' builds add, when a second process builds them (kb.engine.parallel)."""
    return {"built": {lang: urls for lang, urls in state.built.items() if lang != kb.DEFAULT_LANGUAGE},
            "sources": state.sources, "passes": state.passes}


def _merge(data: dict) -> None:
    state.built.update(data["built"]), state.sources.update(data["sources"]), state.passes.update(data["passes"])


parallel.share("search", _export, _merge)


def on_pre_build(config: MkDocsConfig) -> None:
    if kb.first_language_pass(config):
        state.reset()


def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    lang = kb.language(config)
    state.built[lang].add(page.url)
    state.sources[page.url] = kb.page_locale(page)
    context["kb_search_root"] = search.root(lang)  # read by overrides/main.html
    return context


@event_priority(-100)  # after the search plugin, static-i18n (which merges the languages) and offline
def on_post_build(config: MkDocsConfig) -> None:
    site = Path(config.site_dir)
    index = search.read(site)
    if index is None:
        return
    if not kb.first_language_pass(config):  # another language's build: its own pages only
        state.passes[kb.language(config)] = index
        return
    state.passes[kb.DEFAULT_LANGUAGE] = search.only_pages(index, state.built[kb.DEFAULT_LANGUAGE])
    search.write(site, search.split(state.passes, state.sources), script=(site / search.SCRIPT).is_file())
