"""MkDocs adapter for kb.content.glossary and kb.content.glossary_markdown: load once per build, render each page."""
from __future__ import annotations

from dataclasses import dataclass

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from kb.content import glossary, glossary_markdown
from kb.engine import mkdocs_adapter as kb


@dataclass
class GlossaryState:
    markdown: glossary_markdown.GlossaryExtension | None = None  # the extension every page renders with
    terms: glossary.Glossary | None = None  # data/glossary.yml, loaded once per build


state = GlossaryState()


def on_config(config: MkDocsConfig) -> None:
    state.markdown = kb.add_markdown_extension(config, glossary_markdown.GlossaryExtension)


def on_pre_build(config: MkDocsConfig) -> None:
    if kb.first_language_pass(config) or state.terms is None:
        state.terms = kb.load_or_fail(glossary.load, "glossary problem")


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    lang, rel, tips = kb.language(config), kb.page_path(page), glossary.wants_tooltips(markdown)
    markdown = glossary.render_page(markdown, lang, rel, state.terms)
    # Read by the extension when this page is rendered, right after this event.
    state.markdown.page(state.terms, lang, rel, tooltips=tips, references="[[" in markdown)
    return markdown
