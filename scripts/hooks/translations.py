"""MkDocs adapter for scripts/translations.py: the status page, and the 'outdated' mark on pages."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import languages  # noqa: E402
import mkdocs_adapter as kb  # noqa: E402
import translations  # noqa: E402

_state = {}


def on_pre_build(config):
    if kb.first_language_pass(config) or "statuses" not in _state:
        _state["statuses"], _ = translations.scan(Path(config.docs_dir), page_checks=False)


def on_page_markdown(markdown, page, config, files):
    lang, rel = kb.language(config), kb.page_path(page)
    if kb.page_locale(page) == lang and translations.state_of(_state["statuses"], lang, rel) == translations.OUTDATED:
        page.meta[languages.STATUS_KEY] = translations.OUTDATED
    return translations.render_page(markdown, lang, rel, _state["statuses"])
