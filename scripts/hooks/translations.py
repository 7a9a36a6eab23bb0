"""MkDocs adapter for scripts/translations.py: the status page, and the 'outdated' mark on pages.

The state of every translation is worked out in a second process (scripts/background.py),
started before the first language is rendered and read when a page first needs it: the
Spanish pages and the status page, by which time it is long done.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import languages  # noqa: E402
import mkdocs_adapter as kb  # noqa: E402
import translations  # noqa: E402
from background import Background, BackgroundFailed  # noqa: E402
from problems import Problem  # noqa: E402

_worker = Background()
_state = {}


def on_pre_build(config):
    if kb.first_language_pass(config) or not _worker.started:
        _state.clear()
        _worker.start("check-translations", "--statuses-json", "--docs", config.docs_dir)


def _statuses() -> dict:
    if "statuses" not in _state:
        try:
            _state["statuses"] = translations.statuses_from_json(_worker.result())
        except BackgroundFailed as exc:
            kb.fail_on([Problem("scripts/translations.py", 1, 1, f"translation state: {exc}")])
    return _state["statuses"]


def on_page_markdown(markdown, page, config, files):
    lang, rel = kb.language(config), kb.page_path(page)
    if lang in translations.TRANSLATIONS and kb.page_locale(page) == lang \
            and translations.state_of(_statuses(), lang, rel) == translations.OUTDATED:
        page.meta[languages.STATUS_KEY] = translations.OUTDATED
    return translations.render_page(markdown, lang, rel, _statuses)


def on_build_error(error):
    _worker.stop()
