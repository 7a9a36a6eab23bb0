"""Faster search indexing, same index: Material's indexer reads each page without the code tags it drops.

A performance hook (kb.content.search.light_for_index()): it changes no output, which the
tests check by building with and without it. If Material's search plugin changes shape, the
hook steps aside and the build is only slower.
"""
from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig

from kb.content import search


def on_config(config: MkDocsConfig) -> None:  # after Material's search plugin has made this build's index (on_config)
    plugin = config.plugins.get("material/search") or config.plugins.get("search")
    index = getattr(plugin, "search_index", None)
    add = getattr(index, "add_entry_from_context", None)
    if add is None or getattr(add, "kb_light", False):
        return

    def add_light(page):
        content = page.content
        page.content = search.light_for_index(content)
        try:
            add(page)
        finally:
            page.content = content

    add_light.kb_light = True
    index.add_entry_from_context = add_light
