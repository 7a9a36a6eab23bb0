"""MkDocs adapter for kb.checks.frontmatter: front-matter values the theme prints reach it HTML-escaped.

A wall of its own, not part of the gate (scripts/hooks/safety.py): with the gate off, a
`title: </title><script>…` still reaches the page as text.
"""
from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from kb.checks import frontmatter


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    frontmatter.escape(page.meta)
    return markdown
