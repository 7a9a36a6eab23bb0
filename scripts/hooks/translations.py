"""MkDocs adapter for kb.content.translations: the status page, and the 'outdated' mark on pages.

The state of every translation is worked out in a second process (kb.core.background),
started before the first language is rendered and read when a page first needs it: the
Spanish pages and the status page, by which time it is long done.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from kb.content import languages, translations
from kb.core.background import Background, BackgroundFailed
from kb.core.problems import Problem
from kb.engine import mkdocs_adapter as kb
from kb.engine import parallel


@dataclass
class TranslationState:
    worker: Background = field(default_factory=Background)  # `kb check-translations --statuses-json`
    known: dict | None = None  # its answer, read when a page first needs it

    def statuses(self) -> dict:
        if self.known is None:
            try:
                self.known = translations.statuses_from_json(self.worker.result())
            except BackgroundFailed as exc:
                kb.fail_on([Problem("scripts/kb/content/translations.py", 1, 1, f"translation state: {exc}")])
        return self.known


state = TranslationState()
parallel.before_fork(state.statuses)  # the other languages' process gets the answer, not the pipe


def on_pre_build(config: MkDocsConfig) -> None:
    if kb.first_language_pass(config) or not state.worker.started:
        state.known = None
        state.worker.start("check-translations", "--statuses-json", "--docs", config.docs_dir)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    lang, rel = kb.language(config), kb.page_path(page)
    if lang in translations.TRANSLATIONS and kb.page_locale(page) == lang \
            and translations.state_of(state.statuses(), lang, rel) == translations.OUTDATED:
        page.meta[languages.STATUS_KEY] = translations.OUTDATED
    return translations.render_page(markdown, lang, rel, state.statuses)


def on_build_error(error: Exception) -> None:
    state.worker.stop()
