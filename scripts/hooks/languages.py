"""MkDocs adapter for kb.content.languages: translation notices and one 404 page per language."""
from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from kb.content import languages
from kb.engine import mkdocs_adapter as kb


def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
    lang = kb.language(config)
    context["kb_ui"] = languages.strings(lang)
    context["kb_translation_state"] = languages.translation_state(kb.page_locale(page), lang, page.meta)
    return context


def on_post_template(output: str, template_name: str, config: MkDocsConfig) -> str:
    """static-i18n writes every language's 404.html to the site root; keep English there, Spanish in es/.

    The other languages' passes leave the root alone (empty output: MkDocs writes nothing), so the
    root page does not depend on the order of the passes (kb.engine.parallel runs them at once)."""
    if template_name != "404.html":
        return output
    lang = kb.language(config)
    if lang == kb.DEFAULT_LANGUAGE:
        return output
    target = Path(config.site_dir) / lang / "404.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(output, encoding="utf-8")
    return ""
